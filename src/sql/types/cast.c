/*
 * cast.c - text input and output of every type (val_from_text,
 * val_to_text), casts between types (val_cast) and the implicit-cast and
 * common-type rules used for operator and CASE/UNION resolution.
 *
 * Casts follow PostgreSQL's pg_cast: numeric types among themselves
 * (range-checked; numeric -> int rounds half away from zero, float -> int
 * half to even), bool <-> integer, integers <-> oid, integer <-> "char",
 * date <-> timestamp <-> timestamptz,
 * every type to and from the string types through its text form, and
 * UNKNOWN literals to anything through the input function.  Anything else
 * is 42846 (DD_ECANNOT_COERCE) "cannot cast type X to Y".  Length limits:
 * varchar(n)/char(n) count characters (UTF-8 code points); too long is 22001 on
 * assignment unless the excess is only spaces, and is truncated by an
 * explicit cast; char(n) pads with spaces to n.
 */
#include "value.h"
#include "json.h"
#include "array.h"
#include "../../util/clock.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static void trim(const char **s, size_t *len)
{
    while (*len > 0 && is_space(**s)) (*s)++, (*len)--;
    while (*len > 0 && is_space((*s)[*len - 1])) (*len)--;
}

static int syntax_err(const char *tname, const char *s, size_t len, DdError *err)
{
    return dd_err(err, DD_EINVALID_TEXT, -1, "invalid input syntax for type %s: \"%.*s\"", tname,
                  (int)DD_MIN(len, 256), s);
}

static int nomem(DdError *err) { return dd_err(err, DD_ENOMEM, -1, "out of memory"); }

/* ---- input of scalars ---- */

static int bool_in(const char *s0, size_t len0, bool *out, DdError *err)
{
    const char *s = s0;
    size_t n = len0;
    trim(&s, &n);
    char w[8];
    if (n == 0 || n > 5) goto bad;
    for (size_t i = 0; i < n; i++) w[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]);
    w[n] = '\0';
    /* any prefix of true/false/yes/no, "on"/"off" (at least 2 chars), 1/0 */
    if (strncmp(w, "true", n) == 0 || strncmp(w, "yes", n) == 0 || (n >= 2 && strncmp(w, "on", n) == 0) ||
        strcmp(w, "1") == 0) {
        *out = true;
        return DD_OK;
    }
    if (strncmp(w, "false", n) == 0 || strncmp(w, "no", n) == 0 || (n >= 2 && strncmp(w, "off", n) == 0) ||
        strcmp(w, "0") == 0) {
        *out = false;
        return DD_OK;
    }
bad:
    return syntax_err("boolean", s0, len0, err);
}

static i64 int_min(TypeId t) { return t == TYPE_INT2 ? INT16_MIN : t == TYPE_INT4 ? INT32_MIN : INT64_MIN; }
static i64 int_max(TypeId t) { return t == TYPE_INT2 ? INT16_MAX : t == TYPE_INT4 ? INT32_MAX : INT64_MAX; }

static int int_in(TypeId t, const char *s0, size_t len0, i64 *out, DdError *err)
{
    const char *s = s0;
    size_t n = len0;
    trim(&s, &n);
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    if (i >= n) goto bad;
    u64 v = 0;
    bool ovf = false;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') goto bad;
        if (v > (UINT64_MAX - 9) / 10) ovf = true;
        else v = v * 10 + (u64)(s[i] - '0');
    }
    u64 lim = neg ? (u64)(-(int_min(t) + 1)) + 1 : (u64)int_max(t);
    if (ovf || v > lim)
        return dd_err(err, DD_EOUT_OF_RANGE, -1, "value \"%.*s\" is out of range for type %s",
                      (int)DD_MIN(len0, 256), s0, type_name(t));
    *out = neg ? (i64)(0 - v) : (i64)v;
    return DD_OK;
bad:
    return syntax_err(type_name(t), s0, len0, err);
}

/* oidin: a decimal number with optional blanks around it, 0 .. 4294967295,
 * or a negative one down to -2147483648 read as its unsigned 32-bit twin
 * ('-1' is 4294967295), as PostgreSQL's strtoul-based input. */
static int oid_in(const char *s0, size_t len0, i64 *out, DdError *err)
{
    const char *s = s0;
    size_t n = len0;
    trim(&s, &n);
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    if (i >= n) goto bad;
    u64 v = 0;
    bool ovf = false;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') goto bad;
        if (v > UINT32_MAX) ovf = true;
        else v = v * 10 + (u64)(s[i] - '0');
    }
    if (ovf || (neg ? v > (u64)1 << 31 : v > UINT32_MAX))
        return dd_err(err, DD_EOUT_OF_RANGE, -1, "value \"%.*s\" is out of range for type oid",
                      (int)DD_MIN(len0, 256), s0);
    *out = neg ? (i64)(u32)(0 - (u32)v) : (i64)v;
    return DD_OK;
bad:
    return syntax_err("oid", s0, len0, err);
}

static int float_in(TypeId t, const char *s0, size_t len0, double *out, DdError *err)
{
    const char *s = s0;
    size_t n = len0;
    trim(&s, &n);
    char buf[128];
    if (n == 0 || n >= sizeof buf || memchr(s, '\0', n)) goto bad;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    double d;
    if (t == TYPE_FLOAT4) {
        float f = strtof(buf, &end);
        d = f;
    } else {
        d = strtod(buf, &end);
    }
    if (end == buf || *end) goto bad;
    if (errno == ERANGE && (d == 0 || isinf(d)))
        return dd_err(err, DD_EOUT_OF_RANGE, -1, "\"%s\" is out of range for type %s", buf, type_name(t));
    *out = d;
    return DD_OK;
bad:
    return syntax_err(type_name(t), s0, len0, err);
}

/* Number of UTF-8 characters in s[0..len). */
static size_t utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((u8)s[i] & 0xc0) != 0x80) n++;
    return n;
}

