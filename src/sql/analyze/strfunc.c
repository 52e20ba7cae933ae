/*
 * strfunc.c - string functions beyond func.c's: format, md5, sha224 /
 * sha256 / sha384 / sha512, bit_length,
 * encode / decode (base64, hex, escape), translate, quote_ident /
 * quote_literal / quote_nullable, chr, ascii, to_hex, overlay, and num_nulls /
 * num_nonnulls.  Results go to the row arena; most functions are strict
 * (NULL in, NULL out), format and quote_nullable say what they do with
 * NULLs.
 */
#include "expr.h"
#include "../catalog/pgcat.h"
#include "../parse/lexer.h"
#include "../../util/sha256.h"
#include "../../util/utf8.h"
#include <ctype.h>
#include <openssl/evp.h>
#include <string.h>
#include <stdio.h>

/* The length of the UTF-8 sequence that lead byte c starts (1 for a
 * stray continuation byte: text values are valid UTF-8). */
static int utf8_seq_len(unsigned char c) { return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1; }

/* Writes code point c (valid) as UTF-8 into p; returns its length. */
static int utf8_encode(u32 c, char *p)
{
    if (c < 0x80) { p[0] = (char)c; return 1; }
    if (c < 0x800) { p[0] = (char)(0xC0 | c >> 6); p[1] = (char)(0x80 | (c & 0x3F)); return 2; }
    if (c < 0x10000) {
        p[0] = (char)(0xE0 | c >> 12); p[1] = (char)(0x80 | ((c >> 6) & 0x3F)); p[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    p[0] = (char)(0xF0 | c >> 18); p[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    p[2] = (char)(0x80 | ((c >> 6) & 0x3F)); p[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

static bool unknownish(TypeId t) { return t == TYPE_UNKNOWN || t == TYPE_NULLTYPE; }

static int any_null(const Value *a, int n)
{
    for (int i = 0; i < n; i++) if (a[i].isnull) return 1;
    return 0;
}

static ValueCtx vctx(EvalEnv *env)
{
    ValueCtx vc = env->sql->vctx;
    vc.arena = env->sql->row;
    return vc;
}

/* The bytes of b as a value of type t in the row arena; b is freed. */
static int buf_out(EvalEnv *env, Buf *b, TypeId t, Value *out)
{
    if (!buf_ok(b)) { buf_free(b); return DD_ENOMEM; }
    size_t n = b->len;
    char *c = arena_alloc(env->sql->row, n + 1);   /* the buffer may hold exactly n bytes */
    if (c && n) memcpy(c, b->data, n);
    buf_free(b);
    if (!c) return DD_ENOMEM;
    c[n] = 0;
    *out = val_text(t, c, (u32)n);
    return DD_OK;
}

static int bad_param(EvalEnv *env, const char *fmt, const char *arg)
{
    return dd_err(env->sql->err, DD_EINVALID_PARAM, -1, fmt, arg);
}

/* ---------------------------------------------------------------- resolvers */

static bool r_text(TypeId *a, int n, TypeId *r)
{
    for (int i = 0; i < n; i++) {
        if (unknownish(a[i]) || type_is_string(a[i])) a[i] = TYPE_TEXT; else return false;
    }
    *r = TYPE_TEXT;
    return true;
}
/* format(text, any...) */
static bool r_format(TypeId *a, int n, TypeId *r)
{
    if (unknownish(a[0]) || type_is_string(a[0])) a[0] = TYPE_TEXT; else return false;
    for (int i = 1; i < n; i++) if (unknownish(a[i])) a[i] = TYPE_TEXT;
    *r = TYPE_TEXT;
    return true;
}
/* md5(text) and md5(bytea) */
static bool r_md5(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (a[0] != TYPE_BYTEA) {
        if (unknownish(a[0]) || type_is_string(a[0])) a[0] = TYPE_TEXT; else return false;
    }
    *r = TYPE_TEXT;
    return true;
}
static bool r_bytea_bytea(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (unknownish(a[0]) || a[0] == TYPE_BYTEA) a[0] = TYPE_BYTEA; else return false;
    *r = TYPE_BYTEA;
    return true;
}
/* encode(bytea, text) -> text */
static bool r_encode(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (unknownish(a[0]) || a[0] == TYPE_BYTEA) a[0] = TYPE_BYTEA; else return false;
    if (unknownish(a[1]) || type_is_string(a[1])) a[1] = TYPE_TEXT; else return false;
    *r = TYPE_TEXT;
    return true;
}
/* decode(text, text) -> bytea */
static bool r_decode(TypeId *a, int n, TypeId *r)
{
    if (!r_text(a, n, r)) return false;
    *r = TYPE_BYTEA;
    return true;
}
/* quote_literal(text), and of any other type through its text */
static bool r_any_text(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (unknownish(a[0]) || type_is_string(a[0])) a[0] = TYPE_TEXT;
    *r = TYPE_TEXT;
    return true;
}
static bool r_chr(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (unknownish(a[0]) || type_is_int(a[0])) a[0] = TYPE_INT4; else return false;
    *r = TYPE_TEXT;
    return true;
}
static bool r_ascii(TypeId *a, int n, TypeId *r)
{
    if (!r_text(a, n, r)) return false;
    *r = TYPE_INT4;
    return true;
}
/* to_hex(int4), to_hex(int8) */
static bool r_to_hex(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (a[0] == TYPE_INT8) { *r = TYPE_TEXT; return true; }
    if (unknownish(a[0]) || a[0] == TYPE_INT2 || a[0] == TYPE_INT4) a[0] = TYPE_INT4; else return false;
    *r = TYPE_TEXT;
    return true;
}
/* num_nulls / num_nonnulls(VARIADIC "any"): at least one argument */
static bool r_num_nulls(TypeId *a, int n, TypeId *r)
{
    for (int i = 0; i < n; i++) if (unknownish(a[i])) a[i] = TYPE_TEXT;
    *r = TYPE_INT4;
    return n > 0;
}

/* ---------------------------------------------------------------- quoting */

static void put_ident(Buf *b, const char *s, u32 len) { cat_quote_ident_n(s, len, b); }

/* Appends s as a string literal: ' doubled, and E'...' with \ doubled
 * when s holds a backslash (PostgreSQL's quote_literal). */
static void put_literal(Buf *b, const char *s, u32 len)
{
    if (memchr(s, '\\', len)) buf_putc(b, 'E');
    buf_putc(b, '\'');
    for (u32 i = 0; i < len; i++) {
        if (s[i] == '\'' || s[i] == '\\') buf_putc(b, (u8)s[i]);
        buf_putc(b, (u8)s[i]);
    }
    buf_putc(b, '\'');
}

static int f_quote_ident(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null(TYPE_TEXT); return DD_OK; }
    Buf b = BUF_INIT;
    put_ident(&b, a[0].v.s.p, a[0].v.s.len);
    return buf_out(env, &b, TYPE_TEXT, out);
}

/* the text of v (its type's output) into b */
static void put_text(EvalEnv *env, const Value *v, Buf *b)
{
    if (type_is_string((TypeId)v->type)) { buf_append(b, v->v.s.p, v->v.s.len); return; }
    ValueCtx vc = vctx(env);
    val_to_text(v, &vc, b);
}

static int quote_lit(EvalEnv *env, const Value *a, Value *out, bool nullable)
{
    if (a[0].isnull) {
        *out = nullable ? val_text(TYPE_TEXT, "NULL", 4) : val_null(TYPE_TEXT);
        return DD_OK;
    }
    Buf t = BUF_INIT, b = BUF_INIT;
    put_text(env, &a[0], &t);
    if (!buf_ok(&t)) { buf_free(&t); return DD_ENOMEM; }
    put_literal(&b, t.len ? (const char *)t.data : "", (u32)t.len);
    buf_free(&t);
    return buf_out(env, &b, TYPE_TEXT, out);
}
static int f_quote_literal(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return quote_lit(env, a, out, false); }
static int f_quote_nullable(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return quote_lit(env, a, out, true); }

/* ---------------------------------------------------------------- format */

/* Reads a decimal number at *p (< end); false when there are no digits. */
static bool read_num(const char **p, const char *end, i64 *out, bool *too_big)
{
    const char *s = *p;
    i64 v = 0;
    while (*p < end && **p >= '0' && **p <= '9') {
        if (v > (INT32_MAX - 9) / 10) *too_big = true;
        else v = v * 10 + (**p - '0');
        (*p)++;
    }
    *out = v;
    return *p > s;
}

static int fmt_err(EvalEnv *env, const char *msg)
{
    return dd_err(env->sql->err, DD_EINVALID_PARAM, -1, "%s", msg);
}

/* format(fmt, args...): %[n$][-][width]{s|I|L} and %%; width a number, *
 * (the next argument) or *n$ (argument n).  PostgreSQL's rules: an
 * argument without position is the one after the last used; NULL is ''
 * for %s, NULL for %L, an error for %I; a negative width pads on the
 * right. */
static int f_format(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null(TYPE_TEXT); return DD_OK; }
    const char *p = a[0].v.s.p, *end = p + a[0].v.s.len;
    int nargs = n - 1, next = 0;    /* args are a[1..n-1]; next: 0-based */
    Buf b = BUF_INIT, t = BUF_INIT;
    int rc = DD_OK;
    while (p < end) {
        const char *pct = memchr(p, '%', (size_t)(end - p));
        if (!pct) { buf_append(&b, p, (size_t)(end - p)); break; }
        buf_append(&b, p, (size_t)(pct - p));
        p = pct + 1;
        if (p >= end) { rc = fmt_err(env, "unterminated format() type specifier"); goto done; }
        if (*p == '%') { buf_putc(&b, '%'); p++; continue; }
        i64 num, argpos = -1, width = 0;
        bool left = false, has_width = false, too_big = false;
        int width_arg = -1;
        const char *save = p;
        if (read_num(&p, end, &num, &too_big)) {
            if (p < end && *p == '$') {
                if (num == 0) { rc = fmt_err(env, "format specifies argument 0, but arguments are numbered from 1"); goto done; }
                argpos = num;
                p++;
            } else {
                p = save;
            }
        }
        while (p < end && *p == '-') { left = true; p++; }
        if (p < end && *p == '*') {
            p++;
            save = p;
            if (read_num(&p, end, &num, &too_big) && p < end && *p == '$') {
                if (num == 0) { rc = fmt_err(env, "format specifies argument 0, but arguments are numbered from 1"); goto done; }
                width_arg = (int)num - 1;
                next = width_arg + 1;    /* the value is the argument after it */
                p++;
            } else {
                p = save;
                width_arg = next++;
            }
            has_width = true;
        } else if (read_num(&p, end, &num, &too_big)) {
            width = num;
            has_width = true;
        }
        if (too_big) { rc = fmt_err(env, "number is out of range"); goto done; }
        if (p >= end) { rc = fmt_err(env, "unterminated format() type specifier"); goto done; }
        char type = *p++;
        if (type != 's' && type != 'I' && type != 'L') {
            char spec[8];
            int len = utf8_seq_len((unsigned char)type);
            if (len < 1 || len > 4 || p - 1 + len > end) len = 1;
            memcpy(spec, p - 1, (size_t)len);
            spec[len] = 0;
            rc = bad_param(env, "unrecognized format() type specifier \"%s\"", spec);
            goto done;
        }
        if (width_arg >= 0) {
            if (width_arg >= nargs) { rc = fmt_err(env, "too few arguments for format()"); goto done; }
            const Value *w = &a[1 + width_arg];
            if (w->isnull) width = 0;
            else if (type_is_int((TypeId)w->type)) width = w->v.i;
            else {
                /* another type: its text read as an integer, as PostgreSQL casts it */
                Buf wt = BUF_INIT;
                put_text(env, w, &wt);
                Value iv;
                ValueCtx vc = vctx(env);
                rc = buf_ok(&wt) ? val_from_text(TYPE_INT4, -1, wt.len ? (const char *)wt.data : "", wt.len, &vc,
                                                 &iv, env->sql->err)
                                 : DD_ENOMEM;
                buf_free(&wt);
                if (rc) goto done;
                width = iv.v.i;
            }
        }
        int ai = argpos > 0 ? (int)argpos - 1 : next;
        next = ai + 1;
        if (ai >= nargs) { rc = fmt_err(env, "too few arguments for format()"); goto done; }
        const Value *v = &a[1 + ai];
        t.len = 0;
        if (type == 's') {
            if (!v->isnull) put_text(env, v, &t);
        } else if (v->isnull) {
            if (type == 'I') {
                rc = dd_err(env->sql->err, DD_ENULL_NOT_ALLOWED, -1,
                            "null values cannot be formatted as an SQL identifier");
                goto done;
            }
            buf_puts(&t, "NULL");
        } else {
            Buf s = BUF_INIT;
            put_text(env, v, &s);
            if (!buf_ok(&s)) { buf_free(&s); rc = DD_ENOMEM; goto done; }
            if (type == 'I') put_ident(&t, s.len ? (const char *)s.data : "", (u32)s.len);
            else put_literal(&t, s.len ? (const char *)s.data : "", (u32)s.len);
            buf_free(&s);
        }
        if (!buf_ok(&t)) { rc = DD_ENOMEM; goto done; }
        if (has_width && width < 0) { left = true; width = -width; }
        i64 chars = 0;
        for (size_t i = 0; i < t.len; i++) if ((t.data[i] & 0xC0) != 0x80) chars++;
        i64 pad = has_width && width > chars ? width - chars : 0;
        if (pad > (1 << 30) - (i64)b.len) {   /* a result past 1 GB */
            rc = dd_err(env->sql->err, DD_EPROGRAM_LIMIT, -1, "requested length too large");
            goto done;
        }
        if (!left) for (i64 k = 0; k < pad; k++) buf_putc(&b, ' ');
        buf_append(&b, t.data ? (const char *)t.data : "", t.len);
        if (left) for (i64 k = 0; k < pad; k++) buf_putc(&b, ' ');
    }
done:
    buf_free(&t);
    if (rc) { buf_free(&b); return rc; }
    return buf_out(env, &b, TYPE_TEXT, out);
}

/* ---------------------------------------------------------------- digests */

static const char hexd[] = "0123456789abcdef";

static int f_md5(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null(TYPE_TEXT); return DD_OK; }
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    if (EVP_Digest(a[0].v.s.p, a[0].v.s.len, d, &dl, EVP_md5(), NULL) != 1 || dl != 16)
        return dd_err(env->sql->err, DD_ENOMEM, -1, "could not compute MD5 hash");
    char *h = arena_alloc(env->sql->row, 33);
    if (!h) return DD_ENOMEM;
    for (int i = 0; i < 16; i++) {
        h[2 * i] = hexd[d[i] >> 4];
        h[2 * i + 1] = hexd[d[i] & 15];
    }
    h[32] = 0;
    *out = val_text(TYPE_TEXT, h, 32);
    return DD_OK;
}

static int f_sha256(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null(TYPE_BYTEA); return DD_OK; }
    u8 *h = arena_alloc(env->sql->row, SHA256_LEN);
    if (!h) return DD_ENOMEM;
    if (sha256(a[0].v.s.p, a[0].v.s.len, h)) return DD_ENOMEM;
    *out = val_text(TYPE_BYTEA, (const char *)h, SHA256_LEN);
    return DD_OK;
}

/* sha224, sha384, sha512 through OpenSSL */
static int sha_other(EvalEnv *env, const Value *a, Value *out, const EVP_MD *md)
{
    if (a[0].isnull) { *out = val_null(TYPE_BYTEA); return DD_OK; }
    u8 *h = arena_alloc(env->sql->row, EVP_MAX_MD_SIZE);
    unsigned int dl = 0;
    if (!h) return DD_ENOMEM;
    if (EVP_Digest(a[0].v.s.p, a[0].v.s.len, h, &dl, md, NULL) != 1)
        return dd_err(env->sql->err, DD_ENOMEM, -1, "could not compute %s hash", EVP_MD_get0_name(md));
    *out = val_text(TYPE_BYTEA, (const char *)h, dl);
    return DD_OK;
}
static int f_sha224(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return sha_other(env, a, out, EVP_sha224()); }
static int f_sha384(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return sha_other(env, a, out, EVP_sha384()); }
static int f_sha512(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return sha_other(env, a, out, EVP_sha512()); }

/* bit_length(text | bytea): 8 bits a byte */
static bool r_bit_length(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (a[0] != TYPE_BYTEA) {
        if (unknownish(a[0]) || type_is_string(a[0])) a[0] = TYPE_TEXT; else return false;
    }
    *r = TYPE_INT4;
    return true;
}
static int f_bit_length(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(env); DD_UNUSED(n); DD_UNUSED(loc);
    *out = a[0].isnull ? val_null(TYPE_INT4) : val_int(TYPE_INT4, (i64)a[0].v.s.len * 8);
    return DD_OK;
}

/* ---------------------------------------------------------------- encode / decode */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The format named by v: 0 hex, 1 base64, 2 escape; 22023 otherwise. */
static int encoding_of(EvalEnv *env, const Value *v, int *out)
{
    static const char *names[] = {"hex", "base64", "escape"};
    for (int i = 0; i < 3; i++)
        if (v->v.s.len == strlen(names[i]) && strncasecmp(v->v.s.p, names[i], v->v.s.len) == 0) {
            *out = i;
            return DD_OK;
        }
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)DD_MIN(v->v.s.len, 60u), v->v.s.p);
    return bad_param(env, "unrecognized encoding: \"%s\"", name);
}

