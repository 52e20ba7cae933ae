/*
 * func.c - built-in scalar functions and the aggregate name table.
 *
 * Each function has a resolver (argument types -> result type, possibly
 * asking the compiler to coerce arguments by rewriting argtypes) and an
 * implementation over non-checked Values (NULL handling is the
 * implementation's: most functions are strict and return NULL for a NULL
 * argument).
 */
#include "../types/recordval.h"
#include "expr.h"
#include "jsonfunc.h"
#include "../types/datefunc.h"
#include "../types/formatting.h"
#include "../types/array.h"
#include "../catalog/acl.h"
#include "../../util/clock.h"
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/random.h>
#include <stdatomic.h>
#include <wctype.h>
#include <locale.h>
#include <math.h>
#include <ctype.h>
#include <time.h>

/* ---------------------------------------------------------------- resolvers */

static bool is_unknownish(TypeId t) { return t == TYPE_UNKNOWN || t == TYPE_NULLTYPE; }

static bool r_none_tstz(TypeId *a, int n, TypeId *r) { DD_UNUSED(a); DD_UNUSED(n); *r = TYPE_TIMESTAMPTZ; return true; }
static bool r_none_ts(TypeId *a, int n, TypeId *r) { DD_UNUSED(a); DD_UNUSED(n); *r = TYPE_TIMESTAMP; return true; }
static bool r_none_date(TypeId *a, int n, TypeId *r) { DD_UNUSED(a); DD_UNUSED(n); *r = TYPE_DATE; return true; }
static bool r_none_time(TypeId *a, int n, TypeId *r) { DD_UNUSED(a); DD_UNUSED(n); *r = TYPE_TIME; return true; }
static bool r_none_timetz(TypeId *a, int n, TypeId *r) { DD_UNUSED(a); DD_UNUSED(n); *r = TYPE_TIMETZ; return true; }
static bool r_none_text(TypeId *a, int n, TypeId *r) { DD_UNUSED(a); DD_UNUSED(n); *r = TYPE_TEXT; return true; }
static bool r_none_name(TypeId *a, int n, TypeId *r) { DD_UNUSED(a); DD_UNUSED(n); *r = TYPE_NAME; return true; }
static bool r_none_int8(TypeId *a, int n, TypeId *r) { DD_UNUSED(a); DD_UNUSED(n); *r = TYPE_INT8; return true; }
static bool r_none_int4(TypeId *a, int n, TypeId *r) { DD_UNUSED(a); DD_UNUSED(n); *r = TYPE_INT4; return true; }

static bool r_text_text(TypeId *a, int n, TypeId *r)
{
    for (int i = 0; i < n; i++) {
        if (is_unknownish(a[i]) || type_is_string(a[i])) a[i] = TYPE_TEXT;
        else return false;
    }
    *r = TYPE_TEXT;
    return true;
}
static bool r_text_int(TypeId *a, int n, TypeId *r)
{
    if (!r_text_text(a, n, r)) return false;
    *r = TYPE_INT4;
    return true;
}
/* (text, int [, int]) -> text */
static bool r_text_ints(TypeId *a, int n, TypeId *r)
{
    if (is_unknownish(a[0]) || type_is_string(a[0])) a[0] = TYPE_TEXT; else return false;
    for (int i = 1; i < n; i++) {
        if (is_unknownish(a[i]) || type_is_int(a[i])) a[i] = TYPE_INT4; else return false;
    }
    *r = TYPE_TEXT;
    return true;
}
/* substring(text, int [, int]); with only untyped literals after the
 * string, PostgreSQL prefers the regular expression forms (regexfunc.c):
 * substring(s FROM '2') is a pattern */
static bool r_substring(TypeId *a, int n, TypeId *r)
{
    bool typed = false;
    for (int i = 1; i < n; i++) typed = typed || !is_unknownish(a[i]);
    return typed && r_text_ints(a, n, r);
}
/* abs: the argument's type; an untyped one (a literal, NULL, a $n)
 * takes the double precision form, as PostgreSQL picks its numeric
 * category's preferred type among abs's forms */
static bool r_numeric_same(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (is_unknownish(a[0])) a[0] = TYPE_FLOAT8;
    if (!type_is_numeric(a[0])) return false;
    *r = a[0];
    return true;
}
/* floor, ceil: numeric or double precision (integers and untyped
 * arguments take the latter, PostgreSQL's preferred type) */
static bool r_float_or_numeric(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (is_unknownish(a[0]) || type_is_int(a[0])) a[0] = TYPE_FLOAT8;
    if (!type_is_numeric(a[0])) return false;
    *r = a[0];
    return true;
}
/* round/trunc(x) keep the type for numeric/float; round(numeric, int) */
static bool r_round(TypeId *a, int n, TypeId *r)
{
    /* an integer or untyped argument takes the double precision form, as
     * PostgreSQL's preferred type; with a scale, the numeric form */
    if (is_unknownish(a[0]) || type_is_int(a[0])) a[0] = n == 2 ? TYPE_NUMERIC : TYPE_FLOAT8;
    if (!type_is_numeric(a[0])) return false;
    if (n == 2) {
        if (a[0] != TYPE_NUMERIC) {
            if (a[0] == TYPE_FLOAT4 || a[0] == TYPE_FLOAT8) return false;
            a[0] = TYPE_NUMERIC;
        }
        if (is_unknownish(a[1]) || type_is_int(a[1])) a[1] = TYPE_INT4; else return false;
    }
    *r = a[0];
    return true;
}
/* trunc(x) as round(x), but for an untyped x: PostgreSQL's trunc has
 * forms of two type categories (numbers, macaddr), so it cannot choose
 * (42725, *r TYPE_UNKNOWN) */
static bool r_trunc(TypeId *a, int n, TypeId *r)
{
    if (n == 1 && is_unknownish(a[0])) {
        *r = TYPE_UNKNOWN;
        return false;
    }
    return r_round(a, n, r);
}
static bool r_same_common(TypeId *a, int n, TypeId *r)
{
    TypeId t = TYPE_UNKNOWN;
    bool have = false;
    for (int i = 0; i < n; i++) {
        if (is_unknownish(a[i])) continue;
        if (!have) { t = a[i]; have = true; continue; }
        if (!type_common(t, a[i], &t)) return false;
    }
    if (!have) t = TYPE_TEXT;
    for (int i = 0; i < n; i++) a[i] = t;
    *r = t;
    return true;
}
static bool r_any_text(TypeId *a, int n, TypeId *r)
{
    for (int i = 0; i < n; i++) if (is_unknownish(a[i])) a[i] = TYPE_TEXT;
    *r = TYPE_TEXT;
    return true;
}
/* (text, text, int) -> text: split_part */
static bool r_text_text_int(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    for (int i = 0; i < 2; i++) {
        if (is_unknownish(a[i]) || type_is_string(a[i])) a[i] = TYPE_TEXT; else return false;
    }
    if (is_unknownish(a[2]) || type_is_int(a[2])) a[2] = TYPE_INT4; else return false;
    *r = TYPE_TEXT;
    return true;
}
/* (text, any, ...) -> text: concat_ws */
static bool r_concat_ws(TypeId *a, int n, TypeId *r)
{
    if (is_unknownish(a[0]) || type_is_string(a[0])) a[0] = TYPE_TEXT; else return false;
    return r_any_text(a + 1, n - 1, r);
}
/* (text, int [, text]) -> text: lpad, rpad */
static bool r_pad(TypeId *a, int n, TypeId *r)
{
    if (is_unknownish(a[0]) || type_is_string(a[0])) a[0] = TYPE_TEXT; else return false;
    if (is_unknownish(a[1]) || type_is_int(a[1])) a[1] = TYPE_INT4; else return false;
    if (n == 3) {
        if (is_unknownish(a[2]) || type_is_string(a[2])) a[2] = TYPE_TEXT; else return false;
    }
    *r = TYPE_TEXT;
    return true;
}
/* (text, text) -> bool: starts_with */
static bool r_text_text_bool(TypeId *a, int n, TypeId *r)
{
    if (!r_text_text(a, n, r)) return false;
    *r = TYPE_BOOL;
    return true;
}
static bool r_tstz_int8(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (is_unknownish(a[0]) || a[0] == TYPE_TIMESTAMP || a[0] == TYPE_DATE) a[0] = TYPE_TIMESTAMPTZ;
    if (a[0] != TYPE_TIMESTAMPTZ) return false;
    *r = TYPE_INT8;
    return true;
}
static bool r_int8_tstz(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (is_unknownish(a[0]) || type_is_int(a[0])) a[0] = TYPE_INT8; else return false;
    *r = TYPE_TIMESTAMPTZ;
    return true;
}

/* ---------------------------------------------------------------- helpers */

static ValueCtx vctx(EvalEnv *env)
{
    ValueCtx vc = env->sql->vctx;
    vc.arena = env->sql->row;
    return vc;
}

static int any_null(const Value *a, int n)
{
    for (int i = 0; i < n; i++) if (a[i].isnull) return 1;
    return 0;
}

static Value text_out(EvalEnv *env, const char *p, size_t n)
{
    char *c = arena_strndup(env->sql->row, p, n);
    return c ? val_text(TYPE_TEXT, c, (u32)n) : val_null(TYPE_TEXT);
}

/* An identifier as a name value (current_user and co.), cut to 63 bytes. */
static Value name_out(EvalEnv *env, const char *p)
{
    size_t n = strlen(p);
    if (n > NAME_MAX_BYTES) {
        n = NAME_MAX_BYTES;
        while (n > 0 && ((u8)p[n] & 0xc0) == 0x80) n--;
    }
    Value v = text_out(env, p, n);
    v.type = TYPE_NAME;
    return v;
}

/* ---------------------------------------------------------------- impls */

static int f_now(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    *out = val_int(TYPE_TIMESTAMPTZ, ts_from_unix_us(env->sql->txn_time_us));
    return DD_OK;
}
static int f_stmt_ts(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    *out = val_int(TYPE_TIMESTAMPTZ, ts_from_unix_us(env->sql->stmt_time_us));
    return DD_OK;
}
static int f_clock_ts(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(env); DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    *out = val_int(TYPE_TIMESTAMPTZ, ts_from_unix_us(clock_wall_us()));
    return DD_OK;
}
/* timeofday(): the wall clock now as text in the session zone, as
 * PostgreSQL's "%a %b %d %H:%M:%S.ffffff %Y %Z" ("Thu Dec 03 16:45:12.123456 2026 UTC") */
static int f_timeofday(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    static const char *const wday[7] = {"Sat", "Sun", "Mon", "Tue", "Wed", "Thu", "Fri"};   /* from 2000-01-01 */
    static const char *const mon[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    ValueCtx vc = vctx(env);
    i64 utc = ts_from_unix_us(clock_wall_us());
    i64 local = utc + (i64)tz_offset_at(&vc, utc) * 1000000;
    i64 day = local / 86400000000LL - (local % 86400000000LL < 0), us = local - day * 86400000000LL, y;
    int m, d;
    civil_from_days(day, &y, &m, &d);
    char abbr[32], buf[96];
    tz_abbrev_at(&vc, utc, abbr, sizeof abbr);
    int len = snprintf(buf, sizeof buf, "%s %s %02d %02d:%02d:%02d.%06d %lld %s", wday[((day % 7) + 7) % 7], mon[m - 1], d,
                       (int)(us / 3600000000LL), (int)(us / 60000000 % 60), (int)(us / 1000000 % 60), (int)(us % 1000000),
                       (long long)y, abbr);
    *out = text_out(env, buf, (size_t)DD_MAX(len, 0));
    return DD_OK;
}
static int f_localts(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    ValueCtx vc = vctx(env);
    i64 ts = ts_from_unix_us(env->sql->txn_time_us);
    *out = val_int(TYPE_TIMESTAMP, ts + (i64)tz_offset_at(&vc, ts) * 1000000);
    return DD_OK;
}
/* current_time (a timetz in the session zone) and localtime (a time):
 * the transaction's start */
static int f_current_time(EvalEnv *env, const Value *a, int n, Value *out, int loc, bool tz)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    ValueCtx vc = vctx(env);
    i64 ts = ts_from_unix_us(env->sql->txn_time_us);
    i32 off = tz_offset_at(&vc, ts);
    i64 local = ts + (i64)off * 1000000, day = 86400LL * 1000000;
    i64 us = local % day;
    if (us < 0) us += day;
    *out = tz ? val_int(TYPE_TIMETZ, timetz_pack(us, off)) : val_int(TYPE_TIME, us);
    return DD_OK;
}
static int f_curtime(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ return f_current_time(env, a, n, out, loc, true); }
static int f_localtime(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ return f_current_time(env, a, n, out, loc, false); }

static int f_current_date(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    Value ts;
    f_localts(env, a, n, &ts, loc);
    i64 d = ts.v.i / 86400000000LL;
    if (ts.v.i < 0 && ts.v.i % 86400000000LL) d--;
    *out = val_int(TYPE_DATE, d);
    return DD_OK;
}
static int f_user(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    const SqlCtx *c = env->sql;
    *out = name_out(env, c->role ? c->role : c->user ? c->user : "driftdb");
    return DD_OK;
}
static int f_session_user(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    *out = name_out(env, env->sql->user ? env->sql->user : "driftdb");
    return DD_OK;
}
static int f_version(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    static const char v[] = "PostgreSQL 15.0 (DriftDB 0.1.0), an append-only SQL database with time travel";
    *out = text_out(env, v, sizeof(v) - 1);
    return DD_OK;
}
static int f_drift_seq(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    *out = val_int(TYPE_INT8, (i64)snap_seq(env->sql->snap));
    return DD_OK;
}
/* The seq of the last transaction this session committed (NULL before
 * its first): what a client that just committed reads to know its seq,
 * which drift_seq() does not tell once other sessions commit too. */
