/*
 * datetime.c - DATE, TIMESTAMP, TIMESTAMPTZ and INTERVAL: calendar math,
 * text input and output (PostgreSQL's, in every DateStyle and
 * IntervalStyle), arithmetic, and session time zones.
 *
 * Representation (value.h): DATE is days since 2000-01-01; TIMESTAMP is
 * local wall-clock microseconds since 2000-01-01 00:00:00; TIMESTAMPTZ is
 * UTC microseconds since the same instant.  Supported range: years 1 to
 * 5874897 (DATE) and 1 to 294276 (timestamps); BC dates and infinities are
 * rejected.
 *
 * Time zones: a zone is a fixed offset (ValueCtx.tz_offset_s) or a TZ
 * database name read from /usr/share/zoneinfo (TZif v2+: transitions, then
 * the POSIX rule of the footer for later instants), with each offset's
 * abbreviation for to_char's TZ.  The C library's
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
#include "../../util/clock.h"

#include <ctype.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../../util/alloc.h"

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
bool timestamp_in_range(i64 ts) { return ts_ok(ts); }

i64 ts_from_unix_us(i64 unix_us) { return unix_us - (i64)UNIX_EPOCH_DAYS * USECS_PER_DAY; }
i64 ts_to_unix_us(i64 ts) { return ts + (i64)UNIX_EPOCH_DAYS * USECS_PER_DAY; }

/* ---- time zone files ---- */

#define TZ_MAX_TRANS 1200
#define TZ_MAX_TYPES 64
#define TZ_MAX_CHARS 256

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
    u8 desig[TZ_MAX_TYPES];  /* each type's abbreviation: an offset into chars */
    char chars[TZ_MAX_CHARS]; /* NUL-terminated abbreviations ("CET", "CEST", "-03") */
    bool has_rule, rule_dst; /* footer: fixed std offset, or std/dst rule */
    i32 std_off, dst_off;
    char std_abbr[TZ_ABBR_MAX], dst_abbr[TZ_ABBR_MAX];
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

/* Parses a POSIX zone name ("CET", "<+0530>") at *s; copies it, without
 * the angle brackets and cut to TZ_ABBR_MAX - 1 bytes, to abbr (may be
 * NULL). */
