/*
 * cursor.c - SQL cursors of a session: DECLARE name [[NO] SCROLL] CURSOR
 * [WITH | WITHOUT HOLD] FOR query, FETCH / MOVE in every direction,
 * CLOSE {name | ALL}.
 *
 * DECLARE runs the query to its end and keeps its rows (the cursor's
 * arena), so every direction works on any query and a WITH HOLD cursor
 * outlives its transaction with nothing to materialize at COMMIT.  A
 * cursor WITHOUT HOLD ends with its transaction; a WITH HOLD one declared
 * in a transaction that rolls back goes too (as PostgreSQL).  Positions
 * are PostgreSQL's: 0 before the first row, 1..n on a row, n + 1 after
 * the last.
 */
#include "engine_int.h"
#include "../util/alloc.h"
#include "../sql/exec/executor.h"
#include <string.h>
#include <stdio.h>

struct SqlCursor {
    char *name;
    bool hold, no_scroll;
    bool in_txn;            /* declared by the running transaction ... */
    int level;              /* ... with this many savepoints defined */
    int ncols;
    ColDesc *cols;
    Value **rows; size_t nrows, cap;
    i64 pos;
    Arena arena;            /* names, columns and values */
    SqlCursor *next;
};

static SqlCursor *cursor_find(driftdb_session *s, const char *name)
{
    for (SqlCursor *c = s->cursors; c; c = c->next)
        if (strcmp(c->name, name) == 0) return c;
    return NULL;
}

static void cursor_free(SqlCursor *c)
{
    arena_free(&c->arena);
    dd_free(c->rows);
    dd_free(c);
}

/* Unlinks and frees the cursors `drop` says go. */
static void cursors_drop(driftdb_session *s, bool (*drop)(const SqlCursor *c, int level), int level)
{
    SqlCursor **pp = &s->cursors;
    while (*pp) {
        SqlCursor *c = *pp;
        if (drop(c, level)) {
            *pp = c->next;
            cursor_free(c);
        } else {
            pp = &c->next;
        }
    }
}

static bool drop_all(const SqlCursor *c, int level) { DD_UNUSED(c); DD_UNUSED(level); return true; }
static bool drop_at_commit(const SqlCursor *c, int level) { DD_UNUSED(level); return !c->hold; }
static bool drop_at_rollback(const SqlCursor *c, int level) { DD_UNUSED(level); return !c->hold || c->in_txn; }
/* declared after savepoint number `level` (ROLLBACK TO it) */
static bool drop_since(const SqlCursor *c, int level) { return c->in_txn && c->level >= level; }

void cursors_txn_end(driftdb_session *s, bool committed)
{
    cursors_drop(s, committed ? drop_at_commit : drop_at_rollback, 0);
    for (SqlCursor *c = s->cursors; c; c = c->next) c->in_txn = false;
}

void cursors_rollback_to(driftdb_session *s, int nsavepoints)
{
    cursors_drop(s, drop_since, nsavepoints);
}

void cursors_free(driftdb_session *s)
{
    cursors_drop(s, drop_all, 0);
}

