/*
 * role.c - CREATE / ALTER / DROP ROLE (and USER, GROUP), GRANT and REVOKE
 * of role membership.
 *
 * A role is a catalog object (a TableInfo whose utype has kind 'r' and a
 * RoleInfo), versioned with the catalog like a table, so every change of a
 * role is a commit in the log: who created, altered, granted or dropped it
 * and when is in drift_commits.  Membership is kept on the member: its
 * member_of lists the roles it belongs to, with the grantor and the admin
 * option.  The bootstrap superuser (`driftdb init --superuser NAME`) has
 * no catalog record until ALTER ROLE changes it; its versions then have
 * table id ROLE_BOOTSTRAP_ID and its OID is PostgreSQL's, 10.
 *
 * A password is stored only as a verifier (util/scram.h): SCRAM-SHA-256
 * by default, md5 under SET password_encryption = 'md5'; a password given
 * already as a verifier (psql's \password sends one) is stored as it is.
 *
 * Permissions follow PostgreSQL 15: superusers may do anything; CREATEROLE
 * creates, alters, drops and grants non-superuser roles; a role may change
 * its own password; ADMIN OPTION on a role lets its holder grant it.
 */
#include "plan_int.h"
#include "../../store/format.h"
#include "../../util/scram.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>

DD_STATIC_ASSERT(ROLE_SUPER == FMT_ROLE_SUPER && ROLE_INHERIT == FMT_ROLE_INHERIT &&
                     ROLE_CREATEROLE == FMT_ROLE_CREATEROLE && ROLE_CREATEDB == FMT_ROLE_CREATEDB &&
                     ROLE_LOGIN == FMT_ROLE_LOGIN && ROLE_REPLICATION == FMT_ROLE_REPLICATION &&
                     ROLE_BYPASSRLS == FMT_ROLE_BYPASSRLS,
                 "the parser's role flags are the store's");

static int denied(SqlCtx *ctx, const char *fmt, const char *arg)
{
    return dd_err(ctx->err, DD_EINSUFFICIENT_PRIVILEGE, -1, fmt, arg);
}

static bool is_super(const TableInfo *r) { return r && (r->utype->role->flags & FMT_ROLE_SUPER); }
static bool has_flag(const TableInfo *r, u8 f) { return r && (r->utype->role->flags & (FMT_ROLE_SUPER | f)); }

/* The current role (SET ROLE's, else the session's) at its snapshot
 * (rights are the present's, whatever SET drift.system_time says); NULL
 * when it was dropped meanwhile. */
static const TableInfo *me(SqlCtx *ctx) { return resolve_current_role(ctx); }

/* A role name as written, NULL meaning CURRENT_USER. */
static const char *role_name(SqlCtx *ctx, const char *name) { return name ? name : ctx->role ? ctx->role : ctx->user ? ctx->user : ""; }

static int undefined(SqlCtx *ctx, const char *name, int loc)
{
    return dd_err(ctx->err, DD_EUNDEFINED_OBJECT, loc, "role \"%s\" does not exist", name);
}

/* Names no role may have. */
static int reserved(SqlCtx *ctx, const char *name, int loc)
{
    if (strcmp(name, "public") == 0 || strcmp(name, "none") == 0)
        return dd_err(ctx->err, DD_ERESERVED_NAME, loc, "role name \"%s\" is reserved", name);
    if (strncmp(name, "pg_", 3) == 0) {
        dd_err(ctx->err, DD_ERESERVED_NAME, loc, "role name \"%s\" is reserved", name);
        dd_err_detail(ctx->err, "Role names starting with \"pg_\" are reserved.");
        return DD_ERESERVED_NAME;
    }
    return DD_OK;
}

/* The roles of the present, found again through the plan's new versions
 * (a statement changing several roles reads its own changes). */
typedef struct Roles {
    const TableInfo **v;
    int n;
} Roles;

static int roles_load(SqlCtx *ctx, Roles *rs) { return present_roles(ctx, &rs->v, &rs->n); }

