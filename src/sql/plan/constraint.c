/*
 * constraint.c - UNIQUE and CHECK constraints: their definitions (CREATE
 * TABLE, ALTER TABLE ADD / DROP CONSTRAINT) and the check of a row
 * against a table's CHECK constraints.
 *
 * A UNIQUE constraint is a unique index marked `constraint` (named
 * table_cols_key as PostgreSQL names it), so it is checked where unique
 * indexes are (at the end of each statement, and again at commit).  A
 * CHECK constraint is kept as SQL text in the table's catalog version and
 * compiled by every INSERT and UPDATE; a row for which it is false (not
 * NULL) fails with 23514.  Constraints are catalog versions like columns:
 * AS OF a point, the table has the constraints it had there.
 */
#include "plan_int.h"
#include <stdio.h>
#include <string.h>

/* Whether name is taken by a relation, an index of t, or a constraint of
 * t (a new table's own names are not in the catalog yet). */
static bool name_taken(SqlCtx *ctx, const TableInfo *t, const char *name)
{
    const char *cat = name_sibling(ctx->stmt, t->name, name);
    if (!cat) return true;   /* out of memory: the caller fails on its next allocation */
    if (resolve_permanent_present(ctx, cat) || resolve_temp_present(ctx, cat) || sql_index_name_taken(ctx, cat)) return true;
    for (int i = 0; i < t->nindexes; i++)
        if (t->indexes[i].name && strcmp(t->indexes[i].name, name) == 0) return true;
    for (int i = 0; i < t->nchecks; i++)
        if (strcmp(t->checks[i].name, name) == 0) return true;
    for (int i = 0; i < t->nfks; i++)
        if (strcmp(t->fks[i].name, name) == 0) return true;
    return false;
}

char *sql_choose_name(SqlCtx *ctx, const TableInfo *t, const char *name1, const char *name2, const char *label)
{
    name1 = name_base(name1);   /* a table's name without its schema */
    for (int k = 0; k < 1000; k++) {
        char lab[24];
        snprintf(lab, sizeof lab, k ? "%s%d" : "%s", label, k);
        size_t l1 = strlen(name1), l2 = name2 ? strlen(name2) : 0, ll = strlen(lab);
        size_t over = 0;
        while (l1 + (name2 ? l2 + 1 : 0) + ll + 1 - over > CAT_MAX_NAME) over++;
        /* as PostgreSQL's makeObjectName: the longer part is cut first */
        while (over--) {
            if (l1 > l2) l1--;
            else l2--;
        }
        char *name = name2 ? arena_printf(ctx->stmt, "%.*s_%.*s_%s", (int)l1, name1, (int)l2, name2, lab)
                           : arena_printf(ctx->stmt, "%.*s_%s", (int)l1, name1, lab);
        if (!name) return NULL;
        if (!name_taken(ctx, t, name)) return name;
    }
    return NULL;
}

/* The column e names when it names exactly one (*name NULL: none yet;
 * *many: more than one), for a CHECK's name as PostgreSQL chooses it. */
static void sole_column(const Expr *e, const char **name, bool *many)
{
    if (!e || *many) return;
    switch (e->kind) {
    case EXPR_COLUMN:
        if (*name && strcmp(*name, e->u.col.name) != 0) *many = true;
        *name = e->u.col.name;
        return;
    case EXPR_UNARY: sole_column(e->u.unary.arg, name, many); return;
    case EXPR_BINARY: sole_column(e->u.bin.l, name, many); sole_column(e->u.bin.r, name, many); return;
    case EXPR_IS: sole_column(e->u.is.arg, name, many); sole_column(e->u.is.other, name, many); return;
    case EXPR_BETWEEN:
        sole_column(e->u.between.arg, name, many);
        sole_column(e->u.between.lo, name, many);
        sole_column(e->u.between.hi, name, many);
        return;
    case EXPR_LIKE: sole_column(e->u.like.arg, name, many); sole_column(e->u.like.pattern, name, many); return;
    case EXPR_CAST: sole_column(e->u.cast.arg, name, many); return;
    case EXPR_IN:
        sole_column(e->u.in.arg, name, many);
        for (int i = 0; i < e->u.in.n; i++) sole_column(e->u.in.list[i], name, many);
        return;
    case EXPR_FUNC:
        for (int i = 0; i < e->u.func.n; i++) sole_column(e->u.func.args[i], name, many);
        return;
    case EXPR_CASE:
        sole_column(e->u.case_.operand, name, many);
        for (int i = 0; i < e->u.case_.n; i++) {
            sole_column(e->u.case_.when[i], name, many);
            sole_column(e->u.case_.then[i], name, many);
        }
        sole_column(e->u.case_.else_, name, many);
        return;
    default: return;
    }
}

