/*
 * access.c - the access path of a scan of one table under its conjuncts
 * (plan_scan_where): a primary-key lookup, a secondary index's equalities
 * and range, a primary-key range, or the whole table; constant and
 * per-outer-row key values; index expressions matched by equality.  Every
 * path returns a superset of the matching rows: the conjuncts are checked
 * on every row above the scan.
 */
#include "plan_int.h"
#include "../types/rowcodec.h"
#include "../types/array.h"
#include "../../store/keyenc.h"
#include <string.h>
#include <stdlib.h>
#include <stdio.h>

/* ---------------------------------------------------------------- access paths */


int and_split_list(SqlCtx *ctx, Expr *e, Expr ***out, int *n, int *cap)
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

/* k compiled as a WHERE clause's expression over scope (NULL: no table). */
static int compile_where(SqlCtx *ctx, Scope *scope, Expr *k, ExprProg **p)
{
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = ctx;
    cc.scope = scope;
    cc.agg_forbidden = "WHERE";
    return expr_compile(&cc, k, p);
}

bool const_value(SqlCtx *ctx, Expr *k, Value *out)
{
    if (ast_has_column(k) || ast_has_aggregate(k)) return false;
    ExprProg *p;
    DdError saved = *ctx->err;
    if (compile_where(ctx, NULL, k, &p)) { *ctx->err = saved; return false; }
    if (p->type == TYPE_NULLTYPE || !p->constant) {
        /* planned for any parameter values (SqlCtx.no_cache): a plan for
         * this run's values could use one here, so this one is not kept */
        for (int i = 0; !ctx->params && i < p->n; i++)
            if (p->code[i].op == XOP_PARAM) ctx->no_cache = true;
        *ctx->err = saved;
        return false;
    }
    EvalEnv env = {ctx, NULL, 0, NULL};
    Arena *row = ctx->row;
    ctx->row = ctx->stmt;   /* the value must outlive the row arena */
    int rc = expr_eval(p, &env, NULL, out);
    ctx->row = row;
    if (rc || out->isnull) { *ctx->err = saved; return false; }
    return true;
}

/* Column ci's typmod in rel (-1 when rel keeps none). */
static i32 rel_typmod(const ScopeRel *rel, int ci) { return rel->typmods ? rel->typmods[ci] : -1; }

bool const_as_column(SqlCtx *ctx, Expr *k, TypeId ct, i32 ctm, Value *out)
{
    Value v, cv;
    if (!const_value(ctx, k, &v)) return false;
    DdError saved = *ctx->err;
    ValueCtx vc = ctx->vctx;
    vc.arena = ctx->stmt;
    bool same_family = (type_is_int(ct) && type_is_int((TypeId)v.type)) ||
                       (type_is_oidlike(ct) && (type_is_int((TypeId)v.type) || type_is_oidlike((TypeId)v.type))) ||
                       (type_is_string(ct) && type_is_string((TypeId)v.type)) ||
                       ct == v.type || v.type == TYPE_UNKNOWN;   /* '...' literals read as ct */
    /* jsonb keys are exact for equality only (json.h): no key ranges */
    if (!same_family || ct == TYPE_BPCHAR || v.type == TYPE_BPCHAR || ct == TYPE_JSONB || ct == TYPE_JSON) {
        *ctx->err = saved;
        return false;
    }
    u32 vet = v.type != ct || !type_has_etype(ct) ? 0 : ct == TYPE_ENUM ? v.etype : array_etype(&v);
    if ((vet && ctm > 0 && vet != (u32)ctm) ||   /* another enum type's value */
        val_cast(&v, ct, type_has_etype(ct) ? ctm : -1, false, &vc, &cv, ctx->err) || val_compare(&v, &cv, &vc) != 0) {
        *ctx->err = saved;
        return false;
    }
    *out = cv;
    return true;
}

/* Whether program p, compiled in a query's scope, is constant for one run
 * of that query: it reads no column of the query's own rows (XOP_SLOT),
 * runs no subquery, but reads an enclosing query's row or a parameter
 * whose value the plan does not hold (a plan made to run again with other
 * values: sql_prepare_generic). */
static bool run_constant(const ExprProg *p)
{
    bool outer = false;
    for (int i = 0; i < p->n; i++) {
        u8 op = p->code[i].op;
        if (op == XOP_SLOT || op == XOP_SUBLINK) return false;
        outer |= op == XOP_OUTER || op == XOP_PARAM;
    }
    return outer;
}

/* Expressions a parameterized key may use: columns, constants, operators
 * and casts (no function calls, so nothing volatile). */
