/*
 * record.h - row images: the bytes of one version of a row.
 *
 * Layout:
 *   [0]  u8 format (REC_FORMAT = 1)
 *   then fields in strictly increasing column id order, each:
 *     varint column id, u8 tag, payload:
 *       REC_FALSE 1, REC_TRUE 2   no payload
 *       REC_INT 3                 zigzag varint (all integer types, dates,
 *                                 timestamps)
 *       REC_FLOAT 4               8 bytes, IEEE-754 bits little-endian
 *       REC_BYTES 5               varint length + bytes (text, bytea, ...)
 *       REC_NUMERIC 6             u8 scale (0..38), 16 bytes coefficient,
 *                                 two's complement little-endian; the
 *                                 scale bytes 0xF0 NaN, 0xF1 Infinity,
 *                                 0xF2 -Infinity mark the special values
 *                                 (coefficient 0).  Images written before
 *                                 these existed never hold those bytes.
 *       REC_INTERVAL 7            svarint months, svarint days, svarint µs
 *       REC_NULL 8                no payload: an explicit NULL
 *       REC_BIGNUM 9              varint length + bytes: a numeric beyond
 *                                 REC_NUMERIC's 38 digits: u8 sign (0 +,
 *                                 1 -), u16 display scale, then the digits
 *                                 of the integer I (value = I x 10^-scale)
 *                                 in base 10^4, u16 each, least significant
 *                                 first, all little-endian (numbig.c checks
 *                                 them when the row is read)
 * NULLs are not stored: a missing column is NULL, so rows written before a
 * column was added stay readable.  The exception: a column added with a
 * DEFAULT reads that value where its field is missing (ColumnInfo.missing),
 * so its NULLs are stored as REC_NULL.  The type of a column comes from the
 * catalog, never from the image.
 *
 * Building (fields must be added in increasing colid order; a violation
 * makes rec_finish fail with DD_EINTERNAL):
 *     RecBuilder rb; rec_begin(&rb, &buf);
 *     rec_put_int(&rb, 1, 42); rec_put_text(&rb, 3, "x", 1);
 *     if (rec_finish(&rb, err)) ...   // DD_ENOMEM / DD_EINTERNAL
 *
 * Decoding: an iterator (RecIter) or rec_decode into an array.  Every
 * decoder is bounded and reports bad bytes through dd_corrupt (XX001);
 * pointers in RecField borrow the image.
 */
#ifndef DD_STORE_RECORD_H
#define DD_STORE_RECORD_H

#include "../util/base.h"
#include "../util/buf.h"
#include "../util/err.h"

#include <stddef.h>

#define REC_FORMAT 1
#define REC_MAX_SCALE 38
#define REC_NUM_SPECIAL 0xF0   /* first scale byte of the special numerics */

enum {
    REC_FALSE = 1,
    REC_TRUE = 2,
    REC_INT = 3,
    REC_FLOAT = 4,
    REC_BYTES = 5,
    REC_NUMERIC = 6,
    REC_INTERVAL = 7,
    REC_NULL = 8,
    REC_BIGNUM = 9,
};

typedef struct RecField {
    u32 colid;
    u8 tag;                 /* REC_*; bools have tag REC_FALSE / REC_TRUE */
    union {
        bool b;
        i64 i;
        double f;
        struct { const u8 *p; u32 len; } s;   /* borrowed from the image (REC_BYTES, REC_BIGNUM) */
        struct { i128 coef; int scale; } n;
        struct { i32 months, days; i64 usecs; } iv;
    } v;
} RecField;

typedef struct RecBuilder {
    Buf *b;
    u32 last;       /* last colid written */
    bool any;       /* a field was written */
    bool bad;       /* colid order violated */
} RecBuilder;

void rec_begin(RecBuilder *rb, Buf *out);     /* appends the format byte to out */
void rec_put_bool(RecBuilder *rb, u32 colid, bool v);
void rec_put_null(RecBuilder *rb, u32 colid);
void rec_put_int(RecBuilder *rb, u32 colid, i64 v);
void rec_put_float(RecBuilder *rb, u32 colid, double v);
void rec_put_bytes(RecBuilder *rb, u32 colid, const void *p, size_t n);
void rec_put_text(RecBuilder *rb, u32 colid, const char *s, size_t n);
void rec_put_numeric(RecBuilder *rb, u32 colid, i128 coef, int scale);
void rec_put_interval(RecBuilder *rb, u32 colid, i32 months, i32 days, i64 usecs);
/* A big numeric: its sign and the payload (value.h's v.s of the value). */
void rec_put_bignum(RecBuilder *rb, u32 colid, bool neg, const void *p, size_t n);
/* 0, DD_ENOMEM (buffer allocation failed) or DD_EINTERNAL (colid order). */
int rec_finish(RecBuilder *rb, DdError *err);

