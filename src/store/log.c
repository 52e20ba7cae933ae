/*
 * log.c - commit log records (layout in format.h): building, parsing with
 * CRC check, hashing, and the read side (store_log_get, commit times).
 *
 * Invariant: a record's hash is what format.h says for its format, and
 * neither erasing a key nor summarizing its events changes it; the CRC32C
 * covers every byte before it.  Parsing is bounded and reports damage
 * through dd_corrupt.
 */
#include "store_int.h"
#include "../util/alloc.h"
#include "../util/clock.h"
#include "../util/crc32c.h"
#include "../util/sha256.h"

#include <string.h>

static void put_str(Buf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    buf_put_varint(b, n);
    buf_append(b, s, n);
}

/* Feeds what the chain hashes of one format 3 event to h: table, op and
 * the event's digest or figures, never its key (log_next_event read it). */
static void hash_event(Sha256 *h, const LogEvent *ev)
{
    u8 b[5 + 32];
    put_u32be(b, ev->table);
    b[4] = ev->op;
    size_t n = 5;
    if (ev->op == FMT_EV_PURGE || ev->op == FMT_EV_ERASE) {
        put_u64be(b + 5, ev->a);
        put_u64be(b + 13, ev->b);
        n += 16;
    } else {
        memcpy(b + 5, ev->hash, 32);
        n += 32;
    }
    sha256_update(h, b, n);
}

/* Feeds the hashed forms of the nev events at c to h.  0 or DD_ECORRUPT. */
static int hash_events(Sha256 *h, Cursor *c, u8 fmt, u64 nev)
{
    for (u64 i = 0; i < nev; i++) {
        LogEvent ev;
        if (log_next_event(c, fmt, &ev)) return DD_ECORRUPT;
        hash_event(h, &ev);
    }
    return 0;
}

/* The row events of a format 4 record per table, in the order the tables
 * first appear: varint n, n x (u32 BE table, varint row events), as a
 * summary stores them (a table without row events is left out). */
typedef struct TCount { u32 table; u64 rows; } TCount;

static int put_counts(Buf *t, const TCount *tc, u32 n)
{
    buf_put_varint(t, n);
    for (u32 k = 0; k < n; k++) {
        buf_put_u32be(t, tc[k].table);
        buf_put_varint(t, tc[k].rows);
    }
    return buf_ok(t) ? 0 : DD_ENOMEM;
}

/* A format 4 record's E and table counts t (reset first), from c at its
 * form byte: computed from the events listed, or read from the summary,
 * which then ends the record.  0, DD_ECORRUPT or DD_ENOMEM. */
static int events_digest(Cursor *c, u8 fmt, u64 nev, u8 e[32], Buf *t)
{
    buf_reset(t);
    u8 form = cur_u8(c);
    if (c->bad) return DD_ECORRUPT;
    if (form == FMT_LOG_SUMMARY) {
        const u8 *d = cur_bytes(c, 32);
        if (!d) return DD_ECORRUPT;
        memcpy(e, d, 32);
        size_t n = cur_left(c);
        buf_append(t, cur_bytes(c, n), n);
        return buf_ok(t) ? 0 : DD_ENOMEM;
    }
    if (form != FMT_LOG_LISTED) return DD_ECORRUPT;
    Sha256 h;
    if (sha256_begin(&h)) return DD_ENOMEM;
    TCount *tc = NULL;
    u32 nt = 0, cap = 0;
    int rc = 0;
    for (u64 i = 0; i < nev && !rc; i++) {
        LogEvent ev;
        if (log_next_event(c, fmt, &ev)) {
            rc = DD_ECORRUPT;
            break;
        }
        hash_event(&h, &ev);
        if (ev.op < OP_INSERT || ev.op > OP_DELETE) continue;
        u32 k = nt;
        if (nt && tc[nt - 1].table == ev.table) k = nt - 1;   /* the usual case: one table */
        else
            for (k = 0; k < nt && tc[k].table != ev.table; k++) {}
        if (k == nt) {
            if (nt == cap) {
                cap = cap ? cap * 2 : 4;
                TCount *g = dd_realloc(tc, sizeof *tc * cap);
                if (!g) { rc = DD_ENOMEM; break; }
                tc = g;
            }
            tc[nt++] = (TCount){ev.table, 0};
        }
        tc[k].rows++;
    }
    if (!rc) rc = put_counts(t, tc, nt);
    dd_free(tc);
    if (rc) {
        sha256_abort(&h);
        return rc;
    }
    return sha256_end(&h, e) ? DD_ENOMEM : 0;
}

