/*
 * select.c - plans a SELECT: resolves its tables AS OF their temporal
 * clauses (or the session point), builds the scope of visible columns,
 * compiles every expression once, checks grouping rules, and assembles
 * the operator tree (access path choice is in plan_scan_where).
 *
 * Tree of a query:
 *   Scan/Join -> Filter(WHERE) -> [Aggregate -> Filter(HAVING)]
 *     -> Project(targets + extra ORDER BY keys) -> [Distinct] -> [Sort]
 *     -> [Limit]
 * The result exposes the first ntargets columns of the top row.
 *
 * FROM items are tables (a Scan), derived tables (FROM (SELECT ...)
 * [alias [(cols)]]: the inner query's whole operator tree, its output
 * columns a relation of the scope) and joins, planned with WHERE by the
 * join planner below (plan_from_where).  WITH queries are not
 * materialized: each reference by name (which shadows a table of that
 * name) plans the WITH query again as a derived table, so it reads the
 * same points in time.  Subqueries in expressions are planned by
 * analyze_sublink (exec/eval.c runs them; EXISTS / IN become semi and
 * anti joins where they can).  Names resolve through a chain of Scopes: a
 * query's own relations, the WITH queries visible to it, and the
 * enclosing queries, whose columns are outer references.
 */
#include "plan.h"
#include "../types/rowcodec.h"
#include "../../store/keyenc.h"
#include <string.h>
#include <stdlib.h>
#include <stdio.h>



/* ---------------------------------------------------------------- points in time */

static bool ast_has_column(const Expr *e)
{
    if (!e) return false;
    switch (e->kind) {
    case EXPR_COLUMN: case EXPR_STAR: case EXPR_SUBQUERY: case EXPR_EXISTS: return true;
    case EXPR_UNARY: return ast_has_column(e->u.unary.arg);
    case EXPR_BINARY: return ast_has_column(e->u.bin.l) || ast_has_column(e->u.bin.r);
    case EXPR_CAST: return ast_has_column(e->u.cast.arg);
    case EXPR_FUNC:
        for (int i = 0; i < e->u.func.n; i++) if (ast_has_column(e->u.func.args[i])) return true;
        return false;
    case EXPR_CASE:
        if (ast_has_column(e->u.case_.operand) || ast_has_column(e->u.case_.else_)) return true;
        for (int i = 0; i < e->u.case_.n; i++)
            if (ast_has_column(e->u.case_.when[i]) || ast_has_column(e->u.case_.then[i])) return true;
        return false;
    case EXPR_IS: return ast_has_column(e->u.is.arg) || ast_has_column(e->u.is.other);
    default: return false;
    }
}

int sql_point_to_seq(SqlCtx *ctx, const Value *v, int loc, u64 *seq)
{
    i64 us;
    ValueCtx vc = ctx->vctx;
    vc.arena = ctx->stmt;
    Value tv;
    if (v->isnull)
        return dd_err(ctx->err, DD_ENULL_NOT_ALLOWED, loc, "point in time must not be NULL");
    switch ((TypeId)v->type) {
    case TYPE_TIMESTAMPTZ:
        us = ts_to_unix_us(v->v.i);
        break;
    case TYPE_TIMESTAMP: case TYPE_DATE: case TYPE_UNKNOWN: case TYPE_TEXT: case TYPE_VARCHAR: {
        if (type_is_string((TypeId)v->type)) {
            /* '@SEQ:n' as a string is accepted too */
            if (v->v.s.len > 5 && strncasecmp(v->v.s.p, "@seq:", 5) == 0) {
                char buf[32];
                size_t n = DD_MIN(v->v.s.len - 5, sizeof(buf) - 1);
                memcpy(buf, v->v.s.p + 5, n);
                buf[n] = 0;
                char *end;
                unsigned long long s = strtoull(buf, &end, 10);
                if (*end || !n)
                    return dd_err(ctx->err, DD_ESYNTAX, loc, "invalid @SEQ literal \"%.*s\"", (int)v->v.s.len, v->v.s.p);
                *seq = s;
                return DD_OK;
            }
        }
        int rc = val_cast(v, TYPE_TIMESTAMPTZ, -1, false, &vc, &tv, ctx->err);
        if (rc) {
            if (ctx->err->position == 0 && loc >= 0) ctx->err->position = loc + 1;
            return rc;
        }
        us = ts_to_unix_us(tv.v.i);
        break;
    }
    default:
        return dd_err(ctx->err, DD_EDATATYPE_MISMATCH, loc,
                      "FOR SYSTEM_TIME point must be a timestamp or an @SEQ:n literal, not type %s",
                      type_name((TypeId)v->type));
    }
    *seq = store_seq_at_time(ctx->snap, us);
    return DD_OK;
}

static int eval_point(SqlCtx *ctx, Expr *e, u64 *seq)
{
    if (e->kind == EXPR_SEQ) { *seq = (u64)e->u.seq.n; return DD_OK; }
    if (ast_has_column(e))
        return dd_err(ctx->err, DD_EDATETIME_FORMAT, e->loc,
                      "FOR SYSTEM_TIME point must be constant during the statement");
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = ctx;
    cc.agg_forbidden = "FOR SYSTEM_TIME";
    ExprProg *p;
    /* AS OF $1: an untyped parameter is a timestamptz (a parameter
     * declared text, or $1::text, takes '@SEQ:n' too) */
    bool untyped_param = e->kind == EXPR_PARAM && e->u.param.n >= 1 && e->u.param.n <= ctx->nparams &&
                         ctx->param_types[e->u.param.n - 1] == TYPE_UNKNOWN;
    int rc = untyped_param ? expr_compile_as(&cc, e, TYPE_TIMESTAMPTZ, -1, &p) : expr_compile(&cc, e, &p);
    if (rc) return rc;
    EvalEnv env = {ctx, NULL, 0};
    Value v;
    rc = expr_eval(p, &env, NULL, &v);
    if (rc) return rc;
    if (v.isnull && ctx->nparams > 0 && !ctx->params) {
        /* describing a statement whose point is a parameter: the present */
        *seq = snap_seq(ctx->snap);
        ctx->point_from_param = true;
        return DD_OK;
    }
    return sql_point_to_seq(ctx, &v, e->loc, seq);
}

int sql_parse_point_text(SqlCtx *ctx, const char *text, u64 *seq)
{
    Value v = val_text(TYPE_UNKNOWN, text, (u32)strlen(text));
    return sql_point_to_seq(ctx, &v, -1, seq);
}

/* ---------------------------------------------------------------- access paths */


static int and_split_list(SqlCtx *ctx, Expr *e, Expr ***out, int *n, int *cap)
{
    if (!e) return DD_OK;
    if (e->kind == EXPR_BINARY && e->u.bin.op == BOP_AND) {
        int rc = and_split_list(ctx, e->u.bin.l, out, n, cap);
        return rc ? rc : and_split_list(ctx, e->u.bin.r, out, n, cap);
    }
    if (*n == *cap) {
        int ncap = *cap ? *cap * 2 : 8;
        Expr **na = arena_alloc(ctx->stmt, sizeof(Expr *) * (size_t)ncap);
        if (!na) return DD_ENOMEM;
        if (*n) memcpy(na, *out, sizeof(Expr *) * (size_t)*n);
        *out = na;
        *cap = ncap;
    }
    (*out)[(*n)++] = e;
    return DD_OK;
}

/* Evaluates constant expression k as column type ct, only when the value
 * converts exactly (so that key order is the order of the comparison). */
static bool const_as_column(SqlCtx *ctx, Expr *k, TypeId ct, Value *out)
{
    if (ast_has_column(k) || ast_has_aggregate(k)) return false;
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = ctx;
    cc.agg_forbidden = "WHERE";
    ExprProg *p;
    DdError saved = *ctx->err;
    if (expr_compile(&cc, k, &p) || p->type == TYPE_NULLTYPE || !p->constant) { *ctx->err = saved; return false; }
    EvalEnv env = {ctx, NULL, 0};
    Value v, cv;
    Arena *row = ctx->row;
    ctx->row = ctx->stmt;   /* the value must outlive the row arena */
    int rc = expr_eval(p, &env, NULL, &v);
    ctx->row = row;
    if (rc || v.isnull) { *ctx->err = saved; return false; }
    ValueCtx vc = ctx->vctx;
    vc.arena = ctx->stmt;
    bool same_family = (type_is_int(ct) && type_is_int((TypeId)v.type)) ||
                       (type_is_string(ct) && type_is_string((TypeId)v.type)) ||
                       ct == v.type || v.type == TYPE_UNKNOWN;   /* '...' literals read as ct */
    if (!same_family || ct == TYPE_BPCHAR || v.type == TYPE_BPCHAR) { *ctx->err = saved; return false; }
    if (val_cast(&v, ct, -1, false, &vc, &cv, ctx->err) || val_compare(&v, &cv, &vc) != 0) {
        *ctx->err = saved;
        return false;
    }
    *out = cv;
    return true;
}

/* Whether program p, compiled in a query's scope, is constant for one run
 * of that query: it reads no column of the query's own rows (XOP_SLOT) and
 * no parameter, runs no subquery, but reads an enclosing query's row. */
static bool run_constant(const ExprProg *p)
{
    bool outer = false;
    for (int i = 0; i < p->n; i++) {
        u8 op = p->code[i].op;
        if (op == XOP_SLOT || op == XOP_SUBLINK || op == XOP_PARAM) return false;
        outer |= op == XOP_OUTER;
    }
    return outer;
}

/* Expressions a parameterized key may use: columns, constants, operators
 * and casts (no function calls, so nothing volatile). */
