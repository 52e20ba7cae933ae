/*
 * datetime.c - DATE, TIMESTAMP, TIMESTAMPTZ and INTERVAL: calendar math,
 * text input and output (PostgreSQL, DateStyle ISO, MDY, IntervalStyle
 * postgres), arithmetic, and session time zones.
 *
 * Representation (value.h): DATE is days since 2000-01-01; TIMESTAMP is
 * local wall-clock microseconds since 2000-01-01 00:00:00; TIMESTAMPTZ is
 * UTC microseconds since the same instant.  Supported range: years 1 to
 * 5874897 (DATE) and 1 to 294276 (timestamps); BC dates and infinities are
 * rejected.
 *
 * Time zones: a zone is a fixed offset (ValueCtx.tz_offset_s) or a TZ
 * database name read from /usr/share/zoneinfo (TZif v2+: transitions, then
 * the POSIX rule of the footer for later instants).  The C library's
 * setenv/tzset are never used.  Parsed zone files are memoized per thread
 * in a two-entry cache (tz_cache below): this is the one piece of
 * file-scope state, per thread and immutable file data only, so the module
 * stays thread-safe and a timestamptz column in a named zone does not
 * reread the file for every row.
 *
 * Local-to-UTC conversion (timestamp literal without zone, timestamp ->
 * timestamptz): utc = local - off(local - off(local)), which picks the
 * standard-time reading for ambiguous times and moves times in a DST gap
 * forward, as PostgreSQL does.
 */
#include "value.h"
#include "../util/clock.h"

#include <ctype.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/alloc.h"

#define USECS_PER_SEC 1000000LL
#define USECS_PER_MIN (60 * USECS_PER_SEC)
#define USECS_PER_HOUR (3600 * USECS_PER_SEC)
#define USECS_PER_DAY (86400 * USECS_PER_SEC)
#define DAYS_PER_MONTH 30
#define UNIX_EPOCH_DAYS 10957 /* 1970-01-01 .. 2000-01-01 */
#define DATE_MAX_YEAR 5874897
#define TS_MAX_YEAR 294276

/* ---- calendar ---- */

/* Days since 2000-01-01 of a proleptic Gregorian date (H. Hinnant). */
i64 days_from_civil(i64 y, int m, int d)
{
    y -= m <= 2;
    i64 era = (y >= 0 ? y : y - 399) / 400;
    i64 yoe = y - era * 400;
    i64 doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    i64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468 - UNIX_EPOCH_DAYS;
}

