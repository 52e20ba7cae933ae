/*
 * value.c - SQL types and the operations on Values that do not depend on
 * text: type metadata, constructors, comparison, hashing, arithmetic
 * dispatch (integers and floats here; NUMERIC in numeric.c, date/time in
 * datetime.c), concatenation, LIKE, and the float output format.
 *
 * Invariants: integer Values always hold a value in their type's range
 * (every operation range-checks its result and reports 22003 with
 * PostgreSQL's message "integer out of range" etc.); FLOAT4 values are
 * stored already rounded to float.  val_compare() and val_hash() agree:
 * equal values of any numeric types hash alike, because every number that
 * is exactly a decimal of at most 38 digits is hashed through one canonical
 * form (normalized coefficient and scale).
 */
#include "value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>


/* 2201F: invalid argument for power function. */
static int pow_err(DdError *err, const char *msg)
{
    return dd_err(err, DD_EINVALID_ARGUMENT_FUNC, -1, "%s", msg);
}

/* ---- types ---- */

static const struct {
    u32 oid;
    int typlen;
    const char *name;
} type_info[TYPE__COUNT] = {
    [TYPE_NULLTYPE] = {25, -1, "text"},
    [TYPE_BOOL] = {16, 1, "boolean"},
    [TYPE_INT2] = {21, 2, "smallint"},
    [TYPE_INT4] = {23, 4, "integer"},
    [TYPE_INT8] = {20, 8, "bigint"},
    [TYPE_FLOAT4] = {700, 4, "real"},
    [TYPE_FLOAT8] = {701, 8, "double precision"},
    [TYPE_NUMERIC] = {1700, -1, "numeric"},
    [TYPE_TEXT] = {25, -1, "text"},
    [TYPE_VARCHAR] = {1043, -1, "character varying"},
    [TYPE_BPCHAR] = {1042, -1, "character"},
    [TYPE_UNKNOWN] = {705, -2, "unknown"},
    [TYPE_DATE] = {1082, 4, "date"},
    [TYPE_TIMESTAMP] = {1114, 8, "timestamp without time zone"},
    [TYPE_TIMESTAMPTZ] = {1184, 8, "timestamp with time zone"},
    [TYPE_INTERVAL] = {1186, 16, "interval"},
    [TYPE_UUID] = {2950, 16, "uuid"},
    [TYPE_BYTEA] = {17, -1, "bytea"},
    [TYPE_JSON] = {114, -1, "json"},
    [TYPE_JSONB] = {3802, -1, "jsonb"},
    [TYPE_TIME] = {1083, 8, "time without time zone"},
    [TYPE_TIMETZ] = {1266, 12, "time with time zone"},
    [TYPE_NAME] = {19, 64, "name"},
    [TYPE_CHAR] = {18, 1, "\"char\""},
    [TYPE_OID] = {26, 4, "oid"},
    [TYPE_ENUM] = {25, 4, "enum"},   /* the OID is the type's own (engine: ENUM_OID_BASE + id) */
    [TYPE_RECORD] = {2249, -1, "record"},
    [TYPE_REGPROC] = {24, 4, "regproc"},
    [TYPE_REGCLASS] = {2205, 4, "regclass"},
    [TYPE_REGTYPE] = {2206, 4, "regtype"},
    [TYPE_REGNAMESPACE] = {4089, 4, "regnamespace"},
    [TYPE_REGROLE] = {4096, 4, "regrole"},
    [TYPE_INT2VECTOR] = {22, -1, "int2vector"},
    [TYPE_OIDVECTOR] = {30, -1, "oidvector"},
    [TYPE_XID8] = {5069, 8, "xid8"},
    [TYPE_REGPROCEDURE] = {2202, 4, "regprocedure"},
};

bool type_is_int(TypeId t) { return t == TYPE_INT2 || t == TYPE_INT4 || t == TYPE_INT8; }
bool type_is_numeric(TypeId t)
{
    return type_is_int(t) || t == TYPE_FLOAT4 || t == TYPE_FLOAT8 || t == TYPE_NUMERIC;
}
bool type_is_string(TypeId t)
{
    return t == TYPE_TEXT || t == TYPE_VARCHAR || t == TYPE_BPCHAR || t == TYPE_NAME || t == TYPE_UNKNOWN;
}
bool type_is_datetime(TypeId t)
{
    return t == TYPE_DATE || t == TYPE_TIMESTAMP || t == TYPE_TIMESTAMPTZ;
}
static bool type_is_float(TypeId t) { return t == TYPE_FLOAT4 || t == TYPE_FLOAT8; }

/* The array types: PostgreSQL's OID and name of the array of each element
 * type (0 / NULL: no array type). */
