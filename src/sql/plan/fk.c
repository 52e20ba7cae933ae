/*
 * fk.c - FOREIGN KEY constraints: their definition (CREATE TABLE, ALTER
 * TABLE ADD), what DROP and TRUNCATE must respect, and their enforcement
 * after each statement, as PostgreSQL's referential triggers do it.
 *
 * A foreign key lives in the referencing (child) table's catalog version:
 * its columns, the referenced (parent) table and columns (the parent's
 * primary key or the columns of one of its unique indexes), the actions.
 * MATCH SIMPLE: a row with a NULL in any of its columns references
 * nothing.
 *
 * Enforcement runs when a statement's writes are done (fk_after_writes),
 * over a worklist of (table, changed rows):
 *  - parent side: for each foreign key referencing the table, the keys
 *    the statement took away (deleted rows, updated referenced columns)
 *    are matched against the child's present rows in one scan; NO ACTION
 *    and RESTRICT fail with 23503 (NO ACTION only when no row has that key
 *    any more), CASCADE / SET NULL / SET DEFAULT write the child's rows,
 *    which join the worklist (their own foreign keys apply in turn);
 *  - child side, once the worklist is done: every row written with a
 *    complete, changed key must find its parent in the present (23503).
 * Values compare as `=` would between the two columns' types (their
 * common type), so an integer column may reference a bigint key.
 *
 * Concurrency: the checks read the transaction's snapshot and write set.
 * Two transactions that commit concurrently (one deleting a parent, the
 * other adding a child of it) are not yet stopped from both committing;
 * docs/postgres-differences.md says so.
 */
#include "plan_int.h"
#include "../types/rowcodec.h"
#include <string.h>
#include <stdio.h>

#define FK_MAX_COLS 32          /* INDEX_MAX_KEYS, as PostgreSQL */
#define FK_MAX_WORK 100000      /* cascaded statements of one statement */

/* ---------------------------------------------------------------- definition */

static int col_by_name(const TableInfo *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++)
        if (!t->cols[i].dropped && !t->cols[i].pending && strcmp(t->cols[i].name, name) == 0 &&
            strcmp(name, ROWID_COL) != 0)
            return i;
    return -1;
}

/* Whether the column ids a[0..n) and b[0..n) are the same set. */
static bool same_set(const u32 *a, const u32 *b, int n)
{
    for (int i = 0; i < n; i++) {
        bool found = false;
        for (int j = 0; j < n && !found; j++) found = a[i] == b[j];
        if (!found) return false;
    }
    return true;
}

/* Whether the parent's primary key is a declared one (not the hidden _rowid). */
static bool has_declared_pk(const TableInfo *p)
{
    if (p->npk != 1) return p->npk > 0;
    int ci = table_col_index(p, p->pk[0]);
    return ci >= 0 && strcmp(p->cols[ci].name, ROWID_COL) != 0;
}

/* The unique index of p on exactly the columns ids[0..n) (any order), or
 * NULL. */
static const IndexInfo *unique_on(const TableInfo *p, const u32 *ids, int n)
{
    for (int x = 0; x < p->nindexes; x++) {
        const IndexInfo *ix = &p->indexes[x];
        if (!ix->unique || ix->pred_sql || ix->ncols != n) continue;
        bool plain = true;
        for (int k = 0; k < n && plain; k++) plain = !(ix->exprs && ix->exprs[k]);
        if (plain && same_set(ix->cols, ids, n)) return ix;
    }
    return NULL;
}

/* Whether a value of type a may reference a key of type b (PostgreSQL
 * wants an equality operator between them). */
static bool fk_types_ok(TypeId a, TypeId b)
{
    if (a == b) return true;
    if (type_is_numeric(a) && type_is_numeric(b)) return true;
    if (type_is_string(a) && type_is_string(b)) return true;
    if (type_is_datetime(a) && type_is_datetime(b)) return true;
    return false;
}

