/*
 * test_batch.c - batch execution (src/sql/exec/batch.c) against the
 * row-at-a-time path it stands in for: random aggregate queries (filters,
 * keys, arguments and FILTER clauses over integers of every width, dates,
 * timestamps and booleans, with NULLs, overflows and divisions by zero)
 * over random data, each run with SET drift.batch on and off, must give
 * the same rows or the same error.  The data covers images the decoder
 * reads straight (several batches), columns added with a DEFAULT, images
 * older than an ALTER COLUMN TYPE, the transaction's own rows, and scans
 * AS OF a past seq.
 *
 * DRIFTDB_TEST_SEED picks another seed, DRIFTDB_BATCH_QUERIES the number
 * of queries per case; KEEPDB=1 keeps the data directories (for a
 * failure's query to be run again by hand).
 */
#include "sqlrun.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdbool.h>
#include <unistd.h>
#include <lmdb.h>

/* A case's random start (DRIFTDB_TEST_SEED, else 20261206, mixed with
 * salt) and its number of queries (DRIFTDB_BATCH_QUERIES, else dflt). */
static int case_start(uint64_t salt, int dflt)
{
    const char *seed = getenv("DRIFTDB_TEST_SEED"), *nq = getenv("DRIFTDB_BATCH_QUERIES");
    rng_state = (seed ? strtoull(seed, NULL, 10) : 20261206) ^ salt;
    if (!rng_state) rng_state = 1;
    return nq ? atoi(nq) : dflt;
}

/* The columns of the random queries' table t (x: see each case). */
#define T_COLUMNS "k bigint PRIMARY KEY, a smallint, b integer, c bigint, d date, ts timestamptz, f boolean, " \
                  "m numeric(12,2), q numeric, tag char(1), s text"


/* ---- random SQL ---- */

static const char *icols[] = {"k", "a", "b", "c", "x"};

static void int_expr(Sb *b, int depth)
{
    int r = pick(depth > 0 ? 9 : 4);
    switch (r) {
    case 0: case 1: case 2: put(b, "%s", icols[pick(5)]); break;
    case 3: {
        static const long long ks[] = {0, 1, 2, 3, 7, 10, 100, -1, -5, 1000, 32767, 2147483647, 4611686018427387904LL};
        long long v = ks[pick(20) ? pick(10) : pick(13)];
        if (v < 0) put(b, "(%lld)", v);
        else put(b, "%lld", v);
        break;
    }
    case 4: case 5: case 6: {
        /* a division mostly by a constant that is not 0 */
        static const char *ops[] = {"+", "-", "*", "/", "%"};
        int op = pick(5);
        put(b, "(");
        int_expr(b, depth - 1);
        put(b, " %s ", ops[op]);
        if (op >= 3 && pick(5)) put(b, "%d", 1 + pick(12));
        else int_expr(b, depth - 1);
        put(b, ")");
        break;
    }
    case 7: put(b, "(-"); int_expr(b, depth - 1); put(b, ")"); break;
    default: {
        static const char *ts[] = {"int8", "int4", "int2"};
        put(b, "(");
        int_expr(b, depth - 1);
        put(b, ")::%s", ts[pick(4) ? pick(2) : pick(3)]);
        break;
    }
    }
}

/* A numeric expression: numeric(12,2) m, unconstrained q (scales 0 to 6,
 * NaN, infinities, values past 38 digits), integers mixed in. */
static void num_expr(Sb *b, int depth)
{
    int r = pick(depth > 0 ? 7 : 4);
    switch (r) {
    case 0: case 1: put(b, pick(2) ? "m" : "q"); break;
    case 2: {
        static const char *ks[] = {"1.5", "0.01", "100", "(-2.25)", "0", "1", "0.000001", "12345678.9"};
        put(b, "%s", ks[pick(8)]);
        break;
    }
    case 3: put(b, "%s", icols[pick(5)]); break;
    default: {
        static const char *ops[] = {"+", "-", "*"};
        put(b, "(");
        num_expr(b, depth - 1);
        put(b, " %s ", ops[pick(3)]);
        num_expr(b, depth - 1);
        put(b, ")");
        break;
    }
    }
}

static void pred(Sb *b, int depth)
{
    static const char *cmps[] = {"=", "<>", "<", "<=", ">", ">="};
    int r = pick(depth > 0 ? 12 : 7);
    switch (r) {
    case 0: case 1: case 2:
        int_expr(b, 2);
        put(b, " %s ", cmps[pick(6)]);
        int_expr(b, 1);
        break;
    case 3:
        if (pick(2)) { int_expr(b, 1); put(b, pick(2) ? " IS NULL" : " IS NOT NULL"); break; }
        num_expr(b, 1);
        put(b, " %s ", cmps[pick(6)]);
        num_expr(b, 1);
        break;
    case 4: int_expr(b, 1); put(b, "%s IN (1, 3, %d, NULL)", pick(2) ? " NOT" : "", pick(50)); break;
    case 5:
        if (pick(2)) {
            num_expr(b, 1);
            put(b, "%s BETWEEN %d.%d AND %s", pick(2) ? " NOT" : "", pick(40) - 20, pick(10), pick(2) ? "200.25" : "m");
            break;
        }
        int_expr(b, 1);
        put(b, "%s BETWEEN %d AND %d", pick(2) ? " NOT" : "", pick(40) - 20, pick(400));
        break;
    case 6: {
        static const char *bs[] = {"f", "f IS TRUE", "f IS NOT FALSE", "f IS UNKNOWN", "d < date '2010-06-01'",
                                   "ts >= timestamptz '2005-01-01 00:00:00+00'", "d = d", "f = (a > 0)",
                                   "d < date '2010-06-01' + interval '1 month'", "d >= timestamp '2005-03-01 12:00:00'",
                                   "timestamp '2003-01-01 00:00:00' - interval '3 days' <= d", "c > 1000 * 1000 - 7",
                                   "b < -(2 + 3) * 100"};
        put(b, "%s", bs[pick(13)]);
        break;
    }
    case 7: case 8: put(b, "("); pred(b, depth - 1); put(b, " AND "); pred(b, depth - 1); put(b, ")"); break;
    case 9: case 10: put(b, "("); pred(b, depth - 1); put(b, " OR "); pred(b, depth - 1); put(b, ")"); break;
    default: put(b, "NOT ("); pred(b, depth - 1); put(b, ")"); break;
    }
}

static void agg(Sb *b)
{
    int r = pick(13);
    switch (r) {
    case 0: put(b, "count(*)"); break;
    case 1: put(b, "count("); int_expr(b, 1); put(b, ")"); break;
    case 2: case 3: put(b, "sum("); int_expr(b, 1); put(b, ")"); break;
    case 4: put(b, "avg("); int_expr(b, 1); put(b, ")"); break;
    case 5: put(b, pick(2) ? "min(" : "max("); int_expr(b, 1); put(b, ")"); break;
    case 6: put(b, pick(2) ? "min(d)" : "max(ts)"); break;
    case 7: put(b, pick(2) ? "sum(a)" : "sum(b)"); break;
    case 8: put(b, pick(2) ? "count(f)" : "count(s)"); break;
    case 9: put(b, "sum(c)"); break;
    case 10: case 11: put(b, pick(2) ? "sum(" : "avg("); num_expr(b, 1); put(b, ")"); break;
    default: put(b, pick(2) ? "min(" : "max("); num_expr(b, 1); put(b, ")"); break;
    }
    if (!pick(4)) {
        put(b, " FILTER (WHERE ");
        pred(b, 1);
        put(b, ")");
    }
}

