/*
 * env.c - the LMDB environment of a data directory: create, open (writer
 * lock, format check), close, map growth, snapshots (pin/unpin), cursors
 * and point reads.
 *
 * Store life cycle:
 *   store_create: empty dir -> dir with driftdb.mdb, meta (magic, format,
 *                 db id, head 0, ids)
 *   store_open:   file probed, nothing written (probe_file: empty, not
 *                 LMDB) -> LOCK flock'd (writer) -> env open -> meta checked ->
 *                 catalog loaded -> writer thread started (commit.c)
 *   store_close:  writer stopped and joined -> env closed -> LOCK released
 *
 * Pins: a pinned Snap may hold pointers into the map, so the writer may
 * resize the map (mdb_env_set_mapsize) only when no snap is pinned.  The
 * gate is writer-preferring: once the writer waits, new pins wait, so a
 * resize cannot starve.  Unpinned snaps keep their read txn (LMDB read txns
 * without cursors survive a resize); cursors must be closed before unpin.
 */
#include "store_int.h"
#include "../util/alloc.h"
#include "../util/clock.h"

#include <dirent.h>
#include <pwd.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>
#include <signal.h>
#include <sys/statvfs.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* 64 GiB of address space: LMDB's file grows only as it is written, so
 * a large map costs nothing and makes a resize (which must wait until no
 * statement holds pinned snapshot memory) rare. */
#define DEFAULT_MAP_SIZE ((size_t)64 << 30)
/* LMDB reader slots: every open snapshot takes one (MDB_NOTLS).  A
 * session holds at most two at once (its transaction's and a VERIFY's or
 * backup's), and a few more serve embedded callers and the CLI beside a
 * server. */
#define DEFAULT_READERS 1024
#define READERS_PER_SESSION 2
#define READERS_SPARE 64
/* How long a map resize waits for pinned statements before it gives up. */
#define GROW_WAIT_SECONDS 10
#define MIN_MAP_SIZE ((size_t)64 << 10)

static const char *const db_names[FMT_DB__COUNT] = FMT_DB_NAMES;

int store_mdb_err(DdError *err, int rc, const char *what)
{
    int code;
    switch (rc) {
    case ENOSPC: code = DD_EDISK_FULL; break;
    case ENOMEM: code = DD_ENOMEM; break;
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
        return dd_corrupt(err, "%s: %s", what, mdb_strerror(rc));
    case ENOENT: code = DD_ENO_FILE; break;
    default: code = DD_EIO; break;
    }
    return dd_err(err, code, -1, "%s: %s", what, mdb_strerror(rc));
}

bool store_disk_full(Store *st)
{
    struct statvfs v;
    if (statvfs(st->dir, &v) != 0) return false;
    return (u64)v.f_bavail * (u64)v.f_frsize < 1024 * 1024;
}

/* ---- helpers ---- */

static char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = dd_malloc(n);
    if (p) snprintf(p, n, "%s/%s", dir, name);
    return p;
}

void store_put_head(u8 out[FMT_META_HEAD_LEN], u64 seq, const u8 hash[32], i64 time)
{
    put_u64be(out, seq);
    memcpy(out + 8, hash, 32);
    put_u64be(out + 40, (u64)time);
}

int store_read_head(Store *st, MDB_txn *txn, u64 *seq, u8 hash[32], i64 *time, DdError *err)
{
    MDB_val k = {4, "head"}, v;
    int rc = mdb_get(txn, st->dbi[FMT_DB_META], &k, &v);
    if (rc == MDB_NOTFOUND || (rc == 0 && v.mv_size != FMT_META_HEAD_LEN))
        return dd_corrupt(err, "meta: head record missing or malformed");
    if (rc) return store_mdb_err(err, rc, "reading meta");
    const u8 *p = v.mv_data;
    *seq = get_u64be(p);
    if (hash) memcpy(hash, p + 8, 32);
    *time = (i64)get_u64be(p + 40);
    return 0;
}

/*
 * The page size when runs may read LMDB's leaf pages in place
 * (store_cursor_run), else 0: the layout read there is LMDB 0.9's on a
 * little-endian machine (the library in use, not only the one built
 * against), and a page is found by rounding a key's address down, which
 * needs the map (aligned to the system's pages) aligned to LMDB's: a file
 * made with larger pages than this system's is read through the cursor.
 */
static u32 leaf_pages_readable(MDB_env *env)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && MDB_VERSION_MAJOR == 0 && \
    MDB_VERSION_MINOR == 9
    int major, minor, patch;
    mdb_version(&major, &minor, &patch);
    MDB_stat es;
    long sys = sysconf(_SC_PAGESIZE);
    if (major != 0 || minor != 9 || mdb_env_stat(env, &es) != 0 || sys <= 0) return 0;
    u32 ps = es.ms_psize;
    if (ps < 512 || (ps & (ps - 1)) || ps > (u64)sys) return 0;
    return ps;
#else
    (void)env;
    return 0;
#endif
}

/* Takes the writer lock LOCK; 55006 naming the holder's pid when busy. */
static int take_lock(const char *dir, int *fd_out, DdError *err)
{
    char *path = path_join(dir, FMT_LOCK_NAME);
    if (!path) return dd_err(err, DD_ENOMEM, -1, NULL);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    dd_free(path);
    if (fd < 0) return dd_err(err, DD_EIO, -1, "could not open lock file in \"%s\": %s", dir, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        char pidbuf[32] = "";
        ssize_t n = pread(fd, pidbuf, sizeof pidbuf - 1, 0);
        close(fd);
        if (e != EWOULDBLOCK)
            return dd_err(err, DD_EIO, -1, "could not lock data directory \"%s\": %s", dir, strerror(e));
        long pid = n > 0 ? strtol(pidbuf, NULL, 10) : 0;
        if (pid > 0)
            return dd_err(err, DD_ELOCKED, -1, "data directory \"%s\" is locked by another process (pid %ld)", dir, pid);
        return dd_err(err, DD_ELOCKED, -1, "data directory \"%s\" is locked by another process", dir);
    }
    char pidbuf[32];
    int len = snprintf(pidbuf, sizeof pidbuf, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pidbuf, (size_t)len, 0) != len) {
        /* The pid is informative only; the flock is what excludes. */
    }
    *fd_out = fd;
    return 0;
}