int add_foreign_key(SqlCtx *ctx, TableInfo *t, const Constraint *c)
{
    if (c->ncols > FK_MAX_COLS)
        return dd_err(ctx->err, DD_EPROGRAM_LIMIT, c->loc, "cannot use more than %d columns in a foreign key", FK_MAX_COLS);
    const TableInfo *p = NULL;
    if (strcmp(c->ref_table, t->name) == 0) p = t;   /* referencing itself */
    else p = resolve_table_present(ctx, c->ref_table);
    if (!p) return dd_err(ctx->err, DD_EUNDEFINED_TABLE, -1, "relation \"%s\" does not exist", c->ref_table);
    if (p->view_sql || p->sequence)
        return dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, -1, "referenced relation \"%s\" is not a table", p->name);
    if (p->id == t->id) p = t;
    else if (!p->temp) {
        /* referencing a table takes REFERENCES on it */
        int rc = acl_check(ctx, p, ACL_REFERENCES, c->loc);
        if (rc) return rc;
    }
    /* PostgreSQL's rule: a temporary table ends with its session, so
     * neither kind may depend on the other */
    if (p->temp != t->temp)
        return dd_err(ctx->err, DD_EINVALID_DEFINITION, -1, "constraints on %s tables may reference only %s tables",
                      t->temp ? "temporary" : "permanent", t->temp ? "temporary" : "permanent");
    u32 cols[FK_MAX_COLS], refs[FK_MAX_COLS];
    for (int k = 0; k < c->ncols; k++) {
        int ci = col_by_name(t, c->cols[k]);
        if (ci < 0)
            return dd_err(ctx->err, DD_EUNDEFINED_COLUMN, -1, "column \"%s\" referenced in foreign key constraint does not exist",
                          c->cols[k]);
        cols[k] = t->cols[ci].id;
    }
    int nref = c->nref_cols;
    const IndexInfo *pix = NULL;   /* a primary key added to a table with rows */
    for (int x = 0; x < p->nindexes; x++)
        if (p->indexes[x].primary) pix = &p->indexes[x];
    if (nref == 0 && pix && pix->ncols <= FK_MAX_COLS) {
        nref = pix->ncols;
        memcpy(refs, pix->cols, sizeof(u32) * (size_t)nref);
    } else if (nref == 0) {
        if (!has_declared_pk(p))
            return dd_err(ctx->err, DD_EUNDEFINED_OBJECT, -1, "there is no primary key for referenced table \"%s\"",
                          name_base(p->name));
        nref = p->npk;
        memcpy(refs, p->pk, sizeof(u32) * (size_t)nref);
    } else {
        if (nref > FK_MAX_COLS)
            return dd_err(ctx->err, DD_EPROGRAM_LIMIT, c->loc, "cannot use more than %d columns in a foreign key", FK_MAX_COLS);
        for (int k = 0; k < nref; k++) {
            int ci = col_by_name(p, c->ref_cols[k]);
            if (ci < 0)
                return dd_err(ctx->err, DD_EUNDEFINED_COLUMN, -1,
                              "column \"%s\" referenced in foreign key constraint does not exist", c->ref_cols[k]);
            refs[k] = p->cols[ci].id;
        }
    }
    if (nref != c->ncols)
        return dd_err(ctx->err, DD_EINVALID_FOREIGN_KEY, -1,
                      "number of referencing and referenced columns for foreign key disagree");
    if (c->nref_cols) {
        bool dup = false;
        for (int i = 0; i < nref && !dup; i++)
            for (int j = 0; j < i && !dup; j++) dup = refs[i] == refs[j];
        bool ok = !dup && ((p->npk == nref && has_declared_pk(p) && same_set(p->pk, refs, nref)) || unique_on(p, refs, nref));
        if (!ok)
            return dd_err(ctx->err, DD_EINVALID_FOREIGN_KEY, -1,
                          "there is no unique constraint matching given keys for referenced table \"%s\"", p->name);
    }
    /* the name: table_col1_col2_fkey, as PostgreSQL chooses it */
    char *name = c->name;
    if (name) {
        for (int i = 0; i < t->nfks; i++)
            if (strcmp(t->fks[i].name, name) == 0)
                return dd_err(ctx->err, DD_EDUPLICATE_OBJECT, -1, "constraint \"%s\" for relation \"%s\" already exists",
                              name, t->name);
    } else {
        Buf cn = BUF_INIT;
        for (int k = 0; k < c->ncols; k++) buf_printf(&cn, "%s%s", k ? "_" : "", c->cols[k]);
        name = buf_ok(&cn) ? sql_choose_name(ctx, t, t->name, buf_cstr(&cn), "fkey") : NULL;
        buf_free(&cn);
        if (!name) return DD_ENOMEM;
    }
    for (int k = 0; k < nref; k++) {
        const ColumnInfo *a = &t->cols[table_col_index(t, cols[k])];
        const ColumnInfo *b = &p->cols[table_col_index(p, refs[k])];
        if (!fk_types_ok((TypeId)a->type, (TypeId)b->type)) {
            dd_err(ctx->err, DD_EDATATYPE_MISMATCH, -1, "foreign key constraint \"%s\" cannot be implemented", name);
            dd_err_detail(ctx->err, "Key columns \"%s\" and \"%s\" are of incompatible types: %s and %s.", a->name, b->name,
                          type_name((TypeId)a->type), type_name((TypeId)b->type));
            return DD_EDATATYPE_MISMATCH;
        }
    }
    ForeignKeyInfo *nf = arena_alloc(ctx->stmt, sizeof(ForeignKeyInfo) * (size_t)(t->nfks + 1));
    u32 *ids = arena_alloc(ctx->stmt, sizeof(u32) * (size_t)(2 * nref));
    if (!nf || !ids) return DD_ENOMEM;
    if (t->nfks) memcpy(nf, t->fks, sizeof(ForeignKeyInfo) * (size_t)t->nfks);
    memcpy(ids, cols, sizeof(u32) * (size_t)nref);
    memcpy(ids + nref, refs, sizeof(u32) * (size_t)nref);
    ForeignKeyInfo *f = &nf[t->nfks];
    memset(f, 0, sizeof(*f));
    f->name = name;
    f->ncols = nref;
    f->cols = ids;
    f->ref_cols = ids + nref;
    f->ref_table = p->id;
    f->on_delete = c->on_delete ? c->on_delete : 'a';
    f->on_update = c->on_update ? c->on_update : 'a';
    f->deferrable = c->deferrable;
    f->deferred = c->initially_deferred;
    f->match_full = c->match_full;
    t->fks = nf;
    t->nfks++;
    return DD_OK;
}

/* ---------------------------------------------------------------- the present */

/* The present version of table id (write set over snapshot), or NULL. */
static const TableInfo *present_version(SqlCtx *ctx, u32 id)
{
    const TableInfo *t = ctx->ws ? ws_table(ctx->ws, id) : NULL;
    if (!t) t = store_table_version(ctx->snap, id, snap_seq(ctx->snap));
    return t && !t->dropped ? t : NULL;
}

/* Whether fk's checks wait for the commit (DEFERRABLE, deferred by its
 * declaration or SET CONSTRAINTS). */
static bool deferred_now(SqlCtx *ctx, const ForeignKeyInfo *fk)
{
    return fk->deferrable && ctx->ws && ws_constraint_deferred(ctx->ws, fk->name, fk->deferred);
}

/* A foreign key as one statement uses it. */
typedef struct FkRes {
    const ForeignKeyInfo *fk;
    const TableInfo *child, *parent;   /* present versions */
    int n;
    int ci[FK_MAX_COLS], pi[FK_MAX_COLS];   /* column positions */
    TypeId common[FK_MAX_COLS];             /* the type both compare in */
    bool by_pk;                             /* the parent's primary key */
    bool have_keys;                         /* keys built (unique refs) */
    KeySet keys;                            /* present parent keys; val: index into pks */
    u8 **pks; u32 *pklens; u32 npks, cappks;   /* the parent rows' primary keys */
    bool no_lock;                           /* validation (ADD FOREIGN KEY): no parent locks */
} FkRes;

/* fk of child resolved against parent (NULL: the present version of the
 * referenced table). */
static int fk_resolve_with(SqlCtx *ctx, const ForeignKeyInfo *fk, const TableInfo *child, const TableInfo *parent,
                           FkRes *r)
{
    memset(r, 0, sizeof(*r));
    r->fk = fk;
    r->child = child;
    r->parent = parent ? parent : fk->ref_table == child->id ? child : present_version(ctx, fk->ref_table);
    if (!r->parent)
        return dd_err(ctx->err, DD_EINTERNAL, -1, "foreign key \"%s\" references a table that does not exist", fk->name);
    r->n = fk->ncols;
    for (int k = 0; k < r->n; k++) {
        r->ci[k] = table_col_index(child, fk->cols[k]);
        r->pi[k] = table_col_index(r->parent, fk->ref_cols[k]);
        if (r->ci[k] < 0 || r->pi[k] < 0)
            return dd_err(ctx->err, DD_EINTERNAL, -1, "foreign key \"%s\" names a column that does not exist", fk->name);
        TypeId a = (TypeId)child->cols[r->ci[k]].type, b = (TypeId)r->parent->cols[r->pi[k]].type;
        if (!type_common(a, b, &r->common[k])) r->common[k] = b;
    }
    r->by_pk = r->parent->npk == r->n && same_set(r->parent->pk, fk->ref_cols, r->n);
    return DD_OK;
}

static int fk_resolve(SqlCtx *ctx, const ForeignKeyInfo *fk, const TableInfo *child, FkRes *r)
{
    return fk_resolve_with(ctx, fk, child, NULL, r);
}

/* The key of row's columns pos[] in the common types into out; *null
 * when one is NULL. */
