/*
 * scan.c - temporal scans of one table (TScan) and index scans of the
 * present (IScan).
 *
 * TScan states:
 *   KEY_START: the cursor is on the newest entry of the next key (or past
 *              the table / the hi bound -> DONE).  scan_key_start() copies
 *              the pk, seeks (t, pk, ~upper) to the newest entry that may
 *              qualify, and takes end/end_op from the entry just newer
 *              (one step back) -> IN_KEY.
 *   IN_KEY:    the cursor is on an entry of the key, `end`/`end_op` being
 *              those of its version; rows are emitted if they pass the
 *              mode's filter; stepping to older entries continues until
 *              no older version can qualify, then scan_skip_key() seeks
 *              past the key (t, pk, 0xFF x 8) -> KEY_START.
 *   DONE.
 * Key by key, AS OF visits one entry per key (a few steps or two seeks
 * per key: O(keys * log n)), whatever the depth of history; in batches
 * (tscan_next_images) it reads the versions in runs while keys have few
 * of them (period_images).  From a checkpoint near the point (or
 * the period's start: store_ckpt_keys), only the keys that may qualify are
 * visited (listed): each KEY_START seeks the next of them.
 * PRESENT walks `current` instead.
 *
 * Periods (docs/time-travel.md §3), end 0 meaning "no end":
 *   AS_OF x:       start <= x && (end == 0 || end > x)
 *   FROM_TO a b:   start < b && (end == 0 || end > a); empty if a >= b
 *   BETWEEN a b:   start <= b && (end == 0 || end > a); empty if a > b
 *   CONTAINED_IN:  start >= a && end != 0 && end <= b
 *   ALL:           every version
 * Points are clamped to the snapshot head where that matters (AS OF).
 */
#include "temporal_int.h"
#include "../util/alloc.h"

#include <string.h>

enum { ST_KEY_START, ST_IN_KEY, ST_DONE };

struct TScan {
    Snap *s;
    StoreCursor *c;
    u32 table;
    TMode mode;
    u64 a, b;
    u64 upper;          /* newest start seq that may qualify */
    Buf hi;             /* t || hi bound, empty when unbounded */
    Buf key;            /* t || pk of the current key */
    Buf seek;           /* scratch */
    int state;
    u64 end;            /* end of the version under the cursor (0: none) */
    u8 end_op;
    bool desc;          /* present, descending: from below hi down to lo */
    Buf lo;             /* t || lo bound (desc) */
    u64 lim;            /* the snapshot's head: no entry after it is read */
    bool behind;        /* snap_behind: the present from history */
    /* from a checkpoint: only these keys, each found by a seek */
    bool listed;
    StoreCkptKeys ck;
    size_t ck_i;
    /* keys to go before stepping is tried again: stepping failed on a
     * deep history (SCAN_STEPS) */
    int nostep;
    bool taken;         /* runs (period_images): no older entry of sc->key may pass */
    int skipped;        /* runs: sc->key's entries stepped over in place */
    bool rows;          /* period_images: key by key (deep histories) */
    bool runs;          /* the cursor as runs keep it (to_rows) */
    u32 keys, seeks;    /* keys started and seeks made, key by key */
};

static bool below_hi(const TScan *sc, const u8 *k, size_t kn)
{
    if (sc->hi.len == 0) return true;
    size_t n = DD_MIN(kn, sc->hi.len);
    int c = memcmp(k, sc->hi.data, n);
    return c < 0 || (c == 0 && kn < sc->hi.len);
}

static bool in_table(const TScan *sc, const u8 *k, size_t kn)
{
    return kn >= 4 && get_u32be(k) == sc->table;
}

int tscan_open(Snap *s, u32 table, TMode mode, u64 a, u64 b, const u8 *lo, u32 lolen,
               const u8 *hi, u32 hilen, TScan **out, DdError *err)
{
    *out = NULL;
    TScan *sc = dd_calloc(1, sizeof *sc);
    if (!sc) return dd_err(err, DD_ENOMEM, -1, NULL);
    sc->s = s;
    sc->table = table;
    if (mode == TMODE_PRESENT) snap_read_range(s, SNAP_ROWS, table, lo, lo ? lolen : 0, hi, hilen);
    u64 head = snap_seq(s);
    sc->lim = head;
    sc->behind = snap_behind(s);
    if (sc->behind && mode == TMODE_PRESENT) {
        /* `current` is past the snapshot: its present is AS OF its head */
        mode = TMODE_AS_OF;
        a = head;
    }
    sc->mode = mode;
    sc->a = a;
    sc->b = b;
    switch (mode) {
    case TMODE_AS_OF: sc->upper = DD_MIN(a, head); break;
    case TMODE_FROM_TO: sc->upper = b ? b - 1 : 0; break;
    case TMODE_BETWEEN: sc->upper = b; break;
    case TMODE_CONTAINED_IN: sc->upper = b; break;
    default: sc->upper = UINT64_MAX; break;
    }
    if (sc->behind && sc->upper > head) sc->upper = head;
    bool empty = (mode == TMODE_FROM_TO && a >= b) || (mode == TMODE_BETWEEN && a > b) ||
                 (mode == TMODE_CONTAINED_IN && a > b) || (mode == TMODE_AS_OF && sc->upper == 0);
    if (hi) {
        buf_put_u32be(&sc->hi, table);
        buf_append(&sc->hi, hi, hilen);
    }
    tv_key(&sc->seek, table, lo, lo ? lolen : 0);
    if (!buf_ok(&sc->hi) || !buf_ok(&sc->seek)) {
        tscan_close(sc);
        return dd_err(err, DD_ENOMEM, -1, NULL);
    }
    int rc = store_cursor_open(s, mode == TMODE_PRESENT ? STORE_DB_CURRENT : STORE_DB_VERSIONS, &sc->c, err);
    if (rc) {
        tscan_close(sc);
        return rc;
    }
    if (!empty && (mode == TMODE_AS_OF || mode == TMODE_FROM_TO || mode == TMODE_BETWEEN ||
                   mode == TMODE_CONTAINED_IN) && !sc->behind && !lo && !hi) {
        /* a whole table from a checkpoint near a, when that visits fewer
         * keys: those visible at a and those written after it up to the
         * period's end (a range or a key: seeks of its own) */
        u64 at = mode == TMODE_AS_OF ? sc->upper : DD_MIN(a, head), to = DD_MIN(sc->upper, head);
        rc = store_ckpt_keys(s, table, at, DD_MAX(at, to), &sc->ck, err);
        if (rc < 0) {
            tscan_close(sc);
            return -rc;
        }
        if (rc > 0) {
            sc->listed = true;
            sc->state = ST_KEY_START;
            *out = sc;
            return 0;
        }
    }
    if (empty || !store_cursor_seek(sc->c, sc->seek.data, sc->seek.len)) sc->state = ST_DONE;
    else sc->state = ST_KEY_START;
    *out = sc;
    return 0;
}

