/*
 * purge.c - DELETE HISTORY and ERASE: commits that take history away
 * (WriteSet.purge), each with one log event that VERIFY accounts for.
 *
 * DELETE HISTORY FROM t, cut c: per key of t (versions newest first), every
 * version older than the newest one with seq <= c goes (each ended at or
 * before c), and that one too when it is a tombstone or t was dropped at
 * or before c (a dropped table's rows ended at its DROP; its history is
 * reached as a present table's is).  What stays is what
 * some point after c sees, so no answer AS OF a point at or after c
 * changes; before c, rows whose version ended by c are gone.  The event
 * (FMT_EV_PURGE) holds c and the number of versions removed.
 *
 * ERASE FROM t, keys: every version of each key, its present row, and
 * every index entry of it (present and history) go; each log record with
 * an event of the key keeps that event as its digest alone
 * (FMT_EV_ERASED: key and salt gone, every hash of the chain unchanged).
 * The keys' records are found by the caller's walk of the log
 * (store_erase), in a snapshot: a key written since it fails the commit
 * with 40001 (check_purge).  The event (FMT_EV_ERASE) holds the number of
 * keys and of versions removed.
 *
 * History entries of indexes (FMT_INDEX_EVER) go with the last version
 * that had their values.
 */
#include "store_int.h"
#include "../util/alloc.h"
#include "../util/crc32c.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct Purge {
    Store *st;
    MDB_txn *txn;
    const TableInfo *t;
    StoreIndexKeyFn keyfn;
    DdError *err;
    Buf key, ik;
    Buf keep, gone;      /* index keys: u32 id, u32 len, bytes; of versions kept / removed */
    Buf dels;            /* version keys to delete: u32 len, bytes */
    Buf seqs;            /* u64 seqs of the versions removed (summarize) */
    size_t seqs_room;    /* compacted again past this length */
    Buf ckeys;           /* keys that lost versions (varint length, bytes), when
                          * the table has checkpoints the cut reaches */
    bool want_ckeys;
    struct PIndex { const TableInfo *t; const IndexInfo *ix; } *ixs;
    int nixs;            /* every index the table ever had, each with the
                          * newest catalog version that defines it */
    u64 dropped_at;      /* seq of the table's DROP (its live rows ended
                          * there), or UINT64_MAX */
    const char *what;    /* what failed (an LMDB code's context) */
} Purge;

/* Appends the index keys of a row image written at seq to list. */
static int index_keys(Purge *pg, const u8 *rec, u32 reclen, u64 seq, Buf *list)
{
    if (!pg->keyfn) return 0;
    for (int i = 0; i < pg->nixs; i++) {
        const IndexInfo *ix = pg->ixs[i].ix;
        buf_reset(&pg->ik);
        int rc = pg->keyfn(pg->ixs[i].t, ix, rec, reclen, seq, &pg->ik, pg->err);
        if (rc) return rc;
        if (!buf_ok(&pg->ik)) return dd_err(pg->err, DD_ENOMEM, -1, NULL);
        if (!pg->ik.len) continue;   /* a partial index without the version */
        buf_put_u32be(list, ix->id);
        buf_put_u32be(list, (u32)pg->ik.len);
        buf_append(list, pg->ik.data, pg->ik.len);
    }
    return buf_ok(list) ? 0 : dd_err(pg->err, DD_ENOMEM, -1, NULL);
}

/* pg->ixs: every index of ct's versions, also those dropped since (their
 * history entries stay), each with the newest version that defines it.
 * Under cat_mu.  0 or -DD_ENOMEM. */
static int collect_indexes(Purge *pg, const CatTable *ct)
{
    int cap = 0;
    for (int v = 0; ct && v < ct->n; v++) {
        const TableInfo *t = ct->v[v];
        for (int x = 0; !t->dropped && x < t->nindexes; x++) {
            int i = 0;
            while (i < pg->nixs && pg->ixs[i].ix->id != t->indexes[x].id) i++;
            if (i == pg->nixs) {
                if (pg->nixs == cap) {
                    cap = cap ? cap * 2 : 8;
                    struct PIndex *n = dd_realloc(pg->ixs, sizeof *n * (size_t)cap);
                    if (!n) return -dd_err(pg->err, DD_ENOMEM, -1, NULL);
                    pg->ixs = n;
                }
                pg->nixs++;
            }
            pg->ixs[i].t = t;
            pg->ixs[i].ix = &t->indexes[x];
        }
    }
    return 0;
}

/* An index key of a list, for sorting the kept ones. */
typedef struct IKey { u32 id, n; const u8 *k; } IKey;

static int ikey_cmp(const void *a, const void *b)
{
    const IKey *x = a, *y = b;
    if (x->id != y->id) return x->id < y->id ? -1 : 1;
    int c = memcmp(x->k, y->k, x->n < y->n ? x->n : y->n);
    return c ? c : x->n < y->n ? -1 : x->n > y->n;
}

/* The entries of list, sorted, into *out (dd_malloc'd; NULL when empty).
 * 0 or ENOMEM / EINVAL. */
