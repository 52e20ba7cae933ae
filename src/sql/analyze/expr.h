/*
 * expr.h - expressions compiled once per statement into a flat program
 * and evaluated per row without walking the AST (docs/query-engine.md).
 *
 * Compilation binds names (through a Scope) and types: every instruction
 * knows its result type, implicit coercions are inserted, untyped string
 * literals are converted at compile time, and errors carry the position of
 * the offending token.  Evaluation is a small stack machine over Values;
 * AND, OR, CASE and COALESCE jump so they evaluate lazily, as PostgreSQL
 * does.
 */
#ifndef DD_EXPR_H
#define DD_EXPR_H

#include "../../util/base.h"
#include "../../util/err.h"
#include "../../util/arena.h"
#include "../types/value.h"
#include "../parse/ast.h"
#include "../txn/ctx.h"
#include <string.h>
#include "../catalog/catalog.h"

struct SqlCtx;

/* One relation visible to column references: its columns occupy row slots
 * [slot0, slot0 + ncols). */
typedef struct ScopeRel {
    const char *alias;      /* name used to qualify (alias or table name) */
    const char *qualname;   /* a table without an alias: its catalog name, which
                               qualifies too ("s.t.c"), or NULL */
    bool scalar;            /* a function's one column: a whole-row reference is
                               that column's value, not a record (PostgreSQL) */
    const struct TableInfo *table;   /* a table's relation read at one point (the present,
                                        AS OF): the table, else NULL */
    int ncols;
    const char **names;
    TypeId *types;
    i32 *typmods;
    bool *hidden;           /* history columns: not in *, selectable by name */
    bool *used;             /* set by the compiler when a column is referenced */
    int slot0;
    /* per column, or NULL: the index (Scope.merged) of the column that a
     * JOIN ... USING / NATURAL merged it into, INT_MAX for none; a merged
     * column is not named unqualified or listed by a bare * in a scope
     * that holds its merged column (it stays for rel.name and rel.*) */
    int *merged_by;
    /* a derived table's: its query's columns (their source tables, for
     * RowDescription), and the view it stands for, or NULL */
    const struct ColDesc *src_cols;
    const struct TableInfo *view;
    u32 sys_oid;        /* a system relation's (pg_class ...) OID, or 0 */
} ScopeRel;

/* Whether qualifier q names rel: its alias, or its table's schema-qualified name. */
static inline bool rel_named(const ScopeRel *rel, const char *q)
{
    if (!rel->alias) return false;
    if (strcmp(rel->alias, q) == 0) return true;
    if (!rel->qualname) return false;
    /* a table of public is also public.t */
    if (strncmp(q, "public.", 7) == 0 && !strchr(rel->qualname, '.')) return strcmp(q + 7, rel->qualname) == 0;
    return strcmp(rel->qualname, q) == 0;
}

/* A column that JOIN ... USING (or NATURAL) made of one column of each
 * side: its value is the left side's (INNER, LEFT), the right side's
 * (RIGHT) or COALESCE of both (FULL), in their common type.  expr names
 * the sides' columns by position (Expr.u.col.star_slot); hidden_by is the
 * merged column of an enclosing USING that took its place, or INT_MAX. */
typedef struct MergedCol {
    const char *name;
    Expr *expr;
    TypeId type;
    int hidden_by;
    const char *alias;   /* JOIN ... USING (...) AS alias: alias.name reads it; or NULL */
} MergedCol;

typedef struct Scope Scope;

/* A WITH query visible by name.  Each reference is planned anew as a
 * derived table over `select`, in the scope `env` (the WITH queries before
 * it and the relations outside the query that owns the WITH). */
typedef struct CteDef {
    const char *name;
    SelectStmt *select;
    char **cols; int ncols;         /* column alias list, or 0 */
    int loc;
    const Scope *env;
    const struct CteDef *prev;      /* the next visible WITH query outward */
    /* WITH RECURSIVE: the query names itself (select is planned as its
     * non-recursive and recursive terms), or, inside its recursive term,
     * the name reads the working table `wt` (select NULL) of wncols
     * columns named wnames, of types wtypes */
    bool recursive;
    struct WorkTable *wt;
    /* a data-modifying WITH query (select NULL): its plan, whose
     * RETURNING rows the name reads once it has run */
    struct Plan *dml;
    const char **wnames; const TypeId *wtypes; const i32 *wtypmods; int wncols;
} CteDef;

