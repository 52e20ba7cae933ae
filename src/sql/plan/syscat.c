/*
 * syscat.c - pg_catalog's relations (docs/catalogs.md): pg_class,
 * pg_attribute, pg_type, pg_index, pg_constraint ..., and information_schema's
 * views (tables, columns, table_constraints ...), as rows computed from
 * DriftDB's catalog when a query names them, at the query's point in time
 * (FOR SYSTEM_TIME AS OF, SET drift.system_time), so that what psql, ORMs
 * and drivers read describes the schema of that point.
 *
 * Each relation is a column list and a function that appends its rows.
 * A column list is a string of "name:code" pairs; the codes are the types
 * PostgreSQL gives those columns (aclitem[], pg_node_tree and xid read as
 * text[], text and oid, int2vector and oidvector as int2[] / oid[] whose
 * subscripts start at 0, as theirs do).
 */
#include "plan_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../catalog/pgcat.h"
#include "../catalog/acl.h"
#include "../../store/format.h"
#include "../parse/lexer.h"
#include "../types/array.h"

/* ---------------------------------------------------------------- rows */

typedef struct Gen {
    SqlCtx *ctx;
    const CatView *cv;
    int width;
    const TypeId *types;
    Value *rows;
    int n, cap;
    Value *cur;
    int col;
    bool oom;   /* a value could not be made: the query fails with DD_ENOMEM */
} Gen;

static int gen_row(Gen *g)
{
    if (g->n == g->cap) {
        int cap = g->cap ? g->cap * 2 : 32;
        Value *r = arena_alloc(g->ctx->stmt, sizeof(Value) * (size_t)cap * (size_t)g->width);
        if (!r) return DD_ENOMEM;
        if (g->n) memcpy(r, g->rows, sizeof(Value) * (size_t)g->n * (size_t)g->width);
        g->rows = r;
        g->cap = cap;
    }
    g->cur = g->rows + (size_t)g->n++ * (size_t)g->width;
    for (int i = 0; i < g->width; i++) g->cur[i] = val_null(g->types[i]);
    g->col = 0;
    return DD_OK;
}

static void put(Gen *g, Value v)
{
    if (g->col < g->width) {
        if (!v.isnull && (type_is_string(g->types[g->col]) || g->types[g->col] == TYPE_NAME)) v.type = (u8)g->types[g->col];
        if (v.isnull) v.type = (u8)g->types[g->col];
        g->cur[g->col] = v;
    }
    g->col++;
}

static Value txt(Gen *g, const char *s)
{
    if (!s) return val_null(TYPE_TEXT);
    char *c = arena_strdup(g->ctx->stmt, s);
    if (!c) g->oom = true;
    return c ? val_text(TYPE_TEXT, c, (u32)strlen(c)) : val_null(TYPE_TEXT);
}
static Value bufval(Gen *g, Buf *b)
{
    Value v = val_null(TYPE_TEXT);
    char *c = buf_ok(b) ? arena_alloc(g->ctx->stmt, b->len + 1) : NULL;
    if (c) {
        if (b->len) memcpy(c, b->data, b->len);
        c[b->len] = 0;
        v = val_text(TYPE_TEXT, c, (u32)b->len);
    } else {
        g->oom = true;
    }
    buf_free(b);
    return v;
}
static void P_OID(Gen *g, u32 o) { put(g, val_int(TYPE_OID, o)); }
static void P_NAME(Gen *g, const char *s) { put(g, txt(g, s)); }
static void P_TEXT(Gen *g, const char *s) { put(g, txt(g, s)); }
static void P_BOOL(Gen *g, bool b) { put(g, val_bool(b)); }
static void P_INT(Gen *g, i64 i) { put(g, val_int(g->types[g->col < g->width ? g->col : 0], i)); }
static void P_CHAR(Gen *g, char c) { put(g, val_int(TYPE_CHAR, (u8)c)); }
static void P_FLOAT(Gen *g, double f) { Value v = val_null(TYPE_FLOAT4); v.isnull = false; v.v.f = f; put(g, v); }
static void P_NULL(Gen *g) { put(g, val_null(TYPE_NULLTYPE)); }
/* An int2 or oid array (int2vector / oidvector: lower bound 0 when zero0). */
static void P_IARR(Gen *g, TypeId elem, const i64 *v, int n, bool zero0)
{
    ArrayVal a;
    array_init(&a, elem);
    Value out = val_null(type_array_of(elem));
    if (array_set_1d(&a, g->ctx->stmt, (u32)n) == DD_OK) {
        for (int i = 0; i < n; i++) a.items[i] = val_int(elem, v[i]);
        if (zero0 && n > 0) a.lbound[0] = 0;
        if (array_to_value(&a, g->ctx->stmt, &out, g->ctx->err) != DD_OK) g->oom = true;
    } else if (n > 0 || array_to_value(&a, g->ctx->stmt, &out, g->ctx->err) != DD_OK) {
        g->oom = true;
    }
    if (!out.isnull && g->col < g->width && type_vector_array(g->types[g->col]) == out.type)
        out.type = (u8)g->types[g->col];   /* int2vector / oidvector: the same bytes */
    put(g, out);
}
/* ---------------------------------------------------------------- helpers */

/* The owner of every object: the bootstrap superuser (OID 10). */
static const char *owner_name(SqlCtx *ctx)
{
    const TableInfo *t = store_table_version(ctx->snap, ROLE_BOOTSTRAP_ID, snap_seq(ctx->snap));
    return t && !t->dropped ? t->name : store_owner(ctx->store);
}

static char relkind_of(const TableInfo *t) { return t->view_sql ? 'v' : t->sequence ? 'S' : 'r'; }

/* Object t's owner: its name and OID (catalog/acl.h). */
static const char *obj_owner_name(SqlCtx *ctx, const TableInfo *t)
{
    const char *n = t->owner == ROLE_BOOTSTRAP_ID ? NULL : acl_role_name(ctx, t->owner);
    return n ? n : owner_name(ctx);
}
static u32 owner_oid(const TableInfo *t) { return t->owner == ROLE_BOOTSTRAP_ID ? OID_ROLE_OWNER : OID_OBJECT_BASE + t->owner; }

#define has_pk cat_has_pk
static u32 pk_index_oid(const TableInfo *t) { return OID_PKIDX_BASE + t->id; }
static u32 pk_con_oid(const TableInfo *t) { return OID_PKCON_BASE + t->id; }

static int typlen_of(TypeId t)
{
    if (type_is_array(t)) return -1;
    switch (t) {
    case TYPE_BOOL: case TYPE_CHAR: return 1;
    case TYPE_INT2: return 2;
    case TYPE_INT4: case TYPE_FLOAT4: case TYPE_DATE: case TYPE_OID: case TYPE_ENUM: return 4;
    case TYPE_REGPROC: case TYPE_REGCLASS: case TYPE_REGTYPE: case TYPE_REGNAMESPACE: case TYPE_REGROLE: case TYPE_REGPROCEDURE: return 4;
    case TYPE_INT8: case TYPE_FLOAT8: case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ: case TYPE_TIME: case TYPE_XID8: return 8;
    case TYPE_TIMETZ: return 12;
    case TYPE_INTERVAL: case TYPE_UUID: return 16;
    case TYPE_NAME: return 64;
    case TYPE_UNKNOWN: return -2;
    default: return -1;
    }
}
static char typalign_of(TypeId t)
{
    int l = typlen_of(t);
    if (type_is_array(t)) return typalign_of(type_elem(t)) == 'd' ? 'd' : 'i';
    if (t == TYPE_NAME || t == TYPE_CHAR || t == TYPE_BOOL || t == TYPE_UUID || t == TYPE_UNKNOWN) return 'c';
    if (l == 2) return 's';
    if (l == 8 || t == TYPE_INTERVAL || t == TYPE_TIMETZ) return 'd';
    return 'i';
}
static char typstorage_of(TypeId t)
{
    if (t == TYPE_NUMERIC) return 'm';
    return typlen_of(t) == -1 ? 'x' : 'p';
}
static u32 collation_of(TypeId t)
{
    TypeId e = type_is_array(t) ? type_elem(t) : t;
    if (e == TYPE_NAME) return OID_COLL_C;
    return e == TYPE_TEXT || e == TYPE_VARCHAR || e == TYPE_BPCHAR ? OID_COLL_DEFAULT : 0;
}
static char typcategory_of(TypeId t)
{
    if (type_is_array(t)) return 'A';
    switch (t) {
    case TYPE_BOOL: return 'B';
    case TYPE_INT2: case TYPE_INT4: case TYPE_INT8: case TYPE_FLOAT4: case TYPE_FLOAT8: case TYPE_NUMERIC:
    case TYPE_OID: case TYPE_REGPROC: case TYPE_REGCLASS: case TYPE_REGTYPE: case TYPE_REGNAMESPACE:
    case TYPE_REGROLE: case TYPE_REGPROCEDURE: return 'N';
    case TYPE_TEXT: case TYPE_VARCHAR: case TYPE_BPCHAR: case TYPE_NAME: return 'S';
    case TYPE_CHAR: return 'Z';
    case TYPE_DATE: case TYPE_TIME: case TYPE_TIMETZ: case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ: return 'D';
    case TYPE_INTERVAL: return 'T';
    case TYPE_UNKNOWN: return 'X';
    case TYPE_RECORD: return 'P';
    case TYPE_ENUM: return 'E';
    default: return 'U';
    }
}
/* PostgreSQL's internal type names */
static const char *const typname_of[TYPE__COUNT] = {
    [TYPE_BOOL] = "bool", [TYPE_INT2] = "int2", [TYPE_INT4] = "int4", [TYPE_INT8] = "int8",
    [TYPE_FLOAT4] = "float4", [TYPE_FLOAT8] = "float8", [TYPE_NUMERIC] = "numeric", [TYPE_TEXT] = "text",
    [TYPE_VARCHAR] = "varchar", [TYPE_BPCHAR] = "bpchar", [TYPE_UNKNOWN] = "unknown", [TYPE_DATE] = "date",
    [TYPE_TIMESTAMP] = "timestamp", [TYPE_TIMESTAMPTZ] = "timestamptz", [TYPE_INTERVAL] = "interval",
    [TYPE_UUID] = "uuid", [TYPE_BYTEA] = "bytea", [TYPE_JSON] = "json", [TYPE_JSONB] = "jsonb",
    [TYPE_TIME] = "time", [TYPE_TIMETZ] = "timetz", [TYPE_NAME] = "name", [TYPE_CHAR] = "char",
    [TYPE_OID] = "oid", [TYPE_RECORD] = "record", [TYPE_REGPROC] = "regproc", [TYPE_REGCLASS] = "regclass",
    [TYPE_REGTYPE] = "regtype", [TYPE_REGNAMESPACE] = "regnamespace", [TYPE_REGROLE] = "regrole",
    [TYPE_REGPROCEDURE] = "regprocedure",
    [TYPE_XID8] = "xid8",
};

/* The system relations' own columns (for pg_attribute, \d pg_class). */
typedef struct SysRel SysRel;
static const SysRel *sysrel_find(const char *schema, const char *name);

/* ---------------------------------------------------------------- relations */

/* public's privileges in PostgreSQL 15: its owner's, and USAGE for all */
static const char *const public_acl[] = {"pg_database_owner=UC/pg_database_owner", "=U/pg_database_owner"};
static void put_text_array(Gen *g, const char *const *items, int n)
{
    ArrayVal a;
    array_init(&a, TYPE_TEXT);
    Value out = val_null(type_array_of(TYPE_TEXT));
    if (array_set_1d(&a, g->ctx->stmt, (u32)n) == DD_OK) {
        for (int i = 0; i < n; i++) a.items[i] = txt(g, items[i]);
        if (array_to_value(&a, g->ctx->stmt, &out, g->ctx->err) != DD_OK) g->oom = true;
    } else {
        g->oom = true;
    }
    put(g, out);
}

/* Object t's privileges as aclitem[] reads (text[]): NULL for the
 * defaults.  The public schema's owner, the bootstrap superuser, is
 * pg_database_owner in them, as in PostgreSQL. */
static void put_obj_acl(Gen *g, const TableInfo *t)
{
    if (!t->has_acl) { P_NULL(g); return; }
    const char **items = arena_alloc(g->ctx->stmt, sizeof(char *) * (size_t)(t->nacl + 1));
    if (!items) { g->oom = true; P_NULL(g); return; }
    bool pub = t->utype && t->utype->kind == 'q';
    for (int i = 0; i < t->nacl; i++) {
        Buf b = BUF_INIT;
        AclItem it = t->acl[i];
        if (acl_item_text(g->ctx, &it, &b) != DD_OK) g->oom = true;
        items[i] = buf_ok(&b) ? arena_strndup(g->ctx->stmt, (const char *)b.data, b.len) : NULL;
        buf_free(&b);
        if (!items[i]) { g->oom = true; items[i] = ""; }
        if (pub && t->owner == ROLE_BOOTSTRAP_ID && (it.grantee == ROLE_BOOTSTRAP_ID || it.grantor == ROLE_BOOTSTRAP_ID)) {
            /* pg_database_owner in place of the bootstrap superuser's name */
            Buf c = BUF_INIT;
            const char *eq = strchr(items[i], '=');
            const char *sl = strrchr(items[i], '/');
            if (eq && sl) {
                if (it.grantee == ROLE_BOOTSTRAP_ID) buf_puts(&c, "pg_database_owner");
                else buf_printf(&c, "%.*s", (int)(eq - items[i]), items[i]);
                buf_printf(&c, "%.*s/", (int)(sl - eq), eq);
                buf_puts(&c, it.grantor == ROLE_BOOTSTRAP_ID ? "pg_database_owner" : sl + 1);
                if (buf_ok(&c)) items[i] = arena_strndup(g->ctx->stmt, (const char *)c.data, c.len);
            }
            buf_free(&c);
        }
    }
    put_text_array(g, items, t->nacl);
}

#define COLS_NAMESPACE "oid:o nspname:n nspowner:o nspacl:T"
static int gen_namespace(Gen *g)
{
    static const struct { u32 oid; const char *name; } fixed[] = {
        {OID_NS_TOAST, "pg_toast"}, {OID_NS_PG_CATALOG, "pg_catalog"}, {OID_NS_PUBLIC, "public"},
        {OID_NS_INFORMATION_SCHEMA, "information_schema"},
    };
    for (size_t i = 0; i < DD_ARRAY_LEN(fixed); i++) {
        if (fixed[i].oid == OID_NS_PUBLIC && !sql_schema_exists(g->ctx, "public")) continue;
        if (gen_row(g)) return DD_ENOMEM;
        P_OID(g, fixed[i].oid); P_NAME(g, fixed[i].name);
        const TableInfo *q = fixed[i].oid == OID_NS_PUBLIC ? acl_schema_object(g->ctx, "public") : NULL;
        if (q) {   /* public's owner or privileges changed */
            P_OID(g, q->owner == ROLE_BOOTSTRAP_ID ? OID_ROLE_DATABASE_OWNER : owner_oid(q));
            if (q->has_acl) put_obj_acl(g, q);
            else put_text_array(g, public_acl, 2);
            continue;
        }
        P_OID(g, fixed[i].oid == OID_NS_PUBLIC ? OID_ROLE_DATABASE_OWNER : OID_ROLE_OWNER);
        if (fixed[i].oid == OID_NS_PUBLIC) put_text_array(g, public_acl, 2);
        else P_NULL(g);
    }
    bool temp = false;
    for (int i = 0; i < g->cv->nrels; i++) temp |= g->cv->rels[i]->temp;
    if (temp) {
        if (gen_row(g)) return DD_ENOMEM;
        P_OID(g, OID_NS_TEMP); P_NAME(g, "pg_temp_1"); P_OID(g, OID_ROLE_OWNER); P_NULL(g);
    }
    for (int i = 0; i < g->cv->nschemas; i++) {
        const TableInfo *s = g->cv->schemas[i];
        if (s->utype->kind != 's') continue;
        if (gen_row(g)) return DD_ENOMEM;
        P_OID(g, cat_object_oid(s)); P_NAME(g, s->name); P_OID(g, owner_oid(s)); put_obj_acl(g, s);
    }
    return DD_OK;
}

#define COLS_CLASS                                                                                              \
    "oid:o relname:n relnamespace:o reltype:o reloftype:o relowner:o relam:o relfilenode:o reltablespace:o "   \
    "relpages:4 reltuples:f relallvisible:4 reltoastrelid:o relhasindex:b relisshared:b relpersistence:c "      \
    "relkind:c relnatts:2 relchecks:2 relhasrules:b relhastriggers:b relhassubclass:b relrowsecurity:b "        \
    "relforcerowsecurity:b relispopulated:b relreplident:c relispartition:b relrewrite:o relfrozenxid:o "       \
    "relminmxid:o relacl:T reloptions:T relpartbound:t"

static int listed_cols(const TableInfo *t)
{
    int n = 0;
    for (int i = 0; i < t->ncols; i++) n += strcmp(t->cols[i].name, ROWID_COL) != 0;
    return t->sequence ? 3 : n;
}

/* A table's history_retention as an interval of days and time (a month
 * set counts 31 days: dml.c). */
static Value retention_interval(const TableInfo *t)
{
    Interval iv = {0, (i32)(t->retention_us / 86400000000LL), t->retention_us % 86400000000LL};
    return val_interval(iv);
}

/* reloptions: history_retention, the storage parameter DriftDB keeps (the
 * others are accepted and ignored), so pg_dump writes it back in WITH. */
static void put_reloptions(Gen *g, const TableInfo *t)
{
    if (!t || t->retention_us <= 0) {
        P_NULL(g);
        return;
    }
    Value iv = retention_interval(t);
    ValueCtx vc = g->ctx->vctx;
    vc.arena = g->ctx->stmt;
    Buf b = BUF_INIT;
    buf_puts(&b, "history_retention=");
    val_to_text(&iv, &vc, &b);
    const char *item = buf_ok(&b) ? arena_strndup(g->ctx->stmt, (const char *)b.data, b.len) : NULL;
    buf_free(&b);
    if (!item) {
        g->oom = true;
        P_NULL(g);
        return;
    }
    put_text_array(g, &item, 1);
}

static void class_row_tail_acl(Gen *g, char kind, char persistence, int natts, int nchecks, bool hasindex,
                               bool triggers, const TableInfo *acl, const TableInfo *opts);
static void class_row_tail(Gen *g, char kind, char persistence, int natts, int nchecks, bool hasindex,
                           bool triggers)
{
    class_row_tail_acl(g, kind, persistence, natts, nchecks, hasindex, triggers, NULL, NULL);
}
/* ... with relacl from acl's privileges (NULL: none), reloptions from
 * opts' storage parameters (NULL: none). */
static void class_row_tail_acl(Gen *g, char kind, char persistence, int natts, int nchecks, bool hasindex,
                               bool triggers, const TableInfo *acl, const TableInfo *opts)
{
    /* reltuples: -1 never counted (tables, views), a sequence's one row */
    P_INT(g, 0); P_FLOAT(g, kind == 'r' || kind == 'v' ? -1 : kind == 'S' ? 1 : 0); P_INT(g, 0); P_OID(g, 0);
    P_BOOL(g, hasindex); P_BOOL(g, false); P_CHAR(g, persistence); P_CHAR(g, kind); P_INT(g, natts);
    P_INT(g, nchecks); P_BOOL(g, kind == 'v'); P_BOOL(g, triggers); P_BOOL(g, false); P_BOOL(g, false);
    P_BOOL(g, false); P_BOOL(g, true); P_CHAR(g, kind == 'r' ? 'd' : 'n'); P_BOOL(g, false); P_OID(g, 0);
    P_OID(g, 0); P_OID(g, 0);
    if (acl) put_obj_acl(g, acl);
    else P_NULL(g);
    put_reloptions(g, opts);
    P_NULL(g);
}

static int nsysrel_cols(const SysRel *r);

static int gen_class(Gen *g)
{
    const CatView *cv = g->cv;
    for (int i = 0; i < cv->nrels; i++) {
        const TableInfo *t = cv->rels[i];
        char kind = relkind_of(t);
        bool pk = has_pk(t);
        if (gen_row(g)) return DD_ENOMEM;
        P_OID(g, cat_object_oid(t)); P_NAME(g, name_base(t->name)); P_OID(g, cat_ns_oid(cv, t));
        P_OID(g, cat_has_rowtype(t) ? OID_ROWTYPE_BASE + t->id : 0);
        P_OID(g, 0); P_OID(g, owner_oid(t)); P_OID(g, kind == 'r' ? OID_AM_HEAP : 0);
        P_OID(g, kind == 'v' ? 0 : cat_object_oid(t)); P_OID(g, 0);
        /* a foreign key's checks are triggers in PostgreSQL, on both tables */
        bool triggers = t->nfks > 0;
        for (int j = 0; j < cv->nrels && !triggers; j++)
            for (int f = 0; f < cv->rels[j]->nfks && !triggers; f++) triggers = cv->rels[j]->fks[f].ref_table == t->id;
        class_row_tail_acl(g, kind, t->temp ? 't' : 'p', listed_cols(t), t->nchecks, t->nindexes > 0 || pk, triggers, t, t);
        if (pk) {
            if (gen_row(g)) return DD_ENOMEM;
            char nm[CAT_MAX_NAME + 8];
            snprintf(nm, sizeof nm, "%s_pkey", name_base(t->name));
            P_OID(g, pk_index_oid(t)); P_NAME(g, nm); P_OID(g, cat_ns_oid(cv, t)); P_OID(g, 0); P_OID(g, 0);
            P_OID(g, owner_oid(t)); P_OID(g, OID_AM_BTREE); P_OID(g, pk_index_oid(t)); P_OID(g, 0);
            class_row_tail(g, 'i', t->temp ? 't' : 'p', t->npk, 0, false, false);
        }
        for (int k = 0; k < t->nindexes; k++) {
            const IndexInfo *ix = &t->indexes[k];
            if (gen_row(g)) return DD_ENOMEM;
            P_OID(g, cat_index_oid(ix)); P_NAME(g, name_base(ix->name)); P_OID(g, cat_ns_oid(cv, t)); P_OID(g, 0);
            P_OID(g, 0); P_OID(g, owner_oid(t)); P_OID(g, OID_AM_BTREE); P_OID(g, cat_index_oid(ix)); P_OID(g, 0);
            class_row_tail(g, 'i', t->temp ? 't' : 'p', ix->ncols, 0, false, false);
        }
    }
    for (int i = 0; i < nsys_rel_names; i++) {
        const SysRelName *s = &sys_rel_names[i];
        const SysRel *r = sysrel_find(s->schema, s->name);
        if (!r) continue;
        bool view = strcmp(s->schema, "information_schema") == 0 || s->oid >= 12000;
        if (gen_row(g)) return DD_ENOMEM;
        P_OID(g, s->oid); P_NAME(g, s->name);
        P_OID(g, strcmp(s->schema, "pg_catalog") == 0 ? OID_NS_PG_CATALOG : OID_NS_INFORMATION_SCHEMA);
        P_OID(g, 0); P_OID(g, 0); P_OID(g, OID_ROLE_OWNER); P_OID(g, view ? 0 : OID_AM_HEAP);
        P_OID(g, view ? 0 : s->oid); P_OID(g, 0);
        class_row_tail(g, view ? 'v' : 'r', 'p', nsysrel_cols(r), 0, false, false);
    }
    return DD_OK;
}

