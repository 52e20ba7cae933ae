/*
 * fuzz_pgwire.c - libFuzzer target for the PostgreSQL wire protocol server
 * (src/server/pgwire.c).  pgw_serve only works on a socket, so each input
 * runs one real connection over a socketpair against a real database:
 *
 *   LLVMFuzzerInitialize: driftdb_init + driftdb_open in a fresh mkdtemp
 *     directory, shared by all inputs (removed at exit).
 *   per input: a server thread runs pgw_serve on one end; a writer thread
 *     sends the bytes on the other end, then shutdown(SHUT_WR); the main
 *     thread reads the replies until EOF (separate writer and reader, so
 *     neither side can block the other on a full socket buffer).
 *
 * Input format: if the first byte is 'S', the rest is sent as is (this
 * fuzzes the startup phase: SSLRequest, CancelRequest, bad lengths, the
 * StartupMessage parameters); otherwise a valid StartupMessage (user
 * "fuzz") is sent first and the input follows as typed messages, so
 * mutations spend their time past startup.
 *
 * Queries run for real, so the database keeps what earlier inputs
 * committed; reproducing a crash may need the inputs before it.
 */
#include "server/pgwire.h"
#include "util/sha256.h"

#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static driftdb *db;
static char dir[] = "/tmp/driftdb-fuzz-XXXXXX";
static atomic_int nsessions;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

static void cleanup(void)
{
    if (db) driftdb_close(db);
    db = NULL;
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    /* OpenSSL initializes itself on first use and keeps per-thread state
     * for the thread that did it; done from the store's writer thread,
     * LeakSanitizer reports that state at exit.  Initialize it here. */
    u8 h[SHA256_LEN];
    if (sha256("", 0, h)) exit(1);
    driftdb_error err;
    if (!mkdtemp(dir)) { perror("fuzz_pgwire: mkdtemp"); exit(1); }
    if (driftdb_init_superuser(dir, "fuzz", &err) != DRIFTDB_OK || driftdb_open(dir, NULL, &db, &err) != DRIFTDB_OK) {
        fprintf(stderr, "fuzz_pgwire: cannot create a database in %s: %s\n", dir, err.message);
        exit(1);
    }
    atexit(cleanup);
    return 0;
}

typedef struct Side {
    int fd;
    const u8 *p;
    size_t n;
} Side;

static void *server_main(void *arg)
{
    Side *s = arg;
    PgwConfig cfg = {
        .db = db, .client_addr = "fuzz", .backend_id = 1,
        .nsessions = &nsessions, .max_sessions = 100,
    };
    pgw_serve(s->fd, &cfg);
    shutdown(s->fd, SHUT_RDWR);   /* the client then reads EOF */
    return NULL;
}

static void send_all(int fd, const u8 *p, size_t n)
{
    while (n > 0) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return;   /* the server closed: the rest is moot */
        p += k;
        n -= (size_t)k;
    }
}

static void *writer_main(void *arg)
{
    Side *s = arg;
    send_all(s->fd, s->p, s->n);
    shutdown(s->fd, SHUT_WR);
    return NULL;
}

/* StartupMessage: Int32 len 19 | Int32 3.0 | "user" "fuzz" | terminator. */
static const u8 startup[] = {
    0, 0, 0, 19, 0, 3, 0, 0,
    'u', 's', 'e', 'r', 0, 'f', 'u', 'z', 'z', 0,
    0,
};
DD_STATIC_ASSERT(sizeof startup == 19, "StartupMessage length word");

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) { perror("socketpair"); abort(); }

    u8 *msg = NULL;
    size_t n;
    if (size > 0 && data[0] == 'S') {
        n = size - 1;
        msg = malloc(n ? n : 1);
        if (!msg) abort();
        if (n) memcpy(msg, data + 1, n);
    } else {
        n = sizeof startup + size;
        msg = malloc(n);
        if (!msg) abort();
        memcpy(msg, startup, sizeof startup);
        if (size) memcpy(msg + sizeof startup, data, size);
    }

    Side server = {sv[0], NULL, 0}, writer = {sv[1], msg, n};
    pthread_t ts, tw;
    if (pthread_create(&ts, NULL, server_main, &server) != 0) abort();
    if (pthread_create(&tw, NULL, writer_main, &writer) != 0) abort();
    u8 buf[65536];
    for (;;) {
        ssize_t k = recv(sv[1], buf, sizeof buf, 0);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
    }
    pthread_join(tw, NULL);
    pthread_join(ts, NULL);
    close(sv[0]);
    close(sv[1]);
    free(msg);
    if (atomic_load(&nsessions) != 0) {
        fprintf(stderr, "fuzz_pgwire: session count leaked (%d)\n", atomic_load(&nsessions));
        abort();
    }
    return 0;
}
