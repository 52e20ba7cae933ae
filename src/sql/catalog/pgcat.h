/*
 * pgcat.h - the catalog as PostgreSQL's system catalogs describe it:
 * object identifiers (OIDs), namespaces, type names and modifiers, and the
 * names the reg* types print, over the catalog of the present or of a
 * point in time (docs/catalogs.md).
 *
 * OIDs are derived from what the catalog keeps, so they are stable across
 * restarts and the same at every point in time:
 *   - a relation, a type (enum, domain) or a schema: 16384 + its catalog id
 *     (the OID the wire already gives an enum);
 *   - the array type of an enum or a domain: that + 2^30;
 *   - an index: 0x10000000 + its index id; the PRIMARY KEY or UNIQUE
 *     constraint it implements: 0x20000000 + the same id;
 *   - CHECK k and FOREIGN KEY k of table t: 0x80000000 + t.id * 2048 + k
 *     (foreign keys from 1024); the labels of enum e likewise by e.id;
 *   - the row type of a table or view: 0x60000000 + its id, that type's
 *     array 0x70000000 + its id;
 *   - the _RETURN rule of view v: 0xB0000000 + v.id;
 *   - the DEFAULT of column attnum of table t: 0xC0000000 + t.id * 2048 +
 *     attnum;
 *   - built-in types, pg_catalog (11), public (2200), information_schema,
 *     the one role (10) and the one database: PostgreSQL's numbers.
 */
#ifndef DD_SQL_PGCAT_H
#define DD_SQL_PGCAT_H

#include "catalog.h"

#define OID_NS_PG_CATALOG 11u
#define OID_NS_PUBLIC 2200u
#define OID_NS_INFORMATION_SCHEMA 13000u
#define OID_NS_TEMP 13001u     /* pg_temp_1: the session's temporary relations */
#define OID_NS_TOAST 99u       /* pg_toast: listed, always empty */
#define OID_ROLE_OWNER 10u
#define OID_ROLE_DATABASE_OWNER 6171u   /* pg_database_owner: owns public, as in PostgreSQL 15 */
#define OID_DATABASE 5u
#define OID_AM_HEAP 2u
#define OID_AM_BTREE 403u
#define OID_COLL_DEFAULT 100u
#define OID_COLL_C 950u
#define OID_COLL_POSIX 951u
#define OID_OBJECT_BASE 16384u
#define OID_ARRAY_OFFSET 0x40000000u
#define OID_INDEX_BASE 0x10000000u
#define OID_KEYCON_BASE 0x20000000u
#define OID_CON_BASE 0x80000000u
#define OID_CON_PER_REL 2048u   /* CHECK k < 1024, FOREIGN KEY 1024 + k */
#define OID_CON_FK 1024u
/* The catalog ids and counts the derived OIDs have room for: larger ones
 * make catalog queries fail (54000) rather than give OIDs that collide. */
#define OID_MAX_OBJECT_ID ((OID_RULE_BASE - OID_CON_BASE) / OID_CON_PER_REL)
static inline u32 cat_con_oid(u32 rel_id, u32 k) { return OID_CON_BASE + rel_id * OID_CON_PER_REL + k; }
#define OID_PKIDX_BASE 0x18000000u     /* + table id: the index a PRIMARY KEY stands for */
#define OID_PKCON_BASE 0x28000000u     /* + table id: that PRIMARY KEY constraint */
#define OID_ROWTYPE_BASE 0x60000000u   /* + relation id: a table's or view's row type */
#define OID_ROWTYPE_ARRAY_BASE 0x70000000u   /* + relation id: the array of that row type */
#define INDEX_MAX_COLS_SYS 32
#define OID_ATTRDEF_BASE 0xC0000000u
#define OID_RULE_BASE 0xB0000000u      /* + view id: the view's _RETURN rule */
/* classoid of pg_description rows: pg_class's, pg_type's, pg_namespace's */
#define OID_PG_CLASS 1259u
#define OID_PG_TYPE 1247u
#define OID_PG_NAMESPACE 2615u
#define OID_PG_CONSTRAINT 2606u
#define OID_PG_REWRITE 2618u
#define OID_PG_ATTRDEF 2604u

/* The catalog at one point: every relation (tables, views, sequences),
 * user type and schema there, in the statement arena. */
typedef struct CatView {
    SqlCtx *ctx;
    u64 point;                       /* SEQ_NONE: the present (with the transaction's changes) */
    const TableInfo **rels;
    int nrels;
    const TableInfo **types;
    int ntypes;
    const TableInfo **schemas;
    int nschemas;
} CatView;

