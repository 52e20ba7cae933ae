/*
 * truncate.c - store_truncate_history: cuts a database back to seq n, for
 * a restore to a point in time.  Only ever run on a database just restored
 * and not yet served (the caller closes the store right after: the
 * in-memory head and catalog are stale then).
 *
 * In one write transaction: log records, times entries and catalog records
 * after n go; versions after n go, and `current` and the index db are
 * rebuilt from the versions that stay: current holds each key's newest
 * version when it is a row of a table not dropped at n; every index defined at or before n gets a
 * history entry for every row version (StoreIndexKeyFn computes the
 * values), and the indexes of tables live at n a present entry for each
 * live row; meta's head becomes record n.  The result is what the database
 * was at n, as VERIFY checks it.
 */
#include "store_int.h"
#include "../util/alloc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

typedef struct TIndex {
    u32 id, table;
    const TableInfo *t;     /* newest version <= n with the index */
    const IndexInfo *ix;
    bool live;              /* in the table's version at n, table not dropped */
} TIndex;

/* Every index defined in a catalog version <= n. */
static int collect(Store *st, u64 n, TIndex **out, int *nout, DdError *err)
{
    int cap = 0, k = 0;
    TIndex *v = NULL;
    pthread_mutex_lock(&st->cat_mu);
    for (int c = 0; c < st->ncat; c++) {
        CatTable *ct = &st->cat[c];
        const TableInfo *at_n = cat_version_locked(st, ct->id, n);
        for (int i = 0; i < ct->n && ct->v[i]->seq <= n; i++) {
            const TableInfo *t = ct->v[i];
            for (int x = 0; !t->dropped && x < t->nindexes; x++) {
                int j = 0;
                while (j < k && v[j].id != t->indexes[x].id) j++;
                if (j == k) {
                    if (k == cap) {
                        cap = cap ? cap * 2 : 16;
                        TIndex *nv = dd_realloc(v, sizeof *nv * (size_t)cap);
                        if (!nv) {
                            pthread_mutex_unlock(&st->cat_mu);
                            dd_free(v);
                            return dd_err(err, DD_ENOMEM, -1, NULL);
                        }
                        v = nv;
                    }
                    k++;
                }
                v[j].id = t->indexes[x].id;
                v[j].table = t->id;
                v[j].t = t;
                v[j].ix = &t->indexes[x];
                v[j].live = false;
                for (int y = 0; at_n && !at_n->dropped && y < at_n->nindexes; y++)
                    if (at_n->indexes[y].id == v[j].id) v[j].live = true;
            }
        }
    }
    pthread_mutex_unlock(&st->cat_mu);
    *out = v;
    *nout = k;
    return 0;
}

static int put_entry(Store *st, MDB_txn *txn, Buf *k, u32 id, const Buf *vals, const u8 *pk, u32 pklen, DdError *err)
{
    buf_reset(k);
    buf_put_u32be(k, id);
    buf_append(k, vals->data, vals->len);
    buf_append(k, pk, pklen);
    if (!buf_ok(k)) return dd_err(err, DD_ENOMEM, -1, NULL);
    if (k->len > FMT_LMDB_MAX_KEY) return dd_err(err, DD_EPROGRAM_LIMIT, -1, "index entry too long");
    u8 pl[FMT_INDEX_VAL] = {(u8)(pklen >> 8), (u8)pklen};
    MDB_val kk = {k->len, k->data}, vv = {FMT_INDEX_VAL, pl};
    int rc = mdb_put(txn, st->dbi[FMT_DB_INDEX], &kk, &vv, 0);
    return rc ? store_mdb_err(err, rc, "writing an index entry") : 0;
}

/* A DELETE HISTORY or ERASE after n removed versions that the database
 * at n had: it cannot be what it was at n (0A000). */
