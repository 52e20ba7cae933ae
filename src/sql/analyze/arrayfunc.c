/*
 * arrayfunc.c - what SQL does with arrays, as PostgreSQL 15: the
 * constructor ARRAY[...] (and ARRAY(SELECT ...)'s values), subscripts and
 * slices, op ANY / ALL (array), @> <@ &&, ||, and the functions
 * array_length / lower / upper / ndims / dims, cardinality, array_append /
 * prepend / cat, array_position(s), array_remove / replace,
 * array_to_string, string_to_array, array_fill.
 *
 * Arrays arrive serialized (types/array.h) and are decoded into ArrayVals
 * in the row arena; results are serialized into it.  Elements compare as
 * their type does (val_compare); the searching functions (position,
 * remove, replace, @>) treat NULL as PostgreSQL does: array_position and
 * array_remove find a NULL with IS NOT DISTINCT FROM, @> and && never
 * match a NULL element.
 */
#include "expr.h"
#include "../types/array.h"

#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- helpers */

static int unpack(EvalEnv *env, const Value *v, ArrayVal *a)
{
    return array_from_value(v, env->sql->row, a, env->sql->err);
}

static int pack(EvalEnv *env, const ArrayVal *a, Value *out)
{
    return array_to_value(a, env->sql->row, out, env->sql->err);
}

static const ArrayOpInfo *info(EvalEnv *env) { return *(const ArrayOpInfo *const *)env->state; }

static ValueCtx vctx(EvalEnv *env)
{
    ValueCtx vc = env->sql->vctx;
    vc.arena = env->sql->row;
    return vc;
}

/* Equality of two elements, NULLs equal (IS NOT DISTINCT FROM). */
static bool same(const Value *x, const Value *y, const ValueCtx *vc)
{
    if (x->isnull || y->isnull) return x->isnull && y->isnull;
    return val_compare(x, y, vc) == 0;
}

static bool cmp_holds(int op, int c)
{
    switch ((BinaryOp)op) {
    case BOP_EQ: return c == 0;
    case BOP_NE: return c != 0;
    case BOP_LT: return c < 0;
    case BOP_LE: return c <= 0;
    case BOP_GT: return c > 0;
    default: return c >= 0;
    }
}

static int data_exception(EvalEnv *env, const char *msg)
{
    return dd_err(env->sql->err, DD_EDATA_EXCEPTION, -1, "%s", msg);
}

/* ---------------------------------------------------------------- constructor */

int arr_build(EvalEnv *env, Arena *arena, const Value *items, int n, TypeId result, bool ctor, Value *out)
{
    ArrayVal a;
    TypeId elem = type_elem(result);
    array_init(&a, elem);
    bool nested = n > 0 && type_is_array((TypeId)items[0].type);
    int rc;
    if (!nested) {
        if ((rc = array_set_1d(&a, arena, (u32)n))) return rc;
        for (int i = 0; i < n; i++) {
            a.items[i] = items[i];
            if (a.items[i].isnull) a.items[i] = val_null(elem);
        }
        return array_to_value(&a, arena, out, env->sql->err);
    }
    /* sub-arrays: each must have the same dimensions; NULL and empty ones
     * are skipped as PostgreSQL does when all of them are */
    ArrayVal *subs = arena_alloc(arena, sizeof(ArrayVal) * (size_t)(n ? n : 1));
    if (!subs) return DD_ENOMEM;
    int first = -1;
    u64 total = 0;
    for (int i = 0; i < n; i++) {
        if (items[i].isnull && !ctor)
            return dd_err(env->sql->err, DD_ENULL_NOT_ALLOWED, -1, "cannot accumulate null arrays");
        if (items[i].isnull) { array_init(&subs[i], elem); continue; }
        if ((rc = array_from_value(&items[i], arena, &subs[i], env->sql->err))) return rc;
        if (!subs[i].n && !ctor)
            return dd_err(env->sql->err, DD_EARRAY_SUBSCRIPT, -1, "cannot accumulate empty arrays");
        if (first < 0 && subs[i].n) first = i;
    }
    bool mismatch = false;
    for (int i = 0; i < n && first >= 0; i++) {
        const ArrayVal *s = &subs[i], *f = &subs[first];
        if (s->ndim != f->ndim) { mismatch = true; break; }
        for (int d = 0; d < s->ndim; d++)
            if (s->dims[d] != f->dims[d] || s->lbound[d] != f->lbound[d]) mismatch = true;
        total += s->n;
    }
    if (mismatch || (first >= 0 && total != (u64)subs[first].n * (u64)n))
        return dd_err(env->sql->err, DD_EARRAY_SUBSCRIPT, -1, ctor ?
                      "multidimensional arrays must have array expressions with matching dimensions" :
                      "cannot accumulate arrays of different dimensionality");
    if (first < 0) { array_init(&a, elem); return array_to_value(&a, arena, out, env->sql->err); }
    i32 dims[ARRAY_MAXDIM], lb[ARRAY_MAXDIM];
    int ndim = subs[first].ndim + 1;
    if (ndim > ARRAY_MAXDIM)
        return dd_err(env->sql->err, DD_EPROGRAM_LIMIT, -1,
                      "number of array dimensions (%d) exceeds the maximum allowed (%d)", ndim, ARRAY_MAXDIM);
    dims[0] = n;
    lb[0] = 1;
    for (int d = 1; d < ndim; d++) {
        dims[d] = subs[first].dims[d - 1];
        lb[d] = subs[first].lbound[d - 1];
    }
    if ((rc = array_set_shape(&a, arena, ndim, dims, lb, env->sql->err))) return rc;
    u32 k = 0;
    for (int i = 0; i < n; i++)
        for (u32 j = 0; j < subs[i].n; j++) a.items[k++] = subs[i].items[j];
    return array_to_value(&a, arena, out, env->sql->err);
}