static int f_drift_last_commit_seq(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    u64 seq = env->sql->last_commit_seq;
    *out = seq ? val_int(TYPE_INT8, (i64)seq) : val_null(TYPE_INT8);
    return DD_OK;
}
static int f_drift_seq_at(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null(TYPE_INT8); return DD_OK; }
    /* a commit in flight when the snapshot was taken may fall at or before
     * the point: the answer is then the present's, for good */
    /* running: rows read may point into the map, so it stays pinned */
    u64 later, seq = store_seq_at_time_ex(env->sql->snap, ts_to_unix_us(a[0].v.i), false, &later);
    *out = val_int(TYPE_INT8, (i64)(later && later != UINT64_MAX ? later : seq));
    return DD_OK;
}
static int f_drift_time_of(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n);
    if (a[0].isnull) { *out = val_null(TYPE_TIMESTAMPTZ); return DD_OK; }
    i64 us;
    if (a[0].v.i <= 0 || (u64)a[0].v.i > snap_seq(env->sql->snap))
        return dd_err(env->sql->err, DD_EINVALID_PARAM, loc, "seq %lld does not exist (head is %llu)",
                      (long long)a[0].v.i, (unsigned long long)snap_seq(env->sql->snap));
    int rc = store_seq_time(env->sql->snap, (u64)a[0].v.i, &us, env->sql->err);
    if (rc) return rc;
    *out = val_int(TYPE_TIMESTAMPTZ, ts_from_unix_us(us));
    return DD_OK;
}

/* driftdb doctor's figures, read from the database file and LMDB's
 * reader table now: the format version and the database id of the meta
 * record, and the reader slots (in use, owned by processes that are gone,
 * the table's size). */
static int f_drift_format_version(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    u32 version;
    u8 id[16];
    int rc = store_meta_db(env->sql->snap, &version, id, env->sql->err);
    if (rc) return rc;
    *out = val_int(TYPE_INT4, (i64)version);
    return DD_OK;
}
static int f_drift_database_id(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    u32 version;
    u8 *id = arena_alloc(env->sql->row, 16);
    if (!id) return DD_ENOMEM;
    int rc = store_meta_db(env->sql->snap, &version, id, env->sql->err);
    if (rc) return rc;
    *out = val_text(TYPE_UUID, (const char *)id, 16);
    return DD_OK;
}
static int reader_slots(EvalEnv *env, Value *out, char which)
{
    StoreReaders r;
    int rc = store_readers(env->sql->store, &r, env->sql->err);
    if (rc) return rc;
    *out = val_int(TYPE_INT4, which == 'u' ? r.used : which == 's' ? r.stale : r.max);
    return DD_OK;
}
/* drift_stat_commits / _batches / _flushes(): the store's counts since it
 * was opened (commits, LMDB write transactions, fdatasync calls). */
static int store_stat(EvalEnv *env, Value *out, char which)
{
    StoreStats st;
    store_stats(env->sql->store, &st);
    *out = val_int(TYPE_INT8, (i64)(which == 'c' ? st.commits : which == 'b' ? st.batches : st.flushes));
    return DD_OK;
}
static int f_drift_stat_commits(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    return store_stat(env, out, 'c');
}
static int f_drift_stat_batches(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    return store_stat(env, out, 'b');
}
static int f_drift_stat_flushes(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    return store_stat(env, out, 'f');
}
/* drift_head(): (seq, hash) of the newest commit the statement sees, the
 * anchor to keep elsewhere for VERIFY ... EXPECT HASH 'hash' AT SEQ seq;
 * (0, NULL) before the first commit. */
static bool r_record(TypeId *a, int n, TypeId *r) { DD_UNUSED(a); DD_UNUSED(n); *r = TYPE_RECORD; return true; }
static int f_drift_head(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    u64 seq = snap_seq(env->sql->snap);
    Value f[2] = {val_int(TYPE_INT8, (i64)seq), val_null(TYPE_TEXT)};
    if (seq) {
        LogRecord rec;
        int rc = store_log_get(env->sql->snap, seq, env->sql->row, &rec, env->sql->err);
        if (rc < 0) return -rc;
        if (rc == 0) return dd_err(env->sql->err, DD_ECORRUPT, -1, "the log has no record of its head, seq %llu",
                                   (unsigned long long)seq);
        char *hex = arena_alloc(env->sql->row, 65);
        if (!hex) return DD_ENOMEM;
        for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", rec.hash[i]);
        f[1] = val_text(TYPE_TEXT, hex, 64);
    }
    static const char *const names[] = {"seq", "hash"};
    return record_make(2, names, f, env->sql->row, out);
}
static int f_drift_reader_slots_used(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    return reader_slots(env, out, 'u');
}
static int f_drift_reader_slots_stale(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    return reader_slots(env, out, 's');
}
static int f_drift_reader_slots_max(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    return reader_slots(env, out, 'm');
}

/* The C.UTF-8 locale for towupper_l / towlower_l: Unicode case mapping
 * without touching the process locale.  NULL if the system lacks it
 * (then only ASCII letters change case). */
static locale_t utf8_locale(void)
{
    static _Atomic(locale_t) loc;
    locale_t l = atomic_load(&loc);
    if (!l) {
        locale_t n = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
        if (!n) return (locale_t)0;
        locale_t expected = (locale_t)0;
        if (!atomic_compare_exchange_strong(&loc, &expected, n)) { freelocale(n); return expected; }
        l = n;
    }
    return l;
}

static int f_lower_upper(EvalEnv *env, const Value *a, Value *out, bool up)
{
    if (a[0].isnull) { *out = val_null(TYPE_TEXT); return DD_OK; }
    const unsigned char *p = (const unsigned char *)a[0].v.s.p;
    u32 n = a[0].v.s.len;
    /* a changed letter may need one more byte (at most 4 per 3 in UTF-8) */
    char *c = arena_alloc(env->sql->row, (size_t)n * 2 + 4);
    if (!c) return DD_ENOMEM;
    locale_t loc = utf8_locale();
    u32 o = 0;
    for (u32 i = 0; i < n;) {
        unsigned char ch = p[i];
        if (ch < 0x80) {
            c[o++] = (char)(up ? toupper(ch) : tolower(ch));
            i++;
            continue;
        }
        /* decode one sequence (the text is valid UTF-8) */
        int len = ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : 2;
        if (i + (u32)len > n || !loc) { c[o++] = (char)ch; i++; continue; }
        u32 cp = ch & (0xFF >> (len + 1));
        for (int k = 1; k < len; k++) cp = (cp << 6) | (p[i + k] & 0x3F);
        u32 m = (u32)(up ? towupper_l((wint_t)cp, loc) : towlower_l((wint_t)cp, loc));
        if (m < 0x80) c[o++] = (char)m;
        else if (m < 0x800) { c[o++] = (char)(0xC0 | (m >> 6)); c[o++] = (char)(0x80 | (m & 0x3F)); }
        else if (m < 0x10000) {
            c[o++] = (char)(0xE0 | (m >> 12)); c[o++] = (char)(0x80 | ((m >> 6) & 0x3F)); c[o++] = (char)(0x80 | (m & 0x3F));
        } else {
            c[o++] = (char)(0xF0 | (m >> 18)); c[o++] = (char)(0x80 | ((m >> 12) & 0x3F));
            c[o++] = (char)(0x80 | ((m >> 6) & 0x3F)); c[o++] = (char)(0x80 | (m & 0x3F));
        }
        i += (u32)len;
    }
    c[o] = 0;
    *out = val_text(TYPE_TEXT, c, o);
    return DD_OK;
}

static int f_lower(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return f_lower_upper(env, a, out, false); }
static int f_upper(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return f_lower_upper(env, a, out, true); }

/* initcap(s): the first letter of each word upper case, the others lower
 * case; words are runs of letters and digits (Unicode's, as upper()) */
static int f_initcap(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null(TYPE_TEXT); return DD_OK; }
    const unsigned char *p = (const unsigned char *)a[0].v.s.p;
    u32 len = a[0].v.s.len;
    char *c = arena_alloc(env->sql->row, (size_t)len * 2 + 4);
    if (!c) return DD_ENOMEM;
    locale_t loc8 = utf8_locale();
    bool in_word = false;
    u32 o = 0;
    for (u32 i = 0; i < len;) {
        unsigned char ch = p[i];
        int l = ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : ch >= 0xC0 ? 2 : 1;
        if (i + (u32)l > len) l = 1;
        u32 cp = l == 1 ? ch : ch & (0xFF >> (l + 1));
        for (int k = 1; k < l; k++) cp = (cp << 6) | (p[i + k] & 0x3F);
        bool alnum = cp < 0x80 ? isalnum((int)cp) != 0 : loc8 && iswalnum_l((wint_t)cp, loc8);
        u32 m = cp;
        if (cp < 0x80) m = (u32)(in_word ? tolower((int)cp) : toupper((int)cp));
        else if (loc8) m = (u32)(in_word ? towlower_l((wint_t)cp, loc8) : towupper_l((wint_t)cp, loc8));
        in_word = alnum;
        if (m < 0x80) c[o++] = (char)m;
        else if (m < 0x800) { c[o++] = (char)(0xC0 | (m >> 6)); c[o++] = (char)(0x80 | (m & 0x3F)); }
        else if (m < 0x10000) {
            c[o++] = (char)(0xE0 | (m >> 12)); c[o++] = (char)(0x80 | ((m >> 6) & 0x3F)); c[o++] = (char)(0x80 | (m & 0x3F));
        } else {
            c[o++] = (char)(0xF0 | (m >> 18)); c[o++] = (char)(0x80 | ((m >> 12) & 0x3F));
            c[o++] = (char)(0x80 | ((m >> 6) & 0x3F)); c[o++] = (char)(0x80 | (m & 0x3F));
        }
        i += (u32)l;
    }
    c[o] = 0;
    *out = val_text(TYPE_TEXT, c, o);
    return DD_OK;
}

static i64 utf8_len(const char *p, u32 n)
{
    i64 c = 0;
    for (u32 i = 0; i < n; i++) if (((unsigned char)p[i] & 0xC0) != 0x80) c++;
    return c;
}
/* byte offset of character index ci (0-based), clamped */
static u32 utf8_off(const char *p, u32 n, i64 ci)
{
    if (ci <= 0) return 0;
    i64 c = 0;
    for (u32 i = 0; i < n; i++) {
        if (((unsigned char)p[i] & 0xC0) != 0x80) {
            if (c == ci) return i;
            c++;
        }
    }
    return n;
}

static int f_length(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(env); DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null(TYPE_INT4); return DD_OK; }
    u32 len = a[0].v.s.len;
    if (a[0].type == TYPE_BYTEA) { *out = val_int(TYPE_INT4, len); return DD_OK; }
    if (a[0].type == TYPE_BPCHAR) while (len && a[0].v.s.p[len - 1] == ' ') len--;
    *out = val_int(TYPE_INT4, utf8_len(a[0].v.s.p, len));
    return DD_OK;
}
static int f_octet_length(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(env); DD_UNUSED(n); DD_UNUSED(loc);
    *out = a[0].isnull ? val_null(TYPE_INT4) : val_int(TYPE_INT4, a[0].v.s.len);
    return DD_OK;
}
static int f_substr(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    if (any_null(a, n)) { *out = val_null(TYPE_TEXT); return DD_OK; }
    const char *p = a[0].v.s.p;
    u32 len = a[0].v.s.len;
    i64 start = a[1].v.i;              /* 1-based */
    i64 total = utf8_len(p, len);
    i64 end = total + 1;               /* exclusive, 1-based */
    if (n == 3) {
        if (a[2].v.i < 0)
            return dd_err(env->sql->err, DD_ESUBSTRING_NEG, loc, "negative substring length not allowed");
        end = start + a[2].v.i;
    }
    if (start < 1) start = 1;
    if (end > total + 1) end = total + 1;
    if (end <= start) { *out = text_out(env, "", 0); return DD_OK; }
    u32 b0 = utf8_off(p, len, start - 1), b1 = utf8_off(p, len, end - 1);
    *out = text_out(env, p + b0, b1 - b0);
    return DD_OK;
}
static int f_trim_impl(EvalEnv *env, const Value *a, int n, Value *out, bool left, bool right)
{
    if (any_null(a, n)) { *out = val_null(TYPE_TEXT); return DD_OK; }
    const char *set = n > 1 ? a[1].v.s.p : " ";
    u32 setn = n > 1 ? a[1].v.s.len : 1;
    const char *p = a[0].v.s.p;
    u32 s = 0, e = a[0].v.s.len;
    while (left && s < e && memchr(set, p[s], setn)) s++;
    while (right && e > s && memchr(set, p[e - 1], setn)) e--;
    *out = text_out(env, p + s, e - s);
    return DD_OK;
}
static int f_btrim(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return f_trim_impl(env, a, n, out, true, true); }
static int f_ltrim(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return f_trim_impl(env, a, n, out, true, false); }
static int f_rtrim(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return f_trim_impl(env, a, n, out, false, true); }

