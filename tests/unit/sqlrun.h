/*
 * sqlrun.h - what the unit tests that compare query results share: a
 * xorshift random source (rnd, pick; seed rng_state) and run(), which
 * gathers every row of every result of some SQL into one string (values
 * '|', rows ';'), or the error as "ERROR sqlstate message"; open_db and
 * close_db for a database of a test's own; put() to build SQL text.
 */
#ifndef DD_TEST_SQLRUN_H
#define DD_TEST_SQLRUN_H
#include "check.h"
#include "driftdb.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stdarg.h>

static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static int pick(int n) { return (int)(rnd() % (uint64_t)n); }

typedef struct Out { char *p; size_t n, cap; } Out;

static void out_add(Out *o, const char *s)
{
    size_t l = strlen(s);
    if (o->n + l + 1 > o->cap) {
        o->cap = (o->n + l + 1) * 2;
        o->p = realloc(o->p, o->cap);
        if (!o->p) abort();
    }
    memcpy(o->p + o->n, s, l + 1);
    o->n += l;
}

/* Every row of every result of sql into o (values '|', rows ';'), or the
 * error as "ERROR sqlstate message".  0, or -1 on an error. */
static int run(driftdb_session *s, const char *sql, Out *o)
{
    size_t off = 0;
    driftdb_result *r;
    driftdb_error e;
    int rc, k = 0;
    o->n = 0;
    out_add(o, "");
    while ((rc = driftdb_exec_next(s, sql, &off, &r, &e)) == DRIFTDB_ROW_RESULT) {
        while ((k = driftdb_result_next(r, &e)) == 1) {
            for (int i = 0; i < driftdb_result_ncols(r); i++) {
                const char *v = driftdb_result_value(r, i, NULL);
                if (i) out_add(o, "|");
                out_add(o, v ? v : "NULL");
            }
            out_add(o, ";");
        }
        driftdb_result_free(r);
        if (k < 0) break;
    }
    if (rc == DRIFTDB_ERROR || k < 0) {
        o->n = 0;
        out_add(o, "ERROR ");
        out_add(o, e.sqlstate);
        out_add(o, " ");
        out_add(o, e.message);
        return -1;
    }
    return 0;
}

static void must(driftdb_session *s, const char *sql)
{
    Out o = {0};
    if (run(s, sql, &o)) printf("  setup failed: %s: %s\n", sql, o.p);
    CHECK(strncmp(o.p, "ERROR", 5) != 0);
    free(o.p);
}

/* A fresh database in a new directory /tmp/dd_NAME_XXXXXX (db_dir), and a
 * session on it; close_db removes the directory unless KEEPDB is set. */
static char db_dir[64];

static driftdb_session *open_db(const char *name, driftdb **db)
{
    driftdb_error e;
    snprintf(db_dir, sizeof db_dir, "/tmp/dd_%s_XXXXXX", name);
    if (!mkdtemp(db_dir)) abort();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", db_dir);
    if (system(cmd)) abort();
    if (driftdb_init(db_dir, &e) != DRIFTDB_OK || driftdb_open(db_dir, NULL, db, &e) != DRIFTDB_OK) abort();
    driftdb_session *s;
    if (driftdb_session_open(*db, NULL, &s, &e) != DRIFTDB_OK) abort();
    return s;
}

static void close_db(driftdb *db, driftdb_session *s)
{
    driftdb_session_close(s);
    driftdb_close(db);
    if (getenv("KEEPDB")) { printf("kept %s\n", db_dir); return; }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", db_dir);
    if (system(cmd)) {}
}

/* A string built by put(), printf-style, cut at its size. */
typedef struct Sb { char s[4096]; size_t n; } Sb;

static void put(Sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(Sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(b->s + b->n, sizeof b->s - b->n, fmt, ap);
    va_end(ap);
    if (w > 0) b->n += (size_t)w;
    if (b->n >= sizeof b->s) b->n = sizeof b->s - 1;
}

#endif
