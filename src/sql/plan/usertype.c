/*
 * usertype.c - CREATE TYPE ... AS ENUM, ALTER TYPE (ADD VALUE, RENAME
 * VALUE, RENAME TO) and DROP TYPE.
 *
 * A type is a catalog object (TableInfo with `utype` set), versioned and
 * committed with the transaction like a table, in a namespace of its own
 * (store.h).  An enum's labels carry keys that order as the labels do and
 * never change once given: the first labels get 0, 2^32, 2*2^32, ...; a
 * label added at the end gets the last key + 2^32, one added BEFORE or
 * AFTER another the key halfway between its neighbours.  Rows and index
 * keys store the key, so adding or renaming a label rewrites no row.
 * After 32 additions at one place the gap is used up: 0A000 (PostgreSQL
 * renumbers instead, which stored keys cannot follow).
 */
#include "plan_int.h"
#include <string.h>

#define ENUM_KEY_STEP ((i64)1 << 32)
#define ENUM_MAX_LABEL 63   /* NAMEDATALEN - 1 */

static int read_only(SqlCtx *ctx, const char *what)
{
    return dd_err(ctx->err, DD_EREAD_ONLY_TXN, -1, "cannot execute %s in a read-only transaction", what);
}

static int check_label(SqlCtx *ctx, const char *l, int loc)
{
    if (strlen(l) <= ENUM_MAX_LABEL) return DD_OK;
    dd_err(ctx->err, DD_EINVALID_NAME, loc, "invalid enum label \"%s\"", l);
    dd_err_detail(ctx->err, "Labels must be %d bytes or less.", ENUM_MAX_LABEL);
    return DD_EINVALID_NAME;
}

static int find_label(const UserType *u, const char *l)
{
    for (int i = 0; i < u->nlabels; i++)
        if (strcmp(u->labels[i].label, l) == 0) return i;
    return -1;
}

/* Whether name is a built-in type's (int4, text, ...: 42710 for CREATE). */
static bool builtin_type(const char *name)
{
    TypeId t;
    return type_from_name(name, &t);
}

static int create_enum(SqlCtx *ctx, TypeStmt *s, Plan *p)
{
    const char *name = s->names[0];
    p->kind = PLAN_CREATE_TABLE;
    if (resolve_type_present(ctx, name) || builtin_type(name))
        return dd_err(ctx->err, DD_EDUPLICATE_OBJECT, s->locs[0], "type \"%s\" already exists", name);
    if (strlen(name) > CAT_MAX_NAME)
        return dd_err(ctx->err, DD_ENAME_TOO_LONG, s->locs[0], "type name \"%s\" is too long", name);
    TableInfo *t = arena_zalloc(ctx->stmt, sizeof(TableInfo));
    UserType *u = arena_zalloc(ctx->stmt, sizeof(UserType));
    EnumLabel *ls = arena_zalloc(ctx->stmt, sizeof(EnumLabel) * (size_t)(s->nlabels + 1));
    if (!t || !u || !ls || !(t->name = arena_strdup(ctx->stmt, name))) return DD_ENOMEM;
    for (int i = 0; i < s->nlabels; i++) {
        int rc = check_label(ctx, s->labels[i], s->label_locs[i]);
        if (rc) return rc;
        for (int k = 0; k < i; k++)
            if (strcmp(s->labels[k], s->labels[i]) == 0)
                return dd_err(ctx->err, DD_EDUPLICATE_OBJECT, s->label_locs[i], "enum label \"%s\" already exists",
                              s->labels[i]);
        ls[i].key = (i64)i * ENUM_KEY_STEP;
        ls[i].label = s->labels[i];
    }
    u->kind = 'e';
    u->labels = ls;
    u->nlabels = s->nlabels;
    t->utype = u;
    t->id = store_new_table_id(ctx->store);
    t->next_col_id = 1;
    p->new_table = t;
    return DD_OK;
}

/* The columns (of tables and views) whose type is enum `id`: the first
 * one's description into *what ("column m of table t"), their count. */