long store_lock_holder(const char *dir)
{
    char *path = path_join(dir, FMT_LOCK_NAME);
    if (!path) return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    dd_free(path);
    if (fd < 0) return 0;
    char pidbuf[32] = "";
    ssize_t n = pread(fd, pidbuf, sizeof pidbuf - 1, 0);
    close(fd);
    long pid = n > 0 ? strtol(pidbuf, NULL, 10) : 0;
    if (pid <= 0 || (kill((pid_t)pid, 0) != 0 && errno != EPERM)) return 0;
    return pid;
}

static void release_lock(int fd)
{
    if (fd < 0) return;
    if (ftruncate(fd, 0) != 0) { /* informative only */ }
    flock(fd, LOCK_UN);
    close(fd);
}

/* Creates the env handle and opens the file; opens the named dbs. */
static int env_open(Store *st, size_t map_size, unsigned readers, bool create, DdError *err)
{
    char *path = path_join(st->dir, FMT_FILE_NAME);
    if (!path) return dd_err(err, DD_ENOMEM, -1, NULL);
    int rc = mdb_env_create(&st->env);
    if (rc) {
        st->env = NULL;
        dd_free(path);
        return store_mdb_err(err, rc, "creating environment");
    }
    mdb_env_set_maxdbs(st->env, FMT_DB__COUNT + 1);
    /* the process that creates the lock file sizes the table; later
     * openers (the CLI beside a server) use that size */
    mdb_env_set_maxreaders(st->env, readers);
    if (map_size) mdb_env_set_mapsize(st->env, map_size);
    unsigned flags = MDB_NOSUBDIR | MDB_NOTLS | (st->read_only ? MDB_RDONLY : 0);
    rc = mdb_env_open(st->env, path, flags, 0644);
    dd_free(path);
    if (rc) {
        mdb_env_close(st->env);
        st->env = NULL;
        if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH)
            return dd_corrupt(err, "data directory \"%s\" is corrupt or not a DriftDB data directory: "
                                   "driftdb.mdb is not a valid LMDB file (%s)", st->dir, mdb_strerror(rc));
        return store_mdb_err(err, rc, "opening environment");
    }
    MDB_envinfo info;
    mdb_env_info(st->env, &info);
    st->map_size = info.me_mapsize;
    st->psize = leaf_pages_readable(st->env);

    MDB_txn *txn;
    if (st->check_file) {
        /* before LMDB follows a page (the named databases' lookup below
         * is the first walk): a read transaction reads the meta only */
        if ((rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn))) return store_mdb_err(err, rc, "checking the file");
        rc = store_check_lmdb_tree(st, txn, err);
        mdb_txn_abort(txn);
        if (rc) return rc;
    }
    for (int tries = 0;; tries++) {
        rc = mdb_txn_begin(st->env, NULL, st->read_only ? MDB_RDONLY : 0, &txn);
        if (rc == MDB_MAP_RESIZED && tries < 5) {
            mdb_env_set_mapsize(st->env, 0);
            continue;
        }
        break;
    }
    if (rc) return store_mdb_err(err, rc, "beginning transaction");
    for (int i = 0; i < FMT_DB__COUNT; i++) {
        /* checkpoint came later: made by the first read-write open */
        bool later = i == FMT_DB_CHECKPOINT;
        rc = mdb_dbi_open(txn, db_names[i], create || (later && !st->read_only) ? MDB_CREATE : 0, &st->dbi[i]);
        if (later) {
            st->has_ckpt_db = rc == 0;
            if (rc == MDB_NOTFOUND) rc = 0;
        }
        if (rc) {
            mdb_txn_abort(txn);
            if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE) {
                st->no_dbs = true;
                dd_err(err, DD_ECORRUPT, -1, "\"%s\" is not a DriftDB data directory", st->dir);
                dd_err_hint(err, "Create one with: driftdb init %s", st->dir);
                return DD_ECORRUPT;
            }
            return store_mdb_err(err, rc, "opening database");
        }
    }
    rc = mdb_txn_commit(txn);
    if (rc) return store_mdb_err(err, rc, "opening databases");
    return 0;
}

/*
 * Reads the head of an existing data file without writing anything: a file
 * LMDB would treat as a new database (empty) or that does not start with an
 * LMDB meta page is refused here, before the LOCK file is taken and before
 * mdb_env_open creates its lock file or, for an empty file, writes two meta
 * pages into it.  LMDB 0.9's first page is a 16-byte page header followed by
 * MDB_meta, whose first field is the magic 0xBEEFC0DE (native byte order).
 */
#define LMDB_META_MAGIC_OFF 16
#define LMDB_META_MAGIC 0xBEEFC0DEu
static int probe_file(const char *dir, const char *file, DdError *err)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return dd_err(err, DD_EIO, -1, "could not open \"%s\": %s", file, strerror(errno));
    u8 head[LMDB_META_MAGIC_OFF + 4];
    ssize_t n = pread(fd, head, sizeof head, 0);
    int e = errno;
    close(fd);
    if (n < 0) return dd_err(err, DD_EIO, -1, "could not read \"%s\": %s", file, strerror(e));
    if (n == 0)
        return dd_corrupt(err, "\"%s\" is not a DriftDB data directory (driftdb.mdb is empty)", dir);
    u32 magic = 0;
    if ((size_t)n == sizeof head) memcpy(&magic, head + LMDB_META_MAGIC_OFF, 4);
    if (magic != LMDB_META_MAGIC)
        return dd_corrupt(err, "data directory \"%s\" is corrupt or not a DriftDB data directory: "
                               "driftdb.mdb is not a valid LMDB file (%s)", dir, mdb_strerror(MDB_INVALID));
    return 0;
}

static void store_free(Store *st)
{
    if (!st) return;
    if (st->env) wal_close(st);
    if (st->env) mdb_env_close(st->env);
    release_lock(st->lock_fd);
    cat_free(st);
    pthread_mutex_destroy(&st->wal.txn_mu);
    pthread_mutex_destroy(&st->pin_mu);
    pthread_cond_destroy(&st->pin_cv);
    pthread_mutex_destroy(&st->cat_mu);
    pthread_mutex_destroy(&st->seq_mu);
    dd_free(st->seqs);
    pthread_mutex_destroy(&st->q_mu);
    pthread_cond_destroy(&st->q_cv);
    pthread_cond_destroy(&st->head_cv);
    ssi_destroy(&st->ssi);
    dd_free(st->dir);
    dd_free(st);
}

