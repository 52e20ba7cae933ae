/* test_parser.c - unit tests of src/sql/lexer.c and src/sql/parser.c: every
 * statement form, operator precedence, FOR SYSTEM_TIME, literals and
 * escapes, multi-statement strings, error wording and positions, the
 * nesting limit, and a garbage-input loop (run it under ASan/UBSan). */
#include "check.h"
#include "../../src/sql/parse/ast.h"
#include "../../src/sql/parse/lexer.h"
#include "../../src/util/arena.h"
#include "../../src/util/err.h"

#include <stdarg.h>
#include <stdlib.h>

static Arena A;

/* ---- an s-expression printer for expressions ---- */

typedef struct Out {
    char buf[4096];
    size_t n;
} Out;

static void out(Out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (o->n < sizeof o->buf) {
        int k = vsnprintf(o->buf + o->n, sizeof o->buf - o->n, fmt, ap);
        if (k > 0) o->n += (size_t)k;
        if (o->n >= sizeof o->buf) o->n = sizeof o->buf - 1;
    }
    va_end(ap);
}

static const char *bop_text[] = {"AND", "OR", "=", "<>", "<", "<=", ">", ">=",
                                 "+", "-", "*", "/", "%", "^", "||"};

static void pexpr(Out *o, const Expr *e);

static void plist(Out *o, Expr **l, int n)
{
    for (int i = 0; i < n; i++) {
        if (i) out(o, ", ");
        pexpr(o, l[i]);
    }
}

static void ptype(Out *o, const TypeName *t)
{
    out(o, "%s", t->name);
    if (t->typmod >= 0) out(o, "[%d]", t->typmod);
}

static void pexpr(Out *o, const Expr *e)
{
    if (!e) { out(o, "<null>"); return; }
    switch (e->kind) {
    case EXPR_CONST: {
        const Value *v = &e->u.c.val;
        switch (v->type) {
        case TYPE_INT4: out(o, "%lld", (long long)v->v.i); break;
        case TYPE_INT8: out(o, "%lldL", (long long)v->v.i); break;
        case TYPE_NUMERIC: {
            if (numeric_is_big(v->scale)) {   /* more than 38 digits: its text */
                Buf b = BUF_INIT;
                numeric_big_text(v, &b);
                out(o, "B%s", buf_cstr(&b));
                buf_free(&b);
                break;
            }
            i128 c = v->v.coef;
            bool neg = c < 0;
            u128 m = neg ? (u128)0 - (u128)c : (u128)c;
            char d[64];
            int k = 0;
            do { d[k++] = (char)('0' + (int)(m % 10)); m /= 10; } while (m);
            out(o, "N%s", neg ? "-" : "");
            while (k--) out(o, "%c", d[k]);
            out(o, "e-%d", v->scale);
            break;
        }
        case TYPE_FLOAT8: out(o, "F%.15g", v->v.f); break;
        case TYPE_UNKNOWN: out(o, "'%.*s'", (int)v->v.s.len, v->v.s.p); break;
        case TYPE_BOOL: out(o, "%s", v->v.b ? "true" : "false"); break;
        case TYPE_NULLTYPE: out(o, "NULL"); break;
        default: out(o, "?const"); break;
        }
        break;
    }
    case EXPR_SEQ: out(o, "@SEQ:%lld", (long long)e->u.seq.n); break;
    case EXPR_COLUMN:
        if (e->u.col.qualifier) out(o, "%s.", e->u.col.qualifier);
        out(o, "%s", e->u.col.name);
        break;
    case EXPR_STAR:
        if (e->u.col.qualifier) out(o, "%s.", e->u.col.qualifier);
        out(o, "*");
        break;
    case EXPR_PARAM: out(o, "$%d", e->u.param.n); break;
    case EXPR_UNARY:
        out(o, "(%s ", e->u.unary.op == UOP_NOT ? "NOT" : e->u.unary.op == UOP_NEG ? "-" : "+");
        pexpr(o, e->u.unary.arg);
        out(o, ")");
        break;
    case EXPR_BINARY:
        out(o, "(");
        pexpr(o, e->u.bin.l);
        out(o, " %s ", bop_text[e->u.bin.op]);
        pexpr(o, e->u.bin.r);
        out(o, ")");
        break;
    case EXPR_IS: {
        static const char *w[] = {"NULL", "TRUE", "FALSE", "UNKNOWN", "DISTINCT FROM "};
        out(o, "(");
        pexpr(o, e->u.is.arg);
        out(o, " IS %s%s", e->u.is.negated ? "NOT " : "", w[e->u.is.what]);
        if (e->u.is.other) pexpr(o, e->u.is.other);
        out(o, ")");
        break;
    }
    case EXPR_IN:
        out(o, "(");
        pexpr(o, e->u.in.arg);
        out(o, " %sIN [", e->u.in.negated ? "NOT " : "");
        plist(o, e->u.in.list, e->u.in.n);
        out(o, "])");
        break;
    case EXPR_BETWEEN:
        out(o, "(");
        pexpr(o, e->u.between.arg);
        out(o, " %sBETWEEN %s", e->u.between.negated ? "NOT " : "",
            e->u.between.symmetric ? "SYMMETRIC " : "");
        pexpr(o, e->u.between.lo);
        out(o, " AND ");
        pexpr(o, e->u.between.hi);
        out(o, ")");
        break;
    case EXPR_LIKE:
        out(o, "(");
        pexpr(o, e->u.like.arg);
        if (e->u.like.how == MATCH_REGEX)
            out(o, " %s~%s ", e->u.like.negated ? "!" : "", e->u.like.icase ? "*" : "");
        else
            out(o, " %s%s ", e->u.like.negated ? "NOT " : "",
                e->u.like.how == MATCH_SIMILAR ? "SIMILAR TO" : e->u.like.icase ? "ILIKE" : "LIKE");
        pexpr(o, e->u.like.pattern);
        if (e->u.like.escape) {
            out(o, " ESCAPE ");
            pexpr(o, e->u.like.escape);
        }
        out(o, ")");
        break;
    case EXPR_CASE:
        out(o, "CASE");
        if (e->u.case_.operand) { out(o, " "); pexpr(o, e->u.case_.operand); }
        for (int i = 0; i < e->u.case_.n; i++) {
            out(o, " WHEN ");
            pexpr(o, e->u.case_.when[i]);
            out(o, " THEN ");
            pexpr(o, e->u.case_.then[i]);
        }
        if (e->u.case_.else_) { out(o, " ELSE "); pexpr(o, e->u.case_.else_); }
        out(o, " END");
        break;
    case EXPR_CAST:
        out(o, "CAST(");
        pexpr(o, e->u.cast.arg);
        out(o, " AS ");
        ptype(o, &e->u.cast.type);
        out(o, ")");
        break;
    case EXPR_FUNC:
        out(o, "%s(%s", e->u.func.name, e->u.func.distinct ? "DISTINCT " : "");
        if (e->u.func.star) out(o, "*");
        plist(o, e->u.func.args, e->u.func.n);
        out(o, ")");
        break;
    case EXPR_SUBQUERY: out(o, "(SELECT)"); break;
    case EXPR_EXISTS: out(o, "EXISTS(SELECT)"); break;
    case EXPR_DEFAULT: out(o, "DEFAULT"); break;
    }
}

static const char *estr(const Expr *e)
{
    static Out o;   /* test-only: one result at a time */
    o.n = 0;
    o.buf[0] = '\0';
    pexpr(&o, e);
    return o.buf;
}

/* ---- helpers ---- */

static Stmt *parse1(const char *sql)
{
    Stmt *st = NULL;
    size_t next = 0;
    DdError e;
    int rc = parse_statement(sql, strlen(sql), 0, &A, &st, &next, &e);
    if (rc != DD_OK) {
        printf("  unexpected error for [%s]: %s %s (pos %d)\n", sql, e.sqlstate, e.message,
               e.position);
        return NULL;
    }
    if (!st) printf("  no statement in [%s]\n", sql);
    return st;
}

static SelectStmt *sel(const char *sql)
{
    Stmt *st = parse1(sql);
    if (!st || st->kind != STMT_SELECT) return NULL;
    return st->u.select;
}

/* The first target of SELECT <expr> printed. */
static const char *ex(const char *expr)
{
    static char sql[4096];
    snprintf(sql, sizeof sql, "SELECT %s", expr);
    SelectStmt *s = sel(sql);
    if (!s || s->ntargets < 1) return "<parse failed>";
    return estr(s->targets[0]->expr);
}

typedef struct Err {
    int rc;
    DdError e;
    size_t next;
} Err;

static Err perr(const char *sql)
{
    Err r;
    Stmt *st = NULL;
    memset(&r, 0, sizeof r);
    r.rc = parse_statement(sql, strlen(sql), 0, &A, &st, &r.next, &r.e);
    if (r.rc == DD_OK) printf("  expected an error for [%s]\n", sql);
    return r;
}

/* ---- tests ---- */

TEST(keyword_table_sorted)
{
    for (int k = 2; k < KW__COUNT; k++)
        CHECK(strcmp(lex_keyword_text(k - 1), lex_keyword_text(k)) < 0);
    CHECK_EQ_INT(lex_keyword("select", 6), KW_SELECT);
    CHECK_EQ_INT(lex_keyword("zone", 4), KW_ZONE);
    CHECK_EQ_INT(lex_keyword("abort", 5), KW_ABORT);
    CHECK_EQ_INT(lex_keyword("selec", 5), KW_NONE);
    CHECK_EQ_INT(lex_keyword("selectx", 7), KW_NONE);
}

