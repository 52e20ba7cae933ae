/*
 * reject.c - the rejector (reject.h): clients the server turns away,
 * answered from the accept loop on nonblocking sockets.
 *
 * Invariants:
 *   - Only the accept loop's thread touches a Rejector.
 *   - c[i].fd >= 0 for exactly r->n entries; a free entry holds no TLS
 *     session and no body.
 *   - An entry reads one packet at a time: its length word into hdr
 *     (len 0 until it is there and valid), then len - 4 bytes into body;
 *     got counts both.  Nothing is read past the packet, so bytes a client
 *     sent behind an encryption request are still in the socket when it
 *     is answered, where a peek finds them (CVE-2021-23214, as pgwire.c).
 *   - Every reply is a few bytes to a socket that has sent nothing but a
 *     startup packet, so one send finishes it; one that would block is
 *     given up with the client.
 */
#include "reject.h"
#include "backends.h"
#include "log.h"
#include "pgwire.h"
#include "tls.h"

#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void reject_init(Rejector *r, const struct TlsServer *tls, struct PgwBackends *backends)
{
    memset(r, 0, sizeof *r);
    for (int i = 0; i < REJECT_MAX; i++) r->c[i].fd = -1;
    r->tls = tls;
    r->backends = backends;
}

/* Closes c's socket (after close_notify when clean and TLS is up) and
 * frees the entry.  After a reply, bytes the client sent behind what was
 * read are read first (up to 64 KiB): a socket closed with unread input
 * resets the connection, and the reset could reach the client before it
 * read the reply. */
static void rc_drop(Rejector *r, RejectConn *c, bool clean)
{
    tls_close(c->tls, clean);
    for (int i = 0; clean && i < 16; i++) {
        u8 sink[4096];
        if (recv(c->fd, sink, sizeof sink, MSG_DONTWAIT) <= 0) break;
    }
    close(c->fd);
    dd_free(c->body);
    memset(c, 0, sizeof *c);
    c->fd = -1;
    r->n--;
}

void reject_add(Rejector *r, int fd, bool tcp, RejectWhy why, u32 id)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) {
        close(fd);
        return;
    }
    RejectConn *slot = NULL, *oldest = NULL;
    for (int i = 0; i < REJECT_MAX && !slot; i++) {
        RejectConn *c = &r->c[i];
        if (c->fd < 0) slot = c;
        else if (!oldest || c->deadline_us < oldest->deadline_us) oldest = c;
    }
    if (!slot) {   /* full: the one that has waited longest goes */
        rc_drop(r, oldest, false);
        slot = oldest;
    }
    slot->fd = fd;
    slot->id = id;
    slot->why = why;
    slot->tcp = tcp;
    slot->want = POLLIN;
    slot->deadline_us = clock_mono_us() + (i64)REJECT_DEADLINE_MS * 1000;
    r->n++;
}

void reject_fill(const Rejector *r, struct pollfd *pfd)
{
    for (int i = 0; i < REJECT_MAX; i++)
        pfd[i] = (struct pollfd){.fd = r->c[i].fd, .events = r->c[i].want};
}

int reject_timeout_ms(const Rejector *r)
{
    if (r->n == 0) return -1;
    i64 first = INT64_MAX;
    for (int i = 0; i < REJECT_MAX; i++)
        if (r->c[i].fd >= 0 && r->c[i].deadline_us < first) first = r->c[i].deadline_us;
    i64 left = first - clock_mono_us();
    return left <= 0 ? 0 : (int)((left + 999) / 1000);
}

/* Reads up to n bytes: > 0, 0 at EOF, -2 when none are there yet, -1 on
 * an error. */
static ssize_t rc_read(RejectConn *c, void *p, size_t n)
{
    if (c->tls) return tls_read(c->tls, p, n);
    for (;;) {
        ssize_t k = recv(c->fd, p, n, MSG_DONTWAIT);
        if (k >= 0) return k;
        if (errno == EINTR) continue;
        return errno == EAGAIN || errno == EWOULDBLOCK ? -2 : -1;
    }
}

