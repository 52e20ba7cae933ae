/*
 * value.h - SQL values and types as PostgreSQL clients see them.
 *
 * A Value is a small tagged struct passed by value.  Variable-length
 * payloads (text) point into an arena whose lifetime the caller controls
 * (usually the row or statement arena); a Value never owns heap memory.
 *
 * Types (TypeId) map one-to-one to PostgreSQL type OIDs.  Representation:
 *   BOOL                  v.b
 *   INT2, INT4, INT8      v.i (range-checked to the type on every operation)
 *   FLOAT4, FLOAT8        v.f (FLOAT4 values are rounded to float on store)
 *   NUMERIC               v.n.coef * 10^-v.n.scale, coef a signed 128-bit
 *                         integer: exact, up to 38 significant digits, scale
 *                         0..NUMERIC_MAX_SCALE (the pair form).  The
 *                         special values NaN, Infinity and -Infinity have
 *                         coef 0 and a negative scale (NUMERIC_NAN,
 *                         NUMERIC_PINF, NUMERIC_NINF): every function that
 *                         takes a (coef, scale) pair sees them without a
 *                         separate flag.  A finite value that does not fit
 *                         the pair form (up to PostgreSQL's 131072 digits
 *                         before the point and 16383 after) is big: scale
 *                         NUMERIC_BIG or NUMERIC_BIG_NEG (its sign), v.s
 *                         its digits (numbig.c); a value that fits the pair
 *                         form is never big.  The pair functions below
 *                         refuse a big value (22003): callers use the
 *                         Value-level numeric_* functions for those.
 *   TEXT, VARCHAR, BPCHAR v.s.p / v.s.len, UTF-8, not NUL-terminated
 *   UNKNOWN               an untyped string literal ('abc'); v.s as TEXT.
 *                         Coerced to the type the context needs.
 *   DATE                  v.i days since 2000-01-01 (PostgreSQL's epoch)
 *   TIMESTAMP,            v.i microseconds since 2000-01-01 00:00:00
 *   TIMESTAMPTZ           (TIMESTAMPTZ: UTC)
 *   INTERVAL              v.iv months, days, microseconds (as PostgreSQL)
 *   NULLTYPE              the type of a bare NULL literal before coercion
 *   JSON, JSONB           v.s: text (json.h says which)
 *   NAME                  v.s as TEXT, at most 63 bytes (input is cut at a
 *                         character boundary, as PostgreSQL's namein)
 *   CHAR ("char")         v.i: one byte, 0..255, compared unsigned
 *   OID                   v.i: 0 .. 4294967295 (int4 -1 casts to 4294967295)
 * A NULL of any type has isnull = true (its type stays meaningful).
 *
 * Text output follows PostgreSQL exactly (by default DateStyle ISO, MDY,
 * IntervalStyle postgres; ValueCtx has the session's): booleans
 * "t"/"f"; floats shortest round-trip ("0.1", "1e+20", "Infinity", "NaN",
 * "-0"); numeric with its scale ("1.50"); timestamps "2024-01-02 03:04:05.5"
 * and timestamptz "2024-01-02 03:04:05.5+00" in the session's zone;
 * intervals "1 year 2 mons 3 days 04:05:06".
 *
 * Time zones: the session TimeZone is either "UTC" or a fixed offset; named
 * zones go through the C library (TZ database) via tz_* below.
 */
#ifndef DD_VALUE_H
#define DD_VALUE_H

#include "../../util/base.h"
#include "../../util/err.h"
#include "../../util/arena.h"
#include "../../util/buf.h"
#include <string.h>

typedef enum TypeId {
    TYPE_NULLTYPE = 0,
    TYPE_BOOL,
    TYPE_INT2,
    TYPE_INT4,
    TYPE_INT8,
    TYPE_FLOAT4,
    TYPE_FLOAT8,
    TYPE_NUMERIC,
    TYPE_TEXT,
    TYPE_VARCHAR,
    TYPE_BPCHAR,
    TYPE_UNKNOWN,
    TYPE_DATE,
    TYPE_TIMESTAMP,
    TYPE_TIMESTAMPTZ,
    TYPE_INTERVAL,
    TYPE_UUID,        /* v.s: 16 bytes (appended last: TypeIds are stored in the catalog) */
    TYPE_BYTEA,       /* v.s: the bytes */
    TYPE_JSON = 18,   /* v.s: the text as given, validated (json.h) */
    TYPE_JSONB = 19,  /* v.s: the document's normal text (json.h) */
    TYPE_TIME = 20,   /* v.i: µs since midnight, 0 .. 24:00:00 */
    TYPE_TIMETZ = 21, /* v.i: timetz_pack(µs since midnight, zone seconds east) */
    TYPE_NAME = 22,   /* v.s: an identifier of at most NAME_MAX_BYTES bytes (a string type) */
    TYPE_CHAR = 23,   /* "char": v.i, the one byte 0..255 (0: the empty value) */
    TYPE_OID = 24,    /* v.i: 0 .. 4294967295 */
    TYPE_ENUM = 25,   /* a label of a user enum type (CREATE TYPE ... AS ENUM): v.i its key
                         (store.h, UserType), Value.etype the type's catalog id; a
                         column's or expression's typmod is that id */
    TYPE_RECORD = 26, /* an anonymous record (ROW(...), a whole-row reference): v.s its
                         serialized fields (recordval.h); never a column's type */
    /* The object identifier types (v.i: an OID, as TYPE_OID): regproc,
     * regclass, regtype, regnamespace, regrole.  They compare and cast as
     * oid; their text is the object's name (ValueCtx.reg_out / reg_in, the
     * catalog's: src/sql/catalog/pgcat.c), "-" for 0. */
    TYPE_REGPROC = 27,
    TYPE_REGCLASS = 28,
    TYPE_REGTYPE = 29,
    TYPE_REGNAMESPACE = 30,
    TYPE_REGROLE = 31,
    /* int2vector and oidvector (pg_index.indkey, pg_proc.proargtypes): an
     * int2[] / oid[] from subscript 0 (v.s: that array's serialized form,
     * array.h), printed as its elements separated by spaces; they cast
     * implicitly to their array types (type_vector_array). */
    TYPE_INT2VECTOR = 32,
    TYPE_OIDVECTOR = 33,
    /* xid8 (pg_current_xact_id()): v.i holds the id's 64 bits, which
     * compare, sort and print unsigned; no arithmetic, as PostgreSQL. */
    TYPE_XID8 = 34,
    /* regprocedure: an OID like regproc, printed as "name(argtypes)" */
    TYPE_REGPROCEDURE = 35,
    TYPE__COUNT
} TypeId;

