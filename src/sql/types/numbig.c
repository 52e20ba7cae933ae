/*
 * numbig.c - NUMERIC values beyond the pair form: more than 38 digits or
 * more than 38 decimals, up to PostgreSQL's limits (131072 digits before
 * the point, 16383 after).
 *
 * Form.  A big value is I * 10^-dscale, I a positive integer in base-10^4
 * limbs, dscale its display scale (the digits shown after the point).  The
 * Value holds the sign in its scale (NUMERIC_BIG, NUMERIC_BIG_NEG) and the
 * payload in v.s: u16 dscale, then the limbs of I, least significant
 * first, each a u16 little-endian (0..9999), the top one nonzero.  Bytes
 * are read one by one, so a payload may sit at any address (a row image's
 * field is read in place).
 *
 * Invariant: a value that fits the pair form (|coef| < 10^38, scale <=
 * 38) is never big, so the pair code (numeric.c) keeps every value it had
 * and its speed; every operation here ends in num_finish(), which returns
 * the pair form when the result fits.  Equal values may still differ in
 * form (1 and 1.000...0 at scale 50), so comparison and hashing work on
 * the value, not the bytes.
 *
 * Why I * 10^-dscale over PostgreSQL's digits aligned on the point: the
 * arithmetic is integer arithmetic (addition aligns scales by powers of
 * ten, division is one long division of integers and a rounding), which
 * is short and easy to check; base 10^4 keeps the text form and
 * PostgreSQL's binary form (base-10000 digits) a regrouping of digits.
 *
 * Working integers (Bi) live in the caller's arena; nothing here frees.
 * Algorithms are textbook (schoolbook products, Knuth's algorithm D for
 * long division); no code copied.
 */
#include "value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NB 10000
#define NUMERIC_MAX_INT_DIGITS 131072   /* PostgreSQL: weight < 32768 base-10^4 digits */
#define NUMERIC_MAX_DSCALE 16383        /* PostgreSQL's NUMERIC_DSCALE_MAX */
#define NUMERIC_MAX_DISPLAY_SCALE 1000  /* PostgreSQL's cap on computed scales */

/* An unsigned integer, limbs base 10^4 least significant first, n in use
 * (no zero limb on top; n = 0 is zero), room for cap. */
typedef struct Bi {
    int n, cap;
    u32 *d;
} Bi;

/* A signed decimal: neg, I, scale (>= 0). */
typedef struct Dec {
    bool neg;
    int scale;
    Bi m;
} Dec;

static const u32 p10[5] = {1, 10, 100, 1000, 10000};

static int nomem(DdError *err) { return dd_err(err, DD_ENOMEM, -1, NULL); }

static int overflow_err(DdError *err)
{
    return dd_err(err, DD_EOUT_OF_RANGE, -1, "value overflows numeric format");
}

static bool bi_alloc(Bi *a, Arena *ar, int cap)
{
    a->n = 0;
    a->cap = cap < 1 ? 1 : cap;
    a->d = arena_alloc(ar, sizeof(u32) * (size_t)a->cap);
    return a->d != NULL;
}

static void bi_norm(Bi *a)
{
    while (a->n > 0 && a->d[a->n - 1] == 0) a->n--;
}

static bool bi_copy(Bi *r, const Bi *a, Arena *ar, int extra)
{
    if (!bi_alloc(r, ar, a->n + extra)) return false;
    memcpy(r->d, a->d, sizeof(u32) * (size_t)a->n);
    r->n = a->n;
    return true;
}

static bool bi_from_u128(Bi *a, Arena *ar, u128 v)
{
    if (!bi_alloc(a, ar, 10)) return false;
    while (v) {
        a->d[a->n++] = (u32)(v % NB);
        v /= NB;
    }
    return true;
}

static int bi_cmp(const Bi *a, const Bi *b)
{
    if (a->n != b->n) return a->n < b->n ? -1 : 1;
    for (int i = a->n - 1; i >= 0; i--)
        if (a->d[i] != b->d[i]) return a->d[i] < b->d[i] ? -1 : 1;
    return 0;
}

/* Decimal digits of a (0 for zero). */
static long bi_digits(const Bi *a)
{
    if (a->n == 0) return 0;
    u32 t = a->d[a->n - 1];
    int k = 0;
    while (t) { k++; t /= 10; }
    return (long)(a->n - 1) * 4 + k;
}

/* Decimal digit i of a (0 = units). */
static int bi_digit(const Bi *a, long i)
{
    long limb = i / 4;
    if (limb >= a->n) return 0;
    return (int)(a->d[limb] / p10[i % 4] % 10);
}

/* r = a * 10^k (a new integer). */
static bool bi_mul_pow10(Bi *r, const Bi *a, long k, Arena *ar)
{
    long limbs = k / 4;
    int rest = (int)(k % 4);
    if (a->n == 0) { r->n = 0; r->cap = 0; r->d = NULL; return bi_alloc(r, ar, 1); }
    if (!bi_alloc(r, ar, a->n + (int)limbs + 1)) return false;
    memset(r->d, 0, sizeof(u32) * (size_t)limbs);
    u32 carry = 0, m = p10[rest];
    for (int i = 0; i < a->n; i++) {
        u32 p = a->d[i] * m + carry;
        r->d[limbs + i] = p % NB;
        carry = p / NB;
    }
    r->n = a->n + (int)limbs;
    if (carry) r->d[r->n++] = carry;
    return true;
}

/* r = a + b. */
static bool bi_add(Bi *r, const Bi *a, const Bi *b, Arena *ar)
{
    int n = DD_MAX(a->n, b->n);
    if (!bi_alloc(r, ar, n + 1)) return false;
    u32 carry = 0;
    for (int i = 0; i < n; i++) {
        u32 s = (i < a->n ? a->d[i] : 0) + (i < b->n ? b->d[i] : 0) + carry;
        r->d[i] = s % NB;
        carry = s / NB;
    }
    r->n = n;
    if (carry) r->d[r->n++] = carry;
    return true;
}

/* r = a - b, a >= b. */
static bool bi_sub(Bi *r, const Bi *a, const Bi *b, Arena *ar)
{
    if (!bi_alloc(r, ar, a->n)) return false;
    i32 borrow = 0;
    for (int i = 0; i < a->n; i++) {
        i32 s = (i32)a->d[i] - (i32)(i < b->n ? b->d[i] : 0) - borrow;
        borrow = s < 0;
        r->d[i] = (u32)(s < 0 ? s + NB : s);
    }
    r->n = a->n;
    bi_norm(r);
    return true;
}

/* r = a * b (schoolbook; carries every row keep the sums in 64 bits). */
static bool bi_mul(Bi *r, const Bi *a, const Bi *b, Arena *ar)
{
    if (a->n == 0 || b->n == 0) return bi_alloc(r, ar, 1);
    int n = a->n + b->n;
    u64 *t = arena_zalloc(ar, sizeof(u64) * (size_t)n);
    if (!t || !bi_alloc(r, ar, n)) return false;
    for (int i = 0; i < a->n; i++) {
        u64 x = a->d[i], carry = 0;
        if (!x) continue;
        for (int j = 0; j < b->n; j++) {
            u64 s = t[i + j] + x * b->d[j] + carry;
            t[i + j] = s % NB;
            carry = s / NB;
        }
        for (int k = i + b->n; carry; k++) {
            u64 s = t[k] + carry;
            t[k] = s % NB;
            carry = s / NB;
        }
    }
    for (int i = 0; i < n; i++) r->d[i] = (u32)t[i];
    r->n = n;
    bi_norm(r);
    return true;
}

/* a /= m in place (m < 2^32 / NB is not needed: 64-bit steps); returns
 * the remainder. */
static u32 bi_div_small(Bi *a, u32 m)
{
    u64 rem = 0;
    for (int i = a->n - 1; i >= 0; i--) {
        u64 cur = rem * NB + a->d[i];
        a->d[i] = (u32)(cur / m);
        rem = cur % m;
    }
    bi_norm(a);
    return (u32)rem;
}