static int common_key(SqlCtx *ctx, const FkRes *r, const Value *row, const int *pos, Buf *out, bool *null)
{
    buf_reset(out);
    *null = false;
    for (int k = 0; k < r->n; k++) {
        const Value *v = &row[pos[k]];
        if (v->isnull) { *null = true; return DD_OK; }
        Value cv;
        if (v->type == r->common[k]) cv = *v;
        else {
            int rc = val_cast(v, r->common[k], -1, false, &ctx->vctx, &cv, ctx->err);
            if (rc) return rc;
        }
        key_encode_value(&cv, out);
    }
    return buf_ok(out) ? DD_OK : DD_ENOMEM;
}

/* Whether pk is live in the present of table t. */
static int pk_live(SqlCtx *ctx, u32 table, const u8 *pk, u32 pklen, bool *live)
{
    WsRow *w = ctx->ws ? ws_find(ctx->ws, table, pk, pklen) : NULL;
    if (w) { *live = w->rec != NULL; return DD_OK; }
    Version v;
    int f = tget_present(ctx->snap, table, pk, pklen, &v);
    if (f < 0) return -f;
    *live = f == 1;
    return DD_OK;
}

/* The present parent keys (common encoding) of a foreign key on a
 * unique index, each with its row's primary key: one scan, once per
 * statement. */
static int build_parent_keys(SqlCtx *ctx, FkRes *r)
{
    if (r->have_keys) return DD_OK;
    Op *scan = op_scan(ctx, r->parent, TMODE_PRESENT, 0, 0, NULL);
    if (!scan) return DD_ENOMEM;
    int rc = op_open(ctx, scan);
    Buf key = BUF_INIT, pk = BUF_INIT;
    while (!rc) {
        Value *row;
        ArenaMark m = arena_mark(ctx->row);
        int n = op_next(ctx, scan, &row);
        if (n < 0) { rc = -n; break; }
        if (n == 0) break;
        bool null, had = false;
        rc = common_key(ctx, r, row, r->pi, &key, &null);
        if (!rc && !null) rc = keyset_put(ctx->stmt, &r->keys, key.data, (u32)key.len, r->npks, &had);
        if (!rc && !null && !had) {
            if (r->npks == r->cappks) {
                u32 cap = r->cappks ? r->cappks * 2 : 64;
                u8 **np = arena_alloc(ctx->stmt, sizeof(u8 *) * cap);
                u32 *nl = arena_alloc(ctx->stmt, sizeof(u32) * cap);
                if (!np || !nl) rc = DD_ENOMEM;
                if (!rc && r->npks) {
                    memcpy(np, r->pks, sizeof(u8 *) * r->npks);
                    memcpy(nl, r->pklens, sizeof(u32) * r->npks);
                }
                r->pks = np;
                r->pklens = nl;
                r->cappks = cap;
            }
            if (!rc) rc = row_pk(r->parent, row, &pk, ctx->err);
            if (!rc && !(r->pks[r->npks] = arena_memdup(ctx->stmt, pk.data, pk.len ? pk.len : 1))) rc = DD_ENOMEM;
            if (!rc) r->pklens[r->npks++] = (u32)pk.len;
        }
        arena_rewind(ctx->row, m);
    }
    op_close(ctx, scan);
    buf_free(&key);
    buf_free(&pk);
    r->have_keys = rc == DD_OK;
    return rc;
}

/* Whether parent row pk is live in the newest committed state and (a
 * foreign key on a unique index) still holds the key sought (common
 * encoding): a change of its other columns leaves the reference good. */
static int live_now(SqlCtx *ctx, FkRes *r, const u8 *pk, u32 pklen, const Buf *sought, bool *live)
{
    Snap *latest;
    int rc = store_snap_begin(ctx->store, &latest, ctx->err);
    if (rc) return rc;
    Version v;
    int f = tget_present(latest, r->parent->id, pk, pklen, &v);
    *live = f == 1;
    if (f == 1 && !r->by_pk && sought) {
        Value *vals = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(r->parent->ncols + 1));
        Buf k = BUF_INIT;
        bool null = true;
        if (!vals) rc = DD_ENOMEM;
        /* a row the present definition cannot decode: count it as changed */
        else if (row_decode(r->parent, v.rec, v.reclen, vals, ctx->err) != DD_OK) *live = false;
        else if (!(rc = common_key(ctx, r, vals, r->pi, &k, &null)))
            *live = !null && k.len == sought->len && memcmp(k.data, sought->data, k.len) == 0;
        buf_free(&k);
    }
    store_snap_end(latest);
    if (f < 0) return -f;
    return rc;
}

/*
 * A child row found its parent row pk (present in the snapshot): the
 * parent is locked FOR KEY SHARE until the transaction ends, as
 * PostgreSQL's check does, so that no transaction deletes it (or changes
 * its key) meanwhile; one that did so and committed after the snapshot
 * leaves *found false (READ COMMITTED: the statement runs again, or, once
 * it has written, reports the missing parent) or fails with 40001
 * (REPEATABLE READ).  The transaction's own rows need no lock.
 */
static int lock_parent(SqlCtx *ctx, FkRes *r, const u8 *pk, u32 pklen, const Buf *sought, bool *found)
{
    const TableInfo *p = r->parent;
    if (!ctx->lock_row || p->temp) return DD_OK;
    if (ctx->ws && ws_find(ctx->ws, p->id, pk, pklen)) return DD_OK;
    bool changed, skipped, live;
    int rc = ctx->lock_row(ctx, p->id, pk, pklen, ROWLOCK_KEY_SHARE, LOCKWAIT_BLOCK, &changed, &skipped);
    if (rc || !changed) return rc;
    if ((rc = live_now(ctx, r, pk, pklen, sought, &live)) || live) return rc;   /* a change of other columns */
    if (!ctx->restart_ok) return dd_err(ctx->err, DD_ESERIALIZATION, -1, "could not serialize access due to concurrent delete");
    if (ctx->lock_restartable && ctx->ws->writes == ctx->ws_writes0) return DD_ESTATEMENT_RESTART;
    *found = false;
    return DD_OK;
}

/* Whether the parent has a present row whose referenced columns equal
 * row's columns pos[] (of the child when pos is r->ci, of the parent when
 * r->pi). */
static int parent_has(SqlCtx *ctx, FkRes *r, const Value *row, const int *pos, bool *found)
{
    *found = false;
    if (!r->by_pk) {
        int rc = build_parent_keys(ctx, r);
        if (rc) return rc;
        Buf key = BUF_INIT;
        bool null;
        rc = common_key(ctx, r, row, pos, &key, &null);
        KeySetEntry *e = rc ? NULL : keyset_get(&r->keys, key.data, (u32)key.len);
        *found = e != NULL;
        if (e && pos == r->ci && !r->no_lock) rc = lock_parent(ctx, r, r->pks[e->val], r->pklens[e->val], &key, found);
        buf_free(&key);
        return rc;
    }
    const TableInfo *p = r->parent;
    Value *pv = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(p->ncols + 1));
    if (!pv) return DD_ENOMEM;
    for (int i = 0; i < p->ncols; i++) pv[i] = val_null((TypeId)p->cols[i].type);
    for (int k = 0; k < r->n; k++) {
        const Value *v = &row[pos[k]];
        TypeId pt = (TypeId)p->cols[r->pi[k]].type;
        if (v->type == pt) { pv[r->pi[k]] = *v; continue; }
        /* a value the key's type cannot hold exactly is in no key */
        DdError saved = *ctx->err;
        if (val_cast(v, pt, -1, false, &ctx->vctx, &pv[r->pi[k]], ctx->err) ||
            val_compare(v, &pv[r->pi[k]], &ctx->vctx) != 0) {
            *ctx->err = saved;
            return DD_OK;
        }
    }
    Buf pk = BUF_INIT;
    int rc = row_pk(p, pv, &pk, ctx->err);
    if (!rc) rc = pk_live(ctx, p->id, pk.data, (u32)pk.len, found);
    if (!rc && *found && pos == r->ci && !r->no_lock) rc = lock_parent(ctx, r, pk.data, (u32)pk.len, NULL, found);
    buf_free(&pk);
    return rc;
}

