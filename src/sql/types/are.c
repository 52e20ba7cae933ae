/*
 * are.c - PostgreSQL's regular expression syntax (ARE, "advanced regular
 * expressions") checked and rewritten into PCRE2's; SIMILAR TO patterns
 * into AREs; the flag letters of the regexp_* functions.
 *
 * The rewrite is one pass over the whole ARE grammar, so that nothing of
 * PCRE2's own syntax (verbs, \K, \p{..}, possessive quantifiers, named
 * groups, options in mid-pattern) gets through: a pattern PostgreSQL
 * rejects fails with PostgreSQL's message, and each construct PostgreSQL
 * has is emitted in the PCRE2 form that means the same:
 *
 *   \m \M \y \Y \Z       -> \b(?=\w) \b(?<=\w) \b \B \z
 *   [[:<:]] [[:>:]]      -> as \m and \M
 *   \b \B \v             -> backspace, backslash, vertical tab (characters in an ARE)
 *   \uXXXX \U.. \xh.. \ooo \cX \e .. -> \x{..}; a code point no text holds -> (?:(?!))
 *   \1 .. \9, \mnn       -> \g{n}, checked against the groups closed so far
 *   [.c.] [=c=]          -> the character c (single characters only)
 *   (?flags) at the start, ***=, ***:  -> options (the caller's *opts)
 *   ( inside a lookaround -> (?: (PostgreSQL captures nothing there)
 *   x option             -> white space and #-comments dropped here
 *
 * Literal characters go out as themselves (ASCII letters and digits),
 * backslash-escaped (other printable ASCII) or as \x{..}, so the output
 * never depends on PCRE2's extended mode or on what follows it.
 */
#include "regex.h"

#include <stdio.h>
#include <string.h>

#define ARE_MAX_NEST 250   /* nested parentheses (PCRE2's own default limit) */
#define ARE_DUPMAX 255     /* largest bound {m,n}, as PostgreSQL's */
#define CP_MAX 0x10FFFF

/* PostgreSQL's texts for what its regex compiler rejects. */
#define E_BADRPT "quantifier operand invalid"
#define E_EPAREN "parentheses () not balanced"
#define E_EBRACK "brackets [] not balanced"
#define E_EBRACE "braces {} not balanced"
#define E_BADBR "invalid repetition count(s)"
#define E_EESCAPE "invalid escape \\ sequence"
#define E_ESUBREG "invalid backreference number"
#define E_ECTYPE "invalid character class"
#define E_ERANGE "invalid character range"
#define E_ECOLLATE "invalid collating element"
#define E_BADOPT "invalid embedded option"

static int bad(DdError *err, const char *what)
{
    return dd_err(err, DD_EINVALID_REGEX, -1, "invalid regular expression: %s", what);
}

/* A flavour PostgreSQL has and this rewrite does not (b: POSIX basic,
 * e: POSIX extended). */
static int flavour_unsupported(DdError *err, char letter)
{
    return dd_err(err, DD_EFEATURE, -1, "regular expression option \"%c\" (POSIX %s syntax) is not supported",
                  letter, letter == 'b' ? "basic" : "extended");
}

/* Applies one option letter of a flags argument or an embedded option
 * group; false for a letter that is none. */
static bool apply_letter(char c, unsigned *o)
{
    switch (c) {
    case 'c': *o &= ~(unsigned)RX_ICASE; return true;
    case 'i': *o |= RX_ICASE; return true;
    case 'm': case 'n': *o |= RX_NLSTOP | RX_NLANCH; return true;
    case 'p': *o = (*o | RX_NLSTOP) & ~(unsigned)RX_NLANCH; return true;
    case 'q': *o |= RX_QUOTE; return true;
    case 's': *o &= ~(unsigned)(RX_NLSTOP | RX_NLANCH); return true;
    case 't': *o &= ~(unsigned)RX_EXPANDED; return true;
    case 'w': *o = (*o | RX_NLANCH) & ~(unsigned)RX_NLSTOP; return true;
    case 'x': *o |= RX_EXPANDED; return true;
    default: return false;
    }
}

