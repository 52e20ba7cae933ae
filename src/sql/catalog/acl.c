/*
 * acl.c - owners and privileges: what a role holds on an object and the
 * checks statements make (acl.h).
 *
 * Invariants:
 *   - Rights are read in the present (snapshot + write set), never at
 *     SET drift.system_time's point or a FOR SYSTEM_TIME point.
 *   - A check never fails for a superuser, nor for a temporary relation
 *     (the session's own) or a system relation (readable by all, as in
 *     PostgreSQL).
 *   - The roles and the checked role's closure are read once per
 *     statement (ctx->aclc).
 */
#include "acl.h"
#include "../txn/writeset.h"
#include "../../store/format.h"
#include <string.h>

typedef struct AclCache {
    const TableInfo **roles;
    int nroles;
    bool cur_ready, as_ready;
    AclWho cur, as;
} AclCache;

char acl_kind(const TableInfo *t)
{
    if (!t->utype) return t->sequence ? 'S' : 'r';
    switch (t->utype->kind) {
    case 's': case 'p': case 'q': return 'n';
    case 'e': case 'd': return 'T';
    default: return 0;
    }
}

u32 acl_all_of(char kind)
{
    switch (kind) {
    case 'r': return ACL_ALL_TABLE;
    case 'S': return ACL_ALL_SEQUENCE;
    case 'n': return ACL_ALL_SCHEMA;
    case 'T': return ACL_ALL_TYPE;
    default: return 0;
    }
}

int acl_items(Arena *a, const TableInfo *t, const AclItem **out, int *n)
{
    if (t->has_acl) {
        *out = t->acl;
        *n = t->nacl;
        return DD_OK;
    }
    /* PostgreSQL's acldefault: PUBLIC's (a type's USAGE; the public
     * schema's USAGE) first, then the owner's */
    AclItem *v = arena_zalloc(a, sizeof(AclItem) * 2);
    if (!v) return DD_ENOMEM;
    char k = acl_kind(t);
    int m = 0;
    bool public_schema = t->utype && t->utype->kind == 'q';
    if (k == 'T' || public_schema) v[m++] = (AclItem){ACL_PUBLIC, t->owner, ACL_USAGE, 0};
    v[m++] = (AclItem){t->owner, t->owner, acl_all_of(k), 0};
    if (public_schema) {   /* PostgreSQL 15 shows the owner's first */
        AclItem x = v[0];
        v[0] = v[1];
        v[1] = x;
    }
    *out = v;
    *n = m;
    return DD_OK;
}

static AclCache *cache(SqlCtx *ctx)
{
    if (!ctx->aclc) ctx->aclc = arena_zalloc(ctx->stmt, sizeof(AclCache));
    return ctx->aclc;
}

/* The roles of the present (never of drift.system_time's point). */
static int roles_now(SqlCtx *ctx, const TableInfo ***v, int *n)
{
    AclCache *c = cache(ctx);
    if (!c) return DD_ENOMEM;
    if (!c->roles) {
        u64 sp = ctx->session_point;
        ctx->session_point = SEQ_NONE;
        int rc = present_roles(ctx, &c->roles, &c->nroles);
        ctx->session_point = sp;
        if (rc) return rc;
    }
    *v = c->roles;
    *n = c->nroles;
    return DD_OK;
}

static const TableInfo *role_by_id(SqlCtx *ctx, u32 id)
{
    const TableInfo **rs;
    int n;
    if (roles_now(ctx, &rs, &n)) return NULL;
    for (int i = 0; i < n; i++)
        if (rs[i]->id == id) return rs[i];
    return NULL;
}

const char *acl_role_name(SqlCtx *ctx, u32 role)
{
    const TableInfo *r = role_by_id(ctx, role);
    return r ? r->name : NULL;
}

int acl_role_id(SqlCtx *ctx, const char *name, u32 *id, bool *found)
{
    const TableInfo **rs;
    int n;
    int rc = roles_now(ctx, &rs, &n);
    if (rc) return rc;
    *found = false;
    for (int i = 0; i < n && !*found; i++)
        if (strcmp(rs[i]->name, name) == 0) {
            *id = rs[i]->id;
            *found = true;
        }
    return DD_OK;
}

