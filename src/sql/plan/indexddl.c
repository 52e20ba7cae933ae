/*
 * indexddl.c - CREATE INDEX and DROP INDEX, the index entries a commit
 * writes for them, and unique checks of the rows a statement writes.
 *
 * An index is part of its table's catalog version (TableInfo.indexes), so
 * CREATE and DROP INDEX make a new version of the table: the index exists
 * from that commit's seq on, and AS OF an earlier point it does not.
 *
 * Building (sql_index_builds, at commit): for an index that the commit's
 * table version has and the snapshot's has not, one present entry per live
 * row of the snapshot, and one history entry per distinct (values, pk)
 * among all the table's versions, so the index answers AS OF any point
 * (format.h, "index").  Rows the transaction itself wrote get their entries
 * from the ordinary per-row maintenance.  A row committed by someone else
 * after the snapshot makes the commit fail (40001, the writer's schema
 * check), so the build from the snapshot misses nothing.  DROP INDEX
 * removes the present entries and keeps the history ones: AS OF a point
 * before the drop, the table version still has the index and reads them.
 *
 * Unique indexes: NULLs are distinct (several rows may have NULL).  The
 * rows a statement writes are checked against the snapshot's entries and
 * the transaction's other rows (23505, sql_check_unique); the writer checks
 * again at commit against rows committed meanwhile.
 */
#include "plan.h"
#include "../types/rowcodec.h"
#include "../../store/keyenc.h"
#include "../../util/alloc.h"
#include <string.h>

/* ---------------------------------------------------------------- names */

/* The present index called name (snapshot + write set), or NULL. */
static const IndexInfo *index_by_name(SqlCtx *ctx, const char *name, const TableInfo **table)
{
    const TableInfo **ts;
    int n;
    DdError e;
    dd_err_clear(&e);
    if (store_tables_at(ctx->snap, snap_seq(ctx->snap), ctx->stmt, &ts, &n, &e)) n = 0;
    for (int pass = 0; pass < 2; pass++) {
        int m = pass == 0 ? n : (ctx->ws ? ctx->ws->ntables : 0);
        for (int i = 0; i < m; i++) {
            const TableInfo *t = pass == 0 ? ts[i] : ctx->ws->tables[i];
            const TableInfo *o = pass == 0 && ctx->ws ? ws_table(ctx->ws, t->id) : NULL;
            if (o) continue;            /* the write set's version is checked in pass 1 */
            if (t->dropped) continue;
            for (int x = 0; x < t->nindexes; x++)
                if (t->indexes[x].name && strcmp(t->indexes[x].name, name) == 0) {
                    *table = t;
                    return &t->indexes[x];
                }
        }
    }
    return NULL;
}

static bool relation_exists(SqlCtx *ctx, const char *name)
{
    const TableInfo *t;
    return resolve_table_present(ctx, name) || index_by_name(ctx, name, &t) || strcmp(name, "drift_commits") == 0;
}

/* PostgreSQL's choice: table_col1_col2_idx, then ...idx1, idx2, ... when
 * taken; cut to 63 bytes. */
static char *choose_name(SqlCtx *ctx, const TableInfo *t, CreateIndexStmt *s)
{
    Buf b = BUF_INIT;
    buf_puts(&b, t->name);
    for (int i = 0; i < s->nelems; i++) {
        const IndexElem *e = s->elems[i];
        buf_printf(&b, "_%s", e->col ? e->col : e->expr && e->expr->kind == EXPR_FUNC ? e->expr->u.func.name : "expr");
    }
    if (!buf_ok(&b)) return NULL;
    size_t base = b.len > 59 ? 59 : b.len;
    char *out = NULL;
    for (int k = 0; k < 1000 && !out; k++) {
        b.len = base;
        if (k) buf_printf(&b, "_idx%d", k);
        else buf_puts(&b, "_idx");
        if (!buf_ok(&b)) break;
        char *c = arena_strndup(ctx->stmt, (const char *)b.data, b.len);
        if (c && !relation_exists(ctx, c)) out = c;
        if (!c) break;
    }
    buf_free(&b);
    return out;
}