static Store *store_alloc(const char *dir, bool read_only)
{
    Store *st = dd_calloc(1, sizeof *st);
    if (!st) return NULL;
    st->dir = dd_strdup(dir);
    if (!st->dir) {
        dd_free(st);
        return NULL;
    }
    st->read_only = read_only;
    st->lock_fd = -1;
    st->wal.fd = st->wal.mdb_fd = -1;
    pthread_mutex_init(&st->wal.txn_mu, NULL);
    pthread_mutex_init(&st->pin_mu, NULL);
    pthread_cond_init(&st->pin_cv, NULL);
    pthread_mutex_init(&st->cat_mu, NULL);
    pthread_mutex_init(&st->seq_mu, NULL);
    pthread_mutex_init(&st->q_mu, NULL);
    pthread_cond_init(&st->q_cv, NULL);
    pthread_cond_init(&st->head_cv, NULL);
    ssi_init(&st->ssi);
    arena_init(&st->cat_arena, 16384);
    /* µs: a flush is ~100 µs on an SSD; past a second something is wrong */
    static const u64 commit_le[] = {100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000};
    static const u64 batch_le[] = {1, 2, 4, 8, 16, 32, 64, 128};
    hist_init(&st->commit_us, commit_le, (int)DD_ARRAY_LEN(commit_le));
    hist_init(&st->batch_size, batch_le, (int)DD_ARRAY_LEN(batch_le));
    return st;
}

/* ---- create / open / close ---- */

/* The OS user's name, or "driftdb", into out. */
static void os_user(char out[FMT_META_OWNER_MAX + 1])
{
    struct passwd pw, *res = NULL;
    char buf[4096];
    if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &res) == 0 && res && res->pw_name[0] &&
        strlen(res->pw_name) <= FMT_META_OWNER_MAX)
        snprintf(out, FMT_META_OWNER_MAX + 1, "%s", res->pw_name);
    else
        snprintf(out, FMT_META_OWNER_MAX + 1, "driftdb");
}

int store_create(const char *dir, const char *superuser, DdError *err)
{
    char owner[FMT_META_OWNER_MAX + 1];
    if (superuser) {
        if (!superuser[0] || strlen(superuser) > FMT_META_OWNER_MAX)
            return dd_err(err, DD_EINVALID_PARAM, -1, "superuser name must be 1 to %d bytes", FMT_META_OWNER_MAX);
        snprintf(owner, sizeof owner, "%s", superuser);
    } else {
        os_user(owner);
    }
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        if (errno != ENOENT)
            return dd_err(err, DD_EIO, -1, "could not access directory \"%s\": %s", dir, strerror(errno));
        if (mkdir(dir, 0700) != 0)
            return dd_err(err, errno == ENOENT ? DD_ENO_FILE : DD_EIO, -1,
                          "could not create directory \"%s\": %s", dir, strerror(errno));
    } else if (!S_ISDIR(sb.st_mode)) {
        return dd_err(err, DD_EINVALID_PARAM, -1, "\"%s\" exists but is not a directory", dir);
    } else {
        DIR *d = opendir(dir);
        if (!d) return dd_err(err, DD_EIO, -1, "could not open directory \"%s\": %s", dir, strerror(errno));
        struct dirent *de;
        bool empty = true;
        while ((de = readdir(d)) != NULL)
            if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) empty = false;
        closedir(d);
        if (!empty)
            return dd_err(err, DD_EINVALID_PARAM, -1, "directory \"%s\" exists but is not empty", dir);
    }

    Store *st = store_alloc(dir, false);
    if (!st) return dd_err(err, DD_ENOMEM, -1, NULL);
    int rc = take_lock(dir, &st->lock_fd, err);
    if (rc) goto done;
    if ((rc = env_open(st, MIN_MAP_SIZE * 16, DEFAULT_READERS, true, err))) goto done;

    u8 meta_db[FMT_META_DB_LEN], head[FMT_META_HEAD_LEN], ids[FMT_META_IDS_LEN], zero[32] = {0};
    memcpy(meta_db, FMT_MAGIC, FMT_MAGIC_LEN);
    put_u32be(meta_db + FMT_MAGIC_LEN, FMT_VERSION);
    u8 *dbid = meta_db + FMT_MAGIC_LEN + 4;
    if (getrandom(dbid, FMT_DBID_LEN, 0) != FMT_DBID_LEN) {
        i64 t = clock_wall_us() ^ (i64)getpid();
        for (int i = 0; i < FMT_DBID_LEN; i++) dbid[i] = (u8)(t >> (i % 8 * 8)) ^ (u8)rand();
    }
    store_put_head(head, 0, zero, 0);
    put_u32be(ids, 1);
    put_u32be(ids + 4, 1);

    MDB_txn *txn;
    if ((rc = mdb_txn_begin(st->env, NULL, 0, &txn))) {
        rc = store_mdb_err(err, rc, "creating database");
        goto done;
    }
    MDB_val k1 = {2, "db"}, v1 = {sizeof meta_db, meta_db};
    MDB_val k2 = {4, "head"}, v2 = {sizeof head, head};
    MDB_val k3 = {3, "ids"}, v3 = {sizeof ids, ids};
    MDB_val k4 = {5, "owner"}, v4 = {strlen(owner), owner};
    MDB_dbi m = st->dbi[FMT_DB_META];
    if ((rc = mdb_put(txn, m, &k1, &v1, 0)) || (rc = mdb_put(txn, m, &k2, &v2, 0)) ||
        (rc = mdb_put(txn, m, &k3, &v3, 0)) || (rc = mdb_put(txn, m, &k4, &v4, 0))) {
        mdb_txn_abort(txn);
        rc = store_mdb_err(err, rc, "creating database");
        goto done;
    }
    if ((rc = mdb_txn_commit(txn))) rc = store_mdb_err(err, rc, "creating database");
done:
    store_free(st);
    return rc;
}


