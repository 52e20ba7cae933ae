/*
 * activity.c - the open sessions of a database and what each is doing,
 * for pg_stat_activity (docs/catalogs.md): state, the text of the running
 * or last statement, and when the session, its transaction, its statement
 * and its state began.
 */
#include "engine_int.h"
#include "../util/clock.h"

#include <string.h>

void activity_register(driftdb_session *s)
{
    driftdb *db = s->db;
    memset(&s->act, 0, sizeof(s->act));
    s->act.backend_start_us = s->act.state_change_us = clock_wall_us();
    s->act.state = 'i';
    pthread_mutex_lock(&db->act_mu);
    s->act_prev = NULL;
    s->act_next = db->act_first;
    if (db->act_first) db->act_first->act_prev = s;
    db->act_first = s;
    pthread_mutex_unlock(&db->act_mu);
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
    if (len >= ACT_QUERY_MAX) len = ACT_QUERY_MAX - 1;
    pthread_mutex_lock(&s->db->act_mu);
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

int activity_nth(void *session, int i, SqlActivity *out, Arena *a)
{
    driftdb_session *me = session;
    driftdb *db = me->db;
    int found = 0;
    pthread_mutex_lock(&db->act_mu);
    driftdb_session *s = db->act_first;
    for (int k = 0; s && k < i; k++) s = s->act_next;
    if (s) {
        out->pid = s->backend_pid;
        out->user = arena_strdup(a, s->user);
        out->application = arena_strdup(a, s->app);
        out->client = s->client[0] ? arena_strdup(a, s->client) : NULL;
        out->database = arena_strdup(a, s->database);
        out->state = state_name(s->act.state);
        out->query = arena_strdup(a, s->act.query);
        out->backend_start_us = s->act.backend_start_us;
        out->xact_start_us = s->act.xact_start_us;
        out->query_start_us = s->act.query_start_us;
        out->state_change_us = s->act.state_change_us;
        found = out->user && out->application && out->database && out->query && (out->client || !s->client[0])
                    ? 1 : -DD_ENOMEM;
    }
    pthread_mutex_unlock(&db->act_mu);
    return found;
}
