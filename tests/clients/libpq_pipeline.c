/*
 * tests/clients/libpq_pipeline.c PORT - libpq (C) against driftdb-server:
 * pipeline mode (many PQsendQueryParams / PQsendQueryPrepared before one
 * PQpipelineSync, results read afterwards), binary parameters and binary
 * results, an error in the middle of a pipeline (PGRES_PIPELINE_ABORTED for
 * the rest of its sync, nothing of it committed), time travel with a
 * parameter, PQdescribePrepared, and COPY FROM STDIN / TO STDOUT through
 * the extended protocol (PQexecParams, PQexecPrepared).  Prints "ok NAME" /
 * "FAIL NAME".
 */
#include <libpq-fe.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static PGconn *conn;
static int failed;

#define EXPECT(cond, ...)                                     \
    do {                                                      \
        if (!(cond)) {                                        \
            printf("  %s:%d: ", __FILE__, __LINE__);          \
            printf(__VA_ARGS__);                              \
            printf("\n");                                     \
            failed = 1;                                       \
        }                                                     \
    } while (0)

static void simple(const char *sql)
{
    PGresult *r = PQexec(conn, sql);
    EXPECT(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql,
           PQerrorMessage(conn));
    PQclear(r);
}

/* Reads the results of one pipelined query: its result, then NULL. */
static ExecStatusType next_result(PGresult **keep)
{
    PGresult *r = PQgetResult(conn);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (keep) *keep = r;
    else PQclear(r);
    if (st != PGRES_PIPELINE_SYNC) {
        PGresult *end = PQgetResult(conn);
        if (end) { printf("  extra result %s\n", PQresStatus(PQresultStatus(end))); failed = 1; PQclear(end); }
    }
    return st;
}

static void report(const char *name)
{
    printf("%s libpq_%s\n", failed ? "FAIL" : "ok", name);
    fflush(stdout);
    failed = 0;
}

static void pipeline_inserts(void)
{
    simple("CREATE TABLE lp (id INT PRIMARY KEY, v TEXT, n BIGINT)");
    EXPECT(PQenterPipelineMode(conn) == 1, "enter pipeline mode");
    EXPECT(PQsendPrepare(conn, "ins", "INSERT INTO lp VALUES ($1, $2, $3)", 0, NULL) == 1, "prepare");
    for (int i = 0; i < 100; i++) {
        uint32_t id = htonl((uint32_t)i);           /* binary int4 */
        char text[16];
        snprintf(text, sizeof text, "v%d", i);
        char n[24];
        snprintf(n, sizeof n, "%d", i * 1000);      /* text int8 */
        const char *vals[3] = {(const char *)&id, text, n};
        int lens[3] = {4, (int)strlen(text), (int)strlen(n)};
        int fmts[3] = {1, 0, 0};
        EXPECT(PQsendQueryPrepared(conn, "ins", 3, vals, lens, fmts, 0) == 1, "send %d", i);
    }
    EXPECT(PQpipelineSync(conn) == 1, "sync");
    EXPECT(next_result(NULL) == PGRES_COMMAND_OK, "prepare result");
    for (int i = 0; i < 100; i++) {
        PGresult *r;
        ExecStatusType st = next_result(&r);
        EXPECT(st == PGRES_COMMAND_OK && strcmp(PQcmdTuples(r), "1") == 0, "insert %d: %s", i,
               PQresultErrorMessage(r));
        PQclear(r);
    }
    EXPECT(next_result(NULL) == PGRES_PIPELINE_SYNC, "sync result");
    EXPECT(PQexitPipelineMode(conn) == 1, "exit pipeline mode");
    PGresult *r = PQexec(conn, "SELECT count(*), sum(n) FROM lp");
    EXPECT(PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "100") == 0 &&
           strcmp(PQgetvalue(r, 0, 1), "4950000") == 0, "count/sum %s %s", PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
    PQclear(r);
    report("pipeline_inserts");
}