static bool param_expr_ok(const Expr *e)
{
    switch (e->kind) {
    case EXPR_COLUMN: case EXPR_CONST: return true;
    case EXPR_UNARY: return param_expr_ok(e->u.unary.arg);
    case EXPR_BINARY: return e->u.bin.op >= BOP_ADD && param_expr_ok(e->u.bin.l) && param_expr_ok(e->u.bin.r);
    case EXPR_CAST: return param_expr_ok(e->u.cast.arg);
    default: return false;
    }
}

static bool is_col(Expr *e, ScopeRel *rel, int ci);

/* If conjunct c is `col = expr` for column ci of rel with expr constant
 * for one run of the query but not a plain constant (it reads an
 * enclosing query's row), gives expr compiled in scope. */
static bool eq_param_for(SqlCtx *ctx, Scope *scope, Expr *c, ScopeRel *rel, int ci, ExprProg **out)
{
    if (!scope || c->kind != EXPR_BINARY || c->u.bin.op != BOP_EQ) return false;
    for (int side = 0; side < 2; side++) {
        Expr *col = side ? c->u.bin.r : c->u.bin.l, *k = side ? c->u.bin.l : c->u.bin.r;
        if (!is_col(col, rel, ci) || !param_expr_ok(k)) continue;
        CompileCtx cc;
        memset(&cc, 0, sizeof(cc));
        cc.sql = ctx;
        cc.scope = scope;
        cc.agg_forbidden = "WHERE";
        ExprProg *p;
        DdError saved = *ctx->err;
        if (expr_compile(&cc, k, &p)) { *ctx->err = saved; continue; }
        if (!run_constant(p)) continue;
        TypeId ct = rel->types[ci], pt = p->type;
        bool same_family = (type_is_int(ct) && type_is_int(pt)) || (type_is_string(ct) && type_is_string(pt)) || ct == pt;
        if (!same_family || ct == TYPE_BPCHAR || pt == TYPE_BPCHAR) continue;
        *out = p;
        return true;
    }
    return false;
}

static bool is_col(Expr *e, ScopeRel *rel, int ci)
{
    if (e->kind != EXPR_COLUMN || strcmp(e->u.col.name, rel->names[ci]) != 0) return false;
    return !e->u.col.qualifier || strcmp(e->u.col.qualifier, rel->alias) == 0;
}

/* If conjunct c is `col op constant` (or `constant op col`) for column ci
 * of rel with op one of = < <= > >=, gives the operator as seen from the
 * column and the constant as the column's type. */
static bool cmp_const_for(SqlCtx *ctx, Expr *c, ScopeRel *rel, int ci, BinaryOp *op, Value *out)
{
    if (c->kind != EXPR_BINARY) return false;
    BinaryOp o = c->u.bin.op;
    if (o != BOP_EQ && o != BOP_LT && o != BOP_LE && o != BOP_GT && o != BOP_GE) return false;
    for (int side = 0; side < 2; side++) {
        Expr *col = side ? c->u.bin.r : c->u.bin.l, *k = side ? c->u.bin.l : c->u.bin.r;
        if (!is_col(col, rel, ci)) continue;
        if (!const_as_column(ctx, k, rel->types[ci], out)) continue;
        static const BinaryOp flip[] = {[BOP_EQ] = BOP_EQ, [BOP_LT] = BOP_GT, [BOP_LE] = BOP_GE,
                                        [BOP_GT] = BOP_LT, [BOP_GE] = BOP_LE};
        *op = side ? flip[o] : o;
        return true;
    }
    return false;
}

static bool eq_const_for(SqlCtx *ctx, Expr *c, ScopeRel *rel, int ci, Value *out)
{
    BinaryOp op;
    return cmp_const_for(ctx, c, rel, ci, &op, out) && op == BOP_EQ;
}

/* The smallest byte string greater than every string that starts with
 * b[0..n): b with its last byte below 0xFF incremented and the rest cut.
 * False when there is none (all 0xFF). */
static bool key_successor(Buf *b)
{
    while (b->len && b->data[b->len - 1] == 0xFF) b->len--;
    if (!b->len) return false;
    b->data[b->len - 1]++;
    return true;
}

/* Bounds on one key column from the conjuncts: lo/hi get the encoded
 * bounds appended to the prefix already in them.  Any bound is a
 * superset of the matching rows: the conjuncts themselves are still
 * checked on every row. */
typedef struct KeyRange {
    Buf lo, hi;
    bool has_lo, has_hi;
} KeyRange;

static void range_col(SqlCtx *ctx, Expr **conj, int n, ScopeRel *rel, int ci, KeyRange *kr)
{
    size_t base = kr->lo.len;
    for (int i = 0; i < n; i++) {
        Expr *c = conj[i];
        BinaryOp op;
        Value v;
        if (!kr->has_lo || !kr->has_hi) {
            if (cmp_const_for(ctx, c, rel, ci, &op, &v)) {
                if (!kr->has_lo && (op == BOP_GT || op == BOP_GE)) {
                    key_encode_value(&v, &kr->lo);
                    kr->has_lo = op == BOP_GE || key_successor(&kr->lo);
                    if (!kr->has_lo) kr->lo.len = base;
                } else if (!kr->has_hi && (op == BOP_LT || op == BOP_LE)) {
                    key_encode_value(&v, &kr->hi);
                    kr->has_hi = op == BOP_LT || key_successor(&kr->hi);
                    if (!kr->has_hi) kr->hi.len = base;
                }
                continue;
            }
        }
        if (c->kind == EXPR_BETWEEN && !c->u.between.negated && !c->u.between.symmetric &&
            is_col(c->u.between.arg, rel, ci) && !kr->has_lo && !kr->has_hi) {
            Value lo, hi;
            if (const_as_column(ctx, c->u.between.lo, rel->types[ci], &lo) &&
                const_as_column(ctx, c->u.between.hi, rel->types[ci], &hi)) {
                key_encode_value(&lo, &kr->lo);
                key_encode_value(&hi, &kr->hi);
                kr->has_lo = true;
                kr->has_hi = key_successor(&kr->hi);
                if (!kr->has_hi) kr->hi.len = base;
            }
            continue;
        }
        /* col LIKE 'prefix%': the keys that start with the prefix */
        if (c->kind == EXPR_LIKE && !c->u.like.negated && !c->u.like.icase && !c->u.like.escape &&
            is_col(c->u.like.arg, rel, ci) && (rel->types[ci] == TYPE_TEXT || rel->types[ci] == TYPE_VARCHAR) &&
            c->u.like.pattern->kind == EXPR_CONST && type_is_string((TypeId)c->u.like.pattern->u.c.val.type) &&
            !kr->has_lo && !kr->has_hi) {
            const Value *pv = &c->u.like.pattern->u.c.val;
            u32 m = 0;
            while (m < pv->v.s.len && pv->v.s.p[m] != '%' && pv->v.s.p[m] != '_' && pv->v.s.p[m] != '\\' &&
                   pv->v.s.p[m] != 0)
                m++;
            if (m == 0) continue;
            key_put_text(&kr->lo, pv->v.s.p, m);
            kr->lo.len -= 2;   /* without the terminator: a prefix of every longer string */
            buf_append(&kr->hi, kr->lo.data + base, kr->lo.len - base);
            kr->has_lo = true;
            kr->has_hi = key_successor(&kr->hi);
            if (!kr->has_hi) kr->hi.len = base;
        }
    }
}


/* Bounds on key columns cols[0..n) (column indexes of t) from the
 * conjuncts: equalities on a leading run of them, then a range on the next
 * one.  *neq: how many leading columns have an equality.  An equality
 * with a value known only when the scan opens (an enclosing query's
 * column) goes into parts[] (n entries) and sets *deferred; the range is
 * then left out. */
/* Whether query expression a (over relation rel) is index expression b
 * (over the bare column names of rel's table). */
static bool expr_matches(const Expr *a, const Expr *b, const ScopeRel *rel)
{
    if (!a || !b) return a == b;
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case EXPR_COLUMN:
        if (a->u.col.qualifier && strcmp(a->u.col.qualifier, rel->alias) != 0) return false;
        return !b->u.col.qualifier && strcmp(a->u.col.name, b->u.col.name) == 0;
    case EXPR_CONST: case EXPR_CAST:
        return ast_expr_equal(a, b) ||
               (a->kind == EXPR_CAST && expr_matches(a->u.cast.arg, b->u.cast.arg, rel) &&
                strcmp(a->u.cast.type.name, b->u.cast.type.name) == 0 && a->u.cast.type.typmod == b->u.cast.type.typmod);
    case EXPR_UNARY:
        return a->u.unary.op == b->u.unary.op && expr_matches(a->u.unary.arg, b->u.unary.arg, rel);
    case EXPR_BINARY:
        return a->u.bin.op == b->u.bin.op && expr_matches(a->u.bin.l, b->u.bin.l, rel) &&
               expr_matches(a->u.bin.r, b->u.bin.r, rel);
    case EXPR_FUNC:
        if (strcmp(a->u.func.name, b->u.func.name) != 0 || a->u.func.n != b->u.func.n || a->u.func.star != b->u.func.star)
            return false;
        for (int i = 0; i < a->u.func.n; i++)
            if (!expr_matches(a->u.func.args[i], b->u.func.args[i], rel)) return false;
        return true;
    default:
        return false;
    }
}

/* If conjunct c is `x = constant` with x the index expression ix_expr,
 * gives the constant as type t (exactly). */
static bool eq_const_for_expr(SqlCtx *ctx, Expr *c, ScopeRel *rel, Expr *ix_expr, TypeId t, Value *out)
{
    if (c->kind != EXPR_BINARY || c->u.bin.op != BOP_EQ) return false;
    for (int side = 0; side < 2; side++) {
        Expr *x = side ? c->u.bin.r : c->u.bin.l, *k = side ? c->u.bin.l : c->u.bin.r;
        if (expr_matches(x, ix_expr, rel) && const_as_column(ctx, k, t, out)) return true;
    }
    return false;
}

