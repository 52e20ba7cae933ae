/*
 * batch.c - typed kernels over column vectors, the batch programs that
 * call them, and the decoder that fills vectors straight from row images
 * (see batch.h).
 *
 * Every kernel computes all lanes, NULL ones too (their values are
 * whatever the lane held: kernels never trap on them, and a lane that
 * would raise an error is looked at only when it is not NULL).
 */
#include "batch.h"
#include "../types/rowcodec.h"
#include "../../store/record.h"
#include "../../util/alloc.h"
#include <string.h>
#include <endian.h>

#define USECS_PER_DAY (86400LL * 1000000)

/* Batch-only operators (past analyze/expr.h's XOP_*): on NUMERIC lanes,
 * or an integer side made NUMERIC. */
enum { VOP_NCMP = 200, VOP_NARITH, VOP_NCAST, VOP_NBETWEEN };

struct VecInstr {
    u8 op, sub, flags, type;
    i32 a;
    i64 mul[2];     /* XOP_CMP: factors of the two sides (a date against a timestamp) */
    Vec k;          /* XOP_CONST / XOP_PARAM: the value, as a constant Vec */
    i64 kval;
    i128 kn;
    i16 ksc;
    u8 knull;
};

static bool int_family(TypeId t) { return t == TYPE_INT2 || t == TYPE_INT4 || t == TYPE_INT8; }

/* Types whose lanes are i64 (i[]). */
static bool ilane(TypeId t)
{
    return int_family(t) || t == TYPE_BOOL || t == TYPE_DATE || t == TYPE_TIMESTAMP || t == TYPE_TIMESTAMPTZ;
}

bool vec_type_ok(TypeId t) { return ilane(t) || t == TYPE_NUMERIC; }

bool vec_type_opaque(TypeId t) { return !vec_type_ok(t) && t != TYPE_NULLTYPE && t != TYPE_UNKNOWN; }

/* Whether values of a and b compare as their i64 lanes do. */
static bool comparable(TypeId a, TypeId b)
{
    return (int_family(a) && int_family(b)) || (a == b && ilane(a));
}

/* Whether a op b runs on NUMERIC lanes (one side numeric, the other
 * numeric or an integer). */
static bool numeric_pair(TypeId a, TypeId b)
{
    return (a == TYPE_NUMERIC || b == TYPE_NUMERIC) && (a == TYPE_NUMERIC || int_family(a)) &&
           (b == TYPE_NUMERIC || int_family(b));
}

#define NUM_E16 ((i128)10000000000000000LL)

static const u64 p10_64[20] = {1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
                               100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
                               10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
                               100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL};

/* 10^k, 0 <= k <= 38 */
static inline i128 pow10_k(int k) { return k < 20 ? (i128)p10_64[k] : (i128)p10_64[19] * (i128)p10_64[k - 19]; }
#define NUM_LIMIT ((i128)10000000000000000000ULL * (i128)10000000000000000000ULL)   /* 10^38 */

static void type_range(TypeId t, i64 *lo, i64 *hi)
{
    *lo = t == TYPE_INT2 ? INT16_MIN : t == TYPE_INT4 ? INT32_MIN : INT64_MIN;
    *hi = t == TYPE_INT2 ? INT16_MAX : t == TYPE_INT4 ? INT32_MAX : INT64_MAX;
}

bool vec_alloc(Vec *v, TypeId t)
{
    memset(v, 0, sizeof *v);
    v->type = (u8)t;
    v->i = dd_malloc(sizeof(i64) * VEC_N);
    v->null = dd_malloc(VEC_N);
    v->n = dd_malloc(sizeof(i128) * VEC_N);
    v->sc = dd_malloc(sizeof(i16) * VEC_N);
    if (t == TYPE_NUMERIC) v->big = dd_malloc(sizeof(Value) * VEC_N);
    if (vec_type_opaque(t)) v->vals = dd_malloc(sizeof(Value) * VEC_N);
    return v->i && v->null && v->n && v->sc && (t != TYPE_NUMERIC || v->big) && (!vec_type_opaque(t) || v->vals);
}

void vec_free(Vec *v)
{
    dd_free(v->i);
    dd_free(v->null);
    dd_free(v->n);
    dd_free(v->sc);
    dd_free(v->big);
    dd_free(v->vals);
    v->vals = NULL;
    v->i = NULL;
    v->null = NULL;
    v->n = NULL;
    v->sc = NULL;
    v->big = NULL;
}

bool vec_put(Vec *v, int j, const Value *x)
{
    if (x->isnull) {
        if (!v->anynull) {
            memset(v->null, 0, (size_t)j);
            v->anynull = true;
        }
        v->null[j] = 1;
        v->i[j] = 0;
        v->n[j] = 0;
        v->sc[j] = 0;
        return true;
    }
    if (x->type != v->type) return false;
    if (v->anynull) v->null[j] = 0;
    if (v->vals) {
        v->vals[j] = *x;   /* borrows the image (or the row arena) for the batch */
        return true;
    }
    if (x->type == TYPE_NUMERIC) {
        v->sc[j] = x->scale;
        v->n[j] = numeric_is_big(x->scale) ? 0 : x->v.coef;
        if (numeric_is_big(x->scale)) {
            if (!v->big) return false;
            v->big[j] = *x;   /* borrows the image (or the row arena) for the batch */
        }
        return true;
    }
    v->i[j] = x->type == TYPE_BOOL ? x->v.b : x->v.i;
    return true;
}

void vec_compact(Vec *v, const u16 *sel, int m)
{
    if (v->isconst) return;
    if (v->vals) {
        for (int k = 0; k < m; k++) v->vals[k] = v->vals[sel[k]];
    } else if (v->type == TYPE_NUMERIC) {
        for (int k = 0; k < m; k++) {
            v->n[k] = v->n[sel[k]];
            v->sc[k] = v->sc[sel[k]];
            if (numeric_is_big(v->sc[k])) v->big[k] = v->big[sel[k]];
        }
    } else {
        for (int k = 0; k < m; k++) v->i[k] = v->i[sel[k]];
    }
    if (v->anynull)
        for (int k = 0; k < m; k++) v->null[k] = v->null[sel[k]];
}

/* ------------------------------------------------------------ compile */

