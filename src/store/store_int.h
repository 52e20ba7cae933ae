/*
 * store_int.h - structures private to store/ (env.c, catalog.c, log.c,
 * commit.c, verify.c).  Nothing outside src/store includes this.
 *
 * Locks, in the order they may be taken: q_mu (commit queue) is never held
 * while taking another; pin_mu guards the pin count used to exclude map
 * resizes; cat_mu guards the in-memory catalog.  The writer thread owns
 * every write transaction and the head fields.
 */
#ifndef DD_STORE_INT_H
#define DD_STORE_INT_H

#include "store.h"
#include "format.h"
#include "../util/sha256.h"

DD_STATIC_ASSERT(LOG_EV_CREATE == FMT_EV_CREATE && LOG_EV_DROP == FMT_EV_DROP, "event ops");

#include <lmdb.h>
#include <pthread.h>

/* All versions of one table, oldest first (ascending seq). */
typedef struct CatTable {
    u32 id;
    int n, cap;
    TableInfo **v;
    u64 last_write;   /* seq of the newest commit that wrote rows of the table (since open) */
    u64 erased_at;    /* seq of the newest ERASE from it (since open) */
    u64 purged_at;    /* seq of the newest DELETE HISTORY or ERASE of it (since open) */
    /* history_retention (retention.c): the earliest end among the versions
     * its last walk kept (UINT64_MAX: none; 0: never walked), and the head
     * then */
    u64 ret_next_due, ret_checked;
    i64 live_rows;    /* live rows, an estimate for the planner (store_table_rows) */
    bool counted;     /* live_rows was counted and is kept up to date since */
    bool counting;    /* a count runs: commits add their deltas to live_rows meanwhile */
    u8 *stats; size_t nstats;   /* the planner's statistics (opaque here), or NULL */
    i64 stats_rows;             /* live rows when they were gathered */
    StoreTableActivity act;     /* since the store opened (store_table_activity) */
    /* automatic checkpoints (checkpoint.c store_checkpoint_due): rows
     * deleted (or moved away) since the table's last checkpoint (or the
     * open), the keys it ever had then, whether one is due, and whether a
     * session is writing one */
    u64 ck_dels, ck_kever;
    bool ck_due, ck_busy;
} CatTable;

typedef struct CommitReq CommitReq;

/* ssi.c: SERIALIZABLE's read sets, registrations and commit footprints */
typedef struct ReadSet ReadSet;
typedef struct SsiReg SsiReg;
typedef struct SsiCommit { u64 seq; size_t off; } SsiCommit;   /* a footprint at off */
typedef struct Ssi {
    pthread_mutex_t mu;
    SsiReg *regs;              /* open serializable read-write transactions */
    u64 decided;               /* commits <= it kept their footprint or did not need to */
    u64 lost;                  /* footprints of commits <= it may be missing */
    Buf items;                 /* footprints, oldest first */
    SsiCommit *c; size_t c0, nc, capc;   /* their commits, c0 the oldest kept */
} Ssi;

/* A checkpoint's first half (wal.c capture). */
typedef struct WalCapture {
    u64 l, lsn, off;
    u8 meta[FMT_WAL_META_LEN];
    u8 key[FMT_WAL_KEY_LEN];      /* the record key of the records after it */
    MDB_txn *pin;
} WalCapture;

/* The commit log (wal.c).  fd < 0: off (read-only, or while opening). */
typedef struct Wal {
    int fd;                       /* driftdb.wal */
    int mdb_fd;                   /* driftdb.mdb, read-only: its meta pages */
    u64 size;                     /* bytes the file has (zeroed ahead) */
    u64 off;                      /* where the next record goes */
    u8 key[FMT_WAL_KEY_LEN];      /* the record key since the log last started over */
    u64 lsn;                      /* the last record's lsn */
    u64 ckpt;                     /* the last checkpoint's number */
    u64 since;                    /* records since it (atomic: CHECKPOINT's thread and the writer) */
    u64 last_len;                 /* the newest record's length (atomic) */
    u64 ck_pgno;                  /* the file's last page at the checkpoint (atomic; wal.c churned) */
    u64 since_bytes;              /* the records' bytes since it (atomic) */
    u64 n_ckpt;                   /* checkpoints made since open */
    u64 replayed;                 /* records replayed at open */
    u64 n_flush;                  /* fdatasync calls since open (atomic) */
    MDB_txn *pin;                 /* read txn at the checkpoint: keeps its tree */
    u32 npins;                    /* pins held (atomic): 1, 2 while one is made */
    Buf rec;                      /* the open write txn's record */
    /* held from wal_txn_begin to wal_commit / wal_txn_abort (with LMDB's
     * own write lock, and past it through an unlogged commit's checkpoint) */
    pthread_mutex_t txn_mu;
    bool over;                    /* too large to log: commit by checkpoint */
    bool failed;                  /* an LMDB commit failed: commit no more */
    /* the checkpoint thread (wal.c ck_main): ck_busy while a checkpoint
     * runs (its owner alone touches ckpt and pin); ck_todo: the capture
     * in ck_cap waits to be finished; ck_err: the first that failed */
    pthread_mutex_t ck_mu;
    pthread_cond_t ck_cv;
    pthread_t ck_thread;
    bool ck_init, ck_started, ck_busy, ck_todo, ck_stop;
    int ck_err;
    WalCapture ck_cap;
} Wal;

