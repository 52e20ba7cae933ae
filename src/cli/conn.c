/*
 * conn.c - one connection of the driftdb command: the embedded API over a
 * data directory, or libpq to a running server (conn.h says which opens
 * how).  Owns the Conn and its ConnResults.
 *
 * libpq query life cycle (remote):
 *   idle --conn_exec_next: PQsendQuery + single-row mode--> busy
 *   busy --PQgetResult: a result--> a ConnResult (rows stream through
 *        conn_result_next; conn_result_free drains unread ones)
 *   busy --PQgetResult: NULL--> idle (conn_exec_next returns DRIFTDB_DONE)
 *   busy --an error result--> drained to NULL --> idle (DRIFTDB_ERROR)
 *
 * The server reports error positions as characters into the text it was
 * sent (as PostgreSQL), so they map back to a byte offset into the
 * caller's text (as the embedded API reports them) by walking that text.
 */
#include "conn.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pwd.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "../util/alloc.h"

struct Conn {
    driftdb *db;              /* embedded: the open database ... */
    driftdb_session *s;       /* ... and its one session */
    char *lock_msg;           /* embedded beside a server: why it is read-only */
    PGconn *pg;               /* remote */
    int busy;                 /* remote: a query string is in flight */
    size_t base;              /* remote: byte offset of the text sent, in the caller's sql */
    const char *sent;         /* remote: that text (the caller's, alive while busy) */
    int one_statement;        /* remote: reading commands send their text as one
                                 statement (the extended protocol), so a -w
                                 fragment cannot add another that writes */
    driftdb_result *copy_dr;  /* embedded: the COPY FROM STDIN in progress */
    int copying;              /* remote: a COPY FROM STDIN is in progress */
};

struct ConnResult {
    Conn *c;
    driftdb_result *dr;       /* embedded */
    PGresult *res;            /* remote: the current result (a row or the end) */
    int rowi;                 /* remote: current row in res */
    int streaming;            /* remote: single-row mode, more results to come */
    int first_pending;        /* remote: res holds a row not yet returned */
    int done;                 /* remote: rows exhausted (or the statement failed) */
    int has_rows;
};

void conn_set_error(driftdb_error *err, const char *state, const char *fmt, ...)
{
    memset(err, 0, sizeof *err);
    snprintf(err->sqlstate, sizeof err->sqlstate, "%s", state);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    err->severity = "ERROR";
}

/* libpq's messages end with a newline; errors here are one line each. */
static void set_pq_error(driftdb_error *err, const char *state, const char *msg)
{
    conn_set_error(err, state, "%s", msg && msg[0] ? msg : "connection to server lost");
    size_t n = strlen(err->message);
    while (n > 0 && (err->message[n - 1] == '\n' || err->message[n - 1] == ' ')) err->message[--n] = '\0';
}

/* An ErrorResponse as a driftdb_error; a position (characters into the
 * text sent, sent) becomes bytes into the caller's text (base + bytes). */
static void error_from_result(const PGresult *res, size_t base, const char *sent, driftdb_error *err)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    if (!msg) {
        set_pq_error(err, state ? state : "XX000", PQresultErrorMessage(res));
        return;
    }
    conn_set_error(err, state ? state : "XX000", "%s", msg);
    const char *d = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
    const char *h = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
    const char *p = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
    const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY);
    const char *ctx = PQresultErrorField(res, PG_DIAG_CONTEXT);
    if (d) snprintf(err->detail, sizeof err->detail, "%s", d);
    if (ctx) snprintf(err->context, sizeof err->context, "%s", ctx);
    if (h) snprintf(err->hint, sizeof err->hint, "%s", h);
    if (p && atoi(p) > 0) {
        int chars = atoi(p) - 1;
        size_t b = 0;
        while (sent && chars > 0 && sent[b]) {
            b++;
            while (((unsigned char)sent[b] & 0xC0) == 0x80) b++;
            chars--;
        }
        err->position = (int)(base + b) + 1;
    }
    err->severity = sev && strcmp(sev, "FATAL") == 0 ? "FATAL" : sev && strcmp(sev, "PANIC") == 0 ? "PANIC" : "ERROR";
}

