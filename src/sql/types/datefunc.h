/*
 * datefunc.h - PostgreSQL's date/time functions that build or take apart
 * values (datefunc.c): make_date, make_timestamp, make_interval, age,
 * justify_days / justify_hours / justify_interval, date_bin, extract,
 * date_part and date_trunc.
 *
 * Timestamps are µs since 2000-01-01 (value.h); "local" ones are wall-clock
 * times, which the caller converts from or to TIMESTAMPTZ in its zone.
 * Errors are PostgreSQL's, all 22008 (a field or the result out of range)
 * except date_bin's month strides (0A000).
 */
#ifndef DD_DATEFUNC_H
#define DD_DATEFUNC_H

#include "value.h"

/* make_date(y, m, d): a DATE.  Years before 1 AD: 22008 (DriftDB has no BC). */
int datefn_make_date(i64 y, i64 m, i64 d, i64 *out, DdError *err);

/* make_timestamp(y, mo, d, h, mi, sec): a local timestamp.  24:00:00 and
 * sec = 60 roll over to the next day or minute, as in PostgreSQL. */
int datefn_make_timestamp(i64 y, i64 mo, i64 d, i64 h, i64 mi, double sec, i64 *out, DdError *err);

/* make_time(h, mi, sec): a TIME (µs since midnight), up to 24:00:00. */
int datefn_make_time(i64 h, i64 mi, double sec, i64 *out, DdError *err);

/* make_interval(years, months, weeks, days, hours, mins, secs). */
int datefn_make_interval(const i64 f[6], double secs, Interval *out, DdError *err);

/* age(t1, t2): t1 - t2 in years, months and days counted on the calendar
 * (PostgreSQL's "symbolic" result); t1, t2 are local times, before and
 * after tells their order (of the UTC instants for timestamptz). */
int datefn_age(i64 t1, i64 t2, bool before, Interval *out, DdError *err);

/* justify_days (days), justify_hours (hours) or justify_interval (both). */
int datefn_justify(const Interval *in, bool days, bool hours, Interval *out, DdError *err);

/* date_bin(stride, t, origin): the start of the stride-wide bin, counted
 * from origin, that holds t. */
int datefn_date_bin(const Interval *stride, i64 t, i64 origin, i64 *out, DdError *err);

/* extract(unit from v) (a NUMERIC) and date_part(unit, v) (a FLOAT8 when
 * as_float, computed as PostgreSQL does in double precision) of DATE,
 * TIMESTAMP, TIMESTAMPTZ (in ctx's zone) and INTERVAL.  Units are
 * PostgreSQL's words ("year", "yrs", "mon", "m" = minute, "isodow",
 * "epoch", ...), any case.  22023 for an unknown unit, 0A000 for one the
 * type lacks ("hour" of a date, "timezone" of a timestamp). */
int datefn_part(const char *unit, size_t ulen, const Value *v, const ValueCtx *ctx, bool as_float, Value *out,
                DdError *err);

/* date_trunc(unit, t) of a local timestamp (tname names its type in
 * errors): millennium (years 1001, 2001, ...), century (1901, 2001, ...),
 * decade, year, quarter, month, week (its Monday), day, hour, minute,
 * second, milliseconds, microseconds in any of PostgreSQL's spellings;
 * 22023 for another word, 0A000 for another unit, 22008 before 1 AD.
 * *below_day: the unit is shorter than a day (a timestamptz keeps its
 * offset then, as PostgreSQL's timestamptz_trunc). */
int datefn_trunc_timestamp(const char *unit, size_t ulen, i64 local, const char *tname, i64 *out, bool *below_day,
                           DdError *err);

/* date_trunc(unit, interval) as PostgreSQL's interval_trunc: the fields
 * below the unit set to zero (years by 10, 100, 1000 for decade, century,
 * millennium); week is 0A000 ("Months usually have fractional weeks."). */
int datefn_trunc_interval(const char *unit, size_t ulen, const Interval *in, Interval *out, DdError *err);

#endif