static void pipeline_error(void)
{
    EXPECT(PQenterPipelineMode(conn) == 1, "enter pipeline mode");
    const char *a[1] = {"1000"}, *dup[1] = {"5"}, *b[1] = {"1001"};
    PQsendQueryParams(conn, "INSERT INTO lp (id) VALUES ($1)", 1, NULL, a, NULL, NULL, 0);
    PQsendQueryParams(conn, "INSERT INTO lp (id) VALUES ($1)", 1, NULL, dup, NULL, NULL, 0);
    PQsendQueryParams(conn, "INSERT INTO lp (id) VALUES ($1)", 1, NULL, b, NULL, NULL, 0);
    PQpipelineSync(conn);
    const char *c[1] = {"2000"};
    PQsendQueryParams(conn, "INSERT INTO lp (id) VALUES ($1)", 1, NULL, c, NULL, NULL, 0);
    PQpipelineSync(conn);
    EXPECT(next_result(NULL) == PGRES_COMMAND_OK, "first insert");
    PGresult *r;
    EXPECT(next_result(&r) == PGRES_FATAL_ERROR, "duplicate");
    EXPECT(r && strcmp(PQresultErrorField(r, PG_DIAG_SQLSTATE), "23505") == 0, "23505");
    PQclear(r);
    EXPECT(next_result(NULL) == PGRES_PIPELINE_ABORTED, "aborted after the error");
    EXPECT(next_result(NULL) == PGRES_PIPELINE_SYNC, "first sync");
    EXPECT(next_result(NULL) == PGRES_COMMAND_OK, "after the sync");
    EXPECT(next_result(NULL) == PGRES_PIPELINE_SYNC, "second sync");
    EXPECT(PQexitPipelineMode(conn) == 1, "exit pipeline mode");
    r = PQexec(conn, "SELECT count(*) FROM lp WHERE id >= 1000");
    EXPECT(strcmp(PQgetvalue(r, 0, 0), "1") == 0, "only the insert after the failed sync stays: %s",
           PQgetvalue(r, 0, 0));
    PQclear(r);
    report("pipeline_error");
}

static void binary_and_time_travel(void)
{
    PGresult *r = PQexec(conn, "SELECT now()");
    char when[64];
    snprintf(when, sizeof when, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    simple("UPDATE lp SET v = 'changed' WHERE id = 7");
    const char *vals[2] = {when, "7"};
    r = PQexecParams(conn, "SELECT v, n, id FROM lp FOR SYSTEM_TIME AS OF $1 WHERE id = $2", 2, NULL, vals, NULL,
                     NULL, 1);
    EXPECT(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1, "AS OF: %s", PQresultErrorMessage(r));
    if (PQntuples(r) == 1) {
        EXPECT(PQgetlength(r, 0, 0) == 2 && memcmp(PQgetvalue(r, 0, 0), "v7", 2) == 0, "text column in binary");
        uint32_t hi, lo;
        memcpy(&hi, PQgetvalue(r, 0, 1), 4);
        memcpy(&lo, PQgetvalue(r, 0, 1) + 4, 4);
        EXPECT(PQgetlength(r, 0, 1) == 8 && ntohl(hi) == 0 && ntohl(lo) == 7000, "int8 in binary");
        uint32_t id;
        memcpy(&id, PQgetvalue(r, 0, 2), 4);
        EXPECT(PQgetlength(r, 0, 2) == 4 && ntohl(id) == 7, "int4 in binary");
        EXPECT(PQftype(r, 1) == 20 && PQfformat(r, 1) == 1, "type and format");
    }
    PQclear(r);
    r = PQexecParams(conn, "SELECT v FROM lp WHERE id = $1", 1, NULL, vals + 1, NULL, NULL, 0);
    EXPECT(PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "changed") == 0, "present");
    PQclear(r);
    report("binary_and_time_travel");
}

static void describe_prepared(void)
{
    PGresult *r = PQprepare(conn, "d", "SELECT id, v FROM lp WHERE n > $1 LIMIT $2", 0, NULL);
    EXPECT(PQresultStatus(r) == PGRES_COMMAND_OK, "prepare: %s", PQresultErrorMessage(r));
    PQclear(r);
    r = PQdescribePrepared(conn, "d");
    EXPECT(PQnparams(r) == 2 && PQparamtype(r, 0) == 20 && PQparamtype(r, 1) == 20, "parameter types");
    EXPECT(PQnfields(r) == 2 && PQftype(r, 0) == 23 && PQftype(r, 1) == 25 && strcmp(PQfname(r, 1), "v") == 0,
           "columns");
    PQclear(r);
    /* a transaction across prepared executions, rolled back */
    simple("BEGIN");
    simple("DELETE FROM lp");
    const char *vals[2] = {"-1", "1000"};
    r = PQexecPrepared(conn, "d", 2, vals, NULL, NULL, 0);
    EXPECT(PQntuples(r) == 0, "deleted inside the transaction");
    PQclear(r);
    simple("ROLLBACK");
    r = PQexecPrepared(conn, "d", 2, vals, NULL, NULL, 0);
    EXPECT(PQntuples(r) == 100, "back after ROLLBACK: %d", PQntuples(r));
    PQclear(r);
    report("describe_prepared");
}

