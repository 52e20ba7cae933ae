/*
 * test_engine.c - the embedded API (include/driftdb.h): opening bad
 * directories, locking, read-only opens, results and their metadata,
 * transaction status, map growth, and out-of-memory fault injection over a
 * whole SQL workload (every allocation fails once, each time
 * a clean 53200 error and a usable session afterwards).
 */
#include "check.h"
#include "driftdb.h"
#include "../../src/util/alloc.h"
#include "../../src/util/sha256.h"
#include "../../src/engine/engine_int.h"   /* lock_arena_across_savepoints reads lk_arena */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>

static char tmpl[64];

static const char *fresh_dir(void)
{
    snprintf(tmpl, sizeof(tmpl), "/tmp/dd_engine_XXXXXX");
    if (!mkdtemp(tmpl)) abort();
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpl);
    if (system(cmd)) abort();
    return tmpl;
}

static void rm_dir(const char *d)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", d);
    if (system(cmd)) {}
}

/* Runs sql; returns 0 or -1 with err filled.  Rows are counted into *rows
 * and the first value of the last row copied into first (if given). */
static int run(driftdb_session *s, const char *sql, driftdb_error *err, int *rows, char *first, size_t fn)
{
    size_t off = 0;
    driftdb_result *r;
    int rc;
    if (rows) *rows = 0;
    while ((rc = driftdb_exec_next(s, sql, &off, &r, err)) == DRIFTDB_ROW_RESULT) {
        int k;
        while ((k = driftdb_result_next(r, err)) == 1) {
            if (rows) (*rows)++;
            if (first) {
                const char *v = driftdb_result_value(r, 0, NULL);
                snprintf(first, fn, "%s", v ? v : "NULL");
            }
        }
        driftdb_result_free(r);
        if (k < 0) return -1;
    }
    return rc == DRIFTDB_ERROR ? -1 : 0;
}

TEST(open_errors)
{
    driftdb_error e;
    driftdb *db = NULL;
    CHECK(driftdb_open("/nonexistent/driftdb/dir", NULL, &db, &e) == DRIFTDB_ERROR);
    CHECK_EQ_STR(e.sqlstate, "58P01");
    /* a directory that is not a DriftDB directory */
    const char *d = fresh_dir();
    mkdir(d, 0700);
    char f[128];
    snprintf(f, sizeof(f), "%s/hello.txt", d);
    FILE *fp = fopen(f, "w");
    fputs("hello", fp);
    fclose(fp);
    CHECK(driftdb_open(d, NULL, &db, &e) == DRIFTDB_ERROR);
    CHECK_EQ_STR(e.sqlstate, "XX001");
    /* init refuses a non-empty directory */
    CHECK(driftdb_init(d, &e) == DRIFTDB_ERROR);
    rm_dir(d);
}

TEST(lock_and_read_only)
{
    driftdb_error e;
    const char *d = fresh_dir();
    CHECK(driftdb_init(d, &e) == DRIFTDB_OK);
    driftdb *db, *db2, *ro;
    CHECK(driftdb_open(d, NULL, &db, &e) == DRIFTDB_OK);
    /* flock is per open file description: a second open in the same
     * process conflicts just like another process */
    CHECK(driftdb_open(d, NULL, &db2, &e) == DRIFTDB_ERROR);
    CHECK_EQ_STR(e.sqlstate, "55006");
    CHECK(strstr(e.message, "locked") != NULL);
    driftdb_session *s;
    CHECK(driftdb_session_open(db, NULL, &s, &e) == DRIFTDB_OK);
    /* one string, one implicit transaction, one commit */
    CHECK(run(s, "CREATE TABLE t (id INT PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a')", &e, NULL, NULL, 0) == 0);
    CHECK(run(s, "INSERT INTO t VALUES (3, 'c')", &e, NULL, NULL, 0) == 0);
    driftdb_options o = {.read_only = 1};
    CHECK(driftdb_open(d, &o, &ro, &e) == DRIFTDB_OK);
    driftdb_session *rs;
    CHECK(driftdb_session_open(ro, NULL, &rs, &e) == DRIFTDB_OK);
    char v[64];
    int rows;
    CHECK(run(rs, "SELECT v FROM t ORDER BY id", &e, &rows, v, sizeof(v)) == 0);
    CHECK_EQ_INT(rows, 2);
    CHECK_EQ_STR(v, "c");
    CHECK(run(rs, "INSERT INTO t VALUES (2, 'b')", &e, NULL, NULL, 0) == -1);
    CHECK_EQ_STR(e.sqlstate, "25006");
    u64 checked = 0, bad = 0;
    CHECK(driftdb_verify(ro, &checked, &bad, &e) == DRIFTDB_OK);
    CHECK_EQ_INT(checked, 2);
    driftdb_session_close(rs);
    driftdb_close(ro);
    driftdb_session_close(s);
    driftdb_close(db);
    rm_dir(d);
}

TEST(result_metadata)
{
    driftdb_error e;
    const char *d = fresh_dir();
    driftdb *db;
    driftdb_session *s;
    CHECK(driftdb_init(d, &e) == 0 && driftdb_open(d, NULL, &db, &e) == 0);
    CHECK(driftdb_session_open(db, NULL, &s, &e) == 0);
    const char *sql = "SELECT 1 AS a, 'x'::varchar(5) AS b, 2.50 AS c, true AS d, NULL::int AS e";
    size_t off = 0;
    driftdb_result *r;
    CHECK(driftdb_exec_next(s, sql, &off, &r, &e) == DRIFTDB_ROW_RESULT);
    CHECK_EQ_INT(driftdb_result_ncols(r), 5);
    CHECK_EQ_STR(driftdb_result_colname(r, 0), "a");
    CHECK_EQ_INT(driftdb_result_coltype(r, 0), 23);
    CHECK_EQ_INT(driftdb_result_coltype(r, 1), 1043);
    CHECK_EQ_INT(driftdb_result_coltypmod(r, 1), 9);
    CHECK_EQ_INT(driftdb_result_coltype(r, 2), 1700);
    CHECK_EQ_INT(driftdb_result_coltype(r, 3), 16);
    CHECK_EQ_INT(driftdb_result_next(r, &e), 1);
    CHECK_EQ_STR(driftdb_result_value(r, 2, NULL), "2.50");
    CHECK_EQ_STR(driftdb_result_value(r, 3, NULL), "t");
    CHECK(driftdb_result_value(r, 4, NULL) == NULL);
    CHECK_EQ_INT(driftdb_result_next(r, &e), 0);
    CHECK_EQ_STR(driftdb_result_tag(r), "SELECT 1");
    driftdb_result_free(r);
    CHECK(driftdb_exec_next(s, sql, &off, &r, &e) == DRIFTDB_DONE);
    /* transaction status and the error position */
    CHECK(driftdb_session_txn_status(s) == 'I');
    CHECK(run(s, "BEGIN", &e, NULL, NULL, 0) == 0);
    CHECK(driftdb_session_txn_status(s) == 'T');
    CHECK(run(s, "SELECT nope FROM x", &e, NULL, NULL, 0) == -1);
    CHECK_EQ_STR(e.sqlstate, "42P01");
    CHECK_EQ_INT(e.position, 18);
    CHECK(driftdb_session_txn_status(s) == 'E');
    CHECK(run(s, "SELECT 1", &e, NULL, NULL, 0) == -1);
    CHECK_EQ_STR(e.sqlstate, "25P02");
    CHECK(run(s, "ROLLBACK", &e, NULL, NULL, 0) == 0);
    CHECK(driftdb_session_txn_status(s) == 'I');
    CHECK_EQ_STR(driftdb_session_setting(s, "TimeZone"), "UTC");
    CHECK_EQ_STR(driftdb_session_setting(s, "server_version"), "15.0");
    driftdb_session_close(s);
    driftdb_close(db);
    rm_dir(d);
}

