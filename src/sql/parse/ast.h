/*
 * ast.h - the parse tree produced by parser.c and consumed by the analyzer and planners (analyze/, plan/).
 *
 * All nodes are allocated in the statement arena given to the parser and
 * live until that arena is reset.  Every node keeps `loc`: the byte offset
 * of its first token in the SQL text (the whole string given to the
 * engine, not the statement), for error positions.  -1 when synthetic.
 *
 * Identifiers are stored folded to lower case unless they were quoted
 * ("MixedCase" keeps its case), as PostgreSQL does.  Strings are
 * NUL-terminated.
 *
 * Lists are arrays: `T **items; int n`.
 */
#ifndef DD_AST_H
#define DD_AST_H

#include "../../util/base.h"
#include "../types/value.h"

typedef struct Expr Expr;
/* VERIFY [RECENT n | FROM @SEQ:f | TABLE t] [EXPECT HASH 'h' AT SEQ m] */
typedef struct VerifyStmt {
    i64 recent;               /* the newest n commits; 0 = all */
    i64 from;                 /* the commits f..head; 0 = all */
    char *table;              /* VERIFY TABLE t, or NULL */
    int table_loc;
    const char *expect_hash;  /* the anchor kept elsewhere (hex), or NULL */
    i64 expect_seq;           /* its seq */
    int expect_loc;           /* where the hash literal is */
} VerifyStmt;

typedef struct Stmt Stmt;
typedef struct SelectStmt SelectStmt;
typedef struct WindowDef WindowDef;
typedef struct SortItem SortItem;

/* ---- expressions ---- */

typedef enum ExprKind {
    EXPR_CONST,     /* literal: c.val (see below for literal types) */
    EXPR_SEQ,       /* @SEQ:n literal: seq.n */
    EXPR_COLUMN,    /* [qualifier.]name: col */
    EXPR_STAR,      /* * or qualifier.*: col.qualifier (NULL for bare *) */
    EXPR_PARAM,     /* $n: param.n (1-based) */
    EXPR_UNARY,     /* unary.op applied to unary.arg */
    EXPR_BINARY,    /* bin.op (bin.l, bin.r) */
    EXPR_IS,        /* is.arg IS [NOT] {NULL|TRUE|FALSE|UNKNOWN}, or IS [NOT] DISTINCT FROM is.other */
    EXPR_IN,        /* in.arg [NOT] IN (in.list) */
    EXPR_BETWEEN,   /* between.arg [NOT] BETWEEN [SYMMETRIC] lo AND hi */
    EXPR_LIKE,      /* like.arg [NOT] LIKE|ILIKE|SIMILAR TO like.pattern [ESCAPE like.escape],
                       and the regex operators ~ ~* !~ !~* (like.how) */
    EXPR_CASE,      /* CASE [case_.operand] WHEN .. THEN .. [ELSE case_.else_] END */
    EXPR_CAST,      /* CAST(cast.arg AS type), arg::type, and typed literals type 'str' */
    EXPR_FUNC,      /* func.name(args) incl. aggregates, COALESCE, NULLIF, GREATEST, LEAST,
                       and the SQL keyword functions CURRENT_TIMESTAMP, CURRENT_DATE, LOCALTIMESTAMP
                       (as func calls with no args, name lower-cased, e.g. "current_timestamp") */
    EXPR_SUBQUERY,  /* (SELECT ...) scalar subquery: sub.select; parsed, analyzed later */
    EXPR_EXISTS,    /* EXISTS (SELECT ...): sub.select */
    EXPR_DEFAULT,   /* DEFAULT as a value of INSERT ... VALUES or UPDATE ... SET */
} ExprKind;

typedef enum UnaryOp { UOP_NOT, UOP_NEG, UOP_PLUS, UOP_BITNOT } UnaryOp;

typedef enum BinaryOp {
    BOP_AND, BOP_OR,
    BOP_EQ, BOP_NE, BOP_LT, BOP_LE, BOP_GT, BOP_GE,
    BOP_ADD, BOP_SUB, BOP_MUL, BOP_DIV, BOP_MOD, BOP_POW,
    BOP_CONCAT,
    BOP_CONTAINS, BOP_CONTAINED, BOP_OVERLAP,   /* array @> <@ && (jsonb's @> <@ too) */
    BOP_OTHER,      /* an operator known by its symbol (bin.opname): the json ones */
} BinaryOp;

/* The array syntax, parsed into EXPR_FUNC nodes (func.special) so that
 * every walker of the tree sees plain calls over their arguments:
 *   FUNC_ARRAY        ARRAY[args...] (name "array"); an argument written
 *                     [a, b] inside it is a FUNC_ARRAY too
 *   FUNC_ARRAY_QUERY  ARRAY(SELECT ...): args[0] is its EXPR_SUBQUERY
 *   FUNC_SUBSCRIPT    args[0][...][...] (name "[]"): func.slices holds one
 *                     letter per subscript, taking args in order: 'i' [x],
 *                     's' [lo:hi], 'l' [lo:], 'u' [:hi], 'a' [:]
 *   FUNC_ANY          args[0] cmp ANY | ALL (args[1]) over an array (name
 *                     "any"): func.cmp the comparison, func.all for ALL;
 *                     a pattern match instead (LIKE ANY, ~* ALL ...) when
 *                     func.match is set (ANY_MATCH_*); over a subquery,
 *                     args[1] is its FUNC_ARRAY_QUERY
 *   FUNC_ASSIGN       UPDATE ... SET col[...] = x (name "[]="): the array
 *                     col with those elements replaced; args as
 *                     FUNC_SUBSCRIPT's, then x */
typedef enum FuncSpecial { FUNC_PLAIN, FUNC_ARRAY, FUNC_ARRAY_QUERY, FUNC_SUBSCRIPT, FUNC_ANY, FUNC_ASSIGN } FuncSpecial;

/* FUNC_ANY's func.match: x [NOT] LIKE | ILIKE ANY (...) and x ~ ANY (...)
 * with ~'s ! and * forms (~~ is LIKE) */
