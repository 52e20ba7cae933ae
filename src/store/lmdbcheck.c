/*
 * lmdbcheck.c - bounded checks of LMDB's own on-disk structures, read with
 * pread from the file, never through LMDB (which trusts them: LMDB 0.9 has
 * no page checksums).
 *
 * The meta pages (pages 0 and 1) are what LMDB reads first: it takes the
 * one with the larger txnid as the database.  A write transaction with
 * txnid T writes meta page T & 1, so in a healthy file each meta page's
 * txnid has its page's parity and the two are consecutive (T and T-1);
 * LMDB's current txnid is the larger.  A damaged txnid can make LMDB
 * silently use the older meta page, i.e. the database as it was one write
 * transaction earlier: every part of that older tree is intact and
 * VERIFY over it would pass, so this check is what reports it.
 *
 * That leaves one change the two txnids cannot show: the older meta page
 * relabelled with the txnid after the newer one.  The freelist tells it:
 * every write transaction T frees the pages it copied and records them in
 * the free tree under key T, so the free tree of the meta page LMDB reads
 * must have the meta's own txnid as its largest key (when it has any).
 * That tree is read from the file with a bounded walk (rightmost path,
 * every page number and offset checked) while the caller's read txn keeps
 * it from being reused.
 *
 * Layout of a meta page (LMDB 0.9, 64-bit), byte offsets in the page:
 *   0   u64 pgno, 8 u16 pad, 10 u16 flags (P_META 0x08), 12 u16 lower,
 *   14  u16 upper
 *   16  u32 magic 0xBEEFC0DE, 20 u32 version (1), 24 address, 32 mapsize
 *   40  MDB_db free (its u32 pad is the page size), 88 MDB_db main
 *       (MDB_db: u32 pad, u16 flags, u16 depth, u64 branch, leaf, overflow
 *       pages, u64 entries, u64 root)
 *   136 u64 last_pg, 144 u64 txnid
 * Other pages: 0 u64 pgno, 10 u16 flags (P_BRANCH 1, P_LEAF 2), 12 u16
 * lower, 14 u16 upper, then (lower - 16) / 2 u16 node offsets; a node is
 * u16 lo, u16 hi, u16 flags, u16 key size, key, data; a branch node's
 * child is lo | hi << 16 | flags << 32.  The free tree's keys are u64
 * txnids.  All in host byte order (little-endian here).
 */
#include "store_int.h"
#include "../util/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

DD_STATIC_ASSERT(sizeof(size_t) == 8, "LMDB meta layout of 64-bit builds");

#define LM_MAGIC 0xBEEFC0DEu
#define LM_META_OFF 16
#define LM_P_META 0x08
#define LM_P_INVALID UINT64_MAX

static u64 rd64(const u8 *p)
{
    u64 v;
    memcpy(&v, p, 8);
    return v;
}
static u32 rd32(const u8 *p)
{
    u32 v;
    memcpy(&v, p, 4);
    return v;
}
static u16 rd16(const u8 *p)
{
    u16 v;
    memcpy(&v, p, 2);
    return v;
}

typedef struct LmMeta {
    u64 txnid, last_pg;
    u64 free_root;     /* root of the free tree, LM_P_INVALID when empty */
    u32 psize;
} LmMeta;

/* Checks meta page i (at offset i * psize, psize from page 0 or 4096). */
static int meta_parse(const u8 *pg, int i, u64 file_pages, LmMeta *m, char *why, size_t wn)
{
    const u8 *mm = pg + LM_META_OFF;
    if (rd64(pg) != (u64)i || !(rd16(pg + 10) & LM_P_META)) {
        snprintf(why, wn, "meta page %d: bad page header", i);
        return -1;
    }
    if (rd32(mm) != LM_MAGIC || rd32(mm + 4) != 1) {
        snprintf(why, wn, "meta page %d: bad magic or version", i);
        return -1;
    }
    m->psize = rd32(mm + 24);
    m->last_pg = rd64(mm + 120);
    m->txnid = rd64(mm + 128);
    m->free_root = rd64(mm + 24 + 40);
    if (m->psize < 512 || m->psize > 65536 || (m->psize & (m->psize - 1))) {
        snprintf(why, wn, "meta page %d: bad page size %u", i, m->psize);
        return -1;
    }
    if (m->last_pg < 1 || (file_pages && m->last_pg >= file_pages)) {
        snprintf(why, wn, "meta page %d: last page %llu beyond the file (%llu pages)", i,
                 (unsigned long long)m->last_pg, (unsigned long long)file_pages);
        return -1;
    }
    for (int d = 0; d < 2; d++) {
        const u8 *db = mm + 24 + 48 * d;
        u64 root = rd64(db + 40);
        if (root != LM_P_INVALID && (root < 2 || root > m->last_pg)) {
            snprintf(why, wn, "meta page %d: root page %llu out of range", i, (unsigned long long)root);
            return -1;
        }
        if (rd16(db + 6) > 64) {
            snprintf(why, wn, "meta page %d: tree depth %u", i, rd16(db + 6));
            return -1;
        }
    }
    return 0;
}

