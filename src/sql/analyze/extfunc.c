/*
 * extfunc.c - the functions of PostgreSQL extensions that DriftDB has built
 * in (so CREATE EXTENSION of them finds them there: plan/extension.c):
 *
 *   uuid-ossp  uuid_generate_v1, _v1mc, _v3, _v4, _v5, uuid_nil and the
 *              uuid_ns_* namespaces (RFC 4122);
 *   pgcrypto   digest, hmac, gen_random_bytes (gen_random_uuid is core);
 *              crypt, gen_salt and the pgp_* functions are not here (42883).
 *
 * Digests come from OpenSSL, which DriftDB links already.  A version 1
 * UUID has a random node with the multicast bit set (RFC 4122 §4.5), never
 * the machine's MAC address, as uuid_generate_v1mc does; the clock
 * sequence is random per process, and the timestamp never repeats within
 * one (a counter past the last one given).
 */
#include "expr.h"
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

static bool unknownish(TypeId t) { return t == TYPE_UNKNOWN || t == TYPE_NULLTYPE; }

static int random_fill(EvalEnv *env, u8 *b, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(b + got, n - got, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            return dd_err(env->sql->err, DD_EIO, -1, "could not generate random values");
        }
        got += (size_t)r;
    }
    return DD_OK;
}

static int uuid_out(EvalEnv *env, const u8 *b, Value *out)
{
    u8 *c = arena_alloc(env->sql->row, 16);
    if (!c) return DD_ENOMEM;
    memcpy(c, b, 16);
    *out = val_text(TYPE_UUID, (const char *)c, 16);
    return DD_OK;
}

/* ---------------------------------------------------------------- uuid-ossp */

static bool r_none_uuid(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(a); DD_UNUSED(n);
    *r = TYPE_UUID;
    return true;
}

/* uuid_generate_v1() / _v1mc(): 60-bit time in 100 ns since 1582-10-15 */
static pthread_mutex_t v1_lock = PTHREAD_MUTEX_INITIALIZER;
static u64 v1_last;
static u16 v1_clockseq;
static bool v1_ready;

static int f_uuid_v1(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    u8 node[6];
    int rc = random_fill(env, node, sizeof node);
    if (rc) return rc;
    node[0] |= 0x01;   /* multicast: not a real MAC address */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    u64 t = (u64)ts.tv_sec * 10000000u + (u64)ts.tv_nsec / 100u + 0x01B21DD213814000ULL;
    pthread_mutex_lock(&v1_lock);
    if (!v1_ready) {
        u8 cs[2];
        if (getrandom(cs, 2, 0) == 2) v1_clockseq = (u16)((cs[0] << 8) | cs[1]);
        v1_ready = true;
    }
    if (t <= v1_last) t = v1_last + 1;
    v1_last = t;
    u16 seq = v1_clockseq;
    pthread_mutex_unlock(&v1_lock);
    u8 b[16];
    u32 low = (u32)t;
    u16 mid = (u16)(t >> 32), hi = (u16)((t >> 48) & 0x0fff);
    b[0] = (u8)(low >> 24); b[1] = (u8)(low >> 16); b[2] = (u8)(low >> 8); b[3] = (u8)low;
    b[4] = (u8)(mid >> 8); b[5] = (u8)mid;
    b[6] = (u8)(0x10 | (hi >> 8)); b[7] = (u8)hi;
    b[8] = (u8)(0x80 | ((seq >> 8) & 0x3f)); b[9] = (u8)seq;
    memcpy(b + 10, node, 6);
    return uuid_out(env, b, out);
}

static int f_uuid_v4(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    u8 b[16];
    int rc = random_fill(env, b, sizeof b);
    if (rc) return rc;
    b[6] = (u8)((b[6] & 0x0f) | 0x40);
    b[8] = (u8)((b[8] & 0x3f) | 0x80);
    return uuid_out(env, b, out);
}

/* uuid_generate_v3 / v5 (namespace uuid, name text): MD5 / SHA-1 of the
 * namespace's 16 bytes then the name's */
