/*
 * ssi.c - SERIALIZABLE: what serializable transactions read, what their
 * commits wrote, and the check at commit between the two (optimistic
 * validation; docs/architecture.md §3).
 *
 * A serializable read-write transaction's snapshot carries a ReadSet: what
 * it read of the present, as byte strings in two spaces, rows
 * ('r' || u32 BE table || pk) and present index entries ('i' || u32 BE
 * index || values || pk): points (a key looked up, found or not), ranges
 * [lo, hi) in memcmp order (a scan, as its cursor bounds it), and whole
 * tables or indexes.  Reads of history (AS OF, FROM..TO, ...) are not
 * noted: what a past seq holds never changes.
 *
 * The commit of a serializable transaction leaves a footprint: the row keys
 * it wrote, the present index entries it added or removed, and, for each
 * table whose definition it changed, the table and its indexes whole.
 * Footprints are kept (Ssi) while a serializable transaction that may need
 * them is open.  A serializable transaction that began at seq S and wrote
 * fails its commit with 40001 when a footprint of a serializable commit
 * after S meets its read set: what it read might not hold at its commit.
 * So every committed serializable transaction read what its commit's seq
 * holds (from serializable writers), and their history is the serial one
 * in commit order.  A transaction that wrote nothing is never checked: it
 * read one snapshot, its place in that order.
 *
 * Bounds: a read set past RS_MAX_BYTES turns coarse (each table and index
 * it read becomes whole); footprints past SSI_MAX_BYTES lose their oldest,
 * and a transaction that began before one lost fails its commit if it
 * wrote.  Both trade needless 40001s for memory, never a missed conflict.
 */
#include "store_int.h"
#include "../util/alloc.h"

#include <stdlib.h>
#include <string.h>

#define RS_MAX_BYTES (8u << 20)
#define SSI_MAX_BYTES ((size_t)64 << 20)
#define KEY_HDR 5   /* tag, u32 BE id */

/* ---- sets of u64 (open addressing; 0 is the empty slot) ---- */

typedef struct U64Set {
    u64 *v;
    size_t n, cap;
} U64Set;

