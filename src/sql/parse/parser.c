/*
 * parser.c - recursive-descent parser: SQL text -> AST (ast.h).
 *
 * Owns the grammar DriftDB accepts (PostgreSQL's dialect, the subset in
 * ast.h, plus FOR SYSTEM_TIME and @SEQ:n) and PostgreSQL's syntax error
 * wording and positions.  parse_statement() first tokenizes one statement
 * (up to its top-level ';') into an array, so the parser can look ahead
 * freely and the caller's *next is known even when parsing fails; then it
 * descends.  Expressions use precedence climbing with PostgreSQL's
 * operator precedence, lowest first:
 *
 *   OR < AND < NOT < IS, ISNULL, NOTNULL < comparison (nonassoc)
 *   < BETWEEN IN LIKE ILIKE SIMILAR (nonassoc) < || ~ ~~ and other operators
 *   < + - < * / % < ^ < unary - + < :: < . (qualification)
 *
 * Conventions the analyzer relies on (also in the report of the author):
 *   - literal typing as ast.h says; a '-' directly before a numeric literal
 *     is folded into the constant (as PostgreSQL's doNegate), so
 *     -2147483648 is an INT4 constant and -9223372036854775808 an INT8;
 *   - qualified names are joined with '.': table "public.t", column
 *     qualifier "s.t" for s.t.c, function "pg_catalog.now";
 *   - typed literals (date '..', interval '..', timestamptz '..') and
 *     CAST / :: become EXPR_CAST; a typed literal's arg is an UNKNOWN const;
 *   - set operations form a flat chain in source order (this.setop joins
 *     this and this.next); the analyzer applies INTERSECT-before-UNION
 *     precedence.  ORDER BY / LIMIT / OFFSET of a chain are on its head.
 *     A parenthesized member with its own ORDER BY / LIMIT / OFFSET or set
 *     operation is wrapped as SELECT * FROM (member) (loc -1, alias NULL).
 *
 * No global mutable state: all state is in the Parser on the stack; nodes
 * go to the caller's arena, the token array is heap memory freed before
 * returning.  Recursion is bounded (MAX_DEPTH, 54000), the parser is fuzzed.
 */
#include "ast.h"
#include "lexer.h"
#include "../../util/alloc.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_DEPTH 1000      /* nested expressions / subqueries (54001 beyond) */
#define MAX_HEIGHT 2000     /* an expression tree's height: `a OR b OR ...` chains too (54001) */
#define ERR_TEXT_MAX 400    /* bytes of a token quoted in an error message */

typedef struct Parser {
    const char *sql;
    size_t len;           /* length of the whole text */
    Arena *a;
    DdError *err;
    Token *toks;          /* the statement; last token is TOK_SEMI or TOK_EOF */
    int ntoks;
    int pos;              /* current token */
    int *match;           /* for '(' tokens: index of the matching ')', or -1 */
    int lexcode;          /* code of the first lexical error (kept in err) */
    int depth;
    int height;     /* of the expression being built: nesting plus operator chains */
} Parser;

/* Precedence levels, lowest first. */
enum {
    P_NONE = 0, P_OR, P_AND, P_NOT, P_IS, P_CMP, P_IN, P_ESCAPE, P_OP,
    P_ADD, P_MUL, P_EXP, P_AT, P_COLLATE, P_UMINUS, P_SUBSCRIPT, P_CAST,
};

#define TRY(x) do { int rc_ = (x); if (rc_) return rc_; } while (0)

static int parse_expr(Parser *p, int minp, Expr **out);
static int parse_any(Parser *p, Expr *l, u8 match, int cmp, int oploc, Expr **out);
static bool at_any(Parser *p);
static int parse_select(Parser *p, SelectStmt **out);
enum { SEQOPT_CREATE, SEQOPT_ALTER, SEQOPT_IDENTITY };
static int parse_seq_options(Parser *p, SeqOptions *o, int mode);
static int parse_table_ref(Parser *p, TableRef **out);
static int parse_typename(Parser *p, TypeName *tn);

/* ---- tokens ---- */

static inline Token *tok(Parser *p) { return &p->toks[p->pos]; }
static inline Token *peek(Parser *p, int k)
{
    int i = p->pos + k;
    return &p->toks[i < p->ntoks ? i : p->ntoks - 1];
}
static inline void advance(Parser *p)
{
    if (p->pos < p->ntoks - 1) p->pos++;
}
static inline bool is_kw(const Token *t, int kw) { return t->kind == TOK_IDENT && t->kw == kw; }
static inline bool is_word(const Token *t, const char *w)
{
    return t->kind == TOK_IDENT && t->kw == KW_NONE && strcmp(t->str, w) == 0;
}
/* An unquoted word, keyword or not. */
static inline bool is_name(const Token *t, const char *w)
{
    return t->kind == TOK_IDENT && strcmp(t->str, w) == 0;
}
static bool accept_kw(Parser *p, int kw)
{
    if (!is_kw(tok(p), kw)) return false;
    advance(p);
    return true;
}

/* IF EXISTS / IF NOT EXISTS: consumed when present. */
static bool accept_if_exists(Parser *p)
{
    if (!is_kw(tok(p), KW_IF) || !is_kw(peek(p, 1), KW_EXISTS)) return false;
    advance(p);
    advance(p);
    return true;
}
static bool accept_if_not_exists(Parser *p)
{
    if (!is_kw(tok(p), KW_IF) || !is_kw(peek(p, 1), KW_NOT) || !is_kw(peek(p, 2), KW_EXISTS)) return false;
    advance(p);
    advance(p);
    advance(p);
    return true;
}
static bool accept(Parser *p, TokKind k)
{
    if (tok(p)->kind != k) return false;
    advance(p);
    return true;
}
static bool at_end(Parser *p)
{
    TokKind k = tok(p)->kind;
    return k == TOK_SEMI || k == TOK_EOF;
}

/* Names: PostgreSQL's ColId (column, table, alias), type_function_name
 * (function) and ColLabel (after AS and '.'). */
static bool is_colid(const Token *t)
{
    if (t->kind == TOK_QIDENT) return true;
    if (t->kind != TOK_IDENT) return false;
    KwCategory c = lex_keyword_category(t->kw);
    return c == KWC_NONE || c == KWC_UNRESERVED || c == KWC_COL_NAME;
}
static bool is_funcname(const Token *t)
{
    if (t->kind == TOK_QIDENT) return true;
    if (t->kind != TOK_IDENT) return false;
    KwCategory c = lex_keyword_category(t->kw);
    return c != KWC_RESERVED;
}
static bool is_label(const Token *t) { return t->kind == TOK_IDENT || t->kind == TOK_QIDENT; }

/* ---- errors ---- */

static int nomem(Parser *p) { return dd_err(p->err, DD_ENOMEM, -1, NULL); }

/* "syntax error at or near" the current token, PostgreSQL's wording. */
static int syntax_error(Parser *p)
{
    Token *t = tok(p);
    if (t->kind == TOK_ERROR) return p->lexcode;   /* its error is already in err */
    if (t->kind == TOK_EOF)
        return dd_err(p->err, DD_ESYNTAX, t->start, "syntax error at end of input");
    int n = DD_MIN(t->end - t->start, ERR_TEXT_MAX);
    return dd_err(p->err, DD_ESYNTAX, t->start, "syntax error at or near \"%.*s\"", n,
                  p->sql + t->start);
}

static int not_supported(Parser *p, int offset, const char *what)
{
    if (tok(p)->kind == TOK_ERROR) return p->lexcode;
    return dd_err(p->err, DD_EFEATURE, offset, "%s is not supported", what);
}

static int expect(Parser *p, TokKind k)
{
    if (!accept(p, k)) return syntax_error(p);
    return DD_OK;
}
static int expect_kw(Parser *p, int kw)
{
    if (!accept_kw(p, kw)) return syntax_error(p);
    return DD_OK;
}

static int enter(Parser *p)
{
    if (++p->depth > MAX_DEPTH)
        return dd_err(p->err, DD_ESTACK_DEPTH, -1, "stack depth limit exceeded");
    return DD_OK;
}

/* ---- allocation ---- */

static void *grow_array(Parser *p, void *old, int n, int *cap, size_t elsz)
{
    if (*cap > INT_MAX / 4) return NULL;
    int nc = *cap ? *cap * 2 : 4;
    void *np = arena_alloc(p->a, (size_t)nc * elsz);
    if (!np) return NULL;
    if (n) memcpy(np, old, (size_t)n * elsz);
    *cap = nc;
    return np;
}

/* Appends val to arr[0..n) (capacity cap), growing it in the arena. */
#define PUSH(arr, n, cap, val)                                               \
    do {                                                                     \
        if ((n) == (cap)) {                                                  \
            void *g_ = grow_array(p, (arr), (n), &(cap), sizeof *(arr));     \
            if (!g_) return nomem(p);                                        \
            (arr) = g_;                                                      \
        }                                                                    \
        (arr)[(n)++] = (val);                                                \
    } while (0)

#define NEW(var)                                                             \
    do {                                                                     \
        (var) = arena_zalloc(p->a, sizeof *(var));                           \
        if (!(var)) return nomem(p);                                         \
    } while (0)

static Expr *mk_expr(Parser *p, ExprKind k, int loc)
{
    Expr *e = arena_zalloc(p->a, sizeof *e);
    if (e) {
        e->kind = k;
        e->loc = loc;
        e->oploc = loc;
    }
    return e;
}
#define NEW_EXPR(var, kind, loc)                                             \
    do {                                                                     \
        (var) = mk_expr(p, (kind), (loc));                                   \
        if (!(var)) return nomem(p);                                         \
    } while (0)

static char *dup_str(Parser *p, const char *s) { return arena_strdup(p->a, s); }

/* Reads a name made of a ColId and '.'-separated labels, joined with '.'. */
static int parse_qualified_name(Parser *p, char **out, int *loc)
{
    Token *t = tok(p);
    if (!is_colid(t)) return syntax_error(p);
    if (loc) *loc = t->start;
    char *name = t->str;
    advance(p);
    while (tok(p)->kind == TOK_DOT && is_label(peek(p, 1))) {
        advance(p);
        name = arena_printf(p->a, "%s.%s", name, tok(p)->str);
        if (!name) return nomem(p);
        advance(p);
    }
    *out = name;   /* "s.t" as written (catalog.h resolves it) */
    return DD_OK;
}

static int parse_colid(Parser *p, char **out, int *loc)
{
    Token *t = tok(p);
    if (!is_colid(t)) return syntax_error(p);
    if (loc) *loc = t->start;
    *out = t->str;
    advance(p);
    return DD_OK;
}

/* '(' ColId, ... ')' */
static int parse_name_list(Parser *p, char ***names, int **locs, int *n)
{
    int cap = 0, lcap = 0, nl = 0;
    *names = NULL;
    if (locs) *locs = NULL;
    *n = 0;
    TRY(expect(p, TOK_LPAREN));
    do {
        char *name = NULL;
        int loc;
        TRY(parse_colid(p, &name, &loc));
        PUSH(*names, *n, cap, name);
        if (locs) PUSH(*locs, nl, lcap, loc);
    } while (accept(p, TOK_COMMA));
    return expect(p, TOK_RPAREN);
}

/* Whether the '(' at token index i opens a SELECT (a subquery) rather than
 * an expression or a joined table: it does when SELECT follows, or when
 * another '(' follows whose group is followed by a set operation or a
 * clause of a select, or is itself the whole content and opens a SELECT. */
static bool parens_hold_select(Parser *p, int i)
{
    for (int steps = 0; steps < MAX_DEPTH && i + 1 < p->ntoks; steps++) {
        Token *t = &p->toks[i + 1];
        if (is_kw(t, KW_SELECT) || is_kw(t, KW_VALUES) || is_kw(t, KW_WITH) || is_kw(t, KW_TABLE)) return true;
        if (t->kind != TOK_LPAREN) return false;
        int m = p->match[i + 1];
        if (m < 0 || m + 1 >= p->ntoks) return false;
        Token *after = &p->toks[m + 1];
        if (after->kind == TOK_IDENT &&
            (after->kw == KW_UNION || after->kw == KW_INTERSECT || after->kw == KW_EXCEPT ||
             after->kw == KW_ORDER || after->kw == KW_LIMIT || after->kw == KW_OFFSET ||
             after->kw == KW_FETCH))
            return true;
        if (after->kind != TOK_RPAREN || p->match[i] != m + 1) return false;
        i = i + 1;
    }
    return false;
}

/* ---- literals ---- */

#define NUMERIC_DIGITS_MAX 38

/* A literal beyond the pair form of NUMERIC (more than 38 digits or
 * decimals: 1e100, 1.5e-50, 40 digits): a big NUMERIC (numbig.c), as
 * PostgreSQL's numeric holds it. */
static int make_big(Parser *p, const Token *t, bool neg, int loc, Expr **out)
{
    size_t n = (size_t)(t->end - t->start);
    char *buf = arena_alloc(p->a, n + 2);
    if (!buf) return dd_err(p->err, DD_ENOMEM, loc, NULL);
    buf[0] = '-';
    memcpy(buf + 1, p->sql + t->start, n);
    Expr *e = NULL;
    NEW_EXPR(e, EXPR_CONST, loc);
    int rc = numeric_parse(neg ? buf : buf + 1, neg ? n + 1 : n, p->a, &e->u.c.val, p->err);
    if (rc) {
        if (p->err->position == 0) p->err->position = loc + 1;
        return rc;
    }
    *out = e;
    return DD_OK;
}

/* A numeric literal token as a constant, negated when neg (a folded unary
 * minus).  Integers: INT4 if they fit, else INT8, else NUMERIC; anything
 * with '.' or an exponent: NUMERIC.  More than 38 significant digits or a
 * scale above NUMERIC_MAX_SCALE is 22003. */
static int make_number(Parser *p, const Token *t, bool neg, int loc, Expr **out)
{
    const char *s = p->sql + t->start;
    size_t n = (size_t)(t->end - t->start), i = 0;
    u128 coef = 0;
    int ndig = 0, nfrac = 0;
    bool seen_dot = false;
    for (; i < n; i++) {
        char c = s[i];
        if (c == '.') { seen_dot = true; continue; }
        if (c < '0' || c > '9') break;
        if (seen_dot) nfrac++;
        if (coef == 0 && c == '0') continue;      /* leading zeros are not significant */
        if (++ndig > NUMERIC_DIGITS_MAX) return make_big(p, t, neg, loc, out);
        coef = coef * 10 + (u128)(c - '0');
    }
    i64 exp = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        bool eneg = false;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
        for (; i < n; i++)
            if (exp < 100000) exp = exp * 10 + (s[i] - '0');
        if (eneg) exp = -exp;
    }
    Expr *e = NULL;
    NEW_EXPR(e, EXPR_CONST, loc);
    Value *v = &e->u.c.val;
    if (t->kind == TOK_INTEGER) {
        /* magnitude of INT64_MIN is 2^63 */
        if (coef <= (u128)INT64_MAX || (neg && coef == (u128)INT64_MAX + 1)) {
            i64 x = neg ? (i64)(0 - (u64)coef) : (i64)coef;
            v->type = (x >= INT32_MIN && x <= INT32_MAX) ? TYPE_INT4 : TYPE_INT8;
            v->v.i = x;
            *out = e;
            return DD_OK;
        }
    }
    i64 scale = (i64)nfrac - exp;
    if (scale < 0) {
        if (coef != 0) {
            if (ndig - scale > NUMERIC_DIGITS_MAX) return make_big(p, t, neg, loc, out);
            for (i64 k = 0; k < -scale; k++) coef *= 10;
        }
        scale = 0;
    }
    if (scale > NUMERIC_MAX_SCALE) return make_big(p, t, neg, loc, out);
    v->type = TYPE_NUMERIC;
    v->scale = (i16)scale;
    v->v.coef = neg ? -(i128)coef : (i128)coef;
    *out = e;
    return DD_OK;
}

static int make_string(Parser *p, const Token *t, Expr **out)
{
    Expr *e = NULL;
    NEW_EXPR(e, EXPR_CONST, t->start);
    e->u.c.val.type = TYPE_UNKNOWN;
    e->u.c.val.v.s.p = t->str;
    e->u.c.val.v.s.len = (u32)t->len;
    *out = e;
    return DD_OK;
}

/* type 'string': a typed literal, EXPR_CAST of an UNKNOWN constant.  The
 * type is already parsed into tn; the current token must be the string. */
static int make_typed_literal(Parser *p, const TypeName *tn, Expr **out)
{
    if (tok(p)->kind != TOK_STRING) return syntax_error(p);
    Expr *e = NULL, *arg = NULL;
    TRY(make_string(p, tok(p), &arg));
    advance(p);
    NEW_EXPR(e, EXPR_CAST, tn->loc);
    e->u.cast.arg = arg;
    e->u.cast.type = *tn;
    *out = e;
    return DD_OK;
}

/* ---- type names ---- */

/* '(' integer [, integer] ')' after a type name.  Returns the count. */
/* "(n [, m])"; signed: a modifier may be negative (numeric's, whose
 * modifiers PostgreSQL parses as expressions: numeric(10, -2)). */
static int parse_typmods_signed(Parser *p, i64 mods[2], int *n, bool signed_)
{
    *n = 0;
    TRY(expect(p, TOK_LPAREN));
    do {
        bool neg = signed_ && accept(p, TOK_MINUS);
        Token *t = tok(p);
        if (t->kind != TOK_INTEGER || *n == 2) return syntax_error(p);
        i64 v = 0;
        for (int i = t->start; i < t->end; i++) {
            v = v * 10 + (p->sql[i] - '0');
            if (v > INT32_MAX)
                return dd_err(p->err, DD_EINVALID_PARAM, t->start, "type modifier is out of range");
        }
        mods[(*n)++] = neg ? -v : v;
        advance(p);
    } while (accept(p, TOK_COMMA));
    return expect(p, TOK_RPAREN);
}

static int parse_typmods(Parser *p, i64 mods[2], int *n) { return parse_typmods_signed(p, mods, n, false); }

static int char_length_mod(Parser *p, TypeName *tn, const char *what)
{
    if (tok(p)->kind != TOK_LPAREN) return DD_OK;
    i64 m[2];
    int n, loc = tok(p)->start;
    TRY(parse_typmods(p, m, &n));
    if (n != 1) return syntax_error(p);
    if (m[0] < 1)
        return dd_err(p->err, DD_EINVALID_PARAM, loc, "length for type %s must be at least 1", what);
    tn->typmod = (i32)m[0];
    return DD_OK;
}

static int precision_mod(Parser *p, TypeName *tn)
{
    if (tok(p)->kind != TOK_LPAREN) return DD_OK;
    i64 m[2];
    int n;
    TRY(parse_typmods(p, m, &n));
    if (n != 1) return syntax_error(p);
    tn->typmod = (i32)m[0];
    return DD_OK;
}

/* An interval's fields (PostgreSQL's opt_interval): YEAR, MONTH, DAY,
 * HOUR, MINUTE, SECOND [(p)], YEAR TO MONTH, DAY TO HOUR | MINUTE |
 * SECOND [(p)], HOUR TO MINUTE | SECOND [(p)], MINUTE TO SECOND [(p)], as
 * the typmod value.h's interval_typmod makes; *typmod unchanged when the
 * next word is no field. */
static int interval_fields(Parser *p, i32 *typmod)
{
    static const char *const names[] = {"year", "month", "day", "hour", "minute", "second"};
    static const int masks[] = {4, 2, 8, 1024, 2048, 4096};
    int a = -1, b;
    for (int i = 0; i < 6 && a < 0; i++)
        if (is_name(tok(p), names[i])) a = i;
    if (a < 0) return DD_OK;
    advance(p);
    b = a;
    if (is_name(tok(p), "to")) {
        advance(p);
        b = -1;
        for (int i = 0; i < 6 && b < 0; i++)
            if (is_name(tok(p), names[i])) b = i;
        /* YEAR TO MONTH, or from DAY, HOUR or MINUTE to a later field */
        if (b <= a || (a == 0 && b != 1) || a == 1 || (a >= 2 && b < 3)) return syntax_error(p);
        advance(p);
    }
    int range = 0, prec = INTERVAL_FULL_PRECISION;
    for (int i = a; i <= b; i++) range |= masks[i];
    if (b == 5 && tok(p)->kind == TOK_LPAREN) {
        i64 m[2];
        int n;
        TRY(parse_typmods(p, m, &n));
        if (n != 1) return syntax_error(p);
        prec = (int)DD_MIN(m[0], 6);   /* PostgreSQL reduces a precision past 6 (with a warning) */
    }
    *typmod = interval_typmod(range, prec);
    return DD_OK;
}

/* [WITH | WITHOUT] TIME ZONE after time / timestamp. */
static int time_zone_suffix(Parser *p, TypeName *tn, const char *base)
{
    const char *suffix = NULL;
    if (is_kw(tok(p), KW_WITH) && is_kw(peek(p, 1), KW_TIME)) suffix = " with time zone";
    else if (is_kw(tok(p), KW_WITHOUT)) suffix = " without time zone";
    if (suffix) {
        advance(p);
        TRY(expect_kw(p, KW_TIME));
        TRY(expect_kw(p, KW_ZONE));
    }
    tn->name = arena_printf(p->a, "%s%s", base, suffix ? suffix : "");
    return tn->name ? DD_OK : nomem(p);
}

/*
 * A type name as written: lower case, multi-word names joined by one space
 * ("double precision", "character varying", "timestamp with time zone");
 * typmod per ast.h.  FLOAT(p) becomes "real" or "double precision" as in
 * PostgreSQL; DEC -> "decimal"; "pg_catalog." is dropped; the quoted
 * "char" is written with its quotes.  An array type is the element's name
 * with "[]" appended (any number of dimensions).
 */
static int parse_typename(Parser *p, TypeName *tn)
{
    Token *t = tok(p);
    tn->loc = t->start;
    tn->typmod = -1;
    tn->name = NULL;
    if (t->kind == TOK_IDENT && t->kw != KW_NONE) {
        int kw = t->kw;
        advance(p);
        switch (kw) {
        case KW_INT: case KW_INTEGER: case KW_SMALLINT: case KW_BIGINT:
        case KW_REAL: case KW_BOOLEAN:
            tn->name = dup_str(p, lex_keyword_text(kw));
            break;
        case KW_DOUBLE:
            TRY(expect_kw(p, KW_PRECISION));
            tn->name = dup_str(p, "double precision");
            break;
        case KW_FLOAT:
            tn->name = dup_str(p, "float");
            if (tok(p)->kind == TOK_LPAREN) {
                i64 m[2];
                int n, loc = tok(p)->start;
                TRY(parse_typmods(p, m, &n));
                if (n != 1) return syntax_error(p);
                if (m[0] < 1)
                    return dd_err(p->err, DD_EINVALID_PARAM, loc,
                                  "precision for type float must be at least 1 bit");
                if (m[0] > 53)
                    return dd_err(p->err, DD_EINVALID_PARAM, loc,
                                  "precision for type float must be less than 54 bits");
                tn->name = dup_str(p, m[0] <= 24 ? "real" : "double precision");
            }
            break;
        case KW_NUMERIC: case KW_DECIMAL: case KW_DEC:
            tn->name = dup_str(p, kw == KW_NUMERIC ? "numeric" : "decimal");
            if (tok(p)->kind == TOK_LPAREN) {
                i64 m[2];
                int n, loc = tok(p)->start;
                TRY(parse_typmods_signed(p, m, &n, true));
                if (m[0] < 1 || m[0] > 1000)
                    return dd_err(p->err, DD_EINVALID_PARAM, loc,
                                  "NUMERIC precision %lld must be between 1 and 1000",
                                  (long long)m[0]);
                /* PostgreSQL 15: any scale in -1000..1000, above the precision too */
                if (n == 2 && (m[1] < -1000 || m[1] > 1000))
                    return dd_err(p->err, DD_EINVALID_PARAM, loc,
                                  "NUMERIC scale %lld must be between -1000 and 1000", (long long)m[1]);
                tn->typmod = numeric_typmod((int)m[0], n == 2 ? (int)m[1] : 0);
            }
            break;
        case KW_NATIONAL:
            if (!accept_kw(p, KW_CHARACTER) && !accept_kw(p, KW_CHAR)) return syntax_error(p);
            /* fall through */
        case KW_CHARACTER: case KW_CHAR: case KW_NCHAR: {
            bool varying = accept_kw(p, KW_VARYING);
            const char *name = varying ? "character varying"
                             : kw == KW_CHAR ? "char" : "character";
            tn->name = dup_str(p, name);
            if (tn->name) TRY(char_length_mod(p, tn, varying ? "varchar" : "char"));
            /* char without a length is char(1), as PostgreSQL's grammar has
             * it; the type's own name bpchar has no length */
            if (!varying && tn->typmod < 0) tn->typmod = 1;
            break;
        }
        case KW_VARCHAR:
            tn->name = dup_str(p, "varchar");
            if (tn->name) TRY(char_length_mod(p, tn, "varchar"));
            break;
        case KW_BIT: {
            bool varying = accept_kw(p, KW_VARYING);
            tn->name = dup_str(p, varying ? "bit varying" : "bit");
            if (tn->name) TRY(char_length_mod(p, tn, "bit"));
            break;
        }
        case KW_TIMESTAMP: case KW_TIME:
            TRY(precision_mod(p, tn));
            TRY(time_zone_suffix(p, tn, kw == KW_TIME ? "time" : "timestamp"));
            break;
        case KW_INTERVAL:
            tn->name = dup_str(p, "interval");
            if (tok(p)->kind == TOK_LPAREN) {
                TRY(precision_mod(p, tn));
                tn->typmod = interval_typmod(INTERVAL_FULL_RANGE, DD_MIN(tn->typmod, 6));
                /* interval(p) hour: no fields after a precision */
                static const char *const fw[] = {"year", "month", "day", "hour", "minute", "second"};
                for (size_t i = 0; i < DD_ARRAY_LEN(fw); i++)
                    if (is_name(tok(p), fw[i])) return syntax_error(p);
            } else {
                TRY(interval_fields(p, &tn->typmod));
            }
            break;
        default:
            if (lex_keyword_category(kw) == KWC_UNRESERVED ||
                lex_keyword_category(kw) == KWC_TYPE_FUNC) {
                tn->name = t->str;
                break;
            }
            p->pos--;   /* back to the keyword for the error */
            return syntax_error(p);
        }
        if (!tn->name) return nomem(p);
    } else if (t->kind == TOK_IDENT || t->kind == TOK_QIDENT) {
        char *name = t->str;
        Token *last = t;
        advance(p);
        while (tok(p)->kind == TOK_DOT && is_label(peek(p, 1))) {
            advance(p);
            last = tok(p);
            name = arena_printf(p->a, "%s.%s", name, tok(p)->str);
            if (!name) return nomem(p);
            advance(p);
        }
        if (strncmp(name, "pg_catalog.", 11) == 0) name += 11;
        /* the quoted "char" is the one-byte type, not char(1) */
        if (last->kind == TOK_QIDENT && strcmp(last->str, "char") == 0 && strcmp(name, "char") == 0)
            name = "\"char\"";
        tn->name = name;
        if (tok(p)->kind == TOK_LPAREN) {
            i64 m[2];
            int n;
            TRY(parse_typmods(p, m, &n));
            tn->typmod = n == 1 ? (i32)m[0] : (i32)((m[0] << 16) | m[1]);
        }
    } else {
        return syntax_error(p);
    }
    /* T[], T[n][m], T ARRAY, T ARRAY[n]: the one array type "T[]" */
    bool array = false;
    if (accept_kw(p, KW_ARRAY)) {
        array = true;
        if (tok(p)->kind == TOK_LBRACKET) {
            advance(p);
            if (tok(p)->kind != TOK_INTEGER) return syntax_error(p);
            advance(p);
            TRY(expect(p, TOK_RBRACKET));
        }
    } else {
        while (tok(p)->kind == TOK_LBRACKET) {
            advance(p);
            if (tok(p)->kind == TOK_INTEGER) advance(p);
            TRY(expect(p, TOK_RBRACKET));
            array = true;
        }
    }
    if (array) {
        tn->name = arena_printf(p->a, "%s[]", tn->name);
        if (!tn->name) return nomem(p);
    }
    return DD_OK;
}

/* ---- expressions ---- */

/* Whether the type keyword at the current token starts a typed literal
 * (int '1', timestamp(3) with time zone '...', double precision '1'). */
static bool type_keyword_literal(Parser *p)
{
    Token *t = tok(p), *n = peek(p, 1);
    switch (t->kw) {
    case KW_DOUBLE:
        return is_kw(n, KW_PRECISION);
    case KW_INT: case KW_INTEGER: case KW_SMALLINT: case KW_BIGINT: case KW_REAL:
    case KW_BOOLEAN:
        return n->kind == TOK_STRING;
    case KW_FLOAT: case KW_NUMERIC: case KW_DECIMAL: case KW_DEC: case KW_VARCHAR:
    case KW_INTERVAL:
        return n->kind == TOK_STRING || n->kind == TOK_LPAREN;
    case KW_CHAR: case KW_CHARACTER: case KW_NCHAR: case KW_BIT:
        return n->kind == TOK_STRING || n->kind == TOK_LPAREN || is_kw(n, KW_VARYING);
    case KW_NATIONAL:
        return is_kw(n, KW_CHAR) || is_kw(n, KW_CHARACTER);
    case KW_TIME: case KW_TIMESTAMP:
        return n->kind == TOK_STRING || n->kind == TOK_LPAREN || is_kw(n, KW_WITHOUT) ||
               (is_kw(n, KW_WITH) && is_kw(peek(p, 2), KW_TIME));
    default:
        return false;
    }
}

static int parse_sort_list(Parser *p, SortItem ***out, int *n);

/* A frame bound: UNBOUNDED PRECEDING | UNBOUNDED FOLLOWING | CURRENT ROW
 * | expr PRECEDING | expr FOLLOWING. */
static int parse_frame_bound(Parser *p, int *kind, Expr **off)
{
    if (is_word(tok(p), "unbounded")) {
        advance(p);
        if (is_word(tok(p), "preceding")) *kind = BOUND_UNBOUNDED_PRECEDING;
        else if (is_word(tok(p), "following")) *kind = BOUND_UNBOUNDED_FOLLOWING;
        else return syntax_error(p);
        advance(p);
        return DD_OK;
    }
    if (is_word(tok(p), "current") && is_kw(peek(p, 1), KW_ROW)) {
        advance(p);
        advance(p);
        *kind = BOUND_CURRENT;
        return DD_OK;
    }
    TRY(parse_expr(p, P_ADD, off));
    if (is_word(tok(p), "preceding")) *kind = BOUND_PRECEDING;
    else if (is_word(tok(p), "following")) *kind = BOUND_FOLLOWING;
    else return syntax_error(p);
    advance(p);
    return DD_OK;
}

/* The inside of a window's parentheses: [name] [PARTITION BY ...]
 * [ORDER BY ...] [frame]; the current token follows '('. */
static int parse_window_spec(Parser *p, WindowDef *w)
{
    int cap = 0;
    w->start = BOUND_UNBOUNDED_PRECEDING;
    w->end = BOUND_CURRENT;
    Token *t = tok(p);
    if ((t->kind == TOK_IDENT || t->kind == TOK_QIDENT) && !is_word(t, "partition") && !is_kw(t, KW_ORDER) &&
        !is_kw(t, KW_ROWS) && !is_word(t, "range") && !is_word(t, "groups")) {
        w->refname = t->str;
        advance(p);
    }
    if (is_word(tok(p), "partition")) {
        advance(p);
        TRY(expect_kw(p, KW_BY));
        do {
            Expr *e = NULL;
            TRY(parse_expr(p, P_OR, &e));
            PUSH(w->partition, w->npartition, cap, e);
        } while (accept(p, TOK_COMMA));
    }
    if (is_kw(tok(p), KW_ORDER)) {
        advance(p);
        TRY(expect_kw(p, KW_BY));
        TRY(parse_sort_list(p, &w->order, &w->norder));
    }
    t = tok(p);
    if (is_kw(t, KW_ROWS) || is_word(t, "range") || is_word(t, "groups")) {
        w->frame = is_kw(t, KW_ROWS) ? FRAME_ROWS : is_word(t, "range") ? FRAME_RANGE : FRAME_GROUPS;
        advance(p);
        int floc = tok(p)->start;
        const char *bad = NULL;
        if (accept_kw(p, KW_BETWEEN)) {
            TRY(parse_frame_bound(p, &w->start, &w->start_off));
            TRY(expect_kw(p, KW_AND));
            TRY(parse_frame_bound(p, &w->end, &w->end_off));
            /* PostgreSQL's grammar checks the bounds against each other */
            if (w->start == BOUND_UNBOUNDED_FOLLOWING) bad = "frame start cannot be UNBOUNDED FOLLOWING";
            else if (w->end == BOUND_UNBOUNDED_PRECEDING) bad = "frame end cannot be UNBOUNDED PRECEDING";
            else if (w->start == BOUND_CURRENT && w->end == BOUND_PRECEDING)
                bad = "frame starting from current row cannot have preceding rows";
            else if (w->start == BOUND_FOLLOWING && (w->end == BOUND_PRECEDING || w->end == BOUND_CURRENT))
                bad = "frame starting from following row cannot have preceding rows";
        } else {
            TRY(parse_frame_bound(p, &w->start, &w->start_off));
            w->end = BOUND_CURRENT;
            if (w->start == BOUND_UNBOUNDED_FOLLOWING) bad = "frame start cannot be UNBOUNDED FOLLOWING";
            else if (w->start == BOUND_FOLLOWING) bad = "frame starting from following row cannot end with current row";
        }
        if (bad) return dd_err(p->err, DD_EWINDOWING, floc, "%s", bad);
        if (is_name(tok(p), "exclude")) {
            /* EXCLUDE CURRENT ROW | GROUP | TIES | NO OTHERS */
            advance(p);
            t = tok(p);
            if (is_name(t, "current") && is_kw(peek(p, 1), KW_ROW)) {
                advance(p);
                w->exclude = EXCLUDE_CURRENT_ROW;
            } else if (is_name(t, "group")) {
                w->exclude = EXCLUDE_GROUP;
            } else if (is_name(t, "ties")) {
                w->exclude = EXCLUDE_TIES;
            } else if (is_name(t, "no") && is_name(peek(p, 1), "others")) {
                advance(p);
                w->exclude = EXCLUDE_NONE;
            } else {
                return syntax_error(p);
            }
            advance(p);
        }
    }
    return DD_OK;
}

/* What may follow a call's ')': OVER (window), and what DriftDB does not
 * have yet. */
static int func_tail(Parser *p, Expr *f)
{
    Token *t = tok(p);
    if (is_word(t, "within") && is_kw(peek(p, 1), KW_GROUP)) {
        /* f(direct args) WITHIN GROUP (ORDER BY x): before FILTER and OVER */
        if (f->u.func.norder)
            return dd_err(p->err, DD_ESYNTAX, t->start, "cannot use multiple ORDER BY clauses with WITHIN GROUP");
        advance(p);
        advance(p);
        TRY(expect(p, TOK_LPAREN));
        TRY(expect_kw(p, KW_ORDER));
        TRY(expect_kw(p, KW_BY));
        TRY(parse_sort_list(p, &f->u.func.order, &f->u.func.norder));
        TRY(expect(p, TOK_RPAREN));
        f->u.func.within_group = true;
        t = tok(p);
    }
    if (is_word(t, "filter") && peek(p, 1)->kind == TOK_LPAREN) {
        advance(p);
        advance(p);
        TRY(expect_kw(p, KW_WHERE));
        TRY(parse_expr(p, P_OR, &f->u.func.filter));
        TRY(expect(p, TOK_RPAREN));
        t = tok(p);
    }
    if (is_word(t, "over")) {
        WindowDef *w = NULL;
        NEW(w);
        w->loc = t->start;
        advance(p);
        if (tok(p)->kind == TOK_LPAREN) {
            advance(p);
            TRY(parse_window_spec(p, w));
            TRY(expect(p, TOK_RPAREN));
        } else if (tok(p)->kind == TOK_IDENT || tok(p)->kind == TOK_QIDENT) {
            w->name = tok(p)->str;
            w->is_ref = true;
            advance(p);
        } else {
            return syntax_error(p);
        }
        f->u.func.over = w;
        return DD_OK;
    }
    return DD_OK;
}

