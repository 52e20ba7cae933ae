/*
 * fuzz_record.c - libFuzzer target for the storage decoders that read
 * bytes from disk: row images (record.h: rec_iter, rec_decode, rec_find,
 * rec_validate), order-preserving keys (keyenc.h: key_render, key_skip and
 * the typed key_get_*), and catalog records (store.h: catalog_decode).
 *
 * The whole input goes to each decoder.  Besides crashes, leaks and
 * undefined behaviour, the target checks that the decoders agree with
 * each other and with the encoders:
 *   - rec_validate, rec_decode and iteration give the same verdict, and a
 *     decoded image rebuilt with RecBuilder decodes to the same fields;
 *   - key_render and a key_skip walk accept exactly the same keys, and
 *     re-encoding the decoded values is a fixed point after one round;
 *   - a decoded catalog record re-encodes to bytes that decode again and
 *     re-encode identically.
 */
#include "store/keyenc.h"
#include "store/record.h"
#include "store/store.h"
#include "util/arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXF 256

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_record: %s\n", what);
    abort();
}

static bool field_eq(const RecField *a, const RecField *b)
{
    if (a->colid != b->colid || a->tag != b->tag) return false;
    switch (a->tag) {
    case REC_FALSE: case REC_TRUE: return a->v.b == b->v.b;
    case REC_NULL: return true;
    case REC_INT: return a->v.i == b->v.i;
    case REC_FLOAT: return memcmp(&a->v.f, &b->v.f, sizeof a->v.f) == 0;
    case REC_BYTES:
        return a->v.s.len == b->v.s.len && (a->v.s.len == 0 || memcmp(a->v.s.p, b->v.s.p, a->v.s.len) == 0);
    case REC_BIGNUM:   /* a sign byte is 0 or not (the builder writes 1) */
        return a->v.s.len == b->v.s.len && a->v.s.len >= 1 && (a->v.s.p[0] != 0) == (b->v.s.p[0] != 0) &&
               memcmp(a->v.s.p + 1, b->v.s.p + 1, a->v.s.len - 1) == 0;
    case REC_NUMERIC: return a->v.n.coef == b->v.n.coef && a->v.n.scale == b->v.n.scale;
    case REC_INTERVAL:
        return a->v.iv.months == b->v.iv.months && a->v.iv.days == b->v.iv.days &&
               a->v.iv.usecs == b->v.iv.usecs;
    }
    return false;
}

static void rebuild(RecBuilder *rb, const RecField *f)
{
    switch (f->tag) {
    case REC_FALSE: case REC_TRUE: rec_put_bool(rb, f->colid, f->v.b); break;
    case REC_NULL: rec_put_null(rb, f->colid); break;
    case REC_BIGNUM: rec_put_bignum(rb, f->colid, f->v.s.p[0] != 0, f->v.s.p + 1, f->v.s.len - 1); break;
    case REC_INT: rec_put_int(rb, f->colid, f->v.i); break;
    case REC_FLOAT: rec_put_float(rb, f->colid, f->v.f); break;
    case REC_BYTES: rec_put_bytes(rb, f->colid, f->v.s.p, f->v.s.len); break;
    case REC_NUMERIC: rec_put_numeric(rb, f->colid, f->v.n.coef, f->v.n.scale); break;
    case REC_INTERVAL:
        rec_put_interval(rb, f->colid, f->v.iv.months, f->v.iv.days, f->v.iv.usecs);
        break;
    default: fail("decoder returned an unknown tag");
    }
}

static void fuzz_rec(const u8 *p, size_t n)
{
    static RecField fields[MAXF], again[MAXF];
    DdError err;
    int nf = 0;
    int vrc = rec_validate(p, n, &err);
    int drc = rec_decode(p, n, fields, MAXF, &nf, &err);
    if (vrc != 0 && vrc != DD_ECORRUPT) fail("rec_validate: unexpected code");
    if (drc != 0 && drc != DD_ECORRUPT && drc != DD_EPROGRAM_LIMIT) fail("rec_decode: unexpected code");
    if ((vrc == 0) != (drc == 0 || drc == DD_EPROGRAM_LIMIT)) fail("rec_validate and rec_decode disagree");
    /* the walk by hand (rec_skip_field, rec_read_field) gives the same
     * verdict, and reads the fields rec_decode reads */
    {
        bool ok = n >= 1 && p[0] == REC_FORMAT, any = false;
        const u8 *q = p + 1, *end = p + n;
        u64 last = 0;
        int k = 0;
        while (ok && q < end) {
            u64 colid;
            u8 tag;
            if (!rec_field_head(&q, end, &last, &any, &colid, &tag)) {
                ok = false;
                break;
            }
            const u8 *skipped = rec_skip_field(tag, q, end);
            RecField f;
            q = rec_read_field((u32)colid, tag, q, end, &f);
            if (!q != !skipped || (q && q != skipped)) fail("rec_skip_field and rec_read_field disagree");
            if (!q) ok = false;
            else if (drc == 0 && (k >= nf || !field_eq(&f, &fields[k]))) fail("rec_read_field reads another field");
            k++;
        }
        if (ok != (vrc == 0)) fail("the walk by hand and rec_validate disagree");
    }
    if (drc != 0) return;

    for (int i = 0; i < nf; i++) {
        RecField f;
        if (rec_find(p, n, fields[i].colid, &f, &err) != 1 || !field_eq(&f, &fields[i]))
            fail("rec_find does not find a decoded field");
        if (fields[i].tag == REC_BYTES && fields[i].v.s.len &&
            (fields[i].v.s.p < p || fields[i].v.s.p + fields[i].v.s.len > p + n))
            fail("bytes field points outside the image");
    }

    Buf b = BUF_INIT;
    RecBuilder rb;
    rec_begin(&rb, &b);
    for (int i = 0; i < nf; i++) rebuild(&rb, &fields[i]);
    if (rec_finish(&rb, &err) != 0) fail("rebuilding a valid image failed");
    int n2 = 0;
    if (rec_decode(b.data, b.len, again, MAXF, &n2, &err) != 0 || n2 != nf)
        fail("rebuilt image does not decode");
    for (int i = 0; i < nf; i++)
        if (!field_eq(&fields[i], &again[i])) fail("rebuilt image decodes to other fields");
    buf_free(&b);
}