/* q = a / b, r = a % b (b != 0): Knuth's algorithm D in base 10^4. */
static bool bi_divmod(const Bi *a, const Bi *b, Bi *q, Bi *r, Arena *ar)
{
    if (bi_cmp(a, b) < 0) {
        if (!bi_alloc(q, ar, 1) || !bi_copy(r, a, ar, 0)) return false;
        return true;
    }
    if (b->n == 1) {
        if (!bi_copy(q, a, ar, 0) || !bi_alloc(r, ar, 1)) return false;
        u32 rem = bi_div_small(q, b->d[0]);
        if (rem) r->d[r->n++] = rem;
        return true;
    }
    int n = b->n, m = a->n - b->n;
    u32 f = NB / (b->d[n - 1] + 1);
    Bi u, v;
    if (!bi_alloc(&u, ar, a->n + 1) || !bi_alloc(&v, ar, n) || !bi_alloc(q, ar, m + 1)) return false;
    u32 carry = 0;
    for (int i = 0; i < a->n; i++) {
        u32 p = a->d[i] * f + carry;
        u.d[i] = p % NB;
        carry = p / NB;
    }
    u.d[a->n] = carry;
    carry = 0;
    for (int i = 0; i < n; i++) {
        u32 p = b->d[i] * f + carry;
        v.d[i] = p % NB;
        carry = p / NB;
    }
    i64 *ud = arena_alloc(ar, sizeof(i64) * (size_t)(a->n + 1));
    if (!ud) return false;
    for (int i = 0; i <= a->n; i++) ud[i] = u.d[i];
    i64 vt = v.d[n - 1], vs = v.d[n - 2];
    for (int j = m; j >= 0; j--) {
        i64 num = ud[j + n] * NB + ud[j + n - 1];
        i64 qhat = num / vt, rhat = num % vt;
        while (qhat >= NB || qhat * vs > rhat * NB + ud[j + n - 2]) {
            qhat--;
            rhat += vt;
            if (rhat >= NB) break;
        }
        i64 k = 0;
        for (int i = 0; i < n; i++) {
            i64 p = qhat * v.d[i] + k;   /* below NB^2 + NB */
            i64 t = ud[i + j] - p % NB;
            k = p / NB;
            if (t < 0) { t += NB; k++; }
            ud[i + j] = t;
        }
        i64 t = ud[j + n] - k;
        ud[j + n] = t;
        if (t < 0) {
            qhat--;
            i64 c = 0;
            for (int i = 0; i < n; i++) {
                i64 s = ud[i + j] + v.d[i] + c;
                c = s >= NB;
                ud[i + j] = s - (c ? NB : 0);
            }
            ud[j + n] += c;
        }
        q->d[j] = (u32)qhat;
    }
    q->n = m + 1;
    bi_norm(q);
    if (!bi_alloc(r, ar, n)) return false;
    for (int i = 0; i < n; i++) r->d[i] = (u32)ud[i];
    r->n = n;
    bi_norm(r);
    bi_div_small(r, f);
    return true;
}

/* ---- Values <-> Dec ---- */

static u16 rd16(const char *p) { return (u16)((u8)p[0] | ((u16)(u8)p[1] << 8)); }

static bool dec_from_value(Dec *x, const Value *v, Arena *ar)
{
    if (v->type != TYPE_NUMERIC) {   /* an integer type */
        x->neg = v->v.i < 0;
        x->scale = 0;
        return bi_from_u128(&x->m, ar, x->neg ? -(u128)(i128)v->v.i : (u128)v->v.i);
    }
    if (numeric_is_big(v->scale)) {
        const char *p = v->v.s.p;
        int n = (int)(v->v.s.len - 2) / 2;
        x->neg = v->scale == NUMERIC_BIG_NEG;
        x->scale = rd16(p);
        if (!bi_alloc(&x->m, ar, n)) return false;
        for (int i = 0; i < n; i++) x->m.d[i] = rd16(p + 2 + 2 * i);
        x->m.n = n;
        return true;
    }
    x->neg = v->v.coef < 0;
    x->scale = v->scale;
    return bi_from_u128(&x->m, ar, x->neg ? -(u128)v->v.coef : (u128)v->v.coef);
}

/* The result: the pair form when it fits, else a big value in ar; 22003
 * past PostgreSQL's limits. */
static int num_finish(Dec *x, Arena *ar, Value *out, DdError *err)
{
    bi_norm(&x->m);
    long nd = bi_digits(&x->m);
    if (x->scale > NUMERIC_MAX_DSCALE || nd - x->scale > NUMERIC_MAX_INT_DIGITS) return overflow_err(err);
    if (x->scale <= NUMERIC_MAX_SCALE && nd <= NUMERIC_MAX_PRECISION) {
        u128 c = 0;
        for (int i = x->m.n - 1; i >= 0; i--) c = c * NB + x->m.d[i];
        *out = val_numeric(x->neg && c ? -(i128)c : (i128)c, x->scale);
        return DD_OK;
    }
    size_t len = 2 + 2 * (size_t)x->m.n;
    u8 *p = arena_alloc(ar, len);
    if (!p) return nomem(err);
    p[0] = (u8)x->scale;
    p[1] = (u8)(x->scale >> 8);
    for (int i = 0; i < x->m.n; i++) {
        p[2 + 2 * i] = (u8)x->m.d[i];
        p[3 + 2 * i] = (u8)(x->m.d[i] >> 8);
    }
    Value v = val_numeric(0, 0);
    v.scale = x->neg ? NUMERIC_BIG_NEG : NUMERIC_BIG;
    v.v.s.p = (const char *)p;
    v.v.s.len = (u32)len;
    *out = v;
    return DD_OK;
}

/* x rounded (half away from zero) or truncated at scale s >= 0 (or padded
 * up to it). */
static bool dec_rescale(Dec *x, long s, bool trunc, Arena *ar)
{
    if (s >= x->scale) {
        Bi r;
        if (!bi_mul_pow10(&r, &x->m, s - x->scale, ar)) return false;
        x->m = r;
        x->scale = (int)s;
        return true;
    }
    long drop = x->scale - s;
    Bi pw, one, q, r;
    if (!bi_from_u128(&one, ar, 1) || !bi_mul_pow10(&pw, &one, drop, ar)) return false;
    if (drop > bi_digits(&x->m)) {
        bi_alloc(&q, ar, 1);
        x->m = q;
        x->scale = (int)s;
        return x->m.d != NULL;
    }
    if (!bi_divmod(&x->m, &pw, &q, &r, ar)) return false;
    if (!trunc && bi_digit(&r, drop - 1) >= 5) {
        Bi q1;
        if (!bi_add(&q1, &q, &one, ar)) return false;
        q = q1;
    }
    x->m = q;
    x->scale = (int)s;
    return true;
}

/* ---- public ---- */

bool numeric_big_check(const char *p, size_t len)
{
    if (len < 2 || len % 2 || len > 2 + 2 * 40000) return false;
    if (rd16(p) > NUMERIC_MAX_DSCALE) return false;
    for (size_t i = 2; i < len; i += 2)
        if (rd16(p + i) >= NB) return false;
    return len == 2 ? rd16(p) > NUMERIC_MAX_SCALE : rd16(p + len - 2) != 0;
}