static int list_sorted(const Buf *list, IKey **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    size_t n = 0;
    Cursor c;
    cur_init(&c, list->data, list->len);
    while (cur_left(&c)) {
        cur_u32be(&c);
        if (!cur_bytes(&c, cur_u32be(&c))) return EINVAL;
        n++;
    }
    if (!n) return 0;
    IKey *v = dd_malloc(sizeof *v * n);
    if (!v) return ENOMEM;
    cur_init(&c, list->data, list->len);
    for (size_t i = 0; i < n; i++) {
        v[i].id = cur_u32be(&c);
        v[i].n = cur_u32be(&c);
        v[i].k = cur_bytes(&c, v[i].n);
    }
    qsort(v, n, sizeof *v, ikey_cmp);
    *out = v;
    *nout = n;
    return 0;
}

/* Deletes index entry (id || k || pk); absent is fine.  An LMDB code. */
static int del_entry(Purge *pg, u32 id, const u8 *k, u32 n, const u8 *pk, u32 pklen)
{
    Buf *b = &pg->key;
    buf_reset(b);
    buf_put_u32be(b, id);
    buf_append(b, k, n);
    buf_append(b, pk, pklen);
    if (!buf_ok(b)) return ENOMEM;
    if (b->len > FMT_LMDB_MAX_KEY) return 0;
    MDB_val kk = {b->len, b->data};
    int rc = wal_del(pg->st, pg->txn, FMT_DB_INDEX, &kk);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* The history entries of pg->gone that pg->keep lacks go; with present,
 * the present entries of pg->gone too (an erased key).  An LMDB code. */
static int drop_entries(Purge *pg, const u8 *pk, u32 pklen, bool present)
{
    IKey *keep;
    size_t nkeep;
    int rc = list_sorted(&pg->keep, &keep, &nkeep);
    Cursor c;
    cur_init(&c, pg->gone.data, pg->gone.len);
    while (!rc && cur_left(&c)) {
        IKey g;
        g.id = cur_u32be(&c);
        g.n = cur_u32be(&c);
        if (!(g.k = cur_bytes(&c, g.n))) {
            rc = EINVAL;
            break;
        }
        if (!nkeep || !bsearch(&g, keep, nkeep, sizeof *keep, ikey_cmp))
            rc = del_entry(pg, g.id | FMT_INDEX_EVER, g.k, g.n, pk, pklen);
        if (!rc && present) rc = del_entry(pg, g.id, g.k, g.n, pk, pklen);
    }
    dd_free(keep);
    return rc;
}

/* Deletes the versions listed in pg->dels.  An LMDB code. */
static int drop_versions(Purge *pg)
{
    Cursor c;
    cur_init(&c, pg->dels.data, pg->dels.len);
    while (cur_left(&c)) {
        u32 n = cur_u32be(&c);
        const u8 *k = cur_bytes(&c, n);
        if (!k) return EINVAL;
        MDB_val kk = {n, (void *)k};
        int rc = wal_del(pg->st, pg->txn, FMT_DB_VERSIONS, &kk);
        if (rc) return rc;
    }
    return 0;
}

static void note_del(Purge *pg, const MDB_val *k)
{
    buf_put_u32be(&pg->dels, (u32)k->mv_size);
    buf_append(&pg->dels, k->mv_data, k->mv_size);
}

static int u64_cmp(const void *a, const void *b)
{
    u64 x = *(const u64 *)a, y = *(const u64 *)b;
    return x < y ? -1 : x > y;
}

/* The seqs of b sorted, each once (a commit's versions all share one). */
static void compact_seqs(Buf *b)
{
    u64 *v = (u64 *)b->data;
    size_t n = b->len / sizeof(u64), m = 0;
    qsort(v, n, sizeof *v, u64_cmp);
    for (size_t i = 0; i < n; i++)
        if (m == 0 || v[m - 1] != v[i]) v[m++] = v[i];
    b->len = m * sizeof(u64);
}

/* DELETE HISTORY: each key of pg->t in turn.  *removed counts versions.
 * 0, an LMDB code (> 0), or -code with pg->err set. */
static int purge_history(Purge *pg, u64 cut, u64 *removed)
{
    Store *st = pg->st;
    MDB_cursor *c;
    int rc = mdb_cursor_open(pg->txn, st->dbi[FMT_DB_VERSIONS], &c);
    if (rc) return rc;
    u8 seek[FMT_TABLE_ID_LEN + FMT_MAX_PK + FMT_SEQ_LEN];
    size_t seekn = FMT_TABLE_ID_LEN;
    put_u32be(seek, pg->t->id);
    for (;;) {
        MDB_val k = {seekn, seek}, v;
        int g = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
        if (g == MDB_NOTFOUND) break;
        if (g) { rc = g; break; }
        if (k.mv_size < FMT_TABLE_ID_LEN + 1 + FMT_SEQ_LEN || get_u32be(k.mv_data) != pg->t->id) break;
        /* one key: (table, pk), its versions newest first */
        size_t pre = k.mv_size - FMT_SEQ_LEN;
        memcpy(seek, k.mv_data, pre);
        const u8 *pk = seek + FMT_TABLE_ID_LEN;
        u32 pklen = (u32)(pre - FMT_TABLE_ID_LEN);
        buf_reset(&pg->keep);
        buf_reset(&pg->gone);
        buf_reset(&pg->dels);
        bool reached = false;   /* past the newest version with seq <= cut */
        u64 n = 0;
        while (g == 0 && k.mv_size == pre + FMT_SEQ_LEN && memcmp(k.mv_data, seek, pre) == 0) {
            u64 seq = fmt_inv_seq(get_u64be((const u8 *)k.mv_data + pre));
            const u8 *vp = v.mv_data;
            if (v.mv_size < FMT_VER_HDR) {
                rc = -dd_corrupt(pg->err, "version of table id %u at seq %llu: malformed", pg->t->id,
                                 (unsigned long long)seq);
                break;
            }
            bool row = vp[0] == FMT_VER_ROW;
            /* the newest version at or before the cut stays while it is
             * a live row: it has not ended by the cut unless the table's
             * DROP did */
            bool go = reached || (seq <= cut && (!row || pg->dropped_at <= cut));
            if (seq <= cut) reached = true;
            if (row) {
                int x = index_keys(pg, vp + FMT_VER_HDR, (u32)(v.mv_size - FMT_VER_HDR), seq,
                                   go ? &pg->gone : &pg->keep);
                if (x) { rc = -x; break; }
            }
            if (go) {
                note_del(pg, &k);
                buf_append(&pg->seqs, &seq, sizeof seq);
                n++;
            }
            g = mdb_cursor_get(c, &k, &v, MDB_NEXT);
        }
        if (rc) break;
        if (g && g != MDB_NOTFOUND) { rc = g; break; }
        if (!buf_ok(&pg->dels)) { rc = ENOMEM; break; }
        if (n) {
            if ((rc = drop_versions(pg)) || (rc = drop_entries(pg, pk, pklen, false))) break;
            *removed += n;
            if (pg->want_ckeys) {
                buf_put_varint(&pg->ckeys, pklen);
                buf_append(&pg->ckeys, pk, pklen);
            }
            /* each time it doubles: the sorts cost O(n log n) in all */
            if (pg->seqs.len > pg->seqs_room) {
                compact_seqs(&pg->seqs);
                pg->seqs_room = DD_MAX(2 * pg->seqs.len, (size_t)8 << 20);
            }
        }
        /* the next key: past every version of this one (~seq 0xff..ff
         * would be seq 0, which no commit has) */
        memset(seek + pre, 0xff, FMT_SEQ_LEN);
        seekn = pre + FMT_SEQ_LEN;
    }
    mdb_cursor_close(c);
    if (rc > 0) pg->what = "deleting history";
    return rc;
}

/* Log record seq in the purge's transaction, parsed: its key (kb, 8
 * bytes) and value, the record and a cursor at its events.  0, an LMDB
 * code, or -code. */
static int get_record(Purge *pg, u64 seq, u8 kb[8], MDB_val *v, LogRecord *lr, Cursor *c)
{
    put_u64be(kb, seq);
    MDB_val k = {8, kb};
    int rc = mdb_get(pg->txn, pg->st->dbi[FMT_DB_LOG], &k, v);
    if (rc) return rc;
    return (rc = log_parse(v->mv_data, v->mv_size, seq, lr, c, pg->err)) ? -rc : 0;
}

/* Log record seq, when every version its events wrote is gone and it has
 * no other event, becomes its summary (log_summarize): the chain is
 * unchanged, and the ~60 bytes per row change the record held are free.
 * 0, an LMDB code, or -code. */
static int summarize_record(Purge *pg, u64 seq, Buf *out)
{
    Store *st = pg->st;
    u8 kb[8];
    MDB_val k = {8, kb}, v;
    LogRecord lr;
    Cursor c;
    int rc = get_record(pg, seq, kb, &v, &lr, &c);
    if (rc) return rc;
    if (lr.format < FMT_LOG_FORMAT || lr.summary) return 0;
    for (u32 i = 0; i < lr.nevents; i++) {
        LogEvent ev;
        if (log_next_event(&c, lr.format, &ev))
            return -dd_corrupt(pg->err, "log record %llu: malformed event", (unsigned long long)seq);
        if (ev.op < OP_INSERT || ev.op > OP_DELETE) return 0;
        if (ev.form != FMT_EV_PLAIN) continue;   /* erased: its version went with it */
        Buf *b = &pg->key;
        buf_reset(b);
        buf_put_u32be(b, ev.table);
        buf_append(b, ev.pk, ev.pklen);
        buf_put_u64be(b, fmt_inv_seq(seq));
        if (!buf_ok(b)) return ENOMEM;
        MDB_val vk = {b->len, b->data}, vv;
        rc = mdb_get(pg->txn, st->dbi[FMT_DB_VERSIONS], &vk, &vv);
        if (rc != MDB_NOTFOUND) return rc;   /* 0: a version stays */
    }
    if ((rc = log_summarize(v.mv_data, v.mv_size, seq, st->dbid, out)))
        return rc == DD_ENOMEM ? ENOMEM
                               : -dd_corrupt(pg->err, "log record %llu: could not summarize", (unsigned long long)seq);
    MDB_val nv = {out->len, out->data};
    return wal_put(st, pg->txn, FMT_DB_LOG, &k, &nv, 0);
}

/* summarize_record for each distinct seq of the n at seqs (ascending). */
static int summarize_records(Purge *pg, const u64 *seqs, size_t n)
{
    Buf out = BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++)
        if (i == 0 || seqs[i] != seqs[i - 1]) rc = summarize_record(pg, seqs[i], &out);
    buf_free(&out);
    return rc;
}

