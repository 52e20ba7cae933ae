/*
 * plan.h - the Plan of one statement, shared by select.c (queries),
 * dml.c (INSERT / UPDATE / DELETE / DDL), indexddl.c (CREATE / DROP INDEX)
 * and sql.c (running plans).
 */
#ifndef DD_PLAN_H
#define DD_PLAN_H

#include "../txn/ctx.h"
#include "../exec/executor.h"

typedef enum PlanKind {
    PLAN_QUERY, PLAN_INSERT, PLAN_UPDATE, PLAN_DELETE,
    PLAN_CREATE_TABLE, PLAN_DROP_TABLE, PLAN_ALTER_TABLE,
    PLAN_TRUNCATE, PLAN_MERGE, PLAN_DELETE_HISTORY, PLAN_ERASE,
} PlanKind;

/* One WHEN clause of a MERGE, compiled over [target row, source rows]:
 * its condition (or NULL), and for UPDATE its SET programs and target
 * columns, for INSERT a program per column of the table (NULL: NULL, or
 * a hidden key's next value). */
typedef struct MergeAction {
    bool matched;
    int action;              /* MERGE_* (ast.h) */
    ExprProg *cond;
    ExprProg **set; int *target; int nset;
    ExprProg **ivals;
} MergeAction;

typedef struct TableScope TableScope;

typedef struct Plan Plan;
typedef struct UniqueSets UniqueSets;   /* COPY FROM's unique keys so far (indexddl.c) */

struct Plan {
    PlanKind kind;
    ColDesc *cols; int ncols;       /* output columns (queries) */
    /* queries without set operations: the output expressions (after *
     * expansion) and whether the query groups, for pushdown into it */
    Expr **texprs;
    bool grouped;
    Op *root;                       /* queries and the row source of UPDATE/DELETE */
    u64 count;                      /* rows returned / affected */
    const char *tag;                /* fixed tag for DDL, or NULL */
    bool opened;
    /* DML */
    const TableInfo *table;         /* target, present version (may be replaced by insert) */
    int nrows;                      /* INSERT VALUES rows */
    int ntargets;                   /* INSERT: number of target columns */
    int *target_col;                /* INSERT: target column index per value; UPDATE: per SET */
    ExprProg ***values;             /* INSERT VALUES: [row][k] */
    ExprProg **defaults;            /* INSERT: default per table column (NULL: NULL) */
    ExprProg **set;                 /* UPDATE: per SET clause */
    int nset;
    bool add_rowid;                 /* table has a hidden _rowid key */
    /* DDL */
    TableInfo *new_table;
    TableInfo **alter; int nalter;  /* CREATE / DROP INDEX: new table versions */
    const TableInfo **drop; int ndrop;
    /* INSERT / UPDATE / DELETE ... RETURNING: the list compiled over the
     * table's row (cols / ncols name its columns), the rows it gave
     * (nret values each), and the operator that returns them */
    ExprProg **ret; int nret;
    int ret_width;          /* UPDATE ... FROM / DELETE ... USING: RETURNING reads this wide a row */
    bool dml_from;          /* ... and each target row is changed once */
    Value *ret_rows; size_t nret_rows, capret_rows;
    Op *ret_root;
    /* INSERT ... ON CONFLICT DO NOTHING (1) / DO UPDATE
     * (2): SET programs over [existing row, EXCLUDED row] (each
     * t->ncols + HIST_COLS wide), their target columns, the WHERE */
    int conflict;
    ExprProg **cset; int *ctarget; int ncset;
    ExprProg *cwhere;
    /* MERGE: its WHEN clauses, in order */
    MergeAction *merge; int nmerge;
    /* its arbiters: the primary key, and unique indexes of table */
    bool arb_pk;
    const IndexInfo **arb; int narb;
    /* ALTER SEQUENCE ... RESTART: the sequence's value is set to
     * restart_value (not given) when the statement runs */
    bool seq_restart;
    i64 restart_value;
    const TableInfo *seq_target;
    /* ALTER COLUMN TYPE: the transaction's rows of new_table are encoded
     * again, from conversion new_table->convs[retype_from] on */
    bool retype;
    int retype_from;
    /* INSERT / UPDATE: the table's CHECK constraints over its row */
    ExprProg **checks; int nchecks;
    ExprProg **gens;                /* per column of the table: its generation expression, or NULL */
    struct DomainProg **domains;    /* per column of the table: its domain's constraints, or NULL */
    /* TRUNCATE: a DELETE of every row per table (each a truncate_part:
     * foreign keys were checked once, for all of them) */
    Plan **parts; int nparts;
    bool truncate_part;
    /* DELETE HISTORY: versions that ended at or before this seq go */
    u64 history_cut;
    /* a NOTICE the statement raises (IF [NOT] EXISTS skipping), or NULL */
    const char *notice;
    const char *notice_state;
    /* the data-modifying WITH queries of the statement: run, in order,
     * when it opens */
    Plan **pre; int npre;
    const char *cte_name;   /* a data-modifying WITH query: its name */
};

