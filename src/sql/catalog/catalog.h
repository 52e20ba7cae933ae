/*
 * catalog.h - names at a point in time, as the SQL layer sees them: tables
 * of the present (the snapshot's catalog under the transaction's own
 * catalog changes), and the system columns and relations every table and
 * query may name (TEMPORAL.md §4, §7).  The versioned catalog itself is the
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
#define COMMITS_COLS 7
extern const char *const commits_col_names[COMMITS_COLS];
extern const TypeId commits_col_types[COMMITS_COLS];

/* The hidden key column of a table declared without a primary key. */
#define ROWID_COL "_rowid"

/* Resolves a table name in the present (snapshot + write set), or NULL:
 * the session's temporary relation of that name first (pg_temp leads
 * PostgreSQL's search_path), then a permanent one; "pg_temp.t" names
 * only a temporary one. */
const TableInfo *resolve_table_present(SqlCtx *ctx, const char *name);
/* The temporary relation called name ("t" or "pg_temp.t"), or NULL. */
const TableInfo *resolve_temp_present(SqlCtx *ctx, const char *name);
/* The permanent relation called name, or NULL. */
const TableInfo *resolve_permanent_present(SqlCtx *ctx, const char *name);
/* Every table and view of the present (snapshot + write set), in no
 * particular order; *out in the statement arena. */
int present_tables(SqlCtx *ctx, const TableInfo ***out, int *n);
/* Every user type (enums, domains) of the present, likewise. */
int present_types(SqlCtx *ctx, const TableInfo ***out, int *n);
/* A user type (CREATE TYPE) by name in the present (at the session's
 * point in time when drift.system_time is set), or NULL. */
const TableInfo *resolve_type_present(SqlCtx *ctx, const char *name);
/* A type as written: a built-in one (type_from_name), a user enum
 * (TYPE_ENUM, *typmod its id) or a domain (its base type and typmod,
 * *domain its id; 0A000 where domain is NULL); 42704 for an unknown name.
 * *typmod gets the type's typmod (tn's for built-in types). */
int sql_type_from_name(SqlCtx *ctx, const TypeName *tn, TypeId *t, i32 *typmod, u32 *domain);

#endif
