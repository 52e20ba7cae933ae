/*
 * eval.c - evaluates the flat programs of analyze/expr.h over a row: a
 * Value stack sized at compile time (ExprProg.maxstack), three-valued
 * logic (a NULL BOOL is UNKNOWN), AND / OR / CASE / COALESCE by relative
 * jumps.  Subqueries (XOP_SUBLINK) run their planned operator tree here:
 * uncorrelated ones once per statement, correlated ones again for every
 * row, with the row pushed on SqlCtx.outer_rows for XOP_OUTER.
 */
#include "executor.h"
#include "../types/recordval.h"
#include "../../util/alloc.h"
#include <string.h>
#include <stdio.h>

/* ---------------------------------------------------------------- eval */

/* An error raised while evaluating: PostgreSQL reports no position for
 * run-time errors (only parse and analysis errors point into the text). */
static int eval_fail(EvalEnv *env, int rc, int loc)
{
    DD_UNUSED(loc);
    env->sql->err->position = 0;
    return rc;
}

/* Runs l's query to its end (EXISTS: its first row) and keeps the first
 * column of its rows in the statement arena. */
/* Runs the subquery of l: uncorrelated once (values in the statement
 * arena), correlated with row pushed on the outer row stack (values in
 * l->arena, replaced at the next run). */
static bool hash_consistent(TypeId a, TypeId b);

int sql_push_outer(SqlCtx *ctx, const Value *row)
{
    if (ctx->nouter == ctx->capouter) {
        int ncap = ctx->capouter ? ctx->capouter * 2 : 8;
        const Value **no = arena_alloc(ctx->stmt, sizeof(Value *) * (size_t)ncap);
        if (!no) return DD_ENOMEM;
        if (ctx->nouter) memcpy(no, ctx->outer_rows, sizeof(Value *) * (size_t)ctx->nouter);
        ctx->outer_rows = no;
        ctx->capouter = ncap;
    }
    ctx->outer_rows[ctx->nouter++] = row;
    return DD_OK;
}

static bool row_has_null(const Value *v, int n)
{
    for (int c = 0; c < n; c++)
        if (v[c].isnull) return true;
    return false;
}

/* (x1, ..) = (v1, ..): 1 TRUE, 0 FALSE (a column differs), -1 UNKNOWN. */
static int row_equal(const Value *x, const Value *v, int n, ValueCtx *vc)
{
    int r = 1;
    for (int c = 0; c < n; c++) {
        if (x[c].isnull || v[c].isnull) r = -1;
        else if (val_compare(&x[c], &v[c], vc) != 0) return 0;
    }
    return r;
}

/* (x1, ..) op (v1, ..) for op < <= > >= <>: decided by the first column
 * pair that is not equal (UNKNOWN if a NULL comes first), as PostgreSQL's
 * row comparison. */
static int row_compare_op(const Value *x, const Value *v, int n, int op, ValueCtx *vc)
{
    if (op == BOP_EQ || op == BOP_NE) {
        int e = row_equal(x, v, n, vc);
        return op == BOP_EQ || e < 0 ? e : !e;
    }
    for (int c = 0; c < n; c++) {
        if (x[c].isnull || v[c].isnull) return -1;
        int d = val_compare(&x[c], &v[c], vc);
        if (d == 0) continue;
        return op == BOP_LT || op == BOP_LE ? d < 0 : d > 0;
    }
    return op == BOP_LE || op == BOP_GE;
}

static u64 row_hash(const Value *v, int n)
{
    u64 h = 0;
    for (int c = 0; c < n; c++) h = h * 0x100000001b3ull ^ val_hash(&v[c]);
    return h;
}