static void query(Sb *b, const char *from)
{
    b->n = 0;
    int g = pick(7);
    put(b, "SELECT ");
    if (g == 1) { int_expr(b, 1); put(b, ", "); }
    else if (g == 2) put(b, "f, ");
    else if (g == 3) put(b, "d, ");
    else if (g == 4) { int_expr(b, 1); put(b, ", f, "); }
    else if (g == 5) put(b, "m, ");
    else if (g == 6) put(b, pick(3) ? "tag, f, " : "substr(s, 1, 1) AS s1, f, ");   /* substr: not a plain column */
    int na = 1 + pick(3);
    for (int i = 0; i < na; i++) {
        if (i) put(b, ", ");
        agg(b);
    }
    put(b, " FROM %s", from);
    if (pick(3)) {
        put(b, " WHERE ");
        pred(b, 2);
        if (!pick(3)) { put(b, " AND "); pred(b, 1); }
    }
    if (g == 1 || g == 2 || g == 3 || g == 5) put(b, " GROUP BY 1 ORDER BY 1");
    else if (g == 4 || g == 6) put(b, " GROUP BY 1, 2 ORDER BY 1, 2");
}

/* Runs n random queries over from with batches on and off: the same
 * rows or the same error.  Counts in *marked the queries whose EXPLAIN
 * ANALYZE with batches on says marker, in *errors those that failed. */
static int compare(driftdb_session *s, const char *from, int n, bool txn, const char *marker, int *marked,
                   int *errors)
{
    Sb q;
    Out on = {0}, off = {0}, ex = {0};
    char sql[5000];
    int same = 0;
    for (int i = 0; i < n; i++) {
        query(&q, from);
        /* inside a transaction an error aborts it: each run in a savepoint */
        if (txn) must(s, "SAVEPOINT q");
        must(s, "SET drift.batch = on");
        run(s, q.s, &on);
        if (txn) must(s, "ROLLBACK TO SAVEPOINT q");
        snprintf(sql, sizeof sql, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) %s", q.s);
        if (strncmp(on.p, "ERROR", 5) != 0 && run(s, sql, &ex) == 0 && strstr(ex.p, marker)) (*marked)++;
        else if (getenv("SHOWNV")) printf("NV %s\n%s\n", q.s, on.p);
        if (strncmp(on.p, "ERROR", 5) == 0) (*errors)++;
        if (txn) must(s, "SAVEPOINT q");
        must(s, "SET drift.batch = off");
        run(s, q.s, &off);
        if (txn) must(s, "ROLLBACK TO SAVEPOINT q");
        if (strcmp(on.p, off.p) != 0) {
            printf("  differs: %s\n    batch: %.400s\n    rows:  %.400s\n", q.s, on.p, off.p);
            CHECK(0);
        } else {
            same++;
        }
    }
    must(s, "SET drift.batch = on");
    free(on.p);
    free(off.p);
    free(ex.p);
    return same;
}

/* A value for column kind: NULL about one time in seven. */
static void value(Sb *b, int kind)
{
    if (!pick(7)) { put(b, "NULL"); return; }
    switch (kind) {
    case 0: {   /* smallint */
        static const int ex[] = {-32768, 32767, 0, -1, 1};
        if (!pick(300)) put(b, "%d", ex[pick(5)]);
        else put(b, "%d", pick(200) - 100);
        break;
    }
    case 1: {   /* integer */
        static const long long ex[] = {-2147483648LL, 2147483647, 0, -1, 65536};
        if (!pick(300)) put(b, "%lld", ex[pick(5)]);
        else put(b, "%d", pick(20000) - 10000);
        break;
    }
    case 2: {   /* bigint */
        static const char *ex[] = {"-9223372036854775808", "9223372036854775807", "0", "-1",
                                   "4611686018427387904", "3037000500"};
        if (!pick(300)) put(b, "%s", ex[pick(6)]);
        else put(b, "%lld", (long long)(rnd() % 2000000) - 1000000);
        break;
    }
    case 3: put(b, "date '2000-01-01' + %d", pick(8000)); break;
    case 4: put(b, "timestamptz '2000-01-01 00:00:00+00' + interval '%d minutes'", pick(9000000)); break;
    case 5: put(b, pick(2) ? "true" : "false"); break;
    case 6: put(b, "%d.%02d", pick(200000) - 100000, pick(100)); break;   /* numeric(12,2) */
    case 8: put(b, "'%c'", "xyz"[pick(3)]); break;   /* char(1) */
    default: {   /* numeric: scales 0 to 6; now and then NaN, an infinity, 40 digits */
        static const char *ex[] = {"'NaN'", "'Infinity'", "'-Infinity'", "1e40", "-123456789012345678901234567890.5"};
        if (!pick(400)) put(b, "%s", ex[pick(5)]);
        else put(b, "%d.%0*d", pick(2000) - 1000, 1 + pick(6), pick(1000));
        break;
    }
    }
}

static void load(driftdb_session *s, const char *table, int first, int n)
{
    Sb b;
    for (int i = 0; i < n;) {
        b.n = 0;
        put(&b, "INSERT INTO %s (k, a, b, c, d, ts, f, m, q, tag, s) VALUES ", table);
        for (int j = 0; j < 20 && i < n; j++, i++) {
            put(&b, "%s(%d, ", j ? ", " : "", first + i);
            for (int kind = 0; kind < 9; kind++) {
                value(&b, kind);
                put(&b, ", ");
            }
            put(&b, "'row %d')", first + i);
        }
        must(s, b.s);
    }
}

TEST(random_aggregates)
{
    int n = case_start(0, 150);
    printf("  seed %llu, %d queries per case\n", (unsigned long long)rng_state, n);
    driftdb *db;
    driftdb_session *s = open_db("batch", &db);
    /* x is added later with a DEFAULT: older images have no field for it */
    must(s, "CREATE TABLE t (" T_COLUMNS ")");
    load(s, "t", 1, 2500);
    must(s, "ALTER TABLE t ADD COLUMN x integer DEFAULT 42");
    load(s, "t", 2501, 700);
    must(s, "UPDATE t SET x = NULL WHERE k % 11 = 0");
    must(s, "UPDATE t SET x = k % 1000 - 500 WHERE k % 13 = 0");
    must(s, "DELETE FROM t WHERE k % 17 = 0");
    int vec = 0, total = 0, err = 0;
    total += n;
    CHECK_EQ_INT(compare(s, "t", n, false, "vectorized", &vec, &err), n);

    /* images older than an ALTER COLUMN TYPE (b: integer -> bigint) */
    must(s, "CREATE TABLE u AS SELECT * FROM t");
    must(s, "ALTER TABLE u ADD PRIMARY KEY (k)");
    must(s, "ALTER TABLE u ALTER COLUMN a TYPE integer");
    must(s, "UPDATE u SET a = a * 1000 WHERE k % 3 = 0");
    total += n;
    CHECK_EQ_INT(compare(s, "u", n, false, "vectorized", &vec, &err), n);

    /* AS OF a seq before the later changes */
    Out o = {0};
    run(s, "SELECT drift_seq()", &o);
    char from[128];
    snprintf(from, sizeof from, "t FOR SYSTEM_TIME AS OF @SEQ:%lld", atoll(o.p));
    must(s, "UPDATE t SET c = c / 2 + 1 WHERE k % 5 = 1");
    must(s, "DELETE FROM t WHERE k % 19 = 0");
    total += n;
    CHECK_EQ_INT(compare(s, from, n, false, "vectorized", &vec, &err), n);

    /* the transaction's own rows, merged into the scan */
    must(s, "BEGIN");
    load(s, "t", 5000, 300);
    must(s, "UPDATE t SET b = b + 1 WHERE k % 7 = 2 AND b < 2000000000");
    must(s, "DELETE FROM t WHERE k % 23 = 0");
    total += n;
    CHECK_EQ_INT(compare(s, "t", n, true, "vectorized", &vec, &err), n);
    must(s, "ROLLBACK");
    /* most of those that do not fail run in batches: the test tests batches */
    printf("  %d of %d queries vectorized, %d failed (on both paths alike)\n", vec, total, err);
    CHECK(vec * 10 > (total - err) * 8);
    CHECK(err * 2 < total);
    free(o.p);
    close_db(db, s);
}

