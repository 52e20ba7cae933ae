/*
 * driftdb.h - the embedded API of DriftDB, the only public surface.
 *
 * Both binaries (driftdb CLI and driftdb-server) use nothing else.
 *
 * Objects and ownership:
 *   driftdb          an open database (one data directory).  Thread-safe:
 *                    any number of sessions on any threads.
 *   driftdb_session  one client's state: settings, transaction, snapshot.
 *                    Used by one thread at a time.  An UPDATE or DELETE
 *                    waits while another session's open transaction holds
 *                    one of its rows (as in PostgreSQL): two sessions driven
 *                    by one thread must not write the same rows, or the
 *                    thread waits for itself (until lock_timeout, if set).
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
    char context[256];  /* where it happened ("COPY t, line 17"); "" when none */
    /* the object it is about (a constraint violation's schema, table,
     * column, data type, constraint name); "" when none */
    char schema[64], table[64], column[64], datatype[64], constraint[64];
} driftdb_error;

typedef struct driftdb_options {
    int read_only;            /* open without taking the writer lock */
    size_t initial_map_size;  /* bytes; 0 = default.  The map grows by itself. */
    int max_sessions;         /* sessions open at once (a server's
                                 --max-connections), to size the data file's
                                 reader table; 0 = default (1024 slots) */
    int check_file;           /* check every page of the data file's trees
                                 before trusting them (a server's start):
                                 a damaged one fails the open with XX001 */
} driftdb_options;

/* Creates a new, empty database in dir (created if missing; must be empty
 * or missing) whose bootstrap superuser has the OS user's name.  Returns
 * DRIFTDB_OK or DRIFTDB_ERROR. */
int driftdb_init(const char *dir, driftdb_error *err);
/* The same with the bootstrap superuser called superuser (1..63 bytes;
 * NULL: the OS user's name), as `driftdb init DIR --superuser NAME`. */
int driftdb_init_superuser(const char *dir, const char *superuser, driftdb_error *err);

/* Opens the database in dir.  opts may be NULL.  Fails with a clear error
 * if dir is missing, not a DriftDB directory, corrupt, or open for writing
 * by another process. */
int driftdb_open(const char *dir, const driftdb_options *opts, driftdb **out,
                 driftdb_error *err);

/* The process that holds dir's writer lock, as the lock file names it
 * (its holder writes its pid there and clears it at a clean close): that
 * pid while such a process is alive, else 0.  Informative only (a pid a
 * crashed holder left may have been given to another process since); reads
 * the file and never takes the lock, so a server starting meanwhile is not
 * disturbed. */
long driftdb_lock_holder(const char *dir);
/* Closes db; all sessions must be closed first. */
void driftdb_close(driftdb *db);

/* Who a session is, recorded in every commit it makes (drift_commits).
 * Any field may be NULL. */
typedef struct driftdb_session_info {
    const char *user;
    const char *application_name;
    const char *client_addr;
    const char *database;
    /* pg_backend_pid(): the process id a server gave the client in
     * BackendKeyData; 0: this process's id */
    int backend_pid;
} driftdb_session_info;

/* A role as authentication needs it (driftdb_role_lookup). */
typedef struct driftdb_role_auth {
    int exists;
    int can_login;                /* LOGIN */
    int superuser;
    int connlimit;                /* CONNECTION LIMIT, -1: none */
    int has_valid_until;
    int64_t valid_until_us;       /* VALID UNTIL, Unix µs (INT64_MAX: infinity) */
    char password[256];           /* its verifier (SCRAM-SHA-256 or md5), "" none */
} driftdb_role_auth;
/* The role called name at the newest commit (out->exists 0: none).
 * Returns DRIFTDB_OK or DRIFTDB_ERROR. */
int driftdb_role_lookup(driftdb *db, const char *name, driftdb_role_auth *out, driftdb_error *err);
/* Whether role name is role group or a member of it, directly or through
 * other roles (pg_hba.conf's "+group"). */