/*
 * Array types are not enum members: the array of element type e is
 * TYPE_ARRAY_FLAG | e (64 + e), so each scalar type has exactly one array
 * type, its TypeId is as stable in the catalog as the element's, and no
 * scalar TypeId (all below 64) can collide with one.  `int[]`, `int[][]`
 * and `integer ARRAY` are all the one type "integer[]" (PostgreSQL does
 * not distinguish dimensions in a type either).  Value: v.s holds the
 * serialized array (array.h).
 */
#define TYPE_ARRAY_FLAG 0x40
static inline bool type_is_array(TypeId t) { return ((unsigned)t & TYPE_ARRAY_FLAG) != 0; }
static inline TypeId type_elem(TypeId t) { return (TypeId)((unsigned)t & ~(unsigned)TYPE_ARRAY_FLAG); }
static inline TypeId type_array_of(TypeId e) { return (TypeId)((unsigned)e | TYPE_ARRAY_FLAG); }
/* Whether a value of type t takes an enum type's catalog id as its typmod
 * (and a scalar's Value.etype is it): an enum, or an array of an enum
 * (whose serialized form carries the id too, array.h). */
static inline bool type_has_etype(TypeId t) { return t == TYPE_ENUM || t == type_array_of(TYPE_ENUM); }
/* Whether elements of type e can form an array (every scalar type but
 * UNKNOWN and NULLTYPE). */
bool type_has_array(TypeId e);

#define NAME_MAX_BYTES 63   /* PostgreSQL's NAMEDATALEN - 1 */
#define NUMERIC_MAX_PRECISION 38
#define NUMERIC_MAX_SCALE 38
/* NUMERIC special values: the scale of a value whose coef is 0. */
#define NUMERIC_NAN (-1)
#define NUMERIC_PINF (-2)
#define NUMERIC_NINF (-3)
/* A finite value beyond the pair form (more than 38 digits or decimals,
 * numbig.c): the scale says its sign, v.s holds its digits. */
#define NUMERIC_BIG (-4)
#define NUMERIC_BIG_NEG (-5)
static inline bool numeric_is_big(int scale) { return scale <= NUMERIC_BIG; }
static inline bool numeric_is_special(int scale) { return scale < 0 && scale > NUMERIC_BIG; }
static inline bool numeric_is_nan(int scale) { return scale == NUMERIC_NAN; }
static inline bool numeric_is_inf(int scale) { return scale == NUMERIC_PINF || scale == NUMERIC_NINF; }

typedef struct Interval {
    i32 months;
    i32 days;
    i64 usecs;
} Interval;

/* A TIMETZ's two parts in one i64: µs since midnight (below 2^37) and the
 * zone's offset in seconds east (within ±15:59:59), biased to be positive. */
#define TIMETZ_ZONE_BIAS 65536
static inline i64 timetz_pack(i64 us, i32 zone) { return us | ((i64)(zone + TIMETZ_ZONE_BIAS) << 37); }
static inline i64 timetz_us(i64 p) { return p & (((i64)1 << 37) - 1); }
static inline i32 timetz_zone(i64 p) { return (i32)(p >> 37) - TIMETZ_ZONE_BIAS; }
/* A TIMETZ as one integer that orders as TIMETZ compares (the UTC
 * instant, then the zone, west first), for keys; and back. */
static inline i64 timetz_key(i64 p)
{
    i64 utc = timetz_us(p) - (i64)timetz_zone(p) * 1000000;
    return utc * ((i64)1 << 17) + (((i64)1 << 17) - 1 - (timetz_zone(p) + TIMETZ_ZONE_BIAS));
}
static inline i64 timetz_from_key(i64 k)
{
    i64 low = k & (((i64)1 << 17) - 1);
    i64 utc = (k - low) / ((i64)1 << 17);
    i32 zone = (i32)((((i64)1 << 17) - 1 - low) - TIMETZ_ZONE_BIAS);
    return timetz_pack(utc + (i64)zone * 1000000, zone);
}

