/*
 * numexact.c - NUMERIC's transcendental functions computed exactly: ln,
 * log(b, x), exp and power with a non-integer exponent, each rounded
 * (half away from zero, as PostgreSQL) at the result scale its caller
 * chooses by PostgreSQL's rules.
 *
 * Why not long double: its 64-bit mantissa gives about 19 significant
 * digits, and a NUMERIC result has up to 38 (exp(50) has 22 digits before
 * the point; PostgreSQL prints every one of them right).  So the work is
 * done in fixed point on unsigned integers of base 10^9 limbs (Bn below,
 * at most BN_LIMBS limbs, 432 digits, on the stack: nothing here
 * allocates), with as many decimal places as the result needs (fx_limbs:
 * its scale, its digits before the point, the digits by which later steps
 * multiply an error, and 25 guard digits; at most 108 places).  The
 * truncation errors of the series (one unit in the last place per step,
 * a few hundred steps) and of the squarings in exp (a factor 2^k on the
 * relative error, k <= 17) stay far below the guard digits.  A result is
 * therefore the exact value rounded, except when the exact value lies
 * within about 10^-20 of a unit in its last place of a rounding boundary
 * without being on it, which for these functions of decimal inputs does
 * not happen at the scales they return.  Cost per call (a sum over
 * generate_series(1, 100000), in-process): ln about 13 us, exp 9 us,
 * power 21 us, log 50 us; PostgreSQL's own take 5, 5, 22 and 30 us.
 *
 * Algorithms (textbook; no code copied):
 *   ln(x):  x = m * 10^e * 2^j with m in [0.75, 1.5); ln(m) = 2 atanh(z),
 *           z = (m - 1) / (m + 1), |z| < 0.2, by its power series; then
 *           + j ln 2 + e ln 10 (the constants below, to 130 digits).
 *   exp(x): |x| halved k times below 0.001, the Taylor series, squared k
 *           times; a negative x takes the reciprocal.
 *   x ^ y:  exp(y ln x), x > 0 (numeric.c handles the rest); x ^ n for an
 *           integer n: |x|^|n| exact while it fits 432 digits.
 */
#include "value.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define BN_BASE 1000000000u
#define BN_LIMBS 48
#define FX_MAX_FRAC_LIMBS 12   /* 108 places: the most any computation here asks for */

/* An unsigned integer: d[0] least significant, n limbs in use (no zero
 * limb on top; n = 0 is zero). */
typedef struct Bn {
    int n;
    u32 d[BN_LIMBS];
} Bn;

static const u32 pow10_9[10] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000};

static void bn_norm(Bn *a)
{
    while (a->n > 0 && a->d[a->n - 1] == 0) a->n--;
}

static void bn_zero(Bn *a) { a->n = 0; }

static void bn_set_u128(Bn *a, u128 v)
{
    a->n = 0;
    while (v) {
        a->d[a->n++] = (u32)(v % BN_BASE);
        v /= BN_BASE;
    }
}

static int bn_cmp(const Bn *a, const Bn *b)
{
    if (a->n != b->n) return a->n < b->n ? -1 : 1;
    for (int i = a->n - 1; i >= 0; i--)
        if (a->d[i] != b->d[i]) return a->d[i] < b->d[i] ? -1 : 1;
    return 0;
}

/* r = a + b (r may be a or b); false when it does not fit. */
static bool bn_add(Bn *r, const Bn *a, const Bn *b)
{
    int n = DD_MAX(a->n, b->n);
    u32 carry = 0;
    for (int i = 0; i < n; i++) {
        u32 s = (i < a->n ? a->d[i] : 0) + (i < b->n ? b->d[i] : 0) + carry;
        carry = s >= BN_BASE;
        r->d[i] = carry ? s - BN_BASE : s;
    }
    r->n = n;
    if (carry) {
        if (n >= BN_LIMBS) return false;
        r->d[r->n++] = 1;
    }
    return true;
}

/* r = a - b, a >= b (r may be a). */
static void bn_sub(Bn *r, const Bn *a, const Bn *b)
{
    i64 borrow = 0;
    for (int i = 0; i < a->n; i++) {
        i64 s = (i64)a->d[i] - (i < b->n ? b->d[i] : 0) - borrow;
        borrow = s < 0;
        r->d[i] = (u32)(borrow ? s + BN_BASE : s);
    }
    r->n = a->n;
    bn_norm(r);
}

