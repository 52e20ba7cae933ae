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

/* ---------------------------------------------------------------- column references in kept texts */

/* The column references in e (as the parser made them: the location of
 * the reference's first token, its qualifier, its name); false when e
 * holds something a rewrite cannot follow (a subquery). */
typedef struct Ref { int loc; const char *qualifier, *name; } Ref;
typedef struct RefList { Ref *v; int n, cap; Arena *a; bool oom; } RefList;

static bool collect_refs(const Expr *e, RefList *r)
{
    if (!e) return true;
    switch (e->kind) {
    case EXPR_COLUMN:
        if (r->n == r->cap) {
            int ncap = r->cap ? r->cap * 2 : 8;
            Ref *nv = arena_alloc(r->a, sizeof(Ref) * (size_t)ncap);
            if (!nv) { r->oom = true; return false; }
            if (r->n) memcpy(nv, r->v, sizeof(Ref) * (size_t)r->n);
            r->v = nv;
            r->cap = ncap;
        }
        r->v[r->n++] = (Ref){e->loc, e->u.col.qualifier, e->u.col.name};
        return true;
    case EXPR_SUBQUERY: case EXPR_EXISTS: case EXPR_STAR: return false;
    case EXPR_UNARY: return collect_refs(e->u.unary.arg, r);
    case EXPR_BINARY: return collect_refs(e->u.bin.l, r) && collect_refs(e->u.bin.r, r);
    case EXPR_CAST: return collect_refs(e->u.cast.arg, r);
    case EXPR_IS: return collect_refs(e->u.is.arg, r) && collect_refs(e->u.is.other, r);
    case EXPR_FUNC:
        if (e->u.func.over || e->u.func.filter || e->u.func.norder || e->u.func.rownames) return false;
        for (int i = 0; i < e->u.func.n; i++)
            if (!collect_refs(e->u.func.args[i], r)) return false;
        return true;
    case EXPR_CASE:
        if (!collect_refs(e->u.case_.operand, r) || !collect_refs(e->u.case_.else_, r)) return false;
        for (int i = 0; i < e->u.case_.n; i++)
            if (!collect_refs(e->u.case_.when[i], r) || !collect_refs(e->u.case_.then[i], r)) return false;
        return true;
    case EXPR_IN:
        if (e->u.in.subquery || !collect_refs(e->u.in.arg, r)) return false;
        for (int i = 0; i < e->u.in.n; i++)
            if (!collect_refs(e->u.in.list[i], r)) return false;
        return true;
    case EXPR_BETWEEN:
        return collect_refs(e->u.between.arg, r) && collect_refs(e->u.between.lo, r) && collect_refs(e->u.between.hi, r);
    case EXPR_LIKE:
        return collect_refs(e->u.like.arg, r) && collect_refs(e->u.like.pattern, r) && collect_refs(e->u.like.escape, r);
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

int sql_rewrite_refs(SqlCtx *ctx, const char *text, const char *table, const char *col, const char *newname,
                     char **out)
{
    *out = NULL;
    Expr *e;
    const char *sql;   /* "SELECT " || text: locations count from its start */
    int rc = sql_parse_expr_text(ctx, text, "a catalog expression", &e, &sql);
    if (rc) return rc;
    RefList r = {NULL, 0, 0, ctx->stmt, false};
    bool followed = collect_refs(e, &r);
    if (r.oom) return DD_ENOMEM;
    if (!followed) return DD_OK;
    int off = (int)(strlen(sql) - strlen(text));
    /* the text's tokens */
    Lexer lx;
    lex_init(&lx, text, strlen(text), 0, ctx->stmt);
    Token *toks = NULL;
    int nt = 0, cap = 0;
    for (;;) {
        Token t;
        DdError le;
        dd_err_clear(&le);
        if (lex_next(&lx, &t, &le) || t.kind == TOK_EOF) break;
        if (nt == cap) {
            int ncap = cap ? cap * 2 : 32;
            Token *nv = arena_alloc(ctx->stmt, sizeof(Token) * (size_t)ncap);
            if (!nv) return DD_ENOMEM;
            if (nt) memcpy(nv, toks, sizeof(Token) * (size_t)nt);
            toks = nv;
            cap = ncap;
        }
        toks[nt++] = t;
    }
    /* per token: 0 kept, 1 dropped (a qualifier and its dot), 2 the
     * renamed column's name */
    u8 *edit = arena_zalloc(ctx->stmt, (size_t)nt + 1);
    if (!edit) return DD_ENOMEM;
    for (int k = 0; k < r.n; k++) {
        const Ref *f = &r.v[k];
        int i = 0;
        while (i < nt && toks[i].start != f->loc - off) i++;
        if (i == nt) return DD_OK;   /* not where the parser saw it: refuse */
        int first = i;
        while (i + 2 < nt && toks[i + 1].kind == TOK_DOT) i += 2;
        /* the table's own name, with or without its schema (the only
         * relation such a text can name) */
        if (f->qualifier && strcmp(name_base(f->qualifier), name_base(table)) != 0) {
            if (col) return DD_OK;   /* another relation's: a rename refuses */
            continue;                /* unqualifying leaves it */
        }
        if (f->qualifier)
            for (int j = first; j < i; j++) edit[j] = 1;
        if (col && strcmp(f->name, col) == 0) edit[i] = 2;
    }
    /* every other word naming the column must be none of its references
     * (a type, a function): the rename cannot tell, so it refuses */
    for (int i = 0; col && i < nt; i++)
        if (!edit[i] && (toks[i].kind == TOK_IDENT || toks[i].kind == TOK_QIDENT) && toks[i].str &&
            strcmp(toks[i].str, col) == 0)
            return DD_OK;
    Buf b = BUF_INIT;
    size_t copied = 0;
    for (int i = 0; i < nt; i++) {
        if (!edit[i]) continue;
        buf_append(&b, text + copied, (size_t)toks[i].start - copied);
        if (edit[i] == 2) put_name(&b, newname);
        /* a dropped qualifier goes with its dot and what lies between */
        copied = edit[i] == 1 && i + 1 < nt ? (size_t)toks[i + 1].end : (size_t)toks[i].end;
        if (edit[i] == 1) i++;
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
