/*
 * join.c - the FROM clause and WHERE of one query planned together
 * (plan_from_where): conjuncts with the relations they read, pushdown into
 * scans and LEFT JOIN sides, estimates from row counts and statistics,
 * join order (dynamic programming up to 10 inputs, greedy beyond), hash,
 * nested-loop and index nested-loop joins over canonical rows, and EXISTS
 * / NOT EXISTS / IN as semi and anti joins.  docs/query-engine.md tells
 * the rules.
 */
#include "plan_int.h"
#include "../types/rowcodec.h"
#include "../../store/keyenc.h"
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <limits.h>
#include <unistd.h>

/* ---------------------------------------------------------------- join planning */

/*
 * The FROM clause and WHERE of one query become a join problem: its inputs
 * (relations, and LEFT JOINs planned as problems of their own) and its
 * conjuncts (WHERE and inner-join ON split at AND), each knowing the set of
 * relations it reads.  Planning:
 *   1. a conjunct reading one relation goes into that relation's scan
 *      (where plan_scan_where picks a primary-key or index path);
 *   2. WHERE conjuncts over a LEFT JOIN's preserved side go into that side;
 *      ON conjuncts over its nullable side go into that side;
 *   3. the inputs are joined greedily, the pair with the smallest estimated
 *      result first, preferring pairs that a conjunct connects; each join
 *      takes the conjuncts that its two sides complete: equalities between
 *      them become hash join keys, the rest a residual check.
 * Relations keep their slots of the whole FROM clause (canonical rows,
 * executor.c), so a conjunct compiled once reads any join order.
 */

#define JP_MAX_RELS 64

typedef struct Conj {
    Expr *ast;
    u64 set;                /* relations read (bit = relation index) */
    bool placed;
    /* `x = y` with plain columns on both sides: their relations, and
     * whether each column is unique in its table (for estimates) */
    int lrel, rrel;
    int lcol, rcol;         /* their column indexes in those relations */
    bool luniq, runiq;
    /* implied by two others (derive_equalities): their indices (the
     * greedy order's estimates skip it once both are applied) */
    bool derived;
    int src[2];
} Conj;

typedef struct JProblem JProblem;
typedef struct JItem {
    u64 set;
    int rel;                /* a relation, or -1 for a LEFT JOIN */
    JProblem *left, *right;
    Expr *on;
    bool full;              /* a FULL JOIN (else LEFT, left preserved) */
    int mhi;                /* the merged columns its ON sees: [0, mhi) */
    /* right is one LATERAL item that reads left's relations: run again
     * for every row of left (inner, or LEFT when outer) */
    bool lateral, outer;
} JItem;

struct JProblem {
    JItem *items; int nitems, capitems;
    int *conj; int nconj, capconj;   /* indices into JoinPlanner.conj */
    u64 set;
};

typedef struct JoinPlanner {
    SqlCtx *ctx;
    const Scope *env;
    ScopeRel *rels; FromItem *leaves; int nrels;
    int width;
    Conj *conj; int nconj, capconj;
    Scope scope;            /* every relation of the FROM clause */
    Value *row;             /* the canonical row all its operators share */
    struct Semi *semis;     /* WHERE subqueries planned as semi / anti joins */
    double *base;           /* per relation: rows before its filters (estimate) */
    const bool **slot_used; /* per canonical slot: its relation's used flag */
    TableStats *stats;      /* per relation: its table's statistics, if any */
    MergedCol *merged; int nmerged, capmerged;   /* JOIN ... USING columns */
    u64 lateral_left;       /* collecting a LEFT JOIN's right item: its left side's relations */
    /* the FROM list's own problem, the relations of its items before the
     * one being collected (a LATERAL item anywhere in that item's join tree
     * may read them), and whether one did (the item then runs per row of
     * them: plan_from_where) */
    JProblem *top;
    u64 top_before;
    bool pending_top;
} JoinPlanner;

/* What a bare * lists of a FROM item (see StarCol). */
typedef struct StarList { StarCol *v; int n, cap; } StarList;

/* A WHERE conjunct [NOT] EXISTS (SELECT ...) or x IN (SELECT y ...) whose
 * subquery reads the enclosing query only through equalities: planned as
 * its own FROM clause (op, rows estimated) and joined by hash on the keys
 * (outer expressions over this query's relations, inner ones over the
 * subquery's). */
typedef struct Semi {
    JoinType type;          /* JOIN_SEMI, JOIN_ANTI or JOIN_ANTI_NULLS */
    Op *op;
    double rows, cost;
    int nkeys;
    ExprProg **outer_keys, **inner_keys;
    u64 set;                /* relations of this query the outer keys read */
    struct Semi *next;
} Semi;

typedef struct JNode {
    Op *op;
    u64 set;
    double rows;            /* estimated */
    double cost;            /* estimated: rows read and handled below */
    int leaf;               /* a single table's scan: its relation, else -1 */
    Expr **conj; int nconj; /* that scan's own conjuncts */
} JNode;

static int grow(SqlCtx *ctx, void **arr, int *cap, int n, size_t elem)
{
    if (n < *cap) return DD_OK;
    int ncap = *cap ? *cap * 2 : 8;
    void *na = arena_alloc(ctx->stmt, elem * (size_t)ncap);
    if (!na) return DD_ENOMEM;
    if (n) memcpy(na, *arr, elem * (size_t)n);
    *arr = na;
    *cap = ncap;
    return DD_OK;
}


/* e1 AND e2 AND ... (statement arena), or NULL for none. */
static Expr *and_of(SqlCtx *ctx, Expr **list, int n)
{
    Expr *acc = n ? list[0] : NULL;
    for (int i = 1; i < n && acc; i++) {
        Expr *a = arena_zalloc(ctx->stmt, sizeof(Expr));
        if (!a) return NULL;
        a->kind = EXPR_BINARY;
        a->loc = list[i]->loc;
        a->u.bin.op = BOP_AND;
        a->u.bin.l = acc;
        a->u.bin.r = list[i];
        acc = a;
    }
    return acc;
}

/* The relations a compiled program reads. */
static u64 prog_rels(JoinPlanner *jp, const ExprProg *p)
{
    u64 set = 0;
    for (int i = 0; i < p->n; i++) {
        if (p->code[i].op != XOP_SLOT) continue;
        int slot = p->code[i].a;
        for (int r = 0; r < jp->nrels; r++)
            if (slot >= jp->rels[r].slot0 && slot < jp->rels[r].slot0 + jp->rels[r].ncols) {
                set |= 1ULL << r;
                break;
            }
    }
    return set;
}

static int compile_in(JoinPlanner *jp, Expr *e, TypeId as, const char *what, ExprProg **out)
{
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = jp->ctx;
    cc.scope = &jp->scope;
    cc.agg_forbidden = what;
    return as == TYPE_NULLTYPE ? expr_compile(&cc, e, out) : expr_compile_as(&cc, e, as, -1, out);
}

static bool prog_has_correlated(const ExprProg *p)
{
    for (int i = 0; i < p->n; i++)
        if (p->code[i].op == XOP_SUBLINK && p->code[i].link->correlated) return true;
    return false;
}

/* Whether column slot `slot` of relation r is unique in its table (a
 * one-column primary key or unique index). */
static bool slot_unique(JoinPlanner *jp, int r, int slot)
{
    const FromItem *fi = &jp->leaves[r];
    if (!fi->simple) return false;
    const TableInfo *t = fi->table;
    int ci = slot - jp->rels[r].slot0;
    if (ci < 0 || ci >= t->ncols) return false;
    u32 id = t->cols[ci].id;
    if (t->npk == 1 && t->pk[0] == id) return true;
    for (int x = 0; x < t->nindexes; x++)
        if (t->indexes[x].unique && !t->indexes[x].pred_sql && t->indexes[x].ncols == 1 && t->indexes[x].cols[0] == id)
            return true;
    return false;
}

/* Fills the column facts of an equality conjunct between plain columns. */
static void conj_columns(JoinPlanner *jp, Conj *c)
{
    Expr *e = c->ast;
    if (e->kind != EXPR_BINARY || e->u.bin.op != BOP_EQ) return;
    if (e->u.bin.l->kind != EXPR_COLUMN || e->u.bin.r->kind != EXPR_COLUMN) return;
    DdError saved = *jp->ctx->err;
    ExprProg *l, *r;
    if (compile_in(jp, e->u.bin.l, TYPE_NULLTYPE, "WHERE", &l) || compile_in(jp, e->u.bin.r, TYPE_NULLTYPE, "WHERE", &r)) {
        *jp->ctx->err = saved;
        return;
    }
    if (l->n != 1 || r->n != 1 || l->code[0].op != XOP_SLOT || r->code[0].op != XOP_SLOT) return;
    u64 ls = prog_rels(jp, l), rs = prog_rels(jp, r);
    c->lrel = __builtin_ctzll(ls);
    c->rrel = __builtin_ctzll(rs);
    c->luniq = slot_unique(jp, c->lrel, l->code[0].a);
    c->runiq = slot_unique(jp, c->rrel, r->code[0].a);
    c->lcol = l->code[0].a - jp->rels[c->lrel].slot0;
    c->rcol = r->code[0].a - jp->rels[c->rrel].slot0;
}

/* Adds the conjuncts of e to problem pr.  `all`: the relations the
 * condition may read; a conjunct with a correlated subquery is taken to
 * read all of them (what the subquery reads is not tracked). */
static int add_conjuncts(JoinPlanner *jp, JProblem *pr, Expr *e, const char *what, u64 all)
{
    Expr **list = NULL;
    int n = 0, cap = 0;
    int rc = and_split_list(jp->ctx, e, &list, &n, &cap);
    for (int i = 0; !rc && i < n; i++) {
        ExprProg *p;
        rc = compile_in(jp, list[i], TYPE_BOOL, what, &p);
        if (rc) break;
        rc = grow(jp->ctx, (void **)&jp->conj, &jp->capconj, jp->nconj, sizeof(Conj));
        if (!rc) rc = grow(jp->ctx, (void **)&pr->conj, &pr->capconj, pr->nconj, sizeof(int));
        if (rc) break;
        jp->conj[jp->nconj] = (Conj){list[i], prog_has_correlated(p) ? all : prog_rels(jp, p), false, -1, -1,
                                     -1, -1, false, false, false, {-1, -1}};
        conj_columns(jp, &jp->conj[jp->nconj]);
        pr->conj[pr->nconj++] = jp->nconj++;
    }
    return rc;
}

/* Whether the endpoint types of equalities a = b and b = c let a = c
 * stand for them: all one type that hashes as it compares, or all
 * integers. */
static bool same_equality_types(TypeId a, TypeId b, TypeId c)
{
    if (type_is_int(a) && type_is_int(b) && type_is_int(c)) return true;
    return a == b && b == c && a != TYPE_UNKNOWN && a != TYPE_NULLTYPE && a != TYPE_FLOAT4 && a != TYPE_FLOAT8 &&
           a != TYPE_NUMERIC;
}

/* Adds to pr the equalities between plain columns that two of its own
 * imply (a = b and b = c give a = c), between tables joined by inner
 * joins only, as PostgreSQL's equivalence classes do: a join order may
 * then meet a and c first (TPC-H's Q5 joins customer and nation through
 * supplier's nation key).  Each row that passes the conjuncts passes the
 * new one, so no answer changes; estimates count it only while one of
 * the two it came from is not yet applied (join_order_dp). */
