/*
 * rowcodec.c - SQL values <-> row images and keys (see rowcodec.h).
 *
 * Type mapping (column type -> record tag / key tag):
 *   BOOL -> REC_FALSE/TRUE, KEY_TAG_BOOL
 *   INT2/INT4/INT8, DATE, TIMESTAMP(TZ) -> REC_INT, KEY_TAG_INT
 *   FLOAT4/FLOAT8 -> REC_FLOAT, KEY_TAG_FLOAT
 *   NUMERIC -> REC_NUMERIC, KEY_TAG_NUM
 *   TEXT/VARCHAR/BPCHAR (and untyped document columns) -> REC_BYTES, KEY_TAG_TEXT
 *   INTERVAL -> REC_INTERVAL, KEY_TAG_IVAL
 *   JSON, JSONB -> REC_BYTES (their text); JSONB keys: KEY_TAG_TEXT of the
 *   text with numbers written without trailing fraction zeros
 * A field whose tag does not fit its column's type is corrupt data.
 */
#include "rowcodec.h"
#include "json.h"
#include "array.h"
#include "../../store/record.h"
#include "../../store/keyenc.h"
#include <string.h>

/* xid8 keys: the sign bit flipped, so unsigned ids sort as integers */
#define XID8_KEY_FLIP ((u64)1 << 63)

int table_col_index(const TableInfo *t, u32 colid)
{
    /* columns are kept in id order of creation: try the direct guess first */
    if (colid >= 1 && colid <= (u32)t->ncols && t->cols[colid - 1].id == colid) return (int)colid - 1;
    for (int i = 0; i < t->ncols; i++)
        if (t->cols[i].id == colid) return i;
    return -1;
}

static TypeId col_type(const ColumnInfo *c)
{
    return c->type == TYPE_NULLTYPE ? TYPE_TEXT : (TypeId)c->type;
}

int row_encode(const TableInfo *t, const Value *vals, Buf *out, DdError *err)
{
    buf_reset(out);
    RecBuilder rb;
    rec_begin(&rb, out);
    /* fields in increasing column id order: columns are appended with
     * increasing ids, so table order is id order */
    for (int i = 0; i < t->ncols; i++) {
        const ColumnInfo *c = &t->cols[i];
        const Value *v = &vals[i];
        if (c->dropped) continue;
        if (v->isnull) {
            /* a NULL is the missing field, except where that reads a value */
            if (c->missing) rec_put_null(&rb, c->id);
            continue;
        }
        switch (col_type(c)) {
        case TYPE_BOOL: rec_put_bool(&rb, c->id, v->v.b); break;
        case TYPE_INT2: case TYPE_INT4: case TYPE_INT8:
        case TYPE_DATE: case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ: case TYPE_TIME: case TYPE_TIMETZ:
        case TYPE_OID: case TYPE_CHAR: case TYPE_ENUM:
        case TYPE_REGPROC: case TYPE_REGCLASS: case TYPE_REGTYPE: case TYPE_REGNAMESPACE: case TYPE_REGROLE: case TYPE_REGPROCEDURE:
        case TYPE_XID8:
            rec_put_int(&rb, c->id, v->v.i); break;
        case TYPE_FLOAT4: case TYPE_FLOAT8: rec_put_float(&rb, c->id, v->v.f); break;
        case TYPE_NUMERIC:
            if (numeric_is_big(v->scale)) rec_put_bignum(&rb, c->id, v->scale == NUMERIC_BIG_NEG, v->v.s.p, v->v.s.len);
            else rec_put_numeric(&rb, c->id, v->v.coef, v->scale);
            break;
        case TYPE_INTERVAL: rec_put_interval(&rb, c->id, v->v.iv.months, v->v.iv.days, v->v.iv.usecs); break;
        default: rec_put_text(&rb, c->id, v->v.s.p, v->v.s.len); break;
        }
    }
    return rec_finish(&rb, err);
}