static int f_replace(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null(TYPE_TEXT); return DD_OK; }
    Buf b = BUF_INIT;
    const char *s = a[0].v.s.p, *from = a[1].v.s.p, *to = a[2].v.s.p;
    u32 sn = a[0].v.s.len, fn = a[1].v.s.len, tn = a[2].v.s.len;
    for (u32 i = 0; i < sn;) {
        if (fn && i + fn <= sn && memcmp(s + i, from, fn) == 0) { buf_append(&b, to, tn); i += fn; }
        else buf_putc(&b, (u8)s[i++]);
    }
    if (!buf_ok(&b)) { buf_free(&b); return DD_ENOMEM; }
    *out = text_out(env, (const char *)b.data, b.len);
    buf_free(&b);
    return DD_OK;
}
static int f_concat(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    ValueCtx vc = vctx(env);
    Buf b = BUF_INIT;
    for (int i = 0; i < n; i++) if (!a[i].isnull) val_to_text(&a[i], &vc, &b);
    if (!buf_ok(&b)) { buf_free(&b); return DD_ENOMEM; }
    *out = text_out(env, b.data ? (const char *)b.data : "", b.len);
    buf_free(&b);
    return DD_OK;
}
static int f_strpos(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(env); DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null(TYPE_INT4); return DD_OK; }
    const char *h = a[0].v.s.p, *nd = a[1].v.s.p;
    u32 hn = a[0].v.s.len, nn = a[1].v.s.len;
    i64 pos = 0;
    for (u32 i = 0; i + nn <= hn; i++) {
        if (memcmp(h + i, nd, nn) == 0) { pos = utf8_len(h, i) + 1; break; }
    }
    *out = val_int(TYPE_INT4, pos);
    return DD_OK;
}
static int f_left_right(EvalEnv *env, const Value *a, int n, Value *out, bool left)
{
    if (any_null(a, n)) { *out = val_null(TYPE_TEXT); return DD_OK; }
    const char *p = a[0].v.s.p;
    u32 len = a[0].v.s.len;
    i64 total = utf8_len(p, len), k = a[1].v.i;
    i64 keep = k >= 0 ? DD_MIN(k, total) : DD_MAX(total + k, 0);
    u32 b0, b1;
    if (left) { b0 = 0; b1 = utf8_off(p, len, keep); }
    else { b0 = utf8_off(p, len, total - keep); b1 = len; }
    *out = text_out(env, p + b0, b1 - b0);
    return DD_OK;
}
static int f_left(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return f_left_right(env, a, n, out, true); }
static int f_right(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return f_left_right(env, a, n, out, false); }
/* concat_ws(sep, x, ...): the non-NULL values joined by sep; NULL sep: NULL */
static int f_concat_ws(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null(TYPE_TEXT); return DD_OK; }
    ValueCtx vc = vctx(env);
    Buf b = BUF_INIT;
    bool first = true;
    for (int i = 1; i < n; i++) {
        if (a[i].isnull) continue;
        if (!first) buf_append(&b, a[0].v.s.p, a[0].v.s.len);
        val_to_text(&a[i], &vc, &b);
        first = false;
    }
    if (!buf_ok(&b)) { buf_free(&b); return DD_ENOMEM; }
    *out = text_out(env, b.data ? (const char *)b.data : "", b.len);
    buf_free(&b);
    return DD_OK;
}
/* split_part(s, delim, n): field n (from the end when negative) */
static int f_split_part(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    if (any_null(a, n)) { *out = val_null(TYPE_TEXT); return DD_OK; }
    i64 k = a[2].v.i;
    if (k == 0) return dd_err(env->sql->err, DD_EINVALID_PARAM, loc, "field position must not be zero");
    const char *s = a[0].v.s.p, *d = a[1].v.s.p;
    u32 sn = a[0].v.s.len, dn = a[1].v.s.len;
    if (dn == 0) {   /* the whole string is the one field */
        *out = (k == 1 || k == -1) ? text_out(env, s, sn) : text_out(env, "", 0);
        return DD_OK;
    }
    /* field boundaries */
    i64 nf = 1;
    for (u32 i = 0; i + dn <= sn;) {
        if (memcmp(s + i, d, dn) == 0) { nf++; i += dn; } else i++;
    }
    if (k < 0) k = nf + k + 1;
    if (k < 1 || k > nf) { *out = text_out(env, "", 0); return DD_OK; }
    i64 f = 1;
    u32 start = 0;
    for (u32 i = 0; i + dn <= sn;) {
        if (memcmp(s + i, d, dn) == 0) {
            if (f == k) { *out = text_out(env, s + start, i - start); return DD_OK; }
            f++;
            i += dn;
            start = i;
        } else {
            i++;
        }
    }
    *out = text_out(env, s + start, sn - start);
    return DD_OK;
}
/* reverse(s), by character */
static int f_reverse(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null(TYPE_TEXT); return DD_OK; }
    const char *s = a[0].v.s.p;
    u32 sn = a[0].v.s.len;
    char *c = arena_alloc(env->sql->row, (size_t)sn + 1);
    if (!c) return DD_ENOMEM;
    u32 w = sn;
    for (u32 i = 0; i < sn;) {
        u32 j = i + 1;
        while (j < sn && ((unsigned char)s[j] & 0xC0) == 0x80) j++;
        w -= j - i;
        memcpy(c + w, s + i, j - i);
        i = j;
    }
    c[sn] = 0;
    *out = val_text(TYPE_TEXT, c, sn);
    return DD_OK;
}
static int f_starts_with(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(env); DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null(TYPE_BOOL); return DD_OK; }
    *out = val_bool(a[1].v.s.len <= a[0].v.s.len && memcmp(a[0].v.s.p, a[1].v.s.p, a[1].v.s.len) == 0);
    return DD_OK;
}
/* lpad / rpad(s, len [, fill]): to len characters, cut from the right when
 * longer; an empty fill pads nothing */
static int f_pad(EvalEnv *env, const Value *a, int n, Value *out, int loc, bool left)
{
    if (any_null(a, n)) { *out = val_null(TYPE_TEXT); return DD_OK; }
    const char *s = a[0].v.s.p, *fill = n == 3 ? a[2].v.s.p : " ";
    u32 sn = a[0].v.s.len, fn = n == 3 ? a[2].v.s.len : 1;
    i64 len = a[1].v.i, have = utf8_len(s, sn);
    if (len <= 0) { *out = text_out(env, "", 0); return DD_OK; }
    if (len > (1 << 28)) return dd_err(env->sql->err, DD_EPROGRAM_LIMIT, loc, "requested length too large");
    if (have >= len || fn == 0) { *out = text_out(env, s, utf8_off(s, sn, len)); return DD_OK; }
    i64 need = len - have, fchars = utf8_len(fill, fn);
    Buf b = BUF_INIT;
    if (!left) buf_append(&b, s, sn);
    for (i64 k = 0; k < need; k++) {
        u32 o0 = utf8_off(fill, fn, k % fchars), o1 = utf8_off(fill, fn, k % fchars + 1);
        buf_append(&b, fill + o0, o1 - o0);
    }
    if (left) buf_append(&b, s, sn);
    if (!buf_ok(&b)) { buf_free(&b); return DD_ENOMEM; }
    *out = text_out(env, (const char *)b.data, b.len);
    buf_free(&b);
    return DD_OK;
}
static int f_lpad(EvalEnv *env, const Value *a, int n, Value *out, int loc) { return f_pad(env, a, n, out, loc, true); }
static int f_rpad(EvalEnv *env, const Value *a, int n, Value *out, int loc) { return f_pad(env, a, n, out, loc, false); }
static int f_repeat(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    if (any_null(a, n)) { *out = val_null(TYPE_TEXT); return DD_OK; }
    i64 k = a[1].v.i < 0 ? 0 : a[1].v.i;
    if ((u64)k * a[0].v.s.len > (1u << 30))
        return dd_err(env->sql->err, DD_EPROGRAM_LIMIT, loc, "requested length too large");
    size_t total = (size_t)k * a[0].v.s.len;
    char *c = arena_alloc(env->sql->row, total + 1);
    if (!c) return DD_ENOMEM;
    for (i64 i = 0; i < k; i++) memcpy(c + (size_t)i * a[0].v.s.len, a[0].v.s.p, a[0].v.s.len);
    c[total] = 0;
    *out = val_text(TYPE_TEXT, c, (u32)total);
    return DD_OK;
}

static int f_abs(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = a[0]; return DD_OK; }
    Value zero = val_int(TYPE_INT4, 0);
    ValueCtx vc = vctx(env);
    if (val_compare(&a[0], &zero, &vc) < 0) return val_negate(&a[0], out, env->sql->err);
    *out = a[0];
    return DD_OK;
}

static int round_impl(EvalEnv *env, const Value *a, int n, Value *out, bool trunc_)
{
    if (any_null(a, n)) { *out = val_null((TypeId)a[0].type); return DD_OK; }
    if (a[0].type == TYPE_NUMERIC && numeric_is_special(a[0].scale)) { *out = a[0]; return DD_OK; }
    if (a[0].type == TYPE_NUMERIC &&
        (numeric_is_big(a[0].scale) || (n == 2 && (a[1].v.i > NUMERIC_MAX_SCALE || a[1].v.i < -NUMERIC_MAX_SCALE)))) {
        /* any size: PostgreSQL 15 limits the scale asked for to what a
         * numeric holds, -(NUMERIC_WEIGHT_MAX + 1) * DEC_DIGITS - 1 =
         * -131073 (a digit more, for one rounded up: 22003 past the
         * range) .. NUMERIC_DSCALE_MAX = 16383 */
        i64 s = n == 2 ? a[1].v.i : 0;
        s = DD_MAX(DD_MIN(s, 16383), -131073);
        return numeric_big_round(&a[0], (long)s, trunc_, env->sql->row, out, env->sql->err);
    }
    if (a[0].type == TYPE_NUMERIC) {
        int scale = n == 2 ? (int)a[1].v.i : 0;
        if (scale > NUMERIC_MAX_SCALE) scale = NUMERIC_MAX_SCALE;
        i128 c = a[0].v.coef;
        int s = a[0].scale;
        if (scale < 0) {
            /* round(1234.5, -2) = 1200: to a multiple of 10^-scale */
            int drop = s - scale;            /* digits to remove */
            if (drop > 38) { *out = val_numeric(0, 0); return DD_OK; }
            i128 p = 1;
            for (int i = 0; i < drop; i++) p *= 10;
            i128 q = c / p, r = c % p;
            if (!trunc_ && (r >= p / 2 || -r >= p / 2) && r != 0) q += c < 0 ? -1 : 1;
            i128 m = 1;
            for (int i = 0; i < -scale; i++) m *= 10;
            if (q > 0 ? q > ((i128)1 << 124) / m : q < -(((i128)1 << 124) / m))
                return numeric_big_round(&a[0], scale, trunc_, env->sql->row, out, env->sql->err);
            *out = val_numeric(q * m, 0);
            return DD_OK;
        }
        if (trunc_ && s > scale) {
            for (int i = s; i > scale; i--) c /= 10;
            *out = val_numeric(c, scale);
            return DD_OK;
        }
        if (numeric_rescale(c, s, scale, &c, NULL) != DD_OK)   /* more than 38 digits */
            return numeric_big_round(&a[0], scale, trunc_, env->sql->row, out, env->sql->err);
        *out = val_numeric(c, scale);
        return DD_OK;
    }
    double d = a[0].v.f;
    *out = val_float((TypeId)a[0].type, trunc_ ? trunc(d) : nearbyint(d));
    if (!trunc_) {
        /* PostgreSQL's float round() rounds half to even (rint) */
        out->v.f = rint(d);
    }
    return DD_OK;
}
static int f_round(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return round_impl(env, a, n, out, false); }
static int f_trunc(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return round_impl(env, a, n, out, true); }

static int floorceil(EvalEnv *env, const Value *a, Value *out, bool ceil_)
{
    if (a[0].isnull) { *out = a[0]; return DD_OK; }
    if (a[0].type == TYPE_NUMERIC && numeric_is_special(a[0].scale)) { *out = a[0]; return DD_OK; }
    if (a[0].type == TYPE_NUMERIC && numeric_is_big(a[0].scale)) {
        /* trunc, then one toward the side asked for when digits were dropped */
        Value t, one = val_int(TYPE_INT4, ceil_ ? 1 : -1);
        ValueCtx vc = vctx(env);
        int rc = numeric_big_round(&a[0], 0, true, env->sql->row, &t, env->sql->err);
        if (rc) return rc;
        int c = val_compare(&t, &a[0], &vc);
        if ((ceil_ && c < 0) || (!ceil_ && c > 0))
            return numeric_value_arith(ARITH_ADD, &t, &one, env->sql->row, out, env->sql->err);
        *out = t;
        return DD_OK;
    }
    if (a[0].type == TYPE_NUMERIC) {
        i128 c = a[0].v.coef, p = 1;
        for (int i = 0; i < a[0].scale; i++) p *= 10;
        i128 q = c / p, r = c % p;
        if (r != 0 && ((c > 0) == ceil_)) q += ceil_ ? 1 : -1;
        else if (r != 0 && c < 0 && !ceil_) q -= 0;
        *out = val_numeric(q, 0);
        return DD_OK;
    }
    if (type_is_int((TypeId)a[0].type)) { *out = a[0]; return DD_OK; }
    DD_UNUSED(env);
    *out = val_float((TypeId)a[0].type, ceil_ ? ceil(a[0].v.f) : floor(a[0].v.f));
    return DD_OK;
}
static int f_floor(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return floorceil(env, a, out, false); }
static int f_ceil(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return floorceil(env, a, out, true); }