/* kexpr / ktype (may be NULL): key columns that are expressions (cols[k]
 * < 0), matched by equalities only. */
static int key_bounds(SqlCtx *ctx, Scope *scope, Expr **conj, int nconj, ScopeRel *rel, const int *cols, int n,
                      KeyRange *kr, int *neq, ScanKeyPart **parts, bool *deferred, Expr **kexpr, const TypeId *ktype)
{
    int k = 0;
    *deferred = false;
    *parts = arena_zalloc(ctx->stmt, sizeof(ScanKeyPart) * (size_t)(n + 1));
    if (!*parts) return DD_ENOMEM;
    for (; k < n; k++) {
        Value v;
        bool hit = false;
        if (cols[k] < 0 && kexpr && kexpr[k]) {
            for (int i = 0; i < nconj && !hit; i++) hit = eq_const_for_expr(ctx, conj[i], rel, kexpr[k], ktype[k], &v);
            if (!hit) break;
            (*parts)[k].val = v;
            (*parts)[k].type = ktype[k];
            key_encode_value(&v, &kr->lo);
            key_encode_value(&v, &kr->hi);
            continue;
        }
        for (int i = 0; cols[k] >= 0 && i < nconj && !hit; i++) hit = eq_const_for(ctx, conj[i], rel, cols[k], &v);
        if (hit) {
            (*parts)[k].val = v;
            (*parts)[k].type = rel->types[cols[k]];
            key_encode_value(&v, &kr->lo);
            key_encode_value(&v, &kr->hi);
            continue;
        }
        ExprProg *p = NULL;
        for (int i = 0; cols[k] >= 0 && i < nconj && !hit; i++) hit = eq_param_for(ctx, scope, conj[i], rel, cols[k], &p);
        if (!hit) break;
        (*parts)[k].prog = p;
        (*parts)[k].type = rel->types[cols[k]];
        *deferred = true;
    }
    *neq = k;
    if (*deferred) return DD_OK;
    if (k < n && cols[k] >= 0) range_col(ctx, conj, nconj, rel, cols[k], kr);
    if (k > 0) {
        if (!kr->has_hi) kr->has_hi = key_successor(&kr->hi);
        kr->has_lo = true;
    }
    return DD_OK;
}

/* Copies the bounds of kr into the statement arena; `cut` > 0 limits them
 * to that many bytes (index values are truncated so), keeping a superset. */
static int bounds_copy(SqlCtx *ctx, KeyRange *kr, size_t cut, u8 **lo, u32 *lolen, u8 **hi, u32 *hilen)
{
    *lo = *hi = NULL;
    *lolen = *hilen = 0;
    if (!buf_ok(&kr->lo) || !buf_ok(&kr->hi)) return DD_ENOMEM;
    if (cut && kr->has_lo && kr->lo.len > cut) kr->lo.len = cut;
    if (cut && kr->has_hi && kr->hi.len > cut) {
        kr->hi.len = cut;
        kr->has_hi = key_successor(&kr->hi);
    }
    if (kr->has_lo && !(*lo = arena_memdup(ctx->stmt, kr->lo.data, kr->lo.len ? kr->lo.len : 1))) return DD_ENOMEM;
    if (kr->has_hi && !(*hi = arena_memdup(ctx->stmt, kr->hi.data, kr->hi.len ? kr->hi.len : 1))) return DD_ENOMEM;
    *lolen = (u32)kr->lo.len;
    *hilen = (u32)kr->hi.len;
    return DD_OK;
}

/*
 * Access path of a scan of t (relation rel) under the conjuncts of where:
 *   1. every primary-key column equal to a constant: one key;
 *   2. a secondary index with an equality on all its columns, or on a
 *      leading run of them: its entries (AS OF a point and over history
 *      ranges too, from its history entries, when it kept them since
 *      its creation);
 *   3. primary-key bounds (leading equalities, then a range): a key range;
 *   4. an index with a range on its first column;
 *   5. the whole table.
 * The conjuncts are still checked on every row (a Filter above the scan),
 * so a path only has to return a superset of the matching rows.
 * enable_indexscan = off leaves only 5.
 */
int plan_scan_where(SqlCtx *ctx, const TableInfo *t, TMode mode, u64 a, u64 b, ScopeRel *rel,
                    Scope *scope, Expr *where, Op **out)
{
    ExprProg *pred = NULL;
    int rc;
    if (where) {
        CompileCtx cc;
        memset(&cc, 0, sizeof(cc));
        cc.sql = ctx;
        cc.scope = scope;
        cc.agg_forbidden = "WHERE";
        rc = expr_compile(&cc, where, &pred);
        if (rc) return rc;
        if (pred->type != TYPE_BOOL) {
            if (pred->type == TYPE_UNKNOWN || pred->type == TYPE_NULLTYPE)
                rc = expr_compile_as(&cc, where, TYPE_BOOL, -1, &pred);
            else
                rc = dd_err(ctx->err, DD_EDATATYPE_MISMATCH, where->loc,
                            "argument of WHERE must be type boolean, not type %s", type_name(pred->type));
            if (rc) return rc;
        }
    }
    Op *scan = op_scan(ctx, t, mode, a, b, rel->used);
    if (!scan) return DD_ENOMEM;
    if (!where) {
        *out = scan;
        return DD_OK;
    }
    Expr **conj = NULL;
    int n = 0, capc = 0;
    if ((rc = and_split_list(ctx, where, &conj, &n, &capc))) return rc;
    bool paths = sql_enabled(ctx, "enable_indexscan");
    int *cols = arena_alloc(ctx->stmt, sizeof(int) * (size_t)(t->npk + 1));
    if (!cols) return DD_ENOMEM;
    for (int k = 0; k < t->npk; k++) cols[k] = table_col_index(t, t->pk[k]);
    KeyRange pk = {BUF_INIT, BUF_INIT, false, false};
    int pk_eq = 0;
    ScanKeyPart *pk_parts = NULL, *bx_parts = NULL;
    bool pk_def = false, bx_def = false;
    if (paths && t->npk) rc = key_bounds(ctx, scope, conj, n, rel, cols, t->npk, &pk, &pk_eq, &pk_parts, &pk_def, NULL, NULL);
    /* the best secondary index: most leading equalities, then a range */
    int best = -1, best_eq = 0;
    bool best_range = false;
    KeyRange bx = {BUF_INIT, BUF_INIT, false, false};
    for (int x = 0; !rc && paths && pk_eq < t->npk && x < t->nindexes; x++) {
        const IndexInfo *ix = &t->indexes[x];
        if (mode != TMODE_PRESENT && !ix->ever) continue;
        if (mode == TMODE_PRESENT && !sql_index_in_snapshot(ctx, t, ix)) continue;
        int *ic = arena_alloc(ctx->stmt, sizeof(int) * (size_t)(ix->ncols + 1));
        if (!ic) { rc = DD_ENOMEM; break; }
        Expr **kexpr = NULL;
        TypeId *ktype = NULL;
        for (int k = 0; k < ix->ncols; k++) {
            ic[k] = ix->exprs && ix->exprs[k] ? -1 : table_col_index(t, ix->cols[k]);
            if (ic[k] >= 0) continue;
            if (!kexpr) {
                kexpr = arena_zalloc(ctx->stmt, sizeof(Expr *) * (size_t)ix->ncols);
                ktype = arena_zalloc(ctx->stmt, sizeof(TypeId) * (size_t)ix->ncols);
                if (!kexpr || !ktype) { rc = DD_ENOMEM; break; }
            }
            ExprProg *prog;
            DdError saved = *ctx->err;
            if (sql_index_expr(ctx, t, ix, k, &prog, &kexpr[k])) {
                *ctx->err = saved;   /* an index that cannot serve: plan without it */
                kexpr[k] = NULL;
                continue;
            }
            ktype[k] = prog->type;
        }
        if (rc) break;
        KeyRange kr = {BUF_INIT, BUF_INIT, false, false};
        int eq = 0;
        ScanKeyPart *parts;
        bool def;
        if ((rc = key_bounds(ctx, scope, conj, n, rel, ic, ix->ncols, &kr, &eq, &parts, &def, kexpr, ktype))) break;
        bool range = kr.has_lo || kr.has_hi || eq > 0;
        if (range && (eq > best_eq || (eq == best_eq && !best_range))) {
            buf_free(&bx.lo);
            buf_free(&bx.hi);
            bx = kr;
            best = x;
            best_eq = eq;
            best_range = true;
            bx_parts = parts;
            bx_def = def;
        } else {
            buf_free(&kr.lo);
            buf_free(&kr.hi);
        }
    }
    u8 *lo, *hi;
    u32 lolen, hilen;
    if (rc) {
        /* fall through to the frees */
    } else if (pk_eq == t->npk && t->npk && pk_def) {
        op_scan_set_param(scan, NULL, pk_parts, pk_eq, true);
    } else if (pk_eq == t->npk && t->npk) {
        rc = bounds_copy(ctx, &pk, 0, &lo, &lolen, &hi, &hilen);
        if (!rc && lolen <= KEY_MAX_PK) op_scan_set_pk(scan, lo, lolen);
    } else if (best >= 0 && bx_def) {
        op_scan_set_param(scan, &t->indexes[best], bx_parts, best_eq, false);
    } else if (best >= 0 && (best_eq > 0 || !(pk.has_lo || pk.has_hi))) {
        rc = bounds_copy(ctx, &bx, ROW_INDEX_PREFIX, &lo, &lolen, &hi, &hilen);
        if (!rc) op_scan_set_index(scan, &t->indexes[best], lo, lolen, hi, hilen);
    } else if (pk_def && pk_eq > 0) {
        op_scan_set_param(scan, NULL, pk_parts, pk_eq, false);
    } else if (pk.has_lo || pk.has_hi) {
        rc = bounds_copy(ctx, &pk, 0, &lo, &lolen, &hi, &hilen);
        if (!rc) op_scan_set_range(scan, lo, lolen, hi, hilen);
    }
    buf_free(&pk.lo);
    buf_free(&pk.hi);
    buf_free(&bx.lo);
    buf_free(&bx.hi);
    if (rc) return rc;
    scan = op_filter(ctx, scan, pred);
    if (!scan) return DD_ENOMEM;
    *out = scan;
    return DD_OK;
}

