/*
 * engine_int.h - private structures of the embedded API (L4).
 *
 * Session transaction states (PostgreSQL's):
 *
 *   IDLE --BEGIN (session_txn_begin)--> BLOCK --COMMIT (session_txn_commit)--> IDLE
 *    |                                   |  \--ROLLBACK (session_txn_abort)--> IDLE
 *    |                                   |--error (session_txn_fail)--> FAILED
 *    |                                 FAILED --COMMIT/ROLLBACK (session_txn_abort)--> IDLE
 *    \--statement: implicit transaction, committed when the statement's
 *       result is complete (result_finish) or discarded on error
 *   IDLE --a statement followed by more in the same string--> IMPLICIT
 *   IMPLICIT --last statement done (result_finish / exec_next)--> IDLE (committed)
 *   IMPLICIT --error--> IDLE (rolled back);  --BEGIN--> BLOCK
 *
 * The snapshot of a transaction block is taken by its first statement and
 * kept until COMMIT/ROLLBACK (snapshot isolation: every statement of the
 * block sees the same committed data plus the block's own writes).  It is
 * pinned only while a statement runs.
 */
#ifndef DD_ENGINE_INT_H
#define DD_ENGINE_INT_H

#include "driftdb.h"
#include "../sql/sql.h"
#include <pthread.h>

/* watchdog.c: statement_timeout */
typedef struct Watchdog Watchdog;
Watchdog *wd_new(void);
int wd_arm(Watchdog *wd, driftdb_session *s, i64 timeout_ms);
void wd_disarm(Watchdog *wd, driftdb_session *s);
void wd_stop(Watchdog *wd);

/* Values of driftdb_session.cancel: why the running statement must stop. */
enum { CANCEL_NONE, CANCEL_USER, CANCEL_TIMEOUT, CANCEL_TERMINATE };

struct driftdb {
    Store *store;
    Watchdog *wd;
    char *dir;
    bool read_only;
    i64 opened_us;          /* when driftdb_open opened it (pg_postmaster_start_time) */
    /* activity.c: the open sessions, for pg_stat_activity */
    pthread_mutex_t act_mu;
    driftdb_session *act_first;
    /* rowlock.c: the row locks of every open transaction */
    pthread_mutex_t lk_mu;
    pthread_cond_t lk_cv;        /* broadcast when locks are released */
    u64 lk_waits, lk_wait_us;    /* lock waits that ended, and their time (atomics) */
    struct RowLock **lk_buckets;
    size_t lk_nbuckets, lk_count;   /* buckets, entries (grown at 2 per bucket) */
    u64 lk_epoch;                   /* deadlock checks so far (sessions' lk_visit) */
};

/* rowlock.c (docs/architecture.md §3) */
typedef struct RowLock RowLock;
int rowlock_init(driftdb *db);
void rowlock_free(driftdb *db);
/* Locks row (table, pk) in mode (ROWLOCK_*) for s's transaction, waiting
 * while another holds it in a conflicting mode (*waited then); 57014 on
 * cancel, 55P03 after lock_timeout, 40P01 when the wait closes a cycle
 * (checked after deadlock_timeout). */
int rowlock_acquire(driftdb_session *s, u32 table, const u8 *pk, u32 pklen, int mode, bool *waited, DdError *e);
/* Locks (table, pk) in mode for s when no other transaction holds it in a
 * conflicting mode; *held when one does (nothing taken then). */
int rowlock_try(driftdb_session *s, u32 table, const u8 *pk, u32 pklen, int mode, bool *held, DdError *e);
/* Locks the n keys pks of table in mode for s's transaction, in order,
 * while no other transaction holds one in a conflicting mode: *done are
 * locked (the caller waits for key *done with rowlock_acquire).  One hold
 * of the table's mutex per 256 keys, their buckets read ahead. */
int rowlock_try_many(driftdb_session *s, u32 table, const u8 *const *pks, const u32 *lens, int n, int mode, int *done,
                     DdError *e);
/* Advisory locks (rowlock.c): op ADVISORY_* (sql/txn/ctx.h) on key (9
 * bytes) in shared or exclusive mode, session- or transaction-level; *ok:
 * taken (TRY), released (UNLOCK), any released (UNLOCK_ALL). */
