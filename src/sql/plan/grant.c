/*
 * grant.c - GRANT and REVOKE of privileges on tables, views, sequences
 * and schemas, as PostgreSQL 15 does them (catalog/acl.h has the model).
 *
 * Each object changed gets a new catalog version holding its new
 * privileges, so every GRANT and REVOKE is a commit in drift_commits (who
 * granted what to whom, and when, stays in the history).
 *
 * Who grants: a superuser or the object's owner grants as the owner (the
 * privileges' grantor is the owner, PostgreSQL's rule); anyone else grants
 * what it holds WITH GRANT OPTION, as itself (or as the role it inherits
 * the option from).  What it may not grant is left out with a WARNING
 * (01007), and a role holding nothing at all on the object gets 42501.
 * REVOKE takes back what the grantor gave; privileges that the grantee
 * gave on in turn are dependent: RESTRICT refuses (2BP01), CASCADE takes
 * them back too, all the way down.
 */
#include "plan_int.h"
#include <string.h>

DD_STATIC_ASSERT((int)ACL_INSERT == (int)ACL_INSERT_BIT && (int)ACL_SELECT == (int)ACL_SELECT_BIT && (int)ACL_UPDATE == (int)ACL_UPDATE_BIT &&
                     (int)ACL_DELETE == (int)ACL_DELETE_BIT && (int)ACL_TRUNCATE == (int)ACL_TRUNCATE_BIT &&
                     (int)ACL_REFERENCES == (int)ACL_REFERENCES_BIT && (int)ACL_TRIGGER == (int)ACL_TRIGGER_BIT &&
                     (int)ACL_EXECUTE == (int)ACL_EXECUTE_BIT && (int)ACL_USAGE == (int)ACL_USAGE_BIT && (int)ACL_CREATE == (int)ACL_CREATE_BIT &&
                     (int)ACL_TEMPORARY == (int)ACL_TEMPORARY_BIT && (int)ACL_CONNECT == (int)ACL_CONNECT_BIT,
                 "the parser's privilege bits are the store's");

static const char *kind_name(char objtype)
{
    return objtype == 's' ? "sequence" : objtype == 'n' ? "schema" : "table";
}

/* 0LP01 for a privilege the kind of object does not have. */
static int invalid_privs(SqlCtx *ctx, RoleStmt *s, char objtype)
{
    /* ON TABLE may name sequences too: either kind's are known here */
    u32 ok = objtype == 's' ? ACL_ALL_SEQUENCE : objtype == 'n' ? ACL_ALL_SCHEMA : ACL_ALL_TABLE | ACL_ALL_SEQUENCE;
    u32 bad = s->privs & ~ok;
    for (int k = 0; bad && acl_priv_name(k); k++)
        if (bad & (1u << k))
            return dd_err(ctx->err, DD_EINVALID_GRANT_OP, s->priv_loc, "invalid privilege type %s for %s", acl_priv_name(k),
                          kind_name(objtype));
    return DD_OK;
}

/* Appends t to v[0..*n) unless there already (named twice, or by a
 * schema and by name), growing it in the statement arena. */
static int push_object(SqlCtx *ctx, const TableInfo ***v, int *n, int *cap, const TableInfo *t)
{
    for (int k = 0; k < *n; k++)
        if ((*v)[k]->id == t->id) return DD_OK;
    if (*n == *cap) {
        const TableInfo **g = arena_alloc(ctx->stmt, sizeof(TableInfo *) * (size_t)(*cap *= 2));
        if (!g) return DD_ENOMEM;
        memcpy(g, *v, sizeof(TableInfo *) * (size_t)*n);
        *v = g;
    }
    (*v)[(*n)++] = t;
    return DD_OK;
}