static int f_sqrt(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n);
    if (a[0].isnull) { *out = val_null((TypeId)a[0].type); return DD_OK; }
    bool num = a[0].type == TYPE_NUMERIC;
    if (num && numeric_is_special(a[0].scale)) {
        /* NaN and Infinity are their own roots; -Infinity is negative */
        if (a[0].scale == NUMERIC_NINF)
            return dd_err(env->sql->err, DD_EINVALID_ARGUMENT_FUNC, loc, "cannot take square root of a negative number");
        *out = a[0];
        return DD_OK;
    }
    if (num && numeric_is_big(a[0].scale)) return numeric_big_sqrt(&a[0], env->sql->row, out, env->sql->err);
    double x = num ? numeric_to_double(a[0].v.coef, a[0].scale) : a[0].v.f;
    if (x < 0)
        return dd_err(env->sql->err, DD_EINVALID_ARGUMENT_FUNC, loc, "cannot take square root of a negative number");
    if (!num) { *out = val_float(TYPE_FLOAT8, sqrt(x)); return DD_OK; }
    /* numeric: PostgreSQL's result scale, from the argument's weight in
     * base-10000 digits (sqrt(2::numeric) = 1.414213562373095,
     * sqrt(1e-10) = 0.000010000000000000000), the root exact and rounded */
    int scale = a[0].scale;
    {
        int d10 = x > 0 ? (int)floor(log10(x)) : 0;   /* zero has weight 0 */
        int weight = d10 >= 0 ? d10 / 4 : -((-d10 + 3) / 4);
        int sweight = (weight + 1) * 2 - 1;
        if (16 - sweight > scale) scale = 16 - sweight;
    }
    if (scale < 0) scale = 0;
    if (scale > NUMERIC_MAX_SCALE) scale = NUMERIC_MAX_SCALE;
    i128 c;
    int cs;
    int rc = numeric_sqrt_at(a[0].v.coef, a[0].scale, scale, &c, &cs, env->sql->err);
    if (!rc) *out = val_numeric(c, cs);
    return rc;
}

/* sqrt: numeric for exact arguments, double precision otherwise */
static bool r_sqrt(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (a[0] == TYPE_NUMERIC) a[0] = TYPE_NUMERIC;
    else if (is_unknownish(a[0]) || type_is_numeric(a[0])) a[0] = TYPE_FLOAT8;
    else return false;
    *r = a[0];
    return true;
}

/* power: numeric when an argument is numeric and none is a float, double
 * precision otherwise (power(2, 10) is double precision in PostgreSQL) */
static bool r_power(TypeId *a, int n, TypeId *r)
{
    bool exact = false;
    for (int i = 0; i < n; i++) {
        if (!is_unknownish(a[i]) && !type_is_numeric(a[i])) return false;
        if (a[i] == TYPE_NUMERIC) exact = true;
    }
    for (int i = 0; i < n; i++)
        if (a[i] == TYPE_FLOAT4 || a[i] == TYPE_FLOAT8) exact = false;
    for (int i = 0; i < n; i++) a[i] = exact ? TYPE_NUMERIC : TYPE_FLOAT8;
    *r = exact ? TYPE_NUMERIC : TYPE_FLOAT8;
    return true;
}

static int f_power(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null(TYPE_FLOAT8); return DD_OK; }
    ValueCtx vc = vctx(env);
    return val_arith(ARITH_POW, &a[0], &a[1], &vc, out, env->sql->err);
}
static int f_mod(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null((TypeId)a[0].type); return DD_OK; }
    ValueCtx vc = vctx(env);
    return val_arith(ARITH_MOD, &a[0], &a[1], &vc, out, env->sql->err);
}
static bool r_mod(TypeId *a, int n, TypeId *r)
{
    if (!r_same_common(a, n, r)) return false;
    if (!type_is_int(*r) && *r != TYPE_NUMERIC) return false;
    return true;
}
static int f_nullif(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    ValueCtx vc = vctx(env);
    if (!a[0].isnull && !a[1].isnull && val_compare(&a[0], &a[1], &vc) == 0) *out = val_null((TypeId)a[0].type);
    else *out = a[0];
    return DD_OK;
}
static int greatest_least(EvalEnv *env, const Value *a, int n, Value *out, bool greatest)
{
    ValueCtx vc = vctx(env);
    int best = -1;
    for (int i = 0; i < n; i++) {
        if (a[i].isnull) continue;
        if (best < 0) { best = i; continue; }
        int c = val_compare(&a[i], &a[best], &vc);
        if (greatest ? c > 0 : c < 0) best = i;
    }
    *out = best < 0 ? val_null((TypeId)a[0].type) : a[best];
    return DD_OK;
}
static int f_greatest(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return greatest_least(env, a, n, out, true); }
static int f_least(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return greatest_least(env, a, n, out, false); }

/* length() and octet_length() see char(n) padding, so string types are
 * not converted to text (which would strip it); bytea counts bytes */
static bool r_length(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (is_unknownish(a[0])) a[0] = TYPE_TEXT;
    if (!type_is_string(a[0]) && a[0] != TYPE_BYTEA) return false;
    *r = TYPE_INT4;
    return true;
}
static bool r_strpos(TypeId *a, int n, TypeId *r) { return r_text_int(a, n, r); }


/* ---------------------------------------------------------------- date parts */

#define USEC_DAY 86400000000LL

/* The timestamp of v on the local time line (µs since 2000-01-01). */
static i64 local_ts(EvalEnv *env, const Value *v)
{
    if (v->type == TYPE_DATE) return v->v.i * USEC_DAY;
    if (v->type == TYPE_TIMESTAMPTZ) { ValueCtx vc = vctx(env); return ts_utc_to_local(&vc, v->v.i); }
    return v->v.i;
}

/* extract(field from x) and date_part(field, x) (types/datefunc.c) */
static int date_part(EvalEnv *env, const Value *a, Value *out, bool as_float)
{
    if (any_null(a, 2)) { *out = val_null(as_float ? TYPE_FLOAT8 : TYPE_NUMERIC); return DD_OK; }
    ValueCtx vc = vctx(env);
    return datefn_part(a[0].v.s.p, a[0].v.s.len, &a[1], &vc, as_float, out, env->sql->err);
}
static int f_extract(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return date_part(env, a, out, false); }
static int f_date_part(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return date_part(env, a, out, true); }

/* extract / date_part (field, x): an untyped x is 42725 (*r
 * TYPE_UNKNOWN), as PostgreSQL cannot choose among their forms of two type
 * categories (date and time, interval) */
static bool r_part(TypeId *a, int n, TypeId *r, TypeId ret)
{
    DD_UNUSED(n);
    if (is_unknownish(a[0]) || type_is_string(a[0])) a[0] = TYPE_TEXT; else return false;
    if (is_unknownish(a[1])) {
        *r = TYPE_UNKNOWN;
        return false;
    }
    if (!type_is_datetime(a[1]) && a[1] != TYPE_INTERVAL && a[1] != TYPE_TIME && a[1] != TYPE_TIMETZ) return false;
    *r = ret;
    return true;
}
static bool r_extract(TypeId *a, int n, TypeId *r) { return r_part(a, n, r, TYPE_NUMERIC); }
/* date_part(text, date) is date_part(text, date::timestamp) in PostgreSQL */
static bool r_date_part(TypeId *a, int n, TypeId *r)
{
    if (a[1] == TYPE_DATE) a[1] = TYPE_TIMESTAMP;
    return r_part(a, n, r, TYPE_FLOAT8);
}

static int zone_arg(EvalEnv *env, const Value *z, ValueCtx *zc);

/* date_trunc(unit, x [, zone]) (types/datefunc.c): an interval (a time
 * reaches it through its implicit cast) or a timestamp; a timestamptz is
 * truncated as a wall time in the session's zone or the one given, keeping
 * its offset below a day and taking the zone's at the result from a day up,
 * as PostgreSQL's timestamptz_trunc. */
static int f_date_trunc(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null((TypeId)a[1].type); return DD_OK; }
    DdError *err = env->sql->err;
    int rc;
    if (a[1].type == TYPE_INTERVAL) {
        Interval iv;
        if ((rc = datefn_trunc_interval(a[0].v.s.p, a[0].v.s.len, &a[1].v.iv, &iv, err))) return rc;
        *out = val_interval(iv);
        return DD_OK;
    }
    ValueCtx vc = vctx(env);
    if (n == 3 && (rc = zone_arg(env, &a[2], &vc))) return rc;
    bool tz = a[1].type == TYPE_TIMESTAMPTZ;
    i64 ts = tz ? ts_utc_to_local(&vc, a[1].v.i) : local_ts(env, &a[1]), r;
    bool below_day;
    if ((rc = datefn_trunc_timestamp(a[0].v.s.p, a[0].v.s.len, ts, type_name((TypeId)a[1].type), &r, &below_day, err)))
        return rc;
    if (!tz) *out = val_int(TYPE_TIMESTAMP, r);
    else if (below_day) *out = val_int(TYPE_TIMESTAMPTZ, a[1].v.i - (ts - r));   /* the same offset */
    else *out = val_int(TYPE_TIMESTAMPTZ, ts_local_to_utc(&vc, r));
    return DD_OK;
}

/* The zone argument of AT TIME ZONE / date_trunc as a context: text as
 * tz_zone_ctx reads it, or an interval of hours east (no months or days). */
static int zone_arg(EvalEnv *env, const Value *z, ValueCtx *zc)
{
    *zc = vctx(env);
    if (z->type == TYPE_INTERVAL) {
        if (z->v.iv.months || z->v.iv.days) {
            Buf b = BUF_INIT;
            val_to_text(z, zc, &b);
            int rc = dd_err(env->sql->err, DD_EINVALID_PARAM, -1, "interval time zone \"%s\" must not include months or days",
                            buf_ok(&b) ? buf_cstr(&b) : "?");
            buf_free(&b);
            return rc;
        }
        zc->tz_name = NULL;
        zc->tz_abbr = NULL;
        zc->tz_offset_s = (i32)(z->v.iv.usecs / 1000000);
        return DD_OK;
    }
    char *zs = arena_strndup(env->sql->row, z->v.s.p, z->v.s.len);
    if (!zs) return dd_err(env->sql->err, DD_ENOMEM, -1, "out of memory");
    return tz_zone_ctx(zs, zc, env->sql->err);
}

static bool ts_in_range(i64 ts)
{
    return ts >= days_from_civil(-4713, 11, 24) * USEC_DAY && ts < days_from_civil(294277, 1, 1) * USEC_DAY;
}

/* timezone(zone, x), which x AT TIME ZONE zone is: a timestamptz as the
 * wall time in zone (timestamp), a timestamp read as a wall time in zone
 * (timestamptz), a timetz moved to zone (its offset at the statement's
 * time for a zone with rules). */
static int f_timezone(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n);
    DD_UNUSED(loc);
    TypeId rt = a[1].type == TYPE_TIMESTAMPTZ ? TYPE_TIMESTAMP : a[1].type == TYPE_TIMESTAMP ? TYPE_TIMESTAMPTZ : TYPE_TIMETZ;
    if (any_null(a, 2)) { *out = val_null(rt); return DD_OK; }
    ValueCtx zc;
    int rc = zone_arg(env, &a[0], &zc);
    if (rc) return rc;
    i64 r;
    if (a[1].type == TYPE_TIMESTAMPTZ) {
        r = ts_utc_to_local(&zc, a[1].v.i);
    } else if (a[1].type == TYPE_TIMESTAMP) {
        r = ts_local_to_utc(&zc, a[1].v.i);
    } else {
        i64 us = timetz_us(a[1].v.i), utc = us - (i64)timetz_zone(a[1].v.i) * 1000000;
        i32 off = tz_offset_at(&zc, ts_from_unix_us(env->sql->stmt_time_us));
        i64 local = (utc + (i64)off * 1000000) % USEC_DAY;
        if (local < 0) local += USEC_DAY;
        *out = val_int(TYPE_TIMETZ, timetz_pack(local, off));
        return DD_OK;
    }
    if (!ts_in_range(r)) return dd_err(env->sql->err, DD_EDATETIME_OVERFLOW, -1, "timestamp out of range");
    *out = val_int(rt, r);
    return DD_OK;
}

static bool r_timezone(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (is_unknownish(a[0]) || type_is_string(a[0])) a[0] = TYPE_TEXT;
    else if (a[0] != TYPE_INTERVAL) return false;
    if (is_unknownish(a[1]) || a[1] == TYPE_DATE) a[1] = TYPE_TIMESTAMPTZ;
    if (a[1] == TYPE_TIME) a[1] = TYPE_TIMETZ;
    if (a[1] == TYPE_TIMESTAMPTZ) *r = TYPE_TIMESTAMP;
    else if (a[1] == TYPE_TIMESTAMP) *r = TYPE_TIMESTAMPTZ;
    else if (a[1] == TYPE_TIMETZ) *r = TYPE_TIMETZ;
    else return false;
    return true;
}

/* overlaps(s1, e1, s2, e2), which (s1, e1) OVERLAPS (s2, e2) is: two
 * periods of dates, timestamps or times, an end given as an interval
 * being start + interval; NULL ends as the SQL standard has them. */
static bool r_overlaps(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    TypeId t = TYPE_NULLTYPE;
    for (int i = 0; i < 4 && t == TYPE_NULLTYPE; i++)
        if (!is_unknownish(a[i]) && a[i] != TYPE_INTERVAL) t = a[i];
    if (t == TYPE_NULLTYPE) t = TYPE_TIMESTAMPTZ;
    bool times = t == TYPE_TIME || t == TYPE_TIMETZ;
    for (int i = 0; i < 4; i++) {
        if (is_unknownish(a[i])) a[i] = t;
        bool ok = times ? a[i] == TYPE_TIME || a[i] == TYPE_TIMETZ : type_is_datetime(a[i]);
        if (!ok && !(i % 2 == 1 && a[i] == TYPE_INTERVAL)) return false;
    }
    *r = TYPE_BOOL;
    return true;
}

