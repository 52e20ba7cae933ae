/*
 * locking.c - SELECT ... FOR UPDATE | NO KEY UPDATE | SHARE | KEY SHARE
 * [OF rel, ...] [NOWAIT | SKIP LOCKED]: which tables of a query's FROM
 * clause lock their rows, in which mode, and what the query may not have.
 *
 * As PostgreSQL: without OF, a clause covers every table of the FROM
 * clause (functions and VALUES are passed over); with OF, the relations it
 * names (42P01 for a name not in FROM).  A table covered by several
 * clauses takes the strongest mode, NOWAIT over SKIP LOCKED over waiting.
 * Refused (0A000): set operations, DISTINCT, GROUP BY, HAVING, aggregates,
 * window functions, set-returning functions in the list (PostgreSQL's
 * messages); a table on the nullable side of an outer join.  A difference
 * (docs/postgres-differences.md): PostgreSQL also locks the tables under a
 * view or a subquery in FROM that a clause covers; DriftDB refuses those
 * (0A000) rather than lock nothing, and a table read FOR SYSTEM_TIME (its
 * rows are history, not rows to lock).  Temporary tables are the
 * session's own: nothing to lock.
 *
 * The rows are locked by op_lockrows (exec/executor.c) over the query's
 * projected rows, which carry each locked table's primary key.
 */
#include "plan_int.h"

static const char *const mode_names[] = {"FOR KEY SHARE", "FOR SHARE", "FOR NO KEY UPDATE", "FOR UPDATE"};

const char *locking_mode_name(int mode) { return mode_names[mode & 3]; }

int locking_check(SqlCtx *ctx, const SelectStmt *s, bool aggregates, int nwins, int nsrfs)
{
    const char *what = s->distinct || s->ndistinct_on ? "DISTINCT clause"
                     : s->ngroup || s->ngsets          ? "GROUP BY clause"
                     : s->having                       ? "HAVING clause"
                     : aggregates                      ? "aggregate functions"
                     : nwins                           ? "window functions"
                     : nsrfs                           ? "set-returning functions in the target list"
                                                       : NULL;
    if (what)
        return dd_err(ctx->err, DD_EFEATURE, -1, "%s is not allowed with %s", locking_mode_name(s->locks[0]->mode),
                      what);
    if (ctx->read_only) {
        int rc = dd_err(ctx->err, DD_EREAD_ONLY_TXN, -1, "cannot execute SELECT %s in a read-only transaction",
                        locking_mode_name(s->locks[0]->mode));
        if (ctx->session_point != SEQ_NONE) dd_err_hint(ctx->err, "drift.system_time is set; RESET drift.system_time to lock rows.");
        return rc;
    }
    return DD_OK;
}

typedef struct FromRef {
    TableRef *tr;
    bool nullable;     /* on the nullable side of an outer join */
} FromRef;

static int collect(SqlCtx *ctx, TableRef *tr, bool nullable, FromRef **v, int *n, int *cap)
{
    if (tr->kind == TREF_JOIN) {
        int rc = collect(ctx, tr->left, nullable || tr->join == JOIN_RIGHT || tr->join == JOIN_FULL, v, n, cap);
        if (!rc) rc = collect(ctx, tr->right, nullable || tr->join == JOIN_LEFT || tr->join == JOIN_FULL, v, n, cap);
        return rc;
    }
    if (*n == *cap) {
        int ncap = *cap ? *cap * 2 : 8;
        FromRef *nv = arena_alloc(ctx->stmt, sizeof(FromRef) * (size_t)ncap);
        if (!nv) return DD_ENOMEM;
        if (*n) memcpy(nv, *v, sizeof(FromRef) * (size_t)*n);
        *v = nv;
        *cap = ncap;
    }
    (*v)[(*n)++] = (FromRef){tr, nullable};
    return DD_OK;
}

/* The name a FROM item is known by (OF names it so): its alias, else a
 * table's name without its schema; NULL for an item without either. */
static const char *ref_name(const TableRef *tr)
{
    if (tr->alias) return tr->alias;
    return tr->kind == TREF_TABLE ? name_base(tr->name) : NULL;
}

/* Whether OF name n names item tr (a qualified name: the table as written). */
static bool of_names(const char *n, const TableRef *tr)
{
    const char *rn = ref_name(tr);
    if (rn && strcmp(n, rn) == 0) return true;
    return !tr->alias && tr->kind == TREF_TABLE && strcmp(n, tr->name) == 0;
}

int lock_relation_id(SqlCtx *ctx, u32 id, const char *name, int mode, bool nowait)
{
    if (!ctx->lock_table) return DD_OK;
    int rc = ctx->lock_table(ctx, id, mode, nowait ? LOCKWAIT_ERROR : LOCKWAIT_BLOCK);
    if (rc == DD_ELOCK_NOT_AVAILABLE && nowait)
        return dd_err(ctx->err, DD_ELOCK_NOT_AVAILABLE, -1, "could not obtain lock on relation \"%s\"", name);
    return rc;
}