TEST(lexer_tokens)
{
    const char *sql = "SELECT a.\"B\"\"c\" <> 1.5e3 != $2 :: x || @seq:7 -- c\n /* a /* b */ c */ ;";
    Lexer lx;
    Token t;
    DdError e;
    lex_init(&lx, sql, strlen(sql), 0, &A);
    TokKind want[] = {TOK_IDENT, TOK_IDENT, TOK_DOT, TOK_QIDENT, TOK_NE, TOK_NUMBER, TOK_NE,
                      TOK_PARAM, TOK_TYPECAST, TOK_IDENT, TOK_CONCAT, TOK_SEQ, TOK_SEMI, TOK_EOF};
    for (size_t i = 0; i < DD_ARRAY_LEN(want); i++) {
        CHECK_EQ_INT(lex_next(&lx, &t, &e), DD_OK);
        CHECK_EQ_INT(t.kind, want[i]);
        if (i == 0) { CHECK_EQ_INT(t.kw, KW_SELECT); CHECK_EQ_INT(t.start, 0); CHECK_EQ_INT(t.end, 6); }
        if (i == 3) CHECK_EQ_STR(t.str, "B\"c");
        if (i == 5) { CHECK_EQ_INT(t.start, 19); CHECK_EQ_INT(t.end, 24); }
        if (i == 7) CHECK_EQ_INT(t.ival, 2);
        if (i == 11) CHECK_EQ_INT(t.ival, 7);
    }
    /* operators next to a sign are cut as PostgreSQL does */
    const char *s2 = "a=-1 b<>-2 c~~*d";
    lex_init(&lx, s2, strlen(s2), 0, &A);
    TokKind w2[] = {TOK_IDENT, TOK_EQ, TOK_MINUS, TOK_INTEGER, TOK_IDENT, TOK_NE, TOK_MINUS,
                    TOK_INTEGER, TOK_IDENT, TOK_OP, TOK_IDENT, TOK_EOF};
    for (size_t i = 0; i < DD_ARRAY_LEN(w2); i++) {
        CHECK_EQ_INT(lex_next(&lx, &t, &e), DD_OK);
        CHECK_EQ_INT(t.kind, w2[i]);
        if (t.kind == TOK_OP) CHECK_EQ_STR(t.str, "~~*");
    }
}

TEST(identifiers)
{
    SelectStmt *s = sel("SELECT MyCol, \"MyCol\", \"a\"\"b\" FROM \"T\"");
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_STR(s->targets[0]->expr->u.col.name, "mycol");
    CHECK_EQ_STR(s->targets[1]->expr->u.col.name, "MyCol");
    CHECK_EQ_STR(s->targets[2]->expr->u.col.name, "a\"b");
    CHECK_EQ_STR(s->from[0]->name, "T");
    /* 70 bytes are truncated to 63 */
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT %s", "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijABCDEFGHIJ");
    s = sel(sql);
    CHECK(s && strlen(s->targets[0]->expr->u.col.name) == 63);
    /* unreserved keywords are names */
    CHECK_EQ_STR(ex("first"), "first");
    CHECK_EQ_STR(ex("t.select"), "t.select");
    CHECK_EQ_STR(ex("s.t.c"), "s.t.c");
    s = sel("SELECT s.t.c");
    CHECK(s && !strcmp(s->targets[0]->expr->u.col.qualifier, "s.t"));
}

TEST(literals)
{
    CHECK_EQ_STR(ex("2147483647"), "2147483647");
    CHECK_EQ_STR(ex("2147483648"), "2147483648L");
    CHECK_EQ_STR(ex("-2147483648"), "-2147483648");
    CHECK_EQ_STR(ex("-2147483649"), "-2147483649L");
    CHECK_EQ_STR(ex("9223372036854775807"), "9223372036854775807L");
    CHECK_EQ_STR(ex("-9223372036854775808"), "-9223372036854775808L");
    CHECK_EQ_STR(ex("9223372036854775808"), "N9223372036854775808e-0");
    CHECK_EQ_STR(ex("1.50"), "N150e-2");
    CHECK_EQ_STR(ex(".5"), "N5e-1");
    CHECK_EQ_STR(ex("1e5"), "N100000e-0");
    CHECK_EQ_STR(ex("1.5E-3"), "N15e-4");
    CHECK_EQ_STR(ex("-0.25"), "N-25e-2");
    CHECK_EQ_STR(ex("00012"), "12");
    CHECK_EQ_STR(ex("12345678901234567890123456789012345678"),
                 "N12345678901234567890123456789012345678e-0");
    /* beyond the pair form's 38 digits a literal is a big NUMERIC, as
     * PostgreSQL's; past PostgreSQL's limits it is 22003 */
    CHECK_EQ_STR(ex("1e40"), "B10000000000000000000000000000000000000000");
    CHECK_EQ_STR(ex("123456789012345678901234567890123456789"), "B123456789012345678901234567890123456789");
    CHECK_EQ_STR(ex("1.5e-40"), "B0.00000000000000000000000000000000000000015");
    Err r = perr("SELECT 1e131072");
    CHECK_EQ_STR(r.e.sqlstate, "22003");
    CHECK_EQ_INT(r.e.position, 8);
    r = perr("SELECT 1e-16384");
    CHECK_EQ_STR(r.e.sqlstate, "22003");
    CHECK_EQ_INT(r.e.position, 8);
    CHECK_EQ_STR(ex("TRUE"), "true");
    CHECK_EQ_STR(ex("false"), "false");
    CHECK_EQ_STR(ex("NULL"), "NULL");
    CHECK_EQ_STR(ex("$3"), "$3");
    CHECK_EQ_STR(ex("@SEQ:42"), "@SEQ:42");
    CHECK_EQ_STR(ex("@seq:0"), "@SEQ:0");
    /* the minus is not folded when :: binds first */
    CHECK_EQ_STR(ex("-1::text"), "(- CAST(1 AS text))");
    CHECK_EQ_STR(ex("- 2 ^ 2"), "(-2 ^ 2)");
}

TEST(strings)
{
    CHECK_EQ_STR(ex("'it''s'"), "'it's'");
    CHECK_EQ_STR(ex("'a\\nb'"), "'a\\nb'");   /* standard strings keep backslashes */
    CHECK_EQ_STR(ex("E'a\\nb\\t\\'q\\\\'"), "'a\nb\t'q\\'");
    CHECK_EQ_STR(ex("e'\\x41\\101\\u00e9\\U0001F600'"), "'AA\xc3\xa9\xf0\x9f\x98\x80'");
    CHECK_EQ_STR(ex("E'\\uD83D\\uDE00'"), "'\xf0\x9f\x98\x80'");
    CHECK_EQ_STR(ex("$$it's $ \\n$$"), "'it's $ \\n'");
    CHECK_EQ_STR(ex("$fn$ a $$ b $fn$"), "' a $$ b '");
    CHECK_EQ_STR(ex("'foo'\n  'bar'"), "'foobar'");
    CHECK_EQ_STR(ex("''"), "''");
    Err r = perr("SELECT E'\\0'");
    CHECK_EQ_STR(r.e.sqlstate, "22021");
    r = perr("SELECT E'\\uD800'");
    CHECK_EQ_STR(r.e.sqlstate, "42601");
    r = perr("SELECT \"\"");
    CHECK_EQ_STR(r.e.message, "zero-length delimited identifier at or near \"\"\"\"");
}

TEST(comments)
{
    SelectStmt *s = sel("/* lead */ SELECT /* in /* nested */ still */ 1 -- trailing\n + 2 -- end");
    CHECK(s && !strcmp(estr(s->targets[0]->expr), "(1 + 2)"));
    Stmt *st = parse1("-- only a comment\nSELECT 1");
    CHECK(st && st->loc == 18);
    Err r = perr("SELECT 1 /* open /* nested */");
    CHECK_EQ_STR(r.e.sqlstate, "42601");
    CHECK_EQ_STR(r.e.message, "unterminated /* comment at or near \"/* open /* nested */\"");
    CHECK_EQ_INT(r.e.position, 10);
}

TEST(precedence)
{
    CHECK_EQ_STR(ex("1 + 2 * 3"), "(1 + (2 * 3))");
    CHECK_EQ_STR(ex("(1 + 2) * 3"), "((1 + 2) * 3)");
    CHECK_EQ_STR(ex("1 - 2 - 3"), "((1 - 2) - 3)");
    CHECK_EQ_STR(ex("2 ^ 3 ^ 2"), "((2 ^ 3) ^ 2)");
    CHECK_EQ_STR(ex("-x ^ 2"), "((- x) ^ 2)");
    CHECK_EQ_STR(ex("NOT a = b AND c"), "((NOT (a = b)) AND c)");
    CHECK_EQ_STR(ex("a OR b AND c"), "(a OR (b AND c))");
    CHECK_EQ_STR(ex("a AND b OR c"), "((a AND b) OR c)");
    CHECK_EQ_STR(ex("NOT NOT a"), "(NOT (NOT a))");
    CHECK_EQ_STR(ex("a || b + 1"), "(a || (b + 1))");
    CHECK_EQ_STR(ex("a = b || c"), "(a = (b || c))");
    CHECK_EQ_STR(ex("a < b IS TRUE"), "((a < b) IS TRUE)");
    CHECK_EQ_STR(ex("a + 1 BETWEEN 2 AND 3 + 4"), "((a + 1) BETWEEN 2 AND (3 + 4))");
    CHECK_EQ_STR(ex("a LIKE 'x' = true"), "((a LIKE 'x') = true)");
    /* ~ and its forms bind as "any other operator": left to right with ||,
     * tighter than comparisons, looser than + */
    CHECK_EQ_STR(ex("a ~ 'x' = true"), "((a ~ 'x') = true)");
    CHECK_EQ_STR(ex("a || b ~* c || d"), "(((a || b) ~* c) || d)");
    CHECK_EQ_STR(ex("a !~ b + c"), "(a !~ (b + c))");
    CHECK_EQ_STR(ex("a SIMILAR TO b || c"), "(a SIMILAR TO (b || c))");
    CHECK_EQ_STR(ex("a ~ b LIKE c"), "((a ~ b) LIKE c)");
    CHECK_EQ_STR(ex("x % 3 * 2 / 4"), "(((x % 3) * 2) / 4)");
    CHECK_EQ_STR(ex("a::int + 1"), "(CAST(a AS int) + 1)");
    CHECK_EQ_STR(ex("a::int::text"), "CAST(CAST(a AS int) AS text)");
    SelectStmt *s = sel("SELECT a + b::int, x IS NULL, y NOT IN (1)");
    CHECK(s != NULL);
    if (s) {
        CHECK_EQ_INT(s->targets[0]->expr->loc, 7);
        CHECK_EQ_INT(s->targets[0]->expr->oploc, 9);
        CHECK_EQ_INT(s->targets[0]->expr->u.bin.r->oploc, 12);
        CHECK_EQ_INT(s->targets[1]->expr->oploc, 21);
        CHECK_EQ_INT(s->targets[2]->expr->loc, 30);
        CHECK_EQ_INT(s->targets[2]->expr->oploc, 32);
        CHECK_EQ_INT(s->targets[2]->expr->u.in.list[0]->oploc, 40);
    }
    Err r = perr("SELECT 1 = 1 = 1");
    CHECK_EQ_STR(r.e.message, "syntax error at or near \"=\"");
    CHECK_EQ_INT(r.e.position, 14);
}

