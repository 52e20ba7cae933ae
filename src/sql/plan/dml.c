/*
 * dml.c - INSERT, UPDATE, DELETE, CREATE TABLE and DROP TABLE: analysis
 * and execution against the transaction's write set.
 *
 * DML reads the present (snapshot + write set), computes every new row
 * first (INSERT: encode_row; UPDATE/DELETE: the Change list) and only then
 * writes, so no statement sees its own changes (the Halloween problem).  Uniqueness of primary keys is checked
 * against the snapshot and the write set here; the writer thread checks
 * again at commit against rows committed meanwhile (23505 / 40001).
 *
 * Document-style tables (pk=id) gain columns when INSERT or UPDATE names
 * a column they do not have yet; its type is inferred from the first
 * non-NULL value (integer literals -> bigint, decimals -> numeric, strings
 * -> text, booleans -> boolean, other types as they are).  The change is a
 * new catalog version committed with the rows.
 *
 * CREATE TABLE name [(cols)] AS SELECT plans the query first; the new
 * table has its output columns and types (no constraints, so a hidden
 * _rowid key) and its rows are written in the same write set as the
 * catalog entry: one commit.  Tag "SELECT n", as PostgreSQL.
 *
 * Tables declared without a primary key get a hidden bigint key column
 * _rowid, filled from a process-wide generator that is strictly increasing
 * and seeded from the wall clock (µs x 16), so values stay unique across
 * restarts unless the clock steps back further than the ids written.
 */
#include "plan_int.h"
#include "../types/rowcodec.h"
#include "../../store/keyenc.h"
#include "../../util/clock.h"
#include <stdio.h>
#include <string.h>
#include <ctype.h>
#include <strings.h>
#include <stdatomic.h>

static _Atomic u64 rowid_last;

static u64 next_rowid(void)
{
    u64 now = (u64)clock_wall_us() * 16;
    u64 last = atomic_load(&rowid_last);
    for (;;) {
        u64 want = now > last ? now : last + 1;
        if (atomic_compare_exchange_weak(&rowid_last, &last, want)) return want;
    }
}

/* DEFAULT, for OVERRIDING USER VALUE */
static Expr default_expr = {.kind = EXPR_DEFAULT, .loc = -1};

static int find_col(const TableInfo *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++)
        if (!t->cols[i].dropped && strcmp(t->cols[i].name, name) == 0) return i;
    return -1;
}

/* The integer type a SERIAL type name stands for, or 0 (not SERIAL). */
static TypeId serial_type(const char *name)
{
    if (!strcmp(name, "serial") || !strcmp(name, "serial4")) return TYPE_INT4;
    if (!strcmp(name, "bigserial") || !strcmp(name, "serial8")) return TYPE_INT8;
    if (!strcmp(name, "smallserial") || !strcmp(name, "serial2")) return TYPE_INT2;
    return (TypeId)0;
}

static bool is_pk_col(const TableInfo *t, int ci)
{
    for (int k = 0; k < t->npk; k++)
        if (t->pk[k] == t->cols[ci].id) return true;
    return false;
}

static TypeId infer_type(TypeId t)
{
    /* an array: of its elements' inferred type (integers: bigint[]) */
    if (type_is_array(t) && type_elem(t) != TYPE_ENUM) return type_array_of(infer_type(type_elem(t)));
    switch (t) {
    case TYPE_INT2: case TYPE_INT4: case TYPE_INT8: return TYPE_INT8;
    case TYPE_FLOAT4: case TYPE_FLOAT8: return TYPE_FLOAT8;
    case TYPE_NULLTYPE: return TYPE_NULLTYPE;   /* untyped until a value gives it a type */
    case TYPE_UNKNOWN: case TYPE_VARCHAR: case TYPE_BPCHAR: case TYPE_NAME: case TYPE_CHAR: return TYPE_TEXT;
    case TYPE_OID: case TYPE_REGPROC: case TYPE_REGCLASS: case TYPE_REGTYPE: case TYPE_REGNAMESPACE: case TYPE_REGROLE: case TYPE_REGPROCEDURE:
        return TYPE_INT8;
    default: return t;
    }
}

static TableInfo *table_grow(SqlCtx *ctx, const TableInfo *t, int extra);

/* Whether column id is part of t's primary key or of an index. */
static bool col_keyed(const TableInfo *t, u32 id)
{
    for (int k = 0; k < t->npk; k++) if (t->pk[k] == id) return true;
    for (int x = 0; x < t->nindexes; x++)
        for (int k = 0; k < t->indexes[x].ncols; k++) if (t->indexes[x].cols[k] == id) return true;
    return false;
}

/*
 * A document-style table never changes a value silently: an integer
 * column given a value with a fraction (numeric or float) widens to
 * numeric (a catalog change; the rows already there read their integers as
 * numerics), unless the column is keyed (its keys would change): then
 * 42804.  *nt: the grown table (made here when NULL).
 */
static int doc_widen(SqlCtx *ctx, const TableInfo *t, TableInfo **nt, int ci, TypeId vt, int loc)
{
    const TableInfo *cur = *nt ? *nt : t;
    const ColumnInfo *c = &cur->cols[ci];
    /* a date column given a timestamp would lose its time of day, a
     * double column given a numeric its digits past a double's: refused */
    bool to_date = c->type == TYPE_DATE && (vt == TYPE_TIMESTAMP || vt == TYPE_TIMESTAMPTZ);
    bool to_double = (c->type == TYPE_FLOAT8 || c->type == TYPE_FLOAT4) && vt == TYPE_NUMERIC;
    if (cur->document_style && (to_date || to_double)) {
        int rc = dd_err(ctx->err, DD_EDATATYPE_MISMATCH, loc, "column \"%s\" is of type %s but expression is of type %s",
                        c->name, type_name((TypeId)c->type), type_name(vt));
        if (to_date)
            dd_err_hint(ctx->err, "A document-style date column does not widen to a timestamp; cast the value to date "
                                  "to keep only its day, or ALTER the column to %s first.", type_name(vt));
        else
            dd_err_hint(ctx->err, "A document-style double precision column does not widen to numeric; cast the value "
                                  "to double precision to round it, or ALTER the column to numeric first.");
        return rc;
    }
    /* an integer array column given an array of fractions, likewise */
    bool arr = type_is_array((TypeId)c->type);
    TypeId ce = arr ? type_elem((TypeId)c->type) : (TypeId)c->type;
    if (arr != type_is_array(vt)) return DD_OK;
    TypeId ve = arr ? type_elem(vt) : vt;
    if (!cur->document_style || !type_is_int(ce) || (ve != TYPE_NUMERIC && ve != TYPE_FLOAT4 && ve != TYPE_FLOAT8))
        return DD_OK;
    if (col_keyed(cur, c->id) || arr) {
        int rc = dd_err(ctx->err, DD_EDATATYPE_MISMATCH, loc, "column \"%s\" is of type %s but expression is of type %s",
                        c->name, type_name((TypeId)c->type), type_name(vt));
        if (arr)   /* its stored arrays hold integers; they are not read as numerics */
            dd_err_hint(ctx->err, "An integer array column does not widen to numeric[]; cast the value to %s to round it, "
                                  "or ALTER the column to numeric[] first.", type_name((TypeId)c->type));
        else
            dd_err_hint(ctx->err, "The column is part of the key or an index, so it does not widen to numeric; "
                                  "cast the value to an integer.");
        return rc;
    }
    if (!*nt && !(*nt = table_grow(ctx, t, 0))) return DD_ENOMEM;
    (*nt)->cols[ci].type = TYPE_NUMERIC;
    (*nt)->cols[ci].typmod = -1;
    return DD_OK;
}

/* 23502: column col of t holds a NULL (a constraint being added). */
static int contains_nulls(SqlCtx *ctx, const TableInfo *t, const char *col)
{
    int rc = dd_err(ctx->err, DD_ENOT_NULL, -1, "column \"%s\" of relation \"%s\" contains null values", col,
                    name_base(t->name));
    dd_err_relation(ctx->err, t, col, NULL);
    return rc;
}

static int read_only_err(SqlCtx *ctx, const char *what)
{
    return dd_err(ctx->err, DD_EREAD_ONLY_TXN, -1, "cannot execute %s in a read-only transaction", what);
}

/* A mutable copy of t in the statement arena with room for more columns. */
static TableInfo *table_grow(SqlCtx *ctx, const TableInfo *t, int extra)
{
    TableInfo *c = table_copy(ctx->stmt, t);
    if (!c) return NULL;
    ColumnInfo *cols = arena_alloc(ctx->stmt, sizeof(ColumnInfo) * (size_t)(t->ncols + extra + 1));
    if (!cols) return NULL;
    memcpy(cols, c->cols, sizeof(ColumnInfo) * (size_t)t->ncols);
    c->cols = cols;
    return c;
}

static int add_column(SqlCtx *ctx, TableInfo *t, const char *name, TypeId type, int loc)
{
    if (strlen(name) > CAT_MAX_NAME)
        return dd_err(ctx->err, DD_ENAME_TOO_LONG, loc, "column name \"%s\" is too long", name);
    /* a document-style table's new column too: the history columns'
     * names are taken (every query FOR SYSTEM_TIME would find two) */
    for (int h = 0; h < HIST_COLS; h++)
        if (strcmp(name, hist_col_names[h]) == 0)
            return dd_err(ctx->err, DD_EDUPLICATE_COLUMN, loc, "column name \"%s\" conflicts with a system column name",
                          name);
    ColumnInfo *c = &t->cols[t->ncols++];
    memset(c, 0, sizeof(*c));
    c->id = t->next_col_id++;
    c->name = arena_strdup(ctx->stmt, name);
    c->type = (u16)type;
    c->typmod = -1;
    return c->name ? DD_OK : DD_ENOMEM;
}

/* ---------------------------------------------------------------- INSERT */

/* The table a DML statement writes: present, writes allowed, and the
 * privileges `want` held on it (acl.h; checked after the kind of
 * relation, as PostgreSQL). */
static int dml_target_as(SqlCtx *ctx, const char *what, const char *name, int loc, u32 want, const TableInfo **out);
static int dml_target_kind(SqlCtx *ctx, const char *what, const char *name, int loc, const TableInfo **out);
static int dml_target(SqlCtx *ctx, const char *what, const char *name, int loc, const TableInfo **out)
{
    u32 want = !strcmp(what, "INSERT") ? ACL_INSERT : !strcmp(what, "UPDATE") ? ACL_UPDATE
             : !strcmp(what, "DELETE") ? ACL_DELETE : !strcmp(what, "TRUNCATE TABLE") ? ACL_TRUNCATE : 0;
    return dml_target_as(ctx, what, name, loc, want, out);
}
static int dml_target_as(SqlCtx *ctx, const char *what, const char *name, int loc, u32 want, const TableInfo **out)
{
    *out = resolve_table_present(ctx, name);
    if (*out && !(*out)->temp) {
        int rc = acl_check_schema_of(ctx, (*out)->name, ACL_USAGE, loc);
        if (rc) return rc;
    }
    int rc = dml_target_kind(ctx, what, name, loc, out);
    if (!rc && want) rc = acl_check(ctx, *out, want, loc);
    /* a writer holds ROW EXCLUSIVE on its table (TRUNCATE: ACCESS
     * EXCLUSIVE) until its transaction ends, as in PostgreSQL */
    if (!rc) rc = lock_relation(ctx, *out, strcmp(what, "TRUNCATE TABLE") == 0 ? TLOCK_ACCESS_EXCLUSIVE : TLOCK_ROW_EXCLUSIVE);
    return rc;
}
static int dml_target_kind(SqlCtx *ctx, const char *what, const char *name, int loc, const TableInfo **out)
{
    /* PostgreSQL lets a read-only transaction write its temporary tables
     * (they are no part of the database); so do we, under
     * drift.system_time too (docs/time-travel.md) */
    if (ctx->read_only && !(*out && (*out)->temp)) return read_only_err(ctx, what);
    if (!*out) return no_table_err(ctx, name, loc);
    const char *action = !strcmp(what, "INSERT") ? "insert into" : !strcmp(what, "UPDATE") ? "update"
                       : !strcmp(what, "DELETE") ? "delete from" : NULL;
    if ((*out)->sequence) {
        if (!action) return dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, -1, "\"%s\" is not a table", name);
        return dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, -1, "cannot change sequence \"%s\"", name);
    }
    return view_not_table(ctx, *out, action ? loc : -1, action);
}

/* The DEFAULT of column c compiled (a typed NULL when it has none). */
int dml_compile_default(SqlCtx *ctx, const ColumnInfo *c, ExprProg **out)
{
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = ctx;
    cc.agg_forbidden = "DEFAULT expressions";
    cc.assign_col = c->name;
    TypeId ct = c->type == TYPE_NULLTYPE ? TYPE_TEXT : (TypeId)c->type;
    /* a domain column without a DEFAULT of its own has its domain's */
    const char *dsql = c->default_sql ? c->default_sql : c->domain ? domain_default(ctx, c->domain) : NULL;
    if (!dsql) {
        Expr null;
        memset(&null, 0, sizeof(null));
        null.kind = EXPR_CONST;
        null.loc = -1;
        null.u.c.val = val_null(TYPE_NULLTYPE);
        return expr_compile_as(&cc, &null, ct, c->typmod, out);
    }
    Expr *e;
    const char *sql, *saved = ctx->sql;
    int rc = sql_parse_expr_text(ctx, dsql, "a column DEFAULT", &e, &sql);
    if (rc) return rc;
    ctx->sql = sql;
    rc = expr_compile_as(&cc, e, ct, c->typmod, out);
    ctx->sql = saved;
    if (rc) ctx->err->position = 0;
    return rc;
}

/* Compiles the DEFAULT of every column of t the INSERT does not name. */
static int compile_defaults(SqlCtx *ctx, const TableInfo *t, const int *target, int width, Plan *p)
{
    for (int i = 0; i < t->ncols; i++) {
        const ColumnInfo *c = &t->cols[i];
        bool named = false;
        for (int k = 0; k < width && !named; k++) named = target[k] == i;
        if (named || c->dropped || (!c->default_sql && !c->domain)) continue;
        if (!p->defaults) {
            p->defaults = arena_zalloc(ctx->stmt, sizeof(ExprProg *) * (size_t)t->ncols);
            if (!p->defaults) return DD_ENOMEM;
        }
        int rc = dml_compile_default(ctx, c, &p->defaults[i]);
        if (rc) return rc;
    }
    return DD_OK;
}

/* A value assigned to column col (INSERT, UPDATE SET): DEFAULT stands for
 * the column's default; a GENERATED ALWAYS identity takes nothing else
 * (428C9) unless `override` (OVERRIDING SYSTEM VALUE). */
static int compile_assigned(SqlCtx *ctx, CompileCtx *cc, Expr *e, const ColumnInfo *col, bool update, bool override,
                            ExprProg **out)
{
    if (e->kind == EXPR_DEFAULT) return dml_compile_default(ctx, col, out);
    if (col->gen_sql) {
        /* computed when the row is written (check_row) */
        if (update)
            dd_err(ctx->err, DD_EGENERATED_ALWAYS, e->loc, "column \"%s\" can only be updated to DEFAULT", col->name);
        else
            dd_err(ctx->err, DD_EGENERATED_ALWAYS, e->loc, "cannot insert a non-DEFAULT value into column \"%s\"", col->name);
        dd_err_detail(ctx->err, "Column \"%s\" is a generated column.", col->name);
        return DD_EGENERATED_ALWAYS;
    }
    if (col->identity == 'a' && !override) {
        if (update)
            dd_err(ctx->err, DD_EGENERATED_ALWAYS, e->loc, "column \"%s\" can only be updated to DEFAULT", col->name);
        else
            dd_err(ctx->err, DD_EGENERATED_ALWAYS, e->loc, "cannot insert a non-DEFAULT value into column \"%s\"", col->name);
        dd_err_detail(ctx->err, "Column \"%s\" is an identity column defined as GENERATED ALWAYS.", col->name);
        if (!update) dd_err_hint(ctx->err, "Use OVERRIDING SYSTEM VALUE to override.");
        return DD_EGENERATED_ALWAYS;
    }
    TypeId ct = col->type == TYPE_NULLTYPE ? TYPE_TEXT : (TypeId)col->type;
    cc->assign_col = col->name;
    return expr_compile_as(cc, e, ct, col->typmod, out);
}

/* ---------------------------------------------------------------- RETURNING */

static int dml_scope(SqlCtx *ctx, const TableInfo *t, const char *alias, Scope *sc);

/* Compiles a RETURNING list over the rows of t (named alias, or t's
 * name): * and t.* expand to the visible columns. */
static int compile_returning(SqlCtx *ctx, const TableInfo *t, const char *alias, ResTarget **rts, int n, Plan *p,
                             const Scope *wide)
{
    if (!n) return DD_OK;
    Scope sc;
    int rc = DD_OK;
    if (wide) sc = *wide;
    else if ((rc = dml_scope(ctx, t, alias, &sc))) return rc;
    int cap = n + sc.nslots;
    Expr **ex = arena_alloc(ctx->stmt, sizeof(Expr *) * (size_t)cap);
    const char **names = arena_alloc(ctx->stmt, sizeof(char *) * (size_t)cap);
    if (!ex || !names) return DD_ENOMEM;
    int nt = 0;
    for (int i = 0; i < n; i++) {
        ResTarget *rt = rts[i];
        if (rt->expr->kind == EXPR_STAR) {
            const char *q = rt->expr->u.col.qualifier;
            bool any = false;
            for (int r = 0; r < sc.nrels; r++) any |= !q || strcmp(q, sc.rels[r].alias) == 0;
            if (!any)
                return dd_err(ctx->err, DD_EUNDEFINED_TABLE, rt->loc, "missing FROM-clause entry for table \"%s\"", q);
            for (int r = 0; r < sc.nrels; r++) {
            ScopeRel *rel = &sc.rels[r];
            if (q && !rel_named(rel, q)) continue;
            for (int c = 0; c < rel->ncols; c++) {
                if (rel->hidden[c]) continue;
                if (nt == cap) {
                    int ncap = cap * 2;
                    Expr **ne = arena_alloc(ctx->stmt, sizeof(Expr *) * (size_t)ncap);
                    const char **nn = arena_alloc(ctx->stmt, sizeof(char *) * (size_t)ncap);
                    if (!ne || !nn) return DD_ENOMEM;
                    memcpy(ne, ex, sizeof(Expr *) * (size_t)nt);
                    memcpy(nn, names, sizeof(char *) * (size_t)nt);
                    ex = ne;
                    names = nn;
                    cap = ncap;
                }
                Expr *ce = arena_zalloc(ctx->stmt, sizeof(Expr));
                if (!ce) return DD_ENOMEM;
                ce->kind = EXPR_COLUMN;
                ce->loc = ce->oploc = rt->loc;
                ce->u.col.qualifier = (char *)rel->alias;
                ce->u.col.name = (char *)rel->names[c];
                ce->u.col.star_slot = rel->slot0 + c + 1;
                ex[nt] = ce;
                names[nt++] = rel->names[c];
            }
            }
            continue;
        }
        if (nt == cap) return dd_err(ctx->err, DD_EINTERNAL, rt->loc, "RETURNING list grew");
        ex[nt] = rt->expr;
        names[nt++] = rt->alias ? rt->alias : ast_column_name(rt->expr, ctx->stmt);
    }
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = ctx;
    cc.scope = &sc;
    cc.agg_forbidden = "RETURNING";
    p->ret = arena_alloc(ctx->stmt, sizeof(ExprProg *) * (size_t)(nt + 1));
    p->cols = arena_zalloc(ctx->stmt, sizeof(ColDesc) * (size_t)(nt + 1));
    if (!p->ret || !p->cols) return DD_ENOMEM;
    for (int i = 0; i < nt; i++) {
        if ((rc = expr_compile(&cc, ex[i], &p->ret[i])) || (rc = expr_resolve_output(ctx, p->ret[i]))) return rc;
        TypeId ty = p->ret[i]->type;
        p->cols[i].name = names[i];
        p->cols[i].untyped = ty == TYPE_UNKNOWN || ty == TYPE_NULLTYPE;
        p->cols[i].type = p->cols[i].untyped ? TYPE_TEXT : ty;
        p->cols[i].typmod = p->ret[i]->typmod;
    }
    p->nret = nt;
    p->ncols = nt;
    return DD_OK;
}

/* Evaluates the RETURNING list over one row of t (vals: t's columns) and
 * keeps the values (statement arena). */
static int keep_returning_row(SqlCtx *ctx, Plan *p, const Value *vals, const Value *full)
{
    if (!p->nret) return DD_OK;
    const TableInfo *t = p->table;
    int width = p->ret_width ? p->ret_width : t->ncols + HIST_COLS;
    Value *row = arena_alloc(ctx->row, sizeof(Value) * (size_t)(width + 1));
    if (!row) return DD_ENOMEM;
    /* UPDATE ... FROM / DELETE ... USING: the other relations' values too */
    if (p->ret_width) memcpy(row, full, sizeof(Value) * (size_t)width);
    memcpy(row, vals, sizeof(Value) * (size_t)t->ncols);
    for (int i = 0; i < HIST_COLS; i++) row[t->ncols + i] = val_null(hist_col_types[i]);
    if (p->nret_rows == p->capret_rows) {
        size_t ncap = p->capret_rows ? p->capret_rows * 2 : 16;
        Value *nv = arena_alloc(ctx->stmt, sizeof(Value) * ncap * (size_t)p->nret);
        if (!nv) return DD_ENOMEM;
        if (p->nret_rows) memcpy(nv, p->ret_rows, sizeof(Value) * p->nret_rows * (size_t)p->nret);
        p->ret_rows = nv;
        p->capret_rows = ncap;
    }
    Value *out = p->ret_rows + p->nret_rows * (size_t)p->nret;
    EvalEnv env = {ctx, NULL, 0, NULL};
    for (int i = 0; i < p->nret; i++) {
        Value v;
        int rc = expr_eval(p->ret[i], &env, row, &v);
        if (!rc && p->cols[i].untyped && !v.isnull) v.type = TYPE_TEXT;
        if (!rc) rc = val_copy(ctx->stmt, &v, &out[i]);
        if (rc) return rc;
    }
    p->nret_rows++;
    return DD_OK;
}

static int keep_returning(SqlCtx *ctx, Plan *p, const Value *vals)
{
    return keep_returning_row(ctx, p, vals, NULL);
}

/* After the writes: the kept rows as the statement's result. */
static int returning_rows(SqlCtx *ctx, Plan *p)
{
    if (!p->nret) return DD_OK;
    p->ret_root = op_rows(ctx, p->nret, p->ret_rows, (int)p->nret_rows);
    return p->ret_root ? DD_OK : DD_ENOMEM;
}

/* SET col = expr, ... of ON CONFLICT DO UPDATE and MERGE's UPDATE, in
 * cc's scope: the programs and their target columns (statement arena);
 * pk_refused: the 0A000 message for a primary key column, or NULL. */
static int compile_set_list(SqlCtx *ctx, CompileCtx *cc, const TableInfo *t, SetClause **set, int n,
                            const char *pk_refused, ExprProg ***progs, int **targets)
{
    *progs = arena_alloc(ctx->stmt, sizeof(ExprProg *) * (size_t)(n + 1));
    *targets = arena_alloc(ctx->stmt, sizeof(int) * (size_t)(n + 1));
    if (!*progs || !*targets) return DD_ENOMEM;
    for (int k = 0; k < n; k++) {
        SetClause *sc = set[k];
        for (int j = 0; j < k; j++)
            if (strcmp(set[j]->col, sc->col) == 0)
                return dd_err(ctx->err, DD_ESYNTAX, sc->loc, "multiple assignments to same column \"%s\"",
                              sc->col);
        int ci = find_col(t, sc->col);
        if (ci < 0 || strcmp(sc->col, ROWID_COL) == 0)
            return dd_err(ctx->err, DD_EUNDEFINED_COLUMN, sc->loc, "column \"%s\" of relation \"%s\" does not exist",
                          sc->col, name_base(t->name));
        if (pk_refused && is_pk_col(t, ci)) return dd_err(ctx->err, DD_EFEATURE, sc->loc, "%s", pk_refused);
        int rc = compile_assigned(ctx, cc, sc->expr, &t->cols[ci], true, false, &(*progs)[k]);
        if (rc) return rc;
        (*targets)[k] = ci;
    }
    return DD_OK;
}

/* Adds unique index ix to p's ON CONFLICT arbiters. */
static int add_arbiter(SqlCtx *ctx, Plan *p, const IndexInfo *ix)
{
    const IndexInfo **na = arena_alloc(ctx->stmt, sizeof(IndexInfo *) * (size_t)(p->narb + 1));
    if (!na) return DD_ENOMEM;
    if (p->narb) memcpy(na, p->arb, sizeof(IndexInfo *) * (size_t)p->narb);
    na[p->narb++] = ix;
    p->arb = na;
    return DD_OK;
}

/* ON CONFLICT: its arbiters, as PostgreSQL infers them: (cols) names the
 * primary key or every unique index on exactly those columns, ON
 * CONSTRAINT one of them by name, and DO NOTHING without either takes
 * them all; DO UPDATE's SET and WHERE read the existing row (the table's
 * name or alias) and the proposed one (EXCLUDED). */
/* SQL text a[0..n) as compared for equality: blanks dropped and letters
 * lowered outside quotes, parentheses around the whole dropped. */
static char *sql_norm(SqlCtx *ctx, const char *a, size_t n)
{
    char *o = arena_alloc(ctx->stmt, n + 1);
    if (!o) return NULL;
    size_t k = 0;
    char q = 0;
    for (size_t i = 0; i < n; i++) {
        char c = a[i];
        if (q) { if (c == q) q = 0; o[k++] = c; continue; }
        if (c == '\'' || c == '"') { q = c; o[k++] = c; continue; }
        if (isspace((unsigned char)c)) continue;
        o[k++] = (char)tolower((unsigned char)c);
    }
    /* (x) is x when the parentheses hold all of it: o[lo, hi) */
    size_t lo = 0, hi = k;
    while (hi - lo >= 2 && o[lo] == '(' && o[hi - 1] == ')') {
        int depth = 0;
        bool whole = true;
        for (size_t i = lo; i < hi && whole; i++) {
            if (o[i] == '(') depth++;
            else if (o[i] == ')' && --depth == 0 && i != hi - 1) whole = false;
        }
        if (!whole) break;
        lo++;
        hi--;
    }
    o[hi] = 0;
    return o + lo;
}

