/*
 * pgwire.c - one PostgreSQL v3 client connection: reading and framing
 * messages, the protocol state machine, and turning driftdb.h results into
 * RowDescription / DataRow / CommandComplete / ErrorResponse.
 *
 * Invariants:
 *   - Every byte from the client is read through a length-checked Cursor
 *     over a message body whose length was validated first (startup
 *     packets 8..PGW_MAX_STARTUP, typed messages 4..PGW_MAX_MESSAGE); the
 *     body buffer grows only as bytes actually arrive, and is released
 *     after a message that made it larger than PGW_KEEP_BUF.
 *   - Replies go to the write buffer c->out and reach the socket in
 *     conn_flush: in conn_read just before it would block (so messages a
 *     client pipelined get their replies in one write), at Flush, and
 *     while streaming rows once PGW_FLUSH_AT bytes are pending.
 *   - A write failure marks the connection broken; from then on nothing is
 *     sent, the running statement is abandoned and pgw_serve returns, which
 *     closes the session (rolling back an open transaction).
 *   - Once c->tls is set (the handshake finished) no byte is read from or
 *     written to the socket except through it; rbuf then holds decrypted
 *     bytes only (plaintext read before the handshake is refused, never
 *     used).  poll() cannot see bytes the TLS session already holds, so
 *     conn_read asks tls_pending before it waits.
 *   - A client counts in cfg->nsessions from conn_admit (after its
 *     startup packet, before authentication, as a PostgreSQL backend
 *     takes its PGPROC) until pgw_serve returns (c->admitted); c->sess is
 *     set from conn_open_session until then, only for an admitted client;
 *     READY and SKIP_TO_SYNC have one (conn_check).
 *   - A statement's NoticeResponses precede what ends it: its
 *     CommandComplete, or its ErrorResponse when it fails after raising
 *     them (send_notices from its result, send_fail_notices from the
 *     session when the engine freed the result with the error).
 *   - Extended protocol: c->stmts and c->portals own their engine handles.
 *     At most one portal has an open driftdb_result between messages
 *     (c->suspended, after Execute stopped at its row limit); before
 *     another statement runs, its rest is read into the portal's held
 *     buffer (conn_hold_suspended); it is forgotten when an error fails
 *     the transaction (conn_fail_txn: the engine frees the current
 *     result), as every ERROR of the extended protocol does.
 *     Portals end with the transaction: at Sync or a simple query outside
 *     a transaction block.  SQL FETCH / MOVE / CLOSE reach them by name
 *     through the session's portal hooks (conn_portal_find): c->running
 *     is the portal whose statement runs, which they may not touch.
 *
 * Connection states (the function behind each transition):
 *
 *   STARTUP --SSLRequest, TLS configured (--tls-cert) and a TCP client:
 *             conn_startup answers 'S', tls_accept runs the handshake;
 *             from then on every read and write goes through the TLS
 *             session (conn_read, conn_send)----------------------> STARTUP
 *   STARTUP --SSLRequest otherwise, GSSENCRequest: conn_startup answers
 *             'N'----------------------------------------------------> STARTUP
 *   STARTUP --handshake failed (garbage, the client left, the startup
 *             timeout): closed without a word-----------------------> CLOSED
 *   STARTUP --bytes that came behind an SSLRequest / GSSENCRequest,
 *             before the answer (CVE-2021-23214): FATAL 08P01------> CLOSED
 *   STARTUP --a second SSLRequest (or GSSENCRequest), or one after
 *             TLS is up: read as protocol 1234.5679, FATAL 0A000---> CLOSED
 *   STARTUP --CancelRequest: conn_startup (ignored)------------------> CLOSED
 *   STARTUP --bad packet, protocol != 3.x (pgw_startup_parse), too many
 *             clients or a smart shutdown (conn_admit), authentication
 *             or session open failure: conn_fatal--------------------> CLOSED
 *   STARTUP --StartupMessage 3.x: conn_startup, conn_open_session
 *             (AuthenticationOk, ParameterStatus*, BackendKeyData,
 *             ReadyForQuery)----------------------------------------> READY
 *   READY   --'Q': conn_simple_query (results, ReadyForQuery)--------> READY
 *   READY   --'S' alone: conn_ready_for_query-----------------------> READY
 *   READY   --'F': conn_serve_loop (0A000, ReadyForQuery)----------> READY
 *   READY   --'P' 'B' 'D' 'E' 'C': conn_parse, conn_bind, conn_describe,
 *             conn_execute, conn_close_msg---------------------------> READY
 *   READY   --an ERROR in one of them: conn_ext_error-------> SKIP_TO_SYNC
 *   READY   --a COPY run by 'Q' or 'E': conn_send_copy (TO STDOUT:
 *             CopyOutResponse, CopyData*, CopyDone; FROM STDIN:
 *             CopyInResponse, then conn_copy_in reads CopyData up to
 *             CopyDone / CopyFail, ignoring Flush and Sync)----------> READY
 *   READY   --another message during COPY IN: ERROR, then FATAL
 *             08P01 (conn_copy_in)----------------------------------> CLOSED
 *   READY   --'S': conn_sync (commit the implicit transaction,
 *             ReadyForQuery)-----------------------------------------> READY
 *   READY   --'H' (Flush)---> READY
 *   SKIP_TO_SYNC --any other message: conn_serve_loop drops it-> SKIP_TO_SYNC
 *   SKIP_TO_SYNC --'S': conn_sync-------------------------------------> READY
 *   READY, SKIP_TO_SYNC --'X' or EOF: conn_serve_loop---------------> CLOSED
 *   any     --bad length, unknown type, I/O error: conn_fatal-------> CLOSED
 *
 * Decisions: TLS follows PostgreSQL 15 (tls.h): TCP only, the startup
 * timeout covers the handshake, a CancelRequest is honoured over TLS as
 * in plaintext, hostssl / hostnossl lines see whether TLS is up, and on
 * TLS SCRAM-SHA-256-PLUS is offered first (tls-server-end-point channel
 * binding, util/scram.h).  A Sync outside an error state only answers
 * ReadyForQuery, as PostgreSQL does (there is nothing to refuse).
 * Startup parameters other than user, database, application_name,
 * client_encoding and options are applied with SET; one the engine
 * refuses becomes a WARNING notice rather than a FATAL, so unusual
 * drivers still connect.  We speak UTF8 only:
 * a client_encoding of UTF8 or SQL_ASCII is accepted, any other one gets a
 * WARNING and the ParameterStatus tells the client it is UTF8.
 *
 * Log (log.h): every FATAL sent is logged, as PostgreSQL does; statement
 * ERRORs are not.  --log-connections adds PostgreSQL's "connection
 * received" / "connection authorized" lines.  log_min_duration_statement
 * is a session setting whose default the server gives
 * (driftdb_session_config, again after a SIGHUP changed it): a simple
 * query is timed as a whole ("statement: " and its full text, once, as
 * PostgreSQL), an Execute on its own ("execute NAME: " and its statement's
 * text, which PgwText keeps for statements and their portals).
 */
#include "pgwire.h"
#include "metrics.h"
#include "backends.h"
#include "hba.h"
#include "log.h"
#include "tls.h"

#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/clock.h"
#include "../util/scram.h"

#include <errno.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define PGW_KEEP_BUF (1u << 20)      /* buffers above this are freed after use */
#define PGW_READ_CHUNK (1u << 20)    /* body buffer growth step while reading */
#define PGW_MAX_FIELDS 32767         /* Int16 field count in RowDescription */
#define PGW_MAX_HELD (256u << 20)    /* rows of a suspended portal kept in memory */

typedef enum PgwState {
    PGW_STARTUP,
    PGW_READY,
    PGW_SKIP_TO_SYNC,
    PGW_CLOSED,
} PgwState;

/* The parameters reported with ParameterStatus at startup, and again after
 * any statement that changed one.  dflt NULL: computed (see param_value). */
static const struct {
    const char *name;
    const char *dflt;
    bool from_session;   /* the engine owns it: re-check after statements */
} reported_params[] = {
    {"server_version", "15.0", false},
    {"server_encoding", "UTF8", false},
    {"client_encoding", "UTF8", true},
    {"application_name", NULL, true},
    {"DateStyle", "ISO, MDY", true},
    {"IntervalStyle", "postgres", true},
    {"TimeZone", "UTC", true},
    {"integer_datetimes", "on", false},
    {"standard_conforming_strings", "on", true},
    {"is_superuser", "on", false},
    {"session_authorization", NULL, false},
};
#define NREPORTED DD_ARRAY_LEN(reported_params)

/* A statement's name and text, shared by it and its portals for the
 * duration log (a portal outlives a Close of its statement). */
typedef struct PgwText {
    int refs;                  /* the statement and each portal of it */
    char *sql;                 /* points into the same allocation */
    char name[];
} PgwText;

/* A prepared statement of the connection (Parse); "" is the unnamed one. */
typedef struct PgwStmt {
    char *name;
    driftdb_stmt *st;
    PgwText *text;
    struct PgwStmt *next;
} PgwStmt;

/* A portal (Bind).  Its result stays open while it is suspended (Execute
 * with a row limit).  The engine runs one statement at a time, so before
 * another statement runs, the suspended portal's remaining rows are read
 * into `held` (encoded DataRows, then its NoticeResponse / CommandComplete
 * or ErrorResponse) and later Executes send from there, as PostgreSQL's
 * tuplestore-backed portals.  An engine error closes it (interrupted). */
typedef struct PgwPortal {
    char *name;
    driftdb_portal *p;
    PgwText *text;             /* its statement's (a reference) */
    i16 *formats;              /* result column formats from Bind */
    int nformats;
    driftdb_result *r;         /* open while suspended */
    bool has_rows;
    bool done;                 /* ran to completion */
    bool empty;                /* done, and its statement was empty */
    bool interrupted;          /* suspended, then closed by an error */
    bool runs_failed;          /* may run in a failed transaction block: bound
                                  there (a ROLLBACK or COMMIT, all Bind lets
                                  through then) or empty */
    bool holding;              /* the rest of its rows are in held */
    bool held_error;           /* held ends with an ErrorResponse */
    Buf held;                  /* messages not yet sent, from held_pos */
    size_t held_pos;
    char tag[64];              /* its command tag, once done */
    struct PgwPortal *next;
} PgwPortal;

typedef struct Conn {
    int fd;
    TlsConn *tls;                 /* after the handshake: all I/O goes through it */
    const PgwConfig *cfg;
    PgwState state;
    bool admitted;                /* counted in cfg->nsessions (conn_admit) */
    bool broken;                  /* a write failed: send nothing more */
    driftdb_session *sess;        /* READY and SKIP_TO_SYNC only */
    char *user;                   /* from the StartupMessage (dd_strdup) */
    char *app_name;               /* "" when none (dd_strdup) */
    char *reported[NREPORTED];    /* last value sent per parameter, or NULL */
    u64 reported_version;         /* driftdb_session_settings_version when they were sent */
    bool reported_all;
    Buf in;                       /* body of the current message */
    Buf out;                      /* replies not yet sent */
    size_t rpos, rlen;            /* unread bytes are rbuf[rpos, rlen) */
    PgwStmt *stmts;               /* prepared statements */
    PgwPortal *portals;
    PgwPortal *suspended;         /* the portal whose result is open, or NULL */
    PgwPortal *running;           /* the portal whose Execute runs its statement, or NULL */
    int backend_slot;             /* in cfg->backends, or -1 */
    int term_fd;                  /* an eventfd pg_terminate_backend writes (conn_terminate_wake), or -1 */
    int idle_ms;                  /* after ReadyForQuery: the idle timeout of the
                                     next read (0 none), see conn_ready_for_query */
    char idle_status;             /* the ReadyForQuery status it was armed with */
    bool release_pending;         /* in a transaction: driftdb_session_idle once
                                     the client is silent IDLE_RELEASE_MS */
    int srv_min_duration;         /* the server's log_min_duration_statement as
                                     last given to the session (conn_min_duration) */
    u8 rbuf[8192];
} Conn;

static const u8 empty_body[1];

/* Invariants of a connection, for assert(conn_check(c)). */
static bool conn_check(const Conn *c)
{
    if ((c->state == PGW_READY || c->state == PGW_SKIP_TO_SYNC) && !c->sess) return false;
    if (c->state == PGW_STARTUP && c->sess) return false;
    if (c->sess && !c->admitted) return false;
    if (c->rpos > c->rlen || c->rlen > sizeof c->rbuf) return false;
    return c->out.len <= c->out.cap && c->in.len <= c->in.cap;
}

/* ---- errors ------------------------------------------------------------ */

static void error_set(driftdb_error *e, const char *severity, const char *state,
                      const char *fmt, ...) DD_PRINTF(4, 5);

static void error_set(driftdb_error *e, const char *severity, const char *state,
                      const char *fmt, ...)
{
    memset(e, 0, sizeof *e);
    snprintf(e->sqlstate, sizeof e->sqlstate, "%s", state);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    e->severity = severity;
}

/* A FATAL error ends the connection after it is sent. */
static bool error_is_fatal(const driftdb_error *e)
{
    return e->severity && (strcmp(e->severity, "FATAL") == 0 || strcmp(e->severity, "PANIC") == 0);
}

static void log_conn(const Conn *c, LogLevel l, const char *fmt, ...) DD_PRINTF(3, 4);

