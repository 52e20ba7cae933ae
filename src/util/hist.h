/*
 * hist.h - a histogram of u64 observations (microseconds, counts) in
 * fixed buckets, which any number of threads may add to at once.
 *
 * Buckets are upper bounds, ascending: an observation v counts in the
 * first bucket whose bound is >= v, or in the last, unbounded one.  This
 * is Prometheus's histogram less the running totals over the buckets,
 * which whoever prints it adds up.  Counts and sum are relaxed atomics:
 * a reader sees each whole, though an observation being added may be in
 * the sum and not yet in its bucket.
 */
#ifndef DD_HIST_H
#define DD_HIST_H

#include "base.h"

#define HIST_MAX 16

typedef struct Hist {
    int n;                      /* bounds in le, 1..HIST_MAX */
    u64 le[HIST_MAX];
    u64 count[HIST_MAX + 1];    /* count[n]: above le[n - 1] */
    u64 sum;
} Hist;

/* Empties h and gives it n bounds (ascending; n is capped at HIST_MAX). */
void hist_init(Hist *h, const u64 *le, int n);
void hist_add(Hist *h, u64 v);
/* A copy of h's bounds and counts as they are now. */
void hist_read(const Hist *h, Hist *out);

#endif
