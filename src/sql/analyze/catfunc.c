/*
 * catfunc.c - the catalog functions clients call beside pg_catalog's
 * relations (docs/catalogs.md): format_type, pg_get_expr,
 * pg_get_indexdef, pg_get_constraintdef, pg_get_viewdef,
 * pg_table_is_visible, pg_get_userbyid, obj_description, col_description,
 * to_regclass and friends, the privilege checks, pg_size_pretty.  They
 * read the catalog of the present (catalog/pgcat.h).
 */
#include "expr.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../catalog/pgcat.h"
#include "../catalog/acl.h"
#include "../types/array.h"

static bool unknownish(TypeId t) { return t == TYPE_UNKNOWN || t == TYPE_NULLTYPE; }
static bool oidish(TypeId t) { return unknownish(t) || type_is_int(t) || type_is_oidlike(t); }

static Value text_out(EvalEnv *env, Buf *b)
{
    if (!buf_ok(b)) { buf_free(b); return val_null(TYPE_TEXT); }
    char *s = arena_alloc(env->sql->row, b->len + 1);
    if (!s) { buf_free(b); return val_null(TYPE_TEXT); }
    memcpy(s, b->len ? (const char *)b->data : "", b->len);
    s[b->len] = 0;
    Value v = val_text(TYPE_TEXT, s, (u32)b->len);
    buf_free(b);
    return v;
}
static Value cstr(EvalEnv *env, TypeId t, const char *s)
{
    char *c = arena_strdup(env->sql->row, s);
    return c ? val_text(t, c, (u32)strlen(c)) : val_null(t);
}
static u32 oid_arg(const Value *v) { return (u32)v->v.i; }
static int view(EvalEnv *env, const CatView **cv) { return catview_get(env->sql, SEQ_NONE, cv); }

/* ---------------------------------------------------------------- resolvers */

/* (oid, ...) -> ret: each argument an oid, except those the mask marks
 * int4 (bit 1 << i), text (1 << (8 + i)), bool (1 << (16 + i)) or
 * regclass (1 << (24 + i): a string is a relation's name). */
static bool resolve_mask(TypeId *a, int n, u32 mask, TypeId ret, TypeId *r)
{
    for (int i = 0; i < n; i++) {
        if (mask & (1u << i)) {
            if (!unknownish(a[i]) && !type_is_int(a[i])) return false;
            a[i] = TYPE_INT4;
        } else if (mask & (1u << (8 + i))) {
            if (!unknownish(a[i]) && !type_is_string(a[i])) return false;
            a[i] = TYPE_TEXT;
        } else if (mask & (1u << (16 + i))) {
            if (!unknownish(a[i]) && a[i] != TYPE_BOOL) return false;
            a[i] = TYPE_BOOL;
        } else if (mask & (1u << (24 + i))) {   /* regclass: a relation's name reads as one */
            if (!oidish(a[i]) && !type_is_string(a[i])) return false;
            if (!type_is_oidlike(a[i]) || a[i] == TYPE_OID) a[i] = type_is_string(a[i]) || unknownish(a[i]) ? TYPE_REGCLASS : TYPE_OID;
        } else {
            if (!oidish(a[i])) return false;
            a[i] = TYPE_OID;
        }
    }
    *r = ret;
    return true;
}
static bool r_oid_bool(TypeId *a, int n, TypeId *r) { return resolve_mask(a, n, 0, TYPE_BOOL, r); }
static bool r_regclass_bool(TypeId *a, int n, TypeId *r) { return resolve_mask(a, n, 1u << 24, TYPE_BOOL, r); }
static bool r_oid_name(TypeId *a, int n, TypeId *r) { return resolve_mask(a, n, 0, TYPE_NAME, r); }
static bool r_format_type(TypeId *a, int n, TypeId *r) { return resolve_mask(a, n, 2, TYPE_TEXT, r); }
/* pg_get_expr(text, oid [, bool]) */
static bool r_get_expr(TypeId *a, int n, TypeId *r) { return resolve_mask(a, n, (1u << 8) | (1u << 18), TYPE_TEXT, r); }
/* pg_get_indexdef(oid [, int4, bool]) */
static bool r_indexdef(TypeId *a, int n, TypeId *r) { return resolve_mask(a, n, 2 | (1u << 18), TYPE_TEXT, r); }
/* (oid [, bool]) -> text */
static bool r_oid_text_pretty(TypeId *a, int n, TypeId *r) { return resolve_mask(a, n, 1u << 17, TYPE_TEXT, r); }
static bool r_oid_text(TypeId *a, int n, TypeId *r) { return resolve_mask(a, n, 0, TYPE_TEXT, r); }
static bool r_regclass_int8(TypeId *a, int n, TypeId *r) { return resolve_mask(a, n, 1u << 24, TYPE_INT8, r); }
/* obj_description(oid [, name]) / shobj_description(oid, name) */
static bool r_obj_description(TypeId *a, int n, TypeId *r) { return resolve_mask(a, n, 1u << 9, TYPE_TEXT, r); }
/* col_description(oid, int4) */
static bool r_col_description(TypeId *a, int n, TypeId *r) { return resolve_mask(a, n, 2, TYPE_TEXT, r); }
static bool r_encoding(TypeId *a, int n, TypeId *r) { return resolve_mask(a, n, 1, TYPE_NAME, r); }
static bool r_none_bool(TypeId *a, int n, TypeId *r) { DD_UNUSED(a); DD_UNUSED(n); *r = TYPE_BOOL; return true; }
/* to_regclass(text) ... */
static bool r_to_reg(TypeId *a, int n, TypeId *r, TypeId t)
{
    DD_UNUSED(n);
    if (!unknownish(a[0]) && !type_is_string(a[0])) return false;
    a[0] = TYPE_TEXT;
    *r = t;
    return true;
}
static bool r_to_regclass(TypeId *a, int n, TypeId *r) { return r_to_reg(a, n, r, TYPE_REGCLASS); }
static bool r_to_regtype(TypeId *a, int n, TypeId *r) { return r_to_reg(a, n, r, TYPE_REGTYPE); }
static bool r_to_regnamespace(TypeId *a, int n, TypeId *r) { return r_to_reg(a, n, r, TYPE_REGNAMESPACE); }
static bool r_to_regrole(TypeId *a, int n, TypeId *r) { return r_to_reg(a, n, r, TYPE_REGROLE); }
static bool r_to_regproc(TypeId *a, int n, TypeId *r) { return r_to_reg(a, n, r, TYPE_REGPROC); }
static bool r_to_regprocedure(TypeId *a, int n, TypeId *r) { return r_to_reg(a, n, r, TYPE_REGPROCEDURE); }
/* has_*_privilege([user,] object, privilege): any types but the last text */
static bool r_privilege(TypeId *a, int n, TypeId *r)
{
    for (int i = 0; i < n - 1; i++)
        if (unknownish(a[i])) a[i] = TYPE_TEXT;
        else if (!type_is_string(a[i]) && !type_is_int(a[i]) && !type_is_oidlike(a[i])) return false;
    if (!unknownish(a[n - 1]) && !type_is_string(a[n - 1])) return false;
    a[n - 1] = TYPE_TEXT;
    *r = TYPE_BOOL;
    return true;
}
static bool r_size_pretty(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (unknownish(a[0]) || type_is_int(a[0])) a[0] = TYPE_INT8;
    else if (a[0] != TYPE_NUMERIC) return false;
    *r = TYPE_TEXT;
    return true;
}

/* ---------------------------------------------------------------- functions */

#define NULL_IF_NULL(t)                                                   \
    for (int i_ = 0; i_ < n; i_++)                                        \
        if (a[i_].isnull) { *out = val_null(t); return DD_OK; }