TEST(predicates)
{
    CHECK_EQ_STR(ex("a IS NULL"), "(a IS NULL)");
    CHECK_EQ_STR(ex("a IS NOT NULL"), "(a IS NOT NULL)");
    CHECK_EQ_STR(ex("a ISNULL"), "(a IS NULL)");
    CHECK_EQ_STR(ex("a NOTNULL"), "(a IS NOT NULL)");
    CHECK_EQ_STR(ex("a IS NOT TRUE"), "(a IS NOT TRUE)");
    CHECK_EQ_STR(ex("a IS FALSE"), "(a IS FALSE)");
    CHECK_EQ_STR(ex("a IS UNKNOWN"), "(a IS UNKNOWN)");
    CHECK_EQ_STR(ex("a IS DISTINCT FROM b + 1"), "(a IS DISTINCT FROM (b + 1))");
    CHECK_EQ_STR(ex("a IS NOT DISTINCT FROM b"), "(a IS NOT DISTINCT FROM b)");
    CHECK_EQ_STR(ex("a IN (1, 2, 3)"), "(a IN [1, 2, 3])");
    CHECK_EQ_STR(ex("a NOT IN ('x')"), "(a NOT IN ['x'])");
    CHECK_EQ_STR(ex("a IN (SELECT b FROM t)"), "(a IN [(SELECT)])");
    CHECK_EQ_STR(ex("a IN ((SELECT 1), 2)"), "(a IN [(SELECT), 2])");
    CHECK_EQ_STR(ex("a BETWEEN 1 AND 2"), "(a BETWEEN 1 AND 2)");
    CHECK_EQ_STR(ex("a NOT BETWEEN SYMMETRIC 1 AND 2"), "(a NOT BETWEEN SYMMETRIC 1 AND 2)");
    CHECK_EQ_STR(ex("a BETWEEN 1 AND 2 AND b"), "((a BETWEEN 1 AND 2) AND b)");
    CHECK_EQ_STR(ex("a LIKE 'x%'"), "(a LIKE 'x%')");
    CHECK_EQ_STR(ex("a NOT ILIKE 'x' ESCAPE '!'"), "(a NOT ILIKE 'x' ESCAPE '!')");
    CHECK_EQ_STR(ex("a ~~ 'x'"), "(a LIKE 'x')");
    CHECK_EQ_STR(ex("a ~~* 'x'"), "(a ILIKE 'x')");
    CHECK_EQ_STR(ex("a !~~ 'x'"), "(a NOT LIKE 'x')");
    CHECK_EQ_STR(ex("a !~~* 'x'"), "(a NOT ILIKE 'x')");
    CHECK_EQ_STR(ex("a ~ 'x'"), "(a ~ 'x')");
    CHECK_EQ_STR(ex("a !~* 'x'"), "(a !~* 'x')");
    CHECK_EQ_STR(ex("a SIMILAR TO 'x%'"), "(a SIMILAR TO 'x%')");
    CHECK_EQ_STR(ex("a NOT SIMILAR TO 'x' ESCAPE '#'"), "(a NOT SIMILAR TO 'x' ESCAPE '#')");
    CHECK_EQ_STR(perr("SELECT a ~~~ b").e.message, "operator does not exist: ~~~");
    CHECK_EQ_STR(perr("SELECT a SIMILAR b").e.message, "syntax error at or near \"SIMILAR\"");
    CHECK_EQ_STR(ex("EXISTS (SELECT 1)"), "EXISTS(SELECT)");
    CHECK_EQ_STR(ex("NOT EXISTS (SELECT 1)"), "(NOT EXISTS(SELECT))");
    CHECK_EQ_STR(ex("(SELECT max(a) FROM t) + 1"), "((SELECT) + 1)");
    CHECK_EQ_STR(ex("((SELECT 1)) + 1"), "((SELECT) + 1)");
    CHECK_EQ_STR(ex("((SELECT 1) + 1)"), "((SELECT) + 1)");
    SelectStmt *s = sel("SELECT ((SELECT 1) UNION (SELECT 2))");
    CHECK(s && s->targets[0]->expr->kind == EXPR_SUBQUERY &&
          s->targets[0]->expr->u.sub.select->next != NULL);
}

TEST(case_cast_functions)
{
    CHECK_EQ_STR(ex("CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END"),
                 "CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END");
    CHECK_EQ_STR(ex("CASE x WHEN 1 THEN 'a' END"), "CASE x WHEN 1 THEN 'a' END");
    CHECK_EQ_STR(ex("CAST(a AS varchar(10))"), "CAST(a AS varchar[10])");
    CHECK_EQ_STR(ex("CAST(a AS numeric(10, 2))"), "CAST(a AS numeric[655362])");
    CHECK_EQ_STR(ex("CAST(a AS numeric(10))"), "CAST(a AS numeric[655360])");
    CHECK_EQ_STR(ex("a::double precision"), "CAST(a AS double precision)");
    CHECK_EQ_STR(ex("a::character varying(5)"), "CAST(a AS character varying[5])");
    CHECK_EQ_STR(ex("a::timestamp with time zone"), "CAST(a AS timestamp with time zone)");
    CHECK_EQ_STR(ex("a::timestamp(3) without time zone"), "CAST(a AS timestamp without time zone[3])");
    CHECK_EQ_STR(ex("a::time with time zone"), "CAST(a AS time with time zone)");
    CHECK_EQ_STR(ex("a::float(10)"), "CAST(a AS real)");
    CHECK_EQ_STR(ex("a::float(30)"), "CAST(a AS double precision)");
    CHECK_EQ_STR(ex("a::pg_catalog.int4"), "CAST(a AS int4)");
    CHECK_EQ_STR(ex("a::\"char\""), "CAST(a AS \"char\")");
    CHECK_EQ_STR(ex("a::pg_catalog.\"char\"[]"), "CAST(a AS \"char\"[])");
    CHECK_EQ_STR(ex("a::char"), "CAST(a AS char[1])");   /* char alone is char(1), as in PostgreSQL's grammar */
    CHECK_EQ_STR(ex("a::bpchar"), "CAST(a AS bpchar)");
    CHECK_EQ_STR(ex("timestamptz(0) '2024-01-02'"), "CAST('2024-01-02' AS timestamptz[0])");
    CHECK_EQ_STR(ex("current_timestamp(3)"), "CAST(current_timestamp() AS timestamp with time zone[3])");
    CHECK_EQ_STR(ex("interval '1 hour'"), "CAST('1 hour' AS interval)");
    CHECK_EQ_STR(ex("timestamp '2024-01-02 03:04:05'"), "CAST('2024-01-02 03:04:05' AS timestamp)");
    CHECK_EQ_STR(ex("timestamptz '2024-01-02'"), "CAST('2024-01-02' AS timestamptz)");
    CHECK_EQ_STR(ex("date '2024-01-02'"), "CAST('2024-01-02' AS date)");
    CHECK_EQ_STR(ex("time '12:00'"), "CAST('12:00' AS time)");
    CHECK_EQ_STR(ex("timestamp with time zone '2024-01-02'"),
                 "CAST('2024-01-02' AS timestamp with time zone)");
    CHECK_EQ_STR(ex("double precision '1.5'"), "CAST('1.5' AS double precision)");
    CHECK_EQ_STR(ex("int '5'"), "CAST('5' AS int)");
    CHECK_EQ_STR(ex("now() - interval '1 hour'"), "(now() - CAST('1 hour' AS interval))");
    CHECK_EQ_STR(ex("count(*)"), "count(*)");
    CHECK_EQ_STR(ex("count(DISTINCT a)"), "count(DISTINCT a)");
    CHECK_EQ_STR(ex("Upper(a, 1)"), "upper(a, 1)");
    CHECK_EQ_STR(ex("pg_catalog.now()"), "pg_catalog.now()");
    CHECK_EQ_STR(ex("coalesce(a, b, 1)"), "coalesce(a, b, 1)");
    CHECK_EQ_STR(ex("NULLIF(a, 0)"), "nullif(a, 0)");
    CHECK_EQ_STR(ex("greatest(1, 2)"), "greatest(1, 2)");
    CHECK_EQ_STR(ex("least(1, 2)"), "least(1, 2)");
    CHECK_EQ_STR(ex("left('abc', 2)"), "left('abc', 2)");
    CHECK_EQ_STR(ex("substring(a FROM 2 FOR 3)"), "substring(a, 2, 3)");
    CHECK_EQ_STR(ex("substring(a FOR 3 FROM 2)"), "substring(a, 2, 3)");
    CHECK_EQ_STR(ex("substring(a FROM 'x(y)')"), "substring(a, 'x(y)')");
    CHECK_EQ_STR(ex("substring(a SIMILAR 'x#\"y#\"' ESCAPE '#')"), "substring(a, 'x#\"y#\"', '#')");
    CHECK_EQ_STR(ex("CURRENT_TIMESTAMP"), "current_timestamp()");
    CHECK_EQ_STR(ex("current_date"), "current_date()");
    CHECK_EQ_STR(ex("LOCALTIMESTAMP"), "localtimestamp()");
    CHECK_EQ_STR(ex("CURRENT_USER"), "current_user()");
    CHECK_EQ_STR(ex("session_user"), "session_user()");
    CHECK_EQ_STR(ex("user"), "user()");
    CHECK_EQ_STR(ex("drift_seq_at(now())"), "drift_seq_at(now())");
    CHECK_EQ_STR(ex("a::int[]"), "CAST(a AS int[])");
    CHECK_EQ_STR(ex("a::text[][3]"), "CAST(a AS text[])");
    CHECK_EQ_STR(ex("CAST(a AS integer ARRAY[2])"), "CAST(a AS integer[])");
    CHECK_EQ_STR(ex("ARRAY[1, [2]]"), "array(1, array(2))");
    CHECK_EQ_STR(ex("a[1][2:3][:4][5:][:]"), "[](a, 1, 2, 3, 4, 5)");
    CHECK_EQ_STR(ex("x = ANY (a || b)"), "any(x, (a || b))");
    /* an interval's fields are its typmod: DAY (8) << 16, any precision */
    CHECK_EQ_STR(ex("interval '1' day"), "CAST('1' AS interval[589823])");
    CHECK_EQ_STR(ex("a::interval day to second(2)"), "CAST(a AS interval[470286338])");
    CHECK_EQ_STR(ex("a::interval(3)"), "CAST(a AS interval[2147418115])");
    Err r = perr("SELECT a::interval(1) hour");
    CHECK_EQ_STR(r.e.sqlstate, "42601");
    CHECK_EQ_INT(r.e.position, 23);
    r = perr("SELECT interval '1' year to day");
    CHECK_EQ_STR(r.e.sqlstate, "42601");
    r = perr("SELECT CAST(a AS numeric(0))");
    CHECK_EQ_STR(r.e.sqlstate, "22023");
}