static const TableInfo *role_by_id(const Roles *rs, const Plan *p, u32 id)
{
    for (int i = 0; i < p->nalter; i++)
        if (p->alter[i]->id == id) return p->alter[i];
    if (p->new_table && p->new_table->id == id) return p->new_table;
    for (int i = 0; i < rs->n; i++)
        if (rs->v[i]->id == id) return rs->v[i];
    return NULL;
}

/* Whether role `member` is a member of `role`, directly or through other
 * roles (whatever their INHERIT). */
static bool member_of(const Roles *rs, const Plan *p, u32 member, u32 role, int depth)
{
    if (member == role) return true;
    const TableInfo *m = role_by_id(rs, p, member);
    if (!m || depth > 64) return false;
    const RoleInfo *ri = m->utype->role;
    for (int i = 0; i < ri->nmember_of; i++)
        if (member_of(rs, p, ri->member_of[i].role, role, depth + 1)) return true;
    return false;
}

/* Whether `who` holds the admin option on `role` (directly or through a
 * role it is a member of). */
static bool admin_of(const Roles *rs, const Plan *p, u32 who, u32 role, int depth)
{
    const TableInfo *m = role_by_id(rs, p, who);
    if (!m || depth > 64) return false;
    const RoleInfo *ri = m->utype->role;
    for (int i = 0; i < ri->nmember_of; i++) {
        if (ri->member_of[i].role == role && ri->member_of[i].admin) return true;
        if (admin_of(rs, p, ri->member_of[i].role, role, depth + 1)) return true;
    }
    return false;
}

/* A fresh role object named name (statement arena). */
static TableInfo *role_object(SqlCtx *ctx, const char *name)
{
    TableInfo *t = arena_zalloc(ctx->stmt, sizeof(TableInfo));
    UserType *u = arena_zalloc(ctx->stmt, sizeof(UserType));
    RoleInfo *r = arena_zalloc(ctx->stmt, sizeof(RoleInfo));
    if (!t || !u || !r || !(t->name = arena_strdup(ctx->stmt, name))) return NULL;
    u->kind = 'r';
    u->role = r;
    r->connlimit = -1;
    t->utype = u;
    t->id = store_new_table_id(ctx->store);
    t->next_col_id = 1;
    return t;
}

/* The version of role t this statement changes (one per role). */
static TableInfo *role_version(SqlCtx *ctx, Plan *p, const TableInfo *t)
{
    if (p->new_table && p->new_table->id == t->id) return p->new_table;
    return plan_alter_version(ctx, p, t);
}

/* Makes `member` a member of `role` (GRANT, CREATE ROLE's IN ROLE, ROLE
 * and ADMIN).  Checks the grantor's right and loops; a membership held
 * already only gains the admin option. */
static int add_member(SqlCtx *ctx, Plan *p, Roles *rs, const TableInfo *grantor, const TableInfo *role,
                      const TableInfo *member, bool admin)
{
    if (!is_super(grantor)) {
        if (is_super(role)) return denied(ctx, "must be superuser to alter superusers%s", "");
        if (!has_flag(grantor, FMT_ROLE_CREATEROLE) && !admin_of(rs, p, grantor->id, role->id, 0))
            return denied(ctx, "must have admin option on role \"%s\"", role->name);
    }
    if (member_of(rs, p, role->id, member->id, 0))
        return dd_err(ctx->err, DD_EINVALID_GRANT_OP, -1, "role \"%s\" is a member of role \"%s\"", role->name,
                      member->name);
    TableInfo *m = role_version(ctx, p, member);
    if (!m) return DD_ENOMEM;
    RoleInfo *ri = m->utype->role;
    for (int i = 0; i < ri->nmember_of; i++) {
        if (ri->member_of[i].role != role->id) continue;
        if (admin && !ri->member_of[i].admin) {
            ri->member_of[i].admin = true;
            return DD_OK;
        }
        p->notice = arena_printf(ctx->stmt, "role \"%s\" is already a member of role \"%s\"", member->name, role->name);
        return p->notice ? DD_OK : DD_ENOMEM;
    }
    RoleMember *v = arena_alloc(ctx->stmt, sizeof(RoleMember) * (size_t)(ri->nmember_of + 1));
    if (!v) return DD_ENOMEM;
    if (ri->nmember_of) memcpy(v, ri->member_of, sizeof(RoleMember) * (size_t)ri->nmember_of);
    v[ri->nmember_of++] = (RoleMember){role->id, grantor ? grantor->id : 0, admin};
    ri->member_of = v;
    return DD_OK;
}