static int f_get_userbyid(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    NULL_IF_NULL(TYPE_NAME);
    char buf[32];
    u32 o = oid_arg(&a[0]);
    const char *u = o == OID_ROLE_DATABASE_OWNER ? "pg_database_owner"
                  : o == OID_ROLE_OWNER          ? acl_role_name(env->sql, ROLE_BOOTSTRAP_ID)
                  : o >= OID_OBJECT_BASE         ? acl_role_name(env->sql, o - OID_OBJECT_BASE)
                                                 : NULL;
    if (!u) {
        snprintf(buf, sizeof buf, "unknown (OID=%u)", o);
        u = buf;
    }
    *out = cstr(env, TYPE_NAME, u);
    return DD_OK;
}

static int f_table_is_visible(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    NULL_IF_NULL(TYPE_BOOL);
    const CatView *cv;
    int rc = view(env, &cv);
    if (rc) return rc;
    u32 oid = oid_arg(&a[0]);
    const TableInfo *t = cat_rel_by_oid(cv, oid);
    if (!t && oid >= OID_PKIDX_BASE && oid < OID_KEYCON_BASE) t = cat_rel_by_id(cv, oid - OID_PKIDX_BASE);
    if (!t) cat_index_by_oid(cv, oid, &t);
    if (!t) {
        const char *sys = syscat_name_by_oid(oid);
        *out = sys ? val_bool(strchr(sys, '.') == NULL) : val_null(TYPE_BOOL);
        return DD_OK;
    }
    *out = val_bool(cat_visible(cv, t));
    return DD_OK;
}

static int f_type_is_visible(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    NULL_IF_NULL(TYPE_BOOL);
    const CatView *cv;
    int rc = view(env, &cv);
    if (rc) return rc;
    TypeId bt;
    if (cat_builtin_type(oid_arg(&a[0]), &bt)) { *out = val_bool(true); return DD_OK; }
    bool arr;
    const TableInfo *u = cat_type_by_oid(cv, oid_arg(&a[0]), &arr);
    *out = u ? val_bool(cat_visible(cv, u)) : val_null(TYPE_BOOL);
    return DD_OK;
}

/* The functions pg_proc lists are pg_catalog's, always visible; NULL for
 * an OID that names none, as PostgreSQL answers. */
static int f_function_is_visible(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(env); DD_UNUSED(loc);
    NULL_IF_NULL(TYPE_BOOL);
    *out = cat_proc_by_oid(oid_arg(&a[0])) ? val_bool(true) : val_null(TYPE_BOOL);   /* all in pg_catalog */
    return DD_OK;
}
static int f_null_text(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(env); DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    *out = val_null(TYPE_TEXT);
    return DD_OK;
}

/* A function's argument types as format_type names joined by ", " (the
 * text of the rows pgcat.c makes, which keeps none). */
static void arg_types_text(const CatView *cv, const CatProcRow *p, Buf *b)
{
    for (int i = 0; i < p->nargs; i++) {
        if (i) buf_puts(b, ", ");
        cat_format_type(cv, p->args[i], -1, false, b);
    }
}
static void result_text(const CatView *cv, const CatProcRow *p, Buf *b)
{
    if (p->fresult) { buf_puts(b, p->fresult); return; }
    if (p->flags & PROC_RETSET) buf_puts(b, "SETOF ");
    cat_format_type(cv, p->rettype, -1, false, b);
}

/* pg_get_function_result / _arguments / _identity_arguments of the
 * functions pg_proc lists (PostgreSQL's text, kept with the rows); NULL
 * for an OID that names no function, as PostgreSQL. */
enum { FT_RESULT, FT_ARGS, FT_IDARGS };
static int function_text(EvalEnv *env, const Value *a, int n, Value *out, int which)
{
    NULL_IF_NULL(TYPE_TEXT);
    const CatProcRow *p = cat_proc_by_oid(oid_arg(&a[0]));
    if (!p) { *out = val_null(TYPE_TEXT); return DD_OK; }
    const CatView *cv;
    int rc = view(env, &cv);
    if (rc) return rc;
    Buf b;
    buf_init(&b);
    const char *kept = which == FT_ARGS ? p->fargs : p->fidargs;
    if (which == FT_RESULT) result_text(cv, p, &b);
    else if (kept) buf_puts(&b, kept);
    else arg_types_text(cv, p, &b);
    *out = text_out(env, &b);
    return DD_OK;
}
static int f_function_result(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    return function_text(env, a, n, out, FT_RESULT);
}
static int f_function_arguments(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    return function_text(env, a, n, out, FT_ARGS);
}
static int f_function_identity_arguments(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    return function_text(env, a, n, out, FT_IDARGS);
}

/* pg_operator_is_visible: the operators pg_operator lists are
 * pg_catalog's, always visible; NULL for an OID that names none. */
static int f_operator_is_visible(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(env); DD_UNUSED(loc);
    NULL_IF_NULL(TYPE_BOOL);
    *out = cat_oper_by_oid(oid_arg(&a[0])) ? val_bool(true) : val_null(TYPE_BOOL);
    return DD_OK;
}

static int f_format_type(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null(TYPE_TEXT); return DD_OK; }
    const CatView *cv;
    int rc = view(env, &cv);
    if (rc) return rc;
    Buf b;
    buf_init(&b);
    bool given = n > 1 && !a[1].isnull;
    if (oid_arg(&a[0]) == 0) buf_putc(&b, '-');   /* no type, as PostgreSQL prints it */
    else if (!cat_format_type(cv, oid_arg(&a[0]), given ? (i32)a[1].v.i : -1, given, &b)) buf_puts(&b, "???");
    *out = text_out(env, &b);
    return DD_OK;
}

static int f_get_expr(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (a[0].isnull || a[1].isnull) { *out = val_null(TYPE_TEXT); return DD_OK; }
    DD_UNUSED(n);
    const CatView *cv;
    int rc = view(env, &cv);
    if (rc) return rc;
    char *text = arena_alloc(env->sql->row, a[0].v.s.len + 1);
    if (!text) return DD_ENOMEM;
    memcpy(text, a[0].v.s.p, a[0].v.s.len);
    text[a[0].v.s.len] = 0;
    Buf b;
    buf_init(&b);
    cat_expr_text(cv, text, oid_arg(&a[1]), n > 2 && !a[2].isnull && a[2].v.b, &b);
    *out = text_out(env, &b);
    return DD_OK;
}

/* pg_get_indexdef(oid [, col, pretty]) and pg_get_constraintdef(oid [,
 * pretty]): the definition, NULL for an OID that names none. */
static int definition(EvalEnv *env, const Value *a, int n, Value *out, bool index)
{
    NULL_IF_NULL(TYPE_TEXT);
    const CatView *cv;
    int rc = view(env, &cv);
    if (rc) return rc;
    Buf b;
    buf_init(&b);
    bool found = index ? cat_indexdef(cv, oid_arg(&a[0]), n > 1 ? (int)a[1].v.i : 0, n > 2 && !a[2].isnull && a[2].v.b, &b)
                       : cat_constraintdef(cv, oid_arg(&a[0]), n > 1 && a[1].v.b, &b);
    if (!found) {
        buf_free(&b);
        *out = val_null(TYPE_TEXT);
        return DD_OK;
    }
    *out = text_out(env, &b);
    return DD_OK;
}
static int f_indexdef(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    return definition(env, a, n, out, true);
}
static int f_constraintdef(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    return definition(env, a, n, out, false);
}