int rowlock_advisory(driftdb_session *s, int op, const u8 key[9], bool shared, bool session, bool *ok, DdError *e);
/* Releases the session-level advisory locks (the session ends). */
void rowlock_release_session(driftdb_session *s);
/* Table locks (TLOCK_* modes) of table id, for the transaction: as
 * rowlock_try and rowlock_acquire; rowlock_table_pending makes it the lock
 * run_sql waits for (s->lk_pend_*) before it plans the statement again. */
int rowlock_table_try(driftdb_session *s, u32 id, int mode, bool *held, DdError *e);
int rowlock_table_acquire(driftdb_session *s, u32 id, int mode, DdError *e);
int rowlock_table_pending(driftdb_session *s, u32 id, int mode);
/* Releases every lock of s's transaction (it ended). */
void rowlock_release_all(driftdb_session *s);
/* Releases the locks taken after `mark` (ROLLBACK TO a savepoint). */
void rowlock_release_to(driftdb_session *s, RowLock *mark, const ArenaMark *amark);

/* activity.c: what pg_stat_activity shows of a session.  The session's
 * thread writes it under db->act_mu; any session reads it there. */
#define ACT_QUERY_MAX 1024   /* track_activity_query_size, as PostgreSQL's default */
typedef struct Activity {
    i64 backend_start_us, xact_start_us, query_start_us, state_change_us;
    char state;              /* 'i' idle, 'a' active, 't' idle in transaction, 'f' ... (aborted) */
    char query[ACT_QUERY_MAX];
    char app[64];            /* application_name when the statement began */
} Activity;
/* Lists s in pg_stat_activity; false (and not listed) when limit >= 0
 * sessions of its user are there already (CONNECTION LIMIT). */
bool activity_register(driftdb_session *s, int limit);
void activity_unregister(driftdb_session *s);
/* A statement of text sql (len bytes) starts; the running one ends. */
void activity_begin(driftdb_session *s, const char *sql, size_t len);
void activity_end(driftdb_session *s);
/* SqlCtx.activity_list over the session's database. */
int activity_list(void *session, SqlActivity **out, int *n, Arena *a);
/* SqlCtx.backend_user and .signal_backend (pg_cancel_backend,
 * pg_terminate_backend) over the session's database. */
int activity_backend_user(void *session, int pid, char *user, size_t n);
/* roles.c: roles by id at the newest commit.  The id of role name (false:
 * none); whether role id exists (and is a superuser); whether role id
 * member is role id role or a member of it. */
bool roles_id_of(driftdb *db, const char *name, u32 *id);
bool roles_exists_id(driftdb *db, u32 id, bool *superuser);
bool roles_member_id(driftdb *db, u32 member, u32 role);
/* The id of the session's current role (SET ROLE's, else its user's);
 * false when unknown. */
bool session_role_id(driftdb_session *s, u32 *id);
/* SET ROLE name found role id: remembered for the session (DD_ENOMEM). */
int session_role_memo(driftdb_session *s, const char *name, u32 id);
/* ALTER ROLE ... SET: the settings of the session's role, applied as it
 * opens (roles.c); a value no longer valid is skipped.  DD_ENOMEM only. */
int roles_apply_config(driftdb_session *s);
int settings_set(driftdb_session *s, const char *name, const char *value, DdError *err);
bool activity_signal(void *session, int pid, bool terminate);

/* TXN_IMPLICIT: the statements of one multi-statement string (one simple
 * query message) run as one transaction, as PostgreSQL's implicit block:
 * committed after the last one, rolled back at the first error; a BEGIN
 * inside turns it into an ordinary block. */
enum { TXN_IDLE, TXN_BLOCK, TXN_FAILED, TXN_IMPLICIT };
/* Isolation levels (docs/architecture.md §3): READ COMMITTED takes a
 * snapshot per statement, REPEATABLE READ one per transaction, and
 * SERIALIZABLE one per transaction that notes what it reads, checked at
 * commit (store/ssi.c). */
enum { ISO_READ_COMMITTED = 1, ISO_REPEATABLE_READ = 2, ISO_SERIALIZABLE = 3 };

typedef struct Savepoint {
    char *name;
    TxnWrites ws;          /* the write set when the savepoint was set */
    int nundo;             /* length of the SET undo list then */
    bool read_only;        /* the transaction's mode then */
    struct RowLock *lk_mark;   /* the newest row lock then (rowlock.c) */
    ArenaMark lk_amark;        /* and where lk_arena was (the locks after go back) */
} Savepoint;

/* A SET inside a transaction: the value before it, restored when the
 * transaction rolls back (or, for SET LOCAL / SET TRANSACTION, ends). */
