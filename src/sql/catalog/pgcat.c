/*
 * pgcat.c - the catalog as PostgreSQL's system catalogs describe it
 * (pgcat.h): OIDs, namespaces, type names, visibility, reg* text.
 */
#include "pgcat.h"
#include "acl.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "../parse/lexer.h"
#include "../types/value.h"

/* ---------------------------------------------------------------- views */

/* The schemas (CREATE SCHEMA) at seq, or of the present with the
 * transaction's own changes. */
static int schemas_of(SqlCtx *ctx, u64 seq, bool present, const TableInfo ***out, int *nout)
{
    const TableInfo **ts;
    int n;
    int rc = store_schemas_at(ctx->snap, seq, ctx->stmt, &ts, &n, ctx->err);
    if (rc) return rc;
    if (!present || !ctx->ws) {
        *out = ts;
        *nout = n;
        return DD_OK;
    }
    const TableInfo **wts = NULL;
    int nws = 0;
    if ((rc = ws_all_tables(ctx->ws, ctx->stmt, &wts, &nws))) return rc;
    const TableInfo **all = arena_alloc(ctx->stmt, sizeof(TableInfo *) * (size_t)(n + nws + 1));
    if (!all) return DD_ENOMEM;
    int m = 0;
    for (int i = 0; i < n; i++) {
        const TableInfo *o = ws_table(ctx->ws, ts[i]->id);
        if (o && o->dropped) continue;
        all[m++] = o ? o : ts[i];
    }
    for (int i = 0; i < nws; i++) {
        const TableInfo *o = wts[i];
        if (!o->utype || cat_space(o) != CAT_SPACE_SCHEMA || o->dropped) continue;
        bool seen = false;
        for (int k = 0; k < m && !seen; k++) seen = all[k]->id == o->id;
        if (!seen) all[m++] = o;
    }
    *out = all;
    *nout = m;
    return DD_OK;
}

int catview_get(SqlCtx *ctx, u64 point, const CatView **out)
{
    if (point == SEQ_NONE && ctx->session_point != SEQ_NONE) point = ctx->session_point;
    if (point == SEQ_NONE && ctx->catview) {
        *out = ctx->catview;
        return DD_OK;
    }
    CatView *cv = arena_zalloc(ctx->stmt, sizeof(CatView));
    if (!cv) return DD_ENOMEM;
    cv->ctx = ctx;
    cv->point = point;
    int rc;
    if (point == SEQ_NONE) {
        if ((rc = present_tables(ctx, &cv->rels, &cv->nrels))) return rc;
        if ((rc = present_types(ctx, &cv->types, &cv->ntypes))) return rc;
        if ((rc = schemas_of(ctx, snap_seq(ctx->snap), true, &cv->schemas, &cv->nschemas))) return rc;
        ctx->catview = cv;
    } else {
        u64 at = point > snap_seq(ctx->snap) ? snap_seq(ctx->snap) : point;
        if ((rc = store_tables_at(ctx->snap, at, ctx->stmt, &cv->rels, &cv->nrels, ctx->err))) return rc;
        if ((rc = store_types_at(ctx->snap, at, ctx->stmt, &cv->types, &cv->ntypes, ctx->err))) return rc;
        if ((rc = schemas_of(ctx, at, false, &cv->schemas, &cv->nschemas))) return rc;
    }
    *out = cv;
    return DD_OK;
}

/* ---------------------------------------------------------------- lookups */

const char *cat_ns_name(const TableInfo *t)
{
    if (t->temp) return "pg_temp_1";
    const char *dot = strchr(t->name, '.');
    if (!dot) return "public";
    static __thread char buf[CAT_MAX_NAME + 1];
    size_t n = (size_t)(dot - t->name);
    if (n > CAT_MAX_NAME) n = CAT_MAX_NAME;
    memcpy(buf, t->name, n);
    buf[n] = 0;
    return buf;
}

static u32 ns_oid_of_name(const CatView *cv, const char *schema)
{
    if (strcmp(schema, "public") == 0) return OID_NS_PUBLIC;
    if (strcmp(schema, "pg_catalog") == 0) return OID_NS_PG_CATALOG;
    if (strcmp(schema, "information_schema") == 0) return OID_NS_INFORMATION_SCHEMA;
    if (strcmp(schema, "pg_temp_1") == 0 || strcmp(schema, "pg_temp") == 0) return OID_NS_TEMP;
    for (int i = 0; i < cv->nschemas; i++)
        if (cv->schemas[i]->utype->kind == 's' && strcmp(cv->schemas[i]->name, schema) == 0)
            return cat_object_oid(cv->schemas[i]);
    return 0;
}

u32 cat_ns_oid(const CatView *cv, const TableInfo *t)
{
    if (t->temp) return OID_NS_TEMP;
    if (!strchr(t->name, '.')) return OID_NS_PUBLIC;
    return ns_oid_of_name(cv, cat_ns_name(t));
}

const char *cat_ns_by_oid(const CatView *cv, u32 oid)
{
    switch (oid) {
    case OID_NS_PUBLIC: return "public";
    case OID_NS_PG_CATALOG: return "pg_catalog";
    case OID_NS_INFORMATION_SCHEMA: return "information_schema";
    case OID_NS_TEMP: return "pg_temp_1";
    case OID_NS_TOAST: return "pg_toast";
    default: break;
    }
    for (int i = 0; i < cv->nschemas; i++)
        if (cv->schemas[i]->utype->kind == 's' && cat_object_oid(cv->schemas[i]) == oid) return cv->schemas[i]->name;
    return NULL;
}

const TableInfo *cat_rel_by_id(const CatView *cv, u32 id)
{
    for (int i = 0; i < cv->nrels; i++)
        if (cv->rels[i]->id == id) return cv->rels[i];
    return NULL;
}

const TableInfo *cat_rel_by_oid(const CatView *cv, u32 oid)
{
    if (oid < OID_OBJECT_BASE || oid >= OID_INDEX_BASE) return NULL;
    return cat_rel_by_id(cv, oid - OID_OBJECT_BASE);
}

const TableInfo *cat_type_by_oid(const CatView *cv, u32 oid, bool *array)
{
    *array = false;
    if (oid >= OID_OBJECT_BASE + OID_ARRAY_OFFSET) {
        *array = true;
        oid -= OID_ARRAY_OFFSET;
    }
    if (oid < OID_OBJECT_BASE || oid >= OID_INDEX_BASE) return NULL;
    for (int i = 0; i < cv->ntypes; i++)
        if (cat_object_oid(cv->types[i]) == oid) return cv->types[i];
    return NULL;
}

const TableInfo *cat_rowtype_rel(const CatView *cv, u32 oid, bool *array)
{
    *array = oid >= OID_ROWTYPE_ARRAY_BASE && oid < OID_CON_BASE;
    if (oid < OID_ROWTYPE_BASE || oid >= OID_CON_BASE) return NULL;
    const TableInfo *t = cat_rel_by_id(cv, oid - (*array ? OID_ROWTYPE_ARRAY_BASE : OID_ROWTYPE_BASE));
    return t && cat_has_rowtype(t) ? t : NULL;
}

const IndexInfo *cat_index_by_oid(const CatView *cv, u32 oid, const TableInfo **table)
{
    if (oid < OID_INDEX_BASE || oid >= OID_KEYCON_BASE) return NULL;
    for (int i = 0; i < cv->nrels; i++)
        for (int k = 0; k < cv->rels[i]->nindexes; k++)
            if (cat_index_oid(&cv->rels[i]->indexes[k]) == oid) {
                *table = cv->rels[i];
                return &cv->rels[i]->indexes[k];
            }
    return NULL;
}

/* ---------------------------------------------------------------- columns */

static bool col_listed(const ColumnInfo *c) { return strcmp(c->name, ROWID_COL) != 0; }

int cat_attnum(const TableInfo *t, u32 colid)
{
    int n = 0;
    for (int i = 0; i < t->ncols; i++) {
        if (!col_listed(&t->cols[i])) continue;
        n++;
        if (t->cols[i].id == colid) return n;
    }
    return 0;
}

const ColumnInfo *cat_col_by_attnum(const TableInfo *t, int attnum)
{
    int n = 0;
    for (int i = 0; i < t->ncols; i++) {
        if (!col_listed(&t->cols[i])) continue;
        if (++n == attnum) return &t->cols[i];
    }
    return NULL;
}

