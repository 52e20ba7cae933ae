/*
 * binary.c - PostgreSQL's binary wire format of every DriftDB type, both
 * ways (the typsend / typrecv functions of PostgreSQL's catalog).  Used by
 * the extended query protocol: Bind parameters in binary, and result
 * columns a client asked to receive in binary.
 *
 * Formats (all integers big-endian, lengths exact):
 *   bool         1 byte, 0 false, anything else true
 *   int2/4/8     2/4/8-byte two's complement
 *   float4/8     IEEE 754 single / double
 *   numeric      Int16 ndigits | Int16 weight | Int16 sign (0x0000 +,
 *                0x4000 -, 0xC000 NaN, 0xD000 +Inf, 0xF000 -Inf)
 *                | Int16 dscale | ndigits x Int16 base-10000 digit
 *                value = sum digit[i] * 10000^(weight - i), shown with
 *                dscale decimals; digits past dscale are truncated
 *   text, varchar, bpchar, unknown, bytea: the bytes (text must be UTF-8
 *                without NUL)
 *   date         Int32 days since 2000-01-01
 *   timestamp(tz) Int64 microseconds since 2000-01-01 00:00:00 (UTC)
 *   interval     Int64 microseconds | Int32 days | Int32 months
 *   uuid         16 bytes
 *   json         the text
 *   jsonb        Int8 version (1) | the text
 *   arrays       Int32 ndim | Int32 flags (1: has NULLs) | Int32 element
 *                OID | ndim x (Int32 length, Int32 lower bound) | per
 *                element Int32 length (-1 NULL) and its binary form
 * A value shorter than its type needs is 08P01 (PostgreSQL: "insufficient
 * data left in message"), a longer one 22P03.
 * Infinite dates/timestamps and numeric NaN/Infinity are not values
 * DriftDB has: receiving them is 0A000, as their text forms are.
 *
 * Belongs with the type table (sql/types/ once the SQL layer is split);
 * it lives here so that it only touches value.h.
 */
#include "engine_int.h"
#include "../util/utf8.h"
#include "../sql/types/json.h"
#include "../sql/types/array.h"
#include "../sql/types/recordval.h"
#include <string.h>

#define USECS_PER_DAY 86400000000LL

static void put16(Buf *b, u16 v) { buf_put_u16be(b, v); }
static void put32(Buf *b, u32 v) { buf_put_u32be(b, v); }
static void put64(Buf *b, u64 v) { buf_put_u32be(b, (u32)(v >> 32)); buf_put_u32be(b, (u32)v); }

static u16 get16(const u8 *p) { return (u16)((p[0] << 8) | p[1]); }
static u32 get32(const u8 *p) { return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | p[3]; }
static u64 get64(const u8 *p) { return ((u64)get32(p) << 32) | get32(p + 4); }

/* numeric: |coef| * 10^-scale in base-10000 digits; NaN and the
 * infinities byte for byte as PostgreSQL 15 sends them: no digits, weight
 * 0, sign 0xC000 (NaN), 0xD000 (+Inf), 0xF000 (-Inf), and dscale 0 for NaN
 * but 32 for the infinities (its numeric_send reads the dscale bits of the
 * special value's header, 0x1000 >> 7; clients ignore it). */
