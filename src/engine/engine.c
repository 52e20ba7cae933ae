/*
 * engine.c - opening and closing databases: driftdb_init, driftdb_open,
 * driftdb_close, statistics, verification, backup and restore (a restore is
 * verified before it is reported done).  driftdb_open registers with
 * the store how the SQL layer computes index keys (verify_index_key), so
 * store_verify checks index entries against rows.
 */
#include "engine_int.h"
#include "../util/clock.h"
#include "../sql/exec/executor.h"
#include "../sql/types/rowcodec.h"
#include "../util/alloc.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

const char *driftdb_version(void) { return "0.1.0"; }

void dd_to_api_error(const DdError *e, driftdb_error *out);
void dd_to_api_error(const DdError *e, driftdb_error *out)
{
    if (!out) return;
    memset(out, 0, sizeof(*out));
    memcpy(out->sqlstate, e->sqlstate[0] ? e->sqlstate : dd_err_sqlstate(e->code), 5);
    out->sqlstate[5] = 0;
    snprintf(out->message, sizeof(out->message), "%s", e->message[0] ? e->message : dd_err_text(e->code));
    snprintf(out->detail, sizeof(out->detail), "%s", e->detail);
    snprintf(out->hint, sizeof(out->hint), "%s", e->hint);
    out->position = e->position;
    memcpy(out->schema, e->schema, sizeof out->schema);
    memcpy(out->table, e->table, sizeof out->table);
    memcpy(out->column, e->column, sizeof out->column);
    memcpy(out->datatype, e->datatype, sizeof out->datatype);
    memcpy(out->constraint, e->constraint, sizeof out->constraint);
    /* the errors that end the session (driftdb_session_terminate) */
    out->severity = strcmp(out->sqlstate, "57P01") == 0 ? "FATAL" : "ERROR";
}

int driftdb_init(const char *dir, driftdb_error *err) { return driftdb_init_superuser(dir, NULL, err); }

int driftdb_init_superuser(const char *dir, const char *superuser, driftdb_error *err)
{
    DdError e;
    dd_err_clear(&e);
    /* the names no role may have (CREATE ROLE's rule; initdb's message) */
    if (superuser && strncmp(superuser, "pg_", 3) == 0) {
        dd_err(&e, DD_ERESERVED_NAME, -1, "superuser name \"%s\" is disallowed; role names cannot begin with \"pg_\"",
               superuser);
        dd_to_api_error(&e, err);
        return DRIFTDB_ERROR;
    }
    if (superuser && (strcmp(superuser, "public") == 0 || strcmp(superuser, "none") == 0)) {
        dd_err(&e, DD_ERESERVED_NAME, -1, "role name \"%s\" is reserved", superuser);
        dd_to_api_error(&e, err);
        return DRIFTDB_ERROR;
    }
    int rc = store_create(dir, superuser, &e);
    if (rc) { dd_to_api_error(&e, err); return DRIFTDB_ERROR; }
    return DRIFTDB_OK;
}

/* StoreIndexKeyFn: the key the write path gives a row image
 * (sql_index_key: columns, and expressions evaluated over the row, cut to
 * the stored prefix), in a context of its own. */
static int verify_index_key(const TableInfo *t, const IndexInfo *ix, const u8 *rec, u32 reclen, u64 seq, Buf *out,
                            DdError *err)
{
    Arena stmt, row;
    arena_init(&stmt, 4096);
    arena_init(&row, 4096);
    SqlCtx ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.stmt = &stmt;
    ctx.row = &row;
    ctx.vctx.arena = &stmt;
    ctx.err = err;
    ctx.sql = "";
    ctx.session_point = SEQ_NONE;
    Value *vals = arena_alloc(&stmt, sizeof(Value) * (size_t)(t->ncols + 1));
    int rc = vals ? sql_row_decode(&ctx, t, rec, reclen, seq, vals, NULL) : dd_err(err, DD_ENOMEM, -1, NULL);
    bool has_null;
    if (!rc) rc = sql_index_key(&ctx, t, ix, vals, out, &has_null);
    arena_free(&stmt);
    arena_free(&row);
    return rc;
}