/* select.c */
int analyze_select(SqlCtx *ctx, SelectStmt *s, Plan *p);
/* Plans subquery s of an expression (SqlCtx.plan_subquery). */
int analyze_sublink(SqlCtx *ctx, SelectStmt *s, const Scope *scope, Op **root, int *ncols, TypeId **types,
                    i32 *typmod0);
/* Builds the scope relation of a table (visible columns + history). */
/* Narrows a drift_commits scan to the seqs its conjuncts allow. */
void plan_commits_bounds(SqlCtx *ctx, Op *op, ScopeRel *rel, Expr **conj, int n);
/* Adds a WHERE filter, choosing a primary key or index access path. */
int plan_scan_where(SqlCtx *ctx, const TableInfo *t, TMode mode, u64 a, u64 b, ScopeRel *rel,
                    Scope *scope, Expr *where, Op **out);

/* Programs casting each column k of rows described by cols to to[k] /
 * typmods[k] (NULL: none); assign[k] names the target column for 42804
 * messages (NULL: plain coercion).  Untyped literals take the target type. */
int compile_row_casts(SqlCtx *ctx, const ColDesc *cols, int n, const TypeId *to, const i32 *typmods,
                      const char *const *assign, ExprProg ***out);

/* locking.c: table locks (TLOCK_*) for the transaction, through
 * ctx->lock_table: of relation id (name for the 55P03 of NOWAIT), and of
 * t (none for a temporary table).  DD_ESTATEMENT_WAIT when the statement
 * is to be planned again after the wait (engine: run_sql). */
int lock_relation_id(SqlCtx *ctx, u32 id, const char *name, int mode, bool nowait);
int lock_relation(SqlCtx *ctx, const TableInfo *t, int mode);

/* dml.c */
int analyze_insert(SqlCtx *ctx, InsertStmt *s, Plan *p);
int analyze_update(SqlCtx *ctx, UpdateStmt *s, Plan *p);
int analyze_merge(SqlCtx *ctx, MergeStmt *s, Plan *p);
int analyze_comment(SqlCtx *ctx, CommentStmt *s, Plan *p);
int analyze_type(SqlCtx *ctx, TypeStmt *s, Plan *p);   /* usertype.c */
int analyze_extension(SqlCtx *ctx, ExtensionStmt *s, Plan *p);   /* extension.c */
int analyze_schema(SqlCtx *ctx, SchemaStmt *s, Plan *p);   /* schema.c */
int analyze_role(SqlCtx *ctx, RoleStmt *s, Plan *p);       /* role.c */
int analyze_privileges(SqlCtx *ctx, RoleStmt *s, Plan *p); /* grant.c: GRANT / REVOKE on objects */
/* The WITH queries of w (its CTE arrays) planned as a SELECT's would be
 * (select.c): for a WITH in front of INSERT / UPDATE / DELETE. */
int with_ctes(SqlCtx *ctx, SelectStmt *w, const struct CteDef **out);
int analyze_delete(SqlCtx *ctx, DeleteStmt *s, Plan *p);
/* DELETE HISTORY FROM t [BEFORE SYSTEM_TIME x]; ERASE FROM t [WHERE ...]:
 * commits of their own, run by the table's owner (store_delete_history,
 * store_erase). */