u64 tscan_checkpoint(const TScan *sc)
{
    return sc->ck.seq;
}

/* The Version of a `current` entry; false for a malformed one (skipped). */
static bool present_version(const u8 *k, size_t kn, const u8 *val, size_t vn, Version *v)
{
    if (vn < FMT_CUR_HDR || kn <= 4) return false;
    v->pk = k + 4;
    v->pklen = (u32)(kn - 4);
    v->rec = val + FMT_CUR_HDR;
    v->reclen = (u32)(vn - FMT_CUR_HDR);
    v->start = get_u64be(val);
    v->start_op = val[8];
    v->end = 0;
    v->end_op = 0;
    return true;
}

int tscan_open_desc(Snap *s, u32 table, const u8 *lo, u32 lolen, const u8 *hi, u32 hilen, TScan **out,
                    DdError *err)
{
    *out = NULL;
    TScan *sc = dd_calloc(1, sizeof *sc);
    if (!sc) return dd_err(err, DD_ENOMEM, -1, NULL);
    sc->s = s;
    sc->table = table;
    sc->mode = TMODE_PRESENT;
    sc->desc = true;
    sc->lim = snap_seq(s);
    sc->behind = snap_behind(s);
    snap_read_range(s, SNAP_ROWS, table, lo, lo ? lolen : 0, hi, hilen);
    tv_key(&sc->lo, table, lo, lo ? lolen : 0);
    /* the first entry past the range: t || hi, or the next table's first */
    if (hi) tv_key(&sc->seek, table, hi, hilen);
    else if (table < UINT32_MAX) buf_put_u32be(&sc->seek, table + 1);
    if (!buf_ok(&sc->lo) || !buf_ok(&sc->seek)) {
        tscan_close(sc);
        return dd_err(err, DD_ENOMEM, -1, NULL);
    }
    int rc = store_cursor_open(s, sc->behind ? STORE_DB_VERSIONS : STORE_DB_CURRENT, &sc->c, err);
    if (rc) {
        tscan_close(sc);
        return rc;
    }
    int at;
    if (sc->seek.len) at = store_cursor_seek(sc->c, sc->seek.data, sc->seek.len) ? store_cursor_prev(sc->c)
                                                                              : store_cursor_last(sc->c);
    else at = store_cursor_last(sc->c);
    sc->state = at ? ST_KEY_START : ST_DONE;
    *out = sc;
    return 0;
}

/* Descending over the versions database (snap_behind): the cursor is on
 * some entry of the next key down; that key's version at the snapshot's
 * head is one seek, then the cursor goes to the last entry of the key
 * below it (seek the key's first entry, step back). */
static int next_behind_desc(TScan *sc, Version *v, DdError *err)
{
    const u8 *k, *val;
    size_t kn, vn;
    for (;;) {
        if (sc->state == ST_DONE) return 0;
        store_cursor_get(sc->c, &k, &kn, &val, &vn);
        if (!in_table(sc, k, kn) || kn < 4 + 8 + 1) {
            sc->state = ST_DONE;
            return 0;
        }
        size_t keyn = kn - 8;
        int c = memcmp(k, sc->lo.data, DD_MIN(keyn, sc->lo.len));
        if (c < 0 || (c == 0 && keyn < sc->lo.len)) {
            sc->state = ST_DONE;
            return 0;
        }
        buf_reset(&sc->key);
        buf_append(&sc->key, k, keyn);
        buf_reset(&sc->seek);
        buf_append(&sc->seek, k, keyn);
        buf_put_u64be(&sc->seek, UINT64_MAX - sc->lim);
        if (!buf_ok(&sc->key) || !buf_ok(&sc->seek)) return -dd_err(err, DD_ENOMEM, -1, NULL);
        TEntry e;
        bool have = false;
        if (store_cursor_seek(sc->c, sc->seek.data, sc->seek.len)) {
            store_cursor_get(sc->c, &k, &kn, &val, &vn);
            if (tv_same_key(k, kn, sc->key.data, sc->key.len)) {
                if (tv_parse(k, kn, val, vn, &e) != 0) {
                    dd_corrupt(err, "versions: malformed entry");
                    return -DD_ECORRUPT;
                }
                have = !e.tomb;
            }
        }
        /* on to the key below: the map's pages stay put, so e's pointers
         * outlive the cursor's moves */
        if (!store_cursor_seek(sc->c, sc->key.data, sc->key.len) || !store_cursor_prev(sc->c))
            sc->state = ST_DONE;
        if (have) {
            tv_fill(v, &e, 0, 0);
            return 1;
        }
    }
}