int arr_construct(EvalEnv *env, const Value *args, int nargs, Value *out, int loc)
{
    DD_UNUSED(loc);
    return arr_build(env, env->sql->row, args, nargs, info(env)->type, true, out);
}

/* ---------------------------------------------------------------- subscripts */

/* Row-major offset of subscripts idx (already inside the bounds). */
static u32 offset_of(const ArrayVal *a, const i32 *idx)
{
    u64 off = 0;
    for (int d = 0; d < a->ndim; d++) off = off * (u64)a->dims[d] + (u64)(idx[d] - a->lbound[d]);
    return (u32)off;
}

int arr_subscript(EvalEnv *env, const Value *args, int nargs, Value *out, int loc)
{
    DD_UNUSED(loc);
    const ArrayOpInfo *in = info(env);
    *out = val_null(in->type);
    for (int i = 0; i < nargs; i++)
        if (args[i].isnull) return DD_OK;
    ArrayVal a;
    int rc = unpack(env, &args[0], &a);
    if (rc) return rc;
    const char *sl = in->slices;
    int nsub = (int)strlen(sl);
    bool slice = strspn(sl, "i") != (size_t)nsub;
    /* the bounds asked for per subscript (64-bit: a bound may be outside int32 after ±) */
    i64 lo[ARRAY_MAXDIM], hi[ARRAY_MAXDIM];
    int k = 1;
    for (int d = 0; d < nsub; d++) {
        i64 alo = d < a.ndim ? a.lbound[d] : 1, ahi = d < a.ndim ? (i64)a.lbound[d] + a.dims[d] - 1 : 0;
        switch (sl[d]) {
        case 'i': hi[d] = args[k++].v.i; lo[d] = slice ? 1 : hi[d]; break;
        case 's': lo[d] = args[k++].v.i; hi[d] = args[k++].v.i; break;
        case 'l': lo[d] = args[k++].v.i; hi[d] = ahi; break;
        case 'u': lo[d] = alo; hi[d] = args[k++].v.i; break;
        default: lo[d] = alo; hi[d] = ahi; break;
        }
    }
    if (!slice) {
        if (nsub != a.ndim) return DD_OK;
        i32 idx[ARRAY_MAXDIM];
        for (int d = 0; d < nsub; d++) {
            if (lo[d] < a.lbound[d] || lo[d] > (i64)a.lbound[d] + a.dims[d] - 1) return DD_OK;
            idx[d] = (i32)lo[d];
        }
        *out = a.items[offset_of(&a, idx)];
        if (out->isnull) *out = val_null(in->type);
        return DD_OK;
    }
    ArrayVal r;
    array_init(&r, a.elem);
    if (nsub > a.ndim || a.n == 0) return pack(env, &r, out);
    i32 dims[ARRAY_MAXDIM], lb[ARRAY_MAXDIM], from[ARRAY_MAXDIM];
    for (int d = 0; d < a.ndim; d++) {
        i64 alo = a.lbound[d], ahi = (i64)a.lbound[d] + a.dims[d] - 1;
        i64 l = d < nsub ? DD_MAX(lo[d], alo) : alo, h = d < nsub ? DD_MIN(hi[d], ahi) : ahi;
        if (l > h) return pack(env, &r, out);
        dims[d] = (i32)(h - l + 1);
        lb[d] = 1;
        from[d] = (i32)l;
    }
    if ((rc = array_set_shape(&r, env->sql->row, a.ndim, dims, lb, env->sql->err))) return rc;
    i32 pos[ARRAY_MAXDIM] = {0}, idx[ARRAY_MAXDIM];
    for (u32 i = 0; i < r.n; i++) {
        for (int d = 0; d < a.ndim; d++) idx[d] = from[d] + pos[d];
        r.items[i] = a.items[offset_of(&a, idx)];
        for (int d = a.ndim - 1; d >= 0 && ++pos[d] == dims[d]; d--) pos[d] = 0;
    }
    return pack(env, &r, out);
}

/* col[...] = x (UPDATE ... SET): the array with the element (or slice)
 * replaced.  As PostgreSQL: a NULL or empty array becomes one of the
 * subscripts' shape; a one-dimensional array grows to take a subscript
 * outside it (NULLs fill the gap); a multidimensional one does not
 * (2202E); a NULL slice source leaves the array as it was. */