u32 cat_col_typoid(const ColumnInfo *c)
{
    TypeId t = c->type == TYPE_NULLTYPE ? TYPE_TEXT : (TypeId)c->type;
    if (c->domain) {
        u32 d = OID_OBJECT_BASE + (c->domain & ~DOMAIN_ARRAY);
        return c->domain & DOMAIN_ARRAY ? d + OID_ARRAY_OFFSET : d;
    }
    if (t == TYPE_ENUM && c->typmod >= 0) return OID_OBJECT_BASE + (u32)c->typmod;
    if (t == type_array_of(TYPE_ENUM) && c->typmod >= 0) return OID_OBJECT_BASE + OID_ARRAY_OFFSET + (u32)c->typmod;
    return type_oid(t);
}

i32 cat_pg_typmod(TypeId t, i32 typmod)
{
    TypeId e = type_is_array(t) ? type_elem(t) : t;
    if (typmod < 0) return -1;
    switch (e) {
    case TYPE_VARCHAR:
    case TYPE_BPCHAR: return typmod + 4;
    case TYPE_NUMERIC: return typmod + 4;
    case TYPE_TIME:
    case TYPE_TIMETZ:
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ: return typmod;
    case TYPE_INTERVAL:
        return interval_typmod(interval_typmod_range(typmod), interval_typmod_prec(typmod));
    default: return -1;
    }
}

/* ---------------------------------------------------------------- types */

bool cat_builtin_type(u32 oid, TypeId *out)
{
    if (oid == 0) return false;   /* a TypeId left unused has OID 0 */
    for (int t = 1; t < TYPE__COUNT; t++) {
        if (t == TYPE_ENUM || t == TYPE_NULLTYPE) continue;
        if (type_oid((TypeId)t) == oid) { *out = (TypeId)t; return true; }
        if (type_has_array((TypeId)t) && type_oid(type_array_of((TypeId)t)) == oid) {
            *out = type_array_of((TypeId)t);
            return true;
        }
    }
    return false;
}

static const char *interval_fields(int range)
{
    static const struct { int mask; const char *text; } f[] = {
        {4, " year"}, {2, " month"}, {8, " day"}, {1024, " hour"}, {2048, " minute"}, {4096, " second"},
        {4 | 2, " year to month"}, {8 | 1024, " day to hour"}, {8 | 1024 | 2048, " day to minute"},
        {8 | 1024 | 2048 | 4096, " day to second"}, {1024 | 2048, " hour to minute"},
        {1024 | 2048 | 4096, " hour to second"}, {2048 | 4096, " minute to second"},
    };
    for (size_t i = 0; i < DD_ARRAY_LEN(f); i++)
        if (f[i].mask == range) return f[i].text;
    return "";
}

/* A built-in type with a PostgreSQL typmod, as format_type writes it. */
static void builtin_type_name(TypeId t, i32 tm, bool typmod_given, Buf *out)
{
    switch (t) {
    case TYPE_VARCHAR:
        buf_puts(out, "character varying");
        if (tm >= 4) buf_printf(out, "(%d)", (int)tm - 4);
        return;
    case TYPE_BPCHAR:
        /* format_type(1042, -1) is bpchar, (1042, NULL) character */
        if (typmod_given && tm < 0) { buf_puts(out, "bpchar"); return; }
        buf_puts(out, "character");
        if (tm >= 4) buf_printf(out, "(%d)", (int)tm - 4);
        return;
    case TYPE_NUMERIC:
        buf_puts(out, "numeric");
        if (tm >= 4) buf_printf(out, "(%d,%d)", numeric_typmod_prec(tm - 4), numeric_typmod_scale(tm - 4));
        return;
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ:
    case TYPE_TIME:
    case TYPE_TIMETZ: {
        const char *base = t == TYPE_TIMESTAMP || t == TYPE_TIMESTAMPTZ ? "timestamp" : "time";
        bool tz = t == TYPE_TIMESTAMPTZ || t == TYPE_TIMETZ;
        if (tm >= 0) buf_printf(out, "%s(%d) with%s time zone", base, (int)tm, tz ? "" : "out");
        else buf_printf(out, "%s with%s time zone", base, tz ? "" : "out");
        return;
    }
    case TYPE_INTERVAL:
        buf_puts(out, "interval");
        if (tm >= 0) {
            int range = interval_typmod_range(tm), prec = interval_typmod_prec(tm);
            if (range != INTERVAL_FULL_RANGE) buf_puts(out, interval_fields(range));
            if (prec != INTERVAL_FULL_PRECISION) buf_printf(out, "(%d)", prec);
        }
        return;
    default: buf_puts(out, type_name(t)); return;
    }
}

bool cat_format_type(const CatView *cv, u32 oid, i32 tm, bool typmod_given, Buf *out)
{
    TypeId t;
    if (cat_builtin_type(oid, &t)) {
        if (type_is_array(t)) {
            builtin_type_name(type_elem(t), tm, typmod_given, out);
            buf_puts(out, "[]");
        } else {
            builtin_type_name(t, tm, typmod_given, out);
        }
        return true;
    }
    if (cat_pseudo_type(oid)) {
        buf_puts(out, cat_pseudo_type(oid));
        return true;
    }
    bool array;
    const TableInfo *u = cat_type_by_oid(cv, oid, &array);
    if (!u && (u = cat_rowtype_rel(cv, oid, &array))) {
        cat_relation_name(cv, u, name_base(u->name), out);
        if (array) buf_puts(out, "[]");
        return true;
    }
    if (!u) return false;
    if (!cat_visible(cv, u)) {
        cat_quote_ident(cat_ns_name(u), out);
        buf_putc(out, '.');
    }
    cat_quote_ident(name_base(u->name), out);
    if (array) buf_puts(out, "[]");
    return true;
}

/* ---------------------------------------------------------------- names */

bool cat_visible(const CatView *cv, const TableInfo *t)
{
    if (t->temp) return true;
    SqlCtx *ctx = cv->ctx;
    const char **path;
    int np;
    if (sql_search_path(ctx, true, &path, &np)) return false;
    char schema[CAT_MAX_NAME + 1];   /* cat_ns_name's buffer is reused below */
    snprintf(schema, sizeof schema, "%s", cat_ns_name(t));
    const char *base = name_base(t->name);
    bool is_type = cat_space(t) == CAT_SPACE_TYPE;
    for (int i = 0; i < np; i++) {
        if (strcmp(path[i], schema) == 0) return true;
        /* an object of that name in an earlier schema hides it */
        const TableInfo *const *v = is_type ? cv->types : cv->rels;
        int n = is_type ? cv->ntypes : cv->nrels;
        for (int k = 0; k < n; k++)
            if (!v[k]->temp && strcmp(name_base(v[k]->name), base) == 0 && strcmp(cat_ns_name(v[k]), path[i]) == 0)
                return false;
    }
    return false;
}

static bool ident_safe(const char *s, size_t len)
{
    if (len == 0) return false;
    unsigned char c0 = (unsigned char)s[0];
    if (!((c0 >= 'a' && c0 <= 'z') || c0 == '_')) return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    }
    int kw = lex_keyword(s, (u32)len);
    return kw == KW_NONE || lex_keyword_category(kw) == KWC_UNRESERVED;
}

void cat_quote_ident_n(const char *s, size_t len, Buf *out)
{
    if (ident_safe(s, len)) { buf_append(out, s, len); return; }
    buf_putc(out, '"');
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"') buf_putc(out, '"');
        buf_putc(out, (u8)s[i]);
    }
    buf_putc(out, '"');
}

void cat_quote_ident(const char *name, Buf *out) { cat_quote_ident_n(name, strlen(name), out); }

void cat_relation_name(const CatView *cv, const TableInfo *t, const char *base, Buf *out)
{
    if (!cat_visible(cv, t)) {
        cat_quote_ident(cat_ns_name(t), out);
        buf_putc(out, '.');
    }
    cat_quote_ident(base, out);
}

/* ---------------------------------------------------------------- system relations */

/* PostgreSQL 15's OIDs; its system views' (pg_roles ...) are those its
 * initdb gives them, information_schema's (whose PostgreSQL numbers
 * depend on the locales initdb found) and drift_tables are DriftDB's. */