/* Decodes every value of key p and re-encodes it into out; false if bad. */
static bool reencode_key(const u8 *p, size_t n, Buf *out)
{
    Cursor c;
    cur_init(&c, p, n);
    while (!c.bad && cur_left(&c) > 0) {
        switch (key_peek_tag(&c)) {
        case KEY_TAG_NULL:
            if (!key_get_null(&c)) fail("key_get_null refused a NULL tag");
            key_put_null(out);
            break;
        case KEY_TAG_BOOL: key_put_bool(out, key_get_bool(&c)); break;
        case KEY_TAG_INT: key_put_int(out, key_get_int(&c)); break;
        case KEY_TAG_FLOAT: key_put_float(out, key_get_float(&c)); break;
        case KEY_TAG_NUM: {
            i128 coef;
            int scale;
            Cursor at = c;
            key_get_numeric(&c, &coef, &scale);
            if (!c.bad) {
                key_put_numeric(out, coef, scale);
                break;
            }
            /* past a pair (more than 38 digits, a big exponent): the
             * bytes key_skip accepts, kept as they are */
            c = at;
            key_skip(&c);
            if (!c.bad) buf_append(out, at.p, (size_t)(c.p - at.p));
            break;
        }
        case KEY_TAG_TEXT: {
            Buf t = BUF_INIT;
            key_get_text(&c, &t);
            if (!c.bad) key_put_text(out, (const char *)t.data, t.len);
            buf_free(&t);
            break;
        }
        case KEY_TAG_IVAL: {
            i32 mo, d;
            i64 us;
            key_get_interval(&c, &mo, &d, &us);
            if (!c.bad) key_put_interval(out, mo, d, us);
            break;
        }
        default: return false;
        }
    }
    return !c.bad;
}

static void fuzz_key(const u8 *p, size_t n)
{
    Buf r = BUF_INIT;
    int rrc = key_render(p, n, &r);
    buf_free(&r);
    if (rrc != 0 && rrc != DD_ECORRUPT) fail("key_render: unexpected code");

    Cursor c;
    cur_init(&c, p, n);
    while (!c.bad && cur_left(&c) > 0) key_skip(&c);
    if ((rrc == 0) != !c.bad) fail("key_render and key_skip disagree");

    Buf b1 = BUF_INIT, b2 = BUF_INIT;
    bool ok = reencode_key(p, n, &b1);
    if (ok != (rrc == 0)) fail("key_render and the typed decoders disagree");
    if (ok && b1.len > 0) {   /* (an empty Buf has data NULL) */
        if (!reencode_key(b1.data, b1.len, &b2)) fail("re-encoded key does not decode");
        if (b1.len != b2.len || (b1.len && memcmp(b1.data, b2.data, b1.len) != 0))
            fail("key re-encoding is not a fixed point");
        Buf r2 = BUF_INIT;
        if (key_render(b1.data, b1.len, &r2) != 0) fail("re-encoded key does not render");
        buf_free(&r2);
    }
    buf_free(&b1);
    buf_free(&b2);
}

static void fuzz_catalog(const u8 *p, size_t n)
{
    Arena a;
    arena_init(&a, 4096);
    TableInfo t, t2;
    DdError err;
    int rc = catalog_decode(p, n, &a, &t, &err);
    if (rc != 0 && rc != DD_ECORRUPT) fail("catalog_decode: unexpected code");
    if (rc == 0) {
        Buf b1 = BUF_INIT, b2 = BUF_INIT;
        catalog_encode(&t, &b1);
        if (catalog_decode(b1.data, b1.len, &a, &t2, &err) != 0) fail("re-encoded catalog record does not decode");
        catalog_encode(&t2, &b2);
        if (b1.len != b2.len || memcmp(b1.data, b2.data, b1.len) != 0)
            fail("catalog re-encoding is not a fixed point");
        buf_free(&b1);
        buf_free(&b2);
    }
    arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_rec(data, size);
    fuzz_key(data, size);
    fuzz_catalog(data, size);
    return 0;
}