/* Notices from the server, printed as run.c prints embedded ones. */
static void notice_receiver(void *arg, const PGresult *res)
{
    (void)arg;
    const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY);
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    fflush(stdout);
    fprintf(stderr, "%s:  %s: %s\n", sev ? sev : "NOTICE", state ? state : "00000", msg ? msg : "");
}

static int open_remote(Conn *c, const char *url, const char *app, driftdb_error *err)
{
    const char *keys[4], *vals[4];
    int n = 0;
    if (url && url[0]) { keys[n] = "dbname"; vals[n++] = url; }
    keys[n] = "fallback_application_name"; vals[n++] = app;
    keys[n] = NULL; vals[n] = NULL;
    c->pg = PQconnectdbParams(keys, vals, 1);
    if (!c->pg) {
        conn_set_error(err, "08001", "out of memory connecting to the server");
        return -1;
    }
    if (PQstatus(c->pg) != CONNECTION_OK) {
        set_pq_error(err, "08001", PQerrorMessage(c->pg));
        return -1;
    }
    PQsetNoticeReceiver(c->pg, notice_receiver, NULL);
    return 0;
}

static int open_embedded(Conn *c, const char *data, ConnAccess access, const char *app,
                         driftdb_error *err)
{
    driftdb_options o = {.read_only = access == CONN_READ || access == CONN_CHECK, .check_file = access == CONN_CHECK};
    if (driftdb_open(data, &o, &c->db, err) != DRIFTDB_OK) {
        c->db = NULL;
        if (strcmp(err->sqlstate, "55006") != 0) return -1;
        if (access == CONN_WRITE) {
            snprintf(err->hint, sizeof err->hint,
                     "This command writes, and another process (usually driftdb-server) holds the directory: "
                     "run it through that server with --url postgresql://USER@HOST:PORT/DB instead of --data.");
            return -1;
        }
        c->lock_msg = dd_strdup(err->message);
        o.read_only = 1;
        if (!c->lock_msg || driftdb_open(data, &o, &c->db, err) != DRIFTDB_OK) {
            if (!c->lock_msg) conn_set_error(err, "53200", "out of memory");
            c->db = NULL;
            return -1;
        }
    }
    /* whoever may open the data files acts as the bootstrap superuser
     * (user NULL), who is also who its commits name */
    driftdb_session_info info = {NULL, app, NULL, NULL, 0};
    if (driftdb_session_open(c->db, &info, &c->s, err) != DRIFTDB_OK) {
        c->s = NULL;
        return -1;
    }
    return 0;
}

int conn_open(const char *data, const char *url, ConnAccess access, const char *app, Conn **out,
              driftdb_error *err)
{
    *out = NULL;
    Conn *c = dd_calloc(1, sizeof *c);
    if (!c) {
        conn_set_error(err, "53200", "out of memory");
        return -1;
    }
    int rc = data ? open_embedded(c, data, access, app, err) : open_remote(c, url, app, err);
    c->one_statement = !data && (access == CONN_READ || access == CONN_CHECK);
    if (rc) {
        conn_close(c);
        return -1;
    }
    *out = c;
    return 0;
}

void conn_close(Conn *c)
{
    if (!c) return;
    if (c->copying || c->copy_dr) conn_copy_abort(c, "the driftdb command ended");
    if (c->s) driftdb_session_close(c->s);
    if (c->db) driftdb_close(c->db);
    if (c->pg) PQfinish(c->pg);
    dd_free(c->lock_msg);
    dd_free(c);
}

int conn_remote(const Conn *c) { return c->pg != NULL; }
int conn_beside_server(const Conn *c) { return c->lock_msg != NULL; }

void conn_server(const Conn *c, char *out, size_t n)
{
    if (!c->pg) {
        if (n) out[0] = '\0';
        return;
    }
    const char *h = PQhost(c->pg), *p = PQport(c->pg), *d = PQdb(c->pg), *u = PQuser(c->pg);
    snprintf(out, n, "%s:%s, database %s, user %s", h && h[0] ? h : "localhost", p && p[0] ? p : "5432",
             d ? d : "", u ? u : "");
}

char conn_txn_status(Conn *c)
{
    if (!c->pg) return driftdb_session_txn_status(c->s);
    switch (PQtransactionStatus(c->pg)) {
    case PQTRANS_INTRANS: case PQTRANS_ACTIVE: return 'T';
    case PQTRANS_INERROR: return 'E';
    default: return 'I';
    }
}