/* r = a * b (r must not alias); false when it does not fit. */
static bool bn_mul(Bn *r, const Bn *a, const Bn *b)
{
    if (a->n == 0 || b->n == 0) {
        bn_zero(r);
        return true;
    }
    if (a->n + b->n > BN_LIMBS) return false;
    u64 acc[2 * BN_LIMBS];
    memset(acc, 0, sizeof acc);
    for (int i = 0; i < a->n; i++) {
        u64 carry = 0;
        for (int j = 0; j < b->n; j++) {
            u64 t = acc[i + j] + (u64)a->d[i] * b->d[j] + carry;
            acc[i + j] = t % BN_BASE;
            carry = t / BN_BASE;
        }
        acc[i + b->n] += carry;
    }
    r->n = a->n + b->n;
    for (int i = 0; i < r->n; i++) r->d[i] = (u32)acc[i];
    bn_norm(r);
    return true;
}

static bool bn_mul_small(Bn *a, u32 m)
{
    u64 carry = 0;
    for (int i = 0; i < a->n; i++) {
        u64 t = (u64)a->d[i] * m + carry;
        a->d[i] = (u32)(t % BN_BASE);
        carry = t / BN_BASE;
    }
    if (carry) {
        if (a->n >= BN_LIMBS) return false;
        a->d[a->n++] = (u32)carry;
    }
    bn_norm(a);
    return true;
}

/* a /= m (0 < m < 2^32); returns the remainder. */
static u32 bn_div_small(Bn *a, u32 m)
{
    u64 rem = 0;
    for (int i = a->n - 1; i >= 0; i--) {
        u64 cur = rem * BN_BASE + a->d[i];
        a->d[i] = (u32)(cur / m);
        rem = cur % m;
    }
    bn_norm(a);
    return (u32)rem;
}

/* a *= 10^(9k) */
static bool bn_shl_limbs(Bn *a, int k)
{
    if (a->n == 0 || k == 0) return true;
    if (a->n + k > BN_LIMBS) return false;
    memmove(a->d + k, a->d, sizeof(u32) * (size_t)a->n);
    memset(a->d, 0, sizeof(u32) * (size_t)k);
    a->n += k;
    return true;
}

/* a /= 10^(9k), truncating */
static void bn_shr_limbs(Bn *a, int k)
{
    if (k >= a->n) {
        bn_zero(a);
        return;
    }
    memmove(a->d, a->d + k, sizeof(u32) * (size_t)(a->n - k));
    a->n -= k;
}

/* a *= 10^k */
static bool bn_mul_pow10(Bn *a, int k)
{
    return bn_shl_limbs(a, k / 9) && bn_mul_small(a, pow10_9[k % 9]);
}

static int bn_digits(const Bn *a)
{
    if (a->n == 0) return 0;
    int d = 9 * (a->n - 1);
    for (u32 top = a->d[a->n - 1]; top; top /= 10) d++;
    return d;
}

/* q = a / b truncated, b != 0: decimal long division (one quotient digit
 * at a time by repeated subtraction; at most 9 per digit). */
static bool bn_div(Bn *q, const Bn *a, const Bn *b)
{
    Bn r = *a, bk;
    bn_zero(q);
    int D = bn_digits(a) - bn_digits(b);
    if (D < 0) return true;
    q->n = D / 9 + 1;
    memset(q->d, 0, sizeof(u32) * (size_t)q->n);
    for (int k = D; k >= 0; k--) {
        bk = *b;
        if (!bn_mul_pow10(&bk, k)) return false;
        u32 cnt = 0;
        while (bn_cmp(&r, &bk) >= 0) {
            bn_sub(&r, &r, &bk);
            cnt++;
        }
        q->d[k / 9] += cnt * pow10_9[k % 9];
    }
    bn_norm(q);
    return true;
}

/* ---- signed fixed point: value = (neg ? -1 : 1) * m / 10^(9 fl) ----
 * fl, the fractional limbs, is chosen per call from the precision its
 * result needs (fx_limbs); both operands of an operation have the same. */

typedef struct Fx {
    bool neg;
    int fl;
    Bn m;
} Fx;

static bool fx_is_zero(const Fx *a) { return a->m.n == 0; }

/* An exact (coef, scale) pair (digits past the fl limbs are cut). */
static bool fx_from_pair(Fx *r, i128 coef, int scale, int fl)
{
    r->neg = coef < 0;
    r->fl = fl;
    bn_set_u128(&r->m, coef < 0 ? -(u128)coef : (u128)coef);
    if (scale <= 9 * fl) return bn_mul_pow10(&r->m, 9 * fl - scale);
    for (int i = scale - 9 * fl; i > 0; i--) bn_div_small(&r->m, 10);
    return true;
}