/* Checkpoint after this many records, or this far into the log, or when
 * the writer is idle: the LMDB pages written meanwhile are not reused until
 * then (the pin), so this bounds the file's growth between checkpoints. */
#define WAL_CKPT_COMMITS 512
/* After a record this large, a checkpoint pins past it (wal.c touch_head);
 * growth of the file by this many pages calls for one (wal.c churned). */
#define WAL_RELEASE_BYTES ((u64)256 << 10)
#define WAL_RELEASE_PAGES ((u64)64)
/* Past this offset the next checkpoint starts the log over from the top. */
#define WAL_WRAP_BYTES ((u64)32 << 20)

struct Store {
    char *dir;
    MDB_env *env;
    MDB_dbi dbi[FMT_DB__COUNT];
    bool read_only;
    bool check_file;    /* StoreOptions.check_file */
    int lock_fd;                  /* -1 when read-only */
    u8 dbid[FMT_DBID_LEN];
    char owner[FMT_META_OWNER_MAX + 1];   /* meta "owner" (store_owner) */
    size_t map_size;
    u32 psize;                    /* LMDB's page size when runs may read its leaf pages in
                                     place (store_cursor_run), else 0 */

    /* Pins exclude map resizes (writer-preferring gate). */
    pthread_mutex_t pin_mu;
    pthread_cond_t pin_cv;
    long pins;
    int grow_waiting;             /* the writer waits to resize: new pins wait */
    u64 n_pin_waits;              /* pins that waited for a resize (atomic) */
    int twins;                    /* open store_snap_twin snapshots (atomic) */

    /* In-memory catalog: every version of every table. */
    pthread_mutex_t cat_mu;
    Arena cat_arena;              /* TableInfo memory, freed at close */
    CatTable *cat;
    int ncat, capcat;
    u64 cat_seq;                  /* catalog loaded up to this head (read-only sync) */
    /* atomics, changed under cat_mu: a count of the changes to the
     * in-memory catalog (a version added or dropped), and the newest
     * version's seq */
    u64 cat_gen, cat_newest;

    u32 next_table_id, next_index_id;   /* atomics */

    /* Head, owned by the writer thread (read under q_mu for stats). */
    u64 head_seq;
    u8 head_hash[32];
    i64 head_time;

    /* Commit queue and writer thread. */
    pthread_mutex_t q_mu;
    pthread_cond_t q_cv;
    CommitReq *q_head, *q_tail;
    bool stop;
    bool busy;                    /* a batch runs (the writer's or a committer's own) */
    bool napping;                 /* the writer waits its long wait (nothing to checkpoint) */
    bool no_dbs;                  /* env_open found none of DriftDB's named databases */
    struct Writer *w;             /* the batch's working state (commit.c) */
    bool writer_started;
    pthread_t writer;
    int broken;                   /* sticky I/O failure code, 0 when fine: set by
                                     store_set_broken (under q_mu, once), read
                                     under q_mu or by store_broken */
    char broken_msg[DD_ERR_MSG_MAX];
    u64 n_commits, n_batches;
    /* store_commit's time to a durable answer (µs), and the commits per
     * batch (group): for /metrics */
    Hist commit_us, batch_size;
    /* Timestamps answer the same every time (docs/time-travel.md §1),
     * under q_mu: a batch being written (inflight) gives its commits times
     * >= inflight_first; no commit gets a time <= time_floor, which a
     * snapshot raises to the clock when no batch is in flight; head_cv is
     * signalled when a batch ends.  recent[] holds the times of the last
     * STORE_RECENT seqs (slot seq % STORE_RECENT). */
    bool inflight;
    i64 inflight_first, time_floor;
    pthread_cond_t head_cv;
#define STORE_RECENT 1024
    i64 recent[STORE_RECENT];