/* One log entry about this connection, under its backend id (log.h). */
static void log_conn(const Conn *c, LogLevel l, const char *fmt, ...)
{
    if (!log_enabled(l)) return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_msg(l, c->cfg->backend_id, "%s", msg);
}

/* ---- output ------------------------------------------------------------ */

/* Starts a typed message; returns the offset of its length word. */
static size_t msg_begin(Conn *c, u8 type)
{
    buf_putc(&c->out, type);
    size_t at = c->out.len;
    buf_put_u32be(&c->out, 0);
    return at;
}

/* Patches the length word of the message started at `at`. */
static void msg_end(Conn *c, size_t at)
{
    if (!buf_ok(&c->out)) return;
    put_u32be(c->out.data + at, (u32)(c->out.len - at));
}

static void buf_put_str(Buf *b, const char *s)
{
    buf_puts(b, s);
    buf_putc(b, 0);
}

/* One write to the client, through TLS once it is up.  Returns the bytes
 * written or -1 (errno set for a plaintext socket). */
static ssize_t conn_send(Conn *c, const void *p, size_t n)
{
    if (c->tls) return tls_write(c->tls, p, n);
    return send(c->fd, p, n, MSG_NOSIGNAL);
}

/*
 * Sends everything pending.  Returns 0, or -1 when the connection is
 * broken (write error, or the write buffer ran out of memory, in which
 * case a FATAL 53200 is attempted in place of the lost replies).
 */
static int conn_flush(Conn *c)
{
    if (c->broken) return -1;
    if (!buf_ok(&c->out)) {
        buf_free(&c->out);
        c->broken = true;
        static const char fatal[] = "SFATAL\0VFATAL\0C53200\0Mout of memory\0";
        u8 msg[1 + 4 + sizeof fatal];
        msg[0] = 'E';
        put_u32be(msg + 1, (u32)(4 + sizeof fatal));
        memcpy(msg + 5, fatal, sizeof fatal);   /* includes the final NUL */
        ssize_t n;
        do n = conn_send(c, msg, sizeof msg);
        while (n < 0 && !c->tls && errno == EINTR);
        log_conn(c, LOG_FATAL, "out of memory in the write buffer");
        return -1;
    }
    size_t off = 0;
    while (off < c->out.len) {
        ssize_t n = conn_send(c, c->out.data + off, c->out.len - off);
        if (n < 0) {
            if (!c->tls && errno == EINTR) continue;   /* tls_write retries EINTR itself */
            c->broken = true;
            return -1;
        }
        off += (size_t)n;
    }
    if (c->out.cap > PGW_KEEP_BUF) buf_free(&c->out);
    else buf_reset(&c->out);
    return 0;
}

/* ErrorResponse ('E') or NoticeResponse ('N') from an error record. */
static void send_error_msg(Conn *c, u8 type, const driftdb_error *e)
{
    const char *sev = e->severity ? e->severity : "ERROR";
    if (type == 'E') metrics_error(e->sqlstate[0] ? e->sqlstate : "XX000");
    size_t at = msg_begin(c, type);
    buf_putc(&c->out, 'S'); buf_put_str(&c->out, sev);
    buf_putc(&c->out, 'V'); buf_put_str(&c->out, sev);
    buf_putc(&c->out, 'C'); buf_put_str(&c->out, e->sqlstate[0] ? e->sqlstate : "XX000");
    buf_putc(&c->out, 'M'); buf_put_str(&c->out, e->message);
    if (e->detail[0]) { buf_putc(&c->out, 'D'); buf_put_str(&c->out, e->detail); }
    if (e->hint[0]) { buf_putc(&c->out, 'H'); buf_put_str(&c->out, e->hint); }
    if (e->position > 0) {
        buf_putc(&c->out, 'P');
        buf_printf(&c->out, "%d", e->position);
        buf_putc(&c->out, 0);
    }
    if (e->context[0]) { buf_putc(&c->out, 'W'); buf_put_str(&c->out, e->context); }
    if (e->schema[0]) { buf_putc(&c->out, 's'); buf_put_str(&c->out, e->schema); }
    if (e->table[0]) { buf_putc(&c->out, 't'); buf_put_str(&c->out, e->table); }
    if (e->column[0]) { buf_putc(&c->out, 'c'); buf_put_str(&c->out, e->column); }
    if (e->datatype[0]) { buf_putc(&c->out, 'd'); buf_put_str(&c->out, e->datatype); }
    if (e->constraint[0]) { buf_putc(&c->out, 'n'); buf_put_str(&c->out, e->constraint); }
    buf_putc(&c->out, 0);
    msg_end(c, at);
}

static void send_error(Conn *c, const driftdb_error *e) { send_error_msg(c, 'E', e); }

static void send_notice(Conn *c, const char *note, const char *sev, const char *state)
{
    driftdb_error n;
    memset(&n, 0, sizeof n);
    n.severity = sev ? sev : "NOTICE";
    snprintf(n.sqlstate, sizeof n.sqlstate, "%s", state ? state : "00000");
    snprintf(n.message, sizeof n.message, "%s", note);
    send_error_msg(c, 'N', &n);
}

/* The WARNINGs / NOTICEs of a statement: NoticeResponses before its tag,
 * or before its ErrorResponse when it failed while its rows or COPY data
 * were sent (PostgreSQL sends a notice when it is raised, so always ahead
 * of what ends the statement). */
static void send_notices(Conn *c, driftdb_result *r)
{
    const char *note, *sev, *state;
    for (int i = 0; (note = driftdb_result_notice_at(r, i, &sev, &state)) != NULL; i++)
        send_notice(c, note, sev, state);
}

/* The notices of a statement that failed before it gave a result
 * (driftdb_exec_next, driftdb_portal_exec): before its ErrorResponse. */
static void send_fail_notices(Conn *c)
{
    const char *note, *sev, *state;
    for (int i = 0; (note = driftdb_session_notice_at(c->sess, i, &sev, &state)) != NULL; i++)
        send_notice(c, note, sev, state);
}

/* The engine reports positions as byte offsets (+1) into the statement
 * text; PostgreSQL's 'P' field counts characters, and clients (psql's
 * caret, drivers' messages) read it so.  Converts e->position for text. */
static void position_in_chars(driftdb_error *e, const char *text)
{
    if (e->position <= 0 || !text) return;
    int chars = 0;
    for (int i = 0; i < e->position - 1 && text[i]; i++)
        if (((unsigned char)text[i] & 0xC0) != 0x80) chars++;
    e->position = chars + 1;
}

static void send_warning(Conn *c, const char *state, const char *fmt, ...) DD_PRINTF(3, 4);

