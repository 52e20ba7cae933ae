/*
 * plan_int.h - what the files of plan/ share among themselves: the FROM
 * items of a query (select.c), the join planner's entry (join.c) and the
 * helpers both use.  Not for other stages.
 */
#ifndef DD_PLAN_INT_H
#define DD_PLAN_INT_H

#include "plan.h"

/* One item of a FROM clause, as the planners see it. */
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
} FromItem;

/* select.c: FROM items */
int from_table(SqlCtx *ctx, TableRef *tr, FromItem *fi);
int from_derived(SqlCtx *ctx, SelectStmt *sel, const char *alias, char **cols, int ncols,
                 int loc, const Scope *env, FromItem *fi);
/* Moves the conjuncts conj[0..n) over derived table fi (relation rel of
 * the enclosing FROM clause) into its query where that keeps the answer
 * (no LIMIT or set operation; through grouping only on grouping columns;
 * nothing volatile, no subqueries) and plans it again; pushed[i] tells
 * which moved. */
int derived_pushdown(SqlCtx *ctx, FromItem *fi, const ScopeRel *rel, Expr **conj, int n, bool *pushed);
const CteDef *cte_lookup(const Scope *env, const char *name);
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

/* sequence.c: a sequence in FROM (its value now, one row) */
int from_sequence(SqlCtx *ctx, TableRef *tr, const TableInfo *t, FromItem *fi);

/* access.c */
/* Evaluates constant expression k as column type ct, only when the value
 * converts exactly (so that key order is the order of the comparison). */
bool const_as_column(SqlCtx *ctx, Expr *k, TypeId ct, Value *out);
/* Evaluates constant expression k (false: not constant, NULL or failed;
 * nothing reported). */
bool const_value(SqlCtx *ctx, Expr *k, Value *out);
/* Appends the conjuncts of e (split at AND) to out[0..*n) (statement arena). */
int and_split_list(SqlCtx *ctx, Expr *e, Expr ***out, int *n, int *cap);

/* join.c: plans FROM and WHERE of s; fi gets the operator (canonical rows
 * of all its relations) and the relations of the scope. */
int plan_from_where(SqlCtx *ctx, SelectStmt *s, const Scope *env, FromItem *fi);

#endif