/* The verifier to store for a password given in CREATE / ALTER ROLE. */
static int set_password(SqlCtx *ctx, const TableInfo *role, RoleInfo *ri, const char *password)
{
    if (!password) {
        ri->password = NULL;
        return DD_OK;
    }
    if (!password[0]) {
        /* PostgreSQL: an empty password is no password */
        ri->password = NULL;
        return DD_OK;
    }
    if (scram_is_verifier(password) || md5_is_verifier(password)) {
        ri->password = arena_strdup(ctx->stmt, password);
        return ri->password ? DD_OK : DD_ENOMEM;
    }
    const char *enc = ctx->setting ? ctx->setting(ctx->session, "password_encryption") : NULL;
    char v[SCRAM_MAX_VERIFIER];
    if (enc && strcmp(enc, "md5") == 0) {
        char h[33];
        if (md5_hex2(password, strlen(password), role->name, strlen(role->name), h))
            return dd_err(ctx->err, DD_ENOMEM, -1, "could not compute the MD5 hash of a password");
        snprintf(v, sizeof v, "md5%s", h);
    } else if (scram_make_verifier(password, v)) {
        return dd_err(ctx->err, DD_ENOMEM, -1, "could not compute the SCRAM verifier of a password");
    }
    ri->password = arena_strdup(ctx->stmt, v);
    return ri->password ? DD_OK : DD_ENOMEM;
}

/* Applies the options of CREATE / ALTER ROLE to version t. */
static int apply_options(SqlCtx *ctx, RoleStmt *s, TableInfo *t)
{
    RoleInfo *ri = t->utype->role;
    ri->flags = (u8)((ri->flags | s->set_flags) & ~s->clear_flags);
    if (s->has_connlimit) ri->connlimit = s->connlimit;
    if (s->has_password) {
        int rc = set_password(ctx, t, ri, s->password);
        if (rc) return rc;
    }
    if (s->has_valid_until) {
        i64 ts;
        const char *v = s->valid_until;
        while (*v == ' ') v++;
        if (strncasecmp(v, "infinity", 8) == 0 || strncasecmp(v, "+infinity", 9) == 0) {
            ts = INT64_MAX;   /* never expires */
        } else if (strncasecmp(v, "-infinity", 9) == 0) {
            /* rolvaliduntil could not show it (it would read NULL, which
             * says "never expires") */
            int rc = dd_err(ctx->err, DD_EFEATURE, -1, "VALID UNTIL '-infinity' is not supported");
            dd_err_hint(ctx->err, "Use NOLOGIN to keep a role from logging in, or a past timestamp.");
            return rc;
        } else {
            int rc = timestamp_from_text(s->valid_until, strlen(s->valid_until), true, &ctx->vctx, &ts, ctx->err);
            if (rc) return rc;
        }
        ri->has_valid_until = true;
        ri->valid_until = ts == INT64_MAX ? ts : ts_to_unix_us(ts);   /* Unix µs */
    }
    return DD_OK;
}

