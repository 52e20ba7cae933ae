/*
 * spill.c - temporary files for operators past work_mem (spill.h has the
 * format).  One file per operator, written by appending blocks and read
 * back by offset; its space counts against the statement's
 * temp_file_limit until punched out or closed.
 */
#include "spill.h"
#include "../../util/alloc.h"
#include "../../util/crc32c.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct SpillFile {
    int fd;
    SqlCtx *ctx;
    u64 end;          /* where the next block goes */
    u64 live, peak;   /* bytes held (written, not yet punched); the most at once */
    u64 limit;        /* temp_file_limit in bytes */
};

#define VAL_HEAD 8   /* type, isnull, scale, etype */
DD_STATIC_ASSERT(sizeof(((Value *)0)->v) == 16, "a Value's union is written as 16 bytes");

static int io_error(SpillFile *f, int e, const char *what)
{
    return dd_err(f->ctx->err, e == ENOSPC || e == EDQUOT ? DD_EDISK_FULL : DD_EIO, -1,
                  "could not %s temporary file: %s", what, strerror(e));
}

/* An unnamed file in dir (O_TMPFILE), else a named one unlinked at once. */
static int open_in(const char *dir)
{
#ifdef O_TMPFILE
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
#endif
    char path[4096];
    if (snprintf(path, sizeof path, "%s/.driftdb-spill-XXXXXX", dir) >= (int)sizeof path) return -1;
    int fd2 = mkostemp(path, O_CLOEXEC);
    if (fd2 >= 0) unlink(path);
    return fd2;
}

int spill_create(SqlCtx *ctx, SpillFile **out)
{
    *out = NULL;
    const char *tmp = getenv("TMPDIR");
    const char *dirs[3] = {ctx->store ? store_dir(ctx->store) : NULL, tmp && *tmp ? tmp : NULL, "/tmp"};
    int fd = -1, e = 0;
    for (int i = 0; i < 3 && fd < 0; i++) {
        if (!dirs[i]) continue;
        fd = open_in(dirs[i]);
        if (fd < 0 && !e) e = errno;
    }
    if (fd < 0) return dd_err(ctx->err, DD_EIO, -1, "could not create temporary file: %s", strerror(e ? e : EIO));
    SpillFile *f = dd_calloc(1, sizeof *f);
    if (!f) {
        close(fd);
        return DD_ENOMEM;
    }
    f->fd = fd;
    f->ctx = ctx;
    f->limit = sql_temp_file_limit(ctx);
    *out = f;
    return DD_OK;
}

static void put_value(Buf *b, const Value *v)
{
    u8 head[VAL_HEAD];
    head[0] = v->type;
    head[1] = v->isnull;
    memcpy(head + 2, &v->scale, 2);
    memcpy(head + 4, &v->etype, 4);
    buf_append(b, head, VAL_HEAD);
    if (v->isnull) return;
    if (val_has_bytes(v)) {
        buf_put_u32le(b, v->v.s.len);
        buf_append(b, v->v.s.p, v->v.s.len);
    } else {
        buf_append(b, &v->v, 16);
    }
}

static int write_block(SpillFile *f, SpillRun *r, const u8 *p, size_t n)
{
    if (f->ctx->temp_bytes + n > f->limit)
        return dd_err(f->ctx->err, DD_ECONFIG_LIMIT, -1, "temporary file size exceeds temp_file_limit (%llukB)",
                      (unsigned long long)(f->limit / 1024));
    if (r->nblocks == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 16;
        SpillBlock *nb = dd_realloc(r->blocks, ncap * sizeof *nb);
        if (!nb) return DD_ENOMEM;
        r->blocks = nb;
        r->cap = ncap;
    }
    for (size_t done = 0; done < n;) {
        ssize_t w = pwrite(f->fd, p + done, n - done, (off_t)(f->end + done));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return io_error(f, w < 0 ? errno : ENOSPC, "write to");
        done += (size_t)w;
    }
    r->blocks[r->nblocks++] = (SpillBlock){f->end, (u32)n, crc32c(0, p, n)};
    f->end += n;
    f->live += n;
    f->ctx->temp_bytes += n;
    if (f->live > f->peak) f->peak = f->live;
    return DD_OK;
}

int spill_put(SpillFile *f, SpillRun *r, const Value *row, int n)
{
    size_t before = r->tail.len;
    for (int i = 0; i < n; i++) put_value(&r->tail, &row[i]);
    if (n == 0) buf_putc(&r->tail, 0);   /* a row of no values still takes a byte */
    if (!buf_ok(&r->tail)) return DD_ENOMEM;
    r->rows++;
    if (r->tail.len < SPILL_BLOCK) return DD_OK;
    int rc;
    if (before) {
        /* the block so far, then this row starts the next */
        if ((rc = write_block(f, r, r->tail.data, before))) return rc;
        memmove(r->tail.data, r->tail.data + before, r->tail.len - before);
        r->tail.len -= before;
        if (r->tail.len < SPILL_BLOCK) return DD_OK;
    }
    rc = write_block(f, r, r->tail.data, r->tail.len);   /* a row of a block or more: a block of its own */
    buf_reset(&r->tail);
    return rc;
}

