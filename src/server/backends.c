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

#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

int backends_init(PgwBackends *t, int n)
{
    pthread_mutex_init(&t->mu, NULL);
    atomic_init(&t->terminating, false);
    t->n = n;
    t->b = dd_calloc((size_t)n, sizeof *t->b);
    t->wake_fd = eventfd(0, EFD_CLOEXEC);
    return t->b && t->wake_fd >= 0 ? 0 : -1;
}

void backends_free(PgwBackends *t)
{
    dd_free(t->b);
    t->b = NULL;
    if (t->wake_fd >= 0) close(t->wake_fd);
    t->wake_fd = -1;
    pthread_mutex_destroy(&t->mu);
}

int backends_add(PgwBackends *t, u32 id, u32 secret, driftdb_session *s)
{
    int slot = -1;
    pthread_mutex_lock(&t->mu);
    for (int i = 0; i < t->n; i++) {
        if (t->b[i].id == 0) {
            t->b[i] = (PgwBackend){id, secret, s};
            slot = i;
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
    t->b[slot] = (PgwBackend){0, 0, NULL};
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
