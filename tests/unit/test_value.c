/*
 * test_value.c - unit tests of src/sql/value.c, numeric.c, datetime.c and
 * cast.c, json.c: text I/O, casts, comparison, hashing, arithmetic, LIKE
 * and json / jsonb (normal form, order, containment), with
 * expected strings taken from PostgreSQL 15 (DateStyle ISO, MDY), plus a
 * loop of random and garbage inputs that must never crash.
 */
#include "../../src/sql/types/value.h"
#include "../../src/sql/types/json.h"
#include "../../src/sql/types/rowcodec.h"
#include "../../src/store/record.h"
#include "check.h"

#include <math.h>
#include <stdlib.h>

static Arena arena;
static ValueCtx ctx; /* UTC unless a test sets a zone */

/* Rotating result strings so that a CHECK can compare two calls. */
static char *keep(const char *s)
{
    static char ring[16][640];
    static int next;
    char *r = ring[next++ % 16];
    snprintf(r, 640, "%s", s);
    return r;
}

static const char *err_str(const DdError *e)
{
    char tmp[640];
    snprintf(tmp, sizeof tmp, "ERROR %s: %s", e->sqlstate, e->message);
    return keep(tmp);
}

static const char *out_str(const Value *v)
{
    Buf b = BUF_INIT;
    val_to_text(v, &ctx, &b);
    const char *r = keep(buf_cstr(&b) ? buf_cstr(&b) : "(oom)");
    buf_free(&b);
    return r;
}

/* Input then output: PostgreSQL's 'text'::type. */
static const char *io(TypeId t, i32 typmod, const char *s)
{
    Value v;
    DdError e;
    dd_err_clear(&e);
    if (val_from_text(t, typmod, s, strlen(s), &ctx, &v, &e)) return err_str(&e);
    return out_str(&v);
}
#define IO(t, s) io(t, -1, s)

static Value V(TypeId t, const char *s)
{
    Value v;
    DdError e;
    if (val_from_text(t, -1, s, strlen(s), &ctx, &v, &e)) {
        printf("  bad test input %s: %s\n", s, e.message);
        return val_null(t);
    }
    return v;
}

static const char *ar(ArithOp op, Value a, Value b)
{
    Value r;
    DdError e;
    dd_err_clear(&e);
    if (val_arith(op, &a, &b, &ctx, &r, &e)) return err_str(&e);
    return out_str(&r);
}

static TypeId ar_type(ArithOp op, Value a, Value b)
{
    Value r;
    DdError e;
    if (val_arith(op, &a, &b, &ctx, &r, &e)) return TYPE__COUNT;
    return (TypeId)r.type;
}

static const char *cs(Value v, TypeId t, i32 typmod, bool explicit_cast)
{
    Value r;
    DdError e;
    dd_err_clear(&e);
    if (val_cast(&v, t, typmod, explicit_cast, &ctx, &r, &e)) return err_str(&e);
    if (r.type != t) return "wrong type";
    return out_str(&r);
}

static int cmp(Value a, Value b) { return val_compare(&a, &b, &ctx); }

static void set_zone(const char *z)
{
    ctx.tz_name = NULL;
    ctx.tz_offset_s = 0;
    if (!tz_parse(z, &ctx)) printf("  zone %s not parsed\n", z);
}

/* ---- tests ---- */

TEST(types)
{
    CHECK_EQ_INT(type_oid(TYPE_INT4), 23);
    CHECK_EQ_INT(type_oid(TYPE_TIMESTAMPTZ), 1184);
    CHECK_EQ_INT(type_oid(TYPE_NULLTYPE), 25);
    CHECK_EQ_INT(type_typlen(TYPE_INTERVAL), 16);
    CHECK_EQ_STR(type_name(TYPE_TIMESTAMPTZ), "timestamp with time zone");
    TypeId t;
    CHECK(type_from_name("DOUBLE PRECISION", &t) && t == TYPE_FLOAT8);
    CHECK(type_from_name("character varying", &t) && t == TYPE_VARCHAR);
    CHECK(type_from_name("timestamp with time zone", &t) && t == TYPE_TIMESTAMPTZ);
    CHECK(type_from_name("Int", &t) && t == TYPE_INT4);
    CHECK(!type_from_name("serial", &t));
    CHECK(type_is_int(TYPE_INT2) && !type_is_int(TYPE_NUMERIC));
    CHECK(type_is_string(TYPE_UNKNOWN) && type_is_datetime(TYPE_DATE) && !type_is_datetime(TYPE_INTERVAL));
}

TEST(int_input)
{
    CHECK_EQ_STR(IO(TYPE_INT4, " 12 "), "12");
    CHECK_EQ_STR(IO(TYPE_INT2, "+5"), "5");
    CHECK_EQ_STR(IO(TYPE_INT4, "abc"), "ERROR 22P02: invalid input syntax for type integer: \"abc\"");
    CHECK_EQ_STR(IO(TYPE_INT4, "1.5"), "ERROR 22P02: invalid input syntax for type integer: \"1.5\"");
    CHECK_EQ_STR(IO(TYPE_INT4, ""), "ERROR 22P02: invalid input syntax for type integer: \"\"");
    CHECK_EQ_STR(IO(TYPE_INT4, "-"), "ERROR 22P02: invalid input syntax for type integer: \"-\"");
    CHECK_EQ_STR(IO(TYPE_INT4, "99999999999"), "ERROR 22003: value \"99999999999\" is out of range for type integer");
    CHECK_EQ_STR(IO(TYPE_INT2, "32768"), "ERROR 22003: value \"32768\" is out of range for type smallint");
    CHECK_EQ_STR(IO(TYPE_INT2, "-32768"), "-32768");
    CHECK_EQ_STR(IO(TYPE_INT8, "-9223372036854775808"), "-9223372036854775808");
    CHECK_EQ_STR(IO(TYPE_INT8, "9223372036854775808"),
                 "ERROR 22003: value \"9223372036854775808\" is out of range for type bigint");
    CHECK_EQ_STR(IO(TYPE_INT8, "99999999999999999999999"),
                 "ERROR 22003: value \"99999999999999999999999\" is out of range for type bigint");
}

TEST(bool_io)
{
    const char *t[] = {"t", "true", "TRUE", " yes ", "y", "on", "1", "tr"};
    const char *f[] = {"f", "false", "No", "n", "off", "0", "of"};
    for (size_t i = 0; i < DD_ARRAY_LEN(t); i++) CHECK_EQ_STR(IO(TYPE_BOOL, t[i]), "t");
    for (size_t i = 0; i < DD_ARRAY_LEN(f); i++) CHECK_EQ_STR(IO(TYPE_BOOL, f[i]), "f");
    CHECK_EQ_STR(IO(TYPE_BOOL, "x"), "ERROR 22P02: invalid input syntax for type boolean: \"x\"");
    CHECK_EQ_STR(IO(TYPE_BOOL, "o"), "ERROR 22P02: invalid input syntax for type boolean: \"o\"");
    CHECK_EQ_STR(cs(val_bool(true), TYPE_INT4, -1, true), "1");
    CHECK_EQ_STR(cs(val_int(TYPE_INT4, 5), TYPE_BOOL, -1, true), "t");
    CHECK_EQ_STR(cs(val_bool(true), TYPE_DATE, -1, true), "ERROR 42846: cannot cast type boolean to date");
    CHECK_EQ_STR(cs(val_int(TYPE_INT8, 1), TYPE_BOOL, -1, true), "ERROR 42846: cannot cast type bigint to boolean");
}

TEST(float_output)
{
    CHECK_EQ_STR(IO(TYPE_FLOAT8, "0.1"), "0.1");
    CHECK_EQ_STR(IO(TYPE_FLOAT8, "1e20"), "1e+20");
    CHECK_EQ_STR(IO(TYPE_FLOAT8, "1.5e-7"), "1.5e-07");
    CHECK_EQ_STR(IO(TYPE_FLOAT8, "-0"), "-0");
    CHECK_EQ_STR(IO(TYPE_FLOAT8, "123456789012345678"), "1.2345678901234568e+17");
    CHECK_EQ_STR(IO(TYPE_FLOAT8, "1e14"), "100000000000000");
    CHECK_EQ_STR(IO(TYPE_FLOAT8, "1e15"), "1e+15");
    CHECK_EQ_STR(IO(TYPE_FLOAT8, "0.0001"), "0.0001");
    CHECK_EQ_STR(IO(TYPE_FLOAT8, "0.00001"), "1e-05");
    CHECK_EQ_STR(IO(TYPE_FLOAT8, "100"), "100");
    CHECK_EQ_STR(IO(TYPE_FLOAT8, "1.7976931348623157e308"), "1.7976931348623157e+308");
    CHECK_EQ_STR(IO(TYPE_FLOAT8, "5e-324"), "5e-324");
    CHECK_EQ_STR(IO(TYPE_FLOAT8, "infinity"), "Infinity");
    CHECK_EQ_STR(IO(TYPE_FLOAT8, "-Infinity"), "-Infinity");
    CHECK_EQ_STR(IO(TYPE_FLOAT8, "nan"), "NaN");
    CHECK_EQ_STR(IO(TYPE_FLOAT8, "1e400"), "ERROR 22003: \"1e400\" is out of range for type double precision");
    CHECK_EQ_STR(IO(TYPE_FLOAT8, "x"), "ERROR 22P02: invalid input syntax for type double precision: \"x\"");
    CHECK_EQ_STR(IO(TYPE_FLOAT4, "0.1"), "0.1");
    CHECK_EQ_STR(IO(TYPE_FLOAT4, "1e5"), "100000");
    CHECK_EQ_STR(IO(TYPE_FLOAT4, "1e6"), "1e+06");
    CHECK_EQ_STR(IO(TYPE_FLOAT4, "1234567"), "1.234567e+06");
    CHECK_EQ_STR(IO(TYPE_FLOAT4, "16777216"), "1.6777216e+07");
    CHECK_EQ_STR(IO(TYPE_FLOAT4, "1e40"), "ERROR 22003: \"1e40\" is out of range for type real");
    CHECK_EQ_STR(cs(V(TYPE_FLOAT4, "0.1"), TYPE_FLOAT8, -1, true), "0.10000000149011612");
}

