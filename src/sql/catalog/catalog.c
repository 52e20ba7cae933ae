/*
 * catalog.c - the system columns and relations, and table names resolved
 * in the present (catalog.h).
 */
#include "catalog.h"
#include <stdio.h>
#include <string.h>

const char *const hist_col_names[HIST_COLS] = {
    "system_time_start", "system_time_end", "system_seq_start",
    "system_seq_end", "system_op", "system_end_op",
};
const TypeId hist_col_types[HIST_COLS] = {
    TYPE_TIMESTAMPTZ, TYPE_TIMESTAMPTZ, TYPE_INT8, TYPE_INT8, TYPE_TEXT, TYPE_TEXT,
};

const char *const commits_col_names[COMMITS_COLS] = {
    "seq", "commit_time", "user_name", "application_name", "client_addr", "changes", "hash", "operation",
};
const TypeId commits_col_types[COMMITS_COLS] = {
    TYPE_INT8, TYPE_TIMESTAMPTZ, TYPE_TEXT, TYPE_TEXT, TYPE_TEXT, TYPE_INT8, TYPE_TEXT, TYPE_TEXT,
};

/* "pg_temp.t" names the temporary relation t: the part after the
 * prefix, else NULL. */
static const char *pg_temp_name(const char *name)
{
    return strncmp(name, "pg_temp.", 8) == 0 ? name + 8 : NULL;
}

/* ---- schemas and the search path ---- */

bool name_in_schema(const char *name, const char *schema)
{
    size_t n = strlen(schema);
    if (strcmp(schema, "public") == 0) return strchr(name, '.') == NULL;
    return strncmp(name, schema, n) == 0 && name[n] == '.';
}

const char *name_schema(Arena *a, const char *name)
{
    const char *dot = strchr(name, '.');
    return dot ? arena_strndup(a, name, (size_t)(dot - name)) : "public";
}

bool same_schema(const char *a, const char *b)
{
    const char *da = strchr(a, '.'), *db = strchr(b, '.');
    if (!da || !db) return !da && !db;
    return da - a == db - b && strncmp(a, b, (size_t)(da - a)) == 0;
}

char *name_sibling(Arena *a, const char *catname, const char *base)
{
    const char *dot = strchr(catname, '.');
    return dot ? arena_printf(a, "%.*s.%s", (int)(dot - catname), catname, base) : arena_strdup(a, base);
}

/* The catalog name of `name` in schema `schema` into out (which holds
 * 2 * CAT_MAX_NAME + 2 bytes). */
static void qualify(const char *schema, const char *name, char *out)
{
    if (strcmp(schema, "public") == 0) snprintf(out, 2 * CAT_MAX_NAME + 2, "%s", name);
    else snprintf(out, 2 * CAT_MAX_NAME + 2, "%s.%s", schema, name);
}

/* The search_path setting's next schema name from *pp into out (at most
 * CAT_MAX_NAME bytes, as PostgreSQL truncates identifiers): a quoted name
 * as written ("" for "), an unquoted one lower-cased, "$user" the
 * session's user.  false at the end. */
static bool path_next(SqlCtx *ctx, const char **pp, char out[CAT_MAX_NAME + 1])
{
    const char *p = *pp;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == ',') p++;
    if (!*p) return false;
    size_t n = 0;
    bool quoted = *p == '"';
    if (quoted) {
        for (p++; *p; p++) {
            if (*p == '"') {
                if (p[1] != '"') { p++; break; }
                p++;
            }
            if (n < CAT_MAX_NAME) out[n++] = *p;
        }
    } else {
        for (; *p && *p != ','; p++)
            if (n < CAT_MAX_NAME) out[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        while (n && (out[n - 1] == ' ' || out[n - 1] == '\t' || out[n - 1] == '\n')) n--;
    }
    while (*p && *p != ',') p++;
    out[n] = 0;
    *pp = p;
    if (quoted && strcmp(out, "$user") == 0) snprintf(out, CAT_MAX_NAME + 1, "%s", ctx->role ? ctx->role : ctx->user ? ctx->user : "");
    return true;
}

static const char *search_path_text(SqlCtx *ctx)
{
    const char *v = ctx->setting ? ctx->setting(ctx->session, "search_path") : NULL;
    return v ? v : "\"$user\", public";
}

/* A type or schema (space) called name in the present (snapshot + write
 * set), or at the session's point in time under SET drift.system_time
 * (docs/time-travel.md §5), or NULL. */
