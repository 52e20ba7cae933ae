/*
 * select.c - plans a SELECT: resolves its tables AS OF their temporal
 * clauses (or the session point), builds the scope of visible columns,
 * compiles every expression once, checks grouping rules, and assembles
 * the operator tree (access path choice is in plan_scan_where).
 *
 * Tree of a query:
 *   Scan/Join -> Filter(WHERE) -> [Aggregate -> Filter(HAVING)]
 *     -> Project(targets + extra ORDER BY keys) -> [Distinct] -> [Sort]
 *     -> [Limit]
 * The result exposes the first ntargets columns of the top row.
 *
 * FROM items are tables (a Scan), derived tables (FROM (SELECT ...)
 * [alias [(cols)]]: the inner query's whole operator tree, its output
 * columns a relation of the scope) and joins, planned with WHERE by the
 * join planner (join.c), scans by their access paths (access.c).  WITH queries are not
 * materialized: each reference by name (which shadows a table of that
 * name) plans the WITH query again as a derived table, so it reads the
 * same points in time.  Subqueries in expressions are planned by
 * analyze_sublink (exec/eval.c runs them; EXISTS / IN become semi and
 * anti joins where they can).  Names resolve through a chain of Scopes: a
 * query's own relations, the WITH queries visible to it, and the
 * enclosing queries, whose columns are outer references.
 */
#include "plan_int.h"
#include "../types/rowcodec.h"
#include "../../store/keyenc.h"
#include <string.h>
#include <stdlib.h>
#include <stdio.h>



/* ---------------------------------------------------------------- points in time */

bool ast_has_column(const Expr *e)
{
    if (!e) return false;
    switch (e->kind) {
    case EXPR_COLUMN: case EXPR_STAR: case EXPR_SUBQUERY: case EXPR_EXISTS: return true;
    case EXPR_IN:
        if (ast_has_column(e->u.in.arg)) return true;
        for (int i = 0; i < e->u.in.n; i++) if (ast_has_column(e->u.in.list[i])) return true;
        return false;
    case EXPR_BETWEEN:
        return ast_has_column(e->u.between.arg) || ast_has_column(e->u.between.lo) || ast_has_column(e->u.between.hi);
    case EXPR_LIKE:
        return ast_has_column(e->u.like.arg) || ast_has_column(e->u.like.pattern) || ast_has_column(e->u.like.escape);
    case EXPR_UNARY: return ast_has_column(e->u.unary.arg);
    case EXPR_BINARY: return ast_has_column(e->u.bin.l) || ast_has_column(e->u.bin.r);
    case EXPR_CAST: return ast_has_column(e->u.cast.arg);
    case EXPR_FUNC:
        for (int i = 0; i < e->u.func.n; i++) if (ast_has_column(e->u.func.args[i])) return true;
        return false;
    case EXPR_CASE:
        if (ast_has_column(e->u.case_.operand) || ast_has_column(e->u.case_.else_)) return true;
        for (int i = 0; i < e->u.case_.n; i++)
            if (ast_has_column(e->u.case_.when[i]) || ast_has_column(e->u.case_.then[i])) return true;
        return false;
    case EXPR_IS: return ast_has_column(e->u.is.arg) || ast_has_column(e->u.is.other);
    default: return false;
    }
}

/* The seq time us stands for in ctx's snapshot; DD_ESNAPSHOT_RETRY when
 * a commit the snapshot misses falls at or before it and the statement may
 * take its snapshot again (else the snapshot's answer: a transaction's
 * snapshot sees nothing committed after it). */
static int seq_at_time(SqlCtx *ctx, i64 us, u64 *seq)
{
    u64 later;
    *seq = store_seq_at_time_ex(ctx->snap, us, true, &later);   /* analysis: nothing read yet */
    if (later && ctx->snap_retry) return DD_ESNAPSHOT_RETRY;
    return DD_OK;
}

/* Point v as a seq; *at its time (unix µs) when v is a time, else
 * INT64_MIN (an @SEQ:n). */
static int point_to_seq(SqlCtx *ctx, const Value *v, int loc, u64 *seq, i64 *at)
{
    i64 us;
    *at = INT64_MIN;
    ValueCtx vc = ctx->vctx;
    vc.arena = ctx->stmt;
    Value tv;
    if (v->isnull)
        return dd_err(ctx->err, DD_ENULL_NOT_ALLOWED, loc, "point in time must not be NULL");
    switch ((TypeId)v->type) {
    case TYPE_TIMESTAMPTZ:
        us = ts_to_unix_us(v->v.i);
        break;
    case TYPE_TIMESTAMP: case TYPE_DATE: case TYPE_UNKNOWN: case TYPE_TEXT: case TYPE_VARCHAR: {
        if (type_is_string((TypeId)v->type)) {
            /* '@SEQ:n' as a string is accepted too */
            if (v->v.s.len >= 5 && strncasecmp(v->v.s.p, "@seq:", 5) == 0) {
                /* digits only, as the literal @SEQ:n (no sign, no blanks) */
                const char *d = v->v.s.p + 5;
                size_t n = v->v.s.len - 5;
                u64 s = 0;
                bool ok = n > 0, overflow = false;
                for (size_t i = 0; i < n && ok; i++) {
                    if (d[i] < '0' || d[i] > '9') ok = false;
                    else if (s > ((u64)INT64_MAX - (u64)(d[i] - '0')) / 10) overflow = true;
                    else s = s * 10 + (u64)(d[i] - '0');
                }
                if (!ok)
                    return dd_err(ctx->err, DD_ESYNTAX, loc, "invalid @SEQ literal \"%.*s\"", (int)DD_MIN(v->v.s.len, 200),
                                  v->v.s.p);
                if (overflow)
                    return dd_err(ctx->err, DD_EOUT_OF_RANGE, loc, "sequence number \"%.*s\" is out of range",
                                  (int)DD_MIN(n, 200), d);
                *seq = s;
                return DD_OK;
            }
        }
        int rc = val_cast(v, TYPE_TIMESTAMPTZ, -1, false, &vc, &tv, ctx->err);
        if (rc) {
            if (ctx->err->position == 0 && loc >= 0) ctx->err->position = loc + 1;
            return rc;
        }
        us = ts_to_unix_us(tv.v.i);
        break;
    }
    default:
        return dd_err(ctx->err, DD_EDATATYPE_MISMATCH, loc,
                      "FOR SYSTEM_TIME point must be a timestamp or an @SEQ:n literal, not type %s",
                      type_name((TypeId)v->type));
    }
    int rc = seq_at_time(ctx, us, seq);
    *at = us;
    return rc;
}

int sql_point_to_seq(SqlCtx *ctx, const Value *v, int loc, u64 *seq)
{
    i64 us;
    return point_to_seq(ctx, v, loc, seq, &us);
}

/* FOR SYSTEM_TIME point e as a seq; *at its time (unix µs) when it is a
 * time, else INT64_MIN. */
int eval_point(SqlCtx *ctx, Expr *e, u64 *seq, i64 *at)
{
    *at = INT64_MIN;
    if (e->kind == EXPR_SEQ) { *seq = (u64)e->u.seq.n; return DD_OK; }
    if (ast_has_column(e))
        return dd_err(ctx->err, DD_EDATETIME_FORMAT, e->loc,
                      "FOR SYSTEM_TIME point must be constant during the statement");
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = ctx;
    cc.agg_forbidden = "FOR SYSTEM_TIME";
    ExprProg *p;
    /* AS OF $1: an untyped parameter is a timestamptz (a parameter
     * declared text, or $1::text, takes '@SEQ:n' too) */
    bool untyped_param = e->kind == EXPR_PARAM && e->u.param.n >= 1 && e->u.param.n <= ctx->nparams &&
                         ctx->param_types[e->u.param.n - 1] == TYPE_UNKNOWN;
    int rc = untyped_param ? expr_compile_as(&cc, e, TYPE_TIMESTAMPTZ, -1, &p) : expr_compile(&cc, e, &p);
    if (rc) return rc;
    EvalEnv env = {ctx, NULL, 0, NULL};
    Value v;
    rc = expr_eval(p, &env, NULL, &v);
    if (rc) return rc;
    if (v.isnull && ctx->nparams > 0 && !ctx->params) {
        /* describing a statement whose point is a parameter: the present */
        *seq = snap_seq(ctx->snap);
        ctx->point_from_param = true;
        return DD_OK;
    }
    return point_to_seq(ctx, &v, e->loc, seq, at);
}

int sql_parse_point_text(SqlCtx *ctx, const char *text, u64 *seq)
{
    Value v = val_text(TYPE_UNKNOWN, text, (u32)strlen(text));
    return sql_point_to_seq(ctx, &v, -1, seq);
}

/* ---------------------------------------------------------------- FROM */



static TMode tmode_of(TemporalKind k)
{
    switch (k) {
    case TEMPORAL_AS_OF: return TMODE_AS_OF;
    case TEMPORAL_FROM_TO: return TMODE_FROM_TO;
    case TEMPORAL_BETWEEN: return TMODE_BETWEEN;
    case TEMPORAL_CONTAINED_IN: return TMODE_CONTAINED_IN;
    case TEMPORAL_ALL: return TMODE_ALL;
    default: return TMODE_PRESENT;
    }
}

static int table_missing(SqlCtx *ctx, TableRef *tr, u64 seq, bool past)
{
    if (past) {
        u64 created = 0;
        resolve_table_at(ctx, tr->name, seq, &created);
        if (created)
            return dd_err(ctx->err, DD_EUNDEFINED_TABLE, tr->loc,
                          "relation \"%s\" does not exist AS OF @SEQ:%llu (it was created at @SEQ:%llu)",
                          tr->name, (unsigned long long)seq, (unsigned long long)created);
        return dd_err(ctx->err, DD_EUNDEFINED_TABLE, tr->loc, "relation \"%s\" does not exist AS OF @SEQ:%llu",
                      tr->name, (unsigned long long)seq);
    }
    return dd_err(ctx->err, DD_EUNDEFINED_TABLE, tr->loc, "relation \"%s\" does not exist", tr->name);
}

/* drift_commits: the commit log as a table; AS OF x shows commits up to x. */
static int from_commits(SqlCtx *ctx, TableRef *tr, TemporalKind k, u64 a, FromItem *fi)
{
    if (k != TEMPORAL_NONE && k != TEMPORAL_AS_OF)
        return dd_err(ctx->err, DD_EFEATURE, tr->temporal.loc,
                      "drift_commits takes only FOR SYSTEM_TIME AS OF (it is the history itself)");
    u64 head = snap_seq(ctx->snap);
    u64 upto = k == TEMPORAL_AS_OF && a < head ? a : head;
    ScopeRel *rel = arena_zalloc(ctx->stmt, sizeof(ScopeRel));
    if (!rel) return DD_ENOMEM;
    rel->alias = tr->alias ? tr->alias : tr->name;
    rel->ncols = COMMITS_COLS;
    rel->names = arena_alloc(ctx->stmt, sizeof(char *) * COMMITS_COLS);
    rel->types = arena_alloc(ctx->stmt, sizeof(TypeId) * COMMITS_COLS);
    rel->typmods = arena_alloc(ctx->stmt, sizeof(i32) * COMMITS_COLS);
    rel->hidden = arena_zalloc(ctx->stmt, sizeof(bool) * COMMITS_COLS);
    rel->used = arena_zalloc(ctx->stmt, sizeof(bool) * COMMITS_COLS);
    if (!rel->names || !rel->types || !rel->typmods || !rel->hidden || !rel->used) return DD_ENOMEM;
    int nal = 0;
    for (int c = 0; c < COMMITS_COLS; c++) {
        rel->names[c] = nal < tr->ncol_aliases ? tr->col_aliases[nal++] : commits_col_names[c];
        rel->types[c] = commits_col_types[c];
        rel->typmods[c] = -1;
    }
    memset(fi, 0, sizeof(*fi));
    fi->rels = rel;
    fi->nrels = 1;
    fi->width = COMMITS_COLS;
    fi->op = op_commits(ctx, upto);
    return fi->op ? DD_OK : DD_ENOMEM;
}

int from_table(SqlCtx *ctx, TableRef *tr, FromItem *fi)
{
    TemporalKind k = tr->temporal.kind;
    u64 a = 0, b = 0;
    int rc;
    const TableInfo *t;
    /* points resolve against the snapshot of the run that plans */
    if (k != TEMPORAL_NONE || ctx->view_kind != TEMPORAL_NONE || ctx->session_point != SEQ_NONE) ctx->no_cache = true;
    if (k == TEMPORAL_NONE && ctx->view_kind != TEMPORAL_NONE) {
        k = ctx->view_kind;   /* under a view read at a point: that point */
        a = ctx->view_a;
        b = ctx->view_b;
    } else if (k == TEMPORAL_NONE && ctx->session_point != SEQ_NONE) {
        k = TEMPORAL_AS_OF;
        a = ctx->session_point;
    } else if (k != TEMPORAL_NONE && k != TEMPORAL_ALL) {
        i64 at_a, at_b;
        rc = eval_point(ctx, tr->temporal.a, &a, &at_a);
        if (rc) return rc;
        if (k != TEMPORAL_AS_OF) {
            rc = eval_point(ctx, tr->temporal.b, &b, &at_b);
            if (rc) return rc;
            /* A time t stands for the last seq committed at or before it.
             * Where a clause bounds a version's start from the open side
             * (FROM a TO b: started before b; CONTAINED IN (a, b): started
             * at or after a), the bound is the first seq committed at or
             * after t instead, so that times compare as times: a version
             * that became current between a and b is in FROM a TO b
             * (docs/time-travel.md §3). */
            if (k == TEMPORAL_FROM_TO && at_b != INT64_MIN) {
                if ((rc = seq_at_time(ctx, at_b - 1, &b))) return rc;
                b++;
                if (at_a != INT64_MIN && at_a >= at_b) b = a;   /* [a, b) is empty */
            }
            if (k == TEMPORAL_CONTAINED_IN && at_a != INT64_MIN) {
                if ((rc = seq_at_time(ctx, at_a - 1, &a))) return rc;
                a++;
            }
        }
    }
    if (strcmp(tr->name, "drift_commits") == 0) { ctx->no_cache = true; return from_commits(ctx, tr, k, a, fi); }
    const char *sys_schema, *sys_base;
    if (syscat_lookup(ctx, tr->name, &sys_schema, &sys_base)) {
        ctx->no_cache = true;   /* rows made as it is planned */
        /* pg_catalog and information_schema: the catalog at the point read */
        if (k != TEMPORAL_NONE && k != TEMPORAL_AS_OF)
            return dd_err(ctx->err, DD_EFEATURE, tr->temporal.loc,
                          "%s.%s takes only FOR SYSTEM_TIME AS OF (it describes the schema at one point)", sys_schema,
                          sys_base);
        return from_syscat(ctx, tr, sys_schema, sys_base, k == TEMPORAL_AS_OF ? a : SEQ_NONE, fi);
    }
    const TableInfo *q = resolve_table_present(ctx, tr->name);
    if (q && !q->temp && ((rc = acl_check_schema_of(ctx, q->name, ACL_USAGE, tr->loc)) ||
                          (rc = acl_check(ctx, q, ACL_SELECT, tr->loc))))
        return rc;
    if (q && q->sequence) return from_sequence(ctx, tr, q, fi);   /* no history: its value now */
    if (q && q->temp) {
        /* A temporary relation has no history (docs/time-travel.md; it is the
         * session's scratch state, not the database's): asking for its
         * past is an error rather than a silent present; the session's
         * point in time and a view's point leave it in its present, as it
         * was never part of the database those points describe. */
        if (tr->temporal.kind != TEMPORAL_NONE)
            return dd_err(ctx->err, DD_EFEATURE, tr->temporal.loc,
                          "temporary %s \"%s\" has no history: FOR SYSTEM_TIME does not apply to it",
                          q->view_sql ? "view" : "table", q->name);
        k = TEMPORAL_NONE;
    }
    if (k == TEMPORAL_AS_OF) {
        u64 head = snap_seq(ctx->snap);
        u64 at = a > head ? head : a;
        u64 later = 0;
        t = resolve_table_at(ctx, tr->name, at, &later);
        /* its past takes SELECT on it now (a dropped table's: as it was
         * when dropped) */
        if (t && t != q && ((rc = acl_check_schema_of(ctx, t->name, ACL_USAGE, tr->loc)) ||
                            (rc = acl_check(ctx, t, ACL_SELECT, tr->loc))))
            return rc;
        if (!t) {
            /* a view made after `at` reads `at` through its present query */
            const TableInfo *v = resolve_table_present(ctx, tr->name);
            if (!v || !v->view_sql) return table_missing(ctx, tr, at, true);
            t = v;
        }
        a = at;
    } else {
        t = resolve_table_present(ctx, tr->name);
        if (!t) return table_missing(ctx, tr, 0, false);
    }
    view_note_ref(ctx, tr, t);
    if (t->view_sql) return from_view(ctx, tr, t, k, a, b, fi);
    fi->rels = arena_zalloc(ctx->stmt, sizeof(ScopeRel));
    if (!fi->rels) return DD_ENOMEM;
    rc = scope_rel_for_table(ctx, t, tr->alias, fi->rels);
    if (rc) return rc;
    /* over a range of history a key has several versions: its other
     * columns no longer depend on it (GROUP BY the key) */
    if (k != TEMPORAL_NONE && k != TEMPORAL_AS_OF) fi->rels->table = NULL;
    view_note_read(ctx, t, fi->rels);
    /* t AS x(a, b): renames the visible columns in order */
    int nal = 0;
    for (int c = 0; c < fi->rels->ncols && nal < tr->ncol_aliases; c++)
        if (!fi->rels->hidden[c]) fi->rels->names[c] = tr->col_aliases[nal++];
    if (nal < tr->ncol_aliases)
        return dd_err(ctx->err, DD_EINVALID_COLUMN_REF, tr->loc,
                      "table \"%s\" has %d columns available but %d columns specified",
                      fi->rels->alias, nal, tr->ncol_aliases);
    fi->nrels = 1;
    fi->width = fi->rels->ncols;
    fi->table = t;
    fi->mode = tmode_of(k);
    fi->a = a;
    fi->b = b;
    fi->simple = true;
    return DD_OK;
}

