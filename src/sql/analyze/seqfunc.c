/*
 * seqfunc.c - the functions of sequences: nextval, currval, lastval,
 * setval and pg_get_serial_sequence.
 *
 * A sequence is named by text, read as PostgreSQL reads a regclass: an
 * identifier, folded to lower case unless double-quoted, optionally
 * qualified by its schema.  nextval and setval change the
 * sequence at once, outside the transaction (store_seq_next); currval and
 * lastval read what this session's nextval calls returned (SqlCtx.seqs).
 */
#include "expr.h"
#include "../catalog/acl.h"
#include "../../util/alloc.h"
#include <string.h>
#include <ctype.h>

/* Reads an identifier of text s[0..n) into out (folded, unquoted);
 * returns the bytes read, or -1 when malformed. */
static int read_ident(const char *s, u32 n, Buf *out)
{
    u32 i = 0;
    if (n > 0 && s[0] == '"') {
        for (i = 1; i < n; i++) {
            if (s[i] != '"') { buf_putc(out, (u8)s[i]); continue; }
            if (i + 1 < n && s[i + 1] == '"') { buf_putc(out, '"'); i++; continue; }
            return (int)i + 1;
        }
        return -1;
    }
    for (; i < n && s[i] != '.'; i++) buf_putc(out, (u8)tolower((unsigned char)s[i]));
    return i ? (int)i : -1;
}

/* The relation that text v names (qualified by its schema, or found
 * through search_path), or an error. */
static int relation_named(EvalEnv *env, const Value *v, int loc, const TableInfo **out, const char **name)
{
    SqlCtx *ctx = env->sql;
    const char *s = v->v.s.p;
    u32 n = v->v.s.len;
    while (n && isspace((unsigned char)s[0])) { s++; n--; }
    while (n && isspace((unsigned char)s[n - 1])) n--;
    Buf a = BUF_INIT, b = BUF_INIT;
    int k = read_ident(s, n, &a);
    int rc = DD_OK;
    const char *rel = NULL;
    if (k > 0 && (u32)k < n && s[k] == '.') {
        int k2 = read_ident(s + k + 1, n - (u32)k - 1, &b);
        if (k2 < 0 || (u32)(k + 1 + k2) != n) k = -1;
        else if (!buf_ok(&a) || !buf_ok(&b)) rc = DD_ENOMEM;
        else if (!sql_schema_exists(ctx, buf_cstr(&a)))
            rc = dd_err(ctx->err, DD_EUNDEFINED_SCHEMA, loc, "schema \"%s\" does not exist", buf_cstr(&a));
        else rel = arena_printf(ctx->row, "%s.%s", buf_cstr(&a), buf_cstr(&b));   /* as written: public.s too */
    } else if (k > 0 && (u32)k == n) {
        rel = buf_cstr(&a);
    } else {
        k = -1;
    }
    if (!rc && k < 0) rc = dd_err(ctx->err, DD_EINVALID_NAME, loc, "invalid name syntax");
    if (!rc && !rel) rc = DD_ENOMEM;
    if (!rc) {
        *name = arena_strdup(ctx->row, rel);
        *out = *name ? resolve_table_present(ctx, *name) : NULL;
        if (!*name) rc = DD_ENOMEM;
        else if (!*out) rc = dd_err(ctx->err, DD_EUNDEFINED_TABLE, loc, "relation \"%s\" does not exist", *name);
    }
    buf_free(&a);
    buf_free(&b);
    return rc;
}

/* The sequence v names, on which the current role must hold one of
 * `want` (acl.h: nextval USAGE or UPDATE, currval SELECT or USAGE,
 * setval UPDATE). */
static int sequence_named(EvalEnv *env, const Value *v, int loc, u32 want, const TableInfo **out)
{
    const char *name;
    int rc = relation_named(env, v, loc, out, &name);
    if (rc) return rc;
    if (!(*out)->sequence)
        return dd_err(env->sql->err, DD_EWRONG_OBJECT_TYPE, loc, "\"%s\" is not a sequence", name);
    return acl_check_any(env->sql, *out, want, loc);
}

