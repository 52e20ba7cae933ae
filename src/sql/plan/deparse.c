/*
 * deparse.c - a stored expression (a CHECK, a column default, an index
 * expression or predicate) and a view's query printed as PostgreSQL
 * prints them from its parse trees (pg_get_expr, pg_get_constraintdef,
 * pg_get_indexdef, pg_get_viewdef, psql's \d):
 * the casts its operators and functions apply to their arguments shown
 * (`n >= 0::numeric`, `lower(v::text)`), string literals as constants of
 * the type they became (`'x'::text`), IN as `= ANY (ARRAY[...])`, BETWEEN
 * as two comparisons, LIKE as `~~`; parentheses around every operator in
 * the plain form, only where precedence needs them in the pretty one.
 *
 * The catalog keeps expressions as SQL text.  This file parses the text
 * again, learns each part's type by compiling it over the table's row,
 * and works out which argument PostgreSQL would coerce from the operator
 * and function signatures PostgreSQL has (its cross-type integer, float
 * and date/time operators take their arguments as they are; text
 * operators take a varchar as text; mixed numbers meet in numeric or
 * double precision).  What it does not know the exact form of (CASE,
 * subqueries, the SQL-syntax functions EXTRACT, POSITION, TRIM ..., a
 * mix of types it has no rule for) it does not guess at: sql_deparse
 * returns false and the caller prints the text as written.
 */
#include "plan_int.h"
#include "../catalog/pgcat.h"
#include "../exec/executor.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Node kinds, as PostgreSQL's printer decides parentheses by them. */
enum {
    K_SIMPLE, K_OP, K_AND, K_OR, K_NOT,
    K_TEST,    /* IS NULL, IS TRUE, IS DISTINCT FROM */
    K_SAOP,    /* x op ANY | ALL (array): in parentheses under any operator */
    K_FUNC     /* a parent only: a call's argument list, ARRAY[...] */
};

#define DP_MAX_RELS 16

typedef struct Parent {
    int kind;          /* K_*, or -1: the top (no parentheses) */
    const char *op;    /* K_OP: its symbol */
    bool first;        /* the node is the operator's left argument */
} Parent;

typedef struct Dp {
    SqlCtx *ctx;
    const CatView *cv;
    const TableInfo *t;
    ScopeRel rels[DP_MAX_RELS];   /* the relations the expression reads */
    int nrels;
    Scope sc;
    bool qualify;      /* a view's query: columns as rel.col */
    bool pretty;
    bool fail;
    Buf *out;
} Dp;

static const Parent TOP = {-1, NULL, false};

static void print_expr(Dp *d, Expr *e, TypeId want, i32 want_tm, Parent p);

/* 'text' with its quotes doubled, as PostgreSQL's simple_quote_literal
 * (standard_conforming_strings on: backslashes as they are). */
static void quote_literal(const char *s, size_t n, Buf *out)
{
    buf_putc(out, '\'');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'') buf_putc(out, '\'');
        buf_putc(out, s[i]);
    }
    buf_putc(out, '\'');
}

/* e's type, compiled over the table's row; false (d->fail) when it does
 * not compile. */
static bool type_of(Dp *d, Expr *e, TypeId *t, i32 *tm);

/* The aggregates a view's query may call, and their result types as
 * PostgreSQL's (count bigint; sum of integers bigint, of bigint numeric;
 * avg of integers numeric; min and max their argument's).  false: not an
 * aggregate this knows. */
static bool agg_type(Dp *d, Expr *e, TypeId *t)
{
    if (e->kind != EXPR_FUNC || e->u.func.special != FUNC_PLAIN || e->u.func.over || e->u.func.filter ||
        e->u.func.norder || e->u.func.distinct || e->u.func.argnames)
        return false;
    const char *nm = e->u.func.name;
    if (strcmp(nm, "count") == 0) {
        if (!e->u.func.star && e->u.func.n != 1) return false;
        *t = TYPE_INT8;
        return true;
    }
    bool sum = strcmp(nm, "sum") == 0, avg = strcmp(nm, "avg") == 0;
    bool minmax = strcmp(nm, "min") == 0 || strcmp(nm, "max") == 0;
    if ((!sum && !avg && !minmax) || e->u.func.star || e->u.func.n != 1) return false;
    TypeId a;
    i32 am;
    if (!type_of(d, e->u.func.args[0], &a, &am)) return false;
    if (minmax) {
        if (a == TYPE_UNKNOWN || a == TYPE_BPCHAR || type_is_array(a) || a == TYPE_ENUM) return false;
        *t = a == TYPE_VARCHAR ? TYPE_TEXT : a;
        return true;
    }
    if (a == TYPE_INT2 || a == TYPE_INT4) *t = sum ? TYPE_INT8 : TYPE_NUMERIC;
    else if (a == TYPE_INT8 || a == TYPE_NUMERIC) *t = TYPE_NUMERIC;
    else if (a == TYPE_FLOAT4) *t = sum ? TYPE_FLOAT4 : TYPE_FLOAT8;
    else if (a == TYPE_FLOAT8 || a == TYPE_INTERVAL) *t = a;
    else return false;
    return true;
}

static bool type_of(Dp *d, Expr *e, TypeId *t, i32 *tm)
{
    if (e->kind == EXPR_CONST) {
        *t = (TypeId)e->u.c.val.type;
        *tm = -1;
        return true;
    }
    if (d->qualify && agg_type(d, e, t)) {
        *tm = -1;
        return true;
    }
    CompileCtx cc;
    memset(&cc, 0, sizeof cc);
    cc.sql = d->ctx;
    cc.scope = &d->sc;
    cc.agg_forbidden = "a catalog expression";
    ExprProg *pr;
    DdError saved = *d->ctx->err;
    if (expr_compile(&cc, e, &pr)) {
        *d->ctx->err = saved;
        d->fail = true;
        return false;
    }
    *t = pr->type;
    *tm = pr->typmod;
    return true;
}

static void put_type(Dp *d, TypeId t, i32 tm)
{
    if (type_has_etype(t)) {   /* an enum (array) by its name, as format_type */
        if (tm < 0 || !cat_format_type(d->cv, OID_OBJECT_BASE + (u32)tm + (type_is_array(t) ? OID_ARRAY_OFFSET : 0), -1,
                                        true, d->out))
            d->fail = true;
        return;
    }
    if (!cat_format_type(d->cv, type_oid(t), cat_pg_typmod(t, tm), true, d->out)) d->fail = true;
}

static bool is_int(TypeId t) { return t == TYPE_INT2 || t == TYPE_INT4 || t == TYPE_INT8; }
static bool is_float(TypeId t) { return t == TYPE_FLOAT4 || t == TYPE_FLOAT8; }
static bool is_dt(TypeId t) { return t == TYPE_DATE || t == TYPE_TIMESTAMP || t == TYPE_TIMESTAMPTZ; }
static bool is_str(TypeId t) { return t == TYPE_TEXT || t == TYPE_VARCHAR || t == TYPE_BPCHAR; }
static int int_width(TypeId t) { return t == TYPE_INT2 ? 2 : t == TYPE_INT4 ? 4 : 8; }

