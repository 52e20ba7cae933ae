/*
 * bench_core.c - first measurements of the foundation, through the
 * embedded API, with SQLite in the same run for scale.
 *
 *   build/bench/bench_core [DIR] [SECONDS]
 *
 * 1. Durable single-row INSERTs per second (autocommit, one row per
 *    commit), 1 and 8 threads, each thread its own session.  SQLite runs
 *    the same statements with journal_mode=WAL, synchronous=FULL (durable
 *    at commit), each thread its own connection.
 * 2. Point lookup latency by primary key: in the present, AS OF the middle
 *    of a 100-version history, and AS OF on a key with one version (the
 *    contract: history depth does not slow a point lookup).  Each lookup
 *    is a whole SQL statement (parse, plan, execute).
 * Prints one line per figure and the ratios.
 */
#include "driftdb.h"
#include <sqlite3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run(driftdb_session *s, const char *sql)
{
    size_t off = 0;
    driftdb_result *r;
    driftdb_error e;
    int rc;
    while ((rc = driftdb_exec_next(s, sql, &off, &r, &e)) == DRIFTDB_ROW_RESULT) {
        while ((rc = driftdb_result_next(r, &e)) == 1) {}
        driftdb_result_free(r);
        if (rc < 0) break;
    }
    if (rc == DRIFTDB_ERROR || rc < 0) {
        fprintf(stderr, "bench: %s: %s: %s\n", sql, e.sqlstate, e.message);
        return -1;
    }
    return 0;
}

typedef struct Job {
    driftdb *db;
    sqlite3 *lite;
    int id;
    double secs;
    long done;
} Job;

static void *dd_inserter(void *arg)
{
    Job *j = arg;
    driftdb_session *s;
    driftdb_error e;
    if (driftdb_session_open(j->db, NULL, &s, &e)) return NULL;
    char sql[160];
    double end = now_s() + j->secs;
    long n = 0;
    while (now_s() < end) {
        snprintf(sql, sizeof(sql), "INSERT INTO b (id, v) VALUES (%ld, 'payload-%d-%ld')",
                 (long)j->id * 100000000L + n, j->id, n);
        if (run(s, sql)) break;
        n++;
    }
    j->done = n;
    driftdb_session_close(s);
    return NULL;
}

static void *lite_inserter(void *arg)
{
    Job *j = arg;
    char sql[160];
    double end = now_s() + j->secs;
    long n = 0;
    while (now_s() < end) {
        snprintf(sql, sizeof(sql), "INSERT INTO b (id, v) VALUES (%ld, 'payload-%d-%ld')",
                 (long)j->id * 100000000L + n, j->id, n);
        char *msg = NULL;
        if (sqlite3_exec(j->lite, sql, NULL, NULL, &msg) != SQLITE_OK) {
            if (msg && strstr(msg, "locked")) { sqlite3_free(msg); continue; }
            fprintf(stderr, "sqlite: %s\n", msg ? msg : "?");
            sqlite3_free(msg);
            break;
        }
        n++;
    }
    j->done = n;
    return NULL;
}

static double dd_inserts(driftdb *db, int threads, double secs)
{
    pthread_t t[16];
    Job j[16];
    for (int i = 0; i < threads; i++) {
        j[i] = (Job){db, NULL, i + 1 + threads * 100, secs, 0};
        pthread_create(&t[i], NULL, dd_inserter, &j[i]);
    }
    long total = 0;
    for (int i = 0; i < threads; i++) { pthread_join(t[i], NULL); total += j[i].done; }
    return (double)total / secs;
}

static double lite_inserts(const char *path, int threads, double secs)
{
    pthread_t t[16];
    Job j[16];
    for (int i = 0; i < threads; i++) {
        j[i] = (Job){NULL, NULL, i + 1 + threads * 100, secs, 0};
        sqlite3_open(path, &j[i].lite);
        sqlite3_busy_timeout(j[i].lite, 10000);
        sqlite3_exec(j[i].lite, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL, NULL);
    }
    for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, lite_inserter, &j[i]);
    long total = 0;
    for (int i = 0; i < threads; i++) { pthread_join(t[i], NULL); total += j[i].done; sqlite3_close(j[i].lite); }
    return (double)total / secs;
}