static pthread_once_t renderer_once = PTHREAD_ONCE_INIT;
static void set_key_renderer(void) { store_set_key_renderer(row_render_key); }

int driftdb_open(const char *dir, const driftdb_options *opts, driftdb **out, driftdb_error *err)
{
    DdError e;
    dd_err_clear(&e);
    driftdb *db = dd_calloc(1, sizeof(*db));
    if (!db) { dd_err(&e, DD_ENOMEM, -1, NULL); dd_to_api_error(&e, err); return DRIFTDB_ERROR; }
    StoreOptions so;
    memset(&so, 0, sizeof(so));
    if (opts) {
        so.read_only = opts->read_only != 0;
        so.initial_map_size = opts->initial_map_size;
        so.max_sessions = opts->max_sessions;
        so.check_file = opts->check_file != 0;
    }
    db->read_only = so.read_only;
    pthread_mutex_init(&db->act_mu, NULL);
    db->opened_us = clock_wall_us();
    db->dir = dd_strdup(dir);
    db->wd = wd_new();
    if (!db->wd) { dd_free(db->dir); db->dir = NULL; }
    pthread_once(&renderer_once, set_key_renderer);   /* 23505 details in SQL text form */
    int rc = db->dir ? rowlock_init(db) : DD_ENOMEM;
    rc = !rc ? store_open(dir, &so, &db->store, &e) : dd_err(&e, DD_ENOMEM, -1, NULL);
    if (rc) {
        wd_stop(db->wd);
        dd_free(db->dir);
        rowlock_free(db);
        pthread_mutex_destroy(&db->act_mu);
        dd_free(db);
        dd_to_api_error(&e, err);
        return DRIFTDB_ERROR;
    }
    store_set_index_key_fn(verify_index_key);
    *out = db;
    return DRIFTDB_OK;
}

long driftdb_lock_holder(const char *dir) { return store_lock_holder(dir); }

void driftdb_close(driftdb *db)
{
    if (!db) return;
    wd_stop(db->wd);
    store_close(db->store);
    dd_free(db->dir);
    rowlock_free(db);
    pthread_mutex_destroy(&db->act_mu);
    dd_free(db);
}

static void hist_to_api(const Hist *h, driftdb_histogram *out)
{
    DD_STATIC_ASSERT(HIST_MAX == DRIFTDB_HIST_MAX, "one bucket layout");
    out->n = h->n;
    memcpy(out->le, h->le, sizeof out->le);
    memcpy(out->count, h->count, sizeof out->count);
    out->sum = h->sum;
}

void driftdb_get_stats(driftdb *db, driftdb_stats *out)
{
    StoreStats st;
    store_stats(db->store, &st);
    out->head_seq = st.head_seq;
    out->commits = st.commits;
    out->batches = st.batches;
    out->map_size = st.map_size;
    out->flushes = st.flushes;
    out->checkpoints = st.wal_checkpoints;
    i64 fb = store_file_bytes(db->store);
    out->file_bytes = fb > 0 ? (u64)fb : 0;
    StoreReaders r;
    DdError e;
    out->reader_slots = store_readers(db->store, &r, &e) == 0 ? (u64)r.used : 0;
    out->reader_waits = st.pin_waits;
    out->lock_waits = __atomic_load_n(&db->lk_waits, __ATOMIC_RELAXED);
    out->lock_wait_us = __atomic_load_n(&db->lk_wait_us, __ATOMIC_RELAXED);
    hist_to_api(&st.commit_us, &out->commit_us);
    hist_to_api(&st.batch_size, &out->batch_size);
}

int driftdb_writable(driftdb *db, driftdb_error *err)
{
    char why[DD_ERR_MSG_MAX];
    int code = store_writable(db->store, why, sizeof why);
    if (!code) return DRIFTDB_OK;
    DdError e;
    dd_err(&e, code, -1, "%s", why);
    dd_to_api_error(&e, err);
    return DRIFTDB_ERROR;
}

