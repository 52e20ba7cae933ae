/*
 * json.c - JSON parsing, jsonb's normal form, output, ordering, hashing and
 * containment (see json.h).
 *
 * The parser is a recursive descent over a small lexer whose tokens and
 * error texts are PostgreSQL's (src/common/jsonapi.c behaves the same way
 * from the outside): a word of letters and digits is one token, so "nul" and
 * "1a" are invalid tokens as a whole; whitespace is space, tab, CR and LF.
 * Nesting is bounded (JSON_MAX_DEPTH) so that recursion stays small.
 */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 6000

/* ---------------------------------------------------------------- lexer */

typedef enum JTok {
    JT_END, JT_LBRACE, JT_RBRACE, JT_LBRACKET, JT_RBRACKET, JT_COMMA, JT_COLON,
    JT_STRING, JT_NUMBER, JT_TRUE, JT_FALSE, JT_NULL, JT_INVALID,
} JTok;

typedef struct JLex {
    const char *s;
    size_t len, pos;
    JTok tok;
    size_t ts, te;          /* the current token's text */
    bool jsonb;
    Arena *a;
    DdError *err;
    int depth;
    /* a string token, decoded */
    const char *str; u32 strlen;
} JLex;

static bool is_alnum(u8 c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

static int syntax(JLex *lx, const char *fmt, ...) DD_PRINTF(2, 3);
static int syntax(JLex *lx, const char *fmt, ...)
{
    dd_err(lx->err, DD_EINVALID_TEXT, -1, "invalid input syntax for type json");
    if (lx->err) {
        va_list ap;
        va_start(ap, fmt);
        char buf[DD_ERR_AUX_MAX];
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        dd_err_detail(lx->err, "%s", buf);
    }
    return DD_EINVALID_TEXT;
}

static int nomem(DdError *err) { return dd_err(err, DD_ENOMEM, -1, "out of memory"); }

/* The token text for messages. */
static int tok_len(const JLex *lx) { return (int)DD_MIN(lx->te - lx->ts, 200); }
static const char *tok_text(const JLex *lx) { return lx->s + lx->ts; }

static int hexval(u8 c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void put_utf8(Buf *b, u32 cp)
{
    if (cp < 0x80) buf_putc(b, (u8)cp);
    else if (cp < 0x800) { buf_putc(b, (u8)(0xC0 | (cp >> 6))); buf_putc(b, (u8)(0x80 | (cp & 0x3F))); }
    else if (cp < 0x10000) {
        buf_putc(b, (u8)(0xE0 | (cp >> 12)));
        buf_putc(b, (u8)(0x80 | ((cp >> 6) & 0x3F)));
        buf_putc(b, (u8)(0x80 | (cp & 0x3F)));
    } else {
        buf_putc(b, (u8)(0xF0 | (cp >> 18)));
        buf_putc(b, (u8)(0x80 | ((cp >> 12) & 0x3F)));
        buf_putc(b, (u8)(0x80 | ((cp >> 6) & 0x3F)));
        buf_putc(b, (u8)(0x80 | (cp & 0x3F)));
    }
}

/* A string token starting at the quote at lx->pos: decoded into lx->str. */
static int lex_string(JLex *lx)
{
    const char *s = lx->s;
    size_t i = lx->pos + 1, n = lx->len;
    Buf b = BUF_INIT;
    u32 hi = 0;             /* a pending high surrogate */
    int rc = DD_OK;
    lx->ts = lx->pos;
    for (;;) {
        if (i >= n) {
            lx->te = n;
            rc = syntax(lx, "Token \"%.*s\" is invalid.", tok_len(lx), tok_text(lx));
            goto done;
        }
        u8 c = (u8)s[i];
        if (c == '"') { i++; break; }
        if (c < 0x20) {
            lx->te = i + 1;
            rc = syntax(lx, "Character with value 0x%02x must be escaped.", c);
            goto done;
        }
        if (c != '\\') {
            if (hi) { lx->te = i; rc = syntax(lx, "Unicode low surrogate must follow a high surrogate."); goto done; }
            buf_putc(&b, c);
            i++;
            continue;
        }
        if (i + 1 >= n) {
            lx->te = n;
            rc = syntax(lx, "Token \"%.*s\" is invalid.", tok_len(lx), tok_text(lx));
            goto done;
        }
        u8 e = (u8)s[i + 1];
        if (e == 'u') {
            u32 cp = 0;
            int k;
            for (k = 0; k < 4 && i + 2 + (size_t)k < n; k++) {
                int h = hexval((u8)s[i + 2 + k]);
                if (h < 0) break;
                cp = cp * 16 + (u32)h;
            }
            if (k < 4) {
                lx->te = i + 2 + (size_t)k;
                rc = syntax(lx, "\"\\u\" must be followed by four hexadecimal digits.");
                goto done;
            }
            i += 6;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (hi) { lx->te = i; rc = syntax(lx, "Unicode high surrogate must not follow a high surrogate."); goto done; }
                hi = cp;
                continue;
            }
            if (cp >= 0xDC00 && cp <= 0xDFFF) {
                if (!hi) { lx->te = i; rc = syntax(lx, "Unicode low surrogate must follow a high surrogate."); goto done; }
                cp = 0x10000 + ((hi - 0xD800) << 10) + (cp - 0xDC00);
                hi = 0;
            } else if (hi) {
                lx->te = i;
                rc = syntax(lx, "Unicode low surrogate must follow a high surrogate.");
                goto done;
            }
            if (cp == 0) {
                if (lx->jsonb) {
                    rc = dd_err(lx->err, DD_ECHAR_NOT_REPR, -1, "unsupported Unicode escape sequence");
                    dd_err_detail(lx->err, "\\u0000 cannot be converted to text.");
                    goto done;
                }
                buf_puts(&b, "\\u0000");   /* json keeps its text; as text it cannot be had */
                continue;
            }
            put_utf8(&b, cp);
            continue;
        }
        if (hi) { lx->te = i; rc = syntax(lx, "Unicode low surrogate must follow a high surrogate."); goto done; }
        char d;
        switch (e) {
        case '"': d = '"'; break;
        case '\\': d = '\\'; break;
        case '/': d = '/'; break;
        case 'b': d = '\b'; break;
        case 'f': d = '\f'; break;
        case 'n': d = '\n'; break;
        case 'r': d = '\r'; break;
        case 't': d = '\t'; break;
        default: {
            /* the escape is the backslash and one character */
            size_t cl = 1;
            while (i + 1 + cl < n && ((u8)s[i + 1 + cl] & 0xC0) == 0x80) cl++;
            lx->te = i + 1 + cl;
            rc = syntax(lx, "Escape sequence \"\\%.*s\" is invalid.", (int)cl, s + i + 1);
            goto done;
        }
        }
        buf_putc(&b, (u8)d);
        i += 2;
    }
    if (hi) { lx->te = i; rc = syntax(lx, "Unicode low surrogate must follow a high surrogate."); goto done; }
    if (!buf_ok(&b)) { rc = nomem(lx->err); goto done; }
    lx->str = b.len ? arena_memdup(lx->a, b.data, b.len) : "";
    if (!lx->str) { rc = nomem(lx->err); goto done; }
    lx->strlen = (u32)b.len;
    lx->te = i;
    lx->pos = i;
    lx->tok = JT_STRING;
done:
    buf_free(&b);
    return rc;
}

/* A number at lx->pos (a '-' or a digit); invalid forms are one token with
 * the letters and digits that follow. */
static int lex_number(JLex *lx)
{
    const char *s = lx->s;
    size_t i = lx->pos, n = lx->len;
    bool bad = false;
    lx->ts = i;
    if (i < n && s[i] == '-') i++;
    if (i < n && s[i] == '0') i++;
    else if (i < n && s[i] >= '1' && s[i] <= '9') while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    else bad = true;
    if (!bad && i < n && s[i] == '.') {
        i++;
        if (i < n && s[i] >= '0' && s[i] <= '9') while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        else bad = true;
    }
    if (!bad && i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        if (i < n && s[i] >= '0' && s[i] <= '9') while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        else bad = true;
    }
    if (bad || (i < n && is_alnum((u8)s[i]))) {
        while (i < n && is_alnum((u8)s[i])) i++;
        lx->te = i;
        return syntax(lx, "Token \"%.*s\" is invalid.", tok_len(lx), tok_text(lx));
    }
    lx->te = lx->pos = i;
    lx->tok = JT_NUMBER;
    return DD_OK;
}

static int lex_next(JLex *lx)
{
    const char *s = lx->s;
    size_t n = lx->len;
    while (lx->pos < n && (s[lx->pos] == ' ' || s[lx->pos] == '\t' || s[lx->pos] == '\n' || s[lx->pos] == '\r'))
        lx->pos++;
    lx->ts = lx->pos;
    if (lx->pos >= n) { lx->tok = JT_END; lx->te = n; return DD_OK; }
    u8 c = (u8)s[lx->pos];
    JTok t;
    switch (c) {
    case '{': t = JT_LBRACE; break;
    case '}': t = JT_RBRACE; break;
    case '[': t = JT_LBRACKET; break;
    case ']': t = JT_RBRACKET; break;
    case ',': t = JT_COMMA; break;
    case ':': t = JT_COLON; break;
    case '"': return lex_string(lx);
    default:
        if (c == '-' || (c >= '0' && c <= '9')) return lex_number(lx);
        if (is_alnum(c)) {
            size_t i = lx->pos;
            while (i < n && is_alnum((u8)s[i])) i++;
            lx->te = i;
            size_t w = i - lx->pos;
            if (w == 4 && !memcmp(s + lx->pos, "true", 4)) lx->tok = JT_TRUE;
            else if (w == 5 && !memcmp(s + lx->pos, "false", 5)) lx->tok = JT_FALSE;
            else if (w == 4 && !memcmp(s + lx->pos, "null", 4)) lx->tok = JT_NULL;
            else return syntax(lx, "Token \"%.*s\" is invalid.", tok_len(lx), tok_text(lx));
            lx->pos = i;
            return DD_OK;
        }
        {
            size_t cl = 1;
            while (lx->pos + cl < n && ((u8)s[lx->pos + cl] & 0xC0) == 0x80) cl++;
            lx->te = lx->pos + cl;
            return syntax(lx, "Token \"%.*s\" is invalid.", tok_len(lx), tok_text(lx));
        }
    }
    lx->te = lx->pos + 1;
    lx->pos++;
    lx->tok = t;
    return DD_OK;
}

/* "Expected X, but found "tok"." or the end of the input. */
static int expected(JLex *lx, const char *what)
{
    if (lx->tok == JT_END) return syntax(lx, "The input string ended unexpectedly.");
    return syntax(lx, "Expected %s, but found \"%.*s\".", what, tok_len(lx), tok_text(lx));
}

/* ---------------------------------------------------------------- numbers */

int json_number_canon(const char *s, size_t len, Arena *a, const char **out, u32 *outlen, DdError *err)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    Buf digits = BUF_INIT;   /* all significant digits, integer then fraction */
    long frac = 0;           /* digits after the point */
    bool seen_point = false;
    for (; i < len; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (digits.len || c != '0' || seen_point) buf_putc(&digits, (u8)c);
            if (seen_point) frac++;
        } else if (c == '.' && !seen_point) {
            seen_point = true;
        } else {
            break;
        }
    }
    long exp = 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < len && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            if (exp < 10000000) exp = exp * 10 + (s[i] - '0');
        if (eneg) exp = -exp;
    }
    /* value = digits * 10^(exp - frac); digits may have leading zeros from
     * the fraction ("0.05" -> "05") */
    long scale = frac - exp;          /* digits after the point, before clamping */
    long dscale = scale < 0 ? 0 : scale;
    long nd = (long)digits.len;
    long intdigits = nd - scale;      /* digits before the point */
    if (intdigits > 131072 || dscale > 16383) {
        buf_free(&digits);
        return dd_err(err, DD_EOUT_OF_RANGE, -1, "value overflows numeric format");
    }
    Buf o = BUF_INIT;
    bool zero = true;
    for (size_t k = 0; k < digits.len; k++)
        if (digits.data[k] != '0') zero = false;
    if (neg && !zero) buf_putc(&o, '-');
    if (intdigits <= 0) buf_putc(&o, '0');
    else {
        /* skip leading zeros of the integer part */
        long k = 0;
        bool any = false;
        for (; k < intdigits; k++) {
            char c = k < nd ? (char)digits.data[k] : '0';
            if (c == '0' && !any) continue;
            any = true;
            buf_putc(&o, (u8)c);
        }
        if (!any) buf_putc(&o, '0');
    }
    if (dscale > 0) {
        buf_putc(&o, '.');
        for (long k = 0; k < dscale; k++) {
            long idx = intdigits + k;
            buf_putc(&o, idx >= 0 && idx < nd ? digits.data[idx] : '0');
        }
    }
    buf_free(&digits);
    if (!buf_ok(&o)) { buf_free(&o); return nomem(err); }
    char *p = arena_memdup(a, o.data, o.len);
    *outlen = (u32)o.len;
    buf_free(&o);
    if (!p) return nomem(err);
    *out = p;
    return DD_OK;
}