static const TableInfo *object_present(SqlCtx *ctx, const char *name, int space)
{
    if (ctx->session_point != SEQ_NONE) return store_object_by_name(ctx->snap, name, ctx->session_point, space);
    const TableInfo *t = store_object_by_name(ctx->snap, name, snap_seq(ctx->snap), space);
    if (ctx->ws) {
        if (t) {
            const TableInfo *o = ws_table(ctx->ws, t->id);
            if (o) t = o->dropped ? NULL : o;
        }
        for (int i = 0; !t && i < ctx->ws->ntables; i++) {
            const TableInfo *o = ctx->ws->tables[i];
            if (cat_space(o) == space && !o->dropped && strcmp(o->name, name) == 0) t = o;
        }
    }
    return t;
}

const TableInfo *resolve_schema_present(SqlCtx *ctx, const char *name)
{
    return object_present(ctx, name, CAT_SPACE_SCHEMA);
}

bool sql_schema_exists(SqlCtx *ctx, const char *name)
{
    const TableInfo *t = strcmp(name, "pg_catalog") == 0 ? NULL : resolve_schema_present(ctx, name);
    if (strcmp(name, "public") == 0) return !t;   /* public exists unless dropped (plan/schema.c) */
    return strcmp(name, "pg_catalog") == 0 || t;
}

int sql_search_path(SqlCtx *ctx, bool implicit, const char ***out, int *n)
{
    const char *p = search_path_text(ctx);
    char name[CAT_MAX_NAME + 1];
    int cap = 2;
    for (const char *q = p; *q; q++) cap += *q == ',';
    const char **v = arena_alloc(ctx->stmt, sizeof(char *) * (size_t)(cap + 1));
    if (!v) return DD_ENOMEM;
    int k = 0;
    bool catalog = false;
    while (path_next(ctx, &p, name)) {
        catalog |= strcmp(name, "pg_catalog") == 0;
        /* information_schema is no catalog object but is searched: its
         * relations are system relations (plan/syscat.c) */
        if (strcmp(name, "pg_temp") == 0 || (!sql_schema_exists(ctx, name) && strcmp(name, "information_schema") != 0))
            continue;
        bool dup = false;
        for (int i = 0; i < k && !dup; i++) dup = strcmp(v[i], name) == 0;
        if (dup) continue;
        if (!(v[k] = arena_strdup(ctx->stmt, name))) return DD_ENOMEM;
        k++;
    }
    if (implicit && !catalog) {
        /* pg_catalog is searched first unless the path places it */
        memmove(v + 1, v, sizeof(char *) * (size_t)k);
        v[0] = "pg_catalog";
        k++;
    }
    *out = v;
    *n = k;
    return DD_OK;
}

int sql_create_name(SqlCtx *ctx, const char *name, int loc, char **out)
{
    const char *dot = strchr(name, '.');
    if (dot) {
        const char *base = dot + 1;
        size_t sn = (size_t)(dot - name);
        if (strchr(base, '.'))
            return dd_err(ctx->err, DD_ESYNTAX, loc, "improper qualified name (too many dotted names): %s", name);
        char schema[CAT_MAX_NAME + 1];
        snprintf(schema, sizeof schema, "%.*s", (int)(sn > CAT_MAX_NAME ? CAT_MAX_NAME : sn), name);
        if (strcmp(schema, "pg_catalog") == 0)
            return dd_err(ctx->err, DD_EINSUFFICIENT_PRIVILEGE, loc, "permission denied to create \"%s\"", name);
        if (!sql_schema_exists(ctx, schema))
            return dd_err(ctx->err, DD_EUNDEFINED_SCHEMA, loc, "schema \"%s\" does not exist", schema);
        *out = arena_strdup(ctx->stmt, strcmp(schema, "public") == 0 ? base : name);
        return *out ? DD_OK : DD_ENOMEM;
    }
    const char *p = search_path_text(ctx);
    char schema[CAT_MAX_NAME + 1];
    while (path_next(ctx, &p, schema)) {
        /* the first schema of the path that exists; pg_catalog is not
         * one to create in, pg_temp only when named */
        if (strcmp(schema, "pg_temp") == 0 || strcmp(schema, "pg_catalog") == 0 || !sql_schema_exists(ctx, schema))
            continue;
        char buf[2 * CAT_MAX_NAME + 2];
        qualify(schema, name, buf);
        *out = arena_strdup(ctx->stmt, buf);
        return *out ? DD_OK : DD_ENOMEM;
    }
    return dd_err(ctx->err, DD_EUNDEFINED_SCHEMA, loc, "no schema has been selected to create in");
}

int relation_create_name(SqlCtx *ctx, char **name, int loc, bool temp)
{
    if (temp) {
        const char *dot = strchr(*name, '.');
        if (dot) {
            char schema[CAT_MAX_NAME + 1];
            snprintf(schema, sizeof schema, "%.*s", (int)(dot - *name > CAT_MAX_NAME ? CAT_MAX_NAME : dot - *name), *name);
            if (!sql_schema_exists(ctx, schema))
                return dd_err(ctx->err, DD_EUNDEFINED_SCHEMA, loc, "schema \"%s\" does not exist", schema);
        }
        if (dot)
            return dd_err(ctx->err, DD_EINVALID_DEFINITION, loc, "cannot create temporary relation in non-temporary schema");
        return DD_OK;
    }
    return sql_create_name(ctx, *name, loc, name);
}