struct CompileCtx;
struct SubLink;

struct Scope {
    ScopeRel *rels;
    int nrels;
    int nslots;             /* width of the input row */
    const CteDef *ctes;     /* WITH queries visible here, innermost first */
    const Scope *outer;     /* enclosing scopes: columns found there are
                               outer references (XOP_OUTER) */
    /* Set on the copy of a query's scope that a subquery in one of its
     * expressions sees as `outer`: crossing it is one level up the outer
     * row stack (SqlCtx.outer_rows); cc is how the enclosing expression is
     * compiled (grouped or not) and link the subquery's SubLink, marked
     * correlated when an outer reference crosses it. */
    const struct CompileCtx *cc;
    struct SubLink *link;
    /* the columns of JOIN ... USING in this scope: merged[mlo, mhi) */
    const MergedCol *merged;
    int mlo, mhi;
};

/* A subquery in an expression (XOP_SUBLINK), planned once.  Uncorrelated:
 * run on first use, its first column materialized into the statement
 * arena and kept for the rest of the statement.  Correlated (it reads
 * columns of enclosing queries): run again at every evaluation with the
 * current row pushed on the outer row stack, its values kept in `arena`
 * until the next run. */
typedef enum SubLinkKind { SUBLINK_SCALAR, SUBLINK_EXISTS, SUBLINK_IN, SUBLINK_ARRAY } SubLinkKind;
struct Op;
typedef struct SubLink {
    SubLinkKind kind;
    struct Op *root;        /* the planned query */
    TypeId type;            /* type of its first column */
    TypeId *types;          /* of every column */
    int ncols;              /* IN: the columns compared (vals holds nvals rows of ncols) */
    i32 typmod;             /* and its typmod (an enum's id) */
    int loc;
    bool done;              /* vals / nvals valid */
    Value *vals; int nvals; /* SCALAR: at most 1; EXISTS: 0 or 1 (no values); IN, ARRAY: all (rows) */
    bool has_null;          /* IN: a NULL among vals */
    int *hash; size_t hcap; /* IN over many values: open addressing into vals (-1 empty), or NULL */
    bool correlated;
    Arena arena;            /* correlated: this run's values */
    struct SubLink *next;   /* SqlCtx.links: correlated links to free */
} SubLink;

/* An aggregate call found while compiling a post-aggregation expression. */
typedef enum AggKind { AGG_COUNT_STAR, AGG_COUNT, AGG_SUM, AGG_AVG, AGG_MIN, AGG_MAX,
                       AGG_BOOL_AND, AGG_BOOL_OR, AGG_BIT_AND, AGG_BIT_OR, AGG_BIT_XOR,
                       AGG_STRING_AGG, AGG_ARRAY_AGG,
                       AGG_JSON_AGG, AGG_JSONB_AGG, AGG_JSON_OBJECT_AGG, AGG_JSONB_OBJECT_AGG,
                       /* statistics: sums of x and x*x (numeric), or Youngs-Cramer (float) */
                       AGG_VAR_SAMP, AGG_VAR_POP, AGG_STDDEV_SAMP, AGG_STDDEV_POP,
                       /* of (y, x) pairs in double precision, Youngs-Cramer sums */
                       AGG_COVAR_POP, AGG_COVAR_SAMP, AGG_CORR, AGG_REGR_COUNT, AGG_REGR_AVGX,
                       AGG_REGR_AVGY, AGG_REGR_SXX, AGG_REGR_SYY, AGG_REGR_SXY, AGG_REGR_SLOPE,
                       AGG_REGR_INTERCEPT, AGG_REGR_R2,
                       /* ordered-set aggregates, f(direct) WITHIN GROUP (ORDER BY x):
                        * the values are kept as with ORDER BY and sorted at the end */
                       AGG_PERCENTILE_CONT, AGG_PERCENTILE_DISC, AGG_MODE } AggKind;