TEST(select_clauses)
{
    SelectStmt *s = sel("SELECT DISTINCT a, b AS x, c y, t.*, * FROM t WHERE a > 1 GROUP BY a, b "
                        "HAVING count(*) > 1 ORDER BY a DESC NULLS FIRST, b, c ASC NULLS LAST "
                        "LIMIT 10 OFFSET 5 ROWS");
    CHECK(s != NULL);
    if (!s) return;
    CHECK(s->distinct);
    CHECK_EQ_INT(s->ntargets, 5);
    CHECK_EQ_STR(s->targets[1]->alias, "x");
    CHECK_EQ_STR(s->targets[2]->alias, "y");
    CHECK(s->targets[0]->alias == NULL);
    CHECK_EQ_STR(estr(s->targets[3]->expr), "t.*");
    CHECK_EQ_STR(estr(s->targets[4]->expr), "*");
    CHECK_EQ_INT(s->nfrom, 1);
    CHECK_EQ_STR(estr(s->where), "(a > 1)");
    CHECK_EQ_INT(s->ngroup, 2);
    CHECK_EQ_STR(estr(s->having), "(count(*) > 1)");
    CHECK_EQ_INT(s->norder, 3);
    CHECK(s->order_by[0]->desc && s->order_by[0]->nulls == 1);
    CHECK(!s->order_by[1]->desc && s->order_by[1]->nulls == 0);
    CHECK(!s->order_by[2]->desc && s->order_by[2]->nulls == 2);
    CHECK_EQ_STR(estr(s->limit), "10");
    CHECK_EQ_STR(estr(s->offset), "5");
    CHECK_EQ_INT(s->targets[1]->loc, 19);

    s = sel("SELECT 1 LIMIT ALL");
    CHECK(s && s->limit == NULL);
    s = sel("SELECT a FROM t OFFSET 2 LIMIT 3");
    CHECK(s && s->limit && s->offset);
    s = sel("SELECT a FROM t FETCH FIRST 3 ROWS ONLY");
    CHECK(s && s->limit && !strcmp(estr(s->limit), "3"));
    s = sel("SELECT a FROM t FETCH NEXT ROW ONLY");
    CHECK(s && s->limit && !strcmp(estr(s->limit), "1"));
    s = sel("SELECT 1 AS select, 2 AS \"Q\"");
    CHECK(s && !strcmp(s->targets[0]->alias, "select") && !strcmp(s->targets[1]->alias, "Q"));
    s = sel("SELECT now(), 1 + 1");
    CHECK(s && s->nfrom == 0 && s->ntargets == 2);
    Err r = perr("SELECT 1 LIMIT 1 LIMIT 2");
    CHECK_EQ_STR(r.e.message, "multiple LIMIT clauses not allowed");
    r = perr("SELECT 1 LIMIT 1, 2");
    CHECK_EQ_STR(r.e.message, "LIMIT #,# syntax is not supported");
}

TEST(set_operations)
{
    SelectStmt *s = sel("SELECT a FROM t UNION ALL SELECT b FROM u EXCEPT SELECT c FROM v "
                        "ORDER BY 1 LIMIT 3");
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_INT(s->setop, 1);
    CHECK(s->setop_all);
    CHECK(s->next && s->next->setop == 3 && !s->next->setop_all);
    CHECK(s->next && s->next->next && s->next->next->next == NULL);
    CHECK_EQ_INT(s->norder, 1);
    CHECK(s->limit != NULL);
    s = sel("SELECT 1 INTERSECT SELECT 2");
    CHECK(s && s->setop == 2);
    /* a parenthesized member with its own LIMIT is wrapped */
    s = sel("(SELECT a FROM t LIMIT 1) UNION (SELECT b FROM u) ORDER BY 1");
    CHECK(s != NULL);
    if (!s) return;
    CHECK(s->nfrom == 1 && s->from[0]->kind == TREF_SUBQUERY && s->from[0]->select->limit);
    CHECK(s->norder == 1 && s->next && s->next->nfrom == 1 && s->next->from[0]->kind == TREF_TABLE);
    s = sel("(SELECT a FROM t) LIMIT 2");
    CHECK(s && s->limit && s->nfrom == 1 && s->from[0]->kind == TREF_TABLE);
    s = sel("((SELECT 1))");
    CHECK(s && s->ntargets == 1);
    Err r = perr("(SELECT 1 LIMIT 1) LIMIT 2");
    CHECK_EQ_STR(r.e.message, "multiple LIMIT clauses not allowed");
}

TEST(from_items)
{
    SelectStmt *s = sel("SELECT * FROM a AS x, b y, c JOIN d ON c.i = d.i LEFT OUTER JOIN e USING (i, j) "
                        "CROSS JOIN f RIGHT JOIN g ON true FULL JOIN h ON false INNER JOIN k ON 1=1");
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_INT(s->nfrom, 3);
    CHECK_EQ_STR(s->from[0]->alias, "x");
    CHECK_EQ_STR(s->from[1]->alias, "y");
    TableRef *j = s->from[2];
    CHECK(j->kind == TREF_JOIN && j->join == JOIN_INNER);
    CHECK(j->left->kind == TREF_JOIN && j->left->join == JOIN_FULL);
    CHECK(j->left->left->join == JOIN_RIGHT);
    CHECK(j->left->left->left->join == JOIN_CROSS && j->left->left->left->on == NULL);
    TableRef *l = j->left->left->left->left;
    CHECK(l->join == JOIN_LEFT && l->nusing == 2 && !strcmp(l->using_cols[1], "j"));
    CHECK(l->left->join == JOIN_INNER && !strcmp(estr(l->left->on), "(c.i = d.i)"));
    CHECK_EQ_STR(l->left->left->name, "c");

    s = sel("SELECT * FROM (SELECT 1 AS a) AS sub, (SELECT 2) sub2, (a JOIN b ON true) AS j");
    CHECK(s && s->nfrom == 3);
    if (!s) return;
    CHECK(s->from[0]->kind == TREF_SUBQUERY && !strcmp(s->from[0]->alias, "sub"));
    CHECK(s->from[1]->kind == TREF_SUBQUERY && !strcmp(s->from[1]->alias, "sub2"));
    CHECK(s->from[2]->kind == TREF_JOIN && !strcmp(s->from[2]->alias, "j"));
    /* qualified names stay as written (the catalog resolves them) */
    s = sel("SELECT * FROM public.users u");
    CHECK(s && !strcmp(s->from[0]->name, "public.users") && !strcmp(s->from[0]->alias, "u"));
    s = sel("SELECT * FROM other.users");
    CHECK(s && !strcmp(s->from[0]->name, "other.users"));
    s = sel("SELECT * FROM t LEFT JOIN u ON t.a = u.a WHERE x");
    CHECK(s && s->from[0]->left->alias == NULL && s->from[0]->right->alias == NULL);
}