void civil_from_days(i64 z, i64 *y, int *m, int *d)
{
    z += 719468 + UNIX_EPOCH_DAYS;
    i64 era = (z >= 0 ? z : z - 146096) / 146097;
    i64 doe = z - era * 146097;
    i64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    i64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    i64 mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(i64 y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(i64 y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

static i64 floor_div(i64 a, i64 b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

#define DATE_MIN_DAYS (days_from_civil(1, 1, 1))
#define DATE_MAX_DAYS (days_from_civil(DATE_MAX_YEAR, 12, 31))
#define TS_MIN (days_from_civil(1, 1, 1) * USECS_PER_DAY)
#define TS_END (days_from_civil(TS_MAX_YEAR + 1, 1, 1) * USECS_PER_DAY) /* exclusive */

static bool date_ok(i64 d) { return d >= DATE_MIN_DAYS && d <= DATE_MAX_DAYS; }
static bool ts_ok(i64 t) { return t >= TS_MIN && t < TS_END; }

i64 ts_from_unix_us(i64 unix_us) { return unix_us - (i64)UNIX_EPOCH_DAYS * USECS_PER_DAY; }
i64 ts_to_unix_us(i64 ts) { return ts + (i64)UNIX_EPOCH_DAYS * USECS_PER_DAY; }

/* ---- time zone files ---- */

#define TZ_MAX_TRANS 1200
#define TZ_MAX_TYPES 64

typedef struct TzRuleDate {
    int mon, week, wday; /* POSIX Mm.w.d */
    i32 secs;            /* local time of day of the change */
} TzRuleDate;

typedef struct TzData {
    char name[96];
    int ntrans, ntypes;
    i64 trans[TZ_MAX_TRANS]; /* Unix seconds, ascending */
    u8 idx[TZ_MAX_TRANS];
    i32 off[TZ_MAX_TYPES];   /* seconds east of UTC */
    bool has_rule, rule_dst; /* footer: fixed std offset, or std/dst rule */
    i32 std_off, dst_off;
    TzRuleDate start, end;
} TzData;

static _Thread_local TzData tz_cache[2];
static _Thread_local int tz_cache_next;

static bool tz_name_ok(const char *n)
{
    if (!*n || *n == '/' || strstr(n, "..") || strlen(n) >= sizeof(((TzData *)0)->name)) return false;
    for (const char *p = n; *p; p++)
        if (!isalnum((u8)*p) && !strchr("/_+-", *p)) return false;
    return true;
}

static i64 be64(const u8 *p) { return (i64)get_u64be(p); }
static i32 be32(const u8 *p) { return (i32)get_u32be(p); }

/* Parses "[+-]h[:mm[:ss]]" at *s; returns seconds, or INT32_MIN. */
static i32 posix_hms(const char **s)
{
    const char *p = *s;
    int sign = 1;
    if (*p == '+' || *p == '-') sign = *p++ == '-' ? -1 : 1;
    if (!isdigit((u8)*p)) return INT32_MIN;
    i32 v[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        if (i > 0) {
            if (*p != ':' || !isdigit((u8)p[1])) break;
            p++;
        }
        int n = 0;
        while (isdigit((u8)*p) && n < 3) v[i] = v[i] * 10 + (*p++ - '0'), n++;
    }
    *s = p;
    return sign * (v[0] * 3600 + v[1] * 60 + v[2]);
}

static bool posix_name(const char **s)
{
    const char *p = *s;
    if (*p == '<') {
        while (*p && *p != '>') p++;
        if (*p != '>') return false;
        *s = p + 1;
        return true;
    }
    while (isalpha((u8)*p)) p++;
    if (p - *s < 3) return false;
    *s = p;
    return true;
}

static bool posix_date(const char **s, TzRuleDate *r)
{
    const char *p = *s;
    if (*p != 'M') return false;
    r->mon = (int)strtol(p + 1, (char **)&p, 10);
    if (*p++ != '.') return false;
    r->week = (int)strtol(p, (char **)&p, 10);
    if (*p++ != '.') return false;
    r->wday = (int)strtol(p, (char **)&p, 10);
    r->secs = 7200;
    if (*p == '/') {
        p++;
        r->secs = posix_hms(&p);
        if (r->secs == INT32_MIN) return false;
    }
    if (r->mon < 1 || r->mon > 12 || r->week < 1 || r->week > 5 || r->wday < 0 || r->wday > 6) return false;
    *s = p;
    return true;
}

/* Parses a POSIX TZ string "STDoff[DST[off],Mm.w.d[/t],Mm.w.d[/t]]". */
static bool posix_rule(const char *s, TzData *z)
{
    if (!posix_name(&s)) return false;
    i32 o = posix_hms(&s);
    if (o == INT32_MIN) return false;
    z->std_off = -o;
    z->rule_dst = false;
    if (!*s) return true;
    if (!posix_name(&s)) return false;
    z->dst_off = z->std_off + 3600;
    if (*s && *s != ',') {
        o = posix_hms(&s);
        if (o == INT32_MIN) return false;
        z->dst_off = -o;
    }
    if (*s++ != ',' || !posix_date(&s, &z->start) || *s++ != ',' || !posix_date(&s, &z->end)) return false;
    z->rule_dst = true;
    return *s == '\0';
}

/* Unix seconds of a rule date in year y, its local time read with offset off. */
static i64 rule_instant(i64 y, const TzRuleDate *r, i32 off)
{
    i64 first = days_from_civil(y, r->mon, 1);
    int wd_first = (int)(((first + 6) % 7 + 7) % 7); /* 2000-01-01 was a Saturday (6) */
    int day = 1 + (r->wday - wd_first + 7) % 7 + (r->week - 1) * 7;
    while (day > days_in_month(y, r->mon)) day -= 7;
    i64 d = days_from_civil(y, r->mon, day) + UNIX_EPOCH_DAYS;
    return d * 86400 + r->secs - off;
}

static i32 rule_offset(const TzData *z, i64 t)
{
    if (!z->rule_dst) return z->std_off;
    i64 y;
    int m, d;
    civil_from_days(floor_div(t, 86400) - UNIX_EPOCH_DAYS, &y, &m, &d);
    i64 start = rule_instant(y, &z->start, z->std_off), end = rule_instant(y, &z->end, z->dst_off);
    bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
    return dst ? z->dst_off : z->std_off;
}

/* Reads /usr/share/zoneinfo/<name> into z (TZif version 2 or later). */
static bool tz_load(const char *name, TzData *z)
{
    if (!tz_name_ok(name)) return false;
    char path[160];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    static const size_t cap = 1 << 16;
    u8 *b = dd_malloc(cap);
    ssize_t n = 0, r;
    while (b && (size_t)n < cap && (r = read(fd, b + n, cap - (size_t)n)) > 0) n += r;
    close(fd);
    bool ok = false;
    if (!b || n < 44 || memcmp(b, "TZif", 4) != 0 || b[4] < '2') goto done;
    i64 cnt[6];
    for (int i = 0; i < 6; i++) cnt[i] = be32(b + 20 + 4 * i);
    /* skip the version 1 block */
    i64 off = 44 + cnt[3] * 5 + cnt[4] * 6 + cnt[5] + cnt[2] * 8 + cnt[1] + cnt[0];
    if (off + 44 > n || memcmp(b + off, "TZif", 4) != 0) goto done;
    for (int i = 0; i < 6; i++) cnt[i] = be32(b + off + 20 + 4 * i);
    i64 isut = cnt[0], isstd = cnt[1], leap = cnt[2], tc = cnt[3], ty = cnt[4], ch = cnt[5];
    if (tc < 0 || tc > TZ_MAX_TRANS || ty < 1 || ty > TZ_MAX_TYPES || ch < 0 || leap < 0 || isut < 0 || isstd < 0)
        goto done;
    const u8 *p = b + off + 44;
    i64 need = tc * 9 + ty * 6 + ch + leap * 12 + isstd + isut;
    if (off + 44 + need > n) goto done;
    z->ntrans = (int)tc;
    z->ntypes = (int)ty;
    for (i64 i = 0; i < tc; i++) z->trans[i] = be64(p + 8 * i);
    p += tc * 8;
    for (i64 i = 0; i < tc; i++) {
        z->idx[i] = p[i];
        if (p[i] >= ty) goto done;
    }
    p += tc;
    for (i64 i = 0; i < ty; i++) z->off[i] = be32(p + 6 * i);
    p += ty * 6 + ch + leap * 12 + isstd + isut;
    /* footer: "\n<POSIX TZ>\n" */
    z->has_rule = false;
    if (p < b + n && *p == '\n') {
        const u8 *e = memchr(p + 1, '\n', (size_t)(b + n - p - 1));
        if (e && e - p - 1 < 64) {
            char rule[64];
            memcpy(rule, p + 1, (size_t)(e - p - 1));
            rule[e - p - 1] = '\0';
            z->has_rule = rule[0] && posix_rule(rule, z);
        }
    }
    snprintf(z->name, sizeof z->name, "%s", name);
    ok = true;
done:
    dd_free(b);
    return ok;
}

/* The zone data of name from this thread's cache, loading it if needed. */
static const TzData *tz_get(const char *name)
{
    for (int i = 0; i < 2; i++)
        if (tz_cache[i].name[0] && strcmp(tz_cache[i].name, name) == 0) return &tz_cache[i];
    TzData *z = &tz_cache[tz_cache_next];
    z->name[0] = '\0';
    if (!tz_load(name, z)) {
        z->name[0] = '\0';
        return NULL;
    }
    tz_cache_next ^= 1;
    return z;
}

static i32 tzdata_offset(const TzData *z, i64 unix_s)
{
    if (z->ntrans == 0 || unix_s < z->trans[0]) {
        if (z->ntrans == 0 && z->has_rule) return rule_offset(z, unix_s);
        return z->off[0];
    }
    if (unix_s >= z->trans[z->ntrans - 1] && z->has_rule) return rule_offset(z, unix_s);
    int lo = 0, hi = z->ntrans - 1; /* last transition <= t */
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (z->trans[mid] <= unix_s) lo = mid;
        else hi = mid - 1;
    }
    return z->off[z->idx[lo]];
}

static i32 zone_offset(const char *name, i32 fixed, i64 ts_utc)
{
    if (!name) return fixed;
    const TzData *z = tz_get(name);
    if (!z) return fixed;
    return tzdata_offset(z, floor_div(ts_to_unix_us(ts_utc), USECS_PER_SEC));
}

i32 tz_offset_at(const ValueCtx *ctx, i64 ts_utc)
{
    return zone_offset(ctx->tz_name, ctx->tz_offset_s, ts_utc);
}

/*
 * Local wall time -> UTC, PostgreSQL's rule at transitions: a time that
 * does not exist (in a spring-forward gap) takes the offset in force just
 * before the transition, a time that exists twice (fall-back) the offset
 * in force just after it.  With ob / oa the offsets a day before / after:
 * the candidate whose offset is consistent wins; if both or neither are,
 * the later instant does (which is exactly that rule).
 */
static i64 zone_local_to_utc(const char *name, i32 fixed, i64 local)
{
    i32 ob = zone_offset(name, fixed, local - USECS_PER_DAY);
    i32 oa = zone_offset(name, fixed, local + USECS_PER_DAY);
    i64 tb = local - (i64)ob * USECS_PER_SEC, ta = local - (i64)oa * USECS_PER_SEC;
    if (ob == oa) {
        /* no transition within a day; still check (e.g. a fixed zone) */
        i32 o = zone_offset(name, fixed, tb);
        return local - (i64)o * USECS_PER_SEC;
    }
    bool cb = zone_offset(name, fixed, tb) == ob, ca = zone_offset(name, fixed, ta) == oa;
    if (cb && !ca) return tb;
    if (ca && !cb) return ta;
    return tb > ta ? tb : ta;
}

i64 ts_local_to_utc(const ValueCtx *ctx, i64 local)
{
    return zone_local_to_utc(ctx->tz_name, ctx->tz_offset_s, local);
}

i64 ts_utc_to_local(const ValueCtx *ctx, i64 utc)
{
    return utc + (i64)tz_offset_at(ctx, utc) * USECS_PER_SEC;
}

static bool utc_alias(const char *s)
{
    static const char *names[] = {"utc", "gmt", "z", "zulu", "uct", "etc/utc", "etc/gmt",
                                  "etc/uct", "etc/zulu", "universal", "etc/universal", "greenwich"};
    for (size_t i = 0; i < DD_ARRAY_LEN(names); i++)
        if (strcasecmp(s, names[i]) == 0) return true;
    return false;
}

bool tz_parse(const char *s, ValueCtx *ctx)
{
    while (*s == ' ') s++;
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ') n--;
    char buf[96];
    if (n == 0 || n >= sizeof buf) return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (utc_alias(buf)) {
        ctx->tz_offset_s = 0;
        ctx->tz_name = NULL;
        return true;
    }
    /* A plain number is hours east (SET TIME ZONE 2, '+02', '-5.5'). */
    char *end;
    double h = strtod(buf, &end);
    if (end != buf && *end == '\0' && isdigit((u8)buf[n - 1])) {
        if (!(fabs(h) <= 15)) return false;
        ctx->tz_offset_s = (i32)lrint(h * 3600);
        ctx->tz_name = NULL;
        return true;
    }
    /* TZ database name */
    if (isalpha((u8)buf[0]) && tz_get(buf)) {
        char *copy = arena_strdup(ctx->arena, buf);
        if (!copy) return false;
        ctx->tz_name = copy;
        ctx->tz_offset_s = 0;
        return true;
    }
    /* POSIX form without DST: "[NAME]+-hh[:mm[:ss]]", positive = west */
    const char *p = buf;
    if (isalpha((u8)*p) && !posix_name(&p)) return false;
    if (*p != '+' && *p != '-' && !isdigit((u8)*p)) return false;
    i32 o = posix_hms(&p);
    if (o == INT32_MIN || *p || o > 15 * 3600 + 59 * 60 || o < -(15 * 3600 + 59 * 60)) return false;
    ctx->tz_offset_s = -o;
    ctx->tz_name = NULL;
    return true;
}

/* ---- text input of dates and timestamps ---- */

enum { DT_OK, DT_BAD, DT_FIELD, DT_MD_FIELD, DT_TZ_DISP, DT_TZ_UNKNOWN, DT_INF, DT_RANGE };
enum { SP_NONE, SP_EPOCH, SP_NOW, SP_TODAY, SP_TOMORROW, SP_YESTERDAY };

typedef struct DtParts {
    int special;
    i64 year;
    int mon, day, hour, min, sec;
    i64 usec;
    bool has_tz;
    i32 tz_off;         /* fixed zone of the literal, seconds east */
    char tz_name[96];   /* or a named zone ("" when fixed) */
} DtParts;

typedef struct Scan {
    const char *s; /* lower-cased, NUL-terminated */
    const char *orig;
    size_t i;
} Scan;

static void skip_spaces(Scan *sc)
{
    while (sc->s[sc->i] == ' ' || sc->s[sc->i] == '\t') sc->i++;
}

/* Reads up to 10 digits; returns the count (0 if none). */
static int read_digits(Scan *sc, i64 *v)
{
    int n = 0;
    *v = 0;
    while (isdigit((u8)sc->s[sc->i])) {
        if (n < 10) *v = *v * 10 + (sc->s[sc->i] - '0');
        n++;
        sc->i++;
    }
    return n > 10 ? -1 : n;
}

static int month_from_name(Scan *sc)
{
    static const char *m[12] = {"jan", "feb", "mar", "apr", "may", "jun",
                                "jul", "aug", "sep", "oct", "nov", "dec"};
    static const char *full[12] = {"january", "february", "march", "april", "may", "june", "july",
                                   "august", "september", "october", "november", "december"};
    const char *p = sc->s + sc->i;
    size_t n = 0;
    while (isalpha((u8)p[n])) n++;
    for (int i = 0; i < 12; i++) {
        if ((n == 3 && strncmp(p, m[i], 3) == 0) || (n == strlen(full[i]) && strncmp(p, full[i], n) == 0) ||
            (n == 4 && i == 8 && strncmp(p, "sept", 4) == 0)) {
            sc->i += n;
            if (sc->s[sc->i] == '.') sc->i++;
            return i + 1;
        }
    }
    return 0;
}

static i64 two_digit_year(i64 y, int ndig)
{
    if (ndig <= 2) return y < 70 ? 2000 + y : 1900 + y;
    return y;
}

static int parse_date_part(Scan *sc, DtParts *r)
{
    i64 a, b, c;
    int na, nb, nc;
    if (isalpha((u8)sc->s[sc->i])) {
        /* Mon DD[,] YYYY */
        int m = month_from_name(sc);
        if (!m) return DT_BAD;
        skip_spaces(sc);
        if (sc->s[sc->i] == '-' || sc->s[sc->i] == '/') sc->i++;
        if ((nb = read_digits(sc, &b)) <= 0) return DT_BAD;
        if (sc->s[sc->i] == ',') sc->i++;
        skip_spaces(sc);
        if (sc->s[sc->i] == '-' || sc->s[sc->i] == '/') sc->i++;
        if ((nc = read_digits(sc, &c)) <= 0) return DT_BAD;
        r->mon = m;
        r->day = (int)b;
        r->year = two_digit_year(c, nc);
        return DT_OK;
    }
    if ((na = read_digits(sc, &a)) <= 0) return DT_BAD;
    char sep = sc->s[sc->i];
    if (na == 8 && sep != '-' && sep != '/' && sep != '.' && sep != ':') {
        r->year = a / 10000;
        r->mon = (int)(a / 100 % 100);
        r->day = (int)(a % 100);
        return DT_OK;
    }
    if (sep != '-' && sep != '/' && sep != '.') return DT_BAD;
    sc->i++;
    int mname = 0;
    if (isalpha((u8)sc->s[sc->i])) {
        if (!(mname = month_from_name(sc))) return DT_BAD;
        b = mname;
        nb = 2;
    } else if ((nb = read_digits(sc, &b)) <= 0) {
        return DT_BAD;
    }
    if (sc->s[sc->i] != sep) return DT_BAD;
    sc->i++;
    if ((nc = read_digits(sc, &c)) <= 0) return DT_BAD;
    if (na >= 3) { /* Y-M-D */
        r->year = a;
        r->mon = (int)b;
        r->day = (int)c;
    } else if (mname) { /* D-Mon-Y */
        r->day = (int)a;
        r->mon = mname;
        r->year = two_digit_year(c, nc);
    } else { /* M-D-Y (DateStyle MDY) */
        if (nc < 3 && nc != 2) return DT_BAD;
        r->mon = (int)a;
        r->day = (int)b;
        r->year = two_digit_year(c, nc);
    }
    return DT_OK;
}

static int parse_time_part(Scan *sc, DtParts *r)
{
    i64 h, m, s = 0;
    if (read_digits(sc, &h) <= 0 || sc->s[sc->i] != ':') return DT_BAD;
    sc->i++;
    if (read_digits(sc, &m) != 2) return DT_BAD;
    if (sc->s[sc->i] == ':') {
        sc->i++;
        if (read_digits(sc, &s) != 2) return DT_BAD;
        if (sc->s[sc->i] == '.') {
            size_t st = sc->i;
            sc->i++;
            while (isdigit((u8)sc->s[sc->i])) sc->i++;
            if (sc->i - st > 30) return DT_BAD;
            char frac[40] = "0";
            memcpy(frac + 1, sc->s + st, sc->i - st);
            frac[1 + sc->i - st] = '\0';
            r->usec = (i64)rint(strtod(frac, NULL) * 1e6);
        }
    }
    r->hour = (int)h;
    r->min = (int)m;
    r->sec = (int)s;
    skip_spaces(sc);
    if ((sc->s[sc->i] == 'a' || sc->s[sc->i] == 'p') && sc->s[sc->i + 1] == 'm' &&
        !isalnum((u8)sc->s[sc->i + 2])) {
        bool pm = sc->s[sc->i] == 'p';
        sc->i += 2;
        if (r->hour < 1 || r->hour > 12) return DT_FIELD;
        r->hour = r->hour % 12 + (pm ? 12 : 0);
    }
    return DT_OK;
}

static int parse_zone_part(Scan *sc, DtParts *r)
{
    skip_spaces(sc);
    char c = sc->s[sc->i];
    if (c == '\0') return DT_OK;
    r->has_tz = true;
    if (c == '+' || c == '-') {
        sc->i++;
        i64 h, m = 0, s = 0;
        int nh = read_digits(sc, &h);
        if (nh <= 0) return DT_BAD;
        if (nh == 4 || nh == 6) { /* +hhmm[ss] */
            if (nh == 6) { s = h % 100; h /= 100; }
            m = h % 100;
            h /= 100;
        } else if (nh > 2) {
            return DT_BAD;
        } else if (sc->s[sc->i] == ':') {
            sc->i++;
            if (read_digits(sc, &m) != 2) return DT_BAD;
            if (sc->s[sc->i] == ':') {
                sc->i++;
                if (read_digits(sc, &s) != 2) return DT_BAD;
            }
        }
        if (m > 59 || s > 59) return DT_FIELD;
        if (h > 15) return DT_TZ_DISP;
        r->tz_off = (i32)((h * 3600 + m * 60 + s) * (c == '-' ? -1 : 1));
        return DT_OK;
    }
    size_t st = sc->i;
    while (sc->s[sc->i] && sc->s[sc->i] != ' ') sc->i++;
    size_t n = sc->i - st;
    if (n >= sizeof r->tz_name) return DT_TZ_UNKNOWN;
    char name[96];
    memcpy(name, sc->orig + st, n);
    name[n] = '\0';
    if (!isalpha((u8)name[0])) return DT_BAD;
    if (utc_alias(name)) {
        r->tz_off = 0;
        return DT_OK;
    }
    memcpy(r->tz_name, name, n + 1);
    /* Bare words that are not zones are a syntax error, names with '/'
     * an unknown zone (as PostgreSQL). */
    if (!tz_get(name)) return strchr(name, '/') ? DT_TZ_UNKNOWN : DT_BAD;
    return DT_OK;
}

static int parse_datetime(const char *in, size_t len, DtParts *r)
{
    memset(r, 0, sizeof *r);
    while (len > 0 && isspace((u8)*in)) in++, len--;
    while (len > 0 && isspace((u8)in[len - 1])) len--;
    char low[128];
    if (len == 0 || len >= sizeof low || memchr(in, '\0', len)) return DT_BAD;
    for (size_t i = 0; i < len; i++) low[i] = (char)tolower((u8)in[i]);
    low[len] = '\0';
    static const struct { const char *w; int sp; } words[] = {
        {"epoch", SP_EPOCH}, {"now", SP_NOW}, {"today", SP_TODAY},
        {"tomorrow", SP_TOMORROW}, {"yesterday", SP_YESTERDAY},
    };
    for (size_t i = 0; i < DD_ARRAY_LEN(words); i++)
        if (strcmp(low, words[i].w) == 0) {
            r->special = words[i].sp;
            return DT_OK;
        }
    if (strcmp(low, "infinity") == 0 || strcmp(low, "-infinity") == 0 || strcmp(low, "+infinity") == 0)
        return DT_INF;
    char orig[128];
    memcpy(orig, in, len);
    orig[len] = '\0';
    Scan sc = {low, orig, 0};
    int rc = parse_date_part(&sc, r);
    if (rc) return rc;
    if (sc.s[sc.i] == 't' && isdigit((u8)sc.s[sc.i + 1])) sc.i++;
    else skip_spaces(&sc);
    if (isdigit((u8)sc.s[sc.i])) {
        rc = parse_time_part(&sc, r);
        if (rc) return rc;
    }
    rc = parse_zone_part(&sc, r);
    if (rc) return rc;
    skip_spaces(&sc);
    if (sc.s[sc.i]) return DT_BAD;
    /* field ranges */
    if (r->mon < 1 || r->mon > 12 || r->day < 1 || r->day > 31) return DT_MD_FIELD;
    if (r->year < 1) return DT_FIELD;
    if (r->year > DATE_MAX_YEAR) return DT_RANGE;
    if (r->day > days_in_month(r->year, r->mon)) return DT_FIELD;
    if (r->hour > 24 || r->min > 59 || r->sec > 60 || r->usec > USECS_PER_SEC ||
        (r->hour == 24 && (r->min || r->sec || r->usec)))
        return DT_FIELD;
    return DT_OK;
}

static int dt_error(int rc, const DtParts *r, const char *tname, const char *s, size_t len, DdError *err)
{
    int n = (int)DD_MIN(len, 200);
    switch (rc) {
    case DT_FIELD:
        return dd_err(err, DD_EDATETIME_OVERFLOW, -1, "date/time field value out of range: \"%.*s\"", n, s);
    case DT_MD_FIELD:
        dd_err(err, DD_EDATETIME_OVERFLOW, -1, "date/time field value out of range: \"%.*s\"", n, s);
        dd_err_hint(err, "Perhaps you need a different \"datestyle\" setting.");
        return DD_EDATETIME_OVERFLOW;
    case DT_TZ_DISP:
        return dd_err(err, DD_EDATETIME_OVERFLOW, -1, "time zone displacement out of range: \"%.*s\"", n, s);
    case DT_TZ_UNKNOWN: {
        char z[96];
        size_t i = 0;
        for (; r && r->tz_name[i] && i < sizeof z - 1; i++) z[i] = (char)tolower((u8)r->tz_name[i]);
        z[i] = '\0';
        return dd_err(err, DD_EINVALID_PARAM, -1, "time zone \"%s\" not recognized", z);
    }
    case DT_INF:
        return dd_err(err, DD_EFEATURE, -1, "infinite dates and timestamps are not supported: \"%.*s\"", n, s);
    case DT_RANGE:
        return dd_err(err, DD_EDATETIME_OVERFLOW, -1, "%s out of range: \"%.*s\"",
                      strcmp(tname, "date") == 0 ? "date" : "timestamp", n, s);
    default:
        return dd_err(err, DD_EDATETIME_FORMAT, -1, "invalid input syntax for type %s: \"%.*s\"", tname, n, s);
    }
}

/* Local wall-clock microseconds of the parsed fields (not special). */
static i64 parts_local(const DtParts *r)
{
    i64 days = days_from_civil(r->year, r->mon, r->day);
    return days * USECS_PER_DAY + ((i64)r->hour * 3600 + r->min * 60 + r->sec) * USECS_PER_SEC + r->usec;
}

/* Resolves a special word to a UTC instant (now/epoch) or a local
 * midnight (today, tomorrow, yesterday; *local = true). */
static i64 special_value(int sp, const ValueCtx *ctx, bool *local)
{
    i64 now = ts_from_unix_us(clock_wall_us());
    *local = false;
    if (sp == SP_EPOCH) return ts_from_unix_us(0);
    if (sp == SP_NOW) return now;
    i64 day = floor_div(ts_utc_to_local(ctx, now), USECS_PER_DAY);
    day += sp == SP_TOMORROW ? 1 : sp == SP_YESTERDAY ? -1 : 0;
    *local = true;
    return day * USECS_PER_DAY;
}

/* Offset of the literal's own zone at the given local time. */
static i64 parts_to_utc(const DtParts *r, i64 local, const ValueCtx *ctx)
{
    if (!r->has_tz) return ts_local_to_utc(ctx, local);
    if (r->tz_name[0]) return zone_local_to_utc(r->tz_name, 0, local);
    return local - (i64)r->tz_off * USECS_PER_SEC;
}

int date_from_text(const char *s, size_t len, const ValueCtx *ctx, i64 *out, DdError *err)
{
    DtParts r;
    int rc = parse_datetime(s, len, &r);
    if (rc) return dt_error(rc, &r, "date", s, len, err);
    if (r.special) {
        bool local;
        i64 t = special_value(r.special, ctx, &local);
        if (!local && r.special != SP_EPOCH) t = ts_utc_to_local(ctx, t);
        *out = floor_div(t, USECS_PER_DAY);
        return DD_OK;
    }
    *out = days_from_civil(r.year, r.mon, r.day);
    return DD_OK;
}

int timestamp_from_text(const char *s, size_t len, bool with_tz, const ValueCtx *ctx, i64 *out,
                        DdError *err)
{
    const char *tname = with_tz ? "timestamp with time zone" : "timestamp";
    DtParts r;
    int rc = parse_datetime(s, len, &r);
    if (rc) return dt_error(rc, &r, tname, s, len, err);
    i64 t;
    if (r.special) {
        bool local;
        t = special_value(r.special, ctx, &local);
        if (with_tz && local) t = ts_local_to_utc(ctx, t);
        else if (!with_tz && !local && r.special == SP_NOW) t = ts_utc_to_local(ctx, t);
    } else {
        if (r.year > TS_MAX_YEAR) return dt_error(DT_RANGE, &r, tname, s, len, err);
        t = parts_local(&r);
        /* a zone in a plain timestamp literal is ignored, as PostgreSQL */
        if (with_tz) t = parts_to_utc(&r, t, ctx);
    }
    if (!ts_ok(t)) return dt_error(DT_RANGE, &r, tname, s, len, err);
    *out = t;
    return DD_OK;
}

/* ---- text output ---- */

static void put_ymd(i64 days, Buf *out)
{
    i64 y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    buf_printf(out, "%04lld-%02d-%02d", (long long)y, m, d);
}

/* Appends seconds "SS[.ffffff]" without trailing zeros. */
static void put_seconds(i64 sec, i64 usec, Buf *out)
{
    buf_printf(out, "%02lld", (long long)sec);
    if (usec) {
        char f[8];
        snprintf(f, sizeof f, "%06lld", (long long)usec);
        int n = 6;
        while (n > 0 && f[n - 1] == '0') n--;
        buf_putc(out, '.');
        buf_append(out, f, (size_t)n);
    }
}

void date_to_text(i64 days, Buf *out) { put_ymd(days, out); }

void timestamp_to_text(i64 ts, Buf *out)
{
    i64 days = floor_div(ts, USECS_PER_DAY), tod = ts - days * USECS_PER_DAY;
    put_ymd(days, out);
    i64 s = tod / USECS_PER_SEC;
    buf_printf(out, " %02lld:%02lld:", (long long)(s / 3600), (long long)(s / 60 % 60));
    put_seconds(s % 60, tod % USECS_PER_SEC, out);
}

void tz_offset_to_text(i32 off, Buf *out)
{
    i32 a = off < 0 ? -off : off;
    buf_printf(out, "%c%02d", off < 0 ? '-' : '+', a / 3600);
    if (a % 3600) buf_printf(out, ":%02d", a / 60 % 60);
    if (a % 60) buf_printf(out, ":%02d", a % 60);
}

void timestamptz_to_text(i64 ts, const ValueCtx *ctx, Buf *out)
{
    i32 off = tz_offset_at(ctx, ts);
    timestamp_to_text(ts + (i64)off * USECS_PER_SEC, out);
    tz_offset_to_text(off, out);
}

/* ---- intervals ---- */

static void put_int_part(Buf *out, i64 v, const char *unit, bool *is_zero, bool *is_before)
{
    if (v == 0) return;
    buf_printf(out, "%s%s%lld %s%s", *is_zero ? "" : " ", (*is_before && v > 0) ? "+" : "",
               (long long)v, unit, v != 1 ? "s" : "");
    *is_before = v < 0;
    *is_zero = false;
}

/* IntervalStyle postgres, as PostgreSQL's EncodeInterval. */
void interval_to_text(const Interval *iv, Buf *out)
{
    bool is_zero = true, is_before = false;
    put_int_part(out, iv->months / 12, "year", &is_zero, &is_before);
    put_int_part(out, iv->months % 12, "mon", &is_zero, &is_before);
    put_int_part(out, iv->days, "day", &is_zero, &is_before);
    i64 t = iv->usecs;
    if (is_zero || t != 0) {
        bool minus = t < 0;
        u64 a = minus ? -(u64)t : (u64)t;
        u64 hour = a / (u64)USECS_PER_HOUR, min = a / (u64)USECS_PER_MIN % 60;
        u64 sec = a / (u64)USECS_PER_SEC % 60, us = a % (u64)USECS_PER_SEC;
        buf_printf(out, "%s%s%02llu:%02llu:", is_zero ? "" : " ", minus ? "-" : (is_before ? "+" : ""),
                   (unsigned long long)hour, (unsigned long long)min);
        put_seconds((i64)sec, (i64)us, out);
    }
}

/*
 * Interval input, as PostgreSQL's DecodeInterval: each "number unit" adds
 * its integer part to one field and cascades the fraction down (months to
 * days at 30 days, days to seconds), a time "h:mm[:ss.f]" sets the clock
 * fields, and no field may be given twice.
 */
typedef struct IvAcc {
    i64 years, months, days, hours, mins, secs; /* bounded by the 20-digit token limit */
    double fsec;                                /* microseconds */
    u32 mask;                                   /* fields already given */
} IvAcc;

enum { F_YEAR = 1, F_MON = 2, F_DAY = 4, F_HOUR = 8, F_MIN = 16, F_SEC = 32, F_MS = 64, F_US = 128,
       F_WEEK = 256, F_DECADE = 512, F_CENT = 1024, F_MILL = 2048 };

static void adj_fract_seconds(IvAcc *a, double frac, double scale)
{
    if (frac == 0) return;
    frac *= scale;
    i64 sec = (i64)frac;
    a->secs += sec;
    a->fsec += rint((frac - (double)sec) * 1e6);
}

static void adj_fract_days(IvAcc *a, double frac, double scale)
{
    if (frac == 0) return;
    frac *= scale;
    i64 d = (i64)frac;
    a->days += d;
    adj_fract_seconds(a, frac - (double)d, 86400);
}

/* Applies ival + fval (same sign) in unit u; false if unknown or repeated. */
static bool iv_apply_unit(IvAcc *a, i64 val, double fval, const char *u)
{
    static const struct { const char *names; u32 field; } units[] = {
        {" microsecond microseconds us usec usecs microsecon ", F_US},
        {" millisecond milliseconds ms msec msecs millisecon ", F_MS},
        {" second seconds s sec secs ", F_SEC},
        {" minute minutes m min mins ", F_MIN},
        {" hour hours h hr hrs ", F_HOUR},
        {" day days d ", F_DAY},
        {" week weeks w ", F_WEEK},
        {" month months mon mons ", F_MON},
        {" year years y yr yrs ", F_YEAR},
        {" decade decades dec decs ", F_DECADE},
        {" century centuries c cent ", F_CENT},
        {" millennium millennia mil mils millenniums ", F_MILL},
    };
    char key[24];
    if (strlen(u) > 20) return false;
    snprintf(key, sizeof key, " %s ", u);
    for (size_t i = 0; i < DD_ARRAY_LEN(units); i++) {
        if (!strstr(units[i].names, key)) continue;
        u32 f = units[i].field, m = f;
        if (f == F_SEC && fval != 0) m = F_SEC | F_MS | F_US; /* as PostgreSQL's DTK_ALL_SECS_M */
        if (a->mask & m) return false;
        a->mask |= m;
        switch (f) {
        case F_US: a->fsec += rint((double)val + fval); break;
        case F_MS:
            a->secs += val / 1000;
            a->fsec += rint((double)(val % 1000) * 1000 + fval * 1000);
            break;
        case F_SEC: a->secs += val; a->fsec += rint(fval * 1e6); break;
        case F_MIN: a->mins += val; adj_fract_seconds(a, fval, 60); break;
        case F_HOUR: a->hours += val; adj_fract_seconds(a, fval, 3600); break;
        case F_DAY: a->days += val; adj_fract_seconds(a, fval, 86400); break;
        case F_WEEK: a->days += val * 7; adj_fract_days(a, fval, 7); break;
        case F_MON: a->months += val; adj_fract_days(a, fval, DAYS_PER_MONTH); break;
        case F_YEAR: a->years += val; a->months += (i64)rint(fval * 12); break;
        case F_DECADE: a->years += val * 10; a->months += (i64)rint(fval * 120); break;
        case F_CENT: a->years += val * 100; a->months += (i64)rint(fval * 1200); break;
        default: a->years += val * 1000; a->months += (i64)rint(fval * 12000); break;
        }
        return true;
    }
    return false;
}

/* Splits "[+-]digits[.digits]" at *p into integer and signed fraction;
 * advances *p past it.  At most 15 integer digits (fields stay far from overflow). */
static bool iv_number(const char **p, i64 *ival, double *fval)
{
    const char *s = *p;
    bool neg = false;
    if (*s == '+' || *s == '-') neg = *s++ == '-';
    if (!isdigit((u8)*s) && !(*s == '.' && isdigit((u8)s[1]))) return false;
    i64 v = 0;
    int n = 0;
    while (isdigit((u8)*s)) {
        if (++n > 15) return false;
        v = v * 10 + (*s++ - '0');
    }
    double f = 0;
    if (*s == '.') {
        char frac[32] = "0.";
        int k = 2;
        s++;
        while (isdigit((u8)*s)) {
            if (k < 30) frac[k++] = *s;
            s++;
        }
        frac[k] = '\0';
        f = strtod(frac, NULL);
    }
    *ival = neg ? -v : v;
    *fval = neg ? -f : f;
    *p = s;
    return true;
}

/* "[+-]h:mm[:ss[.f]]" */
static bool iv_time(const char *t, IvAcc *a)
{
    int sign = 1;
    if (*t == '+' || *t == '-') sign = *t++ == '-' ? -1 : 1;
    if (a->mask & (F_HOUR | F_MIN | F_SEC | F_MS | F_US)) return false;
    a->mask |= F_HOUR | F_MIN | F_SEC | F_MS | F_US;
    i64 h = 0, m = 0, sec = 0;
    double f = 0;
    int n = 0;
    while (isdigit((u8)*t)) {
        if (++n > 10) return false;
        h = h * 10 + (*t++ - '0');
    }
    if (n == 0 || *t++ != ':' || !isdigit((u8)t[0])) return false;
    m = *t++ - '0';
    if (isdigit((u8)*t)) m = m * 10 + (*t++ - '0');
    if (*t == ':') {
        t++;
        if (!isdigit((u8)t[0])) return false;
        sec = *t++ - '0';
        if (isdigit((u8)*t)) sec = sec * 10 + (*t++ - '0');
        if (*t == '.') {
            i64 dummy;
            if (!iv_number(&t, &dummy, &f)) return false;
        }
    }
    if (*t || m > 59 || sec > 59) return false;
    a->hours += sign * h;
    a->mins += sign * m;
    a->secs += sign * sec;
    a->fsec += sign * rint(f * 1e6);
    return true;
}

/* ISO 8601 "P[nY][nM][nW][nD][T[nH][nM][nS]]". */
static bool iv_iso(const char *s, IvAcc *a)
{
    bool time = false;
    s++;
    if (!*s) return false;
    while (*s) {
        if (*s == 't') {
            if (time || !s[1]) return false;
            time = true;
            s++;
            continue;
        }
        i64 v;
        double f;
        if (!iv_number(&s, &v, &f) || !*s) return false;
        char u = *s++;
        const char *unit = NULL;
        if (!time) unit = u == 'y' ? "year" : u == 'm' ? "month" : u == 'w' ? "week" : u == 'd' ? "day" : NULL;
        else unit = u == 'h' ? "hour" : u == 'm' ? "minute" : u == 's' ? "second" : NULL;
        if (!unit || !iv_apply_unit(a, v, f, unit)) return false;
    }
    return true;
}

int interval_from_text(const char *in, size_t len, Interval *out, DdError *err)
{
    char s[160];
    int n = (int)DD_MIN(len, 200);
    size_t i = 0, k = 0;
    while (i < len && isspace((u8)in[i])) i++;
    if (len - i >= sizeof s || memchr(in, '\0', len)) goto bad;
    for (; i < len; i++) s[k++] = (char)tolower((u8)in[i]);
    while (k > 0 && isspace((u8)s[k - 1])) k--;
    s[k] = '\0';
    IvAcc a;
    memset(&a, 0, sizeof a);
    if (k == 0) goto bad;
    if (s[0] == 'p') {
        if (!iv_iso(s, &a)) goto bad;
    } else {
        const char *p = s;
        bool ago = false, any = false;
        if (*p == '@') p++;
        for (;;) {
            while (*p == ' ' || *p == '\t' || *p == ',') p++;
            if (!*p) break;
            if (ago) goto bad;
            const char *tok = p;
            while (*p && *p != ' ' && *p != '\t' && *p != ',') p++;
            size_t tl = (size_t)(p - tok);
            if (tl == 3 && strncmp(tok, "ago", 3) == 0) {
                if (!any) goto bad;
                ago = true;
                continue;
            }
            char word[40];
            if (tl >= sizeof word) goto bad;
            memcpy(word, tok, tl);
            word[tl] = '\0';
            if (strchr(word, ':')) {
                if (!iv_time(word, &a)) goto bad;
                any = true;
                continue;
            }
            const char *w = word;
            i64 v;
            double f;
            if (!iv_number(&w, &v, &f)) goto bad;
            char unit[24];
            if (*w) { /* unit glued to the number: "3h" */
                if (strlen(w) >= sizeof unit) goto bad;
                snprintf(unit, sizeof unit, "%s", w);
            } else {
                while (*p == ' ' || *p == '\t') p++;
                const char *u = p;
                while (isalpha((u8)*p)) p++;
                size_t ul = (size_t)(p - u);
                if (ul >= sizeof unit || (*p && *p != ' ' && *p != '\t' && *p != ',')) goto bad;
                memcpy(unit, u, ul);
                unit[ul] = '\0';
                if (ul == 0 || strcmp(unit, "ago") == 0) {
                    if (ul) ago = true; /* "10 ago": seconds */
                    snprintf(unit, sizeof unit, "second");
                }
            }
            if (!iv_apply_unit(&a, v, f, unit)) goto bad;
            any = true;
        }
        if (!any) goto bad;
        if (ago) {
            a.years = -a.years, a.months = -a.months, a.days = -a.days;
            a.hours = -a.hours, a.mins = -a.mins, a.secs = -a.secs, a.fsec = -a.fsec;
        }
    }
    {
        i128 months = (i128)a.years * 12 + a.months;
        i128 usecs = (((i128)a.hours * 60 + a.mins) * 60 + a.secs) * USECS_PER_SEC + (i128)a.fsec;
        if (months > INT32_MAX || months < INT32_MIN || a.days > INT32_MAX || a.days < INT32_MIN ||
            usecs > INT64_MAX || usecs < INT64_MIN || fabs(a.fsec) > 9e18)
            return dd_err(err, DD_EDATETIME_OVERFLOW, -1, "interval field value out of range: \"%.*s\"", n, in);
        out->months = (i32)months;
        out->days = (i32)a.days;
        out->usecs = (i64)usecs;
    }
    return DD_OK;
bad:
    return dd_err(err, DD_EDATETIME_FORMAT, -1, "invalid input syntax for type interval: \"%.*s\"", n, in);
}

i128 interval_span(const Interval *iv)
{
    return ((i128)iv->months * DAYS_PER_MONTH + iv->days) * USECS_PER_DAY + iv->usecs;
}

int interval_cmp(const Interval *a, const Interval *b)
{
    i128 x = interval_span(a), y = interval_span(b);
    return x < y ? -1 : x > y;
}

/* ---- comparisons across date/time types ---- */

i128 datetime_as_local(const Value *v)
{
    return v->type == TYPE_DATE ? (i128)v->v.i * USECS_PER_DAY : (i128)v->v.i;
}

i128 datetime_as_utc(const Value *v, const ValueCtx *ctx)
{
    if (v->type == TYPE_TIMESTAMPTZ) return v->v.i;
    i128 local = datetime_as_local(v);
    if (local < TS_MIN || local >= TS_END) return local; /* beyond timestamps: order only */
    return ts_local_to_utc(ctx, (i64)local);
}

/* ---- arithmetic ---- */

static int ts_range_err(DdError *err) { return dd_err(err, DD_EDATETIME_OVERFLOW, -1, "timestamp out of range"); }
static int date_range_err(DdError *err) { return dd_err(err, DD_EDATETIME_OVERFLOW, -1, "date out of range"); }
static int iv_range_err(DdError *err) { return dd_err(err, DD_EOUT_OF_RANGE, -1, "interval out of range"); }

int date_to_timestamp(i64 days, i64 *out, DdError *err)
{
    i128 t = (i128)days * USECS_PER_DAY;
    if (t < TS_MIN || t >= TS_END)
        return dd_err(err, DD_EDATETIME_OVERFLOW, -1, "date out of range for timestamp");
    *out = (i64)t;
    return DD_OK;
}

i64 timestamp_to_date(i64 ts) { return floor_div(ts, USECS_PER_DAY); }

/* Adds months and days to a local timestamp (month end clamped). */
static int local_add_md(i64 t, i32 months, i32 days, i64 *out, DdError *err)
{
    if (months) {
        i64 d = floor_div(t, USECS_PER_DAY), tod = t - d * USECS_PER_DAY, y;
        int m, dd;
        civil_from_days(d, &y, &m, &dd);
        i64 mm = y * 12 + (m - 1) + months;
        y = floor_div(mm, 12);
        m = (int)(mm - y * 12) + 1;
        if (y < 1 || y > TS_MAX_YEAR) return ts_range_err(err);
        dd = DD_MIN(dd, days_in_month(y, m));
        t = days_from_civil(y, m, dd) * USECS_PER_DAY + tod;
    }
    if (days) {
        i128 r = (i128)t + (i128)days * USECS_PER_DAY;
        if (r < TS_MIN || r >= TS_END) return ts_range_err(err);
        t = (i64)r;
    }
    *out = t;
    return DD_OK;
}

static int ts_add_interval(TypeId type, i64 t, const Interval *iv, const ValueCtx *ctx, i64 *out,
                           DdError *err)
{
    if (type == TYPE_TIMESTAMPTZ && (iv->months || iv->days)) {
        i64 local = ts_utc_to_local(ctx, t), r;
        int rc = local_add_md(local, iv->months, iv->days, &r, err);
        if (rc) return rc;
        t = ts_local_to_utc(ctx, r);
    } else {
        int rc = local_add_md(t, iv->months, iv->days, &t, err);
        if (rc) return rc;
    }
    i64 r;
    if (__builtin_add_overflow(t, iv->usecs, &r) || !ts_ok(r)) return ts_range_err(err);
    *out = r;
    return DD_OK;
}

static int iv_add(const Interval *a, const Interval *b, bool sub, Interval *out, DdError *err)
{
    i32 bm = b->months, bd = b->days;
    i64 bu = b->usecs;
    if (sub) {
        if (bm == INT32_MIN || bd == INT32_MIN || bu == INT64_MIN) return iv_range_err(err);
        bm = -bm, bd = -bd, bu = -bu;
    }
    if (__builtin_add_overflow(a->months, bm, &out->months) || __builtin_add_overflow(a->days, bd, &out->days) ||
        __builtin_add_overflow(a->usecs, bu, &out->usecs))
        return iv_range_err(err);
    return DD_OK;
}

#define TSROUND(j) (rint((j) * 1e6) / 1e6)

/* PostgreSQL's interval_mul / interval_div with fraction cascade. */
static int iv_scale(const Interval *s, double f, bool divide, Interval *out, DdError *err)
{
    if (divide && f == 0) return dd_err(err, DD_EDIV_ZERO, -1, "division by zero");
    double m = divide ? s->months / f : s->months * f;
    double d = divide ? s->days / f : s->days * f;
    if (isnan(m) || isnan(d) || fabs(m) > INT32_MAX || fabs(d) > INT32_MAX) return iv_range_err(err);
    Interval r;
    r.months = (i32)m;
    r.days = (i32)d;
    double mrd = TSROUND((m - r.months) * DAYS_PER_MONTH);
    double secr = TSROUND((d - r.days + mrd - (int)mrd) * 86400.0);
    if (fabs(secr) >= 86400) {
        r.days += (i32)(secr / 86400);
        secr -= (int)(secr / 86400) * 86400.0;
    }
    r.days += (i32)mrd;
    double t = rint((divide ? s->usecs / f : s->usecs * f) + secr * 1e6);
    if (isnan(t) || fabs(t) >= 9.2e18) return iv_range_err(err);
    r.usecs = (i64)t;
    *out = r;
    return DD_OK;
}

bool datetime_arith_type(ArithOp op, TypeId a, TypeId b, TypeId *out)
{
    bool dta = type_is_datetime(a), dtb = type_is_datetime(b);
    if (op == ARITH_ADD || op == ARITH_SUB) {
        if (a == TYPE_DATE && type_is_int(b)) { *out = TYPE_DATE; return true; }
        if (op == ARITH_ADD && type_is_int(a) && b == TYPE_DATE) { *out = TYPE_DATE; return true; }
        if (dta && b == TYPE_INTERVAL) { *out = a == TYPE_DATE ? TYPE_TIMESTAMP : a; return true; }
        if (op == ARITH_ADD && a == TYPE_INTERVAL && dtb) { *out = b == TYPE_DATE ? TYPE_TIMESTAMP : b; return true; }
        if (a == TYPE_INTERVAL && b == TYPE_INTERVAL) { *out = TYPE_INTERVAL; return true; }
        if (op == ARITH_SUB && dta && dtb) {
            *out = (a == TYPE_DATE && b == TYPE_DATE) ? TYPE_INT4 : TYPE_INTERVAL;
            return true;
        }
        return false;
    }
    if (op == ARITH_MUL && ((a == TYPE_INTERVAL && type_is_numeric(b)) || (type_is_numeric(a) && b == TYPE_INTERVAL))) {
        *out = TYPE_INTERVAL;
        return true;
    }
    if (op == ARITH_DIV && a == TYPE_INTERVAL && type_is_numeric(b)) {
        *out = TYPE_INTERVAL;
        return true;
    }
    return false;
}

static double number_of(const Value *v)
{
    if (type_is_int(v->type)) return (double)v->v.i;
    if (v->type == TYPE_NUMERIC) return numeric_to_double(v->v.coef, v->scale);
    return v->v.f;
}

/* Value of a date/time operand as a timestamp of the kind `as`. */
static int as_ts(const Value *v, TypeId as, const ValueCtx *ctx, i64 *out, DdError *err)
{
    i64 t = v->v.i;
    if (v->type == TYPE_DATE) {
        int rc = date_to_timestamp(v->v.i, &t, err);
        if (rc) return rc;
    }
    if (as == TYPE_TIMESTAMPTZ && v->type != TYPE_TIMESTAMPTZ) t = ts_local_to_utc(ctx, t);
    *out = t;
    return DD_OK;
}

int datetime_arith(ArithOp op, const Value *a, const Value *b, const ValueCtx *ctx, Value *out,
                   DdError *err)
{
    TypeId ta = a->type, tb = b->type, rt;
    if (!datetime_arith_type(op, ta, tb, &rt)) return DD_EUNDEFINED_OPERATOR;
    int rc;
    Interval iv;
    if (rt == TYPE_DATE) { /* date +- integer */
        const Value *d = ta == TYPE_DATE ? a : b, *n = ta == TYPE_DATE ? b : a;
        i64 r = op == ARITH_SUB ? d->v.i - n->v.i : d->v.i + n->v.i;
        if (!date_ok(r)) return date_range_err(err);
        *out = val_int(TYPE_DATE, r);
        return DD_OK;
    }
    if (rt == TYPE_INT4) { /* date - date */
        *out = val_int(TYPE_INT4, a->v.i - b->v.i);
        return DD_OK;
    }
    if (ta == TYPE_INTERVAL && tb == TYPE_INTERVAL) {
        rc = iv_add(&a->v.iv, &b->v.iv, op == ARITH_SUB, &iv, err);
        if (rc) return rc;
        *out = val_interval(iv);
        return DD_OK;
    }
    if (op == ARITH_MUL || op == ARITH_DIV) {
        const Value *i = ta == TYPE_INTERVAL ? a : b, *n = ta == TYPE_INTERVAL ? b : a;
        rc = iv_scale(&i->v.iv, number_of(n), op == ARITH_DIV, &iv, err);
        if (rc) return rc;
        *out = val_interval(iv);
        return DD_OK;
    }
    if (rt == TYPE_INTERVAL) { /* timestamp - timestamp, justified to days */
        TypeId k = (ta == TYPE_TIMESTAMPTZ || tb == TYPE_TIMESTAMPTZ) ? TYPE_TIMESTAMPTZ : TYPE_TIMESTAMP;
        i64 x, y, d;
        if ((rc = as_ts(a, k, ctx, &x, err)) || (rc = as_ts(b, k, ctx, &y, err))) return rc;
        if (__builtin_sub_overflow(x, y, &d)) return iv_range_err(err);
        iv.months = 0;
        iv.days = (i32)(d / USECS_PER_DAY);
        iv.usecs = d - (i64)iv.days * USECS_PER_DAY;
        if (iv.days > 0 && iv.usecs < 0) { iv.usecs += USECS_PER_DAY; iv.days--; }
        else if (iv.days < 0 && iv.usecs > 0) { iv.usecs -= USECS_PER_DAY; iv.days++; }
        *out = val_interval(iv);
        return DD_OK;
    }
    /* timestamp +- interval */
    const Value *t = ta == TYPE_INTERVAL ? b : a, *i = ta == TYPE_INTERVAL ? a : b;
    i64 x, r = 0;
    if ((rc = as_ts(t, rt, ctx, &x, err))) return rc;
    iv = i->v.iv;
    if (op == ARITH_SUB) {
        if (iv.months == INT32_MIN || iv.days == INT32_MIN || iv.usecs == INT64_MIN) return iv_range_err(err);
        iv.months = -iv.months, iv.days = -iv.days, iv.usecs = -iv.usecs;
    }
    if ((rc = ts_add_interval(rt, x, &iv, ctx, &r, err))) return rc;
    *out = val_int(rt, r);
    return DD_OK;
}
