/*
 * view.c - views: CREATE [OR REPLACE] VIEW, DROP VIEW, a view's reference
 * in FROM planned as a derived table, and the dependencies that keep a
 * view's query valid.
 *
 * A view is a catalog version like a table's (TableInfo with view_sql
 * set), so it is versioned with the catalog: AS OF x reads the view as it
 * was defined at x.  Its query is kept as SQL text and planned again at
 * every use, over the tables of that point: `v FOR SYSTEM_TIME AS OF x`
 * reads every table under v at x (each one that names no point of its
 * own), and so do ranges (ALL, FROM..TO, ...).
 *
 * Dependencies: planning the query at CREATE VIEW records every relation
 * it reads and every column it references (through other views too), in
 * the view's catalog record.  DROP TABLE / DROP VIEW / DROP COLUMN of
 * something a view reads fails with 2BP01 unless CASCADE, which drops the
 * views too; renaming a table or a column a view reads is refused (the
 * view's text names it; PostgreSQL follows the rename, docs list the
 * difference).  A table that gains a column keeps its views' columns: a
 * view over `*` keeps the columns it had, as in PostgreSQL.
 */
#include "plan_int.h"
#include "../catalog/pgcat.h"
#include <stdio.h>
#include <string.h>

#define VIEW_MAX_DEPTH 100   /* views under views (a cycle would never end) */

struct ViewDeps {
    const TableInfo **t;
    ScopeRel **rel;          /* a table's relation (its used[] columns), NULL for a view */
    int n, cap;
    /* the relations the CREATE VIEW's own text names unqualified: where
     * (a position in sql) and which, so that the kept text names them with
     * their schemas (view_qualify) */
    const char *sql;
    int *ref_loc;
    const TableInfo **ref_t;
    int nref, capref;
};

void view_note_ref(SqlCtx *ctx, const TableRef *tr, const TableInfo *t)
{
    struct ViewDeps *d = ctx->view_deps;
    if (!d || ctx->sql != d->sql || strchr(tr->name, '.') || t->temp || tr->loc < 0) return;
    if (d->nref == d->capref) {
        int cap = d->capref ? d->capref * 2 : 8;
        int *nl = arena_alloc(ctx->stmt, sizeof(int) * (size_t)cap);
        const TableInfo **nt = arena_alloc(ctx->stmt, sizeof(*nt) * (size_t)cap);
        if (!nl || !nt) return;   /* the statement then fails on its next allocation */
        if (d->nref) {
            memcpy(nl, d->ref_loc, sizeof(int) * (size_t)d->nref);
            memcpy(nt, d->ref_t, sizeof(*nt) * (size_t)d->nref);
        }
        d->ref_loc = nl;
        d->ref_t = nt;
        d->capref = cap;
    }
    for (int i = 0; i < d->nref; i++)
        if (d->ref_loc[i] == tr->loc) return;   /* planned twice (a subquery planned again) */
    d->ref_loc[d->nref] = tr->loc;
    d->ref_t[d->nref++] = t;
}

/* The end of the identifier that starts at s[i] (as written: "quoted" or
 * plain). */
static size_t ident_end(const char *s, size_t n, size_t i)
{
    if (i < n && s[i] == '"') {
        for (i++; i < n; i++)
            if (s[i] == '"') {
                if (i + 1 < n && s[i + 1] == '"') { i++; continue; }
                return i + 1;
            }
        return n;
    }
    while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
                     s[i] == '_' || s[i] == '$' || (unsigned char)s[i] >= 0x80))
        i++;
    return i;
}

/* The view's query text [start, end) of ctx->sql with every relation it
 * names unqualified written with its schema (public.t), as PostgreSQL's
 * pg_get_viewdef does under pg_dump's empty search_path: the text then
 * means the same relations wherever it is read (a restore). */