/* ------------------------------------------------------------- statements */

static ConnResult *result_new(Conn *c)
{
    ConnResult *r = dd_calloc(1, sizeof *r);
    if (r) {
        r->c = c;
        r->rowi = -1;
    }
    return r;
}

/* Reads the remaining results of the query in flight and drops them. */
static void drain(Conn *c)
{
    PGresult *res;
    while ((res = PQgetResult(c->pg)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_COPY_IN) PQputCopyEnd(c->pg, "COPY is not supported by the driftdb command");
        PQclear(res);
        if (PQstatus(c->pg) == CONNECTION_BAD) break;
    }
    c->busy = 0;
}

static int exec_remote(Conn *c, const char *sql, size_t *off, ConnResult **out, driftdb_error *err)
{
    size_t len = strlen(sql);
    if (!c->busy) {
        if (*off >= len) return DRIFTDB_DONE;
        int sent = c->one_statement ? PQsendQueryParams(c->pg, sql + *off, 0, NULL, NULL, NULL, NULL, 0)
                                    : PQsendQuery(c->pg, sql + *off);
        if (!sent) {
            set_pq_error(err, "08006", PQerrorMessage(c->pg));
            *off = len;
            return DRIFTDB_ERROR;
        }
        PQsetSingleRowMode(c->pg);
        c->busy = 1;
        c->base = *off;
        c->sent = sql + *off;
    }
    for (;;) {
        PGresult *res = PQgetResult(c->pg);
        if (!res) {
            c->busy = 0;
            *off = len;
            if (PQstatus(c->pg) == CONNECTION_BAD) {
                set_pq_error(err, "08006", PQerrorMessage(c->pg));
                return DRIFTDB_ERROR;
            }
            return DRIFTDB_DONE;
        }
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_EMPTY_QUERY) {
            PQclear(res);
            continue;
        }
        if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT) {
            PQclear(res);
            drain(c);
            *off = len;
            conn_set_error(err, "0A000", "COPY is not supported by the driftdb command; use psql for COPY");
            return DRIFTDB_ERROR;
        }
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_SINGLE_TUPLE) {
            error_from_result(res, c->base, c->sent, err);
            PQclear(res);
            drain(c);
            *off = len;
            return DRIFTDB_ERROR;
        }
        ConnResult *r = result_new(c);
        if (!r) {
            PQclear(res);
            drain(c);
            *off = len;
            conn_set_error(err, "53200", "out of memory");
            return DRIFTDB_ERROR;
        }
        r->res = res;
        r->has_rows = st != PGRES_COMMAND_OK;
        r->streaming = st == PGRES_SINGLE_TUPLE;
        r->first_pending = r->streaming;
        r->done = st == PGRES_COMMAND_OK;
        *out = r;
        return DRIFTDB_ROW_RESULT;
    }
}

int conn_exec_next(Conn *c, const char *sql, size_t *off, ConnResult **out, driftdb_error *err)
{
    *out = NULL;
    if (c->pg) return exec_remote(c, sql, off, out, err);
    driftdb_result *dr = NULL;
    int rc = driftdb_exec_next(c->s, sql, off, &dr, err);
    if (rc == DRIFTDB_ERROR && c->lock_msg && strcmp(err->sqlstate, "25006") == 0 && !err->hint[0])
        snprintf(err->hint, sizeof err->hint,
                 "The data directory was opened read-only because %s. Run writes through the server: "
                 "--url postgresql://USER@HOST:PORT/DB instead of --data.", c->lock_msg);
    if (rc != DRIFTDB_ROW_RESULT) return rc;
    ConnResult *r = result_new(c);
    if (!r) {
        driftdb_result_free(dr);
        conn_set_error(err, "53200", "out of memory");
        return DRIFTDB_ERROR;
    }
    r->dr = dr;
    r->has_rows = driftdb_result_has_rows(dr);
    *out = r;
    return DRIFTDB_ROW_RESULT;
}

