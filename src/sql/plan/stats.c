/*
 * stats.c - the planner's statistics of a table: per column the number of
 * distinct values and the fraction of NULLs, with the live row count they
 * were gathered at.
 *
 * Gathering (ANALYZE, or on first use for tables of at most
 * STATS_AUTO_ROWS rows, and again when the live rows changed by more than
 * a fifth since): one walk over the table's live rows, decoding a
 * Bernoulli sample of about STATS_SAMPLE of them (each row with
 * probability STATS_SAMPLE / rows, drawn from a generator seeded by the
 * table's id, so the same rows give the same figures; every k-th row
 * instead would see one residue of a column that repeats with a period
 * sharing a factor with k: a column k * 7919 % 15000 showed 3,000 of its
 * 15,000 values every 5th row).  Distinct values are
 * counted exactly in the sample (hashes of their key encoding); when the
 * sample is not the whole table, the count is scaled with the Duj1
 * estimator of Haas and Stokes, as PostgreSQL does:
 *     ndv = n d / (n - f1 + f1 n / N)
 * (n sampled rows, N rows, d distinct values in the sample, f1 of them
 * seen once).  Statistics live in memory with the store's catalog
 * (store_set_table_stats) and are gathered again after a restart.
 *
 * Columns that order as numbers (integers, floats, numeric, dates,
 * timestamps) also get an equi-depth histogram of the sample's non-NULL
 * values: STATS_BUCKETS + 1 bounds, each bucket holding as many sampled
 * values; a range condition's selectivity is read off it, interpolating
 * inside a bucket.
 *
 * Blob layout (native endianness, never written to disk):
 *   u32 ncols, then ncols x { u32 column id, f64 ndistinct, f64 null_frac,
 *   u32 nbounds, nbounds x f64 }
 */
#include "plan.h"
#include "../types/rowcodec.h"
#include "../../util/alloc.h"
#include <string.h>
#include <stdlib.h>

#define STATS_SAMPLE 30000
#define STATS_AUTO_ROWS 200000
#define STATS_BUCKETS 50

