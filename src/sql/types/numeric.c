/*
 * numeric.c - the NUMERIC type: a signed 128-bit coefficient and a decimal
 * scale (value = coef * 10^-scale), its text form and its arithmetic.
 *
 * Invariants of every NUMERIC this file returns: |coef| < 10^38 and
 * 0 <= scale <= NUMERIC_MAX_SCALE.  Intermediate results are computed
 * exactly in 256-bit magnitudes (U256 below) and then brought back into
 * range by num_finish(): the scale is reduced (rounding half away from zero,
 * as PostgreSQL) until the coefficient fits; when even scale 0 does not fit
 * the result is 22003 "value overflows numeric format".
 *
 * Result scales follow PostgreSQL: + and - take the larger scale, * the sum,
 * / select_div_scale() (at least 16 significant digits), % the larger scale,
 * ^ at least 16 digits.  A result that needs more than 38 digits or decimals
 * is numbig.c's: the Value-level functions at the end of this file try the
 * pair code first and hand over when it fails (22003) or had to drop
 * decimals (its scale is not PostgreSQL's).
 *
 * NaN, Infinity and -Infinity (PostgreSQL 14+) are coef 0 with a negative
 * scale (value.h).  Each public function below deals with them first, with
 * PostgreSQL 15's results: NaN absorbs every operation but NaN ^ 0 and
 * 1 ^ NaN (both 1); Inf - Inf, Inf * 0, Inf / Inf and Inf % x are NaN;
 * x / Inf and x % Inf are 0 and x; division by zero stays 22012 for an
 * infinite dividend (only NaN / 0 is NaN).  The order is -Inf < finite <
 * Inf < NaN, and NaN = NaN, as PostgreSQL's btree operators.
 */
#include "value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


/* ---- special values ---- */

/* The sign class of a pair: -2 -Inf, -1 negative, 0 zero, 1 positive,
 * 2 +Inf; NaN is 3 (greatest, as it sorts). */
static int num_class(i128 c, int s)
{
    if (s == NUMERIC_NAN) return 3;
    if (s == NUMERIC_PINF) return 2;
    if (s == NUMERIC_NINF) return -2;
    return c < 0 ? -1 : c > 0;
}

static int set_special(int kind, i128 *out, int *os)
{
    *out = 0;
    *os = kind;
    return DD_OK;
}

static int set_inf(bool neg, i128 *out, int *os) { return set_special(neg ? NUMERIC_NINF : NUMERIC_PINF, out, os); }

/* 2201F: invalid argument for power function. */
static int pow_err(DdError *err, const char *msg)
{
    return dd_err(err, DD_EINVALID_ARGUMENT_FUNC, -1, "%s", msg);
}

/* ---- 256-bit unsigned magnitudes (little-endian 64-bit limbs) ---- */

typedef struct U256 {
    u64 w[4];
} U256;

static U256 u256_from(u128 x)
{
    U256 r = {{(u64)x, (u64)(x >> 64), 0, 0}};
    return r;
}

static bool u256_fits128(const U256 *a) { return a->w[2] == 0 && a->w[3] == 0; }
static u128 u256_lo(const U256 *a) { return ((u128)a->w[1] << 64) | a->w[0]; }
static bool u256_is_zero(const U256 *a) { return !(a->w[0] | a->w[1] | a->w[2] | a->w[3]); }

static int u256_cmp(const U256 *a, const U256 *b)
{
    for (int i = 3; i >= 0; i--)
        if (a->w[i] != b->w[i]) return a->w[i] < b->w[i] ? -1 : 1;
    return 0;
}

static void u256_add(U256 *a, const U256 *b)
{
    u64 carry = 0;
    for (int i = 0; i < 4; i++) {
        u128 s = (u128)a->w[i] + b->w[i] + carry;
        a->w[i] = (u64)s;
        carry = (u64)(s >> 64);
    }
}

/* a -= b; requires a >= b. */
static void u256_sub(U256 *a, const U256 *b)
{
    u64 borrow = 0;
    for (int i = 0; i < 4; i++) {
        u128 d = (u128)a->w[i] - b->w[i] - borrow;
        a->w[i] = (u64)d;
        borrow = (u64)(d >> 64) ? 1 : 0;
    }
}

/* a *= m; returns false on overflow (a is then garbage). */
static bool u256_mul_small(U256 *a, u64 m)
{
    u64 carry = 0;
    for (int i = 0; i < 4; i++) {
        u128 p = (u128)a->w[i] * m + carry;
        a->w[i] = (u64)p;
        carry = (u64)(p >> 64);
    }
    return carry == 0;
}

static bool u256_mul_pow10(U256 *a, int k)
{
    for (; k > 0; k--)
        if (!u256_mul_small(a, 10)) return false;
    return true;
}

static U256 u256_mul128(u128 a, u128 b)
{
    u64 x[2] = {(u64)a, (u64)(a >> 64)}, y[2] = {(u64)b, (u64)(b >> 64)};
    U256 r = {{0, 0, 0, 0}};
    for (int i = 0; i < 2; i++) {
        u64 carry = 0;
        for (int j = 0; j < 2; j++) {
            u128 p = (u128)x[i] * y[j] + r.w[i + j] + carry;
            r.w[i + j] = (u64)p;
            carry = (u64)(p >> 64);
        }
        r.w[i + 2] = carry;
    }
    return r;
}