int driftdb_role_is_member(driftdb *db, const char *name, const char *group);
/* 32 bytes derived from the database's id, the same across restarts: the
 * server keys the SCRAM exchanges it makes up for unknown roles with them.
 * (The id is readable by any role that has logged in, drift_database_id(),
 * who can read pg_roles anyway; a client that has not cannot learn it.) */
void driftdb_mock_auth_key(driftdb *db, uint8_t out[32]);

int driftdb_session_open(driftdb *db, const driftdb_session_info *info,
                         driftdb_session **out, driftdb_error *err);
/* Closes the session, rolling back an open transaction. */
void driftdb_session_close(driftdb_session *s);
/* The TLS of a session's connection, as pg_stat_ssl shows it; a server
 * sets it right after driftdb_session_open (a session without it shows
 * ssl false).  The strings are copied; NULL or "" for none (client_dn,
 * client_serial, issuer_dn: no client certificate). */
typedef struct driftdb_session_ssl {
    const char *version;          /* "TLSv1.3" */
    const char *cipher;
    int bits;
    const char *client_dn, *client_serial, *issuer_dn;
} driftdb_session_ssl;
/* Returns DRIFTDB_OK or DRIFTDB_ERROR (out of memory). */
int driftdb_session_set_ssl(driftdb_session *s, const driftdb_session_ssl *ssl, driftdb_error *err);
/* Asks the statement running in s (if any) to stop: it fails with 57014
 * "canceling statement due to user request" within milliseconds (every
 * operator loop checks).  Safe to call from any thread or a signal handler. */
void driftdb_session_cancel(driftdb_session *s);
/* Ends the session's work for good (a server shutting down): the running
 * statement, and every later one, fails with FATAL 57P01 "terminating
 * connection due to administrator command"; the caller then closes the
 * session.  Safe to call from any thread. */
void driftdb_session_terminate(driftdb_session *s);
/* Registers wake(arg), called when another session terminates s
 * (pg_terminate_backend) so that a connection waiting for its client
 * notices: it must not block, and is called with an internal lock held
 * (wake NULL: none).  Call before the session's first statement and with
 * NULL before releasing arg. */
void driftdb_session_on_terminate(driftdb_session *s, void (*wake)(void *arg), void *arg);
/* Whether s was terminated (driftdb_session_terminate, pg_terminate_backend). */
int driftdb_session_terminated(const driftdb_session *s);

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
/* When column i is a bare column of a table: the table's OID and the
 * column's number, as RowDescription gives them; else 0 and 0. */
void driftdb_result_colsource(const driftdb_result *r, int i, uint32_t *table_oid, int16_t *attnum);
/* 1 when the statement returns rows (even zero rows): a SELECT, VERIFY, ... */
int driftdb_result_has_rows(const driftdb_result *r);

/* Pulls the next row: 1 = a row is ready, 0 = no more rows, -1 = error
 * (err filled; the statement failed, and an open transaction is aborted). */
int driftdb_result_next(driftdb_result *r, driftdb_error *err);
/* Text form of column i of the current row (PostgreSQL's output format),
 * NUL-terminated, or NULL for SQL NULL.  *len (may be NULL) gets its length.
 * For a column set to binary (driftdb_result_set_binary), its binary form
 * (may hold NUL bytes: use *len).
 * Valid until the next driftdb_result_next or driftdb_result_free. */
const char *driftdb_result_value(driftdb_result *r, int i, size_t *len);
/* Command tag as PostgreSQL writes it: "SELECT 3", "INSERT 0 1",
 * "UPDATE 2", "CREATE TABLE", "BEGIN", ...  Complete once rows are done. */
const char *driftdb_result_tag(const driftdb_result *r);
/* Ends a result whose rows were not all read, as PostgreSQL ends a portal:
 * the statement's work stands, and when it was an autocommit statement its
 * transaction commits now.  Returns 0, or -1 with err filled when that
 * commit failed (40001, a full disk, ...): the statement's writes are then
 * lost.  A no-op returning 0 for a finished result; free it afterwards. */
