/*
 * srf.c - running the set-returning functions (analyze/expr.h SrfCall):
 * an iterator per call, started over the values of its arguments, and the
 * two operators that drive them:
 *
 *   Function Scan  the functions of a FROM item (unnest(a, b) is one call
 *                  per array), in lockstep: a row while any of them has a
 *                  value, the others NULL; WITH ORDINALITY numbers the rows.
 *   ProjectSet     the calls of a SELECT list, per input row, in the same
 *                  lockstep (PostgreSQL 10's rule); the input row is kept
 *                  in front of their values.  An input row for which every
 *                  call is empty gives no row.
 *
 * An iterator copies its arguments into its own arena at start, so what
 * it returns stays valid until its next value (values built per row, as
 * regexp_matches' arrays, go to the row arena).  Every function is
 * strict: a NULL argument gives no rows.  The json ones keep their rows in
 * a json function operator of executor.c (op_json_srf_run).
 *
 *   start -> next* (1 value, 0 at the end) -> start again or free
 */
#include "executor.h"
#include "../types/recordval.h"
#include "../types/array.h"
#include "../types/regex.h"

#include <string.h>

typedef struct SrfIter {
    const SrfCall *call;
    Arena arena;
    RxCache *site;          /* compiled patterns, for the statement */
    bool done;
    /* generate_series */
    Value cur, stop, step;
    int dir;
    /* regexp_split_to_table, regexp_matches */
    RxSplit sp;
    bool global;
    /* unnest */
    ArrayVal arr;
    u32 i;
    /* the json functions: a json function op (executor.c) as the rows' holder */
    Op *json;
} SrfIter;

static int neg(int rc) { return rc > 0 ? -rc : rc; }

/* Starts it over row (the arguments are evaluated over it). */
static int srf_start(SqlCtx *ctx, EvalEnv *env, SrfIter *it, const Value *row)
{
    const SrfCall *c = it->call;
    arena_reset(&it->arena);
    it->done = true;
    Value v[4];
    if (c->kind == SRF_JSON) {
        Value a[4];
        for (int i = 0; i < c->nargs; i++) {
            int rc = expr_eval(c->args[i], env, row, &a[i]);
            if (rc) return rc;
        }
        if (!it->json) {
            const char *n = c->name + (strncmp(c->name, "jsonb", 5) == 0 ? 6 : 5);
            JsonSrfKind k = strcmp(c->name, "jsonb_path_query") == 0 ? JSRF_PATH
                          : strcmp(n, "each") == 0 ? JSRF_EACH
                          : strcmp(n, "each_text") == 0 ? JSRF_EACH_TEXT
                          : strcmp(n, "array_elements") == 0 ? JSRF_ELEMENTS
                          : strcmp(n, "array_elements_text") == 0 ? JSRF_ELEMENTS_TEXT : JSRF_KEYS;
            it->json = op_json_srf(ctx, NULL, c->nargs, k, c->args[0]->type, false);
            if (!it->json) return DD_ENOMEM;
        }
        it->i = 0;
        int rc = op_json_srf_run(ctx, it->json, a);
        if (!rc) it->done = false;
        return rc;
    }
    for (int i = 0; i < c->nargs; i++) {
        Value x;
        int rc = expr_eval(c->args[i], env, row, &x);
        if (!rc) rc = val_copy(&it->arena, &x, &v[i]);
        if (rc) return rc;
        if (x.isnull) return DD_OK;
    }
    ValueCtx vc = ctx->vctx;
    vc.arena = &it->arena;
    int rc = DD_OK;
    switch (c->kind) {
    case SRF_SERIES: {
        /* numeric NaN and infinities would never end the series (PostgreSQL's errors) */
        static const char *what[3] = {"start value", "stop value", "step size"};
        for (int i = 0; i < c->nargs && i < 3; i++)
            if (v[i].type == TYPE_NUMERIC && numeric_is_special(v[i].scale))
                return dd_err(ctx->err, DD_EINVALID_PARAM, -1, "%s cannot be %s", what[i],
                              numeric_is_nan(v[i].scale) ? "NaN" : "infinity");
        it->cur = v[0];
        it->stop = v[1];
        if (c->nargs > 2) {
            it->step = v[2];
        } else {
            Value one = val_int(TYPE_INT4, 1);
            if ((rc = val_cast(&one, c->type, -1, false, &vc, &it->step, ctx->err))) return rc;
        }
        /* the step's direction: start + step against start */
        Value next;
        if ((rc = val_arith(ARITH_ADD, &it->cur, &it->step, &vc, &next, ctx->err))) return rc;
        int cmp = val_compare(&next, &it->cur, &ctx->vctx);
        if (cmp == 0) return dd_err(ctx->err, DD_EINVALID_PARAM, -1, "step size cannot equal zero");
        it->dir = cmp > 0 ? 1 : -1;
        break;
    }
    case SRF_UNNEST:
    case SRF_EXPAND:
        if ((rc = array_from_value(&v[0], &it->arena, &it->arr, ctx->err))) return rc;
        it->i = 0;
        break;
    case SRF_SPLIT:
    case SRF_MATCHES: {
        unsigned opts = 0;
        if (c->nargs > 2 && (rc = rx_parse_flags(v[2].v.s.p, v[2].v.s.len, &opts, ctx->err))) return rc;
        if (c->kind == SRF_SPLIT && (opts & RX_GLOBAL))
            return dd_err(ctx->err, DD_EINVALID_PARAM, -1, "regexp_split_to_table() does not support the \"global\" option");
        it->global = opts & RX_GLOBAL;
        const Regex *re;
        if ((rc = rx_compile(&it->site, ctx->stmt, v[1].v.s.p, v[1].v.s.len, opts & ~(unsigned)RX_GLOBAL, &re, ctx->err)))
            return rc;
        rx_split_init(&it->sp, re, v[0].v.s.p, v[0].v.s.len);
        break;
    }
    case SRF_JSON: break;   /* above */
    }
    it->done = false;
    return DD_OK;
}