static char *view_qualify(SqlCtx *ctx, const struct ViewDeps *d, int start, int end)
{
    Buf b;
    buf_init(&b);
    int at = start;
    for (;;) {
        int k = -1;   /* the next reference after at */
        for (int i = 0; i < d->nref; i++)
            if (d->ref_loc[i] >= at && d->ref_loc[i] < end && (k < 0 || d->ref_loc[i] < d->ref_loc[k])) k = i;
        if (k < 0) break;
        int loc = d->ref_loc[k];
        size_t e = ident_end(ctx->sql, (size_t)end, (size_t)loc);
        buf_append(&b, ctx->sql + at, (size_t)(loc - at));
        const TableInfo *t = d->ref_t[k];
        cat_quote_ident(cat_ns_name(t), &b);
        buf_putc(&b, '.');
        buf_append(&b, ctx->sql + loc, e - (size_t)loc);   /* the name as written */
        at = (int)e;
    }
    buf_append(&b, ctx->sql + at, (size_t)(end - at));
    char *out = buf_ok(&b) ? arena_strndup(ctx->stmt, b.len ? (const char *)b.data : "", b.len) : NULL;
    buf_free(&b);
    return out;
}

void view_note_read(SqlCtx *ctx, const TableInfo *t, ScopeRel *rel)
{
    struct ViewDeps *d = ctx->view_deps;
    if (!d) return;
    if (d->n == d->cap) {
        int cap = d->cap ? d->cap * 2 : 8;
        const TableInfo **nt = arena_alloc(ctx->stmt, sizeof(*nt) * (size_t)cap);
        ScopeRel **nr = arena_alloc(ctx->stmt, sizeof(*nr) * (size_t)cap);
        if (!nt || !nr) return;   /* the statement then fails on its next allocation */
        if (d->n) {
            memcpy(nt, d->t, sizeof(*nt) * (size_t)d->n);
            memcpy(nr, d->rel, sizeof(*nr) * (size_t)d->n);
        }
        d->t = nt;
        d->rel = nr;
        d->cap = cap;
    }
    d->t[d->n] = t;
    d->rel[d->n++] = rel;
}

/* The (relation, column) pairs of d, each once, into v->deps. */
static int deps_pairs(SqlCtx *ctx, const struct ViewDeps *d, TableInfo *v)
{
    int cap = 0;
    for (int i = 0; i < d->n; i++) cap += 1 + (d->rel[i] ? d->t[i]->ncols : 0);
    v->deps = arena_alloc(ctx->stmt, sizeof(u32) * 2 * (size_t)(cap + 1));
    if (!v->deps) return DD_ENOMEM;
    v->ndeps = 0;
    for (int i = 0; i < d->n; i++) {
        const TableInfo *t = d->t[i];
        for (int c = -1; c < (d->rel[i] ? t->ncols : 0); c++) {
            if (c >= 0 && !d->rel[i]->used[c]) continue;
            u32 col = c < 0 ? 0 : t->cols[c].id;
            bool seen = false;
            for (int k = 0; k < v->ndeps && !seen; k++) seen = v->deps[2 * k] == t->id && v->deps[2 * k + 1] == col;
            if (seen) continue;
            v->deps[2 * v->ndeps] = t->id;
            v->deps[2 * v->ndeps + 1] = col;
            v->ndeps++;
        }
    }
    return DD_OK;
}

static bool view_reads(const TableInfo *v, u32 id, u32 col)
{
    for (int k = 0; k < v->ndeps; k++)
        if (v->deps[2 * k] == id && (col == 0 || v->deps[2 * k + 1] == col)) return true;
    return false;
}

/* The first view of the present, other than those in skip[0..nskip), that
 * reads relation id (column col; 0: any of it), or NULL. */
static const TableInfo *first_reader(u32 id, u32 col, const TableInfo *const *skip, int nskip,
                                     const TableInfo **all, int n)
{
    for (int i = 0; i < n; i++) {
        const TableInfo *v = all[i];
        if (!v->view_sql || v->id == id || !view_reads(v, id, col)) continue;
        bool skipped = false;
        for (int k = 0; k < nskip && !skipped; k++) skipped = skip[k]->id == v->id;
        if (!skipped) return v;
    }
    return NULL;
}