/* Errors a batch cannot finish come from the row path, as without
 * batches; NULLs and constants fold as the row path folds them. */
TEST(exact_errors)
{
    driftdb *db;
    driftdb_session *s = open_db("batch", &db);
    must(s, "CREATE TABLE e (k int PRIMARY KEY, v int, w bigint, t timestamp)");
    must(s, "INSERT INTO e SELECT g, g % 5, g * 1000000000000, timestamp '2024-01-01 00:00:00.6' "
            "FROM generate_series(1, 3000) g");
    Out o = {0};
    static const struct { const char *sql, *want; } cases[] = {
        {"SELECT sum(100 / v) FROM e", "ERROR 22012 division by zero"},
        {"SELECT count(*) FROM e WHERE v <> 0 AND 100 / v > 30", "1800;"},
        {"SELECT sum(w * 10000) FROM e", "ERROR 22003 bigint out of range"},
        {"SELECT sum(v * 1000000000) FROM e", "ERROR 22003 integer out of range"},
        {"SELECT max(w::int4) FROM e WHERE k < 3", "ERROR 22003 integer out of range"},
        {"SELECT max(w), min(-w), count(w % 0) FROM e WHERE k > 9999", "NULL|NULL|0;"},
        {"SELECT sum(k), avg(k), sum(w) FROM e", "4501500|1500.5000000000000000|4501500000000000000;"},
        /* sums and products past 38 digits: the row path's big numerics */
        {"SELECT count(*) FROM e WHERE w::numeric * 99999999999999999999999999 + 99999999999999999999999999999999999999 > 0",
         "3000;"},
        {"SELECT sum(w::numeric * 99999999999999999999999999 + 99999999999999999999999999999999999999) FROM e WHERE k <= 2",
         "499999999999999999999999996999999999998;"},
        /* a cast with a typmod rounds (the row path's) */
        {"SELECT count(*), min(t::timestamp(0)) FROM e WHERE t::timestamp(0) = timestamp '2024-01-01 00:00:01'",
         "3000|2024-01-01 00:00:01;"},
        {"SELECT v, count(*) FILTER (WHERE k % 2 = 0), sum(k) FILTER (WHERE v IN (1, 2)) FROM e GROUP BY v ORDER BY v",
         "0|300|NULL;1|300|899100;2|300|899700;3|300|NULL;4|300|NULL;"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int on = 0; on < 2; on++) {
            must(s, on ? "SET drift.batch = on" : "SET drift.batch = off");
            run(s, cases[i].sql, &o);
            if (strcmp(o.p, cases[i].want) != 0) printf("  %s (batch %s): %s\n", cases[i].sql, on ? "on" : "off", o.p);
            CHECK_EQ_STR(o.p, cases[i].want);
        }
    }
    free(o.p);
    close_db(db, s);
}

/* sql run on one thread (into *one) and with max_parallel_workers_per_gather
 * as it is (into *many) gives the same rows or error. */
static void same_on_one_thread(driftdb_session *s, const char *sql, Out *one, Out *many)
{
    must(s, "SET max_parallel_workers_per_gather = 0");
    run(s, sql, one);
    must(s, "RESET max_parallel_workers_per_gather");
    run(s, sql, many);
    if (strcmp(one->p, many->p) != 0) printf("  %s:\n    one thread: %.300s\n    threads:    %.300s\n", sql, one->p, many->p);
    CHECK_EQ_STR(many->p, one->p);
}

/* sql gives the same on several threads, on one and row by row (drift.batch
 * off); and counted, under EXPLAIN ANALYZE, runs on threads where the
 * machine has more than one core. */
static void same_three_ways(driftdb_session *s, const char *sql, const char *counted, Out *one, Out *many)
{
    same_on_one_thread(s, sql, one, many);
    must(s, "SET drift.batch = off");
    run(s, sql, one);
    must(s, "SET drift.batch = on");
    CHECK_EQ_STR(many->p, one->p);
    char ex[600];
    snprintf(ex, sizeof ex, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) %s", counted);
    run(s, ex, one);
    if (sysconf(_SC_NPROCESSORS_ONLN) > 1) CHECK(strstr(one->p, "threads") != NULL);
}

/* A table the planner expects to be large runs on several threads
 * (max_parallel_workers_per_gather, cores): the same answers and errors
 * as row by row, and as on one thread. */