TEST(temporal)
{
    SelectStmt *s = sel("SELECT * FROM users FOR SYSTEM_TIME AS OF @SEQ:42 AS u");
    CHECK(s != NULL);
    if (!s) return;
    TableRef *tr = s->from[0];
    CHECK_EQ_INT(tr->temporal.kind, TEMPORAL_AS_OF);
    CHECK_EQ_STR(estr(tr->temporal.a), "@SEQ:42");
    CHECK_EQ_INT(tr->temporal.loc, 20);
    CHECK_EQ_STR(tr->alias, "u");

    s = sel("SELECT * FROM t FOR SYSTEM_TIME AS OF now() - interval '1 hour' x WHERE a = 1");
    CHECK(s && !strcmp(estr(s->from[0]->temporal.a), "(now() - CAST('1 hour' AS interval))"));
    CHECK(s && !strcmp(s->from[0]->alias, "x") && s->where);

    s = sel("SELECT * FROM t FOR SYSTEM_TIME AS OF '2024-01-01 00:00:00+00'");
    CHECK(s && !strcmp(estr(s->from[0]->temporal.a), "'2024-01-01 00:00:00+00'"));
    s = sel("SELECT * FROM t FOR SYSTEM_TIME AS OF $1");
    CHECK(s && !strcmp(estr(s->from[0]->temporal.a), "$1"));
    s = sel("SELECT * FROM t FOR system_time as of timestamptz '2024-01-01'");
    CHECK(s && s->from[0]->temporal.kind == TEMPORAL_AS_OF);

    s = sel("SELECT * FROM t FOR SYSTEM_TIME FROM @SEQ:1 TO @SEQ:5");
    CHECK(s && s->from[0]->temporal.kind == TEMPORAL_FROM_TO);
    CHECK(s && !strcmp(estr(s->from[0]->temporal.b), "@SEQ:5"));

    s = sel("SELECT * FROM t FOR SYSTEM_TIME BETWEEN @SEQ:1 AND now() - interval '1 day' WHERE true");
    CHECK(s && s->from[0]->temporal.kind == TEMPORAL_BETWEEN);
    CHECK(s && !strcmp(estr(s->from[0]->temporal.a), "@SEQ:1"));
    CHECK(s && !strcmp(estr(s->from[0]->temporal.b), "(now() - CAST('1 day' AS interval))"));

    s = sel("SELECT * FROM t FOR SYSTEM_TIME CONTAINED IN (@SEQ:2, '2024-06-01')");
    CHECK(s && s->from[0]->temporal.kind == TEMPORAL_CONTAINED_IN);
    CHECK(s && !strcmp(estr(s->from[0]->temporal.b), "'2024-06-01'"));

    s = sel("SELECT * FROM t FOR SYSTEM_TIME ALL ORDER BY system_seq_start");
    CHECK(s && s->from[0]->temporal.kind == TEMPORAL_ALL && s->from[0]->temporal.a == NULL);

    /* temporal join: each table its own point */
    s = sel("SELECT * FROM a FOR SYSTEM_TIME AS OF @SEQ:1 x JOIN b FOR SYSTEM_TIME AS OF @SEQ:2 y "
            "ON x.id = y.id");
    CHECK(s && s->from[0]->left->temporal.kind == TEMPORAL_AS_OF &&
          s->from[0]->right->temporal.kind == TEMPORAL_AS_OF && s->from[0]->on);
    s = sel("SELECT * FROM t");
    CHECK(s && s->from[0]->temporal.kind == TEMPORAL_NONE);

    /* malformed clauses point at the offending token */
    Err r = perr("SELECT * FROM t FOR SYSTEM_TIME AS @SEQ:1");
    CHECK_EQ_STR(r.e.sqlstate, "42601");
    CHECK_EQ_STR(r.e.message, "syntax error at or near \"@SEQ:1\"");
    CHECK_EQ_INT(r.e.position, 36);
    r = perr("SELECT * FROM t FOR SYSTEM_TIME BETWEEN 1 TO 2");
    CHECK_EQ_STR(r.e.message, "syntax error at or near \"TO\"");
    CHECK_EQ_INT(r.e.position, 43);
    r = perr("SELECT * FROM t FOR SYSTEM_TIME CONTAINED IN (1)");
    CHECK_EQ_STR(r.e.message, "syntax error at or near \")\"");
    r = perr("SELECT * FROM t FOR SYSTEM_TIME");
    CHECK_EQ_STR(r.e.message, "syntax error at end of input");
    CHECK_EQ_INT(r.e.position, 32);
    r = perr("SELECT * FROM t FOR SYSTEM_TIME AS OF @SEQ: x");
    CHECK_EQ_STR(r.e.sqlstate, "42601");
    CHECK_EQ_STR(r.e.message, "syntax error at or near \"@SEQ:\"");
    CHECK_EQ_INT(r.e.position, 39);
    r = perr("SELECT @seq:");
    CHECK_EQ_INT(r.e.position, 8);
    r = perr("SELECT @SEQ:99999999999999999999");
    CHECK_EQ_STR(r.e.sqlstate, "22003");
}

TEST(insert)
{
    Stmt *st = parse1("INSERT INTO t (a, \"B\") VALUES (1, 'x'), (2, NULL)");
    CHECK(st && st->kind == STMT_INSERT);
    if (!st) return;
    InsertStmt *i = st->u.insert;
    CHECK_EQ_STR(i->table, "t");
    CHECK_EQ_INT(i->table_loc, 12);
    CHECK_EQ_INT(i->ncols, 2);
    CHECK_EQ_STR(i->cols[1], "B");
    CHECK_EQ_INT(i->col_locs[1], 18);
    CHECK_EQ_INT(i->nrows, 2);
    CHECK_EQ_INT(i->row_len[0], 2);
    CHECK_EQ_STR(estr(i->rows[1][1]), "NULL");
    st = parse1("INSERT INTO t SELECT * FROM u FOR SYSTEM_TIME AS OF @SEQ:3");
    CHECK(st && st->u.insert->select && st->u.insert->ncols == 0);
    st = parse1("INSERT INTO t (SELECT 1)");
    CHECK(st && st->u.insert->select && st->u.insert->ncols == 0);
    st = parse1("INSERT INTO t (a) SELECT 1 UNION SELECT 2");
    CHECK(st && st->u.insert->select && st->u.insert->ncols == 1);
    st = parse1("INSERT INTO t DEFAULT VALUES");
    CHECK(st && st->u.insert->default_values);
    st = parse1("INSERT INTO t AS x VALUES (1) RETURNING a, x.*, *");
    CHECK(st && st->u.insert->nreturning == 3 && st->u.insert->alias && strcmp(st->u.insert->alias, "x") == 0);
    Err r = perr("INSERT INTO t VALUES (1) RETURNING");
    CHECK_EQ_STR(r.e.sqlstate, "42601");
    st = parse1("UPDATE t SET a = 1 RETURNING a AS b");
    CHECK(st && st->u.update->nreturning == 1 && strcmp(st->u.update->returning[0]->alias, "b") == 0);
    st = parse1("DELETE FROM t WHERE a = 1 RETURNING *");
    CHECK(st && st->u.delete_->nreturning == 1 && st->u.delete_->returning[0]->expr->kind == EXPR_STAR);
}

TEST(update_delete)
{
    Stmt *st = parse1("UPDATE t AS x SET a = a + 1, b = 'y' WHERE id = $1");
    CHECK(st && st->kind == STMT_UPDATE);
    if (!st) return;
    UpdateStmt *u = st->u.update;
    CHECK_EQ_STR(u->table, "t");
    CHECK_EQ_STR(u->alias, "x");
    CHECK_EQ_INT(u->nset, 2);
    CHECK_EQ_STR(u->set[0]->col, "a");
    CHECK_EQ_STR(estr(u->set[0]->expr), "(a + 1)");
    CHECK_EQ_INT(u->set[1]->loc, 29);
    CHECK_EQ_STR(estr(u->where), "(id = $1)");
    st = parse1("UPDATE t SET a = 1");
    CHECK(st && st->u.update->alias == NULL && st->u.update->where == NULL);
    st = parse1("UPDATE t x SET a = 1");
    CHECK(st && !strcmp(st->u.update->alias, "x"));
    st = parse1("DELETE FROM t WHERE a IN (1, 2)");
    CHECK(st && st->kind == STMT_DELETE && !strcmp(st->u.delete_->table, "t") &&
          st->u.delete_->where && st->u.delete_->alias == NULL);
    st = parse1("DELETE FROM t AS d");
    CHECK(st && !strcmp(st->u.delete_->alias, "d") && st->u.delete_->where == NULL);
    st = parse1("delete from t d where d.a = 1");
    CHECK(st && !strcmp(st->u.delete_->alias, "d"));
}

TEST(create_table)
{
    Stmt *st = parse1("CREATE TABLE IF NOT EXISTS users (id int PRIMARY KEY, name varchar(50) NOT NULL, "
                      "score numeric(10,2) DEFAULT 0, at timestamp with time zone DEFAULT now(), "
                      "d double precision NULL UNIQUE, c character varying, b boolean DEFAULT -1 NOT NULL)");
    CHECK(st && st->kind == STMT_CREATE_TABLE);
    if (!st) return;
    CreateTableStmt *c = st->u.create;
    CHECK(c->if_not_exists);
    CHECK_EQ_STR(c->name, "users");
    CHECK_EQ_INT(c->ncols, 7);
    CHECK(c->cols[0]->primary_key);
    CHECK_EQ_STR(c->cols[0]->type.name, "int");
    CHECK_EQ_INT(c->cols[0]->type.typmod, -1);
    CHECK_EQ_STR(c->cols[1]->type.name, "varchar");
    CHECK_EQ_INT(c->cols[1]->type.typmod, 50);
    CHECK(c->cols[1]->not_null);
    CHECK_EQ_INT(c->cols[2]->type.typmod, (10 << 16) | 2);
    CHECK_EQ_STR(estr(c->cols[2]->default_), "0");
    CHECK_EQ_STR(c->cols[3]->type.name, "timestamp with time zone");
    CHECK_EQ_STR(estr(c->cols[3]->default_), "now()");
    CHECK_EQ_STR(c->cols[4]->type.name, "double precision");
    CHECK(c->cols[4]->unique && !c->cols[4]->not_null);
    CHECK_EQ_STR(c->cols[5]->type.name, "character varying");
    CHECK(c->cols[6]->not_null);
    CHECK_EQ_STR(estr(c->cols[6]->default_), "-1");
    CHECK_EQ_INT(c->npk, 0);
    CHECK(!c->document_style);

    st = parse1("CREATE TABLE t (a int, b text, CONSTRAINT t_pk PRIMARY KEY (a, b))");
    CHECK(st && st->u.create->npk == 2 && !strcmp(st->u.create->pk[1], "b"));
    CHECK(st && st->u.create->pk_loc == 47);

    st = parse1("CREATE TABLE users (pk=id, INDEX(name))");
    CHECK(st != NULL);
    if (!st) return;
    c = st->u.create;
    CHECK(c->document_style);
    CHECK_EQ_INT(c->npk, 1);
    CHECK_EQ_STR(c->pk[0], "id");
    CHECK_EQ_INT(c->pk_loc, 20);
    CHECK_EQ_INT(c->ncols, 0);
    CHECK_EQ_INT(c->nindexes, 1);
    CHECK_EQ_INT(c->index_ncols[0], 1);
    CHECK_EQ_STR(c->indexes[0][0], "name");
    CHECK(c->index_names[0] == NULL);

    st = parse1("CREATE TABLE ev (INDEX by_kind (kind, at), pk = id, index int, INDEX(a, b), note text)");
    CHECK(st != NULL);
    if (!st) return;
    c = st->u.create;
    CHECK_EQ_INT(c->nindexes, 2);
    CHECK_EQ_STR(c->index_names[0], "by_kind");
    CHECK_EQ_INT(c->index_ncols[0], 2);
    CHECK_EQ_INT(c->index_ncols[1], 2);
    CHECK_EQ_INT(c->ncols, 2);
    CHECK_EQ_STR(c->cols[0]->name, "index");
    CHECK_EQ_STR(c->cols[1]->name, "note");
    st = parse1("CREATE TABLE e ()");
    CHECK(st && st->u.create->ncols == 0);

    st = parse1("CREATE TABLE t (a int[], b varchar(3) ARRAY)");
    CHECK(st && st->u.create->ncols == 2);
    if (st) CHECK_EQ_STR(st->u.create->cols[1]->type.name, "varchar[]");
    Err r = perr("CREATE TABLE t (a int PRIMARY KEY, b int PRIMARY KEY)");
    CHECK_EQ_STR(r.e.sqlstate, "42P16");
    r = perr("CREATE TABLE t (pk=a, PRIMARY KEY (b))");
    CHECK_EQ_STR(r.e.message, "multiple primary keys for table \"t\" are not allowed");
    r = perr("CREATE TABLE t (a)");
    CHECK_EQ_STR(r.e.message, "syntax error at or near \")\"");
}