/* a /= d (small); returns the remainder. */
static u64 u256_div_small(U256 *a, u64 d)
{
    u128 rem = 0;
    for (int i = 3; i >= 0; i--) {
        u128 cur = (rem << 64) | a->w[i];
        a->w[i] = (u64)(cur / d);
        rem = cur % d;
    }
    return (u64)rem;
}

static int u256_bits(const U256 *a)
{
    for (int i = 3; i >= 0; i--)
        if (a->w[i]) return i * 64 + 64 - __builtin_clzll(a->w[i]);
    return 0;
}

static void u256_shl1(U256 *a)
{
    for (int i = 3; i > 0; i--) a->w[i] = (a->w[i] << 1) | (a->w[i - 1] >> 63);
    a->w[0] <<= 1;
}

/* Bitwise long division: q = n / d, r = n % d; d != 0. */
static void u256_divmod(const U256 *n, const U256 *d, U256 *q, U256 *r)
{
    U256 qq = {{0, 0, 0, 0}}, rr = {{0, 0, 0, 0}};
    for (int i = u256_bits(n) - 1; i >= 0; i--) {
        u256_shl1(&rr);
        rr.w[0] |= (n->w[i / 64] >> (i % 64)) & 1;
        if (u256_cmp(&rr, d) >= 0) {
            u256_sub(&rr, d);
            qq.w[i / 64] |= (u64)1 << (i % 64);
        }
    }
    if (q) *q = qq;
    if (r) *r = rr;
}

/* ---- powers of ten and digit counts ---- */

/* 10^38: every coefficient is strictly below this. */
#define NUM_LIMIT ((u128)10000000000000000000ULL * 10000000000000000000ULL)

static u128 mag128(i128 c) { return c < 0 ? -(u128)c : (u128)c; }

static int u256_digits(const U256 *a)
{
    U256 t = *a;
    int n = 0;
    while (!u256_is_zero(&t)) {
        u256_div_small(&t, 10);
        n++;
    }
    return n;
}

static int overflow_err(DdError *err)
{
    return dd_err(err, DD_EOUT_OF_RANGE, -1, "value overflows numeric format");
}

/*
 * Turns sign/magnitude m at scale `scale` (any scale >= 0) into a NUMERIC,
 * dropping fractional digits (rounded half away from zero) while the value
 * needs more than 38 digits or the scale exceeds NUMERIC_MAX_SCALE.
 */
static int num_finish(bool neg, const U256 *m, int scale, i128 *coef, int *oscale, DdError *err)
{
    if (scale <= NUMERIC_MAX_SCALE && u256_fits128(m) && u256_lo(m) < NUM_LIMIT) {
        /* fits as it is (the common case): no digit count */
        u128 v = u256_lo(m);
        *coef = neg ? -(i128)v : (i128)v;
        *oscale = scale;
        return DD_OK;
    }
    int nd = u256_digits(m);
    int drop = DD_MAX(nd - NUMERIC_MAX_PRECISION, scale - NUMERIC_MAX_SCALE);
    if (drop < 0) drop = 0;
    for (;; drop++) {
        if (drop > scale) return overflow_err(err);
        U256 t = *m;
        u64 last = 0;
        if (drop > 0) {
            for (int i = 0; i < drop - 1; i++) u256_div_small(&t, 10);
            last = u256_div_small(&t, 10);
            if (last >= 5) {
                U256 one = u256_from(1);
                u256_add(&t, &one);
            }
        }
        if (u256_fits128(&t) && u256_lo(&t) < NUM_LIMIT) {
            u128 v = u256_lo(&t);
            *coef = neg ? -(i128)v : (i128)v;
            *oscale = scale - drop;
            return DD_OK;
        }
    }
}

/* ---- text ---- */