bool stats_scalar(SqlCtx *ctx, const Value *v, double *out)
{
    if (v->isnull) return false;
    switch ((TypeId)v->type) {
    case TYPE_INT2: case TYPE_INT4: case TYPE_INT8: case TYPE_DATE: case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ:
        *out = (double)v->v.i;
        return true;
    case TYPE_FLOAT4: case TYPE_FLOAT8:
        if (v->v.f != v->v.f) return false;   /* NaN */
        *out = v->v.f;
        return true;
    case TYPE_NUMERIC: {
        Value f;
        DdError e;
        dd_err_clear(&e);
        if (val_cast(v, TYPE_FLOAT8, -1, false, &ctx->vctx, &f, &e)) return false;
        if (f.v.f != f.v.f) return false;   /* NaN, as for floats */
        *out = f.v.f;
        return true;
    }
    default:
        return false;
    }
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct ColCount {
    u64 *h; u32 *cnt; size_t cap, n;   /* open addressing over value hashes */
    u64 nulls;
    double *vals; size_t nvals;        /* sampled values as numbers */
    bool scalar;
} ColCount;

static int cc_add(ColCount *c, u64 h)
{
    if ((c->n + 1) * 2 > c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 1024;
        u64 *nh = dd_calloc(ncap, sizeof(u64));
        u32 *nc = dd_calloc(ncap, sizeof(u32));
        if (!nh || !nc) { dd_free(nh); dd_free(nc); return DD_ENOMEM; }
        for (size_t i = 0; i < c->cap; i++) {
            if (!c->cnt[i]) continue;
            size_t j = c->h[i] & (ncap - 1);
            while (nc[j]) j = (j + 1) & (ncap - 1);
            nh[j] = c->h[i];
            nc[j] = c->cnt[i];
        }
        dd_free(c->h);
        dd_free(c->cnt);
        c->h = nh;
        c->cnt = nc;
        c->cap = ncap;
    }
    size_t j = h & (c->cap - 1);
    while (c->cnt[j] && c->h[j] != h) j = (j + 1) & (c->cap - 1);
    if (!c->cnt[j]) {
        c->h[j] = h;
        c->n++;
    }
    c->cnt[j]++;
    return DD_OK;
}


int sql_analyze_table(SqlCtx *ctx, const TableInfo *t, bool automatic)
{
    /* a temporary table keeps no statistics: the store's are per table id
     * and shared by all sessions, and the planner counts its rows instead
     * (join.c) */
    if (t->temp) return DD_OK;
    i64 live = store_table_rows(ctx->snap, t->id);
    if (live < 0) live = 0;
    u64 step = live > STATS_SAMPLE ? (u64)(live + STATS_SAMPLE - 1) / STATS_SAMPLE : 1;
    ColCount *cc = dd_calloc((size_t)t->ncols + 1, sizeof(ColCount));
    Value *vals = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(t->ncols + 1));
    if (!cc || !vals) { dd_free(cc); return DD_ENOMEM; }
    /* room for the sample: a random one may pass its expected size a little */
    u64 want = (u64)(live < STATS_SAMPLE ? live : STATS_SAMPLE + STATS_SAMPLE / 8) + 2;
    for (int i = 0; i < t->ncols; i++) {
        TypeId ty = (TypeId)t->cols[i].type;
        cc[i].scalar = type_is_int(ty) || ty == TYPE_FLOAT4 || ty == TYPE_FLOAT8 || ty == TYPE_NUMERIC ||
                       ty == TYPE_DATE || ty == TYPE_TIMESTAMP || ty == TYPE_TIMESTAMPTZ;
        if (cc[i].scalar && !(cc[i].vals = dd_calloc(want, sizeof(double)))) cc[i].scalar = false;
    }
    TScan *sc = NULL;
    int rc = tscan_open(ctx->snap, t->id, TMODE_PRESENT, 0, 0, NULL, 0, NULL, 0, &sc, ctx->err);
    u64 seen = 0, sampled = 0;
    u64 rng = 0x9E3779B97F4A7C15ull * ((u64)t->id + 1);   /* xorshift64*, never 0 */
    Buf key = BUF_INIT;
    while (!rc) {
        if ((rc = sql_check_interrupt(ctx))) break;
        Version v;
        int r = tscan_next(sc, &v, ctx->err);
        if (r < 0) { rc = -r; break; }
        if (r == 0) break;
        seen++;
        if (step > 1) {
            rng ^= rng >> 12;
            rng ^= rng << 25;
            rng ^= rng >> 27;
            if ((rng * 0x2545F4914F6CDD1Dull >> 11) % step) continue;
        }
        if ((rc = sql_row_decode(ctx, t, v.rec, v.reclen, v.start, vals, NULL))) break;
        sampled++;
        for (int i = 0; i < t->ncols && !rc; i++) {
            if (vals[i].isnull) { cc[i].nulls++; continue; }
            double x;
            if (cc[i].scalar && cc[i].nvals < want && stats_scalar(ctx, &vals[i], &x)) cc[i].vals[cc[i].nvals++] = x;
            buf_reset(&key);
            key_encode_value(&vals[i], &key);
            if (!buf_ok(&key)) { rc = DD_ENOMEM; break; }
            u64 h = dd_fnv1a(DD_FNV_INIT, key.data, key.len);
            rc = cc_add(&cc[i], h ^ (h >> 29));
        }
    }
    if (sc) tscan_close(sc);
    buf_free(&key);
    double N = (double)seen, n = (double)sampled;
    Buf blob = BUF_INIT;
    u32 ncols = (u32)t->ncols;
    buf_append(&blob, &ncols, sizeof ncols);
    for (int i = 0; i < t->ncols; i++) {
        double d = (double)cc[i].n, nonnull = n - (double)cc[i].nulls, ndv = d;
        if (n < N && nonnull > 0) {
            double f1 = 0;
            for (size_t j = 0; j < cc[i].cap; j++) f1 += cc[i].cnt[j] == 1;
            double denom = nonnull - f1 + f1 * nonnull / (N * nonnull / n);
            if (denom > 0) ndv = nonnull * d / denom;
            if (ndv < d) ndv = d;
        }
        double nullfrac = n > 0 ? (double)cc[i].nulls / n : 0;
        u32 id = t->cols[i].id;
        buf_append(&blob, &id, sizeof id);
        buf_append(&blob, &ndv, sizeof ndv);
        buf_append(&blob, &nullfrac, sizeof nullfrac);
        u32 nb = 0;
        if (cc[i].nvals >= 2) {
            qsort(cc[i].vals, cc[i].nvals, sizeof(double), dbl_cmp);
            nb = cc[i].nvals > STATS_BUCKETS ? STATS_BUCKETS + 1 : (u32)cc[i].nvals;
        }
        buf_append(&blob, &nb, sizeof nb);
        for (u32 k = 0; k < nb; k++) {
            double b = cc[i].vals[(size_t)((double)k * (double)(cc[i].nvals - 1) / (double)(nb - 1))];
            buf_append(&blob, &b, sizeof b);
        }
        dd_free(cc[i].vals);
        dd_free(cc[i].h);
        dd_free(cc[i].cnt);
    }
    dd_free(cc);
    if (!rc && !buf_ok(&blob)) rc = DD_ENOMEM;
    if (!rc) rc = store_set_table_stats(ctx->snap, t->id, blob.data, blob.len, (i64)seen);
    if (!rc) store_note_analyze(ctx->store, t->id, automatic);
    buf_free(&blob);
    return rc;
}