static int analyze_query(SqlCtx *ctx, SelectStmt *s, Plan *p, const Scope *env);
static int analyze_setop(SqlCtx *ctx, SelectStmt *s, Plan *p, const Scope *outer);

/* A derived table: the query sel planned in env, its output columns named
 * by cols[0..ncols) first, then by the query's own names. */
/* Whether the GROUP BY items group[0..n) hold column `name` of rel (by
 * its alias, or unqualified when no other relation of sc has the name). */
static bool grouped_column(const Scope *sc, const ScopeRel *rel, Expr **group, int n, const char *name)
{
    for (int i = 0; i < n; i++) {
        const Expr *g = group[i];
        if (g->kind != EXPR_COLUMN || strcmp(g->u.col.name, name) != 0) continue;
        if (g->u.col.qualifier) {
            if (rel_named(rel, g->u.col.qualifier)) return true;
            continue;
        }
        int owners = 0;
        for (int r = 0; r < sc->nrels; r++)
            for (int c = 0; c < sc->rels[r].ncols; c++)
                owners += !sc->rels[r].hidden[c] && strcmp(sc->rels[r].names[c], name) == 0;
        if (owners == 1) return true;
    }
    return false;
}

static int group_by_key_columns(SqlCtx *ctx, const Scope *sc, Expr ***group, int *n)
{
    for (int r = 0; r < sc->nrels; r++) {
        const ScopeRel *rel = &sc->rels[r];
        const TableInfo *t = rel->table;
        if (!t) continue;
        /* the key: a declared primary key, or one added as a unique index */
        const u32 *key = t->pk;
        int nkey = t->npk;
        for (int x = 0; x < t->nindexes; x++)
            if (t->indexes[x].primary) {
                key = t->indexes[x].cols;
                nkey = t->indexes[x].ncols;
            }
        bool all = nkey > 0;
        for (int k = 0; k < nkey && all; k++) {
            int ci = table_col_index(t, key[k]);
            all = ci >= 0 && strcmp(t->cols[ci].name, ROWID_COL) != 0 && grouped_column(sc, rel, *group, *n, t->cols[ci].name);
        }
        if (!all) continue;
        for (int c = 0; c < rel->ncols; c++) {
            if (rel->hidden[c] || grouped_column(sc, rel, *group, *n, rel->names[c])) continue;
            Expr **ng = arena_alloc(ctx->stmt, sizeof(Expr *) * (size_t)(*n + 1));
            Expr *ce = arena_zalloc(ctx->stmt, sizeof(Expr));
            if (!ng || !ce) return DD_ENOMEM;
            memcpy(ng, *group, sizeof(Expr *) * (size_t)*n);
            ce->kind = EXPR_COLUMN;
            ce->loc = ce->oploc = -1;
            ce->u.col.qualifier = (char *)rel->alias;
            ce->u.col.name = (char *)rel->names[c];
            ce->u.col.star_slot = rel->slot0 + c + 1;
            ng[(*n)++] = ce;
            *group = ng;
        }
    }
    return DD_OK;
}

/* (record).* in a select list: a table's row as t.* (*star, an EXPR_STAR
 * to expand), ROW(...)'s fields and json(b)_each(_text)'s key and value
 * appended as targets (*n of them); anything else is left to the compiler
 * (0A000). */
static int grow_targets(SqlCtx *ctx, Expr ***exprs, const char ***names, int n, int *cap);
static int expand_fields(SqlCtx *ctx, Expr *e, Expr **star, Expr ***texprs, const char ***tnames, int *nt, int *capt,
                         int *n)
{
    *n = 0;
    if (e->kind != EXPR_FUNC || strcmp(e->u.func.name, "$field") != 0 || e->u.func.n != 2 ||
        e->u.func.args[1]->kind != EXPR_CONST || e->u.func.args[1]->u.c.val.type != TYPE_TEXT ||
        e->u.func.args[1]->u.c.val.v.s.len != 1 || e->u.func.args[1]->u.c.val.v.s.p[0] != '*')
        return DD_OK;
    Expr *arg = e->u.func.args[0];
    if ((arg->kind == EXPR_COLUMN && !arg->u.col.qualifier) || (arg->kind == EXPR_STAR && arg->u.col.qualifier)) {
        Expr *st = arena_zalloc(ctx->stmt, sizeof(Expr));
        if (!st) return DD_ENOMEM;
        st->kind = EXPR_STAR;
        st->loc = st->oploc = arg->loc;
        st->u.col.qualifier = arg->kind == EXPR_STAR ? arg->u.col.qualifier : arg->u.col.name;
        *star = st;
        return DD_OK;
    }
    const char *fn = arg->kind == EXPR_FUNC ? arg->u.func.name : NULL;
    if (fn && strncmp(fn, "pg_catalog.", 11) == 0) fn += 11;
    bool row = fn && strcmp(fn, "row") == 0 && !arg->u.func.star && !arg->u.func.over;
    bool each = fn && (!strcmp(fn, "jsonb_each") || !strcmp(fn, "json_each") || !strcmp(fn, "jsonb_each_text") ||
                       !strcmp(fn, "json_each_text"));
    if (!row && !each) return DD_OK;
    int k = row ? arg->u.func.n : 2;
    for (int i = 0; i < k; i++) {
        if (*nt == *capt && grow_targets(ctx, texprs, tnames, *nt, capt)) return DD_ENOMEM;
        const char *name;
        Expr *x;
        if (row) {
            x = arg->u.func.args[i];
            name = arg->u.func.rownames && arg->u.func.rownames[i] ? arg->u.func.rownames[i]
                                                                   : arena_printf(ctx->stmt, "f%d", i + 1);
        } else {
            name = i ? "value" : "key";
            Expr *c = arena_zalloc(ctx->stmt, sizeof(Expr));
            Expr **args = arena_alloc(ctx->stmt, sizeof(Expr *) * 2);
            x = arena_zalloc(ctx->stmt, sizeof(Expr));
            if (!c || !args || !x) return DD_ENOMEM;
            *x = *e;
            *c = *e->u.func.args[1];
            c->u.c.val = val_text(TYPE_TEXT, name, (u32)strlen(name));
            args[0] = arg;
            args[1] = c;
            x->u.func.args = args;
        }
        if (!name) return DD_ENOMEM;
        (*texprs)[*nt] = x;
        (*tnames)[(*nt)++] = name;
    }
    *n = k;
    return DD_OK;
}

/* The scope relation of a derived table's (or a function's) n columns,
 * their names and types to fill (statement arena). */
static int derived_rel(SqlCtx *ctx, const char *alias, int n, ScopeRel **out)
{
    ScopeRel *rel = arena_zalloc(ctx->stmt, sizeof(ScopeRel));
    if (!rel) return DD_ENOMEM;
    rel->alias = alias ? alias : "";   /* no alias: not qualifiable */
    rel->ncols = n;
    rel->names = arena_alloc(ctx->stmt, sizeof(char *) * (size_t)(n + 1));
    rel->types = arena_alloc(ctx->stmt, sizeof(TypeId) * (size_t)(n + 1));
    rel->typmods = arena_alloc(ctx->stmt, sizeof(i32) * (size_t)(n + 1));
    rel->hidden = arena_zalloc(ctx->stmt, sizeof(bool) * (size_t)(n + 1));
    rel->used = arena_zalloc(ctx->stmt, sizeof(bool) * (size_t)(n + 1));
    if (!rel->names || !rel->types || !rel->typmods || !rel->hidden || !rel->used) return DD_ENOMEM;
    *out = rel;
    return DD_OK;
}

int from_derived(SqlCtx *ctx, SelectStmt *sel, const char *alias, char **cols, int ncols,
                        int loc, const Scope *env, FromItem *fi)
{
    Plan *ip = arena_zalloc(ctx->stmt, sizeof(Plan));
    if (!ip) return DD_ENOMEM;
    int rc = analyze_query(ctx, sel, ip, env);
    if (rc) return rc;
    if (alias && strcmp(alias, "$set") == 0 && ncols != ip->ncols)   /* UPDATE ... SET (a, b) = (SELECT ...) */
        return dd_err(ctx->err, DD_ESYNTAX, loc, "number of columns does not match number of values");
    if (ncols > ip->ncols)
        return dd_err(ctx->err, DD_EINVALID_COLUMN_REF, loc, "table \"%s\" has %d columns available but %d columns specified",
                      alias ? alias : "unnamed_subquery", ip->ncols, ncols);
    int n = ip->ncols;
    ScopeRel *rel;
    if ((rc = derived_rel(ctx, alias, n, &rel))) return rc;
    for (int i = 0; i < n; i++) {
        rel->names[i] = i < ncols ? cols[i] : ip->cols[i].name;
        rel->types[i] = ip->cols[i].type;
        rel->typmods[i] = ip->cols[i].typmod;
    }
    rel->src_cols = ip->cols;
    fi->op = ip->root;
    fi->rels = rel;
    fi->nrels = 1;
    fi->width = ip->root->width;   /* may carry ORDER BY keys past the columns */
    fi->dsel = sel;
    fi->denv = env;
    fi->dplan = ip;
    fi->dalias = alias;
    fi->dcols = cols;
    fi->ndcols = ncols;
    fi->dloc = loc;
    return DD_OK;
}

/* Functions whose value changes from call to call: never moved to where
 * they would run a different number of times. */
static bool func_volatile(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot) name = dot + 1;
    return strcmp(name, "clock_timestamp") == 0 || strcmp(name, "gen_random_uuid") == 0 ||
           strcmp(name, "random") == 0 || strcmp(name, "nextval") == 0 || strcmp(name, "setval") == 0 ||
           strcmp(name, "uuid_generate_v1") == 0 || strcmp(name, "uuid_generate_v1mc") == 0 ||
           strcmp(name, "uuid_generate_v4") == 0 || strcmp(name, "gen_random_bytes") == 0;
}

/* A copy of e (statement arena) in which every column (of relation rel,
 * the derived table) is replaced by a copy of repl[column]; *ok false
 * when e cannot move below the derived table's operators: a subquery, a
 * volatile function, a column that is not rel's (an enclosing query's) or
 * whose expression cannot move (repl NULL).  rel NULL: a plain copy. */
static Expr *push_copy(SqlCtx *ctx, const Expr *e, const ScopeRel *rel, Expr *const *repl, bool *ok)
{
    if (!e || !*ok) return NULL;
    if (e->kind == EXPR_COLUMN && rel) {
        const char *q = e->u.col.qualifier;
        if (q && (!rel->alias[0] || !rel_named(rel, q))) { *ok = false; return NULL; }
        int found = -1, hits = 0;
        for (int c = 0; c < rel->ncols; c++)
            if (strcmp(rel->names[c], e->u.col.name) == 0) { found = c; hits++; }
        if (hits != 1 || !repl[found]) { *ok = false; return NULL; }
        return push_copy(ctx, repl[found], NULL, NULL, ok);
    }
    Expr *n = arena_alloc(ctx->stmt, sizeof(Expr));
    if (!n) { *ok = false; return NULL; }
    *n = *e;
    switch (e->kind) {
    case EXPR_CONST: case EXPR_SEQ: case EXPR_PARAM: case EXPR_COLUMN:
        break;
    case EXPR_UNARY: n->u.unary.arg = push_copy(ctx, e->u.unary.arg, rel, repl, ok); break;
    case EXPR_BINARY:
        n->u.bin.l = push_copy(ctx, e->u.bin.l, rel, repl, ok);
        n->u.bin.r = push_copy(ctx, e->u.bin.r, rel, repl, ok);
        break;
    case EXPR_IS:
        n->u.is.arg = push_copy(ctx, e->u.is.arg, rel, repl, ok);
        if (e->u.is.other) n->u.is.other = push_copy(ctx, e->u.is.other, rel, repl, ok);
        break;
    case EXPR_IN:
        if (e->u.in.subquery) { *ok = false; return NULL; }
        n->u.in.arg = push_copy(ctx, e->u.in.arg, rel, repl, ok);
        n->u.in.list = arena_alloc(ctx->stmt, sizeof(Expr *) * (size_t)(e->u.in.n + 1));
        if (!n->u.in.list) { *ok = false; return NULL; }
        for (int i = 0; i < e->u.in.n; i++) n->u.in.list[i] = push_copy(ctx, e->u.in.list[i], rel, repl, ok);
        break;
    case EXPR_BETWEEN:
        n->u.between.arg = push_copy(ctx, e->u.between.arg, rel, repl, ok);
        n->u.between.lo = push_copy(ctx, e->u.between.lo, rel, repl, ok);
        n->u.between.hi = push_copy(ctx, e->u.between.hi, rel, repl, ok);
        break;
    case EXPR_LIKE:
        n->u.like.arg = push_copy(ctx, e->u.like.arg, rel, repl, ok);
        n->u.like.pattern = push_copy(ctx, e->u.like.pattern, rel, repl, ok);
        if (e->u.like.escape) n->u.like.escape = push_copy(ctx, e->u.like.escape, rel, repl, ok);
        break;
    case EXPR_CASE: {
        int k = e->u.case_.n;
        if (e->u.case_.operand) n->u.case_.operand = push_copy(ctx, e->u.case_.operand, rel, repl, ok);
        if (e->u.case_.else_) n->u.case_.else_ = push_copy(ctx, e->u.case_.else_, rel, repl, ok);
        n->u.case_.when = arena_alloc(ctx->stmt, sizeof(Expr *) * (size_t)(k + 1));
        n->u.case_.then = arena_alloc(ctx->stmt, sizeof(Expr *) * (size_t)(k + 1));
        if (!n->u.case_.when || !n->u.case_.then) { *ok = false; return NULL; }
        for (int i = 0; i < k; i++) {
            n->u.case_.when[i] = push_copy(ctx, e->u.case_.when[i], rel, repl, ok);
            n->u.case_.then[i] = push_copy(ctx, e->u.case_.then[i], rel, repl, ok);
        }
        break;
    }
    case EXPR_CAST: n->u.cast.arg = push_copy(ctx, e->u.cast.arg, rel, repl, ok); break;
    case EXPR_FUNC: {
        AggKind ak;
        /* nor a set-returning call: a row of the derived table is one of its values */
        if (func_volatile(e->u.func.name) || agg_lookup(e->u.func.name, &ak) || e->u.func.over || srf_is(e->u.func.name)) {
            *ok = false;
            return NULL;
        }
        n->u.func.args = arena_alloc(ctx->stmt, sizeof(Expr *) * (size_t)(e->u.func.n + 1));
        if (!n->u.func.args) { *ok = false; return NULL; }
        for (int i = 0; i < e->u.func.n; i++) n->u.func.args[i] = push_copy(ctx, e->u.func.args[i], rel, repl, ok);
        break;
    }
    default:   /* subqueries, * */
        *ok = false;
        return NULL;
    }
    return *ok ? n : NULL;
}