int arr_assign(EvalEnv *env, const Value *args, int nargs, Value *out, int loc)
{
    DD_UNUSED(loc);
    const ArrayOpInfo *in = info(env);
    DdError *err = env->sql->err;
    const char *sl = in->slices;
    int nsub = (int)strlen(sl);
    bool slice = strspn(sl, "i") != (size_t)nsub;
    const Value *x = &args[nargs - 1];
    for (int i = 1; i < nargs - 1; i++)
        if (args[i].isnull)
            return dd_err(err, DD_ENULL_NOT_ALLOWED, -1, "array subscript in assignment must not be null");
    ArrayVal a, r, src;
    array_init(&a, type_elem(in->type));
    int rc = args[0].isnull ? DD_OK : unpack(env, &args[0], &a);
    if (rc) return rc;
    if (slice && x->isnull) { *out = args[0]; return DD_OK; }
    if (slice && (rc = unpack(env, x, &src))) return rc;
    if (a.n && nsub != a.ndim)
        return dd_err(err, DD_EARRAY_SUBSCRIPT, -1, "wrong number of array subscripts");
    if (a.n > 0 && a.ndim > 1 && slice)
        return dd_err(err, DD_EFEATURE, -1, "assignment to a slice of a multidimensional array is not supported");
    i64 lo[ARRAY_MAXDIM] = {0}, hi[ARRAY_MAXDIM] = {0};
    int k = 1;
    for (int d = 0; d < nsub; d++) {
        bool have = a.n > 0;
        i64 alo = have ? a.lbound[d] : 0, ahi = have ? (i64)a.lbound[d] + a.dims[d] - 1 : 0;
        switch (sl[d]) {
        case 'i': hi[d] = args[k++].v.i; lo[d] = slice ? 1 : hi[d]; break;
        case 's': lo[d] = args[k++].v.i; hi[d] = args[k++].v.i; break;
        case 'l': lo[d] = args[k++].v.i; hi[d] = ahi; if (!have) goto bounds; break;
        case 'u': lo[d] = alo; hi[d] = args[k++].v.i; if (!have) goto bounds; break;
        default: lo[d] = alo; hi[d] = ahi; if (!have) goto bounds; break;
        }
        if (slice && lo[d] > hi[d]) { *out = args[0]; return DD_OK; }
    }
    if (a.n == 0) {
        /* a new array of the subscripts' shape */
        i32 dims[ARRAY_MAXDIM], lb[ARRAY_MAXDIM];
        for (int d = 0; d < nsub; d++) {
            if (hi[d] - lo[d] + 1 > INT32_MAX || lo[d] < INT32_MIN || hi[d] > INT32_MAX)
                return dd_err(err, DD_EPROGRAM_LIMIT, -1, "array size exceeds the maximum allowed (%d)", ARRAY_MAX_ITEMS);
            dims[d] = (i32)(hi[d] - lo[d] + 1);
            lb[d] = (i32)lo[d];
        }
        array_init(&r, a.elem);
        if ((rc = array_set_shape(&r, env->sql->row, nsub, dims, lb, err))) return rc;
        if (slice) {
            if (src.n < r.n) return dd_err(err, DD_EARRAY_SUBSCRIPT, -1, "source array too small");
            if (r.n) memcpy(r.items, src.items, sizeof(Value) * r.n);
        } else {
            r.items[0] = x->isnull ? val_null(r.elem) : *x;
        }
        return pack(env, &r, out);
    }
    if (a.ndim > 1) {
        /* multidimensional: the element must be inside */
        i32 idx[ARRAY_MAXDIM];
        for (int d = 0; d < a.ndim; d++) {
            if (lo[d] < a.lbound[d] || lo[d] > (i64)a.lbound[d] + a.dims[d] - 1)
                return dd_err(err, DD_EARRAY_SUBSCRIPT, -1, "array subscript out of range");
            idx[d] = (i32)lo[d];
        }
        a.items[offset_of(&a, idx)] = x->isnull ? val_null(a.elem) : *x;
        return pack(env, &a, out);
    }
    /* one dimension: grow to [min(lb, lo), max(ub, hi)] */
    i64 alo = a.lbound[0], ahi = (i64)a.lbound[0] + a.dims[0] - 1;
    i64 nlo = DD_MIN(alo, lo[0]), nhi = DD_MAX(ahi, hi[0]);
    if (nhi - nlo + 1 > ARRAY_MAX_ITEMS || nlo < INT32_MIN || nhi > INT32_MAX)
        return dd_err(err, DD_EPROGRAM_LIMIT, -1, "array size exceeds the maximum allowed (%d)", ARRAY_MAX_ITEMS);
    i32 dim = (i32)(nhi - nlo + 1), lb = (i32)nlo;
    array_init(&r, a.elem);
    if ((rc = array_set_shape(&r, env->sql->row, 1, &dim, &lb, err))) return rc;
    if (a.n) memcpy(r.items + (alo - nlo), a.items, sizeof(Value) * a.n);
    if (slice) {
        u32 want = (u32)(hi[0] - lo[0] + 1);
        if (src.n < want) return dd_err(err, DD_EARRAY_SUBSCRIPT, -1, "source array too small");
        if (want) memcpy(r.items + (lo[0] - nlo), src.items, sizeof(Value) * want);
    } else {
        r.items[lo[0] - nlo] = x->isnull ? val_null(r.elem) : *x;
    }
    return pack(env, &r, out);
bounds:
    return dd_err(err, DD_EARRAY_SUBSCRIPT, -1, "array slice subscript must provide both boundaries");
}

/* ---------------------------------------------------------------- operators */

