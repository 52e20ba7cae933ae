/*
 * lexer.c - the SQL tokenizer: turns SQL text into Tokens with byte spans.
 *
 * Owns PostgreSQL's lexical rules for what DriftDB speaks (see lexer.h for
 * the token list): identifier folding and truncation, keyword lookup,
 * numeric, string (standard, E'', dollar-quoted) and parameter literals,
 * the @SEQ:n literal, operators, comments.  Numbers are not converted here
 * (the parser types them); strings are decoded into the arena.
 *
 * The only state is the Lexer cursor, so any number of lexers can run at
 * once.  Every loop is bounded by lx->len: the lexer never reads past the
 * text, whatever bytes it holds (it is fuzzed).
 */
#include "lexer.h"
#include "../../util/utf8.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define NAMEDATALEN 64
#define ERR_TEXT_MAX 400   /* bytes of source quoted in an error message */

static const struct {
    const char *text;
    KwCategory cat;
} kw_table[] = {
    {NULL, KWC_NONE},
#define DD_KW(name, text, cat) {text, cat},
    DD_KEYWORDS(DD_KW)
#undef DD_KW
};

int lex_keyword(const char *word, size_t len)
{
    int lo = 1, hi = KW__COUNT - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        const char *k = kw_table[mid].text;
        int c = strncmp(k, word, len);
        if (c == 0 && k[len] != '\0') c = 1;   /* k is longer than word */
        if (c == 0) return mid;
        if (c < 0) lo = mid + 1;
        else hi = mid - 1;
    }
    return KW_NONE;
}

KwCategory lex_keyword_category(int kw)
{
    return kw > 0 && kw < KW__COUNT ? kw_table[kw].cat : KWC_NONE;
}

const char *lex_keyword_text(int kw)
{
    return kw > 0 && kw < KW__COUNT ? kw_table[kw].text : "";
}

void lex_init(Lexer *lx, const char *sql, size_t len, size_t offset, Arena *a)
{
    lx->sql = sql;
    lx->len = len;
    lx->pos = offset > len ? len : offset;
    lx->arena = a;
}

/* ---- character classes ---- */

static bool is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
static bool is_digit(int c) { return c >= '0' && c <= '9'; }
static bool is_ident_start(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
static bool is_ident_cont(int c) { return is_ident_start(c) || is_digit(c) || c == '$'; }
static bool is_op_char(int c) { return c && strchr("~!@#^&|`?+-*/%<>=", c) != NULL; }
static int hex_val(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* ---- errors ---- */

/* Fills err with "<what> at or near "<text from start to end>"", marks the
 * token as an error spanning [start, end) and moves the cursor to end. */
static int lex_error(Lexer *lx, Token *t, int code, size_t start, size_t end,
                     const char *what, DdError *err)
{
    size_t n = end - start;
    if (n > ERR_TEXT_MAX) n = ERR_TEXT_MAX;
    dd_err(err, code, (int)start, "%s at or near \"%.*s\"", what, (int)n, lx->sql + start);
    t->kind = TOK_ERROR;
    t->start = (int)start;
    t->end = (int)end;
    lx->pos = end;
    return code;
}

static int lex_nomem(DdError *err) { return dd_err(err, DD_ENOMEM, -1, NULL); }

/* ---- a small growable byte buffer in the arena, for decoded strings ---- */

typedef struct SBuf {
    char *p;
    size_t len, cap;
} SBuf;

static bool sb_put(Lexer *lx, SBuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 32;
        while (cap < b->len + n + 1) cap *= 2;
        char *np = arena_alloc(lx->arena, cap);
        if (!np) return false;
        if (b->len) memcpy(np, b->p, b->len);
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return true;
}

static bool sb_utf8(Lexer *lx, SBuf *b, u32 cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) { u[0] = (char)cp; n = 1; }
    else if (cp < 0x800) { u[0] = (char)(0xC0 | (cp >> 6)); u[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
    else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12)); u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18)); u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); u[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
    }
    return sb_put(lx, b, u, n);
}

