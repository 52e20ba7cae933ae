/*
 * compile.c - compiles AST expressions into flat programs (evaluated by
 * exec/eval.c), and the AST helpers grouping needs.
 *
 * Compilation works on fragments: each AST node compiles to a fragment of
 * instructions with a static result type.  Jumps are relative to the jump
 * instruction, so fragments can be concatenated and coercions appended
 * after an operand without patching anything.  The finished program is
 * copied into the statement arena.
 *
 * Evaluation: a Value stack sized at compile time (ExprProg.maxstack).
 * Three-valued logic: a NULL BOOL is UNKNOWN.
 *
 * Subqueries (scalar, EXISTS, IN) become XOP_SUBLINK over a SubLink: the
 * query is planned at compile time (analyze_sublink) in a scope that does
 * not bind the enclosing query's columns, so a correlated subquery is
 * reported (0A000) rather than planned; it runs on first evaluation and
 * its values stay in the statement arena for the rest of the statement.
 */
#include "expr.h"
#include "domain.h"
#include "jsonfunc.h"
#include "../types/array.h"
#include "../types/recordval.h"
#include "../../util/alloc.h"
#include <string.h>
#include <stdio.h>

/* ---------------------------------------------------------------- fragments */

typedef struct Frag {
    ExprInstr *code;
    int n, cap;
    int depth;      /* stack depth the fragment needs (max) */
    TypeId type;
    i32 typmod;
    bool constant;  /* no row, parameter or volatile input */
    int const_idx;  /* >= 0 when the fragment is exactly one XOP_CONST */
} Frag;

typedef struct Builder {
    CompileCtx *cc;
    Value *consts;
    int nconsts, capconsts;
    int nesting;
} Builder;

static void frag_init(Frag *f) { memset(f, 0, sizeof(*f)); f->constant = true; f->const_idx = -1; f->typmod = -1; }
static void frag_free(Frag *f) { dd_free(f->code); f->code = NULL; f->n = f->cap = 0; }

static int frag_emit(Frag *f, ExprInstr ins)
{
    if (f->n == f->cap) {
        int ncap = f->cap ? f->cap * 2 : 8;
        ExprInstr *c = dd_realloc(f->code, sizeof(ExprInstr) * (size_t)ncap);
        if (!c) return DD_ENOMEM;
        f->code = c;
        f->cap = ncap;
    }
    f->code[f->n++] = ins;
    f->const_idx = -1;
    return DD_OK;
}

/* Appends g to f; g's stack sits on top of `below` values already pushed. */
static int frag_append(Frag *f, Frag *g, int below)
{
    for (int i = 0; i < g->n; i++) {
        int rc = frag_emit(f, g->code[i]);
        if (rc) return rc;
    }
    f->depth = DD_MAX(f->depth, below + g->depth);
    f->constant = f->constant && g->constant;
    return DD_OK;
}

static ExprInstr ins_make(ExprOp op, int loc)
{
    ExprInstr i;
    memset(&i, 0, sizeof(i));
    i.op = (u8)op;
    i.loc = loc;
    i.typmod = -1;
    return i;
}

static int add_const(Builder *b, Value v)
{
    if (b->nconsts == b->capconsts) {
        int ncap = b->capconsts ? b->capconsts * 2 : 8;
        Value *c = dd_realloc(b->consts, sizeof(Value) * (size_t)ncap);
        if (!c) return -1;
        b->consts = c;
        b->capconsts = ncap;
    }
    b->consts[b->nconsts] = v;
    return b->nconsts++;
}

static int frag_const(Builder *b, Frag *f, Value v, int loc)
{
    int k = add_const(b, v);
    if (k < 0) return DD_ENOMEM;
    ExprInstr i = ins_make(XOP_CONST, loc);
    i.a = k;
    i.type = v.type;
    int rc = frag_emit(f, i);
    f->const_idx = k;
    f->depth = DD_MAX(f->depth, 1);
    f->type = (TypeId)v.type;
    return rc;
}

static int err_at(CompileCtx *cc, int code, int loc, const char *fmt, ...) DD_PRINTF(4, 5);
static int err_at(CompileCtx *cc, int code, int loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dd_errv(cc->sql->err, code, loc, fmt, ap);
    va_end(ap);
    return code;
}

/* PostgreSQL's assignment casts: between numeric types, between string
 * types, anything to a string type, among date/timestamp/timestamptz, to
 * time from timestamp(tz) / interval / timetz and to timetz from timestamptz, oid
 * to int4 / int8, a string to "char". */
static bool assign_ok(TypeId from, TypeId to)
{
    if (from == to || from == TYPE_UNKNOWN || from == TYPE_NULLTYPE) return true;
    if (type_is_array(from) && type_is_array(to)) return assign_ok(type_elem(from), type_elem(to));
    if (type_is_numeric(from) && type_is_numeric(to)) return true;
    if (type_is_string(to)) return true;
    if (type_is_datetime(from) && type_is_datetime(to)) return true;
    /* a timestamp's time of day, an interval's time part */
    if (to == TYPE_TIME && (from == TYPE_TIMESTAMP || from == TYPE_TIMESTAMPTZ || from == TYPE_INTERVAL || from == TYPE_TIMETZ))
        return true;
    if (to == TYPE_TIMETZ && from == TYPE_TIMESTAMPTZ) return true;
    if ((from == TYPE_JSON && to == TYPE_JSONB) || (from == TYPE_JSONB && to == TYPE_JSON)) return true;
    if (type_is_oidlike(from) && (to == TYPE_INT4 || to == TYPE_INT8)) return true;
    if (to == TYPE_CHAR) return type_is_string(from);
    return type_can_implicit(from, to);
}

/*
 * Coerces fragment f (of static type f->type) to type t.  Untyped string
 * constants are converted now (errors point at them); other values get an
 * XOP_CAST appended.  explicit_cast selects CAST rules.
 */
static const char *type_label(CompileCtx *cc, TypeId t, i32 typmod);

/* Describing a statement (SqlCtx.param_resolved asked): the $n that
 * fragment f or program p is when it stands alone untyped, else 0. */
static int untyped_param_frag(const CompileCtx *cc, const Frag *f)
{
    if (!cc->sql->param_resolved || f->n != 1 || f->code[0].op != XOP_PARAM || f->type != TYPE_UNKNOWN) return 0;
    return f->code[0].a;
}
static int untyped_param_prog(const CompileCtx *cc, const ExprProg *p)
{
    if (!cc->sql->param_resolved || p->n != 1 || p->code[0].op != XOP_PARAM || p->type != TYPE_UNKNOWN) return 0;
    return p->code[0].a;
}

/* Describing: an untyped $n that e is, not typed yet, takes type t before
 * the expression around it is compiled, as PostgreSQL types it from the
 * context it stands in (CASE $1 WHEN ...: text; ARRAY[$1]::int[]). */
static void param_take(CompileCtx *cc, const Expr *e, TypeId t)
{
    SqlCtx *sc = cc->sql;
    if (!sc->param_resolved || e->kind != EXPR_PARAM || e->u.param.n < 1 || e->u.param.n > sc->nparams ||
        sc->param_types[e->u.param.n - 1] != TYPE_UNKNOWN)
        return;
    sc->param_types[e->u.param.n - 1] = t;
    sql_param_resolved(sc, e->u.param.n);
}

/* Whether a value of static type from / ftm may be assigned to type to /
 * typmod: assign_ok, and one enum type (or its array) to itself only. */
static bool assign_ok_tm(TypeId from, i32 ftm, TypeId to, i32 typmod)
{
    if (type_has_etype(to) && from == to && ftm >= 0 && typmod >= 0 && ftm != typmod) return false;
    return assign_ok(from, to);
}

static int coerce(Builder *b, Frag *f, TypeId t, i32 typmod, bool explicit_cast, int loc)
{
    CompileCtx *cc = b->cc;
    if (f->n == 1 && f->code[0].op == XOP_PARAM && f->type == TYPE_UNKNOWN && t != TYPE_UNKNOWN &&
        t != TYPE_NULLTYPE) {
        /* read untyped here, then typed by another context before this one
         * wants it as another type: PostgreSQL's variable_coerce_param_hook
         * refuses that (SELECT $1 FROM t WHERE $1 = 1: text versus integer) */
        TypeId now = cc->sql->param_types[f->code[0].a - 1];
        if (now != TYPE_UNKNOWN && now != t) {
            int rc = err_at(cc, DD_EAMBIGUOUS_PARAMETER, f->code[0].loc, "inconsistent types deduced for parameter $%d",
                            f->code[0].a);
            dd_err_detail(cc->sql->err, "%s versus %s", type_name(now), type_name(t));
            return rc;
        }
        sql_param_resolved(cc->sql, f->code[0].a);
        /* an untyped $n takes the type its context needs (describing only:
         * when executing, parameters are typed constants); where an enum is
         * needed it stays untyped (the client sends a label), cast to the
         * enum */
        if (type_has_etype(t) || type_is_reg(t)) {
            /* and a name where a reg* type is wanted ($1::regtype): read
             * when the statement runs, where the catalog is at hand.  The
             * enum is what ParameterDescription names, as PostgreSQL's */
            i32 *pe = cc->sql->param_enums;
            if (pe && type_has_etype(t) && typmod >= 0 && !pe[f->code[0].a - 1])
                pe[f->code[0].a - 1] = type_is_array(t) ? -(typmod + 1) : typmod + 1;
            TypeId *pr = cc->sql->param_regs;
            if (pr && type_is_reg(t) && !pr[f->code[0].a - 1]) pr[f->code[0].a - 1] = t;
            ExprInstr i = ins_make(XOP_CAST, loc);
            i.type = (u8)t;
            i.typmod = typmod;
            i.flags = 1;
            f->type = t;
            f->typmod = typmod;
            return frag_emit(f, i);
        }
        cc->sql->param_types[f->code[0].a - 1] = t;
        f->code[0].type = (u8)t;
        f->type = t;
        f->typmod = -1;
    }
    if (f->type == t && (typmod < 0 || f->typmod == typmod) && !explicit_cast) return DD_OK;
    if (f->type == t && typmod < 0) return DD_OK;
    if (f->const_idx >= 0 && f->n == 1) {
        Value in = b->consts[f->const_idx], out;
        ValueCtx vc = cc->sql->vctx;
        vc.arena = cc->sql->stmt;
        if (!explicit_cast && !assign_ok_tm((TypeId)in.type, f->typmod, t, typmod)) {
            if (cc->assign_col)
                return err_at(cc, DD_EDATATYPE_MISMATCH, loc, "column \"%s\" is of type %s but expression is of type %s",
                              cc->assign_col, type_label(cc, t, typmod), type_label(cc, (TypeId)in.type, f->typmod));
            return err_at(cc, DD_EDATATYPE_MISMATCH, loc, "expression is of type %s but %s is expected",
                          type_label(cc, (TypeId)in.type, f->typmod), type_label(cc, t, typmod));
        }
        int rc = val_cast(&in, t, typmod, explicit_cast, &vc, &out, cc->sql->err);
        if (rc) {
            if (cc->sql->err->position == 0 && f->code[0].loc >= 0)
                cc->sql->err->position = f->code[0].loc + 1;
            return rc;
        }
        b->consts[f->const_idx] = out;
        f->code[0].type = (u8)t;
        f->type = t;
        f->typmod = typmod;
        return DD_OK;
    }
    if (!explicit_cast && !assign_ok_tm(f->type, f->typmod, t, typmod)) {
        if (cc->assign_col)
            return err_at(cc, DD_EDATATYPE_MISMATCH, loc, "column \"%s\" is of type %s but expression is of type %s",
                          cc->assign_col, type_label(cc, t, typmod), type_label(cc, f->type, f->typmod));
        return err_at(cc, DD_EDATATYPE_MISMATCH, loc, "expression is of type %s but %s is expected",
                      type_label(cc, f->type, f->typmod), type_label(cc, t, typmod));
    }
    ExprInstr i = ins_make(XOP_CAST, loc);
    i.type = (u8)t;
    i.typmod = typmod;
    i.flags = explicit_cast ? 1 : 0;
    int rc = frag_emit(f, i);
    f->type = t;
    f->typmod = typmod;
    return rc;
}

/* ---------------------------------------------------------------- names */

/* Finds [q.]name among the relations of s: 1 found (slot, type), 0 not
 * there, <0 error (ambiguous).  *qual_seen: a relation named q exists. */
static int find_in_scope(CompileCtx *cc, const Scope *s, Expr *e, int *slot, TypeId *type, i32 *typmod,
                         bool *qual_seen)
{
    const char *q = e->u.col.qualifier, *name = e->u.col.name;
    int found = -1;
    const ScopeRel *qrel = NULL;
    for (int r = 0; s && r < s->nrels; r++) {
        ScopeRel *rel = &s->rels[r];
        if (q) {
            if (!rel->alias || !rel_named(rel, q)) continue;
            if (qrel && qrel->qualname && rel->qualname && strcmp(qrel->qualname, rel->qualname) != 0)
                return -err_at(cc, DD_EAMBIGUOUS_ALIAS, e->loc, "table reference \"%s\" is ambiguous", q);
            qrel = rel;
            *qual_seen = true;
        }
        for (int c = 0; c < rel->ncols; c++) {
            if (!q && rel->merged_by && rel->merged_by[c] < s->mhi) continue;   /* JOIN USING merged it */
            if (strcmp(rel->names[c], name) == 0) {
                /* a derived table may repeat a name: (SELECT 1 AS a, 2 AS a) */
                if (found >= 0)
                    return -err_at(cc, DD_EAMBIGUOUS_COLUMN, e->loc,
                                   "column reference \"%s\" is ambiguous", name);
                found = rel->slot0 + c;
                if (rel->used) rel->used[c] = true;
                *type = rel->types[c];
                *typmod = rel->typmods ? rel->typmods[c] : -1;
            }
        }
    }
    if (found < 0) return 0;
    *slot = found;
    return 1;
}

/* Finds unqualified name among the merged columns of JOIN ... USING in
 * s: *m its index, or -1; an error when the name is also another column
 * there (ambiguous). */
static int find_merged(CompileCtx *cc, const Scope *s, Expr *e, int *m)
{
    const char *name = e->u.col.name;
    *m = -1;
    if (e->u.col.qualifier) {
        /* alias.name of JOIN ... USING (name) AS alias (even where an
         * enclosing USING merged it again) */
        for (int i = s ? s->mlo : 0; s && i < s->mhi; i++)
            if (s->merged[i].alias && strcmp(s->merged[i].alias, e->u.col.qualifier) == 0 &&
                strcmp(s->merged[i].name, name) == 0)
                *m = i;
        return DD_OK;
    }
    for (int i = s ? s->mlo : 0; s && i < s->mhi; i++) {
        const MergedCol *mc = &s->merged[i];
        if (mc->hidden_by < s->mhi || strcmp(mc->name, name) != 0) continue;
        if (*m >= 0) return err_at(cc, DD_EAMBIGUOUS_COLUMN, e->loc, "column reference \"%s\" is ambiguous", name);
        *m = i;
    }
    for (int r = 0; *m >= 0 && r < s->nrels; r++) {
        ScopeRel *rel = &s->rels[r];
        for (int c = 0; c < rel->ncols; c++)
            if (!(rel->merged_by && rel->merged_by[c] < s->mhi) && strcmp(rel->names[c], name) == 0)
                return err_at(cc, DD_EAMBIGUOUS_COLUMN, e->loc, "column reference \"%s\" is ambiguous", name);
    }
    return DD_OK;
}

/* A merged column of an enclosing query's JOIN ... USING, read from a
 * subquery: the slot of the side it takes (a FULL join's COALESCE is
 * not one slot).  1 found, 0 not a merged column there, <0 error. */
static int find_merged_outer(CompileCtx *cc, const Scope *o, Expr *e, int *slot, TypeId *type, i32 *typmod)
{
    int m;
    int rc = find_merged(cc, o, e, &m);
    if (rc) return -rc;
    if (m < 0) return 0;
    const Expr *x = o->merged[m].expr;
    for (;;) {
        if (x->kind == EXPR_CAST) { x = x->u.cast.arg; continue; }
        if (x->kind == EXPR_COLUMN && x->u.col.star_slot < 0) { x = o->merged[-x->u.col.star_slot - 1].expr; continue; }
        break;
    }
    if (x->kind != EXPR_COLUMN || x->u.col.star_slot <= 0)
        return -err_at(cc, DD_EFEATURE, e->loc,
                       "column \"%s\" of a FULL JOIN ... USING cannot be read from a subquery; name one side's column",
                       e->u.col.name);
    int sl = x->u.col.star_slot - 1;
    for (int r = 0; r < o->nrels; r++) {
        ScopeRel *rel = &o->rels[r];
        if (sl < rel->slot0 || sl >= rel->slot0 + rel->ncols) continue;
        int c = sl - rel->slot0;
        if (rel->used) rel->used[c] = true;
        *type = rel->types[c];
        *typmod = rel->typmods ? rel->typmods[c] : -1;
        *slot = sl;
        return 1;
    }
    return 0;
}

/* Resolves a column: in the query's own scope (*levels 0), else in an
 * enclosing query's (*levels: how many subquery boundaries up, every
 * subquery crossed marked correlated).  In an enclosing query whose
 * expression is grouped, the column must be one of its GROUP BY
 * expressions: the slot is then that key's. */
static int resolve_column_lv(CompileCtx *cc, Expr *e, int *slot, TypeId *type, i32 *typmod, int *levels)
{
    Scope *s = cc->scope;
    const char *q = e->u.col.qualifier, *name = e->u.col.name;
    bool qual_seen = false;
    *levels = 0;
    if (e->u.col.star_slot > 0 && s) {
        /* expanded from *: bound by position (names may repeat) */
        int sl = e->u.col.star_slot - 1;
        for (int r = 0; r < s->nrels; r++) {
            ScopeRel *rel = &s->rels[r];
            if (sl < rel->slot0 || sl >= rel->slot0 + rel->ncols) continue;
            int c = sl - rel->slot0;
            if (rel->used) rel->used[c] = true;
            *type = rel->types[c];
            *typmod = rel->typmods ? rel->typmods[c] : -1;
            *slot = sl;
            return DD_OK;
        }
    }
    int f = find_in_scope(cc, s, e, slot, type, typmod, &qual_seen);
    if (f < 0) return -f;
    if (f > 0) return DD_OK;
    int lv = 0;
    for (const Scope *o = s ? s->outer : NULL; o; o = o->outer) {
        if (o->link) lv++;
        bool qs = false;
        f = find_in_scope(cc, o, e, slot, type, typmod, &qs);
        if (f == 0) f = find_merged_outer(cc, o, e, slot, type, typmod);
        if (f < 0) return -f;
        if (f == 0) continue;
        if (!o->link || !o->cc)
            return err_at(cc, DD_EINTERNAL, e->loc, "outer reference to \"%s\" outside a subquery", name);
        /* every subquery between here and there runs per outer row */
        for (const Scope *m = s->outer; m; m = m->outer) {
            if (m->link) m->link->correlated = true;
            if (m == o) break;
        }
        const CompileCtx *occ = o->cc;
        if (occ->grouped) {
            int g = -1;
            for (int i = 0; i < occ->ngroup && g < 0; i++) {
                Expr *ge = occ->group[i];
                if (ge->kind != EXPR_COLUMN) continue;
                CompileCtx tmp = *cc;
                tmp.scope = (Scope *)o;
                int gs; TypeId gt; i32 gm; bool gq = false;
                DdError saved = *cc->sql->err;
                if (find_in_scope(&tmp, o, ge, &gs, &gt, &gm, &gq) == 1 && gs == *slot) g = i;
                *cc->sql->err = saved;
            }
            if (g < 0)
                return err_at(cc, DD_EGROUPING, e->loc, "subquery uses ungrouped column \"%s%s%s\" from outer query",
                              q ? q : "", q ? "." : "", name);
            *slot = g;
        }
        *levels = lv;
        return DD_OK;
    }
    if (q && !qual_seen) {
        /* alias.x of JOIN ... USING (x) AS alias: the side's column it takes */
        int f2 = find_merged_outer(cc, s, e, slot, type, typmod);
        if (f2 < 0) return -f2;
        if (f2 > 0) return DD_OK;
        for (int i = 0; s && i < s->mhi; i++)
            if (s->merged[i].alias && strcmp(s->merged[i].alias, q) == 0)
                return err_at(cc, DD_EUNDEFINED_COLUMN, e->loc, "column %s.%s does not exist", q, name);
    }
    if (q && !qual_seen && strchr(q, '.')) {
        /* s.t.c where the FROM clause has a t of another schema */
        for (const Scope *o = cc->scope; o; o = o->outer)
            for (int r = 0; r < o->nrels; r++)
                if (strcmp(o->rels[r].alias, strchr(q, '.') + 1) == 0)
                    return err_at(cc, DD_EUNDEFINED_TABLE, e->loc, "invalid reference to FROM-clause entry for table \"%s\"",
                                  o->rels[r].alias);
    }
    if (q && !qual_seen)
        return err_at(cc, DD_EUNDEFINED_TABLE, e->loc,
                      "missing FROM-clause entry for table \"%s\"", q);
    if (q)
        return err_at(cc, DD_EUNDEFINED_COLUMN, e->loc, "column %s.%s does not exist", q, name);
    for (const Scope *o = s; o; o = o->outer)
        for (int r = 0; r < o->nrels; r++)
            if (o->rels[r].alias && strcmp(o->rels[r].alias, name) == 0)
                return err_at(cc, DD_EFEATURE, e->loc,
                              "a whole-row reference (\"%s\") is supported only as the argument of row_to_json, "
                              "to_json, to_jsonb, json_agg and jsonb_agg", name);
    return err_at(cc, DD_EUNDEFINED_COLUMN, e->loc, "column \"%s\" does not exist", name);
}

/* ---------------------------------------------------------------- nodes */

static int compile_node(Builder *b, Expr *e, Frag *f);

static int compile_bool(Builder *b, Expr *e, Frag *f, const char *what)
{
    int rc = compile_node(b, e, f);
    if (rc) return rc;
    if (f->type == TYPE_BOOL) return DD_OK;
    if (f->type == TYPE_UNKNOWN || f->type == TYPE_NULLTYPE) return coerce(b, f, TYPE_BOOL, -1, false, e->loc);
    return err_at(b->cc, DD_EDATATYPE_MISMATCH, e->loc, "argument of %s must be type boolean, not type %s",
                  what, type_name(f->type));
}

/* Common type of several fragments; UNKNOWN-only lists become TEXT. */
/* A type's name in messages: an enum's is its own ("mood"). */
static const char *type_label(CompileCtx *cc, TypeId t, i32 typmod)
{
    if (t == type_array_of(TYPE_ENUM)) {
        const char *n = arena_printf(cc->sql->stmt, "%s[]", enum_type_name(typmod < 0 ? 0 : (u32)typmod, &cc->sql->vctx));
        return n ? n : type_name(t);
    }
    return t == TYPE_ENUM ? enum_type_name(typmod < 0 ? 0 : (u32)typmod, &cc->sql->vctx) : type_name(t);
}

/* The typmod (the enum's id) of the first enum among fs, or -1: what the
 * untyped ones are read as when common_type gives TYPE_ENUM. */
static i32 enum_typmod(const Frag *fs, int n)
{
    for (int i = 0; i < n; i++)
        if (type_has_etype(fs[i].type)) return fs[i].typmod;
    return -1;
}

