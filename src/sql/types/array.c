/*
 * array.c - arrays (array.h): the serialized form, text input and output
 * as PostgreSQL's array_in / array_out, ordering and hashing, keys, casts.
 *
 * Invariants: a serialized array has 0 dimensions exactly when it has no
 * elements; every dimension is at least 1 long; the product of the dims
 * fits ARRAY_MAX_ITEMS; every element's Value has type `elem` (NULLs too).
 */
#include "array.h"

#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

#include <stdlib.h>
#include <string.h>

static int nomem(DdError *err) { return dd_err(err, DD_ENOMEM, -1, "out of memory"); }

void array_init(ArrayVal *a, TypeId elem)
{
    memset(a, 0, sizeof *a);
    a->elem = elem;
}

static int alloc_items(ArrayVal *a, Arena *arena)
{
    a->items = arena_alloc(arena, sizeof(Value) * (a->n ? a->n : 1));
    if (!a->items) return DD_ENOMEM;
    for (u32 i = 0; i < a->n; i++) a->items[i] = val_null(a->elem);
    return DD_OK;
}

int array_set_1d(ArrayVal *a, Arena *arena, u32 n)
{
    a->ndim = n ? 1 : 0;
    a->dims[0] = (i32)n;
    a->lbound[0] = 1;
    a->n = n;
    return alloc_items(a, arena);
}

int array_set_shape(ArrayVal *a, Arena *arena, int ndim, const i32 *dims, const i32 *lbound, DdError *err)
{
    if (ndim > ARRAY_MAXDIM)
        return dd_err(err, DD_EPROGRAM_LIMIT, -1, "number of array dimensions (%d) exceeds the maximum allowed (%d)",
                      ndim, ARRAY_MAXDIM);
    u64 n = ndim ? 1 : 0;
    for (int i = 0; i < ndim; i++) {
        if (dims[i] <= 0) { n = 0; break; }
        n *= (u64)dims[i];
        if (n > ARRAY_MAX_ITEMS)
            return dd_err(err, DD_EPROGRAM_LIMIT, -1, "array size exceeds the maximum allowed (%d)", ARRAY_MAX_ITEMS);
        if ((i64)lbound[i] + dims[i] - 1 > INT32_MAX)
            return dd_err(err, DD_EPROGRAM_LIMIT, -1, "array upper bound is too large: %lld",
                          (long long)lbound[i] + dims[i] - 1);
    }
    a->ndim = n ? ndim : 0;
    a->n = (u32)n;
    for (int i = 0; i < a->ndim; i++) {
        a->dims[i] = dims[i];
        a->lbound[i] = lbound[i];
    }
    if (alloc_items(a, arena)) return nomem(err);
    return DD_OK;
}

/* ---- serialized form ---- */

static void put_elem(Buf *b, const Value *v)
{
    if (v->isnull) { buf_putc(b, 0); return; }
    buf_putc(b, 1);
    if (v->type == TYPE_ENUM) { buf_put_svarint(b, v->v.i); return; }   /* the label's key */
    switch ((TypeId)v->type) {
    case TYPE_BOOL: buf_putc(b, v->v.b ? 1 : 0); break;
    case TYPE_INT2: case TYPE_INT4: case TYPE_INT8:
    case TYPE_DATE: case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ: case TYPE_TIME: case TYPE_TIMETZ:
    case TYPE_OID: case TYPE_CHAR:
    case TYPE_REGPROC: case TYPE_REGCLASS: case TYPE_REGTYPE: case TYPE_REGNAMESPACE: case TYPE_REGROLE: case TYPE_REGPROCEDURE:
    case TYPE_XID8:
        buf_put_svarint(b, v->v.i);
        break;
    case TYPE_FLOAT4: case TYPE_FLOAT8: {
        u64 bits;
        memcpy(&bits, &v->v.f, 8);
        buf_put_u64le(b, bits);
        break;
    }
    case TYPE_NUMERIC:
        buf_putc(b, (u8)v->scale);
        if (numeric_is_big(v->scale)) {   /* 0xFC, 0xFB: a big value's sign, then its payload */
            buf_put_varint(b, v->v.s.len);
            buf_append(b, v->v.s.p, v->v.s.len);
            break;
        }
        buf_put_u64le(b, (u64)v->v.coef);
        buf_put_u64le(b, (u64)((u128)v->v.coef >> 64));
        break;
    case TYPE_INTERVAL:
        buf_put_svarint(b, v->v.iv.months);
        buf_put_svarint(b, v->v.iv.days);
        buf_put_svarint(b, v->v.iv.usecs);
        break;
    default:
        buf_put_varint(b, v->v.s.len);
        buf_append(b, v->v.s.p, v->v.s.len);
        break;
    }
}