int driftdb_table_stats(driftdb *db, int (*fn)(void *arg, const driftdb_table_stat *t), void *arg,
                        driftdb_error *err)
{
    DdError e;
    dd_err_clear(&e);
    Snap *s = NULL;
    int rc = store_snap_begin(db->store, &s, &e);
    if (rc) {
        dd_to_api_error(&e, err);
        return DRIFTDB_ERROR;
    }
    Arena a;
    arena_init(&a, 4096);
    const TableInfo **tabs = NULL;
    int n = 0;
    rc = store_tables_at(s, snap_seq(s), &a, &tabs, &n, &e);
    for (int i = 0; !rc && i < n; i++) {
        const TableInfo *t = tabs[i];
        if (t->view_sql || t->sequence || t->temp) continue;
        StoreTableSize sz;
        if ((rc = store_table_size(s, t, &sz, &e))) break;
        /* "s.t", or "t" in public */
        char schema[64] = "public";
        const char *dot = strchr(t->name, '.');
        if (dot) snprintf(schema, sizeof schema, "%.*s", (int)(dot - t->name), t->name);
        driftdb_table_stat ts = {schema, name_base(t->name), sz.live_rows, sz.versions,
                                 sz.live_bytes, sz.version_bytes, sz.index_bytes};
        if ((rc = fn(arg, &ts))) {
            store_snap_end(s);
            arena_free(&a);
            return rc;
        }
    }
    store_snap_end(s);
    arena_free(&a);
    if (rc) {
        dd_to_api_error(&e, err);
        return DRIFTDB_ERROR;
    }
    return DRIFTDB_OK;
}

int driftdb_verify(driftdb *db, uint64_t *checked, uint64_t *first_bad, driftdb_error *err)
{
    DdError e;
    dd_err_clear(&e);
    u64 c = 0, b = 0;
    int rc = store_verify(db->store, &c, &b, &e);
    if (checked) *checked = c;
    if (first_bad) *first_bad = b;
    if (rc) { dd_to_api_error(&e, err); return DRIFTDB_ERROR; }
    return DRIFTDB_OK;
}

int driftdb_backup(driftdb *db, const char *path, driftdb_backup_info *info, driftdb_error *err)
{
    return driftdb_backup_progress(db, path, NULL, NULL, info, err);
}

int driftdb_backup_progress(driftdb *db, const char *path, void (*progress)(void *arg, uint64_t done, uint64_t total),
                            void *arg, driftdb_backup_info *info, driftdb_error *err)
{
    return driftdb_backup_ex(db, path, NULL, 0, progress, arg, info, err);
}

int driftdb_backup_ex(driftdb *db, const char *path, const char *since, int flags,
                      void (*progress)(void *arg, uint64_t done, uint64_t total), void *arg,
                      driftdb_backup_info *info, driftdb_error *err)
{
    DdError e;
    dd_err_clear(&e);
    StoreBackupInfo bi;
    int rc;
    if ((flags & DRIFTDB_BACKUP_COMPACT) && since)
        rc = dd_err(&e, DD_EINVALID_PARAM, -1, "a compacted backup cannot be incremental");
    else if (flags & DRIFTDB_BACKUP_COMPACT)
        rc = store_backup_compact(db->store, path, progress, arg, &bi, &e);
    else
        rc = store_backup_image(db->store, path, since, progress, arg, &bi, &e);
    if (rc) { dd_to_api_error(&e, err); return DRIFTDB_ERROR; }
    if (info) {
        memset(info, 0, sizeof *info);
        info->raw_bytes = bi.raw_bytes;
        info->file_bytes = bi.file_bytes;
        info->head_seq = bi.seq;
        info->pages = bi.pages;
        info->pages_copied = bi.pages_copied;
    }
    return DRIFTDB_OK;
}

