/*
 * powerloss.c - a fault layer that simulates a power loss: linked into a
 * test program, it interposes the calls that write and flush files, and at
 * a chosen moment puts every file under a directory back to what its last
 * flush made durable, then ends the process at once.
 *
 * Model (what a disk without a battery-backed cache may do): a write
 * reaches the page cache only; fsync / fdatasync on any descriptor of a
 * file makes every earlier write to that file durable; a write through a
 * descriptor opened O_SYNC or O_DSYNC is durable when it returns.  At the
 * power loss every write not yet durable is lost: the layer keeps, for
 * each such write, the bytes it overwrote (read just before it), and
 * undoes them newest first, then cuts each file back to its durable size.
 * Writes through a memory map are not seen (DriftDB does not use
 * MDB_WRITEMAP); files are told apart by inode.
 *
 * Off unless DD_POWERLOSS_DIR names a directory.  Then:
 *   DD_POWERLOSS_MS     the power fails at the first write or flush to a
 *                       file under the directory after this many ms from
 *                       the first such call (default: never)
 *   DD_POWERLOSS_STATUS the exit status after the power loss (default 86)
 *   DD_POWERLOSS_KEEP   0..100: the percentage of unflushed writes that
 *                       survive anyway, each by chance (default 0: none)
 * The undo state lives in memory: the process's own end is the power loss.
 *
 * Interposed: write, pwrite, pwrite64, writev, pwritev, fsync, fdatasync,
 * ftruncate, close.  The real functions come from dlsym(RTLD_NEXT).
 */

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*writev_fn)(int, const struct iovec *, int);
typedef ssize_t (*pwritev_fn)(int, const struct iovec *, int, off_t);
typedef int (*fd_fn)(int);
typedef int (*ftruncate_fn)(int, off_t);

static write_fn real_write;
static pwrite_fn real_pwrite;
static pwrite_fn real_pwrite64;
static writev_fn real_writev;
static pwritev_fn real_pwritev;
static fd_fn real_fsync, real_fdatasync, real_close;
static ftruncate_fn real_ftruncate;

/* One unflushed change to a file: the bytes [off, off + n) held old
 * (n_old of them existed; the rest lay past the end). */
typedef struct Undo {
    dev_t dev; ino_t ino;
    int fd;                 /* a descriptor of the file, to write back through */
    off_t off;
    size_t n_old;
    unsigned char *old;
    struct Undo *prev;      /* newer -> older */
} Undo;

/* A tracked file's durable size, and a descriptor of it. */
typedef struct File {
    dev_t dev; ino_t ino;
    off_t durable_size;
    int fd;
    struct File *next;
} File;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int state;           /* 0 unknown, 1 off, 2 on */
static char dir[PATH_MAX];
static size_t dirlen;
static long fail_ms = -1;
static int keep_pct;
static int exit_status = 86;
static struct timespec first;
static int started;
static Undo *undos;
static File *files;
/* fd -> 1 tracked, 2 not tracked, 0 unknown; cleared on close */
#define MAXFD 4096
static unsigned char fdkind[MAXFD];

static void init_locked(void)
{
    if (state) return;
    real_write = (write_fn)dlsym(RTLD_NEXT, "write");
    real_pwrite = (pwrite_fn)dlsym(RTLD_NEXT, "pwrite");
    real_pwrite64 = (pwrite_fn)dlsym(RTLD_NEXT, "pwrite64");
    real_writev = (writev_fn)dlsym(RTLD_NEXT, "writev");
    real_pwritev = (pwritev_fn)dlsym(RTLD_NEXT, "pwritev");
    real_fsync = (fd_fn)dlsym(RTLD_NEXT, "fsync");
    real_fdatasync = (fd_fn)dlsym(RTLD_NEXT, "fdatasync");
    real_close = (fd_fn)dlsym(RTLD_NEXT, "close");
    real_ftruncate = (ftruncate_fn)dlsym(RTLD_NEXT, "ftruncate");
    const char *d = getenv("DD_POWERLOSS_DIR");
    state = 1;
    if (!d || !*d || !realpath(d, dir)) return;
    dirlen = strlen(dir);
    const char *v = getenv("DD_POWERLOSS_MS");
    if (v && *v) fail_ms = atol(v);
    if ((v = getenv("DD_POWERLOSS_KEEP")) && *v) keep_pct = atoi(v);
    if ((v = getenv("DD_POWERLOSS_STATUS")) && *v) exit_status = atoi(v);
    state = 2;
}