    /* Sequences' values (sequence.c), loaded on first use. */
    pthread_mutex_t seq_mu;
    struct SeqState *seqs;
    int nseqs, capseqs;
    /* transaction ids (store_xid_next), under seq_mu: the next to give
     * and the end of the chunk reserved in meta ("xid"); read on first use */
    bool xid_loaded;
    u64 xid_next, xid_upto, xid_chunk;
    Ssi ssi;
    Wal wal;
    /* seq of the newest DELETE HISTORY or ERASE since the open (0: none),
     * set before its commit shows: a snapshot older than it that takes a
     * new LMDB transaction would not find the history it had (snap_renew
     * then loses it), nor would VERIFY between its snapshots */
    u64 purge_seq;
    bool has_ckpt_db;             /* the checkpoint database exists (a read-only
                                   * open of an older file: not) */
    bool ck_any_due;              /* a CatTable is ck_due (atomic; checkpoint.c ckpt_auto) */
    /* history_retention's thread (retention.c), with the writer */
    pthread_mutex_t ret_mu;
    pthread_cond_t ret_cv;
    pthread_t ret_thread;
    bool ret_started, ret_stop;
    long ret_ms;                 /* its period (DRIFTDB_RETENTION_INTERVAL_MS when opened) */
};

struct Snap {
    Store *st;
    MDB_txn *txn;
    u64 seq;
    i64 time;
    bool pinned;
    /* every commit with a time <= stable_until is in the snapshot, and no
     * later one will get such a time */
    i64 stable_until;
    ReadSet *rs;               /* SERIALIZABLE: what it read (ssi.c), else NULL */
    SsiReg *reg;
    /* snap_release: txn reset (holds no pages) until the next pin renews
     * it; behind: the renewed txn is past seq, so temporal/ reads seq's
     * state through history; lost: no txn could be had again */
    bool released, behind, lost;
    bool purged;               /* lost because DELETE HISTORY or ERASE came after seq */
    bool twin;                 /* made by store_snap_twin (counted in Store.twins) */
};

struct StoreCursor {
    Snap *s;
    MDB_cursor *c;
    MDB_val k, v;
    bool valid;
    bool leaves;      /* runs may read leaf pages in place */
    const u8 *map;    /* where LMDB's map begins, from the first page read so */
    bool corrupt;     /* a run found a leaf page LMDB's cursor disagrees with */
    /* the page, node index, node count and key of the node a run last
     * moved the cursor to (lpg NULL: none since the last other move) */
    const u8 *lpg, *lkey;
    int lidx, lnk;
    u64 inplace;      /* entries runs read in place (tests) */
};

/* ssi.c */
int ssi_init(Ssi *x);
void ssi_destroy(Ssi *x);
void ssi_snap_end(Snap *s);       /* unregisters, frees the read set */
void ssi_seal(Snap *s);           /* prepares the read set for ssi_check */
/* Appends the footprint of ws (serializable) to b. */
int ssi_footprint(Store *st, Buf *b, const WriteSet *ws);
/* 40001 when a footprint of a serializable commit after s's seq (kept, or
 * pending: the npc earlier commits of this batch, in pending) meets s's reads. */
int ssi_check(Store *st, const Snap *s, const Buf *pending, const SsiCommit *pc, size_t npc, DdError *err);
/* After a batch committed up to head: keeps its footprints while needed;
 * lost: the newest seq whose footprint could not be made (0: none). */
void ssi_keep(Store *st, u64 head, const Buf *pending, const SsiCommit *pc, size_t npc, u64 lost);

/* wal.c: the commit log.  Every write to LMDB of a writable store goes
 * through these (db is FMT_DB_*), in a transaction begun by wal_txn_begin
 * and ended by wal_commit (or mdb_txn_abort).  A put with MDB_RESERVE is
 * noted by wal_note_put once its value is filled in.  LMDB codes or errno. */