/* Whether kind is an ordered-set aggregate (needs WITHIN GROUP). */
static inline bool agg_is_ordered_set(AggKind k)
{
    return k == AGG_PERCENTILE_CONT || k == AGG_PERCENTILE_DISC || k == AGG_MODE;
}
/* Whether kind is one of the aggregates of (y, x) pairs (covar_*, corr, regr_*). */
static inline bool agg_is_regr(AggKind k) { return k >= AGG_COVAR_POP && k <= AGG_REGR_R2; }
typedef struct ExprProg ExprProg;
typedef struct AggSpec {
    AggKind kind;
    bool distinct;
    ExprProg *arg;          /* over the input row; NULL for count(*) */
    ExprProg *arg2;         /* string_agg delimiter; json(b)_object_agg value; percentile's fraction(s); regr_*'s x */
    ExprProg *filter;       /* FILTER (WHERE ...): rows it is not true for are skipped */
    ExprProg **ord; int nord;   /* agg(x ORDER BY ...): the order array_agg and
                                   string_agg take their values in (the other
                                   aggregates' results do not depend on it) */
    bool *ord_desc, *ord_nulls_first;
    signed char *ord_arg;   /* per key: 0 (1) when it is the (second) argument, whose
                               value it then is (evaluated once per row, as in
                               PostgreSQL, even when volatile); -1 or NULL: its own */
    TypeId type;            /* result type */
    bool of_rows;           /* json_agg of rows: a newline before each but the first, as of arrays */
    i32 typmod;             /* min / max of an enum: the enum's id (the result's typmod), else -1 */
    Expr *ast;              /* to reuse identical calls */
} AggSpec;

/* A window function call f(...) OVER (...), computed by the Window
 * operator over the rows of its query (after grouping) and read by the
 * query's output expressions as a slot past the input row (XOP_WINREF,
 * patched to XOP_SLOT once the input width is known). */
typedef enum WinKind {
    WIN_ROW_NUMBER, WIN_RANK, WIN_DENSE_RANK, WIN_PERCENT_RANK, WIN_CUME_DIST, WIN_NTILE,
    WIN_LAG, WIN_LEAD, WIN_FIRST_VALUE, WIN_LAST_VALUE, WIN_NTH_VALUE, WIN_AGG,
} WinKind;
typedef struct WinCall {
    WinKind kind;
    AggSpec agg;            /* WIN_AGG */
    ExprProg *args[3]; int nargs;
    ExprProg **part; int npart;
    ExprProg **ord; int nord;
    bool *ord_desc, *ord_nulls_first;
    int frame;              /* FRAME_DEFAULT / ROWS / RANGE / GROUPS */
    int start, end;         /* BOUND_* */
    i64 start_off, end_off; /* ROWS / GROUPS n PRECEDING / FOLLOWING */
    int exclude;            /* EXCLUDE_* */
    Value start_val, end_val; /* RANGE x PRECEDING / FOLLOWING: x (the ORDER BY column's
                                 type, or interval for date/time columns) */
    TypeId type;
} WinCall;

/* A call of a set-returning function: in FROM (a Function Scan) or in a
 * SELECT list (ProjectSet, PostgreSQL 10's semantics: the calls of one
 * list run in lockstep, the shorter ones padded with NULLs).  Its
 * arguments are programs over the input row (none in FROM). */
typedef enum SrfKind { SRF_SERIES, SRF_SPLIT, SRF_UNNEST, SRF_MATCHES, SRF_JSON,
                       SRF_EXPAND   /* information_schema._pg_expandarray: records (x, n) */
                     } SrfKind;
typedef struct SrfCall {
    SrfKind kind;
    const char *name;
    ExprProg *args[4]; int nargs;
    TypeId type;            /* of its values */
    i32 typmod;             /* of its values: unnest of an enum's array, the enum's id;
                               _pg_expandarray's records, their RecDesc; else -1 */
    int loc;
} SrfCall;

