/*
 * sql.c - sql_prepare (statement kind -> planner), running plans, the
 * utility statements that return rows (VERIFY, SHOW TABLES, SHOW COLUMNS,
 * EXPLAIN [ANALYZE]), and turning a write set into a store commit.
 */
#include "sql.h"
#include "plan/plan.h"
#include "analyze/domain.h"
#include "catalog/acl.h"
#include "types/rowcodec.h"
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>

static int rows_plan(SqlCtx *ctx, Plan *p, int ncols, const char **names, const TypeId *types,
                     Value *rows, int nrows)
{
    p->kind = PLAN_QUERY;
    p->ncols = ncols;
    p->cols = arena_zalloc(ctx->stmt, sizeof(ColDesc) * (size_t)ncols);
    if (!p->cols) return DD_ENOMEM;
    for (int i = 0; i < ncols; i++) {
        p->cols[i].name = names[i];
        p->cols[i].type = types[i];
        p->cols[i].typmod = -1;
    }
    p->root = op_rows(ctx, ncols, rows, nrows);
    return p->root ? DD_OK : DD_ENOMEM;
}

static Value text_val(SqlCtx *ctx, const char *s)
{
    char *c = arena_strdup(ctx->stmt, s);
    return c ? val_text(TYPE_TEXT, c, (u32)strlen(c)) : val_null(TYPE_TEXT);
}

/* EXPECT HASH h AT SEQ n once the chain verified: 0 when the record of n
 * has hash h; else DD_ECORRUPT with *bad = n and why in e.  Read in a
 * snapshot of its own: the newest head, whatever the statement's snapshot
 * (an older one under REPEATABLE READ) sees. */
static int verify_anchor(SqlCtx *ctx, const VerifyStmt *v, u64 *bad, DdError *e)
{
    Snap *snap;
    int rc = store_snap_begin(ctx->store, &snap, e);
    if (rc) return rc;
    u64 n = (u64)v->expect_seq, head = snap_seq(snap);
    LogRecord rec;
    if (n > head) {
        rc = dd_err(e, DD_ECORRUPT, -1, "seq %llu is past the head (seq %llu): the log is shorter than the anchor",
                    (unsigned long long)n, (unsigned long long)head);
    } else if ((rc = store_log_get(snap, n, ctx->stmt, &rec, e)) < 0) {
        rc = -rc;
    } else if (rc == 0) {
        rc = dd_err(e, DD_ECORRUPT, -1, "the log has no record of seq %llu", (unsigned long long)n);
    } else {
        char hex[65];
        for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", rec.hash[i]);
        rc = 0;
        if (strcasecmp(hex, v->expect_hash) != 0) {
            *bad = n;
            rc = dd_err(e, DD_ECORRUPT, -1, "the hash at seq %llu is %s, not the expected %s", (unsigned long long)n,
                        hex, v->expect_hash);
        }
    }
    store_snap_end(snap);
    return rc;
}

/* VERIFY (everything), VERIFY RECENT n (the newest n commits), VERIFY
 * FROM @SEQ:f (those from f on) or VERIFY TABLE t (the chain and t's rows),
 * and an anchor (EXPECT HASH): one row, the same columns either way.  It
 * runs when planned; a Parse only describes it (session.c). */
static int plan_verify(SqlCtx *ctx, Plan *p, const VerifyStmt *v)
{
    u64 checked = 0, bad = 0;
    DdError e;
    dd_err_clear(&e);
    if (v->expect_hash) {
        size_t len = strlen(v->expect_hash);
        bool hex = len == 64;
        for (size_t i = 0; hex && i < len; i++) hex = isxdigit((unsigned char)v->expect_hash[i]) != 0;
        if (!hex)
            return dd_err(ctx->err, DD_EINVALID_PARAM, v->expect_loc,
                          "invalid hash \"%s\": a commit hash is 64 hexadecimal digits (drift_head())", v->expect_hash);
    }
    const TableInfo *t = NULL;
    if (v->table) {
        t = resolve_table_present(ctx, v->table);
        if (!t) return no_table_err(ctx, v->table, v->table_loc);
        if (t->view_sql || t->sequence)
            return dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, v->table_loc, "\"%s\" is not a table", name_base(t->name));
    }
    /* a window (RECENT, FROM) reaches back to the anchor, so that the links
     * between them are checked too; the store counts it in the snapshot it
     * verifies */
    u64 recent = v->recent > 0 ? (u64)v->recent : 0, since = v->from > 0 ? (u64)v->from : 0;
    if ((recent || since) && v->expect_hash && (!since || (u64)v->expect_seq < since)) {
        StoreStats ss;   /* an anchor past the head is the anchor check's to report */
        store_stats(ctx->store, &ss);
        if ((u64)v->expect_seq <= ss.head_seq) since = (u64)v->expect_seq;
    }
    /* a run that DELETE HISTORY or ERASE overtook (40001) starts again,
     * a few times */
    int rc;
    for (int tries = 0;; tries++) {
        dd_err_clear(&e);
        rc = t ? store_verify_table(ctx->store, t->id, &checked, &bad, &e)
               : recent || since ? store_verify_window(ctx->store, recent, since, &checked, &bad, &e)
                                 : store_verify(ctx->store, &checked, &bad, &e);
        if (rc != DD_ESERIALIZATION || tries == 3) break;
    }
    /* FROM past the head, out of memory, overtaken: the statement's error;
     * what VERIFY found is its answer */
    if (rc == DD_EINVALID_PARAM || rc == DD_ENOMEM || rc == DD_ESERIALIZATION) {
        *ctx->err = e;
        return rc;
    }
    if (!rc && v->expect_hash) rc = verify_anchor(ctx, v, &bad, &e);
    static const char *names[] = {"commits_checked", "first_bad_seq", "status"};
    static const TypeId types[] = {TYPE_INT8, TYPE_INT8, TYPE_TEXT};
    Value *row = arena_alloc(ctx->stmt, sizeof(Value) * 3);
    if (!row) return DD_ENOMEM;
    row[0] = val_int(TYPE_INT8, (i64)checked);
    row[1] = bad ? val_int(TYPE_INT8, (i64)bad) : val_null(TYPE_INT8);
    row[2] = text_val(ctx, rc ? e.message : "OK");
    return rows_plan(ctx, p, 3, names, types, row, 1);
}