static int compile_conflict(SqlCtx *ctx, InsertStmt *s, const TableInfo *t, Plan *p)
{
    int ri = find_col(t, ROWID_COL);
    bool hidden_key = ri >= 0 && is_pk_col(t, ri);
    int rc;
    if (s->nconf_cols) {
        for (int k = 0; k < s->nconf_cols; k++)
            if (s->conf_cols[k] && find_col(t, s->conf_cols[k]) < 0)
                return dd_err(ctx->err, DD_EUNDEFINED_COLUMN, s->conf_col_locs[k], "column \"%s\" does not exist",
                              s->conf_cols[k]);
        /* the set of columns named (a column may be named twice), and
         * the expressions (lower(x)) as a unique index has them */
        bool *named = arena_zalloc(ctx->stmt, (size_t)t->ncols + 1);
        char **exprs = arena_zalloc(ctx->stmt, sizeof(char *) * (size_t)(s->nconf_cols + 1));
        if (!named || !exprs) return DD_ENOMEM;
        int nexpr = 0;
        for (int k = 0; k < s->nconf_cols; k++) {
            if (s->conf_cols[k]) {
                named[find_col(t, s->conf_cols[k])] = true;
                continue;
            }
            int a = s->conf_expr_start[k], b = s->conf_expr_end[k];
            if (!(exprs[nexpr++] = sql_norm(ctx, ctx->sql + a, (size_t)(b - a)))) return DD_ENOMEM;
        }
        int nnamed = 0;
        for (int c = 0; c < t->ncols; c++) nnamed += named[c];
        bool pk = !hidden_key && nnamed == t->npk && !nexpr;
        for (int k = 0; k < t->npk && pk; k++) {
            int ci = table_col_index(t, t->pk[k]);
            pk = ci >= 0 && named[ci];
        }
        p->arb_pk = pk;
        /* (cols) WHERE pred: a partial unique index qualifies when pred
         * implies its predicate; one that is not partial always does */
        Expr **wc = NULL;
        int nwc = 0, capw = 0;
        if (s->conf_index_where) {
            ScopeRel wrel;
            if ((rc = scope_rel_for_table(ctx, t, t->name, &wrel))) return rc;
            Scope wsc = {&wrel, 1, wrel.ncols, NULL, NULL, NULL, NULL, NULL, 0, 0};
            CompileCtx wcc;
            memset(&wcc, 0, sizeof(wcc));
            wcc.sql = ctx;
            wcc.scope = &wsc;
            wcc.agg_forbidden = "index predicates";
            ExprProg *wp;
            if ((rc = expr_compile_as(&wcc, s->conf_index_where, TYPE_BOOL, -1, &wp))) return rc;
            if ((rc = and_split_list(ctx, s->conf_index_where, &wc, &nwc, &capw))) return rc;
        }
        for (int x = 0; x < t->nindexes; x++) {
            const IndexInfo *ix = &t->indexes[x];
            if (!ix->unique || ix->ncols != nnamed + nexpr) continue;
            if (ix->pred_sql && !sql_index_implied(ctx, t, ix, wc, nwc)) continue;
            bool same = true;
            for (int c = 0; c < ix->ncols && same; c++) {
                if (ix->exprs && ix->exprs[c]) {
                    char *e = sql_norm(ctx, ix->exprs[c], strlen(ix->exprs[c]));
                    if (!e) return DD_ENOMEM;
                    same = false;
                    for (int k = 0; k < nexpr && !same; k++) same = strcmp(exprs[k], e) == 0;
                    continue;
                }
                int ci = table_col_index(t, ix->cols[c]);
                same = ci >= 0 && named[ci];
            }
            if (same && (rc = add_arbiter(ctx, p, ix))) return rc;
        }
        if (!p->arb_pk && !p->narb)
            return dd_err(ctx->err, DD_EINVALID_COLUMN_REF, s->conf_loc,
                          "there is no unique or exclusion constraint matching the ON CONFLICT specification");
    } else if (s->conf_constraint) {
        char pkey[CAT_MAX_NAME * 2 + 8];
        snprintf(pkey, sizeof pkey, "%s_pkey", name_base(t->name));
        p->arb_pk = !hidden_key && strcmp(s->conf_constraint, pkey) == 0;
        for (int x = 0; x < t->nindexes && !p->arb_pk && !p->narb; x++)
            if (t->indexes[x].unique && t->indexes[x].name && strcmp(t->indexes[x].name, s->conf_constraint) == 0 &&
                (rc = add_arbiter(ctx, p, &t->indexes[x])))
                return rc;
        if (!p->arb_pk && !p->narb)
            return dd_err(ctx->err, DD_EUNDEFINED_OBJECT, s->conf_loc, "constraint \"%s\" for table \"%s\" does not exist",
                          s->conf_constraint, t->name);
    } else if (s->on_conflict == 2) {
        return dd_err(ctx->err, DD_ESYNTAX, s->conf_loc,
                      "ON CONFLICT DO UPDATE requires inference specification or constraint name");
    } else {
        p->arb_pk = !hidden_key;
        for (int x = 0; x < t->nindexes; x++)
            if (t->indexes[x].unique && (rc = add_arbiter(ctx, p, &t->indexes[x]))) return rc;
    }
    p->conflict = s->on_conflict;
    if (s->on_conflict != 2) return DD_OK;
    /* DO UPDATE: the existing row, then EXCLUDED */
    ScopeRel *rels = arena_zalloc(ctx->stmt, sizeof(ScopeRel) * 2);
    if (!rels) return DD_ENOMEM;
    rc = scope_rel_for_table(ctx, t, s->alias ? s->alias : t->name, &rels[0]);
    if (!rc) rc = scope_rel_for_table(ctx, t, "excluded", &rels[1]);
    if (rc) return rc;
    rels[1].slot0 = rels[0].ncols;
    Scope sc;
    memset(&sc, 0, sizeof(sc));
    sc.rels = rels;
    sc.nrels = 2;
    sc.nslots = rels[0].ncols * 2;
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = ctx;
    cc.scope = &sc;
    cc.agg_forbidden = "ON CONFLICT DO UPDATE";
    p->ncset = s->nconf_set;
    if ((rc = compile_set_list(ctx, &cc, t, s->conf_set, s->nconf_set,
                               "ON CONFLICT DO UPDATE of a primary key column is not supported yet", &p->cset,
                               &p->ctarget)))
        return rc;
    cc.assign_col = NULL;
    cc.agg_forbidden = "WHERE";
    if (s->conf_where && (rc = expr_compile_as(&cc, s->conf_where, TYPE_BOOL, -1, &p->cwhere))) return rc;
    return DD_OK;
}

/* INSERT ... SELECT $1, ...: an untyped parameter standing alone in the
 * select list takes its target column's type, as PostgreSQL infers it (a
 * UNION's branches are typed by the UNION first, there as here). */
static void insert_select_params(SqlCtx *ctx, const InsertStmt *s, const TableInfo *t)
{
    if (!ctx->param_types || s->select->next) return;
    const SelectStmt *q = s->select;
    for (int k = 0, col = -1; k < q->ntargets; k++) {
        /* the k-th target column: of the list, or the k-th visible one */
        if (s->ncols) {
            col = -1;
            for (int c = 0; k < s->ncols && c < t->ncols && col < 0; c++)
                if (!t->cols[c].dropped && strcmp(t->cols[c].name, s->cols[k]) == 0) col = c;
        } else {
            for (col++; col < t->ncols && (t->cols[col].dropped || t->cols[col].pending ||
                                           strcmp(t->cols[col].name, ROWID_COL) == 0); col++) {}
            if (col >= t->ncols) return;
        }
        const Expr *e = q->targets[k]->expr;
        if (col < 0 || !e || e->kind != EXPR_PARAM || e->u.param.n < 1 || e->u.param.n > ctx->nparams) continue;
        TypeId *pt = &ctx->param_types[e->u.param.n - 1];
        TypeId ct = (TypeId)t->cols[col].type;
        if (*pt == TYPE_UNKNOWN && ct != TYPE_NULLTYPE && !type_has_etype(ct) && ct != TYPE_TEXT) *pt = ct;
    }
}

int analyze_insert(SqlCtx *ctx, InsertStmt *s, Plan *p)
{
    const TableInfo *t;
    /* ON CONFLICT with a target reads the target's columns (PostgreSQL
     * wants SELECT on them, ON CONSTRAINT's too); DO UPDATE always has one */
    bool conf_reads = s->on_conflict && (s->nconf_cols || s->conf_constraint);
    int trc = dml_target_as(ctx, "INSERT", s->table, s->table_loc,
                            ACL_INSERT | (s->nreturning || conf_reads ? ACL_SELECT : 0)
                                | (s->on_conflict == 2 ? ACL_UPDATE : 0), &t);
    if (trc) return trc;
    int rc;
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = ctx;
    cc.agg_forbidden = "VALUES";
    /* the rows' expressions, compiled untyped first to infer document types */
    int width = s->ncols;
    if (s->default_values) {
        width = 0;   /* DEFAULT VALUES: one row of defaults */
    } else if (!s->ncols) {
        width = 0;
        for (int i = 0; i < t->ncols; i++)
            if (!t->cols[i].dropped && !t->cols[i].pending && strcmp(t->cols[i].name, ROWID_COL) != 0) width++;
    }
    Plan *sel = NULL;
    if (s->select) {
        sel = arena_zalloc(ctx->stmt, sizeof(Plan));
        if (!sel) return DD_ENOMEM;
        insert_select_params(ctx, s, t);
        rc = analyze_select(ctx, s->select, sel);
        if (rc) return rc;
        if (sel->ncols > width && s->ncols)
            return dd_err(ctx->err, DD_ESYNTAX, s->select->loc, "INSERT has more expressions than target columns");
        if (sel->ncols < width && s->ncols)
            return dd_err(ctx->err, DD_ESYNTAX, s->select->loc, "INSERT has more target columns than expressions");
        if (sel->ncols > width)
            return dd_err(ctx->err, DD_ESYNTAX, s->select->loc, "INSERT has more expressions than target columns");
        if (!s->ncols) width = sel->ncols;
    }
    /* without a column list, VALUES fill the leading columns; the others
     * get their defaults (all rows must have the same length) */
    if (!s->ncols && !sel && s->nrows) {
        for (int r = 1; r < s->nrows; r++)
            if (s->row_len[r] != s->row_len[0])
                return dd_err(ctx->err, DD_ESYNTAX, s->rows[r][0]->loc, "VALUES lists must all be the same length");
        if (s->row_len[0] < width) width = s->row_len[0];
    }
    for (int r = 0; r < s->nrows; r++) {
        if (s->row_len[r] > width)
            return dd_err(ctx->err, DD_ESYNTAX, s->rows[r][width]->loc, "INSERT has more expressions than target columns");
        if (s->row_len[r] < width) {
            int loc = s->ncols ? s->col_locs[s->row_len[r]] : s->table_loc;
            return dd_err(ctx->err, DD_ESYNTAX, loc, "INSERT has more target columns than expressions");
        }
    }
    TypeId *vtypes = arena_zalloc(ctx->stmt, sizeof(TypeId) * (size_t)(width + 1));
    if (!vtypes) return DD_ENOMEM;
    for (int k = 0; k < width; k++) vtypes[k] = TYPE_NULLTYPE;
    if (sel) {
        for (int k = 0; k < width; k++) vtypes[k] = sel->cols[k].type;
    } else {
        for (int r = 0; r < s->nrows; r++)
            for (int k = 0; k < width; k++) {
                if (vtypes[k] != TYPE_NULLTYPE || s->rows[r][k]->kind == EXPR_DEFAULT) continue;
                ExprProg *pr;
                rc = expr_compile(&cc, s->rows[r][k], &pr);
                if (rc) return rc;
                vtypes[k] = pr->type;
            }
    }
    /* target columns; document tables grow */
    TableInfo *nt = NULL;
    int *target = arena_alloc(ctx->stmt, sizeof(int) * (size_t)(width + 1));
    if (!target) return DD_ENOMEM;
    if (s->ncols) {
        for (int k = 0; k < s->ncols; k++) {
            for (int j = 0; j < k; j++)
                if (strcmp(s->cols[j], s->cols[k]) == 0)
                    return dd_err(ctx->err, DD_EDUPLICATE_COLUMN, s->col_locs[k], "column \"%s\" specified more than once",
                                  s->cols[k]);
            const TableInfo *cur = nt ? nt : t;
            int ci = find_col(cur, s->cols[k]);
            if (ci >= 0 && strcmp(s->cols[k], ROWID_COL) == 0 && is_pk_col(cur, ci)) ci = -1;
            if (ci < 0) {
                if (!t->document_style)
                    return dd_err(ctx->err, DD_EUNDEFINED_COLUMN, s->col_locs[k],
                                  "column \"%s\" of relation \"%s\" does not exist", s->cols[k], name_base(t->name));
                if (!nt && !(nt = table_grow(ctx, t, s->ncols))) return DD_ENOMEM;
                rc = add_column(ctx, nt, s->cols[k], infer_type(vtypes[k]), s->col_locs[k]);
                if (rc) return rc;
                ci = nt->ncols - 1;
            }
            target[k] = ci;
        }
    } else {
        int k = 0;
        for (int i = 0; i < t->ncols && k < width; i++)
            if (!t->cols[i].dropped && !t->cols[i].pending && strcmp(t->cols[i].name, ROWID_COL) != 0) target[k++] = i;
        if (k < width)
            return dd_err(ctx->err, DD_ESYNTAX, s->table_loc, "INSERT has more expressions than target columns");
    }
    /* a value with a fraction (in any row) widens an integer document column */
    for (int k = 0; t->document_style && k < width; k++) {
        int loc = s->ncols ? s->col_locs[k] : s->table_loc;
        TypeId widest = vtypes[k];
        for (int r = 0; !sel && r < s->nrows && widest != TYPE_NUMERIC && widest != type_array_of(TYPE_NUMERIC); r++) {
            if (s->rows[r][k]->kind == EXPR_DEFAULT) continue;
            ExprProg *pr;
            if ((rc = expr_compile(&cc, s->rows[r][k], &pr))) return rc;
            TypeId e = type_is_array(pr->type) ? type_elem(pr->type) : pr->type;
            if (e == TYPE_NUMERIC || e == TYPE_FLOAT4 || e == TYPE_FLOAT8 || e == TYPE_TIMESTAMP || e == TYPE_TIMESTAMPTZ)
                widest = pr->type;
        }
        if ((rc = doc_widen(ctx, t, &nt, target[k], widest, loc))) return rc;
    }
    /* document columns created untyped (pk=id, INDEX(x)) get their type now */
    for (int k = 0; k < width; k++) {
        const TableInfo *cur = nt ? nt : t;
        const ColumnInfo *cc0 = &cur->cols[target[k]];
        if ((cc0->type == TYPE_NULLTYPE && vtypes[k] != TYPE_NULLTYPE) || cc0->pending) {
            if (!nt && !(nt = table_grow(ctx, t, 0))) return DD_ENOMEM;
            if (vtypes[k] != TYPE_NULLTYPE) nt->cols[target[k]].type = (u16)infer_type(vtypes[k]);
            nt->cols[target[k]].pending = false;
        }
    }
    if (nt) {
        /* the new columns are published when a row is written (exec) */
        p->new_table = nt;
        t = nt;
    }
    p->kind = PLAN_INSERT;
    p->table = t;
    p->ntargets = width;
    p->target_col = target;
    p->nrows = s->default_values ? 1 : s->nrows;
    if (s->default_values) {
        p->values = arena_zalloc(ctx->stmt, sizeof(ExprProg **));
        if (!p->values) return DD_ENOMEM;
    } else if (sel) {
        for (int k = 0; k < width; k++) {
            const ColumnInfo *col = &t->cols[target[k]];
            if (col->identity && s->overriding == 'u')
                return dd_err(ctx->err, DD_EFEATURE, s->select->loc,
                              "OVERRIDING USER VALUE with INSERT ... SELECT is not supported yet");
            if ((col->identity == 'a' && s->overriding != 's') || col->gen_sql) {
                Expr e = {.kind = EXPR_CONST, .loc = s->select->loc};
                ExprProg *unused;
                return compile_assigned(ctx, &cc, &e, col, false, false, &unused);
            }
        }
        p->root = sel->root;
        p->values = NULL;
        /* each selected value is cast to its column's type at run time */
        TypeId *to = arena_alloc(ctx->stmt, sizeof(TypeId) * (size_t)(width + 1));
        i32 *tm = arena_alloc(ctx->stmt, sizeof(i32) * (size_t)(width + 1));
        const char **names = arena_alloc(ctx->stmt, sizeof(char *) * (size_t)(width + 1));
        if (!to || !tm || !names) return DD_ENOMEM;
        for (int k = 0; k < width; k++) {
            const ColumnInfo *col = &t->cols[target[k]];
            to[k] = col->type == TYPE_NULLTYPE ? TYPE_TEXT : (TypeId)col->type;
            tm[k] = col->typmod;
            names[k] = col->name;
        }
        rc = compile_row_casts(ctx, sel->cols, width, to, tm, names, &p->set);
        if (rc) return rc;
    } else {
        p->values = arena_alloc(ctx->stmt, sizeof(ExprProg **) * (size_t)(s->nrows + 1));
        if (!p->values) return DD_ENOMEM;
        for (int r = 0; r < s->nrows; r++) {
            p->values[r] = arena_alloc(ctx->stmt, sizeof(ExprProg *) * (size_t)(width + 1));
            if (!p->values[r]) return DD_ENOMEM;
            for (int k = 0; k < width; k++) {
                const ColumnInfo *col = &t->cols[target[k]];
                Expr *e = s->rows[r][k];
                if (s->overriding == 'u' && col->identity) e = &default_expr;   /* OVERRIDING USER VALUE */
                rc = compile_assigned(ctx, &cc, e, col, false, s->overriding == 's', &p->values[r][k]);
                if (rc) return rc;
            }
        }
    }
    int ri = find_col(t, ROWID_COL);
    p->add_rowid = ri >= 0 && is_pk_col(t, ri);
    rc = compile_defaults(ctx, t, target, width, p);
    if (!rc) rc = compile_checks(ctx, t, p);
    if (!rc && s->on_conflict) rc = compile_conflict(ctx, s, t, p);
    if (!rc) rc = compile_returning(ctx, t, s->alias ? s->alias : t->name, s->returning, s->nreturning, p, NULL);
    return rc;
}

static int check_not_null(SqlCtx *ctx, const Plan *p, const TableInfo *t, const Value *vals)
{
    for (int i = 0; i < t->ncols; i++) {
        const ColumnInfo *c = &t->cols[i];
        if (c->dropped || !vals[i].isnull) continue;
        if (c->not_null || is_pk_col(t, i)) {
            dd_err(ctx->err, DD_ENOT_NULL, -1, "null value in column \"%s\" of relation \"%s\" violates not-null constraint",
                   c->name, name_base(t->name));
            dd_err_relation(ctx->err, t, c->name, NULL);
            sql_failing_row(ctx, p, t, vals);
            return DD_ENOT_NULL;
        }
    }
    return DD_OK;
}

static int dup_key_err(SqlCtx *ctx, const TableInfo *t, const u8 *pk, u32 pklen)
{
    int rc = dd_err(ctx->err, DD_EUNIQUE, -1, "duplicate key value violates unique constraint \"%s_pkey\"", name_base(t->name));
    {
        char con[80];
        snprintf(con, sizeof con, "%.58s_pkey", name_base(t->name));
        dd_err_relation(ctx->err, t, NULL, con);
    }
    if (!acl_can(ctx, t, ACL_SELECT)) return rc;   /* the key's values only to a reader */
    Buf names = BUF_INIT, vals = BUF_INIT;
    for (int k = 0; k < t->npk; k++) {
        int ci = table_col_index(t, t->pk[k]);
        buf_printf(&names, "%s%s", k ? ", " : "", ci >= 0 ? t->cols[ci].name : "?");
    }
    if (row_render_pk_vc(t, pk, pklen, &ctx->vctx, &vals) == 0 && buf_ok(&names) && buf_ok(&vals))
        dd_err_detail(ctx->err, "Key (%s)=(%s) already exists.", buf_cstr(&names), buf_cstr(&vals));
    buf_free(&names);
    buf_free(&vals);
    return rc;
}

/* Whether pk is live in the present (write set over snapshot); *in_ws:
 * whether the write set has an entry for it. */
static int key_live_ws(SqlCtx *ctx, const TableInfo *t, const u8 *pk, u32 pklen, bool *live, bool *in_ws)
{
    WsRow *w = ws_find(ctx->ws, t->id, pk, pklen);
    *in_ws = w != NULL;
    if (w) { *live = w->rec != NULL; return DD_OK; }
    Version v;
    int f = tget_present(ctx->snap, t->id, pk, pklen, &v);
    if (f < 0) return -f;
    *live = f == 1;
    return DD_OK;
}

static int key_live(SqlCtx *ctx, const TableInfo *t, const u8 *pk, u32 pklen, bool *live)
{
    bool in_ws;
    return key_live_ws(ctx, t, pk, pklen, live, &in_ws);
}

/*
 * An INSERT of key pk, which its snapshot does not have: the key is locked,
 * so that a transaction inserting (or changing) the same key meanwhile is
 * waited for, as PostgreSQL waits on a unique index entry; *live: the key
 * is taken now (a transaction committed it after the snapshot, perhaps the
 * one waited for).  The transaction's own keys need no lock.
 */
static int lock_new_key_ws(SqlCtx *ctx, const TableInfo *t, const u8 *pk, u32 pklen, bool in_ws, bool *live)
{
    *live = false;
    if (!ctx->lock_row || t->temp || in_ws) return DD_OK;
    bool changed, skipped;
    int rc = ctx->lock_row(ctx, t->id, pk, pklen, ROWLOCK_UPDATE, LOCKWAIT_BLOCK, &changed, &skipped);
    if (rc || !changed) return rc;
    Snap *latest;
    if ((rc = store_snap_begin(ctx->store, &latest, ctx->err))) return rc;
    Version v;
    int f = tget_present(latest, t->id, pk, pklen, &v);
    store_snap_end(latest);
    if (f < 0) return -f;
    *live = f == 1;
    return DD_OK;
}

static int lock_new_key(SqlCtx *ctx, const TableInfo *t, const u8 *pk, u32 pklen, bool *live)
{
    return lock_new_key_ws(ctx, t, pk, pklen, ws_find(ctx->ws, t->id, pk, pklen) != NULL, live);
}

/* A row computed by an INSERT, written only once all rows are computed,
 * so the statement never reads its own rows (subqueries, INSERT ... SELECT
 * from the same table). */
typedef struct NewRow {
    u8 *pk, *rec;
    u32 pklen, reclen;
} NewRow;

typedef struct NewRows {
    NewRow *v;
    size_t n, cap;
} NewRows;

/* NOT NULL and the CHECK constraints of t over a new row; old: the row
 * it updates (its unchanged values are not checked against their domains
 * again: PostgreSQL checks a domain when a value is assigned), or NULL. */
static int check_row_upd(SqlCtx *ctx, const Plan *p, const TableInfo *t, Value *vals, const Value *old)
{
    int rc = compute_generated(ctx, p, t, vals);
    if (!rc) rc = check_not_null(ctx, p, t, vals);
    return rc ? rc : check_row_constraints(ctx, p, t, vals, old);
}

static int check_row(SqlCtx *ctx, const Plan *p, const TableInfo *t, Value *vals)
{
    return check_row_upd(ctx, p, t, vals, NULL);
}

static int encode_row(SqlCtx *ctx, const Plan *p, const TableInfo *t, Value *vals, Buf *pk, Buf *rec, NewRows *out)
{
    int rc = check_row(ctx, p, t, vals);
    if (!rc) rc = row_pk(t, vals, pk, ctx->err);
    if (!rc) rc = row_encode(t, vals, rec, ctx->err);
    if (rc) return rc;
    if (out->n == out->cap) {
        size_t ncap = out->cap ? out->cap * 2 : 64;
        NewRow *nv = arena_alloc(ctx->stmt, sizeof(NewRow) * ncap);
        if (!nv) return DD_ENOMEM;
        if (out->n) memcpy(nv, out->v, sizeof(NewRow) * out->n);
        out->v = nv;
        out->cap = ncap;
    }
    NewRow *r = &out->v[out->n];
    r->pk = arena_memdup(ctx->stmt, pk->data, pk->len);
    r->rec = arena_memdup(ctx->stmt, rec->data, rec->len);
    if (!r->pk || !r->rec) return DD_ENOMEM;
    r->pklen = (u32)pk->len;
    r->reclen = (u32)rec->len;
    out->n++;
    return DD_OK;
}

/* Unique indexes of t (the transaction's newest version) against the
 * rows just written; with uniq, for a statement that adds rows a batch at
 * a time (sql_check_unique_added keeps the keys seen in keep). */
static int check_unique_rows(SqlCtx *ctx, const TableInfo *t, NewRows *rows, Arena *keep, UniqueSets **uniq)
{
    const TableInfo *cur = ctx->ws ? ws_table(ctx->ws, t->id) : NULL;
    if (!cur) cur = t;
    bool any = false;
    for (int x = 0; x < cur->nindexes; x++) any |= cur->indexes[x].unique;
    if (!any || !rows->n) return DD_OK;
    const u8 **pks = arena_alloc(ctx->stmt, sizeof(u8 *) * rows->n);
    u32 *lens = arena_alloc(ctx->stmt, sizeof(u32) * rows->n);
    if (!pks || !lens) return DD_ENOMEM;
    for (size_t i = 0; i < rows->n; i++) {
        pks[i] = rows->v[i].pk;
        lens[i] = rows->v[i].pklen;
    }
    return uniq ? sql_check_unique_added(ctx, cur, pks, lens, (int)rows->n, keep, uniq)
                : sql_check_unique(ctx, cur, pks, lens, (int)rows->n);
}

/* *at: the row an error is about (rows->n when it is about them all). */
static int write_rows_at(SqlCtx *ctx, const TableInfo *t, NewRows *rows, u64 *count, size_t *at)
{
    for (size_t i = 0; i < rows->n; i++) {
        NewRow *r = &rows->v[i];
        bool live, in_ws;
        *at = i;
        int rc = key_live_ws(ctx, t, r->pk, r->pklen, &live, &in_ws);
        if (!rc && !live) rc = lock_new_key_ws(ctx, t, r->pk, r->pklen, in_ws, &live);
        if (rc) return rc;
        if (live) return dup_key_err(ctx, t, r->pk, r->pklen);
        rc = ws_put(ctx->ws, t->id, r->pk, r->pklen, OP_INSERT, 0, r->rec, r->reclen, false, NULL, 0, 0);
        if (rc) return rc;
        (*count)++;
    }
    *at = rows->n;
    return check_unique_rows(ctx, t, rows, NULL, NULL);
}

/*
 * write_rows_at for many rows (COPY): each row's key is checked and its
 * row written in order, then the new keys are locked together
 * (ctx->lock_rows: one lock-table hold per 256 keys); a key another
 * transaction holds is waited for as lock_new_key waits, and when commits
 * landed since the snapshot every new key is looked for in the newest
 * present, as lock_new_key does for one (23505 at its row).
 */