static int next_present_desc(TScan *sc, Version *v)
{
    const u8 *k, *val;
    size_t kn, vn;
    for (;;) {
        if (sc->state == ST_DONE) return 0;
        if (sc->state == ST_IN_KEY && !store_cursor_prev(sc->c)) {
            sc->state = ST_DONE;
            return 0;
        }
        sc->state = ST_IN_KEY;
        store_cursor_get(sc->c, &k, &kn, &val, &vn);
        if (!in_table(sc, k, kn) || memcmp(k, sc->lo.data, DD_MIN(kn, sc->lo.len)) < 0 ||
            (kn < sc->lo.len && memcmp(k, sc->lo.data, kn) == 0)) {
            sc->state = ST_DONE;
            return 0;
        }
        if (present_version(k, kn, val, vn, v)) return 1;
    }
}

void tscan_close(TScan *sc)
{
    if (!sc) return;
    store_cursor_close(sc->c);
    buf_free(&sc->lo);
    buf_free(&sc->hi);
    buf_free(&sc->key);
    buf_free(&sc->seek);
    store_ckpt_keys_free(&sc->ck);
    dd_free(sc);
}

/* A key's entries are stepped over this many at a time before a seek
 * skips the rest: a step costs a fraction of a seek from the root, and
 * most keys have few versions.  When the steps fall short, the next
 * SCAN_NOSTEP keys seek at once (a deep history pays for a ninth of its
 * keys' steps). */
#define SCAN_STEPS 3
#define SCAN_NOSTEP 8

/* Whether this key's entries may be stepped over (counts a key's step
 * or seek). */
static bool may_step(TScan *sc)
{
    if (sc->nostep == 0) return true;
    sc->nostep--;
    return false;
}

static int seek_past_key(TScan *sc);

/* Moves to the first entry after every entry of the current key, the
 * cursor being on one of them. */
static int scan_skip_key(TScan *sc)
{
    if (sc->listed) {   /* the next listed key is sought anyway */
        sc->state = ST_KEY_START;
        return 0;
    }
    bool step = may_step(sc);
    for (int i = 0; step && i < SCAN_STEPS; i++) {
        if (!store_cursor_next(sc->c)) {
            sc->state = ST_DONE;
            return 0;
        }
        const u8 *k;
        size_t kn;
        store_cursor_get(sc->c, &k, &kn, NULL, NULL);
        if (!tv_same_key(k, kn, sc->key.data, sc->key.len)) {
            sc->state = ST_KEY_START;
            return 0;
        }
        if (i == SCAN_STEPS - 1) sc->nostep = SCAN_NOSTEP;
    }
    return seek_past_key(sc);
}

/* Seeks to the first entry after every entry of the current key, from
 * wherever the cursor is. */
static int seek_past_key(TScan *sc)
{
    sc->seeks++;
    buf_reset(&sc->seek);
    buf_append(&sc->seek, sc->key.data, sc->key.len);
    buf_put_u64be(&sc->seek, UINT64_MAX);
    if (!buf_ok(&sc->seek)) return DD_ENOMEM;
    sc->state = store_cursor_seek(sc->c, sc->seek.data, sc->seek.len) ? ST_KEY_START : ST_DONE;
    if (sc->state == ST_KEY_START) {
        /* seq 0 is never stored, but be exact anyway. */
        const u8 *k;
        size_t kn;
        store_cursor_get(sc->c, &k, &kn, NULL, NULL);
        if (kn == sc->seek.len && memcmp(k, sc->seek.data, kn) == 0 && !store_cursor_next(sc->c))
            sc->state = ST_DONE;
    }
    return 0;
}

/* Listed: the cursor onto the newest entry of the next listed key that
 * has one: 1; 0 when none is left; -DD_ENOMEM. */
static int seek_listed(TScan *sc, DdError *err)
{
    while (sc->ck_i < sc->ck.n) {
        u32 pklen;
        const u8 *pk = store_ckpt_key_at(&sc->ck, sc->ck_i++, &pklen);
        tv_key(&sc->seek, sc->table, pk, pklen);
        if (!buf_ok(&sc->seek)) return -dd_err(err, DD_ENOMEM, -1, NULL);
        if (!store_cursor_seek(sc->c, sc->seek.data, sc->seek.len)) continue;
        const u8 *k;
        size_t kn;
        store_cursor_get(sc->c, &k, &kn, NULL, NULL);
        if (kn == sc->seek.len + 8 && memcmp(k, sc->seek.data, sc->seek.len) == 0) return 1;
    }
    return 0;
}

/* The cursor onto sc->key's newest entry at or before upper (IN_KEY, its
 * end from the entry just newer), or the next key's (KEY_START) when it
 * has none, or DONE; 0 or DD_ENOMEM. */
