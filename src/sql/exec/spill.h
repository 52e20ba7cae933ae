/*
 * spill.h - rows an operator cannot keep within work_mem, written to a
 * temporary file and read back (docs/query-engine.md, "Spilling").
 *
 * A SpillFile is one unnamed temporary file (O_TMPFILE in the data
 * directory, else in $TMPDIR or /tmp, unlinked at once if the system
 * cannot make it unnamed): nothing is left behind by a crash.  Rows go
 * into runs (SpillRun): a run is a list of blocks, written in order and
 * read back in order by a SpillReader.  Many runs share one file, so an
 * operator needs one descriptor however many partitions or sorted runs
 * it keeps.  A run's blocks are freed in the file (a hole punched) once
 * read through, so a merge or a partition pass does not double the disk
 * it uses.
 *
 *   spill_create -> (spill_put* -> spill_end) per run -> spill_read_*
 *   -> spill_run_free -> spill_close
 *
 * Row format, per Value (little-endian, in a block):
 *   u8 type, u8 isnull, i16 scale, u32 etype;
 *   not NULL and bytes elsewhere (val_has_bytes): u32 len, then len bytes;
 *   not NULL otherwise: the 16 bytes of the Value's union.
 * A row of no values is one byte, 0.  A row never straddles blocks (a row larger than a block is a block of
 * its own).  Each block's CRC-32C is kept in memory and checked when the
 * block is read: a temporary file changed under the statement is XX001.
 *
 * The statement's temporary bytes (SqlCtx.temp_bytes) are bounded by
 * temp_file_limit (53400); a full disk is 53100, another I/O error 58030.
 */
#ifndef DD_SPILL_H
#define DD_SPILL_H

#include "../txn/ctx.h"

#define SPILL_BLOCK (32 * 1024)   /* bytes a block is filled to */

typedef struct SpillFile SpillFile;

typedef struct SpillBlock { u64 off; u32 len, crc; } SpillBlock;

typedef struct SpillRun {
    SpillBlock *blocks; size_t nblocks, cap;
    Buf tail;                 /* the block being filled */
    u64 rows;                 /* rows written */
} SpillRun;

typedef struct SpillReader {
    SpillFile *f;
    SpillRun *run;
    size_t blk;               /* next block to read */
    u8 *data; size_t cap;     /* the current block */
    u32 len, pos;
    bool free_read;           /* punch each block once read */
} SpillReader;

/* A new temporary file for ctx's statement (DD_OK, or 58030 / 53100). */
int spill_create(SqlCtx *ctx, SpillFile **out);
/* Appends row[0..n) to run r (its tail flushed as a block when full). */
int spill_put(SpillFile *f, SpillRun *r, const Value *row, int n);
/* Writes r's last block: r can then be read. */
int spill_end(SpillFile *f, SpillRun *r);
/* Reads r from its start; free_read: each block's disk space goes once read. */
void spill_read_begin(SpillReader *rd, SpillFile *f, SpillRun *r, bool free_read);
/* The next row of n Values into row: 1, 0 at the run's end, or -DD_E*.
 * Values with bytes point into the reader's block: valid until its next
 * spill_read_row or spill_read_end. */
int spill_read_row(SpillReader *rd, Value *row, int n);
void spill_read_end(SpillReader *rd);
/* Back to the run's first row (a run read once more: not free_read). */
void spill_read_rewind(SpillReader *rd);
/* Drops r's blocks (their space in the file too) and its tail. */
void spill_run_free(SpillFile *f, SpillRun *r);
/* The most bytes the file held at once (EXPLAIN ANALYZE's Disk). */
u64 spill_peak(const SpillFile *f);
/* Closes and frees f (NULL: nothing); its bytes leave SqlCtx.temp_bytes. */
void spill_close(SpillFile *f);

/* ------------------------------------------------ hash partitions
 *
 * Rows that cannot be handled in memory, split by a hash of their keys
 * into SPILL_PARTS runs (by hash bits [64 - 5 (level + 1), 64 - 5 level)),
 * each taken back later as a pass of its own, whose rows may split again
 * one level down (hash aggregation, DISTINCT):
 *
 *   spill_parts_put* -> spill_parts_end -> spill_parts_next -> (read the
 *   run, spill_parts_put* ...) -> spill_parts_free
 */
#define SPILL_PART_BITS 5
#define SPILL_PARTS (1 << SPILL_PART_BITS)
#define SPILL_MAX_LEVEL (64 / SPILL_PART_BITS)   /* a pass this deep keeps everything in memory */

typedef struct SpillPending { SpillRun run; int level; } SpillPending;

typedef struct SpillParts {
    SpillFile *f;           /* made on the first row */
    SpillRun *runs;         /* this pass's partitions (NULL: none written) */
    int level;              /* this pass's */
    SpillPending *pend; size_t npend, cap;   /* partitions still to take, a stack */
    u64 passes;             /* passes ended */
    u64 peak;               /* the most bytes a closed file held */
} SpillParts;

/* Row[0..n) into the partition of hash (the file made on first use). */
int spill_parts_put(SqlCtx *ctx, SpillParts *p, u64 hash, const Value *row, int n);
/* The pass ended: its partitions with rows wait their turn, one level down. */
int spill_parts_end(SpillParts *p);
/* The next partition to take (its run is the caller's: spill_run_free
 * it with p->f), and the level its pass runs at; false when none is left. */
bool spill_parts_next(SpillParts *p, SpillRun *run);
/* Everything freed; the file closed (the figures EXPLAIN ANALYZE shows kept). */
void spill_parts_free(SpillParts *p);
/* EXPLAIN ANALYZE: "Batches: N  Disk Usage: NkB" once p spilled. */
void spill_parts_analyze(const SpillParts *p, Buf *out);

/* ------------------------------------------------ pairs of partitions
 *
 * Two inputs split alike (a hash join's build and probe rows, INTERSECT's
 * and EXCEPT's right and left rows): partition i of side a beside
 * partition i of side b, a pair taken back as a whole; a pair too large
 * for memory splits again on the next hash bits.
 *
 *   spill_pairs_begin -> spill_pairs_put* -> spill_pairs_end ->
 *   spill_pairs_next (its runs in p->cur) ... -> spill_pairs_free
 */
typedef struct SpillPair { SpillRun a, b; int level; } SpillPair;

typedef struct SpillPairs {
    SpillFile *f;           /* made by the first begin */
    SpillPair *parts;       /* the partitions being written (NULL: none) */
    int level;              /* theirs */
    SpillPair *pend; size_t npend, cap;   /* pairs still to take, a stack */
    SpillPair cur;          /* the pair taken last (its runs p's until the next take) */
    u64 taken;              /* pairs taken (EXPLAIN ANALYZE) */
    u64 peak;               /* the most bytes a closed file held */
} SpillPairs;

/* Starts SPILL_PARTS pairs at level (0, or a pair's level to split it). */
int spill_pairs_begin(SqlCtx *ctx, SpillPairs *p, int level);
/* Row[0..n) into side b (else a) of the pair of hash. */
int spill_pairs_put(SpillPairs *p, bool b, u64 hash, const Value *row, int n);
/* The pairs written: those with rows on both sides wait their turn one
 * level down, and those with rows on one side only when keep_a / keep_b. */
int spill_pairs_end(SpillPairs *p, bool keep_a, bool keep_b);
/* The next pair into p->cur (the last one's runs freed); false: none left. */
bool spill_pairs_next(SpillPairs *p);
/* Everything freed; the file closed (taken and peak kept). */
void spill_pairs_free(SpillPairs *p);

#endif
