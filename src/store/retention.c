/*
 * retention.c - history_retention (ALTER TABLE t SET (history_retention =
 * '90 days')): a thread of the writable store runs DELETE HISTORY FROM t
 * BEFORE SYSTEM_TIME now() - retention for every table that has one (a
 * dropped table too, with the retention it had when dropped), as a
 * commit of the bootstrap superuser with application "driftdb retention".
 *
 * It wakes every STORE_RETENTION_MS (DRIFTDB_RETENTION_INTERVAL_MS sets
 * it; tests use short ones).  A table is walked only when something can be
 * due: its cut reached the earliest end among the versions its last walk
 * kept (ret_next_due), or rows were written since that walk (at its head
 * ret_checked) and the cut passed that head; the walk is read-only, and
 * a commit is made only when it found versions due by a cut a tenth of the
 * retention earlier (an hour at most: STORE_RETENTION_SLACK_US), so that a
 * table written all the time gets a commit every so often, not every round
 * (each one fails idle snapshots older than it with 40001).
 */
#include "store_int.h"
#include "../util/alloc.h"
#include "../util/clock.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STORE_RETENTION_MS 60000
/* the most a cut may lag behind the retention (see above) */
#define STORE_RETENTION_SLACK_US ((i64)3600 * 1000000)

/* One round over the tables with a retention. */
static void retention_round(Store *st)
{
    u32 *ids = NULL;
    i64 *keep = NULL;
    u64 *dropped = NULL;   /* seq of the table's DROP, 0: not dropped */
    int n = 0, cap = 0;
    pthread_mutex_lock(&st->cat_mu);
    for (int i = 0; i < st->ncat; i++) {
        const CatTable *ct = &st->cat[i];
        const TableInfo *t = ct->n ? ct->v[ct->n - 1] : NULL;
        /* a dropped table keeps the retention it had: its rows ended at
         * the DROP, and go once that is older than the retention */
        u64 drop = t && t->dropped ? t->seq : 0;
        if (drop) t = ct->n > 1 ? ct->v[ct->n - 2] : NULL;
        if (!t || t->dropped || t->temp || t->retention_us <= 0) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            u32 *ni = dd_realloc(ids, sizeof *ni * (size_t)cap);
            i64 *nk = ni ? dd_realloc(keep, sizeof *nk * (size_t)cap) : NULL;
            u64 *nd = nk ? dd_realloc(dropped, sizeof *nd * (size_t)cap) : NULL;
            if (ni) ids = ni;
            if (nk) keep = nk;
            if (!nd) break;
            dropped = nd;
        }
        ids[n] = t->id;
        dropped[n] = drop;
        keep[n++] = t->retention_us;
    }
    pthread_mutex_unlock(&st->cat_mu);
    for (int i = 0; i < n && !__atomic_load_n(&st->ret_stop, __ATOMIC_ACQUIRE); i++) {
        Snap *s;
        DdError e;
        if (store_snap_begin(st, &s, &e)) break;
        u64 head = s->seq;
        i64 now = clock_wall_us(), slack = keep[i] / 10 < STORE_RETENTION_SLACK_US ? keep[i] / 10
                                                                                : STORE_RETENTION_SLACK_US;
        u64 cut = store_seq_at_time(s, now - keep[i]), lag = store_seq_at_time(s, now - keep[i] - slack);
        pthread_mutex_lock(&st->cat_mu);
        CatTable *ct = cat_find(st, ids[i]);
        /* a DROP since the last walk ended the live rows: due once the
         * cut passes it (the walk's next_due did not know of it) */
        bool due = ct && (lag >= ct->ret_next_due || (ct->last_write > ct->ret_checked && lag > ct->ret_checked) ||
                          (dropped[i] > ct->ret_checked && lag >= dropped[i]));
        pthread_mutex_unlock(&st->cat_mu);
        u64 gone = 0, next = UINT64_MAX;
        int rc = due && lag ? purge_due(s, ids[i], lag, &gone, &next) : 0;
        store_snap_end(s);
        if (!due || !lag || rc) continue;
        if (gone) {
            WriteSet who;
            memset(&who, 0, sizeof who);
            who.user = store_owner(st);
            who.application = "driftdb retention";
            u64 seq, removed;
            if (purge_commit(st, ids[i], cut, head, &who, &seq, &removed, &e)) continue;
        }
        pthread_mutex_lock(&st->cat_mu);
        if ((ct = cat_find(st, ids[i]))) {
            ct->ret_next_due = next;
            ct->ret_checked = head;
        }
        pthread_mutex_unlock(&st->cat_mu);
    }
    dd_free(ids);
    dd_free(keep);
    dd_free(dropped);
}

static void *retention_main(void *arg)
{
    Store *st = arg;
    long ms = st->ret_ms;
    pthread_mutex_lock(&st->ret_mu);
    while (!st->ret_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += ms / 1000;
        ts.tv_nsec += (ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        while (!st->ret_stop && pthread_cond_timedwait(&st->ret_cv, &st->ret_mu, &ts) != ETIMEDOUT) {}
        if (st->ret_stop) break;
        pthread_mutex_unlock(&st->ret_mu);
        retention_round(st);
        pthread_mutex_lock(&st->ret_mu);
    }
    pthread_mutex_unlock(&st->ret_mu);
    return NULL;
}

int store_retention_start(Store *st)
{
    const char *env = getenv("DRIFTDB_RETENTION_INTERVAL_MS");
    st->ret_ms = env && atol(env) > 0 ? atol(env) : STORE_RETENTION_MS;
    pthread_mutex_init(&st->ret_mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&st->ret_cv, &ca);
    pthread_condattr_destroy(&ca);
    st->ret_stop = false;
    if (pthread_create(&st->ret_thread, NULL, retention_main, st) != 0) {
        pthread_cond_destroy(&st->ret_cv);
        pthread_mutex_destroy(&st->ret_mu);
        return -1;
    }
    st->ret_started = true;
    return 0;
}

void store_retention_stop(Store *st)
{
    if (!st->ret_started) return;
    pthread_mutex_lock(&st->ret_mu);
    __atomic_store_n(&st->ret_stop, true, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&st->ret_cv);
    pthread_mutex_unlock(&st->ret_mu);
    pthread_join(st->ret_thread, NULL);
    pthread_cond_destroy(&st->ret_cv);
    pthread_mutex_destroy(&st->ret_mu);
    st->ret_started = false;
}