/* ---- pieces ---- */

/* Skips whitespace and comments.  Returns DD_OK or the unterminated
 * comment error. */
static int skip_space(Lexer *lx, Token *t, DdError *err)
{
    const char *s = lx->sql;
    size_t n = lx->len, i = lx->pos;
    for (;;) {
        while (i < n && is_space((u8)s[i])) i++;
        if (i + 1 < n && s[i] == '-' && s[i + 1] == '-') {
            while (i < n && s[i] != '\n' && s[i] != '\r') i++;
            continue;
        }
        if (i + 1 < n && s[i] == '/' && s[i + 1] == '*') {
            size_t start = i;
            int depth = 1;
            i += 2;
            while (i < n && depth > 0) {
                if (i + 1 < n && s[i] == '/' && s[i + 1] == '*') { depth++; i += 2; }
                else if (i + 1 < n && s[i] == '*' && s[i + 1] == '/') { depth--; i += 2; }
                else i++;
            }
            if (depth > 0)
                return lex_error(lx, t, DD_ESYNTAX, start, n, "unterminated /* comment", err);
            continue;
        }
        break;
    }
    lx->pos = i;
    return DD_OK;
}

/* After the closing quote at s[i-1]: if whitespace holding a newline (and
 * possibly -- comments) and then a quote follow, returns the index just
 * past that quote (the literal continues); else returns 0. */
static size_t quote_continue(const Lexer *lx, size_t i)
{
    const char *s = lx->sql;
    size_t n = lx->len;
    bool newline = false;
    while (i < n) {
        if (s[i] == '\n' || s[i] == '\r') { newline = true; i++; }
        else if (s[i] == ' ' || s[i] == '\t' || s[i] == '\f') i++;
        else if (newline && i + 1 < n && s[i] == '-' && s[i + 1] == '-') {
            while (i < n && s[i] != '\n' && s[i] != '\r') i++;
        } else break;
    }
    if (newline && i < n && s[i] == '\'') return i + 1;
    return 0;
}

/* 'string' or E'string' starting at lx->pos (which points at the quote;
 * start is the token start, E included). */
