/*
 * slt.c - the sqllogictest runner: runs the tests/sql .test files, each
 * against a fresh database in a temporary directory (removed afterwards
 * unless --keep), in one of two modes that share the record parser and the
 * result comparison (run_file) and differ only in the backend functions
 * (be_open, be_close, be_run_sql):
 *
 *   slt [--keep] FILE...                     through the embedded API
 *   slt [--keep] --server BUILD_DIR FILE...  through BUILD_DIR/driftdb-server
 *                                            and libpq (simple query protocol)
 *   slt --postgres PORT FILE...              against a real PostgreSQL on
 *                                            127.0.0.1:PORT (user postgres):
 *                                            the differential check
 *
 * PostgreSQL mode: only files holding the line "# postgres: compare" run
 * (the others are skipped, counted nowhere); each gets a fresh database
 * (CREATE DATABASE slt_PID, dropped afterwards) and its connections run
 * with TimeZone UTC.  There we are "postgresql" for skipif / onlyif (not
 * "driftdb"), so a file marks what is DriftDB's own (FOR SYSTEM_TIME,
 * drift_*, VERIFY, document-style tables) with `onlyif driftdb`, and the
 * rest must give PostgreSQL's own answers and SQLSTATEs.  `reopen` only
 * reconnects.
 *
 * Server mode: per file, driftdb_init makes DIR/db, BUILD_DIR/driftdb-server
 * --data-path DIR/db --listen 127.0.0.1:PORT starts on a free port (another
 * port when it was taken meanwhile; its stderr goes to DIR/server.N.log),
 * and each `connection NAME` is one libpq connection (user slt, dbname
 * slt, application_name NAME: the same session info as the embedded mode).
 * A record's SQL is one Query message; the results are read as PQexec
 * does, but strictly: the last result's rows count, the first error is the
 * record's error, and a result after an error, an error without SQLSTATE
 * or a lost connection fails the record whatever it expected.  `reopen`
 * stops the server (SIGTERM) and starts it again on the same directory.
 * At the end the server gets SIGTERM; an exit status other than 0, a
 * death during the file or a sanitizer report in its log fails the file.
 * SIGTERM is PostgreSQL's smart shutdown, which waits for the clients to
 * leave: every connection is closed before it, so the server must end at
 * once (and one that waits on a session it should have ended fails).
 *
 * Records (separated by blank lines; '#' starts a comment line):
 *   statement ok | statement error [SQLSTATE] [message substring]
 *   query <types> [nosort|rowsort|valuesort] [label]  SQL ---- expected rows
 *   query error [SQLSTATE] [message substring]
 * Directives (one line): halt, skipif NAME / onlyif NAME (NAME "driftdb"
 * is us in both modes, "driftdb-embedded" / "driftdb-server" one mode),
 * hash-threshold N (ignored), reopen (close and reopen the database),
 * connection NAME (switch session; created on first use), sleep MS.
 *
 * A record's SQL may hold several statements; all run, and a query
 * compares the rows of the last one.  Values print as text, NULL as
 * "NULL", the empty string as "(empty)"; a row is its values joined by
 * single spaces, one row per expected line (valuesort: one value per
 * line).  Trailing white space is ignored on both sides.
 *
 * Each file runs in a child process, so a crash fails that file only.
 * Output: details of every mismatch, "ok FILE (N records)" or "FAIL FILE
 * ...", and a closing "N passed, N failed" counting records.  Exit status
 * 1 when any record failed.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "driftdb.h"

#define MAX_CONNS 32
#define DEFAULT_TIMEOUT_S 300
#define SERVER_START_TIMEOUT_MS 30000
#define SERVER_STOP_TIMEOUT_MS 30000

/* run_sql / be_run_sql: 0 ok, RUN_ERROR an SQL error (err filled, compared
 * with what the record expects), RUN_BROKEN a failure of the transport or
 * the protocol (err filled; the record fails whatever it expected). */
#define RUN_ERROR (-1)
#define RUN_BROKEN (-2)

typedef struct Conn {
    char name[64];
    driftdb_session *s;   /* embedded mode */
    PGconn *pg;           /* server mode */
} Conn;

typedef struct Slt {
    const char *file;
    char dir[4096];       /* the temporary directory */
    char dbdir[4200];     /* the database: dir (embedded) or dir/db (server) */
    const char *server;   /* server mode: the build directory; NULL embedded */
    int pgport;           /* PostgreSQL mode: its port; 0 otherwise */
    char pgdb[64];        /* PostgreSQL mode: this file's database */
    pid_t spid;           /* the running server, 0 none */
    int sport;
    int nstarts;          /* server starts so far (names the logs) */
    char slog[4300];      /* the log of the running server */
    int dead;             /* the server died: the file cannot go on */
    driftdb *db;
    Conn conns[MAX_CONNS];
    int nconns;
    int cur;        /* index into conns */
    int npass, nfail;
} Slt;