static bool get_elem(Cursor *c, TypeId t, u32 etype, Value *out)
{
    u8 present = cur_u8(c);
    *out = val_null(t);
    out->etype = etype;
    if (present == 0) return !c->bad;
    if (present != 1) return false;
    if (t == TYPE_ENUM) {
        out->isnull = false;
        out->v.i = cur_svarint(c);
        return !c->bad;
    }
    switch (t) {
    case TYPE_BOOL: {
        u8 b = cur_u8(c);
        if (b > 1) return false;
        *out = val_bool(b);
        break;
    }
    case TYPE_INT2: case TYPE_INT4: case TYPE_INT8:
    case TYPE_DATE: case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ: case TYPE_TIME: case TYPE_TIMETZ:
    case TYPE_OID: case TYPE_CHAR:
    case TYPE_REGPROC: case TYPE_REGCLASS: case TYPE_REGTYPE: case TYPE_REGNAMESPACE: case TYPE_REGROLE: case TYPE_REGPROCEDURE:
    case TYPE_XID8: {
        i64 i = cur_svarint(c);
        if ((t == TYPE_INT2 && (i < INT16_MIN || i > INT16_MAX)) ||
            ((t == TYPE_INT4 || t == TYPE_DATE) && (i < INT32_MIN || i > INT32_MAX)) ||
            (t == TYPE_TIME && (i < 0 || i > 86400LL * 1000000)) ||
            (t == TYPE_TIMETZ && (i < 0 || timetz_us(i) > 86400LL * 1000000)) ||
            (type_is_oidlike(t) && (i < 0 || i > (i64)UINT32_MAX)) || (t == TYPE_CHAR && (i < 0 || i > 255)))
            return false;
        *out = val_int(t, i);
        break;
    }
    case TYPE_FLOAT4: case TYPE_FLOAT8: {
        u64 bits = cur_u64le(c);
        double d;
        memcpy(&d, &bits, 8);
        *out = val_float(t, d);
        break;
    }
    case TYPE_NUMERIC: {
        u8 scale = cur_u8(c);
        if (scale == (u8)NUMERIC_BIG || scale == (u8)NUMERIC_BIG_NEG) {
            u64 len = cur_varint(c);
            if (c->bad || len > cur_left(c)) return false;
            const char *p = (const char *)cur_bytes(c, (size_t)len);
            if (!p || !numeric_big_check(p, (size_t)len)) return false;
            *out = val_numeric(0, 0);
            out->scale = (i8)scale;
            out->v.s.p = p;   /* borrowed from the array, as its text elements are */
            out->v.s.len = (u32)len;
            break;
        }
        u64 lo = cur_u64le(c), hi = cur_u64le(c);
        i128 coef = (i128)(((u128)hi << 64) | lo);
        if (scale >= 0xFD && coef == 0) {   /* NaN, Infinity, -Infinity (array.h) */
            *out = val_numeric(0, (int)(i8)scale);
            break;
        }
        if (scale > NUMERIC_MAX_SCALE) return false;
        *out = val_numeric(coef, scale);
        break;
    }
    case TYPE_INTERVAL: {
        Interval iv;
        i64 m = cur_svarint(c), d = cur_svarint(c);
        iv.usecs = cur_svarint(c);
        if (m < INT32_MIN || m > INT32_MAX || d < INT32_MIN || d > INT32_MAX) return false;
        iv.months = (i32)m;
        iv.days = (i32)d;
        *out = val_interval(iv);
        break;
    }
    default: {
        u64 len = cur_varint(c);
        if (len > cur_left(c)) return false;
        const u8 *p = cur_bytes(c, (size_t)len);
        if (t == TYPE_UUID && len != 16) return false;
        *out = val_text(t, (const char *)p, (u32)len);
        break;
    }
    }
    return !c->bad;
}