static int f_encode(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null(TYPE_TEXT); return DD_OK; }
    int how, rc;
    if ((rc = encoding_of(env, &a[1], &how))) return rc;
    const u8 *s = (const u8 *)a[0].v.s.p;
    u32 len = a[0].v.s.len;
    Buf b = BUF_INIT;
    if (how == 0) {
        for (u32 i = 0; i < len; i++) {
            buf_putc(&b, (u8)hexd[s[i] >> 4]);
            buf_putc(&b, (u8)hexd[s[i] & 15]);
        }
    } else if (how == 1) {
        /* a newline after every 76 characters, as PostgreSQL's */
        u32 col = 0;
        for (u32 i = 0; i < len; i += 3) {
            u32 v = (u32)s[i] << 16 | (i + 1 < len ? (u32)s[i + 1] << 8 : 0) | (i + 2 < len ? s[i + 2] : 0);
            if (col == 76) { buf_putc(&b, '\n'); col = 0; }
            buf_putc(&b, (u8)b64[(v >> 18) & 63]);
            buf_putc(&b, (u8)b64[(v >> 12) & 63]);
            buf_putc(&b, i + 1 < len ? (u8)b64[(v >> 6) & 63] : '=');
            buf_putc(&b, i + 2 < len ? (u8)b64[v & 63] : '=');
            col += 4;
        }
    } else {
        /* escape: \ doubled, NUL and bytes >= 0x80 as \ooo */
        for (u32 i = 0; i < len; i++) {
            if (s[i] == '\\') buf_puts(&b, "\\\\");
            else if (s[i] == 0 || s[i] >= 0x80) buf_printf(&b, "\\%03o", s[i]);
            else buf_putc(&b, s[i]);
        }
    }
    return buf_out(env, &b, TYPE_TEXT, out);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