int numeric_parse(const char *s, size_t len, Arena *ar, Value *out, DdError *err)
{
    i128 c;
    int sc;
    /* the pair parser takes what it can; 22003 means "more than the pair" */
    DdError e2;
    memset(&e2, 0, sizeof e2);
    int rc = numeric_from_text(s, len, &c, &sc, &e2);
    if (rc == DD_OK) { *out = val_numeric(c, sc); return DD_OK; }
    if (rc != DD_EOUT_OF_RANGE) return numeric_from_text(s, len, &c, &sc, err);
    if (!ar) return numeric_from_text(s, len, &c, &sc, err);
    size_t i = 0, n = len;
    while (i < n && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) i++;
    while (n > i && (s[n - 1] == ' ' || (s[n - 1] >= '\t' && s[n - 1] <= '\r'))) n--;
    Dec x = {false, 0, {0, 0, NULL}};
    if (i < n && (s[i] == '+' || s[i] == '-')) x.neg = s[i++] == '-';
    /* the digits, most significant first, without leading zeros */
    u8 *dig = arena_alloc(ar, n - i + 1);
    if (!dig) return nomem(err);
    long nd = 0, nfrac = 0;
    bool dot = false;
    for (; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            if (nd > 0 || s[i] != '0') dig[nd++] = (u8)(s[i] - '0');
            if (dot) nfrac++;
        } else if (s[i] == '.' && !dot) {
            dot = true;
        } else {
            break;
        }
    }
    long exp10 = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < n && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            if (exp10 < 100000000) exp10 = exp10 * 10 + (s[i] - '0');
        if (eneg) exp10 = -exp10;
    }
    /* the pair parser accepted the syntax; past the limits below is 22003 */
    long scale = nfrac - exp10;
    long dscale = scale < 0 ? 0 : scale;
    if (dscale > NUMERIC_MAX_DSCALE || nd - scale > NUMERIC_MAX_INT_DIGITS) return overflow_err(err);
    /* I = digits * 10^(dscale - scale) */
    long pad = dscale - scale, total = nd + pad;
    if (!bi_alloc(&x.m, ar, (int)(total / 4 + 1))) return nomem(err);
    for (long k = 0; k < total; k += 4) {
        u32 limb = 0;
        for (int j = 3; j >= 0; j--) {
            long pos = total - 1 - (k + j);   /* index into dig, from the left */
            limb = limb * 10 + (pos < nd && pos >= 0 ? dig[pos] : 0);
        }
        x.m.d[x.m.n++] = limb;
    }
    bi_norm(&x.m);
    x.scale = (int)dscale;
    if (x.m.n == 0) x.neg = false;
    return num_finish(&x, ar, out, err);
}

void numeric_big_text(const Value *v, Buf *out)
{
    const char *p = v->v.s.p;
    int n = (int)(v->v.s.len - 2) / 2, scale = rd16(p);
    u32 top = n ? rd16(p + 2 + 2 * (n - 1)) : 0;
    int k = 0;
    for (u32 t = top; t; t /= 10) k++;
    long nd = (long)(n - 1) * 4 + k;
    if (v->scale == NUMERIC_BIG_NEG && n) buf_putc(out, '-');
    long total = nd > scale ? nd : scale + 1;
    for (long i = total - 1; i >= 0; i--) {
        int d = 0;
        if (i < nd) d = (int)(rd16(p + 2 + 2 * (i / 4)) / p10[i % 4] % 10);
        buf_putc(out, (char)('0' + d));
        if (i == scale && scale > 0) buf_putc(out, '.');
    }
}

static bool is_big(const Value *v) { return v->type == TYPE_NUMERIC && numeric_is_big(v->scale); }

/* The decimal digits of a finite numeric or an integer without allocating
 * (comparison and hashing may not fail): I's digits, from the pair's
 * coefficient or the big payload's limbs. */
typedef struct Digits {
    bool neg;
    long nd;            /* digits of I (0: zero) */
    int scale;
    const char *p;      /* big: the payload; else NULL and dig[] */
    int nlimbs;
    u8 dig[40];         /* pair: digit i of I (0 = units) */
} Digits;

static void digits_of(Digits *d, const Value *v)
{
    memset(d, 0, sizeof *d);
    if (v->type == TYPE_NUMERIC && numeric_is_big(v->scale)) {
        d->p = v->v.s.p;
        d->nlimbs = (int)(v->v.s.len - 2) / 2;
        d->scale = rd16(d->p);
        d->neg = v->scale == NUMERIC_BIG_NEG && d->nlimbs > 0;
        if (d->nlimbs) {
            int k = 0;
            for (u32 t = rd16(d->p + 2 + 2 * (d->nlimbs - 1)); t; t /= 10) k++;
            d->nd = (long)(d->nlimbs - 1) * 4 + k;
        }
        return;
    }
    i128 c = v->type == TYPE_NUMERIC ? v->v.coef : (i128)v->v.i;
    d->scale = v->type == TYPE_NUMERIC ? v->scale : 0;
    d->neg = c < 0;
    for (u128 m = c < 0 ? -(u128)c : (u128)c; m; m /= 10) d->dig[d->nd++] = (u8)(m % 10);
}

static int digit_at(const Digits *d, long i)
{
    if (i < 0 || i >= d->nd) return 0;
    if (!d->p) return d->dig[i];
    return (int)(rd16(d->p + 2 + 2 * (i / 4)) / p10[i % 4] % 10);
}

int numeric_big_cmp(const Value *a, const Value *b)
{
    /* the special values order as numeric_cmp says; a big value is finite */
    if (a->type == TYPE_NUMERIC && numeric_is_special(a->scale)) return a->scale == NUMERIC_NINF ? -1 : 1;
    if (b->type == TYPE_NUMERIC && numeric_is_special(b->scale)) return b->scale == NUMERIC_NINF ? 1 : -1;
    Digits x, y;
    digits_of(&x, a);
    digits_of(&y, b);
    int sx = x.nd == 0 ? 0 : x.neg ? -1 : 1, sy = y.nd == 0 ? 0 : y.neg ? -1 : 1;
    if (sx != sy) return sx < sy ? -1 : 1;
    if (sx == 0) return 0;
    /* |x| against |y|: digits before the point, then digit by digit from the top */
    long ix = x.nd - x.scale, iy = y.nd - y.scale, c = 0;
    if (ix != iy) c = ix < iy ? -1 : 1;
    for (long k = 0; c == 0 && (k < x.nd || k < y.nd); k++) {
        int dx = digit_at(&x, x.nd - 1 - k), dy = digit_at(&y, y.nd - 1 - k);
        if (dx != dy) c = dx < dy ? -1 : 1;
    }
    return sx < 0 ? (int)-c : (int)c;
}

/* The value's digits without trailing zeros, most significant first, into
 * ar: value = 0.d1 d2 ... dk * 10^e. */
static u8 *norm_digits(const Value *v, Arena *ar, long *k, long *e)
{
    Dec x;
    if (!dec_from_value(&x, v, ar)) return NULL;
    long nd = bi_digits(&x.m), low = 0;
    while (low < nd && bi_digit(&x.m, low) == 0) low++;
    u8 *d = arena_alloc(ar, (size_t)(nd - low + 1));
    if (!d) return NULL;
    for (long i = nd - 1; i >= low; i--) d[nd - 1 - i] = (u8)bi_digit(&x.m, i);
    *k = nd - low;
    *e = nd - x.scale;
    return d;
}

/* The digits of v without trailing zeros: I's digits hi .. lo (lo <= hi),
 * value = 0.d(hi) .. d(lo) x 10^e; false for zero. */
static bool norm_range(const Digits *d, long *hi, long *lo, long *e)
{
    if (d->nd == 0) return false;
    long low = 0;
    while (digit_at(d, low) == 0) low++;
    *hi = d->nd - 1;
    *lo = low;
    *e = d->nd - d->scale;
    return true;
}

u64 numeric_big_hash(const Value *v, u64 (*mix)(const void *, size_t, u64))
{
    Digits d;
    digits_of(&d, v);
    long hi, lo, e;
    u64 h[2] = {0xcbf29ce484222325ULL, 0};
    if (norm_range(&d, &hi, &lo, &e)) {
        for (long i = hi; i >= lo; i--) h[0] = (h[0] ^ (u64)digit_at(&d, i)) * 0x100000001b3ULL;   /* FNV-1a */
        h[1] = (u64)e * 2 + d.neg;
    }
    return mix(h, sizeof h, 0xb16);
}