/* A constant written "d.ddd..." (more digits than 9 fl are cut). */
static void fx_from_text(Fx *r, const char *s, int fl)
{
    r->neg = false;
    r->fl = fl;
    bn_zero(&r->m);
    int frac = -1;
    for (; *s && frac < 9 * fl; s++) {
        if (*s == '.') {
            frac = 0;
            continue;
        }
        bn_mul_small(&r->m, 10);
        Bn d;
        bn_set_u128(&d, (u128)(*s - '0'));
        bn_add(&r->m, &r->m, &d);
        if (frac >= 0) frac++;
    }
    bn_mul_pow10(&r->m, 9 * fl - (frac < 0 ? 0 : frac));
}

static void fx_one(Fx *r, int fl)
{
    r->neg = false;
    r->fl = fl;
    bn_set_u128(&r->m, 1);
    bn_shl_limbs(&r->m, fl);
}

/* r = a + b, or a - b when sub (r may alias either). */
static bool fx_add(Fx *r, const Fx *a, const Fx *b, bool sub)
{
    bool bneg = b->neg != sub;
    r->fl = a->fl;
    if (a->neg == bneg) {
        r->neg = a->neg;
        return bn_add(&r->m, &a->m, &b->m);
    }
    if (bn_cmp(&a->m, &b->m) >= 0) {
        r->neg = a->neg;
        bn_sub(&r->m, &a->m, &b->m);
    } else {
        r->neg = bneg;
        bn_sub(&r->m, &b->m, &a->m);
    }
    if (r->m.n == 0) r->neg = false;
    return true;
}

static bool fx_mul(Fx *r, const Fx *a, const Fx *b)
{
    Bn p;
    if (!bn_mul(&p, &a->m, &b->m)) return false;
    bn_shr_limbs(&p, a->fl);
    r->fl = a->fl;
    r->m = p;
    r->neg = a->neg != b->neg && p.n > 0;
    return true;
}

/* r = a / b, b != 0 */
static bool fx_div(Fx *r, const Fx *a, const Fx *b)
{
    Bn n = a->m, q;
    if (!bn_shl_limbs(&n, a->fl) || !bn_div(&q, &n, &b->m)) return false;
    r->fl = a->fl;
    r->m = q;
    r->neg = a->neg != b->neg && q.n > 0;
    return true;
}

static double fx_to_double(const Fx *a)
{
    double d = 0;
    for (int i = a->m.n - 1; i >= 0; i--) d = d * 1e9 + a->m.d[i];
    d /= pow(10.0, 9 * a->fl);
    return a->neg ? -d : d;
}

/* a compared with the integer-and-fraction constant c (as text) */
static int fx_cmp_abs_text(const Fx *a, const char *c)
{
    Fx t;
    fx_from_text(&t, c, a->fl);
    return bn_cmp(&a->m, &t.m);
}

static int overflow_err(DdError *err)
{
    return dd_err(err, DD_EOUT_OF_RANGE, -1, "value overflows numeric format");
}

/*
 * a rounded half away from zero at scale r as a NUMERIC pair; 22003 when
 * that needs more than 38 digits or decimals (numbig.c's range is not
 * built here: the caller's error says so).
 */
static int bn_to_pair(const Bn *m, int ms, int r, bool neg, i128 *out, int *os, DdError *err);

static int fx_to_pair(const Fx *a, int r, i128 *out, int *os, DdError *err)
{
    /* PostgreSQL's result has r decimals: past the pair form that is 22003
     * (never fewer decimals than PostgreSQL shows) */
    return bn_to_pair(&a->m, 9 * a->fl, r < 0 ? 0 : r, a->neg, out, os, err);
}

static const char LN2[] =
    "0.6931471805599453094172321214581765680755001343602552541206800094933936219696947156058633269964186875420014810205706857336855202358";
static const char LN10[] =
    "2.302585092994045684017991454684364207601101488628772976033327900967572609677352480235997205089598298341967784042286248633409525465";