/* Length of the UTF-8 sequence that starts with byte b (1 for a stray byte). */
static size_t u8len(unsigned char b)
{
    return b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
}

int rx_parse_flags(const char *flags, size_t len, unsigned *opts, DdError *err)
{
    for (size_t i = 0; i < len; i++) {
        char c = flags[i];
        if (c == 'g') *opts |= RX_GLOBAL;
        else if (c == 'b' || c == 'e') return flavour_unsupported(err, c);
        else if (!apply_letter(c, opts)) {
            int n = (int)DD_MIN(u8len((unsigned char)c), len - i);
            return dd_err(err, DD_EINVALID_PARAM, -1, "invalid regular expression option: \"%.*s\"", n, flags + i);
        }
    }
    return DD_OK;
}

/* ---------------------------------------------------------------- ARE */

/* What the item before the current one was: a quantifier may follow only
 * an atom. */
typedef enum Prev { PREV_NONE, PREV_ATOM, PREV_QUANT } Prev;

typedef struct Are {
    const char *p, *end;
    unsigned opts;
    Buf *out;
    DdError *err;
    Prev prev;
    int ncap;                          /* capturing groups opened */
    int depth;
    struct { int cap; bool look; } open[ARE_MAX_NEST];   /* cap: its number, 0 when not capturing */
    int look;                          /* open lookaround groups */
} Are;

/* Decodes the character at *pp (a stray byte stands for itself). */
static u32 next_cp(const char **pp, const char *end)
{
    const unsigned char *p = (const unsigned char *)*pp;
    size_t n = u8len(p[0]);
    if ((size_t)(end - *pp) < n) n = 1;
    u32 c = n == 1 ? p[0] : (u32)(p[0] & (0x7F >> n));
    for (size_t k = 1; k < n; k++) {
        if ((p[k] & 0xC0) != 0x80) { c = p[0]; n = 1; break; }
        c = (c << 6) | (p[k] & 0x3F);
    }
    *pp += n;
    return c;
}

