/*
 * rowlock.c - row locks: UPDATE, DELETE, INSERT ... ON CONFLICT DO UPDATE
 * and SELECT ... FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE lock rows,
 * by table and primary key, until their transaction ends; a transaction
 * that wants a row in a mode that conflicts with another's waits
 * (docs/architecture.md §3).  The modes and their conflicts are
 * PostgreSQL's (ROWLOCK_* in sql/txn/ctx.h, weakest first):
 *
 *                     KEY SHARE  SHARE  NO KEY UPDATE  UPDATE
 *   KEY SHARE                                            x
 *   SHARE                                     x          x
 *   NO KEY UPDATE                  x          x          x
 *   UPDATE               x         x          x          x
 *
 * A transaction's own locks never conflict; one it holds in a mode at
 * least as strong as the one asked covers it, a stronger one is another
 * entry (so ROLLBACK TO a savepoint drops just the stronger one).
 *
 * Table locks (TLOCK_*, LOCK TABLE's eight modes and those statements
 * take: INSERT / UPDATE / DELETE / MERGE ROW EXCLUSIVE, SELECT ... FOR
 * UPDATE ROW SHARE, CREATE INDEX SHARE, ALTER / DROP / TRUNCATE ACCESS
 * EXCLUSIVE; a plain SELECT takes none: readers never wait) are entries of
 * the same table under key (TABLE_LOCKS, the table's id), with
 * PostgreSQL's conflicts (tlock_conflicts).  A mode covers another when it
 * conflicts with all the other does.
 *
 * One table per database (driftdb.lk_*): a hash of entries (table, pk,
 * mode) -> the session holding it; each session keeps the entries it holds on a
 * list of its own (a transaction's in its lk_arena), released when its
 * transaction commits (after the commit is durable and visible), rolls
 * back, or fails, RELEASE_CHUNK per hold of lk_mu, waiters woken after
 * each chunk.  A
 * waiter sleeps on lk_cv, which every release broadcasts, and wakes every
 * WAIT_SLICE_MS to see its cancel flag, lock_timeout and, once it has
 * waited deadlock_timeout, whether the sessions it waits for wait for it
 * in turn (40P01 for the one that finds the cycle, as PostgreSQL).
 * ROLLBACK TO a savepoint releases the locks taken after it; a failed
 * statement in a block releases them all unless a savepoint may still bring
 * the block back, as PostgreSQL's subtransactions do.
 */
#include "engine_int.h"
#include "../util/alloc.h"
#include "../util/clock.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

#define WAIT_SLICE_MS 20
#define DEFAULT_DEADLOCK_TIMEOUT_MS 1000

struct RowLock {
    u32 table;
    u32 pklen;
    u32 hash;           /* lock_hash */
    u8 mode;            /* ROWLOCK_*, TLOCK_* */
    bool session;       /* on the owner's session list (a session-level advisory lock) */
    bool own;           /* in the owner's lk_arena (a transaction's), not malloc'd */
    driftdb_session *owner;
    RowLock *chain;     /* next in the bucket */
    RowLock *next;      /* next of the owner's */
    u8 pk[];
};

/* 32 bits of a key's hash (what a RowLock keeps), in a u64 as callers
 * pass it around. */
static u64 lock_hash(u32 table, const u8 *pk, u32 pklen)
{
    u8 t[4] = {(u8)(table >> 24), (u8)(table >> 16), (u8)(table >> 8), (u8)table};
    u64 h = dd_fnv1a(dd_fnv1a(DD_FNV_INIT, t, 4), pk, pklen);
    return (u32)(h ^ (h >> 32));
}

int rowlock_init(driftdb *db)
{
    db->lk_nbuckets = 4096;
    db->lk_buckets = dd_calloc(db->lk_nbuckets, sizeof(RowLock *));
    if (!db->lk_buckets) return DD_ENOMEM;
    pthread_mutex_init(&db->lk_mu, NULL);
    pthread_cond_init(&db->lk_cv, NULL);
    return DD_OK;
}

void rowlock_free(driftdb *db)
{
    if (!db->lk_buckets) return;
    for (size_t i = 0; i < db->lk_nbuckets; i++)
        for (RowLock *l = db->lk_buckets[i], *n; l; l = n) {
            n = l->chain;
            if (!l->own) dd_free(l);   /* a session's own go with its arena */
        }
    dd_free(db->lk_buckets);
    db->lk_buckets = NULL;
    pthread_mutex_destroy(&db->lk_mu);
    pthread_cond_destroy(&db->lk_cv);
}

