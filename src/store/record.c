/*
 * record.c - row image builder and decoders (layout in record.h).
 *
 * Invariants: a finished image has strictly increasing column ids and only
 * known tags; decoders accept exactly that and report anything else via
 * dd_corrupt, never reading past the image (the record decoder is fuzzed).
 */
#include "record.h"

#include <endian.h>
#include <string.h>

static void put_head(RecBuilder *rb, u32 colid, u8 tag)
{
    if (rb->any && colid <= rb->last) rb->bad = true;
    rb->any = true;
    rb->last = colid;
    buf_put_varint(rb->b, colid);
    buf_putc(rb->b, tag);
}

void rec_begin(RecBuilder *rb, Buf *out)
{
    rb->b = out;
    rb->last = 0;
    rb->any = false;
    rb->bad = false;
    buf_putc(out, REC_FORMAT);
}

void rec_put_bool(RecBuilder *rb, u32 colid, bool v) { put_head(rb, colid, v ? REC_TRUE : REC_FALSE); }
void rec_put_null(RecBuilder *rb, u32 colid) { put_head(rb, colid, REC_NULL); }

void rec_put_int(RecBuilder *rb, u32 colid, i64 v)
{
    put_head(rb, colid, REC_INT);
    buf_put_svarint(rb->b, v);
}

void rec_put_float(RecBuilder *rb, u32 colid, double v)
{
    u64 bits;
    memcpy(&bits, &v, 8);
    put_head(rb, colid, REC_FLOAT);
    buf_put_u64le(rb->b, bits);
}

void rec_put_bytes(RecBuilder *rb, u32 colid, const void *p, size_t n)
{
    put_head(rb, colid, REC_BYTES);
    buf_put_varint(rb->b, n);
    buf_append(rb->b, p, n);
}

void rec_put_text(RecBuilder *rb, u32 colid, const char *s, size_t n) { rec_put_bytes(rb, colid, s, n); }

void rec_put_numeric(RecBuilder *rb, u32 colid, i128 coef, int scale)
{
    put_head(rb, colid, REC_NUMERIC);
    /* scale < 0: value.h's special values NaN (-1), Infinity (-2),
     * -Infinity (-3), stored as 0xF0..0xF2 */
    if (scale >= -3 && scale < 0) scale = REC_NUM_SPECIAL - 1 - scale;
    else if (scale < 0 || scale > REC_MAX_SCALE) rb->bad = true;
    buf_putc(rb->b, (u8)scale);
    u128 u = (u128)coef;
    buf_put_u64le(rb->b, (u64)u);
    buf_put_u64le(rb->b, (u64)(u >> 64));
}

void rec_put_bignum(RecBuilder *rb, u32 colid, bool neg, const void *p, size_t n)
{
    put_head(rb, colid, REC_BIGNUM);
    buf_put_varint(rb->b, n + 1);
    buf_putc(rb->b, neg ? 1 : 0);
    buf_append(rb->b, p, n);
}

void rec_put_interval(RecBuilder *rb, u32 colid, i32 months, i32 days, i64 usecs)
{
    put_head(rb, colid, REC_INTERVAL);
    buf_put_svarint(rb->b, months);
    buf_put_svarint(rb->b, days);
    buf_put_svarint(rb->b, usecs);
}

int rec_finish(RecBuilder *rb, DdError *err)
{
    if (!buf_ok(rb->b)) return dd_err(err, DD_ENOMEM, -1, NULL);
    if (rb->bad)
        return dd_err(err, DD_EINTERNAL, -1, "row image fields out of column order or bad numeric scale");
    return 0;
}

/* The payload of a field (colid, tag) at p read into *f: the place after
 * it, or NULL with *why (when why is not NULL) saying what is wrong (NULL:
 * an unknown tag).  The one reader of a field's payload: rec_iter_next and
 * rec_read_field. */
static const u8 *read_field(u32 colid, u8 tag, const u8 *p, const u8 *end, RecField *f, const char **why)
{
#define BAD(m) do { if (why) *why = (m); return NULL; } while (0)
    u64 u, w[3];
    memset(f, 0, sizeof *f);
    f->colid = colid;
    f->tag = tag;
    switch (tag) {
    case REC_FALSE: f->v.b = false; return p;
    case REC_TRUE: f->v.b = true; return p;
    case REC_NULL: return p;
    case REC_INT:
        if (!rec_get_varint(&p, end, &u)) BAD("truncated field");
        f->v.i = (i64)((u >> 1) ^ (~(u & 1) + 1));
        return p;
    case REC_FLOAT: {
        if (end - p < 8) BAD("truncated field");
        u64 bits;
        memcpy(&bits, p, 8);
        bits = le64toh(bits);
        memcpy(&f->v.f, &bits, 8);
        return p + 8;
    }
    case REC_BYTES:
    case REC_BIGNUM:
        if (!rec_get_varint(&p, end, &u) || u > (u64)(end - p)) BAD("bad length");
        if (tag == REC_BIGNUM && u < 3) BAD("bad numeric");
        f->v.s.p = p;
        f->v.s.len = (u32)u;
        return p + u;
    case REC_NUMERIC: {
        if (end - p < 17) BAD("truncated field");
        u8 scale = p[0];
        u64 lo, hi;
        memcpy(&lo, p + 1, 8);
        memcpy(&hi, p + 9, 8);
        f->v.n.coef = (i128)(((u128)le64toh(hi) << 64) | le64toh(lo));
        if (scale >= REC_NUM_SPECIAL && scale <= REC_NUM_SPECIAL + 2) {
            if (f->v.n.coef != 0) BAD("bad numeric special value");
            f->v.n.scale = REC_NUM_SPECIAL - 1 - scale;   /* -1 NaN, -2 +Inf, -3 -Inf */
        } else if (scale > REC_MAX_SCALE) {
            BAD("bad numeric scale");
        } else {
            f->v.n.scale = scale;
        }
        return p + 17;
    }
    case REC_INTERVAL: {
        for (int q = 0; q < 3; q++)
            if (!rec_get_varint(&p, end, &w[q])) BAD("truncated field");
        i64 mo = (i64)((w[0] >> 1) ^ (~(w[0] & 1) + 1)), d = (i64)((w[1] >> 1) ^ (~(w[1] & 1) + 1));
        if (mo < INT32_MIN || mo > INT32_MAX || d < INT32_MIN || d > INT32_MAX) BAD("bad interval");
        f->v.iv.months = (i32)mo;
        f->v.iv.days = (i32)d;
        f->v.iv.usecs = (i64)((w[2] >> 1) ^ (~(w[2] & 1) + 1));
        return p;
    }
    default:
        if (why) *why = NULL;
        return NULL;
    }
#undef BAD
}