static int b64val(char c)
{
    const char *q = c ? strchr(b64, c) : NULL;
    return q ? (int)(q - b64) : -1;
}
static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static int f_decode(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null(TYPE_BYTEA); return DD_OK; }
    int how, rc;
    if ((rc = encoding_of(env, &a[1], &how))) return rc;
    const char *s = a[0].v.s.p;
    u32 len = a[0].v.s.len;
    Buf b = BUF_INIT;
    char bad[8];
    if (how == 0) {
        /* pairs of hex digits; white space between pairs is skipped */
        for (u32 i = 0; i < len;) {
            if (is_space(s[i])) { i++; continue; }
            int hi = hexval(s[i]);
            if (hi < 0) goto bad_hex;
            if (i + 1 >= len) {
                buf_free(&b);
                return bad_param(env, "%s", "invalid hexadecimal data: odd number of digits");
            }
            int lo = hexval(s[i + 1]);
            if (lo < 0) { i++; goto bad_hex; }
            buf_putc(&b, (u8)(hi << 4 | lo));
            i += 2;
            continue;
        bad_hex:
            {
                int l = utf8_seq_len((unsigned char)s[i]);
                if (l < 1 || i + (u32)l > len) l = 1;
                memcpy(bad, s + i, (size_t)l);
                bad[l] = 0;
                buf_free(&b);
                return bad_param(env, "invalid hexadecimal digit: \"%s\"", bad);
            }
        }
    } else if (how == 1) {
        /* groups of 4 symbols, white space skipped; an '=' at the third or
         * fourth place of a group marks the end: from there each group
         * gives only the bytes before it (PostgreSQL's decoder) */
        u32 acc = 0;
        int k = 0, end = 0;
        for (u32 i = 0; i < len; i++) {
            char c = s[i];
            int v;
            if (is_space(c)) continue;
            if (c == '=') {
                if (!end) {
                    if (k == 2) end = 1;
                    else if (k == 3) end = 2;
                    else {
                        buf_free(&b);
                        return bad_param(env, "%s", "unexpected \"=\" while decoding base64 sequence");
                    }
                }
                v = 0;
            } else if ((v = b64val(c)) < 0) {
                int l = utf8_seq_len((unsigned char)c);
                if (l < 1 || i + (u32)l > len) l = 1;
                memcpy(bad, s + i, (size_t)l);
                bad[l] = 0;
                buf_free(&b);
                return bad_param(env, "invalid symbol \"%s\" found while decoding base64 sequence", bad);
            }
            acc = acc << 6 | (u32)v;
            if (++k == 4) {
                buf_putc(&b, (u8)(acc >> 16));
                if (end == 0 || end > 1) buf_putc(&b, (u8)(acc >> 8));
                if (end == 0 || end > 2) buf_putc(&b, (u8)acc);
                acc = 0;
                k = 0;
            }
        }
        if (k != 0) goto bad_end;
    } else {
        for (u32 i = 0; i < len;) {
            if (s[i] != '\\') { buf_putc(&b, (u8)s[i++]); continue; }
            if (i + 1 < len && s[i + 1] == '\\') { buf_putc(&b, '\\'); i += 2; continue; }
            if (i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
                s[i + 3] >= '0' && s[i + 3] <= '7') {
                buf_putc(&b, (u8)((s[i + 1] - '0') << 6 | (s[i + 2] - '0') << 3 | (s[i + 3] - '0')));
                i += 4;
                continue;
            }
            buf_free(&b);
            return dd_err(env->sql->err, DD_EINVALID_TEXT, -1, "invalid input syntax for type %s", "bytea");
        }
    }
    return buf_out(env, &b, TYPE_BYTEA, out);
