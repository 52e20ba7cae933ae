/*
 * mathfunc.c - the math functions func.c does not have: logarithms and
 * exp (numeric and double precision forms), cbrt, sign, div, gcd, lcm,
 * factorial, width_bucket (numeric, double precision and thresholds
 * array forms), the trigonometric (radians and degrees) and hyperbolic functions, degrees,
 * radians and pi, scale / min_scale / trim_scale.
 *
 * As PostgreSQL resolves them, an integer or untyped argument takes the
 * double precision form of a function that has one (ln(2) is double
 * precision), a numeric argument the numeric form.  Numeric ln / exp / log
 * use PostgreSQL's result scales (at least 16 significant digits, never
 * fewer decimals than the argument); their digits are exact, rounded at
 * that scale (numexact.c).  NaN and the infinities give PostgreSQL 15's
 * results and errors.
 */
#include "expr.h"
#include "../types/array.h"
#include <math.h>
#include <string.h>

static int any_null_args(const Value *a, int n)
{
    for (int i = 0; i < n; i++) if (a[i].isnull) return 1;
    return 0;
}
static bool unknownish(TypeId t) { return t == TYPE_UNKNOWN || t == TYPE_NULLTYPE; }
static bool is_float(TypeId t) { return t == TYPE_FLOAT4 || t == TYPE_FLOAT8; }

/* ---------------------------------------------------------------- resolvers */

/* every argument double precision */
static bool r_float8(TypeId *a, int n, TypeId *r)
{
    for (int i = 0; i < n; i++) {
        if (!unknownish(a[i]) && !type_is_numeric(a[i])) return false;
        a[i] = TYPE_FLOAT8;
    }
    *r = TYPE_FLOAT8;
    return true;
}
/* numeric form for a numeric argument, double precision otherwise */
static bool r_num_or_float(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (a[0] == TYPE_NUMERIC) { *r = TYPE_NUMERIC; return true; }
    return r_float8(a, 1, r);
}
/* every argument numeric */
static bool r_numeric(TypeId *a, int n, TypeId *r)
{
    for (int i = 0; i < n; i++) {
        if (!unknownish(a[i]) && !type_is_numeric(a[i])) return false;
        if (is_float(a[i])) return false;    /* no implicit float -> numeric */
        a[i] = TYPE_NUMERIC;
    }
    *r = TYPE_NUMERIC;
    return true;
}
/* gcd, lcm: integer (int4 or int8) or numeric, as the arguments' common type */
static bool r_gcd(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    bool num = false, i8 = false, i2 = true;
    for (int i = 0; i < 2; i++) {
        if (unknownish(a[i])) { i2 = false; continue; }
        if (!type_is_int(a[i]) && a[i] != TYPE_NUMERIC) return false;
        num |= a[i] == TYPE_NUMERIC;
        i8 |= a[i] == TYPE_INT8;
        i2 &= a[i] == TYPE_INT2;
    }
    if (i2) { *r = TYPE_UNKNOWN; return false; }   /* PostgreSQL: gcd(smallint, smallint) is not unique */
    TypeId t = num ? TYPE_NUMERIC : i8 ? TYPE_INT8 : TYPE_INT4;
    a[0] = a[1] = t;
    *r = t;
    return true;
}
static bool r_factorial(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (!unknownish(a[0]) && !type_is_int(a[0])) return false;
    a[0] = TYPE_INT8;
    *r = TYPE_NUMERIC;
    return true;
}
/* width_bucket(x, low, high, count): numeric when any of the first three
 * is numeric, else double precision */
static bool r_width_bucket4(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    bool num = false;
    for (int i = 0; i < 3; i++) {
        if (!unknownish(a[i]) && !type_is_numeric(a[i])) return false;
        num |= a[i] == TYPE_NUMERIC;
    }
    for (int i = 0; i < 3; i++) {
        if (num && is_float(a[i])) return false;
        a[i] = num ? TYPE_NUMERIC : TYPE_FLOAT8;
    }
    if (!unknownish(a[3]) && !type_is_int(a[3])) return false;
    a[3] = TYPE_INT4;
    *r = TYPE_INT4;
    return true;
}
/* width_bucket(x, thresholds): x and the array's elements of one type */
static bool r_width_bucket2(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (!type_is_array(a[1])) return false;
    TypeId e = type_elem(a[1]);
    if (unknownish(a[0])) a[0] = e;
    TypeId c;
    if (!type_common(a[0], e, &c)) return false;
    a[0] = c;
    a[1] = type_array_of(c);
    *r = TYPE_INT4;
    return true;
}
static bool r_none_float8(TypeId *a, int n, TypeId *r) { DD_UNUSED(a); DD_UNUSED(n); *r = TYPE_FLOAT8; return true; }

/* ---------------------------------------------------------------- helpers */

static int range_err(EvalEnv *env, const char *what)
{
    return dd_err(env->sql->err, DD_EOUT_OF_RANGE, -1, "%s", what);
}
/* PostgreSQL's checks on a double precision result: an infinite result of
 * finite input overflows, a zero result of non-zero input underflows. */
static int float_result(EvalEnv *env, double r, double x, bool check_under, Value *out)
{
    if (isinf(r) && !isinf(x)) return range_err(env, "value out of range: overflow");
    if (check_under && r == 0.0 && x != 0.0) return range_err(env, "value out of range: underflow");
    *out = val_float(TYPE_FLOAT8, r);
    return DD_OK;
}

static long double num_ld(const Value *v) { return (long double)v->v.coef / powl(10.0L, (long double)v->scale); }

/* PostgreSQL's estimate of the decimal weight of ln(x), x > 0: from x - 1
 * near 1, else from an approximation of ln(x) */