int log_hash(const u8 *p, size_t n, u64 seq, const u8 dbid[FMT_DBID_LEN], u8 out[32])
{
    /* p[0..n) is the record without its CRC. */
    u8 seqbe[8];
    put_u64be(seqbe, seq);
    Sha256 h;
    if (sha256_begin(&h)) {
        memset(out, 0, 32);
        return DD_ENOMEM;
    }
    sha256_update(&h, p + FMT_LOG_OFF_PREV, 32);
    if (p[0] >= FMT_LOG_FORMAT_V3) sha256_update(&h, dbid, FMT_DBID_LEN);
    sha256_update(&h, p, 1);
    sha256_update(&h, seqbe, 8);
    sha256_update(&h, p + FMT_LOG_OFF_TIME, 8);
    if (p[0] < FMT_LOG_FORMAT_V3) {
        sha256_update(&h, p + FMT_LOG_OFF_TAIL, n - FMT_LOG_OFF_TAIL);
        return sha256_end(&h, out);
    }
    /* format 3: the strings and the count as they are, then each event's
     * hashed form, which erasing a key leaves unchanged; format 4: the
     * same, but the events' hashed forms through a hash of their own (E),
     * which a summary keeps in their place */
    Cursor c;
    cur_init(&c, p + FMT_LOG_OFF_TAIL, n - FMT_LOG_OFF_TAIL);
    for (int i = 0; i < 3; i++) {
        u64 len = cur_varint(&c);
        if (!c.bad && len <= cur_left(&c)) cur_bytes(&c, (size_t)len);
        else c.bad = true;
    }
    u64 nev = cur_varint(&c);
    if (c.bad || (p[0] == FMT_LOG_FORMAT_V3 && nev > cur_left(&c))) {
        sha256_abort(&h);
        memset(out, 0, 32);
        return DD_ECORRUPT;
    }
    sha256_update(&h, p + FMT_LOG_OFF_TAIL, (size_t)(c.p - (p + FMT_LOG_OFF_TAIL)));
    if (p[0] == FMT_LOG_FORMAT_V3) {
        int rc = hash_events(&h, &c, p[0], nev);
        if (rc) {
            sha256_abort(&h);
            memset(out, 0, 32);
            return rc;
        }
        return sha256_end(&h, out);
    }
    u8 e[32];
    Buf t = BUF_INIT;
    int rc = events_digest(&c, p[0], nev, e, &t);
    if (rc) {
        buf_free(&t);
        sha256_abort(&h);
        memset(out, 0, 32);
        return rc;
    }
    sha256_update(&h, e, 32);
    sha256_update(&h, t.data, t.len);
    buf_free(&t);
    return sha256_end(&h, out);
}

size_t log_event_size(u8 op, u32 pklen)
{
    if (op >= OP_INSERT && op <= OP_DELETE) return 4 + 1 + 1 + 10 + (size_t)pklen + FMT_EV_SALT + 32;
    if (op == FMT_EV_PURGE || op == FMT_EV_ERASE) return 4 + 1 + 16;
    return 4 + 1 + 32;
}

