/*
 * sequence.c - sequences' values: counters outside the log, as PostgreSQL
 * keeps them outside transactions (store.h, store_seq_next).
 *
 * Each sequence in use has a SeqState in memory under seq_mu: its last
 * value, whether that was given, and the end of the chunk of values
 * reserved on disk.  Before a value past the chunk is given, a new chunk
 * is written to meta in a write transaction of its own (LMDB syncs on
 * commit), so no value is ever given twice, even across a crash; chunks
 * double while a sequence is busy (up to SEQ_CHUNK_MAX), so a bulk load
 * pays a sync per thousands of values, not per value.  A clean close
 * writes each sequence's exact value, so a restart continues without a
 * gap.  A caller holds a pinned snapshot, so the map cannot be resized
 * while the small write transaction runs.
 */
#include "store_int.h"
#include "../util/alloc.h"

#include <string.h>

#define SEQ_CHUNK_MIN 32
#define SEQ_CHUNK_MAX 4096

typedef struct SeqState {
    u32 id;
    i64 last;        /* the last value given (or set), or the start */
    bool called;     /* last was given: the next is last + increment */
    bool reserved;   /* values up to `upto` are reserved on disk */
    i64 upto;
    i64 chunk;
} SeqState;

static void seq_key(u8 k[7], u32 id)
{
    memcpy(k, "seq", 3);
    k[3] = (u8)(id >> 24);
    k[4] = (u8)(id >> 16);
    k[5] = (u8)(id >> 8);
    k[6] = (u8)id;
}

bool store_seq_meta_record(const u8 *k, size_t kn, size_t vn, u32 *id)
{
    if (kn != 7 || memcmp(k, "seq", 3) != 0 || vn != 9) return false;
    *id = (u32)k[3] << 24 | (u32)k[4] << 16 | (u32)k[5] << 8 | k[6];
    return true;
}

/* Writes meta record k = v durably, in a write transaction of its own;
 * what names the caller for errors. */
static int meta_write(Store *st, const u8 *k, size_t kn, const u8 *v, size_t vn, const char *what, DdError *err)
{
    int broken = store_broken(st);
    if (broken) return dd_err(err, broken, -1, "%s", st->broken_msg[0] ? st->broken_msg : dd_err_text(broken));
    MDB_txn *txn;
    int rc = wal_txn_begin(st, &txn);
    if (rc) return store_mdb_err(err, rc, what);
    MDB_val mk = {kn, (void *)k}, mv = {vn, (void *)v};
    rc = wal_put(st, txn, FMT_DB_META, &mk, &mv, 0);
    if (rc) {
        wal_txn_abort(st, txn);
        return store_mdb_err(err, rc, what);
    }
    rc = wal_commit(st, txn);
    return rc ? store_mdb_err(err, rc, what) : 0;
}

/* Writes (v, called) as sequence id's record, durably. */
static int seq_write(Store *st, u32 id, i64 v, bool called, DdError *err)
{
    if (st->read_only) return dd_err(err, DD_EREAD_ONLY_TXN, -1, "cannot execute nextval() in a read-only transaction");
    u8 k[7], val[9];
    seq_key(k, id);
    for (int i = 0; i < 8; i++) val[i] = (u8)((u64)v >> (56 - 8 * i));
    val[8] = called ? 1 : 0;
    return meta_write(st, k, sizeof k, val, sizeof val, "writing a sequence", err);
}