static int sublink_run(EvalEnv *env, SubLink *l, const Value *row)
{
    SqlCtx *ctx = env->sql;
    Arena *va = ctx->stmt;
    int cap = 0;
    if (l->correlated) {
        if (!l->arena.block_size) {
            arena_init(&l->arena, 1024);
            l->next = ctx->links;
            ctx->links = l;
        }
        arena_reset(&l->arena);
        va = &l->arena;
        int rc = sql_push_outer(ctx, row);
        if (rc) return rc;
    }
    int rc = op_open(ctx, l->root);
    l->nvals = 0;
    l->has_null = false;
    while (!rc) {
        ArenaMark m = arena_mark(ctx->row);
        Value *r;
        int n = op_next(ctx, l->root, &r);
        if (n <= 0) { rc = -n; break; }
        if (l->kind == SUBLINK_EXISTS) {
            l->nvals = 1;
            arena_rewind(ctx->row, m);
            break;
        }
        if (l->kind == SUBLINK_SCALAR && l->nvals == 1) {
            rc = dd_err(ctx->err, DD_ECARDINALITY, l->loc,
                        "more than one row returned by a subquery used as an expression");
            arena_rewind(ctx->row, m);
            break;
        }
        int w = l->kind == SUBLINK_IN ? l->ncols : 1;
        if (l->nvals == cap) {
            cap = cap ? cap * 2 : 16;
            Value *nv = arena_alloc(va, sizeof(Value) * (size_t)cap * (size_t)w);
            if (!nv) { rc = DD_ENOMEM; break; }
            if (l->nvals) memcpy(nv, l->vals, sizeof(Value) * (size_t)l->nvals * (size_t)w);
            l->vals = nv;
        }
        for (int c = 0; !rc && c < w; c++) {
            rc = val_copy(va, &r[c], &l->vals[(size_t)l->nvals * (size_t)w + (size_t)c]);
            if (r[c].isnull) l->has_null = true;
        }
        l->nvals++;
        arena_rewind(ctx->row, m);
    }
    op_close(ctx, l->root);
    if (l->correlated) ctx->nouter--;
    l->hash = NULL;
    if (!rc && l->kind == SUBLINK_IN && l->nvals > 16) {
        /* x IN (many values): look x up by hash (values that hash alike
         * when they compare equal: see hash_consistent); rows holding a
         * NULL are left out.  The values are held whatever work_mem (as
         * ARRAY(...)'s are): where PostgreSQL would not hash them it
         * reads the subquery again for each row instead */
        size_t cap = 32;
        while (cap < (size_t)l->nvals * 2) cap *= 2;
        int *h = arena_alloc(va, sizeof(int) * cap);
        if (!h) rc = DD_ENOMEM;
        for (size_t i = 0; h && i < cap; i++) h[i] = -1;
        for (int k = 0; h && k < l->nvals; k++) {
            const Value *v = &l->vals[(size_t)k * (size_t)l->ncols];
            if (row_has_null(v, l->ncols)) continue;
            size_t j = row_hash(v, l->ncols) & (cap - 1);
            while (h[j] >= 0) j = (j + 1) & (cap - 1);
            h[j] = k;
        }
        l->hash = h;
        l->hcap = cap;
    }
    if (!rc) l->done = true;
    return rc;
}

/* Whether values of types a and b hash alike exactly when they compare
 * equal (val_hash, val_compare): the same type, two exact numeric types or
 * two floats (a float against an exact number compares as float8, which
 * hashing does not follow), two typed string types. */
static bool hash_consistent(TypeId a, TypeId b)
{
    if (a == TYPE_UNKNOWN || b == TYPE_UNKNOWN) return false;
    if (a == b) return true;
    bool fa = a == TYPE_FLOAT4 || a == TYPE_FLOAT8, fb = b == TYPE_FLOAT4 || b == TYPE_FLOAT8;
    if (type_is_numeric(a) && type_is_numeric(b)) return fa == fb;
    return type_is_string(a) && type_is_string(b);
}

static inline int tv(const Value *v) { return v->isnull ? -1 : (v->v.b ? 1 : 0); }
static inline Value tv_val(int t) { return t < 0 ? val_null(TYPE_BOOL) : val_bool(t == 1); }

