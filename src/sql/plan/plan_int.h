/*
 * plan_int.h - what the files of plan/ share among themselves: the FROM
 * items of a query (select.c), the join planner's entry (join.c) and the
 * helpers both use.  Not for other stages.
 */
#ifndef DD_PLAN_INT_H
#define DD_PLAN_INT_H

#include "plan.h"
#include "../analyze/domain.h"
#include "../catalog/acl.h"

/* One item of a FROM clause, as the planners see it. */
/* An output column of a bare `*`: scope slot `slot`, or merged column
 * `merged` (>= 0: Scope.merged) of a JOIN ... USING. */
typedef struct StarCol { int slot; int merged; } StarCol;

typedef struct FromItem {
    Op *op;
    ScopeRel *rels; int nrels;   /* slot0 relative to this item */
    int width;
    /* single table, for WHERE access paths */
    const TableInfo *table;
    TMode mode; u64 a, b;
    bool simple;
    /* a derived table or WITH query: what planning it again needs */
    SelectStmt *dsel;
    const Scope *denv;
    Plan *dplan;
    const char *dalias; char **dcols; int ndcols; int dloc;
    /* a view: its catalog version and the clause its tables read at */
    const TableInfo *view;
    TemporalKind vkind; u64 va, vb;
    /* a FROM clause with JOIN ... USING: its merged columns and what a
     * bare * lists (NULL: every relation's visible columns in order) */
    const MergedCol *merged; int nmerged;
    const StarCol *star; int nstar;
    /* describing (plan_from_where): the parameters' types once FROM was
     * planned, before WHERE (select_params_snapshot), or NULL */
    TypeId *params_at_where;
} FromItem;

#define INDEX_MAX_KEYS 32   /* columns of an index, as PostgreSQL's (54011 past it) */

/* syscat.c: pg_catalog's and information_schema's relations.  lookup:
 * whether a name as written means one (a user's relation earlier in
 * search_path wins); from_syscat: its rows of the catalog at point
 * (SEQ_NONE: the present). */
int from_syscat(SqlCtx *ctx, TableRef *tr, const char *schema, const char *base, u64 point, FromItem *fi);

/* dml.c: locks row pk of t, which the statement changes, in mode
 * (ROWLOCK_*); a row changed since the snapshot runs the statement again
 * (READ COMMITTED, dml_may_restart) or fails with 40001. */
int dml_lock_row(SqlCtx *ctx, const TableInfo *t, const u8 *pk, u32 pklen, int mode);
/* Whether a READ COMMITTED statement that met a row changed since its
 * snapshot may run again on a new one (run by run_sql, and it wrote
 * nothing yet, or the transaction wrote nothing before it but rows: then
 * ctx->restart_discard asks run_sql to drop them first). */
bool dml_may_restart(SqlCtx *ctx);

/* locking.c: SELECT ... FOR UPDATE / SHARE.  locking_check: what the
 * query may not have (0A000), and a read-only transaction (25006);
 * locking_targets: the tables whose rows the clauses lock (LockRel, their
 * key0 to fill), each with its scope relation. */
const char *locking_mode_name(int mode);
int locking_check(SqlCtx *ctx, const SelectStmt *s, bool aggregates, int nwins, int nsrfs);
int locking_targets(SqlCtx *ctx, const SelectStmt *s, const Scope *scope, LockRel **out, int *nout,
                    const ScopeRel ***rels_out);

/* select.c: FROM items */
int from_table(SqlCtx *ctx, TableRef *tr, FromItem *fi);
/* FOR SYSTEM_TIME point e as a seq; *at its time (unix µs) when it is a
 * time, else INT64_MIN (select.c). */
int eval_point(SqlCtx *ctx, Expr *e, u64 *seq, i64 *at);
int from_derived(SqlCtx *ctx, SelectStmt *sel, const char *alias, char **cols, int ncols,
                 int loc, const Scope *env, FromItem *fi);