static const struct {
    u32 oid;
    const char *name;
} array_info[TYPE__COUNT] = {
    [TYPE_BOOL] = {1000, "boolean[]"},
    [TYPE_INT2] = {1005, "smallint[]"},
    [TYPE_INT4] = {1007, "integer[]"},
    [TYPE_INT8] = {1016, "bigint[]"},
    [TYPE_FLOAT4] = {1021, "real[]"},
    [TYPE_FLOAT8] = {1022, "double precision[]"},
    [TYPE_NUMERIC] = {1231, "numeric[]"},
    [TYPE_TEXT] = {1009, "text[]"},
    [TYPE_VARCHAR] = {1015, "character varying[]"},
    [TYPE_BPCHAR] = {1014, "character[]"},
    [TYPE_DATE] = {1182, "date[]"},
    [TYPE_TIMESTAMP] = {1115, "timestamp without time zone[]"},
    [TYPE_TIMESTAMPTZ] = {1185, "timestamp with time zone[]"},
    [TYPE_INTERVAL] = {1187, "interval[]"},
    [TYPE_UUID] = {2951, "uuid[]"},
    [TYPE_BYTEA] = {1001, "bytea[]"},
    [TYPE_JSON] = {199, "json[]"},
    [TYPE_JSONB] = {3807, "jsonb[]"},
    [TYPE_TIME] = {1183, "time without time zone[]"},
    [TYPE_TIMETZ] = {1270, "time with time zone[]"},
    [TYPE_NAME] = {1003, "name[]"},
    [TYPE_CHAR] = {1002, "\"char\"[]"},
    [TYPE_OID] = {1028, "oid[]"},
    [TYPE_RECORD] = {2287, "record[]"},
    [TYPE_REGPROC] = {1008, "regproc[]"},
    [TYPE_REGCLASS] = {2210, "regclass[]"},
    [TYPE_REGTYPE] = {2211, "regtype[]"},
    [TYPE_REGNAMESPACE] = {4090, "regnamespace[]"},
    [TYPE_REGROLE] = {4097, "regrole[]"},
    [TYPE_XID8] = {271, "xid8[]"},
    [TYPE_REGPROCEDURE] = {2207, "regprocedure[]"},
    /* each enum type has its own array type (the engine gives its OID and
     * the compiler its name from the enum's id); these are the fallbacks */
    [TYPE_ENUM] = {1009, "enum[]"},
};

bool type_has_array(TypeId e) { return e < TYPE__COUNT && array_info[e].oid != 0; }

u32 type_oid(TypeId t)
{
    if (type_is_array(t)) return type_has_array(type_elem(t)) ? array_info[type_elem(t)].oid : 1009;
    return t < TYPE__COUNT ? type_info[t].oid : 25;
}
int type_typlen(TypeId t) { return t < TYPE__COUNT ? type_info[t].typlen : -1; }
const char *type_name(TypeId t)
{
    if (type_is_array(t)) return type_has_array(type_elem(t)) ? array_info[type_elem(t)].name : "text[]";
    return t < TYPE__COUNT ? type_info[t].name : "unknown";
}

static bool scalar_from_name(const char *name, TypeId *out);

/* "T[]" (any number of bracket pairs, as the parser writes `T[]`, `T[3]`
 * and `T ARRAY`) and PostgreSQL's internal names "_int4", "_text", ... */
bool type_from_name(const char *name, TypeId *out)
{
    size_t n = strlen(name);
    if (n > 2 && strcmp(name + n - 2, "[]") == 0) {
        while (n > 2 && name[n - 2] == '[' && name[n - 1] == ']') n -= 2;
        char base[64];
        if (n >= sizeof base) return false;
        memcpy(base, name, n);
        base[n] = 0;
        TypeId e;
        if (!scalar_from_name(base, &e) || !type_has_array(e)) return false;
        *out = type_array_of(e);
        return true;
    }
    if (name[0] == '_') {
        for (int e = 1; e < TYPE__COUNT; e++) {
            if (!type_has_array((TypeId)e)) continue;
            /* the internal name of an array type is "_" + the element's */
            static const char *const internal[TYPE__COUNT] = {
                [TYPE_BOOL] = "bool", [TYPE_INT2] = "int2", [TYPE_INT4] = "int4", [TYPE_INT8] = "int8",
                [TYPE_FLOAT4] = "float4", [TYPE_FLOAT8] = "float8", [TYPE_NUMERIC] = "numeric",
                [TYPE_TEXT] = "text", [TYPE_VARCHAR] = "varchar", [TYPE_BPCHAR] = "bpchar",
                [TYPE_DATE] = "date", [TYPE_TIMESTAMP] = "timestamp", [TYPE_TIMESTAMPTZ] = "timestamptz",
                [TYPE_INTERVAL] = "interval", [TYPE_UUID] = "uuid", [TYPE_BYTEA] = "bytea",
                [TYPE_JSON] = "json", [TYPE_JSONB] = "jsonb", [TYPE_TIME] = "time", [TYPE_TIMETZ] = "timetz",
                [TYPE_NAME] = "name", [TYPE_CHAR] = "char", [TYPE_OID] = "oid",
                [TYPE_REGPROC] = "regproc", [TYPE_REGCLASS] = "regclass", [TYPE_REGTYPE] = "regtype",
                [TYPE_REGNAMESPACE] = "regnamespace", [TYPE_REGROLE] = "regrole",
                [TYPE_REGPROCEDURE] = "regprocedure", [TYPE_XID8] = "xid8",
            };
            if (internal[e] && strcasecmp(name + 1, internal[e]) == 0) {
                *out = type_array_of((TypeId)e);
                return true;
            }
        }
        return false;
    }
    return scalar_from_name(name, out);
}

int type_check_typmod(const char *name, TypeId t, i32 typmod, int loc, DdError *err)
{
    TypeId e = type_is_array(t) ? type_elem(t) : t;
    if (typmod < 0 || e == TYPE_NUMERIC || e == TYPE_VARCHAR || e == TYPE_BPCHAR || e == TYPE_TIME ||
        e == TYPE_TIMETZ || e == TYPE_TIMESTAMP || e == TYPE_TIMESTAMPTZ || e == TYPE_INTERVAL)
        return DD_OK;
    char written[80];   /* without the quotes of "char" */
    size_t n = 0;
    for (const char *p = name; *p && n < sizeof written - 1; p++)
        if (*p != '"') written[n++] = *p;
    written[n] = '\0';
    return dd_err(err, DD_ESYNTAX, loc, "type modifier is not allowed for type \"%s\"", written);
}