/* Under a permanent view's query, an unqualified name first means the
 * relation of that name the view read at CREATE VIEW (its dependencies,
 * by id), as PostgreSQL binds a view to its relations: another session's
 * search_path does not move it.  The catalog name to look up, or NULL. */
static const char *view_bound_name(SqlCtx *ctx, const char *name)
{
    const TableInfo *v = ctx->view_bound;
    const char *found = NULL;
    for (int i = 0; v && i < v->ndeps; i++) {
        if (v->deps[2 * i + 1] != 0) continue;
        const TableInfo *t = store_object_latest(ctx->store, v->deps[2 * i]);
        if (!t || t->dropped || cat_space(t) != CAT_SPACE_REL || strcmp(name_base(t->name), name) != 0) continue;
        if (found && strcmp(found, t->name) != 0) return NULL;   /* two of that name: the search path decides */
        found = t->name;
    }
    return found;
}

const TableInfo *resolve_in_path(SqlCtx *ctx, const char *name, NameLookup fn, void *arg)
{
    if (strncmp(name, "public.", 7) == 0) return fn(ctx, name + 7, arg);   /* public's names are plain */
    if (strchr(name, '.')) return fn(ctx, name, arg);
    const char *bound = view_bound_name(ctx, name);
    if (bound) {
        const TableInfo *t = fn(ctx, bound, arg);
        if (t) return t;
    }
    const char *p = search_path_text(ctx);
    char schema[CAT_MAX_NAME + 1], buf[2 * CAT_MAX_NAME + 2];
    while (path_next(ctx, &p, schema)) {
        if (strcmp(schema, "pg_temp") == 0 || strcmp(schema, "pg_catalog") == 0) continue;
        qualify(schema, name, buf);
        const TableInfo *t = fn(ctx, buf, arg);
        if (t) return t;
    }
    return NULL;
}

const TableInfo *resolve_temp_present(SqlCtx *ctx, const char *name)
{
    const char *n = pg_temp_name(name);
    return ctx->ws && !ctx->no_temp ? ws_temp_by_name(ctx->ws, n ? n : name) : NULL;
}

static const TableInfo *permanent_fn(SqlCtx *ctx, const char *name, void *arg)
{
    DD_UNUSED(arg);
    return resolve_permanent_present(ctx, name);
}