#define ANY_MATCH_LIKE  1
#define ANY_MATCH_REGEX 2
#define ANY_MATCH_NOT   4
#define ANY_MATCH_ICASE 8

typedef enum IsKind { IS_NULL, IS_TRUE, IS_FALSE, IS_UNKNOWN, IS_DISTINCT_FROM } IsKind;

/* The pattern language of an EXPR_LIKE: LIKE / ILIKE (and ~~ ~~* !~~
 * !~~*), SIMILAR TO, or a regular expression (~ ~* !~ !~*). */
typedef enum MatchHow { MATCH_LIKE, MATCH_SIMILAR, MATCH_REGEX } MatchHow;

/* A type as written: CAST(x AS varchar(10)), column definitions. */
typedef struct TypeName {
    char *name;      /* lower case, multi-word joined by one space: "double precision",
                        "character varying", "timestamp with time zone" */
    i32 typmod;      /* -1 none; varchar(n)/char(n): n; numeric(p,s): (p << 16) | s;
                        numeric(p): (p << 16) */
    int loc;
} TypeName;

struct Expr {
    ExprKind kind;
    int loc;
    union {
        /* Literal types: 'str' -> UNKNOWN; integer literal -> INT4 if it
         * fits, else INT8, else NUMERIC; 1.5 / 1e5 / .5 -> NUMERIC;
         * TRUE/FALSE -> BOOL; NULL -> NULLTYPE (isnull).  E'..' escapes and
         * '' quoting are decoded; string payload allocated in the arena. */
        struct { Value val; } c;
        struct { i64 n; } seq;
        /* qualifier may be NULL; star_slot: slot + 1 of the scope column a
         * `*` expanded to (set by the analyzer, 0 from the parser) */
        struct { char *qualifier; char *name; int star_slot; } col;
        struct { int n; } param;
        struct { UnaryOp op; Expr *arg; } unary;
        struct { BinaryOp op; Expr *l, *r; const char *opname; } bin;   /* opname: BOP_OTHER */
        struct { IsKind what; bool negated; Expr *arg; Expr *other; } is;
        /* subquery: IN (SELECT ...), list[0] is its EXPR_SUBQUERY (n 1).
         * x op ANY | SOME | ALL (SELECT ...) is the subquery form with cmp
         * (a comparison BinaryOp; 0, BOP_AND, for IN's =) and all set for
         * ALL; = ANY is IN and <> ALL is NOT IN */
        struct { bool negated; Expr *arg; Expr **list; int n; bool subquery; int cmp; bool all; } in;
        struct { bool negated; bool symmetric; Expr *arg, *lo, *hi; } between;
        struct { MatchHow how; bool negated; bool icase; Expr *arg, *pattern, *escape; } like;
        struct { Expr *operand; Expr **when; Expr **then; int n; Expr *else_; } case_;
        struct { Expr *arg; TypeName type; } cast;
        struct {
            char *name;        /* lower-cased (qualified names: "pg_catalog.now" keeps the dot) */
            Expr **args; int n;
            bool star;         /* count(*) */
            bool distinct;     /* count(DISTINCT x) */
            WindowDef *over;   /* f(...) OVER (...) / OVER name: a window function */
            Expr *filter;      /* agg(...) FILTER (WHERE filter) */
            SortItem **order; int norder;   /* agg(x ORDER BY ...), or WITHIN GROUP's */
            bool within_group; /* f(args) WITHIN GROUP (ORDER BY order): an ordered-set aggregate */
            bool variadic;     /* f(..., VARIADIC arr): the last argument's elements are the arguments */
            u8 special;        /* FuncSpecial */
            char *slices;      /* FUNC_SUBSCRIPT */
            int cmp; bool all; /* FUNC_ANY */
            u8 match;          /* FUNC_ANY of a pattern match: ANY_MATCH_* bits, else 0 */
            char **rownames;   /* ROW(...) made of a whole-row reference: its columns' names (else f1, f2 ...) */
            Expr *rowpresent;  /* and a column NULL only where an outer join added the row (the row is NULL then) */
            bool scalar_row;   /* a whole-row reference of a function's one column: that column */
            bool of_row;       /* json_agg(row) made json_agg(row_to_json(row)) by the compiler */
            bool op_syntax;    /* written as a prefix operator (|/ x, @ x): its column is ?column? */
            char **argnames;   /* f(a => x): per argument its name or NULL (positional); NULL: none named */
        } func;
        struct { SelectStmt *select; } sub;
    } u;
    /* Added by the parser author: offset of the operator token for
     * EXPR_UNARY, EXPR_BINARY, EXPR_IS, EXPR_IN, EXPR_BETWEEN, EXPR_LIKE and
     * x::type (PostgreSQL reports operator and cast errors there); equal to
     * loc for every other node. */
    int oploc;
};

/* ---- FROM items ---- */

typedef enum TemporalKind {
    TEMPORAL_NONE,         /* no clause: the present (or the session point) */
    TEMPORAL_AS_OF,        /* AS OF a */
    TEMPORAL_FROM_TO,      /* FROM a TO b */
    TEMPORAL_BETWEEN,      /* BETWEEN a AND b */
    TEMPORAL_CONTAINED_IN, /* CONTAINED IN (a, b) */
    TEMPORAL_ALL,          /* ALL */
} TemporalKind;

typedef struct TemporalClause {
    TemporalKind kind;
    Expr *a, *b;   /* points; NULL where the kind has none */
    int loc;       /* offset of FOR */
} TemporalClause;

typedef enum TableRefKind { TREF_TABLE, TREF_JOIN, TREF_SUBQUERY, TREF_FUNCTION } TableRefKind;
/* JOIN_SEMI, JOIN_ANTI and JOIN_ANTI_NULLS are the planner's (EXISTS, NOT
 * EXISTS, IN, NOT IN), never parsed */
typedef enum JoinType {
    JOIN_INNER, JOIN_LEFT, JOIN_RIGHT, JOIN_FULL, JOIN_CROSS, JOIN_SEMI, JOIN_ANTI, JOIN_ANTI_NULLS
} JoinType;