/* "Key (a, b)=(1, 2)": names of t's columns pos[], values of row. */
static void key_text(SqlCtx *ctx, const TableInfo *t, const int *pos, int n, const Value *row, Buf *names, Buf *vals)
{
    for (int k = 0; k < n; k++) {
        buf_printf(names, "%s%s", k ? ", " : "", t->cols[pos[k]].name);
        if (k) buf_puts(vals, ", ");
        if (row[pos[k]].isnull) buf_puts(vals, "null");
        else val_to_text(&row[pos[k]], &ctx->vctx, vals);
    }
}

static int missing_parent(SqlCtx *ctx, const FkRes *r, const Value *row)
{
    int rc = dd_err(ctx->err, DD_EFOREIGN_KEY, -1, "insert or update on table \"%s\" violates foreign key constraint \"%s\"",
                    name_base(r->child->name), r->fk->name);
    dd_err_relation(ctx->err, r->child, NULL, r->fk->name);
    /* the key's values only to a user who may read them */
    if (!acl_can(ctx, r->child, ACL_SELECT)) {
        dd_err_detail(ctx->err, "Key is not present in table \"%s\".", name_base(r->parent->name));
        return rc;
    }
    Buf names = BUF_INIT, vals = BUF_INIT;
    key_text(ctx, r->child, r->ci, r->n, row, &names, &vals);
    if (buf_ok(&names) && buf_ok(&vals))
        dd_err_detail(ctx->err, "Key (%s)=(%s) is not present in table \"%s\".", buf_cstr(&names), buf_cstr(&vals),
                      name_base(r->parent->name));
    buf_free(&names);
    buf_free(&vals);
    return rc;
}

/* Whether row's key for r holds a NULL (*skip: then it references
 * nothing and needs no parent); MATCH FULL's 23503 for a key of NULLs and
 * values mixed. */
static int null_key(SqlCtx *ctx, const FkRes *r, const Value *row, bool *skip)
{
    int nulls = 0;
    for (int k = 0; k < r->n; k++) nulls += row[r->ci[k]].isnull;
    *skip = nulls > 0;
    if (!nulls || nulls == r->n || !r->fk->match_full) return DD_OK;
    int rc = dd_err(ctx->err, DD_EFOREIGN_KEY, -1, "insert or update on table \"%s\" violates foreign key constraint \"%s\"",
                    name_base(r->child->name), r->fk->name);
    dd_err_detail(ctx->err, "MATCH FULL does not allow mixing of null and nonnull key values.");
    dd_err_relation(ctx->err, r->child, NULL, r->fk->name);
    return rc;
}

static int still_referenced(SqlCtx *ctx, const FkRes *r, const TableInfo *pt, const Value *old)
{
    int rc = dd_err(ctx->err, DD_EFOREIGN_KEY, -1,
                    "update or delete on table \"%s\" violates foreign key constraint \"%s\" on table \"%s\"",
                    name_base(r->parent->name), r->fk->name, name_base(r->child->name));
    dd_err_relation(ctx->err, r->child, NULL, r->fk->name);
    if (!acl_can(ctx, pt, ACL_SELECT)) {
        dd_err_detail(ctx->err, "Key is still referenced from table \"%s\".", name_base(r->child->name));
        return rc;
    }
    Buf names = BUF_INIT, vals = BUF_INIT;
    key_text(ctx, pt, r->pi, r->n, old, &names, &vals);
    if (buf_ok(&names) && buf_ok(&vals))
        dd_err_detail(ctx->err, "Key (%s)=(%s) is still referenced from table \"%s\".", buf_cstr(&names), buf_cstr(&vals),
                      name_base(r->child->name));
    buf_free(&names);
    buf_free(&vals);
    return rc;
}

/* Whether the referencing columns pos[] of a and b hold the same values
 * (a NULL differs from everything). */
static bool same_values(SqlCtx *ctx, const Value *a, const Value *b, const int *pos, int n)
{
    for (int k = 0; k < n; k++) {
        const Value *x = &a[pos[k]], *y = &b[pos[k]];
        if (x->isnull != y->isnull) return false;
        if (!x->isnull && val_compare(x, y, &ctx->vctx) != 0) return false;
    }
    return true;
}

/* ---------------------------------------------------------------- enforcement */

typedef struct FkWork {
    const TableInfo *t;      /* the version the rows are laid out by */
    RowChange *ch;
    size_t n;
    bool action;             /* written by CASCADE / SET NULL / SET DEFAULT */
} FkWork;

typedef struct FkQueue {
    FkWork *w;
    size_t n, cap;
} FkQueue;

static int queue_push(SqlCtx *ctx, FkQueue *q, const TableInfo *t, RowChange *ch, size_t n, bool action)
{
    if (q->n == FK_MAX_WORK)
        return dd_err(ctx->err, DD_ESTACK_DEPTH, -1, "foreign key actions nest more than %d levels deep", FK_MAX_WORK);
    if (q->n == q->cap) {
        size_t ncap = q->cap ? q->cap * 2 : 16;
        FkWork *nw = arena_alloc(ctx->stmt, sizeof(FkWork) * ncap);
        if (!nw) return DD_ENOMEM;
        if (q->n) memcpy(nw, q->w, sizeof(FkWork) * q->n);
        q->w = nw;
        q->cap = ncap;
    }
    q->w[q->n++] = (FkWork){t, ch, n, action};
    return DD_OK;
}

/* The new image of child row `row` under action act of r: CASCADE takes
 * the parent's new key (pnew, NULL for a delete: the row goes), SET NULL
 * NULLs, SET DEFAULT the columns' defaults. */