/* The objects the statement names, each once. */
static int objects(SqlCtx *ctx, RoleStmt *s, const TableInfo ***out, int *nout)
{
    int cap = s->nobjs + 8, n = 0;
    const TableInfo **v = arena_alloc(ctx->stmt, sizeof(TableInfo *) * (size_t)cap);
    if (!v) return DD_ENOMEM;
    for (int i = 0; i < s->nobjs; i++) {
        const char *name = s->objs[i];
        if (s->in_schema) {
            if (!sql_schema_exists(ctx, name))
                return dd_err(ctx->err, DD_EUNDEFINED_SCHEMA, s->objlocs[i], "schema \"%s\" does not exist", name);
            const TableInfo **all;
            int na;
            int rc = present_tables(ctx, &all, &na);
            if (rc) return rc;
            for (int k = 0; k < na; k++) {
                const TableInfo *t = all[k];
                if (t->temp || !name_in_schema(t->name, name) || (s->objtype == 's') != (t->sequence != NULL)) continue;
                if ((rc = push_object(ctx, &v, &n, &cap, t))) return rc;
            }
            continue;
        }
        const TableInfo *t;
        if (s->objtype == 'n') {
            if (!sql_schema_exists(ctx, name) || strcmp(name, "pg_catalog") == 0 ||
                strcmp(name, "information_schema") == 0) {
                if (sql_schema_exists(ctx, name))
                    return dd_err(ctx->err, DD_EFEATURE, s->objlocs[i], "privileges on system schema %s cannot be changed",
                                  name);
                return dd_err(ctx->err, DD_EUNDEFINED_SCHEMA, s->objlocs[i], "schema \"%s\" does not exist", name);
            }
            t = acl_schema_object(ctx, name);
            if (!t) {   /* public with its defaults: its object, made now */
                TableInfo *q = arena_zalloc(ctx->stmt, sizeof(TableInfo));
                UserType *u = arena_zalloc(ctx->stmt, sizeof(UserType));
                if (!q || !u || !(q->name = arena_strdup(ctx->stmt, "public"))) return DD_ENOMEM;
                u->kind = 'q';
                q->utype = u;
                q->id = store_new_table_id(ctx->store);
                q->next_col_id = 1;
                q->owner = ROLE_BOOTSTRAP_ID;
                t = q;
            }
        } else {
            t = resolve_table_present(ctx, name);
            const char *sys_schema, *sys_base;
            if (!t && (syscat_lookup(ctx, name, &sys_schema, &sys_base) || strcmp(name, "drift_commits") == 0)) {
                /* views computed from the catalog, readable by every role */
                int rc = dd_err(ctx->err, DD_EFEATURE, s->objlocs[i], "privileges on system relation \"%s\" cannot be changed",
                                name);
                dd_err_hint(ctx->err, "Every role may read DriftDB's system catalogs and drift_commits.");
                return rc;
            }
            if (!t)
                return dd_err(ctx->err, DD_EUNDEFINED_TABLE, s->objlocs[i], "relation \"%s\" does not exist", name);
            if (s->objtype == 's' && !t->sequence)
                return dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, s->objlocs[i], "\"%s\" is not a sequence", name);
        }
        int rc = push_object(ctx, &v, &n, &cap, t);
        if (rc) return rc;
    }
    *out = v;
    *nout = n;
    return DD_OK;
}

/* The version of t this statement changes, with its privileges made
 * explicit (the defaults, when it had none) and room for `more` items. */
static TableInfo *version(SqlCtx *ctx, Plan *p, const TableInfo *t, int more)
{
    TableInfo *c;
    if (t->utype && t->utype->kind == 'q' && !store_table_version(ctx->snap, t->id, snap_seq(ctx->snap)) &&
        !(ctx->ws && ws_table(ctx->ws, t->id))) {
        c = p->new_table && p->new_table->id == t->id ? p->new_table : table_copy(ctx->stmt, t);
        if (c) p->new_table = c;
    } else {
        c = plan_alter_version(ctx, p, t);
    }
    if (!c) return NULL;
    const AclItem *v;
    int n;
    if (acl_items(ctx->stmt, c, &v, &n)) return NULL;
    AclItem *w = arena_alloc(ctx->stmt, sizeof(AclItem) * (size_t)(n + more + 1));
    if (!w) return NULL;
    if (n) memcpy(w, v, sizeof(AclItem) * (size_t)n);
    c->acl = w;
    c->nacl = n;
    c->has_acl = true;
    return c;
}

