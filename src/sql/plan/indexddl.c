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
#include "plan_int.h"
#include "../types/rowcodec.h"
#include "../../store/keyenc.h"
#include "../../store/format.h"
#include "../../util/alloc.h"
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- names */

/* The present index whose catalog name is `name` (its table's schema
 * and its own name; a temporary table's by its own name), snapshot +
 * write set, or NULL. */
static const IndexInfo *index_by_catname(SqlCtx *ctx, const char *name, const TableInfo **table)
{
    const char *base = name_base(name);
    const TableInfo **ts;
    int n;
    DdError e;
    dd_err_clear(&e);
    if (store_tables_at(ctx->snap, snap_seq(ctx->snap), ctx->stmt, &ts, &n, &e)) n = 0;
    /* the transaction's versions and the session's temporary tables
     * (whose index names come first, as pg_temp does) */
    const TableInfo **wts = NULL;
    int nw = 0;
    if (ctx->ws && ws_all_tables(ctx->ws, ctx->stmt, &wts, &nw)) nw = 0;
    for (int pass = 0; pass < 2; pass++) {
        int m = pass == 1 ? n : nw;
        for (int i = 0; i < m; i++) {
            const TableInfo *t = pass == 1 ? ts[i] : wts[i];
            const TableInfo *o = pass == 1 && ctx->ws ? ws_table(ctx->ws, t->id) : NULL;
            if (o) continue;            /* the write set's version is checked in pass 0 */
            if (t->dropped) continue;
            if (t->temp ? strchr(name, '.') != NULL : !same_schema(t->name, name)) continue;
            for (int x = 0; x < t->nindexes; x++)
                if (t->indexes[x].name && strcmp(t->indexes[x].name, base) == 0) {
                    *table = t;
                    return &t->indexes[x];
                }
        }
    }
    return NULL;
}

struct IndexArg { const IndexInfo *ix; };

static const TableInfo *index_fn(SqlCtx *ctx, const char *name, void *arg)
{
    struct IndexArg *a = arg;
    const TableInfo *t = NULL;
    a->ix = index_by_catname(ctx, name, &t);
    return a->ix ? t : NULL;
}

/* The present index called name as written (through the search path). */
static const IndexInfo *index_by_name(SqlCtx *ctx, const char *name, const TableInfo **table)
{
    struct IndexArg a = {NULL};
    *table = resolve_in_path(ctx, name, index_fn, &a);
    return *table ? a.ix : NULL;
}

bool sql_index_name_taken(SqlCtx *ctx, const char *name)
{
    const TableInfo *t;
    if (index_by_catname(ctx, name, &t)) return true;
    /* t_pkey: the index of table t's primary key, which has no IndexInfo */
    size_t n = strlen(name);
    if (n <= 5 || strcmp(name + n - 5, "_pkey") != 0 || n - 5 > CAT_MAX_NAME) return false;
    char tn[CAT_MAX_NAME + 1];
    memcpy(tn, name, n - 5);
    tn[n - 5] = 0;
    const TableInfo *r = resolve_permanent_present(ctx, tn);
    if (!r) r = resolve_temp_present(ctx, tn);
    if (!r || r->view_sql || r->sequence || !r->npk) return false;
    for (int i = 0; i < r->ncols; i++)
        if (r->cols[i].id == r->pk[0] && strcmp(r->cols[i].name, ROWID_COL) == 0) return false;   /* no key */
    return true;
}

/* Whether catalog name `name` is taken by a relation or an index. */
static bool relation_exists(SqlCtx *ctx, const char *name)
{
    return resolve_permanent_present(ctx, name) || resolve_temp_present(ctx, name) || sql_index_name_taken(ctx, name) ||
           strcmp(name, "drift_commits") == 0;
}

/* PostgreSQL's choice: table_col1_col2_idx, then ...idx1, idx2, ... when
 * taken; cut to 63 bytes. */