/* pg_get_viewdef(oid | text [, bool]): a text argument names the view */
static bool r_viewdef(TypeId *a, int n, TypeId *r) { return resolve_mask(a, n, (1u << 24) | (1u << 17), TYPE_TEXT, r); }
static int f_viewdef(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    NULL_IF_NULL(TYPE_TEXT);
    const CatView *cv;
    int rc = view(env, &cv);
    if (rc) return rc;
    const TableInfo *t = cat_rel_by_oid(cv, oid_arg(&a[0]));
    if (!t || !t->view_sql) { *out = val_null(TYPE_TEXT); return DD_OK; }
    /* PostgreSQL's form: a blank, the query, a semicolon (pg_dump cuts it) */
    Buf b;
    buf_init(&b);
    cat_viewdef(cv, t, n > 1 && !a[1].isnull && a[1].v.b, &b);
    *out = text_out(env, &b);
    return DD_OK;
}

static int f_encoding_to_char(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    NULL_IF_NULL(TYPE_NAME);
    *out = cstr(env, TYPE_NAME, a[0].v.i == 6 ? "UTF8" : a[0].v.i == 0 ? "SQL_ASCII" : "");
    return DD_OK;
}

/* The comment on object oid (of catalog classoid: pg_class's by default),
 * or on column attnum of it. */
static int description(EvalEnv *env, u32 oid, int attnum, Value *out)
{
    const CatView *cv;
    int rc = view(env, &cv);
    if (rc) return rc;
    *out = val_null(TYPE_TEXT);
    const TableInfo *t = cat_rel_by_oid(cv, oid);
    if (!t) return DD_OK;
    for (int k = 0; k < t->ncomments; k++) {
        u32 col = t->comments[k].col;
        if ((attnum == 0 && col == 0) || (attnum > 0 && col && cat_attnum(t, col) == attnum)) {
            *out = cstr(env, TYPE_TEXT, t->comments[k].text);
            break;
        }
    }
    return DD_OK;
}
static int f_obj_description(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    NULL_IF_NULL(TYPE_TEXT);
    if (n > 1 && a[1].v.s.len == 12 && memcmp(a[1].v.s.p, "pg_namespace", 12) == 0) {
        /* public's, as initdb leaves it (pg_description) */
        *out = oid_arg(&a[0]) == OID_NS_PUBLIC && sql_schema_exists(env->sql, "public")
                   ? cstr(env, TYPE_TEXT, "standard public schema") : val_null(TYPE_TEXT);
        return DD_OK;
    }
    if (n > 1 && !(a[1].v.s.len == 8 && memcmp(a[1].v.s.p, "pg_class", 8) == 0)) {
        *out = val_null(TYPE_TEXT);   /* comments are kept on relations and columns only */
        return DD_OK;
    }
    return description(env, oid_arg(&a[0]), 0, out);
}
static int f_col_description(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    NULL_IF_NULL(TYPE_TEXT);
    if (a[1].v.i <= 0) { *out = val_null(TYPE_TEXT); return DD_OK; }
    return description(env, oid_arg(&a[0]), (int)a[1].v.i, out);
}

static int to_reg(EvalEnv *env, const Value *a, Value *out, TypeId t)
{
    if (a[0].isnull) { *out = val_null(t); return DD_OK; }
    DdError saved = *env->sql->err;
    u32 oid = 0;
    const char *s = a[0].v.s.p;
    size_t len = a[0].v.s.len;
    bool digits = len > 0;
    for (size_t i = 0; i < len; i++) digits &= s[i] >= '0' && s[i] <= '9';
    int rc;
    if (digits) {   /* a name, not an OID: none is all digits */
        *out = val_null(t);
        return DD_OK;
    }
    rc = cat_reg_in(env->sql, t, s, len, &oid, env->sql->err);
    if (rc == DD_ENOMEM) return rc;
    if (rc) {
        /* a name's syntax is an error, as in PostgreSQL; not found: NULL */
        if (rc == DD_EINVALID_NAME || rc == DD_ESYNTAX || rc == DD_EFEATURE) return rc;
        *env->sql->err = saved;   /* not found: NULL */
        *out = val_null(t);
        return DD_OK;
    }
    *out = val_int(t, oid);
    return DD_OK;
}
static int f_to_regclass(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return to_reg(env, a, out, TYPE_REGCLASS); }
static int f_to_regtype(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return to_reg(env, a, out, TYPE_REGTYPE); }
static int f_to_regnamespace(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return to_reg(env, a, out, TYPE_REGNAMESPACE); }
static int f_to_regrole(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return to_reg(env, a, out, TYPE_REGROLE); }
static int f_to_regproc(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return to_reg(env, a, out, TYPE_REGPROC); }
static int f_to_regprocedure(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return to_reg(env, a, out, TYPE_REGPROCEDURE); }

/* has_*_privilege([role,] object, privileges): whether the role (the
 * current one without) holds any of the privileges named (catalog/acl.h;
 * "... WITH GRANT OPTION": the option to grant it).  Columns have their
 * table's privileges (DriftDB keeps none per column); functions, types
 * and the database's CONNECT and TEMPORARY are everyone's, as PostgreSQL's
 * defaults; CREATE on the database is its owner's and superusers'. */