int view_drop_dependents(SqlCtx *ctx, Plan *p, u32 id, u32 col, const char *what, bool cascade)
{
    const TableInfo **all;
    int n;
    int rc = present_tables(ctx, &all, &n);
    if (rc) return rc;
    int before = p->ndrop;
    const TableInfo *v;
    Buf detail = BUF_INIT;
    while ((v = first_reader(id, col, p->drop, p->ndrop, all, n))) {
        const TableInfo **nd = arena_alloc(ctx->stmt, sizeof(*nd) * (size_t)(p->ndrop + 1));
        if (!nd) { buf_free(&detail); return DD_ENOMEM; }
        if (p->ndrop) memcpy(nd, p->drop, sizeof(*nd) * (size_t)p->ndrop);
        nd[p->ndrop++] = v;
        p->drop = nd;
        buf_printf(&detail, "%sview %s depends on %s", detail.len ? "\n" : "", v->name, what);
    }
    int added = p->ndrop - before;
    if (added && !cascade) {
        dd_err(ctx->err, DD_EDEPENDENT_OBJECTS, -1, "cannot drop %s because other objects depend on it", what);
        if (buf_ok(&detail)) dd_err_detail(ctx->err, "%s", buf_cstr(&detail));
        dd_err_hint(ctx->err, "Use DROP ... CASCADE to drop the dependent objects too.");
        buf_free(&detail);
        return DD_EDEPENDENT_OBJECTS;
    }
    buf_free(&detail);
    if (added == 1)
        p->notice = arena_printf(ctx->stmt, "drop cascades to view %s", p->drop[before]->name);
    else if (added > 1)
        p->notice = arena_printf(ctx->stmt, "drop cascades to %d other objects", added);
    if (added) p->notice_state = "00000";
    return added && !p->notice ? DD_ENOMEM : DD_OK;
}

int view_check_rename(SqlCtx *ctx, const TableInfo *t, u32 col, const char *what)
{
    const TableInfo **all;
    int n;
    int rc = present_tables(ctx, &all, &n);
    if (rc) return rc;
    const TableInfo *v = first_reader(t->id, col, NULL, 0, all, n);
    if (!v) return DD_OK;
    dd_err(ctx->err, DD_EFEATURE, -1, "cannot rename %s because view \"%s\" uses it", what, v->name);
    dd_err_hint(ctx->err, "Drop the view, rename, and create the view again.");
    return DD_EFEATURE;
}

int view_check_alter_type(SqlCtx *ctx, const TableInfo *t, u32 col, const char *colname)
{
    const TableInfo **all;
    int n;
    int rc = present_tables(ctx, &all, &n);
    if (rc) return rc;
    const TableInfo *v = first_reader(t->id, col, NULL, 0, all, n);
    if (!v) return DD_OK;
    dd_err(ctx->err, DD_EFEATURE, -1, "cannot alter type of a column used by a view or rule");
    dd_err_detail(ctx->err, "rule _RETURN on view %s depends on column \"%s\"", v->name, colname);
    return DD_EFEATURE;
}

int view_not_table(SqlCtx *ctx, const TableInfo *t, int loc, const char *action)
{
    if (!t->view_sql) return DD_OK;
    if (!action) return dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, loc, "\"%s\" is not a table", t->name);
    dd_err(ctx->err, DD_EFEATURE, loc, "cannot %s view \"%s\"", action, t->name);
    dd_err_detail(ctx->err, "Views are not automatically updatable in DriftDB.");
    return DD_EFEATURE;
}

/* ---------------------------------------------------------------- planning */

static void put_ident(Buf *b, const char *s)
{
    buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"') buf_putc(b, '"');
        buf_putc(b, (u8)*s);
    }
    buf_putc(b, '"');
}