/* Sends all of p, or fails (-1): a reply that does not fit the socket's
 * buffer at once is not waited for. */
static int rc_send(RejectConn *c, const void *p, size_t n)
{
    if (c->tls) return tls_write(c->tls, p, n) == (ssize_t)n ? 0 : -1;
    size_t off = 0;
    while (off < n) {
        ssize_t k = send(c->fd, (const u8 *)p + off, n - off, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        off += (size_t)k;
    }
    return 0;
}

static void put_field(Buf *b, u8 code, const char *value)
{
    buf_putc(b, code);
    buf_puts(b, value);
    buf_putc(b, 0);
}

/* Appends a FATAL ErrorResponse to out, logs it (as PostgreSQL logs every
 * FATAL) and sends out. */
static void rc_fatal(RejectConn *c, Buf *out, const char *state, const char *msg, const char *detail)
{
    log_msg(LOG_FATAL, c->id, "%s", msg);
    buf_putc(out, 'E');
    size_t at = out->len;
    buf_put_u32be(out, 0);
    put_field(out, 'S', "FATAL");
    put_field(out, 'V', "FATAL");
    put_field(out, 'C', state);
    put_field(out, 'M', msg);
    if (detail) put_field(out, 'D', detail);
    buf_putc(out, 0);
    if (!buf_ok(out)) return;
    put_u32be(out->data + at, (u32)(out->len - at));
    rc_send(c, out->data, out->len);
}

/* NegotiateProtocolVersion for a StartupMessage asking for 3.1 or more or
 * for _pq_. options, as pgwire.c sends it before its answer. */
static void put_negotiate(Buf *out, const PgwStartup *st)
{
    buf_putc(out, 'v');
    size_t at = out->len;
    buf_put_u32be(out, 0);
    buf_put_u32be(out, 0);   /* 3.0 */
    buf_put_u32be(out, st->nunknown);
    Cursor p;
    cur_init(&p, st->params, st->params_len);
    for (;;) {
        const char *name = cur_cstr(&p);
        if (!name || !name[0]) break;
        const char *value = cur_cstr(&p);
        if (!value) break;
        if (strncmp(name, "_pq_.", 5) == 0) {
            buf_puts(out, name);
            buf_putc(out, 0);
        }
    }
    if (buf_ok(out)) put_u32be(out->data + at, (u32)(out->len - at));
}

/*
 * Answers the whole packet in c->body.  Returns true when the client goes
 * on (an encryption request was answered), false when it is done.
 */
static bool rc_packet(Rejector *r, RejectConn *c)
{
    u32 code = get_u32be(c->body);
    size_t n = c->len - 4;
    Buf out = BUF_INIT;
    bool ssl = code == PGW_SSL_REQUEST_CODE;
    if ((ssl && !c->ssl_done) || (code == PGW_GSSENC_REQUEST_CODE && !c->gss_done)) {
        if (n != 4) {
            rc_fatal(c, &out, "08P01", "invalid encryption request", NULL);
            buf_free(&out);
            return false;
        }
        bool yes = ssl && r->tls && c->tcp;
        if (ssl) c->ssl_done = true;
        else c->gss_done = true;
        /* bytes sent behind the request before its answer (only ever in
         * plaintext: once TLS is up both requests count as answered) */
        u8 b;
        bool early = recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
        u8 answer = yes ? 'S' : 'N';
        if (rc_send(c, &answer, 1) != 0) return false;
        /* refused at once, in plaintext: pgwire.c (and PostgreSQL) run the
         * handshake first and send it inside TLS, but a client that put
         * plaintext behind its SSLRequest fails that handshake anyway */
        if (early) {
            char m[64];
            snprintf(m, sizeof m, "received unencrypted data after %s request", ssl ? "SSL" : "GSSAPI encryption");
            rc_fatal(c, &out, "08P01", m,
                     "This could be either a client-software bug or evidence of an attempted man-in-the-middle attack.");
            buf_free(&out);
            return false;
        }
        if (yes) {
            char why[256];
            if (tls_start(r->tls, c->fd, &c->tls, why, sizeof why) != 0) {
                log_msg(LOG_LOG, c->id, "could not accept SSL connection: %s", why);
                return false;
            }
            c->handshaking = true;
            c->gss_done = true;
        }
        return true;
    }
    if (code == PGW_CANCEL_REQUEST_CODE) {
        /* honoured as pgwire.c does: no reply, whether it matched or not */
        if (n == 12 && r->backends) {
            u32 id = get_u32be(c->body + 4), secret = get_u32be(c->body + 8);
            if (!backends_cancel(r->backends, id, secret))
                log_msg(LOG_LOG, c->id, "wrong key in cancel request for process %u", id);
        }
        return false;
    }
    PgwStartup st;
    char state[6], msg[256];
    if (pgw_startup_parse(c->body, n, &st, state, msg, sizeof msg) != 0) {
        rc_fatal(c, &out, state, msg, NULL);
    } else {
        if (st.minor > 0 || st.nunknown > 0) put_negotiate(&out, &st);
        if (c->why == REJECT_SHUTDOWN) rc_fatal(c, &out, "57P03", "the database system is shutting down", NULL);
        else rc_fatal(c, &out, "53300", "sorry, too many clients already", NULL);
    }
    buf_free(&out);
    return false;
}

/* Advances c as far as the bytes there allow.  Returns true while it
 * waits for more, false when it is done (the caller drops it). */
static bool rc_step(Rejector *r, RejectConn *c)
{
    for (;;) {
        if (c->handshaking) {
            char why[256];
            int w = tls_step(c->tls, why, sizeof why);
            if (w < 0) {
                log_msg(LOG_LOG, c->id, "could not accept SSL connection: %s", why);
                return false;
            }
            if (w > 0) {
                c->want = (short)w;
                return true;
            }
            c->handshaking = false;
            c->want = POLLIN;
        }
        if (c->got < 4 || c->got < c->len) {
            u8 *dst = c->got < 4 ? c->hdr + c->got : c->body + (c->got - 4);
            size_t need = c->got < 4 ? 4 - c->got : c->len - c->got;
            ssize_t k = rc_read(c, dst, need);
            if (k == -2) return true;
            if (k <= 0) return false;   /* gone (a port probe, a client giving up) */
            c->got += (u32)k;
            if (c->got == 4 && c->len == 0) {
                u32 len = get_u32be(c->hdr);
                Buf out = BUF_INIT;
                if (len < 8 || len > PGW_MAX_STARTUP) {
                    rc_fatal(c, &out, "08P01", "invalid length of startup packet", NULL);
                    buf_free(&out);
                    return false;
                }
                c->len = len;
                if (!(c->body = dd_malloc(len - 4))) return false;
            }
            continue;
        }
        bool more = rc_packet(r, c);
        dd_free(c->body);
        c->body = NULL;
        c->got = c->len = 0;
        if (!more) return false;
    }
}

void reject_run(Rejector *r, const struct pollfd *pfd)
{
    i64 now = clock_mono_us();
    for (int i = 0; i < REJECT_MAX && r->n > 0; i++) {
        RejectConn *c = &r->c[i];
        if (c->fd < 0) continue;
        if (pfd[i].fd == c->fd && pfd[i].revents && !rc_step(r, c)) {
            rc_drop(r, c, true);
            continue;
        }
        if (now >= c->deadline_us) rc_drop(r, c, false);
    }
}

void reject_close_all(Rejector *r)
{
    for (int i = 0; i < REJECT_MAX && r->n > 0; i++)
        if (r->c[i].fd >= 0) rc_drop(r, &r->c[i], false);
}