static int write_rows_many(SqlCtx *ctx, const TableInfo *t, NewRows *rows, u64 *count, size_t *at, Arena *keep,
                           UniqueSets **uniq)
{
    if (!ctx->lock_rows || !ctx->lock_row || t->temp) return write_rows_at(ctx, t, rows, count, at);
    const u8 **lpk = arena_alloc(ctx->stmt, sizeof(u8 *) * (rows->n + 1));
    u32 *llen = arena_alloc(ctx->stmt, sizeof(u32) * (rows->n + 1));
    size_t *lrow = arena_alloc(ctx->stmt, sizeof(size_t) * (rows->n + 1));
    if (!lpk || !llen || !lrow) return DD_ENOMEM;
    int nl = 0;
    enum { AHEAD = 8 };
    for (size_t i = 0; i < rows->n && i < AHEAD; i++) ws_prefetch(ctx->ws, t->id, rows->v[i].pk, rows->v[i].pklen);
    for (size_t i = 0; i < rows->n; i++) {
        NewRow *r = &rows->v[i];
        bool live, in_ws;
        *at = i;
        if (i + AHEAD < rows->n) ws_prefetch(ctx->ws, t->id, rows->v[i + AHEAD].pk, rows->v[i + AHEAD].pklen);
        int rc = key_live_ws(ctx, t, r->pk, r->pklen, &live, &in_ws);
        if (rc) return rc;
        if (live) return dup_key_err(ctx, t, r->pk, r->pklen);
        rc = ws_put(ctx->ws, t->id, r->pk, r->pklen, OP_INSERT, 0, r->rec, r->reclen, false, NULL, 0, 0);
        if (rc) return rc;
        (*count)++;
        if (in_ws) continue;   /* the transaction's own key needs no lock */
        lpk[nl] = r->pk;
        llen[nl] = r->pklen;
        lrow[nl++] = i;
    }
    for (int k = 0; k < nl;) {
        int done = 0;
        *at = lrow[k];
        int rc = ctx->lock_rows(ctx, t->id, lpk + k, llen + k, nl - k, ROWLOCK_UPDATE, &done);
        if (rc) { *at = lrow[k + done < nl ? k + done : k]; return rc; }
        k += done;
        if (k == nl) break;
        /* held by another transaction: wait for it, as one INSERT would */
        bool live;
        *at = lrow[k];
        if ((rc = lock_new_key_ws(ctx, t, lpk[k], llen[k], false, &live))) return rc;
        if (live) return dup_key_err(ctx, t, lpk[k], llen[k]);
        k++;
    }
    if (nl) {
        StoreStats sst;
        store_stats(ctx->store, &sst);
        if (sst.head_seq > snap_seq(ctx->snap)) {
            Snap *latest;
            int rc = store_snap_begin(ctx->store, &latest, ctx->err);
            if (rc) return rc;
            for (int k = 0; k < nl && !rc; k++) {
                Version v;
                int f = tget_present(latest, t->id, lpk[k], llen[k], &v);
                if (f < 0) rc = -f;
                else if (f == 1) {
                    *at = lrow[k];
                    rc = dup_key_err(ctx, t, lpk[k], llen[k]);
                }
            }
            store_snap_end(latest);
            if (rc) return rc;
        }
    }
    *at = rows->n;
    return check_unique_rows(ctx, t, rows, keep, uniq);
}

static int write_rows(SqlCtx *ctx, const TableInfo *t, NewRows *rows, u64 *count)
{
    size_t at;
    return write_rows_at(ctx, t, rows, count, &at);
}


/* The foreign keys of t over the rows an INSERT wrote. */
static int fk_inserted(SqlCtx *ctx, const TableInfo *t, const NewRows *rows)
{
    bool relevant;
    int rc = rows->n ? fk_relevant(ctx, t, &relevant) : DD_OK;
    if (rc || !rows->n || !relevant) return rc;
    RowChange *ch = arena_zalloc(ctx->stmt, sizeof(RowChange) * rows->n);
    if (!ch) return DD_ENOMEM;
    for (size_t i = 0; i < rows->n; i++) {
        ch[i].neu = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(t->ncols + 1));
        if (!ch[i].neu) return DD_ENOMEM;
        if ((rc = row_decode(t, rows->v[i].rec, rows->v[i].reclen, ch[i].neu, ctx->err))) return rc;
    }
    return fk_after_writes(ctx, t, ch, rows->n);
}

/* A copy of the n values of row (statement arena), or NULL. */
static Value *row_copy(SqlCtx *ctx, const Value *row, int n)
{
    Value *c = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(n + 1));
    for (int i = 0; c && i < n; i++)
        if (val_copy(ctx->stmt, &row[i], &c[i])) return NULL;
    return c;
}

/*
 * An ON CONFLICT arbiter that is a unique index.  The snapshot's index
 * answers for the rows the transaction has not written; `map` holds the
 * index keys of the transaction's live rows (and of every live row when
 * the index is new in this transaction: `all`), key -> the row's primary
 * key (pks[val]).  An entry goes stale when its row changes; lookups
 * check the row again.
 */
typedef struct Arbiter {
    const IndexInfo *ix;
    bool all;
    KeySet map;
    const u8 **pks; u32 *pklens; u32 n, cap;
} Arbiter;

static int arb_put(SqlCtx *ctx, Arbiter *a, const Buf *key, const u8 *pk, u32 pklen)
{
    if (a->n == a->cap) {
        u32 ncap = a->cap ? a->cap * 2 : 32;
        const u8 **np = arena_alloc(ctx->stmt, sizeof(u8 *) * ncap);
        u32 *nl = arena_alloc(ctx->stmt, sizeof(u32) * ncap);
        if (!np || !nl) return DD_ENOMEM;
        if (a->n) {
            memcpy(np, a->pks, sizeof(u8 *) * a->n);
            memcpy(nl, a->pklens, sizeof(u32) * a->n);
        }
        a->pks = np;
        a->pklens = nl;
        a->cap = ncap;
    }
    u8 *copy = arena_memdup(ctx->stmt, pk, pklen ? pklen : 1);
    if (!copy) return DD_ENOMEM;
    bool had;
    int rc = keyset_put(ctx->stmt, &a->map, key->data, (u32)key->len, a->n, &had);
    if (rc) return rc;
    if (had) keyset_get(&a->map, key->data, (u32)key->len)->val = a->n;
    a->pks[a->n] = copy;
    a->pklens[a->n++] = pklen;
    return DD_OK;
}

/* Puts row vals (primary key pk) under its key in each arbiter's map. */
static int arb_put_row(SqlCtx *ctx, const TableInfo *t, Arbiter *arbs, int narb, const Value *vals, const u8 *pk,
                       u32 pklen, Buf *key)
{
    for (int i = 0; i < narb; i++) {
        bool has_null;
        int rc = sql_index_key_full(ctx, t, arbs[i].ix, vals, key, &has_null);
        if (!rc && !has_null) rc = arb_put(ctx, &arbs[i], key, pk, pklen);
        if (rc) return rc;
    }
    return DD_OK;
}

static int arb_init(SqlCtx *ctx, const TableInfo *t, Arbiter *a, Value *vals, Buf *key)
{
    int rc = DD_OK;
    a->all = !sql_index_in_snapshot(ctx, t, a->ix);
    if (a->all) {
        TScan *sc = NULL;
        if ((rc = tscan_open(ctx->snap, t->id, TMODE_PRESENT, 0, 0, NULL, 0, NULL, 0, &sc, ctx->err))) return rc;
        for (u64 n = 0; !rc; n++) {
            Version v;
            if ((n & 255) == 0 && (rc = sql_check_interrupt(ctx))) break;
            int r = tscan_next(sc, &v, ctx->err);
            if (r <= 0) { rc = -r; break; }
            if (ctx->ws && ws_find(ctx->ws, t->id, v.pk, v.pklen)) continue;
            if (!(rc = sql_row_decode(ctx, t, v.rec, v.reclen, v.start, vals, NULL))) rc = arb_put_row(ctx, t, a, 1, vals, v.pk, v.pklen, key);
        }
        tscan_close(sc);
    }
    WsRow **rows = NULL;
    int nrows = 0;
    if (!rc && ctx->ws) rc = ws_table_rows(ctx->ws, t->id, ctx->stmt, &rows, &nrows);
    for (int i = 0; !rc && i < nrows; i++) {
        if (!rows[i]->rec) continue;
        if (!(rc = row_decode(t, rows[i]->rec, rows[i]->reclen, vals, ctx->err)))
            rc = arb_put_row(ctx, t, a, 1, vals, rows[i]->pk, rows[i]->pklen, key);
    }
    return rc;
}

/* Whether the live row pk (the transaction's, else the snapshot's) has
 * index key `key` under a's index. */
static int arb_row_has(SqlCtx *ctx, const TableInfo *t, Arbiter *a, const u8 *pk, u32 pklen, const Buf *key,
                       Value *vals, Buf *okey, bool *has)
{
    *has = false;
    WsRow *w = ctx->ws ? ws_find(ctx->ws, t->id, pk, pklen) : NULL;
    const u8 *rec;
    u32 reclen;
    Version v;
    u64 start = 0;
    if (w) {
        if (!w->rec) return DD_OK;
        rec = w->rec;
        reclen = w->reclen;
    } else {
        int f = tget_present(ctx->snap, t->id, pk, pklen, &v);
        if (f <= 0) return -f;
        rec = v.rec;
        reclen = v.reclen;
        start = v.start;
    }
    bool has_null;
    int rc = sql_row_decode(ctx, t, rec, reclen, start, vals, NULL);
    if (!rc) rc = sql_index_key_full(ctx, t, a->ix, vals, okey, &has_null);
    *has = !rc && !has_null && okey->len == key->len && memcmp(okey->data, key->data, key->len) == 0;
    return rc;
}

/* The live row whose key under a's index is `key`: *pk, or NULL. */
static int arb_find(SqlCtx *ctx, const TableInfo *t, Arbiter *a, const Buf *key, Value *vals, Buf *okey,
                    const u8 **pk, u32 *pklen)
{
    *pk = NULL;
    bool has;
    int rc;
    KeySetEntry *e = keyset_get(&a->map, key->data, (u32)key->len);
    if (e) {
        if ((rc = arb_row_has(ctx, t, a, a->pks[e->val], a->pklens[e->val], key, vals, okey, &has))) return rc;
        if (has) {
            *pk = a->pks[e->val];
            *pklen = a->pklens[e->val];
            return DD_OK;
        }
    }
    if (a->all) return DD_OK;
    bool cut = key->len > ROW_INDEX_PREFIX;
    u32 plen = cut ? ROW_INDEX_PREFIX : (u32)key->len;
    IScan *is;
    if ((rc = iscan_open(ctx->snap, a->ix->id, key->data, plen, &is, ctx->err))) return rc;
    const u8 *ipk;
    u32 ipklen;
    while (!rc && iscan_next(is, &ipk, &ipklen) == 1) {
        const u8 *ek;
        u32 kn;
        iscan_key(is, &ek, &kn);
        if (kn != 4 + plen + ipklen) continue;                       /* another value sharing the prefix */
        if (ctx->ws && ws_find(ctx->ws, t->id, ipk, ipklen)) continue; /* the map answers for it */
        if ((rc = arb_row_has(ctx, t, a, ipk, ipklen, key, vals, okey, &has)) || !has) continue;
        u8 *copy = arena_memdup(ctx->stmt, ipk, ipklen ? ipklen : 1);
        if (!copy) rc = DD_ENOMEM;
        *pk = copy;
        *pklen = ipklen;
        break;
    }
    iscan_close(is);
    return rc;
}

/*
 * Locks row pk of t, which the statement is about to change, for the
 * transaction (docs/architecture.md §3).  When another transaction
 * committed a change to it since the statement's snapshot, the row the
 * statement read is not the row there: READ COMMITTED runs the statement
 * again (DD_ESTATEMENT_RESTART) when it can (dml_may_restart), else (and
 * under REPEATABLE READ) 40001.  Temporary tables are the session's own.
 */
int dml_lock_row(SqlCtx *ctx, const TableInfo *t, const u8 *pk, u32 pklen, int mode)
{
    if (!ctx->lock_row || t->temp) return DD_OK;
    bool changed, skipped;
    int rc = ctx->lock_row(ctx, t->id, pk, pklen, mode, LOCKWAIT_BLOCK, &changed, &skipped);
    if (rc || !changed) return rc;
    if (dml_may_restart(ctx)) return DD_ESTATEMENT_RESTART;
    return dd_err(ctx->err, DD_ESERIALIZATION, -1, "could not serialize access due to concurrent update");
}

bool dml_may_restart(SqlCtx *ctx)
{
    if (!ctx->restart_ok || !ctx->lock_restartable) return false;
    if (ctx->ws->writes == ctx->ws_writes0) return true;
    /* rows it wrote, and the transaction nothing before it: they go with
     * the run that wrote them (run_sql empties the write set) */
    if (ctx->ws_writes0 == 0 && ws_rows_only(ctx->ws)) {
        ctx->restart_discard = true;
        return true;
    }
    /* the transaction wrote before it: the statement's own rows go back
     * to what they were at its start (run_sql marked it) */
    if (ws_mark_rows_only(ctx->ws)) {
        ctx->restart_undo = true;
        return true;
    }
    return false;
}

/* The row lock an UPDATE of columns target[0..n) (indexes into t->cols)
 * takes, as PostgreSQL: FOR UPDATE when it sets a column of the primary
 * key or of a unique index (a key a foreign key may reference), else FOR
 * NO KEY UPDATE (which FOR KEY SHARE does not wait for). */
static int update_lock_mode(const TableInfo *t, const int *target, int n)
{
    for (int k = 0; k < n; k++) {
        u32 id = t->cols[target[k]].id;
        for (int i = 0; i < t->npk; i++)
            if (t->pk[i] == id) return ROWLOCK_UPDATE;
        for (int x = 0; x < t->nindexes; x++) {
            const IndexInfo *ix = &t->indexes[x];
            if (!ix->unique || ix->pred_sql) continue;
            for (int c = 0; c < ix->ncols; c++)
                if (ix->cols[c] == id) return ROWLOCK_UPDATE;
        }
    }
    return ROWLOCK_NO_KEY_UPDATE;
}

/*
 * INSERT ... ON CONFLICT: each proposed row is inserted, or, when it
 * conflicts with a live row on an arbiter (the same primary key, or the
 * same non-NULL values of an arbiter index), skipped (DO NOTHING) or that
 * row is updated (DO UPDATE, when its WHERE holds).  A row this statement
 * already inserted or updated is skipped by DO NOTHING and is 21000 for DO
 * UPDATE, as PostgreSQL.  A proposed row that conflicts on something that
 * is not an arbiter fails with 23505.
 */
static int write_rows_on_conflict(SqlCtx *ctx, Plan *p, NewRows *rows)
{
    const TableInfo *t = p->table;
    int w = t->ncols + HIST_COLS;
    KeySet touched = {NULL, 0, 0};
    const u8 **done = arena_alloc(ctx->stmt, sizeof(u8 *) * (rows->n + 1));
    u32 *donelen = arena_alloc(ctx->stmt, sizeof(u32) * (rows->n + 1));
    Value *row = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(2 * w + 1));
    Value *neu = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(t->ncols + 1));
    Value *scratch = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(t->ncols + 1));
    Arbiter *arbs = arena_zalloc(ctx->stmt, sizeof(Arbiter) * (size_t)(p->narb + 1));
    if (!done || !donelen || !row || !neu || !scratch || !arbs) return DD_ENOMEM;
    int ndone = 0, rc = DD_OK;
    EvalEnv env = {ctx, NULL, 0, NULL};
    Buf rec = BUF_INIT, key = BUF_INIT, okey = BUF_INIT;
    for (int i = 0; !rc && i < p->narb; i++) {
        arbs[i].ix = p->arb[i];
        rc = arb_init(ctx, t, &arbs[i], scratch, &key);
    }
    /* the rows written, for the foreign keys */
    bool fks = false;
    if (!rc) rc = fk_relevant(ctx, t, &fks);
    RowChange *ch = fks ? arena_zalloc(ctx->stmt, sizeof(RowChange) * (rows->n + 1)) : NULL;
    size_t nch = 0;
    if (!rc && fks && !ch) rc = DD_ENOMEM;
    for (size_t i = 0; !rc && i < rows->n; i++) {
        NewRow *r = &rows->v[i];
        Value *prop = row + w;   /* the proposed row: EXCLUDED */
        if ((rc = row_decode(t, r->rec, r->reclen, prop, ctx->err))) break;
        /* the live row it conflicts with on an arbiter */
        const u8 *cpk = NULL;
        u32 cpklen = 0;
        bool live;
        if (p->arb_pk) {
            if ((rc = key_live(ctx, t, r->pk, r->pklen, &live))) break;
            if (live) { cpk = r->pk; cpklen = r->pklen; }
        }
        for (int a = 0; !rc && !cpk && a < p->narb; a++) {
            bool has_null;
            if ((rc = sql_index_key_full(ctx, t, arbs[a].ix, prop, &key, &has_null)) || has_null) continue;
            rc = arb_find(ctx, t, &arbs[a], &key, scratch, &okey, &cpk, &cpklen);
        }
        if (rc) break;
        if (!cpk) {
            if (!p->arb_pk) {
                if ((rc = key_live(ctx, t, r->pk, r->pklen, &live))) break;
                if (live) { rc = dup_key_err(ctx, t, r->pk, r->pklen); break; }
            }
            /* the key, locked: another transaction inserting it is waited
             * for; when it committed the key, the key conflicts now */
            if ((rc = lock_new_key(ctx, t, r->pk, r->pklen, &live))) break;
            if (live && !p->arb_pk) { rc = dup_key_err(ctx, t, r->pk, r->pklen); break; }
            if (live && p->conflict == 1) continue;   /* DO NOTHING */
            if (live) {
                /* DO UPDATE of a row the snapshot does not have: READ
                 * COMMITTED runs the statement again, while it can */
                if (dml_may_restart(ctx))
                    rc = DD_ESTATEMENT_RESTART;
                else
                    rc = dd_err(ctx->err, DD_ESERIALIZATION, -1, "could not serialize access due to concurrent update");
                break;
            }
            rc = ws_put(ctx->ws, t->id, r->pk, r->pklen, OP_INSERT, 0, r->rec, r->reclen, false, NULL, 0, 0);
            if (!rc) rc = keyset_put(ctx->stmt, &touched, r->pk, r->pklen, 0, NULL);
            if (!rc) rc = arb_put_row(ctx, t, arbs, p->narb, prop, r->pk, r->pklen, &key);
            if (rc) break;
            p->count++;
            done[ndone] = r->pk;
            donelen[ndone++] = r->pklen;
            rc = keep_returning(ctx, p, prop);
            if (!rc && fks && !(ch[nch++].neu = row_copy(ctx, prop, t->ncols))) rc = DD_ENOMEM;
            continue;
        }
        if (p->conflict == 1) continue;
        if (keyset_get(&touched, cpk, cpklen)) {
            rc = dd_err(ctx->err, DD_ECARDINALITY, -1, "ON CONFLICT DO UPDATE command cannot affect row a second time");
            dd_err_hint(ctx->err, "Ensure that no rows proposed for insertion within the same command have "
                                  "duplicate constrained values.");
            break;
        }
        if ((rc = dml_lock_row(ctx, t, cpk, cpklen, update_lock_mode(t, p->ctarget, p->ncset)))) break;
        /* the existing row (the transaction's, else the snapshot's) */
        const u8 *orec;
        u32 oreclen;
        u64 ostart = 0;
        WsRow *wr = ws_find(ctx->ws, t->id, cpk, cpklen);
        Version v;
        if (wr) {
            orec = wr->rec;
            oreclen = wr->reclen;
        } else {
            int f = tget_present(ctx->snap, t->id, cpk, cpklen, &v);
            if (f < 0) { rc = -f; break; }
            orec = v.rec;
            oreclen = v.reclen;
            ostart = v.start;
        }
        /* a copy: the write set replaces (frees) the row's bytes when the
         * update is put, and the old and new rows' values point into them */
        u8 *orig = arena_memdup(ctx->stmt, orec, oreclen ? oreclen : 1);
        if (!orig) { rc = DD_ENOMEM; break; }
        if ((rc = sql_row_decode(ctx, t, orig, oreclen, ostart, row, NULL))) break;
        for (int h = 0; h < HIST_COLS; h++) {
            row[t->ncols + h] = val_null(hist_col_types[h]);
            row[w + t->ncols + h] = val_null(hist_col_types[h]);
        }
        ArenaMark m = arena_mark(ctx->row);
        bool go = true;
        if (p->cwhere && (rc = expr_eval_bool(p->cwhere, &env, row, &go))) break;
        if (!go) { arena_rewind(ctx->row, m); continue; }
        memcpy(neu, row, sizeof(Value) * (size_t)t->ncols);
        for (int k = 0; !rc && k < p->ncset; k++) {
            Value x;
            rc = expr_eval(p->cset[k], &env, row, &x);
            if (!rc) rc = val_copy(ctx->stmt, &x, &neu[p->ctarget[k]]);
        }
        if (!rc) rc = check_row_upd(ctx, p, t, neu, row);
        if (!rc) rc = row_encode(t, neu, &rec, ctx->err);
        if (!rc) {
            u8 *pkc = arena_memdup(ctx->stmt, cpk, cpklen ? cpklen : 1);
            rc = pkc ? ws_put(ctx->ws, t->id, pkc, cpklen, OP_UPDATE, 0, rec.data, (u32)rec.len, true, orig,
                              oreclen, 0)
                     : DD_ENOMEM;
            if (!rc) rc = keyset_put(ctx->stmt, &touched, pkc, cpklen, 0, NULL);
            if (!rc) rc = arb_put_row(ctx, t, arbs, p->narb, neu, pkc, cpklen, &key);
            if (!rc) {
                p->count++;
                done[ndone] = pkc;
                donelen[ndone++] = cpklen;
                rc = keep_returning(ctx, p, neu);
            }
        }
        if (!rc && fks) {
            ch[nch].old = row_copy(ctx, row, t->ncols);
            ch[nch].neu = row_copy(ctx, neu, t->ncols);
            if (!ch[nch++].old || !ch[nch - 1].neu) rc = DD_ENOMEM;
        }
        arena_rewind(ctx->row, m);
    }
    buf_free(&rec);
    buf_free(&key);
    buf_free(&okey);
    if (rc) return rc;
    const TableInfo *cur = ctx->ws ? ws_table(ctx->ws, t->id) : NULL;
    if (!cur) cur = t;
    rc = ndone ? sql_check_unique(ctx, cur, done, donelen, ndone) : DD_OK;
    return !rc && nch ? fk_after_writes(ctx, t, ch, nch) : rc;
}

static int eval_defaults(SqlCtx *ctx, Plan *p, Value *vals)
{
    if (!p->defaults) return DD_OK;
    EvalEnv env = {ctx, NULL, 0, NULL};
    for (int i = 0; i < p->table->ncols; i++) {
        if (!p->defaults[i]) continue;
        int rc = expr_eval(p->defaults[i], &env, NULL, &vals[i]);
        if (rc) return rc;
    }
    return DD_OK;
}

static int exec_insert(SqlCtx *ctx, Plan *p)
{
    const TableInfo *t = p->table;
    Value *vals = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(t->ncols + 1));
    if (!vals) return DD_ENOMEM;
    Buf pk = BUF_INIT, rec = BUF_INIT;
    NewRows rows = {NULL, 0, 0};
    EvalEnv env = {ctx, NULL, 0, NULL};
    int rc = DD_OK;
    int rowid_ci = p->add_rowid ? find_col(t, ROWID_COL) : -1;
    /* 1. compute every row */
    if (p->root) {
        rc = op_open(ctx, p->root);
        while (!rc) {
            Value *r;
            ArenaMark m = arena_mark(ctx->row);
            int n = op_next(ctx, p->root, &r);
            if (n < 0) { rc = -n; break; }
            if (n == 0) break;
            for (int i = 0; i < t->ncols; i++) vals[i] = val_null((TypeId)t->cols[i].type);
            rc = eval_defaults(ctx, p, vals);
            for (int k = 0; !rc && k < p->ntargets; k++)
                rc = expr_eval(p->set[k], &env, r, &vals[p->target_col[k]]);
            if (!rc && rowid_ci >= 0) vals[rowid_ci] = val_int(TYPE_INT8, (i64)next_rowid());
            if (!rc) rc = encode_row(ctx, p, t, vals, &pk, &rec, &rows);
            if (!rc && !p->conflict) rc = keep_returning(ctx, p, vals);
            arena_rewind(ctx->row, m);
        }
        op_close(ctx, p->root);
    } else {
        for (int r = 0; !rc && r < p->nrows; r++) {
            ArenaMark m = arena_mark(ctx->row);
            for (int i = 0; i < t->ncols; i++) vals[i] = val_null((TypeId)t->cols[i].type);
            rc = eval_defaults(ctx, p, vals);
            for (int k = 0; !rc && k < p->ntargets; k++)
                rc = expr_eval(p->values[r][k], &env, NULL, &vals[p->target_col[k]]);
            if (!rc && rowid_ci >= 0) vals[rowid_ci] = val_int(TYPE_INT8, (i64)next_rowid());
            if (!rc) rc = encode_row(ctx, p, t, vals, &pk, &rec, &rows);
            if (!rc && !p->conflict) rc = keep_returning(ctx, p, vals);
            arena_rewind(ctx->row, m);
        }
    }
    buf_free(&pk);
    buf_free(&rec);
    /* 2. write them (and the document columns they brought) */
    if (!rc && rows.n && p->new_table && !ws_put_table(ctx->ws, p->new_table)) rc = DD_ENOMEM;
    if (!rc) rc = p->conflict ? write_rows_on_conflict(ctx, p, &rows) : write_rows(ctx, t, &rows, &p->count);
    if (!rc && !p->conflict) rc = fk_inserted(ctx, t, &rows);
    if (!rc) rc = returning_rows(ctx, p);
    return rc;
}

bool dml_insert_rows_ok(const Plan *p)
{
    return p->kind == PLAN_INSERT && !p->root && p->nrows == 1 && p->values && !p->conflict && !p->new_table &&
           !p->ret && !p->npre && !p->table->document_style;
}

/*
 * COPY FROM's rows through an INSERT planned once: p is INSERT INTO t
 * (cols) ... VALUES ($1, ..., $n) (dml_insert_rows_ok), and each row of
 * in (nrows rows of n = p->ntargets values, of the parameters' types) runs
 * through it as that statement would with those parameters: defaults,
 * assignment casts, generated columns, NOT NULL, CHECK and domains, the
 * key and its lock, unique indexes, foreign keys.  As exec_insert, every
 * row is computed before any is written.  *bad: the row an error is about,
 * or -1 when it is about the rows together (a unique index, a foreign key).
 * Memory: ctx->stmt (the caller resets it between calls).
 */
int dml_insert_rows(SqlCtx *ctx, Plan *p, const Value *in, int nrows, Arena *keep, UniqueSets **uniq, u64 *count,
                    int *bad)
{
    const TableInfo *t = p->table;
    int n = p->ntargets;
    *bad = -1;
    Value *vals = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(t->ncols + 1));
    Value *nulls = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(t->ncols + 1));
    NewRows rows = {NULL, 0, 0};
    if (!vals || !nulls) return DD_ENOMEM;
    for (int i = 0; i < t->ncols; i++) nulls[i] = val_null((TypeId)t->cols[i].type);
    rows.v = arena_alloc(ctx->stmt, sizeof(NewRow) * (size_t)(nrows + 1));
    if (!rows.v) return DD_ENOMEM;
    rows.cap = (size_t)nrows + 1;
    Buf pk = BUF_INIT, rec = BUF_INIT;
    EvalEnv env = {ctx, NULL, 0, NULL};
    int rowid_ci = p->add_rowid ? find_col(t, ROWID_COL) : -1;
    const Value *params = ctx->params;
    int rc = DD_OK;
    for (int r = 0; !rc && r < nrows; r++) {
        ArenaMark m = arena_mark(ctx->row);
        ctx->params = in + (size_t)r * (size_t)n;
        memcpy(vals, nulls, sizeof(Value) * (size_t)t->ncols);
        rc = eval_defaults(ctx, p, vals);
        for (int k = 0; !rc && k < n; k++) rc = expr_eval(p->values[0][k], &env, NULL, &vals[p->target_col[k]]);
        if (!rc && rowid_ci >= 0) vals[rowid_ci] = val_int(TYPE_INT8, (i64)next_rowid());
        if (!rc) rc = encode_row(ctx, p, t, vals, &pk, &rec, &rows);
        if (rc) *bad = r;
        arena_rewind(ctx->row, m);
    }
    ctx->params = params;
    buf_free(&pk);
    buf_free(&rec);
    if (rc) return rc;
    size_t at = 0;
    rc = write_rows_many(ctx, t, &rows, count, &at, keep, uniq);
    if (rc) {
        if (at < rows.n) *bad = (int)at;
        return rc;
    }
    return fk_inserted(ctx, t, &rows);
}