TEST(parallel)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int n = case_start(77, 60);
    driftdb *db;
    driftdb_session *s = open_db("batch", &db);
    must(s, "CREATE TABLE t (" T_COLUMNS ", x integer)");
    must(s, "INSERT INTO t (k, a, b, c, d, ts, f, s, x, m, q, tag) SELECT g, CASE WHEN g % 17 = 0 THEN NULL ELSE (g * 7919 % 2001 - 1000) END, "
            "CASE WHEN g % 19 = 0 THEN NULL WHEN g = 77777 THEN 2147483647 ELSE g::bigint * 104729 % 20001 - 10000 END, "
            "CASE WHEN g % 23 = 0 THEN NULL WHEN g = 99999 THEN 9223372036854775807 ELSE g::bigint * 15485863 % 2000001 - 1000000 END, "
            "CASE WHEN g % 29 = 0 THEN NULL ELSE date '2000-01-01' + g % 8000 END, "
            "timestamptz '2000-01-01 00:00:00+00' + (g % 90000) * interval '1 minute', "
            "CASE WHEN g % 31 = 0 THEN NULL ELSE g % 3 = 0 END, 'row ' || g, "
            "CASE WHEN g % 37 = 0 THEN NULL ELSE g % 1000 - 500 END, "
            "CASE WHEN g % 41 = 0 THEN NULL ELSE (g * 7 % 200001 - 100000) / 100.0 END, "
            "CASE WHEN g % 43 = 0 THEN NULL WHEN g = 123456 THEN 'NaN' ELSE (g * 13 % 20001 - 10000) / power(10, g % 5)::numeric END, "
            "CASE WHEN g % 47 = 0 THEN NULL ELSE chr(120 + g % 3) END "
            "FROM generate_series(1, 150000) g");
    must(s, "ANALYZE t");
    int par = 0, err = 0;
    CHECK_EQ_INT(compare(s, "t", n, false, "threads", &par, &err), n);
    printf("  %d of %d queries on several threads, %d failed (on both paths alike); %ld cores\n", par, n, err, cpus);
    /* all but min / max of numerics (par_threads) */
    if (cpus > 1) CHECK(par * 3 > (n - err) * 2);
    /* one thread, with batches, answers alike */
    Out one = {0}, many = {0};
    static const char *const qs[] = {
        "SELECT x, count(*), sum(c), avg(b), min(d), max(ts) FROM t GROUP BY x ORDER BY x",
        "SELECT count(*), sum(a), min(c), max(c) FROM t WHERE f AND b > 0",
        "SELECT sum(100 / (k % 1000)) FROM t",
        "SELECT sum(c + 1) FROM t",
    };
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) same_on_one_thread(s, qs[i], &one, &many);
    run(s, "SELECT sum(100 / (k % 1000)) FROM t", &one);
    CHECK_EQ_STR(one.p, "ERROR 22012 division by zero");
    /* AS OF points of a history shallow in part and deep in part (runs
     * of the versions, and key by key): on several threads, the same
     * answers as on one thread and as row by row */
    run(s, "SELECT drift_seq()", &one);
    unsigned long long loaded = strtoull(one.p, NULL, 10);
    must(s, "UPDATE t SET b = b + 1 WHERE k % 3 = 0");
    must(s, "DELETE FROM t WHERE k % 7 = 0");
    for (int r = 0; r < 12; r++) must(s, "UPDATE t SET c = c + 1 WHERE k > 120000");
    must(s, "INSERT INTO t (k, a, b) SELECT g, g % 100, g FROM generate_series(150001, 152000) g");
    CHECK(loaded > 0);
    /* AS OF points, then the periods */
    static const char *const periods[] = {"AS OF @SEQ:%llu", "FROM @SEQ:%llu TO @SEQ:%llu",
                                          "BETWEEN @SEQ:%llu AND @SEQ:%llu", "CONTAINED IN (@SEQ:%llu, @SEQ:%llu)"};
    for (size_t pi = 0; pi < sizeof periods / sizeof periods[0]; pi++)
        for (unsigned long long at = loaded; at <= loaded + (pi ? 1 : 16); at += pi ? 1 : 4) {
            char per[100], q[400], c[300];
            snprintf(per, sizeof per, periods[pi], at, at + 5);
            snprintf(q, sizeof q, "SELECT x, count(*), sum(b), sum(c), min(k), max(k) FROM t FOR SYSTEM_TIME %s "
                     "GROUP BY x ORDER BY x", per);
            snprintf(c, sizeof c, "SELECT count(*), sum(c) FROM t FOR SYSTEM_TIME %s", per);
            same_three_ways(s, q, c, &one, &many);
        }
    /* keys far apart (bounds between them meet, and are dropped): AS OF
     * still on threads, the same */
    must(s, "CREATE TABLE sparse (k bigint PRIMARY KEY, v int)");
    must(s, "INSERT INTO sparse SELECT g, g % 97 FROM generate_series(1, 90000) g");
    must(s, "INSERT INTO sparse SELECT 1000000000000 + g, g % 89 FROM generate_series(1, 30000) g");
    must(s, "ANALYZE sparse");
    run(s, "SELECT drift_seq()", &one);
    unsigned long long sp = strtoull(one.p, NULL, 10);
    must(s, "UPDATE sparse SET v = v + 1 WHERE k % 3 = 0");
    {
        char q[300], c[300];
        snprintf(q, sizeof q, "SELECT v, count(*), sum(k) FROM sparse FOR SYSTEM_TIME AS OF @SEQ:%llu GROUP BY v ORDER BY v",
                 sp);
        snprintf(c, sizeof c, "SELECT count(*), sum(v) FROM sparse FOR SYSTEM_TIME AS OF @SEQ:%llu", sp);
        same_three_ways(s, q, c, &one, &many);
    }
    /* every version (FOR SYSTEM_TIME ALL): runs throughout, the same */
    static const char *const every = "SELECT x, count(*), sum(b), sum(c), min(k), max(k) FROM t FOR SYSTEM_TIME ALL "
                                     "GROUP BY x ORDER BY x";
    same_three_ways(s, every, "SELECT count(*) FROM t FOR SYSTEM_TIME ALL", &one, &many);
    /* images older than an ALTER COLUMN TYPE: one thread (their
     * conversion is the statement's), the same answers */
    must(s, "ALTER TABLE t ALTER COLUMN x TYPE bigint");
    static const char *const conv = "SELECT f, count(*), sum(x), min(x) FROM t GROUP BY f ORDER BY f";
    run(s, conv, &many);
    must(s, "SET drift.batch = off");
    run(s, conv, &one);
    must(s, "SET drift.batch = on");
    CHECK_EQ_STR(many.p, one.p);
    run(s, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT f, count(*), sum(x) FROM t GROUP BY f", &one);
    CHECK(strstr(one.p, "vectorized") && !strstr(one.p, "threads"));
    free(one.p);
    free(many.p);
    close_db(db, s);
}

/* A large scan whose rows reach an aggregate through hash joins (either
 * side) or the outer side of a nested loop is read by worker threads
 * (parallel row batches): the same answers and errors as on one thread,
 * through runtime filters, filters the kernels give up on, and an error
 * above the scan while the workers still read; an aggregate whose answer
 * depends on row order, or a statement calling a volatile function,
 * stays on one thread. */