static int common_type(Builder *b, Frag *fs, int n, int loc, const char *ctxname, TypeId *out)
{
    TypeId t = TYPE_UNKNOWN;
    bool have = false;
    for (int i = 0; i < n; i++) {
        TypeId ft = fs[i].type;
        if (ft == TYPE_UNKNOWN || ft == TYPE_NULLTYPE) continue;
        if (!have) { t = ft; have = true; continue; }
        TypeId c;
        i32 tm = enum_typmod(fs, n);
        if (!type_common(t, ft, &c) || (type_has_etype(ft) && fs[i].typmod != tm)) {
            const char *tn = type_label(b->cc, t, tm), *fn = type_label(b->cc, ft, fs[i].typmod);
            /* two enum types (or their arrays): one category, no cast */
            if (ctxname && ft == t && type_has_etype(ft))
                return err_at(b->cc, DD_ECANNOT_COERCE, loc, "%s could not convert type %s to %s", ctxname, fn, tn);
            if (ctxname)
                return err_at(b->cc, DD_EDATATYPE_MISMATCH, loc, "%s types %s and %s cannot be matched", ctxname, tn, fn);
            return err_at(b->cc, DD_EUNDEFINED_OPERATOR, loc, "operator does not exist: %s = %s", tn, fn);
        }
        /* char(n) and varchar cast to each other implicitly: the first
         * stays, as PostgreSQL's select_common_type keeps it */
        if ((t == TYPE_BPCHAR && ft == TYPE_VARCHAR) || (t == TYPE_VARCHAR && ft == TYPE_BPCHAR)) c = t;
        t = c;
    }
    if (!have) t = TYPE_TEXT;
    *out = t;
    return DD_OK;
}

static int compile_op_call(Builder *b, Expr *e, const char *opname, Frag *fs, Frag *f);

static const char *bop_text(BinaryOp op)
{
    static const char *names[] = {"AND", "OR", "=", "<>", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "^", "||",
                                  "@>", "<@", "&&", "?"};
    return names[op];
}

static int compile_compare(Builder *b, Expr *e, BinaryOp op, Expr *l, Expr *r, Frag *f, ExprOp xop, u8 flags)
{
    Frag fs[2];
    frag_init(&fs[0]);
    frag_init(&fs[1]);
    int rc = compile_node(b, l, &fs[0]);
    if (!rc) rc = compile_node(b, r, &fs[1]);
    TypeId t = TYPE_TEXT;
    if (!rc) {
        TypeId a = fs[0].type, c = fs[1].type;
        bool ua = a == TYPE_UNKNOWN || a == TYPE_NULLTYPE, uc = c == TYPE_UNKNOWN || c == TYPE_NULLTYPE;
        if (ua && uc) t = TYPE_TEXT;
        else if (ua) t = c;
        else if (uc) t = a;
        if (!rc && (a == TYPE_JSON || c == TYPE_JSON))
            rc = err_at(b->cc, DD_EUNDEFINED_OPERATOR, e->loc, "operator does not exist: %s %s %s",
                        ua ? "unknown" : type_name(a), bop_text(op), uc ? "unknown" : type_name(c));
        else if (ua || uc) {
        } else if (!type_common(a, c, &t) || ((type_is_array(a) || type_is_array(c)) && a != c) ||
                   (type_has_etype(a) && fs[0].typmod != fs[1].typmod))
            rc = err_at(b->cc, DD_EUNDEFINED_OPERATOR, e->oploc, "operator does not exist: %s %s %s",
                        type_label(b->cc, a, fs[0].typmod), bop_text(op), type_label(b->cc, c, fs[1].typmod));
    }
    /* char(n) against varchar compares as char(n), trailing blanks
     * insignificant (PostgreSQL casts the varchar; against text it is the
     * char(n) that becomes text, which the comparison's stripping gives) */
    if (!rc && fs[0].type == TYPE_BPCHAR && fs[1].type == TYPE_VARCHAR)
        rc = coerce(b, &fs[1], TYPE_BPCHAR, -1, false, r->loc);
    if (!rc && fs[1].type == TYPE_BPCHAR && fs[0].type == TYPE_VARCHAR)
        rc = coerce(b, &fs[0], TYPE_BPCHAR, -1, false, l->loc);
    /* only coerce untyped sides; typed values compare across types exactly
     * (an untyped side of an enum comparison reads a label of the other's type) */
    if (!rc && (fs[0].type == TYPE_UNKNOWN || fs[0].type == TYPE_NULLTYPE))
        rc = coerce(b, &fs[0], t, type_has_etype(t) ? fs[1].typmod : -1, false, l->loc);
    if (!rc && (fs[1].type == TYPE_UNKNOWN || fs[1].type == TYPE_NULLTYPE))
        rc = coerce(b, &fs[1], t, type_has_etype(t) ? fs[0].typmod : -1, false, r->loc);
    if (!rc) rc = frag_append(f, &fs[0], 0);
    if (!rc) rc = frag_append(f, &fs[1], 1);
    if (!rc) {
        ExprInstr i = ins_make(xop, e->loc);
        i.sub = (u8)op;
        i.flags = flags;
        i.type = TYPE_BOOL;
        rc = frag_emit(f, i);
        f->type = TYPE_BOOL;
    }
    frag_free(&fs[0]);
    frag_free(&fs[1]);
    return rc;
}

static int compile_arith(Builder *b, Expr *e, Frag *f)
{
    BinaryOp op = e->u.bin.op;
    ArithOp aop = op == BOP_ADD ? ARITH_ADD : op == BOP_SUB ? ARITH_SUB : op == BOP_MUL ? ARITH_MUL
                : op == BOP_DIV ? ARITH_DIV : op == BOP_MOD ? ARITH_MOD : ARITH_POW;
    Frag fs[2];
    frag_init(&fs[0]);
    frag_init(&fs[1]);
    int rc = compile_node(b, e->u.bin.l, &fs[0]);
    if (!rc) rc = compile_node(b, e->u.bin.r, &fs[1]);
    if (!rc && aop == ARITH_SUB && fs[0].type == TYPE_JSONB) return compile_op_call(b, e, "-", fs, f);
    if (!rc && (fs[0].type == TYPE_JSON || fs[0].type == TYPE_JSONB || fs[1].type == TYPE_JSON || fs[1].type == TYPE_JSONB)) {
        bool ua = fs[0].type == TYPE_UNKNOWN || fs[0].type == TYPE_NULLTYPE;
        bool ub = fs[1].type == TYPE_UNKNOWN || fs[1].type == TYPE_NULLTYPE;
        rc = err_at(b->cc, DD_EUNDEFINED_OPERATOR, e->loc, "operator does not exist: %s %s %s",
                    ua ? "unknown" : type_name(fs[0].type), bop_text(op), ub ? "unknown" : type_name(fs[1].type));
        dd_err_hint(b->cc->sql->err, "No operator matches the given name and argument types. "
                                     "You might need to add explicit type casts.");
    }
    if (!rc) {
        bool ua = fs[0].type == TYPE_UNKNOWN || fs[0].type == TYPE_NULLTYPE;
        bool ub = fs[1].type == TYPE_UNKNOWN || fs[1].type == TYPE_NULLTYPE;
        if (ua && ub) {
            rc = coerce(b, &fs[0], TYPE_NUMERIC, -1, false, e->u.bin.l->loc);
            if (!rc) rc = coerce(b, &fs[1], TYPE_NUMERIC, -1, false, e->u.bin.r->loc);
        } else if (ua) {
            /* timestamp - 'x' reads 'x' as an interval, as PostgreSQL resolves it */
            TypeId want = fs[1].type;
            rc = coerce(b, &fs[0], want, -1, false, e->u.bin.l->loc);
        } else if (ub) {
            TypeId want = fs[0].type;
            if (type_is_datetime(want) && (aop == ARITH_ADD || aop == ARITH_SUB)) want = TYPE_INTERVAL;
            rc = coerce(b, &fs[1], want, -1, false, e->u.bin.r->loc);
        }
    }
    TypeId rt = TYPE_NUMERIC;
    if (!rc && !val_arith_type(aop, fs[0].type, fs[1].type, &rt))
        rc = err_at(b->cc, DD_EUNDEFINED_OPERATOR, e->loc, "operator does not exist: %s %s %s",
                    type_label(b->cc, fs[0].type, fs[0].typmod), bop_text(op), type_label(b->cc, fs[1].type, fs[1].typmod));
    if (!rc) rc = frag_append(f, &fs[0], 0);
    if (!rc) rc = frag_append(f, &fs[1], 1);
    if (!rc) {
        ExprInstr i = ins_make(XOP_ARITH, e->loc);
        i.sub = (u8)aop;
        i.type = (u8)rt;
        rc = frag_emit(f, i);
        f->type = rt;
    }
    frag_free(&fs[0]);
    frag_free(&fs[1]);
    return rc;
}

/* An operator that is a function by its symbol (the json ones, and || and
 * - with a jsonb operand): both sides compiled, the form chosen by
 * json_op_lookup's resolvers, untyped sides coerced.  fs: the compiled
 * operands (freed here). */
static int compile_op_call(Builder *b, Expr *e, const char *opname, Frag *fs, Frag *f)
{
    TypeId types[2] = {fs[0].type, fs[1].type}, ret = TYPE_NULLTYPE;
    const FuncDef *fd = NULL;
    for (int k = 0; (fd = op_func_lookup(opname, k)); k++) {
        types[0] = fs[0].type;
        types[1] = fs[1].type;
        if (fd->resolve(types, 2, &ret)) break;
    }
    int rc = DD_OK;
    if (!fd) {
        const char *l = fs[0].type == TYPE_UNKNOWN || fs[0].type == TYPE_NULLTYPE ? "unknown" : type_name(fs[0].type);
        const char *r = fs[1].type == TYPE_UNKNOWN || fs[1].type == TYPE_NULLTYPE ? "unknown" : type_name(fs[1].type);
        rc = err_at(b->cc, DD_EUNDEFINED_OPERATOR, e->oploc, "operator does not exist: %s %s %s", l, opname, r);
        dd_err_hint(b->cc->sql->err, "No operator matches the given name and argument types. "
                                     "You might need to add explicit type casts.");
    }
    Expr *args[2] = {e->u.bin.l, e->u.bin.r};
    for (int i = 0; !rc && i < 2; i++)
        if (types[i] != fs[i].type) rc = coerce(b, &fs[i], types[i], -1, false, args[i]->loc);
    if (!rc) rc = frag_append(f, &fs[0], 0);
    if (!rc) rc = frag_append(f, &fs[1], 1);
    if (!rc) {
        ExprInstr ins = ins_make(XOP_FUNC, e->loc);
        ins.fn = fd->impl;
        ins.a = 2;
        ins.type = (u8)ret;
        f->type = ret;
        f->typmod = -1;
        f->depth = DD_MAX(f->depth, 1);
        rc = frag_emit(f, ins);
    }
    frag_free(&fs[0]);
    frag_free(&fs[1]);
    return rc;
}

static int compile_json_op(Builder *b, Expr *e, const char *opname, Frag *f)
{
    Frag fs[2];
    frag_init(&fs[0]);
    frag_init(&fs[1]);
    int rc = compile_node(b, e->u.bin.l, &fs[0]);
    if (!rc) rc = compile_node(b, e->u.bin.r, &fs[1]);
    if (rc) {
        frag_free(&fs[0]);
        frag_free(&fs[1]);
        return rc;
    }
    return compile_op_call(b, e, opname, fs, f);
}

/* Compiles args[0..n) to fragments coerced to their common type. */
static int list_common(Builder *b, Expr **args, int n, Frag *fs, int loc, const char *ctxname, TypeId *t);

static int compile_list_common(Builder *b, Expr **args, int n, Frag *fs, int loc, const char *ctxname, TypeId *t)
{
    for (int i = 0; i < n; i++) frag_init(&fs[i]);
    for (int i = 0; i < n; i++) {
        int rc = compile_node(b, args[i], &fs[i]);
        if (rc) return rc;
    }
    return list_common(b, args, n, fs, loc, ctxname, t);
}

/* a BETWEEN lo AND hi compiled into fs[0..2]: PostgreSQL reads it as
 * a >= lo AND a <= hi, so an untyped $n as a takes lo's type (text when
 * lo is untyped too, which types it text), and hi must then compare with
 * that type (SELECT $1 BETWEEN 1 AND 2.5: $1 is an integer). */
static int compile_between_params(Builder *b, Expr *e, Expr **all, Frag *fs)
{
    for (int i = 0; i < 3; i++) frag_init(&fs[i]);
    for (int i = 0; i < 3; i++) {
        int rc = compile_node(b, all[i], &fs[i]);
        if (rc) return rc;
    }
    if (!untyped_param_frag(b->cc, &fs[0]) || type_has_etype(fs[1].type)) return DD_OK;
    bool ulo = fs[1].type == TYPE_UNKNOWN || fs[1].type == TYPE_NULLTYPE;
    TypeId t = ulo ? TYPE_TEXT : fs[1].type, c;
    int rc = coerce(b, &fs[0], t, -1, false, all[0]->loc);
    if (!rc && ulo) rc = coerce(b, &fs[1], t, -1, false, all[1]->loc);
    TypeId h = fs[2].type;
    if (!rc && h != TYPE_UNKNOWN && h != TYPE_NULLTYPE && h != t && !type_common(t, h, &c))
        rc = err_at(b->cc, DD_EUNDEFINED_OPERATOR, e->oploc, "operator does not exist: %s %s %s", type_name(t),
                    e->u.between.negated ? ">" : "<=", type_name(h));
    return rc;
}

/* The common type of the compiled fs[0..n) into *t, each coerced to it. */
static int list_common(Builder *b, Expr **args, int n, Frag *fs, int loc, const char *ctxname, TypeId *t)
{
    int rc = common_type(b, fs, n, loc, ctxname, t);
    if (rc) return rc;
    i32 tm = type_has_etype(*t) ? enum_typmod(fs, n) : -1;
    for (int i = 0; i < n; i++) {
        rc = coerce(b, &fs[i], *t, tm, false, args[i]->loc);
        if (rc) return rc;
    }
    return DD_OK;
}

static int compile_case_in(Builder *b, Expr *e, Frag *f);
static int compile_coalesce_in(Builder *b, Expr *e, Frag *f);

/* CASE and COALESCE evaluate lazily: no set-returning call inside (as
 * PostgreSQL 10+). */
static int without_srfs(Builder *b, Expr *e, Frag *f, const char *what,
                        int (*fn)(Builder *, Expr *, Frag *))
{
    CompileCtx *cc = b->cc;
    bool allowed = cc->srf_allowed;
    const char *forbidden = cc->srf_forbidden;
    if (allowed) {
        cc->srf_allowed = false;
        cc->srf_forbidden = what;
    }
    int rc = fn(b, e, f);
    cc->srf_allowed = allowed;
    cc->srf_forbidden = forbidden;
    return rc;
}
static int compile_enum_array_ctor(Builder *b, Expr *e, i32 etype, Frag *f);
static int compile_case(Builder *b, Expr *e, Frag *f) { return without_srfs(b, e, f, "CASE", compile_case_in); }
static int compile_coalesce(Builder *b, Expr *e, Frag *f)
{
    return without_srfs(b, e, f, "COALESCE", compile_coalesce_in);
}

static int compile_case_in(Builder *b, Expr *e, Frag *f)
{
    int n = e->u.case_.n;
    /* CASE $1 WHEN ...: an untyped operand is text, as PostgreSQL's */
    if (e->u.case_.operand) param_take(b->cc, e->u.case_.operand, TYPE_TEXT);
    int nv = n + 1;
    Frag *conds = dd_calloc((size_t)n + 1, sizeof(Frag));
    Frag *vals = dd_calloc((size_t)nv, sizeof(Frag));
    int rc = (!conds || !vals) ? DD_ENOMEM : DD_OK;
    for (int i = 0; !rc && i < n; i++) {
        frag_init(&conds[i]);
        if (e->u.case_.operand) {
            /* simple CASE x WHEN v: compiled as x = v */
            Expr eq;
            memset(&eq, 0, sizeof(eq));
            eq.kind = EXPR_BINARY;
            eq.loc = e->u.case_.when[i]->loc;
            eq.u.bin.op = BOP_EQ;
            eq.u.bin.l = e->u.case_.operand;
            eq.u.bin.r = e->u.case_.when[i];
            rc = compile_compare(b, &eq, BOP_EQ, eq.u.bin.l, eq.u.bin.r, &conds[i], XOP_CMP, 0);
        } else {
            rc = compile_bool(b, e->u.case_.when[i], &conds[i], "CASE/WHEN");
        }
    }
    for (int i = 0; i < nv; i++) frag_init(&vals[i]);
    for (int i = 0; !rc && i < n; i++) rc = compile_node(b, e->u.case_.then[i], &vals[i]);
    if (!rc) {
        if (e->u.case_.else_) rc = compile_node(b, e->u.case_.else_, &vals[n]);
        else rc = frag_const(b, &vals[n], val_null(TYPE_NULLTYPE), e->loc);
    }
    /* PostgreSQL takes CASE's type from the ELSE first, then the THENs in
     * order: two enum types (or their arrays) fail on a THEN */
    for (int i = -1, ref = -1; !rc && i < n; i++) {
        int k = i < 0 ? n : i;
        if (vals[k].type == TYPE_UNKNOWN || vals[k].type == TYPE_NULLTYPE) continue;
        if (ref < 0) ref = k;
        else if (type_has_etype(vals[k].type) && vals[k].type == vals[ref].type && vals[k].typmod != vals[ref].typmod)
            rc = err_at(b->cc, DD_ECANNOT_COERCE, e->loc, "CASE/WHEN could not convert type %s to %s",
                        type_label(b->cc, vals[k].type, vals[k].typmod), type_label(b->cc, vals[ref].type, vals[ref].typmod));
    }
    TypeId t = TYPE_TEXT;
    if (!rc) rc = common_type(b, vals, nv, e->loc, "CASE", &t);
    i32 tm = type_has_etype(t) ? enum_typmod(vals, nv) : -1;
    for (int i = 0; !rc && i < nv; i++) rc = coerce(b, &vals[i], t, tm, false, e->loc);
    /* layout: cond_i JUMP_IFNOT(next) val_i JUMP(end) ... else */
    if (!rc) {
        int total = 0;
        for (int i = 0; i < n; i++) total += conds[i].n + 1 + vals[i].n + 1;
        total += vals[n].n;
        int pos = 0;
        for (int i = 0; !rc && i < n; i++) {
            rc = frag_append(f, &conds[i], 0);
            ExprInstr j = ins_make(XOP_JUMP_IFNOT, e->loc);
            j.a = vals[i].n + 2;           /* skip value and its jump */
            if (!rc) rc = frag_emit(f, j);
            if (!rc) rc = frag_append(f, &vals[i], 0);
            pos += conds[i].n + 1 + vals[i].n;
            ExprInstr k = ins_make(XOP_JUMP, e->loc);
            k.a = total - pos;             /* to the end */
            if (!rc) rc = frag_emit(f, k);
            pos++;
        }
        if (!rc) rc = frag_append(f, &vals[n], 0);
        f->type = t;
        if (type_has_etype(t)) f->typmod = tm;
    }
    for (int i = 0; conds && i < n; i++) frag_free(&conds[i]);
    for (int i = 0; vals && i < nv; i++) frag_free(&vals[i]);
    dd_free(conds);
    dd_free(vals);
    return rc;
}

static int compile_coalesce_in(Builder *b, Expr *e, Frag *f)
{
    int n = e->u.func.n;
    if (n < 1) return err_at(b->cc, DD_ESYNTAX, e->loc, "syntax error at or near \")\"");
    Frag *fs = dd_calloc((size_t)n, sizeof(Frag));
    if (!fs) return DD_ENOMEM;
    TypeId t;
    int rc = compile_list_common(b, e->u.func.args, n, fs, e->loc, "COALESCE", &t);
    if (!rc) {
        int total = 0;
        for (int i = 0; i < n; i++) total += fs[i].n + (i < n - 1 ? 2 : 0);
        int pos = 0;
        for (int i = 0; !rc && i < n; i++) {
            rc = frag_append(f, &fs[i], 0);
            pos += fs[i].n;
            if (i < n - 1 && !rc) {
                ExprInstr j = ins_make(XOP_JUMP_NOTNULL, e->loc);
                j.a = total - pos;
                rc = frag_emit(f, j);
                ExprInstr p = ins_make(XOP_POP, e->loc);
                if (!rc) rc = frag_emit(f, p);
                pos += 2;
            }
        }
        f->type = t;
        if (type_has_etype(t)) f->typmod = fs[0].typmod;   /* compile_list_common gave each the enum's */
    }
    for (int i = 0; i < n; i++) frag_free(&fs[i]);
    dd_free(fs);
    return rc;
}

static int build_ordered_set(CompileCtx *cc, CompileCtx *sub, Expr *e, AggKind kind, AggSpec *a);

/* The AggSpec of aggregate call e: its argument compiled in sub (the
 * context of the rows it aggregates), its result type. */