static int field_value(const ColumnInfo *c, const RecField *f, Value *out, DdError *err)
{
    TypeId t = col_type(c);
    if (type_is_array(t)) {
        if (f->tag == REC_BYTES && array_bytes_valid(type_elem(t), f->v.s.p, f->v.s.len)) {
            *out = val_text(t, (const char *)f->v.s.p, f->v.s.len);
            return DD_OK;
        }
        return dd_corrupt(err, "row image field of column \"%s\" is not a valid %s value", c->name, type_name(t));
    }
    switch (t) {
    case TYPE_BOOL:
        if (f->tag != REC_FALSE && f->tag != REC_TRUE) break;
        *out = val_bool(f->tag == REC_TRUE);
        return DD_OK;
    case TYPE_INT2: case TYPE_INT4: case TYPE_INT8:
    case TYPE_DATE: case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ: case TYPE_XID8:
        if (f->tag != REC_INT) break;
        val_set_int(out, t, f->v.i);
        return DD_OK;
    case TYPE_TIME:
        if (f->tag != REC_INT || f->v.i < 0 || f->v.i > 86400LL * 1000000) break;
        *out = val_int(t, f->v.i);
        return DD_OK;
    case TYPE_OID: case TYPE_CHAR:
    case TYPE_REGPROC: case TYPE_REGCLASS: case TYPE_REGTYPE: case TYPE_REGNAMESPACE: case TYPE_REGROLE: case TYPE_REGPROCEDURE:
        if (f->tag != REC_INT || f->v.i < 0 || f->v.i > (type_is_oidlike(t) ? (i64)UINT32_MAX : 255)) break;
        *out = val_int(t, f->v.i);
        return DD_OK;
    case TYPE_ENUM:   /* the label's key; the type is the column's (typmod) */
        if (f->tag != REC_INT) break;
        *out = val_int(TYPE_INT8, f->v.i);
        out->type = TYPE_ENUM;
        out->etype = (u32)c->typmod;
        return DD_OK;
    case TYPE_TIMETZ:
        if (f->tag != REC_INT || f->v.i < 0 || timetz_us(f->v.i) > 86400LL * 1000000 ||
            timetz_zone(f->v.i) < -57599 || timetz_zone(f->v.i) > 57599)
            break;
        *out = val_int(t, f->v.i);
        return DD_OK;
    case TYPE_FLOAT4: case TYPE_FLOAT8:
        if (f->tag != REC_FLOAT) break;
        *out = val_float(t, f->v.f);
        return DD_OK;
    case TYPE_NUMERIC:
        /* an integer stored before a document column widened to numeric */
        if (f->tag == REC_INT) { *out = val_numeric((i128)f->v.i, 0); return DD_OK; }
        if (f->tag == REC_BIGNUM) {
            const char *p = (const char *)f->v.s.p;
            if ((u8)p[0] > 1 || !numeric_big_check(p + 1, f->v.s.len - 1)) break;
            *out = val_numeric(0, 0);
            out->scale = p[0] ? NUMERIC_BIG_NEG : NUMERIC_BIG;
            out->v.s.p = p + 1;   /* borrowed from the image, as text is */
            out->v.s.len = f->v.s.len - 1;
            return DD_OK;
        }
        if (f->tag != REC_NUMERIC) break;
        val_set_numeric(out, f->v.n.coef, f->v.n.scale);
        return DD_OK;
    case TYPE_INTERVAL:
        if (f->tag != REC_INTERVAL) break;
        out->type = TYPE_INTERVAL;
        out->isnull = false;
        out->scale = 0;
        out->v.iv.months = f->v.iv.months;
        out->v.iv.days = f->v.iv.days;
        out->v.iv.usecs = f->v.iv.usecs;
        return DD_OK;
    case TYPE_UUID:
        if (f->tag != REC_BYTES || f->v.s.len != 16) break;
        *out = val_text(TYPE_UUID, (const char *)f->v.s.p, 16);
        return DD_OK;
    default:
        if (f->tag != REC_BYTES) break;
        val_set_text(out, t, (const char *)f->v.s.p, f->v.s.len);
        return DD_OK;
    }
    return dd_corrupt(err, "row image field of column \"%s\" has tag %d, which does not fit type %s",
                      c->name, f->tag, type_name(t));
}