/* The state of sequence t, read from meta on first use; NULL: no memory. */
static SeqState *seq_state(Store *st, const TableInfo *t, DdError *err)
{
    for (int i = 0; i < st->nseqs; i++)
        if (st->seqs[i].id == t->id) return &st->seqs[i];
    if (st->nseqs == st->capseqs) {
        int cap = st->capseqs ? st->capseqs * 2 : 8;
        SeqState *n = dd_realloc(st->seqs, sizeof *n * (size_t)cap);
        if (!n) {
            dd_err(err, DD_ENOMEM, -1, NULL);
            return NULL;
        }
        st->seqs = n;
        st->capseqs = cap;
    }
    SeqState *s = &st->seqs[st->nseqs];
    memset(s, 0, sizeof *s);
    s->id = t->id;
    s->last = t->sequence->start;
    s->chunk = SEQ_CHUNK_MIN;
    MDB_txn *txn;
    if (mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn) == 0) {
        u8 k[7];
        seq_key(k, t->id);
        MDB_val mk = {sizeof k, k}, mv;
        if (mdb_get(txn, st->dbi[FMT_DB_META], &mk, &mv) == 0 && mv.mv_size == 9) {
            const u8 *p = mv.mv_data;
            u64 v = 0;
            for (int i = 0; i < 8; i++) v = v << 8 | p[i];
            /* a chunk's end: every value up to it may have been given */
            s->last = (i64)v;
            s->called = p[8] != 0;
            s->reserved = s->called;   /* a value set but not given reserves nothing */
            s->upto = s->last;
        }
        mdb_txn_abort(txn);
    }
    st->nseqs++;
    return s;
}

int store_seq_step(const TableInfo *t, i64 last, bool called, i64 *next, DdError *err)
{
    const SeqInfo *q = t->sequence;
    if (!called) {
        *next = last;
        return 0;
    }
    bool past = q->inc > 0 ? last > q->max - q->inc : last < q->min - q->inc;
    if (!past) {
        *next = last + q->inc;
        return 0;
    }
    if (q->cycle) {
        *next = q->inc > 0 ? q->min : q->max;
        return 0;
    }
    return dd_err(err, DD_ESEQUENCE_LIMIT, -1, "nextval: reached %s value of sequence \"%s\" (%lld)",
                  q->inc > 0 ? "maximum" : "minimum", t->name, (long long)(q->inc > 0 ? q->max : q->min));
}

/* Whether v lies beyond the reserved chunk. */
static bool seq_beyond(const TableInfo *t, const SeqState *s, i64 v)
{
    if (!s->reserved) return true;
    return t->sequence->inc > 0 ? v > s->upto : v < s->upto;
}

int store_seq_next(Store *st, const TableInfo *t, i64 *out, DdError *err)
{
    pthread_mutex_lock(&st->seq_mu);
    SeqState *s = seq_state(st, t, err);
    int rc = s ? 0 : DD_ENOMEM;
    i64 next = 0;
    if (!rc) rc = store_seq_step(t, s->last, s->called, &next, err);
    if (!rc && seq_beyond(t, s, next)) {
        const SeqInfo *q = t->sequence;
        /* the chunk's end: chunk values on from next, within the bounds */
        i64 room = q->inc > 0 ? (q->max - next) / q->inc : (q->min - next) / q->inc;
        i64 n = room < s->chunk ? room : s->chunk;
        i64 upto = next + n * q->inc;
        rc = seq_write(st, t->id, upto, true, err);
        if (!rc) {
            s->reserved = true;
            s->upto = upto;
            if (s->chunk < SEQ_CHUNK_MAX) s->chunk *= 2;
        }
    }
    if (!rc) {
        s->last = next;
        s->called = true;
        *out = next;
    }
    pthread_mutex_unlock(&st->seq_mu);
    return rc;
}

int store_seq_set(Store *st, const TableInfo *t, i64 v, bool called, DdError *err)
{
    pthread_mutex_lock(&st->seq_mu);
    SeqState *s = seq_state(st, t, err);
    int rc = s ? seq_write(st, t->id, v, called, err) : DD_ENOMEM;
    if (!rc) {
        s->last = v;
        s->called = called;
        s->reserved = called;   /* not given: nothing past v is reserved */
        s->upto = v;
        s->chunk = SEQ_CHUNK_MIN;
    }
    pthread_mutex_unlock(&st->seq_mu);
    return rc;
}