typedef struct TableRef TableRef;
struct TableRef {
    TableRefKind kind;
    int loc;
    char *alias;               /* NULL if none */
    /* TREF_TABLE */
    char *name;
    TemporalClause temporal;
    /* TREF_JOIN */
    JoinType join;
    TableRef *left, *right;
    Expr *on;                  /* NULL for CROSS / comma */
    char **using_cols; int nusing;
    char *using_alias;         /* USING (...) AS alias: names the merged columns, or NULL */
    bool natural;              /* NATURAL JOIN: USING the common column names */
    /* TREF_SUBQUERY */
    SelectStmt *select;
    /* TREF_FUNCTION: f(args) [WITH ORDINALITY] (an EXPR_FUNC) */
    Expr *func;
    bool ordinality;
    bool lateral;              /* LATERAL (subquery); a function is always lateral */
    /* AS alias (a, b): column aliases of a subquery (or a table), or 0 */
    char **col_aliases; int ncol_aliases;
    /* a function's column definition list, AS [alias] (a int, b text):
     * per column alias its type, or NULL when none was given */
    TypeName *col_types;
};

/* ---- statements ---- */

typedef struct ResTarget {
    Expr *expr;     /* EXPR_STAR for * and t.* */
    char *alias;    /* AS name, or NULL */
    int loc;
} ResTarget;

struct SortItem {
    Expr *expr;
    bool desc;
    int nulls;      /* 0 default (NULLS LAST for ASC, FIRST for DESC), 1 FIRST, 2 LAST */
};

/* A window: OVER (...), or WINDOW name AS (...). */
enum { FRAME_DEFAULT, FRAME_ROWS, FRAME_RANGE, FRAME_GROUPS };
/* a frame's EXCLUDE clause (NO OTHERS is NONE) */
enum { EXCLUDE_NONE, EXCLUDE_CURRENT_ROW, EXCLUDE_GROUP, EXCLUDE_TIES };
enum { BOUND_UNBOUNDED_PRECEDING, BOUND_PRECEDING, BOUND_CURRENT, BOUND_FOLLOWING, BOUND_UNBOUNDED_FOLLOWING };
struct WindowDef {
    char *name;              /* WINDOW name AS (...): its name; OVER name: the name referred to */
    char *refname;           /* OVER (w ...): the window it starts from, or NULL */
    bool is_ref;             /* OVER name (no parentheses) */
    Expr **partition; int npartition;
    SortItem **order; int norder;
    int frame;               /* FRAME_* */
    int start, end;          /* BOUND_*; without a frame clause: unbounded preceding .. current row */
    Expr *start_off, *end_off;
    int exclude;             /* EXCLUDE_* */
    int loc;
};

/* FOR UPDATE | NO KEY UPDATE | SHARE | KEY SHARE [OF rel, ...] [NOWAIT |
 * SKIP LOCKED] after a query: mode ROWLOCK_*, wait LOCKWAIT_* (txn/ctx.h
 * has both; 0..3 and 0..2 here). */
typedef struct LockingClause {
    int mode;
    int wait;
    char **rels; int *rel_locs; int nrels;   /* OF: as written; none: every table */
    int loc;
} LockingClause;

struct SelectStmt {
    int loc;
    bool distinct;
    Expr **distinct_on; int ndistinct_on;   /* SELECT DISTINCT ON (exprs) */
    ResTarget **targets; int ntargets;
    TableRef **from; int nfrom;   /* comma-separated items; may be 0 */
    Expr *where;
    Expr **group_by; int ngroup;
    /* ROLLUP / CUBE / GROUPING SETS / (): the grouping sets, each a mask of
     * group_by entries (ngsets 0: a plain GROUP BY) */
    u64 *gsets; int ngsets;
    Expr *having;
    WindowDef **windows; int nwindows;   /* WINDOW name AS (...), ... */
    SortItem **order_by; int norder;
    Expr *limit;     /* NULL: none (LIMIT ALL also NULL) */
    bool with_ties;  /* FETCH FIRST n ROWS WITH TIES */
    Expr *offset;
    LockingClause **locks; int nlocks;   /* FOR UPDATE / SHARE ... */
    /* set operations: this UNION [ALL] next, parsed for the next issue */
    int setop;       /* 0 none, 1 UNION, 2 INTERSECT, 3 EXCEPT */
    bool setop_all;
    bool values;     /* the first row of a VALUES list (its rows' UNION ALL chain) */
    SelectStmt *next;
    /* WITH [RECURSIVE] name [(cols)] AS (select), ...: in source order */
    char **cte_names; int *cte_locs;
    SelectStmt **ctes;
    /* a data-modifying WITH query (INSERT / UPDATE / DELETE): its
     * statement, its ctes entry NULL; NULL for a query (the array may be
     * NULL when no query is data-modifying) */
    Stmt **cte_dml;
    char ***cte_cols; int *cte_ncols;   /* column alias lists (ncols 0: none) */
    int nctes;
    bool cte_recursive;
};

/* Options of CREATE / ALTER SEQUENCE and of an identity column; has_*
 * says which were given. */
typedef struct SeqOptions {
    char *as_type; int as_loc;
    bool has_inc, has_min, has_max, has_start, has_cache, has_cycle, has_restart, has_owned;
    bool no_min, no_max;      /* NO MINVALUE / NO MAXVALUE */
    bool restart_with;        /* RESTART WITH n (else RESTART: the start) */
    i64 inc, min, max, start, cache, restart;
    bool cycle;
    char *owned_table, *owned_col;   /* OWNED BY t.c; both NULL: OWNED BY NONE */
    char *seq_name; int seq_name_loc;   /* an identity column's SEQUENCE NAME s, or NULL */
} SeqOptions;