int array_to_value(const ArrayVal *a, Arena *arena, Value *out, DdError *err)
{
    Buf b = BUF_INIT;
    buf_putc(&b, (u8)a->elem);
    if (a->elem == TYPE_ENUM) {
        u32 etype = a->etype;
        for (u32 i = 0; i < a->n && !etype; i++) etype = a->items[i].isnull ? 0 : a->items[i].etype;
        buf_put_u32le(&b, etype);
    }
    buf_putc(&b, (u8)(a->n ? a->ndim : 0));
    if (a->n) {
        for (int i = 0; i < a->ndim; i++) {
            buf_put_svarint(&b, a->dims[i]);
            buf_put_svarint(&b, a->lbound[i]);
        }
        for (u32 i = 0; i < a->n; i++) put_elem(&b, &a->items[i]);
    }
    if (!buf_ok(&b)) { buf_free(&b); return nomem(err); }
    char *p = arena_memdup(arena, b.data, b.len);
    size_t len = b.len;
    buf_free(&b);
    if (!p) return nomem(err);
    *out = val_text(type_array_of(a->elem), p, (u32)len);
    return DD_OK;
}

/* Decodes the header and, with arena, the elements. */
static bool decode(TypeId elem, const u8 *p, size_t n, Arena *arena, ArrayVal *a, bool *oom)
{
    Cursor c;
    cur_init(&c, p, n);
    array_init(a, elem);
    if (cur_u8(&c) != elem) return false;
    if (elem == TYPE_ENUM) a->etype = cur_u32le(&c);
    int ndim = cur_u8(&c);
    if (c.bad || ndim > ARRAY_MAXDIM) return false;
    u64 total = ndim ? 1 : 0;
    for (int i = 0; i < ndim; i++) {
        i64 d = cur_svarint(&c), lb = cur_svarint(&c);
        if (d < 1 || d > ARRAY_MAX_ITEMS || lb < INT32_MIN || lb > INT32_MAX || lb + d - 1 > INT32_MAX) return false;
        total *= (u64)d;
        if (total > ARRAY_MAX_ITEMS) return false;
        a->dims[i] = (i32)d;
        a->lbound[i] = (i32)lb;
    }
    if (c.bad) return false;
    a->ndim = ndim;
    a->n = (u32)total;
    /* each element takes at least one byte */
    if (a->n > cur_left(&c)) return false;
    if (arena) {
        a->items = arena_alloc(arena, sizeof(Value) * (a->n ? a->n : 1));
        if (!a->items) { *oom = true; return false; }
    }
    for (u32 i = 0; i < a->n; i++) {
        Value v;
        if (!get_elem(&c, elem, a->etype, &v)) return false;
        if (arena) a->items[i] = v;
    }
    return cur_end(&c);
}

int array_from_value(const Value *v, Arena *arena, ArrayVal *a, DdError *err)
{
    bool oom = false;
    if (decode(type_elem((TypeId)v->type), (const u8 *)v->v.s.p, v->v.s.len, arena, a, &oom)) return DD_OK;
    if (oom) return nomem(err);
    return dd_corrupt(err, "malformed %s value (%u bytes)", type_name((TypeId)v->type), v->v.s.len);
}

u32 array_etype(const Value *v)
{
    Cursor c;
    cur_init(&c, (const u8 *)v->v.s.p, v->v.s.len);
    if (cur_u8(&c) != TYPE_ENUM) return 0;
    u32 e = cur_u32le(&c);
    return c.bad ? 0 : e;
}