static int lex_string(Lexer *lx, Token *t, size_t start, bool escapes, DdError *err)
{
    const char *s = lx->sql;
    size_t n = lx->len, i = lx->pos + 1;
    SBuf b = {NULL, 0, 0};
    if (!sb_put(lx, &b, "", 0)) return lex_nomem(err);
    for (;;) {
        if (i >= n)
            return lex_error(lx, t, DD_ESYNTAX, start, n, "unterminated quoted string", err);
        char c = s[i];
        if (c == '\'') {
            if (i + 1 < n && s[i + 1] == '\'') {
                if (!sb_put(lx, &b, "'", 1)) return lex_nomem(err);
                i += 2;
                continue;
            }
            size_t cont = quote_continue(lx, i + 1);
            if (cont) { i = cont; continue; }
            i++;
            break;
        }
        if (c == '\\' && escapes) {
            if (i + 1 >= n)
                return lex_error(lx, t, DD_ESYNTAX, start, n, "unterminated quoted string", err);
            size_t esc = i;
            char e = s[i + 1];
            i += 2;
            u32 v = 0;
            switch (e) {
            case 'b': v = '\b'; break;
            case 'f': v = '\f'; break;
            case 'n': v = '\n'; break;
            case 'r': v = '\r'; break;
            case 't': v = '\t'; break;
            case 'x': {
                int h = i < n ? hex_val((u8)s[i]) : -1;
                if (h < 0) { v = 'x'; break; }    /* PostgreSQL: \x without digits is 'x' */
                v = (u32)h; i++;
                if (i < n && (h = hex_val((u8)s[i])) >= 0) { v = v * 16 + (u32)h; i++; }
                break;
            }
            case 'u': case 'U': {
                int nd = e == 'u' ? 4 : 8;
                for (int k = 0; k < nd; k++) {
                    int h = i < n ? hex_val((u8)s[i]) : -1;
                    if (h < 0)
                        return lex_error(lx, t, DD_ESYNTAX, esc, i < n ? i + 1 : n,
                                         "invalid Unicode escape", err);
                    v = v * 16 + (u32)h;
                    i++;
                }
                if (v >= 0xD800 && v <= 0xDBFF) {
                    /* high surrogate: must be followed by \uDC00-\uDFFF */
                    u32 lo = 0;
                    bool ok = i + 6 <= n && s[i] == '\\' && s[i + 1] == 'u';
                    for (int k = 0; ok && k < 4; k++) {
                        int h = hex_val((u8)s[i + 2 + k]);
                        if (h < 0) ok = false;
                        else lo = lo * 16 + (u32)h;
                    }
                    if (!ok || lo < 0xDC00 || lo > 0xDFFF)
                        return lex_error(lx, t, DD_ESYNTAX, esc, i, "invalid Unicode surrogate pair", err);
                    v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                } else if ((v >= 0xDC00 && v <= 0xDFFF) || v == 0 || v > 0x10FFFF) {
                    return lex_error(lx, t, DD_ESYNTAX, esc, i, "invalid Unicode escape value", err);
                }
                if (!sb_utf8(lx, &b, v)) return lex_nomem(err);
                continue;
            }
            default:
                if (e >= '0' && e <= '7') {
                    v = (u32)(e - '0');
                    for (int k = 0; k < 2 && i < n && s[i] >= '0' && s[i] <= '7'; k++, i++)
                        v = v * 8 + (u32)(s[i] - '0');
                    v &= 0xFF;
                } else {
                    v = (u8)e;
                }
            }
            if (v == 0) {
                dd_err(err, DD_EBAD_ENCODING, (int)esc,
                       "invalid byte sequence for encoding \"UTF8\": 0x00");
                t->kind = TOK_ERROR;
                t->start = (int)start;
                t->end = (int)i;
                lx->pos = i;
                /* the rest of the literal is skipped so the caller resumes after it */
                while (lx->pos < n) {
                    if (s[lx->pos] == '\\' && lx->pos + 1 < n) { lx->pos += 2; continue; }
                    if (s[lx->pos] == '\'') {
                        if (lx->pos + 1 < n && s[lx->pos + 1] == '\'') { lx->pos += 2; continue; }
                        lx->pos++;
                        break;
                    }
                    lx->pos++;
                }
                t->end = (int)lx->pos;
                return DD_EBAD_ENCODING;
            }
            char ch = (char)v;
            if (!sb_put(lx, &b, &ch, 1)) return lex_nomem(err);
            continue;
        }
        /* plain run up to the next quote or backslash */
        size_t j = i;
        while (j < n && s[j] != '\'' && !(escapes && s[j] == '\\')) j++;
        if (!sb_put(lx, &b, s + i, j - i)) return lex_nomem(err);
        i = j;
    }
    if (memchr(b.p, '\0', b.len)) {
        /* a raw NUL byte inside a plain literal */
        return lex_error(lx, t, DD_EBAD_ENCODING, start, i,
                         "invalid byte sequence for encoding \"UTF8\": 0x00 in string literal", err);
    }
    if (escapes) {
        /* \x and octal escapes can spell bytes that are not UTF-8 */
        size_t bad = utf8_invalid_at(b.p, b.len);
        if (bad < b.len) {
            char what[64];
            snprintf(what, sizeof what, "invalid byte sequence for encoding \"UTF8\": 0x%02x", (u8)b.p[bad]);
            return lex_error(lx, t, DD_EBAD_ENCODING, start, i, what, err);
        }
    }
    t->kind = TOK_STRING;
    t->str = b.p;
    t->len = b.len;
    t->end = (int)i;
    lx->pos = i;
    return DD_OK;
}