static int remember(SqlCtx *ctx, u32 id, i64 v, bool last)
{
    SeqSession *s = ctx->seqs;
    if (!s) return DD_OK;
    if (last) {
        s->has_last = true;
        s->last = v;
    }
    for (int i = 0; i < s->n; i++)
        if (s->ids[i] == id) {
            s->vals[i] = v;
            return DD_OK;
        }
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 8;
        u32 *ids = dd_realloc(s->ids, sizeof *ids * (size_t)cap);
        if (!ids) return DD_ENOMEM;
        s->ids = ids;
        i64 *vals = dd_realloc(s->vals, sizeof *vals * (size_t)cap);
        if (!vals) return DD_ENOMEM;
        s->vals = vals;
        s->cap = cap;
    }
    s->ids[s->n] = id;
    s->vals[s->n++] = v;
    return DD_OK;
}

static int read_only(SqlCtx *ctx, const char *fn, int loc)
{
    return dd_err(ctx->err, DD_EREAD_ONLY_TXN, loc, "cannot execute %s() in a read-only transaction", fn);
}

static int f_nextval(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n);
    if (a[0].isnull) { *out = val_null(TYPE_INT8); return DD_OK; }
    const TableInfo *t;
    int rc = sequence_named(env, &a[0], loc, ACL_USAGE | ACL_UPDATE, &t);
    if (rc) return rc;
    if (env->sql->read_only && !t->temp) return read_only(env->sql, "nextval", loc);
    i64 v;
    SeqRestart *r = env->sql->ws ? ws_seq_restart(env->sql->ws, t->id) : NULL;
    if (!r && t->temp && !(r = env->sql->ws ? ws_temp_seq(env->sql->ws, t) : NULL)) return DD_ENOMEM;
    if (r) {
        /* restarted in this transaction: counted here until it commits;
         * a temporary sequence: counted in the session */
        if ((rc = store_seq_step(t, r->last, r->called, &v, env->sql->err))) return rc;
        r->last = v;
        r->called = true;
    } else if ((rc = store_seq_next(env->sql->store, t, &v, env->sql->err))) {
        return rc;
    }
    *out = val_int(TYPE_INT8, v);
    return remember(env->sql, t->id, v, true);
}

static int f_currval(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n);
    if (a[0].isnull) { *out = val_null(TYPE_INT8); return DD_OK; }
    const TableInfo *t;
    int rc = sequence_named(env, &a[0], loc, ACL_SELECT | ACL_USAGE, &t);
    if (rc) return rc;
    const SeqSession *s = env->sql->seqs;
    for (int i = 0; s && i < s->n; i++)
        if (s->ids[i] == t->id) {
            *out = val_int(TYPE_INT8, s->vals[i]);
            return DD_OK;
        }
    return dd_err(env->sql->err, DD_EOBJECT_STATE, loc, "currval of sequence \"%s\" is not yet defined in this session",
                  t->name);
}

static int f_lastval(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n);
    const SeqSession *s = env->sql->seqs;
    if (!s || !s->has_last) return dd_err(env->sql->err, DD_EOBJECT_STATE, loc, "lastval is not yet defined in this session");
    *out = val_int(TYPE_INT8, s->last);
    return DD_OK;
}

static int f_setval(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    for (int i = 0; i < n; i++)
        if (a[i].isnull) { *out = val_null(TYPE_INT8); return DD_OK; }
    const TableInfo *t;
    int rc = sequence_named(env, &a[0], loc, ACL_UPDATE, &t);
    if (rc) return rc;
    if (env->sql->read_only && !t->temp) return read_only(env->sql, "setval", loc);
    i64 v = a[1].v.i;
    bool called = n < 3 || a[2].v.b;
    const SeqInfo *q = t->sequence;
    if (v < q->min || v > q->max)
        return dd_err(env->sql->err, DD_EOUT_OF_RANGE, loc, "setval: value %lld is out of bounds for sequence \"%s\" (%lld..%lld)",
                      (long long)v, name_base(t->name), (long long)q->min, (long long)q->max);
    SeqRestart *r = env->sql->ws ? ws_seq_restart(env->sql->ws, t->id) : NULL;
    if (!r && t->temp && !(r = env->sql->ws ? ws_temp_seq(env->sql->ws, t) : NULL)) return DD_ENOMEM;
    if (r) {
        r->last = v;
        r->called = called;
    } else if ((rc = store_seq_set(env->sql->store, t, v, called, env->sql->err))) {
        return rc;
    }
    *out = val_int(TYPE_INT8, v);
    return called ? remember(env->sql, t->id, v, false) : DD_OK;
}