bool array_bytes_valid(TypeId elem, const u8 *p, size_t n)
{
    ArrayVal a;
    bool oom = false;
    return decode(elem, p, n, NULL, &a, &oom);
}

/* ---- text input ---- */

static bool arr_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

typedef struct InState {
    const char *s, *end, *p;
    const char *whole; size_t wlen;   /* for messages */
    int ndim;                          /* leaf depth once known, else -1 */
    i32 dims[ARRAY_MAXDIM];
    bool dim_known[ARRAY_MAXDIM];
    /* elements (raw text, or NULL) */
    struct { size_t off; u32 len; bool null; } *el;   /* off: into text */
    u32 nel, cap;
    Buf text;                          /* de-escaped element texts, NUL-separated */
    DdError *err;
} InState;

static int malformed(InState *st, const char *detail, ...) DD_PRINTF(2, 3);
static int malformed(InState *st, const char *detail, ...)
{
    dd_err(st->err, DD_EINVALID_TEXT, -1, "malformed array literal: \"%.*s\"", (int)DD_MIN(st->wlen, 1024), st->whole);
    va_list ap;
    va_start(ap, detail);
    char msg[256];
    vsnprintf(msg, sizeof msg, detail, ap);
    va_end(ap);
    dd_err_detail(st->err, "%s", msg);
    return DD_EINVALID_TEXT;
}

static int unexpected(InState *st)
{
    if (st->p >= st->end) return malformed(st, "Unexpected end of input.");
    return malformed(st, "Unexpected \"%c\" character.", *st->p);
}

static void skip_space(InState *st) { while (st->p < st->end && arr_space(*st->p)) st->p++; }

/* One element at st->p: quoted or not; appended to st->el. */
static int read_element(InState *st)
{
    size_t start = st->text.len;
    bool quoted = false, any_quoted = false;
    size_t keep = start;   /* text length up to the last char that is not trailing space */
    bool first = true;
    while (st->p < st->end) {
        char c = *st->p;
        if (!quoted && (c == ',' || c == '}')) break;
        if (!quoted && c == '{') return malformed(st, "Unexpected \"{\" character.");
        if (c == '"') {
            /* a quote only opens at the start of an element, and closes
             * before a delimiter */
            if (!quoted && !first) return malformed(st, "Unexpected array element.");
            if (quoted) {
                quoted = false;
                st->p++;
                skip_space(st);
                if (st->p < st->end && *st->p != ',' && *st->p != '}')
                    return malformed(st, "Unexpected array element.");
                keep = st->text.len;
                continue;
            }
            quoted = any_quoted = true;
            first = false;
            st->p++;
            continue;
        }
        if (c == '\\') {
            st->p++;
            if (st->p >= st->end) return malformed(st, "Unexpected end of input.");
            buf_putc(&st->text, (u8)*st->p++);
            keep = st->text.len;
            first = false;
            continue;
        }
        if (!quoted && arr_space(c)) {
            if (!first) buf_putc(&st->text, (u8)c);
            st->p++;
            continue;
        }
        buf_putc(&st->text, (u8)c);
        st->p++;
        first = false;
        keep = st->text.len;
    }
    if (quoted || st->p >= st->end) return malformed(st, "Unexpected end of input.");
    st->text.len = keep;
    u32 len = (u32)(keep - start);
    if (!any_quoted && len == 0) return malformed(st, "Unexpected \"%c\" character.", *st->p);
    if (st->nel == st->cap) {
        u32 ncap = st->cap ? st->cap * 2 : 16;
        void *ne = realloc(st->el, sizeof(*st->el) * ncap);
        if (!ne) return nomem(st->err);
        st->el = ne;
        st->cap = ncap;
    }
    bool null = !any_quoted && len == 4 && strncasecmp((const char *)st->text.data + start, "null", 4) == 0;
    st->el[st->nel].off = start;
    st->el[st->nel].len = len;
    st->el[st->nel].null = null;
    st->nel++;
    return DD_OK;
}

