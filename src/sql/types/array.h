/*
 * array.h - PostgreSQL's arrays: any number of dimensions (up to 6), each
 * with a lower bound, elements of one scalar type, NULL elements allowed.
 *
 * A Value of an array type (value.h: TYPE_ARRAY_FLAG | element type) holds
 * its array serialized in v.s, like a text value: copied, stored in row
 * images (REC_BYTES) and sent between operators as bytes, and decoded into
 * an ArrayVal where elements are needed.  The serialized form, the same in
 * memory and on disk (so a row image holds it as it is):
 *
 *   u8      element TypeId (must match the column's, else corrupt)
 *   u32 LE  only for elements of an enum type (TYPE_ENUM): the enum type's
 *           catalog id (0 when the array has no element that is not NULL
 *           and its type was not known), so labels print from the bytes
 *           alone wherever they travel
 *   u8      ndim (0: the empty array, nothing follows)
 *   ndim x  svarint dim (>= 1), svarint lower bound
 *   n x     element (n = product of the dims, at most ARRAY_MAX_ITEMS):
 *           u8 0 (NULL) or 1, then the value by element type:
 *             BOOL                        u8 0 / 1
 *             INT2/4/8, DATE, TIMESTAMP(TZ) svarint
 *             ENUM                        svarint: the label's key (enumtype.c)
 *             FLOAT4/8                    8 bytes, IEEE bits little-endian
 *             NUMERIC                     u8 scale, 16 bytes coefficient LE
 *                                         (scale 0xFF NaN, 0xFE Infinity,
 *                                         0xFD -Infinity: value.h's -1..-3);
 *                                         scale 0xFC (+) or 0xFB (-): a big
 *                                         value, varint length and its
 *                                         payload (numbig.c) instead
 *             INTERVAL                    svarint months, days, µs
 *             strings, UUID, BYTEA        varint length, bytes
 *
 * Every decoder reads through a bounded Cursor: a malformed array is
 * XX001 (corrupt), never a crash.  Decoded string elements borrow the
 * serialized bytes (valid while they are).
 */
#ifndef DD_ARRAY_H
#define DD_ARRAY_H

#include "value.h"

#define ARRAY_MAXDIM 6
#define ARRAY_MAX_ITEMS (128 * 1024 * 1024)

typedef struct ArrayVal {
    TypeId elem;
    u32 etype;                  /* elem TYPE_ENUM: the enum type's id (items carry it too);
                                   0 when unknown (array_to_value takes an item's) */
    int ndim;                   /* 0: empty */
    i32 dims[ARRAY_MAXDIM];
    i32 lbound[ARRAY_MAXDIM];
    u32 n;                      /* product of dims (0 when ndim is 0) */
    Value *items;               /* n elements, row-major (last subscript fastest) */
} ArrayVal;

/* An empty ArrayVal of elem (ndim 0), on the stack of the caller. */
void array_init(ArrayVal *a, TypeId elem);
/* Sets a's shape to one dimension of n elements from lower bound 1 and
 * allocates its items (NULLs of elem) in arena.  DD_ENOMEM. */
int array_set_1d(ArrayVal *a, Arena *arena, u32 n);
/* Sets a's shape (dims / lbound of ndim dimensions) and allocates items.
 * 54000 for more than ARRAY_MAXDIM dimensions or too many elements. */
int array_set_shape(ArrayVal *a, Arena *arena, int ndim, const i32 *dims, const i32 *lbound, DdError *err);

/* Serializes a into arena as a Value of type array-of-a->elem. */
int array_to_value(const ArrayVal *a, Arena *arena, Value *out, DdError *err);
/* Decodes array value v (not NULL) into *a; items in arena; elements
 * borrow v's bytes.  XX001 when malformed. */
int array_from_value(const Value *v, Arena *arena, ArrayVal *a, DdError *err);
/* Checks serialized bytes of an array of elem (row decoding: a field that
 * does not parse is corrupt data). */
bool array_bytes_valid(TypeId elem, const u8 *p, size_t n);

/* Text input (array_in): '{1,2,NULL}', '{{1,2},{3,4}}', '[0:1]={a,b}',
 * elements quoted ("a b", \" \\) or not, NULL unquoted; each element read
 * by its type's input function with typmod.  22P02 "malformed array
 * literal" with PostgreSQL's details. */
int array_in(TypeId elem, i32 typmod, const char *s, size_t len, const ValueCtx *ctx, Value *out,
             DdError *err);
/* Text output (array_out) of serialized array v. */
void array_out(const Value *v, const ValueCtx *ctx, Buf *out);

/* array_compare, array_hash and array_etype: value.h.  The key of an array:
 * rowcodec.c's key_encode_value. */

/* Cast of array v to array type t, element by element (typmod applies to
 * each element); errors as val_cast. */
int array_cast(const Value *v, TypeId t, i32 typmod, bool explicit_cast, const ValueCtx *ctx, Value *out,
               DdError *err);

/* One value in the element form above (u8 0 / 1, then the payload), for
 * other serialized values (records, recordval.h); get reads one of type t
 * (false when malformed).  An enum's type id is not part of it. */
void array_put_item(Buf *b, const Value *v);
bool array_get_item(Cursor *c, TypeId t, Value *out);

#endif