static int derive_equalities(JoinPlanner *jp, JProblem *pr)
{
    u64 inner = 0;
    for (int i = 0; i < pr->nitems; i++)
        if (pr->items[i].rel >= 0) inner |= pr->items[i].set;
    for (int pass = 0; pass < 3; pass++) {
        bool added = false;
        int n0 = pr->nconj;
        for (int i = 0; i < n0; i++)
            for (int j = i + 1; j < n0; j++) {
                for (int x = 0; x < 2; x++)
                    for (int y = 0; y < 2; y++) {
                        const Conj *a = &jp->conj[pr->conj[i]], *b = &jp->conj[pr->conj[j]];
                        if (a->lrel < 0 || b->lrel < 0 || a->lrel == a->rrel || b->lrel == b->rrel) continue;
                        int ar[2] = {a->lrel, a->rrel}, ac[2] = {a->lcol, a->rcol};
                        int br[2] = {b->lrel, b->rrel}, bc[2] = {b->lcol, b->rcol};
                        Expr *ae[2] = {a->ast->u.bin.l, a->ast->u.bin.r}, *be[2] = {b->ast->u.bin.l, b->ast->u.bin.r};
                        if (ar[x] != br[y] || ac[x] != bc[y]) continue;   /* the column they share */
                        int pr_ = ar[1 - x], pc = ac[1 - x], qr = br[1 - y], qc = bc[1 - y];
                        if (pr_ == qr) continue;
                        u64 rels = 1ull << pr_ | 1ull << qr | 1ull << ar[x];
                        if ((rels & ~inner) || pr_ >= jp->nrels || qr >= jp->nrels) continue;
                        if (!same_equality_types(jp->rels[pr_].types[pc], jp->rels[ar[x]].types[ac[x]],
                                                 jp->rels[qr].types[qc]))
                            continue;
                        bool have = false;
                        for (int k = 0; k < pr->nconj && !have; k++) {
                            const Conj *c = &jp->conj[pr->conj[k]];
                            have = (c->lrel == pr_ && c->lcol == pc && c->rrel == qr && c->rcol == qc) ||
                                   (c->lrel == qr && c->lcol == qc && c->rrel == pr_ && c->rcol == pc);
                        }
                        if (have) continue;
                        Expr *e = arena_zalloc(jp->ctx->stmt, sizeof(Expr));
                        if (!e) return DD_ENOMEM;
                        e->kind = EXPR_BINARY;
                        e->loc = a->ast->loc;
                        e->u.bin.op = BOP_EQ;
                        e->u.bin.l = ae[1 - x];
                        e->u.bin.r = be[1 - y];
                        int ci = pr->conj[i], cj = pr->conj[j], rc;
                        if ((rc = grow(jp->ctx, (void **)&jp->conj, &jp->capconj, jp->nconj, sizeof(Conj))) ||
                            (rc = grow(jp->ctx, (void **)&pr->conj, &pr->capconj, pr->nconj, sizeof(int))))
                            return rc;
                        Conj *c = &jp->conj[jp->nconj];
                        *c = (Conj){e, 1ull << pr_ | 1ull << qr, false, -1, -1, -1, -1, false, false, true, {ci, cj}};
                        conj_columns(jp, c);
                        if (c->lrel < 0) continue;   /* did not compile as two columns: not added */
                        pr->conj[pr->nconj++] = jp->nconj++;
                        added = true;
                    }
            }
        if (!added) break;
    }
    return DD_OK;
}

/* A FROM item that is not a join.  A LATERAL subquery or a function
 * (always lateral, as PostgreSQL) is planned in a scope whose enclosing
 * level is the FROM items before it in its join problem (relations
 * `before`): *lateral tells whether it reads them (then it runs again per
 * row of theirs). */
static int leaf_item(JoinPlanner *jp, TableRef *tr, u64 before, FromItem *fi, bool *lateral)
{
    SqlCtx *ctx = jp->ctx;
    const Scope *env = jp->env;
    *lateral = false;
    memset(fi, 0, sizeof(*fi));
    SubLink *mark = NULL;
    if (before && (tr->kind == TREF_FUNCTION || (tr->kind == TREF_SUBQUERY && tr->lateral))) {
        mark = arena_zalloc(ctx->stmt, sizeof(SubLink));
        CompileCtx *occ = arena_zalloc(ctx->stmt, sizeof(CompileCtx));
        Scope *oenv = arena_zalloc(ctx->stmt, sizeof(Scope));
        Scope *lenv = arena_zalloc(ctx->stmt, sizeof(Scope));
        ScopeRel *rels = arena_alloc(ctx->stmt, sizeof(ScopeRel) * (size_t)(jp->nrels + 1));
        if (!mark || !occ || !oenv || !lenv || !rels) return DD_ENOMEM;
        *oenv = jp->scope;
        oenv->nrels = 0;
        for (int r = 0; r < jp->nrels; r++)
            if (before & (1ULL << r)) rels[oenv->nrels++] = jp->rels[r];
        oenv->rels = rels;
        occ->sql = ctx;
        occ->scope = oenv;
        oenv->cc = occ;
        oenv->link = mark;
        lenv->ctes = env->ctes;
        lenv->outer = oenv;
        env = lenv;
    }
    if (tr->kind == TREF_SUBQUERY || tr->kind == TREF_FUNCTION) {
        int rc = tr->kind == TREF_SUBQUERY
                     ? from_derived(ctx, tr->select, tr->alias, tr->col_aliases, tr->ncol_aliases, tr->loc, env, fi)
                     : from_function(ctx, tr, env, fi);
        *lateral = !rc && mark && mark->correlated;
        return rc;
    }
    const CteDef *d = strchr(tr->name, '.') ? NULL : cte_lookup(ctx, env, tr->name);
    if (d) return from_cte(ctx, tr, d, fi);
    return from_table(ctx, tr, fi);
}

/* The ON condition of a join over relations [first, jp->nrels): checked in
 * the scope of those relations only, as PostgreSQL does. */
static int check_on(JoinPlanner *jp, Expr *on, int first, int mfirst)
{
    Scope s = {jp->rels + first, jp->nrels - first, jp->width, jp->env->ctes, jp->env->outer, NULL, NULL,
               jp->merged, mfirst, jp->nmerged};
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = jp->ctx;
    cc.scope = &s;
    cc.agg_forbidden = "JOIN conditions";
    ExprProg *p;
    return expr_compile_as(&cc, on, TYPE_BOOL, -1, &p);
}

static int star_push(JoinPlanner *jp, StarList *sl, StarCol c)
{
    int rc = grow(jp->ctx, (void **)&sl->v, &sl->cap, sl->n, sizeof(StarCol));
    if (!rc) sl->v[sl->n++] = c;
    return rc;
}

/* The relation and column of scope slot `slot`. */
static ScopeRel *slot_rel(JoinPlanner *jp, int slot, int *col)
{
    for (int r = 0; r < jp->nrels; r++)
        if (slot >= jp->rels[r].slot0 && slot < jp->rels[r].slot0 + jp->rels[r].ncols) {
            *col = slot - jp->rels[r].slot0;
            return &jp->rels[r];
        }
    return NULL;
}

static const char *star_name(JoinPlanner *jp, StarCol c)
{
    int col;
    if (c.merged >= 0) return jp->merged[c.merged].name;
    ScopeRel *rel = slot_rel(jp, c.slot, &col);
    return rel ? rel->names[col] : "";
}

/* An expression naming star column c by position. */
static Expr *star_expr(JoinPlanner *jp, StarCol c, int loc, TypeId *type)
{
    Expr *e = arena_zalloc(jp->ctx->stmt, sizeof(Expr));
    if (!e) return NULL;
    e->kind = EXPR_COLUMN;
    e->loc = e->oploc = loc;
    if (c.merged >= 0) {
        e->u.col.name = (char *)jp->merged[c.merged].name;
        e->u.col.star_slot = -(c.merged + 1);
        *type = jp->merged[c.merged].type;
        return e;
    }
    int col;
    ScopeRel *rel = slot_rel(jp, c.slot, &col);
    if (!rel) return NULL;
    e->u.col.qualifier = (char *)rel->alias;
    e->u.col.name = (char *)rel->names[col];
    e->u.col.star_slot = c.slot + 1;
    *type = rel->types[col];
    return e;
}

/* Star column c is taken by merged column m: no longer named unqualified. */
static int star_hide(JoinPlanner *jp, StarCol c, int m)
{
    if (c.merged >= 0) {
        jp->merged[c.merged].hidden_by = m;
        return DD_OK;
    }
    int col;
    ScopeRel *rel = slot_rel(jp, c.slot, &col);
    if (!rel) return DD_EINTERNAL;
    if (!rel->merged_by) {
        rel->merged_by = arena_alloc(jp->ctx->stmt, sizeof(int) * (size_t)rel->ncols);
        if (!rel->merged_by) return DD_ENOMEM;
        for (int i = 0; i < rel->ncols; i++) rel->merged_by[i] = INT_MAX;
    }
    rel->merged_by[col] = m;
    return DD_OK;
}

/* The one column of side `sl` named `name` (its index), or an error. */
static int using_find(JoinPlanner *jp, StarList *sl, const char *name, const char *side, int loc, int *out)
{
    *out = -1;
    for (int i = 0; i < sl->n; i++) {
        if (strcmp(star_name(jp, sl->v[i]), name) != 0) continue;
        if (*out >= 0)
            return dd_err(jp->ctx->err, DD_EAMBIGUOUS_COLUMN, loc, "common column name \"%s\" appears more than once in %s table",
                          name, side);
        *out = i;
    }
    if (*out < 0)
        return dd_err(jp->ctx->err, DD_EUNDEFINED_COLUMN, loc, "column \"%s\" specified in USING clause does not exist in %s table",
                      name, side);
    return DD_OK;
}

static Expr *cast_to(JoinPlanner *jp, Expr *e, TypeId from, TypeId to)
{
    if (from == to || !e) return e;
    Expr *c = arena_zalloc(jp->ctx->stmt, sizeof(Expr));
    if (!c) return NULL;
    c->kind = EXPR_CAST;
    c->loc = c->oploc = e->loc;
    c->u.cast.arg = e;
    c->u.cast.type.name = (char *)type_name(to);
    c->u.cast.type.typmod = -1;
    c->u.cast.type.loc = e->loc;
    return c;
}

static Expr *binary(JoinPlanner *jp, BinaryOp op, Expr *l, Expr *r)
{
    if (!l) return r;
    Expr *e = arena_zalloc(jp->ctx->stmt, sizeof(Expr));
    if (!e) return NULL;
    e->kind = EXPR_BINARY;
    e->loc = e->oploc = r->loc;
    e->u.bin.op = op;
    e->u.bin.l = l;
    e->u.bin.r = r;
    return e;
}

/*
 * JOIN ... USING (names) and NATURAL JOIN (the names both sides have, in
 * the left side's order), as PostgreSQL: each name is one column of each
 * side; they must be equal (*on gets the equalities), and the join's
 * output has one merged column of that name (MergedCol) in their common
 * type, first in a bare *, followed by the other columns of the left side
 * and then of the right.
 */