/* Byte length of the first nchars characters. */
static size_t utf8_prefix(const char *s, size_t len, size_t nchars)
{
    size_t i = 0, n = 0;
    for (; i < len; i++) {
        if (((u8)s[i] & 0xc0) != 0x80) {
            if (n == nchars) break;
            n++;
        }
    }
    return i;
}

/*
 * Applies a varchar(n)/char(n) limit to s and makes an arena copy of the
 * result (char(n) padded).  Too long: truncate when explicit or when the
 * excess is all spaces, else 22001.
 */
static int string_typmod(TypeId t, i32 typmod, const char *s, size_t len, bool explicit_cast,
                         const ValueCtx *ctx, Value *out, DdError *err)
{
    size_t keep = len, pad = 0;
    if (t == TYPE_NAME && len > NAME_MAX_BYTES) {
        /* namein: cut to 63 bytes, at a character boundary, silently */
        keep = NAME_MAX_BYTES;
        while (keep > 0 && ((u8)s[keep] & 0xc0) == 0x80) keep--;
    }
    if (typmod >= 0 && (t == TYPE_VARCHAR || t == TYPE_BPCHAR)) {
        size_t nch = utf8_chars(s, len);
        if (nch > (size_t)typmod) {
            keep = utf8_prefix(s, len, (size_t)typmod);
            if (!explicit_cast) {
                for (size_t i = keep; i < len; i++)
                    if (s[i] != ' ')
                        return dd_err(err, DD_ESTRING_TRUNC, -1, "value too long for type %s(%d)",
                                      t == TYPE_VARCHAR ? "character varying" : "character", (int)typmod);
            }
        } else if (t == TYPE_BPCHAR) {
            pad = (size_t)typmod - nch;
        }
    }
    if (keep + pad > UINT32_MAX) return dd_err(err, DD_EPROGRAM_LIMIT, -1, "string is too long");
    char *p = arena_alloc(ctx->arena, keep + pad + 1);
    if (!p) return nomem(err);
    if (keep) memcpy(p, s, keep);
    memset(p + keep, ' ', pad);
    p[keep + pad] = '\0';
    *out = val_text(t == TYPE_NULLTYPE ? TYPE_TEXT : t, p, (u32)(keep + pad));
    return DD_OK;
}

static int vector_in(TypeId t, const char *s, size_t len, const ValueCtx *ctx, Value *out, DdError *err);

