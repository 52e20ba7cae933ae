/*
 * main.c - driftdb-server: the listener, the accept loop, one thread per
 * session, SIGHUP reloads and PostgreSQL's shutdowns: smart on SIGTERM,
 * fast on SIGINT (and SIGQUIT).
 *
 *   driftdb-server --data-path DIR [--listen HOST:PORT] [--socket-dir DIR]
 *                  [--max-connections N] [--hba FILE]
 *                  [--tls-cert FILE --tls-key FILE [--tls-ca FILE]]
 *                  [--log-level LEVEL] [--log-connections]
 *                  [--log-min-duration-statement MS] [--config FILE]
 *
 * The settings come from the command line, DRIFTDB_* variables and a
 * configuration file (config.h); every line on stderr goes through the
 * log (log.h).
 *
 * Besides TCP it listens on the Unix socket DIR/.s.PGSQL.PORT (DIR
 * /var/run/postgresql by default, where libpq looks when no host is
 * given, so `psql -p 5433` works; --socket-dir '' turns it off).  A socket
 * file left by a server that died is replaced; one a live server answers
 * on is not (exit 1).  The file is removed at shutdown.
 *
 * With --tls-cert and --tls-key, TCP clients may ask for TLS (tls.h); the
 * files are loaded and checked at start, so a missing file or a key that
 * does not match the certificate stops the server there (exit 1), never
 * a client at its first connection.
 *
 * The database is opened once with driftdb_open and shared by every
 * connection thread (driftdb.h: thread-safe); each thread runs pgw_serve
 * (pgwire.c) on its socket and owns one session.  Clients the server
 * turns away (too many, or a smart shutdown) get no thread: the accept
 * loop answers them through the rejector (reject.h), so a flood of
 * connections is refused with FATAL 53300 each while open sessions go on.
 *
 * Invariants:
 *   - All mutable server state lives in one Server on main's stack (no
 *     globals), except the log settings (log.h: atomics a SIGHUP
 *     changes).  Signals are blocked in every thread and read by the
 *     accept loop from a signalfd, so no handler touches anything.
 *     SIGPIPE is ignored (and sends use MSG_NOSIGNAL).
 *   - srv->hba is read and replaced by the accept loop only; each
 *     connection holds a reference to the rules it was accepted under
 *     (hba_ref, dropped when its thread ends), so a SIGHUP that swaps in
 *     new rules never frees ones a connection is authenticating with, and
 *     the old rules go with their last connection.
 *   - At most max_conn + PGW_SPARE_THREADS connection threads exist: the
 *     spare ones for clients still in startup, before pgwire.c admits
 *     them (conn_admit counts srv->nsessions).  A client accepted while
 *     every session is taken, or the threads are, or in a smart shutdown,
 *     goes to the rejector, which answers its startup packet with FATAL
 *     53300 "sorry, too many clients already" or 57P03 "the database
 *     system is shutting down", as PostgreSQL does.
 *   - srv->stopping is set by the accept loop only, before it looks for
 *     srv->nsessions to reach 0; pgwire.c counts a client before it reads
 *     the flag, so a smart shutdown never ends under a session it let in.
 *   - slots[i] holds the fd of a live connection thread or -1; it is
 *     cleared under srv->mu before the thread closes the fd, so shutdown()
 *     never hits a reused descriptor.
 *   - driftdb_close runs only after every connection thread has ended
 *     (their sessions closed).
 *
 * Server states (function behind each transition), PostgreSQL's:
 *   START --server_listen, driftdb_open--> SERVING
 *   SERVING, SMART --SIGHUP in server_accept_loop: server_reload (new hba
 *             rules and log settings, or the old ones kept and the error
 *             logged)--> the same state
 *   SERVING --SIGTERM in server_accept_loop: srv->stopping set--> SMART
 *     (smart shutdown: the listeners stay open, every new client gets
 *     FATAL 57P03 from the rejector (CancelRequests still work); open
 *     sessions go on as before; a second SIGTERM changes nothing)
 *   SMART --srv->nsessions reaches 0 (each connection thread ending
 *           wakes the loop through ended_fd)--> DRAINING
 *   SERVING, SMART --SIGINT or SIGQUIT in server_accept_loop--> DRAINING
 *     (fast shutdown; SIGQUIT, PostgreSQL's immediate shutdown, is a
 *     fast one here: LMDB needs no recovery to skip)
 *   DRAINING --server_drain: listeners closed, waiting rejected clients
 *             dropped, every session terminated (FATAL 57P01), last
 *             thread gone (or PGW_DRAIN_TIMEOUT_S)--> EXIT (status 0)
 */