static AclItem *find_item(TableInfo *t, u32 grantee, u32 grantor)
{
    for (int i = 0; i < t->nacl; i++)
        if (t->acl[i].grantee == grantee && t->acl[i].grantor == grantor) return &t->acl[i];
    return NULL;
}

static void drop_empty(TableInfo *t)
{
    int w = 0;
    for (int i = 0; i < t->nacl; i++)
        if (t->acl[i].privs) t->acl[w++] = t->acl[i];
    t->nacl = w;
}

/* Whether `role`, after the change, still holds the grant option of the
 * privileges `bits` from anyone (then what it granted stays). */
static u32 options_left(const TableInfo *t, u32 role)
{
    u32 g = 0;
    for (int i = 0; i < t->nacl; i++)
        if (t->acl[i].grantee == role) g |= t->acl[i].grant;
    return g;
}

/* REVOKE's dependent privileges: what `from` granted of `lost` (grant
 * options it no longer has) is taken back when cascade, else 2BP01. */
static int revoke_dependents(SqlCtx *ctx, TableInfo *t, u32 from, u32 lost, bool cascade, int depth)
{
    if (!lost || depth > 256) return DD_OK;
    if (from == t->owner) return DD_OK;   /* the owner's options are its own */
    for (int i = 0; i < t->nacl; i++) {
        AclItem *it = &t->acl[i];
        if (it->grantor != from || !(it->privs & lost)) continue;
        if (!cascade) {
            dd_err(ctx->err, DD_EDEPENDENT_OBJECTS, -1, "dependent privileges exist");
            dd_err_hint(ctx->err, "Use CASCADE to revoke them too.");
            return DD_EDEPENDENT_OBJECTS;
        }
        u32 had = it->grant;
        u32 g = it->grantee;
        it->privs &= ~lost;
        it->grant &= ~lost;
        u32 gone = had & ~options_left(t, g);
        int rc = revoke_dependents(ctx, t, g, gone & lost, cascade, depth + 1);
        if (rc) return rc;
    }
    drop_empty(t);
    return DD_OK;
}

/* PostgreSQL's guard against circular grant options: were every grant
 * option of `to` taken back (and what was granted through them), the
 * grantor must still hold the options `opts` it grants to `to`; else it
 * holds them through `to`, whose options a REVOKE from the owner's side
 * could then never take. */
static int check_circularity(SqlCtx *ctx, const TableInfo *t, u32 grantor, u32 to, u32 opts)
{
    if (grantor == t->owner) return DD_OK;   /* the owner's options are its own */
    TableInfo c = *t;
    c.acl = arena_memdup(ctx->stmt, t->acl, sizeof(AclItem) * (size_t)(t->nacl ? t->nacl : 1));
    if (!c.acl) return DD_ENOMEM;
    for (int i = 0; i < c.nacl; i++) {
        AclItem *it = &c.acl[i];
        if (it->grantee != to || !it->grant) continue;
        u32 had = it->grant;
        it->privs = it->grant = 0;
        int rc = revoke_dependents(ctx, &c, to, had & ~options_left(&c, to), true, 0);
        if (rc) return rc;
        drop_empty(&c);
        i = -1;   /* the items moved: from the start again */
    }
    AclWho gw;
    bool found;
    int rc = acl_who_of(ctx, grantor, &gw, &found);
    if (rc) return rc;
    u32 held = 0;
    for (int i = 0; found && i < c.nacl; i++)
        for (int r = 0; r < gw.nroles; r++)
            if (c.acl[i].grantee == gw.roles[r]) held |= c.acl[i].grant;
    if (opts & ~held)
        return dd_err(ctx->err, DD_EINVALID_GRANT_OP, -1, "grant options cannot be granted back to your own grantor");
    return DD_OK;
}