TEST(temporary)
{
    Stmt *st = parse1("CREATE TEMP TABLE t (id int PRIMARY KEY) ON COMMIT DELETE ROWS");
    CHECK(st && st->kind == STMT_CREATE_TABLE && st->u.create->temp && st->u.create->on_commit == 'd');
    CHECK(st && st->u.create->on_commit_loc == 41);
    st = parse1("CREATE LOCAL TEMPORARY TABLE t (a int) ON COMMIT PRESERVE ROWS");
    CHECK(st && st->u.create->temp && st->u.create->on_commit == 'p' && st->u.create->ncols == 1);
    st = parse1("CREATE GLOBAL TEMP TABLE t (a int)");
    CHECK(st && st->u.create->temp && st->u.create->on_commit == 0);
    /* CREATE TEMP TABLE ... AS: a column list, then ON COMMIT, then AS */
    st = parse1("CREATE TEMP TABLE t (x, y) ON COMMIT DROP AS SELECT 1, 2");
    CHECK(st && st->u.create->temp && st->u.create->on_commit == 'D' && st->u.create->nas_cols == 2 &&
          st->u.create->as_select && st->u.create->ncols == 0);
    st = parse1("CREATE TEMP TABLE t ON COMMIT DROP AS SELECT 1");
    CHECK(st && st->u.create->on_commit == 'D' && st->u.create->as_select);
    /* a column list with ON COMMIT and no AS is a table's columns */
    st = parse1("CREATE TEMP TABLE t (x int, y text) ON COMMIT DROP");
    CHECK(st && st->u.create->ncols == 2 && st->u.create->nas_cols == 0 && !st->u.create->as_select);
    st = parse1("CREATE TABLE pg_temp.t (a int)");
    CHECK(st && st->u.create->temp && !strcmp(st->u.create->name, "t"));
    /* ON COMMIT on a permanent table parses: the analyzer refuses it (42P16) */
    st = parse1("CREATE TABLE t (a int) ON COMMIT DELETE ROWS");
    CHECK(st && !st->u.create->temp && st->u.create->on_commit == 'd');
    st = parse1("CREATE TEMP VIEW v AS SELECT 1");
    CHECK(st && st->kind == STMT_CREATE_VIEW && st->u.create_view->temp);
    st = parse1("CREATE OR REPLACE TEMPORARY VIEW v AS SELECT 1");
    CHECK(st && st->kind == STMT_CREATE_VIEW && st->u.create_view->temp && st->u.create_view->or_replace);
    st = parse1("CREATE TEMP SEQUENCE s START 5");
    CHECK(st && st->kind == STMT_CREATE_SEQUENCE && st->u.seq->temp);
    st = parse1("DISCARD TEMP");
    CHECK(st && st->kind == STMT_DROP_TABLE && st->u.drop->discard_temp && st->u.drop->n == 0);
    Err r = perr("CREATE TEMP TABLE t (a int) ON COMMIT");
    CHECK_EQ_STR(r.e.sqlstate, "42601");
    r = perr("CREATE TEMP TABLE t (a int) ON COMMIT DELETE");
    CHECK_EQ_STR(r.e.sqlstate, "42601");
    r = perr("CREATE TEMP TABLE t (a int) ON COMMIT KEEP ROWS");
    CHECK_EQ_STR(r.e.sqlstate, "42601");
    r = perr("CREATE TEMP INDEX i ON t (a)");
    CHECK_EQ_STR(r.e.sqlstate, "42601");
    r = perr("CREATE OR REPLACE TEMP TABLE t (a int)");
    CHECK_EQ_STR(r.e.sqlstate, "42601");
    r = perr("CREATE UNLOGGED TABLE t (a int)");
    CHECK_EQ_STR(r.e.sqlstate, "0A000");
    st = parse1("DISCARD ALL");
    CHECK(st && st->kind == STMT_DISCARD && st->u.discard == 'a');
    r = perr("DISCARD EVERYTHING");
    CHECK_EQ_STR(r.e.sqlstate, "42601");
}

TEST(alter_type)
{
    Stmt *st = parse1("ALTER TABLE t ALTER COLUMN c TYPE numeric(10,2), ALTER d SET DATA TYPE text, "
                      "ALTER e TYPE int USING (e * 100)::int");
    CHECK(st && st->kind == STMT_ALTER_TABLE);
    if (!st) return;
    AlterTableStmt *a = st->u.alter;
    CHECK_EQ_INT(a->ncmds, 3);
    if (a->ncmds != 3) return;
    CHECK(a->cmds[0]->kind == ALTER_TYPE && !a->cmds[0]->using_);
    CHECK_EQ_STR(a->cmds[0]->name, "c");
    CHECK_EQ_STR(a->cmds[0]->col->type.name, "numeric");
    CHECK_EQ_INT(a->cmds[0]->col->type.typmod, (10 << 16) | 2);
    CHECK(a->cmds[1]->kind == ALTER_TYPE);
    CHECK_EQ_STR(a->cmds[1]->col->type.name, "text");
    CHECK(a->cmds[2]->kind == ALTER_TYPE && a->cmds[2]->using_);
    CHECK_EQ_INT(a->cmds[2]->using_start, 100);
    CHECK_EQ_INT(a->cmds[2]->using_end, 114);
    /* SET DEFAULT still parses as before; a column named "type" too */
    st = parse1("ALTER TABLE t ALTER type SET DEFAULT 1, ALTER COLUMN type TYPE text");
    CHECK(st && st->u.alter->ncmds == 2 && st->u.alter->cmds[0]->kind == ALTER_SET_DEFAULT &&
          st->u.alter->cmds[1]->kind == ALTER_TYPE);
    Err r = perr("ALTER TABLE t ALTER c TYPE text COLLATE \"C\"");
    CHECK_EQ_STR(r.e.sqlstate, "0A000");
    r = perr("ALTER TABLE t ALTER c TYPE");
    CHECK_EQ_STR(r.e.sqlstate, "42601");
}

TEST(drop_table)
{
    Stmt *st = parse1("DROP TABLE IF EXISTS a, b CASCADE");
    CHECK(st && st->kind == STMT_DROP_TABLE);
    if (!st) return;
    CHECK(st->u.drop->if_exists);
    CHECK_EQ_INT(st->u.drop->n, 2);
    CHECK_EQ_STR(st->u.drop->names[1], "b");
    CHECK_EQ_INT(st->u.drop->locs[1], 24);
    st = parse1("drop table t restrict");
    CHECK(st && !st->u.drop->if_exists && st->u.drop->n == 1);
}

static TxnStmt *txn(const char *sql)
{
    Stmt *st = parse1(sql);
    return st && st->kind == STMT_TXN ? st->u.txn : NULL;
}

TEST(transactions)
{
    TxnStmt *t = txn("BEGIN");
    CHECK(t && t->kind == TXN_BEGIN && t->isolation == 0 && t->read_only == -1);
    t = txn("BEGIN WORK");
    CHECK(t && t->kind == TXN_BEGIN);
    t = txn("BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY");
    CHECK(t && t->isolation == 3 && t->read_only == 1);
    t = txn("START TRANSACTION ISOLATION LEVEL REPEATABLE READ READ WRITE");
    CHECK(t && t->kind == TXN_BEGIN && t->isolation == 2 && t->read_only == 0);
    t = txn("begin isolation level read committed");
    CHECK(t && t->isolation == 1);
    t = txn("COMMIT");
    CHECK(t && t->kind == TXN_COMMIT);
    t = txn("END TRANSACTION");
    CHECK(t && t->kind == TXN_COMMIT);
    t = txn("COMMIT WORK");
    CHECK(t && t->kind == TXN_COMMIT);
    t = txn("ROLLBACK");
    CHECK(t && t->kind == TXN_ROLLBACK);
    t = txn("ABORT TRANSACTION");
    CHECK(t && t->kind == TXN_ROLLBACK);
    t = txn("SAVEPOINT sp1");
    CHECK(t && t->kind == TXN_SAVEPOINT && !strcmp(t->savepoint, "sp1"));
    t = txn("RELEASE SAVEPOINT sp1");
    CHECK(t && t->kind == TXN_RELEASE && !strcmp(t->savepoint, "sp1"));
    t = txn("RELEASE sp2");
    CHECK(t && t->kind == TXN_RELEASE && !strcmp(t->savepoint, "sp2"));
    t = txn("ROLLBACK TO SAVEPOINT sp1");
    CHECK(t && t->kind == TXN_ROLLBACK_TO && !strcmp(t->savepoint, "sp1"));
    t = txn("ROLLBACK WORK TO \"Sp\"");
    CHECK(t && t->kind == TXN_ROLLBACK_TO && !strcmp(t->savepoint, "Sp"));
    Err r = perr("BEGIN ISOLATION LEVEL READ");
    CHECK_EQ_STR(r.e.message, "syntax error at end of input");
}