int numeric_from_text(const char *s, size_t len, i128 *coef, int *scale, DdError *err)
{
    size_t i = 0, n = len;
    while (i < n && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) i++;
    while (n > i && (s[n - 1] == ' ' || (s[n - 1] >= '\t' && s[n - 1] <= '\r'))) n--;
    if (n - i == 3 && strncasecmp(s + i, "nan", 3) == 0) return set_special(NUMERIC_NAN, coef, scale);
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    if ((n - i == 8 && strncasecmp(s + i, "infinity", 8) == 0) || (n - i == 3 && strncasecmp(s + i, "inf", 3) == 0))
        return set_inf(neg, coef, scale);
    U256 m = {{0, 0, 0, 0}};
    int ndig = 0, nfrac = 0, sig = 0;
    bool dot = false, overflow = false;
    long exp10 = 0;
    for (; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            ndig++;
            if (dot) nfrac++;
            if (sig > 0 || c != '0') sig++;
            /* more than 76 significant digits cannot fit even after rounding */
            if (sig > 76) overflow = true;
            else {
                u256_mul_small(&m, 10);
                U256 d = u256_from((u128)(c - '0'));
                u256_add(&m, &d);
            }
        } else if (c == '.' && !dot) {
            dot = true;
        } else {
            break;
        }
    }
    if (ndig == 0) goto bad;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < n && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
        if (i >= n || s[i] < '0' || s[i] > '9') goto bad;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            if (exp10 < 100000) exp10 = exp10 * 10 + (s[i] - '0');
        }
        if (eneg) exp10 = -exp10;
    }
    if (i != n) goto bad;
    if (overflow) return overflow_err(err); /* more than 76 significant digits */
    long sc = nfrac - exp10;
    if (u256_is_zero(&m)) {
        if (sc > NUMERIC_MAX_SCALE) return overflow_err(err);   /* a big zero (numbig.c) */
        *coef = 0;
        *scale = (int)DD_MAX(0, sc);
        return DD_OK;
    }
    if (sc < 0) {
        if (sig - sc > NUMERIC_MAX_PRECISION) return overflow_err(err);
        u256_mul_pow10(&m, (int)-sc);
        sc = 0;
    }
    /* Text input is exact or 22003: a value that needs more than 38 digits
     * or decimals (trailing zeros count: they are its display scale) is
     * numbig.c's (numeric_parse) */
    if (sc > NUMERIC_MAX_SCALE || u256_digits(&m) > NUMERIC_MAX_PRECISION) return overflow_err(err);
    return num_finish(neg, &m, (int)sc, coef, scale, err);
bad:
    return dd_err(err, DD_EINVALID_TEXT, -1, "invalid input syntax for type numeric: \"%.*s\"",
                  (int)DD_MIN(len, 200), s);
}

void numeric_to_text(i128 coef, int scale, Buf *out)
{
    if (numeric_is_special(scale)) {
        buf_puts(out, scale == NUMERIC_NAN ? "NaN" : scale == NUMERIC_PINF ? "Infinity" : "-Infinity");
        return;
    }
    char dig[48];
    int n = 0;
    u128 m = mag128(coef);
    do {
        dig[n++] = (char)('0' + (int)(m % 10));
        m /= 10;
    } while (m);
    /* dig holds the digits reversed (at most 39); the scale may be larger
     * than they are long (a key shown at its column's scale): zeros */
    if (coef < 0) buf_putc(out, '-');
    if (scale <= 0) {
        for (int i = n - 1; i >= 0; i--) buf_putc(out, (u8)dig[i]);
        return;
    }
    if (n <= scale) {
        buf_puts(out, "0.");
        for (int i = 0; i < scale - n; i++) buf_putc(out, '0');
        for (int i = n - 1; i >= 0; i--) buf_putc(out, (u8)dig[i]);
        return;
    }
    for (int i = n - 1; i >= 0; i--) {
        buf_putc(out, (u8)dig[i]);
        if (i == scale) buf_putc(out, '.');
    }
}

/* ---- scale and conversions ---- */

int numeric_field_overflow(DdError *err, int prec, int sc, int maxdigits)
{
    dd_err(err, DD_EOUT_OF_RANGE, -1, "numeric field overflow");
    if (maxdigits != 0)
        dd_err_detail(err, "A field with precision %d, scale %d must round to an absolute value less than 10^%d.", prec,
                      sc, maxdigits);
    else
        dd_err_detail(err, "A field with precision %d, scale %d must round to an absolute value less than 1.", prec, sc);
    return DD_EOUT_OF_RANGE;
}

int numeric_rescale(i128 coef, int scale, int new_scale, i128 *out, DdError *err)
{
    if (numeric_is_big(scale)) return overflow_err(err);
    if (numeric_is_special(scale)) return overflow_err(err);
    if (new_scale < 0) new_scale = 0;
    U256 m = u256_from(mag128(coef));
    if (new_scale >= scale) {
        if (!u256_mul_pow10(&m, new_scale - scale) || !u256_fits128(&m) || u256_lo(&m) >= NUM_LIMIT)
            return overflow_err(err);
        u128 v = u256_lo(&m);
        *out = coef < 0 ? -(i128)v : (i128)v;
        return DD_OK;
    }
    int drop = scale - new_scale;
    u64 last = 0;
    for (int i = 0; i < drop - 1; i++) u256_div_small(&m, 10);
    last = u256_div_small(&m, 10);
    u128 v = u256_lo(&m) + (last >= 5);
    *out = coef < 0 ? -(i128)v : (i128)v;
    return DD_OK;
}

double numeric_to_double(i128 coef, int scale)
{
    if (scale == NUMERIC_NAN) return NAN;
    if (numeric_is_inf(scale)) return scale == NUMERIC_PINF ? INFINITY : -INFINITY;
    char tmp[80];
    /* Correctly rounded through strtod, as PostgreSQL's numeric_float8. */
    u128 m = mag128(coef);
    char dig[48];
    int n = 0;
    do {
        dig[n++] = (char)('0' + (int)(m % 10));
        m /= 10;
    } while (m);
    int k = 0;
    if (coef < 0) tmp[k++] = '-';
    for (int i = n - 1; i >= 0; i--) tmp[k++] = dig[i];
    k += snprintf(tmp + k, sizeof tmp - (size_t)k, "e-%d", scale);
    return strtod(tmp, NULL);
}

