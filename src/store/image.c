/*
 * image.c - backups as page images (format 2), full and incremental.
 *
 * A backup of format 2 holds the data file's pages as one read transaction
 * T sees them, at their own page numbers: the pages T's trees reach, read
 * with pread while T keeps them from reuse, and zeros for every other page
 * (free space: whatever it held, an erased row among it, stays out).  Each
 * page's SHA-256 (its first 16 bytes) goes into a table, and the table's
 * SHA-256 is the image's hash.  An incremental backup (--since BASE) holds
 * only the pages whose hash differs from BASE's table, with BASE's image
 * hash and file name: restore rebuilds BASE's image first (recursively,
 * from the directory the incremental is in), writes the changed pages over
 * it, and checks every page of the result against the newest table.
 *
 * The pages T reaches are found by the bounded walk of lmdbcheck.c, which
 * also refuses a damaged file (a backup of it would fail to restore).  T's
 * meta page is read from the file as soon as T begins; when writers went
 * on by two transactions meanwhile (its slot overwritten), T starts over.
 *
 * File layout (integers big-endian):
 *   [0..7]    magic "DDBACKUP"
 *   [8..11]   u32 format (2)
 *   [12..27]  database id
 *   [28..31]  u32 kind: 1 full, 2 incremental
 *   [32..35]  u32 page size
 *   [36..43]  u64 pages of the image
 *   [44..51]  u64 head seq of T
 *   [52..83]  base: image hash (zero for a full backup)
 *   [84..91]  base: pages
 *   [92..93]  u16 n, [94..94+n) the base's file name (no directory)
 *   then one zstd frame of records (u64 page number, the page), in page
 *   order: every non-zero page (full) or every changed one (incremental);
 *   then one zstd frame of the table (16 bytes per page of the image);
 *   last 44: u64 offset of the table's frame, the image hash, u32
 *   CRC-32C of the header (all of it, the base's name included).
 */
#include "store_int.h"
#include "../util/alloc.h"
#include "../util/crc32c.h"
#include "../util/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#define IMG_MAGIC "DDBACKUP"
#define IMG_FORMAT 2u
#define IMG_FULL 1u
#define IMG_INCR 2u
#define IMG_HDR 94
#define IMG_TRAILER 44
#define IMG_HASH 16
#define IMG_NAME_MAX 255
#define IMG_CHAIN_MAX 10000
#define IMG_CHUNK (1 << 20)

typedef struct ImgHead {
    u8 dbid[FMT_DBID_LEN];
    u32 kind, psize;
    u64 pages, seq;
    u8 base_hash[32];
    u64 base_pages;
    char base_name[IMG_NAME_MAX + 1];
    u64 hdr_len;       /* where the records' frame starts */
    u64 table_off;     /* where the table's frame starts */
    u64 size;          /* of the file */
    u8 hash[32];       /* the image's */
} ImgHead;

/* Makes the rename of path durable (best effort: the file is flushed). */
static void fsync_parent(const char *path)
{
    char d[4096];
    snprintf(d, sizeof d, "%s", path);
    int fd = open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    if (fsync(fd) != 0) { /* the file itself is flushed already */ }
    close(fd);
}

/* The format of the backup file fd: 1, 2, or 0 when it is none. */
int store_backup_format(int fd)
{
    u8 h[12];
    if (pread(fd, h, sizeof h, 0) != (ssize_t)sizeof h || memcmp(h, IMG_MAGIC, 8) != 0) return 0;
    return (int)get_u32be(h + 8);
}