/* Makes the renames and removals in dir durable. */
static void fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    if (fsync(fd) != 0) { /* the renamed files are flushed already */ }
    close(fd);
}

/* Removes the files a data directory holds (driftdb.mdb, its lock file,
 * its commit log, LOCK), for a failed restore or a forced one. */
static void remove_db_files(const char *dir)
{
    static const char *const names[] = {"driftdb.mdb", "driftdb.mdb-lock", "driftdb.wal", "driftdb.wal.undo",
                                        "LOCK"};
    char p[4096];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
}

/* Removes what a restore left in work (a failed one), and work itself
 * when it is a directory of its own. */
static void remove_work(const char *work, bool rmdir_it)
{
    remove_db_files(work);
    char p[4096];
    snprintf(p, sizeof p, "%s/driftdb.mdb.restoring", work);
    unlink(p);
    if (rmdir_it) rmdir(work);
}

/*
 * The backup is restored, cut back to until_seq and verified in a work
 * directory: dir itself when it is new or empty, else a subdirectory
 * (.restoring) of it, so that a --force restore replaces the database in
 * dir only once the new one is whole; a failed restore leaves dir as it was
 * (and removes it when it made it).
 */
/* The seq a restore to the time `when` keeps (drift_seq_at in db, open on
 * the restored file): 0 with *seq set, or an error code. */
static int seq_at_text(driftdb *db, const char *when, u64 *seq, DdError *e)
{
    driftdb_session *s = NULL;
    driftdb_session_info info = {.user = NULL, .application_name = "driftdb restore"};
    driftdb_error ae;
    memset(&ae, 0, sizeof ae);
    int rc = 0;
    if (driftdb_session_open(db, &info, &s, &ae) != DRIFTDB_OK) return dd_err(e, DD_EINTERNAL, -1, "%s", ae.message);
    if (driftdb_session_config(s, "TimeZone", "UTC") != DRIFTDB_OK) {
        driftdb_session_close(s);
        return dd_err(e, DD_EINTERNAL, -1, "could not set the restore's time zone");
    }
    Buf q;
    buf_init(&q);
    buf_puts(&q, "SELECT drift_seq_at('");
    for (const char *c = when; *c; c++) {
        if (*c == '\'') buf_putc(&q, '\'');
        buf_putc(&q, (u8)*c);
    }
    buf_puts(&q, "'::timestamptz)");
    buf_putc(&q, 0);
    driftdb_result *r = NULL;
    size_t off = 0;
    if (q.oom) rc = dd_err(e, DD_ENOMEM, -1, NULL);
    else if (driftdb_exec_next(s, (const char *)q.data, &off, &r, &ae) != DRIFTDB_ROW_RESULT ||
             driftdb_result_next(r, &ae) != 1) {
        /* the time's own error (22007, 22008), without the query's position */
        rc = dd_err(e, DD_EINVALID_PARAM, -1, "invalid --until-time \"%s\": %s", when, ae.message);
        if (ae.sqlstate[0]) memcpy(e->sqlstate, ae.sqlstate, sizeof e->sqlstate);
    } else {
        size_t len;
        const char *v = driftdb_result_value(r, 0, &len);
        *seq = v ? strtoull(v, NULL, 10) : 0;
        if (*seq == 0)
            rc = dd_err(e, DD_EINVALID_PARAM, -1, "the backup holds no commit made at or before %s", when);
    }
    if (r) driftdb_result_free(r);
    buf_free(&q);
    driftdb_session_close(s);
    return rc;
}

static int restore(const char *path, const char *dir, int force, uint64_t until_seq, const char *until_time,
                   driftdb_backup_info *info, driftdb_error *err);

int driftdb_restore(const char *path, const char *dir, int force, uint64_t until_seq, driftdb_backup_info *info,
                    driftdb_error *err)
{
    return restore(path, dir, force, until_seq, NULL, info, err);
}