#include "driftdb.h"
#include "pgwire.h"
#include "backends.h"
#include "config.h"
#include "hba.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "reject.h"
#include "tls.h"

#include "../util/alloc.h"
#include "../util/scram.h"

#include <openssl/crypto.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define PGW_SPARE_THREADS 16      /* for clients in startup beyond max_conn */
#define PGW_DRAIN_TIMEOUT_S 30
#define PGW_DRAIN_GRACE_MS 2000   /* for terminated sessions to send their FATAL */

typedef struct Server {
    driftdb *db;
    int listen_fd;
    int unix_fd;                  /* the Unix socket, or -1 */
    char unix_path[sizeof(((struct sockaddr_un *)0)->sun_path)];   /* "" when none */
    int signal_fd;
    int max_conn;                 /* sessions allowed at once */
    int port;                     /* the TCP port bound */
    atomic_int nsessions;         /* admitted sessions (pgwire.c counts) */
    atomic_bool stopping;         /* smart shutdown, or the drain: no new sessions
                                     (and /health/ready says not ready) */
    HttpServer *http;             /* --http-listen, or NULL */
    int ended_fd;                 /* eventfd: a connection thread ended while stopping */
    Rejector rej;                 /* clients being turned away (accept loop only) */
    u32 next_backend_id;          /* accept loop only */
    pthread_mutex_t mu;           /* guards the fields below */
    pthread_cond_t idle;          /* signalled when nthreads drops to 0 */
    int nthreads;
    int nslots;
    int *slots;                   /* fd per live connection thread, or -1 */
    PgwBackends backends;         /* sessions by BackendKeyData */
    Hba *hba;                     /* --hba FILE's rules, or the default (accept loop only) */
    int argc;                     /* the command line, read again at SIGHUP */
    char **argv;
    ServerConfig conf;            /* the settings in force */
    TlsServer *tls;               /* --tls-cert / --tls-key / --tls-ca, or NULL */
} Server;

/* What a connection thread owns; freed by the thread. */
typedef struct ConnArg {
    Server *srv;
    int slot;
    int fd;
    char addr[INET6_ADDRSTRLEN + 8];
    char host[INET6_ADDRSTRLEN];
    struct sockaddr_storage peer;
    Hba *hba;                     /* a reference to the rules it was accepted under */
    PgwConfig cfg;
} ConnArg;

/*
 * Splits "HOST:PORT" ("[v6]:PORT", ":PORT" or "*:PORT" for all interfaces)
 * into host (empty = any) and port.  Returns 0 or -1.
 */
static int parse_listen(const char *s, char *host, size_t hostsz, char *port, size_t portsz)
{
    const char *colon = strrchr(s, ':');
    if (!colon || !colon[1]) return -1;
    const char *h = s;
    size_t hlen = (size_t)(colon - s);
    if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') { h++; hlen -= 2; }
    else if (memchr(h, ':', hlen)) return -1;   /* bare IPv6 needs brackets */
    if (hlen == 1 && h[0] == '*') hlen = 0;
    if (hlen >= hostsz || strlen(colon + 1) >= portsz) return -1;
    if (!colon[1]) return -1;
    for (const char *p = colon + 1; *p; p++)
        if (*p < '0' || *p > '9') return -1;
    if (strtol(colon + 1, NULL, 10) > 65535) return -1;   /* getaddrinfo would wrap it */
    memcpy(host, h, hlen);
    host[hlen] = 0;
    snprintf(port, portsz, "%s", colon + 1);
    return 0;
}

/* Binds and listens on spec; returns the socket or -1 (message printed).
 * *bound_port gets the port actually bound (useful with port 0). */