/* ---------------------------------------------------------------- FROM */

typedef struct FromItem {
    Op *op;
    ScopeRel *rels; int nrels;   /* slot0 relative to this item */
    int width;
    /* single table, for WHERE access paths */
    const TableInfo *table;
    TMode mode; u64 a, b;
    bool simple;
} FromItem;

static TMode tmode_of(TemporalKind k)
{
    switch (k) {
    case TEMPORAL_AS_OF: return TMODE_AS_OF;
    case TEMPORAL_FROM_TO: return TMODE_FROM_TO;
    case TEMPORAL_BETWEEN: return TMODE_BETWEEN;
    case TEMPORAL_CONTAINED_IN: return TMODE_CONTAINED_IN;
    case TEMPORAL_ALL: return TMODE_ALL;
    default: return TMODE_PRESENT;
    }
}

static int table_missing(SqlCtx *ctx, TableRef *tr, u64 seq, bool past)
{
    u64 later = 0;
    const TableInfo *t = store_table_by_name(ctx->snap, tr->name, SEQ_NONE - 1, &later);
    DD_UNUSED(t);
    if (past) {
        u64 created = 0;
        store_table_by_name(ctx->snap, tr->name, seq, &created);
        if (created)
            return dd_err(ctx->err, DD_EUNDEFINED_TABLE, tr->loc,
                          "relation \"%s\" does not exist AS OF @SEQ:%llu (it was created at @SEQ:%llu)",
                          tr->name, (unsigned long long)seq, (unsigned long long)created);
        return dd_err(ctx->err, DD_EUNDEFINED_TABLE, tr->loc, "relation \"%s\" does not exist AS OF @SEQ:%llu",
                      tr->name, (unsigned long long)seq);
    }
    return dd_err(ctx->err, DD_EUNDEFINED_TABLE, tr->loc, "relation \"%s\" does not exist", tr->name);
}

/* drift_commits: the commit log as a table; AS OF x shows commits up to x. */
static int from_commits(SqlCtx *ctx, TableRef *tr, TemporalKind k, u64 a, FromItem *fi)
{
    if (k != TEMPORAL_NONE && k != TEMPORAL_AS_OF)
        return dd_err(ctx->err, DD_EFEATURE, tr->temporal.loc,
                      "drift_commits takes only FOR SYSTEM_TIME AS OF (it is the history itself)");
    u64 head = snap_seq(ctx->snap);
    u64 upto = k == TEMPORAL_AS_OF && a < head ? a : head;
    ScopeRel *rel = arena_zalloc(ctx->stmt, sizeof(ScopeRel));
    if (!rel) return DD_ENOMEM;
    rel->alias = tr->alias ? tr->alias : tr->name;
    rel->ncols = COMMITS_COLS;
    rel->names = arena_alloc(ctx->stmt, sizeof(char *) * COMMITS_COLS);
    rel->types = arena_alloc(ctx->stmt, sizeof(TypeId) * COMMITS_COLS);
    rel->typmods = arena_alloc(ctx->stmt, sizeof(i32) * COMMITS_COLS);
    rel->hidden = arena_zalloc(ctx->stmt, sizeof(bool) * COMMITS_COLS);
    rel->used = arena_zalloc(ctx->stmt, sizeof(bool) * COMMITS_COLS);
    if (!rel->names || !rel->types || !rel->typmods || !rel->hidden || !rel->used) return DD_ENOMEM;
    int nal = 0;
    for (int c = 0; c < COMMITS_COLS; c++) {
        rel->names[c] = nal < tr->ncol_aliases ? tr->col_aliases[nal++] : commits_col_names[c];
        rel->types[c] = commits_col_types[c];
        rel->typmods[c] = -1;
    }
    memset(fi, 0, sizeof(*fi));
    fi->rels = rel;
    fi->nrels = 1;
    fi->width = COMMITS_COLS;
    fi->op = op_commits(ctx, upto);
    return fi->op ? DD_OK : DD_ENOMEM;
}

static int from_table(SqlCtx *ctx, TableRef *tr, FromItem *fi)
{
    TemporalKind k = tr->temporal.kind;
    u64 a = 0, b = 0;
    int rc;
    const TableInfo *t;
    if (k == TEMPORAL_NONE && ctx->session_point != SEQ_NONE) {
        k = TEMPORAL_AS_OF;
        a = ctx->session_point;
    } else if (k != TEMPORAL_NONE && k != TEMPORAL_ALL) {
        rc = eval_point(ctx, tr->temporal.a, &a);
        if (rc) return rc;
        if (k != TEMPORAL_AS_OF) {
            rc = eval_point(ctx, tr->temporal.b, &b);
            if (rc) return rc;
        }
    }
    if (strcmp(tr->name, "drift_commits") == 0) return from_commits(ctx, tr, k, a, fi);
    if (k == TEMPORAL_AS_OF) {
        u64 head = snap_seq(ctx->snap);
        u64 at = a > head ? head : a;
        u64 later = 0;
        t = store_table_by_name(ctx->snap, tr->name, at, &later);
        if (!t) return table_missing(ctx, tr, at, true);
        a = at;
    } else {
        t = resolve_table_present(ctx, tr->name);
        if (!t) return table_missing(ctx, tr, 0, false);
    }
    fi->rels = arena_zalloc(ctx->stmt, sizeof(ScopeRel));
    if (!fi->rels) return DD_ENOMEM;
    rc = scope_rel_for_table(ctx, t, tr->alias, fi->rels);
    if (rc) return rc;
    /* t AS x(a, b): renames the visible columns in order */
    int nal = 0;
    for (int c = 0; c < fi->rels->ncols && nal < tr->ncol_aliases; c++)
        if (!fi->rels->hidden[c]) fi->rels->names[c] = tr->col_aliases[nal++];
    if (nal < tr->ncol_aliases)
        return dd_err(ctx->err, DD_EINVALID_COLUMN_REF, tr->loc,
                      "table \"%s\" has %d columns available but %d columns specified",
                      fi->rels->alias, nal, tr->ncol_aliases);
    fi->nrels = 1;
    fi->width = fi->rels->ncols;
    fi->table = t;
    fi->mode = tmode_of(k);
    fi->a = a;
    fi->b = b;
    fi->simple = true;
    return DD_OK;
}

static int analyze_query(SqlCtx *ctx, SelectStmt *s, Plan *p, const Scope *env);
static int analyze_setop(SqlCtx *ctx, SelectStmt *s, Plan *p, const Scope *outer);

/* A derived table: the query sel planned in env, its output columns named
 * by cols[0..ncols) first, then by the query's own names. */
static int from_derived(SqlCtx *ctx, SelectStmt *sel, const char *alias, char **cols, int ncols,
                        int loc, const Scope *env, FromItem *fi)
{
    Plan *ip = arena_zalloc(ctx->stmt, sizeof(Plan));
    ScopeRel *rel = arena_zalloc(ctx->stmt, sizeof(ScopeRel));
    if (!ip || !rel) return DD_ENOMEM;
    int rc = analyze_query(ctx, sel, ip, env);
    if (rc) return rc;
    if (ncols > ip->ncols)
        return dd_err(ctx->err, DD_EINVALID_COLUMN_REF, loc, "table \"%s\" has %d columns available but %d columns specified",
                      alias ? alias : "unnamed_subquery", ip->ncols, ncols);
    int n = ip->ncols;
    rel->alias = alias ? alias : "";   /* no alias: not qualifiable */
    rel->ncols = n;
    rel->names = arena_alloc(ctx->stmt, sizeof(char *) * (size_t)(n + 1));
    rel->types = arena_alloc(ctx->stmt, sizeof(TypeId) * (size_t)(n + 1));
    rel->typmods = arena_alloc(ctx->stmt, sizeof(i32) * (size_t)(n + 1));
    rel->hidden = arena_zalloc(ctx->stmt, sizeof(bool) * (size_t)(n + 1));
    rel->used = arena_zalloc(ctx->stmt, sizeof(bool) * (size_t)(n + 1));
    if (!rel->names || !rel->types || !rel->typmods || !rel->hidden || !rel->used) return DD_ENOMEM;
    for (int i = 0; i < n; i++) {
        rel->names[i] = i < ncols ? cols[i] : ip->cols[i].name;
        rel->types[i] = ip->cols[i].type;
        rel->typmods[i] = ip->cols[i].typmod;
    }
    fi->op = ip->root;
    fi->rels = rel;
    fi->nrels = 1;
    fi->width = ip->root->width;   /* may carry ORDER BY keys past the columns */
    return DD_OK;
}

static const CteDef *cte_lookup(const Scope *env, const char *name)
{
    for (const CteDef *d = env ? env->ctes : NULL; d; d = d->prev)
        if (strcmp(d->name, name) == 0) return d;
    return NULL;
}

/* A reference to WITH query d: planned again as a derived table. */
static int from_cte(SqlCtx *ctx, TableRef *tr, const CteDef *d, FromItem *fi)
{
    if (tr->temporal.kind != TEMPORAL_NONE)
        return dd_err(ctx->err, DD_EFEATURE, tr->temporal.loc,
                      "FOR SYSTEM_TIME cannot be applied to WITH query \"%s\"", d->name);
    if (tr->ncol_aliases)   /* x AS y(a, b) replaces the WITH query's own list */
        return from_derived(ctx, d->select, tr->alias, tr->col_aliases, tr->ncol_aliases, tr->loc, d->env, fi);
    return from_derived(ctx, d->select, tr->alias ? tr->alias : d->name, d->cols, d->ncols, tr->loc, d->env, fi);
}

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
} Conj;