static int type_users(SqlCtx *ctx, u32 id, const char **what, int *n)
{
    const TableInfo **all;
    int nt;
    int rc = present_tables(ctx, &all, &nt);
    if (rc) return rc;
    *n = 0;
    *what = NULL;
    for (int i = 0; i < nt; i++)
        for (int c = 0; c < all[i]->ncols; c++) {
            const ColumnInfo *col = &all[i]->cols[c];
            if (col->dropped || col->type != TYPE_ENUM || col->typmod != (i32)id) continue;
            if (!*what) {
                *what = arena_printf(ctx->stmt, "column %s of %s %s", col->name, all[i]->view_sql ? "view" : "table",
                                     all[i]->name);
                if (!*what) return DD_ENOMEM;
            }
            (*n)++;
        }
    return DD_OK;
}

static int drop_types(SqlCtx *ctx, TypeStmt *s, Plan *p)
{
    p->kind = PLAN_ALTER_TABLE;
    p->drop = arena_zalloc(ctx->stmt, sizeof(TableInfo *) * (size_t)(s->n + 1));
    if (!p->drop) return DD_ENOMEM;
    for (int i = 0; i < s->n; i++) {
        const TableInfo *t = resolve_type_present(ctx, s->names[i]);
        if (!t) {
            if (builtin_type(s->names[i]))
                return dd_err(ctx->err, DD_EDEPENDENT_OBJECTS, s->locs[i],
                              "cannot drop type %s because it is required by the database system", s->names[i]);
            if (!s->if_exists)
                return dd_err(ctx->err, DD_EUNDEFINED_OBJECT, s->locs[i], "type \"%s\" does not exist", s->names[i]);
            p->notice = arena_printf(ctx->stmt, "type \"%s\" does not exist, skipping", s->names[i]);
            p->notice_state = "00000";
            continue;
        }
        const char *what;
        int n, rc = type_users(ctx, t->id, &what, &n);
        if (rc) return rc;
        if (n && !s->cascade) {
            dd_err(ctx->err, DD_EDEPENDENT_OBJECTS, -1, "cannot drop type %s because other objects depend on it", t->name);
            if (n == 1) dd_err_detail(ctx->err, "%s depends on type %s", what, t->name);
            else dd_err_detail(ctx->err, "%s depends on type %s and %d other objects", what, t->name, n - 1);
            dd_err_hint(ctx->err, "Use DROP ... CASCADE to drop the dependent objects too.");
            return DD_EDEPENDENT_OBJECTS;
        }
        if (n)
            return dd_err(ctx->err, DD_EFEATURE, -1,
                          "DROP TYPE ... CASCADE of a type that columns use is not supported yet (drop the columns first)");
        bool dup = false;
        for (int j = 0; j < p->ndrop && !dup; j++) dup = p->drop[j]->id == t->id;
        if (!dup) p->drop[p->ndrop++] = t;
    }
    return DD_OK;
}

