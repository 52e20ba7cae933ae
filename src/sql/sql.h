/*
 * sql.h - the SQL layer's interface to the engine (L4): run one parsed
 * statement against a snapshot and a transaction write set.
 *
 * Flow of a statement (DESIGN.md §4):
 *   parser.c    text -> Stmt (ast.h)
 *   analyzer.c  names and types: tables resolved AS OF their temporal
 *               clause, columns bound to row slots, expressions compiled
 *               once into flat programs (expr.c)
 *   planner.c   bound query -> tree of pull operators (executor.c)
 *   executor.c  operators pull rows; DML applies changes to the write set
 *
 * The engine owns the snapshot, the write set, settings and the
 * transaction state machine; this layer only reads them through SqlCtx.
 */
#ifndef DD_SQL_H
#define DD_SQL_H

#include "../util/base.h"
#include "../util/err.h"
#include "../util/arena.h"
#include "../store/store.h"
#include "types/value.h"
#include "parse/ast.h"
#include "txn/writeset.h"

#define SEQ_NONE UINT64_MAX

/* Everything a statement runs against.  Filled by the engine. */
typedef struct SqlCtx {
    Store *store;
    Snap *snap;              /* pinned while the statement runs */
    TxnWrites *ws;            /* the transaction's uncommitted changes */
    Arena *stmt;             /* statement arena: plans, constants, results */
    Arena *row;              /* reset for every output row */
    ValueCtx vctx;           /* time zone and arena for value I/O */
    i64 txn_time_us;         /* now(): transaction start (Unix µs) */
    i64 stmt_time_us;        /* statement_timestamp() */
    u64 session_point;       /* drift.system_time resolved to a seq, or SEQ_NONE */
    bool read_only;          /* writes fail with 25006 */
    const char *user;
    const char *database;    /* current_database() */
    /* current_setting(): the session's value of a setting, or NULL */
    const char *(*setting)(void *session, const char *name);
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
    /* $n parameters (1..nparams; a higher $n is 42P02).  param_types[i]:
     * the type of $i+1, declared by the client or TYPE_UNKNOWN; the
     * compiler replaces TYPE_UNKNOWN with the type the first context that
     * coerces the parameter needs (WHERE id = $1, LIMIT $1, INSERT targets,
     * $1::int), as PostgreSQL infers it.  params: their values, already of
     * those types, when executing; NULL when only describing the statement
     * (a parameter then evaluates to NULL and a FOR SYSTEM_TIME point that
     * is a parameter reads the present). */
    TypeId *param_types;
    int nparams;
    const Value *params;
    bool point_from_param;   /* set when describing read the present for a
                                FOR SYSTEM_TIME point that is a parameter */
} SqlCtx;

/* 57014 once *ctx->interrupt is set; every operator loop calls it. */
static inline int sql_check_interrupt(SqlCtx *ctx)
{
    if (ctx->interrupt && *ctx->interrupt)
        return dd_err(ctx->err, DD_ECANCELED, -1, "canceling statement due to user request");
    return DD_OK;
}
/* The memory a hash table of one operator may use: work_mem times
 * hash_mem_multiplier (2), in bytes. */
size_t sql_work_mem(SqlCtx *ctx);
/* A planner switch (enable_hashjoin, ...): false only when set off. */
bool sql_enabled(SqlCtx *ctx, const char *name);

typedef struct Plan Plan;    /* a prepared statement ready to run */

/* Result column description. */
typedef struct ColDesc {
    const char *name;
    TypeId type;
    i32 typmod;
    bool untyped;    /* an untyped literal or NULL: type says TEXT, but a
                        set operation may still resolve it to another type */
} ColDesc;

/*
 * Analyzes and plans a SELECT, INSERT, UPDATE, DELETE, CREATE TABLE, DROP
 * TABLE, VERIFY, EXPLAIN or SHOW TABLES/COLUMNS statement.  The plan lives
 * in ctx->stmt.
 */
int sql_prepare(SqlCtx *ctx, Stmt *stmt, Plan **out);
/* Columns of the plan's rows (0 for DML/DDL). */
int plan_columns(const Plan *p, const ColDesc **cols);
bool plan_returns_rows(const Plan *p);
/* Starts execution.  DML and DDL do all their work here. */
int plan_open(SqlCtx *ctx, Plan *p);
/* Next row: 1 (row in *row, valid until the next call), 0 end, <0 error. */
int plan_next(SqlCtx *ctx, Plan *p, const Value **row);
void plan_close(SqlCtx *ctx, Plan *p);
/* A NOTICE raised by the plan (message, SQLSTATE), or NULL. */
const char *plan_notice(const Plan *p, const char **sqlstate);
/* Command tag once done ("SELECT 3", "INSERT 0 1", ...), in ctx->stmt. */
const char *plan_tag(SqlCtx *ctx, Plan *p);

/* Builds the store commit of a write set (memory in ctx->stmt). */
int sql_build_commit(SqlCtx *ctx, TxnWrites *ws, WriteSet *out);

/* Resolves a point in time (an analyzed constant) to a seq. */
int sql_point_to_seq(SqlCtx *ctx, const Value *v, int loc, u64 *seq);
/* Parses a drift.system_time value: "@SEQ:n" or a timestamp. */
int sql_parse_point_text(SqlCtx *ctx, const char *text, u64 *seq);

#endif