/* Reads and checks the header and trailer of the format-2 file fd. */
static int head_read(int fd, const char *path, ImgHead *h, DdError *err)
{
    memset(h, 0, sizeof *h);
    struct stat sb;
    u8 b[IMG_HDR + IMG_NAME_MAX], tr[IMG_TRAILER];
    if (fstat(fd, &sb) || sb.st_size < IMG_HDR + IMG_TRAILER || pread(fd, b, IMG_HDR, 0) != IMG_HDR ||
        pread(fd, tr, sizeof tr, sb.st_size - IMG_TRAILER) != (ssize_t)sizeof tr || memcmp(b, IMG_MAGIC, 8) != 0 ||
        get_u32be(b + 8) != IMG_FORMAT)
        return dd_corrupt(err, "\"%s\" is not a DriftDB backup, or it is truncated", path);
    memcpy(h->dbid, b + 12, FMT_DBID_LEN);
    h->kind = get_u32be(b + 28);
    h->psize = get_u32be(b + 32);
    h->pages = get_u64be(b + 36);
    h->seq = get_u64be(b + 44);
    memcpy(h->base_hash, b + 52, 32);
    h->base_pages = get_u64be(b + 84);
    u32 n = (u32)b[92] << 8 | b[93];
    h->size = (u64)sb.st_size;
    h->table_off = get_u64be(tr);
    memcpy(h->hash, tr + 8, 32);
    h->hdr_len = IMG_HDR + n;
    bool ok = (h->kind == IMG_FULL || h->kind == IMG_INCR) && h->psize >= 512 && h->psize <= 65536 &&
              !(h->psize & (h->psize - 1)) && h->pages >= 2 && h->pages < ((u64)1 << 40) && n <= IMG_NAME_MAX &&
              (h->kind == IMG_INCR) == (n > 0) && h->hdr_len <= h->table_off &&
              h->table_off <= h->size - IMG_TRAILER;
    if (ok && n && pread(fd, b + IMG_HDR, n, IMG_HDR) != (ssize_t)n) ok = false;
    if (ok && crc32c(0, b, h->hdr_len) != get_u32be(tr + 40)) ok = false;
    if (ok && n) {
        memcpy(h->base_name, b + IMG_HDR, n);
        h->base_name[n] = 0;
        ok = !memchr(h->base_name, '/', n) && !memchr(h->base_name, 0, n) && strcmp(h->base_name, ".") &&
             strcmp(h->base_name, "..");
    }
    if (!ok) return dd_corrupt(err, "backup \"%s\" is damaged: its header or trailer is not valid", path);
    return 0;
}

/* Decompresses the one frame in [from, to) of fd, handing the bytes to
 * sink(arg, bytes, n) in pieces; a frame that ends early, late or damaged
 * is XX001.  sink returns 0 or an error code (err filled). */
typedef int (*SinkFn)(void *arg, const u8 *p, size_t n, DdError *err);

static int frame_read(int fd, const char *path, u64 from, u64 to, SinkFn sink, void *arg, DdError *err)
{
    ZSTD_DCtx *z = ZSTD_createDCtx();
    size_t ibn = ZSTD_DStreamInSize(), obn = ZSTD_DStreamOutSize();
    u8 *ib = dd_malloc(ibn), *ob = dd_malloc(obn);
    int rc = 0;
    size_t left = 1;   /* 0 once the frame is complete */
    if (!z || !ib || !ob) rc = dd_err(err, DD_ENOMEM, -1, NULL);
    for (u64 pos = from; !rc && pos < to;) {
        ssize_t n = pread(fd, ib, (size_t)DD_MIN((u64)ibn, to - pos), (off_t)pos);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            rc = n < 0 ? backup_io_err(err, "could not read backup", path)
                       : dd_corrupt(err, "backup \"%s\" is truncated", path);
            break;
        }
        pos += (u64)n;
        ZSTD_inBuffer zi = {ib, (size_t)n, 0};
        while (!rc && zi.pos < zi.size) {
            if (left == 0) {
                rc = dd_corrupt(err, "backup \"%s\" is damaged: bytes after a compressed frame", path);
                break;
            }
            ZSTD_outBuffer zo = {ob, obn, 0};
            left = ZSTD_decompressStream(z, &zo, &zi);
            if (ZSTD_isError(left)) rc = dd_corrupt(err, "backup \"%s\" is damaged: %s", path, ZSTD_getErrorName(left));
            else if (zo.pos) rc = sink(arg, ob, zo.pos, err);
        }
    }
    while (!rc && left != 0) {
        ZSTD_inBuffer zi = {ib, 0, 0};
        ZSTD_outBuffer zo = {ob, obn, 0};
        left = ZSTD_decompressStream(z, &zo, &zi);
        if (ZSTD_isError(left)) rc = dd_corrupt(err, "backup \"%s\" is damaged: %s", path, ZSTD_getErrorName(left));
        else if (zo.pos == 0 && left != 0) rc = dd_corrupt(err, "backup \"%s\" is truncated", path);
        else if (zo.pos) rc = sink(arg, ob, zo.pos, err);
    }
    ZSTD_freeDCtx(z);
    dd_free(ib);
    dd_free(ob);
    return rc;
}