/* ALTER TYPE ... ADD VALUE: the new label's key between its neighbours. */
static int add_value(SqlCtx *ctx, TypeStmt *s, const TableInfo *t0, Plan *p)
{
    const UserType *u0 = t0->utype;
    const char *l = s->labels[0];
    int rc = check_label(ctx, l, s->label_locs[0]);
    if (rc) return rc;
    if (find_label(u0, l) >= 0) {
        if (!s->if_exists)
            return dd_err(ctx->err, DD_EDUPLICATE_OBJECT, s->label_locs[0], "enum label \"%s\" already exists", l);
        p->notice = arena_printf(ctx->stmt, "enum label \"%s\" already exists, skipping", l);
        p->notice_state = "42710";
        return DD_OK;
    }
    int pos = u0->nlabels;   /* the new label goes before index pos */
    if (s->anchor) {
        int a = find_label(u0, s->anchor);
        if (a < 0)
            return dd_err(ctx->err, DD_EINVALID_PARAM, s->anchor_loc, "\"%s\" is not an existing enum label",
                          s->anchor);
        pos = s->before ? a : a + 1;
    }
    i64 key;
    if (u0->nlabels == 0) key = 0;
    else if (pos == u0->nlabels) key = u0->labels[pos - 1].key + ENUM_KEY_STEP;
    else if (pos == 0) key = u0->labels[0].key - ENUM_KEY_STEP;
    else {
        i64 lo = u0->labels[pos - 1].key, hi = u0->labels[pos].key;
        if (hi - lo < 2)
            return dd_err(ctx->err, DD_EFEATURE, s->label_locs[0],
                          "cannot add enum label \"%s\": too many labels were added between \"%s\" and \"%s\"", l,
                          u0->labels[pos - 1].label, u0->labels[pos].label);
        key = lo + (hi - lo) / 2;
    }
    TableInfo *t = table_copy(ctx->stmt, t0);
    EnumLabel *ls = arena_alloc(ctx->stmt, sizeof(EnumLabel) * (size_t)(u0->nlabels + 1));
    if (!t || !ls) return DD_ENOMEM;
    for (int i = 0, k = 0; i <= u0->nlabels; i++) {
        if (i == pos) {
            ls[i].key = key;
            if (!(ls[i].label = arena_strdup(ctx->stmt, l))) return DD_ENOMEM;
        } else {
            ls[i] = t->utype->labels[k++];
        }
    }
    t->utype->labels = ls;
    t->utype->nlabels = u0->nlabels + 1;
    p->new_table = t;
    return DD_OK;
}

static int rename_value(SqlCtx *ctx, TypeStmt *s, const TableInfo *t0, Plan *p)
{
    int i = find_label(t0->utype, s->labels[0]);
    if (i < 0)
        return dd_err(ctx->err, DD_EINVALID_PARAM, s->label_locs[0], "\"%s\" is not an existing enum label",
                      s->labels[0]);
    if (find_label(t0->utype, s->labels[1]) >= 0)
        return dd_err(ctx->err, DD_EDUPLICATE_OBJECT, s->label_locs[1], "enum label \"%s\" already exists",
                      s->labels[1]);
    int rc = check_label(ctx, s->labels[1], s->label_locs[1]);
    if (rc) return rc;
    TableInfo *t = table_copy(ctx->stmt, t0);
    if (!t || !(t->utype->labels[i].label = arena_strdup(ctx->stmt, s->labels[1]))) return DD_ENOMEM;
    p->new_table = t;
    return DD_OK;
}

int analyze_type(SqlCtx *ctx, TypeStmt *s, Plan *p)
{
    static const char *const tags[] = {"CREATE TYPE", "ALTER TYPE", "ALTER TYPE", "ALTER TYPE", "DROP TYPE"};
    p->tag = tags[s->action];
    if (ctx->read_only) return read_only(ctx, p->tag);
    if (s->action == TYPE_CREATE_ENUM) return create_enum(ctx, s, p);
    if (s->action == TYPE_DROP) return drop_types(ctx, s, p);
    p->kind = PLAN_ALTER_TABLE;
    const TableInfo *t0 = resolve_type_present(ctx, s->names[0]);
    if (!t0) return dd_err(ctx->err, DD_EUNDEFINED_OBJECT, s->locs[0], "type \"%s\" does not exist", s->names[0]);
    switch (s->action) {
    case TYPE_ADD_VALUE: return add_value(ctx, s, t0, p);
    case TYPE_RENAME_VALUE: return rename_value(ctx, s, t0, p);
    default: {
        if (resolve_type_present(ctx, s->new_name) || builtin_type(s->new_name))
            return dd_err(ctx->err, DD_EDUPLICATE_OBJECT, s->new_loc, "type \"%s\" already exists", s->new_name);
        if (strlen(s->new_name) > CAT_MAX_NAME)
            return dd_err(ctx->err, DD_ENAME_TOO_LONG, s->new_loc, "type name \"%s\" is too long", s->new_name);
        TableInfo *t = table_copy(ctx->stmt, t0);
        if (!t || !(t->name = arena_strdup(ctx->stmt, s->new_name))) return DD_ENOMEM;
        p->new_table = t;
        return DD_OK;
    }
    }
}