int log_begin(Buf *out, i64 time, const u8 prev[32], const char *user, const char *app, const char *client, u32 nev,
              size_t events)
{
    u8 zero[32] = {0};
    /* its size first: one allocation, however many events (a COPY of a
     * million rows makes a record of 70 MB) */
    size_t need = 1 + 8 + 64 + 3 * 10 + (user ? strlen(user) : 0) + (app ? strlen(app) : 0) +
                  (client ? strlen(client) : 0) + 10 + 1 + events + 4;
    if (!buf_reserve(out, need)) return DD_ENOMEM;
    buf_putc(out, FMT_LOG_FORMAT);
    buf_put_u64be(out, (u64)time);
    buf_append(out, prev, 32);
    buf_append(out, zero, 32);  /* hash, filled by log_finish */
    put_str(out, user);
    put_str(out, app);
    put_str(out, client);
    buf_put_varint(out, nev);
    buf_putc(out, FMT_LOG_LISTED);
    return buf_ok(out) ? 0 : DD_ENOMEM;
}

void log_put_event(Buf *out, const LogEventIn *ev)
{
    buf_put_u32be(out, ev->table);
    buf_putc(out, ev->op);
    if (ev->op >= OP_INSERT && ev->op <= OP_DELETE) {
        buf_putc(out, FMT_EV_PLAIN);
        buf_put_varint(out, ev->pklen);
        buf_append(out, ev->pk, ev->pklen);
        buf_append(out, ev->salt, FMT_EV_SALT);
        buf_append(out, ev->hash, 32);
    } else if (ev->op == FMT_EV_PURGE || ev->op == FMT_EV_ERASE) {
        buf_put_u64be(out, ev->a);
        buf_put_u64be(out, ev->b);
    } else {
        buf_append(out, ev->hash, 32);
    }
}

int log_finish(Buf *out, size_t base, u64 seq, const u8 dbid[FMT_DBID_LEN], u8 hash_out[32])
{
    memset(hash_out, 0, 32);
    if (!buf_ok(out)) return DD_ENOMEM;
    u8 *rec = out->data + base;
    size_t n = out->len - base;
    if (log_hash(rec, n, seq, dbid, hash_out)) return DD_ENOMEM;
    memcpy(rec + FMT_LOG_OFF_HASH, hash_out, 32);
    buf_put_u32be(out, crc32c(0, rec, n));
    return buf_ok(out) ? 0 : DD_ENOMEM;
}

int log_row_digest(Sha256 *h, const u8 salt[FMT_EV_SALT], const u8 *pk, u32 pklen, const u8 *val, size_t n,
                   u8 out[32])
{
    u8 lenb[4];
    put_u32be(lenb, pklen);
    const void *parts[4] = {salt, lenb, pk, val};
    size_t lens[4] = {FMT_EV_SALT, 4, pklen, n};
    return sha256_with_parts(h, parts, lens, 4, out);
}

static const char *get_str(Cursor *c, size_t *len)
{
    u64 n = cur_varint(c);
    if (c->bad || n > cur_left(c)) {
        c->bad = true;
        *len = 0;
        return NULL;
    }
    *len = (size_t)n;
    return (const char *)cur_bytes(c, (size_t)n);
}

