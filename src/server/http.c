/*
 * http.c - health checks and Prometheus metrics over HTTP (http.h).
 */
#include "http.h"
#include "metrics.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/clock.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The per-table figures read the whole database: kept and read again
 * only when the head moved and ten times the last read's time has passed
 * (a read of 2 s is done at most every 20 s; a small database's, at each
 * scrape), by one scrape at a time. */
typedef struct TableRows {
    Buf fam[5];
} TableRows;

struct HttpServer {
    struct MHD_Daemon *d;
    driftdb *db;
    const atomic_bool *stopping;
    int max_conn;
    pthread_mutex_t tables_mu;    /* guards the cached figures below */
    TableRows tables;
    bool tables_read;
    u64 tables_head;              /* the head seq they were read at */
    i64 tables_at, tables_took;   /* when (monotonic µs), and how long it took */
};

#define HTTP_MAX_REQUESTS 16      /* requests served at once */
#define HTTP_TIMEOUT_S 10         /* an idle keep-alive connection closes */

/* A Prometheus label value: \, " and newline escaped. */
static void put_label(Buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"') buf_putc(b, '\\'), buf_putc(b, (u8)*s);
        else if (*s == '\n') buf_puts(b, "\\n");
        else buf_putc(b, (u8)*s);
    }
}

static void head(Buf *b, const char *name, const char *type, const char *help)
{
    buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void scalar(Buf *b, const char *name, const char *type, const char *help, u64 v)
{
    head(b, name, type, help);
    buf_printf(b, "%s %llu\n", name, (unsigned long long)v);
}

/* A histogram of counts in us (scale 1e-6: printed in seconds) or of plain
 * numbers (scale 1): buckets made cumulative, as Prometheus wants. */
static void histogram(Buf *b, const char *name, const char *help, const u64 *le, const u64 *count, int n, u64 sum,
                      double scale)
{
    head(b, name, "histogram", help);
    u64 total = 0;
    for (int i = 0; i < n; i++) {
        total += count[i];
        buf_printf(b, "%s_bucket{le=\"%g\"} %llu\n", name, (double)le[i] * scale, (unsigned long long)total);
    }
    total += count[n];
    buf_printf(b, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)total);
    buf_printf(b, scale == 1 ? "%s_sum %.0f\n%s_count %llu\n" : "%s_sum %.6f\n%s_count %llu\n", name, (double)sum * scale,
               name, (unsigned long long)total);
}

/* The per-table gauges, one family at a time (Prometheus wants each
 * family's samples together): driftdb_table_stats runs once, into rows. */

static const char *const table_family[5][2] = {
    {"driftdb_table_live_rows", "Rows in the table's present."},
    {"driftdb_table_versions", "Versions in the table's history (every row version ever written)."},
    {"driftdb_table_live_bytes", "Bytes of the present rows' images."},
    {"driftdb_table_history_bytes", "Bytes of every version's image."},
    {"driftdb_table_index_bytes", "Bytes of the table's secondary index entries."},
};

static int table_row(void *arg, const driftdb_table_stat *t)
{
    TableRows *tr = arg;
    const int64_t v[5] = {t->live_rows, t->versions, t->live_bytes, t->history_bytes, t->index_bytes};
    for (int i = 0; i < 5; i++) {
        Buf *b = &tr->fam[i];
        buf_printf(b, "%s{schema=\"", table_family[i][0]);
        put_label(b, t->schema);
        buf_puts(b, "\",table=\"");
        put_label(b, t->name);
        buf_printf(b, "\"} %lld\n", (long long)v[i]);
    }
    return 0;
}

/* The whole /metrics page into b; false (b holds the reason) when the
 * database could not be read. */