/* One reading of both meta pages; 0 healthy, 1 damaged (why filled),
 * -errno on I/O errors. */
static int meta_once(int fd, u64 lmdb_txnid, LmMeta m[2], char *why, size_t wn)
{
    u8 pg[2][256];
    off_t fsize = lseek(fd, 0, SEEK_END);
    if (fsize < 0) return -errno;
    if (pread(fd, pg[0], sizeof pg[0], 0) != (ssize_t)sizeof pg[0]) {
        snprintf(why, wn, "the file is too short for LMDB's meta pages");
        return 1;
    }
    u32 psize = rd32(pg[0] + LM_META_OFF + 24);
    if (psize < 512 || psize > 65536 || (psize & (psize - 1))) psize = 4096;
    if (pread(fd, pg[1], sizeof pg[1], psize) != (ssize_t)sizeof pg[1]) {
        snprintf(why, wn, "the file is too short for LMDB's meta pages");
        return 1;
    }
    u64 file_pages = (u64)fsize / psize;
    for (int i = 0; i < 2; i++)
        if (meta_parse(pg[i], i, file_pages, &m[i], why, wn)) return 1;
    if (m[0].psize != m[1].psize) {
        snprintf(why, wn, "the meta pages disagree on the page size");
        return 1;
    }
    for (int i = 0; i < 2; i++)
        if (m[i].txnid && (m[i].txnid & 1) != (u64)i) {
            snprintf(why, wn, "meta page %d: transaction id %llu has the other page's parity", i,
                     (unsigned long long)m[i].txnid);
            return 1;
        }
    u64 hi = DD_MAX(m[0].txnid, m[1].txnid), lo = DD_MIN(m[0].txnid, m[1].txnid);
    if (hi != lo + 1 && !(lo == 0 && hi <= 1)) {
        snprintf(why, wn, "the meta pages' transaction ids %llu and %llu are not consecutive",
                 (unsigned long long)m[0].txnid, (unsigned long long)m[1].txnid);
        return 1;
    }
    if (lmdb_txnid && lmdb_txnid > hi) {
        snprintf(why, wn, "LMDB reads transaction %llu, newer than both meta pages (%llu)",
                 (unsigned long long)lmdb_txnid, (unsigned long long)hi);
        return 1;
    }
    return 0;
}

/* The largest key of the free tree at root (a u64 txnid): the rightmost
 * path, at most 64 pages, each checked.  0 found, 1 damaged (why). */
static int free_last_key(int fd, const LmMeta *m, u64 *key, char *why, size_t wn)
{
    u8 *pg = dd_malloc(m->psize);
    if (!pg) {
        snprintf(why, wn, "out of memory");
        return 1;
    }
    u64 pgno = m->free_root;
    for (int depth = 0; depth < 64; depth++) {
        if (pgno < 2 || pgno > m->last_pg) break;
        if (pread(fd, pg, m->psize, (off_t)(pgno * m->psize)) != (ssize_t)m->psize) break;
        u16 flags = rd16(pg + 10), lower = rd16(pg + 12), upper = rd16(pg + 14);
        if (rd64(pg) != pgno || lower < 16 + 2 || lower > upper || upper > m->psize) break;
        u32 n = (u32)(lower - 16) / 2;
        u16 off = rd16(pg + 16 + 2 * (n - 1));
        if (off < upper || (u32)off + 8 > m->psize) break;
        const u8 *node = pg + off;
        if (flags & 1) {   /* branch */
            pgno = (u64)rd16(node) | (u64)rd16(node + 2) << 16 | (u64)rd16(node + 4) << 32;
            continue;
        }
        if (!(flags & 2) || rd16(node + 6) != 8 || (u32)off + 16 > m->psize) break;
        *key = rd64(node + 8);
        dd_free(pg);
        return 0;
    }
    dd_free(pg);
    snprintf(why, wn, "page %llu of LMDB's free tree is damaged", (unsigned long long)pgno);
    return 1;
}