int arr_any(EvalEnv *env, const Value *args, int nargs, Value *out, int loc)
{
    DD_UNUSED(nargs);
    const ArrayOpInfo *in = info(env);
    *out = val_null(TYPE_BOOL);
    if (args[1].isnull) return DD_OK;
    ArrayVal a;
    int rc = unpack(env, &args[1], &a);
    if (rc) return rc;
    /* ANY: TRUE when one comparison is, FALSE when all are FALSE (or the
     * array is empty), else UNKNOWN; ALL the other way round */
    if (a.n == 0) { *out = val_bool(in->all); return DD_OK; }
    if (args[0].isnull) return DD_OK;
    ValueCtx vc = vctx(env);
    bool unknown = false;
    for (u32 i = 0; i < a.n; i++) {
        if (a.items[i].isnull) { unknown = true; continue; }
        bool ok;
        if (in->match) {
            /* a pattern match: its function, with the call site's own slot */
            Value pair[2] = {args[0], a.items[i]}, r;
            void **saved = env->state;
            env->state = &((ArrayOpInfo *)in)->match_state;
            rc = in->match(env, pair, 2, &r, loc);
            env->state = saved;
            if (rc) return rc;
            ok = r.v.b;
        } else {
            ok = cmp_holds(in->cmp, val_compare(&args[0], &a.items[i], &vc));
        }
        if (in->all && !ok) { *out = val_bool(false); return DD_OK; }
        if (!in->all && ok) { *out = val_bool(true); return DD_OK; }
    }
    if (!unknown) *out = val_bool(in->all);
    return DD_OK;
}

/* Whether every non-NULL-free element of x is in y (@>'s and <@'s test):
 * a NULL element of x is never found. */
static int contained(EvalEnv *env, const Value *x, const Value *y, bool *res)
{
    ArrayVal a, b;
    int rc = unpack(env, x, &a);
    if (!rc) rc = unpack(env, y, &b);
    if (rc) return rc;
    ValueCtx vc = vctx(env);
    *res = true;
    for (u32 i = 0; i < a.n && *res; i++) {
        bool found = false;
        if (!a.items[i].isnull)
            for (u32 j = 0; j < b.n && !found; j++)
                found = !b.items[j].isnull && val_compare(&a.items[i], &b.items[j], &vc) == 0;
        *res = found;
    }
    return DD_OK;
}

int arr_contains(EvalEnv *env, const Value *args, int nargs, Value *out, int loc)
{
    DD_UNUSED(nargs); DD_UNUSED(loc);
    if (args[0].isnull || args[1].isnull) { *out = val_null(TYPE_BOOL); return DD_OK; }
    bool r;
    int rc = contained(env, &args[1], &args[0], &r);
    if (!rc) *out = val_bool(r);
    return rc;
}

int arr_contained(EvalEnv *env, const Value *args, int nargs, Value *out, int loc)
{
    DD_UNUSED(nargs); DD_UNUSED(loc);
    if (args[0].isnull || args[1].isnull) { *out = val_null(TYPE_BOOL); return DD_OK; }
    bool r;
    int rc = contained(env, &args[0], &args[1], &r);
    if (!rc) *out = val_bool(r);
    return rc;
}

int arr_overlap(EvalEnv *env, const Value *args, int nargs, Value *out, int loc)
{
    DD_UNUSED(nargs); DD_UNUSED(loc);
    if (args[0].isnull || args[1].isnull) { *out = val_null(TYPE_BOOL); return DD_OK; }
    ArrayVal a, b;
    int rc = unpack(env, &args[0], &a);
    if (!rc) rc = unpack(env, &args[1], &b);
    if (rc) return rc;
    ValueCtx vc = vctx(env);
    bool r = false;
    for (u32 i = 0; i < a.n && !r; i++) {
        if (a.items[i].isnull) continue;
        for (u32 j = 0; j < b.n && !r; j++)
            r = !b.items[j].isnull && val_compare(&a.items[i], &b.items[j], &vc) == 0;
    }
    *out = val_bool(r);
    return DD_OK;
}

/* ---------------------------------------------------------------- concatenation */

static int cat_error(EvalEnv *env, const char *detail)
{
    dd_err(env->sql->err, DD_EARRAY_SUBSCRIPT, -1, "cannot concatenate incompatible arrays");
    dd_err_detail(env->sql->err, "%s", detail);
    return DD_EARRAY_SUBSCRIPT;
}

/* array_cat(a, b): along the first dimension (an array of one dimension
 * fewer is one more slice); NULL or empty sides give the other. */
static int cat(EvalEnv *env, const Value *x, const Value *y, TypeId type, Value *out)
{
    if (x->isnull && y->isnull) { *out = val_null(type); return DD_OK; }
    if (x->isnull) { *out = *y; return DD_OK; }
    if (y->isnull) { *out = *x; return DD_OK; }
    ArrayVal a, b, r;
    int rc = unpack(env, x, &a);
    if (!rc) rc = unpack(env, y, &b);
    if (rc) return rc;
    if (b.n == 0) { *out = *x; return DD_OK; }
    if (a.n == 0) { *out = *y; return DD_OK; }
    i32 dims[ARRAY_MAXDIM], lb[ARRAY_MAXDIM];
    int ndim;
    if (a.ndim == b.ndim) {
        for (int d = 1; d < a.ndim; d++)
            if (a.dims[d] != b.dims[d] || a.lbound[d] != b.lbound[d])
                return cat_error(env, "Arrays with differing element dimensions are not compatible for concatenation.");
        ndim = a.ndim;
        memcpy(dims, a.dims, sizeof dims);
        memcpy(lb, a.lbound, sizeof lb);
        dims[0] = a.dims[0] + b.dims[0];
    } else if (a.ndim == b.ndim + 1) {
        for (int d = 0; d < b.ndim; d++)
            if (a.dims[d + 1] != b.dims[d] || a.lbound[d + 1] != b.lbound[d])
                return cat_error(env, "Arrays with differing dimensions are not compatible for concatenation.");
        ndim = a.ndim;
        memcpy(dims, a.dims, sizeof dims);
        memcpy(lb, a.lbound, sizeof lb);
        dims[0]++;
    } else if (b.ndim == a.ndim + 1) {
        for (int d = 0; d < a.ndim; d++)
            if (b.dims[d + 1] != a.dims[d] || b.lbound[d + 1] != a.lbound[d])
                return cat_error(env, "Arrays with differing dimensions are not compatible for concatenation.");
        ndim = b.ndim;
        memcpy(dims, b.dims, sizeof dims);
        memcpy(lb, b.lbound, sizeof lb);
        dims[0]++;
    } else {
        char msg[128];
        snprintf(msg, sizeof msg, "Arrays of %d and %d dimensions are not compatible for concatenation.", a.ndim, b.ndim);
        return cat_error(env, msg);
    }
    array_init(&r, a.elem);
    if ((rc = array_set_shape(&r, env->sql->row, ndim, dims, lb, env->sql->err))) return rc;
    if (a.n) memcpy(r.items, a.items, sizeof(Value) * a.n);
    if (b.n) memcpy(r.items + a.n, b.items, sizeof(Value) * b.n);
    return pack(env, &r, out);
}