/* Splits a canonical decimal into sign, integer digits and fraction
 * digits (fraction without trailing zeros). */
static void dec_parts(const char *s, u32 n, bool *neg, const char **ip, u32 *il, const char **fp, u32 *fl)
{
    u32 i = 0;
    *neg = n && s[0] == '-';
    if (*neg) i++;
    *ip = s + i;
    u32 st = i;
    while (i < n && s[i] != '.') i++;
    *il = i - st;
    if (*il == 1 && (*ip)[0] == '0') *il = 0;
    if (i < n) i++;
    *fp = s + i;
    *fl = n - i;
    while (*fl && (*fp)[*fl - 1] == '0') (*fl)--;
}

int json_number_cmp(const char *a, u32 alen, const char *b, u32 blen)
{
    bool na, nb;
    const char *ia, *fa, *ib, *fb;
    u32 ila, fla, ilb, flb;
    dec_parts(a, alen, &na, &ia, &ila, &fa, &fla);
    dec_parts(b, blen, &nb, &ib, &ilb, &fb, &flb);
    bool za = !ila && !fla, zb = !ilb && !flb;
    if (za) na = false;
    if (zb) nb = false;
    if (na != nb) return na ? -1 : 1;
    int sign = na ? -1 : 1, c = 0;
    if (ila != ilb) c = ila < ilb ? -1 : 1;
    else if ((c = memcmp(ia, ib, ila)) != 0) c = c < 0 ? -1 : 1;
    else {
        u32 m = DD_MIN(fla, flb);
        c = memcmp(fa, fb, m);
        if (c) c = c < 0 ? -1 : 1;
        else if (fla != flb) c = fla < flb ? -1 : 1;
    }
    return sign * c;
}