int store_seq_state(Store *st, const TableInfo *t, i64 *last, bool *called, i64 *ahead, DdError *err)
{
    pthread_mutex_lock(&st->seq_mu);
    SeqState *s = seq_state(st, t, err);
    if (s) {
        *last = s->last;
        *called = s->called;
        *ahead = s->reserved && s->called ? (s->upto - s->last) / t->sequence->inc : 0;
    }
    pthread_mutex_unlock(&st->seq_mu);
    return s ? 0 : DD_ENOMEM;
}

/* ---- transaction ids ---- */

#define XID_FIRST 3
#define XID_CHUNK_MIN 64
#define XID_CHUNK_MAX 4096

/* Writes v as meta "xid": ids below it may have been given. */
static int xid_write(Store *st, u64 v, DdError *err)
{
    u8 val[8];
    for (int i = 0; i < 8; i++) val[i] = (u8)(v >> (56 - 8 * i));
    return meta_write(st, (const u8 *)"xid", 3, val, sizeof val, "assigning a transaction id", err);
}

bool store_xid_meta_record(const u8 *k, size_t kn, size_t vn)
{
    return kn == 3 && memcmp(k, "xid", 3) == 0 && vn == 8;
}

int store_xid_next(Store *st, u64 *out, DdError *err)
{
    if (st->read_only)
        return dd_err(err, DD_EREAD_ONLY_TXN, -1, "cannot assign a transaction id in a database opened read-only");
    pthread_mutex_lock(&st->seq_mu);
    int rc = DD_OK;
    if (!st->xid_loaded) {
        st->xid_next = XID_FIRST;
        MDB_txn *txn;
        if ((rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn))) {
            rc = store_mdb_err(err, rc, "reading the transaction ids");
        } else {
            MDB_val mk = {3, (void *)"xid"}, mv;
            int g = mdb_get(txn, st->dbi[FMT_DB_META], &mk, &mv);
            if (g == 0 && mv.mv_size == 8) {
                const u8 *p = mv.mv_data;
                u64 v = 0;
                for (int i = 0; i < 8; i++) v = v << 8 | p[i];
                if (v > st->xid_next) st->xid_next = v;
            } else if (g != MDB_NOTFOUND) {
                rc = g ? store_mdb_err(err, g, "reading the transaction ids")
                       : dd_corrupt(err, "meta record \"xid\" has %zu bytes, not 8", mv.mv_size);
            }
            mdb_txn_abort(txn);
        }
        st->xid_upto = st->xid_next;   /* nothing past it reserved yet */
        st->xid_chunk = XID_CHUNK_MIN;
        st->xid_loaded = rc == DD_OK;
    }
    if (!rc && st->xid_next >= st->xid_upto) {
        u64 upto = st->xid_next + st->xid_chunk;
        if (!(rc = xid_write(st, upto, err))) {
            st->xid_upto = upto;
            if (st->xid_chunk < XID_CHUNK_MAX) st->xid_chunk *= 2;
        }
    }
    if (!rc) *out = st->xid_next++;
    pthread_mutex_unlock(&st->seq_mu);
    return rc;
}

void store_seq_close(Store *st)
{
    if (!st->read_only && st->env) {
        for (int i = 0; i < st->nseqs; i++) {
            SeqState *s = &st->seqs[i];
            if (!s->reserved || s->upto == s->last) continue;
            DdError e;
            seq_write(st, s->id, s->last, s->called, &e);   /* failing, a restart skips the rest of the chunk */
        }
        if (st->xid_loaded && st->xid_upto != st->xid_next) {
            DdError e;
            xid_write(st, st->xid_next, &e);   /* likewise */
        }
    }
    st->xid_loaded = false;
    dd_free(st->seqs);
    st->seqs = NULL;
    st->nseqs = st->capseqs = 0;
}