static bool posix_name(const char **s, char *abbr)
{
    const char *p = *s, *start = p;
    if (*p == '<') {
        start = ++p;
        while (*p && *p != '>') p++;
        if (*p != '>') return false;
        *s = p + 1;
    } else {
        while (isalpha((u8)*p)) p++;
        if (p - *s < 3) return false;
        *s = p;
    }
    if (abbr) {
        size_t n = DD_MIN((size_t)(p - start), (size_t)TZ_ABBR_MAX - 1);
        memcpy(abbr, start, n);
        abbr[n] = '\0';
    }
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
    if (!posix_name(&s, z->std_abbr)) return false;
    i32 o = posix_hms(&s);
    if (o == INT32_MIN) return false;
    z->std_off = -o;
    z->rule_dst = false;
    if (!*s) return true;
    if (!posix_name(&s, z->dst_abbr)) return false;
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

/* The footer rule's offset at Unix second t; *abbr: its abbreviation. */
static i32 rule_offset(const TzData *z, i64 t, const char **abbr)
{
    *abbr = z->std_abbr;
    if (!z->rule_dst) return z->std_off;
    i64 y;
    int m, d;
    civil_from_days(floor_div(t, 86400) - UNIX_EPOCH_DAYS, &y, &m, &d);
    i64 start = rule_instant(y, &z->start, z->std_off), end = rule_instant(y, &z->end, z->dst_off);
    bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
    if (dst) *abbr = z->dst_abbr;
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
    if (ch < 1 || ch > TZ_MAX_CHARS) goto done;
    for (i64 i = 0; i < ty; i++) {
        z->off[i] = be32(p + 6 * i);
        z->desig[i] = p[6 * i + 5];
        if (p[6 * i + 5] >= ch) goto done;
    }
    memcpy(z->chars, p + ty * 6, (size_t)ch);
    z->chars[ch - 1] = '\0';
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

/* The zone's offset at Unix second unix_s; *abbr: its abbreviation there
 * (a pointer into z). */
static i32 tzdata_lookup(const TzData *z, i64 unix_s, const char **abbr)
{
    int type = 0;
    if (z->ntrans == 0 || unix_s < z->trans[0]) {
        if (z->ntrans == 0 && z->has_rule) return rule_offset(z, unix_s, abbr);
    } else if (unix_s >= z->trans[z->ntrans - 1] && z->has_rule) {
        return rule_offset(z, unix_s, abbr);
    } else {
        int lo = 0, hi = z->ntrans - 1; /* last transition <= t */
        while (lo < hi) {
            int mid = (lo + hi + 1) / 2;
            if (z->trans[mid] <= unix_s) lo = mid;
            else hi = mid - 1;
        }
        type = z->idx[lo];
    }
    *abbr = z->chars + z->desig[type];
    return z->off[type];
}

static i32 zone_offset(const char *name, i32 fixed, i64 ts_utc)
{
    if (!name) return fixed;
    const TzData *z = tz_get(name);
    if (!z) return fixed;
    const char *abbr;
    return tzdata_lookup(z, floor_div(ts_to_unix_us(ts_utc), USECS_PER_SEC), &abbr);
}

i32 tz_offset_at(const ValueCtx *ctx, i64 ts_utc)
{
    return zone_offset(ctx->tz_name, ctx->tz_offset_s, ts_utc);
}

/* PostgreSQL's name of a fixed offset zone set by a number of hours
 * (pg_tzset_offset): "+02", "-05:30", "+05:30:15"; off east of UTC. */
static void offset_abbrev(i32 off, char *out, size_t cap)
{
    i32 a = off < 0 ? -off : off;
    int n = snprintf(out, cap, "%c%02d", off < 0 ? '-' : '+', (int)(a / 3600));
    if (a % 3600 && n > 0 && (size_t)n < cap) n += snprintf(out + n, cap - (size_t)n, ":%02d", (int)(a % 3600 / 60));
    if (a % 60 && n > 0 && (size_t)n < cap) snprintf(out + n, cap - (size_t)n, ":%02d", (int)(a % 60));
}

void tz_abbrev_at(const ValueCtx *ctx, i64 ts_utc, char *out, size_t cap)
{
    const TzData *z = ctx->tz_name ? tz_get(ctx->tz_name) : NULL;
    if (z) {
        const char *abbr;
        tzdata_lookup(z, floor_div(ts_to_unix_us(ts_utc), USECS_PER_SEC), &abbr);
        snprintf(out, cap, "%s", abbr);
    } else if (ctx->tz_abbr) {
        snprintf(out, cap, "%s", ctx->tz_abbr);
    } else if (ctx->tz_offset_s == 0) {
        snprintf(out, cap, "UTC");
    } else {
        offset_abbrev(ctx->tz_offset_s, out, cap);
    }
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
    char abbr[TZ_ABBR_MAX] = "";
    if (utc_alias(buf)) {
        /* the abbreviation of the zone file PostgreSQL would load */
        bool gmt = strcasecmp(buf, "gmt") == 0 || strcasecmp(buf, "etc/gmt") == 0 ||
                   strcasecmp(buf, "greenwich") == 0;
        ctx->tz_offset_s = 0;
        ctx->tz_name = NULL;
        ctx->tz_abbr = gmt ? "GMT" : "UTC";
        return true;
    }
    /* A plain number is hours east (SET TIME ZONE 2, '+02', '-5.5'). */
    char *end;
    double h = strtod(buf, &end);
    if (end != buf && *end == '\0' && isdigit((u8)buf[n - 1])) {
        if (!(fabs(h) <= 15)) return false;
        ctx->tz_offset_s = (i32)lrint(h * 3600);
        ctx->tz_name = NULL;
        offset_abbrev(ctx->tz_offset_s, abbr, sizeof abbr);
        ctx->tz_abbr = arena_strdup(ctx->arena, abbr);
        return ctx->tz_abbr != NULL;
    }
    /* TZ database name */
    if (isalpha((u8)buf[0]) && tz_get(buf)) {
        char *copy = arena_strdup(ctx->arena, buf);
        if (!copy) return false;
        ctx->tz_name = copy;
        ctx->tz_offset_s = 0;
        ctx->tz_abbr = NULL;
        return true;
    }
    /* POSIX form without DST: "[NAME]+-hh[:mm[:ss]]", positive = west */
    const char *p = buf;
    if (isalpha((u8)*p) && !posix_name(&p, abbr)) return false;
    if (*p != '+' && *p != '-' && !isdigit((u8)*p)) return false;
    i32 o = posix_hms(&p);
    if (o == INT32_MIN || *p || o > 15 * 3600 + 59 * 60 || o < -(15 * 3600 + 59 * 60)) return false;
    ctx->tz_offset_s = -o;
    ctx->tz_name = NULL;
    ctx->tz_abbr = arena_strdup(ctx->arena, abbr);
    return ctx->tz_abbr != NULL;
}

/* ---- text input of dates and timestamps ----
 *
 * A port of PostgreSQL's ParseDateTime / DecodeDateTime (DateStyle's order):
 * the input is split into typed fields (number, date, time, signed zone,
 * word), then each field is decoded in the light of what came before
 * ("Jan 5 2024", "5 January 2024", "Fri Jan 05 10:00:00 2024 PST",
 * "20240105T101112", "2024-005", "J2460315", "today 10:00", ...).  Zone
 * abbreviations are PostgreSQL's "Default" set (tz_abbrevs below) and take
 * precedence over zone file names, as in PostgreSQL. */

enum { DT_OK, DT_BAD, DT_FIELD, DT_MD_FIELD, DT_TZ_DISP, DT_TZ_UNKNOWN, DT_INF, DT_RANGE };
enum { SP_NONE, SP_EPOCH, SP_NOW };

typedef struct DtParts {
    int special;
    i64 year;
    int mon, day, hour, min, sec;
    i64 usec;
    bool has_tz;
    i32 tz_off;         /* fixed zone of the literal, seconds east */
    char tz_name[96];   /* or a named zone ("" when fixed) */
    bool has_date;      /* a time of day's literal had a date too */
    bool tz_varies;     /* tz_name is a zone file whose offset has changed (not an abbreviation's) */
} DtParts;

/* PostgreSQL 15's timezonesets/Default: abbreviation, seconds east, or the
 * zone whose offset at the time is meant (PostgreSQL's dynamic
 * abbreviations; here the zone's offset at that local time). */
static const struct { const char *abbr; i32 off; const char *zone; } tz_abbrevs[] = {
    {"acdt", 37800, NULL}, {"acsst", 37800, NULL}, {"acst", 34200, NULL}, {"acwst", 31500, NULL},
    {"act", -18000, NULL}, {"adt", -10800, NULL}, {"aedt", 39600, NULL}, {"aesst", 39600, NULL},
    {"aest", 36000, NULL}, {"aft", 16200, NULL}, {"akdt", -28800, NULL}, {"akst", -32400, NULL},
    {"almst", 25200, NULL}, {"almt", 21600, NULL}, {"amst", 0, "Asia/Yerevan"}, {"amt", -14400, NULL},
    {"anast", 0, "Asia/Anadyr"}, {"anat", 0, "Asia/Anadyr"}, {"arst", 0, "America/Argentina/Buenos_Aires"},
    {"art", 0, "America/Argentina/Buenos_Aires"}, {"ast", -14400, NULL}, {"awsst", 32400, NULL},
    {"awst", 28800, NULL}, {"azost", 0, NULL}, {"azot", -3600, NULL}, {"azst", 0, "Asia/Baku"},
    {"azt", 0, "Asia/Baku"}, {"bdst", 7200, NULL}, {"bdt", 21600, NULL}, {"bnt", 28800, NULL},
    {"bort", 28800, NULL}, {"bot", -14400, NULL}, {"bra", -10800, NULL}, {"brst", -7200, NULL},
    {"brt", -10800, NULL}, {"bst", 3600, NULL}, {"btt", 21600, NULL}, {"cadt", 37800, NULL},
    {"cast", 34200, NULL}, {"cct", 28800, NULL}, {"cdt", -18000, NULL}, {"cest", 7200, NULL},
    {"cet", 3600, NULL}, {"cetdst", 7200, NULL}, {"chadt", 49500, NULL}, {"chast", 45900, NULL},
    {"chut", 36000, NULL}, {"ckt", 0, "Pacific/Rarotonga"}, {"clst", -10800, NULL},
    {"clt", 0, "America/Santiago"}, {"cot", -18000, NULL}, {"cst", -21600, NULL}, {"cxt", 25200, NULL},
    {"davt", 0, "Antarctica/Davis"}, {"ddut", 36000, NULL}, {"easst", 0, "Pacific/Easter"},
    {"east", 0, "Pacific/Easter"}, {"eat", 10800, NULL}, {"edt", -14400, NULL}, {"eest", 10800, NULL},
    {"eet", 7200, NULL}, {"eetdst", 10800, NULL}, {"egst", 0, NULL}, {"egt", -3600, NULL},
    {"est", -18000, NULL}, {"fet", 10800, NULL}, {"fjst", 46800, NULL}, {"fjt", 43200, NULL},
    {"fkst", 0, "Atlantic/Stanley"}, {"fkt", 0, "Atlantic/Stanley"}, {"fnst", -3600, NULL},
    {"fnt", -7200, NULL}, {"galt", -21600, NULL}, {"gamt", -32400, NULL}, {"gest", 0, "Asia/Tbilisi"},
    {"get", 0, "Asia/Tbilisi"}, {"gft", -10800, NULL}, {"gilt", 43200, NULL}, {"gmt", 0, NULL},
    {"gyt", 0, "America/Guyana"}, {"hkt", 28800, NULL}, {"hst", -36000, NULL}, {"ict", 25200, NULL},
    {"idt", 10800, NULL}, {"iot", 0, "Indian/Chagos"}, {"irkst", 0, "Asia/Irkutsk"},
    {"irkt", 0, "Asia/Irkutsk"}, {"irt", 12600, NULL}, {"ist", 7200, NULL}, {"jayt", 32400, NULL},
    {"jst", 32400, NULL}, {"kdt", 36000, NULL}, {"kgst", 21600, NULL}, {"kgt", 0, "Asia/Bishkek"},
    {"kost", 0, "Pacific/Kosrae"}, {"krast", 0, "Asia/Krasnoyarsk"}, {"krat", 0, "Asia/Krasnoyarsk"},
    {"kst", 32400, NULL}, {"lhdt", 0, "Australia/Lord_Howe"}, {"lhst", 37800, NULL},
    {"ligt", 36000, NULL}, {"lint", 0, "Pacific/Kiritimati"}, {"lkt", 0, "Asia/Colombo"},
    {"magst", 0, "Asia/Magadan"}, {"magt", 0, "Asia/Magadan"}, {"mart", -34200, NULL},
    {"mawt", 0, "Antarctica/Mawson"}, {"mdt", -21600, NULL}, {"mest", 7200, NULL}, {"mesz", 7200, NULL},
    {"met", 3600, NULL}, {"metdst", 7200, NULL}, {"mez", 3600, NULL}, {"mht", 43200, NULL},
    {"mmt", 23400, NULL}, {"mpt", 36000, NULL}, {"msd", 14400, NULL}, {"msk", 0, "Europe/Moscow"},
    {"mst", -25200, NULL}, {"must", 18000, NULL}, {"mut", 14400, NULL}, {"mvt", 18000, NULL},
    {"myt", 28800, NULL}, {"ndt", -9000, NULL}, {"nft", -12600, NULL}, {"novst", 0, "Asia/Novosibirsk"},
    {"novt", 0, "Asia/Novosibirsk"}, {"npt", 20700, NULL}, {"nst", -12600, NULL},
    {"nut", 0, "Pacific/Niue"}, {"nzdt", 46800, NULL}, {"nzst", 43200, NULL}, {"nzt", 43200, NULL},
    {"omsst", 0, "Asia/Omsk"}, {"omst", 0, "Asia/Omsk"}, {"pdt", -25200, NULL}, {"pet", -18000, NULL},
    {"petst", 0, "Asia/Kamchatka"}, {"pett", 0, "Asia/Kamchatka"}, {"pgt", 36000, NULL},
    {"pht", 28800, NULL}, {"pkst", 21600, NULL}, {"pkt", 18000, NULL}, {"pmdt", -7200, NULL},
    {"pmst", -10800, NULL}, {"pont", 39600, NULL}, {"pst", -28800, NULL}, {"pwt", 32400, NULL},
    {"pyst", -10800, NULL}, {"pyt", 0, "America/Asuncion"}, {"ret", 14400, NULL}, {"sadt", 37800, NULL},
    {"sast", 7200, NULL}, {"sct", 14400, NULL}, {"sgt", 0, "Asia/Singapore"}, {"taht", -36000, NULL},
    {"tft", 18000, NULL}, {"tjt", 18000, NULL}, {"tkt", 0, "Pacific/Fakaofo"}, {"tmt", 0, "Asia/Ashgabat"},
    {"tot", 46800, NULL}, {"trut", 36000, NULL}, {"tvt", 43200, NULL}, {"uct", 0, NULL},
    {"ulast", 32400, NULL}, {"ulat", 0, "Asia/Ulaanbaatar"}, {"ut", 0, NULL}, {"utc", 0, NULL},
    {"uyst", -7200, NULL}, {"uyt", -10800, NULL}, {"uzst", 21600, NULL}, {"uzt", 18000, NULL},
    {"vet", 0, "America/Caracas"}, {"vlast", 0, "Asia/Vladivostok"}, {"vlat", 0, "Asia/Vladivostok"},
    {"volt", 0, "Europe/Volgograd"}, {"vut", 39600, NULL}, {"wadt", 28800, NULL}, {"wakt", 43200, NULL},
    {"wast", 25200, NULL}, {"wat", 3600, NULL}, {"wdt", 32400, NULL}, {"wet", 0, NULL},
    {"wetdst", 3600, NULL}, {"wft", 43200, NULL}, {"wgst", -7200, NULL}, {"wgt", -10800, NULL},
    {"yakst", 0, "Asia/Yakutsk"}, {"yakt", 0, "Asia/Yakutsk"}, {"yapt", 36000, NULL},
    {"yekst", 21600, NULL}, {"yekt", 0, "Asia/Yekaterinburg"}, {"z", 0, NULL}, {"zulu", 0, NULL},
};

static int tz_abbrev_find(const char *w)
{
    int lo = 0, hi = (int)DD_ARRAY_LEN(tz_abbrevs) - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2, c = strcmp(w, tz_abbrevs[mid].abbr);
        if (c == 0) return mid;
        if (c < 0) hi = mid - 1;
        else lo = mid + 1;
    }
    return -1;
}

/* PostgreSQL's datetktbl (the words it knows besides zone abbreviations). */
enum { K_NONE, K_MONTH, K_DOW, K_AMPM, K_ADBC, K_IGNORE, K_RESERV, K_ISOTIME, K_UNITS };
enum { R_EPOCH = 1, R_NOW, R_TODAY, R_TOMORROW, R_YESTERDAY, R_ZULU, R_INF };
enum { U_JULIAN = 1, U_OTHER };

static int dt_keyword(const char *w, int *val)
{
    static const struct { const char *w; u8 kind, val; } kw[] = {
        {"-infinity", K_RESERV, R_INF}, {"ad", K_ADBC, 0}, {"allballs", K_RESERV, R_ZULU},
        {"am", K_AMPM, 1}, {"apr", K_MONTH, 4}, {"april", K_MONTH, 4}, {"at", K_IGNORE, 0},
        {"aug", K_MONTH, 8}, {"august", K_MONTH, 8}, {"bc", K_ADBC, 1}, {"d", K_UNITS, U_OTHER},
        {"dec", K_MONTH, 12}, {"december", K_MONTH, 12}, {"dow", K_UNITS, U_OTHER},
        {"doy", K_UNITS, U_OTHER}, {"dst", K_UNITS, U_OTHER}, {"epoch", K_RESERV, R_EPOCH},
        {"feb", K_MONTH, 2}, {"february", K_MONTH, 2}, {"fri", K_DOW, 5}, {"friday", K_DOW, 5},
        {"h", K_UNITS, U_OTHER}, {"infinity", K_RESERV, R_INF}, {"isodow", K_UNITS, U_OTHER},
        {"isoyear", K_UNITS, U_OTHER}, {"j", K_UNITS, U_JULIAN}, {"jan", K_MONTH, 1},
        {"january", K_MONTH, 1}, {"jd", K_UNITS, U_JULIAN}, {"jul", K_MONTH, 7},
        {"julian", K_UNITS, U_JULIAN}, {"july", K_MONTH, 7}, {"jun", K_MONTH, 6}, {"june", K_MONTH, 6},
        {"m", K_UNITS, U_OTHER}, {"mar", K_MONTH, 3}, {"march", K_MONTH, 3}, {"may", K_MONTH, 5},
        {"mm", K_UNITS, U_OTHER}, {"mon", K_DOW, 1}, {"monday", K_DOW, 1}, {"nov", K_MONTH, 11},
        {"november", K_MONTH, 11}, {"now", K_RESERV, R_NOW}, {"oct", K_MONTH, 10},
        {"october", K_MONTH, 10}, {"on", K_IGNORE, 0}, {"pm", K_AMPM, 2}, {"s", K_UNITS, U_OTHER},
        {"sat", K_DOW, 6}, {"saturday", K_DOW, 6}, {"sep", K_MONTH, 9}, {"sept", K_MONTH, 9},
        {"september", K_MONTH, 9}, {"sun", K_DOW, 0}, {"sunday", K_DOW, 0}, {"t", K_ISOTIME, 0},
        {"thu", K_DOW, 4}, {"thur", K_DOW, 4}, {"thurs", K_DOW, 4}, {"thursday", K_DOW, 4},
        {"today", K_RESERV, R_TODAY}, {"tomorrow", K_RESERV, R_TOMORROW}, {"tue", K_DOW, 2},
        {"tues", K_DOW, 2}, {"tuesday", K_DOW, 2}, {"wed", K_DOW, 3}, {"wednes", K_DOW, 3},
        {"wednesday", K_DOW, 3}, {"weds", K_DOW, 3}, {"y", K_UNITS, U_OTHER},
        {"yesterday", K_RESERV, R_YESTERDAY},
    };
    /* PostgreSQL compares the first TOKMAXLEN (10) characters */
    for (size_t i = 0; i < DD_ARRAY_LEN(kw); i++)
        if (strncmp(w, kw[i].w, 10) == 0) {
            *val = kw[i].val;
            return kw[i].kind;
        }
    return K_NONE;
}

/* ParseDateTime: fields of the input, lower-cased, with their type. */
enum { FT_NUMBER, FT_STRING, FT_DATE, FT_TIME, FT_TZ, FT_SPECIAL };
#define DT_MAXFIELDS 25

typedef struct DtFields {
    int n;
    int type[DT_MAXFIELDS];
    char *f[DT_MAXFIELDS];
    const char *orig[DT_MAXFIELDS]; /* start in the input (for zone names) */
    char buf[256];
} DtFields;

static int dt_split(const char *s, size_t len, DtFields *df)
{
    const char *cp = s, *end = s + len;
    char *bp = df->buf, *bend = df->buf + sizeof df->buf - 1;
    df->n = 0;
#define PUT(c) do { if (bp >= bend) return DT_BAD; *bp++ = (char)(c); } while (0)
#define LOW(c) tolower((u8)(c))
#define AT(p) ((p) < end ? *(p) : '\0')
    while (cp < end) {
        if (isspace((u8)*cp)) {
            cp++;
            continue;
        }
        if (df->n >= DT_MAXFIELDS) return DT_BAD;
        int nf = df->n;
        df->f[nf] = bp;
        df->orig[nf] = cp;
        if (isdigit((u8)*cp)) {
            while (isdigit((u8)AT(cp))) PUT(*cp++);
            char c = AT(cp);
            if (c == ':') {
                df->type[nf] = FT_TIME;
                while (isdigit((u8)AT(cp)) || AT(cp) == ':' || AT(cp) == '.') PUT(*cp++);
            } else if (c == '-' || c == '/' || c == '.') {
                char delim = c;
                PUT(*cp++);
                if (isdigit((u8)AT(cp))) {
                    df->type[nf] = delim == '.' ? FT_NUMBER : FT_DATE;
                    while (isdigit((u8)AT(cp))) PUT(*cp++);
                    if (AT(cp) == delim) {
                        df->type[nf] = FT_DATE;
                        PUT(*cp++);
                        while (isdigit((u8)AT(cp)) || AT(cp) == delim) PUT(*cp++);
                    }
                } else {
                    df->type[nf] = FT_DATE;
                    while (isalnum((u8)AT(cp)) || AT(cp) == delim) PUT(LOW(*cp++));
                }
            } else {
                df->type[nf] = FT_NUMBER;
            }
        } else if (*cp == '.') {
            PUT(*cp++);
            while (isdigit((u8)AT(cp))) PUT(*cp++);
            df->type[nf] = FT_NUMBER;
        } else if (isalpha((u8)*cp)) {
            df->type[nf] = FT_STRING;
            while (isalpha((u8)AT(cp))) PUT(LOW(*cp++));
            char c = AT(cp);
            bool is_date = false;
            if (c == '-' || c == '/' || c == '.') {
                is_date = true;
            } else if (c == '+' || isdigit((u8)c)) {
                int v;
                *bp = '\0';
                is_date = dt_keyword(df->f[nf], &v) == K_NONE;
            }
            if (is_date) {
                df->type[nf] = FT_DATE;
                do PUT(LOW(*cp++));
                while (AT(cp) == '+' || AT(cp) == '-' || AT(cp) == '/' || AT(cp) == '_' || AT(cp) == '.' ||
                       AT(cp) == ':' || isalnum((u8)AT(cp)));
            }
        } else if (*cp == '+' || *cp == '-') {
            PUT(*cp++);
            while (cp < end && isspace((u8)*cp)) cp++;
            if (isdigit((u8)AT(cp))) {
                df->type[nf] = FT_TZ;
                PUT(*cp++);
                while (isdigit((u8)AT(cp)) || AT(cp) == ':' || AT(cp) == '.' || AT(cp) == '-') PUT(*cp++);
            } else if (isalpha((u8)AT(cp))) {
                df->type[nf] = FT_SPECIAL;
                while (isalpha((u8)AT(cp))) PUT(LOW(*cp++));
            } else {
                return DT_BAD;
            }
        } else if (ispunct((u8)*cp)) {
            cp++;
            continue;
        } else {
            return DT_BAD;
        }
        PUT('\0');
        df->n++;
    }
#undef PUT
#undef LOW
#undef AT
    return df->n ? DT_OK : DT_BAD;
}

/* The broken-down value being decoded (PostgreSQL's struct pg_tm + fsec). */
enum { M_YEAR = 1, M_MONTH = 2, M_DAY = 4, M_DOY = 8, M_TIME = 16, M_TZ = 32, M_AMPM = 64, M_DOW = 128,
       M_ADBC = 256, M_RESERV = 512 };
#define M_DATE (M_YEAR | M_MONTH | M_DAY)

typedef struct Dtm {
    i64 year;
    int mon, mday, yday, hour, min, sec;
    i64 fsec;
    bool is2digits, text_month;
    u8 order;           /* DateStyle's DATEORDER_* for ambiguous fields */
} Dtm;

/* strtol limited to int range; false on no digits or overflow. */
static bool dt_int(const char *s, char **endp, int *out)
{
    if (!isdigit((u8)*s) && !((*s == '-' || *s == '+') && isdigit((u8)s[1]))) return false;
    long long v = strtoll(s, endp, 10);
    if (v > INT32_MAX || v < INT32_MIN) return false;
    *out = (int)v;
    return true;
}

/* Digits (possibly none: 0) within int range; false on overflow. */
static bool dt_int0(const char *s, char **endp, int *out)
{
    long long v = 0;
    const char *p = s;
    while (isdigit((u8)*p)) {
        v = v * 10 + (*p++ - '0');
        if (v > INT32_MAX) return false;
    }
    *endp = (char *)p;
    *out = (int)v;
    return true;
}

/* ".ddd" -> microseconds (PostgreSQL's ParseFractionalSecond; "." is 0). */
static int dt_frac(const char *cp, i64 *fsec)
{
    char *e;
    if (strcmp(cp, ".") == 0) {
        *fsec = 0;
        return DT_OK;
    }
    double f = strtod(cp, &e);
    if (*e != '\0' || e == cp) return DT_BAD;
    *fsec = (i64)rint(f * 1e6);
    return DT_OK;
}

/* DecodeNumberField: run-together "yyyymmdd", "yymmdd", "hhmmss", "hhmm"
 * with an optional fraction.  Sets *tmask. */
static int dt_number_field(char *str, u32 fmask, u32 *tmask, Dtm *tm)
{
    size_t len = strlen(str);
    char *cp = strchr(str, '.');
    if (cp) {
        char *e;
        double f = strtod(cp, &e);
        if (*e) return DT_BAD;
        tm->fsec = (i64)rint(f * 1e6);
        *cp = '\0';
        len = strlen(str);
    } else if ((fmask & M_DATE) != M_DATE) {
        if (len >= 6 && len <= 12) {
            *tmask = M_DATE;
            tm->mday = atoi(str + len - 2);
            str[len - 2] = '\0';
            tm->mon = atoi(str + len - 4);
            str[len - 4] = '\0';
            tm->year = atoll(str);
            if (len - 4 == 2) tm->is2digits = true;
            return DT_OK;
        }
    }
    if ((fmask & M_TIME) != M_TIME) {
        if (len == 6) {
            *tmask = M_TIME;
            tm->sec = atoi(str + 4);
            str[4] = '\0';
            tm->min = atoi(str + 2);
            str[2] = '\0';
            tm->hour = atoi(str);
            return DT_OK;
        }
        if (len == 4) {
            *tmask = M_TIME;
            tm->sec = 0;
            tm->min = atoi(str + 2);
            str[2] = '\0';
            tm->hour = atoi(str);
            return DT_OK;
        }
    }
    return DT_BAD;
}

/* DecodeNumber: one numeric date field, placed by what is known and by
 * DateStyle's field order (tm->order). */
static int dt_number(char *str, u32 fmask, u32 *tmask, Dtm *tm)
{
    size_t flen = strlen(str);
    char *cp;
    int val;
    *tmask = 0;
    if (!isdigit((u8)*str)) return DT_BAD;
    if (!dt_int(str, &cp, &val)) return DT_FIELD;
    if (*cp == '.') {
        if (cp - str > 2) return dt_number_field(str, fmask | M_DATE, tmask, tm);
        int rc = dt_frac(cp, &tm->fsec);
        if (rc) return rc;
    } else if (*cp != '\0') {
        return DT_BAD;
    }
    if (flen == 3 && (fmask & M_DATE) == M_YEAR && val >= 1 && val <= 366) {
        *tmask = M_DOY | M_MONTH | M_DAY;
        tm->yday = val;
        return DT_OK;
    }
    switch (fmask & M_DATE) {
    case 0:
        /* a year of 3+ digits first, else the first field of the DateStyle order */
        if (flen >= 3 || tm->order == DATEORDER_YMD) *tmask = M_YEAR, tm->year = val;
        else if (tm->order == DATEORDER_DMY) *tmask = M_DAY, tm->mday = val;
        else *tmask = M_MONTH, tm->mon = val;
        break;
    case M_YEAR: *tmask = M_MONTH, tm->mon = val; break;
    case M_MONTH:
        if (tm->text_month) {
            /* MON-DD-YYYY, DD-MON-YYYY, YYYY-MON-DD; YY-MON-DD only in YMD */
            if (flen >= 3 || tm->order == DATEORDER_YMD) *tmask = M_YEAR, tm->year = val;
            else *tmask = M_DAY, tm->mday = val;
        } else {
            *tmask = M_DAY, tm->mday = val;
        }
        break;
    case M_YEAR | M_MONTH:
        if (tm->text_month && flen >= 3 && tm->is2digits) {
            *tmask = M_DAY;
            tm->mday = (int)tm->year;
            tm->year = val;
            tm->is2digits = false;
        } else {
            *tmask = M_DAY, tm->mday = val;
        }
        break;
    case M_DAY: *tmask = M_MONTH, tm->mon = val; break;
    case M_MONTH | M_DAY: *tmask = M_YEAR, tm->year = val; break;
    case M_DATE: return dt_number_field(str, fmask, tmask, tm);
    default: return DT_BAD;
    }
    if (*tmask == M_YEAR) tm->is2digits = flen <= 2;
    return DT_OK;
}

/* DecodeDate: "2024-01-05", "1/5/24", "05-jan-2024", "2024.01.05", ... */
static int dt_date(char *str, u32 fmask, u32 *tmask, Dtm *tm)
{
    char *field[25];
    int nf = 0;
    *tmask = 0;
    while (*str && nf < 25) {
        while (*str && !isalnum((u8)*str)) str++;
        if (!*str) return DT_BAD;
        field[nf] = str;
        if (isdigit((u8)*str)) while (isdigit((u8)*str)) str++;
        else if (isalpha((u8)*str)) while (isalpha((u8)*str)) str++;
        if (*str) *str++ = '\0';
        nf++;
    }
    for (int i = 0; i < nf; i++) {
        if (!isalpha((u8)*field[i])) continue;
        int val, kind = dt_keyword(field[i], &val);
        if (kind == K_IGNORE) continue;
        if (kind != K_MONTH) return DT_BAD;
        tm->mon = val;
        tm->text_month = true;
        if (fmask & M_MONTH) return DT_BAD;
        fmask |= M_MONTH;
        *tmask |= M_MONTH;
        field[i] = NULL;
    }
    for (int i = 0; i < nf; i++) {
        if (!field[i]) continue;
        if (!*field[i]) return DT_BAD;
        u32 dmask;
        int rc = dt_number(field[i], fmask, &dmask, tm);
        if (rc) return rc;
        if (fmask & dmask) return DT_BAD;
        fmask |= dmask;
        *tmask |= dmask;
    }
    if ((fmask & ~(u32)(M_DOY | M_TZ)) != M_DATE) return DT_BAD;
    return DT_OK;
}

/* DecodeTime: "h:m[:s[.f]]" or "m:s.f". */
static int dt_time(const char *str, Dtm *tm)
{
    char *cp;
    tm->fsec = 0;
    if (!dt_int(str, &cp, &tm->hour) || *cp != ':') return DT_BAD;
    /* like PostgreSQL's strtoint, an empty minute or second field is 0 */
    if (!dt_int0(cp + 1, &cp, &tm->min)) return DT_FIELD;
    tm->sec = 0;
    if (*cp == '.') {
        int rc = dt_frac(cp, &tm->fsec);
        if (rc) return rc;
        tm->sec = tm->min;
        tm->min = tm->hour;
        tm->hour = 0;
    } else if (*cp == ':') {
        if (!dt_int0(cp + 1, &cp, &tm->sec)) return DT_FIELD;
        if (*cp == '.') {
            int rc = dt_frac(cp, &tm->fsec);
            if (rc) return rc;
        } else if (*cp) {
            return DT_BAD;
        }
    } else if (*cp) {
        return DT_BAD;
    }
    if (tm->hour < 0 || tm->min < 0 || tm->min > 59 || tm->sec < 0 || tm->sec > 60 || tm->fsec < 0 ||
        tm->fsec > USECS_PER_SEC)
        return DT_FIELD;
    /* time_overflows */
    if (tm->hour > 24 || ((i64)tm->hour * 3600 + tm->min * 60 + tm->sec) * USECS_PER_SEC + tm->fsec > USECS_PER_DAY)
        return DT_FIELD;
    return DT_OK;
}

/* DecodeTimezone: "+h", "+hh", "+hhmm", "+h:mm[:ss]"; *east in seconds. */
static int dt_tz(const char *str, i32 *east)
{
    char *cp;
    int hr, min = 0, sec = 0;
    if (*str != '+' && *str != '-') return DT_BAD;
    if (!dt_int(str + 1, &cp, &hr)) return DT_BAD;
    if (*cp == ':') {
        if (!dt_int(cp + 1, &cp, &min)) return DT_BAD;
        if (*cp == ':' && !dt_int(cp + 1, &cp, &sec)) return DT_BAD;
    } else if (*cp == '\0' && strlen(str) > 3) {
        min = hr % 100;
        hr /= 100;
    }
    if (hr < 0 || hr > 15 || min < 0 || min > 59 || sec < 0 || sec > 59) return DT_TZ_DISP;
    if (*cp) return DT_BAD;
    i32 tz = (hr * 60 + min) * 60 + sec;
    *east = *str == '-' ? -tz : tz;
    return DT_OK;
}

/* A full zone name (pg_tzset): zone file, UTC alias, or POSIX "STDoff"
 * without DST ("UTC+3" is three hours west). */
static bool dt_zone_name(const char *name, DtParts *r)
{
    if (strlen(name) >= sizeof r->tz_name) return false;
    if (utc_alias(name)) {
        r->tz_off = 0;
        return true;
    }
    const TzData *z = tz_get(name);
    if (z) {
        strcpy(r->tz_name, name);
        /* pg_get_timezone_offset: one offset in every type of the file */
        r->tz_varies = false;
        for (int i = 1; i < z->ntypes; i++) r->tz_varies |= z->off[i] != z->off[0];
        return true;
    }
    const char *p = name;
    if (!posix_name(&p, NULL)) return false;
    i32 o = posix_hms(&p);
    if (o == INT32_MIN || *p || o > 15 * 3600 + 59 * 60 || o < -(15 * 3600 + 59 * 60)) return false;
    r->tz_off = -o;
    return true;
}

int tz_named_local_to_utc(const char *zone, i64 local, i64 *out, DdError *err)
{
    if (isdigit((u8)zone[0])) {
        dd_err(err, DD_EINVALID_PARAM, -1, "invalid input syntax for type numeric time zone: \"%s\"", zone);
        dd_err_hint(err, "Numeric time zones must have \"-\" or \"+\" as first character.");
        return DD_EINVALID_PARAM;
    }
    i32 east;
    int rc = dt_tz(zone, &east);
    if (rc == DT_TZ_DISP) return dd_err(err, DD_EINVALID_PARAM, -1, "numeric time zone \"%s\" out of range", zone);
    if (rc == DT_OK) {
        *out = local - (i64)east * USECS_PER_SEC;
        return DD_OK;
    }
    /* an abbreviation (matched in lower case), else a zone name */
    char low[64];
    size_t n = 0;
    for (; zone[n] && n < sizeof low - 1; n++) low[n] = (char)tolower((u8)zone[n]);
    low[n] = '\0';
    int a = tz_abbrev_find(low);
    DtParts r;
    memset(&r, 0, sizeof r);
    if (a >= 0 && !tz_abbrevs[a].zone) *out = local - (i64)tz_abbrevs[a].off * USECS_PER_SEC;
    else if (a >= 0) *out = zone_local_to_utc(tz_abbrevs[a].zone, 0, local);
    else if (dt_zone_name(zone, &r)) *out = r.tz_name[0] ? zone_local_to_utc(r.tz_name, 0, local)
                                                         : local - (i64)r.tz_off * USECS_PER_SEC;
    else return dd_err(err, DD_EINVALID_PARAM, -1, "time zone \"%s\" not recognized", zone);
    return DD_OK;
}

int tz_zone_ctx(const char *zone, ValueCtx *ctx, DdError *err)
{
    char low[64];
    size_t n = 0;
    for (; zone[n] && n < sizeof low - 1; n++) low[n] = (char)tolower((u8)zone[n]);
    low[n] = '\0';
    int a = zone[n] ? -1 : tz_abbrev_find(low);
    ctx->tz_abbr = NULL;
    ctx->tz_name = NULL;
    ctx->tz_offset_s = 0;
    if (a >= 0 && !tz_abbrevs[a].zone) {
        ctx->tz_offset_s = tz_abbrevs[a].off;
        return DD_OK;
    }
    const char *name = a >= 0 ? tz_abbrevs[a].zone : zone;
    if (utc_alias(name)) return DD_OK;
    if (strlen(name) < 96 && tz_get(name)) {
        ctx->tz_name = arena_strdup(ctx->arena, name);
        return ctx->tz_name ? DD_OK : dd_err(err, DD_ENOMEM, -1, "out of memory");
    }
    /* POSIX form without DST: "[NAME]+-hh[:mm[:ss]]", positive = west */
    const char *p = name;
    char abbr[TZ_ABBR_MAX] = "";
    if ((!isalpha((u8)*p) || posix_name(&p, abbr)) && (*p == '+' || *p == '-' || isdigit((u8)*p))) {
        i32 o = posix_hms(&p);
        if (o != INT32_MIN && !*p && o <= 15 * 3600 + 59 * 60 && o >= -(15 * 3600 + 59 * 60)) {
            ctx->tz_offset_s = -o;
            return DD_OK;
        }
    }
    return dd_err(err, DD_EINVALID_PARAM, -1, "time zone \"%s\" not recognized", zone);
}

/* The original spelling of field i (zone file names are case-sensitive). */
static void dt_orig(const DtFields *df, int i, char *out, size_t cap)
{
    size_t n = strlen(df->f[i]);
    if (n >= cap) n = cap - 1;
    memcpy(out, df->orig[i], n);
    out[n] = '\0';
}

/* Field i as a time zone name into r; false (r->tz_name the name) when no
 * zone is called so. */
static bool zone_field(const DtFields *df, int i, DtParts *r)
{
    char name[96];
    dt_orig(df, i, name, sizeof name);
    if (dt_zone_name(name, r)) return true;
    snprintf(r->tz_name, sizeof r->tz_name, "%s", name);
    return false;
}

/* DecodeDateTime.  ctx gives the session zone for today/tomorrow/yesterday. */
/* time_only: a time of day (TIME, TIMETZ), where a date is optional. */
static int parse_datetime_x(const char *in, size_t len, const ValueCtx *ctx, DtParts *r, bool time_only)
{
    memset(r, 0, sizeof *r);
    if (memchr(in, '\0', len)) return DT_BAD;
    DtFields df;
    int rc = dt_split(in, len, &df);
    if (rc) return rc;
    Dtm tm;
    memset(&tm, 0, sizeof tm);
    tm.order = ctx ? ctx->date_order : DATEORDER_MDY;
    u32 fmask = 0;
    int ptype = 0, mer = 0; /* ptype: K_ISOTIME or U_JULIAN pending; mer: 1 am, 2 pm */
    bool bc = false, julian = false;
    for (int i = 0; i < df.n; i++) {
        char *f = df.f[i];
        u32 tmask = 0;
        switch (df.type[i]) {
        case FT_DATE:
            if (ptype == U_JULIAN) return DT_BAD;
            if (ptype != 0 || (fmask & (M_MONTH | M_DAY)) == (M_MONTH | M_DAY)) {
                if (isdigit((u8)*f) || ptype != 0) {
                    /* run-together time with a zone: "hhmmss-zz" */
                    run_together_tz:
                    if (ptype != 0 && ptype != K_ISOTIME) return DT_BAD;
                    ptype = 0;
                    if ((fmask & M_TIME) == M_TIME) return DT_BAD;
                    char *cp = strchr(f, '-');
                    if (!cp) return DT_BAD;
                    if ((rc = dt_tz(cp, &r->tz_off))) return rc;
                    *cp = '\0';
                    if ((rc = dt_number_field(f, time_only ? fmask | M_DATE : fmask, &tmask, &tm))) return rc;
                    tmask |= M_TZ;
                } else {
                    if (!zone_field(&df, i, r)) return DT_TZ_UNKNOWN;
                    tmask = M_TZ;
                }
            } else if (time_only && !(i == 0 && df.n >= 2 && (df.type[df.n - 1] == FT_DATE || df.type[1] == FT_TIME))) {
                /* DecodeTimeOnly: a date only first, before a time or
                 * with a date last; else "hhmmss-zz" or a zone name */
                if (isdigit((u8)*f)) goto run_together_tz;
                if (!zone_field(&df, i, r)) return DT_TZ_UNKNOWN;
                tmask = M_TZ;
            } else if ((rc = dt_date(f, fmask, &tmask, &tm))) {
                return rc;
            }
            break;
        case FT_TIME:
            if (ptype != 0) {
                if (ptype != K_ISOTIME) return DT_BAD;
                ptype = 0;
            }
            if ((rc = dt_time(f, &tm))) return rc;
            tmask = M_TIME;
            break;
        case FT_TZ:
            if ((rc = dt_tz(f, &r->tz_off))) return rc;
            r->tz_name[0] = '\0';
            tmask = M_TZ;
            break;
        case FT_NUMBER: {
            size_t flen = strlen(f);
            char *cp = strchr(f, '.');
            if (ptype != 0) {
                char *e;
                int val;
                if (!dt_int(f, &e, &val)) return DT_FIELD;
                if (*e == '.' ? ptype != U_JULIAN && ptype != K_ISOTIME : *e != '\0') return DT_BAD;
                if (ptype == U_JULIAN) {
                    if (val < 0) return DT_FIELD;
                    /* Julian day 2451545 is 2000-01-01 */
                    i64 y;
                    civil_from_days((i64)val - 2451545, &y, &tm.mon, &tm.mday);
                    if (y < 1) return DT_RANGE; /* BC dates are not supported */
                    tm.year = y;
                    tmask = M_DATE;
                    julian = true;
                    if (*e == '.') {
                        double t = strtod(e, NULL) * 86400;
                        i64 s = (i64)t;
                        tm.hour = (int)(s / 3600), tm.min = (int)(s / 60 % 60), tm.sec = (int)(s % 60);
                        tm.fsec = (i64)rint((t - (double)s) * 1e6);
                        tmask |= M_TIME;
                    }
                } else {
                    if ((rc = dt_number_field(f, fmask | M_DATE, &tmask, &tm))) return rc;
                    if (tmask != M_TIME) return DT_BAD;
                }
                ptype = 0;
            } else if (time_only) {
                /* DecodeTimeOnly: a run-together number is a time,
                 * "hhmmss[.f]" or "hhmm[.f]" */
                if (cp && i == 0 && df.n >= 2 && df.type[df.n - 1] == FT_DATE) rc = dt_date(f, fmask, &tmask, &tm);
                else if (cp) rc = flen - strlen(cp) > 2 ? dt_number_field(f, fmask | M_DATE, &tmask, &tm) : DT_BAD;
                else if (flen > 4) rc = dt_number_field(f, fmask | M_DATE, &tmask, &tm);
                else rc = dt_number(f, fmask | M_DATE, &tmask, &tm);
                if (rc) return rc;
            } else if (cp && !(fmask & M_DATE)) {
                if ((rc = dt_date(f, fmask, &tmask, &tm))) return rc;
            } else if (cp && flen - strlen(cp) > 2) {
                if ((rc = dt_number_field(f, fmask, &tmask, &tm))) return rc;
            } else if (flen >= 6 && (!(fmask & M_DATE) || !(fmask & M_TIME))) {
                if ((rc = dt_number_field(f, fmask, &tmask, &tm))) return rc;
            } else if ((rc = dt_number(f, fmask, &tmask, &tm))) {
                return rc;
            }
            break;
        }
        case FT_STRING:
        case FT_SPECIAL: {
            int a = tz_abbrev_find(f);
            if (a >= 0) {
                tmask = M_TZ;
                if (tz_abbrevs[a].zone) {
                    snprintf(r->tz_name, sizeof r->tz_name, "%s", tz_abbrevs[a].zone);
                } else {
                    r->tz_name[0] = '\0';
                    r->tz_off = tz_abbrevs[a].off;
                }
                break;
            }
            int val, kind = dt_keyword(f, &val);
            switch (kind) {
            case K_IGNORE: continue;
            case K_RESERV:
                switch (val) {
                case R_EPOCH:
                case R_NOW:
                    tmask = M_DATE | M_TIME | M_TZ | M_RESERV;
                    r->special = val == R_EPOCH ? SP_EPOCH : SP_NOW;
                    break;
                case R_INF: return DT_INF;
                case R_ZULU:
                    tmask = M_TIME | M_TZ;
                    tm.hour = tm.min = tm.sec = 0;
                    tm.fsec = 0;
                    r->tz_off = 0;
                    r->tz_name[0] = '\0';
                    break;
                default: {
                    tmask = M_DATE;
                    i64 now = ts_from_unix_us(clock_wall_us());
                    i64 day = floor_div(ts_utc_to_local(ctx, now), USECS_PER_DAY);
                    day += val == R_TOMORROW ? 1 : val == R_YESTERDAY ? -1 : 0;
                    i64 y;
                    civil_from_days(day, &y, &tm.mon, &tm.mday);
                    tm.year = y;
                    julian = true; /* the year needs no adjustment */
                    break;
                }
                }
                break;
            case K_MONTH:
                tmask = M_MONTH;
                if ((fmask & M_MONTH) && !tm.text_month && !(fmask & M_DAY) && tm.mon >= 1 && tm.mon <= 31) {
                    tm.mday = tm.mon;
                    tmask = M_DAY;
                }
                tm.text_month = true;
                tm.mon = val;
                break;
            case K_AMPM: tmask = M_AMPM, mer = val; break;
            case K_ADBC: tmask = M_ADBC, bc = val == 1; break;
            case K_DOW: tmask = M_DOW; break;
            case K_UNITS:
                if (val != U_JULIAN) return DT_BAD;
                ptype = U_JULIAN;
                break;
            case K_ISOTIME:
                /* "T" before a time: after a date, or alone in a time */
                if ((fmask & M_DATE) != M_DATE && !time_only) return DT_BAD;
                if (i >= df.n - 1 ||
                    (df.type[i + 1] != FT_NUMBER && df.type[i + 1] != FT_TIME && df.type[i + 1] != FT_DATE))
                    return DT_BAD;
                ptype = K_ISOTIME;
                break;
            default: {
                /* an all-alpha zone name ("EST5EDT" is not all alpha) */
                char name[96];
                dt_orig(&df, i, name, sizeof name);
                if (df.type[i] != FT_STRING || !dt_zone_name(name, r)) return DT_BAD;
                tmask = M_TZ;
                break;
            }
            }
            break;
        }
        default: return DT_BAD;
        }
        if (tmask & fmask) return DT_BAD;
        fmask |= tmask;
    }
    if (ptype != 0) return DT_BAD;
    if (r->special) return DT_OK;
    /* ValidateDate */
    if (fmask & M_YEAR) {
        if (julian) {
            /* fields are final */
        } else if (bc) {
            return DT_RANGE; /* BC dates are not supported */
        } else if (tm.is2digits) {
            if (tm.year < 0) return DT_FIELD;
            if (tm.year < 70) tm.year += 2000;
            else if (tm.year < 100) tm.year += 1900;
        } else if (tm.year <= 0) {
            return DT_FIELD;
        }
    }
    if (fmask & M_DOY) {
        if (tm.year > DATE_MAX_YEAR) return DT_RANGE;
        i64 y;
        civil_from_days(days_from_civil(tm.year, 1, 1) + tm.yday - 1, &y, &tm.mon, &tm.mday);
        tm.year = y;
    }
    if ((fmask & M_MONTH) && (tm.mon < 1 || tm.mon > 12)) return DT_MD_FIELD;
    if ((fmask & M_DAY) && (tm.mday < 1 || tm.mday > 31)) return DT_MD_FIELD;
    if ((fmask & M_DATE) == M_DATE) {
        if (tm.year > DATE_MAX_YEAR) return DT_RANGE;
        if (tm.mday > days_in_month(tm.year, tm.mon)) return DT_FIELD;
    }
    /* AM/PM */
    if (mer && tm.hour > 12) return DT_FIELD;
    if (mer == 1 && tm.hour == 12) tm.hour = 0;
    else if (mer == 2 && tm.hour != 12) tm.hour += 12;
    if ((fmask & M_DATE) != M_DATE && !(time_only && !(fmask & M_DATE))) return DT_BAD;
    /* DecodeTimeOnly's range check (run-together fields are not checked
     * when read): up to 24:00:00, a leap second 60 */
    if (time_only && (tm.hour < 0 || tm.min < 0 || tm.min > 59 || tm.sec < 0 || tm.sec > 60 || tm.hour > 24 ||
                      (tm.hour == 24 && (tm.min > 0 || tm.sec > 0 || tm.fsec > 0)) || tm.fsec < 0 ||
                      tm.fsec > USECS_PER_SEC))
        return DT_FIELD;
    r->has_date = (fmask & M_DATE) == M_DATE;
    r->year = tm.year;
    r->mon = tm.mon;
    r->day = tm.mday;
    r->hour = tm.hour;
    r->min = tm.min;
    r->sec = tm.sec;
    r->usec = tm.fsec;
    r->has_tz = (fmask & M_TZ) != 0;
    return DT_OK;
}

static int parse_datetime(const char *in, size_t len, const ValueCtx *ctx, DtParts *r)
{
    return parse_datetime_x(in, len, ctx, r, false);
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
        return dd_err(err, DD_ETZ_DISPLACEMENT, -1, "time zone displacement out of range: \"%.*s\"", n, s);
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
    default: {
        int rc = dd_err(err, DD_EDATETIME_FORMAT, -1, "invalid input syntax for type %s: \"%.*s\"", tname, n, s);
        /* a time-travel point passed as a timestamp parameter (AS OF $1) */
        if (n >= 5 && strncasecmp(s, "@seq:", 5) == 0)
            dd_err_hint(err, "FOR SYSTEM_TIME AS OF $1 takes a timestamp; to pass an @SEQ:n point as a parameter, write $1::text.");
        return rc;
    }
    }
}