/* Compilation context. */
typedef struct CompileCtx {
    struct SqlCtx *sql;
    Scope *scope;
    /* aggregation: when grouped, column refs must match a group expression
     * and aggregate calls become slot references past the group keys */
    bool grouped;
    Expr **group; int ngroup;
    /* grouping sets: masks over group (the set's index is slot ngroup,
     * the aggregates follow it) */
    const u64 *gsets; int ngsets;
    AggSpec **aggs; int naggs, capaggs;
    const char *agg_forbidden;   /* "WHERE", "GROUP BY", ... or NULL when allowed */
    /* window functions: allowed in a SELECT's output list and ORDER BY */
    bool win_allowed;
    const char *win_forbidden;   /* where they are not, when agg_forbidden does not say */
    WinCall **wins; int nwins, capwins;
    struct WindowDef **windefs; int nwindefs;   /* the query's WINDOW clause */
    const char *assign_col;      /* expr_compile_as for a column: its name, for 42804 */
    /* set-returning functions: allowed in a SELECT's output list; each call
     * is read as a slot past the input row (XOP_SRFREF) */
    bool srf_allowed;
    const char *srf_forbidden;   /* where they are not ("CASE"), when agg_forbidden does not say */
    SrfCall **srfs; int nsrfs, capsrfs;
    const char *sublink_forbidden;   /* where subqueries are not ("EXECUTE parameter"), or NULL */
    /* output aliases visible to ORDER BY (name -> expression) */
} CompileCtx;

typedef enum ExprOp {
    XOP_CONST, XOP_SLOT, XOP_PARAM,
    XOP_NOT, XOP_NEG,
    XOP_AND_JF,     /* if top is FALSE: jump to a (keep it) */
    XOP_AND,        /* combine two three-valued booleans */
    XOP_OR_JT,      /* if top is TRUE: jump to a */
    XOP_OR,
    XOP_CMP,        /* sub = BinaryOp (EQ..GE) */
    XOP_ARITH,      /* sub = ArithOp */
    XOP_CONCAT,
    XOP_IS,         /* sub = IsKind, flags bit0 = negated */
    XOP_DISTINCT,   /* IS [NOT] DISTINCT FROM, flags bit0 = negated */
    XOP_IN,         /* a = number of list items after the arg; flags bit0 negated */
    XOP_BETWEEN,    /* flags bit0 negated, bit1 symmetric */
    XOP_LIKE,       /* flags bit0 negated, bit1 icase, bit2 has escape */
    XOP_CAST,       /* to type / typmod; flags bit0 explicit */
    XOP_FUNC,       /* fn, a = nargs */
    XOP_JUMP,       /* to a */
    XOP_JUMP_IFNOT, /* pop; if not TRUE jump to a */
    XOP_JUMP_NOTNULL,  /* if top is not NULL jump to a (COALESCE) */
    XOP_POP,
    XOP_SUBLINK,    /* link: SCALAR / EXISTS push a value; IN pops its argument;
                       flags bit0 negated (NOT IN) */
    XOP_OUTER,      /* slot a of the outer row sub levels up (SqlCtx.outer_rows) */
    XOP_WINREF,     /* window call a: becomes XOP_SLOT once planned (never evaluated) */
    XOP_SRFREF,     /* set-returning call a: becomes XOP_SLOT once planned (never evaluated) */
} ExprOp;

typedef struct EvalEnv EvalEnv;
typedef int (*FuncImpl)(EvalEnv *env, const Value *args, int nargs, Value *out, int loc);

typedef struct ExprInstr {
    u8 op;
    u8 sub;
    u8 flags;
    u8 type;        /* result TypeId */
    i32 a;
    i32 typmod;
    int loc;
    FuncImpl fn;
    union {
        SubLink *link;  /* XOP_SUBLINK */
        void *state;    /* XOP_FUNC: the call site's own slot, NULL until the
                           function fills it (regexfunc.c: compiled patterns);
                           as long-lived as the program */
    };
} ExprInstr;

struct ExprProg {
    ExprInstr *code;
    int n;
    Value *consts;
    int maxstack;
    TypeId type;     /* result type */
    i32 typmod;
    bool constant;   /* no slots, params or volatile functions */
};

/* What evaluation needs besides the row. */
struct EvalEnv {
    struct SqlCtx *sql;
    const Value *params;
    int nparams;
    void **state;   /* during an XOP_FUNC call: its ExprInstr.state */
};