static int server_listen(const char *opt, const char *spec, int *bound_port)
{
    char host[256], port[16];
    if (parse_listen(spec, host, sizeof host, port, sizeof port) != 0) {
        log_msg(LOG_FATAL, 0, "%s wants HOST:PORT (a port from 0 to 65535), not \"%s\"", opt, spec);
        return -1;
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int gai = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
    if (gai != 0) {
        log_msg(LOG_FATAL, 0, "%s: could not resolve \"%s\": %s", opt, spec, gai_strerror(gai));
        return -1;
    }
    int fd = -1, saved = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) { saved = errno; continue; }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 128) == 0) break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        log_msg(LOG_FATAL, 0, "%s: could not listen on %s: %s", opt, spec, strerror(saved));
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    *bound_port = 0;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        *bound_port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                     : ((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

/*
 * Listens on dir/.s.PGSQL.port.  Returns the socket, -1 when it cannot
 * (message printed), with the path in path.
 */
static int server_listen_unix(const char *dir, int port, char *path, size_t pathsz)
{
    int n = snprintf(path, pathsz, "%s/.s.PGSQL.%d", dir, port);
    if (n < 0 || (size_t)n >= pathsz) {
        log_msg(LOG_LOG, 0, "Unix-domain socket path \"%s/.s.PGSQL.%d\" is too long", dir, port);
        path[0] = 0;
        return -1;
    }
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, (size_t)n + 1);
    int rc = -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) goto fail;
    rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
    if (rc != 0 && errno == EADDRINUSE) {
        /* a file is there: a live server's, or one left by a crash */
        int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        bool live = probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof sa) == 0;
        if (probe >= 0) close(probe);
        if (live) {
            log_msg(LOG_LOG, 0, "another server is listening on %s", path);
            close(fd);
            path[0] = 0;
            return -1;
        }
        unlink(path);
        rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
    }
    if (rc != 0) goto fail;
    chmod(path, 0777);   /* who may connect is decided by authentication */
    if (listen(fd, 128) != 0) goto fail;
    return fd;
fail:
    log_msg(LOG_LOG, 0, "could not listen on Unix socket \"%s\": %s", path, strerror(errno));
    if (fd >= 0) {
        if (rc == 0) unlink(path);   /* bound, then listen failed */
        close(fd);
    }
    path[0] = 0;
    return -1;
}

/* "addr:port" of a peer, for the session and logs. */
static void peer_name(const struct sockaddr_storage *ss, char *out, size_t outsz)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
        port = ntohs(a->sin_port);
        snprintf(out, outsz, "%s:%d", ip, port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
        port = ntohs(a->sin6_port);
        snprintf(out, outsz, "[%s]:%d", ip, port);
    } else if (ss->ss_family == AF_UNIX) {
        snprintf(out, outsz, "[local]");
    } else {
        snprintf(out, outsz, "?");
    }
}

/* A connection thread: serve, then release the slot and close the fd. */
static void *conn_thread(void *p)
{
    ConnArg *a = p;
    Server *srv = a->srv;
    int rc = pgw_serve(a->fd, &a->cfg);
    /* the thread's OpenSSL state (digests of its statements) freed now:
     * a detached thread's key destructors may run after the server,
     * seeing no thread left, has exited */
    OPENSSL_thread_stop();

    pthread_mutex_lock(&srv->mu);
    srv->slots[a->slot] = -1;
    if (--srv->nthreads == 0) pthread_cond_broadcast(&srv->idle);
    pthread_mutex_unlock(&srv->mu);
    close(a->fd);
    if (atomic_load(&srv->stopping)) {
        /* a smart shutdown waits for the last session: the loop looks */
        u64 one = 1;
        ssize_t w = write(srv->ended_fd, &one, sizeof one);
        DD_UNUSED(w);   /* a full counter is already a wake-up */
    }
    log_msg(LOG_DEBUG2, 0, "server process (PID %u) exited with exit code %d", a->cfg.backend_id, rc == 0 ? 0 : 1);
    hba_free(a->hba);
    dd_free(a);
    return NULL;
}

/* Hands an accepted socket to a new thread or, when the server takes no
 * more sessions (smart shutdown, max_conn sessions, every thread taken,
 * out of resources), to the rejector.  Returns 0. */