static int grant_one(SqlCtx *ctx, RoleStmt *s, Plan *p, const TableInfo *o, const AclWho *w, const u32 *grantees,
                     int ng)
{
    bool grant = s->action == 'G';
    char kind = acl_kind(o);
    u32 all = acl_all_of(kind);
    u32 want = s->all_privs ? all : s->privs;
    const char *oname = name_base(o->name);
    if (!o->sequence && s->objtype == 't' && (want & ~all)) {
        for (int k = 0; acl_priv_name(k); k++)
            if (want & ~all & (1u << k))
                return dd_err(ctx->err, DD_EINVALID_GRANT_OP, s->priv_loc, "invalid privilege type %s for table",
                              acl_priv_name(k));
    }
    if (o->sequence && s->objtype == 't' && (want & ~all)) {
        /* GRANT ... ON TABLE seq: what a sequence has, with a WARNING */
        if (sql_note(ctx, "WARNING", "01007", "sequence \"%s\" only supports USAGE, SELECT, and UPDATE privileges", oname))
            return DD_ENOMEM;
        want &= all;
    }
    const TableInfo *cur = acl_present(ctx, o);
    for (int i = 0; i < p->nalter; i++)
        if (p->alter[i]->id == o->id) cur = p->alter[i];
    if (p->new_table && p->new_table->id == o->id) cur = p->new_table;
    /* the grantor, and the options it holds */
    u32 grantor, avail;
    if (w->super || acl_owns(ctx, w, cur)) {
        grantor = cur->owner;
        avail = all;
    } else {
        const AclItem *v;
        int n;
        if (acl_items(ctx->stmt, cur, &v, &n)) return DD_ENOMEM;
        grantor = w->id;
        avail = 0;
        u32 best = 0;
        for (int r = 0; r < w->nroles; r++) {   /* the role itself first, then those it inherits */
            u32 g = 0;
            for (int i = 0; i < n; i++)
                if (v[i].grantee == w->roles[r]) g |= v[i].grant;
            if ((g & want) == want) { grantor = w->roles[r]; avail = g; break; }
            u32 cnt = (u32)__builtin_popcount(g & want);
            if (cnt > best) { best = cnt; grantor = w->roles[r]; avail = g; }
        }
        if (!avail && !acl_mask(ctx, w, cur, all))
            return dd_err(ctx->err, DD_EINSUFFICIENT_PRIVILEGE, -1, "permission denied for %s %s",
                          cur->view_sql ? "view" : kind == 'S' ? "sequence" : kind == 'n' ? "schema" : "table", oname);
    }
    u32 these = want & avail;
    if (!these) {
        return sql_note(ctx, "WARNING", "01007", grant ? "no privileges were granted for \"%s\""
                                                       : "no privileges could be revoked for \"%s\"", oname);
    }
    if (!s->all_privs && these != want) {
        if (sql_note(ctx, "WARNING", "01007", grant ? "not all privileges were granted for \"%s\""
                                                    : "not all privileges could be revoked for \"%s\"", oname))
            return DD_ENOMEM;
    }
    TableInfo *t = version(ctx, p, cur, ng);
    if (!t) return DD_ENOMEM;
    for (int g = 0; g < ng; g++) {
        u32 who = grantees[g];
        AclItem *it = find_item(t, who, grantor);
        if (grant) {
            if (s->grant_option && who == grantor)
                return dd_err(ctx->err, DD_EINVALID_GRANT_OP, -1, "grant options cannot be granted back to your own grantor");
            int rc = s->grant_option ? check_circularity(ctx, t, grantor, who, these) : DD_OK;
            if (rc) return rc;
            if (!it) {
                it = &t->acl[t->nacl++];
                *it = (AclItem){who, grantor, 0, 0};
            }
            it->privs |= these;
            if (s->grant_option) it->grant |= these;
            continue;
        }
        if (!it) continue;
        u32 had = it->grant;
        if (s->grant_option) {
            it->grant &= ~these;
        } else {
            it->privs &= ~these;
            it->grant &= ~these;
        }
        u32 gone = had & ~options_left(t, who);
        int rc = revoke_dependents(ctx, t, who, gone & these, s->cascade, 0);
        if (rc) return rc;
        drop_empty(t);
    }
    return DD_OK;
}