static char *choose_name(SqlCtx *ctx, const TableInfo *t, CreateIndexStmt *s)
{
    Buf b = BUF_INIT;
    buf_puts(&b, name_base(t->name));
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
        char *q = c ? name_sibling(ctx->stmt, t->name, c) : NULL;
        if (q && !relation_exists(ctx, q)) out = c;
        if (!q) break;
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

/* An index's expression or predicate (`of`) e, at loc, compiled over t's
 * columns as PostgreSQL checks it: no subquery, no volatile function, no
 * aggregate; a predicate is boolean.  rel: which columns it read. */
static int index_text_compile(SqlCtx *ctx, const TableInfo *t, Expr *e, int loc, bool predicate, ScopeRel *rel,
                              ExprProg **out)
{
    const char *of = predicate ? "predicate" : "expression";
    const char *what = NULL;
    if (expr_unfit(e, &what, &loc)) {
        if (!strcmp(what, "subquery")) return dd_err(ctx->err, DD_EFEATURE, loc, "cannot use subquery in index %s", of);
        return dd_err(ctx->err, DD_EINVALID_OBJECT_DEF, loc, "functions in index %s must be marked IMMUTABLE", of);
    }
    int rc = scope_rel_for_table(ctx, t, t->name, rel);
    if (rc) return rc;
    Scope sc = {rel, 1, rel->ncols, NULL, NULL, NULL, NULL, NULL, 0, 0};
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = ctx;
    cc.scope = &sc;
    cc.agg_forbidden = predicate ? "index predicates" : "index expressions";
    if ((rc = expr_compile(&cc, e, out)) || !predicate || (*out)->type == TYPE_BOOL) return rc;
    if ((*out)->type != TYPE_UNKNOWN && (*out)->type != TYPE_NULLTYPE)
        return dd_err(ctx->err, DD_EDATATYPE_MISMATCH, loc, "argument of WHERE must be type boolean, not type %s",
                      type_name((*out)->type));
    return expr_compile_as(&cc, e, TYPE_BOOL, -1, out);
}

/* Index column k of ix is the expression of e: checked over t's columns
 * (no history column besides index_text_compile's rules) and kept as SQL
 * text. */
static int index_expression(SqlCtx *ctx, TableInfo *t, IndexInfo *ix, int k, IndexElem *e)
{
    ScopeRel rel;
    ExprProg *p;
    int rc = index_text_compile(ctx, t, e->expr, e->loc, false, &rel, &p);
    if (rc) return rc;
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

/* CREATE INDEX ... WHERE pred: checked over t's columns as PostgreSQL
 * checks it (boolean, no subquery, aggregate, window or volatile function,
 * no history column) and kept as SQL text. */
static int index_predicate(SqlCtx *ctx, TableInfo *t, IndexInfo *ix, CreateIndexStmt *s)
{
    ScopeRel rel;
    ExprProg *p;
    int rc = index_text_compile(ctx, t, s->where, s->where_start, true, &rel, &p);
    if (rc) return rc;
    for (int h = 0; h < HIST_COLS; h++)
        if (rel.used[t->ncols + h])
            return dd_err(ctx->err, DD_EFEATURE, s->where_start,
                          "history column \"%s\" cannot be used in an index predicate", hist_col_names[h]);
    ix->pred_sql = arena_strndup(ctx->stmt, ctx->sql + s->where_start, (size_t)(s->where_end - s->where_start));
    if (!ix->pred_sql) return DD_ENOMEM;
    if (strlen(ix->pred_sql) > 2000)
        return dd_err(ctx->err, DD_EPROGRAM_LIMIT, s->where_start, "index predicate too long (at most 2000 bytes)");
    return DD_OK;
}

static int unique_over_present(SqlCtx *ctx, const TableInfo *t, const IndexInfo *ix, bool building, int ws_from);

int analyze_create_index(SqlCtx *ctx, CreateIndexStmt *s, Plan *p)
{
    if (ctx->read_only) return dd_err(ctx->err, DD_EREAD_ONLY_TXN, -1, "cannot execute CREATE INDEX in a read-only transaction");
    p->kind = PLAN_ALTER_TABLE;
    p->tag = "CREATE INDEX";
    const TableInfo *t0 = resolve_table_present(ctx, s->table);
    if (!t0) return dd_err(ctx->err, DD_EUNDEFINED_TABLE, s->table_loc, "relation \"%s\" does not exist", s->table);
    if (t0->view_sql) {
        dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, -1, "cannot create index on relation \"%s\"", name_base(t0->name));
        dd_err_detail(ctx->err, "This operation is not supported for views.");
        return DD_EWRONG_OBJECT_TYPE;
    }
    char *catname = s->name ? name_sibling(ctx->stmt, t0->name, s->name) : NULL;
    if (s->name && !catname) return DD_ENOMEM;
    if (s->name && (strchr(s->name, '.') || relation_exists(ctx, catname))) {
        if (strchr(s->name, '.'))
            return dd_err(ctx->err, DD_ESYNTAX, s->name_loc, "an index's name cannot be schema-qualified (it is in its table's schema)");
        if (s->if_not_exists) {
            p->notice = arena_printf(ctx->stmt, "relation \"%s\" already exists, skipping", s->name);
            p->notice_state = "42P07";
            return DD_OK;
        }
        return dd_err(ctx->err, DD_EDUPLICATE_TABLE, -1, "relation \"%s\" already exists", s->name);
    }
    TableInfo *t = table_copy(ctx->stmt, t0);
    if (!t) return DD_ENOMEM;
    int rc = sql_index_add(ctx, t, s, NULL);
    if (rc) return rc;
    p->alter = arena_alloc(ctx->stmt, sizeof(TableInfo *));
    if (!p->alter) return DD_ENOMEM;
    p->alter[0] = t;
    p->nalter = 1;
    return DD_OK;
}

int sql_index_add(SqlCtx *ctx, TableInfo *t, CreateIndexStmt *s, IndexInfo **out)
{
    if (s->nelems + s->ninclude > INDEX_MAX_KEYS)   /* PostgreSQL's INDEX_MAX_KEYS, which pg_settings shows */
        return dd_err(ctx->err, DD_ETOO_MANY_COLUMNS, -1, "cannot use more than %d columns in an index", INDEX_MAX_KEYS);
    IndexInfo *nix = arena_zalloc(ctx->stmt, sizeof(IndexInfo) * (size_t)(t->nindexes + 1));
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
    /* INCLUDE (cols): columns stored beside the key for index-only scans,
     * which DriftDB does not make; they must exist, and the catalog lists
     * them (pg_index, pg_get_indexdef) so that a dump keeps them */
    if (s->ninclude && !(ix->include = arena_alloc(ctx->stmt, sizeof(u32) * (size_t)s->ninclude))) return DD_ENOMEM;
    for (int i = 0; i < s->ninclude; i++) {
        int ci = -1;
        for (int c = 0; c < t->ncols && ci < 0; c++)
            if (!t->cols[c].dropped && !t->cols[c].pending && strcmp(t->cols[c].name, s->include[i]) == 0) ci = c;
        if (ci < 0 || strcmp(s->include[i], ROWID_COL) == 0)
            return dd_err(ctx->err, DD_EUNDEFINED_COLUMN, s->include_locs[i], "column \"%s\" does not exist",
                          s->include[i]);
        ix->include[ix->ninclude++] = t->cols[ci].id;
    }
    if (s->where && (rc = index_predicate(ctx, t, ix, s))) return rc;
    ix->name = s->name ? arena_strdup(ctx->stmt, s->name) : choose_name(ctx, t, s);
    if (!ix->name) return DD_ENOMEM;
    ix->id = store_new_index_id(ctx->store);
    ix->unique = s->unique;
    ix->ever = true;
    t->nindexes++;
    /* a unique index over duplicates fails now, as PostgreSQL's does (the
     * commit checks again) */
    if (ix->unique && (rc = unique_over_present(ctx, t, ix, true, -1))) return rc;
    if (out) *out = ix;
    return DD_OK;
}

int analyze_alter_index(SqlCtx *ctx, AlterTableStmt *s, Plan *p)
{
    if (ctx->read_only) return dd_err(ctx->err, DD_EREAD_ONLY_TXN, -1, "cannot execute ALTER INDEX in a read-only transaction");
    p->kind = PLAN_ALTER_TABLE;
    p->tag = "ALTER INDEX";
    const AlterCmd *c = s->cmds[0];
    const TableInfo *t0 = NULL;
    const IndexInfo *ix = index_by_name(ctx, s->table, &t0);
    if (!ix) {
        if (s->if_exists) {
            p->notice = arena_printf(ctx->stmt, "relation \"%s\" does not exist, skipping", s->table);
            p->notice_state = "00000";
            return DD_OK;
        }
        if (resolve_table_present(ctx, s->table))
            return dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, s->table_loc, "\"%s\" is not an index", s->table);
        size_t n = strlen(s->table);
        if (n > 5 && strcmp(s->table + n - 5, "_pkey") == 0) {
            char tn[CAT_MAX_NAME + 1];
            snprintf(tn, sizeof tn, "%.*s", (int)(n - 5), s->table);
            if (resolve_table_present(ctx, tn))
                return dd_err(ctx->err, DD_EFEATURE, s->table_loc,
                              "renaming the primary key index \"%s\" is not supported (its name follows the table's)", s->table);
        }
        return dd_err(ctx->err, DD_EUNDEFINED_TABLE, s->table_loc, "relation \"%s\" does not exist", s->table);
    }
    char *catname = name_sibling(ctx->stmt, t0->name, c->newname);
    if (!catname) return DD_ENOMEM;
    if (relation_exists(ctx, catname))
        return dd_err(ctx->err, DD_EDUPLICATE_TABLE, -1, "relation \"%s\" already exists", c->newname);
    TableInfo *t = plan_alter_version(ctx, p, t0);
    if (!t) return DD_ENOMEM;
    for (int x = 0; x < t->nindexes; x++)
        if (t->indexes[x].id == ix->id) {
            /* a UNIQUE constraint's index: the constraint has its name */
            char *n = arena_strdup(ctx->stmt, c->newname);
            if (!n) return DD_ENOMEM;
            t->indexes[x].name = n;
        }
    return DD_OK;
}