void vec_prog_free(VecProg *vp)
{
    if (!vp) return;
    for (int d = 0; vp->regs && d < vp->nregs; d++) vec_free(&vp->regs[d]);
    dd_free(vp->regs);
    dd_free(vp->kregs);
    dd_free(vp->kval);
    dd_free(vp->kn);
    dd_free(vp->ksc);
    dd_free(vp->knull);
    dd_free(vp->stack);
    dd_free(vp->code);
    dd_free(vp->slots);
    dd_free(vp->slot_types);
    dd_free(vp);
}

/* A constant: of a type the kernels take, or kept only as its type (a
 * later fold may read it; a kernel never: vec_compile checks). */
static void set_const(VecInstr *in, const Value *c)
{
    /* a big NUMERIC constant: left to the row path */
    bool known = vec_type_ok((TypeId)c->type) && !(c->type == TYPE_NUMERIC && !c->isnull && numeric_is_big(c->scale));
    /* a NULL of another type reads as a NULL integer: every kernel that
     * takes it gives NULL whatever the other operand's type is */
    in->type = (u8)(c->isnull && !known ? TYPE_INT8 : !known ? TYPE_NULLTYPE : c->type);
    in->knull = c->isnull;
    in->kval = c->isnull || !known || c->type == TYPE_NUMERIC ? 0 : c->type == TYPE_BOOL ? c->v.b : c->v.i;
    in->kn = !c->isnull && known && c->type == TYPE_NUMERIC ? c->v.coef : 0;
    in->ksc = !c->isnull && known && c->type == TYPE_NUMERIC ? c->scale : 0;
    in->k.type = in->type;
    in->k.isconst = true;
    in->k.anynull = c->isnull;
    in->k.null = &in->knull;
    in->k.i = &in->kval;
    in->k.n = &in->kn;
    in->k.sc = &in->ksc;
}

static bool add_slot(VecProg *vp, int slot, TypeId t)
{
    for (int k = 0; k < vp->nslots; k++)
        if (vp->slots[k] == slot) return vp->slot_types[k] == t;
    vp->slots[vp->nslots] = slot;
    vp->slot_types[vp->nslots++] = (u8)t;
    return true;
}

/* The inputs instruction x takes from the stack, for the operators
 * vec_compile folds over constants; -1 for the others. */
static int fold_inputs(const ExprInstr *x)
{
    switch ((ExprOp)x->op) {
    case XOP_NOT: case XOP_NEG: case XOP_CAST: case XOP_IS: return 1;
    case XOP_AND: case XOP_OR: case XOP_CMP: case XOP_ARITH: case XOP_CONCAT: case XOP_DISTINCT: return 2;
    case XOP_IN: return x->a + 1;
    case XOP_BETWEEN: return 3;
    default: return -1;
    }
}