typedef struct SetUndo {
    char *name;
    char *old;
    bool local;
} SetUndo;

#define SETTING_MAX 96
/* Settings every statement reads, found by index (session_hot) rather
 * than by name. */
enum { HOT_ROLE, HOT_SYSTEM_TIME, HOT_READ_ONLY, HOT_ISOLATION, HOT_STATEMENT_TIMEOUT, HOT_APPLICATION_NAME,
       HOT_PLAN_CACHE_MODE, HOT__COUNT };
#define SETTING_SLOTS 256   /* a power of two, over 2 x SETTING_MAX */
typedef struct Setting {
    char *name;     /* canonical spelling, e.g. "TimeZone" */
    char *value;
    char *reset;    /* what RESET returns to when not the built-in default
                       (a client's startup parameter), or NULL */
} Setting;

typedef struct SqlCursor SqlCursor;
/* PREPARE name AS ...: a session's statement prepared in SQL (session.c) */
typedef struct SqlPrepared {
    char *name;
    struct driftdb_stmt *st;
    struct SqlPrepared *next;
} SqlPrepared;

typedef struct RoleMemo RoleMemo;   /* session.c */

struct driftdb_session {
    driftdb *db;
    char *user, *app, *client, *database;
    /* the roles the session is, by id, so that a rename or a new role of
     * the same name never changes who it is: user's (user_known false:
     * no such role at open), and each role SET ROLE named, as found then */
    u32 user_id;
    bool user_known;
    RoleMemo *role_ids;
    int backend_pid;           /* pg_backend_pid() */
    /* the connection's TLS for pg_stat_ssl (driftdb_session_set_ssl;
     * under db->act_mu): strings NULL without TLS, "" for no client
     * certificate */
    bool ssl;
    int ssl_bits;
    char *ssl_version, *ssl_cipher, *ssl_client_dn, *ssl_client_serial, *ssl_issuer_dn;
    u64 xid;                   /* the transaction's id once asked (txid_current()), else 0 */
    u64 last_commit_seq;       /* seq of the session's last commit (drift_last_commit_seq()), 0: none */
    int state;                 /* TXN_* */
    bool stmt_last;            /* the running statement is the last of its string */
    bool bind_opened;          /* the running Execute began the implicit block (extended protocol) */
    bool block_read_only;      /* BEGIN READ ONLY */
    u8 iso;                    /* the block's isolation level (ISO_*) */
    bool restarting;           /* run_sql runs the statement again (ctx_setup keeps s->cancel) */
    bool lk_may_defer;         /* run_sql: a held row lock may be waited for after the plan closes */
    u8 *lk_pend_pk;            /* that lock (DD_ESTATEMENT_WAIT), heap */
    u32 lk_pend_table, lk_pend_pklen;
    int lk_pend_mode;
    RowLock *lk_held;          /* the row locks the transaction holds (rowlock.c) */
    Arena lk_arena;            /* their memory, reset once none is held (a
                                  savepoint's rolled back stay till then) */
    RowLock *lk_session;       /* the session-level advisory locks it holds */
    /* the row lock it waits for (under db->lk_mu; lk_wait_pk NULL: none):
     * the deadlock check finds its holder through the lock table, so it
     * never follows a session that ended */
    u32 lk_wait_table, lk_wait_pklen;
    const u8 *lk_wait_pk;
    u64 lk_wait_hash;
    int lk_wait_mode;
    u64 lk_visit;              /* the deadlock check that last visited it (db->lk_epoch) */
    bool snap_retry_ok;        /* the running statement took the snapshot (run_sql) */
    Snap *snap;                /* held during a block, or one statement */
    TxnWrites ws;
    TxnWrites temp;            /* the session's temporary tables, under ws (writeset.h) */
    Savepoint *savepoints; int nsavepoints, capsavepoints;
    SeqSession seqs;           /* currval / lastval */
    SetUndo *undo; int nundo, capundo;
    i64 txn_time_us;
    bool txn_time_kept;     /* EXECUTE outside a transaction took txn_time_us for its statement */
    Setting settings[SETTING_MAX];
    char timebuf[5][24];       /* settings.c: a time setting being normalized */
    char datestyle[24];        /* settings.c: DateStyle's canonical text ("Postgres, DMY") */
    int nsettings;
    /* settings.c: an open-addressing index of settings[] by name (case
     * folded): slot holds index + 1, 0 empty; settings are only added */
    u8 setting_slot[SETTING_SLOTS];
    u64 settings_gen;          /* bumped by every change of a setting's value */
    u8 hot[HOT__COUNT];        /* settings[] index of each HOT_ setting (settings_init) */
    Arena stmt, row, tzarena;
    ValueCtx vctx;
    DdError err;
    driftdb_result *cur;
    const char *last_sql;      /* the text of the last driftdb_exec_next ... */
    size_t last_len;           /* ... and its length, so that stepping through a long
                                  multi-statement string is not quadratic */
    /* parameters of the portal being run (driftdb_portal_exec), else NULL/0 */
    const TypeId *bind_types;
    const Value *bind_vals;
    int bind_n;
    driftdb_stmt *bind_stmt;   /* ... and its statement, whose plan may be kept */
    bool bind_kept_stmt;       /* the Stmt run is its kept plan's parse (session.c, stmt_own) */
    const Stmt *bind_top;      /* the portal's statement (not one it runs inside: a cursor's query) */
    /* set by driftdb_session_cancel (any thread): the running statement
     * stops with 57014 at its next check; cleared when a statement starts */
    volatile int cancel;       /* CANCEL_* */
    /* set by driftdb_session_terminate: every statement from now on fails
     * with FATAL 57P01 */
    volatile int terminate;
    /* watchdog.c (statement_timeout): wd_armed is the session thread's,
     * the rest is guarded by the watchdog's mutex */
    bool wd_armed, wd_linked;
    i64 wd_deadline_us;
    driftdb_session *wd_next, *wd_prev;
    SqlCursor *cursors;        /* cursor.c */
    driftdb_portal_hooks portal_hooks;   /* the server's portals, for FETCH / MOVE / CLOSE */
    driftdb_portal *fetch_portal;        /* driftdb_portal_exec of a portal with kept rows:
                                            the FETCH ALL it runs reads them */
    SqlPrepared *prepared;     /* PREPARE name: session.c */
    Activity act;              /* activity.c, under db->act_mu */
    driftdb_session *act_next, *act_prev;
    /* driftdb_session_on_terminate: wakes the session's connection when
     * another session terminates it (called under db->act_mu) */
    void (*wake)(void *arg);
    void *wake_arg;
    bool act_registered;
    bool txn_committed;        /* txn_discard: the transaction ending committed */
    /* the notices the statement that just failed raised before its error
     * (driftdb_session_notice_at): per notice severity, SQLSTATE and text,
     * each NUL-terminated; emptied when the next statement starts */
    Buf fail_notes;
    int nfail_notes;
};

