/*
 * scram.c - password verifiers, SCRAM-SHA-256 and md5 (scram.h).
 *
 * The key derivations are RFC 5802's:
 *   SaltedPassword = PBKDF2-HMAC-SHA-256(password, salt, iterations)
 *   ClientKey = HMAC(SaltedPassword, "Client Key"), StoredKey = H(ClientKey)
 *   ServerKey = HMAC(SaltedPassword, "Server Key")
 *   AuthMessage = client-first-bare "," server-first "," client-final
 *                 without its proof
 *   the client's proof = ClientKey XOR HMAC(StoredKey, AuthMessage)
 *   the server's signature = HMAC(ServerKey, AuthMessage)
 * so the server, knowing only StoredKey and ServerKey, recovers ClientKey
 * from the proof and checks its hash.
 */
#include "scram.h"
#include "alloc.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- base64 ---- */

static const char b64_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t b64_encode(const u8 *p, size_t n, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i += 3) {
        u32 v = (u32)p[i] << 16 | (i + 1 < n ? (u32)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
        out[k++] = b64_chars[v >> 18 & 63];
        out[k++] = b64_chars[v >> 12 & 63];
        out[k++] = i + 1 < n ? b64_chars[v >> 6 & 63] : '=';
        out[k++] = i + 2 < n ? b64_chars[v & 63] : '=';
    }
    out[k] = 0;
    return k;
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

int b64_decode(const char *s, size_t n, u8 *out, size_t cap)
{
    if (n % 4) return -1;
    size_t k = 0;
    for (size_t i = 0; i < n; i += 4) {
        int v[4], pad = 0;
        for (int j = 0; j < 4; j++) {
            if (s[i + j] == '=' && i + 4 == n && j >= 2) {
                v[j] = 0;
                pad++;
                continue;
            }
            if (pad || (v[j] = b64_value(s[i + j])) < 0) return -1;
        }
        u32 w = (u32)v[0] << 18 | (u32)v[1] << 12 | (u32)v[2] << 6 | (u32)v[3];
        for (int j = 0; j < 3 - pad; j++) {
            if (k >= cap) return -1;
            out[k++] = (u8)(w >> (16 - 8 * j));
        }
    }
    return (int)k;
}

/* ---- primitives ---- */

static int hmac(const u8 *key, size_t keylen, const void *msg, size_t n, u8 out[SCRAM_KEY_LEN])
{
    unsigned int len = 0;
    return HMAC(EVP_sha256(), key, (int)keylen, msg, n, out, &len) && len == SCRAM_KEY_LEN ? 0 : -1;
}

static int sha256_of(const u8 *p, size_t n, u8 out[SCRAM_KEY_LEN])
{
    unsigned int len = 0;
    return EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) && len == SCRAM_KEY_LEN ? 0 : -1;
}