static void send_warning(Conn *c, const char *state, const char *fmt, ...)
{
    driftdb_error e;
    error_set(&e, "WARNING", state, "%s", "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    va_end(ap);
    send_error_msg(c, 'N', &e);
}

/* Sends a FATAL ErrorResponse, flushes, and returns -1 (close). */
static int conn_fatal(Conn *c, const char *state, const char *fmt, ...) DD_PRINTF(3, 4);

static int conn_fatal(Conn *c, const char *state, const char *fmt, ...)
{
    driftdb_error e;
    error_set(&e, "FATAL", state, "%s", "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    va_end(ap);
    log_conn(c, LOG_FATAL, "%s", e.message);   /* PostgreSQL logs every FATAL */
    send_error(c, &e);
    conn_flush(c);
    c->state = PGW_CLOSED;
    return -1;
}

static void send_parameter_status(Conn *c, const char *name, const char *value)
{
    size_t at = msg_begin(c, 'S');
    buf_put_str(&c->out, name);
    buf_put_str(&c->out, value);
    msg_end(c, at);
}

/* ReadyForQuery with the session's transaction status; flushed by the
 * serve loop before it blocks on the next read. */
/* A time setting as the engine shows it ("0", "250ms", "2s", "5min",
 * "1h", "1d") in ms, capped to what poll() takes. */
static int setting_ms(const char *v)
{
    char *end;
    long long n = strtoll(v, &end, 10);
    long long mul = !strcmp(end, "s") ? 1000 : !strcmp(end, "min") ? 60000
                  : !strcmp(end, "h") ? 3600000 : !strcmp(end, "d") ? 86400000 : 1;
    if (n <= 0) return 0;
    return n > INT32_MAX / mul ? INT32_MAX : (int)(n * mul);
}

static void conn_ready_for_query(Conn *c)
{
    char st = driftdb_session_txn_status(c->sess);
    size_t at = msg_begin(c, 'Z');
    buf_putc(&c->out, (u8)st);
    msg_end(c, at);
    /* the idle timeouts run from here until the next message arrives */
    const char *v = driftdb_session_setting(c->sess, st == 'I' ? "idle_session_timeout"
                                                               : "idle_in_transaction_session_timeout");
    c->idle_ms = 0;
    c->idle_status = st;
    c->release_pending = st != 'I';
    if (v && strcmp(v, "0") != 0) c->idle_ms = setting_ms(v);
}

/* ---- input ------------------------------------------------------------- */

/* How long a client in a transaction may be silent before the transaction
 * lets go of the data file (driftdb_session_idle): long enough that the
 * statements of a busy transaction keep reading the present directly. */
#define IDLE_RELEASE_MS 100

/*
 * Reads exactly n bytes.  Returns 0, 1 on EOF before the first byte, -2
 * when an idle timeout (c->idle_ms) expired, or -1 on EOF part way, a read
 * error, a timeout or a server shutting down.  EINTR is retried.
 */
static void conn_terminate_wake(void *arg);

static int conn_read(Conn *c, void *dst, size_t n)
{
    u8 *d = dst;
    size_t got = 0;
    while (got < n) {
        if (c->rpos < c->rlen) {
            size_t k = DD_MIN(n - got, c->rlen - c->rpos);
            memcpy(d + got, c->rbuf + c->rpos, k);
            c->rpos += k;
            got += k;
            continue;
        }
        /* About to block: what the client waits for goes out first (so
         * pipelined messages already here get one reply write). */
        if ((c->out.len > 0 || !buf_ok(&c->out)) && conn_flush(c) != 0)
            return -1;
        /* A client silent in its transaction for a while: the transaction
         * lets go of the data file's pages meanwhile (its snapshot stays). */
        /* Decrypted bytes (or whole records) already in the TLS session
         * are invisible to poll(): read them without waiting. */
        bool pending = c->tls && tls_pending(c->tls);
        if (c->release_pending && !pending) {
            c->release_pending = false;
            struct pollfd p1 = {.fd = c->fd, .events = POLLIN};
            if (poll(&p1, 1, IDLE_RELEASE_MS) == 0) {
                driftdb_session_idle(c->sess);
                if (c->idle_ms > 0) c->idle_ms = c->idle_ms > IDLE_RELEASE_MS ? c->idle_ms - IDLE_RELEASE_MS : 1;
            }
        }
        /* Waiting for the client's next message after ReadyForQuery: the
         * idle timeouts (-2 when one expires). */
        /* A server shutting down wakes the read through wake_fd (-1). */
        /* pg_terminate_backend wakes it through term_fd (-3). */
        if (c->sess && driftdb_session_terminated(c->sess)) return -3;
        if (!pending && (c->idle_ms > 0 || c->cfg->backends || c->term_fd >= 0)) {
            struct pollfd pfd[3] = {{.fd = c->fd, .events = POLLIN},
                                    {.fd = c->cfg->backends ? c->cfg->backends->wake_fd : -1,
                                     .events = POLLIN},
                                    {.fd = c->term_fd, .events = POLLIN}};
            int pr = poll(pfd, 3, c->idle_ms > 0 ? c->idle_ms : -1);
            if (pr < 0 && errno == EINTR) continue;
            if (pr == 0) return -2;
            if (pfd[1].revents & POLLIN) return -1;
            if (pfd[2].revents & POLLIN) return -3;
        }
        /* Large reads go straight to dst; small ones refill rbuf. */
        bool direct = n - got >= sizeof c->rbuf;
        u8 *into = direct ? d + got : c->rbuf;
        size_t want = direct ? n - got : sizeof c->rbuf;
        ssize_t r = c->tls ? tls_read(c->tls, into, want) : recv(c->fd, into, want, 0);
        if (r < 0 && !c->tls && errno == EINTR) continue;   /* tls_read retries EINTR itself */
        if (r <= 0) return (r == 0 && got == 0) ? 1 : -1;
        if (direct) got += (size_t)r;
        else { c->rpos = 0; c->rlen = (size_t)r; }
    }
    return 0;
}

/* Reads a body of n bytes into c->in, growing it only as bytes arrive, and
 * points cur at it.  Returns 0 or -1 (close; FATAL sent on out of memory). */
static int conn_read_body(Conn *c, size_t n, Cursor *cur)
{
    if (c->in.cap > PGW_KEEP_BUF) buf_free(&c->in);
    else buf_reset(&c->in);
    while (c->in.len < n) {
        size_t chunk = DD_MIN(n - c->in.len, (size_t)PGW_READ_CHUNK);
        if (!buf_reserve(&c->in, chunk))
            return conn_fatal(c, "53200", "out of memory reading a message of %zu bytes", n);
        if (conn_read(c, c->in.data + c->in.len, chunk) != 0) return -1;
        c->in.len += chunk;
    }
    cur_init(cur, n ? c->in.data : empty_body, n);
    return 0;
}

/* Reads one typed message.  Returns 0, 1 on EOF at a message boundary, or
 * -1 (close; FATAL 08P01 sent for a bad length). */
static int conn_read_message(Conn *c, u8 *type, Cursor *cur)
{
    u8 hdr[5];
    int rc = conn_read(c, hdr, sizeof hdr);
    if (rc != 0) return rc;
    c->idle_ms = 0;   /* only the wait for a message's first bytes is timed */
    u32 len = get_u32be(hdr + 1);
    if (len < 4 || len > PGW_MAX_MESSAGE) {
        return conn_fatal(c, "08P01", "invalid message length %u", len);
    }
    *type = hdr[0];
    return conn_read_body(c, len - 4, cur);
}

/* ---- authentication ----------------------------------------------------- */

/* Sends an Authentication request: code, then data. */
static void send_auth(Conn *c, u32 code, const void *data, size_t n)
{
    size_t at = msg_begin(c, 'R');
    buf_put_u32be(&c->out, code);
    if (n) buf_append(&c->out, data, n);
    msg_end(c, at);
}

/* Reads the client's answer to an authentication request: a 'p' message.
 * 0 with its body in *cur; -1 when the client went away or sent something
 * else (FATAL sent for the latter). */
static int conn_read_auth_answer(Conn *c, Cursor *cur)
{
    if (conn_flush(c) != 0) return -1;
    u8 type;
    int rc = conn_read_message(c, &type, cur);
    if (rc != 0) return -1;   /* gone mid-exchange: nothing to say */
    if (type != 'p')
        return conn_fatal(c, "08P01", "expected password response, got message type %d", type);
    return 0;
}

static int auth_failed(Conn *c, const char *user, const char *method)
{
    log_conn(c, LOG_LOG, "%s authentication failed for user \"%s\"", method, user);
    return conn_fatal(c, "28P01", "password authentication failed for user \"%s\"", user);
}

/* The client's password ('p': a String), in pw (cap bytes).  -1 closes. */
static int read_password(Conn *c, char *pw, size_t cap)
{
    Cursor cur;
    if (conn_read_auth_answer(c, &cur) != 0) return -1;
    const char *s = cur_cstr(&cur);
    if (!s || !cur_end(&cur)) return conn_fatal(c, "08P01", "invalid password packet size");
    if (!s[0]) return conn_fatal(c, "28P01", "empty password returned by client");
    if (strlen(s) >= cap) return conn_fatal(c, "08P01", "password too long");
    snprintf(pw, cap, "%s", s);
    return 0;
}

/* SCRAM-SHA-256 with the role's verifier (a made-up one when it has none). */
static int auth_scram(Conn *c, const char *user, const char *verifier, bool usable)
{
    /* On TLS, SCRAM-SHA-256-PLUS first (channel binding to the server's
     * certificate), as PostgreSQL lists them; libpq then uses it. */
    static const char plain[] = "SCRAM-SHA-256\0";
    static const char both[] = "SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0";
    const u8 *cbind = NULL;
    size_t cbind_len = c->tls ? tls_server_cbind(c->cfg->tls, &cbind) : 0;
    if (cbind_len) send_auth(c, 10, both, sizeof both);   /* AuthenticationSASL, list ends with an empty name */
    else send_auth(c, 10, plain, sizeof plain);
    Cursor cur;
    if (conn_read_auth_answer(c, &cur) != 0) return -1;
    const char *mech = cur_cstr(&cur);
    u32 len = cur_u32be(&cur);
    if (!mech || cur.bad) return conn_fatal(c, "08P01", "invalid SASL initial response");
    bool plus = cbind_len && strcmp(mech, "SCRAM-SHA-256-PLUS") == 0;
    if (!plus && strcmp(mech, "SCRAM-SHA-256") != 0)
        return conn_fatal(c, "08P01", "client selected an invalid SASL authentication mechanism");
    if (len == 0xFFFFFFFFu || len != cur_left(&cur)) return conn_fatal(c, "08P01", "invalid SASL initial response");
    Scram s;
    if (scram_begin(&s, usable ? verifier : NULL, user) != 0) return conn_fatal(c, "53200", "out of memory");
    if (cbind_len) {
        s.cbind = cbind;
        s.cbind_len = cbind_len;
        s.plus = plus;
    }
    char *first = NULL, *final = NULL;
    const char *why = "malformed SCRAM message";
    int rc = scram_first(&s, cur_bytes(&cur, len), len, &first, &why);
    if (rc == 0) {
        send_auth(c, 11, first, strlen(first));   /* AuthenticationSASLContinue */
        if (conn_read_auth_answer(c, &cur) != 0) {
            scram_end(&s);
            return -1;
        }
        size_t n = cur_left(&cur);
        rc = scram_final(&s, cur_bytes(&cur, n), n, &final, &why);
    }
    scram_end(&s);
    if (rc == -2) return conn_fatal(c, "53200", "out of memory");
    if (rc == -1) return conn_fatal(c, "08P01", "%s", why);
    if (rc == 2) {   /* binding data of another certificate, or a downgrade */
        return conn_fatal(c, "28000", "%s", why);
    }
    if (rc == 1) return auth_failed(c, user, "SCRAM");
    send_auth(c, 12, final, strlen(final));   /* AuthenticationSASLFinal */
    dd_free(final);
    return 0;
}

/*
 * clientcert=verify-full and the cert method: the verified client
 * certificate's CN must be the user name.  0, or -1 with the FATAL that
 * PostgreSQL sends for the line's method.
 */
static int auth_cert_name(Conn *c, const HbaLine *l, const char *user)
{
    TlsInfo ti;
    tls_info(c->tls, &ti);
    if (ti.client_cn[0] && strcmp(ti.client_cn, user) == 0) return 0;
    log_conn(c, LOG_LOG, "certificate %s failed for user \"%s\": %s", l->method == HBA_CERT ? "authentication" : "validation",
             user, ti.client_cn[0] ? "CN mismatch" : "client certificate contains no user name");
    switch (l->method) {
    case HBA_CERT:
        return conn_fatal(c, "28000", "certificate authentication failed for user \"%s\"", user);
    case HBA_TRUST:
        return conn_fatal(c, "28000", "\"trust\" authentication failed for user \"%s\"", user);
    default:
        return conn_fatal(c, "28P01", "password authentication failed for user \"%s\"", user);
    }
}

/* Runs the exchange of the line's method.  0 authenticated, -1 FATAL sent
 * or the client went away. */
static int auth_by_method(Conn *c, const HbaLine *l, const char *user, const driftdb_role_auth *ra)
{
    if (l->method == HBA_TRUST) return 0;   /* an unknown role fails at session open (28000) */
    if (l->method == HBA_CERT) return 0;    /* the certificate's name is checked by the caller */

    /* a password that has expired is no password */
    bool usable = ra->exists && ra->password[0] &&
                  !(ra->has_valid_until && ra->valid_until_us != INT64_MAX && ra->valid_until_us < clock_wall_us());
    bool scram_verifier = usable && strncmp(ra->password, "SCRAM-SHA-256$", 14) == 0;
    if (l->method == HBA_SCRAM || (l->method == HBA_MD5 && (scram_verifier || !usable)))
        return auth_scram(c, user, ra->password, usable && scram_verifier);
    if (l->method == HBA_MD5) {
        u8 salt[4];
        if (getrandom(salt, sizeof salt, 0) != (ssize_t)sizeof salt) return conn_fatal(c, "58000", "could not generate random salt");
        send_auth(c, 5, salt, sizeof salt);   /* AuthenticationMD5Password */
        char resp[64];
        if (read_password(c, resp, sizeof resp) != 0) return -1;
        if (!md5_response_matches(ra->password, salt, resp)) return auth_failed(c, user, "md5");
        return 0;
    }
    /* password: the cleartext, checked against the verifier */
    send_auth(c, 3, NULL, 0);   /* AuthenticationCleartextPassword */
    char pw[1024];
    if (read_password(c, pw, sizeof pw) != 0) return -1;
    bool ok = usable && password_matches(ra->password, user, pw);
    explicit_bzero(pw, sizeof pw);
    return ok ? 0 : auth_failed(c, user, "password");
}

/*
 * Decides by the hba rules whether the client may connect as user to
 * database and runs the exchange the rule names.  0: authenticated (the
 * caller sends AuthenticationOk); -1: FATAL sent or the client went away.
 * As PostgreSQL, a wrong password and an unknown role fail alike (28P01),
 * after the same exchange; a line with clientcert wants a verified client
 * certificate before anything else.
 */
static int conn_authenticate(Conn *c, const char *user, const char *database)
{
    const PgwConfig *cfg = c->cfg;
    if (!cfg->hba) return 0;   /* the embedding caller trusts everyone */
    const char *host = cfg->peer ? cfg->client_host : "[local]";
    const char *enc = c->tls ? "SSL encryption" : "no encryption";
    const HbaLine *l = hba_match(cfg->hba, cfg->db, cfg->peer, c->tls != NULL, database, user);
    if (!l)
        return conn_fatal(c, "28000", "no pg_hba.conf entry for host \"%s\", user \"%s\", database \"%s\", %s",
                          host, user, database, enc);
    if (l->clientcert != HBA_CERT_OFF) {
        /* a hostssl line, so TLS is up; main.c refuses such lines without
         * --tls-ca, so a certificate here was verified against it */
        TlsInfo ti;
        tls_info(c->tls, &ti);
        if (!ti.client_cert) return conn_fatal(c, "28000", "connection requires a valid client certificate");
    }
    if (l->method == HBA_REJECT)
        return conn_fatal(c, "28000", "pg_hba.conf rejects connection for host \"%s\", user \"%s\", database \"%s\", %s",
                          host, user, database, enc);
    driftdb_role_auth ra;
    driftdb_error err;
    if (driftdb_role_lookup(cfg->db, user, &ra, &err) != DRIFTDB_OK) {
        err.severity = "FATAL";
        send_error(c, &err);
        conn_flush(c);
        c->state = PGW_CLOSED;
        return -1;
    }
    int rc = auth_by_method(c, l, user, &ra);
    if (rc == 0 && l->clientcert == HBA_CERT_VERIFY_FULL) rc = auth_cert_name(c, l, user);
    return rc;
}

/* ---- startup ------------------------------------------------------------ */

/* Is name safe to splice into SET unquoted? */
static bool setting_name_ok(const char *name)
{
    if (!name[0] || strlen(name) > 63) return false;
    for (const char *p = name; *p; p++) {
        char ch = *p;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
              ch == '.' || (ch >= '0' && ch <= '9' && p != name)))
            return false;
    }
    return true;
}

/* Runs set_config('name', 'value', false) for a startup setting (the
 * value as the setting reads it: "a,b" is a search_path of two schemas,
 * as PostgreSQL takes a startup value); refusal -> WARNING. */
static void conn_apply_setting(Conn *c, const char *name, const char *value)
{
    if (!setting_name_ok(name)) {
        send_warning(c, "42602", "invalid startup parameter name \"%.64s\" ignored", name);
        return;
    }
    Buf sql = BUF_INIT;
    buf_printf(&sql, "SELECT pg_catalog.set_config('%s', '", name);
    for (const char *p = value; *p; p++) {
        if (*p == '\'') buf_putc(&sql, '\'');
        buf_putc(&sql, (u8)*p);
    }
    buf_puts(&sql, "', false)");
    const char *text = buf_cstr(&sql);
    if (!text) {
        send_warning(c, "53200", "out of memory applying startup parameter \"%s\"", name);
        buf_free(&sql);
        return;
    }
    size_t off = 0;
    driftdb_result *r;
    driftdb_error err;
    int rc;
    while ((rc = driftdb_exec_next(c->sess, text, &off, &r, &err)) == DRIFTDB_ROW_RESULT) {
        int n;
        while ((n = driftdb_result_next(r, &err)) == 1) {}   /* set_config runs as its row is read */
        driftdb_result_free(r);
        if (n < 0) {
            rc = DRIFTDB_ERROR;
            break;
        }
    }
    if (rc == DRIFTDB_ERROR)
        send_warning(c, err.sqlstate, "startup parameter \"%s\" ignored: %s", name, err.message);
    buf_free(&sql);
}

/*
 * Applies the "options" startup parameter: command-line switches
 * "-c name=value" / "-cname=value" / "--name=value", separated by
 * whitespace, with backslash escaping the next character (as libpq's
 * PGOPTIONS).  Dashes in names become underscores, as in PostgreSQL.
 */
static void conn_apply_options(Conn *c, const char *opts)
{
    Buf tok = BUF_INIT;
    bool want_c_arg = false;
    const char *p = opts;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
        if (!*p) break;
        buf_reset(&tok);
        while (*p && !(*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
            if (*p == '\\' && p[1]) p++;
            buf_putc(&tok, (u8)*p++);
        }
        char *t = buf_cstr(&tok);
        if (!t) break;
        char *nv = NULL;
        if (want_c_arg) { nv = t; want_c_arg = false; }
        else if (strcmp(t, "-c") == 0) { want_c_arg = true; continue; }
        else if (strncmp(t, "-c", 2) == 0) nv = t + 2;
        else if (strncmp(t, "--", 2) == 0) nv = t + 2;
        char *eq = nv ? strchr(nv, '=') : NULL;
        if (!eq) {
            send_warning(c, "22023", "startup option \"%.64s\" ignored", t);
            continue;
        }
        *eq = 0;
        for (char *q = nv; *q; q++)
            if (*q == '-') *q = '_';
        conn_apply_setting(c, nv, eq + 1);
    }
    buf_free(&tok);
}