/* What a statement or portal returns (driftdb_stmt_columns). */
typedef struct Describe {
    int ncols;
    bool has_rows;
    driftdb_column *cols;      /* names in the owner's arena */
} Describe;

struct driftdb_stmt {
    driftdb_session *s;
    int refs;                  /* the caller's handle + portals */
    Arena arena;               /* everything below */
    char *sql;                 /* NUL-terminated copy */
    size_t len;
    bool empty;                /* no statement in the text */
    bool txn_exit;             /* COMMIT / ROLLBACK: allowed in a failed block */
    bool desc_per_portal;      /* its columns depend on parameter values
                                  (FOR SYSTEM_TIME AS OF $n): describe portals anew */
    int nparams;
    TypeId *ptypes;            /* [nparams], all resolved */
    bool *puntyped;            /* [nparams]: no context typed it (ptypes says text); its
                                  text is bound as an untyped literal, which an enum
                                  context reads as a label */
    i32 *penums;               /* [nparams]: an untyped one an enum (array) context
                                  reads: SqlCtx.param_enums, for ParameterDescription
                                  and binary Bind */
    TypeId *pregs;             /* [nparams]: the reg* type (regclass ...) of a text one
                                  a reg* context reads as a name: SqlCtx.param_regs,
                                  for ParameterDescription; TYPE_NULLTYPE none */
    Describe desc;
    struct PlanCache *cache;   /* its plan kept for later runs (session.c), or NULL */
    bool no_cache;             /* planning showed that its plan cannot be kept */
    u64 generic_plans, custom_plans;   /* runs with the kept plan / planned anew */
};

/* The rows of a protocol portal that a SQL FETCH or MOVE ran (cursor.c),
 * kept until the portal goes: [pos, nrows) are left. */
typedef struct PortalKept {
    Value *vals;               /* nrows x ncols, payloads in the portal's arena */
    size_t nrows, cap, pos;
} PortalKept;