typedef struct Value {
    u8 type;      /* TypeId */
    bool isnull;
    i16 scale;    /* NUMERIC only */
    u32 etype;    /* ENUM only: the enum type's catalog id (0: not known) */
    union {
        bool b;
        i64 i;
        double f;
        i128 coef;  /* NUMERIC */
        struct { const char *p; u32 len; } s;
        Interval iv;
    } v;
} Value;

/* oid and the reg* types: an OID in v.i. */
static inline bool type_is_reg(TypeId t) { return (t >= TYPE_REGPROC && t <= TYPE_REGROLE) || t == TYPE_REGPROCEDURE; }
static inline bool type_is_oidlike(TypeId t) { return t == TYPE_OID || type_is_reg(t); }

/* The array type a vector type reads as (int2[] / oid[]), else 0. */
static inline TypeId type_vector_array(TypeId t)
{
    return t == TYPE_INT2VECTOR ? (TypeId)(TYPE_ARRAY_FLAG | TYPE_INT2)
           : t == TYPE_OIDVECTOR ? (TypeId)(TYPE_ARRAY_FLAG | TYPE_OID) : (TypeId)0;
}

/* Type categories, as PostgreSQL's typcategory. */
bool type_is_int(TypeId t);      /* INT2, INT4, INT8 */
bool type_is_numeric(TypeId t);  /* ints, floats, NUMERIC */
bool type_is_string(TypeId t);   /* TEXT, VARCHAR, BPCHAR, NAME, UNKNOWN */
bool type_is_datetime(TypeId t); /* DATE, TIMESTAMP, TIMESTAMPTZ */

u32 type_oid(TypeId t);          /* 16, 21, 23, 20, 700, 701, 1700, 25, 1043, 1042, 705, 1082, 1114, 1184, 1186; NULLTYPE: 25 */
int type_typlen(TypeId t);       /* PostgreSQL typlen: 1, 2, 4, 8, -1 ... */
const char *type_name(TypeId t); /* PostgreSQL's name: "integer", "text", "timestamp with time zone", ... */
/* Parses a type name as written in SQL, case-insensitive, after the parser
 * joined multi-word names with single spaces: "int", "integer", "int4",
 * "bigint", "int8", "smallint", "int2", "serial"? (no), "real", "float4",
 * "double precision", "float8", "float", "numeric", "decimal", "text",
 * "varchar", "character varying", "char", "character", "bpchar", "boolean",
 * "bool", "date", "timestamp", "timestamp without time zone", "timestamptz",
 * "timestamp with time zone", "interval".  Returns false when unknown. */
bool type_from_name(const char *name, TypeId *out);
/* A type modifier (typmod >= 0) on a type that takes none (all but
 * numeric, varchar, char(n), time(tz), timestamp(tz), interval and their
 * arrays): PostgreSQL's 42601 "type modifier is not allowed for type X",
 * X as written (name), at loc.  Returns 0 or that error. */
int type_check_typmod(const char *name, TypeId t, i32 typmod, int loc, DdError *err);

/* Values written in place, and the constructors (the ones row decoding
 * used are inline).  A constructor's result is built on
 * the stack with narrow stores and copied with wide loads, which stalls
 * on store-to-load forwarding; a decoder that fills a value per field
 * (rowcodec.c) writes them where they go instead. */
static inline void val_set_null(Value *o, TypeId t)
{
    memset(o, 0, sizeof *o);
    o->type = (u8)t;
    o->isnull = true;
}
static inline void val_set_int(Value *o, TypeId t, i64 i)
{
    memset(o, 0, sizeof *o);
    o->type = (u8)t;
    o->v.i = i;
}
static inline void val_set_numeric(Value *o, i128 coef, int scale)
{
    memset(o, 0, sizeof *o);
    o->type = TYPE_NUMERIC;
    o->scale = (i16)scale;
    o->v.coef = coef;
}
static inline void val_set_text(Value *o, TypeId t, const char *p, u32 len)   /* borrows p */
{
    memset(o, 0, sizeof *o);
    o->type = (u8)t;
    o->v.s.p = p;
    o->v.s.len = len;
}
static inline Value val_null(TypeId t)
{
    Value v;
    val_set_null(&v, t);
    return v;
}
static inline Value val_bool(bool b)
{
    Value v = val_null(TYPE_BOOL);
    v.isnull = false;
    v.v.b = b;
    return v;
}
static inline Value val_int(TypeId t, i64 i)   /* INT2/INT4/INT8/DATE/TIMESTAMP(TZ) */
{
    Value v;
    val_set_int(&v, t, i);
    return v;
}
Value val_float(TypeId t, double f);
Value val_numeric(i128 coef, int scale);
Value val_text(TypeId t, const char *p, u32 len);  /* borrows p */


/* DateStyle's two parts and IntervalStyle (settings.c parses them; 0 is
 * each one's default, so a zeroed ValueCtx prints as "ISO, MDY" and
 * "postgres"). */
enum { DATESTYLE_ISO, DATESTYLE_SQL, DATESTYLE_POSTGRES, DATESTYLE_GERMAN };
enum { DATEORDER_MDY, DATEORDER_DMY, DATEORDER_YMD };
enum { INTERVALSTYLE_POSTGRES, INTERVALSTYLE_POSTGRES_VERBOSE, INTERVALSTYLE_SQL_STANDARD, INTERVALSTYLE_ISO_8601 };

