/*
 * verify.c - store_verify: checks every structure a query reads against the
 * commit log, so that no byte of the file can change an answer while it
 * says OK (docs/integrity.md).
 *
 * First LMDB's meta pages (lmdbcheck.c): a damaged txnid there can make
 * LMDB read the older of its two trees, which nothing below could tell.
 *
 * Phase A, the chain (bounded steps): walks the log 1..H (H = the head when
 * verify starts) and checks for every record that its key is the next seq,
 * its CRC32C, its prev hash, its recomputed SHA-256, and each event: a row
 * event by the version at (table, pk, seq) whose value hashes to the
 * event's hash (log format 2: header and image; format 1: the image, and
 * tombstones for zero hashes), a catalog event by the catalog record at
 * (table, seq).  History at or before H never changes, so the read
 * transaction is ended and begun again every VERIFY_CHUNK records: a long
 * verify does not keep LMDB from reusing pages or growing the map.
 *
 * Phase B, one snapshot S with head H' >= H: first the chain H+1..H', and
 * that meta's head equals record H' and no record lies beyond it; then:
 *   versions  every entry is well formed, has seq <= H', and the number of
 *             versions equals the number of row events (each event has its
 *             version, keys are unique: so every version is accounted for);
 *   current   exactly the keys whose newest version is a row, each with that
 *             version's seq, op and image (one merge walk with versions);
 *   index     present entries (index id) of every index of a live table:
 *             exactly one per live row, with the values the SQL layer
 *             computes (StoreIndexKeyFn) for its image; history entries (id
 *             | FMT_INDEX_EVER): one for every version valid while the index
 *             existed, and each entry's (values, pk) had by some version of
 *             that pk; entries of unknown or dropped indexes are errors;
 *   times     exactly H' entries, the i-th mapping commit i's time to i;
 *   catalog   every record decodes, names its own key's table and seq, and
 *             their number equals the number of catalog events;
 *   meta      exactly the keys db, head, ids (and owner, seq and xid
 *             records); the ids above every id used.
 * Phase B holds one read transaction, like any scan of the present.
 *
 * Stops at the first problem; messages name table, key and seq.
 *
 * store_verify_window (VERIFY RECENT n, FROM @SEQ:f) checks the newest commits only,
 * in one snapshot: the record before them anchors the chain (its CRC32C and
 * own hash), then each record as in phase A and, for each row event, what
 * the commit wrote beside its version: the current row when the version is
 * the key's newest, the version's index entries, the commit's times entry.
 * It cannot see entries no commit accounts for (that takes VERIFY's walks).
 */
#include "store_int.h"
#include "keyenc.h"
#include "../util/alloc.h"
#include "../util/sha256.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Entries (commits, keys, index entries, times) between two renewals of
 * the read snapshot; DRIFTDB_VERIFY_CHUNK overrides it (tests use tiny
 * chunks to run every renewal path). */
static u64 VERIFY_CHUNK = 4096;

static StoreIndexKeyFn index_key_fn;

void store_set_index_key_fn(StoreIndexKeyFn fn) { index_key_fn = fn; }
StoreIndexKeyFn store_index_key_fn(void) { return index_key_fn; }

/* One index ever defined: where it lives and while it existed. */
typedef struct VIndex {
    u32 id, table;
    u64 created;            /* seq of the first catalog version with it */
    u64 dropped;            /* seq of the first later version without it, 0: exists */
    const TableInfo *t;     /* newest table version with the index (decoding) */
    const IndexInfo *ix;
    int lastver;            /* scratch: position of the last version seen with it */
} VIndex;

typedef struct Verify {
    Store *st;
    Snap *s;
    u64 *first_bad;
    DdError *err;
    Buf key, tmp, ikey, msg;
    u8 prev[32];            /* hash of the last record checked */
    u64 seq;                /* last record checked */
    u64 head;               /* H: commits 1..H are verified (0 before) */
    u64 snap_head;          /* head of the current snapshot (>= H) */
    u64 row_events, cat_events;
    bool one_table;         /* VERIFY TABLE: versions, rows and index entries of table only */
    u32 table;
    u64 table_events;       /* its row events in the log */
    VIndex *ix;
    int nix;
    struct Gone *gone;      /* per table: versions missing and removed (DELETE HISTORY, ERASE) */
    int ngone, capgone;
    u64 purge_seq;          /* the head of the run's last snapshot: a
                             * DELETE HISTORY or ERASE after it fails the run */
    Sha256 digest;          /* reused for every event's digest */
    struct HotKey **hot;    /* HOT_SLOTS caches of long histories' index values, or NULL */
} Verify;