/* Rows of the last result, as strings. */
typedef struct Rows {
    int ncols;
    char **vals;   /* nrows * ncols values, already in display form */
    size_t nvals, cap;
} Rows;

static void rows_free(Rows *r)
{
    for (size_t i = 0; i < r->nvals; i++) free(r->vals[i]);
    free(r->vals);
    memset(r, 0, sizeof *r);
}

static void rows_add(Rows *r, const char *v)
{
    if (r->nvals == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->vals = realloc(r->vals, r->cap * sizeof *r->vals);
        if (!r->vals) { perror("slt"); exit(2); }
    }
    r->vals[r->nvals++] = strdup(v);
}

static void fail_header(Slt *t, int line, const char *sql)
{
    printf("FAIL %s:%d\n  sql: ", t->file, line);
    for (const char *p = sql; *p; p++) {
        putchar(*p);
        if (*p == '\n') fputs("       ", stdout);
    }
    putchar('\n');
}

/* ---- embedded backend --------------------------------------------------- */

static driftdb_session *session(Slt *t, driftdb_error *err)
{
    Conn *c = &t->conns[t->cur];
    if (!c->s) {
        driftdb_session_info info = {"slt", c->name, NULL, NULL, 0};
        if (driftdb_session_open(t->db, &info, &c->s, err) != DRIFTDB_OK) {
            c->s = NULL;
            return NULL;
        }
    }
    return c->s;
}

static void close_all(Slt *t)
{
    for (int i = 0; i < t->nconns; i++) {
        if (t->conns[i].s) driftdb_session_close(t->conns[i].s);
        t->conns[i].s = NULL;
    }
    if (t->db) driftdb_close(t->db);
    t->db = NULL;
}

static int open_db(Slt *t, driftdb_error *err)
{
    return driftdb_open(t->dbdir, NULL, &t->db, err) == DRIFTDB_OK ? 0 : -1;
}

/*
 * Runs all statements of sql on the current connection.  Returns 0 with
 * the last result's rows in *rows (when rows != NULL), or RUN_ERROR with
 * err filled at the first error.
 */
static int run_sql(Slt *t, const char *sql, Rows *rows, driftdb_error *err)
{
    driftdb_session *s = session(t, err);
    if (!s) return RUN_ERROR;
    size_t off = 0;
    int rc;
    driftdb_result *r;
    while ((rc = driftdb_exec_next(s, sql, &off, &r, err)) == DRIFTDB_ROW_RESULT) {
        if (rows) {
            rows_free(rows);
            rows->ncols = driftdb_result_ncols(r);
        }
        int more;
        while ((more = driftdb_result_next(r, err)) == 1) {
            if (!rows) continue;
            for (int i = 0; i < rows->ncols; i++) {
                size_t len = 0;
                const char *v = driftdb_result_value(r, i, &len);
                rows_add(rows, !v ? "NULL" : len == 0 ? "(empty)" : v);
            }
        }
        driftdb_result_free(r);
        if (more < 0) return RUN_ERROR;
    }
    return rc == DRIFTDB_DONE ? 0 : RUN_ERROR;
}

/* ---- server backend ------------------------------------------------------ */

static volatile pid_t g_server_pid;   /* for the timeout handler */

static void set_error(driftdb_error *e, const char *state, const char *fmt, const char *arg)
{
    memset(e, 0, sizeof *e);
    snprintf(e->sqlstate, sizeof e->sqlstate, "%s", state);
    snprintf(e->message, sizeof e->message, fmt, arg ? arg : "");
    size_t n = strlen(e->message);
    while (n > 0 && isspace((unsigned char)e->message[n - 1])) e->message[--n] = '\0';
}

/* Prints the last lines of the running (or last) server's log. */
static void print_server_log(Slt *t)
{
    FILE *f = fopen(t->slog, "r");
    if (!f) return;
    char *lines[40] = {0};
    size_t n = 0;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) >= 0) {
        free(lines[n % 40]);
        lines[n % 40] = strdup(line);
        n++;
    }
    free(line);
    fclose(f);
    printf("  server log %s%s:\n", t->slog, n > 40 ? " (last 40 lines)" : "");
    for (size_t i = n > 40 ? n - 40 : 0; i < n; i++) printf("    %s", lines[i % 40]);
    for (size_t i = 0; i < 40; i++) free(lines[i]);
}

