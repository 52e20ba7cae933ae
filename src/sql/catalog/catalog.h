/*
 * catalog.h - names at a point in time, as the SQL layer sees them: tables
 * of the present (the snapshot's catalog under the transaction's own
 * catalog changes), and the system columns and relations every table and
 * query may name (docs/time-travel.md §4, §7).  The versioned catalog itself is the
 * store's (store/catalog.c); AS OF lookups go to it directly.
 */
#ifndef DD_SQL_CATALOG_H
#define DD_SQL_CATALOG_H

#include "../txn/ctx.h"

/* The history columns of every table, hidden from *, in this order after
 * the table's own columns in a scan's rows. */
#define HIST_COLS 6
extern const char *const hist_col_names[HIST_COLS];
extern const TypeId hist_col_types[HIST_COLS];

/* drift_commits, one row per commit. */
#define COMMITS_COLS 8
extern const char *const commits_col_names[COMMITS_COLS];
extern const TypeId commits_col_types[COMMITS_COLS];

/* The hidden key column of a table declared without a primary key. */
#define ROWID_COL "_rowid"

/*
 * Schemas.  A relation or type in schema s has the catalog name "s.name";
 * one in public (which always exists and is not a catalog object) just
 * "name", so a qualified name as written ("s.t", the parser having made
 * "public.t" plain "t") is its catalog name.  An unqualified name is
 * looked up in each schema of the session's search_path in turn (after
 * the session's temporary relations, and, under a permanent view's query,
 * after the relations the view was made over).  Names of schemas,
 * relations and types never hold a '.' of their own.
 */
/* The schema of a catalog name ("public" when unqualified), in a. */
const char *name_schema(Arena *a, const char *name);
/* Whether two catalog names are in the same schema. */
bool same_schema(const char *a, const char *b);
/* The catalog name of `base` in the schema of catalog name catname (an
 * index's or a constraint's beside its table), in a. */
char *name_sibling(Arena *a, const char *catname, const char *base);
/* Whether a catalog name is in schema `schema`. */
bool name_in_schema(const char *name, const char *schema);
/* Schema `name` (CREATE SCHEMA; NULL for public, pg_catalog and a schema
 * that does not exist) in the present, or at the session's point. */
const TableInfo *resolve_schema_present(SqlCtx *ctx, const char *name);
/* Whether schema `name` exists: public, pg_catalog or a CREATE SCHEMA. */
bool sql_schema_exists(SqlCtx *ctx, const char *name);
/* The schemas of search_path that exist, in order, each once ("$user"
 * as the session's user); with `implicit`, pg_catalog first unless the
 * path names it (current_schemas(true)).  *out in the statement arena. */
int sql_search_path(SqlCtx *ctx, bool implicit, const char ***out, int *n);
/* The catalog name CREATE gives `name` as written: in its schema when
 * qualified (3F000 when that does not exist, 42501 for pg_catalog), else
 * in the first schema of search_path that exists (3F000 "no schema has
 * been selected to create in" when none).  *out in the statement arena. */
int sql_create_name(SqlCtx *ctx, const char *name, int loc, char **out);
/* sql_create_name for a relation that CREATE makes, *name replaced; a
 * temporary one keeps its name (42P16 when qualified). */
int relation_create_name(SqlCtx *ctx, char **name, int loc, bool temp);
/* Looks a written name up with fn (given catalog names): a qualified name
 * as it is, an unqualified one in each schema of search_path in turn. */
typedef const TableInfo *(*NameLookup)(SqlCtx *ctx, const char *name, void *arg);
const TableInfo *resolve_in_path(SqlCtx *ctx, const char *name, NameLookup fn, void *arg);

/* The role called name in the present (snapshot + write set; at the
 * session's point under SET drift.system_time), or NULL; the bootstrap
 * superuser is made from its name when ALTER ROLE never changed it. */
const TableInfo *resolve_role(SqlCtx *ctx, const char *name);
/* Role id as resolve_role reads roles, or NULL when it does not exist. */
const TableInfo *resolve_role_id(SqlCtx *ctx, u32 id);
/* current_user's role (SET ROLE's, else the session's), by id when the
 * session knows it, in the present whatever SET drift.system_time says
 * (rights are the present's); NULL when it was dropped meanwhile. */
const TableInfo *resolve_current_role(SqlCtx *ctx);
/* Every role of the present, the bootstrap superuser's first unless it
 * was renamed in the write set.  *out in the statement arena. */
int present_roles(SqlCtx *ctx, const TableInfo ***out, int *n);

/* Resolves a table name as written in the present (snapshot + write
 * set), or NULL: the session's temporary relation of that name first
 * (pg_temp leads PostgreSQL's search_path), then a permanent one through
 * the search path; "pg_temp.t" names only a temporary one. */
const TableInfo *resolve_table_present(SqlCtx *ctx, const char *name);
/* The temporary relation called name ("t" or "pg_temp.t"), or NULL. */
const TableInfo *resolve_temp_present(SqlCtx *ctx, const char *name);
/* The permanent relation called name as written at seq (the store's
 * catalog, not the write set), or NULL; then *created_later as
 * store_table_by_name gives it. */
const TableInfo *resolve_table_at(SqlCtx *ctx, const char *name, u64 seq, u64 *created_later);
/* The permanent relation whose catalog name is `name`, or NULL. */
const TableInfo *resolve_permanent_present(SqlCtx *ctx, const char *name);
/* Every table and view of the present (snapshot + write set), in no
 * particular order; *out in the statement arena. */
int present_tables(SqlCtx *ctx, const TableInfo ***out, int *n);
/* Every user type (enums, domains) of the present, likewise. */
int present_types(SqlCtx *ctx, const TableInfo ***out, int *n);
/* A user type (CREATE TYPE) by name as written, through the search path,
 * in the present (at the session's point in time when drift.system_time
 * is set), or NULL; resolve_type_exact by its catalog name. */
const TableInfo *resolve_type_present(SqlCtx *ctx, const char *name);
const TableInfo *resolve_type_exact(SqlCtx *ctx, const char *name);
/* A type as written: a built-in one (type_from_name), a user enum
 * (TYPE_ENUM, *typmod its id) or its array (mood[]: the array of
 * TYPE_ENUM, *typmod the enum's id), a domain (its base type and typmod,
 * *domain its id; 0A000 where domain is NULL) or a domain's array (d[]:
 * the array of its base type, *domain its id | DOMAIN_ARRAY); 42704 for
 * an unknown name.
 * *typmod gets the type's typmod (tn's for built-in types). */
int sql_type_from_name(SqlCtx *ctx, const TypeName *tn, TypeId *t, i32 *typmod, u32 *domain);

#endif