int cursor_declare(driftdb_session *s, Stmt *stmt, const char *sql, driftdb_result *r, DdError *e)
{
    CursorStmt *cs = stmt->u.cursor;
    if (!cs->hold && s->state != TXN_BLOCK)
        return dd_err(e, DD_ENO_ACTIVE_TXN, -1, "DECLARE CURSOR can only be used in transaction blocks");
    if (cursor_find(s, cs->name)) return dd_err(e, DD_EDUPLICATE_CURSOR, -1, "cursor \"%s\" already exists", cs->name);
    if (cs->binary) return dd_err(e, DD_EFEATURE, stmt->loc, "DECLARE BINARY CURSOR is not supported");
    Stmt inner;
    memset(&inner, 0, sizeof(inner));
    inner.kind = STMT_SELECT;
    inner.loc = cs->query_loc;
    inner.end = stmt->end;
    inner.u.select = cs->query;
    const Stmt *dml = sql_dml_cte(&inner);
    if (dml) return dd_err(e, DD_EFEATURE, dml->loc, "DECLARE CURSOR must not contain data-modifying statements in WITH");
    int rc = session_run_sql(s, &inner, sql, r, e);
    if (rc) return rc;
    if (!r->plan || !r->has_rows) return dd_err(e, DD_EINTERNAL, -1, "a cursor's query returns no rows");
    SqlCursor *c = dd_calloc(1, sizeof(*c));
    if (!c) return dd_err(e, DD_ENOMEM, -1, NULL);
    arena_init(&c->arena, 64 * 1024);
    c->name = arena_strdup(&c->arena, cs->name);
    c->hold = cs->hold;
    c->no_scroll = cs->no_scroll;
    c->in_txn = true;
    c->level = s->nsavepoints;
    c->ncols = r->ncols;
    c->cols = arena_alloc(&c->arena, sizeof(ColDesc) * (size_t)(r->ncols + 1));
    rc = c->name && c->cols ? DD_OK : DD_ENOMEM;
    for (int i = 0; !rc && i < r->ncols; i++) {
        c->cols[i] = r->cols[i];
        if (!(c->cols[i].name = arena_strdup(&c->arena, r->cols[i].name))) rc = DD_ENOMEM;
    }
    /* the query's rows, to the end */
    while (!rc) {
        const Value *row;
        int k = plan_next(r->ctx, r->plan, &row);
        if (k < 0) { rc = -k; break; }
        if (k == 0) break;
        if (c->nrows == c->cap) {
            size_t ncap = c->cap ? c->cap * 2 : 256;
            Value **nr = dd_realloc(c->rows, sizeof(Value *) * ncap);
            if (!nr) { rc = DD_ENOMEM; break; }
            c->rows = nr;
            c->cap = ncap;
        }
        Value *copy = arena_alloc(&c->arena, sizeof(Value) * (size_t)(c->ncols + 1));
        if (!copy) { rc = DD_ENOMEM; break; }
        for (int i = 0; !rc && i < c->ncols; i++) rc = val_copy(&c->arena, &row[i], &copy[i]);
        c->rows[c->nrows++] = copy;
        arena_reset(&s->row);
    }
    if (rc) {
        cursor_free(c);
        if (e->code == DD_OK) dd_err(e, rc, -1, NULL);
        return rc;
    }
    /* the query is done: the statement's result is the command's */
    if ((rc = session_result_finish(r, e))) {
        cursor_free(c);
        return rc;
    }
    r->has_rows = false;
    r->ncols = 0;
    r->tag = "DECLARE CURSOR";
    c->in_txn = s->state != TXN_IDLE;   /* an autocommitted WITH HOLD cursor's transaction is over */
    c->next = s->cursors;
    s->cursors = c;
    return DD_OK;
}

/* The rows FETCH / MOVE cs moves over, in order, from c's position: their
 * indexes (0-based) into out (NULL: count only); c->pos moves. */
static size_t cursor_move(SqlCursor *c, const CursorStmt *cs, size_t *out)
{
    i64 n = (i64)c->nrows;
    size_t k = 0;
    if (cs->dir == CURSOR_ABSOLUTE || cs->dir == CURSOR_RELATIVE ||
        ((cs->dir == CURSOR_FORWARD || cs->dir == CURSOR_BACKWARD) && cs->count == 0)) {
        i64 target;
        if (cs->dir == CURSOR_ABSOLUTE) target = cs->count >= 0 ? cs->count : n + 1 + cs->count;
        else if (cs->dir == CURSOR_RELATIVE) target = cs->count > INT64_MAX - c->pos ? INT64_MAX : c->pos + cs->count;
        else target = c->pos;   /* FORWARD 0 / BACKWARD 0: the current row again */
        if (target <= 0) { c->pos = 0; return 0; }
        if (target > n) { c->pos = n + 1; return 0; }
        c->pos = target;
        if (out) out[k] = (size_t)(target - 1);
        return 1;
    }
    bool fwd = cs->dir == CURSOR_FORWARD;
    for (i64 i = 0; cs->count < 0 || i < cs->count; i++) {
        if (fwd ? c->pos >= n : c->pos <= 1) {
            c->pos = fwd ? n + 1 : 0;
            break;
        }
        c->pos += fwd ? 1 : -1;
        if (out) out[k] = (size_t)(c->pos - 1);
        k++;
    }
    return k;
}