static int server_start_conn(Server *srv, int fd, const struct sockaddr_storage *ss)
{
    bool tcp = ss->ss_family == AF_INET || ss->ss_family == AF_INET6;
    u32 id = srv->next_backend_id = backends_next_id(&srv->backends, srv->next_backend_id);
    if (atomic_load(&srv->stopping)) {
        reject_add(&srv->rej, fd, tcp, REJECT_SHUTDOWN, id);
        return 0;
    }
    /* decided when the client arrives (a PostgreSQL backend looks for a
     * free slot once the startup packet is in): a session that ends in
     * those milliseconds does not let it in, as at a full server it may
     * try again; pgwire.c's count (conn_admit) stays the one that holds */
    if (atomic_load(&srv->nsessions) >= srv->max_conn) {
        reject_add(&srv->rej, fd, tcp, REJECT_TOO_MANY, id);
        return 0;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);

    ConnArg *a = dd_calloc(1, sizeof *a);
    if (!a) goto refuse;
    a->srv = srv;
    a->fd = fd;
    peer_name(ss, a->addr, sizeof a->addr);
    a->cfg.db = srv->db;
    a->cfg.client_addr = a->addr;
    a->cfg.backend_id = id;
    a->cfg.nsessions = &srv->nsessions;
    a->cfg.max_sessions = srv->max_conn;
    a->cfg.port = srv->port;
    a->cfg.stopping = &srv->stopping;
    a->cfg.backends = &srv->backends;
    a->hba = hba_ref(srv->hba);   /* dropped by the thread: a SIGHUP may swap srv->hba */
    a->cfg.hba = a->hba;
    a->cfg.tls = srv->tls;
    if (tcp) {
        a->peer = *ss;
        a->cfg.peer = &a->peer;
        const void *ip = ss->ss_family == AF_INET ? (const void *)&((const struct sockaddr_in *)ss)->sin_addr
                                                  : (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr;
        if (!inet_ntop(ss->ss_family, ip, a->host, sizeof a->host)) snprintf(a->host, sizeof a->host, "?");
        a->cfg.client_host = a->host;
    }

    pthread_mutex_lock(&srv->mu);
    a->slot = -1;
    for (int i = 0; i < srv->nslots; i++)
        if (srv->slots[i] < 0) { a->slot = i; break; }
    if (a->slot < 0) {
        pthread_mutex_unlock(&srv->mu);
        goto refuse;
    }
    srv->slots[a->slot] = fd;
    srv->nthreads++;
    pthread_mutex_unlock(&srv->mu);

    pthread_attr_t attr;
    pthread_t tid;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&tid, &attr, conn_thread, a);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        pthread_mutex_lock(&srv->mu);
        srv->slots[a->slot] = -1;
        if (--srv->nthreads == 0) pthread_cond_broadcast(&srv->idle);
        pthread_mutex_unlock(&srv->mu);
        log_msg(LOG_LOG, 0, "could not start a connection thread: %s", strerror(rc));
        goto refuse;
    }
    return 0;

refuse:
    if (a) hba_free(a->hba);
    dd_free(a);
    reject_add(&srv->rej, fd, tcp, REJECT_TOO_MANY, id);
    return 0;
}

static void server_reload(Server *srv);

/*
 * Accepts connections and serves the rejector until a fast shutdown
 * (SIGINT, SIGQUIT) or the end of a smart one (SIGTERM, then the last
 * session gone); reloads on SIGHUP.  Returns 0.
 */