static int join_using(JoinPlanner *jp, TableRef *tr, StarList *ls, StarList *rs, Expr **on, StarList *out)
{
    SqlCtx *ctx = jp->ctx;
    const char **names = NULL;
    int nnames = 0, cap = 0, rc;
    if (tr->natural) {
        for (int i = 0; i < ls->n; i++) {
            const char *nm = star_name(jp, ls->v[i]);
            bool in_right = false;
            for (int k = 0; k < rs->n && !in_right; k++) in_right = strcmp(star_name(jp, rs->v[k]), nm) == 0;
            if (!in_right) continue;
            if ((rc = grow(ctx, (void **)&names, &cap, nnames, sizeof(char *)))) return rc;
            names[nnames++] = nm;
        }
    } else {
        names = (const char **)tr->using_cols;
        nnames = tr->nusing;
        for (int i = 0; i < nnames; i++)
            for (int k = 0; k < i; k++)
                if (strcmp(names[i], names[k]) == 0)
                    return dd_err(ctx->err, DD_EDUPLICATE_COLUMN, tr->loc,
                                  "column name \"%s\" appears more than once in USING clause", names[i]);
    }
    for (int r = 0; tr->using_alias && r < jp->nrels; r++)
        if (jp->rels[r].alias && strcmp(jp->rels[r].alias, tr->using_alias) == 0)
            return dd_err(ctx->err, DD_EDUPLICATE_ALIAS, tr->loc, "table name \"%s\" specified more than once",
                          tr->using_alias);
    for (int m = 0; tr->using_alias && m < jp->nmerged; m++)
        if (jp->merged[m].alias && strcmp(jp->merged[m].alias, tr->using_alias) == 0)
            return dd_err(ctx->err, DD_EDUPLICATE_ALIAS, tr->loc, "table name \"%s\" specified more than once",
                          tr->using_alias);
    bool *lused = arena_zalloc(ctx->stmt, (size_t)ls->n + 1);
    bool *rused = arena_zalloc(ctx->stmt, (size_t)rs->n + 1);
    if (!lused || !rused) return DD_ENOMEM;
    for (int i = 0; i < nnames; i++) {
        int li, ri;
        if ((rc = using_find(jp, ls, names[i], "left", tr->loc, &li)) ||
            (rc = using_find(jp, rs, names[i], "right", tr->loc, &ri)))
            return rc;
        TypeId lt, rt, t;
        Expr *le = star_expr(jp, ls->v[li], tr->loc, &lt), *re = star_expr(jp, rs->v[ri], tr->loc, &rt);
        if (!le || !re) return DD_ENOMEM;
        if (lt == TYPE_UNKNOWN) lt = TYPE_TEXT;
        if (rt == TYPE_UNKNOWN) rt = TYPE_TEXT;
        if (!type_common(lt, rt, &t))
            return dd_err(ctx->err, DD_EDATATYPE_MISMATCH, tr->loc, "JOIN/USING types %s and %s cannot be matched",
                          type_name(lt), type_name(rt));
        if (!(*on = binary(jp, BOP_AND, *on, binary(jp, BOP_EQ, le, re)))) return DD_ENOMEM;
        Expr *lc = cast_to(jp, le, lt, t), *rc2 = cast_to(jp, re, rt, t), *me = lc;
        if (!lc || !rc2) return DD_ENOMEM;
        if (tr->join == JOIN_RIGHT) me = rc2;
        if (tr->join == JOIN_FULL) {
            Expr **args = arena_alloc(ctx->stmt, sizeof(Expr *) * 2);
            if (!args || !(me = arena_zalloc(ctx->stmt, sizeof(Expr)))) return DD_ENOMEM;
            args[0] = lc;
            args[1] = rc2;
            me->kind = EXPR_FUNC;
            me->loc = me->oploc = tr->loc;
            me->u.func.name = "coalesce";
            me->u.func.args = args;
            me->u.func.n = 2;
        }
        if ((rc = grow(ctx, (void **)&jp->merged, &jp->capmerged, jp->nmerged, sizeof(MergedCol)))) return rc;
        int m = jp->nmerged++;
        jp->merged[m] = (MergedCol){names[i], me, t, INT_MAX, tr->using_alias};
        if ((rc = star_hide(jp, ls->v[li], m)) || (rc = star_hide(jp, rs->v[ri], m))) return rc;
        lused[li] = rused[ri] = true;
        if ((rc = star_push(jp, out, (StarCol){-1, m}))) return rc;
    }
    jp->scope.merged = jp->merged;
    jp->scope.mhi = jp->nmerged;
    for (int i = 0; i < ls->n; i++)
        if (!lused[i] && (rc = star_push(jp, out, ls->v[i]))) return rc;
    for (int i = 0; i < rs->n; i++)
        if (!rused[i] && (rc = star_push(jp, out, rs->v[i]))) return rc;
    return DD_OK;
}

/* Adds FROM item tr to problem pr; sl gets what a bare * lists of it. */
static int collect(JoinPlanner *jp, TableRef *tr, JProblem *pr, StarList *sl)
{
    SqlCtx *ctx = jp->ctx;
    int rc;
    if (tr->kind != TREF_JOIN) {
        if (jp->nrels == JP_MAX_RELS)
            return dd_err(ctx->err, DD_EPROGRAM_LIMIT, tr->loc, "too many relations in one FROM clause (at most %d)",
                          JP_MAX_RELS);
        int r = jp->nrels;
        FromItem *fi = &jp->leaves[r];
        bool lateral;
        bool left_join_right = jp->lateral_left != 0;
        u64 before = (left_join_right ? jp->lateral_left : pr->set) | jp->top_before;
        jp->lateral_left = 0;
        if ((rc = leaf_item(jp, tr, before, fi, &lateral))) return rc;
        if (lateral && pr != jp->top && !left_join_right) {
            /* inside a join tree: it may read the FROM list's earlier items,
             * so the whole item runs per row of them (plan_from_where); the
             * items before it here, if any, become its left side too */
            jp->pending_top = true;
            if (!pr->nitems) lateral = false;
        }
        jp->rels[r] = fi->rels[0];
        jp->rels[r].slot0 = jp->width;
        for (int j = 0; j < r && jp->rels[r].alias[0]; j++)
            if (strcmp(jp->rels[r].alias, jp->rels[j].alias) == 0 &&
                /* s.t and u.t without aliases may meet (t.c is then ambiguous) */
                !(jp->rels[r].qualname && jp->rels[j].qualname && strcmp(jp->rels[r].qualname, jp->rels[j].qualname) != 0))
                return dd_err(ctx->err, DD_EDUPLICATE_ALIAS, tr->loc, "table name \"%s\" specified more than once",
                              jp->rels[r].alias);
        for (int m = 0; m < jp->nmerged && jp->rels[r].alias[0]; m++)   /* a JOIN ... USING alias before it */
            if (jp->merged[m].alias && strcmp(jp->merged[m].alias, jp->rels[r].alias) == 0)
                return dd_err(ctx->err, DD_EDUPLICATE_ALIAS, tr->loc, "table name \"%s\" specified more than once",
                              jp->rels[r].alias);
        jp->width += fi->width;
        jp->nrels++;
        jp->scope.nrels = jp->nrels;
        jp->scope.nslots = jp->width;
        JItem leaf = {1ULL << r, r, NULL, NULL, NULL, false, 0, false, false};
        if (lateral) {
            /* it reads the items before it in this problem: those become
             * the left side of a lateral join, it the right */
            JProblem *left = arena_zalloc(ctx->stmt, sizeof(JProblem));
            JProblem *right = arena_zalloc(ctx->stmt, sizeof(JProblem));
            if (!left || !right) return DD_ENOMEM;
            left->items = pr->items;
            left->nitems = pr->nitems;
            left->capitems = pr->capitems;
            left->set = pr->set;
            if ((rc = grow(ctx, (void **)&right->items, &right->capitems, 0, sizeof(JItem)))) return rc;
            right->items[right->nitems++] = leaf;
            right->set = leaf.set;
            pr->items = NULL;
            pr->nitems = pr->capitems = 0;
            leaf = (JItem){left->set | right->set, -1, left, right, NULL, false, 0, true, false};
        }
        if ((rc = grow(ctx, (void **)&pr->items, &pr->capitems, pr->nitems, sizeof(JItem)))) return rc;
        pr->items[pr->nitems++] = leaf;
        pr->set |= 1ULL << r;
        for (int c = 0; c < jp->rels[r].ncols; c++)
            if (!jp->rels[r].hidden[c] && (rc = star_push(jp, sl, (StarCol){jp->rels[r].slot0 + c, -1}))) return rc;
        return DD_OK;
    }
    int first = jp->nrels, mfirst = jp->nmerged;
    bool outer = tr->join == JOIN_LEFT || tr->join == JOIN_RIGHT || tr->join == JOIN_FULL;
    StarList ls = {NULL, 0, 0}, rs = {NULL, 0, 0};
    JItem it = {0, -1, NULL, NULL, NULL, tr->join == JOIN_FULL, 0, false, false};
    if (outer) {
        it.left = arena_zalloc(ctx->stmt, sizeof(JProblem));
        it.right = arena_zalloc(ctx->stmt, sizeof(JProblem));
        if (!it.left || !it.right) return DD_ENOMEM;
        if ((rc = collect(jp, tr->left, it.left, &ls))) return rc;
        /* a LATERAL item on the right of a LEFT JOIN reads its left side */
        if (tr->right->kind != TREF_JOIN) jp->lateral_left = it.left->set;
        rc = collect(jp, tr->right, it.right, &rs);
        jp->lateral_left = 0;
        if (rc) return rc;
    } else if ((rc = collect(jp, tr->left, pr, &ls)) || (rc = collect(jp, tr->right, pr, &rs))) {
        return rc;
    }
    Expr *on = tr->on;
    if (tr->nusing || tr->natural) {
        if ((rc = join_using(jp, tr, &ls, &rs, &on, sl))) return rc;
    } else {
        for (int i = 0; i < ls.n; i++) if ((rc = star_push(jp, sl, ls.v[i]))) return rc;
        for (int i = 0; i < rs.n; i++) if ((rc = star_push(jp, sl, rs.v[i]))) return rc;
    }
    if (on && (rc = check_on(jp, on, first, mfirst))) return rc;
    if (outer && it.right->nitems == 1 && it.right->items[0].lateral && it.right->items[0].left->nitems == 0) {
        /* LEFT JOIN LATERAL: the right side reads the left one */
        if (tr->join != JOIN_LEFT) {
            int r0 = __builtin_ctzll(it.left->set);
            rc = dd_err(ctx->err, DD_EINVALID_COLUMN_REF, tr->right->loc,
                        "invalid reference to FROM-clause entry for table \"%s\"", jp->rels[r0].alias);
            dd_err_detail(ctx->err, "The combining JOIN type must be INNER or LEFT for a LATERAL reference.");
            return rc;
        }
        it.right = it.right->items[0].right;
        it.lateral = it.outer = true;
    }
    if (outer) {
        if (tr->join == JOIN_RIGHT) {
            /* a RIGHT JOIN is a LEFT JOIN preserving the right side; the
             * relations keep their slots (their order in SELECT *) */
            JProblem *t = it.left;
            it.left = it.right;
            it.right = t;
        }
        it.on = on;
        it.mhi = jp->nmerged;
        it.set = it.left->set | it.right->set;
        if ((rc = grow(ctx, (void **)&pr->items, &pr->capitems, pr->nitems, sizeof(JItem)))) return rc;
        pr->items[pr->nitems++] = it;
        pr->set |= it.set;
        return DD_OK;
    }
    if (on) {
        u64 all = (jp->nrels == 64 ? ~0ULL : (1ULL << jp->nrels) - 1) & ~((1ULL << first) - 1);
        return add_conjuncts(jp, pr, on, "JOIN conditions", all);
    }
    return DD_OK;
}

static int popcount64(u64 x) { return __builtin_popcountll(x); }

/* Rough selectivity of a conjunct over one relation, without statistics. */
static double conj_selectivity(const Expr *e)
{
    if (e->kind == EXPR_BINARY) {
        switch (e->u.bin.op) {
        case BOP_EQ: return 0.05;
        case BOP_LT: case BOP_LE: case BOP_GT: case BOP_GE: return 0.3;
        case BOP_NE: return 0.9;
        case BOP_OR: return 0.5;
        default: return 0.5;
        }
    }
    if (e->kind == EXPR_IN) return e->u.in.subquery ? 0.5 : DD_MIN(0.05 * e->u.in.n, 0.5);
    if (e->kind == EXPR_BETWEEN || e->kind == EXPR_LIKE) return 0.1;
    if (e->kind == EXPR_IS) return 0.1;
    return 0.5;
}

/* The column of table t (relation rel) that e names, or -1. */
static int expr_column(const Expr *e, ScopeRel *rel, const TableInfo *t)
{
    if (e->kind != EXPR_COLUMN) return -1;
    if (e->u.col.qualifier && !rel_named(rel, e->u.col.qualifier)) return -1;
    for (int c = 0; c < t->ncols; c++)
        if (strcmp(rel->names[c], e->u.col.name) == 0) return c;
    return -1;
}

/* Selectivity of a conjunct over one table, from its statistics where
 * they say something: `col = constant` (1 - NULLs) / distinct values,
 * `col IN (list)` n times that, IS [NOT] NULL the NULL fraction; else the
 * rough figures of conj_selectivity. */
/* The fraction of t's rows whose column c is below (or, above, at
 * least) constant k, from c's histogram; negative when unknown. */
static double range_frac(SqlCtx *ctx, const TableInfo *t, const TableStats *st, int c, Expr *k, bool above)
{
    Value v;
    double x, ndv, nf;
    TypeId ct = (TypeId)t->cols[c].type;
    bool number = type_is_int(ct) || ct == TYPE_FLOAT4 || ct == TYPE_FLOAT8 || ct == TYPE_NUMERIC;
    /* the constant as the column's type, or any number for a number column */
    if (ast_has_column(k) || !stats_column(st, t->cols[c].id, &ndv, &nf)) return -1;
    bool no_cache = ctx->no_cache;   /* an estimate: a plan for any value may do without it */
    bool known = (const_as_column(ctx, k, ct, t->cols[c].typmod, &v) && stats_scalar(ctx, &v, &x)) ||
                 (number && const_value(ctx, k, &v) && v.type != TYPE_DATE && v.type != TYPE_TIMESTAMP &&
                  v.type != TYPE_TIMESTAMPTZ && stats_scalar(ctx, &v, &x));
    ctx->no_cache = no_cache;
    if (!known) return -1;
    double below = stats_below(st, t->cols[c].id, x);
    if (below < 0) return -1;
    return (above ? 1 - below : below) * (1 - nf);
}