int spill_end(SpillFile *f, SpillRun *r)
{
    int rc = r->tail.len ? write_block(f, r, r->tail.data, r->tail.len) : DD_OK;
    buf_free(&r->tail);
    return rc;
}

/* Gives a block's space back; where the file system cannot, its bytes
 * stay counted (against temp_file_limit too) until the file closes. */
static void punch(SpillFile *f, const SpillBlock *b)
{
    if (!b->len) return;
#ifdef FALLOC_FL_PUNCH_HOLE
    if (fallocate(f->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)b->off, (off_t)b->len) != 0) return;
    f->live -= b->len;
    f->ctx->temp_bytes -= b->len;
#endif
}

void spill_run_free(SpillFile *f, SpillRun *r)
{
    for (size_t i = 0; f && i < r->nblocks; i++) {
        punch(f, &r->blocks[i]);
        r->blocks[i].len = 0;
    }
    dd_free(r->blocks);
    buf_free(&r->tail);
    memset(r, 0, sizeof *r);
}

void spill_read_begin(SpillReader *rd, SpillFile *f, SpillRun *r, bool free_read)
{
    memset(rd, 0, sizeof *rd);
    rd->f = f;
    rd->run = r;
    rd->free_read = free_read;
}

static int damaged(SpillReader *rd)
{
    return dd_err(rd->f->ctx->err, DD_ECORRUPT, -1, "temporary file damaged: block %zu of a run does not read back",
                  rd->blk);
}