VecProg *vec_compile(const ExprProg *p, EvalEnv *env)
{
    const Value *params = env->sql->params;
    int nparams = env->sql->nparams;
    VecProg *vp = dd_calloc(1, sizeof *vp);
    if (!vp) return NULL;
    int cap = p->n + 1;
    vp->code = dd_calloc((size_t)cap, sizeof(VecInstr));
    vp->slots = dd_malloc(sizeof(int) * (size_t)cap);
    vp->slot_types = dd_malloc((size_t)cap);
    u8 *ts = dd_malloc((size_t)cap);        /* the type at each stack depth */
    bool *kst = dd_malloc((size_t)cap);      /* whether it is a constant */
    int *kfrom = dd_malloc(sizeof(int) * (size_t)cap);   /* where its instructions start */
    int sp = 0, maxsp = 0;
    bool ok = vp->code && vp->slots && vp->slot_types && ts && kst && kfrom;
    for (int pc = 0; ok && pc < p->n; pc++) {
        const ExprInstr *x = &p->code[pc];
        int k = fold_inputs(x);
        if (k > 0 && sp >= k) {
            bool all = true;
            for (int d = sp - k; d < sp; d++) all = all && kst[d];
            if (all) {
                /* an operator over constants: evaluated once, here, as
                 * the row path would (a failure leaves it to the row path) */
                int from = kfrom[sp - k];
                ExprProg sub = *p;
                sub.code = (ExprInstr *)&p->code[from];
                sub.n = pc - from + 1;
                Value v;
                if (expr_eval(&sub, env, NULL, &v) != DD_OK) {
                    dd_err_clear(env->sql->err);
                    ok = false;
                    break;
                }
                vp->n -= k;   /* the constants' own instructions are the last k */
                sp -= k;
                VecInstr *in = &vp->code[vp->n++];
                memset(in, 0, sizeof *in);
                in->op = XOP_CONST;
                set_const(in, &v);
                ts[sp] = in->type;
                kst[sp] = true;
                kfrom[sp++] = from;
                continue;
            }
        }
        VecInstr *in = &vp->code[vp->n];
        in->op = x->op;
        in->sub = x->sub;
        in->flags = x->flags;
        in->a = x->a;
        in->mul[0] = in->mul[1] = 1;
        bool konst = false;
        switch ((ExprOp)x->op) {
        case XOP_CONST:
            set_const(in, &p->consts[x->a]);
            ts[sp] = in->type;
            konst = true;
            break;
        case XOP_PARAM:
            ok = params && x->a >= 1 && x->a <= nparams;
            if (ok) {
                set_const(in, &params[x->a - 1]);
                in->op = XOP_CONST;
                ts[sp] = in->type;
                konst = true;
            }
            break;
        case XOP_SLOT:
            /* a column of another type only as the whole program: passed on */
            in->type = x->type;
            ok = (vec_type_ok((TypeId)x->type) || (p->n == 1 && vec_type_opaque((TypeId)x->type))) &&
                 add_slot(vp, x->a, (TypeId)x->type);
            ts[sp] = in->type;
            break;
        case XOP_NOT:
            ok = sp >= 1 && ts[sp - 1] == TYPE_BOOL;
            break;
        case XOP_NEG:
            ok = sp >= 1 && int_family((TypeId)ts[sp - 1]);
            in->type = ok ? ts[sp - 1] : 0;
            break;
        case XOP_AND_JF: case XOP_OR_JT:
            /* both sides run; a lane the jump would have skipped can only
             * raise an error, and errors go the exact way */
            continue;
        case XOP_AND: case XOP_OR:
            ok = sp >= 2 && ts[sp - 1] == TYPE_BOOL && ts[sp - 2] == TYPE_BOOL;
            break;
        case XOP_CMP: {
            TypeId l = sp >= 2 ? (TypeId)ts[sp - 2] : TYPE_NULLTYPE, r = sp >= 1 ? (TypeId)ts[sp - 1] : TYPE_NULLTYPE;
            /* a date against a timestamp: the date as its midnight */
            if (l == TYPE_DATE && r == TYPE_TIMESTAMP) in->mul[0] = USECS_PER_DAY;
            else if (l == TYPE_TIMESTAMP && r == TYPE_DATE) in->mul[1] = USECS_PER_DAY;
            else if (numeric_pair(l, r)) in->op = VOP_NCMP;
            else ok = comparable(l, r);
            ok = ok && x->sub >= BOP_EQ && x->sub <= BOP_GE;
            break;
        }
        case XOP_ARITH: {
            TypeId rt, l = sp >= 2 ? (TypeId)ts[sp - 2] : TYPE_NULLTYPE, r = sp >= 1 ? (TypeId)ts[sp - 1] : TYPE_NULLTYPE;
            if (numeric_pair(l, r)) {
                /* + - * (a quotient's scale is PostgreSQL's own choice: the row path) */
                ok = (x->sub == ARITH_ADD || x->sub == ARITH_SUB || x->sub == ARITH_MUL) &&
                     val_arith_type((ArithOp)x->sub, l, r, &rt) && rt == TYPE_NUMERIC;
                in->op = VOP_NARITH;
            } else {
                ok = int_family(l) && int_family(r) && x->sub <= ARITH_MOD && val_arith_type((ArithOp)x->sub, l, r, &rt) &&
                     int_family(rt);
            }
            if (ok) in->type = (u8)rt;
            break;
        }
        case XOP_CAST: {
            /* between integer types, an integer to numeric, or to its own
             * type; a typmod (numeric(15,2), timestamp(0)) rounds: the row path */
            TypeId from = sp >= 1 ? (TypeId)ts[sp - 1] : TYPE_NULLTYPE, to = (TypeId)x->type;
            ok = x->typmod == -1 && ((int_family(from) && int_family(to)) || from == to ||
                                     (int_family(from) && to == TYPE_NUMERIC));
            if (ok && from != to && to == TYPE_NUMERIC) in->op = VOP_NCAST;
            if (ok) in->type = x->type;
            break;
        }
        case XOP_IS:
            ok = sp >= 1 && (x->sub == IS_NULL || (x->sub <= IS_UNKNOWN && ts[sp - 1] == TYPE_BOOL));
            break;
        case XOP_IN:
            ok = sp >= x->a + 1;
            for (int q = 0; ok && q < x->a; q++) ok = comparable((TypeId)ts[sp - x->a - 1], (TypeId)ts[sp - x->a + q]);
            break;
        case XOP_BETWEEN:
            ok = sp >= 3 && !(x->flags & 2);
            if (ok && numeric_pair((TypeId)ts[sp - 3], (TypeId)ts[sp - 2]) && numeric_pair((TypeId)ts[sp - 3], (TypeId)ts[sp - 1]))
                in->op = VOP_NBETWEEN;
            else
                ok = ok && comparable((TypeId)ts[sp - 3], (TypeId)ts[sp - 2]) && comparable((TypeId)ts[sp - 3], (TypeId)ts[sp - 1]);
            break;
        default:
            ok = false;
            break;
        }
        if (!ok) break;
        /* the stack after it */
        switch ((ExprOp)x->op) {
        case XOP_CONST: case XOP_PARAM: case XOP_SLOT:
            kst[sp] = konst;
            kfrom[sp] = pc;
            sp++;
            break;
        case XOP_NEG: case XOP_CAST: ts[sp - 1] = in->type; kst[sp - 1] = false; break;
        case XOP_NOT: case XOP_IS: ts[sp - 1] = TYPE_BOOL; kst[sp - 1] = false; break;
        case XOP_AND: case XOP_OR: case XOP_CMP: sp--; ts[sp - 1] = TYPE_BOOL; kst[sp - 1] = false; break;
        case XOP_ARITH: sp--; ts[sp - 1] = in->type; kst[sp - 1] = false; break;
        case XOP_IN: sp -= x->a; ts[sp - 1] = TYPE_BOOL; kst[sp - 1] = false; break;
        case XOP_BETWEEN: sp -= 2; ts[sp - 1] = TYPE_BOOL; kst[sp - 1] = false; break;
        default: break;
        }
        if (sp > maxsp) maxsp = sp;
        vp->n++;
    }
    ok = ok && sp == 1;
    /* every value the kernels see is of a type they take */
    for (int q = 0; ok && q < vp->n; q++) ok = vp->code[q].op != XOP_CONST || vec_type_ok((TypeId)vp->code[q].type);
    if (ok) vp->type = (TypeId)ts[0];
    dd_free(ts);
    dd_free(kst);
    dd_free(kfrom);
    if (ok) {
        vp->nregs = maxsp;
        vp->regs = dd_calloc((size_t)maxsp, sizeof(Vec));
        vp->stack = dd_calloc((size_t)maxsp, sizeof(Vec *));
        vp->kregs = dd_calloc((size_t)maxsp, sizeof(Vec));
        vp->kval = dd_calloc((size_t)maxsp, sizeof(i64));
        vp->kn = dd_calloc((size_t)maxsp, sizeof(i128));
        vp->ksc = dd_calloc((size_t)maxsp, sizeof(i16));
        vp->knull = dd_calloc((size_t)maxsp, 1);
        ok = vp->regs && vp->stack && vp->kregs && vp->kval && vp->kn && vp->ksc && vp->knull;
        for (int d = 0; ok && d < maxsp; d++) ok = vec_alloc(&vp->regs[d], TYPE_INT8);
    }
    if (!ok) {
        vec_prog_free(vp);
        return NULL;
    }
    return vp;
}

/* ------------------------------------------------------------ kernels */

/* Sets o up as the result of inputs a (and b, c: may be NULL): a constant
 * when they all are; its NULL lanes those of any input.  The lanes to
 * compute. */