/* The catalog at point (SEQ_NONE: the present, the session's point under
 * SET drift.system_time).  The present's view is kept in the context for
 * the rest of the statement. */
int catview_get(SqlCtx *ctx, u64 point, const CatView **out);

static inline u32 cat_object_oid(const TableInfo *t) { return OID_OBJECT_BASE + t->id; }
/* A role's OID: the bootstrap superuser's is PostgreSQL's, 10. */
static inline u32 role_oid(const TableInfo *t) { return t->id == ROLE_BOOTSTRAP_ID ? OID_ROLE_OWNER : cat_object_oid(t); }
static inline u32 cat_index_oid(const IndexInfo *ix) { return OID_INDEX_BASE + ix->id; }
/* The namespace OID and name of a catalog name (temporary relations:
 * pg_temp_1); the name is in a per-thread buffer the next call reuses. */
u32 cat_ns_oid(const CatView *cv, const TableInfo *t);
const char *cat_ns_name(const TableInfo *t);
/* A schema's name from its OID (NULL: none). */
const char *cat_ns_by_oid(const CatView *cv, u32 oid);

const TableInfo *cat_rel_by_oid(const CatView *cv, u32 oid);
const TableInfo *cat_type_by_oid(const CatView *cv, u32 oid, bool *array);
/* The table or view whose row type (or its array) has this OID, or NULL. */
const TableInfo *cat_rowtype_rel(const CatView *cv, u32 oid, bool *array);
static inline bool cat_has_rowtype(const TableInfo *t) { return !t->sequence && !t->utype; }
/* An index by OID, and its table. */
const IndexInfo *cat_index_by_oid(const CatView *cv, u32 oid, const TableInfo **table);
const TableInfo *cat_rel_by_id(const CatView *cv, u32 id);

/* A column's pg_attribute.atttypid and atttypmod. */
u32 cat_col_typoid(const ColumnInfo *c);
i32 cat_pg_typmod(TypeId t, i32 typmod);
/* A column's position as pg_attribute.attnum (1-based over the columns a
 * user sees and the dropped ones; the hidden row id is not one), 0: none. */
int cat_attnum(const TableInfo *t, u32 colid);
const ColumnInfo *cat_col_by_attnum(const TableInfo *t, int attnum);

/* The built-in type of a type OID (false: not a built-in one). */
bool cat_builtin_type(u32 oid, TypeId *out);
/* format_type(oid, typmod): typmod_given false is format_type(oid, NULL)
 * (no modifiers; bpchar with typmod -1 is "bpchar", as PostgreSQL's).
 * false: unknown OID. */
bool cat_format_type(const CatView *cv, u32 oid, i32 pgtypmod, bool typmod_given, Buf *out);
/* Whether an object's name finds it through search_path (pg_table_is_visible,
 * pg_type_is_visible). */
bool cat_visible(const CatView *cv, const TableInfo *t);
/* An identifier as quote_ident writes it (PostgreSQL's quote_identifier:
 * as it is when all lower-case letters, digits and _ and not a keyword
 * other than an unreserved one, else in double quotes). */
void cat_quote_ident(const char *name, Buf *out);
void cat_quote_ident_n(const char *s, size_t len, Buf *out);
/* A relation's name as regclass prints it: qualified when not visible. */
void cat_relation_name(const CatView *cv, const TableInfo *t, const char *base, Buf *out);

/* The system relations (plan/syscat.c builds their rows): schema, name
 * and OID, PostgreSQL's where it has the relation.  by_oid gives
 * regclass's text ("pg_class", "information_schema.tables"); by_name the
 * OID of a name (schema NULL: pg_catalog, then information_schema is not
 * searched), 0 when none. */
typedef struct SysRelName { const char *schema; const char *name; u32 oid; } SysRelName;
extern const SysRelName sys_rel_names[];
extern const int nsys_rel_names;
const char *syscat_name_by_oid(u32 oid);
u32 syscat_oid_by_name(const char *schema, const char *name);

/* Whether t has a primary key of its own (not the hidden row id, nor
 * one that ALTER TABLE ADD PRIMARY KEY made as an index), which pg_index
 * and pg_constraint show as t_pkey. */
bool cat_has_pk(const TableInfo *t);
/* pg_get_indexdef(oid, col): CREATE [UNIQUE] INDEX ... (col 0), or column
 * col's text; pg_get_constraintdef(oid).  false: no such object. */
bool cat_indexdef(const CatView *cv, u32 oid, int col, bool pretty, Buf *out);
bool cat_constraintdef(const CatView *cv, u32 oid, bool pretty, Buf *out);
/* pg_get_expr of a DEFAULT or generation expression of column attnum of
 * relation relid (the text pg_attrdef.adbin holds), as PostgreSQL prints it. */