/* ---------------------------------------------------------------- parser */

JNode *jnode_new(Arena *a, JType t)
{
    JNode *n = arena_zalloc(a, sizeof(JNode));
    if (n) n->type = (u8)t;
    return n;
}

JNode *jnode_string(Arena *a, const char *s, size_t len)
{
    JNode *n = jnode_new(a, J_STRING);
    if (!n) return NULL;
    n->s = len ? arena_memdup(a, s, len) : "";
    n->len = (u32)len;
    return n->s ? n : NULL;
}

JNode *jnode_number_text(Arena *a, const char *s, size_t len)
{
    JNode *n = jnode_new(a, J_NUMBER);
    if (!n || json_number_canon(s, len, a, &n->s, &n->len, NULL)) return NULL;
    return n;
}

int jsonb_key_cmp(const char *a, u32 alen, const char *b, u32 blen)
{
    if (alen != blen) return alen < blen ? -1 : 1;
    int c = memcmp(a, b, alen);
    return c < 0 ? -1 : c > 0;
}

/* Stable merge sort of pairs by key (tmp: room for n pairs). */
static void merge_sort(JPair *p, JPair *tmp, u32 n)
{
    if (n < 2) return;
    u32 h = n / 2;
    merge_sort(p, tmp, h);
    merge_sort(p + h, tmp, n - h);
    u32 i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = jsonb_key_cmp(p[j].k, p[j].klen, p[i].k, p[i].klen) < 0 ? p[j++] : p[i++];
    while (i < h) tmp[k++] = p[i++];
    while (j < n) tmp[k++] = p[j++];
    memcpy(p, tmp, sizeof(JPair) * n);
}