static int seek_point(TScan *sc)
{
    sc->seeks++;
    sc->end = 0;
    sc->end_op = 0;
    buf_reset(&sc->seek);
    buf_append(&sc->seek, sc->key.data, sc->key.len);
    buf_put_u64be(&sc->seek, UINT64_MAX - sc->upper);
    if (!buf_ok(&sc->seek)) return DD_ENOMEM;
    if (!store_cursor_seek(sc->c, sc->seek.data, sc->seek.len)) {
        sc->state = ST_DONE;
        return 0;
    }
    const u8 *k;
    size_t kn;
    store_cursor_get(sc->c, &k, &kn, NULL, NULL);
    if (!tv_same_key(k, kn, sc->key.data, sc->key.len)) {
        sc->state = ST_KEY_START;  /* no version old enough: next key */
        return 0;
    }
    /* The entry just newer gives this version's end. */
    if (store_cursor_prev(sc->c)) {
        const u8 *pk2, *pv2;
        size_t pkn2, pvn2;
        TEntry n;
        store_cursor_get(sc->c, &pk2, &pkn2, &pv2, &pvn2);
        if (tv_same_key(pk2, pkn2, sc->key.data, sc->key.len) && tv_parse(pk2, pkn2, pv2, pvn2, &n) == 0 &&
            n.seq <= sc->lim) {
            sc->end = n.seq;
            sc->end_op = tv_end_op_of(&n);
        }
        store_cursor_next(sc->c);
    }
    sc->state = ST_IN_KEY;
    return 0;
}

/* KEY_START -> IN_KEY (or DONE / another KEY_START). */
static int scan_key_start(TScan *sc, DdError *err)
{
    const u8 *k, *v;
    size_t kn, vn;
    store_cursor_get(sc->c, &k, &kn, &v, &vn);
    if (!in_table(sc, k, kn) || kn < 4 + 8 + 1 || !below_hi(sc, k, kn - 8)) {
        sc->state = ST_DONE;
        return 0;
    }
    sc->keys++;
    buf_reset(&sc->key);
    buf_append(&sc->key, k, kn - 8);
    if (!buf_ok(&sc->key)) return dd_err(err, DD_ENOMEM, -1, NULL);
    u64 newest = UINT64_MAX - get_u64be(k + kn - 8);
    sc->end = 0;
    sc->end_op = 0;
    if (newest <= sc->upper) {
        sc->state = ST_IN_KEY;  /* already on the newest qualifying entry */
        return 0;
    }
    /* A few versions newer than the point are stepped over; the entry
     * stepped from, just newer, gives the end. */
    TEntry n;
    bool step = may_step(sc);
    for (int i = 0; step && i < SCAN_STEPS; i++) {
        const u8 *pk = k, *pv = v;
        size_t pkn = kn, pvn = vn;
        if (!store_cursor_next(sc->c)) {
            sc->state = ST_DONE;
            return 0;
        }
        store_cursor_get(sc->c, &k, &kn, &v, &vn);
        if (!tv_same_key(k, kn, sc->key.data, sc->key.len)) {
            sc->state = ST_KEY_START;  /* no version old enough: next key */
            return 0;
        }
        if (UINT64_MAX - get_u64be(k + kn - 8) <= sc->upper) {
            if (tv_parse(pk, pkn, pv, pvn, &n) == 0 && n.seq <= sc->lim) {
                sc->end = n.seq;
                sc->end_op = tv_end_op_of(&n);
            }
            sc->state = ST_IN_KEY;
            return 0;
        }
        if (i == SCAN_STEPS - 1) sc->nostep = SCAN_NOSTEP;
    }
    return seek_point(sc) ? dd_err(err, DD_ENOMEM, -1, NULL) : 0;
}

/* Whether version [start, end) passes the mode's filter. */
static bool passes(const TScan *sc, u64 start, u64 end)
{
    u64 a = sc->a, b = sc->b;
    switch (sc->mode) {
    case TMODE_AS_OF: return start <= sc->upper && (end == 0 || end > sc->upper);
    case TMODE_FROM_TO: return start < b && (end == 0 || end > a);
    case TMODE_BETWEEN: return start <= b && (end == 0 || end > a);
    case TMODE_CONTAINED_IN: return start >= a && end != 0 && end <= b;
    default: return true;
    }
}

/* Whether an older version than one starting at `start` may still pass. */
static bool older_may_pass(const TScan *sc, u64 start)
{
    switch (sc->mode) {
    case TMODE_AS_OF: return false;
    case TMODE_FROM_TO:
    case TMODE_BETWEEN: return start > sc->a;          /* older ends at start */
    case TMODE_CONTAINED_IN: return start > sc->a;     /* older starts before start */
    default: return true;
    }
}

static int next_present(TScan *sc, Version *v)
{
    if (sc->state == ST_DONE) return 0;
    const u8 *k, *val;
    size_t kn, vn;
    for (;;) {
        if (sc->state == ST_IN_KEY && !store_cursor_next(sc->c)) {
            sc->state = ST_DONE;
            return 0;
        }
        sc->state = ST_IN_KEY;
        store_cursor_get(sc->c, &k, &kn, &val, &vn);
        if (!in_table(sc, k, kn) || !below_hi(sc, k, kn)) {
            sc->state = ST_DONE;
            return 0;
        }
        if (present_version(k, kn, val, vn, v)) return 1;
    }
}

/* tscan_next's walk of the versions; with budget, each key it starts
 * counts one off it, and with none left it returns 2 at a key's start. */