static int child_image(SqlCtx *ctx, const FkRes *r, char act, const Value *row, const Value *pnew, RowChange *out)
{
    const TableInfo *c = r->child;
    out->old = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(c->ncols + 1));
    if (!out->old) return DD_ENOMEM;
    for (int i = 0; i < c->ncols; i++) {
        int rc = val_copy(ctx->stmt, &row[i], &out->old[i]);
        if (rc) return rc;
    }
    out->neu = NULL;
    if (act == 'c' && !pnew) return DD_OK;
    out->neu = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(c->ncols + 1));
    if (!out->neu) return DD_ENOMEM;
    memcpy(out->neu, out->old, sizeof(Value) * (size_t)c->ncols);
    EvalEnv env = {ctx, NULL, 0, NULL};
    for (int k = 0; k < r->n; k++) {
        const ColumnInfo *col = &c->cols[r->ci[k]];
        Value *dst = &out->neu[r->ci[k]];
        int rc = DD_OK;
        if (act == 'n') *dst = val_null((TypeId)col->type);
        else if (act == 'd') {
            ExprProg *pr;
            Value v;
            rc = dml_compile_default(ctx, col, &pr);
            if (!rc) rc = expr_eval(pr, &env, NULL, &v);
            if (!rc) rc = val_copy(ctx->stmt, &v, dst);
        } else {
            const Value *v = &pnew[r->pi[k]];
            Value cv;
            rc = v->isnull ? (cv = val_null((TypeId)col->type), DD_OK)
                           : val_cast(v, (TypeId)col->type, col->typmod, false, &ctx->vctx, &cv, ctx->err);
            if (!rc) rc = val_copy(ctx->stmt, &cv, dst);
        }
        if (rc) return rc;
    }
    return DD_OK;
}

/* The parent side of work item w for foreign key fk of child table c. */
static int parent_side(SqlCtx *ctx, const FkWork *w, const TableInfo *c, const ForeignKeyInfo *fk, FkQueue *q)
{
    FkRes r;
    int rc = fk_resolve(ctx, fk, c, &r);
    if (rc) return rc;
    /* the keys the statement took away: val = the change's index */
    KeySet gone = {NULL, 0, 0};
    Buf key = BUF_INIT;
    for (size_t i = 0; !rc && i < w->n; i++) {
        const RowChange *ch = &w->ch[i];
        if (!ch->old) continue;
        if (ch->neu && same_values(ctx, ch->old, ch->neu, r.pi, r.n)) continue;
        char act = ch->neu ? fk->on_update : fk->on_delete;
        bool null, found = false;
        if ((rc = common_key(ctx, &r, ch->old, r.pi, &key, &null)) || null) continue;
        /* NO ACTION: another row may hold the key now, or at the commit
         * when the constraint is deferred */
        if (act == 'a' && deferred_now(ctx, fk)) continue;
        if (act == 'a' && (rc = parent_has(ctx, &r, ch->old, r.pi, &found))) break;
        if (!found) rc = keyset_put(ctx->stmt, &gone, key.data, (u32)key.len, (u32)i, NULL);
    }
    if (rc || !gone.count) {
        buf_free(&key);
        return rc;
    }
    /* the child's present rows that reference them: one scan, of the
     * newest committed state when the snapshot is older (a child inserted
     * by a transaction this statement waited for, holding the parent row
     * FOR KEY SHARE, is there; PostgreSQL's checks read the newest rows
     * too), with the transaction's own writes */
    Snap *saved = ctx->snap, *latest = NULL;
    StoreStats sst;
    store_stats(ctx->store, &sst);
    if (sst.head_seq > snap_seq(ctx->snap)) {
        if ((rc = store_snap_begin(ctx->store, &latest, ctx->err))) { buf_free(&key); return rc; }
        /* the child's rows read with the definition this statement has:
         * one changed by a commit since cannot be read so */
        const TableInfo *lt = store_table_version(latest, c->id, snap_seq(latest));
        if (lt && lt->seq > snap_seq(saved)) {
            store_snap_end(latest);
            buf_free(&key);
            return dd_err(ctx->err, DD_ESERIALIZATION, -1, "could not serialize access due to concurrent update");
        }
        ctx->snap = latest;
    }
    Op *scan = op_scan(ctx, c, TMODE_PRESENT, 0, 0, NULL);
    if (!scan) {
        buf_free(&key);
        if (latest) { ctx->snap = saved; store_snap_end(latest); }
        return DD_ENOMEM;
    }
    RowChange *out = NULL;
    size_t nout = 0, cap = 0;
    rc = op_open(ctx, scan);
    while (!rc) {
        Value *row;
        ArenaMark m = arena_mark(ctx->row);
        int k = op_next(ctx, scan, &row);
        if (k < 0) { rc = -k; break; }
        if (k == 0) break;
        bool null;
        KeySetEntry *e = NULL;
        if (!(rc = common_key(ctx, &r, row, r.ci, &key, &null)) && !null) e = keyset_get(&gone, key.data, (u32)key.len);
        if (e) {
            const RowChange *pc = &w->ch[e->val];
            char act = pc->neu ? fk->on_update : fk->on_delete;
            if (act == 'a' || act == 'r') {
                rc = still_referenced(ctx, &r, w->t, pc->old);
            } else {
                if (nout == cap) {
                    size_t ncap = cap ? cap * 2 : 64;
                    RowChange *no = arena_alloc(ctx->stmt, sizeof(RowChange) * ncap);
                    if (!no) { rc = DD_ENOMEM; break; }
                    if (nout) memcpy(no, out, sizeof(RowChange) * nout);
                    out = no;
                    cap = ncap;
                }
                rc = child_image(ctx, &r, act, row, pc->neu, &out[nout]);
                if (!rc) nout++;
            }
        }
        arena_rewind(ctx->row, m);
    }
    op_close(ctx, scan);
    if (latest) {
        ctx->snap = saved;
        store_snap_end(latest);
    }
    buf_free(&key);
    if (rc || !nout) return rc;
    /* CASCADE / SET NULL / SET DEFAULT: the child's rows change (with
     * its CHECK constraints), and their own foreign keys apply */
    Plan *cp = arena_zalloc(ctx->stmt, sizeof(Plan));
    if (!cp) return DD_ENOMEM;
    if ((rc = compile_checks(ctx, c, cp))) return rc;
    /* the child rows it changes are locked, as an UPDATE or DELETE of
     * them would lock them */
    Buf pk = BUF_INIT;
    for (size_t i = 0; !rc && i < nout && ctx->lock_row && !c->temp; i++) {
        if ((rc = row_pk(c, out[i].old, &pk, ctx->err))) break;
        rc = dml_lock_row(ctx, c, pk.data, (u32)pk.len, out[i].neu ? ROWLOCK_NO_KEY_UPDATE : ROWLOCK_UPDATE);
    }
    buf_free(&pk);
    if (rc) return rc;
    if ((rc = dml_apply_changes(ctx, cp, c, out, nout, NULL))) return rc;
    return queue_push(ctx, q, c, out, nout, true);
}

/* key: table t's id and the primary key of row (t's layout). */
static int row_ident(SqlCtx *ctx, const TableInfo *t, const Value *row, Buf *key)
{
    buf_reset(key);
    buf_append(key, &t->id, sizeof(t->id));
    int rc = row_pk(t, row, key, ctx->err);
    return rc ? rc : buf_ok(key) ? DD_OK : DD_ENOMEM;
}

