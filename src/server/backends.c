/*
 * backends.c - the table of live sessions by BackendKeyData (backends.h):
 * registration, CancelRequest matching, termination at shutdown.
 *
 * The table has one slot per session the server admits; lookups are
 * linear (a cancel is rare), and the secret is compared without an early
 * exit so its timing says nothing about how much of it matched.
 */
#include "backends.h"
#include "../util/alloc.h"

#include <poll.h>
#include <stdint.h>
#include <time.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define HUP_POLL_MS 100   /* how soon a vanished client's statement stops: in
                             at most twice this */

int backends_init(PgwBackends *t, int n)
{
    pthread_mutex_init(&t->mu, NULL);
    /* the watcher's looks are timed on the monotonic clock: a change of
     * the wall clock must not put them off */
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    t->hup_clock = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 ? CLOCK_MONOTONIC : CLOCK_REALTIME;
    pthread_cond_init(&t->hup_cv, &ca);
    pthread_condattr_destroy(&ca);
    atomic_init(&t->terminating, false);
    t->hup_started = t->hup_stop = false;
    t->nbusy = t->nsess = 0;
    t->n = n;
    t->b = dd_calloc((size_t)n, sizeof *t->b);
    for (int i = 0; t->b && i < n; i++) t->b[i].busy_fd = -1;
    t->wake_fd = eventfd(0, EFD_CLOEXEC);
    return t->b && t->wake_fd >= 0 ? 0 : -1;
}

void backends_free(PgwBackends *t)
{
    if (t->hup_started) {
        pthread_mutex_lock(&t->mu);
        t->hup_stop = true;
        pthread_cond_broadcast(&t->hup_cv);
        pthread_mutex_unlock(&t->mu);
        pthread_join(t->hup_thread, NULL);
    }
    pthread_cond_destroy(&t->hup_cv);
    dd_free(t->b);
    t->b = NULL;
    if (t->wake_fd >= 0) close(t->wake_fd);
    t->wake_fd = -1;
    pthread_mutex_destroy(&t->mu);
}

u32 backends_next_id(PgwBackends *t, u32 prev)
{
    u32 id = prev;
    pthread_mutex_lock(&t->mu);
    /* at most n ids are live: n + 1 tries find a free one */
    for (int tries = 0; tries <= t->n; tries++) {
        id = id >= INT32_MAX ? 1 : id + 1;
        bool live = false;
        for (int i = 0; i < t->n && !live; i++) live = t->b[i].id == id;
        if (!live) break;
    }
    pthread_mutex_unlock(&t->mu);
    return id;
}

int backends_add(PgwBackends *t, u32 id, u32 secret, driftdb_session *s)
{
    int slot = -1;
    pthread_mutex_lock(&t->mu);
    for (int i = 0; i < t->n; i++) {
        if (t->b[i].id == 0) {
            t->b[i] = (PgwBackend){id, secret, s, -1, t->b[i].busy_gen};
            slot = i;
            if (t->nsess++ == 0) pthread_cond_signal(&t->hup_cv);   /* the watcher looks again */
            break;
        }
    }
    /* a session that starts during shutdown ends at its first statement */
    if (slot >= 0 && atomic_load(&t->terminating)) driftdb_session_terminate(s);
    pthread_mutex_unlock(&t->mu);
    return slot;
}

void backends_remove(PgwBackends *t, int slot)
{
    if (slot < 0 || slot >= t->n) return;
    pthread_mutex_lock(&t->mu);
    if (t->b[slot].busy_fd >= 0) t->nbusy--;
    if (t->b[slot].id != 0) t->nsess--;
    t->b[slot] = (PgwBackend){0, 0, NULL, -1, t->b[slot].busy_gen + 1};
    pthread_mutex_unlock(&t->mu);
}

bool backends_cancel(PgwBackends *t, u32 id, u32 secret)
{
    bool found = false;
    if (id == 0) return false;
    pthread_mutex_lock(&t->mu);
    for (int i = 0; i < t->n; i++) {
        if (t->b[i].id != id) continue;
        if ((t->b[i].secret ^ secret) == 0) {
            driftdb_session_cancel(t->b[i].sess);
            found = true;
        }
        break;
    }
    pthread_mutex_unlock(&t->mu);
    return found;
}