int arr_cat(EvalEnv *env, const Value *args, int nargs, Value *out, int loc)
{
    DD_UNUSED(nargs); DD_UNUSED(loc);
    return cat(env, &args[0], &args[1], info(env)->type, out);
}

/* array_append / array_prepend: one-dimensional (or empty) arrays only;
 * the lower bound stays. */
static int push(EvalEnv *env, const Value *arr, const Value *x, bool front, TypeId type, Value *out)
{
    ArrayVal a, r;
    array_init(&a, type_elem(type));
    int rc = arr->isnull ? DD_OK : unpack(env, arr, &a);
    if (rc) return rc;
    if (a.ndim > 1) return data_exception(env, "argument must be empty or one-dimensional array");
    i32 lb = a.n ? a.lbound[0] : 1;   /* kept by both, as PostgreSQL 15 */
    if (a.n && (i64)lb + a.dims[0] > INT32_MAX) {
        return dd_err(env->sql->err, DD_EOUT_OF_RANGE, -1, "integer out of range");
    }
    i32 dims = (i32)a.n + 1;
    array_init(&r, a.elem);
    if ((rc = array_set_shape(&r, env->sql->row, 1, &dims, &lb, env->sql->err))) return rc;
    if (a.n) memcpy(r.items + (front ? 1 : 0), a.items, sizeof(Value) * a.n);
    r.items[front ? 0 : a.n] = x->isnull ? val_null(a.elem) : *x;
    return pack(env, &r, out);
}

int arr_append(EvalEnv *env, const Value *args, int nargs, Value *out, int loc)
{
    DD_UNUSED(nargs); DD_UNUSED(loc);
    return push(env, &args[0], &args[1], false, info(env)->type, out);
}

int arr_prepend(EvalEnv *env, const Value *args, int nargs, Value *out, int loc)
{
    DD_UNUSED(nargs); DD_UNUSED(loc);
    return push(env, &args[1], &args[0], true, info(env)->type, out);
}

/* ---------------------------------------------------------------- functions */

/* The result type of the functions below comes from their arguments'
 * types; the implementations read it from the values (an array Value's
 * type is its type, NULL or not). */

static int f_array_append(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    return push(env, &a[0], &a[1], false, (TypeId)a[0].type, out);
}

static int f_array_prepend(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    return push(env, &a[1], &a[0], true, (TypeId)a[1].type, out);
}

static int f_array_cat(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    return cat(env, &a[0], &a[1], (TypeId)a[0].type, out);
}

/* array_length / array_lower / array_upper (arr, dim) */
static int dim_fn(EvalEnv *env, const Value *a, Value *out, int what)
{
    *out = val_null(TYPE_INT4);
    if (a[0].isnull || a[1].isnull) return DD_OK;
    ArrayVal x;
    int rc = unpack(env, &a[0], &x);
    if (rc) return rc;
    i64 d = a[1].v.i;
    if (d < 1 || d > x.ndim) return DD_OK;
    i64 v = what == 0 ? x.dims[d - 1] : what == 1 ? x.lbound[d - 1] : (i64)x.lbound[d - 1] + x.dims[d - 1] - 1;
    *out = val_int(TYPE_INT4, v);
    return DD_OK;
}
static int f_array_length(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    return dim_fn(env, a, out, 0);
}
static int f_array_lower(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    return dim_fn(env, a, out, 1);
}
static int f_array_upper(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    return dim_fn(env, a, out, 2);
}

static int f_array_ndims(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    *out = val_null(TYPE_INT4);
    if (a[0].isnull) return DD_OK;
    ArrayVal x;
    int rc = unpack(env, &a[0], &x);
    if (!rc && x.ndim) *out = val_int(TYPE_INT4, x.ndim);
    return rc;
}

static int f_cardinality(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    *out = val_null(TYPE_INT4);
    if (a[0].isnull) return DD_OK;
    ArrayVal x;
    int rc = unpack(env, &a[0], &x);
    if (!rc) *out = val_int(TYPE_INT4, x.n);
    return rc;
}

static int text_result(EvalEnv *env, Buf *b, Value *out)
{
    if (!buf_ok(b)) { buf_free(b); return DD_ENOMEM; }
    char *p = arena_memdup(env->sql->row, b->len ? (const char *)b->data : "", b->len ? b->len : 1);
    size_t len = b->len;
    buf_free(b);
    if (!p) return DD_ENOMEM;
    *out = val_text(TYPE_TEXT, p, (u32)len);
    return DD_OK;
}

