/*
 * arena.h - region allocator.  Memory is carved from blocks and freed all at
 * once by arena_reset (keeps the first block) or arena_free.  Used for
 * statement, row and session lifetimes: a pointer into an arena stays valid
 * until that arena is reset or rewound past it.
 *
 * Allocation failure returns NULL (the caller reports DD_ENOMEM).
 *
 * Memory that is not the arena's own (a library's objects, freed by the
 * library) can still share its lifetime: arena_on_release registers a
 * function that reset, free, or a rewind past the registration calls,
 * newest first, before the blocks go.
 */
#ifndef DD_ARENA_H
#define DD_ARENA_H

#include <stdarg.h>
#include "base.h"

typedef struct ArenaBlock ArenaBlock;
typedef struct ArenaRelease ArenaRelease;
typedef struct Arena {
    ArenaBlock *head;   /* current block (newest) */
    size_t block_size;  /* size of ordinary blocks */
    size_t total;       /* bytes held in all blocks */
    ArenaRelease *releases;  /* arena_on_release functions, newest first */
} Arena;

typedef struct ArenaMark {
    ArenaBlock *block;
    size_t used;
    ArenaRelease *releases;
} ArenaMark;

void arena_init(Arena *a, size_t block_size); /* no allocation yet */
void *arena_alloc(Arena *a, size_t n);        /* 16-byte aligned; NULL on OOM */
void *arena_zalloc(Arena *a, size_t n);
char *arena_strndup(Arena *a, const char *s, size_t n); /* NUL-terminated */
char *arena_strdup(Arena *a, const char *s);
void *arena_memdup(Arena *a, const void *p, size_t n);
char *arena_printf(Arena *a, const char *fmt, ...) DD_PRINTF(2, 3);
char *arena_vprintf(Arena *a, const char *fmt, va_list ap);
ArenaMark arena_mark(Arena *a);
void arena_rewind(Arena *a, ArenaMark m); /* frees everything after m */
void arena_reset(Arena *a);               /* frees all but keeps one block */
void arena_free(Arena *a);                /* frees all blocks */
/* Calls fn(arg) when the arena lets go of what was allocated until now
 * (reset, free, rewind to an earlier mark).  DD_ENOMEM: not registered. */
int arena_on_release(Arena *a, void (*fn)(void *arg), void *arg);

#endif