/* The current value of reported parameter i (never NULL). */
static const char *param_value(Conn *c, size_t i)
{
    const char *name = reported_params[i].name;
    if (reported_params[i].from_session) {
        const char *v = driftdb_session_setting(c->sess, name);
        if (v) return v;
    }
    if (strcmp(name, "session_authorization") == 0) return c->user;
    if (strcmp(name, "is_superuser") == 0) {
        driftdb_role_auth ra;
        driftdb_error err;
        return driftdb_role_lookup(c->cfg->db, c->user, &ra, &err) == DRIFTDB_OK && ra.exists && !ra.superuser ? "off"
                                                                                                                  : "on";
    }
    if (strcmp(name, "application_name") == 0) return c->app_name;
    return reported_params[i].dflt;
}

/* Sends ParameterStatus for every reported parameter whose value differs
 * from the one last sent (all of them at startup). */
static void conn_report_params(Conn *c)
{
    if (c->sess == NULL) return;
    u64 version = driftdb_session_settings_version(c->sess);
    if (c->reported_all && c->reported_version == version) return;   /* nothing changed since */
    c->reported_all = true;
    c->reported_version = version;
    for (size_t i = 0; i < NREPORTED; i++) {
        if (c->sess == NULL) return;
        if (!reported_params[i].from_session && c->reported[i]) continue;
        const char *v = param_value(c, i);
        if (c->reported[i] && strcmp(c->reported[i], v) == 0) continue;
        char *copy = dd_strdup(v);
        if (!copy) { c->reported_all = false; continue; }   /* retried after the next statement */
        send_parameter_status(c, reported_params[i].name, v);
        dd_free(c->reported[i]);
        c->reported[i] = copy;
    }
}

/*
 * Opens the admitted client's session (conn_admit), applies startup
 * settings and sends AuthenticationOk, ParameterStatus*, BackendKeyData and
 * ReadyForQuery.  params is the StartupMessage body after the protocol
 * word, already validated.  Returns 0 (READY) or -1 (FATAL sent).
 */
static driftdb_portal *conn_portal_find(void *arg, const char *name, int *state);
static long conn_portal_take(void *arg, const char *name, long n,
                             int (*row)(void *rarg, const driftdb_param *fields, int nfields), void *rarg);
static void conn_portal_close(void *arg, const char *name);

static int conn_open_session(Conn *c, Cursor params, const char *database)
{
    driftdb_session_info info = {
        .user = c->user,
        .application_name = c->app_name,
        .client_addr = c->cfg->client_addr,
        .database = database,
        .backend_pid = (int)c->cfg->backend_id,
    };

    driftdb_error err;
    memset(&err, 0, sizeof err);
    if (driftdb_session_open(c->cfg->db, &info, &c->sess, &err) != DRIFTDB_OK) {
        c->sess = NULL;
        err.severity = "FATAL";
        send_error(c, &err);
        conn_flush(c);
        c->state = PGW_CLOSED;
        return -1;
    }
    c->state = PGW_READY;
    c->srv_min_duration = log_min_duration();
    char lmd[16];
    snprintf(lmd, sizeof lmd, "%d", c->srv_min_duration);
    driftdb_session_config(c->sess, "log_min_duration_statement", lmd);   /* a valid value */
    {   /* SHOW port, max_connections, ssl: the server's */
        char v[16];
        snprintf(v, sizeof v, "%d", c->cfg->port);
        if (c->cfg->port > 0) driftdb_session_config(c->sess, "port", v);
        snprintf(v, sizeof v, "%d", c->cfg->max_sessions);
        driftdb_session_config(c->sess, "max_connections", v);
        driftdb_session_config(c->sess, "ssl", c->cfg->tls ? "on" : "off");
    }
    if (log_connections()) {
        char ssl[200] = "";
        if (c->tls) {
            TlsInfo ti;
            tls_info(c->tls, &ti);
            snprintf(ssl, sizeof ssl, " SSL enabled (protocol=%s, cipher=%s, bits=%d)", ti.version, ti.cipher, ti.bits);
        }
        log_conn(c, LOG_LOG, "connection authorized: user=%s database=%s application_name=%s%s", c->user, database,
                 c->app_name, ssl);
    }

    size_t at = msg_begin(c, 'R');   /* AuthenticationOk: trust */
    buf_put_u32be(&c->out, 0);
    msg_end(c, at);
    if (c->tls) {   /* for pg_stat_ssl */
        TlsInfo ti;
        tls_info(c->tls, &ti);
        driftdb_session_ssl ssl = {ti.version, ti.cipher, ti.bits, ti.client_dn, ti.client_serial, ti.issuer_dn};
        if (driftdb_session_set_ssl(c->sess, &ssl, &err) != DRIFTDB_OK)
            send_warning(c, "53200", "out of memory recording the connection's TLS for pg_stat_ssl");
    }

    for (;;) {
        const char *name = cur_cstr(&params);
        if (!name || !name[0]) break;
        const char *value = cur_cstr(&params);
        if (!value) break;
        if (strcmp(name, "user") == 0 || strcmp(name, "database") == 0 ||
            strcmp(name, "application_name") == 0 || strcmp(name, "replication") == 0 ||
            strncmp(name, "_pq_.", 5) == 0)
            continue;
        if (strcmp(name, "options") == 0) {
            conn_apply_options(c, value);
        } else if (strcasecmp(name, "client_encoding") == 0) {
            if (strcasecmp(value, "UTF8") != 0 && strcasecmp(value, "UTF-8") != 0 &&
                strcasecmp(value, "UNICODE") != 0 && strcasecmp(value, "SQL_ASCII") != 0)
                send_warning(c, "0A000",
                             "client_encoding \"%.64s\" is not supported, using UTF8", value);
        } else {
            conn_apply_setting(c, name, value);
        }
    }
    /* RESET returns to the startup values, as in PostgreSQL */
    if (driftdb_session_keep_settings(c->sess) != DRIFTDB_OK)
        send_warning(c, "53200", "out of memory keeping the startup parameters for RESET");

    conn_report_params(c);

    u32 secret;
    if (getrandom(&secret, sizeof secret, GRND_NONBLOCK) != (ssize_t)sizeof secret)
        secret = (u32)clock_mono_us() ^ (u32)((u64)clock_wall_us() >> 7);
    at = msg_begin(c, 'K');
    buf_put_u32be(&c->out, c->cfg->backend_id);
    buf_put_u32be(&c->out, secret);
    msg_end(c, at);
    if (c->cfg->backends)
        c->backend_slot = backends_add(c->cfg->backends, c->cfg->backend_id, secret, c->sess);
    /* pg_terminate_backend from another session wakes a read waiting for
     * this client (conn_read) */
    c->term_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (c->term_fd >= 0) driftdb_session_on_terminate(c->sess, conn_terminate_wake, c);
    /* SQL FETCH / MOVE / CLOSE reach the portals (conn_portal_find) */
    driftdb_portal_hooks hooks = {conn_portal_find, conn_portal_take, conn_portal_close, c};
    driftdb_session_set_portal_hooks(c->sess, &hooks);

    conn_ready_for_query(c);
    return conn_flush(c);
}

/* driftdb_session_on_terminate's callback: never blocks (an eventfd). */
static void conn_terminate_wake(void *arg)
{
    Conn *c = arg;
    u64 one = 1;
    ssize_t w = write(c->term_fd, &one, sizeof one);
    DD_UNUSED(w);   /* a full counter is already a wake-up */
}

int pgw_startup_parse(const u8 *body, size_t n, PgwStartup *out, char state[6], char *msg, size_t msgsz)
{
    memset(out, 0, sizeof *out);
    Cursor cur;
    cur_init(&cur, n ? body : empty_body, n);
    u32 code = cur_u32be(&cur);
    out->major = code >> 16;
    out->minor = code & 0xffff;
    const char *why = NULL, *st = "08P01";
    char proto[96];
    if (cur.bad) {
        why = "invalid startup packet layout";
    } else if (out->major != 3) {
        snprintf(proto, sizeof proto, "unsupported frontend protocol %u.%u: server supports 3.0 to 3.0", out->major,
                 out->minor);
        why = proto;
        st = "0A000";
    }
    out->params = cur.p;
    out->params_len = cur_left(&cur);
    out->app = "";
    while (!why) {
        const char *name = cur_cstr(&cur);
        if (name && !name[0]) break;   /* the list's end */
        const char *value = name ? cur_cstr(&cur) : NULL;
        if (!value) {
            why = "invalid startup packet layout";
            break;
        }
        if (strcmp(name, "user") == 0) out->user = value;
        else if (strcmp(name, "database") == 0) out->database = value;
        else if (strcmp(name, "application_name") == 0) out->app = value;
        else if (strcmp(name, "replication") == 0 && strcasecmp(value, "false") != 0 &&
                 strcasecmp(value, "off") != 0 && strcmp(value, "0") != 0) {
            why = "replication connections are not supported";
            st = "0A000";
        } else if (strncmp(name, "_pq_.", 5) == 0) out->nunknown++;
    }
    if (!why && !cur_end(&cur)) why = "invalid startup packet layout";
    if (!why && (!out->user || !out->user[0])) {
        why = "no PostgreSQL user name specified in startup packet";
        st = "28000";
    }
    if (why) {
        snprintf(state, 6, "%s", st);
        snprintf(msg, msgsz, "%s", why);
        return -1;
    }
    if (!out->database || !out->database[0]) out->database = out->user;
    return 0;
}

/*
 * Counts the client among the server's sessions, or refuses it as
 * PostgreSQL does between the startup packet and authentication: FATAL
 * 57P03 in a smart shutdown, 53300 at max_sessions.  0 (counted until
 * pgw_serve returns), or -1 (FATAL sent).
 */
static int conn_admit(Conn *c)
{
    const PgwConfig *cfg = c->cfg;
    int before = atomic_fetch_add(cfg->nsessions, 1);
    /* read after counting: a smart shutdown that found no session counted
     * has set the flag before, so this client sees it (main.c) */
    bool stopping = cfg->stopping && atomic_load(cfg->stopping);
    if (stopping || before >= cfg->max_sessions) {
        atomic_fetch_sub(cfg->nsessions, 1);
        if (stopping) return conn_fatal(c, "57P03", "the database system is shutting down");
        return conn_fatal(c, "53300", "sorry, too many clients already");
    }
    c->admitted = true;
    return 0;
}

/*
 * Runs the startup phase: SSL/GSS refusals, CancelRequest, and the
 * StartupMessage.  Returns 0 when the client is READY, -1 to close.
 */
static int conn_startup(Conn *c)
{
    /* Each encryption request is answered once; a second one (or an
     * SSLRequest after TLS is up) is read as a startup packet of an
     * unknown protocol version, as in PostgreSQL.  A GSSENCRequest after
     * the TLS handshake counts as answered. */
    bool ssl_done = false, gss_done = false;
    for (;;) {
        u8 hdr[4];
        int rc = conn_read(c, hdr, sizeof hdr);
        if (rc != 0) return -1;   /* e.g. a port probe: close quietly */
        u32 len = get_u32be(hdr);
        if (len < 8 || len > PGW_MAX_STARTUP) {
            return conn_fatal(c, "08P01", "invalid length of startup packet");
        }
        Cursor cur;
        if (conn_read_body(c, len - 4, &cur) != 0) return -1;
        const u8 *body = cur.p;
        u32 code = cur_u32be(&cur);

        if ((code == PGW_SSL_REQUEST_CODE && !ssl_done) || (code == PGW_GSSENC_REQUEST_CODE && !gss_done)) {
            if (!cur_end(&cur)) return conn_fatal(c, "08P01", "invalid encryption request");
            bool ssl = code == PGW_SSL_REQUEST_CODE;
            /* TLS over TCP only: the Unix socket answers 'N', as PostgreSQL */
            bool yes = ssl && c->cfg->tls && c->cfg->peer;
            if (ssl) ssl_done = true;
            else gss_done = true;
            buf_putc(&c->out, yes ? 'S' : 'N');
            if (conn_flush(c) != 0) return -1;
            if (yes) {
                char why[256];
                if (tls_accept(c->cfg->tls, c->fd, &c->tls, why, sizeof why) != 0) {
                    log_conn(c, LOG_LOG, "could not accept SSL connection: %s", why);
                    return -1;   /* nothing can be said: no common channel */
                }
                gss_done = true;
            }
            /* Bytes that came with the request, before the handshake, were
             * not encrypted and may have been injected by a man in the
             * middle (CVE-2021-23214): refused, never read as the next
             * packet.  The FATAL goes over TLS when it is up. */
            if (c->rpos < c->rlen) {
                log_conn(c, LOG_FATAL, "received unencrypted data after %s request", ssl ? "SSL" : "GSSAPI encryption");
                driftdb_error e;
                error_set(&e, "FATAL", "08P01", "received unencrypted data after %s request",
                          ssl ? "SSL" : "GSSAPI encryption");
                snprintf(e.detail, sizeof e.detail, "This could be either a client-software bug or evidence of an "
                                                    "attempted man-in-the-middle attack.");
                send_error(c, &e);
                conn_flush(c);
                c->state = PGW_CLOSED;
                return -1;
            }
            continue;
        }
        if (code == PGW_CANCEL_REQUEST_CODE) {
            /* Cancels the matching session's running statement, if any;
             * PostgreSQL never replies, whether it matched or not. */
            u32 id = cur_u32be(&cur), secret = cur_u32be(&cur);
            if (cur_end(&cur) && c->cfg->backends) {
                if (!backends_cancel(c->cfg->backends, id, secret))
                    log_conn(c, LOG_LOG, "wrong key in cancel request for process %u", id);
            }
            return -1;
        }
        PgwStartup st;
        char state[6], msg[256];
        if (pgw_startup_parse(body, len - 4, &st, state, msg, sizeof msg) != 0)
            return conn_fatal(c, state, "%s", msg);
        Cursor params;
        cur_init(&params, st.params, st.params_len);
        const char *database = st.database;

        c->user = dd_strdup(st.user);
        c->app_name = dd_strdup(st.app);
        if (!c->user || !c->app_name) return conn_fatal(c, "53200", "out of memory");

        if (st.minor > 0 || st.nunknown > 0) {
            /* NegotiateProtocolVersion: we speak 3.0, no _pq_ options. */
            size_t at = msg_begin(c, 'v');
            buf_put_u32be(&c->out, 0);
            buf_put_u32be(&c->out, st.nunknown);
            Cursor p = params;
            for (;;) {
                const char *name = cur_cstr(&p);
                if (!name || !name[0]) break;
                const char *value = cur_cstr(&p);
                if (!value) break;
                if (strncmp(name, "_pq_.", 5) == 0) buf_put_str(&c->out, name);
            }
            msg_end(c, at);
        }
        /* as PostgreSQL: a server that takes no more sessions says so
         * now, before an authentication exchange */
        if (conn_admit(c) != 0) return -1;
        if (c->cfg->hba) {
            /* the exchange reads messages into c->in, where params lie:
             * keep the startup packet aside */
            Buf keep = BUF_INIT;
            buf_append(&keep, params.p, cur_left(&params));
            char *db_name = dd_strdup(database);
            int arc = !buf_ok(&keep) || !db_name ? conn_fatal(c, "53200", "out of memory")
                                                 : conn_authenticate(c, c->user, db_name);
            driftdb_role_auth ra;
            driftdb_error err;
            if (!arc && driftdb_role_lookup(c->cfg->db, c->user, &ra, &err) == DRIFTDB_OK && ra.exists && !ra.can_login)
                arc = conn_fatal(c, "28000", "role \"%s\" is not permitted to log in", c->user);
            if (!arc) {
                Cursor kp;
                cur_init(&kp, keep.data, keep.len);
                arc = conn_open_session(c, kp, db_name);
            }
            dd_free(db_name);
            buf_free(&keep);
            return arc;
        }
        return conn_open_session(c, params, database);
    }
}