static void numeric_send(const Value *v, Buf *out)
{
    i128 c = v->v.coef;
    int scale = v->scale;
    if (numeric_is_big(scale)) {
        Arena tmp;
        arena_init(&tmp, 4096);
        numeric_big_nbase(v, &tmp, out);
        arena_free(&tmp);
        return;
    }
    if (numeric_is_special(scale)) {
        put16(out, 0);
        put16(out, 0);
        put16(out, scale == NUMERIC_NAN ? 0xC000 : scale == NUMERIC_PINF ? 0xD000 : 0xF000);
        put16(out, scale == NUMERIC_NAN ? 0 : 32);
        return;
    }
    u16 sign = c < 0 ? 0x4000 : 0;
    unsigned __int128 a = c < 0 ? (unsigned __int128)0 - (unsigned __int128)c : (unsigned __int128)c;
    char dec[48];   /* decimal digits of |coef|, most significant first */
    int nd = 0;
    char rev[48];
    do { rev[nd++] = (char)('0' + (int)(a % 10)); a /= 10; } while (a && nd < 45);
    for (int i = 0; i < nd; i++) dec[i] = rev[nd - 1 - i];
    /* digit k of dec has decimal exponent (nd - 1 - k) - scale */
    int top = nd - 1 - scale;                  /* exponent of dec[0] */
    int low = -scale;                          /* exponent of dec[nd - 1] */
    /* group g covers exponents 4g .. 4g+3 (floor division) */
    int gtop = top >= 0 ? top / 4 : -((-top + 3) / 4);
    int glow = low >= 0 ? low / 4 : -((-low + 3) / 4);
    u16 digits[32];
    int n = 0;
    int weight = gtop;
    for (int g = gtop; g >= glow && n < 32; g--) {
        int d = 0;
        for (int e = 4 * g + 3; e >= 4 * g; e--) {
            int k = nd - 1 - (e + scale);      /* index of exponent e in dec */
            d = d * 10 + ((k >= 0 && k < nd) ? dec[k] - '0' : 0);
        }
        digits[n++] = (u16)d;
    }
    int first = 0;
    while (first < n && digits[first] == 0) { first++; weight--; }
    while (n > first && digits[n - 1] == 0) n--;
    if (first == n) { weight = 0; sign = 0; }
    put16(out, (u16)(n - first));
    put16(out, (u16)(i16)weight);
    put16(out, sign);
    put16(out, (u16)(scale < 0 ? 0 : scale));
    for (int i = first; i < n; i++) put16(out, digits[i]);
}

static int bad_length(DdError *e, int pno, size_t len, size_t want);

static void array_send(const Value *v, const ValueCtx *vc, Buf *out)
{
    ArrayVal a;
    Arena tmp;
    arena_init(&tmp, 4096);
    if (array_from_value(v, &tmp, &a, NULL)) array_init(&a, type_elem((TypeId)v->type));
    bool nulls = false;
    for (u32 i = 0; i < a.n; i++) nulls |= a.items[i].isnull;
    put32(out, (u32)a.ndim);
    put32(out, nulls ? 1 : 0);
    put32(out, a.elem == TYPE_ENUM ? ENUM_OID_BASE + a.etype : type_oid(a.elem));
    for (int i = 0; i < a.ndim; i++) {
        put32(out, (u32)a.dims[i]);
        put32(out, (u32)a.lbound[i]);
    }
    for (u32 i = 0; i < a.n; i++) {
        if (a.items[i].isnull) { put32(out, 0xFFFFFFFFu); continue; }
        size_t at = out->len;
        put32(out, 0);
        bin_send(&a.items[i], vc, out);
        if (buf_ok(out)) put_u32be(out->data + at, (u32)(out->len - at - 4));
    }
    arena_free(&tmp);
}

/* ctx and etype: an array of enum etype, whose elements are labels (ctx
 * reads them); NULL and 0 for any other array. */
