/*
 * ctx.h - what a statement runs against (SqlCtx): the snapshot, the
 * transaction's write set, the statement's arenas, the session's values
 * (time zone, times, point in time, parameters, settings) and the
 * statement's interrupt flag.  Filled by the engine; every stage of the
 * SQL layer reads it.
 */
#ifndef DD_SQL_CTX_H
#define DD_SQL_CTX_H

#include "../../util/base.h"
#include "../../util/err.h"
#include "../../util/arena.h"
#include "../../store/store.h"
#include "../types/value.h"
#include "../parse/ast.h"
#include "writeset.h"

struct SubLink;
struct Scope;
struct Op;

#define SEQ_NONE UINT64_MAX

/* What this session's nextval calls returned, for currval and lastval
 * (sequence id -> value); owned by the session, freed by seqsession_free. */
typedef struct SeqSession {
    u32 *ids; i64 *vals; int n, cap;
    bool has_last; i64 last;
} SeqSession;
void seqsession_free(SeqSession *s);

/* Everything a statement runs against.  Filled by the engine. */
struct CatView;
/* The fields of a record whose shape a function fixes
 * (information_schema._pg_expandarray's (x, n)): a record value's typmod
 * is its index in SqlCtx.recdescs, so its fields are known wherever its
 * column goes (a derived table's, a subquery's).  -1: not known. */
typedef struct RecDesc {
    int n;
    const char *const *names;
    const TypeId *types;
    const i32 *typmods;
} RecDesc;
/* A session as pg_stat_activity shows it (times in Unix µs, 0: none). */
typedef struct SqlActivity {
    int pid;
    const char *user, *application, *client, *database, *state, *query;
    i64 backend_start_us, xact_start_us, query_start_us, state_change_us;
    /* pg_stat_ssl: the connection's TLS (strings NULL without; client_dn,
     * client_serial and issuer_dn NULL without a client certificate) */
    bool ssl;
    int ssl_bits;
    const char *ssl_version, *ssl_cipher, *ssl_client_dn, *ssl_client_serial, *ssl_issuer_dn;
} SqlActivity;
/* Row lock modes, weakest first: PostgreSQL's FOR KEY SHARE, FOR SHARE,
 * FOR NO KEY UPDATE and FOR UPDATE (engine/rowlock.c has their conflicts). */
enum { ROWLOCK_KEY_SHARE, ROWLOCK_SHARE, ROWLOCK_NO_KEY_UPDATE, ROWLOCK_UPDATE };
/* What a lock held by another transaction does: wait, SKIP LOCKED, NOWAIT. */
enum { LOCKWAIT_BLOCK, LOCKWAIT_SKIP, LOCKWAIT_ERROR };
/* Advisory lock operations (SqlCtx.advisory). */
enum { ADVISORY_LOCK, ADVISORY_TRY, ADVISORY_UNLOCK, ADVISORY_UNLOCK_ALL };