int log_parse(const u8 *p, size_t n, u64 seq, LogRecord *out, Cursor *events, DdError *err)
{
    memset(out, 0, sizeof *out);
    if (n < FMT_LOG_MIN_LEN) return dd_corrupt(err, "log record %llu: too short", (unsigned long long)seq);
    u32 crc = get_u32be(p + n - 4);
    if (crc32c(0, p, n - 4) != crc)
        return dd_corrupt(err, "log record %llu: checksum mismatch", (unsigned long long)seq);
    if (p[0] < FMT_LOG_FORMAT_V1 || p[0] > FMT_LOG_FORMAT)
        return dd_corrupt(err, "log record %llu: unknown format %u", (unsigned long long)seq, p[0]);
    out->seq = seq;
    out->format = p[0];
    out->time_us = (i64)get_u64be(p + FMT_LOG_OFF_TIME);
    memcpy(out->prev_hash, p + FMT_LOG_OFF_PREV, 32);
    memcpy(out->hash, p + FMT_LOG_OFF_HASH, 32);
    Cursor c;
    cur_init(&c, p + FMT_LOG_OFF_TAIL, n - 4 - FMT_LOG_OFF_TAIL);
    size_t ul, al, cl;
    out->user = get_str(&c, &ul);
    out->application = get_str(&c, &al);
    out->client_addr = get_str(&c, &cl);
    u64 nev = cur_varint(&c);
    if (c.bad || nev > UINT32_MAX)
        return dd_corrupt(err, "log record %llu: malformed header", (unsigned long long)seq);
    out->nevents = out->committed = (u32)nev;
    if (p[0] >= FMT_LOG_FORMAT) {
        u8 form = cur_u8(&c);
        if (form == FMT_LOG_SUMMARY) {
            /* E, then the row events per table: the events are gone */
            cur_bytes(&c, 32);
            u64 nt = cur_varint(&c), rows = 0;
            out->summary = c.p;
            for (u64 i = 0; i < nt && !c.bad; i++) {
                cur_u32be(&c);
                u64 r = cur_varint(&c);
                rows += r;
                if (r == 0 || rows > nev) c.bad = true;
            }
            if (c.bad || rows != nev || !cur_end(&c))
                return dd_corrupt(err, "log record %llu: malformed summary", (unsigned long long)seq);
            out->summary_tables = (u32)nt;
            out->nevents = 0;
        } else if (c.bad || form != FMT_LOG_LISTED) {
            return dd_corrupt(err, "log record %llu: malformed header", (unsigned long long)seq);
        }
    }
    if (out->nevents > cur_left(&c))
        return dd_corrupt(err, "log record %llu: malformed header", (unsigned long long)seq);
    if (events) *events = c;
    return 0;
}

int log_summary_next(const u8 **p, u32 *table, u32 *rows)
{
    /* the summary log_parse checked */
    Cursor c;
    cur_init(&c, *p, 4 + 10);
    *table = cur_u32be(&c);
    *rows = (u32)cur_varint(&c);
    if (c.bad) return -1;
    *p = c.p;
    return 0;
}

/* Reads one event from the events cursor of log_parse (a record of
 * format fmt). */
int log_next_event(Cursor *c, u8 fmt, LogEvent *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->table = cur_u32be(c);
    ev->op = cur_u8(c);
    if (c->bad) return -1;
    bool row = ev->op >= OP_INSERT && ev->op <= OP_DELETE;
    if (fmt >= FMT_LOG_FORMAT_V3 && (ev->op == FMT_EV_PURGE || ev->op == FMT_EV_ERASE)) {
        ev->a = cur_u64be(c);
        ev->b = cur_u64be(c);
        return c->bad ? -1 : 0;
    }
    if (fmt >= FMT_LOG_FORMAT_V3 && row) {
        ev->form = cur_u8(c);
        if (c->bad || (ev->form != FMT_EV_PLAIN && ev->form != FMT_EV_ERASED)) {
            c->bad = true;
            return -1;
        }
    }
    if (fmt < FMT_LOG_FORMAT_V3 || (row && ev->form == FMT_EV_PLAIN)) {
        u64 pkl = cur_varint(c);
        if (c->bad || pkl > cur_left(c)) {
            c->bad = true;
            return -1;
        }
        ev->pklen = (u32)pkl;
        ev->pk = cur_bytes(c, (size_t)pkl);
        if (fmt >= FMT_LOG_FORMAT_V3 && !(ev->salt = cur_bytes(c, FMT_EV_SALT))) return -1;
    }
    const u8 *h = cur_bytes(c, 32);
    if (!h) return -1;
    memcpy(ev->hash, h, 32);
    return 0;
}

