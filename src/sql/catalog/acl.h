/*
 * acl.h - owners and privileges of relations and schemas, as PostgreSQL 15
 * has them (GRANT / REVOKE; README.md, docs/catalogs.md).
 *
 * An object's privileges are a list of aclitems (store.h AclItem): a
 * grantee (a role or PUBLIC), the privileges it holds, which of them it
 * may grant on, and who granted them.  An object that was never the
 * subject of a GRANT or REVOKE has none stored (has_acl false) and holds
 * its kind's defaults: every privilege for the owner, nothing for PUBLIC
 * (a type: USAGE for PUBLIC too).
 *
 * A role holds a privilege when it is a superuser, or when an item grants
 * it to PUBLIC, to the role, or to a role whose privileges it has
 * (memberships through roles with INHERIT).  Rights are the present's
 * (the statement's snapshot and its transaction's changes), whatever
 * point in time the statement reads: reading a table's past takes SELECT
 * on it now.  Checks are made while a statement is planned, for
 * current_user, or for a view's owner while the view's query is planned
 * (so a view grants what its owner may read).  A prepared statement is
 * planned again at each execution, so a REVOKE applies to it at once.
 */
#ifndef DD_SQL_ACL_H
#define DD_SQL_ACL_H

#include "catalog.h"

#define ACL_ALL_TABLE (ACL_INSERT | ACL_SELECT | ACL_UPDATE | ACL_DELETE | ACL_TRUNCATE | ACL_REFERENCES | ACL_TRIGGER)
#define ACL_ALL_SEQUENCE (ACL_USAGE | ACL_SELECT | ACL_UPDATE)
#define ACL_ALL_SCHEMA (ACL_USAGE | ACL_CREATE)
#define ACL_ALL_TYPE ACL_USAGE

/* The kind of object t is for privileges: 'r' a table or view, 'S' a
 * sequence, 'n' a schema, 'T' a type, 0 none (a role). */
char acl_kind(const TableInfo *t);
/* The privileges objects of kind k have. */
u32 acl_all_of(char kind);
/* The privileges of t as stored, or its kind's defaults (*out in a). */
int acl_items(Arena *a, const TableInfo *t, const AclItem **out, int *n);

/* The role whose privileges a check uses (current_user, or a view's
 * owner while its query is planned): its id, whether it is a superuser,
 * and the ids of the roles whose privileges it has. */
typedef struct AclWho {
    u32 id;
    const char *name;
    bool super;
    u32 *roles;
    int nroles;
} AclWho;
/* The checked role (cached for the statement); 42501 when current_user
 * no longer exists. */
int acl_who(SqlCtx *ctx, const AclWho **out);
/* The same for role id (42704-free: *found false when there is none). */
int acl_who_of(SqlCtx *ctx, u32 role, AclWho *out, bool *found);
/* Role id's name in the present, or NULL. */
const char *acl_role_name(SqlCtx *ctx, u32 role);
/* The role named name in the present: its id (*found false: none). */
int acl_role_id(SqlCtx *ctx, const char *name, u32 *id, bool *found);
/* The id of current_user (what CREATE makes the owner). */
u32 acl_creator(SqlCtx *ctx);

/* The present version of object t (the newest at the snapshot, its
 * transaction's change included, a dropped one too), or t itself. */
const TableInfo *acl_present(SqlCtx *ctx, const TableInfo *t);
/* The privileges of `want` that w holds on object t (its present version). */
u32 acl_mask(SqlCtx *ctx, const AclWho *w, const TableInfo *t, u32 want);
/* The privileges of `want` that w may grant on t: its grant options
 * (an owner's and a superuser's: all). */
u32 acl_grant_mask(SqlCtx *ctx, const AclWho *w, const TableInfo *t, u32 want);
/* Whether w has the privileges of t's owner (is it or inherits it). */
bool acl_owns(SqlCtx *ctx, const AclWho *w, const TableInfo *t);

/* 42501 "permission denied for table t" unless the checked role holds
 * every privilege of want on t (any of them with any).  Temporary
 * relations and the system catalogs are not checked. */
int acl_check(SqlCtx *ctx, const TableInfo *t, u32 want, int loc);
int acl_check_any(SqlCtx *ctx, const TableInfo *t, u32 want, int loc);
/* Whether the checked role owns t (false too when it cannot be read). */
bool acl_owns_checked(SqlCtx *ctx, const TableInfo *t);
/* Whether the checked role holds every privilege of want on t, without
 * an error (false too when the role cannot be read): what a DETAIL may
 * show, what a catalog view lists. */
bool acl_can(SqlCtx *ctx, const TableInfo *t, u32 want);
/* 42501 "must be owner of table t" unless the checked role owns t. */
int acl_check_owner(SqlCtx *ctx, const TableInfo *t, int loc);
/* 42501 "permission denied for schema s" unless the checked role holds
 * want on the schema catalog name `name` is in (public included). */
int acl_check_schema_of(SqlCtx *ctx, const char *name, u32 want, int loc);
/* The schema object named `schema`, or for public its privileges'
 * holder (NULL: public with its defaults). */
const TableInfo *acl_schema_object(SqlCtx *ctx, const char *schema);

/* The role AUTHORIZATION / OWNER TO names (NULL: current_user;
 * pg_database_owner: the bootstrap superuser) into *id: 42704 when there
 * is none, 42501 unless the checked role is a superuser or a member of
 * it. */
int acl_new_owner(SqlCtx *ctx, const char *name, u32 *id);
/* Gives t (a version being made) the owner `owner`: the old owner's
 * privileges become the new owner's, as PostgreSQL's ALTER ... OWNER TO. */
void acl_set_owner(TableInfo *t, u32 owner);

/* What depends on role `role` in the present, for DROP ROLE's 2BP01: a
 * line per object it owns ("owner of table t") or has privileges on
 * ("privileges for table t") appended to detail; *n counts them. */
int acl_role_dependents(SqlCtx *ctx, u32 role, Buf *detail, int *n);

/* PostgreSQL's name of privilege bit k (ACL_* is 1 << k): "SELECT" ...,
 * NULL past the last. */
const char *acl_priv_name(int k);

/* Item it as aclitem's text: grantee=privs/grantor, a '*' after each
 * privilege held with grant option, PUBLIC's grantee empty. */
int acl_item_text(SqlCtx *ctx, const AclItem *it, Buf *out);

#endif