static int build_agg(CompileCtx *cc, CompileCtx *sub, Expr *e, AggKind kind, AggSpec *a)
{
    a->kind = kind;
    a->distinct = e->u.func.distinct;
    a->ast = e;
    int rc = DD_OK;
    if (e->u.func.filter) {
        const char *saved = sub->agg_forbidden;
        sub->agg_forbidden = "FILTER";
        rc = expr_compile_as(sub, e->u.func.filter, TYPE_BOOL, -1, &a->filter);
        sub->agg_forbidden = saved;
        if (rc) return rc;
    }
    if (e->u.func.norder) {
        int k = e->u.func.norder;
        a->ord = arena_alloc(cc->sql->stmt, sizeof(ExprProg *) * (size_t)k);
        a->ord_desc = arena_alloc(cc->sql->stmt, sizeof(bool) * (size_t)k);
        a->ord_nulls_first = arena_alloc(cc->sql->stmt, sizeof(bool) * (size_t)k);
        a->ord_arg = arena_alloc(cc->sql->stmt, (size_t)k);
        if (!a->ord || !a->ord_desc || !a->ord_nulls_first || !a->ord_arg) return DD_ENOMEM;
        bool two = kind == AGG_STRING_AGG || kind == AGG_JSON_OBJECT_AGG || kind == AGG_JSONB_OBJECT_AGG;
        for (int i = 0; i < k; i++) {
            SortItem *si = e->u.func.order[i];
            /* a key that is an argument is that argument's value; an
             * ordered-set aggregate's value is its sort key */
            a->ord_arg[i] = agg_is_ordered_set(kind) ? 0
                            : e->u.func.n > 0 && ast_expr_equal(si->expr, e->u.func.args[0]) ? 0
                            : two && e->u.func.n > 1 && ast_expr_equal(si->expr, e->u.func.args[1]) ? 1 : -1;
            if (a->distinct) {
                bool in = false;
                for (int j = 0; j < e->u.func.n && !in; j++) in = ast_expr_equal(si->expr, e->u.func.args[j]);
                if (!in)
                    return err_at(cc, DD_EINVALID_COLUMN_REF, si->expr->loc,
                                  "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list");
            }
            const char *saved = sub->agg_forbidden;
            sub->agg_forbidden = "aggregate function calls";
            rc = expr_compile(sub, si->expr, &a->ord[i]);
            sub->agg_forbidden = saved;
            if (rc) return rc;
            a->ord_desc[i] = si->desc;
            a->ord_nulls_first[i] = si->nulls == 1 || (si->nulls == 0 && si->desc);
        }
        a->nord = k;
    }
    int nargs = e->u.func.n;
    if (agg_is_ordered_set(kind)) return build_ordered_set(cc, sub, e, kind, a);
    if (kind == AGG_COUNT_STAR) {
        a->type = TYPE_INT8;
    } else {
        if (nargs != (kind == AGG_STRING_AGG || kind == AGG_JSON_OBJECT_AGG || kind == AGG_JSONB_OBJECT_AGG ||
                      agg_is_regr(kind) ? 2 : 1))
            return err_at(cc, DD_EUNDEFINED_FUNCTION, e->loc, "function %s with %d arguments does not exist",
                          e->u.func.name, nargs);
        rc = expr_compile(sub, e->u.func.args[0], &a->arg);
        if (rc) return rc;
        /* an aggregate whose argument reads only an enclosing query's
         * columns belongs to that query in SQL (sum(outer.x) inside a
         * subquery sums over the outer rows); DriftDB does not lift it
         * there yet, and must not answer as if it were this query's */
        bool local = false, outer = false;
        for (int i = 0; i < a->arg->n; i++) {
            local |= a->arg->code[i].op == XOP_SLOT;
            outer |= a->arg->code[i].op == XOP_OUTER;
        }
        if (outer && !local)
            return err_at(cc, DD_EFEATURE, e->loc,
                          "an aggregate of an enclosing query's columns inside a subquery is not supported");
        TypeId at = a->arg->type;
        int pn = untyped_param_prog(cc, a->arg);
        if (pn && (kind == AGG_MIN || kind == AGG_MAX)) {
            /* min($1) / max($1): text's, the one PostgreSQL picks */
            cc->sql->param_types[pn - 1] = TYPE_TEXT;
            sql_param_resolved(cc->sql, pn);
        } else if (pn && (kind == AGG_SUM || kind == AGG_AVG || kind == AGG_ARRAY_AGG)) {
            rc = err_at(cc, DD_EAMBIGUOUS_FUNCTION, e->loc, "function %s(unknown) is not unique", e->u.func.name);
            dd_err_hint(cc->sql->err, "Could not choose a best candidate function. "
                                      "You might need to add explicit type casts.");
            return rc;
        }
        if (a->distinct && at == TYPE_JSON)
            return err_at(cc, DD_EUNDEFINED_FUNCTION, e->u.func.args[0]->loc,
                          "could not identify an equality operator for type json");
        switch (kind) {
        case AGG_COUNT: a->type = TYPE_INT8; break;
        case AGG_SUM:
            if (at == TYPE_INT2 || at == TYPE_INT4) a->type = TYPE_INT8;
            else if (at == TYPE_INT8 || at == TYPE_NUMERIC || at == TYPE_UNKNOWN) a->type = TYPE_NUMERIC;
            else if (at == TYPE_FLOAT4 || at == TYPE_FLOAT8 || at == TYPE_INTERVAL) a->type = at;
            else return err_at(cc, DD_EUNDEFINED_FUNCTION, e->loc, "function sum(%s) does not exist",
                               type_label(cc, at, a->arg->typmod));
            break;
        case AGG_AVG:
            if (type_is_int(at) || at == TYPE_NUMERIC) a->type = TYPE_NUMERIC;
            else if (at == TYPE_FLOAT4 || at == TYPE_FLOAT8 || at == TYPE_INTERVAL) a->type = at == TYPE_INTERVAL ? at : TYPE_FLOAT8;
            else return err_at(cc, DD_EUNDEFINED_FUNCTION, e->loc, "function avg(%s) does not exist",
                               type_label(cc, at, a->arg->typmod));
            break;
        case AGG_MIN: case AGG_MAX:
            if (at == TYPE_JSON || at == TYPE_JSONB || at == TYPE_RECORD) {
                rc = err_at(cc, DD_EUNDEFINED_FUNCTION, e->loc, "function %s(%s) does not exist", e->u.func.name,
                            type_label(cc, at, a->arg->typmod));
                dd_err_hint(cc->sql->err, "No function matches the given name and argument types. "
                                          "You might need to add explicit type casts.");
                return rc;
            }
            /* PostgreSQL has no min / max of name or "char": the text ones */
            if ((at == TYPE_NAME || at == TYPE_CHAR) && (rc = expr_compile_as(sub, e->u.func.args[0], TYPE_TEXT, -1, &a->arg)))
                return rc;
            a->type = at == TYPE_UNKNOWN || at == TYPE_NAME || at == TYPE_CHAR ? TYPE_TEXT : at;
            a->typmod = type_has_etype(at) ? a->arg->typmod : -1;
            break;
        case AGG_BIT_AND: case AGG_BIT_OR: case AGG_BIT_XOR:
            /* of smallint, integer or bigint, in its type */
            if (!type_is_int(at)) {
                rc = err_at(cc, DD_EUNDEFINED_FUNCTION, e->loc, "function %s(%s) does not exist", e->u.func.name,
                            at == TYPE_UNKNOWN || at == TYPE_NULLTYPE ? "unknown" : type_label(cc, at, a->arg->typmod));
                dd_err_hint(cc->sql->err, "No function matches the given name and argument types. "
                                          "You might need to add explicit type casts.");
                return rc;
            }
            a->type = at;
            break;
        case AGG_BOOL_AND: case AGG_BOOL_OR:
            if (at != TYPE_BOOL)
                return err_at(cc, DD_EUNDEFINED_FUNCTION, e->loc, "function %s(%s) does not exist",
                              e->u.func.name, type_label(cc, at, a->arg->typmod));
            a->type = TYPE_BOOL;
            break;
        case AGG_ARRAY_AGG:
            if (at == TYPE_UNKNOWN || at == TYPE_NULLTYPE) at = TYPE_TEXT;
            if (!type_is_array(at) && !type_has_array(at))
                return err_at(cc, DD_EUNDEFINED_OBJECT, e->loc, "could not find array type for data type %s",
                              type_label(cc, at, a->arg->typmod));
            if (a->arg->type != at && (rc = expr_compile_as(sub, e->u.func.args[0], at, -1, &a->arg))) return rc;
            a->type = type_is_array(at) ? at : type_array_of(at);
            a->typmod = type_has_etype(at) ? a->arg->typmod : -1;
            break;
        case AGG_STRING_AGG:
            /* string_agg(text, text) or string_agg(bytea, bytea) */
            if ((rc = expr_compile(sub, e->u.func.args[1], &a->arg2))) return rc;
            {
                TypeId dt = a->arg2->type;
                bool u1 = at == TYPE_UNKNOWN || at == TYPE_NULLTYPE, u2 = dt == TYPE_UNKNOWN || dt == TYPE_NULLTYPE;
                bool ok1 = u1 || type_is_string(at) || at == TYPE_BYTEA, ok2 = u2 || type_is_string(dt) || dt == TYPE_BYTEA;
                if (!ok1 || !ok2 || (!u1 && !u2 && (dt == TYPE_BYTEA) != (at == TYPE_BYTEA)))
                    return err_at(cc, DD_EUNDEFINED_FUNCTION, e->loc, "function string_agg(%s, %s) does not exist",
                                  u1 ? "unknown" : type_label(cc, at, a->arg->typmod),
                                  u2 ? "unknown" : type_label(cc, dt, a->arg2->typmod));
                a->type = at == TYPE_BYTEA || (u1 && dt == TYPE_BYTEA) ? TYPE_BYTEA : TYPE_TEXT;
            }
            /* char(n) as text (its padding dropped), as PostgreSQL's implicit cast */
            if (at != a->type && (rc = expr_compile_as(sub, e->u.func.args[0], a->type, -1, &a->arg))) return rc;
            rc = expr_compile_as(sub, e->u.func.args[1], a->type, -1, &a->arg2);
            if (rc) return rc;
            break;
        case AGG_JSON_AGG: case AGG_JSONB_AGG:
        case AGG_JSON_OBJECT_AGG: case AGG_JSONB_OBJECT_AGG:
            /* json(b)_agg(anyelement): an untyped literal has no type to
             * take; the object aggregates take "any" (text) */
            if ((kind == AGG_JSON_AGG || kind == AGG_JSONB_AGG) && (at == TYPE_UNKNOWN || at == TYPE_NULLTYPE))
                return err_at(cc, DD_EDATATYPE_MISMATCH, e->loc,
                              "could not determine polymorphic type because input has type unknown");
            if (at == TYPE_UNKNOWN || at == TYPE_NULLTYPE) {
                rc = expr_compile_as(sub, e->u.func.args[0], TYPE_TEXT, -1, &a->arg);
                if (rc) return rc;
            }
            if (kind == AGG_JSON_OBJECT_AGG || kind == AGG_JSONB_OBJECT_AGG) {
                rc = expr_compile(sub, e->u.func.args[1], &a->arg2);
                if (!rc && (a->arg2->type == TYPE_UNKNOWN || a->arg2->type == TYPE_NULLTYPE))
                    rc = expr_compile_as(sub, e->u.func.args[1], TYPE_TEXT, -1, &a->arg2);
                if (rc) return rc;
            }
            a->type = kind == AGG_JSON_AGG || kind == AGG_JSON_OBJECT_AGG ? TYPE_JSON : TYPE_JSONB;
            a->of_rows = e->u.func.of_row;
            break;
        case AGG_COVAR_POP: case AGG_COVAR_SAMP: case AGG_CORR: case AGG_REGR_COUNT: case AGG_REGR_AVGX:
        case AGG_REGR_AVGY: case AGG_REGR_SXX: case AGG_REGR_SYY: case AGG_REGR_SXY: case AGG_REGR_SLOPE:
        case AGG_REGR_INTERCEPT: case AGG_REGR_R2: {
            /* (y, x) as double precision */
            if ((rc = expr_compile(sub, e->u.func.args[1], &a->arg2))) return rc;
            TypeId xt = a->arg2->type;
            bool ok = true;
            TypeId ts[2] = {at, xt};
            for (int i = 0; i < 2; i++)
                ok = ok && (ts[i] == TYPE_UNKNOWN || ts[i] == TYPE_NULLTYPE || type_is_numeric(ts[i]));
            if (!ok)
                return err_at(cc, DD_EUNDEFINED_FUNCTION, e->loc, "function %s(%s, %s) does not exist",
                              e->u.func.name, type_name(at == TYPE_NULLTYPE ? TYPE_UNKNOWN : at),
                              type_name(xt == TYPE_NULLTYPE ? TYPE_UNKNOWN : xt));
            if (a->distinct)
                return err_at(cc, DD_EFEATURE, e->loc, "DISTINCT is not supported for %s", e->u.func.name);
            if ((rc = expr_compile_as(sub, e->u.func.args[0], TYPE_FLOAT8, -1, &a->arg)) ||
                (rc = expr_compile_as(sub, e->u.func.args[1], TYPE_FLOAT8, -1, &a->arg2)))
                return rc;
            a->type = kind == AGG_REGR_COUNT ? TYPE_INT8 : TYPE_FLOAT8;
            break;
        }
        case AGG_VAR_SAMP: case AGG_VAR_POP: case AGG_STDDEV_SAMP: case AGG_STDDEV_POP:
            /* numeric for exact input, double precision for float input */
            if (at == TYPE_UNKNOWN || at == TYPE_NULLTYPE) at = TYPE_FLOAT8;
            if (type_is_int(at) || at == TYPE_NUMERIC) a->type = TYPE_NUMERIC;
            else if (at == TYPE_FLOAT4 || at == TYPE_FLOAT8) a->type = TYPE_FLOAT8;
            else return err_at(cc, DD_EUNDEFINED_FUNCTION, e->loc, "function %s(%s) does not exist",
                               e->u.func.name, type_label(cc, at, a->arg->typmod));
            if (a->arg->type != a->type && (rc = expr_compile_as(sub, e->u.func.args[0], a->type, -1, &a->arg)))
                return rc;
            break;
        default: break;
        }
    }
    bool two = kind == AGG_STRING_AGG || kind == AGG_JSON_OBJECT_AGG || kind == AGG_JSONB_OBJECT_AGG;
    if (a->distinct && !a->nord && (two || kind == AGG_JSON_AGG || kind == AGG_JSONB_AGG)) {
        /* PostgreSQL sorts a DISTINCT aggregate's input by its arguments:
         * the order an aggregate that depends on it takes its values in */
        int k = two ? 2 : 1;
        a->ord = arena_alloc(cc->sql->stmt, sizeof(ExprProg *) * (size_t)k);
        a->ord_desc = arena_zalloc(cc->sql->stmt, sizeof(bool) * (size_t)k);
        a->ord_nulls_first = arena_zalloc(cc->sql->stmt, sizeof(bool) * (size_t)k);
        a->ord_arg = arena_alloc(cc->sql->stmt, (size_t)k);
        if (!a->ord || !a->ord_desc || !a->ord_nulls_first || !a->ord_arg) return DD_ENOMEM;
        for (int i = 0; i < k; i++) {
            a->ord[i] = i ? a->arg2 : a->arg;
            a->ord_arg[i] = (signed char)i;
        }
        a->nord = k;
    }
    return DD_OK;
}

/* percentile_cont / percentile_disc (fraction or array of fractions) and
 * mode(), each WITHIN GROUP (ORDER BY x): a->arg is x (as double precision
 * for percentile_cont of a number), a->ord[0] its sort key, a->arg2 the
 * fraction(s), evaluated over the group's first row. */
static int build_ordered_set(CompileCtx *cc, CompileCtx *sub, Expr *e, AggKind kind, AggSpec *a)
{
    const char *name = e->u.func.name;
    int nargs = e->u.func.n, want = kind == AGG_MODE ? 0 : 1, rc;
    ExprProg *direct = NULL;
    if (nargs == want && want == 1 && (rc = expr_compile(sub, e->u.func.args[0], &direct))) return rc;
    TypeId dt = direct ? direct->type : TYPE_UNKNOWN;
    if (direct && (dt == TYPE_UNKNOWN || dt == TYPE_NULLTYPE)) dt = TYPE_FLOAT8;
    bool frac_ok = direct && (type_is_numeric(dt) || (type_is_array(dt) && type_is_numeric(type_elem(dt))));
    TypeId xt = e->u.func.norder == 1 ? a->ord[0]->type : TYPE_UNKNOWN;
    if (xt == TYPE_UNKNOWN || xt == TYPE_NULLTYPE) xt = TYPE_TEXT;
    bool x_ok = e->u.func.norder == 1 &&
                (kind != AGG_PERCENTILE_CONT || type_is_numeric(xt) || xt == TYPE_INTERVAL);
    if (nargs != want || (want && !frac_ok) || !x_ok || !e->u.func.within_group) {
        /* function percentile_disc(numeric, integer, integer) does not exist */
        char sig[256];
        size_t o = 0;
        sig[0] = 0;
        for (int i = 0; i < nargs; i++) {
            ExprProg *p = i == 0 ? direct : NULL;
            if (!p && (rc = expr_compile(sub, e->u.func.args[i], &p))) return rc;
            TypeId t = p->type == TYPE_UNKNOWN ? TYPE_NUMERIC : p->type;
            o += (size_t)snprintf(sig + o, sizeof(sig) - o, "%s%s", o ? ", " : "", type_name(t));
            if (o >= sizeof(sig)) o = sizeof(sig) - 1;
        }
        for (int i = 0; i < e->u.func.norder && e->u.func.within_group; i++) {
            o += (size_t)snprintf(sig + o, sizeof(sig) - o, "%s%s", o ? ", " : "",
                                  type_name(a->ord[i]->type == TYPE_UNKNOWN ? TYPE_TEXT : a->ord[i]->type));
            if (o >= sizeof(sig)) o = sizeof(sig) - 1;
        }
        return err_at(cc, DD_EUNDEFINED_FUNCTION, e->loc, "function %s(%s) does not exist", name, sig);
    }
    if (e->u.func.distinct)
        return err_at(cc, DD_ESYNTAX, e->loc, "cannot use DISTINCT with WITHIN GROUP");
    if (direct && cc->grouped) {
        /* the direct argument belongs to the grouped query (PostgreSQL: an
         * ungrouped column there is 42803); checked by compiling it there,
         * it is evaluated over the group's first row */
        CompileCtx chk = *cc;
        ExprProg *tmp;
        chk.agg_forbidden = "aggregate function calls";
        chk.win_allowed = false;
        chk.srf_allowed = false;
        if ((rc = expr_compile(&chk, e->u.func.args[0], &tmp))) return rc;
    }
    if (direct) {
        TypeId ft = type_is_array(dt) ? type_array_of(TYPE_FLOAT8) : TYPE_FLOAT8;
        if ((rc = expr_compile_as(sub, e->u.func.args[0], ft, -1, &a->arg2))) return rc;
    }
    TypeId vt = xt;
    if (kind == AGG_PERCENTILE_CONT && xt != TYPE_INTERVAL) vt = TYPE_FLOAT8;
    if ((rc = expr_compile_as(sub, e->u.func.order[0]->expr, vt, -1, &a->arg))) return rc;
    a->type = direct && type_is_array(dt) ? type_array_of(vt) : vt;
    return DD_OK;
}

static int register_agg(Builder *b, Expr *e, AggKind kind, int *idx)
{
    CompileCtx *cc = b->cc;
    for (int i = 0; i < cc->naggs; i++) {
        if (ast_expr_equal(cc->aggs[i]->ast, e)) { *idx = i; return DD_OK; }
    }
    AggSpec *a = arena_zalloc(cc->sql->stmt, sizeof(*a));
    if (!a) return DD_ENOMEM;
    /* arguments are evaluated over the input rows, outside the grouping */
    CompileCtx sub = *cc;
    sub.grouped = false;
    sub.agg_forbidden = "aggregate function calls";
    sub.win_allowed = false;
    sub.srf_allowed = false;
    int rc = build_agg(cc, &sub, e, kind, a);
    if (rc) return rc;
    if (cc->naggs == cc->capaggs) {
        int ncap = cc->capaggs ? cc->capaggs * 2 : 8;
        AggSpec **na = arena_alloc(cc->sql->stmt, sizeof(AggSpec *) * (size_t)ncap);
        if (!na) return DD_ENOMEM;
        if (cc->naggs) memcpy(na, cc->aggs, sizeof(AggSpec *) * (size_t)cc->naggs);
        cc->aggs = na;
        cc->capaggs = ncap;
    }
    cc->aggs[cc->naggs] = a;
    *idx = cc->naggs++;
    return DD_OK;
}

/* A constant frame offset: a non-negative integer. */
/* A frame offset: a constant, not NULL, not negative; ROWS and GROUPS
 * count rows or groups (bigint), RANGE's has the type the ORDER BY
 * column's in_range takes in PostgreSQL (keytype: that column's type,
 * else NONE): an integer for an integer, numeric for numeric, double
 * precision for floats, interval for dates, times and intervals.  *val
 * gets it (statement arena), *out the count. */
static int frame_offset(CompileCtx *cc, Expr *e, int frame, bool start, TypeId keytype, i64 *out, Value *val)
{
    {
        /* one that reads a column of the query is 42P10, as PostgreSQL */
        CompileCtx probe = *cc;
        probe.grouped = false;
        probe.agg_forbidden = "window frame";
        probe.win_allowed = false;
        probe.srf_allowed = false;
        ExprProg *pp;
        bool reads = false;
        if (expr_compile(&probe, e, &pp) == DD_OK)
            for (int i = 0; i < pp->n && !reads; i++)
                reads = pp->code[i].op == XOP_SLOT || pp->code[i].op == XOP_OUTER;
        dd_err_clear(cc->sql->err);
        if (reads)
            return err_at(cc, DD_EINVALID_COLUMN_REF, e->loc, "argument of %s must not contain variables",
                          frame == FRAME_ROWS ? "ROWS" : frame == FRAME_RANGE ? "RANGE" : "GROUPS");
    }
    CompileCtx k;
    memset(&k, 0, sizeof(k));
    k.sql = cc->sql;
    k.agg_forbidden = "window frame";
    ExprProg *p;
    int rc;
    if (keytype == TYPE_NULLTYPE) {
        rc = expr_compile_as(&k, e, TYPE_INT8, -1, &p);
    } else {
        TypeId want;
        if (type_is_int(keytype)) want = TYPE_INT8;
        else if (keytype == TYPE_NUMERIC) want = TYPE_NUMERIC;
        else if (keytype == TYPE_FLOAT4 || keytype == TYPE_FLOAT8) want = TYPE_FLOAT8;
        else if (type_is_datetime(keytype) || keytype == TYPE_TIME || keytype == TYPE_TIMETZ || keytype == TYPE_INTERVAL)
            want = TYPE_INTERVAL;
        else
            return err_at(cc, DD_EFEATURE, e->loc, "RANGE with offset PRECEDING/FOLLOWING is not supported for column type %s",
                          type_name(keytype));
        rc = expr_compile(&k, e, &p);
        if (rc) return rc;
        TypeId ot = p->type;
        bool ok = ot == TYPE_UNKNOWN || ot == TYPE_NULLTYPE || ot == want ||
                  (want == TYPE_INT8 && type_is_int(ot)) ||
                  (want == TYPE_NUMERIC && type_is_int(ot)) ||
                  (want == TYPE_FLOAT8 && type_is_numeric(ot));
        if (!ok) {
            rc = err_at(cc, DD_EFEATURE, e->loc,
                        "RANGE with offset PRECEDING/FOLLOWING is not supported for column type %s and offset type %s",
                        type_name(keytype), type_name(ot));
            dd_err_hint(cc->sql->err, "Cast the offset value to an appropriate type.");
            return rc;
        }
        rc = expr_compile_as(&k, e, want, -1, &p);
    }
    if (rc) return rc;
    if (!p->constant)
        return err_at(cc, DD_EFEATURE, e->loc, "a window frame offset must be a constant");
    EvalEnv env = {cc->sql, NULL, 0, NULL};
    Value v;
    if ((rc = expr_eval(p, &env, NULL, &v))) return rc;
    if (v.isnull)
        return err_at(cc, DD_ENULL_NOT_ALLOWED, e->loc, "frame %s offset must not be null", start ? "starting" : "ending");
    if (keytype != TYPE_NULLTYPE) {
        Value zero;
        bool neg;
        if (v.type == TYPE_INTERVAL) neg = v.v.iv.months < 0 || v.v.iv.days < 0 || v.v.iv.usecs < 0;
        else if (v.type == TYPE_FLOAT8) neg = v.v.f < 0;
        else {
            zero = val_int(TYPE_INT8, 0);
            neg = val_compare(&v, &zero, &cc->sql->vctx) < 0;
        }
        if (neg) return err_at(cc, DD_EINVALID_PRECEDING, e->loc, "invalid preceding or following size in window function");
        if (v.type == TYPE_NUMERIC && numeric_is_big(v.scale)) {   /* its digits outlive this evaluation */
            char *d = arena_memdup(cc->sql->stmt, v.v.s.p, v.v.s.len);
            if (!d) return DD_ENOMEM;
            v.v.s.p = d;
        }
        *val = v;   /* a number or an interval: no other payload to copy */
        return DD_OK;
    }
    if (v.v.i < 0)
        return err_at(cc, DD_EINVALID_PRECEDING, e->loc, "frame %s offset must not be negative", start ? "starting" : "ending");
    *out = v.v.i;
    return DD_OK;
}

/* f(...) OVER (...): registered with the query's window calls, read as a
 * slot the Window operator fills (XOP_WINREF until placed). */
/* Window w with the named window it builds on (OVER w2, OVER (w1 ORDER
 * BY x), WINDOW w2 AS (w1 ...)) merged in, through every level, into out. */
static int window_resolve(CompileCtx *cc, const WindowDef *w, WindowDef *out, int depth)
{
    if (!w->is_ref && !w->refname) {
        *out = *w;
        return DD_OK;
    }
    const char *want = w->is_ref ? w->name : w->refname;
    WindowDef *named = NULL;
    for (int i = 0; i < cc->nwindefs && !named; i++)
        if (strcmp(cc->windefs[i]->name, want) == 0) named = cc->windefs[i];
    if (!named || depth > cc->nwindefs)
        return err_at(cc, DD_EUNDEFINED_OBJECT, w->loc, "window \"%s\" does not exist", want);
    WindowDef base;
    int rc = window_resolve(cc, named, &base, depth + 1);
    if (rc) return rc;
    if (w->is_ref) {
        *out = base;
        return DD_OK;
    }
    if (w->npartition)
        return err_at(cc, DD_EWINDOWING, w->loc, "cannot override PARTITION BY clause of window \"%s\"", want);
    if (w->norder && base.norder)
        return err_at(cc, DD_EWINDOWING, w->loc, "cannot override ORDER BY clause of window \"%s\"", want);
    if (base.frame != FRAME_DEFAULT)
        return err_at(cc, DD_EWINDOWING, w->loc, "cannot copy window \"%s\" because it has a frame clause", want);
    *out = *w;
    out->refname = NULL;
    out->partition = base.partition;
    out->npartition = base.npartition;
    if (!w->norder) { out->order = base.order; out->norder = base.norder; }
    return DD_OK;
}


/* The window functions proper (not aggregates), with their argument counts. */
typedef struct WinFunc { const char *n; WinKind k; int minargs, maxargs; } WinFunc;
static const WinFunc win_funcs[] = {
    {"row_number", WIN_ROW_NUMBER, 0, 0}, {"rank", WIN_RANK, 0, 0}, {"dense_rank", WIN_DENSE_RANK, 0, 0},
    {"percent_rank", WIN_PERCENT_RANK, 0, 0}, {"cume_dist", WIN_CUME_DIST, 0, 0}, {"ntile", WIN_NTILE, 1, 1},
    {"lag", WIN_LAG, 1, 3}, {"lead", WIN_LEAD, 1, 3}, {"first_value", WIN_FIRST_VALUE, 1, 1},
    {"last_value", WIN_LAST_VALUE, 1, 1}, {"nth_value", WIN_NTH_VALUE, 2, 2},
};