TEST(map_grows)
{
    driftdb_error e;
    const char *d = fresh_dir();
    driftdb *db;
    driftdb_session *s;
    CHECK(driftdb_init(d, &e) == 0);
    driftdb_options o = {.initial_map_size = 256 * 1024};
    CHECK(driftdb_open(d, &o, &db, &e) == 0);
    CHECK(driftdb_session_open(db, NULL, &s, &e) == 0);
    CHECK(run(s, "CREATE TABLE big (id INT PRIMARY KEY, pad TEXT)", &e, NULL, NULL, 0) == 0);
    /* ~8 MB through a 256 KiB initial map, 40 rows per commit */
    char *sql = malloc(64 * 1024);
    int id = 0, ok = 1;
    for (int c = 0; c < 50 && ok; c++) {
        size_t n = (size_t)sprintf(sql, "INSERT INTO big VALUES ");
        for (int k = 0; k < 40; k++, id++)
            n += (size_t)sprintf(sql + n, "%s(%d, repeat('x', 4000))", k ? ", " : "", id);
        ok = run(s, sql, &e, NULL, NULL, 0) == 0;
    }
    free(sql);
    CHECK(ok);
    char v[64];
    CHECK(run(s, "SELECT count(*) FROM big", &e, NULL, v, sizeof(v)) == 0);
    CHECK_EQ_STR(v, "2000");
    driftdb_stats st;
    driftdb_get_stats(db, &st);
    CHECK(st.map_size > 8u * 1024 * 1024);
    driftdb_session_close(s);
    driftdb_close(db);
    rm_dir(d);
}


/* A commit that must grow the map while another session's result is still
 * being read neither deadlocks nor waits forever: after a bounded wait it
 * fails with 55006, and succeeds once the result is done. */
TEST(grow_while_reading)
{
    driftdb_error e;
    const char *d = fresh_dir();
    driftdb *db;
    driftdb_session *a, *b;
    CHECK(driftdb_init(d, &e) == 0);
    driftdb_options o = {.initial_map_size = 256 * 1024};
    CHECK(driftdb_open(d, &o, &db, &e) == 0);
    CHECK(driftdb_session_open(db, NULL, &a, &e) == 0 && driftdb_session_open(db, NULL, &b, &e) == 0);
    CHECK(run(a, "CREATE TABLE t (id INT PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y')", &e, NULL, NULL, 0) == 0);
    size_t off = 0;
    driftdb_result *r;
    CHECK(driftdb_exec_next(a, "SELECT * FROM t", &off, &r, &e) == DRIFTDB_ROW_RESULT);
    CHECK_EQ_INT(driftdb_result_next(r, &e), 1);
    char sql[200];
    int failed_at = -1;
    for (int i = 0; i < 400 && failed_at < 0; i++) {
        snprintf(sql, sizeof(sql), "INSERT INTO t SELECT id + %d, repeat('x', 2000) FROM t WHERE id <= 2", 1000 + i * 10);
        if (run(b, sql, &e, NULL, NULL, 0) != 0) failed_at = i;
    }
    CHECK(failed_at >= 0);
    CHECK_EQ_STR(e.sqlstate, "55006");
    driftdb_result_free(r);
    CHECK(run(b, sql, &e, NULL, NULL, 0) == 0);
    driftdb_session_close(a);
    driftdb_session_close(b);
    driftdb_close(db);
    rm_dir(d);
}