typedef struct TableSink {
    u8 *t;
    u64 len, cap;
    const char *path;
} TableSink;

static int table_sink(void *arg, const u8 *p, size_t n, DdError *err)
{
    TableSink *s = arg;
    if (n > s->cap - s->len) return dd_corrupt(err, "backup \"%s\" is damaged: its page table is too long", s->path);
    memcpy(s->t + s->len, p, n);
    s->len += n;
    return 0;
}

/* The page table of h's file, checked against the image hash. */
static int table_read(int fd, const char *path, const ImgHead *h, u8 **out, DdError *err)
{
    *out = NULL;
    TableSink s = {dd_malloc(h->pages * IMG_HASH + 1), 0, h->pages * IMG_HASH, path};
    if (!s.t) return dd_err(err, DD_ENOMEM, -1, NULL);
    int rc = frame_read(fd, path, h->table_off, h->size - IMG_TRAILER, table_sink, &s, err);
    u8 d[32];
    if (!rc && s.len != s.cap) rc = dd_corrupt(err, "backup \"%s\" is damaged: its page table is short", path);
    if (!rc && sha256(s.t, s.len, d)) rc = dd_err(err, DD_ENOMEM, -1, NULL);
    if (!rc && memcmp(d, h->hash, 32) != 0)
        rc = dd_corrupt(err, "backup \"%s\" is damaged: its page table does not match its checksum", path);
    if (rc) dd_free(s.t);
    else *out = s.t;
    return rc;
}

/* ---- backup ---- */

typedef struct ImgOut {
    int fd;
    const char *path;
    ZSTD_CCtx *z;
    u8 *buf, *zb;
    size_t len;
    u64 written;
} ImgOut;

static int out_flush(ImgOut *o, bool end, DdError *err)
{
    ZSTD_inBuffer ib = {o->buf, o->len, 0};
    for (;;) {
        ZSTD_outBuffer ob = {o->zb, ZSTD_CStreamOutSize(), 0};
        size_t left = ZSTD_compressStream2(o->z, &ob, &ib, end ? ZSTD_e_end : ZSTD_e_continue);
        if (ZSTD_isError(left))
            return dd_err(err, DD_EINTERNAL, -1, "compressing the backup: %s", ZSTD_getErrorName(left));
        if (ob.pos && backup_write_all(o->fd, o->zb, ob.pos))
            return backup_io_err(err, "could not write backup file", o->path);
        o->written += ob.pos;
        if (end ? left == 0 : ib.pos == ib.size) break;
    }
    o->len = 0;
    return 0;
}

static int out_put(ImgOut *o, const void *p, size_t n, DdError *err)
{
    const u8 *b = p;
    while (n) {
        size_t k = DD_MIN(n, (size_t)IMG_CHUNK - o->len);
        memcpy(o->buf + o->len, b, k);
        o->len += k;
        b += k;
        n -= k;
        if (o->len == IMG_CHUNK) {
            int rc = out_flush(o, false, err);
            if (rc) return rc;
        }
    }
    return 0;
}

/* A read transaction and its meta page, read from the file before writers
 * could overwrite its slot (they write slot txnid & 1). */
