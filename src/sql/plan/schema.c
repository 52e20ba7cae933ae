/*
 * schema.c - CREATE SCHEMA, DROP SCHEMA, ALTER SCHEMA.
 *
 * A schema is a catalog object (a TableInfo whose utype has kind 's' and
 * nothing but its name), versioned with the catalog like a table, so AS OF
 * a point the schemas of that point exist.  The relations and types in
 * schema s are named "s.name" in the catalog (catalog.h).  public always
 * exists without being an object; DROP SCHEMA public records a marker
 * (kind 'p', named "public") that CREATE SCHEMA public drops again, so the
 * common reset `DROP SCHEMA public CASCADE; CREATE SCHEMA public;` works.
 * pg_catalog is the system's (its relations are not catalog objects).
 *
 * DROP SCHEMA ... CASCADE drops every relation and type in the schema,
 * with what DROP TABLE ... CASCADE drops beside them (views elsewhere that
 * read them, foreign keys that reference them).  ALTER SCHEMA ... RENAME
 * TO gives each object in it its new name; it is refused while SQL text
 * kept in the catalog (a view's query, a DEFAULT, a CHECK) names the
 * schema, as that text would not follow.
 */
#include "plan_int.h"
#include <stdio.h>
#include <string.h>

static int read_only(SqlCtx *ctx, const char *what)
{
    return dd_err(ctx->err, DD_EREAD_ONLY_TXN, -1, "cannot execute %s in a read-only transaction", what);
}

/* The marker of a dropped public schema, or NULL. */
static const TableInfo *public_dropped(SqlCtx *ctx)
{
    const TableInfo *m = resolve_schema_present(ctx, "public");
    return m && m->utype->kind == 'p' ? m : NULL;
}

/* A schema object named name, kind 's' or 'p' (statement arena). */
static TableInfo *schema_object(SqlCtx *ctx, const char *name, char kind)
{
    TableInfo *t = arena_zalloc(ctx->stmt, sizeof(TableInfo));
    UserType *u = arena_zalloc(ctx->stmt, sizeof(UserType));
    if (!t || !u || !(t->name = arena_strdup(ctx->stmt, name))) return NULL;
    u->kind = kind;
    t->utype = u;
    t->id = store_new_table_id(ctx->store);
    t->owner = acl_creator(ctx);
    t->next_col_id = 1;
    return t;
}

static int unacceptable(SqlCtx *ctx, const char *name, int loc)
{
    if (strncmp(name, "pg_", 3) == 0) {
        dd_err(ctx->err, DD_ERESERVED_NAME, loc, "unacceptable schema name \"%s\"", name);
        dd_err_detail(ctx->err, "The prefix \"pg_\" is reserved for system schemas.");
        return DD_ERESERVED_NAME;
    }
    if (strchr(name, '.'))
        return dd_err(ctx->err, DD_EFEATURE, loc, "a schema name holding \".\" is not supported (\"%s\")", name);
    return DD_OK;
}

/* CREATE SCHEMA takes CREATE on the database: its owner's (the bootstrap
 * superuser's) and superusers' alone, as no GRANT ON DATABASE exists. */
static int may_create_schema(SqlCtx *ctx)
{
    const AclWho *w;
    int rc = acl_who(ctx, &w);
    if (rc) return rc;
    for (int i = 0; i < w->nroles; i++)
        if (w->roles[i] == ROLE_BOOTSTRAP_ID) return DD_OK;
    if (w->super) return DD_OK;
    return dd_err(ctx->err, DD_EINSUFFICIENT_PRIVILEGE, -1, "permission denied for database %s",
                  ctx->database ? ctx->database : "driftdb");
}