/* Every object of the present that may have an owner or privileges:
 * relations, types, schemas and public's privileges. */
static int all_objects(SqlCtx *ctx, const TableInfo ***out, int *nout)
{
    const TableInfo **r, **t, **sc, **w = NULL;
    int nr, nt, ns, nw = 0, rc;
    if ((rc = present_tables(ctx, &r, &nr)) || (rc = present_types(ctx, &t, &nt)) ||
        (rc = store_schemas_at(ctx->snap, snap_seq(ctx->snap), ctx->stmt, &sc, &ns, ctx->err)))
        return rc;
    if (ctx->ws && (rc = ws_all_tables(ctx->ws, ctx->stmt, &w, &nw))) return rc;
    const TableInfo **v = arena_alloc(ctx->stmt, sizeof(TableInfo *) * (size_t)(nr + nt + ns + nw + 2));
    if (!v) return DD_ENOMEM;
    int n = 0;
    for (int i = 0; i < nr; i++) if (!r[i]->temp) v[n++] = r[i];
    for (int i = 0; i < nt; i++) v[n++] = t[i];
    for (int i = 0; i < ns; i++) {
        const TableInfo *o = ctx->ws && ws_table(ctx->ws, sc[i]->id) ? ws_table(ctx->ws, sc[i]->id) : sc[i];
        if (!o->dropped && o->utype->kind == 's') v[n++] = o;
    }
    for (int i = 0; i < nw; i++)
        if (w[i]->utype && w[i]->utype->kind == 's' && !w[i]->dropped &&
            !store_table_version(ctx->snap, w[i]->id, snap_seq(ctx->snap)))
            v[n++] = w[i];
    const TableInfo *q = acl_schema_object(ctx, "public");
    if (q) v[n++] = q;
    *out = v;
    *nout = n;
    return DD_OK;
}

static bool in_ids(const u32 *ids, int n, u32 id)
{
    for (int i = 0; i < n; i++)
        if (ids[i] == id) return true;
    return false;
}

/* REASSIGN OWNED BY old, ... TO new: every object they own gets the new
 * owner (their privileges on it become its); DROP OWNED BY r, ...: the
 * privileges granted to them, or by them, end.  Objects they still own
 * are not dropped: that is refused (0A000), REASSIGN OWNED them first. */