/* A brace level at st->p ('{'), at nesting depth d. */
static int read_level(InState *st, int d)
{
    if (d >= ARRAY_MAXDIM)
        return dd_err(st->err, DD_EPROGRAM_LIMIT, -1, "number of array dimensions (%d) exceeds the maximum allowed (%d)",
                      d + 1, ARRAY_MAXDIM);
    st->p++;   /* { */
    skip_space(st);
    if (st->p < st->end && *st->p == '}') {
        if (d > 0) return unexpected(st);
        st->p++;
        return DD_OK;   /* {} */
    }
    i32 count = 0;
    for (;;) {
        skip_space(st);
        if (st->p >= st->end) return unexpected(st);
        char c = *st->p;
        int rc;
        if (c == '{') {
            if (st->ndim == d + 1) return unexpected(st);   /* elements live at this level */
            rc = read_level(st, d + 1);
        } else {
            if (c == ',' || c == '}') return unexpected(st);
            if (st->ndim < 0) st->ndim = d + 1;
            else if (st->ndim != d + 1) return malformed(st, "Unexpected array element.");
            rc = read_element(st);
        }
        if (rc) return rc;
        count++;
        skip_space(st);
        if (st->p >= st->end) return unexpected(st);
        if (*st->p == ',') { st->p++; continue; }
        if (*st->p == '}') { st->p++; break; }
        return unexpected(st);
    }
    if (st->dim_known[d] && st->dims[d] != count)
        return malformed(st, "Multidimensional arrays must have sub-arrays with matching dimensions.");
    st->dims[d] = count;
    st->dim_known[d] = true;
    return DD_OK;
}

/* A signed decimal integer of explicit dimensions ("[-1:2]"). */
static bool dim_number(InState *st, i32 *out)
{
    const char *q = st->p;
    while (q < st->end && ((*q >= '0' && *q <= '9') || *q == '-' || *q == '+')) q++;
    if (q == st->p) return false;
    char buf[32];
    size_t n = DD_MIN((size_t)(q - st->p), sizeof buf - 1);
    memcpy(buf, st->p, n);
    buf[n] = 0;
    *out = (i32)atoi(buf);
    st->p = q;
    return true;
}