typedef struct ColumnDef {
    char *name;
    TypeName type;
    bool not_null;
    bool primary_key;  /* inline PRIMARY KEY */
    bool unique;       /* inline UNIQUE (parsed; analyzer may reject) */
    Expr *default_;    /* DEFAULT expr or NULL */
    char identity;     /* GENERATED ALWAYS ('a') / BY DEFAULT ('d') AS IDENTITY, or 0 */
    SeqOptions *idopts;   /* the identity's sequence options (NULL: none given) */
    int loc;
    int default_start; /* offset of the DEFAULT expression's first token (its own parentheses too) */
    int default_end;   /* offset just past the DEFAULT expression's last token */
    Expr *generated;   /* GENERATED ALWAYS AS (expr) STORED, or NULL */
    int gen_start, gen_end;   /* the expression's text (inside the parentheses) */
    /* LIKE source [{INCLUDING | EXCLUDING} what ...] in CREATE TABLE's
     * list: this entry stands for the source's columns (name is NULL) */
    char *like; int like_loc;
    unsigned like_opts;   /* LIKE_* */
} ColumnDef;
enum { LIKE_DEFAULTS = 1, LIKE_CONSTRAINTS = 2, LIKE_INDEXES = 4, LIKE_GENERATED = 8, LIKE_IDENTITY = 16,
       LIKE_COMMENTS = 32, LIKE_ALL = 63 };

/* A UNIQUE, CHECK or FOREIGN KEY constraint, of a table or of a column
 * (then cols holds that column). */
typedef enum ConstraintKind { CONSTR_UNIQUE, CONSTR_CHECK, CONSTR_FOREIGN } ConstraintKind;
typedef struct Constraint {
    ConstraintKind kind;
    char *name;                  /* CONSTRAINT name, or NULL: one is chosen */
    char **cols; int ncols;      /* UNIQUE / FOREIGN KEY columns */
    Expr *check; int check_start, check_end;   /* CHECK (expr) and its text */
    char *ref_table; char **ref_cols; int nref_cols;   /* REFERENCES t [(cols)] */
    char on_delete, on_update;   /* 'a' NO ACTION, 'r' RESTRICT, 'c' CASCADE, 'n' SET NULL, 'd' SET DEFAULT */
    bool deferrable, initially_deferred;
    bool match_full;             /* FOREIGN KEY ... MATCH FULL */
    bool not_valid;              /* NOT VALID: ALTER TABLE ADD does not check the rows there are */
    int loc;
} Constraint;

typedef struct CreateTableStmt {
    char *name;
    char *retention;            /* WITH (history_retention = 'interval'), or NULL */
    bool if_not_exists;
    ColumnDef **cols; int ncols;
    char **pk; int npk;         /* PRIMARY KEY (a, b) or document style pk=a */
    int pk_loc;
    bool document_style;        /* pk=col appeared */
    /* INDEX(col, ...) entries of the document style; each an array of names */
    char ***indexes; int *index_ncols; int nindexes;
    /* Added by the parser author: INDEX name (cols) gives the name, NULL
     * for an unnamed INDEX(cols); parallel to indexes. */
    char **index_names;
    /* CREATE TABLE name [(cols)] AS select: the query, and the column
     * names (as_cols, nas_cols; 0: the query's names); cols is then 0 */
    SelectStmt *as_select;
    bool no_data;               /* CREATE TABLE ... AS ... WITH NO DATA: the columns, no rows */
    char **as_cols; int nas_cols;
    Constraint **cons; int ncons, capcons;   /* UNIQUE / CHECK / FOREIGN KEY, in order */
    bool temp;                  /* CREATE TEMP TABLE, or a name qualified by pg_temp */
    char on_commit;             /* ON COMMIT: 'p' PRESERVE ROWS, 'd' DELETE ROWS, 'D' DROP; 0 none */
    int on_commit_loc;
} CreateTableStmt;

typedef struct InsertStmt {
    char *table; int table_loc;
    char **cols; int *col_locs; int ncols;   /* ncols 0: no column list */
    Expr ***rows; int *row_len; int nrows;   /* VALUES (...), (...) */
    SelectStmt *select;                      /* INSERT ... SELECT (or NULL) */
    bool default_values;
    char overriding;                         /* OVERRIDING SYSTEM ('s') / USER ('u') VALUE, or 0 */
    char *alias;                             /* INSERT INTO t AS alias */
    struct ResTarget **returning; int nreturning;   /* RETURNING list (0: none) */
    /* ON CONFLICT [(cols) | ON CONSTRAINT name] DO NOTHING | DO UPDATE SET ... [WHERE ...] */
    int on_conflict;                         /* 0 none, 1 DO NOTHING, 2 DO UPDATE */
    char **conf_cols; int *conf_col_locs; int nconf_cols;
    /* an element of ON CONFLICT (...) that is an expression (lower(x)):
     * its text's offsets, its conf_cols entry NULL; NULL when none is */
    int *conf_expr_start, *conf_expr_end;
    Expr *conf_index_where;                  /* (cols) WHERE pred: a partial unique index's */
    char *conf_constraint; int conf_loc;
    struct SetClause **conf_set; int nconf_set;
    Expr *conf_where;
} InsertStmt;

typedef struct SetClause { char *col; Expr *expr; int loc; } SetClause;

typedef struct UpdateStmt {
    char *table; char *alias; int table_loc;
    SetClause **set; int nset;
    TableRef **from; int nfrom;   /* UPDATE ... FROM items, or 0 */
    Expr *where;
    struct ResTarget **returning; int nreturning;
} UpdateStmt;

typedef struct DeleteStmt {
    char *table; char *alias; int table_loc;
    TableRef **from; int nfrom;   /* DELETE ... USING items, or 0 */
    Expr *where;
    struct ResTarget **returning; int nreturning;
    Expr *before;                 /* DELETE HISTORY ... BEFORE SYSTEM_TIME point, or NULL */
    Expr *named_at;               /* DELETE HISTORY / ERASE FROM t FOR SYSTEM_TIME AS OF
                                   * point (the table named so then), or NULL */
} DeleteStmt;

/* Table lock modes, PostgreSQL's eight, weakest first (LOCK TABLE ... IN
 * mode MODE; statements take theirs implicitly: engine/rowlock.c has the
 * conflicts).  Numbered apart from the row
 * modes (ROWLOCK_*, sql/txn/ctx.h). */