/* Length of a dollar-quote delimiter $tag$ at s[i], or 0 if none. */
static size_t dollar_delim(const Lexer *lx, size_t i)
{
    const char *s = lx->sql;
    size_t n = lx->len, j = i + 1;
    if (j < n && s[j] == '$') return 2;
    if (j >= n || !is_ident_start((u8)s[j])) return 0;
    while (j < n && is_ident_cont((u8)s[j]) && s[j] != '$') j++;
    if (j < n && s[j] == '$') return j - i + 1;
    return 0;
}

static int lex_dollar(Lexer *lx, Token *t, size_t dlen, DdError *err)
{
    const char *s = lx->sql;
    size_t n = lx->len, start = lx->pos, body = start + dlen;
    const char *delim = s + start;
    size_t i = body;
    for (;;) {
        const char *q = i < n ? memchr(s + i, '$', n - i) : NULL;
        if (!q)
            return lex_error(lx, t, DD_ESYNTAX, start, n, "unterminated dollar-quoted string", err);
        i = (size_t)(q - s);
        if (n - i >= dlen && memcmp(s + i, delim, dlen) == 0) break;
        i++;
    }
    if (memchr(s + body, '\0', i - body))
        return lex_error(lx, t, DD_EBAD_ENCODING, start, i + dlen,
                         "invalid byte sequence for encoding \"UTF8\": 0x00 in string literal", err);
    t->str = arena_strndup(lx->arena, s + body, i - body);
    if (!t->str) return lex_nomem(err);
    t->kind = TOK_STRING;
    t->len = i - body;
    t->end = (int)(i + dlen);
    lx->pos = i + dlen;
    return DD_OK;
}

/* Truncates an identifier to NAMEDATALEN-1 bytes on a UTF-8 boundary. */
static size_t ident_clip(const char *p, size_t len)
{
    if (len < NAMEDATALEN) return len;
    size_t n = NAMEDATALEN - 1;
    while (n > 0 && ((u8)p[n] & 0xC0) == 0x80) n--;
    return n;
}

static int lex_qident(Lexer *lx, Token *t, DdError *err)
{
    const char *s = lx->sql;
    size_t n = lx->len, start = lx->pos, i = start + 1;
    SBuf b = {NULL, 0, 0};
    if (!sb_put(lx, &b, "", 0)) return lex_nomem(err);
    for (;;) {
        if (i >= n)
            return lex_error(lx, t, DD_ESYNTAX, start, n, "unterminated quoted identifier", err);
        if (s[i] == '"') {
            if (i + 1 < n && s[i + 1] == '"') {
                if (!sb_put(lx, &b, "\"", 1)) return lex_nomem(err);
                i += 2;
                continue;
            }
            i++;
            break;
        }
        size_t j = i;
        while (j < n && s[j] != '"') j++;
        if (!sb_put(lx, &b, s + i, j - i)) return lex_nomem(err);
        i = j;
    }
    if (b.len == 0)
        return lex_error(lx, t, DD_ESYNTAX, start, i, "zero-length delimited identifier", err);
    if (memchr(b.p, '\0', b.len))
        return lex_error(lx, t, DD_EBAD_ENCODING, start, i,
                         "invalid byte sequence for encoding \"UTF8\": 0x00 in identifier", err);
    b.len = ident_clip(b.p, b.len);
    b.p[b.len] = '\0';
    t->kind = TOK_QIDENT;
    t->str = b.p;
    t->len = b.len;
    t->end = (int)i;
    lx->pos = i;
    return DD_OK;
}