/* BACKUP TO 'file' [SINCE 'base']: `driftdb backup [--since]` from SQL,
 * for superusers only (the server writes the file, where its own user may
 * write): one row, the database bytes copied and the backup file's bytes. */
static int plan_backup(SqlCtx *ctx, Plan *p, const char *path, int loc, const char *since, int since_loc)
{
    const AclWho *w;
    int rc = acl_who(ctx, &w);
    if (rc) return rc;
    if (!w->super) {
        dd_err(ctx->err, DD_EINSUFFICIENT_PRIVILEGE, -1, "permission denied to back up the database");
        dd_err_detail(ctx->err, "Only roles with the SUPERUSER attribute may run BACKUP.");
        return DD_EINSUFFICIENT_PRIVILEGE;
    }
    if (!path[0] || path[0] != '/')
        return dd_err(ctx->err, DD_EINVALID_PARAM, loc, "BACKUP TO needs an absolute path, not \"%s\"", path);
    if (since && since[0] != '/')
        return dd_err(ctx->err, DD_EINVALID_PARAM, since_loc, "BACKUP ... SINCE needs an absolute path, not \"%s\"",
                      since);
    StoreBackupInfo bi;
    if ((rc = store_backup_image(ctx->store, path, since, NULL, NULL, &bi, ctx->err))) return rc;
    static const char *names[] = {"database_bytes", "file_bytes"};
    static const TypeId types[] = {TYPE_INT8, TYPE_INT8};
    Value *row = arena_alloc(ctx->stmt, sizeof(Value) * 2);
    if (!row) return DD_ENOMEM;
    row[0] = val_int(TYPE_INT8, (i64)bi.raw_bytes);
    row[1] = val_int(TYPE_INT8, (i64)bi.file_bytes);
    return rows_plan(ctx, p, 2, names, types, row, 1);
}

/* CHECKPOINT TABLE t: the keys of t's rows at the head, from which scans
 * AS OF points near it start (store/checkpoint.c); its owner's (or a
 * superuser's).  One row: the checkpoint's seq and its rows.  A plain
 * CHECKPOINT flushes the data file (store_flush). */
static int plan_checkpoint(SqlCtx *ctx, Plan *p, const char *name, int loc)
{
    if (!name) {
        /* CHECKPOINT: PostgreSQL's, for superusers */
        const AclWho *w;
        int rc = acl_who(ctx, &w);
        if (rc) return rc;
        if (!w->super)
            return dd_err(ctx->err, DD_EINSUFFICIENT_PRIVILEGE, -1,
                          "must be superuser or have privileges of pg_checkpoint to do CHECKPOINT");
        snap_unpin(ctx->snap);
        rc = store_flush(ctx->store, ctx->err);
        snap_pin(ctx->snap);
        p->kind = PLAN_ALTER_TABLE;
        p->tag = "CHECKPOINT";
        return rc;
    }
    const TableInfo *t = resolve_table_present(ctx, name);
    if (!t) return no_table_err(ctx, name, loc);
    if (t->view_sql || t->sequence)
        return dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, loc, "\"%s\" is not a table", name_base(t->name));
    if (t->temp)
        return dd_err(ctx->err, DD_EFEATURE, loc, "CHECKPOINT TABLE: temporary table \"%s\" keeps no history",
                      name_base(t->name));
    if (!acl_owns_checked(ctx, t))
        return dd_err(ctx->err, DD_EINSUFFICIENT_PRIVILEGE, -1, "must be owner of table %s", name_base(t->name));
    u64 seq, rows;
    /* its write may need to grow the map, which waits for pinned readers */
    snap_unpin(ctx->snap);
    int rc = store_checkpoint_table(ctx->store, t->id, &seq, &rows, ctx->err);
    snap_pin(ctx->snap);
    if (rc) return rc;
    static const char *names[] = {"seq", "rows"};
    static const TypeId types[] = {TYPE_INT8, TYPE_INT8};
    Value *row = arena_alloc(ctx->stmt, sizeof(Value) * 2);
    if (!row) return DD_ENOMEM;
    row[0] = val_int(TYPE_INT8, (i64)seq);
    row[1] = val_int(TYPE_INT8, (i64)rows);
    return rows_plan(ctx, p, 2, names, types, row, 1);
}

/* Statistics of t, which only its owner (or a superuser) gathers: the
 * others' ANALYZE skips it with PostgreSQL 15's WARNING.  VACUUM without
 * ANALYZE gathers none: DriftDB keeps every version (they are the
 * history) until DELETE HISTORY or ERASE, and the pages those free are
 * reused by later writes (docs/retention.md). */
static int analyze_one(SqlCtx *ctx, const TableInfo *t, const DropTableStmt *s)
{
    if (!acl_owns_checked(ctx, t))
        return sql_note(ctx, "WARNING", "01000", "skipping \"%s\" --- only table or database owner can %s it",
                        name_base(t->name), s->vacuum ? "vacuum" : "analyze");
    int rc = lock_relation(ctx, t, TLOCK_SHARE_UPDATE_EXCLUSIVE);
    if (rc || (s->vacuum && !s->vacuum_analyze)) return rc;
    return sql_analyze_table(ctx, t, false);
}

/* ANALYZE [t, ...]: gathers the planner's statistics now (every table of
 * the present without names).  Changes no data and takes no seq. */
static int plan_analyze(SqlCtx *ctx, Plan *p, DropTableStmt *s)
{
    p->kind = PLAN_ALTER_TABLE;
    p->tag = s->vacuum ? "VACUUM" : "ANALYZE";
    if (s->n == 0) {
        const TableInfo **ts;
        int n;
        int rc = store_tables_at(ctx->snap, snap_seq(ctx->snap), ctx->stmt, &ts, &n, ctx->err);
        for (int i = 0; !rc && i < n; i++)
            if (!ts[i]->view_sql && !ts[i]->sequence) rc = analyze_one(ctx, ts[i], s);
        return rc;
    }
    for (int i = 0; i < s->n; i++) {
        const TableInfo *t = resolve_table_present(ctx, s->names[i]);
        if (!t) {
            /* a system relation's statistics are its own (PostgreSQL's
             * VACUUM / ANALYZE pg_class run) */
            const char *sys, *base;
            if (syscat_lookup(ctx, s->names[i], &sys, &base) || !strcmp(s->names[i], "drift_commits")) continue;
            return dd_err(ctx->err, DD_EUNDEFINED_TABLE, s->locs[i], "relation \"%s\" does not exist", s->names[i]);
        }
        if (t->view_sql) continue;   /* a view has no statistics of its own */
        int rc = analyze_one(ctx, t, s);
        if (rc) return rc;
    }
    return DD_OK;
}