bad_end:
    buf_free(&b);
    return bad_param(env, "%s", "invalid base64 end sequence");
}

/* ---------------------------------------------------------------- characters */

static int f_chr(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null(TYPE_TEXT); return DD_OK; }
    i64 c = a[0].v.i;
    char msg[96];
    if (c < 0) return bad_param(env, "%s", "character number must be positive");
    if (c == 0) return dd_err(env->sql->err, DD_EPROGRAM_LIMIT, -1, "null character not permitted");
    if (c > 0x10FFFF) {
        snprintf(msg, sizeof msg, "%lld", (long long)c);
        return dd_err(env->sql->err, DD_EPROGRAM_LIMIT, -1, "requested character too large for encoding: %s", msg);
    }
    if (c >= 0xD800 && c <= 0xDFFF) {
        snprintf(msg, sizeof msg, "%lld", (long long)c);
        return dd_err(env->sql->err, DD_EPROGRAM_LIMIT, -1, "requested character not valid for encoding: %s", msg);
    }
    char *p = arena_alloc(env->sql->row, 5);
    if (!p) return DD_ENOMEM;
    int l = utf8_encode((u32)c, p);
    p[l] = 0;
    *out = val_text(TYPE_TEXT, p, (u32)l);
    return DD_OK;
}

static int f_ascii(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(env); DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null(TYPE_INT4); return DD_OK; }
    const unsigned char *p = (const unsigned char *)a[0].v.s.p;
    u32 len = a[0].v.s.len;
    if (len == 0) { *out = val_int(TYPE_INT4, 0); return DD_OK; }
    int l = utf8_seq_len(p[0]);
    u32 cp = p[0];
    if (l > 1 && (u32)l <= len) {
        cp = p[0] & (0xFF >> (l + 1));
        for (int k = 1; k < l; k++) cp = cp << 6 | (p[k] & 0x3F);
    }
    *out = val_int(TYPE_INT4, cp);
    return DD_OK;
}