/* Statements that PostgreSQL answers with a WARNING or NOTICE say so. */
TEST(notices)
{
    driftdb_error e;
    const char *d = fresh_dir();
    driftdb *db;
    driftdb_session *s;
    CHECK(driftdb_init(d, &e) == 0 && driftdb_open(d, NULL, &db, &e) == 0);
    CHECK(driftdb_session_open(db, NULL, &s, &e) == 0);
    static const struct { const char *sql, *sev, *state, *msg; } cases[] = {
        {"COMMIT", "WARNING", "25P01", "there is no transaction in progress"},
        {"DROP TABLE IF EXISTS nope", "NOTICE", "00000", "table \"nope\" does not exist, skipping"},
        {"CREATE TABLE t (id INT PRIMARY KEY)", NULL, NULL, NULL},
        {"CREATE TABLE IF NOT EXISTS t (id INT PRIMARY KEY)", "NOTICE", "42P07", "relation \"t\" already exists, skipping"},
        {"SET LOCAL TimeZone = 'UTC'", "WARNING", "25P01", "SET LOCAL can only be used in transaction blocks"},
    };
    for (size_t i = 0; i < DD_ARRAY_LEN(cases); i++) {
        size_t off = 0;
        driftdb_result *r;
        CHECK(driftdb_exec_next(s, cases[i].sql, &off, &r, &e) == DRIFTDB_ROW_RESULT);
        const char *sev = NULL, *state = NULL;
        const char *note = driftdb_result_notice(r, &sev, &state);
        if (cases[i].msg) {
            CHECK_EQ_STR(note, cases[i].msg);
            CHECK_EQ_STR(sev, cases[i].sev);
            CHECK_EQ_STR(state, cases[i].state);
        } else {
            CHECK(note == NULL);
        }
        driftdb_result_free(r);
    }
    /* a statement that raises a notice and then fails: the session keeps
     * the notice for the caller to show before the error, until the next
     * statement */
    CHECK(run(s, "CREATE ROLE o; CREATE TABLE owned (id INT); ALTER TABLE owned OWNER TO o", &e, NULL, NULL, 0) == 0);
    const char *drop = "DROP ROLE IF EXISTS nope, o";
    size_t off = 0;
    driftdb_result *r;
    CHECK(driftdb_exec_next(s, drop, &off, &r, &e) == DRIFTDB_ERROR);
    CHECK_EQ_STR(e.sqlstate, "2BP01");
    const char *sev = NULL, *state = NULL;
    CHECK_EQ_STR(driftdb_session_notice_at(s, 0, &sev, &state), "role \"nope\" does not exist, skipping");
    CHECK_EQ_STR(sev, "NOTICE");
    CHECK_EQ_STR(state, "00000");
    CHECK(driftdb_session_notice_at(s, 1, NULL, NULL) == NULL);
    CHECK(run(s, "SELECT 1", &e, NULL, NULL, 0) == 0);
    CHECK(driftdb_session_notice_at(s, 0, NULL, NULL) == NULL);
    /* ... held back below client_min_messages, as the result's are */
    CHECK(run(s, "SET client_min_messages = warning", &e, NULL, NULL, 0) == 0);
    off = 0;
    CHECK(driftdb_exec_next(s, drop, &off, &r, &e) == DRIFTDB_ERROR);
    CHECK(driftdb_session_notice_at(s, 0, NULL, NULL) == NULL);
    /* one that fails while its rows are read keeps them in its result */
    const char *rows = "SELECT pg_cancel_backend(99999), 1 / x FROM (VALUES (1), (0)) v(x)";
    off = 0;
    CHECK(driftdb_exec_next(s, rows, &off, &r, &e) == DRIFTDB_ROW_RESULT);
    while (driftdb_result_next(r, &e) == 1) {}
    CHECK_EQ_STR(e.sqlstate, "22012");
    CHECK_EQ_STR(driftdb_result_notice_at(r, 0, &sev, &state), "PID 99999 is not a PostgreSQL backend process");
    CHECK_EQ_STR(sev, "WARNING");
    CHECK(driftdb_session_notice_at(s, 0, NULL, NULL) == NULL);
    driftdb_result_free(r);
    driftdb_session_close(s);
    driftdb_close(db);
    rm_dir(d);
}

/* The workload of the fault-injection loop: one commit per statement. */
static const char *workload[] = {
    "CREATE TABLE f (pk=id, INDEX(name))",
    "INSERT INTO f (id, name, n) VALUES ('a', 'x', 1), ('b', 'y', 2)",
    "UPDATE f SET n = n + 1 WHERE id = 'a'",
    "SELECT name, sum(n), count(*) FROM f GROUP BY name ORDER BY name",
    "SELECT *, system_seq_start FROM f FOR SYSTEM_TIME ALL WHERE n > 0 ORDER BY id",
    "SELECT * FROM f FOR SYSTEM_TIME AS OF @SEQ:2 WHERE name = 'x'",
    "DELETE FROM f WHERE id = 'b'",
    "SELECT lower(name) || '!' FROM f WHERE name LIKE 'x%' AND n BETWEEN 1 AND 5",
    "SELECT regexp_replace(name, '(x)', '<\\1>', 'g'), name ~* '^X' FROM f WHERE name SIMILAR TO '%x%'",
};

TEST(out_of_memory)
{
    driftdb_error e;
    int failures = 0, nomem = 0, swallowed = 0;
    for (long n = 1; n < 4000; n++) {
        const char *d = fresh_dir();
        driftdb *db;
        driftdb_session *s;
        if (driftdb_init(d, &e) || driftdb_open(d, NULL, &db, &e)) { failures++; rm_dir(d); continue; }
        if (driftdb_session_open(db, NULL, &s, &e)) { failures++; driftdb_close(db); rm_dir(d); continue; }
        dd_alloc_fail_at(n);
        int rc = 0;
        for (size_t w = 0; w < DD_ARRAY_LEN(workload) && rc == 0; w++) rc = run(s, workload[w], &e, NULL, NULL, 0);
        long made = dd_alloc_count();   /* allocations since dd_alloc_fail_at(n) */
        dd_alloc_fail_at(0);
        if (rc != 0) {
            /* the failure must be an ordinary error, and the session usable */
            if (strcmp(e.sqlstate, "53200") != 0) {
                printf("  n=%ld: unexpected %s %s\n", n, e.sqlstate, e.message);
                failures++;
            }
            nomem++;
            char v[32];
            if (run(s, "SELECT 41 + 1", &e, NULL, v, sizeof(v)) != 0 || strcmp(v, "42") != 0) {
                printf("  n=%ld: session unusable after OOM: %s\n", n, e.message);
                failures++;
            }
            u64 checked, bad;
            if (driftdb_verify(db, &checked, &bad, &e) != 0) {
                printf("  n=%ld: verify failed after OOM: %s\n", n, e.message);
                failures++;
            }
        }
        driftdb_session_close(s);
        driftdb_close(db);
        rm_dir(d);
        if (made < n) break;   /* the countdown never fired: every allocation was tried */
        if (rc == 0) swallowed++;
    }
    printf("  %d injected failures surfaced as 53200, %d absorbed (retried or optional)\n", nomem, swallowed);
    CHECK(nomem > 10);
    CHECK_EQ_INT(failures, 0);
}

/* Temporary tables under allocation failures: every statement of the
 * workload (their creation, rows, unique keys across commits, ON COMMIT,
 * a temporary view, savepoints, the fold into the session at COMMIT) fails
 * cleanly with 53200 at every possible allocation, the session stays
 * usable, and no commit is ever made (drift_seq stays 2: the permanent
 * table's CREATE and INSERT).  One database, a fresh session per round (a
 * session's temporary tables end with it: under make asan, a leak here
 * fails the run). */
static const char *temp_workload[] = {
    "CREATE TEMP TABLE t (id SERIAL PRIMARY KEY, u TEXT UNIQUE, n INT CHECK (n > 0))",
    "INSERT INTO t (u, n) VALUES ('a', 1), ('b', 2), ('c', 3)",
    "BEGIN",
    "UPDATE t SET u = u || '!' WHERE n > 1",
    "SAVEPOINT s",
    "DELETE FROM t WHERE n = 3",
    "ROLLBACK TO s",
    "INSERT INTO t (u, n) VALUES ('d', 4) ON CONFLICT (u) DO NOTHING",
    "COMMIT",
    "CREATE TEMP TABLE d (k INT) ON COMMIT DELETE ROWS",
    "INSERT INTO d SELECT n FROM t",
    "CREATE VIEW v AS SELECT t.u, p.id FROM t JOIN p ON p.id = t.n",
    "SELECT * FROM v ORDER BY u",
    "CREATE INDEX t_n ON t (n)",
    "SELECT u FROM t WHERE n = 2",
    "DROP TABLE t CASCADE",
};

