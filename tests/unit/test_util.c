/* test_util.c - unit tests of src/util: errors, allocation fault injection,
 * arenas, buffers and cursors, varints, crc32c, sha256, clocks, SCRAM. */
#include "check.h"
#include "../../src/util/utf8.h"
#include "../../src/util/alloc.h"
#include "../../src/util/arena.h"
#include "../../src/util/buf.h"
#include "../../src/util/clock.h"
#include "../../src/util/crc32c.h"
#include "../../src/util/err.h"
#include "../../src/util/sha256.h"
#include "../../src/util/scram.h"

#include <stdlib.h>

TEST(err_table)
{
    CHECK_EQ_STR(dd_err_sqlstate(DD_EOK), "00000");
    CHECK_EQ_STR(dd_err_sqlstate(DD_ELOCKED), "55006");
    CHECK_EQ_STR(dd_err_sqlstate(DD_ESERIALIZATION), "40001");
    CHECK_EQ_STR(dd_err_sqlstate(DD_EUNIQUE), "23505");
    CHECK_EQ_STR(dd_err_name(DD_ECORRUPT), "CORRUPT");
    CHECK_EQ_STR(dd_err_sqlstate(-5), "XX000");
    DdError e;
    CHECK_EQ_INT(dd_err(&e, DD_ESYNTAX, 7, "bad %s", "thing"), DD_ESYNTAX);
    CHECK_EQ_STR(e.sqlstate, "42601");
    CHECK_EQ_STR(e.message, "bad thing");
    CHECK_EQ_INT(e.position, 8);
    dd_err_detail(&e, "d%d", 1);
    dd_err_hint(&e, "h");
    CHECK_EQ_STR(e.detail, "d1");
    CHECK_EQ_STR(e.hint, "h");
    dd_err(&e, DD_EIO, -1, NULL);
    CHECK_EQ_STR(e.message, "I/O error");
    CHECK_EQ_STR(e.detail, "");
    CHECK_EQ_INT(e.position, 0);
    CHECK_EQ_INT(dd_corrupt(&e, "x"), DD_ECORRUPT);
    CHECK_EQ_STR(e.sqlstate, "XX001");
    CHECK_EQ_INT(dd_err(NULL, DD_EIO, -1, NULL), DD_EIO);
    dd_err_clear(&e);
    CHECK_EQ_INT(e.code, DD_OK);
}

TEST(alloc_fault_injection)
{
    dd_alloc_fail_at(3);
    void *a = dd_malloc(10), *b = dd_calloc(2, 3), *c = dd_malloc(1), *d = dd_malloc(1);
    CHECK(a && b && !c && d);
    CHECK_EQ_INT(dd_alloc_count(), 4);
    dd_free(a); dd_free(b); dd_free(d);
    dd_alloc_fail_at(1);
    char *s = dd_strdup("hello");
    CHECK(s == NULL);
    s = dd_strndup("hello", 3);
    CHECK_EQ_STR(s, "hel");
    void *r = dd_realloc(s, 100);
    CHECK(r != NULL);
    dd_alloc_fail_at(1);
    CHECK(dd_realloc(r, 1000) == NULL);  /* r still valid */
    dd_free(r);
    dd_alloc_fail_at(0);
    /* Buf turns sticky OOM, and arena reports NULL. */
    Buf bf = BUF_INIT;
    dd_alloc_fail_at(1);
    buf_puts(&bf, "abc");
    buf_puts(&bf, "def");
    CHECK(!buf_ok(&bf));
    CHECK_EQ_INT(bf.len, 0);
    buf_reset(&bf);
    buf_puts(&bf, "x");
    CHECK(buf_ok(&bf) && bf.len == 1);
    buf_free(&bf);
    Arena ar;
    arena_init(&ar, 256);
    dd_alloc_fail_at(1);
    CHECK(arena_alloc(&ar, 8) == NULL);
    CHECK(arena_alloc(&ar, 8) != NULL);
    arena_free(&ar);
    dd_alloc_fail_at(0);
}