enum { PRIV_TABLE, PRIV_SEQUENCE, PRIV_COLUMN, PRIV_ANYCOL, PRIV_SCHEMA, PRIV_DATABASE, PRIV_FUNCTION, PRIV_TYPE };
static int privilege(EvalEnv *env, const Value *a, int n, Value *out, int kind)
{
    NULL_IF_NULL(TYPE_BOOL);
    const Value *p = &a[n - 1];
    /* the privileges each kind of object has, as PostgreSQL 15 names them */
    static const char *const privs[][8] = {
        [PRIV_TABLE] = {"select", "insert", "update", "delete", "truncate", "references", "trigger"},
        [PRIV_SEQUENCE] = {"usage", "select", "update"},
        [PRIV_COLUMN] = {"select", "insert", "update", "references"},
        [PRIV_ANYCOL] = {"select", "insert", "update", "references"},
        [PRIV_SCHEMA] = {"usage", "create"},
        [PRIV_DATABASE] = {"create", "connect", "temporary", "temp"},
        [PRIV_FUNCTION] = {"execute"},
        [PRIV_TYPE] = {"usage"},
    };
    const char *const *known = privs[kind];
    u32 want = 0, want_opt = 0;
    const char *s = p->v.s.p;
    size_t len = p->v.s.len, i = 0;
    while (i < len) {
        while (i < len && (s[i] == ' ' || s[i] == ',')) i++;
        size_t st = i;
        while (i < len && s[i] != ',') i++;
        size_t e = i;
        while (e > st && s[e - 1] == ' ') e--;
        if (e == st) continue;
        char word[48];
        size_t wl = 0;
        for (size_t k = st; k < e && wl < sizeof word - 1; k++) {
            char c = s[k];
            if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
            word[wl++] = c;
        }
        word[wl] = 0;
        char *opt = strstr(word, " with grant option");
        if (opt) *opt = 0;
        bool ok = false;
        for (size_t k = 0; k < 8 && known[k]; k++) ok |= strcmp(known[k], word) == 0;
        if (!ok)
            return dd_err(env->sql->err, DD_EINVALID_PARAM, -1, "unrecognized privilege type: \"%.*s\"",
                          (int)(e - st), s + st);
        static const struct { const char *w; u32 bit; } bits[] = {
            {"select", ACL_SELECT}, {"insert", ACL_INSERT}, {"update", ACL_UPDATE}, {"delete", ACL_DELETE},
            {"truncate", ACL_TRUNCATE}, {"references", ACL_REFERENCES}, {"trigger", ACL_TRIGGER},
            {"usage", ACL_USAGE}, {"create", ACL_CREATE}, {"connect", ACL_CONNECT}, {"temporary", ACL_TEMPORARY},
            {"temp", ACL_TEMPORARY}, {"execute", ACL_EXECUTE},
        };
        for (size_t k = 0; k < DD_ARRAY_LEN(bits); k++)
            if (strcmp(bits[k].w, word) == 0) {
                if (opt) want_opt |= bits[k].bit;
                else want |= bits[k].bit;
            }
    }
    /* the role asked about */
    AclWho who;
    const AclWho *w = &who;
    int wrc;
    if (n - (kind == PRIV_COLUMN ? 3 : 2) == 1) {
        const Value *u = &a[0];
        u32 id = 0;
        bool found = false;
        if (type_is_string((TypeId)u->type)) {
            char nm[CAT_MAX_NAME + 1];
            snprintf(nm, sizeof nm, "%.*s", (int)(u->v.s.len > CAT_MAX_NAME ? CAT_MAX_NAME : u->v.s.len), u->v.s.p);
            if ((wrc = acl_role_id(env->sql, nm, &id, &found))) return wrc;
            if (!found) return dd_err(env->sql->err, DD_EUNDEFINED_OBJECT, -1, "role \"%s\" does not exist", nm);
        } else {
            u32 o = oid_arg(u);
            id = o == OID_ROLE_OWNER ? ROLE_BOOTSTRAP_ID : o - OID_OBJECT_BASE;
            if (o != OID_ROLE_OWNER && o < OID_OBJECT_BASE) { *out = val_null(TYPE_BOOL); return DD_OK; }
        }
        if ((wrc = acl_who_of(env->sql, id, &who, &found))) return wrc;
        if (!found) { *out = val_null(TYPE_BOOL); return DD_OK; }
    } else {
        bool as = env->sql->acl_as_set;
        env->sql->acl_as_set = false;
        wrc = acl_who(env->sql, &w);
        env->sql->acl_as_set = as;
        if (wrc) return wrc;
    }
    /* the object must exist: by name, PostgreSQL's error for a missing
     * one; by OID, NULL for one that names none */
    const Value *obj = &a[kind == PRIV_COLUMN ? n - 3 : n - 2];
    bool schema = kind == PRIV_SCHEMA;
    const TableInfo *target = NULL;
    const char *target_schema = NULL;
    if (kind == PRIV_TABLE || kind == PRIV_SEQUENCE || kind == PRIV_COLUMN || kind == PRIV_ANYCOL || schema) {
        TypeId rt = schema ? TYPE_REGNAMESPACE : TYPE_REGCLASS;
        u32 oid;
        bool named = type_is_string((TypeId)obj->type);
        const CatView *cv;
        int rc = view(env, &cv);
        if (rc) return rc;
        if (named) {
            rc = cat_reg_in(env->sql, rt, obj->v.s.p, obj->v.s.len, &oid, env->sql->err);
            if (rc) return rc;
        } else {
            oid = oid_arg(obj);
            const TableInfo *o;
            bool found = schema ? cat_ns_by_oid(cv, oid) != NULL
                                : cat_rel_by_oid(cv, oid) || cat_index_by_oid(cv, oid, &o) || syscat_name_by_oid(oid);
            if (!found) { *out = val_null(TYPE_BOOL); return DD_OK; }
        }
        if (schema) target_schema = cat_ns_by_oid(cv, oid);
        else target = cat_rel_by_oid(cv, oid);
        if (kind == PRIV_SEQUENCE) {   /* a sequence's privileges of a sequence only */
            const TableInfo *r = cat_rel_by_oid(cv, oid);
            if (!r || !r->sequence) {
                if (named)
                    return dd_err(env->sql->err, DD_EWRONG_OBJECT_TYPE, -1, "\"%.*s\" is not a sequence",
                                  (int)obj->v.s.len, obj->v.s.p);
                const TableInfo *o;
                const IndexInfo *ix = r ? NULL : cat_index_by_oid(cv, oid, &o);
                const char *nm = r ? name_base(r->name) : ix ? name_base(ix->name) : syscat_name_by_oid(oid);
                return dd_err(env->sql->err, DD_EWRONG_OBJECT_TYPE, -1, "\"%s\" is not a sequence", nm ? nm : "?");
            }
        }
    }
    bool held;
    u32 all = want | want_opt;
    if (w->super) {
        held = true;
    } else if (kind == PRIV_DATABASE) {
        bool owner = false;
        for (int i = 0; i < w->nroles; i++) owner |= w->roles[i] == ROLE_BOOTSTRAP_ID;
        held = owner || (all & ~ACL_CREATE) != 0;
    } else if (kind == PRIV_FUNCTION || kind == PRIV_TYPE) {
        held = true;
    } else if (target && !target->temp) {
        held = acl_mask(env->sql, w, target, want) != 0 || (want_opt && acl_owns(env->sql, w, target)) ||
               acl_grant_mask(env->sql, w, target, want_opt) != 0;
    } else if (target_schema) {
        const TableInfo *so = acl_schema_object(env->sql, target_schema);
        if (so) {
            held = acl_mask(env->sql, w, so, want) != 0 || (want_opt && acl_owns(env->sql, w, so)) ||
                   acl_grant_mask(env->sql, w, so, want_opt) != 0;
        } else if (strcmp(target_schema, "public") == 0) {
            bool owner = false;
            for (int i = 0; i < w->nroles; i++) owner |= w->roles[i] == ROLE_BOOTSTRAP_ID;
            held = owner || (want & ACL_USAGE);
        } else {
            held = (want & ACL_USAGE) != 0;   /* pg_catalog, information_schema */
        }
    } else {
        held = (want & ACL_SELECT) != 0 || (target && target->temp);   /* system relations; temporary ones */
    }
    *out = val_bool(held);
    return DD_OK;
}
static int f_table_privilege(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return privilege(env, a, n, out, PRIV_TABLE); }
static int f_anycol_privilege(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return privilege(env, a, n, out, PRIV_ANYCOL); }
static int f_sequence_privilege(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return privilege(env, a, n, out, PRIV_SEQUENCE); }
static int f_database_privilege(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return privilege(env, a, n, out, PRIV_DATABASE); }
static int f_function_privilege(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return privilege(env, a, n, out, PRIV_FUNCTION); }
static int f_type_privilege(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return privilege(env, a, n, out, PRIV_TYPE); }
static int f_column_privilege(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return privilege(env, a, n, out, PRIV_COLUMN); }
static int f_schema_privilege(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return privilege(env, a, n, out, PRIV_SCHEMA); }

static int f_false(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(env); DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    *out = val_bool(false);
    return DD_OK;
}

/* pg_size_pretty: bytes, kB, MB, GB, TB (PB for numeric) rounding half
 * away from zero at each step of 1024, a unit used below 10240 of it. */
static int f_size_pretty(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    NULL_IF_NULL(TYPE_TEXT);
    i64 v;
    if (a[0].type == TYPE_NUMERIC) {
        if (numeric_value_to_int64(&a[0], &v) != 0)
            return dd_err(env->sql->err, DD_EFEATURE, -1, "pg_size_pretty of a numeric beyond bigint");
    } else {
        v = a[0].v.i;
    }
    static const char *const units[] = {"bytes", "kB", "MB", "GB", "TB", "PB"};
    i64 limit = 10 * 1024, lim2 = limit * 2 - 1;
    char buf[64];
    i64 size = v;
    int u = 0;
    if ((size < 0 ? -size : size) < limit) {
        snprintf(buf, sizeof buf, "%lld bytes", (long long)size);
    } else {
        size /= 1 << 9;   /* keep one extra bit for rounding */
        u = 1;
        while ((size < 0 ? -size : size) >= lim2 && u < 5) {
            size /= 1 << 10;
            u++;
        }
        size = (size + (size < 0 ? -1 : 1)) / 2;   /* half away from zero */
        snprintf(buf, sizeof buf, "%lld %s", (long long)size, units[u]);
    }
    *out = cstr(env, TYPE_TEXT, buf);
    return DD_OK;
}