static int ln_dweight(const Value *v)
{
    long double x = num_ld(v);
    if (x >= 0.9L && x <= 1.1L) {
        i128 d;
        int ds;
        DdError e;
        if (numeric_add(v->v.coef, v->scale, 1, 0, true, &d, &ds, &e) || d == 0) return 0;
        /* the decimal exponent of the leading digit of d * 10^-ds */
        int digits = 0;
        for (i128 m = d < 0 ? -d : d; m; m /= 10) digits++;
        return digits - 1 - ds;
    }
    /* PostgreSQL estimates from the first two base-10000 digits only (the
     * value cut after them), in double: so must we, or a result scale
     * changes where ln(x) is near a power of ten (ln(22026.5) = 10.000...) */
    u128 m = v->v.coef < 0 ? -(u128)v->v.coef : (u128)v->v.coef;
    if (m == 0) return 0;
    int nd = 0;
    for (u128 t = m; t; t /= 10) nd++;
    int e = nd - 1 - v->scale;                 /* decimal exponent of the leading digit */
    int w = e >= 0 ? e / 4 : -((-e + 3) / 4);  /* its base-10000 weight */
    int k = v->scale + 4 * (w - 1);            /* digits = floor(m / 10^k): two groups */
    u128 digits = m;
    for (int i = 0; i < k; i++) digits /= 10;
    for (int i = 0; i < -k; i++) digits *= 10;
    /* a value whose digits all lie in its first group has one base-10000
     * digit in PostgreSQL, which then takes that digit alone */
    bool one_group = k + 4 <= 0;
    if (!one_group) {
        u128 p = 1;
        for (int i = 0; i < k + 4; i++) p *= 10;
        one_group = m % p == 0;
    }
    double ln_var = one_group ? log((double)(digits / 10000)) + (double)(4 * w) * 2.302585092994046
                              : log((double)digits) + (double)(4 * (w - 1)) * 2.302585092994046;
    return (int)log10(fabs(ln_var));
}

static int log_domain(EvalEnv *env, bool zero)
{
    return dd_err(env->sql->err, DD_EINVALID_ARGUMENT_LOG, -1,
                  zero ? "cannot take logarithm of zero" : "cannot take logarithm of a negative number");
}

static int num_scale_max(int r, const Value *v) { return DD_MAX(r, v->scale); }

static Value num_nan(void) { return val_numeric(0, NUMERIC_NAN); }

static Value num_pinf(void) { return val_numeric(0, NUMERIC_PINF); }

/* The domain of a logarithm's argument, special values included: 0 when
 * v may go on (positive, finite or not), else log_domain's error. */
static int log_arg(EvalEnv *env, const Value *v)
{
    if (v->scale == NUMERIC_NINF) return log_domain(env, false);
    if (numeric_is_special(v->scale) || numeric_is_big(v->scale)) return DD_OK;   /* numbig.c checks its own */
    if (v->v.coef <= 0) return log_domain(env, v->v.coef == 0);
    return DD_OK;
}

/* ---------------------------------------------------------------- ln, exp, log */

static int f_ln(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null((TypeId)a[0].type); return DD_OK; }
    if (a[0].type == TYPE_NUMERIC) {
        if (numeric_is_big(a[0].scale)) return numeric_big_ln(&a[0], env->sql->row, out, env->sql->err);
        int rc = log_arg(env, &a[0]);
        if (rc) return rc;
        if (numeric_is_special(a[0].scale)) { *out = a[0]; return DD_OK; }   /* NaN, Infinity */
        int r = num_scale_max(16 - ln_dweight(&a[0]), &a[0]);
        i128 c;
        int cs;
        if ((rc = numeric_ln_at(a[0].v.coef, a[0].scale, r, &c, &cs, env->sql->err))) {
            if (rc != DD_EOUT_OF_RANGE) return rc;   /* more than 38 decimals: numbig.c */
            dd_err_clear(env->sql->err);
            return numeric_big_ln(&a[0], env->sql->row, out, env->sql->err);
        }
        *out = val_numeric(c, cs);
        return DD_OK;
    }
    double x = a[0].v.f;
    if (x <= 0 && !isnan(x)) return log_domain(env, x == 0);
    double r = log(x);
    if (isinf(r) && !isinf(x)) return range_err(env, "value out of range: overflow");
    if (r == 0.0 && x != 1.0) return range_err(env, "value out of range: underflow");
    *out = val_float(TYPE_FLOAT8, r);
    return DD_OK;
}

/* log(b, x) of numerics: ln(x) / ln(b) at PostgreSQL's scale */
static int num_log(EvalEnv *env, const Value *b, const Value *x, Value *out)
{
    if (numeric_is_nan(b->scale) || numeric_is_nan(x->scale)) { *out = num_nan(); return DD_OK; }
    int rc;
    if ((rc = log_arg(env, b)) || (rc = log_arg(env, x))) return rc;
    /* log(Inf, Inf) is NaN, log(Inf, x) 0, log(b, Inf) Infinity (PostgreSQL) */
    if (numeric_is_inf(b->scale)) {
        *out = numeric_is_inf(x->scale) ? num_nan() : val_numeric(0, 0);
        return DD_OK;
    }
    if (numeric_is_inf(x->scale)) { *out = num_pinf(); return DD_OK; }
    if (numeric_is_big(b->scale) || numeric_is_big(x->scale)) return numeric_big_log(b, x, env->sql->row, out, env->sql->err);
    if (numeric_cmp(b->v.coef, b->scale, 1, 0) == 0)
        return dd_err(env->sql->err, DD_EDIV_ZERO, -1, "division by zero");
    int r = 16 - (ln_dweight(x) - ln_dweight(b));
    r = DD_MAX(r, b->scale);
    r = DD_MAX(r, x->scale);
    i128 c;
    int cs;
    if ((rc = numeric_log_at(b->v.coef, b->scale, x->v.coef, x->scale, r, &c, &cs, env->sql->err))) {
        if (rc != DD_EOUT_OF_RANGE) return rc;   /* more than 38 digits or decimals: numbig.c */
        dd_err_clear(env->sql->err);
        return numeric_big_log(b, x, env->sql->row, out, env->sql->err);
    }
    *out = val_numeric(c, cs);
    return DD_OK;
}