bool numeric_big_pair(const Value *v, i128 *coef, int *scale)
{
    Digits d;
    digits_of(&d, v);
    long hi, lo, e;
    if (!norm_range(&d, &hi, &lo, &e)) {   /* zero */
        *coef = 0;
        *scale = 0;
        return true;
    }
    long k = hi - lo + 1;
    if (k > NUMERIC_MAX_PRECISION || k - e > NUMERIC_MAX_SCALE || k - e < 0) return false;
    u128 c = 0;
    for (long i = hi; i >= lo; i--) c = c * 10 + (u128)digit_at(&d, i);
    *coef = d.neg ? -(i128)c : (i128)c;
    *scale = (int)(k - e);
    return true;
}

int numeric_big_key(const Value *v, Arena *ar, const u8 **digits, long *k, long *e)
{
    u8 *d = norm_digits(v, ar, k, e);
    if (!d) return DD_ENOMEM;
    *digits = d;
    return DD_OK;
}

/* PostgreSQL's select_div_scale on x / y (both nonzero). */
static int div_scale(const Dec *x, const Dec *y)
{
    int w[2], f[2];
    const Dec *v[2] = {x, y};
    for (int i = 0; i < 2; i++) {
        if (v[i]->m.n == 0) {   /* zero: weight 0, first digit 0 (PostgreSQL) */
            w[i] = f[i] = 0;
            continue;
        }
        long nd = bi_digits(&v[i]->m), e = nd - 1 - v[i]->scale;   /* exponent of the leading digit */
        long wt = e >= 0 ? e / 4 : -((-e + 3) / 4);
        int first = 0;
        for (long p = 4 * wt + 3; p >= 4 * wt; p--) {
            long idx = p + v[i]->scale;
            first = first * 10 + (idx >= 0 && idx < nd ? bi_digit(&v[i]->m, idx) : 0);
        }
        w[i] = (int)wt;
        f[i] = first;
    }
    int qweight = w[0] - w[1];
    if (f[0] <= f[1]) qweight--;
    int r = 16 - qweight * 4;
    r = DD_MAX(r, x->scale);
    r = DD_MAX(r, y->scale);
    r = DD_MAX(r, 0);
    return DD_MIN(r, NUMERIC_MAX_DISPLAY_SCALE);
}

/* q = x / y rounded half away from zero at scale r. */
static bool dec_div(Dec *q, const Dec *x, const Dec *y, long r, bool trunc, Arena *ar)
{
    long e = r + y->scale - x->scale;
    Bi n, d, qq, rem;
    if (e >= 0) {
        if (!bi_mul_pow10(&n, &x->m, e, ar) || !bi_copy(&d, &y->m, ar, 0)) return false;
    } else {
        if (!bi_copy(&n, &x->m, ar, 0) || !bi_mul_pow10(&d, &y->m, -e, ar)) return false;
    }
    if (!bi_divmod(&n, &d, &qq, &rem, ar)) return false;
    if (!trunc) {
        Bi twice;
        if (!bi_add(&twice, &rem, &rem, ar)) return false;
        if (bi_cmp(&twice, &d) >= 0) {
            Bi one, q1;
            if (!bi_from_u128(&one, ar, 1) || !bi_add(&q1, &qq, &one, ar)) return false;
            qq = q1;
        }
    }
    q->m = qq;
    q->scale = (int)r;
    q->neg = (x->neg != y->neg) && qq.n > 0;
    return true;
}

/* x + y (or x - y). */
static bool dec_add(Dec *r, const Dec *x, const Dec *y, bool sub, Arena *ar)
{
    int s = DD_MAX(x->scale, y->scale);
    Bi a, b;
    if (!bi_mul_pow10(&a, &x->m, s - x->scale, ar) || !bi_mul_pow10(&b, &y->m, s - y->scale, ar)) return false;
    bool na = x->neg, nb = y->neg != sub;
    r->scale = s;
    if (na == nb) {
        r->neg = na;
        return bi_add(&r->m, &a, &b, ar);
    }
    if (bi_cmp(&a, &b) >= 0) {
        r->neg = na;
        if (!bi_sub(&r->m, &a, &b, ar)) return false;
    } else {
        r->neg = nb;
        if (!bi_sub(&r->m, &b, &a, ar)) return false;
    }
    if (r->m.n == 0) r->neg = false;
    return true;
}

static bool dec_is_int(const Dec *x, Arena *ar, i64 *out)
{
    Dec t = *x;
    if (!dec_rescale(&t, 0, true, ar)) return false;
    Dec back = t;
    if (!dec_rescale(&back, x->scale, true, ar) || bi_cmp(&back.m, &x->m) != 0) return false;
    if (bi_digits(&t.m) > 18) return false;
    i64 v = 0;
    for (int i = t.m.n - 1; i >= 0; i--) v = v * NB + t.m.d[i];
    *out = t.neg ? -v : v;
    return true;
}

/* x ^ n for an integer n, at PostgreSQL's scale for integer powers
 * (max(16, x's scale)); exact before that rounding. */
static int dec_pow_int(Dec *r, const Dec *x, i64 n, Arena *ar, DdError *err)
{
    int rscale = DD_MIN(DD_MAX(16, x->scale), NUMERIC_MAX_DISPLAY_SCALE);
    u64 k = n < 0 ? -(u64)n : (u64)n;
    long nd = bi_digits(&x->m) - x->scale;   /* digits before the point */
    /* the exact power has about k * digits(x) digits: refuse what PostgreSQL
     * would also refuse (an integer part past its limit) or what would not
     * fit in memory here */
    if (x->m.n && (double)k * (double)bi_digits(&x->m) > 4.0e6) {
        if (n > 0 && nd > 1) return overflow_err(err);
        return dd_err(err, DD_EFEATURE, -1, "numeric power with an exact result of more than 4000000 digits is not supported");
    }
    Bi acc, base = x->m;
    if (!bi_from_u128(&acc, ar, 1)) return nomem(err);
    u64 kk = k;
    while (kk) {
        if (kk & 1) {
            Bi t;
            if (!bi_mul(&t, &acc, &base, ar)) return nomem(err);
            acc = t;
        }
        kk >>= 1;
        if (kk) {
            Bi t;
            if (!bi_mul(&t, &base, &base, ar)) return nomem(err);
            base = t;
        }
    }
    Dec p = {x->neg && (k & 1), (int)DD_MIN((i64)x->scale * (i64)k, INT32_MAX), acc};
    if (n >= 0) {
        if (!dec_rescale(&p, rscale, false, ar)) return nomem(err);
        *r = p;
        return DD_OK;
    }
    if (p.m.n == 0) return dd_err(err, DD_EINVALID_ARGUMENT_FUNC, -1, "zero raised to a negative power is undefined");
    Dec one = {false, 0, {0, 0, NULL}};
    if (!bi_from_u128(&one.m, ar, 1) || !dec_div(r, &one, &p, rscale, false, ar)) return nomem(err);
    return DD_OK;
}

static int big_pow_real(const Dec *a, const Dec *b, Arena *ar, Value *out, DdError *err);