#define COLS_ATTRIBUTE                                                                                         \
    "attrelid:o attname:n atttypid:o attstattarget:4 attlen:2 attnum:2 attndims:4 attcacheoff:4 atttypmod:4 " \
    "attbyval:b attalign:c attstorage:c attcompression:c attnotnull:b atthasdef:b atthasmissing:b "           \
    "attidentity:c attgenerated:c attisdropped:b attislocal:b attinhcount:4 attcollation:o attacl:T "         \
    "attoptions:T attfdwoptions:T attmissingval:t"

static void attr_row(Gen *g, u32 relid, const char *name, u32 typoid, TypeId t, int attnum, i32 pgtypmod,
                     bool notnull, bool hasdef, char identity, char generated, bool dropped, bool stat)
{
    int len = typlen_of(t);
    P_OID(g, relid); P_NAME(g, name); P_OID(g, typoid); P_INT(g, -1); DD_UNUSED(stat); P_INT(g, len); P_INT(g, attnum);
    P_INT(g, type_is_array(t) ? 1 : 0); P_INT(g, -1); P_INT(g, pgtypmod);
    P_BOOL(g, len == 1 || len == 2 || len == 4 || len == 8); P_CHAR(g, typalign_of(t)); P_CHAR(g, typstorage_of(t));
    P_CHAR(g, 0); P_BOOL(g, notnull); P_BOOL(g, hasdef); P_BOOL(g, false); P_CHAR(g, identity);
    P_CHAR(g, generated); P_BOOL(g, dropped); P_BOOL(g, true); P_INT(g, 0); P_OID(g, collation_of(t)); P_NULL(g);
    P_NULL(g); P_NULL(g); P_NULL(g);
}

static bool is_pk_col(const TableInfo *t, u32 id)
{
    if (!has_pk(t)) return false;
    for (int k = 0; k < t->npk; k++) if (t->pk[k] == id) return true;
    return false;
}

static TypeId col_type(const ColumnInfo *c) { return c->type == TYPE_NULLTYPE ? TYPE_TEXT : (TypeId)c->type; }

/* An index's column k: its name, type and typmod.  An expression's, as
 * PostgreSQL names and types it: the function's name for a call, the
 * type's for a cast, else "expr", made unique among the index's columns
 * with a number (expr1 ...); its type the expression's. */
static void index_col(SqlCtx *ctx, const TableInfo *t, const IndexInfo *ix, int k, const char **name, TypeId *ty,
                      u32 *typoid, i32 *tm)
{
    const ColumnInfo *c = NULL;
    for (int i = 0; i < t->ncols && ix->cols[k]; i++) if (t->cols[i].id == ix->cols[k]) c = &t->cols[i];
    if (c) {
        *name = c->name; *ty = col_type(c); *typoid = cat_col_typoid(c); *tm = cat_pg_typmod(col_type(c), c->typmod);
        return;
    }
    *name = "expr"; *ty = TYPE_TEXT; *typoid = type_oid(TYPE_TEXT); *tm = -1;
    ExprProg *pr;
    Expr *ast;
    DdError saved = *ctx->err;
    if (sql_index_expr(ctx, t, ix, k, &pr, &ast)) {
        *ctx->err = saved;
        return;
    }
    if (pr->type != TYPE_NULLTYPE && pr->type != TYPE_UNKNOWN && !type_has_etype(pr->type)) {
        *ty = pr->type;
        *typoid = type_oid(pr->type);
        *tm = cat_pg_typmod(pr->type, pr->typmod);
    }
    /* PostgreSQL's FigureColname: a cast is named by its argument when
     * that is a column or a call, else by its type */
    const char *base = "expr";
    const Expr *x = ast;
    bool cast = x->kind == EXPR_CAST;
    if (cast) x = x->u.cast.arg;
    if (x->kind == EXPR_FUNC && x->u.func.special == FUNC_PLAIN && !strchr(x->u.func.name, '.')) base = x->u.func.name;
    else if (cast && x->kind == EXPR_COLUMN) base = x->u.col.name;
    else if (cast && pr->type < TYPE__COUNT && typname_of[pr->type]) base = typname_of[pr->type];
    /* the names of the columns before it, to make this one unique */
    int seen = 0;
    for (int j = 0; j < k; j++) {
        const char *pn;
        TypeId pt;
        u32 po;
        i32 pm;
        index_col(ctx, t, ix, j, &pn, &pt, &po, &pm);
        size_t bl = strlen(base);
        if (strncmp(pn, base, bl) == 0 && (pn[bl] == '\0' || (pn[bl] >= '0' && pn[bl] <= '9'))) seen++;
    }
    *name = seen ? arena_printf(ctx->stmt, "%s%d", base, seen) : arena_strdup(ctx->stmt, base);
    if (!*name) *name = "expr";
}

static const ColumnInfo *col_by_id(const TableInfo *t, u32 id);
static int gen_attribute(Gen *g)
{
    const CatView *cv = g->cv;
    for (int i = 0; i < cv->nrels; i++) {
        const TableInfo *t = cv->rels[i];
        u32 relid = cat_object_oid(t);
        if (t->sequence) {
            static const char *const sn[] = {"last_value", "log_cnt", "is_called"};
            static const TypeId st[] = {TYPE_INT8, TYPE_INT8, TYPE_BOOL};
            for (int k = 0; k < 3; k++) {
                if (gen_row(g)) return DD_ENOMEM;
                attr_row(g, relid, sn[k], type_oid(st[k]), st[k], k + 1, -1, true, false, 0, 0, false, true);
            }
            continue;
        }
        int attnum = 0;
        for (int k = 0; k < t->ncols; k++) {
            const ColumnInfo *c = &t->cols[k];
            if (strcmp(c->name, ROWID_COL) == 0) continue;
            attnum++;
            if (c->pending) continue;
            if (gen_row(g)) return DD_ENOMEM;
            char dropped[64];
            if (c->dropped) snprintf(dropped, sizeof dropped, "........pg.dropped.%d........", attnum);
            attr_row(g, relid, c->dropped ? dropped : c->name, c->dropped ? 0 : cat_col_typoid(c), col_type(c), attnum,
                     cat_pg_typmod(col_type(c), c->typmod), c->not_null || is_pk_col(t, c->id),
                     (c->default_sql || c->gen_sql) && !c->dropped && !c->identity, c->identity, c->gen_sql ? 's' : 0,
                     c->dropped,
                     true);
        }
        if (has_pk(t)) {
            for (int k = 0; k < t->npk; k++) {
                const ColumnInfo *c = NULL;
                for (int j = 0; j < t->ncols; j++) if (t->cols[j].id == t->pk[k]) c = &t->cols[j];
                if (!c) continue;
                if (gen_row(g)) return DD_ENOMEM;
                attr_row(g, pk_index_oid(t), c->name, cat_col_typoid(c), col_type(c), k + 1,
                         cat_pg_typmod(col_type(c), c->typmod), false, false, 0, 0, false, false);
            }
        }
        for (int x = 0; x < t->nindexes; x++) {
            const IndexInfo *ix = &t->indexes[x];
            for (int k = 0; k < ix->ncols; k++) {
                const char *nm;
                TypeId ty;
                u32 to;
                i32 tm;
                index_col(g->ctx, t, ix, k, &nm, &ty, &to, &tm);
                if (gen_row(g)) return DD_ENOMEM;
                attr_row(g, cat_index_oid(ix), nm, to, ty, k + 1, tm, false, false, 0, 0, false, false);
            }
            for (int k = 0; k < ix->ninclude; k++) {   /* its INCLUDE columns, after the key's */
                const ColumnInfo *c = col_by_id(t, ix->include[k]);
                if (!c) continue;
                if (gen_row(g)) return DD_ENOMEM;
                attr_row(g, cat_index_oid(ix), c->name, cat_col_typoid(c), col_type(c), ix->ncols + k + 1,
                         cat_pg_typmod(col_type(c), c->typmod), false, false, 0, 0, false, false);
            }
        }
    }
    return DD_OK;
}

static int gen_sysrel_attributes(Gen *g);

#define COLS_ATTRDEF "oid:o adrelid:o adnum:2 adbin:t"
static int gen_attrdef(Gen *g)
{
    const CatView *cv = g->cv;
    for (int i = 0; i < cv->nrels; i++) {
        const TableInfo *t = cv->rels[i];
        for (int k = 0; k < t->ncols; k++) {
            const ColumnInfo *c = &t->cols[k];
            if (c->dropped || c->pending || c->identity || (!c->default_sql && !c->gen_sql)) continue;
            int attnum = cat_attnum(t, c->id);
            if (gen_row(g)) return DD_ENOMEM;
            P_OID(g, OID_ATTRDEF_BASE + t->id * 2048u + (u32)attnum); P_OID(g, cat_object_oid(t)); P_INT(g, attnum);
            P_TEXT(g, c->gen_sql ? c->gen_sql : c->default_sql);
        }
    }
    return DD_OK;
}

#define COLS_TYPE                                                                                               \
    "oid:o typname:n typnamespace:o typowner:o typlen:2 typbyval:b typtype:c typcategory:c typispreferred:b "  \
    "typisdefined:b typdelim:c typrelid:o typsubscript:r typelem:o typarray:o typinput:r typoutput:r "         \
    "typreceive:r typsend:r typmodin:r typmodout:r typanalyze:r typalign:c typstorage:c typnotnull:b "         \
    "typbasetype:o typtypmod:4 typndims:4 typcollation:o typdefaultbin:t typdefault:t typacl:T"

/* The I/O functions of a type: io its entry in pgcat's table ("int4",
 * "_array", "_enum", "_domain"), base the one output and send come from
 * when io has none (a domain's base type's). */
static void type_row(Gen *g, u32 oid, const char *name, u32 ns, int len, char typtype, char cat, bool preferred,
                     u32 elem, u32 array, char align, char storage, bool notnull, u32 base, i32 typmod, u32 coll,
                     const char *def, const char *io, const char *baseio)
{
    P_OID(g, oid); P_NAME(g, name); P_OID(g, ns); P_OID(g, OID_ROLE_OWNER); P_INT(g, len);
    P_BOOL(g, len == 1 || len == 2 || len == 4 || len == 8); P_CHAR(g, typtype); P_CHAR(g, cat); P_BOOL(g, preferred);
    P_BOOL(g, true); P_CHAR(g, ','); P_OID(g, 0);
    put(g, val_int(TYPE_REGPROC, elem && io && strcmp(io, "_array") == 0 ? 2741 : 0));   /* array_subscript_handler */
    P_OID(g, elem); P_OID(g, array);
    for (int k = 0; k < 4; k++) {
        u32 f = io ? cat_type_io(io, k) : 0;
        if (!f && baseio) f = cat_type_io(baseio, k);
        put(g, val_int(TYPE_REGPROC, f));
    }
    for (int i = 0; i < 3; i++) put(g, val_int(TYPE_REGPROC, 0));
    P_CHAR(g, align); P_CHAR(g, storage); P_BOOL(g, notnull); P_OID(g, base); P_INT(g, typmod); P_INT(g, 0);
    P_OID(g, coll); P_TEXT(g, def); P_TEXT(g, def); P_NULL(g);
}

/* The row gen_type just made (a user object's type or its array) has o's
 * owner as typowner, as PostgreSQL's (a row type: its relation's). */
static void type_owner(Gen *g, const TableInfo *o) { g->cur[3] = val_int(TYPE_OID, owner_oid(o)); }

static int gen_type(Gen *g)
{
    for (int t = 1; t < TYPE__COUNT; t++) {
        if (t == TYPE_ENUM || !typname_of[t]) continue;
        TypeId ty = (TypeId)t;
        bool arr = type_has_array(ty);
        bool pref = t == TYPE_BOOL || t == TYPE_FLOAT8 || t == TYPE_TEXT || t == TYPE_TIMESTAMPTZ ||
                    t == TYPE_INTERVAL || t == TYPE_OID;
        if (gen_row(g)) return DD_ENOMEM;
        type_row(g, type_oid(ty), typname_of[t], OID_NS_PG_CATALOG, typlen_of(ty), t == TYPE_RECORD || t == TYPE_UNKNOWN ? 'p' : 'b',
                 typcategory_of(ty), pref, t == TYPE_NAME ? type_oid(TYPE_CHAR) : 0, arr ? type_oid(type_array_of(ty)) : 0,
                 typalign_of(ty), typstorage_of(ty), false, 0, -1, collation_of(ty), NULL, typname_of[t], NULL);
        if (!arr) continue;
        char an[CAT_MAX_NAME + 2];
        snprintf(an, sizeof an, "_%s", typname_of[t]);
        if (gen_row(g)) return DD_ENOMEM;
        type_row(g, type_oid(type_array_of(ty)), an, OID_NS_PG_CATALOG, -1, 'b', 'A', false, type_oid(ty), 0,
                 typalign_of(type_array_of(ty)), 'x', false, 0, -1, collation_of(ty), NULL, "_array", NULL);
    }
    for (int i = 0; i < ncat_pseudo_types; i++) {
        u32 oid = cat_pseudo_types[i].oid;
        if (gen_row(g)) return DD_ENOMEM;
        type_row(g, oid, cat_pseudo_types[i].name, OID_NS_PG_CATALOG, oid == 2275 ? -2 : oid == 2281 ? 8 : oid == 2277 || oid == 5078 ? -1 : 4,
                 'p', oid == 2275 ? 'S' : 'P', false, 0, 0, 'c', 'p', false, 0, -1, 0, NULL, NULL, NULL);
    }
    const CatView *cv = g->cv;
    for (int i = 0; i < cv->nrels; i++) {
        const TableInfo *t = cv->rels[i];
        if (!cat_has_rowtype(t)) continue;
        char an[CAT_MAX_NAME + 2];
        snprintf(an, sizeof an, "_%s", name_base(t->name));
        u32 oid = OID_ROWTYPE_BASE + t->id;
        if (gen_row(g)) return DD_ENOMEM;
        type_row(g, oid, name_base(t->name), cat_ns_oid(cv, t), -1, 'c', 'C', false, 0, OID_ROWTYPE_ARRAY_BASE + t->id,
                 'd', 'x', false, 0, -1, 0, NULL, "record", NULL);
        g->cur[11] = val_int(TYPE_OID, cat_object_oid(t));   /* typrelid */
        type_owner(g, t);
        if (gen_row(g)) return DD_ENOMEM;
        type_row(g, OID_ROWTYPE_ARRAY_BASE + t->id, an, cat_ns_oid(cv, t), -1, 'b', 'A', false, oid, 0, 'd', 'x', false,
                 0, -1, 0, NULL, "_array", NULL);
        type_owner(g, t);
    }
    for (int i = 0; i < cv->ntypes; i++) {
        const TableInfo *u = cv->types[i];
        const UserType *ut = u->utype;
        u32 oid = cat_object_oid(u);
        char an[CAT_MAX_NAME + 2];
        snprintf(an, sizeof an, "_%s", name_base(u->name));
        if (ut->kind == 'e') {
            if (gen_row(g)) return DD_ENOMEM;
            type_row(g, oid, name_base(u->name), cat_ns_oid(cv, u), 4, 'e', 'E', false, 0, oid + OID_ARRAY_OFFSET, 'i',
                     'p', false, 0, -1, 0, NULL, "_enum", NULL);
            type_owner(g, u);
            if (gen_row(g)) return DD_ENOMEM;
            type_row(g, oid + OID_ARRAY_OFFSET, an, cat_ns_oid(cv, u), -1, 'b', 'A', false, oid, 0, 'i', 'x', false, 0,
                     -1, 0, NULL, "_array", NULL);
            type_owner(g, u);
        } else if (ut->kind == 'd') {
            TypeId bt = (TypeId)ut->base_type;
            u32 base = ut->base_domain ? OID_OBJECT_BASE + ut->base_domain
                       : bt == TYPE_ENUM ? OID_OBJECT_BASE + (u32)ut->base_typmod : type_oid(bt);
            if (gen_row(g)) return DD_ENOMEM;
            type_row(g, oid, name_base(u->name), cat_ns_oid(cv, u), typlen_of(bt), 'd', typcategory_of(bt), false, 0,
                     oid + OID_ARRAY_OFFSET, typalign_of(bt), typstorage_of(bt), ut->not_null, base,
                     cat_pg_typmod(bt, ut->base_typmod), collation_of(bt), ut->default_sql, "_domain",
                     bt == TYPE_ENUM ? "_enum" : bt < TYPE__COUNT ? typname_of[bt] : NULL);
            type_owner(g, u);
            if (gen_row(g)) return DD_ENOMEM;
            type_row(g, oid + OID_ARRAY_OFFSET, an, cat_ns_oid(cv, u), -1, 'b', 'A', false, oid, 0, typalign_of(bt), 'x',
                     false, 0, -1, collation_of(bt), NULL, "_array", NULL);
            type_owner(g, u);
        }
    }
    return DD_OK;
}

#define COLS_ENUM "oid:o enumtypid:o enumsortorder:f enumlabel:n"
static int gen_enum(Gen *g)
{
    for (int i = 0; i < g->cv->ntypes; i++) {
        const TableInfo *u = g->cv->types[i];
        if (u->utype->kind != 'e') continue;
        for (int k = 0; k < u->utype->nlabels; k++) {
            if (gen_row(g)) return DD_ENOMEM;
            P_OID(g, cat_con_oid(u->id, (u32)k)); P_OID(g, cat_object_oid(u)); P_FLOAT(g, k + 1);
            P_NAME(g, u->utype->labels[k].label);
        }
    }
    return DD_OK;
}

#define COLS_INDEX                                                                                             \
    "indexrelid:o indrelid:o indnatts:2 indnkeyatts:2 indisunique:b indnullsnotdistinct:b indisprimary:b "    \
    "indisexclusion:b indimmediate:b indisclustered:b indisvalid:b indcheckxmin:b indisready:b indislive:b " \
    "indisreplident:b indkey:V indcollation:W indclass:W indoption:V indexprs:t indpred:t"

/* An index of nkey key columns and n in all (the INCLUDE ones after the
 * key's: in indkey only, as PostgreSQL's). */
static void index_row(Gen *g, u32 oid, const TableInfo *t, int nkey, int n, const i64 *keys, const i64 *colls,
                      const i64 *opts, bool unique, bool primary, const char *exprs, const char *pred)
{
    i64 cls[INDEX_MAX_COLS_SYS];
    for (int k = 0; k < nkey && k < INDEX_MAX_COLS_SYS; k++) cls[k] = 0;
    P_OID(g, oid); P_OID(g, cat_object_oid(t)); P_INT(g, n); P_INT(g, nkey); P_BOOL(g, unique); P_BOOL(g, false);
    P_BOOL(g, primary); P_BOOL(g, false); P_BOOL(g, true); P_BOOL(g, false); P_BOOL(g, true); P_BOOL(g, false);
    P_BOOL(g, true); P_BOOL(g, true); P_BOOL(g, false);
    P_IARR(g, TYPE_INT2, keys, n, true); P_IARR(g, TYPE_OID, colls, nkey, true); P_IARR(g, TYPE_OID, cls, nkey, true);
    P_IARR(g, TYPE_INT2, opts, nkey, true); P_TEXT(g, exprs); P_TEXT(g, pred);
}

static int gen_index(Gen *g)
{
    const CatView *cv = g->cv;
    for (int i = 0; i < cv->nrels; i++) {
        const TableInfo *t = cv->rels[i];
        i64 keys[INDEX_MAX_COLS_SYS], colls[INDEX_MAX_COLS_SYS], opts[INDEX_MAX_COLS_SYS];
        if (has_pk(t)) {
            int n = t->npk < INDEX_MAX_COLS_SYS ? t->npk : INDEX_MAX_COLS_SYS;
            for (int k = 0; k < n; k++) {
                keys[k] = cat_attnum(t, t->pk[k]);
                const ColumnInfo *c = cat_col_by_attnum(t, (int)keys[k]);
                colls[k] = c ? collation_of(col_type(c)) : 0;
                opts[k] = 0;
            }
            if (gen_row(g)) return DD_ENOMEM;
            index_row(g, pk_index_oid(t), t, n, n, keys, colls, opts, true, true, NULL, NULL);
        }
        for (int x = 0; x < t->nindexes; x++) {
            const IndexInfo *ix = &t->indexes[x];
            int n = ix->ncols < INDEX_MAX_COLS_SYS ? ix->ncols : INDEX_MAX_COLS_SYS;
            Buf ex;
            buf_init(&ex);
            for (int k = 0; k < n; k++) {
                keys[k] = ix->cols[k] ? cat_attnum(t, ix->cols[k]) : 0;
                const ColumnInfo *c = keys[k] ? cat_col_by_attnum(t, (int)keys[k]) : NULL;
                colls[k] = c ? collation_of(col_type(c)) : 0;
                u8 f = ix->colflags ? ix->colflags[k] : 0;
                opts[k] = (f & INDEX_DESC ? 1 : 0) | (f & INDEX_NULLS_FIRST ? 2 : 0);
                if (ix->exprs && ix->exprs[k]) buf_printf(&ex, "%s%s", ex.len ? ", " : "", ix->exprs[k]);
            }
            int all = n;
            for (int k = 0; k < ix->ninclude && all < INDEX_MAX_COLS_SYS; k++) keys[all++] = cat_attnum(t, ix->include[k]);
            if (gen_row(g)) { buf_free(&ex); return DD_ENOMEM; }
            index_row(g, cat_index_oid(ix), t, n, all, keys, colls, opts, ix->unique, ix->constraint && ix->primary,
                      NULL, ix->pred_sql);
            if (ex.len) g->cur[19] = bufval(g, &ex);
            else buf_free(&ex);
        }
    }
    return DD_OK;
}

#define COLS_CONSTRAINT                                                                                         \
    "oid:o conname:n connamespace:o contype:c condeferrable:b condeferred:b convalidated:b conrelid:o "        \
    "contypid:o conindid:o conparentid:o confrelid:o confupdtype:c confdeltype:c confmatchtype:c "            \
    "conislocal:b coninhcount:4 connoinherit:b conkey:S confkey:S conpfeqop:O conppeqop:O conffeqop:O "       \
    "confdelsetcols:S conexclop:O conbin:t"

static int check_conkey(const TableInfo *t, const char *sql, i64 *key, int max);
static void con_row(Gen *g, u32 oid, const char *name, const TableInfo *t, char type, bool deferrable, bool deferred,
                    u32 indid, u32 frel, char upd, char del, char match, const i64 *key, int nkey, const i64 *fkey,
                    int nfkey, const char *bin)
{
    P_OID(g, oid); P_NAME(g, name); P_OID(g, cat_ns_oid(g->cv, t)); P_CHAR(g, type); P_BOOL(g, deferrable);
    P_BOOL(g, deferred); P_BOOL(g, true); P_OID(g, t->utype ? 0 : cat_object_oid(t));
    P_OID(g, t->utype ? cat_object_oid(t) : 0); P_OID(g, indid); P_OID(g, 0); P_OID(g, frel); P_CHAR(g, upd);
    P_CHAR(g, del); P_CHAR(g, match); P_BOOL(g, true); P_INT(g, 0); P_BOOL(g, type == 'c' && false);
    if (key) P_IARR(g, TYPE_INT2, key, nkey, false); else P_NULL(g);
    if (fkey) P_IARR(g, TYPE_INT2, fkey, nfkey, false); else P_NULL(g);
    P_NULL(g); P_NULL(g); P_NULL(g); P_NULL(g); P_NULL(g); P_TEXT(g, bin);
}