typedef struct JProblem JProblem;
typedef struct JItem {
    u64 set;
    int rel;                /* a relation, or -1 for a LEFT JOIN */
    JProblem *left, *right;
    Expr *on;
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
    TableStats *stats;      /* per relation: its table's statistics, if any */
} JoinPlanner;

/* A WHERE conjunct [NOT] EXISTS (SELECT ...) or x IN (SELECT y ...) whose
 * subquery reads the enclosing query only through equalities: planned as
 * its own FROM clause (op, rows estimated) and joined by hash on the keys
 * (outer expressions over this query's relations, inner ones over the
 * subquery's). */
typedef struct Semi {
    JoinType type;          /* JOIN_SEMI or JOIN_ANTI */
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
        if (t->indexes[x].unique && t->indexes[x].ncols == 1 && t->indexes[x].cols[0] == id) return true;
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
                                     -1, -1, false, false};
        conj_columns(jp, &jp->conj[jp->nconj]);
        pr->conj[pr->nconj++] = jp->nconj++;
    }
    return rc;
}

static int leaf_item(SqlCtx *ctx, TableRef *tr, const Scope *env, FromItem *fi)
{
    memset(fi, 0, sizeof(*fi));
    if (tr->kind == TREF_SUBQUERY)
        return from_derived(ctx, tr->select, tr->alias, tr->col_aliases, tr->ncol_aliases, tr->loc, env, fi);
    const CteDef *d = strchr(tr->name, '.') ? NULL : cte_lookup(env, tr->name);
    if (d) return from_cte(ctx, tr, d, fi);
    return from_table(ctx, tr, fi);
}

/* The ON condition of a join over relations [first, jp->nrels): checked in
 * the scope of those relations only, as PostgreSQL does. */
static int check_on(JoinPlanner *jp, Expr *on, int first)
{
    Scope s = {jp->rels + first, jp->nrels - first, jp->width, jp->env->ctes, jp->env->outer, NULL, NULL};
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = jp->ctx;
    cc.scope = &s;
    cc.agg_forbidden = "JOIN conditions";
    ExprProg *p;
    return expr_compile_as(&cc, on, TYPE_BOOL, -1, &p);
}