static u64 mix64(u64 x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static bool u64set_has(const U64Set *s, u64 x)
{
    if (!s->cap) return false;
    for (size_t i = mix64(x) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (s->v[i] == x) return true;
        if (!s->v[i]) return false;
    }
}

static bool u64set_add(U64Set *s, u64 x)
{
    if ((s->n + 1) * 2 > s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 16;
        u64 *nv = dd_calloc(ncap, sizeof *nv);
        if (!nv) return false;
        for (size_t j = 0; j < s->cap; j++) {
            if (!s->v[j]) continue;
            size_t i = mix64(s->v[j]) & (ncap - 1);
            while (nv[i]) i = (i + 1) & (ncap - 1);
            nv[i] = s->v[j];
        }
        dd_free(s->v);
        s->v = nv;
        s->cap = ncap;
    }
    size_t i = mix64(x) & (s->cap - 1);
    for (; s->v[i]; i = (i + 1) & (s->cap - 1))
        if (s->v[i] == x) return true;
    s->v[i] = x;
    s->n++;
    return true;
}

static void u64set_free(U64Set *s)
{
    dd_free(s->v);
    memset(s, 0, sizeof *s);
}

static u64 id_of(u8 tag, u32 id) { return (u64)tag << 32 | id; }

/* ---- read sets ---- */

typedef struct RsKey { u32 off, len; } RsKey;            /* bytes in rs->keys */
typedef struct RsRange { RsKey lo, hi; bool open; } RsRange;   /* open: no upper bound */

struct ReadSet {
    Buf keys;                  /* every point's and bound's bytes, tag and id first */
    RsKey *pts; u32 npts, cappts;
    u32 *ptab; u32 ptcap;      /* hash of pts: index + 1, 0 empty */
    RsRange *rg; u32 nrg, caprg;
    U64Set whole;              /* tables and indexes read whole */
    U64Set ids;                /* sealed: every table and index read at all */
    bool coarse;               /* past RS_MAX_BYTES: everything is noted whole */
    bool failed;               /* out of memory: the commit fails (40001) */
};

static const u8 *rs_bytes(const ReadSet *rs, RsKey k) { return rs->keys.data + k.off; }

static int key_cmp(const u8 *a, size_t an, const u8 *b, size_t bn)
{
    int c = memcmp(a, b, DD_MIN(an, bn));
    return c ? c : an < bn ? -1 : an > bn;
}

static void rs_whole(ReadSet *rs, u8 tag, u32 id)
{
    if (!u64set_add(&rs->whole, id_of(tag, id))) rs->failed = true;
}

/* Every point and range becomes its table or index, whole. */
static void rs_coarsen(ReadSet *rs)
{
    for (u32 i = 0; i < rs->npts; i++) {
        const u8 *p = rs_bytes(rs, rs->pts[i]);
        rs_whole(rs, p[0], get_u32be(p + 1));
    }
    for (u32 i = 0; i < rs->nrg; i++) {
        const u8 *p = rs_bytes(rs, rs->rg[i].lo);
        rs_whole(rs, p[0], get_u32be(p + 1));
    }
    rs->npts = rs->nrg = 0;
    if (rs->ptab) memset(rs->ptab, 0, sizeof *rs->ptab * rs->ptcap);
    buf_reset(&rs->keys);
    rs->coarse = true;
}

/* Appends tag || id || a || b to the keys; false when the set must go coarse. */
static bool rs_put(ReadSet *rs, u8 tag, u32 id, const u8 *a, u32 an, const u8 *b, u32 bn, RsKey *out)
{
    size_t need = (size_t)KEY_HDR + an + bn;
    if (rs->keys.len + need > RS_MAX_BYTES) return false;
    out->off = (u32)rs->keys.len;
    out->len = (u32)need;
    buf_putc(&rs->keys, tag);
    buf_put_u32be(&rs->keys, id);
    if (an) buf_append(&rs->keys, a, an);
    if (bn) buf_append(&rs->keys, b, bn);
    return buf_ok(&rs->keys);
}

static u64 key_hash(const u8 *p, size_t n) { return dd_fnv1a(DD_FNV_INIT, p, n); }

static bool pt_find(const ReadSet *rs, const u8 *k, size_t n)
{
    if (!rs->ptcap) return false;
    for (u32 i = (u32)(key_hash(k, n) & (rs->ptcap - 1));; i = (i + 1) & (rs->ptcap - 1)) {
        u32 x = rs->ptab[i];
        if (!x) return false;
        RsKey e = rs->pts[x - 1];
        if (e.len == n && memcmp(rs_bytes(rs, e), k, n) == 0) return true;
    }
}

static bool pt_rehash(ReadSet *rs, u32 ncap)
{
    u32 *nt = dd_calloc(ncap, sizeof *nt);
    if (!nt) return false;
    for (u32 j = 0; j < rs->npts; j++) {
        RsKey e = rs->pts[j];
        u32 i = (u32)(key_hash(rs_bytes(rs, e), e.len) & (ncap - 1));
        while (nt[i]) i = (i + 1) & (ncap - 1);
        nt[i] = j + 1;
    }
    dd_free(rs->ptab);
    rs->ptab = nt;
    rs->ptcap = ncap;
    return true;
}

static void rs_point(ReadSet *rs, u8 tag, u32 id, const u8 *key, u32 n)
{
    if (rs->failed || u64set_has(&rs->whole, id_of(tag, id))) return;
    if (rs->coarse) { rs_whole(rs, tag, id); return; }
    size_t mark = rs->keys.len;
    RsKey k;
    if (!rs_put(rs, tag, id, key, n, NULL, 0, &k)) {
        rs->keys.len = mark;
        rs->keys.oom = false;
        rs_coarsen(rs);
        rs_whole(rs, tag, id);
        return;
    }
    if (pt_find(rs, rs_bytes(rs, k), k.len)) {
        rs->keys.len = mark;
        return;
    }
    if (rs->npts == rs->cappts) {
        u32 ncap = rs->cappts ? rs->cappts * 2 : 64;
        RsKey *np = dd_realloc(rs->pts, sizeof *np * ncap);
        if (!np) { rs->failed = true; return; }
        rs->pts = np;
        rs->cappts = ncap;
    }
    rs->pts[rs->npts++] = k;
    if (rs->npts * 2 > rs->ptcap) {
        if (!pt_rehash(rs, rs->ptcap ? rs->ptcap * 2 : 128)) rs->failed = true;
        return;
    }
    u32 i = (u32)(key_hash(rs_bytes(rs, k), k.len) & (rs->ptcap - 1));
    while (rs->ptab[i]) i = (i + 1) & (rs->ptcap - 1);
    rs->ptab[i] = rs->npts;
}

/* The smallest string above every string starting with p (n bytes) in
 * memcmp order: p without its trailing 0xFF bytes, last byte plus one.
 * false: none (p is all 0xFF; never, as tags are not). */
static bool successor(Buf *b, size_t from)
{
    while (b->len > from && b->data[b->len - 1] == 0xFF) b->len--;
    if (b->len == from) return false;
    b->data[b->len - 1]++;
    return true;
}

static void rs_range(ReadSet *rs, u8 tag, u32 id, const u8 *lo, u32 lolen, const u8 *hi, u32 hilen,
                     bool prefix)
{
    if (rs->failed || u64set_has(&rs->whole, id_of(tag, id))) return;
    bool whole = prefix ? lolen == 0 : (!lo || lolen == 0) && !hi;
    if (whole || rs->coarse) { rs_whole(rs, tag, id); return; }
    size_t mark = rs->keys.len;
    RsRange r = {{0, 0}, {0, 0}, false};
    bool ok = rs_put(rs, tag, id, lo, lo ? lolen : 0, NULL, 0, &r.lo);
    if (ok) {
        /* the upper bound: hi, the successor of the prefix, or the end of id */
        if (prefix) ok = rs_put(rs, tag, id, lo, lolen, NULL, 0, &r.hi);
        else if (hi) ok = rs_put(rs, tag, id, hi, hilen, NULL, 0, &r.hi);
        else ok = rs_put(rs, tag, id, NULL, 0, NULL, 0, &r.hi);
        if (ok && (prefix || !hi)) {
            r.open = !successor(&rs->keys, r.hi.off);
            r.hi.len = (u32)rs->keys.len - r.hi.off;
        }
    }
    if (!ok) {
        rs->keys.len = mark;
        rs->keys.oom = false;
        rs_coarsen(rs);
        rs_whole(rs, tag, id);
        return;
    }
    if (rs->nrg == rs->caprg) {
        u32 ncap = rs->caprg ? rs->caprg * 2 : 16;
        RsRange *nr = dd_realloc(rs->rg, sizeof *nr * ncap);
        if (!nr) { rs->failed = true; return; }
        rs->rg = nr;
        rs->caprg = ncap;
    }
    rs->rg[rs->nrg++] = r;
}

static int range_cmp(const void *a, const void *b, void *arg)
{
    const RsRange *x = a, *y = b;
    const ReadSet *rs = arg;
    return key_cmp(rs_bytes(rs, x->lo), x->lo.len, rs_bytes(rs, y->lo), y->lo.len);
}

/* Sorts the ranges and merges those that touch, so that a key is in the
 * union of them exactly when it is in the last one starting at or below
 * it; and lists every table and index read. */
static void rs_seal(ReadSet *rs)
{
    u64set_free(&rs->ids);
    for (size_t i = 0; i < rs->whole.cap; i++)
        if (rs->whole.v[i] && !u64set_add(&rs->ids, rs->whole.v[i])) rs->failed = true;
    for (u32 i = 0; i < rs->npts; i++) {
        const u8 *p = rs_bytes(rs, rs->pts[i]);
        if (!u64set_add(&rs->ids, id_of(p[0], get_u32be(p + 1)))) rs->failed = true;
    }
    for (u32 i = 0; i < rs->nrg; i++) {
        const u8 *p = rs_bytes(rs, rs->rg[i].lo);
        if (!u64set_add(&rs->ids, id_of(p[0], get_u32be(p + 1)))) rs->failed = true;
    }
    if (rs->nrg < 2) return;
    qsort_r(rs->rg, rs->nrg, sizeof *rs->rg, range_cmp, rs);
    u32 k = 0;
    for (u32 i = 1; i < rs->nrg; i++) {
        RsRange *cur = &rs->rg[k], *nx = &rs->rg[i];
        bool touches = cur->open || key_cmp(rs_bytes(rs, nx->lo), nx->lo.len, rs_bytes(rs, cur->hi), cur->hi.len) <= 0;
        if (touches) {
            if (!cur->open && (nx->open || key_cmp(rs_bytes(rs, nx->hi), nx->hi.len, rs_bytes(rs, cur->hi), cur->hi.len) > 0)) {
                cur->hi = nx->hi;
                cur->open = nx->open;
            }
        } else {
            rs->rg[++k] = *nx;
        }
    }
    rs->nrg = k + 1;
}

/* Whether a write of key k (tag, id, rest: n bytes) meets the read set. */
static bool rs_meets_key(const ReadSet *rs, const u8 *k, size_t n)
{
    if (u64set_has(&rs->whole, id_of(k[0], get_u32be(k + 1)))) return true;
    if (pt_find(rs, k, n)) return true;
    /* the last range starting at or below k */
    u32 lo = 0, hi = rs->nrg;
    while (lo < hi) {
        u32 mid = lo + (hi - lo) / 2;
        const RsRange *r = &rs->rg[mid];
        if (key_cmp(rs_bytes(rs, r->lo), r->lo.len, k, n) <= 0) lo = mid + 1;
        else hi = mid;
    }
    if (lo == 0) return false;
    const RsRange *r = &rs->rg[lo - 1];
    return r->open || key_cmp(k, n, rs_bytes(rs, r->hi), r->hi.len) < 0;
}

static void rs_free(ReadSet *rs)
{
    if (!rs) return;
    buf_free(&rs->keys);
    dd_free(rs->pts);
    dd_free(rs->ptab);
    dd_free(rs->rg);
    u64set_free(&rs->whole);
    u64set_free(&rs->ids);
    dd_free(rs);
}

/* ---- notes from the temporal layer ---- */

void snap_read_point(Snap *s, u8 tag, u32 id, const u8 *key, u32 n)
{
    if (s->rs) rs_point(s->rs, tag, id, key, n);
}

void snap_read_range(Snap *s, u8 tag, u32 id, const u8 *lo, u32 lolen, const u8 *hi, u32 hilen)
{
    if (s->rs) rs_range(s->rs, tag, id, lo, lolen, hi, hilen, false);
}

void snap_read_prefix(Snap *s, u8 tag, u32 id, const u8 *p, u32 n)
{
    if (s->rs) rs_range(s->rs, tag, id, p, n, NULL, 0, true);
}

bool snap_is_serializable(const Snap *s) { return s->rs != NULL; }

/* ---- registrations and footprints ---- */

struct SsiReg {
    u64 from;                  /* footprints of commits <= from are not needed */
    SsiReg *next, *prev;
};

/* Drops the footprints no registration needs, then the oldest past
 * SSI_MAX_BYTES.  Under ssi->mu. */
static void ssi_trim_locked(Ssi *x)
{
    u64 need = UINT64_MAX;
    for (SsiReg *r = x->regs; r; r = r->next) need = DD_MIN(need, r->from);
    size_t c = x->c0;
    while (c < x->nc && (x->c[c].seq <= need || x->items.len - x->c[c].off > SSI_MAX_BYTES)) {
        if (x->c[c].seq > need && x->c[c].seq > x->lost) x->lost = x->c[c].seq;
        c++;
    }
    x->c0 = c;
    if (x->c0 == x->nc) {
        x->c0 = x->nc = 0;
        buf_reset(&x->items);
    } else if (x->c0 > 64 && x->c0 * 2 > x->nc) {
        /* move the live part to the front */
        size_t off = x->c[x->c0].off;
        memmove(x->items.data, x->items.data + off, x->items.len - off);
        x->items.len -= off;
        for (size_t i = x->c0; i < x->nc; i++) {
            x->c[i - x->c0] = x->c[i];
            x->c[i - x->c0].off -= off;
        }
        x->nc -= x->c0;
        x->c0 = 0;
    }
}

int ssi_init(Ssi *x)
{
    memset(x, 0, sizeof *x);
    return pthread_mutex_init(&x->mu, NULL) ? -1 : 0;
}

void ssi_destroy(Ssi *x)
{
    buf_free(&x->items);
    dd_free(x->c);
    pthread_mutex_destroy(&x->mu);
}

int store_snap_begin_serializable(Store *st, Snap **out, DdError *err)
{
    *out = NULL;
    ReadSet *rs = dd_calloc(1, sizeof *rs);
    SsiReg *reg = dd_calloc(1, sizeof *reg);
    if (!rs || !reg) {
        dd_free(rs);
        dd_free(reg);
        return dd_err(err, DD_ENOMEM, -1, NULL);
    }
    /* registered first: every commit decided from now on keeps its footprint */
    Ssi *x = &st->ssi;
    pthread_mutex_lock(&x->mu);
    reg->from = x->decided;
    reg->next = x->regs;
    if (x->regs) x->regs->prev = reg;
    x->regs = reg;
    pthread_mutex_unlock(&x->mu);
    int rc = store_snap_begin(st, out, err);
    if (rc) {
        pthread_mutex_lock(&x->mu);
        if (reg->prev) reg->prev->next = reg->next;
        else x->regs = reg->next;
        if (reg->next) reg->next->prev = reg->prev;
        ssi_trim_locked(x);
        pthread_mutex_unlock(&x->mu);
        dd_free(reg);
        dd_free(rs);
        return rc;
    }
    pthread_mutex_lock(&x->mu);
    if ((*out)->seq > reg->from) reg->from = (*out)->seq;
    pthread_mutex_unlock(&x->mu);
    (*out)->rs = rs;
    (*out)->reg = reg;
    return 0;
}

void ssi_snap_end(Snap *s)
{
    if (!s->reg) return;
    Ssi *x = &s->st->ssi;
    pthread_mutex_lock(&x->mu);
    if (s->reg->prev) s->reg->prev->next = s->reg->next;
    else x->regs = s->reg->next;
    if (s->reg->next) s->reg->next->prev = s->reg->prev;
    ssi_trim_locked(x);
    pthread_mutex_unlock(&x->mu);
    dd_free(s->reg);
    rs_free(s->rs);
    s->reg = NULL;
    s->rs = NULL;
}

void ssi_seal(Snap *s)
{
    if (s && s->rs) rs_seal(s->rs);
}

/* Footprint items: u8 tag, u32 BE id, u16 BE n, n bytes.  Tags 'r' and
 * 'i' are keys; 'R' and 'I' a table or index whole (n = 0). */
static void fp_key(Buf *b, u8 tag, u32 id, const u8 *a, u32 an, const u8 *c, u32 cn)
{
    buf_putc(b, tag);
    buf_put_u32be(b, id);
    buf_put_u16be(b, (u16)(an + cn));
    buf_append(b, a, an);
    if (cn) buf_append(b, c, cn);
}

int ssi_footprint(Store *st, Buf *b, const WriteSet *ws)
{
    for (int i = 0; i < ws->nops; i++)
        fp_key(b, 'r', ws->ops[i]->table, ws->ops[i]->pk, ws->ops[i]->pklen, NULL, 0);
    for (int i = 0; i < ws->niops; i++) {
        const IndexOp *x = &ws->iops[i];
        if (!x->ever_only) fp_key(b, 'i', x->index, x->key, x->keylen, x->pk, x->pklen);
    }
    for (int i = 0; i < ws->ntables; i++) {
        const TableInfo *nt = ws->tables[i];
        fp_key(b, 'R', nt->id, NULL, 0, NULL, 0);
        for (int j = 0; j < nt->nindexes; j++) fp_key(b, 'I', nt->indexes[j].id, NULL, 0, NULL, 0);
        pthread_mutex_lock(&st->cat_mu);
        const TableInfo *cur = cat_version_locked(st, nt->id, UINT64_MAX);
        for (int j = 0; cur && j < cur->nindexes; j++) fp_key(b, 'I', cur->indexes[j].id, NULL, 0, NULL, 0);
        pthread_mutex_unlock(&st->cat_mu);
    }
    return buf_ok(b) ? 0 : DD_ENOMEM;
}

/* Whether one commit's footprint (n bytes at p) meets rs. */
static bool fp_meets(const ReadSet *rs, const u8 *p, size_t n)
{
    Cursor c;
    cur_init(&c, p, n);
    while (cur_left(&c) > 0) {
        const u8 *k = c.p;
        u8 tag = cur_u8(&c);
        u32 id = cur_u32be(&c);
        u16 len = cur_u16be(&c);
        if (!cur_bytes(&c, len) || c.bad) return true;   /* never: we wrote it */
        if (tag == 'R' || tag == 'I') {
            if (u64set_has(&rs->ids, id_of(tag == 'R' ? 'r' : 'i', id))) return true;
            continue;
        }
        /* the key: tag || id || bytes, contiguous but for the length */
        u8 small[KEY_HDR + 512];
        if ((size_t)len + KEY_HDR > sizeof small) return true;
        memcpy(small, k, KEY_HDR);
        memcpy(small + KEY_HDR, k + KEY_HDR + 2, len);
        if (rs_meets_key(rs, small, (size_t)KEY_HDR + len)) return true;
    }
    return false;
}

int ssi_check(Store *st, const Snap *s, const Buf *pending, const SsiCommit *pc, size_t npc, DdError *err)
{
    const ReadSet *rs = s->rs;
    if (!rs) return 0;
    Ssi *x = &st->ssi;
    u64 S = s->seq, met = 0;
    bool lost = false;
    pthread_mutex_lock(&x->mu);
    if (rs->failed || S < x->lost) {
        lost = true;
    } else {
        /* the first kept commit after S */
        size_t lo = x->c0, hi = x->nc;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (x->c[mid].seq <= S) lo = mid + 1;
            else hi = mid;
        }
        for (size_t i = lo; i < x->nc && !met; i++) {
            size_t end = i + 1 < x->nc ? x->c[i + 1].off : x->items.len;
            if (fp_meets(rs, x->items.data + x->c[i].off, end - x->c[i].off)) met = x->c[i].seq;
        }
    }
    pthread_mutex_unlock(&x->mu);
    /* the commits before it in this batch (all after S) */
    for (size_t i = 0; i < npc && !met && !lost; i++) {
        size_t end = i + 1 < npc ? pc[i + 1].off : pending->len;
        if (fp_meets(rs, pending->data + pc[i].off, end - pc[i].off)) met = pc[i].seq;
    }
    if (!met && !lost) return 0;
    dd_err(err, DD_ESERIALIZATION, -1, "could not serialize access due to read/write dependencies among transactions");
    if (lost)
        dd_err_detail(err, "Reason code: the changes of serializable transactions committed since this one "
                           "began (seq %llu) were too many to keep.", (unsigned long long)S);
    else
        dd_err_detail(err, "Reason code: a serializable transaction committed at seq %llu changed rows "
                           "this one read (it began at seq %llu).", (unsigned long long)met, (unsigned long long)S);
    dd_err_hint(err, "The transaction might succeed if retried.");
    return DD_ESERIALIZATION;
}