static int create_role(SqlCtx *ctx, RoleStmt *s, Plan *p, const TableInfo *who)
{
    const char *name = s->names[0];
    p->kind = PLAN_CREATE_TABLE;
    int rc = reserved(ctx, name, s->locs[0]);
    if (rc) return rc;
    if (!has_flag(who, FMT_ROLE_CREATEROLE)) return denied(ctx, "permission denied to create role%s", "");
    if (!is_super(who)) {
        if (s->set_flags & FMT_ROLE_SUPER) return denied(ctx, "must be superuser to create superusers%s", "");
        if (s->set_flags & FMT_ROLE_REPLICATION) return denied(ctx, "must be superuser to create replication users%s", "");
        if (s->set_flags & FMT_ROLE_BYPASSRLS) return denied(ctx, "must be superuser to create bypassrls users%s", "");
    }
    if (resolve_role(ctx, name)) return dd_err(ctx->err, DD_EDUPLICATE_OBJECT, -1, "role \"%s\" already exists", name);
    TableInfo *t = role_object(ctx, name);
    if (!t) return DD_ENOMEM;
    t->utype->role->flags = FMT_ROLE_INHERIT | (s->user ? FMT_ROLE_LOGIN : 0);
    if ((rc = apply_options(ctx, s, t))) return rc;
    if (s->password && !s->password[0]) {
        p->notice = "empty string is not a valid password, clearing password";
    }
    p->new_table = t;
    Roles rs;
    if ((rc = roles_load(ctx, &rs))) return rc;
    for (int i = 0; i < s->nin; i++) {
        const char *rn = role_name(ctx, s->in_roles[i]);
        const TableInfo *r = resolve_role(ctx, rn);
        if (!r) return undefined(ctx, rn, -1);
        if ((rc = add_member(ctx, p, &rs, who, r, t, false))) return rc;
    }
    for (int pass = 0; pass < 2; pass++) {
        char **list = pass ? s->admins : s->add_members;
        int n = pass ? s->nadmins : s->nadd;
        for (int i = 0; i < n; i++) {
            const char *mn = role_name(ctx, list[i]);
            const TableInfo *m = resolve_role(ctx, mn);
            if (!m) return undefined(ctx, mn, -1);
            if ((rc = add_member(ctx, p, &rs, who, t, m, pass == 1))) return rc;
        }
    }
    return DD_OK;
}

static int alter_role(SqlCtx *ctx, RoleStmt *s, Plan *p, const TableInfo *who)
{
    const char *name = role_name(ctx, s->names[0]);
    p->kind = PLAN_ALTER_TABLE;
    const TableInfo *t0 = resolve_role(ctx, name);
    if (!t0) return undefined(ctx, name, s->locs[0]);
    u8 changed = (u8)(s->set_flags | s->clear_flags);
    bool self = who && who->id == t0->id;
    if (!is_super(who)) {
        if (is_super(t0) || (changed & (FMT_ROLE_SUPER | FMT_ROLE_REPLICATION | FMT_ROLE_BYPASSRLS)))
            return denied(ctx, "must be superuser to alter superuser roles or change superuser attribute%s", "");
        bool only_password = !changed && !s->has_connlimit && !s->has_valid_until;
        if (!has_flag(who, FMT_ROLE_CREATEROLE) && !(self && only_password))
            return denied(ctx, "permission denied%s", "");
    }
    if (t0->id == ROLE_BOOTSTRAP_ID && (s->clear_flags & FMT_ROLE_SUPER)) {
        dd_err(ctx->err, DD_EINSUFFICIENT_PRIVILEGE, -1, "permission denied");
        dd_err_detail(ctx->err, "The bootstrap user must have the SUPERUSER attribute.");
        return DD_EINSUFFICIENT_PRIVILEGE;
    }
    TableInfo *t = role_version(ctx, p, t0);
    if (!t) return DD_ENOMEM;
    p->new_table = t;
    p->nalter = 0;
    int rc = apply_options(ctx, s, t);
    if (!rc && s->password && !s->password[0]) p->notice = "empty string is not a valid password, clearing password";
    return rc;
}

/* Whether the session knows setting name, and whether it is fixed. */
static bool known_setting(SqlCtx *ctx, const char *name, bool *readonly)
{
    const char *n, *v, *boot;
    for (int i = 0; ctx->setting_nth && ctx->setting_nth(ctx->session, i, &n, &v, &boot, readonly); i++)
        if (strcasecmp(n, name) == 0) return true;
    *readonly = false;
    return strchr(name, '.') != NULL;   /* a custom one (PostgreSQL's "x.y") */
}