/* to_hex: the two's complement bits of an int4 or int8 */
static int f_to_hex(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null(TYPE_TEXT); return DD_OK; }
    u64 v = a[0].type == TYPE_INT8 ? (u64)a[0].v.i : (u64)(u32)(i32)a[0].v.i;
    char tmp[17], *p = arena_alloc(env->sql->row, 17);
    if (!p) return DD_ENOMEM;
    int k = 0;
    do {
        tmp[k++] = hexd[v & 15];
        v >>= 4;
    } while (v);
    for (int i = 0; i < k; i++) p[i] = tmp[k - 1 - i];
    p[k] = 0;
    *out = val_text(TYPE_TEXT, p, (u32)k);
    return DD_OK;
}

/* translate(s, from, to): each character of s found in from becomes the
 * character at the same place in to, or goes when to is shorter; the
 * first occurrence in from counts */
static int f_translate(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null(TYPE_TEXT); return DD_OK; }
    const char *s = a[0].v.s.p, *f = a[1].v.s.p, *t = a[2].v.s.p;
    u32 sn = a[0].v.s.len, fn = a[1].v.s.len, tn = a[2].v.s.len;
    Buf b = BUF_INIT;
    for (u32 i = 0; i < sn;) {
        int l = utf8_seq_len((unsigned char)s[i]);
        if (l < 1 || i + (u32)l > sn) l = 1;
        /* position (in characters) of this character in from */
        i64 pos = -1, ci = 0;
        for (u32 j = 0; j < fn; ci++) {
            int fl = utf8_seq_len((unsigned char)f[j]);
            if (fl < 1 || j + (u32)fl > fn) fl = 1;
            if (fl == l && memcmp(f + j, s + i, (size_t)l) == 0) { pos = ci; break; }
            j += (u32)fl;
        }
        if (pos < 0) buf_append(&b, s + i, (size_t)l);
        else {
            /* the pos-th character of to, if any */
            u32 j = 0;
            i64 c = 0;
            while (j < tn && c < pos) {
                int tl = utf8_seq_len((unsigned char)t[j]);
                j += tl < 1 ? 1 : (u32)tl;
                c++;
            }
            if (j < tn) {
                int tl = utf8_seq_len((unsigned char)t[j]);
                if (tl < 1 || j + (u32)tl > tn) tl = 1;
                buf_append(&b, t + j, (size_t)tl);
            }
        }
        i += (u32)l;
    }
    return buf_out(env, &b, TYPE_TEXT, out);
}