int analyze_drop_index(SqlCtx *ctx, DropTableStmt *s, Plan *p)
{
    if (ctx->read_only) return dd_err(ctx->err, DD_EREAD_ONLY_TXN, -1, "cannot execute DROP INDEX in a read-only transaction");
    p->kind = PLAN_ALTER_TABLE;
    p->tag = "DROP INDEX";
    for (int i = 0; i < s->n; i++) {
        const TableInfo *t0 = NULL;
        const IndexInfo *ix = index_by_name(ctx, s->names[i], &t0);
        /* a table version made by an earlier name of this statement */
        TableInfo *t = NULL;
        for (int j = 0; j < p->nalter && !ix; j++)
            for (int x = 0; x < p->alter[j]->nindexes && !ix; x++)
                if (strcmp(p->alter[j]->indexes[x].name, name_base(s->names[i])) == 0 &&
                    (!strchr(s->names[i], '.') || same_schema(p->alter[j]->name, s->names[i]))) {
                    t = p->alter[j];
                    ix = &t->indexes[x];
                }
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
        if (ix->constraint) {
            const char *tn = t ? t->name : t0->name;
            dd_err(ctx->err, DD_EDEPENDENT_OBJECTS, -1, "cannot drop index %s because constraint %s on table %s requires it",
                   ix->name, ix->name, tn);
            dd_err_hint(ctx->err, "You can drop constraint %s on table %s instead.", ix->name, tn);
            return DD_EDEPENDENT_OBJECTS;
        }
        if (ix->unique) {
            char *what = arena_printf(ctx->stmt, "index %s", ix->name);
            int rc = what ? fk_drop_index_dependents(ctx, p, t ? t : t0, ix, what, s->cascade) : DD_ENOMEM;
            if (rc) return rc;
        }
        if (!t && !(t = plan_alter_version(ctx, p, t0))) return DD_ENOMEM;
        int k = 0;
        for (int x = 0; x < t->nindexes; x++)
            if (t->indexes[x].id != ix->id) t->indexes[k++] = t->indexes[x];
        t->nindexes = k;
    }
    return DD_OK;
}