int derived_pushdown(SqlCtx *ctx, FromItem *fi, const ScopeRel *rel, Expr **conj, int n, bool *pushed)
{
    for (int i = 0; i < n; i++) pushed[i] = false;
    SelectStmt *sel = fi->dsel;
    Plan *ip = fi->dplan;
    if (!sel || !ip || !ip->texprs || sel->setop || sel->limit || sel->offset || n == 0) return DD_OK;
    /* an aggregate without GROUP BY gives its row whatever its WHERE keeps */
    if (ip->grouped && sel->ngroup == 0) return DD_OK;
    /* grouping sets: a key's NULLs of rolled-up rows would be filtered */
    if (sel->ngsets) return DD_OK;
    int nt = ip->ncols;
    /* what each output column becomes inside the query, or NULL */
    Expr **repl = arena_zalloc(ctx->stmt, sizeof(Expr *) * (size_t)(nt + 1));
    if (!repl) return DD_ENOMEM;
    for (int c = 0; c < nt; c++) {
        Expr *t = ip->texprs[c];
        if (ip->cols[c].untyped) continue;
        if (ip->grouped) {
            bool key = false;
            for (int g = 0; g < sel->ngroup && !key; g++) {
                Expr *ge = sel->group_by[g];
                if (ge->kind == EXPR_CONST && type_is_int((TypeId)ge->u.c.val.type))
                    key = ge->u.c.val.v.i == c + 1;
                else
                    key = ast_expr_equal(ge, t);
            }
            if (!key) continue;
        }
        if (t->kind == EXPR_COLUMN && t->u.col.star_slot > 0) {
            /* from *: by qualified name, when that names it alone */
            const char *q = t->u.col.qualifier;
            if (!q || !q[0]) continue;
            int same = 0;
            for (int k = 0; k < nt; k++) {
                Expr *o = ip->texprs[k];
                if (o->kind == EXPR_COLUMN && o->u.col.qualifier && strcmp(o->u.col.qualifier, q) == 0 &&
                    strcmp(o->u.col.name, t->u.col.name) == 0)
                    same++;
            }
            if (same != 1) continue;
            Expr *ce = arena_alloc(ctx->stmt, sizeof(Expr));
            if (!ce) return DD_ENOMEM;
            *ce = *t;
            ce->u.col.star_slot = 0;
            repl[c] = ce;
            continue;
        }
        bool ok = true;
        push_copy(ctx, t, NULL, NULL, &ok);
        if (ok) repl[c] = t;
    }
    Expr *where = sel->where;
    int npushed = 0;
    for (int i = 0; i < n; i++) {
        bool ok = true;
        /* only conditions on the derived table's columns (one that reads
         * none filters the derived rows, which is not the same below an
         * aggregate) */
        if (!ast_has_column(conj[i])) continue;
        Expr *e = push_copy(ctx, conj[i], rel, repl, &ok);
        if (!ok || !e) continue;
        if (where) {
            Expr *a = arena_zalloc(ctx->stmt, sizeof(Expr));
            if (!a) return DD_ENOMEM;
            a->kind = EXPR_BINARY;
            a->loc = a->oploc = e->loc;
            a->u.bin.op = BOP_AND;
            a->u.bin.l = where;
            a->u.bin.r = e;
            where = a;
        } else {
            where = e;
        }
        pushed[i] = true;
        npushed++;
    }
    if (!npushed) return DD_OK;
    SelectStmt *s2 = arena_alloc(ctx->stmt, sizeof(SelectStmt));
    if (!s2) return DD_ENOMEM;
    *s2 = *sel;
    s2->where = where;
    FromItem nfi;
    memset(&nfi, 0, sizeof(nfi));
    int rc = fi->view ? view_plan(ctx, fi, s2, &nfi)
                      : from_derived(ctx, s2, fi->dalias, fi->dcols, fi->ndcols, fi->dloc, fi->denv, &nfi);
    if (rc) return rc;
    if (nfi.width != fi->width) return dd_err(ctx->err, DD_EINTERNAL, fi->dloc, "derived table changed width when planned again");
    fi->op = nfi.op;
    fi->dplan = nfi.dplan;
    fi->dsel = s2;
    return DD_OK;
}

/* json has neither equality nor ordering (42883, as PostgreSQL). */
static int json_no_operator(SqlCtx *ctx, const char *what, int loc)
{
    return dd_err(ctx->err, DD_EUNDEFINED_FUNCTION, loc, "could not identify an %s operator for type json", what);
}

/* The relation of a function in FROM: ncols columns (names: the function's
 * output names, NULL for a function of one unnamed column, which takes the
 * alias or the function's name), and ordinality's bigint with WITH
 * ORDINALITY; column aliases rename them in order. */
static int function_rel_cols(SqlCtx *ctx, TableRef *tr, const char *fname, int ncols, const char *const *names,
                             const TypeId *types, FromItem *fi)
{
    int nc = ncols + (tr->ordinality ? 1 : 0);
    if (!fi->op) return DD_ENOMEM;
    if (tr->ncol_aliases > nc && !names)
        return dd_err(ctx->err, DD_EINVALID_COLUMN_REF, tr->loc, "too many column aliases specified for function %s", fname);
    if (tr->ncol_aliases > nc)
        return dd_err(ctx->err, DD_EINVALID_COLUMN_REF, tr->loc, "table \"%s\" has %d columns available but %d columns specified",
                      tr->alias ? tr->alias : fname, nc, tr->ncol_aliases);
    ScopeRel *rel;
    int rc = derived_rel(ctx, tr->alias ? tr->alias : fname, nc, &rel);
    if (rc) return rc;
    rel->scalar = nc == 1;
    for (int c = 0; c < nc; c++) {
        const char *dflt = c == ncols ? "ordinality"
                         : names && names[c] ? names[c] : tr->alias ? tr->alias : fname;
        rel->names[c] = (char *)(c < tr->ncol_aliases ? tr->col_aliases[c] : dflt);
        rel->types[c] = c == ncols ? TYPE_INT8 : types[c];
        rel->typmods[c] = -1;
    }
    fi->rels = rel;
    fi->nrels = 1;
    fi->width = nc;
    return DD_OK;
}

/* jsonb_each / jsonb_each_text / jsonb_array_elements(_text) /
 * jsonb_object_keys and the json_ forms: one json or jsonb argument */
static int from_json_srf(SqlCtx *ctx, TableRef *tr, CompileCtx *cc, FromItem *fi, const char *name)
{
    static const struct { const char *suffix; JsonSrfKind kind; } kinds[] = {
        {"each", JSRF_EACH}, {"each_text", JSRF_EACH_TEXT}, {"array_elements", JSRF_ELEMENTS},
        {"array_elements_text", JSRF_ELEMENTS_TEXT}, {"object_keys", JSRF_KEYS},
    };
    TypeId jt = strncmp(name, "jsonb_", 6) == 0 ? TYPE_JSONB : TYPE_JSON;
    const char *suffix = name + (jt == TYPE_JSONB ? 6 : 5);
    JsonSrfKind kind = JSRF_EACH;
    for (size_t k = 0; k < DD_ARRAY_LEN(kinds); k++)
        if (strcmp(kinds[k].suffix, suffix) == 0) kind = kinds[k].kind;
    Expr *f = tr->func;
    int n = f->u.func.n, rc;
    ExprProg *p = NULL;
    if (n == 1 && (rc = expr_compile(cc, f->u.func.args[0], &p))) return rc;
    if (n != 1 || f->u.func.star || f->u.func.distinct ||
        !(p->type == jt || p->type == TYPE_UNKNOWN || p->type == TYPE_NULLTYPE)) {
        Buf sig = BUF_INIT;
        for (int i = 0; i < n && p; i++)
            buf_puts(&sig, p->type == TYPE_UNKNOWN || p->type == TYPE_NULLTYPE ? "unknown" : type_name(p->type));
        rc = dd_err(ctx->err, DD_EUNDEFINED_FUNCTION, tr->loc, "function %s(%s) does not exist", name,
                    buf_ok(&sig) && sig.len ? buf_cstr(&sig) : "");
        dd_err_hint(ctx->err, "No function matches the given name and argument types. "
                              "You might need to add explicit type casts.");
        buf_free(&sig);
        return rc;
    }
    if ((rc = expr_compile_as(cc, f->u.func.args[0], jt, -1, &p))) return rc;
    fi->op = op_json_srf(ctx, &p, 1, kind, jt, tr->ordinality);
    bool text = kind == JSRF_EACH_TEXT || kind == JSRF_ELEMENTS_TEXT;
    static const char *const each_names[] = {"key", "value"};
    static const char *const value_name[] = {"value"};
    TypeId types[2];
    switch (kind) {
    case JSRF_EACH: case JSRF_EACH_TEXT:
        types[0] = TYPE_TEXT;
        types[1] = text ? TYPE_TEXT : jt;
        return function_rel_cols(ctx, tr, name, 2, each_names, types, fi);
    case JSRF_KEYS:
        { TypeId tt = TYPE_TEXT; return function_rel_cols(ctx, tr, name, 1, NULL, &tt, fi); }
    default:
        types[0] = text ? TYPE_TEXT : jt;
        return function_rel_cols(ctx, tr, name, 1, value_name, types, fi);
    }
}

/* jsonb_path_query(target, path [, vars [, silent]]) */
static int from_path_query(SqlCtx *ctx, TableRef *tr, CompileCtx *cc, FromItem *fi)
{
    Expr *f = tr->func;
    int n = f->u.func.n, rc;
    static const TypeId want[] = {TYPE_JSONB, TYPE_TEXT, TYPE_JSONB, TYPE_BOOL};
    ExprProg *p[4];
    bool ok = n >= 2 && n <= 4 && !f->u.func.star && !f->u.func.distinct;
    for (int i = 0; ok && i < n; i++) {
        if ((rc = expr_compile(cc, f->u.func.args[i], &p[i]))) return rc;
        TypeId t = p[i]->type;
        ok = t == want[i] || t == TYPE_UNKNOWN || t == TYPE_NULLTYPE || (i == 1 && type_is_string(t));
    }
    if (!ok) {
        rc = dd_err(ctx->err, DD_EUNDEFINED_FUNCTION, tr->loc, "function jsonb_path_query with these arguments does not exist");
        dd_err_hint(ctx->err, "No function matches the given name and argument types. "
                              "You might need to add explicit type casts.");
        return rc;
    }
    for (int i = 0; i < n; i++)
        if ((rc = expr_compile_as(cc, f->u.func.args[i], want[i], -1, &p[i]))) return rc;
    fi->op = op_json_srf(ctx, p, n, JSRF_PATH, TYPE_JSONB, tr->ordinality);
    { TypeId tt = TYPE_JSONB; return function_rel_cols(ctx, tr, "jsonb_path_query", 1, NULL, &tt, fi); }
}

static int json_record_rel(SqlCtx *ctx, TableRef *tr, FromItem *fi, const char *name, ExprProg *p, JsonSrfKind kind,
                           TypeId jt, int nc, const char *const *keys, const char *const *names, TypeId *types,
                           i32 *typmods);

/* json(b)_populate_record(NULL::t, doc) / _populate_recordset(...): as
 * json(b)_to_record(set)(doc) AS (t's columns); a base record other than
 * NULL is 0A000 */
static int from_json_populate(SqlCtx *ctx, TableRef *tr, CompileCtx *cc, FromItem *fi, const char *name)
{
    Expr *f = tr->func, *base = f->u.func.n == 2 ? f->u.func.args[0] : NULL;
    TypeId jt = strncmp(name, "jsonb_", 6) == 0 ? TYPE_JSONB : TYPE_JSON;
    bool set = strstr(name, "recordset") != NULL;
    int rc;
    if (!base || f->u.func.star || f->u.func.distinct)
        return dd_err(ctx->err, DD_EUNDEFINED_FUNCTION, tr->loc, "function %s with %d arguments does not exist", name,
                      f->u.func.n);
    if (base->kind != EXPR_CAST || base->u.cast.arg->kind != EXPR_CONST || !base->u.cast.arg->u.c.val.isnull)
        return dd_err(ctx->err, DD_EFEATURE, base->loc, "%s() is supported with a NULL base record only (NULL::table)", name);
    const TableInfo *t = resolve_table_present(ctx, base->u.cast.type.name);
    if (!t || t->view_sql || t->sequence)
        return dd_err(ctx->err, DD_EUNDEFINED_OBJECT, base->u.cast.type.loc, "type \"%s\" does not exist",
                      base->u.cast.type.name);
    if (tr->col_types)
        return dd_err(ctx->err, DD_ESYNTAX, tr->loc,
                      "a column definition list is redundant for a function returning a named composite type");
    int nc = 0;
    const char **keys = arena_alloc(ctx->stmt, sizeof(char *) * (size_t)(t->ncols + 1));
    const char **names = arena_alloc(ctx->stmt, sizeof(char *) * (size_t)(t->ncols + 1));
    TypeId *types = arena_alloc(ctx->stmt, sizeof(TypeId) * (size_t)(t->ncols + 1));
    i32 *typmods = arena_alloc(ctx->stmt, sizeof(i32) * (size_t)(t->ncols + 1));
    if (!keys || !names || !types || !typmods) return DD_ENOMEM;
    for (int c = 0; c < t->ncols; c++) {
        const ColumnInfo *ci = &t->cols[c];
        if (ci->dropped || ci->pending || strcmp(ci->name, ROWID_COL) == 0) continue;
        if (type_has_etype((TypeId)ci->type))
            return dd_err(ctx->err, DD_EFEATURE, tr->loc, "%s() of a table with enum columns is not supported", name);
        keys[nc] = ci->name;
        names[nc] = nc < tr->ncol_aliases ? tr->col_aliases[nc] : ci->name;
        types[nc] = (TypeId)ci->type;
        typmods[nc++] = ci->typmod;
    }
    if (tr->ncol_aliases > nc)
        return dd_err(ctx->err, DD_EINVALID_COLUMN_REF, tr->loc, "too many column aliases specified for function %s", name);
    ExprProg *p;
    if ((rc = expr_compile_as(cc, f->u.func.args[1], jt, -1, &p))) return rc;
    return json_record_rel(ctx, tr, fi, name, p, set ? JSRF_POPULATE_RECORDSET : JSRF_POPULATE_RECORD, jt, nc, keys,
                           names, types, typmods);
}

/* json(b)_to_record(doc) / _to_recordset(doc) AS [alias] (name type, ...) */
static int from_json_to_record(SqlCtx *ctx, TableRef *tr, CompileCtx *cc, FromItem *fi, const char *name)
{
    Expr *f = tr->func;
    TypeId jt = strncmp(name, "jsonb_", 6) == 0 ? TYPE_JSONB : TYPE_JSON;
    bool set = strstr(name, "recordset") != NULL;
    int n = f->u.func.n, rc;
    ExprProg *p = NULL;
    if (n == 1 && (rc = expr_compile(cc, f->u.func.args[0], &p))) return rc;
    if (n != 1 || f->u.func.star || f->u.func.distinct ||
        !(p->type == jt || p->type == TYPE_UNKNOWN || p->type == TYPE_NULLTYPE)) {
        rc = dd_err(ctx->err, DD_EUNDEFINED_FUNCTION, tr->loc, "function %s(%s) does not exist", name,
                    p ? (p->type == TYPE_UNKNOWN || p->type == TYPE_NULLTYPE ? "unknown" : type_name(p->type)) : "");
        dd_err_hint(ctx->err, "No function matches the given name and argument types. "
                              "You might need to add explicit type casts.");
        return rc;
    }
    if (!tr->col_types)
        return dd_err(ctx->err, DD_ESYNTAX, tr->loc, "a column definition list is required for functions returning \"record\"");
    if (tr->ordinality)
        return dd_err(ctx->err, DD_ESYNTAX, tr->loc, "WITH ORDINALITY cannot be used with a column definition list");
    if ((rc = expr_compile_as(cc, f->u.func.args[0], jt, -1, &p))) return rc;
    int nc = tr->ncol_aliases;
    TypeId *types = arena_alloc(ctx->stmt, sizeof(TypeId) * (size_t)(nc + 1));
    i32 *typmods = arena_alloc(ctx->stmt, sizeof(i32) * (size_t)(nc + 1));
    if (!types || !typmods) return DD_ENOMEM;
    for (int c = 0; c < nc; c++) {
        if (!type_from_name(tr->col_types[c].name, &types[c]))
            return dd_err(ctx->err, DD_EUNDEFINED_OBJECT, tr->col_types[c].loc, "type \"%s\" does not exist",
                          tr->col_types[c].name);
        typmods[c] = tr->col_types[c].typmod;
        for (int d = 0; d < c; d++)
            if (strcmp(tr->col_aliases[d], tr->col_aliases[c]) == 0)
                return dd_err(ctx->err, DD_EDUPLICATE_COLUMN, tr->loc, "column name \"%s\" specified more than once",
                              tr->col_aliases[c]);
    }
    return json_record_rel(ctx, tr, fi, name, p, set ? JSRF_TO_RECORDSET : JSRF_TO_RECORD, jt, nc,
                           (const char *const *)tr->col_aliases, (const char *const *)tr->col_aliases, types, typmods);
}

/* The relation of json(b)_to_record(set) (and _populate_): the columns
 * names[nc] of the types given, read from the documents p yields. */
