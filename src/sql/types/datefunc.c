/*
 * datefunc.c - PostgreSQL's date/time functions that build or take apart
 * values: make_date, make_timestamp, make_interval, age, justify_*,
 * date_bin.  (Zones, text I/O and arithmetic: datetime.c; templates:
 * formatting.c.)
 *
 * Each follows PostgreSQL 15's definition, field by field where it works
 * on calendar fields (age borrows days from the month of the earlier
 * argument's, make_timestamp allows 24:00:00 and second 60).  Where
 * PostgreSQL 15 lets an integer overflow wrap (make_interval of huge
 * fields), the result here is 22008 "interval out of range".
 */
#include "datefunc.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define USECS_PER_SEC 1000000LL
#define USECS_PER_MIN (60 * USECS_PER_SEC)
#define USECS_PER_HOUR (3600 * USECS_PER_SEC)
#define USECS_PER_DAY (86400 * USECS_PER_SEC)
#define DATE_MAX_YEAR 5874897

static bool leap(i64 y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

static int month_days(i64 y, i64 m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : dm[m - 1];
}

static int iv_range_err(DdError *err) { return dd_err(err, DD_EDATETIME_OVERFLOW, -1, "interval out of range"); }

/* PostgreSQL's "%02g" of a double in messages (its printf spells NaN so). */
static void seconds_text(double sec, char *s, size_t cap)
{
    if (isnan(sec)) snprintf(s, cap, "NaN");
    else if (isinf(sec)) snprintf(s, cap, sec < 0 ? "-Infinity" : "Infinity");
    else snprintf(s, cap, "%02g", sec);
}

/* The year, month and day checks of make_date and make_timestamp. */
static int check_date(i64 y, i64 m, i64 d, DdError *err)
{
    if (y <= 0 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
        return dd_err(err, DD_EDATETIME_OVERFLOW, -1, "date field value out of range: %lld-%02lld-%02lld",
                      (long long)y, (long long)m, (long long)d);
    if (y > DATE_MAX_YEAR)
        return dd_err(err, DD_EDATETIME_OVERFLOW, -1, "date out of range: %lld-%02lld-%02lld", (long long)y,
                      (long long)m, (long long)d);
    return DD_OK;
}

int datefn_make_date(i64 y, i64 m, i64 d, i64 *out, DdError *err)
{
    /* PostgreSQL reads a negative year as BC, which DriftDB has not */
    if (y < 0)
        return dd_err(err, DD_EDATETIME_OVERFLOW, -1, "date out of range: %lld-%02lld-%02lld", (long long)y,
                      (long long)m, (long long)d);
    int rc = check_date(y, m, d, err);
    if (rc) return rc;
    *out = days_from_civil(y, (int)m, (int)d);
    return DD_OK;
}

int datefn_make_timestamp(i64 y, i64 mo, i64 d, i64 h, i64 mi, double sec, i64 *out, DdError *err)
{
    char st[32];
    seconds_text(sec, st, sizeof st);
    int rc = check_date(y, mo, d, err);
    if (rc) return rc;
    /* up to 24:00:00 in all, second 60 included; sec rounded to µs first */
    double us = isnan(sec) ? -1 : rint(sec * USECS_PER_SEC);
    if (h < 0 || h > 24 || mi < 0 || mi >= 60 || us < 0 || us > 60 * USECS_PER_SEC ||
        (h * 60 + mi) * USECS_PER_MIN + (i64)us > USECS_PER_DAY)
        return dd_err(err, DD_EDATETIME_OVERFLOW, -1, "time field value out of range: %lld:%02lld:%s",
                      (long long)h, (long long)mi, st);
    i64 t = days_from_civil(y, (int)mo, (int)d) * USECS_PER_DAY + (h * 60 + mi) * USECS_PER_MIN + (i64)us;
    if (t >= days_from_civil(294277, 1, 1) * USECS_PER_DAY)
        return dd_err(err, DD_EDATETIME_OVERFLOW, -1, "timestamp out of range: %lld-%02lld-%02lld %lld:%02lld:%s",
                      (long long)y, (long long)mo, (long long)d, (long long)h, (long long)mi, st);
    *out = t;
    return DD_OK;
}

int datefn_make_time(i64 h, i64 mi, double sec, i64 *out, DdError *err)
{
    char st[32];
    seconds_text(sec, st, sizeof st);
    double us = isnan(sec) ? -1 : rint(sec * USECS_PER_SEC);
    if (h < 0 || h > 24 || mi < 0 || mi >= 60 || us < 0 || us > 60 * USECS_PER_SEC ||
        (h * 60 + mi) * USECS_PER_MIN + (i64)us > USECS_PER_DAY)
        return dd_err(err, DD_EDATETIME_OVERFLOW, -1, "time field value out of range: %lld:%02lld:%s",
                      (long long)h, (long long)mi, st);
    *out = (h * 60 + mi) * USECS_PER_MIN + (i64)us;
    return DD_OK;
}

int datefn_make_interval(const i64 f[6], double secs, Interval *out, DdError *err)
{
    if (isinf(secs) || isnan(secs)) return iv_range_err(err);
    double us = rint(secs * USECS_PER_SEC);
    i64 months = f[0] * 12 + f[1], days = f[2] * 7 + f[3], t;
    if (months < INT32_MIN || months > INT32_MAX || days < INT32_MIN || days > INT32_MAX ||
        !(us > -9.2e18 && us < 9.2e18) ||
        __builtin_mul_overflow(f[4], USECS_PER_HOUR, &t) || __builtin_add_overflow(t, f[5] * USECS_PER_MIN, &t) ||
        __builtin_add_overflow(t, (i64)us, &t))
        return iv_range_err(err);
    out->months = (i32)months;
    out->days = (i32)days;
    out->usecs = t;
    return DD_OK;
}

/* A local timestamp's calendar fields. */
typedef struct Fields {
    i64 year, mon, mday, hour, min, sec, usec;
} Fields;

static void fields_of(i64 t, Fields *f)
{
    i64 days = t / USECS_PER_DAY - (t % USECS_PER_DAY < 0), tod = t - days * USECS_PER_DAY;
    int m, d;
    civil_from_days(days, &f->year, &m, &d);
    f->mon = m;
    f->mday = d;
    f->hour = tod / USECS_PER_HOUR;
    f->min = tod / USECS_PER_MIN % 60;
    f->sec = tod / USECS_PER_SEC % 60;
    f->usec = tod % USECS_PER_SEC;
}

static void negate(Fields *f)
{
    f->year = -f->year, f->mon = -f->mon, f->mday = -f->mday;
    f->hour = -f->hour, f->min = -f->min, f->sec = -f->sec, f->usec = -f->usec;
}

int datefn_age(i64 t1, i64 t2, bool before, Interval *out, DdError *err)
{
    Fields a, b, r;
    fields_of(t1, &a);
    fields_of(t2, &b);
    r.year = a.year - b.year, r.mon = a.mon - b.mon, r.mday = a.mday - b.mday;
    r.hour = a.hour - b.hour, r.min = a.min - b.min, r.sec = a.sec - b.sec, r.usec = a.usec - b.usec;
    /* borrow upward on positive fields, then give the sign back */
    if (before) negate(&r);
    for (; r.usec < 0; r.sec--) r.usec += USECS_PER_SEC;
    for (; r.sec < 0; r.min--) r.sec += 60;
    for (; r.min < 0; r.hour--) r.min += 60;
    for (; r.hour < 0; r.mday--) r.hour += 24;
    /* a borrowed month has the length of the earlier argument's month */
    const Fields *m = before ? &a : &b;
    for (; r.mday < 0; r.mon--) r.mday += month_days(m->year, m->mon);
    for (; r.mon < 0; r.year--) r.mon += 12;
    if (before) negate(&r);
    i64 months = r.year * 12 + r.mon;
    if (months < INT32_MIN || months > INT32_MAX) return iv_range_err(err);
    out->months = (i32)months;
    out->days = (i32)r.mday;
    out->usecs = r.hour * USECS_PER_HOUR + r.min * USECS_PER_MIN + r.sec * USECS_PER_SEC + r.usec;
    return DD_OK;
}

/* Whole months out of days (30 each) into months; 22008 on overflow. */
static int days_to_months(i64 *months, i64 *days)
{
    *months += *days / 30;
    *days %= 30;
    return *months < INT32_MIN || *months > INT32_MAX;
}

int datefn_justify(const Interval *in, bool days, bool hours, Interval *out, DdError *err)
{
    i64 mo = in->months, d = in->days, t = in->usecs;
    /* justify_interval moves days to months first when it may prevent
     * an overflow of days: day and time of one sign */
    if (days && hours && ((d > 0 && t > 0) || (d < 0 && t < 0)) && days_to_months(&mo, &d)) return iv_range_err(err);
    if (hours) {
        d += t / USECS_PER_DAY;
        t %= USECS_PER_DAY;
    }
    if (days && days_to_months(&mo, &d)) return iv_range_err(err);
    if (!days && (d < INT32_MIN || d > INT32_MAX)) return iv_range_err(err);
    /* make the fields agree in sign */
    if (days && mo > 0 && (d < 0 || (hours && d == 0 && t < 0))) d += 30, mo--;
    else if (days && mo < 0 && (d > 0 || (hours && d == 0 && t > 0))) d -= 30, mo++;
    if (hours && d > 0 && t < 0) t += USECS_PER_DAY, d--;
    else if (hours && d < 0 && t > 0) t -= USECS_PER_DAY, d++;
    out->months = (i32)mo;
    out->days = (i32)d;
    out->usecs = t;
    return DD_OK;
}

int datefn_date_bin(const Interval *stride, i64 t, i64 origin, i64 *out, DdError *err)
{
    if (stride->months != 0)
        return dd_err(err, DD_EFEATURE, -1, "timestamps cannot be binned into intervals containing months or years");
    i128 s = (i128)stride->days * USECS_PER_DAY + stride->usecs;
    if (s <= 0) return dd_err(err, DD_EDATETIME_OVERFLOW, -1, "stride must be greater than zero");
    i128 diff = (i128)t - origin, q = diff / s;
    if (diff % s < 0) q--; /* the bin starts at or before t */
    i128 r = (i128)origin + q * s;
    if (r < (i128)days_from_civil(1, 1, 1) * USECS_PER_DAY || r >= (i128)days_from_civil(294277, 1, 1) * USECS_PER_DAY)
        return dd_err(err, DD_EDATETIME_OVERFLOW, -1, "timestamp out of range");
    *out = (i64)r;
    return DD_OK;
}

/* ---- extract / date_part ---- */

enum {
    U_MICROSEC, U_MILLISEC, U_SECOND, U_MINUTE, U_HOUR, U_DAY, U_WEEK, U_MONTH, U_QUARTER, U_YEAR,
    U_DECADE, U_CENTURY, U_MILLENNIUM, U_JULIAN, U_ISOYEAR, U_DOW, U_ISODOW, U_DOY, U_TZ, U_TZ_HOUR,
    U_TZ_MINUTE, U_EPOCH, U_RESERVED, /* a special word ("now") that names no field */
};

/* PostgreSQL's unit words: its interval units first, then the date words
 * that are units or reserved (so "m" is minute and "mon" month).  Words
 * are matched on their first 10 characters, as there. */
static const struct { const char *word; u8 unit; } unit_words[] = {
    {"c", U_CENTURY}, {"cent", U_CENTURY}, {"centuries", U_CENTURY}, {"century", U_CENTURY}, {"d", U_DAY},
    {"day", U_DAY}, {"days", U_DAY}, {"dec", U_DECADE}, {"decade", U_DECADE}, {"decades", U_DECADE},
    {"decs", U_DECADE}, {"h", U_HOUR}, {"hour", U_HOUR}, {"hours", U_HOUR}, {"hr", U_HOUR}, {"hrs", U_HOUR},
    {"m", U_MINUTE}, {"microsecon", U_MICROSEC}, {"mil", U_MILLENNIUM}, {"millennia", U_MILLENNIUM},
    {"millennium", U_MILLENNIUM}, {"millisecon", U_MILLISEC}, {"mils", U_MILLENNIUM}, {"min", U_MINUTE},
    {"mins", U_MINUTE}, {"minute", U_MINUTE}, {"minutes", U_MINUTE}, {"mon", U_MONTH}, {"mons", U_MONTH},
    {"month", U_MONTH}, {"months", U_MONTH}, {"ms", U_MILLISEC}, {"msec", U_MILLISEC},
    {"msecond", U_MILLISEC}, {"mseconds", U_MILLISEC}, {"msecs", U_MILLISEC}, {"qtr", U_QUARTER}, {"quarter", U_QUARTER},
    {"s", U_SECOND}, {"sec", U_SECOND}, {"second", U_SECOND}, {"seconds", U_SECOND}, {"secs", U_SECOND},
    {"timezone", U_TZ}, {"timezone_h", U_TZ_HOUR}, {"timezone_m", U_TZ_MINUTE}, {"us", U_MICROSEC},
    {"usec", U_MICROSEC}, {"usecond", U_MICROSEC}, {"useconds", U_MICROSEC}, {"usecs", U_MICROSEC}, {"w", U_WEEK}, {"week", U_WEEK},
    {"weeks", U_WEEK}, {"y", U_YEAR}, {"year", U_YEAR}, {"years", U_YEAR}, {"yr", U_YEAR}, {"yrs", U_YEAR},
    {"dow", U_DOW}, {"doy", U_DOY}, {"isodow", U_ISODOW}, {"isoyear", U_ISOYEAR}, {"j", U_JULIAN},
    {"jd", U_JULIAN}, {"julian", U_JULIAN}, {"mm", U_MINUTE}, {"epoch", U_EPOCH},
    {"-infinity", U_RESERVED}, {"allballs", U_RESERVED}, {"infinity", U_RESERVED}, {"now", U_RESERVED},
    {"today", U_RESERVED}, {"tomorrow", U_RESERVED}, {"yesterday", U_RESERVED},
};

/* The value of a field: x / 10^scale for extract (numeric), and f, the
 * double precision that date_part computes its own way. */
typedef struct Part {
    i128 x;
    int scale;
    double f;
} Part;

static Part part_int(i64 v) { return (Part){v, 0, (double)v}; }

/* The sub-second fields, from seconds and µs. */
static bool part_seconds(int unit, i64 sec, i64 usec, Part *p)
{
    i64 us = sec * USECS_PER_SEC + usec;
    if (unit == U_MICROSEC) *p = part_int(us);
    else if (unit == U_MILLISEC) *p = (Part){us, 3, sec * 1000.0 + usec / 1000.0};
    else if (unit == U_SECOND) *p = (Part){us, 6, sec + usec / 1000000.0};
    else return false;
    return true;
}

/* The fields of the day `days` (since 2000-01-01) that dates and
 * timestamps share. */
static bool part_calendar(int unit, i64 days, Part *p)
{
    i64 y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    i64 wd = ((days % 7) + 7 + 5) % 7; /* Monday = 0: 2000-01-01 was a Saturday */
    i64 thursday = days - wd + 3, iy;
    int im, id;
    civil_from_days(thursday, &iy, &im, &id);
    switch (unit) {
    case U_DAY: *p = part_int(d); break;
    case U_MONTH: *p = part_int(m); break;
    case U_QUARTER: *p = part_int((m - 1) / 3 + 1); break;
    case U_WEEK: *p = part_int((thursday - days_from_civil(iy, 1, 1)) / 7 + 1); break;
    case U_YEAR: *p = part_int(y); break;
    case U_DECADE: *p = part_int(y / 10); break;
    case U_CENTURY: *p = part_int((y + 99) / 100); break;
    case U_MILLENNIUM: *p = part_int((y + 999) / 1000); break;
    case U_JULIAN: *p = part_int(days + 2451545); break;
    case U_ISOYEAR: *p = part_int(iy); break;
    case U_DOW: *p = part_int((wd + 1) % 7); break;
    case U_ISODOW: *p = part_int(wd + 1); break;
    case U_DOY: *p = part_int(days - days_from_civil(y, 1, 1) + 1); break;
    default: return false;
    }
    return true;
}

/* A timestamp's fields: local is its wall-clock time, raw its value (UTC
 * for timestamptz, whose zone is east seconds ahead).  *rc: an error of
 * the numeric arithmetic. */
static bool part_timestamp(int unit, i64 local, i64 raw, bool tz, i32 east, Part *p, int *rc, DdError *err)
{
    i64 days = local / USECS_PER_DAY - (local % USECS_PER_DAY < 0), tod = local - days * USECS_PER_DAY;
    i64 us = raw + 946684800 * USECS_PER_SEC; /* since 1970 */
    switch (unit) {
    case U_MINUTE: *p = part_int(tod / USECS_PER_MIN % 60); return true;
    case U_HOUR: *p = part_int(tod / USECS_PER_HOUR); return true;
    case U_EPOCH: *p = (Part){us, 6, us / 1000000.0}; return true;
    case U_JULIAN: {
        /* the day number and the fraction of the day gone */
        i128 q;
        int qs;
        i64 j = days + 2451545, sec = tod / USECS_PER_SEC;
        *rc = numeric_div(tod, 0, USECS_PER_DAY, 0, &q, &qs, err);
        if (!*rc) *rc = numeric_add(j, 0, q, qs, false, &p->x, &p->scale, err);
        p->f = j + (sec + tod % USECS_PER_SEC / 1000000.0) / 86400.0;
        return true;
    }
    case U_TZ: case U_TZ_HOUR: case U_TZ_MINUTE:
        if (!tz) return false;
        *p = part_int(unit == U_TZ ? east : unit == U_TZ_HOUR ? east / 3600 : east / 60 % 60);
        return true;
    default:
        return part_seconds(unit, tod / USECS_PER_SEC % 60, tod % USECS_PER_SEC, p) || part_calendar(unit, days, p);
    }
}

/* An interval's fields, each with the interval's sign; epoch counts a
 * year as 365.25 days and a month as 30. */
static bool part_interval(int unit, const Interval *iv, Part *p)
{
    i64 t = iv->usecs, y = iv->months / 12, m = iv->months % 12;
    switch (unit) {
    case U_MINUTE: *p = part_int(t / USECS_PER_MIN % 60); return true;
    case U_HOUR: *p = part_int(t / USECS_PER_HOUR); return true;
    case U_DAY: *p = part_int(iv->days); return true;
    case U_MONTH: *p = part_int(m); return true;
    case U_QUARTER: *p = part_int(m / 3 + 1); return true;
    case U_YEAR: *p = part_int(y); return true;
    case U_DECADE: *p = part_int(y / 10); return true;
    case U_CENTURY: *p = part_int(y / 100); return true;
    case U_MILLENNIUM: *p = part_int(y / 1000); return true;
    case U_EPOCH: {
        i128 secs = ((i128)1461 * y + 120 * m + 4 * (i128)iv->days) * (86400 / 4);
        p->x = secs * USECS_PER_SEC + t;
        p->scale = 6;
        p->f = t / 1000000.0 + 365.25 * 86400 * y + 30.0 * 86400 * m + 86400.0 * iv->days;
        return true;
    }
    default:
        return part_seconds(unit, t / USECS_PER_SEC % 60, t % USECS_PER_SEC, p);
    }
}

int datefn_part(const char *unit, size_t ulen, const Value *v, const ValueCtx *ctx, bool as_float, Value *out,
                DdError *err)
{
    char w[64];
    size_t n = DD_MIN(ulen, sizeof w - 1);
    for (size_t i = 0; i < n; i++) w[i] = (char)tolower((u8)unit[i]);
    w[n] = '\0';
    int u = -1;
    for (size_t i = 0; i < DD_ARRAY_LEN(unit_words) && u < 0; i++)
        if (strncmp(w, unit_words[i].word, 10) == 0) u = unit_words[i].unit;
    const char *tname = type_name((TypeId)v->type);
    /* special words name no field; for intervals PostgreSQL does not even know them */
    if (u < 0 || (u == U_RESERVED && v->type == TYPE_INTERVAL))
        return dd_err(err, DD_EINVALID_PARAM, -1, "unit \"%s\" not recognized for type %s", w, tname);
    Part p;
    bool ok;
    int rc = DD_OK;
    switch (v->type) {
    case TYPE_DATE:
        if ((ok = u == U_EPOCH)) p = part_int((v->v.i + 10957) * 86400); /* whole seconds since 1970 */
        else ok = part_calendar(u, v->v.i, &p);
        break;
    case TYPE_INTERVAL:
        ok = part_interval(u, &v->v.iv, &p);
        break;
    case TYPE_TIME:
    case TYPE_TIMETZ: {
        /* the fields of a time of day (and a timetz's zone) */
        bool tz = v->type == TYPE_TIMETZ;
        i64 t = tz ? timetz_us(v->v.i) : v->v.i;
        i32 east = tz ? timetz_zone(v->v.i) : 0;
        ok = true;
        switch (u) {
        case U_HOUR: p = part_int(t / USECS_PER_HOUR); break;
        case U_MINUTE: p = part_int(t / USECS_PER_MIN % 60); break;
        case U_EPOCH: {
            i64 e = t - (i64)east * USECS_PER_SEC;
            p.x = e;
            p.scale = 6;
            p.f = e / 1000000.0;
            break;
        }
        case U_TZ: ok = tz; p = part_int(east); break;
        case U_TZ_HOUR: ok = tz; p = part_int(east / 3600); break;
        case U_TZ_MINUTE: ok = tz; p = part_int(east / 60 % 60); break;
        case U_MICROSEC: case U_MILLISEC: case U_SECOND:
            ok = part_seconds(u, t / USECS_PER_SEC % 60, t % USECS_PER_SEC, &p);
            break;
        default: ok = false; break;
        }
        break;
    }
    default: {
        bool tz = v->type == TYPE_TIMESTAMPTZ;
        i32 east = tz ? tz_offset_at(ctx, v->v.i) : 0;
        ok = part_timestamp(u, v->v.i + (i64)east * USECS_PER_SEC, v->v.i, tz, east, &p, &rc, err);
        if (rc) return rc;
        break;
    }
    }
    if (!ok) return dd_err(err, DD_EFEATURE, -1, "unit \"%s\" not supported for type %s", w, tname);
    *out = as_float ? val_float(TYPE_FLOAT8, p.f) : val_numeric(p.x, p.scale);
    return DD_OK;
}

/* ---- date_trunc ---- */

/* date_trunc's unit: one of PostgreSQL's interval unit words (DecodeUnits),
 * its lower case in w; -1 for any other word (22023, "not recognized"). */
static int trunc_unit(const char *unit, size_t ulen, char w[64])
{
    size_t n = DD_MIN(ulen, 63);
    for (size_t i = 0; i < n; i++) w[i] = (char)tolower((u8)unit[i]);
    w[n] = '\0';
    /* the interval units come first, up to "dow" (PostgreSQL's deltatktbl) */
    for (size_t i = 0; i < DD_ARRAY_LEN(unit_words) && strcmp(unit_words[i].word, "dow") != 0; i++)
        if (strncmp(w, unit_words[i].word, 10) == 0) return unit_words[i].unit;
    return -1;
}

int datefn_trunc_timestamp(const char *unit, size_t ulen, i64 local, const char *tname, i64 *out, bool *below_day,
                           DdError *err)
{
    char w[64];
    int u = trunc_unit(unit, ulen, w);
    if (u < 0) return dd_err(err, DD_EINVALID_PARAM, -1, "unit \"%s\" not recognized for type %s", w, tname);
    *below_day = u == U_HOUR || u == U_MINUTE || u == U_SECOND || u == U_MILLISEC || u == U_MICROSEC;
    i64 days = local / USECS_PER_DAY - (local % USECS_PER_DAY < 0), tod = local - days * USECS_PER_DAY;
    i64 y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    switch (u) {
    /* the first year of a millennium or century is ...01, of a decade ...0 */
    case U_MILLENNIUM: y = (y + 999) / 1000 * 1000 - 999; m = d = 1; tod = 0; break;
    case U_CENTURY: y = (y + 99) / 100 * 100 - 99; m = d = 1; tod = 0; break;
    case U_DECADE: y = y / 10 * 10; m = d = 1; tod = 0; break;
    case U_YEAR: m = d = 1; tod = 0; break;
    case U_QUARTER: m = (m - 1) / 3 * 3 + 1; d = 1; tod = 0; break;
    case U_MONTH: d = 1; tod = 0; break;
    case U_WEEK: {
        /* the Monday of its ISO week (2000-01-01 was a Saturday) */
        days -= ((days % 7) + 7 + 5) % 7;
        *out = days * USECS_PER_DAY;
        return DD_OK;
    }
    case U_DAY: tod = 0; break;
    case U_HOUR: tod -= tod % USECS_PER_HOUR; break;
    case U_MINUTE: tod -= tod % USECS_PER_MIN; break;
    case U_SECOND: tod -= tod % USECS_PER_SEC; break;
    case U_MILLISEC: tod -= tod % 1000; break;
    case U_MICROSEC: break;
    default: return dd_err(err, DD_EFEATURE, -1, "unit \"%s\" not supported for type %s", w, tname);
    }
    /* the decade of the years 1 to 9 starts in 1 BC */
    if (y < 1) return dd_err(err, DD_EDATETIME_OVERFLOW, -1, "timestamp out of range");
    *out = days_from_civil(y, m, d) * USECS_PER_DAY + tod;
    return DD_OK;
}

int datefn_trunc_interval(const char *unit, size_t ulen, const Interval *in, Interval *out, DdError *err)
{
    char w[64];
    int u = trunc_unit(unit, ulen, w);
    if (u < 0) return dd_err(err, DD_EINVALID_PARAM, -1, "unit \"%s\" not recognized for type interval", w);
    /* interval2tm's fields, each C's truncating division */
    i64 year = in->months / 12, mon = in->months % 12, mday = in->days, t = in->usecs;
    i64 hour = t / USECS_PER_HOUR, min = t / USECS_PER_MIN % 60, sec = t / USECS_PER_SEC % 60, fsec = t % USECS_PER_SEC;
    switch (u) {
    case U_MILLENNIUM: year = year / 1000 * 1000; /* fall through */
    case U_CENTURY: year = year / 100 * 100; /* fall through */
    case U_DECADE: year = year / 10 * 10; /* fall through */
    case U_YEAR: mon = 0; /* fall through */
    case U_QUARTER: mon = 3 * (mon / 3); /* fall through */
    case U_MONTH: mday = 0; /* fall through */
    case U_DAY: hour = 0; /* fall through */
    case U_HOUR: min = 0; /* fall through */
    case U_MINUTE: sec = 0; /* fall through */
    case U_SECOND: fsec = 0; break;
    case U_MILLISEC: fsec = fsec / 1000 * 1000; break;
    case U_MICROSEC: break;
    default:
        dd_err(err, DD_EFEATURE, -1, "unit \"%s\" not supported for type interval", w);
        if (u == U_WEEK) dd_err_detail(err, "Months usually have fractional weeks.");
        return DD_EFEATURE;
    }
    out->months = (i32)(year * 12 + mon);
    out->days = (i32)mday;
    out->usecs = ((hour * 60 + min) * 60 + sec) * USECS_PER_SEC + fsec;
    return DD_OK;
}