/* ---------------------------------------------------------------- UPDATE / DELETE */

static int dml_scope(SqlCtx *ctx, const TableInfo *t, const char *alias, Scope *sc)
{
    ScopeRel *rel = arena_zalloc(ctx->stmt, sizeof(ScopeRel));
    if (!rel) return DD_ENOMEM;
    int rc = scope_rel_for_table(ctx, t, alias, rel);
    if (rc) return rc;
    memset(sc, 0, sizeof(*sc));
    sc->rels = rel;
    sc->nrels = 1;
    sc->nslots = rel->ncols;
    return DD_OK;
}

/*
 * UPDATE ... FROM / DELETE ... USING: the target table joined with the
 * other FROM items under WHERE, planned as a SELECT's FROM clause (the
 * target first: its row is slots [0, ncols) of every joined row); sc
 * gets every relation (SET, RETURNING), *root the join.  A target row
 * that joins several rows is changed once (exec_update_delete).
 */
static int dml_from(SqlCtx *ctx, const TableInfo *t, const char *table, const char *alias, int loc, TableRef **from,
                    int nfrom, Expr *where, Scope *sc, Op **root)
{
    SelectStmt *q = arena_zalloc(ctx->stmt, sizeof(SelectStmt));
    TableRef *tr = arena_zalloc(ctx->stmt, sizeof(TableRef));
    TableRef **items = arena_alloc(ctx->stmt, sizeof(TableRef *) * (size_t)(nfrom + 1));
    if (!q || !tr || !items) return DD_ENOMEM;
    tr->kind = TREF_TABLE;
    tr->loc = loc;
    tr->name = (char *)table;
    tr->alias = (char *)alias;
    items[0] = tr;
    memcpy(items + 1, from, sizeof(TableRef *) * (size_t)nfrom);
    q->loc = loc;
    q->from = items;
    q->nfrom = nfrom + 1;
    q->where = where;
    Scope env;
    memset(&env, 0, sizeof(env));
    FromItem fi;
    int rc = plan_from_where(ctx, q, &env, &fi);
    if (rc) return rc;
    if (fi.nrels < 1 || fi.rels[0].ncols != t->ncols + HIST_COLS || fi.rels[0].slot0 != 0)
        return dd_err(ctx->err, DD_EINTERNAL, loc, "the target of an UPDATE ... FROM is not the first relation");
    *sc = (Scope){fi.rels, fi.nrels, fi.width, NULL, NULL, NULL, NULL, fi.merged, 0, fi.nmerged};
    /* every column of the target is read (the new image is the old one
     * changed; a DELETE keeps the whole old image) */
    for (int i = 0; i < t->ncols; i++) fi.rels[0].used[i] = true;
    *root = fi.op;
    return DD_OK;
}

int analyze_update(SqlCtx *ctx, UpdateStmt *s, Plan *p)
{
    const TableInfo *t;
    int trc = dml_target(ctx, "UPDATE", s->table, s->table_loc, &t);
    if (trc) return trc;
    int rc;
    Scope sc;
    rc = dml_scope(ctx, t, s->alias, &sc);
    if (rc) return rc;
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = ctx;
    cc.scope = &sc;
    cc.agg_forbidden = "UPDATE";
    /* document tables: SET of a new column adds it */
    TableInfo *nt = NULL;
    int *target = arena_alloc(ctx->stmt, sizeof(int) * (size_t)(s->nset + 1));
    ExprProg **set = arena_alloc(ctx->stmt, sizeof(ExprProg *) * (size_t)(s->nset + 1));
    if (!target || !set) return DD_ENOMEM;
    for (int k = 0; k < s->nset; k++) {
        for (int j = 0; j < k; j++)
            if (strcmp(s->set[j]->col, s->set[k]->col) == 0)
                return dd_err(ctx->err, DD_ESYNTAX, s->set[k]->loc,
                              "multiple assignments to same column \"%s\"", s->set[k]->col);
        const TableInfo *cur = nt ? nt : t;
        int ci = find_col(cur, s->set[k]->col);
        if (ci >= 0 && strcmp(s->set[k]->col, ROWID_COL) == 0) ci = -1;
        if (ci < 0) {
            if (!t->document_style)
                return dd_err(ctx->err, DD_EUNDEFINED_COLUMN, s->set[k]->loc,
                              "column \"%s\" of relation \"%s\" does not exist", s->set[k]->col, name_base(t->name));
            ExprProg *pr;
            rc = expr_compile(&cc, s->set[k]->expr, &pr);
            if (rc) return rc;
            if (!nt && !(nt = table_grow(ctx, t, s->nset))) return DD_ENOMEM;
            rc = add_column(ctx, nt, s->set[k]->col, infer_type(pr->type), s->set[k]->loc);
            if (rc) return rc;
            ci = nt->ncols - 1;
        } else if (t->document_style && (cur->cols[ci].pending || cur->cols[ci].type == TYPE_NULLTYPE)) {
            /* an untyped or pending document column takes the value's type */
            ExprProg *pr;
            rc = expr_compile(&cc, s->set[k]->expr, &pr);
            if (rc) return rc;
            if (!nt && !(nt = table_grow(ctx, t, s->nset))) return DD_ENOMEM;
            if (pr->type != TYPE_NULLTYPE) nt->cols[ci].type = (u16)infer_type(pr->type);
            nt->cols[ci].pending = false;
        } else if (t->document_style && (type_is_int((TypeId)cur->cols[ci].type) || cur->cols[ci].type == TYPE_DATE ||
                                         cur->cols[ci].type == TYPE_FLOAT8 || cur->cols[ci].type == TYPE_FLOAT4 ||
                                         (type_is_array((TypeId)cur->cols[ci].type) &&
                                          type_is_int(type_elem((TypeId)cur->cols[ci].type))))) {
            ExprProg *pr;
            rc = expr_compile(&cc, s->set[k]->expr, &pr);
            if (!rc) rc = doc_widen(ctx, t, &nt, ci, pr->type, s->set[k]->loc);
            if (rc) return rc;
        }
        target[k] = ci;
    }
    if (nt && s->nfrom)
        return dd_err(ctx->err, DD_EFEATURE, s->table_loc,
                      "UPDATE ... FROM cannot add columns to a document-style table; SET them without FROM first");
    if (nt) {
        /* published only if the UPDATE changes a row (exec): an UPDATE that
         * matches nothing changes nothing, schema included */
        p->new_table = nt;
        t = nt;
        rc = dml_scope(ctx, t, s->alias, &sc);
        if (rc) return rc;
    }
    Scope wide;
    if (s->nfrom) {
        if ((rc = dml_from(ctx, t, s->table, s->alias, s->table_loc, s->from, s->nfrom, s->where, &wide, &p->root)))
            return rc;
        cc.scope = &wide;
    }
    for (int k = 0; k < s->nset; k++) {
        rc = compile_assigned(ctx, &cc, s->set[k]->expr, &t->cols[target[k]], true, false, &set[k]);
        if (rc) return rc;
    }
    /* reading the table's columns (in SET, WHERE, FROM or RETURNING)
     * takes SELECT on it too */
    bool reads = s->where || s->nreturning || s->nfrom;
    for (int i = 0; i < t->ncols && !reads; i++) reads = sc.rels[0].used[i];
    if (reads && (rc = acl_check(ctx, t, ACL_SELECT, s->table_loc))) return rc;
    /* every column is read (the new image is the old one changed), the
     * history columns are not needed to update */
    for (int i = 0; i < t->ncols; i++) sc.rels[0].used[i] = true;
    for (int i = 0; i < HIST_COLS; i++) sc.rels[0].used[t->ncols + i] = false;
    if (!s->nfrom && (rc = plan_scan_where(ctx, t, TMODE_PRESENT, 0, 0, sc.rels, &sc, s->where, &p->root))) return rc;
    if ((rc = compile_checks(ctx, t, p))) return rc;
    p->kind = PLAN_UPDATE;
    p->table = t;
    p->set = set;
    p->nset = s->nset;
    p->target_col = target;
    p->dml_from = s->nfrom > 0;
    if (s->nfrom) p->ret_width = wide.nslots;
    return compile_returning(ctx, t, s->alias ? s->alias : t->name, s->returning, s->nreturning, p,
                             s->nfrom ? &wide : NULL);
}

int analyze_delete(SqlCtx *ctx, DeleteStmt *s, Plan *p)
{
    const TableInfo *t;
    int trc = dml_target_as(ctx, "DELETE", s->table, s->table_loc,
                            ACL_DELETE | (s->where || s->nreturning || s->nfrom ? ACL_SELECT : 0), &t);
    if (trc) return trc;
    Scope sc;
    int rc = dml_scope(ctx, t, s->alias, &sc);
    if (rc) return rc;
    /* the whole old image is kept (index entries, the write set's orig) */
    for (int i = 0; i < t->ncols; i++) sc.rels[0].used[i] = true;
    for (int i = 0; i < HIST_COLS; i++) sc.rels[0].used[t->ncols + i] = false;
    Scope wide;
    if (s->nfrom)
        rc = dml_from(ctx, t, s->table, s->alias, s->table_loc, s->from, s->nfrom, s->where, &wide, &p->root);
    else
        rc = plan_scan_where(ctx, t, TMODE_PRESENT, 0, 0, sc.rels, &sc, s->where, &p->root);
    if (rc) return rc;
    p->kind = PLAN_DELETE;
    p->table = t;
    p->dml_from = s->nfrom > 0;
    if (s->nfrom) p->ret_width = wide.nslots;
    return compile_returning(ctx, t, s->alias ? s->alias : t->name, s->returning, s->nreturning, p,
                             s->nfrom ? &wide : NULL);
}

/* TRUNCATE t, ...: every live row of each table ends with a DELETE, in
 * one commit; the history stays (docs/time-travel.md: nothing is lost). */
int analyze_truncate(SqlCtx *ctx, DropTableStmt *s, Plan *p)
{
    p->kind = PLAN_TRUNCATE;
    const TableInfo **all = NULL;
    int nall = 0, rc;
    if (s->cascade && (rc = present_tables(ctx, &all, &nall))) return rc;
    p->parts = arena_zalloc(ctx->stmt, sizeof(Plan *) * (size_t)(s->n + nall + 1));
    if (!p->parts) return DD_ENOMEM;
    for (int i = 0; i < s->n + nall; i++) {
        const TableInfo *t = NULL;
        if (i < s->n) {
            if ((rc = dml_target(ctx, "TRUNCATE TABLE", s->names[i], s->locs[i], &t))) return rc;
        } else {
            /* CASCADE: the tables whose foreign keys reference one truncated */
            const TableInfo *c = all[i - s->n];
            for (int f = 0; f < c->nfks && !t; f++)
                for (int k = 0; k < p->nparts && !t; k++)
                    if (c->fks[f].ref_table == p->parts[k]->table->id) t = c;
            bool seen = false;
            for (int k = 0; t && k < p->nparts && !seen; k++) seen = p->parts[k]->table->id == t->id;
            if (!t || seen) continue;
            /* PostgreSQL checks TRUNCATE on the tables it cascades to */
            if ((rc = acl_check(ctx, t, ACL_TRUNCATE, -1)) || (rc = lock_relation(ctx, t, TLOCK_ACCESS_EXCLUSIVE))) return rc;
            if (sql_note(ctx, "NOTICE", "00000", "truncate cascades to table \"%s\"", t->name)) return DD_ENOMEM;
            i = s->n - 1;   /* again: it may be referenced in turn */
        }
        bool seen = false;
        for (int k = 0; k < p->nparts && !seen; k++) seen = p->parts[k]->table->id == t->id;
        if (seen) continue;   /* named twice: once, as PostgreSQL */
        Plan *d = arena_zalloc(ctx->stmt, sizeof(Plan));
        if (!d) return DD_ENOMEM;
        Scope sc;
        if ((rc = dml_scope(ctx, t, NULL, &sc))) return rc;
        for (int c = 0; c < t->ncols; c++) sc.rels[0].used[c] = true;
        for (int c = 0; c < HIST_COLS; c++) sc.rels[0].used[t->ncols + c] = false;
        if ((rc = plan_scan_where(ctx, t, TMODE_PRESENT, 0, 0, sc.rels, &sc, NULL, &d->root))) return rc;
        d->kind = PLAN_DELETE;
        d->table = t;
        d->truncate_part = true;
        p->parts[p->nparts++] = d;
        /* RESTART IDENTITY: the sequences the table owns start again */
        if (s->restart_identity && (rc = drop_owned_sequences(ctx, p, t->id, 0))) return rc;
    }
    return fk_check_truncate(ctx, p);
}

/* history_retention = 'text' (an interval) as t's retention: positive,
 * and not on a temporary table (22023 / 0A000).  A month counts 31 days,
 * the longest a calendar month is, so that history is never removed
 * before the retention has passed on the calendar ('1 year' keeps 372
 * days, never fewer than a year's 365 or 366). */
#define RETENTION_MONTH_DAYS 31
static int history_retention(SqlCtx *ctx, TableInfo *t, const char *text)
{
    if (t->temp) return dd_err(ctx->err, DD_EFEATURE, -1, "temporary table \"%s\" keeps no history", t->name);
    Value v;
    int rc = val_from_text(TYPE_INTERVAL, -1, text, strlen(text), &ctx->vctx, &v, ctx->err);
    if (rc) return rc;
    const Interval *iv = &v.v.iv;
    /* at most some 290,000 years in µs: checked as doubles first */
    double us = ((double)iv->months * RETENTION_MONTH_DAYS + (double)iv->days) * 86400e6 + (double)iv->usecs;
    if (!(us > 0) || us > 9e18)
        return dd_err(ctx->err, DD_EINVALID_PARAM, -1, "invalid value for parameter \"history_retention\": \"%s\"", text);
    dd_err_clear(ctx->err);
    t->retention_us = ((i64)iv->months * RETENTION_MONTH_DAYS + iv->days) * 86400000000LL + iv->usecs;
    return t->retention_us > 0 ? DD_OK
                               : dd_err(ctx->err, DD_EINVALID_PARAM, -1,
                                        "invalid value for parameter \"history_retention\": \"%s\"", text);
}

/* The table of DELETE HISTORY or ERASE FROM t FOR SYSTEM_TIME AS OF x:
 * the one named t at x.  Still present, it is taken as the present
 * statement takes it; dropped since, as its last version before the DROP
 * (its columns, its owner then).  Either way a table with a history. */
static int history_target_at(SqlCtx *ctx, const char *what, DeleteStmt *s, const TableInfo **out)
{
    u64 seq, head = snap_seq(ctx->snap);
    i64 at;
    int rc = eval_point(ctx, s->named_at, &seq, &at);
    if (rc) return rc;
    if (seq > head) seq = head;
    if (ctx->read_only) return read_only_err(ctx, what);
    const TableInfo *then = resolve_table_at(ctx, s->table, seq, NULL);
    if (!then)
        return dd_err(ctx->err, DD_EUNDEFINED_TABLE, s->table_loc, "relation \"%s\" does not exist AS OF @SEQ:%llu",
                      s->table, (unsigned long long)seq);
    if ((rc = view_not_table(ctx, then, -1, NULL))) return rc;
    if (then->sequence) return dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, -1, "\"%s\" is not a table", then->name);
    const TableInfo *now = store_table_version(ctx->snap, then->id, head);
    if (now && !now->dropped) {
        *out = now;
        return lock_relation(ctx, now, TLOCK_ROW_EXCLUSIVE);
    }
    *out = now ? store_table_version(ctx->snap, then->id, now->seq - 1) : then;
    return *out ? DD_OK : dd_corrupt(ctx->err, "table id %u has no version before its DROP", then->id);
}

#define HINT_DROPS 8
struct Drops { u64 seq[HINT_DROPS]; int n; };

static const TableInfo *dropped_fn(SqlCtx *ctx, const char *name, void *arg)
{
    struct Drops *d = arg;
    d->n = store_dropped_by_name(ctx->snap, name, d->seq, HINT_DROPS);
    /* any non-NULL stops the search path's walk at the first schema */
    return d->n ? (const TableInfo *)d : NULL;
}

/* The hint of a 42P01 for a dropped table's name: how to name each
 * table dropped under it (all of them: an erasure must reach each). */
static void dropped_hint(SqlCtx *ctx, const char *what, const char *name)
{
    struct Drops d = {{0}, 0};
    if (!resolve_in_path(ctx, name, dropped_fn, &d)) return;
    Buf b = BUF_INIT;
    if (d.n == 1) {
        buf_printf(&b, "Table \"%s\" was dropped at @SEQ:%llu. Its history is named as it was before the DROP: "
                        "%s FROM %s FOR SYSTEM_TIME AS OF @SEQ:%llu, then the rest of the statement.",
                   name, (unsigned long long)d.seq[0], what, name, (unsigned long long)(d.seq[0] - 1));
    } else {
        buf_printf(&b, "%d tables named \"%s\" were dropped, at", d.n, name);
        int m = d.n < HINT_DROPS ? d.n : HINT_DROPS;
        for (int i = 0; i < m; i++) buf_printf(&b, "%s @SEQ:%llu", i ? "," : "", (unsigned long long)d.seq[i]);
        if (d.n > m) buf_printf(&b, " and %d earlier", d.n - m);
        buf_printf(&b, ". Each one's history is named as it was before its DROP: %s FROM %s FOR SYSTEM_TIME AS OF "
                       "@SEQ:%llu (the newest), then the rest of the statement.",
                   what, name, (unsigned long long)(d.seq[0] - 1));
    }
    if (buf_ok(&b)) dd_err_hint(ctx->err, "%.*s", (int)b.len, (const char *)b.data);
    buf_free(&b);
}

/* The target of DELETE HISTORY or ERASE: a table of the present (or, FOR
 * SYSTEM_TIME AS OF x, of x), not temporary, that the current role owns
 * (42501 otherwise). */
static int history_target(SqlCtx *ctx, const char *what, DeleteStmt *s, const TableInfo **out)
{
    int rc = s->named_at ? history_target_at(ctx, what, s, out)
                         : dml_target_as(ctx, what, s->table, s->table_loc, 0, out);
    if (rc == DD_EUNDEFINED_TABLE && !s->named_at) dropped_hint(ctx, what, s->table);
    if (rc) return rc;
    const TableInfo *t = *out;
    if (t->temp)
        return dd_err(ctx->err, DD_EFEATURE, s->table_loc, "%s: temporary table \"%s\" keeps no history", what,
                      t->name);
    if (!acl_owns_checked(ctx, t))
        return dd_err(ctx->err, DD_EINSUFFICIENT_PRIVILEGE, -1, "must be owner of table %s", name_base(t->name));
    return DD_OK;
}

int analyze_delete_history(SqlCtx *ctx, DeleteStmt *s, Plan *p)
{
    const TableInfo *t;
    int rc = history_target(ctx, "DELETE HISTORY", s, &t);
    if (rc) return rc;
    u64 cut = UINT64_MAX;
    i64 at;
    if (s->before && (rc = eval_point(ctx, s->before, &cut, &at))) return rc;
    p->kind = PLAN_DELETE_HISTORY;
    p->table = t;
    p->history_cut = cut;
    return DD_OK;
}

int analyze_erase(SqlCtx *ctx, DeleteStmt *s, Plan *p)
{
    const TableInfo *t;
    int rc = history_target(ctx, "ERASE", s, &t);
    if (rc) return rc;
    Scope sc;
    if ((rc = dml_scope(ctx, t, s->alias, &sc))) return rc;
    for (int i = 0; i < t->ncols; i++) sc.rels[0].used[i] = true;
    /* every version: a row that matched at any point goes whole */
    if ((rc = plan_scan_where(ctx, t, TMODE_ALL, 0, 0, sc.rels, &sc, s->where, &p->root))) return rc;
    p->kind = PLAN_ERASE;
    p->table = t;
    return DD_OK;
}

/* Who the commit of DELETE HISTORY or ERASE is by. */
static WriteSet purge_who(SqlCtx *ctx)
{
    WriteSet w;
    memset(&w, 0, sizeof w);
    w.user = ctx->user;
    w.application = ctx->setting ? ctx->setting(ctx->session, "application_name") : NULL;
    w.client_addr = ctx->client_addr;
    return w;
}

static int exec_delete_history(SqlCtx *ctx, Plan *p)
{
    WriteSet who = purge_who(ctx);
    u64 seq, removed = 0;
    /* the writer may need to grow the map, which waits for pinned readers */
    snap_unpin(ctx->snap);
    int rc = store_delete_history(ctx->store, p->table->id, p->history_cut, &who, &seq, &removed, ctx->err);
    snap_pin(ctx->snap);
    if (rc) return rc;
    p->count = removed;
    return DD_OK;
}

/* ERASE takes no foreign key action: a live row of a table that a
 * foreign key references is refused (0A000); DELETE runs the actions. */
static int erase_referenced(SqlCtx *ctx, const TableInfo *t, const u8 *const *keys, const u32 *lens, u32 n)
{
    const TableInfo **all;
    int nt;
    int rc = present_tables(ctx, &all, &nt);
    if (rc) return rc;
    const TableInfo *child = NULL;
    const ForeignKeyInfo *fk = NULL;
    for (int i = 0; i < nt && !fk; i++)
        for (int f = 0; f < all[i]->nfks && !fk; f++)
            if (all[i]->fks[f].ref_table == t->id) {
                child = all[i];
                fk = &all[i]->fks[f];
            }
    if (!fk) return DD_OK;
    Buf key = BUF_INIT;
    for (u32 i = 0; i < n && !rc; i++) {
        buf_reset(&key);
        buf_put_u32be(&key, t->id);
        buf_append(&key, keys[i], lens[i]);
        if (!buf_ok(&key)) {
            rc = DD_ENOMEM;
            break;
        }
        const u8 *v;
        size_t vn;
        if (store_get(ctx->snap, STORE_DB_CURRENT, key.data, key.len, &v, &vn) == 1) {
            rc = dd_err(ctx->err, DD_EFEATURE, -1, "cannot erase live rows of table \"%s\": foreign key constraint \"%s\" on table \"%s\" references it",
                        name_base(t->name), fk->name, name_base(child->name));
            dd_err_hint(ctx->err, "DELETE the rows first (the foreign key's actions run), then ERASE them.");
        }
    }
    buf_free(&key);
    return rc;
}

/* The keys ERASE takes, each once (seen), in the statement's arena. */
typedef struct EraseKeys {
    KeySet seen;
    const u8 **keys;
    u32 *lens, n, cap;
} EraseKeys;

static int erase_key_add(SqlCtx *ctx, EraseKeys *ek, const u8 *k, u32 len)
{
    bool had;
    int rc = keyset_put(ctx->stmt, &ek->seen, k, len, 0, &had);
    if (rc || had) return rc;
    if (ek->n == ek->cap) {
        u32 ncap = ek->cap ? ek->cap * 2 : 64;
        const u8 **nk = arena_alloc(ctx->stmt, sizeof *nk * ncap);
        u32 *nl = arena_alloc(ctx->stmt, sizeof *nl * ncap);
        if (!nk || !nl) return DD_ENOMEM;
        if (ek->n) {
            memcpy(nk, ek->keys, sizeof *nk * ek->n);
            memcpy(nl, ek->lens, sizeof *nl * ek->n);
        }
        ek->keys = nk;
        ek->lens = nl;
        ek->cap = ncap;
    }
    u8 *copy = arena_memdup(ctx->stmt, k, len);
    if (!copy) return DD_ENOMEM;
    ek->keys[ek->n] = copy;
    ek->lens[ek->n++] = len;
    return DD_OK;
}

/* ERASE: the primary keys of every version that matches, and every key
 * those rows had before or after an UPDATE of their primary key; then
 * the commit that erases them. */
static int exec_erase(SqlCtx *ctx, Plan *p)
{
    const TableInfo *t = p->table;
    EraseKeys ek;
    memset(&ek, 0, sizeof ek);
    Buf pk = BUF_INIT;
    int rc = op_open(ctx, p->root);
    while (!rc) {
        Value *r;
        int k = op_next(ctx, p->root, &r);
        if (k < 0) { rc = -k; break; }
        if (k == 0) break;
        if (!(rc = row_pk(t, r, &pk, ctx->err))) rc = erase_key_add(ctx, &ek, pk.data, (u32)pk.len);
        arena_reset(ctx->row);
    }
    op_close(ctx, p->root);
    buf_free(&pk);
    /* through key moves, both ways, until no key is new (ek.n grows) */
    for (u32 i = 0; i < ek.n && !rc; i++) {
        const u8 **mk;
        u32 *ml, nm;
        rc = store_key_moves(ctx->snap, t->id, ek.keys[i], ek.lens[i], ctx->stmt, &mk, &ml, &nm, ctx->err);
        for (u32 j = 0; j < nm && !rc; j++) rc = erase_key_add(ctx, &ek, mk[j], ml[j]);
    }
    const u8 **keys = ek.keys;
    u32 *lens = ek.lens, n = ek.n;
    if (rc || n == 0) return rc;
    if ((rc = erase_referenced(ctx, t, keys, lens, n))) return rc;
    WriteSet who = purge_who(ctx);
    u64 seq, nkeys = 0, versions = 0;
    snap_unpin(ctx->snap);
    rc = store_erase(ctx->store, t->id, snap_seq(ctx->snap), keys, lens, n, &who, &seq, &nkeys, &versions, ctx->err);
    snap_pin(ctx->snap);
    if (rc) return rc;
    p->count = nkeys;
    /* the statistics may hold the erased values (pg_stats' histograms and
     * common values): forgotten, gathered again from the rows left */
    if (nkeys && (rc = sql_forget_stats(ctx, t->id))) return rc;
    return DD_OK;
}

/* Writes the changes ch[0..nch) of rows of t (deletes, and updates with
 * their NOT NULL and CHECK constraints: p->checks) into the write set,
 * then checks t's unique indexes over the updated rows; *count (when not
 * NULL) counts them. */