/* ---------------------------------------------------------------- CREATE / DROP */

/* Whether e (an index expression) calls a volatile function or holds a
 * subquery; *what names the problem. */
static bool expr_unfit(const Expr *e, const char **what, int *loc)
{
    if (!e) return false;
    switch (e->kind) {
    case EXPR_SUBQUERY: case EXPR_EXISTS:
        *what = "subquery";
        *loc = e->loc;
        return true;
    case EXPR_FUNC: {
        const FuncDef *fd = func_lookup(e->u.func.name);
        if (fd && fd->volatile_) {
            *what = "volatile";
            *loc = e->loc;
            return true;
        }
        for (int i = 0; i < e->u.func.n; i++) if (expr_unfit(e->u.func.args[i], what, loc)) return true;
        return false;
    }
    case EXPR_UNARY: return expr_unfit(e->u.unary.arg, what, loc);
    case EXPR_BINARY: return expr_unfit(e->u.bin.l, what, loc) || expr_unfit(e->u.bin.r, what, loc);
    case EXPR_CAST: return expr_unfit(e->u.cast.arg, what, loc);
    case EXPR_IS: return expr_unfit(e->u.is.arg, what, loc) || expr_unfit(e->u.is.other, what, loc);
    case EXPR_CASE:
        if (expr_unfit(e->u.case_.operand, what, loc) || expr_unfit(e->u.case_.else_, what, loc)) return true;
        for (int i = 0; i < e->u.case_.n; i++)
            if (expr_unfit(e->u.case_.when[i], what, loc) || expr_unfit(e->u.case_.then[i], what, loc)) return true;
        return false;
    case EXPR_IN:
        if (e->u.in.subquery) { *what = "subquery"; *loc = e->loc; return true; }
        if (expr_unfit(e->u.in.arg, what, loc)) return true;
        for (int i = 0; i < e->u.in.n; i++) if (expr_unfit(e->u.in.list[i], what, loc)) return true;
        return false;
    default: return false;
    }
}

/* Index column k of ix is the expression of e: checked over t's columns
 * (no history column, no subquery, no volatile function, no aggregate)
 * and kept as SQL text. */
static int index_expression(SqlCtx *ctx, TableInfo *t, IndexInfo *ix, int k, IndexElem *e)
{
    const char *what = NULL;
    int loc = e->loc;
    if (expr_unfit(e->expr, &what, &loc)) {
        if (!strcmp(what, "subquery"))
            return dd_err(ctx->err, DD_EFEATURE, loc, "cannot use subquery in index expression");
        return dd_err(ctx->err, DD_EINVALID_OBJECT_DEF, loc, "functions in index expression must be marked IMMUTABLE");
    }
    ScopeRel rel;
    int rc = scope_rel_for_table(ctx, t, t->name, &rel);
    if (rc) return rc;
    Scope sc = {&rel, 1, rel.ncols, NULL, NULL, NULL, NULL};
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = ctx;
    cc.scope = &sc;
    cc.agg_forbidden = "index expressions";
    ExprProg *p;
    if ((rc = expr_compile(&cc, e->expr, &p))) return rc;
    for (int h = 0; h < HIST_COLS; h++)
        if (rel.used[t->ncols + h])
            return dd_err(ctx->err, DD_EFEATURE, e->loc, "history column \"%s\" cannot be indexed", hist_col_names[h]);
    if (!ix->exprs && !(ix->exprs = arena_zalloc(ctx->stmt, sizeof(char *) * (size_t)ix->ncols))) return DD_ENOMEM;
    ix->exprs[k] = arena_strndup(ctx->stmt, ctx->sql + e->start, (size_t)(e->end - e->start));
    if (!ix->exprs[k]) return DD_ENOMEM;
    if (strlen(ix->exprs[k]) > 2000)
        return dd_err(ctx->err, DD_EPROGRAM_LIMIT, e->loc, "index expression too long (at most 2000 bytes)");
    ix->cols[k] = 0;
    return DD_OK;
}