int conn_exec(Conn *c, const char *sql, driftdb_error *err)
{
    size_t off = 0;
    int rc, failed = 0;
    ConnResult *r;
    while ((rc = conn_exec_next(c, sql, &off, &r, err)) == DRIFTDB_ROW_RESULT) {
        if (r->has_rows) {
            int m;
            while ((m = conn_result_next(r, err)) == 1) {}
            if (m < 0) failed = 1;
        }
        conn_result_free(r);
        if (failed) break;
    }
    if (failed) {
        /* the rest of the string does not run after an error */
        if (c->pg && c->busy) drain(c);
        return -1;
    }
    return rc == DRIFTDB_ERROR ? -1 : 0;
}

int conn_query_value(Conn *c, const char *sql, char *out, size_t n, driftdb_error *err)
{
    size_t off = 0;
    int rc, failed = 0, got = 0;
    ConnResult *r;
    out[0] = '\0';
    while ((rc = conn_exec_next(c, sql, &off, &r, err)) == DRIFTDB_ROW_RESULT) {
        if (r->has_rows) {
            int m;
            while ((m = conn_result_next(r, err)) == 1) {
                const char *v = conn_result_value(r, 0, NULL);
                if (!got && v) snprintf(out, n, "%s", v);
                got = 1;
            }
            if (m < 0) failed = 1;
        }
        conn_result_free(r);
        if (failed) break;
    }
    if (failed) {
        if (c->pg && c->busy) drain(c);
        return -1;
    }
    return rc == DRIFTDB_ERROR ? -1 : 0;
}

/* ---------------------------------------------------------------- results */

int conn_result_ncols(const ConnResult *r)
{
    return r->dr ? driftdb_result_ncols(r->dr) : PQnfields(r->res);
}

const char *conn_result_colname(const ConnResult *r, int i)
{
    return r->dr ? driftdb_result_colname(r->dr, i) : PQfname(r->res, i);
}

uint32_t conn_result_coltype(const ConnResult *r, int i)
{
    return r->dr ? driftdb_result_coltype(r->dr, i) : (uint32_t)PQftype(r->res, i);
}

int conn_result_has_rows(const ConnResult *r) { return r->has_rows; }

int conn_result_next(ConnResult *r, driftdb_error *err)
{
    if (r->dr) return driftdb_result_next(r->dr, err);
    if (r->done) return 0;
    if (!r->streaming) {
        if (++r->rowi < PQntuples(r->res)) return 1;
        r->done = 1;
        return 0;
    }
    if (r->first_pending) {
        r->first_pending = 0;
        r->rowi = 0;
        return 1;
    }
    PGresult *res = PQgetResult(r->c->pg);
    if (!res) {
        /* the query ended without its closing result: the connection broke */
        r->done = 1;
        r->c->busy = 0;
        set_pq_error(err, "08006", PQerrorMessage(r->c->pg));
        return -1;
    }
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_SINGLE_TUPLE || st == PGRES_TUPLES_OK) {
        /* the last result (zero rows) keeps the description and the tag */
        PQclear(r->res);
        r->res = res;
        r->rowi = 0;
        if (st == PGRES_TUPLES_OK) {
            r->done = 1;
            return 0;
        }
        return 1;
    }
    error_from_result(res, r->c->base, r->c->sent, err);
    PQclear(res);
    r->done = 1;
    return -1;
}

const char *conn_result_value(ConnResult *r, int i, size_t *len)
{
    if (r->dr) return driftdb_result_value(r->dr, i, len);
    if (r->rowi < 0 || r->rowi >= PQntuples(r->res) || PQgetisnull(r->res, r->rowi, i)) {
        if (len) *len = 0;
        return NULL;
    }
    if (len) *len = (size_t)PQgetlength(r->res, r->rowi, i);
    return PQgetvalue(r->res, r->rowi, i);
}

const char *conn_result_tag(const ConnResult *r)
{
    if (r->dr) return driftdb_result_tag(r->dr);
    return r->done ? PQcmdStatus(r->res) : "";
}

const char *conn_result_notice(const ConnResult *r, int i, const char **severity, const char **sqlstate)
{
    if (r->dr) return driftdb_result_notice_at(r->dr, i, severity, sqlstate);
    return NULL;   /* libpq's notice receiver prints them */
}

const char *conn_error_notice(const Conn *c, int i, const char **severity, const char **sqlstate)
{
    if (c->s) return driftdb_session_notice_at(c->s, i, severity, sqlstate);
    return NULL;   /* libpq's notice receiver printed them as they came */
}

