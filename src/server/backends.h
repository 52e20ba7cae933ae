/*
 * backends.h - the server's table of live sessions, keyed by the
 * BackendKeyData each was given (process id, secret): CancelRequest
 * cancels through it, and shutdown terminates every session through it.
 *
 * A connection thread registers its session after sending BackendKeyData
 * and unregisters it before closing the session; the table calls into a
 * session (driftdb_session_cancel / _terminate, both thread-safe) only
 * under its mutex, so never into a closed one.
 *
 * While a statement runs the connection marks its slot busy with its
 * socket: a watcher thread polls the busy sockets for a hang-up
 * (POLLRDHUP: the client closed or vanished) and cancels that session's
 * statement, so a client that disconnects mid-statement stops it.
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
    int busy_fd;             /* the socket while a statement runs, else -1 */
    u32 busy_gen;            /* counts the busy periods: a hang-up is of one */
} PgwBackend;

typedef struct PgwBackends {
    pthread_mutex_t mu;
    int n;
    PgwBackend *b;           /* [n] */
    atomic_bool terminating; /* the server is shutting down */
    int wake_fd;             /* an eventfd, readable once terminating: every
                                connection's blocking read polls it too */
    /* the hang-up watcher: started with the first busy slot, looks for
     * busy ones every HUP_POLL_MS while any session is registered (nsess),
     * sleeps on hup_cv while none is (backends_add wakes it, and
     * backends_free to stop) */
    pthread_t hup_thread;
    bool hup_started, hup_stop;
    int nbusy, nsess;
    pthread_cond_t hup_cv;
    clockid_t hup_clock;     /* hup_cv's: monotonic when it could be set */
} PgwBackends;

/* n slots (one per possible session).  Returns 0 or -1 (out of memory
 * or file descriptors). */
int backends_init(PgwBackends *t, int n);
void backends_free(PgwBackends *t);
/* Registers a session; returns its slot, or -1 when the table is full. */
/* The id a new connection gets after prev: the next positive 32-bit
 * process id (PostgreSQL's pids are int32: past INT32_MAX it starts over
 * at 1) that no live session has. */
u32 backends_next_id(PgwBackends *t, u32 prev);
int backends_add(PgwBackends *t, u32 id, u32 secret, driftdb_session *s);
void backends_remove(PgwBackends *t, int slot);
/* CancelRequest: cancels the running statement of the session with this
 * id when the secret matches too.  Returns true when one was found. */
bool backends_cancel(PgwBackends *t, u32 id, u32 secret);
/* Shutdown: marks the table terminating and terminates every session's
 * running and future statements (FATAL 57P01). */
void backends_terminate_all(PgwBackends *t);
/* A statement of slot's session starts (its client's socket fd) / ends. */
void backends_busy(PgwBackends *t, int slot, int fd);
void backends_idle(PgwBackends *t, int slot);

#endif