/* pg_partition_ancestors(regclass) is unnest($partition_ancestors(r))
 * (srfcall.c): a relation and the partitioned tables above it.  DriftDB
 * has no partitions, so the array holds the relation alone. */
static bool r_partition_ancestors(TypeId *a, int n, TypeId *r)
{
    return resolve_mask(a, n, 1u << 24, type_array_of(TYPE_REGCLASS), r);
}
static int f_partition_ancestors(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    NULL_IF_NULL(type_array_of(TYPE_REGCLASS));
    ArrayVal arr;
    array_init(&arr, TYPE_REGCLASS);
    int rc = array_set_1d(&arr, env->sql->row, 1);
    if (rc) return rc;
    arr.items[0] = val_int(TYPE_REGCLASS, oid_arg(&a[0]));
    return array_to_value(&arr, env->sql->row, out, env->sql->err);
}

static bool r_none_text(TypeId *a, int n, TypeId *r) { DD_UNUSED(a); DD_UNUSED(n); *r = TYPE_TEXT; return true; }

/* Advisory locks: pg_advisory_lock(bigint) or (integer, integer) and its
 * kin.  The key: its form (1: one bigint, 2: two integers) then 8 bytes.
 * PostgreSQL's void results are text '' here (DriftDB has no void type;
 * clients read both as an empty value).  pg_advisory_unlock of a lock not
 * held returns false (PostgreSQL also warns). */
static bool r_advisory(TypeId *a, int n, TypeId *r, TypeId ret)
{
    for (int i = 0; i < n; i++) {
        if (unknownish(a[i]) || type_is_int(a[i])) a[i] = n == 1 ? TYPE_INT8 : TYPE_INT4;
        else return false;
    }
    *r = ret;
    return true;
}
static bool r_advisory_void(TypeId *a, int n, TypeId *r) { return r_advisory(a, n, r, TYPE_TEXT); }
static bool r_advisory_bool(TypeId *a, int n, TypeId *r) { return r_advisory(a, n, r, TYPE_BOOL); }

enum { ADV_SHARED = 1, ADV_XACT = 2, ADV_BOOL = 4 };
static int advisory(EvalEnv *env, const Value *a, int n, Value *out, int op, int flags)
{
    SqlCtx *ctx = env->sql;
    u8 key[9] = {0};
    if (op != ADVISORY_UNLOCK_ALL) {
        for (int i = 0; i < n; i++)
            if (a[i].isnull) {
                *out = val_null((flags & ADV_BOOL) ? TYPE_BOOL : TYPE_TEXT);
                return DD_OK;
            }
        u64 k = n == 1 ? (u64)a[0].v.i : ((u64)(u32)a[0].v.i << 32) | (u64)(u32)a[1].v.i;
        key[0] = (u8)n;
        for (int i = 0; i < 8; i++) key[1 + i] = (u8)(k >> (56 - 8 * i));
    }
    if (!ctx->advisory) return dd_err(ctx->err, DD_EFEATURE, -1, "advisory locks are not available here");
    bool ok;
    int rc = ctx->advisory(ctx, op, key, (flags & ADV_SHARED) != 0, (flags & ADV_XACT) == 0, &ok);
    if (rc) return rc;
    *out = (flags & ADV_BOOL) ? val_bool(ok) : val_text(TYPE_TEXT, "", 0);
    return DD_OK;
}
#define ADVISORY_FN(name, op, flags) \
    static int name(EvalEnv *env, const Value *a, int n, Value *out, int loc) \
    { DD_UNUSED(loc); return advisory(env, a, n, out, op, flags); }
ADVISORY_FN(f_adv_lock, ADVISORY_LOCK, 0)
ADVISORY_FN(f_adv_lock_shared, ADVISORY_LOCK, ADV_SHARED)
ADVISORY_FN(f_adv_xact_lock, ADVISORY_LOCK, ADV_XACT)
ADVISORY_FN(f_adv_xact_lock_shared, ADVISORY_LOCK, ADV_XACT | ADV_SHARED)
ADVISORY_FN(f_adv_try, ADVISORY_TRY, ADV_BOOL)
ADVISORY_FN(f_adv_try_shared, ADVISORY_TRY, ADV_BOOL | ADV_SHARED)
ADVISORY_FN(f_adv_try_xact, ADVISORY_TRY, ADV_BOOL | ADV_XACT)
ADVISORY_FN(f_adv_try_xact_shared, ADVISORY_TRY, ADV_BOOL | ADV_XACT | ADV_SHARED)
ADVISORY_FN(f_adv_unlock, ADVISORY_UNLOCK, ADV_BOOL)
ADVISORY_FN(f_adv_unlock_shared, ADVISORY_UNLOCK, ADV_BOOL | ADV_SHARED)
ADVISORY_FN(f_adv_unlock_all, ADVISORY_UNLOCK_ALL, 0)

/* The sizes: what a relation holds in the store (store_table_size), in
 * bytes of LMDB keys and values.  A table's own bytes are its live rows
 * and every version of its history; an index's its entries. */
enum { SIZE_RELATION, SIZE_TABLE, SIZE_INDEXES, SIZE_TOTAL };
static int relation_size(EvalEnv *env, const Value *a, int n, Value *out, int which)
{
    NULL_IF_NULL(TYPE_INT8);
    const CatView *cv;
    int rc = view(env, &cv);
    if (rc) return rc;
    u32 oid = oid_arg(&a[0]);
    const TableInfo *t = cat_rel_by_oid(cv, oid);
    const IndexInfo *ix = NULL;
    if (!t && oid >= OID_PKIDX_BASE && oid < OID_KEYCON_BASE) {
        /* a primary key's index is the table's own key order: no bytes of its own */
        *out = cat_rel_by_id(cv, oid - OID_PKIDX_BASE) ? val_int(TYPE_INT8, 0) : val_null(TYPE_INT8);
        return DD_OK;
    }
    if (!t) ix = cat_index_by_oid(cv, oid, &t);
    if (!t) { *out = val_null(TYPE_INT8); return DD_OK; }
    if (t->view_sql || t->sequence || t->temp) {
        /* a view has no rows; a sequence is one value; a temporary table's
         * rows live in the session, not the store */
        *out = val_int(TYPE_INT8, 0);
        return DD_OK;
    }
    StoreTableSize sz;
    if (ix) {   /* an index: its entries alone */
        i64 b = 0;
        if (which != SIZE_INDEXES && (rc = store_index_bytes(env->sql->snap, ix, &b, env->sql->err))) return rc;
        *out = val_int(TYPE_INT8, b);
        return DD_OK;
    }
    if ((rc = store_table_size(env->sql->snap, t, &sz, env->sql->err))) return rc;
    i64 heap = sz.live_bytes + sz.version_bytes;
    i64 v = which == SIZE_INDEXES ? sz.index_bytes : which == SIZE_TOTAL ? heap + sz.index_bytes : heap;
    *out = val_int(TYPE_INT8, v);
    return DD_OK;
}
static bool r_relation_size(TypeId *a, int n, TypeId *r) { return resolve_mask(a, n, (1u << 9) | (1u << 24), TYPE_INT8, r); }
static int f_relation_size(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (n > 1 && !a[1].isnull && !(a[1].v.s.len == 4 && memcmp(a[1].v.s.p, "main", 4) == 0)) {
        static const char *const forks[] = {"fsm", "vm", "init"};
        for (size_t i = 0; i < DD_ARRAY_LEN(forks); i++)
            if (a[1].v.s.len == strlen(forks[i]) && memcmp(a[1].v.s.p, forks[i], a[1].v.s.len) == 0) {
                *out = val_int(TYPE_INT8, 0);   /* DriftDB keeps no such fork */
                return DD_OK;
            }
        return dd_err(env->sql->err, DD_EINVALID_PARAM, -1, "invalid fork name");
    }
    return relation_size(env, a, 1, out, SIZE_RELATION);
}
static int f_table_size(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return relation_size(env, a, n, out, SIZE_TABLE); }
static int f_indexes_size(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return relation_size(env, a, n, out, SIZE_INDEXES); }
static int f_total_size(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return relation_size(env, a, n, out, SIZE_TOTAL); }