static int create_schema(SqlCtx *ctx, SchemaStmt *s, Plan *p)
{
    const char *name = s->names[0][0] ? s->names[0] : s->role ? s->role : ctx->role ? ctx->role : ctx->user ? ctx->user : "";
    p->kind = PLAN_CREATE_TABLE;
    int rc = may_create_schema(ctx);
    if (rc) return rc;
    u32 owner;
    if ((rc = acl_new_owner(ctx, s->role, &owner))) return rc;
    if (strcmp(name, "public") == 0) {
        const TableInfo *m = public_dropped(ctx);
        if (m) {
            /* public again: its marker ends */
            p->kind = PLAN_DROP_TABLE;
            p->drop = arena_zalloc(ctx->stmt, sizeof(TableInfo *));
            if (!p->drop) return DD_ENOMEM;
            p->drop[p->ndrop++] = m;
            return DD_OK;
        }
    }
    rc = unacceptable(ctx, name, s->locs[0]);
    if (rc) return rc;
    if (sql_schema_exists(ctx, name)) {
        if (s->if_exists) {
            p->notice = arena_printf(ctx->stmt, "schema \"%s\" already exists, skipping", name);
            p->notice_state = "42P06";
            return p->notice ? DD_OK : DD_ENOMEM;
        }
        return dd_err(ctx->err, DD_EDUPLICATE_SCHEMA, -1, "schema \"%s\" already exists", name);
    }
    p->new_table = schema_object(ctx, name, 's');
    if (!p->new_table) return DD_ENOMEM;
    p->new_table->owner = owner;
    return DD_OK;
}

/* ALTER SCHEMA name OWNER TO role: the public schema's owner is kept on
 * its privileges' object (kind 'q'), made on its first change. */
static int schema_owner(SqlCtx *ctx, SchemaStmt *s, Plan *p)
{
    const char *name = s->names[0];
    p->kind = PLAN_ALTER_TABLE;
    bool public = strcmp(name, "public") == 0;
    if (!sql_schema_exists(ctx, name) || (public && public_dropped(ctx)))
        return dd_err(ctx->err, DD_EUNDEFINED_SCHEMA, s->locs[0], "schema \"%s\" does not exist", name);
    const TableInfo *obj = acl_schema_object(ctx, name);
    TableInfo *t;
    if (!obj && public) {
        t = schema_object(ctx, "public", 'q');
        if (!t) return DD_ENOMEM;
        t->owner = ROLE_BOOTSTRAP_ID;
        p->kind = PLAN_CREATE_TABLE;
    } else if (obj) {
        t = table_copy(ctx->stmt, obj);
        if (!t) return DD_ENOMEM;
    } else {
        return dd_err(ctx->err, DD_EFEATURE, s->locs[0], "schema %s has no owner to change", name);
    }
    int rc = acl_check_owner(ctx, t, s->locs[0]);
    if (rc) return rc;
    u32 owner;
    if ((rc = acl_new_owner(ctx, s->role, &owner))) return rc;
    acl_set_owner(t, owner);
    p->new_table = t;
    return DD_OK;
}

/* The relations (tables, views, sequences) and types of the present in
 * schema `name`: *out in the statement arena. */
static int schema_members(SqlCtx *ctx, const char *name, const TableInfo ***out, int *n)
{
    const TableInfo **rels, **types;
    int nr, ny;
    int rc = present_tables(ctx, &rels, &nr);
    if (!rc) rc = present_types(ctx, &types, &ny);
    if (rc) return rc;
    const TableInfo **v = arena_alloc(ctx->stmt, sizeof(TableInfo *) * (size_t)(nr + ny + 1));
    if (!v) return DD_ENOMEM;
    int k = 0;
    for (int i = 0; i < nr; i++)
        if (!rels[i]->temp && name_in_schema(rels[i]->name, name)) v[k++] = rels[i];
    for (int i = 0; i < ny; i++)
        if (name_in_schema(types[i]->name, name)) v[k++] = types[i];
    *out = v;
    *n = k;
    return DD_OK;
}

static const char *member_kind(const TableInfo *t)
{
    return t->utype ? "type" : t->view_sql ? "view" : t->sequence ? "sequence" : "table";
}

/* 42501 unless the checked role owns schema name (public: its
 * privileges' object, or the bootstrap superuser). */
static int check_schema_owner(SqlCtx *ctx, const char *name, int loc)
{
    const TableInfo *obj = acl_schema_object(ctx, name);
    if (obj) return acl_check_owner(ctx, obj, loc);
    if (strcmp(name, "public") != 0) return DD_OK;
    const AclWho *w;
    int rc = acl_who(ctx, &w);
    if (rc) return rc;
    bool owns = w->super;
    for (int i = 0; i < w->nroles && !owns; i++) owns = w->roles[i] == ROLE_BOOTSTRAP_ID;
    return owns ? DD_OK : dd_err(ctx->err, DD_EINSUFFICIENT_PRIVILEGE, loc, "must be owner of schema public");
}