TEST(numeric_io)
{
    CHECK_EQ_STR(IO(TYPE_NUMERIC, "2.50"), "2.50");
    CHECK_EQ_STR(IO(TYPE_NUMERIC, " 1.50 "), "1.50");
    CHECK_EQ_STR(IO(TYPE_NUMERIC, "1e3"), "1000");
    CHECK_EQ_STR(IO(TYPE_NUMERIC, ".5"), "0.5");
    CHECK_EQ_STR(IO(TYPE_NUMERIC, "5."), "5");
    CHECK_EQ_STR(IO(TYPE_NUMERIC, "-0.001"), "-0.001");
    CHECK_EQ_STR(IO(TYPE_NUMERIC, "1.5e-3"), "0.0015");
    CHECK_EQ_STR(IO(TYPE_NUMERIC, "0.00"), "0.00");
    CHECK_EQ_STR(IO(TYPE_NUMERIC, "x"), "ERROR 22P02: invalid input syntax for type numeric: \"x\"");
    CHECK_EQ_STR(IO(TYPE_NUMERIC, "1e"), "ERROR 22P02: invalid input syntax for type numeric: \"1e\"");
    CHECK_EQ_STR(IO(TYPE_NUMERIC, "."), "ERROR 22P02: invalid input syntax for type numeric: \".\"");
    CHECK_EQ_STR(IO(TYPE_NUMERIC, "99999999999999999999999999999999999999"),
                 "99999999999999999999999999999999999999");
    /* past 38 digits: a big value (numbig.c), exact, its scale kept */
    CHECK_EQ_STR(IO(TYPE_NUMERIC, "999999999999999999999999999999999999999"),
                 "999999999999999999999999999999999999999");
    CHECK_EQ_STR(IO(TYPE_NUMERIC, "1234567890123456789012345678901234567.89"),
                 "1234567890123456789012345678901234567.89");
    CHECK_EQ_STR(IO(TYPE_NUMERIC, "1e-39"), "0.000000000000000000000000000000000000001");
    CHECK_EQ_STR(IO(TYPE_NUMERIC, "1234567890123456789012345678901234567.80"),
                 "1234567890123456789012345678901234567.80");
    CHECK_EQ_STR(IO(TYPE_NUMERIC, "0.0000000000000000000000000000000000000000"),
                 "0.0000000000000000000000000000000000000000");
    CHECK_EQ_STR(IO(TYPE_NUMERIC, "1e131072"), "ERROR 22003: value overflows numeric format");
    CHECK_EQ_STR(IO(TYPE_NUMERIC, "1e-16384"), "ERROR 22003: value overflows numeric format");
    CHECK_EQ_STR(io(TYPE_NUMERIC, (5 << 16) | 2, "123.456"), "123.46");
    CHECK_EQ_STR(io(TYPE_NUMERIC, (5 << 16) | 2, "1234.5"), "ERROR 22003: numeric field overflow");
    CHECK_EQ_STR(io(TYPE_NUMERIC, (5 << 16) | 0, "12345.678"), "12346");
}

/* numeric_sqrt_at(s, r) and numeric_div_at(a, b, r) as text */
static const char *nsqrt(const char *s, int r)
{
    Value v = V(TYPE_NUMERIC, s);
    i128 c;
    int cs;
    DdError e;
    dd_err_clear(&e);
    if (numeric_sqrt_at(v.v.coef, v.scale, r, &c, &cs, &e)) return err_str(&e);
    Value o = val_numeric(c, cs);
    return out_str(&o);
}
static const char *ndiv(const char *a, const char *b, int r)
{
    Value x = V(TYPE_NUMERIC, a), y = V(TYPE_NUMERIC, b);
    i128 c;
    int cs;
    DdError e;
    dd_err_clear(&e);
    if (r < 0) r = numeric_div_scale(x.v.coef, x.scale, y.v.coef, y.scale);
    if (numeric_div_at(x.v.coef, x.scale, y.v.coef, y.scale, r, &c, &cs, &e)) return err_str(&e);
    Value o = val_numeric(c, cs);
    return out_str(&o);
}

/* exact square roots rounded half up at a scale; division at a given
 * scale (the statistical aggregates and sqrt use them) */
TEST(numeric_sqrt_div)
{
    CHECK_EQ_STR(nsqrt("2.5", 16), "1.5811388300841897");
    CHECK_EQ_STR(nsqrt("2", 15), "1.414213562373095");
    CHECK_EQ_STR(nsqrt("0.0001", 17), "0.01000000000000000");
    CHECK_EQ_STR(nsqrt("12345678901234567890", 7), "3513641828.8201443");
    CHECK_EQ_STR(nsqrt("16", 0), "4");
    CHECK_EQ_STR(nsqrt("0", 3), "0.000");
    CHECK_EQ_STR(nsqrt("0.25", 0), "1");      /* 0.5 rounds up */
    CHECK_EQ_STR(nsqrt("99999999999999999999999999999999999999", 0), "10000000000000000000");
    CHECK_EQ_STR(nsqrt("0.0000000001", 5), "0.00001");
    CHECK_EQ_STR(nsqrt("0.000000000225", 5), "0.00002");   /* 0.000015 rounds up */
    /* more than 38 digits: rounded to fit, as the other operations */
    CHECK_EQ_STR(nsqrt("1e37", 20), "3162277660168379331.9988935444327185337");
    CHECK_EQ_STR(nsqrt("-1", 2), "ERROR 2201F: cannot take square root of a negative number");
    CHECK_EQ_STR(ndiv("3.375", "6", -1), "0.56250000000000000000");
    CHECK_EQ_STR(ndiv("10", "3", 0), "3");
    CHECK_EQ_STR(ndiv("-10", "4", 0), "-3");    /* -2.5 rounds away from zero */
    CHECK_EQ_STR(ndiv("1", "0", 2), "ERROR 22012: division by zero");
}

TEST(numeric_arith)
{
    Value ten = V(TYPE_NUMERIC, "10"), one = V(TYPE_NUMERIC, "1");
    CHECK_EQ_STR(ar(ARITH_DIV, ten, val_int(TYPE_INT4, 4)), "2.5000000000000000");
    CHECK_EQ_STR(ar(ARITH_DIV, one, val_int(TYPE_INT4, 3)), "0.33333333333333333333");
    CHECK_EQ_STR(ar(ARITH_DIV, V(TYPE_NUMERIC, "2"), V(TYPE_NUMERIC, "3.000")), "0.66666666666666666667");
    CHECK_EQ_STR(ar(ARITH_DIV, V(TYPE_NUMERIC, "-2"), V(TYPE_NUMERIC, "3")), "-0.66666666666666666667");
    CHECK_EQ_STR(ar(ARITH_DIV, V(TYPE_NUMERIC, "1"), V(TYPE_NUMERIC, "0")), "ERROR 22012: division by zero");
    CHECK_EQ_STR(ar(ARITH_ADD, V(TYPE_NUMERIC, "1.5"), V(TYPE_NUMERIC, "2.25")), "3.75");
    CHECK_EQ_STR(ar(ARITH_SUB, V(TYPE_NUMERIC, "1.50"), V(TYPE_NUMERIC, "2")), "-0.50");
    CHECK_EQ_STR(ar(ARITH_MUL, V(TYPE_NUMERIC, "1.5"), V(TYPE_NUMERIC, "2.25")), "3.375");
    CHECK_EQ_STR(ar(ARITH_MOD, V(TYPE_NUMERIC, "7.5"), val_int(TYPE_INT4, 2)), "1.5");
    CHECK_EQ_STR(ar(ARITH_MOD, V(TYPE_NUMERIC, "-7.5"), val_int(TYPE_INT4, 2)), "-1.5");
    CHECK_EQ_STR(ar(ARITH_ADD, val_int(TYPE_INT4, 1), V(TYPE_NUMERIC, "0.5")), "1.5");
    CHECK_EQ_INT(ar_type(ARITH_ADD, val_int(TYPE_INT8, 1), V(TYPE_NUMERIC, "0.5")), TYPE_NUMERIC);
    /* past 38 digits: exact, as PostgreSQL (numbig.c) */
    Value big = V(TYPE_NUMERIC, "99999999999999999999999999999999999999");
    CHECK_EQ_STR(ar(ARITH_ADD, big, one), "100000000000000000000000000000000000000");
    CHECK_EQ_STR(ar(ARITH_MUL, big, V(TYPE_NUMERIC, "10")), "999999999999999999999999999999999999990");
    CHECK_EQ_STR(ar(ARITH_MUL, V(TYPE_NUMERIC, "1234567890.1234567890123456789"),
                    V(TYPE_NUMERIC, "1234567890.1234567890123456789")),
                 "1524157875323883675.04953515625361987875019051998750190521");
    CHECK_EQ_STR(ar(ARITH_POW, V(TYPE_NUMERIC, "2"), V(TYPE_NUMERIC, "10")), "1024.0000000000000000");
    CHECK_EQ_STR(ar(ARITH_POW, V(TYPE_NUMERIC, "2.5"), V(TYPE_NUMERIC, "2")), "6.2500000000000000");
    CHECK_EQ_STR(ar(ARITH_POW, V(TYPE_NUMERIC, "2"), V(TYPE_NUMERIC, "-1")), "0.5000000000000000");
    CHECK_EQ_STR(ar(ARITH_POW, V(TYPE_NUMERIC, "10"), V(TYPE_NUMERIC, "20")),
                 "100000000000000000000.0000000000000000");
    CHECK_EQ_STR(ar(ARITH_POW, V(TYPE_NUMERIC, "2"), V(TYPE_NUMERIC, "0.5")), "1.4142135623730950");
    CHECK_EQ_STR(ar(ARITH_POW, V(TYPE_NUMERIC, "10"), V(TYPE_NUMERIC, "1.5")), "31.622776601683793");
    CHECK_EQ_STR(ar(ARITH_POW, V(TYPE_NUMERIC, "0.01"), V(TYPE_NUMERIC, "1.5")), "0.0010000000000000000");
    CHECK_EQ_STR(ar(ARITH_POW, V(TYPE_NUMERIC, "0"), V(TYPE_NUMERIC, "-1")),
                 "ERROR 2201F: zero raised to a negative power is undefined");
    CHECK_EQ_INT(ar_type(ARITH_POW, val_int(TYPE_INT4, 2), val_int(TYPE_INT4, 3)), TYPE_FLOAT8);
    CHECK_EQ_STR(ar(ARITH_POW, val_int(TYPE_INT4, 2), val_int(TYPE_INT4, 3)), "8");
    Value r;
    DdError e;
    Value n = V(TYPE_NUMERIC, "1.50");
    CHECK(val_negate(&n, &r, &e) == 0);
    CHECK_EQ_STR(out_str(&r), "-1.50");
}