static bool r_uuid_name(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (unknownish(a[0]) || a[0] == TYPE_UUID) a[0] = TYPE_UUID; else return false;
    if (unknownish(a[1]) || type_is_string(a[1])) a[1] = TYPE_TEXT; else return false;
    *r = TYPE_UUID;
    return true;
}

static int uuid_named(EvalEnv *env, const Value *a, Value *out, const EVP_MD *md, int version)
{
    if (a[0].isnull || a[1].isnull) { *out = val_null(TYPE_UUID); return DD_OK; }
    u8 h[EVP_MAX_MD_SIZE];
    unsigned int hl = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    bool ok = c && EVP_DigestInit_ex(c, md, NULL) == 1 && EVP_DigestUpdate(c, a[0].v.s.p, 16) == 1 &&
              EVP_DigestUpdate(c, a[1].v.s.p, a[1].v.s.len) == 1 && EVP_DigestFinal_ex(c, h, &hl) == 1 && hl >= 16;
    EVP_MD_CTX_free(c);
    if (!ok) return dd_err(env->sql->err, DD_EINTERNAL, -1, "could not compute a name-based UUID");
    h[6] = (u8)((h[6] & 0x0f) | (version << 4));
    h[8] = (u8)((h[8] & 0x3f) | 0x80);
    return uuid_out(env, h, out);
}
static int f_uuid_v3(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return uuid_named(env, a, out, EVP_md5(), 3); }
static int f_uuid_v5(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return uuid_named(env, a, out, EVP_sha1(), 5); }

/* uuid_nil() and the namespaces of RFC 4122 appendix C */
static int uuid_const(EvalEnv *env, Value *out, u8 last)
{
    static const u8 ns[16] = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
                              0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
    u8 b[16];
    memcpy(b, ns, 16);
    b[3] = last;
    return uuid_out(env, b, out);
}
static int f_uuid_nil(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc);
    static const u8 z[16];
    return uuid_out(env, z, out);
}
static int f_uuid_ns_dns(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc); return uuid_const(env, out, 0x10); }
static int f_uuid_ns_url(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc); return uuid_const(env, out, 0x11); }
static int f_uuid_ns_oid(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc); return uuid_const(env, out, 0x12); }
static int f_uuid_ns_x500(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(a); DD_UNUSED(n); DD_UNUSED(loc); return uuid_const(env, out, 0x14); }

/* ---------------------------------------------------------------- pgcrypto */

/* digest / hmac: data and key as text or bytea (both the same), the
 * algorithm's name as text */
static bool r_digest(TypeId *a, int n, TypeId *r)
{
    bool bytea = a[0] == TYPE_BYTEA;
    for (int i = 0; i < n - 1; i++) {
        if (bytea ? a[i] != TYPE_BYTEA && !unknownish(a[i]) : !unknownish(a[i]) && !type_is_string(a[i])) return false;
        a[i] = bytea ? TYPE_BYTEA : TYPE_TEXT;
    }
    if (unknownish(a[n - 1]) || type_is_string(a[n - 1])) a[n - 1] = TYPE_TEXT; else return false;
    *r = TYPE_BYTEA;
    return true;
}

static const EVP_MD *digest_named(EvalEnv *env, const Value *name)
{
    static const struct { const char *n; const EVP_MD *(*md)(void); } algs[] = {
        {"md5", EVP_md5}, {"sha1", EVP_sha1}, {"sha224", EVP_sha224},
        {"sha256", EVP_sha256}, {"sha384", EVP_sha384}, {"sha512", EVP_sha512},
    };
    for (size_t i = 0; i < DD_ARRAY_LEN(algs); i++)
        if (strlen(algs[i].n) == name->v.s.len && strncasecmp(algs[i].n, name->v.s.p, name->v.s.len) == 0)
            return algs[i].md();
    dd_err(env->sql->err, DD_EINVALID_PARAM, -1, "Cannot use \"%.*s\": No such hash algorithm", (int)name->v.s.len,
           name->v.s.p);
    return NULL;
}