/* ---------------------------------------------------------------- overlay */

/* overlay(x, r, from [, for]) of text (by characters) or bytea (by bytes):
 * substring(x, 1, from - 1) || r || substring(x, from + for), for being
 * r's length when not given */
static bool r_overlay(TypeId *a, int n, TypeId *r)
{
    TypeId t = a[0] == TYPE_BYTEA || a[1] == TYPE_BYTEA ? TYPE_BYTEA : TYPE_TEXT;
    for (int i = 0; i < 2; i++) {
        if (unknownish(a[i]) || (t == TYPE_TEXT && type_is_string(a[i])) || a[i] == t) a[i] = t;
        else return false;
    }
    for (int i = 2; i < n; i++) {
        if (unknownish(a[i]) || type_is_int(a[i])) a[i] = TYPE_INT4; else return false;
    }
    *r = t;
    return true;
}

/* byte offset of character ci (0-based) of s, clamped to len; bytea: ci */
static u32 char_off(const char *s, u32 len, i64 ci, bool bytes)
{
    if (ci <= 0) return 0;
    if (bytes) return ci >= len ? len : (u32)ci;
    i64 c = 0;
    for (u32 i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80 && c++ == ci) return i;
    return len;
}

static int f_overlay(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    TypeId t = (TypeId)a[0].type;
    if (any_null(a, n)) { *out = val_null(t); return DD_OK; }
    bool bytes = t == TYPE_BYTEA;
    const char *x = a[0].v.s.p, *r = a[1].v.s.p;
    u32 xn = a[0].v.s.len, rn = a[1].v.s.len;
    i64 from = a[2].v.i, len = n == 4 ? a[3].v.i : (bytes ? rn : 0);
    if (n == 3 && !bytes)
        for (u32 i = 0; i < rn; i++) len += ((unsigned char)r[i] & 0xC0) != 0x80;
    if (from < 1)   /* substring(x, 1, from - 1) has a negative length */
        return dd_err(env->sql->err, DD_ESUBSTRING_NEG, -1, "negative substring length not allowed");
    i64 rest = from + len;
    if (rest > INT32_MAX || rest < INT32_MIN) return dd_err(env->sql->err, DD_EOUT_OF_RANGE, -1, "integer out of range");
    u32 head = char_off(x, xn, from - 1, bytes), tail = char_off(x, xn, rest - 1, bytes);
    Buf b = BUF_INIT;
    buf_append(&b, x, head);
    buf_append(&b, r, rn);
    buf_append(&b, x + tail, xn - tail);
    return buf_out(env, &b, t, out);
}

/* ---------------------------------------------------------------- num_nulls */