static int server_accept_loop(Server *srv)
{
    enum { NFIXED = 4 };
    struct pollfd pfd[NFIXED + REJECT_MAX] = {
        {.fd = srv->listen_fd, .events = POLLIN},
        {.fd = srv->signal_fd, .events = POLLIN},
        {.fd = srv->unix_fd, .events = POLLIN},   /* -1: ignored by poll */
        {.fd = srv->ended_fd, .events = POLLIN},
    };
    for (;;) {
        /* a smart shutdown ends with its last session (srv->stopping was
         * set before this read: see the invariants) */
        if (atomic_load(&srv->stopping) && atomic_load(&srv->nsessions) == 0) return 0;
        reject_fill(&srv->rej, pfd + NFIXED);
        int n = poll(pfd, NFIXED + REJECT_MAX, reject_timeout_ms(&srv->rej));
        if (n < 0) {
            if (errno == EINTR) continue;
            log_msg(LOG_LOG, 0, "poll() failed: %s", strerror(errno));
            return 0;
        }
        if (pfd[1].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(srv->signal_fd, &si, sizeof si) == (ssize_t)sizeof si) {
                if (si.ssi_signo == SIGHUP) {
                    server_reload(srv);
                } else if (si.ssi_signo == SIGTERM) {
                    if (!atomic_load(&srv->stopping)) {   /* a second one changes nothing */
                        log_msg(LOG_LOG, 0, "received smart shutdown request");
                        atomic_store(&srv->stopping, true);
                    }
                } else {
                    if (si.ssi_signo == SIGQUIT)
                        log_msg(LOG_LOG, 0, "received immediate shutdown request: shutting down fast");
                    else
                        log_msg(LOG_LOG, 0, "received fast shutdown request");
                    return 0;
                }
            }
        }
        if (pfd[3].revents & POLLIN) {
            u64 count;
            ssize_t r = read(srv->ended_fd, &count, sizeof count);
            DD_UNUSED(r);   /* only a wake-up: the loop's top looks */
        }
        reject_run(&srv->rej, pfd + NFIXED);
        for (int k = 0; k < 3; k += 2) {
            if (!(pfd[k].revents & POLLIN)) continue;
            struct sockaddr_storage ss;
            socklen_t sl = sizeof ss;
            memset(&ss, 0, sizeof ss);
            int fd = accept4(pfd[k].fd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                    log_msg(LOG_LOG, 0, "could not accept new connection: %s", strerror(errno));
                    poll(NULL, 0, 100);   /* let connections finish */
                }
                continue;   /* EINTR, ECONNABORTED, EAGAIN, ... */
            }
            server_start_conn(srv, fd, &ss);
        }
    }
}

/* Waits until no connection thread is left or the deadline passes.
 * Called and returns with srv->mu held. */
static int wait_threads(Server *srv, long ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += ms / 1000;
    deadline.tv_nsec += (ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) { deadline.tv_sec++; deadline.tv_nsec -= 1000000000L; }
    int rc = 0;
    while (srv->nthreads > 0 && rc == 0)
        rc = pthread_cond_timedwait(&srv->idle, &srv->mu, &deadline);
    return rc;
}

/*
 * Fast shutdown (and the end of a smart one): stops accepting, drops the
 * clients the rejector still waits for; terminates every session's running
 * statement (it fails with FATAL 57P01 at its next check, within
 * milliseconds) and wakes the idle ones (their reads poll the backends'
 * wake_fd: they send the same FATAL and close, rolling back open
 * transactions); after
 * PGW_DRAIN_GRACE_MS, cuts the sockets of whatever is left (a client that
 * does not read) and waits for the threads.  Returns 0 when all ended, -1
 * on timeout.
 */
static int server_drain(Server *srv)
{
    atomic_store(&srv->stopping, true);
    reject_close_all(&srv->rej);
    close(srv->listen_fd);
    srv->listen_fd = -1;
    if (srv->unix_fd >= 0) close(srv->unix_fd);
    srv->unix_fd = -1;
    if (srv->unix_path[0]) unlink(srv->unix_path);
    srv->unix_path[0] = 0;
    backends_terminate_all(&srv->backends);
    pthread_mutex_lock(&srv->mu);
    wait_threads(srv, PGW_DRAIN_GRACE_MS);
    for (int i = 0; i < srv->nslots; i++)
        if (srv->slots[i] >= 0) shutdown(srv->slots[i], SHUT_RDWR);
    wait_threads(srv, PGW_DRAIN_TIMEOUT_S * 1000L);
    int left = srv->nthreads;
    pthread_mutex_unlock(&srv->mu);
    if (left > 0) {
        log_msg(LOG_LOG, 0, "%d connection(s) still busy after %d s", left,
                PGW_DRAIN_TIMEOUT_S);
        return -1;
    }
    return 0;
}

/*
 * Whether rules h can be met with the server's TLS: a hostssl line without
 * TLS never could, a clientcert or cert line needs a CA to verify
 * certificates with (both PostgreSQL refuses too, at load or at
 * connection; here when the rules are loaded).  0, or -1 with
 * "path:line: what" in why.
 */