static int snapshot(Store *st, int fd, MDB_txn **txn, u8 *metas, u32 *psize, DdError *err)
{
    for (int attempt = 0; attempt < 1000; attempt++) {
        int rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, txn);
        if (rc) return store_mdb_err(err, rc, "beginning the backup's snapshot");
        u64 t = (u64)mdb_txn_id(*txn);
        u8 p0[FMT_WAL_META_OFF + FMT_WAL_META_LEN];
        if (pread(fd, p0, sizeof p0, 0) != (ssize_t)sizeof p0) {
            mdb_txn_abort(*txn);
            return dd_corrupt(err, "the data file of \"%s\" is damaged: its meta page cannot be read", st->dir);
        }
        u32 ps;
        memcpy(&ps, p0 + FMT_WAL_META_OFF + 24, 4);   /* the free tree's pad: the page size */
        if (ps < 512 || ps > 65536 || (ps & (ps - 1))) {
            mdb_txn_abort(*txn);
            return dd_corrupt(err, "the data file of \"%s\" is damaged: a bad page size in its meta page", st->dir);
        }
        /* read twice, the same both times and T's: a reading torn by a
         * writer's meta update (T + 2's) would differ from the next */
        u8 again[FMT_WAL_META_LEN];
        if (pread(fd, metas, 2 * (size_t)ps, 0) == (ssize_t)(2 * ps) &&
            pread(fd, again, sizeof again, (off_t)((t & 1) * ps + FMT_WAL_META_OFF)) == (ssize_t)sizeof again &&
            memcmp(again, metas + (t & 1) * ps + FMT_WAL_META_OFF, sizeof again) == 0) {
            u64 have;
            memcpy(&have, again + FMT_WAL_META_TXNID, 8);
            if (have == t) {
                *psize = ps;
                return 0;
            }
        }
        mdb_txn_abort(*txn);
        *txn = NULL;
        struct timespec nap = {0, 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    return dd_err(err, DD_EIO, -1, "could not take a snapshot of \"%s\": writers kept overwriting its meta page",
                  st->dir);
}

int store_backup_image(Store *st, const char *path, const char *since, StoreProgressFn progress, void *arg,
                       StoreBackupInfo *info, DdError *err)
{
    memset(info, 0, sizeof *info);
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return dd_err(err, DD_EINVALID_PARAM, -1, "backup file name too long");
    struct stat sb;
    if (stat(path, &sb) == 0) return dd_err(err, DD_EINVALID_PARAM, -1, "backup file \"%s\" already exists", path);

    /* the base: same database, in the same directory (restore finds it
     * there by name) */
    ImgHead base;
    u8 *btable = NULL;
    char bname[IMG_NAME_MAX + 1] = "";
    int rc = 0;
    if (since) {
        int bfd = open(since, O_RDONLY | O_CLOEXEC);
        if (bfd < 0)
            return dd_err(err, errno == ENOENT ? DD_ENO_FILE : DD_EIO, -1, "could not open base backup \"%s\": %s",
                          since, strerror(errno));
        int f = store_backup_format(bfd);
        if (f != (int)IMG_FORMAT) {
            close(bfd);
            if (f == 1) {
                dd_err(err, DD_EINVALID_PARAM, -1,
                       "base backup \"%s\" is compacted (format 1): no incremental backup can follow it", since);
                dd_err_hint(err, "Take a full backup (driftdb backup without --since), then incremental ones on it.");
                return DD_EINVALID_PARAM;
            }
            return dd_corrupt(err, "\"%s\" is not a DriftDB backup, or it is truncated", since);
        }
        rc = head_read(bfd, since, &base, err);
        if (!rc && memcmp(base.dbid, st->dbid, FMT_DBID_LEN) != 0)
            rc = dd_err(err, DD_EINVALID_PARAM, -1, "base backup \"%s\" is of another database", since);
        if (!rc) rc = table_read(bfd, since, &base, &btable, err);
        close(bfd);
        if (rc) return rc;
        char a[4096], b[4096], ra[PATH_MAX], rb[PATH_MAX];
        snprintf(a, sizeof a, "%s", since);
        snprintf(b, sizeof b, "%s", path);
        const char *an = basename(a);
        if (strlen(an) > IMG_NAME_MAX) rc = dd_err(err, DD_EINVALID_PARAM, -1, "base backup file name too long");
        else snprintf(bname, sizeof bname, "%s", an);
        snprintf(a, sizeof a, "%s", since);
        if (!rc && (!realpath(dirname(a), ra) || !realpath(dirname(b), rb) || strcmp(ra, rb) != 0)) {
            rc = dd_err(err, DD_EINVALID_PARAM, -1,
                        "an incremental backup goes in the directory of its base backup \"%s\"", since);
            dd_err_hint(err, "Restore finds the base by its name beside the incremental backup.");
        }
        if (rc) {
            dd_free(btable);
            return rc;
        }
    }

    char fpath[4096];
    snprintf(fpath, sizeof fpath, "%s/%s", st->dir, FMT_FILE_NAME);
    int fd = open(fpath, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        dd_free(btable);
        return backup_io_err(err, "could not open", fpath);
    }
    MDB_txn *txn = NULL;
    u8 *metas = dd_malloc(2 * 65536), *seen = NULL, *table = NULL, *page = NULL;
    ImgOut o = {-1, path, NULL, NULL, NULL, 0, 0};
    u32 ps = 0, hcrc = 0;
    u64 pages = 0, seq = 0;
    if (!metas) rc = dd_err(err, DD_ENOMEM, -1, NULL);
    if (!rc) rc = snapshot(st, fd, &txn, metas, &ps, err);
    if (!rc) {
        u8 hh[32];
        i64 ht;
        rc = store_read_head(st, txn, &seq, hh, &ht, err);
    }
    const u8 *mm = NULL;
    if (!rc) {
        u64 t = (u64)mdb_txn_id(txn);
        mm = metas + (t & 1) * ps + FMT_WAL_META_OFF;
        u64 last;
        memcpy(&last, mm + 120, 8);
        pages = last + 1;
        if (since && base.psize != ps)
            rc = dd_err(err, DD_EINVALID_PARAM, -1, "base backup \"%s\" has another page size", since);
    }
    if (!rc) {
        seen = dd_calloc(1, (size_t)(pages / 8 + 1));
        table = dd_malloc(pages * IMG_HASH);
        page = dd_malloc(ps);
        o.z = ZSTD_createCCtx();
        o.buf = dd_malloc(IMG_CHUNK);
        o.zb = dd_malloc(ZSTD_CStreamOutSize());
        if (!seen || !table || !page || !o.z || !o.buf || !o.zb) rc = dd_err(err, DD_ENOMEM, -1, NULL);
    }
    if (!rc) {
        char why[256] = "";
        int w = store_lmdb_walk(fd, mm, ps, seen, why, sizeof why);
        if (w < 0) rc = dd_err(err, DD_ENOMEM, -1, NULL);
        else if (w > 0)
            rc = dd_corrupt(err, "cannot back up \"%s\": its data file is damaged (LMDB's page structure): %s", st->dir,
                            why);
    }
    if (!rc) {
        /* both meta pages name T: the other slot holds T's relabelled
         * T - 1, as recovery writes them (wal.c) */
        u64 t = (u64)mdb_txn_id(txn), prev = t ? t - 1 : 0;
        u8 *other = metas + ((t & 1) ^ 1) * ps;
        memcpy(other + FMT_WAL_META_OFF, mm, FMT_WAL_META_LEN);
        memcpy(other + FMT_WAL_META_OFF + FMT_WAL_META_TXNID, &prev, 8);
        o.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (o.fd < 0) rc = backup_io_err(err, "could not create backup file", path);
    }
    if (!rc) {
        ZSTD_CCtx_setParameter(o.z, ZSTD_c_compressionLevel, 3);
        ZSTD_CCtx_setParameter(o.z, ZSTD_c_checksumFlag, 1);
        u8 h[IMG_HDR + IMG_NAME_MAX];
        memset(h, 0, sizeof h);
        size_t n = strlen(bname);
        memcpy(h, IMG_MAGIC, 8);
        put_u32be(h + 8, IMG_FORMAT);
        memcpy(h + 12, st->dbid, FMT_DBID_LEN);
        put_u32be(h + 28, since ? IMG_INCR : IMG_FULL);
        put_u32be(h + 32, ps);
        put_u64be(h + 36, pages);
        put_u64be(h + 44, seq);
        if (since) {
            memcpy(h + 52, base.hash, 32);
            put_u64be(h + 84, base.pages);
        }
        h[92] = (u8)(n >> 8);
        h[93] = (u8)n;
        memcpy(h + IMG_HDR, bname, n);
        if (backup_write_all(o.fd, h, IMG_HDR + n)) rc = backup_io_err(err, "could not write backup file", path);
        o.written = IMG_HDR + n;
        hcrc = crc32c(0, h, IMG_HDR + n);
    }
    Sha256 hc = {0};
    u64 copied = 0;
    for (u64 p = 0; !rc && p < pages; p++) {
        bool live = p < 2 || (seen[p >> 3] & (1u << (p & 7)));
        if (p < 2) memcpy(page, metas + p * ps, ps);
        else if (!live) memset(page, 0, ps);
        else if (pread(fd, page, ps, (off_t)(p * ps)) != (ssize_t)ps) {
            rc = backup_io_err(err, "could not read", fpath);
            break;
        }
        u8 d[32];
        if (sha256_with(&hc, page, ps, d)) {
            rc = dd_err(err, DD_ENOMEM, -1, NULL);
            break;
        }
        memcpy(table + p * IMG_HASH, d, IMG_HASH);
        bool put = since ? p >= base.pages || memcmp(d, btable + p * IMG_HASH, IMG_HASH) != 0 : live;
        if (put) {
            u8 pn[8];
            put_u64be(pn, p);
            if ((rc = out_put(&o, pn, 8, err)) || (rc = out_put(&o, page, ps, err))) break;
            copied++;
        }
        if (progress && (p & 255) == 255) progress(arg, p * ps, pages * ps + 1);
    }
    sha256_ctx_free(&hc);
    if (!rc) rc = out_flush(&o, true, err);
    u64 table_off = o.written;
    if (!rc) {
        /* the table: a frame of its own, read without the pages */
        ZSTD_CCtx_reset(o.z, ZSTD_reset_session_only);
        for (u64 off = 0; !rc && off < pages * IMG_HASH; off += IMG_CHUNK) {
            size_t k = (size_t)DD_MIN((u64)IMG_CHUNK, pages * IMG_HASH - off);
            rc = out_put(&o, table + off, k, err);
        }
        if (!rc) rc = out_flush(&o, true, err);
    }
    if (!rc) {
        u8 tr[IMG_TRAILER];
        put_u64be(tr, table_off);
        put_u32be(tr + 40, hcrc);
        if (sha256(table, pages * IMG_HASH, tr + 8)) rc = dd_err(err, DD_ENOMEM, -1, NULL);
        else if (backup_write_all(o.fd, tr, sizeof tr) || fsync(o.fd))
            rc = backup_io_err(err, "could not write backup file", path);
        o.written += IMG_TRAILER;
    }
    if (txn) mdb_txn_abort(txn);
    close(fd);
    if (o.fd >= 0 && close(o.fd) && !rc) rc = backup_io_err(err, "could not write backup file", path);
    if (!rc && rename(tmp, path)) rc = backup_io_err(err, "could not rename to", path);
    if (!rc) fsync_parent(path);
    if (rc && o.fd >= 0) unlink(tmp);
    if (!rc) {
        info->raw_bytes = pages * ps;
        info->file_bytes = o.written;
        info->pages = pages;
        info->pages_copied = copied;
        info->seq = seq;
        if (progress) progress(arg, pages * ps, pages * ps);
    }
    ZSTD_freeCCtx(o.z);
    dd_free(o.buf);
    dd_free(o.zb);
    dd_free(metas);
    dd_free(seen);
    dd_free(table);
    dd_free(page);
    dd_free(btable);
    return rc;
}

/* ---- restore ---- */

typedef struct PageSink {
    int out;
    const char *path, *tmp;
    u32 psize;
    u64 pages;         /* of the image this file makes */
    u64 last;          /* the last page number written, + 1 */
    u8 *rec;           /* one record being assembled */
    size_t have;
    u64 written;
    const u8 *table;   /* this file's page table: each page is checked
                        * against it (a later file may replace the page) */
    Sha256 hc;
} PageSink;

static int page_sink(void *arg, const u8 *p, size_t n, DdError *err)
{
    PageSink *s = arg;
    size_t rl = 8 + (size_t)s->psize;
    while (n) {
        size_t k = DD_MIN(n, rl - s->have);
        memcpy(s->rec + s->have, p, k);
        s->have += k;
        p += k;
        n -= k;
        if (s->have < rl) break;
        s->have = 0;
        u64 pg = get_u64be(s->rec);
        if (pg >= s->pages || pg + 1 <= s->last)
            return dd_corrupt(err, "backup \"%s\" is damaged: page %llu out of place", s->path, (unsigned long long)pg);
        s->last = pg + 1;
        u8 d[32];
        if (sha256_with(&s->hc, s->rec + 8, s->psize, d)) return dd_err(err, DD_ENOMEM, -1, NULL);
        if (memcmp(d, s->table + pg * IMG_HASH, IMG_HASH) != 0)
            return dd_corrupt(err, "backup \"%s\" is damaged: page %llu does not match its checksum", s->path,
                              (unsigned long long)pg);
        if (pwrite(s->out, s->rec + 8, s->psize, (off_t)(pg * s->psize)) != (ssize_t)s->psize)
            return backup_io_err(err, "could not write", s->tmp);
        s->written++;
    }
    return 0;
}

typedef struct Link {
    int fd;
    char path[4096];
    ImgHead h;
} Link;

/* Opens l's file again, the same file: its header read again equals the
 * one read before (a file replaced meanwhile is refused). */
static int link_reopen(Link *l, DdError *err)
{
    l->fd = open(l->path, O_RDONLY | O_CLOEXEC);
    if (l->fd < 0) return backup_io_err(err, "could not open backup", l->path);
    ImgHead again;
    int rc = head_read(l->fd, l->path, &again, err);
    if (!rc && (again.size != l->h.size || memcmp(again.hash, l->h.hash, 32) != 0 || again.pages != l->h.pages))
        rc = dd_corrupt(err, "backup \"%s\" changed while it was restored", l->path);
    return rc;
}

int store_restore_image(const char *path, const char *dir, u8 dbid[FMT_DBID_LEN], StoreBackupInfo *info, DdError *err)
{
    memset(info, 0, sizeof *info);
    /* the chain, newest first: each incremental names its base, beside it */
    Link *chain = NULL;
    int n = 0, cap = 0, rc = 0;
    char cur[4096];
    snprintf(cur, sizeof cur, "%s", path);
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4;
            Link *c = dd_realloc(chain, sizeof *c * (size_t)cap);
            if (!c) {
                rc = dd_err(err, DD_ENOMEM, -1, NULL);
                break;
            }
            chain = c;
        }
        Link *l = &chain[n];
        snprintf(l->path, sizeof l->path, "%s", cur);
        l->fd = open(cur, O_RDONLY | O_CLOEXEC);
        if (l->fd < 0) {
            if (n == 0)
                rc = dd_err(err, errno == ENOENT ? DD_ENO_FILE : DD_EIO, -1, "could not open backup \"%s\": %s", cur,
                            strerror(errno));
            else
                rc = dd_err(err, errno == ENOENT ? DD_ENO_FILE : DD_EIO, -1,
                            "could not open \"%s\", the base of incremental backup \"%s\": %s", cur, chain[n - 1].path,
                            strerror(errno));
            break;
        }
        n++;
        if (store_backup_format(l->fd) != (int)IMG_FORMAT) {
            rc = dd_corrupt(err, "\"%s\" is not a DriftDB backup of format 2, or it is truncated", cur);
            break;
        }
        if ((rc = head_read(l->fd, cur, &l->h, err))) break;
        if (n > 1) {
            const ImgHead *up = &chain[n - 2].h;
            if (memcmp(l->h.dbid, up->dbid, FMT_DBID_LEN) != 0 || memcmp(l->h.hash, up->base_hash, 32) != 0 ||
                l->h.pages != up->base_pages || l->h.psize != up->psize) {
                rc = dd_corrupt(err, "\"%s\" is not the backup that incremental backup \"%s\" was taken on", cur,
                                chain[n - 2].path);
                dd_err_hint(err, "A base backup replaced by another of the same name cannot serve: restore from a "
                                 "full backup and the incremental backups taken on it.");
                break;
            }
        }
        /* closed until its pages are read: a long chain holds one file
         * open at a time */
        close(l->fd);
        l->fd = -1;
        if (l->h.kind == IMG_FULL) break;
        if (n >= IMG_CHAIN_MAX) {
            rc = dd_corrupt(err, "backup \"%s\": a chain of more than %d incremental backups", path, IMG_CHAIN_MAX);
            break;
        }
        char d[4096];
        snprintf(d, sizeof d, "%s", cur);
        char *dn = dirname(d);
        if (snprintf(cur, sizeof cur, "%s/%s", dn, l->h.base_name) >= (int)sizeof cur) {
            rc = dd_err(err, DD_EINVALID_PARAM, -1, "backup path too long");
            break;
        }
    }
    char tmp[4096], dst[4096];
    snprintf(tmp, sizeof tmp, "%s/%s.restoring", dir, FMT_FILE_NAME);
    snprintf(dst, sizeof dst, "%s/%s", dir, FMT_FILE_NAME);
    int out = -1;
    u8 *table = NULL, *page = NULL, *rec = NULL;
    if (!rc) {
        out = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (out < 0) rc = backup_io_err(err, "could not create", tmp);
    }
    u32 ps = rc ? 0 : chain[0].h.psize;
    if (!rc) {
        page = dd_malloc(ps);
        rec = dd_malloc(8 + (size_t)ps);
        if (!page || !rec) rc = dd_err(err, DD_ENOMEM, -1, NULL);
    }
    /* oldest first: the full image, then each incremental's pages */
    for (int i = n - 1; !rc && i >= 0; i--) {
        Link *l = &chain[i];
        if ((rc = link_reopen(l, err))) break;
        dd_free(table);
        table = NULL;
        if ((rc = table_read(l->fd, l->path, &l->h, &table, err))) break;
        PageSink s = {out, l->path, tmp, ps, l->h.pages, 0, rec, 0, 0, table, {0}};
        rc = frame_read(l->fd, l->path, l->h.hdr_len, l->h.table_off, page_sink, &s, err);
        sha256_ctx_free(&s.hc);
        close(l->fd);
        l->fd = -1;
        if (!rc && s.have) rc = dd_corrupt(err, "backup \"%s\" is damaged: a page cut short", l->path);
        if (!rc && ftruncate(out, (off_t)(l->h.pages * ps))) rc = backup_io_err(err, "could not write", tmp);
        info->file_bytes += l->h.size;
    }
    /* every page of the result against the newest table (read last, by
     * the loop above) */
    Sha256 hc = {0};
    for (u64 p = 0; !rc && p < chain[0].h.pages; p++) {
        u8 d[32];
        if (pread(out, page, ps, (off_t)(p * ps)) != (ssize_t)ps) rc = backup_io_err(err, "could not read", tmp);
        else if (sha256_with(&hc, page, ps, d)) rc = dd_err(err, DD_ENOMEM, -1, NULL);
        else if (memcmp(d, table + p * IMG_HASH, IMG_HASH) != 0)
            rc = dd_corrupt(err, "backup \"%s\" is damaged: page %llu of the restored file does not match its checksum",
                            n > 1 ? chain[0].path : path, (unsigned long long)p);
    }
    sha256_ctx_free(&hc);
    if (!rc && fsync(out)) rc = backup_io_err(err, "could not write", tmp);
    if (out >= 0 && close(out) && !rc) rc = backup_io_err(err, "could not write", tmp);
    if (!rc && rename(tmp, dst)) rc = backup_io_err(err, "could not rename to", dst);
    if (rc && out >= 0) unlink(tmp);
    if (!rc) {
        memcpy(dbid, chain[0].h.dbid, FMT_DBID_LEN);
        info->raw_bytes = chain[0].h.pages * ps;
        info->pages = chain[0].h.pages;
        info->seq = chain[0].h.seq;
        info->chain = (u32)n;
    }
    for (int i = 0; i < n; i++)
        if (chain[i].fd >= 0) close(chain[i].fd);
    dd_free(chain);
    dd_free(table);
    dd_free(page);
    dd_free(rec);
    return rc;
}