int analyze_create_index(SqlCtx *ctx, CreateIndexStmt *s, Plan *p)
{
    if (ctx->read_only) return dd_err(ctx->err, DD_EREAD_ONLY_TXN, -1, "cannot execute CREATE INDEX in a read-only transaction");
    p->kind = PLAN_ALTER_TABLE;
    p->tag = "CREATE INDEX";
    const TableInfo *t0 = resolve_table_present(ctx, s->table);
    if (!t0) return dd_err(ctx->err, DD_EUNDEFINED_TABLE, s->table_loc, "relation \"%s\" does not exist", s->table);
    if (s->name && relation_exists(ctx, s->name)) {
        if (s->if_not_exists) {
            p->notice = arena_printf(ctx->stmt, "relation \"%s\" already exists, skipping", s->name);
            p->notice_state = "42P07";
            return DD_OK;
        }
        return dd_err(ctx->err, DD_EDUPLICATE_TABLE, -1, "relation \"%s\" already exists", s->name);
    }
    TableInfo *t = table_copy(ctx->stmt, t0);
    IndexInfo *nix = t ? arena_zalloc(ctx->stmt, sizeof(IndexInfo) * (size_t)(t->nindexes + 1)) : NULL;
    if (!nix) return DD_ENOMEM;
    if (t->nindexes) memcpy(nix, t->indexes, sizeof(IndexInfo) * (size_t)t->nindexes);
    t->indexes = nix;
    IndexInfo *ix = &t->indexes[t->nindexes];
    ix->ncols = s->nelems;
    ix->cols = arena_zalloc(ctx->stmt, sizeof(u32) * (size_t)(s->nelems + 1));
    ix->colflags = arena_zalloc(ctx->stmt, (size_t)s->nelems + 1);
    if (!ix->cols || !ix->colflags) return DD_ENOMEM;
    int rc;
    for (int i = 0; i < s->nelems; i++) {
        IndexElem *e = s->elems[i];
        if (!e->col) {
            if ((rc = index_expression(ctx, t, ix, i, e))) return rc;
            ix->colflags[i] = (u8)((e->desc ? INDEX_DESC : 0) |
                                   ((e->nulls == 1 || (e->nulls == 0 && e->desc)) ? INDEX_NULLS_FIRST : 0));
            continue;
        }
        int ci = -1;
        for (int c = 0; c < t->ncols && ci < 0; c++)
            if (!t->cols[c].dropped && !t->cols[c].pending && strcmp(t->cols[c].name, e->col) == 0 &&
                strcmp(e->col, ROWID_COL) != 0)
                ci = c;
        if (ci < 0) {
            for (int h = 0; h < HIST_COLS; h++)
                if (strcmp(e->col, hist_col_names[h]) == 0)
                    return dd_err(ctx->err, DD_EFEATURE, e->loc, "history column \"%s\" cannot be indexed", e->col);
            return dd_err(ctx->err, DD_EUNDEFINED_COLUMN, e->loc, "column \"%s\" does not exist", e->col);
        }
        ix->cols[i] = t->cols[ci].id;
        ix->colflags[i] = (u8)((e->desc ? INDEX_DESC : 0) |
                               ((e->nulls == 1 || (e->nulls == 0 && e->desc)) ? INDEX_NULLS_FIRST : 0));
    }
    ix->name = s->name ? arena_strdup(ctx->stmt, s->name) : choose_name(ctx, t, s);
    if (!ix->name) return DD_ENOMEM;
    ix->id = store_new_index_id(ctx->store);
    ix->unique = s->unique;
    ix->ever = true;
    t->nindexes++;
    p->alter = arena_alloc(ctx->stmt, sizeof(TableInfo *));
    if (!p->alter) return DD_ENOMEM;
    p->alter[0] = t;
    p->nalter = 1;
    return DD_OK;
}