static int f_overlaps(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n);
    DD_UNUSED(loc);
    ValueCtx vc = vctx(env);
    Value s[2], e[2];
    bool sn[2], en[2];
    for (int k = 0; k < 2; k++) {
        s[k] = a[2 * k];
        e[k] = a[2 * k + 1];
        sn[k] = s[k].isnull;
        en[k] = e[k].isnull;
        if (!sn[k] && !en[k] && e[k].type == TYPE_INTERVAL) {
            Value x;
            int rc = val_arith(ARITH_ADD, &s[k], &e[k], &vc, &x, env->sql->err);
            if (rc) return rc;
            e[k] = x;
        }
        /* one NULL endpoint: the other is the start; else the lesser is */
        if (sn[k]) {
            if (en[k]) { *out = val_null(TYPE_BOOL); return DD_OK; }
            s[k] = e[k];
            sn[k] = false;
            en[k] = true;
        } else if (!en[k] && val_compare(&s[k], &e[k], &vc) > 0) {
            Value t = s[k];
            s[k] = e[k];
            e[k] = t;
        }
    }
    int c = val_compare(&s[0], &s[1], &vc);
    if (c != 0) {
        /* the later start must come before the other period's end */
        int late = c > 0 ? 0 : 1, early = 1 - late;
        if (en[early]) { *out = val_null(TYPE_BOOL); return DD_OK; }
        if (val_compare(&s[late], &e[early], &vc) < 0) { *out = val_bool(true); return DD_OK; }
        *out = en[late] ? val_null(TYPE_BOOL) : val_bool(false);
        return DD_OK;
    }
    *out = en[0] || en[1] ? val_null(TYPE_BOOL) : val_bool(true);
    return DD_OK;
}

static bool r_date_trunc(TypeId *a, int n, TypeId *r)
{
    if (is_unknownish(a[0]) || type_is_string(a[0])) a[0] = TYPE_TEXT; else return false;
    if (is_unknownish(a[1]) && n == 2) {
        *r = TYPE_UNKNOWN;   /* PostgreSQL: date_trunc(unknown, unknown) is not unique (interval or a timestamp) */
        return false;
    }
    if (is_unknownish(a[1])) a[1] = TYPE_TIMESTAMPTZ;
    if (a[1] == TYPE_DATE) a[1] = TYPE_TIMESTAMPTZ;   /* PostgreSQL: date -> timestamptz */
    if (n == 3) {   /* date_trunc(text, timestamptz, text) */
        if (is_unknownish(a[2]) || type_is_string(a[2])) a[2] = TYPE_TEXT; else return false;
        if (a[1] == TYPE_TIMESTAMP) a[1] = TYPE_TIMESTAMPTZ;
    } else if (a[1] == TYPE_TIME) {
        a[1] = TYPE_INTERVAL;   /* date_trunc(text, interval) through time's implicit cast */
    }
    if (a[1] != TYPE_TIMESTAMP && a[1] != TYPE_TIMESTAMPTZ && (n == 3 || a[1] != TYPE_INTERVAL)) return false;
    *r = a[1];
    return true;
}


/* ---------------------------------------------------------------- formatting (types/formatting.c) */

/* to_char(x, text): x a number, timestamp(tz) or interval.  As PostgreSQL
 * resolves it, smallint goes through double precision and date through
 * timestamptz; an untyped x fits several candidates. */
static bool r_to_char(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (is_unknownish(a[0])) {
        *r = TYPE_UNKNOWN;
        return false;
    }
    if (a[0] == TYPE_INT2) a[0] = TYPE_FLOAT8;
    else if (a[0] == TYPE_DATE) a[0] = TYPE_TIMESTAMPTZ;
    else if (a[0] == TYPE_TIME) a[0] = TYPE_INTERVAL;   /* PostgreSQL's implicit cast: to_char(interval, text) */
    else if (!type_is_numeric(a[0]) && !type_is_datetime(a[0]) && a[0] != TYPE_INTERVAL) return false;
    if (is_unknownish(a[1]) || type_is_string(a[1])) a[1] = TYPE_TEXT;
    else return false;
    *r = TYPE_TEXT;
    return true;
}

static int f_to_char(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    bool dt = a[0].type == TYPE_TIMESTAMP || a[0].type == TYPE_TIMESTAMPTZ || a[0].type == TYPE_INTERVAL;
    /* PostgreSQL: an empty date/time template gives NULL, a number one '' */
    if (any_null(a, 2) || (dt && a[1].v.s.len == 0)) {
        *out = val_null(TYPE_TEXT);
        return DD_OK;
    }
    ValueCtx vc = vctx(env);
    Buf b = BUF_INIT;
    int rc = dt ? fmt_datetime_to_char(&a[0], a[1].v.s.p, a[1].v.s.len, &vc, &b, env->sql->err)
                : fmt_number_to_char(&a[0], a[1].v.s.p, a[1].v.s.len, &vc, &b, env->sql->err);
    if (!rc) *out = text_out(env, b.data ? (const char *)b.data : "", b.len);
    buf_free(&b);
    return rc;
}

/* to_timestamp(text, text) parses; to_timestamp(double precision) reads
 * seconds since 1970-01-01 00:00 UTC. */
static bool r_to_timestamp(TypeId *a, int n, TypeId *r)
{
    if (n == 2 && !r_text_text(a, n, r)) return false;
    if (n == 1) {
        if (is_unknownish(a[0]) || type_is_numeric(a[0])) a[0] = TYPE_FLOAT8;
        else return false;
    }
    *r = TYPE_TIMESTAMPTZ;
    return true;
}

static int epoch_to_timestamp(EvalEnv *env, double s, Value *out)
{
    if (isnan(s)) return dd_err(env->sql->err, DD_EDATETIME_OVERFLOW, -1, "timestamp cannot be NaN");
    if (isinf(s))
        return dd_err(env->sql->err, DD_EFEATURE, -1, "infinite dates and timestamps are not supported");
    /* the range of timestamps (from 1 AD here: no BC) in Unix seconds */
    double lo = (double)days_from_civil(1, 1, 1) * 86400 + 946684800.0;
    double hi = (double)days_from_civil(294277, 1, 1) * 86400 + 946684800.0;
    if (s < lo || s >= hi)
        return dd_err(env->sql->err, DD_EDATETIME_OVERFLOW, -1, "timestamp out of range: \"%g\"", s);
    /* PostgreSQL moves to its epoch before rounding to microseconds */
    i64 t = (i64)rint((s - 946684800.0) * 1e6);
    if (t < days_from_civil(1, 1, 1) * USEC_DAY || t >= days_from_civil(294277, 1, 1) * USEC_DAY)
        return dd_err(env->sql->err, DD_EDATETIME_OVERFLOW, -1, "timestamp out of range: \"%g\"", s);
    *out = val_int(TYPE_TIMESTAMPTZ, t);
    return DD_OK;
}

static int to_datetime(EvalEnv *env, const Value *a, int n, Value *out, TypeId t)
{
    if (any_null(a, n)) {
        *out = val_null(t);
        return DD_OK;
    }
    if (n == 1) return epoch_to_timestamp(env, a[0].v.f, out);
    ValueCtx vc = vctx(env);
    i64 v;
    int rc = fmt_to_datetime(a[0].v.s.p, a[0].v.s.len, a[1].v.s.p, a[1].v.s.len, t == TYPE_DATE, &vc, &v,
                             env->sql->err);
    if (!rc) *out = val_int(t, v);
    return rc;
}
static int f_to_timestamp(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return to_datetime(env, a, n, out, TYPE_TIMESTAMPTZ); }
static int f_to_date(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return to_datetime(env, a, n, out, TYPE_DATE); }
static bool r_text_date(TypeId *a, int n, TypeId *r)
{
    if (!r_text_text(a, n, r)) return false;
    *r = TYPE_DATE;
    return true;
}

static int f_to_number(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    /* PostgreSQL: an empty template gives NULL */
    if (any_null(a, n) || a[1].v.s.len == 0) {
        *out = val_null(TYPE_NUMERIC);
        return DD_OK;
    }
    ValueCtx vc = vctx(env);
    return fmt_to_number(a[0].v.s.p, a[0].v.s.len, a[1].v.s.p, a[1].v.s.len, &vc, out, env->sql->err);
}
static bool r_text_numeric(TypeId *a, int n, TypeId *r)
{
    if (!r_text_text(a, n, r)) return false;
    *r = TYPE_NUMERIC;
    return true;
}

/* ---------------------------------------------------------------- date/time functions (types/datefunc.c) */

/* An integer argument as integer (untyped, smallint, integer: bigint has
 * no implicit cast to it). */
static bool as_int4(TypeId *t)
{
    if (!is_unknownish(*t) && *t != TYPE_INT2 && *t != TYPE_INT4) return false;
    *t = TYPE_INT4;
    return true;
}

/* make_date(int, int, int), make_timestamp(int x5, double precision),
 * make_timestamptz(the same [, text zone]), make_interval(years, months,
 * weeks, days, hours, mins int, secs double precision): nint integers,
 * then a double, then text. */
static bool r_make(TypeId *a, int n, int nint, TypeId ret, TypeId *r)
{
    for (int i = 0; i < n; i++) {
        bool ok = i < nint ? as_int4(&a[i])
                  : is_unknownish(a[i]) || (i == nint ? type_is_numeric(a[i]) : type_is_string(a[i]));
        if (!ok) return false;
        if (i >= nint) a[i] = i == nint ? TYPE_FLOAT8 : TYPE_TEXT;
    }
    *r = ret;
    return true;
}
static bool r_make_date(TypeId *a, int n, TypeId *r) { return r_make(a, n, 3, TYPE_DATE, r); }
static bool r_make_timestamp(TypeId *a, int n, TypeId *r) { return r_make(a, n, 5, TYPE_TIMESTAMP, r); }
static bool r_make_timestamptz(TypeId *a, int n, TypeId *r) { return r_make(a, n, 5, TYPE_TIMESTAMPTZ, r); }
static bool r_make_interval(TypeId *a, int n, TypeId *r) { return r_make(a, n, 6, TYPE_INTERVAL, r); }
static bool r_make_time(TypeId *a, int n, TypeId *r) { return r_make(a, n, 2, TYPE_TIME, r); }

static int f_make_time(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null(TYPE_TIME); return DD_OK; }
    i64 t;
    int rc = datefn_make_time(a[0].v.i, a[1].v.i, a[2].v.f, &t, env->sql->err);
    if (!rc) *out = val_int(TYPE_TIME, t);
    return rc;
}

static int f_make_date(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null(TYPE_DATE); return DD_OK; }
    i64 d;
    int rc = datefn_make_date(a[0].v.i, a[1].v.i, a[2].v.i, &d, env->sql->err);
    if (!rc) *out = val_int(TYPE_DATE, d);
    return rc;
}

/* make_timestamp and make_timestamptz (in the session's zone or the one
 * given) */
static int make_ts(EvalEnv *env, const Value *a, int n, Value *out, TypeId t)
{
    if (any_null(a, n)) { *out = val_null(t); return DD_OK; }
    i64 ts;
    int rc = datefn_make_timestamp(a[0].v.i, a[1].v.i, a[2].v.i, a[3].v.i, a[4].v.i, a[5].v.f, &ts, env->sql->err);
    if (!rc && t == TYPE_TIMESTAMPTZ) {
        ValueCtx vc = vctx(env);
        if (n == 7) {
            char *zone = arena_strndup(env->sql->row, a[6].v.s.p, a[6].v.s.len);
            rc = zone ? tz_named_local_to_utc(zone, ts, &ts, env->sql->err) : DD_ENOMEM;
        } else {
            ts = ts_local_to_utc(&vc, ts);
        }
        if (!rc && (ts < days_from_civil(1, 1, 1) * USEC_DAY || ts >= days_from_civil(294277, 1, 1) * USEC_DAY))
            rc = dd_err(env->sql->err, DD_EDATETIME_OVERFLOW, -1, "timestamp out of range");
    }
    if (!rc) *out = val_int(t, ts);
    return rc;
}
static int f_make_timestamp(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return make_ts(env, a, n, out, TYPE_TIMESTAMP); }
static int f_make_timestamptz(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return make_ts(env, a, n, out, TYPE_TIMESTAMPTZ); }

static int f_make_interval(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null(TYPE_INTERVAL); return DD_OK; }
    i64 f[6] = {0, 0, 0, 0, 0, 0};
    for (int i = 0; i < n && i < 6; i++) f[i] = a[i].v.i;
    Interval iv;
    int rc = datefn_make_interval(f, n == 7 ? a[6].v.f : 0, &iv, env->sql->err);
    if (!rc) *out = val_interval(iv);
    return rc;
}

/* The type that two timestamp arguments meet in (age, date_bin): timestamp
 * when one is a timestamp and none a timestamptz, else timestamptz
 * (PostgreSQL's preferred type, dates and untyped literals included). */
static bool common_ts(TypeId *a, int n)
{
    bool ts = false, tz = false;
    for (int i = 0; i < n; i++) {
        if (a[i] == TYPE_TIMESTAMPTZ) tz = true;
        else if (a[i] == TYPE_TIMESTAMP) ts = true;
        else if (a[i] != TYPE_DATE && !is_unknownish(a[i])) return false;
    }
    for (int i = 0; i < n; i++) a[i] = ts && !tz ? TYPE_TIMESTAMP : TYPE_TIMESTAMPTZ;
    return true;
}