/* ALTER ROLE name [IN DATABASE d] SET param {TO | =} value | RESET param |
 * RESET ALL: the role's settings, applied when it logs in (before the
 * client's own startup parameters, which win). */
static int alter_role_set(SqlCtx *ctx, RoleStmt *s, Plan *p, const TableInfo *who)
{
    const char *name = role_name(ctx, s->names[0]);
    p->kind = PLAN_ALTER_TABLE;
    const TableInfo *t0 = resolve_role(ctx, name);
    if (!t0) return undefined(ctx, name, s->locs[0]);
    bool self = who && who->id == t0->id;
    if (!is_super(who)) {
        if (is_super(t0)) return denied(ctx, "must be superuser to alter superusers%s", "");
        if (!has_flag(who, FMT_ROLE_CREATEROLE) && !self) return denied(ctx, "permission denied%s", "");
    }
    if (s->set_name) {
        bool ro;
        if (!known_setting(ctx, s->set_name, &ro))
            return dd_err(ctx->err, DD_EUNDEFINED_OBJECT, -1, "unrecognized configuration parameter \"%s\"", s->set_name);
        if (ro) return dd_err(ctx->err, DD_ECANT_CHANGE, -1, "parameter \"%s\" cannot be changed", s->set_name);
        if (strcmp(s->set_name, "drift.system_time") == 0 || strcmp(s->set_name, "role") == 0 ||
            strcmp(s->set_name, "transaction_isolation") == 0 || strcmp(s->set_name, "session_authorization") == 0)
            return dd_err(ctx->err, DD_EFEATURE, -1, "ALTER ROLE ... SET %s is not supported", s->set_name);
    }
    TableInfo *t = role_version(ctx, p, t0);
    if (!t) return DD_ENOMEM;
    p->new_table = t;
    p->nalter = 0;
    RoleInfo *ri = t->utype->role;
    if (s->reset_all) {
        ri->nconfig = 0;
        return DD_OK;
    }
    size_t nl = strlen(s->set_name);
    char **v = arena_alloc(ctx->stmt, sizeof(char *) * (size_t)(ri->nconfig + 1));
    if (!v) return DD_ENOMEM;
    int m = 0;
    bool replaced = false;
    for (int i = 0; i < ri->nconfig; i++) {
        const char *c = ri->config[i];
        bool same = strncasecmp(c, s->set_name, nl) == 0 && c[nl] == '=';
        if (!same) { v[m++] = ri->config[i]; continue; }
        if (s->set_value && !replaced) {   /* keeps its place, as PostgreSQL */
            if (!(v[m++] = arena_printf(ctx->stmt, "%s=%s", s->set_name, s->set_value))) return DD_ENOMEM;
            replaced = true;
        }
    }
    if (s->set_value && !replaced && !(v[m++] = arena_printf(ctx->stmt, "%s=%s", s->set_name, s->set_value)))
        return DD_ENOMEM;
    ri->config = v;
    ri->nconfig = m;
    return DD_OK;
}

static int rename_role(SqlCtx *ctx, RoleStmt *s, Plan *p, const TableInfo *who)
{
    const char *name = s->names[0] ? s->names[0] : "";
    p->kind = PLAN_ALTER_TABLE;
    const TableInfo *t0 = s->names[0] ? resolve_role(ctx, name) : NULL;
    if (!s->names[0]) return dd_err(ctx->err, DD_ESYNTAX, s->locs[0], "syntax error at or near \"RENAME\"");
    if (!t0) return undefined(ctx, name, s->locs[0]);
    if (ctx->user_known && ctx->user_id == t0->id)
        return dd_err(ctx->err, DD_EFEATURE, -1, "session user cannot be renamed");
    if (who && who->id == t0->id)
        return dd_err(ctx->err, DD_EFEATURE, -1, "current user cannot be renamed");
    int rc = reserved(ctx, s->new_name, -1);
    if (rc) return rc;
    if (resolve_role(ctx, s->new_name))
        return dd_err(ctx->err, DD_EDUPLICATE_OBJECT, -1, "role \"%s\" already exists", s->new_name);
    if (is_super(t0) && !is_super(who)) return denied(ctx, "must be superuser to rename superusers%s", "");
    if (!has_flag(who, FMT_ROLE_CREATEROLE)) return denied(ctx, "permission denied to rename role%s", "");
    TableInfo *t = table_copy(ctx->stmt, t0);
    if (!t || !(t->name = arena_strdup(ctx->stmt, s->new_name))) return DD_ENOMEM;
    if (t->utype->role->password && md5_is_verifier(t->utype->role->password)) {
        /* an md5 verifier hashes the name in */
        t->utype->role->password = NULL;
        p->notice = "MD5 password cleared because of role rename";
    }
    p->new_table = t;
    return DD_OK;
}