int numeric_from_double_digits(double d, int digits, i128 *coef, int *scale, DdError *err)
{
    if (isnan(d)) return set_special(NUMERIC_NAN, coef, scale);
    if (isinf(d)) return set_inf(d < 0, coef, scale);
    char tmp[64];
    int n = snprintf(tmp, sizeof tmp, "%.*g", digits, d);
    return numeric_from_text(tmp, (size_t)n, coef, scale, err);
}

int numeric_from_double(double d, i128 *coef, int *scale, DdError *err)
{
    return numeric_from_double_digits(d, 15, coef, scale, err);
}

int numeric_to_int64(i128 coef, int scale, i64 *out)
{
    if (scale < 0) return -1;
    i128 r;
    if (numeric_rescale(coef, scale, 0, &r, NULL) != DD_OK) return -1;
    if (r > INT64_MAX || r < INT64_MIN) return -1;
    *out = (i64)r;
    return 0;
}

int numeric_apply_typmod(i128 *coef, int *scale, i32 typmod, DdError *err)
{
    if (numeric_is_big(*scale)) return overflow_err(err);
    if (typmod < 0 || *scale == NUMERIC_NAN) return DD_OK;
    int prec = numeric_typmod_prec(typmod), sc = numeric_typmod_scale(typmod);
    if (numeric_is_inf(*scale)) {
        dd_err(err, DD_EOUT_OF_RANGE, -1, "numeric field overflow");
        dd_err_detail(err, "A field with precision %d, scale %d cannot hold an infinite value.", prec, sc);
        return DD_EOUT_OF_RANGE;
    }
    int maxdigits = prec - sc;
    if (sc > NUMERIC_MAX_SCALE) {
        /* too large for the field is PostgreSQL's 22003; a value that
         * would fit needs more decimals than DriftDB keeps */
        int digits = 0;
        for (u128 m = mag128(*coef); m; m /= 10) digits++;
        if (*coef == 0 || digits - *scale <= maxdigits)
            return dd_err(err, DD_EFEATURE, -1, "NUMERIC scale %d exceeds DriftDB's maximum of %d", sc,
                          NUMERIC_MAX_SCALE);
        dd_err(err, DD_EOUT_OF_RANGE, -1, "numeric field overflow");
        dd_err_detail(err, "A field with precision %d, scale %d must round to an absolute value less than 10^%d.",
                      prec, sc, maxdigits);
        return DD_EOUT_OF_RANGE;
    }
    /* Round once at scale sc (a negative sc: to a multiple of 10^-sc), then
     * the value must stay below 10^(prec - sc) (PostgreSQL's maxdigits). */
    i128 r;
    int rc;
    if (sc >= 0) {
        rc = numeric_rescale(*coef, *scale, sc, &r, NULL);
    } else {
        U256 m = u256_from(mag128(*coef));
        int drop = *scale - sc;
        u64 last = 0;
        for (int i = 0; i < drop; i++) last = u256_div_small(&m, 10);
        if (last >= 5) {
            U256 one = u256_from(1);
            u256_add(&m, &one);
        }
        rc = u256_mul_pow10(&m, -sc) && u256_fits128(&m) && u256_lo(&m) < NUM_LIMIT ? DD_OK : DD_EOUT_OF_RANGE;
        if (rc == DD_OK) r = *coef < 0 ? -(i128)u256_lo(&m) : (i128)u256_lo(&m);
    }
    if (rc == DD_OK && r != 0 && prec > 0) {   /* prec 0: to_number's unbounded template */
        /* |r| * 10^-max(sc, 0) < 10^maxdigits */
        int digits = 0;
        for (u128 m = mag128(r); m; m /= 10) digits++;
        if (digits - DD_MAX(sc, 0) > maxdigits) rc = DD_EOUT_OF_RANGE;
    }
    if (rc != DD_OK) {
        return numeric_field_overflow(err, prec, sc, maxdigits);
    }
    *coef = r;
    *scale = DD_MAX(sc, 0);
    return DD_OK;
}

/* ---- comparison and normalization ---- */

/* Aligns |a| and |b| to the larger scale in 256 bits (always fits). */
static void align(i128 a, int as, i128 b, int bs, U256 *ma, U256 *mb, int *s)
{
    *s = DD_MAX(as, bs);
    *ma = u256_from(mag128(a));
    *mb = u256_from(mag128(b));
    u256_mul_pow10(ma, *s - as);
    u256_mul_pow10(mb, *s - bs);
}

