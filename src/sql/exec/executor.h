/*
 * executor.h - pull operators (docs/query-engine.md).
 *
 * Every operator produces rows of `width` Values.  next() returns 1 with
 * *row pointing at the operator's own row buffer (valid until its next call
 * to next() or close()), 0 at the end, or an error code (> 1 is never
 * returned; errors are negative: -DD_E*).  Values may borrow the LMDB map
 * (valid while the statement's snapshot is pinned), the write set, or the
 * row arena, which the top of the plan resets once per output row;
 * operators that keep rows across calls (sort, aggregate, distinct) copy
 * them into their own arena.
 *
 *   open -> next* -> close      (close is safe after a failed open)
 */
#ifndef DD_EXECUTOR_H
#define DD_EXECUTOR_H

#include "../txn/ctx.h"
#include "../catalog/catalog.h"
#include "../analyze/expr.h"
#include "../../temporal/temporal.h"

typedef struct Op Op;
typedef struct OpVtbl {
    const char *name;
    int (*open)(SqlCtx *ctx, Op *op);
    int (*next)(SqlCtx *ctx, Op *op, Value **row);
    void (*close)(SqlCtx *ctx, Op *op);
    void (*explain)(Op *op, Buf *out);   /* detail after the name, may be NULL */
    /* EXPLAIN ANALYZE: a line under the node ("Sort Method: external
     * merge  Disk: 1024kB"), nothing if it has none; may be NULL */
    void (*analyze)(Op *op, Buf *out);
} OpVtbl;

struct Op {
    const OpVtbl *vt;
    int width;
    Op *child;
    Op *child2;        /* joins */
    EvalEnv env;
    /* the planner's estimates (0: derived from the children by EXPLAIN) */
    double est_rows, est_cost;
    /* EXPLAIN ANALYZE: counted while SqlCtx.instrument is set */
    u64 act_rows, act_loops;
    double act_first_ms, act_total_ms, act_loop_ms;
    bool act_started;
};


/* Scan of one table in a temporal mode.  Output: t->ncols column values
 * then the HIST_COLS history columns.  used[] (width entries, may be NULL)
 * says which history columns to compute. */
Op *op_scan(SqlCtx *ctx, const TableInfo *t, TMode mode, u64 a, u64 b, const bool *used);
/* Restricts a scan to one primary key (encoded), or to the rows whose
 * values in index ix lie in [lo, hi) (encoded; NULL: open), in any mode
 * (past points and ranges read the index's history entries). */
void op_scan_set_pk(Op *scan, const u8 *pk, u32 n);
void op_scan_set_index(Op *scan, const IndexInfo *ix, const u8 *lo, u32 lolen, const u8 *hi, u32 hilen);
/* A key column's value for a parameterized scan: a constant (prog NULL)
 * or a program evaluated when the scan opens (it reads enclosing queries'
 * rows), converted to the column's type. */
typedef struct ScanKeyPart { ExprProg *prog; Value val; TypeId type; } ScanKeyPart;
/* Restricts a scan to the keys that start with the values of parts[0..n),
 * known when the scan opens: of the primary key (ix NULL; point: all of
 * it, one key) or of index ix.  A NULL or inexact value finds nothing. */
void op_scan_set_param(Op *scan, const IndexInfo *ix, ScanKeyPart *parts, int n, bool point);
/* Restricts a scan (present or AS OF) to the primary keys keys[0..n),
 * sorted, without repeats (a key IN list). */
void op_scan_set_keys(Op *scan, const u8 *const *keys, const u32 *lens, int n);
/* The row a parameterized scan's key programs read (XOP_SLOT): the
 * canonical row of a join whose outer side is in it.  NULL: none. */
void op_scan_set_param_row(Op *scan, const Value *row);
/* Whether scan (a scan op) reads its whole table (no key, range or index). */
/* Whether the tree at op may run in later statements, and, before each of
 * them, what it kept in the last statement's arena forgotten (its
 * constants, programs and plan-time memory live on). */
bool op_tree_reusable(const Op *op);
void op_tree_rearm(Op *op);
bool op_scan_is_full(const Op *scan);
/* The scan under op (op itself or through filters), or NULL. */
Op *op_scan_of(Op *op);
/* Restricts a scan to encoded primary keys in [lo, hi) (NULL: unbounded). */
void op_scan_set_range(Op *scan, const u8 *lo, u32 lolen, const u8 *hi, u32 hilen);
/* The table of op when op is (a filter or a Place over) a scan that
 * returns rows in primary-key order, else NULL. */