/* The table modes each TLOCK_* mode conflicts with (bit m - TLOCK_ACCESS_SHARE). */
#define TB(m) (1u << ((m) - TLOCK_ACCESS_SHARE))
static const u32 tlock_conflicts[8] = {
    TB(TLOCK_ACCESS_EXCLUSIVE),
    TB(TLOCK_EXCLUSIVE) | TB(TLOCK_ACCESS_EXCLUSIVE),
    TB(TLOCK_SHARE) | TB(TLOCK_SHARE_ROW_EXCLUSIVE) | TB(TLOCK_EXCLUSIVE) | TB(TLOCK_ACCESS_EXCLUSIVE),
    TB(TLOCK_SHARE_UPDATE_EXCLUSIVE) | TB(TLOCK_SHARE) | TB(TLOCK_SHARE_ROW_EXCLUSIVE) | TB(TLOCK_EXCLUSIVE) |
        TB(TLOCK_ACCESS_EXCLUSIVE),
    TB(TLOCK_ROW_EXCLUSIVE) | TB(TLOCK_SHARE_UPDATE_EXCLUSIVE) | TB(TLOCK_SHARE_ROW_EXCLUSIVE) | TB(TLOCK_EXCLUSIVE) |
        TB(TLOCK_ACCESS_EXCLUSIVE),
    TB(TLOCK_ROW_EXCLUSIVE) | TB(TLOCK_SHARE_UPDATE_EXCLUSIVE) | TB(TLOCK_SHARE) | TB(TLOCK_SHARE_ROW_EXCLUSIVE) |
        TB(TLOCK_EXCLUSIVE) | TB(TLOCK_ACCESS_EXCLUSIVE),
    TB(TLOCK_ROW_SHARE) | TB(TLOCK_ROW_EXCLUSIVE) | TB(TLOCK_SHARE_UPDATE_EXCLUSIVE) | TB(TLOCK_SHARE) |
        TB(TLOCK_SHARE_ROW_EXCLUSIVE) | TB(TLOCK_EXCLUSIVE) | TB(TLOCK_ACCESS_EXCLUSIVE),
    0xFFu,
};
#define TABLE_LOCKS 0xFFFFFFFEu   /* the key space of table locks (no catalog id reaches it) */

static bool is_table_mode(int m) { return m >= TLOCK_ACCESS_SHARE; }

static bool conflicts(int held, int want)
{
    if (is_table_mode(held) || is_table_mode(want))
        return is_table_mode(held) && is_table_mode(want) && (tlock_conflicts[want - TLOCK_ACCESS_SHARE] & TB(held));
    return held == ROWLOCK_UPDATE || want == ROWLOCK_UPDATE ||
           (held == ROWLOCK_NO_KEY_UPDATE && want != ROWLOCK_KEY_SHARE) ||
           (want == ROWLOCK_NO_KEY_UPDATE && held != ROWLOCK_KEY_SHARE);
}

/* Whether a lock held in mode held makes one in mode want needless. */
static bool covers(int held, int want)
{
    if (is_table_mode(held) != is_table_mode(want)) return false;
    if (!is_table_mode(held)) return held >= want;
    u32 h = tlock_conflicts[held - TLOCK_ACCESS_SHARE], w = tlock_conflicts[want - TLOCK_ACCESS_SHARE];
    return (w & ~h) == 0;
}

static bool same_row(const RowLock *l, u64 h, u32 table, const u8 *pk, u32 pklen)
{
    return l->hash == h && l->table == table && l->pklen == pklen && memcmp(l->pk, pk, pklen) == 0;
}

/* A lock of (table, pk) that another transaction than s holds in a mode
 * that conflicts with mode, or NULL (caller holds lk_mu). */
static RowLock *find_conflict(driftdb *db, driftdb_session *s, u64 h, u32 table, const u8 *pk, u32 pklen, int mode)
{
    for (RowLock *l = db->lk_buckets[h % db->lk_nbuckets]; l; l = l->chain)
        if (l->owner != s && same_row(l, h, table, pk, pklen) && conflicts(l->mode, mode)) return l;
    return NULL;
}

/* Whether s's transaction holds (table, pk) in mode or a stronger one (a
 * session-level lock does not count: it may be unlocked before the
 * transaction ends). */