/* Runs a one-row query; returns the number of rows (-1 on error). */
static int rows_of(driftdb_session *s, const char *sql)
{
    size_t off = 0;
    driftdb_result *r;
    driftdb_error e;
    int n = 0, rc;
    while ((rc = driftdb_exec_next(s, sql, &off, &r, &e)) == DRIFTDB_ROW_RESULT) {
        while ((rc = driftdb_result_next(r, &e)) == 1) n++;
        driftdb_result_free(r);
        if (rc < 0) return -1;
    }
    return rc == DRIFTDB_ERROR ? -1 : n;
}

static double lookup_us(driftdb_session *s, const char *fmt, int n)
{
    char sql[200];
    double t0 = now_s();
    for (int i = 0; i < n; i++) {
        snprintf(sql, sizeof(sql), fmt, i % 100);
        if (rows_of(s, sql) != 1) {   /* every lookup must find its row */
            fprintf(stderr, "bench: %s did not return one row\n", sql);
            return -1;
        }
    }
    return (now_s() - t0) * 1e6 / n;
}

int main(int argc, char **argv)
{
    const char *base = argc > 1 ? argv[1] : "/tmp/driftdb-bench";
    double secs = argc > 2 ? atof(argv[2]) : 3.0;
    char dir[512], lite[512], cmd[600];
    snprintf(dir, sizeof(dir), "%s/dd", base);
    snprintf(lite, sizeof(lite), "%s/lite.db", base);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", base, base);
    if (system(cmd)) return 1;
    driftdb_error e;
    driftdb *db;
    if (driftdb_init(dir, &e) || driftdb_open(dir, NULL, &db, &e)) {
        fprintf(stderr, "bench: %s\n", e.message);
        return 1;
    }
    driftdb_session *s;
    driftdb_session_open(db, NULL, &s, &e);
    run(s, "CREATE TABLE b (id BIGINT PRIMARY KEY, v TEXT)");
    sqlite3 *l;
    sqlite3_open(lite, &l);
    sqlite3_exec(l, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                    "CREATE TABLE b (id INTEGER PRIMARY KEY, v TEXT)", NULL, NULL, NULL);
    sqlite3_close(l);

    printf("durable single-row INSERTs per second (%.0f s each)\n", secs);
    for (int threads = 1; threads <= 8; threads += 7) {
        driftdb_stats s0, s1;
        driftdb_get_stats(db, &s0);
        double d = dd_inserts(db, threads, secs);
        driftdb_get_stats(db, &s1);
        printf("  (%d thread%s: %.1f commits per LMDB write transaction)\n", threads, threads > 1 ? "s" : "",
               (double)(s1.commits - s0.commits) / (double)(s1.batches - s0.batches ? s1.batches - s0.batches : 1));
        double q = lite_inserts(lite, threads, secs);
        printf("  %d thread%s: DriftDB %8.0f/s   SQLite (WAL, synchronous=FULL) %8.0f/s   ratio %.2f\n",
               threads, threads > 1 ? "s" : " ", d, q, q > 0 ? d / q : 0);
    }

    /* 100 keys with 100 versions each (one commit per round), plus 100 keys
     * with one version */
    run(s, "CREATE TABLE h (id TEXT PRIMARY KEY, n BIGINT, pad TEXT)");
    run(s, "CREATE TABLE one (id TEXT PRIMARY KEY, n BIGINT, pad TEXT)");
    char sql[8192];
    for (int round = 0; round < 100; round++) {
        size_t o = 0;
        if (round == 0) {
            o += (size_t)snprintf(sql + o, sizeof(sql) - o, "INSERT INTO h VALUES ");
            for (int k = 0; k < 100; k++)
                o += (size_t)snprintf(sql + o, sizeof(sql) - o, "%s('k%d', 0, 'some padding text')", k ? ", " : "", k);
        } else {
            o += (size_t)snprintf(sql + o, sizeof(sql) - o, "UPDATE h SET n = n + 1");
        }
        if (run(s, sql)) return 1;
    }
    {
        size_t o = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO one VALUES ");
        for (int k = 0; k < 100; k++)
            o += (size_t)snprintf(sql + o, sizeof(sql) - o, "%s('k%d', 0, 'some padding text')", k ? ", " : "", k);
        run(s, sql);
    }
    /* h was created at seq 2 + 2 = 4... find the seq of round 50 */
    int n = 20000;
    char asof[200];
    /* the seq of the 50th version of h: its creation + 50 */
    driftdb_result *r;
    size_t off = 0;
    long mid = 0;
    const char *q = "SELECT system_seq_start FROM h FOR SYSTEM_TIME ALL WHERE id = 'k0' AND n = 50";
    if (driftdb_exec_next(s, q, &off, &r, &e) == DRIFTDB_ROW_RESULT) {
        if (driftdb_result_next(r, &e) == 1) mid = atol(driftdb_result_value(r, 0, NULL));
        while (driftdb_result_next(r, &e) == 1) {}
        driftdb_result_free(r);
    }
    snprintf(asof, sizeof(asof), "SELECT n FROM h FOR SYSTEM_TIME AS OF @SEQ:%ld WHERE id = 'k%%d'", mid);
    char asof1[200];
    snprintf(asof1, sizeof(asof1), "SELECT n FROM one FOR SYSTEM_TIME AS OF @SEQ:%ld WHERE id = 'k%%d'", mid + 200);
    lookup_us(s, "SELECT n FROM h WHERE id = 'k%d'", 2000);   /* warm up */
    double present = lookup_us(s, "SELECT n FROM h WHERE id = 'k%d'", n);
    double past = lookup_us(s, asof, n);
    double past1 = lookup_us(s, asof1, n);
    double present1 = lookup_us(s, "SELECT n FROM one WHERE id = 'k%d'", n);
    /* the same lookup in SQLite, also a whole statement each time */
    double lite_us;
    {
        sqlite3 *db2;
        sqlite3_open(lite, &db2);
        sqlite3_exec(db2, "CREATE TABLE h (id TEXT PRIMARY KEY, n BIGINT, pad TEXT)", NULL, NULL, NULL);
        sqlite3_exec(db2, "BEGIN", NULL, NULL, NULL);
        for (int k = 0; k < 100; k++) {
            snprintf(sql, sizeof(sql), "INSERT INTO h VALUES ('k%d', 99, 'some padding text')", k);
            sqlite3_exec(db2, sql, NULL, NULL, NULL);
        }
        sqlite3_exec(db2, "COMMIT", NULL, NULL, NULL);
        double t0 = now_s();
        for (int i = 0; i < n; i++) {
            snprintf(sql, sizeof(sql), "SELECT n FROM h WHERE id = 'k%d'", i % 100);
            sqlite3_stmt *st;
            sqlite3_prepare_v2(db2, sql, -1, &st, NULL);
            while (sqlite3_step(st) == SQLITE_ROW) (void)sqlite3_column_text(st, 0);
            sqlite3_finalize(st);
        }
        lite_us = (now_s() - t0) * 1e6 / n;
        sqlite3_close(db2);
    }
    printf("point lookup by primary key, whole statement, %d lookups each\n", n);
    printf("  SQLite, present:                             %6.2f us   DriftDB present / SQLite %.2f\n", lite_us,
           present / lite_us);
    printf("  present, key with 100 versions:              %6.2f us\n", present);
    printf("  AS OF @SEQ:%ld (middle of 100 versions):     %6.2f us   ratio to present %.2f\n", mid, past,
           past / present);
    printf("  AS OF, key with 1 version:                   %6.2f us   ratio to present %.2f\n", past1,
           past1 / present1);
    printf("  present, key with 1 version:                 %6.2f us\n", present1);
    driftdb_stats st;
    driftdb_get_stats(db, &st);
    printf("commits %llu in %llu LMDB write transactions (group commit)\n", (unsigned long long)st.commits,
           (unsigned long long)st.batches);
    driftdb_session_close(s);
    driftdb_close(db);
    return 0;
}