int rec_iter_init(RecIter *it, const u8 *p, size_t n, DdError *err)
{
    cur_init(&it->c, p, n);
    it->last = 0;
    it->any = false;
    if (cur_u8(&it->c) != REC_FORMAT)
        return dd_corrupt(err, "row image: bad format byte");
    return 0;
}

int rec_iter_next(RecIter *it, RecField *f, DdError *err)
{
    Cursor *c = &it->c;
    if (c->bad) return -dd_corrupt(err, "row image: bad iterator state");
    if (cur_left(c) == 0) return 0;
    u64 colid = cur_varint(c);
    u8 tag = cur_u8(c);
    if (c->bad || colid > UINT32_MAX || (it->any && colid <= it->last))
        return -dd_corrupt(err, "row image: bad column id");
    it->any = true;
    it->last = (u32)colid;
    const char *why = NULL;
    const u8 *q = read_field((u32)colid, tag, c->p, c->end, f, &why);
    if (!q) {
        c->bad = true;
        if (!why) return -dd_corrupt(err, "row image: unknown tag %u", tag);
        return -dd_corrupt(err, "row image: %s", why);
    }
    c->p = q;
    return 1;
}

int rec_decode(const u8 *p, size_t n, RecField *out, int max, int *nout, DdError *err)
{
    RecIter it;
    RecField f;
    int rc, k = 0;
    *nout = 0;
    if ((rc = rec_iter_init(&it, p, n, err))) return rc;
    while ((rc = rec_iter_next(&it, &f, err)) == 1) {
        if (k >= max) return dd_err(err, DD_EPROGRAM_LIMIT, -1, "row image has more than %d fields", max);
        out[k++] = f;
    }
    if (rc < 0) return -rc;
    *nout = k;
    return 0;
}

int rec_find(const u8 *p, size_t n, u32 colid, RecField *f, DdError *err)
{
    RecIter it;
    int rc;
    if ((rc = rec_iter_init(&it, p, n, err))) return -rc;
    while ((rc = rec_iter_next(&it, f, err)) == 1) {
        if (f->colid == colid) return 1;
        if (f->colid > colid) return 0;
    }
    return rc;
}

int rec_validate(const u8 *p, size_t n, DdError *err)
{
    RecIter it;
    RecField f;
    int rc;
    if ((rc = rec_iter_init(&it, p, n, err))) return rc;
    while ((rc = rec_iter_next(&it, &f, err)) == 1) {}
    return rc < 0 ? -rc : 0;
}

const u8 *rec_skip_rare(u8 tag, const u8 *p, const u8 *end)
{
    u64 len;
    switch (tag) {
    case REC_FLOAT:
        if (end - p < 8) return NULL;
        return p + 8;
    case REC_NUMERIC: {
        if (end - p < 17) return NULL;
        u8 scale = p[0];
        if (scale > REC_MAX_SCALE) {   /* NaN and the infinities: a zero coefficient */
            bool zero = true;
            for (int q = 1; q <= 16; q++) zero = zero && p[q] == 0;
            if (!(scale >= REC_NUM_SPECIAL && scale <= REC_NUM_SPECIAL + 2 && zero)) return NULL;
        }
        return p + 17;
    }
    case REC_INTERVAL:
        for (int q = 0; q < 3; q++) {
            if (!rec_get_varint(&p, end, &len)) return NULL;
            i64 v = (i64)((len >> 1) ^ (~(len & 1) + 1));
            if (q < 2 && (v < INT32_MIN || v > INT32_MAX)) return NULL;   /* months, days */
        }
        return p;
    case REC_BIGNUM:
        if (!rec_get_varint(&p, end, &len) || len > (u64)(end - p) || len < 3) return NULL;
        return p + len;
    default:
        return NULL;
    }
}

const u8 *rec_read_field(u32 colid, u8 tag, const u8 *p, const u8 *end, RecField *f)
{
    return read_field(colid, tag, p, end, f, NULL);
}
