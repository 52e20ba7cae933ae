/*
 * batch.h - rows in batches of typed column vectors, and the expression
 * programs that run over them (docs/query-engine.md, "Batch execution").
 *
 * A Vec holds one value per lane of a batch (VEC_N lanes at most): the
 * integer families (smallint, integer, bigint), date, timestamp and
 * timestamptz as i64, boolean as 0 / 1, numeric as its Value's pair
 * (coefficient, scale).  A constant Vec holds lane 0 only.  null[] is
 * read only when anynull is set.
 *
 * vec_compile turns an expression program (analyze/expr.h) into a batch
 * program when every instruction has a kernel here: slots, constants and
 * parameters of those types, comparisons, + - * / %, unary minus, casts
 * between integer types, AND / OR / NOT, IS [NOT] NULL / TRUE / FALSE /
 * UNKNOWN, IN lists, BETWEEN.  A kernel never raises an error: where
 * some lane would (an overflow, a division by zero), vec_eval returns
 * VEC_EXACT and the caller runs the batch's rows through the
 * row-at-a-time path, which raises it exactly as it always did (or does
 * not, where an AND or a CASE would have skipped the lane).
 */
#ifndef DD_BATCH_H
#define DD_BATCH_H

#include "../analyze/expr.h"
#include "../catalog/catalog.h"

#define VEC_N 1024
#define VEC_EXACT 1000   /* not an error: run these rows the row-at-a-time way */

typedef struct Vec {
    u8 type;         /* TypeId */
    bool isconst;    /* one value for every lane: lane 0 */
    bool anynull;    /* some lane may be NULL (null[] is valid) */
    u8 *null;        /* 1: the lane is NULL */
    i64 *i;          /* the lanes' values (all types but NUMERIC) */
    i128 *n;         /* NUMERIC: the lanes' coefficients */
    i16 *sc;         /* NUMERIC: their scales (value.h: NaN and the infinities,
                        and NUMERIC_BIG for a value past 38 digits) */
    Value *big;      /* NUMERIC columns: a lane past 38 digits as a whole */
    Value *vals;     /* a column of another type: its lanes as Values (a
                        plain key or count(x): see vec_compile) */
} Vec;

/* Whether a column or value of type t can be a Vec. */
bool vec_type_ok(TypeId t);

typedef struct VecInstr VecInstr;
typedef struct VecProg {
    VecInstr *code; int n;
    Vec *regs; int nregs;      /* a result per stack depth */
    Vec *kregs;                /* per depth: a constant result moved aside (see unalias) */
    i64 *kval; i128 *kn; i16 *ksc; u8 *knull;
    Vec **stack;
    int *slots; int nslots;    /* the input slots read, and their types */
    u8 *slot_types;
    TypeId type;               /* the result's */
} VecProg;

/* Whether a column of type t is carried as Values (no kernel reads it:
 * a program that is that column alone passes it on). */
bool vec_type_opaque(TypeId t);

/* A batch program for p, allocated with dd_malloc; NULL when some
 * instruction has no kernel, or out of memory.  Operators over constants
 * (and the statement's parameters) are evaluated here through env, once:
 * `date '1994-01-01' + interval '1 year'` becomes a timestamp constant. */
VecProg *vec_compile(const ExprProg *p, EvalEnv *env);
void vec_prog_free(VecProg *vp);
/* Runs vp over lanes [0, n) of the input columns cols[slot]; *out is a
 * Vec of the program's, of the input's, or a constant.  DD_OK or
 * VEC_EXACT. */
int vec_eval(VecProg *vp, Vec *const *cols, int n, Vec **out);

/* Allocates v's lanes (dd_malloc); false when out of memory. */
bool vec_alloc(Vec *v, TypeId t);
void vec_free(Vec *v);
/* Lane j of v as a Value, written in place: a Value built on the stack
 * with narrow stores and then copied whole stalls on every row (the wide
 * load cannot take its bytes from the narrow stores still in flight). */
static DD_ALWAYS_INLINE void vec_value_into(const Vec *v, int j, Value *out)
{
    if (v->isconst) j = 0;
    if (v->vals && !(v->anynull && v->null[j])) {
        *out = v->vals[j];
        return;
    }
    if (v->type == TYPE_NUMERIC && !(v->anynull && v->null[j]) && numeric_is_big(v->sc[j])) {
        *out = v->big[j];
        return;
    }
    memset(out, 0, sizeof *out);
    out->type = v->type;
    if (v->anynull && v->null[j]) {
        out->isnull = true;
    } else if (v->type == TYPE_NUMERIC) {   /* val_numeric's value, inline */
        out->v.coef = v->n[j];
        out->scale = v->sc[j];
    } else if (v->type == TYPE_BOOL) {
        out->v.b = v->i[j] != 0;
    } else {
        out->v.i = v->i[j];
    }
}
/* Stores x in lane j of v; false when x's type is not v's (nor NULL). */
bool vec_put(Vec *v, int j, const Value *x);
/* Keeps the lanes sel[0..m) of v, in that order, as lanes 0..m-1. */
void vec_compact(Vec *v, const u16 *sel, int m);

/* Reads columns straight from row images: the wanted columns of t (by
 * index), their values where an image has no field (a column added with a
 * DEFAULT). */
typedef struct VecDecoder {
    int n;
    u32 *colid;   /* increasing */
    int *ci;      /* column index = the scan's slot */
    u8 *isbool;   /* 0 an integer-like column, 1 boolean, 2 numeric, 3 another type (Values) */
    bool allint;  /* every wanted column integer-like (isbool 0) */
    const TableInfo *t;
    Value *dflt;
} VecDecoder;

int vec_decoder_init(VecDecoder *d, const TableInfo *t, const bool *want, DdError *err);
void vec_decoder_free(VecDecoder *d);
/* Fills lane j of cols[ci] for each wanted column from image rec[0..n):
 * DD_OK, or VEC_EXACT when the image is not the plain shape the decoder
 * reads (the caller decodes it the row way, which reports damage). */
int vec_decode(const VecDecoder *d, const u8 *rec, u32 n, Vec *const *cols, int j);
/* vec_decode of images rec[i] (len[i] bytes) into lanes 0..n-1, skipping
 * those with skip[i] set; skip[i] is set for each image that is not the
 * plain shape (its lanes as vec_decode leaves them).  Images whose fields
 * the wanted columns read are all integers, each present, take a
 * shorter walk. */
void vec_decode_many(const VecDecoder *d, const u8 *const *rec, const u32 *len, int n, Vec *const *cols, u8 *skip);

#endif
