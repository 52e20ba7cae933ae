/*
 * session.c - sessions, the transaction state machine (engine_int.h),
 * and driftdb_exec_next: parse one statement, run transaction control and
 * settings here, hand everything else to the SQL layer.
 */
#include "engine_int.h"
#include "../sql/parse/lexer.h"
#include "../sql/analyze/expr.h"
#include "../sql/exec/executor.h"
#include "../sql/catalog/pgcat.h"
#include "../sql/plan/plan.h"
#include "../util/utf8.h"
#include "../util/alloc.h"
#include "../util/clock.h"
#include <string.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

static SqlPrepared **prepared_find(driftdb_session *s, const char *name);
static void prepared_free_all(driftdb_session *s);
static int run_stmt(driftdb_session *s, Stmt *stmt, const char *sql, driftdb_result *r, DdError *e);
static int run_prepare(driftdb_session *s, Stmt *stmt, const char *sql, driftdb_result *r, DdError *e);
static int run_execute(driftdb_session *s, Stmt *stmt, const char *sql, driftdb_result *r, DdError *e);
static int run_deallocate(driftdb_session *s, Stmt *stmt, driftdb_result *r, DdError *e);
static void result_drop_cache(driftdb_result *r);
static int run_discard(driftdb_session *s, Stmt *stmt, const char *sql, driftdb_result *r, DdError *e);
void dd_to_api_error(const DdError *e, driftdb_error *out);
int settings_init(driftdb_session *s);
void settings_free(driftdb_session *s);
int settings_set(driftdb_session *s, const char *name, const char *value, DdError *err);
int settings_reset_all(driftdb_session *s, bool role, DdError *err);
int settings_check_privilege(driftdb_session *s, const char *name, DdError *err);
int settings_show(driftdb_session *s, const char *name, const char **canon, const char **value, DdError *err);

/* ValueCtx.type_lookup: a user type as the session knows it (its
 * transaction's own catalog changes first, then the newest in the store). */
static const TableInfo *session_type_lookup(void *arg, u32 id)
{
    driftdb_session *s = arg;
    const TableInfo *t = ws_table(&s->ws, id);
    return t ? t : store_object_latest(s->db->store, id);
}

struct RoleMemo {
    char *name;
    u32 id;
    struct RoleMemo *next;
};

int session_role_memo(driftdb_session *s, const char *name, u32 id)
{
    RoleMemo *m;
    for (m = s->role_ids; m && strcmp(m->name, name) != 0; m = m->next) {}
    if (!m) {
        if (!(m = dd_calloc(1, sizeof *m)) || !(m->name = dd_strdup(name))) {
            dd_free(m);
            return DD_ENOMEM;
        }
        m->next = s->role_ids;
        s->role_ids = m;
    }
    m->id = id;
    return DD_OK;
}

/* The id SET ROLE found for role name (false: it never named it). */
static bool memo_id(const driftdb_session *s, const char *name, u32 *id)
{
    for (const RoleMemo *m = s->role_ids; m; m = m->next)
        if (strcmp(m->name, name) == 0) {
            *id = m->id;
            return true;
        }
    return false;
}

bool session_role_id(driftdb_session *s, u32 *id)
{
    const char *role = driftdb_session_setting(s, "role");
    if (role && strcmp(role, "none") != 0) return memo_id(s, role, id);
    *id = s->user_id;
    return s->user_known;
}

int driftdb_session_open(driftdb *db, const driftdb_session_info *info, driftdb_session **out,
                         driftdb_error *err)
{
    DdError e;
    dd_err_clear(&e);
    driftdb_session *s = dd_calloc(1, sizeof(*s));
    if (!s) goto oom;
    s->db = db;
    /* no user: the bootstrap superuser, by its name now (ALTER ROLE may
     * have renamed it) */
    const TableInfo *boot = store_object_latest(db->store, ROLE_BOOTSTRAP_ID);
    s->user = dd_strdup(info && info->user ? info->user : boot && !boot->dropped ? boot->name : store_owner(db->store));
    s->user_known = s->user && roles_id_of(db, s->user, &s->user_id);
    s->app = dd_strdup(info && info->application_name ? info->application_name : "");
    s->client = dd_strdup(info && info->client_addr ? info->client_addr : "");
    s->database = dd_strdup(info && info->database ? info->database : "driftdb");
    s->backend_pid = info && info->backend_pid ? info->backend_pid : (int)getpid();
    arena_init(&s->stmt, 64 * 1024);
    arena_init(&s->row, 16 * 1024);
    arena_init(&s->tzarena, 1024);
    arena_init(&s->lk_arena, 16 * 1024);
    ws_init(&s->ws);
    ws_init(&s->temp);
    s->ws.base = &s->temp;
    s->vctx.type_lookup = session_type_lookup;
    s->vctx.type_arg = s;
    s->vctx.tz_offset_s = 0;
    s->vctx.tz_name = NULL;
    s->vctx.tz_abbr = NULL;
    if (!s->user || !s->app || !s->client || !s->database || settings_init(s)) {
        driftdb_session_close(s);
        goto oom;
    }
    int limit = -1;   /* the role's CONNECTION LIMIT, checked as the session joins */
    if (info && info->user) {
        /* a named user must be a role, and within its CONNECTION LIMIT
         * (superusers are not held to it, as in PostgreSQL) */
        driftdb_role_auth ra;
        if (driftdb_role_lookup(db, info->user, &ra, err) != DRIFTDB_OK) {
            driftdb_session_close(s);
            return DRIFTDB_ERROR;
        }
        if (!ra.exists) {
            dd_err(&e, DD_EINVALID_AUTH, -1, "role \"%s\" does not exist", info->user);
            driftdb_session_close(s);
            dd_to_api_error(&e, err);
            err->severity = "FATAL";
            return DRIFTDB_ERROR;
        }
        if (!ra.superuser) limit = ra.connlimit;
    }
    /* the role's settings, then what the client asked for over them */
    if (roles_apply_config(s) == DD_ENOMEM ||
        (info && info->application_name && info->application_name[0] &&
         settings_set(s, "application_name", info->application_name, &e) == DD_ENOMEM)) {
        driftdb_session_close(s);
        goto oom;
    }
    dd_err_clear(&e);
    if (!activity_register(s, limit)) {
        dd_err(&e, DD_ETOO_MANY_CONN, -1, "too many connections for role \"%s\"", s->user);
        driftdb_session_close(s);
        dd_to_api_error(&e, err);
        err->severity = "FATAL";
        return DRIFTDB_ERROR;
    }
    s->act_registered = true;
    *out = s;
    return DRIFTDB_OK;
oom:
    dd_err(&e, DD_ENOMEM, -1, NULL);
    dd_to_api_error(&e, err);
    return DRIFTDB_ERROR;
}

int driftdb_session_set_ssl(driftdb_session *s, const driftdb_session_ssl *ssl, driftdb_error *err)
{
    const char *src[5] = {ssl->version, ssl->cipher, ssl->client_dn, ssl->client_serial, ssl->issuer_dn};
    char *v[5];
    bool oom = false;
    for (int i = 0; i < 5; i++) oom |= !(v[i] = dd_strdup(src[i] ? src[i] : ""));
    if (oom) {
        for (int i = 0; i < 5; i++) dd_free(v[i]);
        DdError e;
        dd_err_clear(&e);
        dd_err(&e, DD_ENOMEM, -1, NULL);
        dd_to_api_error(&e, err);
        return DRIFTDB_ERROR;
    }
    /* pg_stat_ssl readers in other sessions copy these under act_mu */
    pthread_mutex_lock(&s->db->act_mu);
    char *old[5] = {s->ssl_version, s->ssl_cipher, s->ssl_client_dn, s->ssl_client_serial, s->ssl_issuer_dn};
    s->ssl_version = v[0];
    s->ssl_cipher = v[1];
    s->ssl_client_dn = v[2];
    s->ssl_client_serial = v[3];
    s->ssl_issuer_dn = v[4];
    s->ssl_bits = ssl->bits;
    s->ssl = true;
    pthread_mutex_unlock(&s->db->act_mu);
    for (int i = 0; i < 5; i++) dd_free(old[i]);
    return DRIFTDB_OK;
}

static void end_snapshot(driftdb_session *s)
{
    if (s->snap) {
        store_snap_end(s->snap);
        s->snap = NULL;
    }
}

/* Restores the settings changed after undo entry `keep` (all of them, or
 * only the SET LOCAL ones when only_local), newest first, and forgets them. */
static void settings_undo_to(driftdb_session *s, int keep, bool only_local)
{
    DdError ignore;
    for (int i = s->nundo - 1; i >= keep; i--) {
        SetUndo *u = &s->undo[i];
        if (!only_local || u->local) settings_set(s, u->name, u->old, &ignore);
        dd_free(u->name);
        dd_free(u->old);
    }
    if (s->nundo > keep) s->nundo = keep;
}

/* Records that name had value old (taken over; may be NULL) before a SET. */
static int settings_undo_push(driftdb_session *s, const char *name, char *old, bool local)
{
    if (s->nundo == s->capundo) {
        int ncap = s->capundo ? s->capundo * 2 : 8;
        SetUndo *n = dd_realloc(s->undo, sizeof(SetUndo) * (size_t)ncap);
        if (!n) { dd_free(old); return DD_ENOMEM; }
        s->undo = n;
        s->capundo = ncap;
    }
    SetUndo *u = &s->undo[s->nundo];
    u->name = dd_strdup(name);
    u->old = old;
    u->local = local;
    if (!u->name) { dd_free(old); return DD_ENOMEM; }
    s->nundo++;
    return DD_OK;
}

static void savepoints_pop_to(driftdb_session *s, int keep)
{
    while (s->nsavepoints > keep) {
        Savepoint *sp = &s->savepoints[--s->nsavepoints];
        ws_free(&sp->ws);
        dd_free(sp->name);
    }
}

/* A transaction that wrote this many rows gives the memory of its write
 * set and its row locks back to the system when it ends (malloc keeps
 * freed small blocks otherwise: a COPY of 10M rows left 2.8 GB behind). */
#define TXN_TRIM_ROWS 65536
/* ... at most once in this many µs (the trim walks every malloc arena of
 * the process, on the committing session's thread). */
#define TXN_TRIM_EVERY_US 10000000LL
static i64 last_trim_us;