static int gen_constraint(Gen *g)
{
    const CatView *cv = g->cv;
    for (int i = 0; i < cv->nrels; i++) {
        const TableInfo *t = cv->rels[i];
        i64 key[INDEX_MAX_COLS_SYS], fkey[INDEX_MAX_COLS_SYS];
        if (has_pk(t)) {
            int n = t->npk < INDEX_MAX_COLS_SYS ? t->npk : INDEX_MAX_COLS_SYS;
            for (int k = 0; k < n; k++) key[k] = cat_attnum(t, t->pk[k]);
            char nm[CAT_MAX_NAME + 8];
            snprintf(nm, sizeof nm, "%s_pkey", name_base(t->name));
            if (gen_row(g)) return DD_ENOMEM;
            con_row(g, pk_con_oid(t), nm, t, 'p', false, false, pk_index_oid(t), 0, ' ', ' ', ' ', key, n, NULL, 0, NULL);
        }
        for (int x = 0; x < t->nindexes; x++) {
            const IndexInfo *ix = &t->indexes[x];
            if (!ix->constraint) continue;
            int n = ix->ncols < INDEX_MAX_COLS_SYS ? ix->ncols : INDEX_MAX_COLS_SYS;
            for (int k = 0; k < n; k++) key[k] = cat_attnum(t, ix->cols[k]);
            if (gen_row(g)) return DD_ENOMEM;
            con_row(g, OID_KEYCON_BASE + ix->id, name_base(ix->name), t, ix->primary ? 'p' : 'u', false, false,
                    cat_index_oid(ix), 0, ' ', ' ', ' ', key, n, NULL, 0, NULL);
        }
        for (int c = 0; c < t->nchecks; c++) {
            if (gen_row(g)) return DD_ENOMEM;
            /* the columns the check's text names (NULL: none, as PostgreSQL) */
            int n = check_conkey(t, t->checks[c].expr_sql, key, INDEX_MAX_COLS_SYS);
            con_row(g, cat_con_oid(t->id, (u32)c), t->checks[c].name, t, 'c', false, false, 0, 0, ' ', ' ', ' ',
                    n ? key : NULL, n, NULL, 0, t->checks[c].expr_sql);
        }
        for (int f = 0; f < t->nfks; f++) {
            const ForeignKeyInfo *fk = &t->fks[f];
            const TableInfo *rt = cat_rel_by_id(cv, fk->ref_table);
            int n = fk->ncols < INDEX_MAX_COLS_SYS ? fk->ncols : INDEX_MAX_COLS_SYS;
            for (int k = 0; k < n; k++) {
                key[k] = cat_attnum(t, fk->cols[k]);
                fkey[k] = rt ? cat_attnum(rt, fk->ref_cols[k]) : 0;
            }
            /* the referenced key's index: the primary key's or a unique one's */
            u32 refidx = 0;
            if (rt && cat_has_pk(rt) && rt->npk == fk->ncols) {
                bool same = true;
                for (int k = 0; k < n; k++) same &= rt->pk[k] == fk->ref_cols[k];
                if (same) refidx = pk_index_oid(rt);
            }
            for (int x = 0; rt && !refidx && x < rt->nindexes; x++) {
                const IndexInfo *ix = &rt->indexes[x];
                if (!ix->unique || ix->pred_sql || ix->ncols != fk->ncols) continue;
                bool same = true;
                for (int k = 0; k < n; k++) same &= ix->cols[k] == fk->ref_cols[k];
                if (same) refidx = cat_index_oid(ix);
            }
            if (gen_row(g)) return DD_ENOMEM;
            con_row(g, cat_con_oid(t->id, OID_CON_FK + (u32)f), fk->name, t, 'f', fk->deferrable, fk->deferred, refidx,
                    OID_OBJECT_BASE + fk->ref_table, fk->on_update, fk->on_delete, fk->match_full ? 'f' : 's', key, n,
                    fkey, n, NULL);
        }
    }
    for (int i = 0; i < cv->ntypes; i++) {
        const TableInfo *u = cv->types[i];
        if (u->utype->kind != 'd') continue;
        for (int c = 0; c < u->utype->nchecks; c++) {
            if (gen_row(g)) return DD_ENOMEM;
            con_row(g, cat_con_oid(u->id, (u32)c), u->utype->checks[c].name, u, 'c', false, false, 0, 0, ' ',
                    ' ', ' ', NULL, 0, NULL, 0, u->utype->checks[c].expr_sql);
        }
    }
    return DD_OK;
}

#define COLS_DESCRIPTION "objoid:o classoid:o objsubid:4 description:t"
static int gen_description(Gen *g)
{
    const CatView *cv = g->cv;
    if (sql_schema_exists(g->ctx, "public")) {   /* as PostgreSQL's initdb leaves it */
        if (gen_row(g)) return DD_ENOMEM;
        P_OID(g, OID_NS_PUBLIC); P_OID(g, OID_PG_NAMESPACE); P_INT(g, 0); P_TEXT(g, "standard public schema");
    }
    for (int i = 0; i < cv->nrels; i++) {
        const TableInfo *t = cv->rels[i];
        for (int k = 0; k < t->ncomments; k++) {
            if (gen_row(g)) return DD_ENOMEM;
            P_OID(g, cat_object_oid(t)); P_OID(g, OID_PG_CLASS);
            P_INT(g, t->comments[k].col ? cat_attnum(t, t->comments[k].col) : 0); P_TEXT(g, t->comments[k].text);
        }
    }
    return DD_OK;
}

#define COLS_AM "oid:o amname:n amhandler:r amtype:c"
static int gen_am(Gen *g)
{
    static const struct { u32 oid; const char *name; char type; } am[] = {
        {2, "heap", 't'}, {403, "btree", 'i'}, {405, "hash", 'i'}, {783, "gist", 'i'},
        {2742, "gin", 'i'}, {4000, "spgist", 'i'}, {3580, "brin", 'i'},
    };
    for (size_t i = 0; i < DD_ARRAY_LEN(am); i++) {
        if (gen_row(g)) return DD_ENOMEM;
        P_OID(g, am[i].oid); P_NAME(g, am[i].name); put(g, val_int(TYPE_REGPROC, 0)); P_CHAR(g, am[i].type);
    }
    return DD_OK;
}

#define COLS_DATABASE                                                                                       \
    "oid:o datname:n datdba:o encoding:4 datlocprovider:c datistemplate:b datallowconn:b datconnlimit:4 " \
    "datfrozenxid:o datminmxid:o dattablespace:o datcollate:t datctype:t daticulocale:t datcollversion:t " \
    "datacl:T"
static int gen_database(Gen *g)
{
    if (gen_row(g)) return DD_ENOMEM;
    P_OID(g, OID_DATABASE); P_NAME(g, g->ctx->database ? g->ctx->database : "driftdb"); P_OID(g, OID_ROLE_OWNER);
    P_INT(g, 6); P_CHAR(g, 'c'); P_BOOL(g, false); P_BOOL(g, true); P_INT(g, -1); P_OID(g, 0); P_OID(g, 0);
    P_OID(g, 1663); P_TEXT(g, "C"); P_TEXT(g, "C.UTF-8"); P_NULL(g); P_NULL(g); P_NULL(g);
    return DD_OK;
}

#define COLS_ROLES                                                                                          \
    "rolname:n rolsuper:b rolinherit:b rolcreaterole:b rolcreatedb:b rolcanlogin:b rolreplication:b "     \
    "rolconnlimit:4 rolpassword:t rolvaliduntil:z rolbypassrls:b rolconfig:T oid:o"
/* Whether the session's role is a superuser now (at its snapshot, not at
 * a SET drift.system_time point: rights are the present's). */
static bool session_is_superuser(SqlCtx *ctx)
{
    /* current_user's (SET ROLE's), as PostgreSQL checks */
    const TableInfo *me = resolve_current_role(ctx);
    return me && (me->utype->role->flags & FMT_ROLE_SUPER);
}

/* One role's attributes, the bootstrap superuser's first, then
 * pg_database_owner (the OIDs' order), then the roles made by CREATE ROLE. */
typedef struct RoleRow {
    const char *name;
    u32 oid;
    u8 flags;
    i32 connlimit;
    const char *password;
    bool has_until;
    i64 until;      /* Unix µs (INT64_MAX: infinity) */
    int nconfig;    /* ALTER ROLE ... SET */
    const char *const *config;
} RoleRow;

/* The roles at the view's point (FOR SYSTEM_TIME AS OF, SET
 * drift.system_time), or the present ones (this transaction's changes
 * included). */
static int view_roles(Gen *g, const TableInfo ***rs, int *nr)
{
    return g->cv->point == SEQ_NONE ? present_roles(g->ctx, rs, nr)
                                    : store_roles_at(g->ctx->snap, g->cv->point, g->ctx->stmt, rs, nr, g->ctx->err);
}

static int role_rows(Gen *g, RoleRow **out, int *n)
{
    const TableInfo **rs;
    int nr;
    int rc = view_roles(g, &rs, &nr);
    if (rc) return rc;
    RoleRow *v = arena_zalloc(g->ctx->stmt, sizeof(RoleRow) * (size_t)(nr + 1));
    if (!v) return DD_ENOMEM;
    int k = 0;
    for (int i = 0; i < nr; i++) {
        const RoleInfo *ri = rs[i]->utype->role;
        v[k++] = (RoleRow){rs[i]->name, role_oid(rs[i]), ri->flags, ri->connlimit, ri->password, ri->has_valid_until,
                           ri->valid_until, ri->nconfig, (const char *const *)ri->config};
        if (k == 1)
            v[k++] = (RoleRow){"pg_database_owner", OID_ROLE_DATABASE_OWNER, FMT_ROLE_INHERIT, -1, NULL, false, 0, 0, NULL};
    }
    *out = v;
    *n = k;
    return DD_OK;
}

/* VALID UNTIL; 'infinity' reads as NULL (DriftDB's timestamps are finite:
 * docs/postgres-differences.md) */
static void P_UNTIL(Gen *g, const RoleRow *r)
{
    if (!r->has_until || r->until == INT64_MAX || r->until == INT64_MIN) P_NULL(g);
    else put(g, val_int(TYPE_TIMESTAMPTZ, r->until == INT64_MAX || r->until == INT64_MIN ? r->until : ts_from_unix_us(r->until)));
}

static void P_FLAGS(Gen *g, u8 f, const u8 *order, int n)
{
    for (int i = 0; i < n; i++) P_BOOL(g, (f & order[i]) != 0);
}

static int gen_roles(Gen *g)
{
    static const u8 order[] = {FMT_ROLE_SUPER, FMT_ROLE_INHERIT, FMT_ROLE_CREATEROLE, FMT_ROLE_CREATEDB,
                               FMT_ROLE_LOGIN, FMT_ROLE_REPLICATION};
    RoleRow *v;
    int n, rc = role_rows(g, &v, &n);
    for (int i = 0; !rc && i < n; i++) {
        if (gen_row(g)) return DD_ENOMEM;
        P_NAME(g, v[i].name);
        P_FLAGS(g, v[i].flags, order, 6);
        P_INT(g, v[i].connlimit); P_TEXT(g, "********"); P_UNTIL(g, &v[i]); P_BOOL(g, v[i].flags & FMT_ROLE_BYPASSRLS);
        if (v[i].nconfig) put_text_array(g, v[i].config, v[i].nconfig);
        else P_NULL(g);
        P_OID(g, v[i].oid);
    }
    return rc;
}

/* pg_db_role_setting: ALTER ROLE ... SET, for every database (0), as the
 * one database answers to every name */
static int gen_db_role_setting(Gen *g)
{
    RoleRow *v;
    int n, rc = role_rows(g, &v, &n);
    for (int i = 0; !rc && i < n; i++) {
        if (!v[i].nconfig) continue;
        if (gen_row(g)) return DD_ENOMEM;
        P_OID(g, 0); P_OID(g, v[i].oid); put_text_array(g, v[i].config, v[i].nconfig);
    }
    return rc;
}
#define COLS_AUTHID                                                                                         \
    "oid:o rolname:n rolsuper:b rolinherit:b rolcreaterole:b rolcreatedb:b rolcanlogin:b rolreplication:b " \
    "rolbypassrls:b rolconnlimit:4 rolpassword:t rolvaliduntil:z"
static int gen_authid(Gen *g)
{
    static const u8 order[] = {FMT_ROLE_SUPER, FMT_ROLE_INHERIT, FMT_ROLE_CREATEROLE, FMT_ROLE_CREATEDB,
                               FMT_ROLE_LOGIN, FMT_ROLE_REPLICATION, FMT_ROLE_BYPASSRLS};
    /* the verifiers are for superusers' eyes only, as in PostgreSQL */
    if (!session_is_superuser(g->ctx))
        return dd_err(g->ctx->err, DD_EINSUFFICIENT_PRIVILEGE, -1, "permission denied for table pg_authid");
    RoleRow *v;
    int n, rc = role_rows(g, &v, &n);
    for (int i = 0; !rc && i < n; i++) {
        if (gen_row(g)) return DD_ENOMEM;
        P_OID(g, v[i].oid); P_NAME(g, v[i].name);
        P_FLAGS(g, v[i].flags, order, 7);
        P_INT(g, v[i].connlimit);
        if (v[i].password) P_TEXT(g, v[i].password); else P_NULL(g);
        P_UNTIL(g, &v[i]);
    }
    return rc;
}
#define COLS_USER                                                                                           \
    "usename:n usesysid:o usecreatedb:b usesuper:b userepl:b usebypassrls:b passwd:t valuntil:z useconfig:T"
static int gen_user(Gen *g)
{
    RoleRow *v;
    int n, rc = role_rows(g, &v, &n);
    for (int i = 0; !rc && i < n; i++) {
        if (!(v[i].flags & FMT_ROLE_LOGIN)) continue;
        if (gen_row(g)) return DD_ENOMEM;
        P_NAME(g, v[i].name); P_OID(g, v[i].oid);
        P_BOOL(g, v[i].flags & FMT_ROLE_CREATEDB); P_BOOL(g, v[i].flags & FMT_ROLE_SUPER);
        P_BOOL(g, v[i].flags & FMT_ROLE_REPLICATION); P_BOOL(g, v[i].flags & FMT_ROLE_BYPASSRLS);
        P_TEXT(g, "********"); P_UNTIL(g, &v[i]); P_NULL(g);
    }
    return rc;
}

static int gen_auth_members(Gen *g)
{
    const TableInfo **rs;
    int nr;
    int rc = view_roles(g, &rs, &nr);
    for (int i = 0; !rc && i < nr; i++) {
        const RoleInfo *ri = rs[i]->utype->role;
        for (int j = 0; j < ri->nmember_of; j++) {
            const TableInfo *role = NULL, *grantor = NULL;
            for (int k = 0; k < nr; k++) {
                if (rs[k]->id == ri->member_of[j].role) role = rs[k];
                if (rs[k]->id == ri->member_of[j].grantor) grantor = rs[k];
            }
            if (!role) continue;
            if (gen_row(g)) return DD_ENOMEM;
            P_OID(g, role_oid(role)); P_OID(g, role_oid(rs[i])); P_OID(g, grantor ? role_oid(grantor) : OID_ROLE_OWNER);
            P_BOOL(g, ri->member_of[j].admin);
        }
    }
    return rc;
}

#define COLS_COLLATION                                                                                     \
    "oid:o collname:n collnamespace:o collowner:o collprovider:c collisdeterministic:b collencoding:4 " \
    "collcollate:t collctype:t colliculocale:t collversion:t"
/* The collations: the bootstrap superuser's, in pg_catalog, for every
 * encoding (collencoding -1) */
static const struct { u32 oid; const char *name; char prov; } collations[] = {
    {OID_COLL_DEFAULT, "default", 'd'}, {OID_COLL_C, "C", 'c'}, {OID_COLL_POSIX, "POSIX", 'c'},
};
static int gen_collation(Gen *g)
{
    for (size_t i = 0; i < DD_ARRAY_LEN(collations); i++) {
        const char *name = collations[i].name;
        char prov = collations[i].prov;
        if (gen_row(g)) return DD_ENOMEM;
        P_OID(g, collations[i].oid); P_NAME(g, name); P_OID(g, OID_NS_PG_CATALOG); P_OID(g, OID_ROLE_OWNER);
        P_CHAR(g, prov); P_BOOL(g, true); P_INT(g, -1);
        P_TEXT(g, prov == 'd' ? NULL : name); P_TEXT(g, prov == 'd' ? NULL : name);
        P_NULL(g); P_NULL(g);
    }
    return DD_OK;
}

#define COLS_TABLESPACE "oid:o spcname:n spcowner:o spcacl:T spcoptions:T"
static int gen_tablespace(Gen *g)
{
    if (gen_row(g)) return DD_ENOMEM;
    P_OID(g, 1663); P_NAME(g, "pg_default"); P_OID(g, OID_ROLE_OWNER); P_NULL(g); P_NULL(g);
    if (gen_row(g)) return DD_ENOMEM;
    P_OID(g, 1664); P_NAME(g, "pg_global"); P_OID(g, OID_ROLE_OWNER); P_NULL(g); P_NULL(g);
    return DD_OK;
}

#define COLS_SEQUENCE "seqrelid:o seqtypid:o seqstart:8 seqincrement:8 seqmax:8 seqmin:8 seqcache:8 seqcycle:b"
static int gen_sequence(Gen *g)
{
    for (int i = 0; i < g->cv->nrels; i++) {
        const TableInfo *t = g->cv->rels[i];
        const SeqInfo *q = t->sequence;
        if (!q) continue;
        if (gen_row(g)) return DD_ENOMEM;
        P_OID(g, cat_object_oid(t)); P_OID(g, type_oid((TypeId)q->type)); P_INT(g, q->start); P_INT(g, q->inc);
        P_INT(g, q->max); P_INT(g, q->min); P_INT(g, 1); P_BOOL(g, q->cycle);
    }
    return DD_OK;
}

#define COLS_DEPEND "classid:o objid:o objsubid:4 refclassid:o refobjid:o refobjsubid:4 deptype:c"
/* The sequence a DEFAULT nextval('name') names, or NULL. */
static const TableInfo *default_sequence(Gen *g, const char *sql)
{
    if (!sql || strncmp(sql, "nextval('", 9) != 0) return NULL;
    const char *end = strchr(sql + 9, '\'');
    if (!end || (size_t)(end - sql - 9) > 2 * CAT_MAX_NAME + 1) return NULL;
    char name[2 * CAT_MAX_NAME + 2];
    snprintf(name, sizeof name, "%.*s", (int)(end - sql - 9), sql + 9);
    /* the name as the catalog keeps it (resolved at CREATE: public's plain) */
    const TableInfo *q = resolve_permanent_present(g->ctx, strncmp(name, "public.", 7) == 0 ? name + 7 : name);
    return q && q->sequence ? q : NULL;
}

static void depend_row(Gen *g, u32 classid, u32 objid, int objsub, u32 refclass, u32 refobj, int refsub, char type)
{
    P_OID(g, classid); P_OID(g, objid); P_INT(g, objsub); P_OID(g, refclass); P_OID(g, refobj); P_INT(g, refsub);
    P_CHAR(g, type);
}

static int gen_depend(Gen *g)
{
    const CatView *cv = g->cv;
    for (int i = 0; i < cv->nrels; i++) {
        const TableInfo *t = cv->rels[i];
        /* a view's rule reads its relations and their columns */
        for (int k = 0; t->view_sql && k < t->ndeps; k++) {
            const TableInfo *r = cat_rel_by_id(cv, t->deps[2 * k]);
            if (!r) continue;
            if (gen_row(g)) return DD_ENOMEM;
            depend_row(g, OID_PG_REWRITE, OID_RULE_BASE + t->id, 0, OID_PG_CLASS, cat_object_oid(r),
                       t->deps[2 * k + 1] ? cat_attnum(r, t->deps[2 * k + 1]) : 0, 'n');
        }
        if (t->view_sql) {
            if (gen_row(g)) return DD_ENOMEM;
            depend_row(g, OID_PG_REWRITE, OID_RULE_BASE + t->id, 0, OID_PG_CLASS, cat_object_oid(t), 0, 'i');
        }
        /* a column's DEFAULT: its column, and the sequence nextval names */
        for (int k = 0; k < t->ncols; k++) {
            const ColumnInfo *c = &t->cols[k];
            if (c->dropped || c->pending || c->identity || !c->default_sql) continue;
            u32 ad = OID_ATTRDEF_BASE + t->id * 2048u + (u32)cat_attnum(t, c->id);
            if (gen_row(g)) return DD_ENOMEM;
            depend_row(g, OID_PG_ATTRDEF, ad, 0, OID_PG_CLASS, cat_object_oid(t), cat_attnum(t, c->id), 'a');
            const TableInfo *q = default_sequence(g, c->default_sql);
            if (q) {
                if (gen_row(g)) return DD_ENOMEM;
                depend_row(g, OID_PG_ATTRDEF, ad, 0, OID_PG_CLASS, cat_object_oid(q), 0, 'n');
            }
        }
        const SeqInfo *q = t->sequence;
        if (q && q->owner_table) {
            const TableInfo *o = cat_rel_by_id(cv, q->owner_table);
            bool identity = false;
            if (o)
                for (int k = 0; k < o->ncols; k++) identity |= o->cols[k].id == q->owner_col && o->cols[k].identity;
            if (gen_row(g)) return DD_ENOMEM;
            P_OID(g, OID_PG_CLASS); P_OID(g, cat_object_oid(t)); P_INT(g, 0); P_OID(g, OID_PG_CLASS);
            P_OID(g, OID_OBJECT_BASE + q->owner_table); P_INT(g, o ? cat_attnum(o, q->owner_col) : 0);
            P_CHAR(g, identity ? 'i' : 'a');
        }
        for (int k = 0; k < t->nindexes; k++) {
            if (gen_row(g)) return DD_ENOMEM;
            P_OID(g, OID_PG_CLASS); P_OID(g, cat_index_oid(&t->indexes[k])); P_INT(g, 0);
            P_OID(g, t->indexes[k].constraint ? OID_PG_CONSTRAINT : OID_PG_CLASS);
            P_OID(g, t->indexes[k].constraint ? OID_KEYCON_BASE + t->indexes[k].id : cat_object_oid(t)); P_INT(g, 0);
            P_CHAR(g, t->indexes[k].constraint ? 'i' : 'a');
        }
    }
    return DD_OK;
}

#define COLS_TABLES \
    "schemaname:n tablename:n tableowner:n tablespace:n hasindexes:b hasrules:b hastriggers:b rowsecurity:b"
static int gen_tables(Gen *g)
{
    for (int i = 0; i < g->cv->nrels; i++) {
        const TableInfo *t = g->cv->rels[i];
        if (t->view_sql || t->sequence) continue;
        if (gen_row(g)) return DD_ENOMEM;
        P_NAME(g, cat_ns_name(t)); P_NAME(g, name_base(t->name)); P_NAME(g, obj_owner_name(g->ctx, t)); P_NULL(g);
        P_BOOL(g, t->nindexes > 0 || has_pk(t)); P_BOOL(g, false); P_BOOL(g, false); P_BOOL(g, false);
    }
    return DD_OK;
}

/* A view's definition as pg_get_viewdef prints it: " query;" */
static Value viewdef(Gen *g, const TableInfo *t)
{
    Buf b = BUF_INIT;
    cat_viewdef(g->cv, t, false, &b);
    char *s = buf_ok(&b) ? arena_strndup(g->ctx->stmt, (const char *)b.data, b.len) : NULL;
    buf_free(&b);
    if (!s) g->oom = true;
    return s ? val_text(TYPE_TEXT, s, (u32)strlen(s)) : val_null(TYPE_TEXT);
}