/* Local wall-clock microseconds of the parsed fields (not special). */
static i64 parts_local(const DtParts *r)
{
    i64 days = days_from_civil(r->year, r->mon, r->day);
    return days * USECS_PER_DAY + ((i64)r->hour * 3600 + r->min * 60 + r->sec) * USECS_PER_SEC + r->usec;
}

/* A special word's value: a UTC instant (now, epoch); today, tomorrow and
 * yesterday were resolved to date fields by parse_datetime. */
static i64 special_value(int sp)
{
    return sp == SP_EPOCH ? ts_from_unix_us(0) : ts_from_unix_us(clock_wall_us());
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
    int rc = parse_datetime(s, len, ctx, &r);
    if (rc) return dt_error(rc, &r, "date", s, len, err);
    if (r.special) {
        i64 t = special_value(r.special);
        if (r.special == SP_NOW) t = ts_utc_to_local(ctx, t);
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
    int rc = parse_datetime(s, len, ctx, &r);
    if (rc) return dt_error(rc, &r, tname, s, len, err);
    i64 t;
    if (r.special) {
        t = special_value(r.special);
        if (!with_tz && r.special == SP_NOW) t = ts_utc_to_local(ctx, t);
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

/* A time of day: TIME (*zone untouched) or TIMETZ (*zone: seconds east,
 * the literal's, else the session zone's offset on the literal's date or
 * today).  Any date in the literal is ignored, as PostgreSQL. */
int time_from_text(const char *s, size_t len, bool with_tz, const ValueCtx *ctx, i64 *out, i32 *zone, DdError *err)
{
    const char *tname = with_tz ? "time with time zone" : "time";
    DtParts r;
    int rc = parse_datetime_x(s, len, ctx, &r, true);
    if (rc) return dt_error(rc, &r, tname, s, len, err);
    i64 utc_now = ts_from_unix_us(clock_wall_us());
    if (r.special) {
        if (r.special != SP_NOW) return dt_error(DT_BAD, &r, tname, s, len, err);
        i32 off = tz_offset_at(ctx, utc_now);
        i64 local = utc_now + (i64)off * USECS_PER_SEC;
        *out = local - floor_div(local, USECS_PER_DAY) * USECS_PER_DAY;
        if (zone) *zone = off;
        return DD_OK;
    }
    *out = ((i64)r.hour * 3600 + r.min * 60 + r.sec) * USECS_PER_SEC + r.usec;
    if (*out > USECS_PER_DAY) return dt_error(DT_FIELD, &r, tname, s, len, err);
    /* DecodeTimeOnly: a zone name whose offset has changed needs a date
     * ("04:05 America/New_York" is 22007; an abbreviation takes today's) */
    if (r.has_tz && r.tz_varies && !r.has_date) return dt_error(DT_BAD, &r, tname, s, len, err);
    if (zone) {
        if (r.has_tz && !r.tz_name[0]) {
            *zone = r.tz_off;
        } else {
            /* a named zone or the session's: its offset on that date (or today) */
            i64 day = r.has_date ? days_from_civil(r.year, r.mon, r.day) : floor_div(utc_now, USECS_PER_DAY);
            i64 local = day * USECS_PER_DAY + *out;
            i64 utc;
            if (r.has_tz) {
                if ((rc = tz_named_local_to_utc(r.tz_name, local, &utc, err))) return rc;
            } else {
                utc = ts_local_to_utc(ctx, local);
            }
            *zone = (i32)((local - utc) / USECS_PER_SEC);
        }
    }
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

/* A date in DateStyle's form: ISO "2024-12-31", SQL "12/31/2024" (DMY
 * "31/12/2024"), German "31.12.2024", Postgres "12-31-2024" (DMY
 * "31-12-2024"), as PostgreSQL's EncodeDateOnly. */
static void put_date_styled(i64 days, const ValueCtx *ctx, Buf *out)
{
    i64 y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    bool dmy = ctx->date_order == DATEORDER_DMY;
    switch (ctx->date_style) {
    case DATESTYLE_SQL: buf_printf(out, "%02d/%02d/%04lld", dmy ? d : m, dmy ? m : d, (long long)y); break;
    case DATESTYLE_GERMAN: buf_printf(out, "%02d.%02d.%04lld", d, m, (long long)y); break;
    case DATESTYLE_POSTGRES: buf_printf(out, "%02d-%02d-%04lld", dmy ? d : m, dmy ? m : d, (long long)y); break;
    default: put_ymd(days, out); break;
    }
}

void date_to_text_styled(i64 days, const ValueCtx *ctx, Buf *out)
{
    if (ctx) put_date_styled(days, ctx, out);
    else put_ymd(days, out);
}

void time_to_text(i64 us, Buf *out)
{
    i64 s = us / USECS_PER_SEC;
    buf_printf(out, "%02lld:%02lld:", (long long)(s / 3600), (long long)(s / 60 % 60));
    put_seconds(s % 60, us % USECS_PER_SEC, out);
}

void timetz_to_text(i64 packed, Buf *out)
{
    time_to_text(timetz_us(packed), out);
    tz_offset_to_text(timetz_zone(packed), out);
}

void timestamp_to_text(i64 ts, Buf *out)
{
    i64 days = floor_div(ts, USECS_PER_DAY), tod = ts - days * USECS_PER_DAY;
    put_ymd(days, out);
    buf_putc(out, ' ');
    time_to_text(tod, out);
}

void tz_offset_to_text(i32 off, Buf *out)
{
    i32 a = off < 0 ? -off : off;
    buf_printf(out, "%c%02d", off < 0 ? '-' : '+', a / 3600);
    if (a % 3600) buf_printf(out, ":%02d", a / 60 % 60);
    if (a % 60) buf_printf(out, ":%02d", a % 60);
}

/*
 * A timestamp (local wall time) in DateStyle's form, as PostgreSQL's
 * EncodeDateTime; with_tz: a timestamptz at offset off whose zone
 * abbreviation the SQL, German and Postgres styles print (ISO prints the
 * offset).  Postgres style: "Tue Dec 31 10:00:00 2024 UTC" (DMY "Tue 31
 * Dec ...").
 */
static void put_timestamp_styled(i64 local, bool with_tz, i32 off, i64 utc, const ValueCtx *ctx, Buf *out)
{
    static const char *const dows[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mons[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    i64 days = floor_div(local, USECS_PER_DAY), tod = local - days * USECS_PER_DAY;
    char abbr[TZ_ABBR_MAX];
    if (with_tz && ctx->date_style != DATESTYLE_ISO) tz_abbrev_at(ctx, utc, abbr, sizeof abbr);
    if (ctx->date_style == DATESTYLE_POSTGRES) {
        i64 y;
        int m, d;
        civil_from_days(days, &y, &m, &d);
        int dow = (int)(((days + 6) % 7 + 7) % 7); /* 2000-01-01 was a Saturday */
        if (ctx->date_order == DATEORDER_DMY) buf_printf(out, "%s %02d %s ", dows[dow], d, mons[m - 1]);
        else buf_printf(out, "%s %s %02d ", dows[dow], mons[m - 1], d);
        time_to_text(tod, out);
        buf_printf(out, " %04lld", (long long)y);
    } else {
        put_date_styled(days, ctx, out);
        buf_putc(out, ' ');
        time_to_text(tod, out);
    }
    if (!with_tz) return;
    if (ctx->date_style == DATESTYLE_ISO) tz_offset_to_text(off, out);
    else buf_printf(out, " %.10s", abbr); /* PostgreSQL's MAXTZLEN */
}

void timestamp_to_text_styled(i64 ts, const ValueCtx *ctx, Buf *out)
{
    if (ctx) put_timestamp_styled(ts, false, 0, 0, ctx, out);
    else timestamp_to_text(ts, out);
}

void timestamptz_to_text(i64 ts, const ValueCtx *ctx, Buf *out)
{
    i32 off = tz_offset_at(ctx, ts);
    put_timestamp_styled(ts + (i64)off * USECS_PER_SEC, true, off, ts, ctx, out);
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

/* postgres_verbose's "n unit[s]": the first nonzero part decides the sign
 * ("ago" at the end), later parts of the other sign print negative. */
static void put_verbose_part(Buf *out, i64 v, const char *unit, bool *is_zero, bool *is_before)
{
    if (v == 0) return;
    if (*is_zero) {
        *is_before = v < 0;
        v = v < 0 ? -v : v;
    } else if (*is_before) {
        v = -v;
    }
    buf_printf(out, " %lld %s%s", (long long)v, unit, v == 1 ? "" : "s");
    *is_zero = false;
}

/* Seconds as PostgreSQL's AppendSeconds: |sec| (two digits when fill),
 * then the fraction without trailing zeros. */
static void put_abs_seconds(i64 sec, i64 fsec, bool fill, Buf *out)
{
    sec = sec < 0 ? -sec : sec;
    fsec = fsec < 0 ? -fsec : fsec;
    if (fill) {
        put_seconds(sec, fsec, out);
        return;
    }
    buf_printf(out, "%lld", (long long)sec);
    if (fsec) {
        char f[24];   /* fsec < 1000000: six digits; room for any i64 */
        snprintf(f, sizeof f, "%06lld", (long long)fsec);
        int n = 6;
        while (n > 0 && f[n - 1] == '0') n--;
        buf_putc(out, '.');
        buf_append(out, f, (size_t)n);
    }
}

/* An interval in IntervalStyle's form (ctx NULL: postgres), as
 * PostgreSQL's EncodeInterval: postgres "1 year 2 mons 3 days 04:05:06",
 * postgres_verbose "@ 1 year 2 mons 3 days 4 hours 5 mins 6 secs",
 * sql_standard "+1-2 +3 +4:05:06" ("1-2", "3 4:05:06" when one sign and
 * one kind of field), iso_8601 "P1Y2M3DT4H5M6S". */
void interval_to_text(const Interval *iv, const ValueCtx *ctx, Buf *out)
{
    int style = ctx ? ctx->interval_style : INTERVALSTYLE_POSTGRES;
    i64 year = iv->months / 12, mon = iv->months % 12, mday = iv->days, t = iv->usecs;
    i64 hour = t / USECS_PER_HOUR, min = t / USECS_PER_MIN % 60, sec = t / USECS_PER_SEC % 60,
        fsec = t % USECS_PER_SEC;
    bool is_zero = true, is_before = false;
    switch (style) {
    case INTERVALSTYLE_SQL_STANDARD: {
        bool neg = year < 0 || mon < 0 || mday < 0 || t < 0, pos = year > 0 || mon > 0 || mday > 0 || t > 0;
        bool has_ym = year != 0 || mon != 0, has_dt = mday != 0 || t != 0;
        bool standard = !(neg && pos) && !(has_ym && has_dt);
        if (neg && standard) {
            buf_putc(out, '-');
            year = -year, mon = -mon, mday = -mday, hour = -hour, min = -min, sec = -sec, fsec = -fsec;
        }
        if (!neg && !pos) {
            buf_puts(out, "0");
        } else if (!standard) {
            buf_printf(out, "%c%lld-%lld %c%lld %c%lld:%02lld:", year < 0 || mon < 0 ? '-' : '+',
                       (long long)(year < 0 ? -year : year), (long long)(mon < 0 ? -mon : mon), mday < 0 ? '-' : '+',
                       (long long)(mday < 0 ? -mday : mday), t < 0 ? '-' : '+', (long long)(hour < 0 ? -hour : hour),
                       (long long)(min < 0 ? -min : min));
            put_abs_seconds(sec, fsec, true, out);
        } else if (has_ym) {
            buf_printf(out, "%lld-%lld", (long long)year, (long long)mon);
        } else {
            if (mday != 0) buf_printf(out, "%lld ", (long long)mday);
            buf_printf(out, "%lld:%02lld:", (long long)hour, (long long)min);
            put_abs_seconds(sec, fsec, true, out);
        }
        return;
    }
    case INTERVALSTYLE_ISO_8601:
        if (iv->months == 0 && mday == 0 && t == 0) {
            buf_puts(out, "PT0S");
            return;
        }
        buf_putc(out, 'P');
        if (year) buf_printf(out, "%lldY", (long long)year);
        if (mon) buf_printf(out, "%lldM", (long long)mon);
        if (mday) buf_printf(out, "%lldD", (long long)mday);
        if (t) buf_putc(out, 'T');
        if (hour) buf_printf(out, "%lldH", (long long)hour);
        if (min) buf_printf(out, "%lldM", (long long)min);
        if (sec || fsec) {
            if (sec < 0 || fsec < 0) buf_putc(out, '-');
            put_abs_seconds(sec, fsec, false, out);
            buf_putc(out, 'S');
        }
        return;
    case INTERVALSTYLE_POSTGRES_VERBOSE:
        buf_putc(out, '@');
        put_verbose_part(out, year, "year", &is_zero, &is_before);
        put_verbose_part(out, mon, "mon", &is_zero, &is_before);
        put_verbose_part(out, mday, "day", &is_zero, &is_before);
        put_verbose_part(out, hour, "hour", &is_zero, &is_before);
        put_verbose_part(out, min, "min", &is_zero, &is_before);
        if (sec || fsec) {
            buf_putc(out, ' ');
            if (sec < 0 || (sec == 0 && fsec < 0)) {
                if (is_zero) is_before = true;
                else if (!is_before) buf_putc(out, '-');
            } else if (is_before) {
                buf_putc(out, '-');
            }
            put_abs_seconds(sec, fsec, false, out);
            buf_printf(out, " sec%s", (sec != 1 && sec != -1) || fsec ? "s" : "");
            is_zero = false;
        }
        if (is_zero) buf_puts(out, " 0");
        if (is_before) buf_puts(out, " ago");
        return;
    default:
        break;
    }
    put_int_part(out, year, "year", &is_zero, &is_before);
    put_int_part(out, mon, "mon", &is_zero, &is_before);
    put_int_part(out, mday, "day", &is_zero, &is_before);
    if (is_zero || t != 0) {
        bool minus = t < 0;
        u64 a = minus ? -(u64)t : (u64)t;
        u64 h = a / (u64)USECS_PER_HOUR, m = a / (u64)USECS_PER_MIN % 60;
        u64 sc = a / (u64)USECS_PER_SEC % 60, us = a % (u64)USECS_PER_SEC;
        buf_printf(out, "%s%s%02llu:%02llu:", is_zero ? "" : " ", minus ? "-" : (is_before ? "+" : ""),
                   (unsigned long long)h, (unsigned long long)m);
        put_seconds((i64)sc, (i64)us, out);
    }
}

/*
 * Interval input, as PostgreSQL's DecodeInterval: each "number unit" adds
 * its integer part to one field and cascades the fraction down (months to
 * days at 30 days, days to seconds), a time "h:mm[:ss.f]" sets the clock
 * fields, and no field may be given twice.
 */
typedef struct IvAcc {
    i128 years, months, days, hours, mins, secs; /* numbers have at most 25 digits: no overflow here */
    i128 usec;                                  /* whole microseconds of the us and ms units */
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
static bool iv_apply_unit(IvAcc *a, i128 val, double fval, const char *u)
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
        case F_US: a->usec += val; a->fsec += rint(fval); break;
        case F_MS: a->usec += val * 1000; a->fsec += rint(fval * 1000); break;
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
 * advances *p past it.  At most 25 integer digits: the fields, in i128,
 * cannot overflow, and a value beyond an interval's range is 22015 at the
 * end (as PostgreSQL's for a number beyond 64 bits). */
static bool iv_number(const char **p, i128 *ival, double *fval)
{
    const char *s = *p;
    bool neg = false;
    if (*s == '+' || *s == '-') neg = *s++ == '-';
    if (!isdigit((u8)*s) && !(*s == '.' && isdigit((u8)s[1]))) return false;
    i128 v = 0;
    int n = 0;
    while (isdigit((u8)*s)) {
        if (++n > 25) return false;
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

/* "[+-]h:mm[:ss[.f]]", "m:ss.f" and, for an interval MINUTE TO SECOND
 * (min_sec), "m:ss" (PostgreSQL's DecodeTime); false on bad syntax, *range
 * set when a minute or second field is out of range. */
static bool iv_time(const char *t, IvAcc *a, bool *range, bool min_sec)
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
    if (*t == '.' || (!*t && min_sec)) {
        /* minutes and seconds: "m:ss.f" always, "m:ss" in MINUTE TO SECOND */
        if (*t == '.') {
            i128 dummy;
            if (!iv_number(&t, &dummy, &f)) return false;
        }
        sec = m, m = h, h = 0;
    } else if (*t == ':') {
        t++;
        if (!isdigit((u8)t[0])) return false;
        sec = *t++ - '0';
        if (isdigit((u8)*t)) sec = sec * 10 + (*t++ - '0');
        if (*t == '.') {
            i128 dummy;
            if (!iv_number(&t, &dummy, &f)) return false;
        }
    }
    if (*t) return false;
    if (m > 59 || sec > 59) {
        *range = true;
        return false;
    }
    a->hours += sign * h;
    a->mins += sign * m;
    a->secs += sign * sec;
    a->fsec += sign * rint(f * 1e6);
    return true;
}

/* ISO 8601 "P[nY][nM][nW][nD][T[nH][nM][nS]]" and the alternative format
 * "P[Y[-M[-D]]][T[h[:m[:s]]]]", as PostgreSQL's DecodeISO8601Interval. */
static bool iv_iso(const char *s, IvAcc *a)
{
    bool datepart = true, havefield = false;
    s++;
    if (!*s) return false;
    while (*s) {
        if (*s == 't') {
            datepart = false;
            havefield = false;
            s++;
            continue;
        }
        i128 v;
        double f;
        if (!iv_number(&s, &v, &f)) return false;
        char u = *s;
        if (u) s++;
        const char *unit = NULL;
        if (datepart) {
            unit = u == 'y' ? "year" : u == 'm' ? "month" : u == 'w' ? "week" : u == 'd' ? "day" : NULL;
            if (!unit) {
                if ((u != '\0' && u != 't' && u != '-') || havefield) return false;
                /* alternative format: years[-months[-days]] */
                a->years += v;
                a->months += (i64)(f * 12);
                if (u == '\0') return true;
                if (u == 't') {
                    datepart = false;
                    havefield = false;
                    continue;
                }
                if (!iv_number(&s, &v, &f)) return false;
                a->months += v;
                adj_fract_days(a, f, DAYS_PER_MONTH);
                if (*s == '\0') return true;
                if (*s == 't') {
                    datepart = false;
                    havefield = false;
                    s++;
                    continue;
                }
                if (*s++ != '-' || !iv_number(&s, &v, &f)) return false;
                a->days += v;
                adj_fract_seconds(a, f, 86400);
                if (*s == '\0') return true;
                if (*s != 't') return false;
                datepart = false;
                havefield = false;
                s++;
                continue;
            }
        } else {
            unit = u == 'h' ? "hour" : u == 'm' ? "minute" : u == 's' ? "second" : NULL;
            if (!unit) {
                if ((u != '\0' && u != ':') || havefield) return false;
                /* alternative format: hours[:minutes[:seconds]] */
                a->hours += v;
                adj_fract_seconds(a, f, 3600);
                if (u == '\0') return true;
                if (!iv_number(&s, &v, &f)) return false;
                a->mins += v;
                adj_fract_seconds(a, f, 60);
                if (*s == '\0') return true;
                if (*s++ != ':' || !iv_number(&s, &v, &f)) return false;
                a->secs += v;
                a->fsec += rint(f * 1e6);
                return *s == '\0';
            }
        }
        if (!iv_apply_unit(a, v, f, unit)) return false;
        havefield = true;
    }
    return true;
}

/* SQL standard year-month "[+-]Y-M" (PostgreSQL's DecodeInterval): the
 * sign applies to both parts; M must be 0..11 (else *range). */
static bool iv_year_month(const char *w, IvAcc *a, bool *range)
{
    const char *p = w;
    bool neg = false;
    if (*p == '+' || *p == '-') neg = *p++ == '-';
    i64 y = 0, m = 0;
    int ny = 0, nm = 0;
    while (isdigit((u8)*p)) {
        if (++ny > 15) return false;
        y = y * 10 + (*p++ - '0');
    }
    if (!ny || *p++ != '-') return false;
    while (isdigit((u8)*p)) {
        if (++nm > 9) return false;
        m = m * 10 + (*p++ - '0');
    }
    if (!nm || *p) return false;
    if (m >= 12 || (a->mask & F_MON)) {
        *range = m >= 12;
        return false;
    }
    a->mask |= F_MON;
    a->months += neg ? -(y * 12 + m) : y * 12 + m;
    return true;
}

/* The unit of a number without one at the end of an interval of the
 * fields `range` (PostgreSQL's DecodeInterval: the last field given). */
static const char *iv_range_unit(int range)
{
    enum { YEAR = 4, MONTH = 2, DAY = 8, HOUR = 1024, MINUTE = 2048 };
    switch (range) {
    case YEAR: return "year";
    case MONTH: case YEAR | MONTH: return "month";
    case DAY: return "day";
    case HOUR: case DAY | HOUR: return "hour";
    case MINUTE: case HOUR | MINUTE: case DAY | HOUR | MINUTE: return "minute";
    default: return "second";
    }
}

int interval_from_text(const char *in, size_t len, i32 typmod, const ValueCtx *ctx, Interval *out, DdError *err)
{
    int fields = interval_typmod_range(typmod);
    char s[160];
    int n = (int)DD_MIN(len, 200);
    size_t i = 0, k = 0;
    while (i < len && isspace((u8)in[i])) i++;
    if (len - i >= sizeof s || memchr(in, '\0', len)) goto bad;
    for (; i < len; i++) {
        s[k++] = (char)tolower((u8)in[i]);
        /* a sign that starts a field keeps the number after blanks ("- 1 day") */
        if ((in[i] == '-' || in[i] == '+') && (k == 1 || s[k - 2] == ' ' || s[k - 2] == '\t')) {
            size_t j = i + 1;
            while (j < len && (in[j] == ' ' || in[j] == '\t')) j++;
            if (j < len && isdigit((u8)in[j])) i = j - 1;
        }
    }
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
        int ntok = 0, first_minus = 0, more_signs = 0;
        if (*p == '@') p++;
        for (;;) {
            while (*p == ' ' || *p == '\t' || *p == ',') p++;
            if (!*p) break;
            const char *tok = p;
            if (ntok++ == 0) first_minus = *p == '-';
            else if (*p == '-' || *p == '+') more_signs = 1;
            while (*p && *p != ' ' && *p != '\t' && *p != ',') p++;
            size_t tl = (size_t)(p - tok);
            if (tl == 3 && strncmp(tok, "ago", 3) == 0) {
                /* anywhere after a field, negating them all ("1 day ago 2 hours") */
                if (!any) goto bad;
                ago = true;
                continue;
            }
            char word[40];
            if (tl >= sizeof word) goto bad;
            memcpy(word, tok, tl);
            word[tl] = '\0';
            bool range = false;
            if (strchr(word, ':')) {
                if (!iv_time(word, &a, &range, fields == (2048 | 4096))) goto range_or_bad;
                any = true;
                continue;
            }
            const char *w = word;
            /* SQL year-month "[+-]Y-M" (M < 12); a unit word after it is ignored */
            if (iv_year_month(word, &a, &range)) {
                any = true;
                const char *q = p;
                while (*q == ' ' || *q == '\t') q++;
                const char *u = q;
                while (isalpha((u8)*q)) q++;
                if (q > u && (!*q || *q == ' ' || *q == '\t' || *q == ',') && (size_t)(q - u) < 24) {
                    char unit[24];
                    IvAcc probe = {0};
                    memcpy(unit, u, (size_t)(q - u));
                    unit[q - u] = '\0';
                    if (iv_apply_unit(&probe, 0, 0, unit)) p = q;
                }
                continue;
            }
            if (range) goto range_or_bad;
            i128 v;
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
                if (ul >= sizeof unit || (ul && *p && *p != ' ' && *p != '\t' && *p != ',')) goto bad;
                memcpy(unit, u, ul);
                unit[ul] = '\0';
                if (ul && strcmp(unit, "ago") == 0) goto bad; /* "10 ago", as PostgreSQL */
                if (ul == 0) {
                    /* a bare number before a time or a number of hours is days
                     * ("1 2:03:04", "1 -2 hours"), else seconds at the end */
                    const char *q = p;
                    while (*q == ' ' || *q == '\t') q++;
                    if (*q == '+' || *q == '-') q++;
                    const char *digits = q;
                    while (isdigit((u8)*q) || *q == '.') q++;
                    const char *dend = q;
                    bool day = q > digits && *q == ':';
                    if (q > digits && !day) {
                        while (*q == ' ' || *q == '\t') q++;
                        const char *hu = q;
                        while (isalpha((u8)*q)) q++;
                        char h[8];
                        size_t hl = (size_t)(q - hu);
                        if (hl && hl < sizeof h && (!*q || *q == ' ' || *q == '\t' || *q == ',')) {
                            memcpy(h, hu, hl);
                            h[hl] = '\0';
                            day = !strcmp(h, "hour") || !strcmp(h, "hours") || !strcmp(h, "h") || !strcmp(h, "hr") ||
                                  !strcmp(h, "hrs");
                        }
                    }
                    /* "1 2" DAY TO HOUR: a number before the hours is days */
                    const char *last = iv_range_unit(fields);
                    if (!day && dend > digits && !strcmp(last, "hour")) {
                        const char *r = dend;
                        while (*r == ' ' || *r == '\t') r++;
                        day = !*r;
                    }
                    if (!day && *p) goto bad; /* "1 2", "10 20 minutes" */
                    snprintf(unit, sizeof unit, "%s", day ? "day" : last);
                }
            }
            if (!iv_apply_unit(&a, v, f, unit)) goto bad;
            any = true;
        }
        if (!any) goto bad;
        /* IntervalStyle sql_standard: a leading minus with no other sign
         * applies to every field ('-1 2:03:04' is -1 day -2:03:04) */
        if (ctx && ctx->interval_style == INTERVALSTYLE_SQL_STANDARD && first_minus && !more_signs) {
            i128 *parts[] = {&a.years, &a.months, &a.days, &a.hours, &a.mins, &a.secs, &a.usec};
            for (size_t j = 0; j < DD_ARRAY_LEN(parts); j++)
                if (*parts[j] > 0) *parts[j] = -*parts[j];
            if (a.fsec > 0) a.fsec = -a.fsec;
        }
        if (ago) {
            a.years = -a.years, a.months = -a.months, a.days = -a.days;
            a.hours = -a.hours, a.mins = -a.mins, a.secs = -a.secs, a.usec = -a.usec, a.fsec = -a.fsec;
        }
    }
    {
        i128 months = (i128)a.years * 12 + a.months;
        i128 usecs = (((i128)a.hours * 60 + a.mins) * 60 + a.secs) * USECS_PER_SEC + a.usec + (i128)a.fsec;
        if (a.days > INT32_MAX || a.days < INT32_MIN || usecs > INT64_MAX || usecs < INT64_MIN || fabs(a.fsec) > 9e18 ||
            a.years > INT32_MAX || a.years < INT32_MIN || a.months > INT32_MAX || a.months < INT32_MIN)
            return dd_err(err, DD_EINTERVAL_OVERFLOW, -1, "interval field value out of range: \"%.*s\"", n, in);
        /* fields that fit but whose months do not: PostgreSQL's 22008 */
        if (months > INT32_MAX || months < INT32_MIN)
            return dd_err(err, DD_EDATETIME_OVERFLOW, -1, "interval out of range");
        out->months = (i32)months;
        out->days = (i32)a.days;
        out->usecs = (i64)usecs;
    }
    return DD_OK;
range_or_bad:
    return dd_err(err, DD_EINTERVAL_OVERFLOW, -1, "interval field value out of range: \"%.*s\"", n, in);
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

static bool is_tod(TypeId t) { return t == TYPE_TIME || t == TYPE_TIMETZ; }

bool datetime_arith_type(ArithOp op, TypeId a, TypeId b, TypeId *out)
{
    bool dta = type_is_datetime(a), dtb = type_is_datetime(b);
    if ((op == ARITH_ADD || op == ARITH_SUB) && (is_tod(a) || is_tod(b))) {
        /* time +- interval, time - time, date + time (PostgreSQL's operators) */
        if (is_tod(a) && b == TYPE_INTERVAL) { *out = a; return true; }
        if (op == ARITH_ADD && a == TYPE_INTERVAL && is_tod(b)) { *out = b; return true; }
        if (op == ARITH_SUB && a == TYPE_TIME && b == TYPE_TIME) { *out = TYPE_INTERVAL; return true; }
        if (op == ARITH_ADD && ((a == TYPE_DATE && is_tod(b)) || (is_tod(a) && b == TYPE_DATE))) {
            *out = (a == TYPE_TIMETZ || b == TYPE_TIMETZ) ? TYPE_TIMESTAMPTZ : TYPE_TIMESTAMP;
            return true;
        }
        return false;
    }
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
    if (v->type == TYPE_NUMERIC) return numeric_value_to_double(v);
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

/* The arithmetic of TIME and TIMETZ (rt: the result type). */
static int time_arith(ArithOp op, const Value *a, const Value *b, TypeId rt, Value *out, DdError *err)
{
    TypeId ta = a->type;
    if (rt == TYPE_TIME || rt == TYPE_TIMETZ) {
        /* a time of day moved by the interval's time part, around the clock */
        const Value *t = is_tod(ta) ? a : b, *iv = is_tod(ta) ? b : a;
        i64 us = rt == TYPE_TIMETZ ? timetz_us(t->v.i) : t->v.i;
        i64 d = iv->v.iv.usecs % USECS_PER_DAY;
        us = op == ARITH_SUB ? us - d : us + d;
        us %= USECS_PER_DAY;
        if (us < 0) us += USECS_PER_DAY;
        *out = val_int(rt, rt == TYPE_TIMETZ ? timetz_pack(us, timetz_zone(t->v.i)) : us);
        return DD_OK;
    }
    if (rt == TYPE_INTERVAL) {   /* time - time */
        Interval iv = {0, 0, a->v.i - b->v.i};
        *out = val_interval(iv);
        return DD_OK;
    }
    /* date + time: the timestamp of that date at that time (timetz: of the
     * instant, in its zone) */
    const Value *d = ta == TYPE_DATE ? a : b, *t = ta == TYPE_DATE ? b : a;
    i64 ts = 0;
    int rc = date_to_timestamp(d->v.i, &ts, err);
    if (rc) return rc;
    if (t->type == TYPE_TIMETZ) ts += timetz_us(t->v.i) - (i64)timetz_zone(t->v.i) * USECS_PER_SEC;
    else ts += t->v.i;
    if (!ts_ok(ts)) return dd_err(err, DD_EDATETIME_OVERFLOW, -1, "timestamp out of range");
    *out = val_int(rt, ts);
    return DD_OK;
}

int datetime_arith(ArithOp op, const Value *a, const Value *b, const ValueCtx *ctx, Value *out,
                   DdError *err)
{
    TypeId ta = a->type, tb = b->type, rt;
    if (!datetime_arith_type(op, ta, tb, &rt)) return DD_EUNDEFINED_OPERATOR;
    if (is_tod(ta) || is_tod(tb)) return time_arith(op, a, b, rt, out, err);
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