static int array_recv(TypeId t, const u8 *p, size_t len, int pno, Arena *arena, const ValueCtx *ctx, u32 etype,
                      Value *out, DdError *e)
{
    if (len < 12) return bad_length(e, pno, len, 12);
    i32 ndim = (i32)get32(p), flags = (i32)get32(p + 4);
    u32 eoid = get32(p + 8);
    TypeId elem = type_elem(t);
    if (ndim < 0) return dd_err(e, DD_EBINARY_FORMAT, -1, "invalid number of dimensions: %d", ndim);
    if (ndim > ARRAY_MAXDIM)
        return dd_err(e, DD_EPROGRAM_LIMIT, -1, "number of array dimensions (%d) exceeds the maximum allowed (%d)",
                      ndim, ARRAY_MAXDIM);
    if (flags != 0 && flags != 1) return dd_err(e, DD_EBINARY_FORMAT, -1, "invalid array flags");
    u32 want = elem == TYPE_ENUM ? ENUM_OID_BASE + etype : type_oid(elem);
    if (eoid != want) {
        /* PostgreSQL's message names both types (a built-in type by its
         * OID; an OID DriftDB does not know as format_type's "???") */
        const char *got = "???";
        for (int i = 1; i < TYPE__COUNT; i++)
            if (i != TYPE_ENUM && type_oid((TypeId)i) == eoid) { got = type_name((TypeId)i); break; }
        if (elem == TYPE_ENUM && eoid >= ENUM_OID_BASE) got = enum_type_name(eoid - ENUM_OID_BASE, ctx);
        return dd_err(e, DD_EDATATYPE_MISMATCH, -1, "binary data has array element type %u (%s) instead of expected %u (%s)",
                      eoid, got, want, elem == TYPE_ENUM ? enum_type_name(etype, ctx) : type_name(elem));
    }
    size_t off = 12;
    i32 dims[ARRAY_MAXDIM], lb[ARRAY_MAXDIM];
    for (int i = 0; i < ndim; i++) {
        if (len < off + 8) return bad_length(e, pno, len, off + 8);
        dims[i] = (i32)get32(p + off);
        lb[i] = (i32)get32(p + off + 4);
        off += 8;
        if (dims[i] < 0) return dd_err(e, DD_EPROGRAM_LIMIT, -1, "array size exceeds the maximum allowed (%d)",
                                       ARRAY_MAX_ITEMS);
    }
    ArrayVal a;
    array_init(&a, elem);
    a.etype = etype;
    int rc = array_set_shape(&a, arena, ndim, dims, lb, e);
    if (rc) return rc;
    for (u32 i = 0; i < a.n; i++) {
        if (len < off + 4) return bad_length(e, pno, len, off + 4);
        i32 n = (i32)get32(p + off);
        off += 4;
        if (n == -1) continue;
        if (n < -1 || len - off < (size_t)n) return dd_err(e, DD_EPROTOCOL, -1, "insufficient data left in message");
        if (elem == TYPE_ENUM) {
            if (utf8_invalid_at((const char *)p + off, (size_t)n) < (size_t)n || memchr(p + off, 0, (size_t)n))
                return dd_err(e, DD_EBAD_ENCODING, -1, "invalid byte sequence for encoding \"UTF8\"");
            rc = val_from_text(TYPE_ENUM, (i32)etype, (const char *)p + off, (size_t)n, ctx, &a.items[i], e);
        } else {
            rc = bin_recv(elem, p + off, (size_t)n, pno, arena, &a.items[i], e);
        }
        if (rc) return rc;
        off += (size_t)n;
    }
    if (off != len) return bad_length(e, pno, len, off);
    return array_to_value(&a, arena, out, e);
}

int bin_recv_enum_array(u32 etype, const ValueCtx *ctx, const u8 *p, size_t len, Value *out, DdError *e)
{
    return array_recv(type_array_of(TYPE_ENUM), p, len, 1, ctx->arena, ctx, etype, out, e);
}