static int f_array_dims(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    *out = val_null(TYPE_TEXT);
    if (a[0].isnull) return DD_OK;
    ArrayVal x;
    int rc = unpack(env, &a[0], &x);
    if (rc || !x.ndim) return rc;
    Buf b = BUF_INIT;
    for (int d = 0; d < x.ndim; d++)
        buf_printf(&b, "[%d:%lld]", x.lbound[d], (long long)x.lbound[d] + x.dims[d] - 1);
    return text_result(env, &b, out);
}

/* array_position(arr, x [, start]) and array_positions(arr, x) */
static int positions(EvalEnv *env, const Value *a, int n, bool all, Value *out)
{
    *out = all ? val_null(type_array_of(TYPE_INT4)) : val_null(TYPE_INT4);
    if (a[0].isnull) return DD_OK;
    ArrayVal x;
    int rc = unpack(env, &a[0], &x);
    if (rc) return rc;
    if (x.ndim > 1)
        return dd_err(env->sql->err, DD_EFEATURE, -1, "searching for elements in multidimensional arrays is not supported");
    i64 start = x.n ? x.lbound[0] : 1;
    if (n > 2) {
        if (a[2].isnull)
            return dd_err(env->sql->err, DD_ENULL_NOT_ALLOWED, -1, "initial position must not be null");
        start = a[2].v.i;
    }
    ValueCtx vc = vctx(env);
    ArrayVal r;
    array_init(&r, TYPE_INT4);
    if (all && (rc = array_set_1d(&r, env->sql->row, x.n))) return rc;
    u32 found = 0;
    for (u32 i = 0; i < x.n; i++) {
        i64 sub = (i64)x.lbound[0] + i;
        if (sub < start || !same(&x.items[i], &a[1], &vc)) continue;
        if (!all) { *out = val_int(TYPE_INT4, sub); return DD_OK; }
        r.items[found++] = val_int(TYPE_INT4, sub);
    }
    if (!all) return DD_OK;
    r.n = found;
    r.dims[0] = (i32)found;
    r.ndim = found ? 1 : 0;
    return pack(env, &r, out);
}
static int f_array_position(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    return positions(env, a, n, false, out);
}
static int f_array_positions(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    return positions(env, a, n, true, out);
}

/* array_remove(arr, x) / array_replace(arr, x, y) */
static int f_array_remove(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = a[0]; return DD_OK; }
    ArrayVal x;
    int rc = unpack(env, &a[0], &x);
    if (rc) return rc;
    if (x.ndim > 1)
        return dd_err(env->sql->err, DD_EFEATURE, -1, "removing elements from multidimensional arrays is not supported");
    ValueCtx vc = vctx(env);
    u32 k = 0;
    for (u32 i = 0; i < x.n; i++)
        if (!same(&x.items[i], &a[1], &vc)) x.items[k++] = x.items[i];
    if (k == x.n) { *out = a[0]; return DD_OK; }
    x.n = k;
    x.dims[0] = (i32)k;
    if (!k) x.ndim = 0;
    return pack(env, &x, out);
}

/* trim_array(a, k): a without its last k elements (of the first dimension) */
static int f_trim_array(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull || a[1].isnull) { *out = val_null((TypeId)a[0].type); return DD_OK; }
    ArrayVal x;
    int rc = unpack(env, &a[0], &x);
    if (rc) return rc;
    i64 len = x.ndim ? x.dims[0] : 0, k = a[1].v.i;
    if (k < 0 || k > len)
        return dd_err(env->sql->err, DD_EARRAY_SUBSCRIPT, -1, "number of elements to trim must be between 0 and %lld",
                      (long long)len);
    if (!k) { *out = a[0]; return DD_OK; }
    u32 per = x.n / (u32)len;
    x.dims[0] = (i32)(len - k);
    x.n = (u32)(len - k) * per;
    if (!x.n) x.ndim = 0;
    return pack(env, &x, out);
}
static bool r_trim_array(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (!type_is_array(a[0]) || !(type_is_int(a[1]) || a[1] == TYPE_UNKNOWN || a[1] == TYPE_NULLTYPE)) return false;
    a[1] = TYPE_INT4;
    *r = a[0];
    return true;
}

static int f_array_replace(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = a[0]; return DD_OK; }
    ArrayVal x;
    int rc = unpack(env, &a[0], &x);
    if (rc) return rc;
    ValueCtx vc = vctx(env);
    for (u32 i = 0; i < x.n; i++)
        if (same(&x.items[i], &a[1], &vc)) x.items[i] = a[2].isnull ? val_null(x.elem) : a[2];
    return pack(env, &x, out);
}

/* array_to_string(arr, delim [, null_string]) */
static int f_array_to_string(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    *out = val_null(TYPE_TEXT);
    if (a[0].isnull || a[1].isnull) return DD_OK;
    ArrayVal x;
    int rc = unpack(env, &a[0], &x);
    if (rc) return rc;
    ValueCtx vc = vctx(env);
    Buf b = BUF_INIT;
    bool first = true;
    for (u32 i = 0; i < x.n; i++) {
        if (x.items[i].isnull && (n < 3 || a[2].isnull)) continue;
        if (!first) buf_append(&b, a[1].v.s.p, a[1].v.s.len);
        first = false;
        if (x.items[i].isnull) buf_append(&b, a[2].v.s.p, a[2].v.s.len);
        else val_to_text(&x.items[i], &vc, &b);
    }
    return text_result(env, &b, out);
}

/* string_to_array(s, delim [, null_string]): a NULL delimiter splits into
 * characters, an empty one gives the whole string; '' gives {} */