int numeric_cmp(i128 a, int as, i128 b, int bs)
{
    if (numeric_is_special(as) || numeric_is_special(bs)) {
        int ka = num_class(a, as), kb = num_class(b, bs);
        if (numeric_is_special(as) && numeric_is_special(bs)) return ka < kb ? -1 : ka > kb;
        return numeric_is_special(as) ? (ka < 0 ? -1 : 1) : (kb < 0 ? 1 : -1);
    }
    if ((a < 0) != (b < 0)) return a < 0 ? -1 : 1;
    U256 ma, mb;
    int s;
    align(a, as, b, bs, &ma, &mb, &s);
    int c = u256_cmp(&ma, &mb);
    return a < 0 ? -c : c;
}

void numeric_normalize(i128 *coef, int *scale)
{
    if (numeric_is_special(*scale)) return;
    if (*coef == 0) {
        *scale = 0;
        return;
    }
    while (*scale > 0 && *coef % 10 == 0) {
        *coef /= 10;
        (*scale)--;
    }
}

/* ---- arithmetic ---- */

int numeric_add(i128 a, int as, i128 b, int bs, bool subtract, i128 *out, int *os, DdError *err)
{
    if (numeric_is_big(as) || numeric_is_big(bs)) return overflow_err(err);
    if (numeric_is_special(as) || numeric_is_special(bs)) {
        int ka = num_class(a, as), kb = num_class(b, bs);
        if (ka == 3 || kb == 3) return set_special(NUMERIC_NAN, out, os);
        if (subtract && (kb == 2 || kb == -2)) kb = -kb;
        if ((ka == 2 && kb == -2) || (ka == -2 && kb == 2)) return set_special(NUMERIC_NAN, out, os);
        return set_inf((ka == 2 || ka == -2 ? ka : kb) < 0, out, os);
    }
    U256 ma, mb;
    int s;
    align(a, as, b, bs, &ma, &mb, &s);
    bool na = a < 0, nb = (b < 0) != subtract;
    if (b == 0) nb = false;
    if (na == nb) {
        u256_add(&ma, &mb);
        return num_finish(na, &ma, s, out, os, err);
    }
    if (u256_cmp(&ma, &mb) >= 0) {
        u256_sub(&ma, &mb);
        return num_finish(na && !u256_is_zero(&ma), &ma, s, out, os, err);
    }
    u256_sub(&mb, &ma);
    return num_finish(nb, &mb, s, out, os, err);
}

int numeric_mul(i128 a, int as, i128 b, int bs, i128 *out, int *os, DdError *err)
{
    if (numeric_is_big(as) || numeric_is_big(bs)) return overflow_err(err);
    if (numeric_is_special(as) || numeric_is_special(bs)) {
        int ka = num_class(a, as), kb = num_class(b, bs);
        if (ka == 3 || kb == 3 || ka == 0 || kb == 0) return set_special(NUMERIC_NAN, out, os);
        return set_inf((ka < 0) != (kb < 0), out, os);
    }
    U256 m = u256_mul128(mag128(a), mag128(b));
    bool neg = ((a < 0) != (b < 0)) && !u256_is_zero(&m);
    return num_finish(neg, &m, as + bs, out, os, err);
}

/* PostgreSQL's NBASE (10000) weight and first digit of |coef|*10^-scale. */
static void nbase_lead(i128 coef, int scale, int *weight, int *first)
{
    char dig[48];
    u128 m = mag128(coef);
    int n = 0;
    while (m) {
        dig[n++] = (char)(m % 10);
        m /= 10;
    }
    /* decimal exponent of the leading digit */
    int e = n - 1 - scale;
    int w = e >= 0 ? e / 4 : -((-e + 3) / 4);
    int v = 0;
    for (int p = 4 * w + 3; p >= 4 * w; p--) {
        int idx = p + scale; /* position in dig[] (0 = units of coef) */
        v = v * 10 + ((idx >= 0 && idx < n) ? dig[idx] : 0);
    }
    *weight = w;
    *first = v;
}

/* PostgreSQL's select_div_scale() (its cap, 1000). */
static int div_scale_full(i128 a, int as, i128 b, int bs)
{
    int w1 = 0, f1 = 0, w2 = 0, f2 = 0;
    if (a != 0) nbase_lead(a, as, &w1, &f1);
    if (b != 0) nbase_lead(b, bs, &w2, &f2);
    int qweight = w1 - w2;
    if (f1 <= f2) qweight--;
    int r = 16 - qweight * 4;
    r = DD_MAX(r, as);
    r = DD_MAX(r, bs);
    r = DD_MAX(r, 0);
    return DD_MIN(r, 1000);
}

/* select_div_scale() capped at NUMERIC_MAX_SCALE. */
static int div_scale(i128 a, int as, i128 b, int bs) { return DD_MIN(div_scale_full(a, as, b, bs), NUMERIC_MAX_SCALE); }

static int div_err(DdError *err) { return dd_err(err, DD_EDIV_ZERO, -1, "division by zero"); }