/*
 * The argument types of PostgreSQL's operator op over (a, b), into
 * *wa / *wb (TYPE_UNKNOWN both: an untyped literal on each side is not
 * resolved here).  op: "=" stands for every comparison (and IS DISTINCT
 * FROM, = ANY); "+" for + - * /; "%", "^", "||", "~~" (LIKE, ILIKE and the
 * regular expression operators) as themselves.  false: no rule.
 */
static bool op_args(const char *op, const char *sym, TypeId a, TypeId b, TypeId *wa, TypeId *wb)
{
    *wa = a;
    *wb = b;
    bool cmp = strcmp(op, "=") == 0, arith = strcmp(op, "+") == 0;
    if (a == TYPE_UNKNOWN && b == TYPE_UNKNOWN) return false;
    if (strcmp(op, "~~") == 0) {   /* text's, a varchar or untyped pattern as text */
        if (!(a == TYPE_TEXT || a == TYPE_VARCHAR) || !(b == TYPE_TEXT || b == TYPE_VARCHAR || b == TYPE_UNKNOWN))
            return false;
        *wa = *wb = TYPE_TEXT;
        return true;
    }
    if (strcmp(op, "json") == 0) {   /* -> ->> ? ?| ?& #> #>> of json / jsonb: a key as text */
        if ((a != TYPE_JSON && a != TYPE_JSONB) || !(b == TYPE_UNKNOWN || b == TYPE_TEXT || b == TYPE_INT4)) return false;
        if (b == TYPE_UNKNOWN) *wb = TYPE_TEXT;
        return true;
    }
    if (strcmp(op, "@>") == 0) {   /* @> <@ &&: jsonb's and arrays', the other side's type */
        if (a == TYPE_UNKNOWN && (b == TYPE_JSONB || type_is_array(b))) { *wa = b; return true; }
        if (b == TYPE_UNKNOWN && (a == TYPE_JSONB || type_is_array(a))) { *wb = a; return true; }
        return a == b && (a == TYPE_JSONB || type_is_array(a));
    }
    if (strcmp(op, "||") == 0) {
        if (!(is_str(a) || a == TYPE_UNKNOWN) || !(is_str(b) || b == TYPE_UNKNOWN)) return false;
        if (a == TYPE_BPCHAR || b == TYPE_BPCHAR) return false;
        *wa = *wb = TYPE_TEXT;
        return true;
    }
    /* an untyped literal takes the other side's type (a varchar's text);
     * added to a timestamp it is an interval, to a date an integer */
    if (a == TYPE_UNKNOWN || b == TYPE_UNKNOWN) {
        TypeId k = a == TYPE_UNKNOWN ? b : a;
        if (arith && strcmp(sym, "+") == 0) {
            TypeId lit = k == TYPE_TIMESTAMP || k == TYPE_TIMESTAMPTZ || k == TYPE_INTERVAL ? TYPE_INTERVAL
                         : k == TYPE_DATE ? TYPE_INT4 : TYPE__COUNT;
            if (lit == TYPE__COUNT) return false;
            if (a == TYPE_UNKNOWN) *wa = lit;
            else *wb = lit;
            return true;
        }
        if (!cmp) return false;
        if (k == TYPE_VARCHAR) k = TYPE_TEXT;
        *wa = *wb = k;
        return true;
    }
    if (strcmp(op, "^") == 0) {
        if (a == TYPE_NUMERIC && (b == TYPE_NUMERIC || is_int(b))) { *wb = TYPE_NUMERIC; return true; }
        if (b == TYPE_NUMERIC && is_int(a)) { *wa = TYPE_NUMERIC; return true; }
        if ((is_int(a) || is_float(a)) && (is_int(b) || is_float(b))) { *wa = *wb = TYPE_FLOAT8; return true; }
        if (a == TYPE_NUMERIC || b == TYPE_NUMERIC) { *wa = *wb = TYPE_FLOAT8; return true; }
        return false;
    }
    if (strcmp(op, "%") == 0) {
        if (is_int(a) && is_int(b)) {
            if (int_width(a) < int_width(b)) *wa = b;
            else if (int_width(b) < int_width(a)) *wb = a;
            return true;
        }
        if (a == TYPE_NUMERIC && (b == TYPE_NUMERIC || is_int(b))) { *wb = TYPE_NUMERIC; return true; }
        if (b == TYPE_NUMERIC && is_int(a)) { *wa = TYPE_NUMERIC; return true; }
        return false;
    }
    if (!cmp && !arith) return false;
    /* numbers: integers and floats among themselves as they are (the
     * cross-type operators), else meeting in numeric or double precision */
    if ((is_int(a) && is_int(b)) || (is_float(a) && is_float(b))) return true;
    if (is_float(a) && (is_int(b) || b == TYPE_NUMERIC)) { *wb = TYPE_FLOAT8; return true; }
    if (is_float(b) && (is_int(a) || a == TYPE_NUMERIC)) { *wa = TYPE_FLOAT8; return true; }
    if (a == TYPE_NUMERIC && (b == TYPE_NUMERIC || is_int(b))) { *wb = TYPE_NUMERIC; return true; }
    if (b == TYPE_NUMERIC && is_int(a)) { *wa = TYPE_NUMERIC; return true; }
    if (cmp) {
        if (is_dt(a) && is_dt(b)) return true;
        if (is_str(a) && is_str(b)) {
            if (a == TYPE_BPCHAR && b == TYPE_BPCHAR) return true;
            if ((a == TYPE_BPCHAR && b == TYPE_VARCHAR) || (a == TYPE_VARCHAR && b == TYPE_BPCHAR)) return false;
            *wa = *wb = TYPE_TEXT;
            return true;
        }
        return a == b && a != TYPE_RECORD && a != TYPE_UNKNOWN && a != TYPE_NULLTYPE;
    }
    /* + - * / of dates and times: PostgreSQL's operators take these pairs */
    if (a == TYPE_DATE && b == TYPE_INT4) return true;
    if ((is_dt(a) || a == TYPE_INTERVAL || a == TYPE_TIME) && b == TYPE_INTERVAL) return true;
    if (a == TYPE_INTERVAL && is_dt(b)) return true;
    if (a == b && (a == TYPE_DATE || a == TYPE_TIMESTAMP || a == TYPE_TIMESTAMPTZ)) return true;
    return false;
}

/* ---- printing ---- */

/* Whether a node of kind k under parent p prints without parentheses in
 * the pretty form (PostgreSQL's rules: an operator under a boolean one,
 * + - under * / % ... as precedence allows). */
