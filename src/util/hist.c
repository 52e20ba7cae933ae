/*
 * hist.c - histograms in fixed buckets (hist.h).
 */
#include "hist.h"

#include <string.h>

void hist_init(Hist *h, const u64 *le, int n)
{
    memset(h, 0, sizeof *h);
    h->n = n > HIST_MAX ? HIST_MAX : n;
    memcpy(h->le, le, (size_t)h->n * sizeof *le);
}

void hist_add(Hist *h, u64 v)
{
    int i = 0;
    while (i < h->n && v > h->le[i]) i++;
    __atomic_add_fetch(&h->count[i], 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&h->sum, v, __ATOMIC_RELAXED);
}

void hist_read(const Hist *h, Hist *out)
{
    out->n = h->n;
    memcpy(out->le, h->le, sizeof out->le);
    for (int i = 0; i <= HIST_MAX; i++) out->count[i] = __atomic_load_n(&h->count[i], __ATOMIC_RELAXED);
    out->sum = __atomic_load_n(&h->sum, __ATOMIC_RELAXED);
}
