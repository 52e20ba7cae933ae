/*
 * clock.c - wall clock (CLOCK_REALTIME, Unix µs, may step) and monotonic
 * clock (CLOCK_MONOTONIC, µs, never steps back).  No state.
 */
#include "clock.h"

#include <time.h>

static i64 clock_us(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (i64)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

i64 clock_wall_us(void) { return clock_us(CLOCK_REALTIME); }
i64 clock_mono_us(void) { return clock_us(CLOCK_MONOTONIC); }