int lock_relation(SqlCtx *ctx, const TableInfo *t, int mode)
{
    if (t->temp) return DD_OK;   /* the session's own */
    return lock_relation_id(ctx, t->id, name_base(t->name), mode, false);
}

int locking_targets(SqlCtx *ctx, const SelectStmt *s, const Scope *scope, LockRel **out, int *nout,
                    const ScopeRel ***rels_out)
{
    FromRef *refs = NULL;
    int nrefs = 0, cap = 0, rc;
    for (int i = 0; i < s->nfrom; i++)
        if ((rc = collect(ctx, s->from[i], false, &refs, &nrefs, &cap))) return rc;
    for (int c = 0; c < s->nlocks; c++)
        for (int k = 0; k < s->locks[c]->nrels; k++) {
            bool found = false;
            for (int i = 0; i < nrefs && !found; i++) found = of_names(s->locks[c]->rels[k], refs[i].tr);
            if (!found)
                return dd_err(ctx->err, DD_EUNDEFINED_TABLE, s->locks[c]->rel_locs[k],
                              "relation \"%s\" in %s clause not found in FROM clause", s->locks[c]->rels[k],
                              locking_mode_name(s->locks[c]->mode));
        }
    LockRel *lr = arena_zalloc(ctx->stmt, sizeof(LockRel) * (size_t)(nrefs + 1));
    const ScopeRel **lrel = arena_zalloc(ctx->stmt, sizeof(ScopeRel *) * (size_t)(nrefs + 1));
    if (!lr || !lrel) return DD_ENOMEM;
    int n = 0;
    for (int i = 0; i < nrefs; i++) {
        TableRef *tr = refs[i].tr;
        int mode = -1, wait = LOCKWAIT_BLOCK, loc = -1;
        bool named = false;
        for (int c = 0; c < s->nlocks; c++) {
            const LockingClause *lc = s->locks[c];
            bool covers = lc->nrels == 0;
            for (int k = 0; k < lc->nrels && !covers; k++) {
                covers = of_names(lc->rels[k], tr);
                if (covers) {
                    named = true;
                    loc = lc->rel_locs[k];
                }
            }
            if (!covers) continue;
            if (lc->mode > mode) mode = lc->mode;
            if (lc->wait > wait) wait = lc->wait;
        }
        if (mode < 0) continue;
        const char *m = locking_mode_name(mode);
        if (tr->kind == TREF_FUNCTION) {
            if (named) return dd_err(ctx->err, DD_EFEATURE, loc, "%s cannot be applied to a function", m);
            continue;
        }
        if (refs[i].nullable)
            return dd_err(ctx->err, DD_EFEATURE, loc, "%s cannot be applied to the nullable side of an outer join", m);
        if (tr->kind == TREF_SUBQUERY) {
            rc = dd_err(ctx->err, DD_EFEATURE, loc >= 0 ? loc : tr->loc, "%s of the rows of a subquery in FROM is not supported",
                        m);
            dd_err_hint(ctx->err, "Put the locking clause inside the subquery, or name the tables to lock with %s OF.", m);
            return rc;
        }
        const char *rn = ref_name(tr);
        const ScopeRel *rel = NULL;
        for (int r = 0; r < scope->nrels && !rel; r++)
            if (scope->rels[r].alias && rn && strcmp(scope->rels[r].alias, rn) == 0) rel = &scope->rels[r];
        if (!rel || !rel->table || rel->table->view_sql) {
            const char *what = rel && rel->view ? "view" : rel && rel->sys_oid ? "system relation" : "relation";
            rc = dd_err(ctx->err, DD_EFEATURE, loc >= 0 ? loc : tr->loc, "%s of the rows of %s \"%s\" is not supported", m,
                        what, rn ? rn : "");
            dd_err_hint(ctx->err, "Lock the rows of the tables it reads, in a query that reads them.");
            return rc;
        }
        if (tr->temporal.kind != TEMPORAL_NONE || ctx->view_kind != TEMPORAL_NONE) {
            rc = dd_err(ctx->err, DD_EFEATURE, loc >= 0 ? loc : tr->loc,
                        "%s cannot be applied to a table read FOR SYSTEM_TIME", m);
            dd_err_hint(ctx->err, "Row locks are on the present rows: read the table without FOR SYSTEM_TIME.");
            return rc;
        }
        /* a row lock needs UPDATE on the table, FOR SHARE and FOR KEY
         * SHARE included (PostgreSQL 15) */
        if ((rc = acl_check(ctx, rel->table, ACL_UPDATE, loc >= 0 ? loc : tr->loc))) return rc;
        if (rel->table->temp) continue;   /* the session's own rows */
        if ((rc = lock_relation(ctx, rel->table, TLOCK_ROW_SHARE))) return rc;
        lr[n].t = rel->table;
        lr[n].mode = mode;
        lr[n].wait = wait;
        lrel[n++] = rel;
    }
    *out = lr;
    *nout = n;
    *rels_out = lrel;
    return DD_OK;
}