static int f_digest(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull || a[1].isnull) { *out = val_null(TYPE_BYTEA); return DD_OK; }
    const EVP_MD *md = digest_named(env, &a[1]);
    if (!md) return DD_EINVALID_PARAM;
    u8 *h = arena_alloc(env->sql->row, EVP_MAX_MD_SIZE);
    unsigned int hl = 0;
    if (!h) return DD_ENOMEM;
    if (EVP_Digest(a[0].v.s.p, a[0].v.s.len, h, &hl, md, NULL) != 1)
        return dd_err(env->sql->err, DD_EINTERNAL, -1, "could not compute the digest");
    *out = val_text(TYPE_BYTEA, (const char *)h, hl);
    return DD_OK;
}

static int f_hmac(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull || a[1].isnull || a[2].isnull) { *out = val_null(TYPE_BYTEA); return DD_OK; }
    const EVP_MD *md = digest_named(env, &a[2]);
    if (!md) return DD_EINVALID_PARAM;
    u8 *h = arena_alloc(env->sql->row, EVP_MAX_MD_SIZE);
    unsigned int hl = 0;
    if (!h) return DD_ENOMEM;
    if (!HMAC(md, a[1].v.s.p, (int)a[1].v.s.len, (const u8 *)a[0].v.s.p, a[0].v.s.len, h, &hl))
        return dd_err(env->sql->err, DD_EINTERNAL, -1, "could not compute the HMAC");
    *out = val_text(TYPE_BYTEA, (const char *)h, hl);
    return DD_OK;
}

static bool r_random_bytes(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (unknownish(a[0]) || type_is_int(a[0])) a[0] = TYPE_INT4; else return false;
    *r = TYPE_BYTEA;
    return true;
}

static int f_gen_random_bytes(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null(TYPE_BYTEA); return DD_OK; }
    if (a[0].v.i < 1 || a[0].v.i > 1024)
        return dd_err(env->sql->err, DD_EEXTERNAL_ROUTINE, -1, "Length not in range");
    u8 *b = arena_alloc(env->sql->row, (size_t)a[0].v.i);
    if (!b) return DD_ENOMEM;
    int rc = random_fill(env, b, (size_t)a[0].v.i);
    if (rc) return rc;
    *out = val_text(TYPE_BYTEA, (const char *)b, (u32)a[0].v.i);
    return DD_OK;
}

/* ---------------------------------------------------------------- table */

static const FuncDef funcs[] = {
    {"uuid_generate_v1", 0, 0, r_none_uuid, f_uuid_v1, true},
    {"uuid_generate_v1mc", 0, 0, r_none_uuid, f_uuid_v1, true},
    {"uuid_generate_v3", 2, 2, r_uuid_name, f_uuid_v3, false},
    {"uuid_generate_v4", 0, 0, r_none_uuid, f_uuid_v4, true},
    {"uuid_generate_v5", 2, 2, r_uuid_name, f_uuid_v5, false},
    {"uuid_nil", 0, 0, r_none_uuid, f_uuid_nil, false},
    {"uuid_ns_dns", 0, 0, r_none_uuid, f_uuid_ns_dns, false},
    {"uuid_ns_url", 0, 0, r_none_uuid, f_uuid_ns_url, false},
    {"uuid_ns_oid", 0, 0, r_none_uuid, f_uuid_ns_oid, false},
    {"uuid_ns_x500", 0, 0, r_none_uuid, f_uuid_ns_x500, false},
    {"digest", 2, 2, r_digest, f_digest, false},
    {"hmac", 3, 3, r_digest, f_hmac, false},
    {"gen_random_bytes", 1, 1, r_random_bytes, f_gen_random_bytes, true},
};

const FuncDef *ext_func_lookup(const char *name, int k)
{
    for (size_t i = 0; i < DD_ARRAY_LEN(funcs); i++)
        if (strcmp(funcs[i].name, name) == 0 && k-- == 0) return &funcs[i];
    return NULL;
}

bool ext_func_volatile(FuncImpl fn)
{
    for (size_t i = 0; i < DD_ARRAY_LEN(funcs); i++)
        if (funcs[i].volatile_ && funcs[i].impl == fn) return true;
    return false;
}
