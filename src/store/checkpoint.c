/*
 * checkpoint.c - CHECKPOINT TABLE: the keys of a table's rows visible at a
 * seq, compressed and checksummed (layout in format.h, "checkpoint"), from
 * which a scan AS OF a point near that seq starts.
 *
 * The rows visible AS OF x are among the checkpoint's keys (those visible
 * at c) and the keys of the row events of the commits between c and x
 * (either side): a row visible at x and not at c began or ended between
 * them, and that commit's record names its key (a record whose versions
 * all went is a summary, but then none of them can be visible).  A period
 * from x to y adds the keys of the commits in (x, y]: a version within it
 * is visible at x or began in it.  So such a scan looks up those keys
 * alone (store_ckpt_keys), in place of every key the table ever had, when
 * that is the cheaper.
 * The images stay in `versions`: a checkpoint costs its keys.
 *
 * A checkpoint is derived data, not a commit: it is written outside the
 * log by one LMDB transaction, and VERIFY checks it against the versions.
 * DELETE HISTORY and ERASE rewrite the checkpoints their removals touch
 * (ckpt_purge), so that no checkpoint names a key whose version at its seq
 * is gone, nor an erased key; restore --until-seq drops those after its
 * seq (truncate.c).
 */
#include "store_int.h"
#include "../util/alloc.h"
#include "../util/crc32c.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

/* A key of the checkpoint database. */
static void ckpt_key(u8 out[FMT_CKPT_KEY_LEN], u32 table, u64 seq, u32 chunk)
{
    put_u32be(out, table);
    put_u64be(out + 4, seq);
    put_u32be(out + 12, chunk);
}

/* Whether chunk value v[0..n) is chunk no of checkpoint (table, seq):
 * its checksum, format and header; its keys, keys-ever hint and number of
 * chunks out.  No decompression. */
static bool chunk_header(const u8 *v, size_t n, u32 table, u64 seq, u32 no, u32 *nkeys, u64 *kever, u32 *count)
{
    if (n < FMT_CKPT_HDR + 4 || v[0] != FMT_CKPT_FORMAT || crc32c(0, v, n - 4) != get_u32be(v + n - 4)) return false;
    *nkeys = get_u32be(v + 1);
    *kever = get_u64be(v + 5);
    *count = get_u32be(v + 33);
    u32 rawn = get_u32be(v + 13);
    return get_u32be(v + 17) == table && get_u64be(v + 21) == seq && get_u32be(v + 29) == no && no < *count &&
           *count <= FMT_CKPT_MAX_CHUNKS && *nkeys <= FMT_CKPT_CHUNK_KEYS &&
           rawn <= FMT_CKPT_CHUNK_BYTES + FMT_MAX_PK + 10 && (*nkeys == 0) == (rawn == 0) &&
           (*nkeys > 0 || *count == 1);
}

int ckpt_decode(const u8 *v, size_t n, u32 table, u64 seq, u32 no, Buf *raw, u32 *nkeys, u64 *kever, u32 *count,
                DdError *err)
{
    if (!chunk_header(v, n, table, seq, no, nkeys, kever, count)) {
        if (n >= 4 && crc32c(0, v, n - 4) != get_u32be(v + n - 4))
            return dd_corrupt(err, "checkpoint: checksum mismatch");
        return dd_corrupt(err, "checkpoint: malformed chunk header");
    }
    u32 rawn = get_u32be(v + 13);
    const u8 *z = v + FMT_CKPT_HDR;
    size_t zn = n - 4 - FMT_CKPT_HDR;
    unsigned long long want = ZSTD_getFrameContentSize(z, zn);
    if (want != rawn) return dd_corrupt(err, "checkpoint: malformed chunk body");
    buf_reset(raw);
    if (!buf_reserve(raw, rawn + 1)) return dd_err(err, DD_ENOMEM, -1, NULL);
    size_t got = ZSTD_decompress(raw->data, rawn + 1, z, zn);
    if (ZSTD_isError(got) || got != rawn) return dd_corrupt(err, "checkpoint: chunk does not decompress");
    raw->len = rawn;
    /* the keys: varint length, bytes; strictly ascending */
    Cursor c;
    cur_init(&c, raw->data, raw->len);
    const u8 *prev = NULL;
    u64 prevn = 0;
    for (u32 i = 0; i < *nkeys; i++) {
        u64 kn = cur_varint(&c);
        const u8 *k = !c.bad && kn >= 1 && kn <= FMT_MAX_PK ? cur_bytes(&c, (size_t)kn) : NULL;
        if (!k) return dd_corrupt(err, "checkpoint: malformed key");
        if (prev && ckpt_key_cmp(prev, (u32)prevn, k, (u32)kn) >= 0)
            return dd_corrupt(err, "checkpoint: keys out of order");
        prev = k;
        prevn = kn;
    }
    if (!cur_end(&c)) return dd_corrupt(err, "checkpoint: trailing bytes in a chunk");
    return 0;
}

/* Chunk no of (table, seq) from txn, decoded into raw.  0, or XX001 when it
 * is missing or damaged, or another DD_ code. */
static int read_chunk(Store *st, MDB_txn *txn, u32 table, u64 seq, u32 no, Buf *raw, u32 *nkeys, u64 *kever,
                      u32 *count, DdError *err)
{
    u8 kb[FMT_CKPT_KEY_LEN];
    ckpt_key(kb, table, seq, no);
    MDB_val k = {sizeof kb, kb}, v;
    int g = mdb_get(txn, st->dbi[FMT_DB_CHECKPOINT], &k, &v);
    if (g == MDB_NOTFOUND)
        return dd_corrupt(err, "checkpoint of table id %u at seq %llu: chunk %u is missing", table,
                          (unsigned long long)seq, no);
    if (g) return store_mdb_err(err, g, "reading checkpoints");
    return ckpt_decode(v.mv_data, v.mv_size, table, seq, no, raw, nkeys, kever, count, err);
}

int ckpt_key_cmp(const u8 *a, u32 an, const u8 *b, u32 bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : an < bn ? -1 : an > bn;
}