int analyze_delete_history(SqlCtx *ctx, DeleteStmt *s, Plan *p);
int analyze_erase(SqlCtx *ctx, DeleteStmt *s, Plan *p);
int analyze_create_table(SqlCtx *ctx, CreateTableStmt *s, Plan *p);
int analyze_drop_table(SqlCtx *ctx, DropTableStmt *s, Plan *p);
int analyze_alter_table(SqlCtx *ctx, AlterTableStmt *s, Plan *p);
int analyze_truncate(SqlCtx *ctx, DropTableStmt *s, Plan *p);
int exec_dml(SqlCtx *ctx, Plan *p);
/* COPY FROM: whether p is an INSERT of one VALUES row that
 * dml_insert_rows can run over rows of values, and that run (sql.h). */
bool dml_insert_rows_ok(const Plan *p);
int dml_insert_rows(SqlCtx *ctx, Plan *p, const Value *in, int nrows, Arena *keep, UniqueSets **uniq, u64 *count,
                    int *bad);

/* view.c */
int analyze_create_view(SqlCtx *ctx, CreateViewStmt *s, Plan *p);
int analyze_drop_view(SqlCtx *ctx, DropTableStmt *s, Plan *p);
/* DROP TABLE / VIEW: the views reading what p->drop holds, for s->cascade
 * added to p->drop (with a NOTICE), else 2BP01. */
int drop_cascade(SqlCtx *ctx, DropTableStmt *s, Plan *p);
/* The views reading relation id (column col, 0: any of it) that p->drop
 * does not hold yet: with cascade added to it, else 2BP01 naming `what`
 * ("column c of table t"). */
int view_drop_dependents(SqlCtx *ctx, Plan *p, u32 id, u32 col, const char *what, bool cascade);
/* 0A000 when a view of the present reads t (column col; 0: the table),
 * which a rename of `what` would break. */
int view_check_rename(SqlCtx *ctx, const TableInfo *t, u32 col, const char *what);
/* 0A000 as PostgreSQL when a view of the present reads column col
 * (colname) of t: ALTER COLUMN TYPE. */
int view_check_alter_type(SqlCtx *ctx, const TableInfo *t, u32 col, const char *colname);
/* A statement on t that needs a table: 42809 "is not a table" for a view
 * (action NULL), or 0A000 "cannot <action> view". */
int view_not_table(SqlCtx *ctx, const TableInfo *t, int loc, const char *action);

/* sequence.c */
int analyze_create_sequence(SqlCtx *ctx, SeqStmt *s, Plan *p);
int analyze_alter_sequence(SqlCtx *ctx, SeqStmt *s, Plan *p);
int analyze_drop_sequence(SqlCtx *ctx, DropTableStmt *s, Plan *p);
/* Appends the sequences of the present owned by table (column col; 0:
 * any) to p->drop. */
int drop_owned_sequences(SqlCtx *ctx, Plan *p, u32 table, u32 col);
/* The DEFAULTs (nextval) of tables p keeps that use a sequence p drops go
 * (DROP SCHEMA ... CASCADE). */
int sequence_drop_defaults(SqlCtx *ctx, Plan *p);
/* The first column whose DEFAULT calls nextval on sequence q (its text
 * names it: a rename would not follow), *table NULL when none. */
int sequence_default_user(SqlCtx *ctx, const TableInfo *q, const char **table, const char **col);
/* ALTER COLUMN TYPE ty of identity column col of table: its sequence,
 * in a version added to p->alter, takes type ty (a bound that was the old
 * type's limit follows, as ALTER SEQUENCE AS does). */
int identity_retype(SqlCtx *ctx, Plan *p, u32 table, u32 col, TypeId ty);
/* ALTER TABLE ... ALTER COLUMN c's identity action (ADD GENERATED ... AS
 * IDENTITY, SET GENERATED / options / RESTART, DROP IDENTITY) on t, the
 * table's new version; its sequence's versions go to p->alter or
 * p->drop.  *skipped: DROP IDENTITY IF EXISTS of a plain column. */
int alter_identity(SqlCtx *ctx, TableInfo *t, const AlterCmd *c, Plan *p, bool *skipped);
/* The sequence a SERIAL or identity column c of new table t owns
 * (options o, or NULL), named apart from made[0..nmade); sets c's
 * DEFAULT to its nextval and c NOT NULL. */
int owned_sequence(SqlCtx *ctx, const TableInfo *t, ColumnInfo *c, const SeqOptions *o, TableInfo *const *made, int nmade,
                   TableInfo **out);