int wal_txn_begin(Store *st, MDB_txn **txn);
void wal_txn_abort(Store *st, MDB_txn *txn);
int wal_put(Store *st, MDB_txn *txn, int db, MDB_val *k, MDB_val *v, unsigned flags);
int wal_del(Store *st, MDB_txn *txn, int db, MDB_val *k);
int wal_cursor_put(Store *st, MDB_cursor *c, int db, MDB_val *k, MDB_val *v, unsigned flags);
int wal_cursor_del(Store *st, MDB_cursor *c, int db);
void wal_note_put(Store *st, int db, const MDB_val *k, const MDB_val *v);
/* Writes and flushes the record, then commits txn (aborted on failure);
 * ends the transaction either way. */
int wal_commit(Store *st, MDB_txn *txn);
/* No write transaction and no checkpoint runs between these (a map
 * resize: mdb_env_set_mapsize must not meet a thread inside the map). */
void wal_quiesce(Store *st);
void wal_unquiesce(Store *st);
/* The writer, after a batch (idle: nothing queued for a while): starts a
 * checkpoint on the checkpoint thread when one is due, or checkpoints at
 * once to start the log over; 0, or the error of this or an earlier one. */
int wal_maybe_checkpoint(Store *st, bool idle);
/* After a commit that freed many pages (DELETE HISTORY, ERASE): a write
 * transaction of its own (meta's head put again, unchanged), then a
 * checkpoint, whose pin is then past that commit.  LMDB reuses a page
 * only once every reader is past the transaction that freed it, so
 * without this the next write could not reuse them.  An LMDB code. */
int wal_release_freed(Store *st);
/* Before LMDB opens the file (writer lock held): puts back what an
 * unfinished recovery wrote over, then the checkpoint's meta pages if a
 * crash left later ones (saved first in driftdb.wal.undo); *replay: there
 * is something to recover (dry: only says so, writes nothing). */
int wal_recover_pre(const char *dir, bool dry, bool *replay, DdError *err);
/* Replays the records after the checkpoint into st (opened writable, the
 * log off); *n gets how many.  XX001 (*foreign) when the log is another
 * database's. */
int wal_replay(Store *st, bool *foreign, u64 *n, DdError *err);
/* driftdb.wal.undo: put back (LMDB closed), or done with (the recovered
 * file proved the log's own). */
int wal_undo_apply(const char *dir, DdError *err);
void wal_undo_done(const char *dir);
/* Starts the log (a first checkpoint, then LMDB without flushes). */
int wal_open(Store *st, DdError *err);
void wal_close(Store *st);

/* env.c */
/* Whether the file system of the data directory has (almost) no room left. */
bool store_disk_full(Store *st);
int store_mdb_err(DdError *err, int rc, const char *what);
/* sequence.c: writes every sequence's exact value (a clean close). */
void store_seq_close(Store *st);
/* sequence.c: whether a meta record is a sequence's value (key "seq" ||
 * u32 BE id, value i64 BE || u8 given), and its id. */
bool store_seq_meta_record(const u8 *k, size_t kn, size_t vn, u32 *id);
/* Whether meta record k (vn bytes of value) is the transaction ids' (store_xid_next). */
bool store_xid_meta_record(const u8 *k, size_t kn, size_t vn);
/* Clears the reader slots of dead processes (mdb_reader_check); how many. */
int store_reader_check(Store *st);
/* Doubles the map (or more, to at least `need`); waits for pins to end. */
int store_grow_map(Store *st, DdError *err);
int store_read_head(Store *st, MDB_txn *txn, u64 *seq, u8 hash[32], i64 *time, DdError *err);
void store_put_head(u8 out[FMT_META_HEAD_LEN], u64 seq, const u8 hash[32], i64 time);

/* commit.c: deletes every `current` row of table id (a table dropped);
 * *n (may be NULL) gets how many.  0 or an LMDB error code. */
int store_clear_current(Store *st, MDB_txn *txn, u32 table, u64 *n);
/* commit.c: clears the `current` rows that tables dropped before this
 * rule was kept left behind (at open, in one write transaction). */
int store_clear_dropped(Store *st, DdError *err);

/* commit.c: renders a primary key for messages (the SQL layer's renderer
 * when set, else key_render); 0 or non-zero when it cannot. */
int store_render_key(const TableInfo *t, const u8 *pk, u32 pklen, Buf *out);

/* lmdbcheck.c: LMDB's meta pages read from the file and checked (page
 * parity and consecutive txnids, bounds), and the free tree of the meta
 * that txn reads ends at txn's id (no rolled-back transaction); 0 or
 * DD_ECORRUPT / DD_EIO. */