typedef struct RecIter {
    Cursor c;
    u32 last;
    bool any;
} RecIter;

/* Checks the format byte.  0 or DD_ECORRUPT. */
int rec_iter_init(RecIter *it, const u8 *p, size_t n, DdError *err);
/* 1: *f filled; 0: end; -DD_ECORRUPT: bad bytes (err filled). */
int rec_iter_next(RecIter *it, RecField *f, DdError *err);

/*
 * Walking an image by hand (the batch decoder, row_decode_used): each step
 * accepts exactly what rec_iter_next accepts and returns NULL where it
 * would report damage, so a caller that meets NULL can go rec_iter_next's
 * way for the error.
 */
/* A varint at *pp (at most 10 bytes, the tenth 0 or 1). */
static inline bool rec_get_varint(const u8 **pp, const u8 *end, u64 *out)
{
    const u8 *p = *pp;
    ptrdiff_t avail = end - p;
    /* one to three bytes: column ids, lengths, most integers */
    if (avail >= 1 && !(p[0] & 0x80)) {
        *out = p[0];
        *pp = p + 1;
        return true;
    }
    if (avail >= 2 && !(p[1] & 0x80)) {
        *out = (u64)(p[0] & 0x7f) | (u64)p[1] << 7;
        *pp = p + 2;
        return true;
    }
    if (avail >= 3 && !(p[2] & 0x80)) {
        *out = (u64)(p[0] & 0x7f) | (u64)(p[1] & 0x7f) << 7 | (u64)p[2] << 14;
        *pp = p + 3;
        return true;
    }
    u64 v = 0;
    for (int i = 0; i < 10 && p < end; i++) {
        u8 b = *p++;
        if (i == 9 && b > 1) return false;
        v |= (u64)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *pp = p;
            *out = v;
            return true;
        }
    }
    return false;
}
/* The head of the next field at *pp (its column id and tag), checked as
 * rec_iter_next checks it: ids increase (*last, *any: the previous field's),
 * and a tag follows (p < end on entry).  false: damaged. */
static inline bool rec_field_head(const u8 **pp, const u8 *end, u64 *last, bool *any, u64 *colid, u8 *tag)
{
    const u8 *p = *pp;
    if (*p < 0x80) *colid = *p++;
    else if (!rec_get_varint(&p, end, colid)) return false;
    if (p >= end || *colid > UINT32_MAX || (*any && *colid <= *last)) return false;
    *any = true;
    *last = *colid;
    *tag = *p++;
    *pp = p;
    return true;
}
/* The payload of a field of tag at p of a rarer kind (float, numeric,
 * interval, big numeric) stepped over: the place after it, or NULL. */
const u8 *rec_skip_rare(u8 tag, const u8 *p, const u8 *end);
/* The payload of a field of tag at p stepped over, checked: the place
 * after it, or NULL. */
static inline const u8 *rec_skip_field(u8 tag, const u8 *p, const u8 *end)
{
    u64 len;
    switch (tag) {
    case REC_INT:
        if (p < end && *p < 0x80) return p + 1;
        return rec_get_varint(&p, end, &len) ? p : NULL;
    case REC_BYTES:
        if (!rec_get_varint(&p, end, &len) || len > (u64)(end - p)) return NULL;
        return p + len;
    case REC_FALSE: case REC_TRUE: case REC_NULL:
        return p;
    default:
        return rec_skip_rare(tag, p, end);
    }
}
/* The payload of a field (colid, tag) at p read into *f, as rec_iter_next
 * fills it: the place after it, or NULL. */
const u8 *rec_read_field(u32 colid, u8 tag, const u8 *p, const u8 *end, RecField *f);

/* Decodes a whole image into out[0..max); *n = number of fields.
 * 0, DD_ECORRUPT, or DD_EPROGRAM_LIMIT when more than max fields. */
int rec_decode(const u8 *p, size_t n, RecField *out, int max, int *nout, DdError *err);
/* Finds one column: 1 found, 0 absent (NULL), -DD_ECORRUPT on bad bytes. */
int rec_find(const u8 *p, size_t n, u32 colid, RecField *f, DdError *err);
/* Validates a whole image (used by the writer and by verify). */
int rec_validate(const u8 *p, size_t n, DdError *err);

#endif