/* Parses text (a view's query, or one built around it) into a SELECT. */
static int parse_query(SqlCtx *ctx, const TableInfo *v, const char *text, SelectStmt **out)
{
    Stmt *st = NULL;
    size_t next;
    int rc = parse_statement(text, strlen(text), 0, ctx->stmt, &st, &next, ctx->err);
    if (rc) return rc;
    if (!st || st->kind != STMT_SELECT)
        return dd_err(ctx->err, DD_ECORRUPT, -1, "the query of view \"%s\" is not a query", v->name);
    *out = st->u.select;
    return DD_OK;
}

/*
 * The query of v gives more columns than v has: a * under it now covers
 * columns its tables gained since.  v keeps its own columns: by name when
 * they are the query's names, else the first ones (a view made with a
 * column list).
 */
static int narrow_query(SqlCtx *ctx, const TableInfo *v, char **names, int loc, FromItem *fi)
{
    for (int byname = 1; byname >= 0; byname--) {
        Buf b = BUF_INIT;
        buf_puts(&b, "SELECT ");
        for (int i = 0; i < v->ncols; i++) {
            if (i) buf_puts(&b, ", ");
            put_ident(&b, v->cols[i].name);
        }
        buf_puts(&b, " FROM (");
        buf_puts(&b, v->view_sql);
        buf_puts(&b, ") AS _view");
        for (int i = 0; !byname && i < v->ncols; i++) {
            buf_puts(&b, i ? ", " : "(");
            put_ident(&b, v->cols[i].name);
        }
        if (!byname) buf_putc(&b, ')');
        char *text = buf_ok(&b) ? arena_strndup(ctx->stmt, (const char *)b.data, b.len) : NULL;
        buf_free(&b);
        if (!text) return DD_ENOMEM;
        SelectStmt *sel;
        int rc = parse_query(ctx, v, text, &sel);
        if (!rc) rc = from_derived(ctx, sel, fi->dalias, names, v->ncols, loc, NULL, fi);
        if (!rc || !byname || rc != DD_EUNDEFINED_COLUMN) return rc;
        dd_err_clear(ctx->err);
    }
    return DD_OK;
}

int view_plan(SqlCtx *ctx, const FromItem *vfi, SelectStmt *sel, FromItem *fi)
{
    TemporalKind k = ctx->view_kind;
    u64 a = ctx->view_a, b = ctx->view_b;
    const char *sql = ctx->sql;
    ctx->view_kind = vfi->vkind;
    ctx->view_a = vfi->va;
    ctx->view_b = vfi->vb;
    ctx->sql = vfi->view->view_sql;
    bool no_temp = ctx->no_temp;
    const TableInfo *bound = ctx->view_bound;
    ctx->no_temp = !vfi->view->temp;
    ctx->view_bound = vfi->view->temp ? NULL : vfi->view;
    ctx->view_depth++;
    /* the view's query reads with its owner's rights (acl.h) */
    bool as_set = ctx->acl_as_set;
    u32 as = ctx->acl_as;
    if (!vfi->view->temp) {
        ctx->acl_as_set = true;
        ctx->acl_as = acl_present(ctx, vfi->view)->owner;
    }
    int rc = from_derived(ctx, sel, vfi->dalias, vfi->dcols, vfi->ndcols, vfi->dloc, NULL, fi);
    if (!rc && fi->dplan->ncols > vfi->view->ncols) rc = narrow_query(ctx, vfi->view, vfi->dcols, vfi->dloc, fi);
    ctx->acl_as_set = as_set;
    ctx->acl_as = as;
    ctx->view_depth--;
    ctx->view_bound = bound;
    ctx->no_temp = no_temp;
    ctx->view_kind = k;
    ctx->view_a = a;
    ctx->view_b = b;
    ctx->sql = sql;
    fi->view = vfi->view;
    if (!rc) fi->rels->view = vfi->view;   /* its columns are the view's (RowDescription) */
    fi->vkind = vfi->vkind;
    fi->va = vfi->va;
    fi->vb = vfi->vb;
    return rc;
}