/* Reports corruption found at seq (0: no particular commit). */
static int bad_at(Verify *vf, u64 seq, const char *fmt, ...) DD_PRINTF(3, 4);
static int bad_at(Verify *vf, u64 seq, const char *fmt, ...)
{
    char m[DD_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    *vf->first_bad = seq ? seq : vf->head ? vf->head : 1;
    return dd_corrupt(vf->err, "%s", m);
}

/* "table "t" key (1, abc)" into vf->msg; returns its text. */
static const char *where(Verify *vf, u32 table, const u8 *pk, u32 pklen)
{
    Buf *b = &vf->msg;
    buf_reset(b);
    pthread_mutex_lock(&vf->st->cat_mu);
    const TableInfo *t = cat_version_locked(vf->st, table, UINT64_MAX);
    pthread_mutex_unlock(&vf->st->cat_mu);
    if (t) buf_printf(b, "table \"%s\"", t->name);
    else buf_printf(b, "table id %u", table);
    if (pk) {
        Buf k = BUF_INIT;
        if (pklen && store_render_key(t, pk, pklen, &k) == 0 && buf_ok(&k) && buf_cstr(&k))
            buf_printf(b, " key (%s)", (char *)k.data);
        else
            buf_printf(b, " key of %u bytes", pklen);
        buf_free(&k);
    }
    return buf_ok(b) && buf_cstr(b) ? (const char *)b->data : "?";
}

/* ---- phase A/B: the chain ---- */

/* What DELETE HISTORY and ERASE took from one table: the row events
 * whose version is missing (missing; of them those still in plain form,
 * the newest at seq max_missing), and the versions their events say they
 * removed (removed; DELETE HISTORY's largest cut max_cut).  Each version
 * the events account for is missing once and removed once, so the two
 * counts are equal, and a plain event's version can only have gone by a
 * cut at or after it. */
typedef struct Gone {
    u32 table;
    u64 missing, removed, max_missing, max_cut;
    u64 first;              /* the oldest commit of a missing version or a removal */
    u64 summarized;         /* the newest record summarized (its versions all gone) */
    bool erased;            /* an ERASE of the table */
    u8 pk[FMT_MAX_PK];      /* the key of the version at max_missing */
    u32 pklen;
} Gone;

static Gone *gone_of(Verify *vf, u32 table)
{
    for (int i = 0; i < vf->ngone; i++)
        if (vf->gone[i].table == table) return &vf->gone[i];
    if (vf->ngone == vf->capgone) {
        int ncap = vf->capgone ? vf->capgone * 2 : 8;
        Gone *n = dd_realloc(vf->gone, sizeof *n * (size_t)ncap);
        if (!n) return NULL;
        vf->gone = n;
        vf->capgone = ncap;
    }
    Gone *g = &vf->gone[vf->ngone++];
    memset(g, 0, sizeof *g);
    g->table = table;
    return g;
}

/* Whether what is missing is what DELETE HISTORY and ERASE removed: equal
 * counts (exact: the whole log was read; a window only sees the commits in
 * it, whose versions older removals cannot have taken) and every plain
 * event's version gone by a cut at or after it.  Every table's, also
 * under VERIFY TABLE: the chain is the whole database's. */
static int check_gone(Verify *vf, bool exact)
{
    for (int i = 0; i < vf->ngone; i++) {
        const Gone *g = &vf->gone[i];
        if (g->max_missing > g->max_cut)
            return bad_at(vf, g->max_missing, "the version of %s at seq %llu is missing",
                          where(vf, g->table, g->pk, g->pklen), (unsigned long long)g->max_missing);
        if (g->summarized > g->max_cut && !g->erased)
            return bad_at(vf, g->summarized, "log record %llu: summarized, but no removal of %s covers it",
                          (unsigned long long)g->summarized, where(vf, g->table, NULL, 0));
        if (exact ? g->missing != g->removed : g->missing > g->removed)
            return bad_at(vf, g->first, "%s: %llu versions are missing but DELETE HISTORY and ERASE removed %llu",
                          where(vf, g->table, NULL, 0), (unsigned long long)g->missing,
                          (unsigned long long)g->removed);
    }
    return 0;
}

/* Versions of table the log's removals account for (all tables: ~0u). */
static u64 removed_of(const Verify *vf, u32 table)
{
    u64 n = 0;
    for (int i = 0; i < vf->ngone; i++)
        if (table == ~0u || vf->gone[i].table == table) n += vf->gone[i].removed;
    return n;
}

/* A run that reads in several snapshots cannot follow DELETE HISTORY or
 * ERASE committed between them (versions it counted went): 40001.  Called
 * with each new snapshot: the commits since the run's last snapshot are
 * read for one (a commit shows whole or not at all, so a snapshot before
 * it is as good as the ones before). */
static int check_no_purge(Verify *vf)
{
    u64 head = vf->s->seq;
    for (u64 q = vf->purge_seq + 1; q <= head; q++) {
        u8 kb[8];
        put_u64be(kb, q);
        MDB_val k = {8, kb}, v;
        int rc = mdb_get(vf->s->txn, vf->st->dbi[FMT_DB_LOG], &k, &v);
        if (rc) return rc == MDB_NOTFOUND ? bad_at(vf, q, "log record %llu is missing", (unsigned long long)q)
                                          : store_mdb_err(vf->err, rc, "verifying");
        LogRecord lr;
        Cursor c;
        if (log_parse(v.mv_data, v.mv_size, q, &lr, &c, vf->err))
            return bad_at(vf, q, "log record %llu: malformed", (unsigned long long)q);
        for (u32 i = 0; i < lr.nevents; i++) {
            LogEvent ev;
            if (log_next_event(&c, lr.format, &ev))
                return bad_at(vf, q, "log record %llu: malformed event", (unsigned long long)q);
            if (ev.op == FMT_EV_PURGE || ev.op == FMT_EV_ERASE)
                return dd_err(vf->err, DD_ESERIALIZATION, -1,
                              "could not serialize access: DELETE HISTORY or ERASE committed while VERIFY ran");
        }
    }
    vf->purge_seq = head;
    return 0;
}

/* Checks the events of one parsed record.  0 or DD_ECORRUPT. */
static int verify_events(Verify *vf, const LogRecord *lr, Cursor *c)
{
    Store *st = vf->st;
    u64 seq = lr->seq;
    /* a summary: row events whose versions DELETE HISTORY or ERASE took
     * (check_gone says whether a cut or an erase accounts for them) */
    const u8 *sp = lr->summary;
    for (u32 i = 0; sp && i < lr->summary_tables; i++) {
        u32 table, rows;
        if (log_summary_next(&sp, &table, &rows))
            return bad_at(vf, seq, "log record %llu: malformed summary", (unsigned long long)seq);
        vf->row_events += rows;
        if (vf->one_table && table == vf->table) vf->table_events += rows;
        Gone *g = gone_of(vf, table);
        if (!g) return dd_err(vf->err, DD_ENOMEM, -1, NULL);
        if (!g->first) g->first = seq;
        g->missing += rows;
        g->summarized = seq;
    }
    for (u32 i = 0; i < lr->nevents; i++) {
        LogEvent ev;
        if (log_next_event(c, lr->format, &ev))
            return bad_at(vf, seq, "log record %llu: malformed event", (unsigned long long)seq);
        Buf *key = &vf->key;
        buf_reset(key);
        buf_put_u32be(key, ev.table);
        MDB_dbi dbi;
        bool catalog = ev.op >= FMT_EV_CREATE && ev.op <= FMT_EV_DROP;
        if (ev.op == FMT_EV_PURGE || ev.op == FMT_EV_ERASE) {
            Gone *g = gone_of(vf, ev.table);
            if (!g) return dd_err(vf->err, DD_ENOMEM, -1, NULL);
            if (!g->first) g->first = seq;
            g->removed += ev.b;
            if (ev.op == FMT_EV_ERASE) g->erased = true;
            if (ev.op == FMT_EV_PURGE && ev.a > g->max_cut) g->max_cut = ev.a;
            if (ev.op == FMT_EV_PURGE && ev.a >= seq)
                return bad_at(vf, seq, "log record %llu: DELETE HISTORY cuts at seq %llu, not before itself",
                              (unsigned long long)seq, (unsigned long long)ev.a);
            continue;
        }
        if (catalog) {
            if (ev.pklen) return bad_at(vf, seq, "log record %llu: catalog event %u has a key", (unsigned long long)seq, i);
            dbi = st->dbi[FMT_DB_CATALOG];
            vf->cat_events++;
        } else if (ev.op >= OP_INSERT && ev.op <= OP_DELETE) {
            vf->row_events++;
            if (vf->one_table && ev.table == vf->table) vf->table_events++;
            if (ev.form == FMT_EV_ERASED) {
                /* ERASE took its version, and its key with it */
                Gone *g = gone_of(vf, ev.table);
                if (!g) return dd_err(vf->err, DD_ENOMEM, -1, NULL);
                if (!g->first) g->first = seq;
                g->missing++;
                continue;
            }
            if (ev.pklen == 0 || ev.pklen > FMT_MAX_PK)
                return bad_at(vf, seq, "log record %llu: event %u has a bad key length", (unsigned long long)seq, i);
            buf_append(key, ev.pk, ev.pklen);
            dbi = st->dbi[FMT_DB_VERSIONS];
        } else {
            return bad_at(vf, seq, "log record %llu: unknown event op %u", (unsigned long long)seq, ev.op);
        }
        buf_put_u64be(key, fmt_inv_seq(seq));
        if (!buf_ok(key)) return dd_err(vf->err, DD_ENOMEM, -1, NULL);
        MDB_val k = {key->len, key->data}, v;
        int rc = mdb_get(vf->s->txn, dbi, &k, &v);
        if (rc == MDB_NOTFOUND) {
            if (catalog)
                return bad_at(vf, seq, "log record %llu: the catalog record of %s is missing", (unsigned long long)seq,
                              where(vf, ev.table, NULL, 0));
            /* DELETE HISTORY may have removed it (of a record of any
             * format): check_gone says */
            Gone *g = gone_of(vf, ev.table);
            if (!g) return dd_err(vf->err, DD_ENOMEM, -1, NULL);
            if (!g->first) g->first = seq;
            g->missing++;
            if (seq > g->max_missing) {
                g->max_missing = seq;
                memcpy(g->pk, ev.pk, ev.pklen);
                g->pklen = ev.pklen;
            }
            continue;
        }
        if (rc) return store_mdb_err(vf->err, rc, "verifying");
        const u8 *img = v.mv_data;
        size_t n = v.mv_size;
        static const u8 zero[32];
        if (!catalog) {
            bool tomb = n >= FMT_VER_HDR && img[0] == FMT_VER_TOMBSTONE;
            /* a tombstone is its header, a move's (format 3 on, whose
             * digest covers it) and the key the row moved to */
            bool tomb_ok = n == FMT_VER_HDR || (lr->format >= FMT_LOG_FORMAT_V3 && img[2] == OP_UPDATE &&
                                                 n - FMT_VER_HDR <= FMT_MAX_PK);
            if (n < FMT_VER_HDR || img[1] != ev.op || tomb != (ev.op == OP_DELETE) || (tomb && !tomb_ok) ||
                (!tomb && img[0] != FMT_VER_ROW))
                return bad_at(vf, seq, "version of %s at seq %llu: header does not match the log",
                              where(vf, ev.table, ev.pk, ev.pklen), (unsigned long long)seq);
            if (lr->format == FMT_LOG_FORMAT_V1) {
                if (tomb) {
                    if (memcmp(ev.hash, zero, 32) != 0 || (img[2] != OP_DELETE && img[2] != OP_UPDATE))
                        return bad_at(vf, seq, "version of %s at seq %llu: header does not match the log",
                                      where(vf, ev.table, ev.pk, ev.pklen), (unsigned long long)seq);
                    continue;
                }
                if (img[2] != 0 && img[2] != OP_DELETE && img[2] != OP_UPDATE)
                    return bad_at(vf, seq, "version of %s at seq %llu: bad end operation",
                                  where(vf, ev.table, ev.pk, ev.pklen), (unsigned long long)seq);
                img += FMT_VER_HDR;
                n -= FMT_VER_HDR;
            }
        }
        u8 h[32];
        int hr = !catalog && lr->format >= FMT_LOG_FORMAT_V3
                     ? log_row_digest(&vf->digest, ev.salt, ev.pk, ev.pklen, img, n, h)
                     : sha256(img, n, h);
        if (hr) return dd_err(vf->err, DD_ENOMEM, -1, "could not compute a hash");
        if (memcmp(h, ev.hash, 32) != 0) {
            if (catalog)
                return bad_at(vf, seq, "log record %llu: catalog record of %s does not match its hash",
                              (unsigned long long)seq, where(vf, ev.table, NULL, 0));
            return bad_at(vf, seq, "version of %s at seq %llu does not match its hash in the log",
                          where(vf, ev.table, ev.pk, ev.pklen), (unsigned long long)seq);
        }
    }
    if (!cur_end(c)) return bad_at(vf, seq, "log record %llu: trailing bytes", (unsigned long long)seq);
    return 0;
}

/* Checks records vf->seq+1 .. to.  With renew, the snapshot is ended and
 * begun again every VERIFY_CHUNK records (history <= to never changes). */
static int verify_log(Verify *vf, u64 to, bool renew)
{
    Store *st = vf->st;
    MDB_cursor *cur = NULL;
    int rc = 0;
    while (vf->seq < to) {
        u64 want = vf->seq + 1;
        if (!cur && (rc = mdb_cursor_open(vf->s->txn, st->dbi[FMT_DB_LOG], &cur)))
            return store_mdb_err(vf->err, rc, "verifying");
        u8 kb[8];
        put_u64be(kb, want);
        MDB_val k = {8, kb}, v;
        int g = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
        if (g == MDB_NOTFOUND) {
            rc = bad_at(vf, want, "log: commit %llu is missing (the head is %llu)", (unsigned long long)want,
                        (unsigned long long)to);
            break;
        }
        if (g) {
            rc = store_mdb_err(vf->err, g, "verifying");
            break;
        }
        u64 got = k.mv_size == 8 ? get_u64be(k.mv_data) : 0;
        if (got != want) {
            rc = bad_at(vf, want, "log: expected commit %llu, found %llu", (unsigned long long)want,
                        (unsigned long long)got);
            break;
        }
        LogRecord lr;
        Cursor ec;
        const u8 *p = v.mv_data;
        size_t n = v.mv_size;
        if ((rc = log_parse(p, n, want, &lr, &ec, vf->err))) {
            *vf->first_bad = want;
            break;
        }
        if (memcmp(lr.prev_hash, vf->prev, 32) != 0) {
            rc = bad_at(vf, want, "log record %llu: previous hash does not match", (unsigned long long)want);
            break;
        }
        u8 h[32];
        if ((rc = log_hash(p, n - 4, want, st->dbid, h))) {
            rc = rc == DD_ECORRUPT ? bad_at(vf, want, "log record %llu: malformed event", (unsigned long long)want)
                                   : dd_err(vf->err, DD_ENOMEM, -1, "could not compute a hash");
            break;
        }
        if (memcmp(h, lr.hash, 32) != 0) {
            rc = bad_at(vf, want, "log record %llu: hash does not match its contents", (unsigned long long)want);
            break;
        }
        if ((rc = verify_events(vf, &lr, &ec))) break;
        memcpy(vf->prev, lr.hash, 32);
        vf->seq = want;
        if (renew && want % VERIFY_CHUNK == 0 && want < to) {
            /* Let writers reuse pages and a pending map resize through. */
            mdb_cursor_close(cur);
            cur = NULL;
            store_snap_end(vf->s);
            vf->s = NULL;
            if ((rc = store_snap_begin(st, &vf->s, vf->err)) || (rc = check_no_purge(vf))) break;
        }
    }
    if (cur) mdb_cursor_close(cur);
    return rc;
}

/* ---- phase B: the structures ---- */

static VIndex *find_index(Verify *vf, u32 id)
{
    for (int i = 0; i < vf->nix; i++)
        if (vf->ix[i].id == id) return &vf->ix[i];
    return NULL;
}

/* Every index defined in a catalog version with seq <= head: table,
 * lifetime, and the newest definition. */
static int collect_indexes(Verify *vf, u64 head)
{
    Store *st = vf->st;
    int rc = 0, cap = 0;
    vf->nix = 0;
    pthread_mutex_lock(&st->cat_mu);
    for (int c = 0; c < st->ncat && !rc; c++) {
        CatTable *ct = &st->cat[c];
        for (int i = 0; i < ct->n && !rc; i++) {
            const TableInfo *t = ct->v[i];
            if (t->seq > head) break;
            for (int x = 0; !t->dropped && x < t->nindexes; x++) {
                VIndex *e = find_index(vf, t->indexes[x].id);
                if (e && e->table != t->id) {
                    rc = bad_at(vf, t->seq, "catalog: index id %u belongs to two tables", t->indexes[x].id);
                    break;
                }
                if (!e) {
                    if (vf->nix == cap) {
                        int ncap = cap ? cap * 2 : 16;
                        VIndex *n = dd_realloc(vf->ix, sizeof *n * (size_t)ncap);
                        if (!n) { rc = dd_err(vf->err, DD_ENOMEM, -1, NULL); break; }
                        vf->ix = n;
                        cap = ncap;
                    }
                    e = &vf->ix[vf->nix++];
                    memset(e, 0, sizeof *e);
                    e->id = t->indexes[x].id;
                    e->table = t->id;
                    e->created = t->seq;
                }
                e->t = t;
                e->ix = &t->indexes[x];
                e->lastver = i;
            }
            /* indexes of this table missing from version i were dropped by it */
            for (int k = 0; k < vf->nix; k++) {
                VIndex *e = &vf->ix[k];
                if (e->table == t->id && !e->dropped && e->lastver < i) e->dropped = t->seq;
            }
        }
    }
    pthread_mutex_unlock(&st->cat_mu);
    return rc;
}

/* Ends the snapshot and begins a newer one (cursors closed by the
 * caller), so that a long walk does not keep LMDB from reusing pages:
 * everything at or before H is immutable, and what a walk compares it
 * checks within one snapshot. */
static int renew(Verify *vf)
{
    store_snap_end(vf->s);
    vf->s = NULL;
    i64 t;
    int rc = store_snap_begin(vf->st, &vf->s, vf->err);
    if (!rc) rc = check_no_purge(vf);
    if (!rc) rc = store_read_head(vf->st, vf->s->txn, &vf->snap_head, NULL, &t, vf->err);
    if (!rc && vf->snap_head < vf->head)
        rc = bad_at(vf, vf->snap_head + 1, "meta: the head went back from %llu to %llu",
                    (unsigned long long)vf->head, (unsigned long long)vf->snap_head);
    if (!rc) rc = collect_indexes(vf, vf->snap_head);
    return rc;
}

/* The index key of image rec for e into vf->ikey.  0 or an error. */
static int index_key(Verify *vf, const VIndex *e, const u8 *rec, u32 reclen, u64 seq, const u8 *pk, u32 pklen)
{
    buf_reset(&vf->ikey);
    int rc = index_key_fn(e->t, e->ix, rec, reclen, seq, &vf->ikey, vf->err);
    if (rc == DD_ECORRUPT)
        return bad_at(vf, seq, "version of %s at seq %llu: %s", where(vf, e->table, pk, pklen),
                      (unsigned long long)seq, vf->err->message);
    if (!rc && !buf_ok(&vf->ikey)) rc = dd_err(vf->err, DD_ENOMEM, -1, NULL);
    return rc;
}

/* Whether the index entry (id, vf->ikey, pk) exists. */
static int has_entry(Verify *vf, u32 id, const u8 *pk, u32 pklen, bool *found)
{
    Buf *k = &vf->tmp;
    buf_reset(k);
    buf_put_u32be(k, id);
    buf_append(k, vf->ikey.data, vf->ikey.len);
    buf_append(k, pk, pklen);
    if (!buf_ok(k)) return dd_err(vf->err, DD_ENOMEM, -1, NULL);
    *found = false;
    if (k->len > FMT_LMDB_MAX_KEY) return 0;
    MDB_val kk = {k->len, k->data}, v;
    int rc = mdb_get(vf->s->txn, vf->st->dbi[FMT_DB_INDEX], &kk, &v);
    if (rc == MDB_NOTFOUND) return 0;
    if (rc) return store_mdb_err(vf->err, rc, "verifying an index");
    if (v.mv_size != FMT_INDEX_VAL || (((u32)((const u8 *)v.mv_data)[0] << 8) | ((const u8 *)v.mv_data)[1]) != pklen)
        return 0;
    *found = true;
    return 0;
}

/* The index entries one version requires.  newest: the key's newest entry
 * (a live row when the version is a row); end: the seq that ended it (0:
 * current). */
static int version_index_entries(Verify *vf, u32 table, const u8 *pk, u32 pklen, u64 seq, u64 end,
                                 const u8 *rec, u32 reclen, bool newest)
{
    if (!index_key_fn) return 0;
    for (int i = 0; i < vf->nix; i++) {
        VIndex *e = &vf->ix[i];
        if (e->table != table) continue;
        bool in_life = (e->dropped == 0 || seq < e->dropped) && (end == 0 || end > e->created);
        bool present = newest && e->dropped == 0;
        if (!in_life && !present) continue;
        int rc = index_key(vf, e, rec, reclen, seq, pk, pklen);
        if (rc) return rc;
        if (!vf->ikey.len) continue;   /* a partial index that does not cover the version */
        bool found;
        if (in_life) {
            if ((rc = has_entry(vf, e->id | FMT_INDEX_EVER, pk, pklen, &found))) return rc;
            if (!found)
                return bad_at(vf, seq, "index \"%s\": history entry of %s at seq %llu is missing", e->ix->name,
                              where(vf, table, pk, pklen), (unsigned long long)seq);
        }
        if (present) {
            if ((rc = has_entry(vf, e->id, pk, pklen, &found))) return rc;
            if (!found)
                return bad_at(vf, seq, "index \"%s\": entry of %s (live since seq %llu) is missing", e->ix->name,
                              where(vf, table, pk, pklen), (unsigned long long)seq);
        }
    }
    return 0;
}

/* versions and current in one merge walk (both in (table, pk) order).
 * Every VERIFY_CHUNK versions, at the start of a key, the snapshot is
 * renewed and both cursors sought back to that key.  Versions with seq <=
 * H are counted against the log's row events; newer ones (committed while
 * verify runs) need only be <= the snapshot's head. */
static int verify_versions(Verify *vf)
{
    Store *st = vf->st;
    MDB_cursor *vc = NULL, *cc = NULL;
    MDB_val k, v, ck, cv;
    Buf *prev = &vf->key;     /* table || pk of the previous version */
    Buf resume = BUF_INIT;    /* table || pk to seek to after a renewal */
    buf_reset(prev);
    u64 prev_seq = 0, counted = 0, since = 0;
    int rc = 0, g = 0, cg = 0;
    bool open = false;
    u32 gone_table = 0;       /* the last table looked up, and whether it */
    u64 gone_at = UINT64_MAX; /* was dropped at snapshot head gone_at */
    bool gone = false;
    for (;;) {
        if (!open) {
            if ((rc = mdb_cursor_open(vf->s->txn, st->dbi[FMT_DB_VERSIONS], &vc)) ||
                (rc = mdb_cursor_open(vf->s->txn, st->dbi[FMT_DB_CURRENT], &cc))) {
                rc = store_mdb_err(vf->err, rc, "verifying");
                break;
            }
            open = true;
            if (resume.len) {
                k.mv_size = resume.len;
                k.mv_data = resume.data;
                g = mdb_cursor_get(vc, &k, &v, MDB_SET_RANGE);
                ck.mv_size = resume.len;
                ck.mv_data = resume.data;
                cg = mdb_cursor_get(cc, &ck, &cv, MDB_SET_RANGE);
            } else if (vf->one_table) {
                u8 pre[4];
                put_u32be(pre, vf->table);
                k.mv_size = ck.mv_size = sizeof pre;
                k.mv_data = ck.mv_data = pre;
                g = mdb_cursor_get(vc, &k, &v, MDB_SET_RANGE);
                cg = mdb_cursor_get(cc, &ck, &cv, MDB_SET_RANGE);
            } else {
                g = mdb_cursor_get(vc, &k, &v, MDB_FIRST);
                cg = mdb_cursor_get(cc, &ck, &cv, MDB_FIRST);
            }
        } else {
            g = mdb_cursor_get(vc, &k, &v, MDB_NEXT);
        }
        if (g) break;
        const u8 *kp = k.mv_data, *vp = v.mv_data;
        size_t kn = k.mv_size, vn = v.mv_size;
        if (vf->one_table && (kn < 4 || get_u32be(kp) != vf->table)) {
            g = MDB_NOTFOUND;   /* past the table's versions */
            break;
        }
        if (kn < FMT_TABLE_ID_LEN + 1 + FMT_SEQ_LEN || kn > FMT_TABLE_ID_LEN + FMT_MAX_PK + FMT_SEQ_LEN) {
            rc = bad_at(vf, 0, "versions: malformed key of %zu bytes", kn);
            break;
        }
        bool newest = !(prev->len == kn - 8 && memcmp(prev->data, kp, kn - 8) == 0);
        if (newest && ++since > VERIFY_CHUNK) {
            /* a key boundary: let writers reuse pages, then go on here */
            buf_reset(&resume);
            buf_append(&resume, kp, kn - 8);
            if (!buf_ok(&resume)) {
                rc = dd_err(vf->err, DD_ENOMEM, -1, NULL);
                break;
            }
            mdb_cursor_close(vc);
            mdb_cursor_close(cc);
            vc = cc = NULL;
            open = false;
            since = 0;
            buf_reset(prev);
            if ((rc = renew(vf))) break;
            continue;
        }
        u32 table = get_u32be(kp);
        const u8 *pk = kp + 4;
        u32 pklen = (u32)(kn - 12);
        u64 seq = fmt_inv_seq(get_u64be(kp + kn - 8));
        if (seq == 0 || seq > vf->snap_head) {
            rc = bad_at(vf, vf->head, "version of %s at seq %llu: no commit accounts for it (the head is %llu)",
                        where(vf, table, pk, pklen), (unsigned long long)seq, (unsigned long long)vf->snap_head);
            break;
        }
        bool row = vn >= FMT_VER_HDR && vp[0] == FMT_VER_ROW;
        bool ok = vn >= FMT_VER_HDR &&
                  (row ? (vp[1] == OP_INSERT || vp[1] == OP_UPDATE) &&
                             (vp[2] == 0 || vp[2] == OP_DELETE || vp[2] == OP_UPDATE)
                       : vp[0] == FMT_VER_TOMBSTONE && vp[1] == OP_DELETE &&
                             (vp[2] == OP_DELETE || vp[2] == OP_UPDATE) &&
                             /* a move's may name the key the row moved to */
                             (vn == FMT_VER_HDR || (vp[2] == OP_UPDATE && vn - FMT_VER_HDR <= FMT_MAX_PK)));
        if (!ok) {
            rc = bad_at(vf, seq, "version of %s at seq %llu: malformed header", where(vf, table, pk, pklen),
                        (unsigned long long)seq);
            break;
        }
        if (seq <= vf->head) counted++;
        u64 end = newest ? 0 : prev_seq;
        if (newest) {
            /* current rows before this key have no live version */
            if (cg == 0) {
                size_t m = DD_MIN(ck.mv_size, kn - 8);
                int c = memcmp(ck.mv_data, kp, m);
                if (c < 0 || (c == 0 && ck.mv_size < kn - 8)) {
                    const u8 *cp = ck.mv_data;
                    u32 ct = ck.mv_size >= 4 ? get_u32be(cp) : 0;
                    rc = bad_at(vf, 0, "current: row of %s has no live version",
                                where(vf, ct, ck.mv_size > 4 ? cp + 4 : NULL,
                                      ck.mv_size > 4 ? (u32)ck.mv_size - 4 : 0));
                    break;
                }
            }
            bool at = cg == 0 && ck.mv_size == kn - 8 && memcmp(ck.mv_data, kp, kn - 8) == 0;
            if (table != gone_table || vf->snap_head != gone_at) {
                /* a dropped table has no present rows: DROP cleared them */
                pthread_mutex_lock(&st->cat_mu);
                const TableInfo *t = cat_version_locked(st, table, vf->snap_head);
                gone = t && t->dropped;
                pthread_mutex_unlock(&st->cat_mu);
                gone_table = table;
                gone_at = vf->snap_head;
            }
            if (row && gone && at) {
                rc = bad_at(vf, 0, "current: row of %s is still there after its table was dropped",
                            where(vf, table, pk, pklen));
                break;
            }
            if (row && !gone) {
                const u8 *cp = cv.mv_data;
                if (!at) {
                    rc = bad_at(vf, seq, "current: live row of %s (seq %llu) is missing", where(vf, table, pk, pklen),
                                (unsigned long long)seq);
                    break;
                }
                if (cv.mv_size != FMT_CUR_HDR + vn - FMT_VER_HDR || get_u64be(cp) != seq || cp[8] != vp[1] ||
                    memcmp(cp + FMT_CUR_HDR, vp + FMT_VER_HDR, vn - FMT_VER_HDR) != 0) {
                    rc = bad_at(vf, seq, "current: row of %s differs from its version at seq %llu",
                                where(vf, table, pk, pklen), (unsigned long long)seq);
                    break;
                }
                cg = mdb_cursor_get(cc, &ck, &cv, MDB_NEXT);
            } else if (at) {
                rc = bad_at(vf, seq, "current: row of %s was deleted at seq %llu", where(vf, table, pk, pklen),
                            (unsigned long long)seq);
                break;
            }
            buf_reset(prev);
            buf_append(prev, kp, kn - 8);
            if (!buf_ok(prev)) {
                rc = dd_err(vf->err, DD_ENOMEM, -1, NULL);
                break;
            }
        }
        prev_seq = seq;
        if (row && (rc = version_index_entries(vf, table, pk, pklen, seq, end, vp + FMT_VER_HDR,
                                               (u32)(vn - FMT_VER_HDR), newest)))
            break;
    }
    if (!rc && g != 0 && g != MDB_NOTFOUND) rc = store_mdb_err(vf->err, g, "verifying versions");
    if (!rc && open && cg == 0 && (!vf->one_table || (ck.mv_size >= 4 && get_u32be(ck.mv_data) == vf->table))) {
        const u8 *cp = ck.mv_data;
        rc = bad_at(vf, 0, "current: row of %s has no live version",
                    where(vf, ck.mv_size >= 4 ? get_u32be(cp) : 0, ck.mv_size > 4 ? cp + 4 : NULL,
                          ck.mv_size > 4 ? (u32)ck.mv_size - 4 : 0));
    }
    if (!rc && cg != 0 && cg != MDB_NOTFOUND) rc = store_mdb_err(vf->err, cg, "verifying current");
    u64 events = (vf->one_table ? vf->table_events : vf->row_events) - removed_of(vf, vf->one_table ? vf->table : ~0u);
    if (!rc && counted != events)
        rc = bad_at(vf, vf->head, "versions: %llu versions%s%s but the log records %llu row changes",
                    (unsigned long long)counted, vf->one_table ? " of " : "",
                    vf->one_table ? where(vf, vf->table, NULL, 0) : "", (unsigned long long)events);
    if (vc) mdb_cursor_close(vc);
    if (cc) mdb_cursor_close(cc);
    buf_free(&resume);
    return rc;
}

/* The index values every version of one pk had, sorted: a cache for
 * keys with long histories, whose history entries would otherwise each
 * walk the whole history again (quadratic).  Only ever positive evidence:
 * a version seen in an older snapshot still exists (history at or before a
 * snapshot never changes); a value not found here is looked up afresh. */
typedef struct HotKey {
    u32 index;
    Buf pk;              /* table || pk */
    Buf blob;            /* the values, back to back */
    u32 *off, *len;
    int n;
} HotKey;
#define HOT_SLOTS 256
#define HOT_MIN 8        /* versions walked before a key's values are cached */

static int hot_cmp(const void *x, const void *y, void *arg)
{
    const HotKey *h = arg;
    u32 i = *(const u32 *)x, j = *(const u32 *)y;
    if (h->len[i] != h->len[j]) return h->len[i] < h->len[j] ? -1 : 1;
    return memcmp(h->blob.data + h->off[i], h->blob.data + h->off[j], h->len[i]);
}

static void hot_free(HotKey *h)
{
    if (!h) return;
    buf_free(&h->pk);
    buf_free(&h->blob);
    dd_free(h->off);
    dd_free(h->len);
    dd_free(h);
}

static u32 hot_slot(u32 index, const Buf *pre)
{
    u32 x = 2166136261u ^ index;
    for (size_t i = 0; i < pre->len; i++) x = (x ^ pre->data[i]) * 16777619u;
    return x % HOT_SLOTS;
}

static bool hot_has(const HotKey *h, const u8 *vals, size_t vlen)
{
    int lo = 0, hi = h->n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int c = h->len[mid] != vlen ? (h->len[mid] < vlen ? -1 : 1) : memcmp(h->blob.data + h->off[mid], vals, vlen);
        if (c == 0) return true;
        if (c < 0) lo = mid + 1;
        else hi = mid - 1;
    }
    return false;
}