const SysRelName sys_rel_names[] = {
    {"pg_catalog", "pg_type", 1247}, {"pg_catalog", "pg_attribute", 1249}, {"pg_catalog", "pg_proc", 1255},
    {"pg_catalog", "pg_class", 1259}, {"pg_catalog", "pg_authid", 1260}, {"pg_catalog", "pg_auth_members", 1261},
    {"pg_catalog", "pg_database", 1262}, {"pg_catalog", "pg_attrdef", 2604}, {"pg_catalog", "pg_constraint", 2606},
    {"pg_catalog", "pg_inherits", 2611}, {"pg_catalog", "pg_index", 2610}, {"pg_catalog", "pg_operator", 2617},
    {"pg_catalog", "pg_rewrite", 2618}, {"pg_catalog", "pg_trigger", 2620}, {"pg_catalog", "pg_description", 2609},
    {"pg_catalog", "pg_am", 2601}, {"pg_catalog", "pg_namespace", 2615}, {"pg_catalog", "pg_depend", 2608},
    {"pg_catalog", "pg_collation", 3456}, {"pg_catalog", "pg_extension", 3079}, {"pg_catalog", "pg_enum", 3501},
    {"pg_catalog", "pg_sequence", 2224}, {"pg_catalog", "pg_policy", 3256}, {"pg_catalog", "pg_statistic_ext", 3381},
    {"pg_catalog", "pg_publication", 6104}, {"pg_catalog", "pg_publication_namespace", 6237},
    {"pg_catalog", "pg_publication_rel", 6106}, {"pg_catalog", "pg_tablespace", 1213},
    {"pg_catalog", "pg_shdescription", 2396}, {"pg_catalog", "pg_range", 3541}, {"pg_catalog", "pg_language", 2612},
    {"pg_catalog", "pg_roles", 12000}, {"pg_catalog", "pg_user", 12014}, {"pg_catalog", "pg_tables", 12033},
    {"pg_catalog", "pg_views", 12028}, {"pg_catalog", "pg_indexes", 12043}, {"pg_catalog", "pg_settings", 12104},
    {"pg_catalog", "pg_stat_activity", 12222}, {"pg_catalog", "pg_sequences", 12048},
    {"pg_catalog", "pg_stat_ssl", 12249},
    {"pg_catalog", "pg_stat_user_tables", 12161}, {"pg_catalog", "pg_locks", 12073},
    {"information_schema", "tables", 13101}, {"information_schema", "columns", 13102},
    {"information_schema", "schemata", 13103}, {"information_schema", "views", 13104},
    {"information_schema", "table_constraints", 13105}, {"information_schema", "key_column_usage", 13106},
    {"information_schema", "referential_constraints", 13107},
    {"information_schema", "constraint_column_usage", 13108}, {"information_schema", "sequences", 13109},
    {"information_schema", "routines", 13110}, {"information_schema", "parameters", 13111},
    {"information_schema", "character_sets", 13112}, {"information_schema", "check_constraints", 13113},
    {"information_schema", "table_privileges", 13114}, {"information_schema", "role_table_grants", 13115},
    {"information_schema", "column_privileges", 13116}, {"information_schema", "role_column_grants", 13117},
    {"information_schema", "usage_privileges", 13118}, {"information_schema", "role_usage_grants", 13119},
    {"information_schema", "enabled_roles", 13120}, {"information_schema", "applicable_roles", 13121},
    {"information_schema", "administrable_role_authorizations", 13122},
    {"information_schema", "routine_privileges", 13123}, {"information_schema", "role_routine_grants", 13124},
    {"information_schema", "udt_privileges", 13125}, {"information_schema", "role_udt_grants", 13126},
    {"information_schema", "data_type_privileges", 13127},
    {"pg_catalog", "drift_tables", 12100}, {"pg_catalog", "drift_checkpoints", 12101},
    {"pg_catalog", "pg_stat_all_tables", 12142},
    {"pg_catalog", "pg_stats", 12053},
    /* DriftDB has none of what these list */
    {"pg_catalog", "pg_amop", 2602},
    {"pg_catalog", "pg_amproc", 2603},
    {"pg_catalog", "pg_cast", 2605},
    {"pg_catalog", "pg_conversion", 2607},
    {"pg_catalog", "pg_db_role_setting", 2964},
    {"pg_catalog", "pg_default_acl", 826},
    {"pg_catalog", "pg_event_trigger", 3466},
    {"pg_catalog", "pg_foreign_data_wrapper", 2328},
    {"pg_catalog", "pg_foreign_server", 1417},
    {"pg_catalog", "pg_foreign_table", 3118},
    {"pg_catalog", "pg_init_privs", 3394},
    {"pg_catalog", "pg_largeobject_metadata", 2995},
    {"pg_catalog", "pg_opclass", 2616},
    {"pg_catalog", "pg_opfamily", 2753},
    {"pg_catalog", "pg_parameter_acl", 6243},
    {"pg_catalog", "pg_partitioned_table", 3350},
    {"pg_catalog", "pg_seclabel", 3596},
    {"pg_catalog", "pg_seclabels", 12099},
    {"pg_catalog", "pg_shseclabel", 3592},
    {"pg_catalog", "pg_subscription", 6100},
    {"pg_catalog", "pg_transform", 3576},
    {"pg_catalog", "pg_ts_config", 3602},
    {"pg_catalog", "pg_ts_dict", 3600},
    {"pg_catalog", "pg_ts_parser", 3601},
    {"pg_catalog", "pg_ts_template", 3764},
    {"pg_catalog", "pg_user_mappings", 12327},
    {"pg_catalog", "pg_user_mapping", 1418},
    {"pg_catalog", "pg_aggregate", 2600},
    {"pg_catalog", "pg_shdepend", 1214},
    {"pg_catalog", "pg_largeobject", 2613},
    {"pg_catalog", "pg_ts_config_map", 3603},
    {"pg_catalog", "pg_statistic", 2619},
    {"pg_catalog", "pg_matviews", 12038},
    {"pg_catalog", "pg_rules", 12023},
    {"pg_catalog", "pg_policies", 12018},
    {"pg_catalog", "pg_prepared_xacts", 12090},
    {"pg_catalog", "pg_group", 12010},
};
const int nsys_rel_names = (int)DD_ARRAY_LEN(sys_rel_names);

const char *syscat_name_by_oid(u32 oid)
{
    static __thread char buf[2 * CAT_MAX_NAME + 2];
    for (int i = 0; i < nsys_rel_names; i++) {
        if (sys_rel_names[i].oid != oid) continue;
        if (strcmp(sys_rel_names[i].schema, "pg_catalog") == 0) return sys_rel_names[i].name;
        snprintf(buf, sizeof buf, "%s.%s", sys_rel_names[i].schema, sys_rel_names[i].name);
        return buf;
    }
    return NULL;
}

u32 syscat_oid_by_name(const char *schema, const char *name)
{
    for (int i = 0; i < nsys_rel_names; i++)
        if (strcmp(sys_rel_names[i].name, name) == 0 &&
            (schema ? strcmp(sys_rel_names[i].schema, schema) == 0 : strcmp(sys_rel_names[i].schema, "pg_catalog") == 0))
            return sys_rel_names[i].oid;
    return 0;
}

/* ---------------------------------------------------------------- functions */