TEST(int_arith)
{
    Value i4 = val_int(TYPE_INT4, 7), m4 = val_int(TYPE_INT4, -7), two = val_int(TYPE_INT4, 2);
    CHECK_EQ_STR(ar(ARITH_DIV, i4, two), "3");
    CHECK_EQ_STR(ar(ARITH_DIV, m4, two), "-3");
    CHECK_EQ_STR(ar(ARITH_MOD, m4, two), "-1");
    CHECK_EQ_STR(ar(ARITH_DIV, i4, val_int(TYPE_INT4, 0)), "ERROR 22012: division by zero");
    CHECK_EQ_STR(ar(ARITH_MOD, i4, val_int(TYPE_INT4, 0)), "ERROR 22012: division by zero");
    CHECK_EQ_STR(ar(ARITH_ADD, val_int(TYPE_INT4, INT32_MAX), val_int(TYPE_INT4, 1)),
                 "ERROR 22003: integer out of range");
    CHECK_EQ_STR(ar(ARITH_MUL, val_int(TYPE_INT2, 200), val_int(TYPE_INT2, 200)),
                 "ERROR 22003: smallint out of range");
    CHECK_EQ_STR(ar(ARITH_DIV, val_int(TYPE_INT2, -32768), val_int(TYPE_INT2, -1)),
                 "ERROR 22003: smallint out of range");
    CHECK_EQ_STR(ar(ARITH_DIV, val_int(TYPE_INT8, INT64_MIN), val_int(TYPE_INT8, -1)),
                 "ERROR 22003: bigint out of range");
    CHECK_EQ_STR(ar(ARITH_MOD, val_int(TYPE_INT8, INT64_MIN), val_int(TYPE_INT8, -1)), "0");
    CHECK_EQ_STR(ar(ARITH_SUB, val_int(TYPE_INT8, INT64_MIN), val_int(TYPE_INT4, 1)),
                 "ERROR 22003: bigint out of range");
    CHECK_EQ_INT(ar_type(ARITH_ADD, val_int(TYPE_INT2, 1), val_int(TYPE_INT2, 1)), TYPE_INT2);
    CHECK_EQ_INT(ar_type(ARITH_ADD, val_int(TYPE_INT4, 1), val_int(TYPE_INT8, 1)), TYPE_INT8);
    CHECK_EQ_INT(ar_type(ARITH_ADD, val_int(TYPE_INT4, 1), val_float(TYPE_FLOAT4, 1)), TYPE_FLOAT8);
    CHECK_EQ_INT(ar_type(ARITH_ADD, val_float(TYPE_FLOAT4, 1), val_float(TYPE_FLOAT4, 1)), TYPE_FLOAT4);
    CHECK_EQ_STR(ar(ARITH_ADD, val_bool(true), val_int(TYPE_INT4, 1)),
                 "ERROR 42883: operator does not exist: boolean + integer");
    Value r;
    DdError e;
    Value mn = val_int(TYPE_INT4, INT32_MIN);
    CHECK(val_negate(&mn, &r, &e) == DD_EOUT_OF_RANGE);
    CHECK_EQ_STR(e.message, "integer out of range");
    /* UNKNOWN operands take the other side's type */
    CHECK_EQ_STR(ar(ARITH_ADD, val_int(TYPE_INT4, 1), val_text(TYPE_UNKNOWN, "41", 2)), "42");
    CHECK_EQ_STR(ar(ARITH_ADD, val_int(TYPE_INT4, 1), val_text(TYPE_UNKNOWN, "x", 1)),
                 "ERROR 22P02: invalid input syntax for type integer: \"x\"");
}

TEST(float_arith)
{
    Value a = val_float(TYPE_FLOAT8, 1), z = val_float(TYPE_FLOAT8, 0);
    CHECK_EQ_STR(ar(ARITH_DIV, a, z), "ERROR 22012: division by zero");
    CHECK_EQ_STR(ar(ARITH_DIV, a, val_float(TYPE_FLOAT8, 3)), "0.3333333333333333");
    CHECK_EQ_STR(ar(ARITH_MUL, V(TYPE_FLOAT8, "1e308"), val_int(TYPE_INT4, 10)),
                 "ERROR 22003: value out of range: overflow");
    CHECK_EQ_STR(ar(ARITH_MUL, V(TYPE_FLOAT8, "1e-308"), V(TYPE_FLOAT8, "1e-308")),
                 "ERROR 22003: value out of range: underflow");
    CHECK_EQ_STR(ar(ARITH_POW, val_float(TYPE_FLOAT8, 2), val_float(TYPE_FLOAT8, 0.5)), "1.4142135623730951");
    CHECK_EQ_STR(ar(ARITH_POW, val_float(TYPE_FLOAT8, -8), val_float(TYPE_FLOAT8, 1.0 / 3)),
                 "ERROR 2201F: a negative number raised to a non-integer power yields a complex result");
    CHECK_EQ_STR(ar(ARITH_MOD, a, val_int(TYPE_INT4, 2)),
                 "ERROR 42883: operator does not exist: double precision % integer");
    CHECK_EQ_STR(ar(ARITH_ADD, V(TYPE_FLOAT8, "NaN"), a), "NaN");
    CHECK_EQ_STR(ar(ARITH_ADD, V(TYPE_NUMERIC, "0.1"), val_float(TYPE_FLOAT8, 0.2)), "0.30000000000000004");
}

TEST(numeric_casts)
{
    CHECK_EQ_STR(cs(V(TYPE_NUMERIC, "1.5"), TYPE_INT4, -1, true), "2");
    CHECK_EQ_STR(cs(V(TYPE_NUMERIC, "-2.5"), TYPE_INT4, -1, true), "-3");
    CHECK_EQ_STR(cs(val_float(TYPE_FLOAT8, 2.5), TYPE_INT4, -1, true), "2");
    CHECK_EQ_STR(cs(val_float(TYPE_FLOAT8, 3.5), TYPE_INT4, -1, true), "4");
    CHECK_EQ_STR(cs(V(TYPE_NUMERIC, "1e20"), TYPE_INT8, -1, true), "ERROR 22003: bigint out of range");
    CHECK_EQ_STR(cs(val_float(TYPE_FLOAT8, 1e20), TYPE_INT8, -1, true), "ERROR 22003: bigint out of range");
    CHECK_EQ_STR(cs(val_int(TYPE_INT4, 70000), TYPE_INT2, -1, true), "ERROR 22003: smallint out of range");
    CHECK_EQ_STR(cs(V(TYPE_FLOAT8, "NaN"), TYPE_INT4, -1, true), "ERROR 22003: integer out of range");
    CHECK_EQ_STR(cs(V(TYPE_NUMERIC, "1e10"), TYPE_FLOAT4, -1, true), "1e+10");
    CHECK_EQ_STR(cs(V(TYPE_FLOAT4, "0.1"), TYPE_NUMERIC, -1, true), "0.1");
    CHECK_EQ_STR(cs(V(TYPE_FLOAT8, "0.1"), TYPE_NUMERIC, -1, true), "0.1");
    CHECK_EQ_STR(cs(V(TYPE_FLOAT8, "1e20"), TYPE_NUMERIC, -1, true), "100000000000000000000");
    CHECK_EQ_STR(cs(V(TYPE_FLOAT8, "1.5e-7"), TYPE_NUMERIC, -1, true), "0.00000015");
    CHECK_EQ_STR(cs(V(TYPE_FLOAT8, "1e300"), TYPE_FLOAT4, -1, true), "ERROR 22003: value out of range: overflow");
    CHECK_EQ_STR(cs(V(TYPE_NUMERIC, "123.456"), TYPE_NUMERIC, (5 << 16) | 2, false), "123.46");
    CHECK_EQ_STR(cs(val_int(TYPE_INT4, 5), TYPE_NUMERIC, (5 << 16) | 2, false), "5.00");
    CHECK_EQ_STR(cs(val_int(TYPE_INT8, 5), TYPE_FLOAT8, -1, false), "5");
}

TEST(strings)
{
    CHECK_EQ_STR(cs(val_text(TYPE_UNKNOWN, "abcd", 4), TYPE_VARCHAR, 3, true), "abc");
    CHECK_EQ_STR(cs(val_text(TYPE_TEXT, "abcd", 4), TYPE_VARCHAR, 3, false),
                 "ERROR 22001: value too long for type character varying(3)");
    CHECK_EQ_STR(cs(val_text(TYPE_TEXT, "abc  ", 5), TYPE_VARCHAR, 3, false), "abc");
    CHECK_EQ_STR(io(TYPE_VARCHAR, 3, "abcd"), "ERROR 22001: value too long for type character varying(3)");
    CHECK_EQ_STR(io(TYPE_BPCHAR, 4, "ab"), "ab  ");
    CHECK_EQ_STR(io(TYPE_BPCHAR, 2, "abc"), "ERROR 22001: value too long for type character(2)");
    /* lengths are in characters */
    CHECK_EQ_STR(io(TYPE_VARCHAR, 2, "\xc3\xa9\xc3\xa9"), "\xc3\xa9\xc3\xa9");
    CHECK_EQ_STR(cs(V(TYPE_TEXT, "\xc3\xa9\xc3\xa9\xc3\xa9"), TYPE_VARCHAR, 2, true), "\xc3\xa9\xc3\xa9");
    Value c = V(TYPE_BPCHAR, "ab  ");
    CHECK_EQ_STR(cs(c, TYPE_TEXT, -1, true), "ab");
    CHECK_EQ_STR(cs(val_int(TYPE_INT4, 12345), TYPE_VARCHAR, 3, true), "123");
    CHECK_EQ_STR(cs(V(TYPE_NUMERIC, "2.50"), TYPE_TEXT, -1, true), "2.50");
    /* comparison: bytes (C collation); char(n) ignores trailing spaces */
    CHECK(cmp(V(TYPE_TEXT, "B"), V(TYPE_TEXT, "a")) < 0);
    CHECK(cmp(V(TYPE_TEXT, "a"), V(TYPE_TEXT, "ab")) < 0);
    CHECK(cmp(V(TYPE_TEXT, "\xc3\xa9"), V(TYPE_TEXT, "z")) > 0);
    CHECK(cmp(V(TYPE_BPCHAR, "a  "), V(TYPE_BPCHAR, "a")) == 0);
    CHECK(cmp(V(TYPE_TEXT, "a "), V(TYPE_TEXT, "a")) > 0);
    Value b1 = V(TYPE_BPCHAR, "a  "), b2 = V(TYPE_BPCHAR, "a");
    CHECK(val_hash(&b1) == val_hash(&b2));
    /* concat */
    Value r;
    DdError e;
    Value x = V(TYPE_BPCHAR, "ab  "), y = V(TYPE_TEXT, "|"), n = val_int(TYPE_INT4, 42);
    CHECK(val_concat(&x, &y, &ctx, &r, &e) == 0 && r.type == TYPE_TEXT);
    CHECK_EQ_STR(out_str(&r), "ab|");
    CHECK(val_concat(&y, &n, &ctx, &r, &e) == 0);
    CHECK_EQ_STR(out_str(&r), "|42");
}

TEST(like)
{
    CHECK_EQ_INT(val_like("abc", 3, "a%", 2, '\\', false), 1);
    CHECK_EQ_INT(val_like("abc", 3, "%c", 2, '\\', false), 1);
    CHECK_EQ_INT(val_like("abc", 3, "_b_", 3, '\\', false), 1);
    CHECK_EQ_INT(val_like("abc", 3, "a_", 2, '\\', false), 0);
    CHECK_EQ_INT(val_like("abc", 3, "%", 1, '\\', false), 1);
    CHECK_EQ_INT(val_like("", 0, "%", 1, '\\', false), 1);
    CHECK_EQ_INT(val_like("", 0, "_", 1, '\\', false), 0);
    CHECK_EQ_INT(val_like("a%c", 3, "a\\%c", 4, '\\', false), 1);
    CHECK_EQ_INT(val_like("abc", 3, "a\\%c", 4, '\\', false), 0);
    CHECK_EQ_INT(val_like("a_c", 3, "a#_c", 4, '#', false), 1);
    CHECK_EQ_INT(val_like("a\\c", 3, "a\\c", 3, -1, false), 1);
    CHECK_EQ_INT(val_like("abc", 3, "ab\\", 3, '\\', false), -DD_EINVALID_ESCAPE);
    /* as PostgreSQL: the trailing escape is an error only when the match
     * reaches it with text left */
    CHECK_EQ_INT(val_like("x", 1, "ab\\", 3, '\\', false), 0);
    CHECK_EQ_INT(val_like("ab", 2, "ab\\", 3, '\\', false), 0);
    CHECK_EQ_INT(val_like("ABC", 3, "a%", 2, '\\', false), 0);
    CHECK_EQ_INT(val_like("ABC", 3, "a%", 2, '\\', true), 1);
    CHECK_EQ_INT(val_like("\xc3\x89t\xc3\xa9", 5, "\xc3\xa9_\xc3\x89", 5, '\\', true), 1); /* Été ILIKE é_É */
    CHECK_EQ_INT(val_like("\xc3\xa9", 2, "_", 1, '\\', false), 1);                        /* one character */
    CHECK_EQ_INT(val_like("aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", 30, "%a%a%a%a%a%a%c", 14, '\\', false), 0);
    CHECK_EQ_INT(val_like("mississippi", 11, "%iss%ppi", 8, '\\', false), 1);
}