/* A history entry (values, pk) of index e: some version of pk had them. */
static int history_accounted(Verify *vf, const VIndex *e, const u8 *vals, size_t vlen, const u8 *pk, u32 pklen,
                             bool *found)
{
    *found = false;
    if (!index_key_fn) {
        *found = true;
        return 0;
    }
    Buf *pre = &vf->key;
    buf_reset(pre);
    buf_put_u32be(pre, e->table);
    buf_append(pre, pk, pklen);
    if (!buf_ok(pre)) return dd_err(vf->err, DD_ENOMEM, -1, NULL);
    u32 slot = hot_slot(e->id, pre);
    HotKey *h = vf->hot ? vf->hot[slot] : NULL;
    if (h && h->index == e->id && h->pk.len == pre->len && memcmp(h->pk.data, pre->data, pre->len) == 0 &&
        hot_has(h, vals, vlen)) {
        *found = true;
        return 0;
    }
    MDB_cursor *c;
    int rc = mdb_cursor_open(vf->s->txn, vf->st->dbi[FMT_DB_VERSIONS], &c);
    if (rc) return store_mdb_err(vf->err, rc, "verifying an index");
    MDB_val k = {pre->len, pre->data}, v;
    int g, walked = 0;
    Buf vals_seen = BUF_INIT;    /* values walked so far: u32 len || bytes */
    for (g = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); g == 0 && !rc; g = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size != pre->len + 8 || memcmp(k.mv_data, pre->data, pre->len) != 0) break;
        const u8 *vp = v.mv_data;
        if (v.mv_size < FMT_VER_HDR || vp[0] != FMT_VER_ROW) continue;
        u64 seq = fmt_inv_seq(get_u64be((const u8 *)k.mv_data + pre->len));
        if ((rc = index_key(vf, e, vp + FMT_VER_HDR, (u32)(v.mv_size - FMT_VER_HDR), seq, pk, pklen))) break;
        walked++;
        buf_put_u32be(&vals_seen, (u32)vf->ikey.len);
        buf_append(&vals_seen, vf->ikey.data, vf->ikey.len);
        if (vf->ikey.len == vlen && memcmp(vf->ikey.data, vals, vlen) == 0) {
            *found = true;
            if (walked < HOT_MIN) break;   /* short history: no cache */
        }
    }
    if (!rc && g != 0 && g != MDB_NOTFOUND) rc = store_mdb_err(vf->err, g, "verifying an index");
    mdb_cursor_close(c);
    /* a long history walked to its end: keep its values */
    if (!rc && walked >= HOT_MIN && (g == 0 || g == MDB_NOTFOUND) && buf_ok(&vals_seen)) {
        if (!vf->hot) vf->hot = dd_calloc(HOT_SLOTS, sizeof *vf->hot);
        HotKey *n = vf->hot ? dd_calloc(1, sizeof *n) : NULL;
        if (n && (n->off = dd_malloc(sizeof(u32) * (size_t)walked)) && (n->len = dd_malloc(sizeof(u32) * (size_t)walked))) {
            n->index = e->id;
            buf_append(&n->pk, pre->data, pre->len);
            for (size_t p = 0; p + 4 <= vals_seen.len;) {
                u32 l = get_u32be(vals_seen.data + p);
                n->off[n->n] = (u32)n->blob.len;
                n->len[n->n++] = l;
                buf_append(&n->blob, vals_seen.data + p + 4, l);
                p += 4 + l;
            }
            u32 *order = dd_malloc(sizeof(u32) * (size_t)n->n);
            u32 *o2 = dd_malloc(sizeof(u32) * (size_t)n->n), *l2 = dd_malloc(sizeof(u32) * (size_t)n->n);
            if (order && o2 && l2 && buf_ok(&n->pk) && buf_ok(&n->blob)) {
                for (int i = 0; i < n->n; i++) order[i] = (u32)i;
                qsort_r(order, (size_t)n->n, sizeof(u32), hot_cmp, n);
                for (int i = 0; i < n->n; i++) {
                    o2[i] = n->off[order[i]];
                    l2[i] = n->len[order[i]];
                }
                dd_free(n->off);
                dd_free(n->len);
                n->off = o2;
                n->len = l2;
                o2 = l2 = NULL;
                hot_free(vf->hot[slot]);
                vf->hot[slot] = n;
                n = NULL;
            }
            dd_free(order);
            dd_free(o2);
            dd_free(l2);
        }
        hot_free(n);   /* memory ran short: no cache, still correct */
    }
    buf_free(&vals_seen);
    return rc;
}