int cursor_fetch(driftdb_session *s, Stmt *stmt, driftdb_result *r, DdError *e)
{
    CursorStmt *cs = stmt->u.cursor;
    SqlCursor *c = cursor_find(s, cs->name);
    if (!c) return dd_err(e, DD_EINVALID_CURSOR_NAME, -1, "cursor \"%s\" does not exist", cs->name);
    bool back = cs->dir == CURSOR_BACKWARD || (cs->dir == CURSOR_ABSOLUTE && cs->count >= 0 && cs->count < c->pos) ||
                (cs->dir == CURSOR_ABSOLUTE && cs->count < 0) || (cs->dir == CURSOR_RELATIVE && cs->count < 0);
    if (back && c->no_scroll) {
        int rc = dd_err(e, DD_EOBJECT_STATE, -1, "cursor can only scan forward");
        dd_err_hint(e, "Declare it with SCROLL option to enable backward scan.");
        return rc;
    }
    /* the indexes first (at most every row, or one) */
    size_t most = c->nrows + 1;
    size_t *idx = cs->move ? NULL : arena_alloc(&s->stmt, sizeof(size_t) * most);
    if (!cs->move && !idx) return dd_err(e, DD_ENOMEM, -1, NULL);
    size_t k = cursor_move(c, cs, idx);
    r->tag = arena_printf(&s->stmt, "%s %zu", cs->move ? "MOVE" : "FETCH", k);
    if (!r->tag) return dd_err(e, DD_ENOMEM, -1, NULL);
    if (cs->move) return DD_OK;
    Value *rows = arena_alloc(&s->stmt, sizeof(Value) * (k * (size_t)c->ncols + 1));
    if (!rows) return dd_err(e, DD_ENOMEM, -1, NULL);
    for (size_t i = 0; i < k; i++) memcpy(rows + i * (size_t)c->ncols, c->rows[idx[i]], sizeof(Value) * (size_t)c->ncols);
    r->rows = rows;
    r->nrows = (int)k;
    return session_result_cols(r, c->cols, c->ncols);
}

int cursor_close(driftdb_session *s, Stmt *stmt, driftdb_result *r, DdError *e)
{
    CursorStmt *cs = stmt->u.cursor;
    r->tag = "CLOSE CURSOR";
    if (!cs->name) {
        r->tag = "CLOSE CURSOR ALL";
        cursors_free(s);
        return DD_OK;
    }
    for (SqlCursor **pp = &s->cursors; *pp; pp = &(*pp)->next) {
        if (strcmp((*pp)->name, cs->name) != 0) continue;
        SqlCursor *c = *pp;
        *pp = c->next;
        cursor_free(c);
        return DD_OK;
    }
    return dd_err(e, DD_EINVALID_CURSOR_NAME, -1, "cursor \"%s\" does not exist", cs->name);
}

int cursor_columns(driftdb_session *s, const char *name, const ColDesc **cols, int *n, Arena **arena, DdError *e)
{
    SqlCursor *c = cursor_find(s, name);
    if (!c) return dd_err(e, DD_EINVALID_CURSOR_NAME, -1, "cursor \"%s\" does not exist", name);
    *cols = c->cols;
    *n = c->ncols;
    if (arena) *arena = &c->arena;
    return DD_OK;
}
