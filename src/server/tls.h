/*
 * tls.h - TLS for driftdb-server through OpenSSL 3 (DESIGN §6), as
 * PostgreSQL 15 offers it: `--tls-cert FILE --tls-key FILE [--tls-ca
 * FILE]`, an SSLRequest answered 'S', then a TLS handshake on the same
 * socket, after which every byte of the connection goes through the
 * session (tls_read / tls_write).
 *
 * Two objects:
 *   TlsServer   the server's context (SSL_CTX, loaded once at start, shared
 *               read-only by every connection thread), and the hash of its
 *               certificate for SCRAM channel binding (RFC 5929
 *               tls-server-end-point: the certificate's signature digest,
 *               SHA-256 when that is MD5 or SHA-1).
 *   TlsConn     one connection's TLS session, owned by its thread.
 *
 * Policy (PostgreSQL 15's defaults): TLS 1.2 at least; no renegotiation;
 * no session tickets or session cache (a connection is one session); with
 * a CA file, client certificates are requested (its subjects sent as the
 * acceptable CA list) and verified against it when sent, so a client with
 * a certificate the CA did not sign fails the handshake, and one without a
 * certificate gets through (the hba line's clientcert / cert decides).
 *
 * A connection thread's socket stays blocking: a read that runs into the
 * socket's SO_RCVTIMEO (the startup timeout, which covers the handshake)
 * fails like a plaintext one, so a client that stops mid-handshake is
 * dropped then.  The rejector runs the handshake on a nonblocking socket
 * in steps (tls_start, tls_step).
 */
#ifndef DD_TLS_H
#define DD_TLS_H

#include "../util/base.h"

#include <sys/types.h>

#define TLS_MAX_CBIND 64          /* a certificate hash: up to SHA-512 */

typedef struct TlsServer TlsServer;
typedef struct TlsConn TlsConn;

/* Loads the certificate chain, its private key (which must match it) and,
 * when ca is not NULL, the CA certificates client certificates are checked
 * against.  0 with *out, or -1 with a message naming the file in err. */
int tls_server_load(const char *cert, const char *key, const char *ca, TlsServer **out, char *err,
                    size_t errsz);
void tls_server_free(TlsServer *t);
/* Whether a CA file was given (client certificates can be checked). */
bool tls_server_has_ca(const TlsServer *t);
/* The tls-server-end-point channel binding data (the certificate's hash)
 * and its length; 0 when the signature's digest is unknown (then
 * SCRAM-SHA-256-PLUS is not offered). */
size_t tls_server_cbind(const TlsServer *t, const u8 **data);

/* Runs the server side of the handshake on fd.  0 with *out, or -1 (the
 * client went away, timed out or spoke no TLS) with a reason in why. */
int tls_accept(const TlsServer *t, int fd, TlsConn **out, char *why, size_t whysz);
/* The same handshake in steps, for a nonblocking socket (the rejector,
 * reject.h): tls_start makes the session (0 with *out, or -1 with why);
 * tls_step advances it: 0 when it finished, POLLIN or POLLOUT when it
 * waits for the socket to be readable or writable (call again then), -1
 * when it failed (why; then tls_close(c, false)). */
int tls_start(const TlsServer *t, int fd, TlsConn **out, char *why, size_t whysz);
int tls_step(TlsConn *c, char *why, size_t whysz);
/* Reads up to n bytes.  > 0 bytes read, 0 on a clean end (close_notify or
 * EOF), -2 when nothing came (a nonblocking socket, or SO_RCVTIMEO ran
 * out), -1 on an error. */
ssize_t tls_read(TlsConn *c, void *buf, size_t n);
/* Writes all n bytes (or fails).  n, or -1. */
ssize_t tls_write(TlsConn *c, const void *buf, size_t n);
/* Whether bytes already received wait in the session (a read will not
 * block): poll() on the socket cannot see them. */
bool tls_pending(const TlsConn *c);
/* Sends close_notify when clean is true, and frees the session (the fd
 * stays open).  NULL is a no-op. */
void tls_close(TlsConn *c, bool clean);

/* What pg_stat_ssl and authentication need to know of a session.  The
 * strings point into the TlsConn and live as long as it. */
typedef struct TlsInfo {
    const char *version;          /* "TLSv1.3" */
    const char *cipher;           /* "TLS_AES_256_GCM_SHA384" */
    int bits;
    bool client_cert;             /* a client certificate was sent and verified */
    const char *client_cn;        /* its subject's CN, "" when none (or one with a NUL) */
    const char *client_dn;        /* "/CN=x/O=y" as pg_stat_ssl shows it, "" when none */
    const char *client_serial;    /* decimal, "" when none */
    const char *issuer_dn;        /* "" when none */
} TlsInfo;
void tls_info(const TlsConn *c, TlsInfo *out);

#endif