/* The scope relation of table t (scope.c): its columns, then the history
 * columns; names and flags in ctx->stmt. */
int scope_rel_for_table(struct SqlCtx *ctx, const TableInfo *t, const char *alias, ScopeRel *out);

int expr_compile(CompileCtx *cc, Expr *e, ExprProg **out);
/* Compiles e and coerces its result to type t (assignment rules). */
int expr_compile_as(CompileCtx *cc, Expr *e, TypeId t, i32 typmod, ExprProg **out);
/* An output column (select list, RETURNING) or sort / group key compiled
 * as p: an untyped $n standing alone there resolves as text (prepare types
 * it so), as PostgreSQL's resolveTargetListUnknowns and ORDER BY do; a $n
 * that a later context gave another type is 42P08 (SELECT $1, $1::int). */
int expr_resolve_output(struct SqlCtx *ctx, const ExprProg *p);
/* Evaluates p over row; variable-length results go to the row arena. */
int expr_eval(const ExprProg *p, EvalEnv *env, const Value *row, Value *out);
/* Predicate: true only for a non-NULL TRUE result. */
int expr_eval_bool(const ExprProg *p, EvalEnv *env, const Value *row, bool *out);

/* Structural equality of two AST expressions (for GROUP BY matching). */
bool ast_expr_equal(const Expr *a, const Expr *b);
/* Whether e contains an aggregate call. */
bool ast_has_aggregate(const Expr *e);
/* A display name for an output column as PostgreSQL derives it
 * (column name, function name, "?column?"); a name it must make is
 * allocated in a. */
const char *ast_column_name(const Expr *e, Arena *a);


/* Functions (func.c). */
typedef struct FuncDef {
    const char *name;
    int minargs, maxargs;   /* maxargs -1: variadic */
    /* resolves the result type from argument types; may coerce arguments by
     * writing argtypes[i] (the compiler inserts casts); false: no match
     * (42883), or, with *ret set to TYPE_UNKNOWN, several equally good
     * candidates for an untyped argument (42725) */
    bool (*resolve)(TypeId *argtypes, int nargs, TypeId *ret);
    FuncImpl impl;
    bool volatile_;         /* now(), drift_seq(): not constant-foldable */
} FuncDef;
/* A function by name: its first form.  A name may have several forms (the
 * argument types decide, PostgreSQL's overloading): func_lookup_form gives
 * form k (0 first), NULL past the last. */
const FuncDef *func_lookup(const char *name);
/* Whether program p calls a function whose value depends on more than its
 * arguments (FuncDef.volatile_: now(), random(), current_user, nextval,
 * drift_seq() ...). */
bool expr_calls_volatile(const ExprProg *p);
/* Whether every function p calls gives one value all through a statement
 * (immutable ones, and now(), drift_time_of(), ...: PostgreSQL's STABLE). */
bool expr_calls_only_stable(const ExprProg *p);
const FuncDef *func_lookup_form(const char *name, int k);
/* A record shape (SqlCtx.recdescs): registers one, its typmod in *id;
 * looks one up by a record value's typmod (NULL: not known). */
int sql_recdesc_add(struct SqlCtx *ctx, int n, const char *const *names, const TypeId *types, const i32 *typmods,
                    i32 *id);
const RecDesc *sql_recdesc(const struct SqlCtx *ctx, i32 id);
/* catfunc.c: format_type, pg_get_indexdef, pg_table_is_visible ... */
extern const FuncDef cat_funcs[];
extern const int ncat_funcs;
/* seqfunc.c: nextval, currval, lastval, setval, pg_get_serial_sequence */
extern const FuncDef seq_funcs[];
extern const int nseq_funcs;
bool agg_lookup(const char *name, AggKind *kind);
/* Functions whose arguments from some position on are of any type and any
 * number (format, concat, concat_ws, num_nulls, num_nonnulls): that
 * position, which a VARIADIC array may fill; -1 for other functions. */
int func_variadic_index(const char *name);
/* The implementation of a call with VARIADIC: the last argument, an array,
 * spread into arguments (a NULL array: none for format, a NULL result for
 * the others), then the FuncDef in the call site's state called. */