static const struct {
    const char *typname;
    u32 oid[4];
    const char *name[4];
} type_io[] = {
    {"bool", {1242, 1243, 2436, 2437}, {"boolin", "boolout", "boolrecv", "boolsend"}},
    {"bpchar", {1044, 1045, 2430, 2431}, {"bpcharin", "bpcharout", "bpcharrecv", "bpcharsend"}},
    {"bytea", {1244, 31, 2412, 2413}, {"byteain", "byteaout", "bytearecv", "byteasend"}},
    {"char", {1245, 33, 2434, 2435}, {"charin", "charout", "charrecv", "charsend"}},
    {"date", {1084, 1085, 2468, 2469}, {"date_in", "date_out", "date_recv", "date_send"}},
    {"float4", {200, 201, 2424, 2425}, {"float4in", "float4out", "float4recv", "float4send"}},
    {"float8", {214, 215, 2426, 2427}, {"float8in", "float8out", "float8recv", "float8send"}},
    {"int2", {38, 39, 2404, 2405}, {"int2in", "int2out", "int2recv", "int2send"}},
    {"int4", {42, 43, 2406, 2407}, {"int4in", "int4out", "int4recv", "int4send"}},
    {"int8", {460, 461, 2408, 2409}, {"int8in", "int8out", "int8recv", "int8send"}},
    {"interval", {1160, 1161, 2478, 2479}, {"interval_in", "interval_out", "interval_recv", "interval_send"}},
    {"json", {321, 322, 323, 324}, {"json_in", "json_out", "json_recv", "json_send"}},
    {"jsonb", {3806, 3804, 3805, 3803}, {"jsonb_in", "jsonb_out", "jsonb_recv", "jsonb_send"}},
    {"name", {34, 35, 2422, 2423}, {"namein", "nameout", "namerecv", "namesend"}},
    {"numeric", {1701, 1702, 2460, 2461}, {"numeric_in", "numeric_out", "numeric_recv", "numeric_send"}},
    {"oid", {1798, 1799, 2418, 2419}, {"oidin", "oidout", "oidrecv", "oidsend"}},
    {"record", {2290, 2291, 2402, 2403}, {"record_in", "record_out", "record_recv", "record_send"}},
    {"regclass", {2218, 2219, 2452, 2453}, {"regclassin", "regclassout", "regclassrecv", "regclasssend"}},
    {"regnamespace", {4084, 4085, 4087, 4088}, {"regnamespacein", "regnamespaceout", "regnamespacerecv", "regnamespacesend"}},
    {"regproc", {44, 45, 2444, 2445}, {"regprocin", "regprocout", "regprocrecv", "regprocsend"}},
    {"regrole", {4098, 4092, 4094, 4095}, {"regrolein", "regroleout", "regrolerecv", "regrolesend"}},
    {"regprocedure", {2212, 2213, 2446, 2447}, {"regprocedurein", "regprocedureout", "regprocedurerecv", "regproceduresend"}},
    {"regtype", {2220, 2221, 2454, 2455}, {"regtypein", "regtypeout", "regtyperecv", "regtypesend"}},
    {"text", {46, 47, 2414, 2415}, {"textin", "textout", "textrecv", "textsend"}},
    {"time", {1143, 1144, 2470, 2471}, {"time_in", "time_out", "time_recv", "time_send"}},
    {"timestamp", {1312, 1313, 2474, 2475}, {"timestamp_in", "timestamp_out", "timestamp_recv", "timestamp_send"}},
    {"timestamptz", {1150, 1151, 2476, 2477}, {"timestamptz_in", "timestamptz_out", "timestamptz_recv", "timestamptz_send"}},
    {"timetz", {1350, 1351, 2472, 2473}, {"timetz_in", "timetz_out", "timetz_recv", "timetz_send"}},
    {"unknown", {109, 110, 2416, 2417}, {"unknownin", "unknownout", "unknownrecv", "unknownsend"}},
    {"uuid", {2952, 2953, 2961, 2962}, {"uuid_in", "uuid_out", "uuid_recv", "uuid_send"}},
    {"varchar", {1046, 1047, 2432, 2433}, {"varcharin", "varcharout", "varcharrecv", "varcharsend"}},
    {"xid8", {5070, 5081, 5082, 5083}, {"xid8in", "xid8out", "xid8recv", "xid8send"}},
    {"_array", {750, 751, 2400, 2401}, {"array_in", "array_out", "array_recv", "array_send"}},
    {"_enum", {3506, 3507, 3532, 3533}, {"enum_in", "enum_out", "enum_recv", "enum_send"}},
    {"_domain", {2597, 0, 2598, 0}, {"domain_in", NULL, "domain_recv", NULL}},
};

#define OID_CSTRING 2275u
#define OID_INTERNAL 2281u
#define OID_ANYARRAY 2277u
#define OID_ANYENUM 3500u
#define OID_ANY 2276u
#define OID_BYTEA 17u

const CatPseudoType cat_pseudo_types[] = {
    {OID_CSTRING, "cstring", "cstring"},
    {OID_INTERNAL, "internal", "internal"},
    {OID_ANYARRAY, "anyarray", "anyarray"},
    {OID_ANYENUM, "anyenum", "anyenum"},
    {OID_ANY, "any", "\"any\""},
    {2283, "anyelement", "anyelement"},
    {2776, "anynonarray", "anynonarray"},
    {5077, "anycompatible", "anycompatible"},
    {5078, "anycompatiblearray", "anycompatiblearray"},
    {5079, "anycompatiblenonarray", "anycompatiblenonarray"},
    {2278, "void", "void"},
};
const int ncat_pseudo_types = (int)DD_ARRAY_LEN(cat_pseudo_types);

const char *cat_pseudo_type(u32 oid)
{
    for (size_t i = 0; i < DD_ARRAY_LEN(cat_pseudo_types); i++)
        if (cat_pseudo_types[i].oid == oid) return cat_pseudo_types[i].shown;
    return NULL;
}

u32 cat_type_io(const char *typname, int kind)
{
    for (size_t i = 0; i < DD_ARRAY_LEN(type_io); i++)
        if (strcmp(type_io[i].typname, typname) == 0) return type_io[i].oid[kind];
    return 0;
}

/* The I/O functions' rows, made once: one argument (cstring for input,
 * internal for receive, the type itself for output and send). */
static CatProcRow io_procs[4 * DD_ARRAY_LEN(type_io)];
static u32 io_args[4 * DD_ARRAY_LEN(type_io)];
static int nio_procs;
static pthread_once_t procs_once = PTHREAD_ONCE_INIT;

static void procs_init(void)
{
    for (size_t i = 0; i < DD_ARRAY_LEN(type_io); i++) {
        const char *tn = type_io[i].typname;
        u32 self = 0;
        TypeId t;
        if (tn[0] == '_') self = strcmp(tn, "_array") == 0 ? OID_ANYARRAY : strcmp(tn, "_enum") == 0 ? OID_ANYENUM : OID_ANY;
        else if (strcmp(tn, "char") == 0) self = type_oid(TYPE_CHAR);
        else if (type_from_name(tn, &t)) self = type_oid(t);
        else if (strcmp(tn, "record") == 0) self = type_oid(TYPE_RECORD);
        else if (strcmp(tn, "unknown") == 0) self = type_oid(TYPE_UNKNOWN);
        for (int k = 0; k < 4; k++) {
            if (!type_io[i].oid[k]) continue;
            static const u32 ret_of[4] = {0, OID_CSTRING, 0, OID_BYTEA};
            io_args[nio_procs] = k == 0 ? OID_CSTRING : k == 2 ? OID_INTERNAL : self;
            io_procs[nio_procs] = (CatProcRow){
                .oid = type_io[i].oid[k], .name = type_io[i].name[k], .lang = 12, .cost = 1, .kind = 'f',
                .flags = PROC_STRICT, .volatility = 'i', .parallel = 's', .nargs = 1,
                .rettype = ret_of[k] ? ret_of[k] : self, .args = &io_args[nio_procs], .src = type_io[i].name[k],
            };
            nio_procs++;
        }
    }
}

int cat_nprocs(void)
{
    pthread_once(&procs_once, procs_init);
    return nio_procs + ncat_proc_rows;
}

const CatProcRow *cat_proc_at(int i)
{
    pthread_once(&procs_once, procs_init);
    return i < nio_procs ? &io_procs[i] : &cat_proc_rows[i - nio_procs];
}

const CatProcRow *cat_proc_by_oid(u32 oid)
{
    pthread_once(&procs_once, procs_init);
    for (int i = 0; i < nio_procs; i++)
        if (io_procs[i].oid == oid) return &io_procs[i];
    int lo = 0, hi = ncat_proc_rows - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (cat_proc_rows[mid].oid == oid) return &cat_proc_rows[mid];
        if (cat_proc_rows[mid].oid < oid) lo = mid + 1;
        else hi = mid - 1;
    }
    return NULL;
}

const CatOperRow *cat_oper_by_oid(u32 oid)
{
    for (int i = 0; i < ncat_oper_rows; i++)
        if (cat_oper_rows[i].oid == oid) return &cat_oper_rows[i];
    return NULL;
}

bool cat_regprocedure_out(const CatView *cv, u32 oid, Buf *out)
{
    const CatProcRow *p = cat_proc_by_oid(oid);
    if (!p) return false;
    cat_quote_ident(p->name, out);
    buf_putc(out, '(');
    for (int i = 0; i < p->nargs; i++) {
        if (i) buf_putc(out, ',');
        if (!cat_format_type(cv, p->args[i], -1, false, out)) buf_printf(out, "%u", p->args[i]);
    }
    buf_putc(out, ')');
    return true;
}

/* ---------------------------------------------------------------- reg* */