static int f_string_to_array(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    *out = val_null(type_array_of(TYPE_TEXT));
    if (a[0].isnull) return DD_OK;
    const char *s = a[0].v.s.p, *end = s + a[0].v.s.len;
    bool by_char = a[1].isnull;
    const char *d = by_char ? NULL : a[1].v.s.p;
    size_t dl = by_char ? 0 : a[1].v.s.len;
    /* pieces first, then the array */
    u32 cap = 8, np = 0;
    struct Piece { const char *p; u32 len; } *pc = arena_alloc(env->sql->row, sizeof(*pc) * cap);
    if (!pc) return DD_ENOMEM;
    const char *p = s;
    while (a[0].v.s.len) {
        const char *q;
        if (by_char) {
            if (p >= end) break;
            q = p + 1;
            while (q < end && ((unsigned char)*q & 0xC0) == 0x80) q++;
        } else if (dl == 0) {
            q = end;
        } else {
            q = p;
            while (q + dl <= end && memcmp(q, d, dl) != 0) q++;
            if (q + dl > end) q = end;
        }
        if (np == cap) {
            struct Piece *n2 = arena_alloc(env->sql->row, sizeof(*pc) * cap * 2);
            if (!n2) return DD_ENOMEM;
            memcpy(n2, pc, sizeof(*pc) * cap);
            pc = n2;
            cap *= 2;
        }
        pc[np].p = p;
        pc[np].len = (u32)(q - p);
        np++;
        if (by_char) { p = q; continue; }
        if (q >= end) break;
        p = q + dl;
    }
    ArrayVal r;
    array_init(&r, TYPE_TEXT);
    int rc = array_set_1d(&r, env->sql->row, np);
    if (rc) return rc;
    for (u32 i = 0; i < np; i++) {
        if (n > 2 && !a[2].isnull && pc[i].len == a[2].v.s.len && memcmp(pc[i].p, a[2].v.s.p, pc[i].len) == 0) continue;
        r.items[i] = val_text(TYPE_TEXT, pc[i].p, pc[i].len);
    }
    return pack(env, &r, out);
}

/* array_fill(value, dims [, lower bounds]) */
static int f_array_fill(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    TypeId type = type_array_of((TypeId)a[0].type);
    if (a[1].isnull || (n > 2 && a[2].isnull))
        return dd_err(env->sql->err, DD_ENULL_NOT_ALLOWED, -1, "dimension array or low bound array cannot be null");
    ArrayVal d, l;
    int rc = unpack(env, &a[1], &d);
    array_init(&l, TYPE_INT4);
    if (!rc && n > 2) rc = unpack(env, &a[2], &l);
    if (rc) return rc;
    if (d.ndim > 1 || l.ndim > 1) {
        dd_err(env->sql->err, DD_EARRAY_SUBSCRIPT, -1, "wrong number of array subscripts");
        dd_err_detail(env->sql->err, "Dimension array must be one dimensional.");
        return DD_EARRAY_SUBSCRIPT;
    }
    if (n > 2 && d.n != l.n) {
        dd_err(env->sql->err, DD_EARRAY_SUBSCRIPT, -1, "wrong number of array subscripts");
        dd_err_detail(env->sql->err, "Low bound array has different size than dimensions array.");
        return DD_EARRAY_SUBSCRIPT;
    }
    for (u32 i = 0; i < d.n; i++)
        if (d.items[i].isnull || (n > 2 && l.items[i].isnull))
            return dd_err(env->sql->err, DD_ENULL_NOT_ALLOWED, -1, "dimension values cannot be null");
    if (d.n > ARRAY_MAXDIM)
        return dd_err(env->sql->err, DD_EPROGRAM_LIMIT, -1,
                      "number of array dimensions (%u) exceeds the maximum allowed (%d)", d.n, ARRAY_MAXDIM);
    i32 dims[ARRAY_MAXDIM], lb[ARRAY_MAXDIM];
    for (u32 i = 0; i < d.n; i++) {
        dims[i] = (i32)d.items[i].v.i;
        lb[i] = n > 2 ? (i32)l.items[i].v.i : 1;
        if (dims[i] < 0) dims[i] = 0;
    }
    ArrayVal r;
    array_init(&r, type_elem(type));
    if ((rc = array_set_shape(&r, env->sql->row, (int)d.n, dims, lb, env->sql->err))) return rc;
    for (u32 i = 0; i < r.n; i++) r.items[i] = a[0].isnull ? val_null(r.elem) : a[0];
    return pack(env, &r, out);
}

/* ---------------------------------------------------------------- resolvers */

static bool unknownish(TypeId t) { return t == TYPE_UNKNOWN || t == TYPE_NULLTYPE; }

/* (anyarray, int...) -> ret */
static bool arr_ints(TypeId *a, int n, TypeId *r, TypeId ret)
{
    if (unknownish(a[0])) *r = TYPE_NULLTYPE;   /* "could not determine polymorphic type" */
    if (!type_is_array(a[0])) return false;
    for (int i = 1; i < n; i++) {
        if (unknownish(a[i]) || type_is_int(a[i])) a[i] = TYPE_INT4;
        else return false;
    }
    *r = ret;
    return true;
}
static bool r_arr_int(TypeId *a, int n, TypeId *r) { return arr_ints(a, n, r, TYPE_INT4); }
static bool r_arr_text(TypeId *a, int n, TypeId *r) { return arr_ints(a, n, r, TYPE_TEXT); }

