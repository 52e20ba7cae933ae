/*
 * keyenc.c - order-preserving key encoding (layout in keyenc.h).
 *
 * Invariants: every encoder writes exactly one self-delimiting value;
 * decoders never read past the cursor's end and set cur->bad on any
 * malformed input (keys come from disk and are fuzzed).
 */
#include "keyenc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USECS_PER_DAY ((i128)86400 * 1000000)
#define I128_MAX_U ((((u128)1) << 127) - 1)

void key_put_null(Buf *b) { buf_putc(b, KEY_TAG_NULL); }

void key_put_bool(Buf *b, bool v)
{
    u8 t[2] = {KEY_TAG_BOOL, v ? 1 : 0};
    buf_append(b, t, 2);
}

void key_put_int(Buf *b, i64 v)
{
    u8 t[9];
    t[0] = KEY_TAG_INT;
    put_u64be(t + 1, (u64)v ^ (1ULL << 63));
    buf_append(b, t, 9);
}

void key_put_float(Buf *b, double v)
{
    u64 bits;
    if (isnan(v)) {
        bits = UINT64_MAX;  /* greatest, as PostgreSQL orders NaN */
    } else {
        if (v == 0) v = 0.0;  /* -0 == 0 */
        memcpy(&bits, &v, 8);
        bits = (bits >> 63) ? ~bits : bits | (1ULL << 63);
    }
    u8 t[9];
    t[0] = KEY_TAG_FLOAT;
    put_u64be(t + 1, bits);
    buf_append(b, t, 9);
}

/* The largest exponent a key can hold: PostgreSQL's numerics have at most
 * 131072 digits before the point.  A key past it is damaged (rendering it
 * would write billions of zeroes). */
#define KEY_NUM_MAX_EXP 131072L

/* A numeric key's exponent after the class byte (inv: its bytes
 * inverted, for negatives), the big form included; false (c bad) when
 * cut short or past what a key can hold. */
static bool get_exp(Cursor *c, u8 inv, long *e)
{
    const u8 *eb = cur_bytes(c, 2);
    if (!eb) return false;
    *e = (long)(u16)(((eb[0] ^ inv) << 8) | (eb[1] ^ inv)) - 0x8000;
    if (*e != 0x7FFF) return true;
    const u8 *x = cur_bytes(c, 4);
    if (!x) return false;
    *e = (long)(((u32)(x[0] ^ inv) << 24) | ((u32)(x[1] ^ inv) << 16) | ((u32)(x[2] ^ inv) << 8) | (u32)(x[3] ^ inv));
    if (*e < 32767 || *e > KEY_NUM_MAX_EXP) {
        c->bad = true;
        return false;
    }
    return true;
}

/* A numeric key's digits (bytes 1..10, at least one, then the end byte)
 * into d (NULL: checked only); false (c bad) otherwise. */
static bool get_digits(Cursor *c, u8 inv, Buf *d)
{
    int k = 0;
    for (;;) {
        u8 x = cur_u8(c) ^ inv;
        if (c->bad) return false;
        if (x == 0) break;
        if (x > 10) {
            c->bad = true;
            return false;
        }
        if (d) buf_putc(d, (u8)('0' + x - 1));
        k++;
    }
    if (!k) c->bad = true;
    return k > 0;
}

/* The exponent: u16 biased by 0x8000 for -32768 < e < 32767 (every pair
 * value); 0xFFFF then u32 e (big-endian) above (only values of more than
 * 32766 digits before the point). */
static int put_exp(u8 *out, long e)
{
    if (e < 32767) {
        u16 ebias = (u16)(e + 0x8000);
        out[0] = (u8)(ebias >> 8);
        out[1] = (u8)ebias;
        return 2;
    }
    out[0] = out[1] = 0xFF;
    out[2] = (u8)(e >> 24);
    out[3] = (u8)(e >> 16);
    out[4] = (u8)(e >> 8);
    out[5] = (u8)e;
    return 6;
}

void key_put_numeric_digits(Buf *b, bool neg, long e, const u8 *digits, size_t k)
{
    buf_putc(b, KEY_TAG_NUM);
    if (k == 0) {
        buf_putc(b, 0x02);
        return;
    }
    buf_putc(b, neg ? 0x01 : 0x03);
    u8 ex[6];
    int ne = put_exp(ex, e);
    u8 inv = neg ? 0xFF : 0x00;
    for (int i = 0; i < ne; i++) buf_putc(b, ex[i] ^ inv);
    for (size_t i = 0; i < k; i++) buf_putc(b, (u8)(digits[i] + 1) ^ inv);
    buf_putc(b, inv);
}