/* Compiles e over one row of t (slot = column index), where `what` (an
 * aggregate's error names it) is what e is; assign: the column a value is
 * for, and `to` (with typmod) its type, or TYPE__COUNT for e's own type.
 * *relp: the scope's relation (which columns e read: used). */
static int compile_over_row(SqlCtx *ctx, const TableInfo *t, Expr *e, const char *what, const char *assign, TypeId to,
                            i32 typmod, ExprProg **out, ScopeRel **relp)
{
    ScopeRel *rel = arena_zalloc(ctx->stmt, sizeof(ScopeRel));
    if (!rel) return DD_ENOMEM;
    int rc = scope_rel_for_table(ctx, t, t->name, rel);
    if (rc) return rc;
    Scope sc;
    memset(&sc, 0, sizeof(sc));
    sc.rels = rel;
    sc.nrels = 1;
    sc.nslots = rel->ncols;
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = ctx;
    cc.scope = &sc;
    cc.agg_forbidden = what;
    cc.assign_col = assign;
    *relp = rel;
    return to == TYPE__COUNT ? expr_compile(&cc, e, out) : expr_compile_as(&cc, e, to, typmod, out);
}

/* Compiles CHECK expression e over the columns of t; its program. */
static int compile_check(SqlCtx *ctx, const TableInfo *t, Expr *e, ExprProg **out)
{
    ScopeRel *rel;
    ExprProg *pr;
    int rc = compile_over_row(ctx, t, e, "check constraints", NULL, TYPE__COUNT, -1, &pr, &rel);
    if (rc) return rc;
    if (pr->type != TYPE_BOOL) {
        if (pr->type != TYPE_UNKNOWN && pr->type != TYPE_NULLTYPE)
            return dd_err(ctx->err, DD_EDATATYPE_MISMATCH, e->loc, "argument of CHECK must be type boolean, not type %s",
                          type_name(pr->type));
        if ((rc = compile_over_row(ctx, t, e, "check constraints", NULL, TYPE_BOOL, -1, &pr, &rel))) return rc;
    }
    for (int i = 0; i < pr->n; i++)
        if (pr->code[i].op == XOP_SUBLINK)
            return dd_err(ctx->err, DD_EFEATURE, e->loc, "cannot use subquery in check constraint");
    for (int h = 0; h < HIST_COLS; h++)
        if (rel->used[t->ncols + h])
            return dd_err(ctx->err, DD_EFEATURE, e->loc, "system column \"%s\" reference in check constraint is invalid",
                          hist_col_names[h]);
    *out = pr;
    return DD_OK;
}

/* Adds CHECK constraint c to t (a version being made), its expression
 * compiled once to validate it; *prog gets the program. */
static int add_check(SqlCtx *ctx, TableInfo *t, const Constraint *c, ExprProg **prog)
{
    int rc = compile_check(ctx, t, c->check, prog);
    if (rc) return rc;
    char *name = c->name;
    if (name && name_taken(ctx, t, name) && !resolve_table_present(ctx, name) && !sql_index_name_taken(ctx, name))
        return dd_err(ctx->err, DD_EDUPLICATE_OBJECT, -1, "constraint \"%s\" for relation \"%s\" already exists", name,
                      t->name);
    const char *col = NULL;
    bool many = false;
    sole_column(c->check, &col, &many);
    if (!name && !(name = sql_choose_name(ctx, t, t->name, many ? NULL : col, "check"))) return DD_ENOMEM;
    CheckInfo *nc = arena_alloc(ctx->stmt, sizeof(CheckInfo) * (size_t)(t->nchecks + 1));
    char *text = arena_strndup(ctx->stmt, ctx->sql + c->check_start, (size_t)(c->check_end - c->check_start));
    if (!nc || !text) return DD_ENOMEM;
    if (t->nchecks) memcpy(nc, t->checks, sizeof(CheckInfo) * (size_t)t->nchecks);
    nc[t->nchecks].name = name;
    nc[t->nchecks].expr_sql = text;
    t->checks = nc;
    t->nchecks++;
    return DD_OK;
}