int acl_who_of(SqlCtx *ctx, u32 role, AclWho *out, bool *found)
{
    const TableInfo **rs;
    int n;
    int rc = roles_now(ctx, &rs, &n);
    if (rc) return rc;
    memset(out, 0, sizeof *out);
    const TableInfo *r = NULL;
    for (int i = 0; i < n && !r; i++)
        if (rs[i]->id == role) r = rs[i];
    *found = r != NULL;
    if (!r) return DD_OK;
    out->id = role;
    out->name = r->name;
    out->super = (r->utype->role->flags & FMT_ROLE_SUPER) != 0;
    return store_role_closure(rs, n, role, true, ctx->stmt, &out->roles, &out->nroles);
}

int acl_who(SqlCtx *ctx, const AclWho **out)
{
    AclCache *c = cache(ctx);
    if (!c) return DD_ENOMEM;
    bool found;
    int rc;
    if (ctx->acl_as_set) {
        if (!c->as_ready || c->as.id != ctx->acl_as) {
            if ((rc = acl_who_of(ctx, ctx->acl_as, &c->as, &found))) return rc;
            if (!found) return dd_err(ctx->err, DD_EINSUFFICIENT_PRIVILEGE, -1, "permission denied: the owner of a view does not exist");
            c->as_ready = true;
        }
        *out = &c->as;
        return DD_OK;
    }
    if (!c->cur_ready) {
        /* by id when the session knows it: a role renamed, or dropped and
         * made anew under its name, is not the session's */
        const TableInfo *r = resolve_current_role(ctx);
        if (!r)   /* dropped by another session meanwhile */
            return dd_err(ctx->err, DD_EINSUFFICIENT_PRIVILEGE, -1, "permission denied: role \"%s\" does not exist",
                          ctx->role ? ctx->role : ctx->user ? ctx->user : store_owner(ctx->store));
        /* a superuser needs no closure: found alone (the common case,
         * which every statement pays) */
        if (r->utype->role->flags & FMT_ROLE_SUPER) {
            c->cur.id = r->id;
            c->cur.name = r->name;
            c->cur.super = true;
            c->cur.roles = &c->cur.id;
            c->cur.nroles = 1;
            c->cur_ready = true;
            *out = &c->cur;
            return DD_OK;
        }
        if ((rc = acl_who_of(ctx, r->id, &c->cur, &found))) return rc;
        c->cur_ready = true;
    }
    *out = &c->cur;
    return DD_OK;
}

u32 acl_creator(SqlCtx *ctx)
{
    const AclWho *w;
    DdError saved = *ctx->err;
    if (acl_who(ctx, &w)) {
        *ctx->err = saved;
        return ROLE_BOOTSTRAP_ID;
    }
    return w->id;
}

const TableInfo *acl_present(SqlCtx *ctx, const TableInfo *t)
{
    const TableInfo *p = ctx->ws ? ws_table(ctx->ws, t->id) : NULL;
    if (!p && !t->temp) p = store_table_version(ctx->snap, t->id, snap_seq(ctx->snap));
    return p ? p : t;
}

static bool has_role(const AclWho *w, u32 role)
{
    for (int i = 0; i < w->nroles; i++)
        if (w->roles[i] == role) return true;
    return false;
}

u32 acl_mask(SqlCtx *ctx, const AclWho *w, const TableInfo *t, u32 want)
{
    if (w->super) return want;
    t = acl_present(ctx, t);
    if (!t->has_acl) {   /* the defaults (acl_items), without making them */
        char k = acl_kind(t);
        u32 held = has_role(w, t->owner) ? acl_all_of(k) : 0;
        if (k == 'T' || (t->utype && t->utype->kind == 'q')) held |= ACL_USAGE;
        return held & want;
    }
    const AclItem *v = t->acl;
    int n = t->nacl;
    u32 held = 0;
    for (int i = 0; i < n; i++)
        if (v[i].grantee == ACL_PUBLIC || has_role(w, v[i].grantee)) held |= v[i].privs;
    return held & want;
}

