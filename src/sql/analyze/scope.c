/*
 * scope.c - the scope relation of a table: its visible columns (dropped,
 * pending document columns and the hidden _rowid key unnamed or hidden),
 * then the history columns, hidden from * but selectable by name.
 */
#include "expr.h"
#include "../catalog/catalog.h"
#include <string.h>

int scope_rel_for_table(SqlCtx *ctx, const TableInfo *t, const char *alias, ScopeRel *out)
{
    int n = t->ncols + HIST_COLS;
    memset(out, 0, sizeof(*out));
    /* no alias (or the table's own name): qualified by its name, with or
     * without its schema */
    bool own = !alias || strcmp(alias, t->name) == 0;
    out->alias = own ? name_base(t->name) : alias;
    out->qualname = own ? t->name : NULL;
    out->table = t;
    out->ncols = n;
    out->names = arena_alloc(ctx->stmt, sizeof(char *) * (size_t)n);
    out->types = arena_alloc(ctx->stmt, sizeof(TypeId) * (size_t)n);
    out->typmods = arena_alloc(ctx->stmt, sizeof(i32) * (size_t)n);
    out->hidden = arena_zalloc(ctx->stmt, sizeof(bool) * (size_t)n);
    out->used = arena_zalloc(ctx->stmt, sizeof(bool) * (size_t)n);
    if (!out->names || !out->types || !out->typmods || !out->hidden || !out->used) return DD_ENOMEM;
    for (int i = 0; i < t->ncols; i++) {
        const ColumnInfo *c = &t->cols[i];
        out->names[i] = c->dropped ? "" : c->name;
        out->types[i] = c->type == TYPE_NULLTYPE ? TYPE_TEXT : (TypeId)c->type;
        out->typmods[i] = c->typmod;
        /* a document column named by INDEX(...) appears on first INSERT */
        if (c->pending) out->names[i] = "";
        out->hidden[i] = c->dropped || c->pending || strcmp(c->name, ROWID_COL) == 0;
    }
    for (int i = 0; i < HIST_COLS; i++) {
        out->names[t->ncols + i] = hist_col_names[i];
        out->types[t->ncols + i] = hist_col_types[i];
        out->typmods[t->ncols + i] = -1;
        out->hidden[t->ncols + i] = true;
    }
    return DD_OK;
}