int store_open(const char *dir, const StoreOptions *opts, Store **out, DdError *err)
{
    StoreOptions defaults = {false, 0, 0, false};
    if (!opts) opts = &defaults;
    *out = NULL;
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        if (errno == ENOENT)
            return dd_err(err, DD_ENO_FILE, -1, "data directory \"%s\" does not exist", dir);
        return dd_err(err, DD_EIO, -1, "could not access data directory \"%s\": %s", dir, strerror(errno));
    }
    if (!S_ISDIR(sb.st_mode))
        return dd_err(err, DD_ECORRUPT, -1, "\"%s\" is not a DriftDB data directory", dir);
    char *file = path_join(dir, FMT_FILE_NAME);
    if (!file) return dd_err(err, DD_ENOMEM, -1, NULL);
    int exists = stat(file, &sb) == 0 && S_ISREG(sb.st_mode);
    if (!exists) {
        dd_free(file);
        return dd_err(err, DD_ECORRUPT, -1, "\"%s\" is not a DriftDB data directory", dir);
    }
    /* before anything writes: LMDB would lay out a new database in an
     * empty file, and creates its lock file on open */
    int prc = probe_file(dir, file, err);
    dd_free(file);
    if (prc) return prc;

    if (opts->read_only) {
        /* after a crash, the commit log holds commits LMDB's file lacks:
         * recover them first, unless a writer (which did) holds the lock */
        bool replay = false;
        int r = wal_recover_pre(dir, true, &replay, err);
        if (r) return r;
        if (replay) {
            StoreOptions w = *opts;
            w.read_only = false;
            Store *ws;
            DdError e2;
            r = store_open(dir, &w, &ws, &e2);
            if (r == 0) store_close(ws);
            else if (r != DD_ELOCKED) {
                if (err) *err = e2;
                return r;
            }
        }
    }
    Store *st = store_alloc(dir, opts->read_only);
    if (!st) return dd_err(err, DD_ENOMEM, -1, NULL);
    st->check_file = opts->check_file;
    int rc;
    bool foreign = false;
    if (!st->read_only && (rc = take_lock(dir, &st->lock_fd, err))) goto fail;
    bool replay = false;
    if (!st->read_only && (rc = wal_recover_pre(dir, false, &replay, err))) goto fail;
    size_t map = opts->initial_map_size ? opts->initial_map_size : DEFAULT_MAP_SIZE;
    if (map < MIN_MAP_SIZE) map = MIN_MAP_SIZE;
    unsigned readers = DEFAULT_READERS;
    if (opts->max_sessions > 0 &&
        (unsigned)opts->max_sessions * READERS_PER_SESSION + READERS_SPARE > readers)
        readers = (unsigned)opts->max_sessions * READERS_PER_SESSION + READERS_SPARE;
    if ((rc = env_open(st, st->read_only ? 0 : map, readers, false, err))) {
        /* recovery put the log's checkpoint in, and the file has no
         * DriftDB databases there: the log is not this file's (undone
         * below).  Other damage keeps its own message. */
        if (replay && st->no_dbs) {
            foreign = true;
            dd_corrupt(err, "the commit log %s of \"%s\" belongs to another database", FMT_WAL_NAME, dir);
        }
        goto fail;
    }
    u64 replayed = 0;
    if (replay && (rc = wal_replay(st, &foreign, &replayed, err))) goto fail;
    /* the file is the log's own: what recovery wrote over is not needed
     * again (before any checkpoint names a later transaction) */
    if (replay) wal_undo_done(dir);
    st->wal.replayed = replayed;
    /* slots of processes that died holding a snapshot (a killed CLI) keep
     * pages from reuse until cleared; the writer clears them from then on */
    if (!st->read_only) store_reader_check(st);

    MDB_txn *txn;
    if ((rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn))) {
        rc = store_mdb_err(err, rc, "reading meta");
        goto fail;
    }
    MDB_val k = {2, "db"}, v;
    rc = mdb_get(txn, st->dbi[FMT_DB_META], &k, &v);
    if (rc || v.mv_size != FMT_META_DB_LEN || memcmp(v.mv_data, FMT_MAGIC, FMT_MAGIC_LEN) != 0) {
        mdb_txn_abort(txn);
        rc = dd_err(err, DD_ECORRUPT, -1, "\"%s\" is not a DriftDB data directory", dir);
        goto fail;
    }
    u32 ver = get_u32be((const u8 *)v.mv_data + FMT_MAGIC_LEN);
    if (ver != FMT_VERSION) {
        mdb_txn_abort(txn);
        rc = dd_err(err, DD_ECORRUPT, -1,
                    "\"%s\" is not a DriftDB data directory of a supported format (format %u, expected %u)",
                    dir, ver, FMT_VERSION);
        goto fail;
    }
    memcpy(st->dbid, (const u8 *)v.mv_data + FMT_MAGIC_LEN + 4, FMT_DBID_LEN);
    MDB_val ki = {3, "ids"}, vi;
    rc = mdb_get(txn, st->dbi[FMT_DB_META], &ki, &vi);
    if (rc || vi.mv_size != FMT_META_IDS_LEN) {
        mdb_txn_abort(txn);
        rc = dd_corrupt(err, "meta: ids record missing or malformed");
        goto fail;
    }
    st->next_table_id = get_u32be(vi.mv_data);
    st->next_index_id = get_u32be((const u8 *)vi.mv_data + 4);
    MDB_val ko = {5, "owner"}, vo;
    rc = mdb_get(txn, st->dbi[FMT_DB_META], &ko, &vo);
    if (rc == 0 && (vo.mv_size < 1 || vo.mv_size > FMT_META_OWNER_MAX || memchr(vo.mv_data, 0, vo.mv_size))) {
        mdb_txn_abort(txn);
        rc = dd_corrupt(err, "meta: owner record malformed");
        goto fail;
    }
    if (rc == 0) {
        memcpy(st->owner, vo.mv_data, vo.mv_size);
        st->owner[vo.mv_size] = 0;
    } else {
        os_user(st->owner);   /* made before roles */
    }
    if ((rc = store_read_head(st, txn, &st->head_seq, st->head_hash, &st->head_time, err)) ||
        (rc = cat_load(st, txn, st->head_seq, err))) {
        mdb_txn_abort(txn);
        goto fail;
    }
    mdb_txn_abort(txn);
    if (!st->read_only && (rc = store_clear_dropped(st, err))) goto fail;
    if (!st->read_only && (rc = wal_open(st, err))) goto fail;
    if (!st->read_only && (rc = store_commit_start(st, err))) goto fail;
    *out = st;
    return 0;