static int prep(Vec *o, TypeId t, const Vec *a, const Vec *b, const Vec *c, int n)
{
    /* o may be a: read the inputs' flags before writing o's */
    bool an = a->anynull, bn = b && b->anynull, cn = c && c->anynull;
    size_t sa = !a->isconst, sb = b && !b->isconst, sc = c && !c->isconst;
    bool isconst = !sa && !sb && !sc;
    int m = isconst ? 1 : n;
    if (an || bn || cn)
        for (int j = 0; j < m; j++)
            o->null[j] = (an && a->null[j * sa]) | (bn && b->null[j * sb]) | (cn && c->null[j * sc]);
    o->type = (u8)t;
    o->isconst = isconst;
    o->anynull = an || bn || cn;
    return m;
}

/* Whether some non-NULL lane of o has bad[j] set. */
static bool any_bad(const Vec *o, const u8 *bad, int m)
{
    for (int j = 0; j < m; j++)
        if (bad[j] && !(o->anynull && o->null[j])) return true;
    return false;
}

static int k_arith(int op, const Vec *a, const Vec *b, Vec *o, TypeId rt, int n)
{
    size_t sa = !a->isconst, sb = !b->isconst;   /* before prep: o may be a */
    int m = prep(o, rt, a, b, NULL, n);
    i64 lo, hi;
    type_range(rt, &lo, &hi);
    u8 bad[VEC_N];
    bool anybad = false;
    const i64 *x = a->i, *y = b->i;
    i64 *r = o->i;
    /* one loop per operator; the result goes through v, not straight
     * into r[j]: r may be x, and GCC's overflow builtins may read their
     * operands again after storing */
#define ARITH_LOOP(builtin)                                           \
    for (int j = 0; j < m; j++) {                                     \
        i64 v;                                                        \
        bool f = builtin(x[j * sa], y[j * sb], &v);                   \
        r[j] = v;                                                     \
        bad[j] = f | (v < lo) | (v > hi);                             \
        anybad |= bad[j];                                             \
    }
    switch (op) {
    case ARITH_ADD: ARITH_LOOP(__builtin_add_overflow); break;
    case ARITH_SUB: ARITH_LOOP(__builtin_sub_overflow); break;
    case ARITH_MUL: ARITH_LOOP(__builtin_mul_overflow); break;
    case ARITH_DIV:
        /* 0 is an error; -1 negates (INT64_MIN / -1 would trap) */
        for (int j = 0; j < m; j++) {
            i64 d = y[j * sb], v = x[j * sa];
            if (d == 0 || d == -1) {
                bad[j] = d == 0 || v == INT64_MIN || -v < lo || -v > hi;
                r[j] = d == 0 || v == INT64_MIN ? 0 : -v;
            } else {
                r[j] = v / d;
                bad[j] = (r[j] < lo) | (r[j] > hi);
            }
            anybad |= bad[j];
        }
        break;
    default:   /* ARITH_MOD: x % -1 is 0 */
        for (int j = 0; j < m; j++) {
            i64 d = y[j * sb];
            bad[j] = d == 0;
            r[j] = d == 0 || d == -1 ? 0 : x[j * sa] % d;
            anybad |= bad[j];
        }
        break;
    }
#undef ARITH_LOOP
    return anybad && any_bad(o, bad, m) ? VEC_EXACT : DD_OK;
}

/* a op b; mul: factors for each side (a date compared with a timestamp
 * counts in microseconds), a lane that would overflow goes the exact way. */
static int k_cmp(int op, const Vec *a, const Vec *b, Vec *o, const i64 *mul, int n)
{
    size_t sa = !a->isconst, sb = !b->isconst;
    const i64 *x = a->i, *y = b->i;
    i64 xs[VEC_N], ys[VEC_N];
    for (int side = 0; side < 2; side++) {
        if (mul[side] == 1) continue;
        const Vec *v = side ? b : a;
        i64 *w = side ? ys : xs;
        int m = v->isconst ? 1 : n;
        for (int j = 0; j < m; j++)
            if (__builtin_mul_overflow(v->i[j], mul[side], &w[j]) && !(v->anynull && v->null[j])) return VEC_EXACT;
        if (side) y = ys;
        else x = xs;
    }
    int m = prep(o, TYPE_BOOL, a, b, NULL, n);
    i64 *r = o->i;
    /* one loop per operator, so that each compiles to straight compares */
    switch (op) {
    case BOP_EQ: for (int j = 0; j < m; j++) r[j] = x[j * sa] == y[j * sb]; break;
    case BOP_NE: for (int j = 0; j < m; j++) r[j] = x[j * sa] != y[j * sb]; break;
    case BOP_LT: for (int j = 0; j < m; j++) r[j] = x[j * sa] < y[j * sb]; break;
    case BOP_LE: for (int j = 0; j < m; j++) r[j] = x[j * sa] <= y[j * sb]; break;
    case BOP_GT: for (int j = 0; j < m; j++) r[j] = x[j * sa] > y[j * sb]; break;
    default: for (int j = 0; j < m; j++) r[j] = x[j * sa] >= y[j * sb]; break;
    }
    return DD_OK;
}

/* A lane's three-valued truth: -1 UNKNOWN, 0, 1. */
static inline int truth(const Vec *v, int j)
{
    if (v->isconst) j = 0;
    return v->anynull && v->null[j] ? -1 : v->i[j] != 0;
}

/* Writes three-valued results t[0..m) into o (a BOOL). */
static void put_truths(Vec *o, const signed char *t, int m)
{
    o->type = TYPE_BOOL;
    o->anynull = false;
    for (int j = 0; j < m; j++)
        if (t[j] < 0) { o->anynull = true; break; }
    for (int j = 0; j < m; j++) {
        o->i[j] = t[j] > 0;
        if (o->anynull) o->null[j] = t[j] < 0;
    }
}

static void k_andor(bool and, const Vec *a, const Vec *b, Vec *o, int n)
{
    bool c = a->isconst && b->isconst;
    int m = c ? 1 : n;
    if (!a->anynull && !b->anynull) {
        size_t sa = !a->isconst, sb = !b->isconst;
        o->type = TYPE_BOOL;
        o->anynull = false;
        if (and) for (int j = 0; j < m; j++) o->i[j] = a->i[j * sa] & b->i[j * sb];
        else for (int j = 0; j < m; j++) o->i[j] = a->i[j * sa] | b->i[j * sb];
        o->isconst = c;
        return;
    }
    signed char t[VEC_N];
    for (int j = 0; j < m; j++) {
        int l = truth(a, j), r = truth(b, j);
        t[j] = and ? ((l == 0 || r == 0) ? 0 : (l < 0 || r < 0) ? -1 : 1)
                   : ((l == 1 || r == 1) ? 1 : (l < 0 || r < 0) ? -1 : 0);
    }
    put_truths(o, t, m);
    o->isconst = c;
}