/* A present entry (values, pk) of live index e: pk is a live row of the
 * table in this snapshot, whose image has these values. */
static int present_accounted(Verify *vf, const VIndex *e, const u8 *vals, size_t vlen, const u8 *pk, u32 pklen,
                             bool *found)
{
    *found = false;
    Buf *k = &vf->key;
    buf_reset(k);
    buf_put_u32be(k, e->table);
    buf_append(k, pk, pklen);
    if (!buf_ok(k)) return dd_err(vf->err, DD_ENOMEM, -1, NULL);
    MDB_val kk = {k->len, k->data}, v;
    int rc = k->len > FMT_LMDB_MAX_KEY ? MDB_NOTFOUND : mdb_get(vf->s->txn, vf->st->dbi[FMT_DB_CURRENT], &kk, &v);
    if (rc == MDB_NOTFOUND) return 0;
    if (rc) return store_mdb_err(vf->err, rc, "verifying an index");
    if (v.mv_size < FMT_CUR_HDR) return 0;   /* the versions walk reports it */
    if (!index_key_fn) {
        *found = true;
        return 0;
    }
    const u8 *cp = v.mv_data;
    if ((rc = index_key(vf, e, cp + FMT_CUR_HDR, (u32)(v.mv_size - FMT_CUR_HDR), get_u64be(cp), pk, pklen)))
        return rc;
    *found = vf->ikey.len == vlen && memcmp(vf->ikey.data, vals, vlen) == 0;
    return 0;
}