static int hba_fits_tls(const Server *srv, const Hba *h, char *why, size_t whysz)
{
    for (int i = 0; i < h->n; i++) {
        const HbaLine *l = &h->lines[i];
        const char *what = NULL;
        if (l->type == 's' && !srv->tls)
            what = "hostssl record cannot match because TLS is not configured (give --tls-cert and --tls-key)";
        else if (l->clientcert != HBA_CERT_OFF && !tls_server_has_ca(srv->tls))
            what = "client certificates can only be checked if a root certificate store is available (give --tls-ca)";
        if (what) {
            snprintf(why, whysz, "%s:%d: %s", h->path ? h->path : "?", l->lineno, what);
            return -1;
        }
    }
    return 0;
}

/*
 * --tls-cert / --tls-key / --tls-ca: loads them (srv->tls) and checks the
 * hba rules against them.  0, 2 for flags that do not go together (a bad
 * command line, as the other settings' exit 2), or -1 (logged).
 */
static int server_load_tls(Server *srv, const ServerConfig *o)
{
    if (!o->tls_cert != !o->tls_key) {
        log_msg(LOG_FATAL, 0, "--tls-cert and --tls-key go together: give both (TLS), or neither");
        return 2;
    }
    if (o->tls_ca && !o->tls_cert) {
        log_msg(LOG_FATAL, 0, "--tls-ca needs --tls-cert and --tls-key");
        return 2;
    }
    if (o->tls_cert) {
        char why[1024];
        if (tls_server_load(o->tls_cert, o->tls_key, o->tls_ca, &srv->tls, why, sizeof why) != 0) {
            log_msg(LOG_FATAL, 0, "TLS: %s", why);
            return -1;
        }
    }
    char why[1024];
    if (hba_fits_tls(srv, srv->hba, why, sizeof why) != 0) {
        log_msg(LOG_FATAL, 0, "invalid --hba file: %s", why);
        return -1;
    }
    return 0;
}

/* The rules conf names (its --hba file, or the built-in ones), checked
 * against the server's TLS.  0 with *out (one holder), or -1 with why. */
static int load_hba(const Server *srv, const ServerConfig *conf, Hba **out, char *why, size_t whysz)
{
    *out = NULL;
    if (!conf->hba) {
        if ((*out = hba_default())) return 0;
        snprintf(why, whysz, "out of memory");
        return -1;
    }
    if (hba_load(conf->hba, out, why, whysz) != 0) return -1;
    if (hba_fits_tls(srv, *out, why, whysz) != 0) {
        hba_free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

/* Makes the log settings of conf the process's. */
static void apply_log_settings(const ServerConfig *conf)
{
    log_set_level(conf->log_level);
    log_set_connections(conf->log_connections);
    log_set_min_duration(conf->log_min_duration);
}

/* Whether two optional strings differ. */
static bool str_changed(const char *a, const char *b)
{
    return (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0);
}

/*
 * SIGHUP, as PostgreSQL's reload: reads the settings again (file,
 * environment, command line); when they have an error nothing changes.
 * Otherwise the log settings apply at once and the hba file is read
 * again: when it has an error the old rules stay ("pg_hba.conf was not
 * reloaded"), else new connections get the new rules while connections
 * already accepted keep theirs.  Settings that need a restart are logged
 * and left as they were.  Runs in the accept loop.
 */
static void server_reload(Server *srv)
{
    log_msg(LOG_LOG, 0, "received SIGHUP, reloading configuration files");
    ServerConfig nc;
    char why[1024];
    int rc = config_load(srv->argc, srv->argv, &nc, why, sizeof why);
    if (rc != 0) {
        if (rc < 0) log_msg(LOG_LOG, 0, "%s", why);
        log_msg(LOG_LOG, 0, "configuration file \"%s\" contains errors; no changes were applied",
                srv->conf.config_file ? srv->conf.config_file : "(none)");
        return;
    }
    static const struct { const char *name; size_t off; } fixed[] = {
        {"data_path", offsetof(ServerConfig, data_path)}, {"listen", offsetof(ServerConfig, listen)},
        {"socket_dir", offsetof(ServerConfig, socket_dir)}, {"tls_cert", offsetof(ServerConfig, tls_cert)},
        {"tls_key", offsetof(ServerConfig, tls_key)},       {"tls_ca", offsetof(ServerConfig, tls_ca)},
        {"http_listen", offsetof(ServerConfig, http_listen)},
    };
    for (size_t i = 0; i < DD_ARRAY_LEN(fixed); i++)
        if (str_changed(*(char **)((char *)&srv->conf + fixed[i].off), *(char **)((char *)&nc + fixed[i].off)))
            log_msg(LOG_LOG, 0, "parameter \"%s\" cannot be changed without restarting the server", fixed[i].name);
    if (nc.max_conn != srv->conf.max_conn)
        log_msg(LOG_LOG, 0, "parameter \"max_connections\" cannot be changed without restarting the server");

    apply_log_settings(&nc);
    srv->conf.log_level = nc.log_level;
    srv->conf.log_connections = nc.log_connections;
    srv->conf.log_min_duration = nc.log_min_duration;

    Hba *h;
    if (load_hba(srv, &nc, &h, why, sizeof why) != 0) {
        log_msg(LOG_LOG, 0, "invalid --hba file: %s", why);
        log_msg(LOG_LOG, 0, "pg_hba.conf was not reloaded");
    } else {
        hba_free(srv->hba);   /* connections still holding the old rules keep them */
        srv->hba = h;
        char *t = srv->conf.hba;
        srv->conf.hba = nc.hba;
        nc.hba = t;
        log_msg(LOG_DEBUG1, 0, "pg_hba.conf reloaded from %s", srv->conf.hba ? srv->conf.hba : "the built-in rules");
    }
    config_free(&nc);
}

/* "IPv4 address \"127.0.0.1\", port 5433", as PostgreSQL's "listening on"
 * line names the socket actually bound. */
static void describe_listener(int fd, char *out, size_t outsz)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    const char *fam = "IPv4";
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET6) {
            const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
            port = ntohs(a->sin6_port);
            fam = "IPv6";
        } else {
            const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
            port = ntohs(a->sin_port);
        }
    }
    snprintf(out, outsz, "%s address \"%s\", port %d", fam, ip, port);
}