/* Adds UNIQUE constraint c to t as a unique index (checked over the
 * present rows when t has some). */
static int add_unique(SqlCtx *ctx, TableInfo *t, const Constraint *c)
{
    CreateIndexStmt s;
    memset(&s, 0, sizeof(s));
    s.unique = true;
    s.table = t->name;
    s.elems = arena_zalloc(ctx->stmt, sizeof(IndexElem *) * (size_t)(c->ncols + 1));
    if (!s.elems) return DD_ENOMEM;
    Buf cols = BUF_INIT;
    for (int i = 0; i < c->ncols; i++) {
        for (int j = 0; j < i; j++)
            if (strcmp(c->cols[j], c->cols[i]) == 0) {
                buf_free(&cols);
                return dd_err(ctx->err, DD_EDUPLICATE_COLUMN, c->loc, "column \"%s\" appears twice in unique constraint",
                              c->cols[i]);
            }
        IndexElem *e = arena_zalloc(ctx->stmt, sizeof(IndexElem));
        if (!e) { buf_free(&cols); return DD_ENOMEM; }
        e->col = c->cols[i];
        e->loc = c->loc;
        s.elems[s.nelems++] = e;
        buf_printf(&cols, "%s%s", i ? "_" : "", c->cols[i]);
    }
    if (!buf_ok(&cols)) return DD_ENOMEM;
    if (c->name) {
        if (name_taken(ctx, t, c->name)) {
            buf_free(&cols);
            return dd_err(ctx->err, DD_EDUPLICATE_TABLE, -1, "relation \"%s\" already exists", c->name);
        }
        s.name = c->name;
    } else {
        s.name = sql_choose_name(ctx, t, t->name, buf_cstr(&cols), "key");
    }
    buf_free(&cols);
    if (!s.name) return DD_ENOMEM;
    if (c->deferrable) return dd_err(ctx->err, DD_EFEATURE, c->loc, "DEFERRABLE unique constraints are not supported yet");
    IndexInfo *ix;
    int rc = sql_index_add(ctx, t, &s, &ix);
    if (rc) return rc;
    ix->constraint = true;
    return DD_OK;
}

static int add_constraint(SqlCtx *ctx, TableInfo *t, const Constraint *c, ExprProg **check)
{
    if (c->kind == CONSTR_FOREIGN) {
        return add_foreign_key(ctx, t, c);
    }
    if (c->kind == CONSTR_UNIQUE) return add_unique(ctx, t, c);
    return add_check(ctx, t, c, check);
}

static bool same_columns(const Constraint *a, const Constraint *b)
{
    if (a->ncols != b->ncols) return false;
    for (int i = 0; i < a->ncols; i++)
        if (strcmp(a->cols[i], b->cols[i]) != 0) return false;
    return true;
}

/* Whether UNIQUE constraint i of s repeats another one (which is kept:
 * a named one, else the first), as PostgreSQL merges them. */
static bool unique_repeated(const CreateTableStmt *s, int i)
{
    const Constraint *c = s->cons[i];
    for (int j = 0; j < s->ncons; j++) {
        const Constraint *o = s->cons[j];
        if (j == i || o->kind != CONSTR_UNIQUE || !same_columns(c, o)) continue;
        if ((o->name && !c->name) || (!o->name == !c->name && j < i)) return true;
    }
    return false;
}

