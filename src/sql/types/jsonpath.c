/*
 * jsonpath.c - SQL/JSON path expressions over jsonb trees (see jsonpath.h):
 * a parser into a small tree of items and an evaluator with PostgreSQL's
 * lax and strict semantics.
 *
 * Supported: lax / strict; $, @, $var (from the vars object); .key,
 * ."key", .*, .** (with {n}, {n to m}, {n to last}), [i], [i to j],
 * [last], [last - n], [*]; filters ? (...);
 * literals (numbers, "strings", true, false, null); == != <> < <= > >=,
 * starts with, like_regex (flags i s m x q),
 * && || !, exists(...), parentheses; unary and binary + - * / %; the
 * methods .type(), .size(), .double(), .abs(), .floor(), .ceiling().
 * Lax mode unwraps arrays for member accessors, filters and comparison
 * operands, reads a non-array as a one-element array for [..], and turns
 * structural errors into empty results; strict mode reports them with
 * PostgreSQL's SQLSTATEs.  Predicates are three-valued: a comparison of
 * items of different types (other than null) is unknown.
 */
#include "jsonpath.h"
#include "regex.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum JpKind {
    JP_ROOT, JP_CURRENT, JP_VAR, JP_LITERAL, JP_LAST,
    JP_KEY, JP_ANYKEY, JP_ANYPATH, JP_INDEX, JP_ANYINDEX, JP_FILTER, JP_METHOD,
    JP_CMP, JP_AND, JP_OR, JP_NOT, JP_EXISTS, JP_ARITH, JP_NEG, JP_PLUS, JP_LIKE_REGEX,
} JpKind;

typedef enum JpCmp { JC_EQ, JC_NE, JC_LT, JC_LE, JC_GT, JC_GE, JC_STARTS } JpCmp;

typedef struct JpItem JpItem;
struct JpItem {
    JpKind kind;
    JpItem *next;               /* the accessor applied to this item's results */
    const char *s; u32 len;     /* KEY, VAR: the name; METHOD: its name */
    JNode *lit;                 /* LITERAL */
    JpItem *a, *b;              /* operands; FILTER: a the predicate */
    int op;                     /* CMP: JpCmp; ARITH: '+' '-' '*' '/' '%'; ANYPATH: first level */
    int hi;                     /* ANYPATH: last level, -1 for last (every level) */
    JpItem **from, **to; int nsubs;   /* INDEX: subscripts (to NULL: a single index) */
};

struct JsonPath {
    bool strict;
    JpItem *expr;
};

/* ---------------------------------------------------------------- parser */

typedef struct JpParser {
    const char *s;
    size_t n, pos;
    Arena *a;
    DdError *err;
    int depth;
} JpParser;

static int jp_nomem(DdError *err) { return dd_err(err, DD_ENOMEM, -1, "out of memory"); }