static void sort_pairs(JNode *o, Arena *a)
{
    if (o->n < 2) return;
    bool sorted = true;
    for (u32 i = 1; i < o->n && sorted; i++)
        if (jsonb_key_cmp(o->pairs[i - 1].k, o->pairs[i - 1].klen, o->pairs[i].k, o->pairs[i].klen) >= 0) sorted = false;
    if (sorted) return;
    JPair *tmp = arena_alloc(a, sizeof(JPair) * o->n);
    if (!tmp) {   /* out of memory: an insertion sort needs none */
        for (u32 i = 1; i < o->n; i++) {
            JPair x = o->pairs[i];
            u32 j = i;
            while (j > 0 && jsonb_key_cmp(x.k, x.klen, o->pairs[j - 1].k, o->pairs[j - 1].klen) < 0) {
                o->pairs[j] = o->pairs[j - 1];
                j--;
            }
            o->pairs[j] = x;
        }
    } else {
        merge_sort(o->pairs, tmp, o->n);
    }
    u32 w = 0;
    for (u32 r = 0; r < o->n; r++) {
        if (r + 1 < o->n && jsonb_key_cmp(o->pairs[r].k, o->pairs[r].klen, o->pairs[r + 1].k, o->pairs[r + 1].klen) == 0)
            continue;   /* a later duplicate follows: it wins */
        o->pairs[w++] = o->pairs[r];
    }
    o->n = w;
}

void jsonb_normalize(JNode *n, Arena *a)
{
    if (n->type == J_ARRAY) {
        for (u32 i = 0; i < n->n; i++) jsonb_normalize(n->elems[i], a);
    } else if (n->type == J_OBJECT) {
        for (u32 i = 0; i < n->n; i++) jsonb_normalize(n->pairs[i].v, a);
        sort_pairs(n, a);
    }
}

static int parse_value(JLex *lx, JNode **out);

/* Grows a vector of pointers or pairs in the arena (doubling). */
static void *grow(Arena *a, void *old, u32 n, u32 *cap, size_t sz)
{
    if (n < *cap) return old;
    u32 nc = *cap ? *cap * 2 : 4;
    void *p = arena_alloc(a, sz * nc);
    if (!p) return NULL;
    if (n) memcpy(p, old, sz * n);
    *cap = nc;
    return p;
}