static int json_record_rel(SqlCtx *ctx, TableRef *tr, FromItem *fi, const char *name, ExprProg *p, JsonSrfKind kind,
                           TypeId jt, int nc, const char *const *keys, const char *const *names, TypeId *types,
                           i32 *typmods)
{
    int rc;
    fi->op = op_json_to_record(ctx, p, kind, jt, nc, keys, types, typmods, tr->ordinality);
    if (!fi->op) return DD_ENOMEM;
    ScopeRel *rel;
    rc = derived_rel(ctx, tr->alias ? tr->alias : name, nc + (tr->ordinality ? 1 : 0), &rel);
    if (rc) return rc;
    for (int c = 0; c < nc; c++) {
        rel->names[c] = (char *)names[c];
        rel->types[c] = types[c];
        rel->typmods[c] = typmods[c];
    }
    if (tr->ordinality) {
        rel->names[nc] = "ordinality";
        rel->types[nc] = TYPE_INT8;
        rel->typmods[nc] = -1;
    }
    fi->rels = rel;
    fi->nrels = 1;
    fi->width = nc + (tr->ordinality ? 1 : 0);
    return DD_OK;
}

static bool is_json_srf(const char *name)
{
    static const char *const names[] = {
        "jsonb_each", "jsonb_each_text", "jsonb_array_elements", "jsonb_array_elements_text", "jsonb_object_keys",
        "json_each", "json_each_text", "json_array_elements", "json_array_elements_text", "json_object_keys",
    };
    for (size_t k = 0; k < DD_ARRAY_LEN(names); k++)
        if (strcmp(names[k], name) == 0) return true;
    return false;
}

/* The relation of a function in FROM: a column per call (of its type,
 * named by the column aliases, or the alias when there is one column, or
 * the function), and ordinality's bigint WITH ORDINALITY. */
static int function_rel(SqlCtx *ctx, TableRef *tr, const char *fname, SrfCall **calls, int ncalls, FromItem *fi)
{
    int nc = ncalls + (tr->ordinality ? 1 : 0);
    if (!fi->op) return DD_ENOMEM;
    if (tr->ncol_aliases > nc)
        return dd_err(ctx->err, DD_EINVALID_COLUMN_REF, tr->loc, "too many column aliases specified for function %s", fname);
    ScopeRel *rel;
    int rc = derived_rel(ctx, tr->alias ? tr->alias : fname, nc, &rel);
    if (rc) return rc;
    rel->scalar = nc == 1;
    for (int i = 0; i < ncalls; i++) {
        rel->names[i] = tr->ncol_aliases > i ? tr->col_aliases[i] : tr->alias && ncalls == 1 ? tr->alias : fname;
        rel->types[i] = calls[i]->type;
        rel->typmods[i] = calls[i]->typmod;
    }
    if (tr->ordinality) {
        rel->names[ncalls] = tr->ncol_aliases > ncalls ? tr->col_aliases[ncalls] : "ordinality";
        rel->types[ncalls] = TYPE_INT8;
        rel->typmods[ncalls] = -1;
    }
    fi->rels = rel;
    fi->nrels = 1;
    fi->width = nc;
    return DD_OK;
}

/* A function in FROM: a set-returning one (generate_series, unnest,
 * regexp_split_to_table, regexp_matches) [WITH ORDINALITY]; unnest of
 * several arrays reads them side by side. */
int from_function(SqlCtx *ctx, TableRef *tr, const Scope *env, FromItem *fi)
{
    Expr *f = tr->func;
    const char *name = f->u.func.name;
    if (strncmp(name, "pg_catalog.", 11) == 0) name += 11;
    Scope sc = {NULL, 0, 0, env ? env->ctes : NULL, env ? env->outer : NULL, NULL, NULL, NULL, 0, 0};
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = ctx;
    cc.scope = &sc;
    cc.agg_forbidden = "functions in FROM";
    if (!strcmp(name, "jsonb_to_record") || !strcmp(name, "json_to_record") || !strcmp(name, "jsonb_to_recordset") ||
        !strcmp(name, "json_to_recordset"))
        return from_json_to_record(ctx, tr, &cc, fi, name);
    if (!strcmp(name, "jsonb_populate_record") || !strcmp(name, "json_populate_record") ||
        !strcmp(name, "jsonb_populate_recordset") || !strcmp(name, "json_populate_recordset"))
        return from_json_populate(ctx, tr, &cc, fi, name);
    if (tr->col_types)
        return dd_err(ctx->err, DD_ESYNTAX, tr->loc, "a column definition list is only allowed for functions returning \"record\"");
    if (is_json_srf(name)) return from_json_srf(ctx, tr, &cc, fi, name);
    if (strcmp(name, "pg_options_to_table") == 0 && f->u.func.n == 1 && !f->u.func.star && !f->u.func.distinct) {
        /* pg_options_to_table(text[]): json_each_text of the options as
         * a json object in their order ($options_json, catfunc.c) */
        Expr *call = arena_zalloc(ctx->stmt, sizeof(Expr));
        if (!call) return DD_ENOMEM;
        *call = *f;
        call->u.func.name = (char *)"$options_json";
        ExprProg *p = NULL;
        int rc = expr_compile_as(&cc, call, TYPE_JSON, -1, &p);
        if (rc) return rc;
        fi->op = op_json_srf(ctx, &p, 1, JSRF_EACH_TEXT, TYPE_JSON, tr->ordinality);
        static const char *const names[] = {"option_name", "option_value"};
        TypeId types[2] = {TYPE_TEXT, TYPE_TEXT};
        return fi->op ? function_rel_cols(ctx, tr, name, 2, names, types, fi) : DD_ENOMEM;
    }
    if (strcmp(name, "jsonb_path_query") == 0) return from_path_query(ctx, tr, &cc, fi);
    if (strcmp(name, "pg_get_keywords") == 0 && f->u.func.n == 0 && !tr->ordinality)
        return from_syscat(ctx, tr, "function", name, SEQ_NONE, fi);
    if (strcmp(name, "information_schema._pg_expandarray") == 0)
        return dd_err(ctx->err, DD_EFEATURE, tr->loc,
                      "information_schema._pg_expandarray() in FROM is not supported (in a select list it is)");
    if (!srf_is(name)) {
        if (func_lookup(name))
            return dd_err(ctx->err, DD_EFEATURE, tr->loc,
                          "%s() in FROM is not supported (only set-returning functions: generate_series, unnest, "
                          "regexp_split_to_table, regexp_matches, the json ones)", name);
        return dd_err(ctx->err, DD_EUNDEFINED_FUNCTION, tr->loc, "function %s does not exist", name);
    }
    bool multi = strcmp(name, "unnest") == 0 && f->u.func.n > 1;
    int ncalls = multi ? f->u.func.n : 1;
    SrfCall **calls = arena_alloc(ctx->stmt, sizeof(SrfCall *) * (size_t)ncalls);
    if (!calls) return DD_ENOMEM;
    for (int i = 0; i < ncalls; i++) {
        calls[i] = arena_alloc(ctx->stmt, sizeof(SrfCall));
        if (!calls[i]) return DD_ENOMEM;
        int rc = srf_compile(&cc, f, multi ? i : -1, calls[i]);
        if (rc) return rc;
    }
    fi->op = op_function_scan(ctx, calls, ncalls, name, tr->ordinality);
    return function_rel(ctx, tr, name, calls, ncalls, fi);
}

const CteDef *cte_lookup(SqlCtx *ctx, const Scope *env, const char *name)
{
    for (const CteDef *d = env ? env->ctes : NULL; d; d = d->prev)
        if (strcmp(d->name, name) == 0) return d;
    for (const CteDef *d = ctx->stmt_ctes; d; d = d->prev)
        if (strcmp(d->name, name) == 0) return d;
    return NULL;
}

/* A reference to WITH query d: planned again as a derived table. */
static int coerce_member(SqlCtx *ctx, Plan *m, const TypeId *types, const i32 *typmods, int n, Op **out);


/* Whether FROM item tr (its joins and subqueries too) names `name`
 * unqualified. */
static bool select_names(const SelectStmt *s, const char *name);
static bool tref_names(const TableRef *tr, const char *name)
{
    if (!tr) return false;
    switch (tr->kind) {
    case TREF_JOIN: return tref_names(tr->left, name) || tref_names(tr->right, name);
    case TREF_TABLE: return strcmp(tr->name, name) == 0;
    case TREF_SUBQUERY: return select_names(tr->select, name);
    case TREF_FUNCTION: return false;
    }
    return false;
}

static bool select_names(const SelectStmt *s, const char *name)
{
    for (; s; s = s->setop ? s->next : NULL) {
        for (int i = 0; i < s->nctes; i++)
            if (select_names(s->ctes[i], name)) return true;
        for (int i = 0; i < s->nfrom; i++)
            if (tref_names(s->from[i], name)) return true;
    }
    return false;
}

/* PostgreSQL's checkWellFormedRecursion over a recursive term: where
 * it names its own query.  A name in FROM counts (refs), but inside a
 * subquery of an expression or on the nullable side of an outer join it
 * is an error (bad: where). */
typedef enum RecWhere { REC_PLAIN, REC_OUTER, REC_SUBLINK } RecWhere;
typedef struct RecCheck { const char *name; int refs; const char *bad; } RecCheck;

static void rec_select(RecCheck *c, const SelectStmt *s, RecWhere w);

static void rec_expr(RecCheck *c, const Expr *e, RecWhere w)
{
    if (!e || c->bad) return;
    switch (e->kind) {
    case EXPR_UNARY: rec_expr(c, e->u.unary.arg, w); break;
    case EXPR_BINARY: rec_expr(c, e->u.bin.l, w); rec_expr(c, e->u.bin.r, w); break;
    case EXPR_IS: rec_expr(c, e->u.is.arg, w); rec_expr(c, e->u.is.other, w); break;
    case EXPR_IN:
        rec_expr(c, e->u.in.arg, w);
        for (int i = 0; i < e->u.in.n; i++) rec_expr(c, e->u.in.list[i], w);
        break;
    case EXPR_BETWEEN:
        rec_expr(c, e->u.between.arg, w);
        rec_expr(c, e->u.between.lo, w);
        rec_expr(c, e->u.between.hi, w);
        break;
    case EXPR_LIKE:
        rec_expr(c, e->u.like.arg, w);
        rec_expr(c, e->u.like.pattern, w);
        rec_expr(c, e->u.like.escape, w);
        break;
    case EXPR_CASE:
        rec_expr(c, e->u.case_.operand, w);
        for (int i = 0; i < e->u.case_.n; i++) {
            rec_expr(c, e->u.case_.when[i], w);
            rec_expr(c, e->u.case_.then[i], w);
        }
        rec_expr(c, e->u.case_.else_, w);
        break;
    case EXPR_CAST: rec_expr(c, e->u.cast.arg, w); break;
    case EXPR_FUNC:
        for (int i = 0; i < e->u.func.n; i++) rec_expr(c, e->u.func.args[i], w);
        rec_expr(c, e->u.func.filter, w);
        for (int i = 0; i < e->u.func.norder; i++) rec_expr(c, e->u.func.order[i]->expr, w);
        break;
    case EXPR_SUBQUERY: case EXPR_EXISTS: rec_select(c, e->u.sub.select, REC_SUBLINK); break;
    default: break;
    }
}

static void rec_from(RecCheck *c, const TableRef *tr, RecWhere w)
{
    if (!tr || c->bad) return;
    switch (tr->kind) {
    case TREF_TABLE:
        if (strcmp(tr->name, c->name) != 0) break;
        if (w == REC_SUBLINK) c->bad = "a subquery";
        else if (w == REC_OUTER) c->bad = "an outer join";
        else c->refs++;
        break;
    case TREF_JOIN: {
        RecWhere wl = w, wr = w;
        if (w == REC_PLAIN && (tr->join == JOIN_LEFT || tr->join == JOIN_FULL)) wr = REC_OUTER;
        if (w == REC_PLAIN && (tr->join == JOIN_RIGHT || tr->join == JOIN_FULL)) wl = REC_OUTER;
        rec_from(c, tr->left, wl);
        rec_from(c, tr->right, wr);
        rec_expr(c, tr->on, w);
        break;
    }
    case TREF_SUBQUERY: rec_select(c, tr->select, w); break;
    case TREF_FUNCTION: rec_expr(c, tr->func, w); break;
    }
}

static void rec_select(RecCheck *c, const SelectStmt *s, RecWhere w)
{
    for (; s && !c->bad; s = s->setop ? s->next : NULL) {
        for (int i = 0; i < s->nctes; i++)
            if (s->ctes[i]) rec_select(c, s->ctes[i], w);
        for (int i = 0; i < s->nfrom; i++) rec_from(c, s->from[i], w);
        for (int i = 0; i < s->ntargets; i++) rec_expr(c, s->targets[i]->expr, w);
        rec_expr(c, s->where, w);
        for (int i = 0; i < s->ngroup; i++) rec_expr(c, s->group_by[i], w);
        rec_expr(c, s->having, w);
        for (int i = 0; i < s->norder; i++) rec_expr(c, s->order_by[i]->expr, w);
        rec_expr(c, s->limit, w);
        rec_expr(c, s->offset, w);
    }
}

/* Whether s names `name` anywhere (subqueries of its expressions too). */
static bool select_refers(const SelectStmt *s, const char *name)
{
    RecCheck c = {name, 0, NULL};
    rec_select(&c, s, REC_PLAIN);
    return c.refs || c.bad;
}

/*
 * A recursive WITH query (non-recursive-term UNION [ALL] recursive-term):
 * the terms are planned, the recursive one with its own name reading the
 * working table, its columns coerced to the non-recursive term's types
 * (42804 when the two need another type, as PostgreSQL), into p.
 */
static int plan_recursive(SqlCtx *ctx, const CteDef *d, Plan *p)
{
    SelectStmt *head = d->select;
    int n = 0;
    for (SelectStmt *m = head; m; m = m->setop ? m->next : NULL) n++;
    SelectStmt *last = head, *prev = NULL;
    while (last->setop) { prev = last; last = last->next; }
    if (!prev || prev->setop != 1)
        return dd_err(ctx->err, DD_EINVALID_RECURSION, d->loc,
                      "recursive query \"%s\" does not have the form non-recursive-term UNION [ALL] recursive-term",
                      d->name);
    if (head->norder || head->limit || head->offset)
        return dd_err(ctx->err, DD_EFEATURE, d->loc, "%s in a recursive query is not implemented",
                      head->norder ? "ORDER BY" : head->offset ? "OFFSET" : "LIMIT");
    /* the non-recursive term: the chain up to the last UNION */
    SelectStmt *a = NULL, **link = &a;
    for (SelectStmt *m = head; m != last; m = m->next) {
        SelectStmt *c = arena_alloc(ctx->stmt, sizeof(SelectStmt));
        if (!c) return DD_ENOMEM;
        *c = *m;
        if (m == prev) { c->setop = 0; c->next = NULL; }
        *link = c;
        link = &c->next;
    }
    if (select_refers(a, d->name))
        return dd_err(ctx->err, DD_EINVALID_RECURSION, d->loc,
                      "recursive reference to query \"%s\" must not appear within its non-recursive term", d->name);
    /* the recursive term names its query once, in FROM, as PostgreSQL
     * requires, and aggregates nothing */
    RecCheck chk = {d->name, 0, NULL};
    rec_select(&chk, last, REC_PLAIN);
    if (chk.bad || chk.refs > 1)
        return dd_err(ctx->err, DD_EINVALID_RECURSION, d->loc, "recursive reference to query \"%s\" must not appear %s%s",
                      d->name, chk.bad ? "within " : "more than once", chk.bad ? chk.bad : "");
    bool agg = ast_has_aggregate(last->having);
    for (int i = 0; i < last->ntargets && !agg; i++) agg = ast_has_aggregate(last->targets[i]->expr);
    if (agg)
        return dd_err(ctx->err, DD_EINVALID_RECURSION, d->loc,
                      "aggregate functions are not allowed in a recursive query's recursive term");
    Plan *pa = arena_zalloc(ctx->stmt, sizeof(Plan));
    Plan *pb = arena_zalloc(ctx->stmt, sizeof(Plan));
    if (!pa || !pb) return DD_ENOMEM;
    int rc = analyze_query(ctx, a, pa, d->env);
    if (rc) return rc;
    int nc = pa->ncols;
    TypeId *types = arena_alloc(ctx->stmt, sizeof(TypeId) * (size_t)(nc + 1));
    i32 *typmods = arena_alloc(ctx->stmt, sizeof(i32) * (size_t)(nc + 1));
    const char **names = arena_alloc(ctx->stmt, sizeof(char *) * (size_t)(nc + 1));
    CteDef *self = arena_alloc(ctx->stmt, sizeof(CteDef));
    Scope *benv = arena_alloc(ctx->stmt, sizeof(Scope));
    if (!types || !typmods || !names || !self || !benv) return DD_ENOMEM;
    for (int k = 0; k < nc; k++) {
        types[k] = pa->cols[k].untyped ? TYPE_TEXT : pa->cols[k].type;
        typmods[k] = pa->cols[k].untyped ? -1 : pa->cols[k].typmod;
        names[k] = k < d->ncols ? d->cols[k] : pa->cols[k].name;
    }
    /* the recursive term: the name reads the working table */
    *self = *d;
    self->select = NULL;
    self->recursive = false;
    self->wt = worktable_new(ctx);
    self->wnames = names;
    self->wtypes = types;
    self->wtypmods = typmods;
    self->wncols = nc;
    self->prev = d->env->ctes;
    *benv = *d->env;
    benv->ctes = self;
    if (!self->wt) return DD_ENOMEM;
    if ((rc = analyze_query(ctx, last, pb, benv))) return rc;
    if (pb->ncols != nc)
        return dd_err(ctx->err, DD_ESYNTAX, last->loc, "each UNION query must have the same number of columns");
    for (int k = 0; k < nc; k++) {
        TypeId ta = types[k], tb = pb->cols[k].type, c;
        if (ta == tb || pb->cols[k].untyped) continue;
        if (!type_common(ta, tb, &c))
            return dd_err(ctx->err, DD_EDATATYPE_MISMATCH, last->loc, "UNION types %s and %s cannot be matched",
                          type_name(ta), type_name(tb));
        if (c != ta) {
            rc = dd_err(ctx->err, DD_EDATATYPE_MISMATCH, d->loc,
                        "recursive query \"%s\" column %d has type %s in non-recursive term but type %s overall",
                        d->name, k + 1, type_name(ta), type_name(c));
            dd_err_hint(ctx->err, "Cast the output of the non-recursive term to the correct type.");
            return rc;
        }
    }
    Op *oa, *ob;
    if ((rc = coerce_member(ctx, pa, types, typmods, nc, &oa)) || (rc = coerce_member(ctx, pb, types, typmods, nc, &ob)))
        return rc;
    p->kind = PLAN_QUERY;
    p->root = op_recursive_union(ctx, oa, ob, self->wt, !prev->setop_all, nc);
    p->ncols = nc;
    p->cols = arena_zalloc(ctx->stmt, sizeof(ColDesc) * (size_t)(nc + 1));
    if (!p->root || !p->cols) return DD_ENOMEM;
    for (int k = 0; k < nc; k++) {
        p->cols[k] = pa->cols[k];
        p->cols[k].type = types[k];
        p->cols[k].typmod = typmods[k];
        p->cols[k].untyped = false;
        p->cols[k].src_table = p->cols[k].src_col = p->cols[k].src_domain = p->cols[k].src_sys = 0;   /* no one table's column */
    }
    return DD_OK;
}