int driftdb_result_close(driftdb_result *r, driftdb_error *err);
/* Frees a result, closing it first (driftdb_result_close) if unfinished:
 * an unfinished autocommit statement that wrote should be closed with
 * driftdb_result_close to learn whether it committed. */
void driftdb_result_free(driftdb_result *r);

/* A notice the statement raised (PostgreSQL's WARNING / NOTICE: "there is
 * no transaction in progress", "relation ... already exists, skipping"),
 * or NULL.  severity and sqlstate (may be NULL) get static / result-owned
 * strings.  Valid until driftdb_result_free. */
const char *driftdb_result_notice(const driftdb_result *r, const char **severity, const char **sqlstate);
/* The i-th notice of the statement (0 is driftdb_result_notice's), or
 * NULL past the last: a statement may raise several (ANALYZE skipping
 * each table it may not analyze). */
const char *driftdb_result_notice_at(const driftdb_result *r, int i, const char **severity, const char **sqlstate);
/* The i-th notice that a statement which failed raised before its error
 * (`DROP ROLE IF EXISTS a, b` skipping a, then failing on b), or NULL past
 * the last: PostgreSQL sends them ahead of the ErrorResponse.  Set when
 * driftdb_exec_next or driftdb_portal_exec returns DRIFTDB_ERROR; a
 * statement that fails later (driftdb_result_next, driftdb_copy_in_*)
 * keeps them in its result, for driftdb_result_notice_at.  Filtered by
 * client_min_messages; valid until the session's next statement. */
const char *driftdb_session_notice_at(const driftdb_session *s, int i, const char **severity,
                                      const char **sqlstate);

/*
 * Prepared statements and portals (the extended query protocol).
 *
 *   driftdb_stmt    one SQL statement (or none: an empty string) with $n
 *                   parameters, parsed and analyzed once by driftdb_prepare:
 *                   its parameter types (declared, or inferred from context
 *                   as PostgreSQL does: text in a select list, 42P18 when
 *                   no context decides) and its result columns.  Statements of one session are used by
 *                   that session only; freed with driftdb_stmt_free.
 *   driftdb_portal  a statement with its parameter values (driftdb_bind).
 *                   It keeps its statement alive.  Running it
 *                   (driftdb_portal_exec) gives an ordinary driftdb_result.
 *
 * Outside a transaction block, the statements run through portals between
 * two driftdb_session_sync calls form one implicit transaction, as
 * PostgreSQL's extended protocol does between two Syncs: nothing commits
 * before driftdb_session_sync, and an error rolls all of it back.
 * The statement is planned again at every driftdb_portal_exec.
 */
typedef struct driftdb_stmt driftdb_stmt;
typedef struct driftdb_portal driftdb_portal;

/* A result column as RowDescription reports it. */
typedef struct driftdb_column {
    const char *name;
    uint32_t type_oid;
    int16_t typlen;
    int32_t typmod;
    uint32_t table_oid;   /* a bare column of a table: the table's OID and the */
    int16_t attnum;       /* column's number (pg_attribute's), else 0 and 0 */
} driftdb_column;

/* A parameter value for driftdb_bind. */
typedef struct driftdb_param {
    const char *data;   /* NULL: SQL NULL */
    size_t len;
    int binary;         /* 0: text form (need not be NUL-terminated);
                           1: PostgreSQL's binary form of the parameter's type */
} driftdb_param;

/*
 * Parses and analyzes sql[0..len) (one statement at most: 42601 otherwise)
 * against the session's current catalog.  types[0..ntypes): declared
 * parameter type OIDs, 0 to infer; an OID DriftDB has no type for is
 * 0A000.  Errors as driftdb_exec_next (syntax, unknown table, ...); in a
 * failed transaction block only COMMIT / ROLLBACK can be prepared (25P02).
 * Does not free the session's current result.
 */
int driftdb_prepare(driftdb_session *s, const char *sql, size_t len, int ntypes,
                    const uint32_t *types, driftdb_stmt **out, driftdb_error *err);
/* Number of parameters (the highest $n used, or ntypes if more) and the
 * type OID of parameter i (0-based). */
