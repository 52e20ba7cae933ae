/*
 * domain.c - the constraints of domains (CREATE DOMAIN), checked where a
 * value becomes a domain's: a cast `x::d`, and the columns of an INSERT,
 * UPDATE, MERGE or COPY row (plan/constraint.c).
 *
 * A domain is a catalog object (TableInfo.utype, kind 'd'): a base type
 * and typmod, NOT NULL, a DEFAULT and named CHECK expressions over VALUE,
 * kept as SQL text.  domain_prepare compiles them once per statement (the
 * domain it is over first, whose constraints hold too); domain_check runs
 * them: 23502 "domain d does not allow null values", 23514 "value for
 * domain d violates check constraint "c"", as PostgreSQL.
 */
#include "expr.h"
#include "domain.h"
#include "../types/array.h"
#include <string.h>
#include <stdio.h>

const TableInfo *domain_lookup(SqlCtx *ctx, u32 id)
{
    const TableInfo *t = NULL;
    id &= ~DOMAIN_ARRAY;
    if (ctx->session_point != SEQ_NONE) t = store_table_version(ctx->snap, id, ctx->session_point);
    else if (ctx->ws && (t = ws_table(ctx->ws, id))) {
    } else t = store_table_version(ctx->snap, id, snap_seq(ctx->snap));
    return t && !t->dropped && t->utype && t->utype->kind == 'd' ? t : NULL;
}

/* Parses a CHECK or DEFAULT kept as text: its expression. */
static int parse_text(SqlCtx *ctx, const char *text, Expr **out, const char **sql)
{
    char *s = arena_printf(ctx->stmt, "SELECT %s", text);
    if (!s) return DD_ENOMEM;
    Stmt *st;
    size_t next;
    int rc = parse_statement(s, strlen(s), 0, ctx->stmt, &st, &next, ctx->err);
    if (!rc && (!st || st->kind != STMT_SELECT || st->u.select->ntargets != 1))
        rc = dd_corrupt(ctx->err, "a domain's expression is not an expression: %s", text);
    if (rc) {
        ctx->err->position = 0;
        return rc;
    }
    *out = st->u.select->targets[0]->expr;
    *sql = s;
    return DD_OK;
}

int domain_compile_check(SqlCtx *ctx, TypeId base, i32 typmod, Expr *e, ExprProg **out)
{
    static const char *const names[1] = {"value"};
    ScopeRel *rel = arena_zalloc(ctx->stmt, sizeof(ScopeRel));
    TypeId *types = arena_alloc(ctx->stmt, sizeof(TypeId));
    i32 *typmods = arena_alloc(ctx->stmt, sizeof(i32));
    bool *flags = arena_zalloc(ctx->stmt, 2 * sizeof(bool));
    if (!rel || !types || !typmods || !flags) return DD_ENOMEM;
    types[0] = base;
    typmods[0] = typmod;
    rel->ncols = 1;
    rel->names = (const char **)names;
    rel->types = types;
    rel->typmods = typmods;
    rel->hidden = flags;
    rel->used = flags + 1;
    Scope sc;
    memset(&sc, 0, sizeof(sc));
    sc.rels = rel;
    sc.nrels = 1;
    sc.nslots = 1;
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = ctx;
    cc.scope = &sc;
    cc.agg_forbidden = "check constraints";
    ExprProg *pr;
    int rc = expr_compile(&cc, e, &pr);
    if (rc) return rc;
    if (pr->type != TYPE_BOOL) {
        if (pr->type != TYPE_UNKNOWN && pr->type != TYPE_NULLTYPE)
            return dd_err(ctx->err, DD_EDATATYPE_MISMATCH, e->loc, "argument of CHECK must be type boolean, not type %s",
                          type_name(pr->type));
        if ((rc = expr_compile_as(&cc, e, TYPE_BOOL, -1, &pr))) return rc;
    }
    for (int i = 0; i < pr->n; i++)
        if (pr->code[i].op == XOP_SUBLINK)
            return dd_err(ctx->err, DD_EFEATURE, e->loc, "cannot use subquery in check constraint");
    *out = pr;
    return DD_OK;
}