int numeric_big_arith(ArithOp op, const Value *a, const Value *b, Arena *ar, Value *out, DdError *err)
{
    if ((a->type == TYPE_NUMERIC && numeric_is_special(a->scale)) ||
        (b->type == TYPE_NUMERIC && numeric_is_special(b->scale))) {
        /* NaN and the infinities with a big value: what they give with any
         * finite value of the same sign and size class (numeric.c) */
        i128 ca = 0, cb = 0, rc = 0;
        int sa = a->scale, sb = b->scale, rs = 0;
        if (is_big(a)) { ca = a->scale == NUMERIC_BIG_NEG ? -2 : 2; sa = 0; }
        else if (a->type != TYPE_NUMERIC) { ca = a->v.i; sa = 0; }
        else ca = a->v.coef;
        if (is_big(b)) { cb = b->scale == NUMERIC_BIG_NEG ? -2 : 2; sb = 0; }
        else if (b->type != TYPE_NUMERIC) { cb = b->v.i; sb = 0; }
        else cb = b->v.coef;
        int st;
        switch (op) {
        case ARITH_ADD: st = numeric_add(ca, sa, cb, sb, false, &rc, &rs, err); break;
        case ARITH_SUB: st = numeric_add(ca, sa, cb, sb, true, &rc, &rs, err); break;
        case ARITH_MUL: st = numeric_mul(ca, sa, cb, sb, &rc, &rs, err); break;
        case ARITH_DIV: st = numeric_div(ca, sa, cb, sb, &rc, &rs, err); break;
        case ARITH_MOD:
            if (numeric_is_special(b->scale) && !numeric_is_nan(b->scale) && !numeric_is_special(sa)) {
                *out = *a;   /* x % +-Inf = x */
                return DD_OK;
            }
            st = numeric_mod(ca, sa, cb, sb, &rc, &rs, err);
            break;
        default:
            return dd_err(err, DD_EFEATURE, -1, "numeric power of NaN or Infinity and a value of more than 38 digits is not supported");
        }
        if (st) return st;
        *out = val_numeric(rc, rs);
        return DD_OK;
    }
    Dec x, y, r = {false, 0, {0, 0, NULL}};
    if (!ar) return overflow_err(err);   /* a caller without an arena takes the pair form only */
    if (!dec_from_value(&x, a, ar) || !dec_from_value(&y, b, ar)) return nomem(err);
    switch (op) {
    case ARITH_ADD:
    case ARITH_SUB:
        if (!dec_add(&r, &x, &y, op == ARITH_SUB, ar)) return nomem(err);
        break;
    case ARITH_MUL:
        if (!bi_mul(&r.m, &x.m, &y.m, ar)) return nomem(err);
        r.scale = x.scale + y.scale;
        r.neg = x.neg != y.neg && r.m.n > 0;
        if (r.scale > NUMERIC_MAX_DSCALE && !dec_rescale(&r, NUMERIC_MAX_DSCALE, false, ar)) return nomem(err);
        break;
    case ARITH_DIV:
        if (y.m.n == 0) return dd_err(err, DD_EDIV_ZERO, -1, "division by zero");
        if (x.m.n == 0) {
            r.scale = div_scale(&x, &y);
            if (!bi_alloc(&r.m, ar, 1)) return nomem(err);
            break;
        }
        if (!dec_div(&r, &x, &y, div_scale(&x, &y), false, ar)) return nomem(err);
        break;
    case ARITH_MOD: {
        if (y.m.n == 0) return dd_err(err, DD_EDIV_ZERO, -1, "division by zero");
        int s = DD_MAX(x.scale, y.scale);
        Bi ma, mb, q;
        if (!bi_mul_pow10(&ma, &x.m, s - x.scale, ar) || !bi_mul_pow10(&mb, &y.m, s - y.scale, ar) ||
            !bi_divmod(&ma, &mb, &q, &r.m, ar))
            return nomem(err);
        r.scale = s;
        r.neg = x.neg && r.m.n > 0;
        break;
    }
    default: {
        i64 n;
        if (!dec_is_int(&y, ar, &n) || n < INT32_MIN || n > INT32_MAX) {
            if (x.m.n == 0) {
                if (y.neg) return dd_err(err, DD_EINVALID_ARGUMENT_FUNC, -1, "zero raised to a negative power is undefined");
                return dd_err(err, DD_EFEATURE, -1, "numeric power of a zero of more than 38 decimals is not supported");
            }
            if (x.neg)
                return dd_err(err, DD_EINVALID_ARGUMENT_FUNC, -1,
                              "a negative number raised to a non-integer power yields a complex result");
            return big_pow_real(&x, &y, ar, out, err);
        }
        if (x.m.n == 0 && n < 0) return dd_err(err, DD_EINVALID_ARGUMENT_FUNC, -1, "zero raised to a negative power is undefined");
        int rc = dec_pow_int(&r, &x, n, ar, err);
        if (rc) return rc;
        break;
    }
    }
    return num_finish(&r, ar, out, err);
}

/* The scale PostgreSQL's numeric / gives a / b (finite, b != 0), uncapped
 * by the pair form. */
int numeric_big_div_scale(const Value *a, const Value *b, Arena *ar)
{
    Dec x, y;
    if (!dec_from_value(&x, a, ar) || !dec_from_value(&y, b, ar)) return 0;
    return div_scale(&x, &y);
}

int numeric_big_round(const Value *v, long s, bool trunc, Arena *ar, Value *out, DdError *err)
{
    Dec x;
    if (!ar) return overflow_err(err);
    if (!dec_from_value(&x, v, ar)) return nomem(err);
    if (s >= 0) {
        if (s > NUMERIC_MAX_DSCALE) s = NUMERIC_MAX_DSCALE;
        if (!dec_rescale(&x, s, trunc, ar)) return nomem(err);
    } else {
        Dec y;
        if (!dec_from_value(&y, v, ar)) return nomem(err);
        /* round at 10^-s: drop (scale - s) digits, then scale back up */
        y.scale += (int)-s;
        if (!dec_rescale(&y, 0, trunc, ar)) return nomem(err);
        Bi m;
        if (!bi_mul_pow10(&m, &y.m, -s, ar)) return nomem(err);
        x.m = m;
        x.neg = y.neg && m.n > 0;
        x.scale = 0;
    }
    if (x.m.n == 0) x.neg = false;
    return num_finish(&x, ar, out, err);
}

int numeric_big_typmod(Value *v, i32 typmod, Arena *ar, DdError *err)
{
    int prec = numeric_typmod_prec(typmod), sc = numeric_typmod_scale(typmod);
    Value r;
    if (!ar) return overflow_err(err);
    int rc = numeric_big_round(v, sc, false, ar, &r, err);
    int maxdigits = prec - sc;
    if (rc == DD_OK) {
        Dec x;
        if (!dec_from_value(&x, &r, ar)) return nomem(err);
        if (x.m.n && prec > 0 && bi_digits(&x.m) - x.scale > maxdigits) rc = DD_EOUT_OF_RANGE;
    } else if (rc != DD_EOUT_OF_RANGE) {
        return rc;
    }
    if (rc != DD_OK) {
        return numeric_field_overflow(err, prec, sc, maxdigits);
    }
    *v = r;
    return DD_OK;
}

double numeric_big_to_double(const Value *v)
{
    /* strtod of the first 800 digits (correctly rounded: a tie decided
     * past them needs a value of that many digits that ties to 800) */
    Digits d;
    digits_of(&d, v);
    char buf[832];
    int k = 0;
    if (d.neg) buf[k++] = '-';
    buf[k++] = '0';
    buf[k++] = '.';
    long take = DD_MIN(d.nd, 800L);
    for (long i = 0; i < take; i++) buf[k++] = (char)('0' + digit_at(&d, d.nd - 1 - i));
    snprintf(buf + k, sizeof buf - (size_t)k, "e%ld", d.nd - d.scale);
    return strtod(buf, NULL);
}

int numeric_from_nbase(bool neg, int weight, int dscale, const u16 *digits, int n, Arena *ar, Value *out, DdError *err)
{
    /* value = sum digits[i] * 10^(4 (weight - i)); I = value * 10^dscale */
    if (dscale < 0 || dscale > NUMERIC_MAX_DSCALE) return overflow_err(err);
    long low = 4L * (weight - (n - 1));   /* decimal exponent of the last digit */
    Bi raw;
    if (!bi_alloc(&raw, ar, n)) return nomem(err);
    for (int i = 0; i < n; i++) raw.d[i] = digits[n - 1 - i];
    raw.n = n;
    bi_norm(&raw);
    Dec t = {neg, 0, raw};
    if (low >= 0) {
        if (!bi_mul_pow10(&t.m, &raw, low, ar)) return nomem(err);
        t.scale = 0;
    } else {
        t.scale = (int)-low;
    }
    /* digits past dscale are cut, as PostgreSQL's numeric_recv (trunc_var) */
    if (!dec_rescale(&t, dscale, true, ar)) return nomem(err);
    if (t.m.n == 0) t.neg = false;
    return num_finish(&t, ar, out, err);
}