int dml_apply_changes(SqlCtx *ctx, const Plan *p, const TableInfo *t, RowChange *ch, size_t nch, u64 *count)
{
    int rc = DD_OK;
    Buf opk = BUF_INIT, npk = BUF_INIT, rec = BUF_INIT, orig = BUF_INIT;
    for (size_t i = 0; !rc && i < nch; i++) {
        RowChange *c = &ch[i];
        rc = row_pk(t, c->old, &opk, ctx->err);
        if (!rc) rc = row_encode(t, c->old, &orig, ctx->err);
        if (rc) break;
        if (!c->neu) {
            rc = ws_put(ctx->ws, t->id, opk.data, (u32)opk.len, OP_DELETE, OP_DELETE, NULL, 0,
                        true, orig.data, (u32)orig.len, 0);
        } else {
            rc = check_row_upd(ctx, p, t, c->neu, c->old);
            if (!rc) rc = row_pk(t, c->neu, &npk, ctx->err);
            if (!rc) rc = row_encode(t, c->neu, &rec, ctx->err);
            if (rc) break;
            if (npk.len == opk.len && memcmp(npk.data, opk.data, opk.len) == 0) {
                rc = ws_put(ctx->ws, t->id, opk.data, (u32)opk.len, OP_UPDATE, 0, rec.data, (u32)rec.len,
                            true, orig.data, (u32)orig.len, 0);
            } else {
                /* the row moves to another key: the old version ends by UPDATE */
                bool live;
                rc = key_live(ctx, t, npk.data, (u32)npk.len, &live);
                if (!rc && live) rc = dup_key_err(ctx, t, npk.data, (u32)npk.len);
                if (!rc) rc = ws_put(ctx->ws, t->id, opk.data, (u32)opk.len, OP_DELETE, OP_UPDATE, NULL, 0,
                                     true, orig.data, (u32)orig.len, 0);
                /* the tombstone names where the row went (ERASE follows it) */
                if (!rc) rc = ws_note_move(ctx->ws, t->id, opk.data, (u32)opk.len, npk.data, (u32)npk.len);
                if (!rc) {
                    Version v;
                    int existed = tget_present(ctx->snap, t->id, npk.data, (u32)npk.len, &v);
                    rc = ws_put(ctx->ws, t->id, npk.data, (u32)npk.len, OP_UPDATE, 0, rec.data, (u32)rec.len,
                                existed == 1, existed == 1 ? v.rec : NULL, existed == 1 ? v.reclen : 0, 0);
                }
            }
        }
        if (!rc && c->neu) {
            /* remember the key it now has, for the unique check */
            c->newpk = arena_memdup(ctx->stmt, npk.data, npk.len);
            c->newpklen = (u32)npk.len;
            if (!c->newpk) rc = DD_ENOMEM;
        }
        if (!rc && count) (*count)++;
    }
    buf_free(&opk);
    buf_free(&npk);
    buf_free(&rec);
    buf_free(&orig);
    bool any_update = false;
    for (size_t i = 0; i < nch; i++) any_update |= ch[i].neu != NULL;
    if (!rc && any_update) {
        const TableInfo *cur = ws_table(ctx->ws, t->id);
        if (!cur) cur = t;
        const u8 **pks = arena_alloc(ctx->stmt, sizeof(u8 *) * nch);
        u32 *lens = arena_alloc(ctx->stmt, sizeof(u32) * nch);
        if (!pks || !lens) return DD_ENOMEM;
        int nk = 0;
        for (size_t i = 0; i < nch; i++) {
            if (!ch[i].neu) continue;
            pks[nk] = ch[i].newpk;
            lens[nk++] = ch[i].newpklen;
        }
        rc = sql_check_unique(ctx, cur, pks, lens, nk);
    }
    return rc;
}

static int exec_update_delete(SqlCtx *ctx, Plan *p)
{
    const TableInfo *t = p->table;
    int n = t->ncols;
    EvalEnv env = {ctx, NULL, 0, NULL};
    RowChange *ch = NULL;
    size_t nch = 0, cap = 0;
    KeySet seen = {NULL, 0, 0};
    Buf pk = BUF_INIT;
    int rc = op_open(ctx, p->root);
    /* 1. collect the old and new images of every matching row */
    while (!rc) {
        Value *r;
        int k = op_next(ctx, p->root, &r);
        if (k < 0) { rc = -k; break; }
        if (k == 0) break;
        if (p->dml_from) {
            /* a target row joined to several rows changes once (the first
             * join's values, as PostgreSQL leaves it unspecified) */
            bool had;
            if ((rc = row_pk(t, r, &pk, ctx->err)) ||
                (rc = keyset_put(ctx->stmt, &seen, pk.data, (u32)pk.len, 0, &had)))
                break;
            if (had) { arena_reset(ctx->row); continue; }
        }
        if (ctx->lock_row && !t->temp && !p->truncate_part &&
            ((rc = row_pk(t, r, &pk, ctx->err)) ||
             (rc = dml_lock_row(ctx, t, pk.data, (u32)pk.len,
                                   p->kind == PLAN_DELETE ? ROWLOCK_UPDATE
                                                          : update_lock_mode(t, p->target_col, p->nset)))))
            break;
        if (nch == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            RowChange *nc = arena_alloc(ctx->stmt, sizeof(RowChange) * ncap);
            if (!nc) { rc = DD_ENOMEM; break; }
            if (nch) memcpy(nc, ch, sizeof(RowChange) * nch);
            ch = nc;
            cap = ncap;
        }
        RowChange *c = &ch[nch];
        c->old = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)n);
        if (!c->old) { rc = DD_ENOMEM; break; }
        for (int i = 0; !rc && i < n; i++) rc = val_copy(ctx->stmt, &r[i], &c->old[i]);
        c->neu = NULL;
        if (!rc && p->kind == PLAN_UPDATE) {
            c->neu = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)n);
            if (!c->neu) { rc = DD_ENOMEM; break; }
            memcpy(c->neu, c->old, sizeof(Value) * (size_t)n);
            for (int s = 0; !rc && s < p->nset; s++) {
                Value v;
                rc = expr_eval(p->set[s], &env, r, &v);
                if (!rc) rc = val_copy(ctx->stmt, &v, &c->neu[p->target_col[s]]);
            }
            /* generated columns now, for RETURNING (the write computes them again) */
            if (!rc && p->gens) rc = compute_generated(ctx, p, t, c->neu);
            for (int i = 0; !rc && p->gens && i < t->ncols; i++) {
                Value v = c->neu[i];
                if (p->gens[i]) rc = val_copy(ctx->stmt, &v, &c->neu[i]);
            }
        }
        if (!rc) rc = keep_returning_row(ctx, p, c->neu ? c->neu : c->old, r);
        nch++;
        arena_reset(ctx->row);
    }
    op_close(ctx, p->root);
    buf_free(&pk);
    /* 2. apply them (with the document columns they brought) */
    if (!rc && nch && p->new_table && !ws_put_table(ctx->ws, p->new_table)) rc = DD_ENOMEM;
    if (!rc) rc = dml_apply_changes(ctx, p, t, ch, nch, &p->count);
    if (!rc && nch && !p->truncate_part) rc = fk_after_writes(ctx, t, ch, nch);
    if (!rc) rc = returning_rows(ctx, p);
    return rc;
}

/* ---------------------------------------------------------------- CREATE / DROP */

/* Whether name is taken by a history column or the hidden key. */
static bool system_col_name(const char *name)
{
    if (strcmp(name, ROWID_COL) == 0) return true;
    for (int h = 0; h < HIST_COLS; h++)
        if (strcmp(name, hist_col_names[h]) == 0) return true;
    return false;
}

/* The columns of CREATE TABLE ... AS: the query's, named by as_cols first. */
static int ctas_columns(SqlCtx *ctx, CreateTableStmt *s, TableInfo *t, Plan *sel)
{
    if (s->nas_cols > sel->ncols)
        return dd_err(ctx->err, DD_ESYNTAX, s->as_select->loc, "too many column names were specified");
    for (int i = 0; i < sel->ncols; i++) {
        const char *name = i < s->nas_cols ? s->as_cols[i] : sel->cols[i].name;
        if (find_col(t, name) >= 0)
            return dd_err(ctx->err, DD_EDUPLICATE_COLUMN, -1, "column \"%s\" specified more than once", name);
        if (system_col_name(name))
            return dd_err(ctx->err, DD_EDUPLICATE_COLUMN, -1,
                          "column name \"%s\" conflicts with a system column name", name);
        TypeId ty = sel->cols[i].type;
        if (ty == TYPE_UNKNOWN || ty == TYPE_NULLTYPE) ty = TYPE_TEXT;
        if (ty == TYPE_RECORD || ty == type_array_of(TYPE_RECORD))
            return dd_err(ctx->err, DD_EINVALID_DEFINITION, -1, "column \"%s\" has pseudo-type %s", name, type_name(ty));
        if (type_has_etype(ty) && sel->cols[i].typmod <= 0)
            return dd_err(ctx->err, DD_EFEATURE, -1, "the enum type of column \"%s\" is not known here: cast it (x::type)",
                          name);
        int rc = add_column(ctx, t, name, ty, -1);
        if (rc) return rc;
        t->cols[t->ncols - 1].typmod = sel->cols[i].typmod;
    }
    return DD_OK;
}

/* Validates a column's DEFAULT and keeps its SQL text in the catalog. */
static int check_default(SqlCtx *ctx, ColumnDef *cd, TypeId ty, ColumnInfo *c)
{
    /* the text from the first token: a parenthesized expression's node
     * starts inside its parentheses */
    int start = cd->default_start ? cd->default_start : cd->default_->loc;
    int len = cd->default_end - start;
    if (len <= 0 || !ctx->sql) return dd_err(ctx->err, DD_EINTERNAL, cd->default_->loc, "DEFAULT without text");
    if (len > 1024)
        return dd_err(ctx->err, DD_EPROGRAM_LIMIT, cd->default_->loc, "DEFAULT expression is too long (%d bytes, at most 1024)", len);
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = ctx;
    cc.agg_forbidden = "DEFAULT expressions";
    cc.assign_col = cd->name;
    ExprProg *pr;
    /* coerced to the type without its typmod, as PostgreSQL cooks a
     * default: char(2) DEFAULT 'US' keeps 'US' (not the char(1) the name
     * "character" alone means) and char DEFAULT 'xyz' fails (22001) at
     * INSERT, where dml_compile_default applies the column's typmod */
    int rc = expr_compile_as(&cc, cd->default_, ty, type_has_etype(ty) ? c->typmod : -1, &pr);
    if (rc == DD_EUNDEFINED_COLUMN || rc == DD_EUNDEFINED_TABLE)
        return dd_err(ctx->err, DD_EFEATURE, cd->default_->loc, "cannot use column reference in DEFAULT expression");
    if (rc) return rc;
    if (pr->constant) {
        /* a constant default is folded now, as PostgreSQL does: a literal
         * such as '2020-01-01'::timestamptz means the session's zone at
         * CREATE, not at each INSERT */
        EvalEnv env = {ctx, NULL, 0, NULL};
        Value v;
        Arena *row = ctx->row;
        ctx->row = ctx->stmt;
        rc = expr_eval(pr, &env, NULL, &v);
        ctx->row = row;
        if (rc) return rc;
        if (v.isnull) {
            c->default_sql = arena_strdup(ctx->stmt, "NULL");
        } else {
            Buf lit = BUF_INIT, txt = BUF_INIT;
            ValueCtx vc = ctx->vctx;
            vc.arena = ctx->stmt;
            val_to_text(&v, &vc, &txt);
            buf_putc(&lit, '\'');
            for (size_t i = 0; i < txt.len; i++) {
                if (txt.data[i] == '\'') buf_putc(&lit, '\'');
                buf_putc(&lit, txt.data[i]);
            }
            /* an enum's label stays an untyped literal: the column's type reads it */
            if (type_has_etype(ty)) buf_putc(&lit, '\'');
            else if (ty == TYPE_BPCHAR) buf_puts(&lit, "'::bpchar");   /* "character" would be char(1) */
            else if (ty == type_array_of(TYPE_BPCHAR)) buf_puts(&lit, "'::bpchar[]");
            else buf_printf(&lit, "'::%s", type_name(ty));
            c->default_sql = buf_ok(&lit) ? arena_strndup(ctx->stmt, (const char *)lit.data, lit.len) : NULL;
            buf_free(&lit);
            buf_free(&txt);
        }
        return c->default_sql ? DD_OK : DD_ENOMEM;
    }
    c->default_sql = arena_strndup(ctx->stmt, ctx->sql + start, (size_t)len);
    return c->default_sql ? DD_OK : DD_ENOMEM;
}

/* RENAME COLUMN col TO newname in *text, an expression of t's catalog
 * (what names the object it belongs to, for the error). */
static int rename_in_text(SqlCtx *ctx, const TableInfo *t, char **text, const char *col, const char *newname,
                          const char *what, const char *name)
{
    bool uses;
    int rc = sql_text_uses_column(ctx, *text, col, &uses);
    if (rc || !uses) return rc;
    char *out;
    if ((rc = sql_rewrite_refs(ctx, *text, t->name, col, newname, &out))) return rc;
    if (!out)
        return dd_err(ctx->err, DD_EFEATURE, -1,
                      "cannot rename column \"%s\": %s \"%s\" names it where a rename cannot follow (drop it first)", col,
                      what, name);
    *text = out;
    return DD_OK;
}

/* The expressions t's catalog keeps as text (CHECKs, index expressions
 * and predicates, generation expressions), written over table `from`,
 * made free of its name (`from.c` becomes `c`): for ALTER TABLE RENAME TO
 * and for CREATE TABLE (LIKE from). */
static int unqualify_texts(SqlCtx *ctx, TableInfo *t, const char *from)
{
    int nslots = t->nchecks + t->ncols;
    for (int x = 0; x < t->nindexes; x++) nslots += t->indexes[x].ncols + 1;
    char ***slots = arena_alloc(ctx->stmt, sizeof(char **) * (size_t)(nslots + 1));
    if (!slots) return DD_ENOMEM;
    int n = 0;
    for (int x = 0; x < t->nchecks; x++) slots[n++] = &t->checks[x].expr_sql;
    for (int x = 0; x < t->ncols; x++)
        if (t->cols[x].gen_sql && !t->cols[x].dropped) slots[n++] = &t->cols[x].gen_sql;
    for (int x = 0; x < t->nindexes; x++) {
        if (t->indexes[x].pred_sql) slots[n++] = &t->indexes[x].pred_sql;
        for (int k = 0; t->indexes[x].exprs && k < t->indexes[x].ncols; k++)
            if (t->indexes[x].exprs[k]) slots[n++] = &t->indexes[x].exprs[k];
    }
    for (int i = 0; i < n; i++) {
        if (!strstr(*slots[i], from) && !strchr(*slots[i], '"')) continue;   /* cannot name it */
        char *out;
        int rc = sql_rewrite_refs(ctx, *slots[i], from, NULL, NULL, &out);
        if (rc) return rc;
        if (!out)
            return dd_err(ctx->err, DD_EFEATURE, -1,
                          "an expression of table \"%s\" names it where a rewrite cannot follow: %s", from, *slots[i]);
        *slots[i] = out;
    }
    return DD_OK;
}

/* The generated columns of t whose expressions read column ci, as DROP
 * COLUMN (how 'd', or 'c' with CASCADE) and ALTER COLUMN TYPE ('t') of ci
 * meet them: PostgreSQL's errors, and 0A000 where
 * DriftDB cannot follow (the expression is kept as SQL text). */
static int generated_dependents(SqlCtx *ctx, const TableInfo *t, int ci, char how)
{
    for (int i = 0; i < t->ncols; i++) {
        const ColumnInfo *g = &t->cols[i];
        if (!g->gen_sql || g->dropped || i == ci) continue;
        bool uses;
        int rc = sql_text_uses_column(ctx, g->gen_sql, t->cols[ci].name, &uses);
        if (rc) return rc;
        if (!uses) continue;
        const char *c = t->cols[ci].name;
        switch (how) {
        case 'd':
            dd_err(ctx->err, DD_EDEPENDENT_OBJECTS, -1, "cannot drop column %s of table %s because other objects depend on it",
                   c, t->name);
            dd_err_detail(ctx->err, "column %s of table %s depends on column %s", g->name, t->name, c);
            dd_err_hint(ctx->err, "Use DROP ... CASCADE to drop the dependent objects too.");
            return DD_EDEPENDENT_OBJECTS;
        case 'c':
            return dd_err(ctx->err, DD_EFEATURE, -1,
                          "DROP COLUMN %s ... CASCADE is not supported when generated column \"%s\" reads it (drop \"%s\" "
                          "first)", c, g->name, g->name);
        default:
            dd_err(ctx->err, DD_EFEATURE, -1, "cannot alter type of a column used by a generated column");
            dd_err_detail(ctx->err, "Column \"%s\" is used by generated column \"%s\".", c, g->name);
            return DD_EFEATURE;
        }
    }
    return DD_OK;
}

/* CREATE TABLE (LIKE src [INCLUDING ...]): src's visible columns appended
 * to t with their types and NOT NULL, and as opts say their DEFAULTs,
 * generation expressions and identities (a sequence of t's own, with the
 * default options). */
static int like_columns(SqlCtx *ctx, TableInfo *t, const TableInfo *src, unsigned opts, Plan *p, int ndefs)
{
    for (int i = 0; i < src->ncols; i++) {
        const ColumnInfo *sc = &src->cols[i];
        if (sc->dropped || sc->pending || strcmp(sc->name, ROWID_COL) == 0) continue;
        if (find_col(t, sc->name) >= 0)
            return dd_err(ctx->err, DD_EDUPLICATE_COLUMN, -1, "column \"%s\" specified more than once", sc->name);
        int rc = add_column(ctx, t, sc->name, (TypeId)sc->type, -1);
        if (rc) return rc;
        ColumnInfo *c = &t->cols[t->ncols - 1];
        c->typmod = sc->typmod;
        c->domain = sc->domain;
        c->not_null = sc->not_null;
        if ((opts & LIKE_DEFAULTS) && sc->default_sql && !sc->identity &&
            !(c->default_sql = arena_strdup(ctx->stmt, sc->default_sql)))
            return DD_ENOMEM;
        if ((opts & LIKE_GENERATED) && sc->gen_sql && !(c->gen_sql = arena_strdup(ctx->stmt, sc->gen_sql)))
            return DD_ENOMEM;
        if ((opts & LIKE_IDENTITY) && sc->identity) {
            if (!p->alter && !(p->alter = arena_zalloc(ctx->stmt, sizeof(TableInfo *) * (size_t)(ndefs + src->ncols + 1))))
                return DD_ENOMEM;
            c->identity = sc->identity;
            if ((rc = owned_sequence(ctx, t, c, NULL, p->alter, p->nalter, &p->alter[p->nalter]))) return rc;
            p->nalter++;
        }
    }
    return DD_OK;
}

/* LIKE's INCLUDING CONSTRAINTS (the CHECKs, their names kept), INDEXES
 * (the primary key, UNIQUE constraints and indexes, named for t as
 * PostgreSQL names them) and COMMENTS (the columns'), once t has all its
 * columns.  Foreign keys are never copied, as PostgreSQL. */
static int like_finish(SqlCtx *ctx, TableInfo *t, const TableInfo *src, unsigned opts)
{
    if ((opts & LIKE_CONSTRAINTS) && src->nchecks) {
        CheckInfo *nc = arena_alloc(ctx->stmt, sizeof(CheckInfo) * (size_t)(t->nchecks + src->nchecks + 1));
        if (!nc) return DD_ENOMEM;
        if (t->nchecks) memcpy(nc, t->checks, sizeof(CheckInfo) * (size_t)t->nchecks);
        for (int i = 0; i < src->nchecks; i++) nc[t->nchecks + i] = src->checks[i];
        t->checks = nc;
        t->nchecks += src->nchecks;
    }
    if (opts & LIKE_INDEXES) {
        /* the primary key, by its columns' names */
        bool hidden = false;
        for (int k = 0; k < src->npk; k++) {
            int ci = table_col_index(src, src->pk[k]);
            hidden |= ci < 0 || strcmp(src->cols[ci].name, ROWID_COL) == 0;
        }
        if (src->npk && !hidden) {
            if (t->npk)
                return dd_err(ctx->err, DD_EINVALID_DEFINITION, -1, "multiple primary keys for table \"%s\" are not allowed",
                              t->name);
            for (int k = 0; k < src->npk; k++) {
                int ci = find_col(t, src->cols[table_col_index(src, src->pk[k])].name);
                if (ci < 0) return dd_err(ctx->err, DD_EINTERNAL, -1, "LIKE: a key column went missing");
                t->pk[t->npk++] = t->cols[ci].id;
                t->cols[ci].not_null = true;
            }
        }
        IndexInfo *nix = arena_zalloc(ctx->stmt, sizeof(IndexInfo) * (size_t)(t->nindexes + src->nindexes + 1));
        if (!nix) return DD_ENOMEM;
        if (t->nindexes) memcpy(nix, t->indexes, sizeof(IndexInfo) * (size_t)t->nindexes);
        t->indexes = nix;
        for (int x = 0; x < src->nindexes; x++) {
            const IndexInfo *si = &src->indexes[x];
            IndexInfo *ix = &t->indexes[t->nindexes];
            *ix = *si;
            /* its own arrays and texts: never the source's catalog memory */
            ix->cols = arena_alloc(ctx->stmt, sizeof(u32) * (size_t)(si->ncols + 1));
            if (!ix->cols) return DD_ENOMEM;
            if (si->colflags && !(ix->colflags = arena_memdup(ctx->stmt, si->colflags, (size_t)si->ncols + 1)))
                return DD_ENOMEM;
            if (si->pred_sql && !(ix->pred_sql = arena_strdup(ctx->stmt, si->pred_sql))) return DD_ENOMEM;
            if (si->exprs) {
                if (!(ix->exprs = arena_zalloc(ctx->stmt, sizeof(char *) * (size_t)(si->ncols + 1)))) return DD_ENOMEM;
                for (int k = 0; k < si->ncols; k++)
                    if (si->exprs[k] && !(ix->exprs[k] = arena_strdup(ctx->stmt, si->exprs[k]))) return DD_ENOMEM;
            }
            Buf names = BUF_INIT;
            for (int k = 0; k < si->ncols; k++) {
                ix->cols[k] = 0;
                if (si->exprs && si->exprs[k]) {
                    Expr *e;
                    int rc = sql_parse_expr_text(ctx, si->exprs[k], "an expression of index", &e, NULL);
                    if (rc) { buf_free(&names); return rc; }
                    buf_printf(&names, "%s%s", k ? "_" : "", e->kind == EXPR_FUNC ? e->u.func.name : "expr");
                    continue;
                }
                int ci = table_col_index(src, si->cols[k]);
                int ti = ci >= 0 ? find_col(t, src->cols[ci].name) : -1;
                if (ti < 0) { buf_free(&names); return dd_err(ctx->err, DD_EINTERNAL, -1, "LIKE: an indexed column went missing"); }
                ix->cols[k] = t->cols[ti].id;
                buf_printf(&names, "%s%s", k ? "_" : "", t->cols[ti].name);
            }
            /* INCLUDE columns: the new table's of the same names */
            if (si->ninclude && !(ix->include = arena_alloc(ctx->stmt, sizeof(u32) * (size_t)si->ninclude))) {
                buf_free(&names);
                return DD_ENOMEM;
            }
            for (int k = 0; k < si->ninclude; k++) {
                int ci = table_col_index(src, si->include[k]);
                int ti = ci >= 0 ? find_col(t, src->cols[ci].name) : -1;
                if (ti < 0) { buf_free(&names); return dd_err(ctx->err, DD_EINTERNAL, -1, "LIKE: an included column went missing"); }
                ix->include[k] = t->cols[ti].id;
            }
            if (!buf_ok(&names) || !buf_cstr(&names)) { buf_free(&names); return DD_ENOMEM; }
            ix->name = sql_choose_name(ctx, t, t->name, buf_cstr(&names), si->constraint ? "key" : "idx");
            buf_free(&names);
            if (!ix->name) return DD_ENOMEM;
            ix->id = store_new_index_id(ctx->store);
            ix->ever = true;
            t->nindexes++;
        }
    }
    if ((opts & LIKE_COMMENTS) && src->ncomments) {
        struct CommentInfo *cs = arena_alloc(ctx->stmt, sizeof(*cs) * (size_t)(t->ncomments + src->ncomments + 1));
        if (!cs) return DD_ENOMEM;
        if (t->ncomments) memcpy(cs, t->comments, sizeof(*cs) * (size_t)t->ncomments);
        int n = t->ncomments;
        for (int i = 0; i < src->ncomments; i++) {
            int ci = src->comments[i].col ? table_col_index(src, src->comments[i].col) : -1;
            int ti = ci >= 0 ? find_col(t, src->cols[ci].name) : -1;
            if (ti < 0) continue;   /* the relation's own comment is not copied */
            cs[n].col = t->cols[ti].id;
            cs[n++].text = src->comments[i].text;
        }
        t->comments = cs;
        t->ncomments = n;
    }
    return DD_OK;
}

/* GENERATED ALWAYS AS (expr) STORED of column definition cd: its text
 * into c (the expression is checked once every column is known). */
static int generated_text(SqlCtx *ctx, const ColumnDef *cd, const char *table, ColumnInfo *c)
{
    if (cd->default_ || serial_type(cd->type.name))
        return dd_err(ctx->err, DD_ESYNTAX, cd->loc, "both default and generation expression specified for column \"%s\" of table \"%s\"",
                      cd->name, table);
    int len = cd->gen_end - cd->gen_start;
    if (len <= 0 || !ctx->sql) return dd_err(ctx->err, DD_EINTERNAL, cd->loc, "generation expression without text");
    if (len > 1024)
        return dd_err(ctx->err, DD_EPROGRAM_LIMIT, cd->generated->loc,
                      "generation expression is too long (%d bytes, at most 1024)", len);
    c->gen_sql = arena_strndup(ctx->stmt, ctx->sql + cd->gen_start, (size_t)len);
    return c->gen_sql ? DD_OK : DD_ENOMEM;
}