static int f_log(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null_args(a, n)) { *out = val_null((TypeId)a[n - 1].type); return DD_OK; }
    if (n == 2) return num_log(env, &a[0], &a[1], out);
    if (a[0].type == TYPE_NUMERIC) {
        Value ten = val_numeric(10, 0);
        return num_log(env, &ten, &a[0], out);
    }
    double x = a[0].v.f;
    if (x <= 0 && !isnan(x)) return log_domain(env, x == 0);
    double r = log10(x);
    if (isinf(r) && !isinf(x)) return range_err(env, "value out of range: overflow");
    if (r == 0.0 && x != 1.0) return range_err(env, "value out of range: underflow");
    *out = val_float(TYPE_FLOAT8, r);
    return DD_OK;
}

static int f_exp(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null((TypeId)a[0].type); return DD_OK; }
    if (a[0].type == TYPE_NUMERIC) {
        /* exp(NaN) = NaN, exp(Infinity) = Infinity, exp(-Infinity) = 0 */
        if (numeric_is_big(a[0].scale)) return numeric_big_exp(&a[0], env->sql->row, out, env->sql->err);
        if (numeric_is_special(a[0].scale)) {
            *out = a[0].scale == NUMERIC_NINF ? val_numeric(0, 0) : a[0];
            return DD_OK;
        }
        long double x = num_ld(&a[0]);
        double w = (double)x * 0.434294481903252;   /* the result's decimal weight */
        w = DD_MAX(w, -2000.0);
        w = DD_MIN(w, 2000.0);
        int r = num_scale_max(16 - (int)w, &a[0]);
        i128 c;
        int cs, rc;
        if ((rc = numeric_exp_at(a[0].v.coef, a[0].scale, r, &c, &cs, env->sql->err))) {
            if (rc != DD_EOUT_OF_RANGE) return rc;   /* more than 38 digits or decimals: numbig.c */
            dd_err_clear(env->sql->err);
            return numeric_big_exp(&a[0], env->sql->row, out, env->sql->err);
        }
        *out = val_numeric(c, cs);
        return DD_OK;
    }
    double x = a[0].v.f, r = exp(x);
    if (isinf(r) && !isinf(x)) return range_err(env, "value out of range: overflow");
    if (r == 0.0 && !isinf(x)) return range_err(env, "value out of range: underflow");
    *out = val_float(TYPE_FLOAT8, r);
    return DD_OK;
}

/* ---------------------------------------------------------------- cbrt, sign, div, gcd, lcm, factorial */

static int f_cbrt(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null(TYPE_FLOAT8); return DD_OK; }
    return float_result(env, cbrt(a[0].v.f), a[0].v.f, true, out);
}

static int f_sign(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(env); DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null((TypeId)a[0].type); return DD_OK; }
    if (a[0].type == TYPE_NUMERIC) {
        if (numeric_is_nan(a[0].scale)) { *out = a[0]; return DD_OK; }
        if (numeric_is_inf(a[0].scale)) { *out = val_numeric(a[0].scale == NUMERIC_PINF ? 1 : -1, 0); return DD_OK; }
        if (numeric_is_big(a[0].scale)) {   /* never zero but with a scale past 38: 0.000...0 */
            Value z = val_numeric(0, 0);
            int c = val_compare(&a[0], &z, NULL);
            *out = val_numeric(c > 0 ? 1 : c < 0 ? -1 : 0, 0);
            return DD_OK;
        }
        *out = val_numeric(a[0].v.coef > 0 ? 1 : a[0].v.coef < 0 ? -1 : 0, 0);
        return DD_OK;
    }
    double x = a[0].v.f;
    *out = val_float(TYPE_FLOAT8, x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0);   /* NaN too: 0, as PostgreSQL */
    return DD_OK;
}

/* div(a, b): a / b truncated toward zero: (a - mod(a, b)) / b, exact */
static int f_div(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null_args(a, n)) { *out = val_null(TYPE_NUMERIC); return DD_OK; }
    DdError *err = env->sql->err;
    if (numeric_is_big(a[0].scale) || numeric_is_big(a[1].scale)) {
    big:;
        /* (a - mod(a, b)) / b, truncated: round(a / b) at scale 0 of the exact difference */
        Value m, d;
        int rc = numeric_big_arith(ARITH_MOD, &a[0], &a[1], env->sql->row, &m, err);
        if (!rc) rc = numeric_big_arith(ARITH_SUB, &a[0], &m, env->sql->row, &d, err);
        if (!rc) rc = numeric_big_arith(ARITH_DIV, &d, &a[1], env->sql->row, &m, err);
        if (!rc) rc = numeric_big_round(&m, 0, true, env->sql->row, out, err);
        return rc;
    }
    if (numeric_is_special(a[0].scale) || numeric_is_special(a[1].scale)) {
        /* NaN, ±Inf / x, x / ±Inf: the quotient's own special results
         * (x / Inf is 0), and no fraction to drop */
        i128 q;
        int qs, rc = numeric_div(a[0].v.coef, a[0].scale, a[1].v.coef, a[1].scale, &q, &qs, err);
        if (!rc) *out = val_numeric(q, qs);
        return rc;
    }
    if (a[1].v.coef == 0) return dd_err(err, DD_EDIV_ZERO, -1, "division by zero");
    i128 m, d, q;
    int ms, ds, qs, rc;
    if ((rc = numeric_mod(a[0].v.coef, a[0].scale, a[1].v.coef, a[1].scale, &m, &ms, err)) ||
        (rc = numeric_add(a[0].v.coef, a[0].scale, m, ms, true, &d, &ds, err)) ||
        (rc = numeric_div_at(d, ds, a[1].v.coef, a[1].scale, 0, &q, &qs, err))) {
        if (rc != DD_EOUT_OF_RANGE) return rc;
        dd_err_clear(err);   /* a quotient past 38 digits: numbig.c */
        goto big;
    }
    if (qs != 0) goto big;
    *out = val_numeric(q, 0);
    return DD_OK;
}