int store_log_get(Snap *s, u64 seq, Arena *a, LogRecord *out, DdError *err)
{
    u8 key[8];
    put_u64be(key, seq);
    MDB_val k = {8, key}, v;
    int rc = mdb_get(s->txn, s->st->dbi[FMT_DB_LOG], &k, &v);
    if (rc == MDB_NOTFOUND) return 0;
    if (rc) return -store_mdb_err(err, rc, "reading the log");
    if ((rc = log_parse(v.mv_data, v.mv_size, seq, out, NULL, err))) return -rc;
    /* Copy the strings, NUL-terminated, into a. */
    Cursor c;
    cur_init(&c, (const u8 *)v.mv_data + FMT_LOG_OFF_TAIL, v.mv_size - 4 - FMT_LOG_OFF_TAIL);
    const char **dst[3] = {&out->user, &out->application, &out->client_addr};
    for (int i = 0; i < 3; i++) {
        size_t len;
        const char *p = get_str(&c, &len);
        char *d = arena_strndup(a, p ? p : "", p ? len : 0);
        if (!d) return -dd_err(err, DD_ENOMEM, -1, NULL);
        *dst[i] = d;
    }
    return 1;
}

int store_seq_time(Snap *s, u64 seq, i64 *unix_us, DdError *err)
{
    if (seq == 0 || seq > s->seq)
        return dd_err(err, DD_EINVALID_PARAM, -1, "commit sequence %llu does not exist (head is %llu)",
                      (unsigned long long)seq, (unsigned long long)s->seq);
    u8 key[8];
    put_u64be(key, seq);
    MDB_val k = {8, key}, v;
    int rc = mdb_get(s->txn, s->st->dbi[FMT_DB_LOG], &k, &v);
    if (rc == MDB_NOTFOUND) return dd_corrupt(err, "log record %llu missing", (unsigned long long)seq);
    if (rc) return store_mdb_err(err, rc, "reading the log");
    if (v.mv_size < FMT_LOG_MIN_LEN) return dd_corrupt(err, "log record %llu: too short", (unsigned long long)seq);
    *unix_us = (i64)get_u64be((const u8 *)v.mv_data + FMT_LOG_OFF_TIME);
    return 0;
}

u64 store_seq_at_time(Snap *s, i64 unix_us)
{
    MDB_cursor *cur;
    if (mdb_cursor_open(s->txn, s->st->dbi[FMT_DB_TIMES], &cur)) return 0;
    u8 key[8];
    MDB_val k = {8, key}, v;
    int rc;
    if (unix_us == INT64_MAX) {
        rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
    } else {
        put_u64be(key, fmt_time_key(unix_us + 1));
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);  /* first time > unix_us */
        rc = mdb_cursor_get(cur, &k, &v, rc == 0 ? MDB_PREV : MDB_LAST);
    }
    u64 seq = (rc == 0 && v.mv_size == 8) ? get_u64be(v.mv_data) : 0;
    mdb_cursor_close(cur);
    return seq > s->seq ? s->seq : seq;
}

u64 store_seq_at_time_ex(Snap *s, i64 unix_us, bool may_unpin, u64 *later)
{
    u64 seq = store_seq_at_time(s, unix_us);
    *later = 0;
    Store *st = s->st;
    if (unix_us <= s->stable_until || unix_us == INT64_MAX || st->read_only) return seq;
    if (unix_us > clock_wall_us()) return seq;   /* a point still to come: the present */
    /* A batch being written when s was taken may hold commits at or before
     * the point: wait for it (unpinned when nothing read points into the
     * map: the batch may need to grow it; else a growth waits for this
     * snapshot and fails after its timeout, which ends the batch), then
     * keep every later commit after the point. */
    bool pinned = s->pinned;
    if (may_unpin) snap_unpin(s);
    pthread_mutex_lock(&st->q_mu);
    while (st->inflight && st->inflight_first <= unix_us) pthread_cond_wait(&st->head_cv, &st->q_mu);
    if (!st->inflight && st->time_floor < unix_us) st->time_floor = unix_us;
    u64 head = st->head_seq;
    if (head > s->seq) {
        /* the newest commit at or before the point, from the recent ones */
        u64 lo = s->seq + 1, q = head;
        bool covered = head - lo < STORE_RECENT;
        for (; q >= lo && head - q < STORE_RECENT; q--)
            if (st->recent[q % STORE_RECENT] <= unix_us) break;
        if (q >= lo && head - q < STORE_RECENT) *later = q;
        else if (!covered) *later = UINT64_MAX;   /* too far back to say: assume so */
    }
    pthread_mutex_unlock(&st->q_mu);
    if (pinned && may_unpin) snap_pin(s);
    return seq;
}