/* Arguments of a function call, after its name; the current token is '('. */
static int parse_func_args(Parser *p, Expr *f)
{
    int cap = 0;
    advance(p);   /* ( */
    if (accept(p, TOK_RPAREN)) return func_tail(p, f);
    if (tok(p)->kind == TOK_STAR) {
        advance(p);
        f->u.func.star = true;
        TRY(expect(p, TOK_RPAREN));
        return func_tail(p, f);
    }
    if (accept_kw(p, KW_DISTINCT)) f->u.func.distinct = true;
    else accept_kw(p, KW_ALL);
    int capn = 0;
    do {
        Expr *arg = NULL;
        bool variadic = accept_kw(p, KW_VARIADIC);
        /* name => value, name := value: named notation */
        char *argname = NULL;
        Token *a1 = peek(p, 1);
        if ((tok(p)->kind == TOK_IDENT || tok(p)->kind == TOK_QIDENT) &&
            ((a1->kind == TOK_OP && strcmp(a1->str, "=>") == 0) ||
             (a1->kind == TOK_COLON && peek(p, 2)->kind == TOK_EQ && peek(p, 2)->start == a1->end))) {
            TRY(parse_colid(p, &argname, NULL));
            if (tok(p)->kind == TOK_COLON) advance(p);
            advance(p);
        } else if (f->u.func.argnames) {
            return dd_err(p->err, DD_ESYNTAX, tok(p)->start, "positional argument cannot follow named argument");
        }
        TRY(parse_expr(p, P_OR, &arg));
        if (argname && !f->u.func.argnames) {
            /* the names so far: none */
            capn = f->u.func.n + 8;
            f->u.func.argnames = arena_zalloc(p->a, sizeof(char *) * (size_t)capn);
            if (!f->u.func.argnames) return nomem(p);
        }
        if (f->u.func.argnames) {
            if (f->u.func.n >= capn) {
                char **nn = arena_zalloc(p->a, sizeof(char *) * (size_t)(capn * 2));
                if (!nn) return nomem(p);
                memcpy(nn, f->u.func.argnames, sizeof(char *) * (size_t)capn);
                f->u.func.argnames = nn;
                capn *= 2;
            }
            f->u.func.argnames[f->u.func.n] = argname;
        }
        PUSH(f->u.func.args, f->u.func.n, cap, arg);
        if (variadic) {   /* the last argument */
            f->u.func.variadic = true;
            break;
        }
    } while (accept(p, TOK_COMMA));
    if (accept_kw(p, KW_ORDER)) {
        TRY(expect_kw(p, KW_BY));
        TRY(parse_sort_list(p, &f->u.func.order, &f->u.func.norder));
    }
    TRY(expect(p, TOK_RPAREN));
    return func_tail(p, f);
}

static int make_func(Parser *p, char *name, int loc, Expr **out)
{
    Expr *f = NULL;
    NEW_EXPR(f, EXPR_FUNC, loc);
    f->u.func.name = name;
    *out = f;
    return DD_OK;
}

static int push_arg(Parser *p, Expr *f, int *cap, Expr *arg)
{
    PUSH(f->u.func.args, f->u.func.n, *cap, arg);
    return DD_OK;
}

/*
 * SQL's special call syntaxes, as PostgreSQL rewrites them:
 *   EXTRACT(field FROM x)             -> extract('field', x) (numeric, as PostgreSQL 14+)
 *   POSITION(a IN b)                  -> position(b, a) (strpos)
 *   SUBSTRING(x FROM a [FOR b])       -> substring(x, a [, b]); SUBSTRING(x FOR b) -> substring(x, 1, b)
 *                                        (FOR b FROM a too)
 *   SUBSTRING(x SIMILAR p ESCAPE e)   -> substring(x, p, e)
 *   TRIM([BOTH|LEADING|TRAILING] [c] FROM x) -> btrim/ltrim/rtrim(x [, c])
 *   OVERLAY(x PLACING r FROM a [FOR b]) -> overlay(x, r, a [, b])
 * The plain comma forms go through the ordinary call syntax.
 */
static int parse_special_func(Parser *p, Expr **out)
{
    Token *t0 = tok(p);
    int loc = t0->start, kw = t0->kw, cap = 0;
    bool comma_form = false;
    if (kw == KW_SUBSTRING || kw == KW_TRIM || kw == KW_OVERLAY) {
        /* SUBSTRING(x, a, b), TRIM(x) and OVERLAY(x, r, a) are ordinary calls */
        int depth = 0;
        comma_form = true;
        for (int i = p->pos + 1; i < p->ntoks; i++) {
            Token *t = &p->toks[i];
            if (t->kind == TOK_LPAREN) depth++;
            else if (t->kind == TOK_RPAREN) { if (--depth == 0) break; }
            else if (depth == 1 && (is_kw(t, KW_FROM) || is_kw(t, KW_FOR) || is_kw(t, KW_BOTH) ||
                                    is_kw(t, KW_LEADING) || is_kw(t, KW_TRAILING) ||
                                    is_kw(t, KW_SIMILAR) || is_kw(t, KW_PLACING))) { comma_form = false; break; }
        }
        if (comma_form) {
            TRY(make_func(p, dup_str(p, kw == KW_TRIM ? "btrim" : kw == KW_OVERLAY ? "overlay" : "substring"), loc, out));
            if (!(*out)->u.func.name) return nomem(p);
            advance(p);
            return parse_func_args(p, *out);
        }
    }
    advance(p);                 /* the name */
    TRY(expect(p, TOK_LPAREN));
    Expr *f = NULL;
    NEW_EXPR(f, EXPR_FUNC, loc);
    if (kw == KW_EXTRACT) {
        Token *ft = tok(p);
        Expr *field = NULL;
        if (ft->kind == TOK_STRING) TRY(make_string(p, ft, &field));
        else if (ft->kind == TOK_IDENT || ft->kind == TOK_QIDENT) {
            NEW_EXPR(field, EXPR_CONST, ft->start);
            field->u.c.val.type = TYPE_UNKNOWN;
            field->u.c.val.v.s.p = ft->str;
            field->u.c.val.v.s.len = (u32)strlen(ft->str);
        } else return syntax_error(p);
        advance(p);
        TRY(expect_kw(p, KW_FROM));
        Expr *x = NULL;
        TRY(parse_expr(p, P_OR, &x));
        f->u.func.name = dup_str(p, "extract");
        TRY(push_arg(p, f, &cap, field));
        TRY(push_arg(p, f, &cap, x));
    } else if (kw == KW_POSITION) {
        Expr *a = NULL, *b = NULL;
        TRY(parse_expr(p, P_ESCAPE, &a));
        TRY(expect_kw(p, KW_IN));
        TRY(parse_expr(p, P_OR, &b));
        f->u.func.name = dup_str(p, "position");
        TRY(push_arg(p, f, &cap, b));
        TRY(push_arg(p, f, &cap, a));
    } else if (kw == KW_SUBSTRING) {
        Expr *x = NULL, *from = NULL, *len = NULL;
        TRY(parse_expr(p, P_OR, &x));
        if (accept_kw(p, KW_SIMILAR)) {
            /* the SIMILAR TO form: pattern and escape take from's and len's places */
            TRY(parse_expr(p, P_OR, &from));
            TRY(expect_kw(p, KW_ESCAPE));
            TRY(parse_expr(p, P_OR, &len));
        } else if (accept_kw(p, KW_FOR)) {
            TRY(parse_expr(p, P_OR, &len));
            if (accept_kw(p, KW_FROM)) TRY(parse_expr(p, P_OR, &from));
        } else {
            if (accept_kw(p, KW_FROM)) TRY(parse_expr(p, P_OR, &from));
            if (accept_kw(p, KW_FOR)) TRY(parse_expr(p, P_OR, &len));
        }
        if (!from) {
            NEW_EXPR(from, EXPR_CONST, loc);
            from->u.c.val.type = TYPE_INT4;
            from->u.c.val.v.i = 1;
        }
        f->u.func.name = dup_str(p, "substring");
        TRY(push_arg(p, f, &cap, x));
        TRY(push_arg(p, f, &cap, from));
        if (len) TRY(push_arg(p, f, &cap, len));
    } else if (kw == KW_OVERLAY) {
        Expr *x = NULL, *r = NULL, *from = NULL, *len = NULL;
        TRY(parse_expr(p, P_OR, &x));
        TRY(expect_kw(p, KW_PLACING));
        TRY(parse_expr(p, P_OR, &r));
        TRY(expect_kw(p, KW_FROM));
        TRY(parse_expr(p, P_OR, &from));
        if (accept_kw(p, KW_FOR)) TRY(parse_expr(p, P_OR, &len));
        f->u.func.name = dup_str(p, "overlay");
        TRY(push_arg(p, f, &cap, x));
        TRY(push_arg(p, f, &cap, r));
        TRY(push_arg(p, f, &cap, from));
        if (len) TRY(push_arg(p, f, &cap, len));
    } else {   /* TRIM */
        const char *fn = "btrim";
        if (accept_kw(p, KW_LEADING)) fn = "ltrim";
        else if (accept_kw(p, KW_TRAILING)) fn = "rtrim";
        else accept_kw(p, KW_BOTH);
        Expr *chars = NULL, *x = NULL;
        if (!is_kw(tok(p), KW_FROM)) TRY(parse_expr(p, P_OR, &chars));
        if (accept_kw(p, KW_FROM)) TRY(parse_expr(p, P_OR, &x));
        else { x = chars; chars = NULL; }
        if (!x) return syntax_error(p);
        f->u.func.name = dup_str(p, fn);
        TRY(push_arg(p, f, &cap, x));
        if (chars) TRY(push_arg(p, f, &cap, chars));
    }
    if (!f->u.func.name) return nomem(p);
    TRY(expect(p, TOK_RPAREN));
    *out = f;
    return DD_OK;
}

/* A name in an expression: column reference, t.*, function call, or a
 * generic typed literal (date '2024-01-01').  The current token is a name. */
static int parse_name_expr(Parser *p, Expr **out)
{
    Token *t0 = tok(p);
    int loc = t0->start;
    Token *n1 = peek(p, 1);
    if (n1->kind == TOK_LPAREN && peek(p, 2)->kind == TOK_INTEGER && peek(p, 3)->kind == TOK_RPAREN &&
        peek(p, 4)->kind == TOK_STRING && (t0->kind == TOK_QIDENT || t0->kw == KW_NONE ||
                                           lex_keyword_category(t0->kw) == KWC_UNRESERVED)) {
        /* timestamptz(0) '...': a typed literal with a type modifier */
        TypeName tn;
        TRY(parse_typename(p, &tn));
        return make_typed_literal(p, &tn, out);
    }
    if (n1->kind == TOK_LPAREN) {
        if (is_kw(t0, KW_EXTRACT) || is_kw(t0, KW_POSITION) || is_kw(t0, KW_SUBSTRING) || is_kw(t0, KW_TRIM) ||
            is_kw(t0, KW_OVERLAY))
            return parse_special_func(p, out);
        if (!is_funcname(t0)) return syntax_error(p);
        TRY(make_func(p, t0->str, loc, out));
        advance(p);
        return parse_func_args(p, *out);
    }
    if (n1->kind == TOK_STRING && (t0->kind == TOK_QIDENT || t0->kw == KW_NONE ||
                                   lex_keyword_category(t0->kw) == KWC_UNRESERVED)) {
        TypeName tn = {t0->str, -1, loc};
        advance(p);
        return make_typed_literal(p, &tn, out);
    }
    if (!is_colid(t0)) return syntax_error(p);
    char *qual = NULL, *name = t0->str;
    advance(p);
    while (tok(p)->kind == TOK_DOT) {
        advance(p);
        if (tok(p)->kind == TOK_STAR) {
            advance(p);
            Expr *e = NULL;
            NEW_EXPR(e, EXPR_STAR, loc);
            e->u.col.qualifier = qual ? arena_printf(p->a, "%s.%s", qual, name) : name;
            if (!e->u.col.qualifier) return nomem(p);
            *out = e;
            return DD_OK;
        }
        if (!is_label(tok(p))) return syntax_error(p);
        qual = qual ? arena_printf(p->a, "%s.%s", qual, name) : name;
        if (!qual) return nomem(p);
        name = tok(p)->str;
        advance(p);
        if (tok(p)->kind == TOK_LPAREN) {
            char *fn = arena_printf(p->a, "%s.%s", qual, name);
            if (!fn) return nomem(p);
            TRY(make_func(p, fn, loc, out));
            return parse_func_args(p, *out);
        }
    }
    Expr *e = NULL;
    NEW_EXPR(e, EXPR_COLUMN, loc);
    e->u.col.qualifier = qual;
    e->u.col.name = name;
    *out = e;
    return DD_OK;
}

static int parse_case(Parser *p, Expr **out)
{
    Expr *e = NULL;
    int cap = 0, tcap = 0, nt = 0;
    NEW_EXPR(e, EXPR_CASE, tok(p)->start);
    advance(p);   /* CASE */
    if (!is_kw(tok(p), KW_WHEN)) TRY(parse_expr(p, P_OR, &e->u.case_.operand));
    TRY(expect_kw(p, KW_WHEN));
    do {
        Expr *w = NULL, *t = NULL;
        TRY(parse_expr(p, P_OR, &w));
        TRY(expect_kw(p, KW_THEN));
        TRY(parse_expr(p, P_OR, &t));
        PUSH(e->u.case_.when, e->u.case_.n, cap, w);
        PUSH(e->u.case_.then, nt, tcap, t);
    } while (accept_kw(p, KW_WHEN));
    if (accept_kw(p, KW_ELSE)) TRY(parse_expr(p, P_OR, &e->u.case_.else_));
    TRY(expect_kw(p, KW_END));
    *out = e;
    return DD_OK;
}

/* (SELECT ...) at the current '(' into a SelectStmt. */
static int parse_paren_select(Parser *p, SelectStmt **out)
{
    TRY(expect(p, TOK_LPAREN));
    TRY(parse_select(p, out));
    return expect(p, TOK_RPAREN);
}

/* [a, b, ...] of an ARRAY constructor (the current token is '['); an
 * element written [...] is a nested constructor (a sub-array). */
static int parse_array_brackets(Parser *p, int loc, Expr **out)
{
    Expr *e = NULL;
    int cap = 0;
    TRY(make_func(p, dup_str(p, "array"), loc, &e));
    if (!e->u.func.name) return nomem(p);
    e->u.func.special = FUNC_ARRAY;
    TRY(expect(p, TOK_LBRACKET));
    if (!accept(p, TOK_RBRACKET)) {
        do {
            Expr *x = NULL;
            if (tok(p)->kind == TOK_LBRACKET) {
                TRY(enter(p));
                TRY(parse_array_brackets(p, tok(p)->start, &x));
                p->depth--;
            } else {
                TRY(parse_expr(p, P_OR, &x));
            }
            TRY(push_arg(p, e, &cap, x));
        } while (accept(p, TOK_COMMA));
        TRY(expect(p, TOK_RBRACKET));
    }
    *out = e;
    return DD_OK;
}

static int parse_primary(Parser *p, Expr **out)
{
    Token *t = tok(p);
    Expr *e = NULL;
    switch (t->kind) {
    case TOK_INTEGER: case TOK_NUMBER:
        TRY(make_number(p, t, false, t->start, out));
        advance(p);
        return DD_OK;
    case TOK_STRING:
        TRY(make_string(p, t, out));
        advance(p);
        return DD_OK;
    case TOK_PARAM:
        if (t->ival > INT32_MAX)
            return dd_err(p->err, DD_ESYNTAX, t->start, "parameter number too large");
        NEW_EXPR(e, EXPR_PARAM, t->start);
        e->u.param.n = (int)t->ival;
        advance(p);
        *out = e;
        return DD_OK;
    case TOK_SEQ:
        NEW_EXPR(e, EXPR_SEQ, t->start);
        e->u.seq.n = t->ival;
        advance(p);
        *out = e;
        return DD_OK;
    case TOK_LPAREN:
        if (parens_hold_select(p, p->pos)) {
            NEW_EXPR(e, EXPR_SUBQUERY, t->start);
            TRY(parse_paren_select(p, &e->u.sub.select));
            *out = e;
            return DD_OK;
        }
        advance(p);
        TRY(parse_expr(p, P_OR, out));
        if (tok(p)->kind == TOK_COMMA) {
            /* (a, b, ...): a row value, expanded where it is compared */
            Expr *row = NULL;
            int cap = 0;
            TRY(make_func(p, dup_str(p, "row"), t->start, &row));
            if (!row->u.func.name) return nomem(p);
            TRY(push_arg(p, row, &cap, *out));
            while (accept(p, TOK_COMMA)) {
                Expr *x = NULL;
                TRY(parse_expr(p, P_OR, &x));
                TRY(push_arg(p, row, &cap, x));
            }
            *out = row;
        }
        TRY(expect(p, TOK_RPAREN));
        while (tok(p)->kind == TOK_DOT && (is_label(peek(p, 1)) || peek(p, 1)->kind == TOK_STAR)) {
            /* (record).field, (record).*: the function "$field" of the
             * record and the field's name ("*": every field) */
            Expr *fe = NULL, *name = NULL;
            int cap = 0;
            advance(p);
            Token *ft = tok(p);
            TRY(make_func(p, dup_str(p, "$field"), ft->start, &fe));
            NEW_EXPR(name, EXPR_CONST, ft->start);
            const char *fname = ft->kind == TOK_STAR ? "*" : ft->str;
            name->u.c.val = val_text(TYPE_TEXT, fname, (u32)strlen(fname));
            advance(p);
            TRY(push_arg(p, fe, &cap, *out));
            TRY(push_arg(p, fe, &cap, name));
            *out = fe;
        }
        return DD_OK;
    case TOK_IDENT:
        break;
    case TOK_QIDENT:
        return parse_name_expr(p, out);
    default:
        return syntax_error(p);
    }

    /* keywords and plain identifiers */
    switch (t->kw) {
    case KW_NONE:
        return parse_name_expr(p, out);
    case KW_TRUE: case KW_FALSE:
        NEW_EXPR(e, EXPR_CONST, t->start);
        e->u.c.val.type = TYPE_BOOL;
        e->u.c.val.v.b = t->kw == KW_TRUE;
        advance(p);
        *out = e;
        return DD_OK;
    case KW_NULL:
        NEW_EXPR(e, EXPR_CONST, t->start);
        e->u.c.val.type = TYPE_NULLTYPE;
        e->u.c.val.isnull = true;
        advance(p);
        *out = e;
        return DD_OK;
    case KW_CASE:
        return parse_case(p, out);
    case KW_ARRAY:
        if (peek(p, 1)->kind == TOK_LBRACKET) {
            advance(p);
            return parse_array_brackets(p, t->start, out);
        }
        if (peek(p, 1)->kind == TOK_LPAREN && parens_hold_select(p, p->pos + 1)) {
            Expr *sub = NULL;
            TRY(make_func(p, dup_str(p, "array"), t->start, &e));
            if (!e->u.func.name) return nomem(p);
            e->u.func.special = FUNC_ARRAY_QUERY;
            advance(p);
            NEW_EXPR(sub, EXPR_SUBQUERY, tok(p)->start);
            TRY(parse_paren_select(p, &sub->u.sub.select));
            int cap = 0;
            TRY(push_arg(p, e, &cap, sub));
            *out = e;
            return DD_OK;
        }
        break;
    case KW_CAST:
        NEW_EXPR(e, EXPR_CAST, t->start);
        advance(p);
        TRY(expect(p, TOK_LPAREN));
        TRY(parse_expr(p, P_OR, &e->u.cast.arg));
        TRY(expect_kw(p, KW_AS));
        TRY(parse_typename(p, &e->u.cast.type));
        TRY(expect(p, TOK_RPAREN));
        *out = e;
        return DD_OK;
    case KW_EXISTS:
        if (peek(p, 1)->kind != TOK_LPAREN) break;
        NEW_EXPR(e, EXPR_EXISTS, t->start);
        advance(p);
        if (!parens_hold_select(p, p->pos)) {
            advance(p);
            return syntax_error(p);
        }
        TRY(parse_paren_select(p, &e->u.sub.select));
        *out = e;
        return DD_OK;
    case KW_CURRENT_TIMESTAMP: case KW_CURRENT_TIME: case KW_LOCALTIMESTAMP:
    case KW_LOCALTIME: case KW_CURRENT_DATE: case KW_CURRENT_USER: case KW_SESSION_USER:
    case KW_USER: case KW_CURRENT_ROLE: case KW_CURRENT_CATALOG: case KW_CURRENT_SCHEMA:
    case KW_SYSTEM_USER: {
        int kw = t->kw;
        TRY(make_func(p, t->str, t->start, &e));
        advance(p);
        if (tok(p)->kind == TOK_LPAREN &&
            (kw == KW_CURRENT_TIMESTAMP || kw == KW_CURRENT_TIME || kw == KW_LOCALTIMESTAMP ||
             kw == KW_LOCALTIME || kw == KW_CURRENT_SCHEMA)) {
            if (kw != KW_CURRENT_SCHEMA) {
                /* current_timestamp(3), localtime(0): the value cast to
                 * its type with that precision (the column keeps the
                 * function's name) */
                i64 m[2];
                int nm;
                TRY(parse_typmods(p, m, &nm));
                if (nm != 1) return syntax_error(p);
                Expr *c = NULL;
                NEW_EXPR(c, EXPR_CAST, e->loc);
                c->u.cast.arg = e;
                c->u.cast.type.name = dup_str(p, kw == KW_CURRENT_TIMESTAMP ? "timestamp with time zone"
                                                 : kw == KW_CURRENT_TIME    ? "time with time zone"
                                                 : kw == KW_LOCALTIMESTAMP  ? "timestamp" : "time");
                if (!c->u.cast.type.name) return nomem(p);
                c->u.cast.type.typmod = (i32)m[0];
                c->u.cast.type.loc = e->loc;
                *out = c;
                return DD_OK;
            }
            advance(p);
            if (tok(p)->kind != TOK_RPAREN) {
                /* current_schema(x): an argument, so the analyzer reports
                 * that it takes none */
                Expr *arg = NULL;
                if (tok(p)->kind != TOK_INTEGER) return syntax_error(p);
                TRY(make_number(p, tok(p), false, tok(p)->start, &arg));
                advance(p);
                e->u.func.args = arena_alloc(p->a, sizeof(Expr *));
                if (!e->u.func.args) return nomem(p);
                e->u.func.args[0] = arg;
                e->u.func.n = 1;
            }
            TRY(expect(p, TOK_RPAREN));
        }
        *out = e;
        return DD_OK;
    }
    default:
        break;
    }
    if (type_keyword_literal(p)) {
        TypeName tn;
        TRY(parse_typename(p, &tn));
        TRY(make_typed_literal(p, &tn, out));
        /* interval '1' day: the fields after the string (not after
         * interval(p) '...', as PostgreSQL's grammar has it) */
        if (!strcmp(tn.name, "interval") && tn.typmod < 0) TRY(interval_fields(p, &(*out)->u.cast.type.typmod));
        return DD_OK;
    }
    if (is_colid(t) || (is_funcname(t) && peek(p, 1)->kind == TOK_LPAREN))
        return parse_name_expr(p, out);
    return syntax_error(p);
}

static int parse_prefix(Parser *p, Expr **out)
{
    Token *t = tok(p);
    Expr *e = NULL;
    if (is_kw(t, KW_NOT)) {
        NEW_EXPR(e, EXPR_UNARY, t->start);
        e->u.unary.op = UOP_NOT;
        advance(p);
        TRY(parse_expr(p, P_NOT, &e->u.unary.arg));
        *out = e;
        return DD_OK;
    }
    if (t->kind == TOK_MINUS || t->kind == TOK_PLUS) {
        Token *n = peek(p, 1);
        TokKind after = peek(p, 2)->kind;
        if (t->kind == TOK_MINUS && (n->kind == TOK_INTEGER || n->kind == TOK_NUMBER) &&
            after != TOK_TYPECAST && after != TOK_LBRACKET) {
            /* fold -literal into the constant, as PostgreSQL does */
            TRY(make_number(p, n, true, t->start, out));
            advance(p);
            advance(p);
            return DD_OK;
        }
        NEW_EXPR(e, EXPR_UNARY, t->start);
        e->u.unary.op = t->kind == TOK_MINUS ? UOP_NEG : UOP_PLUS;
        advance(p);
        TRY(parse_expr(p, P_UMINUS, &e->u.unary.arg));
        *out = e;
        return DD_OK;
    }
    if (t->kind == TOK_OP && !strcmp(t->str, "~")) {
        /* ~ x: bitwise NOT, binding as PostgreSQL's other prefix operators */
        NEW_EXPR(e, EXPR_UNARY, t->start);
        e->u.unary.op = UOP_BITNOT;
        advance(p);
        TRY(parse_expr(p, P_ADD, &e->u.unary.arg));
        *out = e;
        return DD_OK;
    }
    if (t->kind == TOK_OP && (!strcmp(t->str, "|/") || !strcmp(t->str, "||/") || !strcmp(t->str, "@"))) {
        /* PostgreSQL's prefix operators: |/ square root and ||/ cube root
         * (of double precision), @ absolute value */
        bool root = t->str[0] == '|';
        const char *fn = !strcmp(t->str, "|/") ? "sqrt" : !strcmp(t->str, "||/") ? "cbrt" : "abs";
        int cap = 0;
        TRY(make_func(p, dup_str(p, fn), t->start, &e));
        if (!e->u.func.name) return nomem(p);
        e->u.func.op_syntax = true;
        advance(p);
        Expr *arg = NULL;
        TRY(parse_expr(p, P_ADD, &arg));   /* as PostgreSQL: a prefix operator binds looser than + - * / ^ */
        if (root) {
            Expr *c = NULL;
            NEW_EXPR(c, EXPR_CAST, arg->loc);
            c->u.cast.arg = arg;
            c->u.cast.type.name = dup_str(p, "double precision");
            c->u.cast.type.typmod = -1;
            c->u.cast.type.loc = arg->loc;
            arg = c;
        }
        TRY(push_arg(p, e, &cap, arg));
        *out = e;
        return DD_OK;
    }
    return parse_primary(p, out);
}

/* COLLATE name: the collations that are DriftDB's own text order (byte by
 * byte, which is code point order in UTF-8) are accepted, as no change;
 * the current token is COLLATE. */
static int parse_collate(Parser *p)
{
    advance(p);
    Token *n = tok(p);
    if (n->kind != TOK_IDENT && n->kind != TOK_QIDENT) return syntax_error(p);
    if (strcmp(n->str, "pg_catalog") == 0 && peek(p, 1)->kind == TOK_DOT) {   /* pg_catalog.default */
        advance(p);
        advance(p);
        n = tok(p);
        if (n->kind != TOK_IDENT && n->kind != TOK_QIDENT) return syntax_error(p);
    }
    static const char *const ours[] = {"C", "POSIX", "default", "ucs_basic", "C.UTF-8", "C.utf8", "pg_c_utf8"};
    for (size_t i = 0; i < DD_ARRAY_LEN(ours); i++)
        if (strcmp(n->str, ours[i]) == 0) {   /* case-sensitive, as collation names */
            advance(p);
            return DD_OK;
        }
    /* DriftDB has no other collation */
    return dd_err(p->err, DD_EUNDEFINED_OBJECT, n->start, "collation \"%s\" for encoding \"UTF8\" does not exist", n->str);
}

/* Precedence of the infix or postfix operator at the current token, 0 if
 * the token does not continue an expression. */
static int infix_prec(Parser *p)
{
    Token *t = tok(p);
    switch (t->kind) {
    case TOK_EQ: case TOK_NE: case TOK_LT: case TOK_LE: case TOK_GT: case TOK_GE:
        return P_CMP;
    case TOK_CONCAT: return P_OP;
    case TOK_OP: return t->str[0] && strchr("~!@#^&|`?+-*/%<>=", t->str[0]) ? P_OP : 0;
    case TOK_PLUS: case TOK_MINUS: return P_ADD;
    case TOK_STAR: case TOK_SLASH: case TOK_PERCENT: return P_MUL;
    case TOK_CARET: return P_EXP;
    case TOK_TYPECAST: return P_CAST;
    case TOK_LBRACKET: return P_SUBSCRIPT;
    case TOK_IDENT: break;
    default: return 0;
    }
    if (is_name(t, "overlaps")) return P_IN;
    switch (t->kw) {
    case KW_OR: return P_OR;
    case KW_AND: return P_AND;
    case KW_IS: case KW_ISNULL: case KW_NOTNULL: return P_IS;
    case KW_IN: case KW_LIKE: case KW_ILIKE: case KW_BETWEEN: return P_IN;
    case KW_SIMILAR: return is_kw(peek(p, 1), KW_TO) ? P_IN : 0;
    case KW_NOT: {
        Token *n = peek(p, 1);
        return (is_kw(n, KW_IN) || is_kw(n, KW_LIKE) || is_kw(n, KW_ILIKE) || is_kw(n, KW_BETWEEN) ||
                (is_kw(n, KW_SIMILAR) && is_kw(peek(p, 2), KW_TO))) ? P_IN : 0;
    }
    case KW_AT: return is_kw(peek(p, 1), KW_TIME) ? P_AT : 0;
    case KW_COLLATE: return P_COLLATE;
    default: return 0;
    }
}

static bool prec_nonassoc(int prec) { return prec == P_IS || prec == P_CMP || prec == P_IN; }

/* IN (list) / IN (SELECT ...) after IN. */
/* ---- row values ---- */

static bool is_row(const Expr *e)
{
    return e && e->kind == EXPR_FUNC && e->u.func.special == FUNC_PLAIN && strcmp(e->u.func.name, "row") == 0 &&
           !e->u.func.over && !e->u.func.star;
}

static int make_binary(Parser *p, BinaryOp op, Expr *l, Expr *r, int oploc, Expr **out)
{
    Expr *e = NULL;
    NEW_EXPR(e, EXPR_BINARY, l->loc);
    e->oploc = oploc;
    e->u.bin.op = op;
    e->u.bin.l = l;
    e->u.bin.r = r;
    *out = e;
    return DD_OK;
}

/* (a1, ..., an) op (b1, ..., bn), as SQL compares rows: = and <> column by
 * column, < <= > >= in order (the first pair that differs decides; a NULL
 * there makes it unknown), as AND / OR of the columns' comparisons. */
static int row_compare(Parser *p, BinaryOp op, Expr *l, Expr *r, int oploc, Expr **out)
{
    if (!is_row(l) || !is_row(r)) {
        if (is_row(l) || is_row(r))
            return dd_err(p->err, DD_EUNDEFINED_OPERATOR, oploc, "operator does not exist: %s %s %s",
                          is_row(l) ? "record" : "unknown", op == BOP_EQ ? "=" : op == BOP_NE ? "<>" : op == BOP_LT ? "<"
                          : op == BOP_LE ? "<=" : op == BOP_GT ? ">" : ">=", is_row(r) ? "record" : "unknown");
        return DD_OK;
    }
    int n = l->u.func.n;
    if (r->u.func.n != n) return dd_err(p->err, DD_ESYNTAX, oploc, "unequal number of entries in row expressions");
    Expr *acc = NULL;
    if (op == BOP_EQ || op == BOP_NE) {
        for (int i = 0; i < n; i++) {
            Expr *c = NULL;
            TRY(make_binary(p, op, l->u.func.args[i], r->u.func.args[i], oploc, &c));
            if (acc) TRY(make_binary(p, op == BOP_EQ ? BOP_AND : BOP_OR, acc, c, oploc, &acc));
            else acc = c;
        }
    } else {
        BinaryOp strict = op == BOP_LT || op == BOP_LE ? BOP_LT : BOP_GT;
        TRY(make_binary(p, op, l->u.func.args[n - 1], r->u.func.args[n - 1], oploc, &acc));
        for (int i = n - 2; i >= 0; i--) {
            Expr *lt = NULL, *eq = NULL, *both = NULL;
            TRY(make_binary(p, strict, l->u.func.args[i], r->u.func.args[i], oploc, &lt));
            TRY(make_binary(p, BOP_EQ, l->u.func.args[i], r->u.func.args[i], oploc, &eq));
            TRY(make_binary(p, BOP_AND, eq, acc, oploc, &both));
            TRY(make_binary(p, BOP_OR, lt, both, oploc, &acc));
        }
    }
    *out = acc;
    return DD_OK;
}

/* (a, b) [NOT] IN ((1, 2), (3, 4)): OR of the rows' equalities. */
static int row_in(Parser *p, Expr *in, Expr **out)
{
    if (!is_row(in->u.in.arg) || in->u.in.subquery) return DD_OK;   /* (a, b) IN (SELECT ...): compiled as one */
    Expr *acc = NULL;
    for (int i = 0; i < in->u.in.n; i++) {
        Expr *c = NULL;
        TRY(row_compare(p, BOP_EQ, in->u.in.arg, in->u.in.list[i], in->loc, &c));
        if (!c) return dd_err(p->err, DD_EUNDEFINED_OPERATOR, in->u.in.list[i]->loc, "operator does not exist: record = unknown");
        if (acc) TRY(make_binary(p, BOP_OR, acc, c, in->loc, &acc));
        else acc = c;
    }
    if (in->u.in.negated) {
        Expr *e = NULL;
        NEW_EXPR(e, EXPR_UNARY, in->loc);
        e->u.unary.op = UOP_NOT;
        e->u.unary.arg = acc;
        acc = e;
    }
    *out = acc;
    return DD_OK;
}

static int parse_in(Parser *p, Expr *e)
{
    int cap = 0;
    if (tok(p)->kind != TOK_LPAREN) return syntax_error(p);
    if (parens_hold_select(p, p->pos)) {
        Expr *sub = NULL;
        NEW_EXPR(sub, EXPR_SUBQUERY, peek(p, 1)->start);
        TRY(parse_paren_select(p, &sub->u.sub.select));
        PUSH(e->u.in.list, e->u.in.n, cap, sub);
        e->u.in.subquery = true;
        return DD_OK;
    }
    advance(p);
    do {
        Expr *x = NULL;
        TRY(parse_expr(p, P_OR, &x));
        PUSH(e->u.in.list, e->u.in.n, cap, x);
    } while (accept(p, TOK_COMMA));
    return expect(p, TOK_RPAREN);
}

/* The subscripts [i], [lo:hi], [lo:], [:hi], [:] after l (the current
 * token is '['), as a `special` call over l and the bounds (ast.h). */
static int parse_subscripts(Parser *p, Expr *l, FuncSpecial special, int oploc, Expr **out)
{
    Expr *e = NULL;
    int cap = 0;
    Buf shape = BUF_INIT;
    TRY(make_func(p, dup_str(p, special == FUNC_SUBSCRIPT ? "[]" : "[]="), l->loc, &e));
    if (!e->u.func.name) return nomem(p);
    e->u.func.special = (u8)special;
    e->oploc = oploc;
    TRY(push_arg(p, e, &cap, l));
    int rc = DD_OK;
    while (!rc && tok(p)->kind == TOK_LBRACKET) {
        advance(p);
        Expr *lo = NULL, *hi = NULL;
        if (tok(p)->kind != TOK_COLON) rc = parse_expr(p, P_OR, &lo);
        if (!rc && accept(p, TOK_COLON)) {
            if (tok(p)->kind != TOK_RBRACKET) rc = parse_expr(p, P_OR, &hi);
            buf_putc(&shape, lo && hi ? 's' : lo ? 'l' : hi ? 'u' : 'a');
        } else if (!rc) {
            buf_putc(&shape, 'i');
        }
        if (!rc && lo) rc = push_arg(p, e, &cap, lo);
        if (!rc && hi) rc = push_arg(p, e, &cap, hi);
        if (!rc) rc = expect(p, TOK_RBRACKET);
    }
    if (!rc && !buf_ok(&shape)) rc = nomem(p);
    if (!rc) {
        e->u.func.slices = arena_strndup(p->a, buf_ok(&shape) && shape.len ? (const char *)shape.data : "", shape.len);
        if (!e->u.func.slices) rc = nomem(p);
    }
    buf_free(&shape);
    if (rc) return rc;
    *out = e;
    return DD_OK;
}

/* Builds the node for the operator at the current token (of precedence
 * prec) with left operand l. */