TEST(arena)
{
    Arena a;
    arena_init(&a, 128);
    char *s = arena_strdup(&a, "hello");
    CHECK_EQ_STR(s, "hello");
    CHECK(((uintptr_t)s & 15) == 0);
    char *p = arena_printf(&a, "%d-%s", 42, "x");
    CHECK_EQ_STR(p, "42-x");
    CHECK_EQ_STR(arena_strndup(&a, "abcdef", 3), "abc");
    u8 *z = arena_zalloc(&a, 100);
    int allz = 1;
    for (int i = 0; i < 100; i++) allz &= z[i] == 0;
    CHECK(allz);
    ArenaMark m = arena_mark(&a);
    size_t before = a.total;
    for (int i = 0; i < 50; i++) {
        void *q = arena_alloc(&a, (size_t)(i * 37 + 1));
        CHECK(q && ((uintptr_t)q & 15) == 0);
        memset(q, 0xAB, (size_t)(i * 37 + 1));
    }
    void *big = arena_alloc(&a, 10000);
    CHECK(big != NULL);
    memset(big, 1, 10000);
    CHECK(a.total > before);
    arena_rewind(&a, m);
    CHECK_EQ_INT(a.total, before);
    CHECK_EQ_STR(s, "hello");
    arena_reset(&a);
    CHECK(a.total <= 128);
    CHECK(arena_alloc(&a, 16) != NULL);
    u32 v = 7;
    u32 *dup = arena_memdup(&a, &v, sizeof v);
    CHECK(dup && *dup == 7);
    arena_free(&a);
    CHECK(a.head == NULL && a.total == 0);
}

/* Release functions: called newest first by a rewind past them, then by
 * reset and free, each once. */
static char released[8];
static void note_release(void *arg)
{
    size_t n = strlen(released);
    if (n + 1 < sizeof released) { released[n] = *(const char *)arg; released[n + 1] = 0; }
}

TEST(arena_release)
{
    Arena a;
    arena_init(&a, 128);
    released[0] = 0;
    CHECK_EQ_INT(arena_on_release(&a, note_release, "a"), DD_OK);
    ArenaMark m = arena_mark(&a);
    CHECK_EQ_INT(arena_on_release(&a, note_release, "b"), DD_OK);
    CHECK_EQ_INT(arena_on_release(&a, note_release, "c"), DD_OK);
    arena_rewind(&a, m);
    CHECK_EQ_STR(released, "cb");
    arena_reset(&a);
    CHECK_EQ_STR(released, "cba");
    CHECK_EQ_INT(arena_on_release(&a, note_release, "d"), DD_OK);
    arena_free(&a);
    CHECK_EQ_STR(released, "cbad");
    arena_free(&a);
    CHECK_EQ_STR(released, "cbad");
}

/* buf_put_dec writes what printf's %lld does, the extremes included */
TEST(buf_decimal)
{
    static const i64 vals[] = {0, 1, -1, 9, 10, -10, 123456789, INT64_MAX, INT64_MIN, INT64_MIN + 1, 1000000000000LL};
    for (size_t i = 0; i < DD_ARRAY_LEN(vals); i++) {
        Buf b = BUF_INIT;
        char want[32];
        snprintf(want, sizeof want, "%lld", (long long)vals[i]);
        buf_put_dec(&b, vals[i]);
        CHECK(buf_ok(&b));
        CHECK_EQ_STR(buf_cstr(&b), want);
        buf_free(&b);
    }
    /* every digit count's edges, either sign, and values of every size
     * appended after others (the digits are written in place) */
    Buf b = BUF_INIT, want = BUF_INIT;
    u64 p = 1, r = 88172645463325252ULL;
    for (int k = 0; k < 19; k++, p *= 10) {
        i64 e[6] = {(i64)p - 1, (i64)p, (i64)p + 1, -((i64)p - 1), -(i64)p, -((i64)p + 1)};
        for (int j = 0; j < 6; j++) {
            buf_put_dec(&b, e[j]);
            buf_printf(&want, "%lld", (long long)e[j]);
            buf_putc(&b, ',');
            buf_putc(&want, ',');
        }
    }
    for (int i = 0; i < 20000; i++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        i64 v = (i64)(r >> (r % 64));
        buf_put_dec(&b, v);
        buf_printf(&want, "%lld", (long long)v);
    }
    CHECK(buf_ok(&b));
    CHECK_EQ_INT((int)b.len, (int)want.len);
    CHECK(b.len == want.len && memcmp(b.data, want.data, b.len) == 0);
    buf_free(&b);
    buf_free(&want);
}