static int next_version(TScan *sc, Version *v, int *budget, DdError *err)
{
    for (;;) {
        if (sc->state == ST_DONE && (!sc->listed || sc->ck_i == sc->ck.n)) return 0;
        if (budget && sc->state != ST_IN_KEY && (*budget)-- <= 0) return 2;
        if (sc->state == ST_DONE || (sc->state == ST_KEY_START && sc->listed)) {
            int f = seek_listed(sc, err);
            if (f == 0) sc->state = ST_DONE;   /* every listed key read */
            if (f <= 0) return f;
            sc->state = ST_KEY_START;
        }
        if (sc->state == ST_KEY_START) {
            int rc = scan_key_start(sc, err);
            if (rc) return -rc;
            continue;
        }
        /* IN_KEY: the cursor is on an entry of sc->key. */
        const u8 *k, *val;
        size_t kn, vn;
        store_cursor_get(sc->c, &k, &kn, &val, &vn);
        if (!tv_same_key(k, kn, sc->key.data, sc->key.len)) {
            sc->state = ST_KEY_START;
            continue;
        }
        TEntry e;
        if (tv_parse(k, kn, val, vn, &e) != 0) {
            dd_corrupt(err, "versions: malformed entry");
            return -DD_ECORRUPT;
        }
        u64 end = sc->end;
        u8 end_op = sc->end_op;
        bool emit = !e.tomb && passes(sc, e.seq, end);
        if (emit) tv_fill(v, &e, end, end_op);
        /* Advance: the next older version ends where this entry starts. */
        sc->end = e.seq;
        sc->end_op = tv_end_op_of(&e);
        if (older_may_pass(sc, e.seq)) {
            if (!store_cursor_next(sc->c)) sc->state = ST_DONE;
        } else {
            int rc = scan_skip_key(sc);
            if (rc) return -dd_err(err, rc, -1, NULL);
        }
        if (emit) return 1;
    }
}

static int to_rows(TScan *sc);

int tscan_next(TScan *sc, Version *v, DdError *err)
{
    if (sc->desc) return sc->behind ? next_behind_desc(sc, v, err) : next_present_desc(sc, v);
    if (sc->mode == TMODE_PRESENT) return next_present(sc, v);
    int e = to_rows(sc);
    if (e == DD_ECORRUPT) {
        dd_corrupt(err, "versions: malformed entry");
        return -DD_ECORRUPT;
    }
    if (e) return -dd_err(err, e, -1, NULL);
    return next_version(sc, v, NULL, err);
}

/* A key's entries stepped over in place before a seek skips the rest of
 * them (about a leaf page); and the entries one call of period_images
 * reads at most, so that its caller sees a cancel in time. */
#define RUN_SKIP 48
#define RUN_BUDGET 4096

/*
 * A period's scan of a whole table or a key range, a run of the cursor at
 * a time (the rest of a leaf page read in place), as next_version walks
 * it key by key: a key's entries newer than upper are stepped over, the
 * last of them (if no newer than the snapshot's head) ending the next;
 * from there each entry's version passes the mode's filter or not, with
 * the entry just newer as its end, until no older one may pass, and the
 * key's other entries are stepped over.  Past RUN_SKIP entries stepped
 * over, a seek skips the rest: to the key's first entry at or before
 * upper (seek_point), or past the key.  AS OF, a key's first entry at or
 * before the point is its version there; ALL takes every entry.
 */
static int runs_images(TScan *sc, TImage *out, int max, int *keys, int *rc, DdError *err)
{
    StoreEntry e[64];
    int n = 0, read = 0;
    *keys = 0;
    while (n < max && sc->state != ST_DONE && read < RUN_BUDGET) {
        int want = DD_MIN(max - n, (int)DD_ARRAY_LEN(e));
        int got = store_cursor_run(sc->c, sc->state == ST_KEY_START, e, want);
        sc->state = ST_IN_KEY;
        if (store_cursor_corrupt(sc->c)) {
            *rc = dd_corrupt(err, "the data file is damaged: a page of the versions does not hold its keys in "
                                  "order, or cannot be read");
            sc->state = ST_DONE;
            return n;
        }
        if (got < want) sc->state = ST_DONE;
        read += got;
        /* keys in order: when the run's first and last are in range, so
         * are those between */
        bool all = got > 0 && in_table(sc, e[0].k, e[0].kn) && e[got - 1].kn >= 4 + 8 + 1 &&
                   in_table(sc, e[got - 1].k, e[got - 1].kn) && below_hi(sc, e[got - 1].k, e[got - 1].kn - 8);
        for (int i = 0; i < got; i++) {
            const u8 *k = e[i].k;
            size_t kn = e[i].kn;
            if (kn < 4 + 8 + 1 || (!all && (!in_table(sc, k, kn) || !below_hi(sc, k, kn - 8)))) {
                sc->state = ST_DONE;
                return n;
            }
            if (!tv_same_key(k, kn, sc->key.data, sc->key.len)) {
                buf_reset(&sc->key);
                buf_append(&sc->key, k, kn - 8);
                if (!buf_ok(&sc->key)) {
                    *rc = dd_err(err, DD_ENOMEM, -1, NULL);
                    sc->state = ST_DONE;
                    return n;
                }
                sc->taken = false;
                sc->skipped = 0;
                sc->end = 0;
                (*keys)++;
            }
            u64 seq = UINT64_MAX - get_u64be(k + kn - 8);
            if (!sc->taken && seq <= sc->upper) {
                TEntry t;
                if (tv_parse(k, kn, e[i].v, e[i].vn, &t) != 0) {
                    *rc = dd_corrupt(err, "versions: malformed entry");
                    sc->state = ST_DONE;
                    return n;
                }
                if (!t.tomb && passes(sc, seq, sc->end)) out[n++] = (TImage){t.rec, t.reclen, t.seq};
                sc->end = seq;
                sc->taken = !older_may_pass(sc, seq);
                sc->skipped = 0;
                continue;
            }
            if (!sc->taken) sc->end = seq <= sc->lim ? seq : 0;   /* newer than upper */
            if (++sc->skipped <= RUN_SKIP) continue;
            /* a deep history: a seek */
            sc->skipped = 0;
            int f = sc->taken ? seek_past_key(sc) : seek_point(sc);   /* the cursor is at the run's end */
            if (f) {
                *rc = dd_err(err, f, -1, NULL);
                sc->state = ST_DONE;
                return n;
            }
            /* it lands past the entry just read, else the page that led
             * it back is damaged (the runs would go round) */
            const u8 *at;
            size_t atn;
            store_cursor_get(sc->c, &at, &atn, NULL, NULL);
            int c = sc->state == ST_DONE ? 1 : memcmp(at, k, DD_MIN(atn, kn));
            if (c < 0 || (c == 0 && atn <= kn)) {
                *rc = dd_corrupt(err, "the data file is damaged: a page of the versions does not hold its keys in "
                                      "order");
                sc->state = ST_DONE;
                return n;
            }
            /* as runs keep it: an entry not read, of the next key, or of
             * this one with its end in sc->end (seek_point) */
            if (sc->state != ST_DONE) sc->state = ST_KEY_START;
            break;
        }
    }
    return n;
}