int store_check_lmdb_meta(Store *st, MDB_txn *txn, DdError *err);
/* Every page of both trees of txn's meta page, checked from the file
 * before LMDB follows them (lmdbcheck.c).  XX001 on
 * damage. */
int store_check_lmdb_tree(Store *st, MDB_txn *txn, DdError *err);
/* The same walk of both trees of the MDB_meta mm (a meta page's bytes
 * from FMT_WAL_META_OFF) in the LMDB file fd: sets the bit of every page
 * it reaches in seen (a bit per page up to mm's last page, zeroed by the
 * caller).  0, 1 damaged (why filled), -ENOMEM. */
int store_lmdb_walk(int fd, const u8 *mm, u32 psize, u8 *seen, char *why, size_t wn);
/* backup.c, for image.c too: a whole write (EINTR retried; -1 with errno),
 * and the error of a failed I/O call on path (53100 for a full disk). */
int backup_write_all(int fd, const void *p, size_t n);
int backup_io_err(DdError *err, const char *what, const char *path);

/* verify.c: the registered StoreIndexKeyFn, or NULL. */

/* catalog.c */
int cat_load(Store *st, MDB_txn *txn, u64 head, DdError *err);
/* Adds a decoded copy of the catalog record to the in-memory catalog.
 * Caller holds cat_mu. */
int cat_add_locked(Store *st, const u8 *rec, size_t n, DdError *err);
/* Removes versions with seq > head (a batch that did not commit). */
void cat_truncate(Store *st, u64 head);
/* Newest version of id with seq <= seq; caller holds cat_mu. */
const TableInfo *cat_version_locked(Store *st, u32 id, u64 seq);
/* Table id's entry, or NULL (cat_mu held). */
CatTable *cat_find(Store *st, u32 id);
/* A DELETE HISTORY or ERASE (erase) of table id at seq (a write of it). */
void cat_note_purge_locked(Store *st, u32 id, u64 seq, bool erase);
u64 cat_erased_at_locked(Store *st, u32 id);
/* Rows of table id were written at seq / the newest such seq (cat_mu held). */
void cat_note_write_locked(Store *st, u32 id, u64 seq);
/* Adds delta to the live row count of table id, when it is kept. */
void cat_add_rows_locked(Store *st, u32 id, i64 delta);
void cat_add_ops_locked(Store *st, u32 id, const i64 ops[3]);
u64 cat_last_write_locked(Store *st, u32 id);
/* Live table named `name` at seq, or NULL; caller holds cat_mu. */
const TableInfo *cat_by_name_locked(Store *st, const char *name, u64 seq, u64 *created_later, int space);
void cat_free(Store *st);

/* checkpoint.c */
/* Decodes and checks the value of chunk no of checkpoint (table, seq)
 * into raw (the keys), with its number of keys, keys-ever hint and number
 * of chunks; XX001 if bad. */
int ckpt_decode(const u8 *v, size_t n, u32 table, u64 seq, u32 no, Buf *raw, u32 *nkeys, u64 *kever, u32 *count,
                DdError *err);
int ckpt_key_cmp(const u8 *a, u32 an, const u8 *b, u32 bn);
/* Whether table has a checkpoint at or before upto. */
bool ckpt_any(Store *st, MDB_txn *txn, u32 table, u64 upto);
/* Automatic checkpoints: whether ct's deletions since its last checkpoint
 * call for one (under cat_mu); store_checkpoint_due writes them. */
bool ckpt_auto_due_locked(const CatTable *ct);
/* In a purge's transaction: table's checkpoints at or before upto lose
 * the keys of list (varint length, bytes; ascending): those erased, or
 * (a DELETE HISTORY) those whose version at the checkpoint's seq went;
 * damaged ones are dropped.  0, an LMDB code, or -code. */
int ckpt_purge(Store *st, MDB_txn *txn, u32 table, u64 upto, const Buf *keys, bool erase, DdError *err);
/* VERIFY's check of every checkpoint (only table's when one): well formed,
 * at a seq of the database, and naming exactly the keys of the rows
 * visible at its seq.  0 good, 1 damage (bad filled), or an LMDB code. */
typedef struct CkptBad { u32 table; u64 seq; char why[160]; } CkptBad;
int ckpt_check(Store *st, MDB_txn *txn, u64 head, bool one, u32 only, CkptBad *bad);