TEST(parallel_rows)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    driftdb *db;
    driftdb_session *s = open_db("batch", &db);
    must(s, "CREATE TABLE big (k bigint PRIMARY KEY, g int, v bigint, n numeric(12,2), d date, s text, fl float8)");
    must(s, "INSERT INTO big SELECT x, x::bigint * 7919 % 1000, CASE WHEN x % 13 = 0 THEN NULL ELSE x::bigint * 104729 % 100003 END, "
            "(x * 31 % 200001 - 100000) / 100.0, date '2000-01-01' + x % 5000, 's' || (x * 17 % 9973), x / 7.0 "
            "FROM generate_series(1, 150000) x");
    must(s, "CREATE TABLE dim (id int PRIMARY KEY, grp int, name text)");
    must(s, "INSERT INTO dim SELECT x, x % 17, 'n' || x FROM generate_series(0, 999) x");
    must(s, "CREATE TABLE big2 (k bigint PRIMARY KEY, w int)");
    must(s, "INSERT INTO big2 SELECT x * 3, x % 101 FROM generate_series(1, 120000) x");
    must(s, "ANALYZE");
    static const char *const qs[] = {
        /* the large scan probes */
        "SELECT dim.grp, count(*), sum(big.v), sum(big.n), avg(big.v), min(big.d), max(big.s), count(big.v) "
        "FROM big JOIN dim ON dim.id = big.g WHERE big.v % 7 <> 0 GROUP BY dim.grp ORDER BY 1",
        /* a runtime filter on it */
        "SELECT dim.name, count(*), sum(big.n) FROM big JOIN dim ON dim.id = big.g WHERE dim.name LIKE 'n1_' "
        "GROUP BY dim.name ORDER BY 1",
        /* two large scans, one built into the hash table */
        "SELECT big2.w, count(*), sum(big.v), max(big.d) FROM big JOIN big2 ON big2.k = big.k GROUP BY big2.w ORDER BY 1",
        /* no group: one row */
        "SELECT count(*), sum(big.v), min(big.s) FROM big JOIN dim ON dim.id = big.g AND dim.grp < 5",
        /* a kernel gives up (past 38 digits): the filters run row by row on the statement's thread */
        "SELECT dim.grp, count(*) FROM big JOIN dim ON dim.id = big.g "
        "WHERE big.n * 100000000000000000000000000000::numeric > 0 GROUP BY 1 ORDER BY 1",
        /* errors: in the scan's filter, and above it (the join's condition) while the workers read */
        "SELECT count(*) FROM big JOIN dim ON dim.id = big.g WHERE 100 / (big.k % 50000) > -1",
        "SELECT count(*) FROM big JOIN dim ON dim.id = big.g AND 100 / (big.k - 75000) > -1000",
        /* order matters to these: one thread */
        "SELECT dim.grp, sum(big.fl) FROM big JOIN dim ON dim.id = big.g GROUP BY 1 ORDER BY 1",
        "SELECT dim.grp, string_agg(big.s, ',') FROM big JOIN dim ON dim.id = big.g WHERE big.k < 40 GROUP BY 1 ORDER BY 1",
        /* the outer side of a nested loop whose lookups run on the statement's thread */
        "SELECT big.g % 10, count(*), sum(big2.w), max(big.d) FROM big JOIN big2 ON big2.k = big.k WHERE big.v < 300 "
        "GROUP BY 1 ORDER BY 1",
        "SELECT count(*), count(big2.w), sum(big.n) FROM big LEFT JOIN big2 ON big2.k = big.k WHERE big.v < 300",
        "SELECT count(*), sum(x.c) FROM big LEFT JOIN LATERAL (SELECT count(*) c FROM big2 WHERE big2.k = big.k) x ON true "
        "WHERE big.v < 300",
    };
    Out one = {0}, many = {0}, ex = {0};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        same_on_one_thread(s, qs[i], &one, &many);
        /* and once more, its rows compared with the batches off (row by row) */
        must(s, "SET drift.batch = off");
        run(s, qs[i], &one);
        must(s, "SET drift.batch = on");
        CHECK_EQ_STR(many.p, one.p);
    }
    run(s, qs[5], &one);
    CHECK_EQ_STR(one.p, "ERROR 22012 division by zero");
    run(s, qs[6], &one);
    CHECK_EQ_STR(one.p, "ERROR 22012 division by zero");
    /* the past: workers read the versions AS OF a point and over a
     * period, the same answers */
    {
        run(s, "SELECT drift_seq()", &one);
        unsigned long long before = strtoull(one.p, NULL, 10);
        must(s, "BEGIN");
        must(s, "UPDATE big SET v = v + 1 WHERE k % 4 = 0");
        must(s, "DELETE FROM big WHERE k % 9 = 0");
        must(s, "COMMIT");
        must(s, "UPDATE big SET g = (g + 1) % 1000 WHERE k % 5 = 0");
        static const char *const past[] = {
            "SELECT dim.grp, count(*), sum(big.v), max(big.d) FROM big FOR SYSTEM_TIME AS OF @SEQ:%llu "
            "JOIN dim ON dim.id = big.g WHERE big.v % 7 <> 0 GROUP BY dim.grp ORDER BY 1",
            "SELECT big2.w, count(*), sum(big.v) FROM big FOR SYSTEM_TIME FROM @SEQ:%llu TO @SEQ:%llu "
            "JOIN big2 ON big2.k = big.k GROUP BY big2.w ORDER BY 1",
        };
        for (unsigned long long at = before; at <= before + 2; at++)
            for (size_t q = 0; q < sizeof past / sizeof past[0]; q++) {
                char pq[600];
                snprintf(pq, sizeof pq, past[q], at, at + 2);
                same_on_one_thread(s, pq, &one, &many);
                must(s, "SET drift.batch = off");
                run(s, pq, &one);
                must(s, "SET drift.batch = on");
                CHECK_EQ_STR(many.p, one.p);
                CHECK(strncmp(many.p, "ERROR", 5) != 0);
                char eq[700];
                snprintf(eq, sizeof eq, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) %s", pq);
                run(s, eq, &ex);
                if (cpus > 1 && !strstr(ex.p, "Workers Launched: 2")) printf("  no workers: %s\n", ex.p);
                if (cpus > 1) CHECK(strstr(ex.p, "Workers Launched: 2") != NULL);
            }
    }
    /* EXPLAIN ANALYZE shows the workers (as many as cores allow) */
    char sql[2000];
    snprintf(sql, sizeof sql, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) %s", qs[0]);
    run(s, sql, &ex);
    if (cpus > 1) CHECK(strstr(ex.p, "Workers Launched: 2") != NULL);
    else CHECK(strstr(ex.p, "Workers Launched") == NULL);
    for (int q = 9; q <= 10; q++) {
        snprintf(sql, sizeof sql, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) %s", qs[q]);
        run(s, sql, &ex);
        CHECK(strstr(ex.p, "Nested Loop") != NULL && strstr(ex.p, "(key from the outer row)") != NULL);
        if (cpus > 1) CHECK(strstr(ex.p, "Workers Launched: 2") != NULL);
    }
    /* a volatile function meets the rows in their order, every run: one
     * thread (now() is the statement's: it does not stop them) */
    must(s, "CREATE SEQUENCE sq");
    static const char *const vol[] = {
        "SELECT sum(big.k * x.n) FROM big, LATERAL (SELECT w + nextval('sq') n FROM big2 WHERE big2.k = big.k) x "
        "WHERE big.v < 3000",
        "SELECT dim.grp, sum(big.v + (random() * 0)::int) FROM big JOIN dim ON dim.id = big.g GROUP BY 1",
        "SELECT sum(big.k * nextval('sq')) FROM big",
    };
    for (size_t q = 0; q < sizeof vol / sizeof vol[0]; q++) {
        snprintf(sql, sizeof sql, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) %s", vol[q]);
        run(s, sql, &ex);
        CHECK(strstr(ex.p, "Workers Launched") == NULL && strstr(ex.p, "threads") == NULL);
    }
    /* also when the call is compiled after the aggregate is planned (a
     * serial column's default) */
    must(s, "CREATE TABLE ser (id serial PRIMARY KEY, g int, n bigint)");
    run(s, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) INSERT INTO ser (g, n) SELECT big.g, count(*) FROM big GROUP BY 1",
        &ex);
    CHECK(strstr(ex.p, "Aggregate") != NULL && strstr(ex.p, "threads") == NULL && strstr(ex.p, "Workers") == NULL);
    must(s, "CREATE TABLE nos (g int, n bigint)");
    run(s, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) INSERT INTO nos (g, n) SELECT big.g, count(*) FROM big GROUP BY 1",
        &ex);
    if (cpus > 1) CHECK(strstr(ex.p, "threads") != NULL);
    snprintf(sql, sizeof sql, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) %s",
             "SELECT dim.grp, max(now()), sum(big.v) FROM big JOIN dim ON dim.id = big.g GROUP BY 1");
    run(s, sql, &ex);
    if (cpus > 1) CHECK(strstr(ex.p, "Workers Launched: 2") != NULL);
    snprintf(sql, sizeof sql, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) %s", qs[7]);
    run(s, sql, &ex);
    CHECK(strstr(ex.p, "Workers Launched") == NULL);
    must(s, "SET max_parallel_workers_per_gather = 0");
    snprintf(sql, sizeof sql, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) %s", qs[0]);
    run(s, sql, &ex);
    CHECK(strstr(ex.p, "Workers Launched") == NULL);
    must(s, "RESET max_parallel_workers_per_gather");
    /* a timeout while the workers read and hand up nothing (every row
     * filtered out): the statement's thread still sees it */
    must(s, "SET statement_timeout = 1");
    run(s, "SELECT count(*) FROM big JOIN big2 ON big2.k = big.k WHERE big.v = -1", &one);
    must(s, "RESET statement_timeout");
    CHECK_EQ_STR(one.p, "ERROR 57014 canceling statement due to statement timeout");
    /* the transaction's own rows: one thread, and they count */
    must(s, "BEGIN");
    must(s, "INSERT INTO big VALUES (150001, 1, 5, 1.5, '2001-01-01', 'x', 1)");
    run(s, "SELECT count(*), sum(big.v) FROM big JOIN dim ON dim.id = big.g", &many);
    must(s, "ROLLBACK");
    must(s, "SET max_parallel_workers_per_gather = 0");
    must(s, "BEGIN");
    must(s, "INSERT INTO big VALUES (150001, 1, 5, 1.5, '2001-01-01', 'x', 1)");
    run(s, "SELECT count(*), sum(big.v) FROM big JOIN dim ON dim.id = big.g", &one);
    must(s, "ROLLBACK");
    CHECK_EQ_STR(many.p, one.p);
    free(one.p);
    free(many.p);
    free(ex.p);
    close_db(db, s);
}