static bool simple_under(int k, const char *op, Parent p)
{
    if (k == K_SIMPLE || p.kind < 0 || p.kind == K_FUNC) return true;
    switch (k) {
    case K_SAOP:
        return false;
    case K_OP:
    case K_TEST:
        if (p.kind == K_AND || p.kind == K_OR || p.kind == K_NOT) return true;
        if (k == K_OP && p.kind == K_OP && op && p.op) {
            bool lo = strcmp(op, "+") == 0 || strcmp(op, "-") == 0;
            bool hi = strcmp(op, "*") == 0 || strcmp(op, "/") == 0 || strcmp(op, "%") == 0;
            bool plo = strcmp(p.op, "+") == 0 || strcmp(p.op, "-") == 0;
            bool phi = strcmp(p.op, "*") == 0 || strcmp(p.op, "/") == 0 || strcmp(p.op, "%") == 0;
            if (!(lo || hi) || !(plo || phi)) return false;
            if (hi && plo) return true;
            if (lo && phi) return false;
            return p.first;   /* (a - b) - c, not a - (b - c) */
        }
        return false;
    case K_NOT:
    case K_AND:
        return p.kind == K_AND || p.kind == K_OR;
    case K_OR:
        return p.kind == K_OR;
    }
    return false;
}

/* Opens a node of kind k: '(' in the plain form for every operator-like
 * node, in the pretty form when the parent needs it.  Returns whether a
 * ')' is owed. */
static bool open_node(Dp *d, int k, const char *op, Parent p)
{
    bool paren = k != K_SIMPLE && (d->pretty ? !simple_under(k, op, p) : true);
    if (paren) buf_putc(d->out, '(');
    return paren;
}
static void close_node(Dp *d, bool paren)
{
    if (paren) buf_putc(d->out, ')');
}

/* A literal's text as a constant of type t: 'v'::t, booleans bare. */
static void print_literal_as(Dp *d, const Value *v, TypeId t, i32 tm)
{
    if (t == TYPE_BOOL) {
        Value b;
        if (val_from_text(TYPE_BOOL, -1, v->v.s.p, v->v.s.len, &d->ctx->vctx, &b, d->ctx->err)) { d->fail = true; return; }
        buf_puts(d->out, b.v.b ? "true" : "false");
        return;
    }
    if (t == TYPE_UNKNOWN || t == TYPE_NULLTYPE) t = TYPE_TEXT;
    Value c;
    DdError saved = *d->ctx->err;
    ValueCtx vc = d->ctx->vctx;
    if (val_from_text(t, t == TYPE_ENUM ? tm : -1, v->v.s.p, v->v.s.len, &vc, &c, d->ctx->err)) {
        *d->ctx->err = saved;
        d->fail = true;
        return;
    }
    Buf txt = BUF_INIT;
    val_to_text(&c, &vc, &txt);
    quote_literal((const char *)txt.data, txt.len, d->out);
    buf_free(&txt);
    buf_puts(d->out, "::");
    put_type(d, t, t == TYPE_ENUM ? tm : -1);
}

/* A constant of its own type, as PostgreSQL prints a Const. */
static void print_const(Dp *d, const Value *v)
{
    if (v->isnull) {   /* NULL of an unknown type: only where a cast types it */
        d->fail = true;
        return;
    }
    Buf txt = BUF_INIT;
    ValueCtx vc = d->ctx->vctx;
    switch ((TypeId)v->type) {
    case TYPE_BOOL: buf_puts(d->out, v->v.b ? "true" : "false"); break;
    case TYPE_INT4:
        if (v->v.i >= 0) buf_printf(d->out, "%lld", (long long)v->v.i);
        else buf_printf(d->out, "'%lld'::integer", (long long)v->v.i);
        break;
    case TYPE_INT8: buf_printf(d->out, "'%lld'::bigint", (long long)v->v.i); break;
    case TYPE_NUMERIC: {
        val_to_text(v, &vc, &txt);
        const char *s = (const char *)txt.data;
        /* bare when it reads back as a numeric (digits and a point);
         * else quoted and labelled: '1000'::numeric, '-1.5'::numeric */
        bool bare = txt.len && s[0] >= '0' && s[0] <= '9' && memchr(s, '.', txt.len);
        if (bare) {
            buf_append(d->out, s, txt.len);
        } else {
            quote_literal(s, txt.len, d->out);
            buf_puts(d->out, "::numeric");
        }
        break;
    }
    case TYPE_UNKNOWN: print_literal_as(d, v, TYPE_TEXT, -1); break;
    default: d->fail = true; break;
    }
    buf_free(&txt);
}

/* e coerced to type w: e, then ::w (the plain form: (e)::w). */
static void print_cast(Dp *d, Expr *e, TypeId w, i32 wtm)
{
    static const Parent under_cast = {K_SIMPLE, NULL, false};
    if (d->pretty) {
        print_expr(d, e, TYPE__COUNT, -1, (Parent){K_OP, "::", true});
    } else {
        buf_putc(d->out, '(');
        print_expr(d, e, TYPE__COUNT, -1, under_cast);
        buf_putc(d->out, ')');
    }
    buf_puts(d->out, "::");
    put_type(d, w, wtm);
}

/* e as the argument of an operator or function that takes type w
 * (TYPE__COUNT: as it is), under parent p. */
/* Whether e is a column of a domain type (PostgreSQL reads it as its base
 * type where an operator takes it, and shows that cast). */
static bool domain_column(Dp *d, const Expr *e)
{
    if (e->kind != EXPR_COLUMN) return false;
    for (int r = 0; r < d->nrels; r++) {
        const ScopeRel *rel = &d->rels[r];
        const TableInfo *t = rel->table;
        if (!t || (e->u.col.qualifier && strcmp(e->u.col.qualifier, rel->alias) != 0)) continue;
        for (int c = 0; c < t->ncols; c++)
            if (!t->cols[c].dropped && strcmp(t->cols[c].name, e->u.col.name) == 0)
                return t->cols[c].domain && !(t->cols[c].domain & DOMAIN_ARRAY);
    }
    return false;
}

static void print_arg(Dp *d, Expr *e, TypeId w, i32 wtm, Parent p)
{
    if (domain_column(d, e)) {
        TypeId t;
        i32 tm;
        if (!type_of(d, e, &t, &tm)) return;
        /* to its base type, or straight to the type the operator takes */
        print_cast(d, e, w != TYPE__COUNT ? w : t, -1);
        return;
    }
    print_expr(d, e, w, wtm, p);
}

/* A binary operator op over l and r, whose arguments' types op_args
 * decides (rule: its key there). */
