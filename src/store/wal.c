/*
 * wal.c - the commit log (driftdb.wal): a commit is durable when its record
 * is flushed there, one fdatasync per group of commits, while LMDB applies
 * the same writes with MDB_NOSYNC and is flushed only at checkpoints.
 *
 * Why LMDB without its own flushes stays safe (format.h, docs/architecture.md):
 *   - a checkpoint flushes the LMDB file (mdb_env_sync), copies the meta
 *     page of that transaction L into the log's header, and keeps a read
 *     transaction open at L (the pin) until the next checkpoint.  LMDB never
 *     reuses a page freed after the oldest reader's transaction, so no page
 *     of L's tree is written over before the next checkpoint is durable;
 *   - after a crash the meta pages on disk may name a later transaction
 *     whose pages did not all reach the disk: recovery writes L's meta page
 *     back (store_open, wal_recover_meta), which makes the file exactly L
 *     again, then replays every record after the checkpoint (wal_replay).
 *
 * Every write to LMDB in a writable store goes through wal_put / wal_del /
 * wal_cursor_put / wal_cursor_del, which apply it and note it in the
 * record of the open write transaction; wal_commit writes that record,
 * flushes it, and only then commits the LMDB transaction (so a reader never
 * sees a commit that could still be lost).  A transaction whose record
 * would pass WAL_MAX_RECORD (a large COPY) is not logged: it commits and
 * then checkpoints, which writes its pages once instead of twice (and then
 * checkpoints a tiny one: wal_commit).
 *
 * Threads: the record and the append position belong to whoever holds
 * txn_mu, taken by wal_txn_begin with LMDB's write transaction and let go
 * by wal_commit / wal_txn_abort; a checkpoint's capture takes LMDB's write
 * lock by opening an empty write transaction; ck_mu / ck_busy give one
 * checkpoint at a time its pin and header slot.
 */
#include "store_int.h"
#include "../util/alloc.h"
#include "../util/clock.h"
#include "../util/crc32c.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

/* Records larger than this commit through a checkpoint instead. */
#define WAL_MAX_RECORD ((size_t)8 << 20)
/* The log grows by zero-filled chunks of this size, so that a commit's
 * flush rarely changes the file's size (a metadata flush on top). */
#define WAL_CHUNK ((u64)1 << 20)

static char *wal_path(const char *dir)
{
    size_t n = strlen(dir) + sizeof "/" FMT_WAL_NAME;
    char *p = dd_malloc(n);
    if (p) snprintf(p, n, "%s/%s", dir, FMT_WAL_NAME);
    return p;
}

/* ---- header ---- */

typedef struct WalHeader {
    u64 ckpt;                    /* checkpoint number (slot ckpt & 1) */
    u64 base_lsn;                /* the last record the checkpoint holds */
    u64 replay_off;              /* where the records after it start */
    u32 flags;                   /* FMT_WAL_CLEAN */
    u32 version;                 /* FMT_WAL_VERSION, or FMT_WAL_VERSION_1 read */
    u8 key[FMT_WAL_KEY_LEN];     /* the record key (format 2) */
    u8 dbid[FMT_DBID_LEN];
    u8 meta[FMT_WAL_META_LEN];   /* LMDB meta of the checkpoint */
} WalHeader;

/* LMDB's meta pages are in host byte order */
static u64 host_u64(const u8 *p)
{
    u64 v;
    memcpy(&v, p, 8);
    return v;
}

static u64 meta_txnid(const u8 *meta) { return host_u64(meta + FMT_WAL_META_TXNID); }

/* A record's CRC: of the record key (format 2), its header's first 16
 * bytes, then its payload. */
static u32 rec_crc(u32 version, const u8 *key, const u8 *h, const u8 *payload, size_t n)
{
    u32 c = version == FMT_WAL_VERSION ? crc32c(0, key, FMT_WAL_KEY_LEN) : 0;
    return crc32c(crc32c(c, h, 16), payload, n);
}

/* A record's flags: 1 void (its commit failed), 0 not, -1 damaged. */
static int rec_void(u32 version, const u8 *h)
{
    u32 f = get_u32be(h + 20);
    if (version != FMT_WAL_VERSION) return (f & FMT_WAL_REC_VOID) != 0;
    return f == FMT_WAL_REC_VOID2 ? 1 : f == 0 ? 0 : -1;
}

/* A new record key, for a log that starts over. */
static void new_record_key(u8 key[FMT_WAL_KEY_LEN])
{
    if (getrandom(key, FMT_WAL_KEY_LEN, 0) == FMT_WAL_KEY_LEN) return;
    /* no entropy source: still different from the last round */
    u64 x = (u64)clock_wall_us() ^ ((u64)getpid() << 32);
    for (int i = 0; i < FMT_WAL_KEY_LEN; i++) key[i] ^= (u8)(x >> (8 * i));
}

static void header_encode(const WalHeader *h, u8 out[FMT_WAL_HDR_LEN])
{
    memset(out, 0, FMT_WAL_HDR_LEN);
    memcpy(out, FMT_WAL_MAGIC, 8);
    put_u32be(out + 8, FMT_WAL_VERSION);
    memcpy(out + 12, h->dbid, FMT_DBID_LEN);
    put_u64be(out + 28, h->ckpt);
    put_u64be(out + 36, h->base_lsn);
    put_u64be(out + 44, h->replay_off);
    put_u32be(out + 52, h->flags);
    memcpy(out + 56, h->meta, FMT_WAL_META_LEN);
    memcpy(out + FMT_WAL_HDR_KEY, h->key, FMT_WAL_KEY_LEN);
    put_u32be(out + FMT_WAL_HDR_CRC, crc32c(0, out, FMT_WAL_HDR_CRC));
}

/* 0 valid, 1 not a valid header (never written, torn or damaged). */
static int header_decode(const u8 in[FMT_WAL_HDR_LEN], WalHeader *h)
{
    if (memcmp(in, FMT_WAL_MAGIC, 8) != 0) return 1;
    h->version = get_u32be(in + 8);
    /* format 1 (an older DriftDB's log, recovered after an upgrade): no key */
    size_t crc_at = h->version == FMT_WAL_VERSION ? FMT_WAL_HDR_CRC
                  : h->version == FMT_WAL_VERSION_1 ? FMT_WAL_HDR_CRC_V1 : 0;
    if (!crc_at || get_u32be(in + crc_at) != crc32c(0, in, crc_at)) return 1;
    memset(h->key, 0, FMT_WAL_KEY_LEN);
    if (h->version == FMT_WAL_VERSION) memcpy(h->key, in + FMT_WAL_HDR_KEY, FMT_WAL_KEY_LEN);
    memcpy(h->dbid, in + 12, FMT_DBID_LEN);
    h->ckpt = get_u64be(in + 28);
    h->base_lsn = get_u64be(in + 36);
    h->replay_off = get_u64be(in + 44);
    h->flags = get_u32be(in + 52);
    memcpy(h->meta, in + 56, FMT_WAL_META_LEN);
    if (h->replay_off < FMT_WAL_DATA_OFF) return 1;
    return 0;
}