/* A port that was free a moment ago (the kernel picks it), or 0. */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    int port = 0;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &al) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* 1 when file holds needle. */
static int file_contains(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char *line = NULL;
    size_t cap = 0;
    int found = 0;
    while (!found && getline(&line, &cap, f) >= 0) found = strstr(line, needle) != NULL;
    free(line);
    fclose(f);
    return found;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

/* Starts the server on dbdir and waits until it listens.  Returns 0, or -1
 * with err filled. */
static int server_start(Slt *t, driftdb_error *err)
{
    char bin[4200];
    snprintf(bin, sizeof bin, "%s/driftdb-server", t->server);
    for (int attempt = 0; attempt < 8; attempt++) {
        int port = free_port();
        if (!port) { set_error(err, "", "cannot find a free port: %s", strerror(errno)); return -1; }
        t->nstarts++;
        snprintf(t->slog, sizeof t->slog, "%s/server.%d.log", t->dir, t->nstarts);
        char listen[64];
        snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) { set_error(err, "", "fork: %s", strerror(errno)); return -1; }
        if (pid == 0) {
            /* The server must not outlive us (a crash or a timeout here). */
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            int fd = open(t->slog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            if (fd >= 0) {
                dup2(fd, STDOUT_FILENO);
                dup2(fd, STDERR_FILENO);
            }
            signal(SIGALRM, SIG_DFL);
            execl(bin, bin, "--data-path", t->dbdir, "--listen", listen, (char *)NULL);
            fprintf(stderr, "exec %s: %s\n", bin, strerror(errno));
            _exit(127);
        }
        t->spid = pid;
        g_server_pid = pid;
        t->sport = port;
        int status = 0, exited = 0;
        for (int waited = 0; waited < SERVER_START_TIMEOUT_MS; waited += 10) {
            if (file_contains(t->slog, "listening on")) return 0;
            if (waitpid(pid, &status, WNOHANG) == pid) { exited = 1; break; }
            sleep_ms(10);
        }
        if (!exited) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
        }
        t->spid = 0;
        g_server_pid = 0;
        if (file_contains(t->slog, "ddress already in use")) continue;   /* raced: another port */
        print_server_log(t);
        if (!exited) set_error(err, "", "%s did not start listening in time", bin);
        else if (WIFSIGNALED(status)) set_error(err, "", "%s died at startup", bin);
        else set_error(err, "", "%s exited at startup", bin);
        return -1;
    }
    set_error(err, "", "%s", "every port tried was taken");
    return -1;
}

static void pg_close_all(Slt *t)
{
    for (int i = 0; i < t->nconns; i++) {
        if (t->conns[i].pg) PQfinish(t->conns[i].pg);
        t->conns[i].pg = NULL;
    }
}

/* Checks the log of the server that just ended for sanitizer reports. */
static int server_log_clean(Slt *t)
{
    static const char *bad[] = {"AddressSanitizer", "LeakSanitizer", "ThreadSanitizer",
                                "runtime error:", "MemorySanitizer"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (file_contains(t->slog, bad[i])) {
            printf("FAIL %s: the server log has a sanitizer report (%s)\n", t->file, bad[i]);
            print_server_log(t);
            return 0;
        }
    return 1;
}

/*
 * Closes the connections and stops the server: SIGTERM (a smart shutdown,
 * with no client left to wait for), then waits.
 * Returns 0 when it shut down cleanly (exit status 0, clean log), -1 after
 * printing what went wrong.
 */
static int server_stop(Slt *t)
{
    pg_close_all(t);
    if (!t->spid) return 0;
    pid_t pid = t->spid;
    t->spid = 0;
    int status = 0, done = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
        done = 1;   /* gone already: reported below */
    } else {
        kill(pid, SIGTERM);
        for (int waited = 0; waited < SERVER_STOP_TIMEOUT_MS; waited += 10) {
            if (waitpid(pid, &status, WNOHANG) == pid) { done = 2; break; }
            sleep_ms(10);
        }
    }
    g_server_pid = 0;
    if (!done) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        printf("FAIL %s: the server did not stop within %d s of SIGTERM\n", t->file,
               SERVER_STOP_TIMEOUT_MS / 1000);
        print_server_log(t);
        return -1;
    }
    if (done == 1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (WIFSIGNALED(status))
            printf("FAIL %s: the server died (signal %d)%s\n", t->file, WTERMSIG(status),
                   done == 1 ? " before SIGTERM" : "");
        else
            printf("FAIL %s: the server exited with status %d%s\n", t->file,
                   WEXITSTATUS(status), done == 1 ? " before SIGTERM" : "");
        print_server_log(t);
        return -1;
    }
    return server_log_clean(t) ? 0 : -1;
}

/* After RUN_BROKEN: 1 when the server is gone (the file cannot go on). */
static int server_died(Slt *t, int lineno)
{
    int status = 0, gone = 0;
    for (int waited = 0; t->spid && !gone && waited <= 300; waited += 10) {
        gone = waitpid(t->spid, &status, WNOHANG) == t->spid;
        if (!gone) sleep_ms(10);   /* a dying server may not be reapable yet */
    }
    if (!gone) return 0;
    t->spid = 0;
    g_server_pid = 0;
    if (WIFSIGNALED(status))
        printf("FAIL %s:%d: the server died (signal %d)\n", t->file, lineno, WTERMSIG(status));
    else
        printf("FAIL %s:%d: the server exited with status %d\n", t->file, lineno,
               WEXITSTATUS(status));
    print_server_log(t);
    t->dead = 1;
    return 1;
}