/* Appends chunk no of (table, seq), the n keys raw[0..len), to out as u32
 * BE length, value (its chunk count and checksum filled in by
 * encode_chunks).  0 or a DD_ code. */
static int encode_chunk(const Buf *raw, u32 n, u64 kever, u32 table, u64 seq, u32 no, Buf *out, DdError *err)
{
    size_t bound = ZSTD_compressBound(raw->len);
    size_t at = out->len;
    if (!buf_reserve(out, 4 + FMT_CKPT_HDR + bound + 4)) return dd_err(err, DD_ENOMEM, -1, NULL);
    u8 *p = out->data + at + 4;
    p[0] = FMT_CKPT_FORMAT;
    put_u32be(p + 1, n);
    put_u64be(p + 5, kever);
    put_u32be(p + 13, (u32)raw->len);
    put_u32be(p + 17, table);
    put_u64be(p + 21, seq);
    put_u32be(p + 29, no);
    put_u32be(p + 33, 0);
    size_t zn = ZSTD_compress(p + FMT_CKPT_HDR, bound, raw->data, raw->len, 3);
    if (ZSTD_isError(zn)) return dd_err(err, DD_EINTERNAL, -1, "compressing a checkpoint: %s", ZSTD_getErrorName(zn));
    put_u32be(out->data + at, (u32)(FMT_CKPT_HDR + zn + 4));
    out->len = at + 4 + FMT_CKPT_HDR + zn + 4;
    return 0;
}

/* The chunk values of checkpoint (table, seq) of the keys of list (varint
 * length, bytes; ascending) into out (u32 BE length, value; one chunk
 * without keys when there are none).  0 or a DD_ code. */
static int encode_chunks(const Buf *list, u64 kever, u32 table, u64 seq, Buf *out, DdError *err)
{
    Buf raw = BUF_INIT;
    Cursor c;
    cur_init(&c, list->data, list->len);
    u32 n = 0, chunks = 0;
    int rc = 0;
    buf_reset(out);
    do {
        if (cur_left(&c)) {
            const u8 *at = c.p;
            u64 kn = cur_varint(&c);
            cur_bytes(&c, (size_t)kn);
            buf_append(&raw, at, (size_t)(c.p - at));
            n++;
        }
        if (n == FMT_CKPT_CHUNK_KEYS || raw.len >= FMT_CKPT_CHUNK_BYTES || !cur_left(&c)) {
            rc = buf_ok(&raw) ? encode_chunk(&raw, n, kever, table, seq, chunks++, out, err)
                              : dd_err(err, DD_ENOMEM, -1, NULL);
            buf_reset(&raw);
            n = 0;
        }
    } while (!rc && cur_left(&c));
    buf_free(&raw);
    if (!rc && chunks > FMT_CKPT_MAX_CHUNKS) rc = dd_err(err, DD_EPROGRAM_LIMIT, -1, "a checkpoint of more than %u chunks",
                                                         (unsigned)FMT_CKPT_MAX_CHUNKS);
    /* every chunk knows how many there are */
    for (size_t at = 0; !rc && at < out->len;) {
        u32 vn = get_u32be(out->data + at);
        u8 *p = out->data + at + 4;
        put_u32be(p + 33, chunks);
        put_u32be(p + vn - 4, crc32c(0, p, vn - 4));
        at += 4 + vn;
    }
    return rc;
}

/* Puts the chunk values of vals as checkpoint (table, seq).  An LMDB code. */
static int put_chunks(Store *st, MDB_txn *txn, u32 table, u64 seq, const Buf *vals)
{
    Cursor c;
    cur_init(&c, vals->data, vals->len);
    for (u32 no = 0; cur_left(&c); no++) {
        u32 n = cur_u32be(&c);
        const u8 *v = cur_bytes(&c, n);
        if (!v) return EINVAL;
        u8 kb[FMT_CKPT_KEY_LEN];
        ckpt_key(kb, table, seq, no);
        MDB_val k = {sizeof kb, kb}, mv = {n, (void *)v};
        int rc = wal_put(st, txn, FMT_DB_CHECKPOINT, &k, &mv, 0);
        if (rc) return rc;
    }
    return 0;
}

/* Deletes every chunk of (table, seq).  An LMDB code. */
static int del_checkpoint(Store *st, MDB_txn *txn, u32 table, u64 seq)
{
    /* the keys first (a cursor delete through the log would not be logged) */
    u32 nos[64];
    for (;;) {
        int n = 0, rc;
        MDB_cursor *c;
        if ((rc = mdb_cursor_open(txn, st->dbi[FMT_DB_CHECKPOINT], &c))) return rc;
        u8 kb[FMT_CKPT_KEY_LEN];
        ckpt_key(kb, table, seq, 0);
        MDB_val k = {sizeof kb, kb}, v;
        int g = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
        for (; g == 0 && n < 64; g = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
            if (k.mv_size != FMT_CKPT_KEY_LEN || memcmp(k.mv_data, kb, 12) != 0) break;
            nos[n++] = get_u32be((const u8 *)k.mv_data + 12);
        }
        mdb_cursor_close(c);
        if (g && g != MDB_NOTFOUND) return g;
        for (int i = 0; i < n; i++) {
            ckpt_key(kb, table, seq, nos[i]);
            MDB_val dk = {sizeof kb, kb};
            if ((rc = wal_del(st, txn, FMT_DB_CHECKPOINT, &dk))) return rc;
        }
        if (n < 64) return 0;
    }
}

/* Whether (table, pk) has a row version visible at seq, through a cursor
 * c on versions.  An LMDB code. */