typedef struct SqlCtx {
    Store *store;
    struct CatView *catview; /* the present's catalog as pg_catalog sees it, once asked (catalog/pgcat.h) */
    RecDesc *recdescs;       /* records of known shape, by typmod (statement arena) */
    int nrecdescs;
    Snap *snap;              /* pinned while the statement runs */
    TxnWrites *ws;            /* the transaction's uncommitted changes */
    Arena *stmt;             /* statement arena: plans, constants, results */
    /* where a call site keeps what it made on first use (a regex's
     * compiled patterns): a plan kept for later statements lives in its
     * own arena, not stmt (sql_plan_arena) */
    Arena *plan_mem;
    Arena *row;              /* reset for every output row */
    ValueCtx vctx;           /* time zone and arena for value I/O */
    i64 txn_time_us;         /* now(): transaction start (Unix µs) */
    i64 stmt_time_us;        /* statement_timestamp() */
    u64 session_point;       /* drift.system_time resolved to a seq, or SEQ_NONE */
    bool read_only;          /* writes fail with 25006 */
    /* the statement took its snapshot itself and has read nothing yet:
     * a time point that a commit in flight then falls before makes the
     * analysis fail with DD_ESNAPSHOT_RETRY, and the session runs it again
     * on a new snapshot (docs/time-travel.md §1) */
    bool snap_retry;
    const char *user;        /* session_user: the authenticated role (drift_commits records it) */
    const char *client_addr; /* the client's address (drift_commits), or NULL */
    const char *role;        /* current_user: SET ROLE's role, or NULL: user */
    /* the two by id, which privileges are checked by (a role renamed or
     * made anew under the old name is not the session's); *_known false:
     * by name */
    u32 user_id, role_id;
    bool user_known, role_known;
    size_t work_mem_bytes;   /* sql_work_mem's answer, once read (0: not yet) */
    u64 temp_bytes;          /* bytes the statement's temporary files hold now (exec/spill.c) */
    /* Privileges (catalog/acl.h) are checked for current_user, or, while
     * a view's query is planned, for the view's owner (acl_as) */
    bool acl_as_set;
    u32 acl_as;
    struct AclCache *aclc;   /* the roles' privileges this statement, once asked */
    bool acl_off;            /* a Describe (and COPY FROM's look at its target): no
                                privilege checks, as PostgreSQL checks them when the
                                statement runs */
    const char *database;    /* current_database() */
    int backend_pid;         /* pg_backend_pid() */
    u64 last_commit_seq;     /* drift_last_commit_seq(); 0: the session has not committed */
    u64 *xid;                /* the transaction's id (txid_current()), 0 until asked; NULL: none here */
    /* A stored expression of table t (a CHECK, a default, an index
     * expression or predicate) as PostgreSQL prints it (plan/deparse.c):
     * pretty or plain; assign: the column type a default's untyped literal
     * becomes (TYPE__COUNT: none).  false: print the text as written. */
    bool (*deparse)(struct SqlCtx *ctx, const TableInfo *t, const char *text, bool pretty, TypeId assign,
                    i32 assign_tm, Buf *out);
    /* A view's query as pg_get_viewdef prints it (plan/deparse.c), false:
     * print the text as written */
    bool (*deparse_view)(struct SqlCtx *ctx, const TableInfo *view, bool pretty, Buf *out);
    i64 start_us;            /* pg_postmaster_start_time(): when the database was opened (Unix µs) */
    /* current_setting(): the session's value of a setting, or NULL */
    const char *(*setting)(void *session, const char *name);
    /* set_config(): SET [LOCAL] name = value (NULL if the caller has none) */
    int (*set_setting)(void *session, const char *name, const char *value, bool is_local, DdError *err);
    /* pg_settings: setting i of the session (0, 1, ...): its name, value,
     * default and whether it is fixed; false past the last */
    bool (*setting_nth)(void *session, int i, const char **name, const char **value, const char **boot,
                        bool *readonly);
    /* pg_stat_activity: the database's open sessions, read at once, their
     * strings copied into a (DD_ENOMEM) */
    int (*activity_list)(void *session, SqlActivity **out, int *n, Arena *a);
    /* pg_cancel_backend / pg_terminate_backend: the authenticated role of
     * the session of backend pid into user (0; 1: no session has it),
     * then the signal (false: it ended meanwhile).  NULL: none */
    int (*backend_user)(void *session, int pid, char *user, size_t n);
    bool (*signal_backend)(void *session, int pid, bool terminate);
    /* the WARNINGs and NOTICEs the statement raised as it was planned and
     * ran, in order (statement arena; sql_note), which the result carries
     * (a statement that runs again starts them anew with its SqlCtx) */
    struct SqlNote *notes, *notes_tail;
    int nnotes;
    /* UPDATE, DELETE, SELECT ... FOR UPDATE/SHARE: locks row (table, pk)
     * in mode (ROWLOCK_*) for the transaction; while another transaction
     * holds it in a conflicting mode: waits (LOCKWAIT_BLOCK; or returns
     * DD_ESTATEMENT_WAIT to wait with the plan closed, when the statement
     * may run again), sets *skipped (LOCKWAIT_SKIP) or fails with 55P03
     * (LOCKWAIT_ERROR).  *changed: a version of the row newer than the
     * statement's snapshot was committed meanwhile (engine/rowlock.c).
     * NULL: no locks (a read-only open). */
    int (*lock_row)(struct SqlCtx *ctx, u32 table, const u8 *pk, u32 pklen, int mode, int wait, bool *changed,
                    bool *skipped);
    /* INSERT's new keys, many at once (COPY): locks keys pks of table in
     * mode, in order, while none is held by another transaction; *done
     * are locked, the caller waits for key *done through lock_row.  NULL:
     * no locks. */
    int (*lock_rows)(struct SqlCtx *ctx, u32 table, const u8 *const *pks, const u32 *lens, int n, int mode,
                     int *done);
    /* pg_advisory_lock and its kin (engine/rowlock.c): op ADVISORY_* on
     * key (form byte, then 8 bytes), shared or exclusive, session- or
     * transaction-level; *ok as rowlock_advisory says.  NULL: none. */
    int (*advisory)(struct SqlCtx *ctx, int op, const u8 *key, bool shared, bool session, bool *ok);
    /* Locks table (an id) in mode (TLOCK_*) for the transaction: while
     * another transaction holds it in a conflicting mode, waits (or
     * returns DD_ESTATEMENT_WAIT to wait before the statement is planned
     * again), or with LOCKWAIT_ERROR fails with 55P03.  NULL: no table
     * locks (a Describe, a read-only open). */
    int (*lock_table)(struct SqlCtx *ctx, u32 table, int mode, int wait);
    /* set while the statement is opened (run_sql): a SELECT ... FOR UPDATE
     * that meets a changed row may then run again (DD_ESTATEMENT_RESTART) */
    bool lock_restartable;
    /* READ COMMITTED: a row found changed runs the statement again on a
     * new snapshot (DD_ESTATEMENT_RESTART) when it has written nothing
     * yet (ws->writes still ws_writes0); otherwise 40001 */
    bool restart_ok;
    u64 ws_writes0;
    bool restart_discard;    /* the statement runs again with the write set emptied (dml_may_restart) */
    bool restart_undo;       /* ... with the write set as at its start (ws_undo_to_mark) */
    void *session;
    const char *sql;         /* the whole text, for error positions */
    DdError *err;
    /* set (from any thread) to stop the running statement: 57014 */
    volatile int *interrupt;
    /* rows of the enclosing queries while a correlated subquery runs,
     * innermost last (XOP_OUTER reads them) */
    const Value **outer_rows;
    int nouter, capouter;
    struct SubLink *links;   /* correlated subqueries, freed by plan_close */
    bool instrument;         /* EXPLAIN ANALYZE: operators count rows and time */
    /* an expression of the statement calls a function whose value depends
     * on when it is called (random(), nextval, clock_timestamp(): not
     * now()): its aggregates read their rows in order, on one thread
     * (executor.c agg_open, par_threads) */
    bool calls_volatile;
    /* $n parameters (1..nparams; a higher $n is 42P02).  param_types[i]:
     * the type of $i+1, declared by the client or TYPE_UNKNOWN; the
     * compiler replaces TYPE_UNKNOWN with the type the first context that
     * coerces the parameter needs (WHERE id = $1, LIMIT $1, INSERT targets,
     * $1::int), as PostgreSQL infers it.  params: their values, already of
     * those types, when executing; NULL when only describing the statement
     * (a parameter then evaluates to NULL and a FOR SYSTEM_TIME point that
     * is a parameter reads the present). */
    TypeId *param_types;
    /* while describing: per $n that an enum (array) context wants and that
     * stays untyped (its text is read as a label), the enum's id + 1, or
     * -(id + 1) for an array of it; 0 none.  NULL: not asked. */
    i32 *param_enums;
    /* while describing: per $n that a reg* context wants while DriftDB
     * reads it as a name when the statement runs ($1::regclass; nextval($1),
     * whose argument PostgreSQL types regclass), that reg* type, which
     * ParameterDescription names as PostgreSQL's; TYPE_NULLTYPE none.
     * NULL: not asked. */
    TypeId *param_regs;
    /* while describing: per $n, set once a context gave it a type (any,
     * an enum or reg* one included) or resolved it as text, as PostgreSQL's
     * select lists, ORDER BY and untyped UNION / VALUES / CASE branches do;
     * a $n left without is 42P18, as PostgreSQL's check_variable_parameters.
     * NULL: not asked. */
    u8 *param_resolved;
    int nparams;
    const Value *params;
    bool point_from_param;   /* set when describing read the present for a
                                FOR SYSTEM_TIME point that is a parameter */
    /* Set while planning when the plan holds something that a later run
     * could not reuse (sql_plan_reusable): a parameter's value read while
     * planning (none is known then), a FOR SYSTEM_TIME point, a system
     * relation's rows, a subquery */
    bool no_cache;
    /* Plans subquery s of an expression compiled in scope (its columns are
     * outer references there): the operator tree, its number of columns
     * and their types, and the first one's typmod (statement arena).  Set by
     * sql_prepare: analysis asks the planner above it (plan/select.c) without
     * including it. */
    int (*plan_subquery)(struct SqlCtx *ctx, SelectStmt *s, const struct Scope *scope, struct Op **root,
                         int *ncols, TypeId **types, i32 *typmod0);
    struct IndexExprs *ixexprs;   /* index expressions compiled for this statement (plan/indexddl.c) */
    struct ConvCache *convs;      /* ALTER COLUMN TYPE conversions compiled for this statement (exec/convert.c) */
    /* While a view's query is planned: the FOR SYSTEM_TIME clause of the
     * view's reference (points already resolved to seqs), which the
     * tables under it that name none read at (TEMPORAL_NONE: the
     * present, or the session point); and the depth of views expanded. */
    TemporalKind view_kind;
    u64 view_a, view_b;
    int view_depth;
    /* The member of a set operation being planned (analyze_setop): its
     * outputs take the operation's types, not text as a query's do. */
    const struct SelectStmt *setop_leaf;
    /* Select lists being compiled with the parameter types as PostgreSQL
     * sees them there (plan/select.c, select_params_snapshot). */
    int params_snapshot_depth;
    /* While a permanent view's query is planned: names find permanent
     * relations only (the view was made over them; a temporary table the
     * session made since does not capture it, as PostgreSQL binds a view
     * to its relations at CREATE). */
    bool no_temp;
    /* While a permanent view's query is planned: the view, whose
     * unqualified names mean first the relations it was made over
     * (catalog.h) */
    const TableInfo *view_bound;
    struct ViewDeps *view_deps;   /* CREATE VIEW: what its query reads (plan/view.c) */
    SeqSession *seqs;        /* the session's currval / lastval, or NULL */
    /* WITH queries in front of INSERT / UPDATE / DELETE (plan/select.c's
     * CteDefs), visible to every query the statement plans */
    const struct CteDef *stmt_ctes;
    /* data-modifying WITH queries: allowed in the WITH of this query
     * only (the statement's top), and their plans, which run before the
     * statement (sql_prepare hands them to its Plan) */
    const struct SelectStmt *dml_cte_top;
    struct Plan **pre; int npre, cappre;
} SqlCtx;

