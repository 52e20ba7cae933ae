/*
 * convert.c - row images written before an ALTER COLUMN ... TYPE, read
 * under the definition after it.
 *
 * ALTER TABLE writes no row versions (docs/time-travel.md §4): it records, in the
 * new catalog version, each changed column's old type and the conversion
 * (its USING expression as SQL text, or an assignment cast) as a ColConv
 * (store.h).  An image carries the seq it was written at; the conversions
 * with a later seq (or none yet: made by the open transaction) are the
 * ones it has not been through.  sql_row_decode decodes such an image
 * under the column types it was written with, then applies the pending
 * conversions step by step, in order (those of one ALTER TABLE together,
 * each over the row as it was before that ALTER), so successive ALTERs
 * compose.  AS OF a point before an ALTER, the table version of that
 * point has no conversion for it and reads the image as written.
 *
 * A conversion must give the same value at every read: ALTER refuses
 * volatile USING expressions, and a conversion runs with the default
 * settings and the TimeZone of the ALTER's session (kept with it),
 * whatever the reader's.
 * The programs are compiled once per statement (SqlCtx.convs); a kept
 * USING text binds to the columns it named at the ALTER (ColConv.refs,
 * by id), so later renames and drops do not change what it reads (a
 * dropped column it reads is still decoded for it).
 */
#include "executor.h"
#include "../types/rowcodec.h"
#include <string.h>

/* One ALTER's conversions, compiled over the row as it was before it. */
typedef struct ConvStep {
    int first, n;              /* t->convs[first .. first + n) */
    ExprProg **progs;          /* per conversion; NULL for a dropped column */
    int *cis;                  /* per conversion: the column's index in t */
    ValueCtx vctx;             /* the settings it runs with (its TimeZone) */
} ConvStep;

/* The programs that bring an image of t older than conversion `first`
 * to t's definition, by table version (pointer) and first pending
 * conversion. */
typedef struct ConvCache {
    const TableInfo *t;
    int first;
    TableInfo *dec;            /* t with the types the images were written with */
    ConvStep *steps; int nsteps;
    struct ConvCache *next;
} ConvCache;

static bool pending(const ColConv *v, u64 start) { return v->seq == 0 || v->seq > start; }

/* The settings conversion v runs with: the defaults and the TimeZone of
 * the ALTER's session (UTC when it is not one DriftDB knows any more); the
 * enum labels are the catalog's that cur reads. */
static void conv_vctx(const ColConv *v, const ValueCtx *cur, Arena *a, ValueCtx *out)
{
    *out = (ValueCtx){.arena = a};
    if (v->timezone && !tz_parse(v->timezone, out)) *out = (ValueCtx){.arena = a};
    out->type_lookup = cur->type_lookup;
    out->type_arg = cur->type_arg;
}

/* t with each column typed as it was before conversion `from`: the old
 * type of its first conversion at or after from, else its present one. */
static TableInfo *types_before(SqlCtx *ctx, const TableInfo *t, int from)
{
    TableInfo *s = arena_alloc(ctx->stmt, sizeof(TableInfo));
    ColumnInfo *cols = arena_alloc(ctx->stmt, sizeof(ColumnInfo) * (size_t)(t->ncols + 1));
    if (!s || !cols) return NULL;
    *s = *t;
    memcpy(cols, t->cols, sizeof(ColumnInfo) * (size_t)t->ncols);
    s->cols = cols;
    for (int i = t->nconvs - 1; i >= from; i--) {
        int ci = table_col_index(t, t->convs[i].col);
        if (ci < 0) continue;
        cols[ci].type = t->convs[i].old_type;
        cols[ci].typmod = t->convs[i].old_typmod;
    }
    return s;
}

int sql_conv_compile(SqlCtx *ctx, const TableInfo *scope, const ColumnInfo *col, const ColConv *cv, Expr *e,
                     TypeId to, i32 typmod, ExprProg **out, bool **used)
{
    const char *sql = NULL, *saved = ctx->sql;
    int rc;
    bool kept = !e && cv && cv->using_sql;
    if (e) {
        /* the statement's own USING: positions in its text */
    } else if (kept) {
        if ((rc = sql_parse_expr_text(ctx, cv->using_sql, "a USING expression", &e, &sql))) return rc;
    } else {
        if (!(e = arena_zalloc(ctx->stmt, sizeof(Expr)))) return DD_ENOMEM;
        e->kind = EXPR_COLUMN;
        e->loc = -1;
        e->u.col.name = col->name;
    }
    ScopeRel rel;
    if ((rc = scope_rel_for_table(ctx, scope, scope->name, &rel))) return rc;
    /* a conversion reads the row's own values, not its history */
    for (int h = 0; h < HIST_COLS; h++) rel.names[scope->ncols + h] = "";
    if (kept) {
        /* the kept text names the columns it named at the ALTER */
        for (int i = 0; i < scope->ncols; i++) rel.names[i] = "";
        for (int k = 0; k < cv->nrefs; k++) {
            int ci = table_col_index(scope, cv->ref_ids[k]);
            if (ci >= 0) rel.names[ci] = cv->ref_names[k];
        }
    }
    Scope sc = {&rel, 1, rel.ncols, NULL, NULL, NULL, NULL, NULL, 0, 0};
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = ctx;
    cc.scope = &sc;
    cc.agg_forbidden = "transform expressions";
    cc.assign_col = col->name;
    ValueCtx vc = ctx->vctx;
    if (cv) conv_vctx(cv, &vc, vc.arena, &ctx->vctx);   /* else the statement's own session */
    if (sql) ctx->sql = sql;
    rc = expr_compile_as(&cc, e, to, typmod, out);
    ctx->sql = saved;
    ctx->vctx = vc;
    if (used) *used = rel.used;
    return rc;
}