int val_from_text(TypeId t, i32 typmod, const char *s, size_t len, const ValueCtx *ctx, Value *out,
                  DdError *err)
{
    int rc;
    if (type_is_array(t)) return array_in(type_elem(t), typmod, s, len, ctx, out, err);
    if (type_vector_array(t)) return vector_in(t, s, len, ctx, out, err);
    switch (t) {
    case TYPE_NULLTYPE:
    case TYPE_TEXT:
    case TYPE_UNKNOWN:
    case TYPE_VARCHAR:
    case TYPE_BPCHAR:
    case TYPE_NAME:
        return string_typmod(t, typmod, s, len, false, ctx, out, err);
    case TYPE_CHAR:
        /* charin: "\ooo" is that byte, else the first byte (none: 0) */
        if (len == 4 && s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
            s[3] <= '7')
            *out = val_int(t, (s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
        else
            *out = val_int(t, len ? (u8)s[0] : 0);
        return DD_OK;
    case TYPE_OID: {
        i64 v = 0;
        if ((rc = oid_in(s, len, &v, err))) return rc;
        *out = val_int(t, v);
        return DD_OK;
    }
    case TYPE_XID8: {
        /* as PostgreSQL 15's xid8in: strtoull's reading, base 0 (0x hex,
         * 0 octal), whatever follows the digits ignored, too large a number
         * the largest id, and no error */
        char b[64];
        size_t n = DD_MIN(len, sizeof b - 1);
        memcpy(b, s, n);
        b[n] = '\0';
        *out = val_int(t, (i64)strtoull(b, NULL, 0));
        return DD_OK;
    }
    case TYPE_REGPROC:
    case TYPE_REGCLASS:
    case TYPE_REGTYPE:
    case TYPE_REGNAMESPACE:
    case TYPE_REGROLE: case TYPE_REGPROCEDURE: {
        /* a number is the OID itself, "-" is 0, anything else a name the
         * catalog looks up (regclassin and friends) */
        const char *q = s;
        size_t n = len;
        trim(&q, &n);
        if (n == 1 && q[0] == '-') { *out = val_int(t, 0); return DD_OK; }
        if (n > 0 && q[0] >= '0' && q[0] <= '9') {
            i64 v = 0;
            if ((rc = oid_in(q, n, &v, err))) return rc;
            *out = val_int(t, v);
            return DD_OK;
        }
        if (!ctx || !ctx->reg_in)
            return dd_err(err, DD_EFEATURE, -1, "%s input by name needs the catalog here", type_name(t));
        u32 oid = 0;
        if ((rc = ctx->reg_in(ctx->reg_arg, t, s, len, &oid, err))) return rc;
        *out = val_int(t, oid);
        return DD_OK;
    }
    case TYPE_BOOL: {
        bool b = false;
        if ((rc = bool_in(s, len, &b, err))) return rc;
        *out = val_bool(b);
        return DD_OK;
    }
    case TYPE_INT2:
    case TYPE_INT4:
    case TYPE_INT8: {
        i64 v = 0;
        if ((rc = int_in(t, s, len, &v, err))) return rc;
        *out = val_int(t, v);
        return DD_OK;
    }
    case TYPE_FLOAT4:
    case TYPE_FLOAT8: {
        double d = 0;
        if ((rc = float_in(t, s, len, &d, err))) return rc;
        *out = val_float(t, d);
        return DD_OK;
    }
    case TYPE_NUMERIC: {
        if ((rc = numeric_parse(s, len, ctx ? ctx->arena : NULL, out, err))) return rc;
        return numeric_value_typmod(out, typmod, ctx ? ctx->arena : NULL, err);
    }
    case TYPE_DATE: {
        i64 d = 0;
        if ((rc = date_from_text(s, len, ctx, &d, err))) return rc;
        *out = val_int(t, d);
        return DD_OK;
    }
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ: {
        i64 ts = 0;
        if ((rc = timestamp_from_text(s, len, t == TYPE_TIMESTAMPTZ, ctx, &ts, err))) return rc;
        *out = val_int(t, ts);
        return datetime_apply_typmod(out, typmod, err);
    }
    case TYPE_INTERVAL: {
        Interval iv;
        if ((rc = interval_from_text(s, len, typmod, ctx, &iv, err))) return rc;
        *out = val_interval(iv);
        return datetime_apply_typmod(out, typmod, err);
    }
    case TYPE_TIME:
    case TYPE_TIMETZ: {
        i64 us = 0;
        i32 zone = 0;
        if ((rc = time_from_text(s, len, t == TYPE_TIMETZ, ctx, &us, t == TYPE_TIMETZ ? &zone : NULL, err))) return rc;
        *out = val_int(t, t == TYPE_TIMETZ ? timetz_pack(us, zone) : us);
        return datetime_apply_typmod(out, typmod, err);
    }
    case TYPE_JSON:
    case TYPE_JSONB:
        if (!ctx || !ctx->arena) return nomem(err);
        return json_in(t, s, len, ctx->arena, out, err);
    case TYPE_UUID: {
        /* 32 hex digits, optionally in braces, hyphens after any group of
         * four (PostgreSQL's uuid_in) */
        size_t i = 0, n = len;
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) i++;
        while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n')) n--;
        bool brace = i < n && s[i] == '{';
        if (brace) {
            if (s[n - 1] != '}') goto bad_uuid;
            i++;
            n--;
        }
        u8 *b = ctx && ctx->arena ? arena_alloc(ctx->arena, 16) : NULL;
        if (!b) return nomem(err);
        int nd = 0;
        for (; i < n; i++) {
            char c = s[i];
            if (c == '-' && nd > 0 && nd % 4 == 0 && nd < 32 && i + 1 < n && s[i + 1] != '-') continue;
            int h = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                  : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
            if (h < 0 || nd >= 32) goto bad_uuid;
            if (nd % 2 == 0) b[nd / 2] = (u8)(h << 4);
            else b[nd / 2] |= (u8)h;
            nd++;
        }
        if (nd != 32) goto bad_uuid;
        *out = val_text(TYPE_UUID, (const char *)b, 16);
        return DD_OK;
    bad_uuid:
        return dd_err(err, DD_EINVALID_TEXT, -1, "invalid input syntax for type uuid: \"%.*s\"", (int)len, s);
    }
    case TYPE_BYTEA: {
        /* PostgreSQL's byteain: \x followed by hex pairs (white space
         * between pairs allowed), or the escape format (\\ and \nnn) */
        u8 *b = ctx && ctx->arena ? arena_alloc(ctx->arena, len + 1) : NULL;
        if (!b) return nomem(err);
        size_t o = 0;
        if (len >= 2 && s[0] == '\\' && s[1] == 'x') {
            int hi = -1;
            for (size_t i = 2; i < len; i++) {
                char c = s[i];
                if (hi < 0 && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) continue;
                int h = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                      : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
                if (h < 0)
                    return dd_err(err, DD_EINVALID_PARAM, -1, "invalid hexadecimal digit: \"%c\"", c);
                if (hi < 0) hi = h;
                else { b[o++] = (u8)(hi << 4 | h); hi = -1; }
            }
            if (hi >= 0) return dd_err(err, DD_EINVALID_PARAM, -1, "invalid hexadecimal data: odd number of digits");
        } else {
            for (size_t i = 0; i < len;) {
                if (s[i] != '\\') { b[o++] = (u8)s[i++]; continue; }
                if (i + 1 < len && s[i + 1] == '\\') { b[o++] = '\\'; i += 2; continue; }
                if (i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
                    s[i + 3] >= '0' && s[i + 3] <= '7') {
                    b[o++] = (u8)((s[i + 1] - '0') << 6 | (s[i + 2] - '0') << 3 | (s[i + 3] - '0'));
                    i += 4;
                    continue;
                }
                return dd_err(err, DD_EINVALID_TEXT, -1, "invalid input syntax for type bytea");
            }
        }
        *out = val_text(TYPE_BYTEA, (const char *)b, (u32)o);
        return DD_OK;
    }
    case TYPE_ENUM:
        return enum_in(typmod < 0 ? 0 : (u32)typmod, s, len, ctx, out, err);
    default:
        return dd_err(err, DD_EINTERNAL, -1, "unknown type %d", (int)t);
    }
}

/* int2vector / oidvector: the elements separated by spaces */
static void vector_out(const Value *v, const ValueCtx *ctx, Buf *out)
{
    Value a = *v;
    a.type = (u8)type_vector_array((TypeId)v->type);
    ArrayVal arr;
    DdError e;
    Arena tmp;
    arena_init(&tmp, 1024);
    if (array_from_value(&a, &tmp, &arr, &e) == DD_OK) {
        for (u32 i = 0; i < arr.n; i++) {
            if (i) buf_putc(out, ' ');
            val_to_text(&arr.items[i], ctx, out);
        }
    }
    arena_free(&tmp);
}

/* '1 2 3'::int2vector: integers separated by blanks, from subscript 0 */
static int vector_in(TypeId t, const char *s, size_t len, const ValueCtx *ctx, Value *out, DdError *err)
{
    TypeId elem = type_elem(type_vector_array(t));
    Arena *a = ctx ? ctx->arena : NULL;
    if (!a) return dd_err(err, DD_EINTERNAL, -1, "no arena for %s input", type_name(t));
    u32 n = 0;
    for (size_t i = 0; i < len;) {
        while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) i++;
        if (i < len) n++;
        while (i < len && !(s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) i++;
    }
    ArrayVal arr;
    array_init(&arr, elem);
    if (n > 0) {
        if (array_set_1d(&arr, a, n)) return nomem(err);
        arr.lbound[0] = 0;
    }
    u32 k = 0;
    for (size_t i = 0; i < len;) {
        while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) i++;
        size_t st = i;
        while (i < len && !(s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) i++;
        if (i == st) break;
        int rc = val_from_text(elem, -1, s + st, i - st, ctx, &arr.items[k++], err);
        if (rc) return rc;
    }
    int rc = array_to_value(&arr, a, out, err);
    if (!rc) out->type = (u8)t;
    return rc;
}

void val_to_text(const Value *v, const ValueCtx *ctx, Buf *out)
{
    if (v->isnull) return;
    if (type_is_array((TypeId)v->type)) { array_out(v, ctx, out); return; }
    if (type_vector_array((TypeId)v->type)) { vector_out(v, ctx, out); return; }
    if (v->type == TYPE_RECORD) { record_out(v, ctx, out); return; }
    switch ((TypeId)v->type) {
    case TYPE_BOOL: buf_putc(out, v->v.b ? 't' : 'f'); break;
    case TYPE_INT2:
    case TYPE_INT4:
    case TYPE_INT8:
    case TYPE_OID: buf_put_dec(out, v->v.i); break;
    case TYPE_XID8: buf_printf(out, "%llu", (unsigned long long)(u64)v->v.i); break;
    case TYPE_REGPROC:
    case TYPE_REGCLASS:
    case TYPE_REGTYPE:
    case TYPE_REGNAMESPACE:
    case TYPE_REGROLE: case TYPE_REGPROCEDURE:
        if (v->v.i == 0) buf_putc(out, '-');
        else if (!ctx || !ctx->reg_out || !ctx->reg_out(ctx->reg_arg, (TypeId)v->type, (u32)v->v.i, out))
            buf_printf(out, "%lld", (long long)v->v.i);
        break;
    case TYPE_CHAR:
        /* charout: a byte above 127 as "\ooo", 0 as nothing */
        if (v->v.i >= 128) buf_printf(out, "\\%03o", (unsigned)v->v.i);
        else if (v->v.i) buf_putc(out, (u8)v->v.i);
        break;
    case TYPE_FLOAT4: case TYPE_FLOAT8:
        if (ctx && ctx->float_fixed && !isnan(v->v.f) && !isinf(v->v.f)) {
            /* extra_float_digits <= 0: PostgreSQL's %.*g output */
            int nd = (v->type == TYPE_FLOAT4 ? 6 : 15) + ctx->float_digits;
            buf_printf(out, "%.*g", nd < 1 ? 1 : nd, v->v.f);
        } else {
            float_to_text(v->v.f, v->type == TYPE_FLOAT4, out);
        }
        break;
    case TYPE_NUMERIC: numeric_value_text(v, out); break;
    case TYPE_NULLTYPE:
    case TYPE_TEXT:
    case TYPE_VARCHAR:
    case TYPE_BPCHAR:
    case TYPE_NAME:
    case TYPE_UNKNOWN:
    case TYPE_JSON:
    case TYPE_JSONB: buf_append(out, v->v.s.p, v->v.s.len); break;
    case TYPE_DATE: date_to_text_styled(v->v.i, ctx, out); break;
    case TYPE_TIMESTAMP: timestamp_to_text_styled(v->v.i, ctx, out); break;
    case TYPE_TIMESTAMPTZ: timestamptz_to_text(v->v.i, ctx, out); break;
    case TYPE_INTERVAL: interval_to_text(&v->v.iv, ctx, out); break;
    case TYPE_TIME: time_to_text(v->v.i, out); break;
    case TYPE_TIMETZ: timetz_to_text(v->v.i, out); break;
    case TYPE_ENUM: enum_out(v, ctx, out); break;
    case TYPE_BYTEA:
        buf_puts(out, "\\x");
        for (u32 i = 0; i < v->v.s.len; i++) buf_printf(out, "%02x", (unsigned char)v->v.s.p[i]);
        break;
    case TYPE_UUID:
        for (u32 i = 0; i < v->v.s.len; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10) buf_putc(out, '-');
            buf_printf(out, "%02x", (unsigned char)v->v.s.p[i]);
        }
        break;
    default: break;
    }
}