TEST(temp_tables_out_of_memory)
{
    driftdb_error e;
    int failures = 0, nomem = 0;
    const char *d = fresh_dir();
    driftdb *db;
    driftdb_session *s;
    CHECK(driftdb_init(d, &e) == 0 && driftdb_open(d, NULL, &db, &e) == 0);
    CHECK(driftdb_session_open(db, NULL, &s, &e) == 0);
    CHECK(run(s, "CREATE TABLE p (id INT PRIMARY KEY)", &e, NULL, NULL, 0) == 0);
    CHECK(run(s, "INSERT INTO p VALUES (1), (2), (3)", &e, NULL, NULL, 0) == 0);
    driftdb_session_close(s);
    for (long n = 1; n < 20000; n++) {
        if (driftdb_session_open(db, NULL, &s, &e)) { failures++; break; }
        dd_alloc_fail_at(n);
        int rc = 0;
        for (size_t w = 0; w < DD_ARRAY_LEN(temp_workload) && rc == 0; w++) rc = run(s, temp_workload[w], &e, NULL, NULL, 0);
        long made = dd_alloc_count();
        dd_alloc_fail_at(0);
        if (rc != 0) {
            if (strcmp(e.sqlstate, "53200") != 0) {
                printf("  n=%ld: unexpected %s %s\n", n, e.sqlstate, e.message);
                failures++;
            }
            nomem++;
            char v[32];
            run(s, "ROLLBACK", &e, NULL, NULL, 0);
            if (run(s, "SELECT 41 + 1", &e, NULL, v, sizeof(v)) != 0 || strcmp(v, "42") != 0) {
                printf("  n=%ld: session unusable after OOM: %s\n", n, e.message);
                failures++;
            }
        }
        char seq[32];
        if (run(s, "SELECT drift_seq()", &e, NULL, seq, sizeof(seq)) != 0 || strcmp(seq, "2") != 0) {
            printf("  n=%ld: drift_seq %s after temporary work\n", n, seq);
            failures++;
        }
        driftdb_session_close(s);
        if (made < n) break;   /* the countdown never fired: every allocation was tried */
    }
    printf("  %d injected failures surfaced as 53200\n", nomem);
    CHECK(nomem > 10);
    CHECK_EQ_INT(failures, 0);
    driftdb_close(db);
    rm_dir(d);
}

/* Two sessions of one embedded database: each sees only its own temporary
 * tables, and a session's tables end with it. */
TEST(temp_tables_sessions)
{
    driftdb_error e;
    const char *d = fresh_dir();
    driftdb *db;
    driftdb_session *a, *b;
    char v[64];
    CHECK(driftdb_init(d, &e) == 0 && driftdb_open(d, NULL, &db, &e) == 0);
    CHECK(driftdb_session_open(db, NULL, &a, &e) == 0);
    CHECK(driftdb_session_open(db, NULL, &b, &e) == 0);
    CHECK(run(a, "CREATE TEMP TABLE t (x TEXT)", &e, NULL, NULL, 0) == 0);
    CHECK(run(a, "INSERT INTO t VALUES ('a')", &e, NULL, NULL, 0) == 0);
    CHECK(run(b, "SELECT * FROM t", &e, NULL, NULL, 0) != 0);
    CHECK_EQ_STR(e.sqlstate, "42P01");
    CHECK(run(b, "CREATE TEMP TABLE t (x TEXT)", &e, NULL, NULL, 0) == 0);
    CHECK(run(b, "INSERT INTO t VALUES ('b')", &e, NULL, NULL, 0) == 0);
    CHECK(run(a, "SELECT x FROM t", &e, NULL, v, sizeof(v)) == 0);
    CHECK_EQ_STR(v, "a");
    CHECK(run(b, "SELECT x FROM t", &e, NULL, v, sizeof(v)) == 0);
    CHECK_EQ_STR(v, "b");
    driftdb_session_close(a);
    CHECK(driftdb_session_open(db, NULL, &a, &e) == 0);
    CHECK(run(a, "SELECT * FROM t", &e, NULL, NULL, 0) != 0);
    CHECK_EQ_STR(e.sqlstate, "42P01");
    CHECK(run(b, "SELECT x FROM t", &e, NULL, v, sizeof(v)) == 0);
    CHECK_EQ_STR(v, "b");
    CHECK(run(a, "SELECT drift_seq()", &e, NULL, v, sizeof(v)) == 0);
    CHECK_EQ_STR(v, "0");
    driftdb_session_close(a);
    driftdb_session_close(b);
    driftdb_close(db);
    rm_dir(d);
}

typedef struct CancelArg { driftdb_session *s; int delay_ms; } CancelArg;

static void *cancel_later(void *p)
{
    CancelArg *a = p;
    usleep((useconds_t)a->delay_ms * 1000);
    driftdb_session_cancel(a->s);
    return NULL;
}

/* A statement that would run for minutes (a cross join of 200k x 200k
 * rows) stops with 57014 once another thread cancels it, and the session
 * goes on working. */
TEST(cancel)
{
    driftdb_error e;
    const char *d = fresh_dir();
    driftdb *db;
    driftdb_session *s;
    CHECK(driftdb_init(d, &e) == 0 && driftdb_open(d, NULL, &db, &e) == 0);
    CHECK(driftdb_session_open(db, NULL, &s, &e) == 0);
    CHECK(run(s, "CREATE TABLE t (id INT PRIMARY KEY, v INT)", &e, NULL, NULL, 0) == 0);
    char *sql = malloc(1 << 20);
    CHECK(sql != NULL);
    for (int b = 0; sql && b < 200000; b += 10000) {
        size_t n = (size_t)sprintf(sql, "INSERT INTO t VALUES ");
        for (int i = b; i < b + 10000; i++) n += (size_t)sprintf(sql + n, "%s(%d, %d)", i > b ? "," : "", i, i % 7);
        CHECK(run(s, sql, &e, NULL, NULL, 0) == 0);
    }
    free(sql);
    pthread_t th;
    CancelArg a = {s, 200};
    CHECK(pthread_create(&th, NULL, cancel_later, &a) == 0);
    int rows;
    CHECK(run(s, "SELECT count(*) FROM t a, t b WHERE a.v < b.v + a.id", &e, &rows, NULL, 0) == -1);
    CHECK_EQ_STR(e.sqlstate, "57014");
    CHECK_EQ_STR(e.message, "canceling statement due to user request");
    pthread_join(th, NULL);
    /* a cancel with nothing running does not hit the next statement */
    driftdb_session_cancel(s);
    char first[32];
    CHECK(run(s, "SELECT count(*) FROM t", &e, &rows, first, sizeof first) == 0);
    CHECK_EQ_STR(first, "200000");
    driftdb_session_close(s);
    driftdb_close(db);
    rm_dir(d);
}