static bool holds(driftdb *db, driftdb_session *s, u64 h, u32 table, const u8 *pk, u32 pklen, int mode)
{
    for (RowLock *l = db->lk_buckets[h % db->lk_nbuckets]; l; l = l->chain)
        if (l->owner == s && !l->session && covers(l->mode, mode) && same_row(l, h, table, pk, pklen)) return true;
    return false;
}

/* One walk of (table, pk)'s bucket for acquire: whether s's transaction
 * holds it in mode or a stronger one (as holds), and in *conflict a lock
 * of another transaction that conflicts with mode (as find_conflict), or
 * NULL (caller holds lk_mu). */
static bool scan_row(driftdb *db, driftdb_session *s, u64 h, u32 table, const u8 *pk, u32 pklen, int mode,
                     RowLock **conflict)
{
    bool held = false;
    *conflict = NULL;
    for (RowLock *l = db->lk_buckets[h % db->lk_nbuckets]; l; l = l->chain) {
        if (!same_row(l, h, table, pk, pklen)) continue;
        if (l->owner == s) held |= !l->session && l->mode >= mode;
        else if (!*conflict && conflicts(l->mode, mode)) *conflict = l;
    }
    return held;
}

i64 settings_ms(const char *value);   /* settings.c */

/* A time setting in milliseconds ("0", "150ms", "2s", "1min"). */
static i64 setting_ms(driftdb_session *s, const char *name, i64 dflt)
{
    const char *v = driftdb_session_setting(s, name);
    return v && *v ? settings_ms(v) : dflt;
}

/* Whether following who waits for whom from w comes back to s: a waiter
 * waits for every transaction that holds a conflicting lock of its row,
 * each found through the lock table, so every session met holds a lock
 * and is alive (caller holds lk_mu).  depth bounds the search. */
static bool waits_on_me(driftdb *db, driftdb_session *s, driftdb_session *w, int depth, char *detail, size_t dn,
                        size_t *off)
{
    /* each session once per check (db->lk_epoch): several holders of one
     * row would otherwise make the search exponential, under lk_mu */
    if (!w->lk_wait_pk || depth > 64 || w->lk_visit == db->lk_epoch) return false;
    w->lk_visit = db->lk_epoch;
    u64 h = w->lk_wait_hash;
    for (RowLock *l = db->lk_buckets[h % db->lk_nbuckets]; l; l = l->chain) {
        if (l->owner == w || !same_row(l, h, w->lk_wait_table, w->lk_wait_pk, w->lk_wait_pklen) ||
            !conflicts(l->mode, w->lk_wait_mode))
            continue;
        size_t mark = *off;
        if (*off < dn && is_table_mode(w->lk_wait_mode))
            *off += (size_t)snprintf(detail + *off, dn - *off, "%sProcess %d waits for %s lock on a table held by process %d.",
                                     *off ? "\n" : "", w->backend_pid, tlock_mode_name(w->lk_wait_mode),
                                     l->owner->backend_pid);
        else if (*off < dn)
            *off += (size_t)snprintf(detail + *off, dn - *off, "%sProcess %d waits for a row lock held by process %d.",
                                     *off ? "\n" : "", w->backend_pid, l->owner->backend_pid);
        if (*off > dn) *off = dn;
        if (l->owner == s || waits_on_me(db, s, l->owner, depth + 1, detail, dn, off)) return true;
        *off = mark;
        if (mark < dn) detail[mark] = '\0';
    }
    return false;
}

/* Takes l out of its bucket and frees it (caller holds lk_mu). */
static void unlink_free(driftdb *db, RowLock *l)
{
    RowLock **pp = &db->lk_buckets[l->hash % db->lk_nbuckets];
    while (*pp && *pp != l) pp = &(*pp)->chain;
    if (*pp) *pp = l->chain;
    db->lk_count--;
    if (!l->own) dd_free(l);   /* the owner's lk_arena is reset once it holds none */
}

/* Doubles the buckets once the entries are as many (a transaction that
 * locks a million rows keeps its chains short: each link walked is a
 * cache miss); without memory the table stays as it is (caller holds
 * lk_mu). */
static void maybe_grow(driftdb *db)
{
    if (db->lk_count < db->lk_nbuckets) return;
    size_t n = db->lk_nbuckets * 2;
    RowLock **nb = dd_calloc(n, sizeof(RowLock *));
    if (!nb) return;
    for (size_t i = 0; i < db->lk_nbuckets; i++)
        for (RowLock *l = db->lk_buckets[i], *next; l; l = next) {
            next = l->chain;
            l->chain = nb[l->hash % n];
            nb[l->hash % n] = l;
        }
    dd_free(db->lk_buckets);
    db->lk_buckets = nb;
    db->lk_nbuckets = n;
}