static int count_nulls(const Value *a, int n, Value *out, bool nulls)
{
    i64 c = 0;
    for (int i = 0; i < n; i++) c += a[i].isnull == nulls;
    *out = val_int(TYPE_INT4, c);
    return DD_OK;
}
static int f_num_nulls(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(env); DD_UNUSED(loc); return count_nulls(a, n, out, true); }
static int f_num_nonnulls(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(env); DD_UNUSED(loc); return count_nulls(a, n, out, false); }

/* ---------------------------------------------------------------- bytea */

/* bytea || bytea */
static bool r_bytea_cat(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (a[0] != TYPE_BYTEA && a[1] != TYPE_BYTEA) return false;
    for (int i = 0; i < 2; i++) {
        if (unknownish(a[i])) a[i] = TYPE_BYTEA;
        if (a[i] != TYPE_BYTEA) return false;
    }
    *r = TYPE_BYTEA;
    return true;
}
static int f_bytea_cat(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null(TYPE_BYTEA); return DD_OK; }
    Buf b = BUF_INIT;
    buf_append(&b, a[0].v.s.p, a[0].v.s.len);
    buf_append(&b, a[1].v.s.p, a[1].v.s.len);
    return buf_out(env, &b, TYPE_BYTEA, out);
}

/* get_byte(bytea, int), set_byte(bytea, int, int) */
static bool r_get_byte(TypeId *a, int n, TypeId *r)
{
    for (int i = 0; i < n; i++) {
        TypeId want = i == 0 ? TYPE_BYTEA : TYPE_INT4;
        if (unknownish(a[i]) || a[i] == want || (i > 0 && (a[i] == TYPE_INT2))) a[i] = want;
        else return false;
    }
    *r = n == 2 ? TYPE_INT4 : TYPE_BYTEA;
    return true;
}
static int byte_index(EvalEnv *env, const Value *a, i64 *out)
{
    i64 i = a[1].v.i, len = a[0].v.s.len;
    if (i < 0 || i >= len) {
        char msg[64];
        snprintf(msg, sizeof msg, "%lld", (long long)i);
        return dd_err(env->sql->err, DD_EARRAY_SUBSCRIPT, -1, "index %s out of valid range, 0..%lld", msg,
                      (long long)(len - 1));
    }
    *out = i;
    return DD_OK;
}
static int f_get_byte(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null(TYPE_INT4); return DD_OK; }
    i64 i;
    int rc = byte_index(env, a, &i);
    if (!rc) *out = val_int(TYPE_INT4, (u8)a[0].v.s.p[i]);
    return rc;
}
static int f_set_byte(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null(TYPE_BYTEA); return DD_OK; }
    i64 i;
    int rc = byte_index(env, a, &i);
    if (rc) return rc;
    Buf b = BUF_INIT;
    buf_append(&b, a[0].v.s.p, a[0].v.s.len);
    if (buf_ok(&b)) b.data[i] = (u8)a[2].v.i;
    return buf_out(env, &b, TYPE_BYTEA, out);
}

/* convert_to(text, encoding) -> bytea, convert_from(bytea, encoding) ->
 * text: DriftDB's only encoding is UTF8 (SQL_ASCII passes bytes too). */
static bool r_convert(TypeId *a, int n, TypeId *r, TypeId from, TypeId to)
{
    DD_UNUSED(n);
    if (unknownish(a[0]) || a[0] == from || (from == TYPE_TEXT && type_is_string(a[0]))) a[0] = from;
    else return false;
    if (unknownish(a[1]) || type_is_string(a[1])) a[1] = TYPE_TEXT;
    else return false;
    *r = to;
    return true;
}
static bool r_convert_to(TypeId *a, int n, TypeId *r) { return r_convert(a, n, r, TYPE_TEXT, TYPE_BYTEA); }
static bool r_convert_from(TypeId *a, int n, TypeId *r) { return r_convert(a, n, r, TYPE_BYTEA, TYPE_TEXT); }
static int encoding_name(EvalEnv *env, const Value *e, bool dest)
{
    char name[32];
    size_t k = 0;
    for (u32 i = 0; i < e->v.s.len && k < sizeof name - 1; i++)
        if (e->v.s.p[i] != '-' && e->v.s.p[i] != '_') name[k++] = (char)tolower((u8)e->v.s.p[i]);
    name[k] = 0;
    if (!strcmp(name, "utf8") || !strcmp(name, "unicode") || !strcmp(name, "sqlascii")) return DD_OK;
    static const char *const known[] = {"latin1", "latin2", "latin9", "win1252", "win1251", "euckr", "eucjp",
                                        "sjis", "gbk", "big5", "koi8r", "iso88591", "iso885915"};
    for (size_t i = 0; i < DD_ARRAY_LEN(known); i++)
        if (!strcmp(name, known[i]))
            return dd_err(env->sql->err, DD_EFEATURE, -1, "conversion %s encoding \"%.*s\" is not supported: DriftDB stores UTF8 only",
                          dest ? "to" : "from", (int)e->v.s.len, e->v.s.p);
    return dd_err(env->sql->err, DD_EINVALID_PARAM, -1, "invalid %s encoding name \"%.*s\"", dest ? "destination" : "source",
                  (int)e->v.s.len, e->v.s.p);
}
static int f_convert_to(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null(TYPE_BYTEA); return DD_OK; }
    int rc = encoding_name(env, &a[1], true);
    if (!rc) *out = val_text(TYPE_BYTEA, a[0].v.s.p, a[0].v.s.len);
    return rc;
}
static int f_convert_from(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null(TYPE_TEXT); return DD_OK; }
    int rc = encoding_name(env, &a[1], false);
    if (rc) return rc;
    size_t bad = utf8_invalid_at(a[0].v.s.p, a[0].v.s.len);
    if (bad < a[0].v.s.len) {
        /* the bytes of the sequence that starts there, as PostgreSQL shows them */
        const u8 *q = (const u8 *)a[0].v.s.p + bad;
        size_t left = a[0].v.s.len - bad, k = *q >= 0xF0 ? 4 : *q >= 0xE0 ? 3 : *q >= 0xC0 ? 2 : 1;
        char hex[32] = "";
        for (size_t i = 0; i < k && i < left; i++)
            snprintf(hex + strlen(hex), sizeof hex - strlen(hex), "%s0x%02x", i ? " " : "", q[i]);
        return dd_err(env->sql->err, DD_EBAD_ENCODING, -1, "invalid byte sequence for encoding \"UTF8\": %s", hex);
    }
    *out = val_text(TYPE_TEXT, a[0].v.s.p, a[0].v.s.len);
    return DD_OK;
}