static int drop_roles(SqlCtx *ctx, RoleStmt *s, Plan *p, const TableInfo *who)
{
    p->kind = PLAN_DROP_TABLE;
    if (!has_flag(who, FMT_ROLE_CREATEROLE)) return denied(ctx, "permission denied to drop role%s", "");
    p->drop = arena_zalloc(ctx->stmt, sizeof(TableInfo *) * (size_t)s->n);
    if (!p->drop) return DD_ENOMEM;
    Roles rs;
    int rc = roles_load(ctx, &rs);
    if (rc) return rc;
    for (int i = 0; i < s->n; i++) {
        const TableInfo *t = resolve_role(ctx, s->names[i]);
        if (!t) {
            if (!s->if_exists) return undefined(ctx, s->names[i], s->locs[i]);
            if (sql_note(ctx, "NOTICE", "00000", "role \"%s\" does not exist, skipping", s->names[i])) return DD_ENOMEM;
            continue;
        }
        if (who && who->id == t->id) return dd_err(ctx->err, DD_ELOCKED, -1, "current user cannot be dropped");
        if (ctx->user_known && ctx->user_id == t->id)
            return dd_err(ctx->err, DD_ELOCKED, -1, "session user cannot be dropped");
        if (is_super(t) && !is_super(who)) return denied(ctx, "must be superuser to drop superusers%s", "");
        if (t->id == ROLE_BOOTSTRAP_ID)
            return dd_err(ctx->err, DD_EDEPENDENT_OBJECTS, -1,
                          "role \"%s\" cannot be dropped because some objects depend on it", t->name);
        bool twice = false;
        for (int k = 0; k < p->ndrop && !twice; k++) twice = p->drop[k]->id == t->id;
        if (twice) continue;
        /* what it owns or holds privileges on must go first (REASSIGN
         * OWNED / REVOKE), as in PostgreSQL */
        Buf detail = BUF_INIT;
        int ndep;
        int rc2 = acl_role_dependents(ctx, t->id, &detail, &ndep);
        if (rc2) { buf_free(&detail); return rc2; }
        if (ndep) {
            dd_err(ctx->err, DD_EDEPENDENT_OBJECTS, -1, "role \"%s\" cannot be dropped because some objects depend on it",
                   t->name);
            dd_err_detail(ctx->err, "%s", buf_cstr(&detail));
            buf_free(&detail);
            return DD_EDEPENDENT_OBJECTS;
        }
        buf_free(&detail);
        p->drop[p->ndrop++] = t;
    }
    /* the memberships in the dropped roles end with them */
    for (int i = 0; i < rs.n; i++) {
        const TableInfo *m = rs.v[i];
        bool gone = false;
        for (int k = 0; k < p->ndrop && !gone; k++) gone = p->drop[k]->id == m->id;
        if (gone) continue;
        const RoleInfo *ri = m->utype->role;
        bool touches = false;
        for (int j = 0; j < ri->nmember_of && !touches; j++)
            for (int k = 0; k < p->ndrop && !touches; k++) touches = ri->member_of[j].role == p->drop[k]->id;
        if (!touches) continue;
        TableInfo *c = plan_alter_version(ctx, p, m);
        if (!c) return DD_ENOMEM;
        RoleInfo *cr = c->utype->role;
        int w = 0;
        for (int j = 0; j < cr->nmember_of; j++) {
            bool drop = false;
            for (int k = 0; k < p->ndrop && !drop; k++) drop = cr->member_of[j].role == p->drop[k]->id;
            if (!drop) cr->member_of[w++] = cr->member_of[j];
        }
        cr->nmember_of = w;
    }
    return DD_OK;
}