int row_field_value(const ColumnInfo *c, const RecField *f, Value *out, DdError *err)
{
    return field_value(c, f, out, err);
}

int row_decode(const TableInfo *t, const u8 *rec, u32 n, Value *vals, DdError *err)
{
    return row_decode_used(t, rec, n, vals, NULL, err);
}

/* Column ci had no field in an image: the value a column added with a
 * DEFAULT reads there (its NULL otherwise stays). */
static int missing_value(const TableInfo *t, int ci, Value *vals, const bool *used, DdError *err)
{
    const ColumnInfo *c = &t->cols[ci];
    if (!c->missing || c->dropped || (used && !used[ci])) return DD_OK;
    RecIter it;
    RecField f;
    int rc = rec_iter_init(&it, c->missing, c->missinglen, err);
    if (rc) return rc;
    rc = rec_iter_next(&it, &f, err);
    if (rc < 0) return -rc;
    if (rc == 0 || f.colid != c->id || f.tag == REC_NULL)
        return dd_corrupt(err, "the missing value of column \"%s\" is malformed", c->name);
    return field_value(c, &f, &vals[ci], err);
}

/* row_decode_used through rec_iter_next: the way that says what is wrong
 * with a damaged image.  Called from the walk by hand, which may have
 * filled some values already: each column it reaches is set again, the
 * others keep what they have (the caller reads none after an error). */
static __attribute__((noinline)) int decode_iter(const TableInfo *t, const u8 *rec, u32 n, Value *vals,
                                                 const bool *used, DdError *err)
{
    RecIter it;
    int rc = rec_iter_init(&it, rec, n, err);
    if (rc) return rc;
    RecField f;
    int ci = 0;
    while ((rc = rec_iter_next(&it, &f, err)) == 1) {
        /* fields and columns are both in id order: walk them together */
        while (ci < t->ncols && t->cols[ci].id < f.colid) {
            if ((rc = missing_value(t, ci++, vals, used, err))) return rc;
        }
        if (ci >= t->ncols || t->cols[ci].id != f.colid) continue;
        if (t->cols[ci].dropped || (used && !used[ci]) || f.tag == REC_NULL) { ci++; continue; }
        rc = field_value(&t->cols[ci], &f, &vals[ci], err);
        if (rc) return rc;
        ci++;
    }
    if (rc < 0) return -rc;
    while (ci < t->ncols)
        if ((rc = missing_value(t, ci++, vals, used, err))) return rc;
    return DD_OK;
}

int row_decode_used(const TableInfo *t, const u8 *rec, u32 n, Value *vals, const bool *used, DdError *err)
{
    const int nc = t->ncols;
    const ColumnInfo *cols = t->cols;
    for (int i = 0; i < nc; i++) {
        val_set_null(&vals[i], col_type(&cols[i]));
        if (vals[i].type == TYPE_ENUM) vals[i].etype = (u32)cols[i].typmod;
    }
    /* the fields walked by hand: the unread ones stepped over without
     * being decoded; anything rec_iter_next would call damaged goes its
     * way (decode_iter), which says what is wrong */
    if (n < 1 || rec[0] != REC_FORMAT) return decode_iter(t, rec, n, vals, used, err);
    const u8 *p = rec + 1, *end = rec + n;
    u64 last = 0;
    bool any = false;
    int ci = 0, rc;
    while (p < end) {
        u64 colid;
        u8 tag;
        if (!rec_field_head(&p, end, &last, &any, &colid, &tag)) return decode_iter(t, rec, n, vals, used, err);
        /* fields and columns are both in id order: walk them together.
         * The field is checked before the columns it passes get their
         * missing values, as rec_iter_next's way checks it (so a damaged
         * field is reported before a bad missing value after it) */
        int cj = ci;
        while (cj < nc && cols[cj].id < colid) cj++;
        bool mine = cj < nc && cols[cj].id == colid;
        bool read = mine && !cols[cj].dropped && (!used || used[cj]) && tag != REC_NULL;
        RecField f;
        const u8 *q = read ? rec_read_field((u32)colid, tag, p, end, &f) : rec_skip_field(tag, p, end);
        if (!q) return decode_iter(t, rec, n, vals, used, err);
        p = q;
        while (ci < cj)
            if ((rc = missing_value(t, ci++, vals, used, err))) return rc;
        if (!mine) continue;
        ci++;
        if (read && (rc = field_value(&cols[cj], &f, &vals[cj], err))) return rc;
    }
    while (ci < nc)
        if ((rc = missing_value(t, ci++, vals, used, err))) return rc;
    return DD_OK;
}