static int owned(SqlCtx *ctx, RoleStmt *s, Plan *p)
{
    bool reassign = s->action == 'R';
    p->tag = reassign ? "REASSIGN OWNED" : "DROP OWNED";
    p->kind = PLAN_ALTER_TABLE;
    if (ctx->read_only)
        return dd_err(ctx->err, DD_EREAD_ONLY_TXN, -1, "cannot execute %s in a read-only transaction", p->tag);
    const AclWho *w;
    int rc = acl_who(ctx, &w);
    if (rc) return rc;
    u32 *ids = arena_alloc(ctx->stmt, sizeof(u32) * (size_t)(s->n + 1));
    if (!ids) return DD_ENOMEM;
    for (int i = 0; i < s->n; i++) {
        bool found;
        if (!s->names[i]) { ids[i] = w->id; continue; }
        if ((rc = acl_role_id(ctx, s->names[i], &ids[i], &found))) return rc;
        if (!found) return dd_err(ctx->err, DD_EUNDEFINED_OBJECT, -1, "role \"%s\" does not exist", s->names[i]);
        bool mine = w->super;
        for (int k = 0; k < w->nroles && !mine; k++) mine = w->roles[k] == ids[i];
        if (!mine)
            return dd_err(ctx->err, DD_EINSUFFICIENT_PRIVILEGE, -1, "permission denied to %s objects",
                          reassign ? "reassign" : "drop");
    }
    u32 to = 0;
    if (reassign && (rc = acl_new_owner(ctx, s->new_name, &to))) return rc;
    const TableInfo **v;
    int n;
    if ((rc = all_objects(ctx, &v, &n))) return rc;
    for (int i = 0; i < n; i++) {
        const TableInfo *o = v[i];
        if (reassign) {
            if (!in_ids(ids, s->n, o->owner)) continue;
            TableInfo *c = version(ctx, p, o, 0);
            if (!c) return DD_ENOMEM;
            if (!o->has_acl) {   /* the defaults follow the owner */
                c->has_acl = false;
                c->nacl = 0;
            }
            acl_set_owner(c, to);
            continue;
        }
        if (in_ids(ids, s->n, o->owner))
            return dd_err(ctx->err, DD_EFEATURE, -1,
                          "DROP OWNED of a role that owns %s \"%s\" is not supported: REASSIGN OWNED it first, or drop it",
                          o->view_sql ? "view" : o->sequence ? "sequence" : o->utype ? (o->utype->kind == 'e' || o->utype->kind == 'd' ? "type" : "schema") : "table",
                          o->utype && o->utype->kind == 'q' ? "public" : name_base(o->name));
        bool touches = false;
        for (int k = 0; o->has_acl && k < o->nacl && !touches; k++)
            touches = in_ids(ids, s->n, o->acl[k].grantee) || in_ids(ids, s->n, o->acl[k].grantor);
        if (!touches) continue;
        TableInfo *c = version(ctx, p, o, 0);
        if (!c) return DD_ENOMEM;
        int m = 0;
        for (int k = 0; k < c->nacl; k++)
            if (!in_ids(ids, s->n, c->acl[k].grantee) && !in_ids(ids, s->n, c->acl[k].grantor)) c->acl[m++] = c->acl[k];
        c->nacl = m;
    }
    return DD_OK;
}

int analyze_privileges(SqlCtx *ctx, RoleStmt *s, Plan *p)
{
    if (s->action == 'R' || s->action == 'O') return owned(ctx, s, p);
    bool grant = s->action == 'G';
    p->tag = grant ? "GRANT" : "REVOKE";
    p->kind = PLAN_ALTER_TABLE;
    if (ctx->read_only)
        return dd_err(ctx->err, DD_EREAD_ONLY_TXN, -1, "cannot execute %s in a read-only transaction", p->tag);
    int rc = invalid_privs(ctx, s, s->objtype);
    if (rc) return rc;
    const AclWho *w;
    if ((rc = acl_who(ctx, &w))) return rc;
    if (s->granted_by) {
        /* PostgreSQL 15: GRANTED BY names the current user only */
        if (strcmp(s->granted_by, w->name) != 0)
            return dd_err(ctx->err, DD_EFEATURE, -1, "grantor must be current user");
    }
    u32 *grantees = arena_alloc(ctx->stmt, sizeof(u32) * (size_t)(s->nmembers + 1));
    if (!grantees) return DD_ENOMEM;
    for (int i = 0; i < s->nmembers; i++) {
        const char *m = s->members[i];
        if (m && strcmp(m, "public") == 0) {
            if (s->grant_option && grant)
                return dd_err(ctx->err, DD_EINVALID_GRANT_OP, -1, "grant options can only be granted to roles");
            grantees[i] = ACL_PUBLIC;
            continue;
        }
        if (!m) {
            grantees[i] = w->id;
            continue;
        }
        bool found;
        if ((rc = acl_role_id(ctx, m, &grantees[i], &found))) return rc;
        if (!found) return dd_err(ctx->err, DD_EUNDEFINED_OBJECT, -1, "role \"%s\" does not exist", m);
    }
    const TableInfo **objs = NULL;
    int n = 0;
    if ((rc = objects(ctx, s, &objs, &n))) return rc;
    for (int i = 0; i < n; i++)
        if ((rc = grant_one(ctx, s, p, objs[i], w, grantees, s->nmembers))) return rc;
    return DD_OK;
}
