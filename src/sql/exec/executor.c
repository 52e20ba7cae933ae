/*
 * executor.c - the pull operators of executor.h.
 *
 * Scans read versions through temporal/ and decode row images with
 * rowcodec; in the present they merge the transaction's own uncommitted
 * rows (write set) in key order, so a session reads its own writes.
 * Filters rewind the row arena over rejected rows, so a scan of a million
 * rows that returns ten uses the memory of ten.
 */
#include "executor.h"
#include "batch.h"
#include "spill.h"
#include <pthread.h>
#include <unistd.h>
#include "../types/rowcodec.h"
#include "../types/regex.h"
#include "../types/json.h"
#include "../types/jsonpath.h"
#include "../analyze/jsonfunc.h"
#include "../types/array.h"
#include "../types/recordval.h"
#include "../../store/keyenc.h"
#include "../../store/format.h"
#include "../../util/alloc.h"
#include "../../util/sha256.h"
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>


static void *op_alloc(SqlCtx *ctx, size_t size, const OpVtbl *vt, int width)
{
    Op *o = arena_zalloc(ctx->stmt, size);
    if (!o) return NULL;
    o->vt = vt;
    o->width = width;
    o->env.sql = ctx;
    return o;
}

/* Whether a and b (not NULL) are written alike: equal values may not be
 * (numeric 1.0 and 1.00, float 0 and -0, interval '1 day' and '24:00'). */
static bool val_same_form(const Value *a, const Value *b)
{
    if (a->type != b->type || a->scale != b->scale || a->etype != b->etype) return false;
    if (val_has_bytes(a)) return a->v.s.len == b->v.s.len && memcmp(a->v.s.p, b->v.s.p, a->v.s.len) == 0;
    switch ((TypeId)a->type) {
    case TYPE_BOOL: return a->v.b == b->v.b;
    case TYPE_FLOAT4: case TYPE_FLOAT8: return memcmp(&a->v.f, &b->v.f, sizeof a->v.f) == 0;
    case TYPE_NUMERIC: return a->v.coef == b->v.coef;
    case TYPE_INTERVAL:
        return a->v.iv.months == b->v.iv.months && a->v.iv.days == b->v.iv.days && a->v.iv.usecs == b->v.iv.usecs;
    default: return a->v.i == b->v.i;
    }
}

int val_copy(Arena *a, const Value *v, Value *out)
{
    *out = *v;
    if (!v->isnull && v->v.s.len && val_has_bytes(v)) {
        char *p = arena_memdup(a, v->v.s.p, v->v.s.len);
        if (!p) return DD_ENOMEM;
        out->v.s.p = p;
    }
    return DD_OK;
}

static int neg(int rc) { return rc > 0 ? -rc : rc; }

/* 53200 when an operator's memory (bytes) passes the budget of
 * sql_work_mem (work_mem x hash_mem_multiplier). */
/* The block size of an operator's arena: `want`, but small enough that
 * one block stays well inside work_mem (a tiny input under a small
 * work_mem must not fail on the arena's first block). */
static size_t op_block(SqlCtx *ctx, size_t want)
{
    size_t cap = sql_work_mem(ctx) / 16;
    if (cap < 4096) cap = 4096;
    return want < cap ? want : cap;
}

static int over_budget(SqlCtx *ctx, size_t bytes, const char *what)
{
    size_t budget = sql_work_mem(ctx);
    if (bytes <= budget) return DD_OK;
    return dd_err(ctx->err, DD_ENOMEM, -1, "%s needs more than work_mem (%zu kB)", what, budget / 2048);
}

static const OpVtbl filter_vt;
/* row batches (below): a filtered or bare scan read in batches, its rows
 * handed up one at a time */
typedef struct RowBatch RowBatch;
static RowBatch *rowbatch_plan(SqlCtx *ctx, Op *top);
static int rowbatch_next(SqlCtx *ctx, RowBatch *rb, Value **row);
static void rowbatch_free(RowBatch *rb);
static void rowbatch_count(RowBatch *rb, u64 *nbatches, int *workers);
typedef struct ParScan ParScan;
static ParScan *par_start(SqlCtx *ctx, Op *top, RowBatch *rb);
static void par_free(ParScan *ps, RowBatch *rb);
static void par_stop(ParScan *ps);
static int par_next_batch(SqlCtx *ctx, RowBatch *rb);
static int par_launched(const ParScan *ps);
static bool rowbatch_parallel(const RowBatch *rb);
/* EXPLAIN ANALYZE: a call of o's that took dt ms and gave rows rows (rc 1) */
static void op_count(Op *o, int rc, double dt, u64 rows);
static double now_ms(void);
static const OpVtbl place_vt;
static const OpVtbl hashjoin_vt;
static const OpVtbl paramjoin_vt;

/* ================================================================ scan */

typedef struct WsKey { WsRow *row; const u8 *key; u32 len; } WsKey;

static int wskey_cmp(const void *a, const void *b)
{
    const WsKey *x = a, *y = b;
    int c = memcmp(x->key, y->key, DD_MIN(x->len, y->len));
    return c ? c : (x->len < y->len ? -1 : x->len > y->len);
}

typedef struct ScanOp {
    Op op;
    i64 act_scans[2], act_rows[2];   /* pg_stat_user_tables: [0] full scans, [1] key / index scans */
    const TableInfo *t;
    TMode mode;
    u64 a, b;
    const bool *used;                 /* scope usage flags, final once planning is done */
    bool hist[HIST_COLS];
    bool any_hist;
    const u8 *pk; u32 pklen;          /* point lookup */
    const u8 *const *keys; const u32 *keylens; int nkeys, kpos;  /* several keys, sorted */
    const IndexInfo *ix;              /* index path: entries with values in [ilo, ihi) */
    const u8 *ilo, *ihi; u32 ilolen, ihilen;
    const u8 *lo, *hi; u32 lolen, hilen;  /* primary-key range [lo, hi), NULL: open */
    /* index path state: past points and ranges read the history entries,
     * which may name a key more than once (seen), and for ranges every
     * version of each key (vts) */
    TScan *vts;
    Buf vhi;
    u8 **seen; size_t nseen, capseen;
    Arena seen_arena;
    bool ix_done;
    size_t budget;          /* sql_work_mem, for seen */
    DdError *err;
    /* the transaction's rows of the table for this statement (scan_ws_rows) */
    bool ws_loaded, wk_built;
    WsRow **ws_all; int nws_all;
    struct WsKey *wkey; int nwkey;
    WsRow **wrows;
    /* parameterized: key values computed at open, over param_row (the
     * canonical row holding the other side of a join) or the outer rows */
    ScanKeyPart *parts; int nparts;
    const Value *param_row;
    bool param_point, param_ix, empty;
    Buf pkey, pkey_hi;
    Value *row;
    TScan *ts;
    u64 ckpt;               /* the checkpoint a run started from (EXPLAIN ANALYZE) */
    IScan *is;
    WsRow **ws; int nws, wspos;
    Version cur;
    bool cur_valid, ts_done, point_done;
    u64 tc_seq[2]; i64 tc_us[2];      /* seq -> time cache */
    bool desc;                        /* present, descending key (or index) order */
    bool ionly;                       /* index-only: rows from the index entries */
    Arena karena;                     /* index-only: text values of the last row */
    /* read as images (op_scan_next_image): scan_fill keeps the image */
    bool raw;
    const u8 *raw_rec; u32 raw_len; u64 raw_start;
    RowBatch *rb; bool rb_tried;      /* its rows read in batches (rowbatch_plan) */
    struct RtFilter *rtf[4];          /* hash joins' filters on the keys of its rows (set by the joins) */
    int nrtf;
    bool par;                         /* its rows may come in any order: worker threads may read it (par_mark) */
    int workers;                      /* EXPLAIN ANALYZE: the most worker threads that read it */
} ScanOp;

static const char *op_name(u8 op)
{
    return op == OP_INSERT ? "INSERT" : op == OP_UPDATE ? "UPDATE" : op == OP_DELETE ? "DELETE" : NULL;
}

static int seq_time(SqlCtx *ctx, ScanOp *s, int k, u64 seq, Value *out)
{
    if (s->tc_seq[k] != seq) {
        i64 us;
        int rc = store_seq_time(ctx->snap, seq, &us, ctx->err);
        if (rc) return rc;
        s->tc_seq[k] = seq;
        s->tc_us[k] = us;
    }
    *out = val_int(TYPE_TIMESTAMPTZ, ts_from_unix_us(s->tc_us[k]));
    return DD_OK;
}

/* Damage (XX001) met reading t names t, and the version's seq when known
 * (seq 0: not), as VERIFY's messages do; rc passes through. */
static int scan_damage(SqlCtx *ctx, const TableInfo *t, u64 seq, int rc)
{
    DdError *e = ctx->err;
    if (rc != DD_ECORRUPT || e->table[0]) return rc;
    char m[DD_ERR_MSG_MAX + 2 * CAT_MAX_NAME + 64];
    snprintf(m, sizeof m, "\"%s\"", t->name);
    if (strstr(e->message, m)) return rc;   /* named already */
    int n = seq ? snprintf(m, sizeof m, "table \"%s\", version at seq %llu: %s", t->name, (unsigned long long)seq,
                           e->message)
                : snprintf(m, sizeof m, "table \"%s\": %s", t->name, e->message);
    size_t len = n < 0 ? 0 : DD_MIN((size_t)n, sizeof e->message - 1);
    memcpy(e->message, m, len);
    e->message[len] = 0;
    len = DD_MIN(strlen(name_base(t->name)), sizeof e->table - 1);
    memcpy(e->table, name_base(t->name), len);
    e->table[len] = 0;
    return rc;
}

/* Fills the row from an image plus history fields. start 0: uncommitted. */
static int scan_fill(SqlCtx *ctx, ScanOp *s, const u8 *rec, u32 reclen, u64 start, u64 end,
                     u8 start_op, u8 end_op)
{
    const TableInfo *t = s->t;
    if (s->raw) {
        s->raw_rec = rec;
        s->raw_len = reclen;
        s->raw_start = start;
        return DD_OK;
    }
    /* only the columns the query reads (the scope's flags, final once
     * planning is done) */
    int rc = sql_row_decode(ctx, t, rec, reclen, start, s->row, s->used);
    if (rc) return scan_damage(ctx, t, start, rc);
    if (!s->any_hist) return DD_OK;
    Value *h = s->row + t->ncols;
    for (int i = 0; i < HIST_COLS; i++) h[i] = val_null(hist_col_types[i]);
    if (s->hist[0] && start) { rc = seq_time(ctx, s, 0, start, &h[0]); if (rc) return rc; }
    if (s->hist[1] && end) { rc = seq_time(ctx, s, 1, end, &h[1]); if (rc) return rc; }
    if (start) h[2] = val_int(TYPE_INT8, (i64)start);
    if (end) h[3] = val_int(TYPE_INT8, (i64)end);
    /* a temporary table keeps no history: all six read NULL */
    const char *so = t->temp ? NULL : op_name(start_op), *eo = end ? op_name(end_op) : NULL;
    if (so) h[4] = val_text(TYPE_TEXT, so, (u32)strlen(so));
    if (eo) h[5] = val_text(TYPE_TEXT, eo, (u32)strlen(eo));
    return DD_OK;
}

/* The key of a parameterized scan for this run: its values evaluated,
 * converted exactly to the key columns' types and encoded. */
static int scan_param_key(SqlCtx *ctx, ScanOp *s)
{
    buf_reset(&s->pkey);
    EvalEnv env = {ctx, NULL, 0, NULL};
    ValueCtx vc = ctx->vctx;
    vc.arena = ctx->row;
    for (int i = 0; i < s->nparts; i++) {
        ScanKeyPart *kp = &s->parts[i];
        Value v = kp->val, cv;
        if (kp->prog) {
            int rc = expr_eval(kp->prog, &env, s->param_row, &v);
            if (rc) return rc;
            if (v.isnull) { s->empty = true; return DD_OK; }
            DdError e;
            dd_err_clear(&e);
            if (val_cast(&v, kp->type, -1, false, &vc, &cv, &e) || val_compare(&v, &cv, &vc) != 0) {
                s->empty = true;   /* no value of the column equals it */
                return DD_OK;
            }
            v = cv;
        }
        key_encode_value(&v, &s->pkey);
    }
    if (!buf_ok(&s->pkey)) return DD_ENOMEM;
    if (s->param_point && !s->param_ix) {
        s->pk = s->pkey.data;
        s->pklen = (u32)s->pkey.len;
        return DD_OK;
    }
    if (s->param_ix && s->pkey.len > ROW_INDEX_PREFIX) s->pkey.len = ROW_INDEX_PREFIX;
    buf_reset(&s->pkey_hi);
    buf_append(&s->pkey_hi, s->pkey.data, s->pkey.len);
    if (!buf_ok(&s->pkey_hi)) return DD_ENOMEM;
    while (s->pkey_hi.len && s->pkey_hi.data[s->pkey_hi.len - 1] == 0xFF) s->pkey_hi.len--;
    bool has_hi = s->pkey_hi.len > 0;
    if (has_hi) s->pkey_hi.data[s->pkey_hi.len - 1]++;
    if (s->param_ix) {
        s->ilo = s->pkey.data;
        s->ilolen = (u32)s->pkey.len;
        s->ihi = has_hi ? s->pkey_hi.data : NULL;
        s->ihilen = (u32)s->pkey_hi.len;
    } else {
        s->lo = s->pkey.data;
        s->lolen = (u32)s->pkey.len;
        s->hi = has_hi ? s->pkey_hi.data : NULL;
        s->hilen = (u32)s->pkey_hi.len;
    }
    return DD_OK;
}

static int cmp_key(const u8 *a, u32 an, const u8 *b, u32 bn);

/* First index in rows[0..n) (sorted by key) whose key is >= k (or > k
 * when after). */
static int ws_bound(WsRow **rows, int n, const u8 *k, u32 kn, bool after)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        int c = cmp_key(rows[mid]->pk, rows[mid]->pklen, k, kn);
        if (c < 0 || (after && c == 0)) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/*
 * The transaction's rows this open must add: read from the write set once
 * per statement (sorted by key; the write set does not change while a
 * statement reads), then narrowed to the key range, or for an index path
 * to the rows whose index values lie in the range (their keys computed
 * once), so a scan opened again per outer row costs what it finds.
 */
static int scan_ws_rows(SqlCtx *ctx, ScanOp *s)
{
    int rc;
    if (!s->ws_loaded) {
        if ((rc = ws_table_rows(ctx->ws, s->t->id, ctx->stmt, &s->ws_all, &s->nws_all))) return rc;
        s->ws_loaded = true;
    }
    if (!s->ix) {
        int a = s->lo ? ws_bound(s->ws_all, s->nws_all, s->lo, s->lolen, false) : 0;
        int b = s->hi ? ws_bound(s->ws_all, s->nws_all, s->hi, s->hilen, false) : s->nws_all;
        s->ws = s->ws_all + a;
        s->nws = b > a ? b - a : 0;
        return DD_OK;
    }
    if (!s->wk_built) {
        /* live rows by index key */
        Value *vals = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(s->t->ncols + 1));
        s->wkey = arena_alloc(ctx->stmt, sizeof(WsKey) * (size_t)(s->nws_all + 1));
        if (!vals || !s->wkey) return DD_ENOMEM;
        Buf key = BUF_INIT;
        s->nwkey = 0;
        for (int i = 0; i < s->nws_all; i++) {
            WsRow *w = s->ws_all[i];
            if (!w->rec) continue;
            bool has_null;
            if ((rc = row_decode(s->t, w->rec, w->reclen, vals, ctx->err)) ||
                (rc = sql_index_key(ctx, s->t, s->ix, vals, &key, &has_null))) {
                buf_free(&key);
                return rc;
            }
            if (!key.len) continue;   /* a row the partial index does not cover */
            WsKey *e = &s->wkey[s->nwkey++];
            e->row = w;
            e->key = arena_memdup(ctx->stmt, key.data, key.len ? key.len : 1);
            e->len = (u32)key.len;
            if (!e->key) { buf_free(&key); return DD_ENOMEM; }
        }
        buf_free(&key);
        qsort(s->wkey, (size_t)s->nwkey, sizeof(WsKey), wskey_cmp);
        s->wrows = arena_alloc(ctx->stmt, sizeof(WsRow *) * (size_t)(s->nwkey + 1));
        if (!s->wrows) return DD_ENOMEM;
        s->wk_built = true;
    }
    /* entries with lo <= key < hi (hi a prefix bound: keys starting with
     * it are past it) */
    int n = 0;
    for (int lo = 0, hi = s->nwkey; lo < hi;) {
        int mid = (lo + hi) / 2;
        if (s->ilo && cmp_key(s->wkey[mid].key, s->wkey[mid].len, s->ilo, s->ilolen) < 0) lo = mid + 1;
        else hi = mid;
        if (lo >= hi) {
            for (int i = lo; i < s->nwkey; i++) {
                if (s->ihi && cmp_key(s->wkey[i].key, s->wkey[i].len, s->ihi, s->ihilen) >= 0) break;
                s->wrows[n++] = s->wkey[i].row;
            }
        }
    }
    if (s->nwkey == 0) n = 0;
    s->ws = s->wrows;
    s->nws = n;
    return DD_OK;
}

static bool scan_index_only(const ScanOp *s);

/* Whether a scan reads keys or an index (PostgreSQL's index scans) rather
 * than the whole table. */
static bool scan_by_key(const ScanOp *s) { return s->pk || s->nkeys || s->ix || s->lo || s->hi; }

static int scan_open(SqlCtx *ctx, Op *op)
{
    ScanOp *s = (ScanOp *)op;
    rowbatch_free(s->rb);   /* a scan opened again without a close reads afresh */
    s->rb = NULL;
    s->rb_tried = false;
    s->act_scans[scan_by_key(s)]++;
    s->cur_valid = s->ts_done = s->point_done = false;
    s->nws = s->wspos = 0;
    s->ws = NULL;
    if (!s->row) {
        s->row = arena_zalloc(ctx->stmt, sizeof(Value) * (size_t)op->width);
        if (!s->row) return DD_ENOMEM;
    }
    s->tc_seq[0] = s->tc_seq[1] = 0;
    s->any_hist = false;
    for (int i = 0; i < HIST_COLS; i++) {
        s->hist[i] = s->used ? s->used[s->t->ncols + i] : true;
        s->any_hist |= s->hist[i];
    }
    s->empty = false;
    if (s->nparts) {
        int rc = scan_param_key(ctx, s);
        if (rc || s->empty) return rc;
    }
    if (s->mode == TMODE_PRESENT && ctx->ws && !(s->pk && !s->param_ix) && ws_has_table_rows(ctx->ws, s->t->id)) {
        int rc = scan_ws_rows(ctx, s);
        if (rc) return rc;
    }
    if (s->nkeys && (s->mode == TMODE_PRESENT || s->mode == TMODE_AS_OF)) {
        s->kpos = 0;
        return DD_OK;
    }
    if (s->pk && (s->mode == TMODE_PRESENT || s->mode == TMODE_AS_OF)) return DD_OK;
    if (s->ix) {
        s->ix_done = false;
        s->budget = sql_work_mem(ctx);
        s->err = ctx->err;
        s->nseen = 0;
        if (s->capseen) memset(s->seen, 0, sizeof(u8 *) * s->capseen);
        arena_reset(&s->seen_arena);
        s->ionly = scan_index_only(s);
        u32 id = s->mode == TMODE_PRESENT ? s->ix->id : s->ix->id | FMT_INDEX_EVER;
        if (s->desc) return iscan_open_range_desc(ctx->snap, id, s->ilo, s->ilolen, s->ihi, s->ihilen, &s->is, ctx->err);
        return iscan_open_range(ctx->snap, id, s->ilo, s->ilolen, s->ihi, s->ihilen, &s->is, ctx->err);
    }
    const u8 *lo = s->lo, *hi = s->hi;
    u32 lolen = s->lolen, hilen = s->hilen;
    u8 *hib = NULL;
    if (s->pk) {
        /* all versions of one key: [pk, pk || 0x00) since keys are self-delimiting */
        hib = arena_alloc(ctx->stmt, s->pklen + 1);
        if (!hib) return DD_ENOMEM;
        memcpy(hib, s->pk, s->pklen);
        hib[s->pklen] = 0;
        lo = s->pk; lolen = s->pklen; hi = hib; hilen = s->pklen + 1;
    }
    if (s->desc) return tscan_open_desc(ctx->snap, s->t->id, lo, lolen, hi, hilen, &s->ts, ctx->err);
    int rc = tscan_open(ctx->snap, s->t->id, s->mode, s->a, s->b, lo, lolen, hi, hilen, &s->ts, ctx->err);
    s->ckpt = rc ? 0 : tscan_checkpoint(s->ts);   /* opened again: from a checkpoint or not, anew */
    return rc;
}

static int cmp_key(const u8 *a, u32 an, const u8 *b, u32 bn)
{
    int c = memcmp(a, b, DD_MIN(an, bn));
    if (c) return c;
    return an < bn ? -1 : an > bn;
}

/* Adds pk to the scan's set of keys seen; false when it was there. */
static int seen_add(ScanOp *s, const u8 *pk, u32 pklen, bool *fresh)
{
    if ((s->nseen + 1) * 2 > s->capseen) {
        size_t ncap = s->capseen ? s->capseen * 2 : 256;
        u8 **ns = dd_calloc(ncap, sizeof(u8 *));
        if (!ns) return DD_ENOMEM;
        for (size_t i = 0; i < s->capseen; i++) {
            u8 *e = s->seen[i];
            if (!e) continue;
            u32 n;
            memcpy(&n, e, 4);
            size_t j = dd_fnv1a(DD_FNV_INIT, e + 4, n) & (ncap - 1);
            while (ns[j]) j = (j + 1) & (ncap - 1);
            ns[j] = e;
        }
        dd_free(s->seen);
        s->seen = ns;
        s->capseen = ncap;
    }
    size_t j = dd_fnv1a(DD_FNV_INIT, pk, pklen) & (s->capseen - 1);
    while (s->seen[j]) {
        u32 n;
        memcpy(&n, s->seen[j], 4);
        if (n == pklen && memcmp(s->seen[j] + 4, pk, pklen) == 0) { *fresh = false; return DD_OK; }
        j = (j + 1) & (s->capseen - 1);
    }
    u8 *e = arena_alloc(&s->seen_arena, 4 + (size_t)pklen);
    if (!e) return DD_ENOMEM;
    if (s->seen_arena.total + s->capseen * sizeof(u8 *) > s->budget)
        return dd_err(s->err, DD_ENOMEM, -1, "index scan over history needs more than work_mem (%zu kB) for the keys it found",
                      s->budget / 2048);
    memcpy(e, &pklen, 4);
    memcpy(e + 4, pk, pklen);
    s->seen[j] = e;
    s->nseen++;
    *fresh = true;
    return DD_OK;
}

/* Whether the query reads only columns an index entry of the present
 * holds exactly (the index's plain columns and the primary key's, of
 * types whose key encoding gives the value back), and no history column:
 * the rows then come from the entries alone (used flags are final once
 * planning is done). */
static bool scan_index_only(const ScanOp *s)
{
    const TableInfo *t = s->t;
    const IndexInfo *ix = s->ix;
    if (!ix || s->mode != TMODE_PRESENT || !s->used || ix->exprs) return false;
    for (int i = 0; i < HIST_COLS; i++)
        if (s->used[t->ncols + i]) return false;
    for (int c = 0; c < t->ncols; c++) {
        if (!s->used[c]) continue;
        if (!key_type_exact((TypeId)t->cols[c].type)) return false;
        bool held = false;
        for (int k = 0; k < ix->ncols && !held; k++) held = table_col_index(t, ix->cols[k]) == c;
        for (int k = 0; k < t->npk && !held; k++) held = table_col_index(t, t->pk[k]) == c;
        if (!held) return false;
    }
    return true;
}

/* An index-only row from the entry key (index id || values || pk): the
 * columns read, decoded; false when a value was cut to the stored prefix
 * (the row is then read instead). */
static bool scan_fill_entry(ScanOp *s, const u8 *key, u32 kn, u32 pklen)
{
    const TableInfo *t = s->t;
    const IndexInfo *ix = s->ix;
    arena_reset(&s->karena);
    if (kn < 4 + pklen) return false;
    Cursor c;
    cur_init(&c, key + 4, kn - 4 - pklen);
    for (int k = 0; k < ix->ncols; k++) {
        int ci = table_col_index(t, ix->cols[k]);
        if (ci >= 0 && s->used[ci]) {
            if (!key_decode_value(&c, (TypeId)t->cols[ci].type, &s->karena, &s->row[ci])) return false;
        } else {
            key_skip(&c);
        }
        if (c.bad) return false;
    }
    cur_init(&c, key + kn - pklen, pklen);
    for (int k = 0; k < t->npk; k++) {
        int ci = table_col_index(t, t->pk[k]);
        if (ci >= 0 && s->used[ci]) {
            if (!key_decode_value(&c, (TypeId)t->cols[ci].type, &s->karena, &s->row[ci])) return false;
        } else {
            key_skip(&c);
        }
        if (c.bad) return false;
    }
    return true;
}

/* The rows an index path finds.  Present: the snapshot's rows that the
 * transaction did not write, then the transaction's own rows (all of them:
 * the filter above checks them).  AS OF: each key once, its version at
 * the point.  Ranges: each key once, all its versions in the range. */
static int scan_next_index(SqlCtx *ctx, ScanOp *s, Value **row)
{
    int rc;
    for (;;) {
        if (sql_check_interrupt(ctx)) return -DD_ECANCELED;
        if (s->vts) {
            Version v;
            int r = tscan_next(s->vts, &v, ctx->err);
            if (r < 0) return -scan_damage(ctx, s->t, 0, -r);
            if (r == 1) {
                rc = scan_fill(ctx, s, v.rec, v.reclen, v.start, v.end, v.start_op, v.end_op);
                if (rc) return neg(rc);
                *row = s->row;
                return 1;
            }
            tscan_close(s->vts);
            s->vts = NULL;
        }
        if (!s->ix_done) {
            const u8 *pk;
            u32 pklen;
            if (iscan_next(s->is, &pk, &pklen) == 0) {
                s->ix_done = true;
                continue;
            }
            Version v;
            int found;
            if (s->mode == TMODE_PRESENT) {
                if (ctx->ws && ws_find(ctx->ws, s->t->id, pk, pklen)) continue;
                if (s->ionly) {
                    const u8 *key;
                    u32 kn;
                    iscan_key(s->is, &key, &kn);
                    if (scan_fill_entry(s, key, kn, pklen)) {
                        *row = s->row;
                        return 1;
                    }
                }
                found = tget_present(ctx->snap, s->t->id, pk, pklen, &v);
            } else {
                bool fresh;
                if ((rc = seen_add(s, pk, pklen, &fresh))) return neg(rc);
                if (!fresh) continue;
                if (s->mode != TMODE_AS_OF) {
                    buf_reset(&s->vhi);
                    buf_append(&s->vhi, pk, pklen);
                    buf_putc(&s->vhi, 0);
                    if (!buf_ok(&s->vhi)) return -DD_ENOMEM;
                    rc = tscan_open(ctx->snap, s->t->id, s->mode, s->a, s->b, pk, pklen, s->vhi.data,
                                    (u32)s->vhi.len, &s->vts, ctx->err);
                    if (rc) return neg(rc);
                    continue;
                }
                found = tget_as_of(ctx->snap, s->t->id, pk, pklen, s->a, &v);
            }
            if (found < 0) return found;
            if (!found) continue;
            rc = scan_fill(ctx, s, v.rec, v.reclen, v.start, v.end, v.start_op, v.end_op);
            if (rc) return neg(rc);
            *row = s->row;
            return 1;
        }
        while (s->wspos < s->nws) {
            WsRow *w = s->ws[s->wspos++];
            if (!w->rec) continue;
            rc = scan_fill(ctx, s, w->rec, w->reclen, 0, 0, w->op, 0);
            if (rc) return neg(rc);
            *row = s->row;
            return 1;
        }
        return 0;
    }
}

/* The row of key pk in the present (the transaction's write first) or AS
 * OF the scan's point: 1 with *row, 0 none, <0 error. */
static int scan_point(SqlCtx *ctx, ScanOp *s, const u8 *pk, u32 pklen, Value **row)
{
    int rc;
    if (s->mode == TMODE_PRESENT && ctx->ws) {
        WsRow *w = ws_find(ctx->ws, s->t->id, pk, pklen);
        if (w) {
            if (!w->rec) return 0;
            rc = scan_fill(ctx, s, w->rec, w->reclen, 0, 0, w->op, 0);
            if (rc) return neg(rc);
            *row = s->row;
            return 1;
        }
    }
    Version v;
    int found = s->mode == TMODE_PRESENT ? tget_present(ctx->snap, s->t->id, pk, pklen, &v)
                                         : tget_as_of(ctx->snap, s->t->id, pk, pklen, s->a, &v);
    if (found <= 0) return found;
    rc = scan_fill(ctx, s, v.rec, v.reclen, v.start, v.end, v.start_op, v.end_op);
    if (rc) return neg(rc);
    *row = s->row;
    return 1;
}

static int scan_next_rows(SqlCtx *ctx, ScanOp *s, Value **row);
static int scan_next(SqlCtx *ctx, Op *op, Value **row)
{
    ScanOp *s = (ScanOp *)op;
    if (!s->rb_tried) {
        s->rb_tried = true;
        /* EXPLAIN ANALYZE counts a bare scan's rows as they come up */
        if (!ctx->instrument) {
            s->rb = rowbatch_plan(ctx, op);
        } else if (s->par && (s->rb = rowbatch_plan(ctx, op))) {
            /* in batches only when workers read it: otherwise row by
             * row, each row counted as it comes up */
            if (rowbatch_parallel(s->rb)) rowbatch_count(s->rb, NULL, &s->workers);
            else rowbatch_free(s->rb), s->rb = NULL;
        }
    }
    if (s->rb) return rowbatch_next(ctx, s->rb, row);
    int rc = scan_next_rows(ctx, s, row);
    if (rc > 0) s->act_rows[scan_by_key(s)]++;
    return rc;
}

static int scan_next_rows(SqlCtx *ctx, ScanOp *s, Value **row)
{
    int rc;
    if (s->empty) return 0;
    if (s->nkeys && (s->mode == TMODE_PRESENT || s->mode == TMODE_AS_OF)) {
        while (s->kpos < s->nkeys) {
            int k = s->kpos++;
            rc = scan_point(ctx, s, s->keys[k], s->keylens[k], row);
            if (rc) return rc;
        }
        return 0;
    }
    if (s->pk && (s->mode == TMODE_PRESENT || s->mode == TMODE_AS_OF)) {
        if (s->point_done) return 0;
        s->point_done = true;
        return scan_point(ctx, s, s->pk, s->pklen, row);
    }
    if (s->ix) return scan_next_index(ctx, s, row);
    for (;;) {
        if (ctx->interrupt && *ctx->interrupt) return -sql_check_interrupt(ctx);
        if (!s->cur_valid && !s->ts_done) {
            int r = tscan_next(s->ts, &s->cur, ctx->err);
            if (r < 0) return -scan_damage(ctx, s->t, 0, -r);
            if (r == 0) s->ts_done = true;
            else s->cur_valid = true;
        }
        /* merged with the transaction's rows in key order (or reversed) */
        WsRow *w = s->wspos < s->nws ? s->ws[s->desc ? s->nws - 1 - s->wspos : s->wspos] : NULL;
        if (!w && !s->cur_valid) return 0;
        int c = !w ? 1 : !s->cur_valid ? -1 : cmp_key(w->pk, w->pklen, s->cur.pk, s->cur.pklen);
        if (s->desc && w && s->cur_valid) c = -c;
        if (c <= 0) {
            s->wspos++;
            if (c == 0) s->cur_valid = false;   /* the write set overrides the snapshot */
            if (!w->rec) continue;
            rc = scan_fill(ctx, s, w->rec, w->reclen, 0, 0, w->op, 0);
        } else {
            s->cur_valid = false;
            rc = scan_fill(ctx, s, s->cur.rec, s->cur.reclen, s->cur.start, s->cur.end,
                           s->cur.start_op, s->cur.end_op);
        }
        if (rc) return neg(rc);
        *row = s->row;
        return 1;
    }
}

/* The next row's image (borrowed until the next call), for a whole-table
 * or key-range scan whose history columns no one reads: 1, 0 at the end,
 * or -code. */
static int scan_next_image(SqlCtx *ctx, Op *op, const u8 **rec, u32 *n, u64 *start)
{
    ScanOp *s = (ScanOp *)op;
    Value *row;
    s->raw = true;
    double t = ctx->instrument ? now_ms() : 0;
    int rc = scan_next_rows(ctx, s, &row);
    s->raw = false;
    if (ctx->instrument) op_count(op, rc, now_ms() - t, 1);
    if (rc <= 0) return rc;
    s->act_rows[scan_by_key(s)]++;
    *rec = s->raw_rec;
    *n = s->raw_len;
    *start = s->raw_start;
    return 1;
}

/* Up to max of the next rows' images (borrowed as scan_next_image's):
 * how many, fewer than max at the end or before an error (*rc).  A scan
 * of the present or of any period over the whole table or a key range,
 * with no rows of the transaction left to merge and not under EXPLAIN
 * ANALYZE (which counts rows as they come), takes them from
 * tscan_next_images (runs of the cursor, ascending), checking for a
 * cancel between its calls (one call over the past steps over a few thousand
 * versions at most); any other scan row by row, each row checking for a
 * cancel (a past scan may step over many versions between rows). */
static int scan_next_images(SqlCtx *ctx, Op *op, TImage *out, int max, int *rc)
{
    ScanOp *s = (ScanOp *)op;
    bool keyed = s->nkeys || s->pk;
    *rc = 0;
    if (!ctx->instrument && !s->empty && !keyed && !s->ix &&
        s->ts && !s->desc && !s->cur_valid && s->wspos >= s->nws) {
        int n = 0;
        while (n < max && !s->ts_done) {
            if (ctx->interrupt && *ctx->interrupt) {
                *rc = sql_check_interrupt(ctx);
                break;
            }
            n += tscan_next_images(s->ts, out + n, max - n, rc, ctx->err);
            if (*rc) break;
            s->ts_done = tscan_done(s->ts);
        }
        s->act_rows[scan_by_key(s)] += n;
        return n;
    }
    int n = 0;
    for (; n < max; n++) {
        int r = scan_next_image(ctx, op, &out[n].rec, &out[n].reclen, &out[n].start);
        if (r < 0) *rc = -r;
        if (r <= 0) break;
    }
    return n;
}

static void scan_close(SqlCtx *ctx, Op *op)
{
    ScanOp *s = (ScanOp *)op;
    rowbatch_free(s->rb);
    s->rb = NULL;
    s->rb_tried = false;
    for (int k = 0; k < 2; k++)
        if (s->act_scans[k]) {
            if (ctx->store) store_count_scan(ctx->store, s->t->id, k == 1, s->act_rows[k]);
            s->act_scans[k] = s->act_rows[k] = 0;
        }
    if (s->ts) { tscan_close(s->ts); s->ts = NULL; }
    if (s->is) { iscan_close(s->is); s->is = NULL; }
    if (s->vts) { tscan_close(s->vts); s->vts = NULL; }
    buf_free(&s->vhi);
    buf_free(&s->pkey);
    buf_free(&s->pkey_hi);
    dd_free(s->seen);
    s->seen = NULL;
    s->nseen = s->capseen = 0;
    arena_free(&s->seen_arena);
    arena_free(&s->karena);
}

static void scan_explain(Op *op, Buf *out)
{
    ScanOp *s = (ScanOp *)op;
    static const char *modes[] = {"", "AS OF", "FROM", "BETWEEN", "CONTAINED IN", "ALL"};
    bool per_row = s->nparts > 0;
    if (s->ix) buf_printf(out, "Index %sScan%s using %s on %s", scan_index_only(s) ? "Only " : "",
                          s->desc ? " Backward" : "", s->ix->name ? s->ix->name : "?", s->t->name);
    else if (s->nkeys) buf_printf(out, "Primary Key Lookup on %s (%d keys)", s->t->name, s->nkeys);
    else if (s->pk || (per_row && s->param_point)) buf_printf(out, "Primary Key Lookup on %s", s->t->name);
    else if (s->lo || s->hi || per_row) buf_printf(out, "Primary Key Range Scan%s on %s", s->desc ? " Backward" : "",
                                                  s->t->name);
    else buf_printf(out, "Seq Scan%s on %s", s->desc ? " Backward" : "", s->t->name);
    if (s->mode == TMODE_AS_OF) buf_printf(out, " FOR SYSTEM_TIME AS OF @SEQ:%llu", (unsigned long long)s->a);
    else if (s->mode == TMODE_ALL) buf_puts(out, " FOR SYSTEM_TIME ALL");
    else if (s->mode != TMODE_PRESENT)
        buf_printf(out, " FOR SYSTEM_TIME %s @SEQ:%llu %s @SEQ:%llu", modes[s->mode], (unsigned long long)s->a,
                   s->mode == TMODE_FROM_TO ? "TO" : s->mode == TMODE_BETWEEN ? "AND" : "-", (unsigned long long)s->b);
    if (per_row) buf_puts(out, " (key from the outer row)");
    if (s->ckpt) buf_printf(out, " from checkpoint @SEQ:%llu", (unsigned long long)s->ckpt);
}

static void scan_analyze(Op *op, Buf *out)
{
    const ScanOp *s = (const ScanOp *)op;
    if (s->workers) buf_printf(out, "Workers Launched: %d", s->workers);
}

static const OpVtbl scan_vt = {"", scan_open, scan_next, scan_close, scan_explain, scan_analyze};

Op *op_scan(SqlCtx *ctx, const TableInfo *t, TMode mode, u64 a, u64 b, const bool *used)
{
    ScanOp *s = op_alloc(ctx, sizeof(*s), &scan_vt, t->ncols + HIST_COLS);
    if (!s) return NULL;
    s->t = t;
    s->mode = mode;
    s->a = a;
    s->b = b;
    s->used = used;
    arena_init(&s->seen_arena, 16 * 1024);
    arena_init(&s->karena, 1024);
    return &s->op;
}

void op_scan_set_pk(Op *op, const u8 *pk, u32 n)
{
    ScanOp *s = (ScanOp *)op;
    s->pk = pk;
    s->pklen = n;
}

void op_scan_set_param(Op *op, const IndexInfo *ix, ScanKeyPart *parts, int n, bool point)
{
    ScanOp *s = (ScanOp *)op;
    s->parts = parts;
    s->nparts = n;
    s->param_point = point;
    s->param_ix = ix != NULL;
    s->ix = ix;
}

bool op_scan_is_full(const Op *op)
{
    const ScanOp *s = (const ScanOp *)op;
    return !s->ix && !s->pk && !s->lo && !s->hi && !s->nparts && !s->nkeys;
}

void op_scan_set_keys(Op *op, const u8 *const *keys, const u32 *lens, int n)
{
    ScanOp *s = (ScanOp *)op;
    s->keys = keys;
    s->keylens = lens;
    s->nkeys = n;
}

void op_scan_set_param_row(Op *op, const Value *row)
{
    ((ScanOp *)op)->param_row = row;
}

Op *op_scan_of(Op *op)
{
    while (op && op->vt != &scan_vt && op->vt == &filter_vt) op = op->child;
    return op && op->vt == &scan_vt ? op : NULL;
}

void op_scan_set_range(Op *op, const u8 *lo, u32 lolen, const u8 *hi, u32 hilen)
{
    ScanOp *s = (ScanOp *)op;
    s->lo = lo;
    s->lolen = lolen;
    s->hi = hi;
    s->hilen = hilen;
}

const TableInfo *op_scan_in_key_order(const Op *op)
{
    while (op && op->vt != &scan_vt && (op->vt == &filter_vt || op->vt == &place_vt)) op = op->child;
    if (!op || op->vt != &scan_vt) return NULL;
    const ScanOp *s = (const ScanOp *)op;
    return s->ix || s->desc || s->nparts ? NULL : s->t;
}

const TableInfo *op_scan_table(const Op *op)
{
    while (op && op->vt != &scan_vt && op->vt == &filter_vt) op = op->child;
    return op && op->vt == &scan_vt ? ((const ScanOp *)op)->t : NULL;
}

const IndexInfo *op_scan_index(const Op *op)
{
    while (op && op->vt != &scan_vt && op->vt == &filter_vt) op = op->child;
    if (!op || op->vt != &scan_vt) return NULL;
    return ((const ScanOp *)op)->ix;
}

bool op_scan_set_order(Op *op, const IndexInfo *ix, bool desc)
{
    while (op && op->vt != &scan_vt && op->vt == &filter_vt) op = op->child;
    if (!op || op->vt != &scan_vt) return false;
    ScanOp *s = (ScanOp *)op;
    if (s->pk && !s->nparts) return true;                /* one row */
    if (s->nkeys || s->nparts) return desc ? false : !ix && !s->ix;
    if (ix) {
        if (s->mode != TMODE_PRESENT || (s->ix && s->ix != ix) || s->lo || s->hi) return false;
        s->ix = ix;      /* a whole-table scan becomes the whole index */
    } else if (s->ix) {
        return false;
    }
    if (desc && s->mode != TMODE_PRESENT) return false;
    s->desc = desc;
    return true;
}

bool op_scan_is_point(const Op *op)
{
    while (op && op->vt != &scan_vt && op->child && !op->child2) op = op->child;
    return op && op->vt == &scan_vt && ((const ScanOp *)op)->pk != NULL;
}

void op_scan_set_index(Op *op, const IndexInfo *ix, const u8 *lo, u32 lolen, const u8 *hi, u32 hilen)
{
    ScanOp *s = (ScanOp *)op;
    s->ix = ix;
    s->ilo = lo;
    s->ilolen = lolen;
    s->ihi = hi;
    s->ihilen = hilen;
}

/* ================================================================ one row */

typedef struct OneOp { Op op; bool done; Value dummy; } OneOp;
static int one_open(SqlCtx *ctx, Op *op) { DD_UNUSED(ctx); ((OneOp *)op)->done = false; return DD_OK; }
static int one_next(SqlCtx *ctx, Op *op, Value **row)
{
    DD_UNUSED(ctx);
    OneOp *o = (OneOp *)op;
    if (o->done) return 0;
    o->done = true;
    *row = &o->dummy;
    return 1;
}
static void noop_close(SqlCtx *ctx, Op *op) { DD_UNUSED(ctx); DD_UNUSED(op); }
static const OpVtbl one_vt = {"Result", one_open, one_next, noop_close, NULL, NULL};
Op *op_one_row(SqlCtx *ctx) { return op_alloc(ctx, sizeof(OneOp), &one_vt, 0); }

/* ================================================================ rows */

typedef struct RowsOp { Op op; Value *rows; int n, pos; } RowsOp;
static int rows_open(SqlCtx *ctx, Op *op) { DD_UNUSED(ctx); ((RowsOp *)op)->pos = 0; return DD_OK; }
static int rows_next(SqlCtx *ctx, Op *op, Value **row)
{
    DD_UNUSED(ctx);
    RowsOp *o = (RowsOp *)op;
    if (o->pos >= o->n) return 0;
    *row = o->rows + (size_t)o->pos++ * (size_t)op->width;
    return 1;
}
static const OpVtbl rows_vt = {"Values", rows_open, rows_next, noop_close, NULL, NULL};
Op *op_rows(SqlCtx *ctx, int width, Value *rows, int nrows)
{
    RowsOp *o = op_alloc(ctx, sizeof(*o), &rows_vt, width);
    if (!o) return NULL;
    o->rows = rows;
    o->n = nrows;
    return &o->op;
}

typedef struct LateRowsOp { Op op; Value *const *rows; const size_t *nrows; size_t pos; const char *name; } LateRowsOp;
static int late_open(SqlCtx *ctx, Op *op) { DD_UNUSED(ctx); ((LateRowsOp *)op)->pos = 0; return DD_OK; }
static int late_next(SqlCtx *ctx, Op *op, Value **row)
{
    DD_UNUSED(ctx);
    LateRowsOp *o = (LateRowsOp *)op;
    if (o->pos >= *o->nrows) return 0;
    *row = *o->rows + o->pos++ * (size_t)op->width;
    return 1;
}
static void late_explain(Op *op, Buf *out) { buf_printf(out, " on %s", ((LateRowsOp *)op)->name); }
static const OpVtbl late_vt = {"CTE Scan", late_open, late_next, noop_close, late_explain, NULL};
Op *op_rows_late(SqlCtx *ctx, int width, Value *const *rows, const size_t *nrows, const char *name)
{
    LateRowsOp *o = op_alloc(ctx, sizeof(*o), &late_vt, width);
    if (!o) return NULL;
    o->rows = rows;
    o->nrows = nrows;
    o->name = name;
    return &o->op;
}

/* ================================================================ filter */

typedef struct FilterOp {
    Op op;
    ExprProg *pred;
    RowBatch *rb; bool rb_tried;   /* it and the filters under it read in batches (rowbatch_plan) */
    u64 nbatches;                  /* for EXPLAIN ANALYZE */
    int workers;                   /* EXPLAIN ANALYZE: the most worker threads that read its scan */
} FilterOp;
static int child_open(SqlCtx *ctx, Op *op) { return op_open(ctx, op->child); }
static void child_close(SqlCtx *ctx, Op *op) { op_close(ctx, op->child); }
static int filter_open(SqlCtx *ctx, Op *op)
{
    FilterOp *f = (FilterOp *)op;
    rowbatch_free(f->rb);
    f->rb = NULL;
    f->rb_tried = false;
    return op_open(ctx, op->child);
}
static void filter_close(SqlCtx *ctx, Op *op)
{
    FilterOp *f = (FilterOp *)op;
    rowbatch_free(f->rb);
    f->rb = NULL;
    f->rb_tried = false;
    op_close(ctx, op->child);
}
static int filter_next(SqlCtx *ctx, Op *op, Value **row)
{
    FilterOp *f = (FilterOp *)op;
    if (!f->rb_tried) {
        f->rb_tried = true;
        f->rb = rowbatch_plan(ctx, op);
        if (f->rb) rowbatch_count(f->rb, &f->nbatches, &f->workers);
    }
    if (f->rb) return rowbatch_next(ctx, f->rb, row);
    for (;;) {
        if (ctx->interrupt && *ctx->interrupt) return -sql_check_interrupt(ctx);
        ArenaMark m = arena_mark(ctx->row);
        Value *r;
        int rc = op_next(ctx, op->child, &r);
        if (rc <= 0) return rc;
        bool ok;
        rc = expr_eval_bool(f->pred, &op->env, r, &ok);
        if (rc) return neg(rc);
        if (ok) { *row = r; return 1; }
        arena_rewind(ctx->row, m);
    }
}
static void filter_explain(Op *op, Buf *out)
{
    const FilterOp *f = (const FilterOp *)op;
    if (f->nbatches)
        buf_printf(out, " (vectorized, %llu batch%s)", (unsigned long long)f->nbatches, f->nbatches == 1 ? "" : "es");
}
static void filter_analyze(Op *op, Buf *out)
{
    const FilterOp *f = (const FilterOp *)op;
    if (f->workers) buf_printf(out, "Workers Launched: %d", f->workers);
}
static const OpVtbl filter_vt = {"Filter", filter_open, filter_next, filter_close, filter_explain, filter_analyze};
Op *op_filter(SqlCtx *ctx, Op *child, ExprProg *pred)
{
    FilterOp *f = op_alloc(ctx, sizeof(*f), &filter_vt, child->width);
    if (!f) return NULL;
    f->op.child = child;
    f->pred = pred;
    return &f->op;
}

/* ================================================================ project */

typedef struct ProjectOp {
    Op op;
    ExprProg **exprs;
    Value *row;
    bool pass;   /* the child's row is the result (project_passes) */
} ProjectOp;
static int project_next(SqlCtx *ctx, Op *op, Value **row)
{
    ProjectOp *p = (ProjectOp *)op;
    Value *r;
    int rc = op_next(ctx, op->child, &r);
    if (rc <= 0) return rc;
    if (p->pass) {
        *row = r;
        return 1;
    }
    for (int i = 0; i < op->width; i++) {
        rc = expr_eval(p->exprs[i], &op->env, r, &p->row[i]);
        if (rc) return neg(rc);
    }
    *row = p->row;
    return 1;
}
static const OpVtbl project_vt = {"Project", child_open, project_next, child_close, NULL, NULL};

/* Whether a projection is its child's row as it is (SELECT * of a table):
 * result column i is the child's column i for every i, over a scan (or a
 * filter over one), whose NULLs carry their columns' types.  Copying the
 * row would cost more than the rest of such a query's work per row. */
static bool project_passes(const Op *child, ExprProg *const *exprs, int n)
{
    const Op *s = child->vt == &filter_vt ? child->child : child;
    if (!s || s->vt != &scan_vt) return false;
    for (int i = 0; i < n; i++)
        if (exprs[i]->n != 1 || exprs[i]->code[0].op != XOP_SLOT || exprs[i]->code[0].a != i) return false;
    return true;
}

Op *op_project(SqlCtx *ctx, Op *child, ExprProg **exprs, int n)
{
    ProjectOp *p = op_alloc(ctx, sizeof(*p), &project_vt, n);
    if (!p) return NULL;
    p->op.child = child;
    p->exprs = exprs;
    p->pass = project_passes(child, exprs, n);
    p->row = arena_zalloc(ctx->stmt, sizeof(Value) * (size_t)(n ? n : 1));
    return p->row ? &p->op : NULL;
}

/* ================================================================ row hash set */

/* Open-addressing set of rows of `n` Values; equality is SQL "not
 * distinct" (NULLs equal), hashing consistent with val_compare. */
typedef struct RowSlot { u64 hash; Value *row; } RowSlot;
typedef struct RowSet {
    RowSlot *slots;   /* a row and its hash; row NULL: empty */
    size_t cap, count;
    int n;
    u64 last_hash;    /* the hash of the row rowset_find looked for last */
    bool last_valid;  /* ... and no row was added since */
} RowSet;

static u64 row_hash(const Value *r, int n)
{
    u64 h = 1469598103934665603ULL;
    for (int i = 0; i < n; i++) {
        u64 x = r[i].isnull ? 0x9e3779b97f4a7c15ULL : val_hash(&r[i]);
        h = (h ^ x) * 1099511628211ULL;
        h ^= h >> 29;
    }
    return h;
}

static bool row_equal(SqlCtx *ctx, const Value *a, const Value *b, int n)
{
    for (int i = 0; i < n; i++) {
        if (a[i].isnull != b[i].isnull) return false;
        if (!a[i].isnull && val_compare(&a[i], &b[i], &ctx->vctx) != 0) return false;
    }
    return true;
}

/* The memory a set's slots take (for the budgets). */
static size_t rowset_bytes(const RowSet *s) { return s->cap * sizeof(RowSlot); }

static int rowset_grow(RowSet *s)
{
    size_t ncap = s->cap ? s->cap * 2 : 64;
    RowSlot *ns = dd_calloc(ncap, sizeof(RowSlot));
    if (!ns) return DD_ENOMEM;
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->slots[i].row) continue;
        size_t j = s->slots[i].hash & (ncap - 1);
        while (ns[j].row) j = (j + 1) & (ncap - 1);
        ns[j] = s->slots[i];
    }
    dd_free(s->slots);
    s->slots = ns;
    s->cap = ncap;
    return DD_OK;
}

/* The stored row equal to r in *found, or NULL.  A row's hash is compared
 * before the row, so a search reads only rows that hash alike. */
static int rowset_find(SqlCtx *ctx, RowSet *s, const Value *r, Value **found)
{
    *found = NULL;
    u64 h = row_hash(r, s->n);
    s->last_hash = h;
    s->last_valid = true;
    if (!s->cap) return DD_OK;
    for (size_t j = h & (s->cap - 1); s->slots[j].row; j = (j + 1) & (s->cap - 1))
        if (s->slots[j].hash == h && row_equal(ctx, s->slots[j].row, r, s->n)) {
            *found = s->slots[j].row;
            return DD_OK;
        }
    return DD_OK;
}

/* Stores r (which outlives the set).  When a rowset_find looked for a
 * row since the last add, r must equal that row (its hash is reused). */
static int rowset_add(RowSet *s, Value *r)
{
    u64 h = s->last_valid ? s->last_hash : row_hash(r, s->n);
    s->last_valid = false;
    if ((s->count + 1) * 2 > s->cap) {
        int rc = rowset_grow(s);
        if (rc) return rc;
    }
    size_t j = h & (s->cap - 1);
    while (s->slots[j].row) j = (j + 1) & (s->cap - 1);
    s->slots[j] = (RowSlot){h, r};
    s->count++;
    return DD_OK;
}

static void rowset_free(RowSet *s) { dd_free(s->slots); memset(s, 0, sizeof(*s)); }

static int copy_row(Arena *a, const Value *r, int n, Value **out)
{
    Value *c = arena_alloc(a, sizeof(Value) * (size_t)(n ? n : 1));
    if (!c) return DD_ENOMEM;
    for (int i = 0; i < n; i++) {
        int rc = val_copy(a, &r[i], &c[i]);
        if (rc) return rc;
    }
    *out = c;
    return DD_OK;
}

/* ================================================================ aggregate */

typedef struct AggState {
    i64 count;
    Value acc;        /* sum / min / max / bool */
    bool has;
    /* sum / avg of integers whose result is numeric (sum(bigint), avg of
     * any integer): the exact sum, kept as an integer (|x| < 2^63 for at
     * most 2^63 rows stays within 2^126) and made numeric at the end */
    bool isum_on;
    i128 isum;
    Buf text;         /* string_agg; the json aggregates' text */
    bool nord_rows;   /* json aggregates with ORDER BY: items holds their rows */
    RowSet seen;      /* DISTINCT */
    Value *items; u32 nitems, capitems;   /* array_agg, in the operator's arena; with ORDER BY
                                             (and for string_agg) rows of ord_width values */
    Value acc2;       /* ordered-set aggregates: the fraction(s) */
    NumWide *wide;    /* variance / stddev of integers and numeric: the exact sums of x
                         and x² (numexact.c; in the operator's arena), as PostgreSQL's
                         sums never overflow or round */
    double fn, fsx, fsxx;   /* variance / stddev of double precision: count, sum, and
                               the sum of squared differences (Youngs-Cramer); for
                               regr_* and the like: of x */
    double fsy, fsyy, fsxy; /* regr_* and the like: the sums of y, of y's squared
                               differences and of the products of both differences */
} AggState;

/* b's bytes and a NUL in a (a Buf keeps no NUL of its own); NULL when out
 * of memory. */
static char *arena_text(Arena *a, const Buf *b)
{
    char *p = arena_alloc(a, b->len + 1);
    if (!p) return NULL;
    if (b->len) memcpy(p, b->data, b->len);
    p[b->len] = 0;
    return p;
}

/* Values kept per input row by an aggregate with ORDER BY: the value, the
 * delimiter (string_agg) or the object's value (json(b)_object_agg), the
 * sort keys. */
static u32 ord_width(const AggSpec *sp)
{
    bool two = sp->kind == AGG_STRING_AGG || sp->kind == AGG_JSON_OBJECT_AGG || sp->kind == AGG_JSONB_OBJECT_AGG;
    return 1u + two + (u32)sp->nord;
}

/* Appends w values to st->items (copied into a). */
static int keep_values(Arena *a, AggState *st, const Value *v, u32 w)
{
    if (st->nitems + w > st->capitems) {
        u32 ncap = st->capitems ? st->capitems * 2 : 8 * w;
        while (ncap < st->nitems + w) ncap *= 2;
        Value *ni = arena_alloc(a, sizeof(Value) * ncap);
        if (!ni) return DD_ENOMEM;
        if (st->nitems) memcpy(ni, st->items, sizeof(Value) * st->nitems);
        st->items = ni;
        st->capitems = ncap;
    }
    for (u32 i = 0; i < w; i++) {
        int rc = val_copy(a, &v[i], &st->items[st->nitems + i]);
        if (rc) return rc;
    }
    st->nitems += w;
    return DD_OK;
}

/* qsort_r order of the kept rows of an aggregate with ORDER BY (their
 * position breaks ties, so equal keys keep the input order). */
typedef struct OrdSort { const AggSpec *sp; const Value *items; u32 w; const ValueCtx *vc; } OrdSort;
static int cmp_ord_rows(const void *x, const void *y, void *arg)
{
    const OrdSort *o = arg;
    u32 i = *(const u32 *)x, j = *(const u32 *)y;
    const Value *a = o->items + (size_t)i * o->w + (o->w - (u32)o->sp->nord);
    const Value *b = o->items + (size_t)j * o->w + (o->w - (u32)o->sp->nord);
    for (int k = 0; k < o->sp->nord; k++) {
        int c;
        if (a[k].isnull || b[k].isnull) {
            if (a[k].isnull && b[k].isnull) continue;
            c = a[k].isnull ? 1 : -1;
            if (o->sp->ord_nulls_first[k]) c = -c;
            return c;
        }
        c = val_compare(&a[k], &b[k], o->vc);
        if (c) return o->sp->ord_desc[k] ? -c : c;
    }
    return i < j ? -1 : i > j;
}

typedef struct Group {
    Value *keys;      /* points just past the struct (see group_of_keys) */
    AggState *st;
    Value *out;       /* keys then results */
    void *pad;        /* keeps sizeof(Group) a multiple of 16 for Value */
} Group;
DD_STATIC_ASSERT(sizeof(Group) % 16 == 0, "Group must keep Value alignment");

typedef struct AggOp {
    Op op;
    ExprProg **group; int ngroup;
    /* grouping sets (ROLLUP, CUBE, GROUPING SETS): each input row counts
     * in one group per set, its keys outside the set NULL; the set's index
     * is one more key (nkeys = ngroup + 1) and output column */
    const u64 *sets; int nsets;
    int nkeys;
    AggSpec **aggs; int naggs;
    Arena arena;
    RowSet set;       /* rows are Group.keys; the Group is found via the map below */
    Group **groups; size_t ngroups, capgroups;
    size_t pos;
    bool built;
    u64 nbatches;     /* batches read (batch aggregation), for EXPLAIN ANALYZE */
    int nthreads;     /* threads that read them, when more than one */
    /* Spilling (below agg_add): once the groups held pass the budget
     * (full), the rows of groups not held go to partitions by their keys'
     * hash (keys, then the input row), each aggregated in a later pass */
    bool spill;       /* may spill (false: a part of a parallel run) */
    bool full;
    SpillParts sp;
    Value *srow;      /* keys, then the input row: a spilled row */
} AggOp;

#define AGG_PAR_MAX_GROUPS 65536

static Group *group_of_keys(Value *keys)
{
    /* keys points at groups[i]->keys: the Group struct precedes it in
     * memory (allocated together) */
    return (Group *)((char *)keys - sizeof(Group));
}

static int agg_new_group(SqlCtx *ctx, AggOp *a, const Value *keys, Group **out)
{
    size_t sz = sizeof(Group) + sizeof(Value) * (size_t)(a->nkeys + a->nkeys + a->naggs + 1);
    Group *g = arena_zalloc(&a->arena, sz);
    if (!g) return DD_ENOMEM;
    g->keys = (Value *)(g + 1);
    g->out = g->keys + a->nkeys;
    for (int i = 0; i < a->nkeys; i++) {
        int rc = val_copy(&a->arena, &keys[i], &g->keys[i]);
        if (rc) return rc;
    }
    g->st = arena_zalloc(&a->arena, sizeof(AggState) * (size_t)(a->naggs ? a->naggs : 1));
    if (!g->st) return DD_ENOMEM;
    for (int i = 0; i < a->naggs; i++) {
        AggKind k = a->aggs[i]->kind;
        g->st[i].seen.n = k == AGG_STRING_AGG || k == AGG_JSON_OBJECT_AGG || k == AGG_JSONB_OBJECT_AGG ? 2 : 1;
    }
    if (a->ngroups == a->capgroups) {
        size_t ncap = a->capgroups ? a->capgroups * 2 : 16;
        Group **ng = dd_realloc(a->groups, sizeof(Group *) * ncap);
        if (!ng) return DD_ENOMEM;
        a->groups = ng;
        a->capgroups = ncap;
    }
    a->groups[a->ngroups++] = g;
    int rc = rowset_add(&a->set, g->keys);
    if (rc) return rc;
    /* a part of a parallel run with this many groups: merging them would
     * cost more than the threads save, so one thread runs it all */
    if (!a->spill && a->ngroups > AGG_PAR_MAX_GROUPS)
        return dd_err(ctx->err, DD_ENOMEM, -1, "too many groups for a parallel aggregate");
    if (a->arena.total + rowset_bytes(&a->set) > sql_work_mem(ctx)) {
        /* this group stays; the rows of groups not held from now on spill */
        if (!a->spill)
            return dd_err(ctx->err, DD_ENOMEM, -1, "hash aggregate needs more than work_mem (%zu kB) for its groups",
                          sql_work_mem(ctx) / 2048);
        a->full = a->sp.level < SPILL_MAX_LEVEL;
    }
    *out = g;
    return DD_OK;
}

/* json_agg / jsonb_agg / json_object_agg / jsonb_object_agg: NULLs are
 * JSON nulls (a NULL key is 22023); the text grows in st->text: json's
 * "[a, b]" and "{ "k" : v, ... }" as PostgreSQL prints them, jsonb's
 * elements in normal form (an object is parsed again at the end, which
 * sorts its keys and keeps the last of duplicates). */
static int json_agg_add(SqlCtx *ctx, const AggSpec *sp, AggState *st, const Value *v, const Value *val)
{
    ValueCtx vc = ctx->vctx;
    vc.arena = ctx->row;
    vc.float_fixed = false;
    bool object = sp->kind == AGG_JSON_OBJECT_AGG || sp->kind == AGG_JSONB_OBJECT_AGG;
    bool b = sp->kind == AGG_JSONB_AGG || sp->kind == AGG_JSONB_OBJECT_AGG;
    Buf *t = &st->text;
    bool first = !st->has;
    buf_puts(t, st->has ? ", " : object && !b ? "{ " : object ? "{" : "[");
    st->has = true;
    /* json_agg puts a newline before every array and row but the first, as PostgreSQL */
    if (!first && !b && !object && !v->isnull && (type_is_array(v->type) || sp->of_rows)) buf_puts(t, "\n ");
    if (object) {
        if (v->isnull) return dd_err(ctx->err, DD_EINVALID_PARAM, -1, "field name must not be null");
        if (v->type == TYPE_JSON || v->type == TYPE_JSONB)
            return dd_err(ctx->err, DD_EINVALID_PARAM, -1, "key value must be scalar, not array, composite, or json");
        Buf k = BUF_INIT;
        if (v->type == TYPE_BOOL) buf_puts(&k, v->v.b ? "true" : "false");
        else val_to_text(v, &vc, &k);
        json_write_string(k.len ? (const char *)k.data : "", k.len, t);
        buf_free(&k);
        buf_puts(t, b ? ": " : " : ");
        v = val;
    }
    if (!b) {
        json_write_value(v, &vc, t);
    } else {
        JNode *n;
        int rc = json_scalar_node(v, &vc, ctx->row, &n, ctx->err);
        if (rc) return rc;
        jsonb_write(n, t);
    }
    return buf_ok(t) ? DD_OK : DD_ENOMEM;
}

/* An ORDER BY key of an aggregate: the argument's value (v, or v2 the
 * second argument's) when it is that argument, else its own evaluation. */
static int agg_ord_key(AggOp *a, const AggSpec *sp, int i, const Value *v, const Value *v2, const Value *row, Value *out)
{
    if (sp->ord_arg && sp->ord_arg[i] >= 0) {
        *out = sp->ord_arg[i] ? *v2 : *v;
        return DD_OK;
    }
    return expr_eval(sp->ord[i], &a->op.env, row, out);
}

/* v2: the object's value when the caller evaluated it, else NULL */
static int json_agg_step(SqlCtx *ctx, AggOp *a, AggSpec *sp, AggState *st, const Value *v, const Value *v2,
                         const Value *row)
{
    bool object = sp->kind == AGG_JSON_OBJECT_AGG || sp->kind == AGG_JSONB_OBJECT_AGG;
    Value val = val_null(TYPE_NULLTYPE);
    int rc;
    if (v2) val = *v2;
    else if (object && (rc = expr_eval(sp->arg2, &a->op.env, row, &val))) return rc;
    st->count++;
    if (sp->nord) {
        /* ORDER BY: keep the value (and the object's value) and the keys;
         * agg_final sorts them and writes the text */
        u32 w = ord_width(sp), k = 0;
        Value kept[16 + 2];
        Value *row_v = w <= DD_ARRAY_LEN(kept) ? kept : arena_alloc(ctx->row, sizeof(Value) * w);
        if (!row_v) return DD_ENOMEM;
        row_v[k++] = *v;
        if (object) row_v[k++] = val;
        for (int i = 0; i < sp->nord; i++)
            if ((rc = agg_ord_key(a, sp, i, v, &val, row, &row_v[k++]))) return rc;
        st->nord_rows = true;
        return keep_values(&a->arena, st, row_v, w);
    }
    return json_agg_add(ctx, sp, st, v, &val);
}

/* st's sum plus v (of the sum's type): a sum past 38 digits keeps its
 * digits in st->text, rewritten each time, and the arena gives back what
 * the addition took. */
static int acc_add(SqlCtx *ctx, AggOp *a, AggState *st, const Value *v)
{
    ValueCtx vc = ctx->vctx;
    vc.arena = &a->arena;
    Value r;
    ArenaMark m = arena_mark(&a->arena);
    if (!st->has) {   /* the first value: held as a later sum is */
        r = *v;
        st->has = true;
    } else {
        int rc = val_arith(ARITH_ADD, &st->acc, v, &vc, &r, ctx->err);
        if (rc) return rc;
    }
    if (r.type == TYPE_NUMERIC && numeric_is_big(r.scale)) {
        Buf *t = &st->text;
        if (r.v.s.p != (const char *)t->data) {   /* not already there (a first value kept in a thread's) */
            t->len = 0;
            buf_append(t, r.v.s.p, r.v.s.len);
            if (!buf_ok(t)) return DD_ENOMEM;
            r.v.s.p = (const char *)t->data;
        }
        arena_rewind(&a->arena, m);
    }
    st->acc = r;
    return DD_OK;
}

static int agg_step(SqlCtx *ctx, AggOp *a, AggSpec *sp, AggState *st, const Value *row)
{
    ValueCtx vc = ctx->vctx;
    vc.arena = &a->arena;
    int rc;
    if (sp->filter) {
        bool keep;
        if ((rc = expr_eval_bool(sp->filter, &a->op.env, row, &keep))) return rc;
        if (!keep) return DD_OK;
    }
    if (sp->kind == AGG_COUNT_STAR) { st->count++; return DD_OK; }
    Value v;
    rc = expr_eval(sp->arg, &a->op.env, row, &v);
    if (rc) return rc;
    bool json = sp->kind >= AGG_JSON_AGG && sp->kind <= AGG_JSONB_OBJECT_AGG;
    bool object = sp->kind == AGG_JSON_OBJECT_AGG || sp->kind == AGG_JSONB_OBJECT_AGG;
    bool two = object || sp->kind == AGG_STRING_AGG;
    if (json && (!sp->distinct || (object && v.isnull))) return json_agg_step(ctx, a, sp, st, &v, NULL, row);
    if (v.isnull && sp->kind != AGG_ARRAY_AGG && !json) return DD_OK;   /* array_agg and json_agg keep NULLs */
    Value vx = val_null(TYPE_FLOAT8);
    if (agg_is_regr(sp->kind)) {   /* pairs with a NULL are skipped */
        if ((rc = expr_eval(sp->arg2, &a->op.env, row, &vx))) return rc;
        if (vx.isnull) return DD_OK;
    }
    Value v2 = val_null(TYPE_NULLTYPE);
    bool has_v2 = false;
    if (sp->distinct) {
        /* distinct in all its arguments (string_agg's delimiter too) */
        Value t[2] = {v, val_null(TYPE_NULLTYPE)}, *f, *c;
        if (two && (rc = expr_eval(sp->arg2, &a->op.env, row, &t[1]))) return rc;
        v2 = t[1];
        has_v2 = two;
        rowset_find(ctx, &st->seen, t, &f);
        if (f) return DD_OK;
        rc = copy_row(&a->arena, t, st->seen.n, &c);
        if (!rc) rc = rowset_add(&st->seen, c);
        if (rc) return rc;
        if (json) return json_agg_step(ctx, a, sp, st, &v, two ? &v2 : NULL, row);
    }
    st->count++;
    if (agg_is_ordered_set(sp->kind) && !st->has && sp->arg2) {
        /* the fraction(s): a direct argument, the same for every row of the group */
        Value f;
        if ((rc = expr_eval(sp->arg2, &a->op.env, row, &f))) return rc;
        if ((rc = val_copy(&a->arena, &f, &st->acc2))) return rc;
    }
    if (sp->nord && (sp->kind == AGG_ARRAY_AGG || sp->kind == AGG_STRING_AGG || agg_is_ordered_set(sp->kind))) {
        /* ORDER BY: keep the value, its delimiter and its keys; the final
         * step sorts them */
        u32 w = ord_width(sp), k = 0;
        Value kept[16 + 2];
        Value *row_v = w <= DD_ARRAY_LEN(kept) ? kept : arena_alloc(ctx->row, sizeof(Value) * w);
        if (!row_v) return DD_ENOMEM;
        row_v[k++] = v;
        if (sp->kind == AGG_STRING_AGG) {
            if (has_v2) row_v[k++] = v2;
            else if ((rc = expr_eval(sp->arg2, &a->op.env, row, &row_v[k++]))) return rc;
        }
        for (int i = 0; i < sp->nord; i++)
            if ((rc = agg_ord_key(a, sp, i, &v, &row_v[1], row, &row_v[k++]))) return rc;
        st->has = true;
        return keep_values(&a->arena, st, row_v, w);
    }
    switch (sp->kind) {
    case AGG_COUNT: break;
    case AGG_SUM: case AGG_AVG: {
        /* avg keeps a sum in its result's type (numeric for integers) */
        TypeId acc_t = sp->kind == AGG_SUM || sp->type != TYPE_NUMERIC ? sp->type : TYPE_NUMERIC;
        if (acc_t == TYPE_NUMERIC && type_is_int(v.type)) {   /* an integer sum, as an integer */
            st->isum = st->has ? st->isum + (i128)v.v.i : (i128)v.v.i;
            st->isum_on = st->has = true;
            break;
        }
        if (acc_t == TYPE_INT8 && type_is_int(v.type) && st->has && st->acc.type == TYPE_INT8) {
            /* sum(int) / sum(smallint): bigint, 22003 past its range */
            if (__builtin_add_overflow(st->acc.v.i, v.v.i, &st->acc.v.i))
                return dd_err(ctx->err, DD_EOUT_OF_RANGE, -1, "bigint out of range");
            break;
        }
        Value cv;
        rc = val_cast(&v, acc_t, -1, false, &vc, &cv, ctx->err);
        if (rc) return rc;
        if ((rc = acc_add(ctx, a, st, &cv))) return rc;
        break;
    }
    case AGG_MIN: case AGG_MAX: {
        /* of equal values the later, as PostgreSQL's *_smaller and
         * *_larger keep it (1.00 after 1.0); copied only when written
         * otherwise */
        int c = st->has ? val_compare(&v, &st->acc, &vc) : 0;
        if (!st->has || (sp->kind == AGG_MIN ? c < 0 : c > 0) || (c == 0 && !val_same_form(&v, &st->acc))) {
            rc = val_copy(&a->arena, &v, &st->acc);
            if (rc) return rc;
            st->has = true;
        }
        break;
    }
    case AGG_BIT_AND: case AGG_BIT_OR: case AGG_BIT_XOR:
        if (!st->has) st->acc = v;
        else if (sp->kind == AGG_BIT_AND) st->acc.v.i &= v.v.i;
        else if (sp->kind == AGG_BIT_OR) st->acc.v.i |= v.v.i;
        else st->acc.v.i ^= v.v.i;
        st->has = true;
        break;
    case AGG_BOOL_AND:
        st->acc = val_bool(st->has ? (st->acc.v.b && v.v.b) : v.v.b);
        st->has = true;
        break;
    case AGG_BOOL_OR:
        st->acc = val_bool(st->has ? (st->acc.v.b || v.v.b) : v.v.b);
        st->has = true;
        break;
    case AGG_ARRAY_AGG:
        if ((rc = keep_values(&a->arena, st, &v, 1))) return rc;
        break;
    case AGG_COVAR_POP: case AGG_COVAR_SAMP: case AGG_CORR: case AGG_REGR_COUNT: case AGG_REGR_AVGX:
    case AGG_REGR_AVGY: case AGG_REGR_SXX: case AGG_REGR_SYY: case AGG_REGR_SXY: case AGG_REGR_SLOPE:
    case AGG_REGR_INTERCEPT: case AGG_REGR_R2: {
        double y = v.v.f, x = vx.v.f, prev = st->fn, psx = st->fsx, psy = st->fsy;
        st->fn += 1.0;
        st->fsx += x;
        st->fsy += y;
        if (prev > 0.0) {
            double tx = x * st->fn - st->fsx, ty = y * st->fn - st->fsy, scale = 1.0 / (st->fn * prev);
            st->fsxx += tx * tx * scale;
            st->fsyy += ty * ty * scale;
            st->fsxy += tx * ty * scale;
            if (isinf(st->fsx) || isinf(st->fsxx)) {
                if (!isinf(psx) && !isinf(x)) return dd_err(ctx->err, DD_EOUT_OF_RANGE, -1, "value out of range: overflow");
                st->fsxx = NAN;
            }
            if (isinf(st->fsy) || isinf(st->fsyy)) {
                if (!isinf(psy) && !isinf(y)) return dd_err(ctx->err, DD_EOUT_OF_RANGE, -1, "value out of range: overflow");
                st->fsyy = NAN;
            }
            if (isinf(st->fsxy)) {
                if (!isinf(psx) && !isinf(x) && !isinf(psy) && !isinf(y))
                    return dd_err(ctx->err, DD_EOUT_OF_RANGE, -1, "value out of range: overflow");
                st->fsxy = NAN;
            }
        } else {
            if (isinf(x) || isnan(x)) st->fsxx = st->fsxy = NAN;
            if (isinf(y) || isnan(y)) st->fsyy = st->fsxy = NAN;
        }
        st->has = true;
        break;
    }
    case AGG_VAR_SAMP: case AGG_VAR_POP: case AGG_STDDEV_SAMP: case AGG_STDDEV_POP:
        if (sp->type == TYPE_FLOAT8) {
            /* Youngs-Cramer: Sxx grows by (x*N - Sx)^2 / (N * (N - 1)) */
            double x = v.v.f, prev = st->fn, prevsx = st->fsx;
            st->fn += 1.0;
            st->fsx += x;
            if (prev > 0.0) {
                double t = x * st->fn - st->fsx;
                st->fsxx += t * t / (st->fn * prev);
                if (isinf(st->fsx) || isinf(st->fsxx)) {
                    /* finite inputs that overflow are an error; an infinite input makes NaN */
                    if (!isinf(prevsx) && !isinf(x))
                        return dd_err(ctx->err, DD_EOUT_OF_RANGE, -1, "value out of range: overflow");
                    st->fsxx = NAN;
                }
            } else if (isinf(x) || isnan(x)) {
                st->fsxx = NAN;
            }
            st->has = true;
            break;
        }
        if (!st->wide) {
            st->wide = arena_alloc(&a->arena, numeric_wide_size());
            if (!st->wide) return DD_ENOMEM;
            if ((rc = numeric_wide_init(st->wide, 0, 0, 0, 0, ctx->err))) return rc;
            st->has = true;
        }
        rc = numeric_wide_add_value(st->wide, &v, ctx->err);
        if (rc) return rc;
        break;
    case AGG_STRING_AGG: {
        Value d;
        rc = expr_eval(sp->arg2, &a->op.env, row, &d);
        if (rc) return rc;
        if (st->has && !d.isnull) buf_append(&st->text, d.v.s.p, d.v.s.len);
        if (v.type == TYPE_BYTEA) buf_append(&st->text, v.v.s.p, v.v.s.len);   /* bytea's bytes */
        else val_to_text(&v, &vc, &st->text);
        if (!buf_ok(&st->text)) return DD_ENOMEM;
        st->has = true;
        break;
    }
    default: break;
    }
    return DD_OK;
}

/* qsort_r order of array_agg(DISTINCT ...)'s values: NULL last. */
static int cmp_agg_items(const void *x, const void *y, void *vc)
{
    const Value *a = x, *b = y;
    if (a->isnull || b->isnull) return (int)a->isnull - (int)b->isnull;
    return val_compare(a, b, vc);
}

/* array_agg / string_agg with ORDER BY: the kept rows sorted, then the
 * array or the text built from them. */
static int agg_final_ordered(SqlCtx *ctx, AggOp *a, const AggSpec *sp, AggState *st, Value *out)
{
    u32 w = ord_width(sp), n = st->nitems / w;
    if (!n) { *out = val_null(sp->type); return DD_OK; }
    ValueCtx vc = ctx->vctx;
    vc.arena = &a->arena;
    u32 *idx = arena_alloc(&a->arena, sizeof(u32) * n);
    if (!idx) return DD_ENOMEM;
    for (u32 i = 0; i < n; i++) idx[i] = i;
    OrdSort o = {sp, st->items, w, &vc};
    qsort_r(idx, n, sizeof(u32), cmp_ord_rows, &o);
    if (sp->kind == AGG_ARRAY_AGG) {
        Value *vals = arena_alloc(&a->arena, sizeof(Value) * n);
        if (!vals) return DD_ENOMEM;
        for (u32 i = 0; i < n; i++) vals[i] = st->items[(size_t)idx[i] * w];
        return arr_build(&a->op.env, &a->arena, vals, (int)n, sp->type, false, out);
    }
    Buf b = BUF_INIT;
    for (u32 i = 0; i < n; i++) {
        const Value *r = st->items + (size_t)idx[i] * w;
        if (i && !r[1].isnull) buf_append(&b, r[1].v.s.p, r[1].v.s.len);
        if (r[0].type == TYPE_BYTEA) buf_append(&b, r[0].v.s.p, r[0].v.s.len);
        else val_to_text(&r[0], &vc, &b);
    }
    char *p = buf_ok(&b) ? arena_text(&a->arena, &b) : NULL;
    size_t len = b.len;
    buf_free(&b);
    if (!p) return DD_ENOMEM;
    *out = val_text(sp->type, p, (u32)len);
    return DD_OK;
}

/* variance / stddev: NULL for no rows (and one row of a sample); float:
 * Sxx / N or / (N - 1); numeric: (N * sum(x^2) - sum(x)^2) / (N * N) or
 * / (N * (N - 1)) at PostgreSQL's division scale, the root at that scale. */
static int agg_final_stat(SqlCtx *ctx, AggOp *a, const AggSpec *sp, const AggState *st, Value *out)
{
    bool samp = sp->kind == AGG_VAR_SAMP || sp->kind == AGG_STDDEV_SAMP;
    bool root = sp->kind == AGG_STDDEV_SAMP || sp->kind == AGG_STDDEV_POP;
    if (sp->type == TYPE_FLOAT8) {
        if (st->fn == 0.0 || (samp && st->fn == 1.0)) { *out = val_null(TYPE_FLOAT8); return DD_OK; }
        double var = st->fsxx / (samp ? st->fn - 1.0 : st->fn);
        *out = val_float(TYPE_FLOAT8, root ? sqrt(var) : var);
        return DD_OK;
    }
    i64 n = st->count;
    if (n == 0 || (samp && n == 1) || !st->wide) { *out = val_null(TYPE_NUMERIC); return DD_OK; }
    return numeric_wide_var_value(st->wide, n, samp, root, &a->arena, out, ctx->err);
}

/* covar_pop, covar_samp, corr and regr_*: PostgreSQL's formulas over the
 * sums; NULL where they are undefined (no rows, a zero variance). */
static int agg_final_regr(const AggSpec *sp, const AggState *st, Value *out)
{
    double n = st->fn, sx = st->fsx, sy = st->fsy, sxx = st->fsxx, syy = st->fsyy, sxy = st->fsxy, r = 0;
    bool null = n < 1.0;
    switch (sp->kind) {
    case AGG_REGR_COUNT: *out = val_int(TYPE_INT8, st->count); return DD_OK;
    case AGG_COVAR_POP: r = sxy / n; break;
    case AGG_COVAR_SAMP: null = n < 2.0; r = sxy / (n - 1.0); break;
    case AGG_CORR: null = null || sxx == 0 || syy == 0; r = sxy / sqrt(sxx * syy); break;
    case AGG_REGR_AVGX: r = sx / n; break;
    case AGG_REGR_AVGY: r = sy / n; break;
    case AGG_REGR_SXX: r = sxx; break;
    case AGG_REGR_SYY: r = syy; break;
    case AGG_REGR_SXY: r = sxy; break;
    case AGG_REGR_SLOPE: null = null || sxx == 0; r = sxy / sxx; break;
    case AGG_REGR_INTERCEPT: null = null || sxx == 0; r = (sy - sx * sxy / sxx) / n; break;
    case AGG_REGR_R2:
        null = null || sxx == 0;
        r = syy == 0 ? 1.0 : (sxy * sxy) / (sxx * syy);
        break;
    default: break;
    }
    *out = null ? val_null(TYPE_FLOAT8) : val_float(TYPE_FLOAT8, r);
    return DD_OK;
}

/* percentile_cont / percentile_disc of one fraction f over the n sorted
 * values vals (of type t). */
static int percentile(SqlCtx *ctx, AggOp *a, bool cont, double f, const Value *vals, u32 n, Value *out)
{
    if (f < 0 || f > 1 || isnan(f)) {
        char buf[64];
        Buf b = {0};
        Value fv = val_float(TYPE_FLOAT8, f);
        ValueCtx vc = ctx->vctx;
        val_to_text(&fv, &vc, &b);
        snprintf(buf, sizeof buf, "%.*s", (int)b.len, b.data ? (const char *)b.data : "");
        buf_free(&b);
        return dd_err(ctx->err, DD_EOUT_OF_RANGE, -1, "percentile value %s is not between 0 and 1", buf);
    }
    if (!cont) {
        /* the first value whose position reaches f of the way */
        double k = ceil(f * (double)n);
        u32 i = k <= 1 ? 0 : (u32)k - 1;
        if (i >= n) i = n - 1;
        *out = vals[i];
        return DD_OK;
    }
    double pos = f * (double)(n - 1);
    u32 lo = (u32)floor(pos), hi = (u32)ceil(pos);
    if (lo == hi || (vals[lo].type != TYPE_FLOAT8 && vals[lo].type != TYPE_INTERVAL)) { *out = vals[lo]; return DD_OK; }
    double w = pos - (double)lo;
    if (vals[lo].type == TYPE_FLOAT8) {
        double x = vals[lo].v.f, y = vals[hi].v.f;
        *out = val_float(TYPE_FLOAT8, x + w * (y - x));
        return DD_OK;
    }
    /* interval: lo + (hi - lo) * w */
    ValueCtx vc = ctx->vctx;
    vc.arena = &a->arena;
    Value d, m, wv = val_float(TYPE_FLOAT8, w);
    int rc = val_arith(ARITH_SUB, &vals[hi], &vals[lo], &vc, &d, ctx->err);
    if (!rc) rc = val_arith(ARITH_MUL, &d, &wv, &vc, &m, ctx->err);
    if (!rc) rc = val_arith(ARITH_ADD, &vals[lo], &m, &vc, out, ctx->err);
    return rc;
}

/* percentile_cont, percentile_disc, mode: the kept values sorted by the
 * WITHIN GROUP order; NULL inputs were skipped. */
static int agg_final_ordered_set(SqlCtx *ctx, AggOp *a, const AggSpec *sp, AggState *st, Value *out)
{
    u32 w = ord_width(sp), n = st->nitems / w;
    TypeId et = type_is_array(sp->type) ? type_elem(sp->type) : sp->type;
    if (!n || (sp->arg2 && st->acc2.isnull)) { *out = val_null(sp->type); return DD_OK; }
    ValueCtx vc = ctx->vctx;
    vc.arena = &a->arena;
    u32 *idx = arena_alloc(&a->arena, sizeof(u32) * n);
    Value *vals = arena_alloc(&a->arena, sizeof(Value) * n);
    if (!idx || !vals) return DD_ENOMEM;
    for (u32 i = 0; i < n; i++) idx[i] = i;
    OrdSort o = {sp, st->items, w, &vc};
    qsort_r(idx, n, sizeof(u32), cmp_ord_rows, &o);
    for (u32 i = 0; i < n; i++) vals[i] = st->items[(size_t)idx[i] * w];
    if (sp->kind == AGG_MODE) {
        /* the most frequent value; among as frequent ones, the first in order */
        u32 best = 0, bestn = 0;
        for (u32 i = 0; i < n;) {
            u32 j = i + 1;
            while (j < n && val_compare(&vals[j], &vals[i], &vc) == 0) j++;
            if (j - i > bestn) { best = i; bestn = j - i; }
            i = j;
        }
        *out = vals[best];
        return DD_OK;
    }
    bool cont = sp->kind == AGG_PERCENTILE_CONT;
    if (!type_is_array(st->acc2.type)) return percentile(ctx, a, cont, st->acc2.v.f, vals, n, out);
    ArrayVal fr, res;
    int rc = array_from_value(&st->acc2, &a->arena, &fr, ctx->err);
    if (rc) return rc;
    array_init(&res, et);
    if (fr.ndim && (rc = array_set_shape(&res, &a->arena, fr.ndim, fr.dims, fr.lbound, ctx->err))) return rc;
    for (u32 i = 0; i < fr.n; i++) {
        if (fr.items[i].isnull) { res.items[i] = val_null(et); continue; }
        if ((rc = percentile(ctx, a, cont, fr.items[i].v.f, vals, n, &res.items[i]))) return rc;
    }
    return array_to_value(&res, &a->arena, out, ctx->err);
}

static int agg_final(SqlCtx *ctx, AggOp *a, AggSpec *sp, AggState *st, Value *out)
{
    ValueCtx vc = ctx->vctx;
    vc.arena = &a->arena;
    switch (sp->kind) {
    case AGG_COUNT_STAR: case AGG_COUNT:
        *out = val_int(TYPE_INT8, st->count);
        return DD_OK;
    case AGG_AVG: {
        if (!st->has) { *out = val_null(sp->type); return DD_OK; }
        /* an interval's sum / count as interval_avg: interval / float8 */
        Value cnt = sp->type != TYPE_NUMERIC ? val_float(TYPE_FLOAT8, (double)st->count)
                                             : val_numeric((i128)st->count, 0);
        Value sum = st->isum_on ? val_numeric(st->isum, 0) : st->acc;
        return val_arith(ARITH_DIV, &sum, &cnt, &vc, out, ctx->err);
    }
    case AGG_SUM:
        if (st->isum_on) {
            *out = val_numeric(st->isum, 0);
            return DD_OK;
        }
        goto plain;
    case AGG_JSON_AGG: case AGG_JSONB_AGG: case AGG_JSON_OBJECT_AGG: case AGG_JSONB_OBJECT_AGG: {
        bool object = sp->kind == AGG_JSON_OBJECT_AGG || sp->kind == AGG_JSONB_OBJECT_AGG;
        if (st->nord_rows) {
            /* ORDER BY: the kept rows sorted, then written */
            u32 w = ord_width(sp), n = st->nitems / w;
            u32 *idx = arena_alloc(&a->arena, sizeof(u32) * (n + 1));
            if (!idx) return DD_ENOMEM;
            for (u32 i = 0; i < n; i++) idx[i] = i;
            OrdSort o = {sp, st->items, w, &vc};
            qsort_r(idx, n, sizeof(u32), cmp_ord_rows, &o);
            for (u32 i = 0; i < n; i++) {
                const Value *r = st->items + (size_t)idx[i] * w;
                int rc = json_agg_add(ctx, sp, st, &r[0], object ? &r[1] : NULL);
                if (rc) return rc;
            }
        }
        if (!st->has) { *out = val_null(sp->type); return DD_OK; }
        Buf t = BUF_INIT;
        buf_append(&t, st->text.data, st->text.len);
        buf_puts(&t, !object ? "]" : sp->kind == AGG_JSON_OBJECT_AGG ? " }" : "}");
        int rc = DD_OK;
        if (!buf_ok(&t)) rc = DD_ENOMEM;
        else if (sp->kind == AGG_JSONB_OBJECT_AGG) rc = json_in(TYPE_JSONB, (const char *)t.data, t.len, &a->arena, out, ctx->err);
        else {
            char *p = arena_memdup(&a->arena, t.data, t.len);
            if (!p) rc = DD_ENOMEM;
            else *out = val_text(sp->type, p, (u32)t.len);
        }
        buf_free(&t);
        return rc;
    }
    case AGG_ARRAY_AGG:
        if (sp->nord) return agg_final_ordered(ctx, a, sp, st, out);
        if (!st->nitems) { *out = val_null(sp->type); return DD_OK; }
        /* DISTINCT: in order, as PostgreSQL sorts a DISTINCT aggregate's input */
        if (sp->distinct) qsort_r(st->items, st->nitems, sizeof(Value), cmp_agg_items, &vc);
        return arr_build(&a->op.env, &a->arena, st->items, (int)st->nitems, sp->type, false, out);
    case AGG_VAR_SAMP: case AGG_VAR_POP: case AGG_STDDEV_SAMP: case AGG_STDDEV_POP:
        return agg_final_stat(ctx, a, sp, st, out);
    case AGG_COVAR_POP: case AGG_COVAR_SAMP: case AGG_CORR: case AGG_REGR_COUNT: case AGG_REGR_AVGX:
    case AGG_REGR_AVGY: case AGG_REGR_SXX: case AGG_REGR_SYY: case AGG_REGR_SXY: case AGG_REGR_SLOPE:
    case AGG_REGR_INTERCEPT: case AGG_REGR_R2:
        return agg_final_regr(sp, st, out);
    case AGG_PERCENTILE_CONT: case AGG_PERCENTILE_DISC: case AGG_MODE:
        return agg_final_ordered_set(ctx, a, sp, st, out);
    case AGG_STRING_AGG:
        if (sp->nord) return agg_final_ordered(ctx, a, sp, st, out);
        if (!st->has) { *out = val_null(sp->type); return DD_OK; }
        {
            char *p = arena_text(&a->arena, &st->text);
            if (!p) return DD_ENOMEM;
            *out = val_text(sp->type, p, (u32)st->text.len);
        }
        return DD_OK;
    default:
    plain:
        *out = st->has ? st->acc : val_null(sp->type);
        if (!out->isnull && out->type == TYPE_NUMERIC && numeric_is_big(out->scale) && sp->kind == AGG_SUM)
            return val_copy(&a->arena, &st->acc, out);   /* off st->text, which the state frees */
        if (!out->isnull && sp->type != out->type && sp->kind != AGG_MIN && sp->kind != AGG_MAX)
            return val_cast(&st->acc, sp->type, -1, false, &vc, out, ctx->err);
        return DD_OK;
    }
}

/* Row r of a group not held, while the groups held fill the budget: to
 * the partition of its keys' hash, keys first. */
static int agg_spill_row(SqlCtx *ctx, AggOp *a, const Value *keys, const Value *r)
{
    int cw = a->op.child->width;
    if (!a->srow && !(a->srow = dd_calloc((size_t)(a->nkeys + cw) + 1, sizeof(Value)))) return DD_ENOMEM;
    memcpy(a->srow, keys, sizeof(Value) * (size_t)a->nkeys);
    memcpy(a->srow + a->nkeys, r, sizeof(Value) * (size_t)cw);
    return spill_parts_put(ctx, &a->sp, row_hash(keys, a->nkeys), a->srow, a->nkeys + cw);
}

/* The group of keys (a new one if need be), and the row's step of its
 * aggregates; while the budget is full, a new group's row spills. */
static int agg_add(SqlCtx *ctx, AggOp *a, const Value *keys, const Value *r)
{
    Value *found;
    Group *g;
    int rc;
    rowset_find(ctx, &a->set, keys, &found);
    if (found) g = group_of_keys(found);
    else if (a->full) return agg_spill_row(ctx, a, keys, r);
    else if ((rc = agg_new_group(ctx, a, keys, &g))) return rc;
    for (int i = 0; i < a->naggs; i++)
        if ((rc = agg_step(ctx, a, a->aggs[i], &g->st[i], r))) return rc;
    return DD_OK;
}

/* ------------------------------------------------ batch aggregation
 *
 * An aggregate over a whole-table or key-range scan (through filters)
 * whose filters, keys, arguments and FILTER clauses batch.c compiles, and
 * whose aggregates are count, sum, avg, min and max of the types it
 * carries, reads the scan's row images a batch at a time straight into
 * column vectors (only the columns it reads), keeps the lanes the filters
 * pass, and steps the same AggStates the row path does in typed loops.
 * A batch that some kernel cannot finish (an overflow, a division by
 * zero) runs row by row through the very programs the row path runs.
 * SET drift.batch = off turns batches off.  Under EXPLAIN ANALYZE the
 * scan and filters under it are counted per batch. */

#define NUM_E16 ((i128)10000000000000000LL)

enum { BM_COUNT_STAR, BM_COUNT, BM_ISUM, BM_SUM8, BM_MIN, BM_MAX, BM_NSUM, BM_NMIN, BM_NMAX };

/* 10^k, 0 <= k <= 38 */
static i128 pow10_tab[39];
static pthread_once_t pow10_once = PTHREAD_ONCE_INIT;
static void pow10_init(void)
{
    pow10_tab[0] = 1;
    for (int k = 1; k <= 38; k++) pow10_tab[k] = pow10_tab[k - 1] * 10;
}
static inline i128 pow10_i128(int k) { return pow10_tab[k]; }

typedef struct AggBatch {
    Op *scan;
    const TableInfo *t;
    FilterOp **filt; int nfilt;   /* innermost (nearest the scan) first */
    VecProg **fprog, **gprog, **aprog, **afprog;   /* filters, keys, arguments, FILTER clauses */
    VecProg **all; int nall;      /* every program, to free */
    u8 *mode;                     /* BM_*, per aggregate */
    bool *want;                   /* per column of t */
    Vec *cols;                    /* per column of t: lanes for the wanted ones */
    Vec **colp;                   /* per slot of the scan's row: the wanted columns' */
    VecDecoder dec;
    Value *row, *tmp, *keys;      /* a lane as a row (the row-by-row path); an image decoded; group keys */
    /* a single key of integer lanes: its groups by value */
    i64 *hkey; Group **hgrp; size_t hcap, hn;
    Group *hnull;
    double fill_ms;               /* EXPLAIN ANALYZE: the time the batch's rows took to read */
    double *fms; u64 *frows;      /* EXPLAIN ANALYZE: per filter, its time (its input's too) and rows */
    double scan_ms; u64 scan_rows;   /* a part's own scans (ts): read time and images */
    TScan *ts;                    /* a part of a parallel run reads this scan, not the operator's */
    int counted;                  /* filters whose rows the batch way counted (the rest: row by row) */
} AggBatch;

static void agg_batch_free(AggBatch *b)
{
    for (int k = 0; k < b->nall; k++) vec_prog_free(b->all[k]);
    if (b->cols)
        for (int i = 0; i < b->t->ncols; i++) vec_free(&b->cols[i]);
    void *ps[] = {b->all, b->fprog, b->gprog, b->aprog, b->afprog, b->cols, b->colp, b->want, b->mode,
                  b->filt, b->row, b->tmp, b->keys, b->hkey, b->hgrp, b->fms, b->frows};
    for (size_t k = 0; k < DD_ARRAY_LEN(ps); k++) dd_free(ps[k]);
    vec_decoder_free(&b->dec);
    memset(b, 0, sizeof *b);
}

/* p compiled, its slots columns of t of their own types (NULL p: NULL);
 * false when it has no batch form. */
static bool batch_prog(SqlCtx *ctx, AggBatch *b, const ExprProg *p, VecProg **out)
{
    *out = NULL;
    if (!p) return true;
    EvalEnv env = {ctx, NULL, 0, NULL};
    VecProg *vp = vec_compile(p, &env);
    if (!vp) return false;
    b->all[b->nall++] = vp;
    for (int k = 0; k < vp->nslots; k++) {
        int s = vp->slots[k];
        if (s < 0 || s >= b->t->ncols || b->t->cols[s].dropped || b->t->cols[s].type != vp->slot_types[k])
            return false;
        b->want[s] = true;
    }
    *out = vp;
    return true;
}

/* Whether a's input can run in batches; b filled if so (else freed). */
/* The input of a batch: the filters and the scan under top (a chain of
 * filters over a whole-table or key-range scan, or the scan itself),
 * the filters compiled, room for nmore more programs.  false: no batch
 * (b freed). */
static bool batch_begin(SqlCtx *ctx, Op *top, AggBatch *b, int nmore)
{
    memset(b, 0, sizeof *b);
    pthread_once(&pow10_once, pow10_init);
    if (!sql_enabled(ctx, "drift.batch")) return false;
    Op *o = top;
    int nfilt = 0;
    for (; o && o->vt == &filter_vt; o = o->child) nfilt++;
    if (!o || o->vt != &scan_vt) return false;
    ScanOp *s = (ScanOp *)o;
    if (s->ix || s->pk || s->nkeys || s->nparts || s->ionly) return false;
    /* a small input: setting batches up would cost more than they save */
    if (o->est_rows > 0 && o->est_rows < 256) return false;
    b->scan = o;
    b->t = s->t;
    bool ok = (b->all = dd_calloc((size_t)(nfilt + nmore) + 1, sizeof(VecProg *))) &&
              (b->fprog = dd_calloc((size_t)nfilt + 1, sizeof(VecProg *))) &&
              (b->filt = dd_calloc((size_t)nfilt + 1, sizeof(FilterOp *))) &&
              (b->fms = dd_calloc((size_t)nfilt + 1, sizeof(double))) &&
              (b->frows = dd_calloc((size_t)nfilt + 1, sizeof(u64))) &&
              (b->want = dd_calloc((size_t)b->t->ncols + 1, sizeof(bool)));
    /* filters, innermost first */
    int k = nfilt;
    for (Op *f = top; ok && f != o; f = f->child) b->filt[--k] = (FilterOp *)f;
    b->nfilt = nfilt;
    for (k = 0; ok && k < nfilt; k++)
        ok = batch_prog(ctx, b, b->filt[k]->pred, &b->fprog[k]) && b->fprog[k]->type == TYPE_BOOL;
    if (!ok) agg_batch_free(b);
    return ok;
}

/* The columns and the decoder, once every program is compiled; rows:
 * also every column the scan's rows carry (a batch that hands rows up).
 * false: no batch (b freed). */
static bool batch_finish(SqlCtx *ctx, AggBatch *b, bool rows)
{
    DD_UNUSED(ctx);
    const ScanOp *s = (const ScanOp *)b->scan;
    int ncols = b->t->ncols, width = b->scan->width;
    bool ok = true;
    if (rows)
        for (int i = 0; i < ncols; i++) {
            if (b->t->cols[i].dropped || (s->used && !s->used[i])) continue;
            TypeId t = (TypeId)b->t->cols[i].type;
            if (!vec_type_ok(t) && !vec_type_opaque(t)) ok = false;   /* an untyped document column */
            b->want[i] = true;
        }
    ok = ok && (b->cols = dd_calloc((size_t)ncols, sizeof(Vec))) && (b->colp = dd_calloc((size_t)width, sizeof(Vec *))) &&
         (b->row = dd_calloc((size_t)width, sizeof(Value))) && (b->tmp = dd_calloc((size_t)ncols + 1, sizeof(Value)));
    for (int i = 0; ok && i < ncols; i++) {
        if (!b->want[i]) continue;
        ok = vec_alloc(&b->cols[i], (TypeId)b->t->cols[i].type);
        b->colp[i] = &b->cols[i];
    }
    /* the columns no one reads are NULL, as the row decoder leaves them */
    for (int i = 0; ok && i < width; i++)
        b->row[i] = val_null(i < ncols ? (TypeId)(b->t->cols[i].type == TYPE_NULLTYPE ? TYPE_TEXT : b->t->cols[i].type)
                                       : hist_col_types[i - ncols]);
    for (int i = 0; ok && i < ncols; i++)
        if (b->row[i].type == TYPE_ENUM) b->row[i].etype = (u32)b->t->cols[i].typmod;
    DdError e;   /* a default that cannot be read: the row path reports it */
    if (ok && vec_decoder_init(&b->dec, b->t, b->want, &e) != DD_OK) ok = false;
    if (!ok) agg_batch_free(b);
    return ok;
}

/* Whether a's input can run in batches; b filled if so (else freed). */
static bool agg_batch_plan(SqlCtx *ctx, AggOp *a, AggBatch *b)
{
    if (a->nsets || !batch_begin(ctx, a->op.child, b, a->ngroup + 2 * a->naggs)) return false;
    bool ok = (b->gprog = dd_calloc((size_t)a->ngroup + 1, sizeof(VecProg *))) &&
              (b->aprog = dd_calloc((size_t)a->naggs + 1, sizeof(VecProg *))) &&
              (b->afprog = dd_calloc((size_t)a->naggs + 1, sizeof(VecProg *))) &&
              (b->mode = dd_calloc((size_t)a->naggs + 1, 1)) &&
              (b->keys = dd_calloc((size_t)a->ngroup + 1, sizeof(Value)));
    int k;
    for (k = 0; ok && k < a->ngroup; k++) ok = batch_prog(ctx, b, a->group[k], &b->gprog[k]);
    for (k = 0; ok && k < a->naggs; k++) {
        const AggSpec *sp = a->aggs[k];
        ok = !sp->distinct && !sp->nord && batch_prog(ctx, b, sp->arg, &b->aprog[k]) &&
             batch_prog(ctx, b, sp->filter, &b->afprog[k]) && (!sp->filter || b->afprog[k]->type == TYPE_BOOL);
        if (!ok) break;
        TypeId at = b->aprog[k] ? b->aprog[k]->type : TYPE_NULLTYPE;
        bool isint = at == TYPE_INT2 || at == TYPE_INT4 || at == TYPE_INT8, isnum = at == TYPE_NUMERIC;
        switch (sp->kind) {
        case AGG_COUNT_STAR: b->mode[k] = BM_COUNT_STAR; break;
        case AGG_COUNT: b->mode[k] = BM_COUNT; break;
        case AGG_SUM:
            /* sum(bigint) is numeric, kept as an integer; sum(int), sum(smallint) bigint */
            ok = (isint && (sp->type == TYPE_NUMERIC || sp->type == TYPE_INT8)) || (isnum && sp->type == TYPE_NUMERIC);
            b->mode[k] = isnum ? BM_NSUM : sp->type == TYPE_NUMERIC ? BM_ISUM : BM_SUM8;
            break;
        case AGG_AVG:
            ok = (isint || isnum) && sp->type == TYPE_NUMERIC;
            b->mode[k] = isnum ? BM_NSUM : BM_ISUM;
            break;
        case AGG_MIN: case AGG_MAX:
            ok = vec_type_ok(at) && at != TYPE_BOOL && sp->type == at;
            b->mode[k] = isnum ? (sp->kind == AGG_MIN ? BM_NMIN : BM_NMAX) : sp->kind == AGG_MIN ? BM_MIN : BM_MAX;
            break;
        default: ok = false; break;
        }
    }
    if (!ok) {
        agg_batch_free(b);
        return false;
    }
    if (!batch_finish(ctx, b, false)) return false;
    TypeId kt = a->ngroup == 1 ? b->gprog[0]->type : TYPE_NULLTYPE;
    if (a->ngroup == 1 && vec_type_ok(kt) && kt != TYPE_BOOL && kt != TYPE_NUMERIC) {
        b->hcap = 64;
        ok = (b->hkey = dd_malloc(sizeof(i64) * b->hcap)) && (b->hgrp = dd_calloc(b->hcap, sizeof(Group *)));
    }
    if (!ok) agg_batch_free(b);
    return ok;
}

static size_t hslot(i64 x, size_t cap) { return (size_t)(((u64)x * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1); }

static bool hput(AggBatch *b, i64 x, Group *g)
{
    if ((b->hn + 1) * 2 > b->hcap) {
        size_t ncap = b->hcap * 2;
        i64 *nk = dd_malloc(sizeof(i64) * ncap);
        Group **ng = dd_calloc(ncap, sizeof(Group *));
        if (!nk || !ng) { dd_free(nk); dd_free(ng); return false; }
        for (size_t i = 0; i < b->hcap; i++) {
            if (!b->hgrp[i]) continue;
            size_t h = hslot(b->hkey[i], ncap);
            while (ng[h]) h = (h + 1) & (ncap - 1);
            nk[h] = b->hkey[i];
            ng[h] = b->hgrp[i];
        }
        dd_free(b->hkey);
        dd_free(b->hgrp);
        b->hkey = nk;
        b->hgrp = ng;
        b->hcap = ncap;
    }
    size_t h = hslot(x, b->hcap);
    while (b->hgrp[h]) h = (h + 1) & (b->hcap - 1);
    b->hkey[h] = x;
    b->hgrp[h] = g;
    b->hn++;
    return true;
}

/* The group of lane j's keys (found as the row path finds it, or new). */
static int batch_group(SqlCtx *ctx, AggOp *a, AggBatch *b, Vec *const *keys, int j, Group **out)
{
    if (a->ngroup == 0) {
        if (!a->ngroups) return agg_new_group(ctx, a, b->keys, out);
        *out = a->groups[0];
        return DD_OK;
    }
    bool hashed = b->hcap != 0, isnull = false;
    i64 x = 0;
    if (hashed) {
        const Vec *k = keys[0];
        int jj = k->isconst ? 0 : j;
        isnull = k->anynull && k->null[jj];
        x = k->i[jj];
        if (isnull && b->hnull) { *out = b->hnull; return DD_OK; }
        if (!isnull)
            for (size_t h = hslot(x, b->hcap); b->hgrp[h]; h = (h + 1) & (b->hcap - 1))
                if (b->hkey[h] == x) { *out = b->hgrp[h]; return DD_OK; }
    }
    for (int i = 0; i < a->ngroup; i++) vec_value_into(keys[i], j, &b->keys[i]);
    Value *found;
    int rc = DD_OK;
    rowset_find(ctx, &a->set, b->keys, &found);
    if (found) *out = group_of_keys(found);
    else if (a->full) return VEC_EXACT;   /* the row spills: the row way does it */
    else if ((rc = agg_new_group(ctx, a, b->keys, out))) return rc;
    if (hashed && isnull) b->hnull = *out;
    else if (hashed && !hput(b, x, *out)) return DD_ENOMEM;
    return DD_OK;
}

/* Lanes [0, n) of the wanted columns, the batch way; *n shrinks as the
 * filters drop lanes.  DD_OK, VEC_EXACT (nothing stepped yet: run lanes
 * [0, *n) row by row) or an error. */
/* The filters over lanes [0, *np): the lanes that pass, moved down to
 * [0, *np).  DD_OK, or VEC_EXACT (the lanes left are those the filters
 * before it passed: run every filter on them row by row). */
static int batch_filters(SqlCtx *ctx, AggBatch *b, int *np)
{
    int n = *np, rc;
    Vec *r;
    u16 sel[VEC_N];
    double shown = b->fill_ms;   /* EXPLAIN ANALYZE: a node's time includes its input's */
    b->counted = 0;
    for (int f = 0; f < b->nfilt && n; f++) {
        double t = ctx->instrument ? now_ms() : 0;
        if ((rc = vec_eval(b->fprog[f], b->colp, n, &r))) return rc;
        int m = 0;
        size_t sr = !r->isconst;
        for (int j = 0; j < n; j++)
            if (!(r->anynull && r->null[j * sr]) && r->i[j * sr]) sel[m++] = (u16)j;
        if (m < n)
            for (int i = 0; i < b->t->ncols; i++)
                if (b->want[i]) vec_compact(&b->cols[i], sel, m);
        if (ctx->instrument) {
            shown += now_ms() - t;
            b->fms[f] += shown;
            b->frows[f] += (u64)m;
        }
        b->counted = f + 1;
        *np = n = m;
    }
    return DD_OK;
}

static int agg_batch_lanes(SqlCtx *ctx, AggOp *a, AggBatch *b, int *np)
{
    int rc = batch_filters(ctx, b, np), n = *np;
    if (rc) return rc;
    if (!n) return DD_OK;
    Vec *keys[64], *args[64], *afs[64];
    if (a->ngroup > 64 || a->naggs > 64) return VEC_EXACT;
    for (int i = 0; i < a->ngroup; i++)
        if ((rc = vec_eval(b->gprog[i], b->colp, n, &keys[i]))) return rc;
    for (int i = 0; i < a->naggs; i++) {
        args[i] = afs[i] = NULL;
        if (b->aprog[i] && (rc = vec_eval(b->aprog[i], b->colp, n, &args[i]))) return rc;
        if (b->afprog[i] && (rc = vec_eval(b->afprog[i], b->colp, n, &afs[i]))) return rc;
    }
    /* NUMERIC lanes: a value past 38 digits is the row path's; sums add
     * in 128 bits, so a batch whose lanes (or, below, sums) could pass 38
     * digits goes the exact way (nothing is stepped before these checks) */
    bool nnum = false;
    for (int i = 0; i < a->naggs; i++) {
        int mode = b->mode[i];
        if (mode != BM_NSUM && mode != BM_NMIN && mode != BM_NMAX) continue;
        const Vec *v = args[i];
        int m = v->isconst ? 1 : n;
        for (int j = 0; j < m; j++) {
            if (v->anynull && v->null[j]) continue;
            int sc = v->sc[j];
            if (numeric_is_big(sc)) return VEC_EXACT;
            if (mode == BM_NSUM && (numeric_is_special(sc) || sc > 16 || v->n[j] >= NUM_E16 || v->n[j] <= -NUM_E16))
                return VEC_EXACT;
        }
        nnum = true;
    }
    Group *gl[VEC_N];
    if (a->ngroup == 0) {
        if ((rc = batch_group(ctx, a, b, keys, 0, &gl[0]))) return rc;
        for (int j = 1; j < n; j++) gl[j] = gl[0];
    } else if (b->hcap && !keys[0]->isconst) {
        /* a single integer key: the groups met before found here, the
         * rest (and NULL keys) by batch_group */
        const Vec *k = keys[0];
        const size_t mask = b->hcap - 1;
        for (int j = 0; j < n; j++) {
            if (!(k->anynull && k->null[j])) {
                i64 x = k->i[j];
                Group *g = NULL;
                for (size_t h = hslot(x, b->hcap); b->hgrp[h]; h = (h + 1) & mask)
                    if (b->hkey[h] == x) {
                        g = b->hgrp[h];
                        break;
                    }
                if (g) {
                    gl[j] = g;
                    continue;
                }
            }
            if ((rc = batch_group(ctx, a, b, keys, j, &gl[j]))) return rc;
        }
    } else {
        for (int j = 0; j < n; j++)
            if ((rc = batch_group(ctx, a, b, keys, j, &gl[j]))) return rc;
    }
    for (int i = 0; nnum && i < a->naggs; i++) {
        int mode = b->mode[i];
        if (mode != BM_NSUM && mode != BM_NMIN && mode != BM_NMAX) continue;
        for (int j = 0; j < n; j++) {
            const AggState *st = &gl[j]->st[i];
            if (!st->has) continue;
            int sc = st->acc.scale;
            /* a row-by-row batch may have left a value past 38 digits */
            if (numeric_is_big(sc)) return VEC_EXACT;
            if (mode != BM_NSUM) continue;
            /* a sum below 10^18 at a scale of at most 16 takes 1,024 more
             * lanes below 10^16 without reaching 38 digits */
            if (sc < 0 || sc > 16 || st->acc.v.coef >= pow10_i128(18 + sc) || st->acc.v.coef <= -pow10_i128(18 + sc))
                return VEC_EXACT;
        }
    }
    for (int i = 0; i < a->naggs; i++) {
        const Vec *v = args[i], *fl = afs[i];
        int mode = b->mode[i];
        size_t sv = v && !v->isconst, sf = fl && !fl->isconst;
        if (a->ngroup == 0 && !fl && mode == BM_COUNT_STAR) { gl[0]->st[i].count += n; continue; }
        if (a->ngroup == 0 && !fl && mode == BM_ISUM && sv && !v->anynull) {
            /* the plain aggregate's sum: one accumulator */
            AggState *st = &gl[0]->st[i];
            i128 sum = 0;
            for (int j = 0; j < n; j++) sum += v->i[j];
            st->isum = st->has ? st->isum + sum : sum;
            st->isum_on = st->has = true;
            st->count += n;
            continue;
        }
        if (!fl && mode == BM_COUNT_STAR) {
            for (int j = 0; j < n; j++) gl[j]->st[i].count++;
            continue;
        }
        if (!fl && mode == BM_ISUM && sv && !v->anynull) {
            /* sums of bigint per group, no NULLs: as the loop below */
            for (int j = 0; j < n; j++) {
                AggState *st = &gl[j]->st[i];
                if (st->has) {
                    st->isum += (i128)v->i[j];
                } else {
                    st->isum = (i128)v->i[j];
                    st->isum_on = st->has = true;
                }
                st->count++;
            }
            continue;
        }
        for (int j = 0; j < n; j++) {
            if (fl && ((fl->anynull && fl->null[j * sf]) || !fl->i[j * sf])) continue;
            AggState *st = &gl[j]->st[i];
            if (mode == BM_COUNT_STAR) { st->count++; continue; }
            if (v->anynull && v->null[j * sv]) continue;
            i64 x = v->i[j * sv];
            st->count++;
            switch (mode) {
            case BM_ISUM:
                st->isum = st->has ? st->isum + (i128)x : (i128)x;
                st->isum_on = st->has = true;
                break;
            case BM_SUM8: {
                i64 sum;
                if (!st->has) st->acc = val_int(TYPE_INT8, x);
                else if (__builtin_add_overflow(st->acc.v.i, x, &sum))
                    return dd_err(ctx->err, DD_EOUT_OF_RANGE, -1, "bigint out of range");
                else st->acc.v.i = sum;
                st->has = true;
                break;
            }
            case BM_MIN: case BM_MAX:
                if (!st->has || (mode == BM_MIN ? x < st->acc.v.i : x > st->acc.v.i)) {
                    st->acc = val_int((TypeId)v->type, x);
                    st->has = true;
                }
                break;
            case BM_NSUM: {
                /* numeric_add's result while it fits: the sum at the larger scale */
                i128 c = v->n[j * sv];
                int s = v->sc[j * sv];
                if (!st->has) {
                    st->acc = val_numeric(c, s);
                    st->has = true;
                } else if (st->acc.scale == s) {
                    st->acc.v.coef += c;
                } else {
                    int as = st->acc.scale, top = DD_MAX(as, s);
                    st->acc.v.coef = st->acc.v.coef * pow10_i128(top - as) + c * pow10_i128(top - s);
                    st->acc.scale = (i16)top;
                }
                break;
            }
            case BM_NMIN: case BM_NMAX: {
                i128 c = v->n[j * sv];
                int s = v->sc[j * sv];
                int cmp = st->has ? numeric_cmp(c, s, st->acc.v.coef, st->acc.scale) : 0;
                /* of equal values the later, as agg_step */
                if (!st->has || (mode == BM_NMIN ? cmp < 0 : cmp > 0) || (cmp == 0 && s != st->acc.scale)) {
                    st->acc = val_numeric(c, s);
                    st->has = true;
                }
                break;
            }
            default: break;   /* BM_COUNT */
            }
        }
    }
    return DD_OK;
}

/* Lanes [0, n) row by row, as agg_build's loop runs them. */
static int agg_batch_exact(SqlCtx *ctx, AggOp *a, AggBatch *b, int n, Value *keys)
{
    int rc;
    for (int j = 0; j < n; j++) {
        ArenaMark m = arena_mark(ctx->row);
        for (int i = 0; i < b->t->ncols; i++)
            if (b->want[i]) vec_value_into(&b->cols[i], j, &b->row[i]);
        bool keep = true;
        for (int f = 0; f < b->nfilt && keep; f++) {
            EvalEnv env = b->filt[f]->op.env;
            env.sql = ctx;   /* a thread of a parallel run: its own context */
            if ((rc = expr_eval_bool(b->filt[f]->pred, &env, b->row, &keep))) return rc;
            if (keep && f >= b->counted) b->frows[f]++;   /* EXPLAIN ANALYZE: the filters the batch did not count */
        }
        if (keep) {
            for (int i = 0; i < a->ngroup; i++)
                if ((rc = expr_eval(a->group[i], &a->op.env, b->row, &keys[i]))) return rc;
            if ((rc = agg_add(ctx, a, keys, b->row))) return rc;
        }
        arena_rewind(ctx->row, m);
    }
    return DD_OK;
}

/* Reads a's whole input in batches. */
/* Reads the next batch of images into b's columns: *np lanes; *done at
 * the scan's end.  0, or the code of a read that failed after those
 * lanes (its error in *saved: the lanes before it run first, as row by
 * row).  Values the row way made in the row arena are copied into vals
 * when given (a batch that hands rows up outlives the row arena). */
static int batch_fill(SqlCtx *ctx, AggBatch *b, int max, int *np, bool *done, DdError *saved, Arena *vals)
{
    int n = 0, got = 0, failed = 0;
    for (int i = 0; i < b->t->ncols; i++) b->cols[i].anynull = false;
    double t = ctx->instrument ? now_ms() : 0;
    /* First the images' places, each prefetched, then their decoding:
     * the map's lines come in while the cursor walks on, instead of one
     * cache miss after another as each image is decoded. */
    TImage img[VEC_N];
    if (max > VEC_N) max = VEC_N;
    int rc;
    got = b->ts ? tscan_next_images(b->ts, img, max, &rc, ctx->err) : scan_next_images(ctx, b->scan, img, max, &rc);
    if (rc) failed = scan_damage(ctx, b->t, 0, rc);
    else if (got < max && (!b->ts || tscan_done(b->ts))) *done = true;   /* the past: a call may stop short */
    if (b->ts) b->scan_rows += (u64)got;
    for (int i = 0; i < got; i++)
        for (u32 o = 0; o < img[i].reclen; o += 64) __builtin_prefetch(img[i].rec + o);
    if (failed) *saved = *ctx->err;
    /* the plain images decoded in one pass; the others (skip) below */
    const u8 *recs[VEC_N];
    u32 lens[VEC_N];
    u8 skip[VEC_N];
    for (int i = 0; i < got; i++) {
        recs[i] = img[i].rec;
        lens[i] = img[i].reclen;
        skip[i] = !sql_row_plain(b->t, img[i].start);
    }
    vec_decode_many(&b->dec, recs, lens, got, b->colp, skip);
    for (; n < got; n++) {
        const u8 *rec = img[n].rec;
        u32 len = img[n].reclen;
        u64 start = img[n].start;
        if (skip[n]) {
            /* converted, or not the plain shape: the row way, which
             * reports a damaged image */
            ArenaMark m = arena_mark(ctx->row);
            int bad = scan_damage(ctx, b->t, start, sql_row_decode(ctx, b->t, rec, len, start, b->tmp, b->want));
            for (int i = 0; i < b->t->ncols && !bad; i++) {
                if (!b->want[i]) continue;
                Value x = b->tmp[i];
                if (vals && (bad = val_copy(vals, &b->tmp[i], &x))) break;
                bool had = b->cols[i].anynull;
                if (!vec_put(&b->cols[i], n, &x))
                    bad = dd_err(ctx->err, DD_EINTERNAL, -1, "column \"%s\" read as %s", b->t->cols[i].name,
                                 type_name((TypeId)x.type));
                /* its first NULL: the lanes after it, decoded already, are not */
                if (!had && b->cols[i].anynull && n + 1 < got) memset(b->cols[i].null + n + 1, 0, (size_t)(got - n - 1));
            }
            if (vals) arena_rewind(ctx->row, m);
            if (bad) {   /* this image's error comes before a later read's */
                failed = bad;
                *saved = *ctx->err;
                break;
            }
        }
    }
    if (ctx->instrument) {
        b->fill_ms = now_ms() - t;
        b->scan_ms += b->fill_ms;
    }
    *np = n;
    return failed;
}

/* Reads a's whole input in batches. */
static int agg_batch_run(SqlCtx *ctx, AggOp *a, AggBatch *b, Value *keys)
{
    int rc;
    for (bool done = false; !done;) {
        if ((rc = sql_check_interrupt(ctx))) return rc;
        ArenaMark mark = arena_mark(ctx->row);
        int n;
        DdError saved;
        int failed = batch_fill(ctx, b, VEC_N, &n, &done, &saved, NULL);
        a->nbatches++;
        rc = n ? agg_batch_lanes(ctx, a, b, &n) : DD_OK;
        if (rc == VEC_EXACT) rc = agg_batch_exact(ctx, a, b, n, keys);
        if (rc) return rc;
        if (failed) {
            *ctx->err = saved;
            return failed;
        }
        arena_rewind(ctx->row, mark);
    }
    return DD_OK;
}

static void agg_free_states(AggOp *a)
{
    for (size_t k = 0; k < a->ngroups; k++)
        for (int i = 0; i < a->naggs; i++) {
            buf_free(&a->groups[k]->st[i].text);
            rowset_free(&a->groups[k]->st[i].seen);
        }
}

/* No groups held (their memory kept for the next pass). */
static void agg_reset_groups(AggOp *a)
{
    agg_free_states(a);
    rowset_free(&a->set);
    a->set.n = a->nkeys;
    a->ngroups = 0;
    a->full = false;
    arena_reset(&a->arena);
}

/* ------------------------------------------------ row batches
 *
 * Filters over a whole-table or key-range scan (or the scan alone) whose
 * rows go up to a row-at-a-time parent read images in batches as well:
 * the columns the rows carry are decoded straight into vectors, the
 * filters run over them, and the rows that pass are handed up one at a
 * time from the vectors.  Only over images the map holds (a scan of a
 * table with rows of the transaction's own reads row by row: those may
 * change under the statement), and never for history columns.  A batch
 * that a filter kernel cannot finish runs its filters row by row as the
 * rows are handed up, so errors come in the row path's order. */

/*
 * A runtime filter: a hash join whose probe rows come from a scan (through
 * filters) read in batches gives the scan a Bloom filter of its build
 * keys' hashes, and the rows whose keys cannot be among them are dropped
 * as they leave the batch, before they are made rows and probed (inner
 * and semi joins: such rows could never come out).  It switches itself
 * off when it drops too few rows to pay for its checks.
 */
typedef struct RtFilter {
    u64 *bits, mask;        /* 2 bits a key: hash bits [0, 32) and [32, 64), mod the size */
    int nkeys;
    int col[4];             /* the scan's columns that are the probe keys, in key order */
    u64 checked, removed;   /* rows checked and dropped (EXPLAIN ANALYZE: removed) */
    bool off;
} RtFilter;

static u64 keys_hash(const Value *k, int n);

static bool rtf_has(const RtFilter *f, u64 h)
{
    u64 a = h & f->mask, b = (h >> 32) & f->mask;
    return (f->bits[a >> 6] >> (a & 63) & 1) && (f->bits[b >> 6] >> (b & 63) & 1);
}

/* Whether lane j of b's columns may pass f (its keys not NULL, their hash
 * in the filter). */
static bool rtf_pass(RtFilter *f, const AggBatch *b, int j)
{
    Value k[4];
    bool pass = true;
    for (int i = 0; i < f->nkeys && pass; i++) {
        vec_value_into(&b->cols[f->col[i]], j, &k[i]);
        pass = !k[i].isnull;
    }
    if (pass) pass = rtf_has(f, keys_hash(k, f->nkeys));
    if (!pass) f->removed++;
    if (++f->checked == 8192 && f->removed < f->checked / 8) f->off = true;   /* it does not pay */
    return pass;
}

/* Whether lane j passes every runtime filter of rb that is on. */
static bool rtf_pass_all(RowBatch *rb, int j);

struct RowBatch {
    AggBatch b;
    RtFilter *rtf[4];    /* the scan's runtime filters */
    int nrtf;
    Arena vals;          /* values made the row way (conversions), for the batch */
    ArenaMark vals0;
    int n, pos;          /* lanes in the batch; the next one to hand up */
    bool exact, done;
    int failed;
    DdError saved;
    u64 *nbatches;       /* the batches read, counted for EXPLAIN ANALYZE (or NULL) */
    int size;            /* rows the next batch reads: 16, doubling up to VEC_N */
    struct ParScan *ps;  /* worker threads read the scan (par_start), or NULL */
};

static bool rowbatch_parallel(const RowBatch *rb) { return rb->ps != NULL; }

static void rowbatch_count(RowBatch *rb, u64 *nbatches, int *workers)
{
    rb->nbatches = nbatches;
    if (rb->ps && workers) *workers = DD_MAX(*workers, par_launched(rb->ps));
}

static RowBatch *rowbatch_plan(SqlCtx *ctx, Op *top)
{
    Op *o = top;
    int nfilt = 0;
    for (; o && o->vt == &filter_vt; o = o->child) nfilt++;
    if (!o || o->vt != &scan_vt) return NULL;
    const ScanOp *s = (const ScanOp *)o;
    /* EXPLAIN ANALYZE: only the top filter's rows are counted as they go up */
    if (s->any_hist || s->nws || (ctx->instrument && nfilt > 1)) return NULL;
    /* keys, an index or a lookup per outer row: no batches (batch_begin
     * says so too, at the cost of a settings lookup on every rescan) */
    if (s->ix || s->pk || s->nkeys || s->nparts || s->ionly) return NULL;
    RowBatch *rb = dd_calloc(1, sizeof *rb);
    if (!rb) return NULL;
    if (!batch_begin(ctx, top, &rb->b, 0) || !batch_finish(ctx, &rb->b, true)) {
        dd_free(rb);
        return NULL;
    }
    arena_init(&rb->vals, 16 * 1024);
    rb->vals0 = arena_mark(&rb->vals);
    rb->size = 16;
    for (int k = 0; k < s->nrtf; k++) {
        bool ok = true;
        for (int i = 0; i < s->rtf[k]->nkeys; i++) ok &= rb->b.want[s->rtf[k]->col[i]];
        if (ok) rb->rtf[rb->nrtf++] = s->rtf[k];
    }
    rb->ps = par_start(ctx, top, rb);
    return rb;
}

static bool rtf_pass_all(RowBatch *rb, int j)
{
    for (int k = 0; k < rb->nrtf; k++)
        if (!rb->rtf[k]->off && !rtf_pass(rb->rtf[k], &rb->b, j)) return false;
    return true;
}

static void rowbatch_free(RowBatch *rb)
{
    if (!rb) return;
    par_free(rb->ps, rb);
    agg_batch_free(&rb->b);
    arena_free(&rb->vals);
    dd_free(rb);
}

static int rowbatch_next(SqlCtx *ctx, RowBatch *rb, Value **row)
{
    AggBatch *b = &rb->b;
    for (;;) {
        while (rb->pos < rb->n) {
            int j = rb->pos++;
            /* the runtime filter: after the filters, which the batch ran
             * already unless it runs them row by row (their errors first) */
            if (rb->nrtf && !rb->exact && !rb->ps && !rtf_pass_all(rb, j)) continue;   /* workers ran theirs */
            Value *r = b->row;
            for (int i = 0; i < b->t->ncols; i++)
                if (b->want[i]) vec_value_into(&b->cols[i], j, &r[i]);
            bool keep = true;
            ArenaMark m = arena_mark(ctx->row);
            /* the filters the batch way did not finish, as filter_next runs them */
            for (int f = b->counted; rb->exact && f < b->nfilt && keep; f++) {
                int rc = expr_eval_bool(b->filt[f]->pred, &b->filt[f]->op.env, r, &keep);
                if (rc) return -rc;
            }
            if (keep && rb->nrtf && rb->exact) keep = rtf_pass_all(rb, j);
            if (keep) {
                *row = r;
                return 1;
            }
            arena_rewind(ctx->row, m);
        }
        if (rb->failed) {   /* the read that failed, after the rows before it */
            int rc = rb->failed;
            rb->failed = 0;
            rb->done = true;
            *ctx->err = rb->saved;
            return -rc;
        }
        if (rb->done) return 0;
        int rc = sql_check_interrupt(ctx);
        if (rc) return -rc;
        if (rb->ps) {
            if ((rc = par_next_batch(ctx, rb))) return -rc;
            continue;
        }
        arena_rewind(&rb->vals, rb->vals0);
        /* the first batches small: a parent that wants a row or two (a
         * LIMIT, EXISTS, a subquery run per outer row) reads few more */
        rb->failed = batch_fill(ctx, b, rb->size, &rb->n, &rb->done, &rb->saved, &rb->vals);
        if (rb->size < VEC_N) rb->size *= 2;
        if (rb->nbatches) ++*rb->nbatches;
        rb->pos = 0;
        rb->exact = rb->n && batch_filters(ctx, b, &rb->n) == VEC_EXACT;
    }
}

/* ------------------------------------------------ parallel aggregation
 *
 * A present scan the planner expects to be large, of a table the
 * transaction has not written, is cut into key ranges that threads take
 * in turn: the statement's own thread and up to
 * max_parallel_workers_per_gather more (no more threads than cores), each
 * reading through its own snapshot of the very same LMDB transaction into
 * its own groups, which are then merged.  When a thread meets an error
 * (or no twin snapshot can be had), the aggregate runs on one thread
 * instead, which reports the error a single thread meets first. */

#define PAR_RANGES 16
#define PAR_MIN_ROWS 100000
#define PAR_MAX_THREADS 8

typedef struct AggPar {
    u32 table;
    u8 bound[PAR_RANGES][64];   /* the pk bounds between ranges */
    u32 boundlen[PAR_RANGES];
    const u8 *lo, *hi; u32 lolen, hilen;   /* the scan's own range */
    TMode mode;                 /* the present, or a period (a, b) */
    u64 a, b;
    int nranges;
    int next;                   /* the next range to take (atomic) */
} AggPar;

typedef struct AggPart {
    SqlCtx ctx;                 /* the statement's, with this thread's error, row arena and snapshot */
    DdError err;
    Arena row;
    AggOp a;                    /* the aggregate, with this thread's groups */
    AggBatch b;
    Value *keys;
    Snap *snap;
    AggPar *par;
    int rc;
    pthread_t th;
    bool started, planned, ready;   /* its thread runs; b planned; a set up */
} AggPart;

/* The threads max_parallel_workers_per_gather allows (default 2) plus
 * `more` (the statement's own), no more than the cores nor
 * PAR_MAX_THREADS; at least 0. */
static int par_setting(SqlCtx *ctx, int more)
{
    const char *v = ctx->setting ? ctx->setting(ctx->session, "max_parallel_workers_per_gather") : NULL;
    long workers = (v ? strtol(v, NULL, 10) : 2) + more;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return (int)DD_MAX(0, DD_MIN(DD_MIN(workers, cpus), PAR_MAX_THREADS));
}

/* The threads an aggregate over scan s may use (1: none beside this one). */
static int par_threads(SqlCtx *ctx, const AggOp *a, const ScanOp *s)
{
    /* images older than an ALTER COLUMN TYPE are converted through a
     * cache the statement builds as it meets them: one thread */
    /* a scan from a checkpoint reads the keys it lists, which ranges of
     * keys would not */
    if (ctx->calls_volatile || s->ckpt || s->op.est_rows < PAR_MIN_ROWS || s->nws || snap_behind(ctx->snap) ||
        s->t->temp || s->t->nconvs)
        return 1;
    /* min / max of numerics keep the last of equal values in key order
     * (1.00 after 1.0): threads could not say which came last */
    for (int i = 0; i < a->naggs; i++)
        if ((a->aggs[i]->kind == AGG_MIN || a->aggs[i]->kind == AGG_MAX) && a->aggs[i]->type == TYPE_NUMERIC) return 1;
    return DD_MAX(1, par_setting(ctx, 1));
}

/* A bound between ranges of the versions (AS OF, periods) must fall
 * between two keys' entries, not among one key's (table, pk, ~seq): each
 * bound becomes the key of the first entry at or after it (a key being
 * self-delimiting, that key's entries are all on one side); a bound
 * meeting the one before is dropped, and past the last key the last
 * range takes the rest.  false when fewer than two ranges are left, or a
 * key is too long for a bound. */
static bool par_bounds_at_keys(SqlCtx *ctx, AggPar *par)
{
    StoreCursor *c;
    DdError e;
    if (store_cursor_open(ctx->snap, STORE_DB_VERSIONS, &c, &e)) return false;
    Buf k = BUF_INIT;
    bool ok = true;
    int m = 1;   /* the bounds kept */
    for (int r = 1; r < par->nranges && ok; r++) {
        buf_reset(&k);
        buf_put_u32be(&k, par->table);
        buf_append(&k, par->bound[r], par->boundlen[r]);
        const u8 *key;
        size_t kn;
        ok = buf_ok(&k);
        if (!ok || !store_cursor_seek(c, k.data, k.len)) break;   /* no key after it: the last range takes the rest */
        store_cursor_get(c, &key, &kn, NULL, NULL);
        if (kn <= 4 + 8 || get_u32be(key) != par->table) break;
        ok = kn - 4 - 8 <= sizeof par->bound[r];
        u32 n = (u32)(kn - 4 - 8);
        /* a bound meeting the one before (keys sparse there) is dropped */
        if (ok && (m == 1 || cmp_key(par->bound[m - 1], par->boundlen[m - 1], key + 4, n) < 0)) {
            memmove(par->bound[m], key + 4, n);
            par->boundlen[m] = n;
            m++;
        }
    }
    buf_free(&k);
    store_cursor_close(c);
    par->nranges = m;
    return ok && m >= 2;
}

/* Cuts s's key range into par's ranges by the first and last keys it
 * holds: bounds spaced evenly over the 8 bytes after their common
 * prefix.  false when there is nothing to cut. */
static bool par_split(SqlCtx *ctx, const ScanOp *s, AggPar *par)
{
    memset(par, 0, sizeof *par);
    par->table = s->t->id;
    par->mode = s->mode;
    par->a = s->a;
    par->b = s->b;
    par->lo = s->lo;
    par->lolen = s->lolen;
    par->hi = s->hi;
    par->hilen = s->hilen;
    StoreCursor *c;
    DdError e;
    if (store_cursor_open(ctx->snap, STORE_DB_CURRENT, &c, &e)) return false;
    Buf k = BUF_INIT, first = BUF_INIT;
    bool ok = false;
    const u8 *key;
    size_t kn;
    buf_put_u32be(&k, par->table);
    if (s->lo) buf_append(&k, s->lo, s->lolen);
    if (buf_ok(&k) && store_cursor_seek(c, k.data, k.len)) {
        store_cursor_get(c, &key, &kn, NULL, NULL);
        if (kn > 4 && get_u32be(key) == par->table) buf_append(&first, key + 4, kn - 4);
    }
    buf_reset(&k);
    if (s->hi) {
        buf_put_u32be(&k, par->table);
        buf_append(&k, s->hi, s->hilen);
    } else {
        buf_put_u32be(&k, par->table + 1);
    }
    if (first.len && buf_ok(&first) && buf_ok(&k)) {
        store_cursor_seek(c, k.data, k.len);
        if (store_cursor_prev(c)) {
            store_cursor_get(c, &key, &kn, NULL, NULL);
            const u8 *l = key + 4;
            size_t ln = kn > 4 ? kn - 4 : 0, cp = 0;
            if (kn > 4 && get_u32be(key) == par->table && cmp_key(first.data, (u32)first.len, l, (u32)ln) < 0) {
                while (cp < first.len && cp < ln && first.data[cp] == l[cp]) cp++;
                u64 f = 0, x = 0;
                for (size_t i = 0; i < 8; i++) {
                    f = f << 8 | (cp + i < first.len ? first.data[cp + i] : 0);
                    x = x << 8 | (cp + i < ln ? l[cp + i] : 0);
                }
                /* bounds strictly between the two keys' windows, so inside [lo, hi) */
                if (x - f >= PAR_RANGES && x > f && cp + 8 <= sizeof par->bound[0]) {
                    for (int r = 1; r < PAR_RANGES; r++) {
                        u64 b = f + (u64)(((unsigned __int128)(x - f) * (unsigned)r) / PAR_RANGES);
                        memcpy(par->bound[r], first.data, cp);
                        for (int i = 0; i < 8; i++) par->bound[r][cp + i] = (u8)(b >> (56 - 8 * i));
                        par->boundlen[r] = (u32)(cp + 8);
                    }
                    par->nranges = PAR_RANGES;
                    ok = true;
                }
            }
        }
    }
    buf_free(&k);
    buf_free(&first);
    store_cursor_close(c);
    return ok && (par->mode == TMODE_PRESENT || par_bounds_at_keys(ctx, par));
}

static int agg_part_work(AggPart *p)
{
    AggPar *par = p->par;
    for (;;) {
        int r = __atomic_fetch_add(&par->next, 1, __ATOMIC_RELAXED);
        if (r >= par->nranges) return DD_OK;
        const u8 *lo = r ? par->bound[r] : par->lo, *hi = r + 1 < par->nranges ? par->bound[r + 1] : par->hi;
        u32 lolen = r ? par->boundlen[r] : par->lolen, hilen = r + 1 < par->nranges ? par->boundlen[r + 1] : par->hilen;
        int rc = tscan_open(p->snap, par->table, par->mode, par->a, par->b, lo, lolen, hi, hilen, &p->b.ts, &p->err);
        if (!rc) {
            rc = agg_batch_run(&p->ctx, &p->a, &p->b, p->keys);
            tscan_close(p->b.ts);
            p->b.ts = NULL;
        }
        if (rc) {   /* the others take no more ranges: it all runs again on one thread */
            __atomic_store_n(&par->next, par->nranges, __ATOMIC_RELAXED);
            return rc;
        }
    }
}

static void *agg_part_main(void *arg)
{
    AggPart *p = arg;
    p->rc = agg_part_work(p);
    return NULL;
}

static int merge_state(SqlCtx *ctx, AggOp *a, int mode, AggState *d, const AggState *s)
{
    d->count += s->count;
    if (!s->has) return DD_OK;
    switch (mode) {
    case BM_ISUM:
        d->isum = d->has ? d->isum + s->isum : s->isum;
        d->isum_on = true;
        break;
    case BM_MIN: case BM_MAX:
        if (!d->has || (mode == BM_MIN ? s->acc.v.i < d->acc.v.i : s->acc.v.i > d->acc.v.i)) d->acc = s->acc;
        break;
    case BM_NSUM: {
        /* a thread's sum may be anything its row-by-row batches made it
         * (NaN, past 38 digits): added as agg_step adds (sums of numerics
         * are exact, so in any order the same) */
        return acc_add(ctx, a, d, &s->acc);
    }
    case BM_SUM8: {
        /* sums of smallint / integer: no subset of fewer than 2^32 rows
         * reaches 2^63, so the order of the additions cannot matter */
        i64 sum;
        if (!d->has) d->acc = s->acc;
        else if (__builtin_add_overflow(d->acc.v.i, s->acc.v.i, &sum))
            return dd_err(ctx->err, DD_EOUT_OF_RANGE, -1, "bigint out of range");
        else d->acc.v.i = sum;
        break;
    }
    default:
        return dd_err(ctx->err, DD_EINTERNAL, -1, "aggregate state %d cannot be merged", mode);
    }
    d->has = true;
    return DD_OK;
}

/* p's groups into a's. */
static int agg_merge(SqlCtx *ctx, AggOp *a, AggPart *p)
{
    for (size_t k = 0; k < p->a.ngroups; k++) {
        Group *g = p->a.groups[k], *m;
        Value *found;
        int rc;
        rowset_find(ctx, &a->set, g->keys, &found);
        if (found) m = group_of_keys(found);
        else if ((rc = agg_new_group(ctx, a, g->keys, &m))) return rc;
        if (a->full) return VEC_EXACT;   /* the groups pass the budget: one thread, which spills */
        for (int i = 0; i < a->naggs; i++)
            if ((rc = merge_state(ctx, a, p->b.mode[i], &m->st[i], &g->st[i]))) return rc;
    }
    return DD_OK;
}

static void agg_part_free(AggPart *p)
{
    if (p->ready) {
        agg_free_states(&p->a);
        rowset_free(&p->a.set);
        dd_free(p->a.groups);
        arena_free(&p->a.arena);
    }
    if (p->planned) agg_batch_free(&p->b);
    arena_free(&p->row);
    dd_free(p->keys);
    if (p->snap) store_snap_end(p->snap);
}

/* Runs a's input on n threads.  DD_OK (a holds the groups), VEC_EXACT
 * when it could not (nothing done: the caller runs it on one thread), or
 * an error of the merge. */
static int agg_parallel(SqlCtx *ctx, AggOp *a, AggBatch *b0, int n)
{
    AggPar par;
    if (!par_split(ctx, (ScanOp *)b0->scan, &par)) return VEC_EXACT;
    sql_work_mem(ctx);   /* cached now: the threads only read it */
    AggPart *parts = dd_calloc((size_t)n, sizeof(AggPart));
    if (!parts) return VEC_EXACT;
    bool ok = true;
    for (int i = 0; i < n && ok; i++) {
        AggPart *p = &parts[i];
        p->par = &par;
        arena_init(&p->row, 16 * 1024);
        p->ctx = *ctx;
        p->ctx.err = &p->err;
        p->ctx.row = &p->row;
        p->ctx.vctx.arena = &p->row;
        ok = store_snap_twin(ctx->snap, &p->snap, &p->err) == 1 && (p->planned = agg_batch_plan(ctx, a, &p->b)) &&
             (p->keys = dd_calloc((size_t)a->nkeys + 1, sizeof(Value)));
        if (!ok) break;
        p->ctx.snap = p->snap;
        p->ready = true;
        p->a = *a;
        memset(&p->a.set, 0, sizeof p->a.set);
        p->a.set.n = a->set.n;
        p->a.groups = NULL;
        p->a.ngroups = p->a.capgroups = 0;
        p->a.nbatches = 0;
        p->a.spill = false;   /* past the budget the part fails, and one thread runs it all */
        arena_init(&p->a.arena, op_block(ctx, 64 * 1024));
        p->a.op.env.sql = &p->ctx;
    }
    int nrun = 1;
    for (int i = 1; i < n && ok; i++) {
        parts[i].started = pthread_create(&parts[i].th, NULL, agg_part_main, &parts[i]) == 0;
        if (!parts[i].started) break;   /* fewer threads: the others take its ranges */
        nrun++;
    }
    if (ok) agg_part_main(&parts[0]);
    int rc = DD_OK;
    for (int i = 0; i < n; i++) {
        if (parts[i].started) pthread_join(parts[i].th, NULL);
        if (parts[i].rc) ok = false;
    }
    for (int i = 0; i < n && ok && !rc; i++) rc = agg_merge(ctx, a, &parts[i]);
    if (rc == VEC_EXACT) {   /* the merged groups pass the budget */
        agg_reset_groups(a);
        ok = false;
    }
    if (ok) {
        ScanOp *s = (ScanOp *)b0->scan;
        for (int i = 0; i < n; i++) {
            AggPart *p = &parts[i];
            a->nbatches += p->a.nbatches;
            s->act_rows[scan_by_key(s)] += p->b.scan_rows;
            if (ctx->instrument) {
                op_count(&s->op, p->b.scan_rows ? 1 : 0, p->b.scan_ms, p->b.scan_rows);
                for (int f = 0; f < b0->nfilt; f++) {
                    b0->fms[f] += p->b.fms[f];
                    b0->frows[f] += p->b.frows[f];
                }
            }
        }
        if (!rc) a->nthreads = nrun;
        if (ctx->instrument) {   /* as PostgreSQL counts a parallel node: a loop per thread */
            b0->scan->act_loops += (u64)nrun - 1;
            for (int f = 0; f < b0->nfilt; f++) b0->filt[f]->op.act_loops += (u64)nrun - 1;
        }
    }
    for (int i = 0; i < n; i++) agg_part_free(&parts[i]);
    dd_free(parts);
    return ok ? rc : VEC_EXACT;
}

/* ------------------------------------------------ parallel row batches
 *
 * A large present scan whose rows reach an aggregate only through
 * filters, places, hash joins and the outer sides of nested loops
 * (par_mark), where no order of those rows
 * changes the aggregate's answer (agg_order_free), is read by worker
 * threads: each takes the scan's key ranges in turn (cut as parallel
 * aggregation cuts them), reads them through a twin of the statement's
 * snapshot (the same LMDB transaction), decodes them into batches, runs
 * the filter kernels and the runtime filters over them, and queues the
 * batches; the statement's thread hands their rows up as rowbatch_next
 * does its own, running there whatever the kernels could not finish (a
 * batch they gave up on runs its filters row by row, so expressions are
 * evaluated on that thread alone).  Rows come up in no fixed order. */

#define PAR_SLOTS 3   /* the batches a worker may fill ahead */

typedef struct ParWorker ParWorker;

typedef struct ParSlot {
    Vec *cols;                  /* per column of t: the wanted ones' lanes */
    Vec **colp;                 /* per slot of the scan's row */
    Arena vals;                 /* values made the row way */
    int n, counted;             /* lanes; the filters the kernels finished */
    bool exact;                 /* the filters from counted on, and the runtime filters, still to run */
    int failed;                 /* a read that failed after these lanes (its error in saved) */
    DdError saved;
    struct ParSlot *next;       /* in the queue, or its worker's free list */
    ParWorker *owner;
} ParSlot;

struct ParWorker {
    struct ParScan *ps;
    SqlCtx ctx;                 /* the statement's, with this thread's error, row arena and snapshot */
    DdError err;
    Arena row;
    Snap *snap;
    AggBatch b;                 /* programs and decoder; its lanes are a slot's */
    bool planned;
    Vec *cols0; Vec **colp0;    /* b's own lanes (slot 0's), freed with b */
    RtFilter rtf[4];            /* the runtime filters, counted on their own */
    int nrtf;
    ParSlot slots[PAR_SLOTS];
    ParSlot *free;              /* under ps->mu */
    pthread_t th;
    bool started;
};

typedef struct ParScan {
    AggPar par;
    pthread_mutex_t mu;
    pthread_cond_t filled, freed;
    ParSlot *head, *tail;       /* filled batches, oldest first */
    int running;                /* workers still reading */
    int running0;               /* workers started */
    bool counted;               /* EXPLAIN ANALYZE: the workers' reads go to the scan under the filters */
    bool stop;
    ParWorker *w;
    int nw;
    u64 *bits[4];               /* the runtime filters' bits, the workers' copy */
    ParSlot *cur;               /* the batch whose rows go up */
    Vec *cols0; Vec **colp0;    /* the statement's own batch lanes, put back at the end */
} ParScan;

/* Whether an aggregate's answer is the same whatever order its input rows
 * come in: group keys and min / max arguments of types whose equal values
 * are the same bytes (so the row a group keeps cannot show; char(n) pads
 * every value to n, bpchar without a length does not), sums and averages
 * of integers and numerics (exact), counts; no DISTINCT, no ORDER BY, no
 * grouping sets. */
static bool order_free_type(const ExprProg *p)
{
    switch (p->type) {
    case TYPE_INT2: case TYPE_INT4: case TYPE_INT8: case TYPE_DATE: case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ:
    case TYPE_TEXT: case TYPE_VARCHAR: case TYPE_BOOL: case TYPE_UUID:
        return true;
    case TYPE_BPCHAR:
        return p->typmod > 0;
    default:
        return false;
    }
}

static bool agg_order_free(const AggOp *a)
{
    if (a->nsets) return false;
    for (int i = 0; i < a->ngroup; i++)
        if (!order_free_type(a->group[i])) return false;
    for (int i = 0; i < a->naggs; i++) {
        const AggSpec *sp = a->aggs[i];
        TypeId at = sp->arg ? sp->arg->type : TYPE_NULLTYPE;
        if (sp->distinct || sp->nord) return false;
        switch (sp->kind) {
        case AGG_COUNT_STAR: case AGG_COUNT: break;
        case AGG_SUM: case AGG_AVG:
            if (at != TYPE_INT2 && at != TYPE_INT4 && at != TYPE_INT8 && at != TYPE_NUMERIC) return false;
            break;
        case AGG_MIN: case AGG_MAX:
            if (!order_free_type(sp->arg) || at == TYPE_BOOL) return false;
            break;
        default: return false;
        }
    }
    return true;
}

/* Marks the scans whose rows reach o's consumer only through filters,
 * places and hash joins (either side) as readable in any order. */
static void par_mark(Op *o)
{
    if (!o) return;
    if (o->vt == &scan_vt) {
        ((ScanOp *)o)->par = true;
    } else if (o->vt == &filter_vt || o->vt == &place_vt) {
        par_mark(o->child);
    } else if (o->vt == &hashjoin_vt) {
        par_mark(o->child);
        par_mark(o->child2);
    } else if (o->vt == &paramjoin_vt) {
        /* its outer rows, each looked up on the statement's thread (the
         * inner side is opened again per outer row: never in parallel) */
        par_mark(o->child);
    }
}

/* The workers a parallel read of s may use (0: none). */
static int par_workers(SqlCtx *ctx, const ScanOp *s)
{
    if (!s->par || s->ckpt || s->op.est_rows < PAR_MIN_ROWS || s->nws || snap_behind(ctx->snap) || s->t->temp ||
        s->t->nconvs)
        return 0;
    return par_setting(ctx, 0);
}

/* Lanes [0, *np) of w's batch that w's runtime filters let pass, moved down. */
static void par_rtf(ParWorker *w, int *np)
{
    AggBatch *b = &w->b;
    u16 sel[VEC_N];
    int n = *np, m = 0;
    for (int j = 0; j < n; j++) {
        bool pass = true;
        for (int k = 0; k < w->nrtf && pass; k++)
            if (!w->rtf[k].off) pass = rtf_pass(&w->rtf[k], b, j);
        if (pass) sel[m++] = (u16)j;
    }
    if (m < n)
        for (int i = 0; i < b->t->ncols; i++)
            if (b->want[i]) vec_compact(&b->cols[i], sel, m);
    *np = m;
}

/* A free slot of w's (waiting for one), or NULL once the read stops. */
static ParSlot *par_take_slot(ParWorker *w)
{
    ParScan *ps = w->ps;
    pthread_mutex_lock(&ps->mu);
    while (!w->free && !ps->stop) pthread_cond_wait(&ps->freed, &ps->mu);
    ParSlot *sl = ps->stop ? NULL : w->free;
    if (sl) w->free = sl->next;
    pthread_mutex_unlock(&ps->mu);
    return sl;
}

/* sl queued (filled) or back on its owner's free list. */
static void par_put(ParScan *ps, ParSlot *sl, bool filled)
{
    pthread_mutex_lock(&ps->mu);
    sl->next = NULL;
    if (filled) {
        if (ps->tail) ps->tail->next = sl;
        else ps->head = sl;
        ps->tail = sl;
        pthread_cond_signal(&ps->filled);
    } else {
        sl->next = sl->owner->free;
        sl->owner->free = sl;
        pthread_cond_broadcast(&ps->freed);
    }
    pthread_mutex_unlock(&ps->mu);
}

/* One range read into batches; false when the read ends (stopped, or it
 * queued a failure). */
static bool par_range(ParWorker *w, int r)
{
    ParScan *ps = w->ps;
    AggPar *par = &ps->par;
    const u8 *lo = r ? par->bound[r] : par->lo, *hi = r + 1 < par->nranges ? par->bound[r + 1] : par->hi;
    u32 lolen = r ? par->boundlen[r] : par->lolen, hilen = r + 1 < par->nranges ? par->boundlen[r + 1] : par->hilen;
    int rc = tscan_open(w->snap, par->table, par->mode, par->a, par->b, lo, lolen, hi, hilen, &w->b.ts, &w->err);
    bool more = true;
    for (bool done = false; more && !done;) {
        /* a cancel: the statement's thread reports it */
        if (w->ctx.interrupt && __atomic_load_n(w->ctx.interrupt, __ATOMIC_RELAXED)) {
            more = false;
            break;
        }
        ParSlot *sl = par_take_slot(w);
        if (!sl) {
            more = false;
            break;
        }
        int n = 0;
        if (rc) {
            sl->failed = rc;
            sl->saved = w->err;
        } else {
            w->b.cols = sl->cols;
            w->b.colp = sl->colp;
            arena_reset(&sl->vals);
            sl->failed = batch_fill(&w->ctx, &w->b, VEC_N, &n, &done, &sl->saved, &sl->vals);
            /* a kernel that gives up (or fails) leaves the rest to the statement's thread */
            sl->exact = n && batch_filters(&w->ctx, &w->b, &n) != DD_OK;
            sl->counted = w->b.counted;
            if (n && !sl->exact && w->nrtf) par_rtf(w, &n);
        }
        sl->n = n;
        if (sl->failed) more = false;
        par_put(ps, sl, n || sl->failed);
    }
    tscan_close(w->b.ts);
    w->b.ts = NULL;
    return more;
}

static void *par_main(void *arg)
{
    ParWorker *w = arg;
    ParScan *ps = w->ps;
    for (;;) {
        int r = __atomic_fetch_add(&ps->par.next, 1, __ATOMIC_RELAXED);
        if (r >= ps->par.nranges) break;
        if (!par_range(w, r)) {
            __atomic_store_n(&ps->par.next, ps->par.nranges, __ATOMIC_RELAXED);
            break;
        }
    }
    pthread_mutex_lock(&ps->mu);
    ps->running--;
    pthread_cond_signal(&ps->filled);
    pthread_mutex_unlock(&ps->mu);
    return NULL;
}

/* Stops the workers, waits for them and frees it all; rb's own lanes back. */
static void par_free(ParScan *ps, RowBatch *rb)
{
    if (!ps) return;
    par_stop(ps);
    ScanOp *s = (ScanOp *)rb->b.scan;
    double ms = 0;
    u64 rows = 0;
    for (int i = 0; i < ps->nw; i++) {
        ParWorker *w = &ps->w[i];
        if (w->started) pthread_join(w->th, NULL);
        s->act_rows[scan_by_key(s)] += (i64)w->b.scan_rows;
        rows += w->b.scan_rows;
        ms = DD_MAX(ms, w->b.scan_ms);
        for (int k = 0; k < w->nrtf; k++) rb->rtf[k]->removed += w->rtf[k].removed;
        for (int q = 1; q < PAR_SLOTS && w->planned; q++) {
            ParSlot *sl = &w->slots[q];
            for (int c = 0; sl->cols && c < w->b.t->ncols; c++) vec_free(&sl->cols[c]);
            dd_free(sl->cols);
            dd_free(sl->colp);
        }
        for (int q = 0; q < PAR_SLOTS; q++) arena_free(&w->slots[q].vals);
        if (w->planned) {
            w->b.cols = w->cols0;
            w->b.colp = w->colp0;
            agg_batch_free(&w->b);
        }
        arena_free(&w->row);
        if (w->snap) store_snap_end(w->snap);
    }
    if (ps->counted && rows) op_count(&s->op, 1, ms, rows);   /* the slowest worker's time */
    for (int k = 0; k < 4; k++) dd_free(ps->bits[k]);
    rb->b.cols = ps->cols0;
    rb->b.colp = ps->colp0;
    pthread_mutex_destroy(&ps->mu);
    pthread_cond_destroy(&ps->filled);
    pthread_cond_destroy(&ps->freed);
    dd_free(ps->w);
    dd_free(ps);
}

/* Slot q of w: slot 0 has w's batch's own lanes, the others their own. */
static bool par_slot_init(ParWorker *w, int q)
{
    ParSlot *sl = &w->slots[q];
    AggBatch *b = &w->b;
    sl->owner = w;
    arena_init(&sl->vals, 16 * 1024);
    if (q == 0) {
        sl->cols = b->cols;
        sl->colp = b->colp;
        return true;
    }
    int ncols = b->t->ncols;
    if (!(sl->cols = dd_calloc((size_t)ncols, sizeof(Vec))) ||
        !(sl->colp = dd_calloc((size_t)b->scan->width, sizeof(Vec *))))
        return false;
    for (int i = 0; i < ncols; i++) {
        if (!b->want[i]) continue;
        if (!vec_alloc(&sl->cols[i], (TypeId)b->t->cols[i].type)) return false;
        sl->colp[i] = &sl->cols[i];
    }
    return true;
}

/* Workers started to read rb's scan (top: the filters over it, or it),
 * or NULL (rb reads it itself). */
static ParScan *par_start(SqlCtx *ctx, Op *top, RowBatch *rb)
{
    ScanOp *s = (ScanOp *)rb->b.scan;
    int nw = par_workers(ctx, s);
    if (nw < 1) return NULL;
    ParScan *ps = dd_calloc(1, sizeof *ps);
    if (!ps) return NULL;
    if (!par_split(ctx, s, &ps->par) || !(ps->w = dd_calloc((size_t)nw, sizeof(ParWorker)))) {
        dd_free(ps);
        return NULL;
    }
    pthread_mutex_init(&ps->mu, NULL);
    pthread_cond_init(&ps->filled, NULL);
    pthread_cond_init(&ps->freed, NULL);
    ps->nw = nw;
    ps->counted = ctx->instrument && top != &s->op;
    ps->cols0 = rb->b.cols;
    ps->colp0 = rb->b.colp;
    bool ok = true;
    for (int k = 0; k < rb->nrtf && ok; k++) {
        size_t words = (size_t)(rb->rtf[k]->mask + 1) / 64;
        ok = (ps->bits[k] = dd_malloc(words * sizeof(u64))) != NULL;
        if (ok) memcpy(ps->bits[k], rb->rtf[k]->bits, words * sizeof(u64));
    }
    sql_work_mem(ctx);   /* cached now: the workers only read it */
    for (int i = 0; i < nw && ok; i++) {
        ParWorker *w = &ps->w[i];
        w->ps = ps;
        arena_init(&w->row, 16 * 1024);
        w->ctx = *ctx;
        w->ctx.err = &w->err;
        w->ctx.row = &w->row;
        w->ctx.vctx.arena = &w->row;
        ok = store_snap_twin(ctx->snap, &w->snap, &w->err) == 1 &&
             (w->planned = batch_begin(ctx, top, &w->b, 0) && batch_finish(ctx, &w->b, true));
        if (!ok) break;
        w->ctx.snap = w->snap;
        w->cols0 = w->b.cols;
        w->colp0 = w->b.colp;
        for (int k = 0; k < rb->nrtf; k++) {
            w->rtf[k] = *rb->rtf[k];
            w->rtf[k].bits = ps->bits[k];
            w->rtf[k].checked = w->rtf[k].removed = 0;
        }
        w->nrtf = rb->nrtf;
        for (int q = 0; q < PAR_SLOTS && ok; q++) ok = par_slot_init(w, q);
        for (int q = PAR_SLOTS - 1; q >= 0; q--) {
            w->slots[q].next = w->free;
            w->free = &w->slots[q];
        }
    }
    int started = 0;
    for (int i = 0; i < nw && ok; i++) {
        pthread_mutex_lock(&ps->mu);
        ps->running++;
        pthread_mutex_unlock(&ps->mu);
        ps->w[i].started = pthread_create(&ps->w[i].th, NULL, par_main, &ps->w[i]) == 0;
        if (!ps->w[i].started) {   /* fewer workers: the others take its ranges */
            pthread_mutex_lock(&ps->mu);
            ps->running--;
            pthread_mutex_unlock(&ps->mu);
            break;
        }
        started++;
    }
    if (!ok || !started) {
        par_free(ps, rb);
        return NULL;
    }
    ps->running0 = started;
    return ps;
}

static int par_launched(const ParScan *ps) { return ps->running0; }

/* Stops rb's workers (they take no more batches). */
static void par_stop(ParScan *ps)
{
    pthread_mutex_lock(&ps->mu);
    ps->stop = true;
    pthread_cond_broadcast(&ps->freed);
    pthread_mutex_unlock(&ps->mu);
}

/* rb's next batch from the workers (the last one's slot given back):
 * rb->n lanes, or rb->done when they have all ended (then they are
 * joined and their snapshots ended at once: an open cursor over the
 * aggregate holds none).  Waiting, it looks for a cancel or a timeout
 * every 20 ms: 0, or the interrupt's code (the workers stopped). */
static int par_next_batch(SqlCtx *ctx, RowBatch *rb)
{
    ParScan *ps = rb->ps;
    AggBatch *b = &rb->b;
    if (ps->cur) {
        par_put(ps, ps->cur, false);
        ps->cur = NULL;
    }
    pthread_mutex_lock(&ps->mu);
    while (!ps->head && ps->running) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 20 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        if (pthread_cond_timedwait(&ps->filled, &ps->mu, &ts) != ETIMEDOUT) continue;
        pthread_mutex_unlock(&ps->mu);
        int rc = sql_check_interrupt(ctx);
        if (rc) {
            par_stop(ps);
            return rc;
        }
        pthread_mutex_lock(&ps->mu);
    }
    ParSlot *sl = ps->head;
    if (sl) {
        ps->head = sl->next;
        if (!ps->head) ps->tail = NULL;
    }
    pthread_mutex_unlock(&ps->mu);
    rb->pos = 0;
    rb->n = 0;
    if (!sl) {
        /* the workers also end at a cancel: it is not the scan's end */
        int rc = sql_check_interrupt(ctx);
        if (rc) return rc;
        rb->done = true;
        par_free(ps, rb);
        rb->ps = NULL;
        return 0;
    }
    ps->cur = sl;
    if (rb->nbatches) ++*rb->nbatches;
    b->cols = sl->cols;
    b->colp = sl->colp;
    b->counted = sl->counted;
    rb->n = sl->n;
    rb->exact = sl->exact;
    if (sl->failed) {   /* after its rows; the others stop */
        rb->failed = sl->failed;
        rb->saved = sl->saved;
        par_stop(ps);
    }
    return 0;
}

/* Past the budget's end of a row: the groups' states grew (array_agg,
 * string_agg ...): no new groups in memory from now on. */
static void agg_check_full(SqlCtx *ctx, AggOp *a)
{
    if (!a->full && a->sp.level < SPILL_MAX_LEVEL && a->arena.total + rowset_bytes(&a->set) > sql_work_mem(ctx))
        a->full = true;
}

/* Every group held: its output row. */
static int agg_finish_groups(SqlCtx *ctx, AggOp *a)
{
    for (size_t k = 0; k < a->ngroups; k++) {
        Group *g = a->groups[k];
        for (int i = 0; i < a->nkeys; i++) g->out[i] = g->keys[i];
        for (int i = 0; i < a->naggs; i++) {
            int rc = agg_final(ctx, a, a->aggs[i], &g->st[i], &g->out[a->nkeys + i]);
            if (rc) return rc;
        }
    }
    return DD_OK;
}

/* The next partition a pass spilled: its groups in place of those held. */
static int agg_next_pass(SqlCtx *ctx, AggOp *a)
{
    agg_reset_groups(a);
    SpillRun run;
    spill_parts_next(&a->sp, &run);
    a->pos = 0;
    int n = a->nkeys + a->op.child->width, rc;
    Value *row = dd_calloc((size_t)n + 1, sizeof(Value));
    if (!row) {
        spill_run_free(a->sp.f, &run);
        return DD_ENOMEM;
    }
    SpillReader rd;
    spill_read_begin(&rd, a->sp.f, &run, true);
    for (;;) {
        if ((rc = sql_check_interrupt(ctx))) break;
        ArenaMark m = arena_mark(ctx->row);
        rc = spill_read_row(&rd, row, n);
        if (rc <= 0) {
            rc = -rc;
            break;
        }
        rc = agg_add(ctx, a, row, row + a->nkeys);
        arena_rewind(ctx->row, m);
        if (rc) break;
        agg_check_full(ctx, a);
    }
    spill_read_end(&rd);
    spill_run_free(a->sp.f, &run);
    dd_free(row);
    int rc2 = spill_parts_end(&a->sp);
    if (!rc) rc = rc2;
    return rc ? rc : agg_finish_groups(ctx, a);
}

static int agg_build(SqlCtx *ctx, AggOp *a)
{
    Value *keys = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(a->nkeys + 1));
    Value *skeys = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(a->nkeys + 1));
    if (!keys || !skeys) return DD_ENOMEM;
    int rc;
    AggBatch b;
    a->spill = true;
    bool batched = agg_batch_plan(ctx, a, &b);
    if (batched) {
        int n = par_threads(ctx, a, (ScanOp *)b.scan);
        rc = n > 1 ? agg_parallel(ctx, a, &b, n) : VEC_EXACT;
        if (rc == VEC_EXACT) rc = agg_batch_run(ctx, a, &b, keys);
        if (ctx->instrument)
            for (int f = 0; f < b.nfilt; f++) op_count(&b.filt[f]->op, b.frows[f] ? 1 : 0, b.fms[f], b.frows[f]);
        agg_batch_free(&b);
        if (rc) return rc;
    }
    while (!batched) {
        if ((rc = sql_check_interrupt(ctx))) return rc;
        ArenaMark m = arena_mark(ctx->row);
        Value *r;
        rc = op_next(ctx, a->op.child, &r);
        if (rc < 0) return -rc;
        if (rc == 0) break;
        for (int i = 0; i < a->ngroup; i++) {
            rc = expr_eval(a->group[i], &a->op.env, r, &keys[i]);
            if (rc) return rc;
        }
        if (!a->nsets) {
            if ((rc = agg_add(ctx, a, keys, r))) return rc;
        }
        for (int k = 0; k < a->nsets; k++) {
            for (int i = 0; i < a->ngroup; i++)
                skeys[i] = (a->sets[k] >> i) & 1 ? keys[i] : val_null(a->group[i]->type);
            skeys[a->ngroup] = val_int(TYPE_INT4, k);
            if ((rc = agg_add(ctx, a, skeys, r))) return rc;
        }
        arena_rewind(ctx->row, m);
        agg_check_full(ctx, a);
    }
    /* no GROUP BY: one row even over no input; so does each empty
     * grouping set (a set every row counts in: held unless there were
     * no rows, or spilled, and then there were) */
    if (a->ngroup == 0 && a->ngroups == 0 && !a->nsets) {
        Group *g;
        rc = agg_new_group(ctx, a, keys, &g);
        if (rc) return rc;
    }
    for (int k = 0; k < a->nsets && !a->sp.f; k++) {
        if (a->sets[k]) continue;
        for (int i = 0; i < a->ngroup; i++) skeys[i] = val_null(a->group[i]->type);
        skeys[a->ngroup] = val_int(TYPE_INT4, k);
        Value *found;
        Group *g;
        rowset_find(ctx, &a->set, skeys, &found);
        if (!found && (rc = agg_new_group(ctx, a, skeys, &g))) return rc;
    }
    if ((rc = spill_parts_end(&a->sp))) return rc;
    return agg_finish_groups(ctx, a);
}

static void agg_spill_free(AggOp *a)
{
    spill_parts_free(&a->sp);
    dd_free(a->srow);
    a->srow = NULL;
}

static int agg_open(SqlCtx *ctx, Op *op)
{
    AggOp *a = (AggOp *)op;
    agg_spill_free(a);
    agg_reset_groups(a);
    a->pos = 0;
    a->built = false;
    /* before the child opens: a hash join reads its build side then */
    /* a statement calling a volatile function anywhere (SqlCtx.calls_volatile,
     * all of it compiled by now) reads in order, on one thread, so that
     * the function meets the rows as it would every run */
    if (!ctx->calls_volatile && agg_order_free(a)) par_mark(op->child);
    return op_open(ctx, op->child);
}

static int agg_next(SqlCtx *ctx, Op *op, Value **row)
{
    AggOp *a = (AggOp *)op;
    if (!a->built) {
        int rc = agg_build(ctx, a);
        a->built = true;
        if (rc) return neg(rc);
    }
    while (a->pos >= a->ngroups) {
        if (!a->sp.npend) return 0;
        int rc = agg_next_pass(ctx, a);
        if (rc) return neg(rc);
    }
    *row = a->groups[a->pos++]->out;
    return 1;
}

static void agg_close(SqlCtx *ctx, Op *op)
{
    AggOp *a = (AggOp *)op;
    op_close(ctx, op->child);
    agg_spill_free(a);
    agg_free_states(a);
    rowset_free(&a->set);
    a->set.n = a->nkeys;
    dd_free(a->groups);
    a->groups = NULL;
    a->ngroups = a->capgroups = 0;
    arena_free(&a->arena);
}

static void agg_analyze(Op *op, Buf *out)
{
    spill_parts_analyze(&((AggOp *)op)->sp, out);
}

/* PostgreSQL's names: Aggregate without GROUP BY, HashAggregate with */
static void agg_explain(Op *op, Buf *out)
{
    const AggOp *a = (const AggOp *)op;
    buf_puts(out, a->nsets ? "MixedAggregate" : a->ngroup ? "HashAggregate" : "Aggregate");
    if (a->nbatches) {
        buf_printf(out, " (vectorized, %llu batch%s", (unsigned long long)a->nbatches, a->nbatches == 1 ? "" : "es");
        if (a->nthreads > 1) buf_printf(out, ", %d threads", a->nthreads);
        buf_putc(out, ')');
    }
}

static const OpVtbl agg_vt = {"", agg_open, agg_next, agg_close, agg_explain, agg_analyze};

Op *op_aggregate(SqlCtx *ctx, Op *child, ExprProg **group, int ngroup, AggSpec **aggs, int naggs)
{
    AggOp *a = op_alloc(ctx, sizeof(*a), &agg_vt, ngroup + naggs);
    if (!a) return NULL;
    a->op.child = child;
    a->group = group;
    a->ngroup = ngroup;
    a->nkeys = ngroup;
    a->aggs = aggs;
    a->naggs = naggs;
    a->set.n = ngroup;
    arena_init(&a->arena, op_block(ctx, 64 * 1024));
    return &a->op;
}

void op_aggregate_sets(Op *op, const u64 *sets, int nsets)
{
    AggOp *a = (AggOp *)op;
    a->sets = sets;
    a->nsets = nsets;
    a->nkeys = a->ngroup + 1;
    a->set.n = a->nkeys;
    op->width = a->nkeys + a->naggs;
}

/* ================================================================ sort */

/*
 * Rows kept in memory up to the budget, then sorted at the end (qsort) or,
 * with a LIMIT (topn), kept as a max-heap of the first topn.  Past the
 * budget the rows held are sorted and written as a run to a temporary
 * file (spill.h), and so is each next budget's worth: an external merge
 * sort.  Runs are merged SORT_FANIN at a time into longer runs until few
 * enough are left, which sort_next then merges as rows are asked for.
 * Every row carries its input index past the width, so equal rows keep
 * their input order through runs and merges (a stable sort).
 */
typedef struct Merge {
    SpillReader *rd;     /* a reader per run */
    Value *cur;          /* run i's current row at cur + i * (width + 1) */
    int *heap, nheap;    /* runs with a current row, least row on top */
    int last;            /* the run whose row went out last (-1: none): it steps on the next call */
} Merge;

typedef struct SortOp {
    Op op;
    SortKey *keys; int nkeys;
    Arena arena;
    Value **rows; size_t n, cap, pos;
    bool built;
    SqlCtx *ctx;
    i64 topn;           /* > 0: only the first topn rows are wanted (a max-heap of them) */
    u64 seq;            /* input rows seen (stability) */
    /* past the budget: sorted runs in a temporary file, merged at the end */
    SpillFile *sf;
    SpillRun *runs; size_t nruns;
    Merge merge;
    bool merging;
    i64 left;           /* rows the merge may still give (a topn sort that spilled); -1: all */
    i64 topn0;          /* topn as planned (a spill sets topn to 0 for the run) */
    u64 disk;           /* EXPLAIN ANALYZE: the most bytes a run's temporary file held */
} SortOp;

static int sort_cmp(const void *x, const void *y, void *arg)
{
    SortOp *s = arg;
    const Value *a = *(Value *const *)x, *b = *(Value *const *)y;
    for (int k = 0; k < s->nkeys; k++) {
        const SortKey *key = &s->keys[k];
        const Value *u = &a[key->slot], *v = &b[key->slot];
        int c;
        if (u->isnull || v->isnull) {
            if (u->isnull && v->isnull) continue;
            /* NULL placement does not depend on the direction */
            return u->isnull ? (key->nulls_first ? -1 : 1) : (key->nulls_first ? 1 : -1);
        } else {
            c = val_compare(u, v, &s->ctx->vctx);
        }
        if (c) return key->desc ? -c : c;
    }
    /* stable: keep input order (rows are stored with their index past the width) */
    i64 ia = a[s->op.width].v.i, ib = b[s->op.width].v.i;
    return ia < ib ? -1 : ia > ib;
}

static void heap_sift_down(SortOp *s, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < s->n && sort_cmp(&s->rows[l], &s->rows[m], s) > 0) m = l;
        if (r < s->n && sort_cmp(&s->rows[r], &s->rows[m], s) > 0) m = r;
        if (m == i) return;
        Value *t = s->rows[i]; s->rows[i] = s->rows[m]; s->rows[m] = t;
        i = m;
    }
}

/* Adds row c to the max-heap of the topn first rows (root: the last). */
static int heap_put(SortOp *s, Value *c)
{
    if (s->n == (size_t)s->topn) {
        s->rows[0] = c;
        heap_sift_down(s, 0);
        return DD_OK;
    }
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        Value **nr = dd_realloc(s->rows, sizeof(Value *) * ncap);
        if (!nr) return DD_ENOMEM;
        s->rows = nr;
        s->cap = ncap;
    }
    size_t i = s->n++;
    s->rows[i] = c;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (sort_cmp(&s->rows[i], &s->rows[p], s) <= 0) break;
        Value *t = s->rows[i]; s->rows[i] = s->rows[p]; s->rows[p] = t;
        i = p;
    }
    return DD_OK;
}

/* ------------------------------------------------ abbreviated keys
 *
 * A whole sort (not the top-N heap) sorts items that carry their first
 * key abbreviated: its NULL placement (cls) and, for integers, dates,
 * timestamps and strings, a u64 in the key's order (kind: which family;
 * descending keys inverted).  Two items of one family with different
 * abbreviations are ordered by them without reading the rows; otherwise
 * (equal, another type, another family) sort_cmp decides, so the order
 * is sort_cmp's exactly. */
typedef struct SortEntry { u64 ab; u8 cls, kind; Value *r; } SortEntry;

enum { AB_NONE, AB_INT, AB_DATE, AB_TS, AB_TSTZ, AB_STR };

static void sort_abbrev(const SortKey *k, const Value *v, SortEntry *it)
{
    it->kind = AB_NONE;
    it->ab = 0;
    if (v->isnull) {
        it->cls = k->nulls_first ? 0 : 2;
        return;
    }
    it->cls = 1;
    TypeId t = (TypeId)v->type;
    if (type_is_int(t)) it->kind = AB_INT;
    else if (t == TYPE_DATE) it->kind = AB_DATE;
    else if (t == TYPE_TIMESTAMP) it->kind = AB_TS;
    else if (t == TYPE_TIMESTAMPTZ) it->kind = AB_TSTZ;
    if (it->kind) {
        it->ab = (u64)v->v.i ^ (1ull << 63);
    } else if (type_is_string(t)) {
        /* the first 8 bytes, big-endian (bytes compare unsigned), as
         * val_compare compares them: char(n) without its trailing blanks */
        const u8 *p = (const u8 *)v->v.s.p;
        u32 n = v->v.s.len;
        if (t == TYPE_BPCHAR)
            while (n && p[n - 1] == ' ') n--;
        for (u32 i = 0; i < 8; i++) it->ab = it->ab << 8 | (i < n ? p[i] : 0);
        it->kind = AB_STR;
    }
    if (it->kind && k->desc) it->ab = ~it->ab;
}

static int sort_entry_cmp(const void *x, const void *y, void *arg)
{
    const SortEntry *a = x, *b = y;
    if (a->cls != b->cls) return a->cls < b->cls ? -1 : 1;
    if (a->kind && a->kind == b->kind && a->ab != b->ab) return a->ab < b->ab ? -1 : 1;
    return sort_cmp(&a->r, &b->r, arg);
}

/* rows[0..n) in order, through abbreviated keys. */
static int sort_rows(SortOp *s)
{
    if (s->n < 2) return DD_OK;
    SortEntry *it = dd_malloc(sizeof(SortEntry) * s->n);
    if (!it) return DD_ENOMEM;
    const SortKey *k = s->nkeys ? &s->keys[0] : NULL;
    for (size_t i = 0; i < s->n; i++) {
        it[i] = (SortEntry){0, 1, AB_NONE, s->rows[i]};
        if (k) sort_abbrev(k, &s->rows[i][k->slot], &it[i]);
    }
    qsort_r(it, s->n, sizeof(SortEntry), sort_entry_cmp, s);
    for (size_t i = 0; i < s->n; i++) s->rows[i] = it[i].r;
    dd_free(it);
    return DD_OK;
}

/* ------------------------------------------------ external merge */

#define SORT_FANIN_MIN 6
#define SORT_FANIN_MAX 256

static int sort_run_add(SortOp *s, SpillRun **out)
{
    SpillRun *nr = dd_realloc(s->runs, sizeof(SpillRun) * (s->nruns + 1));
    if (!nr) return DD_ENOMEM;
    s->runs = nr;
    *out = memset(&nr[s->nruns++], 0, sizeof(SpillRun));
    return DD_OK;
}

/* The rows held, sorted, as a new run; memory starts over.  A top-N sort
 * becomes a whole sort (the rows it dropped sort after all it kept, and
 * sort_next stops after topn). */
static int sort_spill(SqlCtx *ctx, SortOp *s)
{
    int rc;
    if (!s->sf && (rc = spill_create(ctx, &s->sf))) return rc;
    if (s->topn > 0) {
        s->left = s->topn;
        s->topn = 0;
    }
    s->ctx = ctx;
    if ((rc = sort_rows(s))) return rc;
    SpillRun *r;
    if ((rc = sort_run_add(s, &r))) return rc;
    for (size_t i = 0; i < s->n; i++)
        if ((rc = spill_put(s->sf, r, s->rows[i], s->op.width + 1))) return rc;
    if ((rc = spill_end(s->sf, r))) return rc;
    s->n = 0;
    arena_reset(&s->arena);
    return DD_OK;
}

static bool merge_less(SortOp *s, Merge *m, int i, int j)
{
    Value *a = m->cur + (size_t)i * (size_t)(s->op.width + 1), *b = m->cur + (size_t)j * (size_t)(s->op.width + 1);
    return sort_cmp(&a, &b, s) < 0;
}

static void merge_sift(SortOp *s, Merge *m, int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, k = i;
        if (l < m->nheap && merge_less(s, m, m->heap[l], m->heap[k])) k = l;
        if (r < m->nheap && merge_less(s, m, m->heap[r], m->heap[k])) k = r;
        if (k == i) return;
        int t = m->heap[i]; m->heap[i] = m->heap[k]; m->heap[k] = t;
        i = k;
    }
}

static void merge_end(Merge *m, int n)
{
    for (int i = 0; m->rd && i < n; i++) spill_read_end(&m->rd[i]);
    dd_free(m->rd);
    dd_free(m->cur);
    dd_free(m->heap);
    memset(m, 0, sizeof *m);
}

/* Starts merging runs[0..n), each read once and freed as it is read. */
static int merge_begin(SortOp *s, Merge *m, SpillRun *runs, int n)
{
    int w = s->op.width + 1;
    memset(m, 0, sizeof *m);
    m->rd = dd_calloc((size_t)n, sizeof(SpillReader));
    m->cur = dd_calloc((size_t)n * (size_t)w, sizeof(Value));
    m->heap = dd_calloc((size_t)n, sizeof(int));
    if (!m->rd || !m->cur || !m->heap) return DD_ENOMEM;
    for (int i = 0; i < n; i++) {
        spill_read_begin(&m->rd[i], s->sf, &runs[i], true);
        int rc = spill_read_row(&m->rd[i], m->cur + (size_t)i * (size_t)w, w);
        if (rc < 0) return -rc;
        if (rc) m->heap[m->nheap++] = i;
    }
    for (int i = m->nheap / 2 - 1; i >= 0; i--) merge_sift(s, m, i);
    m->last = -1;
    return DD_OK;
}

/* The merge's next row (valid until the next call): 1, 0 at the end, -DD_E*. */
static int merge_next(SortOp *s, Merge *m, Value **row)
{
    int w = s->op.width + 1;
    if (m->last >= 0) {
        int i = m->last, rc = spill_read_row(&m->rd[i], m->cur + (size_t)i * (size_t)w, w);
        if (rc < 0) return rc;
        if (!rc) m->heap[0] = m->heap[--m->nheap];
        if (m->nheap) merge_sift(s, m, 0);
        m->last = -1;
    }
    if (!m->nheap) return 0;
    m->last = m->heap[0];
    *row = m->cur + (size_t)m->last * (size_t)w;
    return 1;
}

/* Merges the runs SORT_FANIN at a time until at most that many are left,
 * then starts the last merge, which sort_next reads. */
static int sort_merge_runs(SqlCtx *ctx, SortOp *s)
{
    size_t fanin = sql_work_mem(ctx) / SPILL_BLOCK;
    fanin = DD_MAX(SORT_FANIN_MIN, DD_MIN(SORT_FANIN_MAX, fanin));
    int rc;
    while (s->nruns > fanin) {
        SpillRun *old = s->runs;
        size_t nold = s->nruns;
        s->runs = NULL;
        s->nruns = 0;
        for (size_t lo = 0; lo < nold; lo += fanin) {
            int n = (int)DD_MIN(fanin, nold - lo);
            SpillRun *out;
            Merge m = {0};
            Value *r;
            rc = sort_run_add(s, &out);
            if (!rc) rc = merge_begin(s, &m, old + lo, n);
            while (!rc && (rc = merge_next(s, &m, &r)) > 0) {
                rc = spill_put(s->sf, out, r, s->op.width + 1);
                if (!rc) rc = sql_check_interrupt(ctx);
            }
            rc = rc < 0 ? -rc : rc;
            merge_end(&m, n);
            if (!rc) rc = spill_end(s->sf, out);
            if (rc) {
                for (size_t i = 0; i < nold; i++) spill_run_free(s->sf, &old[i]);
                dd_free(old);
                return rc;
            }
        }
        for (size_t i = 0; i < nold; i++) spill_run_free(s->sf, &old[i]);
        dd_free(old);
    }
    s->merging = true;
    return merge_begin(s, &s->merge, s->runs, (int)s->nruns);
}

static void sort_spill_free(SortOp *s)
{
    s->disk = DD_MAX(s->disk, spill_peak(s->sf));
    merge_end(&s->merge, (int)s->nruns);
    for (size_t i = 0; i < s->nruns; i++) spill_run_free(s->sf, &s->runs[i]);
    dd_free(s->runs);
    s->runs = NULL;
    s->nruns = 0;
    spill_close(s->sf);
    s->sf = NULL;
    s->merging = false;
    s->left = -1;
}

/* Room for the next row past the budget: a top-N heap, which leaves the
 * rows it drops in its arena, is copied to a fresh one if its live rows
 * take at most half the budget; otherwise the rows held become a run. */
static int sort_make_room(SqlCtx *ctx, SortOp *s, size_t budget)
{
    if (s->topn > 0) {
        Arena fresh;
        arena_init(&fresh, s->arena.block_size);
        int rc = DD_OK;
        Value **moved = dd_malloc(sizeof(Value *) * s->n);
        for (size_t i = 0; moved && !rc && i < s->n; i++) rc = copy_row(&fresh, s->rows[i], s->op.width + 1, &moved[i]);
        if (moved && !rc && fresh.total + s->cap * sizeof(Value *) <= budget / 2) {
            memcpy(s->rows, moved, sizeof(Value *) * s->n);
            dd_free(moved);
            arena_free(&s->arena);
            s->arena = fresh;
            return DD_OK;
        }
        dd_free(moved);
        arena_free(&fresh);
    }
    return sort_spill(ctx, s);
}

static int sort_build(SqlCtx *ctx, SortOp *s)
{
    int w = s->op.width;
    size_t budget = sql_work_mem(ctx);
    for (;;) {
        int rc = sql_check_interrupt(ctx);
        if (rc) return rc;
        ArenaMark m = arena_mark(ctx->row);
        Value *r;
        rc = op_next(ctx, s->op.child, &r);
        if (rc < 0) return -rc;
        if (rc == 0) break;
        if (s->n && s->arena.total + s->cap * sizeof(Value *) > budget && (rc = sort_make_room(ctx, s, budget)))
            return rc;
        s->ctx = ctx;
        if (s->topn > 0 && s->n == (size_t)s->topn) {
            /* top-N: a row enters only if it sorts before the heap's root
             * (the last of the kept rows); row index last, so ties keep
             * the earlier rows */
            Value *probe = r;
            Value keep = r[w];
            r[w] = val_int(TYPE_INT8, (i64)s->seq);
            bool enters = sort_cmp(&probe, &s->rows[0], s) < 0;
            r[w] = keep;
            s->seq++;
            if (!enters) { arena_rewind(ctx->row, m); continue; }
        }
        Value *c = arena_alloc(&s->arena, sizeof(Value) * (size_t)(w + 1));
        if (!c) return DD_ENOMEM;
        for (int i = 0; i < w; i++) {
            rc = val_copy(&s->arena, &r[i], &c[i]);
            if (rc) return rc;
        }
        if (s->topn > 0) {
            c[w] = val_int(TYPE_INT8, (i64)(s->seq - (s->n == (size_t)s->topn ? 1 : 0)));
            if (s->n < (size_t)s->topn) s->seq++;
            arena_rewind(ctx->row, m);
            if ((rc = heap_put(s, c))) return rc;
            continue;
        }
        c[w] = val_int(TYPE_INT8, (i64)s->seq++);
        if (s->n == s->cap) {
            size_t ncap = s->cap ? s->cap * 2 : 256;
            Value **nr = dd_realloc(s->rows, sizeof(Value *) * ncap);
            if (!nr) return DD_ENOMEM;
            s->rows = nr;
            s->cap = ncap;
        }
        s->rows[s->n++] = c;
        arena_rewind(ctx->row, m);
    }
    s->ctx = ctx;
    if (s->nruns) {
        int rc = s->n ? sort_spill(ctx, s) : DD_OK;
        return rc ? rc : sort_merge_runs(ctx, s);
    }
    return sort_rows(s);
}

static int sort_open(SqlCtx *ctx, Op *op)
{
    SortOp *s = (SortOp *)op;
    sort_spill_free(s);
    s->topn = s->topn0;
    s->built = false;
    s->pos = s->n = 0;
    s->seq = 0;
    return op_open(ctx, op->child);
}

static int sort_next(SqlCtx *ctx, Op *op, Value **row)
{
    SortOp *s = (SortOp *)op;
    if (!s->built) {
        int rc = sort_build(ctx, s);
        s->built = true;
        if (rc) return neg(rc);
    }
    if (s->merging) {
        if (s->left == 0) return 0;
        s->ctx = ctx;
        int rc = merge_next(s, &s->merge, row);
        if (rc > 0 && s->left > 0) s->left--;
        return rc;
    }
    if (s->pos >= s->n) return 0;
    *row = s->rows[s->pos++];
    return 1;
}

static void sort_close(SqlCtx *ctx, Op *op)
{
    SortOp *s = (SortOp *)op;
    op_close(ctx, op->child);
    sort_spill_free(s);
    dd_free(s->rows);
    s->rows = NULL;
    s->n = s->cap = 0;
    arena_free(&s->arena);
}

static void sort_analyze(Op *op, Buf *out)
{
    SortOp *s = (SortOp *)op;
    u64 disk = DD_MAX(s->disk, spill_peak(s->sf));
    if (disk) buf_printf(out, "Sort Method: external merge  Disk: %llukB", (unsigned long long)((disk + 1023) / 1024));
}

static const OpVtbl sort_vt = {"Sort", sort_open, sort_next, sort_close, NULL, sort_analyze};

Op *op_sort(SqlCtx *ctx, Op *child, SortKey *keys, int nkeys, i64 topn)
{
    SortOp *s = op_alloc(ctx, sizeof(*s), &sort_vt, child->width);
    if (!s) return NULL;
    s->topn = s->topn0 = topn;
    s->left = -1;
    s->op.child = child;
    s->keys = keys;
    s->nkeys = nkeys;
    arena_init(&s->arena, op_block(ctx, 64 * 1024));
    return &s->op;
}

/* ================================================================ distinct */

/*
 * DISTINCT keeps the keys it has passed in a hash set; past the budget,
 * rows whose keys it does not hold go to partitions by their hash
 * (spill.h), each deduplicated in a later pass, so the rows come out in
 * another order (DISTINCT's rows have none: a sort above orders them).
 * DISTINCT ON over rows sorted on its keys (ORDER BY starts with them)
 * only compares each row with the last one it passed.
 */
typedef struct DistinctOp {
    Op op;
    int off, ncols;
    RowSet set;
    Arena arena;
    bool sorted;           /* the rows arrive sorted on the keys */
    Value *prev;           /* sorted: the last row passed's keys (in arena), NULL: none yet */
    bool full;             /* the set fills the budget: rows of keys it does not hold spill */
    SpillParts sp;
    SpillRun run;          /* the partition being read */
    SpillReader rd;
    bool reading;
    Value *srow;           /* a spilled row */
} DistinctOp;

static void distinct_spill_free(DistinctOp *d)
{
    spill_read_end(&d->rd);
    spill_run_free(d->sp.f, &d->run);
    spill_parts_free(&d->sp);
    dd_free(d->srow);
    d->srow = NULL;
    d->reading = false;
}

static int distinct_open(SqlCtx *ctx, Op *op)
{
    DistinctOp *d = (DistinctOp *)op;
    distinct_spill_free(d);
    rowset_free(&d->set);
    d->set.n = d->ncols;
    d->prev = NULL;
    d->full = false;
    arena_reset(&d->arena);
    return op_open(ctx, op->child);
}

/* The next input row: the child's, then the partitions' in turn. */
static int distinct_input(SqlCtx *ctx, DistinctOp *d, Value **r)
{
    int rc;
    for (;;) {
        if (!d->reading) {
            if ((rc = op_next(ctx, d->op.child, r))) return rc;
            if (!d->sp.f) return 0;
            if ((rc = spill_parts_end(&d->sp))) return -rc;
            d->reading = true;
        } else {
            if ((rc = spill_read_row(&d->rd, d->srow, d->op.width))) {
                *r = d->srow;
                return rc;
            }
            if ((rc = spill_parts_end(&d->sp))) return -rc;
        }
        /* the next partition: a pass of its own, with a fresh set */
        spill_read_end(&d->rd);
        spill_run_free(d->sp.f, &d->run);
        if (!spill_parts_next(&d->sp, &d->run)) return 0;
        rowset_free(&d->set);
        d->set.n = d->ncols;
        d->full = false;
        arena_reset(&d->arena);
        spill_read_begin(&d->rd, d->sp.f, &d->run, true);
        if ((rc = sql_check_interrupt(ctx))) return -rc;
    }
}

static int distinct_next(SqlCtx *ctx, Op *op, Value **row)
{
    DistinctOp *d = (DistinctOp *)op;
    for (;;) {
        ArenaMark m = arena_mark(ctx->row);
        Value *r;
        int rc = d->sorted ? op_next(ctx, op->child, &r) : distinct_input(ctx, d, &r);
        if (rc <= 0) return rc;
        if (d->sorted) {
            if (d->prev && row_equal(ctx, d->prev, r + d->off, d->ncols)) { arena_rewind(ctx->row, m); continue; }
            arena_reset(&d->arena);
            if ((rc = copy_row(&d->arena, r + d->off, d->ncols, &d->prev))) return neg(rc);
            *row = r;
            return 1;
        }
        Value *f;
        rowset_find(ctx, &d->set, r + d->off, &f);
        if (f) { arena_rewind(ctx->row, m); continue; }
        if (d->full) {
            /* a key not held: the row waits in its partition */
            if (!d->srow && !(d->srow = dd_calloc((size_t)op->width + 1, sizeof(Value)))) return -DD_ENOMEM;
            rc = spill_parts_put(ctx, &d->sp, row_hash(r + d->off, d->ncols), r, op->width);
            arena_rewind(ctx->row, m);
            if (rc) return neg(rc);
            continue;
        }
        Value *c;
        rc = copy_row(&d->arena, r + d->off, d->ncols, &c);
        if (!rc) rc = rowset_add(&d->set, c);
        if (rc) return neg(rc);
        if (d->arena.total + rowset_bytes(&d->set) > sql_work_mem(ctx) && d->sp.level < SPILL_MAX_LEVEL)
            d->full = true;
        *row = r;
        return 1;
    }
}

static void distinct_close(SqlCtx *ctx, Op *op)
{
    DistinctOp *d = (DistinctOp *)op;
    op_close(ctx, op->child);
    distinct_spill_free(d);
    rowset_free(&d->set);
    arena_free(&d->arena);
}

static void distinct_analyze(Op *op, Buf *out) { spill_parts_analyze(&((DistinctOp *)op)->sp, out); }

static const OpVtbl distinct_vt = {"Distinct", distinct_open, distinct_next, distinct_close, NULL, distinct_analyze};

void op_distinct_sorted(Op *op) { ((DistinctOp *)op)->sorted = true; }

Op *op_distinct_on(SqlCtx *ctx, Op *child, int off, int ncols)
{
    Op *o = op_distinct(ctx, child, ncols);
    if (o) ((DistinctOp *)o)->off = off;
    return o;
}

Op *op_distinct(SqlCtx *ctx, Op *child, int ncols)
{
    DistinctOp *d = op_alloc(ctx, sizeof(*d), &distinct_vt, child->width);
    if (!d) return NULL;
    d->op.child = child;
    d->ncols = ncols;
    d->set.n = ncols;
    arena_init(&d->arena, op_block(ctx, 64 * 1024));
    return &d->op;
}

/* ================================================================ limit */

typedef struct LimitOp {
    Op op;
    i64 limit, offset, seen, emitted;
    /* a correlated subquery's LIMIT / OFFSET of the enclosing query's
     * columns: evaluated as each run opens (NULL: the constants above) */
    ExprProg *late_limit, *late_offset;
    /* WITH TIES: the ORDER BY slots, and their values in the last row
     * within the limit */
    SortKey *keys; int nkeys;
    Value *last;
    bool done;
    Arena arena;
} LimitOp;
/* A late LIMIT / OFFSET's value for this run (-1 for a NULL LIMIT, 0 for
 * a NULL OFFSET), negative ones refused as PostgreSQL refuses them. */
static int limit_value(SqlCtx *ctx, LimitOp *l, ExprProg *p, bool offset, i64 *out)
{
    Value v;
    int rc = expr_eval(p, &l->op.env, NULL, &v);
    if (rc) return rc;
    if (v.isnull) {
        *out = offset ? 0 : -1;
        return DD_OK;
    }
    if (v.v.i < 0)
        return dd_err(ctx->err, offset ? DD_EINVALID_OFFSET_COUNT : DD_EINVALID_ROW_COUNT, -1,
                      "%s must not be negative", offset ? "OFFSET" : "LIMIT");
    *out = v.v.i;
    return DD_OK;
}

static int limit_open(SqlCtx *ctx, Op *op)
{
    LimitOp *l = (LimitOp *)op;
    int rc;
    if (l->late_limit && (rc = limit_value(ctx, l, l->late_limit, false, &l->limit))) return rc;
    if (l->late_offset && (rc = limit_value(ctx, l, l->late_offset, true, &l->offset))) return rc;
    l->seen = l->emitted = 0;
    l->done = false;
    if (l->keys) arena_reset(&l->arena);
    return op_open(ctx, op->child);
}
static int limit_next(SqlCtx *ctx, Op *op, Value **row)
{
    LimitOp *l = (LimitOp *)op;
    for (;;) {
        if (l->done) return 0;
        bool past = l->limit >= 0 && l->emitted >= l->limit;
        if (past && (!l->keys || l->limit == 0)) return 0;
        int rc = op_next(ctx, op->child, row);
        if (rc <= 0) return rc;
        if (l->seen++ < l->offset) continue;
        if (past) {
            /* a tie with the last row within the limit, or the end */
            for (int i = 0; i < l->nkeys; i++) {
                const Value *a = &(*row)[l->keys[i].slot], *b = &l->last[i];
                if (a->isnull != b->isnull || (!a->isnull && val_compare(a, b, &ctx->vctx) != 0)) {
                    l->done = true;
                    return 0;
                }
            }
            return 1;
        }
        l->emitted++;
        if (l->keys && l->emitted == l->limit) {
            for (int i = 0; i < l->nkeys; i++) {
                rc = val_copy(&l->arena, &(*row)[l->keys[i].slot], &l->last[i]);
                if (rc) return neg(rc);
            }
        }
        return 1;
    }
}
static void limit_close(SqlCtx *ctx, Op *op)
{
    LimitOp *l = (LimitOp *)op;
    op_close(ctx, op->child);
    if (l->keys) arena_free(&l->arena);
}
static const OpVtbl limit_vt = {"Limit", limit_open, limit_next, limit_close, NULL, NULL};
Op *op_limit_ties(SqlCtx *ctx, Op *child, i64 limit, i64 offset, const SortKey *keys, int nkeys)
{
    LimitOp *l = (LimitOp *)op_limit(ctx, child, limit, offset);
    if (!l) return NULL;
    l->keys = arena_alloc(ctx->stmt, sizeof(SortKey) * (size_t)(nkeys + 1));
    l->last = arena_zalloc(ctx->stmt, sizeof(Value) * (size_t)(nkeys + 1));
    if (!l->keys || !l->last) return NULL;
    memcpy(l->keys, keys, sizeof(SortKey) * (size_t)nkeys);
    l->nkeys = nkeys;
    arena_init(&l->arena, 1024);
    return &l->op;
}

void op_limit_late(Op *op, ExprProg *limit, ExprProg *offset)
{
    LimitOp *l = (LimitOp *)op;
    l->late_limit = limit;
    l->late_offset = offset;
}

Op *op_limit(SqlCtx *ctx, Op *child, i64 limit, i64 offset)
{
    LimitOp *l = op_alloc(ctx, sizeof(*l), &limit_vt, child->width);
    if (!l) return NULL;
    l->op.child = child;
    l->limit = limit;
    l->offset = offset;
    return &l->op;
}

/* ================================================================ lock rows */

typedef struct LockRowsOp {
    Op op;
    const LockRel *rels; int nrels;
    i64 maxrows;
    Value *rows;             /* the rows kept, width each */
    size_t n, cap, pos;
    Arena arena;
    Buf key;
} LockRowsOp;

/* Locks the rows of rels that row r came from; *skip when one is locked
 * by another transaction and the clause says SKIP LOCKED. */
static int lock_rels(SqlCtx *ctx, LockRowsOp *l, const Value *r, bool *skip)
{
    *skip = false;
    for (int i = 0; i < l->nrels; i++) {
        const LockRel *lr = &l->rels[i];
        buf_reset(&l->key);
        bool null = false;
        for (int k = 0; k < lr->t->npk; k++) {
            null |= r[lr->key0 + k].isnull;
            key_encode_value(&r[lr->key0 + k], &l->key);
        }
        if (null) continue;   /* no row of this table (cannot happen: outer joins are refused) */
        if (!buf_ok(&l->key)) return DD_ENOMEM;
        bool changed, skipped;
        int rc = ctx->lock_row(ctx, lr->t->id, l->key.data, (u32)l->key.len, lr->mode, lr->wait, &changed, &skipped);
        if (rc == DD_ELOCK_NOT_AVAILABLE && lr->wait == LOCKWAIT_ERROR)
            return dd_err(ctx->err, DD_ELOCK_NOT_AVAILABLE, -1, "could not obtain lock on row in relation \"%s\"",
                          name_base(lr->t->name));
        if (rc) return rc;
        if (skipped) {
            *skip = true;
            return DD_OK;
        }
        if (changed) {
            /* the row read is not the row there now: READ COMMITTED reads
             * it again with the whole statement, while that is possible */
            if (ctx->restart_ok && ctx->lock_restartable && ctx->ws->writes == ctx->ws_writes0)
                return DD_ESTATEMENT_RESTART;
            return dd_err(ctx->err, DD_ESERIALIZATION, -1, "could not serialize access due to concurrent update");
        }
    }
    return DD_OK;
}

static int lockrows_open(SqlCtx *ctx, Op *op)
{
    LockRowsOp *l = (LockRowsOp *)op;
    arena_reset(&l->arena);
    l->n = l->pos = l->cap = 0;
    l->rows = NULL;
    if (!ctx->lock_row)
        return dd_err(ctx->err, DD_EREAD_ONLY_TXN, -1, "cannot execute SELECT FOR UPDATE in a read-only transaction");
    int rc = op_open(ctx, op->child);
    size_t w = (size_t)op->width;
    while (!rc && (l->maxrows < 0 || (i64)l->n < l->maxrows)) {
        Value *r;
        ArenaMark m = arena_mark(ctx->row);   /* an enclosing row may be in it too */
        int k = op_next(ctx, op->child, &r);
        if (k < 0) { rc = -k; break; }
        if (k == 0) break;
        bool skip;
        if ((rc = lock_rels(ctx, l, r, &skip))) break;
        if (!skip) {
            if (l->n == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 16;
                Value *nr = arena_alloc(&l->arena, sizeof(Value) * cap * (w ? w : 1));
                if (!nr) { rc = DD_ENOMEM; break; }
                if (l->n) memcpy(nr, l->rows, sizeof(Value) * l->n * w);
                l->rows = nr;
                l->cap = cap;
            }
            for (size_t c = 0; !rc && c < w; c++) rc = val_copy(&l->arena, &r[c], &l->rows[l->n * w + c]);
            if (rc) break;
            l->n++;
        }
        arena_rewind(ctx->row, m);
    }
    return rc;   /* rows kept in memory, as the write set of the UPDATE that usually follows */
}
static int lockrows_next(SqlCtx *ctx, Op *op, Value **row)
{
    DD_UNUSED(ctx);
    LockRowsOp *l = (LockRowsOp *)op;
    if (l->pos >= l->n) return 0;
    *row = &l->rows[l->pos++ * (size_t)op->width];
    return 1;
}
static void lockrows_close(SqlCtx *ctx, Op *op)
{
    LockRowsOp *l = (LockRowsOp *)op;
    op_close(ctx, op->child);
    arena_free(&l->arena);
    buf_free(&l->key);
}
static const OpVtbl lockrows_vt = {"LockRows", lockrows_open, lockrows_next, lockrows_close, NULL, NULL};

Op *op_lockrows(SqlCtx *ctx, Op *child, const LockRel *rels, int nrels, i64 maxrows)
{
    LockRowsOp *l = op_alloc(ctx, sizeof(*l), &lockrows_vt, child->width);
    if (!l) return NULL;
    l->op.child = child;
    l->rels = rels;
    l->nrels = nrels;
    l->maxrows = maxrows;
    arena_init(&l->arena, op_block(ctx, 64 * 1024));
    buf_init(&l->key);
    return &l->op;
}

/* ================================================================ canonical rows and joins */

/*
 * Inside a FROM clause with several relations, every operator above the
 * leaves produces "canonical" rows of the clause's width: relation r's
 * columns sit at its slots [slot0, slot0 + ncols), so expressions compiled
 * against the whole FROM scope read any intermediate row, whatever the
 * join order.  A Place puts a leaf's own row there; a join copies the slot
 * ranges of its two sides (SlotRanges).  Slots of relations not joined yet
 * are NULL.
 */

static void ranges_copy(Value *dst, const Value *src, const SlotRanges *r)
{
    for (int i = 0; i < r->n; i++)
        memcpy(dst + r->off[i], src + r->off[i], sizeof(Value) * (size_t)r->len[i]);
}

static void ranges_null(Value *dst, const SlotRanges *r)
{
    for (int i = 0; i < r->n; i++)
        for (int k = 0; k < r->len[i]; k++) dst[r->off[i] + k] = val_null(TYPE_TEXT);
}

static int ranges_width(const SlotRanges *r)
{
    int w = 0;
    for (int i = 0; i < r->n; i++) w += r->len[i];
    return w;
}

/* Copies the values of ranges r of src, packed, into a (payloads too). */
static int ranges_pack(Arena *a, const Value *src, const SlotRanges *r, Value *out)
{
    int k = 0;
    for (int i = 0; i < r->n; i++)
        for (int j = 0; j < r->len[i]; j++) {
            int rc = val_copy(a, &src[r->off[i] + j], &out[k++]);
            if (rc) return rc;
        }
    return DD_OK;
}

/* The slots of r the query reads (r itself when it has no used flags):
 * what a kept row needs to hold. */
static int ranges_narrow(SqlCtx *ctx, const SlotRanges *r, SlotRanges *out)
{
    *out = *r;
    if (!r->used) return DD_OK;
    int w = ranges_width(r);
    int *off = arena_alloc(ctx->stmt, sizeof(int) * (size_t)(w + 1));
    int *len = arena_alloc(ctx->stmt, sizeof(int) * (size_t)(w + 1));
    if (!off || !len) return DD_ENOMEM;
    int n = 0;
    for (int i = 0; i < r->n; i++)
        for (int s = r->off[i]; s < r->off[i] + r->len[i]; s++) {
            if (r->used[s] && !*r->used[s]) continue;
            if (n && off[n - 1] + len[n - 1] == s) { len[n - 1]++; continue; }
            off[n] = s;
            len[n++] = 1;
        }
    out->n = n;
    out->off = off;
    out->len = len;
    out->used = NULL;
    return DD_OK;
}

/* The values of ranges r of src, packed into out (not their payloads). */
static void ranges_gather(Value *out, const Value *src, const SlotRanges *r)
{
    int k = 0;
    for (int i = 0; i < r->n; i++) {
        memcpy(out + k, src + r->off[i], sizeof(Value) * (size_t)r->len[i]);
        k += r->len[i];
    }
}

static void ranges_unpack(Value *dst, const Value *packed, const SlotRanges *r)
{
    int k = 0;
    for (int i = 0; i < r->n; i++) {
        memcpy(dst + r->off[i], packed + k, sizeof(Value) * (size_t)r->len[i]);
        k += r->len[i];
    }
}

static Value *null_row(SqlCtx *ctx, int width)
{
    Value *r = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(width ? width : 1));
    if (r) for (int i = 0; i < width; i++) r[i] = val_null(TYPE_TEXT);
    return r;
}

typedef struct PlaceOp { Op op; int base, n; Value *row; bool deep; Arena arena; } PlaceOp;

static int place_next(SqlCtx *ctx, Op *op, Value **row)
{
    PlaceOp *p = (PlaceOp *)op;
    Value *r;
    int rc = op_next(ctx, op->child, &r);
    if (rc <= 0) return rc;
    if (p->deep) {
        /* values computed into the row arena would not outlive the next
         * output row of the statement, and a join may hold this row over
         * several */
        arena_reset(&p->arena);
        for (int i = 0; i < p->n; i++)
            if ((rc = val_copy(&p->arena, &r[i], &p->row[p->base + i]))) return neg(rc);
    } else {
        memcpy(p->row + p->base, r, sizeof(Value) * (size_t)p->n);
    }
    *row = p->row;
    return 1;
}

static void place_close(SqlCtx *ctx, Op *op)
{
    PlaceOp *p = (PlaceOp *)op;
    op_close(ctx, op->child);
    arena_free(&p->arena);
}

static const OpVtbl place_vt = {"Place", child_open, place_next, place_close, NULL, NULL};

Op *op_place(SqlCtx *ctx, Op *child, int base, Value *row, int width, bool deep)
{
    PlaceOp *p = op_alloc(ctx, sizeof(*p), &place_vt, width);
    if (!p) return NULL;
    p->op.child = child;
    p->base = base;
    p->n = child->width;
    p->row = row;
    p->deep = deep;
    arena_init(&p->arena, 1024);
    return &p->op;
}

Value *op_canonical_row(SqlCtx *ctx, int width)
{
    return null_row(ctx, width);
}

/* ---------------------------------------------------------------- nested loop */

/* The inner side is read once per open into packed rows; every outer row
 * is then matched against them in memory. */
typedef struct JoinOp {
    Op op;
    ExprProg *on;
    JoinType type;
    SlotRanges outer_r, inner_r;
    SlotRanges keep_r;      /* the inner slots kept (those read) */
    int iw;                 /* packed inner width */
    Value *row;
    Value **inner; size_t ninner, capinner;
    size_t pos;
    bool have_outer, matched;
    /* FULL: which inner rows matched; after the outer side, the others
     * come out with the outer side NULL (drain: the next one to look at) */
    bool *hit;
    bool draining;
    size_t drain;
    Arena arena;            /* packed inner rows */
    /* past the budget: every inner row in a temporary file (run), read
     * through once per outer row (rd; ipos: the row's index, for hit) */
    SpillFile *sf;
    SpillRun run;
    SpillReader rd;
    Value *srow;
    size_t ipos;
    u64 disk;               /* EXPLAIN ANALYZE */
} JoinOp;

static void join_spill_free(JoinOp *j)
{
    j->disk = DD_MAX(j->disk, spill_peak(j->sf));
    spill_read_end(&j->rd);
    spill_run_free(j->sf, &j->run);
    spill_close(j->sf);
    j->sf = NULL;
    dd_free(j->srow);
    j->srow = NULL;
}

/* The inner rows held past the budget: to the file, and every one after. */
static int join_spill(SqlCtx *ctx, JoinOp *j)
{
    int rc = spill_create(ctx, &j->sf);
    if (!rc && !(j->srow = dd_calloc((size_t)j->iw + 1, sizeof(Value)))) rc = DD_ENOMEM;
    for (size_t i = 0; !rc && i < j->ninner; i++) rc = spill_put(j->sf, &j->run, j->inner[i], j->iw);
    j->ninner = 0;
    arena_reset(&j->arena);
    return rc;
}

static int join_open(SqlCtx *ctx, Op *op)
{
    JoinOp *j = (JoinOp *)op;
    j->have_outer = false;
    j->draining = false;
    j->drain = 0;
    j->ninner = 0;
    arena_reset(&j->arena);
    join_spill_free(j);
    int rc = ranges_narrow(ctx, &j->inner_r, &j->keep_r);
    if (rc) return rc;
    j->iw = ranges_width(&j->keep_r);
    rc = op_open(ctx, op->child2);
    for (;;) {
        if (rc) break;
        ArenaMark m = arena_mark(ctx->row);
        Value *in;
        rc = op_next(ctx, op->child2, &in);
        if (rc <= 0) { rc = -rc; break; }
        if (j->sf) {
            ranges_gather(j->srow, in, &j->keep_r);
            rc = spill_put(j->sf, &j->run, j->srow, j->iw);
            arena_rewind(ctx->row, m);
            if (!rc) rc = sql_check_interrupt(ctx);
            continue;
        }
        if (j->ninner == j->capinner) {
            size_t ncap = j->capinner ? j->capinner * 2 : 64;
            Value **ni = dd_realloc(j->inner, sizeof(Value *) * ncap);
            if (!ni) { rc = DD_ENOMEM; break; }
            j->inner = ni;
            j->capinner = ncap;
        }
        Value *packed = arena_alloc(&j->arena, sizeof(Value) * (size_t)(j->iw ? j->iw : 1));
        rc = packed ? ranges_pack(&j->arena, in, &j->keep_r, packed) : DD_ENOMEM;
        j->inner[j->ninner++] = packed;
        arena_rewind(ctx->row, m);
        if (!rc && j->arena.total + j->capinner * sizeof(Value *) > sql_work_mem(ctx)) rc = join_spill(ctx, j);
        if (!rc) rc = sql_check_interrupt(ctx);
    }
    op_close(ctx, op->child2);
    /* the inner side's slots of the shared row hold what its last row
     * pointed at, freed with it: NULL until a kept row is unpacked there
     * (an operator above that copies every slot must not read them) */
    ranges_null(j->row, &j->inner_r);
    if (!rc && j->sf && !(rc = spill_end(j->sf, &j->run))) {
        j->ninner = (size_t)j->run.rows;   /* the rows are the file's now */
        spill_read_begin(&j->rd, j->sf, &j->run, false);
    }
    if (rc) return rc;
    if (j->type == JOIN_FULL) {
        dd_free(j->hit);
        j->hit = dd_calloc(j->ninner + 1, sizeof(bool));
        if (!j->hit) return DD_ENOMEM;
    }
    return op_open(ctx, op->child);
}

/* Inner row i into the row: held, or the next the file gives (the file
 * is read in order, from its start for each outer row).  0, or -DD_E*. */
static int join_inner(JoinOp *j, size_t i)
{
    if (!j->sf) {
        ranges_unpack(j->row, j->inner[i], &j->keep_r);
        return 0;
    }
    if (i == 0) spill_read_rewind(&j->rd);
    int rc = spill_read_row(&j->rd, j->srow, j->iw);
    if (rc == 0) rc = -dd_corrupt(j->op.env.sql->err, "temporary file ended before its %zu rows", j->ninner);
    if (rc < 0) return rc;
    ranges_unpack(j->row, j->srow, &j->keep_r);
    return 0;
}

/* FULL: the inner rows no outer row matched, the outer side NULL. */
static int join_drain(JoinOp *j, Value **row)
{
    j->draining = true;
    while (j->drain < j->ninner) {
        size_t i = j->drain++;
        int rc = j->sf ? join_inner(j, i) : 0;   /* the file is read through in order */
        if (rc) return rc;
        if (j->hit[i]) continue;
        ranges_null(j->row, &j->outer_r);
        if (!j->sf) ranges_unpack(j->row, j->inner[i], &j->keep_r);
        *row = j->row;
        return 1;
    }
    return 0;
}

static int join_next(SqlCtx *ctx, Op *op, Value **row)
{
    JoinOp *j = (JoinOp *)op;
    if (j->draining) return join_drain(j, row);
    for (;;) {
        int rc;
        if (ctx->interrupt && *ctx->interrupt) return -sql_check_interrupt(ctx);
        if (!j->have_outer) {
            Value *o;
            rc = op_next(ctx, op->child, &o);
            if (rc == 0 && j->type == JOIN_FULL) return join_drain(j, row);
            if (rc <= 0) return rc;
            if (o != j->row) ranges_copy(j->row, o, &j->outer_r);
            j->have_outer = true;
            j->matched = false;
            j->pos = 0;
        }
        if (j->pos == j->ninner) {
            j->have_outer = false;
            if ((j->type == JOIN_LEFT || j->type == JOIN_FULL) && !j->matched) {
                ranges_null(j->row, &j->inner_r);
                *row = j->row;
                return 1;
            }
            continue;
        }
        if ((rc = join_inner(j, j->pos++))) return rc;
        if (j->on) {
            bool ok;
            rc = expr_eval_bool(j->on, &op->env, j->row, &ok);
            if (rc) return neg(rc);
            if (!ok) continue;
        }
        j->matched = true;
        if (j->hit) j->hit[j->pos - 1] = true;
        *row = j->row;
        return 1;
    }
}

static void join_close(SqlCtx *ctx, Op *op)
{
    JoinOp *j = (JoinOp *)op;
    op_close(ctx, op->child);
    join_spill_free(j);
    arena_free(&j->arena);
    dd_free(j->inner);
    dd_free(j->hit);
    j->hit = NULL;
    j->inner = NULL;
    j->ninner = j->capinner = 0;
}

static void join_explain(Op *op, Buf *out)
{
    JoinOp *j = (JoinOp *)op;
    buf_puts(out, j->type == JOIN_LEFT ? "Nested Loop Left Join" : j->type == JOIN_FULL ? "Nested Loop Full Join"
                : "Nested Loop");
}

static void join_analyze(Op *op, Buf *out)
{
    JoinOp *j = (JoinOp *)op;
    u64 disk = DD_MAX(j->disk, spill_peak(j->sf));
    if (disk) buf_printf(out, "Inner Side: on disk  Disk Usage: %llukB", (unsigned long long)((disk + 1023) / 1024));
}

static const OpVtbl join_vt = {"", join_open, join_next, join_close, join_explain, join_analyze};

Op *op_nljoin(SqlCtx *ctx, Op *outer, Op *inner, ExprProg *on, JoinType type,
              const SlotRanges *outer_r, const SlotRanges *inner_r, Value *row, int width)
{
    JoinOp *j = op_alloc(ctx, sizeof(*j), &join_vt, width);
    if (!j) return NULL;
    j->op.child = outer;
    j->op.child2 = inner;
    j->on = on;
    j->type = type;
    j->outer_r = *outer_r;
    j->inner_r = *inner_r;
    j->iw = ranges_width(inner_r);
    j->row = row;
    arena_init(&j->arena, op_block(ctx, 64 * 1024));
    return j->row ? &j->op : NULL;
}

/* ---------------------------------------------------------------- parameterized nested loop */

/* For each outer row, the inner side (a scan whose key is computed from
 * the outer row's slots in the shared canonical row) is opened again. */
typedef struct ParamJoinOp {
    Op op;
    ExprProg *residual;
    JoinType type;
    SlotRanges outer_r, inner_r;
    Value *row;
    bool have_outer, matched, inner_open;
    bool lateral;           /* the inner side reads the row as its enclosing row (XOP_OUTER) */
} ParamJoinOp;

/* LATERAL: the joined row is the inner side's enclosing row while it
 * opens and steps (only then: the operators above read their own). */
static int pj_inner_open(SqlCtx *ctx, ParamJoinOp *j)
{
    int rc;
    if (j->lateral && (rc = sql_push_outer(ctx, j->row))) return rc;
    rc = op_open(ctx, j->op.child2);
    if (j->lateral) ctx->nouter--;
    return rc;
}

static int pj_inner_next(SqlCtx *ctx, ParamJoinOp *j, Value **in)
{
    int rc;
    if (j->lateral && (rc = sql_push_outer(ctx, j->row))) return -rc;
    rc = op_next(ctx, j->op.child2, in);
    if (j->lateral) ctx->nouter--;
    return rc;
}

static int pj_next(SqlCtx *ctx, Op *op, Value **row)
{
    ParamJoinOp *j = (ParamJoinOp *)op;
    for (;;) {
        int rc;
        if (ctx->interrupt && *ctx->interrupt) return -sql_check_interrupt(ctx);
        if (!j->have_outer) {
            Value *o;
            rc = op_next(ctx, op->child, &o);
            if (rc <= 0) return rc;
            if (o != j->row) ranges_copy(j->row, o, &j->outer_r);
            if (j->inner_open) op_close(ctx, op->child2);
            j->inner_open = false;
            if ((rc = pj_inner_open(ctx, j))) {
                op_close(ctx, op->child2);   /* what the failed open holds */
                return neg(rc);
            }
            j->inner_open = true;
            j->have_outer = true;
            j->matched = false;
        }
        Value *in;
        rc = pj_inner_next(ctx, j, &in);
        if (rc < 0) return rc;
        if (rc == 0) {
            j->have_outer = false;
            if ((j->type == JOIN_LEFT || j->type == JOIN_ANTI) && !j->matched) {
                ranges_null(j->row, &j->inner_r);
                *row = j->row;
                return 1;
            }
            continue;
        }
        if (j->residual) {
            bool ok;
            rc = expr_eval_bool(j->residual, &op->env, j->row, &ok);
            if (rc) return neg(rc);
            if (!ok) continue;
        }
        j->matched = true;
        if (j->type == JOIN_ANTI) { j->have_outer = false; continue; }
        if (j->type == JOIN_SEMI) j->have_outer = false;
        *row = j->row;
        return 1;
    }
}

static int pj_open(SqlCtx *ctx, Op *op)
{
    ParamJoinOp *j = (ParamJoinOp *)op;
    j->have_outer = j->inner_open = false;
    return op_open(ctx, op->child);
}

static void pj_close(SqlCtx *ctx, Op *op)
{
    ParamJoinOp *j = (ParamJoinOp *)op;
    op_close(ctx, op->child);
    if (j->inner_open) op_close(ctx, op->child2);
    j->inner_open = false;
}

static void pj_explain(Op *op, Buf *out)
{
    ParamJoinOp *j = (ParamJoinOp *)op;
    buf_puts(out, j->type == JOIN_LEFT ? "Nested Loop Left Join" : j->type == JOIN_SEMI ? "Nested Loop Semi Join"
                : j->type == JOIN_ANTI ? "Nested Loop Anti Join" : "Nested Loop");
}

static const OpVtbl paramjoin_vt = {"", pj_open, pj_next, pj_close, pj_explain, NULL};

Op *op_paramjoin(SqlCtx *ctx, Op *outer, Op *inner, ExprProg *residual, JoinType type,
                 const SlotRanges *outer_r, const SlotRanges *inner_r, Value *row, int width)
{
    ParamJoinOp *j = op_alloc(ctx, sizeof(*j), &paramjoin_vt, width);
    if (!j) return NULL;
    j->op.child = outer;
    j->op.child2 = inner;
    j->residual = residual;
    j->type = type;
    j->outer_r = *outer_r;
    j->inner_r = *inner_r;
    j->row = row;
    return &j->op;
}

void op_paramjoin_lateral(Op *op)
{
    ((ParamJoinOp *)op)->lateral = true;
}

/* ---------------------------------------------------------------- hash join */

/*
 * Builds a hash table over the build side (child2) keyed by its key
 * expressions, then streams the probe side (child).  Keys compare as `=`
 * does (val_compare; val_hash agrees across numeric types); a NULL key
 * never matches.  LEFT keeps probe rows without a match, padded with
 * NULLs.  The build side's packed rows must fit in the memory budget
 * (53200 otherwise).
 */
typedef struct HashEntry {
    struct HashEntry *next;
    u64 hash;
    Value *keys;
    Value *vals;            /* packed build ranges */
    bool hit;               /* FULL: a probe row matched it */
} HashEntry;

typedef struct KeySet { HashEntry **buckets; size_t nbuckets, count; } KeySet;

/* What hj_next reads: the probe input; the probe rows of a spilled pair;
 * FULL's build rows no probe row matched (the table held); FULL's
 * spilled build rows with a NULL key; nothing more. */
enum { HJ_PROBE, HJ_PAIR, HJ_DRAIN, HJ_NULLS, HJ_DONE };

typedef struct HashJoinOp {
    Op op;
    int nkeys;
    ExprProg **pkeys, **bkeys;
    ExprProg *residual;
    JoinType type;
    SlotRanges probe_r, build_r;
    SlotRanges keep_r;      /* the build slots kept (those read) */
    SlotRanges pkeep_r;     /* the probe slots a spilled probe row keeps */
    int bw, pw;
    size_t budget;
    Value *row;
    HashEntry **buckets; size_t nbuckets, count;
    Arena arena;            /* entries */
    Arena karena;           /* ANTI_NULLS: the key sets' entries */
    Arena probe_arena;      /* the current probe row's keys */
    Value *pk;              /* probe key values */
    HashEntry *chain;
    u64 hash;
    bool have_probe, matched;
    Value *prow;            /* the probe row when row is NULL */
    /* ANTI_NULLS: the correlation keys (all keys but the last) of the
     * build rows (groups), and of those whose last key is NULL (nulls) */
    KeySet groups, nulls;
    /* FULL: the build rows with a NULL key (they match nothing, but come
     * out); after the probe side, every build row no probe row matched
     * comes out with the probe side NULL (drain_b: the bucket, drain_e:
     * the entry next, drain_n: the next NULL-key row) */
    Value **nullrows; size_t nnull, capnull;
    int stage;              /* HJ_* */
    size_t drain_b, drain_n;
    HashEntry *drain_e;
    /* Spilling: once the build rows pass the budget, they go to
     * partitions by their keys' hash (side a of sp's pairs), and so do the
     * probe rows with a key (side b); then each pair is joined in memory
     * in turn, one too large for the budget split again a level down.
     * FULL's NULL-key build rows wait in nullrun. */
    SpillPairs sp;
    SpillReader rd;         /* the pair's probe rows, or nullrun's rows */
    SpillRun nullrun;
    Value *srow;            /* a spilled row: keys, then values */
    bool over;              /* the table passed the budget */
    /* the runtime filter given to the probe side's scan (RtFilter), from
     * the build keys' hashes (rth) gathered as the build side is read */
    RtFilter rtf;
    ScanOp *rtf_scan;       /* the scan it is given to, or NULL: none */
    u64 *rth; size_t nrth, caprth;
    u64 rtf_removed;        /* EXPLAIN ANALYZE, over every loop */
} HashJoinOp;

#define RTF_MAX_KEYS 2000000   /* past this many build rows, no runtime filter */

static u64 keys_hash(const Value *k, int n)
{
    u64 h = 0x243f6a8885a308d3ULL;
    for (int i = 0; i < n; i++) {
        h ^= val_hash(&k[i]);
        h *= 0x100000001b3ULL;
        h ^= h >> 31;
    }
    return h;
}

/* A chained table's buckets, nb of them (a power of two), the entries
 * moved over by their hashes. */
static int buckets_grow(HashEntry ***buckets, size_t *nbuckets, size_t nb)
{
    HashEntry **b = dd_calloc(nb, sizeof(HashEntry *));
    if (!b) return DD_ENOMEM;
    for (size_t i = 0; i < *nbuckets; i++)
        for (HashEntry *e = (*buckets)[i], *nx; e; e = nx) {
            nx = e->next;
            e->next = b[e->hash & (nb - 1)];
            b[e->hash & (nb - 1)] = e;
        }
    dd_free(*buckets);
    *buckets = b;
    *nbuckets = nb;
    return DD_OK;
}

static bool kset_has(SqlCtx *ctx, const KeySet *s, const Value *keys, int n)
{
    if (!s->count) return false;
    u64 hash = keys_hash(keys, n);
    for (HashEntry *e = s->buckets[hash & (s->nbuckets - 1)]; e; e = e->next) {
        if (e->hash != hash) continue;
        bool eq = true;
        for (int i = 0; eq && i < n; i++) eq = val_compare(&keys[i], &e->keys[i], &ctx->vctx) == 0;
        if (eq) return true;
    }
    return false;
}

/* Adds keys[0..n) to s (entries in a), once. */
static int kset_add(SqlCtx *ctx, KeySet *s, Arena *a, const Value *keys, int n)
{
    if (kset_has(ctx, s, keys, n)) return DD_OK;
    int rc;
    if (s->count + 1 > s->nbuckets && (rc = buckets_grow(&s->buckets, &s->nbuckets, s->nbuckets ? s->nbuckets * 2 : 64)))
        return rc;
    HashEntry *e = arena_alloc(a, sizeof(HashEntry));
    Value *kv = arena_alloc(a, sizeof(Value) * (size_t)(n + 1));
    if (!e || !kv) return DD_ENOMEM;
    for (int i = 0; i < n; i++)
        if ((rc = val_copy(a, &keys[i], &kv[i]))) return rc;
    e->keys = kv;
    e->vals = NULL;
    e->hash = keys_hash(keys, n);
    e->next = s->buckets[e->hash & (s->nbuckets - 1)];
    s->buckets[e->hash & (s->nbuckets - 1)] = e;
    s->count++;
    return DD_OK;
}

static void kset_clear(KeySet *s)
{
    dd_free(s->buckets);
    memset(s, 0, sizeof(*s));
}

static int hj_grow(HashJoinOp *h)
{
    size_t nb = h->nbuckets ? h->nbuckets * 2 : 1024;
    /* the first table as large as the build side is expected to be
     * (within the budget): no rehashing as it fills */
    double est = h->op.child2->est_rows;
    while (!h->nbuckets && nb < est && nb * sizeof(HashEntry *) * 8 < h->budget) nb *= 2;
    return buckets_grow(&h->buckets, &h->nbuckets, nb);
}

/* A build row into the table: keys, and the kept slots of row `in` or
 * the packed values `packed`.  Sets h->over past the budget. */
static int hj_entry(HashJoinOp *h, const Value *keys, const Value *in, const Value *packed)
{
    int rc;
    if (h->count + 1 > h->nbuckets && (rc = hj_grow(h))) return rc;
    HashEntry *e = arena_alloc(&h->arena, sizeof(HashEntry));
    Value *kv = arena_alloc(&h->arena, sizeof(Value) * (size_t)(h->nkeys + h->bw + 1));
    if (!e || !kv) return DD_ENOMEM;
    for (int i = 0; i < h->nkeys; i++)
        if ((rc = val_copy(&h->arena, &keys[i], &kv[i]))) return rc;
    e->keys = kv;
    e->vals = kv + h->nkeys;
    e->hit = false;
    if (in) rc = ranges_pack(&h->arena, in, &h->keep_r, e->vals);
    for (int i = 0; !in && !rc && i < h->bw; i++) rc = val_copy(&h->arena, &packed[i], &e->vals[i]);
    if (rc) return rc;
    e->hash = keys_hash(keys, h->nkeys);
    e->next = h->buckets[e->hash & (h->nbuckets - 1)];
    h->buckets[e->hash & (h->nbuckets - 1)] = e;
    h->count++;
    /* (NOT IN's key sets in karena stay whatever spills: not counted) */
    if (h->arena.total + (h->nbuckets + h->capnull) * sizeof(void *) > h->budget) h->over = true;
    return DD_OK;
}

/* keys then the packed values vals[0..n) as a row of side b (probe) or
 * a (build) of the pair of hash. */
static int hj_put(HashJoinOp *h, bool probe, u64 hash, const Value *keys, const Value *vals, int n)
{
    memcpy(h->srow, keys, sizeof(Value) * (size_t)h->nkeys);
    memcpy(h->srow + h->nkeys, vals, sizeof(Value) * (size_t)n);
    return spill_pairs_put(&h->sp, probe, hash, h->srow, h->nkeys + n);
}

/* Starts pairs at level (the file too, the first time). */
static int hj_parts_begin(SqlCtx *ctx, HashJoinOp *h, int level)
{
    int sw = h->nkeys + DD_MAX(DD_MAX(h->bw, h->pw), h->row ? 0 : h->op.child->width) + 1;
    if (!h->srow && !(h->srow = dd_calloc((size_t)sw, sizeof(Value)))) return DD_ENOMEM;
    return spill_pairs_begin(ctx, &h->sp, level);
}

/* The table's entries into the build partitions; the table is empty after. */
static int hj_table_out(HashJoinOp *h)
{
    for (size_t i = 0; i < h->nbuckets; i++)
        for (HashEntry *e = h->buckets[i]; e; e = e->next) {
            int rc = hj_put(h, false, e->hash, e->keys, e->vals, h->bw);
            if (rc) return rc;
        }
    return DD_OK;
}

/* The pairs written: those no row of which could come out are dropped. */
static int hj_parts_end(HashJoinOp *h)
{
    bool outer = h->type == JOIN_LEFT || h->type == JOIN_FULL || h->type == JOIN_ANTI || h->type == JOIN_ANTI_NULLS;
    return spill_pairs_end(&h->sp, h->type == JOIN_FULL, outer);
}

static void hj_table_reset(HashJoinOp *h)
{
    if (h->nbuckets) memset(h->buckets, 0, sizeof(HashEntry *) * h->nbuckets);
    h->count = 0;
    h->nnull = 0;
    h->over = false;
    h->drain_b = h->drain_n = 0;
    h->drain_e = NULL;
    arena_reset(&h->arena);
}

/* The build side passed the budget: what the table holds goes to the
 * partitions, and so will every build row from now on. */
static int hj_spill_start(SqlCtx *ctx, HashJoinOp *h)
{
    int rc = hj_parts_begin(ctx, h, 0);
    if (!rc) rc = hj_table_out(h);
    for (size_t i = 0; !rc && i < h->nnull; i++) rc = spill_put(h->sp.f, &h->nullrun, h->nullrows[i], h->bw);
    hj_table_reset(h);
    return rc;
}

static int hj_insert(SqlCtx *ctx, HashJoinOp *h, const Value *in, const Value *keys)
{
    if (h->type == JOIN_ANTI_NULLS) {
        int nc = h->nkeys - 1;
        for (int i = 0; i < nc; i++) if (keys[i].isnull) return DD_OK;   /* in no row's set */
        int rc = kset_add(ctx, &h->groups, &h->karena, keys, nc);
        if (!rc && keys[nc].isnull) rc = kset_add(ctx, &h->nulls, &h->karena, keys, nc);
        if (rc) return rc;
    }
    bool null_key = false;
    for (int i = 0; i < h->nkeys; i++) null_key |= keys[i].isnull;
    if (null_key && h->type == JOIN_FULL) {
        if (h->sp.parts) {
            Value *packed = h->srow + h->nkeys;
            ranges_gather(packed, in, &h->keep_r);
            return spill_put(h->sp.f, &h->nullrun, packed, h->bw);
        }
        if (h->nnull == h->capnull) {
            size_t ncap = h->capnull ? h->capnull * 2 : 16;
            Value **nr = dd_realloc(h->nullrows, sizeof(Value *) * ncap);
            if (!nr) return DD_ENOMEM;
            h->nullrows = nr;
            h->capnull = ncap;
        }
        Value *packed = arena_alloc(&h->arena, sizeof(Value) * (size_t)(h->bw + 1));
        if (!packed) return DD_ENOMEM;
        h->nullrows[h->nnull++] = packed;
        return ranges_pack(&h->arena, in, &h->keep_r, packed);
    }
    if (null_key) return DD_OK;
    if (h->sp.parts) {
        Value *packed = h->srow + h->nkeys;
        ranges_gather(packed, in, &h->keep_r);
        memcpy(h->srow, keys, sizeof(Value) * (size_t)h->nkeys);
        return spill_pairs_put(&h->sp, false, keys_hash(keys, h->nkeys), h->srow, h->nkeys + h->bw);
    }
    int rc = hj_entry(h, keys, in, NULL);
    if (!rc && h->over) rc = hj_spill_start(ctx, h);
    return rc;
}

static void hj_spill_free(HashJoinOp *h)
{
    spill_read_end(&h->rd);
    spill_run_free(h->sp.f, &h->nullrun);
    spill_pairs_free(&h->sp);
    dd_free(h->srow);
    h->srow = NULL;
}

/* The next pair in memory: its build rows in the table (a pair too large
 * split again), its probe rows to read.  1, 0 when none is left, or
 * -DD_E*. */
static int hj_next_pair(SqlCtx *ctx, HashJoinOp *h)
{
    int rc = DD_OK;
    spill_read_end(&h->rd);
    while (spill_pairs_next(&h->sp)) {
        SpillPair *cur = &h->sp.cur;
        hj_table_reset(h);
        SpillReader rd;
        spill_read_begin(&rd, h->sp.f, &cur->a, true);
        int n = h->nkeys + h->bw;
        bool split = false;
        while ((rc = spill_read_row(&rd, h->srow, n)) > 0) {
            if ((rc = hj_entry(h, h->srow, NULL, h->srow + h->nkeys))) break;
            if ((split = h->over && cur->level < SPILL_MAX_LEVEL)) break;
            if ((rc = sql_check_interrupt(ctx))) break;
        }
        rc = rc < 0 ? -rc : rc;
        if (!rc && split) {
            /* too large: the pair splits on the next hash bits */
            size_t before = h->sp.npend;
            u64 arows = cur->a.rows;
            rc = hj_parts_begin(ctx, h, cur->level);
            if (!rc) rc = hj_table_out(h);
            while (!rc && (rc = spill_read_row(&rd, h->srow, n)) > 0)
                rc = spill_pairs_put(&h->sp, false, keys_hash(h->srow, h->nkeys), h->srow, n);
            rc = rc < 0 ? -rc : rc;
            spill_read_end(&rd);
            SpillReader prd;
            int pn = h->nkeys + (h->row ? h->pw : h->op.child->width);
            spill_read_begin(&prd, h->sp.f, &cur->b, true);
            while (!rc && (rc = spill_read_row(&prd, h->srow, pn)) > 0)
                rc = spill_pairs_put(&h->sp, true, keys_hash(h->srow, h->nkeys), h->srow, pn);
            rc = rc < 0 ? -rc : rc;
            spill_read_end(&prd);
            hj_table_reset(h);
            int rc2 = hj_parts_end(h);
            if (rc || (rc = rc2)) return -rc;
            /* every build row went to one pair: their keys are equal (the
             * hash cannot part them), so it is joined whole next time */
            size_t with_a = 0, last = 0;
            for (size_t i = before; i < h->sp.npend; i++)
                if (h->sp.pend[i].a.rows) { with_a++; last = i; }
            if (with_a == 1 && h->sp.pend[last].a.rows == arows) h->sp.pend[last].level = SPILL_MAX_LEVEL;
            continue;
        }
        spill_read_end(&rd);
        spill_run_free(h->sp.f, &cur->a);
        if (rc) return -rc;
        spill_read_begin(&h->rd, h->sp.f, &cur->b, true);
        return 1;
    }
    return 0;
}

/* The stage after the probe rows of the table held (the input's, or a
 * pair's) ran out: FULL's unmatched build rows, the next pair, FULL's
 * spilled NULL-key build rows, or the end. */
static int hj_after_probe(SqlCtx *ctx, HashJoinOp *h, bool drained)
{
    if (h->type == JOIN_FULL && !drained) {
        h->stage = HJ_DRAIN;
        h->drain_b = h->drain_n = 0;
        h->drain_e = NULL;
        return DD_OK;
    }
    if (!h->sp.f) {
        h->stage = HJ_DONE;
        return DD_OK;
    }
    if (h->sp.parts) {   /* the probe input ended: its partitions are written */
        int rc = hj_parts_end(h);
        if (rc) return rc;
    }
    int rc = hj_next_pair(ctx, h);
    if (rc < 0) return -rc;
    if (rc > 0) {
        h->stage = HJ_PAIR;
        return DD_OK;
    }
    if (h->type == JOIN_FULL && h->nullrun.rows) {
        if ((rc = spill_end(h->sp.f, &h->nullrun))) return rc;
        spill_read_end(&h->rd);
        spill_read_begin(&h->rd, h->sp.f, &h->nullrun, true);
        h->stage = HJ_NULLS;
        return DD_OK;
    }
    h->stage = HJ_DONE;
    return DD_OK;
}

/* Whether the probe keys are columns of a scan (through filters, and
 * through the probe sides of inner and semi hash joins below, whose rows
 * carry that scan's values: a scan row whose keys cannot match here
 * could only make rows that this join drops) that a runtime filter can
 * sit on, for an inner or semi join.  Sets h->rtf_scan and the columns. */
static void hj_rtf_plan(SqlCtx *ctx, HashJoinOp *h)
{
    h->rtf_scan = NULL;
    if ((h->type != JOIN_INNER && h->type != JOIN_SEMI) || h->nkeys > 4 || !sql_enabled(ctx, "drift.batch")) return;
    int lo = INT32_MAX, hi = -1;   /* the canonical slots the keys read */
    for (int i = 0; i < h->nkeys; i++) {
        const ExprProg *p = h->pkeys[i];
        if (p->n != 1 || p->code[0].op != XOP_SLOT) return;
        lo = DD_MIN(lo, p->code[0].a);
        hi = DD_MAX(hi, p->code[0].a);
    }
    Op *o = h->op.child;
    int base = 0;
    for (;;) {
        if (o->vt == &filter_vt) {
            o = o->child;
        } else if (h->row && o->vt == &hashjoin_vt && ((HashJoinOp *)o)->row &&
                   (((HashJoinOp *)o)->type == JOIN_INNER || ((HashJoinOp *)o)->type == JOIN_SEMI)) {
            o = o->child;
        } else if (h->row && o->vt == &place_vt) {
            base = ((PlaceOp *)o)->base;
            if (lo < base || hi >= base + o->child->width) return;   /* another relation's */
            o = o->child;
            break;
        } else {
            if (h->row) return;   /* rows no scan alone makes */
            break;
        }
    }
    while (o && o->vt == &filter_vt) o = o->child;
    if (!o || o->vt != &scan_vt) return;
    ScanOp *sc = (ScanOp *)o;
    if (sc->nrtf == (int)DD_ARRAY_LEN(sc->rtf)) return;
    memset(&h->rtf, 0, sizeof h->rtf);
    h->rtf.nkeys = h->nkeys;
    for (int i = 0; i < h->nkeys; i++) {
        const ExprProg *p = h->pkeys[i];
        if (p->n != 1 || p->code[0].op != XOP_SLOT) return;
        int col = p->code[0].a - base;
        if (col < 0 || col >= sc->t->ncols) return;
        h->rtf.col[i] = col;
    }
    h->rtf_scan = sc;
}

/* The build side's keys all read: the filter made and given to the scan
 * (none when there were too many keys to gather). */
static int hj_rtf_build(HashJoinOp *h)
{
    if (!h->rtf_scan) return DD_OK;
    size_t nbits = 64;
    while (nbits < h->nrth * 16) nbits *= 2;
    h->rtf.bits = dd_calloc(nbits / 64, sizeof(u64));
    if (!h->rtf.bits) return DD_ENOMEM;
    h->rtf.mask = nbits - 1;
    for (size_t i = 0; i < h->nrth; i++) {
        u64 a = h->rth[i] & h->rtf.mask, b = (h->rth[i] >> 32) & h->rtf.mask;
        h->rtf.bits[a >> 6] |= 1ull << (a & 63);
        h->rtf.bits[b >> 6] |= 1ull << (b & 63);
    }
    dd_free(h->rth);
    h->rth = NULL;
    h->nrth = h->caprth = 0;
    h->rtf_scan->rtf[h->rtf_scan->nrtf++] = &h->rtf;
    return DD_OK;
}

static void hj_rtf_free(HashJoinOp *h)
{
    ScanOp *sc = h->rtf_scan;
    for (int k = 0; sc && k < sc->nrtf; k++)
        if (sc->rtf[k] == &h->rtf) {
            sc->rtf[k] = sc->rtf[--sc->nrtf];
            break;
        }
    h->rtf_scan = NULL;
    h->rtf_removed += h->rtf.removed;
    dd_free(h->rtf.bits);
    dd_free(h->rth);
    memset(&h->rtf, 0, sizeof h->rtf);
    h->rth = NULL;
    h->nrth = h->caprth = 0;
}

/* A build row's keys (none NULL) for the runtime filter. */
static int hj_rtf_add(HashJoinOp *h, const Value *keys)
{
    if (h->nrth == h->caprth) {
        if (h->caprth >= RTF_MAX_KEYS) {
            hj_rtf_free(h);   /* too many to pay */
            return DD_OK;
        }
        size_t ncap = h->caprth ? h->caprth * 2 : 1024;
        u64 *n = dd_realloc(h->rth, ncap * sizeof(u64));
        if (!n) return DD_ENOMEM;
        h->rth = n;
        h->caprth = ncap;
    }
    h->rth[h->nrth++] = keys_hash(keys, h->nkeys);
    return DD_OK;
}

static int hj_open(SqlCtx *ctx, Op *op)
{
    HashJoinOp *h = (HashJoinOp *)op;
    hj_spill_free(h);
    hj_rtf_free(h);
    hj_rtf_plan(ctx, h);
    int nrc = ranges_narrow(ctx, &h->build_r, &h->keep_r);
    if (!nrc) nrc = ranges_narrow(ctx, &h->probe_r, &h->pkeep_r);
    if (nrc) return nrc;
    h->bw = ranges_width(&h->keep_r);
    h->pw = ranges_width(&h->pkeep_r);
    h->have_probe = false;
    h->stage = HJ_PROBE;
    hj_table_reset(h);
    kset_clear(&h->groups);
    kset_clear(&h->nulls);
    arena_reset(&h->karena);
    Value *keys = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)h->nkeys);
    if (!keys) return DD_ENOMEM;
    int rc = op_open(ctx, op->child2);
    while (!rc) {
        ArenaMark m = arena_mark(ctx->row);
        Value *in;
        rc = op_next(ctx, op->child2, &in);
        if (rc <= 0) { rc = -rc; break; }
        rc = DD_OK;
        bool null_key = false;
        for (int i = 0; !rc && i < h->nkeys; i++) {
            rc = expr_eval(h->bkeys[i], &op->env, in, &keys[i]);
            null_key |= keys[i].isnull;
        }
        if (!rc && h->rtf_scan && !null_key) rc = hj_rtf_add(h, keys);
        if (!rc) rc = hj_insert(ctx, h, in, keys);
        arena_rewind(ctx->row, m);
        if (!rc) rc = sql_check_interrupt(ctx);
    }
    op_close(ctx, op->child2);
    /* the build side's slots of the shared row point into what its close
     * freed: NULL until an entry is unpacked there (the slots no one reads
     * stay so; an operator above that copies every slot reads them) */
    ranges_null(h->row, &h->build_r);
    if (!rc) rc = hj_rtf_build(h);
    if (rc) return rc;
    if (h->sp.parts) {
        /* spilled: the probe rows will be partitioned as the build rows were */
        for (int i = 0; i < SPILL_PARTS && !rc; i++) rc = spill_end(h->sp.f, &h->sp.parts[i].a);
        if (rc) return rc;
    }
    return op_open(ctx, op->child);
}

/* FULL: the build rows no probe row matched, the probe side NULL. */
static int hj_drain(HashJoinOp *h, Value **row)
{
    for (;;) {
        HashEntry *e = h->drain_e;
        if (e) {
            h->drain_e = e->next;
            if (e->hit) continue;
            ranges_null(h->row, &h->probe_r);
            ranges_unpack(h->row, e->vals, &h->keep_r);
            *row = h->row;
            return 1;
        }
        if (h->drain_b < h->nbuckets) {
            h->drain_e = h->buckets[h->drain_b++];
            continue;
        }
        if (h->drain_n < h->nnull) {
            ranges_null(h->row, &h->probe_r);
            ranges_unpack(h->row, h->nullrows[h->drain_n++], &h->keep_r);
            *row = h->row;
            return 1;
        }
        return 0;
    }
}

/* The next probe row of the pair being joined: its keys in h->pk, its
 * slots in place.  1, 0 at the pair's end, or -DD_E*. */
static int hj_pair_probe(HashJoinOp *h)
{
    int pn = h->nkeys + (h->row ? h->pw : h->op.child->width);
    int rc = spill_read_row(&h->rd, h->srow, pn);
    if (rc <= 0) return rc;
    memcpy(h->pk, h->srow, sizeof(Value) * (size_t)h->nkeys);
    if (h->row) ranges_unpack(h->row, h->srow + h->nkeys, &h->pkeep_r);
    else h->prow = h->srow + h->nkeys;
    return 1;
}

static int hj_next(SqlCtx *ctx, Op *op, Value **row)
{
    HashJoinOp *h = (HashJoinOp *)op;
    for (;;) {
        int rc;
        if (ctx->interrupt && *ctx->interrupt) return -sql_check_interrupt(ctx);
        if (h->stage == HJ_DONE) return 0;
        if (h->stage == HJ_DRAIN) {
            if ((rc = hj_drain(h, row))) return rc;
            if ((rc = hj_after_probe(ctx, h, true))) return neg(rc);
            continue;
        }
        if (h->stage == HJ_NULLS) {
            rc = spill_read_row(&h->rd, h->srow, h->bw);
            if (rc < 0) return rc;
            if (rc == 0) { h->stage = HJ_DONE; return 0; }
            ranges_null(h->row, &h->probe_r);
            ranges_unpack(h->row, h->srow, &h->keep_r);
            *row = h->row;
            return 1;
        }
        if (!h->have_probe && h->stage == HJ_PAIR) {
            rc = hj_pair_probe(h);
            if (rc < 0) return rc;
            if (rc == 0) {
                if ((rc = hj_after_probe(ctx, h, false))) return neg(rc);
                continue;
            }
            h->have_probe = true;
            h->matched = false;
            h->hash = keys_hash(h->pk, h->nkeys);
            h->chain = h->nbuckets ? h->buckets[h->hash & (h->nbuckets - 1)] : NULL;
        } else if (!h->have_probe) {
            Value *p;
            rc = op_next(ctx, op->child, &p);
            if (rc < 0) return rc;
            if (rc == 0) {
                if ((rc = hj_after_probe(ctx, h, false))) return neg(rc);
                continue;
            }
            arena_reset(&h->probe_arena);
            bool null_key = false;
            for (int i = 0; i < h->nkeys; i++) {
                Value k;
                rc = expr_eval(h->pkeys[i], &op->env, p, &k);
                if (!rc) rc = val_copy(&h->probe_arena, &k, &h->pk[i]);
                if (rc) return neg(rc);
                null_key |= k.isnull;
            }
            if (!h->row) h->prow = p;   /* semi / anti over one relation's own rows */
            else if (p != h->row) ranges_copy(h->row, p, &h->probe_r);
            h->have_probe = true;
            h->matched = false;
            h->chain = NULL;
            if (h->type == JOIN_ANTI_NULLS) {
                /* NOT IN: true for an empty set; else unknown (out) when
                 * the value or a member is NULL; else a member equal to it */
                int nc = h->nkeys - 1;
                bool corr_null = false;
                for (int i = 0; i < nc; i++) corr_null |= h->pk[i].isnull;
                if (corr_null || !kset_has(ctx, &h->groups, h->pk, nc)) {
                    h->have_probe = false;
                    *row = h->row ? h->row : h->prow;
                    if (h->row) ranges_null(h->row, &h->build_r);
                    return 1;
                }
                if (h->pk[nc].isnull || kset_has(ctx, &h->nulls, h->pk, nc)) {
                    h->have_probe = false;
                    continue;
                }
            }
            if (!null_key && h->sp.parts) {
                /* spilled: the row waits in its partition for its build rows */
                const Value *vals = h->prow;
                if (h->row) {
                    ranges_gather(h->srow + h->nkeys, h->row, &h->pkeep_r);
                    vals = h->srow + h->nkeys;
                }
                int pn = h->row ? h->pw : op->child->width;
                if ((rc = hj_put(h, true, keys_hash(h->pk, h->nkeys), h->pk, vals, pn))) return neg(rc);
                h->have_probe = false;
                continue;
            }
            if (!null_key && h->nbuckets) {
                h->hash = keys_hash(h->pk, h->nkeys);
                h->chain = h->buckets[h->hash & (h->nbuckets - 1)];
            }
        }
        HashEntry *e = h->chain;
        if (!e) {
            h->have_probe = false;
            if ((h->type == JOIN_LEFT || h->type == JOIN_FULL || h->type == JOIN_ANTI || h->type == JOIN_ANTI_NULLS) &&
                !h->matched) {
                if (!h->row) { *row = h->prow; return 1; }
                ranges_null(h->row, &h->build_r);
                *row = h->row;
                return 1;
            }
            continue;
        }
        h->chain = e->next;
        if (e->hash != h->hash) continue;
        bool eq = true;
        for (int i = 0; eq && i < h->nkeys; i++) eq = val_compare(&h->pk[i], &e->keys[i], &ctx->vctx) == 0;
        if (!eq) continue;
        ranges_unpack(h->row, e->vals, &h->keep_r);
        if (h->residual) {
            bool ok;
            rc = expr_eval_bool(h->residual, &op->env, h->row, &ok);
            if (rc) return neg(rc);
            if (!ok) continue;
        }
        h->matched = true;
        e->hit = true;
        if (h->type == JOIN_ANTI || h->type == JOIN_ANTI_NULLS) {   /* a match: this probe row is out */
            h->chain = NULL;
            h->have_probe = false;
            continue;
        }
        if (h->type == JOIN_SEMI) h->have_probe = false;   /* once per probe row */
        *row = h->row ? h->row : h->prow;
        return 1;
    }
}

static void hj_close(SqlCtx *ctx, Op *op)
{
    HashJoinOp *h = (HashJoinOp *)op;
    op_close(ctx, op->child);
    hj_spill_free(h);
    hj_rtf_free(h);
    arena_free(&h->arena);
    arena_free(&h->karena);
    arena_free(&h->probe_arena);
    kset_clear(&h->groups);
    kset_clear(&h->nulls);
    dd_free(h->buckets);
    dd_free(h->nullrows);
    h->nullrows = NULL;
    h->nnull = h->capnull = 0;
    h->buckets = NULL;
    h->nbuckets = h->count = 0;
}

static void hj_explain(Op *op, Buf *out)
{
    HashJoinOp *h = (HashJoinOp *)op;
    buf_puts(out, h->type == JOIN_LEFT ? "Hash Left Join" : h->type == JOIN_FULL ? "Hash Full Join"
                : h->type == JOIN_SEMI ? "Hash Semi Join"
                : h->type == JOIN_ANTI ? "Hash Anti Join" : h->type == JOIN_ANTI_NULLS ? "Hash Anti Join (NOT IN)"
                : "Hash Join");
}

static void hj_analyze(Op *op, Buf *out)
{
    HashJoinOp *h = (HashJoinOp *)op;
    u64 disk = DD_MAX(h->sp.peak, spill_peak(h->sp.f)), removed = h->rtf_removed + h->rtf.removed;
    if (disk)
        buf_printf(out, "Batches: %llu  Disk Usage: %llukB", (unsigned long long)h->sp.taken + 1,
                   (unsigned long long)((disk + 1023) / 1024));
    if (removed) buf_printf(out, "%sRows Removed by Runtime Filter: %llu", disk ? "  " : "", (unsigned long long)removed);
}

static const OpVtbl hashjoin_vt = {"", hj_open, hj_next, hj_close, hj_explain, hj_analyze};

Op *op_hashjoin(SqlCtx *ctx, Op *probe, Op *build, int nkeys, ExprProg **probe_keys,
                ExprProg **build_keys, ExprProg *residual, JoinType type,
                const SlotRanges *probe_r, const SlotRanges *build_r, Value *row, int width)
{
    HashJoinOp *h = op_alloc(ctx, sizeof(*h), &hashjoin_vt, width);
    if (!h) return NULL;
    h->op.child = probe;
    h->op.child2 = build;
    h->nkeys = nkeys;
    h->pkeys = probe_keys;
    h->bkeys = build_keys;
    h->residual = residual;
    h->type = type;
    h->probe_r = *probe_r;
    h->build_r = *build_r;
    h->bw = ranges_width(build_r);
    h->budget = sql_work_mem(ctx);
    h->row = row;
    h->pk = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)nkeys);
    arena_init(&h->arena, op_block(ctx, 256 * 1024));
    arena_init(&h->karena, op_block(ctx, 64 * 1024));
    arena_init(&h->probe_arena, 1024);
    return h->pk ? &h->op : NULL;
}

/* ================================================================ merge join */

/*
 * Inner merge join of two inputs that arrive in the order of their keys
 * (ascending, by val_compare) and are unique on them (a table's whole
 * primary key, in the present or AS OF a point): the smaller side steps
 * until the keys meet; an equal pair is checked against the residual and
 * both sides step.  No row is held across an output row (both sides step
 * after each), so values in the row arena stay valid.  A NULL key (never
 * in a primary key) matches nothing.
 */
typedef struct MergeJoinOp {
    Op op;
    int nkeys;
    ExprProg **lkeys, **rkeys;
    ExprProg *residual;
    SlotRanges lr, rr;
    Value *row;
    Value *lk, *rk;
    bool need_l, need_r, done;
} MergeJoinOp;

static int mj_open(SqlCtx *ctx, Op *op)
{
    MergeJoinOp *m = (MergeJoinOp *)op;
    m->need_l = m->need_r = true;
    m->done = false;
    int rc = op_open(ctx, op->child);
    if (!rc) rc = op_open(ctx, op->child2);
    return rc;
}

/* Steps one side: its row into the canonical row, its keys into k;
 * 0 at its end. */
static int mj_step(SqlCtx *ctx, MergeJoinOp *m, Op *side, const SlotRanges *r, ExprProg **keys, Value *k)
{
    Value *in;
    int rc = op_next(ctx, side, &in);
    if (rc <= 0) return rc;
    if (in != m->row) ranges_copy(m->row, in, r);
    for (int i = 0; i < m->nkeys; i++) {
        if ((rc = expr_eval(keys[i], &m->op.env, m->row, &k[i]))) return neg(rc);
    }
    return 1;
}

static int mj_next(SqlCtx *ctx, Op *op, Value **row)
{
    MergeJoinOp *m = (MergeJoinOp *)op;
    for (;;) {
        int rc;
        if (m->done) return 0;
        if (ctx->interrupt && *ctx->interrupt) return -sql_check_interrupt(ctx);
        if (m->need_l) {
            rc = mj_step(ctx, m, op->child, &m->lr, m->lkeys, m->lk);
            if (rc <= 0) { m->done = true; return rc; }
            m->need_l = false;
        }
        if (m->need_r) {
            rc = mj_step(ctx, m, op->child2, &m->rr, m->rkeys, m->rk);
            if (rc <= 0) { m->done = true; return rc; }
            m->need_r = false;
        }
        int c = 0;
        bool null = false;
        for (int i = 0; i < m->nkeys && !c; i++) {
            if (m->lk[i].isnull || m->rk[i].isnull) { null = true; break; }
            c = val_compare(&m->lk[i], &m->rk[i], &ctx->vctx);
        }
        if (null) { m->need_l = m->need_r = true; continue; }
        if (c < 0) { m->need_l = true; continue; }
        if (c > 0) { m->need_r = true; continue; }
        m->need_l = m->need_r = true;
        if (m->residual) {
            bool ok;
            if ((rc = expr_eval_bool(m->residual, &op->env, m->row, &ok))) return neg(rc);
            if (!ok) continue;
        }
        *row = m->row;
        return 1;
    }
}

static void mj_close(SqlCtx *ctx, Op *op)
{
    op_close(ctx, op->child);
    op_close(ctx, op->child2);
}

static const OpVtbl mergejoin_vt = {"Merge Join", mj_open, mj_next, mj_close, NULL, NULL};

Op *op_mergejoin(SqlCtx *ctx, Op *left, Op *right, int nkeys, ExprProg **lkeys, ExprProg **rkeys,
                 ExprProg *residual, const SlotRanges *lr, const SlotRanges *rr, Value *row, int width)
{
    MergeJoinOp *m = op_alloc(ctx, sizeof(*m), &mergejoin_vt, width);
    if (!m) return NULL;
    m->op.child = left;
    m->op.child2 = right;
    m->nkeys = nkeys;
    m->lkeys = lkeys;
    m->rkeys = rkeys;
    m->residual = residual;
    m->lr = *lr;
    m->rr = *rr;
    m->row = row;
    m->lk = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)nkeys);
    m->rk = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)nkeys);
    return m->lk && m->rk ? &m->op : NULL;
}

/* ================================================================ set operations */

/*
 * INTERSECT and EXCEPT [ALL] keep one hash set of rows, each with a count
 * (the right input's copies not yet matched) and a flag (EXCEPT: the row
 * came out already).  The right input fills the counts, then each left row
 * is judged against its entry: INTERSECT comes out while the count lasts
 * (ALL: one copy per count, else once), EXCEPT while it does not (ALL:
 * each right copy holds back one left copy; else once, the flag set).
 *
 * Past the budget (spill.h's pairs): the entries held go to side a of
 * partitions by their hash, with their counts and flags, and so does the
 * rest of the right input (count 1 each); every left row still to judge
 * goes to side b.  Then each pair runs as above in memory, side a's
 * entries merged into the set, side b's rows judged in their order; a pair
 * that fills the budget again splits the same way one level down.
 */
typedef struct SetOp {
    Op op;
    int kind, ncols;    /* kind 2 INTERSECT, 3 EXCEPT */
    bool all;
    bool right_built;
    RowSet set;         /* rows; slot ncols their count, ncols + 1 their flag */
    Arena arena;
    SpillPairs sp;      /* spilling: parts being written, or the pair being judged */
    SpillReader rd;     /* the pair's side b */
    bool reading;       /* left rows come from rd, not the left input */
    Value *srow;        /* a spilled row */
} SetOp;

static void setop_spill_free(SetOp *s)
{
    spill_read_end(&s->rd);
    spill_pairs_free(&s->sp);
    dd_free(s->srow);
    s->srow = NULL;
    s->reading = false;
}

static void setop_reset_set(SetOp *s)
{
    rowset_free(&s->set);
    s->set.n = s->ncols;
    arena_reset(&s->arena);
}

static int setop_open(SqlCtx *ctx, Op *op)
{
    SetOp *s = (SetOp *)op;
    setop_spill_free(s);
    setop_reset_set(s);
    s->right_built = false;
    int rc = op_open(ctx, op->child);
    if (!rc) rc = op_open(ctx, op->child2);
    return rc;
}

/* The entries held go to side a of new pairs at level (the file made on
 * first use); the set is empty after.  From now on rows go to the pairs. */
static int setop_spill(SqlCtx *ctx, SetOp *s, int level)
{
    int rc = spill_pairs_begin(ctx, &s->sp, level);
    if (!rc && !s->srow && !(s->srow = dd_calloc((size_t)s->ncols + 2, sizeof(Value)))) rc = DD_ENOMEM;
    for (size_t i = 0; !rc && i < s->set.cap; i++)
        if (s->set.slots[i].row)
            rc = spill_pairs_put(&s->sp, false, s->set.slots[i].hash, s->set.slots[i].row, s->ncols + 2);
    setop_reset_set(s);
    return rc;
}

/* Row r with count n and flag: into the set (merged with its entry), or
 * to side a when spilling.  *e gets the entry (NULL when spilled). */
static int setop_put(SqlCtx *ctx, SetOp *s, const Value *r, i64 n, bool flag, Value **e)
{
    *e = NULL;
    if (s->sp.parts) {
        memcpy(s->srow, r, sizeof(Value) * (size_t)s->ncols);
        s->srow[s->ncols] = val_int(TYPE_INT8, n);
        s->srow[s->ncols + 1] = val_bool(flag);
        return spill_pairs_put(&s->sp, false, row_hash(r, s->ncols), s->srow, s->ncols + 2);
    }
    Value *f;
    rowset_find(ctx, &s->set, r, &f);
    if (f) {
        f[s->ncols].v.i += n;
        f[s->ncols + 1].v.b |= flag;
        *e = f;
        return DD_OK;
    }
    Value *c = arena_alloc(&s->arena, sizeof(Value) * (size_t)(s->ncols + 2));
    if (!c) return DD_ENOMEM;
    int rc = DD_OK;
    for (int i = 0; !rc && i < s->ncols; i++) rc = val_copy(&s->arena, &r[i], &c[i]);
    c[s->ncols] = val_int(TYPE_INT8, n);
    c[s->ncols + 1] = val_bool(flag);
    if (!rc) rc = rowset_add(&s->set, c);
    *e = c;
    return rc;
}

/* Whether the set passed the budget (and may still split). */
static bool setop_full(SqlCtx *ctx, SetOp *s)
{
    int level = s->reading ? s->sp.cur.level : 0;
    return level < SPILL_MAX_LEVEL && s->arena.total + rowset_bytes(&s->set) > sql_work_mem(ctx);
}

static int setop_build_right(SqlCtx *ctx, SetOp *s)
{
    for (;;) {
        ArenaMark m = arena_mark(ctx->row);
        Value *r, *e;
        int rc = op_next(ctx, s->op.child2, &r);
        if (rc < 0) return -rc;
        if (rc == 0) return DD_OK;
        if ((rc = setop_put(ctx, s, r, 1, false, &e))) return rc;
        arena_rewind(ctx->row, m);
        if (!s->sp.parts && setop_full(ctx, s) && (rc = setop_spill(ctx, s, 0))) return rc;
    }
}

/* The next pair to judge: side a merged into the set (a pair too large
 * split again), side b to read.  1, 0 when none is left, or -DD_E*. */
static int setop_next_pair(SqlCtx *ctx, SetOp *s)
{
    spill_read_end(&s->rd);
    while (spill_pairs_next(&s->sp)) {
        SpillPair *cur = &s->sp.cur;
        setop_reset_set(s);
        SpillReader rd;
        spill_read_begin(&rd, s->sp.f, &cur->a, true);
        int rc;
        Value *e;
        s->reading = true;
        while ((rc = spill_read_row(&rd, s->srow, s->ncols + 2)) > 0) {
            Value *row = s->srow;
            if (s->sp.parts) {   /* splitting: straight to the new pairs */
                if ((rc = spill_pairs_put(&s->sp, false, row_hash(row, s->ncols), row, s->ncols + 2))) break;
                continue;
            }
            if ((rc = setop_put(ctx, s, row, row[s->ncols].v.i, row[s->ncols + 1].v.b, &e))) break;
            if (setop_full(ctx, s) && (rc = setop_spill(ctx, s, cur->level))) break;
            if ((rc = sql_check_interrupt(ctx))) break;
        }
        spill_read_end(&rd);
        spill_run_free(s->sp.f, &cur->a);
        if (rc < 0) rc = -rc;
        if (rc) return -rc;
        /* side b: judged, or (split) written to the new pairs as it is read */
        spill_read_begin(&s->rd, s->sp.f, &cur->b, true);
        return 1;
    }
    s->reading = false;
    return 0;
}

/* The next left row to judge: the left input's, or the pair's; rows that
 * arrive while spilling go to side b.  1, 0 at the end, or -DD_E*. */
static int setop_left(SqlCtx *ctx, SetOp *s, Value **r)
{
    for (;;) {
        int rc = s->reading ? spill_read_row(&s->rd, s->srow, s->ncols) : op_next(ctx, s->op.child, r);
        if (rc < 0) return rc;
        if (rc > 0 && s->reading) *r = s->srow;
        if (rc > 0 && !s->sp.parts) return 1;
        if (rc > 0) {
            if ((rc = spill_pairs_put(&s->sp, true, row_hash(*r, s->ncols), *r, s->ncols))) return -rc;
            continue;
        }
        /* this input ended: pairs written wait, the next is judged */
        if (!s->sp.f) return 0;
        if (s->sp.parts && (rc = spill_pairs_end(&s->sp, false, s->kind == 3))) return -rc;
        if ((rc = setop_next_pair(ctx, s)) <= 0) return rc;
    }
}

static int setop_next(SqlCtx *ctx, Op *op, Value **row)
{
    SetOp *s = (SetOp *)op;
    int rc;
    if (!s->right_built) {
        rc = setop_build_right(ctx, s);
        s->right_built = true;
        if (rc) return neg(rc);
    }
    for (;;) {
        ArenaMark m = arena_mark(ctx->row);
        Value *r, *f;
        if ((rc = setop_left(ctx, s, &r)) <= 0) return rc;
        rowset_find(ctx, &s->set, r, &f);
        i64 *cnt = f ? &f[s->ncols].v.i : NULL;
        bool emit;
        if (s->kind == 2) {             /* INTERSECT: rows also on the right */
            emit = cnt && *cnt > 0;
            if (emit) *cnt = s->all ? *cnt - 1 : 0;
        } else if (cnt && *cnt > 0) {   /* EXCEPT: a right copy holds it back */
            emit = false;
            if (s->all) (*cnt)--;
        } else if (s->all) {
            emit = true;
        } else {                        /* EXCEPT: once, flagged */
            emit = !f || !f[s->ncols + 1].v.b;
            if (f) f[s->ncols + 1].v.b = true;
            else if ((rc = setop_put(ctx, s, r, 0, true, &f))) return neg(rc);
            if (!s->sp.parts && setop_full(ctx, s) &&
                (rc = setop_spill(ctx, s, s->reading ? s->sp.cur.level : 0)))
                return neg(rc);
        }
        if (emit) { *row = r; return 1; }
        arena_rewind(ctx->row, m);
    }
}

static void setop_close(SqlCtx *ctx, Op *op)
{
    SetOp *s = (SetOp *)op;
    op_close(ctx, op->child);
    op_close(ctx, op->child2);
    setop_spill_free(s);
    rowset_free(&s->set);
    arena_free(&s->arena);
}

static void setop_explain(Op *op, Buf *out)
{
    SetOp *s = (SetOp *)op;
    buf_printf(out, "%s%s", s->kind == 2 ? " INTERSECT" : " EXCEPT", s->all ? " ALL" : "");
}

static void setop_analyze(Op *op, Buf *out)
{
    SetOp *s = (SetOp *)op;
    u64 disk = DD_MAX(s->sp.peak, spill_peak(s->sp.f));
    if (disk)
        buf_printf(out, "Batches: %llu  Disk Usage: %llukB", (unsigned long long)s->sp.taken + 1,
                   (unsigned long long)((disk + 1023) / 1024));
}

static const OpVtbl setop_vt = {"SetOp", setop_open, setop_next, setop_close, setop_explain, setop_analyze};

Op *op_setop(SqlCtx *ctx, Op *left, Op *right, int kind, bool all, int ncols)
{
    SetOp *s = op_alloc(ctx, sizeof(*s), &setop_vt, ncols);
    if (!s) return NULL;
    s->op.child = left;
    s->op.child2 = right;
    s->kind = kind;
    s->all = all;
    s->ncols = ncols;
    s->set.n = ncols;
    arena_init(&s->arena, op_block(ctx, 64 * 1024));
    return &s->op;
}


/* ================================================================ window */

/*
 * Window functions: every input row is kept (width base, plus one slot per
 * call), each call sorts the rows by its PARTITION BY and ORDER BY, walks
 * the partitions and writes its value into the row's slot base + k.  The
 * rows come out in the order of the last call's sort.  Frames: the default
 * (the partition up to the current row's last peer with ORDER BY, all of
 * it without), ROWS with offsets, RANGE from/to UNBOUNDED or CURRENT ROW.
 * Aggregates whose frame starts at the partition accumulate as the frame
 * grows; other frames are summed again per row.
 */
typedef struct WindowOp {
    Op op;
    int base, nwin;
    WinCall **wins;
    Arena arena;            /* the rows, their keys, the results */
    Value **rows; size_t nrows, caprows;
    size_t *order;          /* output order */
    size_t pos;
    bool built;
    AggOp agg;              /* context of agg_step / agg_final: its arena and env */
    /* the call being computed: its sort keys, for the comparator */
    Value **keys; WinCall *cur;
} WindowOp;

static int win_cmp_vals(SqlCtx *ctx, const Value *a, const Value *b, bool desc, bool nulls_first)
{
    if (a->isnull || b->isnull) {
        if (a->isnull && b->isnull) return 0;
        return a->isnull ? (nulls_first ? -1 : 1) : (nulls_first ? 1 : -1);
    }
    int c = val_compare(a, b, &ctx->vctx);
    return desc ? -c : c;
}

/* qsort's comparator context: one sort at a time per thread */
static __thread WindowOp *win_sort_op;

static int win_sort_cmp(const void *pa, const void *pb)
{
    WindowOp *w = win_sort_op;
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    const Value *ka = w->keys[a], *kb = w->keys[b];
    WinCall *wc = w->cur;
    for (int i = 0; i < wc->npart; i++) {
        int c = win_cmp_vals(w->op.env.sql, &ka[i], &kb[i], false, false);
        if (c) return c;
    }
    for (int i = 0; i < wc->nord; i++) {
        int c = win_cmp_vals(w->op.env.sql, &ka[wc->npart + i], &kb[wc->npart + i], wc->ord_desc[i],
                             wc->ord_nulls_first[i]);
        if (c) return c;
    }
    return a < b ? -1 : a > b;   /* stable */
}

static bool win_same(SqlCtx *ctx, const Value *a, const Value *b, int from, int n)
{
    for (int i = from; i < from + n; i++)
        if (win_cmp_vals(ctx, &a[i], &b[i], false, false) != 0) return false;
    return true;
}

/* Evaluates p over row into out, its payload in the window's arena. */
static int win_eval(SqlCtx *ctx, WindowOp *w, ExprProg *p, const Value *row, Value *out)
{
    ArenaMark m = arena_mark(ctx->row);
    Value v;
    int rc = expr_eval(p, &w->op.env, row, &v);
    if (!rc) rc = val_copy(&w->arena, &v, out);
    arena_rewind(ctx->row, m);
    return rc;
}

/* RANGE x PRECEDING / FOLLOWING: the first row of [lo, hi) (sorted on
 * one non-NULL key) past the rows before the bound key +- x: for a frame
 * start the first row not before it, for a frame end the first row
 * after it.  A bound that overflows its type is past every row. */
static int win_range_bound(SqlCtx *ctx, WindowOp *w, const WinCall *wc, const size_t *idx, size_t lo, size_t hi,
                           const Value *cur, const Value *off, bool preceding, bool end, size_t *out)
{
    bool desc = wc->ord_desc[0];
    /* preceding in an ascending order: key - x */
    bool sub = preceding != desc;
    Value b;
    ValueCtx vc = ctx->vctx;
    vc.arena = ctx->row;
    int rc = val_arith(sub ? ARITH_SUB : ARITH_ADD, cur, off, &vc, &b, ctx->err);
    if (rc == DD_EOUT_OF_RANGE || rc == DD_EDATETIME_OVERFLOW) {
        dd_err_clear(ctx->err);
        /* past every row on its side: a bound below all keys (ascending) starts and ends at lo */
        bool below = sub != desc;
        *out = below ? lo : hi;
        return DD_OK;
    }
    if (rc) return rc;
    int kcol = wc->npart;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = val_compare(&w->keys[idx[mid]][kcol], &b, &vc);
        if (desc) c = -c;
        /* before the bound: a start skips keys < b, an end keys <= b */
        if (c < 0 || (end && c == 0)) lo = mid + 1;
        else hi = mid;
    }
    *out = lo;
    return DD_OK;
}

/* Whether row q of the frame of row i is left out by its EXCLUDE clause. */
static bool win_excluded(const WinCall *wc, size_t q, size_t i, const size_t *peer_start, const size_t *peer_end)
{
    switch (wc->exclude) {
    case EXCLUDE_CURRENT_ROW: return q == i;
    case EXCLUDE_GROUP: return q >= peer_start[i] && q < peer_end[i];
    case EXCLUDE_TIES: return q != i && q >= peer_start[i] && q < peer_end[i];
    default: return false;
    }
}

/* The n-th (1-based; 0: the last) row of the frame [fs, fe) of row i that
 * its EXCLUDE clause keeps, or SIZE_MAX. */
static size_t win_frame_row(const WinCall *wc, size_t fs, size_t fe, size_t i, i64 n, const size_t *peer_start,
                            const size_t *peer_end)
{
    if (n == 0) {
        for (size_t q = fe; q > fs; q--)
            if (!win_excluded(wc, q - 1, i, peer_start, peer_end)) return q - 1;
        return SIZE_MAX;
    }
    for (size_t q = fs; q < fe; q++)
        if (!win_excluded(wc, q, i, peer_start, peer_end) && --n == 0) return q;
    return SIZE_MAX;
}

static int win_call(SqlCtx *ctx, WindowOp *w, int k, size_t *idx)
{
    WinCall *wc = w->wins[k];
    size_t n = w->nrows;
    int nk = wc->npart + wc->nord, rc;
    /* sort keys */
    for (size_t r = 0; r < n; r++) {
        w->keys[r] = arena_alloc(&w->arena, sizeof(Value) * (size_t)(nk + 1));
        if (!w->keys[r]) return DD_ENOMEM;
        for (int i = 0; i < wc->npart; i++)
            if ((rc = win_eval(ctx, w, wc->part[i], w->rows[r], &w->keys[r][i]))) return rc;
        for (int i = 0; i < wc->nord; i++)
            if ((rc = win_eval(ctx, w, wc->ord[i], w->rows[r], &w->keys[r][wc->npart + i]))) return rc;
        idx[r] = r;
        if ((r & 1023) == 0 && (rc = sql_check_interrupt(ctx))) return rc;
    }
    if ((rc = over_budget(ctx, w->arena.total + w->caprows * sizeof(Value *) * 3, "window function"))) return rc;
    w->cur = wc;
    win_sort_op = w;
    qsort(idx, n, sizeof(size_t), win_sort_cmp);
    int slot = w->base + k;
    size_t *peer_start = arena_alloc(&w->arena, sizeof(size_t) * (n + 1));
    size_t *peer_end = arena_alloc(&w->arena, sizeof(size_t) * (n + 1));
    /* GROUPS: the peer group of each row, and each group's first row */
    size_t *group = arena_alloc(&w->arena, sizeof(size_t) * (n + 1));
    size_t *group_start = arena_alloc(&w->arena, sizeof(size_t) * (n + 2));
    if (!peer_start || !peer_end || !group || !group_start) return DD_ENOMEM;
    for (size_t ps = 0; ps < n;) {
        size_t pe = ps + 1;
        while (pe < n && win_same(ctx, w->keys[idx[ps]], w->keys[idx[pe]], 0, wc->npart)) pe++;
        /* peers: equal ORDER BY keys (all rows without ORDER BY) */
        size_t ngroups = 0;
        for (size_t i = ps; i < pe;) {
            size_t j = i + 1;
            while (j < pe && win_same(ctx, w->keys[idx[i]], w->keys[idx[j]], wc->npart, wc->nord)) j++;
            for (size_t q = i; q < j; q++) { peer_start[q] = i; peer_end[q] = j; group[q] = ngroups; }
            group_start[ngroups++] = i;
            i = j;
        }
        group_start[ngroups] = pe;
        /* RANGE with an offset: the rows whose key is not NULL, [nn_lo, nn_hi) */
        size_t nn_lo = ps, nn_hi = pe;
        if (wc->frame == FRAME_RANGE && wc->nord == 1) {
            while (nn_lo < pe && w->keys[idx[nn_lo]][wc->npart].isnull) nn_lo++;
            while (nn_hi > nn_lo && w->keys[idx[nn_hi - 1]][wc->npart].isnull) nn_hi--;
        }
        size_t np = pe - ps;
        i64 dense = 0;
        AggState st;
        memset(&st, 0, sizeof(st));
        st.seen.n = 1;
        size_t acc_end = ps;   /* rows [ps, acc_end) are in st (incremental frames) */
        arena_reset(&w->agg.arena);
        for (size_t i = ps; i < pe; i++) {
            Value *row = w->rows[idx[i]];
            Value out = val_null(wc->type);
            if (i == peer_start[i]) dense++;
            /* the frame [fs, fe) */
            size_t fs = ps, fe = pe;
            if (wc->frame == FRAME_DEFAULT) {
                fe = wc->nord ? peer_end[i] : pe;
            } else if (wc->frame == FRAME_GROUPS) {
                /* offsets count peer groups */
                i64 g = (i64)group[i], ng = (i64)ngroups, s, e;
                switch (wc->start) {
                case BOUND_PRECEDING: s = (i64)group_start[DD_MAX(g - wc->start_off, 0)]; break;
                case BOUND_CURRENT: s = (i64)peer_start[i]; break;
                case BOUND_FOLLOWING: s = (i64)group_start[DD_MIN(g + wc->start_off, ng)]; break;
                default: s = (i64)ps; break;
                }
                switch (wc->end) {
                case BOUND_PRECEDING: e = g - wc->end_off < 0 ? (i64)ps : (i64)group_start[g - wc->end_off + 1]; break;
                case BOUND_CURRENT: e = (i64)peer_end[i]; break;
                case BOUND_FOLLOWING: e = (i64)group_start[DD_MIN(g + wc->end_off + 1, ng)]; break;
                default: e = (i64)pe; break;
                }
                if (e < s) e = s;
                fs = (size_t)s;
                fe = (size_t)e;
            } else {
                i64 s, e, ii = (i64)i;
                const Value *cur = wc->frame == FRAME_RANGE && wc->nord == 1 ? &w->keys[idx[i]][wc->npart] : NULL;
                size_t bnd;
                switch (wc->start) {
                case BOUND_PRECEDING:
                case BOUND_FOLLOWING:
                    if (wc->frame == FRAME_ROWS) {
                        s = wc->start == BOUND_PRECEDING ? ii - wc->start_off : ii + wc->start_off;
                    } else if (cur->isnull) {
                        s = (i64)peer_start[i];   /* a NULL key: its peers */
                    } else {
                        rc = win_range_bound(ctx, w, wc, idx, nn_lo, nn_hi, cur, &wc->start_val,
                                             wc->start == BOUND_PRECEDING, false, &bnd);
                        if (rc) return rc;
                        s = (i64)bnd;
                    }
                    break;
                case BOUND_CURRENT: s = wc->frame == FRAME_ROWS ? ii : (i64)peer_start[i]; break;
                default: s = (i64)ps; break;
                }
                switch (wc->end) {
                case BOUND_PRECEDING:
                case BOUND_FOLLOWING:
                    if (wc->frame == FRAME_ROWS) {
                        e = wc->end == BOUND_PRECEDING ? ii - wc->end_off + 1 : ii + wc->end_off + 1;
                    } else if (cur->isnull) {
                        e = (i64)peer_end[i];
                    } else {
                        rc = win_range_bound(ctx, w, wc, idx, nn_lo, nn_hi, cur, &wc->end_val,
                                             wc->end == BOUND_PRECEDING, true, &bnd);
                        if (rc) return rc;
                        e = (i64)bnd;
                    }
                    break;
                case BOUND_CURRENT: e = wc->frame == FRAME_ROWS ? ii + 1 : (i64)peer_end[i]; break;
                default: e = (i64)pe; break;
                }
                if (s < (i64)ps) s = (i64)ps;
                if (e > (i64)pe) e = (i64)pe;
                if (e < s) e = s;
                fs = (size_t)s;
                fe = (size_t)e;
            }
            switch (wc->kind) {
            case WIN_ROW_NUMBER: out = val_int(TYPE_INT8, (i64)(i - ps + 1)); break;
            case WIN_RANK: out = val_int(TYPE_INT8, (i64)(peer_start[i] - ps + 1)); break;
            case WIN_DENSE_RANK: out = val_int(TYPE_INT8, dense); break;
            case WIN_PERCENT_RANK:
                out = val_float(TYPE_FLOAT8, np > 1 ? (double)(peer_start[i] - ps) / (double)(np - 1) : 0.0);
                break;
            case WIN_CUME_DIST: out = val_float(TYPE_FLOAT8, (double)(peer_end[i] - ps) / (double)np); break;
            case WIN_NTILE: {
                Value b;
                if ((rc = win_eval(ctx, w, wc->args[0], row, &b))) return rc;
                if (b.isnull) break;
                if (b.v.i <= 0)
                    return dd_err(ctx->err, DD_EINVALID_ARG_FOR_NTILE, -1, "argument of ntile must be greater than zero");
                i64 buckets = b.v.i, pos = (i64)(i - ps), size = (i64)np / buckets, extra = (i64)np % buckets;
                /* the first `extra` buckets hold size + 1 rows */
                i64 bucket = pos < extra * (size + 1) ? pos / (size + 1) : extra + (pos - extra * (size + 1)) / (size ? size : 1);
                out = val_int(TYPE_INT4, bucket + 1);
                break;
            }
            case WIN_LAG: case WIN_LEAD: {
                i64 off = 1;
                if (wc->nargs > 1) {
                    Value o;
                    if ((rc = win_eval(ctx, w, wc->args[1], row, &o))) return rc;
                    if (o.isnull) break;
                    off = o.v.i;
                }
                i64 t = wc->kind == WIN_LAG ? (i64)i - off : (i64)i + off;
                if (t >= (i64)ps && t < (i64)pe) {
                    if ((rc = win_eval(ctx, w, wc->args[0], w->rows[idx[t]], &out))) return rc;
                } else if (wc->nargs > 2) {
                    if ((rc = win_eval(ctx, w, wc->args[2], row, &out))) return rc;
                }
                break;
            }
            case WIN_FIRST_VALUE:
            case WIN_LAST_VALUE: {
                size_t q = win_frame_row(wc, fs, fe, i, wc->kind == WIN_FIRST_VALUE ? 1 : 0, peer_start, peer_end);
                if (q != SIZE_MAX && (rc = win_eval(ctx, w, wc->args[0], w->rows[idx[q]], &out))) return rc;
                break;
            }
            case WIN_NTH_VALUE: {
                Value nv;
                if ((rc = win_eval(ctx, w, wc->args[1], row, &nv))) return rc;
                if (nv.isnull) break;
                if (nv.v.i <= 0)
                    return dd_err(ctx->err, DD_EINVALID_NTH_VALUE, -1, "argument of nth_value must be greater than zero");
                size_t q = (i64)(fe - fs) >= nv.v.i ? win_frame_row(wc, fs, fe, i, nv.v.i, peer_start, peer_end) : SIZE_MAX;
                if (q != SIZE_MAX && (rc = win_eval(ctx, w, wc->args[0], w->rows[idx[q]], &out))) return rc;
                break;
            }
            case WIN_AGG: {
                if (wc->exclude != EXCLUDE_NONE) {
                    /* the frame without the rows left out, summed anew */
                    rowset_free(&st.seen);
                    buf_free(&st.text);
                    memset(&st, 0, sizeof(st));
                    st.seen.n = 1;
                    arena_reset(&w->agg.arena);
                    for (size_t q = fs; q < fe; q++) {
                        if (win_excluded(wc, q, i, peer_start, peer_end)) continue;
                        ArenaMark m = arena_mark(ctx->row);
                        rc = agg_step(ctx, &w->agg, &wc->agg, &st, w->rows[idx[q]]);
                        arena_rewind(ctx->row, m);
                        if (rc) return rc;
                    }
                    acc_end = SIZE_MAX;   /* nothing to grow from */
                    Value r;
                    if ((rc = agg_final(ctx, &w->agg, &wc->agg, &st, &r))) return rc;
                    if ((rc = val_copy(&w->arena, &r, &out))) return rc;
                    break;
                }
                bool grow = fs == ps && fe >= acc_end;   /* the frame only grows: add the new rows */
                if (!grow) {
                    rowset_free(&st.seen);
                    buf_free(&st.text);
                    memset(&st, 0, sizeof(st));
                    st.seen.n = 1;
                    arena_reset(&w->agg.arena);
                    acc_end = fs;
                }
                for (size_t q = acc_end; q < fe; q++) {
                    ArenaMark m = arena_mark(ctx->row);
                    rc = agg_step(ctx, &w->agg, &wc->agg, &st, w->rows[idx[q]]);
                    arena_rewind(ctx->row, m);
                    if (rc) return rc;
                }
                acc_end = fe;
                Value r;
                if ((rc = agg_final(ctx, &w->agg, &wc->agg, &st, &r))) return rc;
                if ((rc = val_copy(&w->arena, &r, &out))) return rc;
                break;
            }
            }
            row[slot] = out;
            if ((i & 1023) == 0 && (rc = sql_check_interrupt(ctx))) return rc;
        }
        rowset_free(&st.seen);
        buf_free(&st.text);
        ps = pe;
    }
    return over_budget(ctx, w->arena.total + w->agg.arena.total + w->caprows * sizeof(Value *) * 3, "window function");
}

static int window_build(SqlCtx *ctx, WindowOp *w)
{
    int width = w->base + w->nwin, rc;
    for (;;) {
        Value *in;
        /* the row arena may hold an enclosing query's row (a subquery run
         * per outer row): only what this row added goes */
        ArenaMark m = arena_mark(ctx->row);
        rc = op_next(ctx, w->op.child, &in);
        if (rc < 0) return -rc;
        if (rc == 0) break;
        if (w->nrows == w->caprows) {
            size_t ncap = w->caprows ? w->caprows * 2 : 256;
            Value **nr = dd_realloc(w->rows, sizeof(Value *) * ncap);
            if (!nr) return DD_ENOMEM;
            w->rows = nr;
            w->caprows = ncap;
        }
        Value *r = arena_alloc(&w->arena, sizeof(Value) * (size_t)width);
        if (!r) return DD_ENOMEM;
        for (int i = 0; i < w->base; i++)
            if ((rc = val_copy(&w->arena, &in[i], &r[i]))) return rc;
        for (int i = w->base; i < width; i++) r[i] = val_null(TYPE_TEXT);
        w->rows[w->nrows++] = r;
        arena_rewind(ctx->row, m);
        if ((rc = over_budget(ctx, w->arena.total + w->caprows * sizeof(Value *), "window function"))) return rc;
        if ((w->nrows & 1023) == 0 && (rc = sql_check_interrupt(ctx))) return rc;
    }
    size_t n = w->nrows;
    w->keys = arena_alloc(&w->arena, sizeof(Value *) * (n + 1));
    w->order = arena_alloc(&w->arena, sizeof(size_t) * (n + 1));
    if (!w->keys || !w->order) return DD_ENOMEM;
    for (size_t r = 0; r < n; r++) w->order[r] = r;
    for (int k = 0; k < w->nwin; k++) {
        size_t *idx = arena_alloc(&w->arena, sizeof(size_t) * (n + 1));
        if (!idx) return DD_ENOMEM;
        if ((rc = win_call(ctx, w, k, idx))) return rc;
        w->order = idx;
    }
    return DD_OK;
}

static int window_open(SqlCtx *ctx, Op *op)
{
    WindowOp *w = (WindowOp *)op;
    w->built = false;
    w->pos = 0;
    w->nrows = 0;
    arena_reset(&w->arena);
    arena_reset(&w->agg.arena);
    return op_open(ctx, op->child);
}

static int window_next(SqlCtx *ctx, Op *op, Value **row)
{
    WindowOp *w = (WindowOp *)op;
    if (!w->built) {
        int rc = window_build(ctx, w);
        w->built = true;
        if (rc) return neg(rc);
    }
    if (w->pos >= w->nrows) return 0;
    *row = w->rows[w->order[w->pos++]];
    return 1;
}

static void window_close(SqlCtx *ctx, Op *op)
{
    WindowOp *w = (WindowOp *)op;
    op_close(ctx, op->child);
    dd_free(w->rows);
    w->rows = NULL;
    w->nrows = w->caprows = 0;
    arena_free(&w->arena);
    arena_free(&w->agg.arena);
}

static const OpVtbl window_vt = {"WindowAgg", window_open, window_next, window_close, NULL, NULL};

Op *op_window(SqlCtx *ctx, Op *child, int base, WinCall **wins, int nwin)
{
    WindowOp *w = op_alloc(ctx, sizeof(*w), &window_vt, base + nwin);
    if (!w) return NULL;
    w->op.child = child;
    w->base = base;
    w->nwin = nwin;
    w->wins = wins;
    w->agg.op.env = w->op.env;
    arena_init(&w->arena, op_block(ctx, 64 * 1024));
    arena_init(&w->agg.arena, op_block(ctx, 16 * 1024));
    op_estimate(&w->op, child->est_rows, child->est_cost + child->est_rows);
    return &w->op;
}


/* ================================================================ append */

/*
 * UNION ALL of any number of inputs, one after the other (distinct: UNION,
 * each row once): a chain of thousands of members (a long VALUES list, a
 * generated UNION ALL) is one operator, not a nest as deep as the chain.
 * Each input is opened when its turn comes and closed after it.
 */
typedef struct AppendOp {
    Op op;
    Op **kids; int nkids, cur;
    bool open_cur;
} AppendOp;

static const OpVtbl append_vt;

static int append_open(SqlCtx *ctx, Op *op)
{
    DD_UNUSED(ctx);
    AppendOp *a = (AppendOp *)op;
    a->cur = 0;
    a->open_cur = false;
    return DD_OK;
}

static int append_next(SqlCtx *ctx, Op *op, Value **row)
{
    AppendOp *a = (AppendOp *)op;
    for (;;) {
        if (a->cur >= a->nkids) return 0;
        Op *k = a->kids[a->cur];
        int rc;
        if (!a->open_cur) {
            if ((rc = op_open(ctx, k))) {
                op_close(ctx, k);
                return neg(rc);
            }
            a->open_cur = true;
        }
        rc = op_next(ctx, k, row);
        if (rc != 0) return rc;
        op_close(ctx, k);
        a->open_cur = false;
        a->cur++;
        if ((rc = sql_check_interrupt(ctx))) return neg(rc);
    }
}

static void append_close(SqlCtx *ctx, Op *op)
{
    AppendOp *a = (AppendOp *)op;
    if (a->open_cur && a->cur < a->nkids) op_close(ctx, a->kids[a->cur]);
    a->open_cur = false;
}

static const OpVtbl append_vt = {"Append", append_open, append_next, append_close, NULL, NULL};

/* UNION ALL: the kids' rows one kid after another; UNION: a DISTINCT over
 * them (which spills past work_mem as DISTINCT does). */
Op *op_append(SqlCtx *ctx, Op **kids, int nkids, bool distinct, int ncols)
{
    AppendOp *a = op_alloc(ctx, sizeof(*a), &append_vt, ncols);
    if (!a) return NULL;
    a->kids = arena_alloc(ctx->stmt, sizeof(Op *) * (size_t)(nkids ? nkids : 1));
    if (!a->kids) return NULL;
    memcpy(a->kids, kids, sizeof(Op *) * (size_t)nkids);
    a->nkids = nkids;
    double rows = 0;
    for (int i = 0; i < nkids; i++) rows += kids[i]->est_rows > 0 ? kids[i]->est_rows : 1;
    op_estimate(&a->op, rows, rows);
    if (!distinct) return &a->op;
    Op *d = op_distinct(ctx, &a->op, ncols);
    if (d) op_estimate(d, rows * 0.5, rows);
    return d;
}

/* ================================================================ drift_commits */


/* Commits from..upto (seq bounds from the WHERE: op_commits_bound). */
typedef struct CommitsOp { Op op; u64 from, upto, next; Value row[COMMITS_COLS]; } CommitsOp;

static int commits_open(SqlCtx *ctx, Op *op)
{
    DD_UNUSED(ctx);
    CommitsOp *c = (CommitsOp *)op;
    c->next = c->from;
    return DD_OK;
}

static Value text_of(const char *s) { return val_text(TYPE_TEXT, s, (u32)strlen(s)); }

static int commits_next(SqlCtx *ctx, Op *op, Value **row)
{
    CommitsOp *c = (CommitsOp *)op;
    if (c->next > c->upto) return 0;
    LogRecord lr;
    int rc = store_log_get(ctx->snap, c->next, ctx->row, &lr, ctx->err);
    if (rc < 0) return rc;
    if (rc == 0) return -dd_corrupt(ctx->err, "commit %llu is missing from the log", (unsigned long long)c->next);
    char *hex = arena_alloc(ctx->row, 2 * SHA256_LEN + 1);
    if (!hex) return -DD_ENOMEM;
    sha256_hex(lr.hash, hex);
    Value *r = c->row;
    r[0] = val_int(TYPE_INT8, (i64)lr.seq);
    r[1] = val_int(TYPE_TIMESTAMPTZ, ts_from_unix_us(lr.time_us));
    r[2] = text_of(lr.user);
    r[3] = text_of(lr.application);
    r[4] = lr.client_addr[0] ? text_of(lr.client_addr) : val_null(TYPE_TEXT);
    r[5] = val_int(TYPE_INT8, (i64)lr.committed);
    r[6] = val_text(TYPE_TEXT, hex, 2 * SHA256_LEN);
    r[7] = val_null(TYPE_TEXT);
    if (lr.nevents == 1) {
        /* DELETE HISTORY and ERASE are commits of one event: what they did */
        LogEvent *ev;
        u32 n;
        int erc = store_log_events(ctx->snap, c->next, ctx->row, &ev, &n, ctx->err);
        if (erc) return -erc;
        if (n == 1 && (ev->op == LOG_EV_PURGE || ev->op == LOG_EV_ERASE)) {
            const TableInfo *t = store_table_version(ctx->snap, ev->table, c->next);
            char id[32];
            snprintf(id, sizeof id, "table id %u", ev->table);
            const char *name = t ? t->name : id;
            /* a dropped table's: said so, as its name may be another's since */
            if (t && t->dropped && !(name = arena_printf(ctx->row, "%s (dropped at @SEQ:%llu)", t->name,
                                                          (unsigned long long)t->seq)))
                return -DD_ENOMEM;
            char *op = ev->op == LOG_EV_PURGE
                           ? arena_printf(ctx->row, "DELETE HISTORY FROM %s BEFORE SYSTEM_TIME @SEQ:%llu: %llu version%s",
                                          name, (unsigned long long)ev->a, (unsigned long long)ev->b,
                                          ev->b == 1 ? "" : "s")
                           : arena_printf(ctx->row, "ERASE FROM %s: %llu row%s, %llu version%s", name,
                                          (unsigned long long)ev->a, ev->a == 1 ? "" : "s", (unsigned long long)ev->b,
                                          ev->b == 1 ? "" : "s");
            if (!op) return -DD_ENOMEM;
            r[7] = text_of(op);
        }
    }
    c->next++;
    *row = r;
    return 1;
}

static void commits_explain(Op *op, Buf *out)
{
    const CommitsOp *c = (const CommitsOp *)op;
    if (c->from > 1) buf_printf(out, " on drift_commits (seq %llu..%llu)", (unsigned long long)c->from,
                                (unsigned long long)c->upto);
    else buf_printf(out, " on drift_commits (seq <= %llu)", (unsigned long long)c->upto);
}

static const OpVtbl commits_vt = {"LogScan", commits_open, commits_next, noop_close, commits_explain, NULL};

Op *op_commits(SqlCtx *ctx, u64 upto)
{
    CommitsOp *c = op_alloc(ctx, sizeof(*c), &commits_vt, COMMITS_COLS);
    if (!c) return NULL;
    c->from = 1;
    c->upto = upto;
    return &c->op;
}

bool op_is_commits(const Op *op) { return op && op->vt == &commits_vt; }

bool op_commits_bound(Op *op, u64 from, u64 upto)
{
    if (!op_is_commits(op)) return false;
    CommitsOp *c = (CommitsOp *)op;
    if (from > c->from) c->from = from;
    if (upto < c->upto) c->upto = upto;
    return true;
}

/* ================================================================ explain */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ================================================================ plans run again */

/* The operators a plan kept for later statements may hold (sql.h,
 * sql_plan_reusable): their open resets what a run changes, and
 * op_tree_rearm forgets what they took from a statement's arena, which
 * the next statement's is not (a sort's and an aggregate's rows and
 * groups are their own, freed by close).  Others (joins, set operations,
 * function scans, ...) keep such state in places not listed here, and so
 * a plan holding one is made anew for each statement. */
bool op_tree_reusable(const Op *op)
{
    for (; op; op = op->child) {
        const OpVtbl *vt = op->vt;
        if (vt != &scan_vt && vt != &filter_vt && vt != &project_vt && vt != &limit_vt && vt != &one_vt &&
            vt != &sort_vt && vt != &agg_vt)
            return false;
        if (op->child2) return false;
    }
    return true;
}

void op_tree_rearm(Op *op)
{
    for (; op; op = op->child) {
        if (op->vt != &scan_vt) continue;
        ScanOp *s = (ScanOp *)op;
        s->row = NULL;
        s->ws_loaded = s->wk_built = false;
        s->ws_all = NULL;
        s->nws_all = 0;
        s->wkey = NULL;
        s->nwkey = 0;
        s->wrows = NULL;
    }
}

int op_open_instrumented(SqlCtx *c, Op *o)
{
    double t = now_ms();
    o->act_loops++;
    o->act_started = false;
    int rc = o->vt->open(c, o);
    double dt = now_ms() - t;
    o->act_total_ms += dt;
    o->act_loop_ms = dt;
    return rc;
}

static void op_count(Op *o, int rc, double dt, u64 rows)
{
    o->act_total_ms += dt;
    o->act_loop_ms += dt;
    if (rc == 1) {
        o->act_rows += rows;
        if (!o->act_started) {
            o->act_started = true;
            o->act_first_ms += o->act_loop_ms;
        }
    }
}

int op_next_instrumented(SqlCtx *c, Op *o, Value **r)
{
    double t = now_ms();
    int rc = o->vt->next(c, o, r);
    op_count(o, rc, now_ms() - t, 1);
    return rc;
}

/* Estimates of nodes the planner did not annotate, from their children:
 * rows as the child's (a Limit at most its count, a HashAggregate a tenth
 * or one row); cost the children's plus the rows handled. */
static void estimate(Op *o, double *rows, double *startup, double *total)
{
    double cr = 0, cs = 0, ct = 0, c2r = 0, c2s = 0, c2t = 0;
    if (o->child) estimate(o->child, &cr, &cs, &ct);
    if (o->child2) estimate(o->child2, &c2r, &c2s, &c2t);
    bool blocking = o->vt == &sort_vt || o->vt == &agg_vt;
    if (o->est_rows > 0) {
        *rows = o->est_rows;
        *total = o->est_cost > 0 ? o->est_cost : ct + c2t + o->est_rows;
    } else if (o->vt == &limit_vt) {
        const LimitOp *l = (const LimitOp *)o;
        *rows = l->limit >= 0 ? DD_MIN(cr, (double)(l->limit + l->offset)) : cr;
        *total = ct;
    } else if (o->vt == &agg_vt) {
        const AggOp *a = (const AggOp *)o;
        *rows = a->ngroup ? DD_MAX(cr / 10, 1) : 1;
        *total = ct + cr;
    } else if (o->vt == &sort_vt) {
        *rows = cr;
        *total = ct + (cr > 1 ? cr * __builtin_log2(cr) : 1);
    } else {
        *rows = o->child ? cr : 1;
        *total = ct + c2t + (o->child ? cr : 1);
    }
    if (o->vt == &hashjoin_vt) *startup = c2t;
    else if (blocking) *startup = ct;
    else *startup = o->child ? cs : 0;
    if (*startup > *total) *startup = *total;
}

void op_cost(Op *o, double *rows, double *startup, double *total) { estimate(o, rows, startup, total); }

void op_explain(Op *o, int depth, bool costs, bool analyze, bool timing, Buf *out)
{
    if (!o) return;
    if (o->vt == &place_vt || o->vt == &project_vt) {
        /* placing and projecting are part of the nodes above, as PostgreSQL shows them */
        op_explain(o->child, depth, costs, analyze, timing, out);
        return;
    }
    if (depth) {
        for (int i = 0; i < 2 + 6 * (depth - 1); i++) buf_putc(out, ' ');
        buf_puts(out, "->  ");
    }
    buf_puts(out, o->vt->name);
    if (o->vt->explain) o->vt->explain(o, out);
    if (costs) {
        double rows, startup, total;
        estimate(o, &rows, &startup, &total);
        buf_printf(out, "  (cost=%.2f..%.2f rows=%.0f)", startup, total, rows < 1 ? 1 : rows);
    }
    if (analyze) {
        double loops = o->act_loops ? (double)o->act_loops : 1;
        if (!o->act_loops) buf_puts(out, " (never executed)");
        else if (timing)
            buf_printf(out, " (actual time=%.3f..%.3f rows=%.0f loops=%llu)", o->act_first_ms / loops,
                       o->act_total_ms / loops, (double)o->act_rows / loops, (unsigned long long)o->act_loops);
        else
            buf_printf(out, " (actual rows=%.0f loops=%llu)", (double)o->act_rows / loops,
                       (unsigned long long)o->act_loops);
    }
    buf_putc(out, '\n');
    if (analyze && o->vt->analyze) {
        size_t at = out->len;
        for (int i = 0; i < 2 + 6 * depth; i++) buf_putc(out, ' ');
        size_t text = out->len;
        o->vt->analyze(o, out);
        if (out->len == text) out->len = at;   /* nothing to say */
        else buf_putc(out, '\n');
    }
    if (o->vt == &append_vt) {
        AppendOp *a = (AppendOp *)o;
        for (int i = 0; i < a->nkids; i++) op_explain(a->kids[i], depth + 1, costs, analyze, timing, out);
        return;
    }
    op_explain(o->child, depth + 1, costs, analyze, timing, out);
    op_explain(o->child2, depth + 1, costs, analyze, timing, out);
}

/* ================================================================ WITH RECURSIVE */

/*
 * A recursive WITH query: the non-recursive term's rows, then rounds of
 * the recursive term, each reading the rows the round before produced
 * (the working table, through op_worktable) until a round produces none.
 * UNION (distinct) drops the rows seen before, so a cycle ends; UNION ALL
 * keeps them, and a LIMIT above stops an endless recursion by asking for
 * no more rows.
 */
struct WorkTable {
    Value **rows;
    size_t n;
};

WorkTable *worktable_new(SqlCtx *ctx)
{
    return arena_zalloc(ctx->stmt, sizeof(WorkTable));
}

typedef struct WorkScanOp {
    Op op;
    WorkTable *wt;
    size_t pos;
} WorkScanOp;

static int ws_open(SqlCtx *ctx, Op *op)
{
    DD_UNUSED(ctx);
    ((WorkScanOp *)op)->pos = 0;
    return DD_OK;
}

static int ws_next(SqlCtx *ctx, Op *op, Value **row)
{
    DD_UNUSED(ctx);
    WorkScanOp *w = (WorkScanOp *)op;
    if (w->pos >= w->wt->n) return 0;
    *row = w->wt->rows[w->pos++];
    return 1;
}

static void ws_close(SqlCtx *ctx, Op *op)
{
    DD_UNUSED(ctx);
    DD_UNUSED(op);
}

static const OpVtbl workscan_vt = {"WorkTable Scan", ws_open, ws_next, ws_close, NULL, NULL};

Op *op_worktable(SqlCtx *ctx, WorkTable *wt, int ncols)
{
    WorkScanOp *w = op_alloc(ctx, sizeof(*w), &workscan_vt, ncols);
    if (!w) return NULL;
    w->wt = wt;
    return &w->op;
}

typedef struct RecUnionOp {
    Op op;
    WorkTable *wt;
    bool distinct;
    int ncols;
    int phase;              /* 0 the non-recursive term, 1 the recursive one, 2 done */
    bool kid_open;
    /* the working table's rows and this round's: arrays and arenas,
     * [cur] and [1 - cur] */
    Value **rows[2]; size_t cap[2], nrows;
    Arena arena[2];
    int cur;
    RowSet seen;            /* UNION: every row returned (in seen_arena) */
    Arena seen_arena;
} RecUnionOp;

static int ru_open(SqlCtx *ctx, Op *op)
{
    DD_UNUSED(ctx);
    RecUnionOp *u = (RecUnionOp *)op;
    u->phase = 0;
    u->kid_open = false;
    u->nrows = 0;
    u->wt->n = 0;
    u->wt->rows = NULL;
    arena_reset(&u->arena[0]);
    arena_reset(&u->arena[1]);
    rowset_free(&u->seen);
    u->seen.n = u->ncols;
    arena_reset(&u->seen_arena);
    return DD_OK;
}

static int ru_next(SqlCtx *ctx, Op *op, Value **row)
{
    RecUnionOp *u = (RecUnionOp *)op;
    for (;;) {
        if (u->phase == 2) return 0;
        Op *k = u->phase == 0 ? op->child : op->child2;
        int rc;
        if (!u->kid_open) {
            if ((rc = op_open(ctx, k))) {
                op_close(ctx, k);
                return neg(rc);
            }
            u->kid_open = true;
        }
        Value *r;
        rc = op_next(ctx, k, &r);
        if (rc < 0) return rc;
        if (rc == 0) {
            op_close(ctx, k);
            u->kid_open = false;
            if ((rc = sql_check_interrupt(ctx))) return neg(rc);
            if (u->nrows == 0) {   /* nothing new: the recursion ends */
                u->phase = 2;
                return 0;
            }
            /* this round's rows become the working table; the one before
             * is dropped */
            int nxt = 1 - u->cur;
            u->wt->rows = u->rows[nxt];
            u->wt->n = u->nrows;
            u->cur = nxt;
            u->nrows = 0;
            arena_reset(&u->arena[1 - u->cur]);
            u->phase = 1;
            continue;
        }
        if (u->distinct) {
            Value *f, *c;
            rowset_find(ctx, &u->seen, r, &f);
            if (f) continue;
            if ((rc = copy_row(&u->seen_arena, r, u->ncols, &c)) || (rc = rowset_add(&u->seen, c))) return neg(rc);
        }
        int nxt = 1 - u->cur;
        if (u->nrows == u->cap[nxt]) {
            size_t ncap = u->cap[nxt] ? u->cap[nxt] * 2 : 64;
            Value **nr = dd_realloc(u->rows[nxt], sizeof(Value *) * ncap);
            if (!nr) return neg(DD_ENOMEM);
            u->rows[nxt] = nr;
            u->cap[nxt] = ncap;
        }
        Value *c;
        if ((rc = copy_row(&u->arena[nxt], r, u->ncols, &c))) return neg(rc);
        u->rows[nxt][u->nrows++] = c;
        size_t bytes = u->arena[0].total + u->arena[1].total + u->seen_arena.total +
                       (u->cap[0] + u->cap[1]) * sizeof(Value *) + rowset_bytes(&u->seen);
        if ((rc = over_budget(ctx, bytes, "recursive query"))) return neg(rc);
        *row = c;
        return 1;
    }
}

static void ru_close(SqlCtx *ctx, Op *op)
{
    RecUnionOp *u = (RecUnionOp *)op;
    if (u->kid_open) op_close(ctx, u->phase == 0 ? op->child : op->child2);
    u->kid_open = false;
    for (int i = 0; i < 2; i++) {
        dd_free(u->rows[i]);
        u->rows[i] = NULL;
        u->cap[i] = 0;
        arena_free(&u->arena[i]);
    }
    u->wt->rows = NULL;
    u->wt->n = 0;
    rowset_free(&u->seen);
    arena_free(&u->seen_arena);
}

static void ru_explain(Op *op, Buf *out)
{
    if (!((RecUnionOp *)op)->distinct) buf_puts(out, " (all)");
}

static const OpVtbl recunion_vt = {"Recursive Union", ru_open, ru_next, ru_close, ru_explain, NULL};

Op *op_recursive_union(SqlCtx *ctx, Op *nonrec, Op *rec, WorkTable *wt, bool distinct, int ncols)
{
    RecUnionOp *u = op_alloc(ctx, sizeof(*u), &recunion_vt, ncols);
    if (!u) return NULL;
    u->op.child = nonrec;
    u->op.child2 = rec;
    u->wt = wt;
    u->distinct = distinct;
    u->ncols = ncols;
    u->seen.n = ncols;
    arena_init(&u->arena[0], 16 * 1024);
    arena_init(&u->arena[1], 16 * 1024);
    arena_init(&u->seen_arena, 16 * 1024);
    return &u->op;
}

/* ================================================================ json functions in FROM */

/*
 * jsonb_each / _text, jsonb_array_elements / _text, jsonb_object_keys and
 * their json forms: the document (evaluated once at open) taken apart
 * into rows kept in the operator's arena.  json values keep the text they
 * had in the document; jsonb values are jsonb's normal text.
 */
typedef struct JsonSrfOp {
    Op op;
    ExprProg *args[4]; int nargs;
    JsonSrfKind kind;
    TypeId type;            /* JSON or JSONB: the argument's type */
    bool ordinality;
    Value *rows; int nrows, ncols, next;   /* ncols values per row, then ordinality */
    Value *row;             /* ncols + 1 */
    /* JSRF_TO_RECORD(SET): the columns' names and types */
    const char *const *rnames; const TypeId *rtypes; const i32 *rtypmods;
    Arena arena;
} JsonSrfOp;

static const char *const json_srf_names[] = {
    [JSRF_EACH] = "each", [JSRF_EACH_TEXT] = "each_text", [JSRF_ELEMENTS] = "array_elements",
    [JSRF_ELEMENTS_TEXT] = "array_elements_text", [JSRF_KEYS] = "object_keys", [JSRF_PATH] = "path_query",
    [JSRF_TO_RECORD] = "to_record", [JSRF_TO_RECORDSET] = "to_recordset",
    [JSRF_POPULATE_RECORD] = "populate_record", [JSRF_POPULATE_RECORDSET] = "populate_recordset",
};

static int json_srf_value(JsonSrfOp *s, SqlCtx *ctx, const JNode *n, bool text, Value *out);

/* Node n as a value of type t (populate's rules; see op_json_to_record). */
static int json_populate_value(JsonSrfOp *s, SqlCtx *ctx, const JNode *n, TypeId t, i32 typmod, Value *out)
{
    if (!n || n->type == J_NULL) { *out = val_null(t); return DD_OK; }
    ValueCtx vc = ctx->vctx;
    vc.arena = &s->arena;
    if (type_is_array(t) && n->type == J_ARRAY) {
        TypeId et = type_elem(t);
        Value *items = arena_alloc(&s->arena, sizeof(Value) * (n->n + 1));
        if (!items) return dd_err(ctx->err, DD_ENOMEM, -1, "out of memory");
        for (u32 i = 0; i < n->n; i++) {
            if (n->elems[i]->type == J_ARRAY)
                return dd_err(ctx->err, DD_EFEATURE, -1, "a nested JSON array into an array column is not supported");
            int rc = json_populate_value(s, ctx, n->elems[i], et, -1, &items[i]);
            if (rc) return rc;
        }
        EvalEnv env = {ctx, NULL, 0, NULL};
        return arr_build(&env, &s->arena, items, (int)n->n, t, false, out);
    }
    Value j;
    int rc;
    if (t == TYPE_JSON || t == TYPE_JSONB) {
        rc = json_srf_value(s, ctx, n, false, &j);
        if (!rc && j.type == t) { *out = j; return DD_OK; }
        if (!rc) rc = val_from_text(t, typmod, j.v.s.p, j.v.s.len, &vc, out, ctx->err);
        return rc;
    }
    rc = json_srf_value(s, ctx, n, true, &j);   /* a string's text, else its JSON text */
    if (!rc) rc = val_from_text(t, typmod, j.v.s.p, j.v.s.len, &vc, out, ctx->err);
    return rc;
}

/* One row of json(b)_to_record(set) from object o into r. */
static int json_record_row(JsonSrfOp *s, SqlCtx *ctx, const JNode *o, Value *r)
{
    for (int c = 0; c < s->ncols; c++) {
        const JNode *v = NULL;
        size_t kl = strlen(s->rnames[c]);
        for (u32 k = 0; k < o->n; k++)   /* the last of duplicate json keys */
            if (o->pairs[k].klen == kl && memcmp(o->pairs[k].k, s->rnames[c], kl) == 0) v = o->pairs[k].v;
        int rc = json_populate_value(s, ctx, v, s->rtypes[c], s->rtypmods[c], &r[c]);
        if (rc) return rc;
    }
    return DD_OK;
}

/* A row value of node n: json / jsonb, or text (->>'s rules). */
static int json_srf_value(JsonSrfOp *s, SqlCtx *ctx, const JNode *n, bool text, Value *out)
{
    if (text && n->type == J_NULL) { *out = val_null(TYPE_TEXT); return DD_OK; }
    if (text && n->type == J_STRING) { *out = val_text(TYPE_TEXT, n->s, n->len); return DD_OK; }
    if (s->type == TYPE_JSON && n->src) { *out = val_text(text ? TYPE_TEXT : TYPE_JSON, n->src, n->srclen); return DD_OK; }
    Buf b = BUF_INIT;
    jsonb_write(n, &b);
    char *p = buf_ok(&b) ? arena_memdup(&s->arena, b.len ? (const char *)b.data : "", b.len ? b.len : 1) : NULL;
    u32 len = (u32)b.len;
    buf_free(&b);
    if (!p) return dd_err(ctx->err, DD_ENOMEM, -1, "out of memory");
    *out = val_text(text ? TYPE_TEXT : s->type, p, len);
    return DD_OK;
}

/* jsonb_path_query: the path's items are the rows (silent: an evaluation
 * error is no rows) */
static int json_srf_path(JsonSrfOp *s, SqlCtx *ctx, JNode *doc, const Value *args)
{
    JsonPath *jp;
    JNode *vars = NULL, **items;
    u32 n;
    int rc = jsonpath_parse(args[1].v.s.p, args[1].v.s.len, &s->arena, &jp, ctx->err);
    if (!rc && s->nargs > 2) rc = json_parse(args[2].v.s.p, args[2].v.s.len, true, &s->arena, &vars, ctx->err);
    if (rc) return rc;
    rc = jsonpath_eval(jp, doc, vars, &s->arena, &items, &n, ctx->err);
    if (rc && rc != DD_ENOMEM && s->nargs > 3 && args[3].v.b) {
        dd_err_clear(ctx->err);
        return DD_OK;
    }
    if (rc) return rc;
    s->rows = arena_alloc(&s->arena, sizeof(Value) * (size_t)(n + 1));
    if (!s->rows) return dd_err(ctx->err, DD_ENOMEM, -1, "out of memory");
    for (u32 i = 0; i < n; i++)
        if ((rc = json_srf_value(s, ctx, items[i], false, &s->rows[i]))) return rc;
    s->nrows = (int)n;
    return DD_OK;
}

static int json_srf_fill(SqlCtx *ctx, JsonSrfOp *s, const Value *args);

/* json(b)_to_record / _populate_record of a NULL document: one row of
 * NULLs, as PostgreSQL (the other functions: no rows). */
static int json_srf_null(SqlCtx *ctx, JsonSrfOp *s)
{
    if (s->kind != JSRF_TO_RECORD && s->kind != JSRF_POPULATE_RECORD) return DD_OK;
    s->rows = arena_alloc(&s->arena, sizeof(Value) * (size_t)(s->ncols + 1));
    if (!s->rows) return dd_err(ctx->err, DD_ENOMEM, -1, "out of memory");
    for (int c = 0; c < s->ncols; c++) s->rows[c] = val_null(s->rtypes[c]);
    s->nrows = 1;
    return DD_OK;
}

static int json_srf_open(SqlCtx *ctx, Op *op)
{
    JsonSrfOp *s = (JsonSrfOp *)op;
    arena_reset(&s->arena);
    s->nrows = s->next = 0;
    Value args[4];
    int rc;
    for (int i = 0; i < s->nargs; i++) {
        Value x;
        rc = expr_eval(s->args[i], &op->env, NULL, &x);
        if (!rc) rc = val_copy(&s->arena, &x, &args[i]);
        if (rc) return rc;
        if (x.isnull) return json_srf_null(ctx, s);
    }
    return json_srf_fill(ctx, s, args);
}

int op_json_srf_run(SqlCtx *ctx, Op *op, const Value *argv)
{
    JsonSrfOp *s = (JsonSrfOp *)op;
    arena_reset(&s->arena);
    s->nrows = s->next = 0;
    Value args[4];
    for (int i = 0; i < s->nargs; i++) {
        if (argv[i].isnull) return json_srf_null(ctx, s);
        int rc = val_copy(&s->arena, &argv[i], &args[i]);
        if (rc) return rc;
    }
    return json_srf_fill(ctx, s, args);
}

int op_json_srf_row(Op *op, int i, Value *out)
{
    JsonSrfOp *s = (JsonSrfOp *)op;
    if (i >= s->nrows) return 0;
    *out = s->rows[i * s->ncols];
    return 1;
}

int op_json_srf_record(Op *op, int i, Arena *a, Value *out)
{
    JsonSrfOp *s = (JsonSrfOp *)op;
    static const char *const names[] = {"key", "value"};
    if (i >= s->nrows) return 0;
    if (s->ncols != 2) return -DD_EINTERNAL;
    int rc = record_make(2, names, &s->rows[i * 2], a, out);
    return rc ? -rc : 1;
}

void op_json_srf_free(Op *op)
{
    if (op) arena_free(&((JsonSrfOp *)op)->arena);
}

/* The rows of s over its argument values args (copied, not NULL). */
static int json_srf_fill(SqlCtx *ctx, JsonSrfOp *s, const Value *args)
{
    int rc;
    Value v = args[0];
    JNode *doc;
    if ((rc = json_parse(v.v.s.p, v.v.s.len, s->type == TYPE_JSONB, &s->arena, &doc, ctx->err))) return rc;
    if (s->kind == JSRF_PATH) return json_srf_path(s, ctx, doc, args);
    const char *pre = s->type == TYPE_JSONB ? "jsonb" : "json";
    const char *fn = json_srf_names[s->kind];
    bool scalar = doc->type != J_ARRAY && doc->type != J_OBJECT;
    if (s->kind >= JSRF_TO_RECORD) {
        bool set = s->kind == JSRF_TO_RECORDSET || s->kind == JSRF_POPULATE_RECORDSET;
        if (set ? doc->type != J_ARRAY : doc->type != J_OBJECT) {
            if (set) return dd_err(ctx->err, DD_EINVALID_PARAM, -1, "cannot call %s_%s on a non-array", pre, fn);
            return dd_err(ctx->err, DD_EINVALID_PARAM, -1, "cannot call populate_composite on %s",
                          scalar ? "a scalar" : "an array");
        }
        int n = set ? (int)doc->n : 1;
        s->rows = arena_alloc(&s->arena, sizeof(Value) * (size_t)(n * s->ncols + 1));
        if (!s->rows) return dd_err(ctx->err, DD_ENOMEM, -1, "out of memory");
        for (int i = 0; i < n; i++) {
            const JNode *o = set ? doc->elems[i] : doc;
            if (o->type != J_OBJECT)
                return dd_err(ctx->err, DD_EINVALID_PARAM, -1, "argument of %s_%s must be an array of objects", pre, fn);
            if ((rc = json_record_row(s, ctx, o, &s->rows[i * s->ncols]))) return rc;
        }
        s->nrows = n;
        return DD_OK;
    }
    switch (s->kind) {
    case JSRF_EACH: case JSRF_EACH_TEXT: case JSRF_KEYS:
        if (doc->type != J_OBJECT) {
            if (s->kind == JSRF_KEYS)
                return dd_err(ctx->err, DD_EINVALID_PARAM, -1, "cannot call %s_%s on %s", pre, fn,
                              scalar ? "a scalar" : "an array");
            if (s->type == TYPE_JSONB)
                return dd_err(ctx->err, DD_EINVALID_PARAM, -1, "cannot call %s_%s on a non-object", pre, fn);
            return dd_err(ctx->err, DD_EINVALID_PARAM, -1, scalar ? "cannot deconstruct a scalar"
                                                                  : "cannot deconstruct an array as an object");
        }
        break;
    default:
        if (doc->type != J_ARRAY) {
            if (s->type == TYPE_JSONB)
                return dd_err(ctx->err, DD_EINVALID_PARAM, -1, "cannot extract elements from %s",
                              scalar ? "a scalar" : "an object");
            return dd_err(ctx->err, DD_EINVALID_PARAM, -1, "cannot call %s_%s on %s", pre, fn,
                          scalar ? "a scalar" : "a non-array");
        }
        break;
    }
    int n = (int)doc->n;
    s->rows = arena_alloc(&s->arena, sizeof(Value) * (size_t)(n * s->ncols + 1));
    if (!s->rows) return dd_err(ctx->err, DD_ENOMEM, -1, "out of memory");
    for (int i = 0; i < n; i++) {
        Value *r = &s->rows[i * s->ncols];
        switch (s->kind) {
        case JSRF_KEYS:
            r[0] = val_text(TYPE_TEXT, doc->pairs[i].k, doc->pairs[i].klen);
            break;
        case JSRF_EACH: case JSRF_EACH_TEXT:
            r[0] = val_text(TYPE_TEXT, doc->pairs[i].k, doc->pairs[i].klen);
            rc = json_srf_value(s, ctx, doc->pairs[i].v, s->kind == JSRF_EACH_TEXT, &r[1]);
            break;
        default:
            rc = json_srf_value(s, ctx, doc->elems[i], s->kind == JSRF_ELEMENTS_TEXT, &r[0]);
            break;
        }
        if (rc) return rc;
    }
    s->nrows = n;
    return DD_OK;
}

static int json_srf_next(SqlCtx *ctx, Op *op, Value **row)
{
    JsonSrfOp *s = (JsonSrfOp *)op;
    if (s->next >= s->nrows) return 0;
    if (ctx->interrupt && *ctx->interrupt) return -sql_check_interrupt(ctx);
    for (int c = 0; c < s->ncols; c++) s->row[c] = s->rows[s->next * s->ncols + c];
    s->next++;
    s->row[s->ncols] = val_int(TYPE_INT8, s->next);
    *row = s->row;
    return 1;
}

static void json_srf_close(SqlCtx *ctx, Op *op)
{
    DD_UNUSED(ctx);
    arena_free(&((JsonSrfOp *)op)->arena);
}

static void json_srf_explain(Op *op, Buf *out)
{
    JsonSrfOp *s = (JsonSrfOp *)op;
    buf_printf(out, " %s_%s", s->type == TYPE_JSONB ? "jsonb" : "json", json_srf_names[s->kind]);
}

static const OpVtbl json_srf_vt = {"Function Scan on", json_srf_open, json_srf_next, json_srf_close, json_srf_explain, NULL};

Op *op_json_srf(SqlCtx *ctx, ExprProg **args, int nargs, JsonSrfKind kind, TypeId type, bool ordinality)
{
    int ncols = kind == JSRF_EACH || kind == JSRF_EACH_TEXT ? 2 : 1;
    JsonSrfOp *s = op_alloc(ctx, sizeof(*s), &json_srf_vt, ncols + (ordinality ? 1 : 0));
    if (!s) return NULL;
    s->row = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(ncols + 1));
    if (!s->row) return NULL;
    for (int i = 0; args && i < nargs && i < 4; i++) s->args[i] = args[i];
    s->nargs = nargs;
    s->kind = kind;
    s->type = type;
    s->ncols = ncols;
    s->ordinality = ordinality;
    arena_init(&s->arena, 1024);
    op_estimate(&s->op, 100, 100);
    return &s->op;
}

Op *op_json_to_record(SqlCtx *ctx, ExprProg *arg, JsonSrfKind kind, TypeId type, int ncols, const char *const *names,
                      const TypeId *types, const i32 *typmods, bool ordinality)
{
    JsonSrfOp *s = op_alloc(ctx, sizeof(*s), &json_srf_vt, ncols + (ordinality ? 1 : 0));
    if (!s) return NULL;
    s->row = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(ncols + 1));
    if (!s->row) return NULL;
    s->args[0] = arg;
    s->nargs = 1;
    s->kind = kind;
    s->type = type;
    s->ncols = ncols;
    s->ordinality = ordinality;
    s->rnames = names;
    s->rtypes = types;
    s->rtypmods = typmods;
    arena_init(&s->arena, 1024);
    op_estimate(&s->op, kind == JSRF_TO_RECORD || kind == JSRF_POPULATE_RECORD ? 1 : 100, 100);
    return &s->op;
}