/* 23505 details show keys as PostgreSQL prints them (values of PostgreSQL
 * 15 for the same statements): dates, numerics at the column's scale,
 * uuids and timestamps, for primary keys, unique indexes (checked by the
 * statement and again at commit) and CREATE UNIQUE INDEX. */
TEST(unique_details)
{
    driftdb_error e;
    const char *d = fresh_dir();
    driftdb *db;
    driftdb_session *s;
    CHECK(driftdb_init(d, &e) == 0 && driftdb_open(d, NULL, &db, &e) == 0);
    CHECK(driftdb_session_open(db, NULL, &s, &e) == 0);
    CHECK(run(s, "CREATE TABLE d (k date PRIMARY KEY, n numeric(6,2), u uuid, ts timestamp, x int);"
                 "CREATE UNIQUE INDEX dn ON d (n); CREATE UNIQUE INDEX du ON d (u, ts);"
                 "INSERT INTO d VALUES ('2024-01-02', 1.5, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',"
                 " '2024-01-01 10:00', 1), ('2024-01-03', 2, NULL, NULL, 1)", &e, NULL, NULL, 0) == 0);
    CHECK(run(s, "INSERT INTO d VALUES ('2024-01-02', 3, NULL, NULL, 2)", &e, NULL, NULL, 0) == -1);
    CHECK_EQ_STR(e.sqlstate, "23505");
    CHECK_EQ_STR(e.detail, "Key (k)=(2024-01-02) already exists.");
    CHECK(run(s, "INSERT INTO d VALUES ('2024-01-04', 1.50, NULL, NULL, 2)", &e, NULL, NULL, 0) == -1);
    CHECK_EQ_STR(e.message, "duplicate key value violates unique constraint \"dn\"");
    CHECK_EQ_STR(e.detail, "Key (n)=(1.50) already exists.");
    CHECK(run(s, "INSERT INTO d VALUES ('2024-01-05', 4, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',"
                 " '2024-01-01 10:00', 2)", &e, NULL, NULL, 0) == -1);
    CHECK_EQ_STR(e.detail, "Key (u, ts)=(a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11, 2024-01-01 10:00:00) already exists.");
    /* a unique value another open transaction inserted: the second INSERT
     * waits for it (here until lock_timeout), then finds the committed row */
    driftdb_session *s2;
    CHECK(driftdb_session_open(db, NULL, &s2, &e) == 0);
    CHECK(run(s, "BEGIN; INSERT INTO d VALUES ('2024-02-01', 7.2, NULL, NULL, 3)", &e, NULL, NULL, 0) == 0);
    CHECK(run(s2, "SET lock_timeout = '20ms'; INSERT INTO d VALUES ('2024-02-02', 7.2, NULL, NULL, 3)",
              &e, NULL, NULL, 0) == -1);
    CHECK_EQ_STR(e.sqlstate, "55P03");
    CHECK(run(s, "COMMIT", &e, NULL, NULL, 0) == 0);
    CHECK(run(s2, "INSERT INTO d VALUES ('2024-02-02', 7.2, NULL, NULL, 3)", &e, NULL, NULL, 0) == -1);
    CHECK_EQ_STR(e.sqlstate, "23505");
    CHECK_EQ_STR(e.detail, "Key (n)=(7.20) already exists.");
    /* char(n) keys are shown padded, as PostgreSQL shows them */
    CHECK(run(s, "CREATE TABLE c (code char(4) PRIMARY KEY); INSERT INTO c VALUES ('ab')", &e, NULL, NULL, 0) == 0);
    CHECK(run(s, "INSERT INTO c VALUES ('ab  ')", &e, NULL, NULL, 0) == -1);
    CHECK_EQ_STR(e.detail, "Key (code)=(ab  ) already exists.");
    CHECK(run(s, "CREATE UNIQUE INDEX dx ON d (x)", &e, NULL, NULL, 0) == -1);
    CHECK_EQ_STR(e.message, "could not create unique index \"dx\"");
    CHECK_EQ_STR(e.detail, "Key (x)=(1) is duplicated.");
    driftdb_session_close(s2);
    driftdb_session_close(s);
    driftdb_close(db);
    rm_dir(d);
}

/* Statements as long as a client can send: a 60,000-row VALUES list and
 * a 50,000-member UNION ALL are answered (one Append, never a recursion as
 * deep as the list); an operator chain of 175,000 terms is 54001, not a
 * crashed stack. */
TEST(long_statements)
{
    driftdb_error e;
    const char *d = fresh_dir();
    driftdb *db;
    driftdb_session *s;
    CHECK(driftdb_init(d, &e) == 0 && driftdb_open(d, NULL, &db, &e) == 0);
    CHECK(driftdb_session_open(db, NULL, &s, &e) == 0);
    size_t cap = 2000000;
    char *q = malloc(cap), *w;
    w = q + sprintf(q, "SELECT count(*), sum(x) FROM (VALUES ");
    for (int i = 0; i < 60000; i++) w += sprintf(w, "%s(%d)", i ? "," : "", i);
    sprintf(w, ") v(x)");
    char first[64] = "";
    int rows = 0;
    CHECK(run(s, q, &e, &rows, first, sizeof first) == 0);
    CHECK_EQ_STR(first, "60000");
    w = q + sprintf(q, "SELECT count(*) FROM (");
    for (int i = 0; i < 50000; i++) w += sprintf(w, "%sSELECT %d", i ? " UNION ALL " : "", i);
    sprintf(w, ") u");
    CHECK(run(s, q, &e, &rows, first, sizeof first) == 0);
    CHECK_EQ_STR(first, "50000");
    w = q + sprintf(q, "SELECT count(*) FROM (");
    for (int i = 0; i < 50000; i++) w += sprintf(w, "%sSELECT %d", i ? " UNION " : "", i % 100);
    sprintf(w, ") u");
    CHECK(run(s, q, &e, &rows, first, sizeof first) == 0);
    CHECK_EQ_STR(first, "100");
    w = q + sprintf(q, "SELECT 1");
    for (int i = 0; i < 175000; i++) w += sprintf(w, " + 1");
    CHECK(run(s, q, &e, NULL, NULL, 0) == -1);
    CHECK_EQ_STR(e.sqlstate, "54001");
    /* the session goes on */
    CHECK(run(s, "SELECT 1", &e, &rows, first, sizeof first) == 0);
    CHECK_EQ_STR(first, "1");
    free(q);
    driftdb_session_close(s);
    driftdb_close(db);
    rm_dir(d);
}