/* Range conditions on one column: `col < k` (any of < <= > >=, either
 * side) and `col BETWEEN lo AND hi`, from the histogram; negative when
 * unknown.  At least one row's share, as PostgreSQL clamps. */
static double range_selectivity(SqlCtx *ctx, const Expr *e, ScopeRel *rel, const TableInfo *t, const TableStats *st,
                                double base)
{
    double sel = -1;
    if (e->kind == EXPR_BINARY && e->u.bin.op >= BOP_LT && e->u.bin.op <= BOP_GE) {
        BinaryOp op = e->u.bin.op;
        int c = expr_column(e->u.bin.l, rel, t);
        Expr *k = e->u.bin.r;
        if (c < 0) {
            c = expr_column(e->u.bin.r, rel, t);
            k = e->u.bin.l;
            op = op == BOP_LT ? BOP_GT : op == BOP_LE ? BOP_GE : op == BOP_GT ? BOP_LT : BOP_LE;
        }
        if (c < 0) return -1;
        sel = range_frac(ctx, t, st, c, k, op == BOP_GT || op == BOP_GE);
    } else if (e->kind == EXPR_BETWEEN && !e->u.between.negated && !e->u.between.symmetric) {
        int c = expr_column(e->u.between.arg, rel, t);
        if (c < 0) return -1;
        double lo = range_frac(ctx, t, st, c, e->u.between.lo, false);
        double hi = range_frac(ctx, t, st, c, e->u.between.hi, false);
        if (lo < 0 || hi < 0) return -1;
        double ndv, nf;
        stats_column(st, t->cols[c].id, &ndv, &nf);
        sel = hi - lo + (1 - nf) / ndv;   /* hi itself is in */
    }
    if (sel < 0) return -1;
    double floor_ = base > 1 ? 1 / base : 1;
    return sel < floor_ ? floor_ : sel > 1 ? 1 : sel;
}

static double conj_selectivity_stats(SqlCtx *ctx, const Expr *e, ScopeRel *rel, const TableInfo *t,
                                     const TableStats *st, double base)
{
    double ndv, nf;
    if (e->kind == EXPR_BINARY && e->u.bin.op == BOP_EQ) {
        /* a unique column equal to a constant: at most one row */
        const Expr *l = e->u.bin.l, *r = e->u.bin.r;
        int c = expr_column(l, rel, t);
        const Expr *k = r;
        if (c < 0) { c = expr_column(r, rel, t); k = l; }
        if (c >= 0 && !ast_has_column(k)) {
            u32 id = t->cols[c].id;
            bool uniq = t->npk == 1 && t->pk[0] == id;
            for (int x = 0; x < t->nindexes && !uniq; x++)
                uniq = t->indexes[x].unique && !t->indexes[x].pred_sql && t->indexes[x].ncols == 1 &&
                       t->indexes[x].cols[0] == id;
            if (uniq) return base > 1 ? 1 / base : 1;
        }
    }
    if (st && st->valid) {
        if (e->kind == EXPR_BINARY && e->u.bin.op == BOP_EQ) {
            const Expr *l = e->u.bin.l, *r = e->u.bin.r;
            int c = expr_column(l, rel, t);
            const Expr *k = r;
            if (c < 0) { c = expr_column(r, rel, t); k = l; }
            if (c >= 0 && !ast_has_column(k) && stats_column(st, t->cols[c].id, &ndv, &nf))
                return (1 - nf) / ndv;
        }
        if (e->kind == EXPR_IN && !e->u.in.subquery) {
            int c = expr_column(e->u.in.arg, rel, t);
            if (c >= 0 && stats_column(st, t->cols[c].id, &ndv, &nf)) {
                double sel = (1 - nf) * e->u.in.n / ndv;
                if (e->u.in.negated) sel = 1 - nf - sel;
                return sel < 0 ? 0 : sel > 1 ? 1 : sel;
            }
        }
        if (e->kind == EXPR_IS && e->u.is.what == IS_NULL) {
            int c = expr_column(e->u.is.arg, rel, t);
            if (c >= 0 && stats_column(st, t->cols[c].id, &ndv, &nf)) return e->u.is.negated ? 1 - nf : nf;
        }
        double r = range_selectivity(ctx, e, rel, t, st, base);
        if (r >= 0) return r;
    }
    return conj_selectivity(e);
}

#define DEFAULT_TABLE_ROWS 1000.0

/* The scan of relation r with the conjuncts that read only it. */
static int plan_leaf(JoinPlanner *jp, int r, Expr **conj, int nconj, JNode *out)
{
    SqlCtx *ctx = jp->ctx;
    FromItem *fi = &jp->leaves[r];
    ScopeRel local = jp->rels[r];
    local.slot0 = 0;
    Scope ls = {&local, 1, fi->width, jp->env->ctes, jp->env->outer, NULL, NULL, NULL, 0, 0};
    Expr *where = and_of(ctx, conj, nconj);
    if (nconj && !where) return DD_ENOMEM;
    Op *op;
    int rc;
    double rows = DEFAULT_TABLE_ROWS;
    if (fi->simple) {
        /* a temporary table's rows are all in the write sets: counted,
         * not asked of the store (which never has them) */
        i64 live = fi->table->temp ? (ctx->ws ? ws_count_table_rows(ctx->ws, fi->table->id) : 0)
                                   : store_table_rows(ctx->snap, fi->table->id);
        if (live >= 0) rows = (double)(live ? live : 1);
        jp->base[r] = rows;
        /* statistics matter to join order: gathered for joins, only read
         * for one table (its estimates show in EXPLAIN) */
        if ((rc = sql_table_stats(ctx, fi->table, jp->nrels > 1, &jp->stats[r]))) return rc;
        rc = plan_scan_where(ctx, fi->table, fi->mode, fi->a, fi->b, &local, &ls, where, &op);
        if (rc) return rc;
        double base = rows;
        for (int i = 0; i < nconj; i++) rows *= conj_selectivity_stats(ctx, conj[i], &local, fi->table, &jp->stats[r], base);
        if (op_scan_is_point(op)) rows = 1;
    } else {
        if (nconj && fi->dsel) {
            /* conjuncts over a derived table's columns go into its query */
            bool *pushed = arena_alloc(ctx->stmt, sizeof(bool) * (size_t)nconj);
            Expr **rest = arena_alloc(ctx->stmt, sizeof(Expr *) * (size_t)nconj);
            if (!pushed || !rest) return DD_ENOMEM;
            if ((rc = derived_pushdown(ctx, fi, &local, conj, nconj, pushed))) return rc;
            int nrest = 0;
            for (int i = 0; i < nconj; i++)
                if (!pushed[i]) rest[nrest++] = conj[i];
            where = and_of(ctx, rest, nrest);
            if (nrest && !where) return DD_ENOMEM;
        }
        op = fi->op;
        if (op->est_rows > 0) rows = op->est_rows;
        if (nconj && op_is_commits(op)) plan_commits_bounds(ctx, op, &local, conj, nconj);
        if (where) {
            CompileCtx cc;
            memset(&cc, 0, sizeof(cc));
            cc.sql = ctx;
            cc.scope = &ls;
            cc.agg_forbidden = "WHERE";
            ExprProg *pred;
            if ((rc = expr_compile_as(&cc, where, TYPE_BOOL, -1, &pred))) return rc;
            if (!(op = op_filter(ctx, op, pred))) return DD_ENOMEM;
        }
        jp->base[r] = rows;
        for (int i = 0; i < nconj; i++) rows *= conj_selectivity(conj[i]);
    }
    if (rows < 1) rows = 1;
    /* estimates for EXPLAIN: a whole-table scan reads all rows, a key,
     * range or index path about the rows it keeps */
    Op *scan = op_scan_of(op);
    double read = scan && op_scan_is_full(scan) ? jp->base[r] : rows;
    if (scan) op_estimate(scan, read, read);
    if (op != scan) op_estimate(op, rows, read + read);
    if (jp->width != fi->width) {
        if (!jp->row && !(jp->row = op_canonical_row(ctx, jp->width))) return DD_ENOMEM;
        if (!(op = op_place(ctx, op, jp->rels[r].slot0, jp->row, jp->width, !fi->simple))) return DD_ENOMEM;
    }
    out->op = op;
    out->set = 1ULL << r;
    out->rows = rows;
    out->cost = scan ? read * 2 : rows;
    out->leaf = fi->simple ? r : -1;
    out->conj = conj;
    out->nconj = nconj;
    if (nconj) {
        out->conj = arena_alloc(ctx->stmt, sizeof(Expr *) * (size_t)nconj);
        if (!out->conj) return DD_ENOMEM;
        memcpy(out->conj, conj, sizeof(Expr *) * (size_t)nconj);
    }
    return DD_OK;
}

static int ranges_of(JoinPlanner *jp, u64 set, SlotRanges *out)
{
    int n = popcount64(set);
    int *off = arena_alloc(jp->ctx->stmt, sizeof(int) * (size_t)(n + 1));
    int *len = arena_alloc(jp->ctx->stmt, sizeof(int) * (size_t)(n + 1));
    if (!off || !len) return DD_ENOMEM;
    int k = 0;
    for (int r = 0; r < jp->nrels; r++) {
        if (!(set & (1ULL << r))) continue;
        if (k && off[k - 1] + len[k - 1] == jp->rels[r].slot0) { len[k - 1] += jp->leaves[r].width; continue; }
        off[k] = jp->rels[r].slot0;
        len[k++] = jp->leaves[r].width;
    }
    out->n = k;
    out->off = off;
    out->len = len;
    /* kept rows hold only the slots the query reads: the relations' used
     * flags, final when the operators open */
    if (!jp->slot_used) {
        static const bool always = true;
        jp->slot_used = arena_alloc(jp->ctx->stmt, sizeof(bool *) * (size_t)(jp->width + 1));
        if (!jp->slot_used) return DD_ENOMEM;
        for (int s = 0; s < jp->width; s++) jp->slot_used[s] = &always;
        for (int r = 0; r < jp->nrels; r++)
            for (int c = 0; jp->rels[r].used && c < jp->rels[r].ncols; c++)
                jp->slot_used[jp->rels[r].slot0 + c] = &jp->rels[r].used[c];
    }
    out->used = jp->slot_used;
    return DD_OK;
}

/* Whether values of types a and b hash alike exactly when they compare
 * equal (val_hash / val_compare). */
static bool hashable_pair(TypeId a, TypeId b)
{
    if (a == b) return a != TYPE_UNKNOWN && a != TYPE_NULLTYPE;
    if (type_is_int(a) && type_is_int(b)) return true;
    return (a == TYPE_TEXT || a == TYPE_VARCHAR) && (b == TYPE_TEXT || b == TYPE_VARCHAR);
}

/* If conjunct c is `x = y` with x reading only relations of `a` and y only
 * relations of `b` (or the other way round), compiles the two sides:
 * *ka over a's rows, *kb over b's. */
static bool equi_keys(JoinPlanner *jp, Conj *c, u64 a, u64 b, ExprProg **ka, ExprProg **kb)
{
    Expr *e = c->ast;
    if (e->kind != EXPR_BINARY || e->u.bin.op != BOP_EQ) return false;
    DdError saved = *jp->ctx->err;
    ExprProg *l, *r;
    if (compile_in(jp, e->u.bin.l, TYPE_NULLTYPE, "JOIN conditions", &l) ||
        compile_in(jp, e->u.bin.r, TYPE_NULLTYPE, "JOIN conditions", &r)) {
        *jp->ctx->err = saved;
        return false;
    }
    for (int i = 0; i < l->n; i++) if (l->code[i].op == XOP_SUBLINK) return false;
    for (int i = 0; i < r->n; i++) if (r->code[i].op == XOP_SUBLINK) return false;
    if (!hashable_pair(l->type, r->type)) return false;
    u64 ls = prog_rels(jp, l), rs = prog_rels(jp, r);
    if (!ls || !rs) return false;
    if ((ls & ~a) == 0 && (rs & ~b) == 0) { *ka = l; *kb = r; return true; }
    if ((ls & ~b) == 0 && (rs & ~a) == 0) { *ka = r; *kb = l; return true; }
    return false;
}

/* The conjuncts rest[0..n) a join checks per pair, compiled as one
 * condition (NULL when there are none). */
static int residual_of(JoinPlanner *jp, Expr **rest, int n, ExprProg **out)
{
    *out = NULL;
    if (!n) return DD_OK;
    Expr *e = and_of(jp->ctx, rest, n);
    if (!e) return DD_ENOMEM;
    return compile_in(jp, e, TYPE_BOOL, "JOIN conditions", out);
}