/* Order-preserving key of array v: a KEY_TAG_TEXT whose bytes are, per
 * element, 0x01 and the element's key, then 0x00, ndim, and per dimension
 * its length and lower bound (big-endian, sign-flipped), so that memcmp
 * order is array_compare's. */
static void array_key_encode(const Value *v, Buf *out)
{
    ArrayVal a;
    Arena tmp;
    arena_init(&tmp, 4096);
    Buf inner = BUF_INIT;
    if (array_from_value(v, &tmp, &a, NULL) == DD_OK) {
        for (u32 i = 0; i < a.n; i++) {
            buf_putc(&inner, 1);
            key_encode_value(&a.items[i], &inner);
        }
        buf_putc(&inner, 0);
        buf_putc(&inner, (u8)a.ndim);
        for (int i = 0; i < a.ndim; i++) {
            buf_put_u32be(&inner, (u32)a.dims[i]);
            buf_put_u32be(&inner, (u32)a.lbound[i] ^ 0x80000000u);
        }
    }
    if (!buf_ok(&inner)) out->oom = true;
    key_put_bytes(out, inner.data, inner.len);
    buf_free(&inner);
    arena_free(&tmp);
}

void key_encode_value(const Value *v, Buf *out)
{
    if (v->isnull) { key_put_null(out); return; }
    if (type_is_array((TypeId)v->type)) { array_key_encode(v, out); return; }
    switch ((TypeId)v->type) {
    case TYPE_BOOL: key_put_bool(out, v->v.b); break;
    case TYPE_INT2: case TYPE_INT4: case TYPE_INT8:
    case TYPE_DATE: case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ: case TYPE_TIME: case TYPE_OID: case TYPE_CHAR:
    case TYPE_ENUM:
    case TYPE_REGPROC: case TYPE_REGCLASS: case TYPE_REGTYPE: case TYPE_REGNAMESPACE: case TYPE_REGROLE: case TYPE_REGPROCEDURE:
        key_put_int(out, v->v.i); break;
    case TYPE_TIMETZ: key_put_int(out, timetz_key(v->v.i)); break;
    case TYPE_XID8: key_put_int(out, (i64)((u64)v->v.i ^ XID8_KEY_FLIP)); break;   /* unsigned order */
    case TYPE_FLOAT4: case TYPE_FLOAT8: key_put_float(out, v->v.f); break;
    case TYPE_NUMERIC:
        if (numeric_is_big(v->scale)) {
            Arena ar;
            arena_init(&ar, 4096);
            const u8 *d;
            long k, e;
            if (numeric_big_key(v, &ar, &d, &k, &e) == DD_OK)
                key_put_numeric_digits(out, v->scale == NUMERIC_BIG_NEG && k > 0, e, d, (size_t)k);
            else
                out->oom = true;
            arena_free(&ar);
        } else {
            key_put_numeric(out, v->v.coef, v->scale);
        }
        break;
    case TYPE_INTERVAL: key_put_interval(out, v->v.iv.months, v->v.iv.days, v->v.iv.usecs); break;
    case TYPE_UUID: case TYPE_BYTEA: key_put_bytes(out, v->v.s.p, v->v.s.len); break;
    case TYPE_JSONB: {
        /* equal documents, equal keys (1.0 = 1); the order is not jsonb's,
         * so the planner uses such keys for equality only */
        Buf k = BUF_INIT;
        jsonb_key_text(v, &k);
        key_put_text(out, buf_ok(&k) && k.len ? (const char *)k.data : "", k.len);
        buf_free(&k);
        break;
    }
    default: {
        u32 len = v->v.s.len;
        if (v->type == TYPE_BPCHAR) while (len && v->v.s.p[len - 1] == ' ') len--;
        key_put_text(out, v->v.s.p, len);
        break;
    }
    }
}