int driftdb_stmt_nparams(const driftdb_stmt *st);
uint32_t driftdb_stmt_param_type(const driftdb_stmt *st, int i);
/* Result columns: returns their number and sets *cols (valid while st
 * lives); *has_rows 0 for statements without rows (NoData). */
int driftdb_stmt_columns(const driftdb_stmt *st, int *has_rows, const driftdb_column **cols);
/* 1 when the statement text holds no statement (EmptyQueryResponse). */
int driftdb_stmt_is_empty(const driftdb_stmt *st);
/* How many runs of st used the plan kept from an earlier run (generic: a
 * plan for any parameter values, as PostgreSQL's) and how many were
 * planned for their own values (custom), as pg_prepared_statements
 * counts them. */
void driftdb_stmt_plans(const driftdb_stmt *st, uint64_t *generic, uint64_t *custom);
/* Drops the caller's reference; portals keep the statement until freed. */
void driftdb_stmt_free(driftdb_stmt *st);

/*
 * Binds parameter values: n must equal driftdb_stmt_nparams (08P01
 * otherwise); each value is converted to its parameter's type now: text
 * with the type's input function (22P02, 22003, ...), binary with its
 * receive function (as PostgreSQL: 08P01 when the value is too short,
 * 22P03 when it is too long or malformed).
 */
int driftdb_bind(driftdb_session *s, driftdb_stmt *st, int n, const driftdb_param *params,
                 driftdb_portal **out, driftdb_error *err);
/* Result columns of the portal (analyzed with its parameter values, so a
 * FOR SYSTEM_TIME AS OF $1 query describes the columns of that time).
 * Returns the number of columns, or -1 with err filled. */
int driftdb_portal_columns(driftdb_session *s, driftdb_portal *p, int *has_rows,
                           const driftdb_column **cols, driftdb_error *err);
/* Runs the portal's statement: DRIFTDB_ROW_RESULT with *out (a result as
 * from driftdb_exec_next), DRIFTDB_DONE for an empty statement, or
 * DRIFTDB_ERROR.  When the portal was described, a result whose columns
 * differ from the description fails with 0A000. */
int driftdb_portal_exec(driftdb_session *s, driftdb_portal *p, driftdb_result **out,
                        driftdb_error *err);
/* Tells portal p that an Execute sent the client nrows more of its rows,
 * at_end when they were its last (CommandComplete rather than
 * PortalSuspended): the position a SQL FETCH / MOVE ABSOLUTE or RELATIVE
 * of the portal counts from, as PostgreSQL's (its portalPos, atEnd). */
void driftdb_portal_advance(driftdb_portal *p, uint64_t nrows, int at_end);
void driftdb_portal_free(driftdb_portal *p);

/*
 * SQL FETCH, MOVE and CLOSE name a client's protocol portals too, when no
 * cursor has the name: in PostgreSQL cursors are portals, and drivers use
 * it (asyncpg's Cursor.forward sends MOVE FORWARD n FROM "portal").  The
 * server owns its portals and gives the session these callbacks (arg is
 * its own), which the engine calls while such a statement runs:
 *   find   the portal named name, or NULL; *state one of DRIFTDB_PORTAL_*
 *   take   up to n rows (n < 0: all) of a HELD portal, in order, passing
 *          each row's fields, in the portal's result formats, to row
 *          (NULL: skipped, only counted); returns how many, or -1 when
 *          row failed
 *   close  drops the portal (CLOSE name)
 * A portal still NEW is run by the engine at the first FETCH / MOVE,
 * which keeps its rows; driftdb_portal_exec then returns the rows left.
 */
enum {
    DRIFTDB_PORTAL_NEW,      /* not run by the server yet */
    DRIFTDB_PORTAL_HELD,     /* run part way; the rows left are the server's */
    DRIFTDB_PORTAL_DONE,     /* ran to completion: no rows left */
    DRIFTDB_PORTAL_FAILED,   /* closed by an error: cannot run */
    DRIFTDB_PORTAL_ACTIVE,   /* the one running the statement */
};
typedef struct driftdb_portal_hooks {
    driftdb_portal *(*find)(void *arg, const char *name, int *state);
    long (*take)(void *arg, const char *name, long n, int (*row)(void *rarg, const driftdb_param *fields, int nfields),
                 void *rarg);
    void (*close)(void *arg, const char *name);
    void *arg;
} driftdb_portal_hooks;
/* Gives s the server's portal callbacks (copied); NULL: none. */
void driftdb_session_set_portal_hooks(driftdb_session *s, const driftdb_portal_hooks *hooks);