void key_put_numeric(Buf *b, i128 coef, int scale)
{
    if (scale < 0) {   /* -1 NaN, -2 Infinity, -3 -Infinity (keyenc.h) */
        buf_putc(b, KEY_TAG_NUM);
        buf_putc(b, scale == -1 ? 0x05 : scale == -2 ? 0x04 : 0x00);
        return;
    }
    if (coef == 0) {
        key_put_numeric_digits(b, false, 0, NULL, 0);
        return;
    }
    bool neg = coef < 0;
    u128 m = neg ? (u128)0 - (u128)coef : (u128)coef;
    while (m % 10 == 0) {
        m /= 10;
        scale--;
    }
    u8 rev[40], digits[40];
    int k = 0;
    while (m) {
        rev[k++] = (u8)(m % 10);
        m /= 10;
    }
    for (int i = 0; i < k; i++) digits[i] = rev[k - 1 - i];
    key_put_numeric_digits(b, neg, k - scale, digits, (size_t)k);   /* value = 0.d1..dk x 10^e */
}

void key_put_text(Buf *b, const char *s, size_t n)
{
    buf_putc(b, KEY_TAG_TEXT);
    const u8 *p = (const u8 *)s, *end = n ? p + n : p;   /* s may be NULL when n is 0 */
    while (p < end) {
        const u8 *z = memchr(p, 0, (size_t)(end - p));
        if (!z) {
            buf_append(b, p, (size_t)(end - p));
            break;
        }
        buf_append(b, p, (size_t)(z - p));
        buf_putc(b, 0x00);
        buf_putc(b, 0xFF);
        p = z + 1;
    }
    buf_putc(b, 0x00);
    buf_putc(b, 0x01);
}

void key_put_bytes(Buf *b, const void *p, size_t n) { key_put_text(b, p, n); }

void key_put_interval(Buf *b, i32 months, i32 days, i64 usecs)
{
    i128 span = (i128)months * 30 * USECS_PER_DAY + (i128)days * USECS_PER_DAY + usecs;
    u128 u = (u128)span ^ ((u128)1 << 127);
    u8 t[17];
    t[0] = KEY_TAG_IVAL;
    put_u64be(t + 1, (u64)(u >> 64));
    put_u64be(t + 9, (u64)u);
    buf_append(b, t, 17);
}

int key_check_len(size_t len, DdError *err)
{
    if (len <= KEY_MAX_PK) return 0;
    dd_err(err, DD_EPROGRAM_LIMIT, -1, "primary key is too long (%zu bytes, maximum %d)",
           len, KEY_MAX_PK);
    dd_err_hint(err, "Use a shorter key, for example a hash or a generated id.");
    return DD_EPROGRAM_LIMIT;
}

/* ---- decoding ---- */

int key_peek_tag(const Cursor *c)
{
    if (c->bad || c->p >= c->end) return 0;
    return c->p[0];
}

/* Consumes the tag byte; sets bad if it is not `tag`. */
static bool expect_tag(Cursor *c, int tag)
{
    if (key_peek_tag(c) != tag) {
        c->bad = true;
        return false;
    }
    c->p++;
    return true;
}

bool key_get_null(Cursor *c)
{
    if (key_peek_tag(c) != KEY_TAG_NULL) return false;
    c->p++;
    return true;
}

bool key_get_bool(Cursor *c)
{
    if (!expect_tag(c, KEY_TAG_BOOL)) return false;
    u8 v = cur_u8(c);
    if (v > 1) c->bad = true;
    return v == 1;
}

i64 key_get_int(Cursor *c)
{
    if (!expect_tag(c, KEY_TAG_INT)) return 0;
    return (i64)(cur_u64be(c) ^ (1ULL << 63));
}

double key_get_float(Cursor *c)
{
    if (!expect_tag(c, KEY_TAG_FLOAT)) return 0;
    u64 bits = cur_u64be(c);
    if (c->bad) return 0;
    if (bits == UINT64_MAX) return NAN;
    bits = (bits >> 63) ? bits & ~(1ULL << 63) : ~bits;
    double v;
    memcpy(&v, &bits, 8);
    return v;
}