int from_cte(SqlCtx *ctx, TableRef *tr, const CteDef *d, FromItem *fi)
{
    if (tr->temporal.kind != TEMPORAL_NONE)
        return dd_err(ctx->err, DD_EFEATURE, tr->temporal.loc,
                      "FOR SYSTEM_TIME cannot be applied to WITH query \"%s\"", d->name);
    if (!d->recursive && !d->wt && !d->dml) {
        if (tr->ncol_aliases)   /* x AS y(a, b) replaces the WITH query's own list */
            return from_derived(ctx, d->select, tr->alias, tr->col_aliases, tr->ncol_aliases, tr->loc, d->env, fi);
        return from_derived(ctx, d->select, tr->alias ? tr->alias : d->name, d->cols, d->ncols, tr->loc, d->env, fi);
    }
    /* a recursive WITH query, its working table inside its recursive
     * term, or a data-modifying WITH query */
    int nc;
    Op *op;
    const char **names = d->wnames;
    const TypeId *types = d->wtypes;
    const i32 *typmods = d->wtypmods;
    int rc;
    Plan *ip = NULL;   /* the columns' plan: the data-modifying or recursive query */
    if (d->dml) {
        ip = d->dml;
        if (!ip->nret)
            return dd_err(ctx->err, DD_EFEATURE, tr->loc, "WITH query \"%s\" does not have a RETURNING clause", d->name);
        nc = ip->nret;
        op = op_rows_late(ctx, nc, &ip->ret_rows, &ip->nret_rows, d->name);
        if (!op) return DD_ENOMEM;
    } else if (d->wt) {
        nc = d->wncols;
        op = op_worktable(ctx, d->wt, nc);
        if (!op) return DD_ENOMEM;
    } else {
        ip = arena_zalloc(ctx->stmt, sizeof(Plan));
        if (!ip) return DD_ENOMEM;
        if ((rc = plan_recursive(ctx, d, ip))) return rc;
        nc = ip->ncols;
        op = ip->root;
    }
    if (ip) {
        const char **nn = arena_alloc(ctx->stmt, sizeof(char *) * (size_t)(nc + 1));
        TypeId *tt = arena_alloc(ctx->stmt, sizeof(TypeId) * (size_t)(nc + 1));
        i32 *mm = arena_alloc(ctx->stmt, sizeof(i32) * (size_t)(nc + 1));
        if (!nn || !tt || !mm) return DD_ENOMEM;
        for (int k = 0; k < nc; k++) {
            nn[k] = k < d->ncols ? d->cols[k] : ip->cols[k].name;
            tt[k] = ip->cols[k].untyped ? TYPE_TEXT : ip->cols[k].type;
            mm[k] = ip->cols[k].typmod;
        }
        names = nn;
        types = tt;
        typmods = mm;
    }
    const char *alias = tr->alias ? tr->alias : d->name;
    if (tr->ncol_aliases > nc)
        return dd_err(ctx->err, DD_EINVALID_COLUMN_REF, tr->loc, "table \"%s\" has %d columns available but %d columns specified",
                      alias, nc, tr->ncol_aliases);
    ScopeRel *rel;
    if ((rc = derived_rel(ctx, alias, nc, &rel))) return rc;
    for (int k = 0; k < nc; k++) {
        rel->names[k] = k < tr->ncol_aliases ? tr->col_aliases[k] : names[k];
        rel->types[k] = types[k];
        rel->typmods[k] = typmods[k];
    }
    memset(fi, 0, sizeof(*fi));
    fi->op = op;
    fi->rels = rel;
    fi->nrels = 1;
    fi->width = nc;
    return DD_OK;
}

/* Data-modifying WITH query d (INSERT / UPDATE / DELETE dml) of s, which
 * must be the statement's top query: planned once into p, which the
 * statement's plan runs before it (SqlCtx.pre); the WITH queries before d
 * are visible to it.  Its columns are its RETURNING list's. */
static int with_clause(SqlCtx *ctx, SelectStmt *s, const Scope *env, const CteDef **out);
static int plan_dml_cte(SqlCtx *ctx, SelectStmt *s, const Scope *env, Stmt *dml, CteDef *d, Plan *p)
{
    if (env || s != ctx->dml_cte_top)
        return dd_err(ctx->err, DD_EFEATURE, dml->loc,
                      "WITH clause containing a data-modifying statement must be at the top level");
    const CteDef *save = ctx->stmt_ctes;
    ctx->stmt_ctes = d->prev;
    if (dml->with) {
        /* its own WITH, in front of the visible ones; not the top level */
        Scope sc;
        memset(&sc, 0, sizeof(sc));
        sc.ctes = d->prev;
        const CteDef *inner;
        int rc = with_clause(ctx, dml->with, &sc, &inner);
        if (rc) { ctx->stmt_ctes = save; return rc; }
        ctx->stmt_ctes = inner;
    }
    int rc = dml->kind == STMT_INSERT ? analyze_insert(ctx, dml->u.insert, p)
           : dml->kind == STMT_UPDATE ? analyze_update(ctx, dml->u.update, p)
           : analyze_delete(ctx, dml->u.delete_, p);
    ctx->stmt_ctes = save;
    if (rc) return rc;
    p->ncols = p->nret;
    if (ctx->npre == ctx->cappre) {
        int ncap = ctx->cappre ? ctx->cappre * 2 : 4;
        Plan **n = arena_alloc(ctx->stmt, sizeof(Plan *) * (size_t)ncap);
        if (!n) return DD_ENOMEM;
        if (ctx->npre) memcpy(n, ctx->pre, sizeof(Plan *) * (size_t)ctx->npre);
        ctx->pre = n;
        ctx->cappre = ncap;
    }
    ctx->pre[ctx->npre++] = p;
    d->dml = p;
    p->cte_name = d->name;
    return DD_OK;
}

/* WITH: the CteDefs of s in front of the visible ones (env->ctes).  Each
 * query is planned once here to report its errors and check its column
 * alias list, then again at every reference. */
static int with_clause(SqlCtx *ctx, SelectStmt *s, const Scope *env, const CteDef **out)
{
    const CteDef *ctes = env ? env->ctes : NULL;
    for (int i = 0; i < s->nctes; i++) {
        for (int j = 0; j < i; j++)
            if (strcmp(s->cte_names[i], s->cte_names[j]) == 0)
                return dd_err(ctx->err, DD_EDUPLICATE_ALIAS, s->cte_locs[i],
                              "WITH query name \"%s\" specified more than once", s->cte_names[i]);
        CteDef *d = arena_zalloc(ctx->stmt, sizeof(CteDef));
        Scope *denv = arena_zalloc(ctx->stmt, sizeof(Scope));
        Plan *chk = arena_zalloc(ctx->stmt, sizeof(Plan));
        if (!d || !denv || !chk) return DD_ENOMEM;
        denv->ctes = ctes;     /* the WITH queries before this one */
        denv->outer = env;
        d->name = s->cte_names[i];
        d->select = s->ctes[i];
        d->cols = s->cte_cols[i];
        d->ncols = s->cte_ncols[i];
        d->loc = s->cte_locs[i];
        d->env = denv;
        d->prev = ctes;
        d->recursive = s->cte_recursive && select_refers(d->select, d->name);
        Stmt *dml = s->cte_dml ? s->cte_dml[i] : NULL;
        int rc = dml ? plan_dml_cte(ctx, s, env, dml, d, chk)
               : d->recursive ? plan_recursive(ctx, d, chk) : analyze_query(ctx, d->select, chk, denv);
        if (rc) return rc;
        if (d->ncols > chk->ncols)
            return dd_err(ctx->err, DD_EINVALID_COLUMN_REF, d->loc,
                          "WITH query \"%s\" has %d columns available but %d columns specified",
                          d->name, chk->ncols, d->ncols);
        ctes = d;
    }
    *out = ctes;
    return DD_OK;
}

int with_ctes(SqlCtx *ctx, SelectStmt *w, const CteDef **out)
{
    return with_clause(ctx, w, NULL, out);
}

int analyze_sublink(SqlCtx *ctx, SelectStmt *s, const Scope *scope, Op **root, int *ncols, TypeId **types,
                    i32 *typmod0)
{
    Plan *p = arena_zalloc(ctx->stmt, sizeof(Plan));
    if (!p) return DD_ENOMEM;
    int rc = analyze_query(ctx, s, p, scope);
    if (rc) return rc;
    TypeId *t = arena_alloc(ctx->stmt, sizeof(TypeId) * (size_t)(p->ncols + 1));
    if (!t) return DD_ENOMEM;
    t[0] = TYPE_TEXT;
    for (int k = 0; k < p->ncols; k++) t[k] = p->cols[k].type;
    *root = p->root;
    *ncols = p->ncols;
    *types = t;
    *typmod0 = p->ncols && !p->cols[0].untyped ? p->cols[0].typmod : -1;
    return DD_OK;
}

/* ---------------------------------------------------------------- SELECT */

/* ORDER BY item i's expression: an output position or an output's name
 * stands for that output's expression. */
static Expr *order_item_expr(const SelectStmt *s, int i, Expr **texprs, const char **tnames, int nt)
{
    Expr *oe = s->order_by[i]->expr;
    if (oe->kind == EXPR_CONST && type_is_int((TypeId)oe->u.c.val.type) && oe->u.c.val.v.i >= 1 && oe->u.c.val.v.i <= nt)
        return texprs[oe->u.c.val.v.i - 1];
    if (oe->kind == EXPR_COLUMN && !oe->u.col.qualifier)
        for (int k = 0; k < nt; k++)
            if (strcmp(tnames[k], oe->u.col.name) == 0) return texprs[k];
    return oe;
}

/* LIMIT / OFFSET e's value (-1: none).  late: one that reads a column of
 * an enclosing query (a correlated subquery's) is not evaluated but put
 * in *late, for the Limit to evaluate as each run opens; NULL: such an
 * expression is not allowed here (0A000). */
static int const_int(SqlCtx *ctx, Expr *e, const char *what, Scope *env, i64 *out, ExprProg **late)
{
    *out = -1;
    if (late) *late = NULL;
    if (!e) return DD_OK;
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = ctx;
    cc.scope = env;
    cc.agg_forbidden = what;
    ExprProg *p;
    int rc = expr_compile_as(&cc, e, TYPE_INT8, -1, &p);
    if (rc) return rc;
    bool outer = false;
    for (int i = 0; i < p->n; i++) outer |= p->code[i].op == XOP_OUTER;
    if (outer && late) {
        *late = p;
        return DD_OK;
    }
    if (outer)
        return dd_err(ctx->err, DD_EFEATURE, e->loc, "%s reading a column of an enclosing query is not supported here",
                      what);
    EvalEnv ee = {ctx, NULL, 0, NULL};
    Value v;
    rc = expr_eval(p, &ee, NULL, &v);
    if (rc) return rc;
    if (v.isnull) return DD_OK;
    if (v.v.i < 0)
        return dd_err(ctx->err, strcmp(what, "OFFSET") == 0 ? DD_EINVALID_OFFSET_COUNT : DD_EINVALID_ROW_COUNT, e->loc,
                      "%s must not be negative", what);
    *out = v.v.i;
    return DD_OK;
}

/* Doubles the target arrays (statement arena). */
static int grow_targets(SqlCtx *ctx, Expr ***texprs, const char ***tnames, int nt, int *capt)
{
    *capt *= 2;
    Expr **ne = arena_alloc(ctx->stmt, sizeof(Expr *) * (size_t)*capt);
    const char **nn = arena_alloc(ctx->stmt, sizeof(char *) * (size_t)*capt);
    if (!ne || !nn) return DD_ENOMEM;
    memcpy(ne, *texprs, sizeof(Expr *) * (size_t)nt);
    memcpy(nn, *tnames, sizeof(char *) * (size_t)nt);
    *texprs = ne;
    *tnames = nn;
    return DD_OK;
}


/* LIMIT / OFFSET of s (constants) on top of *top. */
/* LIMIT / OFFSET / FETCH; WITH TIES also returns the rows that tie with
 * the last one on the ORDER BY keys (keys[0..nkeys): their slots). */
static int add_limit(SqlCtx *ctx, SelectStmt *s, Scope *env, Op **top, const SortKey *keys, int nkeys)
{
    i64 limit, offset;
    ExprProg *late_limit, *late_offset;
    int rc = const_int(ctx, s->limit, "LIMIT", env, &limit, &late_limit);
    if (!rc) rc = const_int(ctx, s->offset, "OFFSET", env, &offset, &late_offset);
    if (rc) return rc;
    if (s->with_ties && !s->norder)
        return dd_err(ctx->err, DD_ESYNTAX, s->limit ? s->limit->loc : s->loc,
                      "WITH TIES cannot be specified without ORDER BY clause");
    if (s->with_ties && !keys)
        return dd_err(ctx->err, DD_EFEATURE, s->limit ? s->limit->loc : s->loc,
                      "FETCH ... WITH TIES on a UNION, INTERSECT or EXCEPT is not supported");
    if (limit >= 0 || offset > 0 || late_limit || late_offset) {
        *top = s->with_ties ? op_limit_ties(ctx, *top, limit, offset < 0 ? 0 : offset, keys, nkeys)
                            : op_limit(ctx, *top, limit, offset < 0 ? 0 : offset);
        if (!*top) return DD_ENOMEM;
        if (late_limit || late_offset) op_limit_late(*top, late_limit, late_offset);
    }
    return DD_OK;
}

/* The rows a sort under LIMIT / OFFSET must keep (limit + offset), or 0
 * for all. */
static int sort_topn(SqlCtx *ctx, SelectStmt *s, Scope *env, i64 *topn)
{
    i64 limit, offset;
    ExprProg *late_limit, *late_offset;
    int rc = const_int(ctx, s->limit, "LIMIT", env, &limit, &late_limit);
    if (!rc) rc = const_int(ctx, s->offset, "OFFSET", env, &offset, &late_offset);
    if (rc) return rc;
    if (late_limit || late_offset) {   /* known only as the query runs */
        *topn = 0;
        return DD_OK;
    }
    *topn = limit >= 0 ? limit + (offset > 0 ? offset : 0) : 0;
    if (limit == 0) *topn = 1;   /* nothing is returned; keep the heap valid */
    if (s->with_ties) *topn = 0;   /* the ties past the limit are needed */
    return DD_OK;
}