/* Whether p drops the object of id. */
static bool dropping(const Plan *p, u32 id)
{
    for (int i = 0; i < p->ndrop; i++)
        if (p->drop[i]->id == id) return true;
    return false;
}

/* A type of the schema that a column or a domain outside what p drops
 * uses: 0A000 (DROP TYPE ... CASCADE of a used type is not supported). */
static int types_unused(SqlCtx *ctx, const Plan *p, const char *schema)
{
    const TableInfo **rels, **types;
    int nr, ny;
    int rc = present_tables(ctx, &rels, &nr);
    if (!rc) rc = present_types(ctx, &types, &ny);
    if (rc) return rc;
    for (int d = 0; d < p->ndrop; d++) {
        const TableInfo *u = p->drop[d];
        if (!u->utype) continue;
        for (int i = 0; i < nr; i++) {
            if (dropping(p, rels[i]->id)) continue;
            for (int c = 0; c < rels[i]->ncols; c++) {
                const ColumnInfo *col = &rels[i]->cols[c];
                if (col->dropped) continue;
                if ((col->domain & ~DOMAIN_ARRAY) == u->id || (type_has_etype((TypeId)col->type) && (u32)col->typmod == u->id))
                    return dd_err(ctx->err, DD_EFEATURE, -1,
                                  "DROP SCHEMA %s CASCADE while column \"%s\" of %s \"%s\" outside it has its type %s "
                                  "is not supported (drop or change that column first)",
                                  schema, col->name, member_kind(rels[i]), rels[i]->name, u->name);
            }
        }
        for (int i = 0; i < ny; i++) {
            const UserType *o = types[i]->utype;
            if (dropping(p, types[i]->id) || o->kind != 'd') continue;
            if (o->base_domain == u->id || (type_has_etype((TypeId)o->base_type) && (u32)o->base_typmod == u->id))
                return dd_err(ctx->err, DD_EFEATURE, -1,
                              "DROP SCHEMA %s CASCADE while domain %s outside it is over its type %s is not supported",
                              schema, types[i]->name, u->name);
        }
    }
    return DD_OK;
}