void key_get_numeric(Cursor *c, i128 *coef, int *scale)
{
    *coef = 0;
    *scale = 0;
    if (!expect_tag(c, KEY_TAG_NUM)) return;
    u8 cls = cur_u8(c);
    if (c->bad || cls == 0x02) return;
    if (cls == 0x00 || cls == 0x04 || cls == 0x05) {
        *scale = cls == 0x05 ? -1 : cls == 0x04 ? -2 : -3;
        return;
    }
    if (cls != 0x01 && cls != 0x03) {
        c->bad = true;
        return;
    }
    u8 inv = cls == 0x01 ? 0xFF : 0x00;
    const u8 *eb = cur_bytes(c, 2);
    if (!eb) return;
    int e = (int)(u16)(((eb[0] ^ inv) << 8) | (eb[1] ^ inv)) - 0x8000;
    if (e == 0x7FFF) {   /* a value of more than 32766 digits: never a pair */
        c->bad = true;
        return;
    }
    u128 m = 0;
    int k = 0;
    for (;;) {
        u8 d = cur_u8(c) ^ inv;
        if (c->bad) return;
        if (d == 0) break;
        if (d > 10 || k >= 39) {
            c->bad = true;
            return;
        }
        u128 next = m * 10 + (u128)(d - 1);
        if (next / 10 != m) {
            c->bad = true;
            return;
        }
        m = next;
        k++;
    }
    if (k == 0) {
        c->bad = true;
        return;
    }
    int sc = k - e;
    while (sc < 0) {  /* 1e3 -> 1000, scale 0 */
        if (m > I128_MAX_U / 10) {
            c->bad = true;
            return;
        }
        m *= 10;
        sc++;
    }
    if (m > I128_MAX_U || sc > 127) {
        c->bad = true;
        return;
    }
    *coef = inv ? -(i128)m : (i128)m;
    *scale = sc;
}

void key_get_numeric_text(Cursor *c, Buf *out)
{
    if (!expect_tag(c, KEY_TAG_NUM)) return;
    u8 cls = cur_u8(c);
    if (c->bad) return;
    if (cls == 0x02) { buf_putc(out, '0'); return; }
    if (cls == 0x00 || cls == 0x04 || cls == 0x05) {
        buf_puts(out, cls == 0x05 ? "NaN" : cls == 0x04 ? "Infinity" : "-Infinity");
        return;
    }
    if (cls != 0x01 && cls != 0x03) { c->bad = true; return; }
    u8 inv = cls == 0x01 ? 0xFF : 0x00;
    long e;
    if (!get_exp(c, inv, &e)) return;
    Buf d = BUF_INIT;
    bool ok = get_digits(c, inv, &d);
    if (ok && !buf_ok(&d)) out->oom = true;   /* out of memory, not damage: the caller sees it on out */
    if (ok && buf_ok(&d)) {
        long k = (long)d.len;   /* value = 0.d1..dk x 10^e */
        if (inv) buf_putc(out, '-');
        if (e <= 0) {
            buf_puts(out, "0.");
            for (long i = 0; i < -e; i++) buf_putc(out, '0');
            buf_append(out, d.data, d.len);
        } else if (e >= k) {
            buf_append(out, d.data, d.len);
            for (long i = k; i < e; i++) buf_putc(out, '0');
        } else {
            buf_append(out, d.data, (size_t)e);
            buf_putc(out, '.');
            buf_append(out, d.data + e, (size_t)(k - e));
        }
    }
    buf_free(&d);
}

void key_get_text(Cursor *c, Buf *out)
{
    if (!expect_tag(c, KEY_TAG_TEXT)) return;
    for (;;) {
        const u8 *z = c->p < c->end ? memchr(c->p, 0, (size_t)(c->end - c->p)) : NULL;
        if (!z || z + 1 >= c->end) {
            c->bad = true;
            return;
        }
        buf_append(out, c->p, (size_t)(z - c->p));
        c->p = z + 2;
        if (z[1] == 0x01) return;
        if (z[1] != 0xFF) {
            c->bad = true;
            return;
        }
        buf_putc(out, 0x00);
    }
}

void key_get_interval(Cursor *c, i32 *months, i32 *days, i64 *usecs)
{
    *months = *days = 0;
    *usecs = 0;
    if (!expect_tag(c, KEY_TAG_IVAL)) return;
    u64 hi = cur_u64be(c), lo = cur_u64be(c);
    if (c->bad) return;
    i128 span = (i128)((((u128)hi << 64) | lo) ^ ((u128)1 << 127));
    i128 mon = span / (30 * USECS_PER_DAY);
    span -= mon * 30 * USECS_PER_DAY;
    i128 d = span / USECS_PER_DAY;
    span -= d * USECS_PER_DAY;
    if (mon > INT32_MAX || mon < INT32_MIN) {
        c->bad = true;
        return;
    }
    *months = (i32)mon;
    *days = (i32)d;
    *usecs = (i64)span;
}