#define COLS_VIEWS "schemaname:n viewname:n viewowner:n definition:t"
static int gen_views(Gen *g)
{
    for (int i = 0; i < g->cv->nrels; i++) {
        const TableInfo *t = g->cv->rels[i];
        if (!t->view_sql) continue;
        if (gen_row(g)) return DD_ENOMEM;
        P_NAME(g, cat_ns_name(t)); P_NAME(g, name_base(t->name)); P_NAME(g, obj_owner_name(g->ctx, t));
        put(g, viewdef(g, t));
    }
    return DD_OK;
}

#define COLS_INDEXES "schemaname:n tablename:n indexname:n tablespace:n indexdef:t"
static int gen_indexes(Gen *g)
{
    for (int i = 0; i < g->cv->nrels; i++) {
        const TableInfo *t = g->cv->rels[i];
        if (has_pk(t)) {
            Buf b;
            buf_init(&b);
            if (!cat_indexdef(g->cv, pk_index_oid(t), 0, false, &b)) { buf_free(&b); return DD_ENOMEM; }
            char nm[CAT_MAX_NAME + 8];
            snprintf(nm, sizeof nm, "%s_pkey", name_base(t->name));
            if (gen_row(g)) { buf_free(&b); return DD_ENOMEM; }
            P_NAME(g, cat_ns_name(t)); P_NAME(g, name_base(t->name)); P_NAME(g, nm); P_NULL(g); put(g, bufval(g, &b));
        }
        for (int k = 0; k < t->nindexes; k++) {
            Buf b;
            buf_init(&b);
            if (!cat_indexdef(g->cv, cat_index_oid(&t->indexes[k]), 0, false, &b)) { buf_free(&b); return DD_ENOMEM; }
            if (gen_row(g)) { buf_free(&b); return DD_ENOMEM; }
            P_NAME(g, cat_ns_name(t)); P_NAME(g, name_base(t->name)); P_NAME(g, name_base(t->indexes[k].name));
            P_NULL(g); put(g, bufval(g, &b));
        }
    }
    return DD_OK;
}

#define COLS_SEQUENCES                                                                                      \
    "schemaname:n sequencename:n sequenceowner:n data_type:R start_value:8 min_value:8 max_value:8 "      \
    "increment_by:8 cycle:b cache_size:8 last_value:8"
static int gen_sequences(Gen *g)
{
    for (int i = 0; i < g->cv->nrels; i++) {
        const TableInfo *t = g->cv->rels[i];
        const SeqInfo *q = t->sequence;
        if (!q) continue;
        i64 last = 0, ahead = 0;
        bool called = false;
        if (!t->temp && store_seq_state(g->ctx->store, t, &last, &called, &ahead, g->ctx->err)) return DD_EIO;
        if (gen_row(g)) return DD_ENOMEM;
        P_NAME(g, cat_ns_name(t)); P_NAME(g, name_base(t->name)); P_NAME(g, obj_owner_name(g->ctx, t));
        put(g, val_int(TYPE_REGTYPE, type_oid((TypeId)q->type))); P_INT(g, q->start); P_INT(g, q->min);
        P_INT(g, q->max); P_INT(g, q->inc); P_BOOL(g, q->cycle); P_INT(g, 1);
        if (called && !t->temp) P_INT(g, last); else P_NULL(g);
    }
    return DD_OK;
}

#define COLS_SETTINGS                                                                                      \
    "name:t setting:t unit:t category:t short_desc:t extra_desc:t context:t vartype:t source:t min_val:t " \
    "max_val:t enumvals:T boot_val:t reset_val:t sourcefile:t sourceline:4 pending_restart:b"

/* A setting's value in the unit pg_settings shows it in (timeouts in ms,
 * memory in kB or 8kB pages), or NULL when it has none. */
static const char *setting_unit(const char *name, const char *value, char *buf, size_t cap)
{
    size_t n = strlen(name);
    bool timeout = (n > 8 && strcmp(name + n - 8, "_timeout") == 0) || strcmp(name, "log_min_duration_statement") == 0;
    bool mem = strcmp(name, "work_mem") == 0 || strcmp(name, "temp_file_limit") == 0, pages = strcmp(name, "effective_cache_size") == 0;
    if (!timeout && !mem && !pages) return NULL;
    char *end;
    double v = strtod(value, &end);
    while (*end == ' ') end++;
    static const struct { const char *u; double ms, kb; } units[] = {
        {"", 1, 1}, {"us", 0.001, 0}, {"ms", 1, 0}, {"s", 1000, 0}, {"min", 60000, 0}, {"h", 3600000, 0},
        {"d", 86400000, 0}, {"B", 0, 1.0 / 1024}, {"kB", 0, 1}, {"MB", 0, 1024}, {"GB", 0, 1048576},
        {"TB", 0, 1073741824.0},
    };
    double f = -1;
    for (size_t i = 0; i < DD_ARRAY_LEN(units); i++)
        if (strcmp(end, units[i].u) == 0) f = timeout ? units[i].ms : units[i].kb;
    if (f <= 0) return NULL;
    double x = v * f / (pages ? 8 : 1);
    snprintf(buf, cap, "%.0f", x);
    return timeout ? "ms" : pages ? "8kB" : "kB";
}

static int gen_settings(Gen *g)
{
    SqlCtx *ctx = g->ctx;
    const char *name, *value, *boot;
    bool readonly;
    for (int i = 0; ctx->setting_nth && ctx->setting_nth(ctx->session, i, &name, &value, &boot, &readonly); i++) {
        char vb[32], bb[32];
        const char *unit = setting_unit(name, value, vb, sizeof vb);
        const char *bunit = setting_unit(name, boot, bb, sizeof bb);
        bool on_off = !strcmp(value, "on") || !strcmp(value, "off");
        bool digits = value[0] != 0;
        for (const char *p = value; *p; p++) digits &= (*p >= '0' && *p <= '9') || *p == '-';
        bool real = !digits && strspn(value, "0123456789.-") == strlen(value) && value[0] &&
                    strcmp(name, "server_version") != 0;
        if (gen_row(g)) return DD_ENOMEM;
        P_TEXT(g, name); P_TEXT(g, unit ? vb : value); P_TEXT(g, unit); P_NULL(g); P_NULL(g); P_NULL(g);
        /* log_min_duration_statement: SET by superusers only (engine/settings.c) */
        /* the server's settings as PostgreSQL's postmaster's and its
         * configuration file's */
        P_TEXT(g, strcmp(name, "port") == 0 || strcmp(name, "max_connections") == 0 ? "postmaster"
                  : strcmp(name, "ssl") == 0                                        ? "sighup"
                  : readonly                                                        ? "internal"
                  : strcmp(name, "log_min_duration_statement") == 0                 ? "superuser"
                                                                                    : "user");
        P_TEXT(g, on_off ? "bool" : unit || digits ? "integer" : real ? "real" : "string");
        /* a fixed one (server_version, session_authorization ...) is its
         * default whatever the session was given */
        if (readonly) { boot = value; bunit = unit; snprintf(bb, sizeof bb, "%s", vb); }
        P_TEXT(g, strcmp(value, boot) == 0 ? "default" : "session"); P_NULL(g); P_NULL(g); P_NULL(g);
        P_TEXT(g, bunit ? bb : boot); P_TEXT(g, bunit ? bb : boot); P_NULL(g); P_NULL(g); P_BOOL(g, false);
    }
    return DD_OK;
}

/* pg_stat_activity: the database's open sessions (engine/activity.c). */
#define COLS_STAT_ACTIVITY                                                                                  \
    "datid:o datname:n pid:4 leader_pid:4 usesysid:o usename:n application_name:t client_addr:t "          \
    "client_hostname:t client_port:4 backend_start:z xact_start:z query_start:z state_change:z "           \
    "wait_event_type:t wait_event:t state:t backend_xid:o backend_xmin:o query_id:8 query:t backend_type:t"
static void P_TIME(Gen *g, i64 unix_us)
{
    if (unix_us) put(g, val_int(TYPE_TIMESTAMPTZ, ts_from_unix_us(unix_us)));
    else P_NULL(g);
}
static int gen_stat_activity(Gen *g)
{
    SqlCtx *ctx = g->ctx;
    SqlActivity *all = NULL;
    int nall = 0, rc;
    if (ctx->activity_list && (rc = ctx->activity_list(ctx->session, &all, &nall, ctx->stmt))) return rc;
    bool see_all = session_is_superuser(ctx);
    for (int i = 0; i < nall; i++) {
        SqlActivity a = all[i];
        if (gen_row(g)) return DD_ENOMEM;
        P_OID(g, OID_DATABASE); P_NAME(g, a.database); P_INT(g, a.pid); P_NULL(g); P_OID(g, OID_ROLE_OWNER);
        P_NAME(g, a.user); P_TEXT(g, a.application);
        /* client "host:port" as the server records it: address and port apart */
        const char *colon = a.client ? strrchr(a.client, ':') : NULL;
        if (a.client && colon && !strchr(colon, ']')) {
            char *host = arena_strdup(ctx->stmt, a.client);
            if (!host) return DD_ENOMEM;
            host[colon - a.client] = 0;
            P_TEXT(g, host); P_NULL(g); P_INT(g, atoi(colon + 1));
        } else {
            P_TEXT(g, a.client); P_NULL(g); P_INT(g, a.client ? 0 : -1);
        }
        P_TIME(g, a.backend_start_us); P_TIME(g, a.xact_start_us); P_TIME(g, a.query_start_us);
        P_TIME(g, a.state_change_us); P_NULL(g); P_NULL(g); P_TEXT(g, a.state); P_NULL(g); P_NULL(g); P_NULL(g);
        /* another role's statement text (a password in it, say) is for
         * superusers, as in PostgreSQL */
        P_TEXT(g, see_all || (ctx->user && a.user && strcmp(a.user, ctx->user) == 0) ? a.query : "<insufficient privilege>");
        P_TEXT(g, "client backend");
    }
    return DD_OK;
}

/* pg_stat_ssl: the TLS of each session's connection (ssl false for a
 * plaintext, Unix socket or embedded one); another role's session shows
 * only its pid to a non-superuser, as in PostgreSQL. */
#define COLS_STAT_SSL "pid:4 ssl:b version:t cipher:t bits:4 client_dn:t client_serial:N issuer_dn:t"
static int gen_stat_ssl(Gen *g)
{
    SqlCtx *ctx = g->ctx;
    SqlActivity *all = NULL;
    int nall = 0, rc;
    if (ctx->activity_list && (rc = ctx->activity_list(ctx->session, &all, &nall, ctx->stmt))) return rc;
    bool see_all = session_is_superuser(ctx);
    for (int i = 0; i < nall; i++) {
        SqlActivity a = all[i];
        if (gen_row(g)) return DD_ENOMEM;
        P_INT(g, a.pid);
        if (!see_all && !(ctx->user && a.user && strcmp(a.user, ctx->user) == 0)) {
            for (int k = 0; k < 7; k++) P_NULL(g);
            continue;
        }
        P_BOOL(g, a.ssl);
        P_TEXT(g, a.ssl_version); P_TEXT(g, a.ssl_cipher);
        if (a.ssl) P_INT(g, a.ssl_bits);
        else P_NULL(g);
        P_TEXT(g, a.ssl_client_dn);
        Value serial = val_null(TYPE_NUMERIC);
        DdError e;
        if (a.ssl_client_serial && numeric_parse(a.ssl_client_serial, strlen(a.ssl_client_serial), ctx->stmt, &serial, &e))
            serial = val_null(TYPE_NUMERIC);
        put(g, serial);
        P_TEXT(g, a.ssl_issuer_dn);
    }
    return DD_OK;
}

/* pg_stat_user_tables (and pg_stat_all_tables): the scans and row changes
 * of each table since the database was opened (store_table_activity), its
 * live rows, and as dead rows the versions updates and deletes ended since
 * then (DriftDB keeps them as history: nothing vacuums them). */
#define COLS_STAT_TABLES                                                                                    \
    "relid:o schemaname:n relname:n seq_scan:8 seq_tup_read:8 idx_scan:8 idx_tup_fetch:8 n_tup_ins:8 "     \
    "n_tup_upd:8 n_tup_del:8 n_tup_hot_upd:8 n_live_tup:8 n_dead_tup:8 n_mod_since_analyze:8 "             \
    "n_ins_since_vacuum:8 last_vacuum:z last_autovacuum:z last_analyze:z last_autoanalyze:z vacuum_count:8 " \
    "autovacuum_count:8 analyze_count:8 autoanalyze_count:8"
static int gen_stat_tables(Gen *g)
{
    for (int i = 0; i < g->cv->nrels; i++) {
        const TableInfo *t = g->cv->rels[i];
        if (t->view_sql || t->sequence || t->temp) continue;
        StoreTableActivity a;
        store_table_activity(g->ctx->store, t->id, &a);
        if (gen_row(g)) return DD_ENOMEM;
        P_OID(g, cat_object_oid(t)); P_NAME(g, cat_ns_name(t)); P_NAME(g, name_base(t->name));
        P_INT(g, a.seq_scan); P_INT(g, a.seq_tup_read); P_INT(g, a.idx_scan); P_INT(g, a.idx_tup_fetch);
        P_INT(g, a.n_ins); P_INT(g, a.n_upd); P_INT(g, a.n_del); P_INT(g, 0);
        P_INT(g, store_table_rows(g->ctx->snap, t->id)); P_INT(g, a.n_upd + a.n_del);
        P_INT(g, a.n_ins + a.n_upd + a.n_del - a.mod_at_analyze); P_INT(g, a.n_ins);
        /* nothing is ever vacuumed: no vacuum, counts 0 */
        P_NULL(g); P_NULL(g); P_TIME(g, a.last_analyze_us); P_TIME(g, a.last_autoanalyze_us);
        P_INT(g, 0); P_INT(g, 0); P_INT(g, a.analyze_count); P_INT(g, a.autoanalyze_count);
    }
    return DD_OK;
}

/* pg_stats: the planner's statistics of each column of the tables that
 * have them (gathered by ANALYZE, or when a plan first needed them):
 * the fraction of NULLs, the distinct values (as PostgreSQL, a negative
 * fraction of the rows when they are more than a tenth of them), and the
 * bounds of the equi-depth histogram of numbers, dates and timestamps in
 * the column's text form. */
#define COLS_STATS                                                                                          \
    "schemaname:n tablename:n attname:n inherited:b null_frac:f avg_width:4 n_distinct:f "                 \
    "most_common_vals:T most_common_freqs:F histogram_bounds:T correlation:f most_common_elems:T "          \
    "most_common_elem_freqs:F elem_count_histogram:F"
static int gen_stats(Gen *g)
{
    for (int i = 0; i < g->cv->nrels; i++) {
        const TableInfo *t = g->cv->rels[i];
        if (t->view_sql || t->sequence || t->temp) continue;
        if (!acl_can(g->ctx, t, ACL_SELECT)) continue;   /* values of its rows: only to its readers */
        TableStats ts;
        int rc = sql_table_stats(g->ctx, t, false, &ts);
        if (rc) return rc;
        if (!ts.valid) continue;
        for (int k = 0; k < ts.ncols; k++) {
            const ColumnInfo *c = NULL;
            for (int j = 0; j < t->ncols; j++) if (t->cols[j].id == ts.colid[k]) c = &t->cols[j];
            if (!c || c->dropped || strcmp(c->name, ROWID_COL) == 0) continue;
            if (gen_row(g)) return DD_ENOMEM;
            P_NAME(g, cat_ns_name(t)); P_NAME(g, name_base(t->name)); P_NAME(g, c->name); P_BOOL(g, false);
            P_FLOAT(g, ts.null_frac[k]); P_NULL(g);
            double nd = ts.ndistinct[k];
            P_FLOAT(g, ts.rows > 0 && nd > 0.1 * ts.rows ? -(nd / ts.rows > 1 ? 1 : nd / ts.rows) : nd);
            P_NULL(g); P_NULL(g);
            if (ts.nbounds[k] > 0) {
                ArrayVal a;
                array_init(&a, TYPE_TEXT);
                Value out = val_null(type_array_of(TYPE_TEXT));
                TypeId ct = col_type(c);
                if (array_set_1d(&a, g->ctx->stmt, (u32)ts.nbounds[k])) return DD_ENOMEM;
                for (int b = 0; b < ts.nbounds[k]; b++) {
                    double d = ts.bounds[k][b];
                    Value v = type_is_int(ct) || ct == TYPE_DATE || ct == TYPE_TIMESTAMP || ct == TYPE_TIMESTAMPTZ
                                  ? val_int(ct, (i64)d) : val_float(TYPE_FLOAT8, d);
                    Buf tb;
                    buf_init(&tb);
                    val_to_text(&v, &g->ctx->vctx, &tb);
                    a.items[b] = bufval(g, &tb);
                }
                if (array_to_value(&a, g->ctx->stmt, &out, g->ctx->err)) return DD_ENOMEM;
                put(g, out);
            } else {
                P_NULL(g);
            }
            P_NULL(g); P_NULL(g); P_NULL(g); P_NULL(g);
        }
    }
    return DD_OK;
}

/* pg_get_keywords() in FROM: DriftDB's keywords and their categories (its
 * grammar's, which are PostgreSQL's for the words it knows).  Whether a
 * keyword may be a bare column label is not kept: NULL. */
#define COLS_KEYWORDS "word:t catcode:c barelabel:b catdesc:t baredesc:t"
static int gen_keywords(Gen *g)
{
    static const struct { KwCategory cat; char code; const char *desc; } cats[] = {
        {KWC_UNRESERVED, 'U', "unreserved"}, {KWC_COL_NAME, 'C', "unreserved (cannot be function or type name)"},
        {KWC_TYPE_FUNC, 'T', "reserved (can be function or type name)"}, {KWC_RESERVED, 'R', "reserved"},
    };
    for (int kw = 1; kw < KW__COUNT; kw++) {
        KwCategory c = lex_keyword_category(kw);
        for (size_t i = 0; i < DD_ARRAY_LEN(cats); i++) {
            if (cats[i].cat != c) continue;
            if (gen_row(g)) return DD_ENOMEM;
            P_TEXT(g, lex_keyword_text(kw)); P_CHAR(g, cats[i].code); P_NULL(g); P_TEXT(g, cats[i].desc); P_NULL(g);
        }
    }
    return DD_OK;
}

/* drift_tables: the cost of history, per table of the present. */
#define COLS_DRIFT_TABLES                                                                                   \
    "schema_name:n table_name:n live_rows:8 versions:8 live_bytes:8 history_bytes:8 index_bytes:8 "        \
    "oldest_version_seq:8 created_seq:8 history_retention:i"
static int gen_drift_tables(Gen *g)
{
    for (int i = 0; i < g->cv->nrels; i++) {
        const TableInfo *t = g->cv->rels[i];
        if (t->view_sql || t->sequence || t->temp) continue;
        StoreTableSize sz;
        int rc = store_table_size(g->ctx->snap, t, &sz, g->ctx->err);
        if (rc) return rc;
        if (gen_row(g)) return DD_ENOMEM;
        P_NAME(g, cat_ns_name(t)); P_NAME(g, name_base(t->name)); P_INT(g, sz.live_rows); P_INT(g, sz.versions);
        P_INT(g, sz.live_bytes); P_INT(g, sz.version_bytes); P_INT(g, sz.index_bytes);
        if (sz.oldest_seq) P_INT(g, (i64)sz.oldest_seq); else P_NULL(g);
        P_INT(g, (i64)t->created_seq);
        if (t->retention_us > 0) put(g, retention_interval(t));
        else P_NULL(g);
    }
    return DD_OK;
}

/* drift_checkpoints: every checkpoint (CHECKPOINT TABLE), also those of
 * dropped tables (their past stays readable), named as the table was at
 * the checkpoint's seq. */
#define COLS_DRIFT_CHECKPOINTS "schema_name:n table_name:n table_dropped:b seq:8 rows:8 bytes:8"
static int checkpoint_row(void *arg, u32 table, u64 seq, u64 rows, u64 bytes)
{
    Gen *g = arg;
    const TableInfo *t = store_table_version(g->ctx->snap, table, seq);
    const TableInfo *now = store_table_version(g->ctx->snap, table, UINT64_MAX);
    if (!t || t->temp) return 0;
    if (gen_row(g)) return DD_ENOMEM;
    P_NAME(g, cat_ns_name(t)); P_NAME(g, name_base(t->name)); P_BOOL(g, !now || now->dropped);
    P_INT(g, (i64)seq); P_INT(g, (i64)rows); P_INT(g, (i64)bytes);
    return 0;
}
static int gen_drift_checkpoints(Gen *g)
{
    return store_checkpoints(g->ctx->snap, checkpoint_row, g, g->ctx->err);
}

/* The relations PostgreSQL has that are always empty here. */
/* pg_locks: DriftDB takes no locks (snapshots, and a commit validates
 * what it writes), so there are none to list */
#define COLS_LOCKS                                                                                          \
    "locktype:t database:o relation:o page:4 tuple:2 virtualxid:t transactionid:o classid:o objid:o "     \
    "objsubid:2 virtualtransaction:t pid:4 mode:t granted:b fastpath:b waitstart:z"
#define COLS_INHERITS "inhrelid:o inhparent:o inhseqno:4 inhdetachpending:b"
#define COLS_POLICY "oid:o polname:n polrelid:o polcmd:c polpermissive:b polroles:O polqual:t polwithcheck:t"
#define COLS_STATISTIC_EXT                                                                                  \
    "oid:o stxrelid:o stxname:n stxnamespace:o stxowner:o stxstattarget:4 stxkeys:S stxkind:C stxexprs:t"
#define COLS_PUBLICATION                                                                                    \
    "oid:o pubname:n pubowner:o puballtables:b pubinsert:b pubupdate:b pubdelete:b pubtruncate:b pubviaroot:b"
#define COLS_PUBLICATION_NAMESPACE "oid:o pnpubid:o pnnspid:o"
#define COLS_PUBLICATION_REL "oid:o prpubid:o prrelid:o prqual:t prattrs:S"
#define COLS_TRIGGER                                                                                        \
    "oid:o tgrelid:o tgparentid:o tgname:n tgfoid:o tgtype:2 tgenabled:c tgisinternal:b tgconstrrelid:o " \
    "tgconstrindid:o tgconstraint:o tgdeferrable:b tginitdeferred:b tgnargs:2 tgattr:S tgargs:y tgqual:t " \
    "tgoldtable:n tgnewtable:n"
#define COLS_REWRITE "oid:o rulename:n ev_class:o ev_type:c ev_enabled:c is_instead:b ev_qual:t ev_action:t"
/* pg_rewrite: each view's _RETURN rule (what pg_dump orders views by) */
static int gen_rewrite(Gen *g)
{
    for (int i = 0; i < g->cv->nrels; i++) {
        const TableInfo *t = g->cv->rels[i];
        if (!t->view_sql) continue;
        if (gen_row(g)) return DD_ENOMEM;
        P_OID(g, OID_RULE_BASE + t->id); P_NAME(g, "_RETURN"); P_OID(g, cat_object_oid(t)); P_CHAR(g, '1');
        P_CHAR(g, 'O'); P_BOOL(g, true); P_NULL(g); P_TEXT(g, t->view_sql);
    }
    return DD_OK;
}
#define COLS_EXTENSION                                                                                      \
    "oid:o extname:n extowner:o extnamespace:o extrelocatable:b extversion:t extconfig:O extcondition:T"