/* acldefault(objtype, owner): the privileges an object of that kind has
 * before any GRANT, as PostgreSQL's (aclitem[] read as text[]). */
static bool r_acldefault(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (!unknownish(a[0]) && a[0] != TYPE_CHAR && !type_is_string(a[0])) return false;
    if (!oidish(a[1])) return false;
    a[0] = TYPE_CHAR;
    a[1] = TYPE_OID;
    *r = type_array_of(TYPE_TEXT);
    return true;
}
static int f_acldefault(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    NULL_IF_NULL(type_array_of(TYPE_TEXT));
    static const struct { char t; const char *world, *owner; } acl[] = {
        {'c', NULL, NULL}, {'r', NULL, "arwdDxt"}, {'s', NULL, "rwU"}, {'d', "Tc", "CTc"}, {'f', "X", "X"},
        {'l', "U", "U"}, {'L', NULL, "rw"}, {'n', NULL, "UC"}, {'t', NULL, "C"}, {'F', NULL, "U"}, {'S', NULL, "U"},
        {'T', "U", "U"}, {'p', NULL, "sA"},
    };
    char t = (char)a[0].v.i;
    int k = -1;
    for (size_t i = 0; i < DD_ARRAY_LEN(acl); i++)
        if (acl[i].t == t) k = (int)i;
    if (k < 0) return dd_err(env->sql->err, DD_EINTERNAL, -1, "unrecognized object type abbreviation: %c", t);
    Value owner;
    int rc = f_get_userbyid(env, &a[1], 1, &owner, -1);
    if (rc) return rc;
    ArrayVal arr;
    array_init(&arr, TYPE_TEXT);
    int m = (acl[k].world ? 1 : 0) + (acl[k].owner ? 1 : 0);
    if (m == 0) return array_to_value(&arr, env->sql->row, out, env->sql->err);
    if ((rc = array_set_1d(&arr, env->sql->row, (u32)m))) return rc;
    int i = 0;
    Buf b;
    if (acl[k].world) {
        buf_init(&b);
        buf_printf(&b, "=%s/", acl[k].world);
        cat_quote_ident_n(owner.v.s.p, owner.v.s.len, &b);
        arr.items[i++] = text_out(env, &b);
    }
    buf_init(&b);
    cat_quote_ident_n(owner.v.s.p, owner.v.s.len, &b);
    buf_printf(&b, "=%s/", acl[k].owner);
    cat_quote_ident_n(owner.v.s.p, owner.v.s.len, &b);
    arr.items[i++] = text_out(env, &b);
    return array_to_value(&arr, env->sql->row, out, env->sql->err);
}

/* pg_tablespace_location(oid): '' for the default tablespaces (in the
 * data directory), NULL for an OID that names none. */
static int f_tablespace_location(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    NULL_IF_NULL(TYPE_TEXT);
    u32 o = oid_arg(&a[0]);
    *out = o == 1663 || o == 1664 || o == 0 ? cstr(env, TYPE_TEXT, "") : val_null(TYPE_TEXT);
    return DD_OK;
}

/* pg_describe_object(classid, objid, objsubid): "table t", "column c of
 * table t", "index i", "sequence s", "view v", "type t", "schema s",
 * "constraint c on table t". */
static bool r_describe(TypeId *a, int n, TypeId *r) { return resolve_mask(a, n, 4, TYPE_TEXT, r); }
static int f_describe_object(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    NULL_IF_NULL(TYPE_TEXT);
    const CatView *cv;
    int rc = view(env, &cv);
    if (rc) return rc;
    u32 cls = oid_arg(&a[0]), oid = oid_arg(&a[1]);
    int sub = (int)a[2].v.i;
    Buf b;
    buf_init(&b);
    if (cls == OID_PG_CLASS) {
        const TableInfo *t = cat_rel_by_oid(cv, oid);
        const char *sys = syscat_name_by_oid(oid);
        if (t) {
            const char *kind = t->view_sql ? "view" : t->sequence ? "sequence" : "table";
            if (sub > 0) {
                const ColumnInfo *c = cat_col_by_attnum(t, sub);
                if (!c) { buf_free(&b); *out = val_null(TYPE_TEXT); return DD_OK; }
                buf_puts(&b, "column ");
                cat_quote_ident(c->name, &b);
                buf_printf(&b, " of %s ", kind);
            } else {
                buf_printf(&b, "%s ", kind);
            }
            cat_relation_name(cv, t, name_base(t->name), &b);
        } else if (cat_index_by_oid(cv, oid, &t) || (oid >= OID_PKIDX_BASE && oid < OID_KEYCON_BASE)) {
            Value rn = val_int(TYPE_REGCLASS, oid);
            buf_puts(&b, "index ");
            if (!cat_reg_out(env->sql, TYPE_REGCLASS, oid, &b)) { buf_free(&b); *out = val_null(TYPE_TEXT); return DD_OK; }
            DD_UNUSED(rn);
        } else if (sys) {
            buf_printf(&b, "%s %s", strchr(sys, '.') || oid >= 12000 ? "view" : "table", sys);
        } else {
            buf_free(&b);
            *out = val_null(TYPE_TEXT);
            return DD_OK;
        }
    } else if (cls == OID_PG_TYPE) {
        buf_puts(&b, "type ");
        if (!cat_format_type(cv, oid, -1, false, &b)) { buf_free(&b); *out = val_null(TYPE_TEXT); return DD_OK; }
    } else if (cls == OID_PG_NAMESPACE) {
        const char *ns = cat_ns_by_oid(cv, oid);
        if (!ns) { buf_free(&b); *out = val_null(TYPE_TEXT); return DD_OK; }
        buf_puts(&b, "schema ");
        cat_quote_ident(ns, &b);
    } else {
        buf_free(&b);
        *out = val_null(TYPE_TEXT);
        return DD_OK;
    }
    *out = text_out(env, &b);
    return DD_OK;
}

/* The visibility of objects DriftDB keeps none of (operators, operator
 * classes and families, collations, conversions, text search objects):
 * NULL, PostgreSQL's answer for an OID that names none. */
static int f_null_bool(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(env); DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    *out = val_null(TYPE_BOOL);
    return DD_OK;
}

/* pg_collation_is_visible: pg_collation's rows are pg_catalog's, always
 * visible; NULL for an OID that names none. */
static int f_collation_is_visible(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(env); DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null(TYPE_BOOL); return DD_OK; }
    u32 oid = oid_arg(&a[0]);
    *out = oid == OID_COLL_DEFAULT || oid == OID_COLL_C || oid == OID_COLL_POSIX ? val_bool(true) : val_null(TYPE_BOOL);
    return DD_OK;
}

/* pg_get_ruledef(oid [, pretty]) of a view's _RETURN rule (pg_rewrite),
 * NULL for an OID that names none. */
static int f_ruledef(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    NULL_IF_NULL(TYPE_TEXT);
    const CatView *cv;
    int rc = view(env, &cv);
    if (rc) return rc;
    u32 oid = oid_arg(&a[0]);
    const TableInfo *t = oid >= OID_RULE_BASE && oid < OID_ATTRDEF_BASE ? cat_rel_by_id(cv, oid - OID_RULE_BASE) : NULL;
    if (!t || !t->view_sql) { *out = val_null(TYPE_TEXT); return DD_OK; }
    Buf b;
    buf_init(&b);
    buf_puts(&b, "CREATE RULE \"_RETURN\" AS\n    ON SELECT TO ");
    cat_quote_ident(cat_ns_name(t), &b);
    buf_putc(&b, '.');
    cat_quote_ident(name_base(t->name), &b);
    buf_puts(&b, " DO INSTEAD ");
    cat_viewdef(cv, t, false, &b);
    *out = text_out(env, &b);
    return DD_OK;
}

