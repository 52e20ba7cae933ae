/*
 * roles.c - what a server needs of roles to admit a client: a role's
 * attributes and verifier (driftdb_role_lookup) and membership for hba's
 * "+group" (driftdb_role_is_member); what a session needs of them by id
 * (SET ROLE, is_superuser).  All read at the newest commit.
 */
#include "engine_int.h"
#include "../store/format.h"
#include "../util/sha256.h"

#include <string.h>
#include <stdio.h>

static const TableInfo *find(Snap *snap, Arena *a, const char *name)
{
    return store_role_by_name(snap, name, snap_seq(snap), a);
}

int roles_apply_config(driftdb_session *s)
{
    DdError e;
    dd_err_clear(&e);
    Snap *snap;
    if (store_snap_begin(s->db->store, &snap, &e)) return e.code;
    Arena a;
    arena_init(&a, 1024);
    const TableInfo *t = find(snap, &a, s->user);
    int rc = DD_OK;
    for (int i = 0; t && i < t->utype->role->nconfig && rc != DD_ENOMEM; i++) {
        char *nv = arena_strdup(&a, t->utype->role->config[i]);
        char *eq = nv ? strchr(nv, '=') : NULL;
        if (!nv) { rc = DD_ENOMEM; break; }
        if (!eq) continue;
        *eq = 0;
        DdError se;
        dd_err_clear(&se);
        /* a value a later change made invalid is skipped, as PostgreSQL
         * goes on with a WARNING */
        if (settings_set(s, nv, eq + 1, &se) == DD_ENOMEM) rc = DD_ENOMEM;
    }
    arena_free(&a);
    store_snap_end(snap);
    return rc;
}

int driftdb_role_lookup(driftdb *db, const char *name, driftdb_role_auth *out, driftdb_error *err)
{
    memset(out, 0, sizeof *out);
    DdError e;
    dd_err_clear(&e);
    Snap *snap;
    if (store_snap_begin(db->store, &snap, &e)) {
        dd_to_api_error(&e, err);
        return DRIFTDB_ERROR;
    }
    Arena a;
    arena_init(&a, 1024);
    const TableInfo *t = find(snap, &a, name);
    if (t) {
        const RoleInfo *r = t->utype->role;
        out->exists = 1;
        out->can_login = (r->flags & FMT_ROLE_LOGIN) != 0;
        out->superuser = (r->flags & FMT_ROLE_SUPER) != 0;
        out->connlimit = r->connlimit;
        out->has_valid_until = r->has_valid_until;
        out->valid_until_us = r->valid_until;
        if (r->password) snprintf(out->password, sizeof out->password, "%s", r->password);
    }
    arena_free(&a);
    store_snap_end(snap);
    return DRIFTDB_OK;
}

/* Whether role id `member` (in rs) reaches role id `role`. */
static bool reaches(const TableInfo **rs, int n, u32 member, u32 role, Arena *a)
{
    u32 *ids;
    int m;
    if (store_role_closure(rs, n, member, false, a, &ids, &m)) return false;
    for (int i = 0; i < m; i++)
        if (ids[i] == role) return true;
    return false;
}

/* Calls fn over the roles of the newest commit (false when they cannot
 * be read). */
static bool over_roles(driftdb *db, bool (*fn)(const TableInfo **rs, int n, Arena *a, void *arg), void *arg)
{
    DdError e;
    dd_err_clear(&e);
    Snap *snap;
    if (store_snap_begin(db->store, &snap, &e)) return false;
    Arena a;
    arena_init(&a, 1024);
    const TableInfo **rs;
    int n;
    bool yes = store_roles_at(snap, snap_seq(snap), &a, &rs, &n, &e) == 0 && fn(rs, n, &a, arg);
    arena_free(&a);
    store_snap_end(snap);
    return yes;
}

typedef struct RoleQ {
    const char *name;
    u32 id, member;
    bool superuser;
} RoleQ;

static bool q_id_of(const TableInfo **rs, int n, Arena *a, void *arg)
{
    DD_UNUSED(a);
    RoleQ *q = arg;
    for (int i = 0; i < n; i++)
        if (strcmp(rs[i]->name, q->name) == 0) {
            q->id = rs[i]->id;
            return true;
        }
    return false;
}

static bool q_exists(const TableInfo **rs, int n, Arena *a, void *arg)
{
    DD_UNUSED(a);
    RoleQ *q = arg;
    for (int i = 0; i < n; i++)
        if (rs[i]->id == q->id) {
            q->superuser = (rs[i]->utype->role->flags & FMT_ROLE_SUPER) != 0;
            return true;
        }
    return false;
}

static bool q_member(const TableInfo **rs, int n, Arena *a, void *arg)
{
    RoleQ *q = arg;
    return reaches(rs, n, q->member, q->id, a);
}

bool roles_id_of(driftdb *db, const char *name, u32 *id)
{
    RoleQ q = {name, 0, 0, false};
    if (!over_roles(db, q_id_of, &q)) return false;
    *id = q.id;
    return true;
}

bool roles_exists_id(driftdb *db, u32 id, bool *superuser)
{
    RoleQ q = {NULL, id, 0, false};
    bool yes = over_roles(db, q_exists, &q);
    if (superuser) *superuser = yes && q.superuser;
    return yes;
}

bool roles_member_id(driftdb *db, u32 member, u32 role)
{
    RoleQ q = {NULL, role, member, false};
    return over_roles(db, q_member, &q);
}

void driftdb_mock_auth_key(driftdb *db, uint8_t out[32])
{
    static const char label[] = "driftdb mock auth key";
    if (sha256_2(label, sizeof label - 1, store_db_id(db->store), 16, out) != 0) memset(out, 0, 32);
}

int driftdb_role_is_member(driftdb *db, const char *name, const char *group)
{
    u32 m, g;
    return roles_id_of(db, name, &m) && roles_id_of(db, group, &g) && roles_member_id(db, m, g);
}