/* Enters a lock of (table, pk) in mode held by s, on the transaction's
 * list or (session) the session's (caller holds lk_mu). */
static int add_lock_to(driftdb_session *s, u64 h, u32 table, const u8 *pk, u32 pklen, int mode, bool session,
                       DdError *e)
{
    driftdb *db = s->db;
    /* a transaction's locks all go at its end (rowlock_release_to): from
     * an arena of the session's, no malloc and free for each of a COPY's
     * million (a session-level advisory lock outlives the transaction) */
    size_t size = sizeof(RowLock) + (pklen ? pklen : 1);
    RowLock *l = session ? dd_malloc(size) : arena_alloc(&s->lk_arena, size);
    if (!l) return dd_err(e, DD_ENOMEM, -1, NULL);
    l->table = table;
    l->pklen = pklen;
    l->hash = (u32)h;
    l->mode = (u8)mode;
    l->session = session;
    l->own = !session;
    l->owner = s;
    memcpy(l->pk, pk, pklen);
    maybe_grow(db);
    db->lk_count++;
    size_t b = h % db->lk_nbuckets;
    l->chain = db->lk_buckets[b];
    db->lk_buckets[b] = l;
    RowLock **list = session ? &s->lk_session : &s->lk_held;
    l->next = *list;
    *list = l;
    return DD_OK;
}

static int add_lock(driftdb_session *s, u64 h, u32 table, const u8 *pk, u32 pklen, int mode, DdError *e)
{
    return add_lock_to(s, h, table, pk, pklen, mode, false, e);
}

/* A wait for a lock ended (granted or not), begun at start: for /metrics. */
static void note_wait(driftdb *db, i64 start)
{
    __atomic_add_fetch(&db->lk_waits, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&db->lk_wait_us, (u64)(clock_mono_us() - start), __ATOMIC_RELAXED);
}

static int acquire(driftdb_session *s, u32 table, const u8 *pk, u32 pklen, int mode, bool session, bool *waited,
                   DdError *e)
{
    driftdb *db = s->db;
    *waited = false;
    u64 h = lock_hash(table, pk, pklen);
    i64 lock_timeout = -1, deadlock_ms = -1, start = 0;
    bool deadlock_checked = false, slept = false;   /* slept: a wait /metrics counts */
    pthread_mutex_lock(&db->lk_mu);
    RowLock *l;
    if (scan_row(db, s, h, table, pk, pklen, mode, &l) && !session) {
        pthread_mutex_unlock(&db->lk_mu);
        return DD_OK;
    }
    for (bool first = true;; first = false) {
        if (!first) l = find_conflict(db, s, h, table, pk, pklen, mode);
        if (!l) break;
        /* held by another transaction: wait for it to end */
        if (!*waited) {
            *waited = true;
            start = clock_mono_us();
            pthread_mutex_unlock(&db->lk_mu);   /* the settings are the session's own */
            lock_timeout = setting_ms(s, "lock_timeout", 0);
            deadlock_ms = setting_ms(s, "deadlock_timeout", DEFAULT_DEADLOCK_TIMEOUT_MS);
            pthread_mutex_lock(&db->lk_mu);
            continue;   /* it may be gone already */
        }
        s->lk_wait_table = table;
        s->lk_wait_pk = pk;
        s->lk_wait_pklen = pklen;
        s->lk_wait_hash = h;
        s->lk_wait_mode = mode;
        i64 waited_ms = (clock_mono_us() - start) / 1000;
        int code = DD_OK;
        char detail[DD_ERR_AUX_MAX] = "";
        if (s->cancel) code = DD_ECANCELED;
        else if (lock_timeout > 0 && waited_ms >= lock_timeout) code = DD_ELOCK_NOT_AVAILABLE;
        else if (!deadlock_checked && waited_ms >= deadlock_ms) {
            deadlock_checked = true;   /* once: a cycle only forms when its last waiter waits */
            size_t off = 0;
            db->lk_epoch++;
            if (waits_on_me(db, s, s, 0, detail, sizeof detail, &off)) code = DD_EDEADLOCK;
        }
        if (code) {
            s->lk_wait_pk = NULL;
            pthread_mutex_unlock(&db->lk_mu);
            if (slept) note_wait(db, start);
            if (code == DD_ECANCELED && s->cancel == CANCEL_TIMEOUT)
                return dd_err(e, code, -1, "canceling statement due to statement timeout");
            if (code == DD_ECANCELED) return dd_err(e, code, -1, "canceling statement due to user request");
            if (code == DD_ELOCK_NOT_AVAILABLE) return dd_err(e, code, -1, "canceling statement due to lock timeout");
            dd_err(e, code, -1, "deadlock detected");
            if (detail[0]) dd_err_detail(e, "%s", detail);
            dd_err_hint(e, "See server log for query details.");
            return code;
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += WAIT_SLICE_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&db->lk_cv, &db->lk_mu, &until);
        slept = true;
    }
    s->lk_wait_pk = NULL;
    int rc = add_lock_to(s, h, table, pk, pklen, mode, session, e);
    pthread_mutex_unlock(&db->lk_mu);
    if (slept) note_wait(db, start);
    return rc;
}