/* Whether name(n arguments) is a window function proper. */
static bool is_window_func(const char *name, int n)
{
    for (size_t i = 0; i < DD_ARRAY_LEN(win_funcs); i++)
        if (strcmp(win_funcs[i].n, name) == 0) return n >= win_funcs[i].minargs && n <= win_funcs[i].maxargs;
    return false;
}

static int compile_window(Builder *b, Expr *e, Frag *f)
{
    CompileCtx *cc = b->cc;
    const char *name = e->u.func.name;
    if (strncmp(name, "pg_catalog.", 11) == 0) name += 11;
    if (!cc->win_allowed && cc->agg_forbidden && strcmp(cc->agg_forbidden, "aggregate function calls") == 0)
        return err_at(cc, DD_EGROUPING, e->loc, "aggregate function calls cannot contain window function calls");
    if (!cc->win_allowed)
        return err_at(cc, DD_EWINDOWING, e->loc, "window functions are not allowed in %s",
                      cc->win_forbidden ? cc->win_forbidden : cc->agg_forbidden ? cc->agg_forbidden : "this context");
    WindowDef merged;
    int rc = window_resolve(cc, e->u.func.over, &merged, 0);
    if (rc) return rc;
    WindowDef *w = &merged;
    WinCall *wc = arena_zalloc(cc->sql->stmt, sizeof(WinCall));
    if (!wc) return DD_ENOMEM;
    CompileCtx sub = *cc;
    sub.win_allowed = false;
    sub.srf_allowed = false;
    sub.agg_forbidden = cc->grouped ? NULL : "window function calls";
    const WinFunc *fns = win_funcs;
    int n = e->u.func.n;
    AggKind ak;
    bool found = false;
    for (size_t i = 0; i < DD_ARRAY_LEN(win_funcs) && !found; i++) {
        if (strcmp(fns[i].n, name) != 0) continue;
        found = true;
        if (e->u.func.filter)
            return err_at(cc, DD_EFEATURE, e->loc, "FILTER is not implemented for non-aggregate window functions");
        if (n < fns[i].minargs || n > fns[i].maxargs || e->u.func.star)
            return err_at(cc, DD_EUNDEFINED_FUNCTION, e->loc, "function %s with %d arguments does not exist", name, n);
        wc->kind = fns[i].k;
    }
    if (!found) {
        if (!agg_lookup(name, &ak) && !func_lookup(name))
            return err_at(cc, DD_EUNDEFINED_FUNCTION, e->loc, "function %s() does not exist", name);
        if (!agg_lookup(name, &ak))
            return err_at(cc, DD_EWRONG_OBJECT_TYPE, e->loc,
                          "OVER specified, but %s is not a window function nor an aggregate function", name);
        if (agg_is_ordered_set(ak))
            return err_at(cc, DD_EFEATURE, e->loc, "OVER is not supported for ordered-set aggregate %s", name);
        if (e->u.func.distinct)
            return err_at(cc, DD_EFEATURE, e->loc, "DISTINCT is not implemented for window functions");
        if (e->u.func.norder)
            return err_at(cc, DD_EFEATURE, e->loc, "aggregate ORDER BY is not implemented for window functions");
        if (e->u.func.star) ak = AGG_COUNT_STAR;
        wc->kind = WIN_AGG;
        if ((rc = build_agg(cc, &sub, e, ak, &wc->agg))) return rc;
        wc->type = wc->agg.type;
    } else {
        for (int i = 0; i < n; i++) {
            if (i == 0 || wc->kind == WIN_NTH_VALUE || wc->kind == WIN_NTILE ||
                ((wc->kind == WIN_LAG || wc->kind == WIN_LEAD) && i == 1))
                rc = i == 0 && wc->kind != WIN_NTILE ? expr_compile(&sub, e->u.func.args[i], &wc->args[i])
                                                      : expr_compile_as(&sub, e->u.func.args[i], TYPE_INT8, -1, &wc->args[i]);
            else   /* lag / lead default: the value's type, not its typmod (an enum's type is its) */
                rc = expr_compile_as(&sub, e->u.func.args[i], wc->args[0]->type == TYPE_UNKNOWN ? TYPE_TEXT
                                                                                               : wc->args[0]->type,
                                     type_has_etype(wc->args[0]->type) ? wc->args[0]->typmod : -1, &wc->args[i]);
            if (rc) return rc;
        }
        wc->nargs = n;
        switch (wc->kind) {
        case WIN_ROW_NUMBER: case WIN_RANK: case WIN_DENSE_RANK: wc->type = TYPE_INT8; break;
        case WIN_NTILE: wc->type = TYPE_INT4; break;
        case WIN_PERCENT_RANK: case WIN_CUME_DIST: wc->type = TYPE_FLOAT8; break;
        default:
            wc->type = wc->args[0]->type == TYPE_UNKNOWN || wc->args[0]->type == TYPE_NULLTYPE ? TYPE_TEXT
                                                                                             : wc->args[0]->type;
            break;
        }
    }
    /* PARTITION BY and ORDER BY, over the same rows */
    wc->npart = w->npartition;
    wc->nord = w->norder;
    wc->part = arena_alloc(cc->sql->stmt, sizeof(ExprProg *) * (size_t)(w->npartition + 1));
    wc->ord = arena_alloc(cc->sql->stmt, sizeof(ExprProg *) * (size_t)(w->norder + 1));
    wc->ord_desc = arena_zalloc(cc->sql->stmt, (size_t)(w->norder + 1));
    wc->ord_nulls_first = arena_zalloc(cc->sql->stmt, (size_t)(w->norder + 1));
    if (!wc->part || !wc->ord || !wc->ord_desc || !wc->ord_nulls_first) return DD_ENOMEM;
    for (int i = 0; i < w->npartition; i++)
        if ((rc = expr_compile(&sub, w->partition[i], &wc->part[i]))) return rc;
    for (int i = 0; i < w->norder; i++) {
        if ((rc = expr_compile(&sub, w->order[i]->expr, &wc->ord[i]))) return rc;
        wc->ord_desc[i] = w->order[i]->desc;
        wc->ord_nulls_first[i] = w->order[i]->nulls == 1 || (w->order[i]->nulls == 0 && w->order[i]->desc);
    }
    wc->frame = w->frame;
    wc->exclude = w->exclude;
    wc->start = w->start;
    wc->end = w->end;
    bool range_off = w->frame == FRAME_RANGE && (w->start == BOUND_PRECEDING || w->start == BOUND_FOLLOWING ||
                                                  w->end == BOUND_PRECEDING || w->end == BOUND_FOLLOWING);
    if (range_off && w->norder != 1)
        return err_at(cc, DD_EWINDOWING, w->loc, "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column");
    if (w->frame == FRAME_GROUPS && w->norder == 0)
        return err_at(cc, DD_EWINDOWING, w->loc, "GROUPS mode requires an ORDER BY clause");
    if (w->start == BOUND_UNBOUNDED_FOLLOWING)
        return err_at(cc, DD_EWINDOWING, w->loc, "frame start cannot be UNBOUNDED FOLLOWING");
    if (w->end == BOUND_UNBOUNDED_PRECEDING)
        return err_at(cc, DD_EWINDOWING, w->loc, "frame end cannot be UNBOUNDED PRECEDING");
    TypeId kt = range_off ? wc->ord[0]->type : TYPE_NULLTYPE;
    if (w->start_off && (rc = frame_offset(cc, w->start_off, w->frame, true, kt, &wc->start_off, &wc->start_val))) return rc;
    if (w->end_off && (rc = frame_offset(cc, w->end_off, w->frame, false, kt, &wc->end_off, &wc->end_val))) return rc;
    /* the aggregates of a grouped query its arguments, PARTITION BY and
     * ORDER BY read (sum(count(*)) OVER ()): the query computes them */
    cc->aggs = sub.aggs;
    cc->naggs = sub.naggs;
    cc->capaggs = sub.capaggs;
    if (cc->nwins == cc->capwins) {
        int ncap = cc->capwins ? cc->capwins * 2 : 4;
        WinCall **nw = arena_alloc(cc->sql->stmt, sizeof(WinCall *) * (size_t)ncap);
        if (!nw) return DD_ENOMEM;
        if (cc->nwins) memcpy(nw, cc->wins, sizeof(WinCall *) * (size_t)cc->nwins);
        cc->wins = nw;
        cc->capwins = ncap;
    }
    int idx = cc->nwins;
    cc->wins[cc->nwins++] = wc;
    ExprInstr i = ins_make(XOP_WINREF, e->loc);
    i.a = idx;
    i.type = (u8)wc->type;
    f->type = wc->type;
    f->constant = false;
    f->depth = DD_MAX(f->depth, 1);
    return frag_emit(f, i);
}

/* Appends the call of fd to the n arguments f leaves on the stack. */
static int emit_call(Frag *f, const FuncDef *fd, int n, TypeId ret, int loc)
{
    ExprInstr ins = ins_make(XOP_FUNC, loc);
    ins.fn = fd->impl;
    ins.a = n;
    ins.type = (u8)ret;
    f->type = ret;
    f->typmod = -1;
    f->depth = DD_MAX(f->depth, 1);
    if (fd->volatile_) f->constant = false;
    return frag_emit(f, ins);
}

static bool func_takes(const FuncDef *fd, int n)
{
    return n >= fd->minargs && (fd->maxargs < 0 || n <= fd->maxargs);
}

/* The first form of function name whose resolver accepts the argument
 * types of fs, with its types[] (the coercions to make) and result type;
 * NULL when none does.  A "char" argument no form takes is tried again
 * as text, PostgreSQL's implicit cast ("char" has no functions of its own). */
static const FuncDef *resolve_form(const char *name, int n, const Frag *fs, TypeId *types, TypeId *ret)
{
    const FuncDef *fd;
    bool has_char = false;
    for (int i = 0; i < n; i++) has_char |= fs[i].type == TYPE_CHAR;
    for (int pass = 0; pass < (has_char ? 2 : 1); pass++)
        for (int k = 0; (fd = func_lookup_form(name, k)); k++) {
            if (!func_takes(fd, n)) continue;
            for (int i = 0; i < n; i++) types[i] = pass && fs[i].type == TYPE_CHAR ? TYPE_TEXT : fs[i].type;
            if (fd->resolve(types, n, ret)) return fd;
        }
    return NULL;
}

/* Whether function name's first argument is a sequence, which PostgreSQL
 * types regclass and DriftDB reads by its name (analyze/seqfunc.c). */
static bool seq_takes_regclass(const char *name)
{
    return strcmp(name, "nextval") == 0 || strcmp(name, "currval") == 0 || strcmp(name, "setval") == 0;
}

/* The first argument of function name from which on its arguments are of
 * PostgreSQL's type "any" (format, concat, json_build_object ...), or -1. */
static int any_args_from(const char *name)
{
    static const char *const json[] = {"json_build_object", "jsonb_build_object", "json_build_array",
                                       "jsonb_build_array"};
    for (size_t i = 0; i < DD_ARRAY_LEN(json); i++)
        if (strcmp(name, json[i]) == 0) return 0;
    return func_variadic_index(name);
}

/* An argument's type as PostgreSQL names it in "function f(...) does not
 * exist": a bare NULL or string literal is "unknown", an enum (or its
 * array) by its name. */
static const char *arg_type_name(CompileCtx *cc, TypeId t, i32 typmod)
{
    return t == TYPE_UNKNOWN || t == TYPE_NULLTYPE ? "unknown" : type_label(cc, t, typmod);
}

static int compile_array_syntax(Builder *b, Expr *e, Frag *f);

/* A set-returning call in a SELECT list: compiled on its own, read as the
 * slot past the input row that the ProjectSet fills (XOP_SRFREF). */
static int compile_srf(Builder *b, Expr *e, Frag *f)
{
    CompileCtx *cc = b->cc;
    const char *name = e->u.func.name;
    if (!cc->srf_allowed) {
        const char *where = cc->srf_forbidden ? cc->srf_forbidden : cc->agg_forbidden ? cc->agg_forbidden
                                                                                      : "this context";
        if (strcmp(where, "aggregate function calls") == 0)
            return err_at(cc, DD_EFEATURE, e->loc, "aggregate function calls cannot contain set-returning function calls");
        if (strcmp(where, "window function calls") == 0)
            return err_at(cc, DD_EFEATURE, e->loc, "window function calls cannot contain set-returning function calls");
        return err_at(cc, DD_EFEATURE, e->loc, "set-returning functions are not allowed in %s", where);
    }
    if (e->u.func.distinct)
        return err_at(cc, DD_ESYNTAX, e->loc, "DISTINCT specified, but %s is not an aggregate function", name);
    if (e->u.func.norder)
        return err_at(cc, DD_EWRONG_OBJECT_TYPE, e->loc, "ORDER BY specified, but %s is not an aggregate function", name);
    SrfCall *c = arena_zalloc(cc->sql->stmt, sizeof(*c));
    if (!c) return DD_ENOMEM;
    CompileCtx sub = *cc;
    sub.srf_allowed = false;
    sub.srf_forbidden = "the arguments of a set-returning function";
    sub.win_allowed = false;
    int rc = srf_compile(&sub, e, -1, c);
    /* aggregates in its arguments belong to the query */
    cc->aggs = sub.aggs;
    cc->naggs = sub.naggs;
    cc->capaggs = sub.capaggs;
    if (rc) return rc;
    if (cc->nsrfs == cc->capsrfs) {
        int ncap = cc->capsrfs ? cc->capsrfs * 2 : 4;
        SrfCall **n = arena_alloc(cc->sql->stmt, sizeof(SrfCall *) * (size_t)ncap);
        if (!n) return DD_ENOMEM;
        if (cc->nsrfs) memcpy(n, cc->srfs, sizeof(SrfCall *) * (size_t)cc->nsrfs);
        cc->srfs = n;
        cc->capsrfs = ncap;
    }
    cc->srfs[cc->nsrfs] = c;
    ExprInstr i = ins_make(XOP_SRFREF, e->loc);
    i.a = cc->nsrfs++;
    i.type = (u8)c->type;
    f->type = c->type;
    f->typmod = c->typmod;
    f->constant = false;
    f->depth = DD_MAX(f->depth, 1);
    return frag_emit(f, i);
}

static int group_match(CompileCtx *cc, Expr *e);

/* GROUPING(args) at run time: the bits of the current grouping set
 * (args[0], its index) looked up in the call's table. */
static int grouping_impl(EvalEnv *env, const Value *args, int nargs, Value *out, int loc)
{
    DD_UNUSED(nargs);
    DD_UNUSED(loc);
    const i32 *tab = *env->state;
    *out = val_int(TYPE_INT4, args[0].isnull ? 0 : tab[args[0].v.i]);
    return DD_OK;
}

/* GROUPING(e1, ..., en): bit n-1-k set when ek is not in the row's
 * grouping set; each ek must be a grouping expression (42803). */
static int compile_grouping(Builder *b, Expr *e, Frag *f)
{
    CompileCtx *cc = b->cc;
    int n = e->u.func.n;
    if (cc->agg_forbidden)
        return err_at(cc, DD_EGROUPING, e->loc, "grouping operations are not allowed in %s", cc->agg_forbidden);
    if (n > 31) return err_at(cc, DD_EPROGRAM_LIMIT, e->loc, "GROUPING must have fewer than 32 arguments");
    int idx[32];
    for (int k = 0; k < n; k++) {
        idx[k] = group_match(cc, e->u.func.args[k]);
        if (idx[k] < 0)
            return err_at(cc, DD_EGROUPING, e->u.func.args[k]->loc,
                          "arguments to GROUPING must be grouping expressions of the associated query level");
    }
    if (!cc->ngsets) {
        int rc = frag_const(b, f, val_int(TYPE_INT4, 0), e->loc);
        f->typmod = -1;
        return rc;
    }
    i32 *tab = arena_alloc(cc->sql->stmt, sizeof(i32) * (size_t)cc->ngsets);
    if (!tab) return DD_ENOMEM;
    for (int s = 0; s < cc->ngsets; s++) {
        i32 v = 0;
        for (int k = 0; k < n; k++) v = (v << 1) | (i32)(!((cc->gsets[s] >> idx[k]) & 1));
        tab[s] = v;
    }
    ExprInstr sl = ins_make(XOP_SLOT, e->loc);
    sl.a = cc->ngroup;
    sl.type = TYPE_INT4;
    int rc = frag_emit(f, sl);
    ExprInstr call = ins_make(XOP_FUNC, e->loc);
    call.fn = grouping_impl;
    call.a = 1;
    call.type = TYPE_INT4;
    call.state = tab;
    if (!rc) rc = frag_emit(f, call);
    f->type = TYPE_INT4;
    f->typmod = -1;
    f->constant = false;
    f->depth = DD_MAX(f->depth, 1);
    return rc;
}

static bool is_row_expr(const Expr *e)
{
    return e->kind == EXPR_FUNC && e->u.func.special == FUNC_PLAIN && strcmp(e->u.func.name, "row") == 0 &&
           !e->u.func.star && !e->u.func.over;
}

/* ROW(...) as a value: its fields serialized into a record (recordval.h).
 * state: the fields' names (NULL: f1, f2, ...); args[0] false or NULL
 * makes the record NULL (the row of a whole-row reference that an outer
 * join left out). */
static int record_impl(EvalEnv *env, const Value *args, int nargs, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (args[0].isnull || !args[0].v.b) {
        /* no version start: the side an outer join left out (every field
         * NULL), or a row being written (RETURNING, EXCLUDED), which is one */
        bool all_null = true;
        for (int i = 1; i < nargs && all_null; i++) all_null = args[i].isnull;
        if (all_null) {
            *out = val_null(TYPE_RECORD);
            return DD_OK;
        }
    }
    return record_make(nargs - 1, (const char *const *)*env->state, args + 1, env->sql->row, out);
}

static int compile_record(Builder *b, Expr *row, Frag *f)
{
    CompileCtx *cc = b->cc;
    int n = row->u.func.n, rc = DD_OK;
    if (n > 1664) return err_at(cc, DD_EPROGRAM_LIMIT, row->loc, "ROW expressions can have at most 1664 entries");
    Frag g;
    frag_init(&g);
    if (row->u.func.rowpresent) {
        rc = compile_node(b, row->u.func.rowpresent, &g);
        if (!rc) {
            /* present when the version's start is not NULL */
            ExprInstr is = ins_make(XOP_IS, row->loc);
            is.sub = IS_NULL;
            is.flags = 1;
            is.type = TYPE_BOOL;
            rc = frag_emit(&g, is);
            g.type = TYPE_BOOL;
        }
    } else {
        rc = frag_const(b, &g, val_bool(true), row->loc);
    }
    if (!rc) rc = frag_append(f, &g, 0);
    frag_free(&g);
    for (int k = 0; !rc && k < n; k++) {
        frag_init(&g);
        rc = compile_node(b, row->u.func.args[k], &g);
        /* as PostgreSQL: text; a $n stays untyped (42P18 unless another context types it) */
        if (!rc && (g.type == TYPE_UNKNOWN || g.type == TYPE_NULLTYPE) && !untyped_param_frag(cc, &g))
            rc = coerce(b, &g, TYPE_TEXT, -1, false, row->u.func.args[k]->loc);
        if (!rc) rc = frag_append(f, &g, k + 1);
        frag_free(&g);
    }
    if (rc) return rc;
    ExprInstr call = ins_make(XOP_FUNC, row->loc);
    call.fn = record_impl;
    call.a = n + 1;
    call.type = TYPE_RECORD;
    call.state = (void *)row->u.func.rownames;
    rc = frag_emit(f, call);
    f->type = TYPE_RECORD;
    f->typmod = -1;
    f->constant = false;
    f->depth = DD_MAX(f->depth, 1);
    return rc;
}

/* Field k (state) of a record whose layout the compiler knew. */
static int field_impl(EvalEnv *env, const Value *args, int nargs, Value *out, int loc)
{
    DD_UNUSED(nargs);
    DD_UNUSED(loc);
    intptr_t k = (intptr_t)*env->state;
    *out = val_null(TYPE_TEXT);
    if (args[0].isnull) return DD_OK;
    RecordIter it;
    record_iter_init(&it, &args[0]);
    for (intptr_t i = 0; i <= k; i++)
        if (!record_iter_next(&it, NULL, NULL, out))
            return dd_err(env->sql->err, DD_ECORRUPT, -1, "malformed record value");
    return DD_OK;
}

int sql_recdesc_add(SqlCtx *ctx, int n, const char *const *names, const TypeId *types, const i32 *typmods, i32 *id)
{
    RecDesc *v = arena_alloc(ctx->stmt, sizeof(RecDesc) * (size_t)(ctx->nrecdescs + 1));
    if (!v) return DD_ENOMEM;
    if (ctx->nrecdescs) memcpy(v, ctx->recdescs, sizeof(RecDesc) * (size_t)ctx->nrecdescs);
    v[ctx->nrecdescs] = (RecDesc){n, names, types, typmods};
    ctx->recdescs = v;
    *id = ctx->nrecdescs++;
    return DD_OK;
}

const RecDesc *sql_recdesc(const SqlCtx *ctx, i32 id)
{
    return id >= 0 && id < ctx->nrecdescs ? &ctx->recdescs[id] : NULL;
}

static int whole_row(Builder *b, const Expr *arg, Expr **out);

/* (record).field: a field of ROW(...), of a whole-row reference, or of
 * the record of json(b)_each(_text) (key, value) and of drift_head() (seq, hash). */
static int compile_field(Builder *b, Expr *e, Frag *f)
{
    CompileCtx *cc = b->cc;
    Expr *arg = e->u.func.args[0];
    const Value *nv = &e->u.func.args[1]->u.c.val;
    char fname[CAT_MAX_NAME * 4 + 1];
    snprintf(fname, sizeof fname, "%.*s", (int)nv->v.s.len, nv->v.s.p);
    if (strcmp(fname, "*") == 0) {
        /* a select list expands (ROW(...)).*, (t).* and (json_each(...)).*
         * (plan/select.c); here: a type that is no record, or one whose
         * fields are not known */
        Frag g;
        frag_init(&g);
        int rc = compile_node(b, arg, &g);
        TypeId at = g.type;
        frag_free(&g);
        if (rc) return rc;
        if (at != TYPE_RECORD)
            return err_at(cc, DD_EWRONG_OBJECT_TYPE, e->loc, "type %s is not composite",
                          at == TYPE_UNKNOWN || at == TYPE_NULLTYPE ? "unknown" : type_name(at));
        return err_at(cc, DD_EFEATURE, e->loc,
                      "(record).* is supported only in a select list, of ROW(...), a table's row and json(b)_each "
                      "(name the fields: (r).a, (r).b)");
    }
    Expr *row = NULL;
    int rc = whole_row(b, arg, &row);
    if (rc) return rc;
    if (!row && is_row_expr(arg)) row = arg;
    if (row) {
        for (int k = 0; k < row->u.func.n; k++) {
            char dflt[16];
            snprintf(dflt, sizeof dflt, "f%d", k + 1);
            const char *n = row->u.func.rownames && row->u.func.rownames[k] ? row->u.func.rownames[k] : dflt;
            if (strcmp(n, fname) == 0) return compile_node(b, row->u.func.args[k], f);
        }
        return err_at(cc, DD_EUNDEFINED_COLUMN, e->loc, "could not identify column \"%s\" in record data type", fname);
    }
    const char *fn = arg->kind == EXPR_FUNC ? arg->u.func.name : NULL;
    if (fn && strncmp(fn, "pg_catalog.", 11) == 0) fn += 11;
    bool each = fn && (strcmp(fn, "jsonb_each") == 0 || strcmp(fn, "json_each") == 0 || strcmp(fn, "jsonb_each_text") == 0 ||
                       strcmp(fn, "json_each_text") == 0);
    if ((rc = compile_node(b, arg, f))) return rc;
    if (f->type != TYPE_RECORD)
        return err_at(cc, DD_EWRONG_OBJECT_TYPE, e->loc, "column notation .%s applied to type %s, which is not a composite type",
                      fname, f->type == TYPE_UNKNOWN || f->type == TYPE_NULLTYPE ? "unknown" : type_name(f->type));
    const RecDesc *rd = !each ? sql_recdesc(cc->sql, f->typmod) : NULL;
    if (rd) {
        /* a record of a known shape, wherever it came from */
        for (int k = 0; k < rd->n; k++) {
            if (strcmp(rd->names[k], fname) != 0) continue;
            ExprInstr call = ins_make(XOP_FUNC, e->loc);
            call.fn = field_impl;
            call.a = 1;
            call.type = (u8)rd->types[k];
            call.state = (void *)(intptr_t)k;
            rc = frag_emit(f, call);
            f->type = rd->types[k];
            f->typmod = rd->typmods[k];
            f->constant = false;
            return rc;
        }
        return err_at(cc, DD_EUNDEFINED_COLUMN, e->loc, "could not identify column \"%s\" in record data type", fname);
    }
    /* drift_head(): (seq bigint, hash text) */
    bool head = !each && fn && strcmp(fn, "drift_head") == 0;
    if (!each && !head)
        return err_at(cc, DD_EFEATURE, e->loc,
                      "a field of this record is not supported (its fields are known only for ROW(...), a table's row, "
                      "json(b)_each and drift_head)");
    const char *first = head ? "seq" : "key", *second = head ? "hash" : "value";
    intptr_t k = strcmp(fname, first) == 0 ? 0 : strcmp(fname, second) == 0 ? 1 : -1;
    if (k < 0) return err_at(cc, DD_EUNDEFINED_COLUMN, e->loc, "could not identify column \"%s\" in record data type", fname);
    TypeId ft = head ? (k == 0 ? TYPE_INT8 : TYPE_TEXT)
              : k == 0 || strstr(fn, "_text") ? TYPE_TEXT : strncmp(fn, "jsonb", 5) == 0 ? TYPE_JSONB : TYPE_JSON;
    ExprInstr call = ins_make(XOP_FUNC, e->loc);
    call.fn = field_impl;
    call.a = 1;
    call.type = (u8)ft;
    call.state = (void *)k;
    rc = frag_emit(f, call);
    f->type = ft;
    f->typmod = -1;
    f->constant = false;
    f->depth = DD_MAX(f->depth, 1);
    return rc;
}

