/*
 * test_prepared.c - prepared statements and portals of the embedded API
 * (driftdb_prepare / driftdb_bind / driftdb_portal_exec / driftdb_session_sync):
 * parameter types inferred from context, descriptions, text and binary
 * parameters and results of every type (binary.c) with a round trip
 * through both forms, the implicit transaction between syncs, errors, COPY
 * through a portal, and out-of-memory fault injection over the prepared
 * path.
 */
#include "check.h"
#include "driftdb.h"
#include "../../src/util/alloc.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

static char tmpl[64];

static const char *fresh_dir(void)
{
    snprintf(tmpl, sizeof(tmpl), "/tmp/dd_prep_XXXXXX");
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

static driftdb *db;
static driftdb_session *sess;

static void open_db(void)
{
    driftdb_error e;
    const char *d = fresh_dir();
    if (driftdb_init(d, &e) || driftdb_open(d, NULL, &db, &e) || driftdb_session_open(db, NULL, &sess, &e)) {
        printf("  cannot open a database: %s\n", e.message);
        abort();
    }
}

static void close_db(void)
{
    driftdb_session_close(sess);
    driftdb_close(db);
    rm_dir(tmpl);
}

/* Runs sql through the simple path; -1 on an error (printed unless it
 * was expected: expect_error). */
static int simple_q(const char *sql, bool expect_error)
{
    driftdb_error e;
    size_t off = 0;
    driftdb_result *r;
    int rc;
    while ((rc = driftdb_exec_next(sess, sql, &off, &r, &e)) == DRIFTDB_ROW_RESULT) {
        while ((rc = driftdb_result_next(r, &e)) == 1) {}
        driftdb_result_free(r);
        if (rc < 0) break;
    }
    if ((rc == DRIFTDB_ERROR || rc < 0) && !expect_error) printf("  %s: %s\n", sql, e.message);
    return rc == DRIFTDB_ERROR || rc < 0 ? -1 : 0;
}

static int simple(const char *sql) { return simple_q(sql, false); }

/* Prepares sql, binds n parameters, runs it and copies the first column of
 * its first row (binary when `binary`) into out / *outlen.  Returns 0,
 * or -1 with *e filled.  Syncs afterwards. */
static int prep_run(const char *sql, int n, const driftdb_param *p, int binary, char *out, size_t *outlen,
                    driftdb_error *e)
{
    driftdb_stmt *st = NULL;
    driftdb_portal *po = NULL;
    driftdb_result *r = NULL;
    int rc = -1;
    if (out) { out[0] = 0; *outlen = 0; }
    if (driftdb_prepare(sess, sql, strlen(sql), 0, NULL, &st, e) != DRIFTDB_OK) goto done;
    if (driftdb_bind(sess, st, n, p, &po, e) != DRIFTDB_OK) goto done;
    int x = driftdb_portal_exec(sess, po, &r, e);
    if (x == DRIFTDB_ERROR) goto done;
    if (x == DRIFTDB_ROW_RESULT) {
        if (driftdb_result_ncols(r) > 0) driftdb_result_set_binary(r, 0, binary);
        int k;
        bool first = true;
        while ((k = driftdb_result_next(r, e)) == 1) {
            size_t len;
            const char *v = driftdb_result_value(r, 0, &len);
            if (first && out) {
                if (v) { memcpy(out, v, len); out[len] = 0; *outlen = len; }
                else { strcpy(out, "NULL"); *outlen = 4; }
            }
            first = false;
        }
        driftdb_result_free(r);
        if (k < 0) goto done;
    }
    if (driftdb_session_sync(sess, e) != DRIFTDB_OK) goto done;
    rc = 0;
done:
    driftdb_portal_free(po);
    driftdb_stmt_free(st);
    if (rc) {
        driftdb_error ignore;
        driftdb_session_sync(sess, &ignore);
    }
    return rc;
}

static driftdb_param text_param(const char *s)
{
    driftdb_param p = {s, s ? strlen(s) : 0, 0};
    return p;
}

TEST(inferred_types)
{
    open_db();
    CHECK(simple("CREATE TABLE t (id INT PRIMARY KEY, big BIGINT, name VARCHAR(9), at TIMESTAMPTZ, n NUMERIC(6,2))") == 0);
    static const struct { const char *sql; int n; uint32_t oids[5]; } cases[] = {
        {"SELECT * FROM t WHERE id = $1", 1, {23}},
        {"SELECT * FROM t WHERE big > $1 LIMIT $2 OFFSET $3", 3, {20, 20, 20}},
        {"SELECT * FROM t FOR SYSTEM_TIME AS OF $1", 1, {1184}},
        {"SELECT * FROM t FOR SYSTEM_TIME BETWEEN $1 AND $2", 2, {1184, 1184}},
        {"INSERT INTO t VALUES ($1, $2, $3, $4, $5)", 5, {23, 20, 1043, 1184, 1700}},
        {"UPDATE t SET name = $2 WHERE id = $1", 2, {23, 1043}},
        {"SELECT $1::int, $2::date, $3", 3, {23, 1082, 25}},
        {"SELECT n * $1 FROM t", 1, {1700}},
        {"DELETE FROM t WHERE name LIKE $1", 1, {25}},
        {"SELECT 1", 0, {0}},
    };
    driftdb_error e;
    for (size_t i = 0; i < DD_ARRAY_LEN(cases); i++) {
        driftdb_stmt *st;
        CHECK(driftdb_prepare(sess, cases[i].sql, strlen(cases[i].sql), 0, NULL, &st, &e) == DRIFTDB_OK);
        CHECK_EQ_INT(driftdb_stmt_nparams(st), cases[i].n);
        for (int k = 0; k < cases[i].n; k++) {
            if (driftdb_stmt_param_type(st, k) != cases[i].oids[k])
                printf("  %s: $%d is %u, expected %u\n", cases[i].sql, k + 1, driftdb_stmt_param_type(st, k),
                       cases[i].oids[k]);
            CHECK(driftdb_stmt_param_type(st, k) == cases[i].oids[k]);
        }
        driftdb_stmt_free(st);
    }
    /* declared types win; descriptions */
    driftdb_stmt *st;
    uint32_t decl[2] = {20, 0};
    const char *q = "SELECT id, name FROM t WHERE id = $1 AND name = $2";
    CHECK(driftdb_prepare(sess, q, strlen(q), 2, decl, &st, &e) == DRIFTDB_OK);
    CHECK_EQ_INT(driftdb_stmt_param_type(st, 0), 20);
    CHECK_EQ_INT(driftdb_stmt_param_type(st, 1), 1043);
    int has_rows;
    const driftdb_column *cols;
    CHECK_EQ_INT(driftdb_stmt_columns(st, &has_rows, &cols), 2);
    CHECK(has_rows);
    CHECK_EQ_STR(cols[1].name, "name");
    CHECK_EQ_INT(cols[1].type_oid, 1043);
    CHECK_EQ_INT(cols[1].typmod, 9 + 4);
    driftdb_stmt_free(st);
    q = "INSERT INTO t (id) VALUES ($1)";
    CHECK(driftdb_prepare(sess, q, strlen(q), 0, NULL, &st, &e) == DRIFTDB_OK);
    CHECK_EQ_INT(driftdb_stmt_columns(st, &has_rows, &cols), 0);
    CHECK(!has_rows);
    driftdb_stmt_free(st);
    CHECK(driftdb_prepare(sess, "  -- nothing\n", 13, 0, NULL, &st, &e) == DRIFTDB_OK);
    CHECK(driftdb_stmt_is_empty(st));
    driftdb_stmt_free(st);
    close_db();
}

/* Each value: its type and text; text -> binary -> text must give it back. */
static const struct { const char *type, *text; } values[] = {
    {"bool", "t"}, {"bool", "f"},
    {"int2", "-32768"}, {"int4", "2147483647"}, {"int8", "-9223372036854775808"},
    {"float4", "1.5"}, {"float8", "-2.5e-300"}, {"float8", "Infinity"},
    {"numeric", "0"}, {"numeric", "1"}, {"numeric", "-1.50"}, {"numeric", "0.0001"}, {"numeric", "10000"},
    {"numeric", "123456789.000000001"}, {"numeric", "99999999999999999999999999999999999999"},
    {"numeric", "-0.00000000000000000000000000000000000001"}, {"numeric", "12340000"},
    {"text", "héllo"}, {"varchar", "v"}, {"bytea", "\\x00ff10"},
    {"date", "2024-02-29"}, {"date", "0001-01-01"},
    {"timestamp", "2024-01-02 03:04:05.678901"}, {"timestamptz", "1999-12-31 23:59:59.5+00"},
    {"interval", "1 year 2 mons -3 days +04:05:06.000007"},
    {"uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
};

TEST(binary_round_trip)
{
    open_db();
    driftdb_error e;
    for (size_t i = 0; i < DD_ARRAY_LEN(values); i++) {
        char sql[64], bin[256], txt[256];
        size_t blen, tlen;
        snprintf(sql, sizeof sql, "SELECT $1::%s", values[i].type);
        driftdb_param p = text_param(values[i].text);
        int rc = prep_run(sql, 1, &p, 1, bin, &blen, &e);
        CHECK(rc == 0);
        if (rc) { printf("  %s %s: %s\n", values[i].type, values[i].text, e.message); continue; }
        driftdb_param b = {bin, blen, 1};
        rc = prep_run(sql, 1, &b, 0, txt, &tlen, &e);
        CHECK(rc == 0);
        if (rc) { printf("  %s %s back: %s\n", values[i].type, values[i].text, e.message); continue; }
        txt[tlen] = 0;
        if (strcmp(txt, values[i].text) != 0)
            printf("  %s: %s came back as %s\n", values[i].type, values[i].text, txt);
        CHECK_EQ_STR(txt, values[i].text);
    }
    /* PostgreSQL's numeric wire form of -1.50: 2 digits, weight 0, negative, dscale 2 */
    char bin[64];
    size_t blen;
    driftdb_param p = text_param("-1.50");
    CHECK(prep_run("SELECT $1::numeric", 1, &p, 1, bin, &blen, &e) == 0);
    static const unsigned char want[] = {0, 2, 0, 0, 0x40, 0, 0, 2, 0, 1, 0x13, 0x88};
    CHECK(blen == sizeof want && memcmp(bin, want, sizeof want) == 0);
    /* digits past dscale are truncated, as PostgreSQL's numeric_recv */
    static const unsigned char trunc[] = {0, 2, 0, 0, 0, 0, 0, 1, 0, 1, 0x13, 0x88};   /* 1.5000 shown with 1 decimal */
    driftdb_param tp = {(const char *)trunc, sizeof trunc, 1};
    char txt[64];
    size_t tlen;
    CHECK(prep_run("SELECT $1::numeric", 1, &tp, 0, txt, &tlen, &e) == 0);
    txt[tlen] = 0;
    CHECK_EQ_STR(txt, "1.5");
    close_db();
}

TEST(bad_parameters)
{
    open_db();
    driftdb_error e;
    driftdb_param two[2] = {text_param("1"), text_param("2")};
    CHECK(prep_run("SELECT $1::int", 2, two, 0, NULL, NULL, &e) == -1);
    CHECK_EQ_STR(e.sqlstate, "08P01");
    /* as PostgreSQL: too short 08P01, too long 22P03 */
    driftdb_param shortp = {"\0\0\1", 3, 1};
    CHECK(prep_run("SELECT $1::int", 1, &shortp, 0, NULL, NULL, &e) == -1);
    CHECK_EQ_STR(e.sqlstate, "08P01");
    driftdb_param longp = {"\0\0\0\0\1", 5, 1};
    CHECK(prep_run("SELECT $1::int", 1, &longp, 0, NULL, NULL, &e) == -1);
    CHECK_EQ_STR(e.sqlstate, "22P03");
    driftdb_param uuid15 = {"0123456789abcde", 15, 1};
    CHECK(prep_run("SELECT $1::uuid", 1, &uuid15, 0, NULL, NULL, &e) == -1);
    CHECK_EQ_STR(e.sqlstate, "08P01");
    static const unsigned char numlong[] = {0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0};   /* a byte too many */
    driftdb_param nl = {(const char *)numlong, sizeof numlong, 1};
    CHECK(prep_run("SELECT $1::numeric", 1, &nl, 0, NULL, NULL, &e) == -1);
    CHECK_EQ_STR(e.sqlstate, "22P03");
    static const unsigned char baddigit[] = {0, 1, 0, 0, 0, 0, 0, 0, 0x27, 0x10};   /* digit 10000 */
    driftdb_param bd = {(const char *)baddigit, sizeof baddigit, 1};
    CHECK(prep_run("SELECT $1::numeric", 1, &bd, 0, NULL, NULL, &e) == -1);
    CHECK_EQ_STR(e.sqlstate, "22P03");
    driftdb_param badutf = {"\xff", 1, 1};
    CHECK(prep_run("SELECT $1::text", 1, &badutf, 0, NULL, NULL, &e) == -1);
    CHECK_EQ_STR(e.sqlstate, "22021");
    driftdb_param x = text_param("x");
    CHECK(prep_run("SELECT $1::int", 1, &x, 0, NULL, NULL, &e) == -1);
    CHECK_EQ_STR(e.sqlstate, "22P02");
    CHECK(prep_run("SELECT 1; SELECT 2", 0, NULL, 0, NULL, NULL, &e) == -1);
    CHECK_EQ_STR(e.sqlstate, "42601");
    CHECK(prep_run("SELECT $2::int + $1", 0, NULL, 0, NULL, NULL, &e) == -1);   /* 2 parameters */
    CHECK_EQ_STR(e.sqlstate, "08P01");
    CHECK(prep_run("SELECT $2::int", 0, NULL, 0, NULL, NULL, &e) == -1);   /* $1 no context types */
    CHECK_EQ_STR(e.sqlstate, "42P18");
    driftdb_stmt *st;
    uint32_t point = 600;   /* a type DriftDB does not have */
    CHECK(driftdb_prepare(sess, "SELECT $1", 9, 1, &point, &st, &e) == DRIFTDB_ERROR);
    CHECK_EQ_STR(e.sqlstate, "0A000");
    char v[32];
    size_t vl;
    driftdb_param n = text_param(NULL);
    CHECK(prep_run("SELECT $1::int IS NULL", 1, &n, 0, v, &vl, &e) == 0);
    CHECK_EQ_STR(v, "t");
    close_db();
}

TEST(implicit_transaction)
{
    open_db();
    driftdb_error e;
    CHECK(simple("CREATE TABLE k (id INT PRIMARY KEY)") == 0);
    driftdb_stmt *st;
    const char *q = "INSERT INTO k VALUES ($1)";
    CHECK(driftdb_prepare(sess, q, strlen(q), 0, NULL, &st, &e) == DRIFTDB_OK);
    /* two inserts, then an error before the sync: neither stays */
    for (int i = 1; i <= 2; i++) {
        char num[16];
        snprintf(num, sizeof num, "%d", i);
        driftdb_param p = text_param(num);
        driftdb_portal *po;
        driftdb_result *r;
        CHECK(driftdb_bind(sess, st, 1, &p, &po, &e) == DRIFTDB_OK);
        CHECK(driftdb_portal_exec(sess, po, &r, &e) == DRIFTDB_ROW_RESULT);
        CHECK_EQ_STR(driftdb_result_tag(r), "INSERT 0 1");
        driftdb_result_free(r);
        driftdb_portal_free(po);
    }
    driftdb_param bad = text_param("nope");
    driftdb_portal *po;
    CHECK(driftdb_bind(sess, st, 1, &bad, &po, &e) == DRIFTDB_ERROR);
    CHECK(driftdb_session_sync(sess, &e) == DRIFTDB_OK);
    char v[32];
    size_t vl;
    CHECK(prep_run("SELECT count(*) FROM k", 0, NULL, 0, v, &vl, &e) == 0);
    CHECK_EQ_STR(v, "0");
    /* the same without the error: committed at the sync */
    driftdb_param one = text_param("1");
    driftdb_result *r;
    CHECK(driftdb_bind(sess, st, 1, &one, &po, &e) == DRIFTDB_OK);
    CHECK(driftdb_portal_exec(sess, po, &r, &e) == DRIFTDB_ROW_RESULT);
    driftdb_result_free(r);
    driftdb_portal_free(po);
    CHECK(driftdb_session_sync(sess, &e) == DRIFTDB_OK);
    CHECK(prep_run("SELECT count(*) FROM k", 0, NULL, 0, v, &vl, &e) == 0);
    CHECK_EQ_STR(v, "1");
    /* in a failed block only COMMIT / ROLLBACK prepare */
    CHECK(simple("BEGIN") == 0);
    CHECK(simple_q("SELECT * FROM nope", true) == -1);
    driftdb_stmt *st2;
    CHECK(driftdb_prepare(sess, "SELECT 1", 8, 0, NULL, &st2, &e) == DRIFTDB_ERROR);
    CHECK_EQ_STR(e.sqlstate, "25P02");
    CHECK(driftdb_prepare(sess, "ROLLBACK", 8, 0, NULL, &st2, &e) == DRIFTDB_OK);
    CHECK(driftdb_bind(sess, st2, 0, NULL, &po, &e) == DRIFTDB_OK);
    CHECK(driftdb_portal_exec(sess, po, &r, &e) == DRIFTDB_ROW_RESULT);
    CHECK_EQ_STR(driftdb_result_tag(r), "ROLLBACK");
    driftdb_result_free(r);
    driftdb_portal_free(po);
    driftdb_stmt_free(st2);
    CHECK(driftdb_session_txn_status(sess) == 'I');
    driftdb_stmt_free(st);
    close_db();
}

/* Binds st without parameters and runs it: DRIFTDB_ROW_RESULT with *r,
 * or DRIFTDB_ERROR with *e filled. */
static int exec_stmt(driftdb_stmt *st, driftdb_result **r, driftdb_error *e)
{
    driftdb_portal *po;
    if (driftdb_bind(sess, st, 0, NULL, &po, e) != DRIFTDB_OK) return DRIFTDB_ERROR;
    int rc = driftdb_portal_exec(sess, po, r, e);
    driftdb_portal_free(po);
    return rc;
}

/* COPY through a portal (Parse / Bind / Execute), as a simple query runs
 * it, in the implicit transaction up to the sync. */
TEST(copy_portal)
{
    open_db();
    driftdb_error e;
    CHECK(simple("CREATE TABLE cp (id INT PRIMARY KEY, v TEXT)") == 0);
    const char *in = "COPY cp FROM STDIN";
    driftdb_stmt *st;
    CHECK(driftdb_prepare(sess, in, strlen(in), 0, NULL, &st, &e) == DRIFTDB_OK);
    int has_rows = -1;
    const driftdb_column *cols;
    CHECK_EQ_INT(driftdb_stmt_nparams(st), 0);
    CHECK_EQ_INT(driftdb_stmt_columns(st, &has_rows, &cols), 0);
    CHECK_EQ_INT(has_rows, 0);   /* Describe: NoData */
    driftdb_result *r;
    CHECK(exec_stmt(st, &r, &e) == DRIFTDB_ROW_RESULT);
    int binary = -1, ncols = -1;
    CHECK(driftdb_result_copy(r, &binary, &ncols) == 'i');
    CHECK_EQ_INT(binary, 0);
    CHECK_EQ_INT(ncols, 2);
    CHECK(driftdb_copy_in_data(r, "1\ta\n2\t", 6, &e) == 0);
    CHECK(driftdb_copy_in_data(r, "b\n", 2, &e) == 0);
    CHECK(driftdb_copy_in_end(r, &e) == 0);
    CHECK_EQ_STR(driftdb_result_tag(r), "COPY 2");
    driftdb_result_free(r);
    CHECK(driftdb_session_sync(sess, &e) == DRIFTDB_OK);
    char v[64];
    size_t vl;
    CHECK(prep_run("SELECT count(*) FROM cp", 0, NULL, 0, v, &vl, &e) == 0);
    CHECK_EQ_STR(v, "2");
    /* a COPY then an error before the sync: nothing of it stays */
    CHECK(exec_stmt(st, &r, &e) == DRIFTDB_ROW_RESULT);
    CHECK(driftdb_copy_in_data(r, "3\tc\n", 4, &e) == 0 && driftdb_copy_in_end(r, &e) == 0);
    driftdb_result_free(r);
    CHECK(prep_run("SELECT 1 / 0", 0, NULL, 0, v, &vl, &e) == -1);
    CHECK(prep_run("SELECT count(*) FROM cp", 0, NULL, 0, v, &vl, &e) == 0);
    CHECK_EQ_STR(v, "2");
    /* a bad row: 22P02 at its line, and nothing of the COPY stays */
    CHECK(exec_stmt(st, &r, &e) == DRIFTDB_ROW_RESULT);
    CHECK(driftdb_copy_in_data(r, "4\td\nx\te\n", 9, &e) == -1);
    CHECK_EQ_STR(e.sqlstate, "22P02");
    CHECK_EQ_STR(e.context, "COPY cp, line 2, column id: \"x\"");
    driftdb_result_free(r);
    driftdb_session_fail(sess);
    CHECK(driftdb_session_sync(sess, &e) == DRIFTDB_OK);
    CHECK(prep_run("SELECT count(*) FROM cp", 0, NULL, 0, v, &vl, &e) == 0);
    CHECK_EQ_STR(v, "2");
    driftdb_stmt_free(st);
    /* COPY TO STDOUT: CopyData, whatever the statement described */
    const char *out = "COPY (SELECT * FROM cp ORDER BY id DESC) TO STDOUT (FORMAT csv)";
    CHECK(driftdb_prepare(sess, out, strlen(out), 0, NULL, &st, &e) == DRIFTDB_OK);
    CHECK_EQ_INT(driftdb_stmt_columns(st, &has_rows, &cols), 0);
    CHECK_EQ_INT(has_rows, 0);
    CHECK(exec_stmt(st, &r, &e) == DRIFTDB_ROW_RESULT);
    CHECK(driftdb_result_copy(r, &binary, &ncols) == 'o');
    CHECK_EQ_INT(ncols, 2);
    char got[64] = "";
    const char *data;
    size_t len;
    while (driftdb_copy_out_next(r, &data, &len, &e) == 1)
        if (strlen(got) + len < sizeof got) strncat(got, data, len);
    CHECK_EQ_STR(got, "2,b\n1,a\n");
    CHECK_EQ_STR(driftdb_result_tag(r), "COPY 2");
    driftdb_result_free(r);
    driftdb_stmt_free(st);
    CHECK(driftdb_session_sync(sess, &e) == DRIFTDB_OK);
    /* a COPY takes no parameters (a utility statement in PostgreSQL): its
     * query's $1 has none */
    const char *param = "COPY (SELECT $1::int) TO STDOUT";
    CHECK(driftdb_prepare(sess, param, strlen(param), 0, NULL, &st, &e) == DRIFTDB_OK);
    CHECK_EQ_INT(driftdb_stmt_nparams(st), 0);
    CHECK(exec_stmt(st, &r, &e) == DRIFTDB_ERROR);
    CHECK_EQ_STR(e.sqlstate, "42P02");
    driftdb_stmt_free(st);
    CHECK(driftdb_session_sync(sess, &e) == DRIFTDB_OK);
    close_db();
}

TEST(out_of_memory)
{
    driftdb_error e;
    int failures = 0, nomem = 0;
    for (long n = 1; n < 3000; n++) {
        open_db();
        CHECK(simple("CREATE TABLE m (id INT PRIMARY KEY, v NUMERIC)") == 0);
        dd_alloc_fail_at(n);
        driftdb_param p[2] = {text_param("7"), {"\0\0\0\0\0\0\0\2", 8, 1}};
        int rc = prep_run("INSERT INTO m VALUES ($1, $2::int8)", 2, p, 0, NULL, NULL, &e);
        char v[64];
        size_t vl;
        if (!rc) rc = prep_run("SELECT v FROM m WHERE id = $1", 1, p, 1, v, &vl, &e);
        long made = dd_alloc_count();
        dd_alloc_fail_at(0);
        if (rc) {
            nomem++;
            if (strcmp(e.sqlstate, "53200") != 0) {
                printf("  n=%ld: unexpected %s %s\n", n, e.sqlstate, e.message);
                failures++;
            }
            if (prep_run("SELECT $1::int + 1", 1, p, 0, v, &vl, &e) != 0 || strcmp(v, "8") != 0) {
                printf("  n=%ld: session unusable after OOM: %s (%s)\n", n, e.message, v);
                failures++;
            }
        }
        close_db();
        if (made < n) break;
    }
    printf("  %d injected failures surfaced as 53200\n", nomem);
    CHECK(nomem > 10);
    CHECK_EQ_INT(failures, 0);
}

/* Runs st once with one text parameter (NULL: SQL NULL) and copies the
 * first column of its first row into out ("" none, "NULL"); -1 on an
 * error, in *e.  Syncs afterwards. */
static int run_stmt1(driftdb_stmt *st, const char *arg, char *out, size_t cap, driftdb_error *e)
{
    driftdb_param p = text_param(arg);
    driftdb_portal *po = NULL;
    driftdb_result *r = NULL;
    int rc = -1;
    out[0] = 0;
    if (driftdb_bind(sess, st, driftdb_stmt_nparams(st), &p, &po, e) != DRIFTDB_OK) goto done;
    if (driftdb_portal_exec(sess, po, &r, e) != DRIFTDB_ROW_RESULT) goto done;
    int k;
    bool first = true;
    while ((k = driftdb_result_next(r, e)) == 1) {
        size_t len;
        const char *v = driftdb_result_value(r, 0, &len);
        if (first) snprintf(out, cap, "%.*s", v ? (int)len : 4, v ? v : "NULL");
        first = false;
    }
    driftdb_result_free(r);
    if (k < 0) goto done;
    if (driftdb_session_sync(sess, e) != DRIFTDB_OK) goto done;
    rc = 0;
done:
    driftdb_portal_free(po);
    if (rc) {
        driftdb_error ignore;
        driftdb_session_sync(sess, &ignore);
    }
    return rc;
}

/* A prepared query's plan is kept and run again with new values (its
 * generic plan) while nothing it depends on changes (plan_cache_mode
 * force_custom_plan: planned for every run); a change of the table, of a
 * setting or of the role makes it anew; a query whose plan
 * holds what a run cannot reuse (a FOR SYSTEM_TIME point, a subquery) is
 * planned for each run's values. */
TEST(kept_plans)
{
    open_db();
    CHECK(simple("CREATE TABLE t (id INT PRIMARY KEY, v BIGINT)") == 0);
    CHECK(simple("INSERT INTO t SELECT g, g * 10 FROM generate_series(1, 20) g") == 0);
    driftdb_error e;
    driftdb_stmt *st = NULL, *past = NULL, *sub = NULL;
    const char *q = "SELECT v FROM t WHERE id = $1";
    CHECK(driftdb_prepare(sess, q, strlen(q), 0, NULL, &st, &e) == DRIFTDB_OK);
    char out[64];
    uint64_t g, c;
    static const struct { const char *arg, *want; } runs[] = {
        {"1", "10"}, {"2", "20"}, {NULL, ""}, {"21", ""}, {"20", "200"}, {"1", "10"},
    };
    for (size_t i = 0; i < DD_ARRAY_LEN(runs); i++) {
        CHECK(run_stmt1(st, runs[i].arg, out, sizeof out, &e) == 0);
        CHECK(strcmp(out, runs[i].want) == 0);
    }
    /* the first run is planned for its values, the others use the kept plan */
    driftdb_stmt_plans(st, &g, &c);
    CHECK(g == DD_ARRAY_LEN(runs) - 1 && c == 1);
    /* plan_cache_mode = force_custom_plan: planned for each run */
    CHECK(simple("SET plan_cache_mode = force_custom_plan") == 0);
    CHECK(run_stmt1(st, "5", out, sizeof out, &e) == 0 && strcmp(out, "50") == 0);
    driftdb_stmt_plans(st, &g, &c);
    CHECK(g == DD_ARRAY_LEN(runs) - 1 && c == 2);
    CHECK(simple("RESET plan_cache_mode") == 0);
    /* a write the plan's table sees, then a change of the table */
    CHECK(simple("UPDATE t SET v = 7 WHERE id = 3") == 0);
    CHECK(run_stmt1(st, "3", out, sizeof out, &e) == 0 && strcmp(out, "7") == 0);
    CHECK(simple("ALTER TABLE t ADD COLUMN w int") == 0);
    CHECK(run_stmt1(st, "3", out, sizeof out, &e) == 0 && strcmp(out, "7") == 0);
    CHECK(simple("CREATE INDEX t_v ON t (v)") == 0);
    CHECK(run_stmt1(st, "4", out, sizeof out, &e) == 0 && strcmp(out, "40") == 0);
    driftdb_stmt_plans(st, &g, &c);
    CHECK(g == DD_ARRAY_LEN(runs) + 2 && c == 2);
    /* the table gone: the error, not a kept plan */
    CHECK(simple("DROP TABLE t") == 0);
    CHECK(run_stmt1(st, "4", out, sizeof out, &e) == -1 && strcmp(e.sqlstate, "42P01") == 0);
    CHECK(simple("CREATE TABLE t (id INT PRIMARY KEY, v BIGINT)") == 0);
    CHECK(simple("INSERT INTO t VALUES (4, 44)") == 0);
    CHECK(run_stmt1(st, "4", out, sizeof out, &e) == 0 && strcmp(out, "44") == 0);
    /* inside a transaction that changes the catalog: planned per run */
    CHECK(simple("BEGIN") == 0);
    CHECK(simple("ALTER TABLE t ADD COLUMN x int") == 0);
    driftdb_stmt_plans(st, &g, &c);
    uint64_t c0 = c;
    CHECK(run_stmt1(st, "4", out, sizeof out, &e) == 0 && strcmp(out, "44") == 0);
    driftdb_stmt_plans(st, &g, &c);
    CHECK(c == c0 + 1);
    CHECK(simple("ROLLBACK") == 0);

    const char *qp = "SELECT v FROM t FOR SYSTEM_TIME AS OF CAST($1 AS text) WHERE id = 4";
    CHECK(driftdb_prepare(sess, qp, strlen(qp), 0, NULL, &past, &e) == DRIFTDB_OK);
    const char *qs = "SELECT (SELECT max(v) FROM t WHERE id <= $1)";
    CHECK(driftdb_prepare(sess, qs, strlen(qs), 0, NULL, &sub, &e) == DRIFTDB_OK);
    char seq[64], point[80], now[80];
    size_t len;
    CHECK(prep_run("SELECT drift_seq()", 0, NULL, 0, seq, &len, &e) == 0);
    snprintf(point, sizeof point, "@SEQ:%s", seq);
    CHECK(simple("UPDATE t SET v = 45 WHERE id = 4") == 0);
    CHECK(prep_run("SELECT drift_seq()", 0, NULL, 0, seq, &len, &e) == 0);
    snprintf(now, sizeof now, "@SEQ:%s", seq);
    CHECK(run_stmt1(past, point, out, sizeof out, &e) == 0 && strcmp(out, "44") == 0);
    CHECK(run_stmt1(sub, "3", out, sizeof out, &e) == 0 && strcmp(out, "NULL") == 0);
    CHECK(run_stmt1(sub, "4", out, sizeof out, &e) == 0 && strcmp(out, "45") == 0);
    CHECK(run_stmt1(past, now, out, sizeof out, &e) == 0 && strcmp(out, "45") == 0);
    driftdb_stmt_plans(past, &g, &c);
    CHECK(g == 0 && c == 2);
    /* while drift.system_time is set: planned for each run; kept again after */
    driftdb_stmt_plans(st, &g, &c);
    uint64_t g1 = g, c1 = c;
    CHECK(simple("SET drift.system_time = '@SEQ:1'") == 0);
    CHECK(run_stmt1(st, "4", out, sizeof out, &e) == 0 && strcmp(out, "") == 0);
    CHECK(simple("RESET drift.system_time") == 0);
    CHECK(run_stmt1(st, "4", out, sizeof out, &e) == 0 && strcmp(out, "45") == 0);
    CHECK(run_stmt1(st, "4", out, sizeof out, &e) == 0 && strcmp(out, "45") == 0);
    driftdb_stmt_plans(st, &g, &c);
    CHECK(c == c1 + 1 && g == g1 + 2);
    /* sorted and aggregated: kept too */
    static const struct { const char *sql, *arg, *want; } kept[] = {
        {"SELECT id FROM t WHERE v > $1 ORDER BY v DESC LIMIT 1", "0", "4"},
        {"SELECT count(*) FROM t WHERE v >= $1", "45", "1"},
    };
    for (size_t i = 0; i < DD_ARRAY_LEN(kept); i++) {
        driftdb_stmt *ks = NULL;
        CHECK(driftdb_prepare(sess, kept[i].sql, strlen(kept[i].sql), 0, NULL, &ks, &e) == DRIFTDB_OK);
        for (int k = 0; ks && k < 3; k++)
            CHECK(run_stmt1(ks, kept[i].arg, out, sizeof out, &e) == 0 && strcmp(out, kept[i].want) == 0);
        if (ks) driftdb_stmt_plans(ks, &g, &c);
        CHECK(ks && g == 2 && c == 1);
        driftdb_stmt_free(ks);
    }
    /* a key range, or a key computed by a function, from a parameter: a
     * plan made for the value reads less than one for any value would */
    static const char *const custom[] = {"SELECT v FROM t WHERE id >= $1 AND id < 5",
                                         "SELECT v FROM t WHERE id = abs($1)",
                                         "SELECT v FROM t WHERE id IN ($1, 2)"};
    for (size_t i = 0; i < DD_ARRAY_LEN(custom); i++) {
        driftdb_stmt *cs = NULL;
        CHECK(driftdb_prepare(sess, custom[i], strlen(custom[i]), 0, NULL, &cs, &e) == DRIFTDB_OK);
        for (int k = 0; cs && k < 2; k++) CHECK(run_stmt1(cs, "4", out, sizeof out, &e) == 0 && strcmp(out, "45") == 0);
        if (cs) driftdb_stmt_plans(cs, &g, &c);
        CHECK(cs && g == 0 && c == 2);
        driftdb_stmt_free(cs);
    }
    driftdb_stmt_plans(sub, &g, &c);
    CHECK(g == 0 && c == 2);
    driftdb_stmt_free(st);
    driftdb_stmt_free(past);
    driftdb_stmt_free(sub);
    close_db();
}

int main(void)
{
    RUN(inferred_types);
    RUN(binary_round_trip);
    RUN(bad_parameters);
    RUN(implicit_transaction);
    RUN(kept_plans);
    RUN(copy_portal);
    RUN(out_of_memory);
    return check_summary();
}