TEST(compare_hash_numeric)
{
    Value one = val_int(TYPE_INT4, 1), onen = V(TYPE_NUMERIC, "1.0"), onef = val_float(TYPE_FLOAT8, 1.0);
    Value one8 = val_int(TYPE_INT8, 1), half = V(TYPE_NUMERIC, "0.50"), halff = val_float(TYPE_FLOAT4, 0.5);
    CHECK(cmp(one, onen) == 0 && cmp(onen, onef) == 0 && cmp(one, onef) == 0);
    CHECK(val_hash(&one) == val_hash(&onen) && val_hash(&onen) == val_hash(&onef));
    CHECK(val_hash(&one) == val_hash(&one8));
    CHECK(cmp(half, halff) == 0 && val_hash(&half) == val_hash(&halff));
    /* against a float the other side becomes float8 first, as PostgreSQL
     * resolves int8 = float8 and numeric = float8: INT64_MAX is 2^63 there,
     * and 0.1 finds the double nearest 0.1 */
    Value maxi = val_int(TYPE_INT8, INT64_MAX), two63 = val_float(TYPE_FLOAT8, 9223372036854775808.0);
    CHECK(cmp(maxi, two63) == 0 && cmp(two63, maxi) == 0);
    CHECK(cmp(val_int(TYPE_INT8, INT64_MIN), two63) < 0);
    Value p1 = V(TYPE_NUMERIC, "0.1"), p1f = val_float(TYPE_FLOAT8, 0.1);
    CHECK(cmp(p1, p1f) == 0 && cmp(p1f, p1) == 0);
    CHECK(cmp(V(TYPE_NUMERIC, "0.1000000000000000055511151231257827"), p1f) == 0);
    CHECK(cmp(V(TYPE_NUMERIC, "0.10000000000000002"), p1f) > 0);
    CHECK(cmp(V(TYPE_NUMERIC, "0.09999999999999999"), p1f) < 0);
    Value nan = V(TYPE_FLOAT8, "NaN"), inf = V(TYPE_FLOAT8, "Infinity");
    CHECK(cmp(nan, inf) > 0 && cmp(nan, nan) == 0 && cmp(one, nan) < 0 && cmp(onen, nan) < 0);
    CHECK(cmp(V(TYPE_NUMERIC, "-2.5"), val_float(TYPE_FLOAT8, -2.4)) < 0);
    CHECK(cmp(V(TYPE_NUMERIC, "-2.5"), val_float(TYPE_FLOAT8, -2.5)) == 0);
    CHECK(cmp(V(TYPE_NUMERIC, "12345678901234567890123"), val_float(TYPE_FLOAT8, 1e22)) > 0);
    Value z = val_float(TYPE_FLOAT8, -0.0), zi = val_int(TYPE_INT2, 0);
    CHECK(cmp(z, zi) == 0 && val_hash(&z) == val_hash(&zi));
    Value n1 = V(TYPE_NUMERIC, "2.50"), n2 = V(TYPE_NUMERIC, "2.5");
    CHECK(cmp(n1, n2) == 0 && val_hash(&n1) == val_hash(&n2));
    Value b1 = V(TYPE_NUMERIC, "12345678901234567890.000"), b2 = V(TYPE_NUMERIC, "12345678901234567890");
    CHECK(val_hash(&b1) == val_hash(&b2));
    CHECK(cmp(val_bool(false), val_bool(true)) < 0);
    /* UNKNOWN against a typed value */
    CHECK(cmp(val_int(TYPE_INT4, 10), val_text(TYPE_UNKNOWN, "9", 1)) > 0);
}

TEST(dates)
{
    CHECK_EQ_STR(IO(TYPE_DATE, "2024-01-02"), "2024-01-02");
    CHECK_EQ_STR(IO(TYPE_DATE, "2000-02-29"), "2000-02-29");
    CHECK_EQ_STR(IO(TYPE_DATE, "2024-02-29"), "2024-02-29");
    CHECK_EQ_STR(IO(TYPE_DATE, "1900-02-29"), "ERROR 22008: date/time field value out of range: \"1900-02-29\"");
    CHECK_EQ_STR(IO(TYPE_DATE, "2023-02-29"), "ERROR 22008: date/time field value out of range: \"2023-02-29\"");
    CHECK_EQ_STR(IO(TYPE_DATE, "2024-13-01"), "ERROR 22008: date/time field value out of range: \"2024-13-01\"");
    CHECK_EQ_STR(IO(TYPE_DATE, "1/2/2024"), "2024-01-02");
    CHECK_EQ_STR(IO(TYPE_DATE, "2024/01/02"), "2024-01-02");
    CHECK_EQ_STR(IO(TYPE_DATE, "Jan 2 2024"), "2024-01-02");
    CHECK_EQ_STR(IO(TYPE_DATE, "January 2, 2024"), "2024-01-02");
    CHECK_EQ_STR(IO(TYPE_DATE, "20240102"), "2024-01-02");
    CHECK_EQ_STR(IO(TYPE_DATE, "2024-01-02 03:04"), "2024-01-02");
    CHECK_EQ_STR(IO(TYPE_DATE, "0001-01-01"), "0001-01-01");
    CHECK_EQ_STR(IO(TYPE_DATE, "5874897-12-31"), "5874897-12-31");
    CHECK_EQ_STR(IO(TYPE_DATE, "5874898-01-01"), "ERROR 22008: date out of range: \"5874898-01-01\"");
    CHECK_EQ_STR(IO(TYPE_DATE, "x"), "ERROR 22007: invalid input syntax for type date: \"x\"");
    CHECK_EQ_STR(IO(TYPE_DATE, ""), "ERROR 22007: invalid input syntax for type date: \"\"");
    CHECK_EQ_STR(IO(TYPE_DATE, "epoch"), "1970-01-01");
    CHECK_EQ_STR(IO(TYPE_DATE, "infinity"),
                 "ERROR 0A000: infinite dates and timestamps are not supported: \"infinity\"");
    Value d = V(TYPE_DATE, "2000-01-01");
    CHECK_EQ_INT(d.v.i, 0);
    Value a = V(TYPE_DATE, "2024-03-01"), b = V(TYPE_DATE, "2024-02-01");
    CHECK_EQ_STR(ar(ARITH_SUB, a, b), "29");
    CHECK_EQ_STR(ar(ARITH_ADD, V(TYPE_DATE, "2024-01-01"), val_int(TYPE_INT4, 5)), "2024-01-06");
    CHECK_EQ_STR(ar(ARITH_ADD, val_int(TYPE_INT4, 5), V(TYPE_DATE, "2024-12-31")), "2025-01-05");
    CHECK_EQ_STR(ar(ARITH_SUB, V(TYPE_DATE, "2024-03-01"), val_int(TYPE_INT4, 1)), "2024-02-29");
    CHECK_EQ_STR(ar(ARITH_ADD, V(TYPE_DATE, "2024-01-31"), V(TYPE_INTERVAL, "1 month")), "2024-02-29 00:00:00");
    CHECK_EQ_STR(ar(ARITH_SUB, V(TYPE_DATE, "2024-01-01"), V(TYPE_INTERVAL, "1 hour")), "2023-12-31 23:00:00");
    CHECK_EQ_STR(ar(ARITH_ADD, V(TYPE_DATE, "2024-01-01"), val_text(TYPE_UNKNOWN, "3", 1)), "2024-01-04");
}

TEST(timestamps)
{
    set_zone("UTC");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMP, "2024-01-02 03:04:05.123456"), "2024-01-02 03:04:05.123456");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMP, "2024-01-02 03:04:05.5"), "2024-01-02 03:04:05.5");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMP, "2024-01-02"), "2024-01-02 00:00:00");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMP, "2024-01-02T03:04:05Z"), "2024-01-02 03:04:05");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMP, "2024-01-02 03:04:05+05:30"), "2024-01-02 03:04:05");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMP, "  2024-01-02   03:04  "), "2024-01-02 03:04:00");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMP, "2024-01-02 3:4:5"), "2024-01-02 03:04:05");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMP, "2024-01-02 03:04 pm"), "2024-01-02 15:04:00");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMP, "2024-01-02 24:00"), "2024-01-03 00:00:00");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMP, "2024-01-02 23:59:60"), "2024-01-03 00:00:00");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMP, "2024-01-02 03:04:05.1234567"), "2024-01-02 03:04:05.123457");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMP, "2024-01-02 25:00"),
                 "ERROR 22008: date/time field value out of range: \"2024-01-02 25:00\"");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMP, "x"), "ERROR 22007: invalid input syntax for type timestamp: \"x\"");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMP, "2024-01-02 03:04:05 abc"),
                 "ERROR 22007: invalid input syntax for type timestamp: \"2024-01-02 03:04:05 abc\"");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMP, "epoch"), "1970-01-01 00:00:00");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMP, "294276-12-31 23:59:59.999999"), "294276-12-31 23:59:59.999999");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMP, "294277-01-01"), "ERROR 22008: timestamp out of range: \"294277-01-01\"");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMP, "0001-01-01 00:00:00"), "0001-01-01 00:00:00");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMP, "1900-03-01 12:00"), "1900-03-01 12:00:00");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMPTZ, "2024-01-02T03:04:05Z"), "2024-01-02 03:04:05+00");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMPTZ, "2024-01-02T03:04:05+0530"), "2024-01-01 21:34:05+00");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMPTZ, "2024-01-02 03:04:05 +5"), "2024-01-01 22:04:05+00");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMPTZ, "2024-01-02 03:04:05+25"),
                 "ERROR 22009: time zone displacement out of range: \"2024-01-02 03:04:05+25\"");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMPTZ, "2024-01-02 03:04:05 Europe/Paris"), "2024-01-02 02:04:05+00");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMPTZ, "1900-01-01 00:00 Europe/Paris"), "1899-12-31 23:50:39+00");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMPTZ, "2024-01-02 03:04:05 Mars/Olympus"),
                 "ERROR 22023: time zone \"mars/olympus\" not recognized");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMPTZ, "x"),
                 "ERROR 22007: invalid input syntax for type timestamp with time zone: \"x\"");
    Value t = V(TYPE_TIMESTAMP, "1970-01-01");
    CHECK_EQ_INT(ts_to_unix_us(t.v.i), 0);
    CHECK_EQ_INT(ts_from_unix_us(0), -946684800LL * 1000000);
    /* arithmetic */
    CHECK_EQ_STR(ar(ARITH_SUB, V(TYPE_TIMESTAMP, "2024-01-03"), V(TYPE_TIMESTAMP, "2024-01-01 01:00")),
                 "1 day 23:00:00");
    CHECK_EQ_STR(ar(ARITH_SUB, V(TYPE_TIMESTAMP, "2024-01-01"), V(TYPE_TIMESTAMP, "2024-01-03 01:00")),
                 "-2 days -01:00:00");
    CHECK_EQ_STR(ar(ARITH_ADD, V(TYPE_TIMESTAMP, "2024-01-31"), V(TYPE_INTERVAL, "1 month")), "2024-02-29 00:00:00");
    CHECK_EQ_STR(ar(ARITH_ADD, V(TYPE_INTERVAL, "1 day 1 second"), V(TYPE_TIMESTAMP, "2023-12-31 23:59:59")),
                 "2024-01-02 00:00:00");
    CHECK_EQ_STR(ar(ARITH_SUB, V(TYPE_TIMESTAMP, "2024-03-31"), V(TYPE_INTERVAL, "1 mon")), "2024-02-29 00:00:00");
    CHECK_EQ_STR(ar(ARITH_ADD, V(TYPE_TIMESTAMP, "294276-12-31"), V(TYPE_INTERVAL, "1 day")),
                 "ERROR 22008: timestamp out of range");
    CHECK_EQ_STR(ar(ARITH_ADD, V(TYPE_TIMESTAMP, "2024-01-01"), val_text(TYPE_UNKNOWN, "1 day", 5)),
                 "2024-01-02 00:00:00");
    CHECK(cmp(V(TYPE_DATE, "2024-01-02"), V(TYPE_TIMESTAMP, "2024-01-02 00:00")) == 0);
    CHECK(cmp(V(TYPE_DATE, "2024-01-02"), V(TYPE_TIMESTAMP, "2024-01-02 00:00:01")) < 0);
    Value d = V(TYPE_DATE, "2024-01-02"), ts = V(TYPE_TIMESTAMP, "2024-01-02");
    CHECK(val_hash(&d) == val_hash(&ts));
    CHECK(cmp(V(TYPE_DATE, "5874897-12-31"), V(TYPE_TIMESTAMP, "294276-01-01")) > 0);
}