void ssi_keep(Store *st, u64 head, const Buf *pending, const SsiCommit *pc, size_t npc, u64 lost)
{
    Ssi *x = &st->ssi;
    pthread_mutex_lock(&x->mu);
    x->decided = head;
    if (lost > x->lost) x->lost = lost;
    if (x->regs && npc) {
        if (x->nc + npc > x->capc) {
            size_t ncap = DD_MAX(x->capc * 2, x->nc + npc + 16);
            SsiCommit *nc = dd_realloc(x->c, sizeof *nc * ncap);
            if (nc) {
                x->c = nc;
                x->capc = ncap;
            }
        }
        size_t base = x->items.len;
        buf_append(&x->items, pending->data, pending->len);
        if (x->nc + npc > x->capc || !buf_ok(&x->items)) {
            /* out of memory: these commits are lost to the check */
            x->items.len = base;
            x->items.oom = false;
            if (pc[npc - 1].seq > x->lost) x->lost = pc[npc - 1].seq;
        } else {
            for (size_t i = 0; i < npc; i++) {
                x->c[x->nc].seq = pc[i].seq;
                x->c[x->nc].off = base + pc[i].off;
                x->nc++;
            }
        }
    }
    ssi_trim_locked(x);
    pthread_mutex_unlock(&x->mu);
}