void key_skip(Cursor *c)
{
    i32 mo, d;
    i64 us;
    switch (key_peek_tag(c)) {
    case KEY_TAG_NULL: c->p++; break;
    case KEY_TAG_BOOL: key_get_bool(c); break;
    case KEY_TAG_INT: key_get_int(c); break;
    case KEY_TAG_FLOAT: key_get_float(c); break;
    case KEY_TAG_NUM: {
        /* by bytes: a big value's digits do not fit a pair */
        c->p++;
        u8 cls = cur_u8(c);
        if (c->bad || cls == 0x02 || cls == 0x00 || cls == 0x04 || cls == 0x05) break;
        if (cls != 0x01 && cls != 0x03) { c->bad = true; break; }
        u8 inv = cls == 0x01 ? 0xFF : 0x00;
        long e;
        if (get_exp(c, inv, &e)) get_digits(c, inv, NULL);   /* as key_get_numeric_text reads them */
        break;
    }
    case KEY_TAG_IVAL: key_get_interval(c, &mo, &d, &us); break;
    case KEY_TAG_TEXT:
        /* Skip without copying: find the 0x00 0x01 terminator. */
        c->p++;
        for (;;) {
            const u8 *z = c->p < c->end ? memchr(c->p, 0, (size_t)(c->end - c->p)) : NULL;
            if (!z || z + 1 >= c->end || (z[1] != 0x01 && z[1] != 0xFF)) {
                c->bad = true;
                break;
            }
            c->p = z + 2;
            if (z[1] == 0x01) break;
        }
        break;
    default: c->bad = true; break;
    }
}

void key_format_numeric(Buf *out, i128 coef, int scale)
{
    if (scale >= -3 && scale < 0) {
        buf_puts(out, scale == -1 ? "NaN" : scale == -2 ? "Infinity" : "-Infinity");
        return;
    }
    char digits[64];
    int k = 0;
    bool neg = coef < 0;
    u128 m = neg ? (u128)0 - (u128)coef : (u128)coef;
    do {
        digits[k++] = (char)('0' + (int)(m % 10));
        m /= 10;
    } while (m && k < 60);
    if (neg) buf_putc(out, '-');
    if (scale <= 0) {
        for (int i = k - 1; i >= 0; i--) buf_putc(out, (u8)digits[i]);
        for (int i = 0; i < -scale; i++) buf_putc(out, '0');
        return;
    }
    if (k <= scale) {
        buf_puts(out, "0.");
        for (int i = 0; i < scale - k; i++) buf_putc(out, '0');
        for (int i = k - 1; i >= 0; i--) buf_putc(out, (u8)digits[i]);
        return;
    }
    for (int i = k - 1; i >= 0; i--) {
        buf_putc(out, (u8)digits[i]);
        if (i == scale) buf_putc(out, '.');
    }
}

int key_render(const u8 *p, size_t n, Buf *out)
{
    Cursor c;
    cur_init(&c, p, n);
    bool first = true;
    while (!c.bad && cur_left(&c) > 0) {
        if (!first) buf_puts(out, ", ");
        first = false;
        switch (key_peek_tag(&c)) {
        case KEY_TAG_NULL: c.p++; buf_puts(out, "null"); break;
        case KEY_TAG_BOOL: buf_puts(out, key_get_bool(&c) ? "t" : "f"); break;
        case KEY_TAG_INT: buf_printf(out, "%lld", (long long)key_get_int(&c)); break;
        case KEY_TAG_FLOAT: {
            double v = key_get_float(&c);
            char tmp[40];
            snprintf(tmp, sizeof tmp, "%.15g", v);
            if (strtod(tmp, NULL) != v) snprintf(tmp, sizeof tmp, "%.17g", v);
            if (isnan(v)) snprintf(tmp, sizeof tmp, "NaN");
            else if (isinf(v)) snprintf(tmp, sizeof tmp, v > 0 ? "Infinity" : "-Infinity");
            buf_puts(out, tmp);
            break;
        }
        case KEY_TAG_NUM: key_get_numeric_text(&c, out); break;
        case KEY_TAG_TEXT: key_get_text(&c, out); break;
        case KEY_TAG_IVAL: {
            i32 mo, d;
            i64 us;
            key_get_interval(&c, &mo, &d, &us);
            buf_printf(out, "%d mons %d days %lld us", mo, d, (long long)us);
            break;
        }
        default: c.bad = true; break;
        }
    }
    return c.bad ? DD_ECORRUPT : 0;
}