/* Runs read a page's entries in place but find a node again per page
 * (about a seek), and read every entry of a key; key by key, a key costs
 * a few steps or two seeks.  A call of runs that read more than
 * DEEP_ENTRIES entries a key goes key by key next (not ALL, which takes
 * every entry); a call key by key that sought for fewer than a quarter of
 * its keys goes back to runs. */
#define DEEP_ENTRIES 8

/*
 * The two ways keep the cursor differently.  Key by key (next_version):
 * KEY_START is on a key's newest entry, not read, and IN_KEY on an entry
 * of sc->key at or before upper, not read, whose end is sc->end.  In
 * runs: KEY_START is on an entry not read, either of another key than
 * sc->key or of sc->key with its end in sc->end, and IN_KEY on the last
 * entry read.  sc->runs says which holds; to_rows and to_runs turn one
 * into the other, so that tscan_next and tscan_next_images may follow
 * each other on one scan.  0 or an error code.
 */
static int to_rows(TScan *sc)
{
    if (!sc->runs) return 0;
    sc->runs = false;
    const u8 *k, *v;
    size_t kn, vn;
    if (sc->state == ST_KEY_START) {
        store_cursor_get(sc->c, &k, &kn, NULL, NULL);
        if (!sc->taken && tv_same_key(k, kn, sc->key.data, sc->key.len)) sc->state = ST_IN_KEY;
        return 0;
    }
    if (sc->state != ST_IN_KEY) return 0;
    if (sc->taken) return scan_skip_key(sc);
    store_cursor_get(sc->c, &k, &kn, &v, &vn);
    TEntry t;
    if (tv_parse(k, kn, v, vn, &t) != 0) return DD_ECORRUPT;
    if (t.seq > sc->upper) return seek_point(sc);   /* the key's first to read not reached */
    /* the entry read ends the next, older one, which is not read */
    sc->end = t.seq;
    sc->end_op = tv_end_op_of(&t);
    sc->state = store_cursor_next(sc->c) ? ST_IN_KEY : ST_DONE;
    return 0;
}

static void to_runs(TScan *sc)
{
    if (sc->runs) return;
    sc->runs = true;
    sc->taken = false;
    sc->skipped = 0;
    if (sc->state == ST_IN_KEY) sc->state = ST_KEY_START;   /* an entry of sc->key, not read, its end in sc->end */
    else buf_reset(&sc->key);   /* KEY_START: the next key's newest entry, not read */
}

static int period_images(TScan *sc, TImage *out, int max, int *rc, DdError *err)
{
    int n = 0;
    if (!sc->rows) {
        int keys;
        to_runs(sc);
        n = runs_images(sc, out, max, &keys, rc, err);
        if (*rc || sc->state == ST_DONE || n == max || keys * DEEP_ENTRIES >= RUN_BUDGET || sc->mode == TMODE_ALL)
            return n;
        sc->rows = true;
        sc->keys = sc->seeks = 0;
        int e = to_rows(sc);
        if (e) *rc = e == DD_ECORRUPT ? dd_corrupt(err, "versions: malformed entry") : dd_err(err, e, -1, NULL);
        return n;
    }
    int e = to_rows(sc);
    if (e) {
        *rc = e == DD_ECORRUPT ? dd_corrupt(err, "versions: malformed entry") : dd_err(err, e, -1, NULL);
        return 0;
    }
    int budget = RUN_BUDGET / DEEP_ENTRIES;
    u32 keys0 = sc->keys, seeks0 = sc->seeks;
    while (n < max) {
        Version v;
        int r = next_version(sc, &v, &budget, err);
        if (r < 0) {
            *rc = -r;
            return n;
        }
        if (r != 1) break;
        out[n++] = (TImage){v.rec, v.reclen, v.start};
    }
    u32 keys = sc->keys - keys0, seeks = sc->seeks - seeks0;
    if (sc->state == ST_KEY_START && keys >= 16 && seeks * 4 < keys) sc->rows = false;
    return n;
}