static int parse_array(JLex *lx, JNode *node)
{
    u32 cap = 0;
    int rc = lex_next(lx);
    if (rc) return rc;
    if (lx->tok == JT_RBRACKET) return lex_next(lx);
    for (;;) {
        JNode *e;
        if (lx->tok == JT_END || lx->tok == JT_RBRACKET || lx->tok == JT_RBRACE || lx->tok == JT_COMMA ||
            lx->tok == JT_COLON)
            return expected(lx, node->n == 0 ? "array element or \"]\"" : "JSON value");
        if ((rc = parse_value(lx, &e))) return rc;
        JNode **el = grow(lx->a, node->elems, node->n, &cap, sizeof(JNode *));
        if (!el) return nomem(lx->err);
        node->elems = el;
        node->elems[node->n++] = e;
        if (lx->tok == JT_COMMA) { if ((rc = lex_next(lx))) return rc; continue; }
        if (lx->tok == JT_RBRACKET) return lex_next(lx);
        return expected(lx, "\",\" or \"]\"");
    }
}

static int parse_object(JLex *lx, JNode *node)
{
    u32 cap = 0;
    int rc = lex_next(lx);
    if (rc) return rc;
    if (lx->tok == JT_RBRACE) return lex_next(lx);
    for (;;) {
        if (lx->tok != JT_STRING) return expected(lx, node->n == 0 ? "string or \"}\"" : "string");
        JPair p;
        p.k = lx->str;
        p.klen = lx->strlen;
        if ((rc = lex_next(lx))) return rc;
        if (lx->tok != JT_COLON) return expected(lx, "\":\"");
        if ((rc = lex_next(lx))) return rc;
        if (lx->tok == JT_END || lx->tok == JT_RBRACKET || lx->tok == JT_RBRACE || lx->tok == JT_COMMA ||
            lx->tok == JT_COLON)
            return expected(lx, "JSON value");
        if ((rc = parse_value(lx, &p.v))) return rc;
        JPair *ps = grow(lx->a, node->pairs, node->n, &cap, sizeof(JPair));
        if (!ps) return nomem(lx->err);
        node->pairs = ps;
        node->pairs[node->n++] = p;
        if (lx->tok == JT_COMMA) { if ((rc = lex_next(lx))) return rc; continue; }
        if (lx->tok == JT_RBRACE) return lex_next(lx);
        return expected(lx, "\",\" or \"}\"");
    }
}

/* The value at the current token; leaves the token after it current. */
static int parse_value(JLex *lx, JNode **out)
{
    JNode *n = arena_zalloc(lx->a, sizeof(JNode));
    if (!n) return nomem(lx->err);
    size_t start = lx->ts;
    int rc = DD_OK;
    switch (lx->tok) {
    case JT_LBRACE:
    case JT_LBRACKET:
        if (++lx->depth > JSON_MAX_DEPTH)
            return dd_err(lx->err, DD_ESTACK_DEPTH, -1, "stack depth limit exceeded");
        n->type = lx->tok == JT_LBRACE ? J_OBJECT : J_ARRAY;
        rc = lx->tok == JT_LBRACE ? parse_object(lx, n) : parse_array(lx, n);
        lx->depth--;
        if (rc) return rc;
        n->src = lx->s + start;
        /* up to the closing bracket: the token before the current one */
        {
            size_t end = lx->ts;
            while (end > start && lx->s[end - 1] != '}' && lx->s[end - 1] != ']') end--;
            n->srclen = (u32)(end - start);
        }
        *out = n;
        return DD_OK;
    case JT_STRING:
        n->type = J_STRING;
        n->s = lx->str;
        n->len = lx->strlen;
        break;
    case JT_NUMBER:
        n->type = J_NUMBER;
        if (lx->jsonb) {
            rc = json_number_canon(lx->s + lx->ts, lx->te - lx->ts, lx->a, &n->s, &n->len, lx->err);
            if (rc) return rc;
        } else {
            n->s = lx->s + lx->ts;
            n->len = (u32)(lx->te - lx->ts);
        }
        break;
    case JT_TRUE: case JT_FALSE:
        n->type = J_BOOL;
        n->b = lx->tok == JT_TRUE;
        break;
    case JT_NULL: n->type = J_NULL; break;
    default: return expected(lx, "JSON value");
    }
    n->src = lx->s + lx->ts;
    n->srclen = (u32)(lx->te - lx->ts);
    *out = n;
    return lex_next(lx);
}