/* ln of the positive finite pair (coef, scale). */
static bool fx_ln(Fx *out, i128 coef, int scale, int fl)
{
    int nd = 0;
    for (u128 m = (u128)coef; m; m /= 10) nd++;
    int e = nd - 1 - scale;   /* coef * 10^-scale = m * 10^e, m in [1, 10) */
    Fx m, one, num, den, z, z2, term, t, sum;
    if (!fx_from_pair(&m, coef, nd - 1, fl)) return false;
    int j = 0;
    Fx lim;
    fx_from_text(&lim, "1.5", fl);
    while (bn_cmp(&m.m, &lim.m) >= 0) {
        bn_div_small(&m.m, 2);
        j++;
    }
    fx_one(&one, fl);
    if (!fx_add(&num, &m, &one, true) || !fx_add(&den, &m, &one, false) || !fx_div(&z, &num, &den) ||
        !fx_mul(&z2, &z, &z))
        return false;
    term = z;
    sum = z;
    for (u32 k = 1; k < 100000; k++) {
        if (!fx_mul(&term, &term, &z2)) return false;
        t = term;
        bn_div_small(&t.m, 2 * k + 1);
        if (fx_is_zero(&t)) break;
        if (!fx_add(&sum, &sum, &t, false)) return false;
    }
    if (!bn_mul_small(&sum.m, 2)) return false;
    Fx c;
    if (j) {
        fx_from_text(&c, LN2, fl);
        if (!bn_mul_small(&c.m, (u32)j) || !fx_add(&sum, &sum, &c, false)) return false;
    }
    if (e) {
        fx_from_text(&c, LN10, fl);
        if (!bn_mul_small(&c.m, (u32)(e < 0 ? -e : e)) || !fx_add(&sum, &sum, &c, e < 0)) return false;
    }
    *out = sum;
    return true;
}

/* exp(x) for |x| below 100 (the callers check). */
static bool fx_exp(Fx *out, const Fx *x)
{
    Fx y = *x, sum, term;
    y.neg = false;
    int k = 0;
    while (fx_cmp_abs_text(&y, "0.001") >= 0) {
        bn_div_small(&y.m, 2);
        k++;
    }
    fx_one(&sum, x->fl);
    fx_one(&term, x->fl);
    for (u32 n = 1; n < 100000; n++) {
        if (!fx_mul(&term, &term, &y)) return false;
        bn_div_small(&term.m, n);
        if (fx_is_zero(&term)) break;
        if (!fx_add(&sum, &sum, &term, false)) return false;
    }
    for (int i = 0; i < k; i++)
        if (!fx_mul(&sum, &sum, &sum)) return false;
    if (x->neg) {
        Fx one;
        fx_one(&one, x->fl);
        if (!fx_div(&sum, &one, &sum)) return false;
    }
    *out = sum;
    return true;
}

static int internal_err(DdError *err)
{
    return dd_err(err, DD_EINTERNAL, -1, "numeric computation exceeded its working precision");
}

/*
 * The fractional limbs a result rounded at scale r needs: r places, the
 * digits the result or an intermediate has before the point (`above`),
 * `amplify` digits that later steps multiply errors by, and 25 guard
 * digits against the truncations of a few hundred series steps.
 */
static int fx_limbs(int r, int above, int amplify)
{
    int places = DD_MAX(r, 0) + DD_MAX(above, 0) + DD_MAX(amplify, 0) + 25;
    return DD_MIN(DD_MAX((places + 8) / 9, 3), FX_MAX_FRAC_LIMBS);
}

static int pair_digits(i128 c)
{
    int n = 0;
    for (u128 m = c < 0 ? -(u128)c : (u128)c; m; m /= 10) n++;
    return n;
}

int numeric_ln_at(i128 a, int as, int r, i128 *out, int *os, DdError *err)
{
    Fx l;
    /* |ln a| < 90: two digits before the point */
    if (!fx_ln(&l, a, as, fx_limbs(r, 2, 0))) return internal_err(err);
    return fx_to_pair(&l, r, out, os, err);
}

int numeric_log_at(i128 b, int bs, i128 x, int xs, int r, i128 *out, int *os, DdError *err)
{
    Fx lb, lx, q;
    /* The quotient multiplies ln b's error by 1 / |ln b|, about
     * 1 / |b - 1| near 1 (b = 1 + 10^-38: 38 digits); |ln x| < 90. */
    int amp = 1;
    i128 d;
    int ds;
    if (numeric_add(b, bs, 1, 0, true, &d, &ds, NULL) == DD_OK && d != 0) {
        int e = pair_digits(d) - 1 - ds;   /* b - 1 = d.ddd x 10^e */
        if (e < 0) amp = -e + 1;
    }
    int fl = fx_limbs(r, 2 + amp, amp);
    if (!fx_ln(&lb, b, bs, fl) || !fx_ln(&lx, x, xs, fl)) return internal_err(err);
    if (fx_is_zero(&lb)) return dd_err(err, DD_EDIV_ZERO, -1, "division by zero");
    if (!fx_div(&q, &lx, &lb)) return internal_err(err);
    return fx_to_pair(&q, r, out, os, err);
}

/* exp of a fixed-point exponent at scale r: past 10^38 is 22003 (the
 * NUMERIC limit), below 10^-39 rounds to zero at every scale we keep. */
