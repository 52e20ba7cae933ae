/*
 * test_array.c - unit tests of src/sql/types/array.c: text input and output
 * as PostgreSQL 15 prints them (quoting, NULL, bounds, dimensions, the
 * "malformed array literal" details), the serialized form read through
 * bounded decoding (every truncation and byte flip of a valid array is
 * rejected or read as some valid array, never a crash), and the order of
 * keys, comparison and hashing agreeing with each other; arrays of an enum
 * (its labels' keys and the type's id in the serialized form).
 */
#include "../../src/sql/types/array.h"
#include "../../src/sql/types/rowcodec.h"
#include "../../src/store/store.h"
#include "check.h"

#include <stdlib.h>

static Arena arena;
static ValueCtx ctx;

static char *keep(const char *s)
{
    static char ring[16][640];
    static int next;
    char *r = ring[next++ % 16];
    snprintf(r, 640, "%s", s);
    return r;
}

/* 'text'::elem[] printed, or "ERROR sqlstate: message / detail". */
static const char *io(TypeId elem, const char *s)
{
    Value v;
    DdError e;
    dd_err_clear(&e);
    if (array_in(elem, -1, s, strlen(s), &ctx, &v, &e)) {
        char tmp[600];
        snprintf(tmp, sizeof tmp, "ERROR %.5s: %.280s / %.280s", e.sqlstate, e.message, e.detail);
        return keep(tmp);
    }
    Buf b = BUF_INIT;
    val_to_text(&v, &ctx, &b);
    const char *r = keep(buf_cstr(&b) ? buf_cstr(&b) : "(oom)");
    buf_free(&b);
    return r;
}

static Value A(TypeId elem, const char *s)
{
    Value v;
    DdError e;
    if (array_in(elem, -1, s, strlen(s), &ctx, &v, &e)) {
        printf("  bad test input %s: %s\n", s, e.message);
        return val_null(type_array_of(elem));
    }
    return v;
}

TEST(types)
{
    CHECK_EQ_INT(type_oid(type_array_of(TYPE_INT4)), 1007);
    CHECK_EQ_INT(type_oid(type_array_of(TYPE_TEXT)), 1009);
    CHECK_EQ_INT(type_oid(type_array_of(TYPE_TIMESTAMPTZ)), 1185);
    CHECK_EQ_STR(type_name(type_array_of(TYPE_FLOAT8)), "double precision[]");
    TypeId t;
    CHECK(type_from_name("integer[]", &t) && t == type_array_of(TYPE_INT4));
    CHECK(type_from_name("text[][]", &t) && t == type_array_of(TYPE_TEXT));
    CHECK(type_from_name("_int8", &t) && t == type_array_of(TYPE_INT8));
    CHECK(!type_from_name("nope[]", &t));
    CHECK(!type_has_array(TYPE_UNKNOWN));
    /* no scalar TypeId may ever be mistaken for an array */
    for (int i = 0; i < TYPE__COUNT; i++) CHECK(!type_is_array((TypeId)i));
}

