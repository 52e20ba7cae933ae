/*
 * sha256.c - SHA-256 through OpenSSL's EVP interface.
 *
 * The one-shot functions make their own EVP_MD_CTX per call, so they are
 * thread-safe; sha256_with reuses a context its caller keeps (the commit
 * writer hashes every row version: a context made and freed per digest
 * cost 3.5 times the digest of a short row).  The algorithm is fetched
 * once (OpenSSL 3 otherwise looks it up by name in every init).
 * sha256_with_parts, the row versions' digest (one per row a commit
 * writes), goes through OpenSSL's SHA256_Init/Update/Final instead:
 * deprecated in OpenSSL 3 in favour of EVP, but the same code without
 * EVP's dispatch, about half the time for a short row (115 against 235
 * ns for 53 bytes in four parts, on this project's machines).  If OpenSSL
 * itself fails (out of memory), the output is zeroed
 * and DD_ENOMEM returned: a hash that was not computed is never used (a
 * commit fails rather than record it).
 */
#include "sha256.h"
#include "err.h"

#define OPENSSL_SUPPRESS_DEPRECATED   /* SHA256_Init & co. (above) */
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static EVP_MD *md_fetched;

static void md_fetch(void) { md_fetched = EVP_MD_fetch(NULL, "SHA256", NULL); }

/* SHA-256's EVP_MD, fetched once (the built-in one if that failed). */
static const EVP_MD *md_sha256(void)
{
    pthread_once(&md_once, md_fetch);
    return md_fetched ? md_fetched : EVP_sha256();
}

static long fail_at;   /* sha256_fail_at's countdown, 0: off */

void sha256_fail_at(long n) { __atomic_store_n(&fail_at, n, __ATOMIC_SEQ_CST); }

/* Whether this digest is the one sha256_fail_at chose. */
static bool injected(void)
{
    if (__atomic_load_n(&fail_at, __ATOMIC_RELAXED) <= 0) return false;
    return __atomic_sub_fetch(&fail_at, 1, __ATOMIC_SEQ_CST) == 0;
}

int sha256_2(const void *a, size_t an, const void *b, size_t bn, u8 out[SHA256_LEN])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int len = 0;
    int rc = 0;
    if (!ctx || EVP_DigestInit_ex(ctx, md_sha256(), NULL) != 1 ||
        (an && EVP_DigestUpdate(ctx, a, an) != 1) ||
        (bn && EVP_DigestUpdate(ctx, b, bn) != 1) ||
        EVP_DigestFinal_ex(ctx, out, &len) != 1 || len != SHA256_LEN || injected()) {
        memset(out, 0, SHA256_LEN);
        rc = DD_ENOMEM;
    }
    EVP_MD_CTX_free(ctx);
    return rc;
}

int sha256(const void *p, size_t n, u8 out[SHA256_LEN]) { return sha256_2(p, n, NULL, 0, out); }

int sha256_with(Sha256 *h, const void *p, size_t n, u8 out[SHA256_LEN])
{
    unsigned int len = 0;
    if (!h->ctx) h->ctx = EVP_MD_CTX_new();
    if (!h->ctx || EVP_DigestInit_ex(h->ctx, md_sha256(), NULL) != 1 || (n && EVP_DigestUpdate(h->ctx, p, n) != 1) ||
        EVP_DigestFinal_ex(h->ctx, out, &len) != 1 || len != SHA256_LEN || injected()) {
        memset(out, 0, SHA256_LEN);
        return DD_ENOMEM;
    }
    return 0;
}

int sha256_with_parts(Sha256 *h, const void *const *p, const size_t *n, int k, u8 out[SHA256_LEN])
{
    (void)h;   /* no context to keep: SHA256_CTX is a plain struct */
    SHA256_CTX c;
    bool ok = SHA256_Init(&c) == 1;
    for (int i = 0; ok && i < k; i++) ok = !n[i] || SHA256_Update(&c, p[i], n[i]) == 1;
    if (!ok || SHA256_Final(out, &c) != 1 || injected()) {
        OPENSSL_cleanse(&c, sizeof c);
        memset(out, 0, SHA256_LEN);
        return DD_ENOMEM;
    }
    return 0;
}

void sha256_ctx_free(Sha256 *h)
{
    EVP_MD_CTX_free(h->ctx);
    h->ctx = NULL;
}

int sha256_begin(Sha256 *h)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx && EVP_DigestInit_ex(ctx, md_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        ctx = NULL;
    }
    h->ctx = ctx;
    return ctx ? 0 : DD_ENOMEM;
}

void sha256_update(Sha256 *h, const void *p, size_t n)
{
    if (h->ctx && n && EVP_DigestUpdate(h->ctx, p, n) != 1) {
        EVP_MD_CTX_free(h->ctx);
        h->ctx = NULL;
    }
}

int sha256_end(Sha256 *h, u8 out[SHA256_LEN])
{
    unsigned int len = 0;
    int rc = 0;
    if (!h->ctx || EVP_DigestFinal_ex(h->ctx, out, &len) != 1 || len != SHA256_LEN || injected()) {
        memset(out, 0, SHA256_LEN);
        rc = DD_ENOMEM;
    }
    EVP_MD_CTX_free(h->ctx);
    h->ctx = NULL;
    return rc;
}

void sha256_abort(Sha256 *h)
{
    EVP_MD_CTX_free(h->ctx);
    h->ctx = NULL;
}

int random_bytes(void *p, size_t n)
{
    /* RAND_bytes takes an int */
    for (size_t off = 0; off < n;) {
        size_t k = n - off > (1u << 30) ? (1u << 30) : n - off;
        if (RAND_bytes((unsigned char *)p + off, (int)k) != 1) return DD_ENOMEM;
        off += k;
    }
    return 0;
}

void sha256_hex(const u8 h[SHA256_LEN], char out[2 * SHA256_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < SHA256_LEN; i++) {
        out[2 * i] = hex[h[i] >> 4];
        out[2 * i + 1] = hex[h[i] & 15];
    }
    out[2 * SHA256_LEN] = '\0';
}