/* Session context for I/O that depends on settings. */
/* Whether v's value is bytes elsewhere (v.s): what a copy of it copies. */
bool val_has_bytes(const Value *v);

typedef struct ValueCtx {
    Arena *arena;        /* where results' variable-length data go */
    i32 tz_offset_s;     /* fixed zone: seconds east of UTC (used when tz_name is NULL) */
    const char *tz_name; /* named zone for the C library ("Europe/Paris"), or NULL */
    const char *tz_abbr; /* a fixed zone's abbreviation for to_char's TZ ("UTC",
                            "+02", "" for a nameless POSIX offset); NULL: "UTC"
                            at offset 0, else the offset as "+02" */
    i8 float_digits;     /* extra_float_digits when <= 0 (floats print with
                            %.{15|6 + it}g, as PostgreSQL); 1 (or 0 in a
                            zeroed context): shortest exact output */
    bool float_fixed;    /* float_digits applies */
    u8 date_style;       /* DATESTYLE_*: text output of date, timestamp, timestamptz */
    u8 date_order;       /* DATEORDER_*: ambiguous date input; SQL and Postgres output */
    u8 interval_style;   /* INTERVALSTYLE_*: text output of interval (and the sign of
                            sql_standard input) */
    /* The catalog object (a type: TableInfo.utype) of a user type id, for
     * enum labels (enumtype.c); NULL when the context knows none. */
    const struct TableInfo *(*type_lookup)(void *arg, u32 id);
    void *type_arg;
    /* The reg* types' text (the catalog's, src/sql/catalog/pgcat.c):
     * reg_out appends the name of object `oid` of type t (false: none
     * known, the number is printed); reg_in reads a name into *oid (42P01,
     * 42704, 3F000 ... as PostgreSQL).  NULL: numbers only. */
    bool (*reg_out)(void *arg, TypeId t, u32 oid, Buf *out);
    int (*reg_in)(void *arg, TypeId t, const char *s, size_t len, u32 *oid, DdError *err);
    void *reg_arg;
} ValueCtx;

/*
 * Enum types (enumtype.c).  enum_in parses a label of enum etype (22P02
 * "invalid input value for enum mood: "x"" when the type has no such
 * label); enum_out appends a value's label (its key when the type is not
 * known, which only a context without a catalog gives); enum_type_name is
 * the type's name ("enum" when unknown).
 */
int enum_in(u32 etype, const char *s, size_t len, const ValueCtx *ctx, Value *out, DdError *err);
void enum_out(const Value *v, const ValueCtx *ctx, Buf *out);
const char *enum_type_name(u32 etype, const ValueCtx *ctx);

/*
 * Input function: parses text s[0..len) as type t (typmod: -1 none; for
 * VARCHAR/BPCHAR the max length, for NUMERIC (precision << 16 | scale)).
 * Errors: 22P02 invalid input syntax for type X: "s", 22003 out of range,
 * 22007/22008 datetime, 22001 too long.  Leading/trailing blanks allowed
 * where PostgreSQL allows them.  Result payload is allocated in ctx->arena.
 */
int val_from_text(TypeId t, i32 typmod, const char *s, size_t len,
                  const ValueCtx *ctx, Value *out, DdError *err);

/* Output function: appends PostgreSQL's text form of v (not NULL) to out. */
void val_to_text(const Value *v, const ValueCtx *ctx, Buf *out);

/*
 * Cast (explicit CAST / ::) or assignment coercion of v to type t with
 * typmod.  NULL stays NULL of type t.  Errors as val_from_text plus 42846
 * (DATATYPE_MISMATCH) "cannot cast type X to Y" when no cast exists.
 * Numeric->int rounds half away from zero, float->int rounds half to even
 * (as PostgreSQL); varchar(n) raises 22001 on assignment but truncates on
 * explicit cast (explicit = true).
 */
int val_cast(const Value *v, TypeId t, i32 typmod, bool explicit_cast,
             const ValueCtx *ctx, Value *out, DdError *err);
/* Whether an implicit cast from a to b exists (for operator resolution). */
bool type_can_implicit(TypeId from, TypeId to);
/* The common type of a and b for comparison / arithmetic / CASE / UNION,
 * following PostgreSQL's resolution (int2<int4<int8<numeric<float4<float8;
 * UNKNOWN takes the other's type; strings -> TEXT; DATE vs TIMESTAMP ->
 * TIMESTAMP; TIMESTAMP vs TIMESTAMPTZ -> TIMESTAMPTZ).  False if none. */
bool type_common(TypeId a, TypeId b, TypeId *out);

/*
 * Comparison of two non-NULL values of comparable types (same category;
 * mixed numeric types compare by value exactly; strings byte-wise (C
 * collation) with BPCHAR ignoring trailing spaces).  Returns <0, 0, >0.
 * The caller handles NULLs (three-valued logic) itself.
 * NaN sorts above every other float, as in PostgreSQL.
 */