TEST(timezones)
{
    set_zone("+02");
    CHECK(ctx.tz_name == NULL && ctx.tz_offset_s == 7200);
    CHECK_EQ_STR(IO(TYPE_TIMESTAMPTZ, "2024-01-02 03:04:05+00"), "2024-01-02 05:04:05+02");
    set_zone("UTC+3");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMPTZ, "2024-01-02 03:04:05+00"), "2024-01-02 00:04:05-03");
    set_zone("-05:30");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMPTZ, "2024-01-02 03:04:05+00"), "2024-01-02 08:34:05+05:30");
    set_zone("Asia/Kolkata");
    CHECK(ctx.tz_name && strcmp(ctx.tz_name, "Asia/Kolkata") == 0);
    CHECK_EQ_STR(IO(TYPE_TIMESTAMPTZ, "2024-01-02 03:04:05+00"), "2024-01-02 08:34:05+05:30");
    set_zone("Europe/Paris");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMPTZ, "2024-07-02 03:04:05.5+00"), "2024-07-02 05:04:05.5+02");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMPTZ, "2024-03-31 02:30"), "2024-03-31 03:30:00+02");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMPTZ, "2024-10-27 02:30"), "2024-10-27 02:30:00+01");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMPTZ, "2050-07-01 00:00+00"), "2050-07-01 02:00:00+02");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMPTZ, "2050-12-01 00:00+00"), "2050-12-01 01:00:00+01");
    CHECK_EQ_STR(ar(ARITH_ADD, V(TYPE_TIMESTAMPTZ, "2024-03-30 12:00"), V(TYPE_INTERVAL, "1 day")),
                 "2024-03-31 12:00:00+02");
    CHECK_EQ_STR(ar(ARITH_ADD, V(TYPE_TIMESTAMPTZ, "2024-03-30 12:00"), V(TYPE_INTERVAL, "24 hours")),
                 "2024-03-31 13:00:00+02");
    CHECK_EQ_STR(cs(V(TYPE_TIMESTAMP, "2024-07-01 12:00"), TYPE_TIMESTAMPTZ, -1, false), "2024-07-01 12:00:00+02");
    CHECK_EQ_STR(cs(V(TYPE_TIMESTAMPTZ, "2024-07-01 23:30+00"), TYPE_DATE, -1, true), "2024-07-02");
    CHECK_EQ_STR(cs(V(TYPE_TIMESTAMPTZ, "2024-07-01 23:30+00"), TYPE_TIMESTAMP, -1, true), "2024-07-02 01:30:00");
    CHECK_EQ_STR(cs(V(TYPE_DATE, "2024-07-01"), TYPE_TIMESTAMPTZ, -1, true), "2024-07-01 00:00:00+02");
    CHECK(cmp(V(TYPE_TIMESTAMPTZ, "2024-07-01 10:00+00"), V(TYPE_TIMESTAMP, "2024-07-01 12:00")) == 0);
    set_zone("America/New_York");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMPTZ, "2024-01-15 12:00+00"), "2024-01-15 07:00:00-05");
    CHECK_EQ_STR(IO(TYPE_TIMESTAMPTZ, "2024-07-15 12:00+00"), "2024-07-15 08:00:00-04");
    ValueCtx c2 = ctx;
    CHECK(!tz_parse("Mars/Olympus", &c2));
    CHECK(!tz_parse("../../etc/passwd", &c2));
    CHECK(!tz_parse("", &c2));
    CHECK(tz_parse("Etc/UTC", &c2) && c2.tz_name == NULL && c2.tz_offset_s == 0);
    set_zone("UTC");
}

TEST(intervals)
{
    static const char *cases[][2] = {
        {"1 hour", "01:00:00"},
        {"2 days 3 hours", "2 days 03:00:00"},
        {"1 year 2 mons", "1 year 2 mons"},
        {"01:02:03", "01:02:03"},
        {"-1 day", "-1 days"},
        {"P1D", "1 day"},
        {"1 year 2 mons 3 days 04:05:06", "1 year 2 mons 3 days 04:05:06"},
        {"0", "00:00:00"},
        {"-1 year 2 mons", "-10 mons"},
        {"1 day -01:00", "1 day -01:00:00"},
        {"1.5 days", "1 day 12:00:00"},
        {"1.5 months", "1 mon 15 days"},
        {"1 week", "7 days"},
        {"100 hours", "100:00:00"},
        {"1 day ago", "-1 days"},
        {"-00:00:01.5", "-00:00:01.5"},
        {"@ 1 minute", "00:01:00"},
        {"P1Y2M3DT4H5M6.5S", "1 year 2 mons 3 days 04:05:06.5"},
        {"10", "00:00:10"},
        {"1.5 years", "1 year 6 mons"},
        {"3 millisecond", "00:00:00.003"},
        {"1:2", "01:02:00"},
        {"1 day 2:03:04.5", "1 day 02:03:04.5"},
        {"-1 days -02:00", "-1 days -02:00:00"},
        {"-1 years +2 mons", "-10 mons"},
        {"1 year -2 days", "1 year -2 days"},
        {"-1 day +02:00", "-1 days +02:00:00"},
    };
    for (size_t i = 0; i < DD_ARRAY_LEN(cases); i++) CHECK_EQ_STR(IO(TYPE_INTERVAL, cases[i][0]), cases[i][1]);
    CHECK_EQ_STR(IO(TYPE_INTERVAL, "x"), "ERROR 22007: invalid input syntax for type interval: \"x\"");
    CHECK_EQ_STR(IO(TYPE_INTERVAL, "1 foo"), "ERROR 22007: invalid input syntax for type interval: \"1 foo\"");
    CHECK_EQ_STR(IO(TYPE_INTERVAL, "2147483648 days"),
                 "ERROR 22015: interval field value out of range: \"2147483648 days\"");
    CHECK_EQ_STR(ar(ARITH_MUL, V(TYPE_INTERVAL, "1 day 2 hours"), V(TYPE_NUMERIC, "1.5")), "1 day 15:00:00");
    CHECK_EQ_STR(ar(ARITH_MUL, V(TYPE_INTERVAL, "1 mon"), val_float(TYPE_FLOAT8, 0.5)), "15 days");
    CHECK_EQ_STR(ar(ARITH_DIV, V(TYPE_INTERVAL, "1 mon"), val_int(TYPE_INT4, 3)), "10 days");
    CHECK_EQ_STR(ar(ARITH_MUL, val_int(TYPE_INT4, 2), V(TYPE_INTERVAL, "1 hour")), "02:00:00");
    CHECK_EQ_STR(ar(ARITH_DIV, V(TYPE_INTERVAL, "1 hour"), val_int(TYPE_INT4, 0)), "ERROR 22012: division by zero");
    CHECK_EQ_STR(ar(ARITH_ADD, V(TYPE_INTERVAL, "1 day"), V(TYPE_INTERVAL, "-2 hours")), "1 day -02:00:00");
    CHECK_EQ_STR(ar(ARITH_SUB, V(TYPE_INTERVAL, "1 day"), V(TYPE_INTERVAL, "1 day")), "00:00:00");
    CHECK(cmp(V(TYPE_INTERVAL, "1 mon"), V(TYPE_INTERVAL, "30 days")) == 0);
    CHECK(cmp(V(TYPE_INTERVAL, "1 day"), V(TYPE_INTERVAL, "25 hours")) < 0);
    Value a = V(TYPE_INTERVAL, "1 mon"), b = V(TYPE_INTERVAL, "720 hours");
    CHECK(val_hash(&a) == val_hash(&b));
    Value r;
    DdError e;
    CHECK(val_negate(&a, &r, &e) == 0);
    CHECK_EQ_STR(out_str(&r), "-1 mons");
    CHECK_EQ_STR(cs(V(TYPE_INTERVAL, "1 day"), TYPE_TEXT, -1, true), "1 day");
    CHECK_EQ_STR(cs(V(TYPE_INTERVAL, "1 day"), TYPE_DATE, -1, true),
                 "ERROR 42846: cannot cast type interval to date");
}

