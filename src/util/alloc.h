/*
 * alloc.h - the one allocation wrapper.  All heap allocation in DriftDB
 * goes through dd_malloc and friends, so that tests can make the Nth
 * allocation fail (dd_alloc_fail_at) and check that out of memory becomes
 * an ordinary DD_ENOMEM error for the statement, never an abort.
 */
#ifndef DD_ALLOC_H
#define DD_ALLOC_H

#include "base.h"

void *dd_malloc(size_t n);            /* NULL on failure */
void *dd_calloc(size_t n, size_t sz); /* NULL on failure */
void *dd_realloc(void *p, size_t n);  /* NULL on failure; p stays valid */
void dd_free(void *p);
char *dd_strdup(const char *s);       /* NULL on failure */
char *dd_strndup(const char *s, size_t n);

/* Fault injection: the nth allocation from now (1 = the next) fails;
 * 0 disables.  Returns how many allocations were made since the last call. */
void dd_alloc_fail_at(long n);
long dd_alloc_count(void);

#endif