static bool metrics_page(HttpServer *h, Buf *b)
{
    driftdb_stats st;
    driftdb_get_stats(h->db, &st);
    pthread_mutex_lock(&h->tables_mu);
    i64 now = clock_mono_us();
    if (!h->tables_read || (st.head_seq != h->tables_head && now - h->tables_at >= 10 * h->tables_took)) {
        TableRows tr;
        for (int i = 0; i < 5; i++) buf_init(&tr.fam[i]);
        driftdb_error err;
        memset(&err, 0, sizeof err);
        if (driftdb_table_stats(h->db, table_row, &tr, &err) != DRIFTDB_OK) {
            pthread_mutex_unlock(&h->tables_mu);
            for (int i = 0; i < 5; i++) buf_free(&tr.fam[i]);
            buf_printf(b, "reading the tables' sizes failed: %s (SQLSTATE %s)\n", err.message, err.sqlstate);
            return false;
        }
        for (int i = 0; i < 5; i++) {
            buf_free(&h->tables.fam[i]);
            h->tables.fam[i] = tr.fam[i];
        }
        h->tables_read = true;
        h->tables_head = st.head_seq;
        h->tables_took = clock_mono_us() - now;
        h->tables_at = now;
    }

    scalar(b, "driftdb_sessions", "gauge", "Client sessions open now.",
           __atomic_load_n(&metrics.sessions, __ATOMIC_RELAXED));
    scalar(b, "driftdb_sessions_total", "counter", "Client sessions started (past authentication).",
           __atomic_load_n(&metrics.sessions_total, __ATOMIC_RELAXED));
    scalar(b, "driftdb_max_connections", "gauge", "Client sessions allowed at once (--max-connections).",
           (u64)h->max_conn);
    scalar(b, "driftdb_statements_total", "counter",
           "Statements that ended, well or not (each of a simple query's, each Execute).",
           __atomic_load_n(&metrics.statements, __ATOMIC_RELAXED));
    head(b, "driftdb_errors_total", "counter", "ErrorResponses sent, by SQLSTATE class.");
    for (int i = 0; i < METRICS_CLASSES; i++) {
        u64 n = __atomic_load_n(&metrics.errors[i], __ATOMIC_RELAXED);
        if (!n) continue;
        char cls[3];
        metrics_class_name(i, cls);
        buf_printf(b, "driftdb_errors_total{class=\"%s\"} %llu\n", cls, (unsigned long long)n);
    }
    Hist sh;
    hist_read(&metrics.statement_us, &sh);
    histogram(b, "driftdb_statement_duration_seconds", "Time from a statement's start to its last message.", sh.le,
              sh.count, sh.n, sh.sum, 1e-6);

    scalar(b, "driftdb_commits_total", "counter", "Transactions committed.", st.commits);
    scalar(b, "driftdb_commit_groups_total", "counter",
           "Commit groups: commits flushed together, one LMDB transaction each.", st.batches);
    scalar(b, "driftdb_flushes_total", "counter",
           "fdatasync calls on the database's files (one per group, two per checkpoint).", st.flushes);
    scalar(b, "driftdb_checkpoints_total", "counter", "Checkpoints of the commit log.", st.checkpoints);
    histogram(b, "driftdb_commit_duration_seconds", "Time from a commit's request to its durable answer.",
              st.commit_us.le, st.commit_us.count, st.commit_us.n, st.commit_us.sum, 1e-6);
    histogram(b, "driftdb_commit_group_size", "Commits per group.", st.batch_size.le, st.batch_size.count,
              st.batch_size.n, st.batch_size.sum, 1);
    scalar(b, "driftdb_head_seq", "gauge", "The seq of the newest commit.", st.head_seq);
    scalar(b, "driftdb_data_file_bytes", "gauge", "Size of the data file.", st.file_bytes);
    scalar(b, "driftdb_map_bytes", "gauge", "Size of the data file's memory map.", st.map_size);
    scalar(b, "driftdb_reader_slots_used", "gauge", "LMDB reader slots in use (open snapshots).", st.reader_slots);
    scalar(b, "driftdb_reader_waits_total", "counter", "Snapshots that waited for the memory map to grow.",
           st.reader_waits);
    scalar(b, "driftdb_lock_waits_total", "counter", "Row, table and advisory lock waits that ended.",
           st.lock_waits);
    head(b, "driftdb_lock_wait_seconds_total", "counter", "Time spent in those waits.");
    buf_printf(b, "driftdb_lock_wait_seconds_total %.6f\n", (double)st.lock_wait_us * 1e-6);

    scalar(b, "driftdb_table_stats_seq", "gauge", "The head seq the per-table figures below were read at.",
           h->tables_head);
    for (int i = 0; i < 5; i++) {
        head(b, table_family[i][0], "gauge", table_family[i][1]);
        if (h->tables.fam[i].len) buf_append(b, h->tables.fam[i].data, h->tables.fam[i].len);
    }
    pthread_mutex_unlock(&h->tables_mu);
    return true;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned code, const char *type, const void *body,
                             size_t len, const char *allow)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (allow) MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    enum MHD_Result rc = MHD_queue_response(conn, code, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **state)
{
    DD_UNUSED(version);
    DD_UNUSED(upload);
    DD_UNUSED(state);
    HttpServer *h = cls;
    static const char text[] = "text/plain; charset=utf-8";
    bool known = !strcmp(url, "/health/live") || !strcmp(url, "/health/ready") || !strcmp(url, "/metrics");
    if (!known) return reply(conn, MHD_HTTP_NOT_FOUND, text, "not found\n", 10, NULL);
    if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
        *upload_size = 0;   /* a body is not read */
        return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, text, "method not allowed\n", 19, "GET, HEAD");
    }
    if (!strcmp(url, "/health/live")) return reply(conn, MHD_HTTP_OK, text, "live\n", 5, NULL);
    if (!strcmp(url, "/health/ready")) {
        char body[sizeof ((driftdb_error *)0)->message + 64];
        if (atomic_load(h->stopping)) {
            int n = snprintf(body, sizeof body, "not ready: the server is shutting down\n");
            return reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, text, body, (size_t)n, NULL);
        }
        driftdb_error err;
        memset(&err, 0, sizeof err);
        if (driftdb_writable(h->db, &err) != DRIFTDB_OK) {
            int n = snprintf(body, sizeof body, "not ready: %s\n", err.message);
            return reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, text, body, (size_t)n, NULL);
        }
        return reply(conn, MHD_HTTP_OK, text, "ready\n", 6, NULL);
    }
    Buf b;
    buf_init(&b);
    bool ok = metrics_page(h, &b);
    enum MHD_Result rc;
    if (b.oom) rc = reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, text, "out of memory\n", 14, NULL);
    else if (!ok) rc = reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, text, b.data, b.len, NULL);
    else rc = reply(conn, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len, NULL);
    buf_free(&b);
    return rc;
}

HttpServer *http_start(int fd, driftdb *db, const atomic_bool *stopping, int max_conn)
{
    HttpServer *h = dd_calloc(1, sizeof *h);
    if (!h) {
        close(fd);
        return NULL;
    }
    h->db = db;
    h->stopping = stopping;
    h->max_conn = max_conn;
    pthread_mutex_init(&h->tables_mu, NULL);
    for (int i = 0; i < 5; i++) buf_init(&h->tables.fam[i]);
    /* poll(), not select(): a server with more than 1024 descriptors open
     * (sessions) must still answer its health checks */
    h->d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL,
                            NULL, handle,
                            h, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_MAX_REQUESTS,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_TIMEOUT_S, MHD_OPTION_END);
    if (!h->d) {
        /* not closed here: libmicrohttpd may have closed it already, and
         * the server exits */
        pthread_mutex_destroy(&h->tables_mu);
        dd_free(h);
        return NULL;
    }
    return h;
}

void http_stop(HttpServer *h)
{
    if (!h) return;
    MHD_stop_daemon(h->d);   /* closes the listening socket too */
    for (int i = 0; i < 5; i++) buf_free(&h->tables.fam[i]);
    pthread_mutex_destroy(&h->tables_mu);
    dd_free(h);
}