enum {
    TLOCK_ACCESS_SHARE = 8, TLOCK_ROW_SHARE, TLOCK_ROW_EXCLUSIVE, TLOCK_SHARE_UPDATE_EXCLUSIVE, TLOCK_SHARE,
    TLOCK_SHARE_ROW_EXCLUSIVE, TLOCK_EXCLUSIVE, TLOCK_ACCESS_EXCLUSIVE
};
/* "ACCESS SHARE", ... as LOCK TABLE names them (parser.c). */
const char *tlock_mode_name(int mode);

typedef struct DropTableStmt {
    char **names; int *locs; int n;
    bool if_exists;
    bool cascade;       /* DROP ... CASCADE: dependent views go too */
    bool restart_identity;   /* TRUNCATE ... RESTART IDENTITY */
    bool discard_temp;  /* DISCARD TEMP: every temporary relation (names: none) */
    int lock_mode;            /* LOCK ... IN mode MODE: TLOCK_* (sql/txn/ctx.h), ACCESS EXCLUSIVE without */
    bool vacuum;              /* VACUUM (STMT_ANALYZE): ANALYZE only with vacuum_analyze */
    bool vacuum_analyze;
    bool lock_nowait;         /* LOCK ... NOWAIT */
} DropTableStmt;

/* CREATE SEQUENCE [IF NOT EXISTS] name opts / ALTER SEQUENCE [IF EXISTS] name opts */
typedef struct SeqStmt {
    char *name; int name_loc;
    bool if_exists;     /* IF NOT EXISTS for CREATE, IF EXISTS for ALTER */
    SeqOptions opts;
    bool temp;          /* CREATE TEMP SEQUENCE, or a name qualified by pg_temp */
} SeqStmt;

/* CREATE [OR REPLACE] VIEW name [(cols)] AS query */
typedef struct CreateViewStmt {
    char *name; int name_loc;
    bool or_replace;
    char **cols; int ncols;
    SelectStmt *select;
    int body_start, body_end;   /* the query's text, kept by the catalog */
    bool temp;                  /* CREATE TEMP VIEW (a view over a temporary
                                   table is made temporary too) */
} CreateViewStmt;

typedef enum TxnKind { TXN_BEGIN, TXN_COMMIT, TXN_ROLLBACK, TXN_SAVEPOINT, TXN_RELEASE, TXN_ROLLBACK_TO } TxnKind;
typedef struct TxnStmt {
    TxnKind kind;
    char *savepoint;      /* for SAVEPOINT / RELEASE / ROLLBACK TO */
    int isolation;        /* 0 default; 1 READ COMMITTED, 2 REPEATABLE READ, 3 SERIALIZABLE */
    int read_only;        /* -1 unspecified, 0 READ WRITE, 1 READ ONLY */
    bool start;           /* written START TRANSACTION (its command tag) */
} TxnStmt;

typedef struct SetStmt {
    char *name;       /* lower-cased, dotted names kept: "drift.system_time";
                         SET TIME ZONE x -> "timezone" */
    char *value;      /* the value as text (identifier, string, number; DEFAULT -> NULL);
                         for a list (SET search_path = a, b) joined with ", " */
    bool is_local;
    bool reset;       /* RESET name (value NULL); RESET ALL: name "all" */
    char *name2, *value2;   /* SET TRANSACTION ISOLATION LEVEL x, READ ONLY: the second mode */
} SetStmt;

typedef struct ShowStmt { char *name; } ShowStmt;   /* SHOW name / SHOW ALL ("all") */

/* ALTER TABLE [IF EXISTS] t action [, action ...] */
typedef enum AlterKind {
    ALTER_ADD_COLUMN, ALTER_DROP_COLUMN, ALTER_RENAME_COLUMN, ALTER_RENAME_TABLE,
    ALTER_ADD_CONSTRAINT, ALTER_DROP_CONSTRAINT,
    ALTER_SET_DEFAULT,   /* ALTER [COLUMN] name SET DEFAULT col->default_ | DROP DEFAULT (col->default_ NULL) */
    ALTER_SET_NOT_NULL,  /* ALTER [COLUMN] name SET NOT NULL | DROP NOT NULL (not_null false) */
    ALTER_TYPE,          /* ALTER [COLUMN] name [SET DATA] TYPE col->type [USING using] */
    ALTER_DROP_EXPRESSION,   /* ALTER [COLUMN] name DROP EXPRESSION [IF EXISTS] */
    ALTER_RENAME_CONSTRAINT, /* RENAME CONSTRAINT name TO newname */
    ALTER_VALIDATE_CONSTRAINT, /* VALIDATE CONSTRAINT name */
    ALTER_RENAME_INDEX,      /* ALTER INDEX [IF EXISTS] name RENAME TO newname (AlterTableStmt.index) */
    ALTER_ADD_PRIMARY_KEY,   /* ADD [CONSTRAINT name] PRIMARY KEY (pk_cols): name in AlterCmd.name */
    ALTER_SET_SCHEMA,        /* SET SCHEMA newname (ALTER TABLE / VIEW / SEQUENCE) */
    ALTER_IDENTITY,          /* ALTER [COLUMN] name ADD GENERATED ... AS IDENTITY [(options)] (ident 'a'),
                                DROP IDENTITY [IF EXISTS] ('x'), {SET GENERATED ... | SET option |
                                RESTART [[WITH] n]} ... ('s'): AlterCmd.generated, idopts */
    ALTER_SET_RETENTION,     /* SET (history_retention = 'interval'): newname; RESET (...): NULL */
    ALTER_NOOP,              /* SET / RESET (storage parameters), ALTER [COLUMN] c SET STATISTICS n:
                                accepted, nothing DriftDB keeps */
    ALTER_OWNER,             /* OWNER TO role: one role owns everything (tables, views, sequences) */
} AlterKind;
typedef struct AlterCmd {
    AlterKind kind;
    ColumnDef *col;      /* ADD COLUMN */
    Constraint *con;     /* ADD [CONSTRAINT name] UNIQUE | CHECK | FOREIGN KEY */
    char *name;          /* DROP / RENAME COLUMN: the column; DROP CONSTRAINT: the constraint */
    char *newname;       /* RENAME: the new name */
    bool if_exists;      /* DROP COLUMN IF EXISTS */
    bool if_not_exists;  /* ADD COLUMN IF NOT EXISTS */
    bool cascade;        /* DROP COLUMN / CONSTRAINT ... CASCADE */
    bool not_null;       /* SET NOT NULL */
    Expr *using_;        /* ALTER TYPE ... USING expr, or NULL */
    char **pk_cols; int npk_cols;   /* ADD PRIMARY KEY (cols) */
    int using_start, using_end;   /* its text */
    char ident;          /* ALTER_IDENTITY: 'a' ADD, 'x' DROP, 's' SET / RESTART */
    char generated;      /* ALTER_IDENTITY: 'a' ALWAYS, 'd' BY DEFAULT, 0 not given */
    SeqOptions idopts;   /* ALTER_IDENTITY: the sequence's options */
    int loc;
} AlterCmd;
typedef struct AlterTableStmt {
    char *table; int table_loc;    /* ALTER INDEX: the index */
    bool if_exists;
    bool index;                    /* ALTER INDEX */
    bool view;                     /* ALTER VIEW (RENAME TO, SET SCHEMA only) */
    bool sequence;                 /* ALTER SEQUENCE ... RENAME TO / SET SCHEMA */
    AlterCmd **cmds; int ncmds;
} AlterTableStmt;