/* The columns a FETCH from SQL cursor `name` (DECLARE) returns, as a
 * client asks by describing the cursor as a portal: the number of
 * columns, or -1 (34000 when there is no such cursor) with err filled.
 * The columns live as long as the cursor. */
int driftdb_cursor_columns(driftdb_session *s, const char *name, const driftdb_column **cols,
                           driftdb_error *err);

/* Ends the implicit transaction of the portals run since the last sync:
 * frees the session's current result and commits (the commit may fail:
 * DRIFTDB_ERROR).  In a transaction block it does nothing: the block and
 * its open result go on. */
int driftdb_session_sync(driftdb_session *s, driftdb_error *err);

/* Fails the transaction because of an error the caller found (a row too
 * large to send, a client's mistake): the implicit transaction is rolled
 * back, a block becomes failed (25P02 until ROLLBACK).  Frees the current
 * result.  Every DRIFTDB_ERROR from driftdb_prepare, driftdb_bind,
 * driftdb_portal_columns and driftdb_portal_exec does this too. */
void driftdb_session_fail(driftdb_session *s);

/* Asks for column i of r in PostgreSQL's binary format (before the first
 * driftdb_result_next); driftdb_result_value then returns those bytes. */
void driftdb_result_set_binary(driftdb_result *r, int i, int binary);

/*
 * COPY.  A COPY statement run by driftdb_exec_next or driftdb_portal_exec
 * gives a result for which driftdb_result_copy returns 'o' (COPY ... TO
 * STDOUT); *binary is 1 for FORMAT binary, *ncols the number of columns
 * (for 'i' below: the columns it reads).  Other results: 0.
 * driftdb_copy_out_next then hands out the COPY stream one piece at a time
 * (the header, one row, the binary trailer): 1 with *data / *len valid
 * until the next call, 0 at the end (the tag is then "COPY n"), -1 on an
 * error (err filled; the statement failed).
 */
int driftdb_result_copy(const driftdb_result *r, int *binary, int *ncols);
int driftdb_copy_out_next(driftdb_result *r, const char **data, size_t *len, driftdb_error *err);
/*
 * COPY ... FROM STDIN: driftdb_result_copy returns 'i'.  The caller feeds
 * the stream in pieces of any size (driftdb_copy_in_data), then ends it
 * (driftdb_copy_in_end: the last rows are inserted and an implicit
 * transaction commits, a portal's at driftdb_session_sync; the tag is
 * "COPY n") or abandons it
 * (driftdb_copy_in_fail: 57014 "COPY from stdin failed: why").  Each
 * returns 0 or -1 with err filled (a bad row: 22P02 / 22P04 with
 * err->context "COPY t, line N"); after -1 the COPY has failed as a whole,
 * nothing of it is committed, and the caller frees the result.
 */
int driftdb_copy_in_data(driftdb_result *r, const void *data, size_t len, driftdb_error *err);
int driftdb_copy_in_end(driftdb_result *r, driftdb_error *err);
void driftdb_copy_in_fail(driftdb_result *r, const char *why, driftdb_error *err);

/* Transaction status for ReadyForQuery: 'I' idle, 'T' in a transaction
 * block, 'E' in a failed transaction block. */
char driftdb_session_txn_status(const driftdb_session *s);

/* The session is about to wait for its client (idle in a transaction):
 * its transaction lets go of what it holds in the data file, so that
 * however long it waits, pages that concurrent writers free are reused and
 * the file does not grow for it.  The transaction's snapshot is unchanged:
 * its next statement reads the same database state (through history when
 * commits landed meanwhile, which costs more per row read).  Cheap; does
 * nothing while a statement's result is open. */
