/*
 * test_spill.c - operators past work_mem (src/sql/exec/spill.c): random
 * sorts, hash aggregates, DISTINCTs, hash joins, nested loops and set
 * operations over random data with every value kind a spilled row carries
 * (NULLs, long and empty text, numerics past 38 digits, floats, arrays,
 * timestamps, intervals, bytea, jsonb, rows larger than a block), each
 * run with work_mem at 64kB (they spill), at 64MB (they do not) and row
 * by row (drift.batch off: no batches, no runtime filters on hash joins'
 * probe scans), must give the same rows, or the same error; a sort the
 * same rows in the same order (it is stable).  Then temp_file_limit, who may
 * set it, and allocation failures all through a spilling statement.
 *
 * DRIFTDB_TEST_SEED picks another seed, DRIFTDB_SPILL_QUERIES the number
 * of random queries; KEEPDB=1 keeps the data directory.
 */
#include "sqlrun.h"
#include "../../src/util/alloc.h"

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* o's rows sorted (for results whose order SQL leaves open). */
static void sort_rows(Out *o)
{
    if (!strncmp(o->p, "ERROR", 5)) return;
    size_t n = 0;
    for (char *p = o->p; *p; p++) n += *p == ';';
    char **rows = malloc(sizeof(char *) * (n + 1)), *copy = strdup(o->p);
    if (!rows || !copy) abort();
    size_t k = 0;
    for (char *p = copy, *q; k < n && (q = strchr(p, ';')); p = q + 1) {
        *q = 0;
        rows[k++] = p;
    }
    qsort(rows, k, sizeof(char *), cmp_str);
    o->n = 0;
    out_add(o, "");
    for (size_t i = 0; i < k; i++) {
        out_add(o, rows[i]);
        out_add(o, ";");
    }
    free(rows);
    free(copy);
}

/* The random tables: r (3,000 rows) and q (2,000), keys of small domains
 * so that groups and join matches repeat, every kind of value. */
static void load(driftdb_session *s)
{
    static const char *cols = "(id int PRIMARY KEY, a int, b text, c numeric, d float8, e int[], f timestamptz, "
                              "g interval, h bytea, j jsonb)";
    char sql[256];
    snprintf(sql, sizeof sql, "CREATE TABLE r %s", cols);
    must(s, sql);
    snprintf(sql, sizeof sql, "CREATE TABLE q %s", cols);
    must(s, sql);
    for (int t = 0; t < 2; t++) {
        int n = t ? 2000 : 3000;
        for (int i = 1; i <= n;) {
            static char ins[1 << 16];
            size_t at = (size_t)snprintf(ins, sizeof ins, "INSERT INTO %s VALUES ", t ? "q" : "r");
            for (int k = 0; k < 50 && i <= n; k++, i++) {
                char b[600], c[80], e[80];
                int bl = pick(9) ? pick(12) : pick(2) ? 0 : 300 + pick(40000 / 100) * 100;   /* some rows past a block */
                if (pick(8) == 0) snprintf(b, sizeof b, "NULL");
                else if (bl > 400) snprintf(b, sizeof b, "repeat('%c', %d)", 'a' + pick(3), bl);
                else {
                    int m = snprintf(b, sizeof b, "'");
                    for (int x = 0; x < bl; x++) b[m++] = (char)('a' + pick(4));
                    snprintf(b + m, sizeof b - (size_t)m, "'");
                }
                switch (pick(6)) {
                case 0: snprintf(c, sizeof c, "NULL"); break;
                case 1: snprintf(c, sizeof c, "%d.%02d", pick(50) - 25, pick(100)); break;
                case 2: snprintf(c, sizeof c, "1%040d", pick(5)); break;   /* past 38 digits */
                case 3: snprintf(c, sizeof c, "%s", pick(2) ? "'NaN'" : "1.0"); break;
                default: snprintf(c, sizeof c, "%d", pick(30)); break;
                }
                if (pick(7) == 0) snprintf(e, sizeof e, "NULL");
                else snprintf(e, sizeof e, "ARRAY[%d, %d]", pick(5), pick(3));
                char a[16], f[48];
                if (i % (t ? 13 : 11) == 0) snprintf(a, sizeof a, "NULL");
                else snprintf(a, sizeof a, "%d", t ? (i * 3) % 50 : (i * 7) % 40);
                if (pick(5) == 0) snprintf(f, sizeof f, "NULL");
                else snprintf(f, sizeof f, "'2026-01-0%d 0%d:00:00+00'", 1 + pick(9), pick(10));
                at += (size_t)snprintf(ins + at, sizeof ins - at, "%s(%d, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                                       k ? ", " : "", i, a, b, c, pick(6) ? (pick(2) ? "0.5" : "-0.0") : "NULL", e, f,
                                       pick(4) ? "interval '1 day'" : "interval '24 hours'",
                                       pick(5) ? "'\\x00ff'" : "NULL", pick(4) ? "'{\"k\": [1, 2]}'" : "NULL");
            }
            must(s, ins);
        }
    }
}