static void print_binop(Dp *d, const char *sym, const char *rule, Expr *l, Expr *r, Parent p)
{
    TypeId ta, tb, wa, wb;
    i32 ma, mb;
    if (!type_of(d, l, &ta, &ma) || !type_of(d, r, &tb, &mb)) return;
    if (!op_args(rule, sym, ta, tb, &wa, &wb)) { d->fail = true; return; }
    bool paren = open_node(d, K_OP, sym, p);
    /* a type taken from the other side keeps its typmod when it is an enum's id */
    print_arg(d, l, wa, wa == ta ? ma : wa == tb && type_has_etype(wa) ? mb : -1, (Parent){K_OP, sym, true});
    buf_printf(d->out, " %s ", sym);
    print_arg(d, r, wb, wb == tb ? mb : wb == ta && type_has_etype(wb) ? ma : -1, (Parent){K_OP, sym, false});
    close_node(d, paren);
}

static const char *cmp_sym(int op)
{
    switch (op) {
    case BOP_EQ: return "=";
    case BOP_NE: return "<>";
    case BOP_LT: return "<";
    case BOP_LE: return "<=";
    case BOP_GT: return ">";
    case BOP_GE: return ">=";
    default: return NULL;
    }
}

static void print_bool(Dp *d, int kind, Expr **args, int n, Parent p)
{
    bool paren = open_node(d, kind, NULL, p);
    for (int i = 0; i < n && !d->fail; i++) {
        if (i) buf_puts(d->out, kind == K_AND ? " AND " : " OR ");
        TypeId t;
        i32 tm;
        if (!type_of(d, args[i], &t, &tm)) return;
        if (t != TYPE_BOOL) { d->fail = true; return; }
        print_expr(d, args[i], TYPE__COUNT, -1, (Parent){kind, NULL, i == 0});
    }
    close_node(d, paren);
}

/* x op ANY | ALL (ARRAY[items]) for IN lists; single items as x op item. */
static void print_in(Dp *d, Expr *e, Parent p)
{
    const char *sym = e->u.in.negated ? "<>" : "=";
    if (e->u.in.subquery) { d->fail = true; return; }
    if (e->u.in.n == 1) {
        print_binop(d, sym, "=", e->u.in.arg, e->u.in.list[0], p);
        return;
    }
    TypeId ta;
    i32 ma;
    if (!type_of(d, e->u.in.arg, &ta, &ma)) return;
    if (ta == TYPE_VARCHAR || ta == TYPE_UNKNOWN) { d->fail = true; return; }
    for (int i = 0; i < e->u.in.n; i++) {
        TypeId ti;
        i32 mi;
        if (!type_of(d, e->u.in.list[i], &ti, &mi)) return;
        if (ti != ta && ti != TYPE_UNKNOWN) { d->fail = true; return; }
    }
    bool paren = open_node(d, K_SAOP, sym, p);
    print_expr(d, e->u.in.arg, TYPE__COUNT, -1, (Parent){K_OP, sym, true});
    buf_printf(d->out, " %s %s (ARRAY[", sym, e->u.in.negated ? "ALL" : "ANY");
    for (int i = 0; i < e->u.in.n; i++) {
        if (i) buf_puts(d->out, ", ");
        print_expr(d, e->u.in.list[i], ta, ma, (Parent){K_FUNC, NULL, false});
    }
    buf_puts(d->out, "])");
    close_node(d, paren);
}

/* The SQL keyword functions that print without parentheses. */
static const char *keyword_func(const char *name)
{
    static const char *const kw[][2] = {
        {"current_date", "CURRENT_DATE"}, {"current_timestamp", "CURRENT_TIMESTAMP"},
        {"current_time", "CURRENT_TIME"}, {"localtimestamp", "LOCALTIMESTAMP"}, {"localtime", "LOCALTIME"},
        {"current_user", "CURRENT_USER"}, {"session_user", "SESSION_USER"}, {"current_role", "CURRENT_ROLE"},
        {"current_catalog", "CURRENT_CATALOG"}, {"current_schema", "CURRENT_SCHEMA"}, {"user", "CURRENT_USER"},
    };
    for (size_t i = 0; i < DD_ARRAY_LEN(kw); i++)
        if (strcmp(name, kw[i][0]) == 0) return kw[i][1];
    return NULL;
}