/* Whether scope s (this level only) has a column called name. */
static bool scope_has_column(const Scope *s, const char *name)
{
    for (int r = 0; r < s->nrels; r++)
        for (int c = 0; c < s->rels[r].ncols; c++)
            if (strcmp(s->rels[r].names[c], name) == 0) return true;
    for (int m = s->mlo; m < s->mhi; m++)
        if (strcmp(s->merged[m].name, name) == 0) return true;
    return false;
}

/* A whole-row reference (`t` naming a relation of the FROM clause, not a
 * column, or `t.*`) as ROW(t.a, t.b, ...) with the columns' names, in
 * the statement arena; *out NULL when arg is not one.  The relation is
 * found in this query's scope or an enclosing one's, as a column is. */
static int whole_row(Builder *b, const Expr *arg, Expr **out)
{
    CompileCtx *cc = b->cc;
    const char *q;
    *out = NULL;
    if (arg->kind == EXPR_STAR && arg->u.col.qualifier) q = arg->u.col.qualifier;
    else if (arg->kind == EXPR_COLUMN && !arg->u.col.qualifier && arg->u.col.star_slot == 0) q = arg->u.col.name;
    else return DD_OK;
    int level = 0;
    for (const Scope *s = cc->scope; s; s = s->outer, level++) {
        if (arg->kind == EXPR_COLUMN && scope_has_column(s, q)) return DD_OK;
        for (int r = 0; r < s->nrels; r++) {
            const ScopeRel *rel = &s->rels[r];
            if (!rel_named(rel, q)) continue;
            Arena *a = cc->sql->stmt;
            Expr *row = arena_zalloc(a, sizeof(Expr));
            int n = 0;
            for (int c = 0; c < rel->ncols; c++) n += !rel->hidden[c];
            Expr **args = arena_zalloc(a, sizeof(Expr *) * (size_t)(n + 1));
            char **names = arena_zalloc(a, sizeof(char *) * (size_t)(n + 1));
            if (!row || !args || !names) return DD_ENOMEM;
            row->kind = EXPR_FUNC;
            row->loc = row->oploc = arg->loc;
            row->u.func.name = (char *)"row";
            row->u.func.scalar_row = rel->scalar;
            row->u.func.args = args;
            row->u.func.rownames = names;
            for (int c = 0; c < rel->ncols; c++) {
                if (rel->hidden[c]) continue;
                Expr *ce = arena_zalloc(a, sizeof(Expr));
                if (!ce) return DD_ENOMEM;
                ce->kind = EXPR_COLUMN;
                ce->loc = ce->oploc = arg->loc;
                ce->u.col.qualifier = (char *)rel->alias;
                ce->u.col.name = (char *)rel->names[c];
                if (level == 0) ce->u.col.star_slot = rel->slot0 + c + 1;   /* by position: names may repeat */
                names[row->u.func.n] = (char *)rel->names[c];
                args[row->u.func.n++] = ce;
            }
            /* a table's version always has a start: NULL in a row an outer join added */
            for (int c = 0; c < rel->ncols; c++) {
                if (!rel->hidden[c] || strcmp(rel->names[c], "system_seq_start") != 0) continue;
                Expr *pe = arena_zalloc(a, sizeof(Expr));
                if (!pe) return DD_ENOMEM;
                pe->kind = EXPR_COLUMN;
                pe->loc = pe->oploc = arg->loc;
                pe->u.col.qualifier = (char *)rel->alias;
                pe->u.col.name = (char *)rel->names[c];
                if (level == 0) pe->u.col.star_slot = rel->slot0 + c + 1;
                row->u.func.rowpresent = pe;
            }
            *out = row;
            return DD_OK;
        }
    }
    if (arg->kind == EXPR_STAR)
        return err_at(cc, DD_EUNDEFINED_TABLE, arg->loc, "missing FROM-clause entry for table \"%s\"", q);
    return DD_OK;
}

/* row_to_json(row [, pretty]), to_json(row), to_jsonb(row) of a ROW(...)
 * (whole-row references made into one): the fields as a json object
 * named after the columns (f1, f2 ... for ROW(...)), in their order. */
static int compile_json_row(Builder *b, Expr *e, const char *name, Expr *row, Frag *f)
{
    CompileCtx *cc = b->cc;
    bool jsonb = strcmp(name, "to_jsonb") == 0, pretty_arg = e->u.func.n == 2;
    int n = row->u.func.n, k = 0, rc = DD_OK;
    if (e->u.func.n > (strcmp(name, "row_to_json") == 0 ? 2 : 1))
        return err_at(cc, DD_EUNDEFINED_FUNCTION, e->loc, "function %s(record%s) does not exist", name,
                      e->u.func.n > 2 ? ", ..." : ", ?");
    {
        Frag g;
        frag_init(&g);
        if (row->u.func.rowpresent) rc = compile_node(b, row->u.func.rowpresent, &g);
        else rc = frag_const(b, &g, val_bool(true), e->loc);
        if (!rc) rc = frag_append(f, &g, k++);
        frag_free(&g);
    }
    if (!jsonb && !rc) {
        Frag g;
        frag_init(&g);
        if (pretty_arg) {
            rc = compile_node(b, e->u.func.args[1], &g);
            if (!rc) rc = coerce(b, &g, TYPE_BOOL, -1, false, e->u.func.args[1]->loc);
        } else {
            rc = frag_const(b, &g, val_bool(false), e->loc);
        }
        if (!rc) rc = frag_append(f, &g, k++);
        frag_free(&g);
    }
    for (int c = 0; !rc && c < n; c++) {
        char fname[16];
        snprintf(fname, sizeof fname, "f%d", c + 1);
        const char *cn = row->u.func.rownames ? row->u.func.rownames[c] : arena_strdup(cc->sql->stmt, fname);
        if (!cn) return DD_ENOMEM;
        Frag g;
        frag_init(&g);
        rc = frag_const(b, &g, val_text(TYPE_TEXT, cn, (u32)strlen(cn)), e->loc);
        if (!rc) rc = frag_append(f, &g, k++);
        frag_free(&g);
        frag_init(&g);
        Expr *x = row->u.func.args[c];
        if (!rc && is_row_expr(x)) {   /* a row in a row: an object in the object */
            Expr inner = *e;
            inner.u.func.args = &x;
            inner.u.func.n = 1;
            rc = compile_json_row(b, &inner, jsonb ? "to_jsonb" : "to_json", x, &g);
        } else if (!rc) {
            rc = compile_node(b, x, &g);
        }
        if (!rc && (g.type == TYPE_UNKNOWN || g.type == TYPE_NULLTYPE))
            rc = coerce(b, &g, TYPE_TEXT, -1, false, row->u.func.args[c]->loc);
        if (!rc) rc = frag_append(f, &g, k++);
        frag_free(&g);
    }
    if (rc) return rc;
    if (jsonb) return emit_call(f, &jsonb_row_func, k, TYPE_JSONB, e->loc);
    return emit_call(f, &json_row_func, k, TYPE_JSON, e->loc);
}

/* The parameter names of the functions that take named arguments
 * (f(name => x)), PostgreSQL's, with the default of each parameter that
 * has one (SQL text of a constant), "" for one that may only be left out
 * at the end, or NULL. */
static const struct NamedParams {
    const char *func;
    const char *names[8];
    const char *defaults[8];
} named_params[] = {
    {"make_interval", {"years", "months", "weeks", "days", "hours", "mins", "secs"}, {"0", "0", "0", "0", "0", "0", "0.0"}},
    {"make_timestamp", {"year", "month", "mday", "hour", "min", "sec"}, {0}},
    {"make_timestamptz", {"year", "month", "mday", "hour", "min", "sec", "timezone"}, {0, 0, 0, 0, 0, 0, ""}},
    {"make_date", {"year", "month", "day"}, {0}},
    {"make_time", {"hour", "min", "sec"}, {0}},
    {"jsonb_path_exists", {"target", "path", "vars", "silent"}, {NULL, NULL, "{}", "false"}},
    {"jsonb_path_match", {"target", "path", "vars", "silent"}, {NULL, NULL, "{}", "false"}},
    {"jsonb_path_query_array", {"target", "path", "vars", "silent"}, {NULL, NULL, "{}", "false"}},
    {"jsonb_path_query_first", {"target", "path", "vars", "silent"}, {NULL, NULL, "{}", "false"}},
    {"jsonb_set", {"jsonb_in", "path", "replacement", "create_if_missing"}, {NULL, NULL, NULL, "true"}},
    {"jsonb_insert", {"jsonb_in", "path", "replacement", "insert_after"}, {NULL, NULL, NULL, "false"}},
};

/* A default as a constant expression: a number, true/false, else an
 * untyped string. */
static Expr *default_expr(Arena *a, const char *text, int loc)
{
    Expr *c = arena_zalloc(a, sizeof(Expr));
    if (!c) return NULL;
    c->kind = EXPR_CONST;
    c->loc = c->oploc = loc;
    if (!strcmp(text, "true") || !strcmp(text, "false")) c->u.c.val = val_bool(text[0] == 't');
    else if (strchr(text, '.')) c->u.c.val = val_numeric(0, 1);
    else if (text[0] >= '0' && text[0] <= '9') c->u.c.val = val_int(TYPE_INT4, text[0] - '0');   /* one digit */
    else c->u.c.val = val_text(TYPE_UNKNOWN, text, (u32)strlen(text));
    return c;
}

/* f(a, name => x, ...): a copy of the call with its arguments in the
 * parameters' order, defaults filling the gaps (statement arena). */
static int resolve_named_args(Builder *b, Expr *e, const char *name, Expr **out)
{
    CompileCtx *cc = b->cc;
    const struct NamedParams *np = NULL;
    for (size_t i = 0; i < DD_ARRAY_LEN(named_params) && !np; i++)
        if (strcmp(named_params[i].func, name) == 0) np = &named_params[i];
    int nparams = 0;
    while (np && nparams < 8 && np->names[nparams]) nparams++;
    Expr *placed[8] = {0};
    bool bad = !np || e->u.func.n > nparams;
    for (int i = 0; !bad && i < e->u.func.n; i++) {
        const char *an = e->u.func.argnames[i];
        int k = i;
        if (an) {
            for (k = 0; k < nparams && strcmp(np->names[k], an) != 0; k++) continue;
            if (k == nparams) { bad = true; break; }
            for (int j = 0; j < i; j++)
                if (e->u.func.argnames[j] && strcmp(e->u.func.argnames[j], an) == 0)
                    return err_at(cc, DD_ESYNTAX, e->u.func.args[i]->loc, "argument name \"%s\" used more than once", an);
        }
        if (placed[k])
            return err_at(cc, DD_ESYNTAX, e->u.func.args[i]->loc, "argument name \"%s\" used more than once",
                          np->names[k]);
        placed[k] = e->u.func.args[i];
    }
    /* the last one given: parameters after it stay out (the function's own default) */
    int last = -1;
    for (int k = 0; k < nparams; k++)
        if (placed[k]) last = k;
    for (int k = 0; !bad && k < nparams; k++)
        if (!placed[k] && (!np->defaults[k] || (k < last && !np->defaults[k][0]))) bad = true;
    if (bad) {
        Buf sig = BUF_INIT;
        buf_printf(&sig, "%s(", e->u.func.name);
        for (int i = 0; i < e->u.func.n; i++) {
            Frag tmp;
            frag_init(&tmp);
            int rc = compile_node(b, e->u.func.args[i], &tmp);
            frag_free(&tmp);
            if (rc) { buf_free(&sig); return rc; }
            if (e->u.func.argnames[i]) buf_printf(&sig, "%s%s => %s", i ? ", " : "", e->u.func.argnames[i], arg_type_name(cc, tmp.type, tmp.typmod));
            else buf_printf(&sig, "%s%s", i ? ", " : "", arg_type_name(cc, tmp.type, tmp.typmod));
        }
        buf_puts(&sig, ")");
        int rc = err_at(cc, DD_EUNDEFINED_FUNCTION, e->loc, "function %s does not exist", buf_ok(&sig) ? buf_cstr(&sig) : name);
        dd_err_hint(cc->sql->err, "No function matches the given name and argument types. "
                                  "You might need to add explicit type casts.");
        buf_free(&sig);
        return rc;
    }
    Arena *a = cc->sql->stmt;
    Expr *c = arena_alloc(a, sizeof(Expr));
    Expr **args = arena_alloc(a, sizeof(Expr *) * (size_t)(last + 2));
    if (!c || !args) return DD_ENOMEM;
    *c = *e;
    for (int k = 0; k <= last; k++) {
        args[k] = placed[k] ? placed[k] : default_expr(a, np->defaults[k], e->loc);
        if (!args[k]) return DD_ENOMEM;
    }
    c->u.func.args = args;
    c->u.func.n = last + 1;
    c->u.func.argnames = NULL;
    *out = c;
    return DD_OK;
}

static int compile_func(Builder *b, Expr *e, Frag *f)
{
    CompileCtx *cc = b->cc;
    if (e->u.func.special != FUNC_PLAIN) return compile_array_syntax(b, e, f);
    if (e->u.func.over) return compile_window(b, e, f);
    const char *name = e->u.func.name;
    if (strncmp(name, "pg_catalog.", 11) == 0) name += 11;
    if (e->u.func.argnames) {
        int rc = resolve_named_args(b, e, name, &e);
        if (rc) return rc;
    }
    AggKind ak;
    if (e->u.func.star && strcmp(name, "count") != 0)
        return err_at(cc, DD_ESYNTAX, e->loc, "%s(*) specified, but %s is not an aggregate function", name, name);
    if (strcmp(name, "grouping") == 0 && !e->u.func.distinct && !e->u.func.filter && e->u.func.n > 0)
        return compile_grouping(b, e, f);
    bool agg_of_row = strcmp(name, "json_agg") == 0 || strcmp(name, "jsonb_agg") == 0;
    if (e->u.func.n >= 1 && !e->u.func.star &&
        (agg_of_row || strcmp(name, "row_to_json") == 0 || strcmp(name, "to_json") == 0 ||
         strcmp(name, "to_jsonb") == 0)) {
        Expr *row = NULL;
        int rc = whole_row(b, e->u.func.args[0], &row);
        if (rc) return rc;
        if (!row && is_row_expr(e->u.func.args[0])) row = e->u.func.args[0];
        if (row && !agg_of_row) return compile_json_row(b, e, name, row, f);
        if (row) {
            /* json_agg(t) is json_agg(row_to_json(t)); jsonb_agg(t) jsonb_agg(to_jsonb(t)) */
            Arena *a = cc->sql->stmt;
            Expr *conv = arena_alloc(a, sizeof(Expr)), *agg = arena_alloc(a, sizeof(Expr));
            Expr **cargs = arena_alloc(a, sizeof(Expr *)), **aargs = arena_alloc(a, sizeof(Expr *) * (size_t)e->u.func.n);
            if (!conv || !agg || !cargs || !aargs) return DD_ENOMEM;
            memset(conv, 0, sizeof(*conv));
            conv->kind = EXPR_FUNC;
            conv->loc = conv->oploc = e->u.func.args[0]->loc;
            conv->u.func.name = (char *)(name[4] == 'b' ? "to_jsonb" : "row_to_json");
            cargs[0] = row;
            conv->u.func.args = cargs;
            conv->u.func.n = 1;
            *agg = *e;
            memcpy(aargs, e->u.func.args, sizeof(Expr *) * (size_t)e->u.func.n);
            aargs[0] = conv;
            agg->u.func.args = aargs;
            agg->u.func.of_row = true;
            e = agg;
        }
    }
    if (strcmp(name, "row") == 0 && !e->u.func.star) return compile_record(b, e, f);
    if (strcmp(name, "$field") == 0 && e->u.func.n == 2 && e->u.func.args[1]->kind == EXPR_CONST &&
        e->u.func.args[1]->u.c.val.type == TYPE_TEXT)
        return compile_field(b, e, f);
    if (e->u.func.within_group && (!agg_lookup(name, &ak) || !agg_is_ordered_set(ak))) {
        if (!agg_lookup(name, &ak) && !func_lookup(name))
            return err_at(cc, DD_EUNDEFINED_FUNCTION, e->loc, "function %s() does not exist", name);
        if (e->u.func.star || !agg_lookup(name, &ak))
            return err_at(cc, DD_EWRONG_OBJECT_TYPE, e->loc,
                          "%s is not an ordered-set aggregate, so it cannot have WITHIN GROUP", name);
        /* PostgreSQL looks for a form taking the direct and the ordering arguments */
        return err_at(cc, DD_EUNDEFINED_FUNCTION, e->loc, "function %s with %d arguments does not exist", name,
                      e->u.func.n + e->u.func.norder);
    }
    if (agg_lookup(name, &ak)) {
        if (e->u.func.star) ak = AGG_COUNT_STAR;
        if (cc->agg_forbidden)
            return err_at(cc, DD_EGROUPING, e->loc, "aggregate functions are not allowed in %s", cc->agg_forbidden);
        if (!cc->grouped)
            return err_at(cc, DD_EINTERNAL, e->loc, "aggregate outside an aggregation context");
        int idx = 0;
        int rc = register_agg(b, e, ak, &idx);
        if (rc) return rc;
        ExprInstr i = ins_make(XOP_SLOT, e->loc);
        i.a = cc->ngroup + (cc->ngsets ? 1 : 0) + idx;
        i.type = (u8)cc->aggs[idx]->type;
        f->type = cc->aggs[idx]->type;
        if (type_has_etype(f->type)) f->typmod = cc->aggs[idx]->typmod;
        f->constant = false;
        f->depth = DD_MAX(f->depth, 1);
        return frag_emit(f, i);
    }
    if (is_window_func(name, e->u.func.n) && !e->u.func.star)
        return err_at(cc, DD_EWRONG_OBJECT_TYPE, e->loc, "window function %s requires an OVER clause", name);
    if (e->u.func.distinct)
        return err_at(cc, DD_ESYNTAX, e->loc, "DISTINCT specified, but %s is not an aggregate function", name);
    if (e->u.func.filter)
        return err_at(cc, DD_EWRONG_OBJECT_TYPE, e->loc, "FILTER specified, but %s is not an aggregate function", name);
    if (e->u.func.norder)
        return err_at(cc, DD_EWRONG_OBJECT_TYPE, e->loc, "ORDER BY specified, but %s is not an aggregate function", name);
    if (strcmp(name, "coalesce") == 0) return compile_coalesce(b, e, f);
    if (srf_is(name)) return compile_srf(b, e, f);
    int n = e->u.func.n;
    const FuncDef *fd = NULL;
    for (int k = 0; (fd = func_lookup_form(name, k)) && !func_takes(fd, n); k++) continue;
    const char *why = fd ? NULL : json_func_unsupported(name);
    if (why) return err_at(cc, DD_EFEATURE, e->loc, "%s() is not supported: %s", name, why);
    if (!fd) {
        Buf sig = BUF_INIT;
        buf_printf(&sig, "%s(", e->u.func.name);   /* as written: pg_catalog.f stays qualified */
        for (int i = 0; i < n; i++) {
            Frag tmp;
            frag_init(&tmp);
            int rc = compile_node(b, e->u.func.args[i], &tmp);
            frag_free(&tmp);
            if (rc) {   /* as PostgreSQL: the arguments are analyzed first */
                buf_free(&sig);
                return rc;
            }
            buf_printf(&sig, "%s%s", i ? ", " : "", arg_type_name(cc, tmp.type, tmp.typmod));
        }
        buf_puts(&sig, ")");
        int rc = err_at(cc, DD_EUNDEFINED_FUNCTION, e->loc, "function %s does not exist",
                        buf_ok(&sig) ? buf_cstr(&sig) : name);
        dd_err_hint(cc->sql->err, "No function matches the given name and argument types. "
                                  "You might need to add explicit type casts.");
        buf_free(&sig);
        return rc;
    }
    Frag *fs = dd_calloc((size_t)n + 1, sizeof(Frag));
    TypeId *types = dd_calloc((size_t)n + 1, sizeof(TypeId));
    int rc = (!fs || !types) ? DD_ENOMEM : DD_OK;
    for (int i = 0; !rc && i < n; i++) {
        frag_init(&fs[i]);
        rc = compile_node(b, e->u.func.args[i], &fs[i]);
        /* int2vector / oidvector pass to functions as their arrays */
        if (!rc && type_vector_array(fs[i].type) && strcmp(name, "pg_typeof") != 0)
            rc = coerce(b, &fs[i], type_vector_array(fs[i].type), -1, false, e->u.func.args[i]->loc);
    }
    TypeId ret = TYPE_TEXT;
    if (!rc && n == 1 && (fs[0].type == TYPE_UNKNOWN || fs[0].type == TYPE_NULLTYPE) &&
        (strcmp(name, "to_json") == 0 || strcmp(name, "to_jsonb") == 0))   /* anyelement */
        rc = err_at(cc, DD_EDATATYPE_MISMATCH, e->loc, "could not determine polymorphic type because input has type unknown");
    int vi = e->u.func.variadic ? func_variadic_index(name) : -1;
    if (!rc && vi >= 0) {
        /* f(..., VARIADIC arr) of a function whose arguments from vi on
         * are of any type: arr must be exactly those arguments */
        TypeId at = fs[n - 1].type;
        if (!type_is_array(at))
            rc = err_at(cc, DD_EDATATYPE_MISMATCH, e->u.func.args[n - 1]->loc, "VARIADIC argument must be an array");
        else if (n != vi + 1) {
            Buf sig = BUF_INIT;
            for (int i = 0; i < n; i++) buf_printf(&sig, "%s%s", i ? ", " : "", arg_type_name(cc, fs[i].type, fs[i].typmod));
            rc = err_at(cc, DD_EUNDEFINED_FUNCTION, e->loc, "function %s(%s) does not exist", name,
                        buf_ok(&sig) ? buf_cstr(&sig) : "");
            buf_free(&sig);
        }
    }
    if (!rc && !(fd = resolve_form(name, n, fs, types, &ret))) {
        Buf sig = BUF_INIT;
        /* as written: pg_catalog.f stays qualified; EXTRACT(f FROM x) is
         * pg_catalog.extract(f, x) in PostgreSQL's messages */
        buf_printf(&sig, "%s(", strcmp(e->u.func.name, "extract") == 0 ? "pg_catalog.extract" : e->u.func.name);
        for (int i = 0; i < n; i++)
            buf_printf(&sig, "%s%s", i ? ", " : "", arg_type_name(cc, fs[i].type, fs[i].typmod));
        buf_puts(&sig, ")");
        if (ret == TYPE_NULLTYPE) {
            /* an array function's resolver could not tell the array type */
            rc = err_at(cc, DD_EDATATYPE_MISMATCH, e->loc,
                        "could not determine polymorphic type because input has type unknown");
        } else if (ret == TYPE_UNKNOWN) {
            rc = err_at(cc, DD_EAMBIGUOUS_FUNCTION, e->loc, "function %s is not unique", buf_ok(&sig) ? buf_cstr(&sig) : name);
            dd_err_hint(cc->sql->err, "Could not choose a best candidate function. "
                                      "You might need to add explicit type casts.");
        } else {
            rc = err_at(cc, DD_EUNDEFINED_FUNCTION, e->loc, "function %s does not exist", buf_ok(&sig) ? buf_cstr(&sig) : name);
            dd_err_hint(cc->sql->err, "No function matches the given name and argument types. "
                                      "You might need to add explicit type casts.");
        }
        buf_free(&sig);
    }
    if (!rc && ret == TYPE_JSON &&
        (strcmp(name, "nullif") == 0 || strcmp(name, "greatest") == 0 || strcmp(name, "least") == 0))
        rc = err_at(cc, DD_EUNDEFINED_OPERATOR, e->loc, "operator does not exist: json %s %s",
                    name[0] == 'n' ? "=" : name[0] == 'g' ? ">" : "<", n > 1 ? arg_type_name(cc, fs[1].type, fs[1].typmod) : "json");
    i32 etm = rc ? -1 : enum_typmod(fs, n);   /* untyped arguments read as labels of the enum argument's type */
    /* nextval($1), currval, setval: DriftDB reads the sequence's name as
     * text where PostgreSQL's argument is a regclass, which is what
     * ParameterDescription names */
    int rpn = !rc && n >= 1 && cc->sql->param_regs && seq_takes_regclass(name) ? untyped_param_frag(cc, &fs[0]) : 0;
    if (rpn && !cc->sql->param_regs[rpn - 1]) cc->sql->param_regs[rpn - 1] = TYPE_REGCLASS;
    int any = any_args_from(name);
    for (int i = 0; !rc && i < n; i++) {
        /* an argument of type "any" leaves a $n untyped (42P18 unless
         * another context types it), as PostgreSQL's */
        if (any >= 0 && i >= any && untyped_param_frag(cc, &fs[i])) continue;
        if (types[i] != fs[i].type)
            rc = coerce(b, &fs[i], types[i], type_has_etype(types[i]) ? etm : -1, false, e->u.func.args[i]->loc);
    }
    for (int i = 0; !rc && i < n; i++) rc = frag_append(f, &fs[i], i);
    if (!rc) rc = emit_call(f, fd, n, ret, e->loc);
    if (!rc && type_has_etype(ret)) f->typmod = etm;
    if (!rc && vi >= 0) {
        /* func_variadic_call spreads the array, then calls fd */
        f->code[f->n - 1].fn = func_variadic_call;
        f->code[f->n - 1].state = (void *)fd;
    }
    for (int i = 0; fs && i < n; i++) frag_free(&fs[i]);
    dd_free(fs);
    dd_free(types);
    return rc;
}