TEST(buf_and_cursor)
{
    Buf b = BUF_INIT;
    buf_putc(&b, 0x01);
    buf_put_u16be(&b, 0x0203);
    buf_put_u32be(&b, 0x04050607);
    buf_put_u64be(&b, 0x08090a0b0c0d0e0fULL);
    buf_put_u32le(&b, 0x11223344);
    buf_put_u64le(&b, 0x5566778899aabbccULL);
    buf_append(&b, "xyz", 4);
    buf_printf(&b, "n=%d", 5);
    CHECK(buf_ok(&b));
    CHECK_EQ_INT(b.data[1], 0x02);
    CHECK_EQ_INT(b.data[3], 0x04);
    CHECK_EQ_INT(b.data[15], 0x44);
    Cursor c;
    cur_init(&c, b.data, b.len);
    CHECK_EQ_INT(cur_u8(&c), 1);
    CHECK_EQ_INT(cur_u16be(&c), 0x0203);
    CHECK_EQ_INT(cur_u32be(&c), 0x04050607);
    CHECK(cur_u64be(&c) == 0x08090a0b0c0d0e0fULL);
    CHECK_EQ_INT(cur_u32le(&c), 0x11223344);
    CHECK(cur_u64le(&c) == 0x5566778899aabbccULL);
    CHECK_EQ_STR(cur_cstr(&c), "xyz");
    CHECK_EQ_INT(cur_left(&c), 3);
    CHECK(!cur_end(&c));
    const u8 *r = cur_bytes(&c, 3);
    CHECK(r && memcmp(r, "n=5", 3) == 0);
    CHECK(cur_end(&c));
    /* Reads past the end: zero, bad, position unchanged. */
    CHECK_EQ_INT(cur_u32be(&c), 0);
    CHECK(c.bad && !cur_end(&c));
    cur_init(&c, b.data, 3);
    CHECK_EQ_INT(cur_u32be(&c), 0);
    CHECK(c.bad);
    CHECK(cur_bytes(&c, 1) == NULL);  /* sticky */
    cur_init(&c, "abc", 3);
    CHECK(cur_cstr(&c) == NULL && c.bad);
    cur_init(&c, NULL, 0);
    CHECK(cur_end(&c));
    CHECK(cur_bytes(&c, 0) != NULL || cur_end(&c));
    CHECK_EQ_STR(buf_cstr(&b) + 31, "n=5");
    buf_free(&b);
}