static int exp_fx_at(const Fx *x, int r, i128 *out, int *os, DdError *err)
{
    if (fx_cmp_abs_text(x, "90") > 0) {
        /* beyond the pair form either way (PostgreSQL shows exp(-100)'s
         * digits at scale 59, and more below) */
        if (!x->neg || r > NUMERIC_MAX_SCALE) return overflow_err(err);
        *out = 0;
        *os = DD_MAX(0, r);
        return DD_OK;
    }
    Fx e;
    if (!fx_exp(&e, x)) return internal_err(err);
    return fx_to_pair(&e, r, out, os, err);
}

int numeric_exp_at(i128 a, int as, int r, i128 *out, int *os, DdError *err)
{
    Fx x;
    /* the result has up to 39 digits before the point, and the squarings
     * of the reduced argument multiply its error by up to 2^17 (6 digits) */
    int above = (int)(fabs((double)a) / pow(10.0, as) * 0.4343) + 1;
    if (!fx_from_pair(&x, a, as, fx_limbs(r, DD_MIN(above, 40), 6))) return internal_err(err);
    return exp_fx_at(&x, r, out, os, err);
}

/*
 * a ^ b for a > 0 and b not an integer: exp(b ln a).  The result scale is
 * PostgreSQL's (power_var): 16 significant digits from the decimal
 * weight of the result, b ln a times log10(e) truncated toward zero, but
 * at least the scales of a and b (and at most NUMERIC_MAX_SCALE here).
 */
int numeric_pow_exact(i128 a, int as, i128 b, int bs, i128 *out, int *os, DdError *err)
{
    Fx la, fb, t;
    /* the precision: b's integer digits multiply ln a's error, the result
     * has up to 39 digits before the point and up to 38 after, and exp's
     * squarings amplify by up to 6 digits */
    int bint = pair_digits(b) - bs;
    double w = numeric_to_double(b, bs) * log(numeric_to_double(a, as)) * 0.434294481903252;
    w = DD_MAX(DD_MIN(w, 100.0), -100.0);   /* beyond these the result is 0 or 22003 anyway */
    int r_est = DD_MAX(DD_MAX(16 - (int)w, as), bs) + 1;
    int fl = fx_limbs(r_est, (int)w + 2, DD_MAX(bint, 0) + 6);
    if (!fx_ln(&la, a, as, fl) || !fx_from_pair(&fb, b, bs, fl) || !fx_mul(&t, &la, &fb)) return internal_err(err);
    double val = fx_to_double(&t);
    if (fabs(val) > 6020.0) {   /* PostgreSQL's NUMERIC_MAX_RESULT_SCALE * 3.01 */
        return overflow_err(err);   /* a result scale past 2000 either way */
    }
    int r = 16 - (int)(val * 0.434294481903252);
    r = DD_MAX(r, as);
    r = DD_MAX(r, bs);
    r = DD_MAX(r, 0);
    return exp_fx_at(&t, r, out, os, err);
}

/* ---- exact sums for variance and stddev past 38 digits ---- */

/* Σx at scale sscale (sign and magnitude) and Σx² at scale 2 * sscale,
 * exact: 432 digits hold the squares of any NUMERIC summed over more rows
 * than a table can have. */
struct NumWide {
    bool special;   /* a NaN or an infinity was added: the result is NaN */
    bool sneg;
    int sscale;
    Bn s, q;
};

size_t numeric_wide_size(void) { return sizeof(NumWide); }

/* Brings a magnitude at scale `have` to scale `want` >= have. */
static bool rescale_up(Bn *m, int have, int want) { return bn_mul_pow10(m, want - have); }

static int wide_overflow(DdError *err)
{
    return dd_err(err, DD_EOUT_OF_RANGE, -1, "value overflows numeric format");
}

/* Adds (xneg, x) at scale s (<= ms) to the signed sum (neg, m) at scale ms. */
static bool signed_add_bn(bool *neg, Bn *m, int ms, bool xneg, Bn x, int s)
{
    if (!rescale_up(&x, s, ms)) return false;
    if (*neg == xneg || m->n == 0) {
        if (m->n == 0) *neg = xneg;
        return bn_add(m, m, &x);
    }
    if (bn_cmp(m, &x) >= 0) {
        bn_sub(m, m, &x);
    } else {
        bn_sub(m, &x, m);
        *neg = xneg;
    }
    if (m->n == 0) *neg = false;
    return true;
}

/* Adds the pair (c, s) to the signed sum (neg, m) at scale ms. */
static bool signed_add(bool *neg, Bn *m, int ms, i128 c, int s)
{
    Bn x;
    bn_set_u128(&x, c < 0 ? -(u128)c : (u128)c);
    return signed_add_bn(neg, m, ms, c < 0, x, s);
}