/* Quotient a/b rounded half away from zero at result scale r. */
static int div_at_scale(i128 a, int as, i128 b, int bs, int r, i128 *out, int *os, DdError *err)
{
    bool neg = (a < 0) != (b < 0);
    U256 den = u256_from(mag128(b));
    for (;; r--) {
        int e = r + bs - as;
        int extra = e < 0 ? -e : 0;  /* digits to drop afterwards */
        U256 num = u256_from(mag128(a));
        if (!u256_mul_pow10(&num, e > 0 ? e : 0) || u256_bits(&num) > 255) {
            if (r <= 0) return overflow_err(err);
            continue;
        }
        U256 q, rem;
        u256_divmod(&num, &den, &q, &rem);
        if (extra == 0) {
            U256 twice = rem;
            u256_shl1(&twice);
            if (u256_cmp(&twice, &den) >= 0) {
                U256 one = u256_from(1);
                u256_add(&q, &one);
            }
            return num_finish(neg && !u256_is_zero(&q), &q, r, out, os, err);
        }
        /* the quotient is at scale r + extra: round off `extra` digits */
        U256 t = q;
        for (int i = 0; i < extra - 1 && !u256_is_zero(&t); i++) u256_div_small(&t, 10);
        u64 last = extra > 40 ? 0 : u256_div_small(&t, 10);
        if (last >= 5) {
            U256 one = u256_from(1);
            u256_add(&t, &one);
        }
        return num_finish(neg && !u256_is_zero(&t), &t, r, out, os, err);
    }
}

/* The division of pairs one of which is special: NaN, ±Inf, or 0 (the
 * caller's finite result is then at scale `zscale`). */
static int div_special(i128 a, int as, i128 b, int bs, int zscale, i128 *out, int *os, DdError *err)
{
    int ka = num_class(a, as), kb = num_class(b, bs);
    if (ka == 3 || kb == 3) return set_special(NUMERIC_NAN, out, os);
    if (kb == 0) return div_err(err);
    if (ka == 2 || ka == -2) {
        if (kb == 2 || kb == -2) return set_special(NUMERIC_NAN, out, os);
        return set_inf((ka < 0) != (kb < 0), out, os);
    }
    /* finite / ±Inf */
    *out = 0;
    *os = zscale;
    return DD_OK;
}

int numeric_div(i128 a, int as, i128 b, int bs, i128 *out, int *os, DdError *err)
{
    if (numeric_is_big(as) || numeric_is_big(bs)) return overflow_err(err);
    if (numeric_is_special(as) || numeric_is_special(bs)) {
        /* x / Inf is a plain 0 (scale 0), as PostgreSQL */
        return div_special(a, as, b, bs, 0, out, os, err);
    }
    if (b == 0) return div_err(err);
    return div_at_scale(a, as, b, bs, div_scale(a, as, b, bs), out, os, err);
}

int numeric_mod(i128 a, int as, i128 b, int bs, i128 *out, int *os, DdError *err)
{
    if (numeric_is_big(as) || numeric_is_big(bs)) return overflow_err(err);
    if (numeric_is_special(as) || numeric_is_special(bs)) {
        int ka = num_class(a, as), kb = num_class(b, bs);
        if (ka == 3 || kb == 3) return set_special(NUMERIC_NAN, out, os);
        if (kb == 0) return div_err(err);
        if (ka == 2 || ka == -2) return set_special(NUMERIC_NAN, out, os);
        *out = a;   /* x % ±Inf = x */
        *os = as;
        return DD_OK;
    }
    if (b == 0) return div_err(err);
    U256 ma, mb, rem;
    int s;
    align(a, as, b, bs, &ma, &mb, &s);
    u256_divmod(&ma, &mb, NULL, &rem);
    return num_finish(a < 0 && !u256_is_zero(&rem), &rem, s, out, os, err);
}

/* Truncates toward zero (scale 0). */
static i128 num_trunc(i128 coef, int scale)
{
    for (int i = 0; i < scale; i++) coef /= 10;
    return coef;
}

/* a ^ b when a or b is special (PostgreSQL 15's power_var rules). */
static int pow_special(i128 a, int as, i128 b, int bs, i128 *out, int *os, DdError *err)
{
    int ka = num_class(a, as), kb = num_class(b, bs);
    if (ka == 3 || kb == 3) {
        /* 1 ^ NaN and NaN ^ 0 are 1 */
        if ((ka == 1 && numeric_cmp(a, as, 1, 0) == 0) || kb == 0) {
            *out = 1;
            *os = 0;
            return DD_OK;
        }
        return set_special(NUMERIC_NAN, out, os);
    }
    if (ka == 0 && kb < 0) return pow_err(err, "zero raised to a negative power is undefined");
    bool b_int = numeric_is_special(bs) || numeric_cmp(num_trunc(b, bs), 0, b, bs) == 0;
    if (ka < 0 && !b_int)
        return pow_err(err, "a negative number raised to a non-integer power yields a complex result");
    if (kb == 2 || kb == -2) {
        /* |a| = 1 gives 1; otherwise the infinite exponent decides
         * between 0 and Inf by whether |a| is below 1 */
        int c = numeric_cmp(a < 0 ? -a : a, as, 1, 0);
        if (ka == 2 || ka == -2) c = 1;
        if (c == 0) {
            *out = 1;
            *os = 0;
            return DD_OK;
        }
        if ((c < 0) == (kb == 2)) {
            *out = 0;
            *os = 0;
            return DD_OK;
        }
        return set_inf(false, out, os);
    }
    /* a = ±Inf, b finite */
    if (kb == 0) {
        *out = 1;
        *os = 0;
        return DD_OK;
    }
    if (kb < 0) {
        *out = 0;
        *os = 0;
        return DD_OK;
    }
    /* -Inf ^ odd integer is -Inf */
    bool odd = ka == -2 && (num_trunc(b, bs) % 2) != 0;
    return set_inf(odd, out, os);
}