static u128 gcd_u128(u128 x, u128 y)
{
    while (y) {
        u128 t = x % y;
        x = y;
        y = t;
    }
    return x;
}

/* gcd / lcm of integers (int4, int8) or numerics (their coefficients at
 * the larger scale) */
static int gcd_lcm(EvalEnv *env, const Value *a, int n, Value *out, bool lcm)
{
    if (any_null_args(a, n)) { *out = val_null((TypeId)a[0].type); return DD_OK; }
    TypeId t = (TypeId)a[0].type;
    i128 x, y;
    int scale = 0;
    if (t == TYPE_NUMERIC && (numeric_is_special(a[0].scale) || numeric_is_special(a[1].scale))) {
        *out = num_nan();   /* gcd and lcm of NaN or an infinity are NaN */
        return DD_OK;
    }
    if (t == TYPE_NUMERIC) {
        if (numeric_is_big(a[0].scale) || numeric_is_big(a[1].scale)) goto big;
        scale = DD_MAX(a[0].scale, a[1].scale);
        if (numeric_rescale(a[0].v.coef, a[0].scale, scale, &x, NULL) ||
            numeric_rescale(a[1].v.coef, a[1].scale, scale, &y, NULL))
            goto big;
    } else {
        x = a[0].v.i;
        y = a[1].v.i;
    }
    u128 ux = x < 0 ? -(u128)x : (u128)x, uy = y < 0 ? -(u128)y : (u128)y, r;
    u128 g = gcd_u128(ux, uy);
    if (!lcm) r = g;
    else if (ux == 0 || uy == 0) r = 0;
    else {
        u128 q = ux / g;
        if (q > ((u128)1 << 126) / uy) {
            if (t == TYPE_NUMERIC) goto big;
            return range_err(env, "value overflows numeric format");
        }
        r = q * uy;
    }
    if (t == TYPE_NUMERIC) {
        u128 lim38 = 1;
        for (int i = 0; i < NUMERIC_MAX_PRECISION; i++) lim38 *= 10;
        if (r >= lim38) goto big;   /* past the pair form */
        *out = val_numeric((i128)r, scale);
        return DD_OK;
    }
    u128 lim = t == TYPE_INT4 ? (u128)INT32_MAX : (u128)INT64_MAX;
    if (r > lim) return range_err(env, t == TYPE_INT4 ? "integer out of range" : "bigint out of range");
    *out = val_int(t, (i64)r);
    return DD_OK;
big:   /* numerics past the pair form */
    return numeric_big_gcd(&a[0], &a[1], lcm, env->sql->row, out, env->sql->err);
}
static int f_gcd(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return gcd_lcm(env, a, n, out, false); }
static int f_lcm(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return gcd_lcm(env, a, n, out, true); }

static int f_factorial(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null(TYPE_NUMERIC); return DD_OK; }
    i64 k = a[0].v.i;
    if (k < 0) return range_err(env, "factorial of a negative number is undefined");
    /* PostgreSQL: 22003 past 32177! (131072 digits would not hold it) */
    if (k > 32177) return range_err(env, "value overflows numeric format");
    i128 f = 1;
    i64 i = 2;
    for (; i <= k && f <= ((i128)1 << 120) / i; i++) f *= i;
    Value acc = val_numeric(f, 0);
    /* past the pair form: products of any size, each in the arena the one
     * before last used (so memory stays twice the result) */
    Arena ar[2];
    arena_init(&ar[0], 65536);
    arena_init(&ar[1], 65536);
    int rc = DD_OK;
    for (int w = 0; i <= k; i++, w ^= 1) {
        Value m = val_int(TYPE_INT8, i), r;
        arena_reset(&ar[w]);
        if ((rc = numeric_value_arith(ARITH_MUL, &acc, &m, &ar[w], &r, env->sql->err))) break;
        acc = r;
    }
    if (!rc && numeric_is_big(acc.scale)) {
        char *p = arena_memdup(env->sql->row, acc.v.s.p, acc.v.s.len);
        if (!p) rc = dd_err(env->sql->err, DD_ENOMEM, -1, NULL);
        acc.v.s.p = p;
    }
    arena_free(&ar[0]);
    arena_free(&ar[1]);
    if (!rc) *out = acc;
    return rc;
}

/* ---------------------------------------------------------------- width_bucket */

static int wb_err(EvalEnv *env, const char *msg)
{
    return dd_err(env->sql->err, DD_EINVALID_ARGUMENT_WIDTH_BUCKET, -1, "%s", msg);
}