bool cat_reg_out(void *arg, TypeId t, u32 oid, Buf *out)
{
    SqlCtx *ctx = arg;
    const CatView *cv;
    if (!ctx || !ctx->snap || catview_get(ctx, SEQ_NONE, &cv)) return false;
    switch (t) {
    case TYPE_REGCLASS: {
        const TableInfo *r = cat_rel_by_oid(cv, oid);
        if (r) { cat_relation_name(cv, r, name_base(r->name), out); return true; }
        if (oid >= OID_PKIDX_BASE && oid < OID_KEYCON_BASE && (r = cat_rel_by_id(cv, oid - OID_PKIDX_BASE)) &&
            cat_has_pk(r)) {
            char nm[CAT_MAX_NAME + 8];
            snprintf(nm, sizeof nm, "%s_pkey", name_base(r->name));
            cat_relation_name(cv, r, nm, out);
            return true;
        }
        const TableInfo *owner;
        const IndexInfo *ix = cat_index_by_oid(cv, oid, &owner);
        if (ix) { cat_relation_name(cv, owner, name_base(ix->name), out); return true; }
        const char *sys = syscat_name_by_oid(oid);
        if (sys) { buf_puts(out, sys); return true; }
        return false;
    }
    case TYPE_REGTYPE: return cat_format_type(cv, oid, -1, false, out);
    case TYPE_REGPROC: {
        /* qualified when the name alone would not find it (regprocout) */
        const CatProcRow *p = cat_proc_by_oid(oid);
        if (!p) return false;
        int same = 0, n = cat_nprocs();
        for (int i = 0; i < n && same < 2; i++) same += strcmp(cat_proc_at(i)->name, p->name) == 0;
        if (same > 1) buf_puts(out, "pg_catalog.");
        cat_quote_ident(p->name, out);
        return true;
    }
    case TYPE_REGPROCEDURE: return cat_regprocedure_out(cv, oid, out);
    case TYPE_REGNAMESPACE: {
        const char *n = cat_ns_by_oid(cv, oid);
        if (!n) return false;
        cat_quote_ident(n, out);
        return true;
    }
    case TYPE_REGROLE: {
        if (oid == OID_ROLE_DATABASE_OWNER) { buf_puts(out, "pg_database_owner"); return true; }
        if (oid != OID_ROLE_OWNER && oid < OID_OBJECT_BASE) return false;
        const char *n = acl_role_name(ctx, oid == OID_ROLE_OWNER ? ROLE_BOOTSTRAP_ID : oid - OID_OBJECT_BASE);
        if (!n) return false;
        cat_quote_ident(n, out);
        return true;
    }
    default: return false;
    }
}

/* Splits "a.b" (each part maybe quoted) into at most two identifiers as
 * PostgreSQL's stringToQualifiedNameList; false: a syntax error. */
/* The dots outside double quotes of s: its names, less one. */
static int np_dots(const char *s, size_t len)
{
    int n = 1;
    bool q = false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"') q = !q;
        else if (s[i] == '.' && !q) n++;
    }
    return n;
}

#define SPLIT_MAX 4   /* db.schema.name and one more, to say it is too many */
static bool split_name(const char *s, size_t len, char parts[SPLIT_MAX][CAT_MAX_NAME + 1], int *nparts)
{
    size_t i = 0;
    int n = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) i++;
    for (;;) {
        if (n == SPLIT_MAX) return false;
        size_t k = 0;
        if (i < len && s[i] == '"') {
            i++;
            for (;;) {
                if (i >= len) return false;
                if (s[i] == '"') {
                    if (i + 1 < len && s[i + 1] == '"') { if (k < CAT_MAX_NAME) parts[n][k++] = '"'; i += 2; continue; }
                    i++;
                    break;
                }
                if (k < CAT_MAX_NAME) parts[n][k++] = s[i];
                i++;
            }
            if (k == 0) return false;
        } else {
            while (i < len && s[i] != '.' && s[i] != ' ' && s[i] != '\t' && s[i] != '\n') {
                char c = s[i++];
                if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
                if (k < CAT_MAX_NAME) parts[n][k++] = c;
            }
            if (k == 0) return false;
        }
        parts[n][k] = 0;
        n++;
        while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) i++;
        if (i >= len) break;
        if (s[i] != '.') return false;
        i++;
        while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) i++;
    }
    *nparts = n;
    return true;
}

/* regprocedurein: "name(type, ...)", each type as regtype reads it; the
 * function whose name and argument types are those. */