static void print_func(Dp *d, Expr *e, Parent p)
{
    const char *name = e->u.func.name;
    TypeId at0;
    if (d->qualify && agg_type(d, e, &at0)) {
        /* an aggregate of a view's query: count(*), or its argument (a
         * varchar's as text, as PostgreSQL's aggregates take text) */
        buf_puts(d->out, name);
        if (e->u.func.star) {
            buf_puts(d->out, "(*)");
            return;
        }
        TypeId a;
        i32 am;
        if (!type_of(d, e->u.func.args[0], &a, &am)) return;
        buf_putc(d->out, '(');
        print_expr(d, e->u.func.args[0], a == TYPE_VARCHAR && strcmp(name, "count") != 0 ? TYPE_TEXT : TYPE__COUNT,
                   -1, (Parent){K_FUNC, NULL, false});
        buf_putc(d->out, ')');
        return;
    }
    if (e->u.func.over || e->u.func.filter || e->u.func.norder || e->u.func.star || e->u.func.distinct ||
        e->u.func.variadic || e->u.func.argnames || e->u.func.op_syntax || strchr(name, '.')) {
        d->fail = true;
        return;
    }
    int n = e->u.func.n;
    switch (e->u.func.special) {
    case FUNC_PLAIN: break;
    case FUNC_ARRAY: {
        TypeId et = TYPE_UNKNOWN;
        i32 em = -1;
        for (int i = 0; i < n; i++) {
            TypeId t;
            i32 tm;
            if (!type_of(d, e->u.func.args[i], &t, &tm)) return;
            if (t == TYPE_UNKNOWN) continue;
            if (et != TYPE_UNKNOWN && t != et) { d->fail = true; return; }
            et = t;
            em = tm;
        }
        if (et == TYPE_UNKNOWN) { d->fail = true; return; }
        buf_puts(d->out, "ARRAY[");
        for (int i = 0; i < n; i++) {
            if (i) buf_puts(d->out, ", ");
            print_expr(d, e->u.func.args[i], et, em, (Parent){K_FUNC, NULL, false});
        }
        buf_putc(d->out, ']');
        return;
    }
    case FUNC_SUBSCRIPT: {
        const char *sl = e->u.func.slices;
        if (!sl || strspn(sl, "i") != strlen(sl) || (int)strlen(sl) != n - 1 ||
            e->u.func.args[0]->kind != EXPR_COLUMN) {
            d->fail = true;
            return;
        }
        print_expr(d, e->u.func.args[0], TYPE__COUNT, -1, (Parent){K_SIMPLE, NULL, false});
        for (int i = 1; i < n; i++) {
            buf_putc(d->out, '[');
            print_expr(d, e->u.func.args[i], TYPE_INT4, -1, TOP);
            buf_putc(d->out, ']');
        }
        return;
    }
    case FUNC_ANY: {
        const char *sym = cmp_sym(e->u.func.cmp ? e->u.func.cmp : BOP_EQ);
        TypeId ta, tb;
        i32 ma, mb;
        if (e->u.func.match || !sym || n != 2 || !type_of(d, e->u.func.args[0], &ta, &ma) ||
            !type_of(d, e->u.func.args[1], &tb, &mb) || !type_is_array(tb) ||
            e->u.func.args[1]->kind == EXPR_SUBQUERY) {
            d->fail = true;
            return;
        }
        TypeId el = type_elem(tb);
        if (ta != el && ta != TYPE_UNKNOWN) { d->fail = true; return; }
        bool paren = open_node(d, K_SAOP, sym, p);
        print_expr(d, e->u.func.args[0], el, mb, (Parent){K_OP, sym, true});
        buf_printf(d->out, " %s %s (", sym, e->u.func.all ? "ALL" : "ANY");
        print_expr(d, e->u.func.args[1], TYPE__COUNT, -1, TOP);
        buf_putc(d->out, ')');
        close_node(d, paren);
        return;
    }
    default: d->fail = true; return;
    }
    const char *kw = keyword_func(name);
    if (kw) {
        if (n) { d->fail = true; return; }
        buf_puts(d->out, kw);
        return;
    }
    /* the functions PostgreSQL prints in SQL's own syntax, or that DriftDB
     * reads from several spellings: not guessed at */
    static const char *const special[] = {
        "substring", "substr", "position", "strpos", "trim", "btrim", "ltrim", "rtrim", "extract", "date_part",
        "overlay", "timezone", "overlaps", "normalize", "is_normalized", "collation_for", "pg_collation_for",
        "nextval", "row", "array", "case", "cast",
    };
    for (size_t i = 0; i < DD_ARRAY_LEN(special); i++)
        if (strcmp(name, special[i]) == 0) { d->fail = true; return; }
    bool upper = strcmp(name, "coalesce") == 0 || strcmp(name, "greatest") == 0 || strcmp(name, "least") == 0 ||
                 strcmp(name, "nullif") == 0;
    TypeId at[64];
    i32 am[64];
    if (n > 64) { d->fail = true; return; }
    for (int i = 0; i < n; i++)
        if (!type_of(d, e->u.func.args[i], &at[i], &am[i])) return;
    TypeId want[64];
    if (upper) {
        /* every argument of the one type (a mix: PostgreSQL's choice among
         * the types is not guessed at), untyped literals as that type */
        TypeId c = TYPE_UNKNOWN;
        for (int i = 0; i < n; i++) {
            if (at[i] == TYPE_UNKNOWN) continue;
            if (c != TYPE_UNKNOWN && at[i] != c) { d->fail = true; return; }
            c = at[i];
        }
        if (c == TYPE_UNKNOWN) c = TYPE_TEXT;
        if (c == TYPE_VARCHAR || c == TYPE_BPCHAR) { d->fail = true; return; }
        for (int i = 0; i < n; i++) want[i] = c;
    } else {
        /* the form DriftDB resolves the call to, its argument types */
        bool found = false;
        for (int k = 0; !found; k++) {
            const FuncDef *f = func_lookup_form(name, k);
            if (!f) break;
            if (n < f->minargs || (f->maxargs >= 0 && n > f->maxargs)) continue;
            TypeId a2[64], r;
            memcpy(a2, at, sizeof(TypeId) * (size_t)n);
            if (!f->resolve(a2, n, &r)) continue;
            memcpy(want, a2, sizeof(TypeId) * (size_t)n);
            found = true;
        }
        if (!found) { d->fail = true; return; }
        for (int i = 0; i < n; i++) {
            /* PostgreSQL's string functions take text: a varchar argument
             * shows its cast, a char(n) one may have a function of its own */
            if (at[i] == TYPE_VARCHAR && (want[i] == TYPE_VARCHAR || want[i] == TYPE_TEXT)) want[i] = TYPE_TEXT;
            else if (at[i] == TYPE_BPCHAR) { d->fail = true; return; }
            else if (at[i] != want[i] && at[i] != TYPE_UNKNOWN && !(is_int(at[i]) && is_int(want[i]) && at[i] == TYPE_INT4))
                { d->fail = true; return; }   /* a conversion PostgreSQL may make differently */
            else if (at[i] == TYPE_UNKNOWN && want[i] == TYPE_UNKNOWN) want[i] = TYPE_TEXT;
        }
    }
    if (upper) {
        for (const char *c = name; *c; c++) buf_putc(d->out, (char)(*c - 'a' + 'A'));
    } else {
        cat_quote_ident(name, d->out);
    }
    buf_putc(d->out, '(');
    for (int i = 0; i < n; i++) {
        if (i) buf_puts(d->out, ", ");
        TypeId w = want[i] == at[i] ? TYPE__COUNT : want[i];
        print_arg(d, e->u.func.args[i], w, -1, (Parent){K_FUNC, NULL, false});
    }
    buf_putc(d->out, ')');
}