u32 acl_grant_mask(SqlCtx *ctx, const AclWho *w, const TableInfo *t, u32 want)
{
    if (w->super || acl_owns(ctx, w, t)) return want;
    t = acl_present(ctx, t);
    u32 held = 0;
    for (int i = 0; t->has_acl && i < t->nacl; i++)
        if (has_role(w, t->acl[i].grantee)) held |= t->acl[i].grant;
    return held & want;
}

bool acl_owns(SqlCtx *ctx, const AclWho *w, const TableInfo *t)
{
    return w->super || has_role(w, acl_present(ctx, t)->owner);
}

/* PostgreSQL's word for an object of t's kind in messages. */
static const char *kind_word(const TableInfo *t)
{
    if (t->view_sql) return "view";
    if (t->sequence) return "sequence";
    if (!t->utype) return "table";
    switch (t->utype->kind) {
    case 's': case 'p': case 'q': return "schema";
    case 'd': return "domain";
    default: return "type";
    }
}

static bool unchecked(SqlCtx *ctx, const TableInfo *t) { return t->temp || ctx->acl_off; }

/* PostgreSQL's permission errors name the object, not a place in the
 * statement (loc is kept for the callers' sake). */
static int denied(SqlCtx *ctx, const TableInfo *t, int loc)
{
    DD_UNUSED(loc);
    return dd_err(ctx->err, DD_EINSUFFICIENT_PRIVILEGE, -1, "permission denied for %s %s", kind_word(t),
                  name_base(t->name));
}

int acl_check(SqlCtx *ctx, const TableInfo *t, u32 want, int loc)
{
    if (unchecked(ctx, t)) return DD_OK;
    const AclWho *w;
    int rc = acl_who(ctx, &w);
    if (rc) return rc;
    return acl_mask(ctx, w, t, want) == want ? DD_OK : denied(ctx, t, loc);
}

int acl_check_any(SqlCtx *ctx, const TableInfo *t, u32 want, int loc)
{
    if (unchecked(ctx, t)) return DD_OK;
    const AclWho *w;
    int rc = acl_who(ctx, &w);
    if (rc) return rc;
    return acl_mask(ctx, w, t, want) ? DD_OK : denied(ctx, t, loc);
}

/* acl_who that leaves *ctx->err as it was (NULL when it failed): for the
 * questions asked while an error is being made, or that only filter. */
static const AclWho *who_quiet(SqlCtx *ctx)
{
    const AclWho *w;
    DdError saved = *ctx->err;
    if (acl_who(ctx, &w)) {
        *ctx->err = saved;
        return NULL;
    }
    return w;
}

bool acl_owns_checked(SqlCtx *ctx, const TableInfo *t)
{
    const AclWho *w = who_quiet(ctx);
    return w && acl_owns(ctx, w, t);
}

bool acl_can(SqlCtx *ctx, const TableInfo *t, u32 want)
{
    if (unchecked(ctx, t)) return true;
    const AclWho *w = who_quiet(ctx);
    return w && acl_mask(ctx, w, t, want) == want;
}

int acl_check_owner(SqlCtx *ctx, const TableInfo *t, int loc)
{
    if (unchecked(ctx, t)) return DD_OK;
    const AclWho *w;
    int rc = acl_who(ctx, &w);
    if (rc) return rc;
    if (acl_owns(ctx, w, t)) return DD_OK;
    DD_UNUSED(loc);
    return dd_err(ctx->err, DD_EINSUFFICIENT_PRIVILEGE, -1, "must be owner of %s %s", kind_word(t), name_base(t->name));
}

const TableInfo *acl_schema_object(SqlCtx *ctx, const char *schema)
{
    if (strcmp(schema, "public") != 0) {
        const TableInfo *s = resolve_schema_present(ctx, schema);
        return s && s->utype->kind == 's' ? s : NULL;
    }
    const TableInfo *q = NULL;
    if (ctx->ws) {
        const TableInfo **v;
        int n;
        if (ws_all_tables(ctx->ws, ctx->stmt, &v, &n) == DD_OK)
            for (int i = 0; i < n && !q; i++)
                if (v[i]->utype && v[i]->utype->kind == 'q') q = v[i];
    }
    return q ? q : store_object_by_name(ctx->snap, "public", snap_seq(ctx->snap), CAT_SPACE_ACL);
}