int row_pk(const TableInfo *t, const Value *vals, Buf *out, DdError *err)
{
    buf_reset(out);
    for (int k = 0; k < t->npk; k++) {
        int ci = table_col_index(t, t->pk[k]);
        if (ci < 0) return dd_corrupt(err, "primary key column %u missing from table \"%s\"", t->pk[k], t->name);
        if (vals[ci].isnull) {
            int rc = dd_err(err, DD_ENOT_NULL, -1,
                            "null value in column \"%s\" of relation \"%s\" violates not-null constraint",
                            t->cols[ci].name, name_base(t->name));
            dd_err_relation(err, t, t->cols[ci].name, NULL);
            return rc;
        }
        key_encode_value(&vals[ci], out);
    }
    if (!buf_ok(out)) return dd_err(err, DD_ENOMEM, -1, NULL);
    if (out->len > KEY_MAX_PK)
        return dd_err(err, DD_EPROGRAM_LIMIT, -1,
                      "primary key of relation \"%s\" is too long (%zu bytes encoded, at most %d)",
                      name_base(t->name), out->len, KEY_MAX_PK);
    return DD_OK;
}

void row_index_key(const TableInfo *t, const IndexInfo *ix, const Value *vals, Buf *out)
{
    buf_reset(out);
    for (int k = 0; k < ix->ncols; k++) {
        int ci = table_col_index(t, ix->cols[k]);
        if (ci < 0) { key_put_null(out); continue; }
        key_encode_value(&vals[ci], out);
    }
    /* long values: index a prefix; lookups truncate the same way and the
     * rows found are checked against the full condition */
    if (out->len > ROW_INDEX_PREFIX) out->len = ROW_INDEX_PREFIX;
}

/* ---- key values back to values ---- */

bool key_type_exact(TypeId t)
{
    return type_is_int(t) || t == TYPE_BOOL || t == TYPE_DATE || t == TYPE_TIMESTAMP || t == TYPE_TIMESTAMPTZ ||
           t == TYPE_TIME || type_is_oidlike(t) || t == TYPE_CHAR || t == TYPE_TEXT || t == TYPE_VARCHAR || t == TYPE_NAME;
}

bool key_decode_value(Cursor *c, TypeId t, Arena *a, Value *out)
{
    if (!key_type_exact(t)) return false;
    int tag = key_peek_tag(c);
    if (tag == KEY_TAG_NULL) {
        key_get_null(c);
        *out = val_null(t);
        return !c->bad;
    }
    if (t == TYPE_BOOL) {
        if (tag != KEY_TAG_BOOL) { c->bad = true; return false; }
        *out = val_bool(key_get_bool(c));
    } else if (t == TYPE_TEXT || t == TYPE_VARCHAR || t == TYPE_NAME) {
        if (tag != KEY_TAG_TEXT) { c->bad = true; return false; }
        Buf text = BUF_INIT;
        key_get_text(c, &text);
        char *p = NULL;
        size_t n = text.len;
        if (!c->bad && buf_ok(&text)) p = arena_memdup(a, n ? (const char *)text.data : "", n + 1);
        buf_free(&text);
        if (!p) { c->bad = true; return false; }
        *out = val_text(t, p, (u32)n);
    } else {
        if (tag != KEY_TAG_INT) { c->bad = true; return false; }
        *out = val_int(t, key_get_int(c));
    }
    return !c->bad;
}