int md5_hex2(const void *a, size_t an, const void *b, size_t bn, char out[33])
{
    u8 d[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c && EVP_DigestInit_ex(c, EVP_md5(), NULL) && EVP_DigestUpdate(c, a, an) &&
             EVP_DigestUpdate(c, b, bn) && EVP_DigestFinal_ex(c, d, &len) && len == 16;
    EVP_MD_CTX_free(c);
    if (!ok) return -1;
    for (int i = 0; i < 16; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
    return 0;
}

/* StoredKey and ServerKey of password under salt. */
static int derive_keys(const char *password, const u8 *salt, int saltlen, int iterations, u8 stored[SCRAM_KEY_LEN],
                       u8 server[SCRAM_KEY_LEN])
{
    u8 salted[SCRAM_KEY_LEN], client[SCRAM_KEY_LEN];
    int rc = PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, saltlen, iterations, EVP_sha256(),
                               SCRAM_KEY_LEN, salted) ? 0 : -1;
    if (!rc) rc = hmac(salted, sizeof salted, "Client Key", 10, client);
    if (!rc) rc = sha256_of(client, sizeof client, stored);
    if (!rc) rc = hmac(salted, sizeof salted, "Server Key", 10, server);
    OPENSSL_cleanse(salted, sizeof salted);
    OPENSSL_cleanse(client, sizeof client);
    return rc;
}

static void format_verifier(int iterations, const u8 *salt, int saltlen, const u8 *stored, const u8 *server,
                            char *out)
{
    char s[100], k1[48], k2[48];
    b64_encode(salt, (size_t)saltlen, s);
    b64_encode(stored, SCRAM_KEY_LEN, k1);
    b64_encode(server, SCRAM_KEY_LEN, k2);
    snprintf(out, SCRAM_MAX_VERIFIER, "SCRAM-SHA-256$%d:%s$%s:%s", iterations, s, k1, k2);
}

/* ---- verifiers ---- */

int scram_parse_verifier(const char *s, ScramVerifier *out)
{
    memset(out, 0, sizeof *out);
    if (strncmp(s, "SCRAM-SHA-256$", 14) != 0) return -1;
    s += 14;
    char *end;
    long it = strtol(s, &end, 10);
    if (end == s || *end != ':' || it < 1 || it > 100000000) return -1;
    out->iterations = (int)it;
    const char *salt = end + 1, *d1 = strchr(salt, '$');
    if (!d1) return -1;
    const char *k1 = d1 + 1, *c = strchr(k1, ':');
    if (!c) return -1;
    const char *k2 = c + 1;
    int n = b64_decode(salt, (size_t)(d1 - salt), out->salt, sizeof out->salt);
    if (n < 1) return -1;
    out->saltlen = n;
    if (b64_decode(k1, (size_t)(c - k1), out->stored_key, SCRAM_KEY_LEN) != SCRAM_KEY_LEN) return -1;
    if (b64_decode(k2, strlen(k2), out->server_key, SCRAM_KEY_LEN) != SCRAM_KEY_LEN) return -1;
    return 0;
}

bool scram_is_verifier(const char *s)
{
    ScramVerifier v;
    return scram_parse_verifier(s, &v) == 0;
}

bool md5_is_verifier(const char *s)
{
    if (strncmp(s, "md5", 3) != 0 || strlen(s) != 35) return false;
    for (int i = 3; i < 35; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}

int scram_make_verifier_salted(const char *password, const u8 *salt, int saltlen, int iterations, char *out)
{
    u8 stored[SCRAM_KEY_LEN], server[SCRAM_KEY_LEN];
    if (saltlen < 1 || saltlen > 64 || derive_keys(password, salt, saltlen, iterations, stored, server)) return -1;
    format_verifier(iterations, salt, saltlen, stored, server, out);
    return 0;
}

int scram_make_verifier(const char *password, char *out)
{
    u8 salt[SCRAM_SALT_LEN];
    if (RAND_bytes(salt, sizeof salt) != 1) return -1;
    return scram_make_verifier_salted(password, salt, sizeof salt, SCRAM_ITERATIONS, out);
}

bool password_matches(const char *verifier, const char *user, const char *password)
{
    if (md5_is_verifier(verifier)) {
        char h[33];
        return md5_hex2(password, strlen(password), user, strlen(user), h) == 0 &&
               CRYPTO_memcmp(h, verifier + 3, 32) == 0;
    }
    ScramVerifier v;
    u8 stored[SCRAM_KEY_LEN], server[SCRAM_KEY_LEN];
    if (scram_parse_verifier(verifier, &v)) return false;
    if (derive_keys(password, v.salt, v.saltlen, v.iterations, stored, server)) return false;
    return CRYPTO_memcmp(stored, v.stored_key, SCRAM_KEY_LEN) == 0 &&
           CRYPTO_memcmp(server, v.server_key, SCRAM_KEY_LEN) == 0;
}

bool md5_response_matches(const char *verifier, const u8 salt[4], const char *response)
{
    char h[33];
    if (!md5_is_verifier(verifier) || strlen(response) != 35 || strncmp(response, "md5", 3) != 0) return false;
    return md5_hex2(verifier + 3, 32, salt, 4, h) == 0 && CRYPTO_memcmp(h, response + 3, 32) == 0;
}

/* ---- the exchange ---- */

static u8 mock_secret[32];
static bool mock_keyed;
static pthread_once_t mock_once = PTHREAD_ONCE_INIT;
static void mock_init(void)
{
    if (mock_keyed) return;
    if (RAND_bytes(mock_secret, sizeof mock_secret) != 1)
        for (size_t i = 0; i < sizeof mock_secret; i++) mock_secret[i] = (u8)rand();
}

void scram_set_mock_key(const u8 *key, size_t n)
{
    static const char label[] = "driftdb scram mock verifier";
    if (hmac(key, n, label, sizeof label - 1, mock_secret) == 0) mock_keyed = true;
}

/* A made-up verifier whose salt is the same for a name every time (keyed
 * by scram_set_mock_key: across restarts too), so asking twice does not
 * tell an unknown role apart. */
void scram_mock_verifier(const char *user, char *out)
{
    pthread_once(&mock_once, mock_init);
    u8 d[SCRAM_KEY_LEN], k[SCRAM_KEY_LEN];
    if (hmac(mock_secret, sizeof mock_secret, user, strlen(user), d)) memset(d, 0x5a, sizeof d);
    memcpy(k, d, sizeof k);
    k[0] ^= 0xff;
    format_verifier(SCRAM_ITERATIONS, d, SCRAM_SALT_LEN, k, d, out);
}

int scram_begin(Scram *s, const char *verifier, const char *user)
{
    memset(s, 0, sizeof *s);
    if (verifier && scram_parse_verifier(verifier, &s->v) == 0) return 0;
    char mock[SCRAM_MAX_VERIFIER];
    scram_mock_verifier(user, mock);
    s->mock = true;
    return scram_parse_verifier(mock, &s->v) ? -2 : 0;
}

void scram_end(Scram *s)
{
    dd_free(s->client_first_bare);
    dd_free(s->server_first);
    OPENSSL_cleanse(&s->v, sizeof s->v);
    memset(s, 0, sizeof *s);
}

/* A copy of msg[0..n) as a C string, or NULL when it holds a NUL. */
static char *msg_str(const u8 *msg, size_t n)
{
    if (memchr(msg, 0, n)) return NULL;
    char *c = dd_malloc(n + 1);
    if (!c) return NULL;
    memcpy(c, msg, n);
    c[n] = 0;
    return c;
}

/* The value of attribute `a` ("r=...") at *p, advancing past it and its
 * comma; NULL when *p does not start with it. */
static const char *attr(char **p, char a)
{
    char *s = *p;
    if (s[0] != a || s[1] != '=') return NULL;
    char *comma = strchr(s, ',');
    if (comma) {
        *comma = 0;
        *p = comma + 1;
    } else {
        *p = s + strlen(s);
    }
    return s + 2;
}

int scram_first(Scram *s, const u8 *msg, size_t n, char **server_first, const char **why)
{
    char *m = msg_str(msg, n);
    if (!m) {
        *why = "malformed SCRAM message";
        return memchr(msg, 0, n) ? -1 : -2;
    }
    /* gs2-header: cbind flag, authzid, then client-first-bare.  The
     * flag must agree with the mechanism chosen: "p=tls-server-end-point"
     * with SCRAM-SHA-256-PLUS only; "y" (the client could bind but thinks
     * the server cannot) on a connection where this server offered -PLUS
     * is a downgrade, refused as PostgreSQL does. */
    char *p = m;
    if (p[0] == 'p') {
        if (!s->plus) {
            dd_free(m);
            *why = "malformed SCRAM message (the client selected SCRAM-SHA-256 without channel binding, but the "
                   "SCRAM message includes channel binding data)";
            return -1;
        }
        if (strncmp(p, "p=tls-server-end-point,", 23) != 0) {
            dd_free(m);
            *why = "unsupported SCRAM channel-binding type";
            return -1;
        }
        p += 22;   /* at the comma, as after "n" or "y" */
    } else if ((p[0] != 'n' && p[0] != 'y') || p[1] != ',') {
        dd_free(m);
        *why = "malformed SCRAM message (unexpected channel-binding flag)";
        return -1;
    } else if (s->plus) {
        dd_free(m);
        *why = "malformed SCRAM message (the client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not "
               "include channel binding data)";
        return -1;
    } else if (p[0] == 'y' && s->cbind) {
        dd_free(m);
        *why = "SCRAM channel binding negotiation error";
        return 2;
    } else {
        p++;
    }
    p++;
    if (p[0] == 'a' && p[1] == '=') {
        dd_free(m);
        *why = "client uses authorization identity, but it is not supported";
        return -1;
    }
    if (p[0] != ',') {
        dd_free(m);
        *why = "malformed SCRAM message (comma expected)";
        return -1;
    }
    p++;
    s->client_first_bare = dd_strdup(p);
    if (!s->client_first_bare) {
        dd_free(m);
        return -2;
    }
    /* n=user (ignored: the startup packet's user is the one), r=nonce */
    if (p[0] == 'm' && p[1] == '=') {
        dd_free(m);
        *why = "client requires an unsupported SCRAM extension";
        return -1;
    }
    const char *user = attr(&p, 'n'), *nonce = user ? attr(&p, 'r') : NULL;
    if (!user || !nonce || !nonce[0] || strlen(nonce) > 64) {
        dd_free(m);
        *why = "malformed SCRAM message (nonce expected)";
        return -1;
    }
    for (const char *c = nonce; *c; c++)
        if (*c < 0x21 || *c > 0x7e || *c == ',') {
            dd_free(m);
            *why = "malformed SCRAM message (invalid nonce)";
            return -1;
        }
    u8 r[SCRAM_NONCE_LEN];
    char rb[SCRAM_NONCE_LEN * 2];
    if (RAND_bytes(r, sizeof r) != 1) {
        dd_free(m);
        return -2;
    }
    b64_encode(r, sizeof r, rb);
    snprintf(s->nonce, sizeof s->nonce, "%s%s", nonce, rb);
    dd_free(m);
    char salt[100];
    b64_encode(s->v.salt, (size_t)s->v.saltlen, salt);
    size_t cap = strlen(s->nonce) + strlen(salt) + 40;
    s->server_first = dd_malloc(cap);
    if (!s->server_first) return -2;
    snprintf(s->server_first, cap, "r=%s,s=%s,i=%d", s->nonce, salt, s->v.iterations);
    *server_first = s->server_first;
    return 0;
}

int scram_final(Scram *s, const u8 *msg, size_t n, char **server_final, const char **why)
{
    *server_final = NULL;
    if (!s->server_first) {
        *why = "malformed SCRAM message (out of order)";
        return -1;
    }
    char *m = msg_str(msg, n);
    if (!m) {
        *why = "malformed SCRAM message";
        return memchr(msg, 0, n) ? -1 : -2;
    }
    int rc = -1;
    char *proof_at = strstr(m, ",p=");
    char *p = m;
    const char *cb = attr(&p, 'c'), *nonce = cb ? attr(&p, 'r') : NULL;
    if (!cb || !nonce || !proof_at) {
        *why = "malformed SCRAM message (channel binding, nonce and proof expected)";
        goto out;
    }
    /* c= is the gs2 header the client sent first, base64'd: "n,," or
     * "y,,", or with -PLUS "p=tls-server-end-point,," and the binding data
     * (the hash of the certificate this connection's TLS session showed,
     * so a man in the middle with another certificate fails here) */
    if (s->plus) {
        static const char hdr[] = "p=tls-server-end-point,,";
        u8 raw[sizeof hdr - 1 + 64];
        char want[2 * sizeof raw];
        if (!s->cbind || s->cbind_len > 64) {
            rc = -2;
            goto out;
        }
        memcpy(raw, hdr, sizeof hdr - 1);
        memcpy(raw + sizeof hdr - 1, s->cbind, s->cbind_len);
        b64_encode(raw, sizeof hdr - 1 + s->cbind_len, want);
        if (strcmp(cb, want) != 0) {
            *why = "SCRAM channel binding check failed";
            rc = 2;
            goto out;
        }
    } else if (strcmp(cb, "biws") != 0 && strcmp(cb, "eSws") != 0) {
        *why = "unexpected SCRAM channel-binding attribute in client-final-message";
        goto out;
    }
    if (strcmp(nonce, s->nonce) != 0) {
        *why = "SCRAM nonce mismatch";
        goto out;
    }
    while (*p && !(p[0] == 'p' && p[1] == '=')) {   /* extensions before the proof */
        char *comma = strchr(p, ',');
        if (!comma) break;
        p = comma + 1;
    }
    const char *proof64 = attr(&p, 'p');
    u8 proof[SCRAM_KEY_LEN + 4];
    if (!proof64 || *p || b64_decode(proof64, strlen(proof64), proof, sizeof proof) != SCRAM_KEY_LEN) {
        *why = "malformed SCRAM message (invalid proof)";
        goto out;
    }
    /* AuthMessage: the final message without ",p=...", from the original */
    size_t without = (size_t)(proof_at - m);
    size_t alen = strlen(s->client_first_bare) + strlen(s->server_first) + without + 3;
    char *auth = dd_malloc(alen);
    if (!auth) {
        rc = -2;
        goto out;
    }
    snprintf(auth, alen, "%s,%s,%.*s", s->client_first_bare, s->server_first, (int)without, (const char *)msg);
    u8 sig[SCRAM_KEY_LEN], key[SCRAM_KEY_LEN], h[SCRAM_KEY_LEN], ssig[SCRAM_KEY_LEN];
    rc = hmac(s->v.stored_key, SCRAM_KEY_LEN, auth, strlen(auth), sig) ? -2 : 0;
    for (int i = 0; !rc && i < SCRAM_KEY_LEN; i++) key[i] = proof[i] ^ sig[i];
    if (!rc) rc = sha256_of(key, sizeof key, h) ? -2 : 0;
    if (!rc) rc = hmac(s->v.server_key, SCRAM_KEY_LEN, auth, strlen(auth), ssig) ? -2 : 0;
    dd_free(auth);
    if (rc) goto out;
    if (s->mock || CRYPTO_memcmp(h, s->v.stored_key, SCRAM_KEY_LEN) != 0) {
        rc = 1;
        goto out;
    }
    char b[64];
    b64_encode(ssig, sizeof ssig, b);
    char *f = dd_malloc(strlen(b) + 3);
    if (!f) {
        rc = -2;
        goto out;
    }
    snprintf(f, strlen(b) + 3, "v=%s", b);
    *server_final = f;
    rc = 0;
out:
    dd_free(m);
    return rc;
}