static int load_block(SpillReader *rd)
{
    SpillBlock *b = &rd->run->blocks[rd->blk];
    if (b->len > rd->cap) {
        u8 *p = dd_realloc(rd->data, b->len);
        if (!p) return DD_ENOMEM;
        rd->data = p;
        rd->cap = b->len;
    }
    for (size_t done = 0; done < b->len;) {
        ssize_t n = pread(rd->f->fd, rd->data + done, b->len - done, (off_t)(b->off + done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return io_error(rd->f, errno, "read from");
        if (n == 0) return damaged(rd);
        done += (size_t)n;
    }
    if (crc32c(0, rd->data, b->len) != b->crc) return damaged(rd);
    rd->len = b->len;
    rd->pos = 0;
    if (rd->free_read) {
        punch(rd->f, b);
        b->len = 0;
    }
    rd->blk++;
    return DD_OK;
}

int spill_read_row(SpillReader *rd, Value *row, int n)
{
    if (rd->pos == rd->len) {
        if (rd->blk == rd->run->nblocks) return 0;
        int rc = load_block(rd);
        if (rc) return -rc;
    }
    const u8 *p = rd->data + rd->pos, *end = rd->data + rd->len;
    if (n == 0 && p++ == end) return -damaged(rd);
    for (int i = 0; i < n; i++) {
        Value *v = &row[i];
        if (end - p < VAL_HEAD) return -damaged(rd);
        memset(v, 0, sizeof *v);
        v->type = p[0];
        v->isnull = p[1] != 0;
        memcpy(&v->scale, p + 2, 2);
        memcpy(&v->etype, p + 4, 4);
        p += VAL_HEAD;
        if (v->isnull) continue;
        if (val_has_bytes(v)) {
            u32 len;
            if (end - p < 4) return -damaged(rd);
            memcpy(&len, p, 4);
            p += 4;
            if ((size_t)(end - p) < len) return -damaged(rd);
            v->v.s.p = (const char *)p;
            v->v.s.len = len;
            p += len;
        } else {
            if (end - p < 16) return -damaged(rd);
            memcpy(&v->v, p, 16);
            p += 16;
        }
    }
    rd->pos = (u32)(p - rd->data);
    return 1;
}

void spill_read_end(SpillReader *rd)
{
    dd_free(rd->data);
    rd->data = NULL;
    rd->cap = rd->len = rd->pos = 0;
}

void spill_read_rewind(SpillReader *rd)
{
    rd->blk = 0;
    rd->len = rd->pos = 0;
}

u64 spill_peak(const SpillFile *f) { return f ? f->peak : 0; }

void spill_close(SpillFile *f)
{
    if (!f) return;
    f->ctx->temp_bytes -= f->live;
    close(f->fd);
    dd_free(f);
}

/* ------------------------------------------------ hash partitions */

/* Room for one more element in a stack of n (*cap grown by doubling). */
static int stack_room(void **arr, size_t *cap, size_t n, size_t size)
{
    if (n < *cap) return DD_OK;
    size_t ncap = *cap ? *cap * 2 : 64;
    void *na = dd_realloc(*arr, ncap * size);
    if (!na) return DD_ENOMEM;
    *arr = na;
    *cap = ncap;
    return DD_OK;
}

int spill_parts_put(SqlCtx *ctx, SpillParts *p, u64 hash, const Value *row, int n)
{
    int rc;
    if (!p->f && (rc = spill_create(ctx, &p->f))) return rc;
    if (!p->runs && !(p->runs = dd_calloc(SPILL_PARTS, sizeof(SpillRun)))) return DD_ENOMEM;
    int part = (int)(hash >> (64 - SPILL_PART_BITS * (p->level + 1))) & (SPILL_PARTS - 1);
    return spill_put(p->f, &p->runs[part], row, n);
}

int spill_parts_end(SpillParts *p)
{
    int rc = DD_OK;
    for (int i = 0; p->runs && i < SPILL_PARTS; i++) {
        SpillRun *r = &p->runs[i];
        if (!rc) rc = spill_end(p->f, r);
        if (!rc && r->rows) rc = stack_room((void **)&p->pend, &p->cap, p->npend, sizeof *p->pend);
        if (rc || !r->rows) spill_run_free(p->f, r);
        else p->pend[p->npend++] = (SpillPending){*r, p->level + 1};
    }
    dd_free(p->runs);
    p->runs = NULL;
    p->passes++;
    return rc;
}

bool spill_parts_next(SpillParts *p, SpillRun *run)
{
    if (!p->npend) return false;
    SpillPending *q = &p->pend[--p->npend];
    *run = q->run;
    p->level = q->level;
    return true;
}

void spill_parts_free(SpillParts *p)
{
    for (int i = 0; p->runs && i < SPILL_PARTS; i++) spill_run_free(p->f, &p->runs[i]);
    for (size_t i = 0; i < p->npend; i++) spill_run_free(p->f, &p->pend[i].run);
    dd_free(p->runs);
    dd_free(p->pend);
    u64 peak = DD_MAX(p->peak, spill_peak(p->f));
    spill_close(p->f);
    u64 passes = p->passes;
    memset(p, 0, sizeof *p);
    p->peak = peak;
    p->passes = passes;
}

void spill_parts_analyze(const SpillParts *p, Buf *out)
{
    u64 disk = DD_MAX(p->peak, spill_peak(p->f));
    if (disk)
        buf_printf(out, "Batches: %llu  Disk Usage: %llukB", (unsigned long long)p->passes,
                   (unsigned long long)((disk + 1023) / 1024));
}

/* ------------------------------------------------ pairs of partitions */

int spill_pairs_begin(SqlCtx *ctx, SpillPairs *p, int level)
{
    int rc;
    if (!p->f && (rc = spill_create(ctx, &p->f))) return rc;
    if (!(p->parts = dd_calloc(SPILL_PARTS, sizeof(SpillPair)))) return DD_ENOMEM;
    p->level = level;
    return DD_OK;
}

int spill_pairs_put(SpillPairs *p, bool b, u64 hash, const Value *row, int n)
{
    SpillPair *q = &p->parts[(hash >> (64 - SPILL_PART_BITS * (p->level + 1))) & (SPILL_PARTS - 1)];
    return spill_put(p->f, b ? &q->b : &q->a, row, n);
}

int spill_pairs_end(SpillPairs *p, bool keep_a, bool keep_b)
{
    int rc = DD_OK;
    for (int i = 0; p->parts && i < SPILL_PARTS; i++) {
        SpillPair *q = &p->parts[i];
        if (!rc) rc = spill_end(p->f, &q->a);
        if (!rc) rc = spill_end(p->f, &q->b);
        bool wanted = (q->a.rows && q->b.rows) || (q->a.rows && keep_a) || (q->b.rows && keep_b);
        if (!rc && wanted) rc = stack_room((void **)&p->pend, &p->cap, p->npend, sizeof *p->pend);
        if (rc || !wanted) {
            spill_run_free(p->f, &q->a);
            spill_run_free(p->f, &q->b);
            continue;
        }
        q->level = p->level + 1;
        p->pend[p->npend++] = *q;
    }
    dd_free(p->parts);
    p->parts = NULL;
    return rc;
}

bool spill_pairs_next(SpillPairs *p)
{
    spill_run_free(p->f, &p->cur.a);
    spill_run_free(p->f, &p->cur.b);
    if (!p->npend) return false;
    p->cur = p->pend[--p->npend];
    p->taken++;
    return true;
}

void spill_pairs_free(SpillPairs *p)
{
    for (int i = 0; p->parts && i < SPILL_PARTS; i++) {
        spill_run_free(p->f, &p->parts[i].a);
        spill_run_free(p->f, &p->parts[i].b);
    }
    for (size_t i = 0; i < p->npend; i++) {
        spill_run_free(p->f, &p->pend[i].a);
        spill_run_free(p->f, &p->pend[i].b);
    }
    spill_run_free(p->f, &p->cur.a);
    spill_run_free(p->f, &p->cur.b);
    dd_free(p->parts);
    dd_free(p->pend);
    u64 peak = DD_MAX(p->peak, spill_peak(p->f)), taken = p->taken;
    spill_close(p->f);
    memset(p, 0, sizeof *p);
    p->peak = peak;
    p->taken = taken;
}