/* Every entry of the index db: of an index some table defines; a present
 * entry backed by a live row with its values (so, with the versions walk,
 * present entries are exactly the live rows'); a history entry by some
 * version.  Renews the snapshot every VERIFY_CHUNK entries. */
/* The entries of index ids lo..hi (FMT_INDEX_EVER included in both for
 * history entries). */
static int verify_index_ids(Verify *vf, u32 lo, u32 hi)
{
    MDB_cursor *c = NULL;
    MDB_val k, v;
    int rc = 0, g = 0;
    u64 since = 0;
    Buf ent = BUF_INIT;   /* the entry's key, copied before other lookups */
    for (;;) {
        if (!c) {
            if ((rc = mdb_cursor_open(vf->s->txn, vf->st->dbi[FMT_DB_INDEX], &c))) {
                rc = store_mdb_err(vf->err, rc, "verifying");
                break;
            }
            if (ent.len) {
                k.mv_size = ent.len;
                k.mv_data = ent.data;
                g = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
                if (g == 0 && k.mv_size == ent.len && memcmp(k.mv_data, ent.data, ent.len) == 0)
                    g = mdb_cursor_get(c, &k, &v, MDB_NEXT);
            } else {
                u8 pre[4];
                put_u32be(pre, lo);
                k.mv_size = sizeof pre;
                k.mv_data = pre;
                g = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
            }
        } else if (++since >= VERIFY_CHUNK) {
            /* ent holds the last entry checked: go on after it */
            mdb_cursor_close(c);
            c = NULL;
            since = 0;
            if ((rc = renew(vf))) break;
            continue;
        } else {
            g = mdb_cursor_get(c, &k, &v, MDB_NEXT);
        }
        if (g) break;
        const u8 *kp = k.mv_data, *vp = v.mv_data;
        size_t kn = k.mv_size;
        if (kn >= 4 && get_u32be(kp) > hi) {
            g = MDB_NOTFOUND;   /* past the range */
            break;
        }
        u32 pklen = v.mv_size == FMT_INDEX_VAL ? ((u32)vp[0] << 8) | vp[1] : 0;
        if (kn < 4 + 1 || pklen == 0 || 4 + (size_t)pklen > kn) {
            rc = bad_at(vf, 0, "index: malformed entry (key of %zu bytes, value of %zu bytes)", kn, v.mv_size);
            break;
        }
        buf_reset(&ent);
        buf_append(&ent, kp, kn);
        if (!buf_ok(&ent)) {
            rc = dd_err(vf->err, DD_ENOMEM, -1, NULL);
            break;
        }
        u32 id = get_u32be(ent.data);
        const u8 *pk = ent.data + kn - pklen, *vals = ent.data + 4;
        size_t vlen = kn - 4 - pklen;
        VIndex *e = find_index(vf, id & ~FMT_INDEX_EVER);
        if (!e) {
            rc = bad_at(vf, 0, "index: entry of index id %u, which no table defines", id & ~FMT_INDEX_EVER);
            break;
        }
        bool found;
        if (!(id & FMT_INDEX_EVER)) {
            if (e->dropped) {
                rc = bad_at(vf, e->dropped, "index \"%s\" was dropped at seq %llu but has an entry of %s", e->ix->name,
                            (unsigned long long)e->dropped, where(vf, e->table, pk, pklen));
                break;
            }
            if ((rc = present_accounted(vf, e, vals, vlen, pk, pklen, &found))) break;
            if (!found) {
                rc = bad_at(vf, 0, "index \"%s\": entry of %s that no live row accounts for", e->ix->name,
                            where(vf, e->table, pk, pklen));
                break;
            }
            continue;
        }
        if ((rc = history_accounted(vf, e, vals, vlen, pk, pklen, &found))) break;
        if (!found) {
            rc = bad_at(vf, 0, "index \"%s\": history entry of %s that no version accounts for", e->ix->name,
                        where(vf, e->table, pk, pklen));
            break;
        }
    }
    if (!rc && g != 0 && g != MDB_NOTFOUND) rc = store_mdb_err(vf->err, g, "verifying the index");
    buf_free(&ent);
    if (c) mdb_cursor_close(c);
    return rc;
}

