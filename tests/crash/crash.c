/*
 * crash.c - the two halves of the crash test (run.sh drives them).
 *
 *   crash writer DIR LOGFILE   opens DIR, creates table c if needed, and
 *                              inserts rows from WRITERS threads (one
 *                              session each) until killed; after every
 *                              acknowledged commit it appends its id (a
 *                              32-byte line, LOG_LINE) to
 *                              LOGFILE with one write() on an O_APPEND fd,
 *                              which the kernel keeps across kill -9.
 *   crash check DIR LOGFILE    reopens DIR (recovering after the kill),
 *                              checks that every id in LOGFILE is in c and
 *                              that driftdb_verify passes.  Exit 0 or 1.
 *
 * Ids are unique: each writer run starts above the largest id present,
 * thread k of n writes start + k, start + k + n, ...
 *
 * A further writer thread takes values of sequence cs (nextval) and
 * appends each to LOGFILE.seq; the check asserts that no value was given
 * twice, across every kill, and that nextval now gives more than each.
 * One more does the same with transaction ids (txid_current(), one
 * transaction each) in LOGFILE.xid.
 *
 * Another works on temporary tables only (creating, filling, updating,
 * deleting, committing and rolling back, ON COMMIT DELETE ROWS), as
 * application "crash-temp", killed like the others: the check asserts
 * that none of its work ever reached the log (no commit of crash-temp in
 * drift_commits) and that nothing of its tables is left to see.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driftdb.h"

#define WRITERS 4
#define MAX_ROWS_PER_THREAD 1000000 /* stop eventually if never killed */

static driftdb *db;
static int log_fd;
static long long start_id;

static void die(const char *what, const driftdb_error *e)
{
    fprintf(stderr, "crash: %s: %s: %s\n", what, e->sqlstate, e->message);
    exit(1);
}

/* Runs sql and drains its results; returns 0 or -1 with err filled. */
static int exec_all(driftdb_session *s, const char *sql, driftdb_error *err)
{
    size_t off = 0;
    driftdb_result *r;
    int rc;
    while ((rc = driftdb_exec_next(s, sql, &off, &r, err)) == DRIFTDB_ROW_RESULT) {
        int more;
        while ((more = driftdb_result_next(r, err)) == 1) {}
        driftdb_result_free(r);
        if (more < 0) return -1;
    }
    return rc == DRIFTDB_DONE ? 0 : -1;
}

/* Runs a one-column query, calling fn for each value (NULL for NULL). */
static int query_col(driftdb_session *s, const char *sql, void (*fn)(const char *, void *),
                     void *arg, driftdb_error *err)
{
    size_t off = 0;
    driftdb_result *r;
    int rc;
    while ((rc = driftdb_exec_next(s, sql, &off, &r, err)) == DRIFTDB_ROW_RESULT) {
        int more;
        while ((more = driftdb_result_next(r, err)) == 1) fn(driftdb_result_value(r, 0, NULL), arg);
        driftdb_result_free(r);
        if (more < 0) return -1;
    }
    return rc == DRIFTDB_DONE ? 0 : -1;
}

static void take_ll(const char *v, void *arg)
{
    *(long long *)arg = v ? atoll(v) : 0;
}

/* One logged value: 32 bytes, zero-padded, so that no record ever
 * straddles a page of the log file.  A write() killed by SIGKILL can stop
 * between two pages and leave half a record that the next run's first
 * record would complete into a number nobody was given. */
#define LOG_LINE "%031lld\n"

static void *writer_thread(void *arg)
{
    long k = (long)arg;
    driftdb_session *s;
    driftdb_error err;
    memset(&err, 0, sizeof err);
    driftdb_session_info info = {"crash", "crash-writer", NULL, NULL, 0};
    if (driftdb_session_open(db, &info, &s, &err) != DRIFTDB_OK) die("session", &err);
    for (long i = 0; i < MAX_ROWS_PER_THREAD; i++) {
        long long id = start_id + k + (long long)i * WRITERS;
        char sql[128], line[40];
        snprintf(sql, sizeof sql, "INSERT INTO c VALUES (%lld, 'row %lld')", id, id);
        if (exec_all(s, sql, &err) != 0) die("insert", &err);
        int n = snprintf(line, sizeof line, LOG_LINE, id);
        if (write(log_fd, line, (size_t)n) != n) {
            perror("crash: write log");
            exit(1);
        }
    }
    driftdb_session_close(s);
    return NULL;
}

/* A counter that must never give a value twice: its query, its log. */
typedef struct Counter {
    const char *what, *suffix, *sql;
    int fd;
} Counter;
static Counter counters[] = {
    {"sequence value", "seq", "SELECT nextval('cs')", -1},
    {"transaction id", "xid", "SELECT txid_current()", -1},
};
#define NCOUNTERS ((int)(sizeof counters / sizeof counters[0]))