const TableInfo *op_scan_in_key_order(const Op *op);
/* The table of (a filter over) a scan, else NULL. */
const TableInfo *op_scan_table(const Op *op);
/* The index of (a filter over) an index scan, else NULL. */
const IndexInfo *op_scan_index(const Op *op);
/* Makes (a filter over) a scan return its rows in the order of index ix
 * (NULL: of the primary key), ascending or descending (values ASC NULLS
 * LAST, or DESC NULLS FIRST, then the key the same way); false when it
 * cannot: past data read descending, an index other than its own path, a
 * key list or a per-row key read backwards.  A whole-table scan becomes a
 * scan of the whole of ix.  Index order holds only for the snapshot's
 * rows: the caller checks that the transaction wrote none of the table. */
bool op_scan_set_order(Op *op, const IndexInfo *ix, bool desc);
/* Whether op is (a filter over) a scan of one primary key. */
bool op_scan_is_point(const Op *op);
Op *op_one_row(SqlCtx *ctx);
Op *op_filter(SqlCtx *ctx, Op *child, ExprProg *pred);
Op *op_project(SqlCtx *ctx, Op *child, ExprProg **exprs, int n);
Op *op_aggregate(SqlCtx *ctx, Op *child, ExprProg **group, int ngroup, AggSpec **aggs, int naggs);
/* GROUPING SETS / ROLLUP / CUBE: the groups of each set (a mask over the
 * group keys; the keys outside it are NULL); the output row holds the
 * keys, then the set's index (int4), then the aggregates. */
void op_aggregate_sets(Op *op, const u64 *sets, int nsets);
typedef struct SortKey { int slot; bool desc; bool nulls_first; } SortKey;
/* Sorts its input (stable).  topn > 0: only the first topn rows are
 * wanted (LIMIT + OFFSET), kept in a heap as the input streams. */
Op *op_sort(SqlCtx *ctx, Op *child, SortKey *keys, int nkeys, i64 topn);
Op *op_distinct(SqlCtx *ctx, Op *child, int ncols);
/* The first row of each distinct value of columns [off, off + ncols)
 * (DISTINCT ON, after the sort that decides which row is first). */
Op *op_distinct_on(SqlCtx *ctx, Op *child, int off, int ncols);
/* DISTINCT ON over rows that arrive sorted on its keys (ORDER BY begins
 * with them): each row is compared with the last one passed, no set. */
void op_distinct_sorted(Op *op);
Op *op_limit(SqlCtx *ctx, Op *child, i64 limit, i64 offset);
/* A LIMIT / OFFSET (either may be NULL) that reads columns of an enclosing
 * query: evaluated as each run of the Limit opens, in place of its
 * constants. */
void op_limit_late(Op *op, ExprProg *limit, ExprProg *offset);
/* SELECT ... FOR UPDATE / SHARE: per row of child, locks the row of each
 * table rels[i] it came from (its primary key in child's slots
 * [key0, key0 + t->npk)) in mode, with wait (LOCKWAIT_*: SKIP LOCKED drops
 * the row).  All the locking is done at open, up to maxrows rows kept
 * (LIMIT + OFFSET; -1: all), which are then handed out: a row found
 * changed since the snapshot can still run the statement again (READ
 * COMMITTED, SqlCtx.lock_restartable) before anything is returned. */
typedef struct LockRel {
    const TableInfo *t;
    int mode, wait;
    int key0;
} LockRel;
Op *op_lockrows(SqlCtx *ctx, Op *child, const LockRel *rels, int nrels, i64 maxrows);
/* FETCH FIRST limit ROWS WITH TIES: then the rows equal to the last one
 * on the ORDER BY keys (their slots). */
Op *op_limit_ties(SqlCtx *ctx, Op *child, i64 limit, i64 offset, const SortKey *keys, int nkeys);
/* Slot ranges [off[i], off[i] + len[i]) of a canonical FROM row (a join
 * side's relations; executor.c explains canonical rows). */
/* used (may be NULL): per canonical slot, the flag that says whether the
 * query reads it (a ScopeRel's used[], final once planning is done);
 * operators that keep rows (hash tables, a nested loop's inner side) keep
 * only those slots. */