/* ---- queries ------------------------------------------------------------ */

static void send_row_description(Conn *c, driftdb_result *r, int ncols)
{
    size_t at = msg_begin(c, 'T');
    buf_put_u16be(&c->out, (u16)ncols);
    for (int i = 0; i < ncols; i++) {
        const char *name = driftdb_result_colname(r, i);
        buf_put_str(&c->out, name ? name : "?column?");
        uint32_t toid;
        int16_t attnum;
        driftdb_result_colsource(r, i, &toid, &attnum);
        buf_put_u32be(&c->out, toid);
        buf_put_u16be(&c->out, (u16)attnum);
        buf_put_u32be(&c->out, driftdb_result_coltype(r, i));
        buf_put_u16be(&c->out, (u16)(i16)driftdb_result_coltyplen(r, i));
        buf_put_u32be(&c->out, (u32)driftdb_result_coltypmod(r, i));
        buf_put_u16be(&c->out, 0);   /* text format */
    }
    msg_end(c, at);
}

/* Appends one DataRow.  Returns 0, or 1 with err filled when the row is
 * too large for one message (nothing of it is left in the buffer). */
static int send_data_row(Conn *c, driftdb_result *r, int ncols, driftdb_error *err)
{
    size_t start = c->out.len;
    size_t at = msg_begin(c, 'D');
    buf_put_u16be(&c->out, (u16)ncols);
    for (int i = 0; i < ncols; i++) {
        size_t len = 0;
        const char *v = driftdb_result_value(r, i, &len);
        if (!v) { buf_put_u32be(&c->out, 0xFFFFFFFFu); continue; }
        if (len > PGW_MAX_MESSAGE || c->out.len - at + len > PGW_MAX_MESSAGE) {
            c->out.len = start;
            error_set(err, "ERROR", "54000", "row is too large to send (over %u bytes)",
                      PGW_MAX_MESSAGE);
            return 1;
        }
        buf_put_u32be(&c->out, (u32)len);
        buf_append(&c->out, v, len);
    }
    msg_end(c, at);
    return 0;
}

/*
 * COPY FROM STDIN: CopyInResponse, then CopyData is fed to the engine
 * until CopyDone (the rows are committed, a portal's at Sync) or CopyFail.
 * Flush and Sync are ignored meanwhile, as PostgreSQL does (libpq sends
 * its Sync right behind an extended-protocol COPY's Execute).  Any other
 * message is an ERROR 08P01 and then, as in PostgreSQL 15, a FATAL one
 * that closes the connection (-1).  On an error the COPY ends at once;
 * the CopyData, CopyDone and CopyFail still arriving are then dropped by
 * conn_serve_loop (the protocol's rule; in the extended protocol every
 * message is, up to Sync).  Returns 0, 1 when the COPY failed (err
 * filled, the result failed), or -1 when the connection broke or closes.
 */
static int conn_copy_in(Conn *c, driftdb_result *r, int binary, int ncols, driftdb_error *err)
{
    size_t at = msg_begin(c, 'G');
    buf_putc(&c->out, (u8)binary);
    buf_put_u16be(&c->out, (u16)ncols);
    for (int i = 0; i < ncols; i++) buf_put_u16be(&c->out, (u16)binary);
    msg_end(c, at);
    for (;;) {
        u8 type = 0;
        Cursor cur;
        int rc = conn_read_message(c, &type, &cur);
        c->idle_ms = 0;
        if (rc != 0) {
            driftdb_copy_in_fail(r, "the client vanished", err);
            return -1;
        }
        switch (type) {
        case 'd':
            if (driftdb_copy_in_data(r, cur.p, cur_left(&cur), err) != 0) return 1;
            break;
        case 'c':
            return driftdb_copy_in_end(r, err) != 0 ? 1 : 0;
        case 'f': {
            const char *why = cur_cstr(&cur);
            driftdb_copy_in_fail(r, why ? why : "", err);
            return 1;
        }
        case 'H': case 'S':
            break;
        default: {
            /* as PostgreSQL 15: the COPY fails (ERROR, with its line),
             * then the connection ends (FATAL) */
            driftdb_error at_line;
            driftdb_copy_in_fail(r, "protocol violation", &at_line);
            error_set(err, "ERROR", "08P01", "unexpected message type 0x%02X during COPY from stdin", type);
            snprintf(err->context, sizeof err->context, "%s", at_line.context);
            send_error(c, err);
            return conn_fatal(c, "08P01", "terminating connection because protocol synchronization was lost");
        }
        }
    }
}

/*
 * The data of a COPY result, in the simple and the extended protocol
 * alike: COPY FROM STDIN (conn_copy_in), or COPY TO STDOUT's
 * CopyOutResponse, a CopyData per row and CopyDone.  What ends the
 * statement (notices, CommandComplete) is the caller's.  Returns 0, 1
 * when the COPY failed (err filled), or -1 when the connection broke.
 */
static int conn_send_copy(Conn *c, driftdb_result *r, driftdb_error *err)
{
    int binary = 0, ncopy = 0;
    if (driftdb_result_copy(r, &binary, &ncopy) == 'i') return conn_copy_in(c, r, binary, ncopy, err);
    size_t at = msg_begin(c, 'H');
    buf_putc(&c->out, (u8)binary);
    buf_put_u16be(&c->out, (u16)ncopy);
    for (int i = 0; i < ncopy; i++) buf_put_u16be(&c->out, (u16)binary);
    msg_end(c, at);
    for (;;) {
        const char *data;
        size_t len;
        int rc = driftdb_copy_out_next(r, &data, &len, err);
        if (rc == 0) break;
        if (rc < 0) return 1;
        at = msg_begin(c, 'd');
        buf_append(&c->out, data, len);
        msg_end(c, at);
        if ((c->out.len >= PGW_FLUSH_AT || !buf_ok(&c->out)) && conn_flush(c) != 0) return -1;
    }
    at = msg_begin(c, 'c');
    msg_end(c, at);
    return 0;
}

/* RowDescription and every DataRow of a result with rows.  Returns 0, 1
 * when the statement failed while producing them (err filled), or -1 when
 * the connection broke. */
static int conn_send_rows(Conn *c, driftdb_result *r, driftdb_error *err)
{
    int ncols = driftdb_result_ncols(r);
    if (ncols < 0 || ncols > PGW_MAX_FIELDS) {
        error_set(err, "ERROR", "54000", "too many result columns (%d)", ncols);
        return 1;
    }
    send_row_description(c, r, ncols);
    for (;;) {
        int rc = driftdb_result_next(r, err);
        if (rc == 0) return 0;
        if (rc < 0) return 1;
        if (send_data_row(c, r, ncols, err) != 0) return 1;
        if ((c->out.len >= PGW_FLUSH_AT || !buf_ok(&c->out)) && conn_flush(c) != 0) return -1;
    }
}

/*
 * Sends one statement's result (simple query): its COPY data, or
 * RowDescription and DataRows when it has rows; then its notices and
 * CommandComplete.  Returns 0, 1 when the statement failed while
 * producing them (err filled; its notices are sent, the error is the
 * caller's to send), or -1 when the connection broke.
 */
static int conn_send_result(Conn *c, driftdb_result *r, driftdb_error *err)
{
    int rc = 0;
    if (driftdb_result_copy(r, NULL, NULL)) rc = conn_send_copy(c, r, err);
    else if (driftdb_result_has_rows(r)) rc = conn_send_rows(c, r, err);
    if (rc < 0) return -1;
    send_notices(c, r);
    if (rc > 0) return 1;
    const char *tag = driftdb_result_tag(r);
    size_t at = msg_begin(c, 'C');
    buf_put_str(&c->out, tag ? tag : "");
    msg_end(c, at);
    return 0;
}

/* ---- the duration log ---------------------------------------------------- */

/* log_min_duration_statement in ms as the session has it ("-1", "0",
 * "250ms", "2s", "5min"; -1 off).  A server reload (SIGHUP) that changed
 * the server's value is handed to the session first: it applies unless
 * the session SET its own. */
static int conn_min_duration(Conn *c)
{
    int srv = log_min_duration();
    if (srv != c->srv_min_duration) {
        char v[16];
        snprintf(v, sizeof v, "%d", srv);
        driftdb_session_config(c->sess, "log_min_duration_statement", v);
        c->srv_min_duration = srv;
    }
    const char *v = driftdb_session_setting(c->sess, "log_min_duration_statement");
    if (!v) return srv;
    char *end;
    long long n = strtoll(v, &end, 10);
    if (n < 0) return -1;
    long long mul = !strcmp(end, "s") ? 1000 : !strcmp(end, "min") ? 60000 : !strcmp(end, "h") ? 3600000
                  : !strcmp(end, "d") ? 86400000 : 1;
    return n > INT32_MAX / mul ? INT32_MAX : (int)(n * mul);
}

/* After a statement that started at t0 (clock_mono_us): its duration
 * line, as PostgreSQL's log_min_duration_statement writes it, when it took
 * at least the threshold.  what: "statement: SQL" or "execute NAME: SQL". */
/* name (NULL: none), then "/" and portal when it is not empty */
static void conn_log_duration(Conn *c, i64 t0, const char *what, const char *name, const char *portal,
                              const char *sql)
{
    if (!c->sess) return;
    int min = conn_min_duration(c);
    if (min < 0) return;
    i64 us = clock_mono_us() - t0;
    if (us < (i64)min * 1000) return;
    log_msg(LOG_LOG, c->cfg->backend_id, "duration: %lld.%03lld ms  %s%s%s%s%.63s: %s", (long long)(us / 1000),
            (long long)(us % 1000), what, name ? " " : "", name ? name : "", portal && portal[0] ? "/" : "",
            portal ? portal : "", sql);
}

static PgwText *text_new(const char *name, const char *sql)
{
    size_t nl = strlen(name), sl = strlen(sql);
    PgwText *t = dd_malloc(sizeof *t + nl + sl + 2);
    if (!t) return NULL;
    t->refs = 1;
    memcpy(t->name, name, nl + 1);
    t->sql = t->name + nl + 1;
    memcpy(t->sql, sql, sl + 1);
    return t;
}

static void text_unref(PgwText *t)
{
    if (t && --t->refs == 0) dd_free(t);
}

/*
 * 'Q': runs every statement of the query string in turn and answers each;
 * the first error ends the message.  Always ends with ReadyForQuery unless
 * the connection broke.  Returns 0 or -1 (close).
 */
static int conn_run_query(Conn *c, const char *sql);