static int check_no_purge_after(Store *st, MDB_txn *txn, u64 n, DdError *err)
{
    MDB_cursor *c;
    int m = mdb_cursor_open(txn, st->dbi[FMT_DB_LOG], &c);
    if (m) return store_mdb_err(err, m, "truncating");
    u8 kb[8];
    put_u64be(kb, n + 1);
    MDB_val k = {8, kb}, v;
    int rc = 0;
    for (m = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); m == 0 && !rc; m = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        u64 seq = k.mv_size == 8 ? get_u64be(k.mv_data) : 0;
        LogRecord lr;
        Cursor ec;
        if ((rc = log_parse(v.mv_data, v.mv_size, seq, &lr, &ec, err))) break;
        for (u32 i = 0; i < lr.nevents && !rc; i++) {
            LogEvent ev;
            if (log_next_event(&ec, lr.format, &ev)) {
                rc = dd_corrupt(err, "log record %llu: malformed event", (unsigned long long)seq);
            } else if (ev.op == FMT_EV_PURGE || ev.op == FMT_EV_ERASE) {
                /* a table made after n had nothing at n to lose */
                pthread_mutex_lock(&st->cat_mu);
                const TableInfo *t = cat_version_locked(st, ev.table, n);
                char name[2 * CAT_MAX_NAME + 2];
                if (t) snprintf(name, sizeof name, "%s", t->name);
                pthread_mutex_unlock(&st->cat_mu);
                if (!t) continue;
                rc = dd_err(err, DD_EFEATURE, -1,
                            "cannot go back to seq %llu: %s at seq %llu removed history of table \"%s\" that the database held at seq %llu",
                            (unsigned long long)n, ev.op == FMT_EV_PURGE ? "DELETE HISTORY" : "ERASE",
                            (unsigned long long)seq, name, (unsigned long long)n);
                dd_err_hint(err, "Restore from a backup taken before seq %llu.", (unsigned long long)seq);
            }
        }
    }
    if (!rc && m && m != MDB_NOTFOUND) rc = store_mdb_err(err, m, "truncating");
    mdb_cursor_close(c);
    return rc;
}