TEST(text_io)
{
    CHECK_EQ_STR(io(TYPE_INT4, "{1,2,3}"), "{1,2,3}");
    CHECK_EQ_STR(io(TYPE_INT4, " { 1 , NULL , -3 } "), "{1,NULL,-3}");
    CHECK_EQ_STR(io(TYPE_INT4, "{}"), "{}");
    CHECK_EQ_STR(io(TYPE_INT4, "{{1,2},{3,4}}"), "{{1,2},{3,4}}");
    CHECK_EQ_STR(io(TYPE_INT4, "[0:1]={7,8}"), "[0:1]={7,8}");
    CHECK_EQ_STR(io(TYPE_INT4, "[1:1][2:3]={{7,8}}"), "[1:1][2:3]={{7,8}}");
    CHECK_EQ_STR(io(TYPE_TEXT, "{a b,\"\",\"NULL\",null,\"x,y\",\"q\\\"t\",\"b\\\\s\",\"{}\"}"),
                 "{\"a b\",\"\",\"NULL\",NULL,\"x,y\",\"q\\\"t\",\"b\\\\s\",\"{}\"}");
    CHECK_EQ_STR(io(TYPE_TEXT, "{  a  ,\\ b\\ }"), "{a,\" b \"}");
    CHECK_EQ_STR(io(TYPE_BOOL, "{t,false,NULL}"), "{t,f,NULL}");
    CHECK_EQ_STR(io(TYPE_NUMERIC, "{1.50,-0.0}"), "{1.50,0.0}");
    CHECK_EQ_STR(io(TYPE_BYTEA, "{\"\\\\x01ff\"}"), "{\"\\\\x01ff\"}");
    CHECK_EQ_STR(io(TYPE_TIMESTAMP, "{\"2024-01-02 03:04:05\"}"), "{\"2024-01-02 03:04:05\"}");
}

TEST(malformed)
{
    CHECK_EQ_STR(io(TYPE_INT4, "{1,2"), "ERROR 22P02: malformed array literal: \"{1,2\" / Unexpected end of input.");
    CHECK_EQ_STR(io(TYPE_INT4, "1,2"),
                 "ERROR 22P02: malformed array literal: \"1,2\" / Array value must start with \"{\" or dimension information.");
    CHECK_EQ_STR(io(TYPE_INT4, "{1} x"), "ERROR 22P02: malformed array literal: \"{1} x\" / Junk after closing right brace.");
    CHECK_EQ_STR(io(TYPE_INT4, "{{1,2},{3}}"),
                 "ERROR 22P02: malformed array literal: \"{{1,2},{3}}\" / Multidimensional arrays must have sub-arrays with matching dimensions.");
    CHECK_EQ_STR(io(TYPE_INT4, "{1,{2}}"), "ERROR 22P02: malformed array literal: \"{1,{2}}\" / Unexpected \"{\" character.");
    CHECK_EQ_STR(io(TYPE_INT4, "{{1},2}"), "ERROR 22P02: malformed array literal: \"{{1},2}\" / Unexpected array element.");
    CHECK_EQ_STR(io(TYPE_INT4, "{1,,2}"), "ERROR 22P02: malformed array literal: \"{1,,2}\" / Unexpected \",\" character.");
    CHECK_EQ_STR(io(TYPE_INT4, "[1:3]={1,2}"),
                 "ERROR 22P02: malformed array literal: \"[1:3]={1,2}\" / Specified array dimensions do not match array contents.");
    CHECK(strncmp(io(TYPE_INT4, "[2:1]={1}"), "ERROR 2202E: upper bound cannot be less than lower bound", 56) == 0);
    CHECK(strncmp(io(TYPE_INT4, "{{{{{{{1}}}}}}}"), "ERROR 54000", 11) == 0);
    CHECK(strncmp(io(TYPE_INT4, "{x}"), "ERROR 22P02: invalid input syntax for type integer: \"x\"", 55) == 0);
}

TEST(compare_hash_keys)
{
    const char *ints[] = {"{}", "{1}", "{1,2}", "{1,2,3}", "{1,NULL}", "{2}", "{{1,2},{3,4}}", "{1,2,3,4}",
                          "[0:1]={1,2}", "{-5,7}", "{NULL}", "{1,3}"};
    size_t n = DD_ARRAY_LEN(ints);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            Value a = A(TYPE_INT4, ints[i]), b = A(TYPE_INT4, ints[j]);
            int c = val_compare(&a, &b, &ctx);
            CHECK(c == -val_compare(&b, &a, &ctx));
            if (c == 0) CHECK(val_hash(&a) == val_hash(&b));
            Buf ka = BUF_INIT, kb = BUF_INIT;
            key_encode_value(&a, &ka);
            key_encode_value(&b, &kb);
            size_t m = ka.len < kb.len ? ka.len : kb.len;
            int kc = memcmp(ka.data, kb.data, m);
            if (kc == 0) kc = ka.len < kb.len ? -1 : ka.len > kb.len;
            if ((kc < 0) != (c < 0) || (kc > 0) != (c > 0)) {
                printf("  key order of %s vs %s: %d, compare %d\n", ints[i], ints[j], kc, c);
                check_failed_now = 1;
            }
            buf_free(&ka);
            buf_free(&kb);
        }
    }
    /* 1.0 and 1.00 are equal elements: equal arrays, equal hashes */
    Value x = A(TYPE_NUMERIC, "{1.0}"), y = A(TYPE_NUMERIC, "{1.00}");
    CHECK(val_compare(&x, &y, &ctx) == 0 && val_hash(&x) == val_hash(&y));
    arena_reset(&arena);
}