static int f_width_bucket(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (n == 2) {
        if (a[1].isnull) { *out = val_null(TYPE_INT4); return DD_OK; }
        ArrayVal th;
        int rc = array_from_value(&a[1], env->sql->row, &th, env->sql->err);
        if (rc) return rc;
        if (th.ndim > 1)
            return dd_err(env->sql->err, DD_EARRAY_SUBSCRIPT, -1, "thresholds must be one-dimensional array");
        for (u32 i = 0; i < th.n; i++)
            if (th.items[i].isnull)
                return dd_err(env->sql->err, DD_ENULL_NOT_ALLOWED, -1, "thresholds array must not contain NULLs");
        if (a[0].isnull) { *out = val_null(TYPE_INT4); return DD_OK; }
        ValueCtx vc = env->sql->vctx;
        vc.arena = env->sql->row;
        /* binary search: the number of thresholds <= x (they are to be sorted) */
        u32 lo = 0, hi = th.n;
        while (lo < hi) {
            u32 mid = lo + (hi - lo) / 2;
            if (val_compare(&a[0], &th.items[mid], &vc) < 0) hi = mid; else lo = mid + 1;
        }
        *out = val_int(TYPE_INT4, lo);
        return DD_OK;
    }
    if (any_null_args(a, n)) { *out = val_null(TYPE_INT4); return DD_OK; }
    i64 count = a[3].v.i, r;
    if (count <= 0) return wb_err(env, "count must be greater than zero");
    if (a[0].type == TYPE_NUMERIC) {
        if (numeric_is_nan(a[0].scale) || numeric_is_nan(a[1].scale) || numeric_is_nan(a[2].scale))
            return wb_err(env, "operand, lower bound, and upper bound cannot be NaN");
        if (numeric_is_inf(a[1].scale) || numeric_is_inf(a[2].scale))
            return wb_err(env, "lower and upper bounds must be finite");
        ValueCtx vc = env->sql->vctx;
        vc.arena = env->sql->row;
        int c1 = val_compare(&a[1], &a[2], &vc);
        if (c1 == 0) return wb_err(env, "lower bound cannot equal upper bound");
        bool up = c1 < 0;
        const Value *lo = up ? &a[1] : &a[2], *hi = up ? &a[2] : &a[1];
        int below = val_compare(&a[0], lo, &vc);
        int above = val_compare(&a[0], hi, &vc);
        if (up ? below < 0 : above > 0) r = 0;
        else if (up ? above >= 0 : below <= 0) r = count + 1;
        else {
            /* (x - b1) * count / (b2 - b1), both differences taken positive,
             * truncated: exact at any size (numeric_value_arith) */
            const Value *b1 = &a[1];
            Value dx, dr, p, m, t, q, cnt = val_int(TYPE_INT8, count);
            Arena *ar = env->sql->row;
            DdError *err = env->sql->err;
            int rc;
            if ((rc = numeric_value_arith(ARITH_SUB, up ? &a[0] : b1, up ? b1 : &a[0], ar, &dx, err)) ||
                (rc = numeric_value_arith(ARITH_SUB, hi, lo, ar, &dr, err)) ||
                (rc = numeric_value_arith(ARITH_MUL, &dx, &cnt, ar, &p, err)) ||
                (rc = numeric_value_arith(ARITH_MOD, &p, &dr, ar, &m, err)) ||
                (rc = numeric_value_arith(ARITH_SUB, &p, &m, ar, &t, err)) ||
                (rc = numeric_value_arith(ARITH_DIV, &t, &dr, ar, &q, err)))
                return rc;
            if (numeric_value_to_int64(&q, &r)) return range_err(env, "integer out of range");
            r++;
        }
    } else {
        double x = a[0].v.f, b1 = a[1].v.f, b2 = a[2].v.f;
        if (isnan(x) || isnan(b1) || isnan(b2)) return wb_err(env, "operand, lower bound, and upper bound cannot be NaN");
        if (isinf(b1) || isinf(b2)) return wb_err(env, "lower and upper bounds must be finite");
        if (b1 == b2) return wb_err(env, "lower bound cannot equal upper bound");
        if (b1 < b2) {
            if (x < b1) r = 0;
            else if (x >= b2) r = count + 1;
            else {
                double q = isinf(b2 - b1) ? (x / 2 - b1 / 2) / (b2 / 2 - b1 / 2) : (x - b1) / (b2 - b1);
                r = (i64)((double)count * q);
                if (r >= count) r = count - 1;
                r++;
            }
        } else {
            if (x > b1) r = 0;
            else if (x <= b2) r = count + 1;
            else {
                double q = isinf(b1 - b2) ? (b1 / 2 - x / 2) / (b1 / 2 - b2 / 2) : (b1 - x) / (b1 - b2);
                r = (i64)((double)count * q);
                if (r >= count) r = count - 1;
                r++;
            }
        }
    }
    if (r > INT32_MAX) return range_err(env, "integer out of range");
    *out = val_int(TYPE_INT4, r);
    return DD_OK;
}

/* ---------------------------------------------------------------- trigonometry */

typedef enum Trig { T_SIN, T_COS, T_TAN, T_COT, T_ASIN, T_ACOS, T_ATAN, T_SINH, T_COSH, T_TANH,
                    T_ASINH, T_ACOSH, T_ATANH, T_DEGREES, T_RADIANS } Trig;

static int trig(EvalEnv *env, const Value *a, Value *out, Trig t)
{
    if (a[0].isnull) { *out = val_null(TYPE_FLOAT8); return DD_OK; }
    double x = a[0].v.f, r = 0;
    if (isnan(x)) { *out = val_float(TYPE_FLOAT8, x); return DD_OK; }
    switch (t) {
    case T_SIN: case T_COS: case T_TAN: case T_COT:
        if (isinf(x)) return range_err(env, "input is out of range");
        r = t == T_SIN ? sin(x) : t == T_COS ? cos(x) : t == T_TAN ? tan(x) : 1.0 / tan(x);
        if (t == T_COT && r == -0.0) r = 0.0;
        break;
    case T_ASIN: case T_ACOS:
        if (x < -1.0 || x > 1.0) return range_err(env, "input is out of range");
        r = t == T_ASIN ? asin(x) : acos(x);
        break;
    case T_ATAN: r = atan(x); break;
    case T_SINH: r = sinh(x); break;
    case T_COSH: r = cosh(x); break;
    case T_TANH: r = tanh(x); break;
    case T_ASINH: r = asinh(x); break;
    case T_ACOSH:
        if (x < 1.0) return range_err(env, "input is out of range");
        r = acosh(x);
        break;
    case T_ATANH:
        if (x < -1.0 || x > 1.0) return range_err(env, "input is out of range");
        r = x == 1.0 ? INFINITY : x == -1.0 ? -INFINITY : atanh(x);
        break;
    case T_DEGREES: return float_result(env, x * (180.0 / M_PI), x, true, out);
    case T_RADIANS: return float_result(env, x * (M_PI / 180.0), x, true, out);
    }
    *out = val_float(TYPE_FLOAT8, r);
    return DD_OK;
}