int func_variadic_call(EvalEnv *env, const Value *args, int nargs, Value *out, int loc);
/* The regular expression functions (regexfunc.c), searched after func.c's
 * own table: form k of name, or NULL. */
const FuncDef *regex_func_lookup(const char *name, int k);
/* The math functions of mathfunc.c (ln, exp, log, gcd, width_bucket, the
 * trigonometric ones, ...) and the string functions of strfunc.c (format,
 * md5, encode, quote_ident, ...): form k of name, or NULL. */
const FuncDef *math_func_lookup(const char *name, int k);
const FuncDef *str_func_lookup(const char *name, int k);
/* The functions of extensions DriftDB has built in (extfunc.c: uuid-ossp,
 * pgcrypto's digests), and whether fn is one of the volatile ones. */
const FuncDef *ext_func_lookup(const char *name, int k);
bool ext_func_volatile(FuncImpl fn);
/* Operators that are functions, by symbol (form k): the json ones, the
 * bitwise ones on integers (& | # << >>), bytea's || */
const FuncDef *op_func_lookup(const char *op, int k);
const FuncDef *math_op_lookup(const char *op, int k);
const FuncDef *str_op_lookup(const char *op, int k);

/* Set-returning functions (srfcall.c): whether name is one
 * (generate_series, unnest, regexp_matches, regexp_split_to_table), and
 * the compilation of call f: its arguments' programs (in cc) and its type.
 * argi >= 0: only argument argi (unnest(a, b) in FROM is one call per
 * array). */
bool srf_is(const char *name);
int srf_compile(CompileCtx *cc, Expr *f, int argi, SrfCall *out);

/* Arrays (arrayfunc.c): the functions over arrays (form k of name, or
 * NULL), and the implementations the compiler calls for array syntax.
 * A call site of the array syntax has an ArrayOpInfo in its
 * ExprInstr.state, filled at compile time. */
typedef struct ArrayOpInfo {
    TypeId type;          /* the result type */
    i32 typmod;           /* an enum result's (or enum array's): the enum's id */
    const char *slices;   /* FUNC_SUBSCRIPT: ast.h */
    int cmp;              /* FUNC_ANY: the comparison (BinaryOp) */
    bool all;             /* FUNC_ANY: ALL */
    FuncImpl match;       /* FUNC_ANY of a pattern match: its function (textlike, textregexeq ...) */
    void *match_state;    /* and that function's call-site slot (a regex's compiled patterns) */
} ArrayOpInfo;
const FuncDef *array_func_lookup(const char *name, int k);
int arr_construct(EvalEnv *env, const Value *args, int nargs, Value *out, int loc);
int arr_subscript(EvalEnv *env, const Value *args, int nargs, Value *out, int loc);
int arr_assign(EvalEnv *env, const Value *args, int nargs, Value *out, int loc);
int arr_any(EvalEnv *env, const Value *args, int nargs, Value *out, int loc);
int arr_contains(EvalEnv *env, const Value *args, int nargs, Value *out, int loc);
int arr_contained(EvalEnv *env, const Value *args, int nargs, Value *out, int loc);
int arr_overlap(EvalEnv *env, const Value *args, int nargs, Value *out, int loc);
int arr_cat(EvalEnv *env, const Value *args, int nargs, Value *out, int loc);
int arr_append(EvalEnv *env, const Value *args, int nargs, Value *out, int loc);
int arr_prepend(EvalEnv *env, const Value *args, int nargs, Value *out, int loc);
/* The array of type result of the n values items (each an element, or
 * each an array of that type: then a dimension is added, as ARRAY[ARRAY[..],
 * ..], ARRAY(SELECT an array) and array_agg of arrays do), in arena.  2202E
 * when sub-arrays differ in their dimensions; ctor: ARRAY[...]'s message
 * (and NULL or empty sub-arrays allowed), else the aggregates' (22004 for a
 * NULL sub-array, 2202E for an empty one). */
int arr_build(EvalEnv *env, Arena *arena, const Value *items, int n, TypeId result, bool ctor, Value *out);

#endif