static bool param_expr_ok(const Expr *e)
{
    switch (e->kind) {
    case EXPR_COLUMN: case EXPR_CONST: case EXPR_PARAM: return true;
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
        ExprProg *p;
        DdError saved = *ctx->err;
        if (compile_where(ctx, scope, k, &p)) { *ctx->err = saved; continue; }
        if (!run_constant(p)) continue;
        TypeId ct = rel->types[ci], pt = p->type;
        bool same_family = (type_is_int(ct) && type_is_int(pt)) || (type_is_string(ct) && type_is_string(pt)) || ct == pt;
        if (!same_family || ct == TYPE_BPCHAR || pt == TYPE_BPCHAR || ct == TYPE_JSONB || ct == TYPE_JSON) continue;
        *out = p;
        return true;
    }
    return false;
}

static bool is_col(Expr *e, ScopeRel *rel, int ci)
{
    if (e->kind != EXPR_COLUMN || strcmp(e->u.col.name, rel->names[ci]) != 0) return false;
    return !e->u.col.qualifier || rel_named(rel, e->u.col.qualifier);
}

static bool stable_ts(SqlCtx *ctx, Expr *k, Value *out);

/* If conjunct c is `col op value` (or `value op col`) for column ci of rel
 * with op one of = < <= > >=, gives the operator as seen from the column
 * and the value: a constant as the column's type, or with stable (a
 * timestamptz column) any value fixed for the statement (stable_ts). */
static bool cmp_with(SqlCtx *ctx, Expr *c, ScopeRel *rel, int ci, bool stable, BinaryOp *op, Value *out)
{
    if (c->kind != EXPR_BINARY) return false;
    BinaryOp o = c->u.bin.op;
    if (o != BOP_EQ && o != BOP_LT && o != BOP_LE && o != BOP_GT && o != BOP_GE) return false;
    for (int side = 0; side < 2; side++) {
        Expr *col = side ? c->u.bin.r : c->u.bin.l, *k = side ? c->u.bin.l : c->u.bin.r;
        if (!is_col(col, rel, ci)) continue;
        if (stable ? !stable_ts(ctx, k, out) : !const_as_column(ctx, k, rel->types[ci], rel_typmod(rel, ci), out))
            continue;
        /* seen from the column: a < b as b > a */
        *op = !side ? o : o == BOP_LT ? BOP_GT : o == BOP_LE ? BOP_GE : o == BOP_GT ? BOP_LT : o == BOP_GE ? BOP_LE : o;
        return true;
    }
    return false;
}