/* Joins nodes x (outer / probe side) and y with the conjuncts in conj
 * (indices into jp->conj).  type: JOIN_INNER or JOIN_LEFT (x preserved). */
/* What a key lookup per outer row costs in rows of a scan, where the
 * choice is between the two: twice log2 of the table's rows.  Measured
 * (TPC-H-like Q3, bench/tpch.sh): a lookup of 4 rows by key prefix took
 * 3.7 us, a row of the whole scan feeding a hash join 0.11 us, so one
 * lookup of a 600,000-row table costs about 34 rows; log2 is 19. */
static double lookup_cost(double rows)
{
    return rows > 2 ? 2 * __builtin_log2(rows) : 2;
}

/* The threads a present scan of rows rows may be read with: the
 * executor reads large ones (at least 100,000 rows, PAR_MIN_ROWS there)
 * on up to max_parallel_workers_per_gather workers, as many as there are
 * cores, when nothing above needs their order (parallel aggregation and
 * parallel row batches).  Only the choice between reading a table whole
 * and looking rows up by a key prefix weighs it. */
static double scan_threads(SqlCtx *ctx, double rows)
{
    if (rows < 100000) return 1;
    const char *v = ctx->setting ? ctx->setting(ctx->session, "max_parallel_workers_per_gather") : NULL;
    long w = v ? strtol(v, NULL, 10) : 2;
    static long cpus;   /* read once: a file read each time otherwise */
    if (!__atomic_load_n(&cpus, __ATOMIC_RELAXED)) __atomic_store_n(&cpus, sysconf(_SC_NPROCESSORS_ONLN), __ATOMIC_RELAXED);
    return (double)DD_MAX(1, DD_MIN(w, cpus));
}

/*
 * An index nested-loop join: when y is one table whose primary key (all of
 * it) or an index (its leading columns) is given by equalities with x's
 * columns, and x has few rows against y's table, y's scan looks its rows
 * up per x row instead of being read whole into a hash table.  *done
 * false: not applicable.
 */
static int try_param_join(JoinPlanner *jp, JNode *x, JNode *y, int *conj, int n, JoinType type, double rows,
                          JNode *out, bool *done)
{
    SqlCtx *ctx = jp->ctx;
    *done = false;
    if (y->leaf < 0 || !sql_enabled(ctx, "enable_nestloop") || !sql_enabled(ctx, "enable_indexscan")) return DD_OK;
    int r = y->leaf;
    FromItem *fi = &jp->leaves[r];
    const TableInfo *t = fi->table;
    if (fi->mode != TMODE_PRESENT && fi->mode != TMODE_AS_OF) return DD_OK;
    if (x->rows * 4 >= jp->base[r]) return DD_OK;   /* reading y whole is as cheap */
    /* y's columns given by x: slot -> x-side program */
    int w = jp->rels[r].ncols;
    ExprProg **given = arena_zalloc(ctx->stmt, sizeof(ExprProg *) * (size_t)(w + 1));
    bool *used = arena_zalloc(ctx->stmt, (size_t)(n + 1));
    int *cinx = arena_alloc(ctx->stmt, sizeof(int) * (size_t)(w + 1));
    if (!given || !used || !cinx) return DD_ENOMEM;
    for (int i = 0; i < n; i++) {
        Conj *c = &jp->conj[conj[i]];
        ExprProg *kx, *ky;
        if (!equi_keys(jp, c, x->set, y->set, &kx, &ky)) continue;
        if (ky->n != 1 || ky->code[0].op != XOP_SLOT) continue;
        int ci = ky->code[0].a - jp->rels[r].slot0;
        if (ci < 0 || ci >= w || given[ci]) continue;
        given[ci] = kx;
        cinx[ci] = i;
    }
    const IndexInfo *ix = NULL;
    int nparts = 0;
    const u32 *cols = NULL;
    bool point = false;
    int pkpre = 0;   /* the leading primary-key columns given */
    while (pkpre < t->npk) {
        int ci = table_col_index(t, t->pk[pkpre]);
        if (ci < 0 || !given[ci]) break;
        pkpre++;
    }
    bool all_pk = t->npk > 0 && pkpre == t->npk;
    if (all_pk) {
        cols = t->pk;
        nparts = t->npk;
        point = true;
    } else {
        for (int xi = 0; xi < t->nindexes; xi++) {
            const IndexInfo *cand = &t->indexes[xi];
            if (fi->mode != TMODE_PRESENT && !cand->ever) continue;
            if (fi->mode == TMODE_PRESENT && !sql_index_in_snapshot(ctx, t, cand)) continue;
            if (cand->pred_sql) continue;   /* a partial index has not every row */
            int k = 0;
            while (k < cand->ncols) {
                int ci = table_col_index(t, cand->cols[k]);
                if (ci < 0 || !given[ci]) break;
                k++;
            }
            if (k > nparts) { ix = cand; nparts = k; cols = cand->cols; }
        }
        /* a leading part of the primary key: the range of keys that
         * start with it, read straight from the rows (no index entry to
         * follow), so it wins over an index of no more columns */
        if (pkpre && pkpre >= nparts) {
            ix = NULL;
            nparts = pkpre;
            cols = t->pk;
        }
    }
    if (!nparts) return DD_OK;
    ScanKeyPart *parts = arena_zalloc(ctx->stmt, sizeof(ScanKeyPart) * (size_t)nparts);
    if (!parts) return DD_ENOMEM;
    for (int k = 0; k < nparts; k++) {
        int ci = table_col_index(t, cols[k]);
        parts[k].prog = given[ci];
        parts[k].type = jp->rels[r].types[ci];
        /* a key lookup finds exactly the equal rows; an index path finds a
         * superset (history entries, the transaction's rows, long values
         * cut to a prefix), so its equalities are checked again */
        if (point) used[cinx[ci]] = true;
    }
    /* y's scan again, its own conjuncts checked per row, its key per x row */
    ScopeRel local = jp->rels[r];
    local.slot0 = 0;
    Scope ls = {&local, 1, fi->width, jp->env->ctes, jp->env->outer, NULL, NULL, NULL, 0, 0};
    Expr *where = and_of(ctx, y->conj, y->nconj);
    Op *op;
    int rc = plan_scan_where(ctx, t, fi->mode, fi->a, fi->b, &local, &ls, where, &op);
    if (rc) return rc;
    Op *scan = op_scan_of(op);
    if (!scan) return DD_OK;
    /* a key range of y's own (its conjuncts on the key) is not given up
     * for a prefix; nor is reading y whole, when that costs less (a
     * prefix reads several rows a lookup, and a large scan may run on
     * several threads) */
    if (!ix && !point) {
        double per = lookup_cost(jp->base[r]) + DD_MAX(rows / DD_MAX(x->rows, 1), 1);
        if (!op_scan_is_full(scan) || x->rows * per >= y->cost / scan_threads(ctx, jp->base[r])) return DD_OK;
    }
    op_scan_set_param(scan, ix, parts, nparts, point);
    op_scan_set_param_row(scan, jp->row);
    if (!(op = op_place(ctx, op, jp->rels[r].slot0, jp->row, jp->width, false))) return DD_ENOMEM;
    /* the other conjuncts are checked on each pair */
    Expr **rest = arena_alloc(ctx->stmt, sizeof(Expr *) * (size_t)(n + 1));
    if (!rest) return DD_ENOMEM;
    int nrest = 0;
    for (int i = 0; i < n; i++) {
        jp->conj[conj[i]].placed = true;
        if (!used[i]) rest[nrest++] = jp->conj[conj[i]].ast;
    }
    ExprProg *residual = NULL;
    if ((rc = residual_of(jp, rest, nrest, &residual))) return rc;
    SlotRanges xr, yr;
    if ((rc = ranges_of(jp, x->set, &xr)) || (rc = ranges_of(jp, y->set, &yr))) return rc;
    out->op = op_paramjoin(ctx, x->op, op, residual, type, &xr, &yr, jp->row, jp->width);
    if (!out->op) return DD_ENOMEM;
    out->set = x->set | y->set;
    out->rows = rows < 1 ? 1 : rows;
    out->leaf = -1;
    /* a lookup per outer row, each about log2 of the table's rows, and
     * for a key prefix the rows it reads */
    double per = jp->base[r] > 2 ? __builtin_log2(jp->base[r]) : 1;
    if (!ix && !point) per += DD_MAX(out->rows / DD_MAX(x->rows, 1), 1);
    op_estimate(scan, DD_MAX(out->rows / DD_MAX(x->rows, 1), 1), per);
    out->cost = x->cost + x->rows * per + out->rows;
    op_estimate(out->op, out->rows, out->cost);
    *done = true;
    return DD_OK;
}

/*
 * A merge join: x and y are single tables read in primary-key order, one
 * version per key (the present or AS OF a point), and equalities pair
 * every primary-key column of x with the same position of y's key (types
 * that compare alike): both sides stream, nothing is built.  INNER only.
 * *done false: not applicable.
 */
static int try_merge_join(JoinPlanner *jp, JNode *x, JNode *y, int *conj, int n, JoinType type, double rows,
                          JNode *out, bool *done)
{
    SqlCtx *ctx = jp->ctx;
    *done = false;
    if (type != JOIN_INNER || x->leaf < 0 || y->leaf < 0 || !sql_enabled(ctx, "enable_mergejoin")) return DD_OK;
    FromItem *fx = &jp->leaves[x->leaf], *fy = &jp->leaves[y->leaf];
    for (FromItem *f = fx; f; f = f == fx ? fy : NULL)
        if (f->mode != TMODE_PRESENT && f->mode != TMODE_AS_OF) return DD_OK;
    const TableInfo *tx = op_scan_in_key_order(x->op), *ty = op_scan_in_key_order(y->op);
    if (!tx || !ty || tx->npk == 0 || tx->npk != ty->npk || tx->npk > 8) return DD_OK;
    int nk = tx->npk;
    ExprProg *xk[8] = {0}, *yk[8] = {0};
    int used[8];
    for (int i = 0; i < n; i++) {
        Conj *c = &jp->conj[conj[i]];
        ExprProg *a, *b;
        if (!equi_keys(jp, c, x->set, y->set, &a, &b)) continue;
        if (a->n != 1 || a->code[0].op != XOP_SLOT || b->n != 1 || b->code[0].op != XOP_SLOT) continue;
        int ca = a->code[0].a - jp->rels[x->leaf].slot0, cb = b->code[0].a - jp->rels[y->leaf].slot0;
        for (int k = 0; k < nk; k++) {
            if (xk[k] || ca != table_col_index(tx, tx->pk[k]) || cb != table_col_index(ty, ty->pk[k])) continue;
            TypeId ta = tx->cols[ca].type, tb = ty->cols[cb].type;
            if (ta != tb && !(type_is_int(ta) && type_is_int(tb))) continue;
            xk[k] = a;
            yk[k] = b;
            used[k] = i;
            break;
        }
    }
    for (int k = 0; k < nk; k++)
        if (!xk[k]) return DD_OK;
    ExprProg **xs = arena_alloc(ctx->stmt, sizeof(ExprProg *) * (size_t)nk);
    ExprProg **ys = arena_alloc(ctx->stmt, sizeof(ExprProg *) * (size_t)nk);
    Expr **rest = arena_alloc(ctx->stmt, sizeof(Expr *) * (size_t)(n + 1));
    if (!xs || !ys || !rest) return DD_ENOMEM;
    memcpy(xs, xk, sizeof(ExprProg *) * (size_t)nk);
    memcpy(ys, yk, sizeof(ExprProg *) * (size_t)nk);
    int nrest = 0, rc;
    for (int i = 0; i < n; i++) {
        bool key = false;
        for (int k = 0; k < nk; k++) key |= used[k] == i;
        jp->conj[conj[i]].placed = true;
        if (!key) rest[nrest++] = jp->conj[conj[i]].ast;
    }
    ExprProg *residual = NULL;
    if ((rc = residual_of(jp, rest, nrest, &residual))) return rc;
    SlotRanges xr, yr;
    if ((rc = ranges_of(jp, x->set, &xr)) || (rc = ranges_of(jp, y->set, &yr))) return rc;
    out->op = op_mergejoin(ctx, x->op, y->op, nk, xs, ys, residual, &xr, &yr, jp->row, jp->width);
    if (!out->op) return DD_ENOMEM;
    out->set = x->set | y->set;
    out->rows = rows < 1 ? 1 : rows;
    out->leaf = -1;
    out->cost = x->cost + y->cost + x->rows + y->rows + out->rows;
    op_estimate(out->op, out->rows, out->cost);
    *done = true;
    return DD_OK;
}