/* An autocommit UPDATE ... RETURNING whose rows are not all read still
 * commits when its result is closed, and a commit that fails there (a
 * deferred foreign key: 23503) is reported by driftdb_result_close, not
 * lost. */
TEST(abandoned_result_commit)
{
    driftdb_error e;
    driftdb *db = NULL;
    driftdb_session *a = NULL, *b = NULL;
    const char *d = fresh_dir();
    CHECK(driftdb_init(d, &e) == DRIFTDB_OK);
    CHECK(driftdb_open(d, NULL, &db, &e) == DRIFTDB_OK);
    CHECK(driftdb_session_open(db, NULL, &a, &e) == DRIFTDB_OK);
    CHECK(driftdb_session_open(db, NULL, &b, &e) == DRIFTDB_OK);
    CHECK(run(a, "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (id int PRIMARY KEY, n int, "
                 "pid int REFERENCES p DEFERRABLE INITIALLY DEFERRED); INSERT INTO p VALUES (1); "
                 "INSERT INTO c VALUES (1, 0, 1), (2, 0, 1)",
              &e, NULL, NULL, 0) == 0);
    /* abandoned after one row, nothing in the way: it commits */
    size_t off = 0;
    driftdb_result *r = NULL;
    const char *upd = "UPDATE c SET n = n + 1 RETURNING n";
    CHECK(driftdb_exec_next(a, upd, &off, &r, &e) == DRIFTDB_ROW_RESULT);
    CHECK(driftdb_result_next(r, &e) == 1);
    CHECK(driftdb_result_close(r, &e) == 0);
    driftdb_result_free(r);
    char first[64];
    int rows;
    CHECK(run(b, "SELECT sum(n) FROM c", &e, &rows, first, sizeof first) == 0);
    CHECK_EQ_STR(first, "2");
    /* abandoned, and its commit fails: the deferred key has no parent */
    off = 0;
    const char *bad = "UPDATE c SET n = 10, pid = 99 RETURNING n";
    CHECK(driftdb_exec_next(a, bad, &off, &r, &e) == DRIFTDB_ROW_RESULT);
    CHECK(driftdb_result_next(r, &e) == 1);
    CHECK(driftdb_result_close(r, &e) == -1);
    CHECK_EQ_STR(e.sqlstate, "23503");
    CHECK(driftdb_result_close(r, &e) == 0);   /* closed once */
    driftdb_result_free(r);
    CHECK(run(b, "SELECT sum(n) FROM c", &e, &rows, first, sizeof first) == 0);
    CHECK_EQ_STR(first, "2");
    /* the session goes on, and its row locks went with the failed commit */
    CHECK(run(b, "UPDATE c SET n = 5 WHERE id = 1", &e, NULL, NULL, 0) == 0);
    CHECK(run(a, "SELECT sum(n) FROM c", &e, &rows, first, sizeof first) == 0);
    CHECK_EQ_STR(first, "6");
    /* failed by its caller part way (driftdb_session_fail: a row the
     * server could not send): the statement is rolled back, not committed */
    off = 0;
    CHECK(driftdb_exec_next(a, "UPDATE c SET n = 100 RETURNING n", &off, &r, &e) == DRIFTDB_ROW_RESULT);
    CHECK(driftdb_result_next(r, &e) == 1);
    driftdb_session_fail(a);   /* frees r */
    CHECK(run(b, "SELECT sum(n) FROM c", &e, &rows, first, sizeof first) == 0);
    CHECK_EQ_STR(first, "6");
    CHECK(run(b, "UPDATE c SET n = 7 WHERE id = 2", &e, NULL, NULL, 0) == 0);   /* no lock left behind */
    CHECK(run(a, "SELECT sum(n) FROM c", &e, &rows, first, sizeof first) == 0);
    CHECK_EQ_STR(first, "12");
    driftdb_session_close(a);
    driftdb_session_close(b);
    driftdb_close(db);
    rm_dir(d);
}

/* A hash that could not be computed fails the commit (53200) and records
 * nothing: no zero hash enters the chain; the next commit and VERIFY are
 * fine. */
TEST(hash_failure_fails_commit)
{
    driftdb_error e;
    driftdb *db = NULL;
    driftdb_session *s = NULL;
    const char *d = fresh_dir();
    CHECK(driftdb_init(d, &e) == DRIFTDB_OK);
    CHECK(driftdb_open(d, NULL, &db, &e) == DRIFTDB_OK);
    CHECK(driftdb_session_open(db, NULL, &s, &e) == DRIFTDB_OK);
    CHECK(run(s, "CREATE TABLE h (id int PRIMARY KEY)", &e, NULL, NULL, 0) == 0);
    char first[64];
    int rows;
    /* the row version's hash (1st digest of the commit), then the log
     * record's (2nd) */
    for (int at = 1; at <= 2; at++) {
        sha256_fail_at(at);
        CHECK(run(s, "INSERT INTO h VALUES (1)", &e, NULL, NULL, 0) == -1);
        CHECK_EQ_STR(e.sqlstate, "53200");
        CHECK(strstr(e.message, "hash") != NULL);
        sha256_fail_at(0);
        CHECK(run(s, "SELECT count(*) FROM drift_commits", &e, &rows, first, sizeof first) == 0);
        CHECK_EQ_STR(first, "1");
        CHECK(run(s, "SELECT count(*) FROM h", &e, &rows, first, sizeof first) == 0);
        CHECK_EQ_STR(first, "0");
    }
    CHECK(run(s, "INSERT INTO h VALUES (1)", &e, NULL, NULL, 0) == 0);
    CHECK(run(s, "SELECT count(*) FROM h", &e, &rows, first, sizeof first) == 0);
    CHECK_EQ_STR(first, "1");
    uint64_t checked, bad;
    CHECK(driftdb_verify(db, &checked, &bad, &e) == DRIFTDB_OK);
    CHECK_EQ_INT(checked, 2);
    driftdb_session_close(s);
    driftdb_close(db);
    rm_dir(d);
}

/* Every open snapshot takes a reader slot of the data file: when all are
 * taken (1,024 by default), the next transaction fails with 53300 and a
 * clear message, and once some end, autocommit writes work again. */