int table_constraints(SqlCtx *ctx, const CreateTableStmt *s, TableInfo *t)
{
    /* foreign keys last: they may reference the table's own unique
     * constraints */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < s->ncons; i++) {
            if ((s->cons[i]->kind == CONSTR_FOREIGN) != (pass == 1)) continue;
            if (s->cons[i]->kind == CONSTR_UNIQUE && unique_repeated(s, i)) continue;
            ExprProg *unused;
            int rc = add_constraint(ctx, t, s->cons[i], &unused);
            if (rc) return rc;
        }
    return DD_OK;
}

/* The first row of the present of t (the version being made) for which
 * check pr is false: 23514. */
static int check_present_rows(SqlCtx *ctx, const TableInfo *t0, const TableInfo *t, ExprProg *pr, const char *name)
{
    DD_UNUSED(t0);
    Op *scan = op_scan(ctx, t, TMODE_PRESENT, 0, 0, NULL);
    if (!scan) return DD_ENOMEM;
    int rc = op_open(ctx, scan);
    EvalEnv env = {ctx, NULL, 0, NULL};
    while (!rc) {
        Value *r;
        ArenaMark m = arena_mark(ctx->row);
        int n = op_next(ctx, scan, &r);
        if (n < 0) { rc = -n; break; }
        if (n == 0) break;
        Value out;
        rc = expr_eval(pr, &env, r, &out);
        if (!rc && !out.isnull && !out.v.b)
        {
            rc = dd_err(ctx->err, DD_ECHECK_VIOLATION, -1, "check constraint \"%s\" of relation \"%s\" is violated by some row",
                        name, name_base(t->name));
            dd_err_relation(ctx->err, t, NULL, name);
        }
        arena_rewind(ctx->row, m);
    }
    op_close(ctx, scan);
    return rc;
}

int alter_add_constraint(SqlCtx *ctx, const TableInfo *t0, TableInfo *t, const Constraint *c)
{
    if (c->not_valid && c->kind == CONSTR_UNIQUE)
        return dd_err(ctx->err, DD_EFEATURE, c->loc, "UNIQUE constraints cannot be marked NOT VALID");
    ExprProg *pr = NULL;
    int rc = add_constraint(ctx, t, c, &pr);
    /* NOT VALID: the rows there are stay unchecked until VALIDATE
     * CONSTRAINT; rows written from now on are checked */
    if (rc || c->not_valid) return rc;
    if (c->kind == CONSTR_FOREIGN) return fk_validate_present(ctx, t0, t);
    if (c->kind != CONSTR_CHECK) return rc;
    /* the rows there are must pass (read as t: a column this ALTER added
     * reads NULL) */
    return check_present_rows(ctx, t0, t, pr, t->checks[t->nchecks - 1].name);
}

int alter_validate_constraint(SqlCtx *ctx, const TableInfo *t0, TableInfo *t, const char *name)
{
    for (int i = 0; i < t->nchecks; i++) {
        if (strcmp(t->checks[i].name, name) != 0) continue;
        Expr *e;
        const char *sql, *saved = ctx->sql;
        ExprProg *pr;
        int rc = sql_parse_expr_text(ctx, t->checks[i].expr_sql, "a CHECK constraint", &e, &sql);
        if (rc) return rc;
        ctx->sql = sql;
        rc = compile_check(ctx, t, e, &pr);
        ctx->sql = saved;
        if (rc) {
            ctx->err->position = 0;
            return rc;
        }
        return check_present_rows(ctx, t0, t, pr, name);
    }
    for (int i = 0; i < t->nfks; i++) {
        if (strcmp(t->fks[i].name, name) != 0) continue;
        FkCheck *r;
        int rc = fk_check_begin(ctx, t, &t->fks[i], NULL, &r);
        return rc ? rc : fk_check_children(ctx, r);
    }
    char pkey[CAT_MAX_NAME + 8];
    snprintf(pkey, sizeof pkey, "%s_pkey", name_base(t->name));
    bool hidden_key = false;   /* no PRIMARY KEY: the hidden _rowid, no constraint */
    for (int i = 0; i < t->ncols; i++)
        hidden_key |= t->npk == 1 && t->cols[i].id == t->pk[0] && strcmp(t->cols[i].name, ROWID_COL) == 0;
    bool unique = strcmp(name, pkey) == 0 && !hidden_key;
    for (int i = 0; i < t->nindexes; i++)
        unique |= t->indexes[i].constraint && strcmp(t->indexes[i].name, name) == 0;
    if (unique)
        return dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, -1,
                      "constraint \"%s\" of relation \"%s\" is not a foreign key or check constraint", name, name_base(t->name));
    return dd_err(ctx->err, DD_EUNDEFINED_OBJECT, -1, "constraint \"%s\" of relation \"%s\" does not exist", name, name_base(t->name));
}

