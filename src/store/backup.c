/*
 * backup.c - the compacted copy (format 1): what `driftdb compact --full`
 * writes and restores over a data directory, and the restore of a backup
 * of either format (format 2, the page images `driftdb backup` writes, is
 * image.c's).
 *
 * Compacted copy: LMDB copies the environment as of one read transaction
 * (mdb_env_copyfd2 with MDB_CP_COMPACT: only live pages, renumbered) into
 * a pipe from a thread of its own; this thread hashes the bytes (SHA-256)
 * and compresses them with zstd into FILE.tmp, then fsyncs and renames it
 * to FILE, so a failed copy leaves nothing behind.  The copy holds its
 * read transaction for the whole run (LMDB cannot reuse pages freed
 * meanwhile; the file may grow by what writers change during it).  The
 * pages are renumbered, so no incremental backup can follow it.
 *
 * Format 1 layout:
 *   [0..7]   magic "DDBACKUP"
 *   [8..11]  u32 BE format (BACKUP_FORMAT = 1)
 *   [12..27] database id (meta "db", format.h)
 *   [28..]   one zstd frame (with its content checksum) of the LMDB file
 *   last 40  u64 BE length of the LMDB file, SHA-256 of its bytes
 *
 * Restore writes DIR/driftdb.mdb.restoring, checks the frame, the length
 * and the hash, and renames it to DIR/driftdb.mdb; anything wrong removes
 * it, so nothing is written.  The caller (engine) then opens and verifies
 * the result.
 */
#include "store_int.h"
#include "../util/alloc.h"
#include "../util/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#define BACKUP_MAGIC "DDBACKUP"
#define BACKUP_FORMAT 1u
#define BACKUP_HDR (8 + 4 + FMT_DBID_LEN)
#define BACKUP_TRAILER (8 + 32)
#define IO_CHUNK (1 << 20)

typedef struct CopyJob {
    MDB_env *env;
    int fd;
    int rc;
} CopyJob;

static void *copy_main(void *arg)
{
    CopyJob *j = arg;
    /* a reader that gave up closes the pipe: EPIPE, not SIGPIPE (LMDB's
     * writer thread inherits this mask) */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    j->rc = mdb_env_copyfd2(j->env, j->fd, MDB_CP_COMPACT);
    close(j->fd);
    return NULL;
}

