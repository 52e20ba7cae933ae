/*
 * temporal.h - versions of rows over time (L2), on top of store/.
 *
 * A version of a row (table, pk) began at seq `start` (INSERT or UPDATE)
 * and ended at seq `end` (UPDATE or DELETE), or is current (end 0).  It is
 * valid over [start, end).  The versions database keeps
 * (table, pk, ~seq) -> image, so the version visible at seq x is one seek.
 *
 * Scans return versions in primary-key order (for ranges: per key, newest
 * version first).  Borrowed pointers (pk, rec) point into the snapshot's
 * map, whose pages do not move while its read transaction lives: they
 * stay valid after the next tscan_next and tscan_close, until snap_unpin
 * (batch_fill keeps a batch's images while it reads on).
 */
#ifndef DD_TEMPORAL_H
#define DD_TEMPORAL_H

#include "../store/store.h"

typedef enum TMode {
    TMODE_PRESENT,       /* live rows at the snapshot head (reads `current`) */
    TMODE_AS_OF,         /* start <= a AND (end > a OR current) */
    TMODE_FROM_TO,       /* start < b AND end > a; nothing if a >= b */
    TMODE_BETWEEN,       /* start <= b AND end > a; nothing if a > b */
    TMODE_CONTAINED_IN,  /* start >= a AND end <= b (current versions never) */
    TMODE_ALL,           /* every version */
} TMode;

typedef struct Version {
    const u8 *pk; u32 pklen;
    const u8 *rec; u32 reclen;
    u64 start;          /* seq */
    u64 end;            /* seq, 0 while current (as of the snapshot) */
    u8 start_op;        /* OP_INSERT / OP_UPDATE */
    u8 end_op;          /* OP_UPDATE / OP_DELETE, 0 while current */
} Version;

typedef struct TScan TScan;

/*
 * Opens a scan of table over [lo, hi) of encoded primary keys (NULL for
 * unbounded), in mode with points a, b (seqs, already resolved; clamped to
 * the snapshot head where that matters).  For TMODE_PRESENT the history
 * fields (start, start_op) are still filled.
 */
int tscan_open(Snap *s, u32 table, TMode mode, u64 a, u64 b,
               const u8 *lo, u32 lolen, const u8 *hi, u32 hilen,
               TScan **out, DdError *err);
/* The live rows of table with keys in [lo, hi) (NULL: unbounded), in
 * descending key order (ORDER BY the key DESC). */
int tscan_open_desc(Snap *s, u32 table, const u8 *lo, u32 lolen, const u8 *hi, u32 hilen, TScan **out,
                    DdError *err);
/* 1: *v filled; 0: end; <0: -error code with err filled. */
int tscan_next(TScan *sc, Version *v, DdError *err);
/* A row image of a scan, as in Version (borrowed the same way). */
typedef struct TImage {
    const u8 *rec;
    u32 reclen;
    u64 start;
} TImage;
/* Up to max of the next versions' images into out (read in runs of the
 * cursor, except in a descending scan or one from a checkpoint): how many,
 * fewer than max at the end, before an error, which sets *rc (0
 * otherwise) and err, or after a scan of the past stepped over a few
 * thousand entries (tscan_done tells).  tscan_next may be called between
 * calls. */
int tscan_next_images(TScan *sc, TImage *out, int max, int *rc, DdError *err);
/* Whether the scan has ended. */
bool tscan_done(const TScan *sc);
/* The seq of the checkpoint an AS OF scan starts from (CHECKPOINT TABLE),
 * or 0. */
u64 tscan_checkpoint(const TScan *sc);
void tscan_close(TScan *sc);

/* Point lookups: the version of (table, pk) visible at seq (PRESENT: the
 * current row).  1 found, 0 none. */
int tget_present(Snap *s, u32 table, const u8 *pk, u32 pklen, Version *v);
int tget_as_of(Snap *s, u32 table, const u8 *pk, u32 pklen, u64 seq, Version *v);
/* Newest version of (table, pk) whatever its state (tombstones too): for
 * conflict checks and PK-change detection.  1 found, 0 none. */
int tget_latest(Snap *s, u32 table, const u8 *pk, u32 pklen, Version *v, bool *is_tombstone);

/* Index scan of the present: entries of index `index` whose encoded value
 * starts with prefix; returns the primary keys in (value, pk) order. */
typedef struct IScan IScan;
int iscan_open(Snap *s, u32 index, const u8 *prefix, u32 n, IScan **out, DdError *err);
/* Entries of `index` whose encoded values lie in [lo, hi) (NULL: open
 * bound).  For the history entries pass index | FMT_INDEX_EVER: the pks
 * whose rows ever had such values, possibly more than once. */
int iscan_open_range(Snap *s, u32 index, const u8 *lo, u32 lolen, const u8 *hi, u32 hilen,
                     IScan **out, DdError *err);
/* The same entries in descending (value, pk) order (present entries). */
int iscan_open_range_desc(Snap *s, u32 index, const u8 *lo, u32 lolen, const u8 *hi, u32 hilen,
                          IScan **out, DdError *err);
int iscan_next(IScan *sc, const u8 **pk, u32 *pklen); /* 1 / 0 */
/* The whole key of the entry iscan_next returned last: u32 BE index id ||
 * values || pk (valid until the next call). */
void iscan_key(IScan *sc, const u8 **key, u32 *n);
void iscan_close(IScan *sc);

#endif