int store_log_events(Snap *s, u64 seq, Arena *a, LogEvent **out, u32 *n, DdError *err)
{
    *out = NULL;
    *n = 0;
    u8 key[8];
    put_u64be(key, seq);
    MDB_val k = {8, key}, v;
    int rc = mdb_get(s->txn, s->st->dbi[FMT_DB_LOG], &k, &v);
    if (rc == MDB_NOTFOUND) return 0;
    if (rc) return store_mdb_err(err, rc, "reading the log");
    LogRecord lr;
    Cursor c;
    if ((rc = log_parse(v.mv_data, v.mv_size, seq, &lr, &c, err))) return rc;
    LogEvent *ev = arena_alloc(a, sizeof *ev * (lr.nevents ? lr.nevents : 1));
    if (!ev) return dd_err(err, DD_ENOMEM, -1, NULL);
    for (u32 i = 0; i < lr.nevents; i++) {
        if (log_next_event(&c, lr.format, &ev[i]))
            return dd_corrupt(err, "log record %llu: malformed event", (unsigned long long)seq);
        if ((ev[i].pklen && !(ev[i].pk = arena_memdup(a, ev[i].pk, ev[i].pklen))) ||
            (ev[i].salt && !(ev[i].salt = arena_memdup(a, ev[i].salt, FMT_EV_SALT))))
            return dd_err(err, DD_ENOMEM, -1, NULL);
    }
    if (!cur_end(&c)) return dd_corrupt(err, "log record %llu: trailing bytes", (unsigned long long)seq);
    *out = ev;
    *n = lr.nevents;
    return 0;
}

int log_summarize(const u8 *rec, size_t n, u64 seq, const u8 dbid[FMT_DBID_LEN], Buf *out)
{
    LogRecord lr;
    Cursor c;
    DdError e;
    if (log_parse(rec, n, seq, &lr, &c, &e) || lr.format < FMT_LOG_FORMAT || lr.summary) return DD_ECORRUPT;
    /* the events: row events only, and nothing after them */
    Cursor ec = c;
    for (u32 i = 0; i < lr.nevents; i++) {
        LogEvent ev;
        if (log_next_event(&ec, lr.format, &ev) || ev.op < OP_INSERT || ev.op > OP_DELETE) return DD_ECORRUPT;
    }
    if (!cur_end(&ec)) return DD_ECORRUPT;
    Cursor fc;   /* from the form byte */
    cur_init(&fc, c.p - 1, (size_t)(rec + n - 4 - (c.p - 1)));
    u8 e32[32];
    Buf t = BUF_INIT;
    int rc = events_digest(&fc, lr.format, lr.nevents, e32, &t);
    if (!rc) {
        buf_reset(out);
        buf_append(out, rec, (size_t)(c.p - 1 - rec));   /* header, strings, count */
        buf_putc(out, FMT_LOG_SUMMARY);
        buf_append(out, e32, 32);
        buf_append(out, t.data, t.len);
        if (!buf_ok(out)) rc = DD_ENOMEM;
    }
    buf_free(&t);
    if (rc) return rc;
    u8 hh[32];
    if ((rc = log_hash(out->data, out->len, seq, dbid, hh))) return rc;
    if (memcmp(hh, lr.hash, 32) != 0) return DD_ECORRUPT;
    buf_put_u32be(out, crc32c(0, out->data, out->len));
    return buf_ok(out) ? 0 : DD_ENOMEM;
}