static void quiet_notices(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

static PGconn *pg_conn(Slt *t, driftdb_error *err)
{
    Conn *c = &t->conns[t->cur];
    if (c->pg) return c->pg;
    char port[16];
    snprintf(port, sizeof port, "%d", t->sport);
    const char *keys[] = {"host", "port", "user", "dbname", "application_name",
                          "sslmode", "gssencmode", "connect_timeout", "options", NULL};
    const char *vals[] = {"127.0.0.1", port, t->pgport ? "postgres" : "slt", t->pgport ? t->pgdb : "slt", c->name,
                          "disable", "disable", "10", t->pgport ? "-c TimeZone=UTC" : "", NULL};
    PGconn *pc = PQconnectdbParams(keys, vals, 0);
    if (!pc || PQstatus(pc) != CONNECTION_OK) {
        set_error(err, "", "connection failed: %s", pc ? PQerrorMessage(pc) : "out of memory");
        if (pc) {
            /* A FATAL at startup carries a SQLSTATE too. */
            PQfinish(pc);
        }
        return NULL;
    }
    PQsetNoticeProcessor(pc, quiet_notices, NULL);
    c->pg = pc;
    return pc;
}

/* Copies the error fields of res into err.  Returns 0, or -1 when the
 * error lacks a SQLSTATE or a message (a server bug or a client-side
 * error). */
static int pg_error(const PGresult *res, driftdb_error *err)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
    const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
    memset(err, 0, sizeof *err);
    if (!state || !msg) {
        snprintf(err->message, sizeof err->message, "error without %s: %s",
                 !state ? "SQLSTATE" : "message", PQresultErrorMessage(res));
        size_t n = strlen(err->message);
        while (n > 0 && isspace((unsigned char)err->message[n - 1])) err->message[--n] = '\0';
        return -1;
    }
    snprintf(err->sqlstate, sizeof err->sqlstate, "%s", state);
    snprintf(err->message, sizeof err->message, "%s", msg);
    if (detail) snprintf(err->detail, sizeof err->detail, "%s", detail);
    if (hint) snprintf(err->hint, sizeof err->hint, "%s", hint);
    const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
    if (pos) err->position = atoi(pos);
    return 0;
}

/*
 * Sends sql as one Query message on the current connection and reads every
 * result (what PQexec does, checked): returns 0 with the last result's rows
 * in *rows, RUN_ERROR with the first error in err (the server must send
 * nothing but ReadyForQuery after it), or RUN_BROKEN.
 */
static int pg_run_sql(Slt *t, const char *sql, Rows *rows, driftdb_error *err)
{
    PGconn *pc = pg_conn(t, err);
    if (!pc) return RUN_BROKEN;
    if (!PQsendQuery(pc, sql)) {
        set_error(err, "", "PQsendQuery: %s", PQerrorMessage(pc));
        return RUN_BROKEN;
    }
    int rc = 0;
    PGresult *res;
    while ((res = PQgetResult(pc)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        if (rc != 0) {
            if (rc == RUN_ERROR)
                set_error(err, "", "the server sent a result (%s) after an error",
                          PQresStatus(st));
            rc = RUN_BROKEN;
        } else if (st == PGRES_FATAL_ERROR || st == PGRES_NONFATAL_ERROR) {
            rc = pg_error(res, err) == 0 ? RUN_ERROR : RUN_BROKEN;
        } else if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK || st == PGRES_EMPTY_QUERY) {
            if (rows) {
                rows_free(rows);
                rows->ncols = PQnfields(res);
                int nt = PQntuples(res);
                for (int r = 0; r < nt; r++)
                    for (int c = 0; c < rows->ncols; c++)
                        rows_add(rows, PQgetisnull(res, r, c) ? "NULL"
                                       : PQgetlength(res, r, c) == 0 ? "(empty)"
                                       : PQgetvalue(res, r, c));
            }
        } else {
            set_error(err, "", "unexpected result status %s", PQresStatus(st));
            rc = RUN_BROKEN;
            if (st == PGRES_COPY_IN) PQputCopyEnd(pc, "slt does not do COPY");
            if (st == PGRES_COPY_OUT) {
                char *buf;
                while (PQgetCopyData(pc, &buf, 0) > 0) PQfreemem(buf);
            }
        }
        PQclear(res);
    }
    if (PQstatus(pc) != CONNECTION_OK) {
        char m[600];
        snprintf(m, sizeof m, "the connection broke: %s", PQerrorMessage(pc));
        set_error(err, "", "%s", m);
        PQfinish(pc);
        t->conns[t->cur].pg = NULL;
        rc = RUN_BROKEN;
    }
    return rc;
}

/* PostgreSQL mode: runs one administrative statement in database
 * "postgres". */
