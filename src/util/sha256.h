/* sha256.h - SHA-256 through OpenSSL's EVP interface (DESIGN §6). */
#ifndef DD_SHA256_H
#define DD_SHA256_H
#include "base.h"
#define SHA256_LEN 32
typedef struct Sha256 { void *ctx; } Sha256;
/* Every digest returns 0, or DD_ENOMEM when OpenSSL fails (it fails only
 * for want of memory); out is zeroed then and must not be used. */
/* One-shot digest. */
int sha256(const void *p, size_t n, u8 out[SHA256_LEN]) DD_WARN_UNUSED;
/* Two-part digest: SHA-256(a || b). */
int sha256_2(const void *a, size_t an, const void *b, size_t bn, u8 out[SHA256_LEN]) DD_WARN_UNUSED;
/* One-shot digest in a context h kept for many (one thread's at a time;
 * Sha256 h = {0} to start): made on first use, reused after;
 * sha256_ctx_free frees it. */
int sha256_with(Sha256 *h, const void *p, size_t n, u8 out[SHA256_LEN]) DD_WARN_UNUSED;
/* The same over k parts: SHA-256(p[0] || ... || p[k-1]). */
int sha256_with_parts(Sha256 *h, const void *const *p, const size_t *n, int k, u8 out[SHA256_LEN]) DD_WARN_UNUSED;
void sha256_ctx_free(Sha256 *h);
/* Incremental digest: begin, any number of updates, end (frees the
 * context; a failure anywhere is reported by end). */
int sha256_begin(Sha256 *h);
void sha256_update(Sha256 *h, const void *p, size_t n);
int sha256_end(Sha256 *h, u8 out[SHA256_LEN]) DD_WARN_UNUSED;
/* Fault injection for tests: the nth digest from now (1 = the next) fails
 * as an OpenSSL failure would; 0 turns it off. */
void sha256_fail_at(long n);
/* Ends an incremental digest whose result is not wanted. */
void sha256_abort(Sha256 *h);
/* n bytes from OpenSSL's random generator (salts); 0, or DD_ENOMEM when
 * it fails. */
int random_bytes(void *p, size_t n) DD_WARN_UNUSED;
void sha256_hex(const u8 h[SHA256_LEN], char out[2 * SHA256_LEN + 1]);
#endif
