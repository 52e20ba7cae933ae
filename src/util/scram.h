/*
 * scram.h - password verifiers and the server's side of SCRAM-SHA-256
 * (RFC 5802, RFC 7677) and of PostgreSQL's md5 and cleartext password
 * exchanges, through OpenSSL (DESIGN §6).
 *
 * A stored password is a verifier, never the password: either
 * "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>" (base64
 * parts, PostgreSQL's format) or "md5" followed by 32 hex digits of
 * MD5(password || user name) (PostgreSQL's md5 format, stored when a
 * client sends it already hashed).
 *
 * Passwords are used as their UTF-8 bytes; SASLprep normalization is not
 * applied (a password already in NFKC form, as every ASCII one is, gives
 * the same verifier as PostgreSQL's).
 */
#ifndef DD_SCRAM_H
#define DD_SCRAM_H
#include "base.h"

#define SCRAM_KEY_LEN 32
#define SCRAM_ITERATIONS 4096     /* PostgreSQL 15's */
#define SCRAM_SALT_LEN 16
#define SCRAM_NONCE_LEN 18        /* random bytes of the server's nonce part */
#define SCRAM_MAX_VERIFIER 256

/* Whether s is a verifier in one of the two formats. */
bool scram_is_verifier(const char *s);
bool md5_is_verifier(const char *s);

/* The SCRAM-SHA-256 verifier of password (fresh random salt), into out
 * (SCRAM_MAX_VERIFIER bytes).  0, or -1 when OpenSSL fails. */
int scram_make_verifier(const char *password, char *out);
/* The same with a given salt and iteration count (tests). */
int scram_make_verifier_salted(const char *password, const u8 *salt, int saltlen, int iterations, char *out);

/* The parts of a SCRAM verifier.  0, or -1 when it is not one. */
typedef struct ScramVerifier {
    int iterations;
    u8 salt[64];
    int saltlen;
    u8 stored_key[SCRAM_KEY_LEN];
    u8 server_key[SCRAM_KEY_LEN];
} ScramVerifier;
int scram_parse_verifier(const char *s, ScramVerifier *out);

/* Whether a cleartext password matches verifier (either format; user is
 * the role's name, part of an md5 verifier). */
bool password_matches(const char *verifier, const char *user, const char *password);

/* md5 exchange: whether response ("md5" + 32 hex digits of
 * MD5(md5verifier's hex || salt)) matches an md5 verifier. */
bool md5_response_matches(const char *verifier, const u8 salt[4], const char *response);

/*
 * One SCRAM-SHA-256 exchange, server side.  begin with the verifier to
 * check against (a made-up one, from scram_mock_verifier, for a role that
 * does not exist or has no usable password, so the exchange looks the
 * same and then fails).  first takes the client-first-message and makes
 * the server-first-message; final takes the client-final-message and, when
 * the proof is right, makes the server-final-message.
 */
typedef struct Scram {
    ScramVerifier v;
    bool mock;                    /* fails at final whatever is sent */
    /* Channel binding (RFC 5929 tls-server-end-point), set by the caller
     * after scram_begin on a TLS connection: the server certificate's
     * hash (borrowed; NULL on a plaintext connection or when the server
     * offers no SCRAM-SHA-256-PLUS), and whether the client chose
     * SCRAM-SHA-256-PLUS (then cbind is set). */
    const u8 *cbind;
    size_t cbind_len;
    bool plus;
    char *client_first_bare;      /* dd_malloc'd */
    char *server_first;
    char nonce[128];              /* client's nonce || server's */
} Scram;
/* Return 0, or -1 with *why a message (the client sent something
 * malformed: 08P01), 2 with *why (the gs2 header says the client thinks
 * the server cannot bind, where it offered to: a downgrade, 28000), or -2
 * (out of memory or OpenSSL failed). */
int scram_begin(Scram *s, const char *verifier, const char *user);
void scram_mock_verifier(const char *user, char *out);
/* Keys the made-up verifiers by key (the database's secret): an unknown
 * role then gets the same salt after a restart too, as PostgreSQL's
 * mock_auth_nonce gives it.  Called before any exchange; without it the
 * key is random per process. */
void scram_set_mock_key(const u8 *key, size_t n);
int scram_first(Scram *s, const u8 *msg, size_t n, char **server_first, const char **why);
/* 0 proof right (*server_final set), 1 proof wrong, 2 channel binding
 * data that is not this server certificate's (28000), -1 malformed
 * (*why), -2 failure. */
int scram_final(Scram *s, const u8 *msg, size_t n, char **server_final, const char **why);
void scram_end(Scram *s);

/* Base64 (RFC 4648, padded).  encode returns the length written (out
 * holds 4 * ((n + 2) / 3) + 1); decode returns the length or -1. */
size_t b64_encode(const u8 *p, size_t n, char *out);
int b64_decode(const char *s, size_t n, u8 *out, size_t cap);

/* MD5 in hex (33 bytes with the NUL) of a || b.  0, or -1. */
int md5_hex2(const void *a, size_t an, const void *b, size_t bn, char out[33]);
#endif