/* ---------------------------------------------------------------- keys */


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
        for (u64 n = 0;; n++) {
            Version v;
            if ((n & 255) == 0 && (rc = sql_check_interrupt(ctx))) break;   /* cancel, statement_timeout */
            int r = tscan_next(sc, &v, ctx->err);
            if (r < 0) { rc = -r; break; }
            if (r == 0) break;
            if (!v.rec) continue;
            if (pass == 0) {
                WsRow *w = ws ? ws_find(ws, t->id, v.pk, v.pklen) : NULL;
                if (w) continue;   /* its entries come with the write set's row */
            }
            if ((rc = sql_row_decode(ctx, t, v.rec, v.reclen, v.start, vals, NULL))) break;
            bool has_null;
            if ((rc = sql_index_key_full(ctx, t, ix, vals, &key, &has_null))) break;
            if (!key.len) continue;   /* a row the partial index does not cover */
            bool cut = key.len > ROW_INDEX_PREFIX;
            if (cut) key.len = ROW_INDEX_PREFIX;
            /* versions of one key come together: skip repeats of its values */
            if (pass == 1 && lastpk && lastpklen == v.pklen && memcmp(lastpk, v.pk, v.pklen) == 0 &&
                lastkey.len == key.len && memcmp(lastkey.data, key.data, key.len) == 0)
                continue;
            IndexOp op = {.add = true, .ever_only = pass == 1, .unique = ix->unique && !has_null && !cut && pass == 0,
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
/* ---------------------------------------------------------------- unique checks */

/*
 * Unique keys are compared whole: a stored entry holds the first
 * ROW_INDEX_PREFIX bytes of the key, so two long values that share them
 * are told apart by their rows' full keys.  NULLs never conflict.
 */

/* 23505 for key (full) of unique index ix of t. */
static int unique_error(SqlCtx *ctx, const TableInfo *t, const IndexInfo *ix, const Buf *key, bool building)
{
    int rc = building ? dd_err(ctx->err, DD_EUNIQUE, -1, "could not create unique index \"%s\"", ix->name)
                      : dd_err(ctx->err, DD_EUNIQUE, -1, "duplicate key value violates unique constraint \"%s\"", ix->name);
    dd_err_relation(ctx->err, t, NULL, ix->name);
    if (!acl_can(ctx, t, ACL_SELECT)) return rc;   /* the key's values only to a reader */
    Buf cols = BUF_INIT, v = BUF_INIT;
    for (int k = 0; k < ix->ncols; k++) {
        int ci = table_col_index(t, ix->cols[k]);
        buf_printf(&cols, "%s%s", k ? ", " : "",
                   ix->exprs && ix->exprs[k] ? ix->exprs[k] : ci >= 0 ? t->cols[ci].name : "?");
    }
    if (row_render_index_key_vc(t, ix, key->data, key->len, &ctx->vctx, &v) == 0 && buf_ok(&v) && buf_ok(&cols) && buf_cstr(&v) && buf_cstr(&cols))
        dd_err_detail(ctx->err, building ? "Key (%s)=(%s) is duplicated." : "Key (%s)=(%s) already exists.",
                      (char *)cols.data, (char *)v.data);
    buf_free(&cols);
    buf_free(&v);
    return rc;
}

/* Every live row of t (the snapshot's rows the transaction did not write,
 * and its own): 23505 at the first repeated key of unique index ix.  Used
 * where the index has no entries to look in: when it is built, and for an
 * index the open transaction created. */
static int unique_over_present(SqlCtx *ctx, const TableInfo *t, const IndexInfo *ix, bool building, int ws_from)
{
    Value *vals = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(t->ncols + 1));
    if (!vals) return DD_ENOMEM;
    KeySet ks = {NULL, 0, 0};
    Buf key = BUF_INIT;
    int rc = DD_OK;
    bool dup = false;
    TScan *sc = NULL;
    if ((rc = tscan_open(ctx->snap, t->id, TMODE_PRESENT, 0, 0, NULL, 0, NULL, 0, &sc, ctx->err))) return rc;
    for (u64 n = 0; !rc && !dup; n++) {
        Version v;
        if ((n & 255) == 0 && (rc = sql_check_interrupt(ctx))) break;
        int r = tscan_next(sc, &v, ctx->err);
        if (r < 0) { rc = -r; break; }
        if (r == 0) break;
        if (ctx->ws && ws_find(ctx->ws, t->id, v.pk, v.pklen)) continue;
        bool has_null;
        if ((rc = sql_row_decode(ctx, t, v.rec, v.reclen, v.start, vals, NULL))) break;
        if ((rc = sql_index_key_full(ctx, t, ix, vals, &key, &has_null))) break;
        if (!has_null) rc = keyset_put(ctx->stmt, &ks, key.data, (u32)key.len, 0, &dup);
    }
    tscan_close(sc);
    WsRow **rows = NULL;
    int nrows = 0;
    if (!rc && !dup && ctx->ws) rc = ws_table_rows(ctx->ws, t->id, ctx->stmt, &rows, &nrows);
    for (int i = 0; !rc && !dup && i < nrows; i++) {
        if (!rows[i]->rec) continue;
        bool has_null;
        if ((rc = ws_from < 0 ? row_decode(t, rows[i]->rec, rows[i]->reclen, vals, ctx->err)
                              : sql_row_convert_from(ctx, t, ws_from, rows[i]->rec, rows[i]->reclen, vals)))
            break;
        if ((rc = sql_index_key_full(ctx, t, ix, vals, &key, &has_null))) break;
        if (!has_null) rc = keyset_put(ctx->stmt, &ks, key.data, (u32)key.len, 0, &dup);
    }
    if (!rc && dup) rc = unique_error(ctx, t, ix, &key, building);
    buf_free(&key);
    return rc;
}

/* ix's key of the transaction's row w (vals: room for t's row). */
static int ws_row_index_key(SqlCtx *ctx, const TableInfo *t, const IndexInfo *ix, const WsRow *w, Value *vals, Buf *key,
                            bool *has_null)
{
    int rc = row_decode(t, w->rec, w->reclen, vals, ctx->err);
    return rc ? rc : sql_index_key_full(ctx, t, ix, vals, key, has_null);
}

/* w's key of ix into ks (none for a key with a NULL); *dup when there. */
static int set_put_row(SqlCtx *ctx, const TableInfo *t, const IndexInfo *ix, const WsRow *w, Value *vals, Buf *key,
                       Arena *ka, KeySet *ks, bool *dup)
{
    bool has_null;
    int rc = ws_row_index_key(ctx, t, ix, w, vals, key, &has_null);
    return rc || has_null ? rc : keyset_put(ka, ks, key->data, (u32)key->len, 0, dup);
}

int sql_check_unique_build(SqlCtx *ctx, const TableInfo *t, const IndexInfo *ix, int ws_from)
{
    return unique_over_present(ctx, t, ix, true, ws_from);
}

bool sql_index_in_snapshot(SqlCtx *ctx, const TableInfo *t, const IndexInfo *ix)
{
    const TableInfo *snapt = store_table_version(ctx->snap, t->id, snap_seq(ctx->snap));
    for (int i = 0; snapt && !snapt->dropped && i < snapt->nindexes; i++)
        if (snapt->indexes[i].id == ix->id) return true;
    return false;
}

/* The unique check of a temporary table's statement rows (pks) under
 * unique index ix: the transaction's own live rows among themselves, and
 * the statement's rows against base's rows through the index's key map
 * (built here on first use, kept by ws_fold_apply), so a statement costs
 * what the transaction wrote, not the table's size. */
static int unique_temp(SqlCtx *ctx, const TableInfo *t, const IndexInfo *ix, const u8 *const *pks, const u32 *pklens,
                       int n, Value *vals, Buf *key)
{
    TxnWrites *ws = ctx->ws;
    TempKeyMap *m = ws_temp_keymap(ws, ix->id);
    int rc = DD_OK;
    bool has_null, dup = false;
    if (!m && ws->base) {
        if (!(m = ws_temp_keymap_new(ws, t->id, ix->id))) return DD_ENOMEM;
        TxnWrites *b = ws->base;
        for (int i = 0; i < b->nrows && !rc && !dup; i++) {
            const WsRow *r = b->rows[i];
            if (!r || r->table != t->id) continue;
            if ((rc = row_decode(t, r->rec, r->reclen, vals, ctx->err)) ||
                (rc = sql_index_key_full(ctx, t, ix, vals, key, &has_null)) || has_null)
                continue;
            u32 ol;
            dup = tkm_get(m, key->data, (u32)key->len, &ol) != NULL;   /* only if the index was built over duplicates */
            if (!dup) rc = tkm_put(m, key->data, (u32)key->len, r->pk, r->pklen);
        }
        if (rc || dup) {
            ws_temp_keymap_drop(ws, ix->id);
            if (rc) return rc;
            return unique_error(ctx, t, ix, key, false);
        }
    }
    /* the transaction's own rows (not base's) */
    KeySet ks = {NULL, 0, 0};
    for (int i = 0; i < ws->nrows && !rc && !dup; i++) {
        const WsRow *r = ws->rows[i];
        if (!r || r->table != t->id || !r->rec) continue;
        if ((rc = row_decode(t, r->rec, r->reclen, vals, ctx->err))) break;
        if ((rc = sql_index_key_full(ctx, t, ix, vals, key, &has_null))) break;
        if (!has_null) rc = keyset_put(ctx->stmt, &ks, key->data, (u32)key->len, 0, &dup);
    }
    /* the statement's rows against base's */
    for (int k = 0; k < n && m && !rc && !dup; k++) {
        WsRow *w = ws_find(ws, t->id, pks[k], pklens[k]);
        if (!w || !w->rec) continue;
        if ((rc = row_decode(t, w->rec, w->reclen, vals, ctx->err))) break;
        if ((rc = sql_index_key_full(ctx, t, ix, vals, key, &has_null))) break;
        if (has_null) continue;
        u32 ol;
        const u8 *other = tkm_get(m, key->data, (u32)key->len, &ol);
        if (!other || (ol == pklens[k] && memcmp(other, pks[k], ol) == 0)) continue;
        /* base's row holding the key, unless the transaction changed it
         * (then its new key was among the transaction's rows above) */
        WsRow *o = ws_find(ws, t->id, other, ol);
        dup = o && o->rec && o == ws_find(ws->base, t->id, other, ol);
    }
    if (!rc && dup) rc = unique_error(ctx, t, ix, key, false);
    return rc;
}

/* Whether the present of snap has another row than w's (or one the
 * transaction changed) with index key key under unique index ix. */
static int dup_in(SqlCtx *ctx, Snap *snap, const TableInfo *t, const IndexInfo *ix, const WsRow *w, const Buf *key,
                  Value *ovals, Buf *okey, bool *dup)
{
    bool cut = key->len > ROW_INDEX_PREFIX;
    u32 plen = cut ? ROW_INDEX_PREFIX : (u32)key->len;
    IScan *is;
    int rc = iscan_open(snap, ix->id, key->data, plen, &is, ctx->err);
    if (rc) return rc;
    const u8 *pk;
    u32 pklen;
    while (!rc && iscan_next(is, &pk, &pklen) == 1) {
        const u8 *ek;
        u32 kn;
        iscan_key(is, &ek, &kn);
        if (kn != 4 + plen + pklen) continue;   /* another value sharing the prefix */
        if (pklen == w->pklen && memcmp(pk, w->pk, pklen) == 0) continue;
        if (ws_find(ctx->ws, t->id, pk, pklen)) continue;   /* its row changed: checked with the write set */
        if (cut) {
            /* the entries agree on the prefix: compare whole keys */
            Version v;
            int f = tget_present(snap, t->id, pk, pklen, &v);
            if (f < 0) { rc = -f; break; }
            bool on;
            if (!f || (rc = sql_row_decode(ctx, t, v.rec, v.reclen, v.start, ovals, NULL))) continue;
            if ((rc = sql_index_key_full(ctx, t, ix, ovals, okey, &on))) break;
            if (okey->len != key->len || memcmp(okey->data, key->data, key->len) != 0) continue;
        }
        *dup = true;
        break;
    }
    iscan_close(is);
    return rc;
}

/* The keys of the transaction's live rows under each unique index of a
 * table, kept across the calls of one statement that only adds rows
 * (sql_check_unique_added). */
struct UniqueSets {
    u32 table;
    int n, cap;
    u32 *index;          /* [n] index ids */
    KeySet *ks;          /* [n] */
};

/* The set of index id in *sets (made in keep), and whether it is new. */
static KeySet *unique_set(Arena *keep, UniqueSets **sets, u32 table, u32 index, bool *fresh)
{
    UniqueSets *u = *sets;
    if (u && u->table != table) return NULL;   /* another table: no sets */
    if (!u) {
        if (!(u = arena_zalloc(keep, sizeof *u))) return NULL;
        u->table = table;
        *sets = u;
    }
    for (int i = 0; i < u->n; i++)
        if (u->index[i] == index) { *fresh = false; return &u->ks[i]; }
    if (u->n == u->cap) {
        int ncap = u->cap ? u->cap * 2 : 4;
        u32 *ni = arena_alloc(keep, sizeof(u32) * (size_t)ncap);
        KeySet *nk = arena_zalloc(keep, sizeof(KeySet) * (size_t)ncap);
        if (!ni || !nk) return NULL;
        if (u->n) {
            memcpy(ni, u->index, sizeof(u32) * (size_t)u->n);
            memcpy(nk, u->ks, sizeof(KeySet) * (size_t)u->n);
        }
        u->index = ni;
        u->ks = nk;
        u->cap = ncap;
    }
    u->index[u->n] = index;
    *fresh = true;
    return &u->ks[u->n++];
}

static int check_unique(SqlCtx *ctx, const TableInfo *t, const u8 *const *pks, const u32 *pklens, int n, Arena *keep,
                        UniqueSets **sets);

int sql_check_unique(SqlCtx *ctx, const TableInfo *t, const u8 *const *pks, const u32 *pklens, int n)
{
    return check_unique(ctx, t, pks, pklens, n, NULL, NULL);
}

int sql_check_unique_added(SqlCtx *ctx, const TableInfo *t, const u8 *const *pks, const u32 *pklens, int n,
                           Arena *keep, UniqueSets **sets)
{
    return check_unique(ctx, t, pks, pklens, n, keep, sets);
}

/* sets NULL: the transaction's live rows of t are checked among
 * themselves, all of them; else through the kept sets, made from them at
 * the first call and given only the rows pks at the others. */
static int check_unique(SqlCtx *ctx, const TableInfo *t, const u8 *const *pks, const u32 *pklens, int n, Arena *keep,
                        UniqueSets **sets)
{
    if (!ctx->ws || n == 0) return DD_OK;
    int rc = DD_OK;
    Value *vals = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(t->ncols + 1));
    Value *ovals = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(t->ncols + 1));
    if (!vals || !ovals) return DD_ENOMEM;
    Buf key = BUF_INIT, okey = BUF_INIT;
    for (int x = 0; x < t->nindexes && !rc; x++) {
        const IndexInfo *ix = &t->indexes[x];
        if (!ix->unique) continue;
        if (t->temp) {
            rc = unique_temp(ctx, t, ix, pks, pklens, n, vals, &key);
            continue;
        }
        if (!sql_index_in_snapshot(ctx, t, ix)) {
            rc = unique_over_present(ctx, t, ix, false, -1);
            continue;
        }
        /* the transaction's live rows of t among themselves */
        KeySet local = {NULL, 0, 0};
        KeySet *ks = &local;
        Arena *ka = ctx->stmt;
        bool fresh = true, dup = false;
        if (sets) {
            ks = unique_set(keep, sets, t->id, ix->id, &fresh);
            if (!ks) { ks = &local; fresh = true; }   /* out of memory, or another table: all of them */
            else ka = keep;
        }
        if (fresh) {
            WsRow **rows;
            int nrows;
            if ((rc = ws_table_rows(ctx->ws, t->id, ctx->stmt, &rows, &nrows))) break;
            for (int i = 0; i < nrows && !rc && !dup; i++)
                if (rows[i]->rec) rc = set_put_row(ctx, t, ix, rows[i], vals, &key, ka, ks, &dup);
        } else {
            /* the rows before these were checked and are as they were
             * (the statement only adds rows): these against them */
            for (int k = 0; k < n && !rc && !dup; k++) {
                WsRow *w = ws_find(ctx->ws, t->id, pks[k], pklens[k]);
                if (w && w->rec) rc = set_put_row(ctx, t, ix, w, vals, &key, ka, ks, &dup);
            }
        }
        if (rc || dup) {
            /* a set that missed keys cannot be trusted by the next call */
            if (sets && *sets && ks != &local) (*sets)->table = 0xFFFFFFFFu;
        }
        /* the statement's rows against the snapshot's entries */
        for (int k = 0; k < n && !rc && !dup; k++) {
            WsRow *w = ws_find(ctx->ws, t->id, pks[k], pklens[k]);
            if (!w || !w->rec) continue;
            bool has_null;
            if ((rc = ws_row_index_key(ctx, t, ix, w, vals, &key, &has_null))) break;
            if (has_null) continue;
            /* The value is locked, so that a transaction writing it
             * meanwhile is waited for (PostgreSQL waits on the unique
             * index entry); then one committed since the snapshot is a
             * duplicate too. */
            bool changed, skipped, moved = false;
            if (ctx->lock_row && !t->temp) {
                if ((rc = ctx->lock_row(ctx, ix->id | FMT_INDEX_EVER, key.data, (u32)key.len, ROWLOCK_UPDATE,
                                        LOCKWAIT_BLOCK, &changed, &skipped)))
                    break;
                StoreStats sst;
                store_stats(ctx->store, &sst);
                moved = sst.head_seq > snap_seq(ctx->snap);
            }
            if ((rc = dup_in(ctx, ctx->snap, t, ix, w, &key, ovals, &okey, &dup))) break;
            if (!dup && moved) {
                Snap *latest;
                if ((rc = store_snap_begin(ctx->store, &latest, ctx->err))) break;
                rc = dup_in(ctx, latest, t, ix, w, &key, ovals, &okey, &dup);
                store_snap_end(latest);
            }
        }
        if (!rc && dup) rc = unique_error(ctx, t, ix, &key, false);
    }
    buf_free(&key);
    buf_free(&okey);
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
                rc = build_index(ctx, ws, t, &t->indexes[x], out, cap);
                if (!rc && t->indexes[x].unique) rc = unique_over_present(ctx, t, &t->indexes[x], true, -1);
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