/* The newer valid header slot of fd: 0 found, 1 none valid, -errno. */
static int header_read(int fd, WalHeader *h)
{
    WalHeader s[2];
    int ok[2];
    for (int i = 0; i < 2; i++) {
        u8 b[FMT_WAL_HDR_LEN];
        ssize_t n = pread(fd, b, sizeof b, (off_t)i * FMT_WAL_SLOT);
        if (n < 0) return -errno;
        ok[i] = n == (ssize_t)sizeof b && header_decode(b, &s[i]) == 0 && (s[i].ckpt & 1) == (u64)i;
    }
    if (!ok[0] && !ok[1]) return 1;
    *h = ok[0] && (!ok[1] || s[0].ckpt > s[1].ckpt) ? s[0] : s[1];
    return 0;
}

/* ---- LMDB's meta pages, read and written with pread/pwrite ---- */

/* Reads both meta pages' MDB_meta bytes and the page size. */
static int lmdb_metas(int fd, u8 m[2][FMT_WAL_META_LEN], u32 *psize)
{
    u8 pg[FMT_WAL_META_OFF + FMT_WAL_META_LEN];
    if (pread(fd, pg, sizeof pg, 0) != (ssize_t)sizeof pg) return -1;
    memcpy(m[0], pg + FMT_WAL_META_OFF, FMT_WAL_META_LEN);
    /* the free db's pad field holds the page size */
    u32 ps;
    memcpy(&ps, m[0] + FMT_WAL_META_PSIZE, 4);
    if (ps < 512 || ps > 65536 || (ps & (ps - 1))) return -1;
    if (pread(fd, pg, sizeof pg, ps) != (ssize_t)sizeof pg) return -1;
    memcpy(m[1], pg + FMT_WAL_META_OFF, FMT_WAL_META_LEN);
    *psize = ps;
    return 0;
}

/* Syncs directory dir (a file created, renamed or removed in it). */
static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    if (fsync(fd) != 0) { /* the file's own flush already happened */ }
    close(fd);
}

static void undo_path(const char *dir, char *out, size_t n) { snprintf(out, n, "%s/%s", dir, FMT_WAL_UNDO_NAME); }

/*
 * The meta pages recovery is about to write over go first to
 * driftdb.wal.undo (flushed, with the directory): until the recovered
 * database has shown it is the log's own (wal_replay's database id check,
 * then wal_undo_done), the next open puts them back before anything else,
 * so a log that is not this file's can never destroy it.
 */