/* The child side of work item w: its written rows find their parents.
 * A row a later action changed again (later: their old images' idents)
 * is checked there, as its final image: two foreign keys of one row to
 * one parent row, SET NULL by one and CASCADE by the other. */
static int child_side(SqlCtx *ctx, const FkWork *w, const KeySet *later, Buf *key)
{
    const TableInfo *c = present_version(ctx, w->t->id);
    if (!c || !c->nfks) return DD_OK;
    for (int f = 0; f < c->nfks; f++) {
        if (deferred_now(ctx, &c->fks[f])) continue;   /* at the commit */
        FkRes r;
        int rc = fk_resolve(ctx, &c->fks[f], w->t, &r);
        if (rc) return rc;
        for (size_t i = 0; i < w->n; i++) {
            const RowChange *ch = &w->ch[i];
            if (!ch->neu) continue;
            if (later->count) {
                if ((rc = row_ident(ctx, w->t, ch->neu, key))) return rc;
                if (keyset_get(later, key->data, (u32)key->len)) continue;
            }
            bool null;
            if ((rc = null_key(ctx, &r, ch->neu, &null))) return rc;
            if (null) continue;
            /* an unchanged key needs no check, unless an action set it
             * (SET DEFAULT to the very key that went) */
            if (ch->old && !w->action && same_values(ctx, ch->old, ch->neu, r.ci, r.n)) continue;
            bool found;
            if ((rc = parent_has(ctx, &r, ch->neu, r.ci, &found))) return rc;
            if (found) continue;
            /* SET DEFAULT to the key that went: the parent's error, as
             * PostgreSQL reports it */
            if (ch->old && same_values(ctx, ch->old, ch->neu, r.ci, r.n)) {
                int rc2 = dd_err(ctx->err, DD_EFOREIGN_KEY, -1,
                                 "update or delete on table \"%s\" violates foreign key constraint \"%s\" on table \"%s\"",
                                 r.parent->name, r.fk->name, r.child->name);
                dd_err_relation(ctx->err, r.child, NULL, r.fk->name);
                if (!acl_can(ctx, r.parent, ACL_SELECT)) {
                    dd_err_detail(ctx->err, "Key is still referenced from table \"%s\".", r.child->name);
                    return rc2;
                }
                Buf names = BUF_INIT, vals = BUF_INIT;
                for (int k = 0; k < r.n; k++) buf_printf(&names, "%s%s", k ? ", " : "", r.parent->cols[r.pi[k]].name);
                for (int k = 0; k < r.n; k++) {
                    if (k) buf_puts(&vals, ", ");
                    val_to_text(&ch->neu[r.ci[k]], &ctx->vctx, &vals);
                }
                if (buf_ok(&names) && buf_ok(&vals))
                    dd_err_detail(ctx->err, "Key (%s)=(%s) is still referenced from table \"%s\".", buf_cstr(&names),
                                  buf_cstr(&vals), r.child->name);
                buf_free(&names);
                buf_free(&vals);
                return rc2;
            }
            return missing_parent(ctx, &r, ch->neu);
        }
    }
    return DD_OK;
}

int fk_relevant(SqlCtx *ctx, const TableInfo *t, bool *relevant)
{
    const TableInfo *cur = present_version(ctx, t->id);
    *relevant = (cur && cur->nfks) || t->nfks;
    if (*relevant) return DD_OK;
    const TableInfo **all;
    int n;
    int rc = present_tables(ctx, &all, &n);
    if (rc) return rc;
    for (int i = 0; i < n && !*relevant; i++)
        for (int f = 0; f < all[i]->nfks && !*relevant; f++) *relevant = all[i]->fks[f].ref_table == t->id;
    return DD_OK;
}

int fk_after_writes(SqlCtx *ctx, const TableInfo *t, RowChange *ch, size_t n)
{
    bool relevant;
    int rc = fk_relevant(ctx, t, &relevant);
    if (rc || !relevant || !n) return rc;
    FkQueue q = {NULL, 0, 0};
    if ((rc = queue_push(ctx, &q, t, ch, n, false))) return rc;
    /* parent sides, breadth first: each may add the child rows it wrote */
    for (size_t i = 0; i < q.n && !rc; i++) {
        FkWork w = q.w[i];
        bool any_old = false;
        for (size_t k = 0; k < w.n && !any_old; k++) any_old = w.ch[k].old != NULL;
        if (!any_old) continue;
        const TableInfo **all;
        int nt;
        if ((rc = present_tables(ctx, &all, &nt))) break;
        for (int ti = 0; ti < nt && !rc; ti++)
            for (int f = 0; f < all[ti]->nfks && !rc; f++)
                if (all[ti]->fks[f].ref_table == w.t->id) rc = parent_side(ctx, &w, all[ti], &all[ti]->fks[f], &q);
    }
    /* then every row written finds its parent, by its last image: from
     * the last work item back, knowing the rows later items changed */
    KeySet later = {NULL, 0, 0};
    Buf key = BUF_INIT;
    for (size_t i = q.n; i-- > 0 && !rc;) {
        rc = child_side(ctx, &q.w[i], &later, &key);
        for (size_t k = 0; !rc && i > 0 && k < q.w[i].n; k++) {
            if (!q.w[i].ch[k].old) continue;
            rc = row_ident(ctx, q.w[i].t, q.w[i].ch[k].old, &key);
            if (!rc) rc = keyset_put(ctx->stmt, &later, key.data, (u32)key.len, 0, NULL);
        }
    }
    buf_free(&key);
    return rc;
}

int fk_check_begin(SqlCtx *ctx, const TableInfo *child, const ForeignKeyInfo *fk, const TableInfo *parent,
                   FkCheck **out)
{
    FkRes *r = arena_alloc(ctx->stmt, sizeof(FkRes));
    if (!r) return DD_ENOMEM;
    *out = r;
    int rc = fk_resolve_with(ctx, fk, child, parent, r);
    r->no_lock = true;
    return rc;
}

int fk_check_row(SqlCtx *ctx, FkCheck *r, const Value *row)
{
    bool skip;
    int rc = null_key(ctx, r, row, &skip);
    if (rc || skip) return rc;
    bool found;
    rc = parent_has(ctx, r, row, r->ci, &found);
    if (!rc && !found) rc = missing_parent(ctx, r, row);
    return rc;
}

int fk_check_children(SqlCtx *ctx, FkCheck *r)
{
    Op *scan = op_scan(ctx, r->child, TMODE_PRESENT, 0, 0, NULL);
    if (!scan) return DD_ENOMEM;
    int rc = op_open(ctx, scan);
    while (!rc) {
        Value *row;
        ArenaMark m = arena_mark(ctx->row);
        int k = op_next(ctx, scan, &row);
        if (k < 0) { rc = -k; break; }
        if (k == 0) break;
        rc = fk_check_row(ctx, r, row);
        arena_rewind(ctx->row, m);
    }
    op_close(ctx, scan);
    return rc;
}

