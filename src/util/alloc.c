/*
 * alloc.c - the one allocation wrapper with a fault-injection countdown.
 *
 * The countdown and the counter are process-wide atomics: tests set
 * dd_alloc_fail_at(n) and the nth allocation from then on returns NULL
 * (once; the countdown then disarms).  dd_free(NULL) is a no-op.
 * Zero-byte requests allocate one byte so NULL always means failure.
 */
#include "alloc.h"

#include <stdlib.h>
#include <string.h>

static long fail_countdown; /* 0: disarmed */
static long alloc_count;

/* True when this allocation must fail (fault injection). */
static bool alloc_should_fail(void)
{
    __atomic_add_fetch(&alloc_count, 1, __ATOMIC_RELAXED);
    long c = __atomic_load_n(&fail_countdown, __ATOMIC_RELAXED);
    if (DD_LIKELY(c == 0)) return false;
    return __atomic_sub_fetch(&fail_countdown, 1, __ATOMIC_RELAXED) == 0;
}

void *dd_malloc(size_t n)
{
    if (alloc_should_fail()) return NULL;
    return malloc(n ? n : 1);
}

void *dd_calloc(size_t n, size_t sz)
{
    if (alloc_should_fail()) return NULL;
    if (n == 0 || sz == 0) n = sz = 1;
    return calloc(n, sz);
}

void *dd_realloc(void *p, size_t n)
{
    if (alloc_should_fail()) return NULL;
    return realloc(p, n ? n : 1);
}

void dd_free(void *p) { free(p); }

char *dd_strdup(const char *s) { return dd_strndup(s, strlen(s)); }

char *dd_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = dd_malloc(len + 1);
    if (!d) return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

void dd_alloc_fail_at(long n)
{
    __atomic_store_n(&fail_countdown, n < 0 ? 0 : n, __ATOMIC_RELAXED);
    __atomic_store_n(&alloc_count, 0, __ATOMIC_RELAXED);
}

long dd_alloc_count(void) { return __atomic_load_n(&alloc_count, __ATOMIC_RELAXED); }