int rowlock_acquire(driftdb_session *s, u32 table, const u8 *pk, u32 pklen, int mode, bool *waited, DdError *e)
{
    return acquire(s, table, pk, pklen, mode, false, waited, e);
}

int rowlock_try(driftdb_session *s, u32 table, const u8 *pk, u32 pklen, int mode, bool *held, DdError *e)
{
    driftdb *db = s->db;
    u64 h = lock_hash(table, pk, pklen);
    pthread_mutex_lock(&db->lk_mu);
    int rc = DD_OK;
    *held = false;
    if (!holds(db, s, h, table, pk, pklen, mode)) {
        *held = find_conflict(db, s, h, table, pk, pklen, mode) != NULL;
        if (!*held) rc = add_lock(s, h, table, pk, pklen, mode, e);
    }
    pthread_mutex_unlock(&db->lk_mu);
    return rc;
}

int rowlock_try_many(driftdb_session *s, u32 table, const u8 *const *pks, const u32 *lens, int n, int mode, int *done,
                     DdError *e)
{
    enum { CHUNK = 256, AHEAD = 8 };
    driftdb *db = s->db;
    u64 hs[CHUNK];
    int rc = DD_OK;
    *done = 0;
    for (int base = 0; base < n && !rc; base += CHUNK) {
        int m = n - base < CHUNK ? n - base : CHUNK;
        for (int i = 0; i < m; i++) hs[i] = lock_hash(table, pks[base + i], lens[base + i]);
        pthread_mutex_lock(&db->lk_mu);
        /* each bucket is a cache miss: read AHEAD keys before its walk */
        for (int i = 0; i < m && i < AHEAD; i++) __builtin_prefetch(&db->lk_buckets[hs[i] % db->lk_nbuckets]);
        for (int i = 0; i < m; i++) {
            if (i + AHEAD < m) __builtin_prefetch(&db->lk_buckets[hs[i + AHEAD] % db->lk_nbuckets]);
            RowLock *l;
            const u8 *pk = pks[base + i];
            u32 pklen = lens[base + i];
            if (!scan_row(db, s, hs[i], table, pk, pklen, mode, &l)) {
                if (l) break;   /* held by another: the caller waits for it */
                if ((rc = add_lock(s, hs[i], table, pk, pklen, mode, e))) break;
            }
            (*done)++;
        }
        pthread_mutex_unlock(&db->lk_mu);
        if (*done < base + m) break;
    }
    return rc;
}

void rowlock_release_all(driftdb_session *s) { rowlock_release_to(s, NULL, NULL); }

/* Locks let go of per hold of lk_mu: a transaction that locked millions
 * of rows does not stop every other session's locking while it ends. */
#define RELEASE_CHUNK 4096

void rowlock_release_to(driftdb_session *s, RowLock *mark, const ArenaMark *amark)
{
    if (s->lk_held == mark) return;
    driftdb *db = s->db;
    RowLock *l = s->lk_held, *n;
    while (l && l != mark) {
        pthread_mutex_lock(&db->lk_mu);
        for (int k = 0; l && l != mark && k < RELEASE_CHUNK; l = n, k++) {
            n = l->next;
            if (n && n != mark) __builtin_prefetch(&db->lk_buckets[n->hash % db->lk_nbuckets]);
            unlink_free(db, l);
        }
        s->lk_held = l;
        pthread_cond_broadcast(&db->lk_cv);
        pthread_mutex_unlock(&db->lk_mu);
    }
    /* their memory: the locks after the mark are the arena's allocations
     * after amark, both in the order they were taken */
    if (!s->lk_held) arena_reset(&s->lk_arena);
    else if (amark) arena_rewind(&s->lk_arena, *amark);
}