int json_parse(const char *s, size_t len, bool jsonb, Arena *a, JNode **out, DdError *err)
{
    JLex lx;
    memset(&lx, 0, sizeof lx);
    lx.s = s;
    lx.len = len;
    lx.jsonb = jsonb;
    lx.a = a;
    lx.err = err;
    int rc = lex_next(&lx);
    if (rc) return rc;
    if (lx.tok == JT_END) return syntax(&lx, "The input string ended unexpectedly.");
    if (lx.tok == JT_RBRACKET || lx.tok == JT_RBRACE || lx.tok == JT_COMMA || lx.tok == JT_COLON)
        return expected(&lx, "JSON value");
    if ((rc = parse_value(&lx, out))) return rc;
    if (lx.tok != JT_END) return expected(&lx, "end of input");
    if (jsonb) jsonb_normalize(*out, a);
    return DD_OK;
}

/* ---------------------------------------------------------------- output */

void json_write_string(const char *s, size_t len, Buf *out)
{
    buf_putc(out, '"');
    for (size_t i = 0; i < len; i++) {
        u8 c = (u8)s[i];
        switch (c) {
        case '"': buf_puts(out, "\\\""); break;
        case '\\': buf_puts(out, "\\\\"); break;
        case '\b': buf_puts(out, "\\b"); break;
        case '\f': buf_puts(out, "\\f"); break;
        case '\n': buf_puts(out, "\\n"); break;
        case '\r': buf_puts(out, "\\r"); break;
        case '\t': buf_puts(out, "\\t"); break;
        default:
            if (c < 0x20) buf_printf(out, "\\u%04x", c);
            else buf_putc(out, c);
        }
    }
    buf_putc(out, '"');
}

static void write_scalar(const JNode *n, Buf *out)
{
    switch (n->type) {
    case J_NULL: buf_puts(out, "null"); break;
    case J_BOOL: buf_puts(out, n->b ? "true" : "false"); break;
    case J_NUMBER: buf_append(out, n->s, n->len); break;
    case J_STRING: json_write_string(n->s, n->len, out); break;
    default: break;
    }
}

void jsonb_write(const JNode *n, Buf *out)
{
    if (n->type == J_ARRAY) {
        buf_putc(out, '[');
        for (u32 i = 0; i < n->n; i++) {
            if (i) buf_puts(out, ", ");
            jsonb_write(n->elems[i], out);
        }
        buf_putc(out, ']');
    } else if (n->type == J_OBJECT) {
        buf_putc(out, '{');
        for (u32 i = 0; i < n->n; i++) {
            if (i) buf_puts(out, ", ");
            json_write_string(n->pairs[i].k, n->pairs[i].klen, out);
            buf_puts(out, ": ");
            jsonb_write(n->pairs[i].v, out);
        }
        buf_putc(out, '}');
    } else {
        write_scalar(n, out);
    }
}

static void indent(Buf *out, int level)
{
    for (int i = 0; i < level; i++) buf_puts(out, "    ");
}

static void write_pretty(const JNode *n, int level, Buf *out)
{
    if (n->type == J_ARRAY || n->type == J_OBJECT) {
        bool obj = n->type == J_OBJECT;
        buf_putc(out, obj ? '{' : '[');
        for (u32 i = 0; i < n->n; i++) {
            buf_puts(out, i ? ",\n" : "\n");
            indent(out, level + 1);
            if (obj) {
                json_write_string(n->pairs[i].k, n->pairs[i].klen, out);
                buf_puts(out, ": ");
                write_pretty(n->pairs[i].v, level + 1, out);
            } else {
                write_pretty(n->elems[i], level + 1, out);
            }
        }
        buf_putc(out, '\n');
        indent(out, level);
        buf_putc(out, obj ? '}' : ']');
    } else {
        write_scalar(n, out);
    }
}

void jsonb_write_pretty(const JNode *n, Buf *out) { write_pretty(n, 0, out); }

bool jsonb_node_text(const JNode *n, Buf *out)
{
    if (n->type == J_NULL) return false;
    if (n->type == J_STRING) buf_append(out, n->s, n->len);
    else jsonb_write(n, out);
    return true;
}

/* ---------------------------------------------------------------- order */

static int cmp_scalar(const JNode *a, const JNode *b)
{
    switch (a->type) {
    case J_NULL: return 0;
    case J_BOOL: return (int)a->b - (int)b->b;
    case J_NUMBER: return json_number_cmp(a->s, a->len, b->s, b->len);
    case J_STRING: {
        int c = memcmp(a->s, b->s, DD_MIN(a->len, b->len));
        if (c) return c < 0 ? -1 : 1;
        return a->len < b->len ? -1 : a->len > b->len;
    }
    default: return 0;
    }
}

/* Nested values: the type order first, then containers by their size, then
 * their contents in storage order (keys compared as strings). */