static int parse_infix(Parser *p, int prec, Expr *l, Expr **out)
{
    Token *t = tok(p);
    int oploc = t->start;
    Expr *e = NULL;
    if (t->kind == TOK_TYPECAST) {
        NEW_EXPR(e, EXPR_CAST, l->loc);
        e->oploc = oploc;
        advance(p);
        e->u.cast.arg = l;
        TRY(parse_typename(p, &e->u.cast.type));
        *out = e;
        return DD_OK;
    }
    if (t->kind == TOK_LBRACKET) {
        /* subscripts and slices: x[i], x[lo:hi], x[:hi], x[lo:], x[:], any number */
        TRY(parse_subscripts(p, l, FUNC_SUBSCRIPT, oploc, &e));
        *out = e;
        return DD_OK;
    }
    if (t->kind == TOK_OP && (!strcmp(t->str, "@>") || !strcmp(t->str, "<@") || !strcmp(t->str, "&&"))) {
        NEW_EXPR(e, EXPR_BINARY, l->loc);
        e->oploc = oploc;
        e->u.bin.op = t->str[0] == '@' ? BOP_CONTAINS : t->str[0] == '<' ? BOP_CONTAINED : BOP_OVERLAP;
        e->u.bin.l = l;
        advance(p);
        TRY(parse_expr(p, prec + 1, &e->u.bin.r));
        *out = e;
        return DD_OK;
    }
    if (t->kind == TOK_OP) {
        /* the json and bitwise operators: compiled as calls by their symbol */
        /* (@> and <@ are BOP_CONTAINS / BOP_CONTAINED above: arrays' and jsonb's) */
        static const char *const json_ops[] = {"->", "->>", "#>", "#>>", "?", "?|", "?&", "#-", "@?", "@@",
                                               "&", "|", "#", "<<", ">>", "^@"};
        for (size_t k = 0; k < DD_ARRAY_LEN(json_ops); k++) {
            if (strcmp(t->str, json_ops[k]) != 0) continue;
            NEW_EXPR(e, EXPR_BINARY, l->loc);
            e->oploc = oploc;
            e->u.bin.op = BOP_OTHER;
            e->u.bin.opname = json_ops[k];
            e->u.bin.l = l;
            advance(p);
            TRY(parse_expr(p, prec + 1, &e->u.bin.r));
            *out = e;
            return DD_OK;
        }
        /* ~~ and ~ with their ! (negated) and * (case-insensitive) forms */
        const char *op = t->str;
        bool neg = op[0] == '!';
        size_t n = strlen(op + neg);
        bool icase = n > 1 && op[neg + n - 1] == '*';
        size_t tildes = n - icase;
        if ((tildes != 1 && tildes != 2) || strspn(op + neg, "~") != tildes)
            return dd_err(p->err, DD_EUNDEFINED_OPERATOR, oploc,
                          "operator does not exist: %s", t->str);
        advance(p);
        if (at_any(p))
            return parse_any(p, l, (u8)((tildes == 1 ? ANY_MATCH_REGEX : ANY_MATCH_LIKE) |
                                              (neg ? ANY_MATCH_NOT : 0) | (icase ? ANY_MATCH_ICASE : 0)),
                             0, oploc, out);
        NEW_EXPR(e, EXPR_LIKE, l->loc);
        e->oploc = oploc;
        e->u.like.how = tildes == 1 ? MATCH_REGEX : MATCH_LIKE;
        e->u.like.negated = neg;
        e->u.like.icase = icase;
        e->u.like.arg = l;
        TRY(parse_expr(p, P_OP + 1, &e->u.like.pattern));
        *out = e;
        return DD_OK;
    }
    if (t->kind != TOK_IDENT) {
        BinaryOp op;
        switch (t->kind) {
        case TOK_EQ: op = BOP_EQ; break;
        case TOK_NE: op = BOP_NE; break;
        case TOK_LT: op = BOP_LT; break;
        case TOK_LE: op = BOP_LE; break;
        case TOK_GT: op = BOP_GT; break;
        case TOK_GE: op = BOP_GE; break;
        case TOK_CONCAT: op = BOP_CONCAT; break;
        case TOK_PLUS: op = BOP_ADD; break;
        case TOK_MINUS: op = BOP_SUB; break;
        case TOK_STAR: op = BOP_MUL; break;
        case TOK_SLASH: op = BOP_DIV; break;
        case TOK_PERCENT: op = BOP_MOD; break;
        default: op = BOP_POW; break;   /* TOK_CARET */
        }
        NEW_EXPR(e, EXPR_BINARY, l->loc);
        e->oploc = oploc;
        e->u.bin.op = op;
        e->u.bin.l = l;
        advance(p);
        {
            Token *q = tok(p);
            if ((is_kw(q, KW_ANY) || is_kw(q, KW_ALL) || is_kw(q, KW_SOME)) && peek(p, 1)->kind == TOK_LPAREN) {
                bool is_cmp = op == BOP_EQ || op == BOP_NE || op == BOP_LT || op == BOP_LE || op == BOP_GT ||
                              op == BOP_GE;
                bool all = is_kw(q, KW_ALL);
                if (!parens_hold_select(p, p->pos + 1)) {
                    /* x op ANY | ALL (array) */
                    if (!is_cmp)
                        return dd_err(p->err, DD_EWRONG_OBJECT_TYPE, oploc,
                                      "op ANY/ALL (array) requires operator to yield boolean");
                    return parse_any(p, l, 0, (int)op, oploc, out);
                }
                if (!is_cmp) return not_supported(p, q->start, "this operator with ANY / ALL");
                advance(p);
                Expr *in = NULL;
                NEW_EXPR(in, EXPR_IN, l->loc);
                in->oploc = oploc;
                in->u.in.arg = l;
                TRY(parse_in(p, in));
                if (op == BOP_EQ && !all) {
                    /* = ANY is IN */
                } else if (op == BOP_NE && all) {
                    in->u.in.negated = true;   /* <> ALL is NOT IN */
                } else {
                    in->u.in.cmp = (int)op;
                    in->u.in.all = all;
                }
                *out = in;
                return DD_OK;
            }
        }
        TRY(parse_expr(p, prec + 1, &e->u.bin.r));
        *out = e;
        if (op >= BOP_EQ && op <= BOP_GE) TRY(row_compare(p, op, e->u.bin.l, e->u.bin.r, oploc, out));
        return DD_OK;
    }
    if (is_name(t, "overlaps")) {
        /* (s1, e1) OVERLAPS (s2, e2) is overlaps(s1, e1, s2, e2) */
        Expr *r = NULL;
        int cap = 0;
        if (!is_row(l)) return syntax_error(p);
        advance(p);
        TRY(parse_expr(p, P_IN + 1, &r));
        if (l->u.func.n != 2)
            return dd_err(p->err, DD_ESYNTAX, l->loc, "wrong number of parameters on left side of OVERLAPS expression");
        if (!is_row(r) || r->u.func.n != 2)
            return dd_err(p->err, DD_ESYNTAX, r->loc, "wrong number of parameters on right side of OVERLAPS expression");
        TRY(make_func(p, dup_str(p, "pg_catalog.overlaps"), l->loc, &e));
        if (!e->u.func.name) return nomem(p);
        for (int i = 0; i < 2; i++) TRY(push_arg(p, e, &cap, l->u.func.args[i]));
        for (int i = 0; i < 2; i++) TRY(push_arg(p, e, &cap, r->u.func.args[i]));
        *out = e;
        return DD_OK;
    }
    switch (t->kw) {
    case KW_AND: case KW_OR:
        NEW_EXPR(e, EXPR_BINARY, l->loc);
        e->oploc = oploc;
        e->u.bin.op = t->kw == KW_AND ? BOP_AND : BOP_OR;
        e->u.bin.l = l;
        advance(p);
        TRY(parse_expr(p, prec + 1, &e->u.bin.r));
        *out = e;
        return DD_OK;
    case KW_ISNULL: case KW_NOTNULL:
        NEW_EXPR(e, EXPR_IS, l->loc);
        e->oploc = oploc;
        e->u.is.what = IS_NULL;
        e->u.is.negated = t->kw == KW_NOTNULL;
        e->u.is.arg = l;
        advance(p);
        *out = e;
        return DD_OK;
    case KW_IS:
        NEW_EXPR(e, EXPR_IS, l->loc);
        e->oploc = oploc;
        e->u.is.arg = l;
        advance(p);
        e->u.is.negated = accept_kw(p, KW_NOT);
        if (accept_kw(p, KW_NULL)) e->u.is.what = IS_NULL;
        else if (accept_kw(p, KW_TRUE)) e->u.is.what = IS_TRUE;
        else if (accept_kw(p, KW_FALSE)) e->u.is.what = IS_FALSE;
        else if (accept_kw(p, KW_UNKNOWN)) e->u.is.what = IS_UNKNOWN;
        else if (accept_kw(p, KW_DISTINCT)) {
            TRY(expect_kw(p, KW_FROM));
            e->u.is.what = IS_DISTINCT_FROM;
            TRY(parse_expr(p, P_IS + 1, &e->u.is.other));
        } else {
            return syntax_error(p);
        }
        *out = e;
        return DD_OK;
    case KW_AT: {
        /* x AT TIME ZONE z is timezone(z, x), as in PostgreSQL */
        Expr *z = NULL;
        int cap = 0;
        advance(p);
        TRY(expect_kw(p, KW_TIME));
        TRY(expect_kw(p, KW_ZONE));
        TRY(parse_expr(p, P_AT + 1, &z));
        TRY(make_func(p, dup_str(p, "pg_catalog.timezone"), l->loc, &e));
        if (!e->u.func.name) return nomem(p);
        e->oploc = oploc;
        TRY(push_arg(p, e, &cap, z));
        TRY(push_arg(p, e, &cap, l));
        *out = e;
        return DD_OK;
    }
    case KW_COLLATE:
        TRY(parse_collate(p));
        *out = l;
        return DD_OK;
    default:
        break;
    }
    /* [NOT] IN | BETWEEN | LIKE | ILIKE | SIMILAR TO */
    bool negated = accept_kw(p, KW_NOT);
    t = tok(p);
    switch (t->kw) {
    case KW_IN:
        NEW_EXPR(e, EXPR_IN, l->loc);
        e->u.in.arg = l;
        e->u.in.negated = negated;
        advance(p);
        TRY(parse_in(p, e));
        TRY(row_in(p, e, &e));
        break;
    case KW_BETWEEN:
        NEW_EXPR(e, EXPR_BETWEEN, l->loc);
        e->u.between.arg = l;
        e->u.between.negated = negated;
        advance(p);
        if (accept_kw(p, KW_SYMMETRIC)) e->u.between.symmetric = true;
        else accept_kw(p, KW_ASYMMETRIC);
        TRY(parse_expr(p, P_IN + 1, &e->u.between.lo));
        TRY(expect_kw(p, KW_AND));
        TRY(parse_expr(p, P_IN + 1, &e->u.between.hi));
        break;
    default:   /* LIKE, ILIKE, SIMILAR TO */
        if ((t->kw == KW_LIKE || t->kw == KW_ILIKE) && p->pos + 1 < p->ntoks) {
            Token *q = peek(p, 1);
            if ((is_kw(q, KW_ANY) || is_kw(q, KW_ALL) || is_kw(q, KW_SOME)) && peek(p, 2)->kind == TOK_LPAREN) {
                advance(p);
                return parse_any(p, l, (u8)(ANY_MATCH_LIKE | (negated ? ANY_MATCH_NOT : 0) |
                                                  (t->kw == KW_ILIKE ? ANY_MATCH_ICASE : 0)), 0, oploc, out);
            }
        }
        NEW_EXPR(e, EXPR_LIKE, l->loc);
        e->u.like.how = t->kw == KW_SIMILAR ? MATCH_SIMILAR : MATCH_LIKE;
        e->u.like.arg = l;
        e->u.like.negated = negated;
        e->u.like.icase = t->kw == KW_ILIKE;
        advance(p);
        if (e->u.like.how == MATCH_SIMILAR) advance(p);   /* TO */
        TRY(parse_expr(p, P_IN + 1, &e->u.like.pattern));
        if (accept_kw(p, KW_ESCAPE)) TRY(parse_expr(p, P_IN + 1, &e->u.like.escape));
        break;
    }
    e->oploc = oploc;
    *out = e;
    return DD_OK;
}

/* x op ANY | SOME | ALL (array), at the ANY: a FUNC_ANY of comparison
 * cmp, or of the pattern operator func.match says (ANY_MATCH_*), whose
 * subquery becomes ARRAY(subquery), the same elements in the same
 * three-valued test. */
static int parse_any(Parser *p, Expr *l, u8 match, int cmp, int oploc, Expr **out)
{
    Expr *e = NULL, *arr = NULL;
    int cap = 0;
    bool all = is_kw(tok(p), KW_ALL);
    TRY(make_func(p, dup_str(p, "any"), l->loc, &e));
    if (!e->u.func.name) return nomem(p);
    e->u.func.special = FUNC_ANY;
    e->u.func.all = all;
    e->u.func.match = match;
    e->u.func.cmp = cmp;
    e->oploc = oploc;
    advance(p);
    if (match && parens_hold_select(p, p->pos)) {
        Expr *sub = NULL;
        int acap = 0;
        TRY(make_func(p, dup_str(p, "array"), tok(p)->start, &arr));
        if (!arr->u.func.name) return nomem(p);
        arr->u.func.special = FUNC_ARRAY_QUERY;
        arr->u.func.match = match;   /* of ANY: IN's error for its columns */
        NEW_EXPR(sub, EXPR_SUBQUERY, tok(p)->start);
        TRY(parse_paren_select(p, &sub->u.sub.select));
        TRY(push_arg(p, arr, &acap, sub));
    } else {
        TRY(expect(p, TOK_LPAREN));
        TRY(parse_expr(p, P_OR, &arr));
        TRY(expect(p, TOK_RPAREN));
    }
    TRY(push_arg(p, e, &cap, l));
    TRY(push_arg(p, e, &cap, arr));
    *out = e;
    return DD_OK;
}

/* Whether ANY | SOME | ALL ( follows: the operator before it takes an array or a subquery. */
static bool at_any(Parser *p)
{
    Token *q = tok(p);
    return (is_kw(q, KW_ANY) || is_kw(q, KW_ALL) || is_kw(q, KW_SOME)) && peek(p, 1)->kind == TOK_LPAREN;
}

/* An expression of precedence >= minp. */
/* Every level of the tree counts toward MAX_HEIGHT, the nesting of
 * parse_expr and each operator a loop below adds on the left, so that the
 * recursive walks over the tree (analysis, compilation) stay bounded. */
static int grow_height(Parser *p)
{
    if (++p->height > MAX_HEIGHT)
        return dd_err(p->err, DD_ESTACK_DEPTH, tok(p)->start, "stack depth limit exceeded");
    return DD_OK;
}

static int parse_expr(Parser *p, int minp, Expr **out)
{
    Expr *l = NULL;
    int h0 = p->height;
    TRY(enter(p));
    TRY(grow_height(p));
    TRY(parse_prefix(p, &l));
    int last = P_NONE;
    for (;;) {
        int prec = infix_prec(p);
        if (prec == P_NONE || prec < minp) break;
        if (prec == last && prec_nonassoc(prec)) return syntax_error(p);
        TRY(grow_height(p));
        TRY(parse_infix(p, prec, l, &l));
        last = prec;
    }
    p->depth--;
    p->height = h0;
    *out = l;
    return DD_OK;
}

/* ---- SELECT ---- */

static bool ends_target_list(const Token *t)
{
    if (t->kind == TOK_SEMI || t->kind == TOK_EOF || t->kind == TOK_RPAREN) return true;
    if (t->kind != TOK_IDENT) return false;
    switch (t->kw) {
    case KW_FROM: case KW_WHERE: case KW_GROUP: case KW_HAVING: case KW_ORDER:
    case KW_LIMIT: case KW_OFFSET: case KW_FETCH: case KW_UNION: case KW_INTERSECT:
    case KW_EXCEPT: case KW_FOR: case KW_WINDOW:
        return true;
    default:
        return false;
    }
}

static int parse_target(Parser *p, ResTarget **out)
{
    ResTarget *rt = NULL;
    NEW(rt);
    Token *t = tok(p);
    rt->loc = t->start;
    if (t->kind == TOK_STAR) {
        NEW_EXPR(rt->expr, EXPR_STAR, t->start);
        advance(p);
        *out = rt;
        return DD_OK;
    }
    TRY(parse_expr(p, P_OR, &rt->expr));
    t = tok(p);
    if (accept_kw(p, KW_AS)) {
        if (!is_label(tok(p))) return syntax_error(p);
        rt->alias = tok(p)->str;
        advance(p);
    } else if (is_colid(t)) {
        rt->alias = t->str;
        advance(p);
    }
    *out = rt;
    return DD_OK;
}

/* [AS] alias after a table reference.  no_bare_set: UPDATE t SET. */
static int parse_alias(Parser *p, char **alias, bool no_bare_set)
{
    if (accept_kw(p, KW_AS)) {
        if (!is_colid(tok(p))) return syntax_error(p);
        *alias = tok(p)->str;
        advance(p);
    } else if (is_colid(tok(p)) && !(no_bare_set && is_kw(tok(p), KW_SET))) {
        *alias = tok(p)->str;
        advance(p);
    }
    return DD_OK;
}

/* A function's column definition list: (name type, ...). */
static int parse_coldef_list(Parser *p, TableRef *r)
{
    int cap = 0, tcap = 0, nt = 0;
    TRY(expect(p, TOK_LPAREN));
    do {
        char *name = NULL;
        TypeName tn;
        TRY(parse_colid(p, &name, NULL));
        TRY(parse_typename(p, &tn));
        PUSH(r->col_aliases, r->ncol_aliases, cap, name);
        PUSH(r->col_types, nt, tcap, tn);
    } while (accept(p, TOK_COMMA));
    return expect(p, TOK_RPAREN);
}

/* [AS] alias [(col, ...)] after a FROM item; a function's AS [alias]
 * (col type, ...). */
static int parse_from_alias(Parser *p, TableRef *r)
{
    if (r->kind == TREF_FUNCTION && is_kw(tok(p), KW_AS) && peek(p, 1)->kind == TOK_LPAREN) {
        advance(p);
        return parse_coldef_list(p, r);
    }
    TRY(parse_alias(p, &r->alias, false));
    if (r->alias && tok(p)->kind == TOK_LPAREN) {
        if (r->kind == TREF_JOIN)
            return not_supported(p, tok(p)->start, "a column alias list on a join");
        /* (name type, ...) when a type follows the first name */
        Token *t2 = peek(p, 2);
        if (r->kind == TREF_FUNCTION && t2->kind != TOK_COMMA && t2->kind != TOK_RPAREN)
            return parse_coldef_list(p, r);
        TRY(parse_name_list(p, &r->col_aliases, NULL, &r->ncol_aliases));
    }
    return DD_OK;
}

/* FOR SYSTEM_TIME ...; the current token is FOR. */
static int parse_temporal(Parser *p, TemporalClause *tc)
{
    tc->loc = tok(p)->start;
    advance(p);   /* FOR */
    advance(p);   /* SYSTEM_TIME */
    if (accept_kw(p, KW_AS)) {
        TRY(expect_kw(p, KW_OF));
        tc->kind = TEMPORAL_AS_OF;
        return parse_expr(p, P_OR, &tc->a);
    }
    if (accept_kw(p, KW_FROM)) {
        tc->kind = TEMPORAL_FROM_TO;
        TRY(parse_expr(p, P_OR, &tc->a));
        TRY(expect_kw(p, KW_TO));
        return parse_expr(p, P_OR, &tc->b);
    }
    if (accept_kw(p, KW_BETWEEN)) {
        tc->kind = TEMPORAL_BETWEEN;
        accept_kw(p, KW_ASYMMETRIC);
        TRY(parse_expr(p, P_NOT, &tc->a));
        TRY(expect_kw(p, KW_AND));
        return parse_expr(p, P_NOT, &tc->b);
    }
    if (is_word(tok(p), "contained")) {
        advance(p);
        TRY(expect_kw(p, KW_IN));
        tc->kind = TEMPORAL_CONTAINED_IN;
        TRY(expect(p, TOK_LPAREN));
        TRY(parse_expr(p, P_OR, &tc->a));
        TRY(expect(p, TOK_COMMA));
        TRY(parse_expr(p, P_OR, &tc->b));
        return expect(p, TOK_RPAREN);
    }
    if (accept_kw(p, KW_ALL)) {
        tc->kind = TEMPORAL_ALL;
        return DD_OK;
    }
    return syntax_error(p);
}

static int parse_tablesample(Parser *p, TableRef *r, TableRef **out);
static int parse_role(Parser *p, char **out);
static int parse_create_role(Parser *p, Stmt *st);
static int parse_alter_role(Parser *p, Stmt *st);
static int parse_drop_role(Parser *p, Stmt *st);
static int parse_grant_role(Parser *p, Stmt *st);
static int parse_grant_privileges(Parser *p, RoleStmt *r, bool grant, int at);
static int parse_owned(Parser *p, Stmt *st);
static int parse_var_name(Parser *p, char **out);
static int parse_var_list(Parser *p, char **out);
static int parse_search_path(Parser *p, char **out);

static int parse_table_primary(Parser *p, TableRef **out)
{
    TableRef *r = NULL;
    Token *t = tok(p);
    if (t->kind == TOK_LPAREN) {
        if (parens_hold_select(p, p->pos)) {
            NEW(r);
            r->kind = TREF_SUBQUERY;
            r->loc = t->start;
            TRY(parse_paren_select(p, &r->select));
        } else {
            advance(p);
            TRY(parse_table_ref(p, &r));
            TRY(expect(p, TOK_RPAREN));
        }
        TRY(parse_from_alias(p, r));
        *out = r;
        return DD_OK;
    }
    if (is_kw(t, KW_LATERAL)) {
        /* LATERAL (subquery) [alias] | LATERAL f(args) ...: may read the
         * FROM items before it */
        advance(p);
        Token *n = tok(p);
        bool sub = n->kind == TOK_LPAREN && parens_hold_select(p, p->pos);
        bool fn = n->kind == TOK_IDENT && peek(p, 1)->kind == TOK_LPAREN;
        if (!sub && !fn) return syntax_error(p);
        TRY(parse_table_primary(p, &r));
        r->lateral = true;
        *out = r;
        return DD_OK;
    }
    if (is_kw(t, KW_ONLY)) advance(p);   /* no inheritance: ONLY t is t */
    NEW(r);
    r->kind = TREF_TABLE;
    TRY(parse_qualified_name(p, &r->name, &r->loc));
    if (tok(p)->kind == TOK_LPAREN) {
        /* a set-returning function: f(args) [WITH ORDINALITY] [alias] */
        r->kind = TREF_FUNCTION;
        TRY(make_func(p, r->name, r->loc, &r->func));
        TRY(parse_func_args(p, r->func));
        if (r->func->u.func.over) return syntax_error(p);
        if (is_kw(tok(p), KW_WITH) && is_word(peek(p, 1), "ordinality")) {
            advance(p);
            advance(p);
            r->ordinality = true;
        }
        TRY(parse_from_alias(p, r));
        *out = r;
        return DD_OK;
    }
    if (is_kw(tok(p), KW_FOR) && is_word(peek(p, 1), "system_time"))
        TRY(parse_temporal(p, &r->temporal));
    TRY(parse_from_alias(p, r));
    if (is_kw(tok(p), KW_TABLESAMPLE)) return parse_tablesample(p, r, out);
    *out = r;
    return DD_OK;
}

/* t [AS a] TABLESAMPLE {SYSTEM | BERNOULLI} (percent) [REPEATABLE (seed)]
 * (at TABLESAMPLE): the derived table (SELECT * FROM t WHERE
 * "$tablesample"(percent, [seed,] t)) AS a, each row kept with that
 * chance (a row-level sample for both methods; with a seed, the choice is
 * a hash of the seed and the row, so the same rows each time for the same
 * table contents, whatever else the query filters). */
static int parse_tablesample(Parser *p, TableRef *r, TableRef **out)
{
    int loc = tok(p)->start;
    advance(p);   /* TABLESAMPLE */
    Token *m = tok(p);
    if (!is_label(m)) return syntax_error(p);
    if (strcmp(m->str, "system") != 0 && strcmp(m->str, "bernoulli") != 0)
        return dd_err(p->err, DD_EUNDEFINED_OBJECT, m->start, "tablesample method %s does not exist", m->str);
    advance(p);
    Expr *call = NULL, *pct = NULL, *seed = NULL;
    int cap = 0;
    TRY(make_func(p, dup_str(p, "$tablesample"), loc, &call));
    if (!call->u.func.name) return nomem(p);
    TRY(expect(p, TOK_LPAREN));
    TRY(parse_expr(p, P_OR, &pct));
    if (tok(p)->kind == TOK_COMMA)
        return dd_err(p->err, DD_ETABLESAMPLE_ARG, tok(p)->start, "tablesample method %s requires 1 argument, not 2", m->str);
    TRY(expect(p, TOK_RPAREN));
    TRY(push_arg(p, call, &cap, pct));
    if (is_kw(tok(p), KW_REPEATABLE)) {
        advance(p);
        TRY(expect(p, TOK_LPAREN));
        TRY(parse_expr(p, P_OR, &seed));
        TRY(expect(p, TOK_RPAREN));
        TRY(push_arg(p, call, &cap, seed));
    }
    /* the row itself, so that a seed draws the same for the same row
     * whatever else filters the table */
    Expr *whole = NULL;
    NEW_EXPR(whole, EXPR_COLUMN, loc);
    {
        const char *dot = strrchr(r->name, '.');
        whole->u.col.name = dot ? dup_str(p, dot + 1) : r->name;
        if (!whole->u.col.name) return nomem(p);
    }
    TRY(push_arg(p, call, &cap, whole));
    SelectStmt *sel = NULL;
    ResTarget *star = NULL;
    TableRef *sub = NULL, *inner = NULL;
    Expr *all = NULL;
    int tcap = 0, fcap = 0;
    NEW(sel);
    NEW(star);
    NEW(sub);
    NEW(inner);
    NEW_EXPR(all, EXPR_STAR, loc);
    *inner = *r;   /* the table (and its FOR SYSTEM_TIME), unaliased inside */
    inner->alias = NULL;
    inner->col_aliases = NULL;
    inner->ncol_aliases = 0;
    star->expr = all;
    sel->loc = loc;
    PUSH(sel->targets, sel->ntargets, tcap, star);
    PUSH(sel->from, sel->nfrom, fcap, inner);
    sel->where = call;
    sub->kind = TREF_SUBQUERY;
    sub->loc = r->loc;
    sub->select = sel;
    sub->alias = r->alias;
    if (!sub->alias) {
        const char *dot = strrchr(r->name, '.');
        sub->alias = dot ? dup_str(p, dot + 1) : r->name;
        if (!sub->alias) return nomem(p);
    }
    sub->col_aliases = r->col_aliases;
    sub->ncol_aliases = r->ncol_aliases;
    *out = sub;
    return DD_OK;
}

/* A FROM item: a primary followed by any number of joins (left-assoc). */
static int parse_table_ref(Parser *p, TableRef **out)
{
    TableRef *left = NULL;
    TRY(enter(p));
    TRY(parse_table_primary(p, &left));
    for (;;) {
        Token *t = tok(p);
        JoinType jt;
        bool natural = false;
        if (is_kw(t, KW_NATURAL)) {
            advance(p);
            natural = true;
            t = tok(p);
            if (is_kw(t, KW_CROSS)) return syntax_error(p);
        }
        if (is_kw(t, KW_CROSS)) { advance(p); jt = JOIN_CROSS; }
        else if (is_kw(t, KW_JOIN)) jt = JOIN_INNER;
        else if (is_kw(t, KW_INNER)) { advance(p); jt = JOIN_INNER; }
        else if (is_kw(t, KW_LEFT)) { advance(p); accept_kw(p, KW_OUTER); jt = JOIN_LEFT; }
        else if (is_kw(t, KW_RIGHT)) { advance(p); accept_kw(p, KW_OUTER); jt = JOIN_RIGHT; }
        else if (is_kw(t, KW_FULL)) { advance(p); accept_kw(p, KW_OUTER); jt = JOIN_FULL; }
        else if (natural) return syntax_error(p);
        else break;
        TRY(expect_kw(p, KW_JOIN));
        TableRef *j = NULL;
        NEW(j);
        j->kind = TREF_JOIN;
        j->loc = left->loc;
        j->join = jt;
        j->left = left;
        j->natural = natural;
        TRY(parse_table_primary(p, &j->right));
        if (jt != JOIN_CROSS && !natural) {
            if (accept_kw(p, KW_ON)) {
                TRY(parse_expr(p, P_OR, &j->on));
            } else if (accept_kw(p, KW_USING)) {
                TRY(parse_name_list(p, &j->using_cols, NULL, &j->nusing));
                if (accept_kw(p, KW_AS)) {   /* PostgreSQL 14's join alias of the USING columns */
                    Token *a = tok(p);
                    if (!is_label(a)) return syntax_error(p);
                    j->using_alias = a->str;
                    advance(p);
                }
            } else {
                return syntax_error(p);
            }
        }
        left = j;
    }
    p->depth--;
    *out = left;
    return DD_OK;
}

/* ---- GROUP BY with grouping sets ---- */

/* A list of grouping sets, each a mask over SelectStmt.group_by. */
typedef struct GSets { u64 *v; int n, cap; } GSets;

#define GSETS_MAX 4096   /* PostgreSQL's limit on grouping sets */

static int gsets_push(Parser *p, GSets *g, u64 m)
{
    if (g->n >= GSETS_MAX)
        return dd_err(p->err, DD_EPROGRAM_LIMIT, tok(p)->start, "too many grouping sets present (maximum %d)", GSETS_MAX);
    PUSH(g->v, g->n, g->cap, m);
    return DD_OK;
}

/* One grouping expression: its bit (a new entry of s->group_by). */
static int gset_expr(Parser *p, SelectStmt *s, int *cap, u64 *bit)
{
    if (s->ngroup >= 64)
        return dd_err(p->err, DD_EPROGRAM_LIMIT, tok(p)->start,
                      "too many grouping expressions with ROLLUP, CUBE or GROUPING SETS (at most 64)");
    Expr *e = NULL;
    TRY(parse_expr(p, P_OR, &e));
    PUSH(s->group_by, s->ngroup, *cap, e);
    *bit = 1ULL << (s->ngroup - 1);
    return DD_OK;
}

/* Whether the '(' at the parser's position opens a list of grouping
 * expressions (`(a, b)`, `()`), not a parenthesized expression. */
static bool gset_paren_list(Parser *p)
{
    if (tok(p)->kind != TOK_LPAREN || p->match[p->pos] < 0) return false;
    int close = p->match[p->pos];
    TokKind after = p->toks[close + 1].kind;
    return after == TOK_COMMA || after == TOK_RPAREN;
}

/* A unit of ROLLUP / CUBE / GROUPING SETS: an expression or a
 * parenthesized list of them (one mask). */
static int gset_unit(Parser *p, SelectStmt *s, int *cap, u64 *mask)
{
    *mask = 0;
    if (gset_paren_list(p)) {
        advance(p);
        if (accept(p, TOK_RPAREN)) return DD_OK;
        do {
            u64 bit;
            TRY(gset_expr(p, s, cap, &bit));
            *mask |= bit;
        } while (accept(p, TOK_COMMA));
        return expect(p, TOK_RPAREN);
    }
    return gset_expr(p, s, cap, mask);
}

/* One GROUP BY element: its grouping sets into out. */
static int gset_elem(Parser *p, SelectStmt *s, int *cap, GSets *out, bool *special)
{
    Token *t = tok(p);
    bool rollup = is_name(t, "rollup") && peek(p, 1)->kind == TOK_LPAREN;
    bool cube = is_name(t, "cube") && peek(p, 1)->kind == TOK_LPAREN;
    if (rollup || cube) {
        *special = true;
        advance(p);
        advance(p);
        u64 units[64];
        int n = 0;
        do {
            if (n == 64) return dd_err(p->err, DD_EPROGRAM_LIMIT, tok(p)->start, "too many elements in ROLLUP or CUBE");
            TRY(gset_unit(p, s, cap, &units[n]));
            n++;
        } while (accept(p, TOK_COMMA));
        TRY(expect(p, TOK_RPAREN));
        if (rollup) {
            for (int k = n; k >= 0; k--) {
                u64 m = 0;
                for (int i = 0; i < k; i++) m |= units[i];
                TRY(gsets_push(p, out, m));
            }
            return DD_OK;
        }
        if (n > 12) return dd_err(p->err, DD_EPROGRAM_LIMIT, t->start, "CUBE is limited to 12 elements");
        for (u32 sub = 0; sub < (1u << n); sub++) {
            /* PostgreSQL's order: the full set first */
            u32 bits = ((1u << n) - 1) & ~sub;
            u64 m = 0;
            for (int i = 0; i < n; i++)
                if (bits & (1u << i)) m |= units[i];
            TRY(gsets_push(p, out, m));
        }
        return DD_OK;
    }
    if (is_name(t, "grouping") && is_name(peek(p, 1), "sets") && peek(p, 2)->kind == TOK_LPAREN) {
        *special = true;
        advance(p);
        advance(p);
        advance(p);
        do {
            Token *u = tok(p);
            if ((is_name(u, "rollup") || is_name(u, "cube")) && peek(p, 1)->kind == TOK_LPAREN) {
                TRY(gset_elem(p, s, cap, out, special));
            } else if (is_name(u, "grouping") && is_name(peek(p, 1), "sets")) {
                TRY(gset_elem(p, s, cap, out, special));
            } else {
                u64 m;
                TRY(gset_unit(p, s, cap, &m));
                TRY(gsets_push(p, out, m));
            }
        } while (accept(p, TOK_COMMA));
        return expect(p, TOK_RPAREN);
    }
    if (t->kind == TOK_LPAREN && peek(p, 1)->kind == TOK_RPAREN) {
        /* () : the empty grouping set */
        *special = true;
        advance(p);
        advance(p);
        return gsets_push(p, out, 0);
    }
    u64 bit;
    TRY(gset_expr(p, s, cap, &bit));
    return gsets_push(p, out, bit);
}

/* GROUP BY elements: expressions, ROLLUP (...), CUBE (...), GROUPING SETS
 * (...) and (); with any of the latter, s->gsets lists the grouping sets
 * (the cross product of the elements' sets) as masks over s->group_by. */
static int parse_group_by(Parser *p, SelectStmt *s)
{
    int cap = 0;
    bool special = false;
    GSets acc = {NULL, 0, 0};
    TRY(gsets_push(p, &acc, 0));
    do {
        GSets el = {NULL, 0, 0};
        TRY(gset_elem(p, s, &cap, &el, &special));
        GSets nx = {NULL, 0, 0};
        for (int i = 0; i < acc.n; i++)
            for (int j = 0; j < el.n; j++) TRY(gsets_push(p, &nx, acc.v[i] | el.v[j]));
        acc = nx;
    } while (accept(p, TOK_COMMA));
    if (special) {
        s->gsets = acc.v;
        s->ngsets = acc.n;
    }
    return DD_OK;
}

/* FROM's (or UPDATE's FROM, DELETE's USING) comma-separated items. */
static int parse_from_list(Parser *p, TableRef ***out, int *n)
{
    int cap = 0;
    do {
        TableRef *r = NULL;
        TRY(parse_table_ref(p, &r));
        PUSH(*out, *n, cap, r);
    } while (accept(p, TOK_COMMA));
    return DD_OK;
}

static int parse_select_core(Parser *p, SelectStmt **out)
{
    SelectStmt *s = NULL;
    int cap;
    NEW(s);
    s->loc = tok(p)->start;
    TRY(expect_kw(p, KW_SELECT));
    if (accept_kw(p, KW_DISTINCT)) {
        if (accept_kw(p, KW_ON)) {
            int dcap = 0;
            TRY(expect(p, TOK_LPAREN));
            do {
                Expr *e = NULL;
                TRY(parse_expr(p, P_OR, &e));
                PUSH(s->distinct_on, s->ndistinct_on, dcap, e);
            } while (accept(p, TOK_COMMA));
            TRY(expect(p, TOK_RPAREN));
        } else {
            s->distinct = true;
        }
    } else {
        accept_kw(p, KW_ALL);
    }
    if (!ends_target_list(tok(p))) {
        cap = 0;
        do {
            ResTarget *rt = NULL;
            TRY(parse_target(p, &rt));
            PUSH(s->targets, s->ntargets, cap, rt);
        } while (accept(p, TOK_COMMA));
    }
    if (is_kw(tok(p), KW_INTO)) return not_supported(p, tok(p)->start, "SELECT INTO");
    if (accept_kw(p, KW_FROM)) TRY(parse_from_list(p, &s->from, &s->nfrom));
    if (accept_kw(p, KW_WHERE)) TRY(parse_expr(p, P_OR, &s->where));
    if (accept_kw(p, KW_GROUP)) {
        TRY(expect_kw(p, KW_BY));
        TRY(parse_group_by(p, s));
    }
    if (accept_kw(p, KW_HAVING)) TRY(parse_expr(p, P_OR, &s->having));
    if (accept_kw(p, KW_WINDOW)) {
        int wcap = 0;
        do {
            WindowDef *w = NULL;
            NEW(w);
            w->loc = tok(p)->start;
            if (!is_colid(tok(p))) return syntax_error(p);
            w->name = tok(p)->str;
            advance(p);
            TRY(expect_kw(p, KW_AS));
            TRY(expect(p, TOK_LPAREN));
            TRY(parse_window_spec(p, w));
            TRY(expect(p, TOK_RPAREN));
            PUSH(s->windows, s->nwindows, wcap, w);
        } while (accept(p, TOK_COMMA));
    }
    *out = s;
    return DD_OK;
}

static bool has_tail(const SelectStmt *s)
{
    return s->norder || s->limit || s->offset || s->next;
}