/* LOCK TABLE ... IN ACCESS SHARE MODE (the parser refuses the other
 * modes): it keeps a table from being dropped or altered while the
 * transaction reads it.  A DriftDB transaction reads one snapshot, in
 * which a table another session drops or alters since stays as it was
 * (its catalog and rows are versions), so the lock is already held in
 * effect; the tables must exist (42P01), as PostgreSQL checks. */
static int plan_lock(SqlCtx *ctx, Plan *p, DropTableStmt *s)
{
    p->kind = PLAN_ALTER_TABLE;
    p->tag = "LOCK TABLE";
    for (int i = 0; i < s->n; i++) {
        const TableInfo *t = resolve_table_present(ctx, s->names[i]);
        if (!t) {
            const char *sys, *base;
            if (syscat_lookup(ctx, s->names[i], &sys, &base)) continue;
            return dd_err(ctx->err, DD_EUNDEFINED_TABLE, s->locs[i], "relation \"%s\" does not exist", s->names[i]);
        }
        if (t->sequence) {
            dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, s->locs[i], "cannot lock relation \"%s\"", name_base(t->name));
            dd_err_detail(ctx->err, "This operation is not supported for sequences.");
            return DD_EWRONG_OBJECT_TYPE;
        }
        /* ACCESS SHARE takes SELECT on it, ROW EXCLUSIVE one of INSERT,
         * UPDATE, DELETE, TRUNCATE, the stronger modes one of UPDATE,
         * DELETE, TRUNCATE (PostgreSQL 15) */
        u32 want = s->lock_mode == TLOCK_ACCESS_SHARE    ? ACL_SELECT
                 : s->lock_mode == TLOCK_ROW_EXCLUSIVE ? ACL_INSERT | ACL_UPDATE | ACL_DELETE | ACL_TRUNCATE
                                                       : ACL_UPDATE | ACL_DELETE | ACL_TRUNCATE;
        int rc = acl_check_any(ctx, t, want, s->locs[i]);
        /* a view locks what it reads too, as PostgreSQL's */
        for (int k = -1; !rc && k < (t->view_sql ? t->ndeps : 0); k++)
            rc = lock_relation_id(ctx, k < 0 ? t->id : t->deps[2 * k], name_base(t->name), s->lock_mode, s->lock_nowait);
        if (rc) return rc;
    }
    return DD_OK;
}

static int plan_show_tables(SqlCtx *ctx, Plan *p)
{
    const TableInfo **all;
    int m;
    int rc = present_tables(ctx, &all, &m);
    if (rc) return rc;
    /* by name */
    for (int i = 1; i < m; i++)
        for (int k = i; k > 0 && strcmp(all[k - 1]->name, all[k]->name) > 0; k--) {
            const TableInfo *x = all[k]; all[k] = all[k - 1]; all[k - 1] = x;
        }
    static const char *names[] = {"table_name", "created_seq"};
    static const TypeId types[] = {TYPE_TEXT, TYPE_INT8};
    Value *rows = arena_alloc(ctx->stmt, sizeof(Value) * 2 * (size_t)(m + 1));
    if (!rows) return DD_ENOMEM;
    for (int i = 0; i < m; i++) {
        rows[2 * i] = text_val(ctx, all[i]->name);
        rows[2 * i + 1] = all[i]->created_seq ? val_int(TYPE_INT8, (i64)all[i]->created_seq) : val_null(TYPE_INT8);
    }
    return rows_plan(ctx, p, 2, names, types, rows, m);
}

static int plan_show_columns(SqlCtx *ctx, Plan *p, const char *table)
{
    /* the columns at the session's point in time (drift.system_time), as
     * SELECT * reads them there (docs/time-travel.md §5) */
    const TableInfo *t = ctx->session_point != SEQ_NONE ? resolve_table_at(ctx, table, ctx->session_point, NULL)
                                                        : resolve_table_present(ctx, table);
    if (!t) return dd_err(ctx->err, DD_EUNDEFINED_TABLE, -1, "relation \"%s\" does not exist", table);
    static const char *names[] = {"column_name", "data_type", "nullable", "primary_key", "comment"};
    static const TypeId types[] = {TYPE_TEXT, TYPE_TEXT, TYPE_BOOL, TYPE_BOOL, TYPE_TEXT};
    Value *rows = arena_alloc(ctx->stmt, sizeof(Value) * 5 * (size_t)(t->ncols + 1));
    if (!rows) return DD_ENOMEM;
    int m = 0;
    for (int i = 0; i < t->ncols; i++) {
        const ColumnInfo *c = &t->cols[i];
        if (c->dropped || c->pending || strcmp(c->name, ROWID_COL) == 0) continue;
        bool pk = false;
        for (int k = 0; k < t->npk; k++) if (t->pk[k] == c->id) pk = true;
        Value *r = rows + 5 * m++;
        r[0] = text_val(ctx, c->name);
        char tn[80];
        TypeId ty = c->type == TYPE_NULLTYPE ? TYPE_TEXT : (TypeId)c->type;
        if ((ty == TYPE_VARCHAR || ty == TYPE_BPCHAR) && c->typmod >= 0)
            snprintf(tn, sizeof(tn), "%s(%d)", type_name(ty), (int)c->typmod);
        else if (ty == TYPE_NUMERIC && c->typmod >= 0)
            snprintf(tn, sizeof(tn), "numeric(%d,%d)", numeric_typmod_prec(c->typmod), numeric_typmod_scale(c->typmod));
        else if (type_has_etype(ty))
            snprintf(tn, sizeof(tn), "%s%s", enum_type_name((u32)c->typmod, &ctx->vctx), ty == TYPE_ENUM ? "" : "[]");
        else
            snprintf(tn, sizeof(tn), "%s", type_name(ty));
        const TableInfo *dom = c->domain ? domain_lookup(ctx, c->domain) : NULL;
        if (dom) snprintf(tn, sizeof(tn), "%s%s", dom->name, c->domain & DOMAIN_ARRAY ? "[]" : "");   /* a domain column: the domain */
        r[1] = text_val(ctx, tn);
        r[2] = val_bool(!(c->not_null || pk));
        r[3] = val_bool(pk);
        r[4] = val_null(TYPE_TEXT);
        for (int k = 0; k < t->ncomments; k++)
            if (t->comments[k].col == c->id) r[4] = text_val(ctx, t->comments[k].text);
    }
    return rows_plan(ctx, p, 5, names, types, rows, m);
}