/* ------------------------------------------------------------ table locks */

/* The key of table id's lock. */
static void table_key(u32 id, u8 k[4])
{
    k[0] = (u8)(id >> 24);
    k[1] = (u8)(id >> 16);
    k[2] = (u8)(id >> 8);
    k[3] = (u8)id;
}

int rowlock_table_try(driftdb_session *s, u32 id, int mode, bool *held, DdError *e)
{
    u8 k[4];
    table_key(id, k);
    return rowlock_try(s, TABLE_LOCKS, k, 4, mode, held, e);
}

int rowlock_table_acquire(driftdb_session *s, u32 id, int mode, DdError *e)
{
    u8 k[4];
    bool waited;
    table_key(id, k);
    return acquire(s, TABLE_LOCKS, k, 4, mode, false, &waited, e);
}

int rowlock_table_pending(driftdb_session *s, u32 id, int mode)
{
    dd_free(s->lk_pend_pk);
    if (!(s->lk_pend_pk = dd_malloc(4))) return DD_ENOMEM;
    table_key(id, s->lk_pend_pk);
    s->lk_pend_pklen = 4;
    s->lk_pend_table = TABLE_LOCKS;
    s->lk_pend_mode = mode;
    return DD_OK;
}

/* ------------------------------------------------------------ advisory locks */

/*
 * pg_advisory_lock and its kin: entries of the same lock table, under
 * table ADVISORY_TABLE (no catalog id reaches it) and a 9-byte key (its
 * form, 1 for one bigint and 2 for two integers, then the 8 bytes), in
 * mode ROWLOCK_UPDATE (exclusive) or ROWLOCK_KEY_SHARE (shared: the two
 * conflict as PostgreSQL's ExclusiveLock and ShareLock do).  A
 * transaction-level lock is on the transaction's list (released as its
 * row locks are); a session-level lock on the session's own list, once per
 * call (PostgreSQL's locks count: each pg_advisory_lock needs its
 * pg_advisory_unlock), until unlocked or the session ends.  Waits, cancel,
 * lock_timeout and deadlock detection are the row locks'.
 */
#define ADVISORY_TABLE 0xFFFFFFFFu

int rowlock_advisory(driftdb_session *s, int op, const u8 key[9], bool shared, bool session, bool *ok, DdError *e)
{
    driftdb *db = s->db;
    int mode = shared ? ROWLOCK_KEY_SHARE : ROWLOCK_UPDATE;
    *ok = true;
    if (op == ADVISORY_LOCK) {
        bool waited;
        return acquire(s, ADVISORY_TABLE, key, 9, mode, session, &waited, e);
    }
    u64 h = lock_hash(ADVISORY_TABLE, key, 9);
    int rc = DD_OK;
    pthread_mutex_lock(&db->lk_mu);
    if (op == ADVISORY_TRY) {
        if (!session && holds(db, s, h, ADVISORY_TABLE, key, 9, mode)) *ok = true;
        else if (find_conflict(db, s, h, ADVISORY_TABLE, key, 9, mode)) *ok = false;
        else rc = add_lock_to(s, h, ADVISORY_TABLE, key, 9, mode, session, e);
    } else {
        /* ADVISORY_UNLOCK: one session-level entry of key in mode;
         * ADVISORY_UNLOCK_ALL: every session-level entry */
        *ok = false;
        for (RowLock **pp = &s->lk_session; *pp;) {
            RowLock *l = *pp;
            if (op == ADVISORY_UNLOCK && (l->mode != mode || !same_row(l, h, ADVISORY_TABLE, key, 9))) {
                pp = &l->next;
                continue;
            }
            *pp = l->next;
            unlink_free(db, l);
            *ok = true;
            if (op == ADVISORY_UNLOCK) break;
        }
        if (*ok) pthread_cond_broadcast(&db->lk_cv);
    }
    pthread_mutex_unlock(&db->lk_mu);
    return rc;
}

void rowlock_release_session(driftdb_session *s)
{
    bool ok;
    DdError e;
    if (s->lk_session) rowlock_advisory(s, ADVISORY_UNLOCK_ALL, (const u8 *)"\0\0\0\0\0\0\0\0", false, true, &ok, &e);
}