/* ---------------------------------------------------------------- set operations */

int compile_row_casts(SqlCtx *ctx, const ColDesc *cols, int n, const TypeId *to, const i32 *typmods,
                      const char *const *assign, ExprProg ***out)
{
    ScopeRel rel;
    memset(&rel, 0, sizeof(rel));
    rel.alias = "";
    rel.ncols = n;
    rel.names = arena_alloc(ctx->stmt, sizeof(char *) * (size_t)(n + 1));
    rel.types = arena_alloc(ctx->stmt, sizeof(TypeId) * (size_t)(n + 1));
    ExprProg **progs = arena_alloc(ctx->stmt, sizeof(ExprProg *) * (size_t)(n + 1));
    if (!rel.names || !rel.types || !progs) return DD_ENOMEM;
    for (int k = 0; k < n; k++) {
        rel.names[k] = arena_printf(ctx->stmt, "c%d", k);
        rel.types[k] = cols[k].untyped ? TYPE_UNKNOWN : cols[k].type;
        if (!rel.names[k]) return DD_ENOMEM;
    }
    Scope sc;
    memset(&sc, 0, sizeof(sc));
    sc.rels = &rel;
    sc.nrels = 1;
    sc.nslots = n;
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = ctx;
    cc.scope = &sc;
    for (int k = 0; k < n; k++) {
        Expr e;
        memset(&e, 0, sizeof(e));
        e.kind = EXPR_COLUMN;
        e.loc = -1;
        e.u.col.name = (char *)rel.names[k];
        cc.assign_col = assign ? assign[k] : NULL;
        int rc = expr_compile_as(&cc, &e, to[k], typmods ? typmods[k] : -1, &progs[k]);
        if (rc) return rc;
    }
    *out = progs;
    return DD_OK;
}

/* Casts the columns of member plan m whose type differs from types[]. */
/* typmods (or NULL): the enums' ids, which untyped members read their labels as */
static int coerce_member(SqlCtx *ctx, Plan *m, const TypeId *types, const i32 *typmods, int n, Op **out)
{
    bool same = true;
    for (int k = 0; k < n; k++) same = same && m->cols[k].type == types[k] && !m->cols[k].untyped;
    *out = m->root;
    if (same) return DD_OK;
    ExprProg **progs;
    int rc = compile_row_casts(ctx, m->cols, n, types, typmods, NULL, &progs);
    if (rc) return rc;
    *out = op_project(ctx, m->root, progs, n);
    return *out ? DD_OK : DD_ENOMEM;
}

/* Member m's column k, untyped, is a $n standing alone (describing): it
 * takes type t, as PostgreSQL coerces an unknown Param of a set operation's
 * leaf to the type its node resolves. */
static void setop_param(SqlCtx *ctx, const Plan *m, int k, TypeId t)
{
    if (ctx->params || !ctx->param_types || !m->cols[k].untyped || !m->texprs) return;
    const Expr *e = m->texprs[k];
    if (e->kind != EXPR_PARAM || e->u.param.n < 1 || e->u.param.n > ctx->nparams) return;
    if (ctx->param_types[e->u.param.n - 1] == TYPE_UNKNOWN) ctx->param_types[e->u.param.n - 1] = t;
    sql_param_resolved(ctx, e->u.param.n);
}

/* One side of a set operation node while its column types resolve: its
 * type (TYPE_UNKNOWN: an untyped member column) and the member it is, or
 * -1 for a node below. */
typedef struct SetopSide {
    TypeId t;
    int leaf;
} SetopSide;

/* Column k of node (a op b): the typed side's type, their common type,
 * text when neither is typed (PostgreSQL's select_common_type of two); an
 * untyped member on either side takes it. */
static int setop_pair(SqlCtx *ctx, const Plan *plans, SetopSide *a, SetopSide b, int k, const char *op, int loc)
{
    TypeId t = a->t;
    if (a->t == TYPE_UNKNOWN) t = b.t == TYPE_UNKNOWN ? TYPE_TEXT : b.t;
    else if (b.t != TYPE_UNKNOWN && b.t != a->t && !type_common(a->t, b.t, &t))
        return dd_err(ctx->err, DD_EDATATYPE_MISMATCH, loc, "%s types %s and %s cannot be matched", op,
                      type_name(a->t), type_name(b.t));
    if (a->leaf >= 0 && a->t == TYPE_UNKNOWN) setop_param(ctx, &plans[a->leaf], k, t);
    if (b.leaf >= 0 && b.t == TYPE_UNKNOWN) setop_param(ctx, &plans[b.leaf], k, t);
    a->t = t;
    a->leaf = -1;
    return DD_OK;
}

static SetopSide setop_leaf(const Plan *plans, int i, int k)
{
    SetopSide s = {plans[i].cols[k].untyped ? TYPE_UNKNOWN : plans[i].cols[k].type, i};
    return s;
}

/* Column k's type over the n members of a set operation chain, as
 * PostgreSQL resolves it: pairwise up the tree of the operations
 * (INTERSECT binding tighter, each level left to right), so that in
 * SELECT $1 UNION SELECT 1 UNION SELECT 2.5 $1 is an integer and
 * SELECT 'a' UNION SELECT 'b' UNION SELECT 1 fails (text and integer). */
static int setop_type(SqlCtx *ctx, const Plan *plans, SelectStmt **mem, int n, int k, TypeId *out)
{
    static const char *opname[] = {"", "UNION", "INTERSECT", "EXCEPT"};
    SetopSide acc = {TYPE_UNKNOWN, -1};
    int rc;
    for (int i = 0; i < n;) {
        SetopSide g = setop_leaf(plans, i, k);
        int j = i;
        for (; j + 1 < n && mem[j]->setop == 2; j++)
            if ((rc = setop_pair(ctx, plans, &g, setop_leaf(plans, j + 1, k), k, opname[2], mem[j + 1]->loc)))
                return rc;
        if (i == 0) acc = g;
        else if ((rc = setop_pair(ctx, plans, &acc, g, k, opname[mem[i - 1]->setop], mem[i]->loc))) return rc;
        i = j + 1;
    }
    *out = acc.t == TYPE_UNKNOWN ? TYPE_TEXT : acc.t;
    return DD_OK;
}

/* Column k's type over the rows of a VALUES list: all at once, as
 * PostgreSQL's VALUES (VALUES ($1), (1), (2.5): $1 is numeric); untyped
 * $n take it. */
static int values_type(SqlCtx *ctx, const Plan *plans, SelectStmt **mem, int n, int k, TypeId *out)
{
    TypeId t = TYPE_UNKNOWN;
    for (int i = 0; i < n; i++) {
        if (plans[i].cols[k].untyped) continue;
        TypeId b = plans[i].cols[k].type;
        TypeId c = b;
        if (t != TYPE_UNKNOWN && b != t && !type_common(t, b, &c))
            return dd_err(ctx->err, DD_EDATATYPE_MISMATCH, mem[i]->loc, "VALUES types %s and %s cannot be matched",
                          type_name(t), type_name(b));
        t = t == TYPE_UNKNOWN || b != t ? c : t;
    }
    if (t == TYPE_UNKNOWN) t = TYPE_TEXT;
    for (int i = 0; i < n; i++) setop_param(ctx, &plans[i], k, t);
    *out = t;
    return DD_OK;
}

/*
 * a UNION/INTERSECT/EXCEPT b ...: the members are planned on their own
 * (the head's ORDER BY and LIMIT belong to the whole chain), their column
 * types unified as PostgreSQL's UNION resolution does, INTERSECT binding
 * tighter than UNION and EXCEPT (left-associative).  ORDER BY may name
 * result columns or give their positions.
 */
static int analyze_setop(SqlCtx *ctx, SelectStmt *s, Plan *p, const Scope *outer)
{
    int rc;
    if (s->nlocks)
        return dd_err(ctx->err, DD_EFEATURE, -1, "%s is not allowed with UNION/INTERSECT/EXCEPT",
                      locking_mode_name(s->locks[0]->mode));
    Scope env;
    memset(&env, 0, sizeof(env));
    env.ctes = outer ? outer->ctes : NULL;
    env.outer = outer;
    if (s->nctes && (rc = with_clause(ctx, s, outer, &env.ctes))) return rc;
    int n = 0;
    for (SelectStmt *m = s; m; m = m->setop ? m->next : NULL) n++;
    Plan *plans = arena_zalloc(ctx->stmt, sizeof(Plan) * (size_t)n);
    SelectStmt **mem = arena_alloc(ctx->stmt, sizeof(SelectStmt *) * (size_t)n);
    if (!plans || !mem) return DD_ENOMEM;
    int i = 0;
    for (SelectStmt *m = s; i < n; m = m->next, i++) {
        SelectStmt *c = arena_alloc(ctx->stmt, sizeof(SelectStmt));
        if (!c) return DD_ENOMEM;
        *c = *m;
        c->setop = 0;
        c->next = NULL;
        if (i == 0) {   /* the chain's ORDER BY / LIMIT / WITH are not the head's own */
            c->norder = 0;
            c->limit = c->offset = NULL;
            c->nctes = 0;
        }
        mem[i] = m;
        ctx->setop_leaf = c;
        rc = analyze_query(ctx, c, &plans[i], &env);
        if (rc) return rc;
    }
    static const char *opname[] = {"", "UNION", "INTERSECT", "EXCEPT"};
    int ncols = plans[0].ncols;
    TypeId *types = arena_alloc(ctx->stmt, sizeof(TypeId) * (size_t)(ncols ? ncols : 1));
    if (!types) return DD_ENOMEM;
    i32 *typmods = arena_alloc(ctx->stmt, sizeof(i32) * (size_t)(ncols ? ncols : 1));   /* enums' ids */
    if (!typmods) return DD_ENOMEM;
    for (int k = 0; k < ncols; k++) {
        typmods[k] = -1;
        for (i = 0; i < n && typmods[k] < 0; i++)
            if (plans[i].ncols == ncols && !plans[i].cols[k].untyped && type_has_etype(plans[i].cols[k].type))
                typmods[k] = plans[i].cols[k].typmod;
    }
    for (i = 1; i < n; i++) {
        if (plans[i].ncols != ncols)
            return dd_err(ctx->err, DD_ESYNTAX, mem[i]->loc, "each %s query must have the same number of columns",
                          opname[mem[i - 1]->setop]);
        for (int k = 0; k < ncols; k++) {
            /* two enum types (or their arrays): one category, no cast */
            TypeId b = plans[i].cols[k].type;
            if (type_has_etype(b) && !plans[i].cols[k].untyped && typmods[k] >= 0 &&
                typmods[k] != plans[i].cols[k].typmod)
                return dd_err(ctx->err, DD_ECANNOT_COERCE, mem[i]->loc, "%s could not convert type %s%s to %s%s",
                              opname[mem[i - 1]->setop], enum_type_name((u32)plans[i].cols[k].typmod, &ctx->vctx),
                              b == TYPE_ENUM ? "" : "[]", enum_type_name((u32)typmods[k], &ctx->vctx),
                              b == TYPE_ENUM ? "" : "[]");
        }
    }
    for (int k = 0; k < ncols; k++)
        if ((rc = s->values ? values_type(ctx, plans, mem, n, k, &types[k])
                            : setop_type(ctx, plans, mem, n, k, &types[k])))
            return rc;
    /* all but UNION ALL compare rows: json has no equality */
    for (i = 1; i < n; i++)
        if (!(mem[i - 1]->setop == 1 && mem[i - 1]->setop_all))
            for (int k = 0; k < ncols; k++)
                if (types[k] == TYPE_JSON) return json_no_operator(ctx, "equality", mem[0]->loc);
    Op **ops = arena_alloc(ctx->stmt, sizeof(Op *) * (size_t)n);
    if (!ops) return DD_ENOMEM;
    for (i = 0; i < n; i++)
        if ((rc = coerce_member(ctx, &plans[i], types, typmods, ncols, &ops[i]))) return rc;
    /* INTERSECT first, then UNION / EXCEPT from left to right */
    int *kind = arena_alloc(ctx->stmt, sizeof(int) * (size_t)n);
    bool *all = arena_alloc(ctx->stmt, sizeof(bool) * (size_t)n);
    if (!kind || !all) return DD_ENOMEM;
    int m = 0;
    for (i = 0; i < n; i++) {
        if (i > 0 && mem[i - 1]->setop == 2) {
            ops[m - 1] = op_setop(ctx, ops[m - 1], ops[i], 2, mem[i - 1]->setop_all, ncols);
            if (!ops[m - 1]) return DD_ENOMEM;
            continue;
        }
        ops[m] = ops[i];
        if (i > 0) { kind[m] = mem[i - 1]->setop; all[m] = mem[i - 1]->setop_all; }
        m++;
    }
    /* left to right; a run of UNION [ALL] is one Append: with a UNION
     * (distinct) at run position d, everything up to d is distinct, the
     * UNION ALLs after it append */
    Op *top = ops[0];
    for (i = 1; i < m;) {
        if (kind[i] != 1) {
            top = op_setop(ctx, top, ops[i], kind[i], all[i], ncols);
            if (!top) return DD_ENOMEM;
            i++;
            continue;
        }
        int j = i, d = -1;
        while (j < m && kind[j] == 1) {
            if (!all[j]) d = j;
            j++;
        }
        Op **run = arena_alloc(ctx->stmt, sizeof(Op *) * (size_t)(j - i + 2));
        if (!run) return DD_ENOMEM;
        int nr = 0;
        run[nr++] = top;
        int k = i;
        if (d >= 0) {
            for (; k <= d; k++) run[nr++] = ops[k];
            if (!(top = op_append(ctx, run, nr, true, ncols))) return DD_ENOMEM;
            nr = 0;
            run[nr++] = top;
        }
        for (; k < j; k++) run[nr++] = ops[k];
        if (nr > 1 && !(top = op_append(ctx, run, nr, false, ncols))) return DD_ENOMEM;
        i = j;
    }
    /* ORDER BY result columns, by name or position */
    if (s->norder) {
        SortKey *keys = arena_alloc(ctx->stmt, sizeof(SortKey) * (size_t)s->norder);
        if (!keys) return DD_ENOMEM;
        for (int k = 0; k < s->norder; k++) {
            Expr *e = s->order_by[k]->expr;
            int slot = -1;
            if (e->kind == EXPR_CONST && type_is_int((TypeId)e->u.c.val.type)) {
                i64 pos = e->u.c.val.v.i;
                if (pos < 1 || pos > ncols)
                    return dd_err(ctx->err, DD_EINVALID_COLUMN_REF, e->loc,
                                  "ORDER BY position %lld is not in select list", (long long)pos);
                slot = (int)pos - 1;
            } else if (e->kind == EXPR_COLUMN && !e->u.col.qualifier) {
                for (int c = 0; c < ncols && slot < 0; c++)
                    if (strcmp(plans[0].cols[c].name, e->u.col.name) == 0) slot = c;
                if (slot < 0)
                    return dd_err(ctx->err, DD_EUNDEFINED_COLUMN, e->loc, "column \"%s\" does not exist",
                                  e->u.col.name);
            } else {
                return dd_err(ctx->err, DD_EFEATURE, e->loc,
                              "invalid UNION/INTERSECT/EXCEPT ORDER BY clause");
            }
            keys[k].slot = slot;
            keys[k].desc = s->order_by[k]->desc;
            keys[k].nulls_first = s->order_by[k]->nulls == 1 || (s->order_by[k]->nulls == 0 && keys[k].desc);
        }
        i64 topn;
        if ((rc = sort_topn(ctx, s, &env, &topn))) return rc;
        top = op_sort(ctx, top, keys, s->norder, topn);
        if (!top) return DD_ENOMEM;
    }
    if ((rc = add_limit(ctx, s, &env, &top, NULL, 0))) return rc;
    p->kind = PLAN_QUERY;
    p->root = top;
    p->ncols = ncols;
    p->cols = arena_zalloc(ctx->stmt, sizeof(ColDesc) * (size_t)(ncols ? ncols : 1));
    if (!p->cols) return DD_ENOMEM;
    for (int k = 0; k < ncols; k++) {
        p->cols[k] = plans[0].cols[k];
        p->cols[k].type = types[k];
        p->cols[k].untyped = false;
        p->cols[k].src_table = p->cols[k].src_col = p->cols[k].src_domain = p->cols[k].src_sys = 0;   /* no one table's column */
        if (types[k] != plans[0].cols[k].type) p->cols[k].typmod = -1;
        if (type_has_etype(types[k])) p->cols[k].typmod = typmods[k];
    }
    return DD_OK;
}

/* Whether an index column's values order in the index as they compare:
 * types whose encoded values are short and exact (never cut to the
 * stored prefix). */
static bool index_orders_type(TypeId t)
{
    return type_is_int(t) || t == TYPE_FLOAT4 || t == TYPE_FLOAT8 || t == TYPE_BOOL || t == TYPE_DATE ||
           t == TYPE_TIMESTAMP || t == TYPE_TIMESTAMPTZ;
}