/* CREATE [UNIQUE] INDEX [IF NOT EXISTS] [name] ON t (elem, ...) */
typedef struct IndexElem {
    char *col;          /* a column, or NULL for an expression */
    Expr *expr;         /* (expr) or f(...) */
    int start, end;     /* the element's text (expressions are kept as SQL) */
    bool desc;
    int nulls;          /* 0 default, 1 FIRST, 2 LAST */
    int loc;
} IndexElem;
typedef struct CreateIndexStmt {
    char *name; int name_loc;   /* NULL: a name is chosen */
    char *table; int table_loc;
    bool unique, if_not_exists;
    const char *method;          /* USING method (NULL: btree) */
    IndexElem **elems; int nelems;
    char **include; int *include_locs; int ninclude;   /* INCLUDE (cols): checked, not stored */
    Expr *where; int where_start, where_end;           /* a partial index's predicate, its text */
} CreateIndexStmt;

/* COPY t [(cols)] FROM STDIN | COPY {t [(cols)] | (query)} TO STDOUT
 * [[WITH] (option, ...)] or the old option syntax (BINARY, CSV, HEADER,
 * DELIMITER [AS] 'c', NULL [AS] 's', QUOTE, ESCAPE, FORCE QUOTE). */
enum { COPY_TEXT, COPY_CSV, COPY_BINARY };
typedef struct CopyStmt {
    char *table; int table_loc;   /* NULL for COPY (query) TO */
    char **cols; int *col_locs; int ncols;   /* the column list, or none */
    struct Stmt *query;           /* COPY (query) TO: a SELECT */
    bool from;                    /* FROM STDIN; else TO STDOUT */
    int format;                   /* COPY_* */
    int header;                   /* -1 not given, 0, 1 */
    char *delimiter, *null_str, *quote, *escape;   /* NULL: the default */
    bool force_quote_all;         /* FORCE_QUOTE * */
    char **force_quote; int nforce_quote;
    int loc;
} CopyStmt;

typedef enum StmtKind {
    STMT_SELECT, STMT_INSERT, STMT_UPDATE, STMT_DELETE,
    STMT_CREATE_TABLE, STMT_DROP_TABLE,
    STMT_CREATE_INDEX, STMT_DROP_INDEX,   /* DROP INDEX uses DropTableStmt */
    STMT_ANALYZE,    /* ANALYZE / VACUUM [t, ...]: u.drop (names; n 0 = every table; vacuum) */
    STMT_TXN, STMT_SET, STMT_SHOW,
    STMT_BACKUP,     /* BACKUP TO 'file' [SINCE 'base']: u.backup */
    STMT_CHECKPOINT, /* CHECKPOINT TABLE t: u.checkpoint */
    STMT_DELETE_HISTORY,   /* DELETE HISTORY FROM t [BEFORE SYSTEM_TIME x]: u.delete_ */
    STMT_ERASE,      /* ERASE FROM t [WHERE ...]: u.delete_ */
    STMT_VERIFY,     /* VERIFY [RECENT n | FROM @SEQ:f | TABLE t] [EXPECT HASH ...]: u.verify */
    STMT_EXPLAIN,    /* EXPLAIN stmt: explain.stmt */
    STMT_ALTER_TABLE,
    STMT_COPY,       /* run by the engine: copy.c */
    STMT_TRUNCATE,   /* TRUNCATE [TABLE] t, ...: u.drop (names) */
    STMT_CREATE_VIEW,
    STMT_DROP_VIEW,  /* u.drop */
    STMT_CREATE_SEQUENCE, STMT_ALTER_SEQUENCE,   /* u.seq */
    STMT_DROP_SEQUENCE,   /* u.drop */
    STMT_DECLARE, STMT_FETCH, STMT_CLOSE,   /* cursors, run by the engine: u.cursor */
    STMT_PREPARE, STMT_EXECUTE, STMT_DEALLOCATE,   /* run by the engine: u.prepare */
    STMT_MERGE,      /* u.merge */
    STMT_COMMENT,    /* u.comment */
    STMT_TYPE,       /* CREATE / ALTER / DROP TYPE: u.type */
    STMT_EXTENSION,  /* CREATE EXTENSION [IF NOT EXISTS] name ... | DROP EXTENSION [IF EXISTS] name, ...: u.ext */
    STMT_SCHEMA,     /* CREATE / DROP / ALTER SCHEMA: u.schema */
    STMT_ROLE,       /* CREATE / ALTER / DROP ROLE, GRANT / REVOKE role: u.role */
    STMT_LOCK,       /* LOCK [TABLE] name, ... IN ACCESS SHARE MODE: u.drop */
    STMT_DISCARD,    /* DISCARD {ALL | PLANS | SEQUENCES}, run by the engine: u.discard
                        (DISCARD TEMP is a STMT_DROP_TABLE) */
} StmtKind;