/* age(t1, t2), age(t) = age(current_date, t); one untyped argument also
 * fits age(xid) */
static bool r_age(TypeId *a, int n, TypeId *r)
{
    if (n == 1 && is_unknownish(a[0])) {
        *r = TYPE_UNKNOWN;
        return false;
    }
    *r = TYPE_INTERVAL;
    return common_ts(a, n);
}

static int f_age(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null(TYPE_INTERVAL); return DD_OK; }
    ValueCtx vc = vctx(env);
    bool tz = a[0].type == TYPE_TIMESTAMPTZ;
    i64 t1 = a[0].v.i, t2 = a[n - 1].v.i;
    if (n == 1) {
        /* midnight of the transaction's date, in the session's zone */
        Value today;
        f_current_date(env, a, 0, &today, loc);
        t1 = today.v.i * USEC_DAY;
        if (tz) t1 = ts_local_to_utc(&vc, t1);
    }
    Interval iv;
    int rc = datefn_age(tz ? ts_utc_to_local(&vc, t1) : t1, tz ? ts_utc_to_local(&vc, t2) : t2, t1 < t2, &iv,
                        env->sql->err);
    if (!rc) *out = val_interval(iv);
    return rc;
}

static bool r_interval_interval(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (is_unknownish(a[0])) a[0] = TYPE_INTERVAL;
    if (a[0] != TYPE_INTERVAL) return false;
    *r = TYPE_INTERVAL;
    return true;
}

static int justify(EvalEnv *env, const Value *a, Value *out, bool days, bool hours)
{
    if (a[0].isnull) { *out = val_null(TYPE_INTERVAL); return DD_OK; }
    Interval iv;
    int rc = datefn_justify(&a[0].v.iv, days, hours, &iv, env->sql->err);
    if (!rc) *out = val_interval(iv);
    return rc;
}
static int f_justify_days(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return justify(env, a, out, true, false); }
static int f_justify_hours(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return justify(env, a, out, false, true); }
static int f_justify_interval(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return justify(env, a, out, true, true); }

/* date_bin(interval, t, origin) */
static bool r_date_bin(TypeId *a, int n, TypeId *r)
{
    if (!r_interval_interval(a, 1, r) || !common_ts(a + 1, n - 1)) return false;
    *r = a[1];
    return true;
}
static int f_date_bin(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null((TypeId)a[1].type); return DD_OK; }
    i64 t;
    int rc = datefn_date_bin(&a[0].v.iv, a[1].v.i, a[2].v.i, &t, env->sql->err);
    if (!rc) *out = val_int((TypeId)a[1].type, t);
    return rc;
}

/* isfinite(date | timestamp | timestamptz | interval): DriftDB has no
 * infinite values, so true for any value */
static bool r_isfinite(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (is_unknownish(a[0])) {
        *r = TYPE_UNKNOWN;
        return false;
    }
    if (!type_is_datetime(a[0]) && a[0] != TYPE_INTERVAL) return false;
    *r = TYPE_BOOL;
    return true;
}
static int f_isfinite(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(env); DD_UNUSED(n); DD_UNUSED(loc);
    *out = a[0].isnull ? val_null(TYPE_BOOL) : val_bool(true);
    return DD_OK;
}

/* pg_sleep(seconds): sleeps in steps of at most 10 ms, checking the
 * statement's interrupt flag between them (cancel, statement_timeout).
 * PostgreSQL's result type is void, whose text is empty: here an empty
 * text (docs/postgres-differences.md). */
static bool r_pg_sleep(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (!is_unknownish(a[0]) && !type_is_numeric(a[0])) return false;
    a[0] = TYPE_FLOAT8;
    *r = TYPE_TEXT;
    return true;
}
static int f_pg_sleep(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null(TYPE_TEXT); return DD_OK; }
    double s = a[0].v.f;
    i64 end = clock_mono_us() + (s > 0 ? (i64)DD_MIN(s * 1e6, 1e15) : 0);
    for (;;) {
        int rc = sql_check_interrupt(env->sql);
        if (rc) return rc;
        i64 left = end - clock_mono_us();
        if (left <= 0) break;
        struct timespec nap = {0, (long)DD_MIN(left, 10000) * 1000};
        nanosleep(&nap, NULL);
    }
    *out = text_out(env, "", 0);
    return DD_OK;
}

/* ---------------------------------------------------------------- session information */

static int f_current_database(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    *out = name_out(env, env->sql->database ? env->sql->database : "driftdb");
    return DD_OK;
}
/* pg_cancel_backend(pid), pg_terminate_backend(pid [, timeout]):
 * PostgreSQL 15's rights: a superuser signals anyone; another role only
 * sessions of roles whose privileges it has, never a superuser's (42501).
 * A pid that is no session's: a WARNING and false. */
static bool r_signal(TypeId *a, int n, TypeId *r)
{
    for (int i = 0; i < n; i++) {
        if (!is_unknownish(a[i]) && !type_is_int(a[i])) return false;
        a[i] = i == 0 ? TYPE_INT4 : TYPE_INT8;
    }
    *r = TYPE_BOOL;
    return true;
}
static int signal_backend(EvalEnv *env, const Value *a, int n, Value *out, bool terminate)
{
    SqlCtx *ctx = env->sql;
    for (int i = 0; i < n; i++)
        if (a[i].isnull) { *out = val_null(TYPE_BOOL); return DD_OK; }
    if (n > 1 && a[1].v.i < 0)
        return dd_err(ctx->err, DD_EINVALID_PARAM, -1, "\"timeout\" must not be negative");
    int pid = (int)a[0].v.i;
    char user[CAT_MAX_NAME + 1];
    if (!ctx->backend_user || ctx->backend_user(ctx->session, pid, user, sizeof user) != 0) {
        if (sql_note(ctx, "WARNING", "01000", "PID %d is not a PostgreSQL backend process", pid)) return DD_ENOMEM;
        *out = val_bool(false);
        return DD_OK;
    }
    const AclWho *w;
    bool as = ctx->acl_as_set;
    ctx->acl_as_set = false;
    int rc = acl_who(ctx, &w);
    ctx->acl_as_set = as;
    if (rc) return rc;
    if (!w->super) {
        u32 target;
        bool found;
        AclWho tw;
        if ((rc = acl_role_id(ctx, user, &target, &found))) return rc;
        if (found && (rc = acl_who_of(ctx, target, &tw, &found))) return rc;
        if (found && tw.super)
            return dd_err(ctx->err, DD_EINSUFFICIENT_PRIVILEGE, -1,
                          terminate ? "must be a superuser to terminate superuser process"
                                    : "must be a superuser to cancel superuser query");
        bool member = false;
        for (int i = 0; found && i < w->nroles && !member; i++) member = w->roles[i] == target;
        if (!member)
            return dd_err(ctx->err, DD_EINSUFFICIENT_PRIVILEGE, -1,
                          terminate ? "must be a member of the role whose process is being terminated or member of pg_signal_backend"
                                    : "must be a member of the role whose query is being canceled or member of pg_signal_backend");
    }
    bool sent = ctx->signal_backend && ctx->signal_backend(ctx->session, pid, terminate);
    if (!sent && sql_note(ctx, "WARNING", "01000", "PID %d is not a PostgreSQL backend process", pid)) return DD_ENOMEM;
    *out = val_bool(sent);
    return DD_OK;
}
static int f_cancel_backend(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return signal_backend(env, a, n, out, false); }
static int f_terminate_backend(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(loc); return signal_backend(env, a, n, out, true); }
static int f_backend_pid(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    *out = val_int(TYPE_INT4, env->sql->backend_pid);
    return DD_OK;
}
/* The transaction's id (txid_current, pg_current_xact_id, as type t):
 * given the first time the transaction asks (store_xid_next), the same
 * until it ends.  if_assigned (txid_current_if_assigned): NULL unless the
 * transaction has one or has written, as PostgreSQL gives one at the
 * first write. */
static int xact_id(EvalEnv *env, bool if_assigned, TypeId t, Value *out)
{
    SqlCtx *c = env->sql;
    if (!c->xid) return dd_err(c->err, DD_EFEATURE, -1, "transaction ids are not available here");
    if (!*c->xid) {
        if (if_assigned && (!c->ws || ws_is_empty(c->ws))) {
            *out = val_null(t);
            return DD_OK;
        }
        int rc = store_xid_next(c->store, c->xid, c->err);
        if (rc) return rc;
    }
    *out = val_int(t, (i64)*c->xid);
    return DD_OK;
}
static int f_txid_current(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    return xact_id(env, false, TYPE_INT8, out);
}
static int f_txid_if_assigned(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    return xact_id(env, true, TYPE_INT8, out);
}
static int f_xact_id(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    return xact_id(env, false, TYPE_XID8, out);
}
static int f_xact_id_if_assigned(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    return xact_id(env, true, TYPE_XID8, out);
}
static bool r_none_xid8(TypeId *a, int n, TypeId *r) { DD_UNUSED(a); DD_UNUSED(n); *r = TYPE_XID8; return true; }

/* pg_export_snapshot(): the point the transaction reads, '@SEQ:n', which
 * SET TRANSACTION SNAPSHOT in another session reads at too (pg_dump -j).
 * A transaction that has written cannot give its writes away: 0A000. */
static int f_export_snapshot(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    SqlCtx *c = env->sql;
    if (!c->snap) return dd_err(c->err, DD_EFEATURE, -1, "pg_export_snapshot() is not available here");
    if (c->ws && !ws_is_empty(c->ws))
        return dd_err(c->err, DD_EFEATURE, -1, "cannot export a snapshot from a transaction that has written");
    u64 seq = c->session_point != SEQ_NONE ? c->session_point : snap_seq(c->snap);
    char buf[32];
    int len = snprintf(buf, sizeof buf, "@SEQ:%llu", (unsigned long long)seq);
    *out = text_out(env, buf, (size_t)len);
    return DD_OK;
}
/* current_schema(): the first schema of search_path that exists, or NULL. */
static int f_current_schema(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    const char **path;
    int np;
    int rc = sql_search_path(env->sql, false, &path, &np);
    if (rc) return rc;
    *out = np ? name_out(env, path[0]) : val_null(TYPE_NAME);
    return DD_OK;
}
/* current_schemas(implicit): the schemas of search_path that exist, with
 * pg_catalog first when implicit and the path does not place it. */
static bool r_current_schemas(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    *r = type_array_of(TYPE_NAME);
    return a[0] == TYPE_BOOL || is_unknownish(a[0]);
}
static int f_current_schemas(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null(type_array_of(TYPE_NAME)); return DD_OK; }
    const char **path;
    int np;
    int rc = sql_search_path(env->sql, a[0].v.b, &path, &np);
    if (rc) return rc;
    ArrayVal arr;
    array_init(&arr, TYPE_NAME);
    if (np && (rc = array_set_1d(&arr, env->sql->row, (u32)np))) return rc;
    for (int i = 0; i < np; i++) arr.items[i] = name_out(env, path[i]);
    return array_to_value(&arr, env->sql->row, out, env->sql->err);
}
static int f_current_setting(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null(TYPE_TEXT); return DD_OK; }
    char name[128];
    size_t len = DD_MIN(a[0].v.s.len, sizeof(name) - 1);
    memcpy(name, a[0].v.s.p, len);
    name[len] = 0;
    const char *v = env->sql->setting ? env->sql->setting(env->sql->session, name) : NULL;
    if (!v) {
        bool missing_ok = n == 2 && !a[1].isnull && a[1].v.b;
        if (missing_ok) { *out = val_null(TYPE_TEXT); return DD_OK; }
        return dd_err(env->sql->err, DD_EUNDEFINED_OBJECT, -1, "unrecognized configuration parameter \"%s\"", name);
    }
    *out = text_out(env, v, strlen(v));
    return DD_OK;
}
/* set_config(name, value, is_local): SET [LOCAL] name = value; the value
 * the setting then has */
static int f_set_config(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n);
    DD_UNUSED(loc);
    if (a[0].isnull)
        return dd_err(env->sql->err, DD_ENULL_NOT_ALLOWED, -1, "SET requires parameter name");
    char *name = arena_strndup(env->sql->row, a[0].v.s.p, a[0].v.s.len);
    char *value = a[1].isnull ? NULL : arena_strndup(env->sql->row, a[1].v.s.p, a[1].v.s.len);
    if (!name || (!a[1].isnull && !value)) return dd_err(env->sql->err, DD_ENOMEM, -1, "out of memory");
    if (!env->sql->set_setting || !env->sql->setting)
        return dd_err(env->sql->err, DD_EFEATURE, -1, "set_config() is not available here");
    bool local = !a[2].isnull && a[2].v.b;
    int rc = env->sql->set_setting(env->sql->session, name, value, local, env->sql->err);
    if (rc) return rc;
    const char *v = env->sql->setting(env->sql->session, name);
    *out = v ? text_out(env, v, strlen(v)) : val_null(TYPE_TEXT);
    return DD_OK;
}
static bool r_set_config(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    for (int i = 0; i < 2; i++) {
        if (is_unknownish(a[i]) || type_is_string(a[i])) a[i] = TYPE_TEXT;
        else return false;
    }
    if (is_unknownish(a[2]) || a[2] == TYPE_BOOL) a[2] = TYPE_BOOL;
    else return false;
    *r = TYPE_TEXT;
    return true;
}