static int conn_simple_query(Conn *c, Cursor *cur)
{
    const char *text = cur_cstr(cur);
    if (!text || !cur_end(cur))
        return conn_fatal(c, "08P01", "invalid Query message format");
    /* a COPY FROM STDIN reads messages into c->in, where the text is */
    char *sql = dd_strdup(text);
    if (!sql) return conn_fatal(c, "53200", "out of memory");
    i64 t0 = clock_mono_us();
    int rc = conn_run_query(c, sql);
    conn_log_duration(c, t0, "statement", NULL, NULL, sql);   /* the whole string, once, as PostgreSQL */
    dd_free(sql);
    return rc;
}

static int conn_run_query(Conn *c, const char *sql)
{

    size_t off = 0;
    int nstatements = 0;
    for (;;) {
        driftdb_result *r = NULL;
        driftdb_error err;
        memset(&err, 0, sizeof err);
        size_t before = off;
        i64 t0 = clock_mono_us();
        int rc = driftdb_exec_next(c->sess, sql, &off, &r, &err);
        if (rc == DRIFTDB_DONE) {
            if (nstatements == 0) {
                size_t at = msg_begin(c, 'I');   /* EmptyQueryResponse */
                msg_end(c, at);
            }
            break;
        }
        if (rc != DRIFTDB_ROW_RESULT) {
            if (rc != DRIFTDB_ERROR)
                error_set(&err, "ERROR", "XX000", "unexpected status %d from the engine", rc);
            position_in_chars(&err, sql);
            metrics_statement(clock_mono_us() - t0);
            send_fail_notices(c);
            send_error(c, &err);
            if (error_is_fatal(&err)) goto fatal;
            conn_report_params(c);
            break;
        }
        nstatements++;
        int st = conn_send_result(c, r, &err);
        metrics_statement(clock_mono_us() - t0);
        /* a failed statement fails its transaction, also when the failure
         * was ours (a row too large to send): driftdb_session_fail frees r */
        if (st > 0) driftdb_session_fail(c->sess);
        else driftdb_result_free(r);
        if (st < 0) return -1;
        conn_report_params(c);
        if (st > 0) {
            send_error(c, &err);
            if (error_is_fatal(&err)) goto fatal;
            break;
        }
        if (off <= before) {   /* never loop on an engine that does not advance */
            error_set(&err, "ERROR", "XX000", "statement parser did not advance");
            send_error(c, &err);
            break;
        }
    }
    conn_ready_for_query(c);
    return c->broken ? -1 : 0;

fatal:   /* the engine said FATAL: the session cannot go on */
    conn_flush(c);
    c->state = PGW_CLOSED;
    return -1;
}

/* ---- extended query protocol -------------------------------------------- */

/* An ERROR aborts the transaction, as any ERROR in PostgreSQL, whether
 * the engine raised it or the wire layer did (a statement or portal that
 * does not exist, a Bind that does not fit its statement, a Sync with a
 * body): an implicit transaction is rolled back, a block fails (25P02
 * until ROLLBACK).  Failing frees the session's current result, so a
 * suspended portal's result is gone.  An engine call that failed has done
 * this already; doing it again changes nothing. */
static void conn_fail_txn(Conn *c)
{
    if (c->suspended) {
        c->suspended->r = NULL;
        c->suspended->interrupted = true;
        c->suspended = NULL;
    }
    driftdb_session_fail(c->sess);
}

/* An ERROR in an extended-protocol message: the transaction fails
 * (conn_fail_txn), ErrorResponse, then everything up to Sync is skipped
 * (PostgreSQL's rule). */
static void conn_ext_error(Conn *c, const driftdb_error *e)
{
    conn_fail_txn(c);
    send_error(c, e);
    c->state = PGW_SKIP_TO_SYNC;
    if (error_is_fatal(e)) {   /* the server is shutting down: close */
        conn_flush(c);
        c->state = PGW_CLOSED;
    }
}

static void conn_ext_errorf(Conn *c, const char *state, const char *fmt, ...) DD_PRINTF(3, 4);