/* The next value: 1, 0 at the end, -code. */
static int srf_next(SqlCtx *ctx, SrfIter *it, Value *out)
{
    if (it->done) return 0;
    const SrfCall *c = it->call;
    switch (c->kind) {
    case SRF_SERIES: {
        if (val_compare(&it->cur, &it->stop, &ctx->vctx) * it->dir > 0) break;
        *out = it->cur;
        /* the next value: fixed-size payloads need no arena; others are
         * kept in the iterator's (the one returned stays valid meanwhile) */
        ValueCtx vc = ctx->vctx;
        vc.arena = ctx->row;
        Value next;
        DdError e;
        dd_err_clear(&e);
        if (val_arith(ARITH_ADD, &it->cur, &it->step, &vc, &next, &e)) {
            it->done = true;   /* past the type's range: the series ends there */
        } else if ((next.type == TYPE_NUMERIC && !numeric_is_big(next.scale)) || type_is_int((TypeId)next.type) ||
                   type_is_datetime((TypeId)next.type)) {
            it->cur = next;
        } else {
            Value kept;
            if (val_copy(&it->arena, &next, &kept)) return -DD_ENOMEM;
            it->cur = kept;
        }
        return 1;
    }
    case SRF_JSON:
        if (c->type == TYPE_RECORD) {   /* json(b)_each(_text): (key, value) */
            int r = op_json_srf_record(it->json, (int)it->i, ctx->row, out);
            if (r < 0) return r;
            if (r == 0) break;
            it->i++;
            return 1;
        }
        if (!op_json_srf_row(it->json, (int)it->i, out)) break;
        it->i++;
        return 1;
    case SRF_UNNEST:
        if (it->i >= it->arr.n) break;
        *out = it->arr.items[it->i++];
        return 1;
    case SRF_EXPAND: {
        /* (x, n): the element and its position from 1 (a one-dimensional
         * array's, as information_schema._pg_expandarray) */
        if (it->i >= it->arr.n) break;
        static const char *const names[] = {"x", "n"};
        Value f[2] = {it->arr.items[it->i], val_int(TYPE_INT4, (i64)it->i + 1)};
        it->i++;
        int rc = record_make(2, names, f, ctx->row, out);
        return rc ? neg(rc) : 1;
    }
    case SRF_SPLIT: {
        size_t from, to;
        int got = rx_split_next(&it->sp, &from, &to, ctx->err);
        if (got <= 0) { it->done = true; return got; }
        *out = val_text(TYPE_TEXT, it->sp.m.s + from, (u32)(to - from));
        return 1;
    }
    case SRF_MATCHES: {
        int found = rx_next(&it->sp.m, ctx->err);
        if (found <= 0) { it->done = true; return found; }
        if (!it->global) it->done = true;
        int rc = rx_match_groups(&it->sp.m, ctx->row, out, ctx->err);
        return rc ? neg(rc) : 1;
    }
    }
    it->done = true;
    return 0;
}

static void iters_free(SrfIter *its, int n)
{
    for (int i = 0; its && i < n; i++) {
        arena_free(&its[i].arena);
        op_json_srf_free(its[i].json);
    }
}

static SrfIter *iters_new(SqlCtx *ctx, SrfCall **calls, int n)
{
    SrfIter *its = arena_zalloc(ctx->stmt, sizeof(SrfIter) * (size_t)(n ? n : 1));
    for (int i = 0; its && i < n; i++) {
        its[i].call = calls[i];
        arena_init(&its[i].arena, 1024);
    }
    return its;
}

/* One lockstep step of n iterators into vals: 1 when any had a value. */
static int lockstep(SqlCtx *ctx, SrfIter *its, int n, Value *vals)
{
    bool any = false;
    for (int i = 0; i < n; i++) {
        int rc = srf_next(ctx, &its[i], &vals[i]);
        if (rc < 0) return rc;
        if (rc == 0) vals[i] = val_null(its[i].call->type);
        any |= rc == 1;
    }
    return any ? 1 : 0;
}

static void *srf_op_alloc(SqlCtx *ctx, size_t size, const OpVtbl *vt, int width)
{
    Op *o = arena_zalloc(ctx->stmt, size);
    if (!o) return NULL;
    o->vt = vt;
    o->width = width;
    o->env.sql = ctx;
    return o;
}