/* log.c */
typedef struct LogEventIn {
    u32 table;
    u8 op;
    const u8 *pk; u32 pklen;
    const u8 *salt;         /* rows: FMT_EV_SALT bytes */
    u8 hash[32];            /* rows: log_row_digest; catalog: the record's SHA-256 */
    u64 a, b;               /* FMT_EV_PURGE, FMT_EV_ERASE: their two figures */
} LogEventIn;
/* A log record (format FMT_LOG_FORMAT) for seq of database dbid, built
 * into out in three steps, its events one at a time, so that a commit of
 * millions of rows needs no list of them: log_begin writes the header of
 * a record of nev events whose encodings take at most `events` bytes (the
 * sum of log_event_size), reserving room for all of it; log_put_event
 * appends one (nev in all, the room reserved: it cannot fail);
 * log_finish fills the record's hash (hash_out) and appends its CRC, the
 * record starting at byte base of out.  DD_ENOMEM when out could not
 * grow or the hash could not be computed (hash_out is then not to be
 * used). */
size_t log_event_size(u8 op, u32 pklen);
int log_begin(Buf *out, i64 time, const u8 prev[32], const char *user, const char *app, const char *client, u32 nev,
              size_t events);
void log_put_event(Buf *out, const LogEventIn *ev);
int log_finish(Buf *out, size_t base, u64 seq, const u8 dbid[FMT_DBID_LEN], u8 hash_out[32]);
/* A row event's digest: SHA-256(salt || u32 BE pklen || pk || val[0..n)). */
int log_row_digest(Sha256 *h, const u8 salt[FMT_EV_SALT], const u8 *pk, u32 pklen, const u8 *val, size_t n,
                   u8 out[32]) DD_WARN_UNUSED;
/* Decodes a log record (header, strings borrowed, events not decoded) and
 * checks its CRC.  *tail_events points at the first event. */
int log_parse(const u8 *p, size_t n, u64 seq, LogRecord *out, Cursor *events, DdError *err);
/* Reads one event of a record of format fmt from the events cursor of
 * log_parse; -1 if malformed. */
int log_next_event(Cursor *c, u8 fmt, LogEvent *ev);
/* Reads one (table, row events) pair of a summary at *p (LogRecord.summary,
 * checked by log_parse) and moves *p past it.  0 or -1. */
int log_summary_next(const u8 **p, u32 *table, u32 *rows);
/* Replaces the record rec[0..n) of seq (CRC included, format 4, listed,
 * row events only) by its summary in out; its hash unchanged.  0, or
 * DD_ECORRUPT / DD_ENOMEM. */
int log_summarize(const u8 *rec, size_t n, u64 seq, const u8 dbid[FMT_DBID_LEN], Buf *out);
/* Recomputes the hash of a record of seq (without its CRC) of database
 * dbid: 0, DD_ENOMEM, or DD_ECORRUPT when its events do not parse. */
int log_hash(const u8 *p, size_t n, u64 seq, const u8 dbid[FMT_DBID_LEN], u8 out[32]) DD_WARN_UNUSED;

/* purge.c: DELETE HISTORY or ERASE ws->purge inside the commit of seq
 * (its event into *ev): 0, an LMDB code (> 0; *what says of what), or
 * -code with err set.  purge_check: ERASE's conflicts (check_req). */
int purge_apply(Store *st, MDB_txn *txn, StorePurge *p, u64 seq, LogEventIn *ev, const char **what, DdError *err);
int purge_check(Store *st, MDB_txn *txn, const WriteSet *ws, DdError *err);
/* What DELETE HISTORY with cut would remove of table's versions, read in
 * s (*n), and the smallest end (or tombstone seq) among the versions it
 * would keep that ended at all (*next_due, UINT64_MAX: none).  0 or an
 * LMDB code. */
int purge_due(Snap *s, u32 table, u64 cut, u64 *n, u64 *next_due);
/* DELETE HISTORY's commit, whatever is due (store_delete_history checks
 * first that something is). */
int purge_commit(Store *st, u32 table, u64 cut, u64 snapshot_seq, const WriteSet *who, u64 *seq, u64 *removed,
                 DdError *err);
/* retention.c: the thread that applies history_retention (started and
 * stopped with the writer); start: 0 or -1. */
int store_retention_start(Store *st);
void store_retention_stop(Store *st);

/* commit.c: the writer thread (and retention's), of a writable store */
int store_commit_start(Store *st, DdError *err);
void store_commit_stop(Store *st);
/* commit.c: a sticky write failure (st->broken) */
void store_set_broken(Store *st, int code, const char *msg);
int store_broken(Store *st);

#endif
