/*
 * sha256.c - SHA-256 through OpenSSL's EVP interface.
 *
 * One-shot functions only: each call makes its own EVP_MD_CTX, so they are
 * thread-safe.  If OpenSSL itself fails (out of memory), the output is zeroed;
 * callers comparing hashes then see a mismatch rather than garbage.
 */
#include "sha256.h"
#include "err.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

void sha256_2(const void *a, size_t an, const void *b, size_t bn, u8 out[SHA256_LEN])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int len = 0;
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
        (an && EVP_DigestUpdate(ctx, a, an) != 1) ||
        (bn && EVP_DigestUpdate(ctx, b, bn) != 1) ||
        EVP_DigestFinal_ex(ctx, out, &len) != 1 || len != SHA256_LEN)
        memset(out, 0, SHA256_LEN);
    EVP_MD_CTX_free(ctx);
}

void sha256(const void *p, size_t n, u8 out[SHA256_LEN]) { sha256_2(p, n, NULL, 0, out); }

int sha256_begin(Sha256 *h)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
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

void sha256_end(Sha256 *h, u8 out[SHA256_LEN])
{
    unsigned int len = 0;
    if (!h->ctx || EVP_DigestFinal_ex(h->ctx, out, &len) != 1 || len != SHA256_LEN)
        memset(out, 0, SHA256_LEN);
    EVP_MD_CTX_free(h->ctx);
    h->ctx = NULL;
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