/* Feeds rows to a COPY FROM STDIN that r started, in two pieces (a row
 * split across CopyData messages); returns the final result. */
static PGresult *copy_in(PGresult *r, const char *rows)
{
    EXPECT(PQresultStatus(r) == PGRES_COPY_IN, "COPY IN: %s %s", PQresStatus(PQresultStatus(r)),
           PQresultErrorMessage(r));
    PQclear(r);
    int n = (int)strlen(rows), half = n / 2;
    EXPECT(PQputCopyData(conn, rows, half) == 1 && PQputCopyData(conn, rows + half, n - half) == 1, "put: %s",
           PQerrorMessage(conn));
    EXPECT(PQputCopyEnd(conn, NULL) == 1, "end: %s", PQerrorMessage(conn));
    r = PQgetResult(conn);
    PGresult *end = PQgetResult(conn);
    EXPECT(end == NULL, "a result after the COPY's");
    PQclear(end);
    return r;
}

static const char *count_lc(void)
{
    static char n[32];
    PGresult *r = PQexec(conn, "SELECT count(*) FROM lc");
    snprintf(n, sizeof n, "%s", PQresultStatus(r) == PGRES_TUPLES_OK ? PQgetvalue(r, 0, 0) : "?");
    PQclear(r);
    return n;
}

/* COPY through the extended protocol (Parse / Bind / Execute): libpq's
 * PQexecParams and PQexecPrepared of COPY FROM STDIN and TO STDOUT. */