static int drop_schemas(SqlCtx *ctx, SchemaStmt *s, Plan *p)
{
    p->kind = PLAN_DROP_TABLE;
    int cap = 8;
    p->drop = arena_zalloc(ctx->stmt, sizeof(TableInfo *) * (size_t)cap);
    if (!p->drop) return DD_ENOMEM;
    int cascaded = 0;
    Buf detail = BUF_INIT;
    const char *first = NULL;
    for (int i = 0; i < s->n; i++) {
        const char *name = s->names[i];
        const TableInfo *obj = NULL;
        bool exists = strcmp(name, "public") == 0 ? !public_dropped(ctx) : (obj = resolve_schema_present(ctx, name)) != NULL;
        if (exists) {
            int rc = check_schema_owner(ctx, name, s->locs[i]);
            if (rc) {
                buf_free(&detail);
                return rc;
            }
        }
        if (strcmp(name, "pg_catalog") == 0 || strcmp(name, "pg_temp") == 0) {
            buf_free(&detail);
            return dd_err(ctx->err, DD_EDEPENDENT_OBJECTS, s->locs[i],
                          "cannot drop schema %s because it is required by the database system", name);
        }
        if (!exists) {
            if (s->if_exists) {
                p->notice = arena_printf(ctx->stmt, "schema \"%s\" does not exist, skipping", name);
                p->notice_state = "00000";
                continue;
            }
            buf_free(&detail);
            return dd_err(ctx->err, DD_EUNDEFINED_SCHEMA, s->locs[i], "schema \"%s\" does not exist", name);
        }
        const TableInfo **members;
        int nm;
        int rc = schema_members(ctx, name, &members, &nm);
        if (rc) { buf_free(&detail); return rc; }
        if (nm && !s->cascade) {
            for (int k = 0; k < nm; k++)
                buf_printf(&detail, "%s%s %s depends on schema %s", detail.len ? "\n" : "", member_kind(members[k]),
                           members[k]->name, name);
            dd_err(ctx->err, DD_EDEPENDENT_OBJECTS, -1, "cannot drop schema %s because other objects depend on it", name);
            if (buf_ok(&detail)) dd_err_detail(ctx->err, "%s", buf_cstr(&detail));
            dd_err_hint(ctx->err, "Use DROP ... CASCADE to drop the dependent objects too.");
            buf_free(&detail);
            return DD_EDEPENDENT_OBJECTS;
        }
        if (p->ndrop + nm + 1 > cap) {
            while (p->ndrop + nm + 1 > cap) cap *= 2;
            const TableInfo **nd = arena_alloc(ctx->stmt, sizeof(TableInfo *) * (size_t)cap);
            if (!nd) { buf_free(&detail); return DD_ENOMEM; }
            memcpy(nd, p->drop, sizeof(TableInfo *) * (size_t)p->ndrop);
            p->drop = nd;
        }
        for (int k = 0; k < nm; k++)
            if (!dropping(p, members[k]->id)) {
                if (!first) first = arena_printf(ctx->stmt, "%s %s", member_kind(members[k]), members[k]->name);
                p->drop[p->ndrop++] = members[k];
                cascaded++;
            }
        if (obj) p->drop[p->ndrop++] = obj;
        else {
            TableInfo *m = schema_object(ctx, "public", 'p');   /* public's marker */
            if (!m) { buf_free(&detail); return DD_ENOMEM; }
            if (!p->new_table) p->new_table = m;
            else { buf_free(&detail); return dd_err(ctx->err, DD_EINTERNAL, -1, "public named twice"); }
        }
    }
    buf_free(&detail);
    /* what DROP TABLE ... CASCADE drops beside the tables: views that
     * read them, sequences they own, foreign keys that reference them */
    int n0 = p->ndrop;
    DropTableStmt ds;
    memset(&ds, 0, sizeof(ds));
    ds.cascade = true;
    int rc = drop_cascade(ctx, &ds, p);
    for (int i = 0; !rc && i < n0; i++)
        if (!p->drop[i]->view_sql && !p->drop[i]->utype && !p->drop[i]->sequence)
            rc = drop_owned_sequences(ctx, p, p->drop[i]->id, 0);
    for (int i = 0; !rc && i < n0; i++) {
        const TableInfo *t = p->drop[i];
        if (t->view_sql || t->sequence || t->utype) continue;
        char *what = arena_printf(ctx->stmt, "table %s", t->name);
        rc = what ? fk_drop_dependents(ctx, p, t->id, 0, what, true) : DD_ENOMEM;
    }
    if (!rc) rc = types_unused(ctx, p, s->names[0]);
    if (!rc) rc = sequence_drop_defaults(ctx, p);
    if (rc) return rc;
    /* PostgreSQL's notice: what went with the schema */
    int total = cascaded + (p->ndrop - n0);
    if (total == 1 && first) p->notice = arena_printf(ctx->stmt, "drop cascades to %s", first);
    else if (total > 1) p->notice = arena_printf(ctx->stmt, "drop cascades to %d other objects", total);
    if (total) p->notice_state = "00000";
    return DD_OK;
}

/* Whether catalog text names schema `name` as a qualifier ("name." as a
 * word, outside string literals but inside them too: nextval('s.q')). */
static bool text_names_schema(const char *sql, const char *name)
{
    size_t n = strlen(name);
    for (const char *c = sql; c && *c; c++) {
        bool start = c == sql || !(c[-1] == '_' || (c[-1] >= 'a' && c[-1] <= 'z') || (c[-1] >= 'A' && c[-1] <= 'Z') ||
                                   (c[-1] >= '0' && c[-1] <= '9'));
        if (start && strncasecmp(c, name, n) == 0 && c[n] == '.') return true;
        if (start && *c == '"' && strncmp(c + 1, name, n) == 0 && c[n + 1] == '"' && c[n + 2] == '.') return true;
    }
    return false;
}

