/* clock.h - wall clock (microseconds since the Unix epoch, UTC) and a
 * monotonic clock (microseconds, arbitrary origin). */
#ifndef DD_CLOCK_H
#define DD_CLOCK_H
#include "base.h"
i64 clock_wall_us(void);
i64 clock_mono_us(void);
#endif