static int cache_build(SqlCtx *ctx, const TableInfo *t, int first, ConvCache **out)
{
    ConvCache *c = arena_zalloc(ctx->stmt, sizeof(ConvCache));
    if (!c) return DD_ENOMEM;
    c->t = t;
    c->first = first;
    if (!(c->dec = types_before(ctx, t, first))) return DD_ENOMEM;
    /* a column dropped since, that a pending USING reads, is decoded too */
    for (int i = first; i < t->nconvs; i++) {
        int ci = table_col_index(t, t->convs[i].col);
        if (ci < 0 || t->cols[ci].dropped) continue;
        for (int k = 0; k < t->convs[i].nrefs; k++) {
            int ri = table_col_index(t, t->convs[i].ref_ids[k]);
            if (ri >= 0) c->dec->cols[ri].dropped = false;
        }
    }
    int nsteps = 0;
    for (int i = first; i < t->nconvs; i++)
        if (i == first || t->convs[i].step != t->convs[i - 1].step) nsteps++;
    if (!(c->steps = arena_zalloc(ctx->stmt, sizeof(ConvStep) * (size_t)nsteps))) return DD_ENOMEM;
    for (int i = first; i < t->nconvs;) {
        ConvStep *s = &c->steps[c->nsteps++];
        s->first = i;
        while (i < t->nconvs && t->convs[i].step == t->convs[s->first].step) i++;
        s->n = i - s->first;
        s->progs = arena_zalloc(ctx->stmt, sizeof(ExprProg *) * (size_t)s->n);
        s->cis = arena_alloc(ctx->stmt, sizeof(int) * (size_t)s->n);
        TableInfo *scope = types_before(ctx, t, s->first);
        if (!s->progs || !s->cis || !scope) return DD_ENOMEM;
        conv_vctx(&t->convs[s->first], &ctx->vctx, ctx->stmt, &s->vctx);
        for (int k = 0; k < s->n; k++) {
            const ColConv *v = &t->convs[s->first + k];
            int ci = s->cis[k] = table_col_index(t, v->col);
            if (ci < 0 || t->cols[ci].dropped) continue;   /* never read again */
            /* the type it has after this step */
            TypeId to = (TypeId)t->cols[ci].type;
            i32 typmod = t->cols[ci].typmod;
            for (int j = s->first + s->n; j < t->nconvs; j++)
                if (t->convs[j].col == v->col) {
                    to = (TypeId)t->convs[j].old_type;
                    typmod = t->convs[j].old_typmod;
                    break;
                }
            int rc = sql_conv_compile(ctx, scope, &t->cols[ci], v, NULL, to, typmod, &s->progs[k], NULL);
            if (rc) {
                ctx->err->position = 0;
                return rc;
            }
        }
    }
    c->next = ctx->convs;
    ctx->convs = c;
    *out = c;
    return DD_OK;
}

/* Decodes rec, written before conversion `first`, under t. */
static int decode_from(SqlCtx *ctx, const TableInfo *t, int first, const u8 *rec, u32 n, Value *vals, const bool *used)
{
    ConvCache *c = ctx->convs;
    while (c && !(c->t == t && c->first == first)) c = c->next;
    int rc;
    if (!c && (rc = cache_build(ctx, t, first, &c))) return rc;
    /* every column: a USING may read any of them */
    if ((rc = row_decode_used(c->dec, rec, n, vals, NULL, ctx->err))) return rc;
    EvalEnv env = {ctx, NULL, 0, NULL};
    ValueCtx vc = ctx->vctx;
    for (int s = 0; s < c->nsteps && !rc; s++) {
        ConvStep *st = &c->steps[s];
        ctx->vctx = st->vctx;
        ctx->vctx.arena = ctx->row;
        Value *out = arena_alloc(ctx->row, sizeof(Value) * (size_t)st->n);
        if (!out) { rc = DD_ENOMEM; break; }
        /* each over the row before this step */
        for (int k = 0; k < st->n && !rc; k++)
            if (st->progs[k]) rc = expr_eval(st->progs[k], &env, vals, &out[k]);
        for (int k = 0; k < st->n && !rc; k++)
            if (st->progs[k]) vals[st->cis[k]] = out[k];
    }
    ctx->vctx = vc;
    if (rc) return rc;
    for (int i = 0; i < t->ncols; i++)
        if (t->cols[i].dropped || (used && !used[i]))
            vals[i] = val_null((TypeId)(t->cols[i].type == TYPE_NULLTYPE ? TYPE_TEXT : t->cols[i].type));
    return DD_OK;
}

bool sql_row_plain(const TableInfo *t, u64 start)
{
    /* conversions are in seq order, the open transaction's (seq 0) last */
    return !t->nconvs || start == 0 || !pending(&t->convs[t->nconvs - 1], start);
}

int sql_row_decode(SqlCtx *ctx, const TableInfo *t, const u8 *rec, u32 n, u64 start, Value *vals, const bool *used)
{
    if (sql_row_plain(t, start)) return row_decode_used(t, rec, n, vals, used, ctx->err);
    int first = t->nconvs - 1;
    while (first > 0 && pending(&t->convs[first - 1], start)) first--;
    return decode_from(ctx, t, first, rec, n, vals, used);
}

int sql_row_convert_from(SqlCtx *ctx, const TableInfo *t, int first, const u8 *rec, u32 n, Value *vals)
{
    return decode_from(ctx, t, first, rec, n, vals, NULL);
}