void bin_send(const Value *v, const ValueCtx *vc, Buf *out)
{
    if (v->type == TYPE_ENUM && vc) { enum_out(v, vc, out); return; }   /* an enum's binary form is its label */
    if (type_is_array((TypeId)v->type)) { array_send(v, vc, out); return; }
    if (type_vector_array((TypeId)v->type)) {   /* int2vector / oidvector: their array's form */
        Value a = *v;
        a.type = (u8)type_vector_array((TypeId)v->type);
        array_send(&a, vc, out);
        return;
    }
    switch ((TypeId)v->type) {
    case TYPE_BOOL: buf_putc(out, v->v.b ? 1 : 0); break;
    case TYPE_INT2: put16(out, (u16)(i16)v->v.i); break;
    case TYPE_INT4: put32(out, (u32)(i32)v->v.i); break;
    case TYPE_INT8:
    case TYPE_XID8: put64(out, (u64)v->v.i); break;
    case TYPE_OID:
    case TYPE_REGPROC: case TYPE_REGCLASS: case TYPE_REGTYPE: case TYPE_REGNAMESPACE: case TYPE_REGROLE: case TYPE_REGPROCEDURE: put32(out, (u32)v->v.i); break;
    case TYPE_CHAR: buf_putc(out, (u8)v->v.i); break;
    case TYPE_FLOAT4: {
        float f = (float)v->v.f;
        u32 bits;
        memcpy(&bits, &f, 4);
        put32(out, bits);
        break;
    }
    case TYPE_FLOAT8: {
        u64 bits;
        memcpy(&bits, &v->v.f, 8);
        put64(out, bits);
        break;
    }
    case TYPE_NUMERIC: numeric_send(v, out); break;
    case TYPE_DATE: put32(out, (u32)(i32)v->v.i); break;
    case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ: case TYPE_TIME: put64(out, (u64)v->v.i); break;
    case TYPE_TIMETZ:   /* µs, then the zone in seconds west (PostgreSQL's sign) */
        put64(out, (u64)timetz_us(v->v.i));
        put32(out, (u32)(-timetz_zone(v->v.i)));
        break;
    case TYPE_INTERVAL:
        put64(out, (u64)v->v.iv.usecs);
        put32(out, (u32)v->v.iv.days);
        put32(out, (u32)v->v.iv.months);
        break;
    case TYPE_JSONB:
        buf_putc(out, 1);
        buf_append(out, v->v.s.p, v->v.s.len);
        break;
    case TYPE_RECORD: {   /* record_send: the count, then per field its type's OID and value */
        RecordIter it;
        record_iter_init(&it, v);
        Value fv;
        put32(out, (u32)record_nfields(v));
        while (record_iter_next(&it, NULL, NULL, &fv)) {
            put32(out, fv.type == TYPE_ENUM && fv.etype ? ENUM_OID_BASE + fv.etype : type_oid((TypeId)fv.type));
            if (fv.isnull) { put32(out, 0xFFFFFFFFu); continue; }
            size_t at = out->len;
            put32(out, 0);
            if (fv.type == TYPE_ENUM) val_to_text(&fv, vc, out);   /* an enum's binary form is its label */
            else bin_send(&fv, vc, out);
            if (buf_ok(out)) put_u32be(out->data + at, (u32)(out->len - at - 4));
        }
        break;
    }
    default:   /* text, varchar, bpchar, name, unknown, bytea, uuid, json: the bytes */
        buf_append(out, v->v.s.p, v->v.s.len);
        break;
    }
}

/* A value of the wrong length, as PostgreSQL reports it: too short is the
 * receive function reading past its message (08P01), too long is bytes
 * left over (22P03). */
static int bad_length(DdError *e, int pno, size_t len, size_t want)
{
    if (len < want) return dd_err(e, DD_EPROTOCOL, -1, "insufficient data left in message");
    return dd_err(e, DD_EBINARY_FORMAT, -1, "incorrect binary data format in bind parameter %d", pno);
}

static int numeric_recv(const u8 *p, size_t len, int pno, Arena *a, Value *out, DdError *e)
{
    if (len < 8) return bad_length(e, pno, len, 8);
    int nd = get16(p);
    int weight = (i16)get16(p + 2);
    u16 sign = get16(p + 4);
    int dscale = get16(p + 6);
    if (len != 8 + 2 * (size_t)nd) return bad_length(e, pno, len, 8 + 2 * (size_t)nd);
    if (sign == 0xC000 || sign == 0xD000 || sign == 0xF000) {
        /* the digits of a special value are ignored, as PostgreSQL's numeric_recv */
        *out = val_numeric(0, sign == 0xC000 ? NUMERIC_NAN : sign == 0xD000 ? NUMERIC_PINF : NUMERIC_NINF);
        return DD_OK;
    }
    if (sign != 0 && sign != 0x4000)
        return dd_err(e, DD_EBINARY_FORMAT, -1, "invalid sign in external \"numeric\" value");
    if (dscale > 0x3FFF)
        return dd_err(e, DD_EBINARY_FORMAT, -1, "invalid scale in external \"numeric\" value");
    if (dscale > NUMERIC_MAX_SCALE) goto big;
    /* coef = value * 10^dscale, digits past dscale truncated (as PostgreSQL) */
    unsigned __int128 c = 0;
    const unsigned __int128 limit = (unsigned __int128)((i128)1 << 126) / 5;  /* > 10^37, so c*10 fits */
    int lowest = 0;      /* lowest exponent added so far, when have */
    bool have = false;
    for (int i = 0; i < nd; i++) {
        int d = get16(p + 8 + 2 * i);
        if (d > 9999) return dd_err(e, DD_EBINARY_FORMAT, -1, "invalid digit in external \"numeric\" value");
        int g = weight - i;
        int pow10[4] = {1000, 100, 10, 1};
        for (int k = 0; k < 4; k++) {
            int exp = 4 * g + 3 - k;
            if (exp < -dscale) break;
            int digit = (d / pow10[k]) % 10;
            if (c > limit) goto overflow;
            c = c * 10 + (unsigned)digit;
            lowest = exp;
            have = true;
        }
    }
    if (!have) lowest = 0;
    /* exponents below the last digit, down to -dscale, are zeros */
    for (int exp = (have ? lowest - 1 : -1); exp >= -dscale; exp--) {
        if (c > limit) goto overflow;
        c *= 10;
    }
    {
        unsigned __int128 max = 1;
        for (int k = 0; k < NUMERIC_MAX_PRECISION; k++) max *= 10;
        if (c >= max) goto overflow;
    }
    *out = val_numeric(sign == 0x4000 ? -(i128)c : (i128)c, dscale);
    return DD_OK;
overflow:
big: {
        /* beyond the pair form: numbig.c, from the digits as sent */
        u16 *dig = arena_alloc(a, sizeof(u16) * (size_t)(nd ? nd : 1));
        if (!dig) return dd_err(e, DD_ENOMEM, -1, NULL);
        for (int i = 0; i < nd; i++) {
            dig[i] = get16(p + 8 + 2 * i);
            if (dig[i] > 9999) return dd_err(e, DD_EBINARY_FORMAT, -1, "invalid digit in external \"numeric\" value");
        }
        int rc = numeric_from_nbase(sign == 0x4000, weight, dscale, dig, nd, a, out, e);
        if (rc == DD_EOUT_OF_RANGE)
            return dd_err(e, DD_EOUT_OF_RANGE, -1, "value overflows numeric format (bind parameter %d)", pno);
        return rc;
    }
}

