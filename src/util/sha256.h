/* sha256.h - SHA-256 through OpenSSL's EVP interface (DESIGN §6). */
#ifndef DD_SHA256_H
#define DD_SHA256_H
#include "base.h"
#define SHA256_LEN 32
typedef struct Sha256 { void *ctx; } Sha256;
/* One-shot digest. */
void sha256(const void *p, size_t n, u8 out[SHA256_LEN]);
/* Two-part digest: SHA-256(a || b). */
void sha256_2(const void *a, size_t an, const void *b, size_t bn, u8 out[SHA256_LEN]);
/* Incremental digest: begin (DD_ENOMEM if OpenSSL cannot allocate), any
 * number of updates, end (frees the context; out zeroed on failure). */
int sha256_begin(Sha256 *h);
void sha256_update(Sha256 *h, const void *p, size_t n);
void sha256_end(Sha256 *h, u8 out[SHA256_LEN]);
void sha256_hex(const u8 h[SHA256_LEN], char out[2 * SHA256_LEN + 1]);
#endif