void conn_result_free(ConnResult *r)
{
    if (!r) return;
    if (r->dr) {
        driftdb_result_free(r->dr);
    } else {
        driftdb_error e;
        while (!r->done && conn_result_next(r, &e) == 1) {}
        PQclear(r->res);
    }
    dd_free(r);
}

/* ------------------------------------------------------------------ COPY */

int conn_copy_begin(Conn *c, const char *sql, driftdb_error *err)
{
    if (!c->pg) {
        size_t off = 0;
        driftdb_result *dr = NULL;
        int binary, ncols;
        int rc = driftdb_exec_next(c->s, sql, &off, &dr, err);
        if (rc == DRIFTDB_ERROR) return -1;
        if (rc != DRIFTDB_ROW_RESULT || driftdb_result_copy(dr, &binary, &ncols) != 'i') {
            driftdb_result_free(dr);
            conn_set_error(err, "XX000", "conn_copy_begin: not a COPY FROM STDIN statement");
            return -1;
        }
        c->copy_dr = dr;
        return 0;
    }
    if (!PQsendQuery(c->pg, sql)) {
        set_pq_error(err, "08006", PQerrorMessage(c->pg));
        return -1;
    }
    PGresult *res = PQgetResult(c->pg);
    if (res && PQresultStatus(res) == PGRES_COPY_IN) {
        PQclear(res);
        c->copying = 1;
        return 0;
    }
    if (res) error_from_result(res, 0, NULL, err);
    else set_pq_error(err, "08006", PQerrorMessage(c->pg));
    PQclear(res);
    drain(c);
    return -1;
}

/* After the server ended a COPY with an error (or the connection broke):
 * reads the error and the end of the query. */
static int copy_failed_remote(Conn *c, driftdb_error *err)
{
    c->copying = 0;
    int got = 0;
    PGresult *res;
    while ((res = PQgetResult(c->pg)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_COPY_IN) PQputCopyEnd(c->pg, "COPY abandoned");
        else if (!got && st != PGRES_COMMAND_OK) {
            error_from_result(res, 0, NULL, err);
            got = 1;
        }
        PQclear(res);
        if (PQstatus(c->pg) == CONNECTION_BAD) break;
    }
    if (!got) set_pq_error(err, "08006", PQerrorMessage(c->pg));
    return -1;
}

int conn_copy_data(Conn *c, const void *data, size_t len, driftdb_error *err)
{
    if (!c->pg) {
        if (driftdb_copy_in_data(c->copy_dr, data, len, err) == 0) return 0;
        driftdb_result_free(c->copy_dr);
        c->copy_dr = NULL;
        return -1;
    }
    const char *p = data;
    while (len > 0) {   /* PQputCopyData takes an int length */
        int n = len > (1u << 30) ? 1 << 30 : (int)len;
        if (PQputCopyData(c->pg, p, n) != 1) return copy_failed_remote(c, err);
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int conn_copy_end(Conn *c, driftdb_error *err)
{
    if (!c->pg) {
        int rc = driftdb_copy_in_end(c->copy_dr, err);
        driftdb_result_free(c->copy_dr);
        c->copy_dr = NULL;
        return rc == 0 ? 0 : -1;
    }
    if (PQputCopyEnd(c->pg, NULL) != 1) return copy_failed_remote(c, err);
    c->copying = 0;
    int failed = 0;
    PGresult *res;
    while ((res = PQgetResult(c->pg)) != NULL) {
        if (!failed && PQresultStatus(res) != PGRES_COMMAND_OK) {
            error_from_result(res, 0, NULL, err);
            failed = 1;
        }
        PQclear(res);
        if (PQstatus(c->pg) == CONNECTION_BAD) break;
    }
    if (!failed && PQstatus(c->pg) == CONNECTION_BAD) {
        set_pq_error(err, "08006", PQerrorMessage(c->pg));
        failed = 1;
    }
    return failed ? -1 : 0;
}

void conn_copy_abort(Conn *c, const char *why)
{
    if (!c->pg) {
        if (!c->copy_dr) return;
        driftdb_error e;
        driftdb_copy_in_fail(c->copy_dr, why, &e);
        driftdb_result_free(c->copy_dr);
        c->copy_dr = NULL;
        return;
    }
    if (!c->copying) return;
    c->copying = 0;
    PQputCopyEnd(c->pg, why);
    drain(c);
}