/* ---- keys as text ---- */

/* Appends one key value of type t (NULLTYPE: unknown) to out; vc (or
 * NULL) names enum labels. */
static void render_key_value(Cursor *c, TypeId t, i32 typmod, const ValueCtx *vc, Buf *out)
{
    static const ValueCtx vctx0;   /* UTC, shortest exact floats */
    ValueCtx vctx = vctx0;
    if (vc) {
        vctx.type_lookup = vc->type_lookup;
        vctx.type_arg = vc->type_arg;
    }
    Value v;
    Buf text = BUF_INIT;
    switch (key_peek_tag(c)) {
    case KEY_TAG_NULL:
        c->p++;
        buf_puts(out, "null");
        return;
    case KEY_TAG_BOOL: v = val_bool(key_get_bool(c)); break;
    case KEY_TAG_INT: {
        i64 i = key_get_int(c);
        /* a date or timestamp far outside its range (a damaged key that
         * verify reports) prints as the integer it holds */
        bool sane = t == TYPE_DATE ? i >= INT32_MIN && i <= INT32_MAX
                    : t == TYPE_TIMESTAMP || t == TYPE_TIMESTAMPTZ ? i >= -(i64)1e17 && i <= (i64)1e17
                    : t == TYPE_TIME ? i >= 0 && i <= 86400LL * 1000000
                    : t == TYPE_TIMETZ ? i > -((i64)1 << 55) && i < ((i64)1 << 55)
                    : type_is_oidlike(t) ? i >= 0 && i <= (i64)UINT32_MAX
                    : t == TYPE_CHAR ? i >= 0 && i <= 255
                    : type_is_int(t) || t == TYPE_XID8;
        if (t == TYPE_XID8) i = (i64)((u64)i ^ XID8_KEY_FLIP);
        if (sane && t == TYPE_TIMETZ) {
            i = timetz_from_key(i);
            sane = timetz_us(i) >= 0 && timetz_us(i) <= 86400LL * 1000000;
        }
        v = val_int(sane ? t : TYPE_INT8, i);
        if (t == TYPE_ENUM && typmod > 0) {
            v.type = TYPE_ENUM;
            v.etype = (u32)typmod;
        }
        break;
    }
    case KEY_TAG_FLOAT: v = val_float(t == TYPE_FLOAT4 ? TYPE_FLOAT4 : TYPE_FLOAT8, key_get_float(c)); break;
    case KEY_TAG_NUM: {
        i128 coef, scaled;
        int scale;
        Cursor at = *c;
        key_get_numeric(c, &coef, &scale);
        if (c->bad) {   /* more than a pair holds: its digits as they are */
            *c = at;
            key_get_numeric_text(c, out);
            buf_free(&text);
            return;
        }
        int want = t == TYPE_NUMERIC && typmod >= 0 ? DD_MAX(numeric_typmod_scale(typmod), 0) : scale;
        if (!numeric_is_special(scale) && want > scale && numeric_rescale(coef, scale, want, &scaled, NULL) == DD_OK) {
            coef = scaled;
            scale = want;
        }
        v = val_numeric(coef, scale);
        break;
    }
    case KEY_TAG_IVAL:
        v.type = TYPE_INTERVAL;
        v.isnull = false;
        v.scale = 0;
        key_get_interval(c, &v.v.iv.months, &v.v.iv.days, &v.v.iv.usecs);
        break;
    case KEY_TAG_TEXT:
        key_get_text(c, &text);
        if (!buf_ok(&text) || c->bad) { c->bad = true; break; }
        if (type_is_array(t)) {
            /* array_key_encode: (0x01 element)* 0x00 shape; shown as {a,b} */
            Cursor in;
            cur_init(&in, text.data, text.len);
            buf_putc(out, '{');
            for (int k = 0; !in.bad && cur_left(&in) && cur_u8(&in) == 1; k++) {
                if (k) buf_putc(out, ',');
                render_key_value(&in, type_elem(t), type_elem(t) == TYPE_ENUM ? typmod : -1, vc, out);
            }
            buf_putc(out, '}');
            buf_free(&text);
            return;
        }
        if (t == TYPE_UUID && text.len != 16) t = TYPE_BYTEA;
        if (t == TYPE_BPCHAR && typmod > 0) {   /* keys hold char(n) without its padding */
            i32 nchars = 0;
            for (size_t k = 0; k < text.len; k++)
                if ((text.data[k] & 0xC0) != 0x80) nchars++;
            for (; nchars < typmod; nchars++) buf_putc(&text, ' ');
            if (!buf_ok(&text)) { c->bad = true; break; }
        }
        v = val_text(t == TYPE_UUID || t == TYPE_BYTEA || type_is_string(t) ? t : TYPE_TEXT,
                     text.len ? (const char *)text.data : "", (u32)text.len);
        break;
    default: c->bad = true; break;
    }
    if (!c->bad) val_to_text(&v, &vctx, out);
    buf_free(&text);
}