int store_check_lmdb_meta(Store *st, MDB_txn *txn, DdError *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", st->dir, FMT_FILE_NAME);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return dd_err(err, DD_EIO, -1, "could not open \"%s\": %s", path, strerror(errno));
    char why[256] = "";
    int rc = 0;
    /* a writer may be writing a meta page while we read: only damage that
     * stays across a few readings counts */
    for (int attempt = 0; attempt < 5; attempt++) {
        MDB_envinfo info;
        mdb_env_info(st->env, &info);
        LmMeta m[2];
        memset(m, 0, sizeof m);
        rc = meta_once(fd, (u64)info.me_last_txnid, m, why, sizeof why);
        if (rc == 0) {
            /* the meta page of txn's snapshot (its tree stays while txn
             * lives); none when writers went on by two since: skip */
            u64 mine = (u64)mdb_txn_id(txn);
            const LmMeta *me = m[0].txnid == mine ? &m[0] : m[1].txnid == mine ? &m[1] : NULL;
            u64 last = 0;
            if (me && me->free_root != LM_P_INVALID) {
                rc = free_last_key(fd, me, &last, why, sizeof why);
                if (rc == 0 && last != mine) {
                    snprintf(why, sizeof why,
                             "the meta page of transaction %llu holds an older tree (its free tree ends at "
                             "transaction %llu): the newest transaction was rolled back",
                             (unsigned long long)mine, (unsigned long long)last);
                    rc = 1;
                }
            }
        }
        if (rc <= 0) break;
        struct timespec nap = {0, 20 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    close(fd);
    if (rc < 0) return dd_err(err, DD_EIO, -1, "reading \"%s\": %s", path, strerror(-rc));
    if (rc > 0) return dd_corrupt(err, "LMDB meta pages of \"%s\" are damaged: %s", path, why);
    return 0;
}

/*
 * The whole of both trees of the meta page of txn's snapshot, every page
 * read with pread and checked before anything in it is followed: its
 * number, its kind, lower and upper, each node's offset and sizes within
 * the page, each child's and overflow run's page numbers within the file,
 * every leaf at its tree's depth, no page reached twice.  The named
 * databases are the main tree's F_SUBDATA nodes (an MDB_db each).  This is
 * what LMDB trusts when it reads: a file that passes cannot send LMDB
 * outside a page or the file (key order is VERIFY's to check, through
 * LMDB: a misordered key gives a wrong answer, never a crash).
 */
#define LM_P_BRANCH 0x01
#define LM_P_LEAF 0x02
#define LM_P_OVERFLOW 0x04
#define LM_F_BIGDATA 0x01
#define LM_F_SUBDATA 0x02
#define LM_F_DUPDATA 0x04
#define LM_DB_LEN 48

typedef struct TreeWalk {
    int fd;
    u32 psize;
    u64 last_pg;
    u8 *seen;          /* a bit per page */
    u8 *pg;            /* one page */
    char *why;
    size_t wn;
} TreeWalk;

static int tw_bad(TreeWalk *w, u64 pgno, const char *what)
{
    snprintf(w->why, w->wn, "page %llu: %s", (unsigned long long)pgno, what);
    return 1;
}

/* Marks pages [pgno, pgno + n) seen; 1 when one was seen before. */
static int tw_mark(TreeWalk *w, u64 pgno, u64 n)
{
    for (u64 p = pgno; p < pgno + n; p++) {
        if (w->seen[p >> 3] & (1u << (p & 7))) return tw_bad(w, p, "reached twice");
        w->seen[p >> 3] |= (u8)(1u << (p & 7));
    }
    return 0;
}

static int tw_read(TreeWalk *w, u64 pgno)
{
    if (pread(w->fd, w->pg, w->psize, (off_t)(pgno * w->psize)) != (ssize_t)w->psize)
        return tw_bad(w, pgno, "beyond the end of the file");
    return 0;
}

static int tw_tree(TreeWalk *w, u64 root, u32 depth, bool main_tree);

/* A leaf node's overflow run at pgno holding size bytes. */
static int tw_overflow(TreeWalk *w, u64 pgno, u64 size)
{
    if (pgno < 2 || pgno > w->last_pg) return tw_bad(w, pgno, "overflow page out of range");
    if (tw_read(w, pgno)) return 1;
    u32 n = rd32(w->pg + 12);
    if (rd64(w->pg) != pgno || !(rd16(w->pg + 10) & LM_P_OVERFLOW) || n < 1 || n - 1 > w->last_pg - pgno ||
        size > (u64)n * w->psize - 16)
        return tw_bad(w, pgno, "bad overflow page");
    return tw_mark(w, pgno, n);
}

/* Page pgno at level (1: the root) of a tree of depth levels; its
 * children and named trees after it (the page buffer is reused). */
static int tw_page(TreeWalk *w, u64 pgno, u32 level, u32 depth, bool main_tree)
{
    if (pgno < 2 || pgno > w->last_pg) return tw_bad(w, pgno, "page number out of range");
    if (level > depth || level > 64) return tw_bad(w, pgno, "deeper than its tree");
    if (tw_mark(w, pgno, 1) || tw_read(w, pgno)) return 1;
    const u8 *pg = w->pg;
    u16 flags = rd16(pg + 10), lower = rd16(pg + 12), upper = rd16(pg + 14);
    bool branch = flags & LM_P_BRANCH, leaf = flags & LM_P_LEAF;
    if (rd64(pg) != pgno) return tw_bad(w, pgno, "its header names another page");
    if (branch == leaf || (flags & ~(LM_P_BRANCH | LM_P_LEAF | 0x10 /* P_DIRTY */ | 0x8000 /* P_KEEP */)))
        return tw_bad(w, pgno, "bad page kind");
    if (leaf != (level == depth)) return tw_bad(w, pgno, "a leaf off its tree's last level");
    if (lower < 16 || lower > upper || upper > w->psize || (lower & 1)) return tw_bad(w, pgno, "bad lower or upper");
    u32 n = (u32)(lower - 16) / 2;
    if (branch && n < 1) return tw_bad(w, pgno, "an empty branch");
    /* what the page leads to, gathered first: the walk below reuses the
     * page buffer */
    struct Next { u8 kind; u64 a, b; } *next = dd_malloc(sizeof *next * (n ? n : 1));
    enum { CHILD, OVERFLOW, NAMED };   /* a: page, or a named tree's root; b: size, or depth */
    u32 nnext = 0;
    if (!next) {
        snprintf(w->why, w->wn, "out of memory");
        return 1;
    }
    int rc = 0;
    for (u32 i = 0; i < n && !rc; i++) {
        u32 off = rd16(pg + 16 + 2 * i);
        if (off < upper || off + 8 > w->psize) { rc = tw_bad(w, pgno, "node offset out of the page"); break; }
        const u8 *node = pg + off;
        u32 ksize = rd16(node + 6);
        if (off + 8 + ksize > w->psize) { rc = tw_bad(w, pgno, "key beyond the page"); break; }
        if (branch) {
            next[nnext++] = (struct Next){CHILD, (u64)rd16(node) | (u64)rd16(node + 2) << 16 | (u64)rd16(node + 4) << 32, 0};
            continue;
        }
        u16 nflags = rd16(node + 4);
        u64 dsize = (u64)rd16(node) | (u64)rd16(node + 2) << 16;
        const u8 *data = node + 8 + ksize;
        if (nflags & LM_F_DUPDATA) { rc = tw_bad(w, pgno, "a duplicate-data node"); break; }
        if (nflags & LM_F_BIGDATA) {
            if (off + 8 + ksize + 8 > w->psize) { rc = tw_bad(w, pgno, "data beyond the page"); break; }
            next[nnext++] = (struct Next){OVERFLOW, rd64(data), dsize};
            continue;
        }
        if (off + 8 + ksize + dsize > w->psize) { rc = tw_bad(w, pgno, "data beyond the page"); break; }
        if (nflags & LM_F_SUBDATA) {
            if (!main_tree || dsize != LM_DB_LEN) { rc = tw_bad(w, pgno, "a bad named database"); break; }
            if (rd16(data + 4) & LM_F_DUPDATA) { rc = tw_bad(w, pgno, "a named database of duplicates"); break; }
            next[nnext++] = (struct Next){NAMED, rd64(data + 40), rd16(data + 6)};
        }
    }
    for (u32 i = 0; i < nnext && !rc; i++) {
        if (next[i].kind == CHILD) rc = tw_page(w, next[i].a, level + 1, depth, main_tree);
        else if (next[i].kind == OVERFLOW) rc = tw_overflow(w, next[i].a, next[i].b);
        else rc = tw_tree(w, next[i].a, (u32)next[i].b, false);
    }
    dd_free(next);
    return rc;
}

static int tw_tree(TreeWalk *w, u64 root, u32 depth, bool main_tree)
{
    if (root == LM_P_INVALID) return depth == 0 ? 0 : tw_bad(w, root, "an empty tree with a depth");
    if (depth < 1 || depth > 64) return tw_bad(w, root, "a tree of a bad depth");
    return tw_page(w, root, 1, depth, main_tree);
}

int store_lmdb_walk(int fd, const u8 *mm, u32 psize, u8 *seen, char *why, size_t wn)
{
    TreeWalk w;
    memset(&w, 0, sizeof w);
    w.fd = fd;
    w.psize = psize;
    w.last_pg = rd64(mm + 120);
    w.why = why;
    w.wn = wn;
    w.seen = seen;
    w.pg = dd_malloc(psize);
    if (!w.pg) return -ENOMEM;
    const u8 *db = mm + 24;
    int rc = tw_tree(&w, rd64(db + 40), rd16(db + 6), false);
    if (!rc) rc = tw_tree(&w, rd64(db + LM_DB_LEN + 40), rd16(db + LM_DB_LEN + 6), true);
    dd_free(w.pg);
    return rc;
}

int store_check_lmdb_tree(Store *st, MDB_txn *txn, DdError *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", st->dir, FMT_FILE_NAME);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return dd_err(err, DD_EIO, -1, "could not open \"%s\": %s", path, strerror(errno));
    char why[256] = "";
    LmMeta m[2];
    int rc = 1;
    /* a writer beside it (verify beside a server) may grow the file or
     * write a meta page while it reads: only damage that stays across a
     * few readings counts, as in store_check_lmdb_meta */
    for (int attempt = 0; attempt < 5 && rc > 0; attempt++) {
        if (attempt) {
            struct timespec nap = {0, 20 * 1000 * 1000};
            nanosleep(&nap, NULL);
        }
        memset(m, 0, sizeof m);
        rc = meta_once(fd, 0, m, why, sizeof why);
    }
    u64 mine = (u64)mdb_txn_id(txn);
    int me = rc ? -1 : m[0].txnid == mine ? 0 : m[1].txnid == mine ? 1 : -1;
    if (rc == 0 && me >= 0) {
        /* the trees' roots and depths, from the meta page read again */
        u8 mp[LM_META_OFF + 136];
        if (pread(fd, mp, sizeof mp, (off_t)me * m[me].psize) != (ssize_t)sizeof mp) {
            snprintf(why, sizeof why, "the meta page could not be read again");
            rc = 1;
        } else {
            u8 *seen = dd_calloc(1, (size_t)(m[me].last_pg / 8 + 1));
            rc = seen ? store_lmdb_walk(fd, mp + LM_META_OFF, m[me].psize, seen, why, sizeof why) : -ENOMEM;
            dd_free(seen);
        }
    }
    /* me < 0: writers went on by two transactions since txn began, so its
     * meta page is gone from the file; the caller checks an idle file */
    close(fd);
    if (rc < 0) return dd_err(err, DD_EIO, -1, "checking \"%s\": %s", path, strerror(-rc));
    if (rc > 0) return dd_corrupt(err, "the data file \"%s\" is damaged (LMDB's page structure): %s", path, why);
    return 0;
}