/* Moves the conjuncts conj[0..n) over derived table fi (relation rel of
 * the enclosing FROM clause) into its query where that keeps the answer
 * (no LIMIT or set operation; through grouping only on grouping columns;
 * nothing volatile, no subqueries) and plans it again; pushed[i] tells
 * which moved. */
int derived_pushdown(SqlCtx *ctx, FromItem *fi, const ScopeRel *rel, Expr **conj, int n, bool *pushed);
/* The WITH query called name visible in env, else one of a WITH in front
 * of the statement (INSERT / UPDATE / DELETE: SqlCtx.stmt_ctes), or NULL. */
const CteDef *cte_lookup(SqlCtx *ctx, const Scope *env, const char *name);

int from_function(SqlCtx *ctx, TableRef *tr, const Scope *env, FromItem *fi);
int from_cte(SqlCtx *ctx, TableRef *tr, const CteDef *d, FromItem *fi);
/* Whether e reads a column (or runs a subquery). */
bool ast_has_column(const Expr *e);

/* view.c */
/* A view's reference in FROM: its query planned as a derived table, its
 * tables read at (k, a, b) unless they name a point of their own. */
int from_view(SqlCtx *ctx, TableRef *tr, const TableInfo *v, TemporalKind k, u64 a, u64 b, FromItem *fi);
/* Plans sel (the query of view vfi->view, maybe with conditions pushed
 * into it) as vfi's view reference does, into fi. */
int view_plan(SqlCtx *ctx, const FromItem *vfi, SelectStmt *sel, FromItem *fi);
/* CREATE VIEW: records that the query reads t (rel: its columns as the
 * query references them; NULL for a view). */
void view_note_read(SqlCtx *ctx, const TableInfo *t, ScopeRel *rel);
/* CREATE VIEW: table reference tr, written unqualified, names t. */
void view_note_ref(SqlCtx *ctx, const TableRef *tr, const TableInfo *t);

/* sequence.c: a sequence in FROM (its value now, one row) */
int from_sequence(SqlCtx *ctx, TableRef *tr, const TableInfo *t, FromItem *fi);

/* access.c */
/* Evaluates constant expression k as column type ct (typmod ctm: an
 * enum's, or an enum array's, is its type's id and reads a label; -1
 * otherwise), only when the value converts exactly (so that key order is
 * the order of the comparison). */
bool const_as_column(SqlCtx *ctx, Expr *k, TypeId ct, i32 ctm, Value *out);
/* Evaluates constant expression k (false: not constant, NULL or failed;
 * nothing reported). */
bool const_value(SqlCtx *ctx, Expr *k, Value *out);
/* Appends the conjuncts of e (split at AND) to out[0..*n) (statement arena). */
int and_split_list(SqlCtx *ctx, Expr *e, Expr ***out, int *n, int *cap);
/* Whether conjuncts conj[0..n) imply partial index ix's predicate (each of
 * its conjuncts is one of them, as written); true for an index that is not
 * partial.  PostgreSQL proves more (x > 5 implies x > 0); DriftDB does not
 * use the index then, which changes speed, never answers. */
bool sql_index_implied(SqlCtx *ctx, const TableInfo *t, const IndexInfo *ix, Expr *const *conj, int n);

/* dml.c: one row's change by a statement: old NULL for an INSERT, neu
 * NULL for a DELETE (values as the table's columns); newpk: the key after
 * an update (dml_apply_changes sets it). */
typedef struct RowChange {
    Value *old, *neu;
    u8 *newpk; u32 newpklen;
} RowChange;
/* Writes changes of rows of t (NOT NULL and p's CHECK programs on the
 * new images; unique indexes after); *count (may be NULL) counts them. */
int dml_apply_changes(SqlCtx *ctx, const Plan *p, const TableInfo *t, RowChange *ch, size_t nch, u64 *count);
/* The DEFAULT of column c compiled (a typed NULL when it has none). */
int dml_compile_default(SqlCtx *ctx, const ColumnInfo *c, ExprProg **out);