int analyze_drop_index(SqlCtx *ctx, DropTableStmt *s, Plan *p)
{
    if (ctx->read_only) return dd_err(ctx->err, DD_EREAD_ONLY_TXN, -1, "cannot execute DROP INDEX in a read-only transaction");
    p->kind = PLAN_ALTER_TABLE;
    p->tag = "DROP INDEX";
    p->alter = arena_zalloc(ctx->stmt, sizeof(TableInfo *) * (size_t)(s->n + 1));
    if (!p->alter) return DD_ENOMEM;
    for (int i = 0; i < s->n; i++) {
        const TableInfo *t0 = NULL;
        const IndexInfo *ix = index_by_name(ctx, s->names[i], &t0);
        /* a table version made by an earlier name of this statement */
        TableInfo *t = NULL;
        for (int j = 0; j < p->nalter && !ix; j++)
            for (int x = 0; x < p->alter[j]->nindexes && !ix; x++)
                if (strcmp(p->alter[j]->indexes[x].name, s->names[i]) == 0) { t = p->alter[j]; ix = &t->indexes[x]; }
        if (!ix) {
            if (resolve_table_present(ctx, s->names[i]))
                return dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, s->locs[i], "\"%s\" is not an index", s->names[i]);
            if (s->if_exists) {
                p->notice = arena_printf(ctx->stmt, "index \"%s\" does not exist, skipping", s->names[i]);
                p->notice_state = "00000";
                continue;
            }
            return dd_err(ctx->err, DD_EUNDEFINED_OBJECT, s->locs[i], "index \"%s\" does not exist", s->names[i]);
        }
        if (!t) {
            for (int j = 0; j < p->nalter && !t; j++) if (p->alter[j]->id == t0->id) t = p->alter[j];
            if (!t) {
                if (!(t = table_copy(ctx->stmt, t0))) return DD_ENOMEM;
                p->alter[p->nalter++] = t;
            }
        }
        int k = 0;
        for (int x = 0; x < t->nindexes; x++)
            if (strcmp(t->indexes[x].name, s->names[i]) != 0) t->indexes[k++] = t->indexes[x];
        t->nindexes = k;
    }
    return DD_OK;
}

/* ---------------------------------------------------------------- keys */

/* Compiled and parsed index expressions of this statement, by index
 * version (IndexInfo pointer) and column. */
typedef struct IndexExprs {
    const IndexInfo *ix;
    int k;
    ExprProg *prog;          /* over the table's columns, slot = column index */
    Expr *ast;               /* for matching conjuncts */
    struct IndexExprs *next;
} IndexExprs;

int sql_index_expr(SqlCtx *ctx, const TableInfo *t, const IndexInfo *ix, int k, ExprProg **prog, Expr **ast)
{
    for (IndexExprs *e = ctx->ixexprs; e; e = e->next)
        if (e->ix == ix && e->k == k) {
            *prog = e->prog;
            *ast = e->ast;
            return DD_OK;
        }
    const char *text = ix->exprs[k];
    char *sql = arena_printf(ctx->stmt, "SELECT %s", text);
    if (!sql) return DD_ENOMEM;
    Stmt *st;
    size_t next;
    int rc = parse_statement(sql, strlen(sql), 0, ctx->stmt, &st, &next, ctx->err);
    if (rc) return rc;
    if (!st || st->kind != STMT_SELECT || st->u.select->ntargets != 1)
        return dd_corrupt(ctx->err, "index \"%s\": expression \"%s\" does not parse", ix->name, text);
    Expr *e = st->u.select->targets[0]->expr;
    ScopeRel rel;
    if ((rc = scope_rel_for_table(ctx, t, t->name, &rel))) return rc;
    Scope sc = {&rel, 1, rel.ncols, NULL, NULL, NULL, NULL};
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = ctx;
    cc.scope = &sc;
    cc.agg_forbidden = "index expressions";
    ExprProg *p;
    const char *saved_sql = ctx->sql;
    ctx->sql = sql;   /* error positions within the expression */
    rc = expr_compile(&cc, e, &p);
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
    case EXPR_LIKE: return ast_names_column(e->u.like.arg, col) || ast_names_column(e->u.like.pattern, col);
    default: return false;
    }
}