static int cmp_nested(const JNode *a, const JNode *b)
{
    if (a->type != b->type) return a->type < b->type ? -1 : 1;
    if (a->type == J_ARRAY) {
        if (a->n != b->n) return a->n < b->n ? -1 : 1;
        for (u32 i = 0; i < a->n; i++) {
            int c = cmp_nested(a->elems[i], b->elems[i]);
            if (c) return c;
        }
        return 0;
    }
    if (a->type == J_OBJECT) {
        if (a->n != b->n) return a->n < b->n ? -1 : 1;
        for (u32 i = 0; i < a->n; i++) {
            JNode ka = {.type = J_STRING, .s = a->pairs[i].k, .len = a->pairs[i].klen};
            JNode kb = {.type = J_STRING, .s = b->pairs[i].k, .len = b->pairs[i].klen};
            int c = cmp_scalar(&ka, &kb);
            if (c) return c;
            if ((c = cmp_nested(a->pairs[i].v, b->pairs[i].v))) return c;
        }
        return 0;
    }
    return cmp_scalar(a, b);
}

int jsonb_cmp(const JNode *a, const JNode *b)
{
    /* PostgreSQL stores a top-level scalar as a one-element array marked
     * raw: against a real array it sorts lower, unless the sizes differ
     * (an empty array is lower than a scalar) */
    bool sa = a->type != J_ARRAY && a->type != J_OBJECT, sb = b->type != J_ARRAY && b->type != J_OBJECT;
    if (sa && b->type == J_ARRAY) return b->n == 1 ? -1 : (1 < b->n ? -1 : 1);
    if (sb && a->type == J_ARRAY) return a->n == 1 ? 1 : (a->n < 1 ? -1 : 1);
    if (sa && sb) {
        if (a->type != b->type) return a->type < b->type ? -1 : 1;
        int c = cmp_scalar(a, b);
        return c < 0 ? -1 : c > 0;
    }
    return cmp_nested(a, b);
}

static u64 mix(u64 h, u64 x)
{
    h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h;
}

static u64 hash_bytes(u64 h, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) h = (h ^ (u8)p[i]) * 0x100000001b3ULL;
    return h;
}

u64 jsonb_hash(const JNode *n)
{
    u64 h = mix(0xcbf29ce484222325ULL, n->type);
    switch (n->type) {
    case J_BOOL: return mix(h, n->b);
    case J_STRING: return mix(h, hash_bytes(h, n->s, n->len));
    case J_NUMBER: {
        bool neg;
        const char *ip, *fp;
        u32 il, fl;
        dec_parts(n->s, n->len, &neg, &ip, &il, &fp, &fl);
        if (!il && !fl) neg = false;
        h = mix(h, neg);
        h = hash_bytes(h, ip, il);
        h = mix(h, '.');
        return hash_bytes(h, fp, fl);
    }
    case J_ARRAY:
        h = mix(h, n->n);
        for (u32 i = 0; i < n->n; i++) h = mix(h, jsonb_hash(n->elems[i]));
        return h;
    case J_OBJECT:
        h = mix(h, n->n);
        for (u32 i = 0; i < n->n; i++) {
            h = hash_bytes(mix(h, n->pairs[i].klen), n->pairs[i].k, n->pairs[i].klen);
            h = mix(h, jsonb_hash(n->pairs[i].v));
        }
        return h;
    default: return h;
    }
}