int alter_rename_constraint(SqlCtx *ctx, TableInfo *t, const char *name, const char *newname)
{
    char **slot = NULL;
    bool index = false;
    for (int i = 0; i < t->nchecks && !slot; i++)
        if (strcmp(t->checks[i].name, name) == 0) slot = &t->checks[i].name;
    for (int i = 0; i < t->nfks && !slot; i++)
        if (strcmp(t->fks[i].name, name) == 0) slot = &t->fks[i].name;
    for (int i = 0; i < t->nindexes && !slot; i++)
        if (t->indexes[i].constraint && strcmp(t->indexes[i].name, name) == 0) {
            slot = &t->indexes[i].name;   /* the constraint's index has its name */
            index = true;
        }
    if (!slot) {
        char pkey[CAT_MAX_NAME + 8];
        snprintf(pkey, sizeof pkey, "%s_pkey", name_base(t->name));
        if (strcmp(name, pkey) == 0)
            return dd_err(ctx->err, DD_EFEATURE, -1, "renaming the primary key constraint \"%s\" is not supported", name);
        return dd_err(ctx->err, DD_EUNDEFINED_OBJECT, -1, "constraint \"%s\" for table \"%s\" does not exist", name,
                      t->name);
    }
    {
        bool taken = false;
        for (int i = 0; i < t->nchecks; i++) taken |= strcmp(t->checks[i].name, newname) == 0;
        for (int i = 0; i < t->nfks; i++) taken |= strcmp(t->fks[i].name, newname) == 0;
        for (int i = 0; i < t->nindexes; i++) taken |= t->indexes[i].constraint && strcmp(t->indexes[i].name, newname) == 0;
        if (taken)
            return dd_err(ctx->err, DD_EDUPLICATE_OBJECT, -1, "constraint \"%s\" for relation \"%s\" already exists",
                          newname, t->name);
        if (index && strcmp(name, newname) != 0 && name_taken(ctx, t, newname))
            return dd_err(ctx->err, DD_EDUPLICATE_TABLE, -1, "relation \"%s\" already exists", newname);
    }
    *slot = arena_strdup(ctx->stmt, newname);
    return *slot ? DD_OK : DD_ENOMEM;
}

int alter_drop_constraint(SqlCtx *ctx, TableInfo *t, const char *name, bool if_exists, bool cascade, Plan *p, bool *dropped)
{
    *dropped = true;
    for (int i = 0; i < t->nchecks; i++)
        if (strcmp(t->checks[i].name, name) == 0) {
            memmove(&t->checks[i], &t->checks[i + 1], sizeof(CheckInfo) * (size_t)(t->nchecks - i - 1));
            t->nchecks--;
            return DD_OK;
        }
    for (int i = 0; i < t->nfks; i++)
        if (strcmp(t->fks[i].name, name) == 0) {
            memmove(&t->fks[i], &t->fks[i + 1], sizeof(ForeignKeyInfo) * (size_t)(t->nfks - i - 1));
            t->nfks--;
            return DD_OK;
        }
    for (int i = 0; i < t->nindexes; i++)
        if (t->indexes[i].constraint && strcmp(t->indexes[i].name, name) == 0) {
            /* the foreign keys that reference its columns */
            char *what = arena_printf(ctx->stmt, "constraint %s on table %s", name, t->name);
            if (!what) return DD_ENOMEM;
            int rc = fk_drop_index_dependents(ctx, p, t, &t->indexes[i], what, cascade);
            if (rc) return rc;
            memmove(&t->indexes[i], &t->indexes[i + 1], sizeof(IndexInfo) * (size_t)(t->nindexes - i - 1));
            t->nindexes--;
            return DD_OK;
        }
    *dropped = false;
    char pkey[CAT_MAX_NAME + 8];
    snprintf(pkey, sizeof pkey, "%s_pkey", name_base(t->name));
    if (strcmp(name, pkey) == 0)
        return dd_err(ctx->err, DD_EFEATURE, -1, "dropping the primary key constraint \"%s\" is not supported", name);
    if (!if_exists)
        return dd_err(ctx->err, DD_EUNDEFINED_OBJECT, -1, "constraint \"%s\" of relation \"%s\" does not exist", name,
                      name_base(t->name));
    p->notice = arena_printf(ctx->stmt, "constraint \"%s\" of relation \"%s\" does not exist, skipping", name, name_base(t->name));
    p->notice_state = "00000";
    return DD_OK;
}