/* Every index entry, or those of the table VERIFY TABLE checks. */
static int verify_index_db(Verify *vf)
{
    if (!vf->one_table) return verify_index_ids(vf, 0, UINT32_MAX);
    /* the ids first: a walk's renewal collects vf->ix again */
    u32 *ids = dd_malloc(sizeof *ids * (size_t)(vf->nix + 1));
    if (!ids) return dd_err(vf->err, DD_ENOMEM, -1, NULL);
    int n = 0, rc = 0;
    for (int i = 0; i < vf->nix; i++)
        if (vf->ix[i].table == vf->table) ids[n++] = vf->ix[i].id;
    for (int i = 0; i < n && !rc; i++)
        if (!(rc = verify_index_ids(vf, ids[i], ids[i])))
            rc = verify_index_ids(vf, ids[i] | FMT_INDEX_EVER, ids[i] | FMT_INDEX_EVER);
    dd_free(ids);
    return rc;
}

/* times: the i-th entry maps commit i's time to i (i <= the snapshot's
 * head), at least H of them.  Renews the snapshot every VERIFY_CHUNK. */
static int verify_times(Verify *vf)
{
    Store *st = vf->st;
    MDB_cursor *c = NULL;
    MDB_val k, v;
    u64 want = 0;
    u8 last[8];
    int rc = 0, g = 0;
    for (;;) {
        if (!c) {
            if ((rc = mdb_cursor_open(vf->s->txn, st->dbi[FMT_DB_TIMES], &c))) {
                rc = store_mdb_err(vf->err, rc, "verifying");
                break;
            }
            if (want) {
                k.mv_size = 8;
                k.mv_data = last;
                g = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
                if (g == 0 && k.mv_size == 8 && memcmp(k.mv_data, last, 8) == 0) g = mdb_cursor_get(c, &k, &v, MDB_NEXT);
            } else {
                g = mdb_cursor_get(c, &k, &v, MDB_FIRST);
            }
        } else if (want % VERIFY_CHUNK == 0) {
            mdb_cursor_close(c);
            c = NULL;
            if ((rc = renew(vf))) break;
            continue;
        } else {
            g = mdb_cursor_get(c, &k, &v, MDB_NEXT);
        }
        if (g) break;
        want++;
        if (k.mv_size != 8 || v.mv_size != 8 || get_u64be(v.mv_data) != want || want > vf->snap_head) {
            rc = bad_at(vf, want <= vf->snap_head ? want : vf->snap_head,
                        "times: entry %llu does not map commit %llu's time", (unsigned long long)want,
                        (unsigned long long)want);
            break;
        }
        memcpy(last, k.mv_data, 8);
        u8 lk[8];
        put_u64be(lk, want);
        MDB_val kk = {8, lk}, lv;
        int r = mdb_get(vf->s->txn, st->dbi[FMT_DB_LOG], &kk, &lv);
        if (r) {
            rc = r == MDB_NOTFOUND ? bad_at(vf, want, "log record %llu missing", (unsigned long long)want)
                                   : store_mdb_err(vf->err, r, "verifying times");
            break;
        }
        if (lv.mv_size < FMT_LOG_MIN_LEN) {
            rc = bad_at(vf, want, "log record %llu: too short", (unsigned long long)want);
            break;
        }
        i64 t = (i64)get_u64be((const u8 *)lv.mv_data + FMT_LOG_OFF_TIME);
        if (get_u64be(last) != fmt_time_key(t)) {
            rc = bad_at(vf, want, "times: the time of commit %llu differs from its log record", (unsigned long long)want);
            break;
        }
    }
    if (!rc && g != 0 && g != MDB_NOTFOUND) rc = store_mdb_err(vf->err, g, "verifying times");
    if (!rc && want < vf->head)
        rc = bad_at(vf, want + 1, "times: %llu entries for %llu commits", (unsigned long long)want,
                    (unsigned long long)vf->head);
    if (c) mdb_cursor_close(c);
    return rc;
}

/* The checkpoints (CHECKPOINT TABLE), or under VERIFY TABLE the table's. */
static int verify_checkpoints(Verify *vf)
{
    CkptBad b;
    int rc = ckpt_check(vf->st, vf->s->txn, vf->head, vf->one_table, vf->table, &b);
    if (rc == 1)
        return bad_at(vf, 0, "checkpoint of %s at seq %llu: %s", where(vf, b.table, NULL, 0),
                      (unsigned long long)b.seq, b.why);
    return rc ? store_mdb_err(vf->err, rc, "verifying checkpoints") : 0;
}