typedef struct SlotRanges { int n; const int *off; const int *len; const bool *const *used; } SlotRanges;
/* The canonical row of a FROM clause: `width` NULLs (statement arena).
 * Every operator of one join tree writes its relations' slots into this
 * one buffer and returns it, so a join never copies the streaming side. */
Value *op_canonical_row(SqlCtx *ctx, int width);
/* A leaf's own rows placed at slots [base, base + child->width) of the
 * canonical row.  deep: copy the values' payloads (for leaves whose values
 * live in the row arena: derived tables, drift_commits). */
Op *op_place(SqlCtx *ctx, Op *child, int base, Value *row, int width, bool deep);
/* Nested-loop join of canonical rows: the inner side is read once per
 * open; `on` is checked per pair.  LEFT pads unmatched outer rows with
 * NULLs. */
Op *op_nljoin(SqlCtx *ctx, Op *outer, Op *inner, ExprProg *on, JoinType type,
              const SlotRanges *outer_r, const SlotRanges *inner_r, Value *row, int width);
/* Hash join of canonical rows on probe_keys[i] = build_keys[i]; residual
 * (may be NULL) is checked per match.  INNER; LEFT (probe rows without a
 * match padded with NULLs); SEMI (each probe row with a match, once); ANTI
 * (each probe row without one); ANTI_NULLS (NOT IN: the last key is the
 * tested value, the others correlate; a probe row is kept when the build
 * rows of its correlation keys are none, or when its value is not NULL and
 * none of them has that value or a NULL; no residual).  For SEMI and ANTI
 * the build side may be another FROM clause's rows (build_r empty, row the
 * probe's). */
Op *op_hashjoin(SqlCtx *ctx, Op *probe, Op *build, int nkeys, ExprProg **probe_keys,
                ExprProg **build_keys, ExprProg *residual, JoinType type,
                const SlotRanges *probe_r, const SlotRanges *build_r, Value *row, int width);
/* Nested loop whose inner side, a parameterized scan of one table,
 * is opened again for each outer row (an index nested-loop join).
 * INNER, LEFT, SEMI or ANTI. */
Op *op_paramjoin(SqlCtx *ctx, Op *outer, Op *inner, ExprProg *residual, JoinType type,
                 const SlotRanges *outer_r, const SlotRanges *inner_r, Value *row, int width);
/* The inner side of a parameterized join is a LATERAL item: it reads the
 * joined row as its enclosing row (XOP_OUTER one level up). */
void op_paramjoin_lateral(Op *op);
/* Pushes row on the stack of enclosing rows that XOP_OUTER reads (a
 * correlated subquery's or a LATERAL item's); the caller pops it
 * (ctx->nouter--). */
int sql_push_outer(SqlCtx *ctx, const Value *row);
/* Inner merge join of canonical rows on lkeys[i] = rkeys[i]: both inputs
 * arrive ordered by their keys (ascending) and unique on them; residual
 * (may be NULL) is checked per equal pair. */
Op *op_mergejoin(SqlCtx *ctx, Op *left, Op *right, int nkeys, ExprProg **lkeys, ExprProg **rkeys,
                 ExprProg *residual, const SlotRanges *lr, const SlotRanges *rr, Value *row, int width);
/* Window functions: the calls wins[0..nwin) computed over all rows of
 * child (width base), each into slot base + k of its rows. */
Op *op_window(SqlCtx *ctx, Op *child, int base, WinCall **wins, int nwin);
/* srf.c: the set-returning calls of a FROM item in lockstep (width
 * ncalls, + 1 bigint WITH ORDINALITY; EXPLAIN names it `name`), and of a
 * SELECT list: each input row of in_width values, then the calls' values,
 * as many rows as the longest call gives. */
Op *op_function_scan(SqlCtx *ctx, SrfCall **calls, int ncalls, const char *name, bool ordinality);
Op *op_project_set(SqlCtx *ctx, Op *child, int in_width, SrfCall **calls, int ncalls);
/* The json functions in FROM over a json or jsonb document (arg, of
 * `type`): jsonb_each (key text, value), _each_text (key, value text),
 * _array_elements (value), _array_elements_text (value text),
 * _object_keys (text); ordinality a last bigint column 1, 2, ...  22023
 * for a document of the wrong shape, with PostgreSQL's messages. */