static bool scalar_from_name(const char *name, TypeId *out)
{
    static const struct {
        const char *name;
        TypeId t;
    } names[] = {
        {"int", TYPE_INT4}, {"integer", TYPE_INT4}, {"int4", TYPE_INT4},
        {"bigint", TYPE_INT8}, {"int8", TYPE_INT8},
        {"smallint", TYPE_INT2}, {"int2", TYPE_INT2},
        {"real", TYPE_FLOAT4}, {"float4", TYPE_FLOAT4},
        {"double precision", TYPE_FLOAT8}, {"float8", TYPE_FLOAT8}, {"float", TYPE_FLOAT8},
        {"numeric", TYPE_NUMERIC}, {"decimal", TYPE_NUMERIC},
        {"text", TYPE_TEXT},
        {"varchar", TYPE_VARCHAR}, {"character varying", TYPE_VARCHAR},
        {"char", TYPE_BPCHAR}, {"character", TYPE_BPCHAR}, {"bpchar", TYPE_BPCHAR},
        {"boolean", TYPE_BOOL}, {"bool", TYPE_BOOL},
        {"date", TYPE_DATE},
        {"timestamp", TYPE_TIMESTAMP}, {"timestamp without time zone", TYPE_TIMESTAMP},
        {"timestamptz", TYPE_TIMESTAMPTZ}, {"timestamp with time zone", TYPE_TIMESTAMPTZ},
        {"interval", TYPE_INTERVAL},
        {"time", TYPE_TIME}, {"time without time zone", TYPE_TIME},
        {"timetz", TYPE_TIMETZ}, {"time with time zone", TYPE_TIMETZ},
        {"uuid", TYPE_UUID},
        {"bytea", TYPE_BYTEA},
        {"json", TYPE_JSON},
        {"jsonb", TYPE_JSONB},
        {"name", TYPE_NAME},
        {"\"char\"", TYPE_CHAR},   /* the parser's spelling of the quoted "char" */
        {"oid", TYPE_OID},
        {"regproc", TYPE_REGPROC}, {"regclass", TYPE_REGCLASS}, {"regtype", TYPE_REGTYPE},
        {"regnamespace", TYPE_REGNAMESPACE}, {"regrole", TYPE_REGROLE}, {"regprocedure", TYPE_REGPROCEDURE},
        {"int2vector", TYPE_INT2VECTOR}, {"oidvector", TYPE_OIDVECTOR},
        {"xid8", TYPE_XID8},
    };
    for (size_t i = 0; i < DD_ARRAY_LEN(names); i++) {
        if (strcasecmp(name, names[i].name) == 0) {
            *out = names[i].t;
            return true;
        }
    }
    return false;
}

/* ---- constructors ---- */

Value val_float(TypeId t, double f)
{
    Value v = val_null(t);
    v.isnull = false;
    v.v.f = t == TYPE_FLOAT4 ? (double)(float)f : f;
    return v;
}

Value val_numeric(i128 coef, int scale)
{
    Value v;
    val_set_numeric(&v, coef, scale);
    return v;
}

Value val_text(TypeId t, const char *p, u32 len)
{
    Value v;
    val_set_text(&v, t, p, len);
    return v;
}

Value val_interval(Interval iv)
{
    Value v = val_null(TYPE_INTERVAL);
    v.isnull = false;
    v.v.iv = iv;
    return v;
}

/* ---- float output ---- */

/*
 * PostgreSQL 12+ output: the shortest digit string that reads back to the
 * same value, printed in fixed notation when the decimal exponent X is in
 * -4 <= X < 15 (float4: < 6), else as d.ddde+XX.
 */
void float_to_text(double d, bool is_float4, Buf *out)
{
    if (isnan(d)) { buf_puts(out, "NaN"); return; }
    if (isinf(d)) { buf_puts(out, d < 0 ? "-Infinity" : "Infinity"); return; }
    if (d == 0) { buf_puts(out, signbit(d) ? "-0" : "0"); return; }
    char tmp[40];
    int maxp = is_float4 ? 9 : 17;
    for (int p = 1; p <= maxp; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, d);
        if (!is_float4) {
            if (strtod(tmp, NULL) == d) break;
        } else if (strtof(tmp, NULL) == (float)d) {
            /* Like PostgreSQL's Ryu, do not accept a decimal lying exactly
             * halfway to a neighbouring float (strtof breaks the tie to
             * even, Ryu does not rely on it). */
            double x = strtod(tmp, NULL), f = (float)d;
            double up = ((double)nextafterf((float)d, INFINITY) + f) / 2;
            double down = ((double)nextafterf((float)d, -INFINITY) + f) / 2;
            if (x != up && x != down) break;
        }
    }
    /* tmp: [-]d[.ddd]e(+|-)XX */
    char digits[24];
    int nd = 0;
    const char *p = tmp;
    bool neg = *p == '-';
    if (neg) p++;
    for (; *p != 'e'; p++)
        if (*p != '.') digits[nd++] = *p;
    int x = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    if (neg) buf_putc(out, '-');
    if (x >= -4 && x < (is_float4 ? 6 : 15)) {
        if (x < 0) {
            buf_puts(out, "0.");
            for (int i = 0; i < -x - 1; i++) buf_putc(out, '0');
            buf_append(out, digits, (size_t)nd);
        } else {
            for (int i = 0; i <= x; i++) buf_putc(out, i < nd ? (u8)digits[i] : '0');
            if (nd > x + 1) {
                buf_putc(out, '.');
                buf_append(out, digits + x + 1, (size_t)(nd - x - 1));
            }
        }
        return;
    }
    buf_putc(out, (u8)digits[0]);
    if (nd > 1) {
        buf_putc(out, '.');
        buf_append(out, digits + 1, (size_t)(nd - 1));
    }
    buf_printf(out, "e%c%02d", x < 0 ? '-' : '+', x < 0 ? -x : x);
}

/* ---- comparison ---- */

static int cmp_i64(i64 a, i64 b) { return a < b ? -1 : a > b; }