static int undo_save(const char *dir, const u8 m[2][FMT_WAL_META_LEN], u32 ps)
{
    char path[4200];
    undo_path(dir, path, sizeof path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return errno;
    u8 b[8 + 2 * FMT_WAL_META_LEN + 4];
    memcpy(b, "DDUNDO\0\1", 8);
    memcpy(b + 8, m, 2 * FMT_WAL_META_LEN);
    put_u32be(b + 8 + 2 * FMT_WAL_META_LEN, ps);
    int rc = pwrite(fd, b, sizeof b, 0) == (ssize_t)sizeof b && fsync(fd) == 0 ? 0 : (errno ? errno : EIO);
    close(fd);
    if (!rc) sync_dir(dir);
    return rc;
}

/* Puts back the meta pages an unfinished recovery saved; 0 also when
 * there were none. */
int wal_undo_apply(const char *dir, DdError *err)
{
    char path[4200];
    undo_path(dir, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? 0 : dd_err(err, DD_EIO, -1, "could not open \"%s\": %s", path, strerror(errno));
    u8 b[8 + 2 * FMT_WAL_META_LEN + 4];
    ssize_t n = pread(fd, b, sizeof b, 0);
    close(fd);
    if (n != (ssize_t)sizeof b || memcmp(b, "DDUNDO\0\1", 8) != 0) {
        /* torn while it was written: the meta pages were not touched yet */
        unlink(path);
        sync_dir(dir);
        return 0;
    }
    u32 ps = get_u32be(b + 8 + 2 * FMT_WAL_META_LEN);
    char mpath[4200];
    snprintf(mpath, sizeof mpath, "%s/%s", dir, FMT_FILE_NAME);
    int mfd = open(mpath, O_RDWR | O_CLOEXEC);
    if (mfd < 0) return dd_err(err, DD_EIO, -1, "could not open \"%s\": %s", mpath, strerror(errno));
    int rc = 0;
    for (int i = 0; i < 2 && !rc; i++)
        if (pwrite(mfd, b + 8 + i * FMT_WAL_META_LEN, FMT_WAL_META_LEN, (off_t)i * ps + FMT_WAL_META_OFF) !=
            FMT_WAL_META_LEN)
            rc = dd_err(err, DD_EIO, -1, "could not write the meta pages of \"%s\": %s", mpath, strerror(errno));
    if (!rc && fdatasync(mfd) != 0)
        rc = dd_err(err, DD_EIO, -1, "could not flush \"%s\": %s", mpath, strerror(errno));
    close(mfd);
    if (!rc) {
        unlink(path);
        sync_dir(dir);
    }
    return rc;
}

void wal_undo_done(const char *dir)
{
    char path[4200];
    undo_path(dir, path, sizeof path);
    if (unlink(path) == 0) sync_dir(dir);
}

/* Whether another process has the LMDB environment open: each holds a
 * shared lock on the first byte of its lock file (LMDB's own rule for
 * telling the first opener), which a write lock then cannot get. */
static bool env_open_elsewhere(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s-lock", dir, FMT_FILE_NAME);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) return false;
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = 0;
    fl.l_len = 1;
    bool busy = fcntl(fd, F_SETLK, &fl) != 0 && (errno == EAGAIN || errno == EACCES);
    close(fd);   /* releases it */
    return busy;
}

/* Whether meta (a checkpoint's) fits the file: LMDB's magic and version,
 * its page size, its last page inside the file, and a root of its main
 * database that is a branch or leaf page naming itself. */
static bool meta_fits(int fd, const u8 *meta, u32 ps, off_t fsize)
{
    u32 magic, version, mps;
    memcpy(&magic, meta, 4);
    memcpy(&version, meta + 4, 4);
    memcpy(&mps, meta + FMT_WAL_META_PSIZE, 4);
    if (magic != 0xBEEFC0DEu || version != 1 || mps != ps) return false;
    u64 last = host_u64(meta + FMT_WAL_META_LASTPG);
    if (last < 2 || (last + 1) > (u64)fsize / ps) return false;
    u64 roots[2] = {host_u64(meta + FMT_WAL_META_FREEROOT), host_u64(meta + FMT_WAL_META_MAINROOT)};
    for (int i = 0; i < 2; i++) {
        if (roots[i] == UINT64_MAX) continue;   /* an empty database */
        if (roots[i] < 2 || roots[i] > last) return false;
        u8 h[16];
        if (pread(fd, h, sizeof h, (off_t)(roots[i] * ps)) != (ssize_t)sizeof h) return false;
        u16 flags;
        memcpy(&flags, h + 10, 2);
        if (host_u64(h) != roots[i] || !(flags & 3)) return false;
    }
    return true;
}

/*
 * Before LMDB opens the file: when the log's checkpoint is transaction L
 * and a meta page names a later one (LMDB wrote it after L, and the crash
 * may have kept some of that transaction's pages and lost others), puts
 * L's meta page back in its slot and L's, relabelled L - 1, in the other;
 * L's tree was kept whole by the checkpoint's pin.  *fixed says whether it
 * wrote (dry: whether it would).  A meta page older than L, or L's meta not
 * fitting the file, means the file is not the log's: XX001, nothing written.
 */
static int wal_recover_meta(const char *dir, const WalHeader *h, bool dry, bool *fixed, DdError *err)
{
    *fixed = false;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, FMT_FILE_NAME);
    int fd = open(path, (dry ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd < 0) return dd_err(err, DD_EIO, -1, "could not open \"%s\": %s", path, strerror(errno));
    u8 m[2][FMT_WAL_META_LEN];
    u32 ps;
    int rc = 0;
    if (lmdb_metas(fd, m, &ps)) {
        rc = dd_corrupt(err, "\"%s\": LMDB's meta pages cannot be read", path);
        goto done;
    }
    u64 l = meta_txnid(h->meta), t0 = meta_txnid(m[0]), t1 = meta_txnid(m[1]);
    u64 hi = DD_MAX(t0, t1);
    int slot = (int)(l & 1);
    if (hi < l) {
        rc = dd_corrupt(err, "\"%s\" is older than its commit log %s (transaction %llu, the log's checkpoint %llu)",
                        path, FMT_WAL_NAME, (unsigned long long)hi, (unsigned long long)l);
        goto done;
    }
    if (hi == l && memcmp(m[slot], h->meta, FMT_WAL_META_LEN) == 0) goto done;
    off_t fsize = lseek(fd, 0, SEEK_END);
    if (!meta_fits(fd, h->meta, ps, fsize)) {
        rc = dd_corrupt(err, "the commit log %s does not belong to \"%s\": its checkpoint does not fit the file",
                        FMT_WAL_NAME, path);
        goto done;
    }
    if (dry) {
        *fixed = true;
        goto done;
    }
    if (env_open_elsewhere(dir)) {
        rc = dd_err(err, DD_ELOCKED, -1,
                    "data directory \"%s\" needs recovery after a crash, and another process has it open", dir);
        dd_err_hint(err, "Stop the other programs reading it (driftdb sql, verify, backup), then start again.");
        goto done;
    }
    int e = undo_save(dir, m, ps);
    if (e) {
        rc = dd_err(err, e == ENOSPC || e == EDQUOT ? DD_EDISK_FULL : DD_EIO, -1, "could not write \"%s/%s\": %s",
                    dir, FMT_WAL_UNDO_NAME, strerror(e));
        /* the directory is as it was: recovery writes nothing before this */
        if (e == ENOSPC || e == EDQUOT)
            dd_err_hint(err, "The directory needs recovery after a crash or a failed write, which needs a few "
                             "kilobytes of free space on its disk: free some, then open it again.");
        goto done;
    }
    u8 other[FMT_WAL_META_LEN];
    memcpy(other, h->meta, FMT_WAL_META_LEN);
    u64 prev = l ? l - 1 : 0;
    memcpy(other + FMT_WAL_META_TXNID, &prev, 8);
    if (pwrite(fd, h->meta, FMT_WAL_META_LEN, (off_t)slot * ps + FMT_WAL_META_OFF) != FMT_WAL_META_LEN ||
        pwrite(fd, other, FMT_WAL_META_LEN, (off_t)(slot ^ 1) * ps + FMT_WAL_META_OFF) != FMT_WAL_META_LEN ||
        fdatasync(fd) != 0) {
        rc = dd_err(err, DD_EIO, -1, "could not write the meta pages of \"%s\": %s", path, strerror(errno));
        goto done;
    }
    *fixed = true;
done:
    close(fd);
    return rc;
}

/* ---- the record of the open write transaction ---- */

static void wal_txn_reset(Store *st)
{
    buf_reset(&st->wal.rec);
    st->wal.over = false;
    if (st->wal.fd >= 0) buf_append(&st->wal.rec, (u8[FMT_WAL_REC_HDR]){0}, FMT_WAL_REC_HDR);
}

int wal_txn_begin(Store *st, MDB_txn **txn)
{
    pthread_mutex_lock(&st->wal.txn_mu);
    int rc = mdb_txn_begin(st->env, NULL, 0, txn);
    if (rc) pthread_mutex_unlock(&st->wal.txn_mu);
    else wal_txn_reset(st);
    return rc;
}

void wal_txn_abort(Store *st, MDB_txn *txn)
{
    mdb_txn_abort(txn);
    pthread_mutex_unlock(&st->wal.txn_mu);
}

/* Notes op (FMT_WAL_PUT / FMT_WAL_DEL) of key k (value v) in db. */
static void note(Store *st, int op, int db, const MDB_val *k, const MDB_val *v)
{
    Wal *w = &st->wal;
    if (w->fd < 0 || w->over) return;
    size_t vn = v ? v->mv_size : 0;
    if (w->rec.len + 10 + k->mv_size + vn > WAL_MAX_RECORD) {
        w->over = true;   /* committed through a checkpoint instead */
        buf_reset(&w->rec);
        return;
    }
    u8 h[10];
    h[0] = (u8)op;
    h[1] = (u8)db;
    put_u32be(h + 2, (u32)k->mv_size);
    put_u32be(h + 6, (u32)vn);
    buf_append(&w->rec, h, sizeof h);
    buf_append(&w->rec, k->mv_data, k->mv_size);
    if (vn) buf_append(&w->rec, v->mv_data, vn);
    if (!buf_ok(&w->rec)) {
        w->over = true;   /* no memory for the record: the same way */
        buf_reset(&w->rec);
    }
}

int wal_put(Store *st, MDB_txn *txn, int db, MDB_val *k, MDB_val *v, unsigned flags)
{
    int rc = mdb_put(txn, st->dbi[db], k, v, flags);
    if (!rc && !(flags & MDB_RESERVE)) note(st, FMT_WAL_PUT, db, k, v);
    return rc;
}

int wal_del(Store *st, MDB_txn *txn, int db, MDB_val *k)
{
    int rc = mdb_del(txn, st->dbi[db], k, NULL);
    if (!rc) note(st, FMT_WAL_DEL, db, k, NULL);
    return rc;
}

int wal_cursor_put(Store *st, MDB_cursor *c, int db, MDB_val *k, MDB_val *v, unsigned flags)
{
    int rc = mdb_cursor_put(c, k, v, flags);
    if (!rc && !(flags & MDB_RESERVE)) note(st, FMT_WAL_PUT, db, k, v);
    return rc;
}

void wal_note_put(Store *st, int db, const MDB_val *k, const MDB_val *v)
{
    note(st, FMT_WAL_PUT, db, k, v);
}

int wal_cursor_del(Store *st, MDB_cursor *c, int db)
{
    MDB_val k, v;
    int rc = mdb_cursor_get(c, &k, &v, MDB_GET_CURRENT);
    if (rc) return rc;
    /* the key lives in the page the delete changes: copy it first */
    Wal *w = &st->wal;
    size_t at = w->rec.len;
    note(st, FMT_WAL_DEL, db, &k, NULL);
    rc = mdb_cursor_del(c, 0);
    if (rc && w->fd >= 0 && !w->over) w->rec.len = at;
    return rc;
}

/* ---- checkpoints ---- */

static int wal_write_all(int fd, const void *p, size_t n, u64 off)
{
    const u8 *b = p;
    while (n) {
        ssize_t k = pwrite(fd, b, n, (off_t)off);
        if (k < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        if (k == 0) return EIO;
        b += k;
        n -= (size_t)k;
        off += (u64)k;
    }
    return 0;
}

/*
 * Makes everything committed durable in the LMDB file and starts the log
 * afresh after it.  Holds LMDB's write lock throughout (an empty write
 * transaction), so no commit runs meanwhile.  0 or an errno / LMDB code;
 * any failure leaves the previous checkpoint (and its pin) in force.
 */
/*
 * A checkpoint in two halves.  capture, under LMDB's write lock (no commit
 * runs): the newest transaction L, the log position after its record, L's
 * meta page (read now, before later commits overwrite its slot) and a new
 * pin at L.  finish, without the lock: flush the LMDB file (every page of
 * L's tree is written by then), write the header naming L and flush it;
 * only then does the previous pin go.  The writer runs finish on the
 * checkpoint thread (commits go on meanwhile, their records after L's);
 * wal_checkpoint runs both under the lock and starts the log over.
 */
typedef WalCapture Capture;

/* A pin's read transaction, counted (store_readers leaves them out). */
static int pin_begin(Store *st, MDB_txn **pin)
{
    int rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, pin);
    if (rc == MDB_READERS_FULL && store_reader_check(st) > 0) rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, pin);
    if (!rc) __atomic_add_fetch(&st->wal.npins, 1, __ATOMIC_SEQ_CST);
    return rc;
}

static void pin_end(Store *st, MDB_txn *pin)
{
    if (!pin) return;
    mdb_txn_abort(pin);
    __atomic_sub_fetch(&st->wal.npins, 1, __ATOMIC_SEQ_CST);
}

static int capture(Store *st, MDB_txn *lock, bool pin, Capture *c)
{
    Wal *w = &st->wal;
    c->l = (u64)mdb_txn_id(lock) - 1;
    c->lsn = w->lsn;
    c->off = w->off;
    memcpy(c->key, w->key, FMT_WAL_KEY_LEN);
    c->pin = NULL;
    u8 m[2][FMT_WAL_META_LEN];
    u32 ps;
    if (lmdb_metas(w->mdb_fd, m, &ps)) return EIO;
    memcpy(c->meta, m[c->l & 1], FMT_WAL_META_LEN);
    if (meta_txnid(c->meta) != c->l) return EIO;
    if (pin) {
        int rc = pin_begin(st, &c->pin);
        if (rc) return rc;
        if ((u64)mdb_txn_id(c->pin) != c->l) {
            pin_end(st, c->pin);
            c->pin = NULL;
            return EIO;
        }
    }
    /* what churned() measures from (a capture that failed leaves them) */
    MDB_envinfo info;
    if (!mdb_env_info(st->env, &info)) __atomic_store_n(&w->ck_pgno, (u64)info.me_last_pgno, __ATOMIC_RELAXED);
    __atomic_store_n(&w->since_bytes, 0, __ATOMIC_RELAXED);
    return 0;
}

/* replay_off: where the records after L start (the caller's choice). */
static int finish(Store *st, Capture *c, u64 replay_off, u32 flags)
{
    Wal *w = &st->wal;
    int rc = mdb_env_sync(st->env, 1);
    __atomic_add_fetch(&w->n_flush, 1, __ATOMIC_RELAXED);
    if (!rc) {
        WalHeader h;
        memset(&h, 0, sizeof h);
        memcpy(h.meta, c->meta, FMT_WAL_META_LEN);
        memcpy(h.dbid, st->dbid, FMT_DBID_LEN);
        h.ckpt = w->ckpt + 1;
        h.base_lsn = c->lsn;
        h.replay_off = replay_off;
        h.flags = flags;
        memcpy(h.key, c->key, FMT_WAL_KEY_LEN);
        u8 b[FMT_WAL_HDR_LEN];
        header_encode(&h, b);
        rc = wal_write_all(w->fd, b, sizeof b, (h.ckpt & 1) * FMT_WAL_SLOT);
        if (!rc && fdatasync(w->fd) != 0) rc = errno;
        __atomic_add_fetch(&w->n_flush, 1, __ATOMIC_RELAXED);
    }
    if (rc) {
        pin_end(st, c->pin);
        c->pin = NULL;
        return rc;
    }
    pin_end(st, w->pin);
    w->pin = c->pin;
    c->pin = NULL;
    w->ckpt++;
    __atomic_add_fetch(&w->n_ckpt, 1, __ATOMIC_RELAXED);
    return 0;
}

/* Waits until no checkpoint runs, then owns the checkpoint state. */
static void ck_acquire(Wal *w)
{
    pthread_mutex_lock(&w->ck_mu);
    while (w->ck_busy) pthread_cond_wait(&w->ck_cv, &w->ck_mu);
    w->ck_busy = true;
    pthread_mutex_unlock(&w->ck_mu);
}

static void ck_release(Wal *w, int rc)
{
    pthread_mutex_lock(&w->ck_mu);
    w->ck_busy = false;
    if (rc && !w->ck_err) w->ck_err = rc;
    pthread_cond_broadcast(&w->ck_cv);
    pthread_mutex_unlock(&w->ck_mu);
}

/* ck_acquire, unless a flush of the data file failed before: the kernel
 * may have dropped pages it could not write, and a later flush would not
 * say so, so no checkpoint can be trusted from there on (its error, the
 * state released). */
static int ck_begin(Wal *w)
{
    ck_acquire(w);
    int e = w->ck_err;
    if (e) ck_release(w, 0);
    return e;
}

static int checkpoint_flags(Store *st, u32 flags)
{
    Wal *w = &st->wal;
    if (w->fd < 0) return 0;
    int e = ck_begin(w);
    if (e) return e;
    MDB_txn *lock;
    int rc = mdb_txn_begin(st->env, NULL, 0, &lock);
    if (!rc) {
        Capture c;
        rc = capture(st, lock, !(flags & FMT_WAL_CLEAN), &c);
        /* everything logged is in L: the log starts over, under a new
         * record key (the records of the last round never pass for new) */
        if (!rc) new_record_key(c.key);
        if (!rc) rc = finish(st, &c, FMT_WAL_DATA_OFF, flags);
        if (!rc) {
            memcpy(w->key, c.key, FMT_WAL_KEY_LEN);
            w->off = FMT_WAL_DATA_OFF;
            __atomic_store_n(&w->since, 0, __ATOMIC_RELAXED);   /* the writer reads it (commit.c) */
        }
        mdb_txn_abort(lock);
    }
    ck_release(w, 0);
    return rc;
}

static int wal_checkpoint(Store *st) { return checkpoint_flags(st, 0); }

static int commit_locked(Store *st, MDB_txn *txn);

int store_flush(Store *st, DdError *err)
{
    if (st->read_only || st->wal.fd < 0) return 0;   /* nothing of its own to flush */
    int rc = wal_checkpoint(st);
    return rc ? store_mdb_err(err, rc, "checkpointing") : 0;
}

/* A write transaction of its own: meta's head put again, unchanged, and
 * logged.  Under txn_mu (taken and let go here).  An LMDB code. */
static int touch_head(Store *st)
{
    MDB_txn *txn;
    int rc = wal_txn_begin(st, &txn);
    if (rc) return rc;
    MDB_val k = {4, "head"}, v;
    u8 head[FMT_META_HEAD_LEN];
    rc = mdb_get(txn, st->dbi[FMT_DB_META], &k, &v);
    if (!rc && v.mv_size != sizeof head) rc = MDB_CORRUPTED;
    if (!rc) {
        memcpy(head, v.mv_data, sizeof head);
        MDB_val nv = {sizeof head, head};
        rc = wal_put(st, txn, FMT_DB_META, &k, &nv, 0);
    }
    if (rc) {
        wal_txn_abort(st, txn);
        return rc;
    }
    /* not wal_commit: no release of its own after this one */
    rc = commit_locked(st, txn);
    pthread_mutex_unlock(&st->wal.txn_mu);
    return rc;
}

/*
 * A checkpoint as the checkpoint thread makes them (capture under LMDB's
 * write lock, the flush without it, so commits go on meanwhile; the log
 * is not started over), made here and waited for.  0, or an errno / LMDB
 * code; a flush that failed is kept in ck_err (no later checkpoint may be
 * trusted), every reader slot taken leaves the last checkpoint in force.
 */
static int checkpoint_here(Store *st)
{
    Wal *w = &st->wal;
    int e = ck_begin(w);
    if (e) return e;
    MDB_txn *lock;
    Capture c;
    int rc = mdb_txn_begin(st->env, NULL, 0, &lock);
    if (!rc) {
        rc = capture(st, lock, true, &c);
        if (!rc) __atomic_store_n(&w->since, 0, __ATOMIC_RELAXED);
        mdb_txn_abort(lock);
        if (!rc) {
            rc = finish(st, &c, c.off, 0);
            ck_release(w, rc);
            return rc;
        }
    }
    ck_release(w, 0);
    return rc;
}

int wal_release_freed(Store *st)
{
    if (st->wal.fd < 0) return 0;
    int rc = touch_head(st);
    if (!rc) rc = checkpoint_here(st);
    return rc;
}

static void *ck_main(void *arg)
{
    Store *st = arg;
    Wal *w = &st->wal;
    pthread_mutex_lock(&w->ck_mu);
    for (;;) {
        while (!w->ck_todo && !w->ck_stop) pthread_cond_wait(&w->ck_cv, &w->ck_mu);
        if (!w->ck_todo) break;
        Capture c = w->ck_cap;
        pthread_mutex_unlock(&w->ck_mu);
        int rc = finish(st, &c, c.off, 0);
        pthread_mutex_lock(&w->ck_mu);
        w->ck_todo = false;
        w->ck_busy = false;
        if (rc && !w->ck_err) w->ck_err = rc;
        pthread_cond_broadcast(&w->ck_cv);
    }
    pthread_mutex_unlock(&w->ck_mu);
    return NULL;
}

void wal_quiesce(Store *st)
{
    pthread_mutex_lock(&st->wal.txn_mu);
    if (st->wal.ck_init) ck_acquire(&st->wal);
}

void wal_unquiesce(Store *st)
{
    if (st->wal.ck_init) ck_release(&st->wal, 0);
    pthread_mutex_unlock(&st->wal.txn_mu);
}

/*
 * Whether to checkpoint for space: the data file grew by a sixteenth (and
 * WAL_RELEASE_PAGES) since the last checkpoint, or the records since then
 * pass a sixty-fourth of it (and WAL_RELEASE_BYTES).  The pages the
 * commits since the checkpoint freed stay unusable until the next one, so
 * each of them takes new ones: an UPDATE of a table's every row wants a
 * copy of the table, a second one another.  Checkpointing this often keeps
 * about one such copy free in the file (tests/unit/test_verify.c
 * space_reused_between_updates), where WAL_CKPT_COMMITS and WAL_WRAP_BYTES
 * alone let it grow by many.  A file that grows because it holds more
 * checkpoints once per sixteenth.
 */
static bool churned(Store *st)
{
    MDB_envinfo info;
    if (mdb_env_info(st->env, &info)) return false;
    u64 at = __atomic_load_n(&st->wal.ck_pgno, __ATOMIC_RELAXED), now = info.me_last_pgno;
    if (now > at && now - at >= DD_MAX(WAL_RELEASE_PAGES, at / 16)) return true;
    u64 b = __atomic_load_n(&st->wal.since_bytes, __ATOMIC_RELAXED);
    return b >= WAL_RELEASE_BYTES && b / 4096 >= now / 64;   /* pages of 4 KiB, as LMDB writes here */
}

int wal_maybe_checkpoint(Store *st, bool idle)
{
    Wal *w = &st->wal;
    if (w->fd < 0 || !__atomic_load_n(&w->since, __ATOMIC_RELAXED)) return 0;
    pthread_mutex_lock(&w->ck_mu);
    int err = w->ck_err;
    bool busy = w->ck_busy;
    pthread_mutex_unlock(&w->ck_mu);
    if (err) return err;
    bool wrap = w->off >= WAL_WRAP_BYTES, churn = !busy && churned(st);
    if (!wrap && !churn && (busy || !(idle || __atomic_load_n(&w->since, __ATOMIC_RELAXED) >= WAL_CKPT_COMMITS)))
        return 0;
    /* the pin goes at the newest commit, whose freed pages LMDB then keeps
     * until the next checkpoint: after a large one, a small commit first
     * puts the pin past it, so that the next writes can reuse them (a
     * whole-table UPDATE after another would otherwise grow the file by
     * as much).  A failure is the next commit's to report. */
    if (churn || __atomic_load_n(&w->last_len, __ATOMIC_RELAXED) >= WAL_RELEASE_BYTES) (void)touch_head(st);
    /* far into the file: start over (waits for a checkpoint in flight) */
    if (wrap) return wal_checkpoint(st);
    ck_acquire(w);
    if (!__atomic_load_n(&w->since, __ATOMIC_RELAXED)) {
        ck_release(w, 0);   /* another thread's checkpoint came first */
        return 0;
    }
    MDB_txn *lock;
    int rc = mdb_txn_begin(st->env, NULL, 0, &lock);
    if (!rc) {
        rc = capture(st, lock, true, &w->ck_cap);
        if (!rc) __atomic_store_n(&w->since, 0, __ATOMIC_RELAXED);
        mdb_txn_abort(lock);
    }
    if (rc) {
        ck_release(w, 0);
        /* every reader slot taken by snapshots: the last checkpoint stays
         * in force, the next batch tries again */
        return rc == MDB_READERS_FULL ? 0 : rc;
    }
    pthread_mutex_lock(&w->ck_mu);
    w->ck_todo = true;   /* ck_main finishes it and clears ck_busy */
    pthread_cond_broadcast(&w->ck_cv);
    pthread_mutex_unlock(&w->ck_mu);
    return 0;
}

/* ---- commit ---- */


int wal_commit(Store *st, MDB_txn *txn)
{
    bool over = st->wal.fd >= 0 && st->wal.over;
    int rc = commit_locked(st, txn);
    pthread_mutex_unlock(&st->wal.txn_mu);
    /* committed through a checkpoint, whose pin is at it: the pages it
     * freed (often most of the file's churn) stay unusable until the pin
     * moves past it.  Moving it now lets the next write reuse them, where
     * it would otherwise have to grow the file by as much; a failure is
     * the next commit's to report (as in wal_release_freed's other
     * callers) */
    if (!rc && over) (void)wal_release_freed(st);
    return rc;
}

static int commit_locked(Store *st, MDB_txn *txn)
{
    Wal *w = &st->wal;
    if (w->fd < 0) return mdb_txn_commit(txn);
    if (w->failed) {
        mdb_txn_abort(txn);
        return EIO;
    }
    if (w->over) {
        /* too large to log (or no memory for the record): its pages are
         * written once, by the checkpoint.  No other write transaction
         * runs until it ends (txn_mu): a record after this unlogged one
         * would not replay on a state without it. */
        int rc = mdb_txn_commit(txn);
        if (rc) return rc;
        if ((rc = wal_checkpoint(st))) {
            /* committed in LMDB but not durable, and reported as failed:
             * no clean close may make it durable now; a recovery goes back
             * to the last checkpoint, without it */
            w->failed = true;
        }
        return rc;
    }
    size_t n = w->rec.len;
    if (n == FMT_WAL_REC_HDR) return mdb_txn_commit(txn);   /* wrote nothing */
    u8 *h = w->rec.data;
    put_u32be(h, FMT_WAL_REC_MAGIC);
    put_u32be(h + 4, (u32)(n - FMT_WAL_REC_HDR));
    put_u64be(h + 8, w->lsn + 1);
    put_u32be(h + 20, 0);
    put_u32be(h + 16, rec_crc(FMT_WAL_VERSION, w->key, h, h + FMT_WAL_REC_HDR, n - FMT_WAL_REC_HDR));
    int rc = 0;
    if (w->off + n > w->size) {
        /* grow by zeroed chunks; the commit's flush covers them */
        static const u8 zero[65536];
        u64 upto = (w->off + n + WAL_CHUNK - 1) / WAL_CHUNK * WAL_CHUNK;
        for (u64 o = w->size; o < upto && !rc; o += sizeof zero)
            rc = wal_write_all(w->fd, zero, (size_t)DD_MIN((u64)sizeof zero, upto - o), o);
        if (!rc) w->size = upto;
    }
    bool written = false;
    if (!rc) rc = wal_write_all(w->fd, h, n, w->off);
    if (!rc) {
        written = true;
        if (fdatasync(w->fd) != 0) rc = errno;
        __atomic_add_fetch(&w->n_flush, 1, __ATOMIC_RELAXED);
    }
    if (rc) {
        mdb_txn_abort(txn);
        if (written) {
            /* the record may reach the disk all the same: void it (best
             * effort: the flush just failed), and commit no more (the
             * file's state is not known; no clean close either) */
            u8 f[4];
            put_u32be(f, FMT_WAL_REC_VOID2);
            if (wal_write_all(w->fd, f, sizeof f, w->off + 20) == 0 && fdatasync(w->fd) != 0) {
                /* reported by the commit's own failure */
            }
            w->failed = true;
        }
        return rc;
    }
    /* before the commit, which lets the next write transaction begin */
    u64 at = w->off;
    w->off += n;
    w->lsn++;
    __atomic_add_fetch(&w->since, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&w->last_len, (u64)n, __ATOMIC_RELAXED);
    __atomic_add_fetch(&w->since_bytes, (u64)n, __ATOMIC_RELAXED);
    rc = mdb_txn_commit(txn);
    if (rc) {
        /* the record must not come back at recovery: mark it void (its
         * place in the chain stays, so a later record may already follow
         * it).  Past a full map the caller grows it and commits again;
         * after any other failure LMDB's state is unknown: no more commits. */
        u8 f[4];
        put_u32be(f, FMT_WAL_REC_VOID2);
        if (wal_write_all(w->fd, f, sizeof f, at + 20) || fdatasync(w->fd)) w->failed = true;
        if (rc != MDB_MAP_FULL) w->failed = true;
        return rc;
    }
    return 0;
}

/* ---- open, recovery, close ---- */

int wal_open(Store *st, DdError *err)
{
    Wal *w = &st->wal;
    char *path = wal_path(st->dir);
    if (!path) return dd_err(err, DD_ENOMEM, -1, NULL);
    bool existed = access(path, F_OK) == 0;
    w->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    int e = errno;
    dd_free(path);
    if (w->fd < 0) return dd_err(err, DD_EIO, -1, "could not open the commit log %s: %s", FMT_WAL_NAME, strerror(e));
    if (!existed) sync_dir(st->dir);   /* the log's name survives a power loss */
    char mpath[4096];
    snprintf(mpath, sizeof mpath, "%s/%s", st->dir, FMT_FILE_NAME);
    w->mdb_fd = open(mpath, O_RDONLY | O_CLOEXEC);
    if (w->mdb_fd < 0) {
        e = errno;
        close(w->fd);
        w->fd = -1;
        return dd_err(err, DD_EIO, -1, "could not open \"%s\": %s", mpath, strerror(e));
    }
    off_t size = lseek(w->fd, 0, SEEK_END);
    w->size = size > 0 ? (u64)size : 0;
    WalHeader h;
    int rc = header_read(w->fd, &h);
    if (rc < 0) {
        close(w->fd);
        close(w->mdb_fd);
        w->fd = w->mdb_fd = -1;
        return dd_err(err, DD_EIO, -1, "could not read the commit log: %s", strerror(-rc));
    }
    if (rc == 0) {
        w->ckpt = h.ckpt;
        if (h.base_lsn > w->lsn) w->lsn = h.base_lsn;   /* wal_replay may have gone further */
    }
    /* records start at FMT_WAL_DATA_OFF; the file grows from there */
    if (w->size < FMT_WAL_DATA_OFF) w->size = FMT_WAL_DATA_OFF;
    pthread_mutex_init(&w->ck_mu, NULL);
    pthread_cond_init(&w->ck_cv, NULL);
    w->ck_init = true;
    /* the first checkpoint: the file as it is now, durable, pinned */
    int m = wal_checkpoint(st);
    if (!m && pthread_create(&w->ck_thread, NULL, ck_main, st) != 0) m = EAGAIN;
    if (m) {
        wal_close(st);
        return store_mdb_err(err, m, "starting the commit log");
    }
    w->ck_started = true;
    mdb_env_set_flags(st->env, MDB_NOSYNC, 1);
    return 0;
}

void wal_close(Store *st)
{
    Wal *w = &st->wal;
    if (w->ck_started) {
        pthread_mutex_lock(&w->ck_mu);
        w->ck_stop = true;
        pthread_cond_broadcast(&w->ck_cv);
        pthread_mutex_unlock(&w->ck_mu);
        pthread_join(w->ck_thread, NULL);   /* it finishes a checkpoint in flight first */
        w->ck_started = false;
    }
    if (w->fd >= 0) {
        /* a clean close leaves nothing to replay, and says so: a later
         * change to driftdb.mdb by other means is then not undone.  Not
         * after a failure: the next open recovers from the last checkpoint */
        if (!w->failed && !w->ck_err) checkpoint_flags(st, FMT_WAL_CLEAN);
        close(w->fd);
    }
    if (w->mdb_fd >= 0) close(w->mdb_fd);
    pin_end(st, w->pin);
    w->pin = NULL;
    w->fd = w->mdb_fd = -1;
    buf_free(&w->rec);
    if (w->ck_init) {
        pthread_mutex_destroy(&w->ck_mu);
        pthread_cond_destroy(&w->ck_cv);
        w->ck_init = false;
    }
}

int wal_recover_pre(const char *dir, bool dry, bool *replay, DdError *err)
{
    *replay = false;
    char upath[4200];
    undo_path(dir, upath, sizeof upath);
    if (dry && access(upath, F_OK) == 0) {
        *replay = true;   /* a recovery that did not finish */
        return 0;
    }
    if (!dry) {
        int r = wal_undo_apply(dir, err);
        if (r) return r;
    }
    char *path = wal_path(dir);
    if (!path) return dd_err(err, DD_ENOMEM, -1, NULL);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int e = errno;
    dd_free(path);
    if (fd < 0) {
        if (e == ENOENT) return 0;
        return dd_err(err, DD_EIO, -1, "could not open the commit log %s: %s", FMT_WAL_NAME, strerror(e));
    }
    WalHeader h;
    int rc = header_read(fd, &h);
    if (rc < 0) {
        close(fd);
        return dd_err(err, DD_EIO, -1, "could not read the commit log: %s", strerror(-rc));
    }
    if (rc == 1) {
        /* no checkpoint was ever written: LMDB still flushed every commit */
        off_t size = lseek(fd, 0, SEEK_END);
        close(fd);
        if (size > 0 && size >= (off_t)FMT_WAL_DATA_OFF)
            return dd_corrupt(err, "the commit log %s of \"%s\" is damaged: no valid header", FMT_WAL_NAME, dir);
        return 0;
    }
    if (h.flags & FMT_WAL_CLEAN) {
        close(fd);
        return 0;
    }
    bool fixed;
    rc = wal_recover_meta(dir, &h, dry, &fixed, err);
    if (!rc) {
        /* anything after the checkpoint? */
        u8 rh[FMT_WAL_REC_HDR];
        *replay = pread(fd, rh, sizeof rh, (off_t)h.replay_off) == (ssize_t)sizeof rh &&
                  get_u32be(rh) == FMT_WAL_REC_MAGIC && get_u64be(rh + 8) == h.base_lsn + 1;
        *replay = *replay || fixed;
    }
    close(fd);
    return rc;
}

static int replay_once(Store *st, bool *foreign, bool *full, u64 *n_out, DdError *err);

int wal_replay(Store *st, bool *foreign, u64 *n_out, DdError *err)
{
    for (int tries = 0;; tries++) {
        bool full = false;
        int rc = replay_once(st, foreign, &full, n_out, err);
        if (!full || tries == 20) return rc;
        /* the map is too small for what the log holds: no transaction is
         * open, so it may grow here */
        MDB_envinfo info;
        mdb_env_info(st->env, &info);
        if (mdb_env_set_mapsize(st->env, info.me_mapsize * 2)) return rc;
        mdb_env_info(st->env, &info);
        st->map_size = info.me_mapsize;
    }
}

/*
 * Whether a whole record numbered after want + 1 lies at or past off,
 * where the replay stopped looking for record want: then the record
 * there is damaged, not torn.  A record is written and flushed before the
 * next one is begun (wal_commit), so a crash can tear only the last one:
 * a whole record after a bad one means the bad one had reached the disk
 * whole, and was damaged since.  *found gets the later record's number.
 */
static int later_record(int fd, u64 off, u64 want, const WalHeader *hd, u64 *found)
{
    *found = 0;
    enum { CHUNK = 1 << 20 };
    u8 *b = dd_malloc(CHUNK + FMT_WAL_REC_HDR);
    Buf rec = BUF_INIT;
    if (!b) return ENOMEM;
    int rc = 0;
    for (u64 at = off; !*found && !rc;) {
        ssize_t got = pread(fd, b, CHUNK + FMT_WAL_REC_HDR, (off_t)at);
        if (got < 0) { rc = errno; break; }
        if (got < FMT_WAL_REC_HDR) break;
        size_t lim = (size_t)got - FMT_WAL_REC_HDR + 1;
        for (size_t i = 0; i < lim && !*found; i++) {
            const u8 *h = b + i;
            if (h[0] != (u8)(FMT_WAL_REC_MAGIC >> 24) || get_u32be(h) != FMT_WAL_REC_MAGIC) continue;
            u64 lsn = get_u64be(h + 8);
            u32 n = get_u32be(h + 4);
            if (lsn <= want || n > WAL_MAX_RECORD) continue;
            buf_reset(&rec);
            if (!buf_reserve(&rec, n)) { rc = ENOMEM; break; }
            if (pread(fd, rec.data, n, (off_t)(at + i + FMT_WAL_REC_HDR)) != (ssize_t)n) continue;
            if (rec_crc(hd->version, hd->key, h, rec.data, n) == get_u32be(h + 16)) *found = lsn;
        }
        if ((size_t)got < CHUNK + FMT_WAL_REC_HDR) break;
        at += CHUNK;
    }
    dd_free(b);
    buf_free(&rec);
    return rc;
}

static int replay_once(Store *st, bool *foreign, bool *full, u64 *n_out, DdError *err)
{
    *n_out = 0;
    char *path = wal_path(st->dir);
    if (!path) return dd_err(err, DD_ENOMEM, -1, NULL);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int e = errno;
    dd_free(path);
    if (fd < 0) return e == ENOENT ? 0 : dd_err(err, DD_EIO, -1, "could not open the commit log: %s", strerror(e));
    WalHeader h;
    int rc = header_read(fd, &h);
    if (rc || (h.flags & FMT_WAL_CLEAN)) {
        close(fd);
        return rc < 0 ? dd_err(err, DD_EIO, -1, "could not read the commit log: %s", strerror(-rc)) : 0;
    }
    Buf b = BUF_INIT;
    MDB_txn *txn = NULL;
    u64 off = h.replay_off, lsn = h.base_lsn;
    int m = mdb_txn_begin(st->env, NULL, 0, &txn);
    rc = m ? store_mdb_err(err, m, "replaying the commit log") : 0;
    if (!rc) {
        MDB_val k = {2, "db"}, v;
        if (mdb_get(txn, st->dbi[FMT_DB_META], &k, &v) || v.mv_size != FMT_META_DB_LEN ||
            memcmp((const u8 *)v.mv_data + FMT_MAGIC_LEN + 4, h.dbid, FMT_DBID_LEN) != 0)
            *foreign = true,
            rc = dd_corrupt(err, "the commit log %s of \"%s\" belongs to another database", FMT_WAL_NAME,
                            st->dir);
    }
    while (!rc) {
        u8 rh[FMT_WAL_REC_HDR];
        if (pread(fd, rh, sizeof rh, (off_t)off) != (ssize_t)sizeof rh) break;
        if (get_u32be(rh) != FMT_WAL_REC_MAGIC || get_u64be(rh + 8) != lsn + 1) break;
        u32 n = get_u32be(rh + 4);
        if (n > WAL_MAX_RECORD) break;
        buf_reset(&b);
        if (!buf_reserve(&b, n)) {
            rc = dd_err(err, DD_ENOMEM, -1, NULL);
            break;
        }
        if (pread(fd, b.data, n, (off_t)(off + FMT_WAL_REC_HDR)) != (ssize_t)n) break;
        if (rec_crc(h.version, h.key, rh, b.data, n) != get_u32be(rh + 16)) break;   /* torn: never acknowledged */
        /* apply its operations, unless its commit failed; flags that say
         * neither are damage */
        int vr = rec_void(h.version, rh);
        if (vr < 0) {
            /* whole (its CRC holds), so not torn: damaged */
            rc = dd_corrupt(err, "commit log %s: record %llu at offset %llu is damaged (its flags)", FMT_WAL_NAME,
                            (unsigned long long)(lsn + 1), (unsigned long long)off);
            break;
        }
        bool void_rec = vr == 1;
        for (u32 p = 0; p < n && !rc && !void_rec;) {
            if (n - p < 10) goto bad;
            u8 op = b.data[p], db = b.data[p + 1];
            u32 kn = get_u32be(b.data + p + 2), vn = get_u32be(b.data + p + 6);
            p += 10;
            if (db >= FMT_DB__COUNT || (op != FMT_WAL_PUT && op != FMT_WAL_DEL) || kn > n - p || vn > n - p - kn)
                goto bad;
            MDB_val k = {kn, b.data + p}, v = {vn, b.data + p + kn};
            p += kn + vn;
            m = op == FMT_WAL_PUT ? mdb_put(txn, st->dbi[db], &k, &v, 0) : mdb_del(txn, st->dbi[db], &k, NULL);
            if (m == MDB_NOTFOUND && op == FMT_WAL_DEL) m = 0;
            if (m == MDB_MAP_FULL) *full = true;
            if (m) rc = store_mdb_err(err, m, "replaying the commit log");
            continue;
        bad:
            rc = dd_corrupt(err, "commit log %s: record %llu at offset %llu is damaged", FMT_WAL_NAME,
                            (unsigned long long)(lsn + 1), (unsigned long long)off);
        }
        off += FMT_WAL_REC_HDR + n;
        lsn++;
        (*n_out)++;
    }
    /* where the records stop: the torn end of the last one, or damage
     * with acknowledged commits behind it (later_record) */
    u64 later = 0;
    if (!rc && (e = later_record(fd, off, lsn + 1, &h, &later)))
        rc = dd_err(err, DD_EIO, -1, "could not read the commit log: %s", strerror(e));
    if (!rc && later)
        rc = dd_corrupt(err, "commit log %s: record %llu at offset %llu is damaged, and record %llu after it is whole: "
                             "the commits in both would be lost", FMT_WAL_NAME, (unsigned long long)(lsn + 1),
                        (unsigned long long)off, (unsigned long long)later);
    buf_free(&b);
    close(fd);
    if (rc) {
        mdb_txn_abort(txn);
        return rc;
    }
    /* a synced commit: LMDB still flushes by itself here */
    if ((m = mdb_txn_commit(txn))) {
        if (m == MDB_MAP_FULL) *full = true;
        return store_mdb_err(err, m, "replaying the commit log");
    }
    st->wal.lsn = lsn;
    return 0;
}