int backup_write_all(int fd, const void *p, size_t n)
{
    const u8 *b = p;
    while (n) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

int backup_io_err(DdError *err, const char *what, const char *path)
{
    int e = errno;
    return dd_err(err, e == ENOSPC || e == EDQUOT ? DD_EDISK_FULL : DD_EIO, -1, "%s \"%s\": %s", what, path,
                  strerror(e));
}

int store_backup_compact(Store *st, const char *path, StoreProgressFn progress, void *arg, StoreBackupInfo *info,
                         DdError *err)
{
    memset(info, 0, sizeof *info);
    /* the compacting copy writes at most the pages in use now, and what
     * writers add meanwhile is not in it: an upper bound for progress */
    MDB_envinfo ei;
    MDB_stat es;
    u64 total = 0;
    if (progress && mdb_env_info(st->env, &ei) == 0 && mdb_env_stat(st->env, &es) == 0)
        total = ((u64)ei.me_last_pgno + 1) * es.ms_psize;
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return dd_err(err, DD_EINVALID_PARAM, -1, "backup file name too long");
    struct stat sb;
    if (stat(path, &sb) == 0) return dd_err(err, DD_EINVALID_PARAM, -1, "backup file \"%s\" already exists", path);
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) return backup_io_err(err, "could not create backup file", path);
    int pfd[2] = {-1, -1};
    ZSTD_CCtx *z = ZSTD_createCCtx();
    u8 *in = dd_malloc(IO_CHUNK), *zb = dd_malloc(ZSTD_CStreamOutSize());
    int rc = 0;
    pthread_t th;
    bool started = false;
    CopyJob job = {st->env, -1, 0};
    if (!z || !in || !zb) {
        rc = dd_err(err, DD_ENOMEM, -1, NULL);
        goto done;
    }
    ZSTD_CCtx_setParameter(z, ZSTD_c_compressionLevel, 3);
    ZSTD_CCtx_setParameter(z, ZSTD_c_checksumFlag, 1);
    u8 hdr[BACKUP_HDR];
    memcpy(hdr, BACKUP_MAGIC, 8);
    put_u32be(hdr + 8, BACKUP_FORMAT);
    memcpy(hdr + 12, st->dbid, FMT_DBID_LEN);
    if (backup_write_all(out, hdr, sizeof hdr)) {
        rc = backup_io_err(err, "could not write", tmp);
        goto done;
    }
    if (pipe2(pfd, O_CLOEXEC)) {
        rc = backup_io_err(err, "could not create a pipe for", tmp);
        goto done;
    }
    job.fd = pfd[1];
    if (pthread_create(&th, NULL, copy_main, &job)) {
        rc = dd_err(err, DD_EINTERNAL, -1, "could not start the copy thread");
        goto done;
    }
    started = true;
    pfd[1] = -1;   /* the thread closes it */
    Sha256 h;
    sha256_begin(&h);
    u64 raw = 0, packed = BACKUP_HDR;
    for (bool last = false; !last;) {
        ssize_t n = read(pfd[0], in, IO_CHUNK);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            rc = backup_io_err(err, "could not read the copy of", st->dir);
            break;
        }
        last = n == 0;
        sha256_update(&h, in, (size_t)n);
        raw += (u64)n;
        /* done == total only in the last call: a copy past the estimate
         * (commits since) reports one more than it has */
        if (progress && !last) progress(arg, raw, DD_MAX(total, raw + 1));
        ZSTD_inBuffer ib = {in, (size_t)n, 0};
        for (;;) {
            ZSTD_outBuffer ob = {zb, ZSTD_CStreamOutSize(), 0};
            size_t left = ZSTD_compressStream2(z, &ob, &ib, last ? ZSTD_e_end : ZSTD_e_continue);
            if (ZSTD_isError(left)) {
                rc = dd_err(err, DD_EINTERNAL, -1, "compressing the backup: %s", ZSTD_getErrorName(left));
                break;
            }
            if (ob.pos && backup_write_all(out, zb, ob.pos)) {
                rc = backup_io_err(err, "could not write", tmp);
                break;
            }
            packed += ob.pos;
            if (last ? left == 0 : ib.pos == ib.size) break;
        }
        if (rc) break;
    }
    close(pfd[0]);   /* a writer still copying then fails with EPIPE */
    pfd[0] = -1;
    pthread_join(th, NULL);
    started = false;
    if (!rc && job.rc) rc = store_mdb_err(err, job.rc, "copying the environment");
    if (rc) goto done;
    u8 tr[BACKUP_TRAILER];
    put_u64be(tr, raw);
    if (sha256_end(&h, tr + 8)) {
        rc = dd_err(err, DD_ENOMEM, -1, "could not compute the backup's checksum");
        goto done;
    }
    if (backup_write_all(out, tr, sizeof tr) || fsync(out)) {
        rc = backup_io_err(err, "could not write", tmp);
        goto done;
    }
    info->raw_bytes = raw;
    info->file_bytes = packed + BACKUP_TRAILER;
    if (progress) progress(arg, raw, raw);
done:
    if (started) {
        if (pfd[0] >= 0) close(pfd[0]);
        pfd[0] = -1;
        pthread_join(th, NULL);
    }
    if (pfd[0] >= 0) close(pfd[0]);
    if (pfd[1] >= 0) close(pfd[1]);
    if (close(out) && !rc) rc = backup_io_err(err, "could not write", tmp);
    if (!rc && rename(tmp, path)) rc = backup_io_err(err, "could not rename to", path);
    if (rc) unlink(tmp);
    ZSTD_freeCCtx(z);
    dd_free(in);
    dd_free(zb);
    return rc;
}

/* Restores the LMDB file of backup `path` as dir/driftdb.mdb (dir exists,
 * holds no driftdb.mdb).  *dbid gets the backup's database id. */