/* PostgreSQL float ordering: NaN above everything, NaN == NaN. */
static int cmp_double(double a, double b)
{
    if (isnan(a)) return isnan(b) ? 0 : 1;
    if (isnan(b)) return -1;
    return a < b ? -1 : a > b;
}


static u32 bpchar_len(const char *p, u32 len)
{
    while (len > 0 && p[len - 1] == ' ') len--;
    return len;
}

static void str_of(const Value *v, const char **p, u32 *len)
{
    *p = v->v.s.p;
    *len = v->type == TYPE_BPCHAR ? bpchar_len(v->v.s.p, v->v.s.len) : v->v.s.len;
}

static int cmp_bytes(const char *a, u32 al, const char *b, u32 bl)
{
    int c = memcmp(a, b, DD_MIN(al, bl));
    if (c) return c < 0 ? -1 : 1;
    return al < bl ? -1 : al > bl;
}

static int cmp_num(const Value *a, const Value *b)
{
    TypeId ta = a->type, tb = b->type;
    if (type_is_int(ta) && type_is_int(tb)) return cmp_i64(a->v.i, b->v.i);
    if (type_is_float(ta) && type_is_float(tb)) return cmp_double(a->v.f, b->v.f);
    if (type_is_float(ta)) return -cmp_num(b, a);
    /* a is int or numeric, b is anything numeric.  Against a float, the
     * other side becomes float8 first, as PostgreSQL resolves int4 =
     * float8 and numeric = float8 (so 0.1::float8 = 0.1, and a float
     * column finds the double nearest a numeric literal) */
    if ((ta == TYPE_NUMERIC && numeric_is_big(a->scale)) || (tb == TYPE_NUMERIC && numeric_is_big(b->scale))) {
        if (type_is_float(tb)) return cmp_double(numeric_value_to_double(a), b->v.f);
        return numeric_big_cmp(a, b);
    }
    if (type_is_int(ta)) {
        if (tb == TYPE_NUMERIC) return numeric_cmp(a->v.i, 0, b->v.coef, b->scale);
        return cmp_double((double)a->v.i, b->v.f);
    }
    if (type_is_int(tb)) return numeric_cmp(a->v.coef, a->scale, b->v.i, 0);
    if (tb == TYPE_NUMERIC) return numeric_cmp(a->v.coef, a->scale, b->v.coef, b->scale);
    return cmp_double(numeric_to_double(a->v.coef, a->scale), b->v.f);
}

/* An oid, or an integer as the oid it casts to (int2 / int4 as unsigned
 * 32 bits: -1 is 4294967295, as PostgreSQL's binary cast). */
static i64 oid_of(const Value *v)
{
    return v->type == TYPE_INT2 || v->type == TYPE_INT4 ? (i64)(u32)v->v.i : v->v.i;
}

bool val_has_bytes(const Value *v)
{
    TypeId t = (TypeId)v->type;
    return type_is_string(t) || type_is_array(t) || type_vector_array(t) || t == TYPE_BYTEA || t == TYPE_UUID ||
           t == TYPE_JSON || t == TYPE_JSONB || t == TYPE_RECORD || (t == TYPE_NUMERIC && numeric_is_big(v->scale));
}