static void print_expr(Dp *d, Expr *e, TypeId want, i32 want_tm, Parent p)
{
    if (d->fail) return;
    /* an untyped literal where a type is wanted: a constant of that type */
    if (e->kind == EXPR_CONST && e->u.c.val.type == TYPE_UNKNOWN && !e->u.c.val.isnull) {
        print_literal_as(d, &e->u.c.val, want == TYPE__COUNT ? TYPE_TEXT : want, want_tm);
        return;
    }
    if (e->kind == EXPR_CONST && e->u.c.val.isnull) {
        if (want == TYPE__COUNT) { d->fail = true; return; }
        buf_puts(d->out, "NULL::");
        put_type(d, want, want_tm);
        return;
    }
    if (want != TYPE__COUNT) {
        TypeId t;
        i32 tm;
        if (!type_of(d, e, &t, &tm)) return;
        if (t != want) {
            print_cast(d, e, want, want_tm);
            return;
        }
    }
    switch (e->kind) {
    case EXPR_CONST: print_const(d, &e->u.c.val); return;
    case EXPR_COLUMN: {
        if (!d->qualify) {
            if (e->u.col.qualifier) { d->fail = true; return; }
            cat_quote_ident(e->u.col.name, d->out);
            return;
        }
        /* a view's column reference: rel.col, by the relation that has it */
        const ScopeRel *found = NULL;
        for (int r = 0; r < d->nrels; r++) {
            const ScopeRel *rel = &d->rels[r];
            if (e->u.col.qualifier && strcmp(e->u.col.qualifier, rel->alias) != 0) continue;
            for (int c = 0; c < rel->ncols; c++)
                if (!rel->hidden[c] && strcmp(rel->names[c], e->u.col.name) == 0) {
                    if (found) { d->fail = true; return; }
                    found = rel;
                }
        }
        if (!found) { d->fail = true; return; }
        cat_quote_ident(found->alias, d->out);
        buf_putc(d->out, '.');
        cat_quote_ident(e->u.col.name, d->out);
        return;
    }
    case EXPR_CAST: {
        TypeId t;
        i32 tm;
        if (!type_of(d, e, &t, &tm)) return;
        Expr *a = e->u.cast.arg;
        if (a->kind == EXPR_CONST && a->u.c.val.type == TYPE_UNKNOWN && !a->u.c.val.isnull) {
            print_literal_as(d, &a->u.c.val, t, tm);   /* 'x'::date: a date constant */
            if (tm >= 0 && t != TYPE_ENUM) d->fail = true;   /* the typmod's coercion: not printed alike */
            return;
        }
        if (d->pretty) {
            print_expr(d, a, TYPE__COUNT, -1, (Parent){K_OP, "::", true});
        } else {
            buf_putc(d->out, '(');
            print_expr(d, a, TYPE__COUNT, -1, (Parent){K_SIMPLE, NULL, false});
            buf_putc(d->out, ')');
        }
        buf_puts(d->out, "::");
        put_type(d, t, tm);
        return;
    }
    case EXPR_UNARY:
        if (e->u.unary.op == UOP_NOT) {
            bool paren = open_node(d, K_NOT, NULL, p);
            buf_puts(d->out, "NOT ");
            print_expr(d, e->u.unary.arg, TYPE__COUNT, -1, (Parent){K_NOT, NULL, true});
            close_node(d, paren);
            return;
        }
        if (e->u.unary.op == UOP_NEG) {
            TypeId t;
            i32 tm;
            if (!type_of(d, e->u.unary.arg, &t, &tm)) return;
            if (!is_int(t) && !is_float(t) && t != TYPE_NUMERIC && t != TYPE_INTERVAL) { d->fail = true; return; }
            bool paren = open_node(d, K_OP, "-u", p);
            buf_puts(d->out, "- ");
            print_expr(d, e->u.unary.arg, TYPE__COUNT, -1, (Parent){K_OP, "-u", false});
            close_node(d, paren);
            return;
        }
        d->fail = true;
        return;
    case EXPR_BINARY: {
        BinaryOp op = e->u.bin.op;
        if (op == BOP_AND || op == BOP_OR) {
            /* a chain of ANDs (ORs) is one node of several arguments */
            Expr *args[64];
            int n = 0;
            Expr *stack[64];
            int ns = 0;
            stack[ns++] = e;
            while (ns && n < 64) {
                Expr *x = stack[--ns];
                if (x->kind == EXPR_BINARY && x->u.bin.op == op && ns + 2 <= 64) {
                    stack[ns++] = x->u.bin.r;
                    stack[ns++] = x->u.bin.l;
                } else {
                    args[n++] = x;
                }
            }
            if (ns) { d->fail = true; return; }
            print_bool(d, op == BOP_AND ? K_AND : K_OR, args, n, p);
            return;
        }
        const char *sym = cmp_sym(op);
        if (sym) { print_binop(d, sym, "=", e->u.bin.l, e->u.bin.r, p); return; }
        switch (op) {
        case BOP_ADD: print_binop(d, "+", "+", e->u.bin.l, e->u.bin.r, p); return;
        case BOP_SUB: print_binop(d, "-", "+", e->u.bin.l, e->u.bin.r, p); return;
        case BOP_MUL: print_binop(d, "*", "+", e->u.bin.l, e->u.bin.r, p); return;
        case BOP_DIV: print_binop(d, "/", "+", e->u.bin.l, e->u.bin.r, p); return;
        case BOP_MOD: print_binop(d, "%", "%", e->u.bin.l, e->u.bin.r, p); return;
        case BOP_POW: print_binop(d, "^", "^", e->u.bin.l, e->u.bin.r, p); return;
        case BOP_CONCAT: print_binop(d, "||", "||", e->u.bin.l, e->u.bin.r, p); return;
        case BOP_CONTAINS: print_binop(d, "@>", "@>", e->u.bin.l, e->u.bin.r, p); return;
        case BOP_CONTAINED: print_binop(d, "<@", "@>", e->u.bin.l, e->u.bin.r, p); return;
        case BOP_OVERLAP: print_binop(d, "&&", "@>", e->u.bin.l, e->u.bin.r, p); return;
        case BOP_OTHER: {
            static const char *const keyed[] = {"->", "->>", "?"};
            for (size_t i = 0; i < DD_ARRAY_LEN(keyed); i++)
                if (strcmp(e->u.bin.opname, keyed[i]) == 0) {
                    print_binop(d, keyed[i], "json", e->u.bin.l, e->u.bin.r, p);
                    return;
                }
            d->fail = true;
            return;
        }
        default: d->fail = true; return;
        }
    }
    case EXPR_LIKE: {
        if (e->u.like.escape || e->u.like.how == MATCH_SIMILAR) { d->fail = true; return; }
        const char *sym = e->u.like.how == MATCH_LIKE
                              ? (e->u.like.negated ? (e->u.like.icase ? "!~~*" : "!~~") : (e->u.like.icase ? "~~*" : "~~"))
                              : (e->u.like.negated ? (e->u.like.icase ? "!~*" : "!~") : (e->u.like.icase ? "~*" : "~"));
        print_binop(d, sym, "~~", e->u.like.arg, e->u.like.pattern, p);
        return;
    }
    case EXPR_IS: {
        if (e->u.is.what == IS_DISTINCT_FROM) {
            if (e->u.is.negated) { d->fail = true; return; }
            TypeId ta, tb, wa, wb;
            i32 ma, mb;
            if (!type_of(d, e->u.is.arg, &ta, &ma) || !type_of(d, e->u.is.other, &tb, &mb)) return;
            if (!op_args("=", "=", ta, tb, &wa, &wb)) { d->fail = true; return; }
            bool paren = open_node(d, K_TEST, NULL, p);
            print_arg(d, e->u.is.arg, wa, ma, (Parent){K_TEST, NULL, true});
            buf_puts(d->out, " IS DISTINCT FROM ");
            print_arg(d, e->u.is.other, wb, mb, (Parent){K_TEST, NULL, false});
            close_node(d, paren);
            return;
        }
        static const char *const what[] = {"NULL", "TRUE", "FALSE", "UNKNOWN"};
        bool paren = open_node(d, K_TEST, NULL, p);
        print_expr(d, e->u.is.arg, TYPE__COUNT, -1, (Parent){K_TEST, NULL, true});
        buf_printf(d->out, " IS %s%s", e->u.is.negated ? "NOT " : "", what[e->u.is.what]);
        close_node(d, paren);
        return;
    }
    case EXPR_IN: print_in(d, e, p); return;
    case EXPR_BETWEEN: {
        if (e->u.between.symmetric) { d->fail = true; return; }
        /* as PostgreSQL rewrites it: x >= lo AND x <= hi (NOT: x < lo OR x > hi) */
        bool neg = e->u.between.negated;
        int kind = neg ? K_OR : K_AND;
        bool paren = open_node(d, kind, NULL, p);
        print_binop(d, neg ? "<" : ">=", "=", e->u.between.arg, e->u.between.lo, (Parent){kind, NULL, true});
        buf_puts(d->out, neg ? " OR " : " AND ");
        print_binop(d, neg ? ">" : "<=", "=", e->u.between.arg, e->u.between.hi, (Parent){kind, NULL, false});
        close_node(d, paren);
        return;
    }
    case EXPR_FUNC: print_func(d, e, p); return;
    default: d->fail = true; return;
    }
}