static int make_join(JoinPlanner *jp, JNode *x, JNode *y, int *conj, int n, JoinType type, double rows, JNode *out)
{
    SqlCtx *ctx = jp->ctx;
    int rc;
    bool done = false;
    /* an inner join may stream its small side and look rows up in the
     * large one; a LEFT JOIN streams its preserved side (x) */
    if (jp->row && type == JOIN_INNER && (rc = try_param_join(jp, y, x, conj, n, type, rows, out, &done))) return rc;
    if (!done && jp->row && type == JOIN_LEFT && (rc = try_param_join(jp, x, y, conj, n, type, rows, out, &done)))
        return rc;
    if (!done && jp->row && (rc = try_merge_join(jp, x, y, conj, n, type, rows, out, &done))) return rc;
    if (done) return DD_OK;
    ExprProg **pk = arena_alloc(ctx->stmt, sizeof(ExprProg *) * (size_t)(n + 1));
    ExprProg **bk = arena_alloc(ctx->stmt, sizeof(ExprProg *) * (size_t)(n + 1));
    Expr **rest = arena_alloc(ctx->stmt, sizeof(Expr *) * (size_t)(n + 1));
    if (!pk || !bk || !rest) return DD_ENOMEM;
    int nkeys = 0, nrest = 0;
    bool hash = sql_enabled(ctx, "enable_hashjoin") || !sql_enabled(ctx, "enable_nestloop");
    for (int i = 0; i < n; i++) {
        Conj *c = &jp->conj[conj[i]];
        c->placed = true;
        if (hash && equi_keys(jp, c, x->set, y->set, &pk[nkeys], &bk[nkeys])) nkeys++;
        else rest[nrest++] = c->ast;
    }
    ExprProg *residual = NULL;
    if ((rc = residual_of(jp, rest, nrest, &residual))) return rc;
    SlotRanges xr, yr;
    if ((rc = ranges_of(jp, x->set, &xr)) || (rc = ranges_of(jp, y->set, &yr))) return rc;
    if (nkeys)
        out->op = op_hashjoin(ctx, x->op, y->op, nkeys, pk, bk, residual, type, &xr, &yr, jp->row, jp->width);
    else {
        /* no key: the residual is the whole condition */
        out->op = op_nljoin(ctx, x->op, y->op, residual, type, &xr, &yr, jp->row, jp->width);
    }
    if (!out->op) return DD_ENOMEM;
    out->set = x->set | y->set;
    out->rows = rows < 1 ? 1 : rows;
    out->leaf = -1;
    out->cost = x->cost + y->cost + (nkeys ? x->rows + y->rows : x->rows * y->rows) + out->rows;
    op_estimate(out->op, out->rows, out->cost);
    return DD_OK;
}

static int plan_problem(JoinPlanner *jp, JProblem *pr, JNode *out);

/* Moves the unplaced conjuncts of pr that read only relations of `set`
 * (and at least one) into dst. */
static int push_conjuncts(JoinPlanner *jp, JProblem *pr, u64 set, JProblem *dst)
{
    int k = 0;
    for (int i = 0; i < pr->nconj; i++) {
        Conj *c = &jp->conj[pr->conj[i]];
        if (c->set && (c->set & ~set) == 0) {
            int rc = grow(jp->ctx, (void **)&dst->conj, &dst->capconj, dst->nconj, sizeof(int));
            if (rc) return rc;
            dst->conj[dst->nconj++] = pr->conj[i];
        } else {
            pr->conj[k++] = pr->conj[i];
        }
    }
    pr->nconj = k;
    return DD_OK;
}

/* The conjuncts of outer join item it's ON condition into *on; the ON
 * condition sees the USING columns of its time. */
static int on_conjuncts(JoinPlanner *jp, JItem *it, JProblem *on)
{
    int mhi = jp->scope.mhi;
    memset(on, 0, sizeof(*on));
    jp->scope.mhi = it->mhi;
    int rc = it->on ? add_conjuncts(jp, on, it->on, "JOIN conditions", it->set) : DD_OK;
    jp->scope.mhi = mhi;
    return rc;
}

/*
 * A lateral join: the right side (one LATERAL item reading the left
 * side's relations) runs again for every row of the left side, with that
 * row as its enclosing row (a parameterized nested loop; LEFT keeps the
 * left rows that get none).  WHERE conjuncts over the left side filter it
 * first; over the right side alone they filter it (INNER), as do ON
 * conjuncts (LEFT); the rest decide the pairs.
 */
static int plan_lateral(JoinPlanner *jp, JProblem *pr, JItem *it, JNode *out)
{
    SqlCtx *ctx = jp->ctx;
    JProblem on;
    int rc = on_conjuncts(jp, it, &on);
    if (rc) return rc;
    if ((rc = push_conjuncts(jp, pr, it->left->set, it->left))) return rc;
    if ((rc = push_conjuncts(jp, it->outer ? &on : pr, it->right->set, it->right))) return rc;
    JNode l, r;
    if ((rc = plan_problem(jp, it->left, &l)) || (rc = plan_problem(jp, it->right, &r))) return rc;
    Expr **rest = arena_alloc(ctx->stmt, sizeof(Expr *) * (size_t)(on.nconj + 1));
    if (!rest) return DD_ENOMEM;
    for (int i = 0; i < on.nconj; i++) {
        jp->conj[on.conj[i]].placed = true;
        rest[i] = jp->conj[on.conj[i]].ast;
    }
    ExprProg *residual = NULL;
    if ((rc = residual_of(jp, rest, on.nconj, &residual))) return rc;
    SlotRanges xr, yr;
    if ((rc = ranges_of(jp, l.set, &xr)) || (rc = ranges_of(jp, r.set, &yr))) return rc;
    if (!jp->row && !(jp->row = op_canonical_row(ctx, jp->width))) return DD_ENOMEM;
    out->op = op_paramjoin(ctx, l.op, r.op, residual, it->outer ? JOIN_LEFT : JOIN_INNER, &xr, &yr, jp->row, jp->width);
    if (!out->op) return DD_ENOMEM;
    op_paramjoin_lateral(out->op);
    out->set = l.set | r.set;
    out->rows = DD_MAX(l.rows * r.rows, 1);
    out->leaf = -1;
    out->cost = l.cost + l.rows * DD_MAX(r.cost, 1) + out->rows;
    op_estimate(out->op, out->rows, out->cost);
    return DD_OK;
}

static int plan_left_join(JoinPlanner *jp, JProblem *pr, JItem *it, JNode *out)
{
    int rc;
    if (it->lateral) return plan_lateral(jp, pr, it, out);
    JProblem on;
    if ((rc = on_conjuncts(jp, it, &on))) return rc;
    if (it->full) {
        /* both sides are preserved: no condition filters either side
         * before the join; the ON conjuncts decide the matches */
        JNode l, r;
        if ((rc = plan_problem(jp, it->left, &l)) || (rc = plan_problem(jp, it->right, &r))) return rc;
        return make_join(jp, &l, &r, on.conj, on.nconj, JOIN_FULL, l.rows + r.rows, out);
    }
    /* WHERE conjuncts over the preserved side filter it before the join */
    if ((rc = push_conjuncts(jp, pr, it->left->set, it->left))) return rc;
    /* ON conjuncts: over the nullable side alone they filter it; the rest
     * decide the match */
    if ((rc = push_conjuncts(jp, &on, it->right->set, it->right))) return rc;
    JNode l, r;
    if ((rc = plan_problem(jp, it->left, &l)) || (rc = plan_problem(jp, it->right, &r))) return rc;
    return make_join(jp, &l, &r, on.conj, on.nconj, JOIN_LEFT, l.rows, out);
}

/* Estimated selectivity of conjunct c joining nodes x and y.  For `a = b`
 * between columns: 1 / the larger number of distinct values, taking a
 * unique column's count as its rows and a column joined to a unique one
 * as having at most that table's rows of distinct values (a foreign key,
 * most likely); other equalities 1 / the larger side; the rest 0.3. */
static double conj_join_selectivity(JoinPlanner *jp, const Conj *c, const JNode *x, const JNode *y)
{
    bool eq = c->ast->kind == EXPR_BINARY && c->ast->u.bin.op == BOP_EQ;
    if (!eq) return 0.3;
    if (c->lrel < 0) return 1.0 / DD_MAX(DD_MAX(x->rows, y->rows), 1);
    double lrows = (x->set >> c->lrel) & 1 ? x->rows : y->rows;
    double rrows = (x->set >> c->rrel) & 1 ? x->rows : y->rows;
    double lb = jp->base[c->lrel], rb = jp->base[c->rrel];
    double ln = c->luniq ? DD_MIN(lrows, lb) : c->runiq ? DD_MIN(lrows, rb) : DD_MAX(lrows / 10, 1);
    double rn = c->runiq ? DD_MIN(rrows, rb) : c->luniq ? DD_MIN(rrows, lb) : DD_MAX(rrows / 10, 1);
    /* statistics know the columns' distinct values better */
    double ndv, nf;
    const FromItem *lf = &jp->leaves[c->lrel], *rf = &jp->leaves[c->rrel];
    if (lf->simple && c->lcol >= 0 && c->lcol < lf->table->ncols &&
        stats_column(&jp->stats[c->lrel], lf->table->cols[c->lcol].id, &ndv, &nf))
        ln = DD_MIN(ndv, lrows);
    if (rf->simple && c->rcol >= 0 && c->rcol < rf->table->ncols &&
        stats_column(&jp->stats[c->rrel], rf->table->cols[c->rcol].id, &ndv, &nf))
        rn = DD_MIN(ndv, rrows);
    return 1.0 / DD_MAX(DD_MAX(ln, rn), 1);
}

#define DP_MAX_INPUTS 10

/* Best plans of subsets of a join problem's inputs (DP): for subset S,
 * its estimated rows, the cost of its best tree (the rows every join in
 * it produces, plus what it reads and builds), and the split that gives
 * it (left, the rest on the right). */
typedef struct DpEntry { double rows, cost; u32 left; bool conn, done; } DpEntry;

/* Builds the tree the DP chose for subset S of nodes. */
static int dp_build(JoinPlanner *jp, JProblem *pr, JNode *nodes, DpEntry *dp, u32 S, JNode *out)
{
    if (!(S & (S - 1))) {
        *out = nodes[__builtin_ctz(S)];
        return DD_OK;
    }
    JNode a, b;
    int rc;
    if ((rc = dp_build(jp, pr, nodes, dp, dp[S].left, &a)) || (rc = dp_build(jp, pr, nodes, dp, S & ~dp[S].left, &b)))
        return rc;
    u64 both = a.set | b.set;
    int *cj = arena_alloc(jp->ctx->stmt, sizeof(int) * (size_t)(pr->nconj + 1));
    if (!cj) return DD_ENOMEM;
    int m = 0;
    for (int k = 0; k < pr->nconj; k++) {
        Conj *c = &jp->conj[pr->conj[k]];
        if (!c->placed && (c->set & ~both) == 0) cj[m++] = pr->conj[k];
    }
    JNode *x = &a, *y = &b;
    if (x->rows < y->rows) { JNode *t = x; x = y; y = t; }
    return make_join(jp, x, y, cj, m, JOIN_INNER, dp[S].rows, out);
}

/* Whether input li (one table) could look its rows up by a column that
 * an equality with the inputs in O gives: its primary key's first column,
 * or the first column of an index that holds every row (what
 * try_param_join builds on; make_join decides in the end). */