/* DateStyle and IntervalStyle (expected texts from PostgreSQL 15) */
TEST(styles)
{
    static const struct { u8 style, order; const char *date, *ts, *tstz; } ds[] = {
        {DATESTYLE_ISO, DATEORDER_MDY, "2024-12-31", "2024-12-31 10:05:06.5", "2024-12-31 10:05:06.5+00"},
        {DATESTYLE_SQL, DATEORDER_MDY, "12/31/2024", "12/31/2024 10:05:06.5", "12/31/2024 10:05:06.5 UTC"},
        {DATESTYLE_SQL, DATEORDER_DMY, "31/12/2024", "31/12/2024 10:05:06.5", "31/12/2024 10:05:06.5 UTC"},
        {DATESTYLE_GERMAN, DATEORDER_DMY, "31.12.2024", "31.12.2024 10:05:06.5", "31.12.2024 10:05:06.5 UTC"},
        {DATESTYLE_POSTGRES, DATEORDER_MDY, "12-31-2024", "Tue Dec 31 10:05:06.5 2024", "Tue Dec 31 10:05:06.5 2024 UTC"},
        {DATESTYLE_POSTGRES, DATEORDER_DMY, "31-12-2024", "Tue 31 Dec 10:05:06.5 2024", "Tue 31 Dec 10:05:06.5 2024 UTC"},
    };
    set_zone("UTC");
    for (size_t i = 0; i < DD_ARRAY_LEN(ds); i++) {
        ctx.date_style = ds[i].style;
        ctx.date_order = ds[i].order;
        CHECK_EQ_STR(IO(TYPE_DATE, "2024-12-31"), ds[i].date);
        CHECK_EQ_STR(IO(TYPE_TIMESTAMP, "2024-12-31 10:05:06.5"), ds[i].ts);
        CHECK_EQ_STR(IO(TYPE_TIMESTAMPTZ, "2024-12-31 10:05:06.5+00"), ds[i].tstz);
    }
    ctx.date_style = DATESTYLE_ISO;
    static const struct { u8 order; const char *in, *out; } orders[] = {
        {DATEORDER_MDY, "01/02/03", "2003-01-02"}, {DATEORDER_DMY, "01/02/03", "2003-02-01"},
        {DATEORDER_YMD, "01/02/03", "2001-02-03"}, {DATEORDER_YMD, "02-Jan-2003", "2003-01-02"},
        {DATEORDER_DMY, "13/01/2003", "2003-01-13"},
    };
    for (size_t i = 0; i < DD_ARRAY_LEN(orders); i++) {
        ctx.date_order = orders[i].order;
        CHECK_EQ_STR(IO(TYPE_DATE, orders[i].in), orders[i].out);
    }
    ctx.date_order = DATEORDER_MDY;
    CHECK_EQ_STR(IO(TYPE_DATE, "13/01/2003"), "ERROR 22008: date/time field value out of range: \"13/01/2003\"");
    static const struct { u8 style; const char *in, *out; } iv[] = {
        {INTERVALSTYLE_POSTGRES_VERBOSE, "1 year 2 mons 3 days 04:05:06.5", "@ 1 year 2 mons 3 days 4 hours 5 mins 6.5 secs"},
        {INTERVALSTYLE_POSTGRES_VERBOSE, "-1 day -1 second", "@ 1 day 1 sec ago"},
        {INTERVALSTYLE_POSTGRES_VERBOSE, "0", "@ 0"},
        {INTERVALSTYLE_SQL_STANDARD, "1 year 2 mons", "1-2"},
        {INTERVALSTYLE_SQL_STANDARD, "-3 days -04:05:06", "-3 4:05:06"},
        {INTERVALSTYLE_SQL_STANDARD, "1 year 2 mons 3 days 04:05:06", "+1-2 +3 +4:05:06"},
        {INTERVALSTYLE_SQL_STANDARD, "-1 2:03:04", "-1 2:03:04"},   /* the leading sign applies to all */
        {INTERVALSTYLE_SQL_STANDARD, "0", "0"},
        {INTERVALSTYLE_ISO_8601, "1 year 2 mons 3 days 04:05:06.5", "P1Y2M3DT4H5M6.5S"},
        {INTERVALSTYLE_ISO_8601, "-1.5 seconds", "PT-1.5S"},
        {INTERVALSTYLE_ISO_8601, "0", "PT0S"},
    };
    for (size_t i = 0; i < DD_ARRAY_LEN(iv); i++) {
        ctx.interval_style = iv[i].style;
        CHECK_EQ_STR(IO(TYPE_INTERVAL, iv[i].in), iv[i].out);
    }
    ctx.interval_style = INTERVALSTYLE_POSTGRES;
    CHECK_EQ_STR(IO(TYPE_INTERVAL, "-1 2:03:04"), "-1 days +02:03:04");
}

/* name, "char" and oid */
TEST(catalog_types)
{
    char long_name[80];
    memset(long_name, 'x', 70);
    long_name[70] = '\0';
    CHECK(strlen(IO(TYPE_NAME, long_name)) == 63);
    CHECK_EQ_STR(IO(TYPE_CHAR, "abc"), "a");
    CHECK_EQ_STR(IO(TYPE_CHAR, "\\101"), "A");
    CHECK_EQ_STR(IO(TYPE_CHAR, "\\377"), "\\377");
    CHECK_EQ_STR(IO(TYPE_CHAR, ""), "");
    CHECK_EQ_STR(IO(TYPE_OID, "-1"), "4294967295");
    CHECK_EQ_STR(IO(TYPE_OID, "4294967296"), "ERROR 22003: value \"4294967296\" is out of range for type oid");
    CHECK_EQ_STR(IO(TYPE_OID, "x"), "ERROR 22P02: invalid input syntax for type oid: \"x\"");
    CHECK_EQ_STR(cs(val_int(TYPE_INT4, -1), TYPE_OID, -1, false), "4294967295");
    CHECK_EQ_STR(cs(val_int(TYPE_INT8, -1), TYPE_OID, -1, false), "ERROR 22003: OID out of range");
    CHECK_EQ_STR(cs(V(TYPE_OID, "4294967295"), TYPE_INT4, -1, false), "-1");
    CHECK_EQ_STR(cs(val_int(TYPE_INT4, 128), TYPE_CHAR, -1, true), "ERROR 22003: \"char\" out of range");
    CHECK_EQ_STR(cs(V(TYPE_CHAR, "\\377"), TYPE_INT4, -1, true), "-1");
    CHECK(cmp(V(TYPE_OID, "4294967295"), val_int(TYPE_INT4, -1)) == 0);
    CHECK(cmp(V(TYPE_OID, "1"), V(TYPE_OID, "4294967295")) < 0);
    CHECK(cmp(V(TYPE_CHAR, "a"), V(TYPE_CHAR, "\\377")) < 0);
    CHECK(cmp(V(TYPE_NAME, "B"), V(TYPE_NAME, "a")) < 0);
    TypeId t;
    CHECK(type_from_name("\"char\"", &t) && t == TYPE_CHAR);
    CHECK(type_from_name("char", &t) && t == TYPE_BPCHAR);
    CHECK(type_from_name("_oid", &t) && t == type_array_of(TYPE_OID));
    CHECK(type_oid(TYPE_NAME) == 19 && type_oid(TYPE_CHAR) == 18 && type_oid(TYPE_OID) == 26);
    CHECK(type_oid(type_array_of(TYPE_NAME)) == 1003 && type_oid(type_array_of(TYPE_OID)) == 1028);
}

TEST(casts_misc)
{
    CHECK_EQ_STR(cs(val_text(TYPE_UNKNOWN, "12", 2), TYPE_INT4, -1, false), "12");
    CHECK_EQ_STR(cs(val_text(TYPE_UNKNOWN, "2024-01-02", 10), TYPE_DATE, -1, false), "2024-01-02");
    CHECK_EQ_STR(cs(V(TYPE_DATE, "2024-01-02"), TYPE_TIMESTAMP, -1, false), "2024-01-02 00:00:00");
    CHECK_EQ_STR(cs(V(TYPE_DATE, "5874897-01-01"), TYPE_TIMESTAMP, -1, false),
                 "ERROR 22008: date out of range for timestamp");
    CHECK_EQ_STR(cs(V(TYPE_TIMESTAMP, "2024-01-02 23:59"), TYPE_DATE, -1, true), "2024-01-02");
    CHECK_EQ_STR(cs(V(TYPE_TIMESTAMP, "0001-01-01 23:59"), TYPE_DATE, -1, true), "0001-01-01");
    CHECK_EQ_STR(cs(val_bool(true), TYPE_TEXT, -1, true), "true");
    CHECK_EQ_STR(cs(val_bool(false), TYPE_VARCHAR, 3, true), "fal");
    Value n = val_null(TYPE_INT4), r;
    DdError e;
    CHECK(val_cast(&n, TYPE_DATE, -1, true, &ctx, &r, &e) == 0 && r.isnull && r.type == TYPE_DATE);
    TypeId t;
    CHECK(type_common(TYPE_INT4, TYPE_NUMERIC, &t) && t == TYPE_NUMERIC);
    CHECK(type_common(TYPE_NUMERIC, TYPE_FLOAT4, &t) && t == TYPE_FLOAT4);
    CHECK(type_common(TYPE_UNKNOWN, TYPE_DATE, &t) && t == TYPE_DATE);
    CHECK(type_common(TYPE_UNKNOWN, TYPE_UNKNOWN, &t) && t == TYPE_TEXT);
    CHECK(type_common(TYPE_VARCHAR, TYPE_BPCHAR, &t) && t == TYPE_TEXT);
    CHECK(type_common(TYPE_DATE, TYPE_TIMESTAMP, &t) && t == TYPE_TIMESTAMP);
    CHECK(type_common(TYPE_TIMESTAMP, TYPE_TIMESTAMPTZ, &t) && t == TYPE_TIMESTAMPTZ);
    CHECK(!type_common(TYPE_BOOL, TYPE_INT4, &t));
    CHECK(!type_common(TYPE_TEXT, TYPE_INT4, &t));
    CHECK(type_can_implicit(TYPE_INT2, TYPE_INT8) && !type_can_implicit(TYPE_INT8, TYPE_INT4));
    CHECK(type_can_implicit(TYPE_NUMERIC, TYPE_FLOAT8) && !type_can_implicit(TYPE_FLOAT8, TYPE_NUMERIC));
    CHECK(type_can_implicit(TYPE_DATE, TYPE_TIMESTAMPTZ) && !type_can_implicit(TYPE_TIMESTAMP, TYPE_DATE));
    CHECK(type_can_implicit(TYPE_UNKNOWN, TYPE_INTERVAL) && !type_can_implicit(TYPE_BOOL, TYPE_INT4));
}

/* Random and garbage inputs for every type: no crash, a clean result. */
TEST(garbage)
{
    static const char *seeds[] = {
        "", " ", "-", "+", ".", "e", "1e", "1e-", "--1", "0x10", "1_000", "nan", "-inf", "infinity",
        "9999999999999999999999999999999999999999999", "1e99999", "1e-99999", ".e1",
        "2024-", "2024-01-", "2024-01-02T", "2024-01-02 25:61:61", "2024-02-30 +99", "T", "::", "1:2:3:4",
        "P", "PT", "P1", "1 day ago ago", "@", "ago", "1 1 1", "1 days days", "epoch now",
        "Jan", "Jan 2", "1/2", "1/2/", "99999999-01-01", "0000-01-01", "-2024-01-01",
        "2024-01-02 03:04:05.99999999999999999999", "2024-01-02 03:04 Europe/", "2024-01-02 a/b",
        "\xff\xfe", "t", "yes", "999999999999999999999 years", "-2147483648 mons", "1e308 days",
        "2024-01-02 03:04:05 +15:59:59", "12 pm", "Jan 2 2024 12:00 pm Europe/Paris",
    };
    TypeId types[] = {TYPE_BOOL, TYPE_INT2, TYPE_INT4, TYPE_INT8, TYPE_FLOAT4, TYPE_FLOAT8, TYPE_NUMERIC,
                      TYPE_TEXT, TYPE_VARCHAR, TYPE_BPCHAR, TYPE_DATE, TYPE_TIMESTAMP, TYPE_TIMESTAMPTZ,
                      TYPE_INTERVAL};
    static const char alphabet[] = "0123456789+-.:eE /TZPYMDHSWjanpmdyt\t,@x";
    srand(12345);
    char buf[64];
    int ok = 0;
    set_zone("Europe/Paris");
    for (int iter = 0; iter < 20000; iter++) {
        size_t n;
        if (iter < (int)DD_ARRAY_LEN(seeds)) {
            n = strlen(seeds[iter]);
            memcpy(buf, seeds[iter], n);
        } else {
            n = (size_t)(rand() % 40);
            for (size_t i = 0; i < n; i++)
                buf[i] = (rand() % 10 == 0) ? (char)(rand() % 256) : alphabet[rand() % (sizeof alphabet - 1)];
        }
        for (size_t k = 0; k < DD_ARRAY_LEN(types); k++) {
            Value v;
            DdError e;
            dd_err_clear(&e);
            int rc = val_from_text(types[k], types[k] == TYPE_VARCHAR ? 5 : -1, buf, n, &ctx, &v, &e);
            if (rc == 0) {
                ok++;
                Buf b = BUF_INIT;
                val_to_text(&v, &ctx, &b);
                /* output must read back to an equal value */
                Value back;
                DdError e2;
                if (types[k] != TYPE_BPCHAR && types[k] != TYPE_VARCHAR &&
                    val_from_text(types[k], -1, (const char *)b.data, b.len, &ctx, &back, &e2) == 0) {
                    if (val_compare(&v, &back, &ctx) != 0) {
                        printf("  round trip %s: \"%.*s\" -> \"%s\"\n", type_name(types[k]), (int)n, buf,
                               buf_cstr(&b));
                        check_failed_now = 1;
                    }
                } else if (types[k] != TYPE_BPCHAR && types[k] != TYPE_VARCHAR) {
                    printf("  output does not read back %s: \"%.*s\" -> \"%s\": %s\n", type_name(types[k]),
                           (int)n, buf, buf_cstr(&b), e2.message);
                    check_failed_now = 1;
                }
                (void)val_hash(&v);
                buf_free(&b);
            } else {
                CHECK(e.code == rc && e.message[0]);
            }
        }
        arena_reset(&arena);
    }
    CHECK(ok > 1000);
    set_zone("UTC");
}