static void k_not(const Vec *a, Vec *o, int n)
{
    size_t sa = !a->isconst;
    int m = prep(o, TYPE_BOOL, a, NULL, NULL, n);
    for (int j = 0; j < m; j++) o->i[j] = !a->i[j * sa];
}

static void k_is(int kind, bool neg, const Vec *a, Vec *o, int n)
{
    bool c = a->isconst;
    int m = c ? 1 : n;
    size_t sa = !c;
    for (int j = 0; j < m; j++) {
        bool isnull = a->anynull && a->null[j * sa], res;
        switch (kind) {
        case IS_NULL: case IS_UNKNOWN: res = isnull; break;
        case IS_TRUE: res = !isnull && a->i[j * sa]; break;
        default: res = !isnull && !a->i[j * sa]; break;   /* IS_FALSE */
        }
        o->i[j] = neg ? !res : res;
    }
    o->type = TYPE_BOOL;
    o->anynull = false;
    o->isconst = c;
}

static int k_neg(const Vec *a, Vec *o, int n)
{
    size_t sa = !a->isconst;
    int m = prep(o, (TypeId)a->type, a, NULL, NULL, n);
    i64 lo, hi;
    type_range((TypeId)a->type, &lo, &hi);
    u8 bad[VEC_N];
    bool anybad = false;
    for (int j = 0; j < m; j++) {
        i64 v = a->i[j * sa];
        bad[j] = v == INT64_MIN || -v < lo || -v > hi;
        o->i[j] = v == INT64_MIN ? 0 : -v;
        anybad |= bad[j];
    }
    return anybad && any_bad(o, bad, m) ? VEC_EXACT : DD_OK;
}

static int k_cast(const Vec *a, Vec *o, TypeId t, int n)
{
    size_t sa = !a->isconst;
    int m = prep(o, t, a, NULL, NULL, n);
    i64 lo, hi;
    type_range(t, &lo, &hi);
    u8 bad[VEC_N];
    bool anybad = false;
    for (int j = 0; j < m; j++) {
        i64 v = a->i[j * sa];
        bad[j] = v < lo || v > hi;
        o->i[j] = v;
        anybad |= bad[j];
    }
    return anybad && any_bad(o, bad, m) ? VEC_EXACT : DD_OK;
}

/* x IN (items): TRUE on a match, else UNKNOWN if x or an item is NULL. */
static void k_in(Vec *const *st, int nitems, bool neg, Vec *o, int n)
{
    const Vec *x = st[0];
    bool c = x->isconst;
    for (int k = 1; k <= nitems; k++) c = c && st[k]->isconst;
    int m = c ? 1 : n;
    signed char t[VEC_N];
    for (int j = 0; j < m; j++) {
        int r = 0;
        if (truth(x, j) < 0 && x->anynull) r = -1;
        else {
            i64 v = x->i[x->isconst ? 0 : j];
            for (int k = 1; k <= nitems; k++) {
                const Vec *it = st[k];
                int jj = it->isconst ? 0 : j;
                if (it->anynull && it->null[jj]) { r = -1; continue; }
                if (it->i[jj] == v) { r = 1; break; }
            }
        }
        t[j] = (signed char)(neg && r >= 0 ? !r : r);
    }
    put_truths(o, t, m);
    o->isconst = c;
}

static void k_between(const Vec *x, const Vec *lo, const Vec *hi, bool neg, Vec *o, int n)
{
    bool c = x->isconst && lo->isconst && hi->isconst;
    int m = c ? 1 : n;
    signed char t[VEC_N];
    for (int j = 0; j < m; j++) {
        int xj = x->isconst ? 0 : j, lj = lo->isconst ? 0 : j, hj = hi->isconst ? 0 : j;
        bool xn = x->anynull && x->null[xj];
        int a = (xn || (lo->anynull && lo->null[lj])) ? -1 : x->i[xj] >= lo->i[lj];
        int b = (xn || (hi->anynull && hi->null[hj])) ? -1 : x->i[xj] <= hi->i[hj];
        int r = (a == 0 || b == 0) ? 0 : (a < 0 || b < 0) ? -1 : 1;
        t[j] = (signed char)(neg && r >= 0 ? !r : r);
    }
    put_truths(o, t, m);
    o->isconst = c;
}

/* Lane j of v (stride-adjusted) as a NUMERIC pair; false for a value
 * past 38 digits. */
static inline bool num_lane(const Vec *v, int j, i128 *c, int *s)
{
    if (v->type != TYPE_NUMERIC) {
        *c = v->i[j];
        *s = 0;
        return true;
    }
    *c = v->n[j];
    *s = v->sc[j];
    return !numeric_is_big(*s);
}

static inline bool lane_null(const Vec *v, int j) { return v->anynull && v->null[v->isconst ? 0 : j]; }

/* The order of lane j of a and b (stride-adjusted inside), as
 * numeric_cmp gives it; false for a value past 38 digits. */
static inline bool num_order(const Vec *a, const Vec *b, int j, int *c)
{
    i128 x, y;
    int xs, ys;
    if (!num_lane(a, a->isconst ? 0 : j, &x, &xs) || !num_lane(b, b->isconst ? 0 : j, &y, &ys)) return false;
    *c = xs == ys && !numeric_is_special(xs) ? (x < y ? -1 : x > y) : numeric_cmp(x, xs, y, ys);
    return true;
}

/* a op b over NUMERIC pairs (an integer side as its value at scale 0),
 * as numeric_cmp orders them (NaN above everything). */