int numeric_pow(i128 a, int as, i128 b, int bs, i128 *out, int *os, DdError *err)
{
    if (numeric_is_big(as) || numeric_is_big(bs)) return overflow_err(err);
    if (numeric_is_special(as) || numeric_is_special(bs)) return pow_special(a, as, b, bs, out, os, err);
    i128 bint = num_trunc(b, bs);
    bool b_integral = numeric_cmp(bint, 0, b, bs) == 0;
    if (a == 0 && b < 0)
        return pow_err(err, "zero raised to a negative power is undefined");
    if (b_integral && bint >= -10000 && bint <= 10000) {
        /* PostgreSQL <= 15: integer exponents give scale max(16, base
         * scale); the power is exact before that rounding (numexact.c) */
        return numeric_pow_int(a, as, (i64)bint, DD_MAX(16, as), out, os, err);
    }
    if (a < 0)
        return pow_err(err,
                      "a negative number raised to a non-integer power yields a complex result");
    if (a == 0) {
        /* 0 ^ b, b > 0: zero at 16 decimals (PostgreSQL takes no log of 0) */
        *out = 0;
        *os = 16;
        return DD_OK;
    }
    /* Non-integer exponent: exp(b ln a), exact (numexact.c) */
    return numeric_pow_exact(a, as, b, bs, out, os, err);
}

int numeric_div_at(i128 a, int as, i128 b, int bs, int r, i128 *out, int *os, DdError *err)
{
    if (numeric_is_big(as) || numeric_is_big(bs)) return overflow_err(err);
    if (numeric_is_special(as) || numeric_is_special(bs))
        return div_special(a, as, b, bs, DD_MIN(DD_MAX(r, 0), NUMERIC_MAX_SCALE), out, os, err);
    if (b == 0) return div_err(err);
    return div_at_scale(a, as, b, bs, DD_MIN(DD_MAX(r, 0), NUMERIC_MAX_SCALE), out, os, err);
}

int numeric_div_scale(i128 a, int as, i128 b, int bs)
{
    if (numeric_is_special(as) || numeric_is_special(bs)) return 0;
    return div_scale(a, as, b, bs);
}

int numeric_sqrt_at(i128 a, int as, int r, i128 *out, int *os, DdError *err)
{
    if (numeric_is_big(as)) return overflow_err(err);
    if (as == NUMERIC_NINF)
        return dd_err(err, DD_EINVALID_ARGUMENT_FUNC, -1, "cannot take square root of a negative number");
    if (numeric_is_special(as)) return set_special(as, out, os);
    if (a < 0)
        return dd_err(err, DD_EINVALID_ARGUMENT_FUNC, -1, "cannot take square root of a negative number");
    r = DD_MIN(DD_MAX(r, 0), NUMERIC_MAX_SCALE);
    /* N = a * 10^(2 r2 - as), r2 >= r so that no digit of a is dropped;
     * the root of N is the result's coefficient at scale r2 */
    int r2 = DD_MAX(r, (as + 1) / 2), e = 2 * r2 - as;
    U256 n = u256_from(mag128(a));
    if (e > 0 && !u256_mul_pow10(&n, e)) return overflow_err(err);
    if (u256_is_zero(&n)) { *out = 0; *os = r; return DD_OK; }
    /* Newton's iteration from above: x = (x + N/x) / 2 until it stops falling */
    U256 x = u256_from(0);
    int bits = (u256_bits(&n) + 1) / 2;
    x.w[bits / 64] = (u64)1 << (bits % 64);
    for (;;) {
        U256 q, y;
        u256_divmod(&n, &x, &q, NULL);
        y = x;
        u256_add(&y, &q);
        u256_div_small(&y, 2);
        if (u256_cmp(&y, &x) >= 0) break;
        x = y;
    }
    U256 one = u256_from(1);
    if (r2 == r) {
        /* round half up: x + 1 when N > x^2 + x */
        U256 sq = u256_mul128(u256_lo(&x), u256_lo(&x));
        u256_add(&sq, &x);
        if (u256_cmp(&n, &sq) > 0) u256_add(&x, &one);
        return num_finish(false, &x, r, out, os, err);
    }
    /* x is the root truncated at scale r2: up when the dropped digits are
     * at least half (the exact root is at least x) */
    U256 q, rem, p = u256_from(1), twice;
    u256_mul_pow10(&p, r2 - r);
    u256_divmod(&x, &p, &q, &rem);
    twice = rem;
    u256_shl1(&twice);
    if (u256_cmp(&twice, &p) >= 0) u256_add(&q, &one);
    return num_finish(false, &q, r, out, os, err);
}