int fk_validate_present(SqlCtx *ctx, const TableInfo *t0, const TableInfo *t)
{
    FkRes r;
    int rc = fk_resolve(ctx, &t->fks[t->nfks - 1], t, &r);
    if (rc) return rc;
    DD_UNUSED(t0);   /* its rows are read as t (a column this ALTER added reads NULL) */
    return fk_check_children(ctx, &r);
}

/* ---------------------------------------------------------------- deferred checks */

/* The checks of foreign key fk of table c over what the transaction
 * wrote: its rows of c find their parents, and the parent keys it took
 * away (NO ACTION) are referenced by no row of c. */
static int check_writes(SqlCtx *ctx, const TableInfo *c, const ForeignKeyInfo *fk)
{
    FkRes r;
    int rc = fk_resolve(ctx, fk, c, &r);
    if (rc) return rc;
    const TableInfo *p = r.parent;
    int width = DD_MAX(c->ncols, p->ncols) + 1;
    Value *nv = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)width);
    Value *ov = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)width);
    if (!nv || !ov) return DD_ENOMEM;
    WsRow **rows;
    int n;
    if ((rc = ws_table_rows(ctx->ws, c->id, ctx->stmt, &rows, &n))) return rc;
    for (int i = 0; i < n; i++) {
        WsRow *w = rows[i];
        if (!w->rec) continue;
        if ((rc = row_decode(c, w->rec, w->reclen, nv, ctx->err))) return rc;
        bool null;
        if ((rc = null_key(ctx, &r, nv, &null))) return rc;
        if (null) continue;
        if (w->existed && w->orig) {
            if ((rc = sql_row_decode(ctx, c, w->orig, w->origlen, w->orig_seq, ov, NULL))) return rc;
            if (same_values(ctx, ov, nv, r.ci, r.n)) continue;
        }
        bool found;
        if ((rc = parent_has(ctx, &r, nv, r.ci, &found))) return rc;
        if (!found) return missing_parent(ctx, &r, nv);
    }
    if (fk->on_delete != 'a' && fk->on_update != 'a') return DD_OK;
    /* the parent keys that went: val = index into olds */
    if ((rc = ws_table_rows(ctx->ws, p->id, ctx->stmt, &rows, &n))) return rc;
    KeySet gone = {NULL, 0, 0};
    Value **olds = arena_alloc(ctx->stmt, sizeof(Value *) * (size_t)(n + 1));
    if (!olds) return DD_ENOMEM;
    Buf key = BUF_INIT;
    for (int i = 0; !rc && i < n; i++) {
        WsRow *w = rows[i];
        if (!w->existed || !w->orig) continue;
        if ((rc = sql_row_decode(ctx, p, w->orig, w->origlen, w->orig_seq, ov, NULL))) break;
        if (w->rec) {
            if ((rc = row_decode(p, w->rec, w->reclen, nv, ctx->err))) break;
            if (same_values(ctx, ov, nv, r.pi, r.n)) continue;
        }
        if ((w->rec ? fk->on_update : fk->on_delete) != 'a') continue;
        bool null, found;
        if ((rc = common_key(ctx, &r, ov, r.pi, &key, &null)) || null) continue;
        if ((rc = parent_has(ctx, &r, ov, r.pi, &found)) || found) continue;
        if (!(olds[i] = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)width))) { rc = DD_ENOMEM; break; }
        for (int k = 0; !rc && k < p->ncols; k++) rc = val_copy(ctx->stmt, &ov[k], &olds[i][k]);
        if (!rc) rc = keyset_put(ctx->stmt, &gone, key.data, (u32)key.len, (u32)i, NULL);
    }
    if (rc || !gone.count) {
        buf_free(&key);
        return rc;
    }
    Op *scan = op_scan(ctx, c, TMODE_PRESENT, 0, 0, NULL);
    if (!scan) { buf_free(&key); return DD_ENOMEM; }
    rc = op_open(ctx, scan);
    while (!rc) {
        Value *row;
        ArenaMark m = arena_mark(ctx->row);
        int k = op_next(ctx, scan, &row);
        if (k < 0) { rc = -k; break; }
        if (k == 0) break;
        bool null;
        KeySetEntry *e = NULL;
        if (!(rc = common_key(ctx, &r, row, r.ci, &key, &null)) && !null) e = keyset_get(&gone, key.data, (u32)key.len);
        if (e) rc = still_referenced(ctx, &r, p, olds[e->val]);
        arena_rewind(ctx->row, m);
    }
    op_close(ctx, scan);
    buf_free(&key);
    return rc;
}

int fk_check_deferrable(SqlCtx *ctx, bool at_commit)
{
    if (!ctx->ws || ws_is_empty(ctx->ws)) return DD_OK;
    const TableInfo **all;
    int n;
    int rc = present_tables(ctx, &all, &n);
    for (int i = 0; !rc && i < n; i++)
        for (int f = 0; !rc && f < all[i]->nfks; f++) {
            const ForeignKeyInfo *fk = &all[i]->fks[f];
            if (!fk->deferrable || deferred_now(ctx, fk) != at_commit) continue;
            if (!ws_has_table_rows(ctx->ws, all[i]->id) && !ws_has_table_rows(ctx->ws, fk->ref_table)) continue;
            rc = check_writes(ctx, all[i], fk);
        }
    return rc;
}

int fk_set_constraints(SqlCtx *ctx, const char *spec)
{
    /* spec: "deferred *" or "immediate a, b" (parse/parser.c) */
    char mode = strncmp(spec, "deferred ", 9) == 0 ? 'd' : 'i';
    const char *list = strchr(spec, ' ');
    if (!list || !ctx->ws) return dd_err(ctx->err, DD_EINTERNAL, -1, "SET CONSTRAINTS without a list");
    list++;
    int rc = DD_OK;
    if (strcmp(list, "*") == 0) {
        rc = ws_set_constraint_mode(ctx->ws, NULL, mode);
    } else {
        const TableInfo **all;
        int n;
        if ((rc = present_tables(ctx, &all, &n))) return rc;
        while (!rc && *list) {
            const char *end = strstr(list, ", ");
            size_t len = end ? (size_t)(end - list) : strlen(list);
            char *name = arena_strndup(ctx->stmt, list, len);
            if (!name) return DD_ENOMEM;
            list += len + (end ? 2 : 0);
            const ForeignKeyInfo *fk = NULL;
            bool other = false;   /* a UNIQUE or CHECK constraint of that name */
            for (int i = 0; i < n && !fk; i++) {
                for (int f = 0; f < all[i]->nfks && !fk; f++)
                    if (strcmp(all[i]->fks[f].name, name) == 0) fk = &all[i]->fks[f];
                for (int x = 0; x < all[i]->nindexes; x++)
                    other |= all[i]->indexes[x].constraint && strcmp(all[i]->indexes[x].name, name) == 0;
                for (int x = 0; x < all[i]->nchecks; x++) other |= strcmp(all[i]->checks[x].name, name) == 0;
                char pkey[CAT_MAX_NAME + 8];
                snprintf(pkey, sizeof pkey, "%s_pkey", name_base(all[i]->name));
                other |= strcmp(pkey, name) == 0;
            }
            if (!fk && !other) return dd_err(ctx->err, DD_EUNDEFINED_OBJECT, -1, "constraint \"%s\" does not exist", name);
            if (!fk || !fk->deferrable)
                return dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, -1, "constraint \"%s\" is not deferrable", name);
            rc = ws_set_constraint_mode(ctx->ws, name, mode);
        }
    }
    /* IMMEDIATE checks what waited, now */
    if (!rc && mode == 'i') rc = fk_check_deferrable(ctx, false);
    return rc;
}

