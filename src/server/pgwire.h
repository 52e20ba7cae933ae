/*
 * pgwire.h - the PostgreSQL wire protocol v3.0, server side: message
 * framing and the per-connection protocol state machine (pgwire.c).
 *
 * One call, pgw_serve(), runs one client connection from its first byte to
 * its end on the calling thread: startup (SSLRequest and the TLS handshake,
 * GSS refusal, CancelRequest, StartupMessage), authentication (hba.h), the
 * simple and the extended
 * query protocol and Terminate.  Everything it does to the database goes
 * through include/driftdb.h (prepared statements and portals included).
 *
 * Wire formats (all integers big-endian, "Int32" counts itself in lengths,
 * "String" is NUL-terminated UTF-8):
 *
 * Untyped startup-phase packets, client -> server:
 *   StartupMessage   Int32 len | Int32 protocol (3 << 16 | 0)
 *                    | { String name | String value }* | Byte 0
 *   SSLRequest       Int32 len = 8 | Int32 80877103 (1234 << 16 | 5679)
 *   GSSENCRequest    Int32 len = 8 | Int32 80877104 (1234 << 16 | 5680)
 *   CancelRequest    Int32 len = 16 | Int32 80877102 (1234 << 16 | 5678)
 *                    | Int32 backend id | Int32 secret
 *   Startup packets are 8 .. PGW_MAX_STARTUP bytes long.  An SSLRequest is
 *   answered with the single untyped byte 'S' when the server has TLS
 *   (--tls-cert) and the client came over TCP, then the TLS handshake
 *   starts and every later byte, both ways, is inside TLS; otherwise, and
 *   for a GSSENCRequest, with 'N' (not supported), and the client goes on
 *   in plaintext.  Bytes sent behind the request before its answer are a
 *   FATAL 08P01 (CVE-2021-23214).
 *
 * Typed messages: Byte1 type | Int32 len (4 + body) | body.  A len < 4 or
 * > PGW_MAX_MESSAGE is a protocol violation (FATAL 08P01, close).
 *
 * Client -> server, handled:
 *   'Q' Query         String sql                 (body consumed exactly)
 *   'X' Terminate     (empty)
 *   'P' Parse         String statement name ("" unnamed) | String sql
 *                     | Int16 n | Int32 parameter type oid * n (0: infer)
 *   'B' Bind          String portal | String statement | Int16 nf
 *                     | Int16 format * nf (0 text, 1 binary; nf 0: all
 *                     text, 1: for all, else one per parameter)
 *                     | Int16 np | { Int32 len (-1 NULL) | len bytes } * np
 *                     | Int16 nr | Int16 result format * nr (same rule,
 *                     per result column)
 *   'D' Describe      Byte1 'S' | 'P' | String name
 *   'E' Execute       String portal | Int32 max rows (0: all)
 *   'C' Close         Byte1 'S' | 'P' | String name
 *   'S' Sync          (empty)   ends the implicit transaction and an error
 *                     state; ReadyForQuery
 *   'H' Flush         (empty)   sends what is pending
 *   A Parse, Bind, Describe, Execute or Close whose fields do not fill its
 *   body exactly (truncated, trailing bytes, a parameter longer than the
 *   message) is FATAL 08P01.  A well-formed one that is wrong (counts
 *   that do not match, unknown names, format codes other than 0/1) is an
 *   ERROR; after any ERROR, messages are skipped until Sync.
 *   'F' FunctionCall  ErrorResponse 0A000 + ReadyForQuery
 *   'd' CopyData      bytes of the COPY FROM STDIN stream, any split
 *   'c' CopyDone      (empty)   ends the stream: the rows commit
 *   'f' CopyFail      String why: the COPY fails (57014)
 *   During COPY FROM STDIN 'H' and 'S' are ignored and any other type is
 *   an ERROR 08P01 that ends the COPY; outside COPY 'd', 'c' and 'f' are
 *   ignored (after a failed COPY the client may still be sending them).
 *   anything else     FATAL 08P01 "invalid frontend message type", close
 *
 * Server -> client:
 *   'R' AuthenticationOk   Int32 len = 8 | Int32 0
 *   'S' ParameterStatus    String name | String value
 *   'K' BackendKeyData     Int32 len = 12 | Int32 backend id | Int32 secret
 *   'v' NegotiateProtocolVersion
 *                          Int32 newest minor supported (0)
 *                          | Int32 n | String unrecognized option * n
 *   'Z' ReadyForQuery      Int32 len = 5 | Byte1 'I' | 'T' | 'E'
 *   'T' RowDescription     Int16 nfields | per field: String name
 *                          | Int32 table oid (0) | Int16 attnum (0)
 *                          | Int32 type oid | Int16 typlen | Int32 typmod
 *                          | Int16 format (0 text, 1 binary: Describe of a
 *                          portal gives its Bind formats)
 *   'D' DataRow            Int16 ncols | per col: Int32 n (-1 = NULL) | n bytes
 *   '1' ParseComplete, '2' BindComplete, '3' CloseComplete, 'n' NoData,
 *   's' PortalSuspended    (empty)
 *   't' ParameterDescription  Int16 n | Int32 type oid * n
 *   'G' CopyInResponse     Int8 format (0 text, 1 binary) | Int16 ncols
 *                          | Int16 format * ncols (all the same)
 *   'H' CopyOutResponse    Int8 format (0 text, 1 binary) | Int16 ncols
 *                          | Int16 format * ncols (all the same)
 *   'd' CopyData           bytes of the COPY stream (one row, a header
 *                          or the binary trailer per message)
 *   'c' CopyDone           (empty)
 *   'C' CommandComplete    String tag
 *   'I' EmptyQueryResponse (empty)
 *   'E' ErrorResponse      { Byte1 field | String value }* | Byte 0, fields
 *   'N' NoticeResponse        S severity, V severity (non-localized),
 *                             C SQLSTATE, M message, D detail, H hint,
 *                             P position (decimal text, 1-based),
 *                             W context ("COPY t, line 17")
 *
 * Buffering: replies are collected in a per-connection write buffer and
 * sent at ReadyForQuery, before blocking on a read, or when the buffer
 * passes PGW_FLUSH_AT bytes, never one syscall per DataRow.
 */