static int pg_admin(Slt *t, const char *sql, driftdb_error *err)
{
    char port[16];
    snprintf(port, sizeof port, "%d", t->pgport);
    const char *keys[] = {"host", "port", "user", "dbname", "sslmode", "gssencmode", "connect_timeout", NULL};
    const char *vals[] = {"127.0.0.1", port, "postgres", "postgres", "disable", "disable", "10", NULL};
    PGconn *pc = PQconnectdbParams(keys, vals, 0);
    int rc = -1;
    if (!pc || PQstatus(pc) != CONNECTION_OK) {
        set_error(err, "", "cannot connect to PostgreSQL: %s", pc ? PQerrorMessage(pc) : "out of memory");
    } else {
        PQsetNoticeProcessor(pc, quiet_notices, NULL);
        PGresult *res = PQexec(pc, sql);
        if (PQresultStatus(res) == PGRES_COMMAND_OK) rc = 0;
        else set_error(err, "", "%s", PQresultErrorMessage(res));
        PQclear(res);
    }
    if (pc) PQfinish(pc);
    return rc;
}

/* ---- the backend: embedded, server or PostgreSQL ------------------------- */

/* Opens the database (starts the server).  Returns 0 or -1 (err filled). */
static int be_open(Slt *t, driftdb_error *err)
{
    if (t->pgport) {
        char sql[128];
        t->sport = t->pgport;
        if (t->pgdb[0]) return 0;   /* reopen: connections only */
        snprintf(t->pgdb, sizeof t->pgdb, "slt_%d", (int)getpid());
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", t->pgdb);
        if (pg_admin(t, sql, err) != 0) return -1;
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", t->pgdb);
        return pg_admin(t, sql, err);
    }
    return t->server ? server_start(t, err) : open_db(t, err);
}

/* Closes everything.  Returns 0, or -1 when the server did not shut down
 * cleanly (already reported). */
static int be_close(Slt *t)
{
    if (t->pgport) {
        pg_close_all(t);
        return 0;
    }
    if (t->server) return server_stop(t);
    close_all(t);
    return 0;
}

/* PostgreSQL mode, at the end of a file: its database goes. */
static void be_drop(Slt *t)
{
    if (!t->pgport || !t->pgdb[0]) return;
    pg_close_all(t);
    char sql[128];
    driftdb_error err;
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", t->pgdb);
    if (pg_admin(t, sql, &err) != 0) printf("# could not drop %s: %s\n", t->pgdb, err.message);
}