/* Plans subquery s as a SubLink of the given kind.  loc: the subquery,
 * oploc: where PostgreSQL reports a wrong number of columns; want: the
 * columns IN compares (1, or a row's length). */
static int plan_sublink(Builder *b, SelectStmt *s, SubLinkKind kind, int want, int loc, int oploc, SubLink **out)
{
    CompileCtx *cc = b->cc;
    cc->sql->no_cache = true;   /* its values are kept from one run to the next (SubLink.done) */
    SubLink *l = arena_zalloc(cc->sql->stmt, sizeof(*l));
    if (!l) return DD_ENOMEM;
    int ncols = 0;
    Scope *env = arena_zalloc(cc->sql->stmt, sizeof(Scope));
    CompileCtx *snap = arena_alloc(cc->sql->stmt, sizeof(CompileCtx));
    if (!env || !snap) return DD_ENOMEM;
    if (cc->scope) *env = *cc->scope;
    *snap = *cc;
    env->cc = snap;
    env->link = l;
    if (b->nesting > 200)
        return err_at(cc, DD_ESTACK_DEPTH, loc, "stack depth limit exceeded");
    if (cc->sublink_forbidden)
        return err_at(cc, DD_EFEATURE, loc, "cannot use subquery in %s", cc->sublink_forbidden);
    if (!cc->sql->plan_subquery)
        return err_at(cc, DD_EINTERNAL, loc, "no planner for subqueries in this context");
    int rc = cc->sql->plan_subquery(cc->sql, s, env, &l->root, &ncols, &l->types, &l->typmod);
    if (rc) return rc;
    if ((kind == SUBLINK_SCALAR || kind == SUBLINK_ARRAY) && ncols != 1)
        return err_at(cc, DD_ESYNTAX, oploc, want ? "subquery must return only one column"
                                                  : "subquery has too many columns");
    if (kind == SUBLINK_IN && ncols != want)
        return err_at(cc, DD_ESYNTAX, oploc, "subquery has too %s columns", ncols > want ? "many" : "few");
    l->type = l->types[0];
    l->ncols = kind == SUBLINK_IN ? want : 1;
    l->kind = kind;
    l->loc = loc;
    *out = l;
    return DD_OK;
}

/* Appends XOP_SUBLINK; `below` values (IN: its argument) are under it. */
static int emit_sublink(Frag *f, SubLink *l, int below, u8 flags, int loc)
{
    ExprInstr i = ins_make(XOP_SUBLINK, loc);
    i.link = l;
    i.flags = flags;
    i.type = (u8)(l->kind == SUBLINK_SCALAR ? l->type : l->kind == SUBLINK_ARRAY ? l->type : TYPE_BOOL);
    f->type = (TypeId)i.type;
    f->typmod = (l->kind == SUBLINK_SCALAR || l->kind == SUBLINK_ARRAY) && type_has_etype(l->type) ? l->typmod : -1;
    f->constant = false;
    f->depth = DD_MAX(f->depth, below + 1);
    return frag_emit(f, i);
}

/* (x, y) [NOT] IN (SELECT a, b ...), and op ANY | ALL: the row's values
 * pushed in order, each compared with its column as `x = a` would; IN
 * is TRUE when one row's columns all are equal, else UNKNOWN when some
 * row's comparison is, else FALSE. */
static int compile_row_in_sublink(Builder *b, Expr *e, Frag *f)
{
    Expr *sub = e->u.in.list[0], *row = e->u.in.arg;
    int n = row->u.func.n, rc;
    SubLink *l;
    rc = plan_sublink(b, sub->u.sub.select, SUBLINK_IN, n, sub->loc, e->oploc, &l);
    for (int k = 0; !rc && k < n; k++) {
        Frag g;
        frag_init(&g);
        Expr *x = row->u.func.args[k];
        TypeId t, c = l->types[k];
        rc = compile_node(b, x, &g);
        if (!rc && (g.type == TYPE_UNKNOWN || g.type == TYPE_NULLTYPE)) rc = coerce(b, &g, c, -1, false, x->loc);
        else if (!rc && (!type_common(g.type, c, &t) || t == TYPE_JSON))
            rc = err_at(b->cc, DD_EUNDEFINED_OPERATOR, e->oploc, "operator does not exist: %s = %s",
                        type_name(g.type), type_name(c));
        if (!rc) rc = frag_append(f, &g, k);
        frag_free(&g);
    }
    if (!rc) rc = emit_sublink(f, l, n - 1, (e->u.in.negated ? 1 : 0) | (e->u.in.all ? 2 : 0), e->oploc);
    if (!rc) f->code[f->n - 1].sub = (u8)e->u.in.cmp;
    return rc;
}

/* x [NOT] IN (SELECT y ...): x and y compare as `x = y` would. */
static int compile_in_sublink(Builder *b, Expr *e, Frag *f)
{
    Expr *sub = e->u.in.list[0];
    SubLink *l;
    if (is_row_expr(e->u.in.arg)) return compile_row_in_sublink(b, e, f);
    int rc = compile_node(b, e->u.in.arg, f);
    if (!rc) rc = plan_sublink(b, sub->u.sub.select, SUBLINK_IN, 1, sub->loc, e->oploc, &l);
    if (rc) return rc;
    TypeId a = f->type, t;
    static const char *const ops[] = {[BOP_EQ] = "=", [BOP_NE] = "<>", [BOP_LT] = "<", [BOP_LE] = "<=",
                                      [BOP_GT] = ">", [BOP_GE] = ">="};
    int cmp = e->u.in.cmp ? e->u.in.cmp : BOP_EQ;
    if (a == TYPE_UNKNOWN || a == TYPE_NULLTYPE)
        rc = coerce(b, f, l->type, type_has_etype(l->type) ? l->typmod : -1, false, e->u.in.arg->loc);
    else if (!type_common(a, l->type, &t) || (type_has_etype(a) && f->typmod != l->typmod))
        rc = err_at(b->cc, DD_EUNDEFINED_OPERATOR, e->oploc, "operator does not exist: %s %s %s",
                    type_label(b->cc, a, f->typmod), ops[cmp], type_label(b->cc, l->type, l->typmod));
    /* flags: bit0 NOT IN, bit1 ALL; sub: the comparison (0: IN's =) */
    if (!rc) rc = emit_sublink(f, l, 0, (e->u.in.negated ? 1 : 0) | (e->u.in.all ? 2 : 0), e->oploc);
    if (!rc && e->u.in.cmp) f->code[f->n - 1].sub = (u8)e->u.in.cmp;
    f->depth = DD_MAX(f->depth, 1);
    return rc;
}

/* A string operand of LIKE and the regular expression operators ("char"
 * casts to text implicitly). */
static bool stringish(TypeId t) { return type_is_string(t) || t == TYPE_NULLTYPE || t == TYPE_CHAR; }
static const char *operand_type(TypeId t) { return t == TYPE_NULLTYPE ? "unknown" : type_name(t); }

/* SIMILAR TO's pattern as PostgreSQL rewrites it: similar_to_escape(p [, e]). */
static int compile_similar_pattern(Builder *b, Expr *e, Frag *g)
{
    Expr *args[2] = {e->u.like.pattern, e->u.like.escape};
    int n = args[1] ? 2 : 1, rc = DD_OK;
    Frag fs[2];
    frag_init(&fs[0]);
    frag_init(&fs[1]);
    for (int k = 0; !rc && k < n; k++) rc = compile_node(b, args[k], &fs[k]);
    if (!rc && (!stringish(fs[0].type) || (n == 2 && !stringish(fs[1].type))))
        rc = err_at(b->cc, DD_EUNDEFINED_FUNCTION, e->u.like.pattern->loc, "function similar_to_escape(%s%s%s) does not exist",
                    operand_type(fs[0].type), n == 2 ? ", " : "", n == 2 ? operand_type(fs[1].type) : "");
    for (int k = 0; !rc && k < n; k++) rc = coerce(b, &fs[k], TYPE_TEXT, -1, false, args[k]->loc);
    for (int k = 0; !rc && k < n; k++) rc = frag_append(g, &fs[k], k);
    if (!rc) rc = emit_call(g, func_lookup("similar_to_escape"), n, TYPE_TEXT, e->loc);
    frag_free(&fs[0]);
    frag_free(&fs[1]);
    return rc;
}

/* x ~ p (~* !~ !~*) and x [NOT] SIMILAR TO p [ESCAPE e] as calls of the
 * functions PostgreSQL has behind them: textregexeq(x, p) and its ne / ic
 * forms (bpchar... for char(n), whose padding takes part), with SIMILAR
 * TO's pattern through similar_to_escape. */
static int compile_regex_match(Builder *b, Expr *e, Frag *f)
{
    Frag fs[2];
    frag_init(&fs[0]);
    frag_init(&fs[1]);
    bool similar = e->u.like.how == MATCH_SIMILAR;
    int rc = compile_node(b, e->u.like.arg, &fs[0]);
    if (!rc) rc = similar ? compile_similar_pattern(b, e, &fs[1]) : compile_node(b, e->u.like.pattern, &fs[1]);
    if (!rc && (!stringish(fs[0].type) || !stringish(fs[1].type)))
        rc = err_at(b->cc, DD_EUNDEFINED_OPERATOR, e->oploc, "operator does not exist: %s %s~%s %s",
                    operand_type(fs[0].type), e->u.like.negated ? "!" : "", e->u.like.icase ? "*" : "",
                    operand_type(fs[1].type));
    bool bpchar = fs[0].type == TYPE_BPCHAR;
    if (!rc && !bpchar) rc = coerce(b, &fs[0], TYPE_TEXT, -1, false, e->u.like.arg->loc);
    if (!rc) rc = coerce(b, &fs[1], TYPE_TEXT, -1, false, e->u.like.pattern->loc);
    if (!rc) rc = frag_append(f, &fs[0], 0);
    if (!rc) rc = frag_append(f, &fs[1], 1);
    char fn[24];
    snprintf(fn, sizeof fn, "%s%sregex%s", bpchar ? "bpchar" : "text", e->u.like.icase ? "ic" : "",
             e->u.like.negated ? "ne" : "eq");
    if (!rc) rc = emit_call(f, func_lookup(fn), 2, TYPE_BOOL, e->loc);
    frag_free(&fs[0]);
    frag_free(&fs[1]);
    return rc;
}

static int group_match(CompileCtx *cc, Expr *e)
{
    if (!cc->grouped) return -1;
    for (int i = 0; i < cc->ngroup; i++)
        if (ast_expr_equal(cc->group[i], e)) return i;
    return -1;
}

static int compile_array_binary(Builder *b, Expr *e, Frag *f);

