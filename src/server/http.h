/*
 * http.h - driftdb-server's HTTP listener (--http-listen HOST:PORT), on
 * libmicrohttpd with a thread per request so that a slow /metrics never
 * holds up a health check:
 *
 *   GET /health/live    200 while the server runs
 *   GET /health/ready   200 when it takes sessions and commits (not
 *                       shutting down, no failed write, disk not full);
 *                       503 with the reason otherwise
 *   GET /metrics        Prometheus text format 0.0.4: metrics.h's counters,
 *                       the database's (driftdb_get_stats) and every
 *                       table's size (driftdb_table_stats: read again when
 *                       the head moved and ten times the last read's time
 *                       has passed)
 *
 * HEAD as GET; other methods 405; other paths 404.  No authentication:
 * bind it to loopback or a private network (docs/architecture.md §6).
 */
#ifndef DD_SERVER_HTTP_H
#define DD_SERVER_HTTP_H

#include "driftdb.h"

#include <stdatomic.h>

typedef struct HttpServer HttpServer;

/* Serves on the listening socket fd, which it owns from then on.  stopping is
 * the server's shutdown flag (not ready while set).  NULL when the daemon
 * cannot start (the caller exits: fd may or may not be closed). */
HttpServer *http_start(int fd, driftdb *db, const atomic_bool *stopping, int max_conn);
/* Stops serving (waits for requests in progress) and frees h. */
void http_stop(HttpServer *h);

#endif
