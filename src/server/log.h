/*
 * log.h - the server's log: every line driftdb-server writes to stderr,
 * in PostgreSQL's shape (log_line_prefix '%m [%p] '):
 *
 *   2026-12-05 17:00:00.123 UTC [4711] LOG:  listening on ...
 *
 * with PostgreSQL's severities, filtered by --log-level (PostgreSQL's
 * log_min_messages).  [pid] is the process id for server-wide lines and
 * the backend id (pg_backend_pid()) for a connection's lines, so a line
 * can be matched with pg_stat_activity.
 *
 * The settings a SIGHUP may change (level, log_connections,
 * log_min_duration_statement) are process-wide atomics: connection
 * threads read them without a lock while the accept loop stores new ones.
 */
#ifndef DD_SERVER_LOG_H
#define DD_SERVER_LOG_H

#include "../util/base.h"

/* In log_min_messages order: a line is written when its level is at least
 * the configured one.  LOG ranks between ERROR and FATAL, as in
 * PostgreSQL's server log. */
typedef enum LogLevel {
    LOG_DEBUG5, LOG_DEBUG4, LOG_DEBUG3, LOG_DEBUG2, LOG_DEBUG1,
    LOG_INFO, LOG_NOTICE, LOG_WARNING, LOG_ERROR, LOG_LOG, LOG_FATAL, LOG_PANIC,
} LogLevel;

/* PostgreSQL's names ("debug5".."debug1", "debug" = debug2, "info",
 * "notice", "warning", "error", "log", "fatal", "panic"), any case.
 * Returns 0 with *out set, or -1. */
int log_level_parse(const char *name, LogLevel *out);
const char *log_level_name(LogLevel l);     /* "warning" */

void log_set_level(LogLevel l);
bool log_enabled(LogLevel l);

/* --log-connections: "connection received" / "connection authorized". */
void log_set_connections(bool on);
bool log_connections(void);

/* --log-min-duration-statement in ms: -1 off, 0 every statement. */
void log_set_min_duration(int ms);
int log_min_duration(void);

/*
 * Writes one entry (it may span lines, as a statement's text does) when
 * its level passes: prefix and message in one write(2), so entries from
 * concurrent threads never interleave and a slow stderr costs the caller
 * one write.  pid 0: the process's id.
 */
void log_msg(LogLevel l, u32 pid, const char *fmt, ...) DD_PRINTF(3, 4);

#endif