/* SELECT * FROM (inner): keeps a parenthesized member's own clauses apart. */
static int wrap_select(Parser *p, SelectStmt *inner, SelectStmt **out)
{
    SelectStmt *s = NULL;
    ResTarget *rt = NULL;
    TableRef *r = NULL;
    NEW(s);
    NEW(rt);
    NEW(r);
    s->loc = inner->loc;
    NEW_EXPR(rt->expr, EXPR_STAR, -1);
    rt->loc = -1;
    r->kind = TREF_SUBQUERY;
    r->loc = -1;
    r->select = inner;
    s->targets = arena_alloc(p->a, sizeof *s->targets);
    s->from = arena_alloc(p->a, sizeof *s->from);
    if (!s->targets || !s->from) return nomem(p);
    s->targets[0] = rt;
    s->ntargets = 1;
    s->from[0] = r;
    s->nfrom = 1;
    *out = s;
    return DD_OK;
}

/* SELECT core or ( select ). */
/* VALUES (a, b), (c, d) as a query: a UNION ALL of one-row SELECTs whose
 * columns are named column1, column2, ... (PostgreSQL's names), wrapped as
 * SELECT * FROM (...) when it has several rows, so that it behaves as one
 * term of a larger query. */
static int parse_values(Parser *p, SelectStmt **out)
{
    SelectStmt *head = NULL, *tail = NULL;
    int width = -1;
    advance(p);   /* VALUES */
    do {
        int rloc = tok(p)->start;
        TRY(expect(p, TOK_LPAREN));
        SelectStmt *s = NULL;
        int cap = 0;
        NEW(s);
        s->loc = rloc;
        do {
            ResTarget *rt = NULL;
            NEW(rt);
            if (is_kw(tok(p), KW_DEFAULT)) return not_supported(p, tok(p)->start, "DEFAULT in VALUES");
            TRY(parse_expr(p, P_OR, &rt->expr));
            rt->loc = rt->expr->loc;
            rt->alias = arena_printf(p->a, "column%d", s->ntargets + 1);
            if (!rt->alias) return nomem(p);
            PUSH(s->targets, s->ntargets, cap, rt);
        } while (accept(p, TOK_COMMA));
        TRY(expect(p, TOK_RPAREN));
        if (width >= 0 && s->ntargets != width)
            return dd_err(p->err, DD_ESYNTAX, rloc, "VALUES lists must all be the same length");
        width = s->ntargets;
        if (tail) {
            tail->setop = 1;
            tail->setop_all = true;
            tail->next = s;
        } else {
            head = s;
        }
        tail = s;
    } while (accept(p, TOK_COMMA));
    head->values = true;
    if (head->next) TRY(wrap_select(p, head, &head));
    *out = head;
    return DD_OK;
}

/* TABLE name: SELECT * FROM name */
static int parse_table_stmt(Parser *p, SelectStmt **out)
{
    SelectStmt *s = NULL;
    NEW(s);
    s->loc = tok(p)->start;
    advance(p);   /* TABLE */
    accept_kw(p, KW_ONLY);
    ResTarget *rt = NULL;
    NEW(rt);
    rt->loc = s->loc;
    NEW_EXPR(rt->expr, EXPR_STAR, s->loc);
    int cap = 0;
    PUSH(s->targets, s->ntargets, cap, rt);
    /* a relation's name only, as PostgreSQL's grammar */
    TableRef *r = NULL;
    NEW(r);
    r->kind = TREF_TABLE;
    r->loc = tok(p)->start;
    TRY(parse_qualified_name(p, &r->name, NULL));
    accept(p, TOK_STAR);
    cap = 0;
    PUSH(s->from, s->nfrom, cap, r);
    *out = s;
    return DD_OK;
}

static int parse_select_term(Parser *p, SelectStmt **out)
{
    if (tok(p)->kind == TOK_LPAREN) return parse_paren_select(p, out);
    if (is_kw(tok(p), KW_VALUES)) return parse_values(p, out);
    if (is_kw(tok(p), KW_TABLE)) return parse_table_stmt(p, out);
    return parse_select_core(p, out);
}

static int parse_sort_list(Parser *p, SortItem ***out, int *n)
{
    int cap = 0;
    do {
        SortItem *si = NULL;
        NEW(si);
        TRY(parse_expr(p, P_OR, &si->expr));
        if (accept_kw(p, KW_DESC)) si->desc = true;
        else if (!accept_kw(p, KW_ASC) && accept_kw(p, KW_USING)) {
            /* USING < is ASC and USING > is DESC: the only orderings there
             * are (~<~ and ~>~, the pattern operators, order bytes as all do) */
            Token *o = tok(p);
            size_t ol = (size_t)(o->end - o->start);
            const char *os = p->sql + o->start;
            if (o->kind == TOK_GT || (ol == 3 && !memcmp(os, "~>~", 3))) si->desc = true;
            else if (o->kind != TOK_LT && !(ol == 3 && !memcmp(os, "~<~", 3)))
                return not_supported(p, o->start, "ORDER BY USING an operator other than < or >");
            advance(p);
        }
        if (accept_kw(p, KW_NULLS)) {
            if (accept_kw(p, KW_FIRST)) si->nulls = 1;
            else if (accept_kw(p, KW_LAST)) si->nulls = 2;
            else return syntax_error(p);
        }
        PUSH(*out, *n, cap, si);
    } while (accept(p, TOK_COMMA));
    return DD_OK;
}

static int parse_order_by(Parser *p, SelectStmt *s)
{
    if (s->norder)
        return dd_err(p->err, DD_ESYNTAX, tok(p)->start, "multiple ORDER BY clauses not allowed");
    advance(p);   /* ORDER */
    TRY(expect_kw(p, KW_BY));
    return parse_sort_list(p, &s->order_by, &s->norder);
}

/* LIMIT / OFFSET / FETCH in either order. */
static int parse_limits(Parser *p, SelectStmt *s)
{
    for (;;) {
        Token *t = tok(p);
        if (is_kw(t, KW_LIMIT)) {
            if (s->limit)
                return dd_err(p->err, DD_ESYNTAX, t->start, "multiple LIMIT clauses not allowed");
            advance(p);
            if (accept_kw(p, KW_ALL)) continue;
            TRY(parse_expr(p, P_OR, &s->limit));
            if (tok(p)->kind == TOK_COMMA) {
                dd_err(p->err, DD_ESYNTAX, t->start, "LIMIT #,# syntax is not supported");
                dd_err_hint(p->err, "Use separate LIMIT and OFFSET clauses.");
                return DD_ESYNTAX;
            }
        } else if (is_kw(t, KW_OFFSET)) {
            if (s->offset)
                return dd_err(p->err, DD_ESYNTAX, t->start, "multiple OFFSET clauses not allowed");
            advance(p);
            TRY(parse_expr(p, P_OR, &s->offset));
            if (!accept_kw(p, KW_ROW)) accept_kw(p, KW_ROWS);
        } else if (is_kw(t, KW_FETCH)) {
            if (s->limit)
                return dd_err(p->err, DD_ESYNTAX, t->start, "multiple LIMIT clauses not allowed");
            advance(p);
            if (!accept_kw(p, KW_FIRST)) TRY(expect_kw(p, KW_NEXT));
            if (is_kw(tok(p), KW_ROW) || is_kw(tok(p), KW_ROWS)) {
                NEW_EXPR(s->limit, EXPR_CONST, t->start);
                s->limit->u.c.val.type = TYPE_INT4;
                s->limit->u.c.val.v.i = 1;
            } else {
                TRY(parse_expr(p, P_UMINUS, &s->limit));
            }
            if (!accept_kw(p, KW_ROW)) TRY(expect_kw(p, KW_ROWS));
            if (accept_kw(p, KW_WITH)) {
                TRY(expect_kw(p, KW_TIES));
                s->with_ties = true;
            } else {
                TRY(expect_kw(p, KW_ONLY));
            }
        } else {
            return DD_OK;
        }
    }
}

static int setop_of(const Token *t)
{
    if (is_kw(t, KW_UNION)) return 1;
    if (is_kw(t, KW_INTERSECT)) return 2;
    if (is_kw(t, KW_EXCEPT)) return 3;
    return 0;
}

static int parse_insert(Parser *p, Stmt *st);
static int parse_update(Parser *p, Stmt *st);
static int parse_delete(Parser *p, Stmt *st);

/* WITH name [(cols)] AS [[NOT] MATERIALIZED] (select), ...  into the
 * parallel arrays of s (parsed before s exists, so into a scratch node). */
static int parse_with(Parser *p, SelectStmt *s)
{
    int cap = 0, lcap = 0, nl = 0, ccap = 0, ncc = 0, ncap = 0, nn = 0, kcap = 0, nk = 0, dcap = 0, nd = 0;
    advance(p);   /* WITH */
    if (is_word(tok(p), "recursive")) {
        advance(p);
        s->cte_recursive = true;
    }
    do {
        char *name = NULL, **cols = NULL;
        int loc, ncols = 0;
        SelectStmt *q = NULL;
        TRY(parse_colid(p, &name, &loc));
        if (tok(p)->kind == TOK_LPAREN) TRY(parse_name_list(p, &cols, NULL, &ncols));
        TRY(expect_kw(p, KW_AS));
        accept_kw(p, KW_NOT);
        if (is_word(tok(p), "materialized")) advance(p);
        if (tok(p)->kind != TOK_LPAREN) return syntax_error(p);
        Token *in = peek(p, 1);
        Stmt *dml = NULL;
        if (is_kw(in, KW_INSERT) || is_kw(in, KW_UPDATE) || is_kw(in, KW_DELETE)) {
            /* a data-modifying statement: it runs once, before the
             * statement the WITH belongs to; its RETURNING rows are the
             * WITH query's */
            advance(p);   /* ( */
            NEW(dml);
            dml->loc = in->start;
            TRY(is_kw(in, KW_INSERT) ? parse_insert(p, dml) : is_kw(in, KW_UPDATE) ? parse_update(p, dml)
                                                          : parse_delete(p, dml));
            TRY(expect(p, TOK_RPAREN));
        } else if (is_word(in, "merge") && is_kw(peek(p, 2), KW_INTO)) {
            return dd_err(p->err, DD_EFEATURE, in->start, "MERGE not supported in WITH query");
        } else if (is_kw(in, KW_WITH)) {
            /* WITH ... AS (WITH ... INSERT / UPDATE / DELETE): the inner
             * WITH goes with the statement; else a query, parsed again */
            int save = p->pos;
            advance(p);   /* ( */
            SelectStmt *w = NULL;
            NEW(w);
            TRY(parse_with(p, w));
            Token *n = tok(p);
            if (is_kw(n, KW_INSERT) || is_kw(n, KW_UPDATE) || is_kw(n, KW_DELETE)) {
                NEW(dml);
                dml->loc = n->start;
                TRY(is_kw(n, KW_INSERT) ? parse_insert(p, dml) : is_kw(n, KW_UPDATE) ? parse_update(p, dml)
                                                             : parse_delete(p, dml));
                dml->with = w;
                TRY(expect(p, TOK_RPAREN));
            } else {
                p->pos = save;
                TRY(parse_paren_select(p, &q));
            }
        } else {
            TRY(parse_paren_select(p, &q));
        }
        if ((is_word(tok(p), "search") && (is_word(peek(p, 1), "depth") || is_word(peek(p, 1), "breadth"))) ||
            (is_word(tok(p), "cycle") && peek(p, 1)->kind == TOK_IDENT))
            return not_supported(p, tok(p)->start, "the SEARCH / CYCLE clause of WITH RECURSIVE");
        PUSH(s->cte_dml, nd, dcap, dml);
        PUSH(s->cte_names, s->nctes, cap, name);
        PUSH(s->cte_locs, nl, lcap, loc);
        PUSH(s->ctes, ncc, ccap, q);
        PUSH(s->cte_cols, nn, ncap, cols);
        PUSH(s->cte_ncols, nk, kcap, ncols);
    } while (accept(p, TOK_COMMA));
    return DD_OK;
}

/* FOR UPDATE | FOR NO KEY UPDATE | FOR SHARE | FOR KEY SHARE [OF name, ...]
 * [NOWAIT | SKIP LOCKED], one or more (ast.h LockingClause). */
static int parse_locking(Parser *p, SelectStmt *s)
{
    int cap = s->nlocks;   /* a second run (after LIMIT) appends to a full array */
    while (is_kw(tok(p), KW_FOR) && !is_word(peek(p, 1), "system_time")) {
        LockingClause *lc = arena_zalloc(p->a, sizeof *lc);
        if (!lc) return nomem(p);
        lc->loc = tok(p)->start;
        advance(p);
        if (is_name(tok(p), "update")) {
            advance(p);
            lc->mode = 3;
        } else if (is_name(tok(p), "no") && is_name(peek(p, 1), "key") && is_name(peek(p, 2), "update")) {
            advance(p); advance(p); advance(p);
            lc->mode = 2;
        } else if (is_name(tok(p), "share")) {
            advance(p);
            lc->mode = 1;
        } else if (is_name(tok(p), "key") && is_name(peek(p, 1), "share")) {
            advance(p); advance(p);
            lc->mode = 0;
        } else if (is_name(tok(p), "read") && is_name(peek(p, 1), "only")) {
            return not_supported(p, lc->loc, "FOR READ ONLY");
        } else {
            return syntax_error(p);
        }
        if (is_name(tok(p), "of")) {
            advance(p);
            int rcap = 0, lcap = 0, nl = 0;
            do {
                char *name;
                int loc;
                TRY(parse_qualified_name(p, &name, &loc));
                PUSH(lc->rels, lc->nrels, rcap, name);
                PUSH(lc->rel_locs, nl, lcap, loc);
            } while (accept(p, TOK_COMMA));
        }
        if (is_name(tok(p), "nowait")) {
            advance(p);
            lc->wait = 2;
        } else if (is_name(tok(p), "skip") && is_name(peek(p, 1), "locked")) {
            advance(p); advance(p);
            lc->wait = 1;
        }
        PUSH(s->locks, s->nlocks, cap, lc);
    }
    return DD_OK;
}

/* A full query: [WITH ...] terms chained by set operations, then ORDER BY
 * and LIMIT / OFFSET / FETCH for the whole. */
static int parse_select(Parser *p, SelectStmt **out)
{
    SelectStmt *head = NULL, *tail = NULL, with;
    memset(&with, 0, sizeof(with));
    TRY(enter(p));
    if (is_kw(tok(p), KW_WITH)) TRY(parse_with(p, &with));
    TRY(parse_select_term(p, &head));
    if (setop_of(tok(p)) && has_tail(head)) TRY(wrap_select(p, head, &head));
    tail = head;
    int op;
    while ((op = setop_of(tok(p))) != 0) {
        advance(p);
        bool all = accept_kw(p, KW_ALL);
        if (!all) accept_kw(p, KW_DISTINCT);
        SelectStmt *rhs = NULL;
        TRY(parse_select_term(p, &rhs));
        if (has_tail(rhs)) TRY(wrap_select(p, rhs, &rhs));
        tail->setop = op;
        tail->setop_all = all;
        tail->next = rhs;
        tail = rhs;
    }
    if (is_kw(tok(p), KW_ORDER)) TRY(parse_order_by(p, head));
    TRY(parse_limits(p, head));
    if (is_kw(tok(p), KW_FOR) && is_word(peek(p, 1), "system_time")) {
        /* t AS a FOR SYSTEM_TIME ..., or (SELECT ...) s FOR SYSTEM_TIME ... */
        int rc = syntax_error(p);
        dd_err_hint(p->err, "FOR SYSTEM_TIME follows a table's name, before its alias: "
                            "FROM t FOR SYSTEM_TIME AS OF ... AS a; a subquery reads its own tables' times.");
        return rc;
    }
    if (is_kw(tok(p), KW_FOR)) {
        TRY(parse_locking(p, head));
        if (!head->limit && !head->offset) TRY(parse_limits(p, head));
        if (is_kw(tok(p), KW_FOR)) TRY(parse_locking(p, head));
    }
    if (with.nctes) {
        if (head->nctes) TRY(wrap_select(p, head, &head));   /* (WITH a ...) under WITH b */
        head->cte_names = with.cte_names;
        head->cte_locs = with.cte_locs;
        head->ctes = with.ctes;
        head->cte_dml = with.cte_dml;
        head->cte_cols = with.cte_cols;
        head->cte_ncols = with.cte_ncols;
        head->nctes = with.nctes;
        head->cte_recursive = with.cte_recursive;
    }
    p->depth--;
    *out = head;
    return DD_OK;
}

/* ---- INSERT, UPDATE, DELETE ---- */

/* [RETURNING target, ...] */
static int parse_returning(Parser *p, ResTarget ***out, int *n)
{
    if (!accept_kw(p, KW_RETURNING)) return DD_OK;
    int cap = 0;
    do {
        ResTarget *rt = NULL;
        TRY(parse_target(p, &rt));
        PUSH(*out, *n, cap, rt);
    } while (accept(p, TOK_COMMA));
    return DD_OK;
}

/* col = expr, ... (UPDATE's SET and ON CONFLICT DO UPDATE's). */
/* DEFAULT standing for a column's default (INSERT VALUES, UPDATE SET) */
static int parse_default_value(Parser *p, Expr **out)
{
    Expr *e = NULL;
    NEW_EXPR(e, EXPR_DEFAULT, tok(p)->start);
    advance(p);
    *out = e;
    return DD_OK;
}

/* SET col[...] = x reads the target row's col: qualified by the target's
 * name (its alias, or the table), since INSERT ... ON CONFLICT also sees
 * EXCLUDED's columns of the same names. */
static void qualify_assignments(SetClause **set, int n, char *target)
{
    for (int i = 0; i < n; i++) {
        Expr *e = set[i]->expr;
        if (e && e->kind == EXPR_FUNC && e->u.func.special == FUNC_ASSIGN) e->u.func.args[0]->u.col.qualifier = target;
    }
}

/* (a, b, ...) = source of UPDATE's SET: each column its SetClause.  The
 * source is a list in parentheses or ROW(...) (an element may be
 * DEFAULT), or a sub-SELECT: column k takes (SELECT "$k" FROM (sub-SELECT)
 * AS "$set"("$1", ...)), the sub-SELECT parsed again for each. */
static int parse_multi_set(Parser *p, SetClause ***out, int *n, int *cap)
{
    char **cols = NULL;
    int *locs = NULL, ncols = 0;
    TRY(parse_name_list(p, &cols, &locs, &ncols));
    TRY(expect(p, TOK_EQ));
    int loc = tok(p)->start;
    bool sub = tok(p)->kind == TOK_LPAREN && (is_kw(peek(p, 1), KW_SELECT) || is_kw(peek(p, 1), KW_WITH) ||
                                              is_kw(peek(p, 1), KW_VALUES));
    if (sub) {
        int start = p->pos, end = start;
        for (int k = 0; k < ncols; k++) {
            p->pos = start;
            SelectStmt *q = NULL, *outer = NULL;
            TRY(parse_paren_select(p, &q));
            end = p->pos;
            TableRef *from = NULL;
            ResTarget *rt = NULL;
            Expr *col = NULL, *e = NULL;
            NEW(from);
            NEW(outer);
            NEW(rt);
            NEW_EXPR(col, EXPR_COLUMN, loc);
            NEW_EXPR(e, EXPR_SUBQUERY, loc);
            from->kind = TREF_SUBQUERY;
            from->loc = loc;
            from->select = q;
            from->alias = dup_str(p, "$set");
            from->col_aliases = arena_alloc(p->a, sizeof(char *) * (size_t)ncols);
            if (!from->alias || !from->col_aliases) return nomem(p);
            for (int j = 0; j < ncols; j++)
                if (!(from->col_aliases[j] = arena_printf(p->a, "$%d", j + 1))) return nomem(p);
            from->ncol_aliases = ncols;
            col->u.col.name = from->col_aliases[k];
            rt->expr = col;
            rt->loc = loc;
            int tcap = 0, fcap = 0;
            outer->loc = loc;
            PUSH(outer->targets, outer->ntargets, tcap, rt);
            PUSH(outer->from, outer->nfrom, fcap, from);
            e->u.sub.select = outer;
            SetClause *sc = NULL;
            NEW(sc);
            sc->col = cols[k];
            sc->loc = locs ? locs[k] : loc;
            sc->expr = e;
            PUSH(*out, *n, *cap, sc);
        }
        p->pos = end;
        return DD_OK;
    }
    bool row = (is_kw(tok(p), KW_ROW) || is_word(tok(p), "row")) && peek(p, 1)->kind == TOK_LPAREN;
    if (row) advance(p);
    TRY(expect(p, TOK_LPAREN));
    int k = 0;
    do {
        SetClause *sc = NULL;
        NEW(sc);
        sc->col = k < ncols ? cols[k] : NULL;
        sc->loc = locs ? locs[k] : loc;
        if (is_kw(tok(p), KW_DEFAULT)) TRY(parse_default_value(p, &sc->expr));
        else TRY(parse_expr(p, P_OR, &sc->expr));
        if (k < ncols) PUSH(*out, *n, *cap, sc);
        k++;
    } while (accept(p, TOK_COMMA));
    TRY(expect(p, TOK_RPAREN));
    if (k == 1 && !row)   /* (x) is x, no row */
        return dd_err(p->err, DD_EFEATURE, loc, "source for a multiple-column UPDATE item must be a sub-SELECT or ROW() expression");
    if (k != ncols) return dd_err(p->err, DD_ESYNTAX, loc, "number of columns does not match number of values");
    return DD_OK;
}

static int parse_set_list(Parser *p, SetClause ***out, int *n)
{
    int cap = 0;
    do {
        SetClause *sc = NULL;
        NEW(sc);
        if (tok(p)->kind == TOK_LPAREN) {
            TRY(parse_multi_set(p, out, n, &cap));
            continue;
        }
        TRY(parse_colid(p, &sc->col, &sc->loc));
        if (tok(p)->kind == TOK_DOT) return not_supported(p, tok(p)->start, "assignment to a field");
        if (tok(p)->kind == TOK_LBRACKET) {
            /* col[...] = x: col becomes the array with those elements replaced */
            Expr *col = NULL, *asg = NULL, *v = NULL;
            NEW_EXPR(col, EXPR_COLUMN, sc->loc);
            col->u.col.name = sc->col;
            TRY(parse_subscripts(p, col, FUNC_ASSIGN, tok(p)->start, &asg));
            TRY(expect(p, TOK_EQ));
            TRY(parse_expr(p, P_OR, &v));
            int cap2 = asg->u.func.n;
            TRY(push_arg(p, asg, &cap2, v));
            sc->expr = asg;
            PUSH(*out, *n, cap, sc);
            continue;
        }
        TRY(expect(p, TOK_EQ));
        if (is_kw(tok(p), KW_DEFAULT)) TRY(parse_default_value(p, &sc->expr));
        else TRY(parse_expr(p, P_OR, &sc->expr));
        PUSH(*out, *n, cap, sc);
    } while (accept(p, TOK_COMMA));
    return DD_OK;
}

/* OVERRIDING {SYSTEM | USER} VALUE of INSERT */
static int parse_overriding(Parser *p, InsertStmt *ins)
{
    if (!is_word(tok(p), "overriding")) return DD_OK;
    advance(p);
    if (is_word(tok(p), "system")) ins->overriding = 's';
    else if (is_kw(tok(p), KW_USER) || is_word(tok(p), "user")) ins->overriding = 'u';
    else return syntax_error(p);
    advance(p);
    if (!is_word(tok(p), "value")) return syntax_error(p);
    advance(p);
    return DD_OK;
}

/* ON CONFLICT's (elem, ...): a column, or an expression as a unique
 * index has it ((expr) or f(...)). */
static int parse_conflict_target(Parser *p, InsertStmt *ins)
{
    int cap = 0, lcap = 0, nl = 0, scap = 0, ns = 0, ecap = 0, ne = 0;
    TRY(expect(p, TOK_LPAREN));
    do {
        Token *t = tok(p), *n = peek(p, 1);
        char *col = NULL;
        int loc = t->start, start = -1, end = -1;
        if (is_colid(t) && (n->kind == TOK_COMMA || n->kind == TOK_RPAREN)) {
            TRY(parse_colid(p, &col, &loc));
        } else {
            Expr *e = NULL;
            start = t->start;
            TRY(parse_expr(p, P_OR, &e));
            end = p->toks[p->pos - 1].end;
            /* the first expression: the elements before it are columns */
            for (int k = ns; k < ins->nconf_cols; k++) {
                PUSH(ins->conf_expr_start, ns, scap, -1);
                PUSH(ins->conf_expr_end, ne, ecap, -1);
            }
        }
        if (start >= 0 || ns > 0) {
            PUSH(ins->conf_expr_start, ns, scap, start);
            PUSH(ins->conf_expr_end, ne, ecap, end);
        }
        PUSH(ins->conf_col_locs, nl, lcap, loc);
        PUSH(ins->conf_cols, ins->nconf_cols, cap, col);
    } while (accept(p, TOK_COMMA));
    return expect(p, TOK_RPAREN);
}

static int parse_insert(Parser *p, Stmt *st)
{
    InsertStmt *ins;
    NEW(ins);
    st->kind = STMT_INSERT;
    st->u.insert = ins;
    advance(p);   /* INSERT */
    TRY(expect_kw(p, KW_INTO));
    TRY(parse_qualified_name(p, &ins->table, &ins->table_loc));
    if (accept_kw(p, KW_AS)) {
        if (!is_colid(tok(p))) return syntax_error(p);
        ins->alias = tok(p)->str;
        advance(p);
    }
    if (tok(p)->kind == TOK_LPAREN && !parens_hold_select(p, p->pos))
        TRY(parse_name_list(p, &ins->cols, &ins->col_locs, &ins->ncols));
    TRY(parse_overriding(p, ins));
    if (accept_kw(p, KW_DEFAULT)) {
        TRY(expect_kw(p, KW_VALUES));
        ins->default_values = true;
    } else if (accept_kw(p, KW_VALUES)) {
        int cap = 0, lcap = 0, nl = 0;
        do {
            Expr **row = NULL;
            int n = 0, rcap = 0;
            TRY(expect(p, TOK_LPAREN));
            do {
                Expr *e = NULL;
                if (is_kw(tok(p), KW_DEFAULT)) TRY(parse_default_value(p, &e));
                else TRY(parse_expr(p, P_OR, &e));
                PUSH(row, n, rcap, e);
            } while (accept(p, TOK_COMMA));
            TRY(expect(p, TOK_RPAREN));
            PUSH(ins->rows, ins->nrows, cap, row);
            PUSH(ins->row_len, nl, lcap, n);
        } while (accept(p, TOK_COMMA));
    } else if (is_kw(tok(p), KW_SELECT) || is_kw(tok(p), KW_WITH) || is_kw(tok(p), KW_TABLE) ||
               tok(p)->kind == TOK_LPAREN) {
        TRY(parse_select(p, &ins->select));
    } else {
        return syntax_error(p);
    }
    if (is_kw(tok(p), KW_ON) && is_word(peek(p, 1), "conflict")) {
        ins->conf_loc = tok(p)->start;
        advance(p);
        advance(p);
        if (tok(p)->kind == TOK_LPAREN && !is_kw(peek(p, 1), KW_ON)) {
            TRY(parse_conflict_target(p, ins));
            if (accept_kw(p, KW_WHERE)) TRY(parse_expr(p, P_OR, &ins->conf_index_where));
        } else if (accept_kw(p, KW_ON)) {
            TRY(expect_kw(p, KW_CONSTRAINT));
            if (!is_colid(tok(p))) return syntax_error(p);
            ins->conf_constraint = tok(p)->str;
            advance(p);
        }
        TRY(expect_kw(p, KW_DO));
        if (is_word(tok(p), "nothing")) {
            advance(p);
            ins->on_conflict = 1;
        } else if (is_kw(tok(p), KW_UPDATE)) {
            advance(p);
            ins->on_conflict = 2;
            TRY(expect_kw(p, KW_SET));
            TRY(parse_set_list(p, &ins->conf_set, &ins->nconf_set));
            qualify_assignments(ins->conf_set, ins->nconf_set, ins->alias ? ins->alias : ins->table);
            if (accept_kw(p, KW_WHERE)) TRY(parse_expr(p, P_OR, &ins->conf_where));
        } else {
            return syntax_error(p);
        }
    } else if (is_kw(tok(p), KW_ON)) {
        return syntax_error(p);
    }
    return parse_returning(p, &ins->returning, &ins->nreturning);
}

static int parse_update(Parser *p, Stmt *st)
{
    UpdateStmt *up;
    NEW(up);
    st->kind = STMT_UPDATE;
    st->u.update = up;
    advance(p);   /* UPDATE */
    if (is_kw(tok(p), KW_ONLY)) advance(p);
    TRY(parse_qualified_name(p, &up->table, &up->table_loc));
    TRY(parse_alias(p, &up->alias, true));
    TRY(expect_kw(p, KW_SET));
    TRY(parse_set_list(p, &up->set, &up->nset));
    qualify_assignments(up->set, up->nset, up->alias ? up->alias : up->table);
    if (accept_kw(p, KW_FROM)) TRY(parse_from_list(p, &up->from, &up->nfrom));
    if (accept_kw(p, KW_WHERE)) TRY(parse_expr(p, P_OR, &up->where));
    return parse_returning(p, &up->returning, &up->nreturning);
}

/* [FOR SYSTEM_TIME AS OF point] after the table of DELETE HISTORY or
 * ERASE: the table that had the name then, a dropped one too. */
static int parse_named_at(Parser *p, const char *what, Expr **out)
{
    if (!is_kw(tok(p), KW_FOR) || !is_word(peek(p, 1), "system_time")) return DD_OK;
    TemporalClause tc;
    memset(&tc, 0, sizeof tc);
    TRY(parse_temporal(p, &tc));
    if (tc.kind != TEMPORAL_AS_OF)
        return dd_err(p->err, DD_EFEATURE, tc.loc, "%s names its table only AS OF a point", what);
    *out = tc.a;
    return DD_OK;
}

/* ERASE FROM t [FOR SYSTEM_TIME AS OF point] [[AS] alias] [WHERE cond]
 * (XTDB's syntax): every version of the rows that ever matched goes, from
 * the present and the past. */
static int parse_erase(Parser *p, Stmt *st)
{
    DeleteStmt *del;
    NEW(del);
    st->kind = STMT_ERASE;
    st->u.delete_ = del;
    advance(p);   /* ERASE */
    TRY(expect_kw(p, KW_FROM));
    TRY(parse_qualified_name(p, &del->table, &del->table_loc));
    TRY(parse_named_at(p, "ERASE", &del->named_at));
    TRY(parse_alias(p, &del->alias, false));
    if (accept_kw(p, KW_WHERE)) TRY(parse_expr(p, P_OR, &del->where));
    return DD_OK;
}

static int parse_delete(Parser *p, Stmt *st)
{
    DeleteStmt *del;
    NEW(del);
    st->kind = STMT_DELETE;
    st->u.delete_ = del;
    advance(p);   /* DELETE */
    if (is_name(tok(p), "history") && is_kw(peek(p, 1), KW_FROM)) {
        /* DELETE HISTORY FROM t [FOR SYSTEM_TIME AS OF point]
         * [BEFORE SYSTEM_TIME point] (MariaDB's, and the table as named
         * then) */
        st->kind = STMT_DELETE_HISTORY;
        advance(p);
        advance(p);
        TRY(parse_qualified_name(p, &del->table, &del->table_loc));
        TRY(parse_named_at(p, "DELETE HISTORY", &del->named_at));
        if (is_name(tok(p), "before")) {
            advance(p);
            if (!is_name(tok(p), "system_time")) return syntax_error(p);
            advance(p);
            TRY(parse_expr(p, P_OR, &del->before));
        }
        return DD_OK;
    }
    TRY(expect_kw(p, KW_FROM));
    if (is_kw(tok(p), KW_ONLY)) advance(p);
    TRY(parse_qualified_name(p, &del->table, &del->table_loc));
    TRY(parse_alias(p, &del->alias, false));
    if (accept_kw(p, KW_USING)) TRY(parse_from_list(p, &del->from, &del->nfrom));
    if (accept_kw(p, KW_WHERE)) TRY(parse_expr(p, P_OR, &del->where));
    return parse_returning(p, &del->returning, &del->nreturning);
}

/* ---- CREATE TABLE, DROP TABLE ---- */

static int set_pk(Parser *p, CreateTableStmt *ct, char **cols, int n, int loc)
{
    bool inline_pk = false;
    for (int i = 0; i < ct->ncols; i++) inline_pk |= ct->cols[i]->primary_key;
    if (ct->npk || inline_pk)
        return dd_err(p->err, DD_EINVALID_DEFINITION, loc,
                      "multiple primary keys for table \"%s\" are not allowed", ct->name);
    ct->pk = cols;
    ct->npk = n;
    ct->pk_loc = loc;
    return DD_OK;
}

/* ON DELETE / ON UPDATE action of a foreign key */
static int parse_fk_action(Parser *p, char *out)
{
    if ((is_kw(tok(p), KW_NO) || is_word(tok(p), "no")) && is_word(peek(p, 1), "action")) { *out = 'a'; advance(p); advance(p); return DD_OK; }
    if (accept_kw(p, KW_RESTRICT)) { *out = 'r'; return DD_OK; }
    if (accept_kw(p, KW_CASCADE)) { *out = 'c'; return DD_OK; }
    if (accept_kw(p, KW_SET)) {
        if (accept_kw(p, KW_NULL)) *out = 'n';
        else if (accept_kw(p, KW_DEFAULT)) *out = 'd';
        else return syntax_error(p);
        if (tok(p)->kind == TOK_LPAREN) return not_supported(p, tok(p)->start, "a column list in ON DELETE SET NULL / DEFAULT");
        return DD_OK;
    }
    return syntax_error(p);
}

/* [NOT] DEFERRABLE, INITIALLY {DEFERRED | IMMEDIATE}, NOT VALID after a constraint */
static int parse_constraint_attrs(Parser *p, Constraint *c, const char *col)
{
    for (;;) {
        if (accept_kw(p, KW_DEFERRABLE)) {
            c->deferrable = true;
        } else if (is_kw(tok(p), KW_NOT) && is_kw(peek(p, 1), KW_DEFERRABLE)) {
            advance(p);
            advance(p);
            c->deferrable = false;
        } else if (accept_kw(p, KW_INITIALLY)) {
            if (is_word(tok(p), "deferred")) c->initially_deferred = true;
            else if (!is_word(tok(p), "immediate")) return syntax_error(p);
            advance(p);
        } else if (is_kw(tok(p), KW_NOT) && is_word(peek(p, 1), "valid") && !col) {
            /* a table constraint's (a column constraint has none) */
            advance(p);
            advance(p);
            c->not_valid = true;
        } else {
            break;
        }
    }
    if (c->initially_deferred && !c->deferrable) {
        if (c->kind == CONSTR_CHECK) return not_supported(p, tok(p)->start, "a deferred CHECK constraint");
        c->deferrable = true;   /* INITIALLY DEFERRED implies DEFERRABLE */
    }
    if (c->deferrable && c->kind == CONSTR_CHECK)
        return dd_err(p->err, DD_EFEATURE, c->loc, "CHECK constraints cannot be marked DEFERRABLE");
    return DD_OK;
}

/* The body of a constraint after [CONSTRAINT name]: UNIQUE [(cols)],
 * CHECK (expr), REFERENCES t [(cols)] ..., FOREIGN KEY (cols) REFERENCES
 * ...; a column constraint (col non-NULL) names no columns of its own. */
static int parse_constraint(Parser *p, const char *col, char *name, Constraint **out)
{
    Constraint *c;
    NEW(c);
    c->name = name;
    c->loc = tok(p)->start;
    c->on_delete = c->on_update = 'a';
    if (col) {
        NEW(c->cols);
        c->cols[0] = (char *)col;
        c->ncols = 1;
    }
    if (accept_kw(p, KW_UNIQUE)) {
        c->kind = CONSTR_UNIQUE;
        if (accept_kw(p, KW_NULLS)) {
            if (is_kw(tok(p), KW_NOT)) return not_supported(p, tok(p)->start, "UNIQUE NULLS NOT DISTINCT");
            TRY(expect_kw(p, KW_DISTINCT));
        }
        if (!col) TRY(parse_name_list(p, &c->cols, NULL, &c->ncols));
        if (is_word(tok(p), "include") || is_kw(tok(p), KW_WITH) || is_word(tok(p), "using"))
            return not_supported(p, tok(p)->start, "this UNIQUE clause");
    } else if (accept_kw(p, KW_CHECK)) {
        c->kind = CONSTR_CHECK;
        TRY(expect(p, TOK_LPAREN));
        c->check_start = tok(p)->start;
        TRY(parse_expr(p, P_OR, &c->check));
        c->check_end = p->toks[p->pos - 1].end;
        TRY(expect(p, TOK_RPAREN));
        if (is_kw(tok(p), KW_NO) && is_word(peek(p, 1), "inherit")) { advance(p); advance(p); }
    } else if (is_kw(tok(p), KW_REFERENCES) || is_kw(tok(p), KW_FOREIGN)) {
        c->kind = CONSTR_FOREIGN;
        if (accept_kw(p, KW_FOREIGN)) {
            if (col) return syntax_error(p);
            TRY(expect_kw(p, KW_KEY));
            TRY(parse_name_list(p, &c->cols, NULL, &c->ncols));
        }
        TRY(expect_kw(p, KW_REFERENCES));
        TRY(parse_qualified_name(p, &c->ref_table, NULL));
        if (tok(p)->kind == TOK_LPAREN) TRY(parse_name_list(p, &c->ref_cols, NULL, &c->nref_cols));
        if (is_word(tok(p), "match")) {
            advance(p);
            if (is_word(tok(p), "partial"))
                return not_supported(p, tok(p)->start, "MATCH PARTIAL");
            if (is_kw(tok(p), KW_FULL) || is_word(tok(p), "full")) c->match_full = true;
            else if (!is_word(tok(p), "simple")) return syntax_error(p);
            advance(p);
        }
        for (;;) {
            if (!is_kw(tok(p), KW_ON)) break;
            Token *w = peek(p, 1);
            advance(p);
            if (is_kw(w, KW_DELETE)) { advance(p); TRY(parse_fk_action(p, &c->on_delete)); }
            else if (is_kw(w, KW_UPDATE)) { advance(p); TRY(parse_fk_action(p, &c->on_update)); }
            else return syntax_error(p);
        }
    } else {
        return syntax_error(p);
    }
    TRY(parse_constraint_attrs(p, c, col));
    *out = c;
    return DD_OK;
}