static int lex_ident(Lexer *lx, Token *t, DdError *err)
{
    const char *s = lx->sql;
    size_t n = lx->len, start = lx->pos, i = start;
    while (i < n && is_ident_cont((u8)s[i])) i++;
    size_t len = ident_clip(s + start, i - start);
    char *w = arena_alloc(lx->arena, len + 1);
    if (!w) return lex_nomem(err);
    for (size_t k = 0; k < len; k++) {
        char c = s[start + k];
        w[k] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    w[len] = '\0';
    t->kind = TOK_IDENT;
    t->kw = lex_keyword(w, len);
    t->str = w;
    t->len = len;
    t->end = (int)i;
    lx->pos = i;
    return DD_OK;
}

/* PostgreSQL 15 rejects a number or parameter run into a name (123abc,
 * 0x1F, $1a) instead of reading it as two tokens. */
static int trailing_junk(Lexer *lx, Token *t, size_t start, size_t i, const char *what, DdError *err)
{
    const char *s = lx->sql;
    size_t n = lx->len, j = i;
    if (j >= n || !is_ident_start((u8)s[j])) return DD_OK;
    while (j < n && is_ident_cont((u8)s[j])) j++;
    char msg[64];
    snprintf(msg, sizeof msg, "trailing junk after %s", what);
    return lex_error(lx, t, DD_ESYNTAX, start, j, msg, err);
}

static int lex_number(Lexer *lx, Token *t, DdError *err)
{
    const char *s = lx->sql;
    size_t n = lx->len, i = lx->pos;
    size_t start = i;
    bool real = false;
    while (i < n && is_digit((u8)s[i])) i++;
    if (i < n && s[i] == '.' && !(i + 1 < n && s[i + 1] == '.')) {
        real = true;
        i++;
        while (i < n && is_digit((u8)s[i])) i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < n && (s[j] == '+' || s[j] == '-')) j++;
        if (j < n && is_digit((u8)s[j])) {
            real = true;
            while (j < n && is_digit((u8)s[j])) j++;
            i = j;
        }
    }
    int rc = trailing_junk(lx, t, start, i, "numeric literal", err);
    if (rc) return rc;
    t->kind = real ? TOK_NUMBER : TOK_INTEGER;
    t->str = NULL;
    t->end = (int)i;
    lx->pos = i;
    return DD_OK;
}

/* A run of operator characters, cut as PostgreSQL's scan.l does. */
static int lex_operator(Lexer *lx, Token *t, DdError *err)
{
    const char *s = lx->sql;
    size_t n = lx->len, start = lx->pos, i = start;
    while (i < n && is_op_char((u8)s[i])) i++;
    size_t len = i - start;
    /* a comment start inside the run ends it */
    for (size_t k = 1; k + 1 < len; k++) {
        if ((s[start + k] == '-' && s[start + k + 1] == '-') ||
            (s[start + k] == '/' && s[start + k + 1] == '*')) {
            len = k;
            break;
        }
    }
    /* a trailing + or - is not part of a multi-char operator unless the
     * operator holds one of ~!@#^&|`?% (so that a=-1 is a = -1) */
    if (len > 1 && (s[start + len - 1] == '+' || s[start + len - 1] == '-')) {
        bool keep = false;
        for (size_t k = 0; k < len; k++)
            if (strchr("~!@#^&|`?%", s[start + k])) keep = true;
        if (!keep)
            while (len > 1 && (s[start + len - 1] == '+' || s[start + len - 1] == '-')) len--;
    }
    const char *o = s + start;
    TokKind k = TOK_OP;
    if (len == 1) {
        switch (o[0]) {
        case '+': k = TOK_PLUS; break;
        case '-': k = TOK_MINUS; break;
        case '*': k = TOK_STAR; break;
        case '/': k = TOK_SLASH; break;
        case '%': k = TOK_PERCENT; break;
        case '^': k = TOK_CARET; break;
        case '=': k = TOK_EQ; break;
        case '<': k = TOK_LT; break;
        case '>': k = TOK_GT; break;
        default: break;
        }
    } else if (len == 2) {
        if (!memcmp(o, "<>", 2) || !memcmp(o, "!=", 2)) k = TOK_NE;
        else if (!memcmp(o, "<=", 2)) k = TOK_LE;
        else if (!memcmp(o, ">=", 2)) k = TOK_GE;
        else if (!memcmp(o, "||", 2)) k = TOK_CONCAT;
    }
    t->kind = k;
    t->str = arena_strndup(lx->arena, o, len);
    if (!t->str) return lex_nomem(err);
    t->len = len;
    t->end = (int)(start + len);
    lx->pos = start + len;
    return DD_OK;
}