void numeric_big_nbase(const Value *v, Arena *ar, Buf *out)
{
    /* weight, digits aligned on the point: regroup I * 10^-dscale */
    Dec x;
    if (!dec_from_value(&x, v, ar)) return;
    int pad = (4 - x.scale % 4) % 4;
    Bi m;
    if (!bi_mul_pow10(&m, &x.m, pad, ar)) return;
    int fr = (x.scale + pad) / 4;   /* limbs after the point */
    int first = 0, last = m.n - 1;
    while (first < m.n && m.d[first] == 0) first++;
    int n = last - first + 1;
    int weight = n > 0 ? last - fr : 0;   /* zero: weight 0, as PostgreSQL */
    buf_put_u16be(out, (u16)n);
    buf_put_u16be(out, (u16)(i16)weight);
    buf_put_u16be(out, x.neg ? 0x4000 : 0);
    buf_put_u16be(out, (u16)x.scale);
    for (int i = last; i >= first; i--) buf_put_u16be(out, (u16)m.d[i]);
}

/* ---- sqrt, ln, log, exp and power past the pair form ----
 *
 * Floating values of at most P significant digits, truncated after each
 * step (Fl: m * 10^e), with P chosen from the result's scale plus guard
 * digits; results rounded once at PostgreSQL's scale.  Algorithms: the
 * integer square root by Newton's iteration; ln(x) = e ln 10 + 2^9
 * ln(m^(1/2^9)) for x = m 10^e, m in [1, 10), the last by the atanh
 * series; exp(x) by the Taylor series of x / 2^k, squared k times.  The
 * error left is far below the guard digits, except for a value within
 * about 10^-10 units of its last place of a rounding boundary. */

typedef struct Fl {
    bool neg;
    Bi m;
    long e;
} Fl;

/* r = a / 10^k, truncated (digits dropped). */
static bool bi_shr10(Bi *r, const Bi *a, long k, Arena *ar)
{
    long limbs = k / 4;
    if (limbs >= a->n) return bi_alloc(r, ar, 1);
    if (!bi_alloc(r, ar, a->n - (int)limbs)) return false;
    memcpy(r->d, a->d + limbs, sizeof(u32) * (size_t)(a->n - limbs));
    r->n = a->n - (int)limbs;
    if (k % 4) bi_div_small(r, p10[k % 4]);
    bi_norm(r);
    return true;
}

static bool fl_trunc(Fl *x, long P, Arena *ar)
{
    long d = bi_digits(&x->m);
    if (d <= P) return true;
    Bi t;
    if (!bi_shr10(&t, &x->m, d - P, ar)) return false;
    x->m = t;
    x->e += d - P;
    return true;
}

static bool fl_set_int(Fl *x, i64 v, Arena *ar)
{
    x->neg = v < 0;
    x->e = 0;
    return bi_from_u128(&x->m, ar, v < 0 ? -(u128)(i128)v : (u128)v);
}

static void fl_from_dec(Fl *x, const Dec *d)
{
    x->neg = d->neg;
    x->m = d->m;
    x->e = -d->scale;
}

/* The decimal exponent of the leading digit (value in [10^w, 10^(w+1))). */
static long fl_weight(const Fl *x) { return bi_digits(&x->m) - 1 + x->e; }

static bool fl_mul(Fl *r, const Fl *a, const Fl *b, long P, Arena *ar)
{
    Fl t;
    if (!bi_mul(&t.m, &a->m, &b->m, ar)) return false;
    t.e = a->e + b->e;
    t.neg = (a->neg != b->neg) && t.m.n > 0;
    *r = t;
    return fl_trunc(r, P, ar);
}

static bool fl_div(Fl *r, const Fl *a, const Fl *b, long P, Arena *ar)
{
    long k = P + bi_digits(&b->m) - bi_digits(&a->m) + 2;
    if (k < 0) k = 0;
    Bi n, q, rem;
    if (!bi_mul_pow10(&n, &a->m, k, ar) || !bi_divmod(&n, &b->m, &q, &rem, ar)) return false;
    r->m = q;
    r->e = a->e - k - b->e;
    r->neg = (a->neg != b->neg) && q.n > 0;
    return fl_trunc(r, P, ar);
}

static bool fl_add(Fl *r, const Fl *a, const Fl *b, bool sub, long P, Arena *ar)
{
    bool nb = b->neg != sub;
    if (b->m.n == 0) { *r = *a; return true; }
    if (a->m.n == 0) { *r = *b; r->neg = nb; return true; }
    /* an addend P + 2 digits below the other does not change its P digits */
    long wa = fl_weight(a), wb = fl_weight(b);
    if (wa - wb > P + 2) { *r = *a; return true; }
    if (wb - wa > P + 2) { *r = *b; r->neg = nb; return true; }
    long e = DD_MIN(a->e, b->e);
    Dec x = {a->neg, 0, {0, 0, NULL}}, y = {nb, 0, {0, 0, NULL}}, s;
    if (!bi_mul_pow10(&x.m, &a->m, a->e - e, ar) || !bi_mul_pow10(&y.m, &b->m, b->e - e, ar)) return false;
    if (!dec_add(&s, &x, &y, false, ar)) return false;
    r->neg = s.neg;
    r->m = s.m;
    r->e = e;
    return fl_trunc(r, P, ar);
}

/* x (>= 0) rounded half away from zero at scale r, as a Dec. */
static bool fl_to_dec(Dec *d, const Fl *x, long r, Arena *ar)
{
    d->neg = x->neg;
    d->scale = (int)r;
    long sh = x->e + r;
    if (sh >= 0) return bi_mul_pow10(&d->m, &x->m, sh, ar) && (d->m.n || (d->neg = false, true));
    Bi q;
    if (!bi_shr10(&q, &x->m, -sh - 1, ar)) return false;
    u32 last = q.n ? q.d[0] % 10 : 0;
    Bi q2;
    if (!bi_shr10(&q2, &q, 1, ar)) return false;
    if (last >= 5) {
        Bi one, t;
        if (!bi_from_u128(&one, ar, 1) || !bi_add(&t, &q2, &one, ar)) return false;
        q2 = t;
    }
    d->m = q2;
    if (d->m.n == 0) d->neg = false;
    return true;
}

/* r = floor(sqrt(n)): Newton's iteration from above. */
static bool bi_isqrt(Bi *r, const Bi *n, Arena *ar)
{
    Bi one, g;
    if (!bi_from_u128(&one, ar, 1) || !bi_mul_pow10(&g, &one, (bi_digits(n) + 1) / 2, ar)) return false;
    if (n->n == 0) return bi_alloc(r, ar, 1);
    for (;;) {
        Bi q, rem, s;
        if (!bi_divmod(n, &g, &q, &rem, ar) || !bi_add(&s, &g, &q, ar)) return false;
        bi_div_small(&s, 2);
        if (bi_cmp(&s, &g) >= 0) break;
        g = s;
    }
    *r = g;
    return true;
}

/* sqrt(x), x > 0, to P significant digits. */
static bool fl_sqrt(Fl *r, const Fl *x, long P, Arena *ar)
{
    /* N = m * 10^k with k making e - k even and N of at least 2P + 2 digits */
    long k = 2 * P + 2 - bi_digits(&x->m);
    if (k < 0) k = 0;
    if (((x->e - k) % 2 + 2) % 2 != 0) k++;
    Bi n, g;
    if (!bi_mul_pow10(&n, &x->m, k, ar) || !bi_isqrt(&g, &n, ar)) return false;
    r->neg = false;
    r->m = g;
    r->e = (x->e - k) / 2;
    return fl_trunc(r, P, ar);
}