/* fk.c */
/* The checks of the deferrable foreign keys over what the transaction
 * wrote: at_commit, those deferred now; else those immediate now (SET
 * CONSTRAINTS ... IMMEDIATE).  23503. */
int fk_check_deferrable(SqlCtx *ctx, bool at_commit);
/* SET CONSTRAINTS {ALL | name, ...} {DEFERRED | IMMEDIATE} in the
 * transaction; spec as the parser gives it ("deferred *", "immediate a, b"). */
int fk_set_constraints(SqlCtx *ctx, const char *spec);

/* constraint.c */
/* The UNIQUE and CHECK constraints of CREATE TABLE s added to t. */
int table_constraints(SqlCtx *ctx, const CreateTableStmt *s, TableInfo *t);
/* ALTER TABLE ADD CONSTRAINT c to t (a new version of t0), checked over
 * the present rows. */
int alter_add_constraint(SqlCtx *ctx, const TableInfo *t0, TableInfo *t, const Constraint *c);
/* ALTER TABLE VALIDATE CONSTRAINT name: the rows there are of t0 (read as
 * t) against its CHECK or FOREIGN KEY (23514, 23503); a UNIQUE one is
 * 42809, as PostgreSQL. */
int alter_validate_constraint(SqlCtx *ctx, const TableInfo *t0, TableInfo *t, const char *name);
/* ALTER TABLE RENAME CONSTRAINT name TO newname in t (a UNIQUE
 * constraint's index with it). */
int alter_rename_constraint(SqlCtx *ctx, TableInfo *t, const char *name, const char *newname);
/* ALTER TABLE DROP CONSTRAINT name from t; *dropped false when there was
 * none (a NOTICE with if_exists, else 42704). */
int alter_drop_constraint(SqlCtx *ctx, TableInfo *t, const char *name, bool if_exists, bool cascade, Plan *p, bool *dropped);
/* INSERT / UPDATE: p->checks compiled over t's row. */
int compile_checks(SqlCtx *ctx, const TableInfo *t, Plan *p);
/* The generation expression e of column ci of t (GENERATED ALWAYS AS (e)
 * STORED), checked as PostgreSQL checks it (no generated or system column,
 * subquery, aggregate, window or volatile function) and compiled to the
 * column's type over t's row. */
int compile_generated(SqlCtx *ctx, const TableInfo *t, int ci, Expr *e, ExprProg **out);
/* Computes the generated columns of a row being written (p->gens). */
int compute_generated(SqlCtx *ctx, const Plan *p, const TableInfo *t, Value *vals);
/* 23514 when a CHECK of t is false for row vals (t->ncols values). */
int check_row_constraints(SqlCtx *ctx, const Plan *p, const TableInfo *t, const Value *vals, const Value *old);
/* The DETAIL "Failing row contains (...)." of an error about row vals of t. */
void sql_failing_row(SqlCtx *ctx, const Plan *p, const TableInfo *t, const Value *vals);
/* name1_name2_label (name2 may be NULL) shortened to fit as PostgreSQL's,
 * with a number after label while a relation, index or constraint of t
 * has the name. */
char *sql_choose_name(SqlCtx *ctx, const TableInfo *t, const char *name1, const char *name2, const char *label);

/* stats.c: per column the distinct values and NULL fraction of a table */
typedef struct TableStats {
    bool valid;
    double rows;                 /* live rows when gathered */
    int ncols;
    u32 *colid;
    double *ndistinct, *null_frac;
    /* per column: equi-depth histogram bounds of the non-NULL values of
     * columns that order as numbers (nbounds 0: none) */
    int *nbounds;
    double **bounds;
} TableStats;
/* SqlCtx.deparse: expression text of table t as PostgreSQL prints it
 * (deparse.c); false when it has no rule for some part of it. */
bool sql_deparse(SqlCtx *ctx, const TableInfo *t, const char *text, bool pretty, TypeId assign, i32 assign_tm,
                 Buf *out);
/* SqlCtx.deparse_view: a view's query as pg_get_viewdef prints it
 * (without its leading blank and final semicolon); false when deparse.c
 * has no rule for some part of it. */