/*
 * A constant default DriftDB folded to 'v'::type when it was made
 * (plan/dml.c), printed as PostgreSQL prints the number literal it was:
 * bare when not negative (its implicit cast to the column's type is not
 * shown), '-1'::integer or '-1.5'::numeric when negative.  false: not
 * such a default.
 */
static bool folded_number(Dp *d, Expr *e, TypeId assign)
{
    if (e->kind != EXPR_CAST || !(is_int(assign) || is_float(assign) || assign == TYPE_NUMERIC)) return false;
    Expr *a = e->u.cast.arg;
    if (a->kind != EXPR_CONST || a->u.c.val.type != TYPE_UNKNOWN || a->u.c.val.isnull) return false;
    TypeId t;
    i32 tm;
    if (!type_of(d, e, &t, &tm) || t != assign) return false;
    const char *s = a->u.c.val.v.s.p;
    size_t n = a->u.c.val.v.s.len, i = 0, digits = 0;
    bool neg = n > 0 && s[0] == '-', point = false;
    if (neg) i++;
    for (; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9') digits++;
        else if (s[i] == '.' && !point) point = true;
        else return false;
    }
    if (!digits) return false;
    if (point) {
        if (neg) {
            quote_literal(s, n, d->out);
            buf_puts(d->out, "::numeric");
        } else {
            buf_append(d->out, s, n);
        }
        return true;
    }
    /* an integer literal: int4 when it fits, else bigint, else numeric */
    const char *label = "numeric";
    if (digits <= 19) {
        char buf[24];
        memcpy(buf, s, n);
        buf[n] = '\0';
        errno = 0;
        long long v = strtoll(buf, NULL, 10);
        if (!errno) label = v >= INT32_MIN && v <= INT32_MAX ? "integer" : "bigint";
    }
    if (!neg && strcmp(label, "integer") == 0) {
        buf_append(d->out, s, n);
        return true;
    }
    quote_literal(s, n, d->out);
    buf_printf(d->out, "::%s", label);
    return true;
}

bool sql_deparse(SqlCtx *ctx, const TableInfo *t, const char *text, bool pretty, TypeId assign, i32 assign_tm,
                 Buf *out)
{
    const CatView *cv;
    if (!t || t->view_sql || catview_get(ctx, SEQ_NONE, &cv)) return false;
    DdError saved = *ctx->err;
    Expr *e;
    if (sql_parse_expr_text(ctx, text, "a catalog expression", &e, NULL)) {
        *ctx->err = saved;
        return false;
    }
    Dp d;
    memset(&d, 0, sizeof d);
    d.ctx = ctx;
    d.cv = cv;
    d.t = t;
    d.pretty = pretty;
    if (scope_rel_for_table(ctx, t, t->name, &d.rels[0])) {
        *ctx->err = saved;
        return false;
    }
    d.nrels = 1;
    d.sc.rels = d.rels;
    d.sc.nrels = 1;
    d.sc.nslots = d.rels[0].ncols;
    Buf b = BUF_INIT;
    d.out = &b;
    /* a default's untyped literal becomes a constant of the column's type;
     * any other coercion to it is implicit and not shown */
    bool lit = e->kind == EXPR_CONST && e->u.c.val.type == TYPE_UNKNOWN && !e->u.c.val.isnull;
    if (lit && assign != TYPE__COUNT) {
        print_literal_as(&d, &e->u.c.val, assign, assign == TYPE_ENUM ? assign_tm : -1);
    } else if (assign == TYPE__COUNT || !folded_number(&d, e, assign)) {
        /* a column type with a modifier (numeric(12,2)) has PostgreSQL
         * coerce the expression to it, a cast it does not print but whose
         * argument the pretty form parenthesizes as any cast's */
        bool coerced = assign != TYPE__COUNT && assign_tm >= 0 && !type_has_etype(assign);
        print_expr(&d, e, TYPE__COUNT, -1, coerced ? (Parent){K_OP, "::", true} : TOP);
    }
    bool ok = !d.fail && buf_ok(&b);
    if (ok) buf_append(out, b.data, b.len);
    buf_free(&b);
    *ctx->err = saved;
    return ok;
}

/* ---- a view's query ---- */

/* Adds table reference tr (a table, or joins of tables) to d's relations. */
static bool view_rels(Dp *d, TableRef *tr)
{
    if (tr->kind == TREF_JOIN) {
        if (tr->nusing || tr->natural || tr->using_alias || (tr->join != JOIN_CROSS && !tr->on) ||
            !(tr->join == JOIN_INNER || tr->join == JOIN_LEFT || tr->join == JOIN_RIGHT || tr->join == JOIN_FULL ||
              tr->join == JOIN_CROSS))
            return false;
        return view_rels(d, tr->left) && view_rels(d, tr->right);
    }
    if (tr->kind != TREF_TABLE || tr->temporal.kind != TEMPORAL_NONE || tr->ncol_aliases || d->nrels == DP_MAX_RELS)
        return false;
    const TableInfo *t = resolve_table_present(d->ctx, tr->name);
    if (!t || t->view_sql || t->temp) return false;
    ScopeRel *rel = &d->rels[d->nrels];
    /* qualified by its alias, else by its name without the schema */
    const char *q = tr->alias ? tr->alias : name_base(t->name);
    for (int r = 0; r < d->nrels; r++)
        if (strcmp(d->rels[r].alias, q) == 0) return false;   /* PostgreSQL would make up aliases */
    if (scope_rel_for_table(d->ctx, t, q, rel)) return false;
    rel->alias = q;
    rel->qualname = NULL;
    rel->slot0 = d->sc.nslots;
    d->sc.nslots += rel->ncols;
    d->nrels++;
    d->sc.nrels = d->nrels;
    return true;
}

/* The relation of table reference tr: its name as the search path finds
 * it, and its alias. */
static void print_rel(Dp *d, TableRef *tr)
{
    const TableInfo *t = resolve_table_present(d->ctx, tr->name);
    if (!t) { d->fail = true; return; }
    cat_relation_name(d->cv, t, name_base(t->name), d->out);
    if (tr->alias) {
        buf_putc(d->out, ' ');
        cat_quote_ident(tr->alias, d->out);
    }
}