static int push_constraint(Parser *p, CreateTableStmt *ct, Constraint *c)
{
    PUSH(ct->cons, ct->ncons, ct->capcons, c);
    return DD_OK;
}

static int parse_column_def(Parser *p, CreateTableStmt *ct, ColumnDef **out)
{
    ColumnDef *cd = NULL;
    NEW(cd);
    TRY(parse_colid(p, &cd->name, &cd->loc));
    TRY(parse_typename(p, &cd->type));
    bool null_seen = false;
    for (;;) {
        Token *t = tok(p);
        char *cname = NULL;
        if (accept_kw(p, KW_CONSTRAINT)) {
            TRY(parse_colid(p, &cname, NULL));   /* kept for UNIQUE, CHECK and REFERENCES */
            t = tok(p);
        }
        if (is_kw(t, KW_UNIQUE) || is_kw(t, KW_CHECK) || is_kw(t, KW_REFERENCES)) {
            Constraint *c = NULL;
            TRY(parse_constraint(p, cd->name, cname, &c));
            TRY(push_constraint(p, ct, c));
            if (c->kind == CONSTR_UNIQUE) cd->unique = true;
        } else if (is_kw(t, KW_NOT) && is_word(peek(p, 1), "valid")) {
            advance(p);   /* NOT VALID is a table constraint's, as PostgreSQL's grammar */
            return syntax_error(p);
        } else if (is_kw(t, KW_NOT) && is_kw(peek(p, 1), KW_NULL)) {
            if (null_seen && !cd->not_null) goto conflict;
            advance(p);
            advance(p);
            cd->not_null = true;
            null_seen = true;
        } else if (is_kw(t, KW_NULL)) {
            if (null_seen && cd->not_null) goto conflict;
            advance(p);
            null_seen = true;
        } else if (is_kw(t, KW_PRIMARY)) {
            advance(p);
            TRY(expect_kw(p, KW_KEY));
            bool inline_pk = false;
            for (int i = 0; i < ct->ncols; i++) inline_pk |= ct->cols[i]->primary_key;
            if (ct->npk || inline_pk || cd->primary_key)
                return dd_err(p->err, DD_EINVALID_DEFINITION, t->start,
                              "multiple primary keys for table \"%s\" are not allowed", ct->name);
            cd->primary_key = true;
            if (!ct->pk_loc) ct->pk_loc = t->start;
        } else if (is_kw(t, KW_DEFAULT)) {
            advance(p);
            cd->default_start = tok(p)->start;
            TRY(parse_expr(p, P_IN + 1, &cd->default_));
            cd->default_end = p->toks[p->pos - 1].end;
        } else if (is_word(t, "generated") && !cd->identity && !cd->generated) {
            /* GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY [(options)], or
             * GENERATED ALWAYS AS (expr) STORED */
            advance(p);
            if (is_word(tok(p), "always")) {
                cd->identity = 'a';
                advance(p);
            } else if (is_kw(tok(p), KW_BY) && is_kw(peek(p, 1), KW_DEFAULT)) {
                cd->identity = 'd';
                advance(p);
                advance(p);
            } else {
                return syntax_error(p);
            }
            TRY(expect_kw(p, KW_AS));
            if (tok(p)->kind == TOK_LPAREN) {
                if (cd->identity == 'd')
                    return dd_err(p->err, DD_ESYNTAX, t->start, "for a generated column, GENERATED ALWAYS must be specified");
                cd->identity = 0;
                advance(p);
                cd->gen_start = tok(p)->start;
                TRY(parse_expr(p, 0, &cd->generated));
                cd->gen_end = p->toks[p->pos - 1].end;
                TRY(expect(p, TOK_RPAREN));
                if (!is_word(tok(p), "stored")) return syntax_error(p);
                advance(p);
                continue;
            }
            if (!is_word(tok(p), "identity")) return syntax_error(p);
            advance(p);
            if (accept(p, TOK_LPAREN)) {
                NEW(cd->idopts);
                TRY(parse_seq_options(p, cd->idopts, SEQOPT_IDENTITY));
                TRY(expect(p, TOK_RPAREN));
            }
        } else if (is_kw(t, KW_COLLATE)) {
            TRY(parse_collate(p));
        } else if (is_word(t, "generated")) {
            return not_supported(p, t->start, "this column constraint");
        } else {
            break;
        }
    }
    *out = cd;
    return DD_OK;
conflict:
    return dd_err(p->err, DD_ESYNTAX, tok(p)->start,
                  "conflicting NULL/NOT NULL declarations for column \"%s\" of table \"%s\"",
                  cd->name, ct->name);
}

/* Whether INDEX at the current token starts an index item (INDEX(cols) or
 * INDEX name (cols)) rather than a column named "index". */
static bool index_item(Parser *p)
{
    if (peek(p, 1)->kind == TOK_LPAREN) return true;
    if (!is_colid(peek(p, 1)) || peek(p, 2)->kind != TOK_LPAREN) return false;
    TokKind k = peek(p, 3)->kind;   /* names, not a type modifier */
    return k == TOK_IDENT || k == TOK_QIDENT;
}

/*
 * Storage parameters, `(name [= value], ...)`, of CREATE TABLE / CREATE
 * INDEX ... WITH and ALTER TABLE SET / RESET: PostgreSQL's names are
 * accepted and change nothing in DriftDB (LMDB pages have no fill factor,
 * there is no autovacuum); another name is 22023, as PostgreSQL.  values:
 * whether `= value` may follow (not for RESET).  DriftDB's own
 * history_retention (tables only: retention NULL for an index) sets
 * *has_retention and *retention to its value's text (NULL for RESET).
 */
static int parse_reloptions(Parser *p, bool index, bool values, char **retention, bool *has_retention)
{
    static const char *const table_opts[] = {
        "fillfactor", "toast_tuple_target", "parallel_workers", "autovacuum_enabled", "vacuum_index_cleanup",
        "vacuum_truncate", "autovacuum_vacuum_threshold", "autovacuum_vacuum_scale_factor",
        "autovacuum_vacuum_insert_threshold", "autovacuum_vacuum_insert_scale_factor",
        "autovacuum_analyze_threshold", "autovacuum_analyze_scale_factor", "autovacuum_vacuum_cost_delay",
        "autovacuum_vacuum_cost_limit", "autovacuum_freeze_min_age", "autovacuum_freeze_max_age",
        "autovacuum_freeze_table_age", "autovacuum_multixact_freeze_min_age", "autovacuum_multixact_freeze_max_age",
        "autovacuum_multixact_freeze_table_age", "log_autovacuum_min_duration", "user_catalog_table",
    };
    static const char *const index_opts[] = {
        "fillfactor", "deduplicate_items", "fastupdate", "gin_pending_list_limit", "buffering",
        "pages_per_range", "autosummarize",
    };
    TRY(expect(p, TOK_LPAREN));
    do {
        Token *n = tok(p);
        if (!is_colid(n) && n->kind != TOK_IDENT) return syntax_error(p);
        char name[80];
        snprintf(name, sizeof name, "%s", n->str ? n->str : "");
        advance(p);
        if (tok(p)->kind == TOK_DOT) {   /* toast.autovacuum_enabled */
            advance(p);
            if (!is_colid(tok(p))) return syntax_error(p);
            if (index || strcmp(name, "toast") != 0)
                return dd_err(p->err, DD_EINVALID_PARAM, n->start, "unrecognized parameter namespace \"%s\"", name);
            snprintf(name, sizeof name, "%s", tok(p)->str ? tok(p)->str : "");
            advance(p);
        }
        if (!index && retention && strcmp(name, "history_retention") == 0) {
            *has_retention = true;
            *retention = NULL;
            if (!values) continue;
            TRY(expect(p, TOK_EQ));
            Token *v = tok(p);
            if (v->kind == TOK_INTEGER || v->kind == TOK_NUMBER) {
                dd_err(p->err, DD_EINVALID_PARAM, v->start, "invalid value for parameter \"history_retention\": \"%.*s\"",
                       v->end - v->start, p->sql + v->start);
                dd_err_hint(p->err, "The retention is an interval, in quotes: '90 days'.");
                return DD_EINVALID_PARAM;
            }
            if (v->kind != TOK_STRING) return syntax_error(p);
            *retention = v->str;
            advance(p);
            continue;
        }
        bool known = false;
        const char *const *opts = index ? index_opts : table_opts;
        size_t nopts = index ? DD_ARRAY_LEN(index_opts) : DD_ARRAY_LEN(table_opts);
        for (size_t i = 0; i < nopts && !known; i++) known = strcmp(opts[i], name) == 0;
        /* RESET of any name, and WITH (oids = false) of old dumps, as PostgreSQL */
        known |= !values || (!index && strcmp(name, "oids") == 0);
        if (!known) return dd_err(p->err, DD_EINVALID_PARAM, -1, "unrecognized parameter \"%s\"", name);
        if (values && accept(p, TOK_EQ)) {
            Token *v = tok(p);
            if (v->kind == TOK_MINUS || v->kind == TOK_PLUS) {
                advance(p);
                v = tok(p);
            }
            if (v->kind != TOK_INTEGER && v->kind != TOK_NUMBER && v->kind != TOK_STRING && !is_colid(v) &&
                !is_kw(v, KW_TRUE) && !is_kw(v, KW_FALSE) && !is_kw(v, KW_ON))
                return syntax_error(p);
            if (strcmp(name, "fillfactor") == 0) {
                if (v->kind != TOK_INTEGER)
                    return dd_err(p->err, DD_EINVALID_PARAM, -1, "invalid value for integer option \"fillfactor\": %.*s",
                                  v->kind == TOK_STRING || !v->str ? (int)v->len : (int)strlen(v->str),
                                  v->kind == TOK_STRING || !v->str ? (v->str ? v->str : "") : v->str);
                long f = strtol(p->sql + v->start, NULL, 10);
                if (f < 10 || f > 100)
                    return dd_err(p->err, DD_EINVALID_PARAM, -1, "value %ld out of bounds for option \"fillfactor\"", f);
            }
            if (strcmp(name, "oids") == 0 && !is_kw(v, KW_FALSE) && !is_name(v, "off") &&
                !(v->kind == TOK_INTEGER && v->end - v->start == 1 && p->sql[v->start] == '0'))
                return dd_err(p->err, DD_EFEATURE, -1, "tables declared WITH OIDS are not supported");
            advance(p);
        }
    } while (accept(p, TOK_COMMA));
    return expect(p, TOK_RPAREN);
}

/* CREATE [UNIQUE] INDEX [CONCURRENTLY] [[IF NOT EXISTS] name] ON [ONLY] t
 * [USING btree] (elem [ASC|DESC] [NULLS FIRST|LAST], ...) */
static int parse_create_index(Parser *p, Stmt *st)
{
    CreateIndexStmt *ci = NULL;
    int cap = 0;
    NEW(ci);
    st->kind = STMT_CREATE_INDEX;
    st->u.create_index = ci;
    ci->unique = accept_kw(p, KW_UNIQUE);
    TRY(expect_kw(p, KW_INDEX));
    if (is_kw(tok(p), KW_CONCURRENTLY)) advance(p);   /* every build is atomic anyway */
    ci->if_not_exists = accept_if_not_exists(p);
    if (!is_kw(tok(p), KW_ON)) TRY(parse_colid(p, &ci->name, &ci->name_loc));
    else if (ci->if_not_exists) return syntax_error(p);
    TRY(expect_kw(p, KW_ON));
    accept_kw(p, KW_ONLY);
    TRY(parse_qualified_name(p, &ci->table, &ci->table_loc));
    if (accept_kw(p, KW_USING)) {
        /* every method builds DriftDB's one kind of index (ordered, like
         * btree): same answers; it serves equality and ranges, not
         * containment or distance (docs/query-engine.md) */
        Token *m = tok(p);
        if (!is_word(m, "btree") && !is_word(m, "hash") && !is_word(m, "gin") && !is_word(m, "gist") &&
            !is_word(m, "brin") && !is_word(m, "spgist"))
            return dd_err(p->err, DD_EUNDEFINED_OBJECT, m->start, "access method \"%.*s\" does not exist",
                          (int)(m->end - m->start), p->sql + m->start);
        ci->method = m->str;
        advance(p);
    }
    TRY(expect(p, TOK_LPAREN));
    do {
        IndexElem *e = NULL;
        NEW(e);
        Token *t = tok(p);
        e->start = e->loc = t->start;
        if (t->kind == TOK_LPAREN) {
            advance(p);
            TRY(parse_expr(p, 0, &e->expr));
            TRY(expect(p, TOK_RPAREN));
        } else if (is_colid(t) && peek(p, 1)->kind != TOK_LPAREN && peek(p, 1)->kind != TOK_DOT) {
            TRY(parse_colid(p, &e->col, &e->loc));
        } else {
            TRY(parse_expr(p, P_OR, &e->expr));
            if (e->expr->kind != EXPR_FUNC) return syntax_error(p);
        }
        e->end = p->toks[p->pos - 1].end;
        if (is_kw(tok(p), KW_COLLATE)) TRY(parse_collate(p));
        /* an operator class: the *_pattern_ops order bytes as DriftDB's
         * keys always do; the others are the types' defaults */
        Token *oc = tok(p);
        if (oc->kind == TOK_IDENT && !is_kw(oc, KW_DESC) && !is_kw(oc, KW_ASC) && !is_kw(oc, KW_NULLS)) {
            size_t n = (size_t)(oc->end - oc->start);
            if (n < 5 || strncmp(p->sql + oc->end - 4, "_ops", 4) != 0)
                return dd_err(p->err, DD_EUNDEFINED_OBJECT, oc->start,
                              "operator class \"%.*s\" does not exist for access method \"%s\"", (int)n,
                              p->sql + oc->start, ci->method ? ci->method : "btree");
            advance(p);
        }
        if (accept_kw(p, KW_DESC)) e->desc = true;
        else accept_kw(p, KW_ASC);
        if (accept_kw(p, KW_NULLS)) {
            if (accept_kw(p, KW_FIRST)) e->nulls = 1;
            else if (accept_kw(p, KW_LAST)) e->nulls = 2;
            else return syntax_error(p);
        }
        PUSH(ci->elems, ci->nelems, cap, e);
    } while (accept(p, TOK_COMMA));
    TRY(expect(p, TOK_RPAREN));
    if (is_word(tok(p), "include")) {
        advance(p);
        TRY(parse_name_list(p, &ci->include, &ci->include_locs, &ci->ninclude));
    }
    /* what PostgreSQL's other methods cannot do, refused as there */
    if (ci->method && strcmp(ci->method, "btree") != 0) {
        if (ci->unique)
            return dd_err(p->err, DD_EFEATURE, -1, "access method \"%s\" does not support unique indexes", ci->method);
        if (ci->ninclude && strcmp(ci->method, "gist") != 0 && strcmp(ci->method, "spgist") != 0)
            return dd_err(p->err, DD_EFEATURE, -1, "access method \"%s\" does not support included columns", ci->method);
        if (ci->nelems > 1 && (strcmp(ci->method, "hash") == 0 || strcmp(ci->method, "spgist") == 0))
            return dd_err(p->err, DD_EFEATURE, -1, "access method \"%s\" does not support multicolumn indexes",
                          ci->method);
    }
    if (is_kw(tok(p), KW_WITH)) {
        advance(p);
        TRY(parse_reloptions(p, true, true, NULL, NULL));
    }
    Token *t = tok(p);
    if (is_word(t, "tablespace") || is_word(t, "nulls"))
        return not_supported(p, t->start, "this CREATE INDEX clause");
    if (accept_kw(p, KW_WHERE)) {
        ci->where_start = tok(p)->start;
        TRY(parse_expr(p, 0, &ci->where));
        ci->where_end = p->toks[p->pos - 1].end;
    }
    return DD_OK;
}

/* [+|-] integer of a sequence option */
static int parse_seq_int(Parser *p, i64 *out)
{
    bool neg = false;
    if (tok(p)->kind == TOK_MINUS || tok(p)->kind == TOK_PLUS) {
        neg = tok(p)->kind == TOK_MINUS;
        advance(p);
    }
    Token *t = tok(p);
    if (t->kind != TOK_INTEGER) return syntax_error(p);
    int len = t->end - t->start;
    const char *digits = p->sql + t->start;
    unsigned long long v = 0;
    bool over = false;
    for (int i = 0; i < len; i++) {
        over |= v > (ULLONG_MAX - 9) / 10;
        v = v * 10 + (unsigned)(digits[i] - '0');
    }
    if (over || v > (unsigned long long)INT64_MAX + (neg ? 1 : 0))
        return dd_err(p->err, DD_EOUT_OF_RANGE, t->start, "value \"%s%.*s\" is out of range for type bigint", neg ? "-" : "",
                      len, digits);
    *out = neg ? (i64)(0 - (u64)v) : (i64)v;
    advance(p);
    return DD_OK;
}

/* ---- COMMENT ON ---- */

static int parse_comment(Parser *p, Stmt *st)
{
    CommentStmt *c = NULL;
    NEW(c);
    st->kind = STMT_COMMENT;
    st->u.comment = c;
    advance(p);   /* COMMENT */
    TRY(expect_kw(p, KW_ON));
    Token *t = tok(p);
    if (is_kw(t, KW_TABLE)) c->what = "table";
    else if (is_name(t, "view")) c->what = "view";
    else if (is_name(t, "sequence")) c->what = "sequence";
    else if (is_name(t, "column")) c->what = "column";
    else if (t->kind == TOK_IDENT) return not_supported(p, t->start, "COMMENT ON this kind of object");
    else return syntax_error(p);
    advance(p);
    c->loc = tok(p)->start;
    char *name;
    TRY(parse_qualified_name(p, &name, NULL));
    if (strcmp(c->what, "column") == 0) {
        char *dot = strrchr(name, '.');
        if (!dot) return dd_err(p->err, DD_ESYNTAX, c->loc, "column name must be qualified");
        *dot = '\0';
        c->col = dot + 1;
    }
    c->name = name;
    if (!is_name(tok(p), "is")) return syntax_error(p);
    advance(p);
    if (accept_kw(p, KW_NULL)) return DD_OK;
    if (tok(p)->kind != TOK_STRING) return syntax_error(p);
    c->text = tok(p)->str;
    advance(p);
    return DD_OK;
}

/* ---- MERGE ---- */

static int parse_merge_when(Parser *p, MergeStmt *m, MergeWhen **out)
{
    MergeWhen *w = NULL;
    NEW(w);
    w->loc = tok(p)->start;
    TRY(expect_kw(p, KW_WHEN));
    if (accept_kw(p, KW_NOT)) {
        w->matched = false;
    } else {
        w->matched = true;
    }
    if (!is_name(tok(p), "matched")) return syntax_error(p);
    advance(p);
    if (!w->matched && is_kw(tok(p), KW_BY)) return not_supported(p, tok(p)->start, "WHEN NOT MATCHED BY");
    if (accept_kw(p, KW_AND)) TRY(parse_expr(p, P_OR, &w->cond));
    TRY(expect_kw(p, KW_THEN));
    Token *t = tok(p);
    if (is_name(t, "do") && is_name(peek(p, 1), "nothing")) {
        advance(p);
        advance(p);
        w->action = MERGE_NOTHING;
    } else if (w->matched && is_kw(t, KW_UPDATE)) {
        advance(p);
        TRY(expect_kw(p, KW_SET));
        TRY(parse_set_list(p, &w->set, &w->nset));
        qualify_assignments(w->set, w->nset, m->alias ? m->alias : m->table);
        w->action = MERGE_UPDATE;
    } else if (w->matched && is_kw(t, KW_DELETE)) {
        advance(p);
        w->action = MERGE_DELETE;
    } else if (!w->matched && is_kw(t, KW_INSERT)) {
        advance(p);
        w->action = MERGE_INSERT;
        if (tok(p)->kind == TOK_LPAREN) TRY(parse_name_list(p, &w->cols, &w->col_locs, &w->ncols));
        if (is_name(tok(p), "overriding")) return not_supported(p, tok(p)->start, "OVERRIDING in MERGE");
        if (is_kw(tok(p), KW_DEFAULT)) {
            advance(p);
            if (!is_name(tok(p), "values")) return syntax_error(p);
            advance(p);
            w->default_values = true;
        } else {
            if (!is_name(tok(p), "values")) return syntax_error(p);
            advance(p);
            TRY(expect(p, TOK_LPAREN));
            int cap = 0;
            do {
                Expr *e = NULL;
                if (is_kw(tok(p), KW_DEFAULT)) TRY(parse_default_value(p, &e));
                else TRY(parse_expr(p, P_OR, &e));
                PUSH(w->values, w->nvalues, cap, e);
            } while (accept(p, TOK_COMMA));
            TRY(expect(p, TOK_RPAREN));
        }
    } else {
        return syntax_error(p);
    }
    *out = w;
    return DD_OK;
}

static int parse_merge(Parser *p, Stmt *st)
{
    MergeStmt *m = NULL;
    NEW(m);
    st->kind = STMT_MERGE;
    st->u.merge = m;
    advance(p);   /* MERGE */
    TRY(expect_kw(p, KW_INTO));
    if (is_kw(tok(p), KW_ONLY)) advance(p);
    TRY(parse_qualified_name(p, &m->table, &m->table_loc));
    TRY(parse_alias(p, &m->alias, false));
    TRY(expect_kw(p, KW_USING));
    TRY(parse_table_primary(p, &m->source));
    TRY(expect_kw(p, KW_ON));
    TRY(parse_expr(p, P_OR, &m->on));
    int cap = 0;
    do {
        MergeWhen *w = NULL;
        TRY(parse_merge_when(p, m, &w));
        PUSH(m->whens, m->nwhens, cap, w);
    } while (is_kw(tok(p), KW_WHEN));
    if (is_kw(tok(p), KW_RETURNING)) return not_supported(p, tok(p)->start, "MERGE ... RETURNING");
    return DD_OK;
}

/* ---- PREPARE / EXECUTE / DEALLOCATE ---- */

static int parse_prepare(Parser *p, Stmt *st)
{
    PrepareStmt *ps = NULL;
    NEW(ps);
    st->u.prepare = ps;
    Token *t = tok(p);
    advance(p);
    int loc;
    if (is_word(t, "deallocate")) {
        st->kind = STMT_DEALLOCATE;
        if (is_word(tok(p), "prepare")) advance(p);
        if (accept_kw(p, KW_ALL)) return DD_OK;
        return parse_colid(p, &ps->name, &loc);
    }
    TRY(parse_colid(p, &ps->name, &loc));
    if (is_word(t, "execute")) {
        st->kind = STMT_EXECUTE;
        if (!accept(p, TOK_LPAREN)) return DD_OK;
        int cap = 0;
        do {
            Expr *e = NULL;
            TRY(parse_expr(p, P_OR, &e));
            PUSH(ps->args, ps->nargs, cap, e);
        } while (accept(p, TOK_COMMA));
        return expect(p, TOK_RPAREN);
    }
    st->kind = STMT_PREPARE;
    if (accept(p, TOK_LPAREN)) {
        int cap = 0;
        do {
            TypeName tn;
            TRY(parse_typename(p, &tn));
            PUSH(ps->types, ps->ntypes, cap, tn);
        } while (accept(p, TOK_COMMA));
        TRY(expect(p, TOK_RPAREN));
    }
    TRY(expect_kw(p, KW_AS));
    if (at_end(p)) return syntax_error(p);
    /* the statement is parsed and analyzed by the engine, from its text */
    ps->body_loc = tok(p)->start;
    while (!at_end(p)) advance(p);
    return DD_OK;
}

/* ---- cursors ---- */


/* DECLARE name [BINARY] [ASENSITIVE | INSENSITIVE] [[NO] SCROLL] CURSOR
 * [{WITH | WITHOUT} HOLD] FOR query */
static int parse_declare(Parser *p, Stmt *st)
{
    CursorStmt *c = NULL;
    NEW(c);
    st->kind = STMT_DECLARE;
    st->u.cursor = c;
    advance(p);   /* DECLARE */
    int loc;
    TRY(parse_colid(p, &c->name, &loc));
    for (;;) {
        Token *t = tok(p);
        if (is_name(t, "binary")) { c->binary = true; advance(p); }
        else if (is_name(t, "asensitive") || is_name(t, "insensitive")) advance(p);
        else if (is_name(t, "scroll")) { c->scroll = true; advance(p); }
        else if (is_name(t, "no") && is_name(peek(p, 1), "scroll")) { c->no_scroll = true; advance(p); advance(p); }
        else break;
    }
    if (!is_name(tok(p), "cursor")) return syntax_error(p);
    advance(p);
    if (is_kw(tok(p), KW_WITH) || is_name(tok(p), "without")) {
        c->hold = is_kw(tok(p), KW_WITH);
        advance(p);
        if (!is_name(tok(p), "hold")) return syntax_error(p);
        advance(p);
    }
    TRY(expect_kw(p, KW_FOR));
    c->query_loc = tok(p)->start;
    Token *q = tok(p);
    if (!is_kw(q, KW_SELECT) && !is_kw(q, KW_WITH) && !is_kw(q, KW_VALUES) && q->kind != TOK_LPAREN &&
        !is_kw(q, KW_TABLE))
        return syntax_error(p);
    return parse_select(p, &c->query);
}

/* A cursor's row count: [+|-] integer. */
static int parse_cursor_count(Parser *p, i64 *out)
{
    return parse_seq_int(p, out);
}

static bool starts_count(Parser *p)
{
    Token *t = tok(p);
    return t->kind == TOK_INTEGER || ((t->kind == TOK_MINUS || t->kind == TOK_PLUS) && peek(p, 1)->kind == TOK_INTEGER);
}

/* FETCH / MOVE [NEXT | PRIOR | FIRST | LAST | ABSOLUTE n | RELATIVE n | n |
 * ALL | FORWARD [n | ALL] | BACKWARD [n | ALL]] [FROM | IN] name */
static int parse_fetch(Parser *p, Stmt *st)
{
    CursorStmt *c = NULL;
    NEW(c);
    st->kind = STMT_FETCH;
    st->u.cursor = c;
    c->move = is_name(tok(p), "move");
    advance(p);
    Token *t = tok(p);
    c->dir = CURSOR_FORWARD;
    c->count = 1;
    if (is_name(t, "next")) advance(p);
    else if (is_name(t, "prior")) { advance(p); c->dir = CURSOR_BACKWARD; }
    else if (is_name(t, "first")) { advance(p); c->dir = CURSOR_ABSOLUTE; }
    else if (is_name(t, "last")) { advance(p); c->dir = CURSOR_ABSOLUTE; c->count = -1; }
    else if (is_name(t, "absolute") || is_name(t, "relative")) {
        c->dir = is_name(t, "absolute") ? CURSOR_ABSOLUTE : CURSOR_RELATIVE;
        advance(p);
        TRY(parse_cursor_count(p, &c->count));
    } else if (starts_count(p)) {
        TRY(parse_cursor_count(p, &c->count));
        if (c->count < 0) { c->dir = CURSOR_BACKWARD; c->count = c->count == INT64_MIN ? INT64_MAX : -c->count; }
    } else if (accept_kw(p, KW_ALL)) {
        c->count = -1;
    } else if (is_name(t, "forward") || is_name(t, "backward")) {
        c->dir = is_name(t, "forward") ? CURSOR_FORWARD : CURSOR_BACKWARD;
        advance(p);
        if (accept_kw(p, KW_ALL)) c->count = -1;
        else if (starts_count(p)) {
            TRY(parse_cursor_count(p, &c->count));
            if (c->count < 0) {
                c->dir = c->dir == CURSOR_FORWARD ? CURSOR_BACKWARD : CURSOR_FORWARD;
                c->count = c->count == INT64_MIN ? INT64_MAX : -c->count;
            }
        }
    }
    if (!accept_kw(p, KW_FROM)) accept_kw(p, KW_IN);
    int loc;
    return parse_colid(p, &c->name, &loc);
}

/* Sequence options (CREATE / ALTER SEQUENCE, identity columns), until a
 * token that starts none; mode SEQOPT_ALTER allows RESTART,
 * SEQOPT_IDENTITY SEQUENCE NAME. */
static int parse_seq_options(Parser *p, SeqOptions *o, int mode)
{
    bool alter = mode == SEQOPT_ALTER;
    for (;;) {
        Token *t = tok(p);
        if (accept_kw(p, KW_AS)) {
            o->as_loc = tok(p)->start;
            TypeName tn;
            TRY(parse_typename(p, &tn));
            o->as_type = tn.name;
        } else if (is_word(t, "increment")) {
            advance(p);
            accept_kw(p, KW_BY);
            TRY(parse_seq_int(p, &o->inc));
            o->has_inc = true;
        } else if (is_word(t, "minvalue")) {
            advance(p);
            TRY(parse_seq_int(p, &o->min));
            o->has_min = true;
        } else if (is_word(t, "maxvalue")) {
            advance(p);
            TRY(parse_seq_int(p, &o->max));
            o->has_max = true;
        } else if (is_kw(t, KW_NO) && (is_word(peek(p, 1), "minvalue") || is_word(peek(p, 1), "maxvalue") ||
                                        is_word(peek(p, 1), "cycle"))) {
            advance(p);
            if (is_word(tok(p), "minvalue")) o->no_min = o->has_min = true;
            else if (is_word(tok(p), "maxvalue")) o->no_max = o->has_max = true;
            else { o->has_cycle = true; o->cycle = false; }
            advance(p);
        } else if (is_kw(t, KW_START)) {
            advance(p);
            accept_kw(p, KW_WITH);
            TRY(parse_seq_int(p, &o->start));
            o->has_start = true;
        } else if (alter && is_word(t, "restart")) {
            advance(p);
            o->has_restart = true;
            if (accept_kw(p, KW_WITH) || tok(p)->kind == TOK_INTEGER || tok(p)->kind == TOK_MINUS) {
                TRY(parse_seq_int(p, &o->restart));
                o->restart_with = true;
            }
        } else if (is_word(t, "cache")) {
            advance(p);
            TRY(parse_seq_int(p, &o->cache));
            o->has_cache = true;
        } else if (is_word(t, "cycle")) {
            advance(p);
            o->has_cycle = o->cycle = true;
        } else if (is_word(t, "owned")) {
            advance(p);
            TRY(expect_kw(p, KW_BY));
            o->has_owned = true;
            if (is_word(tok(p), "none")) {
                advance(p);
            } else {
                char *name = NULL;
                int loc;
                TRY(parse_qualified_name(p, &name, &loc));
                char *dot = strrchr(name, '.');
                if (!dot) return dd_err(p->err, DD_ESYNTAX, loc, "invalid relation name: %s", name);
                *dot = '\0';
                o->owned_table = name;
                o->owned_col = dot + 1;
            }
        } else if (mode == SEQOPT_IDENTITY && is_word(t, "sequence") && is_word(peek(p, 1), "name")) {
            advance(p);
            advance(p);
            TRY(parse_qualified_name(p, &o->seq_name, &o->seq_name_loc));
        } else if (is_word(t, "sequence") && is_word(peek(p, 1), "name")) {
            return dd_err(p->err, DD_ESYNTAX, t->start, "invalid sequence option SEQUENCE NAME");
        } else if (is_word(t, "sequence") || is_word(t, "logged") || is_word(t, "unlogged")) {
            return not_supported(p, t->start, "this sequence option");
        } else {
            return DD_OK;
        }
    }
}

/* CREATE SEQUENCE [IF NOT EXISTS] name options (after CREATE) */
static int parse_create_sequence(Parser *p, Stmt *st, bool temp)
{
    SeqStmt *q;
    advance(p);   /* SEQUENCE */
    NEW(q);
    st->kind = STMT_CREATE_SEQUENCE;
    st->u.seq = q;
    q->if_exists = accept_if_not_exists(p);
    TRY(parse_qualified_name(p, &q->name, &q->name_loc));
    q->temp = temp;
    if (strncmp(q->name, "pg_temp.", 8) == 0) {
        q->name += 8;
        q->temp = true;
    }
    return parse_seq_options(p, &q->opts, SEQOPT_CREATE);
}

/* ALTER SEQUENCE [IF EXISTS] name options (after ALTER) */
static int parse_alter_sequence(Parser *p, Stmt *st)
{
    SeqStmt *q;
    advance(p);   /* SEQUENCE */
    NEW(q);
    st->kind = STMT_ALTER_SEQUENCE;
    st->u.seq = q;
    q->if_exists = accept_if_exists(p);
    TRY(parse_qualified_name(p, &q->name, &q->name_loc));
    Token *t = tok(p);
    bool rename = is_word(t, "rename") && is_kw(peek(p, 1), KW_TO);
    bool owner = is_word(t, "owner") && is_kw(peek(p, 1), KW_TO);
    if (rename || owner || (is_kw(t, KW_SET) && is_word(peek(p, 1), "schema"))) {
        /* RENAME TO n / OWNER TO r / SET SCHEMA s: as ALTER TABLE does them */
        AlterTableStmt *a;
        AlterCmd *c;
        int cap = 0;
        NEW(a);
        NEW(c);
        a->table = q->name;
        a->table_loc = q->name_loc;
        a->if_exists = q->if_exists;
        a->sequence = true;
        c->loc = t->start;
        c->kind = rename ? ALTER_RENAME_TABLE : owner ? ALTER_OWNER : ALTER_SET_SCHEMA;
        advance(p);
        advance(p);
        if (owner) TRY(parse_role(p, &c->newname));   /* NULL: the session's user */
        else TRY(parse_colid(p, &c->newname, NULL));
        PUSH(a->cmds, a->ncmds, cap, c);
        st->kind = STMT_ALTER_TABLE;
        st->u.alter = a;
        return DD_OK;
    }
    if (is_word(t, "rename") || is_word(t, "owner") || is_kw(t, KW_SET))
        return not_supported(p, t->start, "this ALTER SEQUENCE");
    return parse_seq_options(p, &q->opts, SEQOPT_ALTER);
}

/* CREATE [OR REPLACE] VIEW name [(col, ...)] AS query (after CREATE [OR
 * REPLACE]); WITH (options) and WITH CHECK OPTION are refused. */
static int parse_create_view(Parser *p, Stmt *st, bool or_replace, bool temp)
{
    CreateViewStmt *v;
    advance(p);   /* VIEW */
    NEW(v);
    st->kind = STMT_CREATE_VIEW;
    st->u.create_view = v;
    v->or_replace = or_replace;
    v->temp = temp;
    TRY(parse_qualified_name(p, &v->name, &v->name_loc));
    if (tok(p)->kind == TOK_LPAREN) TRY(parse_name_list(p, &v->cols, NULL, &v->ncols));
    if (is_kw(tok(p), KW_WITH)) return not_supported(p, tok(p)->start, "view options");
    TRY(expect_kw(p, KW_AS));
    Token *t = tok(p);
    if (!is_kw(t, KW_SELECT) && !is_kw(t, KW_WITH) && !is_kw(t, KW_VALUES) && !is_kw(t, KW_TABLE) &&
        t->kind != TOK_LPAREN)
        return syntax_error(p);
    v->body_start = t->start;
    TRY(parse_select(p, &v->select));
    v->body_end = p->toks[p->pos - 1].end;
    if (is_kw(tok(p), KW_WITH)) return not_supported(p, tok(p)->start, "WITH CHECK OPTION");
    return DD_OK;
}

/* ---- CREATE / ALTER / DROP TYPE ---- */

/* A string literal into *out (and its position into *loc). */
static int parse_string_lit(Parser *p, char **out, int *loc)
{
    Token *t = tok(p);
    if (t->kind != TOK_STRING) return syntax_error(p);
    *out = t->str;
    if (loc) *loc = t->start;
    advance(p);
    return DD_OK;
}