#ifndef DD_PGWIRE_H
#define DD_PGWIRE_H

#include "driftdb.h"
#include "../util/base.h"

#include <stdatomic.h>
#include <sys/socket.h>

#define PGW_PROTOCOL_3_0 (3u << 16)
#define PGW_SSL_REQUEST_CODE ((1234u << 16) | 5679u)
#define PGW_GSSENC_REQUEST_CODE ((1234u << 16) | 5680u)
#define PGW_CANCEL_REQUEST_CODE ((1234u << 16) | 5678u)

#define PGW_MAX_STARTUP 10000u            /* as PostgreSQL's MAX_STARTUP_PACKET_LENGTH */
#define PGW_MAX_MESSAGE (1u << 30)        /* 1 GiB, including the length word */
#define PGW_FLUSH_AT (64u * 1024u)        /* write buffer flush threshold */
#define PGW_STARTUP_TIMEOUT_S 60          /* as PostgreSQL's authentication_timeout */

DD_STATIC_ASSERT(PGW_SSL_REQUEST_CODE == 80877103u, "SSLRequest code");
DD_STATIC_ASSERT(PGW_GSSENC_REQUEST_CODE == 80877104u, "GSSENCRequest code");
DD_STATIC_ASSERT(PGW_CANCEL_REQUEST_CODE == 80877102u, "CancelRequest code");
DD_STATIC_ASSERT(PGW_PROTOCOL_3_0 == 196608u, "protocol 3.0 code");

/* What one connection needs from the server.  All pointers are borrowed
 * and must stay valid until pgw_serve returns. */
typedef struct PgwConfig {
    driftdb *db;
    const char *client_addr;   /* "127.0.0.1:51234", for the session and logs */
    u32 backend_id;            /* BackendKeyData process id (unique per connection) */
    atomic_int *nsessions;     /* sessions admitted across the server */
    int max_sessions;          /* above this: FATAL 53300 after startup */
    const atomic_bool *stopping; /* set: smart shutdown, a new session gets
                                  FATAL 57P03 after startup; or NULL */
    struct PgwBackends *backends; /* sessions by BackendKeyData (backends.h), or NULL */
    /* Authentication (hba.h): the rules, or NULL to admit every role
     * without a password; the peer's address (NULL: the Unix socket) and
     * its host part as messages name it ("127.0.0.1"). */
    const struct Hba *hba;
    const struct sockaddr_storage *peer;
    const char *client_host;
    /* TLS (tls.h): the server's context, or NULL to answer every
     * SSLRequest 'N' */
    const struct TlsServer *tls;
    int port;                  /* the TCP port listened on (SHOW port) */
} PgwConfig;

/* A StartupMessage as pgw_startup_parse found it; the strings point into
 * the packet and live as long as it. */
typedef struct PgwStartup {
    u32 major, minor;          /* the protocol version asked for (3.x) */
    const char *user;          /* never empty */
    const char *database;      /* the user's name when none was given */
    const char *app;           /* application_name, "" when none */
    u32 nunknown;              /* _pq_. options (NegotiateProtocolVersion) */
    const u8 *params;          /* the name/value list, for a second walk */
    size_t params_len;
} PgwStartup;

/*
 * Checks the body of a startup packet (after its length word) that is no
 * SSLRequest, GSSENCRequest or CancelRequest, as PostgreSQL does before
 * anything else: 0 with *out, or -1 with the FATAL to send (state gets
 * the SQLSTATE: 0A000 for a protocol other than 3.x or a replication
 * connection, 08P01 for a bad layout, 28000 for no user name).
 */
int pgw_startup_parse(const u8 *body, size_t n, PgwStartup *out, char state[6], char *msg, size_t msgsz);

/*
 * Serves the client on fd until it terminates, vanishes, violates the
 * protocol or the socket is shut down.  Any session it opened is closed
 * (rolling back an open transaction) before it returns; fd stays open (the
 * caller closes it).  Returns 0 on a clean Terminate or EOF at a message
 * boundary, -1 otherwise (protocol violation, I/O error, refused startup).
 */
int pgw_serve(int fd, const PgwConfig *cfg);

#endif