static void print_from(Dp *d, TableRef *tr, bool top)
{
    if (tr->kind != TREF_JOIN) {
        print_rel(d, tr);
        return;
    }
    if (tr->right->kind == TREF_JOIN) { d->fail = true; return; }   /* a(b JOIN c): not laid out here */
    static const char *const kw[] = {[JOIN_INNER] = "JOIN", [JOIN_LEFT] = "LEFT JOIN", [JOIN_RIGHT] = "RIGHT JOIN",
                                     [JOIN_FULL] = "FULL JOIN", [JOIN_CROSS] = "CROSS JOIN"};
    bool paren = !d->pretty || !top;
    if (paren) buf_putc(d->out, '(');
    print_from(d, tr->left, false);
    buf_printf(d->out, "\n     %s ", kw[tr->join]);
    print_rel(d, tr->right);
    if (tr->on) {
        buf_puts(d->out, " ON ");
        if (!d->pretty) buf_putc(d->out, '(');
        print_expr(d, tr->on, TYPE__COUNT, -1, TOP);
        if (!d->pretty) buf_putc(d->out, ')');
    }
    if (paren) buf_putc(d->out, ')');
}

/* An expression of the query's top (WHERE, HAVING, a join's ON): the
 * plain form's outermost parentheses are the operator's own. */
static void print_top(Dp *d, Expr *e)
{
    print_expr(d, e, TYPE__COUNT, -1, TOP);
}

bool sql_deparse_view(SqlCtx *ctx, const TableInfo *view, bool pretty, Buf *out)
{
    const CatView *cv;
    if (!view || !view->view_sql || catview_get(ctx, SEQ_NONE, &cv)) return false;
    DdError saved = *ctx->err;
    char *sql = arena_strdup(ctx->stmt, view->view_sql);
    Stmt *st = NULL;
    size_t next;
    if (!sql || parse_statement(sql, strlen(sql), 0, ctx->stmt, &st, &next, ctx->err) || !st ||
        st->kind != STMT_SELECT) {
        *ctx->err = saved;
        return false;
    }
    SelectStmt *s = st->u.select;
    if (s->setop || s->nctes || s->nwindows || s->ndistinct_on || s->ngsets || s->with_ties || s->nfrom < 1 ||
        s->ntargets < 1)
        return false;
    Dp d;
    memset(&d, 0, sizeof d);
    d.ctx = ctx;
    d.cv = cv;
    d.t = view;
    d.pretty = pretty;
    d.qualify = true;
    d.sc.rels = d.rels;
    for (int i = 0; i < s->nfrom; i++)
        if (!view_rels(&d, s->from[i])) {
            *ctx->err = saved;
            return false;
        }
    Buf b = BUF_INIT;
    d.out = &b;
    buf_puts(&b, s->distinct ? "SELECT DISTINCT " : "SELECT ");
    /* the targets, * expanded; AS the view's column name unless a bare
     * column of that name */
    int vc = 0;   /* the view's visible columns, in order */
    const ColumnInfo *vcols[1024];
    for (int i = 0; i < view->ncols && vc < 1024; i++)
        if (!view->cols[i].dropped) vcols[vc++] = &view->cols[i];
    int k = 0;
    for (int i = 0; i < s->ntargets && !d.fail; i++) {
        ResTarget *rt = s->targets[i];
        if (rt->expr->kind == EXPR_STAR) {
            for (int r = 0; r < d.nrels; r++) {
                const ScopeRel *rel = &d.rels[r];
                if (rt->expr->u.col.qualifier && strcmp(rt->expr->u.col.qualifier, rel->alias) != 0) continue;
                for (int c = 0; c < rel->ncols; c++) {
                    if (rel->hidden[c]) continue;
                    if (k) buf_puts(&b, ",\n    ");
                    cat_quote_ident(rel->alias, &b);
                    buf_putc(&b, '.');
                    cat_quote_ident(rel->names[c], &b);
                    if (k >= vc || strcmp(vcols[k]->name, rel->names[c]) != 0) d.fail = true;
                    k++;
                }
            }
            continue;
        }
        if (k) buf_puts(&b, ",\n    ");
        print_expr(&d, rt->expr, TYPE__COUNT, -1, TOP);
        if (k >= vc) { d.fail = true; break; }
        bool bare = rt->expr->kind == EXPR_COLUMN && strcmp(rt->expr->u.col.name, vcols[k]->name) == 0;
        if (!bare) {
            buf_puts(&b, " AS ");
            cat_quote_ident(vcols[k]->name, &b);
        }
        k++;
    }
    if (k != vc) d.fail = true;
    buf_puts(&b, "\n   FROM ");
    for (int i = 0; i < s->nfrom && !d.fail; i++) {
        if (i) buf_puts(&b, ",\n    ");
        print_from(&d, s->from[i], true);
    }
    if (s->where) {
        buf_puts(&b, "\n  WHERE ");
        print_top(&d, s->where);
    }
    for (int i = 0; i < s->ngroup && !d.fail; i++) {
        Expr *g = s->group_by[i];
        if (g->kind == EXPR_CONST) { d.fail = true; break; }   /* GROUP BY 1: PostgreSQL prints the target */
        buf_puts(&b, i ? ", " : "\n  GROUP BY ");
        print_expr(&d, g, TYPE__COUNT, -1, (Parent){K_FUNC, NULL, false});
    }
    if (s->having) {
        buf_puts(&b, "\n HAVING ");
        print_top(&d, s->having);
    }
    for (int i = 0; i < s->norder && !d.fail; i++) {
        SortItem *o = s->order_by[i];
        if (o->expr->kind == EXPR_CONST || (o->expr->kind == EXPR_COLUMN && !o->expr->u.col.qualifier)) {
            /* a target's position or output name: PostgreSQL prints the
             * target; a bare column name of a table is fine */
            bool target = o->expr->kind == EXPR_CONST;
            for (int j = 0; j < s->ntargets && !target; j++)
                target = s->targets[j]->alias && strcmp(s->targets[j]->alias, o->expr->u.col.name) == 0;
            if (target) { d.fail = true; break; }
        }
        buf_puts(&b, i ? ", " : "\n  ORDER BY ");
        print_expr(&d, o->expr, TYPE__COUNT, -1, (Parent){K_FUNC, NULL, false});
        if (o->desc) buf_puts(&b, " DESC");
        if (o->nulls == 1 && !o->desc) buf_puts(&b, " NULLS FIRST");
        if (o->nulls == 2 && o->desc) buf_puts(&b, " NULLS LAST");
    }
    if (s->offset) {
        buf_puts(&b, "\n OFFSET ");
        print_expr(&d, s->offset, TYPE__COUNT, -1, TOP);
    }
    if (s->limit) {
        buf_puts(&b, "\n LIMIT ");
        print_expr(&d, s->limit, TYPE__COUNT, -1, TOP);
    }
    bool ok = !d.fail && buf_ok(&b);
    if (ok) buf_append(out, b.data, b.len);
    buf_free(&b);
    *ctx->err = saved;
    return ok;
}