static int key_render_vc(const u8 *key, size_t n, const TypeId *types, const i32 *typmods, int ntypes,
                         const ValueCtx *vc, Buf *out)
{
    Cursor c;
    cur_init(&c, key, n);
    for (int i = 0; !c.bad && cur_left(&c) > 0; i++) {
        if (i) buf_puts(out, ", ");
        render_key_value(&c, i < ntypes ? types[i] : TYPE_NULLTYPE, i < ntypes ? typmods[i] : -1, vc, out);
    }
    return c.bad ? DD_ECORRUPT : DD_OK;
}

int key_render_typed(const u8 *key, size_t n, const TypeId *types, const i32 *typmods, int ntypes, Buf *out)
{
    return key_render_vc(key, n, types, typmods, ntypes, NULL, out);
}

static int render_cols(const TableInfo *t, const u32 *cols, char *const *exprs, int ncols,
                       const u8 *key, size_t n, const ValueCtx *vc, Buf *out)
{
    TypeId types[64];
    i32 typmods[64];
    int k = ncols < 64 ? ncols : 64;
    for (int i = 0; i < k; i++) {
        int ci = exprs && exprs[i] ? -1 : table_col_index(t, cols[i]);
        types[i] = ci >= 0 ? col_type(&t->cols[ci]) : TYPE_NULLTYPE;
        typmods[i] = ci >= 0 ? t->cols[ci].typmod : -1;
    }
    return key_render_vc(key, n, types, typmods, k, vc, out);
}

int row_render_pk(const TableInfo *t, const u8 *pk, u32 pklen, Buf *out)
{
    return render_cols(t, t->pk, NULL, t->npk, pk, pklen, NULL, out);
}

int row_render_index_key(const TableInfo *t, const IndexInfo *ix, const u8 *key, size_t n, Buf *out)
{
    return render_cols(t, ix->cols, ix->exprs, ix->ncols, key, n, NULL, out);
}

int row_render_pk_vc(const TableInfo *t, const u8 *pk, u32 pklen, const ValueCtx *vc, Buf *out)
{
    return render_cols(t, t->pk, NULL, t->npk, pk, pklen, vc, out);
}

int row_render_index_key_vc(const TableInfo *t, const IndexInfo *ix, const u8 *key, size_t n, const ValueCtx *vc,
                            Buf *out)
{
    return render_cols(t, ix->cols, ix->exprs, ix->ncols, key, n, vc, out);
}

int row_render_key(const TableInfo *t, const IndexInfo *ix, const u8 *key, u32 len, Buf *out)
{
    return ix ? row_render_index_key(t, ix, key, len, out) : row_render_pk(t, key, len, out);
}