/* The common element type of the array at ai and the elements at the
 * positions of es (-1 ends), written back as the coercions to make;
 * *elem is it.  An untyped array side takes the elements' type. */
static bool unify(TypeId *a, int ai, const int *es, TypeId *elem)
{
    TypeId e = TYPE_UNKNOWN;
    *elem = TYPE_TEXT;
    bool have = false;
    if (type_is_array(a[ai])) { e = type_elem(a[ai]); have = true; }
    else if (!unknownish(a[ai])) return false;
    for (int k = 0; es[k] >= 0; k++) {
        TypeId t = a[es[k]];
        if (unknownish(t)) continue;
        if (type_is_array(t)) return false;
        if (!have) { e = t; have = true; continue; }
        TypeId c;
        if (!type_common(e, t, &c)) return false;
        e = c;
    }
    if (!have) { *elem = TYPE_NULLTYPE; return false; }   /* polymorphic type not determined */
    if (!type_has_array(e)) return false;
    a[ai] = type_array_of(e);
    for (int k = 0; es[k] >= 0; k++) a[es[k]] = e;
    *elem = e;
    return true;
}

static bool r_append(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    TypeId e;
    static const int es[] = {1, -1};
    if (!unify(a, 0, es, &e)) { *r = e; return false; }
    *r = a[0];
    return true;
}
static bool r_prepend(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    TypeId e;
    static const int es[] = {0, -1};
    if (!unify(a, 1, es, &e)) { *r = e; return false; }
    *r = a[1];
    return true;
}
static bool r_cat(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    TypeId t;
    if (unknownish(a[0]) && type_is_array(a[1])) a[0] = a[1];
    if (unknownish(a[1]) && type_is_array(a[0])) a[1] = a[0];
    if (!type_is_array(a[0]) || !type_is_array(a[1]) || !type_common(a[0], a[1], &t)) return false;
    a[0] = a[1] = *r = t;
    return true;
}
static bool r_position(TypeId *a, int n, TypeId *r)
{
    TypeId e;
    static const int es[] = {1, -1};
    if (!unify(a, 0, es, &e)) { *r = e; return false; }
    if (n > 2) {
        if (unknownish(a[2]) || type_is_int(a[2])) a[2] = TYPE_INT4;
        else return false;
    }
    *r = TYPE_INT4;
    return true;
}
static bool r_positions(TypeId *a, int n, TypeId *r)
{
    if (!r_position(a, n, r)) return false;
    *r = type_array_of(TYPE_INT4);
    return true;
}
static bool r_remove(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    TypeId e;
    static const int es[] = {1, -1};
    if (!unify(a, 0, es, &e)) { *r = e; return false; }
    *r = a[0];
    return true;
}
static bool r_replace(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    TypeId e;
    static const int es[] = {1, 2, -1};
    if (!unify(a, 0, es, &e)) { *r = e; return false; }
    *r = a[0];
    return true;
}
static bool r_to_string(TypeId *a, int n, TypeId *r)
{
    if (!type_is_array(a[0])) return false;
    for (int i = 1; i < n; i++) {
        if (unknownish(a[i]) || type_is_string(a[i])) a[i] = TYPE_TEXT;
        else return false;
    }
    *r = TYPE_TEXT;
    return true;
}
static bool r_string_to_array(TypeId *a, int n, TypeId *r)
{
    for (int i = 0; i < n; i++) {
        if (unknownish(a[i]) || type_is_string(a[i])) a[i] = TYPE_TEXT;
        else return false;
    }
    *r = type_array_of(TYPE_TEXT);
    return true;
}
static bool r_fill(TypeId *a, int n, TypeId *r)
{
    if (unknownish(a[0]) || type_is_array(a[0]) || !type_has_array(a[0])) return false;
    for (int i = 1; i < n; i++) {
        if (unknownish(a[i]) || a[i] == type_array_of(TYPE_INT4)) a[i] = type_array_of(TYPE_INT4);
        else return false;
    }
    *r = type_array_of(a[0]);
    return true;
}

static const FuncDef funcs[] = {
    {"array_length", 2, 2, r_arr_int, f_array_length, false},
    {"array_lower", 2, 2, r_arr_int, f_array_lower, false},
    {"array_upper", 2, 2, r_arr_int, f_array_upper, false},
    {"array_ndims", 1, 1, r_arr_int, f_array_ndims, false},
    {"array_dims", 1, 1, r_arr_text, f_array_dims, false},
    {"cardinality", 1, 1, r_arr_int, f_cardinality, false},
    {"array_append", 2, 2, r_append, f_array_append, false},
    {"array_prepend", 2, 2, r_prepend, f_array_prepend, false},
    {"array_cat", 2, 2, r_cat, f_array_cat, false},
    {"array_position", 2, 3, r_position, f_array_position, false},
    {"array_positions", 2, 2, r_positions, f_array_positions, false},
    {"array_remove", 2, 2, r_remove, f_array_remove, false},
    {"trim_array", 2, 2, r_trim_array, f_trim_array, false},
    {"array_replace", 3, 3, r_replace, f_array_replace, false},
    {"array_to_string", 2, 3, r_to_string, f_array_to_string, false},
    {"string_to_array", 2, 3, r_string_to_array, f_string_to_array, false},
    {"array_fill", 2, 3, r_fill, f_array_fill, false},
};

const FuncDef *array_func_lookup(const char *name, int k)
{
    for (size_t i = 0; i < DD_ARRAY_LEN(funcs); i++)
        if (strcmp(funcs[i].name, name) == 0 && k-- == 0) return &funcs[i];
    return NULL;
}