/* ln(m) for m in [1, 10], to about P - 4 digits after the point. */
static bool fl_ln_mant(Fl *r, const Fl *m, long P, Arena *ar)
{
    Fl t = *m, one, z, num, den, z2, term, sum;
    for (int i = 0; i < 9; i++)
        if (!fl_sqrt(&t, &t, P, ar)) return false;
    if (!fl_set_int(&one, 1, ar) || !fl_add(&num, &t, &one, true, P, ar) || !fl_add(&den, &t, &one, false, P, ar) ||
        !fl_div(&z, &num, &den, P, ar) || !fl_mul(&z2, &z, &z, P, ar))
        return false;
    sum = z;
    term = z;
    for (long k = 3; term.m.n && fl_weight(&term) - fl_weight(&sum) > -(P + 2); k += 2) {
        Fl kk, q;
        if (!fl_mul(&term, &term, &z2, P, ar) || !fl_set_int(&kk, k, ar) || !fl_div(&q, &term, &kk, P, ar) ||
            !fl_add(&sum, &sum, &q, false, P, ar))
            return false;
    }
    Fl f;
    if (!fl_set_int(&f, 1024, ar)) return false;   /* 2 * 2^9 */
    return fl_mul(r, &sum, &f, P, ar);
}

/* ln(x), x > 0, to about P - 4 - digits(e) digits after the point. */
static bool fl_ln(Fl *r, const Fl *x, long P, Arena *ar)
{
    long w = fl_weight(x);
    Fl m = *x, lm;
    m.e -= w;   /* m in [1, 10) */
    if (!fl_ln_mant(&lm, &m, P, ar)) return false;
    if (w == 0) { *r = lm; return true; }
    Fl ten, l10, ew, p;
    if (!fl_set_int(&ten, 10, ar) || !fl_ln_mant(&l10, &ten, P, ar) || !fl_set_int(&ew, w, ar) ||
        !fl_mul(&p, &l10, &ew, P, ar))
        return false;
    return fl_add(r, &p, &lm, false, P, ar);
}

/* exp(x) to P significant digits (|x| < 6000). */
static bool fl_exp(Fl *r, const Fl *x, long P, Arena *ar)
{
    Fl y = *x, one, term, sum;
    y.neg = false;
    int k = 0;
    /* halve until below 0.01 */
    Fl half;
    if (!fl_set_int(&half, 5, ar)) return false;
    half.e = -1;
    while (y.m.n && fl_weight(&y) >= -2) {
        if (!fl_mul(&y, &y, &half, P, ar)) return false;
        k++;
    }
    if (!fl_set_int(&one, 1, ar)) return false;
    sum = one;
    term = one;
    for (long n = 1; term.m.n && fl_weight(&term) > -(P + 2); n++) {
        Fl nn, q;
        if (!fl_mul(&term, &term, &y, P, ar) || !fl_set_int(&nn, n, ar) || !fl_div(&q, &term, &nn, P, ar) ||
            !fl_add(&sum, &sum, &q, false, P, ar))
            return false;
        term = q;
    }
    for (int i = 0; i < k; i++)
        if (!fl_mul(&sum, &sum, &sum, P, ar)) return false;
    if (x->neg) return fl_div(r, &one, &sum, P, ar);
    *r = sum;
    return true;
}

static double fl_to_double(const Fl *x)
{
    /* the top 17 digits are enough */
    double m = 0;
    long d = bi_digits(&x->m);
    int take = 0;
    for (long i = d - 1; i >= 0 && take < 17; i--, take++) m = m * 10 + bi_digit(&x->m, i);
    double v = m * pow(10.0, (double)(x->e + d - take));
    return x->neg ? -v : v;
}

/* PostgreSQL's estimate_ln_dweight for x > 0. */
static int est_ln_dweight(const Dec *x, Arena *ar)
{
    Fl f, one, d;
    fl_from_dec(&f, x);
    if (!fl_set_int(&one, 1, ar)) return 0;
    double v = fl_to_double(&f);
    if (v >= 0.9 && v <= 1.1) {
        /* ln(x) ~ x - 1: the decimal weight of x - 1 (its first base-10^4
         * digit's), exact */
        if (!fl_add(&d, &f, &one, true, bi_digits(&f.m) + 8, ar) || d.m.n == 0) return 0;
        long w = fl_weight(&d);
        long nw = w >= 0 ? w / 4 : -((-w + 3) / 4);
        /* weight * 4 + (int) log10(first base-10^4 digit) = the leading digit's exponent */
        return (int)(nw * 4 + (w - nw * 4));
    }
    /* from the first two base-10^4 digits and the weight, in double */
    long w = fl_weight(&f);
    long nw = w >= 0 ? w / 4 : -((-w + 3) / 4);
    /* digits of the value from 10^(4 nw + 3) down to 10^(4 nw - 4) */
    double digits = 0;
    long nd = bi_digits(&f.m);
    for (long p = 4 * nw + 3; p >= 4 * nw - 4; p--) {
        long idx = p - f.e;
        digits = digits * 10 + (idx >= 0 && idx < nd ? bi_digit(&f.m, idx) : 0);
    }
    double lnv = log(digits) + (double)(4 * nw - 4) * 2.302585092994046;
    return (int)log10(fabs(lnv));
}

static int clamp_scale(long r) { return (int)DD_MAX(0, DD_MIN(r, NUMERIC_MAX_DISPLAY_SCALE)); }

static int finish_fl(const Fl *x, long r, Arena *ar, Value *out, DdError *err)
{
    Dec d;
    if (!fl_to_dec(&d, x, r, ar)) return nomem(err);
    return num_finish(&d, ar, out, err);
}

static int big_arg(const Value *v, Dec *x, Arena *ar, DdError *err)
{
    if (!ar) return overflow_err(err);
    if (!dec_from_value(x, v, ar)) return nomem(err);
    return DD_OK;
}

static int sqrt_at(const Dec *xp, int r, Arena *ar, Value *out, DdError *err);

int numeric_big_sqrt(const Value *v, Arena *ar, Value *out, DdError *err)
{
    Dec x;
    int rc = big_arg(v, &x, ar, err);
    if (rc) return rc;
    if (x.neg && x.m.n)
        return dd_err(err, DD_EINVALID_ARGUMENT_FUNC, -1, "cannot take square root of a negative number");
    /* PostgreSQL: sweight = (weight + 1) * 2 - 1 (weight in base 10^4) */
    long nd = bi_digits(&x.m), e = nd - 1 - x.scale;
    long w = x.m.n == 0 ? 0 : e >= 0 ? e / 4 : -((-e + 3) / 4);
    int r = clamp_scale(DD_MAX(16 - ((w + 1) * 2 - 1), (long)x.scale));
    return sqrt_at(&x, r, ar, out, err);
}

int numeric_big_sqrt_at(const Value *v, int r, Arena *ar, Value *out, DdError *err)
{
    Dec x;
    int rc = big_arg(v, &x, ar, err);
    if (rc) return rc;
    if (x.neg && x.m.n)
        return dd_err(err, DD_EINVALID_ARGUMENT_FUNC, -1, "cannot take square root of a negative number");
    return sqrt_at(&x, clamp_scale(r), ar, out, err);
}

/* sqrt(x) rounded half up at scale r >= 0. */
static int sqrt_at(const Dec *xp, int r, Arena *ar, Value *out, DdError *err)
{
    Dec x = *xp;
    if (x.m.n == 0) {
        Dec z = {false, r, {0, 0, NULL}};
        if (!bi_alloc(&z.m, ar, 1)) return nomem(err);
        return num_finish(&z, ar, out, err);
    }
    /* exactly: isqrt(I * 10^(2 r + 2 - scale)), then the last digit rounds */
    long k = 2L * r + 2 - x.scale;
    Bi n;
    if (k >= 0) {
        if (!bi_mul_pow10(&n, &x.m, k, ar)) return nomem(err);
    } else if (!bi_shr10(&n, &x.m, -k, ar)) {   /* never: r >= scale */
        return nomem(err);
    }

    Dec d = {false, r + 1, {0, 0, NULL}};   /* floor(sqrt(x) * 10^(r + 1)), then the last digit rounds */
    if (!bi_isqrt(&d.m, &n, ar)) return nomem(err);
    if (!dec_rescale(&d, r, false, ar)) return nomem(err);
    return num_finish(&d, ar, out, err);
}