/* pg_get_serial_sequence(table, column): the sequence a SERIAL or
 * identity column owns, schema-qualified, or NULL. */
static int f_serial_sequence(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n);
    if (a[0].isnull || a[1].isnull) { *out = val_null(TYPE_TEXT); return DD_OK; }
    SqlCtx *ctx = env->sql;
    const TableInfo *t;
    const char *tname;
    int rc = relation_named(env, &a[0], loc, &t, &tname);
    if (rc) return rc;
    const ColumnInfo *col = NULL;
    for (int i = 0; i < t->ncols && !col; i++)
        if (!t->cols[i].dropped && t->cols[i].name && strlen(t->cols[i].name) == a[1].v.s.len &&
            memcmp(t->cols[i].name, a[1].v.s.p, a[1].v.s.len) == 0)
            col = &t->cols[i];
    if (!col)
        return dd_err(ctx->err, DD_EUNDEFINED_COLUMN, loc, "column \"%.*s\" of relation \"%s\" does not exist",
                      (int)a[1].v.s.len, a[1].v.s.p, t->name);
    const TableInfo **all;
    int nt;
    if ((rc = present_tables(ctx, &all, &nt))) return rc;
    for (int i = 0; i < nt; i++) {
        const SeqInfo *q = all[i]->sequence;
        if (!q || q->owner_table != t->id || q->owner_col != col->id) continue;
        const char *nm = all[i]->name;
        char *s = strchr(nm, '.') ? arena_strdup(ctx->row, nm) : arena_printf(ctx->row, "public.%s", nm);
        if (!s) return DD_ENOMEM;
        *out = val_text(TYPE_TEXT, s, (u32)strlen(s));
        return DD_OK;
    }
    *out = val_null(TYPE_TEXT);
    return DD_OK;
}

/* (text) -> bigint: nextval, currval */
static bool r_seq(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    /* a regclass (nextval('s'::regclass), as pg_dump writes it) by its name */
    if (a[0] != TYPE_UNKNOWN && a[0] != TYPE_NULLTYPE && !type_is_string(a[0]) && a[0] != TYPE_REGCLASS) return false;
    a[0] = TYPE_TEXT;
    *r = TYPE_INT8;
    return true;
}
static bool r_lastval(TypeId *a, int n, TypeId *r) { DD_UNUSED(a); DD_UNUSED(n); *r = TYPE_INT8; return true; }
/* (text, bigint [, boolean]) -> bigint */
static bool r_setval(TypeId *a, int n, TypeId *r)
{
    if (!r_seq(a, 1, r)) return false;
    if (a[1] != TYPE_UNKNOWN && a[1] != TYPE_NULLTYPE && !type_is_int(a[1])) return false;
    a[1] = TYPE_INT8;
    if (n == 3) {
        if (a[2] != TYPE_UNKNOWN && a[2] != TYPE_NULLTYPE && a[2] != TYPE_BOOL) return false;
        a[2] = TYPE_BOOL;
    }
    return true;
}
/* (text, text) -> text */
static bool r_serial_sequence(TypeId *a, int n, TypeId *r)
{
    for (int i = 0; i < n; i++) {
        if (a[i] != TYPE_UNKNOWN && a[i] != TYPE_NULLTYPE && !type_is_string(a[i])) return false;
        a[i] = TYPE_TEXT;
    }
    *r = TYPE_TEXT;
    return true;
}

const FuncDef seq_funcs[] = {
    {"nextval", 1, 1, r_seq, f_nextval, true},
    {"currval", 1, 1, r_seq, f_currval, true},
    {"lastval", 0, 0, r_lastval, f_lastval, true},
    {"setval", 2, 3, r_setval, f_setval, true},
    {"pg_get_serial_sequence", 2, 2, r_serial_sequence, f_serial_sequence, true},
};
const int nseq_funcs = (int)DD_ARRAY_LEN(seq_funcs);
