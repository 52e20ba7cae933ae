/*
 * tls.c - TLS sessions over a connection's socket (tls.h).
 *
 * Invariants:
 *   - A TlsServer is complete (certificate, matching key, optional CA,
 *     channel binding hash) once tls_server_load returns 0 and is never
 *     changed afterwards, so connection threads share it without a lock
 *     (OpenSSL 3's SSL_CTX is safe for concurrent SSL_new).
 *   - A TlsConn from tls_accept has finished its handshake; one from
 *     tls_start is usable (reads, writes, tls_info) once tls_step returned
 *     0 (c->ready).  Its TlsInfo strings are filled then and stay as they
 *     are.
 *   - After a fatal error (SSL_ERROR_SYSCALL / SSL_ERROR_SSL) nothing more
 *     is sent on the session (c->failed), not even close_notify, as
 *     OpenSSL requires.
 */
#include "tls.h"

#include "../util/alloc.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

struct TlsServer {
    SSL_CTX *ctx;
    bool has_ca;
    u8 cbind[TLS_MAX_CBIND];
    size_t cbind_len;             /* 0: no channel binding */
};

struct TlsConn {
    SSL *ssl;
    bool failed;
    bool ready;                   /* the handshake finished: info is filled */
    TlsInfo info;
    char version[32], cipher[64], cn[256], dn[512], serial[64], issuer[512];
};

/* The newest OpenSSL error as text ("no error" when there is none), and
 * the queue cleared. */
static const char *ssl_error_text(char *buf, size_t n)
{
    unsigned long e = ERR_peek_last_error();
    if (!e) snprintf(buf, n, "no SSL error reported");
    else ERR_error_string_n(e, buf, n);
    ERR_clear_error();
    return buf;
}

static int load_err(char *err, size_t errsz, const char *fmt, const char *file, const char *why)
{
    snprintf(err, errsz, fmt, file, why);
    return -1;
}

/* Whether path can be opened for reading; the reason in why otherwise.
 * Checked first so that a missing file says so plainly rather than
 * through OpenSSL's error stack. */
static bool readable(const char *path, char *why, size_t n)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, n, "%s", strerror(errno));
        return false;
    }
    fclose(f);
    return true;
}

/* A key protected by a passphrase: none is given, so it fails to load
 * (OpenSSL would otherwise ask on the terminal and the server hang). */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return 0;
}

/* RFC 5929 §4.1: the certificate hashed with its signature's digest,
 * SHA-256 in place of MD5 and SHA-1. */
static void compute_cbind(TlsServer *t)
{
    X509 *cert = SSL_CTX_get0_certificate(t->ctx);
    int md_nid = NID_undef, pk_nid;
    if (!cert || !OBJ_find_sigid_algs(X509_get_signature_nid(cert), &md_nid, &pk_nid)) return;
    if (md_nid == NID_md5 || md_nid == NID_sha1) md_nid = NID_sha256;
    const EVP_MD *md = EVP_get_digestbynid(md_nid);
    unsigned int len = 0;
    if (!md || (size_t)EVP_MD_get_size(md) > sizeof t->cbind || !X509_digest(cert, md, t->cbind, &len)) {
        ERR_clear_error();
        return;   /* e.g. Ed25519: no digest of its own; no -PLUS offered */
    }
    t->cbind_len = len;
}