/* CREATE TYPE name AS ENUM ('label', ...) (after CREATE) */
static int parse_create_type(Parser *p, Stmt *st)
{
    TypeStmt *ty;
    int cap = 0;
    advance(p);   /* TYPE */
    NEW(ty);
    st->kind = STMT_TYPE;
    st->u.type = ty;
    ty->action = TYPE_CREATE_ENUM;
    ty->n = 1;
    ty->names = arena_alloc(p->a, sizeof(char *));
    ty->locs = arena_alloc(p->a, sizeof(int));
    if (!ty->names || !ty->locs) return nomem(p);
    TRY(parse_qualified_name(p, &ty->names[0], &ty->locs[0]));
        if (!is_kw(tok(p), KW_AS)) return not_supported(p, tok(p)->start, "CREATE TYPE other than AS ENUM");
    advance(p);
    if (!is_name(tok(p), "enum"))
        return tok(p)->kind == TOK_LPAREN || tok(p)->kind == TOK_IDENT
                   ? not_supported(p, tok(p)->start, "CREATE TYPE other than AS ENUM") : syntax_error(p);
    advance(p);
    TRY(expect(p, TOK_LPAREN));
    if (accept(p, TOK_RPAREN)) return DD_OK;
    int lcap = 0, nl = 0;
    do {
        char *label = NULL;
        int loc = 0;
        TRY(parse_string_lit(p, &label, &loc));
        PUSH(ty->label_locs, nl, lcap, loc);
        PUSH(ty->labels, ty->nlabels, cap, label);
    } while (accept(p, TOK_COMMA));
    return expect(p, TOK_RPAREN);
}

/* ALTER TYPE name {ADD VALUE ... | RENAME VALUE ... | RENAME TO ...} (after ALTER) */
static int parse_alter_type(Parser *p, Stmt *st)
{
    TypeStmt *ty;
    advance(p);   /* TYPE */
    NEW(ty);
    st->kind = STMT_TYPE;
    st->u.type = ty;
    ty->n = 1;
    ty->names = arena_alloc(p->a, sizeof(char *));
    ty->locs = arena_alloc(p->a, sizeof(int));
    ty->labels = arena_alloc(p->a, sizeof(char *) * 2);
    ty->label_locs = arena_alloc(p->a, sizeof(int) * 2);
    if (!ty->names || !ty->locs || !ty->labels || !ty->label_locs) return nomem(p);
    TRY(parse_qualified_name(p, &ty->names[0], &ty->locs[0]));
        Token *t = tok(p);
    if (is_name(t, "add") && is_name(peek(p, 1), "value")) {
        advance(p);
        advance(p);
        ty->action = TYPE_ADD_VALUE;
        ty->if_exists = accept_if_not_exists(p);
        TRY(parse_string_lit(p, &ty->labels[0], &ty->label_locs[0]));
        ty->nlabels = 1;
        if (is_name(tok(p), "before") || is_name(tok(p), "after")) {
            ty->before = is_name(tok(p), "before");
            advance(p);
            TRY(parse_string_lit(p, &ty->anchor, &ty->anchor_loc));
        }
        return DD_OK;
    }
    if (is_name(t, "rename") && is_name(peek(p, 1), "value")) {
        advance(p);
        advance(p);
        ty->action = TYPE_RENAME_VALUE;
        TRY(parse_string_lit(p, &ty->labels[0], &ty->label_locs[0]));
        TRY(expect_kw(p, KW_TO));
        TRY(parse_string_lit(p, &ty->labels[1], &ty->label_locs[1]));
        ty->nlabels = 2;
        return DD_OK;
    }
    if (is_name(t, "rename") && is_kw(peek(p, 1), KW_TO)) {
        advance(p);
        advance(p);
        ty->action = TYPE_RENAME;
        return parse_colid(p, &ty->new_name, &ty->new_loc);
    }
    if (is_name(t, "owner") && is_kw(peek(p, 1), KW_TO)) {
        /* OWNER TO role: DriftDB has one role, which owns everything (as ALTER TABLE's) */
        advance(p);
        advance(p);
        ty->action = TYPE_OWNER;
        return parse_role(p, &ty->new_name);   /* NULL: the session's user */
    }
    if (t->kind == TOK_IDENT) return not_supported(p, t->start, "this ALTER TYPE");
    return syntax_error(p);
}

/* [CONSTRAINT name] CHECK (e) of a domain into a new Constraint appended to ty. */
static int parse_domain_check(Parser *p, TypeStmt *ty, char *name, int loc)
{
    Constraint *c;
    NEW(c);
    c->kind = CONSTR_CHECK;
    c->name = name;
    c->loc = loc;
    TRY(expect(p, TOK_LPAREN));
    c->check_start = tok(p)->start;
    TRY(parse_expr(p, P_OR, &c->check));
    c->check_end = p->toks[p->pos - 1].end;
    TRY(expect(p, TOK_RPAREN));
    if (is_kw(tok(p), KW_NOT) && is_word(peek(p, 1), "valid")) {
        /* ALTER DOMAIN ADD ... NOT VALID: the rows there are stay unchecked */
        advance(p);
        if (ty->alter != 'A') return syntax_error(p);   /* CREATE DOMAIN's: at VALID, as PostgreSQL */
        advance(p);
        c->not_valid = true;
    }
    Constraint **nc = arena_alloc(p->a, sizeof(Constraint *) * (size_t)(ty->nchecks + 1));
    if (!nc) return nomem(p);
    if (ty->nchecks) memcpy(nc, ty->checks, sizeof(Constraint *) * (size_t)ty->nchecks);
    nc[ty->nchecks++] = c;
    ty->checks = nc;
    return DD_OK;
}

/* The one-name list of a CREATE / ALTER DOMAIN. */
static int parse_domain_name(Parser *p, TypeStmt *ty)
{
    ty->n = 1;
    ty->names = arena_alloc(p->a, sizeof(char *));
    ty->locs = arena_alloc(p->a, sizeof(int));
    if (!ty->names || !ty->locs) return nomem(p);
    TRY(parse_qualified_name(p, &ty->names[0], &ty->locs[0]));
        return DD_OK;
}

/* CREATE DOMAIN name [AS] type [DEFAULT e] [[CONSTRAINT n] {NOT NULL | NULL | CHECK (e)}] ... (after CREATE) */
static int parse_create_domain(Parser *p, Stmt *st)
{
    TypeStmt *ty;
    advance(p);   /* DOMAIN */
    NEW(ty);
    st->kind = STMT_TYPE;
    st->u.type = ty;
    ty->action = TYPE_CREATE_DOMAIN;
    ty->not_null = -1;
    TRY(parse_domain_name(p, ty));
    accept_kw(p, KW_AS);
    TRY(parse_typename(p, &ty->base));
    for (;;) {
        Token *t = tok(p);
        char *cname = NULL;
        int cloc = t->start;
        if (is_kw(t, KW_DEFAULT)) {
            if (ty->default_) return dd_err(p->err, DD_ESYNTAX, t->start, "multiple default expressions");
            advance(p);
            TRY(parse_expr(p, P_IN + 1, &ty->default_));
            ty->default_end = p->toks[p->pos - 1].end;
            continue;
        }
        if (is_word(t, "collate") || is_kw(t, KW_COLLATE)) return not_supported(p, t->start, "COLLATE in a domain");
        if (accept_kw(p, KW_CONSTRAINT)) TRY(parse_colid(p, &cname, NULL));
        t = tok(p);
        if (is_kw(t, KW_NOT) && is_kw(peek(p, 1), KW_NULL)) {
            advance(p);
            advance(p);
            if (ty->not_null == 0) return dd_err(p->err, DD_ESYNTAX, t->start, "conflicting NULL/NOT NULL constraints");
            ty->not_null = 1;
        } else if (is_kw(t, KW_NULL)) {
            advance(p);
            if (ty->not_null == 1) return dd_err(p->err, DD_ESYNTAX, t->start, "conflicting NULL/NOT NULL constraints");
            ty->not_null = 0;
        } else if (accept_kw(p, KW_CHECK)) {
            TRY(parse_domain_check(p, ty, cname, cloc));
        } else if (cname) {
            return syntax_error(p);
        } else {
            return DD_OK;
        }
    }
}

/* ALTER DOMAIN name action (after ALTER) */
static int parse_alter_domain(Parser *p, Stmt *st)
{
    TypeStmt *ty;
    advance(p);   /* DOMAIN */
    NEW(ty);
    st->kind = STMT_TYPE;
    st->u.type = ty;
    ty->action = TYPE_ALTER_DOMAIN;
    TRY(parse_domain_name(p, ty));
    Token *t = tok(p);
    if (is_kw(t, KW_SET) && is_kw(peek(p, 1), KW_DEFAULT)) {
        advance(p);
        advance(p);
        ty->alter = 'S';
        TRY(parse_expr(p, P_IN + 1, &ty->default_));
        ty->default_end = p->toks[p->pos - 1].end;
        return DD_OK;
    }
    if (is_name(t, "drop") && is_kw(peek(p, 1), KW_DEFAULT)) {
        advance(p);
        advance(p);
        ty->alter = 'D';
        return DD_OK;
    }
    if ((is_kw(t, KW_SET) || is_name(t, "drop")) && is_kw(peek(p, 1), KW_NOT) && is_kw(peek(p, 2), KW_NULL)) {
        ty->alter = is_kw(t, KW_SET) ? 'N' : 'n';
        advance(p);
        advance(p);
        advance(p);
        return DD_OK;
    }
    if (is_name(t, "add")) {
        advance(p);
        char *cname = NULL;
        int cloc = tok(p)->start;
        if (accept_kw(p, KW_CONSTRAINT)) TRY(parse_colid(p, &cname, NULL));
        if (is_kw(tok(p), KW_NOT) && is_kw(peek(p, 1), KW_NULL))
            return not_supported(p, tok(p)->start, "ALTER DOMAIN ADD NOT NULL (use SET NOT NULL)");
        if (!accept_kw(p, KW_CHECK)) return syntax_error(p);
        ty->alter = 'A';
        return parse_domain_check(p, ty, cname, cloc);
    }
    if (is_name(t, "validate") && is_kw(peek(p, 1), KW_CONSTRAINT)) {
        advance(p);
        advance(p);
        ty->alter = 'V';
        return parse_colid(p, &ty->cname, &ty->cname_loc);
    }
    if (is_name(t, "rename") && is_kw(peek(p, 1), KW_TO)) {
        advance(p);
        advance(p);
        ty->action = TYPE_RENAME;
        ty->domain = true;
        return parse_colid(p, &ty->new_name, &ty->new_loc);
    }
    if (is_name(t, "drop") && is_kw(peek(p, 1), KW_CONSTRAINT)) {
        advance(p);
        advance(p);
        ty->alter = 'X';
        ty->if_exists = accept_if_exists(p);
        TRY(parse_colid(p, &ty->cname, &ty->cname_loc));
        ty->cascade = accept_kw(p, KW_CASCADE);
        if (!ty->cascade) accept_kw(p, KW_RESTRICT);
        return DD_OK;
    }
    if (is_name(t, "owner") && is_kw(peek(p, 1), KW_TO)) {
        advance(p);
        advance(p);
        ty->action = TYPE_OWNER;
        ty->domain = true;
        return parse_role(p, &ty->new_name);
    }
    if (t->kind == TOK_IDENT) return not_supported(p, t->start, "this ALTER DOMAIN");
    return syntax_error(p);
}

/* DROP TYPE [IF EXISTS] name, ... [CASCADE | RESTRICT] (after DROP) */
static int parse_drop_type(Parser *p, Stmt *st)
{
    TypeStmt *ty;
    int cap = 0;
    bool domain = is_word(tok(p), "domain");
    advance(p);   /* TYPE or DOMAIN */
    NEW(ty);
    st->kind = STMT_TYPE;
    st->u.type = ty;
    ty->action = TYPE_DROP;
    ty->domain = domain;
    ty->if_exists = accept_if_exists(p);
    int lcap = 0, nl = 0;
    do {
        char *name = NULL;
        int loc = 0;
        TRY(parse_qualified_name(p, &name, &loc));
        PUSH(ty->locs, nl, lcap, loc);
        PUSH(ty->names, ty->n, cap, name);
    } while (accept(p, TOK_COMMA));
    ty->cascade = accept_kw(p, KW_CASCADE);
    if (!ty->cascade) accept_kw(p, KW_RESTRICT);
    return DD_OK;
}

/* [ON COMMIT {PRESERVE ROWS | DELETE ROWS | DROP}] of CREATE TABLE */
static int parse_on_commit(Parser *p, CreateTableStmt *ct)
{
    if (!is_kw(tok(p), KW_ON) || !is_name(peek(p, 1), "commit")) return DD_OK;
    ct->on_commit_loc = tok(p)->start;
    advance(p);
    advance(p);
    Token *t = tok(p);
    if (is_name(t, "drop")) {
        ct->on_commit = 'D';
        advance(p);
        return DD_OK;
    }
    if (is_name(t, "preserve")) ct->on_commit = 'p';
    else if (is_name(t, "delete")) ct->on_commit = 'd';
    else return syntax_error(p);
    advance(p);
    if (!is_name(tok(p), "rows")) return syntax_error(p);
    advance(p);
    return DD_OK;
}

static int parse_extension(Parser *p, Stmt *st, bool drop);
static int parse_schema(Parser *p, Stmt *st, char action);

static int parse_create(Parser *p, Stmt *st)
{
    Token *t;
    CreateTableStmt *ct;
    int cap = 0, icap = 0, ncap = 0, lcap = 0, nn = 0, nl = 0;
    advance(p);   /* CREATE */
    t = tok(p);
    bool or_replace = false;
    if (is_kw(t, KW_OR) && is_word(peek(p, 1), "replace")) {
        advance(p);
        advance(p);
        or_replace = true;
        t = tok(p);
        if (!is_word(t, "view") && !is_word(t, "temp") && !is_word(t, "temporary"))
            return t->kind == TOK_IDENT ? not_supported(p, t->start, "this CREATE OR REPLACE") : syntax_error(p);
    }
    /* [GLOBAL | LOCAL] {TEMP | TEMPORARY}: PostgreSQL reads GLOBAL and
     * LOCAL as TEMP (GLOBAL with a warning we do not repeat) */
    bool temp = false;
    if ((is_kw(t, KW_LOCAL) || is_word(t, "global")) &&
        (is_word(peek(p, 1), "temp") || is_word(peek(p, 1), "temporary"))) {
        advance(p);
        t = tok(p);
    }
    if (is_word(t, "temp") || is_word(t, "temporary")) {
        temp = true;
        advance(p);
        t = tok(p);
        if (!is_word(t, "view") && !is_kw(t, KW_TABLE) && !is_word(t, "sequence")) return syntax_error(p);
    }
    if (is_word(t, "view")) return parse_create_view(p, st, or_replace, temp);
    if (is_word(t, "recursive") && is_word(peek(p, 1), "view"))
        return not_supported(p, t->start, "CREATE RECURSIVE VIEW (write the view's query as WITH RECURSIVE)");
    if (or_replace) return syntax_error(p);
    if (is_word(t, "unlogged"))
        return not_supported(p, t->start, "CREATE UNLOGGED TABLE");
    if (is_kw(t, KW_INDEX) || (is_kw(t, KW_UNIQUE) && is_kw(peek(p, 1), KW_INDEX)))
        return parse_create_index(p, st);
    if (is_word(t, "sequence")) return or_replace ? syntax_error(p) : parse_create_sequence(p, st, temp);
    if (is_word(t, "type")) return parse_create_type(p, st);
    if (is_word(t, "domain")) return parse_create_domain(p, st);
    if (is_word(t, "extension")) return parse_extension(p, st, false);
    if (is_word(t, "schema")) return parse_schema(p, st, 'c');
    if (!or_replace && !temp && (is_word(t, "role") || is_kw(t, KW_USER) || is_kw(t, KW_GROUP)))
        return parse_create_role(p, st);
    static const char *const later[] = {"database", "function", "procedure", "trigger",
                                        "materialized", "rule", "policy", "aggregate",
                                        "cast", "collation", "operator", "publication", "subscription", "tablespace"};
    bool known = false;
    for (size_t i = 0; i < DD_ARRAY_LEN(later) && !known; i++)
        known = t->kind == TOK_IDENT && strcmp(t->str, later[i]) == 0;
    if (is_kw(t, KW_UNIQUE) || known) {
        char what[64];
        snprintf(what, sizeof what, "CREATE %s", is_kw(t, KW_UNIQUE) ? "UNIQUE INDEX" : t->str);
        for (char *c = what; *c; c++) if (*c >= 'a' && *c <= 'z') *c = (char)(*c - 32);
        return not_supported(p, t->start, what);
    }
    TRY(expect_kw(p, KW_TABLE));
    NEW(ct);
    st->kind = STMT_CREATE_TABLE;
    st->u.create = ct;
    ct->temp = temp;
    ct->if_not_exists = accept_if_not_exists(p);
    TRY(parse_qualified_name(p, &ct->name, NULL));
    if (strncmp(ct->name, "pg_temp.", 8) == 0) {
        /* CREATE TABLE pg_temp.t makes a temporary table, as PostgreSQL */
        ct->name += 8;
        ct->temp = true;
    }
    t = tok(p);
    if (t->kind == TOK_LPAREN && p->match[p->pos] > 0) {
        /* (cols) ON COMMIT ... AS: the AS follows the ON COMMIT clause */
        int a = p->match[p->pos] + 1;
        if (a + 3 < p->ntoks && is_kw(&p->toks[a], KW_ON) && is_name(&p->toks[a + 1], "commit"))
            a += is_name(&p->toks[a + 2], "drop") ? 3 : 4;
        if (a < p->ntoks && is_kw(&p->toks[a], KW_AS)) TRY(parse_name_list(p, &ct->as_cols, NULL, &ct->nas_cols));
    }
    TRY(parse_on_commit(p, ct));
    if (ct->nas_cols && !is_kw(tok(p), KW_AS)) return syntax_error(p);
    if (accept_kw(p, KW_AS)) {
        t = tok(p);
        if (!is_kw(t, KW_SELECT) && !is_kw(t, KW_WITH) && !is_kw(t, KW_TABLE) && !is_kw(t, KW_VALUES) &&
            t->kind != TOK_LPAREN) {
            if (is_word(t, "execute")) return not_supported(p, t->start, "CREATE TABLE AS EXECUTE");
            return syntax_error(p);
        }
        TRY(parse_select(p, &ct->as_select));
        if (is_kw(tok(p), KW_WITH)) {
            /* WITH [NO] DATA */
            Token *d = peek(p, 1);
            if (is_kw(d, KW_NO) && is_word(peek(p, 2), "data")) {
                ct->no_data = true;
                advance(p);
            } else if (!is_word(d, "data")) {
                return syntax_error(p);
            }
            advance(p);
            advance(p);
        }
        return DD_OK;
    }
    TRY(expect(p, TOK_LPAREN));
    if (accept(p, TOK_RPAREN)) return DD_OK;
    do {
        t = tok(p);
        if (accept_kw(p, KW_CONSTRAINT)) {
            char *cname = NULL;
            TRY(parse_colid(p, &cname, NULL));
            t = tok(p);
            if (!is_kw(t, KW_PRIMARY)) {
                Constraint *c = NULL;
                if (!is_kw(t, KW_UNIQUE) && !is_kw(t, KW_CHECK) && !is_kw(t, KW_FOREIGN))
                    return is_word(t, "exclude") ? not_supported(p, t->start, "EXCLUDE constraints") : syntax_error(p);
                TRY(parse_constraint(p, NULL, cname, &c));
                TRY(push_constraint(p, ct, c));
                continue;
            }
        }
        if (is_kw(t, KW_PRIMARY)) {
            char **cols;
            int n;
            advance(p);
            TRY(expect_kw(p, KW_KEY));
            TRY(parse_name_list(p, &cols, NULL, &n));
            TRY(set_pk(p, ct, cols, n, t->start));
        } else if (is_word(t, "pk") && peek(p, 1)->kind == TOK_EQ) {
            char **cols;
            NEW(cols);
            advance(p);
            advance(p);
            TRY(parse_colid(p, &cols[0], NULL));
            TRY(set_pk(p, ct, cols, 1, t->start));
            ct->document_style = true;
        } else if (is_kw(t, KW_INDEX) && index_item(p)) {
            char **cols, *name = NULL;
            int n;
            advance(p);
            if (tok(p)->kind != TOK_LPAREN) TRY(parse_colid(p, &name, NULL));
            TRY(parse_name_list(p, &cols, NULL, &n));
            PUSH(ct->indexes, ct->nindexes, icap, cols);
            PUSH(ct->index_ncols, nn, ncap, n);
            PUSH(ct->index_names, nl, lcap, name);
        } else if (is_kw(t, KW_UNIQUE) || is_kw(t, KW_CHECK) || is_kw(t, KW_FOREIGN)) {
            Constraint *c = NULL;
            TRY(parse_constraint(p, NULL, NULL, &c));
            TRY(push_constraint(p, ct, c));
        } else if (is_kw(t, KW_LIKE)) {
            /* LIKE source [{INCLUDING | EXCLUDING} option ...] */
            ColumnDef *cd = NULL;
            NEW(cd);
            advance(p);
            cd->like_loc = tok(p)->start;
            TRY(parse_qualified_name(p, &cd->like, NULL));
            for (;;) {
                bool inc = is_name(tok(p), "including");
                if (!inc && !is_name(tok(p), "excluding")) break;
                advance(p);
                static const struct { const char *w; unsigned bit; } opts[] = {
                    {"defaults", LIKE_DEFAULTS}, {"constraints", LIKE_CONSTRAINTS}, {"indexes", LIKE_INDEXES},
                    {"generated", LIKE_GENERATED}, {"identity", LIKE_IDENTITY}, {"comments", LIKE_COMMENTS},
                    {"statistics", 0}, {"storage", 0}, {"compression", 0}, {"all", LIKE_ALL},
                };
                unsigned bit = 0;
                bool found = false;
                for (size_t i = 0; i < DD_ARRAY_LEN(opts) && !found; i++)
                    if (is_name(tok(p), opts[i].w)) { bit = opts[i].bit; found = true; }
                if (!found) return syntax_error(p);
                advance(p);
                cd->like_opts = inc ? cd->like_opts | bit : cd->like_opts & ~bit;
            }
            PUSH(ct->cols, ct->ncols, cap, cd);
        } else if (is_word(t, "exclude")) {
            return not_supported(p, t->start, "this table constraint");
        } else {
            ColumnDef *cd = NULL;
            TRY(parse_column_def(p, ct, &cd));
            PUSH(ct->cols, ct->ncols, cap, cd);
        }
    } while (accept(p, TOK_COMMA));
    TRY(expect(p, TOK_RPAREN));
    /* SQL:2011 / MariaDB: every DriftDB table keeps its versions already */
    if (is_kw(tok(p), KW_WITH) && is_word(peek(p, 1), "system") && is_word(peek(p, 2), "versioning")) {
        advance(p);
        advance(p);
        advance(p);
    } else if (is_kw(tok(p), KW_WITH) && peek(p, 1)->kind == TOK_LPAREN) {
        advance(p);
        bool has = false;
        TRY(parse_reloptions(p, false, true, &ct->retention, &has));
    } else if (is_kw(tok(p), KW_WITHOUT) && is_word(peek(p, 1), "oids")) {
        advance(p);
        advance(p);
    }
    return parse_on_commit(p, ct);
}

/* Whether the tokens at ALTER read [COLUMN] c [SET DATA] TYPE. */
/* Whether token t starts a sequence option ALTER COLUMN ... SET takes. */
static bool identity_option(const Token *t)
{
    return is_word(t, "increment") || is_word(t, "minvalue") || is_word(t, "maxvalue") || is_kw(t, KW_NO) ||
           is_kw(t, KW_START) || is_word(t, "cache") || is_word(t, "cycle");
}

/* Whether the ALTER [COLUMN] c item whose action starts at token offset
 * k is one of an identity column's. */
static bool identity_item(Parser *p, int k)
{
    Token *a = peek(p, k), *b = peek(p, k + 1);
    return (is_word(a, "add") && is_word(b, "generated")) || (is_kw(a, KW_DROP) && is_word(b, "identity")) ||
           (is_kw(a, KW_SET) && (is_word(b, "generated") || identity_option(b))) || is_word(a, "restart");
}

/* {ALWAYS | BY DEFAULT} after GENERATED: 'a' or 'd' into *out. */
static int parse_generated_when(Parser *p, char *out)
{
    if (is_word(tok(p), "always")) {
        advance(p);
        *out = 'a';
        return DD_OK;
    }
    TRY(expect_kw(p, KW_BY));
    TRY(expect_kw(p, KW_DEFAULT));
    *out = 'd';
    return DD_OK;
}

static bool alter_type_item(Parser *p)
{
    int k = is_kw(peek(p, 1), KW_COLUMN) ? 3 : 2;
    if (is_kw(peek(p, k), KW_SET) && is_word(peek(p, k + 1), "data")) k += 2;
    return is_word(peek(p, k), "type");
}

/* ALTER TABLE [IF EXISTS] name action [, ...]:
 *   ADD [COLUMN] [IF NOT EXISTS] coldef | DROP [COLUMN] [IF EXISTS] name
 *   [CASCADE|RESTRICT] | RENAME [COLUMN] a TO b | RENAME TO newname |
 *   ALTER [COLUMN] c [SET DATA] TYPE t [USING expr] | ALTER [COLUMN] c
 *   {SET DEFAULT e | DROP DEFAULT | SET NOT NULL | DROP NOT NULL} ... */
static int parse_alter(Parser *p, Stmt *st)
{
    AlterTableStmt *a;
    int cap = 0;
    advance(p);   /* ALTER */
    if (is_word(tok(p), "sequence")) return parse_alter_sequence(p, st);
    if (is_word(tok(p), "type")) return parse_alter_type(p, st);
    if (is_word(tok(p), "domain")) return parse_alter_domain(p, st);
    if (is_word(tok(p), "schema")) return parse_schema(p, st, 'a');
    if (is_word(tok(p), "role") || is_kw(tok(p), KW_USER) || is_kw(tok(p), KW_GROUP)) return parse_alter_role(p, st);
    if (is_kw(tok(p), KW_INDEX)) {
        /* ALTER INDEX [IF EXISTS] name RENAME TO newname */
        advance(p);
        NEW(a);
        st->kind = STMT_ALTER_TABLE;
        st->u.alter = a;
        a->index = true;
        a->if_exists = accept_if_exists(p);
        TRY(parse_qualified_name(p, &a->table, &a->table_loc));
        AlterCmd *c;
        NEW(c);
        c->loc = tok(p)->start;
        if (!is_word(tok(p), "rename")) {
            if (tok(p)->kind == TOK_IDENT || is_kw(tok(p), KW_SET)) return not_supported(p, tok(p)->start, "this ALTER INDEX action");
            return syntax_error(p);
        }
        advance(p);
        TRY(expect_kw(p, KW_TO));
        c->kind = ALTER_RENAME_INDEX;
        c->name = a->table;
        TRY(parse_colid(p, &c->newname, NULL));
        PUSH(a->cmds, a->ncmds, cap, c);
        return DD_OK;
    }
    bool view = is_word(tok(p), "view");
    if (!is_kw(tok(p), KW_TABLE) && !view) {
        Token *t = tok(p);
        if (is_name(t, "default") && is_name(peek(p, 1), "privileges"))
            return not_supported(p, t->start, "ALTER DEFAULT PRIVILEGES");
        if (t->kind == TOK_IDENT) {
            /* ALTER DATABASE, ALTER FUNCTION, ...: named as written */
            char what[96];
            snprintf(what, sizeof what, "ALTER %s", t->str ? t->str : "");
            for (char *c = what; *c; c++) *c = (char)toupper((unsigned char)*c);
            return not_supported(p, t->start, what);
        }
        return syntax_error(p);
    }
    advance(p);
    NEW(a);
    st->kind = STMT_ALTER_TABLE;
    st->u.alter = a;
    a->view = view;
    a->if_exists = accept_if_exists(p);
    if (view && !(is_colid(tok(p)) && is_word(peek(p, 1), "rename") && is_kw(peek(p, 2), KW_TO)) &&
        !(is_colid(tok(p)) && is_kw(peek(p, 1), KW_SET) && is_word(peek(p, 2), "schema")) &&
        !(is_colid(tok(p)) && is_word(peek(p, 1), "owner") && is_kw(peek(p, 2), KW_TO)) &&
        !(is_colid(tok(p)) && peek(p, 1)->kind == TOK_DOT))
        return not_supported(p, tok(p)->start, "ALTER VIEW other than RENAME TO, OWNER TO and SET SCHEMA");
    accept_kw(p, KW_ONLY);   /* no inheritance: ONLY t is t (pg_dump writes it) */
    TRY(parse_qualified_name(p, &a->table, &a->table_loc));
    accept(p, TOK_STAR);
    do {
        AlterCmd *c;
        NEW(c);
        Token *t = tok(p);
        c->loc = t->start;
        if (is_word(t, "add")) {
            advance(p);
            accept_kw(p, KW_COLUMN);
            c->if_not_exists = accept_if_not_exists(p);
            char *cname = NULL;
            if (accept_kw(p, KW_CONSTRAINT)) TRY(parse_colid(p, &cname, NULL));
            if (is_kw(tok(p), KW_PRIMARY)) {
                advance(p);
                TRY(expect_kw(p, KW_KEY));
                c->kind = ALTER_ADD_PRIMARY_KEY;
                c->name = cname;
                TRY(parse_name_list(p, &c->pk_cols, NULL, &c->npk_cols));
                PUSH(a->cmds, a->ncmds, cap, c);
                continue;
            }
            if (is_word(tok(p), "exclude")) return not_supported(p, tok(p)->start, "EXCLUDE constraints");
            if (cname || is_kw(tok(p), KW_UNIQUE) || is_kw(tok(p), KW_CHECK) || is_kw(tok(p), KW_FOREIGN)) {
                c->kind = ALTER_ADD_CONSTRAINT;
                TRY(parse_constraint(p, NULL, cname, &c->con));
                PUSH(a->cmds, a->ncmds, cap, c);
                continue;
            }
            CreateTableStmt scratch;
            memset(&scratch, 0, sizeof scratch);
            scratch.name = a->table;
            c->kind = ALTER_ADD_COLUMN;
            TRY(parse_column_def(p, &scratch, &c->col));
            /* its UNIQUE, CHECK and REFERENCES: constraints added after it */
            c->col->unique = false;
            PUSH(a->cmds, a->ncmds, cap, c);
            for (int i = 0; i < scratch.ncons; i++) {
                AlterCmd *k;
                NEW(k);
                k->kind = ALTER_ADD_CONSTRAINT;
                k->loc = c->loc;
                k->con = scratch.cons[i];
                PUSH(a->cmds, a->ncmds, cap, k);
            }
            continue;
        } else if (is_kw(t, KW_DROP) && is_kw(peek(p, 1), KW_CONSTRAINT)) {
            advance(p);
            advance(p);
            c->kind = ALTER_DROP_CONSTRAINT;
            c->if_exists = accept_if_exists(p);
            TRY(parse_colid(p, &c->name, NULL));
            c->cascade = accept_kw(p, KW_CASCADE);
            if (!c->cascade) accept_kw(p, KW_RESTRICT);
        } else if (is_kw(t, KW_DROP)) {
            advance(p);
            accept_kw(p, KW_COLUMN);
            c->if_exists = accept_if_exists(p);
            int loc;
            c->kind = ALTER_DROP_COLUMN;
            TRY(parse_colid(p, &c->name, &loc));
            c->cascade = accept_kw(p, KW_CASCADE);
            if (!c->cascade) accept_kw(p, KW_RESTRICT);
        } else if (is_word(t, "validate") && is_kw(peek(p, 1), KW_CONSTRAINT)) {
            advance(p);
            advance(p);
            c->kind = ALTER_VALIDATE_CONSTRAINT;
            TRY(parse_colid(p, &c->name, NULL));
        } else if (is_word(t, "rename")) {
            advance(p);
            int loc;
            if (accept_kw(p, KW_CONSTRAINT)) {
                c->kind = ALTER_RENAME_CONSTRAINT;
                TRY(parse_colid(p, &c->name, &loc));
                TRY(expect_kw(p, KW_TO));
                TRY(parse_colid(p, &c->newname, &loc));
            } else if (accept_kw(p, KW_TO)) {
                c->kind = ALTER_RENAME_TABLE;
                TRY(parse_colid(p, &c->newname, &loc));
            } else {
                accept_kw(p, KW_COLUMN);
                c->kind = ALTER_RENAME_COLUMN;
                TRY(parse_colid(p, &c->name, &loc));
                TRY(expect_kw(p, KW_TO));
                TRY(parse_colid(p, &c->newname, &loc));
            }
        } else if (is_word(t, "alter") && identity_item(p, is_kw(peek(p, 1), KW_COLUMN) ? 3 : 2)) {
            /* ALTER [COLUMN] c {ADD GENERATED ... AS IDENTITY [(options)] |
             * DROP IDENTITY [IF EXISTS] | {SET GENERATED ... | SET option |
             * RESTART [[WITH] n]} ...} */
            advance(p);
            accept_kw(p, KW_COLUMN);
            TRY(parse_colid(p, &c->name, NULL));
            c->kind = ALTER_IDENTITY;
            if (is_word(tok(p), "add")) {
                c->ident = 'a';
                advance(p);
                advance(p);   /* GENERATED */
                TRY(parse_generated_when(p, &c->generated));
                TRY(expect_kw(p, KW_AS));
                if (!is_word(tok(p), "identity")) return syntax_error(p);
                advance(p);
                if (accept(p, TOK_LPAREN)) {
                    TRY(parse_seq_options(p, &c->idopts, SEQOPT_IDENTITY));
                    TRY(expect(p, TOK_RPAREN));
                }
            } else if (accept_kw(p, KW_DROP)) {
                c->ident = 'x';
                advance(p);   /* IDENTITY */
                c->if_exists = accept_if_exists(p);
            } else {
                c->ident = 's';
                for (;;) {
                    if (is_word(tok(p), "restart")) {
                        TRY(parse_seq_options(p, &c->idopts, SEQOPT_ALTER));
                    } else if (is_kw(tok(p), KW_SET) && is_word(peek(p, 1), "generated")) {
                        advance(p);
                        advance(p);
                        TRY(parse_generated_when(p, &c->generated));
                    } else if (is_kw(tok(p), KW_SET) && identity_option(peek(p, 1))) {
                        advance(p);
                        int before = p->pos;
                        TRY(parse_seq_options(p, &c->idopts, SEQOPT_ALTER));
                        if (p->pos == before) return syntax_error(p);
                    } else {
                        break;
                    }
                }
            }
        } else if (is_word(t, "alter") &&
                   (is_kw(peek(p, 1), KW_COLUMN) ? is_kw(peek(p, 3), KW_SET) || is_kw(peek(p, 3), KW_DROP)
                                                 : is_kw(peek(p, 2), KW_SET) || is_kw(peek(p, 2), KW_DROP)) &&
                   (is_kw(peek(p, is_kw(peek(p, 1), KW_COLUMN) ? 4 : 3), KW_DEFAULT) ||
                    is_kw(peek(p, is_kw(peek(p, 1), KW_COLUMN) ? 4 : 3), KW_NOT))) {
            /* ALTER [COLUMN] c {SET DEFAULT expr | DROP DEFAULT | SET NOT NULL | DROP NOT NULL} */
            advance(p);
            accept_kw(p, KW_COLUMN);
            TRY(parse_colid(p, &c->name, NULL));
            bool set = is_kw(tok(p), KW_SET);
            advance(p);
            if (accept_kw(p, KW_DEFAULT)) {
                c->kind = ALTER_SET_DEFAULT;
                NEW(c->col);
                c->col->name = c->name;
                c->col->loc = c->loc;
                if (set) {
                    c->col->default_start = tok(p)->start;
                    TRY(parse_expr(p, P_IN + 1, &c->col->default_));
                    c->col->default_end = p->toks[p->pos - 1].end;
                }
            } else {
                TRY(expect_kw(p, KW_NOT));
                TRY(expect_kw(p, KW_NULL));
                c->kind = ALTER_SET_NOT_NULL;
                c->not_null = set;
            }
        } else if (is_word(t, "alter") && alter_type_item(p)) {
            /* ALTER [COLUMN] c [SET DATA] TYPE t [COLLATE x] [USING expr] */
            advance(p);
            accept_kw(p, KW_COLUMN);
            TRY(parse_colid(p, &c->name, NULL));
            if (accept_kw(p, KW_SET)) advance(p);   /* DATA */
            advance(p);                              /* TYPE */
            c->kind = ALTER_TYPE;
            NEW(c->col);
            c->col->name = c->name;
            c->col->loc = c->loc;
            TRY(parse_typename(p, &c->col->type));
            if (is_kw(tok(p), KW_COLLATE)) return not_supported(p, tok(p)->start, "COLLATE");
            if (accept_kw(p, KW_USING)) {
                c->using_start = tok(p)->start;
                TRY(parse_expr(p, P_NONE, &c->using_));
                c->using_end = p->toks[p->pos - 1].end;
            }
        } else if (is_word(t, "alter") && is_kw(peek(p, is_kw(peek(p, 1), KW_COLUMN) ? 3 : 2), KW_DROP) &&
                   is_word(peek(p, is_kw(peek(p, 1), KW_COLUMN) ? 4 : 3), "expression")) {
            /* ALTER [COLUMN] c DROP EXPRESSION [IF EXISTS] */
            advance(p);
            accept_kw(p, KW_COLUMN);
            TRY(parse_colid(p, &c->name, NULL));
            advance(p);
            advance(p);
            c->kind = ALTER_DROP_EXPRESSION;
            c->if_exists = accept_if_exists(p);
        } else if (is_kw(t, KW_SET) && is_word(peek(p, 1), "schema")) {
            advance(p);
            advance(p);
            c->kind = ALTER_SET_SCHEMA;
            TRY(parse_colid(p, &c->newname, NULL));
        } else if ((is_kw(t, KW_SET) || is_kw(t, KW_RESET)) && peek(p, 1)->kind == TOK_LPAREN) {
            /* SET (storage parameters) / RESET (names) */
            bool set = is_kw(t, KW_SET), has = false;
            advance(p);
            TRY(parse_reloptions(p, false, set, &c->newname, &has));
            c->kind = has ? ALTER_SET_RETENTION : ALTER_NOOP;
        } else if (is_word(t, "owner") && is_kw(peek(p, 1), KW_TO)) {
            /* OWNER TO role */
            advance(p);
            advance(p);
            TRY(parse_role(p, &c->newname));   /* NULL: the session's user */
            c->kind = ALTER_OWNER;
        } else if (is_word(t, "alter") &&
                   is_kw(peek(p, is_kw(peek(p, 1), KW_COLUMN) ? 3 : 2), KW_SET) &&
                   is_word(peek(p, is_kw(peek(p, 1), KW_COLUMN) ? 4 : 3), "statistics")) {
            /* ALTER [COLUMN] c SET STATISTICS n: the planner's sample size */
            advance(p);
            accept_kw(p, KW_COLUMN);
            TRY(parse_colid(p, &c->name, NULL));
            advance(p);
            advance(p);
            bool neg = accept(p, TOK_MINUS);
            if (tok(p)->kind != TOK_INTEGER) return syntax_error(p);
            long v = strtol(p->sql + tok(p)->start, NULL, 10) * (neg ? -1 : 1);
            if (v < -1)
                return dd_err(p->err, DD_EINVALID_PARAM, -1, "statistics target %ld is too low", v);
            advance(p);
            c->kind = ALTER_NOOP;
        } else if (t->kind == TOK_IDENT && (is_word(t, "alter") || is_kw(t, KW_SET) || is_word(t, "owner"))) {
            return not_supported(p, t->start, "this ALTER TABLE action");
        } else {
            return syntax_error(p);
        }
        PUSH(a->cmds, a->ncmds, cap, c);
        /* as PostgreSQL's grammar: a RENAME stands alone (an action after
         * it fails at the comma) */
        if ((c->kind == ALTER_RENAME_TABLE || c->kind == ALTER_RENAME_COLUMN || c->kind == ALTER_RENAME_CONSTRAINT ||
             c->kind == ALTER_SET_SCHEMA) &&
            tok(p)->kind == TOK_COMMA)
            return syntax_error(p);
    } while (accept(p, TOK_COMMA));
    /* as PostgreSQL's grammar: RENAME stands alone */
    for (int i = 0; i < a->ncmds; i++)
        if ((a->cmds[i]->kind == ALTER_RENAME_TABLE || a->cmds[i]->kind == ALTER_RENAME_COLUMN ||
             a->cmds[i]->kind == ALTER_RENAME_CONSTRAINT) && a->ncmds > 1)
            return dd_err(p->err, DD_ESYNTAX, a->cmds[i]->loc, "syntax error at or near \"RENAME\"");
    return DD_OK;
}