static int visible_at(MDB_cursor *c, u32 table, const u8 *pk, u32 pklen, u64 seq, bool *vis)
{
    u8 kb[FMT_TABLE_ID_LEN + FMT_MAX_PK + FMT_SEQ_LEN];
    *vis = false;
    if (pklen > FMT_MAX_PK) return 0;
    put_u32be(kb, table);
    memcpy(kb + 4, pk, pklen);
    put_u64be(kb + 4 + pklen, fmt_inv_seq(seq));
    MDB_val k = {4 + (size_t)pklen + 8, kb}, v;
    int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    if (rc == MDB_NOTFOUND) return 0;
    if (rc) return rc;
    *vis = k.mv_size == 4 + (size_t)pklen + 8 && memcmp(k.mv_data, kb, 4 + pklen) == 0 && v.mv_size >= 1 &&
           ((const u8 *)v.mv_data)[0] == FMT_VER_ROW;
    return 0;
}

/* Whether checkpoint (table, seq) has all its chunks and no more, each
 * with a good checksum and header (what damage breaks; ckpt_decode checks
 * the rest when read). */
static bool ckpt_sound(MDB_txn *txn, MDB_dbi d, u32 table, u64 seq)
{
    u32 count = 1;
    for (u32 no = 0; no <= count; no++) {
        u8 kb[FMT_CKPT_KEY_LEN];
        ckpt_key(kb, table, seq, no);
        MDB_val k = {sizeof kb, kb}, v;
        int g = mdb_get(txn, d, &k, &v);
        if (no == count) return g == MDB_NOTFOUND;   /* and none beyond */
        u32 n, c;
        u64 ke;
        if (g || !chunk_header(v.mv_data, v.mv_size, table, seq, no, &n, &ke, &c) || (no > 0 && c != count))
            return false;
        count = c;
    }
    return false;
}

/* Deletes table's checkpoints that do not decode (derived data: the
 * next CHECKPOINT TABLE, DELETE HISTORY or ERASE of the table clears a
 * damaged one, which scans near it report with XX001 until then).
 * An LMDB code. */
static int drop_damaged(Store *st, MDB_txn *txn, u32 table)
{
    u64 *bad = NULL;
    size_t nbad = 0, cap = 0;
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, st->dbi[FMT_DB_CHECKPOINT], &c);
    if (rc) return rc;
    u8 kb[FMT_CKPT_KEY_LEN];
    ckpt_key(kb, table, 0, 0);
    MDB_val k = {sizeof kb, kb}, v;
    u64 last = 0;
    bool any = false;
    for (int g = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); g == 0 || (rc = g == MDB_NOTFOUND ? 0 : g, 0);
         g = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size != FMT_CKPT_KEY_LEN || get_u32be(k.mv_data) != table) break;
        u64 q = get_u64be((const u8 *)k.mv_data + 4);
        if (any && q == last) continue;
        any = true;
        last = q;
        if (ckpt_sound(txn, st->dbi[FMT_DB_CHECKPOINT], table, q)) continue;
        if (nbad == cap) {
            cap = cap ? cap * 2 : 4;
            u64 *nb = dd_realloc(bad, sizeof *nb * cap);
            if (!nb) { rc = ENOMEM; break; }
            bad = nb;
        }
        bad[nbad++] = q;
    }
    mdb_cursor_close(c);
    for (size_t i = 0; i < nbad && !rc; i++) rc = del_checkpoint(st, txn, table, bad[i]);
    dd_free(bad);
    return rc;
}

/* The keys of table's live rows in snapshot s, into list (varint length,
 * bytes), and how many keys its versions ever had.  0, or a DD_ code. */
static int live_keys(Snap *s, u32 table, Buf *list, u64 *n, u64 *kever, DdError *err)
{
    Store *st = s->st;
    *n = *kever = 0;
    MDB_cursor *c;
    int rc = mdb_cursor_open(s->txn, st->dbi[FMT_DB_CURRENT], &c);
    if (rc) return store_mdb_err(err, rc, "writing a checkpoint");
    u8 pre[4];
    put_u32be(pre, table);
    MDB_val k = {4, pre}, v;
    int g = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    for (; g == 0 && !rc; g = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size < 4 || get_u32be(k.mv_data) != table) break;
        if (k.mv_size == 4 || k.mv_size > 4 + FMT_MAX_PK)
            rc = dd_corrupt(err, "current: a row of table id %u has a key of %zu bytes", table, k.mv_size);
        buf_put_varint(list, k.mv_size - 4);
        buf_append(list, (const u8 *)k.mv_data + 4, k.mv_size - 4);
        (*n)++;
    }
    mdb_cursor_close(c);
    if (!rc && g && g != MDB_NOTFOUND) rc = store_mdb_err(err, g, "writing a checkpoint");
    if (!rc && !buf_ok(list)) rc = dd_err(err, DD_ENOMEM, -1, NULL);
    if (rc) return rc;
    /* the keys the table ever had: what an AS OF scan without it visits.
     * A key's next few versions are stepped over (most keys have few),
     * past them the next key is sought. */
    if ((rc = mdb_cursor_open(s->txn, st->dbi[FMT_DB_VERSIONS], &c))) return store_mdb_err(err, rc, "writing a checkpoint");
    u8 seek[FMT_TABLE_ID_LEN + FMT_MAX_PK + FMT_SEQ_LEN];
    put_u32be(seek, table);
    k = (MDB_val){4, seek};
    g = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    while (g == 0 && k.mv_size >= 4 && get_u32be(k.mv_data) == table) {
        if (k.mv_size < 4 + 1 + FMT_SEQ_LEN || k.mv_size > sizeof seek) {
            rc = dd_corrupt(err, "versions: an entry of table id %u has a key of %zu bytes", table, k.mv_size);
            break;
        }
        (*kever)++;
        size_t kn = k.mv_size - FMT_SEQ_LEN;   /* table || pk */
        memcpy(seek, k.mv_data, kn);
        for (int step = 0;; step++) {
            if (step == 4) {
                memset(seek + kn, 0xff, FMT_SEQ_LEN);
                k = (MDB_val){kn + FMT_SEQ_LEN, seek};
                g = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
                break;
            }
            if ((g = mdb_cursor_get(c, &k, &v, MDB_NEXT))) break;
            if (k.mv_size != kn + FMT_SEQ_LEN || memcmp(k.mv_data, seek, kn) != 0) break;   /* the next key */
        }
    }
    mdb_cursor_close(c);
    if (!rc && g && g != MDB_NOTFOUND) rc = store_mdb_err(err, g, "writing a checkpoint");
    return rc;
}

