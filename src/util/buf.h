/*
 * buf.h - growable byte buffers for building records, keys and messages,
 * and bounded cursors for reading them back.
 *
 * Buf: append-only; on allocation failure the buffer turns sticky-failed
 * (b->oom = true) and further appends do nothing, so a writer can append a
 * whole record and check once with buf_ok().
 *
 * Cursor: every read from a disk or network buffer goes through it; a read
 * past the end sets cur->bad and returns zeroes, and cur_end() checks that a
 * message was consumed exactly.
 *
 * Multi-byte integers: *_be are big-endian (keys, wire), varints are
 * LEB128 (7 bits per byte, low first), zigzag for signed.
 */
#ifndef DD_BUF_H
#define DD_BUF_H

#include "base.h"
#include <endian.h>
#include <stdarg.h>
#include <string.h>

typedef struct Buf {
    u8 *data;
    size_t len;
    size_t cap;
    bool oom;
} Buf;

#define BUF_INIT {NULL, 0, 0, false}

void buf_init(Buf *b);
void buf_free(Buf *b);
void buf_reset(Buf *b);                 /* len = 0, keeps memory, clears oom */
bool buf_reserve(Buf *b, size_t extra); /* false (and oom) on failure */
static inline bool buf_ok(const Buf *b) { return !b->oom; }
/* Appends; the common case (room enough) inline, the rest in buf.c. */
void buf_append_grow(Buf *b, const void *p, size_t n);
void buf_putc_grow(Buf *b, u8 c);
static inline void buf_append(Buf *b, const void *p, size_t n)
{
    if (n && n <= b->cap - b->len && !b->oom) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
    } else {
        buf_append_grow(b, p, n);
    }
}
static inline void buf_putc(Buf *b, u8 c)
{
    if (b->len < b->cap && !b->oom) b->data[b->len++] = c;
    else buf_putc_grow(b, c);
}
void buf_puts(Buf *b, const char *s);   /* without the NUL */
void buf_printf(Buf *b, const char *fmt, ...) DD_PRINTF(2, 3);
void buf_vprintf(Buf *b, const char *fmt, va_list ap);
void buf_put_u16be(Buf *b, u16 v);
void buf_put_u32be(Buf *b, u32 v);
void buf_put_u64be(Buf *b, u64 v);
void buf_put_u32le(Buf *b, u32 v);
void buf_put_u64le(Buf *b, u64 v);
void buf_put_varint(Buf *b, u64 v);
/* v in decimal, as printf's %lld (a value's text form, a tag's count) */
void buf_put_dec(Buf *b, i64 v);
void buf_put_svarint(Buf *b, i64 v);   /* zigzag */
/* NUL-terminates without counting the NUL in len. Returns data or NULL. */
char *buf_cstr(Buf *b);

typedef struct Cursor {
    const u8 *p;
    const u8 *end;
    bool bad;   /* a read went past the end or a varint was malformed */
} Cursor;

static inline void cur_init(Cursor *c, const void *p, size_t n)
{
    c->p = (const u8 *)p;
    c->end = c->p + n;
    c->bad = false;
}
static inline size_t cur_left(const Cursor *c) { return (size_t)(c->end - c->p); }
/* True when the cursor is valid and fully consumed. */
static inline bool cur_end(const Cursor *c) { return !c->bad && c->p == c->end; }
/* Returns p and advances by n, or NULL (and bad) when fewer than n left.
 * The readers row images are decoded with are inline: a call per field
 * was a tenth of decoding a row. */
static inline const u8 *cur_take(Cursor *c, size_t n)
{
    if (c->bad || (size_t)(c->end - c->p) < n) {
        c->bad = true;
        return NULL;
    }
    const u8 *p = c->p;
    c->p += n;
    return p;
}
static inline u8 cur_u8(Cursor *c)
{
    const u8 *p = cur_take(c, 1);
    return p ? p[0] : 0;
}
u16 cur_u16be(Cursor *c);
u32 cur_u32be(Cursor *c);
u64 cur_u64be(Cursor *c);
u32 cur_u32le(Cursor *c);
static inline u64 cur_u64le(Cursor *c)
{
    const u8 *p = cur_take(c, 8);
    if (!p) return 0;
    u64 v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}
u64 cur_varint_slow(Cursor *c);
/* LEB128, at most 10 bytes; the 10th byte may only carry the top bit.
 * Truncated encodings (and longer ones) set bad. */
static inline u64 cur_varint(Cursor *c)
{
    if (!c->bad && c->p != c->end && *c->p < 0x80) return *c->p++;
    return cur_varint_slow(c);
}
static inline i64 cur_svarint(Cursor *c)
{
    u64 u = cur_varint(c);
    return (i64)((u >> 1) ^ (~(u & 1) + 1));
}
/* Returns a pointer to n bytes inside the buffer (borrowed), or NULL. */
static inline const u8 *cur_bytes(Cursor *c, size_t n) { return cur_take(c, n); }
/* Reads a NUL-terminated string; NULL if no NUL before the end. */
const char *cur_cstr(Cursor *c);

/* Fixed-position helpers. */
static inline void put_u64be(u8 *p, u64 v)
{
    for (int i = 7; i >= 0; i--) { p[i] = (u8)v; v >>= 8; }
}
static inline u64 get_u64be(const u8 *p)
{
    u64 v;
    memcpy(&v, p, 8);
    return be64toh(v);
}
static inline void put_u32be(u8 *p, u32 v)
{
    p[0] = (u8)(v >> 24); p[1] = (u8)(v >> 16); p[2] = (u8)(v >> 8); p[3] = (u8)v;
}
static inline u32 get_u32be(const u8 *p)
{
    return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | p[3];
}

#endif