/* Whether the rows of from (one table's scan, perhaps filtered) can come
 * in the order of the ORDER BY keys, and makes them: the primary key's
 * order (ascending, or descending in the present), or an index's in the
 * present (its path already, or the whole index in place of a whole-table
 * scan when only the first rows are wanted: `limited`).  Keys are columns
 * of the table, all ascending (NULLS LAST) or all descending (NULLS
 * FIRST), the leading columns of the key or index. */
static bool rows_in_key_order(SqlCtx *ctx, Op *from, ExprProg **progs, const SortKey *keys, int nkeys, bool limited)
{
    const TableInfo *t = op_scan_table(from);
    if (!t || nkeys == 0) return false;
    bool desc = keys[0].desc;
    int col[16];
    if (nkeys > 16) return false;
    for (int i = 0; i < nkeys; i++) {
        const ExprProg *p = progs[keys[i].slot];
        if (keys[i].desc != desc || p->n != 1 || p->code[0].op != XOP_SLOT) return false;
        col[i] = p->code[0].a;
        if (col[i] < 0 || col[i] >= t->ncols) return false;
        if (t->cols[col[i]].type == TYPE_JSONB) return false;   /* keys do not order as jsonb does */
    }
    /* the primary key (never NULL) */
    bool pk = nkeys <= t->npk;
    for (int i = 0; pk && i < nkeys; i++) pk = col[i] == table_col_index(t, t->pk[i]);
    if (pk && !op_scan_index(from)) return op_scan_set_order(from, NULL, desc);
    /* an index of the present, with the snapshot's rows only */
    if (!sql_enabled(ctx, "enable_indexscan") || (ctx->ws && ws_has_table_rows(ctx->ws, t->id))) return false;
    for (int i = 0; i < nkeys; i++)
        if (keys[i].nulls_first != desc && !t->cols[col[i]].not_null) return false;
    const IndexInfo *cur = op_scan_index(from);
    for (int pass = 0; pass < 2; pass++) {
        for (int k = 0; k < t->nindexes; k++) {
            const IndexInfo *ix = &t->indexes[k];
            /* entries order by (values, primary key): keys past the
             * index's columns may be the key's leading columns */
            if ((pass == 0) != (ix == cur) || ix->ncols + t->npk < nkeys || ix->exprs) continue;
            if (ix != cur && ix->pred_sql) continue;   /* a partial index has not every row */
            if (pass == 1 && (!limited || cur || !op_scan_is_full(op_scan_of(from)))) continue;
            if (!sql_index_in_snapshot(ctx, t, ix)) continue;
            bool ok = true;
            for (int i = 0; ok && i < nkeys; i++) {
                if (i >= ix->ncols) {
                    ok = col[i] == table_col_index(t, t->pk[i - ix->ncols]);
                    continue;
                }
                int c = table_col_index(t, ix->cols[i]);
                ok = c == col[i] && (ix->colflags == NULL || !(ix->colflags[i] & INDEX_EXPR)) &&
                     index_orders_type(t->cols[c].type);
            }
            if (ok && op_scan_set_order(from, ix, desc)) return true;
        }
    }
    return false;
}

int analyze_select(SqlCtx *ctx, SelectStmt *s, Plan *p)
{
    return analyze_query(ctx, s, p, NULL);
}

/* Plans s in env (NULL at the top of a statement): env's WITH queries are
 * visible, its columns are those of enclosing queries. */
/* When program pr reads one column of a table the FROM clause fi reads
 * at one point, that column (ColDesc.src_*); a view's column is the
 * view's, a derived table's what its query's was. */
#define ATTNUM_TABLEOID (-6)   /* PostgreSQL's number of the system column tableoid */
static void col_source(const FromItem *fi, const ExprProg *pr, ColDesc *out)
{
    if (pr->n != 1 || pr->code[0].op != XOP_SLOT) return;
    int slot = pr->code[0].a;
    for (int r = 0; r < fi->nrels; r++) {
        const ScopeRel *rel = &fi->rels[r];
        if (slot < rel->slot0 || slot >= rel->slot0 + rel->ncols) continue;
        int j = slot - rel->slot0;
        const TableInfo *t = rel->table;
        if (!t && rel->view) {   /* a view's column: the view's, as PostgreSQL */
            if (rel->view->temp || j >= rel->view->ncols) return;
            out->src_table = rel->view->id;
            out->src_col = rel->view->cols[j].id;
            out->src_domain = rel->view->cols[j].domain;
            return;
        }
        if (rel->sys_oid) {   /* a system relation's; its last is tableoid (-6) */
            out->src_sys = rel->sys_oid;
            out->src_col = j == rel->ncols - 1 ? (u32)ATTNUM_TABLEOID : (u32)j + 1;
            return;
        }
        if (!t && rel->src_cols) {   /* a derived table's: what its query's column was */
            out->src_sys = rel->src_cols[j].src_sys;
            out->src_table = rel->src_cols[j].src_table;
            out->src_col = rel->src_cols[j].src_col;
            out->src_domain = rel->src_cols[j].src_domain;
            return;
        }
        if (!t || j >= t->ncols || t->view_sql || t->temp) return;
        out->src_table = t->id;
        out->src_col = t->cols[j].id;
        out->src_domain = t->cols[j].domain;
        return;
    }
}

/* In a grouped query, a target that is a bare column (a grouping key):
 * the table column its name finds in fi, when exactly one relation has
 * it (ColDesc.src_*). */
static void col_source_named(const FromItem *fi, const Expr *e, ColDesc *out)
{
    if (e->kind != EXPR_COLUMN || e->u.col.star_slot > 0) return;
    const ScopeRel *found = NULL;
    int fj = -1;
    for (int r = 0; r < fi->nrels; r++) {
        const ScopeRel *rel = &fi->rels[r];
        if (e->u.col.qualifier && !rel_named(rel, e->u.col.qualifier)) continue;
        for (int j = 0; j < rel->ncols; j++) {
            if (rel->hidden[j] || strcmp(rel->names[j], e->u.col.name) != 0) continue;
            if (found) return;   /* ambiguous: the query would not have planned; trace nothing */
            found = rel;
            fj = j;
        }
    }
    if (!found) return;
    if (found->sys_oid) {
        out->src_sys = found->sys_oid;
        out->src_col = fj == found->ncols - 1 ? (u32)ATTNUM_TABLEOID : (u32)fj + 1;
        return;
    }
    const TableInfo *t = found->table;
    if (!t || fj >= t->ncols || t->view_sql || t->temp) return;
    out->src_table = t->id;
    out->src_col = t->cols[fj].id;
    out->src_domain = t->cols[fj].domain;
}

/*
 * Describing a statement, PostgreSQL analyzes a query's select list after
 * FROM and before WHERE, GROUP BY, HAVING and ORDER BY, and a $n there
 * takes the type the first context it meets wants; a $n standing alone in
 * the select list is an unknown output, resolved as text once the query is
 * analyzed.  DriftDB plans FROM and WHERE together, then GROUP BY, then
 * the select list: so the select list is compiled with the parameter types
 * as they were before WHERE (this snapshot), and the types it gives are
 * then put together with those WHERE and GROUP BY gave.  SELECT $1 FROM t
 * WHERE $1 = 1 is then 42P08 (integer versus text), as PostgreSQL's.  Not
 * for the members of a set operation, whose outputs the operation types.
 */
TypeId *select_params_snapshot(SqlCtx *ctx, const SelectStmt *s)
{
    if (!ctx->param_resolved || ctx->params || !ctx->param_types || ctx->nparams <= 0 || ctx->setop_leaf == s)
        return NULL;
    return arena_memdup(ctx->stmt, ctx->param_types, sizeof(TypeId) * (size_t)ctx->nparams);
}

/* After the select list was compiled with snapshot `seen` as the
 * parameters' types (select_params_snapshot): each type it gave joins
 * those the rest of the query gave (now); one that two contexts typed
 * differently is 42P08, as PostgreSQL's second context would find it
 * typed already. */
static int select_params_merge(SqlCtx *ctx, const TypeId *seen, TypeId *now)
{
    for (int i = 0; i < ctx->nparams; i++) {
        if (seen[i] == TYPE_UNKNOWN || seen[i] == now[i]) continue;
        if (now[i] == TYPE_UNKNOWN) {
            now[i] = seen[i];
            continue;
        }
        int rc = dd_err(ctx->err, DD_EAMBIGUOUS_PARAMETER, -1, "inconsistent types deduced for parameter $%d", i + 1);
        dd_err_detail(ctx->err, "%s versus %s", type_name(seen[i]), type_name(now[i]));
        return rc;
    }
    return DD_OK;
}