static void txn_discard(driftdb_session *s)
{
    cursors_txn_end(s, s->txn_committed);
    s->txn_committed = false;
    settings_undo_to(s, 0, false);   /* a rollback undoes the block's SETs */
    savepoints_pop_to(s, 0);
    bool big = s->ws.nrows >= TXN_TRIM_ROWS;
    ws_reset(&s->ws);
    end_snapshot(s);
    rowlock_release_all(s);   /* after the commit is visible: a waiter reads it */
    s->state = TXN_IDLE;
    s->block_read_only = false;
    s->xid = 0;
#ifdef __GLIBC__
    if (big) {
        i64 now = clock_mono_us(), last = __atomic_load_n(&last_trim_us, __ATOMIC_RELAXED);
        if ((last == 0 || now - last >= TXN_TRIM_EVERY_US) &&
            __atomic_compare_exchange_n(&last_trim_us, &last, now, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            malloc_trim(0);
    }
#else
    (void)big;
#endif
}

void driftdb_session_close(driftdb_session *s)
{
    if (!s) return;
    if (s->cur) driftdb_result_free(s->cur);
    if (s->act_registered) activity_unregister(s);
    wd_disarm(s->db->wd, s);
    txn_discard(s);
    rowlock_release_session(s);
    cursors_free(s);
    prepared_free_all(s);
    dd_free(s->savepoints);
    dd_free(s->undo);
    ws_free(&s->ws);
    ws_free(&s->temp);   /* the temporary tables end with the session */
    seqsession_free(&s->seqs);
    settings_free(s);
    arena_free(&s->lk_arena);
    arena_free(&s->stmt);
    arena_free(&s->row);
    arena_free(&s->tzarena);
    buf_free(&s->fail_notes);
    dd_free(s->user);
    while (s->role_ids) {
        RoleMemo *m = s->role_ids;
        s->role_ids = m->next;
        dd_free(m->name);
        dd_free(m);
    }
    dd_free(s->app);
    dd_free(s->client);
    dd_free(s->ssl_version);
    dd_free(s->ssl_cipher);
    dd_free(s->ssl_client_dn);
    dd_free(s->ssl_client_serial);
    dd_free(s->ssl_issuer_dn);
    dd_free(s->database);
    dd_free(s);
}

char driftdb_session_txn_status(const driftdb_session *s)
{
    return s->state == TXN_BLOCK ? 'T' : s->state == TXN_FAILED ? 'E' : 'I';
}

void driftdb_session_idle(driftdb_session *s)
{
    if (s->snap) snap_release(s->snap);
}

/* A block failed: the locks taken since its last savepoint go now (all of
 * them without one), as PostgreSQL's failed (sub)transaction's do; what a
 * ROLLBACK TO can bring back keeps its locks. */
static void rowlock_release_failed(driftdb_session *s)
{
    const Savepoint *sp = s->nsavepoints ? &s->savepoints[s->nsavepoints - 1] : NULL;
    rowlock_release_to(s, sp ? sp->lk_mark : NULL, sp ? &sp->lk_amark : NULL);
}

/* Whether each statement of the running transaction takes its own
 * snapshot (READ COMMITTED); never under SET TRANSACTION SNAPSHOT. */
static bool statement_snapshots(driftdb_session *s)
{
    if (s->state == TXN_BLOCK) return s->iso == ISO_READ_COMMITTED;   /* an imported snapshot is REPEATABLE READ's */
    return s->state == TXN_IMPLICIT && session_default_iso(s) == ISO_READ_COMMITTED;
}

/* Begins the transaction's snapshot: under SERIALIZABLE, unless the
 * transaction is read only, one that notes what is read (store/ssi.c). */
static int begin_snapshot(driftdb_session *s, DdError *e)
{
    bool block = s->state == TXN_BLOCK || s->state == TXN_FAILED;
    int iso = block ? s->iso : session_default_iso(s);
    bool ro = block ? s->block_read_only : session_default_read_only(s);
    if (iso == ISO_SERIALIZABLE && !ro) return store_snap_begin_serializable(s->db->store, &s->snap, e);
    return store_snap_begin(s->db->store, &s->snap, e);
}

/* Takes (or re-pins) the snapshot for a statement. */
static int ensure_snapshot(driftdb_session *s, DdError *e)
{
    if (s->snap) {
        snap_pin(s->snap);
        int rc = snap_check(s->snap, e);
        if (rc) snap_unpin(s->snap);
        return rc;
    }
    return begin_snapshot(s, e);
}

/* Commits the write set (if any) and ends the transaction's snapshot.
 * ctx: the statement's context when called at the end of a statement (its
 * snapshot is pinned), or NULL (COMMIT). */
static int lock_row_cb(SqlCtx *ctx, u32 table, const u8 *pk, u32 pklen, int mode, int wait, bool *changed,
                       bool *skipped);

static int txn_commit(driftdb_session *s, SqlCtx *ctx, DdError *e)
{
    int rc = DD_OK;
    bool wrote = false;   /* a commit went to the store */
    if (!ws_is_empty(&s->ws)) {
        if (!s->snap) rc = begin_snapshot(s, e);
        else snap_pin(s->snap);   /* no-op when already pinned */
        SqlCtx local;
        if (!rc && !ctx) {
            memset(&local, 0, sizeof(local));
            local.store = s->db->store;
            local.snap = s->snap;
            local.ws = &s->ws;
            local.stmt = &s->stmt;
            local.row = &s->row;
            local.vctx = s->vctx;
            local.vctx.arena = &s->stmt;
            local.err = e;
            /* the deferred foreign keys' checks lock the parent rows they
             * find, as the immediate ones do (a DELETE of one waits, or is
             * waited for) */
            local.session = s;
            if (!s->db->read_only) local.lock_row = lock_row_cb;
            local.restart_ok = (s->state == TXN_BLOCK ? s->iso : session_default_iso(s)) == ISO_READ_COMMITTED;
            local.ws_writes0 = s->ws.writes;
            ctx = &local;
        }
        WriteSet w;
        TempFold fold = {NULL, 0, false};
        if (!rc) rc = sql_build_commit(ctx, &s->ws, &w);
        /* the temporary tables' part cannot fail once the rest is durable */
        if (!rc && (rc = ws_fold_prepare(&s->ws, &fold))) dd_err(e, rc, -1, NULL);
        /* a pinned snapshot would block a map resize the writer may need */
        if (s->snap) snap_unpin(s->snap);
        /* a transaction that changed only temporary tables is no history:
         * no seq, no commit record, no flush */
        if (!rc && (w.nops || w.niops || w.ntables)) {
            w.user = s->user;
            w.application = driftdb_session_setting(s, "application_name");
            w.client_addr = s->client;
            if (s->snap && snap_is_serializable(s->snap)) w.serializable = s->snap;
            u64 seq;
            i64 t;
            rc = store_commit(s->db->store, &w, &seq, &t, e);
            if (!rc) s->last_commit_seq = seq;
            wrote = !rc;
        }
        if (!rc) {
            if (s->snap) snap_pin(s->snap);   /* the fold decodes rows */
            sql_fold_temp(ctx, &s->ws, &fold);
            if (s->snap) snap_unpin(s->snap);
        } else {
            ws_fold_cancel(&s->ws, &fold);
        }
    } else {
        /* nothing written: ON COMMIT DELETE ROWS and restarts of temporary
         * sequences only, if anything */
        TempFold fold;
        if ((rc = ws_fold_prepare(&s->ws, &fold))) dd_err(e, rc, -1, NULL);
        else sql_fold_temp(NULL, &s->ws, &fold);
    }
    if (!rc) rc = sql_apply_seq_restarts(s->db->store, &s->ws, e);
    /* committed: SETs stay, SET LOCALs end; failed: all are undone */
    if (!rc) settings_undo_to(s, 0, true);
    s->txn_committed = rc == DD_OK;
    txn_discard(s);
    /* an automatic checkpoint this or another commit made due, once the
     * transaction's locks and snapshot are gone (a transaction that wrote
     * nothing pays for none) */
    if (!rc && wrote) store_checkpoint_due(s->db->store);
    return rc;
}

/* ---------------------------------------------------------------- results */

/* A statement starts: the notices of the one that failed before go. */
static void forget_fail_notices(driftdb_session *s)
{
    buf_reset(&s->fail_notes);
    s->nfail_notes = 0;
}

static int result_new(driftdb_session *s, driftdb_result **out)
{
    driftdb_result *r = dd_calloc(1, sizeof(*r));
    if (!r) return DD_ENOMEM;
    r->s = s;
    r->ctx = &r->own;
    s->cur = r;
    *out = r;
    return DD_OK;
}

int driftdb_result_ncols(const driftdb_result *r) { return r->ncols; }
const char *driftdb_result_colname(const driftdb_result *r, int i) { return r->cols[i].name; }
/* The OID clients see for a column: an enum's (and an enum array's) is its
 * type's own (engine_int.h). */
static u32 api_type_oid(TypeId t, i32 typmod)
{
    if (type_has_etype(t) && typmod > 0) return (t == TYPE_ENUM ? ENUM_OID_BASE : ENUM_ARRAY_OID_BASE) + (u32)typmod;
    return type_oid(t);
}
uint32_t driftdb_result_coltype(const driftdb_result *r, int i) { return api_type_oid(r->cols[i].type, r->cols[i].typmod); }
int driftdb_result_coltyplen(const driftdb_result *r, int i) { return type_typlen(r->cols[i].type); }
/* PostgreSQL's atttypmod: varchar/char n + 4, numeric ((p << 16) | s) + 4 */
static i32 api_typmod(TypeId t, i32 tm)
{
    if (tm < 0) return -1;
    if (t == TYPE_VARCHAR || t == TYPE_BPCHAR || t == TYPE_NUMERIC) return tm + 4;
    /* a precision past 6 is 6 (PostgreSQL reduces it with a warning) */
    if (t == TYPE_TIME || t == TYPE_TIMETZ || t == TYPE_TIMESTAMP || t == TYPE_TIMESTAMPTZ) return tm > 6 ? 6 : tm;
    if (t == TYPE_INTERVAL) {
        int prec = interval_typmod_prec(tm);
        return interval_typmod(interval_typmod_range(tm), prec > 6 && prec != INTERVAL_FULL_PRECISION ? 6 : prec);
    }
    return -1;
}
int32_t driftdb_result_coltypmod(const driftdb_result *r, int i)
{
    return api_typmod(r->cols[i].type, r->cols[i].typmod);
}

void driftdb_result_set_binary(driftdb_result *r, int i, int binary)
{
    if (i >= 0 && i < r->ncols && r->binary) r->binary[i] = binary != 0;
}
int driftdb_result_has_rows(const driftdb_result *r) { return r->has_rows; }
const char *driftdb_result_tag(const driftdb_result *r) { return r->tag ? r->tag : ""; }

/* A notice's rank against client_min_messages: only those at least as
 * severe as the setting reach the client, as PostgreSQL. */
static int message_level(const char *name)
{
    static const char *const order[] = {"debug5", "debug4", "debug3", "debug2", "debug1", "log", "notice", "warning", "error"};
    for (size_t i = 0; name && i < DD_ARRAY_LEN(order); i++)
        if (strcasecmp(name, order[i]) == 0) return (int)i;
    return 6;   /* notice */
}

static bool notice_shown(const driftdb_result *r, const char *severity)
{
    if (!r->s) return true;
    int min = r->min_level ? r->min_level - 1 : message_level(driftdb_session_setting(r->s, "client_min_messages"));
    return message_level(severity ? severity : "notice") >= min;
}

static const char *notice_out(const char *msg, const char *sev, const char *state, const char **severity,
                              const char **sqlstate)
{
    if (severity) *severity = sev;
    if (sqlstate) *sqlstate = state;
    return msg;
}

const char *driftdb_result_notice_at(const driftdb_result *r, int i, const char **severity, const char **sqlstate)
{
    /* the statement's own notice first, then those its SQL raised */
    if (r->notice && notice_shown(r, r->notice_severity) && i-- == 0)
        return notice_out(r->notice, r->notice_severity, r->notice_state, severity, sqlstate);
    for (const SqlNote *n = r->ctx->notes; n; n = n->next)
        if (notice_shown(r, n->severity) && i-- == 0) return notice_out(n->msg, n->severity, n->state, severity, sqlstate);
    return notice_out(NULL, NULL, NULL, severity, sqlstate);
}

const char *driftdb_result_notice(const driftdb_result *r, const char **severity, const char **sqlstate)
{
    return driftdb_result_notice_at(r, 0, severity, sqlstate);
}

/* Keeps the notices of r, whose statement failed before its result was
 * handed out, for driftdb_session_notice_at (r is about to be freed).  Out
 * of memory loses them, never the error. */
static void keep_fail_notices(driftdb_session *s, const driftdb_result *r)
{
    const char *note, *sev, *state;
    for (int i = 0; (note = driftdb_result_notice_at(r, i, &sev, &state)) != NULL; i++) {
        buf_puts(&s->fail_notes, sev ? sev : "NOTICE");
        buf_putc(&s->fail_notes, 0);
        buf_puts(&s->fail_notes, state ? state : "00000");
        buf_putc(&s->fail_notes, 0);
        buf_puts(&s->fail_notes, note);
        buf_putc(&s->fail_notes, 0);
        s->nfail_notes++;
    }
    if (!buf_ok(&s->fail_notes)) forget_fail_notices(s);
}

const char *driftdb_session_notice_at(const driftdb_session *s, int i, const char **severity, const char **sqlstate)
{
    const char *p = (const char *)s->fail_notes.data;
    if (i < 0 || i >= s->nfail_notes) return notice_out(NULL, NULL, NULL, severity, sqlstate);
    for (; i > 0; i--)
        for (int f = 0; f < 3; f++) p += strlen(p) + 1;
    const char *state = p + strlen(p) + 1;
    return notice_out(state + strlen(state) + 1, p, state, severity, sqlstate);
}

static void result_warn(driftdb_result *r, const char *severity, const char *state, const char *msg)
{
    r->notice = msg;
    r->notice_severity = severity;
    r->notice_state = state;
}

/* The NOTICE / WARNING the plan raised (IF EXISTS skipping ...), once. */
static void result_plan_notice(driftdb_result *r, const Plan *p)
{
    const char *nstate;
    const char *note = plan_notice(p, &nstate);
    if (note && !r->notice) result_warn(r, nstate && strncmp(nstate, "01", 2) == 0 ? "WARNING" : "NOTICE", nstate, note);
}

/* Called when the rows are exhausted or the statement had none. */
static int result_finish(driftdb_result *r, DdError *e)
{
    driftdb_session *s = r->s;
    if (r->done) return DD_OK;
    r->done = true;
    int rc = DD_OK;
    if (r->plan) {
        r->tag = plan_tag(r->ctx, r->plan);
        plan_close(r->ctx, r->plan);
    }
    if (r->implicit) {
        /* an implicit commit is part of the statement: statement_timeout
         * and cancel still reach the work it does (building an index) */
        rc = txn_commit(s, r->ctx, e);
        if (rc) r->tag = NULL;
    } else if (s->snap) {
        snap_unpin(s->snap);
    }
    wd_disarm(s->db->wd, s);
    return rc;
}

/* A statement stopped by its cancel flag says why (s->err is the error
 * being reported): a user's cancel, statement_timeout, or a server
 * shutting down (FATAL 57P01, see dd_to_api_error). */
static void cancel_reason(driftdb_session *s)
{
    DdError *e = &s->err;
    if (e->code != DD_ECANCELED) return;
    if (s->cancel == CANCEL_TIMEOUT)
        snprintf(e->message, sizeof e->message, "canceling statement due to statement timeout");
    else if (s->cancel == CANCEL_TERMINATE || s->terminate) {
        memcpy(e->sqlstate, "57P01", 6);
        snprintf(e->message, sizeof e->message, "terminating connection due to administrator command");
    }
}

static void result_fail(driftdb_result *r)
{
    driftdb_session *s = r->s;
    /* its notices are shown as client_min_messages was when it failed
     * (failing undoes a SET of its implicit transaction) */
    r->min_level = 1 + message_level(driftdb_session_setting(s, "client_min_messages"));
    wd_disarm(s->db->wd, s);
    cancel_reason(s);
    r->failed = true;
    r->done = true;
    if (r->plan) plan_close(r->ctx, r->plan);
    if (s->state == TXN_BLOCK || s->state == TXN_FAILED) {
        /* in a block (already failed or not): it stays, failed, until
         * ROLLBACK; its row locks go now, as PostgreSQL's */
        s->state = TXN_FAILED;
        rowlock_release_failed(s);
        if (s->snap) snap_unpin(s->snap);
    } else {
        txn_discard(s);
    }
}

int driftdb_result_next(driftdb_result *r, driftdb_error *err)
{
    if (r->done) return 0;
    DdError *e = &r->s->err;
    dd_err_clear(e);
    const Value *row;
    int rc;
    if (r->rows) {
        if (r->rowpos >= r->nrows) rc = 0;
        else { row = r->rows + (size_t)r->rowpos++ * (size_t)r->ncols; rc = 1; }
    } else if (r->plan) {
        rc = plan_next(r->ctx, r->plan, &row);
    } else {
        rc = 0;
    }
    if (rc < 0) {
        if (e->code == DD_OK) dd_err(e, -rc, -1, NULL);
        result_fail(r);
        dd_to_api_error(e, err);
        return -1;
    }
    if (rc == 0) {
        int frc = result_finish(r, e);
        if (frc) {
            r->failed = true;
            dd_to_api_error(e, err);
            return -1;
        }
        return 0;
    }
    buf_reset(&r->text);
    ValueCtx vc = r->s->vctx;
    vc.arena = &r->s->row;
    vc.reg_out = cat_reg_out;   /* regclass ... print names from the statement's catalog */
    vc.reg_arg = r->ctx;
    for (int i = 0; i < r->ncols; i++) {
        r->offs[i] = r->text.len;
        r->nulls[i] = row[i].isnull;
        if (!row[i].isnull) {
            if (r->binary[i]) bin_send(&row[i], &vc, &r->text);   /* an enum's binary form is its label */
            else val_to_text(&row[i], &vc, &r->text);
        }
        r->lens[i] = r->text.len - r->offs[i];
        buf_putc(&r->text, 0);
    }
    if (!buf_ok(&r->text)) {
        dd_err(e, DD_ENOMEM, -1, NULL);
        result_fail(r);
        dd_to_api_error(e, err);
        return -1;
    }
    return 1;
}

const char *driftdb_result_value(driftdb_result *r, int i, size_t *len)
{
    if (i < 0 || i >= r->ncols || r->nulls[i]) { if (len) *len = 0; return NULL; }
    const char *p = (const char *)r->text.data + r->offs[i];
    if (len) *len = r->lens[i];
    return p;
}

int driftdb_result_close(driftdb_result *r, driftdb_error *err)
{
    if (!r || r->done) return 0;
    driftdb_session *s = r->s;
    wd_disarm(s->db->wd, s);
    /* abandoned before the end: the statement still completes its
     * transaction (an UPDATE ... RETURNING wrote when it opened) */
    DdError *e = &s->err;
    dd_err_clear(e);
    if (r->plan) plan_close(r->ctx, r->plan);
    r->plan = NULL;
    r->done = true;
    int rc = DD_OK;
    if (r->implicit) rc = txn_commit(s, NULL, e);
    else if (s->snap) snap_unpin(s->snap);
    if (rc) {
        r->failed = true;
        r->tag = NULL;
        dd_to_api_error(e, err);
        return -1;
    }
    return 0;
}

void driftdb_result_free(driftdb_result *r)
{
    if (!r) return;
    driftdb_session *s = r->s;
    wd_disarm(s->db->wd, s);
    if (!r->done) {
        driftdb_error err;
        (void)driftdb_result_close(r, &err);   /* callers that care closed it first */
    }
    activity_end(s);
    result_drop_cache(r);
    copy_free(r);
    buf_free(&r->text);
    dd_free(r->offs);
    dd_free(r->lens);
    dd_free(r->nulls);
    dd_free(r->binary);
    if (s->cur == r) s->cur = NULL;
    dd_free(r);
}

int session_result_cols(driftdb_result *r, const ColDesc *cols, int n);

static int result_set_cols(driftdb_result *r, const ColDesc *cols, int n)
{
    r->cols = cols;
    r->ncols = n;
    r->has_rows = true;
    r->offs = dd_calloc((size_t)(n ? n : 1), sizeof(size_t));
    r->lens = dd_calloc((size_t)(n ? n : 1), sizeof(size_t));
    r->nulls = dd_calloc((size_t)(n ? n : 1), sizeof(bool));
    r->binary = dd_calloc((size_t)(n ? n : 1), sizeof(bool));
    return (r->offs && r->lens && r->nulls && r->binary) ? DD_OK : DD_ENOMEM;
}

/* ---------------------------------------------------------------- statements */

static int run_txn(driftdb_session *s, TxnStmt *t, driftdb_result *r, DdError *e)
{
    switch (t->kind) {
    case TXN_BEGIN:
        r->tag = t->start ? "START TRANSACTION" : "BEGIN";
        if (s->state == TXN_IMPLICIT) {   /* the implicit block becomes a real one */
            s->state = TXN_BLOCK;
            s->block_read_only = t->read_only == 1 || (t->read_only == -1 && session_default_read_only(s));
            s->iso = t->isolation == 3 ? ISO_SERIALIZABLE : t->isolation == 2 ? ISO_REPEATABLE_READ
                     : t->isolation == 1 ? ISO_READ_COMMITTED : (u8)session_default_iso(s);
            return DD_OK;
        }
        if (s->state != TXN_IDLE) {   /* PostgreSQL: a WARNING, not an error */
            result_warn(r, "WARNING", "25001", "there is already a transaction in progress");
            return DD_OK;
        }
        s->state = TXN_BLOCK;
        s->iso = t->isolation == 3 ? ISO_SERIALIZABLE : t->isolation == 2 ? ISO_REPEATABLE_READ
                 : t->isolation == 1 ? ISO_READ_COMMITTED : (u8)session_default_iso(s);
        s->txn_time_us = clock_wall_us();
        s->block_read_only = t->read_only == 1 || (t->read_only == -1 && session_default_read_only(s));
        return DD_OK;
    case TXN_COMMIT:
        if (s->state == TXN_FAILED) { txn_discard(s); r->tag = "ROLLBACK"; return DD_OK; }
        r->tag = "COMMIT";
        if (s->state == TXN_IDLE) {
            result_warn(r, "WARNING", "25P01", "there is no transaction in progress");
            return DD_OK;
        }
        return txn_commit(s, NULL, e);
    case TXN_ROLLBACK:
        r->tag = "ROLLBACK";
        if (s->state == TXN_IDLE || s->state == TXN_IMPLICIT)
            result_warn(r, "WARNING", "25P01", "there is no transaction in progress");
        txn_discard(s);
        return DD_OK;
    default:
        break;
    }
    const char *what = t->kind == TXN_SAVEPOINT ? "SAVEPOINT" : t->kind == TXN_RELEASE ? "RELEASE SAVEPOINT"
                                                                                      : "ROLLBACK TO SAVEPOINT";
    if (s->state == TXN_IDLE || s->state == TXN_IMPLICIT)
        return dd_err(e, DD_ENO_ACTIVE_TXN, -1, "%s can only be used in transaction blocks", what);
    int k = s->nsavepoints - 1;
    if (t->kind != TXN_SAVEPOINT) {
        while (k >= 0 && strcmp(s->savepoints[k].name, t->savepoint) != 0) k--;
        if (k < 0) return dd_err(e, DD_ENO_SAVEPOINT, -1, "savepoint \"%s\" does not exist", t->savepoint);
    }
    switch (t->kind) {
    case TXN_SAVEPOINT: {
        r->tag = "SAVEPOINT";
        if (s->nsavepoints == s->capsavepoints) {
            int ncap = s->capsavepoints ? s->capsavepoints * 2 : 4;
            Savepoint *n = dd_realloc(s->savepoints, sizeof(Savepoint) * (size_t)ncap);
            if (!n) return dd_err(e, DD_ENOMEM, -1, NULL);
            s->savepoints = n;
            s->capsavepoints = ncap;
        }
        Savepoint *sp = &s->savepoints[s->nsavepoints];
        ws_init(&sp->ws);
        sp->nundo = s->nundo;
        sp->read_only = s->block_read_only;
        sp->lk_mark = s->lk_held;
        sp->lk_amark = arena_mark(&s->lk_arena);
        sp->name = dd_strdup(t->savepoint);
        int rc = sp->name ? ws_clone(&s->ws, &sp->ws) : DD_ENOMEM;
        if (rc) {
            ws_free(&sp->ws);
            dd_free(sp->name);
            return dd_err(e, rc, -1, NULL);
        }
        s->nsavepoints++;
        return DD_OK;
    }
    case TXN_RELEASE:
        r->tag = "RELEASE";
        savepoints_pop_to(s, k);
        return DD_OK;
    default: {
        /* ROLLBACK TO: back to the savepoint's write set; it stays defined */
        r->tag = "ROLLBACK";
        savepoints_pop_to(s, k + 1);
        cursors_rollback_to(s, k + 1);
        settings_undo_to(s, s->savepoints[k].nundo, false);
        s->block_read_only = s->savepoints[k].read_only;
        rowlock_release_to(s, s->savepoints[k].lk_mark, &s->savepoints[k].lk_amark);
        ws_reset(&s->ws);
        int rc = ws_clone(&s->savepoints[k].ws, &s->ws);
        if (rc) return dd_err(e, rc, -1, NULL);   /* the block fails (result_fail) */
        s->state = TXN_BLOCK;
        return DD_OK;
    }
    }
}

static int apply_setting(driftdb_session *s, const char *name, const char *value, bool is_local, DdError *e);

static int run_set(driftdb_session *s, SetStmt *st, driftdb_result *r, DdError *e)
{
    r->tag = st->reset ? "RESET" : "SET";
    if (st->reset && strcmp(st->name, "all") == 0) {
        if (s->state != TXN_IDLE) {
            /* remember every value, so that ROLLBACK brings them back */
            for (int i = 0; i < s->nsettings; i++) {
                char *old = dd_strdup(s->settings[i].value);
                if (!old) return dd_err(e, DD_ENOMEM, -1, NULL);
                int rc = settings_undo_push(s, s->settings[i].name, old, false);
                if (rc) return dd_err(e, rc, -1, NULL);
            }
        }
        return settings_reset_all(s, false, e);
    }
    if (strcmp(st->name, "transaction_snapshot") == 0) {
        /* SET TRANSACTION SNAPSHOT '@SEQ:n': the transaction reads the
         * database as it was at seq n (pg_export_snapshot's id), read only,
         * as SET LOCAL drift.system_time does */
        if (s->state != TXN_BLOCK)
            return dd_err(e, DD_ENO_ACTIVE_TXN, -1, "SET TRANSACTION SNAPSHOT can only be used in transaction blocks");
        /* PostgreSQL's order: before any query, then the level, then the id */
        if (s->snap || !ws_is_empty(&s->ws))
            return dd_err(e, DD_EFEATURE, -1, "SET TRANSACTION SNAPSHOT must be called before any query");
        if (s->iso == ISO_READ_COMMITTED)
            return dd_err(e, DD_EFEATURE, -1,
                          "a snapshot-importing transaction must have isolation level SERIALIZABLE or REPEATABLE READ");
        const char *v = st->value ? st->value : "";
        char *end = NULL;
        unsigned long long n = strncmp(v, "@SEQ:", 5) == 0 && v[5] >= '0' && v[5] <= '9' ? strtoull(v + 5, &end, 10) : 0;
        int rc = ensure_snapshot(s, e);
        if (rc) return rc;
        u64 head = snap_seq(s->snap);
        end_snapshot(s);   /* the transaction's reads start at the point, not here */
        if (!end || *end || n > head)
            return dd_err(e, DD_EINVALID_PARAM, -1, "invalid snapshot identifier: \"%s\"", v);
        return apply_setting(s, "drift.system_time", v, true, e);
    }
    if (strcasecmp(st->name, "drift.system_time") == 0 && st->value && st->value[0] &&
        strcasecmp(st->value, "default") != 0) {
        /* validate now: '@SEQ:n' or a timestamp */
        int rc = ensure_snapshot(s, e);
        if (rc) return rc;
        SqlCtx ctx;
        memset(&ctx, 0, sizeof(ctx));
        ctx.store = s->db->store;
        ctx.snap = s->snap;
        ctx.stmt = &s->stmt;
        ctx.row = &s->row;
        ctx.vctx = s->vctx;
        ctx.vctx.arena = &s->stmt;
        ctx.err = e;
        u64 seq;
        rc = sql_parse_point_text(&ctx, st->value, &seq);
        if (s->state == TXN_IDLE) end_snapshot(s);
        else snap_unpin(s->snap);
        if (rc) return rc;
    }
    bool in_txn = s->state != TXN_IDLE;
    if (strcmp(st->name, "constraints") == 0) {
        /* SET CONSTRAINTS: the transaction's, not a setting */
        r->tag = "SET CONSTRAINTS";
        if (!in_txn) {
            result_warn(r, "WARNING", "25P01", "SET CONSTRAINTS can only be used in transaction blocks");
            return DD_OK;
        }
        int rc = ensure_snapshot(s, e);
        if (rc) return rc;
        SqlCtx ctx;
        memset(&ctx, 0, sizeof(ctx));
        ctx.store = s->db->store;
        ctx.snap = s->snap;
        ctx.ws = &s->ws;
        ctx.stmt = &s->stmt;
        ctx.row = &s->row;
        ctx.vctx = s->vctx;
        ctx.vctx.arena = &s->stmt;
        ctx.err = e;
        rc = sql_set_constraints(&ctx, st->value);
        snap_unpin(s->snap);
        return rc;
    }
    /* SET LOCAL and SET TRANSACTION outside a transaction have no effect
     * (PostgreSQL warns) */
    if (st->is_local && !in_txn) {
        result_warn(r, "WARNING", "25P01", "SET LOCAL can only be used in transaction blocks");
        return DD_OK;
    }
    int rc = apply_setting(s, st->name, st->reset ? NULL : st->value, st->is_local, e);
    if (!rc && st->name2) rc = apply_setting(s, st->name2, st->value2, st->is_local, e);
    return rc;
}

/* SET [LOCAL] name = value (NULL: RESET) of an ordinary setting, kept for
 * ROLLBACK inside a transaction. */
static int apply_setting_in(driftdb_session *s, const char *name, const char *value, bool is_local, bool in_txn,
                            DdError *e)
{
    int prc = settings_check_privilege(s, name, e);
    if (prc) return prc;
    if (strcasecmp(name, "transaction_read_only") == 0 && in_txn && value) {
        s->block_read_only = strcasecmp(value, "on") == 0 || strcasecmp(value, "true") == 0;
    }
    if (in_txn && !is_local) {
        /* a plain SET after a SET LOCAL of the same name outlives the
         * transaction (PostgreSQL's GUC stack): the LOCAL entries become
         * ordinary ones */
        for (int i = 0; i < s->nundo; i++)
            if (s->undo[i].local && strcasecmp(s->undo[i].name, name) == 0) s->undo[i].local = false;
    }
    if (in_txn) {
        /* keep the value before, for ROLLBACK (and the end of SET LOCAL) */
        const char *cur = driftdb_session_setting(s, name);
        char *old = cur ? dd_strdup(cur) : NULL;
        if (cur && !old) return dd_err(e, DD_ENOMEM, -1, NULL);
        int rc = settings_set(s, name, value, e);
        if (rc) { dd_free(old); return rc; }
        return settings_undo_push(s, name, old, is_local);
    }
    return settings_set(s, name, value, e);
}

static int apply_setting(driftdb_session *s, const char *name, const char *value, bool is_local, DdError *e)
{
    return apply_setting_in(s, name, value, is_local, s->state != TXN_IDLE, e);
}

/* set_config(name, value, is_local) from SQL: as SET; is_local outside a
 * transaction block lasts the rest of the statement (its implicit
 * transaction's end undoes it).  The settings SET treats specially are
 * refused. */
static int set_config_cb(void *sess, const char *name, const char *value, bool is_local, DdError *e)
{
    driftdb_session *s = sess;
    if (!strcasecmp(name, "drift.system_time") || !strcasecmp(name, "constraints") ||
        !strcasecmp(name, "transaction_isolation") || !strcasecmp(name, "transaction_read_only") ||
        !strcasecmp(name, "all") || !strcasecmp(name, "session_authorization") || !strcasecmp(name, "role"))
        return dd_err(e, DD_EFEATURE, -1, "set_config() of \"%s\" is not supported: use SET", name);
    if (is_local && s->state == TXN_IDLE) return apply_setting_in(s, name, value, true, true, e);
    return apply_setting(s, name, value, is_local, e);
}

static int run_show(driftdb_session *s, ShowStmt *st, driftdb_result *r, DdError *e)
{
    r->tag = "SHOW";
    if (strcmp(st->name, "all") == 0) {
        r->owncols = arena_alloc(&s->stmt, sizeof(ColDesc) * 2);
        Value *rows = arena_alloc(&s->stmt, sizeof(Value) * 2 * (size_t)(s->nsettings + 1));
        if (!r->owncols || !rows) return DD_ENOMEM;
        r->owncols[0] = (ColDesc){.name = "name", .type = TYPE_TEXT, .typmod = -1};
        r->owncols[1] = (ColDesc){.name = "setting", .type = TYPE_TEXT, .typmod = -1};
        /* copies: a SET undone at the end of the transaction frees the originals */
        for (int i = 0; i < s->nsettings; i++) {
            char *n = arena_strdup(&s->stmt, s->settings[i].name), *v = arena_strdup(&s->stmt, s->settings[i].value);
            if (!n || !v) return DD_ENOMEM;
            rows[2 * i] = val_text(TYPE_TEXT, n, (u32)strlen(n));
            rows[2 * i + 1] = val_text(TYPE_TEXT, v, (u32)strlen(v));
        }
        r->rows = rows;
        r->nrows = s->nsettings;
        return result_set_cols(r, r->owncols, 2);
    }
    const char *v, *canon;
    int rc = settings_show(s, st->name, &canon, &v, e);
    if (rc) return rc;
    r->owncols = arena_alloc(&s->stmt, sizeof(ColDesc));
    Value *row = arena_alloc(&s->stmt, sizeof(Value));
    if (!r->owncols || !row) return DD_ENOMEM;
    r->owncols[0] = (ColDesc){.name = arena_strdup(&s->stmt, canon), .type = TYPE_TEXT, .typmod = -1};
    char *vc = arena_strdup(&s->stmt, v);   /* outlives an undone SET */
    if (!vc) return DD_ENOMEM;
    *row = val_text(TYPE_TEXT, vc, (u32)strlen(vc));
    r->rows = row;
    r->nrows = 1;
    return result_set_cols(r, r->owncols, 1);
}

static bool is_utility_show(ShowStmt *st)
{
    return strcmp(st->name, "tables") == 0 || strncmp(st->name, "columns:", 8) == 0;
}

static const char *session_setting_cb(void *sess, const char *name)
{
    return driftdb_session_setting((driftdb_session *)sess, name);
}

bool settings_nth(driftdb_session *s, int i, const char **name, const char **value, const char **boot, bool *readonly);
static bool setting_nth_cb(void *sess, int i, const char **name, const char **value, const char **boot, bool *readonly)
{
    return settings_nth((driftdb_session *)sess, i, name, value, boot, readonly);
}

/* Fills ctx for a statement of s over the snapshot (taken by the caller),
 * with memory from the arenas stmt and row. */
/* SqlCtx.lock_row: the row lock, then whether a commit since the
 * statement's snapshot changed the row (only read when one happened). */
static int lock_rows_cb(SqlCtx *ctx, u32 table, const u8 *const *pks, const u32 *lens, int n, int mode, int *done)
{
    return rowlock_try_many(ctx->session, table, pks, lens, n, mode, done, ctx->err);
}

static int lock_row_cb(SqlCtx *ctx, u32 table, const u8 *pk, u32 pklen, int mode, int wait, bool *changed,
                       bool *skipped)
{
    driftdb_session *s = ctx->session;
    *changed = *skipped = false;
    int rc;
    if (wait != LOCKWAIT_BLOCK || (s->lk_may_defer && ctx->ws->writes == ctx->ws_writes0)) {
        /* SKIP LOCKED, NOWAIT; or nothing written yet: wait with the plan
         * closed and the snapshot unpinned (run_sql), so that a map growth
         * is not held up */
        bool held;
        if ((rc = rowlock_try(s, table, pk, pklen, mode, &held, ctx->err))) return rc;
        if (held && wait == LOCKWAIT_SKIP) {
            *skipped = true;
            return DD_OK;
        }
        if (held && wait == LOCKWAIT_ERROR) return dd_err(ctx->err, DD_ELOCK_NOT_AVAILABLE, -1, "could not obtain lock on row");
        if (held) {
            dd_free(s->lk_pend_pk);
            if (!(s->lk_pend_pk = dd_malloc(pklen ? pklen : 1))) return dd_err(ctx->err, DD_ENOMEM, -1, NULL);
            memcpy(s->lk_pend_pk, pk, pklen);
            s->lk_pend_pklen = pklen;
            s->lk_pend_table = table;
            s->lk_pend_mode = mode;
            return DD_ESTATEMENT_WAIT;
        }
    } else {
        bool waited;
        if ((rc = rowlock_acquire(s, table, pk, pklen, mode, &waited, ctx->err))) return rc;
    }
    StoreStats st;
    store_stats(s->db->store, &st);
    if (st.head_seq <= snap_seq(ctx->snap)) return DD_OK;
    Snap *latest;
    if ((rc = store_snap_begin(s->db->store, &latest, ctx->err))) return rc;
    Version a, b;
    int ha = tget_present(ctx->snap, table, pk, pklen, &a), hb = tget_present(latest, table, pk, pklen, &b);
    *changed = ha != hb || (ha == 1 && a.start != b.start);
    store_snap_end(latest);
    return DD_OK;
}

static int lock_table_cb(SqlCtx *ctx, u32 table, int mode, int wait)
{
    driftdb_session *s = ctx->session;
    if (wait == LOCKWAIT_BLOCK && !(s->lk_may_defer && ctx->ws->writes == ctx->ws_writes0))
        return rowlock_table_acquire(s, table, mode, ctx->err);
    /* NOWAIT; or nothing written yet: wait with no plan open and the
     * snapshot unpinned, then plan again (run_sql) */
    bool held;
    int rc = rowlock_table_try(s, table, mode, &held, ctx->err);
    if (rc || !held) return rc;
    if (wait == LOCKWAIT_ERROR) return DD_ELOCK_NOT_AVAILABLE;   /* the caller words it */
    return rowlock_table_pending(s, table, mode) ? dd_err(ctx->err, DD_ENOMEM, -1, NULL) : DD_ESTATEMENT_WAIT;
}

static int advisory_cb(SqlCtx *ctx, int op, const u8 *key, bool shared, bool session, bool *ok)
{
    return rowlock_advisory(ctx->session, op, key, shared, session, ok, ctx->err);
}

/* Sets the fields of ctx that are the running statement's (all that
 * ctx_setup sets), leaving the others as they are: a kept plan's context
 * keeps what its planning left there (plan_from_cache). */
static int ctx_fill(driftdb_session *s, SqlCtx *ctx, const char *sql, Arena *stmt, Arena *row, DdError *e)
{
    int rc;
    ctx->store = s->db->store;
    ctx->snap = s->snap;
    ctx->ws = &s->ws;
    ctx->seqs = &s->seqs;
    ctx->stmt = stmt;
    ctx->row = row;
    ctx->vctx = s->vctx;
    ctx->vctx.arena = stmt;
    ctx->vctx.reg_out = cat_reg_out;
    ctx->vctx.reg_in = cat_reg_in;
    ctx->vctx.reg_arg = ctx;
    ctx->txn_time_us = s->txn_time_us;
    ctx->stmt_time_us = clock_wall_us();
    ctx->session_point = SEQ_NONE;
    ctx->user = s->user;
    ctx->client_addr = s->client;
    const char *role = session_hot(s, HOT_ROLE);
    ctx->role = role && strcmp(role, "none") != 0 ? role : NULL;
    ctx->user_id = s->user_id;
    ctx->user_known = s->user_known;
    ctx->role_known = ctx->role && memo_id(s, ctx->role, &ctx->role_id);
    ctx->database = s->database;
    ctx->backend_pid = s->backend_pid;
    ctx->last_commit_seq = s->last_commit_seq;
    ctx->xid = &s->xid;
    ctx->deparse = sql_deparse;
    ctx->deparse_view = sql_deparse_view;
    ctx->start_us = s->db->opened_us;
    ctx->setting = session_setting_cb;
    ctx->setting_nth = setting_nth_cb;
    ctx->activity_list = activity_list;
    ctx->backend_user = activity_backend_user;
    ctx->signal_backend = activity_signal;
    ctx->set_setting = set_config_cb;
    ctx->session = s;
    ctx->sql = sql;
    ctx->err = e;
    ctx->snap_retry = s->snap_retry_ok;
    if (!s->db->read_only) {
        ctx->lock_row = lock_row_cb;
        ctx->lock_rows = lock_rows_cb;
        ctx->lock_table = lock_table_cb;
    }
    ctx->advisory = advisory_cb;
    ctx->restart_ok = (s->state == TXN_BLOCK ? s->iso : session_default_iso(s)) == ISO_READ_COMMITTED;
    ctx->ws_writes0 = s->ws.writes;
    s->ws.stmt_seq = s->snap ? snap_seq(s->snap) : 0;   /* what the statement's writes are based on */
    if (!s->restarting) s->cancel = s->terminate ? CANCEL_TERMINATE : CANCEL_NONE;   /* a restart keeps a cancel or timeout */
    ctx->interrupt = &s->cancel;
    if (s->bind_n > 0) {
        /* the compiler may write inferred types: give it its own copy */
        ctx->param_types = arena_alloc(stmt, sizeof(TypeId) * (size_t)s->bind_n);
        if (!ctx->param_types) return dd_err(e, DD_ENOMEM, -1, NULL);
        memcpy(ctx->param_types, s->bind_types, sizeof(TypeId) * (size_t)s->bind_n);
        ctx->nparams = s->bind_n;
        ctx->params = s->bind_vals;
    }
    const char *point = session_hot(s, HOT_SYSTEM_TIME);
    if (point && point[0]) {
        u64 seq;
        rc = sql_parse_point_text(ctx, point, &seq);
        if (rc) return rc;
        ctx->session_point = seq;
    }
    ctx->read_only = s->db->read_only || s->block_read_only || ctx->session_point != SEQ_NONE ||
                     (s->state != TXN_BLOCK && session_default_read_only(s));
    return DD_OK;
}

static int ctx_setup(driftdb_session *s, SqlCtx *ctx, const char *sql, Arena *stmt, Arena *row, DdError *e)
{
    memset(ctx, 0, sizeof(*ctx));
    return ctx_fill(s, ctx, sql, stmt, row, e);
}

/* ---------------------------------------------------------------- kept plans */

/*
 * The plan of a prepared statement (driftdb_prepare), made at its second
 * run and run again by later Executes, as PostgreSQL's generic plans: made
 * with no parameter values (each $n is read as the statement runs), kept when
 * sql_plan_reusable says it may run again, and used while the catalog,
 * the session's settings and its user are as they were when it was made.
 * Its operators point at ctx, which each run sets up anew for its own
 * statement over what planning left in it (planned).  Not for a
 * transaction that changed the catalog or a session with temporary
 * tables (their definitions are the session's own), nor for a parameter
 * bound as an untyped literal.
 */
typedef struct PlanCache {
    Arena arena;          /* the plan, and whatever planning made */
    Stmt *stmt;           /* the parse it was planned from (in arena) */
    SqlCtx ctx;           /* the context its operators run with */
    SqlCtx planned;       /* ctx as planning left it */
    Plan *plan;
    u64 cat_gen, cat_newest;   /* store_catalog_version when it was made */
    u64 settings;         /* driftdb_session_settings_version */
    u32 user_id;
    bool user_known;
    bool busy;            /* a result runs it */
} PlanCache;

static void plan_cache_free(PlanCache *pc)
{
    if (!pc) return;
    arena_free(&pc->arena);
    dd_free(pc);
}

/* Whether the statement being run may use or make a kept plan. */
static bool plan_cache_allowed(driftdb_session *s, const Stmt *stmt)
{
    driftdb_stmt *st = s->bind_stmt;
    /* from its second run on: a statement run once (an unnamed one, as
     * many drivers send) is planned once */
    if (!st || stmt != s->bind_top || st->no_cache || stmt->kind != STMT_SELECT || (!st->cache && !st->custom_plans))
        return false;
    if (s->ws.ntables || s->ws.nrestarts || s->temp.ntables) return false;
    if (session_hot(s, HOT_SYSTEM_TIME)[0]) return false;   /* every table read at that point, while it is set */
    const char *mode = session_hot(s, HOT_PLAN_CACHE_MODE);
    if (mode && strcmp(mode, "force_custom_plan") == 0) return false;
    for (int i = 0; i < st->nparams; i++)
        if (st->puntyped[i] || (!s->bind_vals[i].isnull && s->bind_vals[i].type != st->ptypes[i])) return false;
    return true;
}

/* Makes the kept plan of s->bind_stmt, from its own parse of the text
 * (the plan points into it); NULL when it cannot be kept: the statement
 * is then planned as usual, which reports any error. */
static PlanCache *plan_cache_make(driftdb_session *s, const char *sql, u64 gen, u64 newest)
{
    driftdb_stmt *st = s->bind_stmt;
    PlanCache *pc = dd_calloc(1, sizeof(*pc));
    if (!pc) return NULL;
    arena_init(&pc->arena, 8192);
    SqlCtx *c = &pc->ctx;
    DdError saved = s->err;
    size_t next = st->len;
    int rc = parse_statement(st->sql, st->len, 0, &pc->arena, &pc->stmt, &next, &s->err);
    if (!rc && !pc->stmt) rc = DD_EINTERNAL;
    if (!rc) rc = ctx_setup(s, c, sql, &pc->arena, &s->row, &s->err);
    Plan *p = NULL;
    if (!rc) {
        c->params = NULL;   /* planned for any values */
        c->plan_mem = &pc->arena;
        rc = sql_prepare(c, pc->stmt, &p);
    }
    if (rc || !sql_plan_reusable(c, p)) {
        if (!rc) st->no_cache = true;   /* its shape will not change */
        s->err = saved;
        plan_cache_free(pc);
        return NULL;
    }
    pc->plan = p;
    pc->planned = *c;
    pc->cat_gen = gen;
    pc->cat_newest = newest;
    pc->settings = driftdb_session_settings_version(s);
    pc->user_id = s->user_id;
    pc->user_known = s->user_known;
    return pc;
}

/* *stmtp as a parse of the prepared statement's text of its own, in the
 * statement arena, when it is its kept plan's (which may go, and which a
 * planning must not change). */
static int stmt_own(driftdb_session *s, Stmt **stmtp, DdError *e)
{
    if (!s->bind_kept_stmt) return DD_OK;
    driftdb_stmt *st = s->bind_stmt;
    size_t next = st->len;
    Stmt *fresh = NULL;
    int rc = parse_statement(st->sql, st->len, 0, &s->stmt, &fresh, &next, e);
    if (!rc && !fresh) rc = dd_err(e, DD_EINTERNAL, -1, "prepared statement text changed");
    if (rc) return rc;
    *stmtp = fresh;
    s->bind_kept_stmt = false;
    return DD_OK;
}

/* The kept plan of the prepared statement being run, set up for this run
 * in r (*out NULL: plan the statement as usual, *stmtp then the run's own
 * parse). */
static int plan_from_cache(driftdb_session *s, Stmt **stmtp, const char *sql, driftdb_result *r, Plan **out,
                           DdError *e)
{
    *out = NULL;
    driftdb_stmt *st = s->bind_stmt;
    PlanCache *pc = st ? st->cache : NULL;
    bool use = plan_cache_allowed(s, *stmtp);
    Stmt *run = *stmtp;
    u64 gen = 0, newest = 0;
    if (use) {
        store_catalog_version(s->db->store, &gen, &newest);
        /* a snapshot from before the newest catalog change sees another
         * catalog; a busy plan is another portal's */
        use = s->snap && snap_seq(s->snap) >= newest && !(pc && pc->busy);
    }
    bool valid = use && pc && pc->cat_gen == gen && pc->cat_newest == newest &&
                 pc->settings == driftdb_session_settings_version(s) && pc->user_id == s->user_id &&
                 pc->user_known == s->user_known;
    if (!valid && run == s->bind_top) {
        int rc = stmt_own(s, stmtp, e);
        if (rc) return rc;
    }
    if (!use) return DD_OK;
    if (pc && !valid) {
        plan_cache_free(pc);
        st->cache = pc = NULL;
    }
    if (!pc && !(st->cache = pc = plan_cache_make(s, sql, gen, newest))) return DD_OK;
    SqlCtx *c = &pc->ctx;
    *c = pc->planned;
    int rc = ctx_fill(s, c, sql, &s->stmt, &s->row, e);
    if (rc) return rc;
    c->plan_mem = &pc->arena;
    /* what a run gathers starts empty */
    c->notes = c->notes_tail = NULL;
    c->nnotes = 0;
    c->outer_rows = NULL;
    c->nouter = c->capouter = 0;
    c->links = NULL;
    c->aclc = NULL;
    c->work_mem_bytes = 0;
    sql_plan_rearm(pc->plan);
    pc->busy = true;
    r->ctx = c;
    r->cache = pc;
    r->cache_st = st;
    st->refs++;
    *out = pc->plan;
    return DD_OK;
}

/* r lets go of the kept plan it ran: the statement's context again. */
static void result_drop_cache(driftdb_result *r)
{
    if (!r->cache) return;
    r->cache->busy = false;
    r->cache = NULL;
    r->ctx = &r->own;
    driftdb_stmt_free(r->cache_st);
    r->cache_st = NULL;
}

/* statement_timeout in ms (settings.c keeps it as PostgreSQL shows it:
 * "0", "1500ms", "2s", "5min", "1h", "1d"). */
i64 settings_ms(const char *value);

/* Starts the statement's clock when statement_timeout is set. */
static int session_arm_timeout(driftdb_session *s, DdError *e)
{
    const char *v = session_hot(s, HOT_STATEMENT_TIMEOUT);
    if (!v || (v[0] == '0' && !v[1])) return DD_OK;
    i64 ms = settings_ms(v);
    if (ms <= 0) return DD_OK;
    int rc = wd_arm(s->db->wd, s, ms);
    if (rc) return dd_err(e, rc, -1, "cannot start the statement_timeout watchdog");
    return DD_OK;
}

/* The statement's analysis met a time point that a commit in flight when
 * its snapshot was taken falls before (store_seq_at_time_ex): it has read
 * nothing and written nothing, so it starts again on a snapshot that holds
 * that commit, where the point stands for good. */
static int retake_snapshot(driftdb_session *s, SqlCtx *ctx, const char *sql, DdError *e)
{
    end_snapshot(s);
    s->snap_retry_ok = false;
    int rc = ensure_snapshot(s, e);
    if (!rc) rc = ctx_setup(s, ctx, sql, &s->stmt, &s->row, e);
    return rc;
}

/* A statement that writes fails in a read-only transaction (25006). */
static int check_writes(SqlCtx *ctx, const Stmt *stmt, DdError *e)
{
    int rc;
    /* EXPLAIN ANALYZE runs its statement: it writes as that statement */
    const Stmt *w = stmt->kind == STMT_EXPLAIN && stmt->u.explain.analyze ? stmt->u.explain.stmt : stmt;
    const char *writes = w->kind == STMT_INSERT ? "INSERT" : w->kind == STMT_UPDATE ? "UPDATE"
                       : w->kind == STMT_MERGE ? "MERGE"
                       : w->kind == STMT_DELETE ? "DELETE" : w->kind == STMT_TRUNCATE ? "TRUNCATE TABLE"
                       : w->kind == STMT_CREATE_TABLE ? "CREATE TABLE"
                       : w->kind == STMT_DROP_TABLE ? "DROP TABLE" : w->kind == STMT_ALTER_TABLE ? "ALTER TABLE"
                       : w->kind == STMT_CREATE_VIEW ? "CREATE VIEW" : w->kind == STMT_DROP_VIEW ? "DROP VIEW"
                       : w->kind == STMT_CREATE_SEQUENCE ? "CREATE SEQUENCE"
                       : w->kind == STMT_ALTER_SEQUENCE ? "ALTER SEQUENCE"
                       : w->kind == STMT_DROP_SEQUENCE ? "DROP SEQUENCE"
                       : w->kind == STMT_DELETE_HISTORY ? "DELETE HISTORY" : w->kind == STMT_ERASE ? "ERASE"
                       : NULL;
    /* the DML target of the statement: a temporary table may be written
     * in a read-only transaction, as in PostgreSQL (and under
     * drift.system_time: it is no part of the database's history) */
    const char *target = w->kind == STMT_INSERT ? w->u.insert->table
                       : w->kind == STMT_UPDATE ? w->u.update->table
                       : w->kind == STMT_DELETE ? w->u.delete_->table
                       : w->kind == STMT_MERGE ? w->u.merge->table : NULL;
    if (target && resolve_temp_present(ctx, target)) writes = NULL;
    if (!writes && sql_dml_cte(w)) writes = "SELECT";   /* WITH d AS (DELETE ...) SELECT ...: as PostgreSQL says it */
    if (w->kind == STMT_DROP_TABLE && w->u.drop->discard_temp) writes = NULL;   /* PostgreSQL allows it */
    if (ctx->read_only && writes) {
        rc = dd_err(e, DD_EREAD_ONLY_TXN, stmt->loc, "cannot execute %s in a read-only transaction", writes);
        if (ctx->session_point != SEQ_NONE)
            dd_err_hint(e, "drift.system_time is set; RESET drift.system_time to write.");
        return rc;
    }
    return DD_OK;
}

/* For what must be a transaction of its own (VACUUM, DELETE HISTORY,
 * ERASE), as PostgreSQL's PreventInTransactionBlock: in a block, in a
 * string of several statements, or after other statements of the same
 * extended-protocol sync (a pipeline); the first Execute after a sync is
 * alone. */
static bool in_txn_block(const driftdb_session *s)
{
    return s->state == TXN_BLOCK || s->state == TXN_FAILED || (s->state == TXN_IMPLICIT && !s->bind_opened);
}

/* Runs a statement through the SQL layer. */
static int run_sql(driftdb_session *s, Stmt *stmt, const char *sql, driftdb_result *r, DdError *e)
{
    /* autocommit: a lone statement, or the last of an implicit block */
    bool implicit = s->state == TXN_IDLE || (s->state == TXN_IMPLICIT && s->stmt_last);
    if (s->state == TXN_IDLE && !s->txn_time_kept) s->txn_time_us = clock_wall_us();
    s->txn_time_kept = false;
    /* READ COMMITTED: every statement of a transaction reads a snapshot
     * of its own (what the transaction wrote stays, each row with the
     * snapshot it was written on: WsRow.base_seq) */
    if (s->snap && statement_snapshots(s)) end_snapshot(s);
    /* a statement that takes the snapshot itself may take it again once
     * (SqlCtx.snap_retry) */
    s->snap_retry_ok = !s->snap;
    int rc = ensure_snapshot(s, e);
    if (rc) return rc;
    /* a prepared query's kept plan comes with its context, set up */
    Plan *p = NULL;
    bool top = s->bind_stmt && stmt == s->bind_top;   /* a portal's own statement */
    rc = plan_from_cache(s, &stmt, sql, r, &p, e);
    SqlCtx *ctx = r->ctx;
    if (!rc && !p) {
        rc = ctx_setup(s, ctx, sql, &s->stmt, &s->row, e);
        if (rc == DD_ESNAPSHOT_RETRY) rc = retake_snapshot(s, ctx, sql, e);
    }
    s->snap_retry_ok = false;
    if (rc) return rc;
    rc = session_arm_timeout(s, e);
    if (!rc && !p) rc = check_writes(ctx, stmt, e);   /* a kept plan is a query's */
    if (rc) return rc;
    r->implicit = implicit;
    s->lk_may_defer = true;   /* a lock another transaction holds is waited for with no plan open */
    /* READ COMMITTED in a transaction that has written: what the statement
     * writes can be put back if it has to run again (ws_undo_to_mark) */
    if (ctx->restart_ok && s->ws.writes > 0) ws_mark(&s->ws);
    if (top) {
        if (p) s->bind_stmt->generic_plans++;
        else s->bind_stmt->custom_plans++;
    }
    if (!p) {
        rc = sql_prepare(ctx, stmt, &p);
        if (rc == DD_ESNAPSHOT_RETRY && !(rc = retake_snapshot(s, ctx, sql, e))) rc = sql_prepare(ctx, stmt, &p);
    }
    if (!rc) {
        r->plan = p;
        result_plan_notice(r, p);
        ctx->lock_restartable = true;
        rc = plan_open(ctx, p);
    }
    /* The statement runs again, keeping the locks it has: it met a table
     * or row another transaction holds (WAIT: it waits for it first, plan
     * closed and snapshot unpinned), or, READ COMMITTED, a row changed
     * since its snapshot (RESTART); it has written nothing either way, or
     * only rows of a transaction that had written nothing before it,
     * which go (restart_discard).  READ COMMITTED takes a new snapshot,
     * REPEATABLE READ keeps its own (the row then found changed is 40001). */
    for (int tries = 0; rc == DD_ESTATEMENT_RESTART || rc == DD_ESTATEMENT_WAIT; tries++) {
        bool wait = rc == DD_ESTATEMENT_WAIT;
        bool fresh = ctx->restart_ok;
        if (r->plan) plan_close(ctx, p);
        r->plan = NULL;
        if (r->cache) {   /* planned as usual from here, from a parse of its own */
            result_drop_cache(r);
            ctx = r->ctx;
            if ((rc = stmt_own(s, &stmt, e))) break;
        }
        /* the rows this run wrote go: the next run writes them anew (the
         * transaction had written nothing before the statement, or what
         * it had is put back as it was at the statement's start) */
        if (ctx->restart_discard) ws_reset(&s->ws);
        else if (ctx->restart_undo) ws_undo_to_mark(&s->ws);
        if (tries == 100) {
            rc = dd_err(e, DD_ESERIALIZATION, -1, "could not serialize access due to concurrent update");
            break;
        }
        if (wait) {
            bool waited;
            if (s->snap) snap_unpin(s->snap);
            rc = rowlock_acquire(s, s->lk_pend_table, s->lk_pend_pk, s->lk_pend_pklen, s->lk_pend_mode, &waited, e);
            dd_free(s->lk_pend_pk);
            s->lk_pend_pk = NULL;
            if (rc) break;
        }
        if (fresh) end_snapshot(s);
        s->restarting = true;   /* a cancel or statement_timeout that came stays */
        rc = ensure_snapshot(s, e);
        if (!rc) rc = ctx_setup(s, ctx, sql, &s->stmt, &s->row, e);
        s->restarting = false;
        if (rc) break;
        if ((rc = sql_prepare(ctx, stmt, &p))) continue;   /* a WAIT again: the loop waits; else the error */
        r->plan = p;
        result_plan_notice(r, p);
        ctx->lock_restartable = true;
        rc = plan_open(ctx, p);
    }
    s->lk_may_defer = false;
    ctx->lock_restartable = false;
    ws_unmark(&s->ws);
    if (rc) return rc;
    if (plan_returns_rows(p)) {
        const ColDesc *cols;
        int n = plan_columns(p, &cols);
        return result_set_cols(r, cols, n);
    }
    return result_finish(r, e);
}

int session_run_sql(driftdb_session *s, Stmt *stmt, const char *sql, driftdb_result *r, DdError *e)
{
    return run_sql(s, stmt, sql, r, e);
}

/* ---- for COPY FROM (copy.c) ---- */

int session_copy_begin(driftdb_session *s, const char *table, driftdb_result *r, DdError *e)
{
    r->implicit = s->state == TXN_IDLE || (s->state == TXN_IMPLICIT && s->stmt_last);
    if (s->state == TXN_IDLE) s->txn_time_us = clock_wall_us();
    int rc = ensure_snapshot(s, e);
    if (rc) return rc;
    /* the context result_finish commits with */
    rc = ctx_setup(s, r->ctx, "", &s->stmt, &s->row, e);
    if (rc) return rc;
    if ((s->db->read_only || s->block_read_only) && !resolve_temp_present(r->ctx, table))
        return dd_err(e, DD_EREAD_ONLY_TXN, -1, "cannot execute COPY FROM in a read-only transaction");
    s->cancel = s->terminate ? CANCEL_TERMINATE : CANCEL_NONE;
    return session_arm_timeout(s, e);
}

int session_copy_columns(driftdb_session *s, const char *table, char *const *cols, int n, const char ***out, int *nout,
                         DdError *e)
{
    SqlCtx ctx;
    int pending = s->cancel;
    int rc = ctx_setup(s, &ctx, "", &s->stmt, &s->row, e);
    s->cancel = pending;
    if (rc) return rc;
    /* outside a transaction (COPY TO before its query runs): a snapshot of
     * its own for the catalog; the names it gives are copied out of it */
    Snap *own = NULL;
    if (!ctx.snap) {
        if ((rc = store_snap_begin(s->db->store, &own, e))) return rc;
        ctx.snap = own;
    }
    rc = sql_copy_columns(&ctx, table, cols, n, out, nout);
    for (int i = 0; !rc && own && *out && i < *nout; i++)
        if (!((*out)[i] = arena_strdup(&s->stmt, (*out)[i]))) rc = dd_err(e, DD_ENOMEM, -1, NULL);
    if (own) store_snap_end(own);
    return rc;
}

int session_describe(driftdb_session *s, Stmt *stmt, const char *sql, const ColDesc **cols, int *n, DdError *e)
{
    SqlCtx ctx;
    int pending = s->cancel;
    int rc = ctx_setup(s, &ctx, sql, &s->stmt, &s->row, e);
    s->cancel = pending;
    ctx.acl_off = true;
    ctx.lock_table = NULL;   /* a description takes no locks */
    Plan *p;
    if (!rc) rc = sql_prepare(&ctx, stmt, &p);
    if (rc) return rc;
    *n = plan_columns(p, cols);
    return DD_OK;
}

int session_run_dml(driftdb_session *s, Stmt *stmt, const char *sql, TypeId *types, const Value *vals, int n,
                    Arena *sa, Arena *ra, u64 *count, DdError *e)
{
    SqlCtx ctx;
    int pending = s->cancel;   /* ctx_setup starts a statement: keep a cancel that came meanwhile */
    s->bind_types = types;
    s->bind_vals = vals;
    s->bind_n = n;
    int rc = ctx_setup(s, &ctx, sql, sa, ra, e);
    s->bind_types = NULL;
    s->bind_vals = NULL;
    s->bind_n = 0;
    if (pending) s->cancel = pending;
    if (rc) return rc;
    if (s->cancel) return sql_check_interrupt(&ctx);
    Plan *p;
    rc = sql_prepare(&ctx, stmt, &p);
    if (rc) return rc;
    rc = plan_open(&ctx, p);
    if (!rc) {
        const char *tag = plan_tag(&ctx, p);   /* "INSERT 0 n" */
        const char *sp = tag ? strrchr(tag, ' ') : NULL;
        *count += sp ? strtoull(sp + 1, NULL, 10) : 0;
    }
    plan_close(&ctx, p);
    return rc;
}

int session_copy_prepare(driftdb_session *s, SqlCtx *ctx, Stmt *stmt, const char *sql, TypeId *types, int n,
                         Plan **out, DdError *e)
{
    *out = NULL;
    int pending = s->cancel;
    s->bind_types = types;
    s->bind_n = n;
    int rc = ctx_setup(s, ctx, sql, &s->stmt, &s->row, e);
    s->bind_types = NULL;
    s->bind_n = 0;
    if (pending) s->cancel = pending;
    Plan *p;
    if (!rc) rc = sql_prepare(ctx, stmt, &p);
    if (!rc && sql_insert_rows_ok(p)) *out = p;
    return rc;
}

int session_copy_rows(driftdb_session *s, SqlCtx *ctx, Plan *p, const Value *vals, int nrows, Arena *batch,
                      UniqueSets **uniq, u64 *count, int *bad, DdError *e)
{
    *bad = -1;
    ctx->err = e;
    if (s->cancel) return sql_check_interrupt(ctx);
    Arena *keep = ctx->stmt;
    ctx->stmt = batch;
    ctx->vctx.arena = batch;
    int rc = sql_insert_rows(ctx, p, vals, nrows, keep, uniq, count, bad);
    ctx->stmt = keep;
    ctx->vctx.arena = keep;
    return rc;
}

int session_result_finish(driftdb_result *r, DdError *e) { return result_finish(r, e); }
int session_result_cols(driftdb_result *r, const ColDesc *cols, int n) { return result_set_cols(r, cols, n); }
void session_result_fail(driftdb_result *r) { if (!r->done) result_fail(r); }

/* Whether only ';', white space and comments follow byte off of sql. */
static bool rest_is_empty(Arena *a, const char *sql, size_t len, size_t off)
{
    Lexer lx;
    Token t;
    lex_init(&lx, sql, len, off, a);
    for (;;) {
        if (lex_next(&lx, &t, NULL)) return false;   /* a bad token is a statement too */
        if (t.kind != TOK_SEMI) return t.kind == TOK_EOF;
    }
}

static int exec_parsed(driftdb_session *s, Stmt *stmt, const char *sql, driftdb_result **out,
                       driftdb_error *err);

int driftdb_exec_next(driftdb_session *s, const char *sql, size_t *offset, driftdb_result **out,
                      driftdb_error *err)
{
    DdError *e = &s->err;
    dd_err_clear(e);
    if (s->cur) driftdb_result_free(s->cur);
    forget_fail_notices(s);
    if (*offset == 0 && s->state == TXN_IMPLICIT) {
        /* the caller left the previous string before its end: what ran of
         * it is committed, as if it had ended there */
        if (txn_commit(s, NULL, e)) {
            dd_to_api_error(e, err);
            return DRIFTDB_ERROR;
        }
    }
    if (s->state == TXN_IDLE) ws_temp_tidy(&s->ws);
    arena_reset(&s->stmt);
    arena_reset(&s->row);
    size_t len;
    if (*offset > 0 && sql == s->last_sql) {
        len = s->last_len;   /* the same text, one statement further */
    } else {
        len = strlen(sql);
        s->last_sql = sql;
        s->last_len = len;
    }
    if (*offset >= len) return DRIFTDB_DONE;
    if (*offset == 0) {
        size_t bad = utf8_invalid_at(sql, len);
        if (bad < len) {
            dd_err(e, DD_EBAD_ENCODING, -1, "invalid byte sequence for encoding \"UTF8\": 0x%02x",
                   (unsigned char)sql[bad]);
            *offset = len;
            dd_to_api_error(e, err);
            return DRIFTDB_ERROR;
        }
    }
    Stmt *stmt = NULL;
    size_t next = len;
    bool first = *offset == 0;
    int rc = parse_statement(sql, len, *offset, &s->stmt, &stmt, &next, e);
    *offset = next;
    if (!rc && stmt && first && !rest_is_empty(&s->row, sql, len, next)) {
        /* PostgreSQL parses a whole query string before it runs any of
         * it: a syntax error anywhere means nothing runs */
        size_t o = next;
        for (;;) {
            Stmt *st = NULL;
            size_t nx = len;
            arena_reset(&s->row);
            rc = parse_statement(sql, len, o, &s->row, &st, &nx, e);
            if (rc || !st) break;
            o = nx;
        }
        arena_reset(&s->row);
        if (rc) *offset = len;
    }
    if (rc) {
        if (s->state == TXN_BLOCK) s->state = TXN_FAILED;
        if (s->state == TXN_IMPLICIT) txn_discard(s);
        dd_to_api_error(e, err);
        return DRIFTDB_ERROR;
    }
    if (!stmt) {
        if (s->state == TXN_IMPLICIT && txn_commit(s, NULL, e)) {
            dd_to_api_error(e, err);
            return DRIFTDB_ERROR;
        }
        return DRIFTDB_DONE;
    }
    s->stmt_last = rest_is_empty(&s->row, sql, len, next);
    if (s->state == TXN_IDLE && !s->stmt_last && stmt->kind != STMT_TXN) {
        /* more statements follow in this string: one implicit transaction */
        s->state = TXN_IMPLICIT;
        s->txn_time_us = clock_wall_us();
    }
    return exec_parsed(s, stmt, sql, out, err);
}

/* Runs a parsed statement (driftdb_exec_next, driftdb_portal_exec). */
static int exec_parsed(driftdb_session *s, Stmt *stmt, const char *sql, driftdb_result **out,
                       driftdb_error *err)
{
    DdError *e = &s->err;
    int rc;
    if (s->terminate) {   /* driftdb_session_terminate: nothing runs any more */
        dd_err(e, DD_ECANCELED, -1, NULL);
        cancel_reason(s);
        dd_to_api_error(e, err);
        return DRIFTDB_ERROR;
    }
    if (s->state == TXN_FAILED &&
        !(stmt->kind == STMT_TXN && (stmt->u.txn->kind == TXN_COMMIT || stmt->u.txn->kind == TXN_ROLLBACK ||
                                     stmt->u.txn->kind == TXN_ROLLBACK_TO))) {
        dd_err(e, DD_EIN_FAILED_TXN, -1, NULL);
        dd_to_api_error(e, err);
        return DRIFTDB_ERROR;
    }
    driftdb_result *r;
    activity_begin(s, sql, strnlen(sql, ACT_QUERY_MAX));
    rc = result_new(s, &r);
    if (rc) {
        activity_end(s);
        dd_err(e, rc, -1, NULL);
        dd_to_api_error(e, err);
        return DRIFTDB_ERROR;
    }
    rc = run_stmt(s, stmt, sql, r, e);
    /* the last statement of an implicit block that is not run by the SQL
     * layer (SET, SHOW, ...) commits the block here */
    if (!rc && s->stmt_last && s->state == TXN_IMPLICIT && !r->implicit) rc = txn_commit(s, NULL, e);
    if (rc) {
        if (e->code == DD_OK) dd_err(e, rc, -1, NULL);
        if (!r->failed) result_fail(r);
        keep_fail_notices(s, r);   /* raised before the error: the client still gets them */
        driftdb_result_free(r);
        dd_to_api_error(e, err);
        return DRIFTDB_ERROR;
    }
    *out = r;
    return DRIFTDB_ROW_RESULT;
}

/* Runs one statement into r (exec_parsed, EXECUTE). */
static int run_stmt(driftdb_session *s, Stmt *stmt, const char *sql, driftdb_result *r, DdError *e)
{
    int rc;
    switch (stmt->kind) {
    case STMT_TXN: rc = run_txn(s, stmt->u.txn, r, e); r->done = true; break;
    case STMT_SET: rc = run_set(s, stmt->u.set, r, e); r->done = true; break;
    case STMT_SHOW:
        if (is_utility_show(stmt->u.show)) { rc = run_sql(s, stmt, sql, r, e); break; }
        rc = run_show(s, stmt->u.show, r, e);
        break;
    case STMT_COPY: rc = copy_run(s, stmt->u.copy, sql, r, e); break;
    case STMT_DECLARE: rc = cursor_declare(s, stmt, sql, r, e); break;
    case STMT_FETCH: rc = cursor_fetch(s, stmt, r, e); if (!rc && !r->has_rows) r->done = true; break;
    case STMT_CLOSE: rc = cursor_close(s, stmt, r, e); r->done = true; break;
    case STMT_LOCK:
        if (s->state != TXN_BLOCK) {
            rc = dd_err(e, DD_ENO_ACTIVE_TXN, -1, "LOCK TABLE can only be used in transaction blocks");
            break;
        }
        rc = run_sql(s, stmt, sql, r, e);
        break;
    case STMT_PREPARE: rc = run_prepare(s, stmt, sql, r, e); break;
    case STMT_EXECUTE: rc = run_execute(s, stmt, sql, r, e); break;
    case STMT_DEALLOCATE: rc = run_deallocate(s, stmt, r, e); r->done = true; break;
    case STMT_DISCARD: rc = run_discard(s, stmt, sql, r, e); r->done = true; break;
    case STMT_DELETE_HISTORY:
    case STMT_ERASE:
        /* each is a commit of its own, as VACUUM runs outside one */
        if (in_txn_block(s)) {
            rc = dd_err(e, DD_EACTIVE_TXN, -1, "%s cannot run inside a transaction block",
                        stmt->kind == STMT_ERASE ? "ERASE" : "DELETE HISTORY");
            break;
        }
        rc = run_sql(s, stmt, sql, r, e);
        break;
    case STMT_ANALYZE:
        if (stmt->u.drop->vacuum &&
            in_txn_block(s)) {
            rc = dd_err(e, DD_EACTIVE_TXN, -1, "VACUUM cannot run inside a transaction block");
            break;
        }
        rc = run_sql(s, stmt, sql, r, e);
        break;
    default:
        rc = run_sql(s, stmt, sql, r, e);
        break;
    }
    return rc;
}

/* ---------------------------------------------------------------- prepared statements */

/* An error in the extended protocol ends the implicit transaction (rolled
 * back) or fails the block, as any failed statement does. */
static void session_error(driftdb_session *s)
{
    if (s->cur) {
        /* failed, not abandoned: an autocommit statement does not commit */
        if (!s->cur->done) result_fail(s->cur);
        driftdb_result_free(s->cur);
    }
    if (s->state == TXN_BLOCK) {
        s->state = TXN_FAILED;
        rowlock_release_failed(s);
    } else if (s->state == TXN_IMPLICIT) {
        txn_discard(s);
    }
}

void driftdb_session_fail(driftdb_session *s) { session_error(s); }

static int api_fail(driftdb_session *s, driftdb_error *err)
{
    session_error(s);
    if (s->err.code == DD_OK) dd_err(&s->err, DD_EINTERNAL, -1, NULL);
    dd_to_api_error(&s->err, err);
    return DRIFTDB_ERROR;
}

/* The TypeId of a parameter type OID (0 and unknown: TYPE_UNKNOWN). */
static bool oid_to_type(u32 oid, TypeId *t)
{
    if (oid == 0 || oid == 705) { *t = TYPE_UNKNOWN; return true; }
    for (int i = 1; i < TYPE__COUNT; i++) {
        if (i == TYPE_UNKNOWN) continue;
        if (type_oid((TypeId)i) == oid) { *t = (TypeId)i; return true; }
        if (type_has_array((TypeId)i) && type_oid(type_array_of((TypeId)i)) == oid) {
            *t = type_array_of((TypeId)i);
            return true;
        }
    }
    return false;
}

#define MAX_PARAMS 65535   /* Bind counts parameters in an Int16 */

/* The highest $n in sql (0 when none).  COPY, EXECUTE and PREPARE take
 * none, as in PostgreSQL, where they are utility statements that Parse
 * does not analyze: a $n in COPY (query) or in EXECUTE's arguments is
 * 42P02 when the statement runs, and PREPARE's belong to the statement
 * it prepares. */
static int max_param(const char *sql, size_t len, Arena *a, int *out, DdError *e)
{
    Lexer lx;
    Token t;
    lex_init(&lx, sql, len, 0, a);
    *out = 0;
    for (bool first = true;; first = false) {
        DdError le;
        dd_err_clear(&le);
        if (lex_next(&lx, &t, &le)) {
            if (le.code != DD_ENOMEM) return DD_OK;   /* bad text: the parser reports it */
            *e = le;
            return DD_ENOMEM;
        }
        if (t.kind == TOK_EOF) return DD_OK;
        if (first && t.kind == TOK_IDENT &&
            (strcmp(t.str, "copy") == 0 || strcmp(t.str, "execute") == 0 || strcmp(t.str, "prepare") == 0))
            return DD_OK;
        if (t.kind != TOK_PARAM) continue;
        if (t.ival > MAX_PARAMS)
            return dd_err(e, DD_EPROGRAM_LIMIT, t.start, "too many parameters: $%lld (at most %d)",
                          (long long)t.ival, MAX_PARAMS);
        if (t.ival > *out) *out = (int)t.ival;
    }
}

/* The table OID and column number of a result column that is a bare
 * column of a table (ColDesc.src_*), from the session's catalog. */
static void col_source_ids(driftdb_session *s, const ColDesc *cd, u32 *oid, i16 *attnum)
{
    *oid = 0;
    *attnum = 0;
    if (cd->src_sys) {   /* a system relation's column (pg_class.relname) */
        *oid = cd->src_sys;
        *attnum = (i16)cd->src_col;
        return;
    }
    if (!cd->src_table) return;
    const TableInfo *t = ws_table(&s->ws, cd->src_table);
    if (!t) t = store_object_latest(s->db->store, cd->src_table);
    int n = t && !t->dropped ? cat_attnum(t, cd->src_col) : 0;
    if (n <= 0) return;
    *oid = cat_object_oid(t);
    *attnum = (i16)n;
}

void driftdb_result_colsource(const driftdb_result *r, int i, uint32_t *table_oid, int16_t *attnum)
{
    u32 o;
    i16 a;
    col_source_ids(r->s, &r->cols[i], &o, &a);
    *table_oid = o;
    *attnum = a;
}

static void desc_source(driftdb_session *s, driftdb_column *c, const ColDesc *cd)
{
    u32 o;
    i16 a;
    col_source_ids(s, cd, &o, &a);
    c->table_oid = o;
    c->attnum = a;
}

static int desc_col(Arena *keep, driftdb_column *c, const char *name, TypeId t, i32 typmod)
{
    c->name = arena_strdup(keep, name ? name : "?column?");
    c->type_oid = api_type_oid(t, typmod);
    c->typlen = (int16_t)type_typlen(t);
    c->typmod = api_typmod(t, typmod);
    return c->name ? DD_OK : DD_ENOMEM;
}

/*
 * Parses sql[0..len) and analyzes it without running it: its result
 * columns into d (copied to `keep`), the parameter types it infers into
 * types[0..np) (vals: the parameter values, or NULL while preparing).
 * Works in arenas of its own and leaves a pinned snapshot pinned, so the
 * session's current result (a suspended portal) stays intact.
 */
/* d's columns: a copy of pd's in keep (a statement's or portal's
 * description, for a statement that returns what they return). */
static int describe_copy(Arena *keep, const Describe *pd, bool has_rows, Describe *d, DdError *e)
{
    d->has_rows = has_rows;
    d->ncols = pd->ncols;
    d->cols = arena_zalloc(keep, sizeof(driftdb_column) * (size_t)(pd->ncols ? pd->ncols : 1));
    if (!d->cols) return dd_err(e, DD_ENOMEM, -1, NULL);
    for (int i = 0; i < pd->ncols; i++) {
        d->cols[i] = pd->cols[i];
        if (!(d->cols[i].name = arena_strdup(keep, pd->cols[i].name))) return dd_err(e, DD_ENOMEM, -1, NULL);
    }
    return DD_OK;
}

static int analyze_text(driftdb_session *s, const char *sql, size_t len, TypeId *types, i32 *enums, TypeId *regs,
                        u8 *resolved, int np, const Value *vals, Arena *keep, Describe *d, bool *empty,
                        bool *txn_exit, bool *per_portal, DdError *e)
{
    if (per_portal) *per_portal = false;
    Arena a, row;
    arena_init(&a, 16 * 1024);
    arena_init(&row, 4096);
    memset(d, 0, sizeof(*d));
    *empty = false;
    *txn_exit = false;
    Stmt *stmt = NULL;
    size_t next = len;
    bool snapped = false;
    int rc = parse_statement(sql, len, 0, &a, &stmt, &next, e);
    if (rc) goto done;
    if (!stmt) { *empty = true; goto done; }
    if (!rest_is_empty(&row, sql, len, next)) {
        rc = dd_err(e, DD_ESYNTAX, -1, "cannot insert multiple commands into a prepared statement");
        goto done;
    }
    *txn_exit = stmt->kind == STMT_TXN && (stmt->u.txn->kind == TXN_COMMIT || stmt->u.txn->kind == TXN_ROLLBACK ||
                                           stmt->u.txn->kind == TXN_ROLLBACK_TO);
    if (s->state == TXN_FAILED && !*txn_exit) {
        rc = dd_err(e, DD_EIN_FAILED_TXN, -1, NULL);
        goto done;
    }
    /* no rows to describe (a COPY's rows travel as CopyData: NoData, as PostgreSQL) */
    if (stmt->kind == STMT_TXN || stmt->kind == STMT_SET || stmt->kind == STMT_CLOSE || stmt->kind == STMT_PREPARE ||
        stmt->kind == STMT_DEALLOCATE || stmt->kind == STMT_DISCARD || stmt->kind == STMT_COPY)
        goto done;
    if (stmt->kind == STMT_EXECUTE) {
        /* EXECUTE returns what its prepared statement returns */
        SqlPrepared *sp = *prepared_find(s, stmt->u.prepare->name);
        if (!sp) {
            rc = dd_err(e, DD_EUNDEFINED_PSTATEMENT, -1, "prepared statement \"%s\" does not exist", stmt->u.prepare->name);
            goto done;
        }
        rc = describe_copy(keep, &sp->st->desc, sp->st->desc.has_rows, d, e);
        goto done;
    }
    if (stmt->kind == STMT_FETCH) {
        /* FETCH returns its cursor's columns; MOVE none */
        if (stmt->u.cursor->move) goto done;
        const ColDesc *cc;
        int n, state;
        driftdb_portal *pp;
        if ((rc = cursor_columns(s, stmt->u.cursor->name, &cc, &n, NULL, e)) && s->portal_hooks.find &&
            (pp = s->portal_hooks.find(s->portal_hooks.arg, stmt->u.cursor->name, &state))) {
            /* a protocol portal's: what its statement returns */
            dd_err_clear(e);
            rc = DD_OK;
            rc = describe_copy(keep, pp->described ? &pp->desc : &pp->st->desc, true, d, e);
            goto done;
        }
        if (rc) goto done;
        d->has_rows = true;
        d->ncols = n;
        d->cols = arena_zalloc(keep, sizeof(driftdb_column) * (size_t)(n ? n : 1));
        if (!d->cols) { rc = dd_err(e, DD_ENOMEM, -1, NULL); goto done; }
        for (int i = 0; i < n && !rc; i++) {
            rc = desc_col(keep, &d->cols[i], cc[i].name, cc[i].type, cc[i].typmod);
            desc_source(s, &d->cols[i], &cc[i]);
        }
        if (rc) dd_err(e, rc, -1, NULL);
        goto done;
    }
    bool declare = stmt->kind == STMT_DECLARE;
    Stmt inner;
    if (declare) {
        /* DECLARE: its query's parameters; the statement returns no rows */
        memset(&inner, 0, sizeof(inner));
        inner.kind = STMT_SELECT;
        inner.loc = stmt->u.cursor->query_loc;
        inner.end = stmt->end;
        inner.u.select = stmt->u.cursor->query;
        stmt = &inner;
    }
    if (stmt->kind == STMT_VERIFY || stmt->kind == STMT_BACKUP ||
        (stmt->kind == STMT_CHECKPOINT && stmt->u.checkpoint.table)) {
        /* their row's columns, without the planning that does their work */
        static const char *const vnames[] = {"commits_checked", "first_bad_seq", "status"};
        static const TypeId vtypes[] = {TYPE_INT8, TYPE_INT8, TYPE_TEXT};
        static const char *const bnames[] = {"database_bytes", "file_bytes"};
        static const char *const cnames[] = {"seq", "rows"};
        static const TypeId btypes[] = {TYPE_INT8, TYPE_INT8};
        bool v = stmt->kind == STMT_VERIFY;
        d->has_rows = true;
        d->ncols = v ? 3 : 2;
        d->cols = arena_zalloc(keep, sizeof(driftdb_column) * (size_t)d->ncols);
        if (!d->cols) { rc = dd_err(e, DD_ENOMEM, -1, NULL); goto done; }
        for (int i = 0; i < d->ncols && !rc; i++)
            rc = desc_col(keep, &d->cols[i], v ? vnames[i] : stmt->kind == STMT_BACKUP ? bnames[i] : cnames[i],
                          v ? vtypes[i] : btypes[i], -1);
        if (rc) dd_err(e, rc, -1, NULL);
        goto done;
    }
    if (stmt->kind == STMT_SHOW && !is_utility_show(stmt->u.show)) {
        d->has_rows = true;
        if (strcmp(stmt->u.show->name, "all") == 0) {
            d->ncols = 2;
            d->cols = arena_zalloc(keep, sizeof(driftdb_column) * 2);
            if (!d->cols) { rc = dd_err(e, DD_ENOMEM, -1, NULL); goto done; }
            rc = desc_col(keep, &d->cols[0], "name", TYPE_TEXT, -1);
            if (!rc) rc = desc_col(keep, &d->cols[1], "setting", TYPE_TEXT, -1);
        } else {
            const char *canon, *v;
            rc = settings_show(s, stmt->u.show->name, &canon, &v, e);
            if (rc) goto done;
            d->ncols = 1;
            d->cols = arena_zalloc(keep, sizeof(driftdb_column));
            rc = d->cols ? desc_col(keep, &d->cols[0], canon, TYPE_TEXT, -1) : DD_ENOMEM;
        }
        if (rc) dd_err(e, rc, -1, NULL);
        goto done;
    }
    rc = ensure_snapshot(s, e);
    if (rc) goto done;
    snapped = true;
    SqlCtx ctx;
    rc = ctx_setup(s, &ctx, sql, &a, &row, e);
    if (rc) goto done;
    ctx.param_types = types;
    ctx.param_enums = enums;
    ctx.param_regs = regs;
    ctx.param_resolved = resolved;
    ctx.nparams = np;
    ctx.params = vals;
    ctx.txn_time_us = s->state == TXN_IDLE ? clock_wall_us() : s->txn_time_us;
    /* privileges are checked when the statement runs (its plan is made
     * again then), as PostgreSQL checks them at execution: a statement
     * prepared by one role may be executed after SET ROLE */
    ctx.acl_off = true;
    ctx.lock_table = NULL;   /* nor locks: the statement takes them when it runs */
    Plan *p;
    rc = sql_prepare(&ctx, stmt, &p);
    if (rc) goto done;
    /* a $n that no context typed nor resolved as text (`$1 IS NULL`,
     * count($1), an unused $1): PostgreSQL's check_variable_parameters */
    for (int i = 0; resolved && i < np; i++)
        if (types[i] == TYPE_UNKNOWN && !resolved[i]) {
            rc = dd_err(e, DD_EINDETERMINATE_TYPE, -1, "could not determine data type of parameter $%d", i + 1);
            goto done;
        }
    if (per_portal) *per_portal = ctx.point_from_param;
    if (!declare && plan_returns_rows(p)) {
        const ColDesc *cols;
        int n = plan_columns(p, &cols);
        d->has_rows = true;
        d->ncols = n;
        d->cols = arena_zalloc(keep, sizeof(driftdb_column) * (size_t)(n ? n : 1));
        if (!d->cols) { rc = dd_err(e, DD_ENOMEM, -1, NULL); goto done; }
        for (int i = 0; i < n && !rc; i++) {
            rc = desc_col(keep, &d->cols[i], cols[i].name, cols[i].type, cols[i].typmod);
            desc_source(s, &d->cols[i], &cols[i]);
        }
        if (rc) dd_err(e, rc, -1, NULL);
    }
done:
    if (snapped && (!s->cur || s->cur->done)) {
        if (s->state == TXN_IDLE) end_snapshot(s);
        else if (s->snap) snap_unpin(s->snap);
    }
    arena_free(&a);
    arena_free(&row);
    return rc;
}

/* Prepares sql[0..len) with parameter types types[0..ntypes) (OIDs, or,
 * with tids, TypeIds): *out, or an error in s->err. */
static int prepare_text(driftdb_session *s, const char *sql, size_t len, int ntypes, const uint32_t *types,
                        const TypeId *tids, driftdb_stmt **out)
{
    DdError *e = &s->err;
    *out = NULL;
    driftdb_stmt *st = dd_calloc(1, sizeof(*st));
    if (!st) return dd_err(e, DD_ENOMEM, -1, NULL);
    st->s = s;
    st->refs = 1;
    arena_init(&st->arena, 4096);
    int rc = DD_OK;
    size_t bad = utf8_invalid_at(sql, len);
    if (bad < len) {
        rc = dd_err(e, DD_EBAD_ENCODING, -1, "invalid byte sequence for encoding \"UTF8\": 0x%02x",
                    (unsigned char)sql[bad]);
        goto fail;
    }
    st->sql = arena_strndup(&st->arena, sql, len);
    st->len = len;
    if (!st->sql) { rc = dd_err(e, DD_ENOMEM, -1, NULL); goto fail; }
    int maxp = 0;
    Arena lexa;   /* the lexer's token copies, not kept */
    arena_init(&lexa, 4096);
    rc = max_param(st->sql, len, &lexa, &maxp, e);
    arena_free(&lexa);
    if (rc) goto fail;
    if (ntypes < 0 || ntypes > MAX_PARAMS) {
        rc = dd_err(e, DD_EPROTOCOL, -1, "invalid number of parameter types (%d)", ntypes);
        goto fail;
    }
    st->nparams = ntypes > maxp ? ntypes : maxp;
    st->ptypes = arena_alloc(&st->arena, sizeof(TypeId) * (size_t)(st->nparams ? st->nparams : 1));
    if (!st->ptypes) { rc = dd_err(e, DD_ENOMEM, -1, NULL); goto fail; }
    for (int i = 0; i < st->nparams; i++) {
        st->ptypes[i] = i < ntypes && tids ? tids[i] : TYPE_UNKNOWN;
        if (i < ntypes && !tids && !oid_to_type(types[i], &st->ptypes[i])) {
            rc = dd_err(e, DD_EFEATURE, -1, "parameter $%d is declared with type oid %u, which DriftDB does not have",
                        i + 1, types[i]);
            goto fail;
        }
    }
    st->penums = arena_zalloc(&st->arena, sizeof(i32) * (size_t)(st->nparams ? st->nparams : 1));
    st->pregs = arena_zalloc(&st->arena, sizeof(TypeId) * (size_t)(st->nparams ? st->nparams : 1));
    if (!st->penums || !st->pregs) { rc = dd_err(e, DD_ENOMEM, -1, NULL); goto fail; }
    u8 *resolved = arena_zalloc(&st->arena, (size_t)(st->nparams ? st->nparams : 1));
    if (!resolved) { rc = dd_err(e, DD_ENOMEM, -1, NULL); goto fail; }
    for (int i = 0; i < st->nparams; i++) resolved[i] = st->ptypes[i] != TYPE_UNKNOWN;
    rc = analyze_text(s, st->sql, len, st->ptypes, st->penums, st->pregs, resolved, st->nparams, NULL, &st->arena,
                      &st->desc, &st->empty, &st->txn_exit, &st->desc_per_portal, e);
    if (rc) goto fail;
    /* what no context decided is text */
    st->puntyped = arena_zalloc(&st->arena, sizeof(bool) * (size_t)(st->nparams ? st->nparams : 1));
    if (!st->puntyped) { rc = dd_err(e, DD_ENOMEM, -1, NULL); goto fail; }
    for (int i = 0; i < st->nparams; i++)
        if (st->ptypes[i] == TYPE_UNKNOWN || st->ptypes[i] == TYPE_NULLTYPE) {
            st->ptypes[i] = TYPE_TEXT;
            st->puntyped[i] = true;
        }
    *out = st;
    return DD_OK;
fail:
    if (e->code == DD_OK) dd_err(e, rc, -1, NULL);
    driftdb_stmt_free(st);
    return rc;
}

int driftdb_prepare(driftdb_session *s, const char *sql, size_t len, int ntypes, const uint32_t *types,
                    driftdb_stmt **out, driftdb_error *err)
{
    dd_err_clear(&s->err);
    if (prepare_text(s, sql, len, ntypes, types, NULL, out)) return api_fail(s, err);
    return DRIFTDB_OK;
}

/* ---------------------------------------------------------------- PREPARE / EXECUTE in SQL */

static SqlPrepared **prepared_find(driftdb_session *s, const char *name)
{
    SqlPrepared **pp = &s->prepared;
    while (*pp && strcmp((*pp)->name, name) != 0) pp = &(*pp)->next;
    return pp;
}

static void prepared_free_all(driftdb_session *s)
{
    while (s->prepared) {
        SqlPrepared *p = s->prepared;
        s->prepared = p->next;
        driftdb_stmt_free(p->st);
        dd_free(p->name);
        dd_free(p);
    }
}

/* PREPARE name [(types)] AS statement: analyzed now (its parameter types
 * inferred), kept for the session (transactions do not undo it). */
static int run_prepare(driftdb_session *s, Stmt *stmt, const char *sql, driftdb_result *r, DdError *e)
{
    PrepareStmt *ps = stmt->u.prepare;
    r->tag = "PREPARE";
    r->done = true;   /* no rows: analyze_text leaves the snapshot as a finished statement would */
    if (*prepared_find(s, ps->name))
        return dd_err(e, DD_EDUPLICATE_PSTATEMENT, -1, "prepared statement \"%s\" already exists", ps->name);
    TypeId *tids = arena_alloc(&s->stmt, sizeof(TypeId) * (size_t)(ps->ntypes + 1));
    if (!tids) return dd_err(e, DD_ENOMEM, -1, NULL);
    for (int i = 0; i < ps->ntypes; i++)
        if (!type_from_name(ps->types[i].name, &tids[i]))
            return dd_err(e, DD_EUNDEFINED_OBJECT, ps->types[i].loc, "type \"%s\" does not exist", ps->types[i].name);
    /* only what PostgreSQL prepares: SELECT, VALUES, INSERT, UPDATE, DELETE */
    Stmt *body = NULL;
    size_t next;
    int rc = parse_statement(sql, (size_t)stmt->end, (size_t)ps->body_loc, &s->stmt, &body, &next, e);
    if (rc) return rc;
    if (!body || (body->kind != STMT_SELECT && body->kind != STMT_INSERT && body->kind != STMT_UPDATE &&
                  body->kind != STMT_DELETE))
        return dd_err(e, DD_ESYNTAX, ps->body_loc, "syntax error at or near \"%.*s\"",
                      (int)strcspn(sql + ps->body_loc, " \t\r\n;("), sql + ps->body_loc);
    driftdb_stmt *st;
    if ((rc = prepare_text(s, sql + ps->body_loc, (size_t)(stmt->end - ps->body_loc), ps->ntypes, NULL, tids, &st)))
        return rc;
    SqlPrepared *p = dd_calloc(1, sizeof(*p));
    if (p) p->name = dd_strdup(ps->name);
    if (!p || !p->name) {
        dd_free(p);
        driftdb_stmt_free(st);
        return dd_err(e, DD_ENOMEM, -1, NULL);
    }
    p->st = st;
    p->next = s->prepared;
    s->prepared = p;
    return DD_OK;
}

/* EXECUTE name [(args)]: the arguments as constants of the parameters'
 * types, then the statement with them bound, as a portal runs. */
static int run_execute(driftdb_session *s, Stmt *stmt, const char *sql, driftdb_result *r, DdError *e)
{
    PrepareStmt *ps = stmt->u.prepare;
    SqlPrepared *p = *prepared_find(s, ps->name);
    if (!p) return dd_err(e, DD_EUNDEFINED_PSTATEMENT, -1, "prepared statement \"%s\" does not exist", ps->name);
    driftdb_stmt *st = p->st;
    if (ps->nargs != st->nparams) {
        int rc = dd_err(e, DD_ESYNTAX, -1, "wrong number of parameters for prepared statement \"%s\"", ps->name);
        dd_err_detail(e, "Expected %d parameters but got %d.", st->nparams, ps->nargs);
        return rc;
    }
    Value *vals = arena_alloc(&s->stmt, sizeof(Value) * (size_t)(ps->nargs + 1));
    if (!vals) return dd_err(e, DD_ENOMEM, -1, NULL);
    int rc = DD_OK;
    if (ps->nargs) {
        /* the arguments may name types ('ok'::mood) and relations: they
         * read a snapshot, as a statement's analysis does; outside a
         * transaction they and the statement share its start (now()) */
        if (s->state == TXN_IDLE) {
            s->txn_time_us = clock_wall_us();
            s->txn_time_kept = true;
        }
        if ((rc = ensure_snapshot(s, e))) return rc;
        SqlCtx ctx;
        rc = ctx_setup(s, &ctx, sql, &s->stmt, &s->row, e);
        /* the arguments see no parameters of a portal that runs the
         * EXECUTE (EXECUTE q($1) Parsed by a client): $n is 42P02, as in
         * PostgreSQL, where EXECUTE is a utility statement */
        ctx.param_types = NULL;
        ctx.params = NULL;
        ctx.nparams = 0;
        for (int i = 0; !rc && i < ps->nargs; i++) {
            CompileCtx cc;
            memset(&cc, 0, sizeof(cc));
            cc.sql = &ctx;
            cc.agg_forbidden = "EXECUTE parameter";
            cc.sublink_forbidden = "EXECUTE parameter";
            ExprProg *prog;
            Value v;
            EvalEnv env = {&ctx, NULL, 0, NULL};
            rc = expr_compile_as(&cc, ps->args[i], st->ptypes[i], -1, &prog);
            if (!rc) rc = expr_eval(prog, &env, NULL, &v);
            if (!rc) rc = val_copy(&s->stmt, &v, &vals[i]);
        }
        if (s->state == TXN_IDLE) end_snapshot(s);
        else if (s->snap) snap_unpin(s->snap);
        if (rc) {
            s->txn_time_kept = false;
            return rc;
        }
    }
    Stmt *body = NULL;
    size_t next;
    if (!rc) rc = parse_statement(st->sql, st->len, 0, &s->stmt, &body, &next, e);
    if (!rc && !body) rc = dd_err(e, DD_EINTERNAL, -1, "prepared statement text changed");
    if (rc) {
        s->txn_time_kept = false;
        return rc;
    }
    /* a portal's kept plan is not the EXECUTEd statement's */
    BindSave b = bind_swap(s, st->ptypes, vals, st->nparams);
    rc = run_stmt(s, body, st->sql, r, e);
    s->txn_time_kept = false;
    bind_restore(s, &b);
    return rc;
}

/* DISCARD PLANS: nothing (statements are planned at each run); DISCARD
 * SEQUENCES: forget what nextval gave (currval, lastval); DISCARD ALL:
 * outside a transaction block, CLOSE ALL, RESET ALL, DEALLOCATE ALL,
 * DISCARD TEMP and DISCARD SEQUENCES, as PostgreSQL (what connection
 * poolers send between clients). */
static int run_discard(driftdb_session *s, Stmt *stmt, const char *sql, driftdb_result *r, DdError *e)
{
    char what = stmt->u.discard;
    if (what == 'p') {
        r->tag = "DISCARD PLANS";
        return DD_OK;
    }
    if (what == 'u') {
        r->tag = "UNLISTEN";
        return DD_OK;
    }
    if (what == 's') {
        r->tag = "DISCARD SEQUENCES";
        seqsession_free(&s->seqs);
        return DD_OK;
    }
    if (s->state == TXN_BLOCK || s->state == TXN_FAILED || (s->state == TXN_IMPLICIT && !s->stmt_last))
        return dd_err(e, DD_EACTIVE_TXN, -1, "DISCARD ALL cannot run inside a transaction block");
    cursors_free(s);
    int rc = settings_reset_all(s, true, e);
    if (rc) return rc;
    prepared_free_all(s);
    /* the temporary relations, as DISCARD TEMP drops them */
    DropTableStmt d;
    memset(&d, 0, sizeof(d));
    d.discard_temp = d.cascade = true;
    Stmt dt = *stmt;
    dt.kind = STMT_DROP_TABLE;
    dt.u.drop = &d;
    if ((rc = run_sql(s, &dt, sql, r, e))) return rc;
    seqsession_free(&s->seqs);
    r->tag = "DISCARD ALL";
    return DD_OK;
}

static int run_deallocate(driftdb_session *s, Stmt *stmt, driftdb_result *r, DdError *e)
{
    PrepareStmt *ps = stmt->u.prepare;
    r->tag = ps->name ? "DEALLOCATE" : "DEALLOCATE ALL";
    if (!ps->name) {
        prepared_free_all(s);
        return DD_OK;
    }
    SqlPrepared **pp = prepared_find(s, ps->name);
    if (!*pp) return dd_err(e, DD_EUNDEFINED_PSTATEMENT, -1, "prepared statement \"%s\" does not exist", ps->name);
    SqlPrepared *p = *pp;
    *pp = p->next;
    driftdb_stmt_free(p->st);
    dd_free(p->name);
    dd_free(p);
    return DD_OK;
}

int driftdb_stmt_nparams(const driftdb_stmt *st) { return st->nparams; }

uint32_t driftdb_stmt_param_type(const driftdb_stmt *st, int i)
{
    if (i < 0 || i >= st->nparams) return 0;
    i32 en = st->puntyped[i] ? st->penums[i] : 0;
    if (en > 0) return ENUM_OID_BASE + (u32)(en - 1);
    if (en < 0) return ENUM_ARRAY_OID_BASE + (u32)(-en - 1);
    if (st->pregs[i] && st->ptypes[i] == TYPE_TEXT) return type_oid(st->pregs[i]);   /* a name read as a reg* */
    return type_oid(st->ptypes[i]);
}

int driftdb_stmt_columns(const driftdb_stmt *st, int *has_rows, const driftdb_column **cols)
{
    *has_rows = st->desc.has_rows;
    *cols = st->desc.cols;
    return st->desc.ncols;
}

int driftdb_stmt_is_empty(const driftdb_stmt *st) { return st->empty; }

void driftdb_stmt_plans(const driftdb_stmt *st, uint64_t *generic, uint64_t *custom)
{
    *generic = st->generic_plans;
    *custom = st->custom_plans;
}

void driftdb_stmt_free(driftdb_stmt *st)
{
    if (!st || --st->refs > 0) return;
    plan_cache_free(st->cache);
    arena_free(&st->arena);
    dd_free(st);
}

int driftdb_bind(driftdb_session *s, driftdb_stmt *st, int n, const driftdb_param *params, driftdb_portal **out,
                 driftdb_error *err)
{
    DdError *e = &s->err;
    dd_err_clear(e);
    *out = NULL;
    if (n != st->nparams) {
        dd_err(e, DD_EPROTOCOL, -1, "bind message supplies %d parameters, but prepared statement requires %d", n,
               st->nparams);
        return api_fail(s, err);
    }
    if (s->state == TXN_FAILED && !st->txn_exit) {
        dd_err(e, DD_EIN_FAILED_TXN, -1, NULL);
        return api_fail(s, err);
    }
    driftdb_portal *p = dd_calloc(1, sizeof(*p));
    if (!p) { dd_err(e, DD_ENOMEM, -1, NULL); return api_fail(s, err); }
    p->st = st;
    st->refs++;
    arena_init(&p->arena, 1024);
    int rc = DD_OK;
    p->params = arena_alloc(&p->arena, sizeof(Value) * (size_t)(n ? n : 1));
    if (!p->params) { rc = dd_err(e, DD_ENOMEM, -1, NULL); goto fail; }
    ValueCtx vc = s->vctx;
    vc.arena = &p->arena;
    for (int i = 0; i < n; i++) {
        TypeId t = st->ptypes[i];
        const driftdb_param *pp = &params[i];
        if (!pp->data) {
            p->params[i] = val_null(t);
        } else if (pp->binary && st->puntyped[i] && st->penums[i] < 0) {
            /* an enum array, as ParameterDescription named it */
            rc = bin_recv_enum_array((u32)(-st->penums[i] - 1), &vc, (const u8 *)pp->data, pp->len, &p->params[i], e);
        } else if (pp->binary && st->puntyped[i]) {
            /* text's binary form is its text (an enum's too): bound as an
             * untyped literal, as the text form is */
            if (memchr(pp->data, 0, pp->len) || utf8_invalid_at(pp->data, pp->len) < pp->len)
                rc = dd_err(e, DD_EBAD_ENCODING, -1, "invalid byte sequence for encoding \"UTF8\" in parameter $%d", i + 1);
            else
                rc = val_from_text(TYPE_UNKNOWN, -1, pp->data, pp->len, &vc, &p->params[i], e);
        } else if (pp->binary) {
            rc = bin_recv(t, (const u8 *)pp->data, pp->len, i + 1, &p->arena, &p->params[i], e);
        } else if (memchr(pp->data, 0, pp->len) || utf8_invalid_at(pp->data, pp->len) < pp->len) {
            rc = dd_err(e, DD_EBAD_ENCODING, -1, "invalid byte sequence for encoding \"UTF8\" in parameter $%d", i + 1);
        } else {
            /* payloads are copied into vc.arena, the portal's */
            rc = val_from_text(t == TYPE_TEXT && st->puntyped[i] ? TYPE_UNKNOWN : t, -1, pp->data, pp->len, &vc,
                               &p->params[i], e);
        }
        if (rc) goto fail;
    }
    *out = p;
    return DRIFTDB_OK;
fail:
    if (e->code == DD_OK) dd_err(e, rc, -1, NULL);
    driftdb_portal_free(p);
    return api_fail(s, err);
}

int driftdb_portal_columns(driftdb_session *s, driftdb_portal *p, int *has_rows, const driftdb_column **cols,
                           driftdb_error *err)
{
    if (!p->described && !p->st->desc_per_portal) {
        p->desc = p->st->desc;   /* the same whatever the parameters */
        p->described = true;
    }
    if (!p->described) {
        DdError *e = &s->err;
        dd_err_clear(e);
        driftdb_stmt *st = p->st;
        TypeId *types = arena_memdup(&p->arena, st->ptypes, sizeof(TypeId) * (size_t)(st->nparams ? st->nparams : 1));
        bool empty, txn_exit;
        int rc = types ? analyze_text(s, st->sql, st->len, types, NULL, NULL, NULL, st->nparams, p->params,
                                      &p->arena, &p->desc, &empty, &txn_exit, NULL, e)
                       : dd_err(e, DD_ENOMEM, -1, NULL);
        if (rc) return api_fail(s, err);
        p->described = true;
    }
    *has_rows = p->desc.has_rows;
    *cols = p->desc.cols;
    return p->desc.ncols;
}

int driftdb_portal_exec(driftdb_session *s, driftdb_portal *p, driftdb_result **out, driftdb_error *err)
{
    DdError *e = &s->err;
    dd_err_clear(e);
    *out = NULL;
    if (s->cur) driftdb_result_free(s->cur);
    forget_fail_notices(s);
    if (s->state == TXN_IDLE) ws_temp_tidy(&s->ws);
    driftdb_stmt *st = p->st;
    if (st->empty) return DRIFTDB_DONE;
    arena_reset(&s->stmt);
    arena_reset(&s->row);
    Stmt *stmt = NULL;
    int rc = DD_OK;
    if (p->kept) {
        /* a SQL FETCH / MOVE ran it (cursor.c): the rows it left, as a
         * FETCH ALL that reads them */
        CursorStmt *cs = arena_zalloc(&s->stmt, sizeof(*cs));
        stmt = arena_zalloc(&s->stmt, sizeof(*stmt));
        if (!cs || !stmt) {
            dd_err(e, DD_ENOMEM, -1, NULL);
            return api_fail(s, err);
        }
        cs->name = (char *)"";
        cs->dir = CURSOR_FORWARD;
        cs->count = -1;
        stmt->kind = STMT_FETCH;
        stmt->u.cursor = cs;
    } else if (st->cache && !st->cache->busy) {
        /* its kept plan's parse, which run_sql replaces by one of its own
         * when it plans the statement (stmt_own) */
        stmt = st->cache->stmt;
        s->bind_kept_stmt = true;
    } else {
        size_t next = st->len;
        rc = parse_statement(st->sql, st->len, 0, &s->stmt, &stmt, &next, e);
        if (rc || !stmt) {
            if (!rc) dd_err(e, DD_EINTERNAL, -1, "prepared statement text changed");
            return api_fail(s, err);
        }
    }
    s->bind_opened = s->state == TXN_IDLE;
    if (s->state == TXN_IDLE) {
        /* the statements up to the next sync form one implicit transaction */
        s->state = TXN_IMPLICIT;
        s->txn_time_us = clock_wall_us();
    }
    s->stmt_last = false;
    s->bind_types = st->ptypes;
    s->bind_vals = p->params;
    s->bind_n = st->nparams;
    s->bind_stmt = st;
    s->bind_top = stmt;
    s->fetch_portal = p->kept ? p : NULL;
    rc = exec_parsed(s, stmt, st->sql, out, err);
    s->bind_opened = false;
    s->fetch_portal = NULL;
    s->bind_types = NULL;
    s->bind_vals = NULL;
    s->bind_n = 0;
    s->bind_stmt = NULL;
    s->bind_top = NULL;
    s->bind_kept_stmt = false;
    if (rc != DRIFTDB_ROW_RESULT) {
        session_error(s);
        return rc;
    }
    /* the rows must be what the client was told: the portal's description
     * when it asked for one, else the statement's (as PostgreSQL's
     * fixed_result plans) */
    driftdb_result *r = *out;
    const Describe *d = p->described ? &p->desc : &st->desc;
    bool rows = r->has_rows && !r->copy;   /* COPY TO's rows leave as CopyData */
    bool same = !rows || (d->has_rows && r->ncols == d->ncols);
    for (int i = 0; same && rows && i < r->ncols; i++)
        same = api_type_oid(r->cols[i].type, r->cols[i].typmod) == d->cols[i].type_oid;
    if (!same) {
        *out = NULL;
        if (!r->done) result_fail(r);
        driftdb_result_free(r);
        dd_err(e, DD_EFEATURE, -1, "cached plan must not change result type");
        if (!p->described)
            dd_err_detail(e, "The columns differ from those described when the statement was prepared "
                             "(a schema change, or FOR SYSTEM_TIME AS OF a parameter before one); "
                             "Describe the portal to get the columns of its time.");
        return api_fail(s, err);
    }
    /* its columns stay with it, for a SQL FETCH of the rows the server holds */
    if (rows && portal_keep_cols(p, r->cols, r->ncols)) {
        *out = NULL;
        if (!r->done) result_fail(r);
        driftdb_result_free(r);
        dd_err(e, DD_ENOMEM, -1, NULL);
        return api_fail(s, err);
    }
    return DRIFTDB_ROW_RESULT;
}

void driftdb_portal_advance(driftdb_portal *p, uint64_t nrows, int at_end)
{
    p->pos += nrows;
    if (at_end) p->at_end = true;
}

void driftdb_portal_free(driftdb_portal *p)
{
    if (!p) return;
    driftdb_stmt_free(p->st);
    arena_free(&p->arena);
    dd_free(p);
}

int driftdb_session_sync(driftdb_session *s, driftdb_error *err)
{
    DdError *e = &s->err;
    dd_err_clear(e);
    if (s->state != TXN_IMPLICIT) return DRIFTDB_OK;   /* a block's portals stay open */
    if (s->cur) driftdb_result_free(s->cur);
    if (txn_commit(s, NULL, e)) {
        dd_to_api_error(e, err);
        return DRIFTDB_ERROR;
    }
    return DRIFTDB_OK;
}

void driftdb_session_cancel(driftdb_session *s)
{
    if (s) s->cancel = CANCEL_USER;
}

void driftdb_session_on_terminate(driftdb_session *s, void (*wake)(void *arg), void *arg)
{
    pthread_mutex_lock(&s->db->act_mu);
    s->wake = wake;
    s->wake_arg = arg;
    pthread_mutex_unlock(&s->db->act_mu);
}

int driftdb_session_terminated(const driftdb_session *s) { return s->terminate; }

void driftdb_session_terminate(driftdb_session *s)
{
    if (!s) return;
    s->terminate = 1;
    s->cancel = CANCEL_TERMINATE;
}

int driftdb_cursor_columns(driftdb_session *s, const char *name, const driftdb_column **cols, driftdb_error *err)
{
    DdError *e = &s->err;
    dd_err_clear(e);
    const ColDesc *cc;
    int n;
    Arena *a;
    if (cursor_columns(s, name, &cc, &n, &a, e)) {
        dd_to_api_error(e, err);
        return -1;
    }
    driftdb_column *out = arena_zalloc(a, sizeof(driftdb_column) * (size_t)(n ? n : 1));
    int rc = out ? DD_OK : DD_ENOMEM;
    for (int i = 0; !rc && i < n; i++) {
        rc = desc_col(a, &out[i], cc[i].name, cc[i].type, cc[i].typmod);
        desc_source(s, &out[i], &cc[i]);
    }
    if (rc) {
        dd_err(e, rc, -1, NULL);
        dd_to_api_error(e, err);
        return -1;
    }
    *cols = out;
    return n;
}