/* The catalog db, and meta's ids above every id the catalog uses. */
static int verify_catalog_meta(Verify *vf)
{
    u64 head = vf->snap_head;
    Store *st = vf->st;
    MDB_cursor *c;
    int rc = mdb_cursor_open(vf->s->txn, st->dbi[FMT_DB_CATALOG], &c);
    if (rc) return store_mdb_err(vf->err, rc, "verifying");
    MDB_val k, v;
    u64 n = 0;
    u32 max_table = 0, max_index = 0;
    Arena a;
    arena_init(&a, 4096);
    int g;
    for (g = mdb_cursor_get(c, &k, &v, MDB_FIRST); g == 0 && !rc; g = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size != 12) {
            rc = bad_at(vf, 0, "catalog: malformed key of %zu bytes", k.mv_size);
            break;
        }
        u32 id = get_u32be(k.mv_data);
        u64 seq = fmt_inv_seq(get_u64be((const u8 *)k.mv_data + 4));
        TableInfo t;
        arena_reset(&a);
        int r = catalog_decode(v.mv_data, v.mv_size, &a, &t, vf->err);
        if (r == DD_ECORRUPT || (!r && (t.id != id || t.seq != seq)) || seq == 0 || seq > head) {
            rc = bad_at(vf, seq && seq <= head ? seq : head, "catalog: record of table id %u at seq %llu is malformed",
                        id, (unsigned long long)seq);
            break;
        }
        if (r) {
            rc = r;
            break;
        }
        if (seq <= vf->head) n++;
        if (id > max_table) max_table = id;
        for (int i = 0; i < t.nindexes; i++)
            if (t.indexes[i].id > max_index) max_index = t.indexes[i].id;
    }
    arena_free(&a);
    if (!rc && g != 0 && g != MDB_NOTFOUND) rc = store_mdb_err(vf->err, g, "verifying the catalog");
    mdb_cursor_close(c);
    if (!rc && n != vf->cat_events)
        rc = bad_at(vf, vf->head, "catalog: %llu records but the log records %llu catalog changes", (unsigned long long)n,
                    (unsigned long long)vf->cat_events);
    if (rc) return rc;

    /* meta: exactly db, head, ids */
    if ((rc = mdb_cursor_open(vf->s->txn, st->dbi[FMT_DB_META], &c))) return store_mdb_err(vf->err, rc, "verifying");
    int seen = 0;
    u32 seqid;
    for (g = mdb_cursor_get(c, &k, &v, MDB_FIRST); g == 0 && !rc; g = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        const u8 *vp = v.mv_data;
        if (k.mv_size == 2 && memcmp(k.mv_data, "db", 2) == 0) {
            if (v.mv_size != FMT_META_DB_LEN || memcmp(vp, FMT_MAGIC, FMT_MAGIC_LEN) != 0 ||
                get_u32be(vp + FMT_MAGIC_LEN) != FMT_VERSION || memcmp(vp + FMT_MAGIC_LEN + 4, st->dbid, FMT_DBID_LEN) != 0)
                rc = bad_at(vf, 0, "meta: the db record is damaged");
            seen |= 1;
        } else if (k.mv_size == 4 && memcmp(k.mv_data, "head", 4) == 0) {
            seen |= 2;   /* checked against the log by the caller */
        } else if (k.mv_size == 3 && memcmp(k.mv_data, "ids", 3) == 0) {
            if (v.mv_size != FMT_META_IDS_LEN || get_u32be(vp) <= max_table || get_u32be(vp + 4) <= max_index)
                rc = bad_at(vf, head, "meta: the next ids are not above every id in use");
            seen |= 4;
        } else if (store_seq_meta_record(k.mv_data, k.mv_size, v.mv_size, &seqid)) {
            /* a sequence's value: outside the log, any id (a sequence
             * that was never committed may have taken values) */
        } else if (store_xid_meta_record(k.mv_data, k.mv_size, v.mv_size)) {
            /* the transaction ids' counter: outside the log, any value */
        } else if (k.mv_size == 5 && memcmp(k.mv_data, "owner", 5) == 0) {
            if (v.mv_size < 1 || v.mv_size > FMT_META_OWNER_MAX || memchr(vp, 0, v.mv_size) ||
                v.mv_size != strlen(st->owner) || memcmp(vp, st->owner, v.mv_size) != 0)
                rc = bad_at(vf, 0, "meta: the owner record is damaged");
        } else {
            rc = bad_at(vf, 0, "meta: unknown key of %zu bytes", k.mv_size);
        }
    }
    if (!rc && g != 0 && g != MDB_NOTFOUND) rc = store_mdb_err(vf->err, g, "verifying meta");
    if (!rc && seen != 7) rc = bad_at(vf, 0, "meta: a record is missing");
    mdb_cursor_close(c);
    return rc;
}

/* The log's last record is the head's: none lies beyond it. */
static int check_log_tail(Verify *vf, u64 head)
{
    MDB_cursor *lc;
    int rc = mdb_cursor_open(vf->s->txn, vf->st->dbi[FMT_DB_LOG], &lc);
    if (rc) return store_mdb_err(vf->err, rc, "verifying");
    MDB_val k, v;
    int g = mdb_cursor_get(lc, &k, &v, MDB_LAST);
    u64 last = g == 0 && k.mv_size == 8 ? get_u64be(k.mv_data) : 0;
    mdb_cursor_close(lc);
    if (g != 0 && g != MDB_NOTFOUND) return store_mdb_err(vf->err, g, "verifying");
    if (last != head)
        return bad_at(vf, head + 1, "log record %llu lies beyond the head %llu", (unsigned long long)last,
                      (unsigned long long)head);
    return 0;
}

/* Starts a run: vf zeroed, a snapshot, and LMDB's meta pages checked
 * first (a damaged txnid can make LMDB read an older, intact tree that
 * nothing else could tell from the real one).  verify_end whatever it
 * returns. */
static int verify_start(Verify *vf, Store *st, u64 *first_bad, DdError *err)
{
    memset(vf, 0, sizeof *vf);
    vf->st = st;
    vf->first_bad = first_bad;
    vf->err = err;
    int rc = store_snap_begin(st, &vf->s, err);
    if (!rc) vf->purge_seq = vf->s->seq;
    if (!rc && (rc = store_check_lmdb_meta(st, vf->s->txn, err)) == DD_ECORRUPT) *first_bad = 1;
    return rc;
}

/* Ends a run: what verify_start and the checks took. */
static void verify_end(Verify *vf)
{
    if (vf->s) store_snap_end(vf->s);
    buf_free(&vf->key);
    buf_free(&vf->tmp);
    buf_free(&vf->ikey);
    buf_free(&vf->msg);
    dd_free(vf->ix);
    dd_free(vf->gone);
    sha256_ctx_free(&vf->digest);
    for (int i = 0; vf->hot && i < HOT_SLOTS; i++) hot_free(vf->hot[i]);
    dd_free(vf->hot);
}

static int verify_all(Store *st, bool one_table, u32 table, u64 *checked, u64 *first_bad, DdError *err)
{
    *checked = 0;
    *first_bad = 0;
    const char *chunk = getenv("DRIFTDB_VERIFY_CHUNK");
    VERIFY_CHUNK = chunk && atoll(chunk) > 0 ? (u64)atoll(chunk) : 4096;
    Verify vf;
    u64 head, head2;
    i64 head_time;
    u8 head_hash[32];
    int rc = verify_start(&vf, st, first_bad, err);
    vf.one_table = one_table;
    vf.table = table;
    if (rc) goto done;
    /* phase A: the chain up to the head seen now, in bounded steps */
    if ((rc = store_read_head(st, vf.s->txn, &head, NULL, &head_time, err))) {
        *first_bad = 1;
        goto done;
    }
    if ((rc = verify_log(&vf, head, true))) goto done;
    /* phase B: one snapshot for the rest */
    store_snap_end(vf.s);
    vf.s = NULL;
    if ((rc = store_snap_begin(st, &vf.s, err)) || (rc = check_no_purge(&vf))) goto done;
    if ((rc = store_read_head(st, vf.s->txn, &head2, head_hash, &head_time, err))) {
        *first_bad = 1;
        goto done;
    }
    if (head2 < head) {
        rc = bad_at(&vf, head2 + 1, "meta: the head went back from %llu to %llu", (unsigned long long)head,
                    (unsigned long long)head2);
        goto done;
    }
    if ((rc = verify_log(&vf, head2, false))) goto done;
    if (memcmp(vf.prev, head_hash, 32) != 0) {
        rc = bad_at(&vf, head2, "meta head (commit %llu) does not match the log", (unsigned long long)head2);
        goto done;
    }
    if ((rc = check_log_tail(&vf, head2)) || (rc = check_gone(&vf, true))) goto done;
    *checked = head2;
    vf.head = vf.snap_head = head2;
    if ((rc = collect_indexes(&vf, head2)) || (rc = verify_versions(&vf)) || (rc = verify_index_db(&vf)) ||
        (rc = verify_times(&vf)) || (rc = verify_catalog_meta(&vf)) || (rc = verify_checkpoints(&vf)))
        goto done;
done:
    verify_end(&vf);
    if (rc && !*first_bad && rc == DD_ECORRUPT) *first_bad = vf.seq + 1;
    if (rc && *first_bad) *checked = *first_bad - 1 < vf.seq ? *first_bad - 1 : vf.seq;
    else if (rc) *checked = vf.seq;
    return rc;
}

int store_verify(Store *st, u64 *checked, u64 *first_bad, DdError *err)
{
    return verify_all(st, false, 0, checked, first_bad, err);
}

int store_verify_table(Store *st, u32 table, u64 *checked, u64 *first_bad, DdError *err)
{
    return verify_all(st, true, table, checked, first_bad, err);
}

/* ---- VERIFY RECENT n ---- */

/* What the row event (table, pk) of commit seq wrote beside its version:
 * when it is the key's newest version, the current row (its seq, op and
 * image) or, after a delete, none; the index entries of a row version.
 * The version itself was checked against the event by verify_events. */