int analyze_create_table(SqlCtx *ctx, CreateTableStmt *s, Plan *p)
{
    if (ctx->read_only) return read_only_err(ctx, "CREATE TABLE");
    p->kind = PLAN_CREATE_TABLE;
    p->tag = s->as_select ? "CREATE TABLE AS" : "CREATE TABLE";
    if (s->on_commit && !s->temp)
        return dd_err(ctx->err, DD_EINVALID_DEFINITION, s->on_commit_loc, "ON COMMIT can only be used on temporary tables");
    int rc0 = relation_create_name(ctx, &s->name, -1, s->temp);
    if (!rc0 && !s->temp) rc0 = acl_check_schema_of(ctx, s->name, ACL_CREATE, -1);   /* CREATE on the schema */
    if (rc0) return rc0;
    /* a temporary table may take a permanent one's name (it hides it for
     * the session), and a permanent one a temporary one's */
    const TableInfo *same = s->temp ? resolve_temp_present(ctx, s->name) : resolve_permanent_present(ctx, s->name);
    if (same || sql_index_name_taken(ctx, s->name)) {
        if (s->if_not_exists) {
            p->notice = arena_printf(ctx->stmt, "relation \"%s\" already exists, skipping", s->name);
            p->notice_state = "42P07";
            return DD_OK;
        }
        return dd_err(ctx->err, DD_EDUPLICATE_TABLE, -1, "relation \"%s\" already exists", s->name);
    }
    if (strncmp(s->name, "drift_", 6) == 0 && strcmp(s->name, "drift_commits") == 0)
        return dd_err(ctx->err, DD_ERESERVED_NAME, -1, "relation name \"%s\" is reserved", s->name);
    Plan *sel = NULL;
    if (s->as_select) {
        sel = arena_zalloc(ctx->stmt, sizeof(Plan));
        if (!sel) return DD_ENOMEM;
        int rc = analyze_select(ctx, s->as_select, sel);
        if (rc) return rc;
    }
    int maxcols = s->ncols + s->npk + 2 + (sel ? sel->ncols : 0);
    for (int i = 0; i < s->nindexes; i++) maxcols += s->index_ncols[i];
    /* LIKE source: its columns (and its key's) */
    const TableInfo **likes = arena_zalloc(ctx->stmt, sizeof(TableInfo *) * (size_t)(s->ncols + 1));
    if (!likes) return DD_ENOMEM;
    for (int i = 0; i < s->ncols; i++) {
        if (!s->cols[i]->like) continue;
        const TableInfo *src = resolve_table_present(ctx, s->cols[i]->like);
        if (!src || src->sequence || src->utype)
            return dd_err(ctx->err, DD_EUNDEFINED_TABLE, s->cols[i]->like_loc, "relation \"%s\" does not exist",
                          s->cols[i]->like);
        likes[i] = src;
        maxcols += src->ncols + src->npk;
    }
    TableInfo *t = arena_zalloc(ctx->stmt, sizeof(TableInfo));
    if (!t) return DD_ENOMEM;
    t->cols = arena_zalloc(ctx->stmt, sizeof(ColumnInfo) * (size_t)maxcols);
    t->pk = arena_zalloc(ctx->stmt, sizeof(u32) * (size_t)(s->npk + maxcols + 1));
    t->indexes = arena_zalloc(ctx->stmt, sizeof(IndexInfo) * (size_t)(s->nindexes + 1));
    t->name = arena_strdup(ctx->stmt, s->name);
    if (!t->cols || !t->pk || !t->indexes || !t->name) return DD_ENOMEM;
    t->id = store_new_table_id(ctx->store);
    t->owner = acl_creator(ctx);
    t->next_col_id = 1;
    t->document_style = s->document_style;
    t->temp = s->temp;
    t->on_commit = s->temp ? (s->on_commit ? s->on_commit : 'p') : 0;
    int rc;
    if (s->retention && (rc = history_retention(ctx, t, s->retention))) return rc;
    if (sel) {
        rc = ctas_columns(ctx, s, t, sel);
        if (rc) return rc;
        if (!s->no_data) p->root = sel->root;   /* WITH NO DATA: the query is planned, never run */
    }
    for (int i = 0; i < s->ncols; i++) {
        ColumnDef *cd = s->cols[i];
        if (cd->like) {
            if ((rc = like_columns(ctx, t, likes[i], cd->like_opts, p, s->ncols))) return rc;
            continue;
        }
        TypeId ty = serial_type(cd->type.name);
        if (ty && (cd->default_ || cd->identity))
            return dd_err(ctx->err, DD_ESYNTAX, cd->loc, "multiple default values specified for column \"%s\" of table \"%s\"",
                          cd->name, s->name);
        i32 tm = cd->type.typmod;
        u32 domain = 0;
        if (!ty && (rc = sql_type_from_name(ctx, &cd->type, &ty, &tm, &domain))) return rc;
        if (find_col(t, cd->name) >= 0)
            return dd_err(ctx->err, DD_EDUPLICATE_COLUMN, cd->loc, "column \"%s\" specified more than once", cd->name);

        if (strcmp(cd->name, ROWID_COL) == 0 || strncmp(cd->name, "system_", 7) == 0) {
            for (int h = 0; h < HIST_COLS; h++)
                if (strcmp(cd->name, hist_col_names[h]) == 0)
                    return dd_err(ctx->err, DD_EDUPLICATE_COLUMN, cd->loc,
                                  "column name \"%s\" conflicts with a system column name", cd->name);
            if (strcmp(cd->name, ROWID_COL) == 0)
                return dd_err(ctx->err, DD_EDUPLICATE_COLUMN, cd->loc,
                              "column name \"%s\" conflicts with a system column name", cd->name);
        }
        rc = add_column(ctx, t, cd->name, ty, cd->loc);
        if (rc) return rc;
        ColumnInfo *c = &t->cols[t->ncols - 1];
        c->typmod = tm;
        c->domain = domain;
        if (cd->default_ && (rc = check_default(ctx, cd, ty, c))) return rc;
        if (cd->generated && (rc = generated_text(ctx, cd, s->name, c))) return rc;
        c->not_null = cd->not_null;
        if (serial_type(cd->type.name) || cd->identity) {
            if (cd->identity && cd->default_)
                return dd_err(ctx->err, DD_ESYNTAX, cd->loc, "both default and identity specified for column \"%s\" of table \"%s\"",
                              cd->name, s->name);
            if (ty != TYPE_INT2 && ty != TYPE_INT4 && ty != TYPE_INT8)
                return dd_err(ctx->err, DD_EINVALID_PARAM, cd->loc, "identity column type must be smallint, integer, or bigint");
            if (!p->alter && !(p->alter = arena_zalloc(ctx->stmt, sizeof(TableInfo *) * (size_t)(s->ncols + 1))))
                return DD_ENOMEM;
            c->identity = cd->identity;
            rc = owned_sequence(ctx, t, c, cd->idopts, p->alter, p->nalter, &p->alter[p->nalter]);
            if (rc) return rc;
            p->nalter++;
        }
        if (cd->primary_key) {
            if (t->npk || s->npk)
                return dd_err(ctx->err, DD_EINVALID_DEFINITION, cd->loc,
                              "multiple primary keys for table \"%s\" are not allowed", s->name);
            t->pk[t->npk++] = c->id;
            c->not_null = true;
        }
    }
    for (int k = 0; k < s->npk; k++) {
        if (t->npk && !s->document_style && k == 0 && t->npk != 0)
            return dd_err(ctx->err, DD_EINVALID_DEFINITION, s->pk_loc,
                          "multiple primary keys for table \"%s\" are not allowed", s->name);
        int ci = find_col(t, s->pk[k]);
        if (ci < 0) {
            if (!s->document_style)
                return dd_err(ctx->err, DD_EUNDEFINED_COLUMN, s->pk_loc, "column \"%s\" named in key does not exist",
                              s->pk[k]);
            rc = add_column(ctx, t, s->pk[k], TYPE_NULLTYPE, s->pk_loc);
            if (rc) return rc;
            ci = t->ncols - 1;
        }
        for (int j = 0; j < k; j++)
            if (t->pk[j] == t->cols[ci].id)
                return dd_err(ctx->err, DD_EDUPLICATE_COLUMN, s->pk_loc, "column \"%s\" appears twice in primary key constraint",
                              s->pk[k]);
        t->pk[k] = t->cols[ci].id;
        t->cols[ci].not_null = true;
    }
    if (s->npk) t->npk = s->npk;
    for (int i = 0; i < s->ncols; i++)
        if (likes[i] && (rc = like_finish(ctx, t, likes[i], s->cols[i]->like_opts))) return rc;
    /* texts copied from a source read its rows under its name: unqualified
     * they read t's */
    for (int i = 0; i < s->ncols; i++)
        if (likes[i] && (rc = unqualify_texts(ctx, t, likes[i]->name))) return rc;
    if (s->document_style && !t->npk)
        return dd_err(ctx->err, DD_EINVALID_DEFINITION, -1, "document-style table \"%s\" needs pk=column", s->name);
    for (int i = 0; i < s->nindexes; i++) {
        IndexInfo *ix = &t->indexes[t->nindexes];
        ix->ncols = s->index_ncols[i];
        ix->cols = arena_alloc(ctx->stmt, sizeof(u32) * (size_t)(ix->ncols + 1));
        if (!ix->cols) return DD_ENOMEM;
        Buf nm = BUF_INIT;
        buf_printf(&nm, "%s", s->name);
        for (int k = 0; k < ix->ncols; k++) {
            const char *cn = s->indexes[i][k];
            int ci = find_col(t, cn);
            if (ci < 0) {
                if (!s->document_style) {
                    buf_free(&nm);
                    return dd_err(ctx->err, DD_EUNDEFINED_COLUMN, -1, "column \"%s\" does not exist", cn);
                }
                rc = add_column(ctx, t, cn, TYPE_NULLTYPE, -1);
                if (rc) { buf_free(&nm); return rc; }
                ci = t->ncols - 1;
                t->cols[ci].pending = true;   /* appears on the first INSERT naming it */
            }
            ix->cols[k] = t->cols[ci].id;
            buf_printf(&nm, "_%s", cn);
        }
        buf_puts(&nm, "_idx");
        ix->name = buf_ok(&nm) ? arena_strdup(ctx->stmt, buf_cstr(&nm)) : NULL;
        buf_free(&nm);
        if (!ix->name) return DD_ENOMEM;
        ix->id = store_new_index_id(ctx->store);
        ix->ever = true;   /* the table starts empty: its history entries are complete */
        t->nindexes++;
    }
    if (!t->npk) {
        /* no primary key: a hidden bigint _rowid identifies the rows */
        rc = add_column(ctx, t, ROWID_COL, TYPE_INT8, -1);
        if (rc) return rc;
        t->cols[t->ncols - 1].not_null = true;
        t->pk[0] = t->cols[t->ncols - 1].id;
        t->npk = 1;
    }
    if (t->ncols > 1600)
        return dd_err(ctx->err, DD_ETOO_MANY_COLUMNS, -1, "tables can have at most 1600 columns");
    /* generation expressions, over every column */
    for (int i = 0; i < s->ncols; i++) {
        ExprProg *unused;
        if (s->cols[i]->generated &&
            (rc = compile_generated(ctx, t, find_col(t, s->cols[i]->name), s->cols[i]->generated, &unused)))
            return rc;
    }
    if ((rc = table_constraints(ctx, s, t))) return rc;
    /* the sequences of its SERIAL and identity columns are temporary too */
    for (int i = 0; t->temp && i < p->nalter; i++)
        if (p->alter[i]->sequence) {
            TableInfo *q = p->alter[i];
            q->temp = true;
            q->on_commit = t->on_commit == 'D' ? 'D' : 'p';
        }
    p->new_table = t;
    return DD_OK;
}

/* DISCARD TEMP: every temporary relation of the session goes (a DROP,
 * transactional as PostgreSQL's; allowed in a read-only transaction). */
static int analyze_discard_temp(SqlCtx *ctx, Plan *p)
{
    p->kind = PLAN_DROP_TABLE;
    p->tag = "DISCARD TEMP";
    const TableInfo **all;
    int n;
    int rc = ws_all_tables(ctx->ws, ctx->stmt, &all, &n);
    if (rc) return rc;
    p->drop = arena_zalloc(ctx->stmt, sizeof(TableInfo *) * (size_t)(n + 1));
    if (!p->drop) return DD_ENOMEM;
    for (int i = 0; i < n; i++)
        if (all[i]->temp) p->drop[p->ndrop++] = all[i];
    return DD_OK;
}

int analyze_drop_table(SqlCtx *ctx, DropTableStmt *s, Plan *p)
{
    if (s->discard_temp) return analyze_discard_temp(ctx, p);
    if (ctx->read_only) return read_only_err(ctx, "DROP TABLE");
    p->kind = PLAN_DROP_TABLE;
    p->tag = "DROP TABLE";
    p->drop = arena_zalloc(ctx->stmt, sizeof(TableInfo *) * (size_t)(s->n + 1));
    if (!p->drop) return DD_ENOMEM;
    for (int i = 0; i < s->n; i++) {
        const TableInfo *t = resolve_table_present(ctx, s->names[i]);
        if (!t) {
            if (s->if_exists) {
                p->notice = arena_printf(ctx->stmt, "table \"%s\" does not exist, skipping", s->names[i]);
                p->notice_state = "00000";
                continue;
            }
            return dd_err(ctx->err, DD_EUNDEFINED_TABLE, s->locs[i], "table \"%s\" does not exist", s->names[i]);
        }
        if (t->view_sql || t->sequence) {
            dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, -1, "\"%s\" is not a table", t->name);
            dd_err_hint(ctx->err, "Use DROP %s to remove a %s.", t->view_sql ? "VIEW" : "SEQUENCE",
                        t->view_sql ? "view" : "sequence");
            return DD_EWRONG_OBJECT_TYPE;
        }
        for (int j = 0; j < p->ndrop; j++)
            if (p->drop[j]->id == t->id) { t = NULL; break; }
        if (t) p->drop[p->ndrop++] = t;
    }
    int rc = drop_cascade(ctx, s, p);
    if (rc == DD_EDEPENDENT_OBJECTS && !s->cascade) {
        /* the DETAIL lists every dependent, as PostgreSQL's: the foreign
         * keys of other tables, then the views */
        DdError views = *ctx->err;
        Buf d = BUF_INIT;
        for (int i = 0, n = p->ndrop; i < n; i++) {
            if (p->drop[i]->view_sql || p->drop[i]->sequence) continue;
            char *what = arena_printf(ctx->stmt, "table %s", p->drop[i]->name);
            if (!what) { buf_free(&d); return DD_ENOMEM; }
            if (fk_drop_dependents(ctx, p, p->drop[i]->id, 0, what, false) != DD_EDEPENDENT_OBJECTS) continue;
            if (d.len) buf_putc(&d, '\n');
            buf_puts(&d, ctx->err->detail);
        }
        if (d.len && buf_ok(&d)) {
            buf_putc(&d, '\n');
            buf_puts(&d, views.detail);
            size_t m = buf_ok(&d) ? DD_MIN(d.len, sizeof views.detail - 1) : 0;
            memcpy(views.detail, d.data, m);
            views.detail[m] = '\0';
        }
        buf_free(&d);
        *ctx->err = views;
        return rc;
    }
    for (int i = 0, n = p->ndrop; !rc && i < n; i++)
        if (!p->drop[i]->view_sql) rc = drop_owned_sequences(ctx, p, p->drop[i]->id, 0);
    /* the foreign keys of other tables that reference them */
    for (int i = 0, n = p->ndrop; !rc && i < n; i++) {
        if (p->drop[i]->view_sql || p->drop[i]->sequence) continue;
        char *what = arena_printf(ctx->stmt, "table %s", p->drop[i]->name);
        rc = what ? fk_drop_dependents(ctx, p, p->drop[i]->id, 0, what, s->cascade) : DD_ENOMEM;
    }
    return rc;
}

/* CREATE TABLE AS: the query's rows into t (just created in the write set). */
static int exec_ctas(SqlCtx *ctx, Plan *p, const TableInfo *t)
{
    Value *vals = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(t->ncols + 1));
    if (!vals) return DD_ENOMEM;
    int rowid_ci = find_col(t, ROWID_COL);
    Buf pk = BUF_INIT, rec = BUF_INIT;
    NewRows rows = {NULL, 0, 0};
    int rc = op_open(ctx, p->root);
    while (!rc) {
        Value *r;
        ArenaMark m = arena_mark(ctx->row);
        int n = op_next(ctx, p->root, &r);
        if (n < 0) { rc = -n; break; }
        if (n == 0) break;
        /* the query's columns come first, in order; _rowid is last */
        for (int i = 0; i < t->ncols; i++) vals[i] = i == rowid_ci ? val_int(TYPE_INT8, (i64)next_rowid()) : r[i];
        rc = encode_row(ctx, p, t, vals, &pk, &rec, &rows);
        arena_rewind(ctx->row, m);
    }
    op_close(ctx, p->root);
    buf_free(&pk);
    buf_free(&rec);
    if (!rc) rc = write_rows(ctx, t, &rows, &p->count);
    if (!rc) p->tag = arena_printf(ctx->stmt, "SELECT %llu", (unsigned long long)p->count);
    return rc ? rc : (p->tag ? DD_OK : DD_ENOMEM);
}

/* Whether t has a live row in the present (snapshot + write set). */
static int table_has_rows(SqlCtx *ctx, const TableInfo *t, bool *any)
{
    Op *scan = op_scan(ctx, t, TMODE_PRESENT, 0, 0, NULL);
    if (!scan) return DD_ENOMEM;
    int rc = op_open(ctx, scan);
    Value *r;
    int n = rc ? 0 : op_next(ctx, scan, &r);
    op_close(ctx, scan);
    if (rc) return rc;
    if (n < 0) return -n;
    *any = n == 1;
    return DD_OK;
}

/* ALTER TABLE ADD [CONSTRAINT t_pkey] PRIMARY KEY (cols) on t, a table
 * with the hidden _rowid key that never had a row: rows are stored by
 * their key, so a table whose versions are keyed by _rowid cannot take
 * another key without rewriting its history (0A000 then). */
static int column_has_null(SqlCtx *ctx, const TableInfo *t, int ci, bool *any);

/* Column k of ADD PRIMARY KEY (cols) into *ci: a column of t, named once. */
static int pk_column(SqlCtx *ctx, const TableInfo *t, const AlterCmd *c, int k, int *ci)
{
    const char *name = c->pk_cols[k];
    *ci = find_col(t, name);
    if (*ci < 0 || strcmp(name, ROWID_COL) == 0 || system_col_name(name))
        return dd_err(ctx->err, DD_EUNDEFINED_COLUMN, -1, "column \"%s\" of relation \"%s\" does not exist", name,
                      name_base(t->name));
    for (int j = 0; j < k; j++)
        if (strcmp(c->pk_cols[j], name) == 0)
            return dd_err(ctx->err, DD_EDUPLICATE_COLUMN, -1, "column \"%s\" appears twice in primary key constraint", name);
    return DD_OK;
}

static int add_primary_key(SqlCtx *ctx, const TableInfo *t0, TableInfo *t, const AlterCmd *c)
{
    int ri = find_col(t, ROWID_COL);
    bool primary = false;
    for (int x = 0; x < t->nindexes; x++) primary |= t->indexes[x].primary;
    if (ri < 0 || !is_pk_col(t, ri) || primary)
        return dd_err(ctx->err, DD_EINVALID_DEFINITION, -1, "multiple primary keys for table \"%s\" are not allowed",
                      name_base(t->name));
    char pkey[CAT_MAX_NAME + 8];
    snprintf(pkey, sizeof pkey, "%s_pkey", name_base(t->name));
    if (t0->document_style)
        return dd_err(ctx->err, DD_EFEATURE, -1, "constraints on a document-style table are not supported");
    /* any version at all, the transaction's own rows too */
    bool any = false;
    TScan *sc;
    int rc = tscan_open(ctx->snap, t0->id, TMODE_ALL, 0, 0, NULL, 0, NULL, 0, &sc, ctx->err);
    if (rc) return rc;
    Version v;
    int r = tscan_next(sc, &v, ctx->err);
    tscan_close(sc);
    if (r < 0) return -r;
    any = r == 1;
    WsRow **rows;
    int n = 0;
    if (!any && ctx->ws && (rc = ws_table_rows(ctx->ws, t0->id, ctx->stmt, &rows, &n))) return rc;
    if (any || n || (c->name && strcmp(c->name, pkey) != 0)) {
        /* the rows and their history stay under their hidden row ids: the
         * key is a unique index over NOT NULL columns, its constraint the
         * primary key (pg_dump adds keys after loading the rows) */
        for (int k = 0; k < c->npk_cols; k++) {
            int ci;
            if ((rc = pk_column(ctx, t, c, k, &ci))) return rc;
            if (!t->cols[ci].not_null) {
                bool nulls;
                if ((rc = column_has_null(ctx, t0, ci, &nulls))) return rc;
                if (nulls)
                    return contains_nulls(ctx, t, c->pk_cols[k]);
                t->cols[ci].not_null = true;
            }
        }
        Constraint uc;
        memset(&uc, 0, sizeof(uc));
        uc.kind = CONSTR_UNIQUE;
        uc.name = c->name ? c->name : arena_strdup(ctx->stmt, pkey);
        uc.cols = c->pk_cols;
        uc.ncols = c->npk_cols;
        uc.loc = c->loc;
        if (!uc.name) return DD_ENOMEM;
        if ((rc = alter_add_constraint(ctx, t0, t, &uc))) return rc;
        t->indexes[t->nindexes - 1].primary = true;
        return DD_OK;
    }
    u32 *pk = arena_alloc(ctx->stmt, sizeof(u32) * (size_t)(c->npk_cols + 1));
    if (!pk) return DD_ENOMEM;
    for (int k = 0; k < c->npk_cols; k++) {
        int ci;
        if ((rc = pk_column(ctx, t, c, k, &ci))) return rc;
        pk[k] = t->cols[ci].id;
        t->cols[ci].not_null = true;
    }
    t->cols[ri].dropped = true;
    t->pk = pk;
    t->npk = c->npk_cols;
    return DD_OK;
}

/* Whether e calls one of the functions that give another value at each
 * call (PostgreSQL's volatile ones). */
static bool calls_volatile(const Expr *e)
{
    static const char *const names[] = {"random", "nextval", "setval", "clock_timestamp", "timeofday",
                                        "gen_random_uuid", "pg_sleep", "random_normal", "uuid_generate_v1",
                                        "uuid_generate_v1mc", "uuid_generate_v4", "gen_random_bytes"};
    if (!e) return false;
    switch (e->kind) {
    case EXPR_FUNC:
        for (size_t i = 0; i < DD_ARRAY_LEN(names); i++)
            if (strcmp(e->u.func.name, names[i]) == 0) return true;
        for (int i = 0; i < e->u.func.n; i++)
            if (calls_volatile(e->u.func.args[i])) return true;
        return false;
    case EXPR_UNARY: return calls_volatile(e->u.unary.arg);
    case EXPR_BINARY: return calls_volatile(e->u.bin.l) || calls_volatile(e->u.bin.r);
    case EXPR_CAST: return calls_volatile(e->u.cast.arg);
    case EXPR_CASE:
        if (calls_volatile(e->u.case_.operand) || calls_volatile(e->u.case_.else_)) return true;
        for (int i = 0; i < e->u.case_.n; i++)
            if (calls_volatile(e->u.case_.when[i]) || calls_volatile(e->u.case_.then[i])) return true;
        return false;
    case EXPR_SUBQUERY: return true;   /* refused by DEFAULT anyway */
    default: return false;
    }
}

/* ALTER TABLE ADD COLUMN col ... DEFAULT (cd): the DEFAULT for later rows,
 * and the value that the versions written before read: computed once now
 * and kept as the column's missing value (an ALTER writes no versions,
 * docs/time-travel.md), as PostgreSQL keeps attmissingval.  any: t has
 * live rows (a volatile DEFAULT would give each its own value: 0A000). */
static int added_default(SqlCtx *ctx, ColumnDef *cd, TableInfo *t, ColumnInfo *col, bool any)
{
    int rc = check_default(ctx, cd, (TypeId)col->type, col);
    if (rc) {
        ctx->err->position = 0;
        return rc;
    }
    if (calls_volatile(cd->default_)) {
        if (!any) return DD_OK;   /* no row reads it: versions that ended before read NULL */
        return dd_err(ctx->err, DD_EFEATURE, -1,
                      "ALTER TABLE ADD COLUMN with a volatile DEFAULT on a table with rows is not supported "
                      "(each row would need a value of its own)");
    }
    ExprProg *pr;
    Value v;
    EvalEnv env = {ctx, NULL, 0, NULL};
    Arena *row = ctx->row;
    ctx->row = ctx->stmt;
    rc = dml_compile_default(ctx, col, &pr);
    if (!rc) rc = expr_eval(pr, &env, NULL, &v);
    ctx->row = row;
    if (rc || v.isnull) return rc;
    /* the missing value: a row image of that one column */
    TableInfo one;
    memset(&one, 0, sizeof(one));
    one.name = t->name;
    one.ncols = 1;
    one.cols = col;
    Buf img = BUF_INIT;
    rc = row_encode(&one, &v, &img, ctx->err);
    if (!rc && !(col->missing = arena_memdup(ctx->stmt, img.data, img.len))) rc = DD_ENOMEM;
    col->missinglen = (u32)img.len;
    buf_free(&img);
    return rc;
}

/* Whether a live row of t (present) has NULL in column ci. */
static int column_has_null(SqlCtx *ctx, const TableInfo *t, int ci, bool *any)
{
    *any = false;
    bool *used = arena_zalloc(ctx->stmt, sizeof(bool) * (size_t)(t->ncols + HIST_COLS + 1));
    if (!used) return DD_ENOMEM;
    used[ci] = true;
    Op *scan = op_scan(ctx, t, TMODE_PRESENT, 0, 0, used);
    if (!scan) return DD_ENOMEM;
    int rc = op_open(ctx, scan);
    while (!rc && !*any) {
        Value *r;
        ArenaMark m = arena_mark(ctx->row);
        int n = op_next(ctx, scan, &r);
        if (n < 0) rc = -n;
        else if (n == 0) break;
        else *any = r[ci].isnull;
        arena_rewind(ctx->row, m);
    }
    op_close(ctx, scan);
    return rc;
}

/* ---------------------------------------------------------------- ALTER COLUMN TYPE */

/* PostgreSQL's name of type ty with typmod, for messages. */
static const char *type_text(SqlCtx *ctx, TypeId ty, i32 typmod)
{
    if ((ty == TYPE_VARCHAR || ty == TYPE_BPCHAR) && typmod >= 0)
        return arena_printf(ctx->stmt, "%s(%d)", type_name(ty), (int)typmod);
    if (ty == TYPE_NUMERIC && typmod >= 0)
        return arena_printf(ctx->stmt, "numeric(%d,%d)", numeric_typmod_prec(typmod), numeric_typmod_scale(typmod));
    return type_name(ty);
}

/* Whether a foreign key can compare values of types a and b. */
static bool fk_types_ok(TypeId a, TypeId b)
{
    return a == b || (type_is_numeric(a) && type_is_numeric(b)) || (type_is_string(a) && type_is_string(b));
}

static int fk_types_err(SqlCtx *ctx, const ForeignKeyInfo *fk, const char *col, const char *ref, TypeId a, TypeId b)
{
    dd_err(ctx->err, DD_EDATATYPE_MISMATCH, -1, "foreign key constraint \"%s\" cannot be implemented", fk->name);
    dd_err_detail(ctx->err, "Key columns \"%s\" and \"%s\" are of incompatible types: %s and %s.", col, ref,
                  type_name(a), type_name(b));
    return DD_EDATATYPE_MISMATCH;
}

/* The foreign keys over column ci of t, which is changing to type ty
 * (using: with a USING expression): its own keys and those of the
 * present tables that reference it must still compare (42804).  Values
 * a USING changes are checked on both sides by alter_type_check_rows
 * (a referenced column's only when t has no rows of the transaction). */
static int alter_type_fks(SqlCtx *ctx, const TableInfo *t, int ci, TypeId ty, bool using)
{
    const ColumnInfo *col = &t->cols[ci];
    const TableInfo **all;
    int n;
    int rc = present_tables(ctx, &all, &n);
    if (rc) return rc;
    for (int i = 0; i < n; i++) {
        const TableInfo *c = all[i]->id == t->id ? t : all[i];
        if (c->dropped) continue;
        for (int x = 0; x < c->nfks; x++) {
            const ForeignKeyInfo *fk = &c->fks[x];
            const TableInfo *p = fk->ref_table == t->id ? t : NULL;
            for (int j = 0; j < n && !p; j++) if (all[j]->id == fk->ref_table) p = all[j];
            for (int k = 0; p && k < fk->ncols; k++) {
                bool mine = c == t && fk->cols[k] == col->id, theirs = p == t && fk->ref_cols[k] == col->id;
                if (!mine && !theirs) continue;
                if (using && theirs && ctx->ws && ws_has_table_rows(ctx->ws, t->id))
                    return dd_err(ctx->err, DD_EFEATURE, -1,
                                  "ALTER COLUMN TYPE ... USING of column \"%s\", which foreign key constraint \"%s\" "
                                  "references, after changing rows of \"%s\" in the same transaction is not supported",
                                  col->name, fk->name, t->name);
                int a = table_col_index(c, fk->cols[k]), b = table_col_index(p, fk->ref_cols[k]);
                if (a < 0 || b < 0) continue;
                TypeId at = mine ? ty : (TypeId)c->cols[a].type, bt = theirs ? ty : (TypeId)p->cols[b].type;
                if (!fk_types_ok(at, bt)) return fk_types_err(ctx, fk, c->cols[a].name, p->cols[b].name, at, bt);
            }
        }
    }
    return DD_OK;
}

/* A conversion of column col (its type now the old type) under `step`
 * appended to t->convs: images older than the ALTER read through using
 * (len bytes of SQL text over the row as it was before, its columns `used`
 * of scope kept by id with their names now), or an assignment cast when it
 * is NULL. */
