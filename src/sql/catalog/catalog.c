/*
 * catalog.c - the system columns and relations, and table names resolved
 * in the present (catalog.h).
 */
#include "catalog.h"
#include <string.h>

const char *const hist_col_names[HIST_COLS] = {
    "system_time_start", "system_time_end", "system_seq_start",
    "system_seq_end", "system_op", "system_end_op",
};
const TypeId hist_col_types[HIST_COLS] = {
    TYPE_TIMESTAMPTZ, TYPE_TIMESTAMPTZ, TYPE_INT8, TYPE_INT8, TYPE_TEXT, TYPE_TEXT,
};

const char *const commits_col_names[COMMITS_COLS] = {
    "seq", "commit_time", "user_name", "application_name", "client_addr", "changes", "hash",
};
const TypeId commits_col_types[COMMITS_COLS] = {
    TYPE_INT8, TYPE_TIMESTAMPTZ, TYPE_TEXT, TYPE_TEXT, TYPE_TEXT, TYPE_INT8, TYPE_TEXT,
};

/* "pg_temp.t" names the temporary relation t: the part after the
 * prefix, else NULL. */
static const char *pg_temp_name(const char *name)
{
    return strncmp(name, "pg_temp.", 8) == 0 ? name + 8 : NULL;
}

const TableInfo *resolve_temp_present(SqlCtx *ctx, const char *name)
{
    const char *n = pg_temp_name(name);
    return ctx->ws && !ctx->no_temp ? ws_temp_by_name(ctx->ws, n ? n : name) : NULL;
}

const TableInfo *resolve_table_present(SqlCtx *ctx, const char *name)
{
    /* pg_temp comes first in PostgreSQL's search_path: a temporary table
     * hides a permanent one of its name, for its session */
    const TableInfo *tt = resolve_temp_present(ctx, name);
    if (tt || pg_temp_name(name)) return tt;
    return resolve_permanent_present(ctx, name);
}

const TableInfo *resolve_permanent_present(SqlCtx *ctx, const char *name)
{
    u64 later = 0;
    const TableInfo *t = store_table_by_name(ctx->snap, name, snap_seq(ctx->snap), &later);
    if (ctx->ws) {
        if (t) {
            const TableInfo *o = ws_table(ctx->ws, t->id);
            if (o) t = o->dropped ? NULL : o;
        }
        if (!t) {
            bool dropped;
            const TableInfo *o = ws_table_by_name(ctx->ws, name, &dropped);
            if (o) t = o;
        }
    }
    return t;
}

static int present_objects(SqlCtx *ctx, bool types, const TableInfo ***out, int *nout);

int present_tables(SqlCtx *ctx, const TableInfo ***out, int *nout)
{
    return present_objects(ctx, false, out, nout);
}

int present_types(SqlCtx *ctx, const TableInfo ***out, int *nout)
{
    return present_objects(ctx, true, out, nout);
}

static int present_objects(SqlCtx *ctx, bool types, const TableInfo ***out, int *nout)
{
    const TableInfo **ts;
    int n;
    int rc = (types ? store_types_at : store_tables_at)(ctx->snap, snap_seq(ctx->snap), ctx->stmt, &ts, &n, ctx->err);
    if (rc) return rc;
    const TableInfo **wts = NULL;
    int nws = 0;
    if (ctx->ws && (rc = ws_all_tables(ctx->ws, ctx->stmt, &wts, &nws))) return rc;
    const TableInfo **all = arena_alloc(ctx->stmt, sizeof(TableInfo *) * (size_t)(n + nws + 1));
    if (!all) return DD_ENOMEM;
    int m = 0;
    for (int i = 0; i < n; i++) {
        const TableInfo *o = ctx->ws ? ws_table(ctx->ws, ts[i]->id) : NULL;
        if (o && o->dropped) continue;
        all[m++] = o ? o : ts[i];
    }
    for (int i = 0; i < nws; i++) {
        const TableInfo *o = wts[i];
        if ((o->utype != NULL) != types) continue;
        bool seen = false;
        for (int k = 0; k < m && !seen; k++) seen = all[k]->id == o->id;
        if (!seen && !o->dropped) all[m++] = o;
    }
    *out = all;
    *nout = m;
    return DD_OK;
}

const TableInfo *resolve_type_present(SqlCtx *ctx, const char *name)
{
    /* under SET drift.system_time, the types of that point (TEMPORAL.md §5) */
    if (ctx->session_point != SEQ_NONE) return store_type_by_name(ctx->snap, name, ctx->session_point);
    const TableInfo *t = store_type_by_name(ctx->snap, name, snap_seq(ctx->snap));
    if (ctx->ws) {
        if (t) {
            const TableInfo *o = ws_table(ctx->ws, t->id);
            if (o) t = o->dropped ? NULL : o;
        }
        for (int i = 0; !t && i < ctx->ws->ntables; i++) {
            const TableInfo *o = ctx->ws->tables[i];
            if (o->utype && !o->dropped && strcmp(o->name, name) == 0) t = o;
        }
    }
    return t;
}

int sql_type_from_name(SqlCtx *ctx, const TypeName *tn, TypeId *t, i32 *typmod, u32 *domain)
{
    *typmod = tn->typmod;
    if (domain) *domain = 0;
    if (type_from_name(tn->name, t)) return type_check_typmod(tn->name, *t, tn->typmod, tn->loc, ctx->err);
    size_t n = strlen(tn->name);
    bool array = n > 2 && strcmp(tn->name + n - 2, "[]") == 0;
    char base[CAT_MAX_NAME + 1];
    while (n > 2 && tn->name[n - 2] == '[' && tn->name[n - 1] == ']') n -= 2;
    const TableInfo *u = NULL;
    if (n < sizeof base) {
        memcpy(base, tn->name, n);
        base[n] = 0;
        u = resolve_type_present(ctx, base);
    }
    if (!u) return dd_err(ctx->err, DD_EUNDEFINED_OBJECT, tn->loc, "type \"%s\" does not exist", tn->name);
    if (array)
        return dd_err(ctx->err, DD_EFEATURE, tn->loc, "arrays of %s types are not supported yet (%s)",
                      u->utype->kind == 'd' ? "domain" : "enum", tn->name);
    if (tn->typmod >= 0)
        return dd_err(ctx->err, DD_ESYNTAX, tn->loc, "type modifier is not allowed for type \"%s\"", u->name);
    if (u->utype->kind == 'd') {
        if (!domain)
            return dd_err(ctx->err, DD_EFEATURE, tn->loc, "a domain is not supported here (%s)", u->name);
        *t = (TypeId)u->utype->base_type;
        *typmod = u->utype->base_typmod;
        *domain = u->id;
        return DD_OK;
    }
    *t = TYPE_ENUM;
    *typmod = (i32)u->id;
    return DD_OK;
}