static const char *keys[] = {"a", "b", "c", "d", "e", "f", "g", "h", "j::text", "id % 7", "length(b)", "a, b",
                             "c, a", "b, e"};
static const char *aggs[] = {"count(*)", "count(b)", "sum(a)", "sum(c)", "min(b)", "max(c)", "avg(d)",
                             "string_agg(b, ',' ORDER BY id)", "array_agg(a ORDER BY id DESC)",
                             "count(DISTINCT a)", "max(f)", "min(g)", "bool_and(a > 3)", "sum(length(b))"};
static const char *cmps[] = {"r.a = q.a", "r.b = q.b", "r.a = q.a AND r.c = q.c", "r.e = q.e",
                             "r.a = q.a AND r.id < q.id", "r.b = q.b AND r.a <> q.a", "r.g = q.g AND r.a = q.id % 50",
                             "r.a * 2 > q.a + 70 AND r.id % 10 = 0" /* no equality: a nested loop */};

/* A random query; *ordered: its rows come in an order SQL fixes. */
static void query(Sb *b, bool *ordered)
{
    *ordered = false;
    switch (pick(7)) {
    case 0: {   /* a sort (stable: ties keep the scan's order either way) */
        put(b, "SELECT id, a, b, c FROM r ORDER BY ");
        int n = 1 + pick(2);
        for (int i = 0; i < n; i++)
            put(b, "%s%s%s%s", i ? ", " : "", keys[pick(11)], pick(2) ? " DESC" : "", pick(3) ? "" : " NULLS FIRST");
        if (pick(2)) put(b, " LIMIT %d OFFSET %d", 1 + pick(20), pick(2500));
        *ordered = true;
        break;
    }
    case 1: {   /* a hash aggregate */
        const char *k = keys[pick(DD_ARRAY_LEN(keys))];
        put(b, "SELECT %s", k);
        int n = 1 + pick(3);
        for (int i = 0; i < n; i++) put(b, ", %s", aggs[pick(DD_ARRAY_LEN(aggs))]);
        put(b, " FROM %s", pick(2) ? "r" : "q");
        if (pick(3) == 0) put(b, " WHERE a %% 3 <> 1");
        put(b, " GROUP BY %s", k);
        if (pick(4) == 0) put(b, " HAVING count(*) > 1");
        break;
    }
    case 2:   /* grouping sets */
        put(b, "SELECT a %% 10, length(b), count(*), %s FROM r GROUP BY %s (a %% 10, length(b))",
            aggs[pick(DD_ARRAY_LEN(aggs))], pick(2) ? "ROLLUP" : "CUBE");
        break;
    case 3:   /* DISTINCT, DISTINCT ON */
        if (pick(2)) put(b, "SELECT DISTINCT %s FROM %s", keys[pick(DD_ARRAY_LEN(keys))], pick(2) ? "r" : "q");
        else {
            put(b, "SELECT DISTINCT ON (a) a, id, b FROM r ORDER BY a, id DESC");
            *ordered = true;
        }
        break;
    case 4: {   /* a hash join, and a third table joined to its rows (runtime filters through joins) */
        static const char *kinds[] = {"JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN"};
        put(b, "SELECT r.id, q.id, r.b, q.c FROM r %s q ON %s", kinds[pick(4)], cmps[pick(DD_ARRAY_LEN(cmps))]);
        if (pick(2)) put(b, " JOIN q q2 ON q2.id = r.a * %d AND q2.a %% 3 = 0", 1 + pick(60));
        if (pick(3) == 0) put(b, " WHERE r.id %% %d = 1", 2 + pick(5));
        break;
    }
    case 5: {   /* UNION, INTERSECT, EXCEPT [ALL] of the same columns of both tables */
        static const char *ops[] = {"UNION", "UNION ALL", "INTERSECT", "INTERSECT ALL", "EXCEPT", "EXCEPT ALL"};
        const char *k = keys[pick(12)];
        put(b, "SELECT %s FROM r %s SELECT %s FROM q", k, ops[pick(6)], k);
        if (pick(2)) put(b, " WHERE id %% %d <> 0", 2 + pick(4));
        break;
    }
    default: {   /* semi and anti joins */
        static const char *forms[] = {"r.a IN (SELECT a FROM q)", "EXISTS (SELECT 1 FROM q WHERE q.b = r.b)",
                                      "NOT EXISTS (SELECT 1 FROM q WHERE q.a = r.a AND q.c = r.c)",
                                      "r.a NOT IN (SELECT a FROM q WHERE a IS NOT NULL)", "r.a NOT IN (SELECT a FROM q)",
                                      "(r.a, r.b) IN (SELECT a, b FROM q)"};
        put(b, "SELECT id, b FROM r WHERE %s", forms[pick(DD_ARRAY_LEN(forms))]);
        break;
    }
    }
}