int store_truncate_history(Store *st, u64 n, DdError *err)
{
    if (st->read_only) return dd_err(err, DD_EREAD_ONLY_TXN, -1, "cannot truncate a database open read-only");
    if (n == 0 || n > st->head_seq)
        return dd_err(err, DD_EINVALID_PARAM, -1, "seq %llu is not in the backup (it holds 1 to %llu)",
                      (unsigned long long)n, (unsigned long long)st->head_seq);
    if (n == st->head_seq) return 0;
    /* no DELETE HISTORY of a retention may commit on the old head while
     * the history is cut (the store closes right after) */
    store_retention_stop(st);
    StoreIndexKeyFn keyfn = store_index_key_fn();
    TIndex *ix = NULL;
    int nix = 0;
    int rc = collect(st, n, &ix, &nix, err);
    if (rc) return rc;
    if (nix && !keyfn) {
        dd_free(ix);
        return dd_err(err, DD_EINTERNAL, -1, "no index key function registered");
    }
    MDB_txn *txn = NULL;
    MDB_cursor *c = NULL;
    Buf key = BUF_INIT, vals = BUF_INIT, prev = BUF_INIT;
    int m;
    if ((m = wal_txn_begin(st, &txn))) {
        rc = store_mdb_err(err, m, "truncating");
        goto done;
    }
    if ((rc = check_no_purge_after(st, txn, n, err))) goto done;
    /* mdb_drop has no record: commit it through a checkpoint */
    st->wal.over = true;
    /* record n: the new head */
    u8 hash[32];
    i64 time;
    {
        u8 kb[8];
        put_u64be(kb, n);
        MDB_val k = {8, kb}, v;
        LogRecord lr;
        if ((m = mdb_get(txn, st->dbi[FMT_DB_LOG], &k, &v))) {
            rc = m == MDB_NOTFOUND ? dd_corrupt(err, "log record %llu missing", (unsigned long long)n)
                                   : store_mdb_err(err, m, "truncating");
            goto done;
        }
        if ((rc = log_parse(v.mv_data, v.mv_size, n, &lr, NULL, err))) goto done;
        memcpy(hash, lr.hash, 32);
        time = lr.time_us;
    }
    /* log, catalog and checkpoints after n, times mapping to seqs after n */
    static const int dbs[] = {FMT_DB_LOG, FMT_DB_TIMES, FMT_DB_CATALOG, FMT_DB_CHECKPOINT};
    for (size_t d = 0; d < sizeof dbs / sizeof dbs[0]; d++) {
        if ((m = mdb_cursor_open(txn, st->dbi[dbs[d]], &c))) {
            rc = store_mdb_err(err, m, "truncating");
            goto done;
        }
        MDB_val k, v;
        for (m = mdb_cursor_get(c, &k, &v, MDB_FIRST); m == 0;) {
            u64 seq = dbs[d] == FMT_DB_LOG          ? (k.mv_size == 8 ? get_u64be(k.mv_data) : 0)
                      : dbs[d] == FMT_DB_TIMES      ? (v.mv_size == 8 ? get_u64be(v.mv_data) : 0)
                      : dbs[d] == FMT_DB_CHECKPOINT ? (k.mv_size == FMT_CKPT_KEY_LEN ? get_u64be((u8 *)k.mv_data + 4) : 0)
                                                    : (k.mv_size == 12 ? fmt_inv_seq(get_u64be((u8 *)k.mv_data + 4)) : 0);
            if (seq > n) {
                if ((m = mdb_cursor_del(c, 0))) break;
                m = mdb_cursor_get(c, &k, &v, MDB_GET_CURRENT);
                if (m == MDB_NOTFOUND || m == EINVAL) break;
                continue;
            }
            m = mdb_cursor_get(c, &k, &v, MDB_NEXT);
        }
        mdb_cursor_close(c);
        c = NULL;
        if (m && m != MDB_NOTFOUND && m != EINVAL) {
            rc = store_mdb_err(err, m, "truncating");
            goto done;
        }
    }
    /* current and index: rebuilt from the versions that stay */
    if ((m = mdb_drop(txn, st->dbi[FMT_DB_CURRENT], 0)) || (m = mdb_drop(txn, st->dbi[FMT_DB_INDEX], 0)) ||
        (m = mdb_cursor_open(txn, st->dbi[FMT_DB_VERSIONS], &c))) {
        rc = store_mdb_err(err, m, "truncating");
        goto done;
    }
    MDB_val k, v;
    u32 gone_table = UINT32_MAX;   /* the last table looked up, and whether it is dropped at n */
    bool gone = false;
    for (m = mdb_cursor_get(c, &k, &v, MDB_FIRST); m == 0 && !rc;) {
        const u8 *kp = k.mv_data, *vp = v.mv_data;
        size_t kn = k.mv_size, vn = v.mv_size;
        if (kn < 13 || vn < FMT_VER_HDR) {
            rc = dd_corrupt(err, "versions: malformed entry");
            break;
        }
        u64 seq = fmt_inv_seq(get_u64be(kp + kn - 8));
        if (seq > n) {
            if ((m = mdb_cursor_del(c, 0))) break;
            m = mdb_cursor_get(c, &k, &v, MDB_GET_CURRENT);
            continue;
        }
        bool newest = !(prev.len == kn - 8 && memcmp(prev.data, kp, kn - 8) == 0);
        if (newest) {
            buf_reset(&prev);
            buf_append(&prev, kp, kn - 8);
        }
        if (vp[0] == FMT_VER_ROW) {
            u32 table = get_u32be(kp);
            const u8 *pk = kp + 4, *rec = vp + FMT_VER_HDR;
            u32 pklen = (u32)(kn - 12), reclen = (u32)(vn - FMT_VER_HDR);
            if (newest && table != gone_table) {
                /* a table dropped at or before n has no present rows */
                pthread_mutex_lock(&st->cat_mu);
                const TableInfo *t = cat_version_locked(st, table, n);
                gone = t && t->dropped;
                pthread_mutex_unlock(&st->cat_mu);
                gone_table = table;
            }
            if (newest && !gone) {
                MDB_val ck = {kn - 8, (void *)kp}, cv = {FMT_CUR_HDR + (size_t)reclen, NULL};
                if ((m = mdb_put(txn, st->dbi[FMT_DB_CURRENT], &ck, &cv, MDB_RESERVE))) break;
                u8 *p = cv.mv_data;
                put_u64be(p, seq);
                p[8] = vp[1];
                memcpy(p + FMT_CUR_HDR, rec, reclen);
            }
            for (int i = 0; i < nix && !rc; i++) {
                if (ix[i].table != table) continue;
                buf_reset(&vals);
                if ((rc = keyfn(ix[i].t, ix[i].ix, rec, reclen, seq, &vals, err))) break;
                if (!buf_ok(&vals)) rc = dd_err(err, DD_ENOMEM, -1, NULL);
                if (!rc && !vals.len) continue;   /* a partial index that does not cover it */
                if (!rc) rc = put_entry(st, txn, &key, ix[i].id | FMT_INDEX_EVER, &vals, pk, pklen, err);
                if (!rc && newest && ix[i].live) rc = put_entry(st, txn, &key, ix[i].id, &vals, pk, pklen, err);
            }
        }
        if (!buf_ok(&prev)) rc = dd_err(err, DD_ENOMEM, -1, NULL);
        m = mdb_cursor_get(c, &k, &v, MDB_NEXT);
    }
    if (!rc && m && m != MDB_NOTFOUND && m != EINVAL) rc = store_mdb_err(err, m, "truncating");
    if (rc) goto done;
    mdb_cursor_close(c);
    c = NULL;
    {
        u8 head[FMT_META_HEAD_LEN];
        store_put_head(head, n, hash, time);
        MDB_val hk = {4, "head"}, hv = {sizeof head, head};
        if ((m = mdb_put(txn, st->dbi[FMT_DB_META], &hk, &hv, 0))) {
            rc = store_mdb_err(err, m, "truncating");
            goto done;
        }
        m = wal_commit(st, txn);   /* frees the txn, committed or not */
        txn = NULL;
        if (m) rc = store_mdb_err(err, m, "truncating");
    }
done:
    if (c) mdb_cursor_close(c);
    if (txn) wal_txn_abort(st, txn);
    buf_free(&key);
    buf_free(&vals);
    buf_free(&prev);
    dd_free(ix);
    return rc;
}