/* CREATE SCHEMA [IF NOT EXISTS] {name [AUTHORIZATION role] | AUTHORIZATION
 * role}; DROP SCHEMA [IF EXISTS] name, ... [CASCADE | RESTRICT]; ALTER
 * SCHEMA name {RENAME TO new | OWNER TO role}. */
typedef struct SchemaStmt {
    char action;                      /* 'c' create, 'd' drop, 'r' rename, 'o' owner */
    char **names; int *locs; int n;   /* DROP: several */
    bool if_exists;                   /* CREATE: IF NOT EXISTS; DROP: IF EXISTS */
    bool cascade;
    char *new_name; int new_loc;      /* RENAME TO */
    char *role;                       /* AUTHORIZATION role, OWNER TO role (NULL: none, or the
                                         session's: CURRENT_USER ...) */
} SchemaStmt;

/* Privileges of GRANT / REVOKE (the store's ACL_* bits, store.h). */
enum {
    ACL_INSERT_BIT = 1 << 0, ACL_SELECT_BIT = 1 << 1, ACL_UPDATE_BIT = 1 << 2, ACL_DELETE_BIT = 1 << 3,
    ACL_TRUNCATE_BIT = 1 << 4, ACL_REFERENCES_BIT = 1 << 5, ACL_TRIGGER_BIT = 1 << 6, ACL_EXECUTE_BIT = 1 << 7,
    ACL_USAGE_BIT = 1 << 8, ACL_CREATE_BIT = 1 << 9, ACL_TEMPORARY_BIT = 1 << 10, ACL_CONNECT_BIT = 1 << 11
};

/* Role attributes (the store's FMT_ROLE_* bits). */
enum {
    ROLE_SUPER = 1, ROLE_INHERIT = 2, ROLE_CREATEROLE = 4, ROLE_CREATEDB = 8,
    ROLE_LOGIN = 16, ROLE_REPLICATION = 32, ROLE_BYPASSRLS = 64,
};
/* CREATE / ALTER / DROP ROLE (USER, GROUP); GRANT / REVOKE role. */
typedef struct RoleStmt {
    char action;                      /* 'c' create, 'a' alter options, 'r' rename,
                                         'd' drop, 'g' grant membership, 'v' revoke it;
                                         'G' / 'V' grant / revoke privileges; 'R' REASSIGN
                                         OWNED BY names TO new_name, 'O' DROP OWNED BY names */
    char **names; int *locs; int n;   /* the role(s); GRANT / REVOKE: the roles granted
                                         (NULL name: CURRENT_USER ...) */
    char **members; int nmembers;     /* GRANT ... TO / REVOKE ... FROM */
    bool if_exists;                   /* DROP ... IF EXISTS */
    bool admin;                       /* WITH ADMIN OPTION; REVOKE ADMIN OPTION FOR */
    bool user;                        /* CREATE USER: LOGIN unless NOLOGIN */
    char *new_name;                   /* RENAME TO */
    u8 set_flags, clear_flags;        /* FMT_ROLE_* given on / off */
    bool has_connlimit; i32 connlimit;
    bool has_password; char *password;       /* PASSWORD NULL: password NULL */
    bool has_valid_until; char *valid_until; /* as written */
    char **in_roles; int nin;         /* IN ROLE: member of these */
    char **add_members; int nadd;     /* ROLE / USER: these become members */
    char **admins; int nadmins;       /* ADMIN: members with admin option */
    /* GRANT privileges ON objects TO members [WITH GRANT OPTION]; REVOKE
     * [GRANT OPTION FOR] privileges ON objects FROM members [CASCADE]
     * (actions 'G', 'V'; members: roles, "public" or NULL: CURRENT_USER) */
    u32 privs;                        /* store.h ACL_* bits */
    bool all_privs;                   /* ALL [PRIVILEGES] */
    char objtype;                     /* 't' TABLE (the default), 's' SEQUENCE, 'n' SCHEMA */
    bool in_schema;                   /* ON ALL TABLES | SEQUENCES IN SCHEMA: objs name schemas */
    char **objs; int *objlocs; int nobjs;
    bool grant_option;                /* WITH GRANT OPTION; REVOKE GRANT OPTION FOR */
    bool cascade;                     /* REVOKE ... CASCADE */
    char *granted_by;                 /* GRANTED BY role, or NULL */
    int priv_loc;                     /* where the privilege list starts */
    /* ALTER ROLE name SET set_name = set_value (NULL: RESET / DEFAULT),
     * RESET ALL (action 's') */
    char *set_name, *set_value;
    bool reset_all;
} RoleStmt;

typedef struct ExtensionStmt {
    bool drop;
    bool if_exists;                   /* CREATE: IF NOT EXISTS; DROP: IF EXISTS */
    char **names; int *locs; int n;   /* CREATE: one */
    char *schema; int schema_loc;     /* [WITH] SCHEMA s, or NULL */
} ExtensionStmt;

/* CREATE TYPE name AS ENUM ('l', ...); ALTER TYPE name ADD VALUE [IF NOT
 * EXISTS] 'l' [{BEFORE | AFTER} 'm'] | RENAME VALUE 'a' TO 'b' | RENAME TO
 * n; DROP TYPE [IF EXISTS] name, ... [CASCADE | RESTRICT]. */
typedef enum TypeAction { TYPE_CREATE_ENUM, TYPE_ADD_VALUE, TYPE_RENAME_VALUE, TYPE_RENAME, TYPE_DROP,
                          TYPE_CREATE_DOMAIN, TYPE_ALTER_DOMAIN,
                          TYPE_OWNER   /* ALTER TYPE / DOMAIN name OWNER TO role (domain says which) */
                        } TypeAction;
