/*
 * watchdog.c - statement_timeout: one thread per open database cancels the
 * statements that run past their deadline.
 *
 * A session whose statement_timeout is set arms the watchdog when a
 * statement starts (wd_arm) and disarms it when the statement ends
 * (wd_disarm).  The thread sleeps until the earliest deadline, then sets
 * the session's cancel flag to CANCEL_TIMEOUT: the statement fails with
 * 57014 "canceling statement due to statement timeout" at its next
 * operator-loop check, exactly as a user's cancel does.
 *
 * Invariants:
 *   - Armed sessions form a list under wd->mu; the thread touches a session
 *     only under wd->mu and only while it is in the list, and a session
 *     leaves the list (wd_disarm, also called by driftdb_session_close)
 *     before it is freed, so the thread never sees a freed session.
 *   - s->wd_armed is read and written by the session's own thread only, so
 *     a statement without a timeout costs no lock.
 *   - The thread starts with the first armed statement and is joined by
 *     wd_stop (driftdb_close, after every session is closed).
 *
 * States of a session: DISARMED --wd_arm--> ARMED --deadline passes: the
 * thread sets the cancel flag and unlinks it--> FIRED --wd_disarm-->
 * DISARMED; ARMED --wd_disarm--> DISARMED.
 */
#include "engine_int.h"
#include "../util/alloc.h"
#include "../util/clock.h"
#include <errno.h>
#include <time.h>

struct Watchdog {
    pthread_mutex_t mu;
    pthread_cond_t cv;          /* CLOCK_MONOTONIC */
    pthread_t thread;
    bool started;
    bool stop;
    driftdb_session *head;      /* armed sessions (wd_next / wd_prev) */
};

Watchdog *wd_new(void)
{
    Watchdog *wd = dd_calloc(1, sizeof *wd);
    if (!wd) return NULL;
    pthread_mutex_init(&wd->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&wd->cv, &ca);
    pthread_condattr_destroy(&ca);
    return wd;
}

static void unlink_session(Watchdog *wd, driftdb_session *s)
{
    if (s->wd_prev) s->wd_prev->wd_next = s->wd_next;
    else wd->head = s->wd_next;
    if (s->wd_next) s->wd_next->wd_prev = s->wd_prev;
    s->wd_next = s->wd_prev = NULL;
    s->wd_linked = false;
}

static void *wd_main(void *arg)
{
    Watchdog *wd = arg;
    pthread_mutex_lock(&wd->mu);
    while (!wd->stop) {
        i64 now = clock_mono_us();
        i64 next = INT64_MAX;
        for (driftdb_session *s = wd->head, *nx; s; s = nx) {
            nx = s->wd_next;
            if (s->wd_deadline_us <= now) {
                s->cancel = CANCEL_TIMEOUT;
                unlink_session(wd, s);
            } else if (s->wd_deadline_us < next) {
                next = s->wd_deadline_us;
            }
        }
        if (next == INT64_MAX) {
            pthread_cond_wait(&wd->cv, &wd->mu);
        } else {
            struct timespec ts = {(time_t)(next / 1000000), (long)(next % 1000000) * 1000};
            pthread_cond_timedwait(&wd->cv, &wd->mu, &ts);
        }
    }
    pthread_mutex_unlock(&wd->mu);
    return NULL;
}

int wd_arm(Watchdog *wd, driftdb_session *s, i64 timeout_ms)
{
    pthread_mutex_lock(&wd->mu);
    if (!wd->started) {
        if (pthread_create(&wd->thread, NULL, wd_main, wd) != 0) {
            pthread_mutex_unlock(&wd->mu);
            return DD_ENOMEM;   /* out of threads: the statement cannot be timed */
        }
        wd->started = true;
    }
    s->wd_deadline_us = clock_mono_us() + timeout_ms * 1000;
    if (!s->wd_linked) {
        s->wd_prev = NULL;
        s->wd_next = wd->head;
        if (wd->head) wd->head->wd_prev = s;
        wd->head = s;
        s->wd_linked = true;
    }
    pthread_cond_signal(&wd->cv);
    pthread_mutex_unlock(&wd->mu);
    s->wd_armed = true;
    return DD_OK;
}

void wd_disarm(Watchdog *wd, driftdb_session *s)
{
    if (!s->wd_armed) return;
    pthread_mutex_lock(&wd->mu);
    if (s->wd_linked) unlink_session(wd, s);
    pthread_mutex_unlock(&wd->mu);
    s->wd_armed = false;
}

void wd_stop(Watchdog *wd)
{
    if (!wd) return;
    pthread_mutex_lock(&wd->mu);
    wd->stop = true;
    pthread_cond_signal(&wd->cv);
    bool started = wd->started;
    pthread_mutex_unlock(&wd->mu);
    if (started) pthread_join(wd->thread, NULL);
    pthread_cond_destroy(&wd->cv);
    pthread_mutex_destroy(&wd->mu);
    dd_free(wd);
}