/* fk.c: FOREIGN KEY constraints */
/* Adds FOREIGN KEY c to t (the version being made). */
int add_foreign_key(SqlCtx *ctx, TableInfo *t, const Constraint *c);
/* ALTER TABLE ADD FOREIGN KEY: the present rows of t0 against t's last
 * foreign key (23503). */
int fk_validate_present(SqlCtx *ctx, const TableInfo *t0, const TableInfo *t);
/* Foreign key fk of table child checked one row at a time (ALTER COLUMN
 * TYPE ... USING converts the rows itself): fk_check_begin resolves it
 * against parent (NULL: the referenced table's present version; else a
 * version being made) in the statement arena; fk_check_row gives 23503
 * when row (values in child's column order) has no parent;
 * fk_check_children checks every present row of child. */
typedef struct FkRes FkCheck;
int fk_check_begin(SqlCtx *ctx, const TableInfo *child, const ForeignKeyInfo *fk, const TableInfo *parent,
                   FkCheck **out);
int fk_check_row(SqlCtx *ctx, FkCheck *c, const Value *row);
int fk_check_children(SqlCtx *ctx, FkCheck *c);
/* Whether a change of t's rows concerns a foreign key (t has one, or one
 * references t). */
int fk_relevant(SqlCtx *ctx, const TableInfo *t, bool *relevant);
/* After a statement wrote ch[0..n) to t: the actions of the foreign keys
 * that reference t (CASCADE, SET NULL, SET DEFAULT: their writes, and so
 * on down), then the checks (23503) of every row written. */
int fk_after_writes(SqlCtx *ctx, const TableInfo *t, RowChange *ch, size_t n);
/* The foreign keys of other tables that reference table id (its column
 * col; 0: any): with cascade removed (new versions in p->alter, with a
 * NOTICE), else 2BP01 naming `what`.  p->drop's tables are skipped. */
int fk_drop_dependents(SqlCtx *ctx, Plan *p, u32 id, u32 col, const char *what, bool cascade);
/* The same for unique index ix of t about to go: the foreign keys that
 * need it (no primary key or other unique index of t has their columns). */
int fk_drop_index_dependents(SqlCtx *ctx, Plan *p, const TableInfo *t, const IndexInfo *ix, const char *what, bool cascade);
/* p's new version of table t (a copy made on first need, in p->alter). */
TableInfo *plan_alter_version(SqlCtx *ctx, Plan *p, const TableInfo *t);
/* TRUNCATE: 0A000 when a table that p truncates is referenced from one
 * it does not. */
int fk_check_truncate(SqlCtx *ctx, const Plan *p);

/* keyset.c: a set of encoded keys (in an arena), each with a value */
typedef struct KeySetEntry { u8 *key; u32 len; u32 val; } KeySetEntry;
typedef struct KeySet { KeySetEntry *e; size_t cap, count; } KeySet;
/* Adds key with val unless there (*had, when not NULL, tells; the first
 * val stays). */
int keyset_put(Arena *a, KeySet *ks, const u8 *key, u32 len, u32 val, bool *had);
/* The entry of key, or NULL. */
KeySetEntry *keyset_get(const KeySet *ks, const u8 *key, u32 len);

/* join.c: plans FROM and WHERE of s; fi gets the operator (canonical rows
 * of all its relations) and the relations of the scope. */
int plan_from_where(SqlCtx *ctx, SelectStmt *s, const Scope *env, FromItem *fi);
/* Describing a statement: a copy of the parameters' types now, which the
 * select list of s is analyzed with (select.c); NULL when not describing,
 * without parameters, or when out of memory (the types then stay DriftDB's
 * order's). */
TypeId *select_params_snapshot(SqlCtx *ctx, const SelectStmt *s);

#endif