static int k_ncmp(int op, const Vec *a, const Vec *b, Vec *o, int n)
{
    signed char c[VEC_N];
    int m = a->isconst && b->isconst ? 1 : n, r;
    for (int j = 0; j < m; j++) {
        if (lane_null(a, j) || lane_null(b, j)) { c[j] = 0; continue; }
        if (!num_order(a, b, j, &r)) return VEC_EXACT;
        c[j] = (signed char)r;
    }
    prep(o, TYPE_BOOL, a, b, NULL, n);
    for (int j = 0; j < m; j++) {
        int cj = c[j];
        switch (op) {
        case BOP_EQ: o->i[j] = cj == 0; break;
        case BOP_NE: o->i[j] = cj != 0; break;
        case BOP_LT: o->i[j] = cj < 0; break;
        case BOP_LE: o->i[j] = cj <= 0; break;
        case BOP_GT: o->i[j] = cj > 0; break;
        default: o->i[j] = cj >= 0; break;
        }
    }
    return DD_OK;
}

/* a + b, a - b, a * b over NUMERIC pairs, as numeric_value_arith computes
 * them while the result fits 38 digits; a lane past that (or past the
 * scale limit) goes the exact way. */
static int k_narith(int op, const Vec *a, const Vec *b, Vec *o, int n)
{
    size_t sa = !a->isconst, sb = !b->isconst;
    bool isconst = !sa && !sb;
    int m = isconst ? 1 : n;
    i128 rc[VEC_N];
    i16 rs[VEC_N];
    DdError e;
    for (int j = 0; j < m; j++) {
        i128 x, y, r = 0;
        int xs, ys, s = 0;
        bool okx = num_lane(a, (int)(j * sa), &x, &xs), oky = num_lane(b, (int)(j * sb), &y, &ys);
        if (lane_null(a, j) || lane_null(b, j)) { rc[j] = 0; rs[j] = 0; continue; }
        if (!okx || !oky) return VEC_EXACT;
        bool special = numeric_is_special(xs) || numeric_is_special(ys);
        int want, st;
        if (op == ARITH_MUL) {
            want = xs + ys;
            if (!special && want <= NUMERIC_MAX_SCALE && x > -((i128)1 << 62) && x < ((i128)1 << 62) &&
                y > -((i128)1 << 62) && y < ((i128)1 << 62) && (r = x * y) > -NUM_LIMIT && r < NUM_LIMIT) {
                rc[j] = r;
                rs[j] = (i16)want;
                continue;
            }
            st = numeric_mul(x, xs, y, ys, &r, &s, &e);
        } else {
            want = DD_MAX(xs, ys);
            if (!special) {
                /* the smaller scale's side times 10^difference, then the
                 * sum: numeric_add's own result while it stays in 38 digits */
                i128 ax = x, ay = y;
                bool fits = !__builtin_mul_overflow(x, pow10_k(want - xs), &ax) &&
                            !__builtin_mul_overflow(y, pow10_k(want - ys), &ay) &&
                            !(op == ARITH_ADD ? __builtin_add_overflow(ax, ay, &r) : __builtin_sub_overflow(ax, ay, &r));
                if (fits && r > -NUM_LIMIT && r < NUM_LIMIT) {
                    rc[j] = r;
                    rs[j] = (i16)want;
                    continue;
                }
            }
            st = numeric_add(x, xs, y, ys, op == ARITH_SUB, &r, &s, &e);
        }
        if (st != DD_OK || !(special || numeric_is_special(s) || s == want)) return VEC_EXACT;
        rc[j] = r;
        rs[j] = (i16)s;
    }
    prep(o, TYPE_NUMERIC, a, b, NULL, n);
    memcpy(o->n, rc, sizeof(i128) * (size_t)m);
    memcpy(o->sc, rs, sizeof(i16) * (size_t)m);
    return DD_OK;
}

/* x [NOT] BETWEEN lo AND hi over NUMERIC pairs: x >= lo AND x <= hi. */
static int k_nbetween(const Vec *x, const Vec *lo, const Vec *hi, bool neg, Vec *o, int n)
{
    bool c = x->isconst && lo->isconst && hi->isconst;
    int m = c ? 1 : n;
    signed char t[VEC_N];
    for (int j = 0; j < m; j++) {
        bool xn = lane_null(x, j);
        int a = -1, b = -1, ca, cb;
        if (!xn && !lane_null(lo, j)) {
            if (!num_order(x, lo, j, &ca)) return VEC_EXACT;
            a = ca >= 0;
        }
        if (!xn && !lane_null(hi, j)) {
            if (!num_order(x, hi, j, &cb)) return VEC_EXACT;
            b = cb <= 0;
        }
        int r = (a == 0 || b == 0) ? 0 : (a < 0 || b < 0) ? -1 : 1;
        t[j] = (signed char)(neg && r >= 0 ? !r : r);
    }
    put_truths(o, t, m);
    o->isconst = c;
    return DD_OK;
}

/* an integer as NUMERIC (scale 0) */
static void k_ncast(const Vec *a, Vec *o, int n)
{
    size_t sa = !a->isconst;
    i128 rc[VEC_N];
    int m = a->isconst ? 1 : n;
    for (int j = 0; j < m; j++) rc[j] = a->i[j * sa];
    prep(o, TYPE_NUMERIC, a, NULL, NULL, n);
    for (int j = 0; j < m; j++) {
        o->n[j] = rc[j];
        o->sc[j] = 0;
    }
}

/* The operand at depth d, where a kernel is about to write depth d's
 * result: a constant result of that same register is copied aside first,
 * since the kernel would overwrite lane 0 while the other lanes still
 * read it. */
static Vec *unalias(VecProg *vp, int d)
{
    Vec *v = vp->stack[d];
    if (v != &vp->regs[d] || !v->isconst) return v;
    Vec *k = &vp->kregs[d];
    vp->kval[d] = v->i[0];
    vp->kn[d] = v->n[0];
    vp->ksc[d] = v->sc[0];
    vp->knull[d] = v->anynull && v->null[0];
    k->type = v->type;
    k->isconst = true;
    k->anynull = vp->knull[d];
    k->i = &vp->kval[d];
    k->n = &vp->kn[d];
    k->sc = &vp->ksc[d];
    k->null = &vp->knull[d];
    return k;
}

