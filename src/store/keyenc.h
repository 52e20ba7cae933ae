/*
 * keyenc.h - order-preserving key encoding: memcmp order of the encoded
 * bytes equals SQL order of the values (ASC, NULLS LAST as PostgreSQL).
 * Composite keys are the concatenation of their values' encodings; every
 * encoding is self-delimiting, so a key is never a prefix of another key's
 * different value.
 *
 * Layout of one value (first byte is the tag):
 *   KEY_TAG_BOOL  0x10, then 0x00 false / 0x01 true
 *   KEY_TAG_INT   0x20, then 8 bytes BE of (u64)v ^ 1<<63 (all integer
 *                 types, dates, timestamps)
 *   KEY_TAG_FLOAT 0x30, then 8 bytes BE: IEEE bits, -0 folded to +0, NaN
 *                 canonical and greatest; positive: bits | 1<<63;
 *                 negative: ~bits
 *   KEY_TAG_NUM   0x40, then a class byte 0x00 -Infinity / 0x01 negative /
 *                 0x02 zero / 0x03 positive / 0x04 Infinity / 0x05 NaN
 *                 (PostgreSQL's order: NaN above everything; the three
 *                 special classes have no payload); for non-zero values, with the value
 *                 normalized to 0.d1d2..dk x 10^E (d1 != 0, dk != 0, so
 *                 1.0 and 1.00 encode identically): u16 BE of E + 0x8000,
 *                 the digits as bytes d+1 (1..10), then 0x00.  Negative
 *                 values store every byte after the class byte inverted
 *                 (~b), so the terminator is 0xFF.
 *   KEY_TAG_TEXT  0x50, then the bytes with 0x00 escaped as 0x00 0xFF,
 *                 terminated by 0x00 0x01 (text, varchar, bpchar, bytea)
 *   KEY_TAG_IVAL  0x60, then 16 bytes BE of the i128 span in µs
 *                 (months x 30 days + days x 24 h + µs, as PostgreSQL's
 *                 interval comparison) with the sign bit flipped; so
 *                 '1 mon' and '30 days' are equal keys, as in PostgreSQL
 *   KEY_TAG_NULL  0xF0 (no payload; greater than every other tag)
 *
 * Decoders read through a Cursor and set cur->bad on malformed input.
 */
#ifndef DD_STORE_KEYENC_H
#define DD_STORE_KEYENC_H

#include "../util/base.h"
#include "../util/buf.h"
#include "../util/err.h"

enum {
    KEY_TAG_BOOL = 0x10,
    KEY_TAG_INT = 0x20,
    KEY_TAG_FLOAT = 0x30,
    KEY_TAG_NUM = 0x40,
    KEY_TAG_TEXT = 0x50,
    KEY_TAG_IVAL = 0x60,
    KEY_TAG_NULL = 0xF0,
};

/* Longest encoded primary key (format.h FMT_MAX_PK). */
#define KEY_MAX_PK 480

void key_put_null(Buf *b);
void key_put_bool(Buf *b, bool v);
void key_put_int(Buf *b, i64 v);
void key_put_float(Buf *b, double v);
void key_put_numeric(Buf *b, i128 coef, int scale);
/* A finite numeric of any size: value = 0.d1 d2 ... dk x 10^e, digits[]
 * 0..9 most significant first with no trailing zero (k = 0: zero).  The
 * bytes: tag, class 0x03 (positive; 0x01 negative, every byte after it
 * inverted), the exponent (u16 e + 0x8000, or for e >= 32767 0xFFFF and
 * u32 e, big-endian), each digit + 1, 0x00.  Pair values keep the bytes
 * they always had (key_put_numeric). */
void key_put_numeric_digits(Buf *b, bool neg, long e, const u8 *digits, size_t k);
void key_put_text(Buf *b, const char *s, size_t n);
void key_put_bytes(Buf *b, const void *p, size_t n);  /* same as text */
void key_put_interval(Buf *b, i32 months, i32 days, i64 usecs);

/* 0, or 54000 "primary key is too long" when len > KEY_MAX_PK. */
int key_check_len(size_t len, DdError *err);

/* Tag of the next value (without consuming it); 0 at the end. */
int key_peek_tag(const Cursor *c);
/* Decoders: each consumes one value of its kind (tag included); a wrong tag
 * or truncated input sets c->bad. */
bool key_get_null(Cursor *c);             /* true if the next value was NULL (consumed) */
bool key_get_bool(Cursor *c);
i64 key_get_int(Cursor *c);
double key_get_float(Cursor *c);
/* normalized: 1.00 -> (1, 0); the special values as value.h's pairs:
 * coef 0, scale -1 NaN, -2 Infinity, -3 -Infinity (key_put_numeric takes
 * them the same way). */
void key_get_numeric(Cursor *c, i128 *coef, int *scale);
/* Any numeric in plain notation with its digits (no trailing zeros:
 * keys do not keep the scale), NaN, Infinity, -Infinity. */
void key_get_numeric_text(Cursor *c, Buf *out);
/* Text: the unescaped bytes are appended to out (escapes make borrowing
 * impossible in general). */
void key_get_text(Cursor *c, Buf *out);
void key_get_interval(Cursor *c, i32 *months, i32 *days, i64 *usecs); /* from the span */
/* Skips one value of any kind. */
void key_skip(Cursor *c);

/*
 * Renders an encoded key as PostgreSQL shows key values in messages:
 * values separated by ", ", NULL as "null", text unquoted, numerics in
 * plain notation (types are not in the key: integers, dates and timestamps
 * all print as integers).  Returns 0, or DD_ECORRUPT on bad bytes.
 */
int key_render(const u8 *p, size_t n, Buf *out);

/* Formats a numeric (coef x 10^-scale) in plain notation with `scale`
 * digits after the point ("1.50", "-0.05", "12"). */
void key_format_numeric(Buf *out, i128 coef, int scale);

#endif