int numeric_big_ln(const Value *v, Arena *ar, Value *out, DdError *err)
{
    Dec x;
    int rc = big_arg(v, &x, ar, err);
    if (rc) return rc;
    if (x.m.n == 0) return dd_err(err, DD_EINVALID_ARGUMENT_LOG, -1, "cannot take logarithm of zero");
    if (x.neg) return dd_err(err, DD_EINVALID_ARGUMENT_LOG, -1, "cannot take logarithm of a negative number");
    long r = clamp_scale(DD_MAX(16 - est_ln_dweight(&x, ar), (long)x.scale));
    Fl f, l;
    fl_from_dec(&f, &x);
    long P = r + 20 + 7;   /* the digits of ln's integer part (at most 6) and guards */
    if (!fl_ln(&l, &f, P, ar)) return nomem(err);
    return finish_fl(&l, r, ar, out, err);
}

int numeric_big_log(const Value *b, const Value *v, Arena *ar, Value *out, DdError *err)
{
    Dec xb, xv;
    int rc = big_arg(b, &xb, ar, err);
    if (!rc) rc = big_arg(v, &xv, ar, err);
    if (rc) return rc;
    if (xb.m.n == 0 || xv.m.n == 0) return dd_err(err, DD_EINVALID_ARGUMENT_LOG, -1, "cannot take logarithm of zero");
    if (xb.neg || xv.neg) return dd_err(err, DD_EINVALID_ARGUMENT_LOG, -1, "cannot take logarithm of a negative number");
    int db = est_ln_dweight(&xb, ar), dv = est_ln_dweight(&xv, ar);
    long r = clamp_scale(DD_MAX(DD_MAX(16 - (dv - db), (long)xb.scale), (long)xv.scale));
    /* ln(v) / ln(b): both to r + guard digits past their own weights */
    long P = r + 27 + DD_MAX(0, -db) * 2 + DD_MAX(0, dv);
    Fl fb, fv, lb, lv, q;
    fl_from_dec(&fb, &xb);
    fl_from_dec(&fv, &xv);
    if (!fl_ln(&lb, &fb, P, ar) || !fl_ln(&lv, &fv, P, ar)) return nomem(err);
    if (lb.m.n == 0) return dd_err(err, DD_EDIV_ZERO, -1, "division by zero");
    if (!fl_div(&q, &lv, &lb, P, ar)) return nomem(err);
    return finish_fl(&q, r, ar, out, err);
}

/* exp(t) at scale r; t's decimal weight of the result is w. */
static int exp_at(const Fl *t, long r, Arena *ar, Value *out, DdError *err)
{
    double val = fl_to_double(t);
    if (fabs(val) >= 6000.0) {   /* PostgreSQL's NUMERIC_MAX_RESULT_SCALE * 3 */
        if (val > 0) return overflow_err(err);
        Dec z = {false, (int)r, {0, 0, NULL}};
        if (!bi_alloc(&z.m, ar, 1)) return nomem(err);
        return num_finish(&z, ar, out, err);
    }
    long w = (long)floor(val * 0.434294481903252);
    long sig = r + w + 1;
    if (sig < 0) sig = 0;   /* rounds to zero at r but for the guard digits */
    Fl e;
    if (!fl_exp(&e, t, sig + 20 + 10, ar)) return nomem(err);
    return finish_fl(&e, r, ar, out, err);
}

int numeric_big_exp(const Value *v, Arena *ar, Value *out, DdError *err)
{
    Dec x;
    int rc = big_arg(v, &x, ar, err);
    if (rc) return rc;
    Fl f;
    fl_from_dec(&f, &x);
    double val = fl_to_double(&f) * 0.434294481903252;
    val = DD_MAX(DD_MIN(val, 2000.0), -2000.0);
    long r = clamp_scale(DD_MAX(16 - (long)val, (long)x.scale));
    return exp_at(&f, r, ar, out, err);
}

/* a ^ b, a > 0, as PostgreSQL's power_var: exp(b ln a) at its scale. */
static int big_pow_real(const Dec *a, const Dec *b, Arena *ar, Value *out, DdError *err)
{
    int ldw = est_ln_dweight(a, ar);
    Fl fa, fb, la, t;
    fl_from_dec(&fa, a);
    fl_from_dec(&fb, b);
    /* a first estimate of b ln a, 8 digits past its weight */
    if (!fl_ln(&la, &fa, DD_MAX(8 - ldw, 1) + 20, ar) || !fl_mul(&t, &la, &fb, 30, ar)) return nomem(err);
    double val = fl_to_double(&t);
    if (fabs(val) > 2000 * 3.01) {
        if (val > 0) return overflow_err(err);
        Dec z = {false, NUMERIC_MAX_DISPLAY_SCALE, {0, 0, NULL}};
        if (!bi_alloc(&z.m, ar, 1)) return nomem(err);
        return num_finish(&z, ar, out, err);
    }
    val *= 0.434294481903252;
    long r = clamp_scale(DD_MAX(DD_MAX(16 - (long)val, (long)a->scale), (long)b->scale));
    long sig = DD_MAX(r + (long)val, 0);
    /* b ln a to sig + guard digits after the point */
    long bdig = DD_MAX(fl_weight(&fb) + 1, 0);
    long P = sig + 20 + bdig + 7 + 8;   /* + the digits of ln a's and b ln a's integer parts */
    if (!fl_ln(&la, &fa, P, ar) || !fl_mul(&t, &la, &fb, P, ar)) return nomem(err);
    return exp_at(&t, r, ar, out, err);
}

/* ---- gcd, lcm, min_scale, trim_scale of any size ---- */

int numeric_big_gcd(const Value *a, const Value *b, bool lcm, Arena *ar, Value *out, DdError *err)
{
    Dec x, y;
    int rc = big_arg(a, &x, ar, err);
    if (!rc) rc = big_arg(b, &y, ar, err);
    if (rc) return rc;
    int s = DD_MAX(x.scale, y.scale);
    Bi p, q;
    if (!bi_mul_pow10(&p, &x.m, s - x.scale, ar) || !bi_mul_pow10(&q, &y.m, s - y.scale, ar)) return nomem(err);
    Bi g = p, h = q;
    while (h.n) {   /* Euclid */
        Bi qq, rr;
        if (!bi_divmod(&g, &h, &qq, &rr, ar)) return nomem(err);
        g = h;
        h = rr;
    }
    Dec r = {false, s, g};
    if (lcm) {
        if (p.n == 0 || q.n == 0) {
            if (!bi_alloc(&r.m, ar, 1)) return nomem(err);
        } else {
            Bi qq, rr;
            if (!bi_divmod(&p, &g, &qq, &rr, ar) || !bi_mul(&r.m, &qq, &q, ar)) return nomem(err);
        }
    }
    return num_finish(&r, ar, out, err);
}

int numeric_big_trim(const Value *v, Arena *ar, Value *out, int *min_scale, DdError *err)
{
    Dec x;
    int rc = big_arg(v, &x, ar, err);
    if (rc) return rc;
    long low = 0, nd = bi_digits(&x.m);
    while (low < x.scale && low < nd && bi_digit(&x.m, low) == 0) low++;
    if (nd == 0) low = x.scale;
    *min_scale = x.scale - (int)low;
    if (!out) return DD_OK;
    Bi t;
    if (!bi_shr10(&t, &x.m, low, ar)) return nomem(err);
    Dec r = {x.neg && t.n, x.scale - (int)low, t};
    return num_finish(&r, ar, out, err);
}