TEST(varints)
{
    static const u64 uv[] = {0, 1, 127, 128, 255, 300, 16383, 16384, (1ULL << 32) - 1,
                             1ULL << 32, (1ULL << 63), UINT64_MAX};
    static const i64 sv[] = {0, -1, 1, -64, 63, -65, 64, INT64_MIN, INT64_MAX, -123456789};
    Buf b = BUF_INIT;
    for (size_t i = 0; i < DD_ARRAY_LEN(uv); i++) buf_put_varint(&b, uv[i]);
    for (size_t i = 0; i < DD_ARRAY_LEN(sv); i++) buf_put_svarint(&b, sv[i]);
    Cursor c;
    cur_init(&c, b.data, b.len);
    for (size_t i = 0; i < DD_ARRAY_LEN(uv); i++) CHECK(cur_varint(&c) == uv[i]);
    for (size_t i = 0; i < DD_ARRAY_LEN(sv); i++) CHECK(cur_svarint(&c) == sv[i]);
    CHECK(cur_end(&c));
    /* Sizes: 127 is 1 byte, 128 two, UINT64_MAX ten; zigzag -1 is one byte. */
    buf_reset(&b);
    buf_put_varint(&b, 127);
    CHECK_EQ_INT(b.len, 1);
    buf_put_varint(&b, 128);
    CHECK_EQ_INT(b.len, 3);
    buf_reset(&b);
    buf_put_varint(&b, UINT64_MAX);
    CHECK_EQ_INT(b.len, 10);
    buf_reset(&b);
    buf_put_svarint(&b, -1);
    CHECK_EQ_INT(b.len, 1);
    CHECK_EQ_INT(b.data[0], 1);
    buf_free(&b);
    /* Truncated and overlong varints. */
    u8 t1[] = {0x80, 0x80};
    cur_init(&c, t1, sizeof t1);
    CHECK_EQ_INT(cur_varint(&c), 0);
    CHECK(c.bad);
    u8 t2[11];
    memset(t2, 0xff, sizeof t2);
    cur_init(&c, t2, sizeof t2);
    cur_varint(&c);
    CHECK(c.bad);
    u8 t3[10] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
    cur_init(&c, t3, sizeof t3);
    cur_varint(&c);
    CHECK(c.bad);
}

TEST(crc32c_vectors)
{
    CHECK(crc32c(0, "123456789", 9) == 0xE3069283u);
    CHECK(crc32c_sw(0, "123456789", 9) == 0xE3069283u);
    CHECK(crc32c(0, "", 0) == 0);
    u8 z[32] = {0};
    CHECK(crc32c(0, z, 32) == 0x8A9136AAu);  /* RFC 3720 B.4: 32 zero bytes */
    u8 ff[32];
    memset(ff, 0xff, 32);
    CHECK(crc32c(0, ff, 32) == 0x62A8AB43u);
    u8 inc[32];
    for (int i = 0; i < 32; i++) inc[i] = (u8)i;
    CHECK(crc32c(0, inc, 32) == 0x46DD794Eu);
    /* Incremental == one shot; hw == sw over odd lengths and offsets. */
    u8 big[1031];
    for (size_t i = 0; i < sizeof big; i++) big[i] = (u8)(i * 7 + 3);
    u32 whole = crc32c(0, big, sizeof big);
    CHECK(crc32c(crc32c(0, big, 100), big + 100, sizeof big - 100) == whole);
    int same = 1;
    for (size_t off = 0; off < 9; off++)
        for (size_t n = 0; n < 70; n++)
            same &= crc32c(0, big + off, n) == crc32c_sw(0, big + off, n);
    CHECK(same);
}