fail:
    if (foreign) {
        /* before the lock goes: the file as it was */
        if (st->env) mdb_env_close(st->env);
        st->env = NULL;
        DdError e2;
        wal_undo_apply(dir, &e2);
    }
    store_free(st);
    return rc;
}

void store_close(Store *st)
{
    if (!st) return;
    store_commit_stop(st);
    store_seq_close(st);
    store_free(st);
}

void store_stats(Store *st, StoreStats *out)
{
    pthread_mutex_lock(&st->q_mu);
    out->head_seq = st->head_seq;
    out->commits = st->n_commits;
    out->batches = st->n_batches;
    out->map_size = st->map_size;
    out->wal_replayed = st->wal.replayed;
    out->wal_checkpoints = __atomic_load_n(&st->wal.n_ckpt, __ATOMIC_RELAXED);
    out->flushes = __atomic_load_n(&st->wal.n_flush, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&st->q_mu);
    out->pin_waits = __atomic_load_n(&st->n_pin_waits, __ATOMIC_RELAXED);
    hist_read(&st->commit_us, &out->commit_us);
    hist_read(&st->batch_size, &out->batch_size);
}

int store_writable(Store *st, char *why, size_t whysz)
{
    if (st->read_only) {
        snprintf(why, whysz, "the database is open read-only");
        return DD_EREAD_ONLY_TXN;
    }
    pthread_mutex_lock(&st->q_mu);
    int code = st->broken;
    if (code) snprintf(why, whysz, "%s", st->broken_msg[0] ? st->broken_msg : dd_err_text(code));
    else if (st->stop) snprintf(why, whysz, "the database is closing"), code = DD_EINTERNAL;
    pthread_mutex_unlock(&st->q_mu);
    if (!code && store_disk_full(st)) {
        snprintf(why, whysz, "the disk holding the database is full");
        code = DD_EDISK_FULL;
    }
    return code;
}

const u8 *store_db_id(Store *st) { return st->dbid; }

int store_meta_db(Snap *s, u32 *version, u8 dbid[16], DdError *err)
{
    MDB_val k = {2, "db"}, v;
    int rc = mdb_get(s->txn, s->st->dbi[FMT_DB_META], &k, &v);
    if (rc == MDB_NOTFOUND || (rc == 0 && (v.mv_size != FMT_META_DB_LEN ||
                                           memcmp(v.mv_data, FMT_MAGIC, FMT_MAGIC_LEN) != 0)))
        return dd_corrupt(err, "meta: the db record is missing or damaged");
    if (rc) return store_mdb_err(err, rc, "reading meta");
    *version = get_u32be((const u8 *)v.mv_data + FMT_MAGIC_LEN);
    memcpy(dbid, (const u8 *)v.mv_data + FMT_MAGIC_LEN + 4, FMT_DBID_LEN);
    return 0;
}

/* mdb_reader_list's callback: a header line, then "pid thread txnid" per
 * owned slot (or "(no active readers)"). */
static int reader_line(const char *msg, void *arg)
{
    StoreReaders *r = arg;
    int pid;
    if (sscanf(msg, "%d", &pid) != 1 || pid <= 0) return 0;
    r->used++;
    if (pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH) r->stale++;
    return 0;
}

int store_readers(Store *st, StoreReaders *out, DdError *err)
{
    memset(out, 0, sizeof *out);
    MDB_envinfo info;
    int rc = mdb_env_info(st->env, &info);
    if (rc) return store_mdb_err(err, rc, "reading the reader table");
    out->max = info.me_maxreaders;
    rc = mdb_reader_list(st->env, reader_line, out);
    if (rc < 0) return dd_err(err, DD_EIO, -1, "could not read LMDB's reader table");
    /* the commit log's checkpoint keeps one of its own (two while the
     * next is made): not a snapshot anyone can finish */
    u32 own = __atomic_load_n(&st->wal.npins, __ATOMIC_SEQ_CST);
    out->used = out->used > own ? out->used - own : 0;
    return 0;
}

u32 store_new_table_id(Store *st) { return __atomic_fetch_add(&st->next_table_id, 1, __ATOMIC_SEQ_CST); }
u32 store_new_index_id(Store *st) { return __atomic_fetch_add(&st->next_index_id, 1, __ATOMIC_SEQ_CST); }

/* ---- map growth ---- */

int store_grow_map(Store *st, DdError *err)
{
    size_t want = st->map_size * 2;
    pthread_mutex_lock(&st->pin_mu);
    st->grow_waiting++;
    /* Statements that are running (or whose results are being read) pin
     * the map.  Wait for them, but not forever: one of them may be waiting
     * for this very commit (the same thread holding an open result), or
     * for a client that stopped reading. */
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += GROW_WAIT_SECONDS;
    while (st->pins > 0)
        if (pthread_cond_timedwait(&st->pin_cv, &st->pin_mu, &until) == ETIMEDOUT) break;
    if (st->pins > 0) {
        unsigned pins = (unsigned)st->pins;
        st->grow_waiting--;
        pthread_cond_broadcast(&st->pin_cv);
        pthread_mutex_unlock(&st->pin_mu);
        int code = dd_err(err, DD_ELOCKED, -1,
                          "could not grow the data file: %u statement%s still reading after %d s", pins,
                          pins == 1 ? " is" : "s are", GROW_WAIT_SECONDS);
        dd_err_hint(err, "Finish reading open results, then retry the transaction.");
        return code;
    }
    wal_quiesce(st);
    int rc = mdb_env_set_mapsize(st->env, want);
    wal_unquiesce(st);
    if (rc == 0) {
        MDB_envinfo info;
        mdb_env_info(st->env, &info);
        pthread_mutex_lock(&st->q_mu);
        st->map_size = info.me_mapsize;
        pthread_mutex_unlock(&st->q_mu);
    }
    st->grow_waiting--;
    pthread_cond_broadcast(&st->pin_cv);
    pthread_mutex_unlock(&st->pin_mu);
    return rc ? store_mdb_err(err, rc, "growing the map") : 0;
}