void driftdb_session_idle(driftdb_session *s);

/* A session setting's current value (e.g. "TimeZone", "DateStyle",
 * "server_version", "client_encoding"), or NULL if unknown.  The string is
 * owned by the session and valid until the setting changes. */
const char *driftdb_session_setting(driftdb_session *s, const char *name);
/* A number that changes whenever a setting of s may have changed value
 * (SET, RESET, a transaction's end undoing SET LOCAL): what was read of
 * the settings is still current while it stays the same. */
uint64_t driftdb_session_settings_version(const driftdb_session *s);

/* The settings' current values become what RESET (and RESET ALL) return
 * to, as PostgreSQL keeps a client's startup parameters: the server calls
 * it once the startup packet's settings are applied.  Returns DRIFTDB_OK or
 * DRIFTDB_ERROR (out of memory). */
int driftdb_session_keep_settings(driftdb_session *s);

/* A server's configuration value of a session setting (as postgresql.conf
 * gives one; e.g. "log_min_duration_statement", which only a superuser may
 * SET): checked as SET checks it, without SET's privilege check.  It
 * becomes what RESET returns to, and the current value unless the session
 * SET another one.  Also the server's own read-only settings, which no
 * session may SET: "port", "max_connections", "ssl" ("on" / "off").  A
 * server calls it at session open, and again when its configuration is
 * reloaded.  Returns DRIFTDB_OK, or DRIFTDB_ERROR (an unknown or read-only
 * name, a bad value, out of memory). */
int driftdb_session_config(driftdb_session *s, const char *name, const char *value);

/* A histogram: count[i] observations <= le[i] (and > le[i - 1]) for i < n,
 * count[n] above le[n - 1]; sum of all observations. */
#define DRIFTDB_HIST_MAX 16
typedef struct driftdb_histogram {
    int n;
    uint64_t le[DRIFTDB_HIST_MAX];
    uint64_t count[DRIFTDB_HIST_MAX + 1];
    uint64_t sum;
} driftdb_histogram;

/* Statistics since driftdb_open, for the closing notes and /metrics. */
typedef struct driftdb_stats {
    uint64_t head_seq;
    uint64_t commits;       /* commits since open */
    uint64_t batches;       /* LMDB write transactions since open */
    uint64_t map_size;      /* current LMDB map size in bytes */
    uint64_t flushes;       /* fdatasync calls on the database's files */
    uint64_t checkpoints;   /* of the commit log */
    uint64_t file_bytes;    /* the size of the data file */
    uint64_t reader_slots;  /* LMDB reader slots in use (open snapshots) */
    uint64_t reader_waits;  /* snapshots that waited for the map to grow */
    uint64_t lock_waits;    /* row, table and advisory lock waits that ended */
    uint64_t lock_wait_us;  /* their total time */
    driftdb_histogram commit_us;    /* commit request to durable answer, µs */
    driftdb_histogram batch_size;   /* commits per group (one flush each) */
} driftdb_stats;
void driftdb_get_stats(driftdb *db, driftdb_stats *out);

/* DRIFTDB_OK when db takes commits (open writable, no failed write, the
 * disk not full); else DRIFTDB_ERROR with the reason in err. */
int driftdb_writable(driftdb *db, driftdb_error *err);

/* The size of one table of the present (drift_tables' figures). */
typedef struct driftdb_table_stat {
    const char *schema, *name;
    int64_t live_rows, versions;
    int64_t live_bytes, history_bytes, index_bytes;
} driftdb_table_stat;
/* Calls fn for every table of the present, from one snapshot; stops at
 * fn's first nonzero return and returns it.  Reads every table's rows,
 * versions and index entries: its cost grows with the database. */
int driftdb_table_stats(driftdb *db, int (*fn)(void *arg, const driftdb_table_stat *t), void *arg,
                        driftdb_error *err);