int driftdb_restore_until_time(const char *path, const char *dir, int force, const char *until_time,
                               driftdb_backup_info *info, driftdb_error *err)
{
    return restore(path, dir, force, 0, until_time, info, err);
}

static int restore(const char *path, const char *dir, int force, uint64_t until_seq, const char *until_time,
                   driftdb_backup_info *info, driftdb_error *err)
{
    DdError e;
    dd_err_clear(&e);
    int rc = 0, lockfd = -1;
    bool made = false, replace = false;
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        if (mkdir(dir, 0700) != 0)
            rc = dd_err(&e, errno == ENOENT ? DD_ENO_FILE : DD_EIO, -1, "could not create directory \"%s\": %s", dir,
                        strerror(errno));
        else made = true;
    } else if (!S_ISDIR(sb.st_mode)) {
        rc = dd_err(&e, DD_EINVALID_PARAM, -1, "\"%s\" exists but is not a directory", dir);
    } else {
        DIR *d = opendir(dir);
        bool empty = true, leftover = false;
        for (struct dirent *de; d && (de = readdir(d));) {
            /* what a restore into it that was killed left is no database */
            if (strcmp(de->d_name, "driftdb.mdb.restoring") == 0) leftover = true;
            else if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) empty = false;
        }
        if (d) closedir(d);
        if (empty && leftover) {
            char lp[4200];
            snprintf(lp, sizeof lp, "%s/driftdb.mdb.restoring", dir);
            unlink(lp);
        }
        if (!empty && !(force & DRIFTDB_RESTORE_FORCE)) {
            rc = dd_err(&e, DD_EINVALID_PARAM, -1, "directory \"%s\" is not empty", dir);
            dd_err_hint(&e, "Restore into a new directory, or pass --force to replace the database there.");
        } else if (!empty) {
            /* replace only a database (never other files), and only one no
             * process has open for writing */
            char mp[4096];
            snprintf(mp, sizeof mp, "%s/driftdb.mdb", dir);
            if (access(mp, F_OK) != 0) {
                rc = dd_err(&e, DD_EINVALID_PARAM, -1,
                            "directory \"%s\" is not empty and is not a DriftDB data directory (it has no driftdb.mdb)", dir);
                dd_err_hint(&e, "--force replaces a database; restore into a new or empty directory.");
            }
            char lp[4096];
            snprintf(lp, sizeof lp, "%s/LOCK", dir);
            lockfd = rc ? -1 : open(lp, O_RDWR | O_CLOEXEC);
            if (rc) {
                /* refused above */
            } else if (lockfd >= 0 && flock(lockfd, LOCK_EX | LOCK_NB) != 0) {
                long pid = store_lock_holder(dir);
                if (pid > 0)
                    rc = dd_err(&e, DD_ELOCKED, -1, "data directory \"%s\" is in use by another process (pid %ld)", dir,
                                pid);
                else
                    rc = dd_err(&e, DD_ELOCKED, -1, "data directory \"%s\" is in use by another process", dir);
                dd_err_hint(&e, "Stop the server (or the process) that uses it, then run this again.");
            } else {
                replace = true;
            }
        }
    }
    char work[4096];
    snprintf(work, sizeof work, replace ? "%s/.restoring" : "%s", dir);
    if (!rc && replace) {
        remove_work(work, true);   /* what a restore that crashed left */
        if (mkdir(work, 0700) != 0)
            rc = dd_err(&e, DD_EIO, -1, "could not create directory \"%s\": %s", work, strerror(errno));
    }
    u8 dbid[16];
    StoreBackupInfo bi;
    bool restored = false;
    if (!rc) rc = store_restore_file(path, work, dbid, &bi, &e);
    restored = !rc;
    driftdb *db = NULL;
    if (!rc && (until_seq || until_time)) {
        driftdb_error ae;
        if (driftdb_open(work, NULL, &db, &ae) != DRIFTDB_OK) {
            rc = dd_corrupt(&e, "the restored database does not open: %s", ae.message);
        } else if (until_time) {
            /* every commit at or before the time: nothing to cut when
             * that is the last one */
            u64 n = 0;
            StoreStats ss;
            store_stats(db->store, &ss);
            if (!(rc = seq_at_text(db, until_time, &n, &e)) && n < ss.head_seq)
                rc = store_truncate_history(db->store, n, &e);
        } else {
            rc = store_truncate_history(db->store, until_seq, &e);
        }
        if (db) driftdb_close(db);
        db = NULL;
    }
    if (!rc) {
        driftdb_error ae;
        driftdb_options o = {.read_only = 1};
        uint64_t checked = 0, bad = 0;
        bool check = !(force & DRIFTDB_RESTORE_NO_VERIFY);
        if (driftdb_open(work, &o, &db, &ae) != DRIFTDB_OK) {
            rc = dd_corrupt(&e, "the restored database does not open: %s", ae.message);
        } else if (check && driftdb_verify(db, &checked, &bad, &ae) != DRIFTDB_OK) {
            rc = dd_corrupt(&e, "the restored database does not verify: %s", ae.message);
            dd_err_hint(&e, "A backup of a database already damaged restores with --no-verify (to read what it "
                            "holds, VERIFY names the damage).");
        } else if (memcmp(store_db_id(db->store), dbid, 16) != 0) {
            rc = dd_corrupt(&e, "backup \"%s\" names another database than the one it holds", path);
        } else if (info) {
            memset(info, 0, sizeof *info);
            info->raw_bytes = bi.raw_bytes;
            info->file_bytes = bi.file_bytes;
            StoreStats ss;
            store_stats(db->store, &ss);
            info->head_seq = check ? checked : ss.head_seq;
            info->verified = check;
            info->pages = bi.pages;
            info->files = bi.chain ? bi.chain : 1;
        }
        if (db) driftdb_close(db);
    }
    if (!rc && replace) {
        /* the new database is whole: it takes the old one's place */
        char from[4200], to[4200], wfrom[4200], wto[4200];
        snprintf(from, sizeof from, "%s/driftdb.mdb", work);
        snprintf(to, sizeof to, "%s/driftdb.mdb", dir);
        snprintf(wfrom, sizeof wfrom, "%s/driftdb.wal", work);
        snprintf(wto, sizeof wto, "%s/driftdb.wal", dir);
        char lk[4096];
        snprintf(lk, sizeof lk, "%s/driftdb.mdb-lock", dir);
        unlink(lk);   /* the old environment's reader table */
        /* neither the old database's commit log nor what a recovery of it
         * saved to undo (driftdb.wal.undo: its meta pages, which the next
         * open would write back over the new file) may meet the new file:
         * the undo goes, then the new log (closed cleanly, so it asks for
         * nothing) takes the old one's place, first */
        char undo[4200];
        snprintf(undo, sizeof undo, "%s/driftdb.wal.undo", dir);
        bool log_moved = (unlink(undo) == 0 || errno == ENOENT) &&
                         (rename(wfrom, wto) == 0 || (errno == ENOENT && (unlink(wto) == 0 || errno == ENOENT)));
        if (!log_moved) {
            rc = dd_err(&e, DD_EIO, -1, "could not move the restored commit log into \"%s\": %s", dir, strerror(errno));
        } else {
            fsync_dir(dir);   /* the new log is in place before the new file */
            if (rename(from, to) != 0) {
                rc = dd_err(&e, DD_EIO, -1, "could not move the restored database into \"%s\": %s", dir,
                            strerror(errno));
            } else {
                fsync_dir(dir);
                remove_work(work, true);
            }
        }
    }
    if (lockfd >= 0) close(lockfd);
    if (rc) {
        if (replace) remove_work(work, true);
        else if (restored || made) remove_work(work, made);   /* dir holds nothing of it */
    }
    if (rc) { dd_to_api_error(&e, err); return DRIFTDB_ERROR; }
    return DRIFTDB_OK;
}