/* a ^@ b: whether a starts with b (starts_with) */
static bool r_starts(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    for (int i = 0; i < 2; i++) {
        if (a[i] == TYPE_UNKNOWN || a[i] == TYPE_NULLTYPE) a[i] = TYPE_TEXT;
        if (!type_is_string(a[i])) return false;
        a[i] = TYPE_TEXT;
    }
    *r = TYPE_BOOL;
    return true;
}
static int f_starts(EvalEnv *e, const Value *a, int n, Value *o, int l)
{
    DD_UNUSED(e); DD_UNUSED(n); DD_UNUSED(l);
    if (a[0].isnull || a[1].isnull) { *o = val_null(TYPE_BOOL); return DD_OK; }
    *o = val_bool(a[1].v.s.len <= a[0].v.s.len && memcmp(a[0].v.s.p, a[1].v.s.p, a[1].v.s.len) == 0);
    return DD_OK;
}

static const FuncDef ops[] = {
    {"||", 2, 2, r_bytea_cat, f_bytea_cat, false},
    {"^@", 2, 2, r_starts, f_starts, false},
};

const FuncDef *str_op_lookup(const char *op, int k)
{
    for (size_t i = 0; i < DD_ARRAY_LEN(ops); i++)
        if (strcmp(ops[i].name, op) == 0 && k-- == 0) return &ops[i];
    return NULL;
}

/* ---------------------------------------------------------------- table */

static const FuncDef funcs[] = {
    {"get_byte", 2, 2, r_get_byte, f_get_byte, false},
    {"set_byte", 3, 3, r_get_byte, f_set_byte, false},
    {"convert_to", 2, 2, r_convert_to, f_convert_to, false},
    {"convert_from", 2, 2, r_convert_from, f_convert_from, false},
    {"format", 1, -1, r_format, f_format, false},
    {"md5", 1, 1, r_md5, f_md5, false},
    {"sha256", 1, 1, r_bytea_bytea, f_sha256, false},
    {"sha224", 1, 1, r_bytea_bytea, f_sha224, false},
    {"sha384", 1, 1, r_bytea_bytea, f_sha384, false},
    {"sha512", 1, 1, r_bytea_bytea, f_sha512, false},
    {"bit_length", 1, 1, r_bit_length, f_bit_length, false},
    {"encode", 2, 2, r_encode, f_encode, false},
    {"decode", 2, 2, r_decode, f_decode, false},
    {"translate", 3, 3, r_text, f_translate, false},
    {"quote_ident", 1, 1, r_text, f_quote_ident, false},
    {"quote_literal", 1, 1, r_any_text, f_quote_literal, false},
    {"quote_nullable", 1, 1, r_any_text, f_quote_nullable, false},
    {"chr", 1, 1, r_chr, f_chr, false},
    {"ascii", 1, 1, r_ascii, f_ascii, false},
    {"to_hex", 1, 1, r_to_hex, f_to_hex, false},
    {"overlay", 3, 4, r_overlay, f_overlay, false},
    {"num_nulls", 1, -1, r_num_nulls, f_num_nulls, false},
    {"num_nonnulls", 1, -1, r_num_nulls, f_num_nonnulls, false},
};

const FuncDef *str_func_lookup(const char *name, int k)
{
    for (size_t i = 0; i < DD_ARRAY_LEN(funcs); i++)
        if (strcmp(funcs[i].name, name) == 0 && k-- == 0) return &funcs[i];
    return NULL;
}