/* ERASE of one key: its versions, present row and index entries.  0, an
 * LMDB code, or -code. */
static int erase_key(Purge *pg, const u8 *pk, u32 pklen, u64 *removed, u64 *keys)
{
    Store *st = pg->st;
    MDB_cursor *c;
    int rc = mdb_cursor_open(pg->txn, st->dbi[FMT_DB_VERSIONS], &c);
    if (rc) return rc;
    u8 pre[FMT_TABLE_ID_LEN + FMT_MAX_PK + FMT_SEQ_LEN];
    size_t pren = FMT_TABLE_ID_LEN + pklen;
    put_u32be(pre, pg->t->id);
    memcpy(pre + FMT_TABLE_ID_LEN, pk, pklen);
    memset(pre + pren, 0, FMT_SEQ_LEN);
    buf_reset(&pg->keep);
    buf_reset(&pg->gone);
    buf_reset(&pg->dels);
    MDB_val k = {pren + FMT_SEQ_LEN, pre}, v;
    int g = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    u64 n = 0;
    while (g == 0 && k.mv_size == pren + FMT_SEQ_LEN && memcmp(k.mv_data, pre, pren) == 0) {
        const u8 *vp = v.mv_data;
        u64 seq = fmt_inv_seq(get_u64be((const u8 *)k.mv_data + pren));
        if (v.mv_size >= FMT_VER_HDR && vp[0] == FMT_VER_ROW) {
            int x = index_keys(pg, vp + FMT_VER_HDR, (u32)(v.mv_size - FMT_VER_HDR), seq, &pg->gone);
            if (x) { rc = -x; break; }
        }
        note_del(pg, &k);
        n++;
        g = mdb_cursor_get(c, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(c);
    if (rc) return rc;
    if (g && g != MDB_NOTFOUND) return g;
    if (!buf_ok(&pg->dels)) return ENOMEM;
    if ((rc = drop_versions(pg)) || (rc = drop_entries(pg, pk, pklen, true))) return rc;
    MDB_val ck = {pren, pre};
    rc = wal_del(st, pg->txn, FMT_DB_CURRENT, &ck);
    if (rc == MDB_NOTFOUND) rc = 0;
    if (!rc && n) {
        *removed += n;
        (*keys)++;
    }
    return rc;
}

/* Whether (pk, pklen) is one of p's keys (sorted by store_erase). */
static bool is_erased(const StorePurge *p, const u8 *pk, u32 pklen)
{
    u32 lo = 0, hi = p->nkeys;
    while (lo < hi) {
        u32 mid = lo + (hi - lo) / 2;
        int c = ckpt_key_cmp(p->keys[mid], p->keylens[mid], pk, pklen);
        if (c == 0) return true;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return false;
}

/* Rewrites log record seq with the events of p's keys in erased form; its
 * hash stays (log_hash reads digests only).  0, an LMDB code, or -code. */
static int scrub_record(Purge *pg, const StorePurge *p, u64 seq, Buf *out)
{
    Store *st = pg->st;
    u8 kb[8];
    MDB_val k = {8, kb}, v;
    LogRecord lr;
    Cursor c;
    int rc = get_record(pg, seq, kb, &v, &lr, &c);
    if (rc) return rc;
    if (lr.format < FMT_LOG_FORMAT_V3)
        return -dd_err(pg->err, DD_EFEATURE, -1,
                       "cannot erase: commit %llu was written in an older log format", (unsigned long long)seq);
    const u8 *rec = v.mv_data;
    buf_reset(out);
    buf_append(out, rec, (size_t)(c.p - rec));   /* header, strings, count */
    bool changed = false;
    for (u32 i = 0; i < lr.nevents; i++) {
        const u8 *at = c.p;
        LogEvent ev;
        if (log_next_event(&c, lr.format, &ev))
            return -dd_corrupt(pg->err, "log record %llu: malformed event", (unsigned long long)seq);
        if (ev.table == p->table && ev.op >= OP_INSERT && ev.op <= OP_DELETE && ev.form == FMT_EV_PLAIN &&
            is_erased(p, ev.pk, ev.pklen)) {
            buf_put_u32be(out, ev.table);
            buf_putc(out, ev.op);
            buf_putc(out, FMT_EV_ERASED);
            buf_append(out, ev.hash, 32);
            changed = true;
        } else {
            buf_append(out, at, (size_t)(c.p - at));
        }
    }
    if (!cur_end(&c)) return -dd_corrupt(pg->err, "log record %llu: trailing bytes", (unsigned long long)seq);
    if (!changed) return 0;
    if (!buf_ok(out)) return ENOMEM;
    u8 h[32];
    if ((rc = log_hash(out->data, out->len, seq, st->dbid, h))) return rc == DD_ECORRUPT ? -DD_EINTERNAL : ENOMEM;
    if (memcmp(h, lr.hash, 32) != 0)
        return -dd_err(pg->err, DD_EINTERNAL, -1, "erasing changed the hash of commit %llu", (unsigned long long)seq);
    buf_put_u32be(out, crc32c(0, out->data, out->len));
    if (!buf_ok(out)) return ENOMEM;
    MDB_val nv = {out->len, out->data};
    return wal_put(st, pg->txn, FMT_DB_LOG, &k, &nv, 0);
}

int purge_apply(Store *st, MDB_txn *txn, StorePurge *p, u64 seq, LogEventIn *ev, const char **what, DdError *err)
{
    Purge pg;
    memset(&pg, 0, sizeof pg);
    pg.st = st;
    pg.txn = txn;
    pg.err = err;
    pg.keyfn = store_index_key_fn();
    pthread_mutex_lock(&st->cat_mu);
    pg.t = cat_version_locked(st, p->table, UINT64_MAX);
    int rc = pg.t ? collect_indexes(&pg, cat_find(st, p->table)) : 0;
    pthread_mutex_unlock(&st->cat_mu);
    if (rc) return rc;
    if (!pg.t) return -dd_err(err, DD_EUNDEFINED_TABLE, -1, "relation with id %u does not exist", p->table);
    /* a dropped table's history is reached too (its rows ended at the drop) */
    pg.dropped_at = pg.t->dropped ? pg.t->seq : UINT64_MAX;
    memset(ev, 0, sizeof *ev);
    ev->table = p->table;
    if (!p->erase) {
        ev->op = FMT_EV_PURGE;
        ev->a = p->cut < seq ? p->cut : seq - 1;
        pg.want_ckeys = ckpt_any(st, txn, p->table, ev->a);
        pg.seqs_room = (size_t)8 << 20;
        rc = purge_history(&pg, ev->a, &ev->b);
        if (!rc && (!buf_ok(&pg.seqs) || !buf_ok(&pg.ckeys))) rc = ENOMEM;
        if (!rc) {
            compact_seqs(&pg.seqs);
            rc = summarize_records(&pg, (const u64 *)pg.seqs.data, pg.seqs.len / sizeof(u64));
        }
        if (!rc && ev->b) rc = ckpt_purge(st, txn, p->table, ev->a, &pg.ckeys, false, err);
    } else {
        ev->op = FMT_EV_ERASE;
        for (u32 i = 0; i < p->nkeys && !rc; i++) rc = erase_key(&pg, p->keys[i], p->keylens[i], &ev->b, &ev->a);
        Buf out = BUF_INIT;
        for (u32 i = 0; i < p->nseqs && !rc; i++) rc = scrub_record(&pg, p, p->seqs[i], &out);
        buf_free(&out);
        if (!rc) rc = summarize_records(&pg, p->seqs, p->nseqs);
        for (u32 i = 0; i < p->nkeys && !rc && ev->b; i++) {
            buf_put_varint(&pg.ckeys, p->keylens[i]);
            buf_append(&pg.ckeys, p->keys[i], p->keylens[i]);
        }
        if (!rc && !buf_ok(&pg.ckeys)) rc = ENOMEM;
        if (!rc && ev->b) rc = ckpt_purge(st, txn, p->table, UINT64_MAX, &pg.ckeys, true, err);
        if (rc > 0) pg.what = "erasing";
    }
    p->removed = ev->b;
    p->erased = p->erase ? ev->a : 0;
    pthread_mutex_lock(&st->cat_mu);
    if (!rc) cat_note_purge_locked(st, p->table, seq, p->erase);
    pthread_mutex_unlock(&st->cat_mu);
    /* before the commit shows: snapshots older than seq must not take a
     * new LMDB transaction from now on (snap_renew) */
    if (!rc) __atomic_store_n(&st->purge_seq, seq, __ATOMIC_SEQ_CST);
    *what = pg.what ? pg.what : "deleting history";
    buf_free(&pg.key);
    buf_free(&pg.ik);
    buf_free(&pg.keep);
    buf_free(&pg.gone);
    buf_free(&pg.dels);
    buf_free(&pg.seqs);
    buf_free(&pg.ckeys);
    dd_free(pg.ixs);
    return rc;
}

/* purge_due: as purge_history counts, without writing. */
int purge_due(Snap *s, u32 table, u64 cut, u64 *n, u64 *next_due)
{
    *n = 0;
    *next_due = UINT64_MAX;
    pthread_mutex_lock(&s->st->cat_mu);
    const TableInfo *t = cat_version_locked(s->st, table, s->seq);
    u64 dropped_at = t && t->dropped ? t->seq : 0;   /* the end of its live rows, 0: none */
    pthread_mutex_unlock(&s->st->cat_mu);
    MDB_cursor *c;
    int rc = mdb_cursor_open(s->txn, s->st->dbi[FMT_DB_VERSIONS], &c);
    if (rc) return rc;
    u8 pre[FMT_TABLE_ID_LEN];
    put_u32be(pre, table);
    MDB_val k = {sizeof pre, pre}, v;
    u8 last[FMT_TABLE_ID_LEN + FMT_MAX_PK];   /* table || pk of the previous version */
    size_t lastn = 0;
    u64 newer = 0;                            /* seq of the key's next newer version */
    int g = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    for (; g == 0; g = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        const u8 *kp = k.mv_data;
        if (k.mv_size < FMT_TABLE_ID_LEN + 1 + FMT_SEQ_LEN || k.mv_size > sizeof last + FMT_SEQ_LEN ||
            get_u32be(kp) != table || v.mv_size < 1)
            break;
        size_t pn = k.mv_size - FMT_SEQ_LEN;
        u64 seq = fmt_inv_seq(get_u64be(kp + pn));
        if (pn != lastn || memcmp(kp, last, pn) != 0) {
            memcpy(last, kp, pn);
            lastn = pn;
            newer = dropped_at;   /* the key's newest version: no end but the DROP */
        }
        bool row = ((const u8 *)v.mv_data)[0] == FMT_VER_ROW;
        u64 end = row ? newer : seq;   /* a tombstone counts from its own seq */
        if (end && end <= cut) (*n)++;
        else if (end && end < *next_due) *next_due = end;
        newer = seq;
    }
    mdb_cursor_close(c);
    return g == 0 || g == MDB_NOTFOUND ? 0 : g;
}

int purge_commit(Store *st, u32 table, u64 cut, u64 snapshot_seq, const WriteSet *who, u64 *seq, u64 *removed,
                 DdError *err)
{
    StorePurge p;
    memset(&p, 0, sizeof p);
    p.table = table;
    p.cut = cut;
    WriteSet ws;
    memset(&ws, 0, sizeof ws);
    ws.purge = &p;
    ws.user = who->user;
    ws.application = who->application;
    ws.client_addr = who->client_addr;
    ws.snapshot_seq = snapshot_seq;
    /* the pages the commits before it freed, reusable by this one: it
     * rewrites much of the table, and would otherwise grow the file by
     * as much (a failure is the commit's to report, as below) */
    wal_release_freed(st);
    int rc = store_commit(st, &ws, seq, NULL, err);
    if (rc) return rc;
    *removed = p.removed;
    /* the pages it freed, reusable by the next write; the commit is
     * durable already, and a failure here leaves the log failed or its
     * checkpoint error set, which the next commit reports */
    wal_release_freed(st);
    return 0;
}

int store_delete_history(Store *st, u32 table, u64 cut, const WriteSet *who, u64 *seq, u64 *removed, DdError *err)
{
    *seq = *removed = 0;
    /* nothing to remove: no commit */
    Snap *s;
    int rc = store_snap_begin(st, &s, err);
    if (rc) return rc;
    u64 due, next, head = s->seq;
    if ((rc = purge_due(s, table, cut < head ? cut : head, &due, &next)))
        rc = store_mdb_err(err, rc, "deleting history");
    store_snap_end(s);
    if (rc || due == 0) return rc;
    return purge_commit(st, table, cut, head, who, seq, removed, err);
}

/* Appends key (k, n) to the list *out / *lens / *cnt (in a). */
static int moves_add(Arena *a, const u8 *k, u32 n, const u8 ***out, u32 **lens, u32 *cnt, u32 *cap)
{
    if (*cnt == *cap) {
        u32 nc = *cap ? *cap * 2 : 4;
        const u8 **no = arena_alloc(a, sizeof *no * nc);
        u32 *nl = arena_alloc(a, sizeof *nl * nc);
        if (!no || !nl) return DD_ENOMEM;
        if (*cnt) {
            memcpy(no, *out, sizeof *no * *cnt);
            memcpy(nl, *lens, sizeof *nl * *cnt);
        }
        *out = no;
        *lens = nl;
        *cap = nc;
    }
    u8 *c = arena_memdup(a, k, n);
    if (!c) return DD_ENOMEM;
    (*out)[*cnt] = c;
    (*lens)[(*cnt)++] = n;
    return DD_OK;
}

int store_key_moves(Snap *s, u32 table, const u8 *pk, u32 pklen, Arena *a, const u8 ***out, u32 **lens, u32 *n,
                    DdError *err)
{
    *out = NULL;
    *lens = NULL;
    *n = 0;
    u32 cap = 0;
    Store *st = s->st;
    if (pklen > FMT_MAX_PK) return DD_OK;
    u8 pre[FMT_TABLE_ID_LEN + FMT_MAX_PK + FMT_SEQ_LEN];
    size_t pren = FMT_TABLE_ID_LEN + pklen;
    put_u32be(pre, table);
    memcpy(pre + FMT_TABLE_ID_LEN, pk, pklen);
    memset(pre + pren, 0, FMT_SEQ_LEN);
    Buf ins = BUF_INIT;   /* u64 seqs where the row moved in under pk */
    MDB_cursor *c;
    int rc = mdb_cursor_open(s->txn, st->dbi[FMT_DB_VERSIONS], &c);
    if (rc) return store_mdb_err(err, rc, "reading versions");
    MDB_val k = {pren + FMT_SEQ_LEN, pre}, v;
    /* newest first.  A row version that began by UPDATE moved in when
     * the key's version before it is a tombstone or none, or ended within
     * the same commit (its end_op, header byte 2) */
    u64 upd = 0;   /* such a row version seen last, whose older one decides */
    int g = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    for (; g == 0 && !rc; g = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size != pren + FMT_SEQ_LEN || memcmp(k.mv_data, pre, pren) != 0) break;
        const u8 *vp = v.mv_data;
        if (v.mv_size < FMT_VER_HDR) {
            rc = dd_corrupt(err, "versions: malformed entry");
            break;
        }
        u64 seq = fmt_inv_seq(get_u64be((const u8 *)k.mv_data + pren));
        bool tomb = vp[0] == FMT_VER_TOMBSTONE;
        u64 in = upd && tomb ? upd : 0;
        upd = 0;
        if (!tomb && vp[1] == OP_UPDATE) {
            if (vp[2] != 0) in = seq;   /* its predecessor ended in the same commit */
            else upd = seq;
        }
        if (in) buf_append(&ins, &in, sizeof in);
        /* a tombstone of a move names where the row went */
        if (tomb && vp[2] == OP_UPDATE && v.mv_size > FMT_VER_HDR)
            rc = moves_add(a, vp + FMT_VER_HDR, (u32)(v.mv_size - FMT_VER_HDR), out, lens, n, &cap);
    }
    mdb_cursor_close(c);
    if (!rc && g && g != MDB_NOTFOUND) rc = store_mdb_err(err, g, "reading versions");
    if (!rc && upd) buf_append(&ins, &upd, sizeof upd);   /* the key's oldest version began by UPDATE */
    if (!rc && !buf_ok(&ins)) rc = DD_ENOMEM;
    /* where it came from: the tombstones of that commit naming pk */
    const u64 *at = (const u64 *)ins.data;
    for (size_t i = 0; i < ins.len / sizeof *at && !rc; i++) {
        LogEvent *ev;
        u32 nev;
        if ((rc = store_log_events(s, at[i], a, &ev, &nev, err))) break;
        for (u32 e = 0; e < nev && !rc; e++) {
            if (ev[e].table != table || ev[e].op != OP_DELETE || !ev[e].pk || ev[e].pklen > FMT_MAX_PK) continue;
            u8 vk[FMT_TABLE_ID_LEN + FMT_MAX_PK + FMT_SEQ_LEN];
            put_u32be(vk, table);
            memcpy(vk + FMT_TABLE_ID_LEN, ev[e].pk, ev[e].pklen);
            put_u64be(vk + FMT_TABLE_ID_LEN + ev[e].pklen, fmt_inv_seq(at[i]));
            MDB_val kk = {FMT_TABLE_ID_LEN + ev[e].pklen + FMT_SEQ_LEN, vk}, vv;
            int m = mdb_get(s->txn, st->dbi[FMT_DB_VERSIONS], &kk, &vv);
            if (m == MDB_NOTFOUND) continue;
            if (m) { rc = store_mdb_err(err, m, "reading versions"); break; }
            const u8 *tp = vv.mv_data;
            if (vv.mv_size == FMT_VER_HDR + pklen && tp[0] == FMT_VER_TOMBSTONE && tp[2] == OP_UPDATE &&
                memcmp(tp + FMT_VER_HDR, pk, pklen) == 0)
                rc = moves_add(a, ev[e].pk, ev[e].pklen, out, lens, n, &cap);
        }
    }
    buf_free(&ins);
    return rc == DD_ENOMEM ? dd_err(err, DD_ENOMEM, -1, NULL) : rc;
}

typedef struct EKey { const u8 *k; u32 n; } EKey;

static int ekey_cmp(const void *a, const void *b)
{
    const EKey *x = a, *y = b;
    return ckpt_key_cmp(x->k, x->n, y->k, y->n);
}

/* The commits with events of p's keys, read in snapshot s: into *seqs.
 * 40001 when one is after since; 0A000 in a record of an older format. */
static int erase_seqs(Snap *s, const StorePurge *p, u64 since, u64 **seqs, u32 *nseqs, DdError *err)
{
    Store *st = s->st;
    MDB_cursor *c;
    int rc = mdb_cursor_open(s->txn, st->dbi[FMT_DB_LOG], &c);
    if (rc) return store_mdb_err(err, rc, "reading the log");
    u32 cap = 0;
    MDB_val k, v;
    int g = mdb_cursor_get(c, &k, &v, MDB_FIRST);
    for (; g == 0 && !rc; g = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        u64 seq = k.mv_size == 8 ? get_u64be(k.mv_data) : 0;
        if (seq > s->seq) break;
        LogRecord lr;
        Cursor ec;
        if ((rc = log_parse(v.mv_data, v.mv_size, seq, &lr, &ec, err))) break;
        bool hit = false;
        for (u32 i = 0; i < lr.nevents && !hit; i++) {
            LogEvent ev;
            if (log_next_event(&ec, lr.format, &ev)) {
                rc = dd_corrupt(err, "log record %llu: malformed event", (unsigned long long)seq);
                break;
            }
            hit = ev.table == p->table && ev.op >= OP_INSERT && ev.op <= OP_DELETE && ev.pk &&
                  is_erased(p, ev.pk, ev.pklen);
        }
        if (rc || !hit) continue;
        if (lr.format < FMT_LOG_FORMAT_V3) {
            rc = dd_err(err, DD_EFEATURE, -1,
                        "cannot erase rows whose history includes commit %llu, written in log format %u",
                        (unsigned long long)seq, lr.format);
            dd_err_hint(err, "Log format %u records keys in the hash chain itself; format %u, since, does not.",
                        lr.format, FMT_LOG_FORMAT_V3);
            break;
        }
        if (seq > since) {
            rc = dd_err(err, DD_ESERIALIZATION, -1, "could not serialize access due to concurrent update");
            break;
        }
        if (*nseqs == cap) {
            cap = cap ? cap * 2 : 64;
            u64 *n = dd_realloc(*seqs, sizeof *n * cap);
            if (!n) {
                rc = dd_err(err, DD_ENOMEM, -1, NULL);
                break;
            }
            *seqs = n;
        }
        (*seqs)[(*nseqs)++] = seq;
    }
    if (!rc && g != 0 && g != MDB_NOTFOUND) rc = store_mdb_err(err, g, "reading the log");
    mdb_cursor_close(c);
    return rc;
}

int store_erase(Store *st, u32 table, u64 snapshot_seq, const u8 *const *keys, const u32 *keylens, u32 n,
                const WriteSet *who, u64 *seq, u64 *keys_out, u64 *versions, DdError *err)
{
    *keys_out = *versions = 0;
    if (n == 0) return 0;
    EKey *ek = dd_malloc(sizeof *ek * n);
    const u8 **kp = dd_malloc(sizeof *kp * n);
    u32 *kl = dd_malloc(sizeof *kl * n);
    u64 *seqs = NULL;
    u32 nseqs = 0, m = 0;
    Snap *s = NULL;
    int rc = ek && kp && kl ? 0 : dd_err(err, DD_ENOMEM, -1, NULL);
    if (!rc) {
        for (u32 i = 0; i < n; i++) ek[i] = (EKey){keys[i], keylens[i]};
        qsort(ek, n, sizeof *ek, ekey_cmp);
        for (u32 i = 0; i < n; i++)
            if (m == 0 || ckpt_key_cmp(kp[m - 1], kl[m - 1], ek[i].k, ek[i].n) != 0) {
                kp[m] = ek[i].k;
                kl[m++] = ek[i].n;
            }
    }
    StorePurge p;
    memset(&p, 0, sizeof p);
    p.table = table;
    p.erase = true;
    p.keys = kp;
    p.keylens = kl;
    p.nkeys = m;
    u64 base = 0;
    if (!rc) rc = store_snap_begin(st, &s, err);
    if (!rc) {
        base = s->seq;
        rc = erase_seqs(s, &p, snapshot_seq, &seqs, &nseqs, err);
    }
    if (s) store_snap_end(s);
    if (!rc) {
        p.seqs = seqs;
        p.nseqs = nseqs;
        WriteSet ws;
        memset(&ws, 0, sizeof ws);
        ws.purge = &p;
        ws.snapshot_seq = base;
        ws.user = who->user;
        ws.application = who->application;
        ws.client_addr = who->client_addr;
        wal_release_freed(st);   /* as purge_commit */
        rc = store_commit(st, &ws, seq, NULL, err);
        if (!rc) {
            *keys_out = p.erased;
            *versions = p.removed;
            wal_release_freed(st);   /* as store_delete_history */
        }
    }
    dd_free(ek);
    dd_free(kp);
    dd_free(kl);
    dd_free(seqs);
    return rc;
}

/* The writer's check of an ERASE (check_req): no key written after the
 * walk of the log that found its commits. */
int purge_check(Store *st, MDB_txn *txn, const WriteSet *ws, DdError *err)
{
    const StorePurge *p = ws->purge;
    if (!p->erase) return 0;
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, st->dbi[FMT_DB_VERSIONS], &c);
    if (rc) return store_mdb_err(err, rc, "checking conflicts");
    u8 key[FMT_TABLE_ID_LEN + FMT_MAX_PK + FMT_SEQ_LEN];
    for (u32 i = 0; i < p->nkeys && !rc; i++) {
        u32 pklen = p->keylens[i];
        if (pklen == 0 || pklen > FMT_MAX_PK) {
            rc = dd_err(err, DD_EINTERNAL, -1, "malformed key to erase");
            break;
        }
        put_u32be(key, p->table);
        memcpy(key + FMT_TABLE_ID_LEN, p->keys[i], pklen);
        memset(key + FMT_TABLE_ID_LEN + pklen, 0, FMT_SEQ_LEN);
        size_t pre = FMT_TABLE_ID_LEN + pklen;
        MDB_val k = {pre + FMT_SEQ_LEN, key}, v;
        int g = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
        if (g == 0 && k.mv_size == pre + FMT_SEQ_LEN && memcmp(k.mv_data, key, pre) == 0 &&
            fmt_inv_seq(get_u64be((const u8 *)k.mv_data + pre)) > ws->snapshot_seq)
            rc = dd_err(err, DD_ESERIALIZATION, -1, "could not serialize access due to concurrent update");
        else if (g != 0 && g != MDB_NOTFOUND)
            rc = store_mdb_err(err, g, "checking conflicts");
    }
    mdb_cursor_close(c);
    return rc;
}