int compile_generated(SqlCtx *ctx, const TableInfo *t, int ci, Expr *e, ExprProg **out)
{
    const ColumnInfo *col = &t->cols[ci];
    TypeId ct = col->type == TYPE_NULLTYPE ? TYPE_TEXT : (TypeId)col->type;
    ScopeRel *rel;
    ExprProg *pr;
    int rc = compile_over_row(ctx, t, e, "column generation expressions", col->name, ct, col->typmod, &pr, &rel);
    if (rc) return rc;
    for (int i = 0; i < pr->n; i++)
        if (pr->code[i].op == XOP_SUBLINK)
            return dd_err(ctx->err, DD_EFEATURE, e->loc, "cannot use subquery in column generation expression");
    for (int h = 0; h < HIST_COLS; h++)
        if (rel->used[t->ncols + h])
            return dd_err(ctx->err, DD_EFEATURE, e->loc, "cannot use system column \"%s\" in column generation expression",
                          hist_col_names[h]);
    for (int i = 0; i < t->ncols; i++)
        if (rel->used[i] && (t->cols[i].gen_sql || i == ci)) {
            dd_err(ctx->err, DD_EINVALID_OBJECT_DEF, e->loc, "cannot use generated column \"%s\" in column generation expression",
                   t->cols[i].name);
            dd_err_detail(ctx->err, "A generated column cannot reference another generated column.");
            return DD_EINVALID_OBJECT_DEF;
        }
    if (expr_calls_volatile(pr))
        return dd_err(ctx->err, DD_EINVALID_OBJECT_DEF, e->loc, "generation expression is not immutable");
    *out = pr;
    return DD_OK;
}

int compute_generated(SqlCtx *ctx, const Plan *p, const TableInfo *t, Value *vals)
{
    if (!p->gens) return DD_OK;
    EvalEnv env = {ctx, NULL, 0, NULL};
    for (int i = 0; i < t->ncols; i++) {
        if (!p->gens[i]) continue;
        int rc = expr_eval(p->gens[i], &env, vals, &vals[i]);
        if (rc) return rc;
    }
    return DD_OK;
}

int compile_checks(SqlCtx *ctx, const TableInfo *t, Plan *p)
{
    for (int i = 0; i < t->ncols; i++) {
        if (!t->cols[i].gen_sql || t->cols[i].dropped) continue;
        if (!p->gens && !(p->gens = arena_zalloc(ctx->stmt, sizeof(ExprProg *) * (size_t)t->ncols))) return DD_ENOMEM;
        Expr *e;
        const char *sql, *saved = ctx->sql;
        int rc = sql_parse_expr_text(ctx, t->cols[i].gen_sql, "a generation expression", &e, &sql);
        if (rc) return rc;
        ctx->sql = sql;
        rc = compile_generated(ctx, t, i, e, &p->gens[i]);
        ctx->sql = saved;
        if (rc) {
            ctx->err->position = 0;
            return rc;
        }
    }
    for (int i = 0; i < t->ncols; i++) {
        if (!t->cols[i].domain || t->cols[i].dropped) continue;
        if (!p->domains && !(p->domains = arena_zalloc(ctx->stmt, sizeof(DomainProg *) * (size_t)t->ncols)))
            return DD_ENOMEM;
        int rc = domain_prepare(ctx, t->cols[i].domain, &p->domains[i]);
        if (rc) return rc;
    }
    if (!t->nchecks) return DD_OK;
    p->checks = arena_zalloc(ctx->stmt, sizeof(ExprProg *) * (size_t)t->nchecks);
    if (!p->checks) return DD_ENOMEM;
    for (int i = 0; i < t->nchecks; i++) {
        Expr *e;
        const char *sql, *saved = ctx->sql;
        int rc = sql_parse_expr_text(ctx, t->checks[i].expr_sql, "a CHECK constraint", &e, &sql);
        if (rc) return rc;
        ctx->sql = sql;
        rc = compile_check(ctx, t, e, &p->checks[i]);
        ctx->sql = saved;
        if (rc) {
            ctx->err->position = 0;
            return rc;
        }
    }
    p->nchecks = t->nchecks;
    return DD_OK;
}