static void conn_ext_errorf(Conn *c, const char *state, const char *fmt, ...)
{
    driftdb_error e;
    error_set(&e, "ERROR", state, "%s", "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    va_end(ap);
    conn_ext_error(c, &e);
}

/* 26000 for a statement name that Bind or Describe finds nothing under,
 * in PostgreSQL's words (the unnamed statement has its own). */
static void conn_stmt_missing(Conn *c, const char *name)
{
    if (name[0]) conn_ext_errorf(c, "26000", "prepared statement \"%s\" does not exist", name);
    else conn_ext_errorf(c, "26000", "unnamed prepared statement does not exist");
}

/* In a failed transaction block: 25P02 sent, true.  PostgreSQL refuses
 * there to describe rows and to run a portal bound before the failure. */
static bool conn_failed_txn(Conn *c)
{
    if (driftdb_session_txn_status(c->sess) != 'E') return false;
    conn_ext_errorf(c, "25P02", "current transaction is aborted, commands ignored until end of transaction block");
    return true;
}

/* Closes and frees the result of a suspended portal (before anything else
 * runs).  An autocommit statement's transaction commits then: when that
 * fails, the error is sent (and the messages up to Sync are skipped) and
 * -1 returned. */
static int conn_close_suspended(Conn *c)
{
    PgwPortal *p = c->suspended;
    if (!p) return 0;
    driftdb_error err;
    int rc = driftdb_result_close(p->r, &err);
    driftdb_result_free(p->r);
    p->r = NULL;
    p->interrupted = true;
    c->suspended = NULL;
    if (rc) conn_ext_error(c, &err);
    return rc;
}

static void send_complete(Conn *c, driftdb_result *r, long nrows);
static void put_tag(Conn *c, const char *tag, long nrows);

/*
 * Another statement is about to run: reads the rest of the suspended
 * portal's rows into its held buffer (with what ends them) and frees its
 * result, so that the portal can still be resumed.  A statement error
 * while reading is kept for the Execute that reaches it.
 */
static void conn_hold_suspended(Conn *c)
{
    PgwPortal *p = c->suspended;
    if (!p) return;
    driftdb_result *r = p->r;
    Buf save = c->out;   /* the messages are built in held, not sent */
    c->out = p->held;
    int ncols = driftdb_result_ncols(r);
    driftdb_error err;
    memset(&err, 0, sizeof err);
    bool failed = false;
    for (;;) {
        int rc = driftdb_result_next(r, &err);
        if (rc == 0) break;
        if (rc < 0 || send_data_row(c, r, ncols, &err) != 0) { failed = true; break; }
        if (!buf_ok(&c->out) || c->out.len > PGW_MAX_HELD) {
            error_set(&err, "ERROR", buf_ok(&c->out) ? "54000" : "53200",
                      "the rest of suspended portal \"%s\" is too large to keep while another statement runs",
                      p->name);
            buf_reset(&c->out);
            failed = true;
            break;
        }
    }
    if (failed) {
        send_notices(c, r);
        send_error(c, &err);
        p->held_error = true;
    } else {
        send_complete(c, r, -1);   /* conn_send_held counts the rows it sends */
        const char *tag = driftdb_result_tag(r);
        snprintf(p->tag, sizeof p->tag, "%s", tag ? tag : "");
    }
    p->held = c->out;
    c->out = save;
    driftdb_result_free(r);
    if (failed) driftdb_session_fail(c->sess);
    p->r = NULL;
    p->holding = true;
    p->held_pos = 0;
    c->suspended = NULL;
}

/* Sends up to maxrows (0: all) held DataRows of p, then PortalSuspended,
 * or the rest with what ends the rows. */
static void conn_send_held(Conn *c, PgwPortal *p, u32 maxrows)
{
    Buf *h = &p->held;
    u32 sent = 0;
    while (p->held_pos < h->len) {
        const u8 *m = h->data + p->held_pos;
        size_t len = 1 + get_u32be(m + 1);
        if (m[0] == 'D') {
            if (maxrows > 0 && sent == maxrows) {
                size_t at = msg_begin(c, 's');   /* PortalSuspended */
                msg_end(c, at);
                driftdb_portal_advance(p->p, sent, 0);
                return;
            }
            sent++;
        }
        if (m[0] == 'C' && p->has_rows) {
            put_tag(c, p->tag, (long)sent);   /* the rows of this Execute */
            p->held_pos += len;
            continue;
        }
        buf_append(&c->out, m, len);
        p->held_pos += len;
        if (c->out.len >= PGW_FLUSH_AT && conn_flush(c) != 0) return;
    }
    driftdb_portal_advance(p->p, sent, 1);
    p->holding = false;
    p->done = true;
    buf_free(h);
    if (p->held_error) c->state = PGW_SKIP_TO_SYNC;
}

static PgwStmt *stmt_find(Conn *c, const char *name)
{
    for (PgwStmt *s = c->stmts; s; s = s->next)
        if (strcmp(s->name, name) == 0) return s;
    return NULL;
}

static PgwPortal *portal_find(Conn *c, const char *name)
{
    for (PgwPortal *p = c->portals; p; p = p->next)
        if (strcmp(p->name, name) == 0) return p;
    return NULL;
}

static void stmt_drop(Conn *c, PgwStmt *s)
{
    for (PgwStmt **pp = &c->stmts; *pp; pp = &(*pp)->next) {
        if (*pp == s) { *pp = s->next; break; }
    }
    driftdb_stmt_free(s->st);
    text_unref(s->text);
    dd_free(s->name);
    dd_free(s);
}

/* Drops portal p; -1 when closing its suspended result failed (the error
 * is sent, see conn_close_suspended). */
static int portal_drop(Conn *c, PgwPortal *p)
{
    for (PgwPortal **pp = &c->portals; *pp; pp = &(*pp)->next) {
        if (*pp == p) { *pp = p->next; break; }
    }
    int rc = c->suspended == p ? conn_close_suspended(c) : 0;
    driftdb_portal_free(p->p);
    text_unref(p->text);
    buf_free(&p->held);
    dd_free(p->formats);
    dd_free(p->name);
    dd_free(p);
    return rc;
}

static int portal_format(const PgwPortal *p, int i);

/* driftdb_portal_hooks.find: portal name for a SQL FETCH / MOVE / CLOSE,
 * and its state.  A statement runs only after conn_hold_suspended, so a
 * portal that ran part way has its rows in held. */
static driftdb_portal *conn_portal_find(void *arg, const char *name, int *state)
{
    Conn *c = arg;
    PgwPortal *p = portal_find(c, name);
    if (!p) return NULL;
    if (p == c->running || p->r) *state = DRIFTDB_PORTAL_ACTIVE;
    else if (p->interrupted) *state = DRIFTDB_PORTAL_FAILED;
    else if (p->holding) *state = DRIFTDB_PORTAL_HELD;
    else if (p->done) *state = DRIFTDB_PORTAL_DONE;
    else *state = DRIFTDB_PORTAL_NEW;
    return p->p;
}

/* driftdb_portal_hooks.take: up to n (n < 0: all) of the DataRows portal
 * name holds, each to row (NULL: skipped) as its fields in the portal's
 * formats; what ends them (CommandComplete, an error) stays for Execute.
 * Returns how many, -1 when row failed. */
static long conn_portal_take(void *arg, const char *name, long n,
                             int (*row)(void *rarg, const driftdb_param *fields, int nfields), void *rarg)
{
    Conn *c = arg;
    PgwPortal *p = portal_find(c, name);
    if (!p || !p->holding) return 0;
    Buf *h = &p->held;
    driftdb_param *fields = NULL;
    int cap = 0;
    long got = 0;
    while ((n < 0 || got < n) && p->held_pos < h->len && h->data[p->held_pos] == 'D') {
        const u8 *m = h->data + p->held_pos;
        size_t len = 1 + get_u32be(m + 1);
        if (row) {
            /* DataRow: Int16 n | { Int32 len (-1 NULL) | bytes } * n, as send_data_row made it */
            Cursor cur;
            cur_init(&cur, m + 5, len - 5);
            int nf = cur_u16be(&cur);
            if (nf > cap) {
                driftdb_param *nfl = dd_realloc(fields, sizeof(*fields) * (size_t)nf);
                if (!nfl) { got = -1; break; }
                fields = nfl;
                cap = nf;
            }
            for (int i = 0; i < nf; i++) {
                u32 flen = cur_u32be(&cur);
                fields[i].binary = portal_format(p, i);
                fields[i].data = flen == 0xFFFFFFFFu ? NULL : (const char *)cur_bytes(&cur, flen);
                fields[i].len = flen == 0xFFFFFFFFu ? 0 : flen;
                if (flen != 0xFFFFFFFFu && !fields[i].data) fields[i].data = "";
            }
            if (cur.bad || row(rarg, fields, nf) != 0) { got = -1; break; }
        }
        p->held_pos += len;
        got++;
    }
    dd_free(fields);
    return got;
}

/* driftdb_portal_hooks.close: CLOSE name of a portal. */
static void conn_portal_close(void *arg, const char *name)
{
    Conn *c = arg;
    PgwPortal *p = portal_find(c, name);
    if (p) portal_drop(c, p);
}

/* Portals live until the transaction ends (no WITH HOLD). */
static void conn_drop_portals(Conn *c)
{
    while (c->portals) portal_drop(c, c->portals);
}

/* 'P' Parse: String name | String query | Int16 n | Int32 type oid * n */
static int conn_parse(Conn *c, Cursor *cur)
{
    const char *name = cur_cstr(cur);
    const char *sql = cur_cstr(cur);
    i16 n = (i16)cur_u16be(cur);
    if (!name || !sql || cur->bad || n < 0 || cur_left(cur) != (size_t)n * 4)
        return conn_fatal(c, "08P01", "invalid Parse message format");
    u32 *oids = dd_malloc(sizeof(u32) * (size_t)(n ? n : 1));
    if (!oids) return conn_fatal(c, "53200", "out of memory");
    for (int i = 0; i < n; i++) oids[i] = cur_u32be(cur);
    PgwStmt *old = stmt_find(c, name);
    if (old && name[0]) {
        dd_free(oids);
        conn_ext_errorf(c, "42P05", "prepared statement \"%s\" already exists", name);
        return 0;
    }
    driftdb_stmt *st = NULL;
    driftdb_error err;
    int rc = driftdb_prepare(c->sess, sql, strlen(sql), n, oids, &st, &err);
    dd_free(oids);
    if (rc != DRIFTDB_OK) {
        position_in_chars(&err, sql);
        conn_ext_error(c, &err);
        return 0;
    }
    if (old) stmt_drop(c, old);   /* the unnamed statement is replaced */
    PgwStmt *s = dd_calloc(1, sizeof *s);
    char *nm = dd_strdup(name);
    PgwText *tx = text_new(name, sql);
    if (!s || !nm || !tx) {
        dd_free(s);
        dd_free(nm);
        text_unref(tx);
        driftdb_stmt_free(st);
        return conn_fatal(c, "53200", "out of memory");
    }
    s->name = nm;
    s->st = st;
    s->text = tx;
    s->next = c->stmts;
    c->stmts = s;
    size_t at = msg_begin(c, '1');   /* ParseComplete */
    msg_end(c, at);
    return 0;
}

/* Format code i of a Bind message's validated format list. */
static u16 fmt_at(const Cursor *f, int i)
{
    return (u16)((f->p[2 * i] << 8) | f->p[2 * i + 1]);
}

/*
 * 'B' Bind: String portal | String statement | Int16 nf | Int16 format * nf
 *           | Int16 np | { Int32 len (-1 NULL) | len bytes } * np
 *           | Int16 nr | Int16 result format * nr
 */
static int conn_bind(Conn *c, Cursor *cur)
{
    const char *pname = cur_cstr(cur);
    const char *sname = cur_cstr(cur);
    i16 nf = (i16)cur_u16be(cur);
    if (!pname || !sname || cur->bad || nf < 0 || cur_left(cur) < (size_t)nf * 2 + 2)
        return conn_fatal(c, "08P01", "invalid Bind message format");
    Cursor fmts = *cur;
    cur_bytes(cur, (size_t)nf * 2);
    i16 np = (i16)cur_u16be(cur);
    if (cur->bad || np < 0) return conn_fatal(c, "08P01", "invalid Bind message format");
    driftdb_param *params = dd_calloc((size_t)(np ? np : 1), sizeof *params);
    if (!params) return conn_fatal(c, "53200", "out of memory");
    for (int i = 0; i < np; i++) {
        u32 len = cur_u32be(cur);
        if (cur->bad || (len != 0xFFFFFFFFu && len > cur_left(cur))) {
            dd_free(params);
            return conn_fatal(c, "08P01", "invalid Bind message format: parameter %d is longer than the message", i + 1);
        }
        if (len == 0xFFFFFFFFu) continue;   /* NULL */
        params[i].data = (const char *)cur_bytes(cur, len);
        params[i].len = len;
        if (!params[i].data) params[i].data = "";   /* zero bytes at the very end */
    }
    i16 nr = (i16)cur_u16be(cur);
    if (cur->bad || nr < 0 || cur_left(cur) != (size_t)nr * 2) {
        dd_free(params);
        return conn_fatal(c, "08P01", "invalid Bind message format");
    }
    i16 *rfmt = dd_malloc(sizeof(i16) * (size_t)(nr ? nr : 1));
    if (!rfmt) { dd_free(params); return conn_fatal(c, "53200", "out of memory"); }
    for (int i = 0; i < nr; i++) rfmt[i] = (i16)cur_u16be(cur);

    const char *problem = NULL, *pstate = "08P01";
    char msgbuf[200];
    if (nf > 1 && nf != np) {
        snprintf(msgbuf, sizeof msgbuf, "bind message has %d parameter formats but %d parameters", nf, np);
        problem = msgbuf;
    }
    for (int i = 0; !problem && i < nf; i++) {
        i16 f = (i16)fmt_at(&fmts, i);
        if (f != 0 && f != 1) {
            snprintf(msgbuf, sizeof msgbuf, "unsupported format code: %d", f);
            problem = msgbuf;
            pstate = "22023";   /* as PostgreSQL */
        }
    }
    for (int i = 0; !problem && i < nr; i++) {
        if (rfmt[i] != 0 && rfmt[i] != 1) {
            snprintf(msgbuf, sizeof msgbuf, "unsupported format code: %d", rfmt[i]);
            problem = msgbuf;
            pstate = "22023";
        }
    }
    PgwStmt *s = problem ? NULL : stmt_find(c, sname);
    if (!problem && !s) {
        dd_free(params);
        dd_free(rfmt);
        conn_stmt_missing(c, sname);
        return 0;
    }
    if (!problem && np != driftdb_stmt_nparams(s->st)) {
        snprintf(msgbuf, sizeof msgbuf, "bind message supplies %d parameters, but prepared statement \"%s\" requires %d",
                 np, sname, driftdb_stmt_nparams(s->st));
        problem = msgbuf;
    }
    if (problem) {
        dd_free(params);
        dd_free(rfmt);
        conn_ext_errorf(c, pstate, "%s", problem);
        return 0;
    }
    for (int i = 0; i < np; i++)
        params[i].binary = nf == 0 ? 0 : (int)fmt_at(&fmts, nf == 1 ? 0 : i);
    PgwPortal *old = portal_find(c, pname);
    if (old && pname[0]) {
        dd_free(params);
        dd_free(rfmt);
        conn_ext_errorf(c, "42P03", "cursor \"%s\" already exists", pname);   /* PostgreSQL's words */
        return 0;
    }
    if (old && portal_drop(c, old)) {   /* the unnamed portal is replaced */
        dd_free(params);
        dd_free(rfmt);
        return 0;
    }
    driftdb_portal *dp = NULL;
    driftdb_error err;
    int rc = driftdb_bind(c->sess, s->st, np, params, &dp, &err);
    dd_free(params);
    if (rc != DRIFTDB_OK) {
        dd_free(rfmt);
        conn_ext_error(c, &err);
        return 0;
    }
    if (nr > 1) {
        /* one format per result column: checked now, as PostgreSQL */
        int has_rows;
        const driftdb_column *cols;
        int ncols = driftdb_portal_columns(c->sess, dp, &has_rows, &cols, &err);
        if (ncols < 0 || (has_rows && ncols != nr)) {
            dd_free(rfmt);
            driftdb_portal_free(dp);
            if (ncols < 0) {
                conn_ext_error(c, &err);
            } else {
                conn_ext_errorf(c, "08P01", "bind message has %d result formats but query has %d columns", nr,
                                ncols);
            }
            return 0;
        }
    }
    PgwPortal *p = dd_calloc(1, sizeof *p);
    char *nm = dd_strdup(pname);
    if (!p || !nm) {
        dd_free(p);
        dd_free(nm);
        dd_free(rfmt);
        driftdb_portal_free(dp);
        return conn_fatal(c, "53200", "out of memory");
    }
    p->name = nm;
    p->p = dp;
    p->runs_failed = driftdb_session_txn_status(c->sess) == 'E' || driftdb_stmt_is_empty(s->st);
    p->text = s->text;
    s->text->refs++;
    p->formats = rfmt;
    p->nformats = nr;
    p->next = c->portals;
    c->portals = p;
    size_t at = msg_begin(c, '2');   /* BindComplete */
    msg_end(c, at);
    return 0;
}

/* The format of result column i of portal p (0 text, 1 binary). */
static int portal_format(const PgwPortal *p, int i)
{
    if (p->nformats == 0) return 0;
    return p->formats[p->nformats == 1 ? 0 : i];
}

/* Whether p's result formats fit ncols columns (else an error is sent). */
static bool portal_formats_ok(Conn *c, const PgwPortal *p, int ncols)
{
    if (p->nformats <= 1 || p->nformats == ncols) return true;
    conn_ext_errorf(c, "08P01", "bind message has %d result formats but query has %d columns", p->nformats, ncols);
    return false;
}

static void send_columns(Conn *c, const driftdb_column *cols, int n, const PgwPortal *p)
{
    size_t at = msg_begin(c, 'T');
    buf_put_u16be(&c->out, (u16)n);
    for (int i = 0; i < n; i++) {
        buf_put_str(&c->out, cols[i].name);
        buf_put_u32be(&c->out, cols[i].table_oid);
        buf_put_u16be(&c->out, (u16)cols[i].attnum);
        buf_put_u32be(&c->out, cols[i].type_oid);
        buf_put_u16be(&c->out, (u16)cols[i].typlen);
        buf_put_u32be(&c->out, (u32)cols[i].typmod);
        buf_put_u16be(&c->out, (u16)(p ? portal_format(p, i) : 0));
    }
    msg_end(c, at);
}

/* 'D' Describe: Byte1 'S' | 'P' | String name */
static int conn_describe(Conn *c, Cursor *cur)
{
    u8 kind = cur_u8(cur);
    const char *name = cur_cstr(cur);
    if (!name || !cur_end(cur)) return conn_fatal(c, "08P01", "invalid Describe message format");
    int has_rows = 0, n;
    const driftdb_column *cols = NULL;
    if (kind == 'S') {
        PgwStmt *s = stmt_find(c, name);
        if (!s) {
            conn_stmt_missing(c, name);
            return 0;
        }
        n = driftdb_stmt_columns(s->st, &has_rows, &cols);
        if (has_rows && conn_failed_txn(c)) return 0;
        int np = driftdb_stmt_nparams(s->st);
        size_t at = msg_begin(c, 't');   /* ParameterDescription */
        buf_put_u16be(&c->out, (u16)np);
        for (int i = 0; i < np; i++) buf_put_u32be(&c->out, driftdb_stmt_param_type(s->st, i));
        msg_end(c, at);
        if (has_rows && n > PGW_MAX_FIELDS) {
            conn_ext_errorf(c, "54000", "too many result columns (%d)", n);
            return 0;
        }
        if (has_rows) send_columns(c, cols, n, NULL);
        else { at = msg_begin(c, 'n'); msg_end(c, at); }   /* NoData */
        return 0;
    }
    if (kind != 'P') {
        conn_ext_errorf(c, "08P01", "invalid DESCRIBE message subtype %d", kind);
        return 0;
    }
    PgwPortal *p = portal_find(c, name);
    driftdb_error err;
    if (!p) {
        /* an SQL cursor (DECLARE) is a portal too */
        n = driftdb_cursor_columns(c->sess, name, &cols, &err);
        if (n < 0) {
            conn_ext_errorf(c, "34000", "portal \"%s\" does not exist", name);
            return 0;
        }
        if (conn_failed_txn(c)) return 0;
        if (n > PGW_MAX_FIELDS) {
            conn_ext_errorf(c, "54000", "too many result columns (%d)", n);
            return 0;
        }
        send_columns(c, cols, n, NULL);
        return 0;
    }
    n = driftdb_portal_columns(c->sess, p->p, &has_rows, &cols, &err);
    if (n < 0) {
        conn_ext_error(c, &err);
        return 0;
    }
    if (has_rows && conn_failed_txn(c)) return 0;
    if (has_rows && n > PGW_MAX_FIELDS) {
        conn_ext_errorf(c, "54000", "too many result columns (%d)", n);
        return 0;
    }
    if (has_rows && !portal_formats_ok(c, p, n)) return 0;
    if (has_rows) send_columns(c, cols, n, p);
    else { size_t at = msg_begin(c, 'n'); msg_end(c, at); }
    return 0;
}

/* CommandComplete with tag; a "SELECT n" tag gets nrows instead of n when
 * nrows >= 0 (an Execute with a row limit reports its own rows, as
 * PostgreSQL does). */
static void put_tag(Conn *c, const char *tag, long nrows)
{
    size_t at = msg_begin(c, 'C');
    if (nrows >= 0 && strncmp(tag, "SELECT ", 7) == 0) buf_printf(&c->out, "SELECT %ld", nrows);
    else buf_puts(&c->out, tag);
    buf_putc(&c->out, 0);
    msg_end(c, at);
}

/* Sends the notice and CommandComplete of a finished result (nrows: see
 * put_tag). */
static void send_complete(Conn *c, driftdb_result *r, long nrows)
{
    send_notices(c, r);
    const char *tag = driftdb_result_tag(r);
    put_tag(c, tag ? tag : "", nrows);
}

static int conn_execute_portal(Conn *c, Cursor *cur);

/* p's statement failed (err) while its result r was being sent: its
 * notices, then the error; the statement's transaction fails with it. */
static void portal_failed(Conn *c, PgwPortal *p, driftdb_result *r, const driftdb_error *err)
{
    if (c->suspended == p) c->suspended = NULL;
    send_notices(c, r);
    driftdb_result_free(r);
    p->r = NULL;
    p->done = true;
    driftdb_session_fail(c->sess);
    conn_ext_error(c, err);
}

/* 'E' Execute: String portal | Int32 max rows (0: all); timed for the
 * duration log ("execute <unnamed>: SQL", "execute S_1/C_2: SQL", and
 * "execute fetch from" for a portal resumed after PortalSuspended, as
 * PostgreSQL names them). */
static int conn_execute(Conn *c, Cursor *cur)
{
    i64 t0 = clock_mono_us();
    Cursor peek = *cur;
    const char *pname = cur_cstr(&peek);
    PgwPortal *p = pname ? portal_find(c, pname) : NULL;
    bool fetch = p && (p->r || p->holding || p->done);
    PgwText *tx = p ? p->text : NULL;
    if (tx) tx->refs++;   /* Execute may drop the portal */
    char portal[64] = "";   /* the message's name outlives it here */
    if (tx) {
        size_t n = strnlen(pname, sizeof portal - 1);
        memcpy(portal, pname, n);
        portal[n] = 0;
    }
    int rc = conn_execute_portal(c, cur);
    metrics_statement(clock_mono_us() - t0);
    if (tx && rc == 0)
        conn_log_duration(c, t0, fetch ? "execute fetch from" : "execute", tx->name[0] ? tx->name : "<unnamed>",
                          portal, tx->sql);
    text_unref(tx);
    return rc;
}

static int conn_execute_portal(Conn *c, Cursor *cur)
{
    const char *name = cur_cstr(cur);
    u32 maxrows = cur_u32be(cur);
    if (!name || !cur_end(cur)) return conn_fatal(c, "08P01", "invalid Execute message format");
    PgwPortal *p = portal_find(c, name);
    if (!p) {
        conn_ext_errorf(c, "34000", "portal \"%s\" does not exist", name);
        return 0;
    }
    /* the portals of a failed block failed with it, but for one bound
     * there (a ROLLBACK) or an empty one, as in PostgreSQL */
    if (!p->runs_failed && conn_failed_txn(c)) return 0;
    driftdb_error err;
    memset(&err, 0, sizeof err);
    if (p->interrupted) {
        if (driftdb_session_txn_status(c->sess) == 'E')
            conn_ext_errorf(c, "25P02", "current transaction is aborted, commands ignored until end of transaction block");
        else
            conn_ext_errorf(c, "0A000", "portal \"%s\" cannot be resumed: it was closed by an error", name);
        return 0;
    }
    if (p->holding) {
        conn_send_held(c, p, maxrows);
        return c->broken ? -1 : 0;
    }
    if (p->done) {
        /* run to completion already, as PostgreSQL: an empty statement
         * is empty again, one with rows has no more ("SELECT 0",
         * "INSERT 0 0" with RETURNING), any other cannot run again */
        if (p->empty) {
            size_t at = msg_begin(c, 'I');   /* EmptyQueryResponse */
            msg_end(c, at);
        } else if (p->has_rows) {
            size_t n = strlen(p->tag), digits = n;
            while (digits > 0 && p->tag[digits - 1] >= '0' && p->tag[digits - 1] <= '9') digits--;
            size_t at = msg_begin(c, 'C');
            buf_append(&c->out, p->tag, digits);
            if (digits < n) buf_putc(&c->out, '0');
            buf_putc(&c->out, 0);
            msg_end(c, at);
        } else {
            conn_ext_errorf(c, "55000", "portal \"%s\" cannot be run", name);
        }
        return 0;
    }
    driftdb_result *r = p->r;
    if (!r) {
        conn_hold_suspended(c);
        c->running = p;
        int rc = driftdb_portal_exec(c->sess, p->p, &r, &err);
        c->running = NULL;
        if (rc == DRIFTDB_DONE) {
            p->done = p->empty = true;
            size_t at = msg_begin(c, 'I');   /* EmptyQueryResponse */
            msg_end(c, at);
            return 0;
        }
        if (rc != DRIFTDB_ROW_RESULT) {
            send_fail_notices(c);
            conn_ext_error(c, &err);
            return 0;
        }
        if (driftdb_result_copy(r, NULL, NULL)) {
            /* its data now, whatever the row limit (PostgreSQL runs a
             * utility statement to its end); the client's messages are
             * read into c->in meanwhile, so `name` is gone */
            int crc = conn_send_copy(c, r, &err);
            if (crc < 0) {
                driftdb_result_free(r);
                p->done = true;
                return -1;
            }
            if (crc > 0) {
                portal_failed(c, p, r, &err);
                return 0;
            }
            p->has_rows = false;
        } else {
            int ncols = driftdb_result_ncols(r);
            /* the error fails the statement: driftdb_session_fail frees r,
             * the session's current result, without committing it */
            if (driftdb_result_has_rows(r) && !portal_formats_ok(c, p, ncols)) return 0;
            for (int i = 0; i < ncols; i++) driftdb_result_set_binary(r, i, portal_format(p, i));
            p->has_rows = driftdb_result_has_rows(r) != 0;
        }
        p->r = r;
    }
    u32 sent = 0;
    if (p->has_rows) {
        int ncols = driftdb_result_ncols(r);
        for (;;) {
            if (maxrows > 0 && sent == maxrows) {
                c->suspended = p;
                size_t at = msg_begin(c, 's');   /* PortalSuspended */
                msg_end(c, at);
                driftdb_portal_advance(p->p, sent, 0);   /* where a SQL FETCH goes on from */
                return 0;
            }
            int rc = driftdb_result_next(r, &err);
            if (rc == 0) break;
            if (rc < 0 || send_data_row(c, r, ncols, &err) != 0) {
                portal_failed(c, p, r, &err);
                return 0;
            }
            sent++;
            if ((c->out.len >= PGW_FLUSH_AT || !buf_ok(&c->out)) && conn_flush(c) != 0) return -1;
        }
    }
    if (c->suspended == p) c->suspended = NULL;
    if (p->has_rows) driftdb_portal_advance(p->p, sent, 1);
    send_complete(c, r, p->has_rows ? (long)sent : -1);
    const char *tag = driftdb_result_tag(r);
    snprintf(p->tag, sizeof p->tag, "%s", tag ? tag : "");
    driftdb_result_free(r);
    p->r = NULL;
    p->done = true;
    conn_report_params(c);
    return 0;
}

/* 'C' Close: Byte1 'S' | 'P' | String name.  Closing what does not exist
 * is not an error. */
static int conn_close_msg(Conn *c, Cursor *cur)
{
    u8 kind = cur_u8(cur);
    const char *name = cur_cstr(cur);
    if (!name || !cur_end(cur)) return conn_fatal(c, "08P01", "invalid Close message format");
    if (kind == 'S') {
        PgwStmt *s = stmt_find(c, name);
        if (s) stmt_drop(c, s);
    } else if (kind == 'P') {
        PgwPortal *p = portal_find(c, name);
        if (p && portal_drop(c, p)) return 0;
    } else {
        conn_ext_errorf(c, "08P01", "invalid CLOSE message subtype %d", kind);
        return 0;
    }
    size_t at = msg_begin(c, '3');   /* CloseComplete */
    msg_end(c, at);
    return 0;
}

/* 'S' Sync: ends the implicit transaction of the messages since the last
 * Sync (committing it unless it failed), then ReadyForQuery. */
static void conn_sync(Conn *c)
{
    /* in a transaction block, portals (a suspended one too) live on */
    if (driftdb_session_txn_status(c->sess) == 'I' && conn_close_suspended(c) && c->state == PGW_CLOSED) return;
    driftdb_error err;
    if (driftdb_session_sync(c->sess, &err) != DRIFTDB_OK) send_error(c, &err);
    if (driftdb_session_txn_status(c->sess) == 'I') conn_drop_portals(c);
    c->state = PGW_READY;
    conn_report_params(c);
    conn_ready_for_query(c);
}

/* Reads and dispatches messages until Terminate, EOF or a fatal error. */
/* While a statement runs: a client that hangs up cancels it (backends.h). */
static void conn_busy(Conn *c, bool busy)
{
    if (!c->cfg->backends || c->backend_slot < 0) return;
    if (busy) backends_busy(c->cfg->backends, c->backend_slot, c->fd);
    else backends_idle(c->cfg->backends, c->backend_slot);
}

static int conn_serve_loop(Conn *c)
{
    for (;;) {
        assert(conn_check(c));
        u8 type = 0;
        Cursor cur;
        int rc = conn_read_message(c, &type, &cur);
        bool idle_in_txn = c->idle_status != 'I';
        c->idle_ms = 0;
        if (c->cfg->backends && atomic_load(&c->cfg->backends->terminating))
            return conn_fatal(c, "57P01", "terminating connection due to administrator command");
        if (rc == -3) {   /* pg_terminate_backend */
            return conn_fatal(c, "57P01", "terminating connection due to administrator command");
        }
        if (rc == -2) {
            if (idle_in_txn)
                return conn_fatal(c, "25P03", "terminating connection due to idle-in-transaction timeout");
            return conn_fatal(c, "57P05", "terminating connection due to idle-session timeout");
        }
        if (rc == 1) return 0;    /* EOF between messages: the client left */
        if (rc != 0) return -1;

        if (c->state == PGW_SKIP_TO_SYNC) {
            if (type == 'S') {
                conn_sync(c);
            } else if (type == 'X') {
                return 0;
            }
            continue;   /* discarded, as the protocol requires after an error */
        }

        int rc2 = 0;
        switch (type) {
        case 'Q': {
            /* a simple query ends the extended protocol's implicit
             * transaction and replaces the unnamed statement and portal */
            conn_hold_suspended(c);
            PgwPortal *up = portal_find(c, "");
            if (up) portal_drop(c, up);
            PgwStmt *us = stmt_find(c, "");
            if (us) stmt_drop(c, us);
            conn_busy(c, true);
            int qrc = conn_simple_query(c, &cur);
            conn_busy(c, false);
            if (qrc != 0) return -1;
            if (driftdb_session_txn_status(c->sess) == 'I') conn_drop_portals(c);
            break;
        }
        case 'X':
            c->state = PGW_CLOSED;
            return 0;
        case 'S':
            if (!cur_end(&cur)) {
                /* a Sync with a body: an error, which aborts the
                 * transaction, then ReadyForQuery (PostgreSQL's) */
                driftdb_error e;
                error_set(&e, "ERROR", "08P01", "invalid message format");
                conn_fail_txn(c);
                send_error(c, &e);
            }
            conn_sync(c);
            break;
        case 'H':   /* Flush */
            if (conn_flush(c) != 0) return -1;
            break;
        case 'P': rc2 = conn_parse(c, &cur); break;
        case 'B': rc2 = conn_bind(c, &cur); break;
        case 'D': rc2 = conn_describe(c, &cur); break;
        case 'E':
            conn_busy(c, true);
            rc2 = conn_execute(c, &cur);
            conn_busy(c, false);
            break;
        case 'C': rc2 = conn_close_msg(c, &cur); break;
        case 'F': {
            driftdb_error e;
            error_set(&e, "ERROR", "0A000", "function call protocol is not supported");
            conn_fail_txn(c);   /* an ERROR: the transaction is aborted */
            send_error(c, &e);
            conn_ready_for_query(c);
            break;
        }
        case 'd': case 'c': case 'f':
            break;   /* COPY traffic outside COPY: ignored, as PostgreSQL does */
        default:
            return conn_fatal(c, "08P01", "invalid frontend message type %d", type);
        }
        if (rc2 != 0 || c->state == PGW_CLOSED) return -1;
    }
}

int pgw_serve(int fd, const PgwConfig *cfg)
{
    Conn *c = dd_calloc(1, sizeof *c);
    if (!c) return -1;
    c->fd = fd;
    c->cfg = cfg;
    c->state = PGW_STARTUP;
    c->backend_slot = -1;
    c->term_fd = -1;
    c->idle_status = 'I';
    buf_init(&c->in);
    buf_init(&c->out);

    /* Startup must finish in PGW_STARTUP_TIMEOUT_S; after that reads block
     * for as long as the client idles (TCP keepalive finds dead peers). */
    struct timeval tv = {PGW_STARTUP_TIMEOUT_S, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (log_connections()) {
        const char *port = cfg->client_addr ? strrchr(cfg->client_addr, ':') : NULL;
        if (cfg->peer && port)
            log_conn(c, LOG_LOG, "connection received: host=%s port=%s", cfg->client_host, port + 1);
        else
            log_conn(c, LOG_LOG, "connection received: host=[local]");
    }
    int rc = conn_startup(c);
    if (rc == 0) {
        struct timeval none = {0, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
        metrics_session_start();
        rc = conn_serve_loop(c);
        metrics_session_end();
    }

    if (c->cfg->backends) backends_remove(c->cfg->backends, c->backend_slot);
    tls_close(c->tls, !c->broken);   /* close_notify; the caller closes fd */
    c->tls = NULL;
    conn_drop_portals(c);   /* before the session: a portal may hold its result */
    while (c->stmts) stmt_drop(c, c->stmts);
    if (c->sess && c->term_fd >= 0) driftdb_session_on_terminate(c->sess, NULL, NULL);
    if (c->term_fd >= 0) close(c->term_fd);
    if (c->sess) driftdb_session_close(c->sess);   /* rolls back an open transaction */
    if (c->admitted) atomic_fetch_sub(cfg->nsessions, 1);
    for (size_t i = 0; i < NREPORTED; i++) dd_free(c->reported[i]);
    dd_free(c->user);
    dd_free(c->app_name);
    buf_free(&c->in);
    buf_free(&c->out);
    dd_free(c);
    return rc;
}