/* ---- snapshots ---- */

int store_reader_check(Store *st)
{
    int dead = 0;
    if (mdb_reader_check(st->env, &dead) != 0) return 0;
    return dead;
}

/* A released snap's transaction again: renewed (it keeps its reader
 * slot), or failing that begun anew; behind when it sees a later head. */
static void snap_renew(Snap *s)
{
    Store *st = s->st;
    int rc = mdb_txn_renew(s->txn);
    if (rc) {
        mdb_txn_abort(s->txn);
        s->txn = NULL;
        if ((rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &s->txn))) {
            s->txn = NULL;
            s->lost = true;
            return;
        }
    }
    s->released = false;
    if (__atomic_load_n(&st->purge_seq, __ATOMIC_SEQ_CST) > s->seq) {
        /* what it read before may be gone: it cannot go on */
        mdb_txn_reset(s->txn);
        s->released = true;
        s->lost = s->purged = true;
        return;
    }
    u64 head = s->seq;
    i64 t;
    DdError e;
    if (store_read_head(st, s->txn, &head, NULL, &t, &e)) head = UINT64_MAX;
    s->behind = head != s->seq;
}

void snap_pin(Snap *s)
{
    if (s->pinned) return;
    Store *st = s->st;
    pthread_mutex_lock(&st->pin_mu);
    if (st->grow_waiting) __atomic_add_fetch(&st->n_pin_waits, 1, __ATOMIC_RELAXED);
    while (st->grow_waiting) pthread_cond_wait(&st->pin_cv, &st->pin_mu);
    st->pins++;
    pthread_mutex_unlock(&st->pin_mu);
    s->pinned = true;
    if (s->released) snap_renew(s);
}

void snap_release(Snap *s)
{
    if (!s || s->pinned || s->released || s->lost || s->st->read_only) return;
    mdb_txn_reset(s->txn);
    s->released = true;
}

bool snap_behind(const Snap *s) { return s->behind; }

int snap_check(const Snap *s, DdError *err)
{
    if (!s->lost) return 0;
    if (s->purged)
        return dd_err(err, DD_ESERIALIZATION, -1,
                      "could not serialize access: DELETE HISTORY or ERASE committed after the transaction's snapshot");
    return dd_err(err, DD_EIO, -1, "could not read the data file again after the transaction was idle");
}

void snap_unpin(Snap *s)
{
    if (!s->pinned) return;
    Store *st = s->st;
    pthread_mutex_lock(&st->pin_mu);
    if (--st->pins == 0 && st->grow_waiting) pthread_cond_broadcast(&st->pin_cv);
    pthread_mutex_unlock(&st->pin_mu);
    s->pinned = false;
}

/*
 * Sets s->stable_until: the times up to which s answers AS OF for good.
 * With no batch in flight (or the one in flight already in s), that is the
 * clock, and the floor rises to it so that no later commit takes a time at
 * or before it; with a batch in flight that s may not hold, it is just
 * before that batch's first time; when a batch committed after s read the
 * head, s's head time.  A read-only open cannot see another
 * process's writer: the head's time is all it knows for sure.
 */
static void snap_horizon(Store *st, Snap *s)
{
    if (st->read_only) {
        s->stable_until = s->time;
        return;
    }
    pthread_mutex_lock(&st->q_mu);
    if (st->head_seq > s->seq) {
        /* a batch committed between s's read of the head and now: only
         * s's own head time is sure */
        s->stable_until = s->time;
    } else if (st->inflight) {
        s->stable_until = st->inflight_first - 1;
    } else {
        i64 now = clock_wall_us();
        if (now > st->time_floor) st->time_floor = now;
        s->stable_until = st->time_floor;
    }
    pthread_mutex_unlock(&st->q_mu);
}

int store_snap_begin(Store *st, Snap **out, DdError *err)
{
    *out = NULL;
    Snap *s = dd_calloc(1, sizeof *s);
    if (!s) return dd_err(err, DD_ENOMEM, -1, NULL);
    s->st = st;
    snap_pin(s);
    int rc;
    for (int tries = 0;; tries++) {
        rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &s->txn);
        if (rc == MDB_READERS_FULL && tries == 0 && store_reader_check(st) > 0) continue;
        if (rc == MDB_READERS_FULL) {
            unsigned max = 0;
            mdb_env_get_maxreaders(st->env, &max);
            rc = dd_err(err, DD_ETOO_MANY_CONN, -1,
                        "too many open snapshots: all %u reader slots of the data file are in use", max);
            dd_err_hint(err, "Finish idle transactions, or start the server with a larger --max-connections.");
            goto fail;
        }
        if (rc == MDB_MAP_RESIZED && tries < 10) {
            /* Another process grew the map (read-only opens only): adopt
             * the new size once no snap of ours is pinned. */
            snap_unpin(s);
            pthread_mutex_lock(&st->pin_mu);
            st->grow_waiting++;
            while (st->pins > 0) pthread_cond_wait(&st->pin_cv, &st->pin_mu);
            mdb_env_set_mapsize(st->env, 0);
            st->grow_waiting--;
            pthread_cond_broadcast(&st->pin_cv);
            pthread_mutex_unlock(&st->pin_mu);
            snap_pin(s);
            continue;
        }
        break;
    }
    if (rc) {
        rc = store_mdb_err(err, rc, "beginning a snapshot");
        goto fail;
    }
    if ((rc = store_read_head(st, s->txn, &s->seq, NULL, &s->time, err))) goto fail;
    snap_horizon(st, s);
    if (st->read_only && s->seq > __atomic_load_n(&st->cat_seq, __ATOMIC_ACQUIRE) &&
        (rc = cat_load(st, s->txn, s->seq, err)))
        goto fail;
    *out = s;
    return 0;
fail:
    if (s->txn) mdb_txn_abort(s->txn);
    snap_unpin(s);
    dd_free(s);
    return rc;
}

/* At most this many twins at once, store-wide: they take reader slots
 * from READERS_SPARE. */
#define MAX_TWINS 16

