/*
 * log.c - the server's log lines (log.h).
 *
 * Invariants: the settings are atomics, read without locks; an entry is
 * formatted into one buffer (on the stack, or allocated when longer) and
 * reaches fd 2 in a single write(2) (a short write is finished with more
 * writes; a failed one is dropped: the log never stops the server).  When
 * even the allocation fails, the entry is cut to the stack buffer.
 */
#include "log.h"

#include "../util/alloc.h"
#include "../util/clock.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static atomic_int min_level = LOG_WARNING;      /* PostgreSQL's default */
static atomic_bool conn_logs = false;
static atomic_int min_duration_ms = -1;

static const char *const names[] = {
    [LOG_DEBUG5] = "debug5", [LOG_DEBUG4] = "debug4", [LOG_DEBUG3] = "debug3",
    [LOG_DEBUG2] = "debug2", [LOG_DEBUG1] = "debug1", [LOG_INFO] = "info",
    [LOG_NOTICE] = "notice", [LOG_WARNING] = "warning", [LOG_ERROR] = "error",
    [LOG_LOG] = "log",       [LOG_FATAL] = "fatal",     [LOG_PANIC] = "panic",
};
static const char *const labels[] = {
    [LOG_DEBUG5] = "DEBUG5", [LOG_DEBUG4] = "DEBUG4", [LOG_DEBUG3] = "DEBUG3",
    [LOG_DEBUG2] = "DEBUG2", [LOG_DEBUG1] = "DEBUG1", [LOG_INFO] = "INFO",
    [LOG_NOTICE] = "NOTICE", [LOG_WARNING] = "WARNING", [LOG_ERROR] = "ERROR",
    [LOG_LOG] = "LOG",       [LOG_FATAL] = "FATAL",     [LOG_PANIC] = "PANIC",
};

int log_level_parse(const char *name, LogLevel *out)
{
    if (strcasecmp(name, "debug") == 0) { *out = LOG_DEBUG2; return 0; }   /* PostgreSQL's synonym */
    for (size_t i = 0; i < DD_ARRAY_LEN(names); i++)
        if (strcasecmp(name, names[i]) == 0) {
            *out = (LogLevel)i;
            return 0;
        }
    return -1;
}

const char *log_level_name(LogLevel l) { return names[l]; }
void log_set_level(LogLevel l) { atomic_store(&min_level, (int)l); }
bool log_enabled(LogLevel l) { return (int)l >= atomic_load_explicit(&min_level, memory_order_relaxed); }
void log_set_connections(bool on) { atomic_store(&conn_logs, on); }
bool log_connections(void) { return atomic_load_explicit(&conn_logs, memory_order_relaxed); }
void log_set_min_duration(int ms) { atomic_store(&min_duration_ms, ms); }
int log_min_duration(void) { return atomic_load_explicit(&min_duration_ms, memory_order_relaxed); }

static void write_all(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        p += w;
        n -= (size_t)w;
    }
}

void log_msg(LogLevel l, u32 pid, const char *fmt, ...)
{
    if (!log_enabled(l)) return;
    i64 now = clock_wall_us();
    time_t secs = (time_t)(now / 1000000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char stack[2048];
    int pre = snprintf(stack, sizeof stack, "%04d-%02d-%02d %02d:%02d:%02d.%03d UTC [%u] %s:  ",
                       tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                       (int)(now / 1000 % 1000), pid ? pid : (u32)getpid(), labels[l]);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(stack + pre, sizeof stack - (size_t)pre, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    char *buf = stack;
    size_t len = (size_t)pre + (size_t)n;
    if (len + 1 >= sizeof stack) {
        /* a long statement: the whole of it, as PostgreSQL logs it */
        char *big = dd_malloc(len + 2);
        if (big) {
            memcpy(big, stack, (size_t)pre);
            va_start(ap, fmt);
            vsnprintf(big + pre, (size_t)n + 1, fmt, ap);
            va_end(ap);
            buf = big;
        } else {
            len = sizeof stack - 2;
        }
    }
    buf[len] = '\n';
    write_all(buf, len + 1);
    if (buf != stack) dd_free(buf);
}