/* The node EXPLAIN shows over a statement that changes rows, as
 * PostgreSQL names it ("Insert on t"), or NULL. */
static const char *dml_node(const Plan *ip)
{
    switch (ip->kind) {
    case PLAN_INSERT: return "Insert";
    case PLAN_UPDATE: return "Update";
    case PLAN_DELETE: return "Delete";
    case PLAN_MERGE: return "Merge";
    default: return NULL;
    }
}

/* INSERT, UPDATE, DELETE and MERGE under EXPLAIN: their node, then the
 * plan of the rows they read (INSERT ... VALUES: a Result for one row, a
 * Values Scan for more).  Under ANALYZE the statement has run: ms is its
 * time, nret the rows it returned. */
static void explain_dml(const Plan *ip, const char *node, bool costs, bool analyze, bool timing, double ms,
                        u64 nret, Buf *out)
{
    double rows = ip->nrows, startup = 0, total = ip->nrows;
    if (ip->root) op_cost(ip->root, &rows, &startup, &total);
    buf_printf(out, "%s on %s", node, ip->table ? name_base(ip->table->name) : "?");
    if (costs) buf_printf(out, "  (cost=%.2f..%.2f rows=0)", startup, total);
    if (analyze && timing) buf_printf(out, " (actual time=%.3f..%.3f rows=%llu loops=1)", ms, ms, (unsigned long long)nret);
    else if (analyze) buf_printf(out, " (actual rows=%llu loops=1)", (unsigned long long)nret);
    buf_putc(out, '\n');
    if (ip->root) {
        op_explain(ip->root, 1, costs, analyze, timing, out);
        return;
    }
    buf_printf(out, "  ->  %s", ip->nrows == 1 ? "Result" : "Values Scan on \"*VALUES*\"");
    if (costs) buf_printf(out, "  (cost=0.00..%.2f rows=%d)", (double)ip->nrows, ip->nrows);
    /* the rows are counted, not timed apart from the statement */
    if (analyze) buf_printf(out, " (actual rows=%d loops=1)", ip->nrows);
    buf_putc(out, '\n');
}

static int plan_explain(SqlCtx *ctx, Plan *p, Stmt *st)
{
    Stmt *inner = st->u.explain.stmt;
    bool analyze = st->u.explain.analyze;
    Plan *ip;
    /* a plan only: a read-only transaction may show how it would write */
    bool ro = ctx->read_only;
    if (!analyze) ctx->read_only = false;
    int rc = sql_prepare(ctx, inner, &ip);
    ctx->read_only = ro;
    if (rc) return rc;
    const char *node = dml_node(ip);
    double ms = 0;
    u64 nrows = 0;
    if (analyze) {
        if (ip->kind != PLAN_QUERY && !node)
            return dd_err(ctx->err, DD_EFEATURE, inner->loc, "EXPLAIN ANALYZE of %s is not supported",
                          ip->tag ? ip->tag : "this statement");
        /* run it to its end, counting per operator (INSERT, UPDATE,
         * DELETE and MERGE change their rows, as in PostgreSQL) */
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        ctx->instrument = true;
        rc = plan_open(ctx, ip);
        const Value *row;
        while (!rc) {
            int r = plan_next(ctx, ip, &row);
            if (r < 0) rc = -r;
            if (r <= 0) break;
            nrows++;
        }
        plan_close(ctx, ip);
        ctx->instrument = false;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (rc) return rc;
        ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    }
    Buf out = BUF_INIT;
    if (node) explain_dml(ip, node, st->u.explain.costs, analyze, st->u.explain.timing, ms, nrows, &out);
    else if (ip->root) op_explain(ip->root, 0, st->u.explain.costs, analyze, st->u.explain.timing, &out);
    else buf_printf(&out, "%s\n", ip->tag ? ip->tag : "Utility statement");
    if (ip->npre && buf_ok(&out)) {
        /* its data-modifying WITH queries under the top node, as
         * PostgreSQL shows them ("CTE d" over the statement's plan) */
        Buf all = BUF_INIT;
        const char *first = memchr(out.data, '\n', out.len);
        size_t head = first ? (size_t)(first - (const char *)out.data) + 1 : out.len;
        buf_append(&all, out.data, head);
        for (int i = 0; i < ip->npre; i++) {
            Plan *pp = ip->pre[i];
            Buf one = BUF_INIT;
            /* its rows are counted; its time is the statement's */
            explain_dml(pp, dml_node(pp), st->u.explain.costs, analyze, false, 0, pp->nret_rows, &one);
            buf_printf(&all, "  CTE %s\n", pp->cte_name);
            size_t at = 0;
            for (bool top = true; buf_ok(&one) && at < one.len; top = false) {
                const char *nl = memchr(one.data + at, '\n', one.len - at);
                size_t len = nl ? (size_t)(nl - (const char *)one.data) - at + 1 : one.len - at;
                buf_puts(&all, top ? "    ->  " : "        ");
                buf_append(&all, one.data + at, len);
                at += len;
            }
            if (!buf_ok(&one)) all.oom = true;
            buf_free(&one);
        }
        buf_append(&all, out.data + head, out.len - head);
        buf_free(&out);
        out = all;
    }
    if (analyze && st->u.explain.timing) buf_printf(&out, "Execution Time: %.3f ms\n", ms);
    if (!buf_ok(&out)) { buf_free(&out); return DD_ENOMEM; }
    int nlines = 0;
    for (size_t i = 0; i < out.len; i++) if (out.data[i] == '\n') nlines++;
    Value *rows = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)(nlines + 1));
    if (!rows) { buf_free(&out); return DD_ENOMEM; }
    char *s = arena_strndup(ctx->stmt, (const char *)out.data, out.len);
    buf_free(&out);
    if (!s) return DD_ENOMEM;
    int k = 0;
    for (char *line = s; *line && k < nlines;) {
        char *nl = strchr(line, '\n');
        *nl = 0;
        rows[k++] = val_text(TYPE_TEXT, line, (u32)(nl - line));
        line = nl + 1;
    }
    static const char *names[] = {"QUERY PLAN"};
    static const TypeId types[] = {TYPE_TEXT};
    rc = rows_plan(ctx, p, 1, names, types, rows, k);
    p->tag = "EXPLAIN";   /* the command tag, as PostgreSQL's */
    return rc;
}

