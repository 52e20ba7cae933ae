/*
 * sql.h - the SQL layer's interface to the engine (L4): run one parsed
 * statement against a snapshot and a transaction write set.
 *
 * Flow of a statement (docs/query-engine.md):
 *   parse/parser.c     text -> Stmt (parse/ast.h)
 *   analyze/compile.c  names and types: expressions bound through scopes
 *                      and compiled once into typed flat programs
 *   plan/select.c      tables resolved AS OF their temporal clause, access
 *                      paths, join order -> tree of pull operators
 *   exec/executor.c    operators pull rows (exec/eval.c evaluates the
 *                      programs); plan/dml.c applies changes to the write set
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
#include "txn/ctx.h"

typedef struct Plan Plan;    /* a prepared statement ready to run */
typedef struct UniqueSets UniqueSets;   /* COPY FROM's unique keys so far (plan/indexddl.c) */

/*
 * Analyzes and plans a SELECT, INSERT, UPDATE, DELETE, CREATE TABLE, DROP
 * TABLE, VERIFY, EXPLAIN or SHOW TABLES/COLUMNS statement.  The plan lives
 * in ctx->stmt.
 */
int sql_prepare(SqlCtx *ctx, Stmt *stmt, Plan **out);
/* The first data-modifying WITH query (INSERT / UPDATE / DELETE) in the
 * WITH of stmt's top, or NULL. */
const Stmt *sql_dml_cte(const Stmt *stmt);
/* COPY table [(cols)]: a generated column named in cols is 42P10, as
 * PostgreSQL's COPY does not take them; without cols, *out lists the
 * columns to copy when some are generated (which COPY leaves out), else
 * NULL (every column: `*`). */
int sql_copy_columns(SqlCtx *ctx, const char *table, char *const *cols, int n, const char ***out, int *nout);
/* Columns of the plan's rows (0 for DML/DDL). */
int plan_columns(const Plan *p, const ColDesc **cols);
bool plan_returns_rows(const Plan *p);
/*
 * A plan made to run in later statements too (PostgreSQL's generic plan of
 * a prepared statement): sql_prepare with SqlCtx.params NULL (each $n read
 * when the statement runs) and SqlCtx.plan_mem the arena the plan is kept
 * in, as ctx->stmt.  sql_plan_reusable: whether the plan may run again,
 * under a catalog, settings and role unchanged (the caller checks them):
 * a query of operators that keep nothing of a run (op_tree_reusable), no
 * parameter read while planning, no FOR SYSTEM_TIME point, no system
 * relation, no subquery, no notice.  Before each later run: ctx set up
 * anew for its statement over the planning's fields, and sql_plan_rearm.
 */
bool sql_plan_reusable(const SqlCtx *ctx, const Plan *p);
void sql_plan_rearm(Plan *p);
/* Starts execution.  DML and DDL do all their work here. */
int plan_open(SqlCtx *ctx, Plan *p);
/* Next row: 1 (row in *row, valid until the next call), 0 end, <0 error. */
int plan_next(SqlCtx *ctx, Plan *p, const Value **row);
void plan_close(SqlCtx *ctx, Plan *p);
/* A NOTICE raised by the plan (message, SQLSTATE), or NULL. */
const char *plan_notice(const Plan *p, const char **sqlstate);
/* Command tag once done ("SELECT 3", "INSERT 0 1", ...), in ctx->stmt. */
const char *plan_tag(SqlCtx *ctx, Plan *p);

/* COPY FROM STDIN: whether plan p, an INSERT INTO t (cols) VALUES ($1,
 * ..., $n) prepared once for the COPY, can take its rows directly; then
 * runs it over nrows rows of n values each (the parameters' types), as
 * that INSERT would run once per row with them, without parsing or
 * planning again.  *bad: the index of the row an error is about, or -1
 * when it is about the rows together (a unique index, a foreign key).
 * Memory in ctx->stmt, which the caller may reset between calls (the plan
 * must live elsewhere). */
bool sql_insert_rows_ok(const Plan *p);
/* keep: an arena that lasts the COPY, where *uniq (NULL at first) keeps
 * the keys of the table's unique indexes from one call to the next. */
int sql_insert_rows(SqlCtx *ctx, Plan *p, const Value *vals, int nrows, Arena *keep, UniqueSets **uniq, u64 *count,
                    int *bad);

/* SET CONSTRAINTS {ALL | name, ...} {DEFERRED | IMMEDIATE} in the
 * transaction (ctx->ws); spec as the parser gives it. */
int sql_set_constraints(SqlCtx *ctx, const char *spec);
/* Builds the store commit of a write set (memory in ctx->stmt), after the
 * checks of the foreign keys deferred to it (23503). */
int sql_build_commit(SqlCtx *ctx, TxnWrites *ws, WriteSet *out);
/* After a commit: the sequences the transaction restarted take the
 * values it left them at (ALTER SEQUENCE ... RESTART is transactional). */
int sql_apply_seq_restarts(Store *st, const TxnWrites *ws, DdError *err);
/* Once the rest of a transaction is durable: its changes to temporary
 * tables move into the session's (ws_fold_apply, prepared by
 * ws_fold_prepare), with the keys of their unique indexes.  ctx NULL when
 * the transaction wrote no row. */
void sql_fold_temp(SqlCtx *ctx, TxnWrites *ws, TempFold *f);

/* Resolves a point in time (an analyzed constant) to a seq. */
int sql_point_to_seq(SqlCtx *ctx, const Value *v, int loc, u64 *seq);
/* Parses a drift.system_time value: "@SEQ:n" or a timestamp. */
int sql_parse_point_text(SqlCtx *ctx, const char *text, u64 *seq);

#endif