int from_view(SqlCtx *ctx, TableRef *tr, const TableInfo *v, TemporalKind k, u64 a, u64 b, FromItem *fi)
{
    if (ctx->view_depth >= VIEW_MAX_DEPTH)
        return dd_err(ctx->err, DD_EINVALID_OBJECT_DEF, tr->loc, "infinite recursion detected in rules for relation \"%s\"",
                      v->name);
    if (tr->ncol_aliases > v->ncols)
        return dd_err(ctx->err, DD_EINVALID_COLUMN_REF, tr->loc, "table \"%s\" has %d columns available but %d columns specified",
                      tr->alias ? tr->alias : name_base(v->name), v->ncols, tr->ncol_aliases);
    view_note_read(ctx, v, NULL);
    char **names = arena_alloc(ctx->stmt, sizeof(char *) * (size_t)(v->ncols + 1));
    if (!names) return DD_ENOMEM;
    for (int i = 0; i < v->ncols; i++) names[i] = i < tr->ncol_aliases ? tr->col_aliases[i] : v->cols[i].name;
    SelectStmt *sel;
    int rc = parse_query(ctx, v, v->view_sql, &sel);
    if (rc) return rc;
    FromItem vfi;
    memset(&vfi, 0, sizeof(vfi));
    vfi.view = v;
    vfi.vkind = k;
    vfi.va = a;
    vfi.vb = b;
    vfi.dalias = tr->alias ? tr->alias : v->name;
    vfi.dcols = names;
    vfi.ndcols = v->ncols;
    vfi.dloc = tr->loc;
    rc = view_plan(ctx, &vfi, sel, fi);
    /* an error inside the view's query has no place in this statement's text */
    if (rc && ctx->view_depth == 0)   /* a permission error has none (PostgreSQL's) */
        ctx->err->position = tr->loc >= 0 && rc != DD_EINSUFFICIENT_PRIVILEGE ? tr->loc + 1 : 0;
    return rc;
}

/* ---------------------------------------------------------------- DDL */

static int read_only(SqlCtx *ctx, const char *what)
{
    return dd_err(ctx->err, DD_EREAD_ONLY_TXN, -1, "cannot execute %s in a read-only transaction", what);
}

/* OR REPLACE keeps the old view's columns first, by name and type (42P16). */
static int check_replace(SqlCtx *ctx, const TableInfo *old, const TableInfo *v)
{
    if (v->ncols < old->ncols) return dd_err(ctx->err, DD_EINVALID_DEFINITION, -1, "cannot drop columns from view");
    for (int i = 0; i < old->ncols; i++) {
        const ColumnInfo *o = &old->cols[i], *c = &v->cols[i];
        if (strcmp(o->name, c->name) != 0) {
            dd_err(ctx->err, DD_EINVALID_DEFINITION, -1, "cannot change name of view column \"%s\" to \"%s\"", o->name,
                   c->name);
            dd_err_hint(ctx->err, "Use ALTER VIEW ... RENAME COLUMN ... to change name of view column instead.");
            return DD_EINVALID_DEFINITION;
        }
        if (o->type != c->type || o->typmod != c->typmod)
            return dd_err(ctx->err, DD_EINVALID_DEFINITION, -1, "cannot change data type of view column \"%s\" from %s to %s",
                          o->name, type_name((TypeId)o->type), type_name((TypeId)c->type));
    }
    return DD_OK;
}