int val_compare(const Value *a, const Value *b, const ValueCtx *ctx);
/* Hash consistent with val_compare()==0 (1 == 1.0 == 1::numeric hash alike). */
u64 val_hash(const Value *v);
/* Arrays (array.c; array.h has the rest): PostgreSQL's array ordering,
 * element by element (a NULL element after every value), then the number
 * of elements, dimensions, bounds; and a hash consistent with it.
 * val_compare and val_hash call these for two arrays. */
int array_compare(const Value *a, const Value *b, const ValueCtx *ctx);
u64 array_hash(const Value *v);
/* The enum type id that array value v (of an enum's array type, not
 * NULL) carries in its serialized form, or 0 (val_compare reads an
 * untyped literal against it as a label of that type). */
u32 array_etype(const Value *v);
/* Records (recordval.c; recordval.h has the rest): PostgreSQL's record
 * order, field by field (two NULLs equal, a NULL after any value), a hash
 * consistent with it, and record_out's text. */
int record_compare(const Value *a, const Value *b, const ValueCtx *ctx);
u64 record_hash(const Value *v);
void record_out(const Value *v, const ValueCtx *ctx, Buf *out);

/* Arithmetic on non-NULL values; result type per PostgreSQL.  Errors:
 * 22003 out of range (integer overflow too), 22012 division by zero,
 * 42883 operator does not exist for the types. */
typedef enum ArithOp { ARITH_ADD, ARITH_SUB, ARITH_MUL, ARITH_DIV, ARITH_MOD, ARITH_POW } ArithOp;
int val_arith(ArithOp op, const Value *a, const Value *b, const ValueCtx *ctx,
              Value *out, DdError *err);
/* The result type of a op b, or false if the operator does not exist. */
bool val_arith_type(ArithOp op, TypeId a, TypeId b, TypeId *out);
int val_negate(const Value *a, Value *out, DdError *err);
/* a || b: text concatenation (non-string operands use their text form). */
int val_concat(const Value *a, const Value *b, const ValueCtx *ctx, Value *out,
               DdError *err);

/* LIKE / ILIKE with '%' and '_' and escape char (default '\\'; -1 none).
 * Returns 1 match, 0 no match, or -DD_EINVALID_ESCAPE (pattern ends in the
 * escape char).  icase folds ASCII and UTF-8 letters via towlower. */
int val_like(const char *s, size_t slen, const char *pat, size_t plen,
             int escape, bool icase);

/* Numeric helpers.  Text input accepts PostgreSQL's special spellings
 * (case-insensitive, blanks around): NaN, [+-]Infinity, [+-]inf. */
int numeric_from_text(const char *s, size_t len, i128 *coef, int *scale, DdError *err);
void numeric_to_text(i128 coef, int scale, Buf *out);
/* Rescales to new_scale, rounding half away from zero; 22003 on overflow.
 * A special value (scale < 0) is 22003 too: callers handle NaN and the
 * infinities before asking for a scale. */
/* 22003 "numeric field overflow" for a value that numeric(prec, sc)
 * cannot hold (maxdigits: the digits it allows before the point), with
 * PostgreSQL's DETAIL. */
int numeric_field_overflow(DdError *err, int prec, int sc, int maxdigits);
int numeric_rescale(i128 coef, int scale, int new_scale, i128 *out, DdError *err);
double numeric_to_double(i128 coef, int scale);
/* Exact conversion of a double to numeric (as PostgreSQL float8->numeric:
 * 15 significant digits).  NaN and the infinities map to the special
 * numerics (PostgreSQL 14+). */
int numeric_from_double(double d, i128 *coef, int *scale, DdError *err);

/* ---- NUMERIC of any size (numbig.c) ----
 * Values, not pairs: the pair form when a result fits, else a big value
 * whose digits go to the arena given.  Errors: 22003 "value overflows
 * numeric format" past PostgreSQL's limits, 22012, 2201F, DD_ENOMEM. */
/* Text input of any size (PostgreSQL's numeric_in without a typmod). */
int numeric_parse(const char *s, size_t len, Arena *ar, Value *out, DdError *err);
/* Text output of a big value. */
void numeric_big_text(const Value *v, Buf *out);
/* Whether p[0..len) is a valid big payload (for decoders). */
bool numeric_big_check(const char *p, size_t len);
/* Exact order of two numerics (or a numeric and an integer), one of them
 * big; NaN and the infinities as numeric_cmp. */
int numeric_big_cmp(const Value *a, const Value *b);
/* A big value as a normalized pair when it equals one (1.000...0). */
bool numeric_big_pair(const Value *v, i128 *coef, int *scale);
/* Hash of a big value that equals no pair, through mix(bytes, n, seed). */
u64 numeric_big_hash(const Value *v, u64 (*mix)(const void *, size_t, u64));
/* The normalized digits (most significant first, no trailing zeros, in
 * ar) and exponent of v: v = 0.d1 d2 ... dk * 10^e (keys). */
int numeric_big_key(const Value *v, Arena *ar, const u8 **digits, long *k, long *e);
/* a op b for numerics or integers, any size, with PostgreSQL's scales
 * (for /, select_div_scale up to 1000; ^ as power_var). */
int numeric_big_arith(ArithOp op, const Value *a, const Value *b, Arena *ar, Value *out, DdError *err);
/* The scale of a / b (finite, any size), as numeric_div_scale. */
int numeric_big_div_scale(const Value *a, const Value *b, Arena *ar);
/* sqrt, ln, log(b, v) and exp of finite values of any size, at PostgreSQL's
 * scales (numeric_sqrt, numeric_ln, numeric_log, numeric_exp). */