bool tscan_done(const TScan *sc)
{
    return sc->state == ST_DONE && (!sc->listed || sc->ck_i == sc->ck.n);
}

int tscan_next_images(TScan *sc, TImage *out, int max, int *rc, DdError *err)
{
    int n = 0;
    *rc = 0;
    if (!sc->desc && sc->mode != TMODE_PRESENT && !sc->listed) return period_images(sc, out, max, rc, err);
    if (sc->desc || sc->mode != TMODE_PRESENT) {
        for (; n < max; n++) {
            Version v;
            int r = tscan_next(sc, &v, err);
            if (r < 0) {
                *rc = -r;
                break;
            }
            if (r == 0) break;
            out[n] = (TImage){v.rec, v.reclen, v.start};
        }
        return n;
    }
    /* next_present's walk, a run of the cursor at a time */
    StoreEntry e[64];
    while (n < max && sc->state != ST_DONE) {
        int want = DD_MIN(max - n, (int)DD_ARRAY_LEN(e));
        int got = store_cursor_run(sc->c, sc->state != ST_IN_KEY, e, want);
        sc->state = ST_IN_KEY;
        if (store_cursor_corrupt(sc->c)) {
            *rc = dd_corrupt(err, "the data file is damaged: a page of the present's rows does not hold its keys in "
                                  "order, or cannot be read");
            sc->state = ST_DONE;
            return n;
        }
        /* keys in order: when the run's first and last keys are the
         * table's and below hi, so are the ones between */
        bool all = got > 0 && in_table(sc, e[0].k, e[0].kn) && in_table(sc, e[got - 1].k, e[got - 1].kn) &&
                   below_hi(sc, e[got - 1].k, e[got - 1].kn);
        for (int i = 0; i < got; i++) {
            Version v;
            if (!all && (!in_table(sc, e[i].k, e[i].kn) || !below_hi(sc, e[i].k, e[i].kn))) {
                sc->state = ST_DONE;
                return n;
            }
            if (present_version(e[i].k, e[i].kn, e[i].v, e[i].vn, &v)) out[n++] = (TImage){v.rec, v.reclen, v.start};
        }
        if (got < want) sc->state = ST_DONE;
    }
    return n;
}

/* ---- index scans ---- */

struct IScan {
    StoreCursor *c;
    Buf lo;             /* index id || lower bound (the seek) */
    Buf hi;             /* index id || upper bound, exclusive; or just the id
                           (4 bytes): every entry of the index */
    bool prefix;        /* hi is a prefix every entry must start with */
    bool started, done;
    bool desc;          /* from the last entry in range down to lo */
    /* snap_behind: the present entries are past the snapshot, so the scan
     * reads the history entries and keeps those equal to the key its row
     * had at the snapshot's head */
    Snap *s;
    const TableInfo *t;
    const IndexInfo *ix;
    StoreIndexKeyFn keyfn;
    Buf ikey;
};

static int iscan_new(Snap *s, IScan **out, DdError *err)
{
    *out = NULL;
    IScan *sc = dd_calloc(1, sizeof *sc);
    if (!sc) return dd_err(err, DD_ENOMEM, -1, NULL);
    sc->s = s;
    int rc = store_cursor_open(s, STORE_DB_INDEX, &sc->c, err);
    if (rc) {
        dd_free(sc);
        return rc;
    }
    *out = sc;
    return 0;
}

/* The id whose entries a scan of index reads: under snap_behind, a present
 * index of a table in the catalog (history entries complete since its
 * creation) is read through its history entries, checked (iscan_keep). */
static u32 iscan_id(IScan *sc, u32 index)
{
    if ((index & FMT_INDEX_EVER) || !snap_behind(sc->s) || !(sc->keyfn = store_index_key_fn())) return index;
    sc->t = store_index_owner(sc->s, index, snap_seq(sc->s), &sc->ix);
    if (!sc->t || !sc->ix->ever) return index;
    sc->t = store_table_version(sc->s, sc->t->id, snap_seq(sc->s));
    return index | FMT_INDEX_EVER;
}

/* Whether the history entry (key k, pk) is the one the pk's row had at
 * the snapshot's head. */
static bool iscan_keep(IScan *sc, const u8 *k, size_t kn, const u8 *pk, u32 pklen)
{
    Version v;
    if (tget_as_of(sc->s, sc->t->id, pk, pklen, snap_seq(sc->s), &v) <= 0) return false;
    DdError e;
    if (sc->keyfn(sc->t, sc->ix, v.rec, v.reclen, v.start, &sc->ikey, &e)) return false;
    size_t vn = kn - 4 - pklen;
    return sc->ikey.len > 0 && sc->ikey.len == vn && memcmp(sc->ikey.data, k + 4, vn) == 0;
}

int iscan_open(Snap *s, u32 index, const u8 *prefix, u32 n, IScan **out, DdError *err)
{
    IScan *sc;
    int rc = iscan_new(s, &sc, err);
    if (rc) return rc;
    if (!(index & FMT_INDEX_EVER)) snap_read_prefix(s, SNAP_INDEX, index, prefix, n);
    index = iscan_id(sc, index);
    buf_put_u32be(&sc->lo, index);
    buf_append(&sc->lo, prefix, n);
    buf_append(&sc->hi, sc->lo.data, sc->lo.len);
    sc->prefix = true;
    if (!buf_ok(&sc->lo) || !buf_ok(&sc->hi)) {
        iscan_close(sc);
        return dd_err(err, DD_ENOMEM, -1, NULL);
    }
    *out = sc;
    return 0;
}

