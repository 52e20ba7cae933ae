/*
 * indexkey.c - the entries a row has in an index: the key encoding of the
 * indexed columns and expressions (expressions compiled over the table's
 * columns once per statement and evaluated over the row), cut to
 * ROW_INDEX_PREFIX bytes for the stored entry.
 *
 * A partial index (IndexInfo.pred_sql) covers the rows for which its
 * predicate is true: for any other row the key is empty (an index of one
 * column or more never has an empty key) and has_null is set, so that
 * uniqueness and ON CONFLICT skip it as they skip NULLs, and the writers
 * of entries (the commit, index builds, VERIFY) give it none.
 */
#include "executor.h"
#include "../types/rowcodec.h"
#include "../../store/keyenc.h"
#include "../parse/lexer.h"
#include <string.h>

/* Compiled and parsed index expressions of this statement, by index
 * version (IndexInfo pointer) and column. */
typedef struct IndexExprs {
    const IndexInfo *ix;
    int k;
    ExprProg *prog;          /* over the table's columns, slot = column index */
    Expr *ast;               /* for matching conjuncts */
    struct IndexExprs *next;
} IndexExprs;

int sql_parse_expr_text(SqlCtx *ctx, const char *text, const char *what, Expr **out, const char **sql)
{
    char *s = arena_printf(ctx->stmt, "SELECT %s", text);
    if (!s) return DD_ENOMEM;
    Stmt *st;
    size_t next;
    int rc = parse_statement(s, strlen(s), 0, ctx->stmt, &st, &next, ctx->err);
    if (!rc && (!st || st->kind != STMT_SELECT || st->u.select->ntargets != 1))
        rc = dd_corrupt(ctx->err, "%s is not an expression: %s", what, text);
    if (rc) {
        ctx->err->position = 0;   /* the text is the catalog's, not the statement's */
        return rc;
    }
    *out = st->u.select->targets[0]->expr;
    if (sql) *sql = s;
    return DD_OK;
}

int sql_index_expr(SqlCtx *ctx, const TableInfo *t, const IndexInfo *ix, int k, ExprProg **prog, Expr **ast)
{
    for (IndexExprs *e = ctx->ixexprs; e; e = e->next)
        if (e->ix == ix && e->k == k) {
            *prog = e->prog;
            *ast = e->ast;
            return DD_OK;
        }
    Expr *e;
    const char *sql;
    int rc = k < 0 ? sql_parse_expr_text(ctx, ix->pred_sql, "the predicate of index", &e, &sql)
                   : sql_parse_expr_text(ctx, ix->exprs[k], "an expression of index", &e, &sql);
    if (rc) return rc;
    ScopeRel rel;
    if ((rc = scope_rel_for_table(ctx, t, t->name, &rel))) return rc;
    Scope sc = {&rel, 1, rel.ncols, NULL, NULL, NULL, NULL, NULL, 0, 0};
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = ctx;
    cc.scope = &sc;
    cc.agg_forbidden = "index expressions";
    ExprProg *p;
    const char *saved_sql = ctx->sql;
    ctx->sql = sql;   /* error positions within the expression */
    rc = k < 0 ? expr_compile_as(&cc, e, TYPE_BOOL, -1, &p) : expr_compile(&cc, e, &p);
    ctx->sql = saved_sql;
    if (rc) return rc;
    IndexExprs *n = arena_alloc(ctx->stmt, sizeof(IndexExprs));
    if (!n) return DD_ENOMEM;
    *n = (IndexExprs){ix, k, p, e, ctx->ixexprs};
    ctx->ixexprs = n;
    *prog = p;
    *ast = e;
    return DD_OK;
}

static bool ast_names_column(const Expr *e, const char *col)
{
    if (!e) return false;
    switch (e->kind) {
    case EXPR_COLUMN: return strcmp(e->u.col.name, col) == 0;
    case EXPR_UNARY: return ast_names_column(e->u.unary.arg, col);
    case EXPR_BINARY: return ast_names_column(e->u.bin.l, col) || ast_names_column(e->u.bin.r, col);
    case EXPR_CAST: return ast_names_column(e->u.cast.arg, col);
    case EXPR_IS: return ast_names_column(e->u.is.arg, col) || ast_names_column(e->u.is.other, col);
    case EXPR_FUNC:
        for (int i = 0; i < e->u.func.n; i++) if (ast_names_column(e->u.func.args[i], col)) return true;
        return false;
    case EXPR_CASE:
        if (ast_names_column(e->u.case_.operand, col) || ast_names_column(e->u.case_.else_, col)) return true;
        for (int i = 0; i < e->u.case_.n; i++)
            if (ast_names_column(e->u.case_.when[i], col) || ast_names_column(e->u.case_.then[i], col)) return true;
        return false;
    case EXPR_IN:
        if (ast_names_column(e->u.in.arg, col)) return true;
        for (int i = 0; i < e->u.in.n; i++) if (ast_names_column(e->u.in.list[i], col)) return true;
        return false;
    case EXPR_BETWEEN:
        return ast_names_column(e->u.between.arg, col) || ast_names_column(e->u.between.lo, col) ||
               ast_names_column(e->u.between.hi, col);
    case EXPR_LIKE:
        return ast_names_column(e->u.like.arg, col) || ast_names_column(e->u.like.pattern, col) ||
               (e->u.like.escape && ast_names_column(e->u.like.escape, col));
    default: return false;
    }
}

