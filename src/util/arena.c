/*
 * arena.c - region allocator.
 *
 * Blocks form a singly linked list, newest first (a->head).  Each block has
 * a header, then `size` usable bytes of which `used` are taken.  A request
 * larger than block_size gets a block of its own.  arena_reset keeps the
 * oldest block when ordinary-sized; arena_rewind frees blocks newer than the
 * mark and restores the marked block's fill.
 *
 * Release functions (arena_on_release) live in the arena's own memory, in
 * a list newest first; reset and free call them all, rewind those
 * registered after the mark, always before the blocks that hold them go.
 *
 * Invariant: every pointer returned is 16-byte aligned, and block->used <=
 * block->size.
 */
#include "arena.h"
#include "alloc.h"
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct ArenaBlock {
    ArenaBlock *next;   /* older block */
    size_t size;        /* usable bytes after the header */
    size_t used;
};

struct ArenaRelease {
    void (*fn)(void *arg);
    void *arg;
    ArenaRelease *next;   /* older */
};

#define ARENA_ALIGN 16
#define ARENA_HDR ((sizeof(ArenaBlock) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))
#define ARENA_DEFAULT_BLOCK 8192

static inline u8 *block_data(ArenaBlock *b) { return (u8 *)b + ARENA_HDR; }

void arena_init(Arena *a, size_t block_size)
{
    a->head = NULL;
    a->block_size = block_size ? block_size : ARENA_DEFAULT_BLOCK;
    a->total = 0;
    a->releases = NULL;
}

static ArenaBlock *block_new(Arena *a, size_t size)
{
    if (size > SIZE_MAX - ARENA_HDR) return NULL;
    ArenaBlock *b = dd_malloc(ARENA_HDR + size);
    if (!b) return NULL;
    b->size = size;
    b->used = 0;
    b->next = NULL;
    a->total += size;
    return b;
}

void *arena_alloc(Arena *a, size_t n)
{
    if (n == 0) n = 1;
    if (n > SIZE_MAX - ARENA_ALIGN) return NULL;
    n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    ArenaBlock *h = a->head;
    if (h && h->size - h->used >= n) {
        void *p = block_data(h) + h->used;
        h->used += n;
        return p;
    }
    /* A new block becomes the head.  A big request gets a block of exactly
     * its size (the rest of the previous head is given up), which keeps
     * blocks in allocation order so arena_rewind is exact. */
    ArenaBlock *b = block_new(a, DD_MAX(n, a->block_size));
    if (!b) return NULL;
    b->next = h;
    a->head = b;
    b->used = n;
    return block_data(b);
}

void *arena_zalloc(Arena *a, size_t n)
{
    void *p = arena_alloc(a, n);
    if (p) memset(p, 0, n);
    return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = arena_alloc(a, len + 1);
    if (!d) return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *arena_strdup(Arena *a, const char *s) { return arena_strndup(a, s, strlen(s)); }

void *arena_memdup(Arena *a, const void *p, size_t n)
{
    void *d = arena_alloc(a, n);
    if (d && n) memcpy(d, p, n);
    return d;
}

char *arena_vprintf(Arena *a, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    char *d = NULL;
    if (n >= 0 && (d = arena_alloc(a, (size_t)n + 1)) != NULL)
        vsnprintf(d, (size_t)n + 1, fmt, ap);
    return d;
}

char *arena_printf(Arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *d = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return d;
}

int arena_on_release(Arena *a, void (*fn)(void *arg), void *arg)
{
    ArenaRelease *r = arena_alloc(a, sizeof(*r));
    if (!r) return DD_ENOMEM;
    r->fn = fn;
    r->arg = arg;
    r->next = a->releases;
    a->releases = r;
    return DD_OK;
}

/* Calls the release functions registered after `until`, newest first. */
static void run_releases(Arena *a, ArenaRelease *until)
{
    while (a->releases != until) {
        ArenaRelease *r = a->releases;
        a->releases = r->next;
        r->fn(r->arg);
    }
}

ArenaMark arena_mark(Arena *a)
{
    ArenaMark m = {a->head, a->head ? a->head->used : 0, a->releases};
    return m;
}

void arena_rewind(Arena *a, ArenaMark m)
{
    run_releases(a, m.releases);
    /* Free blocks newer than the marked one.  Big blocks inserted behind the
     * head after the mark sit between the head and m.block too. */
    while (a->head && a->head != m.block) {
        ArenaBlock *b = a->head;
        a->head = b->next;
        a->total -= b->size;
        dd_free(b);
    }
    if (a->head) a->head->used = m.used;
}

void arena_reset(Arena *a)
{
    run_releases(a, NULL);
    ArenaBlock *b = a->head, *keep = NULL;
    while (b) {
        ArenaBlock *next = b->next;
        if (!next && b->size == a->block_size) {
            keep = b;  /* the oldest block, when ordinary-sized */
        } else {
            a->total -= b->size;
            dd_free(b);
        }
        b = next;
    }
    a->head = keep;
    if (keep) keep->used = 0;
}

void arena_free(Arena *a)
{
    run_releases(a, NULL);
    ArenaBlock *b = a->head;
    while (b) {
        ArenaBlock *next = b->next;
        dd_free(b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}