int store_checkpoint_table(Store *st, u32 table, u64 *seq_out, u64 *keys_out, DdError *err)
{
    *seq_out = *keys_out = 0;
    if (st->read_only) return dd_err(err, DD_EREAD_ONLY_TXN, -1, "cannot write a checkpoint in a database opened read-only");
    if (!st->has_ckpt_db) return dd_err(err, DD_EINTERNAL, -1, "the checkpoint database is missing");
    Buf list = BUF_INIT, vals = BUF_INIT;
    int rc = 0, tries = 0, full = 0;
    /* the deletions this checkpoint accounts for (those after it count on) */
    pthread_mutex_lock(&st->cat_mu);
    CatTable *ct0 = cat_find(st, table);
    u64 taken = ct0 ? ct0->ck_dels : 0;
    pthread_mutex_unlock(&st->cat_mu);
    for (;;) {
        Snap *s;
        if ((rc = store_snap_begin(st, &s, err))) break;
        u64 head = s->seq, n, kever;
        buf_reset(&list);
        rc = live_keys(s, table, &list, &n, &kever, err);
        store_snap_end(s);
        /* compressed before the write lock is taken */
        if (rc || (rc = encode_chunks(&list, kever, table, head, &vals, err))) break;
        int broken = store_broken(st);
        if (broken) {
            rc = dd_err(err, broken, -1, "%s", st->broken_msg[0] ? st->broken_msg : dd_err_text(broken));
            break;
        }
        MDB_txn *txn;
        int m = wal_txn_begin(st, &txn);
        if (m) {
            rc = store_mdb_err(err, m, "writing a checkpoint");
            break;
        }
        /* a DELETE HISTORY or ERASE of the table since head changed what
         * head sees: take the keys again */
        pthread_mutex_lock(&st->cat_mu);
        CatTable *ct = cat_find(st, table);
        u64 purged = ct ? ct->purged_at : 0;
        pthread_mutex_unlock(&st->cat_mu);
        if (purged > head) {
            wal_txn_abort(st, txn);
            if (++tries < 4) continue;
            rc = dd_err(err, DD_ESERIALIZATION, -1,
                        "could not serialize access: DELETE HISTORY or ERASE committed while the checkpoint was taken");
            break;
        }
        if (!(m = del_checkpoint(st, txn, table, head)) && !(m = drop_damaged(st, txn, table)) &&
            !(m = put_chunks(st, txn, table, head, &vals)))
            m = wal_commit(st, txn);
        else
            wal_txn_abort(st, txn);
        if (m == MDB_MAP_FULL && ++full < 20) {
            if ((rc = store_grow_map(st, err))) break;
            continue;
        }
        if (m) {
            rc = store_mdb_err(err, m, "writing a checkpoint");
            break;
        }
        *seq_out = head;
        *keys_out = n;
        pthread_mutex_lock(&st->cat_mu);
        if ((ct = cat_find(st, table))) {
            ct->ck_dels -= DD_MIN(taken, ct->ck_dels);
            ct->ck_kever = kever;
        }
        pthread_mutex_unlock(&st->cat_mu);
        break;
    }
    buf_free(&list);
    buf_free(&vals);
    return rc;
}

/*
 * Automatic checkpoints.  A scan AS OF a point visits every key the table
 * ever had unless a checkpoint near the point lists fewer (store_ckpt_keys);
 * keys stop being live only by deletions (and key moves), so a table whose
 * rows were deleted, since its last checkpoint, CKPT_AUTO_MIN times, as
 * many times as it has live rows (counted if need be: auto_due), and a
 * quarter as many as the keys it had ever had at that checkpoint, gets
 * one at the head.  Writing one reads the live keys and counts the keys
 * ever once, so this spacing costs a few lookups per deletion; its keys
 * are a few bytes each (compressed).  The session whose commit made it
 * due (or one committing beside it) writes it once its transaction's
 * locks are let go, before its statement answers (store_checkpoint_due),
 * so a mass DELETE is followed by one at once.  The counts live in memory:
 * after a restart, deletions count from the open.
 */
#define CKPT_AUTO_MIN 10000

bool ckpt_auto_due_locked(const CatTable *ct)
{
    u64 need = CKPT_AUTO_MIN;
    if (ct->counted && ct->live_rows > 0 && (u64)ct->live_rows > need) need = (u64)ct->live_rows;
    if (ct->ck_kever / 4 > need) need = ct->ck_kever / 4;
    return ct->ck_dels >= need;
}

/* Whether table's checkpoint is still due once its live rows are known
 * (counted now if no one asked before: once per table and open): 1 due,
 * 0 not, -1 not known (the count failed: as a failed checkpoint).  A count
 * another thread runs meanwhile leaves it due for the next commit. */
static int auto_due(Store *st, u32 table)
{
    pthread_mutex_lock(&st->cat_mu);
    CatTable *ct = cat_find(st, table);
    bool found = ct != NULL, counted = ct && ct->counted;
    pthread_mutex_unlock(&st->cat_mu);
    if (!found) return 0;
    if (!counted) {
        Snap *s;
        DdError e;
        if (store_snap_begin(st, &s, &e)) return -1;
        (void)store_table_rows(s, table);
        store_snap_end(s);
    }
    pthread_mutex_lock(&st->cat_mu);
    int due = -1;
    if ((ct = cat_find(st, table)) && ct->counted) {
        due = ckpt_auto_due_locked(ct);
    } else if (ct && ct->counting) {
        ct->ck_due = true;   /* raised again by auto_done */
        due = 0;
    }
    pthread_mutex_unlock(&st->cat_mu);
    return due;
}

/* Ends table's turn: a checkpoint that could not be written waits for as
 * many deletions again (each try reads every key the table ever had). */