int val_compare(const Value *a, const Value *b, const ValueCtx *ctx)
{
    if (type_vector_array((TypeId)a->type) || type_vector_array((TypeId)b->type)) {
        /* a vector compares as its array */
        Value x = *a, y = *b;
        if (type_vector_array((TypeId)x.type)) x.type = (u8)type_vector_array((TypeId)x.type);
        if (type_vector_array((TypeId)y.type)) y.type = (u8)type_vector_array((TypeId)y.type);
        return val_compare(&x, &y, ctx);
    }
    TypeId ta = a->type, tb = b->type;
    if (type_is_array(ta) && type_is_array(tb)) return array_compare(a, b, ctx);
    if (ta == TYPE_RECORD && tb == TYPE_RECORD) return record_compare(a, b, ctx);
    /* An UNKNOWN literal against a typed value takes the other's type. */
    if ((ta == TYPE_UNKNOWN) != (tb == TYPE_UNKNOWN) && !(type_is_string(ta) && type_is_string(tb))) {
        const Value *u = ta == TYPE_UNKNOWN ? a : b, *o = ta == TYPE_UNKNOWN ? b : a;
        Value conv;
        i32 etm = o->type == TYPE_ENUM ? (i32)o->etype
                  : type_has_etype((TypeId)o->type) && !o->isnull ? (i32)array_etype(o) : -1;
        if (val_from_text((TypeId)o->type, etm, u->v.s.p, u->v.s.len, ctx, &conv, NULL) == DD_OK)
            return ta == TYPE_UNKNOWN ? val_compare(&conv, o, ctx) : val_compare(o, &conv, ctx);
        return ta < tb ? -1 : 1;
    }
    if (type_is_numeric(ta) && type_is_numeric(tb)) return cmp_num(a, b);
    if (type_is_string(ta) && type_is_string(tb)) {
        const char *pa, *pb;
        u32 la, lb;
        str_of(a, &pa, &la);
        str_of(b, &pb, &lb);
        return cmp_bytes(pa, la, pb, lb);
    }
    if (ta == TYPE_BOOL && tb == TYPE_BOOL) return (int)a->v.b - (int)b->v.b;
    if ((type_is_oidlike(ta) && (type_is_oidlike(tb) || type_is_int(tb))) || (type_is_oidlike(tb) && type_is_int(ta)))
        return cmp_i64(oid_of(a), oid_of(b));
    if (ta == TYPE_CHAR && tb == TYPE_CHAR) return cmp_i64(a->v.i, b->v.i);
    if (ta == TYPE_XID8 && tb == TYPE_XID8) return (u64)a->v.i < (u64)b->v.i ? -1 : (u64)a->v.i > (u64)b->v.i;
    if ((ta == TYPE_CHAR && type_is_string(tb)) || (tb == TYPE_CHAR && type_is_string(ta))) {
        /* as text = text: the "char" by its text form */
        const Value *c = ta == TYPE_CHAR ? a : b, *s = ta == TYPE_CHAR ? b : a;
        char t[5];
        u32 tl = c->v.i >= 128 ? (u32)snprintf(t, sizeof t, "\\%03o", (unsigned)c->v.i) : c->v.i ? 1 : 0;
        if (c->v.i && c->v.i < 128) t[0] = (char)c->v.i;
        const char *ps;
        u32 ls;
        str_of(s, &ps, &ls);
        int r = cmp_bytes(t, tl, ps, ls);
        return ta == TYPE_CHAR ? r : -r;
    }
    if (type_is_datetime(ta) && type_is_datetime(tb)) {
        if (ta == tb) return cmp_i64(a->v.i, b->v.i);   /* days or microseconds alike */
        /* across types: in UTC when one is timestamptz (the other read in
         * the session's zone), else as local times */
        bool utc = ta == TYPE_TIMESTAMPTZ || tb == TYPE_TIMESTAMPTZ;
        i128 x = utc ? datetime_as_utc(a, ctx) : datetime_as_local(a);
        i128 y = utc ? datetime_as_utc(b, ctx) : datetime_as_local(b);
        return x < y ? -1 : x > y;
    }
    if (ta == TYPE_INTERVAL && tb == TYPE_INTERVAL) return interval_cmp(&a->v.iv, &b->v.iv);
    if (ta == TYPE_TIME && tb == TYPE_TIME) return a->v.i < b->v.i ? -1 : a->v.i > b->v.i;
    if (ta == TYPE_TIMETZ && tb == TYPE_TIMETZ) {
        /* PostgreSQL's order: the instant in UTC, then the zone (west first) */
        i64 x = timetz_us(a->v.i) - (i64)timetz_zone(a->v.i) * 1000000;
        i64 y = timetz_us(b->v.i) - (i64)timetz_zone(b->v.i) * 1000000;
        if (x != y) return x < y ? -1 : 1;
        i32 za = timetz_zone(a->v.i), zb = timetz_zone(b->v.i);
        return za > zb ? -1 : za < zb;
    }
    if (ta == TYPE_JSONB && tb == TYPE_JSONB) return jsonb_value_cmp(a, b);
    if (ta == TYPE_ENUM && tb == TYPE_ENUM) return a->v.i < b->v.i ? -1 : a->v.i > b->v.i;
    if ((ta == TYPE_UUID && tb == TYPE_UUID) || (ta == TYPE_BYTEA && tb == TYPE_BYTEA))
        return cmp_bytes(a->v.s.p, a->v.s.len, b->v.s.p, b->v.s.len);
    return ta < tb ? -1 : ta > tb;
}

/* ---- hashing ---- */

static u64 mix64(u64 x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static u64 hash_bytes(const void *p, size_t n, u64 seed)
{
    const u8 *b = p;
    u64 h = 0xcbf29ce484222325ULL ^ seed;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ULL;
    }
    return mix64(h);
}

static u64 hash_i64(i64 v) { return mix64((u64)v ^ 0x9e3779b97f4a7c15ULL); }

/* Canonical hash of a decimal number (normalized: no trailing zeros). */
static u64 hash_decimal(i128 coef, int scale)
{
    /* the special values hash as the floats they equal (hash_double) */
    if (numeric_is_nan(scale)) return 0x7ff8dead;
    if (numeric_is_inf(scale)) return scale == NUMERIC_PINF ? 0x7ff0beef : 0xfff0beef;
    numeric_normalize(&coef, &scale);
    if (scale == 0 && coef >= INT64_MIN && coef <= INT64_MAX) return hash_i64((i64)coef);
    u64 lo = (u64)coef, hi = (u64)((u128)coef >> 64);
    return mix64(lo ^ mix64(hi ^ mix64((u64)scale + 77)));
}

static u64 hash_double(double d)
{
    if (isnan(d)) return 0x7ff8dead;
    if (isinf(d)) return d > 0 ? 0x7ff0beef : 0xfff0beef;
    if (d == 0) return hash_i64(0);
    if (d == trunc(d) && fabs(d) < 9223372036854775808.0) return hash_i64((i64)d);
    /* d = k * 2^e exactly; as a decimal: k * 5^-e at scale -e (if it fits) */
    int e;
    double m = frexp(fabs(d), &e);
    u64 k = (u64)ldexp(m, 53);
    e -= 53;
    while (!(k & 1)) { k >>= 1; e++; }
    u128 c = k;
    int scale = 0;
    if (e >= 0) {
        if (e < 75) {
            u128 lim = (u128)1 << 127;
            bool ok = true;
            for (int i = 0; i < e && ok; i++) { if (c >= lim) ok = false; c <<= 1; }
            if (ok && c < (u128)1e38) return hash_decimal(d < 0 ? -(i128)c : (i128)c, 0);
        }
    } else if (-e <= NUMERIC_MAX_SCALE) {
        bool ok = true;
        for (int i = 0; i < -e && ok; i++)
            if (__builtin_mul_overflow(c, (u128)5, &c)) ok = false;
        scale = -e;
        if (ok && c < (u128)1e38) return hash_decimal(d < 0 ? -(i128)c : (i128)c, scale);
    }
    return hash_bytes(&d, sizeof d, 0xf10a7);
}

