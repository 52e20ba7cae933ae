/*
 * activity.c - the open sessions of a database and what each is doing,
 * for pg_stat_activity (docs/catalogs.md): state, the text of the running
 * or last statement, and when the session, its transaction, its statement
 * and its state began.
 */
#include "engine_int.h"
#include "../util/clock.h"

#include <stdio.h>
#include <string.h>

bool activity_register(driftdb_session *s, int limit)
{
    driftdb *db = s->db;
    memset(&s->act, 0, sizeof(s->act));
    s->act.backend_start_us = s->act.state_change_us = clock_wall_us();
    s->act.state = 'i';
    pthread_mutex_lock(&db->act_mu);
    /* counted and joined under one lock: two logins at once cannot both
     * take the last place */
    int n = 0;
    for (driftdb_session *o = db->act_first; limit >= 0 && o; o = o->act_next)
        n += s->user_known && o->user_known ? o->user_id == s->user_id : strcmp(o->user, s->user) == 0;
    if (limit >= 0 && n >= limit) {
        pthread_mutex_unlock(&db->act_mu);
        return false;
    }
    s->act_prev = NULL;
    s->act_next = db->act_first;
    if (db->act_first) db->act_first->act_prev = s;
    db->act_first = s;
    pthread_mutex_unlock(&db->act_mu);
    return true;
}

void activity_unregister(driftdb_session *s)
{
    driftdb *db = s->db;
    pthread_mutex_lock(&db->act_mu);
    if (s->act_prev) s->act_prev->act_next = s->act_next;
    else if (db->act_first == s) db->act_first = s->act_next;
    if (s->act_next) s->act_next->act_prev = s->act_prev;
    s->act_next = s->act_prev = NULL;
    pthread_mutex_unlock(&db->act_mu);
}

void activity_begin(driftdb_session *s, const char *sql, size_t len)
{
    i64 now = clock_wall_us();
    if (len >= ACT_QUERY_MAX) {
        /* cut at a character's start, as PostgreSQL's pg_mbcliplen */
        len = ACT_QUERY_MAX - 1;
        while (len > 0 && ((unsigned char)sql[len] & 0xC0) == 0x80) len--;
    }
    const char *app = session_hot(s, HOT_APPLICATION_NAME);
    pthread_mutex_lock(&s->db->act_mu);
    snprintf(s->act.app, sizeof s->act.app, "%s", app ? app : "");
    if (s->act.state == 'i') s->act.xact_start_us = now;   /* a transaction starts with the statement */
    memcpy(s->act.query, sql, len);
    s->act.query[len] = 0;
    s->act.query_start_us = s->act.state_change_us = now;
    s->act.state = 'a';
    pthread_mutex_unlock(&s->db->act_mu);
}

void activity_end(driftdb_session *s)
{
    char st = s->state == TXN_BLOCK ? 't' : s->state == TXN_FAILED ? 'f' : 'i';
    pthread_mutex_lock(&s->db->act_mu);
    if (s->act.state != st) s->act.state_change_us = clock_wall_us();
    s->act.state = st;
    if (st == 'i') s->act.xact_start_us = 0;
    pthread_mutex_unlock(&s->db->act_mu);
}

static const char *state_name(char st)
{
    switch (st) {
    case 'a': return "active";
    case 't': return "idle in transaction";
    case 'f': return "idle in transaction (aborted)";
    default: return "idle";
    }
}

int activity_backend_user(void *session, int pid, char *user, size_t n)
{
    driftdb *db = ((driftdb_session *)session)->db;
    int rc = 1;
    pthread_mutex_lock(&db->act_mu);
    for (driftdb_session *s = db->act_first; s && rc; s = s->act_next)
        if (s->backend_pid == pid && pid != 0) {
            snprintf(user, n, "%s", s->user);
            rc = 0;
        }
    pthread_mutex_unlock(&db->act_mu);
    return rc;
}

bool activity_signal(void *session, int pid, bool terminate)
{
    driftdb *db = ((driftdb_session *)session)->db;
    bool done = false;
    pthread_mutex_lock(&db->act_mu);
    for (driftdb_session *s = db->act_first; s && !done; s = s->act_next) {
        if (s->backend_pid != pid || pid == 0) continue;
        if (terminate) {
            driftdb_session_terminate(s);
            if (s->wake && s != session) s->wake(s->wake_arg);
        } else {
            driftdb_session_cancel(s);
        }
        done = true;
    }
    pthread_mutex_unlock(&db->act_mu);
    return done;
}

int activity_list(void *session, SqlActivity **out, int *n, Arena *a)
{
    driftdb_session *me = session;
    driftdb *db = me->db;
    int rc = DD_OK, m = 0;
    pthread_mutex_lock(&db->act_mu);
    int count = 0;
    for (driftdb_session *s = db->act_first; s; s = s->act_next) count++;
    SqlActivity *v = arena_alloc(a, sizeof(SqlActivity) * (size_t)(count + 1));
    if (!v) rc = DD_ENOMEM;
    for (driftdb_session *s = db->act_first; s && !rc; s = s->act_next) {
        SqlActivity *o = &v[m++];
        o->pid = s->backend_pid;
        o->user = arena_strdup(a, s->user);
        o->application = arena_strdup(a, s->act.app[0] || s->act.query[0] ? s->act.app : s->app);
        o->client = s->client[0] ? arena_strdup(a, s->client) : NULL;
        o->database = arena_strdup(a, s->database);
        o->state = state_name(s->act.state);
        o->query = arena_strdup(a, s->act.query);
        o->backend_start_us = s->act.backend_start_us;
        o->xact_start_us = s->act.xact_start_us;
        o->query_start_us = s->act.query_start_us;
        o->state_change_us = s->act.state_change_us;
        if (!o->user || !o->application || !o->database || !o->query || (s->client[0] && !o->client)) rc = DD_ENOMEM;
        o->ssl = s->ssl;
        o->ssl_bits = s->ssl_bits;
        o->ssl_version = o->ssl_cipher = o->ssl_client_dn = o->ssl_client_serial = o->ssl_issuer_dn = NULL;
        if (s->ssl && !rc) {
            o->ssl_version = arena_strdup(a, s->ssl_version);
            o->ssl_cipher = arena_strdup(a, s->ssl_cipher);
            /* "" (no client certificate) is NULL, as in PostgreSQL */
            if (s->ssl_client_dn[0]) o->ssl_client_dn = arena_strdup(a, s->ssl_client_dn);
            if (s->ssl_client_serial[0]) o->ssl_client_serial = arena_strdup(a, s->ssl_client_serial);
            if (s->ssl_issuer_dn[0]) o->ssl_issuer_dn = arena_strdup(a, s->ssl_issuer_dn);
            if (!o->ssl_version || !o->ssl_cipher || (s->ssl_client_dn[0] && !o->ssl_client_dn) ||
                (s->ssl_client_serial[0] && !o->ssl_client_serial) || (s->ssl_issuer_dn[0] && !o->ssl_issuer_dn))
                rc = DD_ENOMEM;
        }
    }
    pthread_mutex_unlock(&db->act_mu);
    *out = v;
    *n = m;
    return rc;
}