/* Filters over a scan (and bare scans) whose rows go up to joins,
 * sorts and projections read in batches too: the same rows as row by
 * row, in the same order. */
TEST(row_batches)
{
    int n = case_start(4242, 120);
    driftdb *db;
    driftdb_session *s = open_db("batch", &db);
    must(s, "CREATE TABLE t (" T_COLUMNS ", x integer DEFAULT 7)");
    load(s, "t", 1, 3000);
    must(s, "CREATE TABLE u (k int PRIMARY KEY, t_k bigint, w text)");
    must(s, "INSERT INTO u SELECT g, g * 7 % 3000, 'w' || g FROM generate_series(1, 2000) g");
    /* columns of other types the rows carry as Values: float, interval, enum, "char" */
    must(s, "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')");
    must(s, "ALTER TABLE t ADD COLUMN fl float8, ADD COLUMN iv interval, ADD COLUMN mo mood, ADD COLUMN ch \"char\"");
    must(s, "UPDATE t SET fl = k / 7.0, iv = k * interval '1 minute', mo = (ARRAY['sad','ok','happy'])[k % 3 + 1]::mood, "
            "ch = chr(97 + k % 26) WHERE k % 5 <> 0");
    Out on = {0}, off = {0}, ex = {0};
    Sb q;
    int vec = 0, err = 0;
    for (int i = 0; i < n; i++) {
        q.n = 0;
        int shape = pick(4);
        if (shape == 0) put(&q, "SELECT k, a, m, q, tag, s, d, x, fl, iv, mo, ch FROM t WHERE ");
        else if (shape == 1) put(&q, "SELECT t.k, u.w, t.m * 2 FROM t JOIN u ON u.t_k = t.k WHERE ");
        else if (shape == 2) put(&q, "SELECT k, c, ts FROM t WHERE ");
        else put(&q, "SELECT tag, f, count(*), string_agg(s, ',' ORDER BY s) FROM t WHERE ");
        pred(&q, 2);
        if (shape == 0) put(&q, " ORDER BY k");
        else if (shape == 1) put(&q, " ORDER BY 1, 2");
        else if (shape == 2) put(&q, " LIMIT %d", 1 + pick(50));
        else put(&q, " GROUP BY 1, 2 ORDER BY 1, 2");
        must(s, "SET drift.batch = on");
        run(s, q.s, &on);
        char sql[5000];
        snprintf(sql, sizeof sql, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) %s", q.s);
        if (strncmp(on.p, "ERROR", 5) != 0 && run(s, sql, &ex) == 0 && strstr(ex.p, "vectorized")) vec++;
        if (strncmp(on.p, "ERROR", 5) == 0) err++;
        must(s, "SET drift.batch = off");
        run(s, q.s, &off);
        if (strcmp(on.p, off.p) != 0) {
            printf("  differs: %s\n    batch: %.400s\n    rows:  %.400s\n", q.s, on.p, off.p);
            CHECK(0);
        }
    }
    must(s, "SET drift.batch = on");
    printf("  %d of %d queries read in batches, %d failed (on both paths alike)\n", vec, n, err);
    CHECK(vec * 2 > n - err);
    /* a bare scan under a sort, and an UPDATE through a filtered scan */
    run(s, "SELECT k, q FROM t ORDER BY q NULLS FIRST, k", &on);
    must(s, "SET drift.batch = off");
    run(s, "SELECT k, q FROM t ORDER BY q NULLS FIRST, k", &off);
    must(s, "SET drift.batch = on");
    CHECK_EQ_STR(on.p, off.p);
    must(s, "UPDATE t SET x = x + 1 WHERE k % 3 = 0 AND a > 0");
    run(s, "SELECT count(*), sum(x) FROM t", &on);
    must(s, "SET drift.batch = off");
    run(s, "SELECT count(*), sum(x) FROM t", &off);
    CHECK_EQ_STR(on.p, off.p);
    free(on.p);
    free(off.p);
    free(ex.p);
    close_db(db, s);
}

/* The rows of prepared statement st run with parameter value v. */
static void run_prepared(driftdb_session *s, driftdb_stmt *st, const char *v, Out *o)
{
    driftdb_error e;
    driftdb_portal *p;
    driftdb_result *r;
    driftdb_param prm = {v, strlen(v), 0};
    o->n = 0;
    out_add(o, "");
    if (driftdb_bind(s, st, 1, &prm, &p, &e) != DRIFTDB_OK) {
        out_add(o, "ERROR bind");
        return;
    }
    if (driftdb_portal_exec(s, p, &r, &e) == DRIFTDB_ROW_RESULT) {
        while (driftdb_result_next(r, &e) == 1) {
            for (int i = 0; i < driftdb_result_ncols(r); i++) {
                const char *x = driftdb_result_value(r, i, NULL);
                out_add(o, i ? "|" : "");
                out_add(o, x ? x : "NULL");
            }
            out_add(o, ";");
        }
        driftdb_result_free(r);
    } else {
        out_add(o, "ERROR ");
        out_add(o, e.message);
    }
    driftdb_portal_free(p);
}

/* A prepared statement's kept plan runs again with other parameter
 * values: its batch programs (the parameters folded in) are made anew for
 * each run, so each run answers for its own values. */
TEST(kept_plans)
{
    driftdb *db;
    driftdb_session *s = open_db("batch", &db);
    must(s, "CREATE TABLE t (k int PRIMARY KEY, v bigint, w numeric(10,2))");
    must(s, "INSERT INTO t SELECT g, g % 97, g / 100.0 FROM generate_series(1, 5000) g");
    must(s, "ANALYZE t");
    static const char *const qs[] = {
        "SELECT count(*), sum(v), max(w) FROM t WHERE v > $1",
        "SELECT v, count(*) FROM t WHERE k % 10 = $1 GROUP BY v ORDER BY v LIMIT 3",
        "SELECT k, w FROM t WHERE w * 2 > $1 ORDER BY k LIMIT 4",
    };
    static const char *const vals[] = {"3", "50", "0", "96", "7"};
    Out on = {0}, off = {0};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        driftdb_stmt *st;
        driftdb_error e;
        CHECK_EQ_INT(driftdb_prepare(s, qs[i], strlen(qs[i]), 0, NULL, &st, &e), DRIFTDB_OK);
        for (size_t j = 0; j < sizeof vals / sizeof vals[0]; j++) {
            must(s, "SET drift.batch = off");
            run_prepared(s, st, vals[j], &off);
            must(s, "SET drift.batch = on");
            run_prepared(s, st, vals[j], &on);
            if (strcmp(on.p, off.p) != 0) printf("  %s with %s:\n    batch: %s\n    rows:  %s\n", qs[i], vals[j], on.p, off.p);
            CHECK_EQ_STR(on.p, off.p);
        }
        /* and with no SET between runs: the kept plan itself */
        char want[256];
        run_prepared(s, st, "3", &on);
        snprintf(want, sizeof want, "%s", on.p);
        run_prepared(s, st, "50", &on);
        run_prepared(s, st, "3", &off);
        CHECK_EQ_STR(off.p, want);
        uint64_t generic = 0, custom = 0;
        driftdb_stmt_plans(st, &generic, &custom);
        if (i == 0) CHECK(generic > 0);
        driftdb_stmt_free(st);
    }
    free(on.p);
    free(off.p);
    close_db(db, s);
}