static void auto_done(Store *st, u32 table, bool failed)
{
    pthread_mutex_lock(&st->cat_mu);
    CatTable *ct = cat_find(st, table);
    if (ct) {
        ct->ck_busy = false;
        if (failed) ct->ck_dels = 0;
        /* due again meanwhile (auto_due), or by a commit while busy */
        if (!ct->ck_due && ckpt_auto_due_locked(ct)) ct->ck_due = true;
        if (ct->ck_due) __atomic_store_n(&st->ck_any_due, true, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&st->cat_mu);
}

void store_checkpoint_due(Store *st)
{
    if (st->read_only || !st->has_ckpt_db || !__atomic_load_n(&st->ck_any_due, __ATOMIC_RELAXED) ||
        !__atomic_exchange_n(&st->ck_any_due, false, __ATOMIC_ACQ_REL))
        return;
    u32 *ids = NULL;
    int n = 0, cap = 0;
    pthread_mutex_lock(&st->cat_mu);
    for (int i = 0; i < st->ncat; i++) {
        CatTable *ct = &st->cat[i];
        if (!ct->ck_due || ct->ck_busy) continue;
        const TableInfo *t = cat_version_locked(st, ct->id, UINT64_MAX);
        bool table = t && !t->dropped && !t->temp && !t->view_sql && !t->sequence;
        if (table && n == cap) {
            int nc = cap ? cap * 2 : 8;
            u32 *g = dd_realloc(ids, sizeof *ids * (size_t)nc);
            if (!g) {
                __atomic_store_n(&st->ck_any_due, true, __ATOMIC_RELEASE);   /* the rest: the next commit */
                break;
            }
            ids = g;
            cap = nc;
        }
        ct->ck_due = false;
        if (!table) {
            ct->ck_dels = 0;   /* a view, a sequence, a dropped table: never */
            continue;
        }
        ct->ck_busy = true;
        ids[n++] = ct->id;
    }
    pthread_mutex_unlock(&st->cat_mu);
    for (int i = 0; i < n; i++) {
        u64 seq, keys;
        DdError e;
        int due = auto_due(st, ids[i]);
        bool failed = due < 0 || (due > 0 && store_checkpoint_table(st, ids[i], &seq, &keys, &e) != 0);
        auto_done(st, ids[i], failed);
    }
    dd_free(ids);
}

/* The checkpoint of table nearest x (at or before the snapshot's head):
 * its seq, keys and keys-ever hint.  1 found, 0 none, -code. */
static int nearest(Snap *s, u32 table, u64 x, u64 *seq, u64 *nkeys, u64 *kever, DdError *err)
{
    Store *st = s->st;
    MDB_cursor *c;
    int rc = mdb_cursor_open(s->txn, st->dbi[FMT_DB_CHECKPOINT], &c);
    if (rc) return -store_mdb_err(err, rc, "reading checkpoints");
    u64 cand[2] = {0, 0};
    int nc = 0;
    u8 kb[FMT_CKPT_KEY_LEN];
    ckpt_key(kb, table, x, 0);
    MDB_val k = {sizeof kb, kb}, v;
    int g = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    if (g == 0 && k.mv_size == FMT_CKPT_KEY_LEN && get_u32be(k.mv_data) == table &&
        get_u64be((const u8 *)k.mv_data + 4) <= s->seq)
        cand[nc++] = get_u64be((const u8 *)k.mv_data + 4);
    g = g == 0 ? mdb_cursor_get(c, &k, &v, MDB_PREV) : g == MDB_NOTFOUND ? mdb_cursor_get(c, &k, &v, MDB_LAST) : g;
    if (g == 0 && k.mv_size == FMT_CKPT_KEY_LEN && get_u32be(k.mv_data) == table &&
        get_u64be((const u8 *)k.mv_data + 4) < x)
        cand[nc++] = get_u64be((const u8 *)k.mv_data + 4);
    mdb_cursor_close(c);
    if (g && g != MDB_NOTFOUND) return -store_mdb_err(err, g, "reading checkpoints");
    if (!nc) return 0;
    u64 best = cand[0];
    if (nc == 2 && (x - cand[1]) < (best > x ? best - x : x - best)) best = cand[1];
    /* its chunks' headers */
    *seq = best;
    *nkeys = 0;
    u32 count = 1;
    for (u32 no = 0; no < count; no++) {
        ckpt_key(kb, table, best, no);
        MDB_val ck = {sizeof kb, kb}, cv;
        g = mdb_get(s->txn, st->dbi[FMT_DB_CHECKPOINT], &ck, &cv);
        if (g && g != MDB_NOTFOUND) return -store_mdb_err(err, g, "reading checkpoints");
        u32 n, cn;
        if (g || !chunk_header(cv.mv_data, cv.mv_size, table, best, no, &n, kever, &cn) || (no > 0 && cn != count))
            return -dd_corrupt(err, "checkpoint of table id %u at seq %llu: chunk %u is missing or damaged", table,
                               (unsigned long long)best, no);
        count = cn;
        *nkeys += n;
    }
    return 1;
}

typedef struct KRef { const u8 *k; u32 n; } KRef;

static int kref_cmp(const void *a, const void *b)
{
    const KRef *x = a, *y = b;
    return ckpt_key_cmp(x->k, x->n, y->k, y->n);
}

int store_ckpt_keys(Snap *s, u32 table, u64 x, u64 to, StoreCkptKeys *out, DdError *err)
{
    memset(out, 0, sizeof *out);
    Store *st = s->st;
    if (!st->has_ckpt_db || getenv("DRIFTDB_NO_CHECKPOINT_SCAN")) return 0;
    u64 c = 0, nkeys = 0, kever = 0;
    int rc = nearest(s, table, x, &c, &nkeys, &kever, err);
    if (rc <= 0) return rc;
    /* worth it when the log between c and x and the checkpoint's keys are
     * fewer than half the keys an AS OF scan visits (two seeks each) */
    u64 budget = kever / 2;
    if (nkeys >= budget) return 0;
    budget -= nkeys;
    Buf list = BUF_INIT;   /* varint length, bytes */
    /* the commits between c and x, and those after x up to `to` */
    u64 from = (c < x ? c : x) + 1, read = 0;
    if (to < x) to = x;
    if (to < c) to = c;
    if (to > s->seq) to = s->seq;
    if (to >= from && to - from + 1 > budget) return 0;   /* a commit holds one event at least */
    MDB_cursor *lc;
    if ((rc = mdb_cursor_open(s->txn, st->dbi[FMT_DB_LOG], &lc))) return -store_mdb_err(err, rc, "reading the log");
    u8 kb[8];
    put_u64be(kb, from);
    MDB_val k = {8, kb}, v;
    int g = from <= to ? mdb_cursor_get(lc, &k, &v, MDB_SET_RANGE) : MDB_NOTFOUND;
    for (; g == 0 && rc == 0; g = mdb_cursor_get(lc, &k, &v, MDB_NEXT)) {
        u64 q = k.mv_size == 8 ? get_u64be(k.mv_data) : 0;
        if (q > to) break;
        LogRecord lr;
        Cursor ec;
        if ((rc = log_parse(v.mv_data, v.mv_size, q, &lr, &ec, err))) {
            rc = -rc;
            break;
        }
        read += lr.committed + 1;
        if (read > budget) {
            rc = 1;   /* not worth it */
            break;
        }
        for (u32 i = 0; i < lr.nevents; i++) {
            LogEvent ev;
            if (log_next_event(&ec, lr.format, &ev)) {
                rc = -dd_corrupt(err, "log record %llu: malformed event", (unsigned long long)q);
                break;
            }
            if (ev.table != table || ev.op < OP_INSERT || ev.op > OP_DELETE || !ev.pk || !ev.pklen) continue;
            buf_put_varint(&list, ev.pklen);
            buf_append(&list, ev.pk, ev.pklen);
        }
    }
    mdb_cursor_close(lc);
    if (!rc && g && g != MDB_NOTFOUND) rc = -store_mdb_err(err, g, "reading the log");
    /* the checkpoint's keys in range */
    Buf raw = BUF_INIT;
    u32 count = 1;
    for (u32 no = 0; rc == 0 && no < count; no++) {
        u32 n, cn;
        u64 ke;
        if ((rc = read_chunk(st, s->txn, table, c, no, &raw, &n, &ke, &cn, err))) {
            rc = -rc;
            break;
        }
        if (no > 0 && cn != count) {
            rc = -dd_corrupt(err, "checkpoint of table id %u at seq %llu: its chunks disagree", table,
                             (unsigned long long)c);
            break;
        }
        count = cn;
        buf_append(&list, raw.data, raw.len);   /* its keys, as the list holds them */
    }
    buf_free(&raw);
    if (rc) {
        buf_free(&list);
        return rc > 0 ? 0 : rc;
    }
    if (!buf_ok(&list)) {
        buf_free(&list);
        return -dd_err(err, DD_ENOMEM, -1, NULL);
    }
    /* sorted, each once */
    size_t cnt = 0;
    Cursor lcur;
    cur_init(&lcur, list.data, list.len);
    while (cur_left(&lcur)) {
        cur_bytes(&lcur, (size_t)cur_varint(&lcur));
        cnt++;
    }
    KRef *refs = dd_malloc(sizeof *refs * (cnt ? cnt : 1));
    if (!refs) {
        buf_free(&list);
        return -dd_err(err, DD_ENOMEM, -1, NULL);
    }
    cur_init(&lcur, list.data, list.len);
    for (size_t i = 0; i < cnt; i++) {
        refs[i].n = (u32)cur_varint(&lcur);
        refs[i].k = cur_bytes(&lcur, refs[i].n);
    }
    qsort(refs, cnt, sizeof *refs, kref_cmp);
    size_t m = 0;
    for (size_t i = 0; i < cnt; i++)
        if (m == 0 || kref_cmp(&refs[m - 1], &refs[i]) != 0) refs[m++] = refs[i];
    out->list = list;
    out->refs = refs;
    out->n = m;
    out->seq = c;
    return 1;
}

const u8 *store_ckpt_key_at(const StoreCkptKeys *k, size_t i, u32 *n)
{
    const KRef *r = k->refs;
    *n = r[i].n;
    return r[i].k;
}

void store_ckpt_keys_free(StoreCkptKeys *k)
{
    buf_free(&k->list);
    dd_free(k->refs);
    memset(k, 0, sizeof *k);
}

bool ckpt_any(Store *st, MDB_txn *txn, u32 table, u64 upto)
{
    if (!st->has_ckpt_db) return false;
    u8 kb[FMT_CKPT_KEY_LEN];
    ckpt_key(kb, table, 0, 0);
    MDB_cursor *c;
    if (mdb_cursor_open(txn, st->dbi[FMT_DB_CHECKPOINT], &c)) return true;   /* let ckpt_purge see */
    MDB_val k = {sizeof kb, kb}, v;
    bool any = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE) == 0 && k.mv_size == FMT_CKPT_KEY_LEN &&
               get_u32be(k.mv_data) == table && get_u64be((const u8 *)k.mv_data + 4) <= upto;
    mdb_cursor_close(c);
    return any;
}

