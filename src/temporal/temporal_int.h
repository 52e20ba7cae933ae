/*
 * temporal_int.h - helpers shared by version.c and scan.c (private to
 * temporal/).
 */
#ifndef DD_TEMPORAL_INT_H
#define DD_TEMPORAL_INT_H

#include "temporal.h"
#include "../store/format.h"

/* One entry of the versions database, decoded (pointers borrow the map). */
typedef struct TEntry {
    const u8 *pk; u32 pklen;
    u64 seq;
    bool tomb;
    u8 op, end_op;
    const u8 *rec; u32 reclen;
} TEntry;

void tv_key(Buf *b, u32 table, const u8 *pk, u32 pklen);
bool tv_same_key(const u8 *k, size_t kn, const u8 *prefix, size_t pn);
int tv_parse(const u8 *k, size_t kn, const u8 *v, size_t vn, TEntry *e); /* 0 or -1 */
u8 tv_end_op_of(const TEntry *newer);
void tv_fill(Version *v, const TEntry *e, u64 end, u8 end_op);

#endif