int numeric_big_sqrt(const Value *v, Arena *ar, Value *out, DdError *err);
/* The square root of v >= 0 rounded at scale r (variance's stddev). */
int numeric_big_sqrt_at(const Value *v, int r, Arena *ar, Value *out, DdError *err);
int numeric_big_ln(const Value *v, Arena *ar, Value *out, DdError *err);
int numeric_big_log(const Value *b, const Value *v, Arena *ar, Value *out, DdError *err);
int numeric_big_exp(const Value *v, Arena *ar, Value *out, DdError *err);
/* gcd (lcm) of two finite values of any size, at the larger scale. */
int numeric_big_gcd(const Value *a, const Value *b, bool lcm, Arena *ar, Value *out, DdError *err);
/* min_scale(v) in *min_scale and trim_scale(v) in out (when not NULL). */
int numeric_big_trim(const Value *v, Arena *ar, Value *out, int *min_scale, DdError *err);
/* round(v, s) / trunc(v, s) of a finite value, s any integer. */
int numeric_big_round(const Value *v, long s, bool trunc, Arena *ar, Value *out, DdError *err);
/* numeric(p, s) (typmod >= 0) on a finite value of any size. */
int numeric_big_typmod(Value *v, i32 typmod, Arena *ar, DdError *err);
double numeric_big_to_double(const Value *v);
/* PostgreSQL's base-10000 form (binary I/O): from digits, weight, sign
 * and dscale (rounded to dscale); and to it, appended to out as numeric_send. */
int numeric_from_nbase(bool neg, int weight, int dscale, const u16 *digits, int n, Arena *ar, Value *out,
                       DdError *err);
void numeric_big_nbase(const Value *v, Arena *ar, Buf *out);
/* Value-level helpers over both forms (numeric.c): text output, a value
 * rounded to int64 (-1: out of range or not finite), to double, the
 * typmod, a float's value. */
void numeric_value_text(const Value *v, Buf *out);
int numeric_value_to_int64(const Value *v, i64 *out);
double numeric_value_to_double(const Value *v);
int numeric_value_typmod(Value *v, i32 typmod, Arena *ar, DdError *err);
int numeric_value_from_double(double d, int digits, Arena *ar, Value *out, DdError *err);
/* a op b over both forms: the pair code when both fit and its result is
 * exact, numbig.c otherwise. */
int numeric_value_arith(ArithOp op, const Value *a, const Value *b, Arena *ar, Value *out, DdError *err);
/* 22003 for a big value: for callers that take only the pair form. */
int numeric_need_pair(const Value *v, DdError *err);

/* Date/time helpers (PostgreSQL epoch 2000-01-01). */
i64 ts_from_unix_us(i64 unix_us);          /* timestamp(tz) value from Unix µs */
i64 ts_to_unix_us(i64 ts);
/* Offset east of UTC in seconds of the session zone at UTC instant ts. */
i32 tz_offset_at(const ValueCtx *ctx, i64 ts_utc);
/* Parses a TimeZone setting ("UTC", "GMT", "+02", "-05:30", "Europe/Paris").
 * Fills ctx->tz_offset_s / tz_name / tz_abbr (copied into ctx->arena).
 * false if the zone is unknown. */
bool tz_parse(const char *s, ValueCtx *ctx);
/* The session zone's abbreviation at UTC instant ts ("CEST", "UTC", "-03"),
 * as PostgreSQL's to_char prints it, NUL-terminated in out[cap]. */
#define TZ_ABBR_MAX 16
void tz_abbrev_at(const ValueCtx *ctx, i64 ts_utc, char *out, size_t cap);

/* ---- Additions (value.c, numeric.c, datetime.c, cast.c) ----
 * Helpers the four files share; the executor may use them too. */

Value val_interval(Interval iv);
/* PostgreSQL's float output (shortest round-trip); is_float4 uses float
 * precision and the float4 exponent threshold. */
void float_to_text(double d, bool is_float4, Buf *out);

/* NUMERIC arithmetic on (coef, scale) pairs; results rounded to fit 38
 * digits (scale reduced first), 22003 when the integer part does not fit,
 * 22012 on division by zero.  Scales as PostgreSQL (see numeric.c), and so
 * are the results and errors of NaN and the infinities as operands. */
int numeric_add(i128 a, int as, i128 b, int bs, bool subtract, i128 *out, int *os, DdError *err);
int numeric_mul(i128 a, int as, i128 b, int bs, i128 *out, int *os, DdError *err);
int numeric_div(i128 a, int as, i128 b, int bs, i128 *out, int *os, DdError *err);
int numeric_mod(i128 a, int as, i128 b, int bs, i128 *out, int *os, DdError *err);
int numeric_pow(i128 a, int as, i128 b, int bs, i128 *out, int *os, DdError *err);
/* a / b rounded at scale r (numeric_div picks r as PostgreSQL's
 * select_div_scale, which numeric_div_scale returns). */
int numeric_div_at(i128 a, int as, i128 b, int bs, int r, i128 *out, int *os, DdError *err);
int numeric_div_scale(i128 a, int as, i128 b, int bs);
/* The square root of a * 10^-as rounded (half up) at scale r; 2201F for a
 * negative a. */
