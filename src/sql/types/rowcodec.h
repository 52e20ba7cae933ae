/*
 * rowcodec.h - SQL values <-> storage bytes: row images (store/record.h)
 * and order-preserving keys (store/keyenc.h), by column type.
 *
 * A table row in memory is an array of Values indexed like
 * TableInfo.cols (dropped columns included, always NULL), so column ids
 * never need translating on the hot path.
 */
#ifndef DD_ROWCODEC_H
#define DD_ROWCODEC_H

#include "../../store/store.h"
#include "value.h"
#include "../../util/arena.h"

/* Encodes vals[0..t->ncols) as a row image into out (reset first). */
int row_encode(const TableInfo *t, const Value *vals, Buf *out, DdError *err);
/*
 * Decodes an image into vals[0..t->ncols): columns absent from the image
 * are NULL.  Text payloads borrow the image (valid while it is).  Fields of
 * columns unknown to t (added later) are ignored.
 */
int row_decode(const TableInfo *t, const u8 *rec, u32 n, Value *vals, DdError *err);
/* Field f of an image as a value of column c (borrowing the image); XX001
 * when its tag does not fit the column's type. */
struct RecField;
int row_field_value(const ColumnInfo *c, const struct RecField *f, Value *out, DdError *err);
/* The same, decoding only the columns with used[i] set (used NULL: all);
 * the others read as NULL.  The record is still checked field by field. */
int row_decode_used(const TableInfo *t, const u8 *rec, u32 n, Value *vals, const bool *used, DdError *err);
/* Appends the key encoding of v (already of the column's type). */
void key_encode_value(const Value *v, Buf *out);
/* Primary key of a row (vals as in row_encode) into out (reset first);
 * 23502 for a NULL key column, 54000 for a too-long key. */
int row_pk(const TableInfo *t, const Value *vals, Buf *out, DdError *err);
/* Index key (values of the index columns) into out (reset first),
 * truncated to ROW_INDEX_PREFIX bytes so that index id + value + pk fit an
 * LMDB key.  Plain columns only: an expression column (ix->exprs) reads
 * NULL here; plan/indexddl.c's sql_index_key evaluates expressions. */
#define ROW_INDEX_PREFIX 240
void row_index_key(const TableInfo *t, const IndexInfo *ix, const Value *vals, Buf *out);
/*
 * PostgreSQL's text form of an encoded key, values separated by ", ", as
 * 23505 details show it ("Key (d)=(2024-01-02) already exists.").  types[i]
 * is the type of the i-th value and typmods[i] its typmod (-1: none;
 * NUMERIC values are shown at the column's scale); values beyond ntypes,
 * or of TYPE_NULLTYPE, are shown by their key encoding alone.  DD_ECORRUPT
 * for a malformed key.
 */
int key_render_typed(const u8 *key, size_t n, const TypeId *types, const i32 *typmods, int ntypes, Buf *out);
/* The same for a primary key of t (store_set_key_renderer's signature), and
 * for a key of index ix of t (expression columns by their key encoding). */
int row_render_pk(const TableInfo *t, const u8 *pk, u32 pklen, Buf *out);
int row_render_index_key(const TableInfo *t, const IndexInfo *ix, const u8 *key, size_t n, Buf *out);
/* The same with enum labels named through vc (the others show an enum's key). */
int row_render_pk_vc(const TableInfo *t, const u8 *pk, u32 pklen, const ValueCtx *vc, Buf *out);
int row_render_index_key_vc(const TableInfo *t, const IndexInfo *ix, const u8 *key, size_t n, const ValueCtx *vc,
                            Buf *out);
/* Either, as store_set_key_renderer wants it (ix NULL: the primary key). */
int row_render_key(const TableInfo *t, const IndexInfo *ix, const u8 *key, u32 len, Buf *out);
/* Whether key_decode_value gives values of type t exactly as the row
 * holds them (integers, booleans, dates, timestamps, text, varchar). */
bool key_type_exact(TypeId t);
/* Decodes the next key value (of a type key_type_exact accepts) into out,
 * text payloads copied into a; false when the key is cut short or
 * malformed (c->bad set), or the type is not exact. */
bool key_decode_value(Cursor *c, TypeId t, Arena *a, Value *out);
/* Column position of a column id in t, or -1. */
int table_col_index(const TableInfo *t, u32 colid);

#endif
