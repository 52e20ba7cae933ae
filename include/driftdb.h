/*
 * driftdb.h - the embedded API of DriftDB, the only public surface.
 *
 * Both binaries (driftdb CLI and driftdb-server) use nothing else.
 *
 * Objects and ownership:
 *   driftdb          an open database (one data directory).  Thread-safe:
 *                    any number of sessions on any threads.
 *   driftdb_session  one client's state: settings, transaction, snapshot.
 *                    Used by one thread at a time.
 *   driftdb_result   the result of one statement: rows (pulled one at a
 *                    time) and a command tag.  Belongs to its session; it
 *                    must be freed before the session runs another
 *                    statement.
 *
 * Errors: functions return 0 (DRIFTDB_OK) or a negative/positive status
 * documented per function and fill a driftdb_error with SQLSTATE, message,
 * detail, hint and position (1-based byte offset into the SQL text given to
 * driftdb_exec_next, 0 when none), as PostgreSQL's ErrorResponse does.
 *
 * Running SQL: a string may hold several statements separated by ';'.
 *
 *     size_t off = 0;
 *     driftdb_result *r;
 *     int rc;
 *     while ((rc = driftdb_exec_next(s, sql, &off, &r, &err)) == DRIFTDB_ROW_RESULT) {
 *         while ((rc = driftdb_result_next(r, &err)) == 1) { ...values... }
 *         if (rc < 0) { report err; }   // error while producing rows
 *         printf("%s\n", driftdb_result_tag(r));
 *         driftdb_result_free(r);
 *     }
 *     if (rc == DRIFTDB_ERROR) { report err; }   // stops at the first error
 *     // rc == DRIFTDB_DONE: no statement left
 */
#ifndef DRIFTDB_H
#define DRIFTDB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct driftdb driftdb;
typedef struct driftdb_session driftdb_session;
typedef struct driftdb_result driftdb_result;

#define DRIFTDB_OK 0
#define DRIFTDB_ERROR (-1)
#define DRIFTDB_DONE 1        /* driftdb_exec_next: no statement left */
#define DRIFTDB_ROW_RESULT 2  /* driftdb_exec_next: *out is a result */

typedef struct driftdb_error {
    char sqlstate[6];   /* e.g. "42601" */
    char message[512];
    char detail[512];   /* "" when none */
    char hint[512];     /* "" when none */
    int position;       /* 1-based byte offset into the SQL text; 0 none */
    const char *severity; /* "ERROR" or "FATAL" (static string) */
} driftdb_error;

typedef struct driftdb_options {
    int read_only;            /* open without taking the writer lock */
    size_t initial_map_size;  /* bytes; 0 = default.  The map grows by itself. */
} driftdb_options;

/* Creates a new, empty database in dir (created if missing; must be empty
 * or missing).  Returns DRIFTDB_OK or DRIFTDB_ERROR. */
int driftdb_init(const char *dir, driftdb_error *err);

/* Opens the database in dir.  opts may be NULL.  Fails with a clear error
 * if dir is missing, not a DriftDB directory, corrupt, or open for writing
 * by another process. */
int driftdb_open(const char *dir, const driftdb_options *opts, driftdb **out,
                 driftdb_error *err);
/* Closes db; all sessions must be closed first. */
void driftdb_close(driftdb *db);

/* Who a session is, recorded in every commit it makes (drift_commits).
 * Any field may be NULL. */
typedef struct driftdb_session_info {
    const char *user;
    const char *application_name;
    const char *client_addr;
    const char *database;
} driftdb_session_info;

int driftdb_session_open(driftdb *db, const driftdb_session_info *info,
                         driftdb_session **out, driftdb_error *err);
/* Closes the session, rolling back an open transaction. */
void driftdb_session_close(driftdb_session *s);

/*
 * Runs the next statement of sql starting at byte *offset, and advances
 * *offset past it (and its ';').  Returns DRIFTDB_ROW_RESULT with *out set,
 * DRIFTDB_DONE when only whitespace/comments remain, or DRIFTDB_ERROR with
 * err filled (error position relative to the start of sql).  After an
 * error, *offset is past the failed statement.
 *
 * Every statement yields a result: a query has columns and rows; other
 * statements have 0 columns and only a tag.
 */
int driftdb_exec_next(driftdb_session *s, const char *sql, size_t *offset,
                      driftdb_result **out, driftdb_error *err);

/* Number of columns (0 for statements that return no rows). */
int driftdb_result_ncols(const driftdb_result *r);
/* Column name, PostgreSQL type OID, typlen and typmod of column i. */
const char *driftdb_result_colname(const driftdb_result *r, int i);
uint32_t driftdb_result_coltype(const driftdb_result *r, int i);
int driftdb_result_coltyplen(const driftdb_result *r, int i);
int32_t driftdb_result_coltypmod(const driftdb_result *r, int i);
/* 1 when the statement returns rows (even zero rows): a SELECT, VERIFY, ... */
int driftdb_result_has_rows(const driftdb_result *r);

/* Pulls the next row: 1 = a row is ready, 0 = no more rows, -1 = error
 * (err filled; the statement failed, and an open transaction is aborted). */
int driftdb_result_next(driftdb_result *r, driftdb_error *err);
/* Text form of column i of the current row (PostgreSQL's output format),
 * NUL-terminated, or NULL for SQL NULL.  *len (may be NULL) gets its length.
 * Valid until the next driftdb_result_next or driftdb_result_free. */
const char *driftdb_result_value(driftdb_result *r, int i, size_t *len);
/* Command tag as PostgreSQL writes it: "SELECT 3", "INSERT 0 1",
 * "UPDATE 2", "CREATE TABLE", "BEGIN", ...  Complete once rows are done. */
const char *driftdb_result_tag(const driftdb_result *r);
void driftdb_result_free(driftdb_result *r);

/* A notice the statement raised (PostgreSQL's WARNING / NOTICE: "there is
 * no transaction in progress", "relation ... already exists, skipping"),
 * or NULL.  severity and sqlstate (may be NULL) get static / result-owned
 * strings.  Valid until driftdb_result_free. */
const char *driftdb_result_notice(const driftdb_result *r, const char **severity, const char **sqlstate);

/* Transaction status for ReadyForQuery: 'I' idle, 'T' in a transaction
 * block, 'E' in a failed transaction block. */
char driftdb_session_txn_status(const driftdb_session *s);

/* A session setting's current value (e.g. "TimeZone", "DateStyle",
 * "server_version", "client_encoding"), or NULL if unknown.  The string is
 * owned by the session and valid until the setting changes. */
const char *driftdb_session_setting(driftdb_session *s, const char *name);

/* Statistics for the closing notes and /metrics. */
typedef struct driftdb_stats {
    uint64_t head_seq;
    uint64_t commits;       /* commits since open */
    uint64_t batches;       /* LMDB write transactions since open */
    uint64_t map_size;      /* current LMDB map size in bytes */
} driftdb_stats;
void driftdb_get_stats(driftdb *db, driftdb_stats *out);

/*
 * Checks the whole commit log: every record's CRC32C, the SHA-256 hash
 * chain, and the row images the log points at.  *checked gets the number of
 * commits checked; *first_bad the first bad seq (0 if none).  Returns
 * DRIFTDB_OK when all is well, DRIFTDB_ERROR with err (SQLSTATE XX001) at
 * the first bad record.
 */
int driftdb_verify(driftdb *db, uint64_t *checked, uint64_t *first_bad,
                   driftdb_error *err);

/* Version string, e.g. "0.1.0". */
const char *driftdb_version(void);

#ifdef __cplusplus
}
#endif
#endif