#define COLS_AUTH_MEMBERS "roleid:o member:o grantor:o admin_option:b"
#define COLS_SHDESCRIPTION "objoid:o classoid:o description:t"
#define COLS_RANGE "rngtypid:o rngsubtype:o rngmultitypid:o rngcollation:o rngsubopc:o rngcanonical:r rngsubdiff:r"
#define COLS_PROC                                                                                             \
    "oid:o proname:n pronamespace:o proowner:o prolang:o procost:f prorows:f provariadic:o prosupport:r "    \
    "prokind:c prosecdef:b proleakproof:b proisstrict:b proretset:b provolatile:c proparallel:c pronargs:2 " \
    "pronargdefaults:2 prorettype:o proargtypes:W proallargtypes:O proargmodes:C proargnames:T "             \
    "proargdefaults:t protrftypes:O prosrc:t probin:t prosqlbody:t proconfig:T proacl:T"
#define COLS_OPERATOR                                                                                       \
    "oid:o oprname:n oprnamespace:o oprowner:o oprkind:c oprcanmerge:b oprcanhash:b oprleft:o oprright:o " \
    "oprresult:o oprcom:o oprnegate:o oprcode:r oprrest:r oprjoin:r"
#define COLS_LANGUAGE                                                                                      \
    "oid:o lanname:n lanowner:o lanispl:b lanpltrusted:b lanplcallfoid:o laninline:o lanvalidator:o lanacl:T"
static int gen_none(Gen *g) { DD_UNUSED(g); return DD_OK; }
#define FUNC_MAX_ITEMS 100   /* PostgreSQL's FUNC_MAX_ARGS */

/* pg_init_privs: the privileges the database was made with (public's) */
static int gen_init_privs(Gen *g)
{
    if (!sql_schema_exists(g->ctx, "public")) return DD_OK;
    if (gen_row(g)) return DD_ENOMEM;
    P_OID(g, OID_NS_PUBLIC); P_OID(g, OID_PG_NAMESPACE); P_INT(g, 0); P_CHAR(g, 'i'); put_text_array(g, public_acl, 2);
    return DD_OK;
}

/* A text[] of the items of list joined by commas ("" items kept), or NULL. */
static void put_list(Gen *g, const char *list)
{
    if (!list) { P_NULL(g); return; }
    const char *items[FUNC_MAX_ITEMS];
    char *copy = arena_alloc(g->ctx->stmt, strlen(list) + 1);
    if (!copy) { g->oom = true; P_NULL(g); return; }
    strcpy(copy, list);
    int n = 0;
    for (char *p = copy;;) {
        char *comma = strchr(p, ',');
        if (n < FUNC_MAX_ITEMS) items[n++] = p;
        if (!comma) break;
        *comma = 0;
        p = comma + 1;
    }
    put_text_array(g, items, n);
}

/* pg_proc: PostgreSQL 15's rows of the functions DriftDB has (pgcat.h):
 * the types' I/O functions, the built-in functions it accepts and the
 * support functions those rows and pg_operator's name. */
static int gen_proc(Gen *g)
{
    int n = cat_nprocs();
    for (int i = 0; i < n; i++) {
        const CatProcRow *p = cat_proc_at(i);
        if (gen_row(g)) return DD_ENOMEM;
        i64 args[FUNC_MAX_ITEMS], all[FUNC_MAX_ITEMS], modes[FUNC_MAX_ITEMS];
        int na = DD_MIN(p->nargs, FUNC_MAX_ITEMS), nall = DD_MIN(p->nallargs, FUNC_MAX_ITEMS);
        for (int k = 0; k < na; k++) args[k] = p->args[k];
        for (int k = 0; k < nall; k++) all[k] = p->allargs[k];
        int nm = p->argmodes ? (int)DD_MIN(strlen(p->argmodes), FUNC_MAX_ITEMS) : 0;
        for (int k = 0; k < nm; k++) modes[k] = (u8)p->argmodes[k];
        P_OID(g, p->oid); P_NAME(g, p->name); P_OID(g, OID_NS_PG_CATALOG); P_OID(g, OID_ROLE_OWNER); P_OID(g, p->lang);
        P_FLOAT(g, p->cost); P_FLOAT(g, p->rows); P_OID(g, p->variadic); put(g, val_int(TYPE_REGPROC, p->support));
        P_CHAR(g, p->kind); P_BOOL(g, p->flags & PROC_SECDEF); P_BOOL(g, p->flags & PROC_LEAKPROOF);
        P_BOOL(g, p->flags & PROC_STRICT); P_BOOL(g, p->flags & PROC_RETSET); P_CHAR(g, p->volatility);
        P_CHAR(g, p->parallel); P_INT(g, p->nargs); P_INT(g, p->nargdefaults); P_OID(g, p->rettype);
        P_IARR(g, TYPE_OID, args, na, true);
        if (p->allargs) P_IARR(g, TYPE_OID, all, nall, false); else P_NULL(g);
        if (p->argmodes) P_IARR(g, TYPE_CHAR, modes, nm, false); else P_NULL(g);
        put_list(g, p->argnames);
        if (p->argdefaults) P_TEXT(g, p->argdefaults); else P_NULL(g);
        P_NULL(g); P_TEXT(g, p->src); P_NULL(g);
        if (p->sqlbody) P_TEXT(g, p->sqlbody); else P_NULL(g);
        P_NULL(g); put_list(g, p->acl);
    }
    return DD_OK;
}

/* pg_operator: PostgreSQL 15's rows of the operators DriftDB accepts. */
static int gen_operator(Gen *g)
{
    for (int i = 0; i < ncat_oper_rows; i++) {
        const CatOperRow *o = &cat_oper_rows[i];
        if (gen_row(g)) return DD_ENOMEM;
        P_OID(g, o->oid); P_NAME(g, o->name); P_OID(g, OID_NS_PG_CATALOG); P_OID(g, OID_ROLE_OWNER);
        P_CHAR(g, o->kind); P_BOOL(g, o->canmerge); P_BOOL(g, o->canhash); P_OID(g, o->left); P_OID(g, o->right);
        P_OID(g, o->result); P_OID(g, o->com); P_OID(g, o->negate); put(g, val_int(TYPE_REGPROC, o->code));
        put(g, val_int(TYPE_REGPROC, o->rest)); put(g, val_int(TYPE_REGPROC, o->join));
    }
    return DD_OK;
}

/* ---------------------------------------------------------------- information_schema */

static int sysrel_cols(SqlCtx *ctx, const SysRel *r, const char ***names, TypeId **types, int *n);

/*
 * information_schema's views, as PostgreSQL 15 defines them
 * (information_schema.sql) for a superuser who owns everything, computed
 * from the same CatView as pg_catalog's relations.  Their column types are
 * PostgreSQL's domains' bases: sql_identifier name (n), character_data and
 * yes_or_no varchar (v), cardinal_number int4 (4), time_stamp timestamptz
 * (z).  Where DriftDB keeps less than PostgreSQL (the columns a CHECK
 * reads, view updatability) docs/catalogs.md says what is shown.
 */

static const char *is_db(Gen *g) { return g->ctx->database ? g->ctx->database : "driftdb"; }
static void P_YN(Gen *g, bool b) { P_TEXT(g, b ? "YES" : "NO"); }
/* A Buf's text (not NUL-terminated) as a value; frees b. */
static Value is_bufval(Gen *g, Buf *b)
{
    Value v = val_null(TYPE_TEXT);
    if (buf_ok(b)) {
        char *c = arena_strndup(g->ctx->stmt, b->len ? (const char *)b->data : "", b->len);
        if (c) v = val_text(TYPE_TEXT, c, (u32)b->len);
    }
    buf_free(b);
    return v;
}
/* format_type(oid, NULL) of a built-in type */
static void P_TYPENAME(Gen *g, TypeId t)
{
    if (t == TYPE_BPCHAR) {
        P_TEXT(g, "character");
        return;
    }
    Buf b;
    buf_init(&b);
    cat_format_type(g->cv, type_oid(t), -1, false, &b);
    put(g, is_bufval(g, &b));
}
static void P_CARD(Gen *g, i64 v) { if (v < 0) P_NULL(g); else P_INT(g, v); }
static void P_I64TXT(Gen *g, i64 v)
{
    char s[32];
    snprintf(s, sizeof s, "%lld", (long long)v);
    P_TEXT(g, s);
}

/* The name PostgreSQL lists a NOT NULL column's constraint by:
 * "<namespace oid>_<relation oid>_<attnum>_not_null". */
static void notnull_name(const CatView *cv, const TableInfo *t, int attnum, char *out, size_t n)
{
    snprintf(out, n, "%u_%u_%d_not_null", cat_ns_oid(cv, t), cat_object_oid(t), attnum);
}

static bool col_notnull(const CatView *cv, const TableInfo *t, const ColumnInfo *c)
{
    if (c->not_null || is_pk_col(t, c->id)) return true;
    if (c->domain && !(c->domain & DOMAIN_ARRAY)) {
        bool arr;
        const TableInfo *d = cat_type_by_oid(cv, OID_OBJECT_BASE + c->domain, &arr);
        return d && d->utype && d->utype->not_null;
    }
    return false;
}

/* A column as the columns view lists it. */
typedef struct IsCol {
    const char *name;
    TypeId type;                /* the type (a domain's: its base's) */
    i32 tm;                     /* PostgreSQL's typmod of it */
    const TableInfo *udt;       /* an enum (or a domain's array): the type udt_name names */
    const TableInfo *domain;    /* a domain column: the domain */
} IsCol;

/* The information_schema._pg_* functions of a built-in type and typmod. */
static i64 is_char_max_length(TypeId t, i32 tm)
{
    return tm >= 0 && (t == TYPE_VARCHAR || t == TYPE_BPCHAR) ? tm - 4 : -1;
}
static i64 is_char_octet_length(TypeId t, i32 tm)
{
    if (t != TYPE_TEXT && t != TYPE_VARCHAR && t != TYPE_BPCHAR) return -1;
    return tm < 0 ? 1073741824 : (tm - 4) * 4;   /* UTF8: at most 4 bytes a character */
}
static i64 is_numeric_precision(TypeId t, i32 tm)
{
    switch (t) {
    case TYPE_INT2: return 16;
    case TYPE_INT4: return 32;
    case TYPE_INT8: return 64;
    case TYPE_NUMERIC: return tm < 0 ? -1 : ((tm - 4) >> 16) & 65535;
    case TYPE_FLOAT4: return 24;
    case TYPE_FLOAT8: return 53;
    default: return -1;
    }
}
static i64 is_numeric_radix(TypeId t)
{
    if (t == TYPE_INT2 || t == TYPE_INT4 || t == TYPE_INT8 || t == TYPE_FLOAT4 || t == TYPE_FLOAT8) return 2;
    return t == TYPE_NUMERIC ? 10 : -1;
}
static i64 is_numeric_scale(TypeId t, i32 tm)
{
    if (t == TYPE_INT2 || t == TYPE_INT4 || t == TYPE_INT8) return 0;
    if (t == TYPE_NUMERIC) return tm < 0 ? -1 : (tm - 4) & 65535;
    return -1;
}
static i64 is_datetime_precision(TypeId t, i32 tm)
{
    if (t == TYPE_DATE) return 0;
    if (t == TYPE_TIME || t == TYPE_TIMETZ || t == TYPE_TIMESTAMP || t == TYPE_TIMESTAMPTZ) return tm < 0 ? 6 : tm;
    if (t == TYPE_INTERVAL) return tm < 0 || (tm & 65535) == 65535 ? 6 : tm & 65535;
    return -1;
}

static void is_col_of(const CatView *cv, const ColumnInfo *c, IsCol *ic)
{
    memset(ic, 0, sizeof *ic);
    ic->name = c->name;
    ic->type = col_type(c);
    ic->tm = cat_pg_typmod(ic->type, c->typmod);
    bool arr;
    if (c->domain) {
        const TableInfo *d = cat_type_by_oid(cv, OID_OBJECT_BASE + (c->domain & ~DOMAIN_ARRAY), &arr);
        if (c->domain & DOMAIN_ARRAY) ic->udt = d;
        else ic->domain = d;
    }
    TypeId e = type_is_array(ic->type) ? type_elem(ic->type) : ic->type;
    if (!ic->udt && e == TYPE_ENUM && c->typmod >= 0) ic->udt = cat_type_by_oid(cv, OID_OBJECT_BASE + (u32)c->typmod, &arr);
}