#define FUNC_MAX_ARGS_SYS 100
static int regprocedure_in(SqlCtx *ctx, const char *s, size_t len, u32 *oid, DdError *err)
{
    const char *lp = memchr(s, '(', len);
    if (!lp) return dd_err(err, DD_EINVALID_TEXT, -1, "expected a left parenthesis");
    size_t end = len;
    while (end > 0 && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\n')) end--;
    if (end == 0 || s[end - 1] != ')') return dd_err(err, DD_EINVALID_TEXT, -1, "expected a right parenthesis");
    char parts[SPLIT_MAX][CAT_MAX_NAME + 1];
    int np = 0;
    if (!split_name(s, (size_t)(lp - s), parts, &np) || np > 2) return dd_err(err, DD_EINVALID_NAME, -1, "invalid name syntax");
    u32 args[FUNC_MAX_ARGS_SYS];   /* PostgreSQL's FUNC_MAX_ARGS */
    int nargs = 0;
    const char *p = lp + 1, *stop = s + end - 1;
    while (p < stop && (*p == ' ' || *p == '\t' || *p == '\n')) p++;
    while (p < stop) {
        const char *q = p;
        int depth = 0;
        bool quoted = false;
        while (q < stop && (quoted || depth > 0 || *q != ',')) {
            if (*q == '"') quoted = !quoted;
            else if (!quoted && *q == '(') depth++;
            else if (!quoted && *q == ')') depth--;
            q++;
        }
        size_t n = (size_t)(q - p);
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\n')) n--;
        if (n == 0) return dd_err(err, DD_EINVALID_TEXT, -1, "expected a type name");
        if (nargs == FUNC_MAX_ARGS_SYS) break;   /* no function takes more: not found */
        int rc = cat_reg_in(ctx, TYPE_REGTYPE, p, n, &args[nargs], err);
        if (rc) return rc;
        nargs++;
        p = q < stop ? q + 1 : q;
        while (p < stop && (*p == ' ' || *p == '\t' || *p == '\n')) p++;
    }
    if (np == 1 || strcmp(parts[0], "pg_catalog") == 0) {
        int n = cat_nprocs();
        for (int i = 0; i < n; i++) {
            const CatProcRow *r = cat_proc_at(i);
            if (r->nargs != nargs || strcmp(r->name, parts[np - 1]) != 0) continue;
            bool same = true;
            for (int k = 0; k < nargs && same; k++) same = r->args[k] == args[k];
            if (same) { *oid = r->oid; return DD_OK; }
        }
    }
    return dd_err(err, DD_EUNDEFINED_FUNCTION, -1, "function \"%.*s\" does not exist", (int)len, s);
}

int cat_reg_in(void *arg, TypeId t, const char *s, size_t len, u32 *oid, DdError *err)
{
    SqlCtx *ctx = arg;
    const CatView *cv;
    int rc;
    if ((rc = catview_get(ctx, SEQ_NONE, &cv))) return rc;
    char parts[SPLIT_MAX][CAT_MAX_NAME + 1];
    int np = 0;
    if (t == TYPE_REGTYPE) {
        /* a type name as the grammar reads it ("integer", "character
         * varying", "int4[]", "public.mood"); db.schema.name of this
         * database only */
        int dots = np_dots(s, len);
        if (dots > 3)
            return dd_err(err, DD_ESYNTAX, -1, "improper qualified name (too many dotted names): %.*s", (int)len, s);
        if (dots == 3) {
            char p3[SPLIT_MAX][CAT_MAX_NAME + 1];
            int n3;
            const char *db = ctx->database ? ctx->database : "driftdb";
            if (split_name(s, len, p3, &n3) && n3 == 3 && strcmp(p3[0], db) != 0)
                return dd_err(err, DD_EFEATURE, -1, "cross-database references are not implemented: %s.%s.%s", p3[0],
                              p3[1], p3[2]);
            if (n3 == 3) {   /* this database's: read on without it */
                const char *dot = memchr(s, '.', len);
                if (dot) {
                    len -= (size_t)(dot + 1 - s);
                    s = dot + 1;
                }
            }
        }
        if (len > 2 * CAT_MAX_NAME + 64)
            return dd_err(err, DD_EUNDEFINED_OBJECT, -1, "type \"%.*s\" does not exist", (int)DD_MIN(len, 200), s);
        char buf[2 * CAT_MAX_NAME + 72];
        size_t k = 0;
        bool quoted = false;
        int paren = 0;
        for (size_t i = 0; i < len; i++) {
            char c = s[i];
            if (c == '"') {   /* a quoted part keeps its case; "" is a quote */
                if (quoted && i + 1 < len && s[i + 1] == '"') { buf[k++] = '"'; i++; continue; }
                quoted = !quoted;
                continue;
            }
            if (!quoted && c == '(') { paren++; continue; }   /* a type modifier: (10), (10,2), (3) */
            if (!quoted && c == ')') { if (paren) paren--; continue; }
            if (paren) continue;
            if (!quoted && c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
            if (!quoted && c == ' ' && (k == 0 || buf[k - 1] == ' ')) continue;
            buf[k++] = c;
        }
        while (k > 0 && buf[k - 1] == ' ') k--;
        buf[k] = 0;
        if (len >= 6 && memcmp(s, "\"char\"", 6) == 0 && (len == 6 || (len == 8 && memcmp(s + 6, "[]", 2) == 0))) {
            /* the one-byte "char", quoted */
            *oid = type_oid(len == 6 ? TYPE_CHAR : type_array_of(TYPE_CHAR));
            return DD_OK;
        }
        const char *nm = strncmp(buf, "pg_catalog.", 11) == 0 ? buf + 11 : buf;
        TypeId bt;
        if (type_from_name(nm, &bt) && bt != TYPE_ENUM && bt != TYPE_NULLTYPE) {
            *oid = type_oid(bt);
            return DD_OK;
        }
        static const struct { const char *n; TypeId t; } alias[] = {
            {"int", TYPE_INT4}, {"int4", TYPE_INT4}, {"int2", TYPE_INT2}, {"int8", TYPE_INT8},
            {"float4", TYPE_FLOAT4}, {"float8", TYPE_FLOAT8}, {"float", TYPE_FLOAT8}, {"varchar", TYPE_VARCHAR},
            {"bpchar", TYPE_BPCHAR}, {"char", TYPE_BPCHAR}, {"decimal", TYPE_NUMERIC}, {"bool", TYPE_BOOL},
            {"character", TYPE_BPCHAR}, {"unknown", TYPE_UNKNOWN}, {"record", TYPE_RECORD},
        };
        for (size_t i = 0; i < DD_ARRAY_LEN(alias); i++)
            if (strcmp(nm, alias[i].n) == 0) { *oid = type_oid(alias[i].t); return DD_OK; }
        for (size_t i = 0; i < DD_ARRAY_LEN(cat_pseudo_types); i++) {
            const CatPseudoType *p = &cat_pseudo_types[i];
            bool quoted_only = p->shown[0] == '"';   /* "any" is a keyword: only quoted */
            if (strcmp(nm, p->name) == 0 && (!quoted_only || memchr(s, '"', len))) {
                *oid = p->oid;
                return DD_OK;
            }
        }
        bool arr = k > 2 && strcmp(buf + k - 2, "[]") == 0;
        if (arr) buf[k - 2] = 0;
        const TableInfo *u = resolve_type_present(ctx, buf);
        if (u) {
            *oid = cat_object_oid(u) + (arr ? OID_ARRAY_OFFSET : 0);
            return DD_OK;
        }
        /* a table's or view's row type */
        const TableInfo *r = strchr(buf, '.') && strncmp(buf, "public.", 7) != 0 ? resolve_table_present(ctx, buf)
                             : resolve_table_present(ctx, strncmp(buf, "public.", 7) == 0 ? buf + 7 : buf);
        if (r && cat_has_rowtype(r)) {
            *oid = (arr ? OID_ROWTYPE_ARRAY_BASE : OID_ROWTYPE_BASE) + r->id;
            return DD_OK;
        }
        return dd_err(err, DD_EUNDEFINED_OBJECT, -1, "type \"%.*s\" does not exist", (int)len, s);
    }
    if (t == TYPE_REGPROCEDURE) return regprocedure_in(ctx, s, len, oid, err);
    if (!split_name(s, len, parts, &np)) {
        if (np_dots(s, len) >= SPLIT_MAX && (t == TYPE_REGCLASS || t == TYPE_REGTYPE || t == TYPE_REGPROC))
            return dd_err(err, DD_ESYNTAX, -1, "improper %s name (too many dotted names): %.*s",
                          t == TYPE_REGCLASS ? "relation" : "qualified", (int)len, s);
        return dd_err(err, DD_EINVALID_NAME, -1, "invalid name syntax");
    }
    if (np > 2) {
        /* db.schema.name: this database's, as PostgreSQL reads it */
        if (t != TYPE_REGCLASS && t != TYPE_REGTYPE && t != TYPE_REGPROC)
            return dd_err(err, DD_EINVALID_NAME, -1, "invalid name syntax");
        if (np > 3)
            return dd_err(err, DD_ESYNTAX, -1, "improper %s name (too many dotted names): %.*s",
                          t == TYPE_REGCLASS ? "relation" : "qualified", (int)len, s);
        if (strcmp(parts[0], ctx->database ? ctx->database : "driftdb") != 0) {
            if (t == TYPE_REGCLASS)
                return dd_err(err, DD_EFEATURE, -1, "cross-database references are not implemented: \"%s.%s.%s\"",
                              parts[0], parts[1], parts[2]);
            return dd_err(err, DD_EFEATURE, -1, "cross-database references are not implemented: %s.%s.%s", parts[0],
                          parts[1], parts[2]);
        }
        memmove(parts[0], parts[1], sizeof parts[0]);
        memmove(parts[1], parts[2], sizeof parts[1]);
        np = 2;
    }
    switch (t) {
    case TYPE_REGCLASS: {
        char full[2 * CAT_MAX_NAME + 2];
        if (np == 2) snprintf(full, sizeof full, "%s.%s", parts[0], parts[1]);
        else snprintf(full, sizeof full, "%s", parts[0]);
        if (np == 1 || strcmp(parts[0], "pg_catalog") == 0 || strcmp(parts[0], "information_schema") == 0) {
            u32 so = syscat_oid_by_name(np == 2 ? parts[0] : NULL, parts[np - 1]);
            if (so) { *oid = so; return DD_OK; }
        }
        if (np == 2 && strcmp(parts[0], "public") != 0 && !sql_schema_exists(ctx, parts[0]))
            return dd_err(err, DD_EUNDEFINED_SCHEMA, -1, "schema \"%s\" does not exist", parts[0]);
        const TableInfo *r = resolve_table_present(ctx, full);
        if (r) { *oid = cat_object_oid(r); return DD_OK; }
        /* an index */
        for (int i = 0; i < cv->nrels; i++) {
            const TableInfo *o = cv->rels[i];
            if (np == 2 && strcmp(cat_ns_name(o), parts[0]) != 0) continue;
            if (np == 1 && !cat_visible(cv, o)) continue;
            for (int k = 0; k < o->nindexes; k++)
                if (strcmp(name_base(o->indexes[k].name), parts[np - 1]) == 0) {
                    *oid = cat_index_oid(&o->indexes[k]);
                    return DD_OK;
                }
            /* the index a primary key stands for: t_pkey */
            size_t bl = strlen(name_base(o->name));
            if (cat_has_pk(o) && strncmp(parts[np - 1], name_base(o->name), bl) == 0 &&
                strcmp(parts[np - 1] + bl, "_pkey") == 0) {
                *oid = OID_PKIDX_BASE + o->id;
                return DD_OK;
            }
        }
        return dd_err(err, DD_EUNDEFINED_TABLE, -1, "relation \"%s\" does not exist", full);
    }
    case TYPE_REGNAMESPACE: {
        if (np != 1) return dd_err(err, DD_EINVALID_NAME, -1, "invalid name syntax");
        u32 o = ns_oid_of_name(cv, parts[0]);
        if (!o && strcmp(parts[0], "pg_toast") == 0) o = OID_NS_TOAST;
        if (!o) return dd_err(err, DD_EUNDEFINED_SCHEMA, -1, "schema \"%s\" does not exist", parts[0]);
        *oid = o;
        return DD_OK;
    }
    case TYPE_REGROLE:
        if (np != 1) return dd_err(err, DD_EINVALID_NAME, -1, "invalid name syntax");
    {
        if (strcmp(parts[0], "pg_database_owner") == 0) { *oid = OID_ROLE_DATABASE_OWNER; return DD_OK; }
        u32 id;
        bool found;
        int rc = acl_role_id(ctx, parts[0], &id, &found);
        if (rc) return rc;
        if (!found) return dd_err(err, DD_EUNDEFINED_OBJECT, -1, "role \"%s\" does not exist", parts[0]);
        *oid = id == ROLE_BOOTSTRAP_ID ? OID_ROLE_OWNER : OID_OBJECT_BASE + id;
        return DD_OK;
    }
    case TYPE_REGPROC: {
        if (np == 2 && strcmp(parts[0], "pg_catalog") != 0)
            return dd_err(err, DD_EUNDEFINED_FUNCTION, -1, "function \"%.*s\" does not exist", (int)len, s);
        int found = 0, n = cat_nprocs();
        for (int i = 0; i < n; i++) {
            const CatProcRow *p = cat_proc_at(i);
            if (strcmp(p->name, parts[np - 1]) != 0) continue;
            if (found++) return dd_err(err, DD_EAMBIGUOUS_FUNCTION, -1, "more than one function named \"%.*s\"", (int)len, s);
            *oid = p->oid;
        }
        if (found) return DD_OK;
        return dd_err(err, DD_EUNDEFINED_FUNCTION, -1, "function \"%.*s\" does not exist", (int)len, s);
    }
    default:
        return dd_err(err, DD_EUNDEFINED_FUNCTION, -1, "function \"%.*s\" does not exist", (int)len, s);
    }
}

/* ---------------------------------------------------------------- definitions */

bool cat_has_pk(const TableInfo *t)
{
    if (t->view_sql || t->sequence || t->utype || t->npk == 0) return false;
    for (int i = 0; i < t->ncols; i++)
        if (t->cols[i].id == t->pk[0] && strcmp(t->cols[i].name, ROWID_COL) == 0) return false;
    for (int k = 0; k < t->nindexes; k++)
        if (t->indexes[k].primary) return false;   /* ADD PRIMARY KEY's index stands for it */
    return true;
}

static const char *col_name(const TableInfo *t, u32 id)
{
    for (int i = 0; i < t->ncols; i++)
        if (t->cols[i].id == id) return t->cols[i].name;
    return "?";
}

/* Whether text is one function call "f(...)" (printed without extra
 * parentheses in an index's column list, as PostgreSQL does). */
static bool is_call(const char *s)
{
    size_t i = 0;
    while (s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '.') i++;
    if (i == 0 || s[i] != '(') return false;
    int depth = 0;
    for (; s[i]; i++) {
        if (s[i] == '(') depth++;
        else if (s[i] == ')' && --depth == 0) return s[i + 1] == 0;
    }
    return false;
}

/* An expression of t as PostgreSQL prints it (SqlCtx.deparse), or as
 * written when there is no deparser or it has no rule for it. */
static void expr_out(const CatView *cv, const TableInfo *t, const char *text, bool pretty, Buf *out)
{
    SqlCtx *ctx = cv->ctx;
    if (!ctx || !ctx->deparse || !ctx->deparse(ctx, t, text, pretty, TYPE__COUNT, -1, out)) buf_puts(out, text);
}

static void index_column_text(const CatView *cv, const TableInfo *t, const IndexInfo *ix, int k, bool pretty,
                              Buf *out)
{
    if (ix->exprs && ix->exprs[k]) {
        /* a function call as it is, anything else in parentheses */
        bool call = is_call(ix->exprs[k]);
        if (!call) buf_putc(out, '(');
        expr_out(cv, t, ix->exprs[k], pretty, out);
        if (!call) buf_putc(out, ')');
    } else {
        cat_quote_ident(col_name(t, ix->cols[k]), out);
    }
}

bool cat_indexdef(const CatView *cv, u32 oid, int col, bool pretty, Buf *out)
{
    const TableInfo *t = NULL;
    const IndexInfo *ix = NULL;
    if (oid >= OID_PKIDX_BASE && oid < OID_KEYCON_BASE) {
        t = cat_rel_by_id(cv, oid - OID_PKIDX_BASE);
        if (!t || !cat_has_pk(t)) return false;
        if (col > 0) {
            if (col > t->npk) return true;
            cat_quote_ident(col_name(t, t->pk[col - 1]), out);
            return true;
        }
        buf_printf(out, "CREATE UNIQUE INDEX ");
        cat_quote_ident(name_base(t->name), out);
        buf_puts(out, "_pkey ON ");
    } else {
        ix = cat_index_by_oid(cv, oid, &t);
        if (!ix) return false;
        if (col > 0) {
            if (col <= ix->ncols) index_column_text(cv, t, ix, col - 1, pretty, out);
            else if (col <= ix->ncols + ix->ninclude) cat_quote_ident(col_name(t, ix->include[col - 1 - ix->ncols]), out);
            return true;
        }
        buf_printf(out, "CREATE %sINDEX ", ix->unique ? "UNIQUE " : "");
        cat_quote_ident(name_base(ix->name), out);
        buf_puts(out, " ON ");
    }
    /* the table: schema-qualified, or when pretty only where the search
     * path does not find it (as PostgreSQL) */
    if (pretty) {
        cat_relation_name(cv, t, name_base(t->name), out);
    } else {
        cat_quote_ident(cat_ns_name(t), out);
        buf_putc(out, '.');
        cat_quote_ident(name_base(t->name), out);
    }
    buf_puts(out, " USING btree (");
    int n = ix ? ix->ncols : t->npk;
    for (int k = 0; k < n; k++) {
        if (k) buf_puts(out, ", ");
        if (!ix) {
            cat_quote_ident(col_name(t, t->pk[k]), out);
            continue;
        }
        index_column_text(cv, t, ix, k, pretty, out);
        u8 f = ix->colflags ? ix->colflags[k] : 0;
        bool desc = f & INDEX_DESC, nf = f & INDEX_NULLS_FIRST;
        if (desc) buf_puts(out, " DESC");
        if (desc && !nf) buf_puts(out, " NULLS LAST");
        if (!desc && nf) buf_puts(out, " NULLS FIRST");
    }
    buf_putc(out, ')');
    for (int k = 0; ix && k < ix->ninclude; k++) {
        buf_puts(out, k ? ", " : " INCLUDE (");
        cat_quote_ident(col_name(t, ix->include[k]), out);
        if (k == ix->ninclude - 1) buf_putc(out, ')');
    }
    if (ix && ix->pred_sql) {
        /* PostgreSQL: " WHERE " and the predicate, whose operators bring
         * their parentheses in the plain form; as written: in parentheses */
        SqlCtx *ctx = cv->ctx;
        buf_puts(out, " WHERE ");
        if (!ctx || !ctx->deparse || !ctx->deparse(ctx, t, ix->pred_sql, pretty, TYPE__COUNT, -1, out))
            buf_printf(out, "(%s)", ix->pred_sql);
    }
    return true;
}

static void key_list(const TableInfo *t, const u32 *ids, int n, Buf *out)
{
    buf_putc(out, '(');
    for (int k = 0; k < n; k++) {
        if (k) buf_puts(out, ", ");
        cat_quote_ident(col_name(t, ids[k]), out);
    }
    buf_putc(out, ')');
}

static const char *fk_action(char a)
{
    switch (a) {
    case 'r': return "RESTRICT";
    case 'c': return "CASCADE";
    case 'n': return "SET NULL";
    case 'd': return "SET DEFAULT";
    default: return NULL;
    }
}

/* CHECK (e) of expression text s, PostgreSQL's form: CHECK ((e)), or
 * CHECK (e) when pretty.  Parentheses around the whole of s are dropped
 * first, so that text a dump restored (CHECK ((e)) keeps "(e)") prints as
 * it did: a dump and restore cycle leaves it as it was. */
static void check_clause(const char *s, bool pretty, Buf *out)
{
    size_t n = strlen(s), off = 0;
    for (;;) {
        if (n - off < 2 || s[off] != '(' || s[n - 1] != ')') break;
        /* the '(' at off must close at n - 1, outside string literals */
        int depth = 0;
        bool quote = false, whole = true;
        for (size_t i = off; i < n; i++) {
            char c = s[i];
            if (c == '\'') quote = !quote;
            if (quote) continue;
            if (c == '(') depth++;
            else if (c == ')' && --depth == 0 && i != n - 1) { whole = false; break; }
        }
        if (!whole) break;
        off++;
        n--;
    }
    buf_printf(out, pretty ? "CHECK (%.*s)" : "CHECK ((%.*s))", (int)(n - off), s + off);
}

void cat_viewdef(const CatView *cv, const TableInfo *t, bool pretty, Buf *out)
{
    SqlCtx *ctx = cv->ctx;
    buf_putc(out, ' ');
    if (!ctx || !ctx->deparse_view || !ctx->deparse_view(ctx, t, pretty, out)) buf_puts(out, t->view_sql);
    buf_putc(out, ';');
}

void cat_check_def(const CatView *cv, const TableInfo *t, const char *text, bool pretty, Buf *out)
{
    SqlCtx *ctx = cv->ctx;
    Buf b = BUF_INIT;
    if (t && ctx && ctx->deparse && ctx->deparse(ctx, t, text, pretty, TYPE__COUNT, -1, &b) && buf_ok(&b)) {
        buf_puts(out, "CHECK (");
        buf_append(out, b.data, b.len);
        buf_putc(out, ')');
    } else {
        check_clause(text, pretty, out);
    }
    buf_free(&b);
}

bool cat_constraintdef(const CatView *cv, u32 oid, bool pretty, Buf *out)
{
    if (oid >= OID_PKCON_BASE && oid < OID_CON_BASE && oid >= OID_PKCON_BASE) {
        const TableInfo *t = cat_rel_by_id(cv, oid - OID_PKCON_BASE);
        if (!t || !cat_has_pk(t)) return false;
        buf_puts(out, "PRIMARY KEY ");
        key_list(t, t->pk, t->npk, out);
        return true;
    }
    if (oid >= OID_KEYCON_BASE && oid < OID_PKCON_BASE) {
        const TableInfo *t;
        const IndexInfo *ix = cat_index_by_oid(cv, oid - OID_KEYCON_BASE + OID_INDEX_BASE, &t);
        if (!ix || !ix->constraint) return false;
        buf_puts(out, ix->primary ? "PRIMARY KEY " : "UNIQUE ");
        key_list(t, ix->cols, ix->ncols, out);
        return true;
    }
    if (oid < OID_CON_BASE || oid >= OID_ATTRDEF_BASE) return false;
    if (oid >= OID_RULE_BASE) return false;
    u32 id = (oid - OID_CON_BASE) / OID_CON_PER_REL, k = (oid - OID_CON_BASE) % OID_CON_PER_REL;
    const TableInfo *t = cat_rel_by_id(cv, id);
    if (!t) {
        bool arr;
        const TableInfo *u = cat_type_by_oid(cv, OID_OBJECT_BASE + id, &arr);
        if (!u || arr || u->utype->kind != 'd' || (int)k >= u->utype->nchecks) return false;
        check_clause(u->utype->checks[k].expr_sql, pretty, out);
        return true;
    }
    if (k < OID_CON_FK) {
        if ((int)k >= t->nchecks) return false;
        cat_check_def(cv, t, t->checks[k].expr_sql, pretty, out);
        return true;
    }
    k -= OID_CON_FK;
    if ((int)k >= t->nfks) return false;
    const ForeignKeyInfo *fk = &t->fks[k];
    const TableInfo *rt = cat_rel_by_id(cv, fk->ref_table);
    buf_puts(out, "FOREIGN KEY ");
    key_list(t, fk->cols, fk->ncols, out);
    buf_puts(out, " REFERENCES ");
    if (rt) {
        cat_relation_name(cv, rt, name_base(rt->name), out);
        key_list(rt, fk->ref_cols, fk->ncols, out);
    }
    if (fk->match_full) buf_puts(out, " MATCH FULL");
    if (fk_action(fk->on_update)) buf_printf(out, " ON UPDATE %s", fk_action(fk->on_update));
    if (fk_action(fk->on_delete)) buf_printf(out, " ON DELETE %s", fk_action(fk->on_delete));
    if (fk->deferrable) buf_puts(out, fk->deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE");
    return true;
}

void cat_expr_text(const CatView *cv, const char *text, u32 relid, bool pretty, Buf *out)
{
    /* the deparser, given the type of the column whose default (or
     * generation expression) this is */
    SqlCtx *ctx = cv->ctx;
    const TableInfo *rel = cat_rel_by_oid(cv, relid);
    if (rel && ctx && ctx->deparse) {
        TypeId at = TYPE__COUNT;
        i32 am = -1;
        for (int i = 0; i < rel->ncols; i++) {
            const ColumnInfo *c = &rel->cols[i];
            if (c->dropped || !((c->default_sql && strcmp(c->default_sql, text) == 0) ||
                                (c->gen_sql && strcmp(c->gen_sql, text) == 0)))
                continue;
            at = c->type == TYPE_NULLTYPE ? TYPE_TEXT : (TypeId)c->type;
            am = c->typmod;
            break;
        }
        if (ctx->deparse(ctx, rel, text, pretty, at, am, out)) return;
    }
    /* PostgreSQL prints a stored expression from its parse tree: a string
     * literal with its type's cast ('x'::text), a sequence name as
     * regclass.  The catalog keeps the text as written; these two forms,
     * the most common defaults, are printed as PostgreSQL does. */
    size_t n = strlen(text);
    const TableInfo *t = cat_rel_by_oid(cv, relid);
    if (n >= 2 && text[0] == '\'' && text[n - 1] == '\'') {
        bool one = true;
        for (size_t i = 1; i + 1 < n; i++)
            if (text[i] == '\'') {
                if (text[i + 1] == '\'' && i + 2 < n) i++;
                else one = false;
            }
        if (one && t) {
            /* the column whose default this is: the first with this text */
            for (int i = 0; i < t->ncols; i++) {
                const ColumnInfo *c = &t->cols[i];
                if (c->dropped || !c->default_sql || strcmp(c->default_sql, text) != 0) continue;
                buf_puts(out, text);
                buf_puts(out, "::");
                TypeId ty = c->type == TYPE_NULLTYPE ? TYPE_TEXT : (TypeId)c->type;
                cat_format_type(cv, cat_col_typoid(c), -1, true, out);
                DD_UNUSED(ty);
                return;
            }
        }
    }
    /* 'v'::integer, 'v'::numeric, 't'::boolean: PostgreSQL prints
     * non-negative integer and numeric constants and booleans bare */
    if (n >= 2 && text[0] == '\'') {
        const char *q = strchr(text + 1, '\'');
        if (q && q[1] == ':' && q[2] == ':') {
            size_t ln = (size_t)(q - text - 1);
            const char *lit = text + 1, *ty = q + 3;
            bool digits = ln > 0 && lit[0] >= '0' && lit[0] <= '9';
            bool dec = digits;
            for (size_t i = 0; i < ln; i++) {
                digits &= lit[i] >= '0' && lit[i] <= '9';
                dec &= (lit[i] >= '0' && lit[i] <= '9') || lit[i] == '.';
            }
            if (((strcmp(ty, "integer") == 0 || strcmp(ty, "bigint") == 0 || strcmp(ty, "smallint") == 0) && digits) ||
                (strcmp(ty, "numeric") == 0 && dec)) {
                buf_append(out, lit, ln);
                return;
            }
            if (strcmp(ty, "boolean") == 0 && ln == 1 && (lit[0] == 't' || lit[0] == 'f')) {
                buf_puts(out, lit[0] == 't' ? "true" : "false");
                return;
            }
        }
    }
    if (strncmp(text, "nextval('", 9) == 0 && n > 22 && strcmp(text + n - 12, "'::regclass)") == 0 &&
        !memchr(text + 9, '\'', n - 21)) {
        /* as a dump wrote it: the same as nextval('x') */
        char plain[2 * CAT_MAX_NAME + 16];
        if (n - 21 <= 2 * CAT_MAX_NAME + 1) {
            snprintf(plain, sizeof plain, "nextval('%.*s')", (int)(n - 21), text + 9);
            cat_expr_text(cv, plain, relid, pretty, out);
            return;
        }
    }
    if (strncmp(text, "nextval('", 9) == 0 && n > 11 && strcmp(text + n - 2, "')") == 0 &&
        !memchr(text + 9, '\'', n - 11)) {
        /* the sequence's catalog name (resolved at CREATE): printed as
         * regclass prints it, qualified when search_path does not find it */
        char name[2 * CAT_MAX_NAME + 2];
        snprintf(name, sizeof name, "%.*s", (int)(n - 11), text + 9);
        const TableInfo *q = resolve_permanent_present(cv->ctx, strncmp(name, "public.", 7) == 0 ? name + 7 : name);
        buf_puts(out, "nextval('");
        if (q) {
            Buf rn;
            buf_init(&rn);
            cat_relation_name(cv, q, name_base(q->name), &rn);
            for (size_t i = 0; i < rn.len; i++) {
                if (rn.data[i] == '\'') buf_putc(out, '\'');
                buf_putc(out, rn.data[i]);
            }
            buf_free(&rn);
        } else {
            buf_puts(out, name);
        }
        buf_puts(out, "'::regclass)");
        return;
    }
    buf_puts(out, text);
}