struct driftdb_portal {
    driftdb_stmt *st;          /* holds a reference */
    Arena arena;               /* parameter values, description, kept rows */
    Value *params;             /* [st->nparams] of st->ptypes */
    bool described;
    Describe desc;
    ColDesc *cols;             /* its result's columns, once it ran (NULL before) */
    int ncols;
    PortalKept *kept;          /* run by a SQL FETCH / MOVE, or NULL */
    /* where the client is in its rows, whichever of Execute
     * (driftdb_portal_advance) and SQL FETCH / MOVE moved it: PostgreSQL's
     * portalPos and atEnd, which FETCH ABSOLUTE / RELATIVE count from */
    u64 pos;                   /* rows had */
    bool at_end;               /* a move forward ran out of rows */
};

/* binary.c: PostgreSQL's binary format of values. */
/* Any type, enums and their arrays included when vc is given (an enum's
 * binary form is its label's text, vc gives the labels). */
void bin_send(const Value *v, const ValueCtx *vc, Buf *out);
/* The OID of enum type id (a user type's OID, as PostgreSQL's are >= 16384),
 * and the OID of its array type (mood[]): PostgreSQL gives each enum an
 * array type of its own; DriftDB's is the enum's OID plus 2^30, so the two
 * never meet while ids stay below 2^30 and a client can tell an enum's
 * array from the enum itself by the OID alone (there is no pg_type yet). */
#define ENUM_OID_BASE 16384u
#define ENUM_ARRAY_OID_BASE (ENUM_OID_BASE + 0x40000000u)
/* Decodes p[0..len) as type t for bind parameter pno (1-based, for
 * messages) into out, payload copied to a.  22P03 for a wrong length. */
int bin_recv(TypeId t, const u8 *p, size_t len, int pno, Arena *a, Value *out, DdError *e);
/* Decodes p[0..len) as an array of enum etype (its elements' binary form:
 * their labels, read through ctx; payload in ctx->arena), for COPY. */
int bin_recv_enum_array(u32 etype, const ValueCtx *ctx, const u8 *p, size_t len, Value *out, DdError *e);

/* copy.c: COPY TO STDOUT */
typedef struct CopyState CopyState;
/* Starts COPY cs, whose statement text is sql (the query of COPY (query)
 * TO STDOUT is analyzed in it), into r. */
int copy_run(driftdb_session *s, CopyStmt *cs, const char *sql, driftdb_result *r, DdError *e);
void copy_free(driftdb_result *r);
/* session.c: runs a statement through the SQL layer into r */
int session_run_sql(driftdb_session *s, Stmt *stmt, const char *sql, driftdb_result *r, DdError *e);
/* session.c, for COPY FROM: starts the statement of r (snapshot, implicit
 * transaction, timeout); the columns of a query (in s->stmt); runs an
 * INSERT with parameters in the given arenas, adding its row count;
 * finishes r (commits an implicit transaction) or fails it.  table: COPY's
 * target (a temporary one may be written in a read-only transaction). */
int session_copy_begin(driftdb_session *s, const char *table, driftdb_result *r, DdError *e);
int session_describe(driftdb_session *s, Stmt *stmt, const char *sql, const struct ColDesc **cols, int *n,
                     DdError *e);
/* COPY's columns (sql_copy_columns): *out NULL for the list given or `*`. */
int session_copy_columns(driftdb_session *s, const char *table, char *const *cols, int n, const char ***out, int *nout,
                         DdError *e);
int session_run_dml(driftdb_session *s, Stmt *stmt, const char *sql, TypeId *types, const Value *vals, int n,
                    Arena *sa, Arena *ra, u64 *count, DdError *e);
/* COPY FROM through one plan: prepares stmt (INSERT INTO t (cols)
 * OVERRIDING SYSTEM VALUE VALUES ($1, ..., $n), parameters of types) in
 * ctx, which the COPY keeps for its batches (the plan lives in the
 * statement arena); *out NULL when the plan cannot take rows directly (a
 * document-style table: session_run_dml per batch).  session_copy_rows
 * runs nrows rows of n values through it, its memory in batch (*uniq,
 * NULL at first, in the statement arena: the unique keys so far); *bad:
 * the row an error is about, or -1. */
int session_copy_prepare(driftdb_session *s, SqlCtx *ctx, Stmt *stmt, const char *sql, TypeId *types, int n,
                         Plan **out, DdError *e);
int session_copy_rows(driftdb_session *s, SqlCtx *ctx, Plan *p, const Value *vals, int nrows, Arena *batch,
                      UniqueSets **uniq, u64 *count, int *bad, DdError *e);