/* The first relation whose kept SQL text names schema `name`, or NULL. */
static const TableInfo *schema_text_user(const TableInfo *const *all, int n, const char *name)
{
    for (int i = 0; i < n; i++) {
        const TableInfo *r = all[i];
        bool by = r->view_sql && text_names_schema(r->view_sql, name);
        for (int c = 0; c < r->ncols && !by; c++)
            by = !r->cols[c].dropped && ((r->cols[c].default_sql && text_names_schema(r->cols[c].default_sql, name)) ||
                                         (r->cols[c].gen_sql && text_names_schema(r->cols[c].gen_sql, name)));
        for (int c = 0; c < r->nchecks && !by; c++) by = text_names_schema(r->checks[c].expr_sql, name);
        if (r->utype && r->utype->kind == 'd') {
            by = r->utype->default_sql && text_names_schema(r->utype->default_sql, name);
            for (int c = 0; c < r->utype->nchecks && !by; c++) by = text_names_schema(r->utype->checks[c].expr_sql, name);
        }
        if (by) return r;
    }
    return NULL;
}

static int rename_schema(SqlCtx *ctx, SchemaStmt *s, Plan *p)
{
    const char *name = s->names[0], *to = s->new_name;
    p->kind = PLAN_ALTER_TABLE;
    if (strcmp(to, "public") == 0 && sql_schema_exists(ctx, to))
        return dd_err(ctx->err, DD_EDUPLICATE_SCHEMA, -1, "schema \"%s\" already exists", to);
    if (strcmp(name, "public") == 0 || strcmp(to, "public") == 0)
        return dd_err(ctx->err, DD_EFEATURE, s->locs[0], "renaming the schema public, or a schema to public, is not supported");
    const TableInfo *obj = resolve_schema_present(ctx, name);
    if (!obj || obj->utype->kind != 's')
        return dd_err(ctx->err, DD_EUNDEFINED_SCHEMA, s->locs[0], "schema \"%s\" does not exist", name);
    int rc = acl_check_owner(ctx, obj, s->locs[0]);
    if (rc) return rc;
    if ((rc = may_create_schema(ctx))) return rc;
    if ((rc = unacceptable(ctx, to, s->new_loc))) return rc;
    if (sql_schema_exists(ctx, to)) return dd_err(ctx->err, DD_EDUPLICATE_SCHEMA, -1, "schema \"%s\" already exists", to);
    const TableInfo **rels, **types, **members;
    int nr, ny, nm;
    if ((rc = present_tables(ctx, &rels, &nr)) || (rc = present_types(ctx, &types, &ny)) ||
        (rc = schema_members(ctx, name, &members, &nm)))
        return rc;
    const TableInfo *by = schema_text_user(rels, nr, name);
    if (!by) by = schema_text_user(types, ny, name);
    if (by)
        return dd_err(ctx->err, DD_EFEATURE, -1,
                      "renaming schema %s while %s \"%s\" names it in SQL text is not supported (drop that, rename, "
                      "create it again)",
                      name, member_kind(by), by->name);
    for (int i = 0; i < nm; i++) {
        TableInfo *t = plan_alter_version(ctx, p, members[i]);
        if (!t || !(t->name = arena_printf(ctx->stmt, "%s.%s", to, name_base(members[i]->name)))) return DD_ENOMEM;
    }
    TableInfo *t = table_copy(ctx->stmt, obj);
    if (!t || !(t->name = arena_strdup(ctx->stmt, to))) return DD_ENOMEM;
    p->new_table = t;
    return DD_OK;
}

int analyze_schema(SqlCtx *ctx, SchemaStmt *s, Plan *p)
{
    p->tag = s->action == 'c' ? "CREATE SCHEMA" : s->action == 'd' ? "DROP SCHEMA" : "ALTER SCHEMA";
    if (ctx->read_only) return read_only(ctx, p->tag);
    switch (s->action) {
    case 'c': return create_schema(ctx, s, p);
    case 'd': return drop_schemas(ctx, s, p);
    case 'r': return rename_schema(ctx, s, p);
    default: return schema_owner(ctx, s, p);
    }
}