int acl_check_schema_of(SqlCtx *ctx, const char *name, u32 want, int loc)
{
    DD_UNUSED(loc);
    if (ctx->acl_off) return DD_OK;
    const char *dot = strchr(name, '.');
    char schema[CAT_MAX_NAME * 2 + 2];
    if (dot) {
        size_t k = (size_t)(dot - name);
        if (k >= sizeof schema) k = sizeof schema - 1;
        memcpy(schema, name, k);
        schema[k] = 0;
    } else {
        strcpy(schema, "public");
    }
    if (strcmp(schema, "pg_catalog") == 0 || strcmp(schema, "information_schema") == 0 || strcmp(schema, "pg_temp") == 0)
        return want & ACL_CREATE ? dd_err(ctx->err, DD_EINSUFFICIENT_PRIVILEGE, -1, "permission denied for schema %s", schema)
                                 : DD_OK;
    const AclWho *w;
    int rc = acl_who(ctx, &w);
    if (rc) return rc;
    if (w->super) return DD_OK;
    const TableInfo *s = acl_schema_object(ctx, schema);
    u32 held;
    if (s) {
        held = acl_mask(ctx, w, s, want);
    } else if (strcmp(schema, "public") == 0) {
        /* public with PostgreSQL 15's defaults: its owner (the bootstrap
         * superuser, DriftDB's database owner) UC, PUBLIC U */
        held = (has_role(w, ROLE_BOOTSTRAP_ID) ? ACL_ALL_SCHEMA : ACL_USAGE) & want;
    } else {
        return DD_OK;   /* no such schema: the lookup's own error follows */
    }
    return held == want ? DD_OK
                        : dd_err(ctx->err, DD_EINSUFFICIENT_PRIVILEGE, -1, "permission denied for schema %s", schema);
}

int acl_new_owner(SqlCtx *ctx, const char *name, u32 *id)
{
    const AclWho *w;
    int rc = acl_who(ctx, &w);
    if (rc) return rc;
    if (!name) {
        *id = w->id;
        return DD_OK;
    }
    bool found;
    if (strcmp(name, "pg_database_owner") == 0) {
        *id = ROLE_BOOTSTRAP_ID;
        found = true;
    } else if ((rc = acl_role_id(ctx, name, id, &found))) {
        return rc;
    }
    if (!found) return dd_err(ctx->err, DD_EUNDEFINED_OBJECT, -1, "role \"%s\" does not exist", name);
    if (w->super) return DD_OK;
    const TableInfo **rs;
    u32 *all;
    int n;
    if ((rc = roles_now(ctx, &rs, &n))) return rc;
    if ((rc = store_role_closure(rs, n, w->id, false, ctx->stmt, &all, &n))) return rc;
    for (int i = 0; i < n; i++)
        if (all[i] == *id) return DD_OK;
    return dd_err(ctx->err, DD_EINSUFFICIENT_PRIVILEGE, -1, "must be member of role \"%s\"", name);
}

void acl_set_owner(TableInfo *t, u32 owner)
{
    for (int i = 0; t->has_acl && i < t->nacl; i++) {
        if (t->acl[i].grantee == t->owner) t->acl[i].grantee = owner;
        if (t->acl[i].grantor == t->owner) t->acl[i].grantor = owner;
    }
    /* items that became one grantee's from one grantor merge, the first
     * keeping its place (PostgreSQL's aclnewowner) */
    int m = 0;
    for (int i = 0; t->has_acl && i < t->nacl; i++) {
        int k = 0;
        while (k < m && !(t->acl[k].grantee == t->acl[i].grantee && t->acl[k].grantor == t->acl[i].grantor)) k++;
        if (k < m) {
            t->acl[k].privs |= t->acl[i].privs;
            t->acl[k].grant |= t->acl[i].grant;
        } else {
            t->acl[m++] = t->acl[i];
        }
    }
    if (t->has_acl) t->nacl = m;
    t->owner = owner;
}