/* ---- casts ---- */

static int cast_err(TypeId from, TypeId to, DdError *err)
{
    return dd_err(err, DD_ECANNOT_COERCE, -1, "cannot cast type %s to %s", type_name(from), type_name(to));
}

static int int_range_err(TypeId t, DdError *err)
{
    return dd_err(err, DD_EOUT_OF_RANGE, -1, "%s out of range",
                  t == TYPE_INT2 ? "smallint" : t == TYPE_INT4 ? "integer" : "bigint");
}

static int to_int(const Value *v, TypeId t, Value *out, DdError *err)
{
    i64 r;
    switch ((TypeId)v->type) {
    case TYPE_INT2:
    case TYPE_INT4:
    case TYPE_INT8: r = v->v.i; break;
    case TYPE_BOOL:
        if (t != TYPE_INT4) return cast_err(v->type, t, err);
        r = v->v.b;
        break;
    case TYPE_OID:   /* to int4 the same 32 bits (4294967295 is -1), to int8 the value */
    case TYPE_REGPROC: case TYPE_REGCLASS: case TYPE_REGTYPE: case TYPE_REGNAMESPACE: case TYPE_REGROLE: case TYPE_REGPROCEDURE:
        if (t == TYPE_INT2) return cast_err(v->type, t, err);
        r = t == TYPE_INT4 ? (i64)(i32)(u32)v->v.i : v->v.i;
        break;
    case TYPE_CHAR:  /* "char" to integer: the byte as a signed char */
        if (t != TYPE_INT4) return cast_err(v->type, t, err);
        r = (i8)(u8)v->v.i;
        break;
    case TYPE_FLOAT4:
    case TYPE_FLOAT8: {
        double d = rint(v->v.f); /* half to even */
        if (isnan(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0) return int_range_err(t, err);
        r = (i64)d;
        break;
    }
    case TYPE_NUMERIC:
        if (numeric_is_special(v->scale))
            return dd_err(err, DD_EFEATURE, -1, "cannot convert %s to %s",
                          numeric_is_nan(v->scale) ? "NaN" : "infinity",
                          t == TYPE_INT2 ? "smallint" : t == TYPE_INT4 ? "integer" : "bigint");
        if (numeric_value_to_int64(v, &r) != 0) return int_range_err(t, err);
        break;
    default: return cast_err(v->type, t, err);
    }
    if (r < int_min(t) || r > int_max(t)) return int_range_err(t, err);
    *out = val_int(t, r);
    return DD_OK;
}

/* To oid: int2 / int4 as their unsigned 32 bits, int8 within 0 ..
 * 4294967295 (else 22003, as PostgreSQL's i8tooid). */
static int to_oid(const Value *v, TypeId t, Value *out, DdError *err)
{
    i64 r = v->v.i;
    switch ((TypeId)v->type) {
    case TYPE_OID: case TYPE_REGPROC: case TYPE_REGCLASS: case TYPE_REGTYPE: case TYPE_REGNAMESPACE: case TYPE_REGROLE: case TYPE_REGPROCEDURE:
        break;
    case TYPE_INT2:
    case TYPE_INT4: r = (i64)(u32)r; break;
    case TYPE_INT8:
        if (r < 0 || r > (i64)UINT32_MAX) return dd_err(err, DD_EOUT_OF_RANGE, -1, "OID out of range");
        break;
    default: return cast_err(v->type, t, err);
    }
    *out = val_int(t, r);
    return DD_OK;
}

/* To "char": an integer in -128 .. 127 (a negative one is its byte). */
static int to_char1(const Value *v, Value *out, DdError *err)
{
    if (v->type == TYPE_CHAR) { *out = *v; return DD_OK; }
    if (v->type != TYPE_INT4) return cast_err(v->type, TYPE_CHAR, err);
    if (v->v.i < -128 || v->v.i > 127) return dd_err(err, DD_EOUT_OF_RANGE, -1, "\"char\" out of range");
    *out = val_int(TYPE_CHAR, (u8)(i8)v->v.i);
    return DD_OK;
}

static int to_float(const Value *v, TypeId t, Value *out, DdError *err)
{
    double d;
    switch ((TypeId)v->type) {
    case TYPE_INT2:
    case TYPE_INT4:
    case TYPE_INT8: d = (double)v->v.i; break;
    case TYPE_FLOAT4:
    case TYPE_FLOAT8: d = v->v.f; break;
    case TYPE_NUMERIC:
        if (t == TYPE_FLOAT4 || numeric_is_big(v->scale)) {
            /* through text, as PostgreSQL's numeric_float8 / numeric_float4,
             * so that the rounding to float is single; a value past the
             * float's range, or one that underflows to zero, is float8in's /
             * float4in's error (a subnormal result is no error) */
            Buf b = BUF_INIT;
            numeric_value_text(v, &b);
            char *s = buf_cstr(&b);
            if (!s) { buf_free(&b); return dd_err(err, DD_ENOMEM, -1, NULL); }
            errno = 0;
            d = t == TYPE_FLOAT4 ? strtof(s, NULL) : strtod(s, NULL);
            if (errno == ERANGE && (d == 0 || isinf(d))) {
                dd_err(err, DD_EOUT_OF_RANGE, -1, "\"%s\" is out of range for type %s", s,
                       t == TYPE_FLOAT4 ? "real" : "double precision");
                buf_free(&b);
                return DD_EOUT_OF_RANGE;
            }
            buf_free(&b);
        } else {
            d = numeric_to_double(v->v.coef, v->scale);
        }
        break;
    default: return cast_err(v->type, t, err);
    }
    if (t == TYPE_FLOAT4) {
        float f = (float)d;
        if (isinf(f) && !isinf(d)) return dd_err(err, DD_EOUT_OF_RANGE, -1, "value out of range: overflow");
        if (f == 0 && d != 0) return dd_err(err, DD_EOUT_OF_RANGE, -1, "value out of range: underflow");
    }
    *out = val_float(t, d);
    return DD_OK;
}

static int to_numeric(const Value *v, i32 typmod, Arena *ar, Value *out, DdError *err)
{
    int rc;
    Value r;
    switch ((TypeId)v->type) {
    case TYPE_INT2:
    case TYPE_INT4:
    case TYPE_INT8: r = val_numeric(v->v.i, 0); break;
    case TYPE_FLOAT4:
    case TYPE_FLOAT8:
        rc = numeric_value_from_double(v->v.f, v->type == TYPE_FLOAT4 ? 6 : 15, ar, &r, err);
        if (rc) return rc;
        break;
    case TYPE_NUMERIC: r = *v; break;
    default: return cast_err(v->type, TYPE_NUMERIC, err);
    }
    if ((rc = numeric_value_typmod(&r, typmod, ar, err))) return rc;
    *out = r;
    return DD_OK;
}

/* TIME(p) / TIMETZ(p) round half up (a time that rounds to 24:00:00
 * stays there); TIMESTAMP(p) / TIMESTAMPTZ(p) (microseconds from
 * 2000-01-01, PostgreSQL's epoch too) and an INTERVAL's time part round
 * half away from zero, as AdjustTimestampForTypmod / AdjustIntervalForTypmod,
 * so 1999-12-31 23:59:59.5 rounds down and -1.5 seconds to -2. */
int datetime_apply_typmod(Value *v, i32 typmod, DdError *err)
{
    if (typmod < 0 || v->isnull) return DD_OK;
    if (v->type == TYPE_INTERVAL) {
        /* AdjustIntervalForTypmod: the fields below the last one given
         * dropped (toward zero), then the seconds' precision */
        int range = interval_typmod_range(typmod);
        Interval *iv = &v->v.iv;
        enum { YEAR = 4, MONTH = 2, DAY = 8, HOUR = 1024, MINUTE = 2048, SECOND = 4096 };
        if (range == YEAR) iv->months = iv->months / 12 * 12;
        if (range == YEAR || range == MONTH || range == (YEAR | MONTH)) iv->days = 0, iv->usecs = 0;
        else if (range == DAY) iv->usecs = 0;
        else if (range == HOUR || range == (DAY | HOUR)) iv->usecs = iv->usecs / 3600000000LL * 3600000000LL;
        else if (range == MINUTE || range == (DAY | HOUR | MINUTE) || range == (HOUR | MINUTE))
            iv->usecs = iv->usecs / 60000000 * 60000000;
        typmod = interval_typmod_prec(typmod);
    }
    if (typmod >= 6) return DD_OK;
    static const i64 unit[6] = {1000000, 100000, 10000, 1000, 100, 10};
    i64 u = unit[typmod];
    switch (v->type) {
    case TYPE_TIME: v->v.i = (v->v.i + u / 2) / u * u; break;
    case TYPE_TIMETZ: {
        i64 us = (timetz_us(v->v.i) + u / 2) / u * u;
        v->v.i = timetz_pack(us, timetz_zone(v->v.i));
        break;
    }
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ: {
        i64 t = v->v.i;
        t = t >= 0 ? (t + u / 2) / u * u : -((-t + u / 2) / u * u);
        /* PostgreSQL 15 prints 294277-01-01 for the last microsecond
         * rounded up; PostgreSQL 16 and DriftDB refuse it */
        if (!timestamp_in_range(t)) return dd_err(err, DD_EDATETIME_OVERFLOW, -1, "timestamp out of range");
        v->v.i = t;
        break;
    }
    case TYPE_INTERVAL: {
        i64 t = v->v.iv.usecs;
        v->v.iv.usecs = t >= 0 ? (t + u / 2) / u * u : -((-t + u / 2) / u * u);
        break;
    }
    default: break;
    }
    return DD_OK;
}

#define USECS_DAY (86400LL * 1000000)

/* Casts to and from TIME and TIMETZ: a timestamp's time of day (a
 * timestamptz's in the session zone), a time's interval and back, time
 * <-> timetz (the session zone's offset today). */
static int time_cast(const Value *v, TypeId t, i32 typmod, const ValueCtx *ctx, Value *out, DdError *err)
{
    TypeId f = v->type;
    i64 x = v->v.i;
    if (f == t) {
        *out = *v;
        return datetime_apply_typmod(out, typmod, err);
    }
    if (t == TYPE_TIME || t == TYPE_TIMETZ) {
        i64 us;
        i32 zone = 0;
        if (f == TYPE_TIMESTAMP || f == TYPE_TIMESTAMPTZ) {
            i64 local = f == TYPE_TIMESTAMPTZ ? ts_utc_to_local(ctx, x) : x;
            if (t == TYPE_TIMETZ && f == TYPE_TIMESTAMP) return cast_err(f, t, err);
            us = local % USECS_DAY;
            if (us < 0) us += USECS_DAY;
            if (t == TYPE_TIMETZ) zone = tz_offset_at(ctx, x);
        } else if (f == TYPE_INTERVAL && t == TYPE_TIME) {
            us = v->v.iv.usecs % USECS_DAY;
            if (us < 0) us += USECS_DAY;
        } else if (f == TYPE_TIME && t == TYPE_TIMETZ) {
            us = x;
            zone = tz_offset_at(ctx, ts_from_unix_us(clock_wall_us()));
        } else if (f == TYPE_TIMETZ && t == TYPE_TIME) {
            us = timetz_us(x);
        } else {
            return cast_err(f, t, err);
        }
        *out = val_int(t, t == TYPE_TIMETZ ? timetz_pack(us, zone) : us);
        return datetime_apply_typmod(out, typmod, err);
    }
    if (f == TYPE_TIME && t == TYPE_INTERVAL) {
        Interval iv = {0, 0, x};
        *out = val_interval(iv);
        return datetime_apply_typmod(out, typmod, err);
    }
    return cast_err(f, t, err);
}

static int to_datetime(const Value *v, TypeId t, i32 typmod, const ValueCtx *ctx, Value *out, DdError *err)
{
    TypeId f = v->type;
    i64 x = v->v.i;
    int rc;
    if (!type_is_datetime(f)) return cast_err(f, t, err);
    if (t == TYPE_DATE) {
        if (f == TYPE_TIMESTAMPTZ) x = ts_utc_to_local(ctx, x);
        *out = val_int(t, f == TYPE_DATE ? x : timestamp_to_date(x));
        return DD_OK;
    }
    if (f == TYPE_DATE && (rc = date_to_timestamp(x, &x, err))) return rc;
    if (t == TYPE_TIMESTAMPTZ && f != TYPE_TIMESTAMPTZ) x = ts_local_to_utc(ctx, x);
    if (t == TYPE_TIMESTAMP && f == TYPE_TIMESTAMPTZ) x = ts_utc_to_local(ctx, x);
    *out = val_int(t, x);
    return datetime_apply_typmod(out, typmod, err);
}

/* Casts PostgreSQL has for json and jsonb: json <-> jsonb (the text
 * parsed or printed), and a jsonb scalar to bool or a number type (22023
 * "cannot cast jsonb X to type Y" otherwise). */
static int json_cast(const Value *v, TypeId t, i32 typmod, const ValueCtx *ctx, Value *out, DdError *err)
{
    TypeId f = v->type;
    if (f == t) { *out = *v; return DD_OK; }
    if (!ctx || !ctx->arena) return nomem(err);
    if ((f == TYPE_JSON && t == TYPE_JSONB) || (f == TYPE_JSONB && t == TYPE_JSON))
        return json_in(t, v->v.s.p, v->v.s.len, ctx->arena, out, err);
    if (f != TYPE_JSONB || !(t == TYPE_BOOL || type_is_numeric(t))) return cast_err(f, t, err);
    Arena tmp;
    arena_init(&tmp, 1024);
    JNode *n = NULL;
    int rc = jsonb_value_tree(v, &tmp, &n, err);
    if (!rc) {
        static const char *const jname[] = {"null", "string", "numeric", "boolean", "array", "object"};
        if (t == TYPE_BOOL ? n->type != J_BOOL : n->type != J_NUMBER) {
            rc = dd_err(err, DD_EINVALID_PARAM, -1, "cannot cast jsonb %s to type %s", jname[n->type], type_name(t));
        } else if (t == TYPE_BOOL) {
            *out = val_bool(n->b);
        } else {
            Value num;
            rc = val_from_text(TYPE_NUMERIC, -1, n->s, n->len, ctx, &num, err);
            if (!rc) rc = val_cast(&num, t, typmod, true, ctx, out, err);
        }
    }
    arena_free(&tmp);
    return rc;
}

int val_cast(const Value *v, TypeId t, i32 typmod, bool explicit_cast, const ValueCtx *ctx, Value *out,
             DdError *err)
{
    if (v->isnull) {
        *out = val_null(t);
        if (type_has_etype(t) && typmod > 0) out->etype = (u32)typmod;
        return DD_OK;
    }
    TypeId f = v->type;
    int rc;
    /* to a string type: the text form (char(n) loses its padding first) */
    if (type_is_string(t) || t == TYPE_NULLTYPE) {
        if (type_is_string(f) || f == TYPE_NULLTYPE) {
            u32 n = v->v.s.len;
            if (f == TYPE_BPCHAR && t != TYPE_BPCHAR)
                while (n > 0 && v->v.s.p[n - 1] == ' ') n--;
            if (f == t && typmod < 0) {
                *out = *v;
                return DD_OK;
            }
            return string_typmod(t, typmod, v->v.s.p, n, explicit_cast, ctx, out, err);
        }
        Buf b = BUF_INIT;
        /* booltext, not boolout (but name has no cast from boolean: boolout) */
        if (f == TYPE_BOOL && t != TYPE_NAME) buf_puts(&b, v->v.b ? "true" : "false");
        else val_to_text(v, ctx, &b);
        if (!buf_ok(&b)) {
            buf_free(&b);
            return nomem(err);
        }
        rc = string_typmod(t, typmod, b.len ? (const char *)b.data : "", b.len, explicit_cast, ctx, out, err);
        buf_free(&b);
        return rc;
    }
    /* from a string type: the input function */
    if (type_is_string(f) || f == TYPE_NULLTYPE) {
        const char *p = v->v.s.p;
        u32 n = v->v.s.len;
        if (type_is_array(t) && typmod >= 0 && type_elem(t) != TYPE_ENUM) {
            /* the elements' typmod as a cast applies it: char(n) / varchar(n)
             * cut on an explicit cast, 22001 on assignment */
            Value a;
            rc = val_from_text(t, -1, p, n, ctx, &a, err);
            return rc ? rc : array_cast(&a, t, typmod, explicit_cast, ctx, out, err);
        }
        return val_from_text(t, typmod, p, n, ctx, out, err);
    }
    if (type_vector_array(f) && (type_vector_array(f) == t || f == t)) {
        /* int2vector -> int2[], oidvector -> oid[]: the same array */
        *out = *v;
        out->type = (u8)t;
        return DD_OK;
    }
    if (type_vector_array(f) && type_is_array(t)) {
        /* oidvector -> regtype[] ...: through its own array */
        Value a = *v;
        a.type = (u8)type_vector_array(f);
        return val_cast(&a, t, typmod, explicit_cast, ctx, out, err);
    }
    if (type_is_array(t) || type_is_array(f)) {
        if (!type_is_array(t) || !type_is_array(f)) {
            if (!type_has_etype(f) && !type_has_etype(t)) return cast_err(f, t, err);
            /* an enum or its array: by the type's name ("mood[]") */
            u32 fe = f == TYPE_ENUM ? v->etype : type_has_etype(f) ? array_etype(v) : 0;
            return dd_err(err, DD_ECANNOT_COERCE, -1, "cannot cast type %s%s to %s%s",
                          type_has_etype(f) ? enum_type_name(fe, ctx) : type_name(f),
                          type_is_array(f) && type_has_etype(f) ? "[]" : "",
                          type_has_etype(t) ? enum_type_name(typmod < 0 ? 0 : (u32)typmod, ctx) : type_name(t),
                          type_is_array(t) && type_has_etype(t) ? "[]" : "");
        }
        if (f == t && typmod < 0) { *out = *v; return DD_OK; }
        if ((type_elem(f) == TYPE_ENUM) != (type_elem(t) == TYPE_ENUM) && !type_is_string(type_elem(f)) &&
            !type_is_string(type_elem(t)))   /* an enum's array to or from a string array only */
            return dd_err(err, DD_ECANNOT_COERCE, -1, "cannot cast type %s%s to %s%s",
                          type_elem(f) == TYPE_ENUM ? enum_type_name(array_etype(v), ctx) : type_name(f),
                          type_elem(f) == TYPE_ENUM ? "[]" : "",
                          type_elem(t) == TYPE_ENUM ? enum_type_name(typmod < 0 ? 0 : (u32)typmod, ctx) : type_name(t),
                          type_elem(t) == TYPE_ENUM ? "[]" : "");
        if (f == t && type_elem(t) == TYPE_ENUM) {
            /* an enum's array to itself only, as its elements */
            u32 from = array_etype(v);
            if (from && from != (u32)typmod)
                return dd_err(err, DD_ECANNOT_COERCE, -1, "cannot cast type %s[] to %s[]", enum_type_name(from, ctx),
                              enum_type_name((u32)typmod, ctx));
            return array_cast(v, t, typmod, explicit_cast, ctx, out, err);
        }
        return array_cast(v, t, typmod, explicit_cast, ctx, out, err);
    }
    if ((f == TYPE_ENUM) != (t == TYPE_ENUM) ||
        (f == TYPE_ENUM && typmod >= 0 && v->etype != (u32)typmod))
        return dd_err(err, DD_ECANNOT_COERCE, -1, "cannot cast type %s to %s",
                      f == TYPE_ENUM ? enum_type_name(v->etype, ctx) : type_name(f),
                      t == TYPE_ENUM ? enum_type_name(typmod < 0 ? 0 : (u32)typmod, ctx) : type_name(t));
    if (f == TYPE_JSON || f == TYPE_JSONB || t == TYPE_JSON || t == TYPE_JSONB)
        return json_cast(v, t, typmod, ctx, out, err);
    switch (t) {
    case TYPE_BOOL:
        if (f == TYPE_BOOL) { *out = *v; return DD_OK; }
        if (f != TYPE_INT4) return cast_err(f, t, err);
        *out = val_bool(v->v.i != 0);
        return DD_OK;
    case TYPE_INT2:
    case TYPE_INT4:
    case TYPE_INT8: return to_int(v, t, out, err);
    case TYPE_FLOAT4:
    case TYPE_FLOAT8: return to_float(v, t, out, err);
    case TYPE_NUMERIC: return to_numeric(v, typmod, ctx ? ctx->arena : NULL, out, err);
    case TYPE_DATE:
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ: return to_datetime(v, t, typmod, ctx, out, err);
    case TYPE_TIME:
    case TYPE_TIMETZ: return time_cast(v, t, typmod, ctx, out, err);
    case TYPE_OID:
    case TYPE_REGPROC:
    case TYPE_REGCLASS:
    case TYPE_REGTYPE:
    case TYPE_REGNAMESPACE:
    case TYPE_REGROLE: case TYPE_REGPROCEDURE: return to_oid(v, t, out, err);
    case TYPE_CHAR: return to_char1(v, out, err);
    case TYPE_INTERVAL:
        if (f == TYPE_TIME) return time_cast(v, t, typmod, ctx, out, err);
        if (f != t) return cast_err(f, t, err);
        *out = *v;
        return datetime_apply_typmod(out, typmod, err);
    case TYPE_UUID:
    case TYPE_BYTEA:
    case TYPE_XID8:
        if (f != t) return cast_err(f, t, err);
        *out = *v;
        return DD_OK;
    case TYPE_ENUM:
        /* one enum type to itself only (PostgreSQL has no casts between enums) */
        if (f != t || (typmod >= 0 && v->etype != (u32)typmod)) return cast_err(f, t, err);
        *out = *v;
        return DD_OK;
    default: return cast_err(f, t, err);
    }
}

/* ---- implicit casts and common types ---- */

/* Rank in the numeric category: int2 < int4 < int8 < numeric < float4 < float8. */
static int num_rank(TypeId t)
{
    switch (t) {
    case TYPE_INT2: return 1;
    case TYPE_INT4: return 2;
    case TYPE_INT8: return 3;
    case TYPE_NUMERIC: return 4;
    case TYPE_FLOAT4: return 5;
    case TYPE_FLOAT8: return 6;
    default: return 0;
    }
}

bool type_can_implicit(TypeId from, TypeId to)
{
    if (from == to || from == TYPE_UNKNOWN || from == TYPE_NULLTYPE) return true;
    if (type_vector_array(from)) return to == type_vector_array(from);   /* int2vector -> int2[] ... */
    if (type_is_array(from) || type_is_array(to))
        return type_is_array(from) && type_is_array(to) && type_can_implicit(type_elem(from), type_elem(to));
    if (num_rank(from) && num_rank(to)) return num_rank(from) < num_rank(to);
    if (type_is_string(from) && type_is_string(to)) return to != TYPE_UNKNOWN;
    if (from == TYPE_DATE) return to == TYPE_TIMESTAMP || to == TYPE_TIMESTAMPTZ;
    if (from == TYPE_TIMESTAMP) return to == TYPE_TIMESTAMPTZ;
    if (from == TYPE_TIME) return to == TYPE_TIMETZ || to == TYPE_INTERVAL;
    if (type_is_oidlike(to)) return type_is_int(from) || type_is_oidlike(from);
    if (from == TYPE_CHAR) return to == TYPE_TEXT;
    return false;
}

bool type_common(TypeId a, TypeId b, TypeId *out)
{
    bool ua = a == TYPE_UNKNOWN || a == TYPE_NULLTYPE, ub = b == TYPE_UNKNOWN || b == TYPE_NULLTYPE;
    if (ua && ub) { *out = TYPE_TEXT; return true; }
    if (ua) { *out = b; return true; }
    if (ub) { *out = a; return true; }
    if (a == b) { *out = a; return true; }
    if (type_is_array(a) || type_is_array(b)) {
        TypeId e;
        if (!type_is_array(a) || !type_is_array(b) || !type_common(type_elem(a), type_elem(b), &e)) return false;
        *out = type_array_of(e);
        return true;
    }
    if (num_rank(a) && num_rank(b)) { *out = num_rank(a) > num_rank(b) ? a : b; return true; }
    if (type_is_string(a) && type_is_string(b)) { *out = TYPE_TEXT; return true; }
    /* an integer casts to oid implicitly; "char" to text */
    if ((type_is_oidlike(a) && (type_is_int(b) || type_is_oidlike(b))) || (type_is_oidlike(b) && type_is_int(a))) {
        *out = TYPE_OID;
        return true;
    }
    if ((a == TYPE_CHAR && type_is_string(b)) || (b == TYPE_CHAR && type_is_string(a))) { *out = TYPE_TEXT; return true; }
    if (type_is_datetime(a) && type_is_datetime(b)) {
        *out = (a == TYPE_TIMESTAMPTZ || b == TYPE_TIMESTAMPTZ) ? TYPE_TIMESTAMPTZ : TYPE_TIMESTAMP;
        return true;
    }
    return false;
}