bool sql_deparse_view(SqlCtx *ctx, const TableInfo *view, bool pretty, Buf *out);
/* Gathers the statistics of t (ANALYZE; automatic: when a plan needed them). */
int sql_analyze_table(SqlCtx *ctx, const TableInfo *t, bool automatic);
/* The statistics of t (gather: gathered now when missing or stale and t
 * is small); out->valid false when there are none. */
int sql_table_stats(SqlCtx *ctx, const TableInfo *t, bool gather, TableStats *out);
/* Drops table id's statistics (its values changed type: ALTER COLUMN
 * TYPE); the next use gathers them again. */
int sql_forget_stats(SqlCtx *ctx, u32 id);
/* A column's distinct values and NULL fraction; false when not known. */
bool stats_column(const TableStats *s, u32 colid, double *ndv, double *null_frac);
/* Value v as a number in the order of its type (integers, floats,
 * numeric, dates, timestamps); false for other types. */
bool stats_scalar(SqlCtx *ctx, const Value *v, double *out);
/* The fraction of a column's non-NULL values below x, from its
 * histogram; negative when there is none. */
double stats_below(const TableStats *s, u32 colid, double x);

/* indexddl.c */
/* Whether index ix of t has entries in the snapshot: one the open
 * transaction created has none until it commits (scans and unique checks
 * then read the table). */
bool sql_index_in_snapshot(SqlCtx *ctx, const TableInfo *t, const IndexInfo *ix);
/* Whether an index of the present is called name (relations share names). */
bool sql_index_name_taken(SqlCtx *ctx, const char *name);
int analyze_create_index(SqlCtx *ctx, CreateIndexStmt *s, Plan *p);
/* Adds the index s describes to t (a version being made; s->name set or
 * one is chosen), checking a unique one over the present rows; *out (may
 * be NULL) gets it. */
int sql_index_add(SqlCtx *ctx, TableInfo *t, CreateIndexStmt *s, IndexInfo **out);
int analyze_drop_index(SqlCtx *ctx, DropTableStmt *s, Plan *p);
/* ALTER INDEX [IF EXISTS] name RENAME TO newname: a new version of its table. */
int analyze_alter_index(SqlCtx *ctx, AlterTableStmt *s, Plan *p);

/* Whether an expression of index ix names column col. */
int sql_index_uses_column(SqlCtx *ctx, const IndexInfo *ix, const char *col, bool *uses);
/* Whether expression text (an index expression, a CHECK) names column col. */
int sql_text_uses_column(SqlCtx *ctx, const char *text, const char *col, bool *uses);
/* Index entries of the indexes created or dropped by the write set's
 * catalog versions (appended to out->iops, *cap its capacity). */
int sql_index_builds(SqlCtx *ctx, TxnWrites *ws, WriteSet *out, int *cap);
/* 23505 when a row the statement wrote (pks) breaks a unique index of t. */
int sql_check_unique(SqlCtx *ctx, const TableInfo *t, const u8 *const *pks, const u32 *pklens, int n);
/* sql_check_unique for a statement that only adds rows to t and checks
 * them a batch at a time (COPY): the transaction's rows among themselves
 * through key sets kept in *sets (made in keep at the first call, for t
 * only), so a batch costs its rows, not all the transaction's. */
int sql_check_unique_added(SqlCtx *ctx, const TableInfo *t, const u8 *const *pks, const u32 *pklens, int n,
                           Arena *keep, UniqueSets **sets);
/* Unique index ix of t (a version being made) over the live rows, as its
 * build will see them: 23505 "could not create unique index" at the
 * first repeated key.  ws_from >= 0: the transaction's rows are still
 * encoded as before conversion t->convs[ws_from]. */
int sql_check_unique_build(SqlCtx *ctx, const TableInfo *t, const IndexInfo *ix, int ws_from);


/* syscat.c: whether a relation name as written means one of pg_catalog's
 * or information_schema's (a user's relation earlier in search_path
 * wins): its schema and name. */
bool syscat_lookup(SqlCtx *ctx, const char *name, const char **schema, const char **base);
/* The error for name, which no user table has: 42809 when it is a system
 * relation (pg_class, drift_commits, ...), else 42P01. */
int no_table_err(SqlCtx *ctx, const char *name, int loc);

#endif
