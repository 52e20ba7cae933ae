/*
 * metrics.c - the server's counters (metrics.h).
 */
#include "metrics.h"

Metrics metrics;

void metrics_init(void)
{
    /* µs: from a cached point read to a long report */
    static const u64 le[] = {50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000,
                             5000000, 30000000};
    hist_init(&metrics.statement_us, le, (int)DD_ARRAY_LEN(le));
}

void metrics_session_start(void)
{
    __atomic_add_fetch(&metrics.sessions_total, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&metrics.sessions, 1, __ATOMIC_RELAXED);
}

void metrics_session_end(void) { __atomic_sub_fetch(&metrics.sessions, 1, __ATOMIC_RELAXED); }

void metrics_statement(i64 us)
{
    __atomic_add_fetch(&metrics.statements, 1, __ATOMIC_RELAXED);
    hist_add(&metrics.statement_us, us > 0 ? (u64)us : 0);
}

static int class_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'Z') return 10 + c - 'A';
    return -1;
}

void metrics_error(const char *sqlstate)
{
    int a = class_digit(sqlstate[0]), b = a < 0 ? -1 : class_digit(sqlstate[1]);
    int i = b < 0 ? 'X' - 'A' + 10 + 36 * ('X' - 'A' + 10) : a * 36 + b;   /* a malformed code: XX */
    __atomic_add_fetch(&metrics.errors[i], 1, __ATOMIC_RELAXED);
}

void metrics_class_name(int i, char out[3])
{
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    out[0] = digits[i / 36];
    out[1] = digits[i % 36];
    out[2] = 0;
}