/* The arena as long-lived as the statement's plan and programs. */
static inline Arena *sql_plan_arena(SqlCtx *ctx) { return ctx->plan_mem ? ctx->plan_mem : ctx->stmt; }

/* $n (1-based) got a type from its context, or was resolved as text
 * (SqlCtx.param_resolved). */
static inline void sql_param_resolved(SqlCtx *ctx, int n)
{
    if (ctx->param_resolved && n >= 1 && n <= ctx->nparams) ctx->param_resolved[n - 1] = 1;
}

/* 57014 once *ctx->interrupt is set; every operator loop calls it. */
static inline int sql_check_interrupt(SqlCtx *ctx)
{
    if (ctx->interrupt && *ctx->interrupt)
        return dd_err(ctx->err, DD_ECANCELED, -1, "canceling statement due to user request");
    return DD_OK;
}
/* The memory one operator's hash table or sort may use: work_mem times
 * hash_mem_multiplier (2), in bytes (ctx.c). */
size_t sql_work_mem(SqlCtx *ctx);
/* temp_file_limit in bytes (UINT64_MAX: -1, no limit). */
u64 sql_temp_file_limit(SqlCtx *ctx);
/* A planner switch (enable_hashjoin, ...): false only when set off. */
bool sql_enabled(SqlCtx *ctx, const char *name);
/* A WARNING or NOTICE of the statement (SqlCtx.notes). */
typedef struct SqlNote {
    const char *severity;   /* "WARNING", "NOTICE" */
    const char *state;      /* SQLSTATE */
    const char *msg;
    struct SqlNote *next;
} SqlNote;
/* Adds one to the statement's notes (DD_ENOMEM). */
int sql_note(SqlCtx *ctx, const char *severity, const char *state, const char *fmt, ...) DD_PRINTF(4, 5);


/* Result column description. */
typedef struct ColDesc {
    const char *name;
    TypeId type;
    i32 typmod;
    bool untyped;    /* an untyped literal or NULL: type says TEXT, but a
                        set operation may still resolve it to another type */
    /* a bare column of a table (RowDescription's table OID and column
     * number, a view column's domain): the table's id, the column's id and
     * domain; 0: none */
    u32 src_table, src_col, src_domain;
    u32 src_sys;     /* or a system relation's OID (pg_class ...), src_col its column number */
} ColDesc;

#endif