TEST(sha256_vectors)
{
    u8 h[SHA256_LEN];
    char hex[65];
    CHECK(sha256("abc", 3, h) == 0);
    sha256_hex(h, hex);
    CHECK_EQ_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256("", 0, h) == 0);
    sha256_hex(h, hex);
    CHECK_EQ_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    u8 h2[SHA256_LEN];
    CHECK(sha256_2("a", 1, "bc", 2, h2) == 0);
    CHECK(sha256("abc", 3, h) == 0);
    CHECK(memcmp(h, h2, SHA256_LEN) == 0);
    /* a failed digest says so (and zeroes its output) */
    sha256_fail_at(2);
    CHECK(sha256("abc", 3, h) == 0);
    CHECK(sha256("abc", 3, h) == DD_ENOMEM);
    CHECK(h[0] == 0 && memcmp(h, h + 1, SHA256_LEN - 1) == 0);
    CHECK(sha256("abc", 3, h) == 0);
    Sha256 st;
    CHECK(sha256_begin(&st) == 0);
    sha256_update(&st, "abc", 3);
    sha256_fail_at(1);
    CHECK(sha256_end(&st, h) == DD_ENOMEM);
    /* sha256_with_parts (another implementation: SHA256_Init & co.) gives
     * the one-shot digest of the parts put together, however they are
     * cut, empty parts and parts past a 64-byte block included */
    u8 msg[300], one[SHA256_LEN], parts[SHA256_LEN];
    for (int i = 0; i < 300; i++) msg[i] = (u8)(i * 131 + 7);
    Sha256 ctx = {0};
    for (size_t total = 0; total <= 300; total += 13) {
        CHECK(sha256(msg, total, one) == 0);
        size_t a = total / 3, b = total / 3 + (total % 2 ? 0 : 1);   /* the second may be empty */
        if (a + b > total) b = 0;
        const void *p[4] = {msg, msg + a, msg + a + b, msg + total};
        size_t n[4] = {a, b, total - a - b, 0};
        CHECK(sha256_with_parts(&ctx, p, n, 4, parts) == 0);
        CHECK(memcmp(one, parts, SHA256_LEN) == 0);
    }
    CHECK(sha256_with_parts(&ctx, (const void *const[]){"abc"}, (const size_t[]){3}, 1, parts) == 0);
    sha256_hex(parts, hex);
    CHECK_EQ_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha256_fail_at(1);
    CHECK(sha256_with_parts(&ctx, (const void *const[]){"abc"}, (const size_t[]){3}, 1, parts) == DD_ENOMEM);
    CHECK(parts[0] == 0 && memcmp(parts, parts + 1, SHA256_LEN - 1) == 0);
    sha256_ctx_free(&ctx);
}

TEST(clocks)
{
    i64 w = clock_wall_us();
    CHECK(w > 1600000000LL * 1000000);  /* after 2020 */
    i64 m1 = clock_mono_us(), m2 = clock_mono_us();
    CHECK(m2 >= m1);
}


TEST(utf8_validation)
{
    CHECK_EQ_INT(utf8_invalid_at("abc", 3), 3);
    CHECK_EQ_INT(utf8_invalid_at("h\xc3\xa9llo", 6), 6);        /* é */
    CHECK_EQ_INT(utf8_invalid_at("\xf0\x9f\x98\x80", 4), 4);   /* U+1F600 */
    CHECK_EQ_INT(utf8_invalid_at("a\xff", 2), 1);
    CHECK_EQ_INT(utf8_invalid_at("\xc0\xaf", 2), 0);            /* overlong '/' */
    CHECK_EQ_INT(utf8_invalid_at("\xed\xa0\x80", 3), 0);       /* surrogate U+D800 */
    CHECK_EQ_INT(utf8_invalid_at("\xf4\x90\x80\x80", 4), 0);   /* above U+10FFFF */
    CHECK_EQ_INT(utf8_invalid_at("ab\xc3", 3), 2);               /* truncated */
    CHECK_EQ_INT(utf8_invalid_at("\xe2\x82", 2), 0);
}

/* RFC 7677's example exchange (user "user", password "pencil"), the
 * server's nonce part given instead of drawn. */