int vec_eval(VecProg *vp, Vec *const *cols, int n, Vec **out)
{
    Vec **st = vp->stack;
    int sp = 0, rc = DD_OK;
    for (int pc = 0; pc < vp->n && !rc; pc++) {
        VecInstr *in = &vp->code[pc];
        int d = in->op == XOP_CONST || in->op == XOP_SLOT ? -1
                : in->op == XOP_AND || in->op == XOP_OR || in->op == XOP_CMP || in->op == XOP_ARITH ||
                          in->op == VOP_NCMP || in->op == VOP_NARITH
                      ? sp - 2
                : in->op == XOP_IN ? sp - in->a - 1 : in->op == XOP_BETWEEN || in->op == VOP_NBETWEEN ? sp - 3 : sp - 1;
        if (d >= 0) st[d] = unalias(vp, d);
        switch ((int)in->op) {
        case VOP_NCMP:
            sp--;
            rc = k_ncmp(in->sub, st[sp - 1], st[sp], &vp->regs[sp - 1], n);
            st[sp - 1] = &vp->regs[sp - 1];
            break;
        case VOP_NARITH:
            sp--;
            rc = k_narith(in->sub, st[sp - 1], st[sp], &vp->regs[sp - 1], n);
            st[sp - 1] = &vp->regs[sp - 1];
            break;
        case VOP_NBETWEEN:
            sp -= 2;
            rc = k_nbetween(st[sp - 1], st[sp], st[sp + 1], in->flags & 1, &vp->regs[sp - 1], n);
            st[sp - 1] = &vp->regs[sp - 1];
            break;
        case VOP_NCAST:
            k_ncast(st[sp - 1], &vp->regs[sp - 1], n);
            st[sp - 1] = &vp->regs[sp - 1];
            break;
        case XOP_CONST: st[sp++] = &in->k; break;
        case XOP_SLOT: st[sp++] = cols[in->a]; break;
        case XOP_NOT: k_not(st[sp - 1], &vp->regs[sp - 1], n); st[sp - 1] = &vp->regs[sp - 1]; break;
        case XOP_NEG: rc = k_neg(st[sp - 1], &vp->regs[sp - 1], n); st[sp - 1] = &vp->regs[sp - 1]; break;
        case XOP_AND: case XOP_OR:
            sp--;
            k_andor(in->op == XOP_AND, st[sp - 1], st[sp], &vp->regs[sp - 1], n);
            st[sp - 1] = &vp->regs[sp - 1];
            break;
        case XOP_CMP:
            sp--;
            rc = k_cmp(in->sub, st[sp - 1], st[sp], &vp->regs[sp - 1], in->mul, n);
            st[sp - 1] = &vp->regs[sp - 1];
            break;
        case XOP_ARITH:
            sp--;
            rc = k_arith(in->sub, st[sp - 1], st[sp], &vp->regs[sp - 1], (TypeId)in->type, n);
            st[sp - 1] = &vp->regs[sp - 1];
            break;
        case XOP_CAST:
            if (st[sp - 1]->type == in->type) break;
            rc = k_cast(st[sp - 1], &vp->regs[sp - 1], (TypeId)in->type, n);
            st[sp - 1] = &vp->regs[sp - 1];
            break;
        case XOP_IS:
            k_is(in->sub, in->flags & 1, st[sp - 1], &vp->regs[sp - 1], n);
            st[sp - 1] = &vp->regs[sp - 1];
            break;
        case XOP_IN:
            sp -= in->a;
            k_in(&st[sp - 1], in->a, in->flags & 1, &vp->regs[sp - 1], n);
            st[sp - 1] = &vp->regs[sp - 1];
            break;
        case XOP_BETWEEN:
            sp -= 2;
            k_between(st[sp - 1], st[sp], st[sp + 1], in->flags & 1, &vp->regs[sp - 1], n);
            st[sp - 1] = &vp->regs[sp - 1];
            break;
        default:
            return VEC_EXACT;   /* vec_compile admits no other */
        }
    }
    *out = st[0];
    return rc;
}

/* ------------------------------------------------------------ decoding */

int vec_decoder_init(VecDecoder *d, const TableInfo *t, const bool *want, DdError *err)
{
    memset(d, 0, sizeof *d);
    int n = 0;
    for (int i = 0; i < t->ncols; i++) n += want[i];
    d->colid = dd_malloc(sizeof(u32) * (size_t)(n + 1));
    d->ci = dd_malloc(sizeof(int) * (size_t)(n + 1));
    d->isbool = dd_malloc((size_t)(n + 1));
    d->dflt = dd_malloc(sizeof(Value) * (size_t)(t->ncols + 1));
    if (!d->colid || !d->ci || !d->isbool || !d->dflt) return DD_ENOMEM;
    /* what an image without fields reads: NULLs, and the DEFAULTs of
     * columns added with one */
    static const u8 empty[1] = {REC_FORMAT};
    int rc = row_decode_used(t, empty, 1, d->dflt, want, err);
    if (rc) return rc;
    d->t = t;
    for (int i = 0; i < t->ncols; i++) {
        if (!want[i]) continue;
        d->colid[d->n] = t->cols[i].id;
        d->ci[d->n] = i;
        TypeId ct = (TypeId)t->cols[i].type;
        d->isbool[d->n] = ct == TYPE_BOOL ? 1 : ct == TYPE_NUMERIC ? 2 : vec_type_opaque(ct) ? 3 : 0;
        d->n++;
    }
    d->allint = true;
    for (int k = 0; k < d->n; k++) d->allint = d->allint && d->isbool[k] == 0;
    return DD_OK;
}

void vec_decoder_free(VecDecoder *d)
{
    dd_free(d->colid);
    dd_free(d->ci);
    dd_free(d->isbool);
    dd_free(d->dflt);
    memset(d, 0, sizeof *d);
}

static inline void put_lane(Vec *v, int j, const Value *x)
{
    if (!vec_put(v, j, x)) {   /* a DEFAULT of the column's type cannot differ; keep it safe */
        Value nul = val_null((TypeId)v->type);
        vec_put(v, j, &nul);
    }
}

/* The field (colid, tag) at p of a column of another type than integer,
 * boolean or numeric (isbool 3) into lane j of v: text-like fields as the
 * row decoder makes them (it checks them).  The place after it, or NULL
 * for the row way. */
