/*
 * buf.c - growable byte buffers (Buf) and bounded read cursors (Cursor).
 *
 * Buf invariants: len <= cap; data is NULL iff cap == 0; once oom is set,
 * appends are no-ops until buf_reset.  Growth doubles (min 64 bytes).
 *
 * Cursor invariants: p <= end always; a failed read sets bad, leaves p
 * unchanged and returns zero / NULL.
 */
#include "buf.h"
#include "alloc.h"

#include <stdio.h>
#include <string.h>

void buf_init(Buf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->oom = false;
}

void buf_free(Buf *b)
{
    dd_free(b->data);
    buf_init(b);
}

void buf_reset(Buf *b)
{
    b->len = 0;
    b->oom = false;
}

bool buf_reserve(Buf *b, size_t extra)
{
    if (b->oom) return false;
    if (extra <= b->cap - b->len) return true;
    if (extra > SIZE_MAX / 2 - b->len) {
        b->oom = true;
        return false;
    }
    size_t need = b->len + extra;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap *= 2;
    u8 *p = dd_realloc(b->data, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void buf_append_grow(Buf *b, const void *p, size_t n)
{
    if (n == 0 || !buf_reserve(b, n)) return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void buf_putc_grow(Buf *b, u8 c)
{
    if (!buf_reserve(b, 1)) return;
    b->data[b->len++] = c;
}

void buf_puts(Buf *b, const char *s) { buf_append(b, s, strlen(s)); }

void buf_vprintf(Buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0) {
        b->oom = true;
    } else if (buf_reserve(b, (size_t)n + 1)) {
        vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

void buf_printf(Buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void buf_put_u16be(Buf *b, u16 v)
{
    u8 t[2] = {(u8)(v >> 8), (u8)v};
    buf_append(b, t, 2);
}

void buf_put_u32be(Buf *b, u32 v)
{
    u8 t[4];
    put_u32be(t, v);
    buf_append(b, t, 4);
}

void buf_put_u64be(Buf *b, u64 v)
{
    u8 t[8];
    put_u64be(t, v);
    buf_append(b, t, 8);
}

void buf_put_dec(Buf *b, i64 v)
{
    /* two digits per division, written in place (every integer a query
     * returns as text comes here) */
    static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                "8081828384858687888990919293949596979899";
    if (!buf_reserve(b, 20)) return;   /* "-9223372036854775808" */
    char *p = (char *)b->data + b->len;
    u64 m = v < 0 ? (u64)0 - (u64)v : (u64)v;
    if (v < 0) *p++ = '-';
    static const u64 pow10[19] = {10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
                                  100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL,
                                  1000000000000ULL, 10000000000000ULL, 100000000000000ULL,
                                  1000000000000000ULL, 10000000000000000ULL, 100000000000000000ULL,
                                  1000000000000000000ULL, 10000000000000000000ULL};
    int n = 1;   /* digits */
    while (n < 20 && m >= pow10[n - 1]) n++;
    char *e = p + n;
    b->len = (size_t)(e - (char *)b->data);
    while (m >= 100) {
        unsigned r = (unsigned)(m % 100);
        m /= 100;
        e -= 2;
        memcpy(e, pairs + 2 * r, 2);
    }
    if (m >= 10) memcpy(e - 2, pairs + 2 * m, 2);
    else e[-1] = (char)('0' + m);
}

void buf_put_u32le(Buf *b, u32 v)
{
    u8 t[4];
    for (int i = 0; i < 4; i++) t[i] = (u8)(v >> (8 * i));
    buf_append(b, t, 4);
}

void buf_put_u64le(Buf *b, u64 v)
{
    u8 t[8];
    for (int i = 0; i < 8; i++) t[i] = (u8)(v >> (8 * i));
    buf_append(b, t, 8);
}

void buf_put_varint(Buf *b, u64 v)
{
    u8 t[10];
    int n = 0;
    while (v >= 0x80) {
        t[n++] = (u8)(v | 0x80);
        v >>= 7;
    }
    t[n++] = (u8)v;
    buf_append(b, t, (size_t)n);
}

void buf_put_svarint(Buf *b, i64 v)
{
    buf_put_varint(b, ((u64)v << 1) ^ (u64)(v >> 63));
}

char *buf_cstr(Buf *b)
{
    if (!buf_reserve(b, 1)) return NULL;
    b->data[b->len] = '\0';
    return (char *)b->data;
}

/* ---- Cursor ---- */

u16 cur_u16be(Cursor *c)
{
    const u8 *p = cur_take(c, 2);
    return p ? (u16)((p[0] << 8) | p[1]) : 0;
}

u32 cur_u32be(Cursor *c)
{
    const u8 *p = cur_take(c, 4);
    return p ? get_u32be(p) : 0;
}

u64 cur_u64be(Cursor *c)
{
    const u8 *p = cur_take(c, 8);
    return p ? get_u64be(p) : 0;
}

u32 cur_u32le(Cursor *c)
{
    const u8 *p = cur_take(c, 4);
    if (!p) return 0;
    return (u32)p[0] | ((u32)p[1] << 8) | ((u32)p[2] << 16) | ((u32)p[3] << 24);
}

/* cur_varint past its one-byte case (buf.h). */
u64 cur_varint_slow(Cursor *c)
{
    if (c->bad) return 0;
    u64 v = 0;
    const u8 *p = c->p;
    for (int i = 0; i < 10; i++) {
        if (p == c->end) break;
        u8 byte = *p++;
        if (i == 9 && byte > 1) break;
        v |= (u64)(byte & 0x7f) << (7 * i);
        if (!(byte & 0x80)) {
            c->p = p;
            return v;
        }
    }
    c->bad = true;
    return 0;
}

const char *cur_cstr(Cursor *c)
{
    if (c->bad) return NULL;
    const u8 *z = memchr(c->p, 0, (size_t)(c->end - c->p));
    if (!z) {
        c->bad = true;
        return NULL;
    }
    const char *s = (const char *)c->p;
    c->p = z + 1;
    return s;
}
