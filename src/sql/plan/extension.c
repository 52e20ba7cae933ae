/*
 * extension.c - CREATE EXTENSION and DROP EXTENSION.
 *
 * DriftDB has no extension mechanism: what it offers of PostgreSQL's
 * extensions is built in and always there (analyze/extfunc.c), as plpgsql
 * is always there in PostgreSQL.  So CREATE EXTENSION of one of them is
 * PostgreSQL's answer for an extension already installed (42710, or a
 * NOTICE with IF NOT EXISTS, which is how migrations and pg_dump write
 * it), DROP EXTENSION of one is refused (it cannot go), and any other name
 * is 0A000 naming what DriftDB has.
 */
#include "plan_int.h"
#include <string.h>

/* The extensions built in: what each provides is in extfunc.c (uuid-ossp,
 * pgcrypto's digests) or in the core (gen_random_uuid). */
static const char *const builtin[] = {"plpgsql", "pgcrypto", "uuid-ossp"};

static bool is_builtin(const char *name)
{
    for (size_t i = 0; i < DD_ARRAY_LEN(builtin); i++)
        if (strcmp(builtin[i], name) == 0) return true;
    return false;
}

int analyze_extension(SqlCtx *ctx, ExtensionStmt *s, Plan *p)
{
    p->kind = PLAN_ALTER_TABLE;   /* changes nothing: no table */
    p->tag = s->drop ? "DROP EXTENSION" : "CREATE EXTENSION";
    for (int i = 0; i < s->n; i++) {
        const char *name = s->names[i];
        if (!is_builtin(name)) {
            if (s->drop && s->if_exists) {
                p->notice = arena_printf(ctx->stmt, "extension \"%s\" does not exist, skipping", name);
                p->notice_state = "00000";
                continue;
            }
            if (s->drop)
                return dd_err(ctx->err, DD_EUNDEFINED_OBJECT, s->locs[i], "extension \"%s\" does not exist", name);
            dd_err(ctx->err, DD_EFEATURE, s->locs[i], "extension \"%s\" is not available", name);
            dd_err_hint(ctx->err, "DriftDB has these built in: plpgsql, pgcrypto (digest, hmac, gen_random_bytes, "
                                  "gen_random_uuid) and uuid-ossp.");
            return DD_EFEATURE;
        }
        if (s->drop)
            return dd_err(ctx->err, DD_EFEATURE, s->locs[i],
                          "extension \"%s\" is built into DriftDB and cannot be dropped", name);
        if (s->schema && strcmp(s->schema, "public") != 0 && strcmp(s->schema, "pg_catalog") != 0)
            return dd_err(ctx->err, DD_EUNDEFINED_SCHEMA, s->schema_loc, "schema \"%s\" does not exist", s->schema);
        if (!s->if_exists)
            return dd_err(ctx->err, DD_EDUPLICATE_OBJECT, -1, "extension \"%s\" already exists", name);
        p->notice = arena_printf(ctx->stmt, "extension \"%s\" already exists, skipping", name);
        p->notice_state = "42710";
    }
    return DD_OK;
}