static __attribute__((noinline)) const u8 *field_other(const ColumnInfo *col, u64 colid, u8 tag, const u8 *p,
                                                       const u8 *end, Vec *v, int j)
{
    /* booleans and numerics have their own lanes; a big numeric goes the row way */
    if (tag != REC_BYTES && tag != REC_INT && tag != REC_FLOAT && tag != REC_INTERVAL) return NULL;
    RecField f;
    if (!(p = rec_read_field((u32)colid, tag, p, end, &f))) return NULL;
    DdError e;
    Value x;
    if (row_field_value(col, &f, &x, &e) != DD_OK) return NULL;
    if (v->anynull) v->null[j] = 0;
    v->vals[j] = x;
    return p;
}

/* A numeric field at p (tag) into lane j of v: u8 scale (0xF0.. NaN,
 * Infinity, -Infinity), 16 bytes little-endian two's complement.  The
 * place after it, or NULL for the row way (an integer of a widened
 * column, a big value). */
static __attribute__((noinline)) const u8 *field_numeric(u8 tag, const u8 *p, const u8 *end, Vec *v, int j)
{
    if (tag != REC_NUMERIC || end - p < 17) return NULL;
    u8 scale = *p++;
    u64 lo, hi;
    memcpy(&lo, p, 8);
    memcpy(&hi, p + 8, 8);
    lo = le64toh(lo);
    hi = le64toh(hi);
    p += 16;
    i128 coef = (i128)(((u128)hi << 64) | lo);
    int sc;
    if (scale >= REC_NUM_SPECIAL && scale <= REC_NUM_SPECIAL + 2 && coef == 0) sc = REC_NUM_SPECIAL - 1 - scale;
    else if (scale <= REC_MAX_SCALE) sc = scale;
    else return NULL;
    if (v->anynull) v->null[j] = 0;
    v->n[j] = coef;
    v->sc[j] = (i16)sc;
    return p;
}

static __attribute__((noinline)) void decode_null(Vec *v, int j)
{
    Value nul = val_null((TypeId)v->type);
    vec_put(v, j, &nul);
}

int vec_decode(const VecDecoder *d, const u8 *rec, u32 n, Vec *const *cols, int j)
{
    if (n < 1 || rec[0] != REC_FORMAT) return VEC_EXACT;
    const u8 *p = rec + 1, *end = rec + n;
    u64 last = 0;
    bool any = false;
    int k = 0;
    /* the decoder's arrays in locals: the lanes' byte stores may alias
     * anything, so members would be loaded again after each field */
    const int dn = d->n;
    const u32 *dcol = d->colid;
    const int *dci = d->ci;
    const u8 *dkind = d->isbool;
    /* every field is walked and checked as rec_iter_next checks it, read
     * or not: an image the row path would call damaged goes its way */
    while (p < end) {
        u64 colid;
        u8 tag;
        if (!rec_field_head(&p, end, &last, &any, &colid, &tag)) return VEC_EXACT;
        while (k < dn && dcol[k] < colid) {   /* no field: its default */
            put_lane(cols[dci[k]], j, &d->dflt[dci[k]]);
            k++;
        }
        if (k < dn && dcol[k] == colid) {
            Vec *v = cols[dci[k]];
            u8 kind = dkind[k];
            k++;
            if (tag == REC_INT && kind == 0) {   /* the common case: an integer */
                u64 u;
                if (!rec_get_varint(&p, end, &u)) return VEC_EXACT;
                if (v->anynull) v->null[j] = 0;
                v->i[j] = (i64)((u >> 1) ^ (~(u & 1) + 1));
            } else if (tag == REC_NULL) {
                decode_null(v, j);
            } else if (kind == 1) {
                if (tag != REC_FALSE && tag != REC_TRUE) return VEC_EXACT;
                if (v->anynull) v->null[j] = 0;
                v->i[j] = tag == REC_TRUE;
            } else if (kind == 3) {
                if (!(p = field_other(&d->t->cols[dci[k - 1]], colid, tag, p, end, v, j))) return VEC_EXACT;
            } else if (kind == 2) {
                if (!(p = field_numeric(tag, p, end, v, j))) return VEC_EXACT;
            } else {
                return VEC_EXACT;   /* an integer column's field of another tag */
            }
            continue;
        }
        /* a field no one reads: skipped, checked */
        if (!(p = rec_skip_field(tag, p, end))) return VEC_EXACT;
    }
    for (; k < dn; k++) put_lane(cols[dci[k]], j, &d->dflt[dci[k]]);
    return DD_OK;
}

/* The shorter walk of vec_decode_many: true when the image's wanted
 * columns are integer fields or absent (their DEFAULT: NULL, or one added
 * since), lane j then filled as vec_decode fills it; false for anything
 * else, which vec_decode reads. */
static inline bool decode_ints(const VecDecoder *d, const u8 *rec, u32 n, Vec *const *cols, int j)
{
    if (n < 1 || rec[0] != REC_FORMAT) return false;
    const u8 *p = rec + 1, *end = rec + n;
    const int dn = d->n;
    const u32 *dcol = d->colid;
    const int *dci = d->ci;
    u32 last = 0;
    bool any = false;
    int k = 0;
    while (p < end) {
        if (*p >= 0x80) return false;   /* column ids past 127: the long way */
        u32 colid = *p++;
        if (p >= end || (any && colid <= last)) return false;
        any = true;
        last = colid;
        u8 tag = *p++;
        while (k < dn && dcol[k] < colid) {   /* no field (NULL, or a DEFAULT added since) */
            put_lane(cols[dci[k]], j, &d->dflt[dci[k]]);
            k++;
        }
        if (k < dn && dcol[k] == colid) {
            if (tag != REC_INT) return false;   /* a NULL, another tag: the long way */
            u64 u;
            if (!rec_get_varint(&p, end, &u)) return false;
            Vec *v = cols[dci[k++]];
            if (v->anynull) v->null[j] = 0;
            v->i[j] = (i64)((u >> 1) ^ (~(u & 1) + 1));
        } else if (!(p = rec_skip_field(tag, p, end))) {
            return false;
        }
    }
    for (; k < dn; k++) put_lane(cols[dci[k]], j, &d->dflt[dci[k]]);
    return true;
}

void vec_decode_many(const VecDecoder *d, const u8 *const *rec, const u32 *len, int n, Vec *const *cols, u8 *skip)
{
    for (int j = 0; j < n; j++) {
        if (skip[j]) continue;
        if (d->allint && decode_ints(d, rec[j], len[j], cols, j)) continue;
        skip[j] = vec_decode(d, rec[j], len[j], cols, j) != DD_OK;
    }
}