/* ---------------------------------------------------------------- DROP, TRUNCATE */

static bool in_drop(const Plan *p, u32 id)
{
    for (int i = 0; i < p->ndrop; i++)
        if (p->drop[i]->id == id) return true;
    return false;
}

TableInfo *plan_alter_version(SqlCtx *ctx, Plan *p, const TableInfo *t)
{
    for (int i = 0; i < p->nalter; i++)
        if (p->alter[i]->id == t->id) return p->alter[i];
    if (p->new_table && p->new_table->id == t->id) return p->new_table;
    TableInfo **na = arena_alloc(ctx->stmt, sizeof(TableInfo *) * (size_t)(p->nalter + 1));
    TableInfo *c = table_copy(ctx->stmt, t);
    if (!na || !c) return NULL;
    if (p->nalter) memcpy(na, p->alter, sizeof(TableInfo *) * (size_t)p->nalter);
    na[p->nalter++] = c;
    p->alter = na;
    return c;
}

/* Whether fk (of another table) depends on what goes: column col of the
 * table (0: all of it), or unique index ix. */
typedef struct DropWhat {
    u32 id, col;
    const TableInfo *t;
    const IndexInfo *ix;
    const char *dep;         /* what the details say they depend on */
} DropWhat;

static bool depends(const ForeignKeyInfo *fk, const DropWhat *d)
{
    if (fk->ref_table != d->id) return false;
    if (d->ix) {
        if (d->ix->ncols != fk->ncols || !same_set(d->ix->cols, fk->ref_cols, fk->ncols)) return false;
        /* another key of the same columns still serves it */
        if (d->t->npk == fk->ncols && same_set(d->t->pk, fk->ref_cols, fk->ncols)) return false;
        for (int x = 0; x < d->t->nindexes; x++) {
            const IndexInfo *o = &d->t->indexes[x];
            if (o != d->ix && o->unique && !o->pred_sql && o->ncols == fk->ncols && !o->exprs &&
                same_set(o->cols, fk->ref_cols, fk->ncols))
                return false;
        }
        return true;
    }
    if (d->col == 0) return true;
    for (int k = 0; k < fk->ncols; k++)
        if (fk->ref_cols[k] == d->col) return true;
    return false;
}

static int drop_dependents(SqlCtx *ctx, Plan *p, const DropWhat *d, const char *what, bool cascade);

int fk_drop_dependents(SqlCtx *ctx, Plan *p, u32 id, u32 col, const char *what, bool cascade)
{
    DropWhat d = {id, col, NULL, NULL, what};
    return drop_dependents(ctx, p, &d, what, cascade);
}

int fk_drop_index_dependents(SqlCtx *ctx, Plan *p, const TableInfo *t, const IndexInfo *ix, const char *what, bool cascade)
{
    char *dep = arena_printf(ctx->stmt, "index %s", ix->name);
    if (!dep) return DD_ENOMEM;
    DropWhat d = {t->id, 0, t, ix, dep};
    return drop_dependents(ctx, p, &d, what, cascade);
}

static int drop_dependents(SqlCtx *ctx, Plan *p, const DropWhat *d, const char *what, bool cascade)
{
    u32 id = d->id;
    const TableInfo **all;
    int n;
    int rc = present_tables(ctx, &all, &n);
    if (rc) return rc;
    Buf detail = BUF_INIT;
    int found = 0;
    const char *first = NULL, *first_table = NULL;
    for (int i = 0; i < n; i++) {
        const TableInfo *c = all[i];
        if (c->id == id || in_drop(p, c->id)) continue;
        for (int f = 0; f < c->nfks; f++) {
            const ForeignKeyInfo *fk = &c->fks[f];
            if (!depends(fk, d)) continue;
            buf_printf(&detail, "%sconstraint %s on table %s depends on %s", found ? "\n" : "", fk->name, c->name, d->dep);
            if (!found++) { first = fk->name; first_table = c->name; }
            if (!cascade) continue;
            TableInfo *nc = plan_alter_version(ctx, p, c);
            if (!nc) { buf_free(&detail); return DD_ENOMEM; }
            for (int g = 0; g < nc->nfks; g++)
                if (strcmp(nc->fks[g].name, fk->name) == 0) {
                    memmove(&nc->fks[g], &nc->fks[g + 1], sizeof(ForeignKeyInfo) * (size_t)(nc->nfks - g - 1));
                    nc->nfks--;
                    break;
                }
        }
    }
    if (found && !cascade) {
        dd_err(ctx->err, DD_EDEPENDENT_OBJECTS, -1, "cannot drop %s because other objects depend on it", what);
        if (buf_ok(&detail)) dd_err_detail(ctx->err, "%s", buf_cstr(&detail));
        dd_err_hint(ctx->err, "Use DROP ... CASCADE to drop the dependent objects too.");
        buf_free(&detail);
        return DD_EDEPENDENT_OBJECTS;
    }
    buf_free(&detail);
    if (found) {
        p->notice = found == 1 && !p->notice
                        ? arena_printf(ctx->stmt, "drop cascades to constraint %s on table %s", first, first_table)
                        : arena_printf(ctx->stmt, "drop cascades to %d other objects", found);
        p->notice_state = "00000";
        if (!p->notice) return DD_ENOMEM;
    }
    return DD_OK;
}

int fk_check_truncate(SqlCtx *ctx, const Plan *p)
{
    const TableInfo **all;
    int n;
    int rc = present_tables(ctx, &all, &n);
    if (rc) return rc;
    for (int i = 0; i < n; i++) {
        const TableInfo *c = all[i];
        bool truncated = false;
        for (int k = 0; k < p->nparts && !truncated; k++) truncated = p->parts[k]->table->id == c->id;
        if (truncated) continue;
        for (int f = 0; f < c->nfks; f++)
            for (int k = 0; k < p->nparts; k++)
                if (c->fks[f].ref_table == p->parts[k]->table->id) {
                    dd_err(ctx->err, DD_EFEATURE, -1, "cannot truncate a table referenced in a foreign key constraint");
                    dd_err_detail(ctx->err, "Table \"%s\" references \"%s\".", c->name, p->parts[k]->table->name);
                    dd_err_hint(ctx->err, "Truncate table \"%s\" at the same time, or use TRUNCATE ... CASCADE.", c->name);
                    return DD_EFEATURE;
                }
    }
    return DD_OK;
}