int tls_server_load(const char *cert, const char *key, const char *ca, TlsServer **out, char *err, size_t errsz)
{
    *out = NULL;
    char why[256];
    TlsServer *t = dd_calloc(1, sizeof *t);
    if (!t) return load_err(err, errsz, "%s%s", "", "out of memory");
    int rc = -1;
    t->ctx = SSL_CTX_new(TLS_server_method());
    if (!t->ctx) {
        load_err(err, errsz, "%scould not create SSL context: %s", "", ssl_error_text(why, sizeof why));
        goto done;
    }
    SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
    /* one session per connection: no tickets (TLS 1.3 would send them
     * after the handshake), no cache, no renegotiation; a client that
     * closes without close_notify is an ordinary end of stream */
    SSL_CTX_set_options(t->ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF |
                                    SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_num_tickets(t->ctx, 0);
    SSL_CTX_set_session_cache_mode(t->ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_default_passwd_cb(t->ctx, no_passphrase);

    if (!readable(cert, why, sizeof why)) {
        load_err(err, errsz, "could not load server certificate file \"%s\": %s", cert, why);
        goto done;
    }
    if (SSL_CTX_use_certificate_chain_file(t->ctx, cert) != 1) {
        load_err(err, errsz, "could not load server certificate file \"%s\": %s", cert, ssl_error_text(why, sizeof why));
        goto done;
    }
    if (!readable(key, why, sizeof why)) {
        load_err(err, errsz, "could not load private key file \"%s\": %s", key, why);
        goto done;
    }
    /* a key of another certificate fails here already (or at the check) */
    if (SSL_CTX_use_PrivateKey_file(t->ctx, key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(t->ctx) != 1) {
        unsigned long e = ERR_peek_last_error();
        if (ERR_GET_LIB(e) == ERR_LIB_X509 && ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH) {
            ERR_clear_error();
            snprintf(err, errsz, "private key file \"%s\" does not match the certificate in \"%s\"", key, cert);
        } else {
            load_err(err, errsz, "could not load private key file \"%s\": %s", key, ssl_error_text(why, sizeof why));
        }
        goto done;
    }
    if (ca) {
        if (!readable(ca, why, sizeof why)) {
            load_err(err, errsz, "could not load root certificate file \"%s\": %s", ca, why);
            goto done;
        }
        STACK_OF(X509_NAME) *names = NULL;
        if (SSL_CTX_load_verify_locations(t->ctx, ca, NULL) != 1 || !(names = SSL_load_client_CA_file(ca))) {
            load_err(err, errsz, "could not load root certificate file \"%s\": %s", ca, ssl_error_text(why, sizeof why));
            goto done;
        }
        SSL_CTX_set_client_CA_list(t->ctx, names);   /* the context owns names now */
        /* ask for a certificate, verify one that is sent, admit a client
         * without one: the hba line decides whether it needs one */
        SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE, NULL);
        t->has_ca = true;
    }
    compute_cbind(t);
    rc = 0;
done:
    if (rc) tls_server_free(t);
    else *out = t;
    return rc;
}

void tls_server_free(TlsServer *t)
{
    if (!t) return;
    SSL_CTX_free(t->ctx);
    dd_free(t);
}

bool tls_server_has_ca(const TlsServer *t) { return t->has_ca; }

size_t tls_server_cbind(const TlsServer *t, const u8 **data)
{
    *data = t->cbind;
    return t->cbind_len;
}

/* "/CN=x/O=y" (pg_stat_ssl's form of a name), "" when it does not fit. */
static void name_text(const X509_NAME *name, char *out, size_t n)
{
    size_t k = 0;
    out[0] = 0;
    for (int i = 0; i < X509_NAME_entry_count(name); i++) {
        const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
        int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
        const char *sn = nid == NID_undef ? "?" : OBJ_nid2sn(nid);
        unsigned char *v = NULL;
        int vl = ASN1_STRING_to_UTF8(&v, X509_NAME_ENTRY_get_data(e));
        if (vl < 0) {
            ERR_clear_error();
            continue;
        }
        int w = snprintf(out + k, n - k, "/%s=%.*s", sn, vl, (const char *)v);
        OPENSSL_free(v);
        if (w < 0 || (size_t)w >= n - k) {
            out[0] = 0;
            return;
        }
        k += (size_t)w;
    }
}

static void fill_info(TlsConn *c)
{
    TlsInfo *i = &c->info;
    snprintf(c->version, sizeof c->version, "%s", SSL_get_version(c->ssl));
    snprintf(c->cipher, sizeof c->cipher, "%s", SSL_get_cipher_name(c->ssl));
    i->version = c->version;
    i->cipher = c->cipher;
    i->bits = SSL_get_cipher_bits(c->ssl, NULL);
    i->client_cn = c->cn;
    i->client_dn = c->dn;
    i->client_serial = c->serial;
    i->issuer_dn = c->issuer;
    X509 *peer = SSL_get0_peer_certificate(c->ssl);
    if (!peer || SSL_get_verify_result(c->ssl) != X509_V_OK) return;
    i->client_cert = true;
    const X509_NAME *subject = X509_get_subject_name(peer);
    int at = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (at >= 0) {
        const ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at));
        int len = ASN1_STRING_length(s);
        const unsigned char *d = ASN1_STRING_get0_data(s);
        /* a CN with a NUL in it could pass for a shorter name: none */
        if (len > 0 && (size_t)len < sizeof c->cn && !memchr(d, 0, (size_t)len)) {
            memcpy(c->cn, d, (size_t)len);
            c->cn[len] = 0;
        }
    }
    name_text(subject, c->dn, sizeof c->dn);
    name_text(X509_get_issuer_name(peer), c->issuer, sizeof c->issuer);
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(peer), NULL);
    char *dec = bn ? BN_bn2dec(bn) : NULL;
    if (dec && strlen(dec) < sizeof c->serial) snprintf(c->serial, sizeof c->serial, "%s", dec);
    OPENSSL_free(dec);
    BN_free(bn);
    ERR_clear_error();
}