/* The relation an index called name belongs to, in the present, or NULL. */
static const TableInfo *index_table(SqlCtx *ctx, const char *name)
{
    const TableInfo **all;
    int n;
    if (present_tables(ctx, &all, &n)) return NULL;
    if (strncmp(name, "public.", 7) == 0) name += 7;   /* public's names are kept bare */
    bool qualified = strchr(name, '.') != NULL;
    for (int i = 0; i < n; i++)
        for (int x = 0; x < all[i]->nindexes; x++) {
            const char *in = all[i]->indexes[x].name;
            if (in && (strcmp(in, name) == 0 || (!qualified && strcmp(name_base(in), name) == 0))) return all[i];
        }
    return NULL;
}

/* Relation name's owner check, then its lock in mode (0: none). */
static int owner_of_rel(SqlCtx *ctx, const char *name, int loc, int mode)
{
    const TableInfo *t = resolve_table_present(ctx, name);
    if (!t) return DD_OK;   /* none: the statement's own error */
    int rc = acl_check_owner(ctx, t, loc);
    return rc || !mode ? rc : lock_relation(ctx, t, mode);
}

/* The table of index name: its owner check, then its lock in mode. */
static int owner_of_index(SqlCtx *ctx, const char *name, int mode)
{
    const TableInfo *t = index_table(ctx, name);
    if (!t || t->temp) return DD_OK;
    if (!acl_owns_checked(ctx, t))
        return dd_err(ctx->err, DD_EINSUFFICIENT_PRIVILEGE, -1, "must be owner of index %s", name_base(name));
    return mode ? lock_relation(ctx, t, mode) : DD_OK;
}

/* DDL on an existing object takes its ownership (PostgreSQL's "must be
 * owner of table t", 42501): checked here, before the statement's own
 * analysis, for every object it names; then its table lock, PostgreSQL's
 * mode for the statement (ACCESS EXCLUSIVE for ALTER and DROP, SHARE for
 * CREATE INDEX, SHARE UPDATE EXCLUSIVE for COMMENT), held to the end of
 * the transaction. */
static int ddl_owner_check(SqlCtx *ctx, const Stmt *stmt)
{
    int rc = DD_OK;
    switch (stmt->kind) {
    case STMT_DROP_TABLE: case STMT_DROP_VIEW: case STMT_DROP_SEQUENCE:
        for (int i = 0; !rc && i < stmt->u.drop->n; i++)
            rc = owner_of_rel(ctx, stmt->u.drop->names[i], stmt->u.drop->locs[i], TLOCK_ACCESS_EXCLUSIVE);
        return rc;
    case STMT_DROP_INDEX:
        for (int i = 0; !rc && i < stmt->u.drop->n; i++) rc = owner_of_index(ctx, stmt->u.drop->names[i], TLOCK_ACCESS_EXCLUSIVE);
        return rc;
    case STMT_ALTER_TABLE: {
        const AlterTableStmt *a = stmt->u.alter;
        if (!a->index) return owner_of_rel(ctx, a->table, a->table_loc, TLOCK_ACCESS_EXCLUSIVE);
        return owner_of_index(ctx, a->table, 0);
    }
    case STMT_CREATE_INDEX:
        return owner_of_rel(ctx, stmt->u.create_index->table, stmt->u.create_index->table_loc, TLOCK_SHARE);
    case STMT_ALTER_SEQUENCE: return owner_of_rel(ctx, stmt->u.seq->name, stmt->u.seq->name_loc, 0);
    case STMT_COMMENT:
        if (stmt->u.comment->col) {   /* a column's: PostgreSQL names the relation */
            const TableInfo *t = resolve_table_present(ctx, stmt->u.comment->name);
            if (t && !t->temp && !acl_owns_checked(ctx, t))
                return dd_err(ctx->err, DD_EINSUFFICIENT_PRIVILEGE, -1, "must be owner of relation %s", name_base(t->name));
            return t ? lock_relation(ctx, t, TLOCK_SHARE_UPDATE_EXCLUSIVE) : DD_OK;
        }
        return owner_of_rel(ctx, stmt->u.comment->name, stmt->u.comment->loc, TLOCK_SHARE_UPDATE_EXCLUSIVE);
    case STMT_CREATE_VIEW:
        if (!stmt->u.create_view->or_replace || stmt->u.create_view->temp) return DD_OK;
        return owner_of_rel(ctx, stmt->u.create_view->name, stmt->u.create_view->name_loc, TLOCK_ACCESS_EXCLUSIVE);
    case STMT_TYPE: {
        const TypeStmt *ty = stmt->u.type;
        if (ty->action == TYPE_CREATE_ENUM || ty->action == TYPE_CREATE_DOMAIN) return DD_OK;
        for (int i = 0; !rc && i < ty->n; i++) {
            const TableInfo *t = resolve_type_present(ctx, ty->names[i]);
            if (t) rc = acl_check_owner(ctx, t, ty->locs[i]);
        }
        return rc;
    }
    default: return DD_OK;
    }
}