static void depends_line(const TableInfo *t, u32 role, Buf *detail, int *n)
{
    bool owns = t->owner == role;
    bool privs = false;
    for (int i = 0; t->has_acl && i < t->nacl && !privs; i++)
        privs = (t->acl[i].grantee == role || t->acl[i].grantor == role) && !(owns && t->acl[i].grantee == role);
    const char *name = t->utype && t->utype->kind == 'q' ? "public" : name_base(t->name);
    if (owns) {
        buf_printf(detail, "%sowner of %s %s", *n ? "\n" : "", kind_word(t), name);
        (*n)++;
    }
    if (privs) {
        buf_printf(detail, "%sprivileges for %s %s", *n ? "\n" : "", kind_word(t), name);
        (*n)++;
    }
}

int acl_role_dependents(SqlCtx *ctx, u32 role, Buf *detail, int *n)
{
    const TableInfo **v;
    int nv, rc;
    *n = 0;
    for (int pass = 0; pass < 2; pass++) {
        if ((rc = (pass ? present_types : present_tables)(ctx, &v, &nv))) return rc;
        for (int i = 0; i < nv; i++)
            if (!v[i]->temp) depends_line(v[i], role, detail, n);
    }
    if ((rc = store_schemas_at(ctx->snap, snap_seq(ctx->snap), ctx->stmt, &v, &nv, ctx->err))) return rc;
    for (int i = 0; i < nv; i++) {
        const TableInfo *t = ctx->ws && ws_table(ctx->ws, v[i]->id) ? ws_table(ctx->ws, v[i]->id) : v[i];
        if (!t->dropped && t->utype->kind == 's') depends_line(t, role, detail, n);
    }
    const TableInfo **w;
    int nw;
    if (ctx->ws && (rc = ws_all_tables(ctx->ws, ctx->stmt, &w, &nw)) == DD_OK)
        for (int i = 0; i < nw; i++)
            if (w[i]->utype && w[i]->utype->kind == 's' && !w[i]->dropped &&
                !store_table_version(ctx->snap, w[i]->id, snap_seq(ctx->snap)))
                depends_line(w[i], role, detail, n);
    const TableInfo *q = acl_schema_object(ctx, "public");
    if (q) depends_line(q, role, detail, n);
    return buf_ok(detail) ? DD_OK : DD_ENOMEM;
}

const char *acl_priv_name(int k)
{
    static const char *const names[] = {"INSERT", "SELECT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES",
                                        "TRIGGER", "EXECUTE", "USAGE", "CREATE", "TEMPORARY", "CONNECT"};
    return k >= 0 && k < (int)DD_ARRAY_LEN(names) ? names[k] : NULL;
}

/* A role name in an aclitem, quoted when it holds anything else. */
static void put_name(const char *n, Buf *out)
{
    /* PostgreSQL's putid: letters, digits and '_' go bare (of either case) */
    bool plain = n[0] != 0;
    for (const char *p = n; *p && plain; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_';
    if (plain) {
        buf_puts(out, n);
        return;
    }
    buf_putc(out, '"');
    for (const char *p = n; *p; p++) {
        if (*p == '"') buf_putc(out, '"');
        buf_putc(out, *p);
    }
    buf_putc(out, '"');
}

int acl_item_text(SqlCtx *ctx, const AclItem *it, Buf *out)
{
    if (it->grantee != ACL_PUBLIC) {
        const char *g = acl_role_name(ctx, it->grantee);
        if (g) put_name(g, out);
        else buf_printf(out, "%u", it->grantee);
    }
    buf_putc(out, '=');
    for (int k = 0; ACL_LETTERS[k]; k++) {
        if (!(it->privs & (1u << k))) continue;
        buf_putc(out, ACL_LETTERS[k]);
        if (it->grant & (1u << k)) buf_putc(out, '*');
    }
    buf_putc(out, '/');
    const char *g = acl_role_name(ctx, it->grantor);
    if (g) put_name(g, out);
    else buf_printf(out, "%u", it->grantor);
    return buf_ok(out) ? DD_OK : DD_ENOMEM;
}