int iscan_open_range(Snap *s, u32 index, const u8 *lo, u32 lolen, const u8 *hi, u32 hilen,
                     IScan **out, DdError *err)
{
    IScan *sc;
    int rc = iscan_new(s, &sc, err);
    if (rc) return rc;
    if (!(index & FMT_INDEX_EVER)) snap_read_range(s, SNAP_INDEX, index, lo, lo ? lolen : 0, hi, hilen);
    index = iscan_id(sc, index);
    buf_put_u32be(&sc->lo, index);
    if (lo) buf_append(&sc->lo, lo, lolen);
    buf_put_u32be(&sc->hi, index);
    if (hi) buf_append(&sc->hi, hi, hilen);
    sc->prefix = !hi;
    if (!buf_ok(&sc->lo) || !buf_ok(&sc->hi)) {
        iscan_close(sc);
        return dd_err(err, DD_ENOMEM, -1, NULL);
    }
    *out = sc;
    return 0;
}

int iscan_open_range_desc(Snap *s, u32 index, const u8 *lo, u32 lolen, const u8 *hi, u32 hilen,
                          IScan **out, DdError *err)
{
    int rc = iscan_open_range(s, index, lo, lolen, hi, hilen, out, err);
    if (!rc) (*out)->desc = true;
    return rc;
}

/* Descending: the cursor's first step goes to the last entry below hi
 * (below the next index's entries when hi is open), then backwards while
 * entries are >= lo. */
static int iscan_step_desc(IScan *sc)
{
    if (sc->started) return store_cursor_prev(sc->c);
    sc->started = true;
    Buf past = BUF_INIT;
    buf_append(&past, sc->hi.data, sc->hi.len);
    if (sc->prefix) {
        /* entries starting with hi: stop before hi's successor */
        while (past.len && past.data[past.len - 1] == 0xFF) past.len--;
        if (!past.len) { buf_free(&past); return store_cursor_last(sc->c); }
        past.data[past.len - 1]++;
    }
    int ok = buf_ok(&past) && store_cursor_seek(sc->c, past.data, past.len) ? store_cursor_prev(sc->c)
                                                                            : store_cursor_last(sc->c);
    buf_free(&past);
    return ok;
}

/* The pk is the key's last pklen bytes, pklen being the entry's value
 * (format.h), so truncated long values need no parsing. */
int iscan_next(IScan *sc, const u8 **pk, u32 *pklen)
{
    for (;;) {
        if (sc->done) return 0;
        if (sc->desc) {
            int ok = iscan_step_desc(sc);
            const u8 *k, *v;
            size_t kn, vn;
            store_cursor_get(sc->c, &k, &kn, &v, &vn);
            int c = ok ? memcmp(k, sc->lo.data, DD_MIN(kn, sc->lo.len)) : -1;
            if (!ok || c < 0 || (c == 0 && kn < sc->lo.len) || kn < 4 || memcmp(k, sc->hi.data, 4) != 0) {
                sc->done = true;
                return 0;
            }
            if (vn != FMT_INDEX_VAL) continue;
            size_t n = ((size_t)v[0] << 8) | v[1];
            if (n == 0 || n > kn - 4) continue;
            if (sc->t && !iscan_keep(sc, k, kn, k + kn - n, (u32)n)) continue;
            *pk = k + kn - n;
            *pklen = (u32)n;
            return 1;
        }
        int ok = sc->started ? store_cursor_next(sc->c) : store_cursor_seek(sc->c, sc->lo.data, sc->lo.len);
        sc->started = true;
        const u8 *k, *v;
        size_t kn, vn;
        store_cursor_get(sc->c, &k, &kn, &v, &vn);
        bool in;
        if (!ok) in = false;
        else if (sc->prefix) in = kn >= sc->hi.len && memcmp(k, sc->hi.data, sc->hi.len) == 0;
        else {
            int c = memcmp(k, sc->hi.data, DD_MIN(kn, sc->hi.len));
            in = kn >= 4 && memcmp(k, sc->hi.data, 4) == 0 && (c < 0 || (c == 0 && kn < sc->hi.len));
        }
        if (!in) {
            sc->done = true;
            return 0;
        }
        if (vn != FMT_INDEX_VAL) continue;  /* malformed entry: skip */
        size_t n = ((size_t)v[0] << 8) | v[1];
        if (n == 0 || n > kn - 4) continue;
        if (sc->t && !iscan_keep(sc, k, kn, k + kn - n, (u32)n)) continue;
        *pk = k + kn - n;
        *pklen = (u32)n;
        return 1;
    }
}

void iscan_key(IScan *sc, const u8 **key, u32 *n)
{
    const u8 *k, *v;
    size_t kn, vn;
    store_cursor_get(sc->c, &k, &kn, &v, &vn);
    *key = k;
    *n = (u32)kn;
}

void iscan_close(IScan *sc)
{
    if (!sc) return;
    store_cursor_close(sc->c);
    buf_free(&sc->lo);
    buf_free(&sc->hi);
    buf_free(&sc->ikey);
    dd_free(sc);
}