int store_snap_twin(Snap *s, Snap **out, DdError *err)
{
    *out = NULL;
    Store *st = s->st;
    if (s->released || s->lost || !s->txn || !s->pinned) return 0;
    if (__atomic_add_fetch(&st->twins, 1, __ATOMIC_RELAXED) > MAX_TWINS) {
        __atomic_sub_fetch(&st->twins, 1, __ATOMIC_RELAXED);
        return 0;
    }
    Snap *t = dd_calloc(1, sizeof *t);
    if (!t) {
        __atomic_sub_fetch(&st->twins, 1, __ATOMIC_RELAXED);
        return -dd_err(err, DD_ENOMEM, -1, NULL);
    }
    t->st = st;
    t->twin = true;
    /* pinned without waiting for a resize: s's own pin already holds one
     * off, and waiting here would wait for ourselves */
    pthread_mutex_lock(&st->pin_mu);
    st->pins++;
    pthread_mutex_unlock(&st->pin_mu);
    t->pinned = true;
    /* the same LMDB transaction id: the very same pages, so the same
     * answers; a commit in between makes another one, and no twin */
    if (mdb_txn_begin(st->env, NULL, MDB_RDONLY, &t->txn) || mdb_txn_id(t->txn) != mdb_txn_id(s->txn)) {
        store_snap_end(t);
        return 0;
    }
    t->seq = s->seq;
    t->time = s->time;
    t->stable_until = s->stable_until;
    t->behind = s->behind;
    *out = t;
    return 1;
}

void store_snap_end(Snap *s)
{
    if (!s) return;
    ssi_snap_end(s);
    if (s->txn) mdb_txn_abort(s->txn);
    snap_unpin(s);
    if (s->twin) __atomic_sub_fetch(&s->st->twins, 1, __ATOMIC_RELAXED);
    dd_free(s);
}

u64 snap_seq(const Snap *s) { return s->seq; }
i64 snap_head_time(const Snap *s) { return s->time; }

/* ---- cursors and point reads ---- */

static MDB_dbi db_of(Store *st, int db)
{
    switch (db) {
    case STORE_DB_CURRENT: return st->dbi[FMT_DB_CURRENT];
    case STORE_DB_VERSIONS: return st->dbi[FMT_DB_VERSIONS];
    case STORE_DB_INDEX: return st->dbi[FMT_DB_INDEX];
    default: return st->dbi[FMT_DB_CURRENT];
    }
}

int store_cursor_open(Snap *s, int db, StoreCursor **out, DdError *err)
{
    assert(s->pinned);
    *out = NULL;
    if (s->lost) return snap_check(s, err);
    StoreCursor *c = dd_calloc(1, sizeof *c);
    if (!c) return dd_err(err, DD_ENOMEM, -1, NULL);
    c->s = s;
    MDB_dbi dbi = db_of(s->st, db);
    int rc = mdb_cursor_open(s->txn, dbi, &c->c);
    if (rc) {
        dd_free(c);
        return store_mdb_err(err, rc, "opening a cursor");
    }
    /* runs read leaf pages in place in a plain database (no duplicates) */
    unsigned flags;
    c->leaves = s->st->psize && mdb_dbi_flags(s->txn, dbi, &flags) == 0 && flags == 0;
    *out = c;
    return 0;
}

void store_cursor_close(StoreCursor *c)
{
    if (!c) return;
    mdb_cursor_close(c->c);
    dd_free(c);
}

static int cursor_op(StoreCursor *c, MDB_cursor_op op)
{
    c->lpg = NULL;   /* moved elsewhere: no run's place holds */
    int rc = mdb_cursor_get(c->c, &c->k, &c->v, op);
    c->valid = rc == 0;
    return c->valid;
}

int store_cursor_seek(StoreCursor *c, const u8 *key, size_t n)
{
    if (n == 0) return cursor_op(c, MDB_FIRST);
    c->k.mv_data = (void *)key;
    c->k.mv_size = n;
    return cursor_op(c, MDB_SET_RANGE);
}

/* Next after a failed seek stays at the end; prev after a failed seek (the
 * key is past the last entry) goes to the last entry. */
int store_cursor_next(StoreCursor *c) { return c->valid ? cursor_op(c, MDB_NEXT) : 0; }
int store_cursor_prev(StoreCursor *c) { return cursor_op(c, c->valid ? MDB_PREV : MDB_LAST); }
int store_cursor_first(StoreCursor *c) { return cursor_op(c, MDB_FIRST); }
int store_cursor_last(StoreCursor *c) { return cursor_op(c, MDB_LAST); }

/*
 * A run reads the rest of the cursor's leaf page in place, as LMDB 0.9
 * lays it out (lmdbcheck.c): a read transaction's pages are in the map,
 * at multiples of the page size, and never change while it lives.  Page
 * header: u64 pgno, u16 pad, u16 flags (P_LEAF 0x02 alone: not a page of
 * fixed-size duplicates or a sub-page), u16 lower, u16 upper, then
 * (lower - 16) / 2 u16 node offsets in key order; a leaf node is u16 lo,
 * u16 hi (its data size lo | hi << 16), u16 flags (0: data in the node,
 * no duplicates), u16 key size, key, data.  Every offset and size is
 * checked against the page; a page or node that does not look so is left
 * to MDB_NEXT.  MDB_NEXT costs about 19 ns an entry (the cursor's stack
 * and checks); a node read here about 2, and the cursor is moved to the
 * last node taken with one MDB_SET_KEY per page.
 */
#define LEAF_HDR 16
#define LEAF_P_LEAF 0x02
#define LEAF_NODE_HDR 8

static u16 leaf_u16(const u8 *p)
{
    u16 v;
    memcpy(&v, p, 2);
    return v;
}

/* The index of the (first) node whose key is at key on the leaf page pg
 * of psize bytes (page number pgno in the map), and the page's node count;
 * -1 when pg is no plain leaf page holding a node there. */