/* Rewrites, in the data file of dir, the image of the nth row (in key
 * order) of the table that has `rows` rows: edit(image, &len). */
static void edit_image(const char *dir, int rows, int nth, void (*edit)(unsigned char *, size_t *))
{
    char path[128];
    snprintf(path, sizeof path, "%s/driftdb.mdb", dir);
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_cursor *cur;
    MDB_val k, v;
    CHECK_EQ_INT(mdb_env_create(&env), 0);
    mdb_env_set_maxdbs(env, 32);
    CHECK_EQ_INT(mdb_env_open(env, path, MDB_NOSUBDIR, 0644), 0);
    CHECK_EQ_INT(mdb_txn_begin(env, NULL, 0, &txn), 0);
    CHECK_EQ_INT(mdb_dbi_open(txn, "current", 0, &dbi), 0);
    CHECK_EQ_INT(mdb_cursor_open(txn, dbi, &cur), 0);
    /* the table: the id whose entries number `rows` */
    unsigned id = 0, run = 0, cand = 0;
    for (int op = MDB_FIRST; mdb_cursor_get(cur, &k, &v, (MDB_cursor_op)op) == 0; op = MDB_NEXT) {
        const unsigned char *kp = k.mv_data;
        unsigned t = (unsigned)kp[0] << 24 | (unsigned)kp[1] << 16 | (unsigned)kp[2] << 8 | kp[3];
        if (t != cand) { cand = t; run = 0; }
        if (++run == (unsigned)rows) id = t;
    }
    CHECK(id != 0);
    int seen = 0;
    for (int op = MDB_FIRST; mdb_cursor_get(cur, &k, &v, (MDB_cursor_op)op) == 0; op = MDB_NEXT) {
        const unsigned char *kp = k.mv_data;
        unsigned t = (unsigned)kp[0] << 24 | (unsigned)kp[1] << 16 | (unsigned)kp[2] << 8 | kp[3];
        if (t != id || ++seen != nth) continue;
        unsigned char key[64], img[512];
        size_t len = v.mv_size;
        memcpy(key, k.mv_data, k.mv_size);
        memcpy(img, v.mv_data, len);
        edit(img, &len);
        MDB_val nk = {k.mv_size, key}, nv = {len, img};
        CHECK_EQ_INT(mdb_put(txn, dbi, &nk, &nv, 0), 0);
        break;
    }
    CHECK_EQ_INT(seen, nth);
    mdb_cursor_close(cur);
    CHECK_EQ_INT(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

/* a field after the last column, of a tag that does not exist */
static void add_bad_field(unsigned char *img, size_t *len)
{
    img[(*len)++] = 100;
    img[(*len)++] = 0xEE;
}

/* v's field (the image's second) gets a tag that does not fit integer */
static void retag_v(unsigned char *img, size_t *len)
{
    /* after the 9-byte header of `current`: format, (1, INT, k), (2, INT, v) */
    size_t p = 9 + 1;
    p++;                                   /* colid 1 */
    p++;                                   /* tag */
    while (p < *len && (img[p] & 0x80)) p++;
    p++;                                   /* k's varint */
    p++;                                   /* colid 2 */
    img[p] = 4;                            /* REC_FLOAT where an integer belongs */
}

/* m's field (the image's third, a numeric) made a text field: a tag
 * that does not fit numeric (the rest of the image intact) */
static void retext_m(unsigned char *img, size_t *len)
{
    /* after the 9-byte header of `current`: format, (1, INT, k), (2, INT, v), (3, NUMERIC, m) */
    size_t p = 9 + 1;
    for (int f = 0; f < 2; f++) {
        p += 2;                            /* colid, tag */
        while (p < *len && (img[p] & 0x80)) p++;
        p++;                               /* the varint */
    }
    p++;                                   /* colid 3 */
    img[p++] = 5;                          /* REC_BYTES */
    img[p++] = 2;
    img[p++] = 'a';
    img[p++] = 'b';
    *len = p;
}

/* A damaged image is damage with batches as without: reported (XX001),
 * and after the errors of the rows before it. */
TEST(damaged_images)
{
    driftdb *db;
    driftdb_session *s = open_db("batch", &db);
    must(s, "CREATE TABLE c (k int PRIMARY KEY, v int, w int)");
    must(s, "INSERT INTO c SELECT g, g, g FROM generate_series(1, 1000) g");
    must(s, "CREATE TABLE d (k int PRIMARY KEY, v int, w int)");
    must(s, "INSERT INTO d SELECT g, g, g FROM generate_series(1, 999) g");
    must(s, "CREATE TABLE n (k int PRIMARY KEY, v int, m numeric(12,2))");
    must(s, "INSERT INTO n SELECT g, g, g / 4.0 FROM generate_series(1, 998) g");
    driftdb_session_close(s);
    driftdb_close(db);
    edit_image(db_dir, 1000, 500, add_bad_field);
    edit_image(db_dir, 999, 500, retag_v);
    edit_image(db_dir, 998, 500, retext_m);
    driftdb_error e;
    CHECK_EQ_INT(driftdb_open(db_dir, NULL, &db, &e), DRIFTDB_OK);
    CHECK_EQ_INT(driftdb_session_open(db, NULL, &s, &e), DRIFTDB_OK);
    static const struct { const char *sql, *want; } cases[] = {
        {"SELECT count(*) FROM c", "ERROR XX001"},
        {"SELECT sum(v) FROM c WHERE k > 10", "ERROR XX001"},
        {"SELECT sum(v) FROM d", "ERROR XX001"},
        /* k = 3 divides by zero before row 500 is read */
        {"SELECT sum(100 / (k - 3) + v) FROM d", "ERROR 22012"},
        /* m's damaged field is damage in a row the filter drops too
         * (the filter does not read m), as row by row */
        {"SELECT sum(m) FROM n WHERE v > 990", "ERROR XX001"},
        {"SELECT k, m FROM n WHERE v % 100 = 1 ORDER BY m", "ERROR XX001"},
        {"SELECT sum(m) FROM n WHERE k < 500", "31187.50"},
    };
    Out o = {0};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int on = 0; on < 2; on++) {
            must(s, on ? "SET drift.batch = on" : "SET drift.batch = off");
            run(s, cases[i].sql, &o);
            if (strncmp(o.p, cases[i].want, strlen(cases[i].want)) != 0)
                printf("  %s (batch %s): %s\n", cases[i].sql, on ? "on" : "off", o.p);
            CHECK(strncmp(o.p, cases[i].want, strlen(cases[i].want)) == 0);
        }
    }
    free(o.p);
    close_db(db, s);
}