#define TRIG_FN(fname, kind) \
    static int fname(EvalEnv *env, const Value *a, int n, Value *out, int loc) \
    { DD_UNUSED(n); DD_UNUSED(loc); return trig(env, a, out, kind); }
TRIG_FN(f_sin, T_SIN)
TRIG_FN(f_cos, T_COS)
TRIG_FN(f_tan, T_TAN)
TRIG_FN(f_cot, T_COT)
TRIG_FN(f_asin, T_ASIN)
TRIG_FN(f_acos, T_ACOS)
TRIG_FN(f_atan, T_ATAN)
TRIG_FN(f_sinh, T_SINH)
TRIG_FN(f_cosh, T_COSH)
TRIG_FN(f_tanh, T_TANH)
TRIG_FN(f_asinh, T_ASINH)
TRIG_FN(f_acosh, T_ACOSH)
TRIG_FN(f_atanh, T_ATANH)
TRIG_FN(f_degrees, T_DEGREES)
TRIG_FN(f_radians, T_RADIANS)

/* The degree forms (sind ... atan2d): exact at the angles whose values
 * are exact (sind(30) = 0.5, tand(45) = 1), as PostgreSQL: the argument is
 * reduced to the first quadrant, and there sin and cos of the radians are
 * scaled so that they meet the exact values at 30 and 60 degrees. */
#define RADIANS_PER_DEGREE 0.0174532925199432957692

typedef struct DegConst { double sin_30, one_minus_cos_60, asin_0_5, acos_0_5, atan_1_0, tan_45, cot_45; } DegConst;

static double sind_0_to_30(const DegConst *k, double x) { return (sin(x * RADIANS_PER_DEGREE) / k->sin_30) / 2.0; }
static double cosd_0_to_60(const DegConst *k, double x)
{
    return 1.0 - ((1.0 - cos(x * RADIANS_PER_DEGREE)) / k->one_minus_cos_60) / 2.0;
}
static double sind_q1(const DegConst *k, double x) { return x <= 30.0 ? sind_0_to_30(k, x) : cosd_0_to_60(k, 90.0 - x); }
static double cosd_q1(const DegConst *k, double x) { return x <= 60.0 ? cosd_0_to_60(k, x) : sind_0_to_30(k, 90.0 - x); }

/* Computed at run time (a few calls per use, no shared state): volatile
 * keeps the compiler from folding them with another precision than the
 * functions' own. */
static void deg_const(DegConst *c)
{
    volatile double thirty = 30.0, sixty = 60.0, half = 0.5, one = 1.0, fortyfive = 45.0;
    c->sin_30 = sin(thirty * RADIANS_PER_DEGREE);
    c->one_minus_cos_60 = 1.0 - cos(sixty * RADIANS_PER_DEGREE);
    c->asin_0_5 = asin(half);
    c->acos_0_5 = acos(half);
    c->atan_1_0 = atan(one);
    c->tan_45 = sind_q1(c, fortyfive) / cosd_q1(c, fortyfive);
    c->cot_45 = cosd_q1(c, fortyfive) / sind_q1(c, fortyfive);
}

static double asind_q1(const DegConst *k, double x)
{
    if (x <= 0.5) return (asin(x) / k->asin_0_5) * 30.0;
    return 90.0 - (acos(x) / k->acos_0_5) * 60.0;
}
static double acosd_q1(const DegConst *k, double x)
{
    if (x <= 0.5) return 90.0 - (asin(x) / k->asin_0_5) * 30.0;
    return (acos(x) / k->acos_0_5) * 60.0;
}

typedef enum TrigD { TD_SIN, TD_COS, TD_TAN, TD_COT, TD_ASIN, TD_ACOS, TD_ATAN } TrigD;

static int trigd(EvalEnv *env, const Value *a, Value *out, TrigD t)
{
    if (a[0].isnull) { *out = val_null(TYPE_FLOAT8); return DD_OK; }
    DegConst kc;
    deg_const(&kc);
    const DegConst *k = &kc;
    double x = a[0].v.f, r, sign = 1.0;
    if (isnan(x)) { *out = val_float(TYPE_FLOAT8, x); return DD_OK; }
    if (t == TD_ASIN || t == TD_ACOS) {
        if (x < -1.0 || x > 1.0) return range_err(env, "input is out of range");
        if (t == TD_ASIN) r = x >= 0 ? asind_q1(k, x) : -asind_q1(k, -x);
        else r = x >= 0 ? acosd_q1(k, x) : 90.0 + asind_q1(k, -x);
        *out = val_float(TYPE_FLOAT8, r);
        return DD_OK;
    }
    if (t == TD_ATAN) {
        *out = val_float(TYPE_FLOAT8, (atan(x) / k->atan_1_0) * 45.0);
        return DD_OK;
    }
    if (isinf(x)) return range_err(env, "input is out of range");
    /* into [0, 360), then the first quadrant with the sign to apply */
    x = fmod(x, 360.0);
    if (t == TD_COS) {
        if (x < 0.0) x = -x;
        if (x > 180.0) x = 360.0 - x;
        if (x > 90.0) { x = 180.0 - x; sign = -sign; }
        r = sign * cosd_q1(k, x);
    } else {
        if (x < 0.0) { x = -x; sign = -sign; }
        if (x > 180.0) { x = 360.0 - x; sign = -sign; }
        if (t == TD_SIN) {
            if (x > 90.0) x = 180.0 - x;
            r = sign * sind_q1(k, x);
        } else {
            if (x > 90.0) { x = 180.0 - x; sign = -sign; }
            if (t == TD_TAN) r = sign * ((sind_q1(k, x) / cosd_q1(k, x)) / k->tan_45);
            else r = sign * ((cosd_q1(k, x) / sind_q1(k, x)) / k->cot_45);
            if (r == 0.0) r = 0.0;   /* no -0 */
        }
    }
    *out = val_float(TYPE_FLOAT8, r);
    return DD_OK;
}