/* name [, name ...] into d (DROP TABLE / DROP INDEX / ANALYZE); a name
 * followed by '(' is refused with `paren` when given. */
static int parse_name_items(Parser *p, DropTableStmt *d, const char *paren)
{
    int cap = 0, lcap = 0, nl = 0;
    do {
        char *name = NULL;
        int loc;
        TRY(parse_qualified_name(p, &name, &loc));
        if (paren && tok(p)->kind == TOK_LPAREN) return not_supported(p, tok(p)->start, paren);
        PUSH(d->names, d->n, cap, name);
        PUSH(d->locs, nl, lcap, loc);
    } while (accept(p, TOK_COMMA));
    return DD_OK;
}

/* VACUUM [(option [value], ...)] [FULL] [FREEZE] [VERBOSE] [ANALYZE]
 * [t, ...]: an ANALYZE statement marked vacuum (sql.c: plan_analyze). */
static int parse_vacuum(Parser *p, Stmt *st)
{
    DropTableStmt *d = NULL;
    NEW(d);
    st->kind = STMT_ANALYZE;
    st->u.drop = d;
    d->vacuum = true;
    advance(p);   /* VACUUM */
    if (accept(p, TOK_LPAREN)) {
        static const char *const opts[] = {"full", "freeze", "verbose", "analyze", "analyse", "disable_page_skipping",
                                           "skip_locked", "index_cleanup", "process_toast", "truncate", "parallel"};
        do {
            Token *t = tok(p);
            bool known = false;
            for (size_t i = 0; t->kind == TOK_IDENT && i < sizeof opts / sizeof opts[0] && !known; i++)
                known = strcmp(t->str, opts[i]) == 0;
            if (!known) {
                if (t->kind != TOK_IDENT) return syntax_error(p);
                return dd_err(p->err, DD_ESYNTAX, t->start, "unrecognized VACUUM option \"%s\"", t->str);
            }
            bool analyze = !strcmp(t->str, "analyze") || !strcmp(t->str, "analyse"), on = true;
            advance(p);
            Token *v = tok(p);
            if (v->kind != TOK_COMMA && v->kind != TOK_RPAREN) {   /* a value: boolean, number or word */
                if (v->kind == TOK_IDENT && v->str)
                    on = !(strcmp(v->str, "false") == 0 || strcmp(v->str, "off") == 0);
                else if (v->kind == TOK_INTEGER)
                    on = !(v->end - v->start == 1 && p->sql[v->start] == '0');
                else if (v->kind != TOK_NUMBER && v->kind != TOK_STRING)
                    return syntax_error(p);
                advance(p);
            }
            if (analyze) d->vacuum_analyze = on;
        } while (accept(p, TOK_COMMA));
        if (!accept(p, TOK_RPAREN)) return syntax_error(p);
    } else {
        for (;;) {
            Token *t = tok(p);
            if (is_kw(t, KW_ANALYZE) || is_kw(t, KW_ANALYSE)) d->vacuum_analyze = true;
            else if (!is_kw(t, KW_VERBOSE) && !is_name(t, "full") && !is_name(t, "freeze")) break;
            advance(p);
        }
    }
    if (at_end(p)) return DD_OK;
    return parse_name_items(p, d, "VACUUM of chosen columns");
}

const char *tlock_mode_name(int mode)
{
    static const char *const names[] = {"ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", "SHARE",
                                        "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"};
    return mode >= TLOCK_ACCESS_SHARE && mode <= TLOCK_ACCESS_EXCLUSIVE ? names[mode - TLOCK_ACCESS_SHARE] : "?";
}

/* A role as CREATE SCHEMA AUTHORIZATION and OWNER TO name it: a name,
 * CURRENT_USER, CURRENT_ROLE or SESSION_USER (the session's user). */
static int parse_role(Parser *p, char **out)
{
    Token *t = tok(p);
    if (is_kw(t, KW_CURRENT_USER) || is_kw(t, KW_CURRENT_ROLE) || is_kw(t, KW_SESSION_USER)) {
        advance(p);
        *out = NULL;
        return DD_OK;
    }
    return parse_colid(p, out, NULL);
}

/* name [, name ...] (one name unless many) into names / locs, *n of them. */
static int parse_colid_list(Parser *p, bool many, char ***names, int **locs, int *n)
{
    int cap = 0, lcap = 0, nl = 0;
    do {
        char *name = NULL;
        int loc;
        TRY(parse_colid(p, &name, &loc));
        PUSH(*names, *n, cap, name);
        PUSH(*locs, nl, lcap, loc);
    } while (many && accept(p, TOK_COMMA));
    return DD_OK;
}

/* ---- roles ---- */

/* role [, role ...] as CREATE ROLE's options and GRANT name them (NULL for
 * CURRENT_USER, CURRENT_ROLE, SESSION_USER). */
static int parse_role_list(Parser *p, char ***names, int *n)
{
    int cap = 0;
    do {
        char *r;
        TRY(parse_role(p, &r));
        PUSH(*names, *n, cap, r);
    } while (accept(p, TOK_COMMA));
    return DD_OK;
}

/* The options of CREATE ROLE and ALTER ROLE, up to the end. */
static int parse_role_options(Parser *p, RoleStmt *r)
{
    static const struct { const char *word; u8 flag; bool on; } flags[] = {
        {"superuser", ROLE_SUPER, true}, {"nosuperuser", ROLE_SUPER, false},
        {"createdb", ROLE_CREATEDB, true}, {"nocreatedb", ROLE_CREATEDB, false},
        {"createrole", ROLE_CREATEROLE, true}, {"nocreaterole", ROLE_CREATEROLE, false},
        {"inherit", ROLE_INHERIT, true}, {"noinherit", ROLE_INHERIT, false},
        {"login", ROLE_LOGIN, true}, {"nologin", ROLE_LOGIN, false},
        {"replication", ROLE_REPLICATION, true}, {"noreplication", ROLE_REPLICATION, false},
        {"bypassrls", ROLE_BYPASSRLS, true}, {"nobypassrls", ROLE_BYPASSRLS, false},
    };
    accept_kw(p, KW_WITH);
    for (;;) {
        Token *t = tok(p);
        if (t->kind == TOK_EOF || t->kind == TOK_SEMI) return DD_OK;
        int at = t->start;
        bool done = false;
        for (size_t i = 0; i < DD_ARRAY_LEN(flags) && !done; i++) {
            if (!is_word(t, flags[i].word)) continue;
            if ((r->set_flags | r->clear_flags) & flags[i].flag) {
                dd_err(p->err, DD_ESYNTAX, at, "conflicting or redundant options");
                return DD_ESYNTAX;
            }
            if (flags[i].on) r->set_flags |= flags[i].flag;
            else r->clear_flags |= flags[i].flag;
            advance(p);
            done = true;
        }
        if (done) continue;
        if (is_word(t, "encrypted") || is_word(t, "password")) {
            if (is_word(t, "encrypted")) advance(p);
            if (!is_word(tok(p), "password")) return syntax_error(p);
            advance(p);
            if (r->has_password) goto redundant;
            r->has_password = true;
            if (accept_kw(p, KW_NULL)) r->password = NULL;
            else TRY(parse_string_lit(p, &r->password, NULL));
        } else if (is_word(t, "unencrypted")) {
            return not_supported(p, at, "UNENCRYPTED PASSWORD");
        } else if (is_word(t, "connection")) {
            advance(p);
            TRY(expect_kw(p, KW_LIMIT));
            if (r->has_connlimit) goto redundant;
            bool neg = tok(p)->kind == TOK_OP && strcmp(tok(p)->str, "-") == 0;
            if (neg) advance(p);
            Token *n = tok(p);
            if (n->kind != TOK_INTEGER) return syntax_error(p);
            char digits[24];
            int dl = n->end - n->start;
            long long v = -2;
            if (dl > 0 && dl < (int)sizeof digits) {
                memcpy(digits, p->sql + n->start, (size_t)dl);
                digits[dl] = 0;
                char *end;
                v = strtoll(digits, &end, 10);
                if (*end) v = -2;
            }
            if (v > INT32_MAX || v < 0 || (neg && v != 1)) {
                dd_err(p->err, DD_EINVALID_PARAM, n->start, "invalid connection limit: %s%.*s", neg ? "-" : "",
                       dl, p->sql + n->start);
                return DD_EINVALID_PARAM;
            }
            advance(p);
            r->has_connlimit = true;
            r->connlimit = neg ? -1 : (i32)v;
        } else if (is_word(t, "valid")) {
            advance(p);
            if (!is_word(tok(p), "until")) return syntax_error(p);
            advance(p);
            if (r->has_valid_until) goto redundant;
            r->has_valid_until = true;
            TRY(parse_string_lit(p, &r->valid_until, NULL));
        } else if (is_kw(t, KW_IN) && r->action == 'c') {
            advance(p);
            if (!is_word(tok(p), "role") && !is_kw(tok(p), KW_GROUP)) return syntax_error(p);
            advance(p);
            TRY(parse_role_list(p, &r->in_roles, &r->nin));
        } else if ((is_word(t, "role") || is_kw(t, KW_USER)) && r->action == 'c') {
            advance(p);
            TRY(parse_role_list(p, &r->add_members, &r->nadd));
        } else if (is_word(t, "admin") && r->action == 'c') {
            advance(p);
            TRY(parse_role_list(p, &r->admins, &r->nadmins));
        } else if (is_word(t, "sysid") && r->action == 'c') {
            advance(p);   /* accepted and ignored, as PostgreSQL does */
            if (tok(p)->kind != TOK_INTEGER) return syntax_error(p);
            advance(p);
        } else {
            return syntax_error(p);
        }
        continue;
    redundant:
        dd_err(p->err, DD_ESYNTAX, at, "conflicting or redundant options");
        return DD_ESYNTAX;
    }
}

/* CREATE ROLE | USER | GROUP name [WITH] option ... (at ROLE). */
static int parse_create_role(Parser *p, Stmt *st)
{
    RoleStmt *r;
    int cap = 0, lcap = 0, nl = 0;
    bool user = is_kw(tok(p), KW_USER);
    advance(p);
    NEW(r);
    st->kind = STMT_ROLE;
    st->u.role = r;
    r->action = 'c';
    r->user = user;
    char *name;
    int loc;
    TRY(parse_colid(p, &name, &loc));
    PUSH(r->names, r->n, cap, name);
    PUSH(r->locs, nl, lcap, loc);
    return parse_role_options(p, r);
}

/* ALTER ROLE | USER | GROUP name {[WITH] option ... | RENAME TO new}
 * (at ROLE); ALTER GROUP's ADD / DROP USER are GRANT / REVOKE. */
static int parse_alter_role(Parser *p, Stmt *st)
{
    RoleStmt *r;
    int cap = 0, lcap = 0, nl = 0;
    bool group = is_kw(tok(p), KW_GROUP);
    advance(p);
    NEW(r);
    st->kind = STMT_ROLE;
    st->u.role = r;
    r->action = 'a';
    char *name;
    int loc = tok(p)->start;
    if (is_kw(tok(p), KW_ALL)) return not_supported(p, loc, "ALTER ROLE ALL");
    TRY(parse_role(p, &name));
    PUSH(r->names, r->n, cap, name);
    PUSH(r->locs, nl, lcap, loc);
    if (is_word(tok(p), "rename")) {
        advance(p);
        TRY(expect_kw(p, KW_TO));
        r->action = 'r';
        return parse_colid(p, &r->new_name, NULL);
    }
    if (group && (is_word(tok(p), "add") || is_kw(tok(p), KW_DROP))) {
        /* ALTER GROUP g ADD USER u, ...: GRANT g TO u, ... */
        r->action = is_kw(tok(p), KW_DROP) ? 'v' : 'g';
        advance(p);
        if (!is_kw(tok(p), KW_USER)) return syntax_error(p);
        advance(p);
        return parse_role_list(p, &r->members, &r->nmembers);
    }
    if (is_kw(tok(p), KW_IN)) {
        /* IN DATABASE d: one database answers to every name here */
        advance(p);
        if (!is_name(tok(p), "database")) return syntax_error(p);
        advance(p);
        char *db;
        TRY(parse_colid(p, &db, NULL));
        if (!is_kw(tok(p), KW_SET) && !is_kw(tok(p), KW_RESET)) return syntax_error(p);
    }
    if (is_kw(tok(p), KW_SET) || is_kw(tok(p), KW_RESET)) {
        /* SET name {TO | =} {value | DEFAULT} | RESET {name | ALL}: the
         * role's settings, applied when it logs in (action 's') */
        bool set = is_kw(tok(p), KW_SET);
        advance(p);
        r->action = 's';
        if (!set && accept_kw(p, KW_ALL)) {
            r->reset_all = true;
            return DD_OK;
        }
        TRY(parse_var_name(p, &r->set_name));
        if (!set) return DD_OK;
        if (is_kw(tok(p), KW_FROM)) return not_supported(p, tok(p)->start, "ALTER ROLE ... SET ... FROM CURRENT");
        if (!accept_kw(p, KW_TO) && !accept(p, TOK_EQ)) return syntax_error(p);
        if (accept_kw(p, KW_DEFAULT)) return DD_OK;
        if (strcmp(r->set_name, "search_path") == 0) return parse_search_path(p, &r->set_value);
        return parse_var_list(p, &r->set_value);
    }
    return parse_role_options(p, r);
}

/* DROP ROLE | USER | GROUP [IF EXISTS] name, ... (at ROLE). */
static int parse_drop_role(Parser *p, Stmt *st)
{
    RoleStmt *r;
    advance(p);
    NEW(r);
    st->kind = STMT_ROLE;
    st->u.role = r;
    r->action = 'd';
    r->if_exists = accept_if_exists(p);
    return parse_colid_list(p, true, &r->names, &r->locs, &r->n);
}

/* The privileges of GRANT / REVOKE on objects (at the privilege list,
 * after REVOKE's ADMIN OPTION FOR, which is GRANT OPTION FOR here):
 * {ALL [PRIVILEGES] | privilege, ...} ON {[TABLE] names | SEQUENCE names
 * | SCHEMA names | ALL {TABLES | SEQUENCES} IN SCHEMA names} {TO | FROM}
 * grantees [WITH GRANT OPTION] [GRANTED BY role] [CASCADE | RESTRICT]. */
static int parse_grant_privileges(Parser *p, RoleStmt *r, bool grant, int at)
{
    static const struct { const char *word; u32 bit; } privs[] = {
        {"select", ACL_SELECT_BIT}, {"insert", ACL_INSERT_BIT}, {"update", ACL_UPDATE_BIT},
        {"delete", ACL_DELETE_BIT}, {"truncate", ACL_TRUNCATE_BIT}, {"references", ACL_REFERENCES_BIT},
        {"trigger", ACL_TRIGGER_BIT}, {"usage", ACL_USAGE_BIT}, {"create", ACL_CREATE_BIT},
        {"temporary", ACL_TEMPORARY_BIT}, {"temp", ACL_TEMPORARY_BIT}, {"connect", ACL_CONNECT_BIT},
        {"execute", ACL_EXECUTE_BIT},
    };
    DD_UNUSED(at);
    r->action = grant ? 'G' : 'V';
    r->grant_option = r->admin;   /* REVOKE GRANT OPTION FOR was read as ADMIN OPTION FOR: not here */
    r->admin = false;
    r->priv_loc = tok(p)->start;
    if (!grant && is_name(tok(p), "grant") && is_name(peek(p, 1), "option") && is_kw(peek(p, 2), KW_FOR)) {
        advance(p); advance(p); advance(p);
        r->grant_option = true;
    }
    if (is_name(tok(p), "all") && (is_kw(peek(p, 1), KW_ON) || is_name(peek(p, 1), "privileges"))) {
        advance(p);
        if (is_name(tok(p), "privileges")) advance(p);
        r->all_privs = true;
    } else {
        do {
            Token *t = tok(p);
            int k = -1;
            for (size_t i = 0; i < DD_ARRAY_LEN(privs) && k < 0; i++)
                if (is_name(t, privs[i].word)) k = (int)i;
            if (k < 0) {
                if (t->kind == TOK_IDENT && !is_kw(t, KW_ON)) {
                    dd_err(p->err, DD_ESYNTAX, t->start, "unrecognized privilege type \"%s\"", t->str);
                    return DD_ESYNTAX;
                }
                return syntax_error(p);
            }
            advance(p);
            if (tok(p)->kind == TOK_LPAREN) return not_supported(p, tok(p)->start, "GRANT / REVOKE on columns (column privileges)");
            r->privs |= privs[k].bit;
        } while (accept(p, TOK_COMMA));
    }
    TRY(expect_kw(p, KW_ON));
    Token *t = tok(p);
    r->objtype = 't';
    if (is_name(t, "all") && (is_name(peek(p, 1), "tables") || is_name(peek(p, 1), "sequences"))) {
        r->objtype = is_name(peek(p, 1), "tables") ? 't' : 's';
        advance(p); advance(p);
        TRY(expect_kw(p, KW_IN));
        if (!is_name(tok(p), "schema")) return syntax_error(p);
        advance(p);
        r->in_schema = true;
    } else if (is_name(t, "table")) {
        advance(p);
    } else if (is_name(t, "sequence")) {
        advance(p);
        r->objtype = 's';
    } else if (is_name(t, "schema")) {
        advance(p);
        r->objtype = 'n';
    } else if (is_name(t, "database") || is_name(t, "function") || is_name(t, "procedure") || is_name(t, "routine") ||
               is_name(t, "type") || is_name(t, "domain") || is_name(t, "language") || is_name(t, "foreign") ||
               is_name(t, "large") || is_name(t, "tablespace") || is_name(t, "parameter") ||
               (is_name(t, "all") && (is_name(peek(p, 1), "functions") || is_name(peek(p, 1), "procedures") ||
                                      is_name(peek(p, 1), "routines")))) {
        return not_supported(p, t->start, grant ? "GRANT on this kind of object (only tables, views, sequences and schemas)"
                                                : "REVOKE on this kind of object (only tables, views, sequences and schemas)");
    }
    int cap = 0, lcap = 0, nl = 0;
    do {
        char *name;
        int loc = tok(p)->start;
        if (r->objtype == 'n' || r->in_schema) TRY(parse_colid(p, &name, NULL));
        else TRY(parse_qualified_name(p, &name, NULL));
        PUSH(r->objs, r->nobjs, cap, name);
        PUSH(r->objlocs, nl, lcap, loc);
    } while (accept(p, TOK_COMMA));
    if (grant) TRY(expect_kw(p, KW_TO));
    else TRY(expect_kw(p, KW_FROM));
    int mcap = 0;
    do {
        if (is_kw(tok(p), KW_GROUP)) advance(p);   /* GROUP name: an old spelling */
        char *name;
        if (is_name(tok(p), "public")) {
            advance(p);
            name = dup_str(p, "public");
            if (!name) return nomem(p);
        } else {
            TRY(parse_role(p, &name));
        }
        PUSH(r->members, r->nmembers, mcap, name);
    } while (accept(p, TOK_COMMA));
    if (grant && is_kw(tok(p), KW_WITH)) {
        advance(p);
        if (!is_name(tok(p), "grant")) return syntax_error(p);
        advance(p);
        if (!is_name(tok(p), "option")) return syntax_error(p);
        advance(p);
        r->grant_option = true;
    }
    if (is_name(tok(p), "granted")) {
        advance(p);
        TRY(expect_kw(p, KW_BY));
        TRY(parse_role(p, &r->granted_by));
    }
    if (!grant) {
        r->cascade = accept_kw(p, KW_CASCADE);
        if (!r->cascade) accept_kw(p, KW_RESTRICT);
    }
    return DD_OK;
}

/* REASSIGN OWNED BY role, ... TO role (at REASSIGN) and DROP OWNED BY
 * role, ... [CASCADE | RESTRICT] (at OWNED): actions 'R' and 'O'. */
static int parse_owned(Parser *p, Stmt *st)
{
    bool reassign = is_name(tok(p), "reassign");
    advance(p);
    if (reassign) {
        if (!is_name(tok(p), "owned")) return syntax_error(p);
        advance(p);
    }
    TRY(expect_kw(p, KW_BY));
    RoleStmt *r;
    NEW(r);
    st->kind = STMT_ROLE;
    st->u.role = r;
    r->action = reassign ? 'R' : 'O';
    TRY(parse_role_list(p, &r->names, &r->n));
    if (reassign) {
        TRY(expect_kw(p, KW_TO));
        TRY(parse_role(p, &r->new_name));
    } else {
        r->cascade = accept_kw(p, KW_CASCADE);
        if (!r->cascade) accept_kw(p, KW_RESTRICT);
    }
    return DD_OK;
}

/* GRANT role, ... TO role, ... [WITH ADMIN OPTION] [GRANTED BY role];
 * REVOKE [ADMIN OPTION FOR] role, ... FROM role, ... [GRANTED BY role]
 * [CASCADE | RESTRICT].  Privileges on objects are refused by name. */
static int parse_grant_role(Parser *p, Stmt *st)
{
    bool grant = is_kw(tok(p), KW_GRANT);
    int at = tok(p)->start;
    advance(p);
    RoleStmt *r;
    NEW(r);
    st->kind = STMT_ROLE;
    st->u.role = r;
    r->action = grant ? 'g' : 'v';
    if (!grant && is_word(tok(p), "admin") && is_word(peek(p, 1), "option") && is_kw(peek(p, 2), KW_FOR)) {
        advance(p); advance(p); advance(p);
        r->admin = true;
    }
    /* a privilege list (SELECT, ALL, ... ON) is GRANT on objects */
    for (int i = 0;; i++) {
        Token *t = peek(p, i);
        if (t->kind == TOK_EOF || t->kind == TOK_SEMI || is_kw(t, KW_TO) || is_kw(t, KW_FROM)) break;
        if (is_kw(t, KW_ON)) return parse_grant_privileges(p, r, grant, at);
    }
    int cap = 0, lcap = 0, nl = 0;
    do {
        char *name;
        int loc = tok(p)->start;
        TRY(parse_role(p, &name));
        PUSH(r->names, r->n, cap, name);
        PUSH(r->locs, nl, lcap, loc);
    } while (accept(p, TOK_COMMA));
    if (grant) TRY(expect_kw(p, KW_TO));
    else TRY(expect_kw(p, KW_FROM));
    TRY(parse_role_list(p, &r->members, &r->nmembers));
    if (grant && is_kw(tok(p), KW_WITH)) {
        advance(p);
        if (!is_word(tok(p), "admin")) return syntax_error(p);
        advance(p);
        if (!is_word(tok(p), "option")) return syntax_error(p);
        advance(p);
        r->admin = true;
    }
    if (is_word(tok(p), "granted")) {
        advance(p);
        TRY(expect_kw(p, KW_BY));
        char *by;
        TRY(parse_role(p, &by));
    }
    if (!grant && !accept_kw(p, KW_CASCADE)) accept_kw(p, KW_RESTRICT);
    return DD_OK;
}

/* CREATE SCHEMA / DROP SCHEMA / ALTER SCHEMA (at SCHEMA); action 'c',
 * 'd' or 'a' (ALTER: RENAME TO 'r' or OWNER TO 'o'). */
static int parse_schema(Parser *p, Stmt *st, char action)
{
    SchemaStmt *x = NULL;
    int cap = 0, lcap = 0, nl = 0;
    advance(p);   /* SCHEMA */
    NEW(x);
    st->kind = STMT_SCHEMA;
    st->u.schema = x;
    x->action = action;
    if (action == 'c') x->if_exists = accept_if_not_exists(p);
    if (action == 'd') x->if_exists = accept_if_exists(p);
    if (action == 'c' && is_kw(tok(p), KW_AUTHORIZATION)) {
        /* CREATE SCHEMA AUTHORIZATION role: the schema is named after the role */
        int loc = peek(p, 1)->start;
        advance(p);
        char *role;
        TRY(parse_role(p, &role));
        x->role = role;
        PUSH(x->names, x->n, cap, role ? role : dup_str(p, ""));
        PUSH(x->locs, nl, lcap, loc);
    } else {
        TRY(parse_colid_list(p, action == 'd', &x->names, &x->locs, &x->n));
        if (action == 'c' && accept_kw(p, KW_AUTHORIZATION)) TRY(parse_role(p, &x->role));
    }
    if (action == 'd') {
        x->cascade = accept_kw(p, KW_CASCADE);
        if (!x->cascade) accept_kw(p, KW_RESTRICT);
    } else if (action == 'c') {
        Token *t = tok(p);
        if (is_kw(t, KW_CREATE) || is_kw(t, KW_GRANT))
            return not_supported(p, t->start, "CREATE SCHEMA with schema elements (create the schema, then its objects)");
    } else if (is_word(tok(p), "rename")) {
        advance(p);
        TRY(expect_kw(p, KW_TO));
        x->action = 'r';
        x->new_loc = tok(p)->start;
        TRY(parse_colid(p, &x->new_name, NULL));
    } else if (is_word(tok(p), "owner")) {
        advance(p);
        TRY(expect_kw(p, KW_TO));
        x->action = 'o';
        TRY(parse_role(p, &x->role));
    } else {
        return syntax_error(p);
    }
    return DD_OK;
}

/* CREATE EXTENSION [IF NOT EXISTS] name [WITH] [SCHEMA s] [VERSION v]
 * [CASCADE] | DROP EXTENSION [IF EXISTS] name [, ...] [CASCADE | RESTRICT]
 * (at EXTENSION) */
static int parse_extension(Parser *p, Stmt *st, bool drop)
{
    ExtensionStmt *x = NULL;
    advance(p);   /* EXTENSION */
    NEW(x);
    st->kind = STMT_EXTENSION;
    st->u.ext = x;
    x->drop = drop;
    x->if_exists = drop ? accept_if_exists(p) : accept_if_not_exists(p);
    TRY(parse_colid_list(p, drop, &x->names, &x->locs, &x->n));
    if (drop) {
        if (!accept_kw(p, KW_CASCADE)) accept_kw(p, KW_RESTRICT);
        return DD_OK;
    }
    accept_kw(p, KW_WITH);
    for (;;) {
        if (is_word(tok(p), "schema")) {
            advance(p);
            TRY(parse_colid(p, &x->schema, &x->schema_loc));
        } else if (is_word(tok(p), "version")) {
            advance(p);
            if (tok(p)->kind != TOK_STRING && !is_colid(tok(p))) return syntax_error(p);
            advance(p);
        } else if (accept_kw(p, KW_CASCADE)) {
        } else {
            break;
        }
    }
    return DD_OK;
}

static int parse_drop(Parser *p, Stmt *st)
{
    DropTableStmt *d = NULL;
    advance(p);   /* DROP */
    Token *t = tok(p);
    bool index = is_kw(t, KW_INDEX), view = is_word(t, "view"), seq = is_word(t, "sequence");
    if (is_word(t, "type") || is_word(t, "domain")) return parse_drop_type(p, st);
    if (is_word(t, "extension")) return parse_extension(p, st, true);
    if (is_word(t, "schema")) return parse_schema(p, st, 'd');
    if (is_word(t, "role") || is_kw(t, KW_USER) || is_kw(t, KW_GROUP)) return parse_drop_role(p, st);
    if (is_name(t, "owned")) return parse_owned(p, st);
    if (!index && !view && !seq && !is_kw(t, KW_TABLE)) {
        if (is_word(t, "database"))
            return not_supported(p, t->start, "this DROP");
        return syntax_error(p);
    }
    advance(p);
    if (index && is_kw(tok(p), KW_CONCURRENTLY)) advance(p);
    NEW(d);
    st->kind = index ? STMT_DROP_INDEX : view ? STMT_DROP_VIEW : seq ? STMT_DROP_SEQUENCE : STMT_DROP_TABLE;
    st->u.drop = d;
    d->if_exists = accept_if_exists(p);
    TRY(parse_name_items(p, d, NULL));
    d->cascade = accept_kw(p, KW_CASCADE);
    if (!d->cascade) accept_kw(p, KW_RESTRICT);
    return DD_OK;
}

/* ---- transactions ---- */

/* Transaction modes: ISOLATION LEVEL x, READ ONLY|WRITE, [NOT] DEFERRABLE,
 * separated by commas or blanks. */
static int parse_txn_modes(Parser *p, int *iso, int *ro)
{
    for (;;) {
        if (accept_kw(p, KW_ISOLATION)) {
            TRY(expect_kw(p, KW_LEVEL));
            if (accept_kw(p, KW_SERIALIZABLE)) *iso = 3;
            else if (accept_kw(p, KW_REPEATABLE)) { TRY(expect_kw(p, KW_READ)); *iso = 2; }
            else if (accept_kw(p, KW_READ)) {
                if (accept_kw(p, KW_COMMITTED) || accept_kw(p, KW_UNCOMMITTED)) *iso = 1;
                else return syntax_error(p);   /* READ UNCOMMITTED is READ COMMITTED, as in PostgreSQL */
            } else return syntax_error(p);
        } else if (accept_kw(p, KW_READ)) {
            if (accept_kw(p, KW_ONLY)) *ro = 1;
            else if (accept_kw(p, KW_WRITE)) *ro = 0;
            else return syntax_error(p);
        } else if (accept_kw(p, KW_DEFERRABLE)) {
        } else if (is_kw(tok(p), KW_NOT) && is_kw(peek(p, 1), KW_DEFERRABLE)) {
            advance(p);
            advance(p);
        } else {
            return DD_OK;
        }
        accept(p, TOK_COMMA);
    }
}

static int parse_chain(Parser *p)
{
    if (!is_kw(tok(p), KW_AND)) return DD_OK;
    advance(p);
    if (accept_kw(p, KW_NO)) return expect_kw(p, KW_CHAIN);
    if (is_kw(tok(p), KW_CHAIN)) return not_supported(p, tok(p)->start, "AND CHAIN");
    return syntax_error(p);
}

static int parse_txn(Parser *p, Stmt *st)
{
    TxnStmt *tx;
    NEW(tx);
    st->kind = STMT_TXN;
    st->u.txn = tx;
    tx->read_only = -1;
    Token *t = tok(p);
    int kw = t->kw;
    advance(p);
    switch (kw) {
    case KW_BEGIN:
        tx->kind = TXN_BEGIN;
        if (!accept_kw(p, KW_WORK)) accept_kw(p, KW_TRANSACTION);
        return parse_txn_modes(p, &tx->isolation, &tx->read_only);
    case KW_START:
        tx->kind = TXN_BEGIN;
        tx->start = true;
        TRY(expect_kw(p, KW_TRANSACTION));
        return parse_txn_modes(p, &tx->isolation, &tx->read_only);
    case KW_COMMIT: case KW_END:
        tx->kind = TXN_COMMIT;
        if (!accept_kw(p, KW_WORK)) accept_kw(p, KW_TRANSACTION);
        return parse_chain(p);
    case KW_ROLLBACK: case KW_ABORT:
        tx->kind = TXN_ROLLBACK;
        if (!accept_kw(p, KW_WORK)) accept_kw(p, KW_TRANSACTION);
        if (kw == KW_ROLLBACK && accept_kw(p, KW_TO)) {
            tx->kind = TXN_ROLLBACK_TO;
            accept_kw(p, KW_SAVEPOINT);
            return parse_colid(p, &tx->savepoint, NULL);
        }
        return parse_chain(p);
    case KW_SAVEPOINT:
        tx->kind = TXN_SAVEPOINT;
        return parse_colid(p, &tx->savepoint, NULL);
    default:   /* RELEASE */
        tx->kind = TXN_RELEASE;
        accept_kw(p, KW_SAVEPOINT);
        return parse_colid(p, &tx->savepoint, NULL);
    }
}

/* ---- SET, RESET, SHOW ---- */

/* A setting name: ColId ('.' ColLabel)*, lower-cased by the lexer. */
static int parse_var_name(Parser *p, char **out)
{
    return parse_qualified_name(p, out, NULL);
}

/* One value of SET: string, signed number, word, TRUE/FALSE/ON, @SEQ:n. */
static int parse_var_value(Parser *p, char **out)
{
    Token *t = tok(p);
    if (t->kind == TOK_STRING) {
        *out = t->str;
    } else if (t->kind == TOK_PLUS || t->kind == TOK_MINUS) {
        Token *n = peek(p, 1);
        if (n->kind != TOK_INTEGER && n->kind != TOK_NUMBER) {
            advance(p);
            return syntax_error(p);
        }
        *out = arena_printf(p->a, "%s%.*s", t->kind == TOK_MINUS ? "-" : "",
                            n->end - n->start, p->sql + n->start);
        advance(p);
    } else if (t->kind == TOK_INTEGER || t->kind == TOK_NUMBER) {
        *out = arena_strndup(p->a, p->sql + t->start, (size_t)(t->end - t->start));
    } else if (t->kind == TOK_SEQ) {
        *out = arena_printf(p->a, "@SEQ:%lld", (long long)t->ival);
    } else if (t->kind == TOK_QIDENT ||
               (t->kind == TOK_IDENT && (lex_keyword_category(t->kw) != KWC_RESERVED ||
                                         t->kw == KW_TRUE || t->kw == KW_FALSE || t->kw == KW_ON))) {
        *out = t->str;
    } else {
        return syntax_error(p);
    }
    if (!*out) return nomem(p);
    advance(p);
    return DD_OK;
}