/* pg_get_functiondef of the functions pg_proc lists: PostgreSQL's text
 * (ruleutils.c's layout for internal functions, the kept text for SQL
 * ones); 42809 for an aggregate, NULL for an OID that names none. */
static int f_functiondef(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    NULL_IF_NULL(TYPE_TEXT);
    const CatProcRow *p = cat_proc_by_oid(oid_arg(&a[0]));
    if (!p) { *out = val_null(TYPE_TEXT); return DD_OK; }
    if (p->kind == 'a') return dd_err(env->sql->err, DD_EWRONG_OBJECT_TYPE, -1, "\"%s\" is an aggregate function", p->name);
    const CatView *cv;
    int rc = view(env, &cv);
    if (rc) return rc;
    Buf b;
    buf_init(&b);
    if (p->fdef) {
        buf_puts(&b, p->fdef);
        *out = text_out(env, &b);
        return DD_OK;
    }
    buf_puts(&b, "CREATE OR REPLACE FUNCTION pg_catalog.");
    cat_quote_ident(p->name, &b);
    buf_putc(&b, '(');
    if (p->fargs) buf_puts(&b, p->fargs);
    else arg_types_text(cv, p, &b);
    buf_puts(&b, ")\n RETURNS ");
    result_text(cv, p, &b);
    buf_puts(&b, "\n LANGUAGE internal\n");
    size_t before = b.len;
    if (p->kind == 'w') buf_puts(&b, " WINDOW");
    buf_puts(&b, p->volatility == 'i' ? " IMMUTABLE" : p->volatility == 's' ? " STABLE" : " VOLATILE");
    if (p->parallel == 's') buf_puts(&b, " PARALLEL SAFE");
    else if (p->parallel == 'r') buf_puts(&b, " PARALLEL RESTRICTED");
    if (p->flags & PROC_STRICT) buf_puts(&b, " STRICT");
    if (p->flags & PROC_SECDEF) buf_puts(&b, " SECURITY DEFINER");
    if (p->flags & PROC_LEAKPROOF) buf_puts(&b, " LEAKPROOF");
    if (p->cost != 1) buf_printf(&b, " COST %g", (double)p->cost);
    if (p->rows > 0 && p->rows != 1000) buf_printf(&b, " ROWS %g", (double)p->rows);
    const CatProcRow *sup = p->support ? cat_proc_by_oid(p->support) : NULL;
    if (sup) buf_printf(&b, " SUPPORT %s", sup->name);
    if (b.len != before) buf_putc(&b, '\n');
    buf_printf(&b, "AS $function$%s$function$\n", p->src);
    *out = text_out(env, &b);
    return DD_OK;
}

/* name[i] (compile.c): byte i of the name, from 0, as a "char"; NULL
 * outside it */
static bool r_name_subscript(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    a[0] = TYPE_NAME;
    a[1] = TYPE_INT4;
    *r = TYPE_CHAR;
    return true;
}
static int f_name_subscript(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(env); DD_UNUSED(loc);
    NULL_IF_NULL(TYPE_CHAR);
    i64 i = a[1].v.i;
    *out = i >= 0 && i < NAME_MAX_BYTES + 1 ? val_int(TYPE_CHAR, i < (i64)a[0].v.s.len ? (u8)a[0].v.s.p[i] : 0)
                                            : val_null(TYPE_CHAR);
    return DD_OK;
}

/* $options_json(text[]): options "name=value" as a json object in their
 * order (pg_options_to_table in FROM: plan/select.c); an option without
 * '=' has the value null. */
static bool r_options_json(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (!unknownish(a[0]) && a[0] != type_array_of(TYPE_TEXT) && a[0] != type_array_of(TYPE_VARCHAR)) return false;
    a[0] = type_array_of(TYPE_TEXT);
    *r = TYPE_JSON;
    return true;
}
static void json_string(Buf *b, const char *s, size_t n)
{
    buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') buf_printf(b, "\\%c", c);
        else if (c < 0x20) buf_printf(b, "\\u%04x", c);
        else buf_putc(b, c);
    }
    buf_putc(b, '"');
}
static int f_options_json(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    NULL_IF_NULL(TYPE_JSON);
    ArrayVal arr;
    int rc = array_from_value(&a[0], env->sql->row, &arr, env->sql->err);
    if (rc) return rc;
    Buf b;
    buf_init(&b);
    buf_putc(&b, '{');
    int k = 0;
    for (u32 i = 0; i < arr.n; i++) {
        const Value *v = &arr.items[i];
        if (v->isnull) continue;
        const char *eq = memchr(v->v.s.p, '=', v->v.s.len);
        size_t nl = eq ? (size_t)(eq - v->v.s.p) : v->v.s.len;
        if (k++) buf_puts(&b, ", ");
        json_string(&b, v->v.s.p, nl);
        buf_puts(&b, " : ");
        if (eq) json_string(&b, eq + 1, v->v.s.len - nl - 1);
        else buf_puts(&b, "null");
    }
    buf_putc(&b, '}');
    Value t = text_out(env, &b);
    t.type = TYPE_JSON;
    *out = t;
    return t.isnull ? DD_ENOMEM : DD_OK;
}

/* pg_database_size(name | oid): the bytes of the database's file (its
 * one database, under any name the session connected with) */
static bool r_database_size(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (unknownish(a[0]) || type_is_string(a[0])) a[0] = TYPE_NAME;
    else if (oidish(a[0])) a[0] = TYPE_OID;
    else return false;
    *r = TYPE_INT8;
    return true;
}
static int f_database_size(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    NULL_IF_NULL(TYPE_INT8);
    const char *db = env->sql->database ? env->sql->database : "driftdb";
    bool ours = a[0].type == TYPE_OID ? oid_arg(&a[0]) == OID_DATABASE
                                      : a[0].v.s.len == strlen(db) && memcmp(a[0].v.s.p, db, a[0].v.s.len) == 0;
    if (!ours) {
        if (a[0].type == TYPE_OID) { *out = val_null(TYPE_INT8); return DD_OK; }   /* as PostgreSQL for an unknown OID */
        return dd_err(env->sql->err, DD_EUNDEFINED_DATABASE, -1, "database \"%.*s\" does not exist",
                      (int)a[0].v.s.len, a[0].v.s.p);
    }
    i64 bytes = store_file_bytes(env->sql->store);
    if (bytes < 0) return dd_err(env->sql->err, DD_EIO, -1, "could not read the size of the database's file");
    *out = val_int(TYPE_INT8, bytes);
    return DD_OK;
}

/* getdatabaseencoding(), pg_char_to_encoding(name): DriftDB's one
 * encoding, UTF8 (6); pg_postmaster_start_time(): when the database was
 * opened (the server's start) */
static bool r_none_name(TypeId *a, int n, TypeId *r) { DD_UNUSED(a); DD_UNUSED(n); *r = TYPE_NAME; return true; }
static int f_database_encoding(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    *out = cstr(env, TYPE_NAME, "UTF8");
    return DD_OK;
}
static bool r_char_to_encoding(TypeId *a, int n, TypeId *r) { return resolve_mask(a, n, 1u << 8, TYPE_INT4, r); }
static int f_char_to_encoding(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(env); DD_UNUSED(loc);
    NULL_IF_NULL(TYPE_INT4);
    bool utf8 = (a[0].v.s.len == 4 && strncasecmp(a[0].v.s.p, "utf8", 4) == 0) ||
                (a[0].v.s.len == 5 && strncasecmp(a[0].v.s.p, "utf-8", 5) == 0);
    bool ascii = a[0].v.s.len == 9 && strncasecmp(a[0].v.s.p, "sql_ascii", 9) == 0;
    *out = val_int(TYPE_INT4, utf8 ? 6 : ascii ? 0 : -1);
    return DD_OK;
}
static bool r_none_tz(TypeId *a, int n, TypeId *r) { DD_UNUSED(a); DD_UNUSED(n); *r = TYPE_TIMESTAMPTZ; return true; }
static int f_start_time(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    *out = env->sql->start_us ? val_int(TYPE_TIMESTAMPTZ, ts_from_unix_us(env->sql->start_us)) : val_null(TYPE_TIMESTAMPTZ);
    return DD_OK;
}