static bool dp_lookup(JoinPlanner *jp, JProblem *pr, const u32 *cn, const JNode *nodes, u32 O, int li)
{
    const JNode *b = &nodes[li];
    if (!jp->row || b->leaf < 0 || !sql_enabled(jp->ctx, "enable_nestloop") || !sql_enabled(jp->ctx, "enable_indexscan"))
        return false;
    const FromItem *fi = &jp->leaves[b->leaf];
    if (!fi->simple || (fi->mode != TMODE_PRESENT && fi->mode != TMODE_AS_OF)) return false;
    const TableInfo *t = fi->table;
    u32 L = 1u << li;
    for (int k = 0; k < pr->nconj; k++) {
        if (!(cn[k] & L) || !(cn[k] & O) || (cn[k] & ~(O | L))) continue;
        const Conj *c = &jp->conj[pr->conj[k]];
        if (c->ast->kind != EXPR_BINARY || c->ast->u.bin.op != BOP_EQ || c->lrel < 0 || c->rrel < 0) continue;
        int col = c->lrel == b->leaf ? c->lcol : c->rrel == b->leaf ? c->rcol : -1;
        if (col < 0 || col >= t->ncols) continue;
        u32 id = t->cols[col].id;
        if (t->npk && t->pk[0] == id) return true;
        for (int x = 0; x < t->nindexes; x++) {
            const IndexInfo *ix = &t->indexes[x];
            if (ix->ncols && ix->cols[0] == id && !ix->pred_sql && (fi->mode == TMODE_PRESENT || ix->ever)) return true;
        }
    }
    return false;
}

static int join_order_dp(JoinPlanner *jp, JProblem *pr, JNode *nodes, int n, JNode *out)
{
    SqlCtx *ctx = jp->ctx;
    u32 full = (1u << n) - 1;
    DpEntry *dp = arena_zalloc(ctx->stmt, sizeof(DpEntry) * ((size_t)full + 1));
    /* per conjunct: the inputs it reads, and its selectivity between them */
    u32 *cn = arena_alloc(ctx->stmt, sizeof(u32) * (size_t)(pr->nconj + 1));
    double *csel = arena_alloc(ctx->stmt, sizeof(double) * (size_t)(pr->nconj + 1));
    /* Equalities between plain columns join columns into classes (a = b
     * and b = c, with the a = c derive_equalities added): a subset's rows
     * count one equality per column a class brings in, not one per
     * equality, so each is counted only when it joins two columns no
     * equality counted before has joined (a union-find over the columns,
     * per subset; the conjuncts as written come first, the implied ones
     * after them).  ep: per conjunct its two columns' numbers, or -1. */
    int *ep = arena_alloc(ctx->stmt, sizeof(int) * (size_t)(2 * pr->nconj + 2));
    int *epkey = arena_alloc(ctx->stmt, sizeof(int) * (size_t)(2 * pr->nconj + 2));
    int *uf = arena_alloc(ctx->stmt, sizeof(int) * (size_t)(2 * pr->nconj + 2));
    if (!dp || !cn || !csel || !ep || !epkey || !uf) return DD_ENOMEM;
    int nep = 0;
    for (int k = 0; k < pr->nconj; k++) {
        const Conj *c = &jp->conj[pr->conj[k]];
        ep[2 * k] = ep[2 * k + 1] = -1;
        if (c->lrel < 0 || c->rrel < 0 || c->lrel == c->rrel) continue;
        for (int side = 0; side < 2; side++) {
            int key = (side ? c->rrel : c->lrel) * 65536 + (side ? c->rcol : c->lcol), e = 0;
            while (e < nep && epkey[e] != key) e++;
            if (e == nep) epkey[nep++] = key;
            ep[2 * k + side] = e;
        }
    }
    for (int k = 0; k < pr->nconj; k++) {
        Conj *c = &jp->conj[pr->conj[k]];
        cn[k] = 0;
        csel[k] = 1;
        if (c->placed) continue;
        for (int i = 0; i < n; i++) if (c->set & nodes[i].set) cn[k] |= 1u << i;
        if (__builtin_popcount(cn[k]) < 2) continue;
        /* between the two inputs it reads first (estimates only) */
        int i1 = __builtin_ctz(cn[k]), i2 = __builtin_ctz(cn[k] & ~(1u << i1));
        csel[k] = conj_join_selectivity(jp, c, &nodes[i1], &nodes[i2]);
    }
    for (u32 S = 1; S <= full; S++) {
        DpEntry *e = &dp[S];
        double rows = 1;
        for (int i = 0; i < n; i++) if (S & (1u << i)) rows *= nodes[i].rows;
        for (int e = 0; e < nep; e++) uf[e] = e;
        for (int k = 0; k < pr->nconj; k++) {
            if (!cn[k] || (cn[k] & ~S) || __builtin_popcount(cn[k]) < 2) continue;
            if (ep[2 * k] >= 0) {
                int a = ep[2 * k], b = ep[2 * k + 1];
                while (uf[a] != a) a = uf[a] = uf[uf[a]];
                while (uf[b] != b) b = uf[b] = uf[uf[b]];
                if (a == b) continue;   /* implied by those counted */
                uf[a] = b;
            }
            rows *= csel[k];
        }
        e->rows = rows < 1 ? 1 : rows;
        if (!(S & (S - 1))) {
            e->cost = nodes[__builtin_ctz(S)].cost;
            e->conn = true;
            e->done = true;
            continue;
        }
        /* splits A | B with A holding S's lowest input (each pair once) */
        u32 low = S & -S;
        for (u32 A = (S - 1) & S; A; A = (A - 1) & S) {
            if (!(A & low)) continue;
            u32 B = S & ~A;
            if (!dp[A].done || !dp[B].done) continue;
            bool conn = false;
            for (int k = 0; k < pr->nconj && !conn; k++)
                conn = cn[k] && (cn[k] & ~S) == 0 && (cn[k] & A) && (cn[k] & B);
            bool sub = dp[A].conn && dp[B].conn;
            /* joins that some conjunct connects first; a cross product only
             * where nothing connects */
            double cost = dp[A].cost + dp[B].cost + e->rows + DD_MIN(dp[A].rows, dp[B].rows);
            /* or one side a table the other side's rows look up in (an
             * index nested loop: make_join's costs), not read whole */
            for (int side = 0; side < 2; side++) {
                u32 O = side ? B : A, L = side ? A : B;
                if (L & (L - 1)) continue;
                int li = __builtin_ctz(L);
                /* make_join looks rows up in the side with more rows */
                if (nodes[li].leaf < 0 || nodes[li].rows <= dp[O].rows) continue;
                double base = jp->base[nodes[li].leaf];
                if (dp[O].rows * 4 >= base || !dp_lookup(jp, pr, cn, nodes, O, li)) continue;
                double per = lookup_cost(base) + DD_MAX(e->rows / DD_MAX(dp[O].rows, 1), 1);
                if (dp[O].rows * per >= nodes[li].cost / scan_threads(jp->ctx, base)) continue;
                cost = DD_MIN(cost, dp[O].cost + dp[O].rows * per + e->rows);
            }
            bool better = !e->done || (conn && sub && !e->conn) || ((conn && sub) == e->conn && cost < e->cost);
            if (better) {
                e->cost = cost;
                e->left = A;
                e->conn = conn && sub;
                e->done = true;
            }
        }
    }
    return dp_build(jp, pr, nodes, dp, full, out);
}

static int plan_problem(JoinPlanner *jp, JProblem *pr, JNode *out)
{
    SqlCtx *ctx = jp->ctx;
    int rc;
    JNode *nodes = arena_alloc(ctx->stmt, sizeof(JNode) * (size_t)(pr->nitems + 1));
    Expr **lc = arena_alloc(ctx->stmt, sizeof(Expr *) * (size_t)(pr->nconj + 1));
    int *cj = arena_alloc(ctx->stmt, sizeof(int) * (size_t)(pr->nconj + 1));
    if (!nodes || !lc || !cj) return DD_ENOMEM;
    int n = 0;
    /* conjuncts that read no relation (constants, parameters) filter the
     * first input */
    for (int i = 0; i < pr->nitems; i++) {
        JItem *it = &pr->items[i];
        if (it->rel < 0) {
            if ((rc = plan_left_join(jp, pr, it, &nodes[n++]))) return rc;
            continue;
        }
        int m = 0;
        for (int k = 0; k < pr->nconj; k++) {
            Conj *c = &jp->conj[pr->conj[k]];
            if (c->placed) continue;
            if ((c->set & ~it->set) == 0 && (c->set || i == 0)) { lc[m++] = c->ast; c->placed = true; }
        }
        if ((rc = plan_leaf(jp, it->rel, lc, m, &nodes[n++]))) return rc;
    }
    /* join order: dynamic programming over subsets for a few inputs, a
     * greedy order beyond */
    if (n > 2 && n <= DP_MAX_INPUTS) {
        JNode root;
        if ((rc = join_order_dp(jp, pr, nodes, n, &root))) return rc;
        nodes[0] = root;
        n = 1;
    }
    while (n > 1) {
        int bi = -1, bj = -1;
        double best = 0;
        bool best_conn = false;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) {
                u64 both = nodes[i].set | nodes[j].set;
                bool conn = false;
                double sel = 1;
                for (int k = 0; k < pr->nconj; k++) {
                    Conj *c = &jp->conj[pr->conj[k]];
                    if (c->placed || (c->set & ~both) || !(c->set & nodes[i].set) || !(c->set & nodes[j].set)) continue;
                    conn = true;
                    /* an implied equality whose sources are both applied by now or here adds nothing */
                    const Conj *s0 = c->derived ? &jp->conj[c->src[0]] : NULL, *s1 = c->derived ? &jp->conj[c->src[1]] : NULL;
                    if (s0 && (s0->set & ~both) == 0 && (s1->set & ~both) == 0) continue;
                    sel *= conj_join_selectivity(jp, c, &nodes[i], &nodes[j]);
                }
                double est = nodes[i].rows * nodes[j].rows * sel;
                if (bi < 0 || (conn && !best_conn) || (conn == best_conn && est < best)) {
                    bi = i; bj = j; best = est; best_conn = conn;
                }
            }
        int m = 0;
        u64 both = nodes[bi].set | nodes[bj].set;
        for (int k = 0; k < pr->nconj; k++) {
            Conj *c = &jp->conj[pr->conj[k]];
            if (!c->placed && (c->set & ~both) == 0) cj[m++] = pr->conj[k];
        }
        /* the larger side streams, the smaller is built (hashed or kept) */
        JNode *x = &nodes[bi], *y = &nodes[bj];
        if (x->rows < y->rows) { JNode *t = x; x = y; y = t; }
        JNode j;
        if ((rc = make_join(jp, x, y, cj, m, JOIN_INNER, best, &j))) return rc;
        nodes[bi] = j;
        nodes[bj] = nodes[--n];
    }
    /* whatever is left (a conjunct over relations of a LEFT JOIN's two
     * sides, say) is checked on top */
    int m = 0;
    for (int k = 0; k < pr->nconj; k++) {
        Conj *c = &jp->conj[pr->conj[k]];
        if (!c->placed) { lc[m++] = c->ast; c->placed = true; }
    }
    *out = nodes[0];
    if (m) {
        ExprProg *pred;
        Expr *e = and_of(ctx, lc, m);
        if (!e) return DD_ENOMEM;
        if ((rc = compile_in(jp, e, TYPE_BOOL, "WHERE", &pred))) return rc;
        if (!(out->op = op_filter(ctx, out->op, pred))) return DD_ENOMEM;
        out->cost += out->rows;
        for (int k = 0; k < m; k++) out->rows *= conj_selectivity(lc[k]);
        if (out->rows < 1) out->rows = 1;
        op_estimate(out->op, out->rows, out->cost);
    }
    return DD_OK;
}

/* Whether program p reads only enclosing rows one level up (XOP_OUTER
 * with sub 1), at least one, and nothing of its own query. */
static bool only_outer1(const ExprProg *p)
{
    bool any = false;
    for (int i = 0; i < p->n; i++) {
        u8 op = p->code[i].op;
        if (op == XOP_SLOT || op == XOP_SUBLINK || op == XOP_PARAM) return false;
        if (op == XOP_OUTER) {
            if (p->code[i].sub != 1) return false;
            any = true;
        }
    }
    return any;
}

static bool no_outer(const ExprProg *p)
{
    for (int i = 0; i < p->n; i++)
        if (p->code[i].op == XOP_OUTER || p->code[i].op == XOP_SUBLINK || p->code[i].op == XOP_PARAM) return false;
    return true;
}

/*
 * Tries to plan WHERE conjunct c as a semi or anti join: EXISTS (q),
 * NOT EXISTS (q), x IN (SELECT y ...), where q is a plain SELECT (no
 * grouping, aggregates, LIMIT, set operations or WITH) whose conjuncts
 * either do not read this query or are equalities `inner = outer` with
 * one side over q's relations and the other over this query's; x NOT IN
 * (SELECT y ...) becomes an anti join that keeps SQL's NULL rules
 * (JOIN_ANTI_NULLS: the row stays when its set is empty, goes when x or a
 * member is NULL).  *done false:
 * not this shape (nothing reported); errors are real errors.
 */