static void skip_ws(JpParser *p)
{
    while (p->pos < p->n && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
        p->pos++;
}

static int syntax_error(JpParser *p)
{
    skip_ws(p);
    if (p->pos >= p->n) return dd_err(p->err, DD_ESYNTAX, -1, "syntax error at end of jsonpath input");
    size_t e = p->pos + 1;
    while (e < p->n && ((u8)p->s[e] & 0xC0) == 0x80) e++;
    return dd_err(p->err, DD_ESYNTAX, -1, "syntax error at or near \"%.*s\" of jsonpath input", (int)(e - p->pos),
                  p->s + p->pos);
}

static bool peek_str(JpParser *p, const char *t)
{
    skip_ws(p);
    size_t l = strlen(t);
    return p->n - p->pos >= l && memcmp(p->s + p->pos, t, l) == 0;
}

static bool accept(JpParser *p, const char *t)
{
    if (!peek_str(p, t)) return false;
    p->pos += strlen(t);
    return true;
}

static bool is_ident_char(u8 c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

/* A keyword: the word at pos equals kw (not followed by identifier chars). */
static bool accept_kw(JpParser *p, const char *kw)
{
    skip_ws(p);
    size_t l = strlen(kw);
    if (p->n - p->pos < l || memcmp(p->s + p->pos, kw, l) != 0) return false;
    if (p->pos + l < p->n && is_ident_char((u8)p->s[p->pos + l])) return false;
    p->pos += l;
    return true;
}

static JpItem *new_item(JpParser *p, JpKind k)
{
    JpItem *it = arena_zalloc(p->a, sizeof(JpItem));
    if (it) it->kind = k;
    return it;
}

/* A double-quoted string with JSON's escapes, decoded through json_parse. */
static int parse_string(JpParser *p, const char **out, u32 *outlen)
{
    size_t st = p->pos, i = p->pos + 1;
    while (i < p->n && p->s[i] != '"') i += p->s[i] == '\\' ? 2 : 1;
    if (i >= p->n) { p->pos = p->n; return syntax_error(p); }
    JNode *node;
    int rc = json_parse(p->s + st, i + 1 - st, true, p->a, &node, p->err);
    if (rc) return rc;
    *out = node->s;
    *outlen = node->len;
    p->pos = i + 1;
    return DD_OK;
}

static int parse_expr(JpParser *p, JpItem **out);

static int parse_number(JpParser *p, JpItem **out)
{
    size_t st = p->pos, i = p->pos;
    while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9') i++;
    if (i < p->n && p->s[i] == '.' && i + 1 < p->n && p->s[i + 1] >= '0' && p->s[i + 1] <= '9') {
        i++;
        while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9') i++;
    }
    if (i < p->n && (p->s[i] == 'e' || p->s[i] == 'E')) {
        size_t j = i + 1;
        if (j < p->n && (p->s[j] == '+' || p->s[j] == '-')) j++;
        if (j < p->n && p->s[j] >= '0' && p->s[j] <= '9') {
            i = j;
            while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9') i++;
        }
    }
    JpItem *it = new_item(p, JP_LITERAL);
    if (!it) return jp_nomem(p->err);
    it->lit = jnode_new(p->a, J_NUMBER);
    if (!it->lit) return jp_nomem(p->err);
    int rc = json_number_canon(p->s + st, i - st, p->a, &it->lit->s, &it->lit->len, p->err);
    if (rc) return rc;
    p->pos = i;
    *out = it;
    return DD_OK;
}

/* [subscripts] after the '[' */
static int parse_subscripts(JpParser *p, JpItem *it)
{
    int cap = 0;
    for (;;) {
        JpItem *f, *t = NULL;
        int rc = parse_expr(p, &f);
        if (rc) return rc;
        if (accept_kw(p, "to") && (rc = parse_expr(p, &t))) return rc;
        if (it->nsubs == cap) {
            int nc = cap ? cap * 2 : 4;
            JpItem **nf = arena_alloc(p->a, sizeof(JpItem *) * (size_t)nc);
            JpItem **nt = arena_alloc(p->a, sizeof(JpItem *) * (size_t)nc);
            if (!nf || !nt) return jp_nomem(p->err);
            if (cap) {
                memcpy(nf, it->from, sizeof(JpItem *) * (size_t)cap);
                memcpy(nt, it->to, sizeof(JpItem *) * (size_t)cap);
            }
            it->from = nf;
            it->to = nt;
            cap = nc;
        }
        it->from[it->nsubs] = f;
        it->to[it->nsubs] = t;
        it->nsubs++;
        if (accept(p, ",")) continue;
        if (accept(p, "]")) return DD_OK;
        return syntax_error(p);
    }
}

/* Accessors after a primary: chained through ->next. */
static int parse_accessors(JpParser *p, JpItem *first)
{
    JpItem *last = first;
    for (;;) {
        JpItem *it = NULL;
        int rc;
        skip_ws(p);
        if (accept(p, ".")) {
            skip_ws(p);
            if (accept(p, "**")) {
                /* .** [{n} | {n to m} | {n to last}] */
                if (!(it = new_item(p, JP_ANYPATH))) return jp_nomem(p->err);
                it->op = 0;
                it->hi = -1;
                if (accept(p, "{")) {
                    int lv[2] = {0, 0};
                    for (int k = 0; k < 2; k++) {
                        skip_ws(p);
                        if (accept_kw(p, "last")) lv[k] = -1;
                        else if (p->pos < p->n && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
                            long v = 0;
                            while (p->pos < p->n && p->s[p->pos] >= '0' && p->s[p->pos] <= '9' && v < 100000000)
                                v = v * 10 + (p->s[p->pos++] - '0');
                            lv[k] = (int)v;
                        } else {
                            return syntax_error(p);
                        }
                        if (k == 0 && !accept_kw(p, "to")) { lv[1] = lv[0]; break; }
                    }
                    if (!accept(p, "}")) return syntax_error(p);
                    it->op = lv[0];
                    it->hi = lv[1];
                }
            } else if (accept(p, "*")) {
                if (!(it = new_item(p, JP_ANYKEY))) return jp_nomem(p->err);
            } else if (p->pos < p->n && p->s[p->pos] == '"') {
                if (!(it = new_item(p, JP_KEY))) return jp_nomem(p->err);
                if ((rc = parse_string(p, &it->s, &it->len))) return rc;
            } else if (p->pos < p->n && is_ident_char((u8)p->s[p->pos])) {
                size_t st = p->pos;
                while (p->pos < p->n && is_ident_char((u8)p->s[p->pos])) p->pos++;
                size_t l = p->pos - st;
                if (accept(p, "(")) {
                    if (!accept(p, ")")) return syntax_error(p);
                    if (!(it = new_item(p, JP_METHOD))) return jp_nomem(p->err);
                } else {
                    if (!(it = new_item(p, JP_KEY))) return jp_nomem(p->err);
                }
                it->s = p->s + st;
                it->len = (u32)l;
            } else {
                return syntax_error(p);
            }
        } else if (accept(p, "[")) {
            if (accept(p, "*")) {
                if (!accept(p, "]")) return syntax_error(p);
                if (!(it = new_item(p, JP_ANYINDEX))) return jp_nomem(p->err);
            } else {
                if (!(it = new_item(p, JP_INDEX))) return jp_nomem(p->err);
                if ((rc = parse_subscripts(p, it))) return rc;
            }
        } else if (peek_str(p, "?")) {
            p->pos++;
            if (!accept(p, "(")) return syntax_error(p);
            if (!(it = new_item(p, JP_FILTER))) return jp_nomem(p->err);
            if ((rc = parse_expr(p, &it->a))) return rc;
            if (!accept(p, ")")) return syntax_error(p);
        } else {
            return DD_OK;
        }
        last->next = it;
        last = it;
    }
}

static int parse_primary(JpParser *p, JpItem **out)
{
    skip_ws(p);
    if (p->pos >= p->n) return syntax_error(p);
    if (++p->depth > 1000) return dd_err(p->err, DD_ESTACK_DEPTH, -1, "stack depth limit exceeded");
    char c = p->s[p->pos];
    JpItem *it = NULL;
    int rc = DD_OK;
    if (c == '$') {
        p->pos++;
        if (p->pos < p->n && is_ident_char((u8)p->s[p->pos])) {
            size_t st = p->pos;
            while (p->pos < p->n && is_ident_char((u8)p->s[p->pos])) p->pos++;
            if (!(it = new_item(p, JP_VAR))) return jp_nomem(p->err);
            it->s = p->s + st;
            it->len = (u32)(p->pos - st);
        } else if (p->pos < p->n && p->s[p->pos] == '"') {
            if (!(it = new_item(p, JP_VAR))) return jp_nomem(p->err);
            if ((rc = parse_string(p, &it->s, &it->len))) return rc;
        } else if (!(it = new_item(p, JP_ROOT))) {
            return jp_nomem(p->err);
        }
    } else if (c == '@') {
        p->pos++;
        if (!(it = new_item(p, JP_CURRENT))) return jp_nomem(p->err);
    } else if (c == '"') {
        if (!(it = new_item(p, JP_LITERAL))) return jp_nomem(p->err);
        const char *s;
        u32 l;
        if ((rc = parse_string(p, &s, &l))) return rc;
        if (!(it->lit = jnode_string(p->a, s, l))) return jp_nomem(p->err);
    } else if ((c >= '0' && c <= '9') || (c == '.' && p->pos + 1 < p->n && p->s[p->pos + 1] >= '0' && p->s[p->pos + 1] <= '9')) {
        if ((rc = parse_number(p, &it))) return rc;
    } else if (c == '(') {
        p->pos++;
        if ((rc = parse_expr(p, &it))) return rc;
        if (!accept(p, ")")) return syntax_error(p);
    } else if (accept_kw(p, "true") || accept_kw(p, "false")) {
        if (!(it = new_item(p, JP_LITERAL)) || !(it->lit = jnode_new(p->a, J_BOOL))) return jp_nomem(p->err);
        it->lit->b = p->s[p->pos - 1] == 'e' && p->s[p->pos - 2] == 'u';
    } else if (accept_kw(p, "null")) {
        if (!(it = new_item(p, JP_LITERAL)) || !(it->lit = jnode_new(p->a, J_NULL))) return jp_nomem(p->err);
    } else if (accept_kw(p, "last")) {
        if (!(it = new_item(p, JP_LAST))) return jp_nomem(p->err);
    } else if (accept_kw(p, "exists")) {
        if (!accept(p, "(")) return syntax_error(p);
        if (!(it = new_item(p, JP_EXISTS))) return jp_nomem(p->err);
        if ((rc = parse_expr(p, &it->a))) return rc;
        if (!accept(p, ")")) return syntax_error(p);
    } else {
        return syntax_error(p);
    }
    p->depth--;
    if ((rc = parse_accessors(p, it))) return rc;
    *out = it;
    return DD_OK;
}

static int parse_unary(JpParser *p, JpItem **out)
{
    skip_ws(p);
    if (p->pos < p->n && (p->s[p->pos] == '-' || p->s[p->pos] == '+')) {
        bool neg = p->s[p->pos++] == '-';
        JpItem *it = new_item(p, neg ? JP_NEG : JP_PLUS);
        if (!it) return jp_nomem(p->err);
        int rc = parse_unary(p, &it->a);
        if (rc) return rc;
        *out = it;
        return DD_OK;
    }
    return parse_primary(p, out);
}

static int parse_binary(JpParser *p, JpItem **out, int level);

/* levels: 0 ||, 1 &&, 2 comparison, 3 + -, 4 * / % */
static int parse_binary(JpParser *p, JpItem **out, int level)
{
    int rc;
    JpItem *l;
    if (level == 1 && accept(p, "!")) {
        /* ! (predicate) */
        if (!peek_str(p, "(")) return syntax_error(p);
        if (!(l = new_item(p, JP_NOT))) return jp_nomem(p->err);
        if ((rc = parse_binary(p, &l->a, 2))) return rc;
    } else if ((rc = level == 4 ? parse_unary(p, &l) : parse_binary(p, &l, level + 1))) {
        return rc;
    }
    for (;;) {
        JpItem *it = NULL;
        skip_ws(p);
        if (level == 0 && accept(p, "||")) it = new_item(p, JP_OR);
        else if (level == 1 && accept(p, "&&")) it = new_item(p, JP_AND);
        else if (level == 2) {
            static const struct { const char *t; JpCmp c; } ops[] = {
                {"==", JC_EQ}, {"!=", JC_NE}, {"<>", JC_NE}, {"<=", JC_LE}, {">=", JC_GE}, {"<", JC_LT}, {">", JC_GT},
            };
            int found = -1;
            for (size_t k = 0; k < DD_ARRAY_LEN(ops) && found < 0; k++)
                if (accept(p, ops[k].t)) found = (int)ops[k].c;
            if (found < 0 && accept_kw(p, "starts")) {
                if (!accept_kw(p, "with")) return syntax_error(p);
                found = JC_STARTS;
            }
            if (found < 0 && accept_kw(p, "like_regex")) {
                /* like_regex "pattern" [flag "flags"] */
                if (!(it = new_item(p, JP_LIKE_REGEX))) return jp_nomem(p->err);
                it->a = l;
                skip_ws(p);
                if (p->pos >= p->n || p->s[p->pos] != '"') return syntax_error(p);
                if ((rc = parse_string(p, &it->s, &it->len))) return rc;
                unsigned opts = RX_NLSTOP;   /* XQuery: . stops at newlines unless s */
                if (accept_kw(p, "flag")) {
                    const char *f;
                    u32 fl;
                    skip_ws(p);
                    if (p->pos >= p->n || p->s[p->pos] != '"') return syntax_error(p);
                    if ((rc = parse_string(p, &f, &fl))) return rc;
                    for (u32 k = 0; k < fl; k++) {
                        switch (f[k]) {
                        case 'i': opts |= RX_ICASE; break;
                        case 's': opts &= ~(unsigned)RX_NLSTOP; break;
                        case 'm': opts |= RX_NLANCH; break;
                        case 'x': opts |= RX_EXPANDED; break;
                        case 'q': opts |= RX_QUOTE; break;
                        default:
                            return dd_err(p->err, DD_ESYNTAX, -1, "invalid input syntax for type jsonpath");
                        }
                    }
                }
                it->op = (int)opts;
                *out = it;
                return DD_OK;
            }
            if (found < 0) break;
            it = new_item(p, JP_CMP);
            if (it) it->op = found;
            if (!it) return jp_nomem(p->err);
            it->a = l;
            if ((rc = parse_binary(p, &it->b, 3))) return rc;
            *out = it;
            return DD_OK;   /* comparisons do not chain */
        } else if (level == 3 && p->pos < p->n && (p->s[p->pos] == '+' || p->s[p->pos] == '-')) {
            it = new_item(p, JP_ARITH);
            if (it) it->op = p->s[p->pos++];
        } else if (level == 4 && p->pos < p->n && (p->s[p->pos] == '*' || p->s[p->pos] == '/' || p->s[p->pos] == '%')) {
            it = new_item(p, JP_ARITH);
            if (it) it->op = p->s[p->pos++];
        } else {
            break;
        }
        if (!it) return jp_nomem(p->err);
        it->a = l;
        if (level == 1 && accept(p, "!")) {
            JpItem *nt = new_item(p, JP_NOT);
            if (!nt) return jp_nomem(p->err);
            if (!peek_str(p, "(")) return syntax_error(p);
            if ((rc = parse_binary(p, &nt->a, 2))) return rc;
            it->b = nt;
        } else if ((rc = level == 4 ? parse_unary(p, &it->b) : parse_binary(p, &it->b, level + 1))) {
            return rc;
        }
        l = it;
    }
    *out = l;
    return DD_OK;
}

static int parse_expr(JpParser *p, JpItem **out) { return parse_binary(p, out, 0); }

int jsonpath_parse(const char *s, size_t len, Arena *a, JsonPath **out, DdError *err)
{
    JpParser p = {s, len, 0, a, err, 0};
    JsonPath *jp = arena_zalloc(a, sizeof(JsonPath));
    if (!jp) return jp_nomem(err);
    if (accept_kw(&p, "strict")) jp->strict = true;
    else accept_kw(&p, "lax");
    int rc = parse_expr(&p, &jp->expr);
    if (rc) return rc;
    skip_ws(&p);
    if (p.pos < p.n) return syntax_error(&p);
    *out = jp;
    return DD_OK;
}

/* ---------------------------------------------------------------- evaluation */

typedef struct JpList {
    JNode **v;
    u32 n, cap;
} JpList;

typedef struct JpEval {
    RxCache *rx;         /* like_regex patterns compiled during this evaluation */
    const JsonPath *jp;
    JNode *root;
    const JNode *vars;
    Arena *a;
    DdError *err;
    JNode *current;
    i64 last;            /* the last index of the array a subscript is read in, -1 outside */
} JpEval;

/* Three-valued predicate results. */
enum { JPB_FALSE, JPB_TRUE, JPB_UNKNOWN };

static int push(JpEval *e, JpList *l, JNode *n)
{
    if (l->n == l->cap) {
        u32 nc = l->cap ? l->cap * 2 : 8;
        JNode **nv = arena_alloc(e->a, sizeof(JNode *) * nc);
        if (!nv) return jp_nomem(e->err);
        if (l->n) memcpy(nv, l->v, sizeof(JNode *) * l->n);
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = n;
    return DD_OK;
}

static int eval_item(JpEval *e, const JpItem *it, JNode *cur, JpList *out);
static int eval_pred(JpEval *e, const JpItem *it, JNode *cur, int *res);

static bool is_pred(const JpItem *it)
{
    return it->kind == JP_CMP || it->kind == JP_LIKE_REGEX || it->kind == JP_AND || it->kind == JP_OR || it->kind == JP_NOT || it->kind == JP_EXISTS;
}

/* Applies the accessor chain starting at it to node v. */
static int apply(JpEval *e, const JpItem *it, JNode *v, JpList *out);
static int apply_anypath(JpEval *e, const JpItem *it, JNode *v, int level, JpList *out);

static int apply_key(JpEval *e, const JpItem *it, JNode *v, JpList *out)
{
    bool strict = e->jp->strict;
    if (v->type == J_OBJECT) {
        JNode *r = jsonb_get_key(v, it->s, it->len);
        if (r) return apply(e, it->next, r, out);
        if (strict)
            return dd_err(e->err, DD_EJSON_MEMBER_NOT_FOUND, -1, "JSON object does not contain key \"%.*s\"",
                          (int)it->len, it->s);
        return DD_OK;
    }
    if (v->type == J_ARRAY && !strict) {
        for (u32 i = 0; i < v->n; i++) {
            int rc = apply_key(e, it, v->elems[i], out);
            if (rc) return rc;
        }
        return DD_OK;
    }
    if (strict)
        return dd_err(e->err, DD_EJSON_MEMBER_NOT_FOUND, -1, "jsonpath member accessor can only be applied to an object");
    return DD_OK;
}

/* A subscript's value: one integer (numbers are truncated, as PostgreSQL). */
static int subscript(JpEval *e, const JpItem *it, JNode *cur, i64 *out)
{
    JpList l = {0};
    int rc = eval_item(e, it, cur, &l);
    if (rc) return rc;
    if (l.n != 1 || l.v[0]->type != J_NUMBER)
        return dd_err(e->err, DD_EJSON_SUBSCRIPT, -1, "jsonpath array subscript is not a single numeric value");
    char buf[64];
    snprintf(buf, sizeof buf, "%.*s", (int)DD_MIN(l.v[0]->len, 60), l.v[0]->s);
    double d = strtod(buf, NULL);
    if (d > 2147483647.0 || d < -2147483648.0)
        return dd_err(e->err, DD_EJSON_SUBSCRIPT, -1, "jsonpath array subscript is out of integer range");
    *out = (i64)d;
    return DD_OK;
}

static int apply_index(JpEval *e, const JpItem *it, JNode *v, JpList *out)
{
    bool strict = e->jp->strict;
    JNode *wrap = NULL;
    if (v->type != J_ARRAY) {
        if (strict)
            return dd_err(e->err, DD_EJSON_ARRAY_NOT_FOUND, -1, "jsonpath array accessor can only be applied to an array");
        /* lax: a one-element array of v */
        wrap = jnode_new(e->a, J_ARRAY);
        if (!wrap || !(wrap->elems = arena_alloc(e->a, sizeof(JNode *)))) return jp_nomem(e->err);
        wrap->elems[0] = v;
        wrap->n = 1;
        v = wrap;
    }
    i64 saved = e->last;
    e->last = (i64)v->n - 1;
    int rc = DD_OK;
    for (int k = 0; k < it->nsubs && !rc; k++) {
        i64 from, to;
        if ((rc = subscript(e, it->from[k], e->current, &from))) break;
        to = from;
        if (it->to[k] && (rc = subscript(e, it->to[k], e->current, &to))) break;
        if (strict && (from < 0 || to < from || to >= (i64)v->n)) {
            rc = dd_err(e->err, DD_EJSON_SUBSCRIPT, -1, "jsonpath array subscript is out of bounds");
            break;
        }
        if (from < 0) from = 0;
        if (to >= (i64)v->n) to = (i64)v->n - 1;
        for (i64 i = from; i <= to && !rc; i++) rc = apply(e, it->next, v->elems[i], out);
    }
    e->last = saved;
    return rc;
}

static JNode *number_node(JpEval *e, double d)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.15g", d);
    return jnode_number_text(e->a, buf, strlen(buf));
}

static int apply_method(JpEval *e, const JpItem *it, JNode *v, JpList *out)
{
    bool strict = e->jp->strict;
    char name[16];
    snprintf(name, sizeof name, "%.*s", (int)DD_MIN(it->len, 15), it->s);
    JNode *r = NULL;
    if (strcmp(name, "type") == 0) {
        static const char *const names[] = {"null", "string", "number", "boolean", "array", "object"};
        const char *t = names[v->type];
        r = jnode_string(e->a, t, strlen(t));
    } else if (strcmp(name, "size") == 0) {
        if (v->type != J_ARRAY && strict)
            return dd_err(e->err, DD_EJSON_ARRAY_NOT_FOUND, -1, "jsonpath item method .size() can only be applied to an array");
        r = number_node(e, v->type == J_ARRAY ? (double)v->n : 1);
    } else if (strcmp(name, "double") == 0 || strcmp(name, "abs") == 0 || strcmp(name, "floor") == 0 ||
               strcmp(name, "ceiling") == 0) {
        if (v->type == J_ARRAY && !strict) {
            for (u32 i = 0; i < v->n; i++) {
                int rc = apply_method(e, it, v->elems[i], out);
                if (rc) return rc;
            }
            return DD_OK;
        }
        bool dbl = strcmp(name, "double") == 0;
        if (v->type != J_NUMBER && !(dbl && v->type == J_STRING))
            return dd_err(e->err, DD_EJSON_NUMBER_NOT_FOUND, -1,
                          "jsonpath item method .%s() can only be applied to a %snumeric value", name,
                          dbl ? "string or " : "");
        char buf[128];
        snprintf(buf, sizeof buf, "%.*s", (int)DD_MIN(v->len, 120), v->s);
        char *end;
        double d = strtod(buf, &end);
        if (*end || end == buf)
            return dd_err(e->err, DD_EJSON_NUMBER_NOT_FOUND, -1,
                          "string argument of jsonpath item method .%s() is not a valid representation of a double precision number", name);
        if (dbl && v->type == J_NUMBER) r = v;
        else if (dbl) r = number_node(e, d);
        else if (strcmp(name, "abs") == 0) {
            r = v->len && v->s[0] == '-' ? jnode_number_text(e->a, v->s + 1, v->len - 1) : v;
        } else {
            d = strcmp(name, "floor") == 0 ? floor(d) : ceil(d);
            r = number_node(e, d == 0 ? 0 : d);
        }
    } else {
        return dd_err(e->err, DD_EFEATURE, -1, "jsonpath item method .%s() is not supported", name);
    }
    if (!r) return jp_nomem(e->err);
    return apply(e, it->next, r, out);
}

/* .**: v and everything below it, depth first, at levels [op, hi] */
static int apply_anypath(JpEval *e, const JpItem *it, JNode *v, int level, JpList *out)
{
    int lo = it->op == -1 ? 0 : it->op, rc;
    bool unbounded = it->hi == -1;
    if (level >= lo && (unbounded || level <= it->hi)) {
        /* what follows .** ignores structural errors, strict or not (PostgreSQL) */
        DdError saved;
        if (e->err) saved = *e->err;
        rc = apply(e, it->next, v, out);
        if (rc == DD_EJSON_MEMBER_NOT_FOUND || rc == DD_EJSON_OBJECT_NOT_FOUND || rc == DD_EJSON_ARRAY_NOT_FOUND ||
            rc == DD_EJSON_SUBSCRIPT) {
            if (e->err) *e->err = saved;
            rc = DD_OK;
        }
        if (rc) return rc;
    }
    if (!unbounded && level >= it->hi) return DD_OK;
    if (level > 10000) return dd_err(e->err, DD_ESTACK_DEPTH, -1, "stack depth limit exceeded");
    u32 n = v->type == J_ARRAY || v->type == J_OBJECT ? v->n : 0;
    for (u32 i = 0; i < n; i++)
        if ((rc = apply_anypath(e, it, v->type == J_ARRAY ? v->elems[i] : v->pairs[i].v, level + 1, out))) return rc;
    return DD_OK;
}

static int apply(JpEval *e, const JpItem *it, JNode *v, JpList *out)
{
    if (!it) return push(e, out, v);
    bool strict = e->jp->strict;
    switch (it->kind) {
    case JP_KEY: return apply_key(e, it, v, out);
    case JP_ANYKEY:
        if (v->type == J_OBJECT) {
            for (u32 i = 0; i < v->n; i++) {
                int rc = apply(e, it->next, v->pairs[i].v, out);
                if (rc) return rc;
            }
            return DD_OK;
        }
        if (v->type == J_ARRAY && !strict) {
            for (u32 i = 0; i < v->n; i++) {
                int rc = apply(e, it, v->elems[i], out);
                if (rc) return rc;
            }
            return DD_OK;
        }
        if (strict)
            return dd_err(e->err, DD_EJSON_OBJECT_NOT_FOUND, -1,
                          "jsonpath wildcard member accessor can only be applied to an object");
        return DD_OK;
    case JP_INDEX: return apply_index(e, it, v, out);
    case JP_ANYPATH: return apply_anypath(e, it, v, 0, out);
    case JP_ANYINDEX:
        if (v->type == J_ARRAY) {
            for (u32 i = 0; i < v->n; i++) {
                int rc = apply(e, it->next, v->elems[i], out);
                if (rc) return rc;
            }
            return DD_OK;
        }
        if (strict)
            return dd_err(e->err, DD_EJSON_ARRAY_NOT_FOUND, -1,
                          "jsonpath wildcard array accessor can only be applied to an array");
        return apply(e, it->next, v, out);
    case JP_FILTER: {
        if (v->type == J_ARRAY && !strict) {
            for (u32 i = 0; i < v->n; i++) {
                int rc = apply(e, it, v->elems[i], out);
                if (rc) return rc;
            }
            return DD_OK;
        }
        JNode *saved = e->current;
        e->current = v;
        int res;
        int rc = eval_pred(e, it->a, v, &res);
        e->current = saved;
        if (rc) return rc;
        return res == JPB_TRUE ? apply(e, it->next, v, out) : DD_OK;
    }
    case JP_METHOD: return apply_method(e, it, v, out);
    default: return dd_err(e->err, DD_EINTERNAL, -1, "unexpected jsonpath item");
    }
}

static int arith(JpEval *e, const JpItem *it, JNode *cur, JpList *out)
{
    static const char *const names[] = {['+'] = "+", ['-'] = "-", ['*'] = "*", ['/'] = "/", ['%'] = "%"};
    JpList l = {0}, r = {0};
    int rc = eval_item(e, it->a, cur, &l);
    if (!rc) rc = eval_item(e, it->b, cur, &r);
    if (rc) return rc;
    /* lax: operands that are arrays are unwrapped */
    if (!e->jp->strict && l.n == 1 && l.v[0]->type == J_ARRAY && l.v[0]->n == 1) l.v[0] = l.v[0]->elems[0];
    if (!e->jp->strict && r.n == 1 && r.v[0]->type == J_ARRAY && r.v[0]->n == 1) r.v[0] = r.v[0]->elems[0];
    if (l.n != 1 || l.v[0]->type != J_NUMBER)
        return dd_err(e->err, DD_EJSON_SINGLETON, -1, "left operand of jsonpath operator %s is not a single numeric value",
                      names[it->op]);
    if (r.n != 1 || r.v[0]->type != J_NUMBER)
        return dd_err(e->err, DD_EJSON_SINGLETON, -1, "right operand of jsonpath operator %s is not a single numeric value",
                      names[it->op]);
    ValueCtx vc;
    memset(&vc, 0, sizeof vc);
    vc.arena = e->a;
    Value a, b, res;
    if ((rc = val_from_text(TYPE_NUMERIC, -1, l.v[0]->s, l.v[0]->len, &vc, &a, e->err))) return rc;
    if ((rc = val_from_text(TYPE_NUMERIC, -1, r.v[0]->s, r.v[0]->len, &vc, &b, e->err))) return rc;
    ArithOp op = it->op == '+' ? ARITH_ADD : it->op == '-' ? ARITH_SUB : it->op == '*' ? ARITH_MUL
               : it->op == '/' ? ARITH_DIV : ARITH_MOD;
    if ((rc = val_arith(op, &a, &b, &vc, &res, e->err))) return rc;
    Buf t = BUF_INIT;
    val_to_text(&res, &vc, &t);
    JNode *n = buf_ok(&t) ? jnode_number_text(e->a, (const char *)t.data, t.len) : NULL;
    buf_free(&t);
    if (!n) return jp_nomem(e->err);
    return apply(e, it->next, n, out);
}

/* The items of expression it evaluated at cur. */
static int eval_item(JpEval *e, const JpItem *it, JNode *cur, JpList *out)
{
    switch (it->kind) {
    case JP_ROOT: return apply(e, it->next, e->root, out);
    case JP_CURRENT: return apply(e, it->next, cur, out);
    case JP_LITERAL: return apply(e, it->next, it->lit, out);
    case JP_VAR: {
        JNode *v = e->vars ? jsonb_get_key(e->vars, it->s, it->len) : NULL;
        if (!v)
            return dd_err(e->err, DD_EUNDEFINED_OBJECT, -1, "could not find jsonpath variable \"%.*s\"", (int)it->len,
                          it->s);
        return apply(e, it->next, v, out);
    }
    case JP_LAST: {
        if (e->last < -1 || e->last == INT64_MIN)
            return dd_err(e->err, DD_ESYNTAX, -1, "LAST is allowed only in array subscripts");
        JNode *n = number_node(e, (double)e->last);
        if (!n) return jp_nomem(e->err);
        return apply(e, it->next, n, out);
    }
    case JP_ARITH: return arith(e, it, cur, out);
    case JP_NEG: case JP_PLUS: {
        JpList l = {0};
        int rc = eval_item(e, it->a, cur, &l);
        if (rc) return rc;
        for (u32 i = 0; i < l.n; i++) {
            JNode *v = l.v[i];
            if (v->type != J_NUMBER)
                return dd_err(e->err, DD_EJSON_NUMBER_NOT_FOUND, -1, "operand of unary jsonpath operator %s is not a numeric value",
                              it->kind == JP_NEG ? "-" : "+");
            if (it->kind == JP_NEG) {
                Buf t = BUF_INIT;
                if (v->len && v->s[0] == '-') buf_append(&t, v->s + 1, v->len - 1);
                else { buf_putc(&t, '-'); buf_append(&t, v->s, v->len); }
                v = buf_ok(&t) ? jnode_number_text(e->a, (const char *)t.data, t.len) : NULL;
                buf_free(&t);
                if (!v) return jp_nomem(e->err);
            }
            if ((rc = apply(e, it->next, v, out))) return rc;
        }
        return DD_OK;
    }
    default:
        if (is_pred(it)) {
            /* a predicate as a value: its boolean (unknown is null) */
            int res;
            int rc = eval_pred(e, it, cur, &res);
            if (rc) return rc;
            JNode *n = jnode_new(e->a, res == JPB_UNKNOWN ? J_NULL : J_BOOL);
            if (!n) return jp_nomem(e->err);
            n->b = res == JPB_TRUE;
            return push(e, out, n);
        }
        return dd_err(e->err, DD_EINTERNAL, -1, "unexpected jsonpath item");
    }
}

static int cmp_items(const JNode *a, const JNode *b, JpCmp op)
{
    if (op == JC_STARTS) {
        if (a->type != J_STRING || b->type != J_STRING) return JPB_UNKNOWN;
        return a->len >= b->len && memcmp(a->s, b->s, b->len) == 0 ? JPB_TRUE : JPB_FALSE;
    }
    if (a->type != b->type) {
        if (a->type == J_NULL || b->type == J_NULL) return op == JC_NE ? JPB_TRUE : JPB_FALSE;
        return JPB_UNKNOWN;
    }
    int c;
    switch (a->type) {
    case J_NULL: c = 0; break;
    case J_BOOL: c = a->b == b->b ? 0 : a->b ? 1 : -1; break;
    case J_NUMBER: c = json_number_cmp(a->s, a->len, b->s, b->len); break;
    case J_STRING:
        c = memcmp(a->s, b->s, DD_MIN(a->len, b->len));
        if (!c) c = a->len < b->len ? -1 : a->len > b->len;
        break;
    default: return JPB_UNKNOWN;   /* arrays and objects do not compare */
    }
    bool r;
    switch (op) {
    case JC_EQ: r = c == 0; break;
    case JC_NE: r = c != 0; break;
    case JC_LT: r = c < 0; break;
    case JC_LE: r = c <= 0; break;
    case JC_GT: r = c > 0; break;
    default: r = c >= 0; break;
    }
    return r ? JPB_TRUE : JPB_FALSE;
}

/* Operand items of a comparison: errors make it unknown; lax unwraps arrays. */
static int operand(JpEval *e, const JpItem *it, JNode *cur, JpList *out, bool *failed)
{
    DdError saved;
    if (e->err) saved = *e->err;
    JpList l = {0};
    int rc = eval_item(e, it, cur, &l);
    if (rc == DD_ENOMEM) return rc;
    if (rc) {
        if (e->err) *e->err = saved;
        *failed = true;
        return DD_OK;
    }
    for (u32 i = 0; i < l.n; i++) {
        if (l.v[i]->type == J_ARRAY && !e->jp->strict) {
            for (u32 k = 0; k < l.v[i]->n; k++)
                if ((rc = push(e, out, l.v[i]->elems[k]))) return rc;
        } else if ((rc = push(e, out, l.v[i]))) {
            return rc;
        }
    }
    return DD_OK;
}

static int eval_pred(JpEval *e, const JpItem *it, JNode *cur, int *res)
{
    int rc, a, b;
    switch (it->kind) {
    case JP_AND:
        if ((rc = eval_pred(e, it->a, cur, &a))) return rc;
        if (a == JPB_FALSE) { *res = JPB_FALSE; return DD_OK; }
        if ((rc = eval_pred(e, it->b, cur, &b))) return rc;
        *res = b == JPB_FALSE ? JPB_FALSE : (a == JPB_TRUE && b == JPB_TRUE) ? JPB_TRUE : JPB_UNKNOWN;
        return DD_OK;
    case JP_OR:
        if ((rc = eval_pred(e, it->a, cur, &a))) return rc;
        if (a == JPB_TRUE) { *res = JPB_TRUE; return DD_OK; }
        if ((rc = eval_pred(e, it->b, cur, &b))) return rc;
        *res = b == JPB_TRUE ? JPB_TRUE : (a == JPB_FALSE && b == JPB_FALSE) ? JPB_FALSE : JPB_UNKNOWN;
        return DD_OK;
    case JP_NOT:
        if ((rc = eval_pred(e, it->a, cur, &a))) return rc;
        *res = a == JPB_UNKNOWN ? JPB_UNKNOWN : a == JPB_TRUE ? JPB_FALSE : JPB_TRUE;
        return DD_OK;
    case JP_EXISTS: {
        JpList l = {0};
        bool failed = false;
        DdError saved;
        if (e->err) saved = *e->err;
        rc = eval_item(e, it->a, cur, &l);
        if (rc == DD_ENOMEM) return rc;
        if (rc) { if (e->err) *e->err = saved; failed = true; }
        *res = failed ? JPB_UNKNOWN : l.n ? JPB_TRUE : JPB_FALSE;
        return DD_OK;
    }
    case JP_LIKE_REGEX: {
        JpList l = {0};
        bool failed = false, unknown = false, found = false;
        if ((rc = operand(e, it->a, cur, &l, &failed))) return rc;
        if (failed) { *res = JPB_UNKNOWN; return DD_OK; }
        const Regex *re;
        if ((rc = rx_compile(&e->rx, e->a, it->s, it->len, (unsigned)it->op, &re, e->err))) return rc;
        for (u32 i = 0; i < l.n && !found; i++) {
            if (l.v[i]->type != J_STRING) { unknown = true; continue; }
            int m = rx_find(re, l.v[i]->s, l.v[i]->len, e->err);
            if (m < 0) return -m;
            found = m > 0;
        }
        *res = found && !(e->jp->strict && unknown) ? JPB_TRUE : unknown ? JPB_UNKNOWN : JPB_FALSE;
        return DD_OK;
    }
    case JP_CMP: {
        JpList l = {0}, r = {0};
        bool failed = false;
        if ((rc = operand(e, it->a, cur, &l, &failed))) return rc;
        if (!failed && (rc = operand(e, it->b, cur, &r, &failed))) return rc;
        if (failed) { *res = JPB_UNKNOWN; return DD_OK; }
        bool found = false, unknown = false;
        for (u32 i = 0; i < l.n && !found; i++)
            for (u32 k = 0; k < r.n && !found; k++) {
                int c = cmp_items(l.v[i], r.v[k], (JpCmp)it->op);
                if (c == JPB_TRUE) found = true;
                else if (c == JPB_UNKNOWN) unknown = true;
            }
        *res = found && !(e->jp->strict && unknown) ? JPB_TRUE : unknown ? JPB_UNKNOWN : JPB_FALSE;
        return DD_OK;
    }
    default: {
        /* a path in a boolean position: its single boolean item */
        JpList l = {0};
        if ((rc = eval_item(e, it, cur, &l))) return rc;
        if (l.n == 1 && l.v[0]->type == J_BOOL) { *res = l.v[0]->b ? JPB_TRUE : JPB_FALSE; return DD_OK; }
        *res = JPB_UNKNOWN;
        return DD_OK;
    }
    }
}

int jsonpath_eval(const JsonPath *jp, JNode *root, const JNode *vars, Arena *a, JNode ***items, u32 *nitems,
                  DdError *err)
{
    if (vars && vars->type != J_OBJECT)
        return dd_err(err, DD_EINVALID_PARAM, -1,
                      "\"vars\" argument is not an object");
    JpEval e = {NULL, jp, root, vars, a, err, root, INT64_MIN};
    JpList out = {0};
    int rc = eval_item(&e, jp->expr, root, &out);
    if (rc) return rc;
    *items = out.v;
    *nitems = out.n;
    return DD_OK;
}