static int is_column_row(Gen *g, const TableInfo *t, const char *schema, const char *table, int attnum,
                         const IsCol *ic, bool notnull, const ColumnInfo *c, const TableInfo *identity_seq,
                         bool updatable)
{
    const CatView *cv = g->cv;
    TypeId ty = ic->type;
    bool array = type_is_array(ty);
    if (gen_row(g)) return DD_ENOMEM;
    P_NAME(g, is_db(g)); P_NAME(g, schema); P_NAME(g, table); P_NAME(g, ic->name); P_INT(g, attnum);
    /* column_default (an identity's nextval is not one) */
    if (c && c->default_sql && !c->gen_sql && !c->identity) {
        Buf b;
        buf_init(&b);
        cat_expr_text(cv, c->default_sql, cat_object_oid(t), false, &b);
        put(g, is_bufval(g, &b));
    } else {
        P_NULL(g);
    }
    P_YN(g, !notnull);
    /* data_type */
    if (array) {
        P_TEXT(g, "ARRAY");
    } else if (ty == TYPE_ENUM) {
        P_TEXT(g, "USER-DEFINED");
    } else {
        P_TYPENAME(g, ty);
    }
    /* the _pg_ functions give an array type NULLs */
    P_CARD(g, array ? -1 : is_char_max_length(ty, ic->tm)); P_CARD(g, array ? -1 : is_char_octet_length(ty, ic->tm));
    P_CARD(g, array ? -1 : is_numeric_precision(ty, ic->tm)); P_CARD(g, array ? -1 : is_numeric_radix(ty));
    P_CARD(g, array ? -1 : is_numeric_scale(ty, ic->tm)); P_CARD(g, array ? -1 : is_datetime_precision(ty, ic->tm));
    /* interval_type: what format_type prints after "interval[(p)] " */
    if (!array && ty == TYPE_INTERVAL && ic->tm >= 0) {
        Buf b;
        buf_init(&b);
        cat_format_type(cv, type_oid(ty), ic->tm, true, &b);
        buf_putc(&b, 0);
        const char *p = buf_ok(&b) && b.len > 8 ? (const char *)b.data + 8 : "";
        while (*p && (strchr("()0123456789", *p))) p++;
        if (*p == ' ') {
            char up[64];
            size_t k = 0;
            for (p++; *p && k + 1 < sizeof up; p++) up[k++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
            up[k] = 0;
            P_TEXT(g, up);
        } else {
            P_NULL(g);
        }
        buf_free(&b);
    } else {
        P_NULL(g);
    }
    P_NULL(g);                                           /* interval_precision */
    for (int i = 0; i < 6; i++) P_NULL(g);               /* character set, collation */
    if (ic->domain) {
        P_NAME(g, is_db(g)); P_NAME(g, cat_ns_name(ic->domain)); P_NAME(g, name_base(ic->domain->name));
    } else {
        P_NULL(g); P_NULL(g); P_NULL(g);
    }
    /* udt_*: the type, a domain's base */
    P_NAME(g, is_db(g));
    const TableInfo *u = ic->udt;
    if (u) {
        char an[CAT_MAX_NAME + 2];
        snprintf(an, sizeof an, "%s%s", array ? "_" : "", name_base(u->name));
        P_NAME(g, cat_ns_name(u)); P_NAME(g, an);
    } else {
        TypeId e = array ? type_elem(ty) : ty;
        char an[CAT_MAX_NAME + 2];
        snprintf(an, sizeof an, "%s%s", array ? "_" : "", typname_of[e] ? typname_of[e] : "text");
        P_NAME(g, "pg_catalog"); P_NAME(g, an);
    }
    P_NULL(g); P_NULL(g); P_NULL(g); P_NULL(g);          /* scope_*, maximum_cardinality */
    char dtd[16];
    snprintf(dtd, sizeof dtd, "%d", attnum);
    P_NAME(g, dtd); P_YN(g, false);
    char ident = c ? c->identity : 0;
    const SeqInfo *q = identity_seq ? identity_seq->sequence : NULL;
    P_YN(g, ident != 0);
    P_TEXT(g, ident == 'a' ? "ALWAYS" : ident == 'd' ? "BY DEFAULT" : NULL);
    if (ident && q) {
        P_I64TXT(g, q->start); P_I64TXT(g, q->inc); P_I64TXT(g, q->max); P_I64TXT(g, q->min);
    } else {
        P_NULL(g); P_NULL(g); P_NULL(g); P_NULL(g);
    }
    P_YN(g, ident && q && q->cycle);
    P_TEXT(g, c && c->gen_sql ? "ALWAYS" : "NEVER");
    if (c && c->gen_sql) {
        Buf b;
        buf_init(&b);
        cat_expr_text(cv, c->gen_sql, cat_object_oid(t), false, &b);
        put(g, is_bufval(g, &b));
    } else {
        P_NULL(g);
    }
    P_YN(g, updatable);
    return DD_OK;
}

/* The sequence that column col of t owns (SERIAL, identity), or NULL. */
static const TableInfo *owned_seq(const CatView *cv, const TableInfo *t, u32 col)
{
    for (int i = 0; i < cv->nrels; i++) {
        const SeqInfo *q = cv->rels[i]->sequence;
        if (q && q->owner_table == t->id && q->owner_col == col) return cv->rels[i];
    }
    return NULL;
}
static bool identity_seq(const CatView *cv, const TableInfo *s)
{
    const SeqInfo *q = s->sequence;
    if (!q || !q->owner_table) return false;
    const TableInfo *o = cat_rel_by_id(cv, q->owner_table);
    if (!o) return false;
    for (int k = 0; k < o->ncols; k++)
        if (o->cols[k].id == q->owner_col) return o->cols[k].identity != 0;
    return false;
}

/* A system relation is a base table when PostgreSQL's is (pg_class ...),
 * a view otherwise (pg_tables, information_schema's). */
static bool sysrel_is_view(const SysRelName *s)
{
    return strcmp(s->schema, "information_schema") == 0 || s->oid >= 12000;
}

#define COLS_IS_TABLES                                                                                       \
    "table_catalog:n table_schema:n table_name:n table_type:v self_referencing_column_name:n "              \
    "reference_generation:v user_defined_type_catalog:n user_defined_type_schema:n user_defined_type_name:n " \
    "is_insertable_into:v is_typed:v commit_action:v"
static void is_table_row(Gen *g, const char *schema, const char *name, const char *type, bool insertable)
{
    P_NAME(g, is_db(g)); P_NAME(g, schema); P_NAME(g, name); P_TEXT(g, type);
    for (int i = 0; i < 5; i++) P_NULL(g);
    P_YN(g, insertable); P_YN(g, false); P_NULL(g);   /* commit_action: NULL in PostgreSQL 15, temp or not */
}
static int gen_is_tables(Gen *g)
{
    for (int i = 0; i < g->cv->nrels; i++) {
        const TableInfo *t = g->cv->rels[i];
        if (t->sequence) continue;
        if (gen_row(g)) return DD_ENOMEM;
        /* views are not updatable in DriftDB */
        is_table_row(g, cat_ns_name(t), name_base(t->name),
                     t->temp ? "LOCAL TEMPORARY" : t->view_sql ? "VIEW" : "BASE TABLE", !t->view_sql);
    }
    for (int i = 0; i < nsys_rel_names; i++) {
        const SysRelName *s = &sys_rel_names[i];
        if (!sysrel_find(s->schema, s->name)) continue;
        if (gen_row(g)) return DD_ENOMEM;
        is_table_row(g, s->schema, s->name, sysrel_is_view(s) ? "VIEW" : "BASE TABLE", !sysrel_is_view(s));
    }
    return DD_OK;
}

#define COLS_IS_COLUMNS                                                                                          \
    "table_catalog:n table_schema:n table_name:n column_name:n ordinal_position:4 column_default:v "            \
    "is_nullable:v data_type:v character_maximum_length:4 character_octet_length:4 numeric_precision:4 "       \
    "numeric_precision_radix:4 numeric_scale:4 datetime_precision:4 interval_type:v interval_precision:4 "     \
    "character_set_catalog:n character_set_schema:n character_set_name:n collation_catalog:n "                \
    "collation_schema:n collation_name:n domain_catalog:n domain_schema:n domain_name:n udt_catalog:n "        \
    "udt_schema:n udt_name:n scope_catalog:n scope_schema:n scope_name:n maximum_cardinality:4 "              \
    "dtd_identifier:n is_self_referencing:v is_identity:v identity_generation:v identity_start:v "            \
    "identity_increment:v identity_maximum:v identity_minimum:v identity_cycle:v is_generated:v "             \
    "generation_expression:v is_updatable:v"
static int gen_is_columns(Gen *g)
{
    const CatView *cv = g->cv;
    for (int i = 0; i < cv->nrels; i++) {
        const TableInfo *t = cv->rels[i];
        if (t->sequence) continue;
        char schema[CAT_MAX_NAME + 1];
        snprintf(schema, sizeof schema, "%s", cat_ns_name(t));
        int attnum = 0;
        for (int k = 0; k < t->ncols; k++) {
            const ColumnInfo *c = &t->cols[k];
            if (strcmp(c->name, ROWID_COL) == 0) continue;
            attnum++;
            if (c->pending || c->dropped) continue;
            IsCol ic;
            is_col_of(cv, c, &ic);
            const TableInfo *seq = c->identity ? owned_seq(cv, t, c->id) : NULL;
            int rc = is_column_row(g, t, schema, name_base(t->name), attnum, &ic, col_notnull(cv, t, c), c, seq,
                                   !t->view_sql);
            if (rc) return rc;
        }
    }
    for (int i = 0; i < nsys_rel_names; i++) {
        const SysRel *r = sysrel_find(sys_rel_names[i].schema, sys_rel_names[i].name);
        if (!r) continue;
        const char **names;
        TypeId *types;
        int n;
        if (sysrel_cols(g->ctx, r, &names, &types, &n)) return DD_ENOMEM;
        for (int k = 0; k < n; k++) {
            IsCol ic = {.name = names[k], .type = types[k], .tm = -1};
            int rc = is_column_row(g, NULL, sys_rel_names[i].schema, sys_rel_names[i].name, k + 1, &ic, false, NULL, NULL,
                                   !sysrel_is_view(&sys_rel_names[i]));
            if (rc) return rc;
        }
    }
    return DD_OK;
}

#define COLS_IS_VIEWS                                                                                    \
    "table_catalog:n table_schema:n table_name:n view_definition:v check_option:v is_updatable:v "      \
    "is_insertable_into:v is_trigger_updatable:v is_trigger_deletable:v is_trigger_insertable_into:v"
static int gen_is_views(Gen *g)
{
    for (int i = 0; i < g->cv->nrels; i++) {
        const TableInfo *t = g->cv->rels[i];
        if (!t->view_sql) continue;
        if (gen_row(g)) return DD_ENOMEM;
        P_NAME(g, is_db(g)); P_NAME(g, cat_ns_name(t)); P_NAME(g, name_base(t->name)); put(g, viewdef(g, t));
        P_TEXT(g, "NONE");
        for (int k = 0; k < 5; k++) P_YN(g, false);
    }
    return DD_OK;
}

#define COLS_IS_SCHEMATA                                                                                      \
    "catalog_name:n schema_name:n schema_owner:n default_character_set_catalog:n "                           \
    "default_character_set_schema:n default_character_set_name:n sql_path:v"
static void schema_row(Gen *g, const char *name, const char *owner)
{
    P_NAME(g, is_db(g)); P_NAME(g, name); P_NAME(g, owner);
    for (int i = 0; i < 4; i++) P_NULL(g);
}
static int gen_is_schemata(Gen *g)
{
    static const char *const fixed[] = {"pg_toast", "pg_catalog", "public", "information_schema"};
    for (size_t i = 0; i < DD_ARRAY_LEN(fixed); i++) {
        bool pub = strcmp(fixed[i], "public") == 0;
        if (pub && !sql_schema_exists(g->ctx, "public")) continue;
        if (gen_row(g)) return DD_ENOMEM;
        schema_row(g, fixed[i], pub ? "pg_database_owner" : owner_name(g->ctx));
    }
    bool temp = false;
    for (int i = 0; i < g->cv->nrels; i++) temp |= g->cv->rels[i]->temp;
    if (temp) {
        if (gen_row(g)) return DD_ENOMEM;
        schema_row(g, "pg_temp_1", owner_name(g->ctx));
    }
    for (int i = 0; i < g->cv->nschemas; i++) {
        const TableInfo *s = g->cv->schemas[i];
        if (s->utype->kind != 's') continue;
        if (gen_row(g)) return DD_ENOMEM;
        schema_row(g, s->name, obj_owner_name(g->ctx, s));
    }
    return DD_OK;
}

/* The constraints of table t, in the order pg_constraint lists them,
 * then its NOT NULL columns, which PostgreSQL 15 shows as CHECKs. */
typedef struct IsCon {
    char name[2 * CAT_MAX_NAME + 16];
    char type;                  /* 'p', 'u', 'c', 'f', 'n' (NOT NULL) */
    u32 oid;
    int ncols;
    const u32 *cols;            /* column ids ('p', 'u', 'f') */
    const IndexInfo *ix;        /* 'u' (or a 'p' made by ALTER TABLE ADD PRIMARY KEY) */
    const ForeignKeyInfo *fk;   /* 'f' */
    const CheckInfo *check;     /* 'c' */
    const ColumnInfo *col;      /* 'n' */
    int attnum;                 /* 'n' */
} IsCon;

/* Calls fn for each constraint of each table; stops at an error. */
typedef int (*IsConFn)(Gen *g, const TableInfo *t, const IsCon *k);
static int each_con(Gen *g, bool notnull, IsConFn fn)
{
    const CatView *cv = g->cv;
    for (int i = 0; i < cv->nrels; i++) {
        const TableInfo *t = cv->rels[i];
        if (t->view_sql || t->sequence) continue;
        IsCon k;
        int rc;
        if (has_pk(t)) {
            memset(&k, 0, sizeof k);
            snprintf(k.name, sizeof k.name, "%s_pkey", name_base(t->name));
            k.type = 'p'; k.oid = pk_con_oid(t); k.ncols = t->npk; k.cols = t->pk;
            if ((rc = fn(g, t, &k))) return rc;
        }
        for (int x = 0; x < t->nindexes; x++) {
            const IndexInfo *ix = &t->indexes[x];
            if (!ix->constraint) continue;
            memset(&k, 0, sizeof k);
            snprintf(k.name, sizeof k.name, "%s", name_base(ix->name));
            k.type = ix->primary ? 'p' : 'u'; k.oid = OID_KEYCON_BASE + ix->id; k.ncols = ix->ncols;
            k.cols = ix->cols; k.ix = ix;
            if ((rc = fn(g, t, &k))) return rc;
        }
        for (int c = 0; c < t->nchecks; c++) {
            memset(&k, 0, sizeof k);
            snprintf(k.name, sizeof k.name, "%s", t->checks[c].name);
            k.type = 'c'; k.oid = cat_con_oid(t->id, (u32)c); k.check = &t->checks[c];
            if ((rc = fn(g, t, &k))) return rc;
        }
        for (int f = 0; f < t->nfks; f++) {
            memset(&k, 0, sizeof k);
            snprintf(k.name, sizeof k.name, "%s", t->fks[f].name);
            k.type = 'f'; k.oid = cat_con_oid(t->id, OID_CON_FK + (u32)f); k.ncols = t->fks[f].ncols;
            k.cols = t->fks[f].cols; k.fk = &t->fks[f];
            if ((rc = fn(g, t, &k))) return rc;
        }
        if (!notnull) continue;
        int attnum = 0;
        for (int c = 0; c < t->ncols; c++) {
            const ColumnInfo *col = &t->cols[c];
            if (strcmp(col->name, ROWID_COL) == 0) continue;
            attnum++;
            if (col->pending || col->dropped || !(col->not_null || is_pk_col(t, col->id))) continue;
            memset(&k, 0, sizeof k);
            notnull_name(cv, t, attnum, k.name, sizeof k.name);
            k.type = 'n'; k.col = col; k.attnum = attnum;
            if ((rc = fn(g, t, &k))) return rc;
        }
    }
    return DD_OK;
}

static const ColumnInfo *col_by_id(const TableInfo *t, u32 id)
{
    for (int i = 0; i < t->ncols; i++) if (t->cols[i].id == id) return &t->cols[i];
    return NULL;
}

#define COLS_IS_TABLE_CONSTRAINTS                                                                             \
    "constraint_catalog:n constraint_schema:n constraint_name:n table_catalog:n table_schema:n table_name:n " \
    "constraint_type:v is_deferrable:v initially_deferred:v enforced:v nulls_distinct:v"
static int table_constraint_row(Gen *g, const TableInfo *t, const IsCon *k)
{
    if (gen_row(g)) return DD_ENOMEM;
    P_NAME(g, is_db(g)); P_NAME(g, cat_ns_name(t)); P_NAME(g, k->name); P_NAME(g, is_db(g)); P_NAME(g, cat_ns_name(t));
    P_NAME(g, name_base(t->name));
    P_TEXT(g, k->type == 'p' ? "PRIMARY KEY" : k->type == 'u' ? "UNIQUE" : k->type == 'f' ? "FOREIGN KEY" : "CHECK");
    P_YN(g, k->fk && k->fk->deferrable); P_YN(g, k->fk && k->fk->deferred); P_YN(g, true);
    if (k->type == 'u') P_YN(g, true); else P_NULL(g);
    return DD_OK;
}
static int gen_is_table_constraints(Gen *g) { return each_con(g, true, table_constraint_row); }

/* The unique key of the referenced table that foreign key fk's columns
 * match (PostgreSQL's conindid): *pk when it is the primary key, else the
 * unique index; false when none. */
static bool fk_unique(const TableInfo *rt, const ForeignKeyInfo *fk, bool *pk, const IndexInfo **ix)
{
    *pk = false;
    *ix = NULL;
    if (!rt) return false;
    if (has_pk(rt) && rt->npk == fk->ncols) {
        bool all = true;
        for (int k = 0; k < fk->ncols && all; k++) all = is_pk_col(rt, fk->ref_cols[k]);
        if (all) { *pk = true; return true; }
    }
    for (int x = 0; x < rt->nindexes; x++) {
        const IndexInfo *i = &rt->indexes[x];
        if (!i->unique || i->pred_sql || i->ncols != fk->ncols) continue;
        bool all = true;
        for (int k = 0; k < fk->ncols && all; k++) {
            bool in = false;
            for (int j = 0; j < i->ncols; j++) in |= i->cols[j] == fk->ref_cols[k];
            all = in;
        }
        if (all) { *ix = i; return true; }
    }
    return false;
}

#define COLS_IS_KEY_COLUMN_USAGE                                                                              \
    "constraint_catalog:n constraint_schema:n constraint_name:n table_catalog:n table_schema:n table_name:n " \
    "column_name:n ordinal_position:4 position_in_unique_constraint:4"
static int key_column_rows(Gen *g, const TableInfo *t, const IsCon *k)
{
    if (k->type != 'p' && k->type != 'u' && k->type != 'f') return DD_OK;
    const TableInfo *rt = NULL;
    bool pk = false;
    const IndexInfo *uix = NULL;
    if (k->fk) {
        rt = cat_rel_by_id(g->cv, k->fk->ref_table);
        fk_unique(rt, k->fk, &pk, &uix);
    }
    for (int n = 0; n < k->ncols; n++) {
        const ColumnInfo *c = col_by_id(t, k->cols[n]);
        if (!c || c->dropped) continue;
        if (gen_row(g)) return DD_ENOMEM;
        P_NAME(g, is_db(g)); P_NAME(g, cat_ns_name(t)); P_NAME(g, k->name); P_NAME(g, is_db(g));
        P_NAME(g, cat_ns_name(t)); P_NAME(g, name_base(t->name)); P_NAME(g, c->name); P_INT(g, n + 1);
        i64 pos = -1;
        for (int j = 0; pk && j < rt->npk; j++) if (rt->pk[j] == k->fk->ref_cols[n]) pos = j + 1;
        for (int j = 0; uix && j < uix->ncols; j++) if (uix->cols[j] == k->fk->ref_cols[n]) pos = j + 1;
        P_CARD(g, pos);
    }
    return DD_OK;
}
static int gen_is_key_column_usage(Gen *g) { return each_con(g, false, key_column_rows); }

#define COLS_IS_REFERENTIAL_CONSTRAINTS                                                                  \
    "constraint_catalog:n constraint_schema:n constraint_name:n unique_constraint_catalog:n "            \
    "unique_constraint_schema:n unique_constraint_name:n match_option:v update_rule:v delete_rule:v"
static const char *fk_rule(char a)
{
    switch (a) {
    case 'c': return "CASCADE";
    case 'n': return "SET NULL";
    case 'd': return "SET DEFAULT";
    case 'r': return "RESTRICT";
    default: return "NO ACTION";
    }
}
static int referential_row(Gen *g, const TableInfo *t, const IsCon *k)
{
    if (!k->fk) return DD_OK;
    const TableInfo *rt = cat_rel_by_id(g->cv, k->fk->ref_table);
    bool pk;
    const IndexInfo *uix;
    fk_unique(rt, k->fk, &pk, &uix);
    if (gen_row(g)) return DD_ENOMEM;
    P_NAME(g, is_db(g)); P_NAME(g, cat_ns_name(t)); P_NAME(g, k->name);
    /* a plain unique index (not a constraint) has no constraint name */
    if (pk || (uix && uix->constraint)) {
        char nm[CAT_MAX_NAME + 8];
        if (pk) snprintf(nm, sizeof nm, "%s_pkey", name_base(rt->name));
        else snprintf(nm, sizeof nm, "%s", name_base(uix->name));
        P_NAME(g, is_db(g)); P_NAME(g, cat_ns_name(rt)); P_NAME(g, nm);
    } else {
        P_NULL(g); P_NULL(g); P_NULL(g);
    }
    P_TEXT(g, k->fk->match_full ? "FULL" : "NONE"); P_TEXT(g, fk_rule(k->fk->on_update));
    P_TEXT(g, fk_rule(k->fk->on_delete));
    return DD_OK;
}
static int gen_is_referential_constraints(Gen *g) { return each_con(g, false, referential_row); }

/* The identifiers of the SQL text of an expression, one by one: from p,
 * the next (unquoted, folded to lower case, or quoted) into id, outside
 * string literals; *call when "(" follows it (a function).  Returns where
 * to go on from, NULL at the end.  DriftDB keeps a CHECK as text, not the
 * columns it reads (pg_depend's rows in PostgreSQL). */
static const char *next_ident(const char *p, char id[CAT_MAX_NAME + 1], bool *call)
{
    while (*p) {
        if (*p == '\'') {
            for (p++; *p; p++) {
                if (*p == '\'' && p[1] == '\'') p++;
                else if (*p == '\'') { p++; break; }
            }
            continue;
        }
        size_t n = 0;
        if (*p == '"') {
            for (p++; *p; p++) {
                if (*p == '"' && p[1] == '"') p++;
                else if (*p == '"') { p++; break; }
                if (n < CAT_MAX_NAME) id[n++] = *p;
            }
        } else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_') {
            for (; (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
                   *p == '$';
                 p++)
                if (n < CAT_MAX_NAME) id[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        } else {
            p++;
            continue;
        }
        id[n] = 0;
        const char *q = p;
        while (*q == ' ') q++;
        *call = *q == '(';
        return p;
    }
    return NULL;
}

/* Whether the SQL text of an expression names column name (an identifier
 * that is not a function's). */
static bool expr_names_col(const char *sql, const char *name)
{
    char id[CAT_MAX_NAME + 1];
    bool call;
    for (const char *p = sql; (p = next_ident(p, id, &call));)
        if (!call && strcmp(id, name) == 0) return true;
    return false;
}

/* conkey of a CHECK of t: the attnums of the columns its text names, in
 * the order they first appear (as PostgreSQL lists a check's Vars). */
static int check_conkey(const TableInfo *t, const char *sql, i64 *key, int max)
{
    char id[CAT_MAX_NAME + 1];
    bool call;
    int n = 0;
    for (const char *p = sql; (p = next_ident(p, id, &call)) && n < max;) {
        if (call) continue;
        for (int c = 0; c < t->ncols; c++) {
            const ColumnInfo *col = &t->cols[c];
            if (col->dropped || col->pending || strcmp(col->name, id) != 0 || strcmp(col->name, ROWID_COL) == 0)
                continue;
            i64 a = cat_attnum(t, col->id);
            bool seen = false;
            for (int k = 0; k < n; k++) seen |= key[k] == a;
            if (!seen && a > 0) key[n++] = a;
            break;
        }
    }
    return n;
}

#define COLS_IS_CONSTRAINT_COLUMN_USAGE                                                                        \
    "table_catalog:n table_schema:n table_name:n column_name:n constraint_catalog:n constraint_schema:n "     \
    "constraint_name:n"
static int ccu_row(Gen *g, const TableInfo *rt, const char *col, const TableInfo *t, const IsCon *k)
{
    if (gen_row(g)) return DD_ENOMEM;
    P_NAME(g, is_db(g)); P_NAME(g, cat_ns_name(rt)); P_NAME(g, name_base(rt->name)); P_NAME(g, col);
    P_NAME(g, is_db(g)); P_NAME(g, cat_ns_name(t)); P_NAME(g, k->name);
    return DD_OK;
}
static int constraint_column_rows(Gen *g, const TableInfo *t, const IsCon *k)
{
    int rc;
    if (k->check) {
        for (int c = 0; c < t->ncols; c++) {
            const ColumnInfo *col = &t->cols[c];
            if (col->dropped || col->pending || strcmp(col->name, ROWID_COL) == 0) continue;
            if (expr_names_col(k->check->expr_sql, col->name) && (rc = ccu_row(g, t, col->name, t, k))) return rc;
        }
        return DD_OK;
    }
    const TableInfo *rt = k->fk ? cat_rel_by_id(g->cv, k->fk->ref_table) : t;
    if (!rt) return DD_OK;
    for (int n = 0; n < k->ncols; n++) {
        const ColumnInfo *c = col_by_id(rt, k->fk ? k->fk->ref_cols[n] : k->cols[n]);
        if (c && !c->dropped && (rc = ccu_row(g, rt, c->name, t, k))) return rc;
    }
    return DD_OK;
}
static int gen_is_constraint_column_usage(Gen *g) { return each_con(g, false, constraint_column_rows); }

#define COLS_IS_CHECK_CONSTRAINTS "constraint_catalog:n constraint_schema:n constraint_name:n check_clause:v"
static int check_row(Gen *g, const TableInfo *t, const IsCon *k)
{
    if (k->type != 'c' && k->type != 'n') return DD_OK;
    Buf b;
    buf_init(&b);
    if (k->check) {
        /* pg_get_constraintdef's text after "CHECK ", as PostgreSQL's view */
        Buf d;
        buf_init(&d);
        cat_check_def(g->cv, t, k->check->expr_sql, false, &d);
        if (buf_ok(&d) && d.len > 6) buf_append(&b, d.data + 6, d.len - 6);
        buf_free(&d);
    } else {
        buf_printf(&b, "%s IS NOT NULL", k->col->name);
    }
    if (gen_row(g)) { buf_free(&b); return DD_ENOMEM; }
    P_NAME(g, is_db(g)); P_NAME(g, cat_ns_name(t)); P_NAME(g, k->name); put(g, is_bufval(g, &b));
    return DD_OK;
}
static int gen_is_check_constraints(Gen *g)
{
    int rc = each_con(g, true, check_row);
    if (rc) return rc;
    for (int i = 0; i < g->cv->ntypes; i++) {
        const TableInfo *u = g->cv->types[i];
        if (u->utype->kind != 'd') continue;
        for (int c = 0; c < u->utype->nchecks; c++) {
            Buf b;
            buf_init(&b);
            buf_printf(&b, "((%s))", u->utype->checks[c].expr_sql);
            if (gen_row(g)) { buf_free(&b); return DD_ENOMEM; }
            P_NAME(g, is_db(g)); P_NAME(g, cat_ns_name(u)); P_NAME(g, u->utype->checks[c].name); put(g, is_bufval(g, &b));
        }
    }
    return DD_OK;
}

#define COLS_IS_SEQUENCES                                                                                  \
    "sequence_catalog:n sequence_schema:n sequence_name:n data_type:v numeric_precision:4 "               \
    "numeric_precision_radix:4 numeric_scale:4 start_value:v minimum_value:v maximum_value:v increment:v " \
    "cycle_option:v"
static int gen_is_sequences(Gen *g)
{
    for (int i = 0; i < g->cv->nrels; i++) {
        const TableInfo *t = g->cv->rels[i];
        const SeqInfo *q = t->sequence;
        if (!q || identity_seq(g->cv, t)) continue;   /* an identity's sequence is the column's */
        if (gen_row(g)) return DD_ENOMEM;
        P_NAME(g, is_db(g)); P_NAME(g, cat_ns_name(t)); P_NAME(g, name_base(t->name));
        P_TYPENAME(g, (TypeId)q->type);
        P_CARD(g, is_numeric_precision((TypeId)q->type, -1)); P_INT(g, 2); P_INT(g, 0);
        P_I64TXT(g, q->start); P_I64TXT(g, q->min); P_I64TXT(g, q->max); P_I64TXT(g, q->inc); P_YN(g, q->cycle);
    }
    return DD_OK;
}

#define COLS_IS_CHARACTER_SETS                                                                          \
    "character_set_catalog:n character_set_schema:n character_set_name:n character_repertoire:n "       \
    "form_of_use:n default_collate_catalog:n default_collate_schema:n default_collate_name:n"
static int gen_is_character_sets(Gen *g)
{
    /* the database's collation (C) and ctype (C.UTF-8) are no one collation's */
    if (gen_row(g)) return DD_ENOMEM;
    P_NULL(g); P_NULL(g); P_NAME(g, "UTF8"); P_NAME(g, "UCS"); P_NAME(g, "UTF8"); P_NAME(g, is_db(g));
    P_NULL(g); P_NULL(g);
    return DD_OK;
}

/* ---------------------------------------------------------------- privilege views */

/* table_privileges, column_privileges, usage_privileges,
 * routine_privileges, udt_privileges, their role_* variants,
 * data_type_privileges, enabled_roles, applicable_roles and
 * administrable_role_authorizations, as PostgreSQL 15's
 * information_schema.sql defines them: each aclitem of an object (its
 * kind's defaults when it has none: acl_items) gives a row per privilege
 * it holds.  The objects, their privileges and the roles (names,
 * memberships, superusers) are those of the view's point; which rows
 * current_user sees (PostgreSQL's pg_has_role(role, 'USAGE')) is decided
 * by the roles it has the privileges of now, as every check is (acl.h).
 * The system relations are not listed (docs/postgres-differences.md),
 * but for their columns in data_type_privileges. */
typedef struct PrivView {
    const TableInfo **roles;   /* at the view's point */
    int nroles;
    AclWho me;                 /* current_user in the present (no roles: none could be read) */
    bool role_only;            /* role_*: only rows whose grantor or grantee is an enabled role */
} PrivView;

/* One privilege an aclitem gives, as a row shows it. */
typedef struct PrivGrant {
    const char *grantor, *grantee;
    int bit;                   /* ACL_* is 1 << bit */
    bool grantable;            /* is_grantable */
} PrivGrant;

/* Fills *pv for the view g computes: the roles of its point (the
 * statement arena's), and current_user with the roles it has now. */
static int priv_view(Gen *g, bool role_only, PrivView *pv)
{
    SqlCtx *ctx = g->ctx;
    memset(pv, 0, sizeof *pv);
    pv->role_only = role_only;
    int rc = view_roles(g, &pv->roles, &pv->nroles);
    if (rc) return rc;
    const TableInfo *me = resolve_current_role(ctx);
    bool found;
    if (me && (rc = acl_who_of(ctx, me->id, &pv->me, &found))) return rc;
    return DD_OK;
}

/* Role id at the view's point, or NULL. */
static const TableInfo *priv_role(const PrivView *pv, u32 id)
{
    for (int i = 0; i < pv->nroles; i++)
        if (pv->roles[i]->id == id) return pv->roles[i];
    return NULL;
}

/* A grantor's or grantee's name: PUBLIC, a role's, NULL for a role the
 * point does not have (PostgreSQL's join with pg_authid drops the row). */
static const char *priv_role_name(const PrivView *pv, u32 id)
{
    if (id == ACL_PUBLIC) return "PUBLIC";
    const TableInfo *r = priv_role(pv, id);
    return r ? r->name : NULL;
}

/* pg_has_role(role, 'USAGE') for current_user: it is a superuser, the
 * role, or inherits the role's privileges.  Never PUBLIC. */
static bool priv_enabled(const PrivView *pv, u32 role)
{
    if (role == ACL_PUBLIC || !pv->me.roles) return false;
    if (pv->me.super) return true;
    for (int i = 0; i < pv->me.nroles; i++)
        if (pv->me.roles[i] == role) return true;
    return false;
}

/* pg_database_owner's, for current_user: the database's owner (the
 * bootstrap superuser) is its member, when it inherits. */
static bool priv_dbowner_enabled(const PrivView *pv)
{
    if (pv->me.super) return true;
    const TableInfo *b = priv_role(pv, ROLE_BOOTSTRAP_ID);
    return b && (b->utype->role->flags & FMT_ROLE_INHERIT) && priv_enabled(pv, ROLE_BOOTSTRAP_ID);
}

/* Whether grantee has the privileges of role owner at the view's point
 * (is it, a superuser, or inherits it): an owner may grant on anything. */
static bool priv_of_owner(Gen *g, const PrivView *pv, u32 grantee, u32 owner)
{
    if (grantee == owner) return true;
    const TableInfo *r = grantee == ACL_PUBLIC ? NULL : priv_role(pv, grantee);
    if (!r) return false;
    if (r->utype->role->flags & FMT_ROLE_SUPER) return true;
    u32 *ids;
    int n;
    if (store_role_closure(pv->roles, pv->nroles, grantee, true, g->ctx->stmt, &ids, &n)) {
        g->oom = true;
        return false;
    }
    for (int i = 0; i < n; i++)
        if (ids[i] == owner) return true;
    return false;
}

/* The privileges of `want` that aclitems v[0..n) of an object owned by
 * owner give and current_user may see: where it is, or has the privileges
 * of, the grantor or the grantee, or the grantee is PUBLIC (role_*: not
 * for PUBLIC's sake alone).  *out in the statement arena, *nout of them. */
static int priv_grants(Gen *g, const PrivView *pv, u32 owner, const AclItem *v, int n, u32 want, PrivGrant **out,
                       int *nout)
{
    int cap = 0;
    for (int i = 0; i < n; i++) cap += __builtin_popcount(v[i].privs & want);
    *nout = 0;
    *out = cap ? arena_alloc(g->ctx->stmt, sizeof(PrivGrant) * (size_t)cap) : NULL;
    if (cap && !*out) return DD_ENOMEM;
    for (int i = 0; i < n; i++) {
        const AclItem *it = &v[i];
        const char *grantor = priv_role_name(pv, it->grantor), *grantee = priv_role_name(pv, it->grantee);
        if (!grantor || !grantee || !(it->privs & want)) continue;
        bool seen = priv_enabled(pv, it->grantor) || priv_enabled(pv, it->grantee) ||
                    (!pv->role_only && it->grantee == ACL_PUBLIC);
        if (!seen) continue;
        bool of_owner = priv_of_owner(g, pv, it->grantee, owner);
        for (int k = 0; acl_priv_name(k); k++)
            if (it->privs & want & (1u << k))
                (*out)[(*nout)++] = (PrivGrant){grantor, grantee, k, of_owner || (it->grant & (1u << k)) != 0};
    }
    return DD_OK;
}

/* Calls fn for each privilege of `want` that an aclitem of object t gives
 * and current_user may see (priv_grants).  Stops at an error. */
typedef int (*PrivFn)(Gen *g, const TableInfo *t, const PrivGrant *p);
static int priv_each(Gen *g, const PrivView *pv, const TableInfo *t, u32 want, PrivFn fn)
{
    const AclItem *v;
    PrivGrant *p;
    int n, np, rc;
    if ((rc = acl_items(g->ctx->stmt, t, &v, &n)) || (rc = priv_grants(g, pv, t->owner, v, n, want, &p, &np)))
        return rc;
    for (int i = 0; i < np; i++)
        if ((rc = fn(g, t, &p[i]))) return rc;
    return DD_OK;
}

#define COLS_IS_TABLE_PRIVILEGES                                                                          \
    "grantor:n grantee:n table_catalog:n table_schema:n table_name:n privilege_type:v is_grantable:v " \
    "with_hierarchy:v"
static int table_priv_row(Gen *g, const TableInfo *t, const PrivGrant *p)
{
    if (gen_row(g)) return DD_ENOMEM;
    P_NAME(g, p->grantor); P_NAME(g, p->grantee); P_NAME(g, is_db(g)); P_NAME(g, cat_ns_name(t));
    P_NAME(g, name_base(t->name)); P_TEXT(g, acl_priv_name(p->bit)); P_YN(g, p->grantable);
    P_YN(g, (1u << p->bit) == ACL_SELECT);
    return DD_OK;
}

/* The privileges of tables and views (and temporary tables). */
static int table_privs(Gen *g, bool role_only, u32 want, PrivFn fn)
{
    PrivView pv;
    int rc = priv_view(g, role_only, &pv);
    for (int i = 0; !rc && i < g->cv->nrels; i++)
        if (!g->cv->rels[i]->sequence) rc = priv_each(g, &pv, g->cv->rels[i], want, fn);
    return rc;
}
static int gen_is_table_privileges(Gen *g) { return table_privs(g, false, ACL_ALL_TABLE, table_priv_row); }
static int gen_is_role_table_grants(Gen *g) { return table_privs(g, true, ACL_ALL_TABLE, table_priv_row); }

/* A table's privileges that columns have, on each of its columns. */
#define COLS_IS_COLUMN_PRIVILEGES                                                                       \
    "grantor:n grantee:n table_catalog:n table_schema:n table_name:n column_name:n privilege_type:v " \
    "is_grantable:v"
#define ACL_ALL_COLUMN (ACL_INSERT | ACL_SELECT | ACL_UPDATE | ACL_REFERENCES)
static int column_priv_rows(Gen *g, const TableInfo *t, const PrivGrant *p)
{
    for (int k = 0; k < t->ncols; k++) {
        const ColumnInfo *c = &t->cols[k];
        if (c->pending || c->dropped || strcmp(c->name, ROWID_COL) == 0) continue;
        if (gen_row(g)) return DD_ENOMEM;
        P_NAME(g, p->grantor); P_NAME(g, p->grantee); P_NAME(g, is_db(g)); P_NAME(g, cat_ns_name(t));
        P_NAME(g, name_base(t->name)); P_NAME(g, c->name); P_TEXT(g, acl_priv_name(p->bit)); P_YN(g, p->grantable);
    }
    return DD_OK;
}
static int gen_is_column_privileges(Gen *g) { return table_privs(g, false, ACL_ALL_COLUMN, column_priv_rows); }
static int gen_is_role_column_grants(Gen *g) { return table_privs(g, true, ACL_ALL_COLUMN, column_priv_rows); }

/* USAGE on collations (PUBLIC's from their owner, for everyone to see:
 * they have no privileges), domains and sequences. */
#define COLS_IS_USAGE_PRIVILEGES                                                                          \
    "grantor:n grantee:n object_catalog:n object_schema:n object_name:n object_type:v privilege_type:v " \
    "is_grantable:v"
static void usage_row(Gen *g, const char *grantor, const char *grantee, const char *schema, const char *name,
                      const char *type, bool grantable)
{
    P_NAME(g, grantor); P_NAME(g, grantee); P_NAME(g, is_db(g)); P_NAME(g, schema); P_NAME(g, name);
    P_TEXT(g, type); P_TEXT(g, "USAGE"); P_YN(g, grantable);
}
static int usage_priv_row(Gen *g, const TableInfo *t, const PrivGrant *p)
{
    if (gen_row(g)) return DD_ENOMEM;
    usage_row(g, p->grantor, p->grantee, cat_ns_name(t), name_base(t->name), t->sequence ? "SEQUENCE" : "DOMAIN",
              p->grantable);
    return DD_OK;
}
static int usage_privs(Gen *g, bool role_only)
{
    PrivView pv;
    int rc = priv_view(g, role_only, &pv);
    if (rc) return rc;
    const char *owner = priv_role_name(&pv, ROLE_BOOTSTRAP_ID);
    for (size_t i = 0; owner && (!role_only || priv_enabled(&pv, ROLE_BOOTSTRAP_ID)) && i < DD_ARRAY_LEN(collations);
         i++) {
        if (gen_row(g)) return DD_ENOMEM;
        usage_row(g, owner, "PUBLIC", "pg_catalog", collations[i].name, "COLLATION", false);
    }
    for (int i = 0; !rc && i < g->cv->ntypes; i++)
        if (g->cv->types[i]->utype->kind == 'd') rc = priv_each(g, &pv, g->cv->types[i], ACL_USAGE, usage_priv_row);
    /* PostgreSQL reads a sequence's privileges that were never changed as
     * a table's defaults (acldefault('r')), which hold no USAGE */
    for (int i = 0; !rc && i < g->cv->nrels; i++)
        if (g->cv->rels[i]->sequence && g->cv->rels[i]->has_acl)
            rc = priv_each(g, &pv, g->cv->rels[i], ACL_USAGE, usage_priv_row);
    return rc;
}
static int gen_is_usage_privileges(Gen *g) { return usage_privs(g, false); }
static int gen_is_role_usage_grants(Gen *g) { return usage_privs(g, true); }

/* PostgreSQL's nameconcatoid(name, oid), a routine's specific_name:
 * name_oid, the name cut (at a character) so that it fits a name. */
static const char *specific_name(Gen *g, const char *name, u32 oid)
{
    char suffix[16];
    int sl = snprintf(suffix, sizeof suffix, "_%u", oid);
    size_t nl = strlen(name);
    if (nl + (size_t)sl > CAT_MAX_NAME) {
        nl = CAT_MAX_NAME - (size_t)sl;
        while (nl > 0 && ((u8)name[nl] & 0xC0) == 0x80) nl--;
    }
    const char *r = arena_printf(g->ctx->stmt, "%.*s%s", (int)nl, name, suffix);
    if (!r) g->oom = true;
    return r;
}

/* A function's privileges: PostgreSQL's acldefault('f'), EXECUTE for
 * PUBLIC and the owner, when proacl is NULL (every function DriftDB has,
 * as in PostgreSQL 15).  A proacl of PostgreSQL's revokes PUBLIC's: what
 * is left is the owner's, and grants to predefined roles DriftDB does not
 * have.  The built-in functions' owner is the bootstrap superuser. */
static int proc_acl(const CatProcRow *p, AclItem v[2])
{
    int n = 0;
    if (!p->acl) v[n++] = (AclItem){ACL_PUBLIC, ROLE_BOOTSTRAP_ID, ACL_EXECUTE, 0};
    v[n++] = (AclItem){ROLE_BOOTSTRAP_ID, ROLE_BOOTSTRAP_ID, ACL_EXECUTE, 0};
    return n;
}

/* EXECUTE on each function pg_proc lists (in pg_catalog). */
#define COLS_IS_ROUTINE_PRIVILEGES                                                                       \
    "grantor:n grantee:n specific_catalog:n specific_schema:n specific_name:n routine_catalog:n "        \
    "routine_schema:n routine_name:n privilege_type:v is_grantable:v"
static int routine_privs(Gen *g, bool role_only)
{
    PrivView pv;
    int rc = priv_view(g, role_only, &pv);
    int n = cat_nprocs();
    for (int i = 0; !rc && i < n; i++) {
        const CatProcRow *p = cat_proc_at(i);
        AclItem v[2];
        PrivGrant *pg;
        int np;
        if ((rc = priv_grants(g, &pv, ROLE_BOOTSTRAP_ID, v, proc_acl(p, v), ACL_EXECUTE, &pg, &np))) break;
        const char *spec = np ? specific_name(g, p->name, p->oid) : NULL;
        for (int k = 0; k < np; k++) {
            if (gen_row(g)) return DD_ENOMEM;
            P_NAME(g, pg[k].grantor); P_NAME(g, pg[k].grantee); P_NAME(g, is_db(g)); P_NAME(g, "pg_catalog");
            P_NAME(g, spec); P_NAME(g, is_db(g)); P_NAME(g, "pg_catalog"); P_NAME(g, p->name); P_TEXT(g, "EXECUTE");
            P_YN(g, pg[k].grantable);
        }
    }
    return rc;
}
static int gen_is_routine_privileges(Gen *g) { return routine_privs(g, false); }
static int gen_is_role_routine_grants(Gen *g) { return routine_privs(g, true); }

/* TYPE USAGE on the composite types: the row types of tables and views.
 * A row type keeps a type's default privileges (acldefault('T'): USAGE
 * for PUBLIC and the owner, the relation's), whatever is granted on its
 * relation; DriftDB has no GRANT on types. */
#define COLS_IS_UDT_PRIVILEGES \
    "grantor:n grantee:n udt_catalog:n udt_schema:n udt_name:n privilege_type:v is_grantable:v"
static int udt_privs(Gen *g, bool role_only)
{
    PrivView pv;
    int rc = priv_view(g, role_only, &pv);
    for (int i = 0; !rc && i < g->cv->nrels; i++) {
        const TableInfo *t = g->cv->rels[i];
        if (!cat_has_rowtype(t)) continue;
        AclItem v[2] = {{ACL_PUBLIC, t->owner, ACL_USAGE, 0}, {t->owner, t->owner, ACL_USAGE, 0}};
        PrivGrant *pg;
        int np;
        if ((rc = priv_grants(g, &pv, t->owner, v, 2, ACL_USAGE, &pg, &np))) break;
        for (int k = 0; k < np; k++) {
            if (gen_row(g)) return DD_ENOMEM;
            P_NAME(g, pg[k].grantor); P_NAME(g, pg[k].grantee); P_NAME(g, is_db(g)); P_NAME(g, cat_ns_name(t));
            P_NAME(g, name_base(t->name)); P_TEXT(g, "TYPE USAGE"); P_YN(g, pg[k].grantable);
        }
    }
    return rc;
}
static int gen_is_udt_privileges(Gen *g) { return udt_privs(g, false); }
static int gen_is_role_udt_grants(Gen *g) { return udt_privs(g, true); }

/* The roles whose privileges current_user has. */
#define COLS_IS_ENABLED_ROLES "role_name:n"
static int gen_is_enabled_roles(Gen *g)
{
    PrivView pv;
    int rc = priv_view(g, false, &pv);
    for (int i = 0; !rc && i < pv.nroles; i++) {
        if (priv_enabled(&pv, pv.roles[i]->id)) {
            if (gen_row(g)) return DD_ENOMEM;
            P_NAME(g, pv.roles[i]->name);
        }
    }
    if (!rc && priv_dbowner_enabled(&pv)) {
        if (gen_row(g)) return DD_ENOMEM;
        P_NAME(g, "pg_database_owner");
    }
    return rc;
}

/* The memberships of the roles whose privileges current_user has (the
 * database owner's in pg_database_owner too); administrable: those WITH
 * ADMIN OPTION. */
#define COLS_IS_APPLICABLE_ROLES "grantee:n role_name:n is_grantable:v"
static int applicable_roles(Gen *g, bool admin_only)
{
    PrivView pv;
    int rc = priv_view(g, false, &pv);
    for (int i = 0; !rc && i < pv.nroles; i++) {
        const TableInfo *a = pv.roles[i];
        if (!priv_enabled(&pv, a->id)) continue;
        const RoleInfo *ri = a->utype->role;
        for (int j = 0; j < ri->nmember_of; j++) {
            const TableInfo *b = priv_role(&pv, ri->member_of[j].role);
            if (!b || (admin_only && !ri->member_of[j].admin)) continue;
            if (gen_row(g)) return DD_ENOMEM;
            P_NAME(g, a->name); P_NAME(g, b->name); P_YN(g, ri->member_of[j].admin);
        }
        if (a->id == ROLE_BOOTSTRAP_ID && !admin_only) {
            if (gen_row(g)) return DD_ENOMEM;
            P_NAME(g, a->name); P_NAME(g, "pg_database_owner"); P_YN(g, false);
        }
    }
    return rc;
}
static int gen_is_applicable_roles(Gen *g) { return applicable_roles(g, false); }
static int gen_is_administrable_role_authorizations(Gen *g) { return applicable_roles(g, true); }

/* data_type_privileges: the data type descriptors current_user may see,
 * as PostgreSQL's union of attributes (DriftDB has no composite types of
 * their own), columns, domains, parameters and routines lists them: a
 * column's where it has the privileges of the relation's owner or holds
 * SELECT, INSERT, UPDATE or REFERENCES on it (the system relations' but
 * those PostgreSQL 15 lets no one else read), a domain's where it has the
 * owner's privileges or USAGE, a function's result ('0') and arguments
 * (1 ...) where it has the owner's privileges or EXECUTE. */
#define COLS_IS_DATA_TYPE_PRIVILEGES "object_catalog:n object_schema:n object_name:n object_type:v dtd_identifier:n"
static int dtd_row(Gen *g, const char *schema, const char *name, const char *type, int dtd)
{
    char id[16];
    snprintf(id, sizeof id, "%d", dtd);
    if (gen_row(g)) return DD_ENOMEM;
    P_NAME(g, is_db(g)); P_NAME(g, schema); P_NAME(g, name); P_TEXT(g, type); P_NAME(g, id);
    return DD_OK;
}
/* pg_catalog's relations whose columns (column NULL: all of them) only
 * their owner may read in PostgreSQL 15 */
static const struct { const char *rel, *col; } sysrel_owner_only[] = {
    {"pg_authid", NULL}, {"pg_largeobject", NULL}, {"pg_statistic", NULL}, {"pg_user_mapping", NULL},
    {"pg_subscription", "subconninfo"},
};
static bool sysrel_col_hidden(const char *schema, const char *rel, const char *col)
{
    if (strcmp(schema, "pg_catalog") != 0) return false;
    for (size_t i = 0; i < DD_ARRAY_LEN(sysrel_owner_only); i++) {
        const char *only = sysrel_owner_only[i].col;
        if (strcmp(sysrel_owner_only[i].rel, rel) == 0 && (!only || strcmp(only, col) == 0)) return true;
    }
    return false;
}
static int gen_is_data_type_privileges(Gen *g)
{
    const CatView *cv = g->cv;
    PrivView pv;
    int rc = priv_view(g, false, &pv);
    if (rc || !pv.me.roles) return rc;
    for (int i = 0; i < cv->nrels; i++) {
        const TableInfo *t = cv->rels[i];
        if (t->sequence || !(priv_enabled(&pv, t->owner) || acl_mask(g->ctx, &pv.me, t, ACL_ALL_COLUMN))) continue;
        int attnum = 0;
        for (int k = 0; k < t->ncols; k++) {
            const ColumnInfo *c = &t->cols[k];
            if (strcmp(c->name, ROWID_COL) == 0) continue;
            attnum++;
            if (c->pending || c->dropped) continue;
            if ((rc = dtd_row(g, cat_ns_name(t), name_base(t->name), "TABLE", attnum))) return rc;
        }
    }
    bool sys_owner = priv_enabled(&pv, ROLE_BOOTSTRAP_ID);
    for (int i = 0; i < nsys_rel_names; i++) {
        const SysRelName *s = &sys_rel_names[i];
        const SysRel *r = sysrel_find(s->schema, s->name);
        if (!r) continue;
        const char **names;
        TypeId *types;
        int n;
        if (sysrel_cols(g->ctx, r, &names, &types, &n)) return DD_ENOMEM;
        for (int k = 0; k < n; k++)
            if ((sys_owner || !sysrel_col_hidden(s->schema, s->name, names[k])) &&
                (rc = dtd_row(g, s->schema, s->name, "TABLE", k + 1)))
                return rc;
    }
    for (int i = 0; i < cv->ntypes; i++) {
        const TableInfo *u = cv->types[i];
        if (u->utype->kind != 'd' || !(priv_enabled(&pv, u->owner) || acl_mask(g->ctx, &pv.me, u, ACL_USAGE))) continue;
        if ((rc = dtd_row(g, cat_ns_name(u), name_base(u->name), "DOMAIN", 1))) return rc;
    }
    /* the parameters' rows, then the routines' */
    int nprocs = cat_nprocs();
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < nprocs; i++) {
            const CatProcRow *p = cat_proc_at(i);
            if (p->acl && !sys_owner) continue;
            const char *spec = specific_name(g, p->name, p->oid);
            int nargs = p->allargs ? p->nallargs : p->nargs;
            for (int k = pass ? 0 : 1; k <= (pass ? 0 : nargs); k++)
                if ((rc = dtd_row(g, "pg_catalog", spec, "ROUTINE", k))) return rc;
        }
    }
    return DD_OK;
}