/* OPERATOR(pg_catalog.op) and OPERATOR(op), at the 'o': the operator op,
 * as one token spanning the whole form (PostgreSQL's qualified operator
 * syntax; pg_catalog is the only schema with operators).  false: not that
 * form, nothing consumed. */
static bool lex_qualified_operator(Lexer *lx, Token *t, DdError *err)
{
    const char *s = lx->sql;
    size_t n = lx->len, start = lx->pos, i = start;
    if (n - i < 8 || strncasecmp(s + i, "operator", 8) != 0) return false;
    i += 8;
    if (i < n && (is_ident_start((u8)s[i]) || is_digit((u8)s[i]) || s[i] == '$')) return false;
    while (i < n && strchr(" \t\r\n", s[i])) i++;
    if (i >= n || s[i] != '(') return false;
    i++;
    while (i < n && strchr(" \t\r\n", s[i])) i++;
    size_t sch = i, schlen = 0;
    bool quoted = false;
    if (i < n && s[i] == '"') {
        quoted = true;
        sch = ++i;
        while (i < n && s[i] != '"') i++;
        if (i >= n) return false;
        schlen = i - sch;
        i++;
    } else {
        while (i < n && (is_ident_start((u8)s[i]) || is_digit((u8)s[i]))) i++;
        schlen = i - sch;
    }
    if (schlen) {
        while (i < n && strchr(" \t\r\n", s[i])) i++;
        if (i >= n || s[i] != '.') return false;
        i++;
        while (i < n && strchr(" \t\r\n", s[i])) i++;
    } else if (quoted) {
        return false;
    }
    size_t op = i;
    while (i < n && is_op_char((u8)s[i])) i++;
    size_t oplen = i - op;
    while (i < n && strchr(" \t\r\n", s[i])) i++;
    if (oplen == 0 || i >= n || s[i] != ')') return false;
    size_t end = i + 1;
    if (schlen && !(schlen == 10 && (quoted ? strncmp(s + sch, "pg_catalog", 10) : strncasecmp(s + sch, "pg_catalog", 10)) == 0)) {
        /* no schema but pg_catalog has operators: PostgreSQL's 3F000 */
        lex_error(lx, t, DD_EUNDEFINED_SCHEMA, start, end, "schema does not exist", err);
        if (err) dd_err(err, DD_EUNDEFINED_SCHEMA, (int)start, "schema \"%.*s\" does not exist", (int)schlen, s + sch);
        return true;
    }
    /* the operator as lex_operator cuts it: the whole run or not at all */
    Lexer sub = *lx;
    sub.pos = op;
    sub.len = op + oplen;
    Token ot = *t;
    if (lex_operator(&sub, &ot, err) != DD_OK || sub.pos != op + oplen) return false;
    *t = ot;
    t->start = (int)start;
    t->end = (int)end;
    lx->pos = end;
    return true;
}

/* $n (start at '$'); returns false when not followed by digits. */
static bool lex_param(Lexer *lx, Token *t)
{
    const char *s = lx->sql;
    size_t n = lx->len, i = lx->pos + 1;
    if (i >= n || !is_digit((u8)s[i])) return false;
    i64 v = 0;
    while (i < n && is_digit((u8)s[i])) {
        if (v <= (i64)INT32_MAX) v = v * 10 + (s[i] - '0');
        i++;
    }
    t->kind = TOK_PARAM;
    t->ival = v;   /* > INT32_MAX when too large; the parser rejects it */
    t->end = (int)i;
    lx->pos = i;
    return true;
}