static int prepare_stmt(SqlCtx *ctx, Stmt *stmt, Plan **out)
{
    ctx->plan_subquery = analyze_sublink;
    Plan *p = arena_zalloc(ctx->stmt, sizeof(Plan));
    if (!p) return DD_ENOMEM;
    int rc;
    ctx->stmt_ctes = NULL;
    if (stmt->with) {
        /* WITH queries in front of INSERT / UPDATE / DELETE: visible to
         * every query the statement plans */
        const CteDef *ctes = NULL;
        if ((rc = with_ctes(ctx, stmt->with, &ctes))) return rc;
        ctx->stmt_ctes = ctes;
    }
    if ((rc = ddl_owner_check(ctx, stmt))) return rc;
    switch (stmt->kind) {
    case STMT_SELECT: rc = analyze_select(ctx, stmt->u.select, p); break;
    case STMT_INSERT: rc = analyze_insert(ctx, stmt->u.insert, p); break;
    case STMT_UPDATE: rc = analyze_update(ctx, stmt->u.update, p); break;
    case STMT_MERGE: rc = analyze_merge(ctx, stmt->u.merge, p); break;
    case STMT_DELETE: rc = analyze_delete(ctx, stmt->u.delete_, p); break;
    case STMT_DELETE_HISTORY: rc = analyze_delete_history(ctx, stmt->u.delete_, p); break;
    case STMT_ERASE: rc = analyze_erase(ctx, stmt->u.delete_, p); break;
    case STMT_CREATE_TABLE: rc = analyze_create_table(ctx, stmt->u.create, p); break;
    case STMT_DROP_TABLE: rc = analyze_drop_table(ctx, stmt->u.drop, p); break;
    case STMT_CREATE_VIEW: rc = analyze_create_view(ctx, stmt->u.create_view, p); break;
    case STMT_DROP_VIEW: rc = analyze_drop_view(ctx, stmt->u.drop, p); break;
    case STMT_CREATE_SEQUENCE: rc = analyze_create_sequence(ctx, stmt->u.seq, p); break;
    case STMT_ALTER_SEQUENCE: rc = analyze_alter_sequence(ctx, stmt->u.seq, p); break;
    case STMT_DROP_SEQUENCE: rc = analyze_drop_sequence(ctx, stmt->u.drop, p); break;
    case STMT_ALTER_TABLE: rc = analyze_alter_table(ctx, stmt->u.alter, p); break;
    case STMT_COMMENT: rc = analyze_comment(ctx, stmt->u.comment, p); break;
    case STMT_TYPE: rc = analyze_type(ctx, stmt->u.type, p); break;
    case STMT_EXTENSION: rc = analyze_extension(ctx, stmt->u.ext, p); break;
    case STMT_SCHEMA: rc = analyze_schema(ctx, stmt->u.schema, p); break;
    case STMT_ROLE: rc = analyze_role(ctx, stmt->u.role, p); break;
    case STMT_CREATE_INDEX: rc = analyze_create_index(ctx, stmt->u.create_index, p); break;
    case STMT_DROP_INDEX: rc = analyze_drop_index(ctx, stmt->u.drop, p); break;
    case STMT_VERIFY: rc = plan_verify(ctx, p, &stmt->u.verify); break;
    case STMT_BACKUP:
        rc = plan_backup(ctx, p, stmt->u.backup.path, stmt->u.backup.loc, stmt->u.backup.since,
                         stmt->u.backup.since_loc);
        break;
    case STMT_CHECKPOINT: rc = plan_checkpoint(ctx, p, stmt->u.checkpoint.table, stmt->u.checkpoint.loc); break;
    case STMT_ANALYZE: rc = plan_analyze(ctx, p, stmt->u.drop); break;
    case STMT_TRUNCATE: rc = analyze_truncate(ctx, stmt->u.drop, p); break;
    case STMT_LOCK: rc = plan_lock(ctx, p, stmt->u.drop); break;
    case STMT_EXPLAIN: rc = plan_explain(ctx, p, stmt); break;
    case STMT_SHOW:
        if (strcmp(stmt->u.show->name, "tables") == 0) { rc = plan_show_tables(ctx, p); break; }
        if (strncmp(stmt->u.show->name, "columns:", 8) == 0) {
            rc = plan_show_columns(ctx, p, stmt->u.show->name + 8);
            break;
        }
        /* fall through */
    default:
        rc = dd_err(ctx->err, DD_EINTERNAL, stmt->loc, "statement not handled by the SQL layer");
        break;
    }
    if (rc) return rc;
    *out = p;
    return DD_OK;
}

const Stmt *sql_dml_cte(const Stmt *stmt)
{
    const SelectStmt *w = stmt->kind == STMT_SELECT ? stmt->u.select : stmt->with;
    for (int i = 0; w && w->cte_dml && i < w->nctes; i++)
        if (w->cte_dml[i]) return w->cte_dml[i];
    return NULL;
}

int sql_prepare(SqlCtx *ctx, Stmt *stmt, Plan **out)
{
    /* a statement prepared inside another (EXPLAIN's) has its own
     * data-modifying WITH queries */
    const struct SelectStmt *top = ctx->dml_cte_top;
    Plan **pre = ctx->pre;
    int npre = ctx->npre, cappre = ctx->cappre;
    ctx->dml_cte_top = stmt->kind == STMT_SELECT ? stmt->u.select : stmt->with;
    ctx->pre = NULL;
    ctx->npre = ctx->cappre = 0;
    int rc = prepare_stmt(ctx, stmt, out);
    if (!rc) {
        (*out)->pre = ctx->pre;
        (*out)->npre = ctx->npre;
    }
    ctx->dml_cte_top = top;
    ctx->pre = pre;
    ctx->npre = npre;
    ctx->cappre = cappre;
    return rc;
}

int plan_columns(const Plan *p, const ColDesc **cols)
{
    *cols = p->cols;
    return plan_returns_rows(p) ? p->ncols : 0;
}

bool plan_returns_rows(const Plan *p) { return p->kind == PLAN_QUERY || p->nret > 0; }

const char *plan_notice(const Plan *p, const char **sqlstate)
{
    if (sqlstate) *sqlstate = p->notice_state;
    return p->notice;
}

int plan_open(SqlCtx *ctx, Plan *p)
{
    p->count = 0;
    /* the data-modifying WITH queries first: the statement reads their
     * RETURNING rows (and sees their changes; docs/postgres-differences.md) */
    for (int i = 0; i < p->npre; i++) {
        int rc = exec_dml(ctx, p->pre[i]);
        if (rc) return rc;
    }
    if (p->kind == PLAN_QUERY) {
        int rc = op_open(ctx, p->root);
        p->opened = true;
        return rc;
    }
    int rc = exec_dml(ctx, p);
    if (!rc && p->ret_root) {
        rc = op_open(ctx, p->ret_root);
        p->opened = true;
    }
    return rc;
}

int plan_next(SqlCtx *ctx, Plan *p, const Value **row)
{
    if (p->kind != PLAN_QUERY) {
        /* RETURNING: the rows the statement kept (its count stays the rows
         * it changed) */
        if (!p->ret_root || !p->opened) return 0;
        arena_reset(ctx->row);
        Value *r;
        int rc = op_next(ctx, p->ret_root, &r);
        if (rc == 1) *row = r;
        return rc;
    }
    arena_reset(ctx->row);
    Value *r;
    int rc = op_next(ctx, p->root, &r);
    if (rc == 1) { *row = r; p->count++; }
    return rc;
}