#define TRIGD_FN(fname, kind) \
    static int fname(EvalEnv *env, const Value *a, int n, Value *out, int loc) \
    { DD_UNUSED(n); DD_UNUSED(loc); return trigd(env, a, out, kind); }
TRIGD_FN(f_sind, TD_SIN)
TRIGD_FN(f_cosd, TD_COS)
TRIGD_FN(f_tand, TD_TAN)
TRIGD_FN(f_cotd, TD_COT)
TRIGD_FN(f_asind, TD_ASIN)
TRIGD_FN(f_acosd, TD_ACOS)
TRIGD_FN(f_atand, TD_ATAN)

static int f_atan2d(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null_args(a, n)) { *out = val_null(TYPE_FLOAT8); return DD_OK; }
    DD_UNUSED(env);
    DegConst k;
    deg_const(&k);
    *out = val_float(TYPE_FLOAT8, (atan2(a[0].v.f, a[1].v.f) / k.atan_1_0) * 45.0);
    return DD_OK;
}

static int f_atan2(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(env); DD_UNUSED(loc);
    if (any_null_args(a, n)) { *out = val_null(TYPE_FLOAT8); return DD_OK; }
    *out = val_float(TYPE_FLOAT8, atan2(a[0].v.f, a[1].v.f));
    return DD_OK;
}
static int f_pi(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(env); DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    *out = val_float(TYPE_FLOAT8, M_PI);
    return DD_OK;
}

/* ---------------------------------------------------------------- scale, min_scale, trim_scale */

static bool r_num_int4(TypeId *a, int n, TypeId *r)
{
    if (!r_numeric(a, n, r)) return false;
    *r = TYPE_INT4;
    return true;
}
static int f_scale(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(env); DD_UNUSED(n); DD_UNUSED(loc);
    /* NaN and the infinities have no scale: NULL, as PostgreSQL */
    if (!a[0].isnull && numeric_is_big(a[0].scale)) {
        *out = val_int(TYPE_INT4, (u8)a[0].v.s.p[0] | ((u8)a[0].v.s.p[1] << 8));   /* numbig.c: the payload's u16 scale */
        return DD_OK;
    }
    *out = a[0].isnull || numeric_is_special(a[0].scale) ? val_null(TYPE_INT4) : val_int(TYPE_INT4, a[0].scale);
    return DD_OK;
}
/* min_scale: the fewest decimals that show the value exactly */
static int f_min_scale(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(env); DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull || numeric_is_special(a[0].scale)) { *out = val_null(TYPE_INT4); return DD_OK; }
    if (numeric_is_big(a[0].scale)) {
        int ms, rc = numeric_big_trim(&a[0], env->sql->row, NULL, &ms, env->sql->err);
        if (!rc) *out = val_int(TYPE_INT4, ms);
        return rc;
    }
    i128 c = a[0].v.coef;
    int sc = a[0].scale;
    numeric_normalize(&c, &sc);
    *out = val_int(TYPE_INT4, sc < 0 ? 0 : sc);
    return DD_OK;
}
static int f_trim_scale(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null(TYPE_NUMERIC); return DD_OK; }
    if (numeric_is_special(a[0].scale)) { *out = a[0]; return DD_OK; }
    if (numeric_is_big(a[0].scale)) {
        int ms;
        return numeric_big_trim(&a[0], env->sql->row, out, &ms, env->sql->err);
    }
    i128 c = a[0].v.coef;
    int sc = a[0].scale;
    numeric_normalize(&c, &sc);
    if (sc < 0) {
        int rc = numeric_rescale(c, sc, 0, &c, env->sql->err);
        if (rc) return rc;
        sc = 0;
    }
    *out = val_numeric(c, sc);
    return DD_OK;
}

/* ---------------------------------------------------------------- table */

static const FuncDef funcs[] = {
    {"ln", 1, 1, r_num_or_float, f_ln, false},
    {"log", 1, 1, r_num_or_float, f_log, false},
    {"log", 2, 2, r_numeric, f_log, false},
    {"log10", 1, 1, r_num_or_float, f_log, false},
    {"exp", 1, 1, r_num_or_float, f_exp, false},
    {"cbrt", 1, 1, r_float8, f_cbrt, false},
    {"sign", 1, 1, r_num_or_float, f_sign, false},
    {"div", 2, 2, r_numeric, f_div, false},
    {"gcd", 2, 2, r_gcd, f_gcd, false},
    {"lcm", 2, 2, r_gcd, f_lcm, false},
    {"factorial", 1, 1, r_factorial, f_factorial, false},
    {"width_bucket", 4, 4, r_width_bucket4, f_width_bucket, false},
    {"width_bucket", 2, 2, r_width_bucket2, f_width_bucket, false},
    {"sin", 1, 1, r_float8, f_sin, false},
    {"cos", 1, 1, r_float8, f_cos, false},
    {"tan", 1, 1, r_float8, f_tan, false},
    {"cot", 1, 1, r_float8, f_cot, false},
    {"asin", 1, 1, r_float8, f_asin, false},
    {"acos", 1, 1, r_float8, f_acos, false},
    {"atan", 1, 1, r_float8, f_atan, false},
    {"atan2", 2, 2, r_float8, f_atan2, false},
    {"sinh", 1, 1, r_float8, f_sinh, false},
    {"cosh", 1, 1, r_float8, f_cosh, false},
    {"tanh", 1, 1, r_float8, f_tanh, false},
    {"asinh", 1, 1, r_float8, f_asinh, false},
    {"acosh", 1, 1, r_float8, f_acosh, false},
    {"atanh", 1, 1, r_float8, f_atanh, false},
    {"degrees", 1, 1, r_float8, f_degrees, false},
    {"radians", 1, 1, r_float8, f_radians, false},
    {"pi", 0, 0, r_none_float8, f_pi, false},
    {"sind", 1, 1, r_float8, f_sind, false},
    {"cosd", 1, 1, r_float8, f_cosd, false},
    {"tand", 1, 1, r_float8, f_tand, false},
    {"cotd", 1, 1, r_float8, f_cotd, false},
    {"asind", 1, 1, r_float8, f_asind, false},
    {"acosd", 1, 1, r_float8, f_acosd, false},
    {"atand", 1, 1, r_float8, f_atand, false},
    {"atan2d", 2, 2, r_float8, f_atan2d, false},
    {"scale", 1, 1, r_num_int4, f_scale, false},
    {"min_scale", 1, 1, r_num_int4, f_min_scale, false},
    {"trim_scale", 1, 1, r_numeric, f_trim_scale, false},
};