static int compile_node(Builder *b, Expr *e, Frag *f)
{
    CompileCtx *cc = b->cc;
    int rc = DD_OK;
    if (++b->nesting > 2000) {
        b->nesting--;
        return err_at(cc, DD_ESTACK_DEPTH, e->loc, "stack depth limit exceeded");
    }
    int g = e->kind == EXPR_CONST ? -1 : group_match(cc, e);
    if (g >= 0) {
        /* a grouped expression: read it from the aggregated row */
        TypeId t = TYPE_TEXT;
        CompileCtx sub = *cc;
        sub.grouped = false;
        ExprProg *p;
        rc = expr_compile(&sub, cc->group[g], &p);
        if (!rc) t = p->type;
        ExprInstr i = ins_make(XOP_SLOT, e->loc);
        i.a = g;
        i.type = (u8)t;
        if (!rc) rc = frag_emit(f, i);
        f->type = t;
        f->constant = false;
        f->depth = DD_MAX(f->depth, 1);
        b->nesting--;
        return rc;
    }
    switch (e->kind) {
    case EXPR_CONST:
        rc = frag_const(b, f, e->u.c.val, e->loc);
        f->typmod = -1;
        break;
    case EXPR_SEQ:
        rc = frag_const(b, f, val_int(TYPE_INT8, e->u.seq.n), e->loc);
        break;
    case EXPR_COLUMN: {
        int slot;
        TypeId t;
        i32 tm;
        int levels;
        if (e->u.col.star_slot < 0 || (cc->scope && cc->scope->mhi > cc->scope->mlo)) {
            /* a column merged by JOIN ... USING: its expression */
            int m = -e->u.col.star_slot - 1;
            if (e->u.col.star_slot >= 0 && (rc = find_merged(cc, cc->scope, e, &m))) break;
            if (m >= 0) {
                Expr *me = cc->scope->merged[m].expr;
                Expr *side = me->kind == EXPR_CAST ? me->u.cast.arg : me;
                if (e->u.col.qualifier && e->u.col.star_slot >= 0 && side->kind == EXPR_COLUMN &&
                    side->u.col.star_slot > 0 && side->u.col.qualifier) {
                    /* alias.x of JOIN ... USING (x) AS alias taking one side's
                     * column: that column by name (in the common type) from
                     * now on, as a WHERE conjunct is compiled again below
                     * the join, where the alias is not seen */
                    Expr *c = arena_alloc(cc->sql->stmt, sizeof(Expr));
                    if (!c) { rc = DD_ENOMEM; break; }
                    *c = *side;
                    c->u.col.star_slot = 0;
                    if (me->kind == EXPR_CAST) {
                        e->kind = EXPR_CAST;
                        e->u.cast.arg = c;
                        e->u.cast.type = me->u.cast.type;
                    } else {
                        *e = *c;
                    }
                }
                rc = compile_node(b, me, f);
                break;
            }
        }
        if (!e->u.col.qualifier && e->u.col.star_slot == 0) {
            /* `t` naming a relation, not a column: its row as a record */
            Expr *row = NULL;
            if ((rc = whole_row(b, e, &row))) break;
            if (row) {
                rc = row->u.func.scalar_row ? compile_node(b, row->u.func.args[0], f) : compile_record(b, row, f);
                break;
            }
        }
        CompileCtx sub = *cc;
        sub.grouped = false;
        rc = resolve_column_lv(&sub, e, &slot, &t, &tm, &levels);
        if (rc) break;
        if (cc->grouped && !levels) {
            /* (an outer reference is a constant for the group); PostgreSQL
             * names the column with its relation */
            const char *q = e->u.col.qualifier;
            for (int r = 0; !q && cc->scope && r < cc->scope->nrels; r++) {
                const ScopeRel *rel = &cc->scope->rels[r];
                if (slot >= rel->slot0 && slot < rel->slot0 + rel->ncols && rel->alias && rel->alias[0]) q = rel->alias;
            }
            rc = err_at(cc, DD_EGROUPING, e->loc,
                        "column \"%s%s%s\" must appear in the GROUP BY clause or be used in an aggregate function",
                        q ? q : "", q ? "." : "", e->u.col.name);
            break;
        }
        ExprInstr i = ins_make(levels ? XOP_OUTER : XOP_SLOT, e->loc);
        i.sub = (u8)levels;
        i.a = slot;
        i.type = (u8)t;
        rc = frag_emit(f, i);
        f->type = t;
        f->typmod = tm;
        f->constant = false;
        f->depth = DD_MAX(f->depth, 1);
        break;
    }
    case EXPR_STAR: {
        /* t.* as a value (count(t.*), f(t.*)): the row of t */
        Expr *row = NULL;
        if (e->u.col.qualifier && !(rc = whole_row(b, e, &row)) && row) rc = compile_node(b, row, f);
        else if (!rc) rc = err_at(cc, DD_ESYNTAX, e->loc, "syntax error at or near \"*\"");
        break;
    }
    case EXPR_PARAM: {
        int n = e->u.param.n;
        struct SqlCtx *sc = cc->sql;
        if (n < 1 || n > sc->nparams) {
            rc = err_at(cc, DD_EUNDEFINED_PARAMETER, e->loc, "there is no parameter $%d", n);
            break;
        }
        if (sc->params) {
            /* executing: the bound value is a constant of the statement */
            rc = frag_const(b, f, sc->params[n - 1], e->loc);
            /* an enum's (or its array's) typmod is its type's id */
            const Value *pv = &sc->params[n - 1];
            f->typmod = pv->isnull || !type_has_etype((TypeId)pv->type) ? -1
                        : pv->type == TYPE_ENUM ? (i32)pv->etype : (i32)array_etype(pv);
            break;
        }
        ExprInstr i = ins_make(XOP_PARAM, e->loc);
        i.a = n;
        i.type = (u8)sc->param_types[n - 1];
        rc = frag_emit(f, i);
        f->type = sc->param_types[n - 1];
        f->constant = false;
        f->depth = DD_MAX(f->depth, 1);
        break;
    }
    case EXPR_UNARY:
        if (e->u.unary.op == UOP_NOT) {
            rc = compile_bool(b, e->u.unary.arg, f, "NOT");
            ExprInstr i = ins_make(XOP_NOT, e->loc);
            i.type = TYPE_BOOL;
            if (!rc) rc = frag_emit(f, i);
            f->type = TYPE_BOOL;
        } else if (e->u.unary.op == UOP_BITNOT) {
            rc = compile_node(b, e->u.unary.arg, f);
            const FuncDef *fd = math_op_lookup("~", 0);
            TypeId ty = f->type, rt = TYPE_INT4;
            if (!rc && (f->type == TYPE_UNKNOWN || f->type == TYPE_NULLTYPE))   /* PostgreSQL: one ~ for each integer width */
                rc = err_at(cc, DD_EAMBIGUOUS_FUNCTION, e->loc, "operator is not unique: ~ unknown");
            else if (!rc && (!fd || !fd->resolve(&ty, 1, &rt)))
                rc = err_at(cc, DD_EUNDEFINED_OPERATOR, e->loc, "operator does not exist: ~ %s",
                            f->type == TYPE_NULLTYPE ? "unknown" : type_label(cc, f->type, f->typmod));
            if (!rc) rc = emit_call(f, fd, 1, rt, e->loc);
        } else {
            rc = compile_node(b, e->u.unary.arg, f);
            if (!rc && untyped_param_frag(cc, f))   /* PostgreSQL has one for each numeric type */
                rc = err_at(cc, DD_EAMBIGUOUS_FUNCTION, e->loc, "operator is not unique: %s unknown",
                            e->u.unary.op == UOP_NEG ? "-" : "+");
            if (!rc && (f->type == TYPE_UNKNOWN || f->type == TYPE_NULLTYPE))
                rc = coerce(b, f, TYPE_NUMERIC, -1, false, e->loc);
            if (!rc && !type_is_numeric(f->type) && f->type != TYPE_INTERVAL)
                rc = err_at(cc, DD_EUNDEFINED_OPERATOR, e->loc, "operator does not exist: %s %s",
                            e->u.unary.op == UOP_NEG ? "-" : "+", type_name(f->type));
            if (!rc && e->u.unary.op == UOP_NEG) {
                ExprInstr i = ins_make(XOP_NEG, e->loc);
                i.type = (u8)f->type;
                rc = frag_emit(f, i);
            }
        }
        break;
    case EXPR_BINARY: {
        BinaryOp op = e->u.bin.op;
        if (op == BOP_AND || op == BOP_OR) {
            Frag r;
            frag_init(&r);
            rc = compile_bool(b, e->u.bin.l, f, op == BOP_AND ? "AND" : "OR");
            if (!rc) rc = compile_bool(b, e->u.bin.r, &r, op == BOP_AND ? "AND" : "OR");
            if (!rc) {
                ExprInstr j = ins_make(op == BOP_AND ? XOP_AND_JF : XOP_OR_JT, e->loc);
                j.a = r.n + 2;
                rc = frag_emit(f, j);
                if (!rc) rc = frag_append(f, &r, 1);
                ExprInstr c = ins_make(op == BOP_AND ? XOP_AND : XOP_OR, e->loc);
                c.type = TYPE_BOOL;
                if (!rc) rc = frag_emit(f, c);
                f->type = TYPE_BOOL;
            }
            frag_free(&r);
        } else if (op >= BOP_EQ && op <= BOP_GE) {
            rc = compile_compare(b, e, op, e->u.bin.l, e->u.bin.r, f, XOP_CMP, 0);
        } else if (op == BOP_OTHER) {
            rc = compile_json_op(b, e, e->u.bin.opname, f);
        } else if (op == BOP_CONCAT || op == BOP_CONTAINS || op == BOP_CONTAINED || op == BOP_OVERLAP) {
            rc = compile_array_binary(b, e, f);
            if (rc != -1) break;
            rc = DD_OK;
            if (op != BOP_CONCAT) {   /* not over arrays: jsonb's @> and <@ */
                rc = compile_json_op(b, e, op == BOP_CONTAINS ? "@>" : op == BOP_CONTAINED ? "<@" : "&&", f);
                break;
            }
            Frag fs[2];
            frag_init(&fs[0]);
            frag_init(&fs[1]);
            rc = compile_node(b, e->u.bin.l, &fs[0]);
            if (!rc) rc = compile_node(b, e->u.bin.r, &fs[1]);
            if (!rc && (fs[0].type == TYPE_BYTEA || fs[1].type == TYPE_BYTEA)) {
                rc = compile_op_call(b, e, "||", fs, f);
                break;
            }
            if (!rc && (fs[0].type == TYPE_JSONB || fs[1].type == TYPE_JSONB) &&
                (fs[0].type == TYPE_JSONB || fs[0].type == TYPE_UNKNOWN || fs[0].type == TYPE_NULLTYPE) &&
                (fs[1].type == TYPE_JSONB || fs[1].type == TYPE_UNKNOWN || fs[1].type == TYPE_NULLTYPE)) {
                rc = compile_op_call(b, e, "||", fs, f);
                break;
            }
            if (!rc && !type_is_string(fs[0].type) && !type_is_string(fs[1].type) &&
                fs[0].type != TYPE_NULLTYPE && fs[1].type != TYPE_NULLTYPE)
                rc = err_at(cc, DD_EUNDEFINED_OPERATOR, e->loc, "operator does not exist: %s || %s",
                            type_name(fs[0].type), type_name(fs[1].type));
            for (int k = 0; !rc && k < 2; k++)
                if (fs[k].type == TYPE_UNKNOWN || fs[k].type == TYPE_NULLTYPE)
                    rc = coerce(b, &fs[k], TYPE_TEXT, -1, false, e->loc);
            if (!rc) rc = frag_append(f, &fs[0], 0);
            if (!rc) rc = frag_append(f, &fs[1], 1);
            ExprInstr i = ins_make(XOP_CONCAT, e->loc);
            i.type = TYPE_TEXT;
            if (!rc) rc = frag_emit(f, i);
            f->type = TYPE_TEXT;
            frag_free(&fs[0]);
            frag_free(&fs[1]);
        } else {
            rc = compile_arith(b, e, f);
        }
        break;
    }
    case EXPR_IS:
        if (e->u.is.what == IS_DISTINCT_FROM) {
            rc = compile_compare(b, e, BOP_EQ, e->u.is.arg, e->u.is.other, f, XOP_DISTINCT,
                                 e->u.is.negated ? 1 : 0);
        } else {
            if (e->u.is.what == IS_NULL) rc = compile_node(b, e->u.is.arg, f);
            else rc = compile_bool(b, e->u.is.arg, f, "IS TRUE");
            ExprInstr i = ins_make(XOP_IS, e->loc);
            i.sub = (u8)e->u.is.what;
            i.flags = e->u.is.negated ? 1 : 0;
            i.type = TYPE_BOOL;
            if (!rc) rc = frag_emit(f, i);
            f->type = TYPE_BOOL;
        }
        break;
    case EXPR_IN: {
        int n = e->u.in.n;
        if (e->u.in.subquery) {
            rc = compile_in_sublink(b, e, f);
            break;
        }
        Expr **all = dd_malloc(sizeof(Expr *) * (size_t)(n + 1));
        Frag *fs = dd_calloc((size_t)n + 1, sizeof(Frag));
        if (!all || !fs) { dd_free(all); dd_free(fs); rc = DD_ENOMEM; break; }
        all[0] = e->u.in.arg;
        for (int k = 0; k < n; k++) all[k + 1] = e->u.in.list[k];
        TypeId t;
        rc = compile_list_common(b, all, n + 1, fs, e->loc, "IN", &t);
        if (!rc && t == TYPE_JSON)   /* json has no equality */
            rc = err_at(cc, DD_EUNDEFINED_OPERATOR, e->oploc, "operator does not exist: json = json");
        for (int k = 0; !rc && k <= n; k++) rc = frag_append(f, &fs[k], k);
        ExprInstr i = ins_make(XOP_IN, e->loc);
        i.a = n;
        i.flags = e->u.in.negated ? 1 : 0;
        i.type = TYPE_BOOL;
        if (!rc) rc = frag_emit(f, i);
        f->type = TYPE_BOOL;
        for (int k = 0; k <= n; k++) frag_free(&fs[k]);
        dd_free(fs);
        dd_free(all);
        break;
    }
    case EXPR_BETWEEN: {
        Expr *all[3] = {e->u.between.arg, e->u.between.lo, e->u.between.hi};
        Frag fs[3];
        TypeId t;
        rc = compile_between_params(b, e, all, fs);
        if (!rc) rc = list_common(b, all, 3, fs, e->loc, "BETWEEN", &t);
        if (!rc && t == TYPE_JSON) {   /* nor ordering */
            Expr *lo = e->u.between.lo;
            bool untyped = lo->kind == EXPR_CONST && (lo->u.c.val.type == TYPE_UNKNOWN || lo->u.c.val.type == TYPE_NULLTYPE);
            rc = err_at(cc, DD_EUNDEFINED_OPERATOR, e->oploc, "operator does not exist: json >= %s",
                        untyped ? "unknown" : "json");
        }
        for (int k = 0; !rc && k < 3; k++) rc = frag_append(f, &fs[k], k);
        ExprInstr i = ins_make(XOP_BETWEEN, e->loc);
        i.flags = (u8)((e->u.between.negated ? 1 : 0) | (e->u.between.symmetric ? 2 : 0));
        i.type = TYPE_BOOL;
        if (!rc) rc = frag_emit(f, i);
        f->type = TYPE_BOOL;
        for (int k = 0; k < 3; k++) frag_free(&fs[k]);
        break;
    }
    case EXPR_LIKE: {
        if (e->u.like.how != MATCH_LIKE) {
            rc = compile_regex_match(b, e, f);
            break;
        }
        Expr *all[3] = {e->u.like.arg, e->u.like.pattern, e->u.like.escape};
        int n = e->u.like.escape ? 3 : 2;
        Frag fs[3];
        for (int k = 0; k < 3; k++) frag_init(&fs[k]);
        for (int k = 0; !rc && k < n; k++) {
            rc = compile_node(b, all[k], &fs[k]);
            if (!rc && !stringish(fs[k].type))
                rc = err_at(cc, DD_EUNDEFINED_OPERATOR, e->loc, "operator does not exist: %s %s %s",
                            type_label(cc, fs[0].type, fs[0].typmod), e->u.like.icase ? "~~*" : "~~",
                            k ? type_label(cc, fs[k].type, fs[k].typmod) : "unknown");
            /* char(n) LIKE p matches its padded value, as PostgreSQL's bpcharlike */
            if (!rc && !(k == 0 && fs[0].type == TYPE_BPCHAR)) rc = coerce(b, &fs[k], TYPE_TEXT, -1, false, all[k]->loc);
        }
        for (int k = 0; !rc && k < n; k++) rc = frag_append(f, &fs[k], k);
        ExprInstr i = ins_make(XOP_LIKE, e->loc);
        i.flags = (u8)((e->u.like.negated ? 1 : 0) | (e->u.like.icase ? 2 : 0) | (n == 3 ? 4 : 0));
        i.type = TYPE_BOOL;
        if (!rc) rc = frag_emit(f, i);
        f->type = TYPE_BOOL;
        for (int k = 0; k < 3; k++) frag_free(&fs[k]);
        break;
    }
    case EXPR_CASE:
        rc = compile_case(b, e, f);
        break;
    case EXPR_CAST: {
        TypeId t;
        i32 utm = -1;   /* a user type's typmod (an enum's id, a domain's base's) */
        u32 domain = 0;
        if (!type_from_name(e->u.cast.type.name, &t)) {
            rc = sql_type_from_name(cc->sql, &e->u.cast.type, &t, &utm, &domain);
            if (rc) {
                if (cc->sql->err->position == 0 && e->u.cast.type.loc >= 0)
                    cc->sql->err->position = e->u.cast.type.loc + 1;
                break;
            }
        }
        if ((rc = type_check_typmod(e->u.cast.type.name, t, e->u.cast.type.typmod, e->u.cast.type.loc, cc->sql->err)))
            break;
        Expr *arg = e->u.cast.arg;
        i32 tm = type_has_etype(t) || domain ? utm : e->u.cast.type.typmod;
        bool ctor = arg->kind == EXPR_FUNC && arg->u.func.special == FUNC_ARRAY;
        if (type_is_array(t) && ctor && arg->u.func.n == 0) {
            /* ARRAY[]::t[]: the empty array of the type given */
            ArrayVal empty;
            array_init(&empty, type_elem(t));
            if (type_has_etype(t) && utm > 0) empty.etype = (u32)utm;
            Value v;
            rc = array_to_value(&empty, cc->sql->stmt, &v, cc->sql->err);
            if (!rc) rc = frag_const(b, f, v, e->loc);
            f->typmod = type_has_etype(t) ? utm : -1;
        } else if (!(t == type_array_of(TYPE_ENUM) && ctor && (rc = compile_enum_array_ctor(b, arg, tm, f)) != -1)) {
            /* (ARRAY[a, b]::mood[] is ARRAY[a::mood, b::mood], as PostgreSQL reads it;
             * ARRAY[$1]::int[] types $1 so) */
            for (int k = 0; ctor && type_is_array(t) && !type_has_etype(t) && !type_is_reg(type_elem(t)) &&
                            k < arg->u.func.n; k++)
                param_take(cc, arg->u.func.args[k], type_elem(t));
            rc = compile_node(b, arg, f);
            if (!rc) rc = coerce(b, f, t, tm, true, e->loc);
        }
        if (!rc && domain) {
            /* x::d: the base type's cast, then d's constraints */
            DomainProg *d;
            if (!(rc = domain_prepare(cc->sql, domain, &d))) {
                ExprInstr ins = ins_make(XOP_FUNC, e->loc);
                ins.fn = domain_cast_fn;
                ins.a = 1;
                ins.type = (u8)t;
                ins.typmod = tm;
                ins.state = d;
                rc = frag_emit(f, ins);
                f->typmod = tm;
            }
        }
        break;
    }
    case EXPR_FUNC:
        rc = compile_func(b, e, f);
        break;
    case EXPR_SUBQUERY:
    case EXPR_EXISTS: {
        SubLink *l;
        rc = plan_sublink(b, e->u.sub.select, e->kind == EXPR_EXISTS ? SUBLINK_EXISTS : SUBLINK_SCALAR, 1,
                          e->loc, e->loc, &l);
        if (!rc) rc = emit_sublink(f, l, 0, 0, e->loc);
        break;
    }
    case EXPR_DEFAULT:   /* INSERT and UPDATE replace it before compiling */
        rc = dd_err(b->cc->sql->err, DD_ESYNTAX, e->loc, "DEFAULT is not allowed in this context");
        break;
    }
    b->nesting--;
    return rc;
}

/* ---------------------------------------------------------------- arrays */

static bool unknownish(TypeId t) { return t == TYPE_UNKNOWN || t == TYPE_NULLTYPE; }

/* Appends a call of fn over the n values below it, with its ArrayOpInfo. */
static int emit_array_call(Builder *b, Frag *f, FuncImpl fn, int n, ArrayOpInfo info, int loc)
{
    ArrayOpInfo *st = arena_alloc(b->cc->sql->stmt, sizeof *st);
    if (!st) return DD_ENOMEM;
    *st = info;
    ExprInstr ins = ins_make(XOP_FUNC, loc);
    ins.fn = fn;
    ins.a = n;
    ins.type = (u8)info.type;
    ins.state = st;
    f->type = info.type;
    f->typmod = type_has_etype(info.type) ? info.typmod : -1;
    f->depth = DD_MAX(f->depth, 1);
    return frag_emit(f, ins);
}

static int no_array_type(Builder *b, TypeId t, int loc)
{
    return err_at(b->cc, DD_EUNDEFINED_OBJECT, loc, "could not find array type for data type %s", type_name(t));
}

/* ARRAY[a, b, ...]::mood[]: each element cast to the enum (etype), or
 * -1 when an element is an array constructor or query (the cast then
 * applies to the whole). */
static int compile_enum_array_ctor(Builder *b, Expr *e, i32 etype, Frag *f)
{
    int n = e->u.func.n;
    for (int k = 0; k < n; k++) {
        const Expr *a = e->u.func.args[k];
        if (a->kind == EXPR_FUNC && (a->u.func.special == FUNC_ARRAY || a->u.func.special == FUNC_ARRAY_QUERY)) return -1;
    }
    Frag *fs = dd_calloc((size_t)(n ? n : 1), sizeof(Frag));
    if (!fs) return DD_ENOMEM;
    int rc = DD_OK;
    for (int k = 0; k < n; k++) frag_init(&fs[k]);
    for (int k = 0; !rc && k < n; k++) {
        rc = compile_node(b, e->u.func.args[k], &fs[k]);
        /* an element that is an array makes one more dimension: all are */
        if (!rc && k && type_is_array(fs[k].type) != type_is_array(fs[0].type))
            rc = err_at(b->cc, DD_EDATATYPE_MISMATCH, e->loc, "ARRAY types %s and %s cannot be matched",
                        type_label(b->cc, fs[0].type, fs[0].typmod), type_label(b->cc, fs[k].type, fs[k].typmod));
        if (!rc)
            rc = coerce(b, &fs[k], type_is_array(fs[k].type) ? type_array_of(TYPE_ENUM) : TYPE_ENUM, etype, true,
                        e->u.func.args[k]->loc);
    }
    for (int k = 0; !rc && k < n; k++) rc = frag_append(f, &fs[k], k);
    ArrayOpInfo info = {.type = type_array_of(TYPE_ENUM), .typmod = etype};
    if (!rc) rc = emit_array_call(b, f, arr_construct, n, info, e->loc);
    for (int k = 0; k < n; k++) frag_free(&fs[k]);
    dd_free(fs);
    return rc;
}

/* ARRAY[a, b, ...] (elements of one type, or sub-arrays: one more dimension). */
static int compile_array_ctor(Builder *b, Expr *e, Frag *f)
{
    int n = e->u.func.n;
    if (n == 0) {
        int rc = err_at(b->cc, DD_EINDETERMINATE_TYPE, e->loc, "cannot determine type of empty array");
        dd_err_hint(b->cc->sql->err, "Explicitly cast to the desired type, for example ARRAY[]::integer[].");
        return rc;
    }
    Frag *fs = dd_calloc((size_t)n, sizeof(Frag));
    if (!fs) return DD_ENOMEM;
    TypeId t;
    int rc = compile_list_common(b, e->u.func.args, n, fs, e->loc, "ARRAY", &t);
    TypeId rt = t;
    if (!rc && !type_is_array(t)) {
        if (type_has_array(t)) rt = type_array_of(t);
        else rc = no_array_type(b, t, e->loc);
    }
    for (int k = 0; !rc && k < n; k++) rc = frag_append(f, &fs[k], k);
    if (!rc) rc = emit_array_call(b, f, arr_construct, n, (ArrayOpInfo){.type = rt, .typmod = fs[0].typmod}, e->loc);
    for (int k = 0; k < n; k++) frag_free(&fs[k]);
    dd_free(fs);
    return rc;
}

/* ARRAY(SELECT x ...) */
static int compile_array_query(Builder *b, Expr *e, Frag *f)
{
    Expr *sub = e->u.func.args[0];
    SubLink *l;
    /* want 0: the subquery of x LIKE ANY (SELECT ...), whose error for
     * columns is IN's */
    int rc = plan_sublink(b, sub->u.sub.select, SUBLINK_ARRAY, e->u.func.match ? 0 : 1, sub->loc, sub->loc, &l);
    if (rc) return rc;
    if (unknownish(l->type)) l->type = TYPE_TEXT;
    if (!type_is_array(l->type)) {
        if (!type_has_array(l->type)) return no_array_type(b, l->type, e->loc);
        l->type = type_array_of(l->type);
    }
    return emit_sublink(f, l, 0, 0, e->loc);
}

/* j[k1][k2]... of a jsonb j, read ($jsonb_subscript) or assigned
 * ($jsonb_assign, the new value first), as PostgreSQL 14: each subscript
 * an integer (passed as bigint) or text, no slices; fs[0] is j's. */
static int compile_jsonb_subscript(Builder *b, Expr *e, Frag *fs, Frag *f)
{
    CompileCtx *cc = b->cc;
    bool assign = e->u.func.special == FUNC_ASSIGN;
    int n = e->u.func.n, nbounds = assign ? n - 1 : n, rc = DD_OK;
    if (strspn(e->u.func.slices, "i") != strlen(e->u.func.slices))
        return err_at(cc, DD_EDATATYPE_MISMATCH, e->oploc, "jsonb subscript does not support slices");
    for (int k = 1; !rc && k < nbounds; k++) {
        Expr *x = e->u.func.args[k];
        frag_init(&fs[k]);
        rc = compile_node(b, x, &fs[k]);
        TypeId t = fs[k].type;
        if (rc) break;
        if (type_is_int(t)) {
            rc = coerce(b, &fs[k], TYPE_INT8, -1, false, x->loc);
        } else if (unknownish(t) || type_is_string(t)) {
            rc = coerce(b, &fs[k], TYPE_TEXT, -1, false, x->loc);
        } else {
            rc = err_at(cc, DD_EDATATYPE_MISMATCH, x->loc, "subscript type %s is not supported", type_label(cc, t, fs[k].typmod));
            dd_err_hint(cc->sql->err, "jsonb subscript must be coercible to either integer or text.");
        }
    }
    if (!rc && assign) {
        Expr *v = e->u.func.args[n - 1];
        frag_init(&fs[n - 1]);
        rc = compile_node(b, v, &fs[n - 1]);
        if (!rc && !unknownish(fs[n - 1].type) && fs[n - 1].type != TYPE_JSONB && fs[n - 1].type != TYPE_JSON) {
            const Expr *col = e->u.func.args[0];
            rc = err_at(cc, DD_EDATATYPE_MISMATCH, v->loc, "subscripted assignment to \"%s\" requires type jsonb but expression is of type %s",
                        col->kind == EXPR_COLUMN ? col->u.col.name : "?", type_label(cc, fs[n - 1].type, fs[n - 1].typmod));
            dd_err_hint(cc->sql->err, "You will need to rewrite or cast the expression.");
        }
        if (!rc) rc = coerce(b, &fs[n - 1], TYPE_JSONB, -1, false, v->loc);
    }
    /* the order of the call's arguments: j, [v,] subscripts */
    if (!rc) rc = frag_append(f, &fs[0], 0);
    if (!rc && assign) rc = frag_append(f, &fs[n - 1], 1);
    for (int k = 1; !rc && k < nbounds; k++) rc = frag_append(f, &fs[k], k + (assign ? 1 : 0));
    const FuncDef *d = func_lookup(assign ? "$jsonb_assign" : "$jsonb_subscript");
    if (!rc && !d) rc = err_at(cc, DD_EINTERNAL, e->loc, "no jsonb subscript function");
    if (!rc) rc = emit_call(f, d, n, TYPE_JSONB, e->oploc);
    return rc;
}

/* x[i], x[lo:hi], ... */
static int compile_subscript(Builder *b, Expr *e, Frag *f)
{
    CompileCtx *cc = b->cc;
    bool assign = e->u.func.special == FUNC_ASSIGN;
    int n = e->u.func.n, nbounds = assign ? n - 1 : n;   /* assign: the new value last */
    int nsub = (int)strlen(e->u.func.slices);
    Frag *fs = dd_calloc((size_t)n, sizeof(Frag));
    if (!fs) return DD_ENOMEM;
    int rc = compile_node(b, e->u.func.args[0], &fs[0]);
    TypeId at = fs[0].type;
    if (!rc && type_vector_array(at) && !assign) {   /* int2vector / oidvector: their arrays, from 0 */
        at = type_vector_array(at);
        rc = coerce(b, &fs[0], at, -1, false, e->u.func.args[0]->loc);
    }
    if (!rc && at == TYPE_JSONB) {
        rc = compile_jsonb_subscript(b, e, fs, f);
        for (int k = 0; k < n; k++) frag_free(&fs[k]);
        dd_free(fs);
        return rc;
    }
    if (!rc && at == TYPE_NAME && !assign && n == 2 && strcmp(e->u.func.slices, "i") == 0) {
        /* name is a fixed array of "char" (typelem): name[i] is its byte i,
         * from 0, NULL past the end (pg_dump's typname[0] = '_') */
        frag_init(&fs[1]);
        rc = compile_node(b, e->u.func.args[1], &fs[1]);
        if (!rc && !unknownish(fs[1].type) && !type_is_int(fs[1].type))
            rc = err_at(cc, DD_EDATATYPE_MISMATCH, e->u.func.args[1]->loc, "array subscript must have type integer");
        if (!rc) rc = coerce(b, &fs[1], TYPE_INT4, -1, false, e->u.func.args[1]->loc);
        for (int k = 0; !rc && k < 2; k++) rc = frag_append(f, &fs[k], k);
        const FuncDef *d = func_lookup("$name_subscript");
        if (!rc && !d) rc = err_at(cc, DD_EINTERNAL, e->loc, "no name subscript function");
        if (!rc) rc = emit_call(f, d, 2, TYPE_CHAR, e->oploc);
        for (int k = 0; k < 2; k++) frag_free(&fs[k]);
        dd_free(fs);
        return rc;
    }
    if (!rc && !type_is_array(at))
        rc = err_at(cc, DD_EDATATYPE_MISMATCH, e->u.func.args[0]->loc,
                    "cannot subscript type %s because it does not support subscripting",
                    unknownish(at) ? "unknown" : type_label(cc, at, fs[0].typmod));
    if (!rc && nsub > ARRAY_MAXDIM)
        rc = err_at(cc, DD_EPROGRAM_LIMIT, e->oploc, "number of array dimensions (%d) exceeds the maximum allowed (%d)",
                    nsub, ARRAY_MAXDIM);
    for (int k = 1; !rc && k < nbounds; k++) {
        frag_init(&fs[k]);
        rc = compile_node(b, e->u.func.args[k], &fs[k]);
        if (!rc && !unknownish(fs[k].type) && !type_is_numeric(fs[k].type))
            rc = err_at(cc, DD_EDATATYPE_MISMATCH, e->u.func.args[k]->loc, "array subscript must have type integer");
        if (!rc) rc = coerce(b, &fs[k], TYPE_INT4, -1, false, e->u.func.args[k]->loc);
    }
    bool slice = strspn(e->u.func.slices, "i") != (size_t)nsub;
    if (!rc && assign) {
        /* the new value: an element, or an array for a slice (assignment rules) */
        Expr *v = e->u.func.args[n - 1];
        frag_init(&fs[n - 1]);
        rc = compile_node(b, v, &fs[n - 1]);
        if (!rc) rc = coerce(b, &fs[n - 1], slice ? at : type_elem(at), fs[0].typmod, false, v->loc);
    }
    for (int k = 0; !rc && k < n; k++) rc = frag_append(f, &fs[k], k);
    ArrayOpInfo info = {.type = slice || assign ? at : type_elem(at), .typmod = fs[0].typmod, .slices = e->u.func.slices};
    if (!rc) rc = emit_array_call(b, f, assign ? arr_assign : arr_subscript, n, info, e->oploc);
    for (int k = 0; k < n; k++) frag_free(&fs[k]);
    dd_free(fs);
    return rc;
}

/* x LIKE ANY | ALL (array) and the other pattern matches: the strings
 * as text, each element matched by the function behind the operator */