static int recent_row(Verify *vf, u32 table, const u8 *pk, u32 pklen, u64 seq)
{
    Store *st = vf->st;
    Buf *key = &vf->key;
    buf_reset(key);
    buf_put_u32be(key, table);
    buf_append(key, pk, pklen);
    buf_put_u64be(key, fmt_inv_seq(seq));
    if (!buf_ok(key)) return dd_err(vf->err, DD_ENOMEM, -1, NULL);
    MDB_cursor *c;
    int rc = mdb_cursor_open(vf->s->txn, st->dbi[FMT_DB_VERSIONS], &c);
    if (rc) return store_mdb_err(vf->err, rc, "verifying");
    MDB_val k = {key->len, key->data}, v, nk, nv;
    int g = mdb_cursor_get(c, &k, &v, MDB_SET_KEY);
    if (g) {
        mdb_cursor_close(c);
        /* missing: verify_events found it so in a record of format 3
         * (DELETE HISTORY took it, as check_gone checked) or failed */
        if (g == MDB_NOTFOUND) return 0;
        return store_mdb_err(vf->err, g, "verifying");
    }
    /* the next newer version of the key sorts just before (inverted seq) */
    u64 end = 0;
    size_t pre = key->len - FMT_SEQ_LEN;
    g = mdb_cursor_get(c, &nk, &nv, MDB_PREV);
    if (g == 0 && nk.mv_size == key->len && memcmp(nk.mv_data, key->data, pre) == 0)
        end = fmt_inv_seq(get_u64be((const u8 *)nk.mv_data + pre));
    mdb_cursor_close(c);
    if (g != 0 && g != MDB_NOTFOUND) return store_mdb_err(vf->err, g, "verifying");
    const u8 *vp = v.mv_data;
    size_t vn = v.mv_size;
    bool row = vn >= FMT_VER_HDR && vp[0] == FMT_VER_ROW;
    if (end == 0) {
        MDB_val ck = {pre, key->data}, cv;
        g = mdb_get(vf->s->txn, st->dbi[FMT_DB_CURRENT], &ck, &cv);
        if (g != 0 && g != MDB_NOTFOUND) return store_mdb_err(vf->err, g, "verifying");
        /* a dropped table has no present rows: DROP cleared them */
        pthread_mutex_lock(&st->cat_mu);
        const TableInfo *t = cat_version_locked(st, table, vf->snap_head);
        bool gone = t && t->dropped;
        pthread_mutex_unlock(&st->cat_mu);
        if (gone) {
            if (g == 0)
                return bad_at(vf, 0, "current: row of %s is still there after its table was dropped",
                              where(vf, table, pk, pklen));
        } else if (row) {
            if (g == MDB_NOTFOUND)
                return bad_at(vf, seq, "current: live row of %s (seq %llu) is missing", where(vf, table, pk, pklen),
                              (unsigned long long)seq);
            const u8 *cp = cv.mv_data;
            if (cv.mv_size != FMT_CUR_HDR + vn - FMT_VER_HDR || get_u64be(cp) != seq || cp[8] != vp[1] ||
                memcmp(cp + FMT_CUR_HDR, vp + FMT_VER_HDR, vn - FMT_VER_HDR) != 0)
                return bad_at(vf, seq, "current: row of %s differs from its version at seq %llu",
                              where(vf, table, pk, pklen), (unsigned long long)seq);
        } else if (g == 0) {
            return bad_at(vf, seq, "current: row of %s was deleted at seq %llu", where(vf, table, pk, pklen),
                          (unsigned long long)seq);
        }
    }
    if (!row) return 0;
    return version_index_entries(vf, table, pk, pklen, seq, end, vp + FMT_VER_HDR, (u32)(vn - FMT_VER_HDR), end == 0);
}

/* The row events of commit seq (its record already verified) through
 * recent_row, and its times entry. */
static int recent_commit(Verify *vf, u64 seq)
{
    u8 kb[8];
    put_u64be(kb, seq);
    MDB_val k = {8, kb}, v;
    int rc = mdb_get(vf->s->txn, vf->st->dbi[FMT_DB_LOG], &k, &v);
    if (rc) return rc == MDB_NOTFOUND ? bad_at(vf, seq, "log record %llu missing", (unsigned long long)seq)
                                      : store_mdb_err(vf->err, rc, "verifying");
    LogRecord lr;
    Cursor ec;
    if ((rc = log_parse(v.mv_data, v.mv_size, seq, &lr, &ec, vf->err))) {
        *vf->first_bad = seq;
        return rc;
    }
    u8 tk[8];
    put_u64be(tk, fmt_time_key(lr.time_us));
    MDB_val kk = {8, tk}, tv;
    rc = mdb_get(vf->s->txn, vf->st->dbi[FMT_DB_TIMES], &kk, &tv);
    if (rc != 0 && rc != MDB_NOTFOUND) return store_mdb_err(vf->err, rc, "verifying times");
    if (rc == MDB_NOTFOUND || tv.mv_size != 8 || get_u64be(tv.mv_data) != seq)
        return bad_at(vf, seq, "times: no entry maps commit %llu's time", (unsigned long long)seq);
    for (u32 i = 0; i < lr.nevents; i++) {
        LogEvent ev;
        if (log_next_event(&ec, lr.format, &ev))
            return bad_at(vf, seq, "log record %llu: malformed event", (unsigned long long)seq);
        /* catalog events: checked with the chain; so were erased events
         * and versions DELETE HISTORY removed (check_gone) */
        if (ev.op < OP_INSERT || ev.op > OP_DELETE || ev.form == FMT_EV_ERASED) continue;
        if ((rc = recent_row(vf, ev.table, ev.pk, ev.pklen, seq))) return rc;
    }
    return 0;
}

int store_verify_window(Store *st, u64 n, u64 since, u64 *checked, u64 *first_bad, DdError *err)
{
    *checked = 0;
    *first_bad = 0;
    Verify vf;
    u64 head = 0, from = 1;
    i64 head_time;
    u8 head_hash[32];
    int rc = verify_start(&vf, st, first_bad, err);
    if (rc) goto done;
    if ((rc = store_read_head(st, vf.s->txn, &head, head_hash, &head_time, err))) {
        *first_bad = 1;
        goto done;
    }
    if (since > head) {
        rc = dd_err(err, DD_EINVALID_PARAM, -1, "VERIFY FROM @SEQ:%llu: the newest commit is seq %llu",
                    (unsigned long long)since, (unsigned long long)head);
        goto done;
    }
    from = n && n < head ? head - n + 1 : n ? 1 : head + 1;
    if (since && since < from) from = since;
    if (from == 0) from = 1;
    if (from > 1) {
        /* the record before the first: intact (CRC32C, its own hash), it
         * anchors the first link; what lies before it is not checked */
        u64 anchor = from - 1;
        u8 kb[8];
        put_u64be(kb, anchor);
        MDB_val k = {8, kb}, v;
        int g = mdb_get(vf.s->txn, st->dbi[FMT_DB_LOG], &k, &v);
        if (g) {
            rc = g == MDB_NOTFOUND ? bad_at(&vf, anchor, "log: commit %llu is missing (the head is %llu)",
                                            (unsigned long long)anchor, (unsigned long long)head)
                                   : store_mdb_err(err, g, "verifying");
            goto done;
        }
        LogRecord lr;
        Cursor ec;
        u8 h[32];
        if ((rc = log_parse(v.mv_data, v.mv_size, anchor, &lr, &ec, err))) {
            *first_bad = anchor;
            goto done;
        }
        if ((rc = log_hash(v.mv_data, v.mv_size - 4, anchor, st->dbid, h))) {
            rc = rc == DD_ECORRUPT ? bad_at(&vf, anchor, "log record %llu: malformed event", (unsigned long long)anchor)
                                   : dd_err(err, DD_ENOMEM, -1, "could not compute a hash");
            goto done;
        }
        if (memcmp(h, lr.hash, 32) != 0) {
            rc = bad_at(&vf, anchor, "log record %llu: hash does not match its contents", (unsigned long long)anchor);
            goto done;
        }
        memcpy(vf.prev, lr.hash, 32);
        vf.seq = anchor;
    }
    if ((rc = verify_log(&vf, head, false))) goto done;
    if (memcmp(vf.prev, head_hash, 32) != 0) {
        rc = bad_at(&vf, head, "meta head (commit %llu) does not match the log", (unsigned long long)head);
        goto done;
    }
    if ((rc = check_log_tail(&vf, head)) || (rc = check_gone(&vf, false))) goto done;
    vf.head = vf.snap_head = head;
    if ((rc = collect_indexes(&vf, head))) goto done;
    for (u64 seq = from; seq <= head; seq++)
        if ((rc = recent_commit(&vf, seq))) goto done;
done:
    verify_end(&vf);
    if (rc && !*first_bad && rc == DD_ECORRUPT) *first_bad = vf.seq + 1;
    if (!rc) {
        *checked = head >= from ? head - from + 1 : 0;
    } else if (*first_bad) {
        u64 good = *first_bad - 1 < vf.seq ? *first_bad - 1 : vf.seq;
        *checked = good >= from ? good - from + 1 : 0;
    } else {
        *checked = vf.seq >= from ? vf.seq - from + 1 : 0;
    }
    return rc;
}