/* The view's columns: the query's, named by the column list first. */
static int view_columns(SqlCtx *ctx, CreateViewStmt *s, const Plan *q, TableInfo *v)
{
    if (s->ncols > q->ncols)
        return dd_err(ctx->err, DD_ESYNTAX, -1, "CREATE VIEW specifies more column names than columns");
    v->cols = arena_zalloc(ctx->stmt, sizeof(ColumnInfo) * (size_t)(q->ncols + 1));
    if (!v->cols) return DD_ENOMEM;
    for (int i = 0; i < q->ncols; i++) {
        ColumnInfo *c = &v->cols[i];
        c->id = (u32)i + 1;
        c->name = i < s->ncols ? s->cols[i] : (char *)q->cols[i].name;
        if (strlen(c->name) > CAT_MAX_NAME)
            return dd_err(ctx->err, DD_ENAME_TOO_LONG, -1, "column name \"%s\" is too long", c->name);
        for (int k = 0; k < i; k++)
            if (strcmp(v->cols[k].name, c->name) == 0)
                return dd_err(ctx->err, DD_EDUPLICATE_COLUMN, -1, "column \"%s\" specified more than once", c->name);
        TypeId ty = q->cols[i].type;
        if (ty == TYPE_RECORD || ty == type_array_of(TYPE_RECORD))
            return dd_err(ctx->err, DD_EINVALID_DEFINITION, -1, "column \"%s\" has pseudo-type %s", c->name, type_name(ty));
        /* an untyped literal is text in a view, as in PostgreSQL */
        c->type = (u16)(ty == TYPE_UNKNOWN || ty == TYPE_NULLTYPE || q->cols[i].untyped ? TYPE_TEXT : ty);
        c->typmod = q->cols[i].untyped ? -1 : q->cols[i].typmod;
        c->domain = q->cols[i].src_domain;   /* a table's domain column keeps its domain, as PostgreSQL's */
    }
    v->ncols = q->ncols;
    v->next_col_id = (u32)q->ncols + 1;
    return DD_OK;
}

int analyze_create_view(SqlCtx *ctx, CreateViewStmt *s, Plan *p)
{
    if (ctx->read_only) return read_only(ctx, "CREATE VIEW");
    p->kind = PLAN_CREATE_TABLE;
    p->tag = "CREATE VIEW";
    char *written = s->name;
    int rc0 = relation_create_name(ctx, &s->name, s->name_loc, s->temp);
    if (!rc0 && !s->temp) rc0 = acl_check_schema_of(ctx, s->name, ACL_CREATE, -1);   /* CREATE on the schema */
    if (rc0) return rc0;
    const TableInfo *old = s->temp ? resolve_temp_present(ctx, s->name) : resolve_table_present(ctx, written);
    if (old && !old->temp && strcmp(old->name, s->name) != 0) old = NULL;   /* another schema's */
    if (old && old->temp && !s->temp) {
        /* CREATE VIEW without TEMP makes a permanent view, beside a
         * temporary relation of that name (unless it reads a temporary
         * table, below) */
        const TableInfo *perm = resolve_permanent_present(ctx, s->name);
        if (perm || s->or_replace) old = perm;
    }
    if (old && !old->view_sql && s->or_replace)
        return dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, s->name_loc, "\"%s\" is not a view", s->name);
    if ((old && !s->or_replace) || sql_index_name_taken(ctx, s->name))
        return dd_err(ctx->err, DD_EDUPLICATE_TABLE, -1, "relation \"%s\" already exists", s->name);
    if (strcmp(s->name, "drift_commits") == 0)
        return dd_err(ctx->err, DD_ERESERVED_NAME, -1, "relation name \"%s\" is reserved", s->name);
    if (strlen(name_base(s->name)) > CAT_MAX_NAME)
        return dd_err(ctx->err, DD_ENAME_TOO_LONG, s->name_loc, "relation name \"%s\" is too long", s->name);
    struct ViewDeps deps = {.sql = ctx->sql};
    struct ViewDeps *saved = ctx->view_deps;
    ctx->view_deps = &deps;
    /* the query's privileges are its owner's, checked when the view is
     * read (PostgreSQL makes a view over a table its owner cannot read) */
    bool acl_off = ctx->acl_off;
    ctx->acl_off = true;
    Plan *q = arena_zalloc(ctx->stmt, sizeof(Plan));
    int rc = q ? analyze_select(ctx, s->select, q) : DD_ENOMEM;
    ctx->acl_off = acl_off;
    ctx->view_deps = saved;
    if (rc) return rc;
    TableInfo *v = arena_zalloc(ctx->stmt, sizeof(TableInfo));
    if (!v) return DD_ENOMEM;
    v->name = arena_strdup(ctx->stmt, s->name);
    v->view_sql = view_qualify(ctx, &deps, s->body_start, s->body_end);
    if (!v->name || !v->view_sql) return DD_ENOMEM;
    if ((rc = view_columns(ctx, s, q, v)) || (rc = deps_pairs(ctx, &deps, v))) return rc;
    /* A view over a temporary relation is temporary itself (it could not
     * outlive it), with PostgreSQL's notice. */
    v->temp = s->temp;
    for (int i = 0; i < deps.n && !v->temp; i++) v->temp = deps.t[i]->temp;
    if (v->temp) {
        v->on_commit = 'p';
        if (!s->temp) {
            if (strchr(written, '.'))
                return dd_err(ctx->err, DD_EINVALID_DEFINITION, s->name_loc,
                              "cannot create temporary relation in non-temporary schema");
            s->name = v->name = written;
            p->notice = arena_printf(ctx->stmt, "view \"%s\" will be a temporary view", s->name);
            p->notice_state = "00000";
            if (!p->notice) return DD_ENOMEM;
        }
        if (old && !old->temp) old = NULL;   /* it will hide the permanent one */
    }
    if (old) {
        /* a view that would read itself could never be planned */
        if (view_reads(v, old->id, 0))
            return dd_err(ctx->err, DD_EINVALID_OBJECT_DEF, -1, "infinite recursion detected in rules for relation \"%s\"",
                          s->name);
        if ((rc = check_replace(ctx, old, v))) return rc;
        v->id = old->id;
        v->created_seq = old->created_seq;
        p->kind = PLAN_ALTER_TABLE;
    } else {
        v->id = store_new_table_id(ctx->store);
        v->owner = acl_creator(ctx);
    }
    p->new_table = v;
    return DD_OK;
}