static int analyze_query(SqlCtx *ctx, SelectStmt *s, Plan *p, const Scope *outer)
{
    int rc;
    if (s->setop) return analyze_setop(ctx, s, p, outer);
    /* WITH, then FROM (whose subqueries see this query's WITH but not its relations) */
    Scope env = {NULL, 0, 0, outer ? outer->ctes : NULL, outer, NULL, NULL, NULL, 0, 0};
    if (s->nctes) {
        rc = with_clause(ctx, s, outer, &env.ctes);
        if (rc) return rc;
    }
    FromItem fi;
    memset(&fi, 0, sizeof(fi));
    if (s->nfrom == 0) {
        fi.op = op_one_row(ctx);
        if (!fi.op) return DD_ENOMEM;
    } else {
        rc = plan_from_where(ctx, s, &env, &fi);
        if (rc) return rc;
    }
    Scope scope = {fi.rels, fi.nrels, fi.width, env.ctes, outer, NULL, NULL, fi.merged, 0, fi.nmerged};
    /* expand the target list (* and t.*) */
    int nt = 0, capt = s->ntargets + 8;
    Expr **texprs = arena_alloc(ctx->stmt, sizeof(Expr *) * (size_t)capt);
    const char **tnames = arena_alloc(ctx->stmt, sizeof(char *) * (size_t)capt);
    if (!texprs || !tnames) return DD_ENOMEM;
    for (int i = 0; i < s->ntargets; i++) {
        ResTarget *rt = s->targets[i];
        Expr *te = rt->expr;
        int nfield = 0;
        if ((rc = expand_fields(ctx, te, &te, &texprs, &tnames, &nt, &capt, &nfield))) return rc;
        if (nfield) continue;
        if (te->kind == EXPR_STAR) {
            const char *q = te->u.col.qualifier;
            bool any = false;
            if (scope.nrels == 0 && !q)
                return dd_err(ctx->err, DD_ESYNTAX, rt->loc, "SELECT * with no tables specified is not valid");
            if (!q && fi.star) {
                /* JOIN ... USING: the merged columns first (StarCol) */
                for (int k = 0; k < fi.nstar; k++) {
                    if (nt == capt && grow_targets(ctx, &texprs, &tnames, nt, &capt)) return DD_ENOMEM;
                    Expr *ce = arena_zalloc(ctx->stmt, sizeof(Expr));
                    if (!ce) return DD_ENOMEM;
                    ce->kind = EXPR_COLUMN;
                    ce->loc = ce->oploc = rt->loc;
                    StarCol sc = fi.star[k];
                    if (sc.merged >= 0) {
                        ce->u.col.name = (char *)fi.merged[sc.merged].name;
                        ce->u.col.star_slot = -(sc.merged + 1);
                    } else {
                        for (int r = 0; r < scope.nrels; r++) {
                            ScopeRel *rel = &scope.rels[r];
                            if (sc.slot < rel->slot0 || sc.slot >= rel->slot0 + rel->ncols) continue;
                            ce->u.col.qualifier = (char *)rel->alias;
                            ce->u.col.name = (char *)rel->names[sc.slot - rel->slot0];
                        }
                        ce->u.col.star_slot = sc.slot + 1;
                    }
                    texprs[nt] = ce;
                    tnames[nt++] = ce->u.col.name;
                }
                continue;
            }
            for (int r = 0; r < scope.nrels; r++) {
                ScopeRel *rel = &scope.rels[r];
                if (q && !rel_named(rel, q)) continue;
                any = true;
                for (int c = 0; c < rel->ncols; c++) {
                    if (rel->hidden[c]) continue;
                    if (nt == capt && grow_targets(ctx, &texprs, &tnames, nt, &capt)) return DD_ENOMEM;
                    Expr *ce = arena_zalloc(ctx->stmt, sizeof(Expr));
                    if (!ce) return DD_ENOMEM;
                    ce->kind = EXPR_COLUMN;
                    ce->loc = rt->loc;
                    ce->u.col.qualifier = (char *)rel->alias;
                    ce->u.col.name = (char *)rel->names[c];
                    ce->u.col.star_slot = rel->slot0 + c + 1;
                    texprs[nt] = ce;
                    tnames[nt++] = rel->names[c];
                }
            }
            for (int m = 0; q && !any && m < scope.mhi; m++) {
                /* alias.* of JOIN ... USING (...) AS alias: its merged columns */
                if (!scope.merged[m].alias || strcmp(scope.merged[m].alias, q) != 0) continue;
                if (nt == capt && grow_targets(ctx, &texprs, &tnames, nt, &capt)) return DD_ENOMEM;
                Expr *ce = arena_zalloc(ctx->stmt, sizeof(Expr));
                if (!ce) return DD_ENOMEM;
                ce->kind = EXPR_COLUMN;
                ce->loc = rt->loc;
                ce->u.col.qualifier = (char *)q;
                ce->u.col.name = (char *)scope.merged[m].name;
                texprs[nt] = ce;
                tnames[nt++] = scope.merged[m].name;
                if (m + 1 == scope.mhi || !scope.merged[m + 1].alias || strcmp(scope.merged[m + 1].alias, q) != 0) any = true;
            }
            if (!any)
                return dd_err(ctx->err, DD_EUNDEFINED_TABLE, rt->loc, "missing FROM-clause entry for table \"%s\"", q);
            continue;
        }
        if (nt == capt && grow_targets(ctx, &texprs, &tnames, nt, &capt)) return DD_ENOMEM;
        texprs[nt] = rt->expr;
        tnames[nt++] = rt->alias ? rt->alias : ast_column_name(rt->expr, ctx->stmt);
    }
    /* grouping? */
    bool grouped = s->ngroup > 0 || s->ngsets > 0 || s->having != NULL;
    for (int i = 0; !grouped && i < nt; i++) grouped = ast_has_aggregate(texprs[i]);
    for (int i = 0; !grouped && i < s->norder; i++) grouped = ast_has_aggregate(s->order_by[i]->expr);

    TypeId *params_at_where = s->nfrom ? fi.params_at_where : select_params_snapshot(ctx, s);
    if (s->nfrom == 0 && s->where) {
        CompileCtx wc;
        memset(&wc, 0, sizeof(wc));
        wc.sql = ctx;
        wc.scope = &scope;
        wc.agg_forbidden = "WHERE";
        ExprProg *pred;
        rc = expr_compile(&wc, s->where, &pred);
        if (!rc && pred->type != TYPE_BOOL) {
            if (pred->type == TYPE_UNKNOWN || pred->type == TYPE_NULLTYPE)
                rc = expr_compile_as(&wc, s->where, TYPE_BOOL, -1, &pred);
            else
                rc = dd_err(ctx->err, DD_EDATATYPE_MISMATCH, s->where->loc,
                            "argument of WHERE must be type boolean, not type %s", type_name(pred->type));
        }
        if (rc) return rc;
        fi.op = op_filter(ctx, fi.op, pred);
        if (!fi.op) return DD_ENOMEM;
    }
    Op *top = fi.op;

    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = ctx;
    cc.scope = &scope;
    /* GROUP BY items: expressions, output positions (GROUP BY 1) or output names */
    Expr **group = NULL;
    if (s->ngroup) {
        group = arena_alloc(ctx->stmt, sizeof(Expr *) * (size_t)s->ngroup);
        if (!group) return DD_ENOMEM;
        for (int i = 0; i < s->ngroup; i++) {
            Expr *g = s->group_by[i];
            if (g->kind == EXPR_CONST && type_is_int((TypeId)g->u.c.val.type)) {
                i64 k = g->u.c.val.v.i;
                if (k < 1 || k > nt)
                    return dd_err(ctx->err, DD_EINVALID_COLUMN_REF, g->loc, "GROUP BY position %lld is not in select list",
                                  (long long)k);
                g = texprs[k - 1];
            } else if (g->kind == EXPR_COLUMN && !g->u.col.qualifier) {
                /* an input column wins over an output alias, as PostgreSQL */
                int slot; bool found = false;
                for (int r = 0; r < scope.nrels && !found; r++)
                    for (int c = 0; c < scope.rels[r].ncols; c++)
                        if (strcmp(scope.rels[r].names[c], g->u.col.name) == 0) { found = true; break; }
                DD_UNUSED(slot);
                if (!found)
                    for (int k = 0; k < nt; k++)
                        if (strcmp(tnames[k], g->u.col.name) == 0 && s->targets[0]) { g = texprs[k]; break; }
            }
            if (ast_has_aggregate(g))
                return dd_err(ctx->err, DD_EGROUPING, g->loc, "aggregate functions are not allowed in GROUP BY");
            group[i] = g;
        }
    }
    /* GROUP BY a table's primary key: its other columns are functionally
     * dependent on it, as PostgreSQL knows, so they join the keys (which
     * makes no group different) and the select list may name them */
    int ngroup = s->ngroup;
    if (grouped && ngroup && !s->ngsets && (rc = group_by_key_columns(ctx, &scope, &group, &ngroup))) return rc;
    ExprProg **gprogs = NULL;
    if (grouped) {
        gprogs = arena_alloc(ctx->stmt, sizeof(ExprProg *) * (size_t)(ngroup + 1));
        if (!gprogs) return DD_ENOMEM;
        for (int i = 0; i < ngroup; i++) {
            cc.agg_forbidden = "GROUP BY";
            rc = expr_compile(&cc, group[i], &gprogs[i]);
            if (!rc) rc = expr_resolve_output(ctx, gprogs[i]);
            if (rc) return rc;
            if (gprogs[i]->type == TYPE_JSON) return json_no_operator(ctx, "equality", group[i]->loc);
        }
        cc.agg_forbidden = NULL;
        cc.grouped = true;
        cc.group = group;
        cc.ngroup = ngroup;
        if (s->ngsets) {
            /* the same expression twice is one key: masks over the first */
            int *canon = arena_alloc(ctx->stmt, sizeof(int) * (size_t)(ngroup + 1));
            u64 *sets = arena_alloc(ctx->stmt, sizeof(u64) * (size_t)s->ngsets);
            if (!canon || !sets) return DD_ENOMEM;
            for (int i = 0; i < ngroup; i++) {
                canon[i] = i;
                for (int j = 0; j < i && canon[i] == i; j++)
                    if (ast_expr_equal(group[j], group[i])) canon[i] = canon[j];
            }
            for (int k = 0; k < s->ngsets; k++) {
                sets[k] = 0;
                for (int i = 0; i < ngroup; i++)
                    if ((s->gsets[k] >> i) & 1) sets[k] |= 1ULL << canon[i];
            }
            cc.gsets = sets;
            cc.ngsets = s->ngsets;
        }
    }
    /* targets */
    ExprProg *having = NULL;
    int nextra = 0;
    ExprProg **progs = arena_alloc(ctx->stmt, sizeof(ExprProg *) * (size_t)(nt + s->norder + 1));
    SortKey *keys = arena_alloc(ctx->stmt, sizeof(SortKey) * (size_t)(s->norder + 1));
    if (!progs || !keys) return DD_ENOMEM;
    cc.windefs = s->windows;
    cc.nwindefs = s->nwindows;
    for (int i = 0; i < s->nwindows; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(s->windows[i]->name, s->windows[j]->name) == 0)
                return dd_err(ctx->err, DD_EWINDOWING, s->windows[i]->loc, "window \"%s\" is already defined",
                              s->windows[i]->name);
    cc.win_allowed = true;
    cc.srf_allowed = true;
    TypeId *now = ctx->param_types;
    if (params_at_where) {   /* PostgreSQL's order (select_params_snapshot) */
        ctx->param_types = params_at_where;
        ctx->params_snapshot_depth++;
    }
    for (int i = 0; i < nt && !rc; i++) rc = expr_compile(&cc, texprs[i], &progs[i]);
    if (params_at_where) {
        ctx->param_types = now;
        ctx->params_snapshot_depth--;
        if (!rc) rc = select_params_merge(ctx, params_at_where, now);
    }
    if (rc) return rc;
    if (s->having) {
        cc.win_allowed = false;
        cc.srf_allowed = false;
        cc.win_forbidden = "HAVING";
        rc = expr_compile_as(&cc, s->having, TYPE_BOOL, -1, &having);
        if (rc) return rc;
        cc.win_allowed = true;
        cc.srf_allowed = true;
        cc.win_forbidden = NULL;
    }
    /* ORDER BY: output position, output name, or an expression */
    for (int i = 0; i < s->norder; i++) {
        SortItem *si = s->order_by[i];
        Expr *e = si->expr;
        int slot = -1;
        if (e->kind == EXPR_CONST && type_is_int((TypeId)e->u.c.val.type)) {
            i64 k = e->u.c.val.v.i;
            if (k < 1 || k > nt)
                return dd_err(ctx->err, DD_EINVALID_COLUMN_REF, e->loc, "ORDER BY position %lld is not in select list",
                              (long long)k);
            slot = (int)k - 1;
        } else if (e->kind == EXPR_COLUMN && !e->u.col.qualifier) {
            for (int k = 0; k < nt; k++) {
                if (strcmp(tnames[k], e->u.col.name) != 0) continue;
                if (slot < 0) { slot = k; continue; }
                /* two output columns of that name: the same expression? */
                const Expr *x = texprs[slot], *y = texprs[k];
                bool same = x->kind == EXPR_COLUMN && y->kind == EXPR_COLUMN && x->u.col.star_slot &&
                                    y->u.col.star_slot
                                ? x->u.col.star_slot == y->u.col.star_slot
                                : ast_expr_equal(x, y);
                if (!same)
                    return dd_err(ctx->err, DD_EAMBIGUOUS_COLUMN, e->loc, "ORDER BY \"%s\" is ambiguous",
                                  e->u.col.name);
            }
        }
        if (slot < 0) {
            for (int k = 0; k < nt; k++)
                if (ast_expr_equal(texprs[k], e)) { slot = k; break; }
        }
        if (slot < 0) {
            if (s->distinct)
                return dd_err(ctx->err, DD_EINVALID_COLUMN_REF, e->loc,
                              "for SELECT DISTINCT, ORDER BY expressions must appear in select list");
            rc = expr_compile(&cc, e, &progs[nt + nextra]);
            if (!rc) rc = expr_resolve_output(ctx, progs[nt + nextra]);
            if (rc) return rc;
            slot = nt + nextra++;
        }
        keys[i].slot = slot;
        keys[i].desc = si->desc;
        keys[i].nulls_first = si->nulls == 1 || (si->nulls == 0 && si->desc);
        if (progs[slot]->type == TYPE_JSON) return json_no_operator(ctx, "ordering", e->loc);
    }
    for (int i = 0; s->distinct && i < nt; i++)
        if (progs[i]->type == TYPE_JSON) return json_no_operator(ctx, "equality", texprs[i]->loc);
    /* DISTINCT ON (exprs): their values past the ORDER BY keys; the leading
     * ORDER BY items must be among them */
    int don_base = nt + nextra;
    bool don_sorted = false;   /* the leading ORDER BY items are all the DISTINCT ON expressions */
    if (s->ndistinct_on) {
        ExprProg **np = arena_alloc(ctx->stmt, sizeof(ExprProg *) * (size_t)(don_base + s->ndistinct_on + 1));
        if (!np) return DD_ENOMEM;
        memcpy(np, progs, sizeof(ExprProg *) * (size_t)don_base);
        progs = np;
        Expr **don = arena_alloc(ctx->stmt, sizeof(Expr *) * (size_t)(s->ndistinct_on + 1));
        if (!don) return DD_ENOMEM;
        for (int i = 0; i < s->ndistinct_on; i++) {
            Expr *e = s->distinct_on[i];
            /* an output position or name stands for that output's expression */
            if (e->kind == EXPR_CONST && type_is_int((TypeId)e->u.c.val.type)) {
                i64 k = e->u.c.val.v.i;
                if (k < 1 || k > nt)
                    return dd_err(ctx->err, DD_EINVALID_COLUMN_REF, e->loc,
                                  "SELECT DISTINCT ON position %lld is not in select list", (long long)k);
                e = texprs[k - 1];
            } else if (e->kind == EXPR_COLUMN && !e->u.col.qualifier) {
                for (int k = 0; k < nt; k++)   /* an output name first, as ORDER BY */
                    if (strcmp(tnames[k], e->u.col.name) == 0) { e = texprs[k]; break; }
            }
            don[i] = e;
            cc.win_allowed = true;
            if ((rc = expr_compile(&cc, e, &progs[don_base + i])) ||
                (rc = expr_resolve_output(ctx, progs[don_base + i])))
                return rc;
        }
        for (int i = 0; i < s->norder && i < s->ndistinct_on; i++) {
            Expr *oe = order_item_expr(s, i, texprs, tnames, nt);
            bool in = false;
            for (int j = 0; j < s->ndistinct_on && !in; j++) in = ast_expr_equal(oe, don[j]);
            if (!in)
                return dd_err(ctx->err, DD_EINVALID_COLUMN_REF, s->order_by[i]->expr->loc,
                              "SELECT DISTINCT ON expressions must match initial ORDER BY expressions");
        }
        /* rows of equal DISTINCT ON values come together only when the
         * ORDER BY items before the others hold every one of them
         * (DISTINCT ON (a, b) ... ORDER BY a does not) */
        don_sorted = s->norder > 0;
        for (int j = 0; j < s->ndistinct_on && don_sorted; j++) {
            bool in = false;
            for (int i = 0; i < s->norder && i < s->ndistinct_on && !in; i++)
                in = ast_expr_equal(order_item_expr(s, i, texprs, tnames, nt), don[j]);
            don_sorted = in;
        }
    }
    if (grouped) {
        top = op_aggregate(ctx, top, gprogs, ngroup, cc.aggs, cc.naggs);
        if (top && cc.ngsets) op_aggregate_sets(top, cc.gsets, cc.ngsets);
        if (!top) return DD_ENOMEM;
        if (having) {
            top = op_filter(ctx, top, having);
            if (!top) return DD_ENOMEM;
        }
    }
    if (cc.nwins) {
        /* window calls: computed over the rows so far, read past them */
        int base = grouped ? ngroup + (cc.ngsets ? 1 : 0) + cc.naggs : fi.width;
        for (int i = 0; i < nt + nextra + s->ndistinct_on; i++)
            for (int k = 0; k < progs[i]->n; k++)
                if (progs[i]->code[k].op == XOP_WINREF) {
                    progs[i]->code[k].op = XOP_SLOT;
                    progs[i]->code[k].a += base;
                }
        for (int i = 0; i < cc.nsrfs; i++)
            for (int a = 0; a < cc.srfs[i]->nargs; a++)
                for (int k = 0; k < cc.srfs[i]->args[a]->n; k++)
                    if (cc.srfs[i]->args[a]->code[k].op == XOP_WINREF) {
                        cc.srfs[i]->args[a]->code[k].op = XOP_SLOT;
                        cc.srfs[i]->args[a]->code[k].a += base;
                    }
        top = op_window(ctx, top, base, cc.wins, cc.nwins);
        if (!top) return DD_ENOMEM;
    }
    if (cc.nsrfs) {
        /* set-returning calls of the list: their values past the row so far */
        int base = top->width;
        for (int i = 0; i < nt + nextra + s->ndistinct_on; i++)
            for (int k = 0; k < progs[i]->n; k++)
                if (progs[i]->code[k].op == XOP_SRFREF) {
                    progs[i]->code[k].op = XOP_SLOT;
                    progs[i]->code[k].a += base;
                }
        top = op_project_set(ctx, top, base, cc.srfs, cc.nsrfs);
        if (!top) return DD_ENOMEM;
    }
    bool sorted = s->norder && !grouped && !s->distinct && !s->ndistinct_on && fi.nrels == 1 && !cc.nwins &&
                  !cc.nsrfs &&
                  rows_in_key_order(ctx, fi.op, progs, keys, s->norder, s->limit != NULL);
    /* FOR UPDATE / SHARE: the primary key of each table locked, past the
     * other columns */
    LockRel *locks = NULL;
    int nlocks = 0, nkeys = 0;
    if (s->nlocks) {
        bool aggs = grouped && !s->ngroup && !s->ngsets && !s->having;
        const ScopeRel **lrels;
        if ((rc = locking_check(ctx, s, aggs, cc.nwins, cc.nsrfs)) ||
            (rc = locking_targets(ctx, s, &scope, &locks, &nlocks, &lrels)))
            return rc;
        for (int i = 0; i < nlocks; i++) nkeys += locks[i].t->npk;
        int base = nt + nextra + s->ndistinct_on;
        ExprProg **np = arena_alloc(ctx->stmt, sizeof(ExprProg *) * (size_t)(base + nkeys + 1));
        if (!np) return DD_ENOMEM;
        memcpy(np, progs, sizeof(ExprProg *) * (size_t)base);
        progs = np;
        int k = base;
        for (int i = 0; i < nlocks; i++) {
            const TableInfo *t = locks[i].t;
            locks[i].key0 = k;
            for (int c = 0; c < t->npk; c++) {
                int ci = table_col_index(t, t->pk[c]);
                Expr *ce = arena_zalloc(ctx->stmt, sizeof(Expr));
                if (!ce || ci < 0) return ci < 0 ? dd_corrupt(ctx->err, "primary key column %u missing", t->pk[c])
                                                 : DD_ENOMEM;
                ce->kind = EXPR_COLUMN;
                ce->loc = ce->oploc = s->locks[0]->loc;
                ce->u.col.qualifier = (char *)lrels[i]->alias;
                ce->u.col.name = (char *)lrels[i]->names[ci];
                ce->u.col.star_slot = lrels[i]->slot0 + ci + 1;
                if ((rc = expr_compile(&cc, ce, &progs[k++]))) return rc;
            }
        }
    }
    top = op_project(ctx, top, progs, nt + nextra + s->ndistinct_on + nkeys);
    if (!top) return DD_ENOMEM;
    if (s->distinct) {
        top = op_distinct(ctx, top, nt);
        if (!top) return DD_ENOMEM;
    }
    if (s->norder && !sorted) {
        i64 topn = 0;
        /* locking: rows SKIP LOCKED passes over are replaced by later ones */
        if (!s->ndistinct_on && !s->nlocks && (rc = sort_topn(ctx, s, &env, &topn))) return rc;
        top = op_sort(ctx, top, keys, s->norder, topn);
        if (!top) return DD_ENOMEM;
    }
    if (s->ndistinct_on && !(top = op_distinct_on(ctx, top, don_base, s->ndistinct_on))) return DD_ENOMEM;
    if (don_sorted) op_distinct_sorted(top);
    if (nlocks) {
        /* the rows LIMIT and OFFSET take are locked, and no more */
        i64 limit, offset;
        if ((rc = const_int(ctx, s->limit, "LIMIT", &env, &limit, NULL)) ||
            (rc = const_int(ctx, s->offset, "OFFSET", &env, &offset, NULL)))
            return rc;
        i64 off = offset > 0 ? offset : 0;
        i64 maxrows = limit < 0 || s->with_ties || limit > INT64_MAX - off ? -1 : limit + off;
        if (!(top = op_lockrows(ctx, top, locks, nlocks, maxrows))) return DD_ENOMEM;
    }
    if ((rc = add_limit(ctx, s, &env, &top, keys, s->norder))) return rc;
    p->kind = PLAN_QUERY;
    p->root = top;
    p->ncols = nt;
    p->texprs = texprs;
    p->grouped = grouped;
    p->cols = arena_alloc(ctx->stmt, sizeof(ColDesc) * (size_t)(nt ? nt : 1));
    if (!p->cols) return DD_ENOMEM;
    for (int i = 0; i < nt; i++) {
        if ((rc = expr_resolve_output(ctx, progs[i]))) return rc;
        /* a query inside a select list compiled in PostgreSQL's order (a
         * scalar subquery): a $n it outputs untyped is text from here on,
         * as PostgreSQL resolves it when it finishes the subquery */
        if (ctx->params_snapshot_depth > 0 && ctx->setop_leaf != s && progs[i]->n == 1 &&
            progs[i]->code[0].op == XOP_PARAM && progs[i]->type == TYPE_UNKNOWN &&
            ctx->param_types[progs[i]->code[0].a - 1] == TYPE_UNKNOWN)
            ctx->param_types[progs[i]->code[0].a - 1] = TYPE_TEXT;
        p->cols[i].name = tnames[i];
        TypeId t = progs[i]->type;
        p->cols[i].untyped = t == TYPE_UNKNOWN || t == TYPE_NULLTYPE;
        if (p->cols[i].untyped) t = TYPE_TEXT;
        p->cols[i].type = t;
        p->cols[i].typmod = progs[i]->typmod;
        p->cols[i].src_table = p->cols[i].src_col = p->cols[i].src_domain = p->cols[i].src_sys = 0;
        if (!grouped) col_source(&fi, progs[i], &p->cols[i]);
        else col_source_named(&fi, texprs[i], &p->cols[i]);   /* a grouped query's key columns */
    }
    return DD_OK;
}