static int try_semi(JoinPlanner *jp, Expr *c, bool *done)
{
    SqlCtx *ctx = jp->ctx;
    *done = false;
    JoinType type = JOIN_SEMI;
    Expr *e = c, *in_arg = NULL;
    if (e->kind == EXPR_UNARY && e->u.unary.op == UOP_NOT && e->u.unary.arg->kind == EXPR_EXISTS) {
        type = JOIN_ANTI;
        e = e->u.unary.arg;
    }
    SelectStmt *q;
    if (e->kind == EXPR_EXISTS) {
        q = e->u.sub.select;
    } else if (e->kind == EXPR_IN && e->u.in.subquery && !e->u.in.cmp) {
        q = e->u.in.list[0]->u.sub.select;
        in_arg = e->u.in.arg;
        if (e->u.in.negated) type = JOIN_ANTI_NULLS;
    } else {
        return DD_OK;
    }
    if (q->setop || q->ngroup || q->having || q->limit || q->offset || q->nctes || q->nfrom == 0) return DD_OK;
    if (in_arg && q->ntargets != 1) return DD_OK;
    for (int i = 0; i < q->ntargets; i++)
        if (q->targets[i]->expr->kind == EXPR_STAR ? false : ast_has_aggregate(q->targets[i]->expr)) return DD_OK;
    if (in_arg && q->targets[0]->expr->kind == EXPR_STAR) return DD_OK;
    /* q's FROM, seen from a scope whose enclosing level is this query */
    SubLink *mark = arena_zalloc(ctx->stmt, sizeof(SubLink));
    CompileCtx *occ = arena_zalloc(ctx->stmt, sizeof(CompileCtx));
    Scope *oenv = arena_zalloc(ctx->stmt, sizeof(Scope));
    Scope *qenv = arena_zalloc(ctx->stmt, sizeof(Scope));
    JoinPlanner *jq = arena_zalloc(ctx->stmt, sizeof(JoinPlanner));
    JProblem *top = arena_zalloc(ctx->stmt, sizeof(JProblem));
    if (!mark || !occ || !oenv || !qenv || !jq || !top) return DD_ENOMEM;
    occ->sql = ctx;
    occ->scope = &jp->scope;
    *oenv = jp->scope;
    oenv->cc = occ;
    oenv->link = mark;
    qenv->ctes = jp->env->ctes;
    qenv->outer = oenv;
    jq->ctx = ctx;
    jq->env = qenv;
    jq->rels = arena_zalloc(ctx->stmt, sizeof(ScopeRel) * JP_MAX_RELS);
    jq->leaves = arena_zalloc(ctx->stmt, sizeof(FromItem) * JP_MAX_RELS);
    jq->base = arena_zalloc(ctx->stmt, sizeof(double) * JP_MAX_RELS);
    jq->stats = arena_zalloc(ctx->stmt, sizeof(TableStats) * JP_MAX_RELS);
    if (!jq->rels || !jq->leaves || !jq->base || !jq->stats) return DD_ENOMEM;
    jq->scope = (Scope){jq->rels, 0, 0, qenv->ctes, qenv->outer, NULL, NULL, NULL, 0, 0};
    DdError saved = *ctx->err;
    int rc;
    StarList qstar = {NULL, 0, 0};
    for (int i = 0; i < q->nfrom; i++)
        if ((rc = collect(jq, q->from[i], top, &qstar))) goto not_this;
    /* a derived table or ON condition of q that reads this query: q must
     * run per row */
    if (mark->correlated) goto not_this;
    /* every LEFT JOIN of q stays inside it; q's own conjuncts */
    Expr **list = NULL;
    int n = 0, cap = 0;
    if ((rc = and_split_list(ctx, q->where, &list, &n, &cap))) return rc;
    int nk = 0;
    ExprProg **ok = arena_alloc(ctx->stmt, sizeof(ExprProg *) * (size_t)(n + 2));
    ExprProg **ik = arena_alloc(ctx->stmt, sizeof(ExprProg *) * (size_t)(n + 2));
    Expr **inner = arena_alloc(ctx->stmt, sizeof(Expr *) * (size_t)(n + 1));
    if (!ok || !ik || !inner) return DD_ENOMEM;
    int ninner = 0;
    for (int i = 0; i < n; i++) {
        ExprProg *p;
        if (compile_in(jq, list[i], TYPE_BOOL, "WHERE", &p)) goto not_this;
        if (no_outer(p)) {
            inner[ninner++] = list[i];
            continue;
        }
        Expr *x = list[i];
        if (x->kind != EXPR_BINARY || x->u.bin.op != BOP_EQ) goto not_this;
        ExprProg *l, *r;
        if (compile_in(jq, x->u.bin.l, TYPE_NULLTYPE, "WHERE", &l) ||
            compile_in(jq, x->u.bin.r, TYPE_NULLTYPE, "WHERE", &r))
            goto not_this;
        Expr *oside;
        ExprProg *iprog;
        if (no_outer(l) && only_outer1(r)) { iprog = l; oside = x->u.bin.r; }
        else if (no_outer(r) && only_outer1(l)) { iprog = r; oside = x->u.bin.l; }
        else goto not_this;
        ExprProg *op;
        if (compile_in(jp, oside, TYPE_NULLTYPE, "WHERE", &op) || !no_outer(op)) goto not_this;
        if (!hashable_pair(op->type, iprog->type)) goto not_this;
        ok[nk] = op;
        ik[nk++] = iprog;
    }
    if (in_arg) {
        ExprProg *op, *ip;
        if (compile_in(jp, in_arg, TYPE_NULLTYPE, "WHERE", &op) || !no_outer(op)) goto not_this;
        if (compile_in(jq, q->targets[0]->expr, TYPE_NULLTYPE, "WHERE", &ip) || !no_outer(ip)) goto not_this;
        if (!hashable_pair(op->type, ip->type)) goto not_this;
        ok[nk] = op;
        ik[nk++] = ip;
    }
    if (nk == 0) goto not_this;   /* uncorrelated EXISTS: run once and kept */
    if (ninner) {
        Expr *w = and_of(ctx, inner, ninner);
        if (!w) return DD_ENOMEM;
        if ((rc = add_conjuncts(jq, top, w, "WHERE", top->set))) return rc;
    }
    JNode node;
    if ((rc = plan_problem(jq, top, &node))) return rc;
    Semi *sm = arena_zalloc(ctx->stmt, sizeof(Semi));
    if (!sm) return DD_ENOMEM;
    sm->type = type;
    sm->op = node.op;
    sm->rows = node.rows;
    sm->cost = node.cost;
    sm->nkeys = nk;
    sm->outer_keys = ok;
    sm->inner_keys = ik;
    for (int i = 0; i < nk; i++) sm->set |= prog_rels(jp, ok[i]);
    sm->next = jp->semis;
    jp->semis = sm;
    *done = true;
    return DD_OK;
not_this:
    *ctx->err = saved;
    return DD_OK;
}

/* Plans FROM and WHERE of s: fi gets the operator (canonical rows of all
 * relations) and the relations of the scope. */
int plan_from_where(SqlCtx *ctx, SelectStmt *s, const Scope *env, FromItem *fi)
{
    JoinPlanner jp;
    memset(&jp, 0, sizeof(jp));
    jp.ctx = ctx;
    jp.env = env;
    jp.rels = arena_zalloc(ctx->stmt, sizeof(ScopeRel) * JP_MAX_RELS);
    jp.leaves = arena_zalloc(ctx->stmt, sizeof(FromItem) * JP_MAX_RELS);
    jp.base = arena_zalloc(ctx->stmt, sizeof(double) * JP_MAX_RELS);
    jp.stats = arena_zalloc(ctx->stmt, sizeof(TableStats) * JP_MAX_RELS);
    if (!jp.base || !jp.stats) return DD_ENOMEM;
    JProblem *top = arena_zalloc(ctx->stmt, sizeof(JProblem));
    if (!jp.rels || !jp.leaves || !top) return DD_ENOMEM;
    jp.scope = (Scope){jp.rels, 0, 0, env->ctes, env->outer, NULL, NULL, NULL, 0, 0};
    int rc;
    StarList star = {NULL, 0, 0};
    jp.top = top;
    for (int i = 0; i < s->nfrom; i++) {
        int n0 = top->nitems;
        jp.top_before = top->set;
        jp.pending_top = false;
        if ((rc = collect(&jp, s->from[i], top, &star))) return rc;
        if (jp.pending_top && n0 > 0) {
            /* a LATERAL item in this item's join tree reads the items
             * before it: they are the left side of a lateral join, this
             * item the right */
            JProblem *left = arena_zalloc(ctx->stmt, sizeof(JProblem));
            JProblem *right = arena_zalloc(ctx->stmt, sizeof(JProblem));
            if (!left || !right) return DD_ENOMEM;
            for (int k = 0; k < top->nitems; k++) {
                JProblem *dst = k < n0 ? left : right;
                if ((rc = grow(ctx, (void **)&dst->items, &dst->capitems, dst->nitems, sizeof(JItem)))) return rc;
                dst->items[dst->nitems++] = top->items[k];
                dst->set |= top->items[k].set;
            }
            top->nitems = 0;
            if ((rc = grow(ctx, (void **)&top->items, &top->capitems, 0, sizeof(JItem)))) return rc;
            top->items[top->nitems++] = (JItem){left->set | right->set, -1, left, right, NULL, false, 0, true, false};
        }
    }
    jp.top_before = 0;
    TypeId *params_at_where = select_params_snapshot(ctx, s);
    if (s->where) {
        /* the whole condition first, for PostgreSQL's error messages */
        CompileCtx wc;
        memset(&wc, 0, sizeof(wc));
        wc.sql = ctx;
        wc.scope = &jp.scope;
        wc.agg_forbidden = "WHERE";
        ExprProg *pred;
        if ((rc = expr_compile(&wc, s->where, &pred))) return rc;
        if (pred->type != TYPE_BOOL) {
            if (pred->type == TYPE_UNKNOWN || pred->type == TYPE_NULLTYPE)
                rc = expr_compile_as(&wc, s->where, TYPE_BOOL, -1, &pred);
            else
                rc = dd_err(ctx->err, DD_EDATATYPE_MISMATCH, s->where->loc,
                            "argument of WHERE must be type boolean, not type %s", type_name(pred->type));
            if (rc) return rc;
        }
        Expr **list = NULL;
        int n = 0, cap = 0;
        if ((rc = and_split_list(ctx, s->where, &list, &n, &cap))) return rc;
        for (int i = 0; i < n; i++) {
            bool done = false;
            if (sql_enabled(ctx, "enable_hashjoin") && (rc = try_semi(&jp, list[i], &done))) return rc;
            if (!done && (rc = add_conjuncts(&jp, top, list[i], "WHERE", top->set))) return rc;
        }
    }
    if ((rc = derive_equalities(&jp, top))) return rc;
    JNode root;
    if ((rc = plan_problem(&jp, top, &root))) return rc;
    for (Semi *sm = jp.semis; sm; sm = sm->next) {
        SlotRanges pr, none = {0, NULL, NULL, NULL};
        if ((rc = ranges_of(&jp, root.set, &pr))) return rc;
        Value *row = jp.row;
        if (!row && !(row = jp.row = op_canonical_row(ctx, jp.width))) return DD_ENOMEM;
        if (jp.width == jp.leaves[0].width && jp.nrels == 1) {
            /* one relation: its own rows are the canonical ones */
            row = NULL;
        }
        root.op = op_hashjoin(ctx, root.op, sm->op, sm->nkeys, sm->outer_keys, sm->inner_keys, NULL, sm->type,
                              &pr, &none, row, jp.width);
        if (!root.op) return DD_ENOMEM;
        root.cost += sm->cost + sm->rows + root.rows;
        root.rows = DD_MAX(root.rows * 0.5, 1);
        op_estimate(root.op, root.rows, root.cost);
    }
    memset(fi, 0, sizeof(*fi));
    fi->op = root.op;
    fi->params_at_where = params_at_where;
    fi->rels = jp.rels;
    fi->nrels = jp.nrels;
    fi->width = jp.width;
    if (jp.nmerged) {
        fi->merged = jp.merged;
        fi->nmerged = jp.nmerged;
        fi->star = star.v;
        fi->nstar = star.n;
    }
    return DD_OK;
}