const TableInfo *resolve_table_present(SqlCtx *ctx, const char *name)
{
    /* pg_temp comes first in PostgreSQL's search_path: a temporary table
     * hides a permanent one of its name, for its session */
    const TableInfo *tt = resolve_temp_present(ctx, name);
    if (tt || pg_temp_name(name)) return tt;
    return resolve_in_path(ctx, name, permanent_fn, NULL);
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

struct AtArg { u64 seq, later; };

static const TableInfo *at_fn(SqlCtx *ctx, const char *name, void *arg)
{
    struct AtArg *a = arg;
    u64 later = 0;
    const TableInfo *t = store_table_by_name(ctx->snap, name, a->seq, &later);
    if (!a->later) a->later = later;
    return t;
}

const TableInfo *resolve_table_at(SqlCtx *ctx, const char *name, u64 seq, u64 *created_later)
{
    struct AtArg a = {seq, 0};
    const TableInfo *t = resolve_in_path(ctx, name, at_fn, &a);
    if (created_later) *created_later = t ? 0 : a.later;
    return t;
}

static int present_objects(SqlCtx *ctx, bool types, const TableInfo ***out, int *nout);

int present_tables(SqlCtx *ctx, const TableInfo ***out, int *nout)
{
    return present_objects(ctx, false, out, nout);
}

const TableInfo *resolve_role(SqlCtx *ctx, const char *name)
{
    const TableInfo *t = object_present(ctx, name, CAT_SPACE_ROLE);
    if (t || strcmp(name, store_owner(ctx->store)) != 0) return t;
    /* the bootstrap superuser, unless a version of it says otherwise */
    u64 seq = ctx->session_point != SEQ_NONE ? ctx->session_point : snap_seq(ctx->snap);
    if (store_table_version(ctx->snap, ROLE_BOOTSTRAP_ID, seq)) return NULL;
    if (ctx->session_point == SEQ_NONE && ctx->ws && ws_table(ctx->ws, ROLE_BOOTSTRAP_ID)) return NULL;
    return store_role_by_name(ctx->snap, name, seq, ctx->stmt);
}

const TableInfo *resolve_role_id(SqlCtx *ctx, u32 id)
{
    u64 seq = ctx->session_point != SEQ_NONE ? ctx->session_point : snap_seq(ctx->snap);
    const TableInfo *t = ctx->session_point == SEQ_NONE && ctx->ws ? ws_table(ctx->ws, id) : NULL;
    if (!t) t = store_table_version(ctx->snap, id, seq);
    /* the bootstrap superuser has no version until ALTER ROLE makes one */
    if (!t && id == ROLE_BOOTSTRAP_ID) return store_role_by_name(ctx->snap, store_owner(ctx->store), seq, ctx->stmt);
    return t && !t->dropped && t->utype && t->utype->role ? t : NULL;
}

const TableInfo *resolve_current_role(SqlCtx *ctx)
{
    const char *name = ctx->role ? ctx->role : ctx->user ? ctx->user : store_owner(ctx->store);
    bool by_id = ctx->role ? ctx->role_known : ctx->user_known;
    u64 sp = ctx->session_point;
    ctx->session_point = SEQ_NONE;
    const TableInfo *r = by_id ? resolve_role_id(ctx, ctx->role ? ctx->role_id : ctx->user_id) : resolve_role(ctx, name);
    ctx->session_point = sp;
    return r;
}

int present_roles(SqlCtx *ctx, const TableInfo ***out, int *nout)
{
    const TableInfo **ts;
    int n;
    u64 seq = ctx->session_point != SEQ_NONE ? ctx->session_point : snap_seq(ctx->snap);
    int rc = store_roles_at(ctx->snap, seq, ctx->stmt, &ts, &n, ctx->err);
    if (rc) return rc;
    const TableInfo **wts = NULL;
    int nws = 0;
    bool ws = ctx->ws && ctx->session_point == SEQ_NONE;
    if (ws && (rc = ws_all_tables(ctx->ws, ctx->stmt, &wts, &nws))) return rc;
    const TableInfo **all = arena_alloc(ctx->stmt, sizeof(TableInfo *) * (size_t)(n + nws + 1));
    if (!all) return DD_ENOMEM;
    int m = 0;
    for (int i = 0; i < n; i++) {
        const TableInfo *o = ws ? ws_table(ctx->ws, ts[i]->id) : NULL;
        if (o && o->dropped) continue;
        all[m++] = o ? o : ts[i];
    }
    for (int i = 0; i < nws; i++) {
        const TableInfo *o = wts[i];
        if (cat_space(o) != CAT_SPACE_ROLE || o->dropped) continue;
        bool seen = false;
        for (int k = 0; k < m && !seen; k++) seen = all[k]->id == o->id;
        if (!seen) all[m++] = o;
    }
    *out = all;
    *nout = m;
    return DD_OK;
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
        if (cat_space(o) != (types ? CAT_SPACE_TYPE : CAT_SPACE_REL)) continue;
        bool seen = false;
        for (int k = 0; k < m && !seen; k++) seen = all[k]->id == o->id;
        if (!seen && !o->dropped) all[m++] = o;
    }
    *out = all;
    *nout = m;
    return DD_OK;
}

static const TableInfo *type_fn(SqlCtx *ctx, const char *name, void *arg)
{
    DD_UNUSED(arg);
    return resolve_type_exact(ctx, name);
}

const TableInfo *resolve_type_present(SqlCtx *ctx, const char *name)
{
    return resolve_in_path(ctx, name, type_fn, NULL);
}

const TableInfo *resolve_type_exact(SqlCtx *ctx, const char *name)
{
    return object_present(ctx, name, CAT_SPACE_TYPE);
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
    if (tn->typmod >= 0)
        return dd_err(ctx->err, DD_ESYNTAX, tn->loc, "type modifier is not allowed for type \"%s\"", u->name);
    if (u->utype->kind == 'd') {
        if (!domain)
            return dd_err(ctx->err, DD_EFEATURE, tn->loc, "a domain is not supported here (%s)", u->name);
        *t = (TypeId)u->utype->base_type;
        *typmod = u->utype->base_typmod;
        *domain = u->id;
        if (array) {
            /* d[]: the array of d's base, each element a d */
            if (type_is_array(*t) || !type_has_array(*t))
                return dd_err(ctx->err, DD_EFEATURE, tn->loc, "arrays of domain %s over type %s are not supported",
                              u->name, type_name(*t));
            *t = type_array_of(*t);
            *domain |= DOMAIN_ARRAY;
        }
        return DD_OK;
    }
    *t = array ? type_array_of(TYPE_ENUM) : TYPE_ENUM;   /* mood[], mood[][]: one type */
    *typmod = (i32)u->id;
    return DD_OK;
}
