/*
 * conn.h - where the driftdb command sends its SQL: a data directory opened
 * through the embedded API (include/driftdb.h), or a running server reached
 * with libpq.  Every command goes through this interface, so each works in
 * both modes with the same output.
 *
 * Opening a data directory (conn_open, ConnAccess):
 *   CONN_READ   always read-only, never takes the writer lock: works beside
 *               a running server (LMDB readers do not block the writer).
 *   CONN_MAYBE  read-write when the directory is free; when a server (or
 *               another process) holds it, read-only beside it, and a write
 *               fails with 25006 and a hint to use --url.
 *   CONN_WRITE  read-write or fail, saying to use --url when it is held.
 *   CONN_CHECK  as CONN_READ, and every page of the data file is checked
 *               before LMDB reads it (verify, doctor: a damaged page is
 *               reported as XX001, not a crash).
 * Without --data and --url, PG* environment variables (PGHOST, PGPORT,
 * PGDATABASE, PGUSER, PGSERVICE) select a server through libpq's defaults.
 *
 * Results (ConnResult) follow the embedded API's shape: columns, rows pulled
 * one at a time as text, a command tag; from libpq they stream in
 * single-row mode.
 */
#ifndef DD_CLI_CONN_H
#define DD_CLI_CONN_H

#include <stddef.h>
#include <stdint.h>
#include "driftdb.h"

typedef struct Conn Conn;
typedef struct ConnResult ConnResult;

typedef enum ConnAccess { CONN_READ, CONN_MAYBE, CONN_WRITE, CONN_CHECK } ConnAccess;

/*
 * Opens data (a directory) or url (a libpq connection string or URI; "" for
 * the PG* environment).  Exactly one of them is non-NULL.  app names the
 * command in drift_commits (application_name).  Returns 0 and *out, or -1
 * with err filled (err->hint says what to do when a writer needs --url).
 */
int conn_open(const char *data, const char *url, ConnAccess access, const char *app,
              Conn **out, driftdb_error *err);
void conn_close(Conn *c);

/* 1 when talking to a server through libpq. */
int conn_remote(const Conn *c);
/* 1 when a data directory held by another process was opened read-only. */
int conn_beside_server(const Conn *c);
/* The server a remote connection reached, as "HOST:PORT, database DB, user
 * USER" (libpq's PQhost, PQport, PQdb, PQuser) into out; "" when embedded. */
void conn_server(const Conn *c, char *out, size_t n);
/* 'I' idle, 'T' in a transaction block, 'E' failed block (ReadyForQuery). */
char conn_txn_status(Conn *c);

/*
 * Runs the next statement of sql from *off, as driftdb_exec_next: returns
 * DRIFTDB_ROW_RESULT with *out, DRIFTDB_DONE, or DRIFTDB_ERROR with err.
 * Through libpq the rest of the text is sent as one simple query (the
 * statements of one string share an implicit transaction, as in the
 * embedded API), *off jumps to the end when it is done, and error positions
 * count from the start of sql.
 */
int conn_exec_next(Conn *c, const char *sql, size_t *off, ConnResult **out, driftdb_error *err);

/*
 * Runs every statement of sql, discarding rows.  Returns 0, or -1 with err
 * (the first error; later statements do not run).
 */
int conn_exec(Conn *c, const char *sql, driftdb_error *err);

/*
 * Runs a query expected to return one value; copies the first column of the
 * first row into out (size n; "" for NULL or no row).  Returns 0 or -1.
 */
int conn_query_value(Conn *c, const char *sql, char *out, size_t n, driftdb_error *err);

int conn_result_ncols(const ConnResult *r);
const char *conn_result_colname(const ConnResult *r, int i);
uint32_t conn_result_coltype(const ConnResult *r, int i);
int conn_result_has_rows(const ConnResult *r);
/* 1 = a row is ready, 0 = no more rows, -1 = error (err filled). */
int conn_result_next(ConnResult *r, driftdb_error *err);
/* Column i of the current row as text, or NULL for SQL NULL; valid until
 * the next conn_result_next / conn_result_free. */
const char *conn_result_value(ConnResult *r, int i, size_t *len);
/* The command tag, complete once the rows are done. */
const char *conn_result_tag(const ConnResult *r);
/* The i-th notice of an embedded statement, NULL past the last (libpq
 * notices print as they come). */
const char *conn_result_notice(const ConnResult *r, int i, const char **severity, const char **sqlstate);
/* The i-th notice an embedded statement raised before the error
 * conn_exec_next just returned for it, NULL past the last. */
const char *conn_error_notice(const Conn *c, int i, const char **severity, const char **sqlstate);
/* Frees r; unread rows are read and dropped first. */
void conn_result_free(ConnResult *r);

/*
 * COPY ... FROM STDIN, for ingest: conn_copy_begin runs sql (one COPY
 * statement), conn_copy_data sends a piece of the stream (any size),
 * conn_copy_end finishes it.  Each returns 0, or -1 with err filled
 * (err->context "COPY t, line N" or "lines A-B" for a bad row); after -1
 * the COPY is over.  conn_copy_abort abandons one in progress (57014).
 * Through libpq the server's error may only arrive at conn_copy_end.
 */
int conn_copy_begin(Conn *c, const char *sql, driftdb_error *err);
int conn_copy_data(Conn *c, const void *data, size_t len, driftdb_error *err);
int conn_copy_end(Conn *c, driftdb_error *err);
void conn_copy_abort(Conn *c, const char *why);

/* Fills err as a client-side error (SQLSTATE state, message). */
void conn_set_error(driftdb_error *err, const char *state, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