typedef enum JsonSrfKind { JSRF_EACH, JSRF_EACH_TEXT, JSRF_ELEMENTS, JSRF_ELEMENTS_TEXT, JSRF_KEYS,
                           JSRF_PATH, JSRF_TO_RECORD, JSRF_TO_RECORDSET,
                           JSRF_POPULATE_RECORD, JSRF_POPULATE_RECORDSET   /* as _TO_, named so in errors */
                         } JsonSrfKind;
/* JSRF_PATH: jsonb_path_query(target, path text [, vars [, silent]]), args[0..nargs) */
Op *op_json_srf(SqlCtx *ctx, ExprProg **args, int nargs, JsonSrfKind kind, TypeId type, bool ordinality);
/* json(b)_to_record(doc) (JSRF_TO_RECORD: one row) and _to_recordset(doc)
 * (a row per object of the array) AS (name type, ...): each column the
 * value of its key converted as PostgreSQL's populate functions do (a
 * string's text or the value's JSON text through the type's input, json
 * and jsonb as they are, a JSON array into an array type), NULL when
 * missing or null. */
Op *op_json_to_record(SqlCtx *ctx, ExprProg *arg, JsonSrfKind kind, TypeId type, int ncols, const char *const *names,
                      const TypeId *types, const i32 *typmods, bool ordinality);
/* The same functions as iterators (srf.c, in SELECT lists): an op from
 * op_json_srf (args NULL) run over argument values argv (a NULL one gives
 * no rows), row i's first value read, the op's memory freed. */
int op_json_srf_run(SqlCtx *ctx, Op *srf, const Value *argv);
/* Row i of a json(b)_each(_text) operator as the record (key, value) in a:
 * 1, 0 past the last row, -code. */
int op_json_srf_record(Op *op, int i, Arena *a, Value *out);
int op_json_srf_row(Op *srf, int i, Value *out);
void op_json_srf_free(Op *srf);
/* UNION ALL (distinct: UNION) of kids[0..nkids), read one after the
 * other, each opened in its turn. */
Op *op_append(SqlCtx *ctx, Op **kids, int nkids, bool distinct, int ncols);
/* INTERSECT / EXCEPT over the first ncols columns of both inputs (kind
 * as SelectStmt.setop: 2 INTERSECT, 3 EXCEPT), with a hash multiset of the
 * right input (spilled past work_mem).  Without ALL the result has no
 * duplicates.  UNION is op_append's. */
Op *op_setop(SqlCtx *ctx, Op *left, Op *right, int kind, bool all, int ncols);
/* The drift_commits system table (docs/time-travel.md §7): one row per commit
 * with seq <= upto, read from the commit log.  Columns: see
 * commits_col_names / commits_col_types. */
Op *op_commits(SqlCtx *ctx, u64 upto);
/* Whether op is a drift_commits scan; narrows one to seqs from..upto
 * (false if op is not one). */
bool op_is_commits(const Op *op);
bool op_commits_bound(Op *op, u64 from, u64 upto);
/* Rows materialized by the planner (VERIFY, SHOW). */
Op *op_rows(SqlCtx *ctx, int width, Value *rows, int nrows);
/* The rows at *rows (*nrows of them, width values each) as they are when
 * the operator opens: a data-modifying WITH query's RETURNING rows,
 * kept once it has run ("CTE Scan on name"). */
Op *op_rows_late(SqlCtx *ctx, int width, Value *const *rows, const size_t *nrows, const char *name);

int op_open_instrumented(SqlCtx *c, Op *o);
int op_next_instrumented(SqlCtx *c, Op *o, Value **r);
static inline int op_open(SqlCtx *c, Op *o)
{
    return c->instrument ? op_open_instrumented(c, o) : o->vt->open(c, o);
}
static inline int op_next(SqlCtx *c, Op *o, Value **r)
{
    return c->instrument ? op_next_instrumented(c, o, r) : o->vt->next(c, o, r);
}
static inline void op_estimate(Op *o, double rows, double cost)
{
    o->est_rows = rows;
    o->est_cost = cost;
}
static inline void op_close(SqlCtx *c, Op *o) { if (o) o->vt->close(c, o); }
/* The plan as PostgreSQL prints it: one node per line, estimated rows
 * and cost (costs), and with analyze the actual rows, loops and times
 * (timing) counted by the last run. */
void op_explain(Op *o, int depth, bool costs, bool analyze, bool timing, Buf *out);
/* The estimates EXPLAIN prints for o: rows, startup and total cost. */
void op_cost(Op *o, double *rows, double *startup, double *total);