const FuncDef cat_funcs[] = {
    {"getdatabaseencoding", 0, 0, r_none_name, f_database_encoding, false},
    {"pg_char_to_encoding", 1, 1, r_char_to_encoding, f_char_to_encoding, false},
    {"pg_postmaster_start_time", 0, 0, r_none_tz, f_start_time, true},
    {"pg_database_size", 1, 1, r_database_size, f_database_size, true},
    {"$options_json", 1, 1, r_options_json, f_options_json, false},
    {"$name_subscript", 2, 2, r_name_subscript, f_name_subscript, false},
    {"acldefault", 2, 2, r_acldefault, f_acldefault, true},
    {"pg_tablespace_location", 1, 1, r_oid_text, f_tablespace_location, false},
    {"pg_describe_object", 3, 3, r_describe, f_describe_object, true},
    {"pg_operator_is_visible", 1, 1, r_oid_bool, f_operator_is_visible, true},
    {"pg_opclass_is_visible", 1, 1, r_oid_bool, f_null_bool, true},
    {"pg_collation_is_visible", 1, 1, r_oid_bool, f_collation_is_visible, true},
    {"pg_statistics_obj_is_visible", 1, 1, r_oid_bool, f_null_bool, true},
    {"pg_opfamily_is_visible", 1, 1, r_oid_bool, f_null_bool, true},
    {"pg_conversion_is_visible", 1, 1, r_oid_bool, f_null_bool, true},
    {"pg_ts_config_is_visible", 1, 1, r_oid_bool, f_null_bool, true},
    {"pg_ts_dict_is_visible", 1, 1, r_oid_bool, f_null_bool, true},
    {"pg_ts_parser_is_visible", 1, 1, r_oid_bool, f_null_bool, true},
    {"pg_ts_template_is_visible", 1, 1, r_oid_bool, f_null_bool, true},
    {"pg_get_functiondef", 1, 1, r_oid_text, f_functiondef, true},
    {"pg_get_ruledef", 1, 2, r_oid_text_pretty, f_ruledef, true},
    {"pg_get_function_sqlbody", 1, 1, r_oid_text, f_null_text, true},
    {"pg_relation_size", 1, 2, r_relation_size, f_relation_size, true},
    {"pg_table_size", 1, 1, r_regclass_int8, f_table_size, true},
    {"pg_indexes_size", 1, 1, r_regclass_int8, f_indexes_size, true},
    {"pg_total_relation_size", 1, 1, r_regclass_int8, f_total_size, true},
    {"pg_advisory_unlock_all", 0, 0, r_none_text, f_adv_unlock_all, true},
    {"pg_advisory_lock", 1, 2, r_advisory_void, f_adv_lock, true},
    {"pg_advisory_lock_shared", 1, 2, r_advisory_void, f_adv_lock_shared, true},
    {"pg_advisory_xact_lock", 1, 2, r_advisory_void, f_adv_xact_lock, true},
    {"pg_advisory_xact_lock_shared", 1, 2, r_advisory_void, f_adv_xact_lock_shared, true},
    {"pg_try_advisory_lock", 1, 2, r_advisory_bool, f_adv_try, true},
    {"pg_try_advisory_lock_shared", 1, 2, r_advisory_bool, f_adv_try_shared, true},
    {"pg_try_advisory_xact_lock", 1, 2, r_advisory_bool, f_adv_try_xact, true},
    {"pg_try_advisory_xact_lock_shared", 1, 2, r_advisory_bool, f_adv_try_xact_shared, true},
    {"pg_advisory_unlock", 1, 2, r_advisory_bool, f_adv_unlock, true},
    {"pg_advisory_unlock_shared", 1, 2, r_advisory_bool, f_adv_unlock_shared, true},
    {"$partition_ancestors", 1, 1, r_partition_ancestors, f_partition_ancestors, true},
    {"pg_get_userbyid", 1, 1, r_oid_name, f_get_userbyid, true},
    {"pg_table_is_visible", 1, 1, r_oid_bool, f_table_is_visible, true},
    {"pg_type_is_visible", 1, 1, r_oid_bool, f_type_is_visible, true},
    {"pg_function_is_visible", 1, 1, r_oid_bool, f_function_is_visible, true},
    {"format_type", 2, 2, r_format_type, f_format_type, true},
    {"pg_get_expr", 2, 3, r_get_expr, f_get_expr, true},
    {"pg_get_indexdef", 1, 3, r_indexdef, f_indexdef, true},
    {"pg_get_constraintdef", 1, 2, r_oid_text_pretty, f_constraintdef, true},
    {"pg_get_viewdef", 1, 2, r_viewdef, f_viewdef, true},
    {"pg_get_statisticsobjdef_columns", 1, 1, r_oid_text, f_null_text, true},
    {"pg_get_function_result", 1, 1, r_oid_text, f_function_result, true},
    {"pg_get_function_arguments", 1, 1, r_oid_text, f_function_arguments, true},
    {"pg_get_function_identity_arguments", 1, 1, r_oid_text, f_function_identity_arguments, true},
    {"pg_get_triggerdef", 1, 2, r_oid_text_pretty, f_null_text, true},
    {"pg_relation_is_publishable", 1, 1, r_regclass_bool, f_false, true},
    {"pg_encoding_to_char", 1, 1, r_encoding, f_encoding_to_char, false},
    {"obj_description", 1, 2, r_obj_description, f_obj_description, true},
    {"shobj_description", 2, 2, r_obj_description, f_null_text, true},
    {"col_description", 2, 2, r_col_description, f_col_description, true},
    {"to_regclass", 1, 1, r_to_regclass, f_to_regclass, true},
    {"to_regtype", 1, 1, r_to_regtype, f_to_regtype, true},
    {"to_regnamespace", 1, 1, r_to_regnamespace, f_to_regnamespace, true},
    {"to_regrole", 1, 1, r_to_regrole, f_to_regrole, true},
    {"to_regproc", 1, 1, r_to_regproc, f_to_regproc, true},
    {"to_regprocedure", 1, 1, r_to_regprocedure, f_to_regprocedure, true},
    {"has_table_privilege", 2, 3, r_privilege, f_table_privilege, true},
    {"has_schema_privilege", 2, 3, r_privilege, f_schema_privilege, true},
    {"has_database_privilege", 2, 3, r_privilege, f_database_privilege, true},
    {"has_sequence_privilege", 2, 3, r_privilege, f_sequence_privilege, true},
    {"has_column_privilege", 3, 4, r_privilege, f_column_privilege, true},
    {"has_any_column_privilege", 2, 3, r_privilege, f_anycol_privilege, true},
    {"has_function_privilege", 2, 3, r_privilege, f_function_privilege, true},
    {"has_type_privilege", 2, 3, r_privilege, f_type_privilege, true},
    {"pg_is_in_recovery", 0, 0, r_none_bool, f_false, false},
    {"pg_size_pretty", 1, 1, r_size_pretty, f_size_pretty, false},
};
const int ncat_funcs = (int)DD_ARRAY_LEN(cat_funcs);