void cat_expr_text(const CatView *cv, const char *text, u32 relid, bool pretty, Buf *out);
/* pg_get_viewdef of view t: " query;", the query as PostgreSQL prints it
 * where the deparser can, else as written. */
void cat_viewdef(const CatView *cv, const TableInfo *t, bool pretty, Buf *out);
/* CHECK (e) of CHECK expression text of table t, as pg_get_constraintdef. */
void cat_check_def(const CatView *cv, const TableInfo *t, const char *text, bool pretty, Buf *out);

/* The functions pg_proc lists, as PostgreSQL 15's rows (its OIDs, names
 * and columns): the input / output / binary functions of the types
 * (pgcat.c), which pg_type's typinput, typoutput, typreceive and typsend
 * name, then the built-in functions DriftDB accepts and the support
 * functions the listed rows name (pgproc_data.c, generated by
 * scripts/gen_pg_proc.py).  cat_type_io(typname, kind) gives a built-in
 * type's I/O function (kind 0 in, 1 out, 2 recv, 3 send), "_array",
 * "_enum" or "_domain" the generic ones (0: none, as domains have no
 * output function of their own). */
u32 cat_type_io(const char *typname, int kind);
#define PROC_SECDEF 1u
#define PROC_LEAKPROOF 2u
#define PROC_STRICT 4u
#define PROC_RETSET 8u
#define PROC_SUPPORT 16u   /* listed because an operator or a function names it; not callable by name */
typedef struct CatProcRow {
    u32 oid;
    const char *name;
    u32 lang;                  /* 12 internal, 14 sql */
    float cost, rows;
    u32 variadic, support;     /* provariadic, prosupport */
    char kind;                 /* prokind: f, a, w */
    u8 flags;                  /* PROC_* */
    char volatility, parallel;
    u16 nargs, nargdefaults;
    u32 rettype;
    const u32 *args;           /* proargtypes, nargs of them */
    const u32 *allargs;        /* proallargtypes (NULL: none), nallargs of them */
    u16 nallargs;
    const char *argmodes;      /* proargmodes as one letter each, or NULL */
    const char *argnames;      /* proargnames joined by commas, or NULL */
    const char *argdefaults;   /* proargdefaults (pg_node_tree text), or NULL */
    const char *src, *sqlbody; /* prosrc, prosqlbody */
    const char *acl;           /* proacl's items joined by commas, or NULL */
    const char *fargs;         /* pg_get_function_arguments (NULL: the argument types) */
    const char *fidargs;       /* pg_get_function_identity_arguments (NULL: the same) */
    const char *fresult;       /* pg_get_function_result (NULL: the result type) */
    const char *fdef;          /* pg_get_functiondef when not internal, else NULL */
} CatProcRow;
extern const u32 cat_proc_argpool[];
extern const CatProcRow cat_proc_rows[];   /* sorted by oid */
extern const int ncat_proc_rows;
/* pg_proc's rows: i from 0 to cat_nprocs() - 1. */
int cat_nprocs(void);
const CatProcRow *cat_proc_at(int i);
const CatProcRow *cat_proc_by_oid(u32 oid);

/* pg_operator's rows: the built-in operators DriftDB accepts. */
typedef struct CatOperRow {
    u32 oid;
    const char *name;
    char kind;                 /* b infix, l prefix */
    bool canmerge, canhash;
    u32 left, right, result, com, negate, code, rest, join;
} CatOperRow;
extern const CatOperRow cat_oper_rows[];
extern const int ncat_oper_rows;
const CatOperRow *cat_oper_by_oid(u32 oid);

/* The pseudo-types pg_type lists (cstring, internal, any*, void): their
 * name for format_type and pg_type (NULL: not one). */
const char *cat_pseudo_type(u32 oid);
typedef struct CatPseudoType { u32 oid; const char *name; const char *shown; } CatPseudoType;
extern const CatPseudoType cat_pseudo_types[];
extern const int ncat_pseudo_types;

/* regprocedure's text of a function, "lower(text)" (false: no such OID). */
bool cat_regprocedure_out(const CatView *cv, u32 oid, Buf *out);

/* ValueCtx.reg_out / reg_in over SqlCtx arg (the present's catalog). */
bool cat_reg_out(void *arg, TypeId t, u32 oid, Buf *out);
int cat_reg_in(void *arg, TypeId t, const char *s, size_t len, u32 *oid, DdError *err);

#endif