TEST(reader_slots_full)
{
    driftdb_error e;
    driftdb *db = NULL;
    const char *d = fresh_dir();
    CHECK(driftdb_init(d, &e) == DRIFTDB_OK);
    CHECK(driftdb_open(d, NULL, &db, &e) == DRIFTDB_OK);
    enum { N = 1100 };
    driftdb_session **ss = calloc(N, sizeof *ss);
    int held = 0, full = 0;
    char first[64];
    int rows;
    for (int i = 0; i < N && !full; i++) {
        CHECK(driftdb_session_open(db, NULL, &ss[i], &e) == DRIFTDB_OK);
        if (run(ss[i], "BEGIN; SELECT 1", &e, NULL, NULL, 0) == 0) held++;
        else {
            full = 1;
            CHECK_EQ_STR(e.sqlstate, "53300");
            CHECK(strstr(e.message, "reader slots") != NULL);
        }
    }
    CHECK(full);
    CHECK(held >= 1000 && held <= 1024);
    for (int i = 0; i < 10; i++) CHECK(run(ss[i], "ROLLBACK", &e, NULL, NULL, 0) == 0);
    driftdb_session *w = ss[held];   /* the one that failed: its block is aborted */
    CHECK(run(w, "ROLLBACK", &e, NULL, NULL, 0) == 0);
    CHECK(run(w, "CREATE TABLE r (id int PRIMARY KEY)", &e, NULL, NULL, 0) == 0);
    CHECK(run(w, "INSERT INTO r VALUES (1)", &e, NULL, NULL, 0) == 0);
    CHECK(run(w, "SELECT count(*) FROM r", &e, &rows, first, sizeof first) == 0);
    CHECK_EQ_STR(first, "1");
    for (int i = 0; i < N; i++) if (ss[i]) driftdb_session_close(ss[i]);
    free(ss);
    driftdb_close(db);
    rm_dir(d);
}

/* The whole result of sql (every row, values separated by '|', rows by
 * ';') into out; 0 or -1. */
static int run_all(driftdb_session *s, const char *sql, driftdb_error *err, char *out, size_t on)
{
    size_t off = 0, used = 0;
    driftdb_result *r;
    int rc;
    out[0] = 0;
    while ((rc = driftdb_exec_next(s, sql, &off, &r, err)) == DRIFTDB_ROW_RESULT) {
        int k;
        while ((k = driftdb_result_next(r, err)) == 1) {
            for (int i = 0; i < driftdb_result_ncols(r); i++) {
                const char *v = driftdb_result_value(r, i, NULL);
                used += (size_t)snprintf(out + used, used < on ? on - used : 0, "%s%s", i ? "|" : "", v ? v : "NULL");
            }
            used += (size_t)snprintf(out + used, used < on ? on - used : 0, ";");
        }
        driftdb_result_free(r);
        if (k < 0) return -1;
    }
    return rc == DRIFTDB_ERROR ? -1 : 0;
}

/* A transaction idle between statements (driftdb_session_idle) lets go of
 * its LMDB read transaction; when commits land meanwhile, its statements
 * read its snapshot through history: every kind of read answers as it did
 * before the commits (scans both ways, key and index ranges, index-only
 * and partial and expression indexes, joins, history, a dropped table),
 * a write to a row changed meanwhile still fails with 40001, one to an
 * untouched row commits. */
TEST(idle_snapshot_released)
{
    driftdb_error e;
    driftdb *db = NULL;
    const char *d = fresh_dir();
    CHECK(driftdb_init(d, &e) == DRIFTDB_OK);
    CHECK(driftdb_open(d, NULL, &db, &e) == DRIFTDB_OK);
    driftdb_session *a, *b;
    CHECK(driftdb_session_open(db, NULL, &a, &e) == DRIFTDB_OK);
    CHECK(driftdb_session_open(db, NULL, &b, &e) == DRIFTDB_OK);
    CHECK(run(b, "CREATE TABLE t (id int PRIMARY KEY, v int, s text);"
                 "CREATE INDEX t_v ON t (v);"
                 "CREATE INDEX t_low ON t (lower(s));"
                 "CREATE INDEX t_part ON t (v) WHERE v % 2 = 0;"
                 "CREATE TABLE u (id int PRIMARY KEY, tid int);"
                 "CREATE TABLE gone (id int PRIMARY KEY);"
                 "INSERT INTO t SELECT g, g * 10 % 97, 'S' || g FROM generate_series(1, 300) g;"
                 "INSERT INTO u SELECT g, g * 3 FROM generate_series(1, 50) g;"
                 "INSERT INTO gone VALUES (1), (2)", &e, NULL, NULL, 0) == 0);
    static const char *const qs[] = {
        "SELECT count(*), sum(v), min(s), max(s) FROM t",
        "SELECT id, v FROM t ORDER BY id DESC LIMIT 7",
        "SELECT id, v FROM t WHERE id BETWEEN 40 AND 60 ORDER BY id DESC",
        "SELECT * FROM t WHERE id = 5",
        "SELECT * FROM t WHERE id = 299",
        "SELECT id FROM t WHERE v BETWEEN 20 AND 40 ORDER BY v, id",
        "SELECT v FROM t WHERE v > 80 ORDER BY v DESC LIMIT 9",
        "SELECT id FROM t WHERE lower(s) = 's17'",
        "SELECT id FROM t WHERE v % 2 = 0 AND v < 12 ORDER BY id",
        "SELECT count(*) FROM t JOIN u ON u.tid = t.id",
        "SELECT count(*) FROM t FOR SYSTEM_TIME ALL",
        "SELECT count(*) FROM gone",
    };
    enum { NQ = sizeof qs / sizeof *qs };
    static char before[NQ][4096], after[4096];
    CHECK(run(a, "BEGIN ISOLATION LEVEL REPEATABLE READ", &e, NULL, NULL, 0) == 0);
    for (int i = 0; i < NQ; i++) CHECK(run_all(a, qs[i], &e, before[i], sizeof before[i]) == 0);
    driftdb_session_idle(a);
    /* commits meanwhile: updates (index values and keys), deletes, inserts, a drop */
    CHECK(run(b, "UPDATE t SET v = v + 1 WHERE id % 3 = 0;"
                 "UPDATE t SET s = 'X' || id WHERE id % 5 = 0;"
                 "DELETE FROM t WHERE id % 7 = 0 OR id > 290;"
                 "INSERT INTO t SELECT g, 30, 's17' FROM generate_series(301, 320) g;"
                 "UPDATE t SET id = id + 1000 WHERE id BETWEEN 50 AND 55;"
                 "DELETE FROM u WHERE id < 10;"
                 "DROP TABLE gone", &e, NULL, NULL, 0) == 0);
    for (int i = 0; i < NQ; i++) {
        CHECK(run_all(a, qs[i], &e, after, sizeof after) == 0);
        if (strcmp(before[i], after) != 0) fprintf(stderr, "  %s\n    before %.200s\n    after  %.200s\n", qs[i], before[i], after);
        CHECK_EQ_STR(after, before[i]);
        driftdb_session_idle(a);   /* each statement renews, the next goes idle again */
    }
    /* writes: a row changed meanwhile conflicts, an untouched one does not */
    CHECK(run(a, "UPDATE t SET v = 0 WHERE id = 3", &e, NULL, NULL, 0) == -1);
    CHECK_EQ_STR(e.sqlstate, "40001");
    CHECK(run(a, "ROLLBACK", &e, NULL, NULL, 0) == 0);
    CHECK(run(a, "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM t", &e, NULL, NULL, 0) == 0);
    driftdb_session_idle(a);
    CHECK(run(b, "UPDATE t SET v = 1 WHERE id = 2", &e, NULL, NULL, 0) == 0);
    CHECK(run(a, "UPDATE t SET v = 0 WHERE id = 4; COMMIT", &e, NULL, NULL, 0) == 0);
    char first[64];
    CHECK(run(b, "SELECT v FROM t WHERE id = 4", &e, NULL, first, sizeof first) == 0);
    CHECK_EQ_STR(first, "0");
    CHECK(run(b, "VERIFY", &e, NULL, NULL, 0) == 0);
    driftdb_session_close(a);
    driftdb_session_close(b);
    driftdb_close(db);
    rm_dir(d);
}