int array_in(TypeId elem, i32 typmod, const char *s, size_t len, const ValueCtx *ctx, Value *out,
             DdError *err)
{
    InState st;
    memset(&st, 0, sizeof st);
    st.s = st.p = s;
    st.end = s + len;
    st.whole = s;
    st.wlen = len;
    st.ndim = -1;
    st.err = err;
    buf_init(&st.text);
    int rc = DD_OK;
    int xdim = 0;
    i32 xdims[ARRAY_MAXDIM], xlb[ARRAY_MAXDIM];
    for (;;) {
        skip_space(&st);
        if (st.p >= st.end || *st.p != '[') break;
        st.p++;
        if (xdim >= ARRAY_MAXDIM) {
            rc = dd_err(err, DD_EPROGRAM_LIMIT, -1, "number of array dimensions (%d) exceeds the maximum allowed (%d)",
                        xdim + 1, ARRAY_MAXDIM);
            goto done;
        }
        i32 lo = 1, hi;
        if (!dim_number(&st, &hi)) {
            rc = malformed(&st, "\"[\" must introduce explicitly-specified array dimensions.");
            goto done;
        }
        if (st.p < st.end && *st.p == ':') {
            st.p++;
            lo = hi;
            if (!dim_number(&st, &hi)) { rc = malformed(&st, "Missing array dimension value."); goto done; }
        }
        if (st.p >= st.end || *st.p != ']') {
            rc = malformed(&st, "Missing \"]\" after array dimensions.");
            goto done;
        }
        st.p++;
        if (hi < lo) {
            rc = dd_err(err, DD_EARRAY_SUBSCRIPT, -1, "upper bound cannot be less than lower bound");
            goto done;
        }
        xdims[xdim] = hi - lo + 1;
        xlb[xdim] = lo;
        xdim++;
    }
    if (xdim) {
        if (st.p >= st.end || *st.p != '=') { rc = malformed(&st, "Missing \"=\" after array dimensions."); goto done; }
        st.p++;
        skip_space(&st);
        if (st.p >= st.end || *st.p != '{') { rc = malformed(&st, "Array contents must start with \"{\"."); goto done; }
    } else if (st.p >= st.end || *st.p != '{') {
        rc = malformed(&st, "Array value must start with \"{\" or dimension information.");
        goto done;
    }
    if ((rc = read_level(&st, 0))) goto done;
    skip_space(&st);
    if (st.p < st.end) { rc = malformed(&st, "Junk after closing right brace."); goto done; }
    if (!buf_ok(&st.text)) { rc = nomem(err); goto done; }
    int ndim = st.ndim < 0 ? 0 : st.ndim;
    i32 lb[ARRAY_MAXDIM];
    for (int i = 0; i < ndim; i++) lb[i] = 1;
    if (xdim) {
        bool same = xdim == ndim;
        for (int i = 0; same && i < ndim; i++) same = xdims[i] == st.dims[i];
        if (!same) { rc = malformed(&st, "Specified array dimensions do not match array contents."); goto done; }
        for (int i = 0; i < ndim; i++) lb[i] = xlb[i];
    }
    ArrayVal a;
    array_init(&a, elem);
    if (elem == TYPE_ENUM && typmod > 0) a.etype = (u32)typmod;
    if ((rc = array_set_shape(&a, ctx->arena, ndim, st.dims, lb, err))) goto done;
    for (u32 i = 0; i < st.nel && i < a.n; i++) {
        if (st.el[i].null) continue;
        size_t off = st.el[i].off;
        const char *p = st.el[i].len ? (const char *)st.text.data + off : "";
        if ((rc = val_from_text(elem, typmod, p, st.el[i].len, ctx, &a.items[i], err))) goto done;
    }
    rc = array_to_value(&a, ctx->arena, out, err);
done:
    free(st.el);
    buf_free(&st.text);
    return rc;
}

/* ---- text output ---- */

static void elem_out(const Value *v, const ValueCtx *ctx, Buf *out)
{
    if (v->isnull) { buf_puts(out, "NULL"); return; }
    Buf t = BUF_INIT;
    val_to_text(v, ctx, &t);
    bool quote = t.len == 0 || (t.len == 4 && strncasecmp((const char *)t.data, "null", 4) == 0);
    for (size_t i = 0; i < t.len && !quote; i++) {
        char c = (char)t.data[i];
        quote = c == '"' || c == '\\' || c == '{' || c == '}' || c == ',' || arr_space(c);
    }
    if (!quote) {
        buf_append(out, t.data, t.len);
    } else {
        buf_putc(out, '"');
        for (size_t i = 0; i < t.len; i++) {
            if (t.data[i] == '"' || t.data[i] == '\\') buf_putc(out, '\\');
            buf_putc(out, t.data[i]);
        }
        buf_putc(out, '"');
    }
    if (!buf_ok(&t)) out->oom = true;
    buf_free(&t);
}