void plan_close(SqlCtx *ctx, Plan *p)
{
    if (p->kind == PLAN_QUERY && p->opened) op_close(ctx, p->root);
    else if (p->ret_root && p->opened) op_close(ctx, p->ret_root);
    p->opened = false;
    for (SubLink *l = ctx->links; l; l = l->next) arena_free(&l->arena);
    ctx->links = NULL;
}

bool sql_plan_reusable(const SqlCtx *ctx, const Plan *p)
{
    return !ctx->no_cache && p->kind == PLAN_QUERY && p->root && !p->npre && !p->notice && !p->tag && !ctx->notes &&
           !ctx->links && !ctx->catview && !ctx->nrecdescs && !ctx->ixexprs && !ctx->convs && !ctx->npre &&
           op_tree_reusable(p->root);
}

void sql_plan_rearm(Plan *p)
{
    p->count = 0;
    p->opened = false;
    op_tree_rearm(p->root);
}

const char *plan_tag(SqlCtx *ctx, Plan *p)
{
    unsigned long long n = (unsigned long long)p->count;
    switch (p->kind) {
    case PLAN_QUERY: return p->tag ? p->tag : arena_printf(ctx->stmt, "SELECT %llu", n);
    case PLAN_INSERT: return arena_printf(ctx->stmt, "INSERT 0 %llu", n);
    case PLAN_UPDATE: return arena_printf(ctx->stmt, "UPDATE %llu", n);
    case PLAN_DELETE: case PLAN_DELETE_HISTORY: return arena_printf(ctx->stmt, "DELETE %llu", n);
    case PLAN_ERASE: return arena_printf(ctx->stmt, "ERASE %llu", n);
    case PLAN_MERGE: return arena_printf(ctx->stmt, "MERGE %llu", n);
    case PLAN_TRUNCATE: return "TRUNCATE TABLE";
    default: return p->tag;
    }
}

/* ---------------------------------------------------------------- commit */

int sql_apply_seq_restarts(Store *st, const TxnWrites *ws, DdError *err)
{
    for (int i = 0; i < ws->nrestarts; i++) {
        const SeqRestart *r = &ws->restarts[i];
        const TableInfo *tt = ws_table(ws, r->id);
        if (tt && tt->temp) continue;   /* a temporary sequence: ws_fold_apply */
        SeqInfo info = r->info;
        TableInfo t;
        memset(&t, 0, sizeof(t));
        t.id = r->id;
        t.name = "";
        t.sequence = &info;
        int rc = store_seq_set(st, &t, r->last, r->called, err);
        if (rc) return rc;
    }
    return DD_OK;
}

/* WsKeyFn: the key of unique index ix of a temporary table's row image
 * (always in the table's current form: temporary rows are rewritten by
 * ALTER, never converted at read time). */
static int temp_index_key(void *arg, const TableInfo *t, const IndexInfo *ix, const u8 *rec, u32 reclen, Buf *key,
                          bool *has_null)
{
    SqlCtx *ctx = arg;
    ArenaMark m = arena_mark(ctx->row);
    Value *vals = arena_alloc(ctx->row, sizeof(Value) * (size_t)(t->ncols + 1));
    int rc = vals ? row_decode(t, rec, reclen, vals, ctx->err) : DD_ENOMEM;
    if (!rc) rc = sql_index_key_full(ctx, t, ix, vals, key, has_null);
    arena_rewind(ctx->row, m);
    return rc;
}

void sql_fold_temp(SqlCtx *ctx, TxnWrites *ws, TempFold *f)
{
    ws_fold_apply(ws, f, ctx ? temp_index_key : NULL, ctx);
}

int sql_set_constraints(SqlCtx *ctx, const char *spec) { return fk_set_constraints(ctx, spec); }