/* A statement waiting for a row lock holds no pin on the map: another
 * session's commits that grow the data file go on (they waited 10 s for
 * the waiter, then failed with 55006); the waiter then updates the row. */
typedef struct Waiter { driftdb_session *s; int rc; char state[6]; } Waiter;
static void *waiter_main(void *arg)
{
    Waiter *w = arg;
    driftdb_error e;
    w->rc = run(w->s, "UPDATE t SET v = 'b' WHERE id = 1", &e, NULL, NULL, 0);
    if (w->rc) memcpy(w->state, e.sqlstate, 6);
    return NULL;
}

TEST(grow_while_waiting_for_lock)
{
    driftdb_error e;
    const char *d = fresh_dir();
    driftdb *db;
    driftdb_session *a, *b, *c;
    CHECK(driftdb_init(d, &e) == 0);
    driftdb_options o = {.initial_map_size = 256 * 1024};
    CHECK(driftdb_open(d, &o, &db, &e) == 0);
    CHECK(driftdb_session_open(db, NULL, &a, &e) == 0 && driftdb_session_open(db, NULL, &b, &e) == 0 &&
          driftdb_session_open(db, NULL, &c, &e) == 0);
    CHECK(run(a, "CREATE TABLE t (id INT PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y')", &e, NULL,
              NULL, 0) == 0);
    CHECK(run(a, "BEGIN; UPDATE t SET v = 'a' WHERE id = 1", &e, NULL, NULL, 0) == 0);
    Waiter w = {b, -1, ""};
    pthread_t th;
    CHECK(pthread_create(&th, NULL, waiter_main, &w) == 0);
    usleep(200 * 1000);
    char sql[200];
    int failed_at = -1;
    for (int i = 0; i < 60 && failed_at < 0; i++) {
        snprintf(sql, sizeof(sql), "INSERT INTO t SELECT id + %d, repeat('x', 2000) FROM t WHERE id <= 2", 1000 + i * 10);
        if (run(c, sql, &e, NULL, NULL, 0) != 0) failed_at = i;
    }
    CHECK_EQ_INT(failed_at, -1);
    CHECK(run(a, "COMMIT", &e, NULL, NULL, 0) == 0);
    pthread_join(th, NULL);
    CHECK_EQ_INT(w.rc, 0);
    char first[64];
    int rows;
    CHECK(run(c, "SELECT v FROM t WHERE id = 1", &e, &rows, first, sizeof first) == 0);
    CHECK_EQ_STR(first, "b");
    driftdb_session_close(a);
    driftdb_session_close(b);
    driftdb_session_close(c);
    driftdb_close(db);
    rm_dir(d);
}

/* The memory of row locks that ROLLBACK TO or a failed statement lets go
 * is given back then, not at the transaction's end: a transaction that
 * locks a table's rows under a savepoint again and again stays at the
 * size of one round (a review found it growing by every round). */
TEST(lock_arena_across_savepoints)
{
    driftdb_error e;
    const char *d = fresh_dir();
    driftdb *db;
    driftdb_session *s;
    CHECK(driftdb_init(d, &e) == 0);
    CHECK(driftdb_open(d, NULL, &db, &e) == 0);
    CHECK(driftdb_session_open(db, NULL, &s, &e) == 0);
    CHECK(run(s, "CREATE TABLE t (id INT PRIMARY KEY, v INT); INSERT INTO t SELECT g, g FROM generate_series(1, 3000) g",
              &e, NULL, NULL, 0) == 0);
    CHECK(run(s, "BEGIN; SELECT id FROM t WHERE id = 1 FOR UPDATE", &e, NULL, NULL, 0) == 0);
    size_t one = 0;
    for (int round = 0; round < 20; round++) {
        int rows;
        CHECK(run(s, "SAVEPOINT a; SELECT id FROM t FOR UPDATE", &e, &rows, NULL, 0) == 0);
        CHECK(rows == 3000);
        if (round == 0) one = s->lk_arena.total;
        CHECK(run(s, "ROLLBACK TO a", &e, NULL, NULL, 0) == 0);
        /* and a failed statement lets its savepoint's locks go as well */
        CHECK(run(s, "SAVEPOINT b; SELECT id FROM t FOR SHARE; SELECT 1 / 0", &e, NULL, NULL, 0) == -1);
        CHECK(run(s, "ROLLBACK TO b", &e, NULL, NULL, 0) == 0);
    }
    CHECK(one > 3000 * 40);            /* the round's locks were in the arena */
    CHECK(s->lk_arena.total <= one);   /* and twenty rounds take no more */
    CHECK(s->lk_held != NULL);         /* id 1's lock, from before the savepoints, stays */
    CHECK(run(s, "COMMIT", &e, NULL, NULL, 0) == 0);
    CHECK(s->lk_held == NULL);
    driftdb_session_close(s);
    driftdb_close(db);
    rm_dir(d);
}

int main(void)
{
    RUN(open_errors);
    RUN(cancel);
    RUN(lock_and_read_only);
    RUN(result_metadata);
    RUN(map_grows);
    RUN(grow_while_reading);
    RUN(notices);
    RUN(out_of_memory);
    RUN(temp_tables_out_of_memory);
    RUN(temp_tables_sessions);
    RUN(unique_details);
    RUN(long_statements);
    RUN(abandoned_result_commit);
    RUN(hash_failure_fails_commit);
    RUN(reader_slots_full);
    RUN(idle_snapshot_released);
    RUN(grow_while_waiting_for_lock);
    RUN(lock_arena_across_savepoints);
    return check_summary();
}