void array_out(const Value *v, const ValueCtx *ctx, Buf *out)
{
    ArrayVal a;
    Arena tmp;
    arena_init(&tmp, 4096);
    if (array_from_value(v, &tmp, &a, NULL)) {
        buf_puts(out, "{}");
        arena_free(&tmp);
        return;
    }
    bool bounds = false;
    for (int i = 0; i < a.ndim; i++) bounds |= a.lbound[i] != 1;
    if (bounds) {
        for (int i = 0; i < a.ndim; i++)
            buf_printf(out, "[%d:%lld]", a.lbound[i], (long long)a.lbound[i] + a.dims[i] - 1);
        buf_putc(out, '=');
    }
    if (a.n == 0) {
        buf_puts(out, "{}");
        arena_free(&tmp);
        return;
    }
    /* idx[k]: position within dimension k of the current element */
    i32 idx[ARRAY_MAXDIM] = {0};
    for (int k = 0; k < a.ndim; k++) buf_putc(out, '{');
    for (u32 i = 0; i < a.n; i++) {
        elem_out(&a.items[i], ctx, out);
        int k = a.ndim - 1;
        while (k >= 0 && ++idx[k] == a.dims[k]) {
            idx[k] = 0;
            buf_putc(out, '}');
            k--;
        }
        if (k >= 0) {
            buf_putc(out, ',');
            for (int j = k + 1; j < a.ndim; j++) buf_putc(out, '{');
        }
    }
    arena_free(&tmp);
}

/* ---- ordering, hashing, keys ---- */

int array_compare(const Value *x, const Value *y, const ValueCtx *ctx)
{
    ArrayVal a, b;
    Arena tmp;
    arena_init(&tmp, 4096);
    int r = 0;
    if (array_from_value(x, &tmp, &a, NULL) || array_from_value(y, &tmp, &b, NULL)) {
        r = x->v.s.len < y->v.s.len ? -1 : x->v.s.len > y->v.s.len;
        goto done;
    }
    u32 n = DD_MIN(a.n, b.n);
    for (u32 i = 0; i < n && !r; i++) {
        const Value *p = &a.items[i], *q = &b.items[i];
        if (p->isnull || q->isnull) r = p->isnull == q->isnull ? 0 : p->isnull ? 1 : -1;
        else r = val_compare(p, q, ctx);
    }
    if (r) goto done;
    if (a.n != b.n) { r = a.n < b.n ? -1 : 1; goto done; }
    if (a.ndim != b.ndim) { r = a.ndim < b.ndim ? -1 : 1; goto done; }
    for (int i = 0; i < a.ndim && !r; i++) {
        if (a.dims[i] != b.dims[i]) r = a.dims[i] < b.dims[i] ? -1 : 1;
        else if (a.lbound[i] != b.lbound[i]) r = a.lbound[i] < b.lbound[i] ? -1 : 1;
    }
done:
    arena_free(&tmp);
    return r < 0 ? -1 : r > 0;
}

u64 array_hash(const Value *v)
{
    ArrayVal a;
    Arena tmp;
    arena_init(&tmp, 4096);
    u64 h = 0xa77a7;
    if (array_from_value(v, &tmp, &a, NULL) == DD_OK) {
        for (u32 i = 0; i < a.n; i++) h = (h ^ val_hash(&a.items[i])) * 0x100000001b3ULL + 31;
        h ^= (u64)a.n * 0x9e3779b97f4a7c15ULL;
        for (int i = 0; i < a.ndim; i++) h = h * 31 + (u64)(u32)a.dims[i] * 7 + (u64)(u32)a.lbound[i];
    }
    arena_free(&tmp);
    return h;
}

/* ---- casts ---- */

int array_cast(const Value *v, TypeId t, i32 typmod, bool explicit_cast, const ValueCtx *ctx, Value *out,
               DdError *err)
{
    ArrayVal a;
    int rc = array_from_value(v, ctx->arena, &a, err);
    if (rc) return rc;
    TypeId e = type_elem(t);
    for (u32 i = 0; i < a.n; i++) {
        Value r;
        if ((rc = val_cast(&a.items[i], e, typmod, explicit_cast, ctx, &r, err))) return rc;
        a.items[i] = r;
    }
    a.elem = e;
    a.etype = e == TYPE_ENUM && typmod > 0 ? (u32)typmod : 0;
    return array_to_value(&a, ctx->arena, out, err);
}

/* ---- elements for other serialized values (recordval.c) ---- */

void array_put_item(Buf *b, const Value *v) { put_elem(b, v); }
bool array_get_item(Cursor *c, TypeId t, Value *out) { return get_elem(c, t, 0, out); }