int store_restore_file(const char *path, const char *dir, u8 dbid[FMT_DBID_LEN], StoreBackupInfo *info, DdError *err)
{
    memset(info, 0, sizeof *info);
    int ffd = open(path, O_RDONLY | O_CLOEXEC);
    int format = ffd >= 0 ? store_backup_format(ffd) : 0;
    if (ffd >= 0) close(ffd);
    if (format == 2) return store_restore_image(path, dir, dbid, info, err);
    char tmp[4096], dst[4096];
    snprintf(tmp, sizeof tmp, "%s/%s.restoring", dir, FMT_FILE_NAME);
    snprintf(dst, sizeof dst, "%s/%s", dir, FMT_FILE_NAME);
    int in = open(path, O_RDONLY | O_CLOEXEC);
    if (in < 0) return dd_err(err, errno == ENOENT ? DD_ENO_FILE : DD_EIO, -1, "could not open backup \"%s\": %s", path,
                              strerror(errno));
    struct stat sb;
    u8 hdr[BACKUP_HDR], tr[BACKUP_TRAILER];
    if (fstat(in, &sb) || sb.st_size < BACKUP_HDR + BACKUP_TRAILER || pread(in, hdr, sizeof hdr, 0) != sizeof hdr ||
        pread(in, tr, sizeof tr, sb.st_size - BACKUP_TRAILER) != sizeof tr || memcmp(hdr, BACKUP_MAGIC, 8) != 0) {
        close(in);
        return dd_corrupt(err, "\"%s\" is not a DriftDB backup, or it is truncated", path);
    }
    if (get_u32be(hdr + 8) != BACKUP_FORMAT) {
        close(in);
        if (get_u32be(hdr + 8) > 255) return dd_corrupt(err, "backup \"%s\" is damaged: its header is not valid", path);
        return dd_corrupt(err, "backup \"%s\" has format %u, this version reads 1 and 2", path, get_u32be(hdr + 8));
    }
    memcpy(dbid, hdr + 12, FMT_DBID_LEN);
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        close(in);
        return backup_io_err(err, "could not create", tmp);
    }
    ZSTD_DCtx *z = ZSTD_createDCtx();
    size_t ibn = ZSTD_DStreamInSize(), obn = ZSTD_DStreamOutSize();
    u8 *ib = dd_malloc(ibn), *ob = dd_malloc(obn);
    int rc = 0;
    Sha256 h;
    sha256_begin(&h);
    u64 raw = 0;
    off_t pos = BACKUP_HDR, end = sb.st_size - BACKUP_TRAILER;
    size_t left = 1;   /* ZSTD: 0 once a frame is complete */
    if (!z || !ib || !ob) {
        rc = dd_err(err, DD_ENOMEM, -1, NULL);
        goto done;
    }
    if (lseek(in, pos, SEEK_SET) != pos) {
        rc = backup_io_err(err, "could not read backup", path);
        goto done;
    }
    while (pos < end && !rc) {
        size_t want = (size_t)DD_MIN((off_t)ibn, end - pos);
        ssize_t n = read(in, ib, want);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            rc = n < 0 ? backup_io_err(err, "could not read backup", path)
                       : dd_corrupt(err, "backup \"%s\" is truncated", path);
            break;
        }
        pos += n;
        ZSTD_inBuffer zi = {ib, (size_t)n, 0};
        while (zi.pos < zi.size) {
            if (left == 0) {
                rc = dd_corrupt(err, "backup \"%s\": bytes after the compressed data", path);
                break;
            }
            ZSTD_outBuffer zo = {ob, obn, 0};
            left = ZSTD_decompressStream(z, &zo, &zi);
            if (ZSTD_isError(left)) {
                rc = dd_corrupt(err, "backup \"%s\" is damaged: %s", path, ZSTD_getErrorName(left));
                break;
            }
            sha256_update(&h, ob, zo.pos);
            raw += zo.pos;
            if (zo.pos && backup_write_all(out, ob, zo.pos)) {
                rc = backup_io_err(err, "could not write", tmp);
                break;
            }
        }
    }
    if (!rc) {
        /* drain what the decoder still holds */
        while (left != 0 && !rc) {
            ZSTD_inBuffer zi = {ib, 0, 0};
            ZSTD_outBuffer zo = {ob, obn, 0};
            left = ZSTD_decompressStream(z, &zo, &zi);
            if (ZSTD_isError(left)) rc = dd_corrupt(err, "backup \"%s\" is damaged: %s", path, ZSTD_getErrorName(left));
            else if (zo.pos == 0 && left != 0) rc = dd_corrupt(err, "backup \"%s\" is truncated", path);
            else {
                sha256_update(&h, ob, zo.pos);
                raw += zo.pos;
                if (zo.pos && backup_write_all(out, ob, zo.pos)) rc = backup_io_err(err, "could not write", tmp);
            }
        }
    }
    if (!rc) {
        u8 d[32];
        if (sha256_end(&h, d)) rc = dd_err(err, DD_ENOMEM, -1, "could not compute the backup's checksum");
        else if (get_u64be(tr) != raw || memcmp(d, tr + 8, 32) != 0)
            rc = dd_corrupt(err, "backup \"%s\" is damaged: its checksum does not match", path);
    }
    if (!rc && fsync(out)) rc = backup_io_err(err, "could not write", tmp);
done:
    if (close(out) && !rc) rc = backup_io_err(err, "could not write", tmp);
    close(in);
    if (!rc && rename(tmp, dst)) rc = backup_io_err(err, "could not rename to", dst);
    if (rc) unlink(tmp);
    info->raw_bytes = raw;
    info->file_bytes = (u64)sb.st_size;
    ZSTD_freeDCtx(z);
    dd_free(ib);
    dd_free(ob);
    return rc;
}