static bool is_alnum(u32 c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_space(u32 c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}
/* A code point PCRE2 accepts in a UTF pattern (no text holds the others). */
static bool cp_valid(u32 c) { return c <= CP_MAX && !(c >= 0xD800 && c <= 0xDFFF); }

static void put(Are *A, const char *s) { buf_puts(A->out, s); }

/* A literal character outside brackets. */
static void put_lit(Are *A, u32 c)
{
    if (!cp_valid(c)) put(A, "(?:(?!))");        /* PostgreSQL accepts it; nothing matches it */
    else if (is_alnum(c)) buf_putc(A->out, (u8)c);
    else if (c > 0x20 && c < 0x7F) { buf_putc(A->out, '\\'); buf_putc(A->out, (u8)c); }
    else buf_printf(A->out, "\\x{%x}", (unsigned)c);
}

/* A character inside brackets. */
static void put_class_cp(Are *A, u32 c)
{
    if (is_alnum(c)) buf_putc(A->out, (u8)c);
    else buf_printf(A->out, "\\x{%x}", (unsigned)c);
}

/* x option: skips white space and #-comments. */
static void skip_expanded(Are *A)
{
    while (A->p < A->end) {
        if (is_space((unsigned char)*A->p)) A->p++;
        else if (*A->p == '#') { while (A->p < A->end && *A->p != '\n') A->p++; }
        else break;
    }
}

/* What an escape stands for. */
typedef enum EscKind { ESC_CHAR, ESC_CLASS, ESC_CONSTRAINT, ESC_BACKREF } EscKind;
typedef struct Esc {
    EscKind kind;
    u32 v;        /* ESC_CHAR: the code point; ESC_BACKREF: the group */
    char letter;  /* ESC_CLASS, ESC_CONSTRAINT: d s w D S W, A Z m M y Y */
} Esc;

/* Reads between min and max digits of base; false when fewer than min. */
static bool read_digits(Are *A, int base, int min, int max, u32 *out)
{
    u32 v = 0;
    int n = 0;
    while (n < max && A->p < A->end) {
        int d = hexval(*A->p);
        if (d < 0 || d >= base) break;
        v = v > CP_MAX ? v : v * (u32)base + (u32)d;   /* saturates past any code point */
        A->p++;
        n++;
    }
    *out = v;
    return n >= min;
}

/* An octal escape from the current digit: up to three digits, two when a
 * third would pass 0xFF (PostgreSQL's rule). */
static int octal(Are *A, Esc *e)
{
    const char *start = A->p;
    if (!read_digits(A, 8, 1, 3, &e->v)) return bad(A->err, E_EESCAPE);
    if (e->v > 0xFF) { A->p = start + 2; e->v >>= 3; }
    e->kind = ESC_CHAR;
    return DD_OK;
}

/* \1 .. \9, or more digits naming a group opened so far: a back reference
 * (to a group already closed); else an octal escape. */
static int backref_or_octal(Are *A, Esc *e)
{
    const char *start = A->p;
    u32 n;
    read_digits(A, 10, 1, 9, &n);
    if (A->p - start == 1 || (n > 0 && n <= (u32)A->ncap)) {
        if (n > (u32)A->ncap) return bad(A->err, E_ESUBREG);
        for (int i = 0; i < A->depth; i++)
            if (A->open[i].cap == (int)n) return bad(A->err, E_ESUBREG);
        e->kind = ESC_BACKREF;
        e->v = n;
        return DD_OK;
    }
    A->p = start;
    return octal(A, e);
}

/* The escape after a backslash (A->p past it); in_bracket: inside [...],
 * where constraints and back references are not allowed. */
static int read_escape(Are *A, bool in_bracket, Esc *e)
{
    if (A->p >= A->end) return bad(A->err, E_EESCAPE);
    unsigned char c = (unsigned char)*A->p;
    e->kind = ESC_CHAR;
    if (c >= 0x80 || !is_alnum(c)) {          /* \ before a non-alphanumeric: that character */
        e->v = next_cp(&A->p, A->end);
        return DD_OK;
    }
    A->p++;
    switch (c) {
    case 'a': e->v = 0x07; return DD_OK;
    case 'b': e->v = 0x08; return DD_OK;
    case 'B': e->v = '\\'; return DD_OK;
    case 'e': e->v = 0x1B; return DD_OK;
    case 'f': e->v = 0x0C; return DD_OK;
    case 'n': e->v = 0x0A; return DD_OK;
    case 'r': e->v = 0x0D; return DD_OK;
    case 't': e->v = 0x09; return DD_OK;
    case 'v': e->v = 0x0B; return DD_OK;
    case 'c':
        if (A->p >= A->end) return bad(A->err, E_EESCAPE);
        e->v = next_cp(&A->p, A->end) & 0x1F;
        return DD_OK;
    case 'u': return read_digits(A, 16, 4, 4, &e->v) ? DD_OK : bad(A->err, E_EESCAPE);
    case 'U': return read_digits(A, 16, 8, 8, &e->v) ? DD_OK : bad(A->err, E_EESCAPE);
    case 'x': return read_digits(A, 16, 1, 255, &e->v) ? DD_OK : bad(A->err, E_EESCAPE);
    case '0': A->p--; return octal(A, e);
    case 'd': case 's': case 'w': case 'D': case 'S': case 'W':
        e->kind = ESC_CLASS;
        e->letter = (char)c;
        return DD_OK;
    case 'A': case 'Z': case 'm': case 'M': case 'y': case 'Y':
        if (in_bracket) return bad(A->err, E_EESCAPE);
        e->kind = ESC_CONSTRAINT;
        e->letter = (char)c;
        return DD_OK;
    default:
        if (c >= '1' && c <= '9' && !in_bracket) { A->p--; return backref_or_octal(A, e); }
        return bad(A->err, E_EESCAPE);
    }
}

/* A class shorthand outside brackets.  With n or p, \D and \W do not match
 * a newline (PostgreSQL reads them as negated brackets). */
static void put_class_escape(Are *A, char letter, bool in_bracket)
{
    if (!in_bracket && (A->opts & RX_NLSTOP) && (letter == 'D' || letter == 'W'))
        buf_printf(A->out, "[^\\%c\\x{a}]", letter == 'D' ? 'd' : 'w');
    else
        buf_printf(A->out, "\\%c", letter);
}

static void put_constraint(Are *A, char letter)
{
    switch (letter) {
    case 'A': put(A, "\\A"); break;
    case 'Z': put(A, "\\z"); break;
    case 'm': put(A, "\\b(?=\\w)"); break;
    case 'M': put(A, "\\b(?<=\\w)"); break;
    case 'y': put(A, "\\b"); break;
    default: put(A, "\\B"); break;     /* Y */
    }
}

/* ---- bracket expressions */

typedef enum ElemKind { ELEM_CHAR, ELEM_CLASS } ElemKind;
typedef struct Elem {
    ElemKind kind;
    u32 cp;             /* ELEM_CHAR */
    char text[16];      /* ELEM_CLASS: PCRE2 text, "[:alpha:]" or "\d" */
} Elem;

static bool class_name_ok(const char *name, size_t n)
{
    static const char *const names[] = {"alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph",
                                        "lower", "print", "punct", "space", "upper", "xdigit", "word"};
    for (size_t i = 0; i < DD_ARRAY_LEN(names); i++)
        if (strlen(names[i]) == n && memcmp(names[i], name, n) == 0) return true;
    return false;
}

/* [:name:], [.c.] or [=c=] (A->p at the inner '['). */
static int delimited_elem(Are *A, Elem *el)
{
    char d = A->p[1];
    const char *body = A->p + 2, *q = body;
    while (q + 1 < A->end && !(q[0] == d && q[1] == ']')) q++;
    if (q + 1 >= A->end) return bad(A->err, E_EBRACK);
    A->p = q + 2;
    size_t n = (size_t)(q - body);
    if (d == ':') {
        if (!class_name_ok(body, n)) return bad(A->err, E_ECTYPE);
        el->kind = ELEM_CLASS;
        snprintf(el->text, sizeof el->text, "[:%.*s:]", (int)n, body);
        return DD_OK;
    }
    /* a collating element or equivalence class: one character (names such
     * as [.hyphen.] are not known here) */
    const char *c = body;
    if (n == 0) return bad(A->err, E_ECOLLATE);
    el->kind = ELEM_CHAR;
    el->cp = next_cp(&c, q);
    return c == q ? DD_OK : bad(A->err, E_ECOLLATE);
}

/* One element of a bracket expression. */
static int bracket_elem(Are *A, Elem *el)
{
    if (A->p[0] == '[' && A->p + 1 < A->end && (A->p[1] == ':' || A->p[1] == '.' || A->p[1] == '='))
        return delimited_elem(A, el);
    if (A->p[0] == '\\') {
        Esc e;
        A->p++;
        int rc = read_escape(A, true, &e);
        if (rc) return rc;
        if (e.kind == ESC_CLASS) {
            el->kind = ELEM_CLASS;
            snprintf(el->text, sizeof el->text, "\\%c", e.letter);
        } else {
            el->kind = ELEM_CHAR;
            el->cp = e.v;
        }
        return DD_OK;
    }
    el->kind = ELEM_CHAR;
    el->cp = next_cp(&A->p, A->end);
    return DD_OK;
}

/* The elements of [...] up to its ']' (A->p after '[' and '^'); *n: how
 * many were emitted (characters no text holds are left out). */
static int bracket_body(Are *A, int *n)
{
    bool first = true;
    for (;;) {
        if (A->p >= A->end) return bad(A->err, E_EBRACK);
        if (*A->p == ']' && !first) { A->p++; return DD_OK; }
        first = false;
        Elem lo;
        int rc = bracket_elem(A, &lo);
        if (rc) return rc;
        bool range = A->p + 1 < A->end && A->p[0] == '-' && A->p[1] != ']';
        if (lo.kind == ELEM_CLASS) {
            if (range) return bad(A->err, E_ERANGE);
            put(A, lo.text);
            (*n)++;
            continue;
        }
        if (!range) {
            if (cp_valid(lo.cp)) { put_class_cp(A, lo.cp); (*n)++; }
            continue;
        }
        A->p++;
        Elem hi;
        if ((rc = bracket_elem(A, &hi))) return rc;
        if (hi.kind != ELEM_CHAR || hi.cp < lo.cp) return bad(A->err, E_ERANGE);
        /* the ends PCRE2 takes: code points text can hold */
        u32 from = lo.cp >= 0xD800 && lo.cp <= 0xDFFF ? 0xE000 : lo.cp;
        u32 to = hi.cp >= 0xD800 && hi.cp <= 0xDFFF ? 0xD7FF : DD_MIN(hi.cp, (u32)CP_MAX);
        if (from > to) continue;
        put_class_cp(A, from);
        buf_putc(A->out, '-');
        put_class_cp(A, to);
        (*n)++;
    }
}

/* A bracket expression (A->p after '['); [[:<:]] and [[:>:]] are word
 * boundaries. */
static int bracket(Are *A)
{
    size_t left = (size_t)(A->end - A->p);
    if (left >= 6 && (memcmp(A->p, "[:<:]]", 6) == 0 || memcmp(A->p, "[:>:]]", 6) == 0)) {
        put_constraint(A, A->p[2] == '<' ? 'm' : 'M');
        A->p += 6;
        A->prev = PREV_NONE;
        return DD_OK;
    }
    bool neg = A->p < A->end && *A->p == '^';
    if (neg) A->p++;
    size_t at = A->out->len;
    put(A, neg ? "[^" : "[");
    int n = 0;
    int rc = bracket_body(A, &n);
    if (rc) return rc;
    if (neg && (A->opts & RX_NLSTOP)) { put(A, "\\x{a}"); n++; }
    if (n == 0) {
        /* only characters no text holds: none matches, or any does */
        A->out->len = at;
        put(A, neg ? "(?s:.)" : "(?:(?!))");
    } else {
        buf_putc(A->out, ']');
    }
    A->prev = PREV_ATOM;
    return DD_OK;
}

/* ---- groups, quantifiers */

/* '(' and what follows it (A->p after '('). */
static int open_group(Are *A)
{
    bool look = false;
    const char *text = "(";
    if (A->p < A->end && *A->p == '?') {
        const char *q = A->p + 1;
        size_t left = (size_t)(A->end - q);
        if (left >= 1 && *q == '#') {           /* (?#comment): nothing, up to ')' or the end */
            while (q < A->end && *q != ')') q++;
            A->p = q < A->end ? q + 1 : q;
            return DD_OK;
        }
        if (left >= 1 && *q == ':') { text = "(?:"; A->p += 2; }
        else if (left >= 1 && (*q == '=' || *q == '!')) { text = *q == '=' ? "(?=" : "(?!"; look = true; A->p += 2; }
        else if (left >= 2 && q[0] == '<' && (q[1] == '=' || q[1] == '!')) {
            text = q[1] == '=' ? "(?<=" : "(?<!";
            look = true;
            A->p += 3;
        } else {
            return bad(A->err, E_BADRPT);     /* (?i) past the start, (?P<..>, ... */
        }
    }
    if (A->depth == ARE_MAX_NEST)
        return dd_err(A->err, DD_EINVALID_REGEX, -1, "invalid regular expression: parentheses are too deeply nested");
    int cap = 0;
    if (text[1] == '\0') {
        if (A->look) text = "(?:";            /* PostgreSQL: no captures inside a lookaround */
        else cap = ++A->ncap;
    }
    A->open[A->depth].cap = cap;
    A->open[A->depth].look = look;
    A->depth++;
    A->look += look;
    put(A, text);
    A->prev = PREV_NONE;
    return DD_OK;
}

static int close_group(Are *A)
{
    if (A->depth == 0) return bad(A->err, E_EPAREN);
    A->depth--;
    bool look = A->open[A->depth].look;
    A->look -= look;
    buf_putc(A->out, ')');
    A->prev = look ? PREV_NONE : PREV_ATOM;     /* a lookaround is a constraint */
    return DD_OK;
}

/* A bound {m}, {m,} or {m,n} (A->p at '{', a digit after it). */
static int bound(Are *A)
{
    u32 m, n;
    A->p++;
    read_digits(A, 10, 1, 9, &m);
    n = m;
    bool open_end = false;
    if (A->p < A->end && *A->p == ',') {
        A->p++;
        if (!read_digits(A, 10, 1, 9, &n)) open_end = true;
    }
    if (A->p >= A->end) return bad(A->err, E_EBRACE);
    if (*A->p != '}' || m > ARE_DUPMAX || (!open_end && (n > ARE_DUPMAX || m > n))) return bad(A->err, E_BADBR);
    A->p++;
    if (A->prev != PREV_ATOM) return bad(A->err, E_BADRPT);
    if (open_end) buf_printf(A->out, "{%u,}", (unsigned)m);
    else if (m == n) buf_printf(A->out, "{%u}", (unsigned)m);
    else buf_printf(A->out, "{%u,%u}", (unsigned)m, (unsigned)n);
    return DD_OK;
}

/* After a quantifier: an optional '?' makes it non-greedy; nothing may be
 * quantified again. */
static void quantified(Are *A)
{
    if (A->p < A->end && *A->p == '?') { A->p++; buf_putc(A->out, '?'); }
    A->prev = PREV_QUANT;
}

static int escape_item(Are *A)
{
    Esc e;
    int rc = read_escape(A, false, &e);
    if (rc) return rc;
    switch (e.kind) {
    case ESC_CHAR: put_lit(A, e.v); break;
    case ESC_CLASS: put_class_escape(A, e.letter, false); break;
    case ESC_BACKREF: buf_printf(A->out, "\\g{%u}", (unsigned)e.v); break;
    case ESC_CONSTRAINT: put_constraint(A, e.letter); A->prev = PREV_NONE; return DD_OK;
    }
    A->prev = PREV_ATOM;
    return DD_OK;
}

/* One item of the pattern at A->p. */
static int item(Are *A)
{
    char c = *A->p;
    if (c == '*' || c == '+' || c == '?') {
        if (A->prev != PREV_ATOM) return bad(A->err, E_BADRPT);
        A->p++;
        buf_putc(A->out, (u8)c);
        quantified(A);
        return DD_OK;
    }
    if (c == '{' && A->p + 1 < A->end && A->p[1] >= '0' && A->p[1] <= '9') {
        int rc = bound(A);
        if (!rc) quantified(A);
        return rc;
    }
    A->p++;
    switch (c) {
    case '(': return open_group(A);
    case ')': return close_group(A);
    case '[': return bracket(A);
    case '\\': return escape_item(A);
    case '|': case '^': case '$':
        buf_putc(A->out, (u8)c);
        A->prev = PREV_NONE;
        return DD_OK;
    case '.':
        buf_putc(A->out, '.');
        A->prev = PREV_ATOM;
        return DD_OK;
    default:
        A->p--;
        put_lit(A, next_cp(&A->p, A->end));
        A->prev = PREV_ATOM;
        return DD_OK;
    }
}

/* ***= ***: and an embedded option group (?letters) at the start. */
static int director(Are *A)
{
    size_t left = (size_t)(A->end - A->p);
    if (left >= 4 && memcmp(A->p, "***=", 4) == 0) {
        A->p += 4;
        A->opts |= RX_QUOTE;
        return DD_OK;
    }
    if (left >= 4 && memcmp(A->p, "***:", 4) == 0) {
        A->p += 4;
        left -= 4;
    }
    if (left < 3 || A->p[0] != '(' || A->p[1] != '?' || !is_alnum((unsigned char)A->p[2]) ||
        (A->p[2] >= '0' && A->p[2] <= '9'))
        return DD_OK;
    for (A->p += 2; A->p < A->end && *A->p != ')'; A->p++) {
        char c = *A->p;
        if (c == 'b' || c == 'e') return flavour_unsupported(A->err, c);
        if (!apply_letter(c, &A->opts)) return bad(A->err, E_BADOPT);
    }
    if (A->p >= A->end) return bad(A->err, E_BADOPT);
    A->p++;
    return DD_OK;
}

int rx_are_to_pcre2(const char *pat, size_t len, unsigned *opts, Buf *out, DdError *err)
{
    Are A;
    A.p = pat;
    A.end = pat + len;
    A.opts = *opts;
    A.out = out;
    A.err = err;
    A.prev = PREV_NONE;
    A.ncap = A.depth = A.look = 0;
    int rc = (A.opts & RX_QUOTE) ? DD_OK : director(&A);
    while (!rc && A.p < A.end) {
        if (A.opts & RX_QUOTE) {
            put_lit(&A, next_cp(&A.p, A.end));
            continue;
        }
        if (A.opts & RX_EXPANDED) {
            skip_expanded(&A);
            if (A.p >= A.end) break;
        }
        rc = item(&A);
    }
    if (!rc && A.depth) rc = bad(err, E_EPAREN);
    if (!rc && !buf_ok(out)) rc = DD_ENOMEM;
    *opts = A.opts;
    return rc;
}

/* ---------------------------------------------------------------- SIMILAR TO */

int rx_similar_to_are(const char *pat, size_t len, const char *esc, size_t esclen, Buf *out, DdError *err)
{
    if (!esc) {
        esc = "\\";
        esclen = 1;
    } else if (esclen > u8len((unsigned char)esc[0])) {
        dd_err(err, DD_EINVALID_ESCAPE, -1, "invalid escape string");
        dd_err_hint(err, "Escape string must be empty or one character.");
        return DD_EINVALID_ESCAPE;
    }
    /* The whole pattern, anchored; escape-double-quote separators cut it
     * into a non-greedy head, the part SUBSTRING returns (the only
     * capturing group) and a tail: ^(?:head){1,1}?(part){1,1}(?:tail)$.
     * Inside brackets the text passes through; a ']' closes them only
     * after the first element (depth counts nested [:class:] brackets). */
    buf_puts(out, "^(?:");
    int quotes = 0, depth = 0, from_open = 0;
    bool after_esc = false;
    for (size_t i = 0; i < len;) {
        size_t n = DD_MIN(u8len((unsigned char)pat[i]), len - i);
        const char *ch = pat + i;
        char c = n == 1 ? ch[0] : 0;
        i += n;
        if (after_esc) {
            after_esc = false;
            if (c == '"' && depth == 0) {
                if (++quotes > 2) {
                    return dd_err(err, DD_EINVALID_ESCAPE_USE, -1,
                                  "SQL regular expression may not contain more than two escape-double-quote separators");
                }
                buf_puts(out, quotes == 1 ? "){1,1}?(" : "){1,1}(?:");
                continue;
            }
            buf_putc(out, '\\');
            buf_append(out, ch, n);
        } else if (esclen && n == esclen && memcmp(ch, esc, n) == 0) {
            after_esc = true;
        } else if (depth > 0) {
            if (c == '\\') buf_putc(out, '\\');
            buf_append(out, ch, n);
            if (c == ']' && from_open > 2) depth--;
            else if (c == '[') depth++;
            from_open = c == '^' ? from_open + 1 : 3;
        } else if (c == '[') {
            buf_putc(out, '[');
            depth = 1;
            from_open = 1;
        } else if (c == '%') {
            buf_puts(out, ".*");
        } else if (c == '_') {
            buf_putc(out, '.');
        } else if (c == '(') {
            buf_puts(out, "(?:");      /* only the separators capture */
        } else if (c == '\\' || c == '.' || c == '^' || c == '$') {
            buf_putc(out, '\\');
            buf_putc(out, (u8)c);
        } else {
            buf_append(out, ch, n);
        }
    }
    buf_puts(out, ")$");
    return buf_ok(out) ? DD_OK : DD_ENOMEM;
}