static int compile_match_any(Builder *b, Expr *e, Frag *f)
{
    CompileCtx *cc = b->cc;
    u8 m = e->u.func.match;
    Frag fs[2];
    frag_init(&fs[0]);
    frag_init(&fs[1]);
    Expr *x = e->u.func.args[0], *arr = e->u.func.args[1];
    int rc = compile_node(b, x, &fs[0]);
    if (!rc) rc = compile_node(b, arr, &fs[1]);
    if (!rc && unknownish(fs[1].type)) rc = coerce(b, &fs[1], type_array_of(TYPE_TEXT), -1, false, arr->loc);
    if (!rc && !type_is_array(fs[1].type))
        rc = err_at(cc, DD_EWRONG_OBJECT_TYPE, e->loc, "op ANY/ALL (array) requires array on right side");
    char op[8];
    snprintf(op, sizeof op, "%s~%s%s", m & ANY_MATCH_NOT ? "!" : "", m & ANY_MATCH_LIKE ? "~" : "",
             m & ANY_MATCH_ICASE ? "*" : "");
    TypeId et = rc ? TYPE_TEXT : type_elem(fs[1].type);
    if (!rc && (!stringish(fs[0].type) || !stringish(et)))
        rc = err_at(cc, DD_EUNDEFINED_OPERATOR, e->oploc, "operator does not exist: %s %s %s",
                    unknownish(fs[0].type) ? "unknown" : type_label(cc, fs[0].type, fs[0].typmod), op,
                    type_label(cc, et, -1));
    if (!rc && fs[0].type != TYPE_BPCHAR) rc = coerce(b, &fs[0], TYPE_TEXT, -1, false, x->loc);   /* padding kept */
    if (!rc && et != TYPE_TEXT) rc = coerce(b, &fs[1], type_array_of(TYPE_TEXT), -1, false, arr->loc);
    char fn[24];
    snprintf(fn, sizeof fn, "text%s%s%s", m & ANY_MATCH_ICASE ? "ic" : "", m & ANY_MATCH_NOT ? "n" : "",
             m & ANY_MATCH_LIKE ? "like" : "regexeq");
    if (m & ANY_MATCH_REGEX) snprintf(fn, sizeof fn, "text%sregex%s", m & ANY_MATCH_ICASE ? "ic" : "",
                                      m & ANY_MATCH_NOT ? "ne" : "eq");
    const FuncDef *d = func_lookup(fn);
    if (!rc && !d) rc = err_at(cc, DD_EINTERNAL, e->loc, "no function %s", fn);
    if (!rc) rc = frag_append(f, &fs[0], 0);
    if (!rc) rc = frag_append(f, &fs[1], 1);
    ArrayOpInfo info = {.type = TYPE_BOOL, .all = e->u.func.all, .match = rc ? NULL : d->impl};
    if (!rc) rc = emit_array_call(b, f, arr_any, 2, info, e->oploc);
    frag_free(&fs[0]);
    frag_free(&fs[1]);
    return rc;
}

/* x op ANY | ALL (array) */
static int compile_any(Builder *b, Expr *e, Frag *f)
{
    CompileCtx *cc = b->cc;
    if (e->u.func.match) return compile_match_any(b, e, f);
    Frag fs[2];
    frag_init(&fs[0]);
    frag_init(&fs[1]);
    Expr *x = e->u.func.args[0], *arr = e->u.func.args[1];
    int rc = compile_node(b, x, &fs[0]);
    if (!rc) rc = compile_node(b, arr, &fs[1]);
    if (!rc && type_vector_array(fs[1].type)) rc = coerce(b, &fs[1], type_vector_array(fs[1].type), -1, false, arr->loc);
    if (!rc && unknownish(fs[1].type)) {
        TypeId et = unknownish(fs[0].type) ? TYPE_TEXT : fs[0].type;
        if (type_has_array(et)) rc = coerce(b, &fs[1], type_array_of(et), fs[0].typmod, false, arr->loc);
    }
    if (!rc && !type_is_array(fs[1].type))
        rc = err_at(cc, DD_EWRONG_OBJECT_TYPE, e->loc, "op ANY/ALL (array) requires array on right side");
    TypeId et = type_elem(fs[1].type), t;
    if (!rc && unknownish(fs[0].type)) rc = coerce(b, &fs[0], et, fs[1].typmod, false, x->loc);
    else if (!rc && (!type_common(fs[0].type, et, &t) || type_is_array(et) != type_is_array(fs[0].type) ||
                     (type_has_etype(et) && fs[0].typmod != fs[1].typmod)))
        rc = err_at(cc, DD_EUNDEFINED_OPERATOR, e->oploc, "operator does not exist: %s %s %s",
                    type_label(cc, fs[0].type, fs[0].typmod), bop_text((BinaryOp)e->u.func.cmp),
                    type_label(cc, et, fs[1].typmod));
    /* char(n) against varchar: as char(n), as compile_compare */
    if (!rc && fs[0].type == TYPE_BPCHAR && et == TYPE_VARCHAR)
        rc = coerce(b, &fs[1], type_array_of(TYPE_BPCHAR), -1, false, arr->loc);
    if (!rc && fs[0].type == TYPE_VARCHAR && et == TYPE_BPCHAR) rc = coerce(b, &fs[0], TYPE_BPCHAR, -1, false, x->loc);
    if (!rc) rc = frag_append(f, &fs[0], 0);
    if (!rc) rc = frag_append(f, &fs[1], 1);
    ArrayOpInfo info = {.type = TYPE_BOOL, .cmp = e->u.func.cmp, .all = e->u.func.all};
    if (!rc) rc = emit_array_call(b, f, arr_any, 2, info, e->oploc);
    frag_free(&fs[0]);
    frag_free(&fs[1]);
    return rc;
}

static int compile_array_syntax(Builder *b, Expr *e, Frag *f)
{
    switch ((FuncSpecial)e->u.func.special) {
    case FUNC_ARRAY: return compile_array_ctor(b, e, f);
    case FUNC_ARRAY_QUERY: return compile_array_query(b, e, f);
    case FUNC_SUBSCRIPT: return compile_subscript(b, e, f);
    case FUNC_ANY: return compile_any(b, e, f);
    case FUNC_ASSIGN: return compile_subscript(b, e, f);
    default: return err_at(b->cc, DD_EINTERNAL, e->loc, "unknown array syntax");
    }
}

/* || @> <@ && where an operand is an array; -1 when neither is (|| is then
 * the string concatenation). */
static int compile_array_binary(Builder *b, Expr *e, Frag *f)
{
    CompileCtx *cc = b->cc;
    BinaryOp op = e->u.bin.op;
    Frag fs[2];
    frag_init(&fs[0]);
    frag_init(&fs[1]);
    int rc = compile_node(b, e->u.bin.l, &fs[0]);
    if (!rc) rc = compile_node(b, e->u.bin.r, &fs[1]);
    TypeId l = fs[0].type, r = fs[1].type;
    if (!rc && !type_is_array(l) && !type_is_array(r)) {   /* not an array operator (jsonb's, text's ||) */
        frag_free(&fs[0]);
        frag_free(&fs[1]);
        return -1;
    }
    FuncImpl fn = arr_cat;
    TypeId rt = TYPE_BOOL;
    i32 etm = type_has_etype(l) ? fs[0].typmod : type_has_etype(r) ? fs[1].typmod : -1;
    if (!rc && op != BOP_CONCAT) {
        if (unknownish(l) && type_is_array(r)) rc = coerce(b, &fs[0], l = r, fs[1].typmod, false, e->u.bin.l->loc);
        else if (unknownish(r) && type_is_array(l)) rc = coerce(b, &fs[1], r = l, fs[0].typmod, false, e->u.bin.r->loc);
        if (!rc && (!type_is_array(l) || l != r || (type_has_etype(l) && fs[0].typmod != fs[1].typmod)))
            rc = err_at(cc, DD_EUNDEFINED_OPERATOR, e->oploc, "operator does not exist: %s %s %s",
                        unknownish(l) ? "unknown" : type_label(cc, l, fs[0].typmod), bop_text(op),
                        unknownish(r) ? "unknown" : type_label(cc, r, fs[1].typmod));
        fn = op == BOP_CONTAINS ? arr_contains : op == BOP_CONTAINED ? arr_contained : arr_overlap;
    } else if (!rc) {
        TypeId t;
        /* an enum's arrays and elements: of one enum type */
        if (type_has_etype(l) && type_has_etype(r) && fs[0].typmod != fs[1].typmod)
            rc = err_at(cc, DD_EUNDEFINED_OPERATOR, e->oploc, "operator does not exist: %s || %s",
                        type_label(cc, l, fs[0].typmod), type_label(cc, r, fs[1].typmod));
        if (rc) {
        } else if (type_is_array(l) && type_is_array(r)) {
            if (!type_common(l, r, &t))
                rc = err_at(cc, DD_EUNDEFINED_OPERATOR, e->oploc, "operator does not exist: %s || %s",
                            type_label(cc, l, fs[0].typmod), type_label(cc, r, fs[1].typmod));
            if (!rc) rc = coerce(b, &fs[0], t, etm, false, e->u.bin.l->loc);
            if (!rc) rc = coerce(b, &fs[1], t, etm, false, e->u.bin.r->loc);
            rt = t;
        } else if (type_is_array(l)) {
            /* array || element, or array || an untyped array literal */
            if (unknownish(r)) rc = coerce(b, &fs[1], rt = l, etm, false, e->u.bin.r->loc);
            else if (!type_common(type_elem(l), r, &t))
                rc = err_at(cc, DD_EUNDEFINED_OPERATOR, e->oploc, "operator does not exist: %s || %s",
                            type_label(cc, l, fs[0].typmod), type_label(cc, r, fs[1].typmod));
            else {
                fn = arr_append;
                rt = type_array_of(t);
                rc = coerce(b, &fs[0], rt, etm, false, e->u.bin.l->loc);
                if (!rc) rc = coerce(b, &fs[1], t, etm, false, e->u.bin.r->loc);
            }
        } else {
            if (unknownish(l)) rc = coerce(b, &fs[0], rt = r, etm, false, e->u.bin.l->loc);
            else if (!type_common(l, type_elem(r), &t))
                rc = err_at(cc, DD_EUNDEFINED_OPERATOR, e->oploc, "operator does not exist: %s || %s",
                            type_label(cc, l, fs[0].typmod), type_label(cc, r, fs[1].typmod));
            else {
                fn = arr_prepend;
                rt = type_array_of(t);
                rc = coerce(b, &fs[0], t, etm, false, e->u.bin.l->loc);
                if (!rc) rc = coerce(b, &fs[1], rt, etm, false, e->u.bin.r->loc);
            }
        }
    }
    if (!rc) rc = frag_append(f, &fs[0], 0);
    if (!rc) rc = frag_append(f, &fs[1], 1);
    if (!rc) rc = emit_array_call(b, f, fn, 2, (ArrayOpInfo){.type = rt, .typmod = etm}, e->oploc);
    frag_free(&fs[0]);
    frag_free(&fs[1]);
    return rc;
}

/* ---------------------------------------------------------------- programs */

static int finish(Builder *b, Frag *f, ExprProg **out)
{
    Arena *a = b->cc->sql->stmt;
    ExprProg *p = arena_zalloc(a, sizeof(*p));
    if (!p) return DD_ENOMEM;
    p->code = arena_alloc(a, sizeof(ExprInstr) * (size_t)(f->n ? f->n : 1));
    p->consts = arena_alloc(a, sizeof(Value) * (size_t)(b->nconsts ? b->nconsts : 1));
    if (!p->code || !p->consts) return DD_ENOMEM;
    if (f->n) memcpy(p->code, f->code, sizeof(ExprInstr) * (size_t)f->n);
    if (b->nconsts) memcpy(p->consts, b->consts, sizeof(Value) * (size_t)b->nconsts);
    p->n = f->n;
    p->maxstack = f->depth + 2;
    p->type = f->type;
    p->typmod = f->typmod;
    p->constant = f->constant;
    *out = p;
    return DD_OK;
}

static int compile_top(CompileCtx *cc, Expr *e, bool coerce_to, TypeId t, i32 typmod, ExprProg **out)
{
    Builder b;
    memset(&b, 0, sizeof(b));
    b.cc = cc;
    Frag f;
    frag_init(&f);
    int rc = compile_node(&b, e, &f);
    if (!rc && coerce_to) rc = coerce(&b, &f, t, typmod, false, e->loc);
    if (!rc) rc = finish(&b, &f, out);
    if (!rc && cc->sql && expr_calls_volatile(*out) && !expr_calls_only_stable(*out)) cc->sql->calls_volatile = true;
    frag_free(&f);
    dd_free(b.consts);
    return rc;
}

int expr_resolve_output(SqlCtx *ctx, const ExprProg *p)
{
    if (!ctx->param_resolved || p->n != 1 || p->code[0].op != XOP_PARAM || p->code[0].type != TYPE_UNKNOWN)
        return DD_OK;
    int n = p->code[0].a;
    TypeId now = ctx->param_types[n - 1];
    if (now != TYPE_UNKNOWN && now != TYPE_TEXT) {
        int rc = dd_err(ctx->err, DD_EAMBIGUOUS_PARAMETER, p->code[0].loc,
                        "inconsistent types deduced for parameter $%d", n);
        dd_err_detail(ctx->err, "%s versus text", type_name(now));
        return rc;
    }
    sql_param_resolved(ctx, n);
    return DD_OK;
}

int expr_compile(CompileCtx *cc, Expr *e, ExprProg **out)
{
    return compile_top(cc, e, false, TYPE_TEXT, -1, out);
}

int expr_compile_as(CompileCtx *cc, Expr *e, TypeId t, i32 typmod, ExprProg **out)
{
    return compile_top(cc, e, true, t, typmod, out);
}

/* ---------------------------------------------------------------- AST helpers */

static bool str_eq(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

static bool list_equal(Expr **a, Expr **b, int n)
{
    for (int i = 0; i < n; i++)
        if (!ast_expr_equal(a[i], b[i])) return false;
    return true;
}

static bool sort_equal(SortItem **a, SortItem **b, int na, int nb)
{
    if (na != nb) return false;
    for (int i = 0; i < na; i++)
        if (a[i]->desc != b[i]->desc || a[i]->nulls != b[i]->nulls || !ast_expr_equal(a[i]->expr, b[i]->expr))
            return false;
    return true;
}

bool ast_expr_equal(const Expr *a, const Expr *b)
{
    if (!a || !b) return a == b;
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case EXPR_CONST: {
        const Value *x = &a->u.c.val, *y = &b->u.c.val;
        if (x->type != y->type || x->isnull != y->isnull) return false;
        if (x->isnull) return true;
        if (type_is_string((TypeId)x->type))
            return x->v.s.len == y->v.s.len && memcmp(x->v.s.p, y->v.s.p, x->v.s.len) == 0;
        if (x->type == TYPE_NUMERIC && numeric_is_big(x->scale))
            return x->scale == y->scale && x->v.s.len == y->v.s.len && memcmp(x->v.s.p, y->v.s.p, x->v.s.len) == 0;
        if (x->type == TYPE_NUMERIC) return x->v.coef == y->v.coef && x->scale == y->scale;
        if (x->type == TYPE_BOOL) return x->v.b == y->v.b;
        return x->v.i == y->v.i;
    }
    case EXPR_SEQ: return a->u.seq.n == b->u.seq.n;
    case EXPR_COLUMN:
        /* unqualified and qualified references to the same column are
         * treated alike when the names match and one side is unqualified */
        if (!str_eq(a->u.col.name, b->u.col.name)) return false;
        return !a->u.col.qualifier || !b->u.col.qualifier || str_eq(a->u.col.qualifier, b->u.col.qualifier);
    case EXPR_STAR: return str_eq(a->u.col.qualifier, b->u.col.qualifier);
    case EXPR_PARAM: return a->u.param.n == b->u.param.n;
    case EXPR_UNARY: return a->u.unary.op == b->u.unary.op && ast_expr_equal(a->u.unary.arg, b->u.unary.arg);
    case EXPR_BINARY:
        if (a->u.bin.op == BOP_OTHER && (b->u.bin.op != BOP_OTHER || strcmp(a->u.bin.opname, b->u.bin.opname) != 0))
            return false;
        return a->u.bin.op == b->u.bin.op && ast_expr_equal(a->u.bin.l, b->u.bin.l) &&
               ast_expr_equal(a->u.bin.r, b->u.bin.r);
    case EXPR_IS:
        return a->u.is.what == b->u.is.what && a->u.is.negated == b->u.is.negated &&
               ast_expr_equal(a->u.is.arg, b->u.is.arg) && ast_expr_equal(a->u.is.other, b->u.is.other);
    case EXPR_IN:
        return a->u.in.negated == b->u.in.negated && a->u.in.n == b->u.in.n && a->u.in.cmp == b->u.in.cmp &&
               a->u.in.all == b->u.in.all &&
               ast_expr_equal(a->u.in.arg, b->u.in.arg) && list_equal(a->u.in.list, b->u.in.list, a->u.in.n);
    case EXPR_BETWEEN:
        return a->u.between.negated == b->u.between.negated && a->u.between.symmetric == b->u.between.symmetric &&
               ast_expr_equal(a->u.between.arg, b->u.between.arg) && ast_expr_equal(a->u.between.lo, b->u.between.lo) &&
               ast_expr_equal(a->u.between.hi, b->u.between.hi);
    case EXPR_LIKE:
        return a->u.like.how == b->u.like.how && a->u.like.negated == b->u.like.negated &&
               a->u.like.icase == b->u.like.icase &&
               ast_expr_equal(a->u.like.arg, b->u.like.arg) && ast_expr_equal(a->u.like.pattern, b->u.like.pattern) &&
               ast_expr_equal(a->u.like.escape, b->u.like.escape);
    case EXPR_CASE:
        return a->u.case_.n == b->u.case_.n && ast_expr_equal(a->u.case_.operand, b->u.case_.operand) &&
               list_equal(a->u.case_.when, b->u.case_.when, a->u.case_.n) &&
               list_equal(a->u.case_.then, b->u.case_.then, a->u.case_.n) &&
               ast_expr_equal(a->u.case_.else_, b->u.case_.else_);
    case EXPR_CAST:
        return str_eq(a->u.cast.type.name, b->u.cast.type.name) && a->u.cast.type.typmod == b->u.cast.type.typmod &&
               ast_expr_equal(a->u.cast.arg, b->u.cast.arg);
    case EXPR_FUNC:
        return str_eq(a->u.func.name, b->u.func.name) && a->u.func.n == b->u.func.n &&
               a->u.func.special == b->u.func.special && str_eq(a->u.func.slices, b->u.func.slices) &&
               sort_equal(a->u.func.order, b->u.func.order, a->u.func.norder, b->u.func.norder) &&
               a->u.func.cmp == b->u.func.cmp && a->u.func.all == b->u.func.all && a->u.func.match == b->u.func.match &&
               a->u.func.star == b->u.func.star && a->u.func.distinct == b->u.func.distinct &&
               a->u.func.within_group == b->u.func.within_group && a->u.func.variadic == b->u.func.variadic &&
               a->u.func.over == b->u.func.over && ast_expr_equal(a->u.func.filter, b->u.func.filter) &&
               list_equal(a->u.func.args, b->u.func.args, a->u.func.n);
    case EXPR_SUBQUERY:
    case EXPR_EXISTS:
        return a == b;
    case EXPR_DEFAULT: return true;
    }
    return false;
}

bool ast_has_aggregate(const Expr *e)
{
    if (!e) return false;
    AggKind k;
    switch (e->kind) {
    case EXPR_FUNC:
        if (agg_lookup(e->u.func.name, &k) && !e->u.func.over) return true;
        for (int i = 0; i < e->u.func.n; i++)
            if (ast_has_aggregate(e->u.func.args[i])) return true;
        return false;
    case EXPR_UNARY: return ast_has_aggregate(e->u.unary.arg);
    case EXPR_BINARY: return ast_has_aggregate(e->u.bin.l) || ast_has_aggregate(e->u.bin.r);
    case EXPR_IS: return ast_has_aggregate(e->u.is.arg) || ast_has_aggregate(e->u.is.other);
    case EXPR_IN:
        if (ast_has_aggregate(e->u.in.arg)) return true;
        for (int i = 0; i < e->u.in.n; i++)
            if (ast_has_aggregate(e->u.in.list[i])) return true;
        return false;
    case EXPR_BETWEEN:
        return ast_has_aggregate(e->u.between.arg) || ast_has_aggregate(e->u.between.lo) ||
               ast_has_aggregate(e->u.between.hi);
    case EXPR_LIKE:
        return ast_has_aggregate(e->u.like.arg) || ast_has_aggregate(e->u.like.pattern) ||
               (e->u.like.escape && ast_has_aggregate(e->u.like.escape));
    case EXPR_CASE:
        if (ast_has_aggregate(e->u.case_.operand) || ast_has_aggregate(e->u.case_.else_)) return true;
        for (int i = 0; i < e->u.case_.n; i++)
            if (ast_has_aggregate(e->u.case_.when[i]) || ast_has_aggregate(e->u.case_.then[i])) return true;
        return false;
    case EXPR_CAST: return ast_has_aggregate(e->u.cast.arg);
    default: return false;
    }
}

/* The column name PostgreSQL gives a cast by its type, from the type as
 * written (parse_typename's spelling): the name its grammar turns the
 * type into (float -> float8, char(2) -> bpchar), of the element for an
 * array, the last part of a qualified name, a quoted name unquoted. */
static const char *cast_type_column_name(const char *t, Arena *a)
{
    static const char *const names[][2] = {
        {"int", "int4"}, {"integer", "int4"}, {"smallint", "int2"}, {"bigint", "int8"},
        {"real", "float4"}, {"float", "float8"}, {"double precision", "float8"},
        {"decimal", "numeric"}, {"boolean", "bool"}, {"char", "bpchar"}, {"character", "bpchar"},
        {"character varying", "varchar"}, {"bit varying", "varbit"},
        {"time with time zone", "timetz"}, {"time without time zone", "time"},
        {"timestamp with time zone", "timestamptz"}, {"timestamp without time zone", "timestamp"},
        {"\"char\"", "char"},
    };
    size_t n = strcspn(t, "[");   /* the element of an array type */
    const char *dot = memchr(t, '.', n);
    while (dot) {   /* s.t: t */
        n -= (size_t)(dot + 1 - t);
        t = dot + 1;
        dot = memchr(t, '.', n);
    }
    for (size_t i = 0; i < DD_ARRAY_LEN(names); i++)
        if (strlen(names[i][0]) == n && memcmp(names[i][0], t, n) == 0) return names[i][1];
    if (n > 8 && memcmp(t, "interval", 8) == 0) return "interval";   /* interval day, ... */
    if (n >= 2 && t[0] == '"' && t[n - 1] == '"') { t++; n -= 2; }
    const char *r = arena_strndup(a, t, n);
    return r ? r : "?column?";
}

/* PostgreSQL's FigureColname: the name and its strength, 2 for a column,
 * a function, a field; 1 for a cast's type or "case" (an enclosing cast
 * names the column then); 0 for "?column?". */
static const char *column_name(const Expr *e, Arena *a, int *strength)
{
    *strength = 2;
    switch (e->kind) {
    case EXPR_COLUMN: return e->u.col.name;
    case EXPR_FUNC: {
        if (e->u.func.special == FUNC_SUBSCRIPT) return column_name(e->u.func.args[0], a, strength);
        if (e->u.func.special == FUNC_ARRAY || e->u.func.special == FUNC_ARRAY_QUERY) return "array";
        if (e->u.func.special == FUNC_ANY || e->u.func.op_syntax) break;
        const char *n = e->u.func.name;
        if (strcmp(n, "$field") == 0 && e->u.func.n == 2 && e->u.func.args[1]->kind == EXPR_CONST &&
            !e->u.func.args[1]->u.c.val.isnull) {
            /* (record).field */
            const Value *f = &e->u.func.args[1]->u.c.val;
            const char *r = arena_strndup(a, f->v.s.p, f->v.s.len);
            if (r) return r;
        }
        const char *dot = strrchr(n, '.');
        return dot ? dot + 1 : n;
    }
    case EXPR_CAST: {
        const char *n = column_name(e->u.cast.arg, a, strength);
        if (*strength == 2) return n;
        *strength = 1;
        return cast_type_column_name(e->u.cast.type.name, a);
    }
    case EXPR_CASE: {
        /* the ELSE's name when it has a strong one */
        if (e->u.case_.else_) {
            const char *n = column_name(e->u.case_.else_, a, strength);
            if (*strength == 2) return n;
        }
        *strength = 1;
        return "case";
    }
    case EXPR_EXISTS: return "exists";
    case EXPR_SUBQUERY: {
        /* named after the subquery's column, as PostgreSQL */
        const SelectStmt *q = e->u.sub.select;
        if (q->ntargets < 1 || q->targets[0]->expr->kind == EXPR_STAR) return "?column?";
        return q->targets[0]->alias ? q->targets[0]->alias : ast_column_name(q->targets[0]->expr, a);
    }
    default: break;
    }
    *strength = 0;
    return "?column?";
}

const char *ast_column_name(const Expr *e, Arena *a)
{
    int strength;
    return column_name(e, a, &strength);
}