/* Whether fd is a regular file under the directory (cached per fd). */
static int tracked(int fd)
{
    if (state != 2 || fd < 0) return 0;
    if (fd < MAXFD && fdkind[fd]) return fdkind[fd] == 1;
    char link[64], path[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    int yes = 0;
    struct stat sb;
    if (n > 0) {
        path[n] = 0;
        yes = (size_t)n > dirlen && strncmp(path, dir, dirlen) == 0 && path[dirlen] == '/' &&
              fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
    }
    if (fd < MAXFD) fdkind[fd] = yes ? 1 : 2;
    return yes;
}

static File *file_of(int fd)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0) return NULL;
    for (File *f = files; f; f = f->next)
        if (f->dev == sb.st_dev && f->ino == sb.st_ino) {
            f->fd = fd;
            return f;
        }
    File *f = calloc(1, sizeof *f);
    if (!f) abort();
    f->dev = sb.st_dev;
    f->ino = sb.st_ino;
    f->durable_size = sb.st_size;   /* what was there before we saw it */
    f->fd = fd;
    f->next = files;
    files = f;
    return f;
}

static long elapsed_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - first.tv_sec) * 1000 + (now.tv_nsec - first.tv_nsec) / 1000000;
}

/* A power loss stops every thread at once: the process's other threads
 * must not read the files (through a memory map, say) while they are put
 * back, nor end the process first with an error of their own.  Each is
 * sent a signal whose handler never returns; at most 2 s are waited for
 * them (a thread that blocks the signal goes on). */
static int frozen;
static void freeze_handler(int sig)
{
    (void)sig;
    __atomic_add_fetch(&frozen, 1, __ATOMIC_SEQ_CST);
    for (;;) pause();
}

static void freeze_others(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = freeze_handler;
    sigfillset(&sa.sa_mask);
    if (sigaction(SIGRTMIN + 4, &sa, NULL) != 0) return;
    long me = syscall(SYS_gettid);
    /* the thread ids first: once one is frozen it may hold a lock (malloc's)
     * that closedir would wait for */
    long tids[1024];
    int ntids = 0, sent = 0;
    DIR *d = opendir("/proc/self/task");
    if (!d) return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && ntids < 1024) {
        long tid = strtol(de->d_name, NULL, 10);
        if (tid > 0 && tid != me) tids[ntids++] = tid;
    }
    closedir(d);
    for (int i = 0; i < ntids; i++)
        if (syscall(SYS_tgkill, (long)getpid(), tids[i], SIGRTMIN + 4) == 0) sent++;
    for (int i = 0; i < 2000 && __atomic_load_n(&frozen, __ATOMIC_SEQ_CST) < sent; i++) {
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
}

/* The power fails: undo every unflushed write (newest first), cut the
 * files back, and end the process.  Called with mu held. */
static void power_loss(void)
{
    /* not rand(): it takes a lock a frozen thread may hold */
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid() ^ (unsigned)elapsed_ms();
    freeze_others();
    for (Undo *u = undos; u; u = u->prev) {
        if (keep_pct > 0 && (int)(rand_r(&seed) % 100) < keep_pct) continue;
        if (u->n_old) real_pwrite(u->fd, u->old, u->n_old, u->off);
    }
    for (File *f = files; f; f = f->next) {
        struct stat sb;
        if (fstat(f->fd, &sb) == 0 && sb.st_size > f->durable_size) real_ftruncate(f->fd, f->durable_size);
    }
    char msg[96];
    int n = snprintf(msg, sizeof msg, "powerloss: power lost after %ld ms\n", elapsed_ms());
    if (n > 0 && real_write(2, msg, (size_t)n) < 0) {}
    _exit(exit_status);
}

/* Before a tracked call: start the clock, or fail the power. */
static void tick(void)
{
    if (!started) {
        clock_gettime(CLOCK_MONOTONIC, &first);
        started = 1;
    } else if (fail_ms >= 0 && elapsed_ms() >= fail_ms) {
        power_loss();
    }
}

/* Records what [off, off + n) of fd's file holds now. */
static void remember(int fd, off_t off, size_t n)
{
    File *f = file_of(fd);
    if (!f) return;
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0 && (fl & (O_SYNC | O_DSYNC))) return;   /* durable at once: handled after the write */
    Undo *u = calloc(1, sizeof *u);
    if (!u) abort();
    u->dev = f->dev;
    u->ino = f->ino;
    u->fd = fd;
    u->off = off;
    u->old = malloc(n ? n : 1);
    if (!u->old) abort();
    ssize_t got = pread(fd, u->old, n, off);
    u->n_old = got > 0 ? (size_t)got : 0;
    u->prev = undos;
    undos = u;
}

/* After a write through an O_SYNC / O_DSYNC descriptor: the file's size is
 * durable (its bytes already are: they have no undo record). */
static void after_write(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0 && (fl & (O_SYNC | O_DSYNC))) {
        File *f = file_of(fd);
        struct stat sb;
        if (f && fstat(fd, &sb) == 0 && sb.st_size > f->durable_size) f->durable_size = sb.st_size;
    }
}

/* A flush of fd's file: its writes are durable. */
static void flushed(int fd)
{
    File *f = file_of(fd);
    if (!f) return;
    Undo **pp = &undos;
    while (*pp) {
        Undo *u = *pp;
        if (u->dev == f->dev && u->ino == f->ino) {
            *pp = u->prev;
            free(u->old);
            free(u);
        } else {
            pp = &u->prev;
        }
    }
    struct stat sb;
    if (fstat(fd, &sb) == 0) f->durable_size = sb.st_size;
}