int analyze_drop_view(SqlCtx *ctx, DropTableStmt *s, Plan *p)
{
    if (ctx->read_only) return read_only(ctx, "DROP VIEW");
    p->kind = PLAN_DROP_TABLE;
    p->tag = "DROP VIEW";
    p->drop = arena_zalloc(ctx->stmt, sizeof(TableInfo *) * (size_t)(s->n + 1));
    if (!p->drop) return DD_ENOMEM;
    for (int i = 0; i < s->n; i++) {
        const TableInfo *v = resolve_table_present(ctx, s->names[i]);
        if (!v) {
            if (!s->if_exists)
                return dd_err(ctx->err, DD_EUNDEFINED_TABLE, -1, "view \"%s\" does not exist", s->names[i]);
            p->notice = arena_printf(ctx->stmt, "view \"%s\" does not exist, skipping", s->names[i]);
            p->notice_state = "00000";
            continue;
        }
        if (!v->view_sql) {
            dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, -1, "\"%s\" is not a view", v->name);
            dd_err_hint(ctx->err, "Use DROP TABLE to remove a table.");
            return DD_EWRONG_OBJECT_TYPE;
        }
        bool dup = false;
        for (int j = 0; j < p->ndrop && !dup; j++) dup = p->drop[j]->id == v->id;
        if (!dup) p->drop[p->ndrop++] = v;
    }
    return drop_cascade(ctx, s, p);
}

int drop_cascade(SqlCtx *ctx, DropTableStmt *s, Plan *p)
{
    /* the views reading any of them (dropped too: they are skipped) */
    int n = p->ndrop;
    for (int i = 0; i < n; i++) {
        const TableInfo *t = p->drop[i];
        char *what = arena_printf(ctx->stmt, "%s %s", t->view_sql ? "view" : "table", t->name);
        if (!what) return DD_ENOMEM;
        const char *notice = p->notice;
        int before = p->ndrop;
        int rc = view_drop_dependents(ctx, p, t->id, 0, what, s->cascade);
        if (rc) return rc;
        if (p->ndrop == before) p->notice = notice;
    }
    return DD_OK;
}