int domain_prepare(SqlCtx *ctx, u32 id, DomainProg **out)
{
    const TableInfo *t = domain_lookup(ctx, id);
    if (!t) return dd_err(ctx->err, DD_EUNDEFINED_OBJECT, -1, "domain with id %u does not exist", id);
    const UserType *u = t->utype;
    DomainProg *d = arena_zalloc(ctx->stmt, sizeof(DomainProg));
    if (!d || (u->nchecks && !(d->checks = arena_zalloc(ctx->stmt, sizeof(ExprProg *) * (size_t)u->nchecks))))
        return DD_ENOMEM;
    d->t = t;
    d->array = (id & DOMAIN_ARRAY) != 0;
    int rc = DD_OK;
    if (u->base_domain && (rc = domain_prepare(ctx, u->base_domain, &d->base))) return rc;
    for (int i = 0; i < u->nchecks; i++) {
        Expr *e;
        const char *sql, *saved = ctx->sql;
        if ((rc = parse_text(ctx, u->checks[i].expr_sql, &e, &sql))) return rc;
        ctx->sql = sql;
        rc = domain_compile_check(ctx, (TypeId)u->base_type, u->base_typmod, e, &d->checks[i]);
        ctx->sql = saved;
        if (rc) {
            ctx->err->position = 0;
            return rc;
        }
    }
    *out = d;
    return DD_OK;
}

/* The schema of catalog object t, as an error names it. */
static const char *domain_schema(const TableInfo *t, char *buf, size_t n)
{
    const char *dot = strchr(t->name, '.');
    if (!dot) return "public";
    snprintf(buf, n, "%.*s", (int)(dot - t->name), t->name);
    return buf;
}

/* d's constraints and its base domains' (first), reported as domain `name`'s
 * (the one the value becomes, as PostgreSQL names it). */
static int check_as(SqlCtx *ctx, const DomainProg *d, const Value *v, const char *name)
{
    if (d->array) {
        /* d[]: each element is a d (a NULL one too, so NOT NULL holds
         * for elements); a NULL array has none */
        if (v->isnull) return DD_OK;
        ArrayVal a;
        int rc = array_from_value(v, ctx->row, &a, ctx->err);
        DomainProg e = *d;
        e.array = false;
        for (u32 i = 0; !rc && i < a.n; i++) rc = check_as(ctx, &e, &a.items[i], name);
        return rc;
    }
    if (d->base) {
        int rc = check_as(ctx, d->base, v, name);
        if (rc) return rc;
    }
    const UserType *u = d->t->utype;
    if (v->isnull && u->not_null) {
        int rc = dd_err(ctx->err, DD_ENOT_NULL, -1, "domain %s does not allow null values", name);
        char sb[64];
        dd_err_object(ctx->err, domain_schema(d->t, sb, sizeof sb), NULL, NULL, name_base(name), NULL);
        return rc;
    }
    EvalEnv env = {ctx, NULL, 0, NULL};
    for (int i = 0; i < u->nchecks; i++) {
        Value out;
        int rc = expr_eval(d->checks[i], &env, v, &out);
        if (rc) return rc;
        if (!out.isnull && !out.v.b) {
            rc = dd_err(ctx->err, DD_ECHECK_VIOLATION, -1, "value for domain %s violates check constraint \"%s\"",
                        name, u->checks[i].name);
            char sb[64];
            dd_err_object(ctx->err, domain_schema(d->t, sb, sizeof sb), NULL, NULL, name_base(name), u->checks[i].name);
            return rc;
        }
    }
    return DD_OK;
}

int domain_check(SqlCtx *ctx, const DomainProg *d, const Value *v)
{
    return check_as(ctx, d, v, d->t->name);
}

const char *domain_default(SqlCtx *ctx, u32 id)
{
    if (id & DOMAIN_ARRAY) return NULL;   /* an array of a domain has no DEFAULT */
    for (const TableInfo *t = domain_lookup(ctx, id); t; t = domain_lookup(ctx, t->utype->base_domain)) {
        if (t->utype->default_sql) return t->utype->default_sql;
        if (!t->utype->base_domain) break;
    }
    return NULL;
}

int domain_cast_fn(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n);
    DD_UNUSED(loc);
    int rc = domain_check(env->sql, *(const DomainProg *const *)env->state, &a[0]);
    if (!rc) *out = a[0];
    return rc;
}

bool domain_has_rules(SqlCtx *ctx, u32 id)
{
    for (const TableInfo *t = domain_lookup(ctx, id); t; t = domain_lookup(ctx, t->utype->base_domain)) {
        if (t->utype->not_null || t->utype->default_sql || t->utype->nchecks) return true;
        if (!t->utype->base_domain) break;
    }
    return false;
}