int numeric_wide_init(NumWide *w, i128 sum, int sum_scale, i128 sumsq, int sumsq_scale, DdError *err)
{
    memset(w, 0, sizeof *w);
    if (numeric_is_special(sum_scale) || numeric_is_special(sumsq_scale)) {
        w->special = true;
        return DD_OK;
    }
    w->sscale = DD_MAX(sum_scale, (sumsq_scale + 1) / 2);
    if (!signed_add(&w->sneg, &w->s, w->sscale, sum, sum_scale)) return wide_overflow(err);
    bool qneg = false;
    if (!signed_add(&qneg, &w->q, 2 * w->sscale, sumsq, sumsq_scale)) return wide_overflow(err);
    return DD_OK;
}

int numeric_wide_add(NumWide *w, i128 c, int s, DdError *err)
{
    if (w->special) return DD_OK;
    if (numeric_is_special(s)) {
        w->special = true;
        return DD_OK;
    }
    if (s > w->sscale) {
        if (!rescale_up(&w->s, w->sscale, s) || !rescale_up(&w->q, 2 * w->sscale, 2 * s)) return wide_overflow(err);
        w->sscale = s;
    }
    if (!signed_add(&w->sneg, &w->s, w->sscale, c, s)) return wide_overflow(err);
    Bn x, x2;
    bn_set_u128(&x, c < 0 ? -(u128)c : (u128)c);
    if (!bn_mul(&x2, &x, &x) || !rescale_up(&x2, 2 * s, 2 * w->sscale) || !bn_add(&w->q, &w->q, &x2))
        return wide_overflow(err);
    return DD_OK;
}

int numeric_wide_add_value(NumWide *w, const Value *v, DdError *err)
{
    if (v->type != TYPE_NUMERIC) return numeric_wide_add(w, (i128)v->v.i, 0, err);
    if (!numeric_is_big(v->scale)) return numeric_wide_add(w, v->v.coef, v->scale, err);
    if (w->special) return DD_OK;
    /* a big value: its digits as a Bn while its square fits (about 200 digits) */
    Buf b = BUF_INIT;
    numeric_big_text(v, &b);
    const char *t = buf_cstr(&b);
    if (!t) { buf_free(&b); return dd_err(err, DD_ENOMEM, -1, NULL); }
    bool neg = t[0] == '-';
    Bn x;
    bn_zero(&x);
    int s = 0, nd = 0;
    bool ok = true, dot = false;
    for (const char *p = t + neg; *p && ok; p++) {
        if (*p == '.') { dot = true; continue; }
        if (dot) s++;
        if (nd || *p != '0') nd++;
        ok = nd <= 9 * BN_LIMBS / 2 - 9 && bn_mul_small(&x, 10);
        if (ok && *p != '0') {
            Bn d;
            bn_set_u128(&d, (u128)(*p - '0'));
            ok = bn_add(&x, &x, &d);
        }
    }
    buf_free(&b);
    if (!ok) return wide_overflow(err);
    if (s > w->sscale) {
        if (!rescale_up(&w->s, w->sscale, s) || !rescale_up(&w->q, 2 * w->sscale, 2 * s)) return wide_overflow(err);
        w->sscale = s;
    }
    Bn x2;
    if (!signed_add_bn(&w->sneg, &w->s, w->sscale, neg, x, s) || !bn_mul(&x2, &x, &x) ||
        !rescale_up(&x2, 2 * s, 2 * w->sscale) || !bn_add(&w->q, &w->q, &x2))
        return wide_overflow(err);
    return DD_OK;
}

/* m * 10^-scale as a NUMERIC of any size (numbig.c). */
static int bn_to_value(const Bn *m, int scale, bool neg, Arena *ar, Value *out, DdError *err)
{
    char buf[9 * BN_LIMBS + 4];
    int k = 0;
    if (neg) buf[k++] = '-';
    if (m->n == 0) {
        buf[k++] = '0';
    } else {
        k += snprintf(buf + k, sizeof buf - (size_t)k, "%u", m->d[m->n - 1]);
        for (int i = m->n - 2; i >= 0; i--) k += snprintf(buf + k, sizeof buf - (size_t)k, "%09u", m->d[i]);
    }
    k += snprintf(buf + k, sizeof buf - (size_t)k, "e-%d", scale);
    return numeric_parse(buf, (size_t)k, ar, out, err);
}