static void *counter_thread(void *arg)
{
    Counter *c = arg;
    driftdb_session *s;
    driftdb_error err;
    memset(&err, 0, sizeof err);
    driftdb_session_info info = {"crash", "crash-seq", NULL, NULL, 0};
    if (driftdb_session_open(db, &info, &s, &err) != DRIFTDB_OK) die("session", &err);
    for (long i = 0; i < MAX_ROWS_PER_THREAD; i++) {
        long long v = 0;
        char line[40];
        if (query_col(s, c->sql, take_ll, &v, &err) != 0) die(c->sql, &err);
        int n = snprintf(line, sizeof line, LOG_LINE, v);
        if (write(c->fd, line, (size_t)n) != n) {
            perror("crash: write counter log");
            exit(1);
        }
    }
    driftdb_session_close(s);
    return NULL;
}

static void *temp_thread(void *arg)
{
    (void)arg;
    driftdb_session *s;
    driftdb_error err;
    memset(&err, 0, sizeof err);
    driftdb_session_info info = {"crash", "crash-temp", NULL, NULL, 0};
    if (driftdb_session_open(db, &info, &s, &err) != DRIFTDB_OK) die("session", &err);
    if (exec_all(s, "CREATE TEMP TABLE ct (id SERIAL PRIMARY KEY, v TEXT UNIQUE, n INT)", &err) != 0 ||
        exec_all(s, "CREATE TEMP TABLE cd (id INT PRIMARY KEY) ON COMMIT DELETE ROWS", &err) != 0)
        die("create temp table", &err);
    for (long i = 0; i < MAX_ROWS_PER_THREAD; i++) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "BEGIN; INSERT INTO ct (v, n) VALUES ('t%ld', %ld); INSERT INTO cd VALUES (%ld); "
                 "UPDATE ct SET n = n + 1 WHERE id %% 7 = 0; DELETE FROM ct WHERE id %% 11 = 0; %s",
                 i, i, i, i % 5 == 4 ? "ROLLBACK" : "COMMIT");
        if (exec_all(s, sql, &err) != 0) die("temp work", &err);
    }
    driftdb_session_close(s);
    return NULL;
}

static char *counter_log_name(const char *logfile, const Counter *c)
{
    size_t n = strlen(logfile) + strlen(c->suffix) + 2;
    char *p = malloc(n);
    if (!p) { perror("crash"); exit(1); }
    snprintf(p, n, "%s.%s", logfile, c->suffix);
    return p;
}

