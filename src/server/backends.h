/*
 * backends.h - the server's table of live sessions, keyed by the
 * BackendKeyData each was given (process id, secret): CancelRequest
 * cancels through it, and shutdown terminates every session through it.
 *
 * A connection thread registers its session after sending BackendKeyData
 * and unregisters it before closing the session; the table calls into a
 * session (driftdb_session_cancel / _terminate, both thread-safe) only
 * under its mutex, so never into a closed one.
 */
#ifndef DD_BACKENDS_H
#define DD_BACKENDS_H

#include "driftdb.h"
#include "../util/base.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct PgwBackend {
    u32 id;                  /* 0: free slot */
    u32 secret;
    driftdb_session *sess;
} PgwBackend;

typedef struct PgwBackends {
    pthread_mutex_t mu;
    int n;
    PgwBackend *b;           /* [n] */
    atomic_bool terminating; /* the server is shutting down */
    int wake_fd;             /* an eventfd, readable once terminating: every
                                connection's blocking read polls it too */
} PgwBackends;

/* n slots (one per possible session).  Returns 0 or -1 (out of memory
 * or file descriptors). */
int backends_init(PgwBackends *t, int n);
void backends_free(PgwBackends *t);
/* Registers a session; returns its slot, or -1 when the table is full. */
int backends_add(PgwBackends *t, u32 id, u32 secret, driftdb_session *s);
void backends_remove(PgwBackends *t, int slot);
/* CancelRequest: cancels the running statement of the session with this
 * id when the secret matches too.  Returns true when one was found. */
bool backends_cancel(PgwBackends *t, u32 id, u32 secret);
/* Shutdown: marks the table terminating and terminates every session's
 * running and future statements (FATAL 57P01). */
void backends_terminate_all(PgwBackends *t);

#endif