int numeric_wide_var_value(const NumWide *w, i64 n, bool samp, bool root, Arena *ar, Value *out, DdError *err)
{
    i128 c;
    int cs, rc = numeric_wide_var(w, n, samp, root, &c, &cs, err);
    if (rc != DD_EOUT_OF_RANGE) {
        if (!rc) *out = val_numeric(c, cs);
        return rc;
    }
    /* past the pair form: the same steps on values (numbig.c) */
    dd_err_clear(err);
    int S = 2 * w->sscale;
    Bn nq, s2, num, nb;
    bn_set_u128(&nb, (u128)n);
    if (!bn_mul(&nq, &w->q, &nb) || !bn_mul(&s2, &w->s, &w->s)) return wide_overflow(err);
    bn_sub(&num, &nq, &s2);   /* positive: numeric_wide_var answered 0 otherwise */
    Value vn, vd, q;
    Bn db;
    bn_set_u128(&db, (u128)n * (u128)(samp ? n - 1 : n));
    if ((rc = bn_to_value(&num, S, false, ar, &vn, err)) || (rc = bn_to_value(&db, 0, false, ar, &vd, err))) return rc;
    /* numeric_big_arith's division: select_div_scale, rounded */
    if ((rc = numeric_big_arith(ARITH_DIV, &vn, &vd, ar, &q, err))) return rc;
    if (!root) {
        *out = q;
        return DD_OK;
    }
    return numeric_big_sqrt_at(&q, numeric_big_div_scale(&vn, &vd, ar), ar, out, err);
}

/* PostgreSQL's NBASE (10000) weight and first digit of m * 10^-scale, m != 0. */
static void bn_nbase_lead(const Bn *m, int scale, int *weight, int *first)
{
    int e = bn_digits(m) - 1 - scale;
    int w = e >= 0 ? e / 4 : -((-e + 3) / 4);
    Bn t = *m;
    int k = 4 * w + scale;   /* t = m / 10^k */
    if (k >= 0) {
        bn_shr_limbs(&t, k / 9);
        for (int i = 0; i < k % 9; i++) bn_div_small(&t, 10);
    } else {
        bn_mul_pow10(&t, -k);
    }
    *weight = w;
    *first = (int)bn_div_small(&t, 10000);
}

/*
 * The variance (or with root its square root) of n values whose sums w
 * holds, as PostgreSQL's numeric_stddev_internal: the numerator
 * n Σx² - (Σx)² at scale 2 * scale(Σx), divided by n (n - 1) (samp) or n²
 * at select_div_scale's scale, rounded; the root at that scale.  n >= 1
 * (2 for samp): the caller returns NULL below.
 */
int numeric_wide_var(const NumWide *w, i64 n, bool samp, bool root, i128 *out, int *os, DdError *err)
{
    if (w->special) {
        *out = 0;
        *os = NUMERIC_NAN;
        return DD_OK;
    }
    int S = 2 * w->sscale;
    Bn nq, s2, num, nb;
    bn_set_u128(&nb, (u128)n);
    if (!bn_mul(&nq, &w->q, &nb) || !bn_mul(&s2, &w->s, &w->s)) return wide_overflow(err);
    if (bn_cmp(&nq, &s2) <= 0) {   /* round-off never makes it negative */
        *out = 0;
        *os = 0;
        return DD_OK;
    }
    bn_sub(&num, &nq, &s2);
    u128 den = (u128)n * (u128)(samp ? n - 1 : n);
    int w1, f1, w2, f2;
    Bn db;
    bn_set_u128(&db, den);
    bn_nbase_lead(&num, S, &w1, &f1);
    bn_nbase_lead(&db, 0, &w2, &f2);
    int qweight = w1 - w2 - (f1 <= f2);
    int r = DD_MAX(16 - qweight * 4, S);
    if (r > NUMERIC_MAX_SCALE) return wide_overflow(err);   /* PostgreSQL's scale past the pair form */
    for (int r0 = r; r >= 0 && r == r0; r--) {
        /* q = num * 10^(r - S) / den, rounded half away from zero */
        Bn a = num, d = db, q, p, rem;
        if (r >= S) {
            if (!bn_mul_pow10(&a, r - S)) return wide_overflow(err);
        } else if (!bn_mul_pow10(&d, S - r)) {
            return wide_overflow(err);
        }
        if (!bn_div(&q, &a, &d) || !bn_mul(&p, &q, &d)) return wide_overflow(err);
        bn_sub(&rem, &a, &p);
        if (!bn_add(&rem, &rem, &rem)) return wide_overflow(err);
        if (bn_cmp(&rem, &d) >= 0) {
            Bn one;
            bn_set_u128(&one, 1);
            bn_add(&q, &q, &one);
        }
        if (bn_digits(&q) > NUMERIC_MAX_PRECISION) continue;   /* past the pair form: 22003 */
        u128 v = 0;
        for (int i = q.n - 1; i >= 0; i--) v = v * BN_BASE + q.d[i];
        if (!root) {
            *out = (i128)v;
            *os = r;
            return DD_OK;
        }
        return numeric_sqrt_at((i128)v, r, r, out, os, err);
    }
    return wide_overflow(err);
}