/* ---- Values of either form ---- */

int numeric_need_pair(const Value *v, DdError *err)
{
    if (v->type == TYPE_NUMERIC && !v->isnull && numeric_is_big(v->scale)) return overflow_err(err);
    return DD_OK;
}

void numeric_value_text(const Value *v, Buf *out)
{
    if (numeric_is_big(v->scale)) numeric_big_text(v, out);
    else numeric_to_text(v->v.coef, v->scale, out);
}

double numeric_value_to_double(const Value *v)
{
    if (numeric_is_big(v->scale)) return numeric_big_to_double(v);
    return numeric_to_double(v->v.coef, v->scale);
}

int numeric_value_to_int64(const Value *v, i64 *out)
{
    if (!numeric_is_big(v->scale)) return numeric_to_int64(v->v.coef, v->scale, out);
    Arena ar;
    arena_init(&ar, 4096);
    Value r;
    int rc = numeric_big_round(v, 0, false, &ar, &r, NULL) == DD_OK && !numeric_is_big(r.scale)
                 ? numeric_to_int64(r.v.coef, r.scale, out) : -1;
    arena_free(&ar);
    return rc;
}

int numeric_value_typmod(Value *v, i32 typmod, Arena *ar, DdError *err)
{
    if (typmod < 0) return DD_OK;
    int p = numeric_typmod_prec(typmod), sc = numeric_typmod_scale(typmod);
    if (numeric_is_special(v->scale) ||
        (!numeric_is_big(v->scale) && p <= NUMERIC_MAX_PRECISION && sc >= 0 && sc <= NUMERIC_MAX_SCALE)) {
        i128 c = v->v.coef;
        int s = v->scale, rc = numeric_apply_typmod(&c, &s, typmod, err);
        if (rc) return rc;
        *v = val_numeric(c, s);
        return DD_OK;
    }
    return numeric_big_typmod(v, typmod, ar, err);
}

int numeric_value_from_double(double d, int digits, Arena *ar, Value *out, DdError *err)
{
    if (isnan(d) || isinf(d)) {
        *out = val_numeric(0, isnan(d) ? NUMERIC_NAN : d < 0 ? NUMERIC_NINF : NUMERIC_PINF);
        return DD_OK;
    }
    char tmp[64];
    int n = snprintf(tmp, sizeof tmp, "%.*g", digits, d);
    return numeric_parse(tmp, (size_t)n, ar, out, err);
}

static void value_pair(const Value *v, i128 *c, int *s)
{
    if (v->type == TYPE_NUMERIC) { *c = v->v.coef; *s = v->scale; }
    else { *c = v->v.i; *s = 0; }
}

int numeric_value_arith(ArithOp op, const Value *a, const Value *b, Arena *ar, Value *out, DdError *err)
{
    bool big = (a->type == TYPE_NUMERIC && numeric_is_big(a->scale)) ||
               (b->type == TYPE_NUMERIC && numeric_is_big(b->scale));
    if (!big) {
        i128 ca, cb, rc = 0;
        int sa, sb, rs = 0, st, want = -1;
        value_pair(a, &ca, &sa);
        value_pair(b, &cb, &sb);
        bool special = numeric_is_special(sa) || numeric_is_special(sb);
        switch (op) {
        case ARITH_ADD:
        case ARITH_SUB:
            want = DD_MAX(sa, sb);
            st = numeric_add(ca, sa, cb, sb, op == ARITH_SUB, &rc, &rs, err);
            break;
        case ARITH_MUL:
            want = sa + sb;
            st = numeric_mul(ca, sa, cb, sb, &rc, &rs, err);
            break;
        case ARITH_DIV:
            if (!special && cb != 0) {
                want = div_scale_full(ca, sa, cb, sb);
                if (want > NUMERIC_MAX_SCALE) { st = DD_EOUT_OF_RANGE; break; }
            }
            st = numeric_div(ca, sa, cb, sb, &rc, &rs, err);
            break;
        case ARITH_MOD:
            want = DD_MAX(sa, sb);
            st = numeric_mod(ca, sa, cb, sb, &rc, &rs, err);
            break;
        default: {
            /* an integer exponent gives scale max(16, the base's) */
            i128 bi = cb;
            for (int i = 0; i < sb && !special; i++) bi /= 10;
            bool integral = !special && numeric_cmp(bi, 0, cb, sb) == 0;
            if (integral) want = DD_MAX(16, sa);
            st = numeric_pow(ca, sa, cb, sb, &rc, &rs, err);
            if (!integral && st == DD_OK) want = rs;   /* exp(b ln a): the pair's own scale */
            break;
        }
        }
        if (st == DD_OK && (special || numeric_is_special(rs) || want < 0 || rs == want)) {
            *out = val_numeric(rc, rs);
            return DD_OK;
        }
        if (st != DD_OK && st != DD_EOUT_OF_RANGE) return st;
        if (special) return st;
        if (err) dd_err_clear(err);
    }
    return numeric_big_arith(op, a, b, ar, out, err);
}