typedef struct TypeStmt {
    TypeAction action;
    char **names; int *locs; int n;   /* the type (DROP: the types) */
    char **labels; int *label_locs; int nlabels;   /* CREATE: the labels; ADD VALUE: [0];
                                                      RENAME VALUE: [0] to [1] */
    char *anchor; int anchor_loc;     /* ADD VALUE ... BEFORE / AFTER anchor, or NULL */
    bool before;
    bool if_exists;                   /* DROP: IF EXISTS; ADD VALUE: IF NOT EXISTS */
    bool cascade;
    char *new_name; int new_loc;      /* RENAME TO */
    /* CREATE DOMAIN name [AS] type [DEFAULT e] [[CONSTRAINT n] {NOT NULL |
     * NULL | CHECK (e)}] ...; ALTER DOMAIN name {SET DEFAULT e | DROP
     * DEFAULT | SET NOT NULL | DROP NOT NULL | ADD [CONSTRAINT n] CHECK (e)
     * | DROP CONSTRAINT [IF EXISTS] n [CASCADE | RESTRICT]}; DROP DOMAIN */
    bool domain;                      /* DROP DOMAIN (not DROP TYPE), ALTER DOMAIN ... RENAME TO */
    TypeName base;
    Expr *default_; int default_end;  /* DEFAULT e and where its text ends */
    int not_null;                     /* -1 not said, 0 NULL, 1 NOT NULL */
    Constraint **checks; int nchecks; /* CHECK constraints (kind CONSTR_CHECK) */
    char alter;                       /* ALTER DOMAIN: 'S' SET DEFAULT, 'D' DROP DEFAULT, 'N' SET NOT NULL,
                                         'n' DROP NOT NULL, 'A' ADD CONSTRAINT, 'X' DROP CONSTRAINT,
                                         'V' VALIDATE CONSTRAINT */
    char *cname; int cname_loc;       /* DROP / VALIDATE CONSTRAINT name */
} TypeStmt;

/* COMMENT ON {TABLE | VIEW | SEQUENCE} name | COLUMN t.c IS {'text' | NULL} */
typedef struct CommentStmt {
    const char *what;        /* "table", "view", "sequence", "column" */
    char *name;              /* the relation */
    char *col;               /* COLUMN: the column, else NULL */
    char *text;              /* NULL: remove the comment */
    int loc;
} CommentStmt;

/* MERGE INTO t [AS a] USING source ON cond WHEN [NOT] MATCHED [AND cond]
 * THEN {UPDATE SET ... | DELETE | INSERT [(cols)] {VALUES (...) | DEFAULT
 * VALUES} | DO NOTHING} ... */
enum { MERGE_UPDATE, MERGE_DELETE, MERGE_INSERT, MERGE_NOTHING };
typedef struct MergeWhen {
    bool matched;
    Expr *cond;              /* AND cond, or NULL */
    int action;              /* MERGE_* */
    SetClause **set; int nset;
    char **cols; int *col_locs; int ncols;
    Expr **values; int nvalues;   /* INSERT VALUES (...); 0 with default_values */
    bool default_values;
    int loc;
} MergeWhen;

typedef struct MergeStmt {
    char *table; char *alias; int table_loc;
    TableRef *source;
    Expr *on;
    MergeWhen **whens; int nwhens;
} MergeStmt;

/* PREPARE name [(type, ...)] AS statement (its text: body_loc to the
 * statement's end); EXECUTE name [(expr, ...)]; DEALLOCATE [PREPARE]
 * {name | ALL} (name NULL). */
typedef struct PrepareStmt {
    char *name;
    TypeName *types; int ntypes;
    int body_loc;
    Expr **args; int nargs;
} PrepareStmt;

/* DECLARE name [BINARY] [[NO] SCROLL] CURSOR [WITH[OUT] HOLD] FOR query;
 * FETCH / MOVE [direction] [FROM | IN] name; CLOSE {name | ALL}. */
enum { CURSOR_FORWARD, CURSOR_BACKWARD, CURSOR_ABSOLUTE, CURSOR_RELATIVE };
typedef struct CursorStmt {
    char *name;              /* NULL: CLOSE ALL */
    bool hold, scroll, no_scroll, binary;
    SelectStmt *query;
    int query_loc;           /* offset of the query's text */
    bool move;
    int dir;                 /* CURSOR_* */
    i64 count;               /* FORWARD / BACKWARD: rows, -1 ALL; ABSOLUTE / RELATIVE: the position */
} CursorStmt;

struct Stmt {
    StmtKind kind;
    SelectStmt *with;   /* WITH queries in front of INSERT / UPDATE / DELETE (their CTE arrays), or NULL */
    int loc;            /* offset of the first token */
    int end;            /* offset just past the last token (before ';') */
    union {
        SelectStmt *select;
        InsertStmt *insert;
        UpdateStmt *update;
        DeleteStmt *delete_;
        CreateTableStmt *create;
        DropTableStmt *drop;
        CreateIndexStmt *create_index;
        TxnStmt *txn;
        SetStmt *set;
        ShowStmt *show;
        struct { Stmt *stmt; bool analyze, costs, timing; } explain;
        struct AlterTableStmt *alter;
        CopyStmt *copy;
        CreateViewStmt *create_view;
        SeqStmt *seq;
        CursorStmt *cursor;
        PrepareStmt *prepare;
        MergeStmt *merge;
        CommentStmt *comment;
        TypeStmt *type;
        ExtensionStmt *ext;
        SchemaStmt *schema;
        RoleStmt *role;
        char discard;   /* STMT_DISCARD: 'a' ALL, 'p' PLANS, 's' SEQUENCES; 'u' UNLISTEN */
        VerifyStmt verify;   /* STMT_VERIFY */
        struct {
            const char *path;
            const char *since;   /* SINCE 'base': an incremental backup, or NULL */
            int loc, since_loc;
        } backup;            /* STMT_BACKUP */
        struct {
            char *table;
            int loc;
        } checkpoint;        /* STMT_CHECKPOINT */
    } u;
};

/*
 * Parses the statement that starts at byte `offset` of sql[0..len).
 *   DD_OK with *out set: a statement; *next is the offset just past it and
 *     its terminating ';' (or len).
 *   DD_OK with *out NULL: only whitespace, comments and ';' remained.
 *   error (42601 with position, 22P02/22003 for bad literals, 54000 for
 *     too deep nesting): *next is past the next top-level ';' so the caller
 *     can skip the failed statement.
 * Nodes are allocated in `a`.  Error positions are offsets into sql.
 */
int parse_statement(const char *sql, size_t len, size_t offset, Arena *a,
                    Stmt **out, size_t *next, DdError *err);

#endif
