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
 *
 * A name no cursor has may be a client's protocol portal (Bind), which
 * FETCH, MOVE and CLOSE reach through the server's callbacks
 * (driftdb_portal_hooks), as PostgreSQL's cursors are portals.  Such a
 * portal scans forward only (PostgreSQL makes it NO SCROLL: a direction
 * that ends up moving forward works, ABSOLUTE and RELATIVE too) and has
 * one position, whichever of Execute and FETCH moves it: one the server has
 * not run yet (NEW) is run here to its end and its rows kept with it
 * (PortalKept; driftdb_portal_exec later returns the rows left); one the
 * server ran part way (HELD) gives its rows left through take, read back
 * from their wire form into values (the portal's result formats).
 */
#include "engine_int.h"
#include "../util/alloc.h"
#include "../sql/exec/executor.h"
#include <limits.h>
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

/* ---------------------------------------------------------------- protocol portals */

void driftdb_session_set_portal_hooks(driftdb_session *s, const driftdb_portal_hooks *hooks)
{
    if (hooks) s->portal_hooks = *hooks;
    else memset(&s->portal_hooks, 0, sizeof(s->portal_hooks));
}

int portal_keep_cols(driftdb_portal *p, const ColDesc *cols, int n)
{
    if (p->cols) return DD_OK;
    ColDesc *c = arena_alloc(&p->arena, sizeof(ColDesc) * (size_t)(n + 1));
    if (!c) return DD_ENOMEM;
    for (int i = 0; i < n; i++) {
        c[i] = cols[i];
        if (!(c[i].name = arena_strdup(&p->arena, cols[i].name))) return DD_ENOMEM;
    }
    p->cols = c;
    p->ncols = n;
    return DD_OK;
}

/* The server's portal named name (NULL: none), its state in *state. */
static driftdb_portal *portal_find(driftdb_session *s, const char *name, int *state)
{
    if (!s->portal_hooks.find || !name) return NULL;
    return s->portal_hooks.find(s->portal_hooks.arg, name, state);
}

/* Lets go of r's columns, so that it can take others (session_result_cols). */
static void result_cols_free(driftdb_result *r)
{
    dd_free(r->offs);
    dd_free(r->lens);
    dd_free(r->nulls);
    dd_free(r->binary);
    r->offs = r->lens = NULL;
    r->nulls = r->binary = NULL;
    r->cols = NULL;
    r->ncols = 0;
    r->has_rows = false;
}

/* Runs portal p's statement to its end in r (as DECLARE runs its query)
 * and keeps its rows and columns with p. */
static int portal_run_keep(driftdb_session *s, driftdb_portal *p, const char *name, driftdb_result *r, DdError *e)
{
    driftdb_stmt *st = p->st;
    Stmt *inner = NULL;
    size_t next = st->len;
    int rc = parse_statement(st->sql, st->len, 0, &s->stmt, &inner, &next, e);
    if (rc) return rc;
    /* a query, or a statement with RETURNING: its writes happen now */
    bool rows = inner && (inner->kind == STMT_SELECT ||
                          (inner->kind == STMT_INSERT && inner->u.insert->nreturning) ||
                          (inner->kind == STMT_UPDATE && inner->u.update->nreturning) ||
                          (inner->kind == STMT_DELETE && inner->u.delete_->nreturning));
    if (!rows) return dd_err(e, DD_EOBJECT_STATE, -1, "portal \"%s\" does not return rows", name);
    BindSave b = bind_swap(s, st->ptypes, p->params, st->nparams);   /* no kept plan: it runs once */
    s->bind_top = inner;
    s->bind_kept_stmt = false;
    rc = session_run_sql(s, inner, st->sql, r, e);
    bind_restore(s, &b);
    if (rc) return rc;
    if (!r->plan || !r->has_rows) return dd_err(e, DD_EOBJECT_STATE, -1, "portal \"%s\" does not return rows", name);
    PortalKept *k = arena_zalloc(&p->arena, sizeof(*k));
    if (!k || (rc = portal_keep_cols(p, r->cols, r->ncols))) return dd_err(e, DD_ENOMEM, -1, NULL);
    size_t nc = (size_t)p->ncols;
    while (!rc) {
        const Value *row;
        int got = plan_next(r->ctx, r->plan, &row);
        if (got < 0) { rc = -got; break; }
        if (got == 0) break;
        if (k->nrows == k->cap) {
            size_t ncap = k->cap ? k->cap * 2 : 64;
            Value *nv = arena_alloc(&p->arena, sizeof(Value) * (ncap * nc + 1));
            if (!nv) { rc = DD_ENOMEM; break; }
            if (k->nrows) memcpy(nv, k->vals, sizeof(Value) * k->nrows * nc);
            k->vals = nv;
            k->cap = ncap;
        }
        for (size_t i = 0; !rc && i < nc; i++) rc = val_copy(&p->arena, &row[i], &k->vals[k->nrows * nc + i]);
        k->nrows++;
        arena_reset(&s->row);
    }
    if (rc) {
        if (e->code == DD_OK) dd_err(e, rc, -1, NULL);
        return rc;
    }
    if ((rc = session_result_finish(r, e))) return rc;
    /* the statement is done: r is the FETCH's again */
    r->plan = NULL;
    r->done = false;
    r->implicit = false;
    r->tag = NULL;
    result_cols_free(r);
    p->kept = k;
    return DD_OK;
}

/* The rows a held portal gives (take), read back from their wire form
 * into values in the statement arena: text through the type's input,
 * binary through its receive function; an enum's label stays an untyped
 * literal. */
typedef struct HeldRows {
    driftdb_session *s;
    const ColDesc *cols;
    int ncols;
    Value *vals;
    size_t n, cap;
    DdError *e;
    int rc;
} HeldRows;

static int held_row(void *arg, const driftdb_param *f, int nf)
{
    HeldRows *h = arg;
    driftdb_session *s = h->s;
    if (nf != h->ncols) {
        h->rc = dd_err(h->e, DD_EINTERNAL, -1, "a held row has %d fields, its portal %d columns", nf, h->ncols);
        return -1;
    }
    size_t nc = (size_t)h->ncols;
    if (h->n == h->cap) {
        size_t ncap = h->cap ? h->cap * 2 : 64;
        Value *nv = arena_alloc(&s->stmt, sizeof(Value) * (ncap * nc + 1));
        if (!nv) { h->rc = dd_err(h->e, DD_ENOMEM, -1, NULL); return -1; }
        if (h->n) memcpy(nv, h->vals, sizeof(Value) * h->n * nc);
        h->vals = nv;
        h->cap = ncap;
    }
    ValueCtx vc = s->vctx;
    vc.arena = &s->stmt;
    Value *out = h->vals + h->n * nc;
    for (int i = 0; i < nf; i++) {
        TypeId t = h->cols[i].type;
        int rc;
        if (!f[i].data) { out[i] = val_null(t); rc = DD_OK; }
        else if (type_has_etype(t) && (t == TYPE_ENUM || !f[i].binary))
            rc = val_from_text(TYPE_UNKNOWN, -1, f[i].data, f[i].len, &vc, &out[i], h->e);
        else if (f[i].binary) rc = bin_recv(t, (const u8 *)f[i].data, f[i].len, i + 1, &s->stmt, &out[i], h->e);
        else rc = val_from_text(t, -1, f[i].data, f[i].len, &vc, &out[i], h->e);
        if (rc) { h->rc = rc; return -1; }
    }
    h->n++;
    return 0;
}

/* Moves protocol portal p forward by up to want rows (-1: all), as
 * PostgreSQL's PortalRunSelect forward: the rows into *rows when keep
 * (values in the statement arena), how many into *k; p->pos and p->at_end
 * follow.  A NEW portal was run already (portal_run_keep). */
static int portal_forward(driftdb_session *s, driftdb_portal *p, int state, const char *name, long want, bool keep,
                          const Value **rows, size_t *k, DdError *e)
{
    *rows = NULL;
    *k = 0;
    if (want == 0 || p->at_end) return DD_OK;
    int rc;
    if (state == DRIFTDB_PORTAL_NEW) {
        /* copied: the result may outlive the portal (a Close while it is suspended) */
        PortalKept *pk = p->kept;
        size_t left = pk->nrows - pk->pos, nc = (size_t)p->ncols;
        *k = want < 0 || (size_t)want > left ? left : (size_t)want;
        Value *copy = keep ? arena_alloc(&s->stmt, sizeof(Value) * (*k * nc + 1)) : NULL;
        if (keep && !copy) return dd_err(e, DD_ENOMEM, -1, NULL);
        for (size_t i = 0; copy && i < *k * nc; i++)
            if ((rc = val_copy(&s->stmt, &pk->vals[pk->pos * nc + i], &copy[i]))) return dd_err(e, rc, -1, NULL);
        *rows = copy;
        pk->pos += *k;
    } else if (state == DRIFTDB_PORTAL_HELD) {
        if (!p->cols) return dd_err(e, DD_EINTERNAL, -1, "portal \"%s\" has no columns", name);
        HeldRows h = {s, p->cols, p->ncols, NULL, 0, 0, e, DD_OK};
        long got = s->portal_hooks.take(s->portal_hooks.arg, name, want, keep ? held_row : NULL, &h);
        if (got < 0)
            return h.rc ? h.rc : dd_err(e, DD_EINTERNAL, -1, "the held rows of portal \"%s\" are unreadable", name);
        *k = (size_t)got;
        *rows = h.vals;
    }
    p->pos += *k;
    if (want < 0 || *k < (size_t)want) p->at_end = true;
    return DD_OK;
}

/*
 * FETCH / MOVE cs from protocol portal p (state: DRIFTDB_PORTAL_*), as
 * PostgreSQL's DoPortalRunFetch for a NO SCROLL portal: any direction
 * whose end result is a move forward from p's position (p->pos, p->at_end)
 * works: NEXT, FORWARD n, ALL, RELATIVE n > 0, ABSOLUTE n past the
 * position (or up to twice it from the start, before any row was read),
 * FETCH 0 off a row, MOVE 0; any other is 55000.
 */
static int portal_fetch(driftdb_session *s, driftdb_portal *p, int state, const CursorStmt *cs, driftdb_result *r,
                        DdError *e)
{
    if (state == DRIFTDB_PORTAL_FAILED || state == DRIFTDB_PORTAL_ACTIVE)
        return dd_err(e, DD_EOBJECT_STATE, -1, "portal \"%s\" cannot be run", cs->name);
    i64 n = cs->count;
    bool back = false;     /* moves backward */
    bool rewind = false;   /* back to the start: no move while nothing was read */
    bool zero = false;     /* FETCH 0: the current row again */
    i64 skip = 0, take = 0;   /* rows passed over, then rows returned (-1: all) */
    switch (cs->dir) {
    case CURSOR_FORWARD:
        if (n == 0) zero = true;
        else take = n;
        break;
    case CURSOR_BACKWARD:
        if (n == 0) zero = true;
        else if (n < 0 && cs->move) rewind = true;   /* MOVE BACKWARD ALL: a rewind, as PostgreSQL's */
        else back = true;
        break;
    case CURSOR_RELATIVE:
        if (n == 0) zero = true;
        else if (n < 0) back = true;
        else { skip = n - 1; take = 1; }
        break;
    default:   /* CURSOR_ABSOLUTE */
        if (n < 0) {
            back = true;   /* counted back from the end */
        } else if (n == 0) {
            rewind = true;
        } else if ((u64)(n - 1) <= p->pos / 2) {
            /* PostgreSQL goes back to the start when that is nearer */
            rewind = true;
            skip = n - 1;
            take = 1;
        } else {
            u64 at = p->pos + (p->at_end ? 1 : 0);   /* past the last row is one more */
            if ((u64)n <= at) back = true;
            else { skip = n - (i64)at - 1; take = 1; }
        }
        break;
    }
    bool on_row = p->pos > 0 && !p->at_end;
    if (zero && cs->move) {
        /* MOVE 0 says whether FETCH 0 would return a row, without moving */
        r->tag = on_row ? "MOVE 1" : "MOVE 0";
        return DD_OK;
    }
    if (zero && on_row) back = true;   /* read again by going back one */
    if (rewind && !(p->pos == 0 && !p->at_end)) back = true;
    if (back) {
        int rc = dd_err(e, DD_EOBJECT_STATE, -1, "cursor can only scan forward");
        dd_err_hint(e, "Declare it with SCROLL option to enable backward scan.");
        return rc;
    }
    int rc;
    if (state == DRIFTDB_PORTAL_NEW && !p->kept && (rc = portal_run_keep(s, p, cs->name, r, e))) return rc;
    const Value *rows = NULL;
    size_t k = 0;
    if (skip && (rc = portal_forward(s, p, state, cs->name, skip > LONG_MAX ? -1 : (long)skip, false, &rows, &k, e)))
        return rc;
    if ((rc = portal_forward(s, p, state, cs->name, take < 0 || take > LONG_MAX ? -1 : (long)take, !cs->move, &rows,
                             &k, e)))
        return rc;
    r->tag = arena_printf(&s->stmt, "%s %zu", cs->move ? "MOVE" : "FETCH", k);
    if (!r->tag) return dd_err(e, DD_ENOMEM, -1, NULL);
    if (cs->move) return DD_OK;
    if (!p->cols) return dd_err(e, DD_EOBJECT_STATE, -1, "portal \"%s\" does not return rows", cs->name);
    ColDesc *cols = arena_alloc(&s->stmt, sizeof(ColDesc) * (size_t)(p->ncols + 1));
    if (!cols) return dd_err(e, DD_ENOMEM, -1, NULL);
    memcpy(cols, p->cols, sizeof(ColDesc) * (size_t)p->ncols);
    for (int i = 0; i < p->ncols; i++)
        if (!(cols[i].name = arena_strdup(&s->stmt, p->cols[i].name))) return dd_err(e, DD_ENOMEM, -1, NULL);
    r->rows = k ? rows : NULL;
    r->nrows = (int)k;
    return session_result_cols(r, cols, p->ncols);
}

/* driftdb_portal_exec of a portal whose rows a FETCH kept: the rows left,
 * as the portal's own result would end ("SELECT n"). */
static int portal_fetch_kept(driftdb_session *s, driftdb_portal *p, driftdb_result *r, DdError *e)
{
    PortalKept *pk = p->kept;
    size_t k = pk->nrows - pk->pos;
    r->rows = k ? pk->vals + pk->pos * (size_t)p->ncols : NULL;
    r->nrows = (int)k;
    pk->pos = pk->nrows;   /* the server has them now (sent, or held) */
    r->tag = arena_printf(&s->stmt, "SELECT %zu", k);
    if (!r->tag) return dd_err(e, DD_ENOMEM, -1, NULL);
    return session_result_cols(r, p->cols, p->ncols);
}

int cursor_fetch(driftdb_session *s, Stmt *stmt, driftdb_result *r, DdError *e)
{
    CursorStmt *cs = stmt->u.cursor;
    if (s->fetch_portal) return portal_fetch_kept(s, s->fetch_portal, r, e);
    SqlCursor *c = cursor_find(s, cs->name);
    int state = DRIFTDB_PORTAL_FAILED;
    driftdb_portal *p = c ? NULL : portal_find(s, cs->name, &state);
    if (p) return portal_fetch(s, p, state, cs, r, e);
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
    int state;
    if (portal_find(s, cs->name, &state)) {
        if (state == DRIFTDB_PORTAL_ACTIVE)
            return dd_err(e, DD_EOBJECT_STATE, -1, "cannot drop active portal \"%s\"", cs->name);
        s->portal_hooks.close(s->portal_hooks.arg, cs->name);
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