/* Whether pk is one of the n sorted keys of list (varint length, bytes),
 * indexed by refs. */
static bool listed_key(const KRef *refs, size_t n, const u8 *pk, u32 pklen)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = ckpt_key_cmp(refs[mid].k, refs[mid].n, pk, pklen);
        if (c == 0) return true;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return false;
}

int ckpt_purge(Store *st, MDB_txn *txn, u32 table, u64 upto, const Buf *keys, bool erase, DdError *err)
{
    if (!st->has_ckpt_db) return 0;
    int rc = drop_damaged(st, txn, table);
    if (rc || !keys->len) return rc;
    /* the keys that lost versions (ascending), for a binary search */
    size_t nk = 0;
    Cursor kc;
    cur_init(&kc, keys->data, keys->len);
    while (cur_left(&kc)) {
        cur_bytes(&kc, (size_t)cur_varint(&kc));
        nk++;
    }
    KRef *refs = dd_malloc(sizeof *refs * (nk ? nk : 1));
    if (!refs) return ENOMEM;
    cur_init(&kc, keys->data, keys->len);
    for (size_t i = 0; i < nk; i++) {
        refs[i].n = (u32)cur_varint(&kc);
        refs[i].k = cur_bytes(&kc, refs[i].n);
    }
    /* the seqs of table's checkpoints at or before upto */
    u64 *seqs = NULL;
    size_t ns = 0, cap = 0;
    MDB_cursor *c;
    if ((rc = mdb_cursor_open(txn, st->dbi[FMT_DB_CHECKPOINT], &c))) {
        dd_free(refs);
        return rc;
    }
    u8 kb[FMT_CKPT_KEY_LEN];
    ckpt_key(kb, table, 0, 0);
    MDB_val k = {sizeof kb, kb}, v;
    int g = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    for (; g == 0; g = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size != FMT_CKPT_KEY_LEN || get_u32be(k.mv_data) != table) break;
        u64 q = get_u64be((const u8 *)k.mv_data + 4);
        if (q > upto) break;
        if (ns && seqs[ns - 1] == q) continue;
        if (ns == cap) {
            cap = cap ? cap * 2 : 8;
            u64 *nn = dd_realloc(seqs, sizeof *nn * cap);
            if (!nn) { rc = ENOMEM; break; }
            seqs = nn;
        }
        seqs[ns++] = q;
    }
    mdb_cursor_close(c);
    if (!rc && g && g != MDB_NOTFOUND) rc = g;
    MDB_cursor *vc = NULL;
    if (!rc && !erase) rc = mdb_cursor_open(txn, st->dbi[FMT_DB_VERSIONS], &vc);
    Buf raw = BUF_INIT, keep = BUF_INIT, vals = BUF_INIT;
    for (size_t i = 0; i < ns && !rc; i++) {
        /* keep the keys still visible at its seq: all but the erased
         * ones, or those of the removals whose version then went */
        buf_reset(&keep);
        u64 kever = 0;
        bool changed = false;
        u32 count = 1;
        for (u32 no = 0; !rc && no < count; no++) {
            u32 n;
            /* drop_damaged took those that do not read whole */
            if ((rc = read_chunk(st, txn, table, seqs[i], no, &raw, &n, &kever, &count, err))) {
                rc = -rc;
                break;
            }
            Cursor r;
            cur_init(&r, raw.data, raw.len);
            for (u32 j = 0; j < n && !rc; j++) {
                const u8 *at = r.p;
                u64 kn = cur_varint(&r);
                const u8 *kp = cur_bytes(&r, (size_t)kn);
                bool vis = true;
                if (listed_key(refs, nk, kp, (u32)kn)) {
                    if (erase) vis = false;
                    else rc = visible_at(vc, table, kp, (u32)kn, seqs[i], &vis);
                }
                if (vis) buf_append(&keep, at, (size_t)(r.p - at));
                else changed = true;
            }
        }
        if (rc || !changed) continue;
        if (!buf_ok(&keep)) { rc = ENOMEM; break; }
        int e2 = encode_chunks(&keep, kever, table, seqs[i], &vals, err);
        if (e2) { rc = -e2; break; }
        if ((rc = del_checkpoint(st, txn, table, seqs[i]))) break;
        rc = put_chunks(st, txn, table, seqs[i], &vals);
    }
    if (vc) mdb_cursor_close(vc);
    buf_free(&raw);
    buf_free(&keep);
    buf_free(&vals);
    dd_free(seqs);
    dd_free(refs);
    return rc;
}