/* sql with work_mem at 64kB and at 64MB, and row by row (drift.batch
 * off: no batches, no runtime filters): the same answer. */
static bool same_spilled(driftdb_session *s, const char *sql, bool ordered)
{
    Out small = {0}, big = {0}, rows = {0};
    must(s, "SET work_mem = '64kB'");
    run(s, sql, &small);
    must(s, "SET work_mem = '64MB'");
    run(s, sql, &big);
    must(s, "SET drift.batch = off");
    run(s, sql, &rows);
    must(s, "RESET drift.batch");
    if (!ordered) {
        sort_rows(&small);
        sort_rows(&big);
        sort_rows(&rows);
    }
    bool same = strcmp(small.p, big.p) == 0 && strcmp(big.p, rows.p) == 0;
    if (!same)
        printf("  differs: %s\n    spilled: %.300s\n    in memory: %.300s\n    row by row: %.300s\n", sql, small.p,
               big.p, rows.p);
    free(small.p);
    free(big.p);
    free(rows.p);
    return same;
}

TEST(random_queries)
{
    const char *seed = getenv("DRIFTDB_TEST_SEED"), *nq = getenv("DRIFTDB_SPILL_QUERIES");
    rng_state = seed ? strtoull(seed, NULL, 10) : 20261207;
    if (!rng_state) rng_state = 1;
    int nqueries = nq ? atoi(nq) : 150;
    driftdb *db;
    driftdb_session *s = open_db("spill", &db);
    load(s);
    int bad = 0;
    for (int i = 0; i < nqueries; i++) {
        Sb b = {.n = 0};
        bool ordered;
        query(&b, &ordered);
        if (!same_spilled(s, b.s, ordered)) bad++;
    }
    CHECK_EQ_INT(bad, 0);
    /* the queries did spill: a sort and a join report their disks */
    Out o = {0};
    must(s, "SET work_mem = '64kB'");
    run(s, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT * FROM r ORDER BY b", &o);
    CHECK(strstr(o.p, "Sort Method: external merge") != NULL);
    run(s, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT * FROM r JOIN q ON r.b = q.b", &o);
    CHECK(strstr(o.p, "Batches: ") != NULL);
    /* and the runtime filters dropped rows of the probe scans */
    run(s, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT r.id FROM r JOIN q ON r.a = q.a WHERE r.id > 0 AND q.id < 10",
        &o);
    CHECK(strstr(o.p, "Rows Removed by Runtime Filter: ") != NULL);
    run(s, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT r.id, q.id, r.b, q.c FROM r LEFT JOIN q ON r.a * 2 > q.a + 70",
        &o);
    CHECK(strstr(o.p, "Inner Side: on disk") != NULL);
    free(o.p);
    close_db(db, s);
}

/* A result's error state, or "" when it has none. */
static const char *state_of(const Out *o, char *buf)
{
    buf[0] = 0;
    if (!strncmp(o->p, "ERROR ", 6)) snprintf(buf, 6, "%s", o->p + 6);
    return buf;
}

TEST(temp_file_limit)
{
    driftdb *db;
    driftdb_session *s = open_db("spill", &db);
    must(s, "CREATE TABLE t AS SELECT g AS k, md5(g::text) AS s FROM generate_series(1, 20000) g");
    must(s, "SET work_mem = '64kB'");
    must(s, "SET temp_file_limit = '256kB'");
    static const char *spilling[] = {
        "SELECT * FROM t ORDER BY s",
        "SELECT s, count(*) FROM t GROUP BY s",
        "SELECT DISTINCT s FROM t",
        "SELECT count(*) FROM t a JOIN t b ON a.s = b.s",
    };
    Out o = {0};
    char st[8];
    for (size_t i = 0; i < DD_ARRAY_LEN(spilling); i++) {
        run(s, spilling[i], &o);
        CHECK_EQ_STR(state_of(&o, st), "53400");
        CHECK(strstr(o.p, "temporary file size exceeds temp_file_limit (256kB)") != NULL);
        run(s, "SELECT 41 + 1", &o);   /* the session goes on */
        CHECK_EQ_STR(o.p, "42;");
    }
    /* the limit counts what the statement holds at once: the files are
     * gone after it, so the same statement fails the same way again */
    run(s, spilling[0], &o);
    CHECK_EQ_STR(state_of(&o, st), "53400");
    must(s, "RESET temp_file_limit");
    run(s, "SELECT count(*) FROM (SELECT * FROM t ORDER BY s) x", &o);
    CHECK_EQ_STR(o.p, "20000;");
    /* only a superuser sets it (PostgreSQL's SUSET) */
    must(s, "CREATE ROLE plain");
    must(s, "SET ROLE plain");
    run(s, "SET temp_file_limit = '1MB'", &o);
    CHECK_EQ_STR(state_of(&o, st), "42501");
    run(s, "SET work_mem = '1MB'", &o);
    CHECK_EQ_STR(o.p, "");
    must(s, "RESET ROLE");
    free(o.p);
    close_db(db, s);
}

/* Allocation failures at every point of spilling statements: each ends
 * with 53200 or the right answer, and the session goes on. */
TEST(out_of_memory)
{
    driftdb *db;
    driftdb_session *s = open_db("spill", &db);
    must(s, "CREATE TABLE t AS SELECT g AS k, md5((g % 3000)::text) AS s FROM generate_series(1, 6000) g");
    must(s, "SET work_mem = '64kB'");
    static const char *spilling[] = {
        "SELECT md5(string_agg(s, ',')) FROM (SELECT s FROM t ORDER BY s, k) x",
        "SELECT count(*), sum(c) FROM (SELECT s, count(*) AS c FROM t GROUP BY s) x",
        "SELECT count(*) FROM (SELECT DISTINCT s FROM t) x",
        "SELECT count(*), sum(a.k) FROM t a FULL JOIN t b ON a.s = b.s AND a.k < 5000",
        "SELECT count(*) FROM (SELECT s FROM t EXCEPT SELECT s FROM t WHERE k % 3 = 0) x",
    };
    int failures = 0, nomem = 0;
    Out o = {0}, want = {0};
    for (size_t i = 0; i < DD_ARRAY_LEN(spilling); i++) {
        run(s, spilling[i], &want);
        for (long n = 1;; n += 1 + n / 16) {
            dd_alloc_fail_at(n);
            run(s, spilling[i], &o);
            long made = dd_alloc_count();
            dd_alloc_fail_at(0);
            char st[8];
            if (strcmp(o.p, want.p) != 0) {
                if (strcmp(state_of(&o, st), "53200") != 0) {
                    printf("  n=%ld: %s: %s\n", n, spilling[i], o.p);
                    failures++;
                }
                nomem++;
            }
            run(s, "SELECT 41 + 1", &o);
            if (strcmp(o.p, "42;") != 0) {
                printf("  n=%ld: session unusable after OOM: %s\n", n, o.p);
                failures++;
            }
            if (made < n) break;   /* every allocation was tried */
        }
    }
    printf("  %d injected failures surfaced as 53200\n", nomem);
    CHECK(nomem > 20);
    CHECK_EQ_INT(failures, 0);
    free(o.p);
    free(want.p);
    close_db(db, s);
}

int main(void)
{
    RUN(random_queries);
    RUN(temp_file_limit);
    RUN(out_of_memory);
    return check_summary();
}