static off_t cur_off(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0 && (fl & O_APPEND)) {
        struct stat sb;
        return fstat(fd, &sb) == 0 ? sb.st_size : 0;
    }
    return lseek(fd, 0, SEEK_CUR);
}

static size_t iov_len(const struct iovec *iov, int n)
{
    size_t t = 0;
    for (int i = 0; i < n; i++) t += iov[i].iov_len;
    return t;
}

#define ENTER()                  \
    pthread_mutex_lock(&mu);     \
    init_locked()

ssize_t write(int fd, const void *buf, size_t n)
{
    ENTER();
    if (!tracked(fd)) {
        pthread_mutex_unlock(&mu);
        return real_write(fd, buf, n);
    }
    tick();
    remember(fd, cur_off(fd), n);
    ssize_t r = real_write(fd, buf, n);
    after_write(fd);
    pthread_mutex_unlock(&mu);
    return r;
}

static ssize_t do_pwrite(pwrite_fn fn, int fd, const void *buf, size_t n, off_t off)
{
    ENTER();
    if (!tracked(fd)) {
        pthread_mutex_unlock(&mu);
        return (fn ? fn : real_pwrite)(fd, buf, n, off);
    }
    tick();
    remember(fd, off, n);
    ssize_t r = (fn ? fn : real_pwrite)(fd, buf, n, off);
    after_write(fd);
    pthread_mutex_unlock(&mu);
    return r;
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) { return do_pwrite(real_pwrite, fd, buf, n, off); }
ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off) { return do_pwrite(real_pwrite64, fd, buf, n, off); }

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
    ENTER();
    if (!tracked(fd)) {
        pthread_mutex_unlock(&mu);
        return real_writev(fd, iov, cnt);
    }
    tick();
    remember(fd, cur_off(fd), iov_len(iov, cnt));
    ssize_t r = real_writev(fd, iov, cnt);
    after_write(fd);
    pthread_mutex_unlock(&mu);
    return r;
}

ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
    ENTER();
    if (!tracked(fd)) {
        pthread_mutex_unlock(&mu);
        return real_pwritev(fd, iov, cnt, off);
    }
    tick();
    remember(fd, off, iov_len(iov, cnt));
    ssize_t r = real_pwritev(fd, iov, cnt, off);
    after_write(fd);
    pthread_mutex_unlock(&mu);
    return r;
}

static int do_sync(fd_fn fn, int fd)
{
    ENTER();
    if (!tracked(fd)) {
        pthread_mutex_unlock(&mu);
        return fn(fd);
    }
    tick();
    int r = fn(fd);
    if (r == 0) flushed(fd);
    pthread_mutex_unlock(&mu);
    return r;
}

int fsync(int fd) { return do_sync(real_fsync ? real_fsync : (fd_fn)dlsym(RTLD_NEXT, "fsync"), fd); }
int fdatasync(int fd)
{
    return do_sync(real_fdatasync ? real_fdatasync : (fd_fn)dlsym(RTLD_NEXT, "fdatasync"), fd);
}

int ftruncate(int fd, off_t len)
{
    ENTER();
    if (!tracked(fd)) {
        pthread_mutex_unlock(&mu);
        return real_ftruncate(fd, len);
    }
    tick();
    /* shrinking: keep the bytes cut off, to put back; growing needs nothing
     * (the durable size cuts it back) */
    struct stat sb;
    if (fstat(fd, &sb) == 0 && len < sb.st_size) remember(fd, len, (size_t)(sb.st_size - len));
    int r = real_ftruncate(fd, len);
    pthread_mutex_unlock(&mu);
    return r;
}

int close(int fd)
{
    ENTER();
    if (state == 2 && fd >= 0 && fd < MAXFD && fdkind[fd] == 1) {
        /* the undo records and the file's entry may name this fd: point
         * them at another open descriptor of the file, or keep the fd
         * open (a leak the test process can afford) */
        int other = -1;
        struct stat sb;
        if (fstat(fd, &sb) == 0) {
            for (int i = 0; i < MAXFD && other < 0; i++) {
                struct stat s2;
                if (i != fd && fdkind[i] == 1 && fstat(i, &s2) == 0 && s2.st_dev == sb.st_dev &&
                    s2.st_ino == sb.st_ino)
                    other = i;
            }
        }
        int busy = 0;
        for (Undo *u = undos; u; u = u->prev)
            if (u->fd == fd) {
                if (other >= 0) u->fd = other;
                else busy = 1;
            }
        for (File *f = files; f; f = f->next)
            if (f->fd == fd) {
                if (other >= 0) f->fd = other;
                else busy = 1;
            }
        if (busy) {
            pthread_mutex_unlock(&mu);
            return 0;
        }
        fdkind[fd] = 0;
    } else if (fd >= 0 && fd < MAXFD) {
        fdkind[fd] = 0;
    }
    pthread_mutex_unlock(&mu);
    return real_close(fd);
}