static bool r_current_setting(TypeId *a, int n, TypeId *r)
{
    if (is_unknownish(a[0]) || type_is_string(a[0])) a[0] = TYPE_TEXT; else return false;
    if (n == 2) { if (is_unknownish(a[1]) || a[1] == TYPE_BOOL) a[1] = TYPE_BOOL; else return false; }
    *r = TYPE_TEXT;
    return true;
}
/* pg_typeof(x): the name of x's type (PostgreSQL returns regtype; its text is the same) */
static int f_pg_typeof(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    TypeId t = (TypeId)a[0].type;
    const char *nm = t == TYPE_UNKNOWN ? "unknown" : t == TYPE_NULLTYPE ? "unknown"
                     : t == TYPE_ENUM ? enum_type_name(a[0].etype, &env->sql->vctx) : type_name(t);
    if (t == type_array_of(TYPE_ENUM)) {   /* its enum's array: "mood[]" */
        u32 e = a[0].etype ? a[0].etype : a[0].isnull ? 0 : array_etype(&a[0]);
        nm = arena_printf(env->sql->row, "%s[]", enum_type_name(e, &env->sql->vctx));
        if (!nm) return DD_ENOMEM;
    }
    *out = text_out(env, nm, strlen(nm));
    return DD_OK;
}
static bool r_any_to_text(TypeId *a, int n, TypeId *r) { DD_UNUSED(a); DD_UNUSED(n); *r = TYPE_TEXT; return true; }

/* ---- enum support functions: enum_first, enum_last, enum_range ---- */

static bool r_enum_enum(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (a[0] != TYPE_ENUM) return false;
    *r = TYPE_ENUM;
    return true;
}
/* enum_range(x) / enum_range(lo, hi): the enum's array type */
static bool r_enum_range(TypeId *a, int n, TypeId *r)
{
    if (n == 2 && is_unknownish(a[0]) && a[1] == TYPE_ENUM) a[0] = TYPE_ENUM;
    if (n == 2 && is_unknownish(a[1]) && a[0] == TYPE_ENUM) a[1] = TYPE_ENUM;
    if (a[0] != TYPE_ENUM || (n == 2 && a[1] != TYPE_ENUM)) return false;
    *r = type_array_of(TYPE_ENUM);
    return true;
}

/* The labels of the enum of value v (NULL or not: its type is what counts),
 * at the session's point in time when drift.system_time is set. */
static int enum_labels_of(EvalEnv *env, const Value *v, int loc, const TableInfo **t)
{
    const ValueCtx *vc = &env->sql->vctx;
    *t = !v->etype ? NULL
         : env->sql->session_point != SEQ_NONE ? store_table_version(env->sql->snap, v->etype, env->sql->session_point)
         : vc->type_lookup ? vc->type_lookup(vc->type_arg, v->etype) : NULL;
    if (!*t || !(*t)->utype)
        return dd_err(env->sql->err, DD_EFEATURE, loc, "could not determine actual enum type");
    return DD_OK;
}

static int f_enum_first_last(EvalEnv *env, const Value *a, Value *out, int loc, bool last)
{
    const TableInfo *t;
    int rc = enum_labels_of(env, &a[0], loc, &t);
    if (rc) return rc;
    if (!t->utype->nlabels)
        return dd_err(env->sql->err, DD_EOBJECT_STATE, loc, "enum %s contains no values", t->name);
    *out = val_null(TYPE_ENUM);
    out->etype = a[0].etype;
    out->isnull = false;
    out->v.i = t->utype->labels[last ? t->utype->nlabels - 1 : 0].key;
    return DD_OK;
}
static int f_enum_first(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n);
    return f_enum_first_last(env, a, out, loc, false);
}
static int f_enum_last(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n);
    return f_enum_first_last(env, a, out, loc, true);
}

static int f_enum_range(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    const Value *tv = n == 2 && a[0].etype == 0 ? &a[1] : &a[0];
    const TableInfo *t;
    int rc = enum_labels_of(env, tv, loc, &t);
    if (rc) return rc;
    if (n == 2 && a[0].etype && a[1].etype && a[0].etype != a[1].etype)
        return dd_err(env->sql->err, DD_EDATATYPE_MISMATCH, loc, "arguments of enum_range must be of the same enum type");
    const UserType *u = t->utype;
    bool lo = n == 2 && !a[0].isnull, hi = n == 2 && !a[1].isnull;
    u32 cnt = 0;
    for (int i = 0; i < u->nlabels; i++)
        if ((!lo || u->labels[i].key >= a[0].v.i) && (!hi || u->labels[i].key <= a[1].v.i)) cnt++;
    ArrayVal arr;
    array_init(&arr, TYPE_ENUM);
    arr.etype = t->id;
    if (cnt && array_set_1d(&arr, env->sql->row, cnt)) return DD_ENOMEM;
    cnt = 0;
    for (int i = 0; i < u->nlabels; i++)
        if ((!lo || u->labels[i].key >= a[0].v.i) && (!hi || u->labels[i].key <= a[1].v.i)) {
            Value *it = &arr.items[cnt++];
            it->isnull = false;
            it->etype = t->id;
            it->v.i = u->labels[i].key;
        }
    return array_to_value(&arr, env->sql->row, out, env->sql->err);
}


/* gen_random_uuid(): a version 4 UUID from the kernel's random source */
static int f_gen_random_uuid(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    u8 *b = arena_alloc(env->sql->row, 16);
    if (!b) return DD_ENOMEM;
    size_t got = 0;
    while (got < 16) {
        ssize_t r = getrandom(b + got, 16 - got, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            return dd_err(env->sql->err, DD_EIO, -1, "could not generate random values");
        }
        got += (size_t)r;
    }
    b[6] = (u8)((b[6] & 0x0f) | 0x40);
    b[8] = (u8)((b[8] & 0x3f) | 0x80);
    *out = val_text(TYPE_UUID, (const char *)b, 16);
    return DD_OK;
}
static bool r_none_uuid(TypeId *a, int n, TypeId *r) { DD_UNUSED(a); DD_UNUSED(n); *r = TYPE_UUID; return true; }

/* random() and setseed(x): xoshiro256** per thread, seeded from the
 * kernel on first use, or by setseed (the same seed gives the same
 * sequence here; PostgreSQL's generator gives another one). */
static __thread u64 rng[4];
static __thread bool rng_ready;

static u64 rotl64(u64 x, int k) { return (x << k) | (x >> (64 - k)); }
static u64 rng_next(void)
{
    u64 r = rotl64(rng[1] * 5, 7) * 9, t = rng[1] << 17;
    rng[2] ^= rng[0];
    rng[3] ^= rng[1];
    rng[1] ^= rng[2];
    rng[0] ^= rng[3];
    rng[2] ^= t;
    rng[3] = rotl64(rng[3], 45);
    return r;
}
/* splitmix64 spreads one seed over the state */
static void rng_seed(u64 seed)
{
    for (int i = 0; i < 4; i++) {
        u64 z = (seed += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        rng[i] = z ^ (z >> 31);
    }
    rng_ready = true;
}
static int f_random(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    if (!rng_ready) {
        u64 seed = 0;
        ssize_t got = getrandom(&seed, sizeof seed, GRND_NONBLOCK);
        if (got != (ssize_t)sizeof seed) seed = (u64)clock_mono_us() ^ (u64)(uintptr_t)env;
        rng_seed(seed);
    }
    /* 53 random bits: a double in [0, 1) */
    *out = val_float(TYPE_FLOAT8, (double)(rng_next() >> 11) * (1.0 / 9007199254740992.0));
    return DD_OK;
}
static bool r_none_float8(TypeId *a, int n, TypeId *r) { DD_UNUSED(a); DD_UNUSED(n); *r = TYPE_FLOAT8; return true; }

/* "$tablesample"(percent, [seed,] row): the filter of t TABLESAMPLE m
 * (percent) [REPEATABLE (seed)] (parser.c): true for a row with that
 * chance; with a seed, by a hash of the seed and the row (the same rows
 * each time for the same table contents, whatever else filters them),
 * else from a generator of the call site's own seeded from the kernel. */
static bool r_tablesample(TypeId *a, int n, TypeId *r)
{
    for (int i = 0; i < n - 1; i++) {   /* the last: the row */
        if (!type_is_numeric(a[i]) && !is_unknownish(a[i])) return false;
        a[i] = TYPE_FLOAT8;
    }
    *r = TYPE_BOOL;
    return true;
}
static int f_tablesample(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    if (a[0].isnull) return dd_err(env->sql->err, DD_ETABLESAMPLE_ARG, loc, "TABLESAMPLE parameter cannot be null");
    if (n > 2 && a[1].isnull)
        return dd_err(env->sql->err, DD_ETABLESAMPLE_REPEAT, loc, "TABLESAMPLE REPEATABLE parameter cannot be null");
    double pct = a[0].v.f;
    if (!(pct >= 0 && pct <= 100))
        return dd_err(env->sql->err, DD_ETABLESAMPLE_ARG, loc, "sample percentage must be between 0 and 100");
    if (n > 2) {
        /* REPEATABLE: a hash of the seed and the row (splitmix64's finish) */
        u64 z;
        memcpy(&z, &a[1].v.f, sizeof z);
        z ^= val_hash(&a[2]) + 0x9e3779b97f4a7c15ULL;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        *out = val_bool((double)(z >> 11) * (1.0 / 9007199254740992.0) * 100.0 < pct);
        return DD_OK;
    }
    u64 *st = *env->state;
    if (!st) {
        if (!(st = arena_alloc(sql_plan_arena(env->sql), sizeof(u64) * 4))) return DD_ENOMEM;
        u64 seed = 0;
        if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != (ssize_t)sizeof seed) {
            seed = (u64)clock_mono_us() ^ (u64)(uintptr_t)st;
        }
        for (int i = 0; i < 4; i++) {   /* splitmix64, as rng_seed */
            u64 z = (seed += 0x9e3779b97f4a7c15ULL);
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            st[i] = z ^ (z >> 31);
        }
        *env->state = st;
    }
    /* xoshiro256** on the call site's state */
    u64 r = rotl64(st[1] * 5, 7) * 9, t = st[1] << 17;
    st[2] ^= st[0];
    st[3] ^= st[1];
    st[1] ^= st[2];
    st[0] ^= st[3];
    st[2] ^= t;
    st[3] = rotl64(st[3], 45);
    double x = (double)(r >> 11) * (1.0 / 9007199254740992.0);
    *out = val_bool(x * 100.0 < pct);
    return DD_OK;
}
static int f_setseed(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n);
    if (a[0].isnull) { *out = val_null(TYPE_TEXT); return DD_OK; }
    double x = a[0].v.f;
    if (!(x >= -1.0 && x <= 1.0))
        return dd_err(env->sql->err, DD_EINVALID_PARAM, loc, "setseed parameter %g is out of allowed range [-1,1]", x);
    u64 bits;
    memcpy(&bits, &x, sizeof bits);
    rng_seed(bits);
    *out = text_out(env, "", 0);
    return DD_OK;
}

/* ---------------------------------------------------------------- tables */

