/*
 * keyset.c - a set of byte strings (encoded keys) in an arena, each with a
 * u32 the caller keeps beside it: the repeats a unique check looks for,
 * the keys an ON CONFLICT statement has written, the keys a foreign key
 * matches.  Open addressing, FNV-1a, doubling at half full; nothing is
 * ever removed (the arena frees it all).
 */
#include "plan_int.h"
#include <string.h>

static int keyset_grow(Arena *a, KeySet *ks)
{
    size_t ncap = ks->cap ? ks->cap * 2 : 64;
    KeySetEntry *ne = arena_zalloc(a, sizeof(KeySetEntry) * ncap);
    if (!ne) return DD_ENOMEM;
    for (size_t i = 0; i < ks->cap; i++) {
        KeySetEntry *e = &ks->e[i];
        if (!e->key) continue;
        size_t j = dd_fnv1a(DD_FNV_INIT, e->key, e->len) & (ncap - 1);
        while (ne[j].key) j = (j + 1) & (ncap - 1);
        ne[j] = *e;
    }
    ks->e = ne;
    ks->cap = ncap;
    return DD_OK;
}

static KeySetEntry *keyset_slot(const KeySet *ks, const u8 *key, u32 len)
{
    size_t j = dd_fnv1a(DD_FNV_INIT, key, len) & (ks->cap - 1);
    while (ks->e[j].key) {
        if (ks->e[j].len == len && memcmp(ks->e[j].key, key, len) == 0) break;
        j = (j + 1) & (ks->cap - 1);
    }
    return &ks->e[j];
}

int keyset_put(Arena *a, KeySet *ks, const u8 *key, u32 len, u32 val, bool *had)
{
    if ((ks->count + 1) * 2 > ks->cap && keyset_grow(a, ks)) return DD_ENOMEM;
    KeySetEntry *e = keyset_slot(ks, key, len);
    if (had) *had = e->key != NULL;
    if (e->key) return DD_OK;
    u8 *copy = arena_alloc(a, len ? len : 1);
    if (!copy) return DD_ENOMEM;
    memcpy(copy, key, len);
    e->key = copy;
    e->len = len;
    e->val = val;
    ks->count++;
    return DD_OK;
}

KeySetEntry *keyset_get(const KeySet *ks, const u8 *key, u32 len)
{
    if (!ks->count) return NULL;
    KeySetEntry *e = keyset_slot(ks, key, len);
    return e->key ? e : NULL;
}