static bool cmp_const_for(SqlCtx *ctx, Expr *c, ScopeRel *rel, int ci, BinaryOp *op, Value *out)
{
    return cmp_with(ctx, c, rel, ci, false, op, out);
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
            if (const_as_column(ctx, c->u.between.lo, rel->types[ci], rel_typmod(rel, ci), &lo) &&
                const_as_column(ctx, c->u.between.hi, rel->types[ci], rel_typmod(rel, ci), &hi)) {
                key_encode_value(&lo, &kr->lo);
                key_encode_value(&hi, &kr->hi);
                kr->has_lo = true;
                kr->has_hi = key_successor(&kr->hi);
                if (!kr->has_hi) kr->hi.len = base;
            }
            continue;
        }
        /* col LIKE 'prefix%': the keys that start with the prefix */
        if (c->kind == EXPR_LIKE && c->u.like.how == MATCH_LIKE && !c->u.like.negated && !c->u.like.icase &&
            !c->u.like.escape &&
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
        if (a->u.col.qualifier && !rel_named(rel, a->u.col.qualifier)) return false;
        return !b->u.col.qualifier && strcmp(a->u.col.name, b->u.col.name) == 0;
    case EXPR_CONST: case EXPR_CAST:
        return ast_expr_equal(a, b) ||
               (a->kind == EXPR_CAST && expr_matches(a->u.cast.arg, b->u.cast.arg, rel) &&
                strcmp(a->u.cast.type.name, b->u.cast.type.name) == 0 && a->u.cast.type.typmod == b->u.cast.type.typmod);
    case EXPR_UNARY:
        return a->u.unary.op == b->u.unary.op && expr_matches(a->u.unary.arg, b->u.unary.arg, rel);
    case EXPR_BINARY:
        if (a->u.bin.op == BOP_OTHER && (b->u.bin.op != BOP_OTHER || strcmp(a->u.bin.opname, b->u.bin.opname) != 0))
            return false;
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
        if (expr_matches(x, ix_expr, rel) && const_as_column(ctx, k, t, -1, out)) return true;
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
        bool no_cache = ctx->no_cache;
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
        ctx->no_cache = no_cache;   /* a parameter's value here is read as the scan opens */
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

static int key_cmp(const void *a, const void *b, void *lens)
{
    DD_UNUSED(lens);
    const u8 *const *x = a, *const *y = b;
    u32 xn, yn;
    memcpy(&xn, *x, 4);
    memcpy(&yn, *y, 4);
    int c = memcmp(*x + 4, *y + 4, DD_MIN(xn, yn));
    return c ? c : (xn < yn ? -1 : xn > yn);
}

/* `key IN (c1, c2, ...)` on the one primary-key column ci: the keys of the
 * constants that are exact values of the column, sorted, without repeats
 * (*n 0: not this shape).  A list item that is not such a constant (a
 * column, a parameter of another type) gives no list. */
static int pk_in_list(SqlCtx *ctx, Expr **conj, int nconj, ScopeRel *rel, int ci, u8 ***out, u32 **outlen, int *n)
{
    *n = 0;
    if (ci < 0) return DD_OK;
    for (int i = 0; i < nconj; i++) {
        Expr *c = conj[i];
        if (c->kind != EXPR_IN || c->u.in.subquery || c->u.in.negated || !is_col(c->u.in.arg, rel, ci)) continue;
        int m = c->u.in.n;
        if (m > 10000) continue;
        u8 **keys = arena_alloc(ctx->stmt, sizeof(u8 *) * (size_t)(m + 1));
        if (!keys) return DD_ENOMEM;
        Buf b = BUF_INIT;
        int k = 0;
        bool ok = true;
        for (int j = 0; j < m && ok; j++) {
            Value v;
            if (!const_as_column(ctx, c->u.in.list[j], rel->types[ci], rel_typmod(rel, ci), &v)) {
                /* a NULL item matches nothing; anything else: no list */
                if (c->u.in.list[j]->kind == EXPR_CONST && c->u.in.list[j]->u.c.val.isnull) continue;
                ok = false;
                break;
            }
            buf_reset(&b);
            key_encode_value(&v, &b);
            if (!buf_ok(&b) || b.len > KEY_MAX_PK) { ok = false; break; }
            /* u32 length, then the key (sortable in one array) */
            u8 *e = arena_alloc(ctx->stmt, 4 + b.len);
            if (!e) { buf_free(&b); return DD_ENOMEM; }
            u32 len = (u32)b.len;
            memcpy(e, &len, 4);
            memcpy(e + 4, b.data, b.len);
            keys[k++] = e;
        }
        buf_free(&b);
        if (!ok) continue;
        qsort_r(keys, (size_t)k, sizeof(u8 *), key_cmp, NULL);
        u8 **uk = arena_alloc(ctx->stmt, sizeof(u8 *) * (size_t)(k + 1));
        u32 *ul = arena_alloc(ctx->stmt, sizeof(u32) * (size_t)(k + 1));
        if (!uk || !ul) return DD_ENOMEM;
        int u = 0;
        for (int j = 0; j < k; j++) {
            if (j && key_cmp(&keys[j - 1], &keys[j], NULL) == 0) continue;
            memcpy(&ul[u], keys[j], 4);
            uk[u++] = keys[j] + 4;
        }
        if (u == 0) continue;   /* every item NULL: the filter finds nothing */
        *out = uk;
        *outlen = ul;
        *n = u;
        return DD_OK;
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
bool sql_index_implied(SqlCtx *ctx, const TableInfo *t, const IndexInfo *ix, Expr *const *conj, int n)
{
    if (!ix->pred_sql) return true;
    ExprProg *p;
    Expr *ast;
    DdError saved = *ctx->err;
    if (sql_index_expr(ctx, t, ix, -1, &p, &ast)) {
        *ctx->err = saved;   /* an index that cannot serve */
        return false;
    }
    Expr **pc = NULL;
    int pn = 0, cap = 0;
    if (and_split_list(ctx, ast, &pc, &pn, &cap)) {
        *ctx->err = saved;
        return false;
    }
    for (int i = 0; i < pn; i++) {
        bool found = false;
        for (int j = 0; j < n && !found; j++) found = ast_expr_equal(pc[i], conj[j]);
        if (!found) return false;
    }
    return true;
}

/* The value of k, an expression of no column that holds all through the
 * statement (a literal, now() - interval '1 hour', drift_time_of(5), ...),
 * when it is a timestamptz. */
static bool stable_ts(SqlCtx *ctx, Expr *k, Value *out)
{
    if (ast_has_column(k) || ast_has_aggregate(k)) return false;
    if (const_as_column(ctx, k, TYPE_TIMESTAMPTZ, -1, out))   /* a literal ('...' reads as the column's type) */
        return !out->isnull && out->v.i > INT64_MIN / 2 && out->v.i < INT64_MAX / 2;
    ExprProg *p;
    DdError saved = *ctx->err;
    bool ok = compile_where(ctx, NULL, k, &p) == DD_OK && p->type == TYPE_TIMESTAMPTZ && expr_calls_only_stable(p);
    for (int i = 0; ok && i < p->n; i++) {
        u8 x = p->code[i].op;
        ok = x != XOP_SLOT && x != XOP_SUBLINK && x != XOP_OUTER && (x != XOP_PARAM || ctx->params);
    }
    if (ok) {
        EvalEnv env = {ctx, NULL, 0, NULL};
        Arena *row = ctx->row;
        ctx->row = ctx->stmt;
        ok = expr_eval(p, &env, NULL, out) == DD_OK && !out->isnull;
        ctx->row = row;
    }
    *ctx->err = saved;
    return ok && out->v.i > INT64_MIN / 2 && out->v.i < INT64_MAX / 2;   /* (millennia from any commit: no bound) */
}

/* drift_commits read from and to the seqs its WHERE allows: comparisons
 * of seq (column 0) with constants, seq BETWEEN constants, and of
 * commit_time (column 1, strictly increasing with seq) with values that
 * hold through the statement.  The conjuncts are still checked on every
 * row. */
void plan_commits_bounds(SqlCtx *ctx, Op *op, ScopeRel *rel, Expr **conj, int n)
{
    if (!op_is_commits(op) || rel->ncols != COMMITS_COLS) return;
    u64 lo = 1, hi = UINT64_MAX;
    for (int i = 0; i < n; i++) {
        Expr *c = conj[i];
        BinaryOp o;
        Value v;
        if (cmp_const_for(ctx, c, rel, 0, &o, &v) && !v.isnull) {
            i64 x = v.v.i;
            u64 l = 1, h = UINT64_MAX;
            if (o == BOP_EQ || o == BOP_GE) l = x < 1 ? 1 : (u64)x;
            if (o == BOP_GT) l = x < 0 ? 1 : (u64)x + 1;
            if (o == BOP_EQ || o == BOP_LE) h = x < 0 ? 0 : (u64)x;
            if (o == BOP_LT) h = x < 1 ? 0 : (u64)x - 1;
            if (l > lo) lo = l;
            if (h < hi) hi = h;
        } else if (cmp_with(ctx, c, rel, 1, true, &o, &v)) {
            /* the last commit at or before a time: seqs and times rise together */
            i64 t = ts_to_unix_us(v.v.i);
            u64 l = 1, h = UINT64_MAX;
            if (o == BOP_EQ || o == BOP_GE) l = store_seq_at_time(ctx->snap, t - 1) + 1;
            if (o == BOP_GT) l = store_seq_at_time(ctx->snap, t) + 1;
            if (o == BOP_EQ || o == BOP_LE) h = store_seq_at_time(ctx->snap, t);
            if (o == BOP_LT) h = store_seq_at_time(ctx->snap, t - 1);
            if (l > lo) lo = l;
            if (h < hi) hi = h;
        } else if (c->kind == EXPR_BETWEEN && !c->u.between.negated && !c->u.between.symmetric &&
                   is_col(c->u.between.arg, rel, 1)) {
            /* commit_time BETWEEN a AND b */
            Value a, b;
            if (stable_ts(ctx, c->u.between.lo, &a) && stable_ts(ctx, c->u.between.hi, &b)) {
                u64 l = store_seq_at_time(ctx->snap, ts_to_unix_us(a.v.i) - 1) + 1;
                u64 h = store_seq_at_time(ctx->snap, ts_to_unix_us(b.v.i));
                if (l > lo) lo = l;
                if (h < hi) hi = h;
            }
        } else if (c->kind == EXPR_BETWEEN && !c->u.between.negated && !c->u.between.symmetric &&
                   is_col(c->u.between.arg, rel, 0)) {
            Value a, b;
            if (const_as_column(ctx, c->u.between.lo, TYPE_INT8, -1, &a) && !a.isnull &&
                const_as_column(ctx, c->u.between.hi, TYPE_INT8, -1, &b) && !b.isnull) {
                if (a.v.i > 1 && (u64)a.v.i > lo) lo = (u64)a.v.i;
                if (b.v.i < 0) hi = 0;
                else if ((u64)b.v.i < hi) hi = (u64)b.v.i;
            }
        }
    }
    op_commits_bound(op, lo, hi);
}

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
        if (!sql_index_implied(ctx, t, ix, conj, n)) continue;   /* a partial index the WHERE does not confine to */
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
    int nlist = 0;
    u8 **list = NULL;
    u32 *listlen = NULL;
    if (!rc && paths && t->npk == 1 && pk_eq == 0 && (mode == TMODE_PRESENT || mode == TMODE_AS_OF))
        rc = pk_in_list(ctx, conj, n, rel, cols[0], &list, &listlen, &nlist);
    if (rc) {
        /* fall through to the frees */
    } else if (nlist > 0) {
        op_scan_set_keys(scan, (const u8 *const *)list, listlen, nlist);
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