u64 val_hash(const Value *v)
{
    if (v->isnull) return 0x6e756c6c;
    if (type_is_array((TypeId)v->type)) return array_hash(v);
    if (type_vector_array((TypeId)v->type)) {
        Value x = *v;
        x.type = (u8)type_vector_array((TypeId)v->type);
        return array_hash(&x);
    }
    switch ((TypeId)v->type) {
    case TYPE_BOOL: return hash_i64(v->v.b);
    case TYPE_INT2:
    case TYPE_INT4:
    case TYPE_INT8:
    case TYPE_OID:
    case TYPE_REGPROC: case TYPE_REGCLASS: case TYPE_REGTYPE: case TYPE_REGNAMESPACE: case TYPE_REGROLE: case TYPE_REGPROCEDURE:
    case TYPE_XID8:
        return hash_i64(v->v.i);   /* an oid hashes as the integer of its value */
    case TYPE_CHAR: return hash_i64(v->v.i) ^ 0xc4;
    case TYPE_FLOAT4:
    case TYPE_FLOAT8: return hash_double(v->v.f);
    case TYPE_NUMERIC:
        if (numeric_is_big(v->scale)) {
            i128 c;
            int sc;
            if (numeric_big_pair(v, &c, &sc)) return hash_decimal(c, sc);
            return numeric_big_hash(v, hash_bytes);
        }
        return hash_decimal(v->v.coef, v->scale);
    case TYPE_TEXT:
    case TYPE_VARCHAR:
    case TYPE_BPCHAR:
    case TYPE_NAME:
    case TYPE_UNKNOWN: {
        const char *p;
        u32 n;
        str_of(v, &p, &n);
        return hash_bytes(p, n, 0x57);
    }
    case TYPE_DATE:
    case TYPE_TIMESTAMP: {
        i128 x = datetime_as_local(v);
        return hash_bytes(&x, sizeof x, 0xda7e);
    }
    case TYPE_TIMESTAMPTZ: return hash_i64(v->v.i) ^ 0x7a;
    case TYPE_TIME: return hash_i64(v->v.i) ^ 0x71;
    case TYPE_TIMETZ: return hash_i64(v->v.i) ^ 0x72;
    case TYPE_ENUM: return hash_i64(v->v.i) ^ 0xe7;
    case TYPE_RECORD: return record_hash(v);
    case TYPE_INTERVAL: {
        i128 span = interval_span(&v->v.iv);
        return hash_bytes(&span, sizeof span, 0x1e);
    }
    case TYPE_UUID: return hash_bytes(v->v.s.p, v->v.s.len, 0x11);
    case TYPE_BYTEA: return hash_bytes(v->v.s.p, v->v.s.len, 0xb7);
    case TYPE_JSON: return hash_bytes(v->v.s.p, v->v.s.len, 0x15);
    case TYPE_JSONB: return jsonb_value_hash(v);
    default: return 0;
    }
}

/* ---- arithmetic ---- */

static const char *op_symbol(ArithOp op)
{
    static const char *sym[] = {"+", "-", "*", "/", "%", "^"};
    return sym[op];
}

static int no_operator(ArithOp op, TypeId a, TypeId b, DdError *err)
{
    dd_err(err, DD_EUNDEFINED_OPERATOR, -1, "operator does not exist: %s %s %s", type_name(a),
           op_symbol(op), type_name(b));
    dd_err_hint(err, "No operator matches the given name and argument types. "
                     "You might need to add explicit type casts.");
    return DD_EUNDEFINED_OPERATOR;
}

static TypeId int_rank_max(TypeId a, TypeId b)
{
    if (a == TYPE_INT8 || b == TYPE_INT8) return TYPE_INT8;
    if (a == TYPE_INT4 || b == TYPE_INT4) return TYPE_INT4;
    return TYPE_INT2;
}

bool val_arith_type(ArithOp op, TypeId a, TypeId b, TypeId *out)
{
    if (type_is_numeric(a) && type_is_numeric(b)) {
        bool fa = type_is_float(a), fb = type_is_float(b);
        if (op == ARITH_POW) {
            *out = (fa || fb || (type_is_int(a) && type_is_int(b))) ? TYPE_FLOAT8 : TYPE_NUMERIC;
            return true;
        }
        if (fa || fb) {
            if (op == ARITH_MOD) return false;
            *out = (a == TYPE_FLOAT4 && b == TYPE_FLOAT4) ? TYPE_FLOAT4 : TYPE_FLOAT8;
            return true;
        }
        *out = (a == TYPE_NUMERIC || b == TYPE_NUMERIC) ? TYPE_NUMERIC : int_rank_max(a, b);
        return true;
    }
    return datetime_arith_type(op, a, b, out);
}

static int int_range_err(TypeId t, DdError *err)
{
    return dd_err(err, DD_EOUT_OF_RANGE, -1, "%s out of range",
                  t == TYPE_INT2 ? "smallint" : t == TYPE_INT4 ? "integer" : "bigint");
}

static bool int_fits(TypeId t, i64 v)
{
    if (t == TYPE_INT2) return v >= INT16_MIN && v <= INT16_MAX;
    if (t == TYPE_INT4) return v >= INT32_MIN && v <= INT32_MAX;
    return true;
}

static int div_zero(DdError *err) { return dd_err(err, DD_EDIV_ZERO, -1, "division by zero"); }

static int int_arith(ArithOp op, TypeId rt, i64 a, i64 b, Value *out, DdError *err)
{
    i64 r = 0;
    bool ovf = false;
    switch (op) {
    case ARITH_ADD: ovf = __builtin_add_overflow(a, b, &r); break;
    case ARITH_SUB: ovf = __builtin_sub_overflow(a, b, &r); break;
    case ARITH_MUL: ovf = __builtin_mul_overflow(a, b, &r); break;
    case ARITH_DIV:
        if (b == 0) return div_zero(err);
        if (b == -1) ovf = __builtin_sub_overflow((i64)0, a, &r);
        else r = a / b;
        break;
    case ARITH_MOD:
        if (b == 0) return div_zero(err);
        r = b == -1 ? 0 : a % b;
        break;
    default: return DD_EINTERNAL;
    }
    if (ovf || !int_fits(rt, r)) return int_range_err(rt, err);
    *out = val_int(rt, r);
    return DD_OK;
}