static int writer(const char *dir, const char *logfile)
{
    driftdb_error err;
    memset(&err, 0, sizeof err);
    log_fd = open(logfile, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log_fd < 0) { perror(logfile); return 1; }
    for (int i = 0; i < NCOUNTERS; i++) {
        char *name = counter_log_name(logfile, &counters[i]);
        counters[i].fd = open(name, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (counters[i].fd < 0) { perror(name); return 1; }
        free(name);
    }
    if (driftdb_open(dir, NULL, &db, &err) != DRIFTDB_OK) die("open", &err);
    driftdb_session *s;
    driftdb_session_info info = {"crash", "crash-setup", NULL, NULL, 0};
    if (driftdb_session_open(db, &info, &s, &err) != DRIFTDB_OK) die("session", &err);
    if (exec_all(s, "CREATE TABLE IF NOT EXISTS c (id BIGINT PRIMARY KEY, v TEXT)", &err) != 0)
        die("create table", &err);
    if (exec_all(s, "CREATE SEQUENCE IF NOT EXISTS cs", &err) != 0) die("create sequence", &err);
    long long max = 0;
    if (query_col(s, "SELECT max(id) FROM c", take_ll, &max, &err) != 0) die("max", &err);
    driftdb_session_close(s);
    start_id = max + 1;

    pthread_t th[WRITERS + NCOUNTERS + 1];
    int nth = 0;
    for (long k = 0; k < WRITERS; k++)
        if (pthread_create(&th[nth++], NULL, writer_thread, (void *)k) != 0) { perror("pthread_create"); return 1; }
    for (int i = 0; i < NCOUNTERS; i++)
        if (pthread_create(&th[nth++], NULL, counter_thread, &counters[i]) != 0) { perror("pthread_create"); return 1; }
    if (pthread_create(&th[nth++], NULL, temp_thread, NULL) != 0) { perror("pthread_create"); return 1; }
    for (int k = 0; k < nth; k++) pthread_join(th[k], NULL);
    driftdb_close(db);
    close(log_fd);
    return 0;
}

typedef struct IdSet {
    long long *v;
    size_t n, cap;
} IdSet;

static void add_id(const char *v, void *arg)
{
    IdSet *s = arg;
    if (!v) return;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4096;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        if (!s->v) { perror("crash"); exit(1); }
    }
    s->v[s->n++] = atoll(v);
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

static int check(const char *dir, const char *logfile)
{
    driftdb_error err;
    memset(&err, 0, sizeof err);
    if (driftdb_open(dir, NULL, &db, &err) != DRIFTDB_OK) die("reopen", &err);
    driftdb_session *s;
    driftdb_session_info info = {"crash", "crash-check", NULL, NULL, 0};
    if (driftdb_session_open(db, &info, &s, &err) != DRIFTDB_OK) die("session", &err);

    IdSet rows = {0}, logged = {0};
    if (query_col(s, "SELECT id FROM c", add_id, &rows, &err) != 0 &&
        strcmp(err.sqlstate, "42P01") != 0)
        die("select", &err);
    if (rows.n) qsort(rows.v, rows.n, sizeof *rows.v, cmp_ll);   /* v is NULL when empty */

    FILE *f = fopen(logfile, "r");
    if (f) {
        char line[64];
        while (fgets(line, sizeof line, f))
            if (strchr(line, '\n')) add_id(line, &logged);  /* whole lines only */
        fclose(f);
    }
    int bad = 0;
    for (size_t i = 0; i < logged.n; i++) {
        if (!rows.n || !bsearch(&logged.v[i], rows.v, rows.n, sizeof *rows.v, cmp_ll)) {
            if (bad < 10) fprintf(stderr, "crash: acknowledged id %lld is missing\n", logged.v[i]);
            bad++;
        }
    }
    for (size_t i = 1; i < rows.n; i++)
        if (rows.v[i] == rows.v[i - 1]) {
            fprintf(stderr, "crash: id %lld present twice\n", rows.v[i]);
            bad++;
            break;
        }
    /* sequence values and transaction ids: never one twice, and the next
     * above them all */
    for (int c = 0; c < NCOUNTERS; c++) {
        IdSet given = {0};
        char *name = counter_log_name(logfile, &counters[c]);
        f = fopen(name, "r");
        free(name);
        if (f) {
            char line[64];
            while (fgets(line, sizeof line, f))
                if (strchr(line, '\n')) add_id(line, &given);
            fclose(f);
        }
        if (given.n) {
            long long next = 0;
            if (query_col(s, counters[c].sql, take_ll, &next, &err) != 0) die(counters[c].sql, &err);
            qsort(given.v, given.n, sizeof *given.v, cmp_ll);
            for (size_t i = 1; i < given.n; i++)
                if (given.v[i] == given.v[i - 1]) {
                    fprintf(stderr, "crash: %s %lld given twice\n", counters[c].what, given.v[i]);
                    bad++;
                    break;
                }
            if (next <= given.v[given.n - 1]) {
                fprintf(stderr, "crash: %s %lld given after %lld\n", counters[c].what, next, given.v[given.n - 1]);
                bad++;
            }
        }
        free(given.v);
    }
    /* the temporary tables' work: never in the log, nothing left */
    long long temp_commits = -1;
    if (query_col(s, "SELECT count(*) FROM drift_commits WHERE application_name = 'crash-temp'", take_ll,
                  &temp_commits, &err) != 0)
        die("drift_commits", &err);
    if (temp_commits != 0) {
        fprintf(stderr, "crash: %lld commits of the temporary-table session\n", temp_commits);
        bad++;
    }
    long long dummy;
    if (query_col(s, "SELECT count(*) FROM ct", take_ll, &dummy, &err) == 0 || strcmp(err.sqlstate, "42P01") != 0) {
        fprintf(stderr, "crash: temporary table ct still readable after the restart\n");
        bad++;
    }
    driftdb_session_close(s);

    uint64_t checked = 0, first_bad = 0;
    if (driftdb_verify(db, &checked, &first_bad, &err) != DRIFTDB_OK) {
        fprintf(stderr, "crash: verify failed at seq %llu: %s\n", (unsigned long long)first_bad,
                err.message);
        bad++;
    }
    driftdb_close(db);
    printf("check: %zu acknowledged, %zu rows, %llu commits verified, %d problems\n", logged.n,
           rows.n, (unsigned long long)checked, bad);
    free(rows.v);
    free(logged.v);
    return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "writer") == 0) return writer(argv[2], argv[3]);
    if (argc == 4 && strcmp(argv[1], "check") == 0) return check(argv[2], argv[3]);
    fprintf(stderr, "usage: crash writer|check DIR LOGFILE\n");
    return 2;
}