/* @SEQ:n, at '@' with "seq:" (any case) following. */
static int lex_seq(Lexer *lx, Token *t, DdError *err)
{
    const char *s = lx->sql;
    size_t n = lx->len, start = lx->pos, i = start + 5;
    if (i >= n || !is_digit((u8)s[i]))
        return lex_error(lx, t, DD_ESYNTAX, start, i, "syntax error", err);
    u64 v = 0;
    bool overflow = false;
    while (i < n && is_digit((u8)s[i])) {
        u64 d = (u64)(s[i] - '0');
        if (v > ((u64)INT64_MAX - d) / 10) overflow = true;
        else v = v * 10 + d;
        i++;
    }
    if (overflow) {
        dd_err(err, DD_EOUT_OF_RANGE, (int)start, "sequence number \"%.*s\" is out of range",
               (int)DD_MIN(i - start - 5, (size_t)ERR_TEXT_MAX), s + start + 5);
        t->kind = TOK_ERROR;
        t->start = (int)start;
        t->end = (int)i;
        lx->pos = i;
        return DD_EOUT_OF_RANGE;
    }
    t->kind = TOK_SEQ;
    t->ival = (i64)v;
    t->end = (int)i;
    lx->pos = i;
    return DD_OK;
}

int lex_next(Lexer *lx, Token *t, DdError *err)
{
    memset(t, 0, sizeof *t);
    t->kind = TOK_EOF;
    int rc = skip_space(lx, t, err);
    if (rc) return rc;
    const char *s = lx->sql;
    size_t n = lx->len, i = lx->pos;
    t->start = t->end = (int)i;
    if (i >= n) return DD_OK;
    u8 c = (u8)s[i];
    u8 c1 = i + 1 < n ? (u8)s[i + 1] : 0;

    if ((c == 'e' || c == 'E') && c1 == '\'') {
        lx->pos = i + 1;
        return lex_string(lx, t, i, true, err);
    }
    if ((c == 'o' || c == 'O') && lex_qualified_operator(lx, t, err)) return t->kind == TOK_ERROR ? DD_EUNDEFINED_SCHEMA : DD_OK;
    if (is_ident_start(c)) return lex_ident(lx, t, err);
    if (is_digit(c) || (c == '.' && is_digit(c1))) return lex_number(lx, t, err);
    switch (c) {
    case '\'': return lex_string(lx, t, i, false, err);
    case '"': return lex_qident(lx, t, err);
    case '$': {
        if (lex_param(lx, t)) return trailing_junk(lx, t, i, (size_t)t->end, "parameter", err);
        size_t d = dollar_delim(lx, i);
        if (d) return lex_dollar(lx, t, d, err);
        t->kind = TOK_OP;
        t->str = "$";
        t->len = 1;
        t->end = (int)(i + 1);
        lx->pos = i + 1;
        return DD_OK;
    }
    case '(': t->kind = TOK_LPAREN; break;
    case ')': t->kind = TOK_RPAREN; break;
    case '[': t->kind = TOK_LBRACKET; break;
    case ']': t->kind = TOK_RBRACKET; break;
    case ',': t->kind = TOK_COMMA; break;
    case ';': t->kind = TOK_SEMI; break;
    case '.': t->kind = TOK_DOT; break;
    case ':':
        if (c1 == ':') {
            t->kind = TOK_TYPECAST;
            t->end = (int)(i + 2);
            lx->pos = i + 2;
            return DD_OK;
        }
        t->kind = TOK_COLON;
        break;
    case '@':
        if (n - i >= 5 && strncasecmp(s + i + 1, "seq:", 4) == 0) return lex_seq(lx, t, err);
        return lex_operator(lx, t, err);
    default:
        if (is_op_char(c)) return lex_operator(lx, t, err);
        /* any other byte is a token of its own: the parser rejects it */
        t->kind = TOK_OP;
        t->str = arena_strndup(lx->arena, s + i, 1);
        if (!t->str) return lex_nomem(err);
        t->len = 1;
        break;
    }
    t->end = (int)(i + 1);
    lx->pos = i + 1;
    return DD_OK;
}
