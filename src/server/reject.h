/*
 * reject.h - the rejector: answers the clients the server turns away
 * (FATAL 53300 "sorry, too many clients already" at --max-connections,
 * 57P03 "the database system is shutting down" in a smart shutdown)
 * without a thread per client, so that a flood of connections is refused
 * with PostgreSQL's message while the sessions already open go on.
 *
 * It is driven by the accept loop (main.c), which owns it: the loop polls
 * its sockets together with the listeners (reject_fill before poll,
 * reject_run after), so it needs no lock.  Each socket is nonblocking and
 * read as PostgreSQL's postmaster reads a startup packet before it refuses
 * a client:
 *
 *   WAIT_PACKET --SSLRequest: 'S' and a TLS handshake when the server has
 *                 TLS and the client came over TCP (tls_start, tls_step),
 *                 else 'N'; GSSENCRequest: 'N'-----------------> WAIT_PACKET
 *   WAIT_PACKET --CancelRequest: backends_cancel, no reply------> CLOSED
 *   WAIT_PACKET --StartupMessage: the packet's own error
 *                 (pgw_startup_parse) or the refusal, a FATAL
 *                 ErrorResponse---------------------------------> CLOSED
 *   any         --a bad length, a second request of a kind or
 *                 bytes behind a request (08P01 / 0A000, as pgwire.c)
 *                 --------------------------------------------> CLOSED
 *   any         --REJECT_DEADLINE_MS passed, EOF, an error: closed
 *                 without a word-------------------------------> CLOSED
 *
 * Bounds: at most REJECT_MAX sockets wait at once; a new one past that
 * pushes out the one nearest its deadline (closed without a word), so
 * slow or silent clients cannot pin more than REJECT_MAX descriptors for
 * more than REJECT_DEADLINE_MS.
 */
#ifndef DD_REJECT_H
#define DD_REJECT_H

#include "../util/base.h"

#include <poll.h>

#define REJECT_MAX 256
#define REJECT_DEADLINE_MS 5000   /* to send the startup packet (TLS included) */

struct TlsServer;
struct TlsConn;
struct PgwBackends;

typedef enum RejectWhy {
    REJECT_TOO_MANY,          /* 53300 */
    REJECT_SHUTDOWN,          /* 57P03 */
} RejectWhy;

/* One client being turned away. */
typedef struct RejectConn {
    int fd;                   /* -1: a free entry */
    u32 id;                   /* its number in the log, as a connection's backend id */
    RejectWhy why;
    bool tcp;                 /* TLS is offered over TCP only */
    bool ssl_done, gss_done;  /* each encryption request is answered once */
    bool handshaking;         /* tls_step has not finished */
    short want;               /* POLLIN, or POLLOUT while the handshake writes */
    i64 deadline_us;          /* clock_mono_us() at which it is dropped */
    struct TlsConn *tls;      /* once the client asked for TLS and got 'S' */
    u8 hdr[4];                /* the packet's length word */
    u32 len;                  /* the packet's length, 0 while hdr is read */
    u32 got;                  /* bytes of the packet read so far */
    u8 *body;                 /* [len - 4] (dd_malloc) */
} RejectConn;

typedef struct Rejector {
    RejectConn c[REJECT_MAX];
    int n;                    /* entries in use */
    const struct TlsServer *tls;     /* the server's TLS, or NULL */
    struct PgwBackends *backends;    /* for CancelRequests */
} Rejector;

void reject_init(Rejector *r, const struct TlsServer *tls, struct PgwBackends *backends);
/* Takes over fd (accepted; tcp: from the TCP listener) to refuse it for
 * why; id numbers it in the log.  The socket is closed by the rejector. */
void reject_add(Rejector *r, int fd, bool tcp, RejectWhy why, u32 id);
/* Fills pfd[0 .. REJECT_MAX) for poll(): entry i's socket or -1. */
void reject_fill(const Rejector *r, struct pollfd *pfd);
/* How long poll() may sleep before a deadline passes: ms, or -1 (none). */
int reject_timeout_ms(const Rejector *r);
/* Serves the entries pfd (filled by reject_fill, then polled) found
 * ready and drops those past their deadline. */
void reject_run(Rejector *r, const struct pollfd *pfd);
/* Closes every waiting socket without a word (shutdown). */
void reject_close_all(Rejector *r);

#endif