static int grant_revoke(SqlCtx *ctx, RoleStmt *s, Plan *p, const TableInfo *who)
{
    bool grant = s->action == 'g';
    p->kind = PLAN_ALTER_TABLE;
    Roles rs;
    int rc = roles_load(ctx, &rs);
    if (rc) return rc;
    for (int i = 0; i < s->n; i++) {
        const char *rn = role_name(ctx, s->names[i]);
        const TableInfo *role = resolve_role(ctx, rn);
        if (!role) return undefined(ctx, rn, s->locs[i]);
        for (int j = 0; j < s->nmembers; j++) {
            const char *mn = role_name(ctx, s->members[j]);
            const TableInfo *member = resolve_role(ctx, mn);
            if (!member) return undefined(ctx, mn, -1);
            if (grant) {
                if ((rc = add_member(ctx, p, &rs, who, role, member, s->admin))) return rc;
                continue;
            }
            if (!is_super(who)) {
                if (is_super(role)) return denied(ctx, "must be superuser to alter superusers%s", "");
                if (!has_flag(who, FMT_ROLE_CREATEROLE) && !admin_of(&rs, p, who->id, role->id, 0))
                    return denied(ctx, "must have admin option on role \"%s\"", role->name);
            }
            const TableInfo *cur = role_by_id(&rs, p, member->id);
            const RoleInfo *ri = (cur ? cur : member)->utype->role;
            int at = -1;
            for (int k = 0; k < ri->nmember_of && at < 0; k++)
                if (ri->member_of[k].role == role->id) at = k;
            if (at < 0) {
                p->notice = arena_printf(ctx->stmt, "role \"%s\" is not a member of role \"%s\"", member->name, role->name);
                p->notice_state = "01000";   /* a WARNING, as PostgreSQL */
                if (!p->notice) return DD_ENOMEM;
                continue;
            }
            TableInfo *m = role_version(ctx, p, member);
            if (!m) return DD_ENOMEM;
            RoleInfo *mr = m->utype->role;
            if (s->admin) {
                mr->member_of[at].admin = false;
            } else {
                memmove(&mr->member_of[at], &mr->member_of[at + 1], sizeof(RoleMember) * (size_t)(mr->nmember_of - at - 1));
                mr->nmember_of--;
            }
        }
    }
    return DD_OK;
}

int analyze_role(SqlCtx *ctx, RoleStmt *s, Plan *p)
{
    if (s->action == 'G' || s->action == 'V' || s->action == 'R' || s->action == 'O') return analyze_privileges(ctx, s, p);
    static const char *const tags[] = {"CREATE ROLE", "ALTER ROLE", "ALTER ROLE", "DROP ROLE", "GRANT ROLE", "REVOKE ROLE"};
    const char *acts = "cardgv";
    const char *at = strchr(acts, s->action);
    p->tag = tags[at ? at - acts : 1];
    if (ctx->read_only)
        return dd_err(ctx->err, DD_EREAD_ONLY_TXN, -1, "cannot execute %s in a read-only transaction", p->tag);
    const TableInfo *who = me(ctx);
    if (!who)   /* the session's role was dropped by another session */
        return dd_err(ctx->err, DD_EINSUFFICIENT_PRIVILEGE, -1, "permission denied: role \"%s\" does not exist",
                      ctx->user ? ctx->user : "");
    switch (s->action) {
    case 'c': return create_role(ctx, s, p, who);
    case 'a': return alter_role(ctx, s, p, who);
    case 'r': return rename_role(ctx, s, p, who);
    case 's': return alter_role_set(ctx, s, p, who);
    case 'd': return drop_roles(ctx, s, p, who);
    default: return grant_revoke(ctx, s, p, who);
    }
}