int numeric_sqrt_at(i128 a, int as, int r, i128 *out, int *os, DdError *err);
/* Exact, <0 0 >0; -Infinity < every finite value < Infinity < NaN, and
 * NaN equals NaN (PostgreSQL's btree order). */
int numeric_cmp(i128 a, int as, i128 b, int bs);
/* Exact transcendental functions (numexact.c) of finite pairs, rounded
 * half away from zero at scale r (the caller's, PostgreSQL's rule; more
 * than 38 digits drop decimals first, as every NUMERIC result):
 * ln(a) for a > 0; log(x) to base b for b, x > 0, b != 1 (22012 for
 * b = 1); exp(a) (22003 past 10^38).  numeric_pow_exact: a ^ b for a > 0
 * and a non-integer b, at PostgreSQL's power scale. */
int numeric_ln_at(i128 a, int as, int r, i128 *out, int *os, DdError *err);
int numeric_log_at(i128 b, int bs, i128 x, int xs, int r, i128 *out, int *os, DdError *err);
int numeric_exp_at(i128 a, int as, int r, i128 *out, int *os, DdError *err);
int numeric_pow_exact(i128 a, int as, i128 b, int bs, i128 *out, int *os, DdError *err);
/* a ^ n for an integer |n| <= 10000, exactly rounded at scale r. */
int numeric_pow_int(i128 a, int as, i64 n, int r, i128 *out, int *os, DdError *err);
/* Exact sums of x and x² for variance / stddev of numerics once they pass
 * 38 digits (numexact.c): the executor keeps i128 sums while they fit and
 * moves to a NumWide (numeric_wide_size() bytes, in its arena) after:
 * init from the sums so far, add each value (NaN or an infinity makes the
 * result NaN), then numeric_wide_var: PostgreSQL's variance (root: stddev)
 * of n values, samp: n - 1 in the denominator. */
typedef struct NumWide NumWide;
size_t numeric_wide_size(void);
int numeric_wide_init(NumWide *w, i128 sum, int sum_scale, i128 sumsq, int sumsq_scale, DdError *err);
int numeric_wide_add(NumWide *w, i128 c, int s, DdError *err);
int numeric_wide_var(const NumWide *w, i64 n, bool samp, bool root, i128 *out, int *os, DdError *err);
/* Past the pair form: numeric_wide_add of a value of any size (22003 when
 * its square passes the 432 digits the sums hold: about 200 digits), and
 * numeric_wide_var whose result may be big (in ar). */
int numeric_wide_add_value(NumWide *w, const Value *v, DdError *err);
int numeric_wide_var_value(const NumWide *w, i64 n, bool samp, bool root, Arena *ar, Value *out, DdError *err);
void numeric_normalize(i128 *coef, int *scale);             /* strips trailing zeros */
/* Rounds half away from zero to an integer; -1 if outside int64 or
 * special, else 0. */
int numeric_to_int64(i128 coef, int scale, i64 *out);
/* NUMERIC(p,s)'s typmod as PostgreSQL 15 encodes it (without its VARHDRSZ):
 * (p << 16) | (s & 0x7ff), s an 11-bit two's complement in -1000..1000
 * (a negative s rounds to tens, hundreds ...; s may exceed p). */
static inline i32 numeric_typmod(int p, int s) { return (i32)(((u32)p << 16) | ((u32)s & 0x7ff)); }
static inline int numeric_typmod_prec(i32 typmod) { return (typmod >> 16) & 0xffff; }
static inline int numeric_typmod_scale(i32 typmod) { return (((int)typmod & 0x7ff) ^ 1024) - 1024; }
/* Applies NUMERIC(p,s) typmod (numeric_typmod; -1 none): rounds to s, 22003
 * "numeric field overflow" when more than p - s integer digits.  NaN fits
 * every typmod; an infinity none (as PostgreSQL 15).  A scale past
 * NUMERIC_MAX_SCALE is 0A000 here: numeric_value_typmod takes any typmod. */
int numeric_apply_typmod(i128 *coef, int *scale, i32 typmod, DdError *err);
/* TIME(p), TIMETZ(p), TIMESTAMP(p), TIMESTAMPTZ(p), INTERVAL(p): the
 * fraction of a second rounded to p digits as PostgreSQL (p >= 6 or < 0:
 * unchanged); 22008 for a timestamp rounded past the last one. */
int datetime_apply_typmod(Value *v, i32 typmod, DdError *err);
/* As numeric_from_double with `digits` significant digits (float4: 6). */
int numeric_from_double_digits(double d, int digits, i128 *coef, int *scale, DdError *err);

/* Date/time text I/O.  Input accepts ISO ('2024-01-02 03:04:05.5+02',
 * 'T' separator, 'Z'), MDY ('1/2/2024'), month names ('Jan 2 2024'),
 * YYYYMMDD, 'epoch', 'now', 'today', 'tomorrow', 'yesterday' ('now' reads
 * the wall clock: the executor should substitute its statement time if it
 * needs stability); zones '+hh[:mm]', '+hhmm', 'UTC', 'Europe/Paris'. */
int date_from_text(const char *s, size_t len, const ValueCtx *ctx, i64 *out, DdError *err);
int timestamp_from_text(const char *s, size_t len, bool with_tz, const ValueCtx *ctx, i64 *out,
                        DdError *err);