/* ---- integer powers ---- */

/* m * 10^-ms (m exact) rounded half away from zero at scale r, as a pair;
 * decimals go first past 38 digits, 22003 when even scale 0 does not fit. */
static int bn_to_pair(const Bn *m, int ms, int r, bool neg, i128 *out, int *os, DdError *err)
{
    if (r > NUMERIC_MAX_SCALE) return overflow_err(err);   /* as fx_to_pair */
    for (int r0 = r; r >= 0 && r == r0; r--) {
        Bn t = *m;
        if (r >= ms) {
            if (!bn_mul_pow10(&t, r - ms)) return overflow_err(err);
        } else {
            int drop = ms - r;
            bn_shr_limbs(&t, (drop - 1) / 9);
            for (int i = 0; i < (drop - 1) % 9; i++) bn_div_small(&t, 10);
            if (bn_div_small(&t, 10) >= 5) {
                Bn one;
                bn_set_u128(&one, 1);
                bn_add(&t, &t, &one);
            }
        }
        if (bn_digits(&t) > NUMERIC_MAX_PRECISION) continue;
        u128 v = 0;
        for (int i = t.n - 1; i >= 0; i--) v = v * BN_BASE + t.d[i];
        *out = neg && v ? -(i128)v : (i128)v;
        *os = r;
        return DD_OK;
    }
    return overflow_err(err);
}

/*
 * a ^ n for an integer n, |n| <= 10000, at scale r (PostgreSQL: max(16,
 * scale of a)), rounded once: |a|^|n| is taken exactly while it fits 432
 * digits (a positive n: the digits themselves; a negative one: 10^(as |n|
 * + r) divided by them), else through exp(n ln |a|), whose result is then
 * far below 10^-38 or far beyond 10^38.  a = 0 and n < 0 is the caller's
 * error.
 */
int numeric_pow_int(i128 a, int as, i64 n, int r, i128 *out, int *os, DdError *err)
{
    bool neg = a < 0 && (n & 1);
    u64 k = n < 0 ? (u64)-n : (u64)n;
    r = DD_MIN(r, NUMERIC_MAX_SCALE);
    Bn p, base, t;
    bn_set_u128(&p, 1);
    bn_set_u128(&base, a < 0 ? -(u128)a : (u128)a);
    bool fits = true;
    for (u64 e = k; e && fits; e >>= 1) {
        if (e & 1) {
            fits = bn_mul(&t, &p, &base);
            p = t;
        }
        if (fits && e > 1) {
            fits = bn_mul(&t, &base, &base);
            base = t;
        }
    }
    int ms = as * (int)k;   /* |a|^k = p * 10^-ms */
    if (fits && n >= 0) return bn_to_pair(&p, ms, r, neg, out, os, err);
    if (fits) {
        for (; r >= 0; r--) {
            /* 10^(ms + r) / p at scale r, rounded half away from zero */
            Bn num, q, prod, rem;
            bn_set_u128(&num, 1);
            if (!bn_mul_pow10(&num, ms + r)) break;
            if (!bn_div(&q, &num, &p) || !bn_mul(&prod, &q, &p)) break;
            bn_sub(&rem, &num, &prod);
            if (!bn_add(&rem, &rem, &rem)) break;
            if (bn_cmp(&rem, &p) >= 0) {
                Bn one;
                bn_set_u128(&one, 1);
                bn_add(&q, &q, &one);
            }
            if (bn_digits(&q) > NUMERIC_MAX_PRECISION) continue;
            return bn_to_pair(&q, r, r, neg, out, os, err);
        }
        if (r < 0) return overflow_err(err);
    }
    /* beyond 432 digits: exp(n ln |a|), the sign from n's parity */
    Fx la, fn, tt;
    if (!fx_ln(&la, a < 0 ? -a : a, as, FX_MAX_FRAC_LIMBS) || !fx_from_pair(&fn, (i128)n, 0, FX_MAX_FRAC_LIMBS) ||
        !fx_mul(&tt, &la, &fn))
        return internal_err(err);
    int rc = exp_fx_at(&tt, r, out, os, err);
    if (rc == DD_OK && neg) *out = -*out;
    return rc;
}