static int be_run_sql(Slt *t, const char *sql, Rows *rows, driftdb_error *err)
{
    return t->server || t->pgport ? pg_run_sql(t, sql, rows, err) : run_sql(t, sql, rows, err);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void rstrip(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
}

/* Joins values of rows into lines: per row (sort 'r'/'n') or per value ('v'). */
static char **result_lines(Rows *rows, char sort, size_t *n)
{
    size_t nrows = rows->ncols ? rows->nvals / (size_t)rows->ncols : 0;
    char **lines;
    if (sort == 'v') {
        lines = calloc(rows->nvals + 1, sizeof *lines);
        for (size_t i = 0; i < rows->nvals; i++) lines[i] = strdup(rows->vals[i]);
        *n = rows->nvals;
    } else {
        lines = calloc(nrows + 1, sizeof *lines);
        for (size_t r = 0; r < nrows; r++) {
            size_t len = 1;
            for (int c = 0; c < rows->ncols; c++) len += strlen(rows->vals[r * (size_t)rows->ncols + (size_t)c]) + 1;
            char *l = malloc(len);
            l[0] = '\0';
            for (int c = 0; c < rows->ncols; c++) {
                if (c) strcat(l, " ");
                strcat(l, rows->vals[r * (size_t)rows->ncols + (size_t)c]);
            }
            lines[r] = l;
        }
        *n = nrows;
    }
    for (size_t i = 0; i < *n; i++) rstrip(lines[i]);
    if (sort == 'r' || sort == 'v') qsort(lines, *n, sizeof *lines, cmp_str);
    return lines;
}

/* Checks an expected error: state may be "" (any), msg may be "" (any). */
static int error_matches(const driftdb_error *e, const char *state, const char *msg)
{
    if (state[0] && strcmp(e->sqlstate, state) != 0) return 0;
    if (msg[0] && !strstr(e->message, msg)) return 0;
    return 1;
}

static void print_error(const char *what, const driftdb_error *e)
{
    printf("  %s: %s: %s\n", what, e->sqlstate, e->message);
    if (e->detail[0]) printf("  detail: %s\n", e->detail);
}

/* Parses "[SQLSTATE] [message]" after "error". */
static void parse_expected_error(const char *rest, char *state, char *msg, size_t msgsz)
{
    while (isspace((unsigned char)*rest)) rest++;
    state[0] = '\0';
    size_t k = 0;
    while (k < 5 && rest[k] && (isdigit((unsigned char)rest[k]) || isupper((unsigned char)rest[k]))) k++;
    if (k == 5 && (rest[5] == '\0' || isspace((unsigned char)rest[5]))) {
        memcpy(state, rest, 5);
        state[5] = '\0';
        rest += 5;
        while (isspace((unsigned char)*rest)) rest++;
    }
    snprintf(msg, msgsz, "%s", rest);
    rstrip(msg);
}

static int is_blank(const char *s)
{
    while (*s && isspace((unsigned char)*s)) s++;
    return *s == '\0';
}

/* Copies lines [from, to) joined by '\n'. */
static char *join_lines(char **lines, size_t from, size_t to)
{
    size_t len = 1;
    for (size_t i = from; i < to; i++) len += strlen(lines[i]) + 1;
    char *s = malloc(len);
    s[0] = '\0';
    for (size_t i = from; i < to; i++) {
        if (i > from) strcat(s, "\n");
        strcat(s, lines[i]);
    }
    return s;
}

static void record_result(Slt *t, int ok)
{
    if (ok) t->npass++;
    else t->nfail++;
}

/* skipif / onlyif: we are "driftdb", and "driftdb-embedded" or
 * "driftdb-server" by mode (for what only one of them can show, such as
 * the client address). */
static int engine_is(const Slt *t, const char *name)
{
    if (t->pgport) return strcmp(name, "postgresql") == 0;
    return strcmp(name, "driftdb") == 0 ||
           strcmp(name, t->server ? "driftdb-server" : "driftdb-embedded") == 0;
}

/* Runs one file (in the child); returns when done. */
static void run_file(Slt *t)
{
    FILE *f = fopen(t->file, "r");
    if (!f) {
        printf("FAIL %s: %s\n", t->file, strerror(errno));
        t->nfail++;
        return;
    }
    char **lines = NULL;
    size_t nlines = 0, cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (nlines == cap) {
            cap = cap ? cap * 2 : 256;
            lines = realloc(lines, cap * sizeof *lines);
        }
        lines[nlines++] = strdup(line);
    }
    free(line);
    fclose(f);

    driftdb_error err;
    memset(&err, 0, sizeof err);
    if (be_open(t, &err) != 0) {
        printf("FAIL %s: cannot open the database: %s\n", t->file, err.message);
        t->nfail++;
        for (size_t k = 0; k < nlines; k++) free(lines[k]);
        free(lines);
        return;
    }
    snprintf(t->conns[0].name, sizeof t->conns[0].name, "default");
    t->nconns = 1;
    t->cur = 0;

    int skip_next = 0;
    size_t i = 0;
    while (i < nlines && !t->dead) {
        char *l = lines[i];
        if (is_blank(l) || l[0] == '#') { i++; continue; }
        int lineno = (int)i + 1;
        char word[32] = "", arg1[64] = "";
        sscanf(l, "%31s %63s", word, arg1);

        if (strcmp(word, "halt") == 0) break;
        if (strcmp(word, "hash-threshold") == 0 || strcmp(word, "mode") == 0) { i++; continue; }
        if (strcmp(word, "skipif") == 0) { skip_next = engine_is(t, arg1); i++; continue; }
        if (strcmp(word, "onlyif") == 0) { skip_next = !engine_is(t, arg1); i++; continue; }
        if (strcmp(word, "sleep") == 0) {
            i++;
            if (skip_next) { skip_next = 0; continue; }
            usleep((useconds_t)atol(arg1) * 1000);
            continue;
        }
        if (strcmp(word, "connection") == 0) {
            i++;
            if (skip_next) { skip_next = 0; continue; }
            int k;
            for (k = 0; k < t->nconns; k++)
                if (strcmp(t->conns[k].name, arg1) == 0) break;
            if (k == t->nconns) {
                if (k == MAX_CONNS) {
                    printf("FAIL %s:%d: too many connections\n", t->file, lineno);
                    t->nfail++;
                    continue;
                }
                snprintf(t->conns[k].name, sizeof t->conns[k].name, "%s", arg1);
                t->conns[k].s = NULL;
                t->nconns++;
            }
            t->cur = k;
            continue;
        }
        if (strcmp(word, "reopen") == 0) {
            i++;
            if (skip_next) { skip_next = 0; continue; }
            if (be_close(t) != 0) t->nfail++;
            if (be_open(t, &err) != 0) {
                printf("FAIL %s:%d: reopen: %s: %s\n", t->file, lineno, err.sqlstate, err.message);
                t->nfail++;
                break;
            }
            continue;
        }
        if (strcmp(word, "statement") != 0 && strcmp(word, "query") != 0) {
            printf("FAIL %s:%d: unknown record \"%s\"\n", t->file, lineno, word);
            t->nfail++;
            while (i < nlines && !is_blank(lines[i])) i++;
            continue;
        }

        /* Record body: SQL up to "----" or a blank line; expected after. */
        size_t sql_from = i + 1, sql_to = sql_from;
        while (sql_to < nlines && !is_blank(lines[sql_to]) && strcmp(lines[sql_to], "----") != 0) sql_to++;
        size_t exp_from = sql_to, exp_to = sql_to;
        if (sql_to < nlines && strcmp(lines[sql_to], "----") == 0) {
            exp_from = sql_to + 1;
            exp_to = exp_from;
            while (exp_to < nlines && !is_blank(lines[exp_to])) exp_to++;
        }
        i = exp_to;
        if (skip_next) { skip_next = 0; continue; }
        char *sql = join_lines(lines, sql_from, sql_to);

        int want_error = strcmp(arg1, "error") == 0;
        if (strcmp(word, "statement") == 0 && !want_error && strcmp(arg1, "ok") != 0) {
            printf("FAIL %s:%d: statement must be \"ok\" or \"error\"\n", t->file, lineno);
            t->nfail++;
            free(sql);
            continue;
        }
        if (want_error) {
            char state[6], msg[512];
            const char *rest = strstr(l, "error") + 5;
            parse_expected_error(rest, state, msg, sizeof msg);
            if (!msg[0] && exp_to > exp_from) {
                char *m = join_lines(lines, exp_from, exp_to);
                snprintf(msg, sizeof msg, "%s", m);
                free(m);
            }
            memset(&err, 0, sizeof err);
            int rc = be_run_sql(t, sql, NULL, &err);
            if (rc == RUN_BROKEN) {
                fail_header(t, lineno, sql);
                print_error("broken", &err);
                record_result(t, 0);
                server_died(t, lineno);
            } else if (rc == 0) {
                fail_header(t, lineno, sql);
                printf("  expected error %s%s%s, but the statement succeeded\n", state,
                       msg[0] ? " " : "", msg);
                record_result(t, 0);
            } else if (!error_matches(&err, state, msg)) {
                fail_header(t, lineno, sql);
                printf("  expected error: %s %s\n", state[0] ? state : "(any)", msg);
                print_error("actual error", &err);
                record_result(t, 0);
            } else {
                record_result(t, 1);
            }
            free(sql);
            continue;
        }
        if (strcmp(word, "statement") == 0) {
            memset(&err, 0, sizeof err);
            int rc = be_run_sql(t, sql, NULL, &err);
            if (rc != 0) {
                fail_header(t, lineno, sql);
                print_error(rc == RUN_BROKEN ? "broken" : "unexpected error", &err);
                record_result(t, 0);
                if (rc == RUN_BROKEN) server_died(t, lineno);
            } else {
                record_result(t, 1);
            }
            free(sql);
            continue;
        }

        /* query <types> [sort] [label] */
        char types[64] = "", sortw[32] = "nosort";
        sscanf(l, "%*s %63s %31s", types, sortw);
        char sort = strcmp(sortw, "rowsort") == 0 ? 'r' : strcmp(sortw, "valuesort") == 0 ? 'v' : 'n';
        Rows rows;
        memset(&rows, 0, sizeof rows);
        memset(&err, 0, sizeof err);
        int ok = 1;
        int rc = be_run_sql(t, sql, &rows, &err);
        if (rc != 0) {
            fail_header(t, lineno, sql);
            print_error(rc == RUN_BROKEN ? "broken" : "unexpected error", &err);
            if (rc == RUN_BROKEN) server_died(t, lineno);
            ok = 0;
        } else if ((int)strlen(types) != rows.ncols) {
            fail_header(t, lineno, sql);
            printf("  expected %zu columns (\"%s\"), got %d\n", strlen(types), types, rows.ncols);
            ok = 0;
        }
        if (ok) {
            size_t nact = 0;
            char **act = result_lines(&rows, sort, &nact);
            size_t nexp = exp_to - exp_from;
            char **exp = calloc(nexp + 1, sizeof *exp);
            for (size_t k = 0; k < nexp; k++) {
                exp[k] = strdup(lines[exp_from + k]);
                rstrip(exp[k]);
            }
            if (nexp != nact) ok = 0;
            for (size_t k = 0; ok && k < nexp; k++)
                if (strcmp(exp[k], act[k]) != 0) ok = 0;
            if (!ok) {
                fail_header(t, lineno, sql);
                printf("  expected (%zu):\n", nexp);
                for (size_t k = 0; k < nexp; k++) printf("    %s\n", exp[k]);
                printf("  actual (%zu):\n", nact);
                for (size_t k = 0; k < nact; k++) printf("    %s%s\n", act[k],
                                                         k < nexp && strcmp(exp[k], act[k]) != 0 ? "   <--" : "");
            }
            for (size_t k = 0; k < nexp; k++) free(exp[k]);
            for (size_t k = 0; k < nact; k++) free(act[k]);
            free(exp);
            free(act);
        }
        record_result(t, ok);
        rows_free(&rows);
        free(sql);
    }
    if (be_close(t) != 0) t->nfail++;
    for (size_t k = 0; k < nlines; k++) free(lines[k]);
    free(lines);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

static const char *timeout_file;
static void on_alarm(int sig)
{
    (void)sig;
    if (g_server_pid > 0) kill(g_server_pid, SIGKILL);
    char msg[512];
    int n = snprintf(msg, sizeof msg, "FAIL %s: timed out\n", timeout_file ? timeout_file : "?");
    if (n > 0 && write(STDOUT_FILENO, msg, (size_t)n) < 0) _exit(3);
    _exit(3);
}

/* Runs file in a child; adds its counts to *pass / *fail. */
static void run_file_isolated(const char *file, const char *server, int pgport, int keep, int *pass,
                              int *fail)
{
    if (pgport && !file_contains(file, "# postgres: compare")) return;
    /* The parent makes and removes the directory, so that a child that
     * crashed or timed out leaves nothing behind. */
    char dir[4096];
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/slt.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        printf("FAIL %s: mkdtemp: %s\n", file, strerror(errno));
        *fail += 1;
        return;
    }
    int fds[2];   /* close-on-exec: the server must not hold the write end */
    if (pipe2(fds, O_CLOEXEC) != 0) { perror("pipe"); exit(2); }
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); exit(2); }
    if (pid == 0) {
        close(fds[0]);
        Slt t;
        memset(&t, 0, sizeof t);
        t.file = file;
        t.server = server;
        t.pgport = pgport;
        snprintf(t.dir, sizeof t.dir, "%s", dir);
        /* Server mode: the database in dir/db, the server logs beside it. */
        snprintf(t.dbdir, sizeof t.dbdir, server ? "%s/db" : "%s", t.dir);
        driftdb_error err;
        memset(&err, 0, sizeof err);
        timeout_file = file;
        signal(SIGALRM, on_alarm);
        const char *to = getenv("SLT_TIMEOUT");
        alarm(to ? (unsigned)atoi(to) : DEFAULT_TIMEOUT_S);
        if (!pgport && driftdb_init_superuser(t.dbdir, "slt", &err) != DRIFTDB_OK) {
            printf("FAIL %s: driftdb_init: %s\n", file, err.message);
            t.nfail++;
        } else {
            run_file(&t);
            be_drop(&t);
        }
        alarm(0);
        int total = t.npass + t.nfail;
        if (t.nfail == 0) printf("ok %s (%d records)\n", file, total);
        else printf("FAIL %s (%d records, %d failed)\n", file, total, t.nfail);
        fflush(stdout);
        char buf[64];
        int n = snprintf(buf, sizeof buf, "%d %d\n", t.npass, t.nfail);
        if (write(fds[1], buf, (size_t)n) != n) _exit(2);
        _exit(0);
    }
    close(fds[1]);
    char buf[64] = "";
    ssize_t n, got = 0;
    while ((n = read(fds[0], buf + got, sizeof buf - 1 - (size_t)got)) > 0) got += n;
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (keep) printf("kept the database of %s in %s\n", file, dir);
    else nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    int p = 0, f = 0;
    if (got > 0 && sscanf(buf, "%d %d", &p, &f) == 2) {
        *pass += p;
        *fail += f;
    } else {
        if (WIFSIGNALED(status))
            printf("FAIL %s (crashed: signal %d)\n", file, WTERMSIG(status));
        else
            printf("FAIL %s (exited with status %d)\n", file, WEXITSTATUS(status));
        *fail += 1;
    }
}