static double num_as_double(const Value *v)
{
    if (type_is_int(v->type)) return (double)v->v.i;
    if (v->type == TYPE_NUMERIC) return numeric_value_to_double(v);
    return v->v.f;
}

static int float_overflow(DdError *err)
{
    return dd_err(err, DD_EOUT_OF_RANGE, -1, "value out of range: overflow");
}
static int float_underflow(DdError *err)
{
    return dd_err(err, DD_EOUT_OF_RANGE, -1, "value out of range: underflow");
}

static int float_arith(ArithOp op, TypeId rt, double a, double b, Value *out, DdError *err)
{
    double r;
    switch (op) {
    case ARITH_ADD: r = a + b; break;
    case ARITH_SUB: r = a - b; break;
    case ARITH_MUL: r = a * b; break;
    case ARITH_DIV:
        if (b == 0 && !isnan(a)) return div_zero(err);
        r = a / b;
        break;
    case ARITH_POW:
        if (a == 0 && b < 0)
            return pow_err(err, "zero raised to a negative power is undefined");
        if (a < 0 && b != trunc(b) && !isinf(b))
            return pow_err(err,
                          "a negative number raised to a non-integer power yields a complex result");
        r = pow(a, b);
        if (isinf(r) && !isinf(a) && !isinf(b)) return float_overflow(err);
        if (r == 0 && a != 0 && !isinf(b) && fabs(a) != 1) {
            /* genuine underflow only when the exact result is not zero */
            if (!(fabs(a) < 1 && isinf(b)) && !(fabs(a) > 1 && isinf(b))) return float_underflow(err);
        }
        *out = val_float(rt, r);
        return DD_OK;
    default: return DD_EINTERNAL;
    }
    if (rt == TYPE_FLOAT4) {
        float f = (float)r;
        if (isinf(f) && !isinf(a) && !isinf(b)) return float_overflow(err);
        if (f == 0 && r != 0) return float_underflow(err);
        if (op == ARITH_MUL && f == 0 && a != 0 && b != 0) return float_underflow(err);
        *out = val_float(rt, f);
        return DD_OK;
    }
    if (isinf(r) && !isinf(a) && !isinf(b)) return float_overflow(err);
    if (r == 0 && ((op == ARITH_MUL && a != 0 && b != 0) || (op == ARITH_DIV && a != 0 && !isinf(b))))
        return float_underflow(err);
    *out = val_float(rt, r);
    return DD_OK;
}

/* An UNKNOWN operand takes the first type giving an operator: the other
 * operand's type, then interval, then integer (date: integer first). */
static int resolve_unknown(ArithOp op, const Value *a, const Value *b, const ValueCtx *ctx,
                           Value *out, DdError *err)
{
    const Value *u = a->type == TYPE_UNKNOWN ? a : b, *o = a->type == TYPE_UNKNOWN ? b : a;
    TypeId cands[3] = {(TypeId)o->type, TYPE_INTERVAL, TYPE_INT4};
    if (o->type == TYPE_DATE) { /* date + '3' means days (PostgreSQL: ambiguous) */
        cands[1] = TYPE_INT4;
        cands[2] = TYPE_INTERVAL;
    }
    if (o->type == TYPE_UNKNOWN || type_is_string(o->type)) return no_operator(op, a->type, b->type, err);
    for (int i = 0; i < 3; i++) {
        TypeId rt, ta = a == u ? cands[i] : (TypeId)a->type, tb = b == u ? cands[i] : (TypeId)b->type;
        if (!val_arith_type(op, ta, tb, &rt)) continue;
        Value conv;
        int rc = val_from_text(cands[i], -1, u->v.s.p, u->v.s.len, ctx, &conv, err);
        if (rc) return rc;
        return a == u ? val_arith(op, &conv, b, ctx, out, err) : val_arith(op, a, &conv, ctx, out, err);
    }
    return no_operator(op, a->type, b->type, err);
}

int val_arith(ArithOp op, const Value *a, const Value *b, const ValueCtx *ctx, Value *out,
              DdError *err)
{
    TypeId ta = a->type, tb = b->type, rt;
    if (ta == TYPE_UNKNOWN || tb == TYPE_UNKNOWN) return resolve_unknown(op, a, b, ctx, out, err);
    if (!val_arith_type(op, ta, tb, &rt)) return no_operator(op, ta, tb, err);
    if (!type_is_numeric(ta) || !type_is_numeric(tb)) return datetime_arith(op, a, b, ctx, out, err);
    if (type_is_float(rt)) return float_arith(op, rt, num_as_double(a), num_as_double(b), out, err);
    if (type_is_int(rt)) return int_arith(op, rt, a->v.i, b->v.i, out, err);
    return numeric_value_arith(op, a, b, ctx ? ctx->arena : NULL, out, err);
}