int tls_start(const TlsServer *t, int fd, TlsConn **out, char *why, size_t whysz)
{
    *out = NULL;
    TlsConn *c = dd_calloc(1, sizeof *c);
    if (!c) {
        snprintf(why, whysz, "out of memory");
        return -1;
    }
    ERR_clear_error();
    c->ssl = SSL_new(t->ctx);
    if (!c->ssl || SSL_set_fd(c->ssl, fd) != 1) {
        ssl_error_text(why, whysz);
        tls_close(c, false);
        return -1;
    }
    *out = c;
    return 0;
}

int tls_step(TlsConn *c, char *why, size_t whysz)
{
    for (;;) {
        ERR_clear_error();
        errno = 0;
        int r = SSL_accept(c->ssl);
        if (r == 1) break;
        int e = SSL_get_error(c->ssl, r);
        int saved = errno;
        if ((e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) && saved == EINTR) continue;
        /* the socket has nothing yet (nonblocking) or its SO_RCVTIMEO ran out */
        if (e == SSL_ERROR_WANT_READ) return POLLIN;
        if (e == SSL_ERROR_WANT_WRITE) return POLLOUT;
        if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
            snprintf(why, whysz, "%s", saved ? strerror(saved) : "EOF detected");
        else if (e == SSL_ERROR_ZERO_RETURN)
            snprintf(why, whysz, "connection closed during the handshake");
        else
            ssl_error_text(why, whysz);
        c->failed = true;
        return -1;
    }
    fill_info(c);
    c->ready = true;
    return 0;
}

int tls_accept(const TlsServer *t, int fd, TlsConn **out, char *why, size_t whysz)
{
    if (tls_start(t, fd, out, why, whysz) != 0) return -1;
    int r = tls_step(*out, why, whysz);
    if (r == 0) return 0;
    if (r > 0) {   /* a blocking socket: only its timeout stops a step */
        snprintf(why, whysz, "timeout during the handshake");
        (*out)->failed = true;
    }
    tls_close(*out, false);
    *out = NULL;
    return -1;
}

ssize_t tls_read(TlsConn *c, void *buf, size_t n)
{
    if (c->failed) return -1;
    int want = n > (size_t)INT_MAX ? INT_MAX : (int)n;
    for (;;) {
        ERR_clear_error();
        errno = 0;
        int r = SSL_read(c->ssl, buf, want);
        if (r > 0) return r;
        int e = SSL_get_error(c->ssl, r);
        if (e == SSL_ERROR_ZERO_RETURN) return 0;
        /* WANT_READ: interrupted, or nothing came (a nonblocking socket,
         * or a blocking one's SO_RCVTIMEO ran out) */
        if ((e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) && errno == EINTR) continue;
        ERR_clear_error();
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return -2;
        if (e == SSL_ERROR_SYSCALL || e == SSL_ERROR_SSL) c->failed = true;
        return -1;
    }
}

ssize_t tls_write(TlsConn *c, const void *buf, size_t n)
{
    if (c->failed) return -1;
    const u8 *p = buf;
    size_t off = 0;
    while (off < n) {
        int chunk = n - off > (size_t)INT_MAX ? INT_MAX : (int)(n - off);
        ERR_clear_error();
        errno = 0;
        int r = SSL_write(c->ssl, p + off, chunk);
        if (r > 0) {
            off += (size_t)r;
            continue;
        }
        int e = SSL_get_error(c->ssl, r);
        if ((e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) && errno == EINTR) continue;
        c->failed = true;
        ERR_clear_error();
        return -1;
    }
    return (ssize_t)n;
}

bool tls_pending(const TlsConn *c)
{
    return !c->failed && SSL_has_pending(c->ssl);
}

void tls_close(TlsConn *c, bool clean)
{
    if (!c) return;
    if (c->ssl) {
        if (clean && !c->failed && c->ready) SSL_shutdown(c->ssl);   /* close_notify; the peer's is not awaited */
        SSL_free(c->ssl);
    }
    ERR_clear_error();
    dd_free(c);
}

void tls_info(const TlsConn *c, TlsInfo *out) { *out = c->info; }