/* Every prefix and every single-byte change of a serialized array either
 * fails to decode or decodes to an array that prints and reads back. */
TEST(bounded_decoding)
{
    const char *srcs[] = {"{1,NULL,3}", "{{1,2},{3,4}}", "[-2:-1]={7,8}"};
    const char *tsrcs[] = {"{a,\"b c\",NULL}", "{}"};
    for (int k = 0; k < 5; k++) {
        TypeId elem = k < 3 ? TYPE_INT8 : TYPE_TEXT;
        Value v = A(elem, k < 3 ? srcs[k] : tsrcs[k - 3]);
        u8 *bytes = malloc(v.v.s.len + 1);
        for (u32 len = 0; len <= v.v.s.len; len++)
            CHECK(array_bytes_valid(elem, (const u8 *)v.v.s.p, len) == (len == v.v.s.len));
        for (u32 at = 0; at < v.v.s.len; at++) {
            for (int bit = 0; bit < 8; bit++) {
                memcpy(bytes, v.v.s.p, v.v.s.len);
                bytes[at] ^= (u8)(1 << bit);
                if (!array_bytes_valid(elem, bytes, v.v.s.len)) continue;
                Value w = val_text(type_array_of(elem), (const char *)bytes, v.v.s.len);
                Buf b = BUF_INIT;
                val_to_text(&w, &ctx, &b);
                Value back;
                DdError e;
                CHECK(array_in(elem, -1, (const char *)b.data, b.len, &ctx, &back, &e) == 0);
                buf_free(&b);
            }
        }
        free(bytes);
    }
    arena_reset(&arena);
}

/* Random strings over the characters that matter never crash the parser;
 * what it accepts prints as text that reads back to an equal array. */
TEST(garbage)
{
    static const char alphabet[] = "{}{},,\"\\ aN1-[]:=ULl";
    char buf[32];
    int ok = 0;
    srand(777);
    for (int iter = 0; iter < 50000; iter++) {
        size_t n = (size_t)(rand() % 24);
        for (size_t i = 0; i < n; i++) buf[i] = alphabet[rand() % (sizeof alphabet - 1)];
        if (n > 1 && iter % 4) { buf[0] = '{'; buf[n - 1] = '}'; }   /* more of them well-formed */
        TypeId elem = iter % 2 ? TYPE_TEXT : TYPE_INT4;
        Value v;
        DdError e;
        dd_err_clear(&e);
        int rc = array_in(elem, -1, buf, n, &ctx, &v, &e);
        if (rc) {
            CHECK(e.code == rc && e.message[0]);
        } else {
            ok++;
            Buf b = BUF_INIT;
            val_to_text(&v, &ctx, &b);
            Value back;
            if (array_in(elem, -1, (const char *)b.data, b.len, &ctx, &back, &e) != 0 ||
                val_compare(&v, &back, &ctx) != 0) {
                printf("  round trip \"%.*s\" -> \"%s\"\n", (int)n, buf, buf_cstr(&b));
                check_failed_now = 1;
            }
            buf_free(&b);
        }
        if (iter % 1000 == 0) arena_reset(&arena);
    }
    CHECK(ok > 100);
    arena_reset(&arena);
}