/* The number of table's keys with a row visible at seq: one seek per key
 * the table ever had.  An LMDB code. */
static int count_visible(MDB_cursor *c, u32 table, u64 seq, u64 *n)
{
    u8 seek[FMT_TABLE_ID_LEN + FMT_MAX_PK + FMT_SEQ_LEN];
    size_t seekn = 4;
    put_u32be(seek, table);
    *n = 0;
    for (;;) {
        MDB_val k = {seekn, seek}, v;
        int g = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
        if (g == MDB_NOTFOUND) return 0;
        if (g) return g;
        if (k.mv_size < 4 + 1 + FMT_SEQ_LEN || k.mv_size > sizeof seek || get_u32be(k.mv_data) != table) return 0;
        size_t pre = k.mv_size - FMT_SEQ_LEN;
        u64 q = fmt_inv_seq(get_u64be((const u8 *)k.mv_data + pre));
        memcpy(seek, k.mv_data, pre);
        if (q > seq) {
            /* the key's newest version at or before seq, if any */
            put_u64be(seek + pre, fmt_inv_seq(seq));
            seekn = k.mv_size;
            k = (MDB_val){seekn, seek};
            g = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
            if (g && g != MDB_NOTFOUND) return g;
        }
        if (g == 0 && k.mv_size == pre + FMT_SEQ_LEN && memcmp(k.mv_data, seek, pre) == 0 && v.mv_size >= 1 &&
            ((const u8 *)v.mv_data)[0] == FMT_VER_ROW)
            (*n)++;
        memset(seek + pre, 0xff, FMT_SEQ_LEN);
        seekn = pre + FMT_SEQ_LEN;
    }
}