static int collect(JoinPlanner *jp, TableRef *tr, JProblem *pr)
{
    SqlCtx *ctx = jp->ctx;
    int rc;
    if (tr->kind != TREF_JOIN) {
        if (jp->nrels == JP_MAX_RELS)
            return dd_err(ctx->err, DD_EPROGRAM_LIMIT, tr->loc, "too many relations in one FROM clause (at most %d)",
                          JP_MAX_RELS);
        int r = jp->nrels;
        FromItem *fi = &jp->leaves[r];
        if ((rc = leaf_item(ctx, tr, jp->env, fi))) return rc;
        jp->rels[r] = fi->rels[0];
        jp->rels[r].slot0 = jp->width;
        for (int j = 0; j < r && jp->rels[r].alias[0]; j++)
            if (strcmp(jp->rels[r].alias, jp->rels[j].alias) == 0)
                return dd_err(ctx->err, DD_EDUPLICATE_ALIAS, tr->loc, "table name \"%s\" specified more than once",
                              jp->rels[r].alias);
        jp->width += fi->width;
        jp->nrels++;
        jp->scope.nrels = jp->nrels;
        jp->scope.nslots = jp->width;
        if ((rc = grow(ctx, (void **)&pr->items, &pr->capitems, pr->nitems, sizeof(JItem)))) return rc;
        pr->items[pr->nitems++] = (JItem){1ULL << r, r, NULL, NULL, NULL};
        pr->set |= 1ULL << r;
        return DD_OK;
    }
    if (tr->join == JOIN_RIGHT || tr->join == JOIN_FULL)
        return dd_err(ctx->err, DD_EFEATURE, tr->loc, "RIGHT and FULL joins are not supported yet");
    int first = jp->nrels;
    if (tr->join == JOIN_LEFT) {
        JItem it = {0, -1, arena_zalloc(ctx->stmt, sizeof(JProblem)), arena_zalloc(ctx->stmt, sizeof(JProblem)), tr->on};
        if (!it.left || !it.right) return DD_ENOMEM;
        if ((rc = collect(jp, tr->left, it.left)) || (rc = collect(jp, tr->right, it.right))) return rc;
        if (tr->nusing) return dd_err(ctx->err, DD_EFEATURE, tr->loc, "JOIN ... USING is not supported yet");
        if (tr->on && (rc = check_on(jp, tr->on, first))) return rc;
        it.set = it.left->set | it.right->set;
        if ((rc = grow(ctx, (void **)&pr->items, &pr->capitems, pr->nitems, sizeof(JItem)))) return rc;
        pr->items[pr->nitems++] = it;
        pr->set |= it.set;
        return DD_OK;
    }
    if ((rc = collect(jp, tr->left, pr)) || (rc = collect(jp, tr->right, pr))) return rc;
    if (tr->nusing) return dd_err(ctx->err, DD_EFEATURE, tr->loc, "JOIN ... USING is not supported yet");
    if (tr->on) {
        if ((rc = check_on(jp, tr->on, first))) return rc;
        u64 all = (jp->nrels == 64 ? ~0ULL : (1ULL << jp->nrels) - 1) & ~((1ULL << first) - 1);
        return add_conjuncts(jp, pr, tr->on, "JOIN conditions", all);
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
    if (e->u.col.qualifier && strcmp(e->u.col.qualifier, rel->alias) != 0) return -1;
    for (int c = 0; c < t->ncols; c++)
        if (strcmp(rel->names[c], e->u.col.name) == 0) return c;
    return -1;
}

/* Selectivity of a conjunct over one table, from its statistics where
 * they say something: `col = constant` (1 - NULLs) / distinct values,
 * `col IN (list)` n times that, IS [NOT] NULL the NULL fraction; else the
 * rough figures of conj_selectivity. */
static double conj_selectivity_stats(const Expr *e, ScopeRel *rel, const TableInfo *t, const TableStats *st,
                                     double base)
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
                uniq = t->indexes[x].unique && t->indexes[x].ncols == 1 && t->indexes[x].cols[0] == id;
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
    Scope ls = {&local, 1, fi->width, jp->env->ctes, jp->env->outer, NULL, NULL};
    Expr *where = and_of(ctx, conj, nconj);
    if (nconj && !where) return DD_ENOMEM;
    Op *op;
    int rc;
    double rows = DEFAULT_TABLE_ROWS;
    if (fi->simple) {
        i64 live = store_table_rows(ctx->snap, fi->table->id);
        if (live >= 0) rows = (double)(live ? live : 1);
        jp->base[r] = rows;
        /* statistics matter to join order: gathered for joins, only read
         * for one table (its estimates show in EXPLAIN) */
        if ((rc = sql_table_stats(ctx, fi->table, jp->nrels > 1, &jp->stats[r]))) return rc;
        rc = plan_scan_where(ctx, fi->table, fi->mode, fi->a, fi->b, &local, &ls, where, &op);
        if (rc) return rc;
        double base = rows;
        for (int i = 0; i < nconj; i++) rows *= conj_selectivity_stats(conj[i], &local, fi->table, &jp->stats[r], base);
        if (op_scan_is_point(op)) rows = 1;
    } else {
        op = fi->op;
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

/* Joins nodes x (outer / probe side) and y with the conjuncts in conj
 * (indices into jp->conj).  type: JOIN_INNER or JOIN_LEFT (x preserved). */
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
    bool all_pk = t->npk > 0;
    for (int k = 0; k < t->npk && all_pk; k++) {
        int ci = table_col_index(t, t->pk[k]);
        all_pk = ci >= 0 && given[ci];
    }
    if (all_pk) {
        cols = t->pk;
        nparts = t->npk;
        point = true;
    } else {
        for (int xi = 0; xi < t->nindexes; xi++) {
            const IndexInfo *cand = &t->indexes[xi];
            if (fi->mode != TMODE_PRESENT && !cand->ever) continue;
            if (fi->mode == TMODE_PRESENT && !sql_index_in_snapshot(ctx, t, cand)) continue;
            int k = 0;
            while (k < cand->ncols) {
                int ci = table_col_index(t, cand->cols[k]);
                if (ci < 0 || !given[ci]) break;
                k++;
            }
            if (k > nparts) { ix = cand; nparts = k; cols = cand->cols; }
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
    Scope ls = {&local, 1, fi->width, jp->env->ctes, jp->env->outer, NULL, NULL};
    Expr *where = and_of(ctx, y->conj, y->nconj);
    Op *op;
    int rc = plan_scan_where(ctx, t, fi->mode, fi->a, fi->b, &local, &ls, where, &op);
    if (rc) return rc;
    Op *scan = op_scan_of(op);
    if (!scan) return DD_OK;
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
    if (nrest) {
        Expr *e = and_of(ctx, rest, nrest);
        if (!e) return DD_ENOMEM;
        if ((rc = compile_in(jp, e, TYPE_BOOL, "JOIN conditions", &residual))) return rc;
    }
    SlotRanges xr, yr;
    if ((rc = ranges_of(jp, x->set, &xr)) || (rc = ranges_of(jp, y->set, &yr))) return rc;
    out->op = op_paramjoin(ctx, x->op, op, residual, type, &xr, &yr, jp->row, jp->width);
    if (!out->op) return DD_ENOMEM;
    out->set = x->set | y->set;
    out->rows = rows < 1 ? 1 : rows;
    out->leaf = -1;
    /* a lookup per outer row, each about log2 of the table's rows */
    double per = jp->base[r] > 2 ? __builtin_log2(jp->base[r]) : 1;
    op_estimate(scan, DD_MAX(out->rows / DD_MAX(x->rows, 1), 1), per);
    out->cost = x->cost + x->rows * per + out->rows;
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
    if (nrest) {
        Expr *e = and_of(ctx, rest, nrest);
        if (!e) return DD_ENOMEM;
        if ((rc = compile_in(jp, e, TYPE_BOOL, "JOIN conditions", &residual))) return rc;
    }
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

static int plan_left_join(JoinPlanner *jp, JProblem *pr, JItem *it, JNode *out)
{
    int rc;
    /* WHERE conjuncts over the preserved side filter it before the join */
    if ((rc = push_conjuncts(jp, pr, it->left->set, it->left))) return rc;
    /* ON conjuncts: over the nullable side alone they filter it; the rest
     * decide the match */
    JProblem on;
    memset(&on, 0, sizeof(on));
    if (it->on && (rc = add_conjuncts(jp, &on, it->on, "JOIN conditions", it->set))) return rc;
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

static int join_order_dp(JoinPlanner *jp, JProblem *pr, JNode *nodes, int n, JNode *out)
{
    SqlCtx *ctx = jp->ctx;
    u32 full = (1u << n) - 1;
    DpEntry *dp = arena_zalloc(ctx->stmt, sizeof(DpEntry) * ((size_t)full + 1));
    /* per conjunct: the inputs it reads, and its selectivity between them */
    u32 *cn = arena_alloc(ctx->stmt, sizeof(u32) * (size_t)(pr->nconj + 1));
    double *csel = arena_alloc(ctx->stmt, sizeof(double) * (size_t)(pr->nconj + 1));
    if (!dp || !cn || !csel) return DD_ENOMEM;
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
        for (int k = 0; k < pr->nconj; k++)
            if (cn[k] && (cn[k] & ~S) == 0 && __builtin_popcount(cn[k]) >= 2) rows *= csel[k];
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
 * one side over q's relations and the other over this query's.  NOT IN
 * stays a subquery (its NULL rules are not an anti join's).  *done false:
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
    } else if (e->kind == EXPR_IN && e->u.in.subquery && !e->u.in.negated) {
        q = e->u.in.list[0]->u.sub.select;
        in_arg = e->u.in.arg;
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
    jq->scope = (Scope){jq->rels, 0, 0, qenv->ctes, qenv->outer, NULL, NULL};
    DdError saved = *ctx->err;
    int rc;
    for (int i = 0; i < q->nfrom; i++)
        if ((rc = collect(jq, q->from[i], top))) goto not_this;
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
static int plan_from_where(SqlCtx *ctx, SelectStmt *s, const Scope *env, FromItem *fi)
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
    jp.scope = (Scope){jp.rels, 0, 0, env->ctes, env->outer, NULL, NULL};
    int rc;
    for (int i = 0; i < s->nfrom; i++)
        if ((rc = collect(&jp, s->from[i], top))) return rc;
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
    JNode root;
    if ((rc = plan_problem(&jp, top, &root))) return rc;
    for (Semi *sm = jp.semis; sm; sm = sm->next) {
        SlotRanges pr, none = {0, NULL, NULL};
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
    fi->rels = jp.rels;
    fi->nrels = jp.nrels;
    fi->width = jp.width;
    return DD_OK;
}

/* WITH: the CteDefs of s in front of the visible ones (env->ctes).  Each
 * query is planned once here to report its errors and check its column
 * alias list, then again at every reference. */
static int with_clause(SqlCtx *ctx, SelectStmt *s, const Scope *env, const CteDef **out)
{
    const CteDef *ctes = env ? env->ctes : NULL;
    for (int i = 0; i < s->nctes; i++) {
        for (int j = 0; j < i; j++)
            if (strcmp(s->cte_names[i], s->cte_names[j]) == 0)
                return dd_err(ctx->err, DD_EDUPLICATE_ALIAS, s->cte_locs[i],
                              "WITH query name \"%s\" specified more than once", s->cte_names[i]);
        CteDef *d = arena_zalloc(ctx->stmt, sizeof(CteDef));
        Scope *denv = arena_zalloc(ctx->stmt, sizeof(Scope));
        Plan *chk = arena_zalloc(ctx->stmt, sizeof(Plan));
        if (!d || !denv || !chk) return DD_ENOMEM;
        denv->ctes = ctes;     /* the WITH queries before this one */
        denv->outer = env;
        d->name = s->cte_names[i];
        d->select = s->ctes[i];
        d->cols = s->cte_cols[i];
        d->ncols = s->cte_ncols[i];
        d->loc = s->cte_locs[i];
        d->env = denv;
        d->prev = ctes;
        int rc = analyze_query(ctx, d->select, chk, denv);
        if (rc) return rc;
        if (d->ncols > chk->ncols)
            return dd_err(ctx->err, DD_EINVALID_COLUMN_REF, d->loc,
                          "WITH query \"%s\" has %d columns available but %d columns specified",
                          d->name, chk->ncols, d->ncols);
        ctes = d;
    }
    *out = ctes;
    return DD_OK;
}

int analyze_sublink(SqlCtx *ctx, SelectStmt *s, const Scope *scope, Op **root, int *ncols, TypeId *type0)
{
    Plan *p = arena_zalloc(ctx->stmt, sizeof(Plan));
    if (!p) return DD_ENOMEM;
    int rc = analyze_query(ctx, s, p, scope);
    if (rc) return rc;
    *root = p->root;
    *ncols = p->ncols;
    *type0 = p->ncols ? p->cols[0].type : TYPE_TEXT;
    return DD_OK;
}

/* ---------------------------------------------------------------- SELECT */

static int const_int(SqlCtx *ctx, Expr *e, const char *what, Scope *env, i64 *out)
{
    *out = -1;
    if (!e) return DD_OK;
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = ctx;
    cc.scope = env;
    cc.agg_forbidden = what;
    ExprProg *p;
    int rc = expr_compile_as(&cc, e, TYPE_INT8, -1, &p);
    if (rc) return rc;
    EvalEnv ee = {ctx, NULL, 0};
    Value v;
    rc = expr_eval(p, &ee, NULL, &v);
    if (rc) return rc;
    if (v.isnull) return DD_OK;
    if (v.v.i < 0)
        return dd_err(ctx->err, DD_EINVALID_ROW_COUNT, e->loc, "%s must not be negative", what);
    *out = v.v.i;
    return DD_OK;
}

/* Doubles the target arrays (statement arena). */
static int grow_targets(SqlCtx *ctx, Expr ***texprs, const char ***tnames, int nt, int *capt)
{
    *capt *= 2;
    Expr **ne = arena_alloc(ctx->stmt, sizeof(Expr *) * (size_t)*capt);
    const char **nn = arena_alloc(ctx->stmt, sizeof(char *) * (size_t)*capt);
    if (!ne || !nn) return DD_ENOMEM;
    memcpy(ne, *texprs, sizeof(Expr *) * (size_t)nt);
    memcpy(nn, *tnames, sizeof(char *) * (size_t)nt);
    *texprs = ne;
    *tnames = nn;
    return DD_OK;
}


/* LIMIT / OFFSET of s (constants) on top of *top. */
static int add_limit(SqlCtx *ctx, SelectStmt *s, Scope *env, Op **top)
{
    i64 limit, offset;
    int rc = const_int(ctx, s->limit, "LIMIT", env, &limit);
    if (!rc) rc = const_int(ctx, s->offset, "OFFSET", env, &offset);
    if (rc) return rc;
    if (limit >= 0 || offset > 0) {
        *top = op_limit(ctx, *top, limit, offset < 0 ? 0 : offset);
        if (!*top) return DD_ENOMEM;
    }
    return DD_OK;
}

/* The rows a sort under LIMIT / OFFSET must keep (limit + offset), or 0
 * for all. */
static int sort_topn(SqlCtx *ctx, SelectStmt *s, Scope *env, i64 *topn)
{
    i64 limit, offset;
    int rc = const_int(ctx, s->limit, "LIMIT", env, &limit);
    if (!rc) rc = const_int(ctx, s->offset, "OFFSET", env, &offset);
    if (rc) return rc;
    *topn = limit >= 0 ? limit + (offset > 0 ? offset : 0) : 0;
    if (limit == 0) *topn = 1;   /* nothing is returned; keep the heap valid */
    return DD_OK;
}

/* ---------------------------------------------------------------- set operations */

int compile_row_casts(SqlCtx *ctx, const ColDesc *cols, int n, const TypeId *to, const i32 *typmods,
                      const char *const *assign, ExprProg ***out)
{
    ScopeRel rel;
    memset(&rel, 0, sizeof(rel));
    rel.alias = "";
    rel.ncols = n;
    rel.names = arena_alloc(ctx->stmt, sizeof(char *) * (size_t)(n + 1));
    rel.types = arena_alloc(ctx->stmt, sizeof(TypeId) * (size_t)(n + 1));
    ExprProg **progs = arena_alloc(ctx->stmt, sizeof(ExprProg *) * (size_t)(n + 1));
    if (!rel.names || !rel.types || !progs) return DD_ENOMEM;
    for (int k = 0; k < n; k++) {
        rel.names[k] = arena_printf(ctx->stmt, "c%d", k);
        rel.types[k] = cols[k].untyped ? TYPE_UNKNOWN : cols[k].type;
        if (!rel.names[k]) return DD_ENOMEM;
    }
    Scope sc;
    memset(&sc, 0, sizeof(sc));
    sc.rels = &rel;
    sc.nrels = 1;
    sc.nslots = n;
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = ctx;
    cc.scope = &sc;
    for (int k = 0; k < n; k++) {
        Expr e;
        memset(&e, 0, sizeof(e));
        e.kind = EXPR_COLUMN;
        e.loc = -1;
        e.u.col.name = (char *)rel.names[k];
        cc.assign_col = assign ? assign[k] : NULL;
        int rc = expr_compile_as(&cc, &e, to[k], typmods ? typmods[k] : -1, &progs[k]);
        if (rc) return rc;
    }
    *out = progs;
    return DD_OK;
}

/* Casts the columns of member plan m whose type differs from types[]. */
static int coerce_member(SqlCtx *ctx, Plan *m, const TypeId *types, int n, Op **out)
{
    bool same = true;
    for (int k = 0; k < n; k++) same = same && m->cols[k].type == types[k] && !m->cols[k].untyped;
    *out = m->root;
    if (same) return DD_OK;
    ExprProg **progs;
    int rc = compile_row_casts(ctx, m->cols, n, types, NULL, NULL, &progs);
    if (rc) return rc;
    *out = op_project(ctx, m->root, progs, n);
    return *out ? DD_OK : DD_ENOMEM;
}

/*
 * a UNION/INTERSECT/EXCEPT b ...: the members are planned on their own
 * (the head's ORDER BY and LIMIT belong to the whole chain), their column
 * types unified as PostgreSQL's UNION resolution does, INTERSECT binding
 * tighter than UNION and EXCEPT (left-associative).  ORDER BY may name
 * result columns or give their positions.
 */
static int analyze_setop(SqlCtx *ctx, SelectStmt *s, Plan *p, const Scope *outer)
{
    int rc;
    Scope env;
    memset(&env, 0, sizeof(env));
    env.ctes = outer ? outer->ctes : NULL;
    env.outer = outer;
    if (s->nctes && (rc = with_clause(ctx, s, outer, &env.ctes))) return rc;
    int n = 0;
    for (SelectStmt *m = s; m; m = m->setop ? m->next : NULL) n++;
    Plan *plans = arena_zalloc(ctx->stmt, sizeof(Plan) * (size_t)n);
    SelectStmt **mem = arena_alloc(ctx->stmt, sizeof(SelectStmt *) * (size_t)n);
    if (!plans || !mem) return DD_ENOMEM;
    int i = 0;
    for (SelectStmt *m = s; i < n; m = m->next, i++) {
        SelectStmt *c = arena_alloc(ctx->stmt, sizeof(SelectStmt));
        if (!c) return DD_ENOMEM;
        *c = *m;
        c->setop = 0;
        c->next = NULL;
        if (i == 0) {   /* the chain's ORDER BY / LIMIT / WITH are not the head's own */
            c->norder = 0;
            c->limit = c->offset = NULL;
            c->nctes = 0;
        }
        mem[i] = m;
        rc = analyze_query(ctx, c, &plans[i], &env);
        if (rc) return rc;
    }
    static const char *opname[] = {"", "UNION", "INTERSECT", "EXCEPT"};
    int ncols = plans[0].ncols;
    TypeId *types = arena_alloc(ctx->stmt, sizeof(TypeId) * (size_t)(ncols ? ncols : 1));
    if (!types) return DD_ENOMEM;
    /* untyped columns (NULL, 'literal') take the type of the others */
    bool *typed = arena_zalloc(ctx->stmt, sizeof(bool) * (size_t)(ncols ? ncols : 1));
    if (!typed) return DD_ENOMEM;
    for (int k = 0; k < ncols; k++) {
        types[k] = TYPE_TEXT;
        for (i = 0; i < n && !typed[k]; i++)
            if (i < n && plans[i].ncols == ncols && !plans[i].cols[k].untyped) {
                types[k] = plans[i].cols[k].type;
                typed[k] = true;
            }
    }
    for (i = 1; i < n; i++) {
        if (plans[i].ncols != ncols)
            return dd_err(ctx->err, DD_ESYNTAX, mem[i]->loc, "each %s query must have the same number of columns",
                          opname[mem[i - 1]->setop]);
        for (int k = 0; k < ncols; k++) {
            TypeId a = types[k], b = plans[i].cols[k].type, c;
            if (a == b || plans[i].cols[k].untyped) continue;
            if (!type_common(a, b, &c))
                return dd_err(ctx->err, DD_EDATATYPE_MISMATCH, mem[i]->loc, "%s types %s and %s cannot be matched",
                              opname[mem[i - 1]->setop], type_name(a), type_name(b));
            types[k] = c;
        }
    }
    Op **ops = arena_alloc(ctx->stmt, sizeof(Op *) * (size_t)n);
    if (!ops) return DD_ENOMEM;
    for (i = 0; i < n; i++)
        if ((rc = coerce_member(ctx, &plans[i], types, ncols, &ops[i]))) return rc;
    /* INTERSECT first, then UNION / EXCEPT from left to right */
    int *kind = arena_alloc(ctx->stmt, sizeof(int) * (size_t)n);
    bool *all = arena_alloc(ctx->stmt, sizeof(bool) * (size_t)n);
    if (!kind || !all) return DD_ENOMEM;
    int m = 0;
    for (i = 0; i < n; i++) {
        if (i > 0 && mem[i - 1]->setop == 2) {
            ops[m - 1] = op_setop(ctx, ops[m - 1], ops[i], 2, mem[i - 1]->setop_all, ncols);
            if (!ops[m - 1]) return DD_ENOMEM;
            continue;
        }
        ops[m] = ops[i];
        if (i > 0) { kind[m] = mem[i - 1]->setop; all[m] = mem[i - 1]->setop_all; }
        m++;
    }
    Op *top = ops[0];
    for (i = 1; i < m; i++) {
        top = op_setop(ctx, top, ops[i], kind[i], all[i], ncols);
        if (!top) return DD_ENOMEM;
    }
    /* ORDER BY result columns, by name or position */
    if (s->norder) {
        SortKey *keys = arena_alloc(ctx->stmt, sizeof(SortKey) * (size_t)s->norder);
        if (!keys) return DD_ENOMEM;
        for (int k = 0; k < s->norder; k++) {
            Expr *e = s->order_by[k]->expr;
            int slot = -1;
            if (e->kind == EXPR_CONST && type_is_int((TypeId)e->u.c.val.type)) {
                i64 pos = e->u.c.val.v.i;
                if (pos < 1 || pos > ncols)
                    return dd_err(ctx->err, DD_EINVALID_COLUMN_REF, e->loc,
                                  "ORDER BY position %lld is not in select list", (long long)pos);
                slot = (int)pos - 1;
            } else if (e->kind == EXPR_COLUMN && !e->u.col.qualifier) {
                for (int c = 0; c < ncols && slot < 0; c++)
                    if (strcmp(plans[0].cols[c].name, e->u.col.name) == 0) slot = c;
                if (slot < 0)
                    return dd_err(ctx->err, DD_EUNDEFINED_COLUMN, e->loc, "column \"%s\" does not exist",
                                  e->u.col.name);
            } else {
                return dd_err(ctx->err, DD_EFEATURE, e->loc,
                              "invalid UNION/INTERSECT/EXCEPT ORDER BY clause");
            }
            keys[k].slot = slot;
            keys[k].desc = s->order_by[k]->desc;
            keys[k].nulls_first = s->order_by[k]->nulls == 1 || (s->order_by[k]->nulls == 0 && keys[k].desc);
        }
        i64 topn;
        if ((rc = sort_topn(ctx, s, &env, &topn))) return rc;
        top = op_sort(ctx, top, keys, s->norder, topn);
        if (!top) return DD_ENOMEM;
    }
    if ((rc = add_limit(ctx, s, &env, &top))) return rc;
    p->kind = PLAN_QUERY;
    p->root = top;
    p->ncols = ncols;
    p->cols = arena_alloc(ctx->stmt, sizeof(ColDesc) * (size_t)(ncols ? ncols : 1));
    if (!p->cols) return DD_ENOMEM;
    for (int k = 0; k < ncols; k++) {
        p->cols[k] = plans[0].cols[k];
        p->cols[k].type = types[k];
        p->cols[k].untyped = false;
        if (types[k] != plans[0].cols[k].type) p->cols[k].typmod = -1;
    }
    return DD_OK;
}

/* Whether the rows of `from` (one relation) already come in the order of
 * the ORDER BY keys: a scan in primary-key order, and keys that are the
 * leading primary-key columns, ascending. */
static bool rows_in_key_order(const Op *from, ExprProg **progs, const SortKey *keys, int nkeys)
{
    const TableInfo *t = op_scan_in_key_order(from);
    if (!t || nkeys > t->npk) return false;
    for (int i = 0; i < nkeys; i++) {
        const ExprProg *p = progs[keys[i].slot];
        if (keys[i].desc || keys[i].nulls_first || p->n != 1 || p->code[0].op != XOP_SLOT) return false;
        if (p->code[0].a != table_col_index(t, t->pk[i])) return false;
    }
    return true;
}

int analyze_select(SqlCtx *ctx, SelectStmt *s, Plan *p)
{
    return analyze_query(ctx, s, p, NULL);
}

/* Plans s in env (NULL at the top of a statement): env's WITH queries are
 * visible, its columns are those of enclosing queries. */
static int analyze_query(SqlCtx *ctx, SelectStmt *s, Plan *p, const Scope *outer)
{
    int rc;
    if (s->setop) return analyze_setop(ctx, s, p, outer);
    /* WITH, then FROM (whose subqueries see this query's WITH but not its relations) */
    Scope env = {NULL, 0, 0, outer ? outer->ctes : NULL, outer, NULL, NULL};
    if (s->nctes) {
        rc = with_clause(ctx, s, outer, &env.ctes);
        if (rc) return rc;
    }
    FromItem fi;
    memset(&fi, 0, sizeof(fi));
    if (s->nfrom == 0) {
        fi.op = op_one_row(ctx);
        if (!fi.op) return DD_ENOMEM;
    } else {
        rc = plan_from_where(ctx, s, &env, &fi);
        if (rc) return rc;
    }
    Scope scope = {fi.rels, fi.nrels, fi.width, env.ctes, outer, NULL, NULL};
    /* expand the target list (* and t.*) */
    int nt = 0, capt = s->ntargets + 8;
    Expr **texprs = arena_alloc(ctx->stmt, sizeof(Expr *) * (size_t)capt);
    const char **tnames = arena_alloc(ctx->stmt, sizeof(char *) * (size_t)capt);
    if (!texprs || !tnames) return DD_ENOMEM;
    for (int i = 0; i < s->ntargets; i++) {
        ResTarget *rt = s->targets[i];
        if (rt->expr->kind == EXPR_STAR) {
            const char *q = rt->expr->u.col.qualifier;
            bool any = false;
            if (scope.nrels == 0 && !q)
                return dd_err(ctx->err, DD_ESYNTAX, rt->loc, "SELECT * with no tables specified is not valid");
            for (int r = 0; r < scope.nrels; r++) {
                ScopeRel *rel = &scope.rels[r];
                if (q && strcmp(rel->alias, q) != 0) continue;
                any = true;
                for (int c = 0; c < rel->ncols; c++) {
                    if (rel->hidden[c]) continue;
                    if (nt == capt && grow_targets(ctx, &texprs, &tnames, nt, &capt)) return DD_ENOMEM;
                    Expr *ce = arena_zalloc(ctx->stmt, sizeof(Expr));
                    if (!ce) return DD_ENOMEM;
                    ce->kind = EXPR_COLUMN;
                    ce->loc = rt->loc;
                    ce->u.col.qualifier = (char *)rel->alias;
                    ce->u.col.name = (char *)rel->names[c];
                    ce->u.col.star_slot = rel->slot0 + c + 1;
                    texprs[nt] = ce;
                    tnames[nt++] = rel->names[c];
                }
            }
            if (!any)
                return dd_err(ctx->err, DD_EUNDEFINED_TABLE, rt->loc, "missing FROM-clause entry for table \"%s\"", q);
            continue;
        }
        if (nt == capt && grow_targets(ctx, &texprs, &tnames, nt, &capt)) return DD_ENOMEM;
        texprs[nt] = rt->expr;
        tnames[nt++] = rt->alias ? rt->alias : ast_column_name(rt->expr);
    }
    /* grouping? */
    bool grouped = s->ngroup > 0 || s->having != NULL;
    for (int i = 0; !grouped && i < nt; i++) grouped = ast_has_aggregate(texprs[i]);
    for (int i = 0; !grouped && i < s->norder; i++) grouped = ast_has_aggregate(s->order_by[i]->expr);

    if (s->nfrom == 0 && s->where) {
        CompileCtx wc;
        memset(&wc, 0, sizeof(wc));
        wc.sql = ctx;
        wc.scope = &scope;
        wc.agg_forbidden = "WHERE";
        ExprProg *pred;
        rc = expr_compile(&wc, s->where, &pred);
        if (!rc && pred->type != TYPE_BOOL) {
            if (pred->type == TYPE_UNKNOWN || pred->type == TYPE_NULLTYPE)
                rc = expr_compile_as(&wc, s->where, TYPE_BOOL, -1, &pred);
            else
                rc = dd_err(ctx->err, DD_EDATATYPE_MISMATCH, s->where->loc,
                            "argument of WHERE must be type boolean, not type %s", type_name(pred->type));
        }
        if (rc) return rc;
        fi.op = op_filter(ctx, fi.op, pred);
        if (!fi.op) return DD_ENOMEM;
    }
    Op *top = fi.op;

    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = ctx;
    cc.scope = &scope;
    /* GROUP BY items: expressions, output positions (GROUP BY 1) or output names */
    Expr **group = NULL;
    if (s->ngroup) {
        group = arena_alloc(ctx->stmt, sizeof(Expr *) * (size_t)s->ngroup);
        if (!group) return DD_ENOMEM;
        for (int i = 0; i < s->ngroup; i++) {
            Expr *g = s->group_by[i];
            if (g->kind == EXPR_CONST && type_is_int((TypeId)g->u.c.val.type)) {
                i64 k = g->u.c.val.v.i;
                if (k < 1 || k > nt)
                    return dd_err(ctx->err, DD_EINVALID_COLUMN_REF, g->loc, "GROUP BY position %lld is not in select list",
                                  (long long)k);
                g = texprs[k - 1];
            } else if (g->kind == EXPR_COLUMN && !g->u.col.qualifier) {
                /* an input column wins over an output alias, as PostgreSQL */
                int slot; bool found = false;
                for (int r = 0; r < scope.nrels && !found; r++)
                    for (int c = 0; c < scope.rels[r].ncols; c++)
                        if (strcmp(scope.rels[r].names[c], g->u.col.name) == 0) { found = true; break; }
                DD_UNUSED(slot);
                if (!found)
                    for (int k = 0; k < nt; k++)
                        if (strcmp(tnames[k], g->u.col.name) == 0 && s->targets[0]) { g = texprs[k]; break; }
            }
            if (ast_has_aggregate(g))
                return dd_err(ctx->err, DD_EGROUPING, g->loc, "aggregate functions are not allowed in GROUP BY");
            group[i] = g;
        }
    }
    ExprProg **gprogs = NULL;
    if (grouped) {
        gprogs = arena_alloc(ctx->stmt, sizeof(ExprProg *) * (size_t)(s->ngroup + 1));
        if (!gprogs) return DD_ENOMEM;
        for (int i = 0; i < s->ngroup; i++) {
            cc.agg_forbidden = "GROUP BY";
            rc = expr_compile(&cc, group[i], &gprogs[i]);
            if (rc) return rc;
        }
        cc.agg_forbidden = NULL;
        cc.grouped = true;
        cc.group = group;
        cc.ngroup = s->ngroup;
    }
    /* targets */
    ExprProg *having = NULL;
    int nextra = 0;
    ExprProg **progs = arena_alloc(ctx->stmt, sizeof(ExprProg *) * (size_t)(nt + s->norder + 1));
    SortKey *keys = arena_alloc(ctx->stmt, sizeof(SortKey) * (size_t)(s->norder + 1));
    if (!progs || !keys) return DD_ENOMEM;
    for (int i = 0; i < nt; i++) {
        rc = expr_compile(&cc, texprs[i], &progs[i]);
        if (rc) return rc;
    }
    if (s->having) {
        rc = expr_compile_as(&cc, s->having, TYPE_BOOL, -1, &having);
        if (rc) return rc;
    }
    /* ORDER BY: output position, output name, or an expression */
    for (int i = 0; i < s->norder; i++) {
        SortItem *si = s->order_by[i];
        Expr *e = si->expr;
        int slot = -1;
        if (e->kind == EXPR_CONST && type_is_int((TypeId)e->u.c.val.type)) {
            i64 k = e->u.c.val.v.i;
            if (k < 1 || k > nt)
                return dd_err(ctx->err, DD_EINVALID_COLUMN_REF, e->loc, "ORDER BY position %lld is not in select list",
                              (long long)k);
            slot = (int)k - 1;
        } else if (e->kind == EXPR_COLUMN && !e->u.col.qualifier) {
            for (int k = 0; k < nt; k++)
                if (strcmp(tnames[k], e->u.col.name) == 0) { slot = k; break; }
        }
        if (slot < 0) {
            for (int k = 0; k < nt; k++)
                if (ast_expr_equal(texprs[k], e)) { slot = k; break; }
        }
        if (slot < 0) {
            if (s->distinct)
                return dd_err(ctx->err, DD_EINVALID_COLUMN_REF, e->loc,
                              "for SELECT DISTINCT, ORDER BY expressions must appear in select list");
            rc = expr_compile(&cc, e, &progs[nt + nextra]);
            if (rc) return rc;
            slot = nt + nextra++;
        }
        keys[i].slot = slot;
        keys[i].desc = si->desc;
        keys[i].nulls_first = si->nulls == 1 || (si->nulls == 0 && si->desc);
    }
    if (grouped) {
        top = op_aggregate(ctx, top, gprogs, s->ngroup, cc.aggs, cc.naggs);
        if (!top) return DD_ENOMEM;
        if (having) {
            top = op_filter(ctx, top, having);
            if (!top) return DD_ENOMEM;
        }
    }
    bool sorted = s->norder && !grouped && !s->distinct && fi.nrels == 1 &&
                  rows_in_key_order(fi.op, progs, keys, s->norder);
    top = op_project(ctx, top, progs, nt + nextra);
    if (!top) return DD_ENOMEM;
    if (s->distinct) {
        top = op_distinct(ctx, top, nt);
        if (!top) return DD_ENOMEM;
    }
    if (s->norder && !sorted) {
        i64 topn;
        if ((rc = sort_topn(ctx, s, &env, &topn))) return rc;
        top = op_sort(ctx, top, keys, s->norder, topn);
        if (!top) return DD_ENOMEM;
    }
    if ((rc = add_limit(ctx, s, &env, &top))) return rc;
    p->kind = PLAN_QUERY;
    p->root = top;
    p->ncols = nt;
    p->cols = arena_alloc(ctx->stmt, sizeof(ColDesc) * (size_t)(nt ? nt : 1));
    if (!p->cols) return DD_ENOMEM;
    for (int i = 0; i < nt; i++) {
        p->cols[i].name = tnames[i];
        TypeId t = progs[i]->type;
        p->cols[i].untyped = t == TYPE_UNKNOWN || t == TYPE_NULLTYPE;
        if (p->cols[i].untyped) t = TYPE_TEXT;
        p->cols[i].type = t;
        p->cols[i].typmod = progs[i]->typmod;
    }
    return DD_OK;
}