/* The encoded key of index ix for a row of t (values in table column
 * order, expressions evaluated over them); *has_null when an indexed value
 * is NULL.  A row a partial index does not cover: an empty key, and
 * *has_null (indexkey.c). */
int sql_index_key(SqlCtx *ctx, const TableInfo *t, const IndexInfo *ix, const Value *vals, Buf *out, bool *has_null);
/* Expression column k of index ix of t (k -1: a partial index's
 * predicate, as boolean): compiled over t's columns (slot = column index)
 * and parsed, once per statement. */
int sql_index_expr(SqlCtx *ctx, const TableInfo *t, const IndexInfo *ix, int k, ExprProg **prog, Expr **ast);
/* Parses an expression the catalog keeps as SQL text (a DEFAULT, a CHECK,
 * an index expression): *out, and *sql (may be NULL) the text parsed, for
 * error positions; XX001 naming `what` when it is not one expression. */
int sql_parse_expr_text(SqlCtx *ctx, const char *text, const char *what, Expr **out, const char **sql);
/* The same key before it is cut to the stored prefix (for exact unique
 * checks of long values). */
int sql_index_key_full(SqlCtx *ctx, const TableInfo *t, const IndexInfo *ix, const Value *vals, Buf *out,
                       bool *has_null);
/* Rewrites text, an expression the catalog keeps over the rows of table
 * `table` (a CHECK, an index's expression or predicate, a generation
 * expression): each column reference loses its qualifier (`table.c` and
 * `public.table.c` become `c`, so the text no longer depends on the
 * table's name), and with col each reference to col is renamed newname.
 * *out NULL when the text names col (or another relation) somewhere the
 * rewrite cannot follow. */
int sql_rewrite_refs(SqlCtx *ctx, const char *text, const char *table, const char *col, const char *newname,
                     char **out);
/* Whether partial index ix covers row vals (its predicate is true); always
 * for an index that is not partial. */
int sql_index_covers(SqlCtx *ctx, const TableInfo *t, const IndexInfo *ix, const Value *vals, bool *in);

/*
 * Decodes row image rec of t, written at seq start (0: by the open
 * transaction, under t), into vals[0..t->ncols) as row_decode_used does
 * (used NULL: every column); an image older than some of t's ALTER COLUMN
 * TYPE conversions is read with the types it was written with and
 * converted (convert.c).  Converted values live in the row arena.
 */
int sql_row_decode(SqlCtx *ctx, const TableInfo *t, const u8 *rec, u32 n, u64 start, Value *vals, const bool *used);
/* Whether an image of t written at seq start reads as row_decode_used
 * reads it (no conversion of t's is pending for it). */
bool sql_row_plain(const TableInfo *t, u64 start);
/* The same for an image encoded just before conversion t->convs[first]
 * (the open transaction's own rows when an ALTER TABLE changes types):
 * the conversions from first on are applied. */
int sql_row_convert_from(SqlCtx *ctx, const TableInfo *t, int first, const u8 *rec, u32 n, Value *vals);
/* The program converting column col, as read in table version scope, to
 * type to (typmod): e (the statement's USING, over scope's names), else
 * cv's USING text (over the names cv->refs kept), else the column itself,
 * coerced by assignment (42804 when there is no such cast); compiled with
 * cv's settings (the session's without cv), history columns unnamed.  *used (may be NULL):
 * per column of scope, whether the expression reads it (statement arena). */
int sql_conv_compile(SqlCtx *ctx, const TableInfo *scope, const ColumnInfo *col, const ColConv *cv, Expr *e,
                     TypeId to, i32 typmod, ExprProg **out, bool **used);

/* Copies v's variable-length payload into a. */
int val_copy(Arena *a, const Value *v, Value *out);

/* WITH RECURSIVE: op_recursive_union returns the rows of nonrec, then of
 * rounds of rec, whose op_worktable references read the rows of the
 * round before, until a round has none; distinct (UNION) drops rows seen
 * before.  The WorkTable ties them (statement arena). */
typedef struct WorkTable WorkTable;
WorkTable *worktable_new(SqlCtx *ctx);
Op *op_worktable(SqlCtx *ctx, WorkTable *wt, int ncols);
Op *op_recursive_union(SqlCtx *ctx, Op *nonrec, Op *rec, WorkTable *wt, bool distinct, int ncols);

#endif