static int leaf_index(const u8 *pg, u64 pgno, u32 psize, const u8 *key, int *nkeys)
{
    u64 own;
    memcpy(&own, pg, 8);
    u16 flags = leaf_u16(pg + 10), lower = leaf_u16(pg + 12), upper = leaf_u16(pg + 14);
    if (own != pgno || flags != LEAF_P_LEAF || lower < LEAF_HDR || lower > upper || upper > psize) return -1;
    int n = (lower - LEAF_HDR) / 2;
    if (key < pg + LEAF_NODE_HDR) return -1;
    size_t off = (size_t)(key - LEAF_NODE_HDR - pg);
    for (int i = 0; i < n; i++)
        if (leaf_u16(pg + LEAF_HDR + 2 * i) == off) {
            *nkeys = n;
            return i;
        }
    return -1;
}

/* Node i of leaf page pg into k, v: false when it is out of the page, or
 * its data is not in it (an overflow value) or is duplicates. */
static bool leaf_node(const u8 *pg, u32 psize, int i, MDB_val *k, MDB_val *v)
{
    u32 off = leaf_u16(pg + LEAF_HDR + 2 * i);
    if (off < leaf_u16(pg + 14) || off + LEAF_NODE_HDR > psize) return false;
    const u8 *nd = pg + off;
    u32 dsize = leaf_u16(nd) | (u32)leaf_u16(nd + 2) << 16;
    u16 flags = leaf_u16(nd + 4), ks = leaf_u16(nd + 6);
    if (flags != 0 || (u64)off + LEAF_NODE_HDR + ks + dsize > psize) return false;
    k->mv_data = (void *)(nd + LEAF_NODE_HDR);
    k->mv_size = ks;
    v->mv_data = (void *)(nd + LEAF_NODE_HDR + ks);
    v->mv_size = dsize;
    return true;
}

int store_cursor_run(StoreCursor *c, bool here, StoreEntry *e, int max)
{
    int n = 0;
    if (!c->valid) return 0;
    if (here && n < max) {
        e[n++] = (StoreEntry){c->k.mv_data, c->v.mv_data, (u32)c->k.mv_size, (u32)c->v.mv_size};
    }
    const u32 ps = c->s->st->psize;
    while (n < max) {
        /* the nodes after the cursor's, on its page */
        int nk = 0, i = -1;
        const u8 *pg = NULL;
        u64 pgno = 0;
        if (c->leaves) {
            pg = (const u8 *)((uintptr_t)c->k.mv_data & ~(uintptr_t)(ps - 1));
            if (!c->map) {
                /* the map's start, from this page's own number (LMDB does
                 * not say where it mapped the file): every later page's
                 * number must agree with its place */
                u64 own;
                memcpy(&own, pg, 8);
                if (own >= 2 && own <= (uintptr_t)pg / ps) c->map = pg - own * ps;
            }
            if (c->map && pg >= c->map) {
                pgno = (u64)(pg - c->map) / ps;
                if (pg == c->lpg && (const u8 *)c->k.mv_data == c->lkey) {
                    i = c->lidx;   /* where the last run left the cursor */
                    nk = c->lnk;
                } else if ((i = leaf_index(pg, pgno, ps, c->k.mv_data, &nk)) >= 0 && pg == c->lpg && i <= c->lidx) {
                    /* back before the node the cursor was moved to, on
                     * the same page: the page holds a node twice, or its
                     * keys out of order, and runs would go round it */
                    c->valid = false;
                    c->corrupt = true;
                    break;
                }
            }
        }
        if (i >= 0 && i + 1 < nk) {
            MDB_val k, v;
            int j = i + 1;
            for (; j < nk && n < max && leaf_node(pg, ps, j, &k, &v); j++) {
                e[n++] = (StoreEntry){k.mv_data, v.mv_data, (u32)k.mv_size, (u32)v.mv_size};
                __builtin_prefetch(v.mv_data);   /* as below */
            }
            if (j > i + 1) {
                c->inplace += (u64)(j - i - 1);
                /* the cursor to the last node taken: the very node (the
                 * database has no duplicates), else the page is damaged
                 * (its keys out of order, or one twice) */
                const u8 *at = k.mv_data;
                c->k = k;
                if (mdb_cursor_get(c->c, &c->k, &c->v, MDB_SET_KEY) != 0 || c->k.mv_data != at) {
                    c->valid = false;
                    c->corrupt = true;
                    break;
                }
                c->lpg = pg;
                c->lkey = at;
                c->lidx = j - 1;
                c->lnk = nk;
                continue;
            }
        }
        int rc = mdb_cursor_get(c->c, &c->k, &c->v, MDB_NEXT);
        if (rc) {
            /* the end, or a page LMDB could not follow (MDB_CORRUPTED,
             * MDB_PAGE_NOTFOUND): not an end the caller may take as one */
            c->valid = false;
            c->corrupt = rc != MDB_NOTFOUND;
            break;
        }
        e[n++] = (StoreEntry){c->k.mv_data, c->v.mv_data, (u32)c->k.mv_size, (u32)c->v.mv_size};
        __builtin_prefetch(c->v.mv_data);   /* read by the caller once the run is taken */
    }
    return n;
}

bool store_cursor_corrupt(const StoreCursor *c) { return c->corrupt; }

u64 store_cursor_inplace(const StoreCursor *c) { return c->inplace; }

void store_cursor_get(StoreCursor *c, const u8 **k, size_t *kn, const u8 **v, size_t *vn)
{
    if (k) *k = c->valid ? c->k.mv_data : NULL;
    if (kn) *kn = c->valid ? c->k.mv_size : 0;
    if (v) *v = c->valid ? c->v.mv_data : NULL;
    if (vn) *vn = c->valid ? c->v.mv_size : 0;
}

int store_get(Snap *s, int db, const u8 *key, size_t n, const u8 **v, size_t *vn)
{
    MDB_val k = {n, (void *)key}, d;
    if (n == 0 || n > FMT_LMDB_MAX_KEY || s->lost) return 0;
    int rc = mdb_get(s->txn, db_of(s->st, db), &k, &d);
    if (rc) return 0;
    *v = d.mv_data;
    *vn = d.mv_size;
    return 1;
}

i64 store_file_bytes(Store *st)
{
    char *path = path_join(st->dir, FMT_FILE_NAME);
    if (!path) return -1;
    struct stat sb;
    int rc = stat(path, &sb);
    dd_free(path);
    return rc == 0 ? (i64)sb.st_size : -1;
}
