/*
 * recordval.h - record values: ROW(a, b), (a, b) and whole-row references
 * (`SELECT t FROM t`) in a select list, as PostgreSQL's anonymous records.
 *
 * A Value of TYPE_RECORD holds its fields serialized in v.s, self-
 * describing like an array (array.h), so it is copied, sorted, hashed and
 * sent between operators as bytes:
 *
 *   varint  n (number of fields)
 *   n x     str name (varint length, bytes), u8 TypeId, [varint the enum
 *           type's id when the TypeId is ENUM], then the value as an
 *           array element (array.h: u8 0 for NULL or 1, the payload)
 *
 * Records are values of queries only: no column, key or index holds one
 * (PostgreSQL's 42P16 "column cannot be of type record").
 */
#ifndef DD_RECORDVAL_H
#define DD_RECORDVAL_H

#include "value.h"
#include "../../util/arena.h"

/* The record of n fields named names[i] (NULL: "f1", "f2", ...) with values
 * vals[i], serialized into a. */
int record_make(int n, const char *const *names, const Value *vals, Arena *a, Value *out);

/* A record's fields, one at a time: record_iter_init, then record_iter_next
 * until it returns false (*bad set when the bytes are malformed).  Names
 * and string payloads borrow the record's bytes. */
typedef struct RecordIter {
    Cursor c;
    u64 left;
    bool bad;
} RecordIter;
void record_iter_init(RecordIter *it, const Value *v);
bool record_iter_next(RecordIter *it, const char **name, u32 *namelen, Value *out);
/* The number of fields (0 for a malformed record). */
int record_nfields(const Value *v);

/* record_out, record_compare and record_hash: value.h. */

#endif