int sql_index_uses_column(SqlCtx *ctx, const IndexInfo *ix, const char *col, bool *uses)
{
    *uses = false;
    for (int k = 0; ix->exprs && k < ix->ncols && !*uses; k++) {
        if (!ix->exprs[k]) continue;
        char *sql = arena_printf(ctx->stmt, "SELECT %s", ix->exprs[k]);
        if (!sql) return DD_ENOMEM;
        Stmt *st;
        size_t next;
        int rc = parse_statement(sql, strlen(sql), 0, ctx->stmt, &st, &next, ctx->err);
        if (rc) return rc;
        if (st && st->kind == STMT_SELECT && st->u.select->ntargets == 1)
            *uses = ast_names_column(st->u.select->targets[0]->expr, col);
    }
    return DD_OK;
}

int sql_index_key(SqlCtx *ctx, const TableInfo *t, const IndexInfo *ix, const Value *vals, Buf *out, bool *has_null)
{
    *has_null = false;
    buf_reset(out);
    for (int k = 0; k < ix->ncols; k++) {
        if (ix->exprs && ix->exprs[k]) {
            ExprProg *p;
            Expr *ast;
            int rc = sql_index_expr(ctx, t, ix, k, &p, &ast);
            if (rc) return rc;
            EvalEnv env = {ctx, NULL, 0};
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
    /* long values: index a prefix; lookups truncate the same way and the
     * rows found are checked against the full condition */
    if (out->len > ROW_INDEX_PREFIX) out->len = ROW_INDEX_PREFIX;
    return buf_ok(out) ? DD_OK : DD_ENOMEM;
}

/* ---------------------------------------------------------------- builds at commit */

static int push_iop(SqlCtx *ctx, WriteSet *out, int *cap, IndexOp op)
{
    if (out->niops == *cap) {
        int ncap = *cap ? *cap * 2 : 64;
        IndexOp *ni = arena_alloc(ctx->stmt, sizeof(IndexOp) * (size_t)ncap);
        if (!ni) return DD_ENOMEM;
        if (out->niops) memcpy(ni, out->iops, sizeof(IndexOp) * (size_t)out->niops);
        out->iops = ni;
        *cap = ncap;
    }
    out->iops[out->niops++] = op;
    return DD_OK;
}

static bool has_index(const TableInfo *t, u32 id)
{
    for (int i = 0; t && i < t->nindexes; i++) if (t->indexes[i].id == id) return true;
    return false;
}

/* Entries of a new index ix of table t (the commit's version) for the rows
 * of the snapshot: present entries for live rows the transaction did not
 * write, history entries for every version. */
static int build_index(SqlCtx *ctx, TxnWrites *ws, const TableInfo *t, const IndexInfo *ix, WriteSet *out, int *cap)
{
    Value *vals = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(t->ncols + 1));
    if (!vals) return DD_ENOMEM;
    Buf key = BUF_INIT;
    int rc = DD_OK;
    for (int pass = 0; pass < 2 && !rc; pass++) {
        TScan *sc;
        rc = tscan_open(ctx->snap, t->id, pass == 0 ? TMODE_PRESENT : TMODE_ALL, 0, 0, NULL, 0, NULL, 0, &sc, ctx->err);
        if (rc) break;
        const u8 *lastpk = NULL;
        u32 lastpklen = 0;
        Buf lastkey = BUF_INIT;
        for (;;) {
            Version v;
            int r = tscan_next(sc, &v, ctx->err);
            if (r < 0) { rc = -r; break; }
            if (r == 0) break;
            if (!v.rec) continue;
            if (pass == 0) {
                WsRow *w = ws ? ws_find(ws, t->id, v.pk, v.pklen) : NULL;
                if (w) continue;   /* its entries come with the write set's row */
            }
            if ((rc = row_decode(t, v.rec, v.reclen, vals, ctx->err))) break;
            bool has_null;
            if ((rc = sql_index_key(ctx, t, ix, vals, &key, &has_null))) break;
            /* versions of one key come together: skip repeats of its values */
            if (pass == 1 && lastpk && lastpklen == v.pklen && memcmp(lastpk, v.pk, v.pklen) == 0 &&
                lastkey.len == key.len && memcmp(lastkey.data, key.data, key.len) == 0)
                continue;
            IndexOp op = {.add = true, .ever_only = pass == 1, .unique = ix->unique && !has_null && pass == 0,
                          .index = ix->id, .table = t->id, .name = ix->name};
            op.key = arena_memdup(ctx->stmt, key.data, key.len ? key.len : 1);
            op.keylen = (u32)key.len;
            op.pk = arena_memdup(ctx->stmt, v.pk, v.pklen);
            op.pklen = v.pklen;
            if (!op.key || !op.pk) { rc = DD_ENOMEM; break; }
            if ((rc = push_iop(ctx, out, cap, op))) break;
            lastpk = op.pk;
            lastpklen = op.pklen;
            buf_reset(&lastkey);
            buf_append(&lastkey, key.data, key.len);
        }
        buf_free(&lastkey);
        tscan_close(sc);
    }
    buf_free(&key);
    return rc;
}

/* A unique index built over existing rows: 23505 when two live rows have
 * the same non-NULL values (nothing is created). */
static u64 bytes_hash(const u8 *p, u32 n)
{
    u64 h = 1469598103934665603ULL;
    for (u32 i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

/* A unique index built over existing rows: 23505 when two live rows have
 * the same non-NULL values (nothing is created). */
static int check_build_unique(SqlCtx *ctx, const TableInfo *t, const IndexInfo *ix, WriteSet *out, int from)
{
    size_t cap = 64;
    while (cap < (size_t)(out->niops - from) * 2) cap *= 2;
    int *slot = dd_malloc(sizeof(int) * cap);
    if (!slot) return DD_ENOMEM;
    for (size_t i = 0; i < cap; i++) slot[i] = -1;
    int dup = -1;
    for (int i = from; i < out->niops && dup < 0; i++) {
        IndexOp *a = &out->iops[i];
        if (!a->unique || a->index != ix->id) continue;
        size_t j = bytes_hash(a->key, a->keylen) & (cap - 1);
        while (slot[j] >= 0) {
            IndexOp *b = &out->iops[slot[j]];
            if (a->keylen == b->keylen && memcmp(a->key, b->key, a->keylen) == 0) { dup = i; break; }
            j = (j + 1) & (cap - 1);
        }
        if (dup < 0) slot[j] = i;
    }
    dd_free(slot);
    if (dup < 0) return DD_OK;
    IndexOp *a = &out->iops[dup];
    Buf vals = BUF_INIT, cols = BUF_INIT;
    int rc = dd_err(ctx->err, DD_EUNIQUE, -1, "could not create unique index \"%s\"", ix->name);
    for (int k = 0; k < ix->ncols; k++) {
        int ci = table_col_index(t, ix->cols[k]);
        buf_printf(&cols, "%s%s", k ? ", " : "",
                   ix->exprs && ix->exprs[k] ? ix->exprs[k] : ci >= 0 ? t->cols[ci].name : "?");
    }
    if (key_render(a->key, a->keylen, &vals) == 0 && buf_ok(&vals) && buf_cstr(&vals) && buf_ok(&cols) &&
        buf_cstr(&cols))
        dd_err_detail(ctx->err, "Key (%s)=(%s) is duplicated.", (char *)cols.data, (char *)vals.data);
    buf_free(&vals);
    buf_free(&cols);
    return rc;
}

int sql_index_builds(SqlCtx *ctx, TxnWrites *ws, WriteSet *out, int *cap)
{
    int rc = DD_OK;
    for (int i = 0; ws && i < ws->ntables && !rc; i++) {
        const TableInfo *t = ws->tables[i];
        const TableInfo *old = store_table_version(ctx->snap, t->id, snap_seq(ctx->snap));
        if (old && old->dropped) old = NULL;
        if (!old) continue;   /* a new table: its rows come from the write set */
        if (!t->dropped) {
            for (int x = 0; x < t->nindexes && !rc; x++) {
                if (has_index(old, t->indexes[x].id)) continue;
                int from = out->niops;
                rc = build_index(ctx, ws, t, &t->indexes[x], out, cap);
                if (!rc && t->indexes[x].unique) rc = check_build_unique(ctx, t, &t->indexes[x], out, from);
            }
        }
        /* indexes dropped (or the whole table): their present entries go */
        for (int x = 0; x < old->nindexes && !rc; x++) {
            if (!t->dropped && has_index(t, old->indexes[x].id)) continue;
            IScan *is;
            rc = iscan_open_range(ctx->snap, old->indexes[x].id, NULL, 0, NULL, 0, &is, ctx->err);
            if (rc) break;
            const u8 *pk;
            u32 pklen;
            u32 plen = 0;
            while (!rc && iscan_next(is, &pk, &pklen) == 1) {
                const u8 *k;
                u32 kn;
                iscan_key(is, &k, &kn);
                plen = kn - 4 - pklen;
                IndexOp op = {.add = false, .index = old->indexes[x].id, .table = t->id};
                op.key = arena_memdup(ctx->stmt, k + 4, plen ? plen : 1);
                op.keylen = plen;
                op.pk = arena_memdup(ctx->stmt, pk, pklen);
                op.pklen = pklen;
                if (!op.key || !op.pk) rc = DD_ENOMEM;
                else rc = push_iop(ctx, out, cap, op);
            }
            iscan_close(is);
        }
    }
    return rc;
}

/* ---------------------------------------------------------------- unique checks */

/* Whether the snapshot's live row pk still has these index values in the
 * transaction's view (it may have been changed or deleted by it). */
static int ws_overrides(SqlCtx *ctx, u32 table, const u8 *pk, u32 pklen)
{
    return ctx->ws && ws_find(ctx->ws, table, pk, pklen) != NULL;
}

int sql_check_unique(SqlCtx *ctx, const TableInfo *t, const u8 *const *pks, const u32 *pklens, int n)
{
    if (!ctx->ws) return DD_OK;
    bool any = false;
    for (int x = 0; x < t->nindexes; x++) any |= t->indexes[x].unique;
    if (!any || n == 0) return DD_OK;
    WsRow **rows;
    int nrows;
    int rc = ws_table_rows(ctx->ws, t->id, ctx->stmt, &rows, &nrows);
    if (rc) return rc;
    Value *vals = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(t->ncols + 1));
    u8 **keys = arena_alloc(ctx->stmt, sizeof(u8 *) * (size_t)(nrows + 1));
    u32 *klens = arena_alloc(ctx->stmt, sizeof(u32) * (size_t)(nrows + 1));
    if (!vals || !keys || !klens) return DD_ENOMEM;
    Buf key = BUF_INIT;
    for (int x = 0; x < t->nindexes && !rc; x++) {
        const IndexInfo *ix = &t->indexes[x];
        if (!ix->unique) continue;
        /* the transaction's live rows of t: equal keys among them */
        int nk = 0;
        for (int i = 0; i < nrows && !rc; i++) {
            WsRow *w = rows[i];
            keys[i] = NULL;
            if (!w->rec) continue;
            bool has_null;
            if ((rc = row_decode(t, w->rec, w->reclen, vals, ctx->err))) break;
            if ((rc = sql_index_key(ctx, t, ix, vals, &key, &has_null))) break;
            if (has_null) continue;
            keys[i] = arena_memdup(ctx->stmt, key.data, key.len ? key.len : 1);
            klens[i] = (u32)key.len;
            if (!keys[i]) rc = DD_ENOMEM;
            nk++;
        }
        if (rc) break;
        /* sort-free duplicate search through a small open-addressing table */
        size_t cap = 16;
        while (cap < (size_t)nk * 2) cap *= 2;
        int *slot = arena_alloc(ctx->stmt, sizeof(int) * cap);
        if (!slot) { rc = DD_ENOMEM; break; }
        for (size_t i = 0; i < cap; i++) slot[i] = -1;
        int dup = -1;
        for (int i = 0; i < nrows && dup < 0; i++) {
            if (!keys[i]) continue;
            size_t j = bytes_hash(keys[i], klens[i]) & (cap - 1);
            while (slot[j] >= 0) {
                int o = slot[j];
                if (klens[o] == klens[i] && memcmp(keys[o], keys[i], klens[i]) == 0) { dup = i; break; }
                j = (j + 1) & (cap - 1);
            }
            if (dup < 0) slot[j] = i;
        }
        /* the statement's rows against the snapshot's entries */
        Buf mk = BUF_INIT;
        for (int k = 0; k < n && dup < 0 && !rc; k++) {
            WsRow *w = ws_find(ctx->ws, t->id, pks[k], pklens[k]);
            if (!w || !w->rec) continue;
            bool has_null;
            if ((rc = row_decode(t, w->rec, w->reclen, vals, ctx->err))) break;
            if ((rc = sql_index_key(ctx, t, ix, vals, &mk, &has_null))) break;
            if (has_null) continue;
            IScan *is;
            if ((rc = iscan_open(ctx->snap, ix->id, mk.data, (u32)mk.len, &is, ctx->err))) break;
            const u8 *pk;
            u32 pklen;
            while (iscan_next(is, &pk, &pklen) == 1) {
                const u8 *ek;
                u32 kn;
                iscan_key(is, &ek, &kn);
                if (kn != 4 + mk.len + pklen) continue;   /* a longer value with this prefix */
                if (pklen == w->pklen && memcmp(pk, w->pk, pklen) == 0) continue;
                if (ws_overrides(ctx, t->id, pk, pklen)) continue;
                keys[0] = arena_memdup(ctx->stmt, mk.data, mk.len ? mk.len : 1);
                klens[0] = (u32)mk.len;
                dup = keys[0] ? 0 : -1;
                if (!keys[0]) rc = DD_ENOMEM;
                break;
            }
            iscan_close(is);
        }
        buf_free(&mk);
        if (dup >= 0 && !rc) {
            rc = dd_err(ctx->err, DD_EUNIQUE, -1, "duplicate key value violates unique constraint \"%s\"", ix->name);
            Buf cols = BUF_INIT, v = BUF_INIT;
            for (int k = 0; k < ix->ncols; k++) {
                int ci = table_col_index(t, ix->cols[k]);
                buf_printf(&cols, "%s%s", k ? ", " : "",
                   ix->exprs && ix->exprs[k] ? ix->exprs[k] : ci >= 0 ? t->cols[ci].name : "?");
            }
            if (key_render(keys[dup], klens[dup], &v) == 0 && buf_ok(&v) && buf_ok(&cols) && buf_cstr(&v) &&
                buf_cstr(&cols))
                dd_err_detail(ctx->err, "Key (%s)=(%s) already exists.", (char *)cols.data, (char *)v.data);
            buf_free(&cols);
            buf_free(&v);
        }
    }
    buf_free(&key);
    return rc;
}