/* Random arithmetic: no crash; results consistent with compare. */
TEST(random_arith)
{
    srand(777);
    static const char *nums[] = {"0", "1", "-1", "0.5", "2.50", "-7.25", "99999999999999999999999999999999999999",
                                 "0.00000000000000000000000000000000000001", "123456789.123456789",
                                 "9223372036854775807", "-9223372036854775808", "3.14159", "1e-20", "1e20"};
    TypeId ts[] = {TYPE_INT2, TYPE_INT4, TYPE_INT8, TYPE_NUMERIC, TYPE_FLOAT4, TYPE_FLOAT8};
    for (int i = 0; i < 20000; i++) {
        Value a, b, r;
        DdError e;
        TypeId ta = ts[rand() % 6], tb = ts[rand() % 6];
        const char *sa = nums[rand() % DD_ARRAY_LEN(nums)], *sb = nums[rand() % DD_ARRAY_LEN(nums)];
        if (val_from_text(ta, -1, sa, strlen(sa), &ctx, &a, &e) || val_from_text(tb, -1, sb, strlen(sb), &ctx, &b, &e))
            continue;
        ArithOp op = (ArithOp)(rand() % 6);
        if (val_arith(op, &a, &b, &ctx, &r, &e) == 0) {
            Buf buf = BUF_INIT;
            val_to_text(&r, &ctx, &buf);
            buf_free(&buf);
            if (r.type == TYPE_NUMERIC) CHECK((r.scale >= 0 && r.scale <= 38) || numeric_is_big(r.scale));
        }
        int c1 = val_compare(&a, &b, &ctx), c2 = val_compare(&b, &a, &ctx);
        CHECK((c1 > 0) == (c2 < 0) && (c1 == 0) == (c2 == 0));
        /* equal values hash alike within the exact types; a float against
         * an exact type compares as float8, and such pairs never share a
         * hash table (the planner hashes only like types) */
        if (c1 == 0 && (ta == TYPE_FLOAT4 || ta == TYPE_FLOAT8) == (tb == TYPE_FLOAT4 || tb == TYPE_FLOAT8)) CHECK(val_hash(&a) == val_hash(&b));
    }
}

/* Input forms PostgreSQL 15 accepts (values checked against a server). */
TEST(datetime_input_pg)
{
    set_zone("UTC");
    static const char *tz[][2] = {
        {"2024-01-05 10:00 PST", "2024-01-05 18:00:00+00"},
        {"2024-07-05 10:00 CET", "2024-07-05 09:00:00+00"}, /* abbreviation: fixed +01, not the zone file */
        {"2024-01-05 10:00 CEST", "2024-01-05 08:00:00+00"},
        {"2024-01-05 10:00 EDT", "2024-01-05 14:00:00+00"},
        {"2024-01-05 10:00 BST", "2024-01-05 09:00:00+00"},
        {"2024-01-05 10:00 JST", "2024-01-05 01:00:00+00"},
        {"2024-01-05 10:00 MSK", "2024-01-05 07:00:00+00"},
        {"2024-01-05 10:00 NST", "2024-01-05 13:30:00+00"},
        {"2024-01-05 10:00 Z", "2024-01-05 10:00:00+00"},
        {"PST 2024-01-05 10:00", "2024-01-05 18:00:00+00"},
        {"2024-01-05 10:00 UTC+3", "2024-01-05 13:00:00+00"},
        {"2024-01-05 10:00:00+530", "2024-01-05 04:30:00+00"},
        {"Fri Jan 05 10:00:00.5 2024 PST", "2024-01-05 18:00:00.5+00"},
        {"2024-01-05 040506-08", "2024-01-05 12:05:06+00"},
    };
    for (size_t i = 0; i < DD_ARRAY_LEN(tz); i++) CHECK_EQ_STR(IO(TYPE_TIMESTAMPTZ, tz[i][0]), tz[i][1]);
    CHECK_EQ_STR(IO(TYPE_TIMESTAMPTZ, "2024-01-05 10:00 PST PST"),
                 "ERROR 22007: invalid input syntax for type timestamp with time zone: \"2024-01-05 10:00 PST PST\"");
    static const char *ts[][2] = {
        {"2024-01-05 1:2:3", "2024-01-05 01:02:03"},
        {"2024-01-05 1:2", "2024-01-05 01:02:00"},
        {"2024-01-05 1:02:3.5", "2024-01-05 01:02:03.5"},
        {"2024-01-05 10:00 PST", "2024-01-05 10:00:00"},
        {"2024-01-05 12:00 AM", "2024-01-05 00:00:00"},
        {"2024-01-05 0:00 PM", "2024-01-05 12:00:00"},
        {"2024-01-05 1:2 pm", "2024-01-05 13:02:00"},
        {"Jan 5 10:00 2024", "2024-01-05 10:00:00"},
        {"20240105T101112", "2024-01-05 10:11:12"},
        {"2024-01-05 allballs", "2024-01-05 00:00:00"},
        {"epoch", "1970-01-01 00:00:00"},
    };
    for (size_t i = 0; i < DD_ARRAY_LEN(ts); i++) CHECK_EQ_STR(IO(TYPE_TIMESTAMP, ts[i][0]), ts[i][1]);
    CHECK_EQ_STR(IO(TYPE_TIMESTAMP, "2024-01-05 13:00 PM"),
                 "ERROR 22008: date/time field value out of range: \"2024-01-05 13:00 PM\"");
    static const char *d[][2] = {
        {"5 January 2024", "2024-01-05"}, {"2024 Jan 5", "2024-01-05"}, {"Friday, January 5, 2024", "2024-01-05"},
        {"05-Jan-2024", "2024-01-05"},    {"240105", "2024-01-05"},     {"2024-005", "2024-01-05"},
        {"J2460315", "2024-01-05"},       {"2024/01/05", "2024-01-05"}, {"2024-01-05 PST", "2024-01-05"},
    };
    for (size_t i = 0; i < DD_ARRAY_LEN(d); i++) CHECK_EQ_STR(IO(TYPE_DATE, d[i][0]), d[i][1]);
    CHECK_EQ_STR(IO(TYPE_DATE, "Jan 5"), "ERROR 22007: invalid input syntax for type date: \"Jan 5\"");
    CHECK_EQ_STR(IO(TYPE_DATE, "J1"), "ERROR 22008: date out of range: \"J1\""); /* BC: unsupported */
    static const char *iv[][2] = {
        {"1-2", "1 year 2 mons"},
        {"-1-2", "-1 years -2 mons"},
        {"1-2 3 4:05:06", "1 year 2 mons 3 days 04:05:06"},
        {"1-2 days", "1 year 2 mons"},
        {"1 2:03:04", "1 day 02:03:04"},
        {"-1 2:03:04", "-1 days +02:03:04"},
        {"1 -2:03:04", "1 day -02:03:04"},
        {"P0001-02-03T04:05:06", "1 year 2 mons 3 days 04:05:06"},
        {"PT10:20", "10:20:00"},
        {"P1DT", "1 day"},
    };
    for (size_t i = 0; i < DD_ARRAY_LEN(iv); i++) CHECK_EQ_STR(IO(TYPE_INTERVAL, iv[i][0]), iv[i][1]);
    CHECK_EQ_STR(IO(TYPE_INTERVAL, "1-13"), "ERROR 22015: interval field value out of range: \"1-13\"");
    CHECK_EQ_STR(IO(TYPE_INTERVAL, "10 20 minutes"),
                 "ERROR 22007: invalid input syntax for type interval: \"10 20 minutes\"");
}

/* json and jsonb (json.c): normal form, errors, order, hash, containment,
 * and random or mangled documents that must never crash. */
TEST(json)
{
    CHECK_EQ_STR(IO(TYPE_JSONB, "{\"b\":1, \"a\": [1,2.50e1, -0], \"aa\":null, \"a\":true}"),
                 "{\"a\": true, \"b\": 1, \"aa\": null}");
    CHECK_EQ_STR(IO(TYPE_JSON, " {\"b\":1,  \"b\":2} "), " {\"b\":1,  \"b\":2} ");
    CHECK_EQ_STR(IO(TYPE_JSONB, "[1e3, 0.0010, 1E-2, 12345678901234567890123456789012345678901234567890]"),
                 "[1000, 0.0010, 0.01, 12345678901234567890123456789012345678901234567890]");
    CHECK_EQ_STR(IO(TYPE_JSONB, "\"\\u00e9\\n\\ud83d\\ude00\""), "\"\xc3\xa9\\n\xf0\x9f\x98\x80\"");
    CHECK_EQ_STR(IO(TYPE_JSONB, "{\"a\" 1}"), "ERROR 22P02: invalid input syntax for type json");
    CHECK_EQ_STR(IO(TYPE_JSONB, "\"\\u0000\""), "ERROR 22P05: unsupported Unicode escape sequence");
    CHECK_EQ_STR(IO(TYPE_JSON, "\"\\u0000\""), "\"\\u0000\"");
    /* order: [] < null < "s" < 1 < true < [1] < [1, 2] < {} and equal numbers */
    static const char *asc[] = {"[]", "null", "\"a\"", "\"b\"", "-1", "1", "false", "true", "[1]",
                                "[\"x\", 1]", "[1, 2]", "{}", "{\"b\": 1}", "{\"a\": 1, \"b\": 1}"};
    for (size_t i = 0; i + 1 < DD_ARRAY_LEN(asc); i++) {
        Value a = V(TYPE_JSONB, asc[i]), b = V(TYPE_JSONB, asc[i + 1]);
        CHECK(val_compare(&a, &b, &ctx) < 0);
        CHECK(val_compare(&b, &a, &ctx) > 0);
    }
    Value x = V(TYPE_JSONB, "{\"a\": [1.50, {\"b\": 2.0}]}"), y = V(TYPE_JSONB, "{\"a\": [1.5, {\"b\": 2}]}");
    CHECK(val_compare(&x, &y, &ctx) == 0);
    CHECK(val_hash(&x) == val_hash(&y));
    /* containment */
    Arena a;
    arena_init(&a, 4096);
    JNode *d = NULL, *q = NULL;
    const char *ds = "{\"a\": [1, {\"b\": 2, \"c\": 3}]}", *qs = "{\"a\": [{\"c\": 3}]}";
    CHECK(json_parse(ds, strlen(ds), true, &a, &d, NULL) == DD_OK);
    CHECK(json_parse(qs, strlen(qs), true, &a, &q, NULL) == DD_OK);
    if (d && q) {
        CHECK(jsonb_contains(d, q));
        CHECK(!jsonb_contains(q, d));
    }
    arena_free(&a);
    /* garbage never crashes: every prefix and random mutations of a document */
    const char *doc = "{\"k\": [1, -2.5e3, \"s\\u00e9\\\"\", true, null, {\"x\": {}}], \"z\": []}";
    char buf[96];
    srand(777);
    size_t dl = strlen(doc);
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = dl;
        memcpy(buf, doc, n);
        if (iter < (int)dl) n = (size_t)iter;
        else for (int m = 0; m < 3; m++) {
            static const char mut[] = "{}[],:\"\\ue01-.tfn x";
            buf[rand() % n] = mut[rand() % (int)(sizeof mut - 1)];
        }
        Value v;
        DdError e;
        for (int t = 0; t < 2; t++) {
            if (val_from_text(t ? TYPE_JSONB : TYPE_JSON, -1, buf, n, &ctx, &v, &e) == DD_OK) {
                Buf o = BUF_INIT;
                val_to_text(&v, &ctx, &o);
                buf_free(&o);
                if (t) CHECK(val_compare(&v, &v, &ctx) == 0);
            }
        }
        arena_reset(&arena);
    }
}