static int push_conv(SqlCtx *ctx, TableInfo *t, const TableInfo *scope, const ColumnInfo *col, u32 step,
                     const char *using, int len, const bool *used)
{
    ColConv *cv = arena_alloc(ctx->stmt, sizeof(ColConv) * (size_t)(t->nconvs + 1));
    if (!cv) return DD_ENOMEM;
    if (t->nconvs) memcpy(cv, t->convs, sizeof(ColConv) * (size_t)t->nconvs);
    ColConv *v = &cv[t->nconvs];
    memset(v, 0, sizeof(*v));
    v->step = step;
    v->col = col->id;
    v->old_type = col->type;
    v->old_typmod = col->typmod;
    /* the conversion keeps the session's TimeZone: older rows convert as
     * they would have now */
    const char *tz = ctx->setting ? ctx->setting(ctx->session, "TimeZone") : NULL;
    if (tz && *tz && strcasecmp(tz, "UTC") != 0 && !(v->timezone = arena_strdup(ctx->stmt, tz))) return DD_ENOMEM;
    if (using) {
        /* the text, and the columns it names (by id, with their names now) */
        if (!(v->using_sql = arena_strndup(ctx->stmt, using, (size_t)len))) return DD_ENOMEM;
        v->ref_ids = arena_alloc(ctx->stmt, sizeof(u32) * (size_t)(scope->ncols + 1));
        v->ref_names = arena_alloc(ctx->stmt, sizeof(char *) * (size_t)(scope->ncols + 1));
        if (!v->ref_ids || !v->ref_names) return DD_ENOMEM;
        for (int i = 0; i < scope->ncols; i++) {
            if (!used[i]) continue;
            v->ref_ids[v->nrefs] = scope->cols[i].id;
            v->ref_names[v->nrefs++] = scope->cols[i].name;
        }
    }
    t->convs = cv;
    t->nconvs++;
    return DD_OK;
}

/*
 * ALTER [COLUMN] c [SET DATA] TYPE ty [USING expr] on t (the version being
 * made; t0 the present one): the column takes its new type, and a
 * conversion (the old type and the USING text) joins t->convs under
 * `step`, so that images written before read converted (exec/convert.c);
 * no row gets a new version.  The indexes over the column get new ids
 * (built from the converted rows at commit; the old ones stay for AS OF
 * before).  The rows are checked by alter_type_check_rows once every
 * action is in.
 */
static int alter_column_type(SqlCtx *ctx, Plan *p, const TableInfo *t0, TableInfo *t, AlterCmd *c, u32 step)
{
    int ci = find_col(t, c->name);
    if (ci < 0 || system_col_name(c->name) || t->cols[ci].pending || strcmp(c->name, ROWID_COL) == 0)
        return dd_err(ctx->err, DD_EUNDEFINED_COLUMN, -1, "column \"%s\" of relation \"%s\" does not exist", c->name,
                      name_base(t->name));
    ColumnInfo *col = &t->cols[ci];
    TypeId ty;
    i32 typmod;
    u32 domain;
    int rc = sql_type_from_name(ctx, &c->col->type, &ty, &typmod, &domain);
    if (rc) return rc;
    if (col->gen_sql)
        return dd_err(ctx->err, DD_EFEATURE, -1,
                      "ALTER COLUMN TYPE of generated column \"%s\" is not supported yet (its stored values would need "
                      "computing again)", c->name);
    if ((rc = generated_dependents(ctx, t, ci, 't'))) return rc;
    TypeId oty = col->type == TYPE_NULLTYPE ? TYPE_TEXT : (TypeId)col->type;
    /* a domain or an enum by its name */
    const char *tt = domain || type_has_etype(ty) ? c->col->type.name : type_text(ctx, ty, typmod);
    if (!tt) return DD_ENOMEM;
    /* the conversion, over the row before this ALTER */
    int ci0 = find_col(t0, c->name);
    const TableInfo *scope = ci0 >= 0 && t0->cols[ci0].id == col->id ? t0 : t;
    ExprProg *pr;
    bool *used;
    rc = sql_conv_compile(ctx, scope, col, NULL, c->using_, ty, typmod, &pr, &used);
    if (rc == DD_EDATATYPE_MISMATCH && !c->using_) {
        dd_err(ctx->err, DD_EDATATYPE_MISMATCH, -1, "column \"%s\" cannot be cast automatically to type %s", c->name, tt);
        dd_err_hint(ctx->err, "You might need to specify \"USING %s::%s\".", c->name, tt);
        return DD_EDATATYPE_MISMATCH;
    }
    if (rc) return rc;
    for (int i = 0; i < t->nconvs; i++)
        if (t->convs[i].step == step && t->convs[i].col == col->id)
            return dd_err(ctx->err, DD_EFEATURE, -1, "cannot alter type of column \"%s\" twice", c->name);
    for (int i = 0; i < pr->n; i++)
        if (pr->code[i].op == XOP_SUBLINK)
            return dd_err(ctx->err, DD_EFEATURE, c->using_start, "cannot use subquery in transform expression");
    if (expr_calls_volatile(pr))
        return dd_err(ctx->err, DD_EFEATURE, c->using_start,
                      "ALTER COLUMN TYPE with a volatile USING expression (random(), now(), current_user, nextval ...) is "
                      "not supported (rows written before the change are converted when read, so the conversion must give "
                      "the same value every time)");
    /* a key column: only where every value keeps its key bytes */
    bool same_key = (type_is_int(oty) && type_is_int(ty)) ||
                    ((oty == TYPE_TEXT || oty == TYPE_VARCHAR) && (ty == TYPE_TEXT || ty == TYPE_VARCHAR));
    if (is_pk_col(t, ci) && (c->using_ || !same_key))
        return dd_err(ctx->err, DD_EFEATURE, -1,
                      "cannot change the type of primary key column \"%s\" to %s: rows are stored by their key, which "
                      "would change (only smallint, integer and bigint, or text and varchar, change into one another, "
                      "without USING)",
                      c->name, tt);
    if (col->identity && !type_is_int(ty))
        return dd_err(ctx->err, DD_EINVALID_PARAM, -1, "identity column type must be smallint, integer, or bigint");
    if (col->identity && (rc = identity_retype(ctx, p, t->id, col->id, ty))) return rc;
    if ((rc = view_check_alter_type(ctx, t0, col->id, c->name))) return rc;
    if ((rc = alter_type_fks(ctx, t, ci, ty, c->using_ != NULL))) return rc;
    /* the DEFAULT: kept as text, it must still give the new type */
    if (col->default_sql) {
        ExprProg *dp;
        ExprProg *cast;
        ColumnInfo nc = *col;
        nc.type = (u16)ty;
        nc.typmod = typmod;
        if (sql_conv_compile(ctx, scope, col, NULL, NULL, ty, typmod, &cast, NULL) || dml_compile_default(ctx, &nc, &dp)) {
            dd_err_clear(ctx->err);
            return dd_err(ctx->err, DD_EDATATYPE_MISMATCH, -1, "default for column \"%s\" cannot be cast automatically to type %s",
                          c->name, tt);
        }
    }
    /* the indexes over it are built again under new ids */
    for (int x = 0; x < t->nindexes; x++) {
        IndexInfo *ix = &t->indexes[x];
        bool uses = false, fresh = true;
        for (int k = 0; k < ix->ncols; k++) uses |= ix->cols[k] == col->id;
        if (!uses && (rc = sql_index_uses_column(ctx, ix, c->name, &uses))) return rc;
        for (int y = 0; y < t0->nindexes; y++) fresh &= t0->indexes[y].id != ix->id;
        if (uses && !fresh) ix->id = store_new_index_id(ctx->store);
    }
    if ((rc = push_conv(ctx, t, scope, col, step, c->using_ ? ctx->sql + c->using_start : NULL,
                        c->using_end - c->using_start, used)))
        return rc;
    col->type = (u16)ty;
    col->typmod = typmod;
    col->domain = domain;
    return DD_OK;
}

/* One converted row of alter_type_check_rows: its key kept, and when live
 * the NOT NULLs of the converted columns, the CHECKs and the foreign keys
 * fks[0..nfks) (in PostgreSQL's order). */
static int alter_type_check_row(SqlCtx *ctx, const TableInfo *t, u32 step, const Plan *cp, const bool *ck_on,
                                bool keyed, Buf *pk, FkCheck **fks, int nfks, const Value *vals, const u8 *vpk,
                                u32 vpklen, bool live)
{
    int rc = DD_OK;
    if (keyed && !(rc = row_pk(t, vals, pk, ctx->err)) && (pk->len != vpklen || memcmp(pk->data, vpk, pk->len)))
        rc = dd_err(ctx->err, DD_EFEATURE, -1,
                    "cannot change the type of the primary key of \"%s\": a key would change its value", t->name);
    for (int i = 0; live && i < t->nconvs && !rc; i++) {
        if (t->convs[i].step != step) continue;
        int ci = table_col_index(t, t->convs[i].col);
        if (ci >= 0 && vals[ci].isnull && (t->cols[ci].not_null || is_pk_col(t, ci))) {
            rc = contains_nulls(ctx, t, t->cols[ci].name);
        }
        /* a column that became a domain's: its constraints */
        if (!rc && ci >= 0 && cp->domains && cp->domains[ci]) rc = domain_check(ctx, cp->domains[ci], &vals[ci]);
    }
    EvalEnv env = {ctx, NULL, 0, NULL};
    for (int i = 0; live && i < cp->nchecks && !rc; i++) {
        if (!ck_on[i]) continue;
        Value out;
        if ((rc = expr_eval(cp->checks[i], &env, vals, &out))) break;
        if (!out.isnull && !out.v.b) {
            rc = dd_err(ctx->err, DD_ECHECK_VIOLATION, -1, "check constraint \"%s\" of relation \"%s\" is violated by some row",
                        t->checks[i].name, name_base(t->name));
            dd_err_relation(ctx->err, t, NULL, t->checks[i].name);
        }
    }
    for (int i = 0; live && i < nfks && !rc; i++) rc = fk_check_row(ctx, fks[i], vals);
    return rc;
}

/* ALTER COLUMN TYPE ran: the transaction's own rows of t, encoded as
 * before conversion t->convs[from], are converted and encoded under t
 * (they have no version yet, so this rewrites nothing committed). */
static int retype_ws_rows(SqlCtx *ctx, const TableInfo *t, int from)
{
    WsRow **rows;
    int n;
    int rc = ws_table_rows(ctx->ws, t->id, ctx->stmt, &rows, &n);
    Value *vals = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(t->ncols + 1));
    if (!rc && !vals) rc = DD_ENOMEM;
    Buf rec = BUF_INIT;
    for (int i = 0; !rc && i < n; i++) {
        WsRow *w = rows[i];
        if (!w->rec) continue;
        ArenaMark m = arena_mark(ctx->row);
        rc = sql_row_convert_from(ctx, t, from, w->rec, w->reclen, vals);
        if (!rc) rc = row_encode(t, vals, &rec, ctx->err);
        if (!rc) rc = ws_put(ctx->ws, t->id, w->pk, w->pklen, w->op, w->end_op, rec.data, (u32)rec.len, w->existed,
                             w->orig, w->origlen, w->orig_seq);
        arena_rewind(ctx->row, m);
    }
    buf_free(&rec);
    return rc;
}

/* After ALTER COLUMN TYPE (step) on t: every version of the table converts
 * (a value that does not fails the ALTER, even in a version no longer
 * live: it would fail every read of the history), and the live rows meet
 * the NOT NULLs of the converted columns, the CHECKs, the foreign keys
 * over a column a USING changed, and the rebuilt unique indexes; a key
 * column keeps every key.  from: this ALTER's first conversion (the
 * transaction's own rows are still encoded as before it). */
static int alter_type_check_rows(SqlCtx *ctx, const TableInfo *t0, const TableInfo *t, u32 step, int from)
{
    Plan cp;
    memset(&cp, 0, sizeof(cp));
    int rc = compile_checks(ctx, t, &cp);
    if (rc) return rc;
    /* the CHECKs over a converted column, as PostgreSQL re-adds those that
     * depend on it (a NOT VALID one elsewhere stays unchecked) */
    bool *ck_on = arena_zalloc(ctx->stmt, (size_t)t->nchecks + 1);
    if (!ck_on) return DD_ENOMEM;
    for (int x = 0; x < t->nchecks; x++)
        for (int i = 0; i < t->nconvs && !ck_on[x]; i++) {
            if (t->convs[i].step != step) continue;
            int ci = table_col_index(t, t->convs[i].col);
            if (ci < 0) continue;
            if ((rc = sql_text_uses_column(ctx, t->checks[x].expr_sql, t->cols[ci].name, &ck_on[x]))) return rc;
        }
    for (int x = 0; x < t->nindexes; x++) {
        const IndexInfo *ix = &t->indexes[x];
        bool fresh = true;
        for (int y = 0; y < t0->nindexes; y++) fresh &= t0->indexes[y].id != ix->id;
        if (!fresh) continue;
        for (int k = 0; ix->exprs && k < ix->ncols; k++) {
            ExprProg *p;
            Expr *ast;
            if (ix->exprs[k] && (rc = sql_index_expr(ctx, t, ix, k, &p, &ast))) return rc;
        }
    }
    Value *vals = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(t->ncols + 1));
    if (!vals) return DD_ENOMEM;
    /* a key column changed: every key must keep its bytes (varchar(n)
     * cuts trailing blanks, say) */
    bool keyed = false;
    for (int i = 0; i < t->nconvs; i++)
        for (int k = 0; k < t->npk; k++) keyed |= t->convs[i].step == step && t->convs[i].col == t->pk[k];
    /* t's foreign keys over a column a USING changed: the new values find
     * their parents */
    FkCheck **fks = arena_alloc(ctx->stmt, sizeof(FkCheck *) * (size_t)(t->nfks + 1));
    int nfks = 0;
    if (!fks) return DD_ENOMEM;
    for (int x = 0; x < t->nfks && !rc; x++) {
        bool changed = false;
        for (int i = 0; i < t->nconvs; i++)
            for (int k = 0; k < t->fks[x].ncols; k++)
                changed |= t->convs[i].step == step && t->convs[i].using_sql && t->convs[i].col == t->fks[x].cols[k];
        if (changed) rc = fk_check_begin(ctx, t, &t->fks[x], NULL, &fks[nfks++]);
    }
    if (rc) return rc;
    Buf pk = BUF_INIT;
    for (int pass = 0; pass < 2 && !rc; pass++) {
        TScan *sc;
        if ((rc = tscan_open(ctx->snap, t->id, pass == 0 ? TMODE_PRESENT : TMODE_ALL, 0, 0, NULL, 0, NULL, 0, &sc,
                             ctx->err)))
            break;
        for (u64 n = 0; !rc; n++) {
            Version v;
            if ((n & 255) == 0 && (rc = sql_check_interrupt(ctx))) break;
            int r = tscan_next(sc, &v, ctx->err);
            if (r < 0) { rc = -r; break; }
            if (r == 0) break;
            if (!v.rec) continue;
            /* live rows in pass 0, except those the transaction changed
             * (its own rows come below); their images are history */
            bool mine = ctx->ws && ws_find(ctx->ws, t->id, v.pk, v.pklen);
            if (pass == 0 ? mine : v.end == 0 && !mine) continue;
            ArenaMark m = arena_mark(ctx->row);
            if ((rc = sql_row_decode(ctx, t, v.rec, v.reclen, v.start, vals, NULL))) break;
            rc = alter_type_check_row(ctx, t, step, &cp, ck_on, keyed, &pk, fks, nfks, vals, v.pk, v.pklen, pass == 0);
            arena_rewind(ctx->row, m);
        }
        tscan_close(sc);
    }
    /* the transaction's own rows, still encoded as before this ALTER */
    WsRow **rows = NULL;
    int nrows = 0;
    if (!rc && ctx->ws) rc = ws_table_rows(ctx->ws, t->id, ctx->stmt, &rows, &nrows);
    for (int i = 0; !rc && i < nrows; i++) {
        if (!rows[i]->rec) continue;
        ArenaMark m = arena_mark(ctx->row);
        rc = sql_row_convert_from(ctx, t, from, rows[i]->rec, rows[i]->reclen, vals);
        if (!rc)
            rc = alter_type_check_row(ctx, t, step, &cp, ck_on, keyed, &pk, fks, nfks, vals, rows[i]->pk, rows[i]->pklen,
                                      true);
        arena_rewind(ctx->row, m);
    }
    buf_free(&pk);
    for (int x = 0; x < t->nindexes && !rc; x++) {
        const IndexInfo *ix = &t->indexes[x];
        bool fresh = true;
        for (int y = 0; y < t0->nindexes; y++) fresh &= t0->indexes[y].id != ix->id;
        if (fresh && ix->unique) rc = sql_check_unique_build(ctx, t, ix, nrows ? from : -1);
    }
    /* the foreign keys that reference a column a USING changed: their rows
     * find the converted values (t has no rows of this transaction then) */
    const TableInfo **all;
    int n = 0;
    if (!rc) rc = present_tables(ctx, &all, &n);
    for (int i = 0; !rc && i < n; i++) {
        const TableInfo *c = all[i]->id == t->id ? t : all[i];
        for (int x = 0; !rc && !c->dropped && x < c->nfks; x++) {
            const ForeignKeyInfo *fk = &c->fks[x];
            bool changed = false;
            for (int v = 0; fk->ref_table == t->id && v < t->nconvs; v++)
                for (int k = 0; k < fk->ncols; k++)
                    changed |= t->convs[v].step == step && t->convs[v].using_sql && t->convs[v].col == fk->ref_cols[k];
            FkCheck *fc;
            if (changed && !(rc = fk_check_begin(ctx, c, fk, t, &fc))) rc = fk_check_children(ctx, fc);
        }
    }
    return rc;
}

/*
 * ALTER TABLE: a new catalog version of the table (docs/time-travel.md §6: AS OF
 * an earlier point the table keeps its old columns and names).  No row
 * gets a new version: an added column reads NULL in existing rows, a
 * dropped one stays in the images (flagged dropped) so the past decodes.
 */
static int schema_move_check(SqlCtx *ctx, const TableInfo *t);