JNode *jsonb_get_key(const JNode *o, const char *k, size_t klen)
{
    if (o->type != J_OBJECT) return NULL;
    u32 lo = 0, hi = o->n;
    while (lo < hi) {
        u32 mid = lo + (hi - lo) / 2;
        int c = jsonb_key_cmp(o->pairs[mid].k, o->pairs[mid].klen, k, (u32)klen);
        if (c == 0) return o->pairs[mid].v;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

static bool deep_equal(const JNode *a, const JNode *b) { return cmp_nested(a, b) == 0; }

/* PostgreSQL's containment: objects contain objects whose pairs they
 * contain; arrays contain arrays whose every element matches one of theirs
 * (scalars equal, containers contained); an array contains a scalar it holds
 * at top level only; a scalar contains only an equal scalar. */
static bool contains(const JNode *a, const JNode *b, bool top)
{
    if (a->type == J_OBJECT) {
        if (b->type != J_OBJECT) return false;
        if (b->n > a->n) return false;
        for (u32 i = 0; i < b->n; i++) {
            JNode *v = jsonb_get_key(a, b->pairs[i].k, b->pairs[i].klen);
            if (!v) return false;
            const JNode *w = b->pairs[i].v;
            if (v->type != w->type) return false;
            if (w->type == J_OBJECT || w->type == J_ARRAY) {
                if (!contains(v, w, false)) return false;
            } else if (cmp_scalar(v, w) != 0) {
                return false;
            }
        }
        return true;
    }
    if (a->type == J_ARRAY) {
        if (b->type != J_ARRAY) {
            if (!top || b->type == J_OBJECT) return false;
            for (u32 i = 0; i < a->n; i++)
                if (a->elems[i]->type == b->type && cmp_scalar(a->elems[i], b) == 0) return true;
            return false;
        }
        for (u32 j = 0; j < b->n; j++) {
            const JNode *w = b->elems[j];
            bool found = false;
            for (u32 i = 0; i < a->n && !found; i++) {
                const JNode *v = a->elems[i];
                if (v->type != w->type) continue;
                if (w->type == J_OBJECT || w->type == J_ARRAY) found = contains(v, w, false);
                else found = cmp_scalar(v, w) == 0;
            }
            if (!found) return false;
        }
        return true;
    }
    if (b->type == J_ARRAY || b->type == J_OBJECT) return false;
    return a->type == b->type && deep_equal(a, b);
}

bool jsonb_contains(const JNode *a, const JNode *b) { return contains(a, b, true); }

/* ---------------------------------------------------------------- values */

int jsonb_value_tree(const Value *v, Arena *a, JNode **out, DdError *err)
{
    return json_parse(v->v.s.p, v->v.s.len, v->type == TYPE_JSONB, a, out, err);
}

int jsonb_value_of(const JNode *n, Arena *a, Value *out, DdError *err)
{
    Buf b = BUF_INIT;
    jsonb_write(n, &b);
    if (!buf_ok(&b)) { buf_free(&b); return nomem(err); }
    char *p = arena_memdup(a, b.data, b.len);
    u32 len = (u32)b.len;
    buf_free(&b);
    if (!p) return nomem(err);
    *out = val_text(TYPE_JSONB, p, len);
    return DD_OK;
}

/* Numbers without trailing fraction zeros, in place (canonical input). */
static void strip_number_zeros(JNode *n)
{
    if (n->type == J_NUMBER) {
        if (memchr(n->s, '.', n->len)) {
            while (n->len && n->s[n->len - 1] == '0') n->len--;
            if (n->len && n->s[n->len - 1] == '.') n->len--;
        }
    } else if (n->type == J_ARRAY) {
        for (u32 i = 0; i < n->n; i++) strip_number_zeros(n->elems[i]);
    } else if (n->type == J_OBJECT) {
        for (u32 i = 0; i < n->n; i++) strip_number_zeros(n->pairs[i].v);
    }
}

void jsonb_key_text(const Value *v, Buf *out)
{
    Arena ar;
    arena_init(&ar, 4096);
    JNode *x = NULL;
    if (jsonb_value_tree(v, &ar, &x, NULL) == DD_OK) {
        strip_number_zeros(x);
        jsonb_write(x, out);
    } else {
        buf_append(out, v->v.s.p, v->v.s.len);
    }
    arena_free(&ar);
}

int jsonb_value_cmp(const Value *a, const Value *b)
{
    Arena ar;
    arena_init(&ar, 4096);
    JNode *x = NULL, *y = NULL;
    int c;
    if (jsonb_value_tree(a, &ar, &x, NULL) || jsonb_value_tree(b, &ar, &y, NULL)) {
        /* stored text is always valid: fall back to the bytes */
        c = memcmp(a->v.s.p, b->v.s.p, DD_MIN(a->v.s.len, b->v.s.len));
        if (!c) c = a->v.s.len < b->v.s.len ? -1 : a->v.s.len > b->v.s.len;
    } else {
        c = jsonb_cmp(x, y);
    }
    arena_free(&ar);
    return c;
}

u64 jsonb_value_hash(const Value *v)
{
    Arena ar;
    arena_init(&ar, 4096);
    JNode *x = NULL;
    u64 h = 0x15011;
    if (jsonb_value_tree(v, &ar, &x, NULL) == DD_OK) h = jsonb_hash(x);
    arena_free(&ar);
    return h;
}

int json_in(TypeId t, const char *s, size_t len, Arena *a, Value *out, DdError *err)
{
    Arena tmp;
    arena_init(&tmp, 4096);
    JNode *n = NULL;
    int rc = json_parse(s, len, t == TYPE_JSONB, &tmp, &n, err);
    if (!rc) {
        if (t == TYPE_JSONB) {
            rc = jsonb_value_of(n, a, out, err);
        } else {
            char *p = len ? arena_memdup(a, s, len) : "";
            if (!p) rc = nomem(err);
            else *out = val_text(TYPE_JSON, p, (u32)len);
        }
    }
    arena_free(&tmp);
    return rc;
}