TEST(scram_rfc7677)
{
    u8 salt[32];
    const char *salt64 = "W22ZaJ0SNY7soEsUEjb6gQ==";
    int sl = b64_decode(salt64, strlen(salt64), salt, sizeof salt);
    CHECK_EQ_INT(sl, 16);
    char v[SCRAM_MAX_VERIFIER];
    CHECK(scram_make_verifier_salted("pencil", salt, sl, 4096, v) == 0);
    CHECK(scram_is_verifier(v));
    CHECK(password_matches(v, "user", "pencil"));
    CHECK(!password_matches(v, "user", "pencil2"));
    Scram s;
    CHECK(scram_begin(&s, v, "user") == 0 && !s.mock);
    char *first;
    const char *why = NULL;
    const char *cf = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    CHECK(scram_first(&s, (const u8 *)cf, strlen(cf), &first, &why) == 0);
    CHECK(strncmp(first, "r=rOprNGfwEbeRWgbNEkqO", 22) == 0);
    /* the RFC's server nonce in place of ours */
    const char *sf = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    dd_free(s.server_first);
    s.server_first = dd_strdup(sf);
    snprintf(s.nonce, sizeof s.nonce, "%s", "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
    const char *fin = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                      "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    char *sfinal = NULL;
    CHECK(scram_final(&s, (const u8 *)fin, strlen(fin), &sfinal, &why) == 0);
    CHECK(sfinal && strcmp(sfinal, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=") == 0);
    dd_free(sfinal);
    /* one bit of the proof wrong */
    const char *bad = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                      "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVU=";
    CHECK(scram_final(&s, (const u8 *)bad, strlen(bad), &sfinal, &why) == 1 && !sfinal);
    /* another nonce, a missing proof: malformed */
    const char *other = "c=biws,r=rOprNGfwEbeRWgbNEkqOX,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    CHECK(scram_final(&s, (const u8 *)other, strlen(other), &sfinal, &why) == -1);
    CHECK(scram_final(&s, (const u8 *)"c=biws", 6, &sfinal, &why) == -1);
    scram_end(&s);
    /* no verifier: the exchange runs and fails, with the same salt each time */
    Scram m1, m2;
    CHECK(scram_begin(&m1, NULL, "nobody") == 0 && m1.mock);
    CHECK(scram_begin(&m2, "md5abc", "nobody") == 0 && m2.mock);
    CHECK(m1.v.saltlen == m2.v.saltlen && memcmp(m1.v.salt, m2.v.salt, (size_t)m1.v.saltlen) == 0);
    CHECK(scram_first(&m1, (const u8 *)cf, strlen(cf), &first, &why) == 0);
    scram_end(&m1);
    scram_end(&m2);
    /* malformed first messages */
    const char *firsts[] = {"p=tls-server-end-point,,n=,r=x", "n,a=bob,n=,r=x", "x,,n=,r=x", "n,,n=", "n,,r=abc", "n,,n=,r="};
    for (size_t i = 0; i < DD_ARRAY_LEN(firsts); i++) {
        CHECK(scram_begin(&s, v, "user") == 0);
        CHECK(scram_first(&s, (const u8 *)firsts[i], strlen(firsts[i]), &first, &why) == -1);
        scram_end(&s);
    }
    CHECK(scram_begin(&s, v, "user") == 0);
    CHECK(scram_first(&s, (const u8 *)"n,,n=\0,r=x", 10, &first, &why) == -1);
    scram_end(&s);
}

/* PostgreSQL's md5 format: md5 || md5(password || user), and the
 * exchange over a 4-byte salt. */
TEST(md5_password)
{
    char h[33], v[36], inner[33], resp[36];
    CHECK(md5_hex2("secret", 6, "alice", 5, h) == 0);
    snprintf(v, sizeof v, "md5%s", h);
    CHECK(md5_is_verifier(v) && !scram_is_verifier(v));
    CHECK(password_matches(v, "alice", "secret"));
    CHECK(!password_matches(v, "bob", "secret"));
    const u8 salt[4] = {1, 2, 3, 4};
    CHECK(md5_hex2(h, 32, salt, 4, inner) == 0);
    snprintf(resp, sizeof resp, "md5%s", inner);
    CHECK(md5_response_matches(v, salt, resp));
    resp[5] ^= 1;
    CHECK(!md5_response_matches(v, salt, resp));
    /* md5("") is d41d8cd98f00b204e9800998ecf8427e */
    CHECK(md5_hex2("", 0, "", 0, h) == 0);
    CHECK_EQ_STR(h, "d41d8cd98f00b204e9800998ecf8427e");
}

int main(void)
{
    RUN(utf8_validation);
    RUN(err_table);
    RUN(alloc_fault_injection);
    RUN(arena);
    RUN(arena_release);
    RUN(buf_decimal);
    RUN(buf_and_cursor);
    RUN(varints);
    RUN(crc32c_vectors);
    RUN(sha256_vectors);
    RUN(clocks);
    RUN(scram_rfc7677);
    RUN(md5_password);
    return check_summary();
}