int sql_text_uses_column(SqlCtx *ctx, const char *text, const char *col, bool *uses)
{
    Expr *e;
    int rc = sql_parse_expr_text(ctx, text, "a catalog expression", &e, NULL);
    if (!rc) *uses = ast_names_column(e, col);
    return rc;
}

int sql_index_uses_column(SqlCtx *ctx, const IndexInfo *ix, const char *col, bool *uses)
{
    *uses = false;
    if (ix->pred_sql) {
        int rc = sql_text_uses_column(ctx, ix->pred_sql, col, uses);
        if (rc || *uses) return rc;
    }
    for (int k = 0; ix->exprs && k < ix->ncols && !*uses; k++) {
        if (!ix->exprs[k]) continue;
        int rc = sql_text_uses_column(ctx, ix->exprs[k], col, uses);
        if (rc) return rc;
    }
    return DD_OK;
}

int sql_index_covers(SqlCtx *ctx, const TableInfo *t, const IndexInfo *ix, const Value *vals, bool *in)
{
    *in = true;
    if (!ix->pred_sql) return DD_OK;
    ExprProg *p;
    Expr *ast;
    int rc = sql_index_expr(ctx, t, ix, -1, &p, &ast);
    if (rc) return rc;
    EvalEnv env = {ctx, NULL, 0, NULL};
    Value v;
    ArenaMark m = arena_mark(ctx->row);
    rc = expr_eval(p, &env, vals, &v);
    arena_rewind(ctx->row, m);
    if (!rc) *in = !v.isnull && v.v.b;
    return rc;
}

int sql_index_key_full(SqlCtx *ctx, const TableInfo *t, const IndexInfo *ix, const Value *vals, Buf *out,
                       bool *has_null)
{
    *has_null = false;
    buf_reset(out);
    if (ix->pred_sql) {
        bool in;
        int rc = sql_index_covers(ctx, t, ix, vals, &in);
        if (rc) return rc;
        if (!in) {
            *has_null = true;
            return DD_OK;
        }
    }
    for (int k = 0; k < ix->ncols; k++) {
        if (ix->exprs && ix->exprs[k]) {
            ExprProg *p;
            Expr *ast;
            int rc = sql_index_expr(ctx, t, ix, k, &p, &ast);
            if (rc) return rc;
            EvalEnv env = {ctx, NULL, 0, NULL};
            Value v;
            ArenaMark m = arena_mark(ctx->row);
            rc = expr_eval(p, &env, vals, &v);
            if (rc) return rc;
            if (v.isnull) *has_null = true;
            key_encode_value(&v, out);
            arena_rewind(ctx->row, m);
            continue;
        }
        int ci = table_col_index(t, ix->cols[k]);
        if (ci < 0 || vals[ci].isnull) *has_null = true;
        if (ci < 0) key_put_null(out);
        else key_encode_value(&vals[ci], out);
    }
    return buf_ok(out) ? DD_OK : DD_ENOMEM;
}

int sql_index_key(SqlCtx *ctx, const TableInfo *t, const IndexInfo *ix, const Value *vals, Buf *out, bool *has_null)
{
    int rc = sql_index_key_full(ctx, t, ix, vals, out, has_null);
    /* long values: index a prefix; lookups truncate the same way and the
     * rows found are checked against the full condition */
    if (!rc && out->len > ROW_INDEX_PREFIX) out->len = ROW_INDEX_PREFIX;
    return rc;
}

/* ---------------------------------------------------------------- RENAME COLUMN in kept texts */

/* The column references to `col` in e (unqualified, or qualified by the
 * table's name): their locations; false when e holds something the
 * rename cannot follow (a subquery). */
typedef struct RefLocs { int *v; int n, cap; Arena *a; bool oom; } RefLocs;