int main(int argc, char **argv)
{
    Server srv;
    memset(&srv, 0, sizeof srv);
    srv.listen_fd = srv.signal_fd = srv.unix_fd = srv.ended_fd = -1;
    srv.argc = argc;
    srv.argv = argv;
    char why[1024];
    int prc = config_load(argc, argv, &srv.conf, why, sizeof why);
    if (prc == 1) { config_usage(stdout); return 0; }
    if (prc < 0) {
        /* before the log starts, as PostgreSQL's postgres reports a bad
         * command line or configuration file */
        fprintf(stderr, "driftdb-server: %s\n", why);
        fprintf(stderr, "Try \"driftdb-server --help\" for more information.\n");
        return 2;
    }
    const ServerConfig *opt = &srv.conf;
    apply_log_settings(opt);
    if (opt->config_file) log_msg(LOG_DEBUG1, 0, "settings read from configuration file \"%s\"", opt->config_file);

    /* Before any thread exists: SIGPIPE ignored, SIGINT / SIGTERM /
     * SIGQUIT / SIGHUP blocked everywhere and delivered to the accept
     * loop through a signalfd. */
    signal(SIGPIPE, SIG_IGN);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGQUIT);
    sigaddset(&mask, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &mask, NULL);

    srv.max_conn = opt->max_conn;
    metrics_init();
    atomic_init(&srv.nsessions, 0);
    atomic_init(&srv.stopping, false);
    pthread_mutex_init(&srv.mu, NULL);
    pthread_cond_init(&srv.idle, NULL);
    int status = 1;

    srv.signal_fd = signalfd(-1, &mask, SFD_CLOEXEC);
    if (srv.signal_fd < 0) {
        log_msg(LOG_FATAL, 0, "signalfd: %s", strerror(errno));
        goto done;
    }
    srv.ended_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (srv.ended_fd < 0) {
        log_msg(LOG_FATAL, 0, "eventfd: %s", strerror(errno));
        goto done;
    }
    srv.nslots = opt->max_conn + PGW_SPARE_THREADS;
    srv.slots = dd_malloc(sizeof(int) * (size_t)srv.nslots);
    if (!srv.slots) {
        log_msg(LOG_FATAL, 0, "out of memory");
        goto done;
    }
    for (int i = 0; i < srv.nslots; i++) srv.slots[i] = -1;
    if (backends_init(&srv.backends, srv.nslots) != 0) {
        log_msg(LOG_FATAL, 0, "out of memory");
        goto done;
    }

    if (opt->hba) {
        if (hba_load(opt->hba, &srv.hba, why, sizeof why) != 0) {
            log_msg(LOG_FATAL, 0, "invalid --hba file: %s", why);
            goto done;
        }
    } else if (!(srv.hba = hba_default())) {
        log_msg(LOG_FATAL, 0, "out of memory");
        goto done;
    }
    int trc = server_load_tls(&srv, opt);
    if (trc) {
        if (trc == 2) status = 2;
        goto done;
    }
    reject_init(&srv.rej, srv.tls, &srv.backends);

    driftdb_error err;
    memset(&err, 0, sizeof err);
    /* LMDB trusts its pages: every one is checked first, so that a
     * damaged file stops the start with what is wrong (XX001) instead of
     * crashing a query later */
    driftdb_options dopt = {.max_sessions = opt->max_conn, .check_file = 1};
    if (driftdb_open(opt->data_path, &dopt, &srv.db, &err) != DRIFTDB_OK) {
        srv.db = NULL;
        log_msg(LOG_FATAL, 0, "cannot open database \"%s\": %s%s%s%s [SQLSTATE %s]%s%s", opt->data_path, err.message,
                err.detail[0] ? " (" : "", err.detail, err.detail[0] ? ")" : "", err.sqlstate,
                err.hint[0] ? "\nHINT:  " : "", err.hint);
        goto done;
    }

    {   /* an unknown role's SCRAM salt stays the same across restarts */
        u8 key[32];
        driftdb_mock_auth_key(srv.db, key);
        scram_set_mock_key(key, sizeof key);
    }
    int port = 0;
    srv.listen_fd = server_listen("--listen", opt->listen, &port);
    if (srv.listen_fd < 0) goto done;
    srv.port = port;
    {
        char desc[INET6_ADDRSTRLEN + 64];
        describe_listener(srv.listen_fd, desc, sizeof desc);
        log_msg(LOG_LOG, 0, "listening on %s", desc);
        if (opt->socket_dir[0]) {
            srv.unix_fd = server_listen_unix(opt->socket_dir, port, srv.unix_path, sizeof srv.unix_path);
            if (srv.unix_fd < 0 && opt->socket_dir_given) goto done;
            if (srv.unix_fd < 0)
                log_msg(LOG_WARNING, 0, "no Unix socket (give --socket-dir DIR, or '' for none)");
        }
        if (srv.unix_fd >= 0) log_msg(LOG_LOG, 0, "listening on Unix socket \"%s\"", srv.unix_path);
        if (opt->http_listen && opt->http_listen[0]) {
            int hport = 0, hfd = server_listen("--http-listen", opt->http_listen, &hport);
            if (hfd < 0) goto done;
            describe_listener(hfd, desc, sizeof desc);
            if (!(srv.http = http_start(hfd, srv.db, &srv.stopping, srv.max_conn))) {
                log_msg(LOG_FATAL, 0, "could not start the HTTP listener on %s", opt->http_listen);
                goto done;
            }
            log_msg(LOG_LOG, 0, "serving /health and /metrics over HTTP on %s", desc);
        }
        log_msg(LOG_LOG, 0, "database system is ready to accept connections");
    }

    server_accept_loop(&srv);
    if (server_drain(&srv) != 0) {
        /* Sessions still run: leave the database open (LMDB needs no
         * recovery) rather than close it under them; exit ends them. */
        srv.db = NULL;
        goto done;
    }
    status = 0;

done:
    http_stop(srv.http);   /* before the database it reads */
    if (srv.db) driftdb_close(srv.db);   /* no connection thread is left */
    if (status == 0) log_msg(LOG_LOG, 0, "database system is shut down");
    if (srv.listen_fd >= 0) close(srv.listen_fd);
    if (srv.unix_fd >= 0) close(srv.unix_fd);
    if (srv.unix_path[0]) unlink(srv.unix_path);
    if (srv.signal_fd >= 0) close(srv.signal_fd);
    if (srv.ended_fd >= 0) close(srv.ended_fd);
    dd_free(srv.slots);
    hba_free(srv.hba);
    tls_server_free(srv.tls);
    if (srv.backends.b) backends_free(&srv.backends);
    config_free(&srv.conf);
    return status;
}
