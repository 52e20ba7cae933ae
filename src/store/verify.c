/*
 * verify.c - store_verify: walks the log 1..head and checks, for every
 * record, that its key is the next seq (no gaps), its CRC32C, its prev hash
 * (the previous record's hash), its recomputed SHA-256, and that each event
 * is backed: row events by a version at (table, pk, seq) whose image hashes
 * to the event's hash (tombstones for zero hashes), catalog events by the
 * catalog record at (table, seq).  Finally meta's head must equal the last
 * record (seq and hash).  Stops at the first bad seq.
 *
 * Runs on one read snapshot; it unpins and re-pins every few thousand
 * records (cursor reopened) so that a long verify does not block map growth.
 */
#include "store_int.h"
#include "../util/sha256.h"

#include <string.h>

#define VERIFY_CHUNK 4096

/* Checks the events of one parsed record.  0 or DD_ECORRUPT. */
static int verify_events(Snap *s, u64 seq, Cursor *c, u32 nev, Buf *key, DdError *err)
{
    Store *st = s->st;
    for (u32 i = 0; i < nev; i++) {
        LogEvent ev;
        if (log_next_event(c, &ev))
            return dd_corrupt(err, "log record %llu: malformed event", (unsigned long long)seq);
        buf_reset(key);
        buf_put_u32be(key, ev.table);
        MDB_dbi dbi;
        bool catalog = ev.op >= FMT_EV_CREATE && ev.op <= FMT_EV_DROP;
        if (catalog) {
            dbi = st->dbi[FMT_DB_CATALOG];
        } else if (ev.op >= OP_INSERT && ev.op <= OP_DELETE) {
            buf_append(key, ev.pk, ev.pklen);
            dbi = st->dbi[FMT_DB_VERSIONS];
        } else {
            return dd_corrupt(err, "log record %llu: unknown event op %u", (unsigned long long)seq, ev.op);
        }
        buf_put_u64be(key, fmt_inv_seq(seq));
        if (!buf_ok(key)) return dd_err(err, DD_ENOMEM, -1, NULL);
        MDB_val k = {key->len, key->data}, v;
        int rc = mdb_get(s->txn, dbi, &k, &v);
        if (rc == MDB_NOTFOUND)
            return dd_corrupt(err, "log record %llu: event %u has no %s", (unsigned long long)seq, i,
                              catalog ? "catalog record" : "version");
        if (rc) return store_mdb_err(err, rc, "verifying");
        const u8 *img = v.mv_data;
        size_t n = v.mv_size;
        static const u8 zero[32];
        if (!catalog) {
            if (n < FMT_VER_HDR || img[1] != ev.op)
                return dd_corrupt(err, "log record %llu: event %u: version does not match", (unsigned long long)seq, i);
            bool tomb = img[0] == FMT_VER_TOMBSTONE;
            if (tomb != (ev.op == OP_DELETE) || (tomb && memcmp(ev.hash, zero, 32) != 0) ||
                (tomb && n != FMT_VER_HDR))
                return dd_corrupt(err, "log record %llu: event %u: version kind does not match", (unsigned long long)seq, i);
            if (tomb) continue;
            img += FMT_VER_HDR;
            n -= FMT_VER_HDR;
        }
        u8 h[32];
        sha256(img, n, h);
        if (memcmp(h, ev.hash, 32) != 0)
            return dd_corrupt(err, "log record %llu: event %u: %s does not match its hash", (unsigned long long)seq, i,
                              catalog ? "catalog record" : "row image");
    }
    if (!cur_end(c)) return dd_corrupt(err, "log record %llu: trailing bytes", (unsigned long long)seq);
    return 0;
}

int store_verify(Store *st, u64 *checked, u64 *first_bad, DdError *err)
{
    *checked = 0;
    *first_bad = 0;
    Snap *s;
    int rc = store_snap_begin(st, &s, err);
    if (rc) return rc;
    Buf key = BUF_INIT;
    u8 prev[32] = {0};
    u64 head;
    i64 head_time;
    u8 head_hash[32];
    MDB_cursor *cur = NULL;
    if ((rc = store_read_head(st, s->txn, &head, head_hash, &head_time, err))) {
        *first_bad = 1;
        goto done;
    }
    u64 seq = 0;
    for (;;) {
        u64 want = seq + 1;
        if (!cur) {
            if ((rc = mdb_cursor_open(s->txn, st->dbi[FMT_DB_LOG], &cur))) {
                rc = store_mdb_err(err, rc, "verifying");
                goto done;
            }
        }
        u8 kb[8];
        put_u64be(kb, want);
        MDB_val k = {8, kb}, v;
        int g = mdb_cursor_get(cur, &k, &v, want == 1 || (seq % VERIFY_CHUNK) == 0 ? MDB_SET_RANGE : MDB_NEXT);
        if (g == MDB_NOTFOUND) break;
        if (g) {
            rc = store_mdb_err(err, g, "verifying");
            goto done;
        }
        u64 got = k.mv_size == 8 ? get_u64be(k.mv_data) : 0;
        if (got != want) {
            *first_bad = want;
            rc = dd_corrupt(err, "log: expected commit %llu, found %llu", (unsigned long long)want,
                            (unsigned long long)got);
            goto done;
        }
        if (want > head) {
            *first_bad = want;
            rc = dd_corrupt(err, "log record %llu is beyond the head %llu", (unsigned long long)want,
                            (unsigned long long)head);
            goto done;
        }
        LogRecord lr;
        Cursor ec;
        const u8 *p = v.mv_data;
        size_t n = v.mv_size;
        if ((rc = log_parse(p, n, want, &lr, &ec, err))) {
            *first_bad = want;
            goto done;
        }
        if (memcmp(lr.prev_hash, prev, 32) != 0) {
            *first_bad = want;
            rc = dd_corrupt(err, "log record %llu: previous hash does not match", (unsigned long long)want);
            goto done;
        }
        u8 h[32];
        log_hash(p, n - 4, want, h);
        if (memcmp(h, lr.hash, 32) != 0) {
            *first_bad = want;
            rc = dd_corrupt(err, "log record %llu: hash does not match its contents", (unsigned long long)want);
            goto done;
        }
        if ((rc = verify_events(s, want, &ec, lr.nevents, &key, err))) {
            if (rc == DD_ECORRUPT) *first_bad = want;
            goto done;
        }
        memcpy(prev, lr.hash, 32);
        seq = want;
        *checked = seq;
        if (seq % VERIFY_CHUNK == 0) {
            /* Let a pending map resize through. */
            mdb_cursor_close(cur);
            cur = NULL;
            snap_unpin(s);
            snap_pin(s);
        }
    }
    if (seq != head || memcmp(prev, head_hash, 32) != 0) {
        *first_bad = seq + 1 <= head ? seq + 1 : (seq ? seq : 1);
        rc = dd_corrupt(err, "meta head (commit %llu) does not match the log (last commit %llu)",
                        (unsigned long long)head, (unsigned long long)seq);
    }
done:
    if (cur) mdb_cursor_close(cur);
    buf_free(&key);
    store_snap_end(s);
    if (rc && *first_bad && *checked >= *first_bad) *checked = *first_bad - 1;
    return rc;
}