static bool collect_refs(const Expr *e, const char *table, const char *col, RefLocs *r)
{
    if (!e) return true;
    switch (e->kind) {
    case EXPR_COLUMN: {
        const char *q = e->u.col.qualifier;
        if (strcmp(e->u.col.name, col) != 0 || (q && strcmp(q, table) != 0)) return true;
        if (r->n == r->cap) {
            int ncap = r->cap ? r->cap * 2 : 8;
            int *nv = arena_alloc(r->a, sizeof(int) * (size_t)ncap);
            if (!nv) { r->oom = true; return false; }
            if (r->n) memcpy(nv, r->v, sizeof(int) * (size_t)r->n);
            r->v = nv;
            r->cap = ncap;
        }
        r->v[r->n++] = e->loc;
        return true;
    }
    case EXPR_SUBQUERY: case EXPR_EXISTS: case EXPR_STAR: return false;
    case EXPR_UNARY: return collect_refs(e->u.unary.arg, table, col, r);
    case EXPR_BINARY: return collect_refs(e->u.bin.l, table, col, r) && collect_refs(e->u.bin.r, table, col, r);
    case EXPR_CAST: return collect_refs(e->u.cast.arg, table, col, r);
    case EXPR_IS: return collect_refs(e->u.is.arg, table, col, r) && collect_refs(e->u.is.other, table, col, r);
    case EXPR_FUNC:
        if (e->u.func.over || e->u.func.filter || e->u.func.norder || e->u.func.rownames) return false;
        for (int i = 0; i < e->u.func.n; i++)
            if (!collect_refs(e->u.func.args[i], table, col, r)) return false;
        return true;
    case EXPR_CASE:
        if (!collect_refs(e->u.case_.operand, table, col, r) || !collect_refs(e->u.case_.else_, table, col, r)) return false;
        for (int i = 0; i < e->u.case_.n; i++)
            if (!collect_refs(e->u.case_.when[i], table, col, r) || !collect_refs(e->u.case_.then[i], table, col, r))
                return false;
        return true;
    case EXPR_IN:
        if (e->u.in.subquery || !collect_refs(e->u.in.arg, table, col, r)) return false;
        for (int i = 0; i < e->u.in.n; i++)
            if (!collect_refs(e->u.in.list[i], table, col, r)) return false;
        return true;
    case EXPR_BETWEEN:
        return collect_refs(e->u.between.arg, table, col, r) && collect_refs(e->u.between.lo, table, col, r) &&
               collect_refs(e->u.between.hi, table, col, r);
    case EXPR_LIKE:
        return collect_refs(e->u.like.arg, table, col, r) && collect_refs(e->u.like.pattern, table, col, r) &&
               collect_refs(e->u.like.escape, table, col, r);
    default: return true;   /* constants, parameters, @SEQ */
    }
}

/* name as an identifier in SQL text: bare when it reads back as itself */
static void put_name(Buf *b, const char *name)
{
    size_t n = strlen(name);
    bool bare = n > 0 && ((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_') && lex_keyword(name, n) == KW_NONE;
    for (size_t i = 0; i < n && bare; i++)
        bare = (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') || name[i] == '_' || name[i] == '$';
    if (bare) { buf_append(b, name, n); return; }
    buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (name[i] == '"') buf_putc(b, '"');
        buf_putc(b, (u8)name[i]);
    }
    buf_putc(b, '"');
}

int sql_rename_in_text(SqlCtx *ctx, const char *text, const char *table, const char *col, const char *newname,
                       char **out)
{
    *out = NULL;
    Expr *e;
    const char *sql;   /* "SELECT " || text: locations count from its start */
    int rc = sql_parse_expr_text(ctx, text, "a catalog expression", &e, &sql);
    if (rc) return rc;
    RefLocs r = {NULL, 0, 0, ctx->stmt, false};
    bool followed = collect_refs(e, table, col, &r);
    if (r.oom) return DD_ENOMEM;
    if (!followed) return DD_OK;
    int off = (int)(strlen(sql) - strlen(text));
    /* the tokens of the text: each one naming `col` must be a reference
     * found above (its name token), else the rename is refused */
    Lexer lx;
    lex_init(&lx, text, strlen(text), 0, ctx->stmt);
    Buf b = BUF_INIT;
    Token prev[3];
    int nprev = 0;
    size_t copied = 0;
    for (;;) {
        Token t;
        DdError le;
        dd_err_clear(&le);
        if (lex_next(&lx, &t, &le) || t.kind == TOK_EOF) break;
        if ((t.kind == TOK_IDENT || t.kind == TOK_QIDENT) && t.str && strcmp(t.str, col) == 0) {
            /* the reference starts here (unqualified) or at its qualifier
             * two tokens back (table.col) */
            bool ours = false;
            for (int i = 0; i < r.n && !ours; i++) {
                int at = r.v[i] - off;
                ours = at == t.start ||
                       (nprev >= 2 && prev[nprev - 1].kind == TOK_DOT && prev[nprev - 2].start == at);
            }
            if (!ours) {
                buf_free(&b);
                return DD_OK;
            }
            buf_append(&b, text + copied, (size_t)t.start - copied);
            put_name(&b, newname);
            copied = (size_t)t.end;
        }
        if (nprev == 3) { prev[0] = prev[1]; prev[1] = prev[2]; nprev = 2; }
        prev[nprev++] = t;
    }
    buf_puts(&b, text + copied);
    if (!buf_ok(&b) || !buf_cstr(&b)) {
        buf_free(&b);
        return DD_ENOMEM;
    }
    *out = arena_strdup(ctx->stmt, buf_cstr(&b));
    buf_free(&b);
    return *out ? DD_OK : DD_ENOMEM;
}