/* Images read the row way (older than an ALTER COLUMN TYPE) among plain
 * ones decoded before them: the first NULL one of them brings to a
 * column leaves the plain lanes after it non-NULL, whatever an earlier
 * batch left in those lanes. */
/* sql answers alike in batches and row by row (drift.batch), with no
 * error; batches on again after. */
static void same_batch_or_rows(driftdb_session *s, const char *sql, Out *on, Out *off)
{
    must(s, "SET drift.batch = on");
    run(s, sql, on);
    must(s, "SET drift.batch = off");
    run(s, sql, off);
    must(s, "SET drift.batch = on");
    if (strcmp(on->p, off->p) != 0) printf("  %s\n    batch: %s\n    rows:  %s\n", sql, on->p, off->p);
    CHECK_EQ_STR(on->p, off->p);
    CHECK(strncmp(on->p, "ERROR", 5) != 0);
}

/* An aggregate AS OF a point read in batches: from a checkpoint (the
 * keys it lists, each sought), through a mass deletion, and key ranges
 * of a deep history: the same answers as row by row, and the scan ends. */
TEST(asof_batches)
{
    driftdb *db;
    driftdb_session *s = open_db("batch", &db);
    must(s, "CREATE TABLE u (k int PRIMARY KEY, v int, w text)");
    must(s, "INSERT INTO u SELECT g, g, 'w' || g FROM generate_series(1, 30000) g");
    Out on = {0}, off = {0};
    run(s, "SELECT drift_seq()", &on);
    unsigned long long loaded = strtoull(on.p, NULL, 10);
    must(s, "DELETE FROM u WHERE k > 2000");
    for (int r = 0; r < 60; r++) must(s, "UPDATE u SET v = v + 1 WHERE k > 1500");
    must(s, "UPDATE u SET v = v + 1 WHERE k = 3");
    must(s, "CHECKPOINT TABLE u");
    run(s, "SELECT drift_seq()", &on);
    unsigned long long head = strtoull(on.p, NULL, 10);
    CHECK(loaded > 0 && head > loaded + 60);
    unsigned long long points[] = {loaded, loaded + 1, loaded + 30, head - 1, head};
    /* each shape read in batches (EXPLAIN says vectorized) when on */
    static const char *const shapes[] = {
        "SELECT count(*), sum(v), max(k) FROM u FOR SYSTEM_TIME AS OF @SEQ:%llu",
        "SELECT count(*), sum(v) FROM u FOR SYSTEM_TIME AS OF @SEQ:%llu WHERE v > 1000",
        "SELECT k % 10, count(*), sum(v) FROM u FOR SYSTEM_TIME AS OF @SEQ:%llu WHERE k >= 1000 GROUP BY 1 ORDER BY 1",
    };
    for (size_t p = 0; p < sizeof points / sizeof points[0]; p++)
        for (size_t q = 0; q < sizeof shapes / sizeof shapes[0]; q++) {
            char sql[300];
            snprintf(sql, sizeof sql, shapes[q], points[p]);
            same_batch_or_rows(s, sql, &on, &off);
            char ex[400];
            snprintf(ex, sizeof ex, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) %s", sql);
            run(s, ex, &off);
            if (!strstr(off.p, "vectorized")) printf("  not in batches: %s\n", off.p);
            CHECK(strstr(off.p, "vectorized") != NULL);
        }
    /* the periods, the same */
    for (unsigned long long a = loaded; a < head; a += 13) {
        static const char *const periods[] = {"FROM @SEQ:%llu TO @SEQ:%llu", "BETWEEN @SEQ:%llu AND @SEQ:%llu",
                                              "CONTAINED IN (@SEQ:%llu, @SEQ:%llu)"};
        for (size_t q = 0; q < sizeof periods / sizeof periods[0]; q++) {
            char per[100], sql[300];
            snprintf(per, sizeof per, periods[q], a, a + 5);
            snprintf(sql, sizeof sql, "SELECT count(*), sum(v), max(k) FROM u FOR SYSTEM_TIME %s", per);
            same_batch_or_rows(s, sql, &on, &off);
        }
    }
    /* from the checkpoint: its scan reads the listed keys in batches */
    char sql[300];
    snprintf(sql, sizeof sql, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) "
             "SELECT count(*), sum(v) FROM u FOR SYSTEM_TIME AS OF @SEQ:%llu", head);
    must(s, "SET drift.batch = on");
    run(s, sql, &on);
    if (!strstr(on.p, "from checkpoint") || !strstr(on.p, "vectorized")) printf("  %s\n", on.p);
    CHECK(strstr(on.p, "from checkpoint") != NULL && strstr(on.p, "vectorized") != NULL);
    snprintf(sql, sizeof sql, "SELECT count(*), sum(v) FROM u FOR SYSTEM_TIME AS OF @SEQ:%llu", head);
    same_batch_or_rows(s, sql, &on, &off);
    CHECK_EQ_STR(on.p, "2000|2031001;");   /* 1..2000, 500 keys 60 more, one 1 more */
    free(on.p);
    free(off.p);
    close_db(db, s);
}

TEST(late_nulls)
{
    driftdb *db;
    driftdb_session *s = open_db("late_nulls", &db);
    must(s, "CREATE TABLE w (k int PRIMARY KEY, a int, b int, c text, d numeric)");
    must(s, "INSERT INTO w SELECT g, g, CASE WHEN g % 2 = 0 THEN NULL ELSE g END, CASE WHEN g % 2 = 0 THEN NULL ELSE "
            "'t' || g END, CASE WHEN g % 2 = 0 THEN NULL ELSE g / 4.0 END FROM generate_series(1, 5000) g");
    must(s, "ALTER TABLE w ALTER COLUMN a TYPE bigint");
    /* past the first batch, every row plain and non-NULL but k % 100 = 2 */
    must(s, "UPDATE w SET b = k, c = 'u' || k, d = k / 8.0 WHERE k > 1024 AND k % 100 <> 2");
    must(s, "SET max_parallel_workers_per_gather = 0");
    const char *qs[] = {"SELECT count(b), sum(b), count(*) FROM w", "SELECT count(*) FROM w WHERE b IS NULL",
                        "SELECT sum(a), count(b) FROM w WHERE k > 1000",
                        "SELECT count(c), min(c), max(c), count(d), sum(d) FROM w",
                        "SELECT count(*) FROM w WHERE c IS NULL OR d IS NULL"};
    Out on = {0}, off = {0};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        must(s, "SET drift.batch = on");
        run(s, qs[i], &on);
        must(s, "SET drift.batch = off");
        run(s, qs[i], &off);
        if (strcmp(on.p, off.p) != 0) printf("  %s\n    batch: %s\n    rows:  %s\n", qs[i], on.p, off.p);
        CHECK_EQ_STR(on.p, off.p);
    }
    /* and the answer itself: the 512 even keys of the first 1,024 and the
     * 39 keys k % 100 = 2 after them are NULL */
    run(s, "SELECT count(*) FROM w WHERE b IS NULL", &on);
    CHECK_EQ_STR(on.p, "551;");
    free(on.p);
    free(off.p);
    close_db(db, s);
}

int main(void)
{
    RUN(random_aggregates);
    RUN(exact_errors);
    RUN(parallel);
    RUN(parallel_rows);
    RUN(damaged_images);
    RUN(row_batches);
    RUN(kept_plans);
    RUN(late_nulls);
    RUN(asof_batches);
    return check_summary();
}