int session_result_finish(driftdb_result *r, DdError *e);
void session_result_fail(driftdb_result *r);
/* session.c: r returns rows of these columns */
int session_result_cols(driftdb_result *r, const struct ColDesc *cols, int n);

/* cursor.c: DECLARE / FETCH and MOVE / CLOSE into r; the columns a FETCH
 * from cursor `name` returns; the session's cursors at the end of its
 * transaction (those WITHOUT HOLD go, and WITH HOLD ones declared in it
 * unless it committed) and when it closes. */
int cursor_declare(driftdb_session *s, Stmt *stmt, const char *sql, driftdb_result *r, DdError *e);
int cursor_fetch(driftdb_session *s, Stmt *stmt, driftdb_result *r, DdError *e);
int cursor_close(driftdb_session *s, Stmt *stmt, driftdb_result *r, DdError *e);
int cursor_columns(driftdb_session *s, const char *name, const struct ColDesc **cols, int *n, Arena **arena,
                   DdError *e);
void cursors_txn_end(driftdb_session *s, bool committed);
/* A protocol portal's result columns, kept with it (from its first run). */
int portal_keep_cols(driftdb_portal *p, const struct ColDesc *cols, int n);
void cursors_free(driftdb_session *s);
/* ROLLBACK TO the savepoint that leaves nsavepoints defined: the cursors
 * declared since go */
void cursors_rollback_to(driftdb_session *s, int nsavepoints);
void dd_to_api_error(const DdError *e, driftdb_error *out);

struct driftdb_result {
    driftdb_session *s;
    CopyState *copy;         /* COPY: its format state (copy.c), or NULL */
    bool copy_out;           /* COPY TO: rows leave through driftdb_copy_out_next */
    SqlCtx *ctx;             /* &own, or a kept plan's (cache) */
    SqlCtx own;
    struct PlanCache *cache; /* the kept plan it runs (busy until freed), or NULL */
    driftdb_stmt *cache_st;  /* its statement, held */
    Plan *plan;              /* NULL for utility statements */
    int ncols;
    const ColDesc *cols;
    ColDesc *owncols;
    const char *tag;
    bool has_rows;
    bool done;               /* rows exhausted (or none) and finished */
    bool failed;
    bool implicit;           /* autocommit: commit when done */
    Buf text;                /* current row's values, text or binary form */
    size_t *offs;
    size_t *lens;
    bool *nulls;
    bool *binary;            /* per column: send the binary form */
    const driftdb_column *expect;  /* a described portal: the columns promised */
    int nexpect;
    const Value *rows;       /* utility rows (SHOW) */
    int nrows, rowpos;
    const char *notice;      /* WARNING / NOTICE text, or NULL */
    const char *notice_severity;
    const char *notice_state;
    int min_level;           /* failed: 1 + client_min_messages's rank then, else 0 */
};

/* The value of hot setting which (HOT_*): driftdb_session_setting's
 * answer for its name, without a lookup (settings.c). */
const char *session_hot(const driftdb_session *s, int which);
/* default_transaction_read_only: a new transaction is READ ONLY (settings.c) */
bool session_default_read_only(driftdb_session *s);
/* The isolation level a new transaction gets (default_transaction_isolation). */
int session_default_iso(driftdb_session *s);

/* A statement run inside another (EXECUTE, COPY, a protocol portal's
 * FETCH) runs with parameters of its own: bind_swap keeps the session's
 * bind_* and sets the parameters (no statement, so no kept plan);
 * bind_restore puts them all back. */
typedef struct BindSave {
    const TypeId *types;
    const Value *vals;
    int n;
    driftdb_stmt *stmt;
    bool kept_stmt;
    const Stmt *top;
} BindSave;

static inline BindSave bind_swap(driftdb_session *s, const TypeId *types, const Value *vals, int n)
{
    BindSave b = {s->bind_types, s->bind_vals, s->bind_n, s->bind_stmt, s->bind_kept_stmt, s->bind_top};
    s->bind_types = types;
    s->bind_vals = vals;
    s->bind_n = n;
    s->bind_stmt = NULL;
    return b;
}

static inline void bind_restore(driftdb_session *s, const BindSave *b)
{
    s->bind_types = b->types;
    s->bind_vals = b->vals;
    s->bind_n = b->n;
    s->bind_stmt = b->stmt;
    s->bind_kept_stmt = b->kept_stmt;
    s->bind_top = b->top;
}

#endif
