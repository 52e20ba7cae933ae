/*
 * base.h - the one base header of DriftDB: fixed-width integer types,
 * booleans, sizes and the few macros every file uses.
 *
 * Every .c file in src/ includes this first (directly or through its own
 * module header).  Nothing here allocates or has state.
 */
#ifndef DD_BASE_H
#define DD_BASE_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <assert.h>

typedef int8_t i8;
typedef int16_t i16;
typedef int32_t i32;
typedef int64_t i64;
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef __int128 i128;
typedef unsigned __int128 u128;

#define DD_UNUSED(x) ((void)(x))
#define DD_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define DD_MIN(a, b) ((a) < (b) ? (a) : (b))
#define DD_MAX(a, b) ((a) > (b) ? (a) : (b))
#define DD_LIKELY(x) __builtin_expect(!!(x), 1)
#define DD_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define DD_STATIC_ASSERT(c, m) _Static_assert(c, m)
#define DD_PRINTF(f, a) __attribute__((format(printf, f, a)))
/* A result that must be looked at (an error that must not be dropped). */
#define DD_WARN_UNUSED __attribute__((warn_unused_result))
#define DD_ALWAYS_INLINE inline __attribute__((always_inline))

/* FNV-1a over n bytes, continuing from h (start with DD_FNV_INIT): for
 * in-memory hash tables, never stored. */
#define DD_FNV_INIT 1469598103934665603ULL
static inline u64 dd_fnv1a(u64 h, const void *p, size_t n)
{
    const u8 *b = (const u8 *)p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

#endif