int analyze_alter_table(SqlCtx *ctx, AlterTableStmt *s, Plan *p)
{
    if (s->index) return analyze_alter_index(ctx, s, p);
    if (ctx->read_only) return read_only_err(ctx, "ALTER TABLE");
    p->kind = PLAN_ALTER_TABLE;
    p->tag = s->view ? "ALTER VIEW" : s->sequence ? "ALTER SEQUENCE" : "ALTER TABLE";
    const TableInfo *t0 = resolve_table_present(ctx, s->table);
    if (!t0) {
        if (s->if_exists) {
            p->notice = arena_printf(ctx->stmt, "relation \"%s\" does not exist, skipping", s->table);
            p->notice_state = "00000";
            return DD_OK;
        }
        return no_table_err(ctx, s->table, s->table_loc);
    }
    /* a view is renamed by ALTER VIEW or ALTER TABLE, as PostgreSQL allows */
    bool rename_only = s->ncmds == 1 && (s->cmds[0]->kind == ALTER_RENAME_TABLE || s->cmds[0]->kind == ALTER_SET_SCHEMA ||
                                         s->cmds[0]->kind == ALTER_OWNER);
    if (s->view && !t0->view_sql) return dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, -1, "\"%s\" is not a view", t0->name);
    if (t0->view_sql && !rename_only) {
        /* PostgreSQL's wording, naming the action */
        static const char *const actions[] = {[ALTER_ADD_COLUMN] = "ADD COLUMN", [ALTER_DROP_COLUMN] = "DROP COLUMN",
                                              [ALTER_ADD_CONSTRAINT] = "ADD CONSTRAINT",
                                              [ALTER_DROP_CONSTRAINT] = "DROP CONSTRAINT", [ALTER_TYPE] = "ALTER COLUMN TYPE"};
        AlterKind k = s->cmds[0]->kind;
        const char *a = (size_t)k < DD_ARRAY_LEN(actions) ? actions[k] : NULL;
        if (!a) return dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, -1, "\"%s\" is not a table", t0->name);
        dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, -1, "ALTER action %s cannot be performed on relation \"%s\"", a, name_base(t0->name));
        dd_err_detail(ctx->err, "This operation is not supported for views.");
        return DD_EWRONG_OBJECT_TYPE;
    }
    if (s->sequence && !t0->sequence)
        return dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, -1, "\"%s\" is not a sequence", name_base(t0->name));
    if (t0->sequence && !rename_only)
        return dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, -1, "\"%s\" is not a table", t0->name);
    TableInfo *t = table_grow(ctx, t0, s->ncmds);
    if (!t) return DD_ENOMEM;
    int rc, changed = 0;
    u32 step = t0->nconvs ? t0->convs[t0->nconvs - 1].step + 1 : 1;
    bool types = false;
    /* PostgreSQL applies the DROPs of an ALTER TABLE before its other
     * actions: pass 0 drops, pass 1 the rest */
    for (int pass = 0; pass < 2; pass++)
    for (int i = 0; i < s->ncmds; i++) {
        AlterCmd *c = s->cmds[i];
        if ((c->kind == ALTER_DROP_COLUMN) != (pass == 0)) continue;
        changed++;   /* each branch that skips says so */
        switch (c->kind) {
        case ALTER_ADD_COLUMN: {
            ColumnDef *cd = c->col;
            if (find_col(t, cd->name) >= 0 || system_col_name(cd->name)) {
                if (c->if_not_exists && !system_col_name(cd->name)) {
                    p->notice = arena_printf(ctx->stmt, "column \"%s\" of relation \"%s\" already exists, skipping",
                                             cd->name, name_base(t->name));
                    p->notice_state = "42701";
                    changed--;
                    continue;
                }
                return dd_err(ctx->err, DD_EDUPLICATE_COLUMN, cd->loc, "column \"%s\" of relation \"%s\" already exists",
                              cd->name, name_base(t->name));
            }
            TypeId ty;
            if (serial_type(cd->type.name) || cd->identity)
                return dd_err(ctx->err, DD_EFEATURE, cd->loc,
                              "ALTER TABLE ADD COLUMN of a SERIAL or identity column is not supported yet (existing rows would need values)");
            i32 tm;
            u32 domain;
            if ((rc = sql_type_from_name(ctx, &cd->type, &ty, &tm, &domain))) return rc;
            if (cd->primary_key || cd->unique)
                return dd_err(ctx->err, DD_EFEATURE, cd->loc, "ALTER TABLE ADD COLUMN with a constraint is not supported yet");
            bool any = false;
            if ((cd->not_null || cd->default_ || cd->generated) && (rc = table_has_rows(ctx, t0, &any))) return rc;
            if ((rc = add_column(ctx, t, cd->name, ty, cd->loc))) return rc;
            ColumnInfo *col = &t->cols[t->ncols - 1];
            if (cd->generated) {
                ExprProg *unused;
                if ((rc = generated_text(ctx, cd, t->name, col))) return rc;
                col->typmod = tm;
                if ((rc = compile_generated(ctx, t, t->ncols - 1, cd->generated, &unused))) return rc;
                if (any) {
                    /* the rows there are: computed when read, as ALTER
                     * COLUMN TYPE converts them (no row gets a version) */
                    bool *used;
                    ExprProg *pr;
                    if ((rc = sql_conv_compile(ctx, t, col, NULL, cd->generated, ty, tm, &pr, &used))) return rc;
                    if ((rc = push_conv(ctx, t, t, col, step, ctx->sql + cd->gen_start, cd->gen_end - cd->gen_start,
                                        used)))
                        return rc;
                    types = true;
                }
            }
            col->typmod = tm;
            col->domain = domain;
            if (domain && domain_has_rules(ctx, domain) && !any && (rc = table_has_rows(ctx, t0, &any))) return rc;
            if (domain && any && domain_has_rules(ctx, domain))
                return dd_err(ctx->err, DD_EFEATURE, cd->loc,
                              "ALTER TABLE ADD COLUMN of a domain with constraints or a DEFAULT on a table with rows is not supported yet");
            col->not_null = cd->not_null;
            if (cd->default_ && (rc = added_default(ctx, cd, t, col, any))) return rc;
            /* a generated column's rows are checked once converted (alter_type_check_rows) */
            if (cd->not_null && any && !col->missing && !cd->generated)
                return contains_nulls(ctx, t, cd->name);
            break;
        }
        case ALTER_DROP_COLUMN: {
            int ci = find_col(t, c->name);
            if (ci < 0 || system_col_name(c->name)) {
                if (c->if_exists && ci < 0) {
                    p->notice = arena_printf(ctx->stmt, "column \"%s\" of relation \"%s\" does not exist, skipping",
                                             c->name, name_base(t->name));
                    p->notice_state = "00000";
                    changed--;
                    continue;
                }
                return dd_err(ctx->err, DD_EUNDEFINED_COLUMN, c->loc, "column \"%s\" of relation \"%s\" does not exist",
                              c->name, name_base(t->name));
            }
            if (is_pk_col(t, ci))
                return dd_err(ctx->err, DD_EFEATURE, c->loc,
                              "cannot drop column \"%s\": it is part of the primary key", c->name);
            char *what = arena_printf(ctx->stmt, "column %s of table %s", c->name, t->name);
            if (!what) return DD_ENOMEM;
            if ((rc = generated_dependents(ctx, t, ci, c->cascade ? 'c' : 'd'))) return rc;
            if ((rc = view_drop_dependents(ctx, p, t->id, t->cols[ci].id, what, c->cascade))) return rc;
            if ((rc = drop_owned_sequences(ctx, p, t->id, t->cols[ci].id))) return rc;
            int k;
            /* foreign keys: other tables' that reference it (CASCADE), the
             * table's own that name it (they go with it) */
            if ((rc = fk_drop_dependents(ctx, p, t->id, t->cols[ci].id, what, c->cascade))) return rc;
            k = 0;
            for (int x = 0; x < t->nfks; x++) {
                bool uses = false;
                for (int j = 0; j < t->fks[x].ncols; j++)
                    uses |= t->fks[x].cols[j] == t->cols[ci].id ||
                            (t->fks[x].ref_table == t->id && t->fks[x].ref_cols[j] == t->cols[ci].id);
                if (!uses) t->fks[k++] = t->fks[x];
            }
            t->nfks = k;
            /* indexes on the column go with it */
            k = 0;
            for (int x = 0; x < t->nindexes; x++) {
                bool uses = false;
                for (int j = 0; j < t->indexes[x].ncols; j++) uses |= t->indexes[x].cols[j] == t->cols[ci].id;
                for (int j = 0; j < t->indexes[x].ninclude; j++) uses |= t->indexes[x].include[j] == t->cols[ci].id;
                if (!uses && (rc = sql_index_uses_column(ctx, &t->indexes[x], c->name, &uses))) return rc;
                if (!uses) t->indexes[k++] = t->indexes[x];
            }
            t->nindexes = k;
            /* so do the CHECK constraints that name it */
            k = 0;
            for (int x = 0; x < t->nchecks; x++) {
                bool uses;
                if ((rc = sql_text_uses_column(ctx, t->checks[x].expr_sql, c->name, &uses))) return rc;
                if (!uses) t->checks[k++] = t->checks[x];
            }
            t->nchecks = k;
            t->cols[ci].dropped = true;
            break;
        }
        case ALTER_RENAME_COLUMN: {
            int ci = find_col(t, c->name);
            if (ci < 0 || system_col_name(c->name))
                return dd_err(ctx->err, DD_EUNDEFINED_COLUMN, c->loc, "column \"%s\" does not exist", c->name);
            if (find_col(t, c->newname) >= 0 || system_col_name(c->newname))
                return dd_err(ctx->err, DD_EDUPLICATE_COLUMN, c->loc, "column \"%s\" of relation \"%s\" already exists",
                              c->newname, name_base(t->name));
            /* the expressions the catalog keeps as text follow the rename:
             * index expressions and predicates, CHECKs, generation
             * expressions (0A000 where one names it in a way the rename
             * cannot follow) */
            for (int x = 0; x < t->nindexes; x++) {
                IndexInfo *ix = &t->indexes[x];
                for (int k = -1; k < ix->ncols; k++) {
                    char **slot = k < 0 ? &ix->pred_sql : ix->exprs ? &ix->exprs[k] : NULL;
                    if (!slot || !*slot) continue;
                    if ((rc = rename_in_text(ctx, t, slot, c->name, c->newname, "index", ix->name))) return rc;
                }
            }
            for (int x = 0; x < t->nchecks; x++)
                if ((rc = rename_in_text(ctx, t, &t->checks[x].expr_sql, c->name, c->newname, "check constraint",
                                         t->checks[x].name)))
                    return rc;
            for (int x = 0; x < t->ncols; x++)
                if (t->cols[x].gen_sql && !t->cols[x].dropped &&
                    (rc = rename_in_text(ctx, t, &t->cols[x].gen_sql, c->name, c->newname, "generated column",
                                         t->cols[x].name)))
                    return rc;
            char *what = arena_printf(ctx->stmt, "column \"%s\" of table \"%s\"", c->name, name_base(t->name));
            if (!what) return DD_ENOMEM;
            if ((rc = view_check_rename(ctx, t, t->cols[ci].id, what))) return rc;
            t->cols[ci].name = arena_strdup(ctx->stmt, c->newname);
            if (!t->cols[ci].name) return DD_ENOMEM;
            break;
        }
        case ALTER_ADD_CONSTRAINT:
            if (t0->document_style)
                return dd_err(ctx->err, DD_EFEATURE, c->loc, "constraints on a document-style table are not supported");
            if ((rc = alter_add_constraint(ctx, t0, t, c->con))) return rc;
            break;
        case ALTER_DROP_CONSTRAINT: {
            bool dropped;
            if ((rc = alter_drop_constraint(ctx, t, c->name, c->if_exists, c->cascade, p, &dropped))) return rc;
            if (!dropped) changed--;
            break;
        }
        case ALTER_SET_DEFAULT:
        case ALTER_SET_NOT_NULL: {
            int ci = find_col(t, c->name);
            if (ci < 0 || system_col_name(c->name))
                return dd_err(ctx->err, DD_EUNDEFINED_COLUMN, -1, "column \"%s\" of relation \"%s\" does not exist", c->name,
                              name_base(t->name));
            ColumnInfo *col = &t->cols[ci];
            if (col->gen_sql && c->kind == ALTER_SET_DEFAULT)
                return dd_err(ctx->err, DD_ESYNTAX, -1, "column \"%s\" of relation \"%s\" is a generated column", c->name,
                              name_base(t->name));
            if (col->identity && (c->kind == ALTER_SET_DEFAULT || !c->not_null)) {
                dd_err(ctx->err, DD_ESYNTAX, -1, "column \"%s\" of relation \"%s\" is an identity column", c->name, name_base(t->name));
                if (c->kind == ALTER_SET_DEFAULT && !c->col->default_)
                    dd_err_hint(ctx->err, "Use ALTER TABLE ... ALTER COLUMN ... DROP IDENTITY instead.");
                return DD_ESYNTAX;
            }
            if (c->kind == ALTER_SET_DEFAULT) {
                if (!c->col->default_) {
                    col->default_sql = NULL;
                    break;
                }
                c->col->type.typmod = col->typmod;
                if ((rc = check_default(ctx, c->col, (TypeId)col->type, col))) {
                    ctx->err->position = 0;   /* PostgreSQL points at no part of an ALTER */
                    return rc;
                }
                break;
            }
            if (!c->not_null) {
                if (is_pk_col(t, ci))
                    return dd_err(ctx->err, DD_EINVALID_DEFINITION, -1, "column \"%s\" is in a primary key", c->name);
                col->not_null = false;
                break;
            }
            if (!col->not_null) {
                bool any;
                if ((rc = column_has_null(ctx, t0, ci, &any))) return rc;
                if (any)
                    return contains_nulls(ctx, t, c->name);
            }
            col->not_null = true;
            break;
        }
        case ALTER_TYPE:
            if ((rc = alter_column_type(ctx, p, t0, t, c, step))) return rc;
            types = true;
            break;
        case ALTER_VALIDATE_CONSTRAINT:
            if ((rc = alter_validate_constraint(ctx, t0, t, c->name))) return rc;
            break;
        case ALTER_RENAME_CONSTRAINT:
            if ((rc = alter_rename_constraint(ctx, t, c->name, c->newname))) return rc;
            break;
        case ALTER_RENAME_INDEX:
            return dd_err(ctx->err, DD_EINTERNAL, -1, "ALTER INDEX as an ALTER TABLE action");
        case ALTER_ADD_PRIMARY_KEY:
            if ((rc = add_primary_key(ctx, t0, t, c))) return rc;
            break;
        case ALTER_IDENTITY: {
            bool skipped;
            if ((rc = alter_identity(ctx, t, c, p, &skipped))) return rc;
            if (skipped) {
                changed--;
                continue;
            }
            break;
        }
        case ALTER_OWNER: {
            /* OWNER TO role (the owner's membership checked before: sql.c) */
            u32 owner;
            if ((rc = acl_new_owner(ctx, c->newname, &owner))) return rc;
            acl_set_owner(t, owner);
            continue;
        }
        case ALTER_SET_RETENTION:
            if (c->newname) {
                if ((rc = history_retention(ctx, t, c->newname))) return rc;
            } else {
                t->retention_us = 0;
            }
            break;
        case ALTER_NOOP:
            /* SET STATISTICS names a column */
            if (c->name && (find_col(t, c->name) < 0 || system_col_name(c->name)))
                return dd_err(ctx->err, DD_EUNDEFINED_COLUMN, -1, "column \"%s\" of relation \"%s\" does not exist",
                              c->name, name_base(t->name));
            changed--;
            continue;
        case ALTER_DROP_EXPRESSION: {
            /* the column keeps the values it has and takes what it is given */
            int ci = find_col(t, c->name);
            if (ci < 0 || system_col_name(c->name))
                return dd_err(ctx->err, DD_EUNDEFINED_COLUMN, -1, "column \"%s\" of relation \"%s\" does not exist",
                              c->name, name_base(t->name));
            if (!t->cols[ci].gen_sql) {
                if (c->if_exists) {
                    p->notice = arena_printf(ctx->stmt, "column \"%s\" of relation \"%s\" is not a stored generated column, skipping",
                                             c->name, name_base(t->name));
                    p->notice_state = "00000";
                    changed--;
                    continue;
                }
                return dd_err(ctx->err, DD_EOBJECT_STATE, -1, "column \"%s\" of relation \"%s\" is not a stored generated column",
                              c->name, name_base(t->name));
            }
            t->cols[ci].gen_sql = NULL;
            break;
        }
        case ALTER_RENAME_TABLE:
        case ALTER_SET_SCHEMA: {
            /* RENAME TO: a new name in the same schema; SET SCHEMA: the
             * same name in another */
            char *cat;
            if (c->kind == ALTER_RENAME_TABLE) {
                cat = t->temp ? arena_strdup(ctx->stmt, c->newname) : name_sibling(ctx->stmt, t->name, c->newname);
                if (!cat) return DD_ENOMEM;
            } else {
                if (t->temp)
                    return dd_err(ctx->err, DD_EFEATURE, c->loc, "cannot move a temporary relation to another schema");
                if (strcmp(c->newname, "pg_temp") == 0 || strcmp(c->newname, "pg_catalog") == 0)
                    return dd_err(ctx->err, DD_EFEATURE, c->loc, "cannot move objects into or out of %s schema",
                                  strcmp(c->newname, "pg_temp") == 0 ? "temporary" : "system");
                if (!sql_schema_exists(ctx, c->newname))
                    return dd_err(ctx->err, DD_EUNDEFINED_SCHEMA, c->loc, "schema \"%s\" does not exist", c->newname);
                const char *base = name_base(t->name);
                cat = strcmp(c->newname, "public") == 0 ? arena_strdup(ctx->stmt, base)
                                                        : arena_printf(ctx->stmt, "%s.%s", c->newname, base);
                if (!cat) return DD_ENOMEM;
                if (strcmp(cat, t->name) == 0) {   /* already there: nothing to do */
                    changed--;
                    continue;
                }
                if ((rc = schema_move_check(ctx, t))) return rc;
            }
            const char *shown = c->kind == ALTER_RENAME_TABLE ? c->newname : cat;
            if ((t->temp ? resolve_temp_present(ctx, cat) != NULL : resolve_permanent_present(ctx, cat) != NULL) ||
                sql_index_name_taken(ctx, cat) || strcmp(cat, "drift_commits") == 0) {
                if (c->kind == ALTER_SET_SCHEMA)
                    return dd_err(ctx->err, DD_EDUPLICATE_TABLE, c->loc, "relation \"%s\" already exists in schema \"%s\"",
                                  name_base(t->name), c->newname);
                return dd_err(ctx->err, DD_EDUPLICATE_TABLE, c->loc, "relation \"%s\" already exists", shown);
            }
            if (t->sequence) {
                const char *ut, *uc;
                if ((rc = sequence_default_user(ctx, t0, &ut, &uc))) return rc;
                if (ut)
                    return dd_err(ctx->err, DD_EFEATURE, c->loc,
                                  "renaming or moving sequence \"%s\" while the DEFAULT of column \"%s\" of table \"%s\" "
                                  "calls it is not supported (the DEFAULT names it as text)",
                                  name_base(t0->name), uc, ut);
            }
            char *what = arena_printf(ctx->stmt, "table \"%s\"", t->name);
            if (!what) return DD_ENOMEM;
            if ((rc = view_check_rename(ctx, t, 0, what))) return rc;
            if (!t->view_sql && (rc = unqualify_texts(ctx, t, name_base(t->name)))) return rc;
            t->name = cat;
            break;
        }
        }
    }
    if (types) {
        /* the conversions of this ALTER, and the transaction's rows encoded
         * again when it runs (exec_plan) */
        int from = t->nconvs;
        while (from > 0 && t->convs[from - 1].step == step) from--;
        if ((rc = alter_type_check_rows(ctx, t0, t, step, from))) return rc;
        p->retype = true;
        p->retype_from = from;
    }
    /* an ALTER whose every action was skipped changes nothing: no version, no seq */
    p->new_table = changed ? t : NULL;
    return DD_OK;
}

/* ALTER TABLE SET SCHEMA: 0A000 for a table whose column defaults call
 * nextval (its SERIAL or identity sequences would have to move with it,
 * and the defaults name them with their schema). */
static int schema_move_check(SqlCtx *ctx, const TableInfo *t)
{
    for (int i = 0; i < t->ncols; i++)
        if (!t->cols[i].dropped && t->cols[i].default_sql && strstr(t->cols[i].default_sql, "nextval("))
            return dd_err(ctx->err, DD_EFEATURE, -1,
                          "ALTER TABLE SET SCHEMA of a table with a SERIAL, identity or nextval() column (\"%s\") is not "
                          "supported",
                          t->cols[i].name);
    return DD_OK;
}

static int drop_relations(SqlCtx *ctx, Plan *p)
{
    for (int i = 0; i < p->ndrop; i++) {
        TableInfo *c = table_copy(ctx->stmt, p->drop[i]);
        if (!c) return DD_ENOMEM;
        c->dropped = true;
        if (!ws_put_table(ctx->ws, c)) return DD_ENOMEM;
    }
    return DD_OK;
}

/* ---------------------------------------------------------------- COMMENT ON */

/* COMMENT ON {TABLE | VIEW | SEQUENCE} r | COLUMN r.c IS text | NULL: a
 * new catalog version of r with the comment set or removed (versioned
 * like any catalog change; no rows change). */
int analyze_comment(SqlCtx *ctx, CommentStmt *s, Plan *p)
{
    if (ctx->read_only) return dd_err(ctx->err, DD_EREAD_ONLY_TXN, -1, "cannot execute COMMENT in a read-only transaction");
    const TableInfo *t0 = resolve_table_present(ctx, s->name);
    if (!t0) return dd_err(ctx->err, DD_EUNDEFINED_TABLE, s->loc, "relation \"%s\" does not exist", s->name);
    const char *kind = t0->view_sql ? "view" : t0->sequence ? "sequence" : "table";
    if (strcmp(s->what, "column") != 0 && strcmp(s->what, kind) != 0)
        return dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, s->loc, "\"%s\" is not a %s", t0->name, s->what);
    u32 col = 0;
    if (s->col) {
        int ci = find_col(t0, s->col);
        if (ci < 0 || t0->sequence || strcmp(s->col, ROWID_COL) == 0)
            return dd_err(ctx->err, DD_EUNDEFINED_COLUMN, s->loc, "column \"%s\" of relation \"%s\" does not exist",
                          s->col, name_base(t0->name));
        col = t0->cols[ci].id;
    }
    TableInfo *t = table_copy(ctx->stmt, t0);
    if (!t) return DD_ENOMEM;
    /* the others, then this one's new text */
    struct CommentInfo *cs = arena_alloc(ctx->stmt, sizeof(*cs) * (size_t)(t->ncomments + 1));
    if (!cs) return DD_ENOMEM;
    int n = 0;
    for (int i = 0; i < t->ncomments; i++)
        if (t->comments[i].col != col) cs[n++] = t->comments[i];
    if (s->text && s->text[0]) {
        cs[n].col = col;
        if (!(cs[n++].text = arena_strdup(ctx->stmt, s->text))) return DD_ENOMEM;
    }
    t->comments = cs;
    t->ncomments = n;
    p->kind = PLAN_ALTER_TABLE;
    p->tag = "COMMENT";
    p->alter = arena_alloc(ctx->stmt, sizeof(TableInfo *));
    if (!p->alter) return DD_ENOMEM;
    p->alter[0] = t;
    p->nalter = 1;
    return DD_OK;
}

/* ---------------------------------------------------------------- MERGE */

/*
 * MERGE INTO t USING source ON cond WHEN ...: planned as `t RIGHT JOIN
 * source ON cond` (t's row first in every joined row, NULL when the
 * source row matches none); each joined row takes the first WHEN clause
 * of its kind (MATCHED or NOT MATCHED) whose condition holds.  Changes
 * are collected and applied at the end, as an UPDATE / DELETE and an
 * INSERT would (constraints, unique indexes, foreign keys); a target row
 * that two source rows would change is 21000, as PostgreSQL.
 */
int analyze_merge(SqlCtx *ctx, MergeStmt *s, Plan *p)
{
    const TableInfo *t;
    u32 want = ACL_SELECT;   /* the join reads the target */
    for (int i = 0; i < s->nwhens; i++)
        want |= s->whens[i]->action == MERGE_INSERT ? ACL_INSERT : s->whens[i]->action == MERGE_UPDATE ? ACL_UPDATE
              : s->whens[i]->action == MERGE_DELETE ? ACL_DELETE : 0;
    int rc = dml_target_as(ctx, "MERGE", s->table, s->table_loc, want, &t);
    if (rc) return rc;
    TableRef *tr = arena_zalloc(ctx->stmt, sizeof(TableRef));
    TableRef *join = arena_zalloc(ctx->stmt, sizeof(TableRef));
    SelectStmt *q = arena_zalloc(ctx->stmt, sizeof(SelectStmt));
    TableRef **items = arena_alloc(ctx->stmt, sizeof(TableRef *));
    if (!tr || !join || !q || !items) return DD_ENOMEM;
    tr->kind = TREF_TABLE;
    tr->loc = s->table_loc;
    tr->name = s->table;
    tr->alias = s->alias;
    join->kind = TREF_JOIN;
    join->loc = s->table_loc;
    join->join = JOIN_RIGHT;
    join->left = tr;
    join->right = s->source;
    join->on = s->on;
    items[0] = join;
    q->loc = s->table_loc;
    q->from = items;
    q->nfrom = 1;
    Scope env;
    memset(&env, 0, sizeof(env));
    FromItem fi;
    if ((rc = plan_from_where(ctx, q, &env, &fi))) return rc;
    if (fi.nrels < 2 || fi.rels[0].ncols != t->ncols + HIST_COLS || fi.rels[0].slot0 != 0)
        return dd_err(ctx->err, DD_EINTERNAL, s->table_loc, "the target of a MERGE is not the first relation");
    for (int i = 0; i < t->ncols; i++) fi.rels[0].used[i] = true;
    Scope sc = {fi.rels, fi.nrels, fi.width, NULL, NULL, NULL, NULL, fi.merged, 0, fi.nmerged};
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = ctx;
    cc.scope = &sc;
    p->merge = arena_zalloc(ctx->stmt, sizeof(MergeAction) * (size_t)(s->nwhens + 1));
    if (!p->merge) return DD_ENOMEM;
    p->nmerge = s->nwhens;
    int rowid_ci = find_col(t, ROWID_COL);
    for (int k = 0; k < s->nwhens; k++) {
        MergeWhen *w = s->whens[k];
        MergeAction *a = &p->merge[k];
        a->matched = w->matched;
        a->action = w->action;
        cc.assign_col = NULL;
        cc.agg_forbidden = "MERGE WHEN AND condition";
        if (w->cond && (rc = expr_compile_as(&cc, w->cond, TYPE_BOOL, -1, &a->cond))) return rc;
        cc.agg_forbidden = "MERGE";
        if (w->action == MERGE_UPDATE) {
            a->nset = w->nset;
            if ((rc = compile_set_list(ctx, &cc, t, w->set, w->nset, NULL, &a->set, &a->target))) return rc;
        } else if (w->action == MERGE_INSERT) {
            a->ivals = arena_zalloc(ctx->stmt, sizeof(ExprProg *) * (size_t)(t->ncols + 1));
            bool *given = arena_zalloc(ctx->stmt, (size_t)t->ncols + 1);
            if (!a->ivals || !given) return DD_ENOMEM;
            int nvis = 0;
            for (int i = 0; i < t->ncols; i++)
                if (!t->cols[i].dropped && !t->cols[i].pending && i != rowid_ci) nvis++;
            int ncols = w->default_values ? 0 : w->ncols ? w->ncols : DD_MIN(w->nvalues, nvis);
            if (!w->default_values && w->nvalues > (w->ncols ? w->ncols : nvis))
                return dd_err(ctx->err, DD_ESYNTAX, w->values[w->ncols ? w->ncols : nvis]->loc,
                              "INSERT has more expressions than target columns");
            if (!w->default_values && w->ncols && w->nvalues < w->ncols)
                return dd_err(ctx->err, DD_ESYNTAX, w->col_locs[w->nvalues], "INSERT has more target columns than expressions");
            int vis = 0;
            for (int k2 = 0; k2 < ncols; k2++) {
                int ci;
                if (w->ncols) {
                    ci = find_col(t, w->cols[k2]);
                    if (ci < 0 || ci == rowid_ci)
                        return dd_err(ctx->err, DD_EUNDEFINED_COLUMN, w->col_locs[k2],
                                      "column \"%s\" of relation \"%s\" does not exist", w->cols[k2], name_base(t->name));
                    if (given[ci])
                        return dd_err(ctx->err, DD_EDUPLICATE_COLUMN, w->col_locs[k2], "column \"%s\" specified more than once",
                                      w->cols[k2]);
                } else {
                    while (t->cols[vis].dropped || t->cols[vis].pending || vis == rowid_ci) vis++;
                    ci = vis++;
                }
                given[ci] = true;
                if ((rc = compile_assigned(ctx, &cc, w->values[k2], &t->cols[ci], false, false, &a->ivals[ci]))) return rc;
            }
            for (int i = 0; i < t->ncols; i++)
                if (!given[i] && !t->cols[i].dropped && (t->cols[i].default_sql || t->cols[i].domain) &&
                    (rc = dml_compile_default(ctx, &t->cols[i], &a->ivals[i])))
                    return rc;
        }
    }
    if ((rc = compile_checks(ctx, t, p))) return rc;
    p->kind = PLAN_MERGE;
    p->table = t;
    p->root = fi.op;
    return DD_OK;
}

static int exec_merge(SqlCtx *ctx, Plan *p)
{
    const TableInfo *t = p->table;
    int n = t->ncols;
    EvalEnv env = {ctx, NULL, 0, NULL};
    RowChange *ch = NULL;
    size_t nch = 0, cap = 0;
    NewRows rows = {NULL, 0, 0};
    KeySet seen = {NULL, 0, 0};
    Buf pk = BUF_INIT, ipk = BUF_INIT, rec = BUF_INIT;
    Value *vals = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(n + 1));
    if (!vals) return DD_ENOMEM;
    int key0 = t->npk ? table_col_index(t, t->pk[0]) : 0;
    int rowid_ci = find_col(t, ROWID_COL);
    int rc = op_open(ctx, p->root);
    while (!rc) {
        Value *r;
        int k = op_next(ctx, p->root, &r);
        if (k < 0) { rc = -k; break; }
        if (k == 0) break;
        bool matched = !r[key0].isnull;   /* a key column is never NULL in a row */
        const MergeAction *a = NULL;
        for (int i = 0; !rc && i < p->nmerge && !a; i++) {
            const MergeAction *c = &p->merge[i];
            if (c->matched != matched) continue;
            bool ok = true;
            if (c->cond) rc = expr_eval_bool(c->cond, &env, r, &ok);
            if (!rc && ok) a = c;
        }
        if (rc) break;
        if (!a || a->action == MERGE_NOTHING) { arena_reset(ctx->row); continue; }
        if (matched) {
            bool had;
            if ((rc = row_pk(t, r, &pk, ctx->err)) || (rc = keyset_put(ctx->stmt, &seen, pk.data, (u32)pk.len, 0, &had)))
                break;
            if (had) {
                rc = dd_err(ctx->err, DD_ECARDINALITY, -1, "MERGE command cannot affect row a second time");
                dd_err_hint(ctx->err, "Ensure that not more than one source row matches any one target row.");
                break;
            }
            /* the row it changes is locked, as by UPDATE and DELETE */
            if (ctx->lock_row && !t->temp &&
                (rc = dml_lock_row(ctx, t, pk.data, (u32)pk.len,
                                      a->action == MERGE_DELETE ? ROWLOCK_UPDATE
                                                                : update_lock_mode(t, a->target, a->nset))))
                break;
            if (nch == cap) {
                size_t ncap = cap ? cap * 2 : 64;
                RowChange *nc = arena_alloc(ctx->stmt, sizeof(RowChange) * ncap);
                if (!nc) { rc = DD_ENOMEM; break; }
                if (nch) memcpy(nc, ch, sizeof(RowChange) * nch);
                ch = nc;
                cap = ncap;
            }
            RowChange *c = &ch[nch];
            memset(c, 0, sizeof(*c));
            c->old = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)n);
            if (!c->old) { rc = DD_ENOMEM; break; }
            for (int i = 0; !rc && i < n; i++) rc = val_copy(ctx->stmt, &r[i], &c->old[i]);
            if (!rc && a->action == MERGE_UPDATE) {
                c->neu = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)n);
                if (!c->neu) { rc = DD_ENOMEM; break; }
                memcpy(c->neu, c->old, sizeof(Value) * (size_t)n);
                for (int s2 = 0; !rc && s2 < a->nset; s2++) {
                    Value v;
                    rc = expr_eval(a->set[s2], &env, r, &v);
                    if (!rc) rc = val_copy(ctx->stmt, &v, &c->neu[a->target[s2]]);
                }
            }
            nch++;
        } else {
            for (int i = 0; !rc && i < n; i++) {
                vals[i] = val_null((TypeId)t->cols[i].type);
                if (a->ivals[i]) rc = expr_eval(a->ivals[i], &env, r, &vals[i]);
            }
            if (!rc && rowid_ci >= 0 && is_pk_col(t, rowid_ci)) vals[rowid_ci] = val_int(TYPE_INT8, (i64)next_rowid());
            if (!rc) rc = encode_row(ctx, p, t, vals, &ipk, &rec, &rows);
        }
        if (!rc) p->count++;
        arena_reset(ctx->row);
    }
    op_close(ctx, p->root);
    buf_free(&pk);
    buf_free(&ipk);
    buf_free(&rec);
    if (!rc) rc = dml_apply_changes(ctx, p, t, ch, nch, NULL);
    if (!rc && nch) rc = fk_after_writes(ctx, t, ch, nch);
    u64 inserted = 0;
    if (!rc) rc = write_rows(ctx, t, &rows, &inserted);
    if (!rc) rc = fk_inserted(ctx, t, &rows);
    return rc;
}

int exec_dml(SqlCtx *ctx, Plan *p)
{
    switch (p->kind) {
    case PLAN_MERGE: return exec_merge(ctx, p);
    case PLAN_INSERT: return exec_insert(ctx, p);
    case PLAN_UPDATE: case PLAN_DELETE: return exec_update_delete(ctx, p);
    case PLAN_DELETE_HISTORY: return exec_delete_history(ctx, p);
    case PLAN_ERASE: return exec_erase(ctx, p);
    case PLAN_TRUNCATE:
        for (int i = 0; i < p->nparts; i++) {
            int rc = exec_update_delete(ctx, p->parts[i]);
            if (rc) return rc;
        }
        /* p->drop: the sequences RESTART IDENTITY restarts (with the transaction) */
        for (int i = 0; i < p->ndrop; i++) {
            const SeqInfo *q = p->drop[i]->sequence;
            if (ws_put_seq_restart(ctx->ws, p->drop[i]->id, q->start, false, q)) return DD_ENOMEM;
        }
        return DD_OK;
    case PLAN_CREATE_TABLE: {
        if (!p->new_table) return DD_OK;
        const TableInfo *t = ws_put_table(ctx->ws, p->new_table);
        if (!t) return DD_ENOMEM;
        for (int i = 0; i < p->nalter; i++)   /* the sequences of SERIAL columns */
            if (!ws_put_table(ctx->ws, p->alter[i])) return DD_ENOMEM;
        return p->root ? exec_ctas(ctx, p, t) : DD_OK;
    }
    case PLAN_ALTER_TABLE:
        if (p->new_table && !ws_put_table(ctx->ws, p->new_table)) return DD_ENOMEM;
        if (p->retype && p->new_table) {
            int rc = retype_ws_rows(ctx, p->new_table, p->retype_from);
            if (!rc && !p->new_table->temp) rc = sql_forget_stats(ctx, p->new_table->id);
            if (rc) return rc;
        }
        for (int i = 0; i < p->nalter; i++)
            if (!ws_put_table(ctx->ws, p->alter[i])) return DD_ENOMEM;
        /* the store's value changes when the transaction commits */
        if (p->seq_restart &&
            ws_put_seq_restart(ctx->ws, p->seq_target->id, p->restart_value, false, p->seq_target->sequence))
            return DD_ENOMEM;
        return drop_relations(ctx, p);   /* views a DROP COLUMN ... CASCADE drops */
    case PLAN_DROP_TABLE:
        if (p->new_table && !ws_put_table(ctx->ws, p->new_table)) return DD_ENOMEM;   /* DROP SCHEMA public's marker */
        for (int i = 0; i < p->nalter; i++)   /* foreign keys CASCADE removed */
            if (!ws_put_table(ctx->ws, p->alter[i])) return DD_ENOMEM;
        return drop_relations(ctx, p);
    default: return DD_OK;
    }
}