static int parse_var_list(Parser *p, char **out)
{
    char *v = NULL;
    TRY(parse_var_value(p, &v));
    while (accept(p, TOK_COMMA)) {
        char *w = NULL;
        TRY(parse_var_value(p, &w));
        v = arena_printf(p->a, "%s, %s", v, w);
        if (!v) return nomem(p);
    }
    *out = v;
    return DD_OK;
}

/* SET search_path's value: a list of names, each written as PostgreSQL
 * quotes an identifier (a string literal is one name too, so 'a, b' is
 * the schema "a, b", as in PostgreSQL). */
static int parse_search_path(Parser *p, char **out)
{
    Buf b = BUF_INIT;
    do {
        Token *t = tok(p);
        if (t->kind != TOK_STRING && t->kind != TOK_QIDENT &&
            !(t->kind == TOK_IDENT && lex_keyword_category(t->kw) != KWC_RESERVED)) {
            buf_free(&b);
            return syntax_error(p);
        }
        const char *v = t->str;
        bool plain = v[0] && !(v[0] >= '0' && v[0] <= '9') && v[0] != '$';
        for (const char *c = v; *c && plain; c++)
            plain = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '$';
        if (plain) {
            int kw = lex_keyword(v, strlen(v));
            plain = kw == KW_NONE || lex_keyword_category(kw) == KWC_UNRESERVED;
        }
        if (b.len) buf_puts(&b, ", ");
        if (plain) {
            buf_puts(&b, v);
        } else {
            buf_putc(&b, '"');
            for (const char *c = v; *c; c++) {
                if (*c == '"') buf_putc(&b, '"');
                buf_putc(&b, (u8)*c);
            }
            buf_putc(&b, '"');
        }
        advance(p);
    } while (accept(p, TOK_COMMA));
    *out = buf_ok(&b) ? arena_strndup(p->a, (const char *)b.data, b.len) : NULL;
    buf_free(&b);
    return *out ? DD_OK : nomem(p);
}

static const char *isolation_text(int iso)
{
    return iso == 3 ? "serializable" : iso == 2 ? "repeatable read" : "read committed";
}

/* SET [SESSION CHARACTERISTICS AS] TRANSACTION modes as settings. */
static int parse_set_txn(Parser *p, SetStmt *s, bool session)
{
    int iso = 0, ro = -1, loc = tok(p)->start;
    TRY(parse_txn_modes(p, &iso, &ro));
    DD_UNUSED(loc);
    if (iso == 0 && ro == -1) return syntax_error(p);
    const char *prefix = session ? "default_" : "";
    if (iso) {
        s->name = arena_printf(p->a, "%stransaction_isolation", prefix);
        s->value = dup_str(p, isolation_text(iso));
    }
    if (ro != -1) {
        char *n = arena_printf(p->a, "%stransaction_read_only", prefix);
        char *v = dup_str(p, ro ? "on" : "off");
        if (!n || !v) return nomem(p);
        if (iso) { s->name2 = n; s->value2 = v; }
        else { s->name = n; s->value = v; }
    }
    return s->name && s->value ? DD_OK : nomem(p);
}

static int parse_set(Parser *p, Stmt *st)
{
    SetStmt *s;
    NEW(s);
    st->kind = STMT_SET;
    st->u.set = s;
    advance(p);   /* SET */
    {
        /* SET [SESSION | LOCAL] SESSION AUTHORIZATION: DEFAULT is RESET's
         * (the session's user, which it is); another role is 0A000 */
        int k = is_kw(tok(p), KW_LOCAL) || (is_kw(tok(p), KW_SESSION) && is_kw(peek(p, 1), KW_SESSION)) ? 1 : 0;
        if (is_kw(peek(p, k), KW_SESSION) && is_kw(peek(p, k + 1), KW_AUTHORIZATION)) {
            if (!is_kw(peek(p, k + 2), KW_DEFAULT)) return not_supported(p, peek(p, k)->start, "SET SESSION AUTHORIZATION");
            for (int i = 0; i < k + 3; i++) advance(p);
            s->name = dup_str(p, "session_authorization");   /* value NULL: DEFAULT */
            return s->name ? DD_OK : nomem(p);
        }
    }
    if (is_kw(tok(p), KW_SESSION) && is_kw(peek(p, 1), KW_CHARACTERISTICS)) {
        advance(p);
        advance(p);
        TRY(expect_kw(p, KW_AS));
        TRY(expect_kw(p, KW_TRANSACTION));
        return parse_set_txn(p, s, true);
    }
    if (accept_kw(p, KW_LOCAL)) s->is_local = true;
    else if (is_kw(tok(p), KW_SESSION) && !is_kw(peek(p, 1), KW_TO) && peek(p, 1)->kind != TOK_EQ)
        advance(p);
    Token *t = tok(p);
    if (is_kw(t, KW_TRANSACTION)) {
        advance(p);
        s->is_local = true;
        if (is_word(tok(p), "snapshot")) {
            /* SET TRANSACTION SNAPSHOT 'id' (pg_export_snapshot's) */
            advance(p);
            if (tok(p)->kind != TOK_STRING) return syntax_error(p);
            s->name = dup_str(p, "transaction_snapshot");
            return s->name ? parse_var_value(p, &s->value) : nomem(p);
        }
        return parse_set_txn(p, s, false);
    }
    if (is_kw(t, KW_TIME) && is_kw(peek(p, 1), KW_ZONE)) {
        advance(p);
        advance(p);
        s->name = dup_str(p, "timezone");
        if (!s->name) return nomem(p);
        if (accept_kw(p, KW_LOCAL) || accept_kw(p, KW_DEFAULT)) return DD_OK;
        if (is_kw(tok(p), KW_INTERVAL)) return not_supported(p, tok(p)->start, "SET TIME ZONE INTERVAL");
        return parse_var_value(p, &s->value);
    }
    if (is_kw(t, KW_NAMES)) {
        advance(p);
        s->name = dup_str(p, "client_encoding");
        if (!s->name) return nomem(p);
        if (accept_kw(p, KW_DEFAULT) || at_end(p)) return DD_OK;
        return parse_var_value(p, &s->value);
    }
    if (is_word(t, "schema") && peek(p, 1)->kind == TOK_STRING) {
        advance(p);
        s->name = dup_str(p, "search_path");
        if (!s->name) return nomem(p);
        return parse_var_value(p, &s->value);
    }
    if (is_word(t, "constraints") && !s->is_local && peek(p, 1)->kind != TOK_EQ && !is_kw(peek(p, 1), KW_TO)) {
        /* SET CONSTRAINTS {ALL | name [, ...]} {DEFERRED | IMMEDIATE}:
         * value "deferred *" or "immediate a, b" */
        advance(p);
        s->name = dup_str(p, "constraints");
        if (!s->name) return nomem(p);
        Buf v = BUF_INIT;
        if (accept_kw(p, KW_ALL)) buf_puts(&v, "*");
        else {
            do {
                char *n;
                int rc = parse_qualified_name(p, &n, NULL);
                if (rc) { buf_free(&v); return rc; }
                buf_printf(&v, "%s%s", v.len ? ", " : "", n);
            } while (accept(p, TOK_COMMA));
        }
        const char *mode = is_word(tok(p), "deferred") ? "deferred " : is_word(tok(p), "immediate") ? "immediate " : NULL;
        if (!mode) { buf_free(&v); return syntax_error(p); }
        advance(p);
        s->value = buf_ok(&v) ? arena_printf(p->a, "%s%s", mode, buf_cstr(&v)) : NULL;
        buf_free(&v);
        return s->value ? DD_OK : nomem(p);
    }
    if (is_word(t, "role") && !is_kw(peek(p, 1), KW_TO) && peek(p, 1)->kind != TOK_EQ) {
        /* SET ROLE name | NONE: the setting role */
        advance(p);
        s->name = dup_str(p, "role");
        if (!s->name) return nomem(p);
        if (tok(p)->kind == TOK_STRING) return parse_var_list(p, &s->value);
        TRY(parse_colid(p, &s->value, NULL));
        return DD_OK;
    }
    TRY(parse_var_name(p, &s->name));
    if (!accept_kw(p, KW_TO) && !accept(p, TOK_EQ)) return syntax_error(p);
    if (accept_kw(p, KW_DEFAULT)) return DD_OK;
    if (strcmp(s->name, "search_path") == 0) return parse_search_path(p, &s->value);
    return parse_var_list(p, &s->value);
}

/* RESET / SHOW name: name, ALL, TIME ZONE, TRANSACTION ISOLATION LEVEL. */
static int parse_show_name(Parser *p, char **out)
{
    const char *fixed = NULL;
    if (accept_kw(p, KW_ALL)) fixed = "all";
    else if (is_kw(tok(p), KW_TIME) && is_kw(peek(p, 1), KW_ZONE)) {
        advance(p);
        advance(p);
        fixed = "timezone";
    } else if (is_kw(tok(p), KW_TRANSACTION) && is_kw(peek(p, 1), KW_ISOLATION)) {
        advance(p);
        advance(p);
        TRY(expect_kw(p, KW_LEVEL));
        fixed = "transaction_isolation";
    } else if (is_kw(tok(p), KW_SESSION) && is_kw(peek(p, 1), KW_AUTHORIZATION)) {
        advance(p);
        advance(p);
        fixed = "session_authorization";
    }
    if (fixed) {
        *out = dup_str(p, fixed);
        return *out ? DD_OK : nomem(p);
    }
    return parse_var_name(p, out);
}

static int parse_reset(Parser *p, Stmt *st)
{
    SetStmt *s;
    NEW(s);
    st->kind = STMT_SET;
    st->u.set = s;
    s->reset = true;
    advance(p);   /* RESET */
    return parse_show_name(p, &s->name);
}

static int parse_show(Parser *p, Stmt *st)
{
    ShowStmt *s;
    NEW(s);
    st->kind = STMT_SHOW;
    st->u.show = s;
    advance(p);   /* SHOW */
    TRY(parse_show_name(p, &s->name));
    /* DriftDB's SHOW TABLES / SHOW COLUMNS FROM t (the CLI's \d) */
    if (strcmp(s->name, "columns") == 0 && accept_kw(p, KW_FROM)) {
        char *table;
        TRY(parse_var_name(p, &table));
        size_t n = strlen(table) + 9;
        char *name = arena_alloc(p->a, n);
        if (!name) return nomem(p);
        snprintf(name, n, "columns:%s", table);
        s->name = name;
    }
    return DD_OK;
}

/* ---- statements ---- */

static int parse_stmt(Parser *p, Stmt *st);

/* A COPY option's string value: 'x' (or an identifier, as PostgreSQL). */
static int copy_string(Parser *p, char **out)
{
    Token *t = tok(p);
    if (t->kind != TOK_STRING && t->kind != TOK_IDENT && t->kind != TOK_QIDENT) return syntax_error(p);
    *out = dup_str(p, t->str);
    if (!*out) return nomem(p);
    advance(p);
    return DD_OK;
}

/* One COPY option, name already read (lower-cased); old syntax when !paren. */
static int copy_option(Parser *p, CopyStmt *c, const char *name, int loc, bool paren)
{
    if (!strcmp(name, "format")) {
        char *f;
        TRY(copy_string(p, &f));
        if (!strcasecmp(f, "text")) c->format = COPY_TEXT;
        else if (!strcasecmp(f, "csv")) c->format = COPY_CSV;
        else if (!strcasecmp(f, "binary")) c->format = COPY_BINARY;
        else return dd_err(p->err, DD_EINVALID_PARAM, loc, "COPY format \"%s\" not recognized", f);
    } else if (!strcmp(name, "csv") && !paren) {
        c->format = COPY_CSV;
    } else if (!strcmp(name, "binary") && !paren) {
        c->format = COPY_BINARY;
    } else if (!strcmp(name, "header")) {
        c->header = 1;
        Token *t = tok(p);
        if (paren && t->kind != TOK_COMMA && t->kind != TOK_RPAREN) {
            const char *v = t->str;
            if (t->kind == TOK_INTEGER) v = (t->end - t->start == 1 && p->sql[t->start] == '0') ? "0" : "1";
            if (!v || t->kind == TOK_NUMBER) return syntax_error(p);
            if (!strcasecmp(v, "true") || !strcasecmp(v, "on") || !strcmp(v, "1")) c->header = 1;
            else if (!strcasecmp(v, "false") || !strcasecmp(v, "off") || !strcmp(v, "0")) c->header = 0;
            else return dd_err(p->err, DD_EFEATURE, t->start, "COPY HEADER \"%s\" is not supported", v);
            advance(p);
        }
    } else if (!strcmp(name, "delimiter")) {
        if (!paren) accept_kw(p, KW_AS);
        TRY(copy_string(p, &c->delimiter));
    } else if (!strcmp(name, "null")) {
        if (!paren) accept_kw(p, KW_AS);
        TRY(copy_string(p, &c->null_str));
    } else if (!strcmp(name, "quote")) {
        if (!paren) accept_kw(p, KW_AS);
        TRY(copy_string(p, &c->quote));
    } else if (!strcmp(name, "escape")) {
        if (!paren) accept_kw(p, KW_AS);
        TRY(copy_string(p, &c->escape));
    } else if (!strcmp(name, "force_quote") || (!strcmp(name, "force") && !paren)) {
        if (!strcmp(name, "force") && !(tok(p)->kind == TOK_IDENT && is_word(tok(p), "quote")))
            return not_supported(p, loc, "COPY FORCE NOT NULL / FORCE NULL");
        if (!strcmp(name, "force")) advance(p);
        if (accept(p, TOK_STAR)) { c->force_quote_all = true; return DD_OK; }
        if (paren) return parse_name_list(p, &c->force_quote, NULL, &c->nforce_quote);
        /* old syntax: a bare list of columns */
        int cap = 0;
        do {
            char *col; int cl;
            TRY(parse_colid(p, &col, &cl));
            c->force_quote = grow_array(p, c->force_quote, c->nforce_quote, &cap, sizeof(char *));
            if (!c->force_quote) return nomem(p);
            c->force_quote[c->nforce_quote++] = col;
        } while (accept(p, TOK_COMMA));
    } else if (!strcmp(name, "freeze")) {
        /* FREEZE: PostgreSQL writes the rows frozen; DriftDB's rows have
         * nothing to freeze (docs/postgres-differences.md) */
        Token *t = tok(p);
        if (paren && t->kind != TOK_COMMA && t->kind != TOK_RPAREN) {
            const char *v = t->kind == TOK_IDENT ? t->str : NULL;
            if (t->kind == TOK_INTEGER) v = "1";
            if (!v || (strcasecmp(v, "true") && strcasecmp(v, "on") && strcasecmp(v, "false") && strcasecmp(v, "off") &&
                       strcmp(v, "1")))
                return dd_err(p->err, DD_ESYNTAX, t->start, "freeze requires a Boolean value");
            advance(p);
        }
    } else if (!strcmp(name, "force_not_null") || !strcmp(name, "force_null")) {
        return not_supported(p, loc, !strcmp(name, "force_null") ? "COPY FORCE_NULL" : "COPY FORCE_NOT_NULL");
    } else if (!strcmp(name, "encoding")) {
        char *e;
        TRY(copy_string(p, &e));
        if (strcasecmp(e, "utf8") && strcasecmp(e, "utf-8"))
            return dd_err(p->err, DD_EFEATURE, loc, "COPY ENCODING \"%s\" is not supported: only UTF8 is", e);
    } else {
        return dd_err(p->err, DD_ESYNTAX, loc, "option \"%s\" not recognized", name);
    }
    return DD_OK;
}

static int parse_copy(Parser *p, Stmt *st)
{
    CopyStmt *c;
    NEW(c);
    st->kind = STMT_COPY;
    st->u.copy = c;
    c->loc = tok(p)->start;
    c->header = -1;
    advance(p);   /* COPY */
    if (tok(p)->kind == TOK_LPAREN) {
        advance(p);
        Stmt *q = arena_zalloc(p->a, sizeof *q);
        if (!q) return nomem(p);
        q->loc = tok(p)->start;
        q->kind = STMT_SELECT;
        TRY(parse_select(p, &q->u.select));
        q->end = p->toks[p->pos > 0 ? p->pos - 1 : 0].end;
        TRY(expect(p, TOK_RPAREN));
        c->query = q;
    } else {
        TRY(parse_qualified_name(p, &c->table, &c->table_loc));
        if (tok(p)->kind == TOK_LPAREN) TRY(parse_name_list(p, &c->cols, &c->col_locs, &c->ncols));
    }
    if (accept_kw(p, KW_FROM)) {
        c->from = true;
        if (c->query) return dd_err(p->err, DD_ESYNTAX, c->loc, "COPY (query) FROM is not supported: a query can only be copied TO");
        if (!is_word(tok(p), "stdin")) {
            if (tok(p)->kind == TOK_STRING || is_word(tok(p), "program"))
                return not_supported(p, tok(p)->start, "COPY FROM a server file or program (use FROM STDIN, psql's \\copy)");
            return syntax_error(p);
        }
        advance(p);
    } else if (accept_kw(p, KW_TO)) {
        if (!is_word(tok(p), "stdout")) {
            if (tok(p)->kind == TOK_STRING || is_word(tok(p), "program"))
                return not_supported(p, tok(p)->start, "COPY TO a server file or program (use TO STDOUT, psql's \\copy)");
            return syntax_error(p);
        }
        advance(p);
    } else {
        return syntax_error(p);
    }
    bool with = accept_kw(p, KW_WITH);
    if (tok(p)->kind == TOK_LPAREN) {
        advance(p);
        do {
            Token *t = tok(p);
            if (t->kind != TOK_IDENT) return syntax_error(p);
            char name[32];
            snprintf(name, sizeof name, "%s", t->str);
            advance(p);
            TRY(copy_option(p, c, name, t->start, true));
        } while (accept(p, TOK_COMMA));
        return expect(p, TOK_RPAREN);
    }
    (void)with;
    while (tok(p)->kind == TOK_IDENT) {
        Token *t = tok(p);
        char name[32];
        snprintf(name, sizeof name, "%s", t->str);
        advance(p);
        TRY(copy_option(p, c, name, t->start, false));
    }
    return DD_OK;
}

static int parse_explain(Parser *p, Stmt *st)
{
    Stmt *inner;
    NEW(inner);
    st->kind = STMT_EXPLAIN;
    st->u.explain.stmt = inner;
    advance(p);   /* EXPLAIN */
    st->u.explain.costs = st->u.explain.timing = true;
    Token *t = tok(p);
    if (t->kind == TOK_LPAREN) {
        /* ( option [boolean], ... ): ANALYZE, VERBOSE, COSTS, TIMING,
         * SUMMARY, BUFFERS, FORMAT TEXT */
        advance(p);
        do {
            Token *o = tok(p);
            if (o->kind != TOK_IDENT) return syntax_error(p);
            const char *name = o->str;
            int at = o->start;
            advance(p);
            bool val = true;
            Token *v = tok(p);
            if (strcmp(name, "format") == 0) {
                if (!is_word(v, "text")) return not_supported(p, v->start, "EXPLAIN formats other than TEXT");
                advance(p);
                continue;
            }
            if (v->kind == TOK_IDENT && (is_word(v, "on") || is_word(v, "true") || is_kw(v, KW_TRUE))) advance(p);
            else if (v->kind == TOK_IDENT && (is_word(v, "off") || is_word(v, "false") || is_kw(v, KW_FALSE))) { val = false; advance(p); }
            else if (v->kind == TOK_INTEGER && v->end - v->start == 1 && (p->sql[v->start] == '0' || p->sql[v->start] == '1')) {
                val = p->sql[v->start] == '1';
                advance(p);
            }
            if (strcmp(name, "analyze") == 0 || strcmp(name, "analyse") == 0) st->u.explain.analyze = val;
            else if (strcmp(name, "costs") == 0) st->u.explain.costs = val;
            else if (strcmp(name, "timing") == 0) st->u.explain.timing = val;
            else if (strcmp(name, "verbose") == 0 || strcmp(name, "summary") == 0 || strcmp(name, "buffers") == 0) {
                /* accepted; nothing more to show */
            } else {
                return dd_err(p->err, DD_ESYNTAX, at, "unrecognized EXPLAIN option \"%s\"", name);
            }
        } while (accept(p, TOK_COMMA));
        TRY(expect(p, TOK_RPAREN));
        t = tok(p);
    } else {
        if (is_kw(t, KW_ANALYZE) || is_kw(t, KW_ANALYSE)) { st->u.explain.analyze = true; advance(p); }
        if (is_kw(tok(p), KW_VERBOSE)) advance(p);
        t = tok(p);
    }
    if (!is_kw(t, KW_SELECT) && !is_kw(t, KW_WITH) && !is_kw(t, KW_INSERT) && !is_kw(t, KW_TABLE) &&
        !is_kw(t, KW_VALUES) && !is_kw(t, KW_UPDATE) && !is_kw(t, KW_DELETE) &&
        !(is_word(t, "merge") && is_kw(peek(p, 1), KW_INTO)))
        return syntax_error(p);
    inner->loc = t->start;
    TRY(parse_stmt(p, inner));
    inner->end = p->toks[p->pos > 0 ? p->pos - 1 : 0].end;
    return DD_OK;
}

static int parse_stmt(Parser *p, Stmt *st)
{
    Token *t = tok(p);
    if (t->kind == TOK_LPAREN) {
        st->kind = STMT_SELECT;
        return parse_select(p, &st->u.select);
    }
    if (t->kind != TOK_IDENT) return syntax_error(p);
    if (t->kw == KW_NONE && is_name(t, "backup") && is_kw(peek(p, 1), KW_TO)) {
        /* BACKUP TO 'file' [SINCE 'base']: driftdb backup [--since]
         * from SQL (superusers) */
        st->kind = STMT_BACKUP;
        advance(p);
        advance(p);
        if (tok(p)->kind != TOK_STRING) return syntax_error(p);
        st->u.backup.path = tok(p)->str;
        st->u.backup.loc = tok(p)->start;
        advance(p);
        if (tok(p)->kind == TOK_IDENT && tok(p)->kw == KW_NONE && is_name(tok(p), "since")) {
            advance(p);
            if (tok(p)->kind != TOK_STRING) return syntax_error(p);
            st->u.backup.since = tok(p)->str;
            st->u.backup.since_loc = tok(p)->start;
            advance(p);
        }
        return DD_OK;
    }
    switch (t->kw) {
    case KW_SELECT:
        st->kind = STMT_SELECT;
        return parse_select(p, &st->u.select);
    case KW_VALUES:
    case KW_TABLE:
        st->kind = STMT_SELECT;
        return parse_select(p, &st->u.select);
    case KW_WITH: {
        /* WITH ... INSERT / UPDATE / DELETE: the WITH queries go with the
         * statement; else a query, parsed again from WITH */
        int save = p->pos;
        SelectStmt *w = NULL;
        NEW(w);
        TRY(parse_with(p, w));
        Token *n = tok(p);
        if (is_kw(n, KW_INSERT) || is_kw(n, KW_UPDATE) || is_kw(n, KW_DELETE) ||
            (is_word(n, "merge") && is_kw(peek(p, 1), KW_INTO))) {
            TRY(is_kw(n, KW_INSERT) ? parse_insert(p, st) : is_kw(n, KW_UPDATE) ? parse_update(p, st)
                : is_kw(n, KW_DELETE) ? parse_delete(p, st) : parse_merge(p, st));
            st->with = w;
            return DD_OK;
        }
        p->pos = save;
        st->kind = STMT_SELECT;
        return parse_select(p, &st->u.select);
    }
    case KW_INSERT: return parse_insert(p, st);
    case KW_UPDATE: return parse_update(p, st);
    case KW_DELETE: return parse_delete(p, st);
    case KW_CREATE: return parse_create(p, st);
    case KW_DROP: return parse_drop(p, st);
    case KW_NONE:
        if (is_word(t, "alter")) return parse_alter(p, st);
        if (is_word(t, "erase") && is_kw(peek(p, 1), KW_FROM)) return parse_erase(p, st);
        if (is_word(t, "copy")) return parse_copy(p, st);
        if (is_word(t, "truncate")) {
            /* TRUNCATE [TABLE] [ONLY] t [*], ... [RESTART | CONTINUE IDENTITY] [CASCADE | RESTRICT] */
            DropTableStmt *d = NULL;
            NEW(d);
            st->kind = STMT_TRUNCATE;
            st->u.drop = d;
            advance(p);
            accept_kw(p, KW_TABLE);
            accept_kw(p, KW_ONLY);
            TRY(parse_name_items(p, d, NULL));
            if (is_word(tok(p), "restart") || is_word(tok(p), "continue")) {
                d->restart_identity = is_word(tok(p), "restart");
                advance(p);
                if (!is_word(tok(p), "identity")) return syntax_error(p);
                advance(p);
            }
            if (accept_kw(p, KW_CASCADE)) d->cascade = true;
            else accept_kw(p, KW_RESTRICT);
            return DD_OK;
        }
        if (is_word(t, "merge") && is_kw(peek(p, 1), KW_INTO)) return parse_merge(p, st);
        if (is_word(t, "comment")) return parse_comment(p, st);
        if (is_word(t, "prepare") || is_word(t, "execute") || is_word(t, "deallocate")) return parse_prepare(p, st);
        if (is_word(t, "declare")) return parse_declare(p, st);
        if (is_word(t, "fetch") || is_word(t, "move")) return parse_fetch(p, st);
        if (is_word(t, "close")) {
            CursorStmt *c = NULL;
            NEW(c);
            st->kind = STMT_CLOSE;
            st->u.cursor = c;
            advance(p);
            if (accept_kw(p, KW_ALL)) return DD_OK;
            int loc;
            return parse_colid(p, &c->name, &loc);
        }
        {
            /* statements clients send that DriftDB does not have yet */
            if (is_word(t, "discard") && (is_word(peek(p, 1), "temp") || is_word(peek(p, 1), "temporary"))) {
                /* DISCARD TEMP: a DROP of every temporary relation */
                DropTableStmt *d = NULL;
                NEW(d);
                st->kind = STMT_DROP_TABLE;
                st->u.drop = d;
                d->discard_temp = d->cascade = true;
                advance(p);
                advance(p);
                return DD_OK;
            }
            if (is_word(t, "lock")) {
                /* LOCK [TABLE] [ONLY] name [*] [, ...] [IN mode MODE] [NOWAIT]
                 * (sql.c: plan_lock) */
                DropTableStmt *d = NULL;
                NEW(d);
                st->kind = STMT_LOCK;
                st->u.drop = d;
                advance(p);
                accept_kw(p, KW_TABLE);
                int cap = 0, lcap = 0, nl = 0;
                do {
                    accept_kw(p, KW_ONLY);
                    char *name = NULL;
                    int loc;
                    TRY(parse_qualified_name(p, &name, &loc));
                    accept(p, TOK_STAR);
                    PUSH(d->names, d->n, cap, name);
                    PUSH(d->locs, nl, lcap, loc);
                } while (accept(p, TOK_COMMA));
                int mloc = tok(p)->start;
                d->lock_mode = TLOCK_ACCESS_EXCLUSIVE;   /* PostgreSQL's default */
                if (accept_kw(p, KW_IN)) {
                    char mode[64] = "";
                    while (!at_end(p) && !is_word(tok(p), "mode") && strlen(mode) < 40) {
                        Token *w = tok(p);
                        if (w->kind != TOK_IDENT) return syntax_error(p);
                        if (mode[0]) strcat(mode, " ");
                        strncat(mode, w->str, 20);
                        advance(p);
                    }
                    if (!is_word(tok(p), "mode")) return syntax_error(p);
                    advance(p);
                    bool known = false;
                    for (int m = TLOCK_ACCESS_SHARE; m <= TLOCK_ACCESS_EXCLUSIVE && !known; m++)
                        if (strcasecmp(mode, tlock_mode_name(m)) == 0) {
                            d->lock_mode = m;
                            known = true;
                        }
                    if (!known) return dd_err(p->err, DD_ESYNTAX, mloc, "syntax error at or near \"%s\"", mode);
                }
                if (is_word(tok(p), "nowait")) {
                    advance(p);
                    d->lock_nowait = true;
                }
                return DD_OK;
            }
            if (is_word(t, "unlisten")) {
                /* UNLISTEN { * | channel }: LISTEN is not there, so no
                 * session listens to anything and there is nothing to stop */
                Token *w = peek(p, 1);
                advance(p);
                if (w->kind != TOK_STAR && w->kind != TOK_IDENT && w->kind != TOK_QIDENT) return syntax_error(p);
                advance(p);
                st->kind = STMT_DISCARD;
                st->u.discard = 'u';
                return DD_OK;
            }
            if (is_word(t, "discard")) {
                Token *w = peek(p, 1);
                char what = is_kw(w, KW_ALL) ? 'a' : is_word(w, "plans") ? 'p' : is_word(w, "sequences") ? 's' : 0;
                if (!what) {
                    advance(p);
                    return syntax_error(p);
                }
                st->kind = STMT_DISCARD;
                st->u.discard = what;
                advance(p);
                advance(p);
                return DD_OK;
            }
            if (is_word(t, "revoke")) return parse_grant_role(p, st);
            if (is_word(t, "vacuum")) return parse_vacuum(p, st);
            if (is_word(t, "reassign")) return parse_owned(p, st);
            static const char *const later[][2] = {
                {"listen", "LISTEN"},
                {"notify", "NOTIFY"},
                {"do", "DO"}, {"call", "CALL"},
            };
            for (size_t i = 0; i < sizeof later / sizeof later[0]; i++)
                if (is_word(t, later[i][0])) return not_supported(p, t->start, later[i][1]);
            /* CHECKPOINT TABLE t: the keys of t's rows now, which AS OF
             * scans near it start from; a plain CHECKPOINT (table NULL)
             * flushes the data file and starts the commit log over */
            if (is_word(t, "checkpoint")) {
                st->kind = STMT_CHECKPOINT;
                advance(p);
                if (!is_kw(tok(p), KW_TABLE)) return DD_OK;
                advance(p);
                return parse_qualified_name(p, &st->u.checkpoint.table, &st->u.checkpoint.loc);
            }
        }
        return syntax_error(p);
    case KW_BEGIN: case KW_START: case KW_COMMIT: case KW_END: case KW_ROLLBACK:
    case KW_ABORT: case KW_SAVEPOINT: case KW_RELEASE:
        return parse_txn(p, st);
    case KW_GRANT: return parse_grant_role(p, st);
    case KW_SET: return parse_set(p, st);
    case KW_RESET: return parse_reset(p, st);
    case KW_SHOW: return parse_show(p, st);
    case KW_FETCH: return parse_fetch(p, st);
    case KW_EXPLAIN: return parse_explain(p, st);
    case KW_VERIFY:
        /* VERIFY [RECENT n | FROM @SEQ:f | TABLE t] [EXPECT HASH 'h' AT
         * SEQ m]: everything, or the newest n commits, or those from f on,
         * or one table's rows; and the chain's hash at m against an anchor */
        st->kind = STMT_VERIFY;
        advance(p);
        if (is_name(tok(p), "recent")) {
            advance(p);
            int at = tok(p)->start;
            TRY(parse_seq_int(p, &st->u.verify.recent));
            if (st->u.verify.recent <= 0)
                return dd_err(p->err, DD_EINVALID_PARAM, at, "VERIFY RECENT needs a number of commits above 0");
        } else if (is_kw(tok(p), KW_TABLE)) {
            /* VERIFY TABLE t: the chain, and t's versions, rows and index entries */
            advance(p);
            TRY(parse_qualified_name(p, &st->u.verify.table, &st->u.verify.table_loc));
        } else if (is_kw(tok(p), KW_FROM)) {
            /* VERIFY FROM @SEQ:n: the commits n..head (RECENT's checks) */
            advance(p);
            if (tok(p)->kind != TOK_SEQ) return syntax_error(p);
            if (tok(p)->ival <= 0)
                return dd_err(p->err, DD_EINVALID_PARAM, tok(p)->start, "VERIFY FROM needs a commit seq above 0");
            st->u.verify.from = tok(p)->ival;
            advance(p);
        }
        if (is_name(tok(p), "expect")) {
            advance(p);
            if (!is_name(tok(p), "hash")) return syntax_error(p);
            advance(p);
            if (tok(p)->kind != TOK_STRING) return syntax_error(p);
            st->u.verify.expect_hash = tok(p)->str;
            st->u.verify.expect_loc = tok(p)->start;
            advance(p);
            if (!is_name(tok(p), "at")) return syntax_error(p);
            advance(p);
            if (!is_name(tok(p), "seq")) return syntax_error(p);
            advance(p);
            int at = tok(p)->start;
            TRY(parse_seq_int(p, &st->u.verify.expect_seq));
            if (st->u.verify.expect_seq <= 0)
                return dd_err(p->err, DD_EINVALID_PARAM, at, "VERIFY EXPECT HASH needs a commit seq above 0");
        }
        return DD_OK;
    case KW_ANALYZE: case KW_ANALYSE: {
        DropTableStmt *d = NULL;
        NEW(d);
        st->kind = STMT_ANALYZE;
        st->u.drop = d;
        advance(p);
        if (is_kw(tok(p), KW_VERBOSE)) advance(p);
        if (at_end(p)) return DD_OK;
        return parse_name_items(p, d, "ANALYZE of chosen columns");
    }
    default:
        return syntax_error(p);
    }
}

/* Tokenizes from offset up to and including the first top-level ';' (or
 * to the end), skipping leading empty statements.  Lexical errors become
 * TOK_ERROR tokens; the first one's error stays in err. */
static int tokenize(Parser *p, size_t offset)
{
    Lexer lx;
    int cap = 0;
    lex_init(&lx, p->sql, p->len, offset, p->a);
    for (;;) {
        Token t;
        int rc = lex_next(&lx, &t, p->lexcode ? NULL : p->err);
        if (rc == DD_ENOMEM) return nomem(p);
        if (rc && !p->lexcode) p->lexcode = rc;
        if (t.kind == TOK_SEMI && p->ntoks == 0) continue;
        if (p->ntoks == cap) {
            int nc = cap ? cap * 2 : 64;
            if (cap > INT_MAX / 4) return nomem(p);
            Token *nt = dd_realloc(p->toks, (size_t)nc * sizeof *nt);
            if (!nt) return nomem(p);
            p->toks = nt;
            cap = nc;
        }
        p->toks[p->ntoks++] = t;
        if (t.kind == TOK_SEMI || t.kind == TOK_EOF) break;
    }
    p->match = dd_malloc((size_t)p->ntoks * sizeof *p->match);
    int *stack = dd_malloc((size_t)p->ntoks * sizeof *stack);
    if (!p->match || !stack) {
        dd_free(stack);
        return nomem(p);
    }
    int sp = 0;
    for (int i = 0; i < p->ntoks; i++) {
        p->match[i] = -1;
        if (p->toks[i].kind == TOK_LPAREN) stack[sp++] = i;
        else if (p->toks[i].kind == TOK_RPAREN && sp > 0) p->match[stack[--sp]] = i;
    }
    dd_free(stack);
    return DD_OK;
}

int parse_statement(const char *sql, size_t len, size_t offset, Arena *a,
                    Stmt **out, size_t *next, DdError *err)
{
    Parser p;
    memset(&p, 0, sizeof p);
    p.sql = sql;
    p.len = len;
    p.a = a;
    p.err = err;
    *out = NULL;
    *next = len;
    dd_err_clear(err);
    if (len > (size_t)INT_MAX - 2)
        return dd_err(err, DD_EPROGRAM_LIMIT, -1, "statement is too long");
    if (offset > len) offset = len;

    int rc = tokenize(&p, offset);
    if (rc == DD_OK && p.ntoks > 0) {
        Token *last = &p.toks[p.ntoks - 1];
        *next = last->kind == TOK_SEMI ? (size_t)last->end : len;
        if (p.ntoks == 1 && last->kind == TOK_EOF) goto done;   /* nothing left */
        Stmt *st = arena_zalloc(a, sizeof *st);
        if (!st) {
            rc = nomem(&p);
            goto done;
        }
        st->loc = p.toks[0].start;
        rc = parse_stmt(&p, st);
        if (rc == DD_OK && !at_end(&p)) rc = syntax_error(&p);
        if (rc == DD_OK) {
            st->end = p.toks[p.pos > 0 ? p.pos - 1 : 0].end;
            *out = st;
        }
    } else if (rc != DD_OK) {
        /* out of memory while tokenizing: skip the rest */
        *next = len;
    }
done:
    dd_free(p.toks);
    dd_free(p.match);
    return rc;
}