int ckpt_check(Store *st, MDB_txn *txn, u64 head, bool one, u32 only, CkptBad *bad)
{
    memset(bad, 0, sizeof *bad);
    if (!st->has_ckpt_db) return 0;
    MDB_cursor *c = NULL, *vc = NULL;
    int rc = mdb_cursor_open(txn, st->dbi[FMT_DB_CHECKPOINT], &c);
    if (!rc) rc = mdb_cursor_open(txn, st->dbi[FMT_DB_VERSIONS], &vc);
    Buf raw = BUF_INIT, last = BUF_INIT;
    DdError e;
    u32 table = 0;
    u64 seq = 0, kever = 0, keys = 0;
    u32 next_no = 0, count = 0;
    bool open = false;
    MDB_val k, v;
    u8 start[FMT_CKPT_KEY_LEN];
    ckpt_key(start, one ? only : 0, 0, 0);
    k = (MDB_val){sizeof start, start};
    int g = rc ? rc : mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    for (;; g = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (g && g != MDB_NOTFOUND) {
            rc = g;
            break;
        }
        if (g == 0 && one && (k.mv_size != FMT_CKPT_KEY_LEN || get_u32be(k.mv_data) != only))
            g = MDB_NOTFOUND;   /* past the table's */
        bool same = g == 0 && k.mv_size == FMT_CKPT_KEY_LEN && open && get_u32be(k.mv_data) == table &&
                    get_u64be((const u8 *)k.mv_data + 4) == seq;
        if (open && !same && next_no != count) {
            snprintf(bad->why, sizeof bad->why, "it has %u of its %u chunks", next_no, count);
            break;
        }
        if (open && !same) {
            /* the checkpoint (table, seq) read whole: every row visible then */
            u64 n;
            if ((rc = count_visible(vc, table, seq, &n))) break;
            if (n != keys) {
                bad->table = table;
                bad->seq = seq;
                snprintf(bad->why, sizeof bad->why, "it has %llu rows, but %llu were visible then",
                         (unsigned long long)keys, (unsigned long long)n);
                break;
            }
            open = false;
        }
        if (g == MDB_NOTFOUND) break;
        if (k.mv_size != FMT_CKPT_KEY_LEN) {
            snprintf(bad->why, sizeof bad->why, "a key of %zu bytes", k.mv_size);
            break;
        }
        u32 kt = get_u32be(k.mv_data);
        u64 ks = get_u64be((const u8 *)k.mv_data + 4);
        u32 no = get_u32be((const u8 *)k.mv_data + 12);

        if (!same) {
            table = kt;
            seq = ks;
            keys = 0;
            next_no = 0;
            buf_reset(&last);
            open = true;
            bad->table = table;
            bad->seq = seq;
            pthread_mutex_lock(&st->cat_mu);
            const TableInfo *t = cat_version_locked(st, table, seq);
            pthread_mutex_unlock(&st->cat_mu);
            if (seq == 0 || seq > head) {
                snprintf(bad->why, sizeof bad->why, "its seq is not in the database (head %llu)",
                         (unsigned long long)head);
                break;
            }
            if (!t || t->dropped || t->temp || t->view_sql || t->sequence) {
                snprintf(bad->why, sizeof bad->why, "no table of that id at its seq");
                break;
            }
        }
        if (no != next_no++) {
            snprintf(bad->why, sizeof bad->why, "chunk %u where %u was due", no, next_no - 1);
            break;
        }
        u32 n, cn;
        u64 ke;
        if (ckpt_decode(v.mv_data, v.mv_size, kt, ks, no, &raw, &n, &ke, &cn, &e)) {
            snprintf(bad->why, sizeof bad->why, "%.150s", e.message);
            break;
        }
        if (no > 0 && (ke != kever || cn != count)) {
            snprintf(bad->why, sizeof bad->why, "its chunks disagree");
            break;
        }
        kever = ke;
        count = cn;
        Cursor r;
        cur_init(&r, raw.data, raw.len);
        for (u32 i = 0; i < n && !rc && !bad->why[0]; i++) {
            u64 kn = cur_varint(&r);
            const u8 *kp = cur_bytes(&r, (size_t)kn);
            if (i == 0 && last.len && ckpt_key_cmp(last.data, (u32)last.len, kp, (u32)kn) >= 0)
                snprintf(bad->why, sizeof bad->why, "keys out of order between chunks");
            bool vis;
            if (!bad->why[0] && !(rc = visible_at(vc, table, kp, (u32)kn, seq, &vis)) && !vis)
                snprintf(bad->why, sizeof bad->why, "it names a row not visible then");
            if (i + 1 == n) {
                buf_reset(&last);
                buf_append(&last, kp, (size_t)kn);
            }
        }
        keys += n;
        if (rc || bad->why[0]) break;
        if (!buf_ok(&last)) {
            rc = ENOMEM;
            break;
        }
    }
    if (vc) mdb_cursor_close(vc);
    if (c) mdb_cursor_close(c);
    buf_free(&raw);
    buf_free(&last);
    if (rc) return rc;
    return bad->why[0] ? 1 : 0;
}

int store_checkpoints(Snap *s, int (*fn)(void *arg, u32 table, u64 seq, u64 rows, u64 bytes), void *arg,
                      DdError *err)
{
    Store *st = s->st;
    if (!st->has_ckpt_db) return 0;
    MDB_cursor *c;
    int rc = mdb_cursor_open(s->txn, st->dbi[FMT_DB_CHECKPOINT], &c);
    if (rc) return store_mdb_err(err, rc, "reading checkpoints");
    u32 table = 0;
    u64 seq = 0, rows = 0, bytes = 0;
    bool open = false;
    MDB_val k, v;
    int g = mdb_cursor_get(c, &k, &v, MDB_FIRST);
    for (;; g = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (g && g != MDB_NOTFOUND) {
            rc = store_mdb_err(err, g, "reading checkpoints");
            break;
        }
        bool good = g == 0 && k.mv_size == FMT_CKPT_KEY_LEN;
        u32 kt = good ? get_u32be(k.mv_data) : 0;
        u64 ks = good ? get_u64be((const u8 *)k.mv_data + 4) : 0;
        if (open && (!good || kt != table || ks != seq)) {
            if ((rc = fn(arg, table, seq, rows, bytes))) break;
            open = false;
        }
        if (g == MDB_NOTFOUND) break;
        if (!good) continue;   /* VERIFY reports it */
        if (!open) {
            table = kt;
            seq = ks;
            rows = bytes = 0;
            open = true;
        }
        if (v.mv_size >= FMT_CKPT_HDR + 4) rows += get_u32be((const u8 *)v.mv_data + 1);
        bytes += v.mv_size;
    }
    mdb_cursor_close(c);
    return rc;
}