/* Only our connection parameters count. */
static void clear_pg_env(void)
{
    static const char *env[] = {"PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGDATABASE",
                                "PGOPTIONS", "PGSERVICE", "PGSERVICEFILE", "PGPASSWORD",
                                "PGPASSFILE", "PGAPPNAME", "PGCLIENTENCODING",
                                "PGDATESTYLE", "PGTZ", "PGGEQO", "PGTARGETSESSIONATTRS",
                                "PGSSLMODE", "PGREQUIRESSL", "PGGSSENCMODE"};
    for (size_t k = 0; k < sizeof env / sizeof env[0]; k++) unsetenv(env[k]);
}

#define USAGE "usage: slt [--keep] [--server BUILD_DIR | --postgres PORT] FILE...\n"

int main(int argc, char **argv)
{
    int keep = 0, pass = 0, fail = 0, nfiles = 0;
    const char *server = NULL;
    int pgport = 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--keep") == 0) { keep = 1; continue; }
        if (strcmp(argv[i], "--help") == 0) {
            printf(USAGE);
            return 0;
        }
        if (strcmp(argv[i], "--postgres") == 0) {
            if (nfiles > 0 || i + 1 >= argc || server) { fprintf(stderr, USAGE); return 2; }
            pgport = atoi(argv[++i]);
            if (pgport <= 0 || pgport > 65535) { fprintf(stderr, USAGE); return 2; }
            clear_pg_env();
            continue;
        }
        if (strcmp(argv[i], "--server") == 0) {
            if (nfiles > 0 || i + 1 >= argc || pgport) { fprintf(stderr, USAGE); return 2; }
            server = argv[++i];
            char bin[4200];
            snprintf(bin, sizeof bin, "%s/driftdb-server", server);
            if (access(bin, X_OK) != 0) {
                fprintf(stderr, "slt: %s: %s\n", bin, strerror(errno));
                return 2;
            }
            clear_pg_env();
            continue;
        }
        run_file_isolated(argv[i], server, pgport, keep, &pass, &fail);
        nfiles++;
    }
    if (nfiles == 0) {
        fprintf(stderr, USAGE);
        return 2;
    }
    printf("%d passed, %d failed\n", pass, fail);
    return fail ? 1 : 0;
}