static const FuncDef funcs[] = {
    {"now", 0, 0, r_none_tstz, f_now, true},
    {"current_timestamp", 0, 0, r_none_tstz, f_now, true},
    {"transaction_timestamp", 0, 0, r_none_tstz, f_now, true},
    {"statement_timestamp", 0, 0, r_none_tstz, f_stmt_ts, true},
    {"clock_timestamp", 0, 0, r_none_tstz, f_clock_ts, true},
    {"timeofday", 0, 0, r_none_text, f_timeofday, true},
    {"localtimestamp", 0, 0, r_none_ts, f_localts, true},
    {"current_time", 0, 0, r_none_timetz, f_curtime, true},
    {"localtime", 0, 0, r_none_time, f_localtime, true},
    {"current_date", 0, 0, r_none_date, f_current_date, true},
    {"current_user", 0, 0, r_none_name, f_user, true},
    {"session_user", 0, 0, r_none_name, f_session_user, true},
    {"user", 0, 0, r_none_name, f_user, true},
    {"current_role", 0, 0, r_none_name, f_user, true},
    {"version", 0, 0, r_none_text, f_version, false},
    {"current_database", 0, 0, r_none_name, f_current_database, false},
    {"pg_backend_pid", 0, 0, r_none_int4, f_backend_pid, true},
    {"pg_cancel_backend", 1, 1, r_signal, f_cancel_backend, true},
    {"pg_terminate_backend", 1, 2, r_signal, f_terminate_backend, true},
    {"txid_current", 0, 0, r_none_int8, f_txid_current, true},
    {"pg_export_snapshot", 0, 0, r_none_text, f_export_snapshot, true},
    {"txid_current_if_assigned", 0, 0, r_none_int8, f_txid_if_assigned, true},
    {"pg_current_xact_id", 0, 0, r_none_xid8, f_xact_id, true},
    {"pg_current_xact_id_if_assigned", 0, 0, r_none_xid8, f_xact_id_if_assigned, true},
    {"current_catalog", 0, 0, r_none_name, f_current_database, false},
    {"current_schema", 0, 0, r_none_name, f_current_schema, true},
    {"current_schemas", 1, 1, r_current_schemas, f_current_schemas, true},
    {"current_setting", 1, 2, r_current_setting, f_current_setting, true},
    {"set_config", 3, 3, r_set_config, f_set_config, true},
    {"pg_typeof", 1, 1, r_any_to_text, f_pg_typeof, false},
    {"enum_first", 1, 1, r_enum_enum, f_enum_first, false},
    {"enum_last", 1, 1, r_enum_enum, f_enum_last, false},
    {"enum_range", 1, 2, r_enum_range, f_enum_range, false},
    {"gen_random_uuid", 0, 0, r_none_uuid, f_gen_random_uuid, true},
    {"drift_seq", 0, 0, r_none_int8, f_drift_seq, true},
    {"drift_seq_at", 1, 1, r_tstz_int8, f_drift_seq_at, true},
    {"drift_last_commit_seq", 0, 0, r_none_int8, f_drift_last_commit_seq, true},
    {"drift_time_of", 1, 1, r_int8_tstz, f_drift_time_of, true},
    {"drift_format_version", 0, 0, r_none_int4, f_drift_format_version, true},
    {"drift_database_id", 0, 0, r_none_uuid, f_drift_database_id, true},
    {"drift_reader_slots_used", 0, 0, r_none_int4, f_drift_reader_slots_used, true},
    {"drift_stat_commits", 0, 0, r_none_int8, f_drift_stat_commits, true},
    {"drift_head", 0, 0, r_record, f_drift_head, true},
    {"drift_stat_batches", 0, 0, r_none_int8, f_drift_stat_batches, true},
    {"drift_stat_flushes", 0, 0, r_none_int8, f_drift_stat_flushes, true},
    {"drift_reader_slots_stale", 0, 0, r_none_int4, f_drift_reader_slots_stale, true},
    {"drift_reader_slots_max", 0, 0, r_none_int4, f_drift_reader_slots_max, true},
    {"lower", 1, 1, r_text_text, f_lower, false},
    {"upper", 1, 1, r_text_text, f_upper, false},
    {"initcap", 1, 1, r_text_text, f_initcap, false},
    {"length", 1, 1, r_length, f_length, false},
    {"char_length", 1, 1, r_length, f_length, false},
    {"character_length", 1, 1, r_length, f_length, false},
    {"octet_length", 1, 1, r_length, f_octet_length, false},
    {"substr", 2, 3, r_text_ints, f_substr, false},
    {"substring", 2, 3, r_substring, f_substr, false},
    {"btrim", 1, 2, r_text_text, f_btrim, false},
    {"trim", 1, 2, r_text_text, f_btrim, false},
    {"ltrim", 1, 2, r_text_text, f_ltrim, false},
    {"rtrim", 1, 2, r_text_text, f_rtrim, false},
    {"replace", 3, 3, r_text_text, f_replace, false},
    {"concat", 1, -1, r_any_text, f_concat, false},
    {"strpos", 2, 2, r_strpos, f_strpos, false},
    {"position", 2, 2, r_strpos, f_strpos, false},
    {"left", 2, 2, r_text_ints, f_left, false},
    {"right", 2, 2, r_text_ints, f_right, false},
    {"repeat", 2, 2, r_text_ints, f_repeat, false},
    {"concat_ws", 2, -1, r_concat_ws, f_concat_ws, false},
    {"split_part", 3, 3, r_text_text_int, f_split_part, false},
    {"reverse", 1, 1, r_text_text, f_reverse, false},
    {"starts_with", 2, 2, r_text_text_bool, f_starts_with, false},
    {"lpad", 2, 3, r_pad, f_lpad, false},
    {"rpad", 2, 3, r_pad, f_rpad, false},
    {"abs", 1, 1, r_numeric_same, f_abs, false},
    {"round", 1, 2, r_round, f_round, false},
    {"trunc", 1, 2, r_trunc, f_trunc, false},
    {"floor", 1, 1, r_float_or_numeric, f_floor, false},
    {"ceil", 1, 1, r_float_or_numeric, f_ceil, false},
    {"ceiling", 1, 1, r_float_or_numeric, f_ceil, false},
    {"sqrt", 1, 1, r_sqrt, f_sqrt, false},
    {"power", 2, 2, r_power, f_power, false},
    {"pow", 2, 2, r_power, f_power, false},
    {"mod", 2, 2, r_mod, f_mod, false},
    {"nullif", 2, 2, r_same_common, f_nullif, false},
    {"greatest", 1, -1, r_same_common, f_greatest, false},
    {"date_part", 2, 2, r_date_part, f_date_part, false},
    {"extract", 2, 2, r_extract, f_extract, false},
    {"date_trunc", 2, 3, r_date_trunc, f_date_trunc, false},
    {"timezone", 2, 2, r_timezone, f_timezone, false},
    {"overlaps", 4, 4, r_overlaps, f_overlaps, false},
    {"to_char", 2, 2, r_to_char, f_to_char, false},
    {"to_timestamp", 1, 2, r_to_timestamp, f_to_timestamp, false},
    {"to_date", 2, 2, r_text_date, f_to_date, false},
    {"to_number", 2, 2, r_text_numeric, f_to_number, false},
    {"make_date", 3, 3, r_make_date, f_make_date, false},
    {"make_time", 3, 3, r_make_time, f_make_time, false},
    {"make_timestamp", 6, 6, r_make_timestamp, f_make_timestamp, false},
    {"make_timestamptz", 6, 7, r_make_timestamptz, f_make_timestamptz, false},
    {"make_interval", 0, 7, r_make_interval, f_make_interval, false},
    {"age", 1, 2, r_age, f_age, true},
    {"justify_days", 1, 1, r_interval_interval, f_justify_days, false},
    {"justify_hours", 1, 1, r_interval_interval, f_justify_hours, false},
    {"justify_interval", 1, 1, r_interval_interval, f_justify_interval, false},
    {"date_bin", 3, 3, r_date_bin, f_date_bin, false},
    {"isfinite", 1, 1, r_isfinite, f_isfinite, false},
    {"pg_sleep", 1, 1, r_pg_sleep, f_pg_sleep, true},
    {"random", 0, 0, r_none_float8, f_random, true},
    {"$tablesample", 2, 3, r_tablesample, f_tablesample, true},
    {"setseed", 1, 1, r_pg_sleep, f_setseed, true},
    {"least", 1, -1, r_same_common, f_least, false},
};

const FuncDef *func_lookup_form(const char *name, int k)
{
    for (size_t i = 0; i < DD_ARRAY_LEN(funcs); i++)
        if (strcmp(funcs[i].name, name) == 0 && k-- == 0) return &funcs[i];
    for (int i = 0; i < nseq_funcs; i++)
        if (strcmp(seq_funcs[i].name, name) == 0 && k-- == 0) return &seq_funcs[i];
    for (int i = 0; i < ncat_funcs; i++)
        if (strcmp(cat_funcs[i].name, name) == 0 && k-- == 0) return &cat_funcs[i];
    for (int j = 0; array_func_lookup(name, j); j++)
        if (k-- == 0) return array_func_lookup(name, j);
    for (int i = 0; i < njson_funcs; i++)
        if (strcmp(json_funcs[i].name, name) == 0 && k-- == 0) return &json_funcs[i];
    for (int j = 0; math_func_lookup(name, j); j++)
        if (k-- == 0) return math_func_lookup(name, j);
    for (int j = 0; str_func_lookup(name, j); j++)
        if (k-- == 0) return str_func_lookup(name, j);
    for (int j = 0; ext_func_lookup(name, j); j++)
        if (k-- == 0) return ext_func_lookup(name, j);
    return regex_func_lookup(name, k);
}

const FuncDef *func_lookup(const char *name) { return func_lookup_form(name, 0); }

const FuncDef *op_func_lookup(const char *op, int k)
{
    const FuncDef *fd;
    for (int j = 0; (fd = json_op_lookup(op, j)); j++)
        if (k-- == 0) return fd;
    for (int j = 0; (fd = math_op_lookup(op, j)); j++)
        if (k-- == 0) return fd;
    return str_op_lookup(op, k);
}

/* The other tables (math, string, json, array, regex) hold no volatile
 * function; extfunc.c's says which of its own are. */
bool expr_calls_volatile(const ExprProg *p)
{
    for (int i = 0; i < p->n; i++) {
        if (p->code[i].op != XOP_FUNC) continue;
        for (size_t k = 0; k < DD_ARRAY_LEN(funcs); k++)
            if (funcs[k].volatile_ && funcs[k].impl == p->code[i].fn) return true;
        for (int k = 0; k < nseq_funcs; k++)
            if (seq_funcs[k].volatile_ && seq_funcs[k].impl == p->code[i].fn) return true;
        for (int k = 0; k < ncat_funcs; k++)
            if (cat_funcs[k].volatile_ && cat_funcs[k].impl == p->code[i].fn) return true;
        if (ext_func_volatile(p->code[i].fn)) return true;
    }
    return false;
}

bool expr_calls_only_stable(const ExprProg *p)
{
    /* the statement's own clock and the commit log: the same all through
     * one statement (PostgreSQL's STABLE) */
    static const char *const stable[] = {"now", "current_timestamp", "transaction_timestamp", "statement_timestamp",
                                         "localtimestamp", "current_date", "drift_time_of"};
    for (int i = 0; i < p->n; i++) {
        if (p->code[i].op != XOP_FUNC) continue;
        for (size_t k = 0; k < DD_ARRAY_LEN(funcs); k++) {
            if (!funcs[k].volatile_ || funcs[k].impl != p->code[i].fn) continue;
            bool ok = false;
            for (size_t j = 0; j < DD_ARRAY_LEN(stable) && !ok; j++) ok = strcmp(funcs[k].name, stable[j]) == 0;
            if (!ok) return false;
        }
        for (int k = 0; k < nseq_funcs; k++)
            if (seq_funcs[k].volatile_ && seq_funcs[k].impl == p->code[i].fn) return false;
        for (int k = 0; k < ncat_funcs; k++)
            if (cat_funcs[k].volatile_ && cat_funcs[k].impl == p->code[i].fn) return false;
        if (ext_func_volatile(p->code[i].fn)) return false;
    }
    return true;
}

int func_variadic_index(const char *name)
{
    static const struct { const char *n; int i; } v[] = {
        {"format", 1}, {"concat", 0}, {"concat_ws", 1}, {"num_nulls", 0}, {"num_nonnulls", 0},
    };
    for (size_t i = 0; i < DD_ARRAY_LEN(v); i++)
        if (strcmp(v[i].n, name) == 0) return v[i].i;
    return -1;
}

int func_variadic_call(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    const FuncDef *fd = *env->state;
    const Value *arr = &a[n - 1];
    if (arr->isnull) {
        if (strcmp(fd->name, "format") == 0) return fd->impl(env, a, n - 1, out, loc);
        *out = val_null(strncmp(fd->name, "num_", 4) == 0 ? TYPE_INT4 : TYPE_TEXT);
        return DD_OK;
    }
    ArrayVal av;
    int rc = array_from_value(arr, env->sql->row, &av, env->sql->err);
    if (rc) return rc;
    /* every element, in storage order (a multi-dimensional array flattened) */
    Value *args = arena_alloc(env->sql->row, sizeof(Value) * ((size_t)n - 1 + av.n + 1));
    if (!args) return DD_ENOMEM;
    memcpy(args, a, sizeof(Value) * (size_t)(n - 1));
    if (av.n) memcpy(args + n - 1, av.items, sizeof(Value) * av.n);
    return fd->impl(env, args, n - 1 + (int)av.n, out, loc);
}

bool agg_lookup(const char *name, AggKind *kind)
{
    static const struct { const char *n; AggKind k; } aggs[] = {
        {"count", AGG_COUNT}, {"sum", AGG_SUM}, {"avg", AGG_AVG}, {"min", AGG_MIN}, {"max", AGG_MAX},
        {"bool_and", AGG_BOOL_AND}, {"bool_or", AGG_BOOL_OR}, {"every", AGG_BOOL_AND},
        {"bit_and", AGG_BIT_AND}, {"bit_or", AGG_BIT_OR}, {"bit_xor", AGG_BIT_XOR},
        {"string_agg", AGG_STRING_AGG}, {"array_agg", AGG_ARRAY_AGG},
        {"json_agg", AGG_JSON_AGG}, {"jsonb_agg", AGG_JSONB_AGG},
        {"json_object_agg", AGG_JSON_OBJECT_AGG}, {"jsonb_object_agg", AGG_JSONB_OBJECT_AGG},
        {"variance", AGG_VAR_SAMP}, {"var_samp", AGG_VAR_SAMP}, {"var_pop", AGG_VAR_POP},
        {"stddev", AGG_STDDEV_SAMP}, {"stddev_samp", AGG_STDDEV_SAMP}, {"stddev_pop", AGG_STDDEV_POP},
        {"percentile_cont", AGG_PERCENTILE_CONT}, {"percentile_disc", AGG_PERCENTILE_DISC},
        {"mode", AGG_MODE},
        {"covar_pop", AGG_COVAR_POP}, {"covar_samp", AGG_COVAR_SAMP}, {"corr", AGG_CORR},
        {"regr_count", AGG_REGR_COUNT}, {"regr_avgx", AGG_REGR_AVGX}, {"regr_avgy", AGG_REGR_AVGY},
        {"regr_sxx", AGG_REGR_SXX}, {"regr_syy", AGG_REGR_SYY}, {"regr_sxy", AGG_REGR_SXY},
        {"regr_slope", AGG_REGR_SLOPE}, {"regr_intercept", AGG_REGR_INTERCEPT}, {"regr_r2", AGG_REGR_R2},
    };
    if (strncmp(name, "pg_catalog.", 11) == 0) name += 11;
    for (size_t i = 0; i < DD_ARRAY_LEN(aggs); i++)
        if (strcmp(aggs[i].n, name) == 0) { *kind = aggs[i].k; return true; }
    return false;
}