/* ================================================================ Function Scan */

typedef struct FuncScanOp {
    Op op;
    SrfIter *its; int n;
    bool ordinality;
    const char *name;
    i64 count;
    Value *row;
} FuncScanOp;

static int fscan_open(SqlCtx *ctx, Op *op)
{
    FuncScanOp *s = (FuncScanOp *)op;
    s->count = 0;
    for (int i = 0; i < s->n; i++) {
        int rc = srf_start(ctx, &op->env, &s->its[i], NULL);
        if (rc) return rc;
    }
    return DD_OK;
}

static int fscan_next(SqlCtx *ctx, Op *op, Value **row)
{
    FuncScanOp *s = (FuncScanOp *)op;
    if (ctx->interrupt && *ctx->interrupt) return -sql_check_interrupt(ctx);
    int rc = lockstep(ctx, s->its, s->n, s->row);
    if (rc <= 0) return rc;
    if (s->ordinality) s->row[s->n] = val_int(TYPE_INT8, ++s->count);
    *row = s->row;
    return 1;
}

static void fscan_close(SqlCtx *ctx, Op *op)
{
    DD_UNUSED(ctx);
    FuncScanOp *s = (FuncScanOp *)op;
    iters_free(s->its, s->n);
}

static void fscan_explain(Op *op, Buf *out)
{
    buf_printf(out, " %s", ((FuncScanOp *)op)->name);
}

static const OpVtbl fscan_vt = {"Function Scan on", fscan_open, fscan_next, fscan_close, fscan_explain, NULL};

Op *op_function_scan(SqlCtx *ctx, SrfCall **calls, int ncalls, const char *name, bool ordinality)
{
    FuncScanOp *s = srf_op_alloc(ctx, sizeof(*s), &fscan_vt, ncalls + (ordinality ? 1 : 0));
    if (!s) return NULL;
    s->its = iters_new(ctx, calls, ncalls);
    s->n = ncalls;
    s->name = name;
    s->ordinality = ordinality;
    s->row = arena_zalloc(ctx->stmt, sizeof(Value) * (size_t)(ncalls + 1));
    if (!s->its || !s->row) return NULL;
    op_estimate(&s->op, ncalls && calls[0]->kind == SRF_MATCHES ? 10 : 1000, 1000);
    return &s->op;
}

/* ================================================================ ProjectSet */

typedef struct ProjectSetOp {
    Op op;
    int in_width;
    SrfIter *its; int n;
    bool have;              /* an input row is being expanded */
    Arena arena;            /* that input row's copy */
    Value *row;             /* input values, then the calls' */
} ProjectSetOp;

static int pset_open(SqlCtx *ctx, Op *op)
{
    ProjectSetOp *p = (ProjectSetOp *)op;
    p->have = false;
    return op_open(ctx, op->child);
}

static int pset_next(SqlCtx *ctx, Op *op, Value **row)
{
    ProjectSetOp *p = (ProjectSetOp *)op;
    for (;;) {
        if (ctx->interrupt && *ctx->interrupt) return -sql_check_interrupt(ctx);
        if (p->have) {
            int rc = lockstep(ctx, p->its, p->n, p->row + p->in_width);
            if (rc < 0) return rc;
            if (rc == 1) { *row = p->row; return 1; }
            p->have = false;
        }
        Value *in;
        int rc = op_next(ctx, op->child, &in);
        if (rc <= 0) return rc;
        /* the input row outlives this call (the row arena is reset per
         * output row): keep a copy */
        arena_reset(&p->arena);
        for (int i = 0; i < p->in_width; i++)
            if ((rc = val_copy(&p->arena, &in[i], &p->row[i]))) return neg(rc);
        for (int i = 0; i < p->n; i++)
            if ((rc = srf_start(ctx, &op->env, &p->its[i], p->row))) return neg(rc);
        p->have = true;
    }
}

static void pset_close(SqlCtx *ctx, Op *op)
{
    ProjectSetOp *p = (ProjectSetOp *)op;
    op_close(ctx, op->child);
    iters_free(p->its, p->n);
    arena_free(&p->arena);
}

static const OpVtbl pset_vt = {"ProjectSet", pset_open, pset_next, pset_close, NULL, NULL};

Op *op_project_set(SqlCtx *ctx, Op *child, int in_width, SrfCall **calls, int ncalls)
{
    ProjectSetOp *p = srf_op_alloc(ctx, sizeof(*p), &pset_vt, in_width + ncalls);
    if (!p) return NULL;
    p->op.child = child;
    p->in_width = in_width;
    p->its = iters_new(ctx, calls, ncalls);
    p->n = ncalls;
    arena_init(&p->arena, 1024);
    p->row = arena_zalloc(ctx->stmt, sizeof(Value) * (size_t)(in_width + ncalls + 1));
    if (!p->its || !p->row) return NULL;
    op_estimate(&p->op, child->est_rows * 10, child->est_cost);
    return &p->op;
}