/* routines / parameters: empty (the built-in functions pg_proc lists are not shown here yet). */
#define COLS_IS_ROUTINES                                                                                          \
    "specific_catalog:n specific_schema:n specific_name:n routine_catalog:n routine_schema:n routine_name:n "    \
    "routine_type:v module_catalog:n module_schema:n module_name:n udt_catalog:n udt_schema:n udt_name:n "       \
    "data_type:v character_maximum_length:4 character_octet_length:4 character_set_catalog:n "                   \
    "character_set_schema:n character_set_name:n collation_catalog:n collation_schema:n collation_name:n "       \
    "numeric_precision:4 numeric_precision_radix:4 numeric_scale:4 datetime_precision:4 interval_type:v "        \
    "interval_precision:4 type_udt_catalog:n type_udt_schema:n type_udt_name:n scope_catalog:n scope_schema:n "  \
    "scope_name:n maximum_cardinality:4 dtd_identifier:n routine_body:v routine_definition:v external_name:v "   \
    "external_language:v parameter_style:v is_deterministic:v sql_data_access:v is_null_call:v sql_path:v "      \
    "schema_level_routine:v max_dynamic_result_sets:4 is_user_defined_cast:v is_implicitly_invocable:v "         \
    "security_type:v to_sql_specific_catalog:n to_sql_specific_schema:n to_sql_specific_name:n as_locator:v "    \
    "created:z last_altered:z new_savepoint_level:v is_udt_dependent:v result_cast_from_data_type:v "            \
    "result_cast_as_locator:v result_cast_char_max_length:4 result_cast_char_octet_length:4 "                    \
    "result_cast_char_set_catalog:n result_cast_char_set_schema:n result_cast_char_set_name:n "                  \
    "result_cast_collation_catalog:n result_cast_collation_schema:n result_cast_collation_name:n "               \
    "result_cast_numeric_precision:4 result_cast_numeric_precision_radix:4 result_cast_numeric_scale:4 "         \
    "result_cast_datetime_precision:4 result_cast_interval_type:v result_cast_interval_precision:4 "             \
    "result_cast_type_udt_catalog:n result_cast_type_udt_schema:n result_cast_type_udt_name:n "                  \
    "result_cast_scope_catalog:n result_cast_scope_schema:n result_cast_scope_name:n "                           \
    "result_cast_maximum_cardinality:4 result_cast_dtd_identifier:n"
#define COLS_IS_PARAMETERS                                                                                        \
    "specific_catalog:n specific_schema:n specific_name:n ordinal_position:4 parameter_mode:v is_result:v "      \
    "as_locator:v parameter_name:n data_type:v character_maximum_length:4 character_octet_length:4 "             \
    "character_set_catalog:n character_set_schema:n character_set_name:n collation_catalog:n "                   \
    "collation_schema:n collation_name:n numeric_precision:4 numeric_precision_radix:4 numeric_scale:4 "         \
    "datetime_precision:4 interval_type:v interval_precision:4 udt_catalog:n udt_schema:n udt_name:n "           \
    "scope_catalog:n scope_schema:n scope_name:n maximum_cardinality:4 dtd_identifier:n parameter_default:v"

/* ---------------------------------------------------------------- the list */

struct SysRel {
    const char *schema, *name;
    const char *cols;
    int (*gen)(Gen *g);
};

static int gen_attribute_all(Gen *g)
{
    int rc = gen_attribute(g);
    return rc ? rc : gen_sysrel_attributes(g);
}

