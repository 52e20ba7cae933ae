/*
 * metrics.h - the server's own counters for /metrics (http.c): sessions,
 * statements and their durations, and ErrorResponses by SQLSTATE class.
 * The database's figures (commits, group sizes, locks, tables) come from
 * driftdb_get_stats and driftdb_table_stats when /metrics is read.
 *
 * One set per process, updated by every connection thread with relaxed
 * atomics: a reader sees each counter whole.
 */
#ifndef DD_SERVER_METRICS_H
#define DD_SERVER_METRICS_H

#include "../util/base.h"
#include "../util/hist.h"

/* SQLSTATE classes are two characters of [0-9A-Z] */
#define METRICS_CLASSES (36 * 36)

typedef struct Metrics {
    u64 sessions_total;           /* sessions that started (authenticated) */
    u64 sessions;                 /* open now */
    u64 statements;               /* statements that ended, well or not */
    u64 errors[METRICS_CLASSES];  /* ErrorResponses sent, by class */
    Hist statement_us;            /* each statement's time, µs */
} Metrics;

extern Metrics metrics;

void metrics_init(void);
void metrics_session_start(void);
void metrics_session_end(void);
/* A statement ended after us microseconds. */
void metrics_statement(i64 us);
/* An ErrorResponse with this SQLSTATE was sent. */
void metrics_error(const char *sqlstate);
/* The class (its first two characters) of slot i of errors, into out[3]. */
void metrics_class_name(int i, char out[3]);

#endif