static void copy_extended(void)
{
    simple("CREATE TABLE lc (id INT PRIMARY KEY, v TEXT)");
    PGresult *r = copy_in(PQexecParams(conn, "COPY lc FROM STDIN", 0, NULL, NULL, NULL, NULL, 0),
                          "1\tone\n2\ttwo\n3\t\\N\n");
    EXPECT(PQresultStatus(r) == PGRES_COMMAND_OK && strcmp(PQcmdStatus(r), "COPY 3") == 0, "COPY FROM: %s %s",
           PQcmdStatus(r), PQresultErrorMessage(r));
    PQclear(r);
    EXPECT(strcmp(count_lc(), "3") == 0, "3 rows: %s", count_lc());

    /* prepared once, run twice; Describe says NoData and no parameters */
    r = PQprepare(conn, "cin", "COPY lc (id, v) FROM STDIN (FORMAT csv)", 0, NULL);
    EXPECT(PQresultStatus(r) == PGRES_COMMAND_OK, "prepare: %s", PQresultErrorMessage(r));
    PQclear(r);
    r = PQdescribePrepared(conn, "cin");
    EXPECT(PQresultStatus(r) == PGRES_COMMAND_OK && PQnparams(r) == 0 && PQnfields(r) == 0, "describe: %d %d",
           PQnparams(r), PQnfields(r));
    PQclear(r);
    for (int i = 0; i < 2; i++) {
        char rows[64];
        snprintf(rows, sizeof rows, "%d,\"csv, %d\"\n%d,x\n", 10 + 2 * i, i, 11 + 2 * i);
        r = copy_in(PQexecPrepared(conn, "cin", 0, NULL, NULL, NULL, 0), rows);
        EXPECT(PQresultStatus(r) == PGRES_COMMAND_OK && strcmp(PQcmdTuples(r), "2") == 0, "prepared COPY %d: %s", i,
               PQresultErrorMessage(r));
        PQclear(r);
    }
    EXPECT(strcmp(count_lc(), "7") == 0, "7 rows: %s", count_lc());

    /* a bad row: 22P02 at its line, and nothing of the COPY stays */
    r = copy_in(PQexecPrepared(conn, "cin", 0, NULL, NULL, NULL, 0), "20,good\nx,bad\n");
    EXPECT(PQresultStatus(r) == PGRES_FATAL_ERROR, "bad row: %s", PQresStatus(PQresultStatus(r)));
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const char *ctx = PQresultErrorField(r, PG_DIAG_CONTEXT);
    EXPECT(state && strcmp(state, "22P02") == 0, "22P02: %s", state ? state : "none");
    EXPECT(ctx && strncmp(ctx, "COPY lc, line 2", 15) == 0, "context: %s", ctx ? ctx : "none");
    PQclear(r);
    EXPECT(strcmp(count_lc(), "7") == 0, "still 7 rows: %s", count_lc());

    /* CopyFail (PQputCopyEnd with a reason): 57014, nothing stays */
    r = PQexecParams(conn, "COPY lc FROM STDIN", 0, NULL, NULL, NULL, NULL, 0);
    EXPECT(PQresultStatus(r) == PGRES_COPY_IN, "COPY IN for CopyFail");
    PQclear(r);
    PQputCopyData(conn, "30\tgone\n", 8);
    EXPECT(PQputCopyEnd(conn, "changed my mind") == 1, "CopyFail: %s", PQerrorMessage(conn));
    r = PQgetResult(conn);
    state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    EXPECT(state && strcmp(state, "57014") == 0, "57014: %s", state ? state : "none");
    PQclear(r);
    while ((r = PQgetResult(conn)) != NULL) PQclear(r);
    EXPECT(strcmp(count_lc(), "7") == 0, "after CopyFail: %s", count_lc());

    /* COPY TO STDOUT */
    r = PQexecParams(conn, "COPY (SELECT id, v FROM lc WHERE id < 12 ORDER BY id) TO STDOUT", 0, NULL, NULL, NULL,
                     NULL, 0);
    EXPECT(PQresultStatus(r) == PGRES_COPY_OUT && PQnfields(r) == 2, "COPY OUT: %s %s",
           PQresStatus(PQresultStatus(r)), PQresultErrorMessage(r));
    PQclear(r);
    char got[256] = "";
    char *buf;
    int len;
    while ((len = PQgetCopyData(conn, &buf, 0)) > 0) {
        if (strlen(got) + (size_t)len < sizeof got) strncat(got, buf, (size_t)len);
        PQfreemem(buf);
    }
    EXPECT(len == -1, "end of COPY data: %d", len);
    r = PQgetResult(conn);
    EXPECT(PQresultStatus(r) == PGRES_COMMAND_OK && strcmp(PQcmdStatus(r), "COPY 5") == 0, "COPY OUT tag: %s %s",
           PQcmdStatus(r), PQresultErrorMessage(r));
    PQclear(r);
    EXPECT(PQgetResult(conn) == NULL, "a result after COPY OUT's");
    EXPECT(strcmp(got, "1\tone\n2\ttwo\n3\t\\N\n10\tcsv, 0\n11\tx\n") == 0, "COPY OUT rows: %s", got);

    /* in a transaction block: the COPY's rows go with its ROLLBACK */
    simple("BEGIN");
    r = copy_in(PQexecPrepared(conn, "cin", 0, NULL, NULL, NULL, 0), "40,in block\n");
    EXPECT(PQresultStatus(r) == PGRES_COMMAND_OK, "COPY in a block: %s", PQresultErrorMessage(r));
    PQclear(r);
    EXPECT(strcmp(count_lc(), "8") == 0, "seen in the block: %s", count_lc());
    simple("ROLLBACK");
    EXPECT(strcmp(count_lc(), "7") == 0, "rolled back: %s", count_lc());
    report("copy_extended");
}

int main(int argc, char **argv)
{
    if (argc != 2) return 2;
    char info[200];
    snprintf(info, sizeof info, "host=127.0.0.1 port=%s user=test dbname=test sslmode=disable connect_timeout=10",
             argv[1]);
    conn = PQconnectdb(info);
    if (PQstatus(conn) != CONNECTION_OK) {
        printf("FAIL libpq_connect (%s)\n", PQerrorMessage(conn));
        return 0;
    }
    pipeline_inserts();
    pipeline_error();
    binary_and_time_travel();
    describe_prepared();
    copy_extended();
    printf("# libpq %d\n", PQlibVersion());
    PQfinish(conn);
    return 0;
}