/* ---- row_decode_used's walk over an image against rec_iter_next ---- */

/* The rec_iter_next way of row_decode_used (as it was before the walk by
 * hand), a column's missing value included: the reference. */
static int ref_decode(const TableInfo *t, const u8 *rec, u32 n, Value *vals, const bool *used, DdError *err)
{
    for (int i = 0; i < t->ncols; i++) val_set_null(&vals[i], (TypeId)t->cols[i].type);
    RecIter it;
    RecField f;
    int rc = rec_iter_init(&it, rec, n, err), ci = 0;
    if (rc) return rc;
    for (;;) {
        rc = rec_iter_next(&it, &f, err);
        if (rc < 0) return -rc;
        u32 upto = rc == 1 ? f.colid : UINT32_MAX;
        for (; ci < t->ncols && t->cols[ci].id < upto; ci++) {
            const ColumnInfo *c = &t->cols[ci];
            if (!c->missing || c->dropped || (used && !used[ci])) continue;
            RecIter mi;
            RecField mf;
            if (rec_iter_init(&mi, c->missing, c->missinglen, err) || rec_iter_next(&mi, &mf, err) != 1) return DD_ECORRUPT;
            if ((rc = row_field_value(c, &mf, &vals[ci], err))) return rc;
        }
        if (upto == UINT32_MAX) return DD_OK;
        if (ci >= t->ncols || t->cols[ci].id != f.colid) continue;
        if (t->cols[ci].dropped || (used && !used[ci]) || f.tag == REC_NULL) { ci++; continue; }
        if ((rc = row_field_value(&t->cols[ci], &f, &vals[ci], err))) return rc;
        ci++;
    }
}

static bool same_value(const Value *a, const Value *b)
{
    if (a->type != b->type || a->isnull != b->isnull) return false;
    if (a->isnull) return true;
    switch ((TypeId)a->type) {
    case TYPE_BOOL: return a->v.b == b->v.b;
    case TYPE_FLOAT8: return memcmp(&a->v.f, &b->v.f, sizeof a->v.f) == 0;
    case TYPE_NUMERIC: return a->scale == b->scale && a->v.coef == b->v.coef;
    case TYPE_INTERVAL:
        return a->v.iv.months == b->v.iv.months && a->v.iv.days == b->v.iv.days && a->v.iv.usecs == b->v.iv.usecs;
    case TYPE_TEXT: return a->v.s.len == b->v.s.len && memcmp(a->v.s.p, b->v.s.p, a->v.s.len) == 0;
    default: return a->v.i == b->v.i;
    }
}

TEST(row_decode_walk)
{
    /* column ids with gaps (fields of ids no column has are stepped over),
     * ids of two and three bytes, a dropped column, an enum, one added
     * with a DEFAULT (its missing value); the second round gives the
     * interval column a missing value of the wrong kind (an error of its
     * own, which must come in the same order as before) */
    static const u32 ids[] = {1, 2, 3, 5, 6, 8, 9, 10, 12, 200, 20000};
    static const TypeId types[] = {TYPE_INT8, TYPE_TEXT, TYPE_NUMERIC, TYPE_FLOAT8, TYPE_INTERVAL,
                                   TYPE_BOOL, TYPE_DATE, TYPE_INT4, TYPE_INT8, TYPE_TEXT, TYPE_ENUM};
    static const u32 fids[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 200, 20000};
    enum { NC = 11, NF = 15, ROUNDS = 100000 };
    ColumnInfo cols[NC];
    memset(cols, 0, sizeof cols);
    Buf miss = BUF_INIT, badmiss = BUF_INIT;
    RecBuilder mb;
    rec_begin(&mb, &miss);
    rec_put_int(&mb, 12, 77);
    CHECK(rec_finish(&mb, NULL) == 0);
    rec_begin(&mb, &badmiss);
    rec_put_int(&mb, 6, 5);   /* an integer for an interval column */
    CHECK(rec_finish(&mb, NULL) == 0);
    for (int i = 0; i < NC; i++) {
        cols[i].id = ids[i];
        cols[i].name = (char *)"c";
        cols[i].type = (u16)types[i];
        cols[i].typmod = types[i] == TYPE_ENUM ? 42 : -1;
    }
    cols[7].dropped = true;
    cols[8].missing = miss.data;
    cols[8].missinglen = (u32)miss.len;
    TableInfo t;
    memset(&t, 0, sizeof t);
    t.cols = cols;
    t.ncols = NC;
    u64 x = 20261207;
    int agree = 0, damaged = 0, decoded = 0, total = 0;
    for (int round = 0; round < 2; round++) {
        if (round == 1) {
            cols[4].missing = badmiss.data;
            cols[4].missinglen = (u32)badmiss.len;
        }
        for (int iter = 0; iter < ROUNDS; iter++, total++) {
            Buf img = BUF_INIT;
            RecBuilder rb;
            rec_begin(&rb, &img);
            for (int fi = 0; fi < NF; fi++) {
                u32 id = fids[fi];
                x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                u32 r = (u32)(x >> 33);
                if (r % 5 == 0) continue;   /* no field */
                if (r % 11 == 0) { rec_put_null(&rb, id); continue; }
                int kind = (int)((r >> 8) % 7);
                if (r % 13 != 0) {   /* mostly the column's own kind */
                    int ci = -1;
                    for (int i = 0; i < NC; i++) if (ids[i] == id) ci = i;
                    TypeId ct = ci >= 0 ? types[ci] : TYPE_INT8;
                    kind = ct == TYPE_TEXT ? 1 : ct == TYPE_NUMERIC ? 2 : ct == TYPE_FLOAT8 ? 3
                         : ct == TYPE_INTERVAL ? 4 : ct == TYPE_BOOL ? 5 : 0;
                }
                i64 v = (i64)(x >> 20) >> (r % 40);
                switch (kind) {
                case 0: rec_put_int(&rb, id, r % 3 ? v : -v); break;
                case 1: rec_put_text(&rb, id, "abcdefghijklmnopqrstuvwxyz", (size_t)(r % 27)); break;
                case 2: rec_put_numeric(&rb, id, (i128)v * (r % 2 ? 1 : -1000000007), (int)(r % 39)); break;
                case 3: rec_put_float(&rb, id, (double)v / 7.0); break;
                case 4: rec_put_interval(&rb, id, (i32)(r % 1000), -(i32)(r % 77), v); break;
                case 5: rec_put_bool(&rb, id, r & 1); break;
                default: rec_put_bignum(&rb, id, r & 1, "\x02\x00\x07\x00\x09\x00", r % 6); break;   /* short ones are damaged */
                }
            }
            CHECK(rec_finish(&rb, NULL) == 0);
            /* damage a third of them: a byte changed, cut short, or bytes added */
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            u32 d = (u32)(x >> 33);
            if (d % 3 == 0 && img.len > 0) {
                if (d % 4 == 0) img.data[(d >> 4) % img.len] = (u8)(d >> 12);
                else if (d % 4 == 1) img.len = (d >> 4) % img.len;
                else if (d % 4 == 2) img.data[(d >> 4) % img.len] ^= 0x80;
                else for (int k = 0; k < 3; k++) buf_putc(&img, (u8)(d >> (8 * k)));
            }
            bool used[NC], *u = NULL;
            if (d % 5) {
                for (int i = 0; i < NC; i++) used[i] = (d >> (i + 3)) & 1;
                u = used;
            }
            Value a[NC], b[NC];
            DdError ea, eb;
            memset(&ea, 0, sizeof ea);
            memset(&eb, 0, sizeof eb);
            int ra = row_decode_used(&t, img.data, (u32)img.len, a, u, &ea);
            int rb2 = ref_decode(&t, img.data, (u32)img.len, b, u, &eb);
            bool same = ra == rb2;
            if (same && ra) same = strcmp(ea.message, eb.message) == 0;
            if (same && !ra)
                for (int i = 0; i < NC; i++) same = same && same_value(&a[i], &b[i]);
            if (!same && agree == total) {   /* the first difference, once */
                printf("  round %d image %d (%zu bytes): walk %d \"%s\", rec_iter_next %d \"%s\"\n", round, iter,
                       img.len, ra, ra ? ea.message : "", rb2, rb2 ? eb.message : "");
            }
            agree += same;
            damaged += ra != 0;
            decoded += ra == 0;
            buf_free(&img);
        }
    }
    CHECK_EQ_INT(agree, 2 * ROUNDS);
    CHECK(damaged > 20000);   /* both ways were exercised */
    CHECK(decoded > 20000);
    buf_free(&miss);
    buf_free(&badmiss);
}

int main(void)
{
    arena_init(&arena, 1 << 16);
    ctx.arena = &arena;
    RUN(types);
    RUN(int_input);
    RUN(bool_io);
    RUN(float_output);
    RUN(numeric_io);
    RUN(numeric_arith);
    RUN(numeric_sqrt_div);
    RUN(int_arith);
    RUN(float_arith);
    RUN(numeric_casts);
    RUN(strings);
    RUN(like);
    RUN(compare_hash_numeric);
    RUN(dates);
    RUN(timestamps);
    RUN(timezones);
    RUN(intervals);
    RUN(styles);
    RUN(catalog_types);
    RUN(datetime_input_pg);
    RUN(casts_misc);
    RUN(garbage);
    RUN(random_arith);
    RUN(json);
    RUN(row_decode_walk);
    arena_free(&arena);
    return check_summary();
}