int val_negate(const Value *a, Value *out, DdError *err)
{
    switch ((TypeId)a->type) {
    case TYPE_INT2:
    case TYPE_INT4:
    case TYPE_INT8:
        if (a->v.i == INT64_MIN || !int_fits(a->type, -a->v.i)) return int_range_err(a->type, err);
        *out = val_int(a->type, -a->v.i);
        return DD_OK;
    case TYPE_FLOAT4:
    case TYPE_FLOAT8:
        *out = val_float(a->type, -a->v.f);
        return DD_OK;
    case TYPE_NUMERIC:
        if (numeric_is_big(a->scale)) {   /* the digits are shared: the sign is the scale's */
            *out = *a;
            out->scale = a->scale == NUMERIC_BIG ? NUMERIC_BIG_NEG : NUMERIC_BIG;
        } else if (numeric_is_inf(a->scale))
            *out = val_numeric(0, a->scale == NUMERIC_PINF ? NUMERIC_NINF : NUMERIC_PINF);
        else
            *out = val_numeric(-a->v.coef, a->scale);
        return DD_OK;
    case TYPE_INTERVAL: {
        Interval iv = a->v.iv;
        if (iv.months == INT32_MIN || iv.days == INT32_MIN || iv.usecs == INT64_MIN)
            return dd_err(err, DD_EOUT_OF_RANGE, -1, "interval out of range");
        iv.months = -iv.months;
        iv.days = -iv.days;
        iv.usecs = -iv.usecs;
        *out = val_interval(iv);
        return DD_OK;
    }
    default:
        dd_err(err, DD_EUNDEFINED_OPERATOR, -1, "operator does not exist: - %s", type_name(a->type));
        dd_err_hint(err, "No operator matches the given name and argument types. "
                         "You might need to add explicit type casts.");
        return DD_EUNDEFINED_OPERATOR;
    }
}

/* Appends the text form used by ||: strings as-is (char(n) without its
 * padding, as PostgreSQL's bpchar-to-text cast), other types' output. */
static void concat_part(const Value *v, const ValueCtx *ctx, Buf *b)
{
    if (type_is_string(v->type) || v->type == TYPE_NULLTYPE) {
        const char *p;
        u32 n;
        str_of(v, &p, &n);
        buf_append(b, p, n);
    } else if (v->type == TYPE_BOOL) {
        buf_puts(b, v->v.b ? "true" : "false"); /* the bool-to-text cast */
    } else {
        val_to_text(v, ctx, b);
    }
}

int val_concat(const Value *a, const Value *b, const ValueCtx *ctx, Value *out, DdError *err)
{
    Buf tmp = BUF_INIT;
    concat_part(a, ctx, &tmp);
    concat_part(b, ctx, &tmp);
    int rc = DD_OK;
    if (!buf_ok(&tmp) || tmp.len > UINT32_MAX) {
        rc = dd_err(err, DD_ENOMEM, -1, "out of memory");
        goto done;
    }
    char *p = tmp.len ? arena_memdup(ctx->arena, tmp.data, tmp.len) : "";
    if (!p) {
        rc = dd_err(err, DD_ENOMEM, -1, "out of memory");
        goto done;
    }
    *out = val_text(TYPE_TEXT, p, (u32)tmp.len);
done:
    buf_free(&tmp);
    return rc;
}

/* ---- LIKE ---- */

/* Decodes one UTF-8 code point at s[*i] (invalid bytes stand for
 * themselves) and advances *i. */
static u32 utf8_next(const char *s, size_t n, size_t *i)
{
    const u8 *p = (const u8 *)s + *i;
    size_t left = n - *i;
    u32 c = p[0];
    int len = 1;
    if (c >= 0xc0 && c < 0xe0 && left >= 2 && (p[1] & 0xc0) == 0x80) {
        c = ((c & 0x1f) << 6) | (p[1] & 0x3f);
        len = 2;
    } else if (c >= 0xe0 && c < 0xf0 && left >= 3 && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80) {
        c = ((c & 0x0f) << 12) | ((u32)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
        len = 3;
    } else if (c >= 0xf0 && c < 0xf8 && left >= 4 && (p[1] & 0xc0) == 0x80 &&
               (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80) {
        c = ((c & 0x07) << 18) | ((u32)(p[1] & 0x3f) << 12) | ((u32)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
        len = 4;
    }
    *i += (size_t)len;
    return c;
}

/* Lower-cases a code point: ASCII, Latin-1, Greek and Cyrillic capitals by
 * table (independent of the process locale), others via towlower. */
static u32 fold(u32 c)
{
    if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    if ((c >= 0xc0 && c <= 0xde && c != 0xd7) || (c >= 0x391 && c <= 0x3a9 && c != 0x3a2) ||
        (c >= 0x410 && c <= 0x42f))
        return c + 32;
    if (c >= 0x400 && c <= 0x40f) return c + 80;
    return (u32)towlower((wint_t)c);
}

int val_like(const char *s, size_t slen, const char *pat, size_t plen, int escape, bool icase)
{
    /* Greedy match with one backtrack point: the position after the last
     * '%' and the subject position it is currently trying. */
    size_t si = 0, pi = 0, star_p = SIZE_MAX, star_s = 0;
    for (;;) {
        if (pi < plen) {
            size_t pnext = pi;
            u32 pc = utf8_next(pat, plen, &pnext);
            if (pc == '%') {
                star_p = pnext;
                star_s = si;
                pi = pnext;
                continue;
            }
            if (si < slen) {
                size_t snext = si;
                u32 sc = utf8_next(s, slen, &snext);
                bool ok;
                if (pc == '_') {
                    ok = true;
                } else {
                    if (escape >= 0 && pc == (u32)escape) {
                        if (pnext >= plen) return -DD_EINVALID_ESCAPE;
                        pc = utf8_next(pat, plen, &pnext);
                    }
                    ok = icase ? fold(pc) == fold(sc) : pc == sc;
                }
                if (ok) {
                    pi = pnext;
                    si = snext;
                    continue;
                }
            }
        } else if (si >= slen) {
            return 1;
        }
        /* mismatch: let the last '%' swallow one more character */
        if (star_p == SIZE_MAX || star_s >= slen) {
            /* as PostgreSQL: a trailing escape is an error only when the
             * match reaches it with text left ('ab' LIKE 'ab\' is false) */
            return 0;
        }
        utf8_next(s, slen, &star_s);
        si = star_s;
        pi = star_p;
    }
}
