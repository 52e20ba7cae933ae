/*
 * version.c - decoding of version and current entries into Version, and
 * the point lookups (tget_*).
 *
 * Keys (store/format.h): versions (u32 table, pk, u64 ~seq) -> kind, op,
 * end_op, image; current (u32 table, pk) -> u64 start, op, image.  A pk is
 * self-delimiting, so an entry belongs to key (t, pk) exactly when its key
 * length is 4 + pklen + 8 and its first 4 + pklen bytes match.
 *
 * Invariant: a version's end and end_op come from the next newer entry of
 * the same key visible in the snapshot; the AS OF lookup is one seek to
 * (t, pk, ~x) plus one step back for the end, whatever the history depth.
 */
#include "temporal_int.h"

#include <string.h>

void tv_key(Buf *b, u32 table, const u8 *pk, u32 pklen)
{
    buf_reset(b);
    buf_put_u32be(b, table);
    buf_append(b, pk, pklen);
}

bool tv_same_key(const u8 *k, size_t kn, const u8 *prefix, size_t pn)
{
    return kn == pn + 8 && memcmp(k, prefix, pn) == 0;
}

int tv_parse(const u8 *k, size_t kn, const u8 *v, size_t vn, TEntry *e)
{
    if (kn < 4 + 8 + 1 || vn < FMT_VER_HDR) return -1;
    e->pk = k + 4;
    e->pklen = (u32)(kn - 12);
    e->seq = UINT64_MAX - get_u64be(k + kn - 8);
    e->tomb = v[0] == FMT_VER_TOMBSTONE;
    if (v[0] != FMT_VER_ROW && !e->tomb) return -1;
    e->op = v[1];
    e->end_op = v[2];
    e->rec = v + FMT_VER_HDR;
    e->reclen = (u32)(vn - FMT_VER_HDR);
    return 0;
}

/* How a version ended, given the newer entry that ended it. */
u8 tv_end_op_of(const TEntry *newer)
{
    if (newer->tomb) return newer->end_op ? newer->end_op : OP_DELETE;
    /* a row version records how its predecessor ended when that was not a
     * plain UPDATE (deleted and inserted again in one transaction) */
    return newer->end_op ? newer->end_op : OP_UPDATE;
}

void tv_fill(Version *v, const TEntry *e, u64 end, u8 end_op)
{
    v->pk = e->pk;
    v->pklen = e->pklen;
    v->rec = e->rec;
    v->reclen = e->reclen;
    v->start = e->seq;
    v->start_op = e->op;
    v->end = end;
    v->end_op = end ? end_op : 0;
}

int tget_present(Snap *s, u32 table, const u8 *pk, u32 pklen, Version *v)
{
    u8 key[4 + FMT_LMDB_MAX_KEY];
    if (pklen > FMT_LMDB_MAX_KEY - 4) return 0;
    snap_read_point(s, SNAP_ROWS, table, pk, pklen);
    if (snap_behind(s)) {
        /* `current` is past the snapshot: its present from history */
        int f = tget_as_of(s, table, pk, pklen, snap_seq(s), v);
        if (f > 0) v->pk = pk;
        return f;
    }
    put_u32be(key, table);
    memcpy(key + 4, pk, pklen);
    const u8 *val;
    size_t vn;
    if (!store_get(s, STORE_DB_CURRENT, key, 4 + pklen, &val, &vn) || vn < FMT_CUR_HDR) return 0;
    v->pk = pk;
    v->pklen = pklen;
    v->rec = val + FMT_CUR_HDR;
    v->reclen = (u32)(vn - FMT_CUR_HDR);
    v->start = get_u64be(val);
    v->start_op = val[8];
    v->end = 0;
    v->end_op = 0;
    return 1;
}

/* Seeks (t, pk, ~seq) in c; fills the entry and whether it is of the key. */
static int seek_version(StoreCursor *c, u32 table, const u8 *pk, u32 pklen, u64 seq, TEntry *e)
{
    u8 key[FMT_LMDB_MAX_KEY + 16];
    if (pklen > FMT_MAX_PK) return 0;
    put_u32be(key, table);
    memcpy(key + 4, pk, pklen);
    put_u64be(key + 4 + pklen, UINT64_MAX - seq);
    if (!store_cursor_seek(c, key, 4 + pklen + 8)) return 0;
    const u8 *k, *v;
    size_t kn, vn;
    store_cursor_get(c, &k, &kn, &v, &vn);
    if (!tv_same_key(k, kn, key, 4 + pklen)) return 0;
    return tv_parse(k, kn, v, vn, e) == 0;
}

/* The entry just newer than the cursor's, if of the same key. */
static int newer_entry(StoreCursor *c, const u8 *prefix, size_t pn, TEntry *e)
{
    if (!store_cursor_prev(c)) return 0;
    const u8 *k, *v;
    size_t kn, vn;
    store_cursor_get(c, &k, &kn, &v, &vn);
    if (!tv_same_key(k, kn, prefix, pn)) return 0;
    return tv_parse(k, kn, v, vn, e) == 0;
}

int tget_as_of(Snap *s, u32 table, const u8 *pk, u32 pklen, u64 seq, Version *v)
{
    if (seq > snap_seq(s)) seq = snap_seq(s);
    if (seq == 0) return 0;
    StoreCursor *c;
    if (store_cursor_open(s, STORE_DB_VERSIONS, &c, NULL)) return 0;
    TEntry e, n;
    int found = 0;
    if (seek_version(c, table, pk, pklen, seq, &e) && !e.tomb) {
        u8 prefix[4 + FMT_MAX_PK];
        put_u32be(prefix, table);
        memcpy(prefix + 4, pk, pklen);
        /* an end after the snapshot's head (snap_behind) is not yet one */
        if (newer_entry(c, prefix, 4 + pklen, &n) && n.seq <= snap_seq(s)) tv_fill(v, &e, n.seq, tv_end_op_of(&n));
        else tv_fill(v, &e, 0, 0);
        found = 1;
    }
    store_cursor_close(c);
    return found;
}

int tget_latest(Snap *s, u32 table, const u8 *pk, u32 pklen, Version *v, bool *is_tombstone)
{
    StoreCursor *c;
    snap_read_point(s, SNAP_ROWS, table, pk, pklen);
    if (store_cursor_open(s, STORE_DB_VERSIONS, &c, NULL)) return 0;
    TEntry e;
    int found = 0;
    if (seek_version(c, table, pk, pklen, snap_behind(s) ? snap_seq(s) : UINT64_MAX, &e)) {
        tv_fill(v, &e, 0, 0);
        if (e.tomb) {
            v->rec = NULL;
            v->reclen = 0;
            v->end_op = e.end_op;
        }
        if (is_tombstone) *is_tombstone = e.tomb;
        found = 1;
    }
    store_cursor_close(c);
    return found;
}