/* ---------------------------------------------------------------- bitwise operators */

/* & | # on two integers: their common type; << >> an integer by int4 */
static bool r_bitop(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (unknownish(a[0]) && unknownish(a[1])) return false;
    for (int i = 0; i < 2; i++) {
        if (unknownish(a[i])) a[i] = a[1 - i];
        if (!type_is_int(a[i])) return false;
    }
    TypeId t = a[0] == TYPE_INT8 || a[1] == TYPE_INT8 ? TYPE_INT8 : a[0] == TYPE_INT4 || a[1] == TYPE_INT4 ? TYPE_INT4 : TYPE_INT2;
    a[0] = a[1] = *r = t;
    return true;
}
static bool r_shift(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (unknownish(a[0])) a[0] = TYPE_INT4;
    if (unknownish(a[1])) a[1] = TYPE_INT4;
    if (!type_is_int(a[0]) || !type_is_int(a[1]) || a[1] == TYPE_INT8) return false;
    a[1] = TYPE_INT4;
    *r = a[0];
    return true;
}

/* The result in the width of type t (a shift wraps as in C on that width). */
static Value int_of_width(TypeId t, u64 v)
{
    if (t == TYPE_INT2) return val_int(t, (i16)(u16)v);
    if (t == TYPE_INT4) return val_int(t, (i32)(u32)v);
    return val_int(t, (i64)v);
}

static int bitop(const Value *a, int n, Value *out, char op)
{
    if (any_null_args(a, n)) { *out = val_null((TypeId)a[0].type); return DD_OK; }
    TypeId t = (TypeId)a[0].type;
    u64 x = (u64)a[0].v.i, y = (u64)a[1].v.i;
    int bits = t == TYPE_INT2 ? 16 : t == TYPE_INT4 ? 32 : 64;
    switch (op) {
    case '&': *out = int_of_width(t, x & y); break;
    case '|': *out = int_of_width(t, x | y); break;
    case '#': *out = int_of_width(t, x ^ y); break;
    default: {
        /* PostgreSQL shifts by the count modulo the width (C on x86) */
        int s = (int)(a[1].v.i & (bits - 1));
        if (op == '<') *out = int_of_width(t, x << s);
        else *out = val_int(t, a[0].v.i >> s);   /* arithmetic */
        break;
    }
    }
    return DD_OK;
}
static int f_bitand(EvalEnv *e, const Value *a, int n, Value *o, int l) { DD_UNUSED(e); DD_UNUSED(l); return bitop(a, n, o, '&'); }
static int f_bitor(EvalEnv *e, const Value *a, int n, Value *o, int l) { DD_UNUSED(e); DD_UNUSED(l); return bitop(a, n, o, '|'); }
static int f_bitxor(EvalEnv *e, const Value *a, int n, Value *o, int l) { DD_UNUSED(e); DD_UNUSED(l); return bitop(a, n, o, '#'); }
static int f_shl(EvalEnv *e, const Value *a, int n, Value *o, int l) { DD_UNUSED(e); DD_UNUSED(l); return bitop(a, n, o, '<'); }
static int f_shr(EvalEnv *e, const Value *a, int n, Value *o, int l) { DD_UNUSED(e); DD_UNUSED(l); return bitop(a, n, o, '>'); }

/* ~ x: bitwise NOT of an integer, in its width */
static bool r_bitnot(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (!type_is_int(a[0])) return false;
    *r = a[0];
    return true;
}
static int f_bitnot(EvalEnv *e, const Value *a, int n, Value *o, int l)
{
    DD_UNUSED(e); DD_UNUSED(n); DD_UNUSED(l);
    *o = a[0].isnull ? val_null((TypeId)a[0].type) : int_of_width((TypeId)a[0].type, ~a[0].v.i);
    return DD_OK;
}

static const FuncDef ops[] = {
    {"~", 1, 1, r_bitnot, f_bitnot, false},
    {"&", 2, 2, r_bitop, f_bitand, false},
    {"|", 2, 2, r_bitop, f_bitor, false},
    {"#", 2, 2, r_bitop, f_bitxor, false},
    {"<<", 2, 2, r_shift, f_shl, false},
    {">>", 2, 2, r_shift, f_shr, false},
};

const FuncDef *math_op_lookup(const char *op, int k)
{
    for (size_t i = 0; i < DD_ARRAY_LEN(ops); i++)
        if (strcmp(ops[i].name, op) == 0 && k-- == 0) return &ops[i];
    return NULL;
}

const FuncDef *math_func_lookup(const char *name, int k)
{
    for (size_t i = 0; i < DD_ARRAY_LEN(funcs); i++)
        if (strcmp(funcs[i].name, name) == 0 && k-- == 0) return &funcs[i];
    return NULL;
}