void backends_terminate_all(PgwBackends *t)
{
    pthread_mutex_lock(&t->mu);
    atomic_store(&t->terminating, true);
    for (int i = 0; i < t->n; i++)
        if (t->b[i].id != 0) driftdb_session_terminate(t->b[i].sess);
    pthread_mutex_unlock(&t->mu);
    uint64_t one = 1;
    if (write(t->wake_fd, &one, sizeof one) != (ssize_t)sizeof one) {
        /* cannot fail for an eventfd far from its maximum */
    }
}

/* The watcher: polls the busy sockets for POLLRDHUP (no POLLIN: a client
 * may send its next messages while a statement runs) and cancels the
 * statement of a session whose client is gone.  The sockets are polled
 * outside the mutex; a hang-up counts only for the busy period it was
 * polled in (busy_gen), so a socket number reused meanwhile is no one's.
 * While none is busy it looks again every HUP_POLL_MS (while any session
 * is registered; without one it sleeps till one is) instead of being
 * woken: a statement's start wakes no thread (a point SELECT, over in
 * tens of microseconds, cost the watcher two context switches and the
 * session a futex call when it did). */
static void *hup_main(void *arg)
{
    PgwBackends *t = arg;
    struct pollfd *pf = dd_calloc((size_t)t->n + 1, sizeof *pf);
    int *slot = dd_calloc((size_t)t->n + 1, sizeof *slot);
    u32 *gen = dd_calloc((size_t)t->n + 1, sizeof *gen);
    pthread_mutex_lock(&t->mu);
    while (!t->hup_stop && pf && slot && gen) {
        if (t->nbusy == 0 && t->nsess == 0) {
            pthread_cond_wait(&t->hup_cv, &t->mu);   /* no session: nothing can get busy */
            continue;
        }
        if (t->nbusy == 0) {
            struct timespec until;
            clock_gettime(t->hup_clock, &until);
            until.tv_nsec += (long)HUP_POLL_MS * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            (void)pthread_cond_timedwait(&t->hup_cv, &t->mu, &until);   /* 0 or ETIMEDOUT */
            continue;
        }
        int n = 0;
        for (int i = 0; i < t->n; i++)
            if (t->b[i].id != 0 && t->b[i].busy_fd >= 0) {
                pf[n] = (struct pollfd){.fd = t->b[i].busy_fd, .events = POLLRDHUP};
                slot[n] = i;
                gen[n++] = t->b[i].busy_gen;
            }
        pthread_mutex_unlock(&t->mu);
        int k = poll(pf, (nfds_t)n, HUP_POLL_MS);
        pthread_mutex_lock(&t->mu);
        for (int j = 0; k > 0 && j < n; j++) {
            PgwBackend *b = &t->b[slot[j]];
            if (!(pf[j].revents & (POLLRDHUP | POLLHUP | POLLERR)) || b->busy_gen != gen[j] || b->busy_fd < 0) continue;
            driftdb_session_cancel(b->sess);
            b->busy_fd = -1;   /* once: the statement ends, its connection closes */
            t->nbusy--;
        }
    }
    pthread_mutex_unlock(&t->mu);
    dd_free(pf);
    dd_free(slot);
    dd_free(gen);
    return NULL;
}

void backends_busy(PgwBackends *t, int slot, int fd)
{
    if (slot < 0 || slot >= t->n) return;
    pthread_mutex_lock(&t->mu);
    if (!t->hup_started && !t->hup_stop)
        t->hup_started = pthread_create(&t->hup_thread, NULL, hup_main, t) == 0;
    if (t->b[slot].busy_fd < 0) t->nbusy++;
    t->b[slot].busy_fd = fd;
    t->b[slot].busy_gen++;
    pthread_mutex_unlock(&t->mu);   /* the watcher sees it at its next look */
}

void backends_idle(PgwBackends *t, int slot)
{
    if (slot < 0 || slot >= t->n) return;
    pthread_mutex_lock(&t->mu);
    if (t->b[slot].busy_fd >= 0) t->nbusy--;
    t->b[slot].busy_fd = -1;
    t->b[slot].busy_gen++;
    pthread_mutex_unlock(&t->mu);
}