static SetStmt *set(const char *sql)
{
    Stmt *st = parse1(sql);
    return st && st->kind == STMT_SET ? st->u.set : NULL;
}

TEST(set_reset_show)
{
    SetStmt *s = set("SET drift.system_time = '@SEQ:42'");
    CHECK(s && !strcmp(s->name, "drift.system_time") && !strcmp(s->value, "@SEQ:42") && !s->is_local);
    s = set("SET drift.system_time TO @SEQ:7");
    CHECK(s && !strcmp(s->value, "@SEQ:7"));
    s = set("SET LOCAL search_path TO public, \"My\"");
    CHECK(s && s->is_local && !strcmp(s->value, "public, \"My\""));   /* quoted as PostgreSQL shows it */
    s = set("SET SESSION DateStyle = ISO, MDY");
    CHECK(s && !strcmp(s->name, "datestyle") && !strcmp(s->value, "iso, mdy"));
    s = set("SET extra_float_digits = -3");
    CHECK(s && !strcmp(s->value, "-3"));
    s = set("SET x = on");
    CHECK(s && !strcmp(s->value, "on"));
    s = set("SET x TO DEFAULT");
    CHECK(s && s->value == NULL && !s->reset);
    s = set("SET TIME ZONE 'Europe/Paris'");
    CHECK(s && !strcmp(s->name, "timezone") && !strcmp(s->value, "Europe/Paris"));
    s = set("SET TIME ZONE LOCAL");
    CHECK(s && !strcmp(s->name, "timezone") && s->value == NULL);
    s = set("SET TIME ZONE -5");
    CHECK(s && !strcmp(s->value, "-5"));
    s = set("SET NAMES 'UTF8'");
    CHECK(s && !strcmp(s->name, "client_encoding") && !strcmp(s->value, "UTF8"));
    s = set("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE");
    CHECK(s && !strcmp(s->name, "default_transaction_isolation") && !strcmp(s->value, "serializable"));
    s = set("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
    CHECK(s && !strcmp(s->name, "default_transaction_read_only") && !strcmp(s->value, "on"));
    s = set("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    CHECK(s && !strcmp(s->name, "transaction_isolation") && !strcmp(s->value, "repeatable read"));
    s = set("RESET drift.system_time");
    CHECK(s && s->reset && !strcmp(s->name, "drift.system_time") && s->value == NULL);
    s = set("RESET ALL");
    CHECK(s && s->reset && !strcmp(s->name, "all"));
    Stmt *st = parse1("SHOW ALL");
    CHECK(st && st->kind == STMT_SHOW && !strcmp(st->u.show->name, "all"));
    st = parse1("SHOW server_version");
    CHECK(st && !strcmp(st->u.show->name, "server_version"));
    st = parse1("SHOW TIME ZONE");
    CHECK(st && !strcmp(st->u.show->name, "timezone"));
    st = parse1("SHOW TRANSACTION ISOLATION LEVEL");
    CHECK(st && !strcmp(st->u.show->name, "transaction_isolation"));
    Err r = perr("SET x");
    CHECK_EQ_STR(r.e.message, "syntax error at end of input");
}

TEST(verify_explain)
{
    Stmt *st = parse1("VERIFY");
    CHECK(st && st->kind == STMT_VERIFY);
    st = parse1("EXPLAIN SELECT * FROM t FOR SYSTEM_TIME ALL");
    CHECK(st && st->kind == STMT_EXPLAIN && st->u.explain.stmt->kind == STMT_SELECT);
    CHECK(st && st->u.explain.stmt->loc == 8 && st->u.explain.stmt->end == 43);
    st = parse1("explain delete from t");
    CHECK(st && st->u.explain.stmt->kind == STMT_DELETE);
    st = parse1("EXPLAIN ANALYZE SELECT 1");
    CHECK(st && st->u.explain.analyze && st->u.explain.costs && st->u.explain.timing);
    st = parse1("EXPLAIN (ANALYZE true, COSTS off, TIMING 0, VERBOSE) SELECT 1");
    CHECK(st && st->u.explain.analyze && !st->u.explain.costs && !st->u.explain.timing);
    Err r = perr("EXPLAIN (FORMAT XML) SELECT 1");
    CHECK_EQ_STR(r.e.sqlstate, "0A000");
    r = perr("EXPLAIN (nonsense) SELECT 1");
    CHECK_EQ_STR(r.e.sqlstate, "42601");
}

TEST(multi_statement)
{
    const char *sql = "SELECT 1; ; INSERT INTO t VALUES (1)  ;SELECT 'a;b' -- x;\n ; ";
    size_t len = strlen(sql), next = 0, off = 0;
    Stmt *st;
    DdError e;
    CHECK_EQ_INT(parse_statement(sql, len, off, &A, &st, &next, &e), DD_OK);
    CHECK(st && st->kind == STMT_SELECT && st->loc == 0 && st->end == 8);
    CHECK_EQ_INT(next, 9);
    off = next;
    CHECK_EQ_INT(parse_statement(sql, len, off, &A, &st, &next, &e), DD_OK);
    CHECK(st && st->kind == STMT_INSERT && st->loc == 12 && st->end == 36);
    CHECK_EQ_INT(next, 39);
    off = next;
    CHECK_EQ_INT(parse_statement(sql, len, off, &A, &st, &next, &e), DD_OK);
    CHECK(st && st->kind == STMT_SELECT && st->loc == 39 && st->end == 51);
    CHECK_EQ_INT(next, 60);
    off = next;
    CHECK_EQ_INT(parse_statement(sql, len, off, &A, &st, &next, &e), DD_OK);
    CHECK(st == NULL);
    CHECK_EQ_INT(next, len);
    /* no trailing ';' */
    CHECK_EQ_INT(parse_statement("SELECT 1 ", 9, 0, &A, &st, &next, &e), DD_OK);
    CHECK(st && st->end == 8);
    CHECK_EQ_INT(next, 9);
    CHECK_EQ_INT(parse_statement("", 0, 0, &A, &st, &next, &e), DD_OK);
    CHECK(st == NULL && next == 0);

    /* an error skips past the failing statement's ';' (not one in a string) */
    const char *bad = "SELECT 1 +; SELECT * 'x;'; SELECT 2";
    len = strlen(bad);
    CHECK_EQ_INT(parse_statement(bad, len, 0, &A, &st, &next, &e), DD_ESYNTAX);
    CHECK_EQ_STR(e.message, "syntax error at or near \";\"");
    CHECK_EQ_INT(e.position, 11);
    CHECK_EQ_INT(next, 11);
    CHECK_EQ_INT(parse_statement(bad, len, next, &A, &st, &next, &e), DD_ESYNTAX);
    CHECK_EQ_STR(e.message, "syntax error at or near \"'x;'\"");
    CHECK_EQ_INT(e.position, 22);
    CHECK_EQ_INT(next, 26);
    CHECK_EQ_INT(parse_statement(bad, len, next, &A, &st, &next, &e), DD_OK);
    CHECK(st && st->kind == STMT_SELECT && st->loc == 27);
    CHECK_EQ_INT(next, len);
    /* a lexical error in the middle still finds the ';' after it */
    bad = "SELECT @SEQ: ; SELECT 3";
    CHECK_EQ_INT(parse_statement(bad, strlen(bad), 0, &A, &st, &next, &e), DD_ESYNTAX);
    CHECK_EQ_INT(next, 14);
    /* an unterminated string eats the rest */
    bad = "SELECT 'abc; SELECT 3";
    CHECK_EQ_INT(parse_statement(bad, strlen(bad), 0, &A, &st, &next, &e), DD_ESYNTAX);
    CHECK_EQ_STR(e.message, "unterminated quoted string at or near \"'abc; SELECT 3\"");
    CHECK_EQ_INT(e.position, 8);
    CHECK_EQ_INT(next, strlen(bad));
    /* an earlier syntax error wins over a later lexical one */
    bad = "SELECT * FRM t 'abc";
    CHECK_EQ_INT(parse_statement(bad, strlen(bad), 0, &A, &st, &next, &e), DD_ESYNTAX);
    CHECK_EQ_STR(e.message, "syntax error at or near \"FRM\"");
}

TEST(error_positions)
{
    Err r = perr("SELECT * FRM t");
    CHECK_EQ_INT(r.rc, DD_ESYNTAX);
    CHECK_EQ_STR(r.e.sqlstate, "42601");
    CHECK_EQ_STR(r.e.message, "syntax error at or near \"FRM\"");
    CHECK_EQ_INT(r.e.position, 10);
    r = perr("SELECT 1 +");
    CHECK_EQ_STR(r.e.message, "syntax error at end of input");
    CHECK_EQ_INT(r.e.position, 11);
    r = perr("SELECT @SEQ:");
    CHECK_EQ_STR(r.e.sqlstate, "42601");
    CHECK_EQ_INT(r.e.position, 8);
    r = perr("  SELEC 1");
    CHECK_EQ_STR(r.e.message, "syntax error at or near \"SELEC\"");
    CHECK_EQ_INT(r.e.position, 3);
    /* positions are into the whole string */
    r.rc = parse_statement("SELECT 1; SELECT (", 18, 9, &A, &(Stmt *){NULL}, &r.next, &r.e);
    CHECK_EQ_STR(r.e.message, "syntax error at end of input");
    CHECK_EQ_INT(r.e.position, 19);
    r = perr("SELECT \"abc");
    CHECK_EQ_STR(r.e.message, "unterminated quoted identifier at or near \"\"abc\"");
    r = perr("SELECT $x$abc");
    CHECK_EQ_STR(r.e.message, "unterminated dollar-quoted string at or near \"$x$abc\"");
    r = perr("SELECT * FROM t WHERE");
    CHECK_EQ_STR(r.e.message, "syntax error at end of input");
    r = perr("SELECT FROM WHERE");
    CHECK_EQ_STR(r.e.message, "syntax error at or near \"WHERE\"");
    r = perr("INSERT t VALUES (1)");
    CHECK_EQ_STR(r.e.message, "syntax error at or near \"t\"");
    CHECK_EQ_INT(r.e.position, 8);
    r = perr("SELECT a b c");
    CHECK_EQ_STR(r.e.message, "syntax error at or near \"c\"");
    r = perr("SELECT 1 ## 2");   /* an operator DriftDB does not have (# is xor) */
    CHECK_EQ_STR(r.e.sqlstate, "42883");
    r = perr("SELECT a FROM t WHERE a = 'x' ORDER BY");
    CHECK_EQ_INT(r.e.position, (int)strlen("SELECT a FROM t WHERE a = 'x' ORDER BY") + 1);
}

static char *repeat(const char *a, int n, const char *mid, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), lm = strlen(mid);
    char *s = malloc(la * (size_t)n + lm + lb * (size_t)n + 16);
    char *q = s;
    q += sprintf(q, "SELECT ");
    for (int i = 0; i < n; i++) { memcpy(q, a, la); q += la; }
    memcpy(q, mid, lm);
    q += lm;
    for (int i = 0; i < n; i++) { memcpy(q, b, lb); q += lb; }
    *q = '\0';
    return s;
}

TEST(depth_limit)
{
    Stmt *st;
    size_t next;
    DdError e;
    char *s = repeat("(", 500, "1", ")");
    CHECK_EQ_INT(parse_statement(s, strlen(s), 0, &A, &st, &next, &e), DD_OK);
    free(s);
    const char *deep[][2] = {{"(", ")"}, {"-(", ")"}, {"NOT ", ""}, {"(SELECT ", ")"},
                             {"f(", ")"}, {"CASE WHEN ", " THEN 1 END"}, {"1 IN (", ")"},
                             {"- ", ""}};
    for (size_t k = 0; k < DD_ARRAY_LEN(deep); k++) {
        s = repeat(deep[k][0], 100000, "1", deep[k][1]);
        int rc = parse_statement(s, strlen(s), 0, &A, &st, &next, &e);
        CHECK_EQ_INT(rc, DD_ESTACK_DEPTH);
        CHECK_EQ_STR(e.sqlstate, "54001");
        CHECK_EQ_STR(e.message, "stack depth limit exceeded");
        CHECK_EQ_INT(next, strlen(s));
        free(s);
        arena_reset(&A);
    }
    /* operator chains build a tree as tall as they are long: 1500 terms
     * parse, 200,000 give 54001 (never a recursion as deep as the chain) */
    const char *chains[] = {" + 1", " OR true", " || 'x'", "::int", " * 2"};
    for (size_t k = 0; k < DD_ARRAY_LEN(chains); k++) {
        for (int n = 1500; n <= 200000; n += 198500) {
            size_t cl = strlen(chains[k]);
            char *c = malloc(16 + cl * (size_t)n);
            char *w = c + sprintf(c, "SELECT 1");
            for (int i = 0; i < n; i++) { memcpy(w, chains[k], cl); w += cl; }
            *w = '\0';
            int rc = parse_statement(c, strlen(c), 0, &A, &st, &next, &e);
            if (n == 1500) CHECK_EQ_INT(rc, DD_OK);
            else {
                CHECK_EQ_INT(rc, DD_ESTACK_DEPTH);
                CHECK_EQ_STR(e.sqlstate, "54001");
            }
            free(c);
            arena_reset(&A);
        }
    }
    /* FROM nesting */
    char *f = malloc(300000);
    strcpy(f, "SELECT * FROM ");
    char *q = f + 14;
    for (int i = 0; i < 50000; i++) *q++ = '(';
    q += sprintf(q, "a JOIN b ON true");
    for (int i = 0; i < 50000; i++) *q++ = ')';
    *q = '\0';
    CHECK_EQ_INT(parse_statement(f, strlen(f), 0, &A, &st, &next, &e), DD_ESTACK_DEPTH);
    free(f);
    arena_reset(&A);
}

static u64 rng = 0x9E3779B97F4A7C15ull;
static u64 rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Parses every statement of s; returns false if *next misbehaved. */
static bool parse_all(const char *s, size_t len)
{
    size_t off = 0;
    int guard = 0;
    while (off < len) {
        Stmt *st = NULL;
        size_t next = 0;
        DdError e;
        int rc = parse_statement(s, len, off, &A, &st, &next, &e);
        if (rc == DD_OK && !st && next != len) return false;
        if (rc != DD_OK && (e.code != rc || e.sqlstate[5] != '\0')) return false;
        if (rc != DD_OK && (e.position < 0 || e.position > (int)len + 1)) return false;
        if (rc == DD_OK && st && (st->loc < (int)off || st->end > (int)len || st->end < st->loc))
            return false;
        if (next <= off || next > len) return next == len && off == len;
        off = next;
        if (++guard > 100000) return false;
    }
    return true;
}

/* f(args) WITHIN GROUP (ORDER BY ...) and VARIADIC, the last argument */
TEST(within_group_variadic)
{
    SelectStmt *s = sel("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x DESC) FILTER (WHERE x > 0) FROM t");
    CHECK(s != NULL);
    if (s) {
        Expr *f = s->targets[0]->expr;
        CHECK(f->kind == EXPR_FUNC && f->u.func.within_group);
        CHECK_EQ_INT(f->u.func.n, 1);
        CHECK_EQ_INT(f->u.func.norder, 1);
        CHECK(f->u.func.order[0]->desc);
        CHECK(f->u.func.filter != NULL);
    }
    s = sel("SELECT format('%s', VARIADIC ARRAY['a'])");
    CHECK(s != NULL);
    if (s) CHECK(s->targets[0]->expr->u.func.variadic && s->targets[0]->expr->u.func.n == 2);
    Err e = perr("SELECT percentile_cont(0.5 ORDER BY x) WITHIN GROUP (ORDER BY x) FROM t");
    CHECK_EQ_STR(e.e.sqlstate, "42601");
    CHECK_EQ_STR(e.e.message, "cannot use multiple ORDER BY clauses with WITHIN GROUP");
    e = perr("SELECT concat(VARIADIC ARRAY[1], 'x')");
    CHECK_EQ_STR(e.e.message, "syntax error at or near \",\"");
}

TEST(garbage)
{
    static const char *valid[] = {
        "SELECT a, b AS x, count(*) FROM t FOR SYSTEM_TIME AS OF @SEQ:5 u JOIN v ON u.a = v.a "
        "WHERE a BETWEEN 1 AND 2 AND b LIKE 'x%' GROUP BY a HAVING count(*) > 1 ORDER BY 1 DESC LIMIT 3;",
        "INSERT INTO t (a, b) VALUES (1, E'x\\ny'), (2, $$z$$);",
        "UPDATE t SET a = CASE WHEN b IS NULL THEN 1 ELSE CAST(c AS numeric(5,2)) END WHERE d IN (SELECT 1);",
        "CREATE TABLE IF NOT EXISTS t (id int PRIMARY KEY, n varchar(10) NOT NULL DEFAULT 'x', pk=q, INDEX(n));",
        "SELECT * FROM t FOR SYSTEM_TIME BETWEEN '2024-01-01' AND now() - interval '1 hour' "
        "UNION ALL (SELECT * FROM t FOR SYSTEM_TIME CONTAINED IN (@seq:1, $1)) /* c */ -- d\n;",
        "BEGIN ISOLATION LEVEL SERIALIZABLE; SET drift.system_time = '@SEQ:1'; SHOW ALL; COMMIT;",
        "DELETE FROM t WHERE NOT (a = 1 OR b <> 2) AND c::text ~~* 'q'; DROP TABLE IF EXISTS t, u;",
    };
    const char alphabet[] = "SELECT FROM WHERE ()*,.;'\"$@:-+/<>=!~|^%[]0123456789eE\\\n\t abcxyzSEQ";
    char buf[1024];
    int bad = 0;
    /* every truncation of valid statements */
    for (size_t k = 0; k < DD_ARRAY_LEN(valid); k++) {
        size_t n = strlen(valid[k]);
        CHECK(parse_all(valid[k], n));
        for (size_t cut = 0; cut <= n; cut++) {
            memcpy(buf, valid[k], cut);   /* no NUL: the parser is length-bounded */
            if (!parse_all(buf, cut)) bad++;
            arena_reset(&A);
        }
    }
    CHECK_EQ_INT(bad, 0);
    /* random mutations of valid statements, random tokens, random bytes */
    for (int iter = 0; iter < 30000; iter++) {
        size_t n;
        int mode = (int)(rnd() % 3);
        if (mode == 0) {
            const char *v = valid[rnd() % DD_ARRAY_LEN(valid)];
            n = strlen(v);
            memcpy(buf, v, n);
            for (int m = 0; m < 1 + (int)(rnd() % 4); m++) buf[rnd() % n] = (char)(rnd() & 0xFF);
        } else if (mode == 1) {
            n = rnd() % 200;
            for (size_t i = 0; i < n; i++) buf[i] = alphabet[rnd() % (sizeof alphabet - 1)];
        } else {
            n = rnd() % 200;
            for (size_t i = 0; i < n; i++) buf[i] = (char)(rnd() & 0xFF);
        }
        if (!parse_all(buf, n)) bad++;
        arena_reset(&A);
    }
    CHECK_EQ_INT(bad, 0);
}

int main(void)
{
    arena_init(&A, 0);
    RUN(keyword_table_sorted);
    RUN(lexer_tokens);
    RUN(identifiers);
    RUN(literals);
    RUN(strings);
    RUN(comments);
    RUN(precedence);
    RUN(predicates);
    RUN(case_cast_functions);
    RUN(select_clauses);
    RUN(set_operations);
    RUN(from_items);
    RUN(temporal);
    RUN(insert);
    RUN(update_delete);
    RUN(create_table);
    RUN(temporary);
    RUN(alter_type);
    RUN(drop_table);
    RUN(transactions);
    RUN(set_reset_show);
    RUN(verify_explain);
    RUN(multi_statement);
    RUN(error_positions);
    RUN(depth_limit);
    RUN(within_group_variadic);
    RUN(garbage);
    arena_free(&A);
    return check_summary();
}