/* An enum type (id 7) whose labels' keys do not follow their names. */
static EnumLabel mood_labels[] = {{-5, "sad"}, {10, "ok"}, {11, "happy"}};
static UserType mood_type = {.kind = 'e', .nlabels = 3, .labels = mood_labels};
static TableInfo mood = {.id = 7, .name = "mood", .utype = &mood_type};
static const TableInfo *lookup(void *arg, u32 id) { DD_UNUSED(arg); return id == 7 ? &mood : NULL; }

TEST(enum_elements)
{
    ValueCtx ec = ctx;
    ec.type_lookup = lookup;
    Value v, w, t;
    DdError e;
    CHECK(array_in(TYPE_ENUM, 7, "{happy,NULL,sad}", 16, &ec, &v, &e) == 0);
    CHECK_EQ_INT(v.type, type_array_of(TYPE_ENUM));
    CHECK_EQ_INT(array_etype(&v), 7);
    Buf b = BUF_INIT;
    val_to_text(&v, &ec, &b);
    CHECK_EQ_STR(buf_cstr(&b), "{happy,NULL,sad}");
    buf_free(&b);
    /* the type's id travels in the bytes: a context without the catalog
     * prints keys, one with it labels, whatever Value carries */
    ArrayVal a;
    CHECK(array_from_value(&v, &arena, &a, &e) == 0);
    CHECK_EQ_INT(a.etype, 7);
    CHECK_EQ_INT(a.items[0].v.i, 11);
    CHECK_EQ_INT(a.items[0].etype, 7);
    CHECK(a.items[1].isnull);
    /* order: the labels' keys (sad < ok < happy), not their names */
    CHECK(array_in(TYPE_ENUM, 7, "{ok}", 4, &ec, &w, &e) == 0);
    CHECK(val_compare(&v, &w, &ec) > 0);
    Buf kv = BUF_INIT, kw = BUF_INIT;
    key_encode_value(&v, &kv);
    key_encode_value(&w, &kw);
    CHECK(memcmp(kv.data, kw.data, DD_MIN(kv.len, kw.len)) > 0);
    buf_free(&kv);
    buf_free(&kw);
    /* to text[] and back */
    CHECK(array_cast(&v, type_array_of(TYPE_TEXT), -1, true, &ec, &t, &e) == 0);
    CHECK(array_cast(&t, type_array_of(TYPE_ENUM), 7, true, &ec, &w, &e) == 0);
    CHECK(val_compare(&v, &w, &ec) == 0 && val_hash(&v) == val_hash(&w));
    CHECK(array_in(TYPE_ENUM, 7, "{sad,joy}", 9, &ec, &w, &e) == DD_EINVALID_TEXT);
    CHECK_EQ_STR(e.message, "invalid input value for enum mood: \"joy\"");
    /* every truncation of the serialized form is rejected */
    for (u32 len = 0; len <= v.v.s.len; len++)
        CHECK(array_bytes_valid(TYPE_ENUM, (const u8 *)v.v.s.p, len) == (len == v.v.s.len));
    CHECK(!array_bytes_valid(TYPE_INT8, (const u8 *)v.v.s.p, v.v.s.len));
    /* an empty array keeps the type's id */
    CHECK(array_in(TYPE_ENUM, 7, "{}", 2, &ec, &w, &e) == 0);
    CHECK_EQ_INT(array_etype(&w), 7);
    arena_reset(&arena);
}

int main(void)
{
    arena_init(&arena, 1 << 16);
    ctx.arena = &arena;
    ctx.float_digits = 1;
    RUN(types);
    RUN(text_io);
    RUN(malformed);
    RUN(compare_hash_keys);
    RUN(bounded_decoding);
    RUN(enum_elements);
    RUN(garbage);
    arena_free(&arena);
    return check_summary();
}