int sql_forget_stats(SqlCtx *ctx, u32 id)
{
    /* no blob, counted at a row count no table is near: stale at once */
    static const u8 none[1];
    return store_set_table_stats(ctx->snap, id, none, 0, -((i64)1 << 40));
}

int sql_table_stats(SqlCtx *ctx, const TableInfo *t, bool gather, TableStats *out)
{
    memset(out, 0, sizeof(*out));
    if (t->temp) return DD_OK;   /* none kept (sql_analyze_table) */
    u8 *blob;
    size_t n;
    i64 at;
    int rc = store_table_stats(ctx->snap, t->id, ctx->stmt, &blob, &n, &at);
    if (rc) return rc;
    i64 live = store_table_rows(ctx->snap, t->id);
    bool stale = !blob || (live >= 0 && (live - at > at / 5 + 100 || at - live > at / 5 + 100));
    if (gather && stale && live >= 0 && live <= STATS_AUTO_ROWS) {
        DdError saved = *ctx->err;
        if (sql_analyze_table(ctx, t, true)) {
            *ctx->err = saved;   /* estimates only: plan without them */
            return DD_OK;
        }
        if ((rc = store_table_stats(ctx->snap, t->id, ctx->stmt, &blob, &n, &at))) return rc;
    }
    if (!blob || n < 4) return DD_OK;
    u32 ncols;
    memcpy(&ncols, blob, 4);
    if (ncols > (n - 4) / 24) return DD_OK;
    out->colid = arena_alloc(ctx->stmt, sizeof(u32) * (ncols + 1));
    out->ndistinct = arena_alloc(ctx->stmt, sizeof(double) * (ncols + 1));
    out->null_frac = arena_alloc(ctx->stmt, sizeof(double) * (ncols + 1));
    out->nbounds = arena_zalloc(ctx->stmt, sizeof(int) * (ncols + 1));
    out->bounds = arena_zalloc(ctx->stmt, sizeof(double *) * (ncols + 1));
    if (!out->colid || !out->ndistinct || !out->null_frac || !out->nbounds || !out->bounds) return DD_ENOMEM;
    size_t off = 4;
    for (u32 i = 0; i < ncols; i++) {
        if (off + 24 > n) return DD_OK;
        const u8 *e = blob + off;
        u32 nb;
        memcpy(&out->colid[i], e, 4);
        memcpy(&out->ndistinct[i], e + 4, 8);
        memcpy(&out->null_frac[i], e + 12, 8);
        memcpy(&nb, e + 20, 4);
        off += 24;
        if (nb > (n - off) / 8) return DD_OK;
        out->nbounds[i] = (int)nb;
        out->bounds[i] = arena_alloc(ctx->stmt, sizeof(double) * (nb + 1));
        if (!out->bounds[i]) return DD_ENOMEM;
        if (nb) memcpy(out->bounds[i], blob + off, 8 * (size_t)nb);
        off += 8 * (size_t)nb;
    }
    out->ncols = (int)ncols;
    out->rows = (double)at;
    out->valid = true;
    return DD_OK;
}

bool stats_column(const TableStats *s, u32 colid, double *ndv, double *null_frac)
{
    for (int i = 0; s->valid && i < s->ncols; i++)
        if (s->colid[i] == colid) {
            *ndv = s->ndistinct[i] < 1 ? 1 : s->ndistinct[i];
            *null_frac = s->null_frac[i];
            return true;
        }
    return false;
}

double stats_below(const TableStats *s, u32 colid, double x)
{
    for (int i = 0; s->valid && i < s->ncols; i++) {
        if (s->colid[i] != colid) continue;
        int nb = s->nbounds[i];
        const double *b = s->bounds[i];
        if (nb < 2) return -1;
        if (x <= b[0]) return 0;
        if (x > b[nb - 1]) return 1;
        int lo = 0, hi = nb - 1;   /* b[lo] < x <= b[hi] */
        while (hi - lo > 1) {
            int mid = (lo + hi) / 2;
            if (b[mid] < x) lo = mid;
            else hi = mid;
        }
        double w = b[hi] - b[lo];
        double in = w > 0 ? (x - b[lo]) / w : 0.5;
        return ((double)lo + in) / (double)(nb - 1);
    }
    return -1;
}