int sql_build_commit(SqlCtx *ctx, TxnWrites *ws, WriteSet *out)
{
    memset(out, 0, sizeof(*out));
    /* the deferred foreign keys wait for now */
    int rc0 = fk_check_deferrable(ctx, true);
    if (rc0) return rc0;
    /* the first write's snapshot (READ COMMITTED: each statement has its
     * own, and each row keeps the one it was written on) */
    out->snapshot_seq = ws->first_set ? ws->first_seq : snap_seq(ctx->snap);
    out->ops = arena_alloc(ctx->stmt, sizeof(WriteOp *) * (size_t)(ws->nrows + 1));
    if (!out->ops) return DD_ENOMEM;
    int capi = 0;
    Buf ok = BUF_INIT, nk = BUF_INIT;
    int rc = DD_OK;
    Value *ov = NULL, *nv = NULL;
    int vcap = 0;
    /* the table of the previous row and its definitions (rows of one
     * table mostly come together: a COPY's million) */
    u32 last_id = 0;
    const TableInfo *last_dt = NULL, *last_t = NULL;
    bool have_last = false;
    for (int i = 0; !rc && i < ws->nrows; i++) {
        WsRow *r = ws->rows[i];
        if (!r) continue;
        if (!have_last || r->table != last_id) {
            last_id = r->table;
            last_dt = ws_table(ws, r->table);
            last_t = last_dt ? last_dt : store_table_version(ctx->snap, r->table, snap_seq(ctx->snap));
            have_last = true;
        }
        const TableInfo *dt = last_dt;
        if (dt && dt->dropped) continue;   /* the table goes in this commit: its rows with it */
        if (dt && dt->temp) continue;      /* the session keeps those (ws_fold_apply) */
        /* the entry is the op: what the store reads of it made exact (a
         * tombstone's op, the key a live row moved to no longer) */
        if (!r->rec) r->op = OP_DELETE;
        if (r->rec || r->end_op != OP_UPDATE) r->moved = NULL;
        if (!r->moved) r->movedlen = 0;
        if (!r->rec) r->reclen = 0;
        out->ops[out->nops++] = &r->w;
        /* present index entries */
        const TableInfo *t = last_t;
        if (!t || t->dropped || !t->nindexes) continue;
        if (vcap < t->ncols) {
            vcap = t->ncols;
            ov = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)vcap);
            nv = arena_alloc(ctx->stmt, sizeof(Value) * (size_t)vcap);
            if (!ov || !nv) { rc = DD_ENOMEM; break; }
        }
        bool had_old = r->existed && r->orig, has_new = r->rec != NULL;
        if (had_old && (rc = sql_row_decode(ctx, t, r->orig, r->origlen, r->orig_seq, ov, NULL))) break;
        if (has_new && (rc = row_decode(t, r->rec, r->reclen, nv, ctx->err))) break;
        const TableInfo *snapt = store_table_version(ctx->snap, t->id, snap_seq(ctx->snap));
        for (int x = 0; x < t->nindexes; x++) {
            const IndexInfo *ix = &t->indexes[x];
            /* an index new in this commit has no entry for the old image */
            bool ix_old = false;
            for (int y = 0; snapt && !snapt->dropped && y < snapt->nindexes; y++) ix_old |= snapt->indexes[y].id == ix->id;
            bool has_old = r->existed && r->orig && ix_old;
            bool old_null = false, new_null = false;
            if (has_old && (rc = sql_index_key(ctx, t, ix, ov, &ok, &old_null))) break;
            if (has_new && (rc = sql_index_key_full(ctx, t, ix, nv, &nk, &new_null))) break;
            /* rows a partial index does not cover have no entry (empty key) */
            bool in_old = has_old && ok.len > 0, in_new = has_new && nk.len > 0;
            /* a key cut to the stored prefix cannot be compared whole by the
             * writer: the statement's check covered it */
            bool cut = nk.len > ROW_INDEX_PREFIX;
            if (cut) nk.len = ROW_INDEX_PREFIX;
            bool same = in_old && in_new && ok.len == nk.len && memcmp(ok.data, nk.data, ok.len) == 0;
            if (same) continue;
            for (int pass = 0; pass < 2; pass++) {
                bool add = pass == 1;
                if (add ? !in_new : !in_old) continue;
                Buf *k = add ? &nk : &ok;
                if (out->niops == capi) {
                    int ncap = capi ? capi * 2 : 64;
                    IndexOp *ni = arena_alloc(ctx->stmt, sizeof(IndexOp) * (size_t)ncap);
                    if (!ni) { rc = DD_ENOMEM; break; }
                    if (out->niops) memcpy(ni, out->iops, sizeof(IndexOp) * (size_t)out->niops);
                    out->iops = ni;
                    capi = ncap;
                }
                IndexOp *io = &out->iops[out->niops++];
                memset(io, 0, sizeof(*io));
                io->add = add;
                io->index = ix->id;
                io->table = t->id;
                io->name = ix->name;
                io->unique = add && ix->unique && !new_null && !cut;
                io->key = arena_memdup(ctx->stmt, k->data, k->len);
                io->keylen = (u32)k->len;
                io->pk = r->pk;
                io->pklen = r->pklen;
                if (!io->key) { rc = DD_ENOMEM; break; }
            }
        }
    }
    buf_free(&ok);
    buf_free(&nk);
    if (!rc) rc = sql_index_builds(ctx, ws, out, &capi);
    if (rc) return rc;
    /* the catalog versions of the commit, without the temporary ones */
    out->tables = arena_alloc(ctx->stmt, sizeof(TableInfo *) * (size_t)(ws->ntables + 1));
    out->table_base = arena_alloc(ctx->stmt, sizeof(u64) * (size_t)(ws->ntables + 1));
    if (!out->tables || !out->table_base) return DD_ENOMEM;
    for (int i = 0; i < ws->ntables; i++) {
        if (ws->tables[i]->temp) continue;
        /* READ COMMITTED: the statement that changed the table saw the
         * catalog and rows of its own snapshot; earlier ones no later */
        u64 b = ws->table_base[i];
        out->table_base[out->ntables] = b > out->snapshot_seq ? b : out->snapshot_seq;
        out->tables[out->ntables++] = ws->tables[i];
    }
    /* ... nor later than the first row it wrote to the table (those rows
     * were made by the catalog of that statement) */
    for (int i = 0; out->ntables && i < ws->nrows; i++) {
        const WsRow *r = ws->rows[i];
        if (!r) continue;
        for (int k = 0; k < out->ntables; k++)
            if (out->tables[k]->id == r->table && r->base_seq < out->table_base[k])
                out->table_base[k] = r->base_seq > out->snapshot_seq ? r->base_seq : out->snapshot_seq;
    }
    return DD_OK;
}

bool sql_insert_rows_ok(const Plan *p) { return dml_insert_rows_ok(p); }

int sql_insert_rows(SqlCtx *ctx, Plan *p, const Value *vals, int nrows, Arena *keep, UniqueSets **uniq, u64 *count,
                    int *bad)
{
    return dml_insert_rows(ctx, p, vals, nrows, keep, uniq, count, bad);
}

int sql_copy_columns(SqlCtx *ctx, const char *table, char *const *cols, int n, const char ***out, int *nout)
{
    *out = NULL;
    *nout = 0;
    const TableInfo *t = resolve_table_present(ctx, table);
    if (!t) return DD_OK;   /* the query COPY runs says what is wrong */
    bool any = false;
    for (int i = 0; i < t->ncols; i++) any |= t->cols[i].gen_sql && !t->cols[i].dropped;
    if (!any) return DD_OK;
    for (int k = 0; k < n; k++)
        for (int i = 0; i < t->ncols; i++)
            if (t->cols[i].gen_sql && !t->cols[i].dropped && strcmp(t->cols[i].name, cols[k]) == 0) {
                dd_err(ctx->err, DD_EINVALID_COLUMN_REF, -1, "column \"%s\" is a generated column", cols[k]);
                dd_err_detail(ctx->err, "Generated columns cannot be used in COPY.");
                return DD_EINVALID_COLUMN_REF;
            }
    if (n) return DD_OK;
    const char **names = arena_alloc(ctx->stmt, sizeof(char *) * (size_t)(t->ncols + 1));
    if (!names) return DD_ENOMEM;
    for (int i = 0; i < t->ncols; i++) {
        const ColumnInfo *c = &t->cols[i];
        if (c->dropped || c->pending || c->gen_sql || strcmp(c->name, ROWID_COL) == 0) continue;
        names[(*nout)++] = c->name;
    }
    *out = names;
    return DD_OK;
}