/* ctx (may be NULL) gives IntervalStyle: under sql_standard a leading
 * minus and no other sign negates every field, as PostgreSQL. */
/* INTERVAL's typmod as PostgreSQL's INTERVAL_TYPMOD: the fields' mask
 * (INTERVAL_MASK of YEAR 4, MONTH 2, DAY 8, HOUR 1024, MINUTE 2048, SECOND
 * 4096; all: 0x7fff) << 16 | the precision (0xffff: none).  A typmod below
 * 0x10000 is a precision alone (catalogs written before the fields). */
#define INTERVAL_FULL_RANGE 0x7fff
#define INTERVAL_FULL_PRECISION 0xffff
static inline i32 interval_typmod(int range, int prec) { return (i32)(((u32)range << 16) | ((u32)prec & 0xffff)); }
static inline int interval_typmod_range(i32 tm) { return tm < 0 || tm < 0x10000 ? INTERVAL_FULL_RANGE : (int)(tm >> 16); }
static inline int interval_typmod_prec(i32 tm) { return tm < 0 ? INTERVAL_FULL_PRECISION : tm < 0x10000 ? (int)tm : (int)(tm & 0xffff); }
/* Interval input (typmod -1, or one whose fields decide what a number
 * without a unit and "a:b" mean, as PostgreSQL's DecodeInterval). */
int interval_from_text(const char *s, size_t len, i32 typmod, const ValueCtx *ctx, Interval *out, DdError *err);
/* date_to_text and timestamp_to_text print ISO (JSON's form); the
 * _styled ones, timestamptz_to_text and interval_to_text follow ctx's
 * DateStyle / IntervalStyle (interval_to_text: ctx NULL is postgres). */
void date_to_text(i64 days, Buf *out);
void date_to_text_styled(i64 days, const ValueCtx *ctx, Buf *out);
/* TIME and TIMETZ: text in (time_from_text: zone NULL for TIME) and out. */
int time_from_text(const char *s, size_t len, bool with_tz, const ValueCtx *ctx, i64 *out, i32 *zone, DdError *err);
void time_to_text(i64 us, Buf *out);
void timetz_to_text(i64 packed, Buf *out);
void timestamp_to_text(i64 ts, Buf *out);
void timestamp_to_text_styled(i64 ts, const ValueCtx *ctx, Buf *out);
void timestamptz_to_text(i64 ts, const ValueCtx *ctx, Buf *out);
void interval_to_text(const Interval *iv, const ValueCtx *ctx, Buf *out);
void tz_offset_to_text(i32 off_s, Buf *out);   /* "+02", "-05:30", "+00:09:21" */
/* Calendar: days since 2000-01-01 <-> proleptic Gregorian year, month, day. */
i64 days_from_civil(i64 y, int m, int d);
void civil_from_days(i64 days, i64 *y, int *m, int *d);
/* Session-zone conversions of timestamps (µs since 2000-01-01). */
i64 ts_local_to_utc(const ValueCtx *ctx, i64 local);
i64 ts_utc_to_local(const ValueCtx *ctx, i64 utc);
/* Local wall time -> UTC in the zone named as make_timestamptz and AT TIME
 * ZONE take it: "+05:30" (ISO sign: east), an abbreviation ("CEST"), a
 * zone name or POSIX string.  22023 when not recognized. */
int tz_named_local_to_utc(const char *zone, i64 local, i64 *out, DdError *err);
/* Sets ctx's zone (tz_name in ctx->arena, or tz_offset_s) to zone as AT
 * TIME ZONE and date_trunc's third argument take it (PostgreSQL's
 * timestamptz_zone): an abbreviation ("EST", "cest"), else a zone name or
 * a POSIX string ("UTC+3", "+05": hours west).  22023 when not recognized. */
int tz_zone_ctx(const char *zone, ValueCtx *ctx, DdError *err);
/* DATE -> TIMESTAMP (22008 "date out of range for timestamp"), and back. */
int date_to_timestamp(i64 days, i64 *out, DdError *err);
i64 timestamp_to_date(i64 ts);
/* Whether ts is within timestamps' range (years 1 to 294276). */
bool timestamp_in_range(i64 ts);
/* Interval ordering as PostgreSQL: 1 mon = 30 days, 1 day = 24 hours. */
i128 interval_span(const Interval *iv);
int interval_cmp(const Interval *a, const Interval *b);
/* Date/time values on one time line for comparison: local µs (DATE as
 * midnight), or UTC µs (local ones read in the session zone). */
i128 datetime_as_local(const Value *v);
i128 datetime_as_utc(const Value *v, const ValueCtx *ctx);
/* Operators involving DATE, TIMESTAMP(TZ) and INTERVAL (val_arith calls
 * these for non-numeric operands). */
bool datetime_arith_type(ArithOp op, TypeId a, TypeId b, TypeId *out);
int datetime_arith(ArithOp op, const Value *a, const Value *b, const ValueCtx *ctx, Value *out,
                   DdError *err);

/* jsonb ordering and hashing (json.c), for val_compare / val_hash. */
int jsonb_value_cmp(const Value *a, const Value *b);
u64 jsonb_value_hash(const Value *v);

#endif