int bin_recv(TypeId t, const u8 *p, size_t len, int pno, Arena *a, Value *out, DdError *e)
{
    if (t == type_array_of(TYPE_ENUM))
        return dd_err(e, DD_EFEATURE, -1, "binary input of an enum's array is not supported (bind parameter %d): send it as text",
                      pno);
    if (type_is_array(t)) return array_recv(t, p, len, pno, a, NULL, 0, out, e);
    if (t == TYPE_ENUM)   /* read through its type's labels (copy.c); parameters are typed text */
        return dd_err(e, DD_EFEATURE, -1, "binary input of an enum is not supported here (bind parameter %d)", pno);
    switch (t) {
    case TYPE_BOOL:
        if (len != 1) return bad_length(e, pno, len, 1);
        *out = val_bool(p[0] != 0);
        return DD_OK;
    case TYPE_INT2:
        if (len != 2) return bad_length(e, pno, len, 2);
        *out = val_int(t, (i16)get16(p));
        return DD_OK;
    case TYPE_INT4:
        if (len != 4) return bad_length(e, pno, len, 4);
        *out = val_int(t, (i32)get32(p));
        return DD_OK;
    case TYPE_INT8:
    case TYPE_XID8:
        if (len != 8) return bad_length(e, pno, len, 8);
        *out = val_int(t, (i64)get64(p));
        return DD_OK;
    case TYPE_OID:
    case TYPE_REGPROC: case TYPE_REGCLASS: case TYPE_REGTYPE: case TYPE_REGNAMESPACE: case TYPE_REGROLE: case TYPE_REGPROCEDURE:
        if (len != 4) return bad_length(e, pno, len, 4);
        *out = val_int(t, get32(p));
        return DD_OK;
    case TYPE_CHAR:   /* charrecv: the byte, or 0 for an empty value */
        if (len > 1) return bad_length(e, pno, len, 1);
        *out = val_int(t, len ? p[0] : 0);
        return DD_OK;
    case TYPE_FLOAT4: {
        if (len != 4) return bad_length(e, pno, len, 4);
        u32 bits = get32(p);
        float f;
        memcpy(&f, &bits, 4);
        *out = val_float(t, (double)f);
        return DD_OK;
    }
    case TYPE_FLOAT8: {
        if (len != 8) return bad_length(e, pno, len, 8);
        u64 bits = get64(p);
        double d;
        memcpy(&d, &bits, 8);
        *out = val_float(t, d);
        return DD_OK;
    }
    case TYPE_NUMERIC:
        return numeric_recv(p, len, pno, a, out, e);
    case TYPE_DATE: {
        if (len != 4) return bad_length(e, pno, len, 4);
        i32 d = (i32)get32(p);
        if (d == INT32_MAX || d == INT32_MIN)
            return dd_err(e, DD_EFEATURE, -1, "infinite dates are not supported (bind parameter %d)", pno);
        if (d < days_from_civil(1, 1, 1) || d > days_from_civil(5874897, 12, 31))
            return dd_err(e, DD_EDATETIME_OVERFLOW, -1, "date out of range (bind parameter %d)", pno);
        *out = val_int(t, d);
        return DD_OK;
    }
    case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ: {
        if (len != 8) return bad_length(e, pno, len, 8);
        i64 ts = (i64)get64(p);
        if (ts == INT64_MAX || ts == INT64_MIN)
            return dd_err(e, DD_EFEATURE, -1, "infinite timestamps are not supported (bind parameter %d)", pno);
        if (ts < days_from_civil(1, 1, 1) * USECS_PER_DAY || ts >= days_from_civil(294277, 1, 1) * USECS_PER_DAY)
            return dd_err(e, DD_EDATETIME_OVERFLOW, -1, "timestamp out of range (bind parameter %d)", pno);
        *out = val_int(t, ts);
        return DD_OK;
    }
    case TYPE_TIME: case TYPE_TIMETZ: {
        size_t want = t == TYPE_TIME ? 8 : 12;
        if (len != want) return bad_length(e, pno, len, want);
        i64 us = (i64)get64(p);
        if (us < 0 || us > USECS_PER_DAY)
            return dd_err(e, DD_EDATETIME_OVERFLOW, -1, "time out of range (bind parameter %d)", pno);
        if (t == TYPE_TIME) {
            *out = val_int(t, us);
            return DD_OK;
        }
        i32 west = (i32)get32(p + 8);
        if (west < -57599 || west > 57599)
            return dd_err(e, DD_EINVALID_PARAM, -1, "time zone displacement out of range (bind parameter %d)", pno);
        *out = val_int(t, timetz_pack(us, -west));
        return DD_OK;
    }
    case TYPE_INTERVAL: {
        if (len != 16) return bad_length(e, pno, len, 16);
        Interval iv;
        iv.usecs = (i64)get64(p);
        iv.days = (i32)get32(p + 8);
        iv.months = (i32)get32(p + 12);
        *out = val_interval(iv);
        return DD_OK;
    }
    case TYPE_UUID:
        if (len != 16) return bad_length(e, pno, len, 16);
        break;
    case TYPE_BYTEA:
        break;
    case TYPE_JSON:
    case TYPE_JSONB: {
        if (t == TYPE_JSONB) {
            if (len < 1) return bad_length(e, pno, len, 1);
            if (p[0] != 1) return dd_err(e, DD_EBINARY_FORMAT, -1, "unsupported jsonb version number %d", p[0]);
            p++;
            len--;
        }
        if (memchr(p, 0, len) || utf8_invalid_at((const char *)p, len) < len)
            return dd_err(e, DD_EBAD_ENCODING, -1, "invalid byte sequence for encoding \"UTF8\" (bind parameter %d)",
                          pno);
        return json_in(t, (const char *)p, len, a, out, e);
    }
    default:   /* text, varchar, bpchar, name, unknown */
        if (memchr(p, 0, len) || utf8_invalid_at((const char *)p, len) < len)
            return dd_err(e, DD_EBAD_ENCODING, -1, "invalid byte sequence for encoding \"UTF8\" (bind parameter %d)",
                          pno);
        if (t == TYPE_NAME && len > NAME_MAX_BYTES) {
            dd_err(e, DD_ENAME_TOO_LONG, -1, "identifier too long (bind parameter %d)", pno);
            dd_err_detail(e, "Identifier must be less than %d characters.", NAME_MAX_BYTES + 1);
            return DD_ENAME_TOO_LONG;
        }
        break;
    }
    char *copy = arena_alloc(a, len ? len : 1);
    if (!copy) return dd_err(e, DD_ENOMEM, -1, NULL);
    if (len) memcpy(copy, p, len);
    *out = val_text(t, copy, (u32)len);
    return DD_OK;
}