int expr_eval(const ExprProg *p, EvalEnv *env, const Value *row, Value *out)
{
    /* a lone column or constant (most projections): no interpreter */
    if (p->n == 1 && (p->code[0].op == XOP_SLOT || p->code[0].op == XOP_CONST)) {
        *out = p->code[0].op == XOP_SLOT ? row[p->code[0].a] : p->consts[p->code[0].a];
        if (out->isnull) out->type = (u8)p->type;
        return DD_OK;
    }
    Value stackbuf[32];
    Value *st = stackbuf;
    if (p->maxstack > 32) {
        st = arena_alloc(env->sql->row, sizeof(Value) * (size_t)p->maxstack);
        if (!st) return DD_ENOMEM;
    }
    ValueCtx vc = env->sql->vctx;
    vc.arena = env->sql->row;
    DdError *err = env->sql->err;
    int sp = 0, rc;
    for (int pc = 0; pc < p->n; pc++) {
        const ExprInstr *in = &p->code[pc];
        switch ((ExprOp)in->op) {
        case XOP_CONST: st[sp++] = p->consts[in->a]; break;
        case XOP_SLOT: st[sp++] = row[in->a]; break;
        case XOP_WINREF:
        case XOP_SRFREF:
            return eval_fail(env, dd_err(env->sql->err, DD_EINTERNAL, in->loc, "function result not placed"),
                             in->loc);
        case XOP_OUTER: {
            SqlCtx *c = env->sql;
            if (in->sub > c->nouter)
                return eval_fail(env, dd_err(c->err, DD_EINTERNAL, in->loc, "outer row missing"), in->loc);
            st[sp++] = c->outer_rows[c->nouter - in->sub][in->a];
            break;
        }
        case XOP_PARAM:
            if (in->a < 1 || in->a > env->sql->nparams)
                return dd_err(err, DD_EUNDEFINED_PARAMETER, -1, "there is no parameter $%d", in->a);
            /* only while describing or planning (no values yet): NULL of
             * its type, and the plan depends on it */
            if (!env->sql->params) env->sql->no_cache = true;
            st[sp++] = env->sql->params ? env->sql->params[in->a - 1] : val_null((TypeId)in->type);
            break;
        case XOP_NOT: {
            int t = tv(&st[sp - 1]);
            st[sp - 1] = tv_val(t < 0 ? -1 : !t);
            break;
        }
        case XOP_NEG:
            if (!st[sp - 1].isnull) {
                Value r;
                rc = val_negate(&st[sp - 1], &r, err);
                if (rc) return eval_fail(env, rc, in->loc);
                st[sp - 1] = r;
            }
            break;
        case XOP_AND_JF:
            if (tv(&st[sp - 1]) == 0) pc += in->a - 1;
            break;
        case XOP_OR_JT:
            if (tv(&st[sp - 1]) == 1) pc += in->a - 1;
            break;
        case XOP_AND: {
            int r = tv(&st[--sp]), l = tv(&st[sp - 1]);
            st[sp - 1] = tv_val((l == 0 || r == 0) ? 0 : (l < 0 || r < 0) ? -1 : 1);
            break;
        }
        case XOP_OR: {
            int r = tv(&st[--sp]), l = tv(&st[sp - 1]);
            st[sp - 1] = tv_val((l == 1 || r == 1) ? 1 : (l < 0 || r < 0) ? -1 : 0);
            break;
        }
        case XOP_CMP: {
            Value *r = &st[--sp], *l = &st[sp - 1];
            if (l->isnull || r->isnull) { *l = val_null(TYPE_BOOL); break; }
            int c = val_compare(l, r, &vc);
            bool res;
            switch ((BinaryOp)in->sub) {
            case BOP_EQ: res = c == 0; break;
            case BOP_NE: res = c != 0; break;
            case BOP_LT: res = c < 0; break;
            case BOP_LE: res = c <= 0; break;
            case BOP_GT: res = c > 0; break;
            default: res = c >= 0; break;
            }
            *l = val_bool(res);
            break;
        }
        case XOP_DISTINCT: {
            Value *r = &st[--sp], *l = &st[sp - 1];
            bool distinct;
            if (l->isnull || r->isnull) distinct = l->isnull != r->isnull;
            else distinct = val_compare(l, r, &vc) != 0;
            *l = val_bool((in->flags & 1) ? !distinct : distinct);
            break;
        }
        case XOP_ARITH: {
            Value *r = &st[--sp], *l = &st[sp - 1];
            if (l->isnull || r->isnull) { *l = val_null((TypeId)in->type); break; }
            Value res;
            rc = val_arith((ArithOp)in->sub, l, r, &vc, &res, err);
            if (rc) return eval_fail(env, rc, in->loc);
            *l = res;
            break;
        }
        case XOP_CONCAT: {
            Value *r = &st[--sp], *l = &st[sp - 1];
            if (l->isnull || r->isnull) { *l = val_null(TYPE_TEXT); break; }
            Value res;
            rc = val_concat(l, r, &vc, &res, err);
            if (rc) return eval_fail(env, rc, in->loc);
            *l = res;
            break;
        }
        case XOP_IS: {
            Value *v = &st[sp - 1];
            bool res;
            switch ((IsKind)in->sub) {
            case IS_NULL:
                if (v->type == TYPE_RECORD && !v->isnull) {
                    /* a record IS NULL when every field is, IS NOT NULL
                     * when none is (so both can be false), as PostgreSQL */
                    RecordIter it;
                    record_iter_init(&it, v);
                    Value fv;
                    bool all = true, none = true;
                    while (record_iter_next(&it, NULL, NULL, &fv)) {
                        all &= fv.isnull;
                        none &= !fv.isnull;
                    }
                    *v = val_bool((in->flags & 1) ? none : all);
                    goto is_done;
                }
                res = v->isnull;
                break;
            case IS_TRUE: res = !v->isnull && v->v.b; break;
            case IS_FALSE: res = !v->isnull && !v->v.b; break;
            default: res = v->isnull; break; /* IS UNKNOWN */
            }
            *v = val_bool((in->flags & 1) ? !res : res);
        is_done:
            break;
        }
        case XOP_IN: {
            int n = in->a;
            Value *arg = &st[sp - n - 1];
            int result = 0;
            if (arg->isnull) result = -1;
            else {
                for (int k = 0; k < n; k++) {
                    Value *it = &st[sp - n + k];
                    if (it->isnull) { result = -1; continue; }
                    if (val_compare(arg, it, &vc) == 0) { result = 1; break; }
                }
            }
            if ((in->flags & 1) && result >= 0) result = !result;
            sp -= n;
            st[sp - 1] = tv_val(result);
            break;
        }
        case XOP_BETWEEN: {
            Value *hi = &st[--sp], *lo = &st[--sp], *x = &st[sp - 1];
            if ((in->flags & 2) && !lo->isnull && !hi->isnull && val_compare(lo, hi, &vc) > 0) {
                Value *t = lo; lo = hi; hi = t;
            }
            int a = (x->isnull || lo->isnull) ? -1 : val_compare(x, lo, &vc) >= 0;
            int c = (x->isnull || hi->isnull) ? -1 : val_compare(x, hi, &vc) <= 0;
            int r = (a == 0 || c == 0) ? 0 : (a < 0 || c < 0) ? -1 : 1;
            if ((in->flags & 1) && r >= 0) r = !r;
            *x = tv_val(r);
            break;
        }
        case XOP_LIKE: {
            int esc = '\\';
            if (in->flags & 4) {
                Value *e = &st[--sp];
                if (e->isnull) { st[sp - 2] = val_null(TYPE_BOOL); sp--; break; }
                if (e->v.s.len == 0) esc = -1;
                else if (e->v.s.len == 1) esc = (unsigned char)e->v.s.p[0];
                else return dd_err(err, DD_EINVALID_ESCAPE, -1, "invalid escape string");
            }
            Value *pat = &st[--sp], *s = &st[sp - 1];
            if (s->isnull || pat->isnull) { *s = val_null(TYPE_BOOL); break; }
            int m = val_like(s->v.s.p, s->v.s.len, pat->v.s.p, pat->v.s.len, esc, (in->flags & 2) != 0);
            if (m < 0)
                return dd_err(err, DD_EINVALID_ESCAPE, -1, "LIKE pattern must not end with escape character");
            *s = val_bool((in->flags & 1) ? !m : m);
            break;
        }
        case XOP_CAST: {
            Value *v = &st[sp - 1], r;
            rc = val_cast(v, (TypeId)in->type, in->typmod, in->flags & 1, &vc, &r, err);
            if (rc) return eval_fail(env, rc, in->loc);
            *v = r;
            break;
        }
        case XOP_FUNC: {
            int n = in->a;
            Value r;
            env->state = &p->code[pc].state;
            rc = in->fn(env, &st[sp - n], n, &r, in->loc);
            if (rc) return eval_fail(env, rc, in->loc);
            sp -= n;
            st[sp++] = r;
            break;
        }
        case XOP_JUMP: pc += in->a - 1; break;
        case XOP_JUMP_IFNOT: {
            int t = tv(&st[--sp]);
            if (t != 1) pc += in->a - 1;
            break;
        }
        case XOP_JUMP_NOTNULL:
            if (!st[sp - 1].isnull) pc += in->a - 1;
            break;
        case XOP_POP: sp--; break;
        case XOP_SUBLINK: {
            SubLink *l = in->link;
            if (!l->done || l->correlated) {
                rc = sublink_run(env, l, row);
                if (rc) return eval_fail(env, rc, in->loc);
            }
            if (l->kind == SUBLINK_ARRAY) {
                Value r;
                rc = arr_build(env, env->sql->row, l->vals, l->nvals, l->type, false, &r);
                if (rc) return eval_fail(env, rc, in->loc);
                st[sp++] = r;
            } else if (l->kind == SUBLINK_SCALAR) {
                st[sp++] = l->nvals ? l->vals[0] : val_null(l->type);
            } else if (l->kind == SUBLINK_EXISTS) {
                st[sp++] = val_bool(l->nvals > 0);
            } else if (in->sub && l->ncols == 1) {
                /* x op ANY (...): TRUE when one comparison is, FALSE when
                 * none could be (no rows too), else UNKNOWN; ALL: FALSE
                 * when one comparison is, TRUE when all are (no rows too) */
                Value *x = &st[sp - 1];
                bool all = in->flags & 2, unknown = false;
                int r = all ? 1 : 0;
                for (int k = 0; k < l->nvals && r == (all ? 1 : 0); k++) {
                    if (x->isnull || l->vals[k].isnull) { unknown = true; continue; }
                    int c = val_compare(x, &l->vals[k], &vc);
                    bool ok;
                    switch (in->sub) {
                    case BOP_EQ: ok = c == 0; break;
                    case BOP_NE: ok = c != 0; break;
                    case BOP_LT: ok = c < 0; break;
                    case BOP_LE: ok = c <= 0; break;
                    case BOP_GT: ok = c > 0; break;
                    default: ok = c >= 0; break;
                    }
                    if (all && !ok) r = 0;
                    if (!all && ok) r = 1;
                }
                if (r == (all ? 1 : 0) && unknown) r = -1;
                *x = tv_val(r);
            } else if (l->ncols > 1 && in->sub) {
                /* (x, y) op ANY | ALL (SELECT a, b ...), as for one column */
                int w = l->ncols;
                bool all = in->flags & 2, unknown = false;
                int r = all ? 1 : 0;
                sp -= w - 1;
                Value *x = &st[sp - 1];
                for (int k = 0; k < l->nvals && r == (all ? 1 : 0); k++) {
                    int c = row_compare_op(x, &l->vals[(size_t)k * (size_t)w], w, in->sub, &vc);
                    if (c < 0) unknown = true;
                    else if (all && !c) r = 0;
                    else if (!all && c) r = 1;
                }
                if (r == (all ? 1 : 0) && unknown) r = -1;
                *x = tv_val(r);
            } else if (l->ncols > 1) {
                /* (x, y) IN: as (x, y) = row1 OR (x, y) = row2 ..., a row
                 * equal when every column is, FALSE when one is not */
                int w = l->ncols, r = 0;
                sp -= w - 1;
                Value *x = &st[sp - 1];
                bool hashable = l->hash && !row_has_null(x, w);
                for (int c = 0; hashable && c < w; c++)
                    hashable = hash_consistent((TypeId)x[c].type, l->types[c]);
                if (hashable) {
                    size_t j = row_hash(x, w) & (l->hcap - 1);
                    for (; l->hash[j] >= 0 && r == 0; j = (j + 1) & (l->hcap - 1))
                        if (row_equal(x, &l->vals[(size_t)l->hash[j] * (size_t)w], w, &vc) == 1) r = 1;
                }
                if (!hashable || (r == 0 && l->has_null)) {
                    for (int k = 0; k < l->nvals && r != 1; k++) {
                        int e = row_equal(x, &l->vals[(size_t)k * (size_t)w], w, &vc);
                        if (e != 0) r = e;
                    }
                }
                if ((in->flags & 1) && r >= 0) r = !r;
                *x = tv_val(r);
            } else {
                /* as x = v1 OR x = v2 ...: FALSE for no rows, else UNKNOWN
                 * when x or a non-matching value is NULL */
                Value *x = &st[sp - 1];
                int r = 0;
                if (l->nvals && x->isnull) r = -1;
                if (r == 0 && l->hash && hash_consistent((TypeId)x->type, l->type)) {
                    size_t j = val_hash(x) & (l->hcap - 1);
                    for (; l->hash[j] >= 0 && r == 0; j = (j + 1) & (l->hcap - 1))
                        if (val_compare(x, &l->vals[l->hash[j]], &vc) == 0) r = 1;
                } else {
                    for (int k = 0; k < l->nvals && r == 0; k++)
                        if (!l->vals[k].isnull && val_compare(x, &l->vals[k], &vc) == 0) r = 1;
                }
                if (r == 0 && l->has_null) r = -1;
                if ((in->flags & 1) && r >= 0) r = !r;
                *x = tv_val(r);
            }
            break;
        }
        }
    }
    *out = st[sp - 1];
    if (out->isnull) out->type = (u8)p->type;
    return DD_OK;
}

int expr_eval_bool(const ExprProg *p, EvalEnv *env, const Value *row, bool *out)
{
    Value v;
    int rc = expr_eval(p, env, row, &v);
    if (rc) return rc;
    *out = !v.isnull && v.v.b;
    return DD_OK;
}