/* Whether the DETAIL of a failing row shows column c of t.  Without
 * SELECT on t, PostgreSQL shows the columns the statement gave values to
 * (an INSERT's targets, an UPDATE's SET columns), which the user knows. */
static bool failing_col_shown(const Plan *p, int c)
{
    int n = p->kind == PLAN_INSERT ? p->ntargets : p->nset;
    for (int k = 0; k < n; k++)
        if (p->target_col[k] == c) return true;
    return false;
}

void sql_failing_row(SqlCtx *ctx, const Plan *p, const TableInfo *t, const Value *vals)
{
    /* other statements (MERGE, a foreign key's action) read the row: all
     * of it is the user's to see */
    bool masked = p && (p->kind == PLAN_INSERT || p->kind == PLAN_UPDATE) && !acl_can(ctx, t, ACL_SELECT);
    Buf names = BUF_INIT, row = BUF_INIT;
    bool first = true;
    for (int c = 0; c < t->ncols; c++) {
        const ColumnInfo *col = &t->cols[c];
        if (col->dropped || col->pending || strcmp(col->name, ROWID_COL) == 0) continue;
        if (masked && !failing_col_shown(p, c)) continue;
        if (!first) {
            buf_puts(&row, ", ");
            buf_puts(&names, ", ");
        }
        first = false;
        buf_puts(&names, col->name);
        if (vals[c].isnull) buf_puts(&row, "null");
        else val_to_text(&vals[c], &ctx->vctx, &row);
    }
    if (!masked && buf_ok(&row))
        dd_err_detail(ctx->err, "Failing row contains (%s).", buf_cstr(&row));
    else if (!first && buf_ok(&names) && buf_ok(&row))   /* none shown: no DETAIL */
        dd_err_detail(ctx->err, "Failing row contains (%s) = (%s).", buf_cstr(&names), buf_cstr(&row));
    buf_free(&names);
    buf_free(&row);
}

int check_row_constraints(SqlCtx *ctx, const Plan *p, const TableInfo *t, const Value *vals, const Value *old)
{
    /* the constraints of the columns' domains, as their values became the
     * domains' (a value an UPDATE kept is not checked again) */
    for (int i = 0; p->domains && i < t->ncols; i++) {
        if (!p->domains[i]) continue;
        if (old && vals[i].isnull == old[i].isnull &&
            (vals[i].isnull || val_compare(&vals[i], &old[i], &ctx->vctx) == 0))
            continue;
        int rc = domain_check(ctx, p->domains[i], &vals[i]);
        if (rc) return rc;
    }
    EvalEnv env = {ctx, NULL, 0, NULL};
    for (int i = 0; i < p->nchecks; i++) {
        Value out;
        int rc = expr_eval(p->checks[i], &env, vals, &out);
        if (rc) return rc;
        if (out.isnull || out.v.b) continue;
        dd_err(ctx->err, DD_ECHECK_VIOLATION, -1, "new row for relation \"%s\" violates check constraint \"%s\"", name_base(t->name),
               t->checks[i].name);
        dd_err_relation(ctx->err, t, NULL, t->checks[i].name);
        sql_failing_row(ctx, p, t, vals);
        return DD_ECHECK_VIOLATION;
    }
    return DD_OK;
}
