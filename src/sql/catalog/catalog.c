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

const TableInfo *resolve_table_present(SqlCtx *ctx, const char *name)
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

int present_tables(SqlCtx *ctx, const TableInfo ***out, int *nout)
{
    const TableInfo **ts;
    int n;
    int rc = store_tables_at(ctx->snap, snap_seq(ctx->snap), ctx->stmt, &ts, &n, ctx->err);
    if (rc) return rc;
    int nws = ctx->ws ? ctx->ws->ntables : 0;
    const TableInfo **all = arena_alloc(ctx->stmt, sizeof(TableInfo *) * (size_t)(n + nws + 1));
    if (!all) return DD_ENOMEM;
    int m = 0;
    for (int i = 0; i < n; i++) {
        const TableInfo *o = ctx->ws ? ws_table(ctx->ws, ts[i]->id) : NULL;
        if (o && o->dropped) continue;
        all[m++] = o ? o : ts[i];
    }
    for (int i = 0; i < nws; i++) {
        const TableInfo *o = ctx->ws->tables[i];
        bool seen = false;
        for (int k = 0; k < m && !seen; k++) seen = all[k]->id == o->id;
        if (!seen && !o->dropped) all[m++] = o;
    }
    *out = all;
    *nout = m;
    return DD_OK;
}