static const SysRel sysrels[] = {
    {"pg_catalog", "pg_namespace", COLS_NAMESPACE, gen_namespace},
    {"pg_catalog", "pg_class", COLS_CLASS, gen_class},
    {"pg_catalog", "pg_attribute", COLS_ATTRIBUTE, gen_attribute_all},
    {"pg_catalog", "pg_attrdef", COLS_ATTRDEF, gen_attrdef},
    {"pg_catalog", "pg_type", COLS_TYPE, gen_type},
    {"pg_catalog", "pg_enum", COLS_ENUM, gen_enum},
    {"pg_catalog", "pg_index", COLS_INDEX, gen_index},
    {"pg_catalog", "pg_constraint", COLS_CONSTRAINT, gen_constraint},
    {"pg_catalog", "pg_description", COLS_DESCRIPTION, gen_description},
    {"pg_catalog", "pg_am", COLS_AM, gen_am},
    {"pg_catalog", "pg_database", COLS_DATABASE, gen_database},
    {"pg_catalog", "pg_roles", COLS_ROLES, gen_roles},
    {"pg_catalog", "pg_authid", COLS_AUTHID, gen_authid},
    {"pg_catalog", "pg_user", COLS_USER, gen_user},
    {"pg_catalog", "pg_auth_members", COLS_AUTH_MEMBERS, gen_auth_members},
    {"pg_catalog", "pg_collation", COLS_COLLATION, gen_collation},
    {"pg_catalog", "pg_tablespace", COLS_TABLESPACE, gen_tablespace},
    {"pg_catalog", "pg_sequence", COLS_SEQUENCE, gen_sequence},
    {"pg_catalog", "pg_depend", COLS_DEPEND, gen_depend},
    {"pg_catalog", "pg_tables", COLS_TABLES, gen_tables},
    {"pg_catalog", "pg_views", COLS_VIEWS, gen_views},
    {"pg_catalog", "pg_indexes", COLS_INDEXES, gen_indexes},
    {"pg_catalog", "pg_sequences", COLS_SEQUENCES, gen_sequences},
    {"pg_catalog", "pg_settings", COLS_SETTINGS, gen_settings},
    {"pg_catalog", "drift_tables", COLS_DRIFT_TABLES, gen_drift_tables},
    {"pg_catalog", "drift_checkpoints", COLS_DRIFT_CHECKPOINTS, gen_drift_checkpoints},
    {"pg_catalog", "pg_stat_activity", COLS_STAT_ACTIVITY, gen_stat_activity},
    {"pg_catalog", "pg_stat_ssl", COLS_STAT_SSL, gen_stat_ssl},
    {"pg_catalog", "pg_stat_user_tables", COLS_STAT_TABLES, gen_stat_tables},
    {"pg_catalog", "pg_stat_all_tables", COLS_STAT_TABLES, gen_stat_tables},
    {"pg_catalog", "pg_stats", COLS_STATS, gen_stats},
    {"pg_catalog", "pg_locks", COLS_LOCKS, gen_none},
    {"pg_catalog", "pg_inherits", COLS_INHERITS, gen_none},
    {"pg_catalog", "pg_policy", COLS_POLICY, gen_none},
    {"pg_catalog", "pg_statistic_ext", COLS_STATISTIC_EXT, gen_none},
    {"pg_catalog", "pg_publication", COLS_PUBLICATION, gen_none},
    {"pg_catalog", "pg_publication_namespace", COLS_PUBLICATION_NAMESPACE, gen_none},
    {"pg_catalog", "pg_publication_rel", COLS_PUBLICATION_REL, gen_none},
    {"pg_catalog", "pg_trigger", COLS_TRIGGER, gen_none},
    {"pg_catalog", "pg_rewrite", COLS_REWRITE, gen_rewrite},
    {"pg_catalog", "pg_extension", COLS_EXTENSION, gen_none},
    {"pg_catalog", "pg_shdescription", COLS_SHDESCRIPTION, gen_none},
    {"pg_catalog", "pg_range", COLS_RANGE, gen_none},
    {"pg_catalog", "pg_proc", COLS_PROC, gen_proc},
    {"pg_catalog", "pg_operator", COLS_OPERATOR, gen_operator},
    {"pg_catalog", "pg_language", COLS_LANGUAGE, gen_none},
    /* PostgreSQL's columns (catalogs.md: relations that exist with no rows) */
    {"pg_catalog", "pg_amop", "oid:o amopfamily:o amoplefttype:o amoprighttype:o amopstrategy:2 amoppurpose:c amopopr:o amopmethod:o amopsortfamily:o", gen_none},
    {"pg_catalog", "pg_amproc", "oid:o amprocfamily:o amproclefttype:o amprocrighttype:o amprocnum:2 amproc:r", gen_none},
    {"pg_catalog", "pg_cast", "oid:o castsource:o casttarget:o castfunc:o castcontext:c castmethod:c", gen_none},
    {"pg_catalog", "pg_conversion", "oid:o conname:n connamespace:o conowner:o conforencoding:4 contoencoding:4 conproc:r condefault:b", gen_none},
    {"pg_catalog", "pg_db_role_setting", "setdatabase:o setrole:o setconfig:T", gen_db_role_setting},
    {"pg_catalog", "pg_default_acl", "oid:o defaclrole:o defaclnamespace:o defaclobjtype:c defaclacl:T", gen_none},
    {"pg_catalog", "pg_event_trigger", "oid:o evtname:n evtevent:n evtowner:o evtfoid:o evtenabled:c evttags:T", gen_none},
    {"pg_catalog", "pg_foreign_data_wrapper", "oid:o fdwname:n fdwowner:o fdwhandler:o fdwvalidator:o fdwacl:T fdwoptions:T", gen_none},
    {"pg_catalog", "pg_foreign_server", "oid:o srvname:n srvowner:o srvfdw:o srvtype:t srvversion:t srvacl:T srvoptions:T", gen_none},
    {"pg_catalog", "pg_foreign_table", "ftrelid:o ftserver:o ftoptions:T", gen_none},
    {"pg_catalog", "pg_init_privs", "objoid:o classoid:o objsubid:4 privtype:c initprivs:T", gen_init_privs},
    {"pg_catalog", "pg_largeobject_metadata", "oid:o lomowner:o lomacl:T", gen_none},
    {"pg_catalog", "pg_opclass", "oid:o opcmethod:o opcname:n opcnamespace:o opcowner:o opcfamily:o opcintype:o opcdefault:b opckeytype:o", gen_none},
    {"pg_catalog", "pg_opfamily", "oid:o opfmethod:o opfname:n opfnamespace:o opfowner:o", gen_none},
    {"pg_catalog", "pg_parameter_acl", "oid:o parname:t paracl:T", gen_none},
    {"pg_catalog", "pg_partitioned_table", "partrelid:o partstrat:c partnatts:2 partdefid:o partattrs:V partclass:W partcollation:W partexprs:t", gen_none},
    {"pg_catalog", "pg_seclabel", "objoid:o classoid:o objsubid:4 provider:t label:t", gen_none},
    {"pg_catalog", "pg_seclabels", "objoid:o classoid:o objsubid:4 objtype:t objnamespace:o objname:t provider:t label:t", gen_none},
    {"pg_catalog", "pg_shseclabel", "objoid:o classoid:o provider:t label:t", gen_none},
    {"pg_catalog", "pg_subscription", "oid:o subdbid:o subskiplsn:t subname:n subowner:o subenabled:b subbinary:b substream:b subtwophasestate:c subdisableonerr:b subconninfo:t subslotname:n subsynccommit:t subpublications:T", gen_none},
    {"pg_catalog", "pg_transform", "oid:o trftype:o trflang:o trffromsql:r trftosql:r", gen_none},
    {"pg_catalog", "pg_ts_config", "oid:o cfgname:n cfgnamespace:o cfgowner:o cfgparser:o", gen_none},
    {"pg_catalog", "pg_ts_dict", "oid:o dictname:n dictnamespace:o dictowner:o dicttemplate:o dictinitoption:t", gen_none},
    {"pg_catalog", "pg_ts_parser", "oid:o prsname:n prsnamespace:o prsstart:r prstoken:r prsend:r prsheadline:r prslextype:r", gen_none},
    {"pg_catalog", "pg_ts_template", "oid:o tmplname:n tmplnamespace:o tmplinit:r tmpllexize:r", gen_none},
    {"pg_catalog", "pg_user_mappings", "umid:o srvid:o srvname:n umuser:o usename:n umoptions:T", gen_none},
    {"pg_catalog", "pg_user_mapping", "oid:o umuser:o umserver:o umoptions:T", gen_none},
    /* aggregates' details (transition functions): not kept; pg_proc lists
     * the aggregates themselves (prokind 'a') */
    {"pg_catalog", "pg_aggregate", "aggfnoid:r aggkind:c aggnumdirectargs:2 aggtransfn:r aggfinalfn:r aggcombinefn:r "
     "aggserialfn:r aggdeserialfn:r aggmtransfn:r aggminvtransfn:r aggmfinalfn:r aggfinalextra:b aggmfinalextra:b "
     "aggfinalmodify:c aggmfinalmodify:c aggsortop:o aggtranstype:o aggtransspace:4 aggmtranstype:o aggmtransspace:4 "
     "agginitval:t aggminitval:t", gen_none},
    {"pg_catalog", "pg_shdepend", "dbid:o classid:o objid:o objsubid:4 refclassid:o refobjid:o deptype:c", gen_none},
    {"pg_catalog", "pg_largeobject", "loid:o pageno:4 data:y", gen_none},
    {"pg_catalog", "pg_ts_config_map", "mapcfg:o maptokentype:4 mapseqno:4 mapdict:o", gen_none},
    /* the planner's statistics are pg_stats' (PostgreSQL's view over this one) */
    {"pg_catalog", "pg_statistic", "starelid:o staattnum:2 stainherit:b stanullfrac:f stawidth:4 stadistinct:f "
     "stakind1:2 stakind2:2 stakind3:2 stakind4:2 stakind5:2 staop1:o staop2:o staop3:o staop4:o staop5:o "
     "stacoll1:o stacoll2:o stacoll3:o stacoll4:o stacoll5:o stanumbers1:F stanumbers2:F stanumbers3:F "
     "stanumbers4:F stanumbers5:F stavalues1:t stavalues2:t stavalues3:t stavalues4:t stavalues5:t", gen_none},
    {"pg_catalog", "pg_matviews", "schemaname:n matviewname:n matviewowner:n tablespace:n hasindexes:b ispopulated:b "
     "definition:t", gen_none},
    {"pg_catalog", "pg_rules", "schemaname:n tablename:n rulename:n definition:t", gen_none},
    {"pg_catalog", "pg_policies", "schemaname:n tablename:n policyname:n permissive:t roles:T cmd:t qual:t with_check:t",
     gen_none},
    {"pg_catalog", "pg_prepared_xacts", "transaction:o gid:t prepared:z owner:n database:n", gen_none},
    {"pg_catalog", "pg_group", "groname:n grosysid:o grolist:O", gen_none},
    {"information_schema", "tables", COLS_IS_TABLES, gen_is_tables},
    {"information_schema", "columns", COLS_IS_COLUMNS, gen_is_columns},
    {"information_schema", "views", COLS_IS_VIEWS, gen_is_views},
    {"information_schema", "schemata", COLS_IS_SCHEMATA, gen_is_schemata},
    {"information_schema", "table_constraints", COLS_IS_TABLE_CONSTRAINTS, gen_is_table_constraints},
    {"information_schema", "key_column_usage", COLS_IS_KEY_COLUMN_USAGE, gen_is_key_column_usage},
    {"information_schema", "referential_constraints", COLS_IS_REFERENTIAL_CONSTRAINTS, gen_is_referential_constraints},
    {"information_schema", "constraint_column_usage", COLS_IS_CONSTRAINT_COLUMN_USAGE, gen_is_constraint_column_usage},
    {"information_schema", "check_constraints", COLS_IS_CHECK_CONSTRAINTS, gen_is_check_constraints},
    {"information_schema", "sequences", COLS_IS_SEQUENCES, gen_is_sequences},
    {"information_schema", "routines", COLS_IS_ROUTINES, gen_none},
    {"information_schema", "parameters", COLS_IS_PARAMETERS, gen_none},
    {"information_schema", "character_sets", COLS_IS_CHARACTER_SETS, gen_is_character_sets},
    {"information_schema", "table_privileges", COLS_IS_TABLE_PRIVILEGES, gen_is_table_privileges},
    {"information_schema", "role_table_grants", COLS_IS_TABLE_PRIVILEGES, gen_is_role_table_grants},
    {"information_schema", "column_privileges", COLS_IS_COLUMN_PRIVILEGES, gen_is_column_privileges},
    {"information_schema", "role_column_grants", COLS_IS_COLUMN_PRIVILEGES, gen_is_role_column_grants},
    {"information_schema", "usage_privileges", COLS_IS_USAGE_PRIVILEGES, gen_is_usage_privileges},
    {"information_schema", "role_usage_grants", COLS_IS_USAGE_PRIVILEGES, gen_is_role_usage_grants},
    {"information_schema", "enabled_roles", COLS_IS_ENABLED_ROLES, gen_is_enabled_roles},
    {"information_schema", "applicable_roles", COLS_IS_APPLICABLE_ROLES, gen_is_applicable_roles},
    {"information_schema", "administrable_role_authorizations", COLS_IS_APPLICABLE_ROLES,
     gen_is_administrable_role_authorizations},
    {"information_schema", "routine_privileges", COLS_IS_ROUTINE_PRIVILEGES, gen_is_routine_privileges},
    {"information_schema", "role_routine_grants", COLS_IS_ROUTINE_PRIVILEGES, gen_is_role_routine_grants},
    {"information_schema", "udt_privileges", COLS_IS_UDT_PRIVILEGES, gen_is_udt_privileges},
    {"information_schema", "role_udt_grants", COLS_IS_UDT_PRIVILEGES, gen_is_role_udt_grants},
    {"information_schema", "data_type_privileges", COLS_IS_DATA_TYPE_PRIVILEGES, gen_is_data_type_privileges},
};

/* Set-returning functions of the catalog, in FROM (schema "function":
 * no relation name finds them) */
static const SysRel sysfuncs[] = {
    {"function", "pg_get_keywords", COLS_KEYWORDS, gen_keywords},
};

static const SysRel *sysrel_find(const char *schema, const char *name)
{
    if (strcmp(schema, "function") == 0) {
        for (size_t i = 0; i < DD_ARRAY_LEN(sysfuncs); i++)
            if (strcmp(sysfuncs[i].name, name) == 0) return &sysfuncs[i];
        return NULL;
    }
    for (size_t i = 0; i < DD_ARRAY_LEN(sysrels); i++)
        if (strcmp(sysrels[i].name, name) == 0 && strcmp(sysrels[i].schema, schema) == 0) return &sysrels[i];
    return NULL;
}

static TypeId code_type(char c)
{
    switch (c) {
    case 'o': return TYPE_OID;
    case 'n': return TYPE_NAME;
    case 't': return TYPE_TEXT;
    case 'v': return TYPE_VARCHAR;
    case 'b': return TYPE_BOOL;
    case 'c': return TYPE_CHAR;
    case '2': return TYPE_INT2;
    case '4': return TYPE_INT4;
    case '8': return TYPE_INT8;
    case 'f': return TYPE_FLOAT4;
    case 'F': return type_array_of(TYPE_FLOAT4);
    case 'N': return TYPE_NUMERIC;
    case 'z': return TYPE_TIMESTAMPTZ;
    case 'i': return TYPE_INTERVAL;
    case 'r': return TYPE_REGPROC;
    case 'R': return TYPE_REGTYPE;
    case 'y': return TYPE_BYTEA;
    case 'T': return type_array_of(TYPE_TEXT);
    case 'O': return type_array_of(TYPE_OID);
    case 'W': return TYPE_OIDVECTOR;
    case 'S': return type_array_of(TYPE_INT2);
    case 'V': return TYPE_INT2VECTOR;
    case 'C': return type_array_of(TYPE_CHAR);
    default: return TYPE_TEXT;
    }
}

/* The columns of r: names and types, in the statement arena. */
static int sysrel_cols(SqlCtx *ctx, const SysRel *r, const char ***names, TypeId **types, int *n)
{
    int cap = 1;
    for (const char *p = r->cols; *p; p++) cap += *p == ' ';
    const char **nm = arena_alloc(ctx->stmt, sizeof(char *) * (size_t)cap);
    TypeId *ty = arena_alloc(ctx->stmt, sizeof(TypeId) * (size_t)cap);
    if (!nm || !ty) return DD_ENOMEM;
    int k = 0;
    const char *p = r->cols;
    while (*p) {
        const char *colon = strchr(p, ':');
        if (!colon) break;
        char *s = arena_alloc(ctx->stmt, (size_t)(colon - p) + 1);
        if (!s) return DD_ENOMEM;
        memcpy(s, p, (size_t)(colon - p));
        s[colon - p] = 0;
        nm[k] = s;
        ty[k] = code_type(colon[1]);
        k++;
        p = colon + 2;
        while (*p == ' ') p++;
    }
    *names = nm;
    *types = ty;
    *n = k;
    return DD_OK;
}

static int nsysrel_cols(const SysRel *r)
{
    int n = 0;
    for (const char *p = r->cols; *p; p++) n += *p == ':';
    return n;
}

static int gen_sysrel_attributes(Gen *g)
{
    for (int i = 0; i < nsys_rel_names; i++) {
        const SysRel *r = sysrel_find(sys_rel_names[i].schema, sys_rel_names[i].name);
        if (!r) continue;
        const char **names;
        TypeId *types;
        int n;
        if (sysrel_cols(g->ctx, r, &names, &types, &n)) return DD_ENOMEM;
        for (int k = 0; k < n; k++) {
            if (gen_row(g)) return DD_ENOMEM;
            attr_row(g, sys_rel_names[i].oid, names[k], type_oid(types[k]), types[k], k + 1, -1, false, false, 0, 0,
                     false, true);
        }
    }
    return DD_OK;
}

/* ---------------------------------------------------------------- FROM */

int no_table_err(SqlCtx *ctx, const char *name, int loc)
{
    const char *sys, *base;
    if (syscat_lookup(ctx, name, &sys, &base) || strcmp(name, "drift_commits") == 0)
        return dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, loc, "\"%s\" is a system relation, not a table", name);
    return dd_err(ctx->err, DD_EUNDEFINED_TABLE, loc, "relation \"%s\" does not exist", name);
}

bool syscat_lookup(SqlCtx *ctx, const char *name, const char **schema, const char **base)
{
    const char *dot = strchr(name, '.');
    if (dot) {
        size_t n = (size_t)(dot - name);
        const char *sch = n == 10 && strncmp(name, "pg_catalog", 10) == 0 ? "pg_catalog"
                          : n == 18 && strncmp(name, "information_schema", 18) == 0 ? "information_schema"
                          : NULL;
        if (!sch || !sysrel_find(sch, dot + 1)) return false;
        *schema = sch;
        *base = dot + 1;
        return true;
    }
    /* unqualified: pg_catalog is searched first unless search_path places
     * it later; then information_schema when the path names it.  Most
     * names are no system relation's: those return at once */
    bool any = false;
    for (size_t i = 0; i < DD_ARRAY_LEN(sysrels) && !any; i++)
        any = sysrels[i].name[0] == name[0] && strcmp(sysrels[i].name, name) == 0;
    if (!any) return false;
    const char **path;
    int np;
    if (sql_search_path(ctx, true, &path, &np)) return false;
    for (int i = 0; i < np; i++) {
        if (strcmp(path[i], "pg_catalog") == 0 || strcmp(path[i], "information_schema") == 0) {
            if (sysrel_find(path[i], name)) {
                *schema = path[i];
                *base = name;
                return true;
            }
            continue;
        }
        /* a relation of the user's in an earlier schema wins */
        char q[2 * CAT_MAX_NAME + 2];
        if (strcmp(path[i], "public") == 0) snprintf(q, sizeof q, "%s", name);
        else snprintf(q, sizeof q, "%s.%s", path[i], name);
        if (resolve_permanent_present(ctx, q)) return false;
    }
    return false;
}

/* Whether every object of cv has the OIDs pgcat.h derives for it: its id
 * in range, at most 1024 CHECKs and 1024 foreign keys, columns numbered
 * below 2048.  54000 otherwise: colliding OIDs would be wrong answers. */
static int oids_fit(SqlCtx *ctx, const CatView *cv)
{
    for (int i = 0; i < cv->nrels + cv->ntypes; i++) {
        const TableInfo *t = i < cv->nrels ? cv->rels[i] : cv->types[i - cv->nrels];
        int nchecks = t->utype ? t->utype->nchecks : t->nchecks;
        const char *why = t->id >= OID_MAX_OBJECT_ID ? "its catalog id is past the OIDs pg_catalog derives"
                          : nchecks > (int)OID_CON_FK || t->nfks > (int)OID_CON_FK ? "it has more than 1024 CHECK or FOREIGN KEY constraints"
                          : t->ncols >= 2048 ? "it has 2048 columns or more, counting dropped ones"
                          : NULL;
        if (why)
            return dd_err(ctx->err, DD_EPROGRAM_LIMIT, -1, "pg_catalog cannot describe \"%s\": %s", t->name, why);
    }
    return DD_OK;
}

int from_syscat(SqlCtx *ctx, TableRef *tr, const char *schema, const char *base, u64 point, FromItem *fi)
{
    const SysRel *r = sysrel_find(schema, base);
    if (!r) return dd_err(ctx->err, DD_EUNDEFINED_TABLE, tr->loc, "relation \"%s\" does not exist", tr->name);
    const char **names;
    TypeId *types;
    int n, rc;
    if ((rc = sysrel_cols(ctx, r, &names, &types, &n))) return rc;
    /* these describe the present: asking for a point is an error, and
     * SET drift.system_time leaves them in the present */
    bool present_only = r->gen == gen_drift_tables || r->gen == gen_drift_checkpoints || r->gen == gen_stat_activity ||
                        r->gen == gen_stat_ssl ||
                        r->gen == gen_settings || r->gen == gen_stat_tables || r->gen == gen_stats || strcmp(base, "pg_locks") == 0;
    if (present_only && tr->temporal.kind != TEMPORAL_NONE)
        return dd_err(ctx->err, DD_EFEATURE, tr->temporal.loc, "%s describes the present: it has no history", base);
    if (present_only) point = SEQ_NONE;
    /* every relation has the system column tableoid, hidden from * */
    const char **names2 = arena_alloc(ctx->stmt, sizeof(char *) * (size_t)(n + 1));
    TypeId *types2 = arena_alloc(ctx->stmt, sizeof(TypeId) * (size_t)(n + 1));
    if (!names2 || !types2) return DD_ENOMEM;
    memcpy(names2, names, sizeof(char *) * (size_t)n);
    memcpy(types2, types, sizeof(TypeId) * (size_t)n);
    names2[n] = "tableoid";
    types2[n] = TYPE_OID;
    names = names2;
    types = types2;
    const CatView *cv;
    u64 session_point = ctx->session_point;
    if (present_only) ctx->session_point = SEQ_NONE;
    rc = catview_get(ctx, point, &cv);
    ctx->session_point = session_point;
    if (rc) return rc;
    if ((rc = oids_fit(ctx, cv))) return rc;
    Gen g = {.ctx = ctx, .cv = cv, .width = n + 1, .types = types};
    if ((rc = r->gen(&g))) return rc;
    if (g.oom) return DD_ENOMEM;
    u32 tableoid = syscat_oid_by_name(schema, base);
    for (int i = 0; i < g.n; i++) g.rows[(size_t)i * (size_t)(n + 1) + (size_t)n] = val_int(TYPE_OID, tableoid);
    n++;
    ScopeRel *rel = arena_zalloc(ctx->stmt, sizeof(ScopeRel));
    if (!rel) return DD_ENOMEM;
    rel->alias = tr->alias ? tr->alias : base;
    rel->sys_oid = tableoid;
    rel->ncols = n;
    rel->names = arena_alloc(ctx->stmt, sizeof(char *) * (size_t)n);
    rel->types = types;
    rel->typmods = arena_alloc(ctx->stmt, sizeof(i32) * (size_t)n);
    rel->hidden = arena_zalloc(ctx->stmt, sizeof(bool) * (size_t)n);
    rel->used = arena_zalloc(ctx->stmt, sizeof(bool) * (size_t)n);
    if (!rel->names || !rel->typmods || !rel->hidden || !rel->used) return DD_ENOMEM;
    for (int c = 0; c < n; c++) {
        rel->names[c] = c < tr->ncol_aliases && c < n - 1 ? tr->col_aliases[c] : names[c];
        rel->typmods[c] = -1;
    }
    rel->hidden[n - 1] = true;
    if (tr->ncol_aliases > n - 1)
        return dd_err(ctx->err, DD_EINVALID_COLUMN_REF, tr->loc, "table \"%s\" has %d columns available but %d columns specified",
                      rel->alias, n - 1, tr->ncol_aliases);
    memset(fi, 0, sizeof(*fi));
    fi->rels = rel;
    fi->nrels = 1;
    fi->width = n;
    fi->op = op_rows(ctx, n, g.rows, g.n);
    if (fi->op) op_estimate(fi->op, g.n > 0 ? g.n : 1, g.n);
    return fi->op ? DD_OK : DD_ENOMEM;
}