/*
 * Checks the whole commit log (every record's CRC32C, the SHA-256 hash
 * chain) and every structure a query reads against it: versions, present
 * rows, secondary index entries, commit times, the catalog, meta, LMDB's
 * meta pages.  *checked gets the number of commits checked; *first_bad the
 * first bad seq (0 if none).  Returns DRIFTDB_OK when all is well,
 * DRIFTDB_ERROR with err (SQLSTATE XX001, naming table, key and seq) at
 * the first problem.  Renews its read snapshot every few thousand entries,
 * so it does not hold back writers.
 */
int driftdb_verify(driftdb *db, uint64_t *checked, uint64_t *first_bad,
                   driftdb_error *err);

typedef struct driftdb_backup_info {
    uint64_t raw_bytes;    /* bytes of the database's file image */
    uint64_t file_bytes;   /* bytes of the backup file (restore: of all the files read) */
    uint64_t head_seq;     /* the head seq the backup holds (restore: of the restored database) */
    uint64_t pages;        /* pages of the image */
    uint64_t pages_copied; /* backup: pages written (incremental: those changed since its base) */
    uint32_t files;        /* restore: backup files read (1 + incremental ones) */
    int verified;          /* restore: the result passed driftdb_verify */
} driftdb_backup_info;

/*
 * Writes a consistent copy of the whole database (all history) to the
 * file `path`, compressed with zstd and checksummed (SHA-256 of every
 * page); works on a database opened read-only beside a running server.
 * path must not exist; on failure nothing is left there.
 */
/* The same, calling progress(arg, done, total) as it copies: bytes of the
 * database copied so far, and the most it will copy (the last call has
 * done == total).  progress NULL: driftdb_backup. */
int driftdb_backup_progress(driftdb *db, const char *path, void (*progress)(void *arg, uint64_t done, uint64_t total),
                            void *arg, driftdb_backup_info *info, driftdb_error *err);
int driftdb_backup(driftdb *db, const char *path, driftdb_backup_info *info,
                   driftdb_error *err);
/* since (or NULL): an earlier backup of the same database, in the same
 * directory as path: an incremental backup, holding only the pages that
 * changed since it (restore reads it, then its base, found by name beside
 * it, and so on back to a full backup).  flags DRIFTDB_BACKUP_COMPACT
 * (without since): only the pages in use, renumbered, so that a restore
 * of it is as small as can be; no incremental backup can follow it. */
#define DRIFTDB_BACKUP_COMPACT 1
int driftdb_backup_ex(driftdb *db, const char *path, const char *since, int flags,
                      void (*progress)(void *arg, uint64_t done, uint64_t total), void *arg,
                      driftdb_backup_info *info, driftdb_error *err);
/*
 * Restores a backup into the data directory dir, which must not exist or
 * be empty (flags DRIFTDB_RESTORE_FORCE: may hold a database, not open by
 * any process, that is replaced).  until_seq > 0 restores the database as
 * it was at that seq (later history dropped; 22023 when the backup does
 * not hold it).  The result is verified (driftdb_verify) before this
 * returns OK, unless flags has DRIFTDB_RESTORE_NO_VERIFY (a backup of a
 * database already damaged, restored to read what it holds); a truncated,
 * damaged or foreign file gives XX001 and writes nothing.
 */
#define DRIFTDB_RESTORE_FORCE 1
#define DRIFTDB_RESTORE_NO_VERIFY 2
int driftdb_restore(const char *path, const char *dir, int flags, uint64_t until_seq,
                    driftdb_backup_info *info, driftdb_error *err);
/* The same as it was at a point in time: until_time is a timestamptz as
 * SQL reads it ('2026-12-06 04:55:25+00'; without a zone, in UTC), and the
 * restore keeps the commits made at or before it (drift_seq_at), all of
 * them when it is at or after the last.  22023 when no commit is that old,
 * 22007 / 22008 for a time SQL does not read. */
int driftdb_restore_until_time(const char *path, const char *dir, int flags, const char *until_time,
                               driftdb_backup_info *info, driftdb_error *err);

/* Version string, e.g. "0.1.0". */
const char *driftdb_version(void);

#ifdef __cplusplus
}
#endif
#endif
