/*
 * recordval.c - record values (recordval.h): building, reading, text
 * output, order and hashing.
 */
#include "recordval.h"
#include "array.h"
#include <stdio.h>
#include <string.h>

int record_make(int n, const char *const *names, const Value *vals, Arena *a, Value *out)
{
    Buf b = BUF_INIT;
    buf_put_varint(&b, (u64)n);
    for (int i = 0; i < n; i++) {
        char fname[16];
        const char *name = names && names[i] ? names[i] : (snprintf(fname, sizeof fname, "f%d", i + 1), fname);
        size_t nl = strlen(name);
        buf_put_varint(&b, nl);
        buf_append(&b, name, nl);
        TypeId t = vals[i].type == TYPE_NULLTYPE || vals[i].type == TYPE_UNKNOWN ? TYPE_TEXT : (TypeId)vals[i].type;
        buf_putc(&b, (u8)t);
        if (t == TYPE_ENUM) buf_put_varint(&b, vals[i].etype);
        Value v = vals[i];
        v.type = t;
        array_put_item(&b, &v);
    }
    if (!buf_ok(&b)) {
        buf_free(&b);
        return DD_ENOMEM;
    }
    char *p = arena_alloc(a, b.len ? b.len : 1);
    if (!p) {
        buf_free(&b);
        return DD_ENOMEM;
    }
    memcpy(p, b.data, b.len);
    *out = val_null(TYPE_RECORD);
    out->isnull = false;
    out->v.s.p = p;
    out->v.s.len = (u32)b.len;
    buf_free(&b);
    return DD_OK;
}

void record_iter_init(RecordIter *it, const Value *v)
{
    cur_init(&it->c, v->v.s.p, v->v.s.len);
    it->left = cur_varint(&it->c);
    it->bad = it->c.bad || it->left > v->v.s.len;
}

bool record_iter_next(RecordIter *it, const char **name, u32 *namelen, Value *out)
{
    if (it->bad || it->left == 0) return false;
    u64 nl = cur_varint(&it->c);
    const u8 *np = nl <= cur_left(&it->c) ? cur_bytes(&it->c, (size_t)nl) : NULL;
    u8 t = cur_u8(&it->c);
    u64 etype = t == TYPE_ENUM ? cur_varint(&it->c) : 0;
    bool known = t < TYPE__COUNT || (type_is_array((TypeId)t) && type_elem((TypeId)t) < TYPE__COUNT);
    if (it->c.bad || !np || !known || etype > UINT32_MAX ||
        !array_get_item(&it->c, (TypeId)t, out)) {
        it->bad = true;
        return false;
    }
    if (t == TYPE_ENUM) out->etype = (u32)etype;
    if (name) *name = (const char *)np;
    if (namelen) *namelen = (u32)nl;
    it->left--;
    return true;
}

int record_nfields(const Value *v)
{
    RecordIter it;
    record_iter_init(&it, v);
    return it.bad ? 0 : (int)it.left;
}

void record_out(const Value *v, const ValueCtx *ctx, Buf *out)
{
    RecordIter it;
    record_iter_init(&it, v);
    Value f;
    buf_putc(out, '(');
    for (int k = 0; record_iter_next(&it, NULL, NULL, &f); k++) {
        if (k) buf_putc(out, ',');
        if (f.isnull) continue;
        Buf t = BUF_INIT;
        val_to_text(&f, ctx, &t);
        bool quote = t.len == 0;
        for (size_t i = 0; i < t.len && !quote; i++) {
            char c = (char)t.data[i];
            quote = c == '"' || c == '\\' || c == '(' || c == ')' || c == ',' || c == ' ' || c == '\t' || c == '\n' ||
                    c == '\r' || c == '\v' || c == '\f';
        }
        if (!quote) {
            buf_append(out, t.data, t.len);
        } else {
            buf_putc(out, '"');
            for (size_t i = 0; i < t.len; i++) {
                if (t.data[i] == '"' || t.data[i] == '\\') buf_putc(out, t.data[i]);
                buf_putc(out, t.data[i]);
            }
            buf_putc(out, '"');
        }
        if (!buf_ok(&t)) out->oom = true;
        buf_free(&t);
    }
    buf_putc(out, ')');
}

int record_compare(const Value *a, const Value *b, const ValueCtx *ctx)
{
    RecordIter ia, ib;
    record_iter_init(&ia, a);
    record_iter_init(&ib, b);
    Value fa, fb;
    for (;;) {
        bool ha = record_iter_next(&ia, NULL, NULL, &fa), hb = record_iter_next(&ib, NULL, NULL, &fb);
        if (!ha || !hb) return ha ? 1 : hb ? -1 : 0;
        if (fa.isnull || fb.isnull) {
            if (fa.isnull && fb.isnull) continue;
            return fa.isnull ? 1 : -1;   /* a NULL after any value */
        }
        int c = val_compare(&fa, &fb, ctx);
        if (c) return c;
    }
}

u64 record_hash(const Value *v)
{
    RecordIter it;
    record_iter_init(&it, v);
    Value f;
    u64 h = 0x7ec0;
    while (record_iter_next(&it, NULL, NULL, &f)) h = h * 31 + val_hash(&f);
    return h;
}
