/*
 * commit.c - the commit pipeline: one writer thread owns every LMDB write
 * transaction and applies queued write sets in batches (group commit).
 *
 * Request states (CommitReq):
 *   queued   (store_commit: enqueue, wait on its condvar)
 *   -> taken (writer_main: takes the whole queue)
 *   -> done  (process_batch: rc 0 with seq/time, or an error) -> waiter wakes
 *
 * A batch is one LMDB write txn: for each request the conflict checks run
 * BEFORE any of its writes (check_req), then apply_req writes it under the
 * next seq.  A request that fails its checks uses no seq.  When an LMDB put
 * fails, the txn is aborted and the batch is redone without that request;
 * MDB_MAP_FULL aborts, doubles the map (store_grow_map waits for pins) and
 * redoes the batch, invisibly to users.  EIO/ENOSPC make the store refuse
 * every later commit until reopened (sticky, st->broken).
 *
 * Invariants: seqs are contiguous; commit times strictly increase
 * (max(wall clock, previous + 1 µs)); the head in meta, the last log record
 * and the times db always agree, since they are written in the same txn.
 */
#include "store_int.h"
#include "keyenc.h"
#include "record.h"
#include "../util/alloc.h"
#include "../util/clock.h"
#include "../util/sha256.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct CommitReq {
    WriteSet *ws;
    int rc;
    DdError e;
    u64 seq;
    i64 time;
    bool done;
    bool failed;          /* failed in this batch (checks or apply) */
    bool hard;            /* failed at apply: stays failed across retries */
    pthread_cond_t cv;
    CommitReq *next;
};

#define APPLY_MAP_FULL (-1)
/* How often the writer clears the reader slots of dead processes. */
#define READER_CHECK_SECONDS 2
/* How long the writer waits with nothing to do before it checkpoints. */
#define WAL_IDLE_MS 200

/* Row events' salts drawn from the system's random source at a time. */
#define SALT_CHUNK 1024
/* The log record's buffer is given back after a commit that made it
 * larger than this (a COPY of millions of rows), not kept for the next. */
#define LOG_KEEP ((size_t)4 << 20)

typedef struct Writer {
    Store *st;
    Buf key, val, log, cat;
    /* the salts of the next row events, SALT_CHUNK at a time (salt_at
     * used so far) */
    u8 salt[SALT_CHUNK * FMT_EV_SALT];
    int salt_at;
    /* live-row deltas of the batch being written, per table, applied to
     * the catalog's counts once the batch commits */
    u32 *dtab; i64 *ddelta; int nd, capd;
    /* and the rows it inserts, updates and deletes (pg_stat_user_tables) */
    i64 (*dops)[3];
    Sha256 digest;            /* reused for every version's hash */
    /* footprints of the batch's serializable commits (ssi.c) */
    Buf fp;
    SsiCommit *fpc; size_t nfpc, capfpc;
    u64 fp_lost;
} Writer;

/* The slot of table in the batch's per-table counts, or -1. */
static int note_slot(Writer *w, u32 table)
{
    for (int i = 0; i < w->nd; i++)
        if (w->dtab[i] == table) return i;
    if (w->nd == w->capd) {
        int ncap = w->capd ? w->capd * 2 : 16;
        u32 *t = dd_realloc(w->dtab, sizeof(u32) * (size_t)ncap);
        if (!t) return -1;   /* the counts are estimates */
        w->dtab = t;
        i64 *d = dd_realloc(w->ddelta, sizeof(i64) * (size_t)ncap);
        if (!d) return -1;
        w->ddelta = d;
        i64 (*o)[3] = dd_realloc(w->dops, sizeof(i64[3]) * (size_t)ncap);
        if (!o) return -1;
        w->dops = o;
        w->capd = ncap;
    }
    w->dtab[w->nd] = table;
    w->ddelta[w->nd] = 0;
    w->dops[w->nd][0] = w->dops[w->nd][1] = w->dops[w->nd][2] = 0;
    return w->nd++;
}

static void note_rows(Writer *w, u32 table, i64 delta)
{
    int i = note_slot(w, table);
    if (i >= 0) w->ddelta[i] += delta;
}

/* An event of op (OP_INSERT, OP_UPDATE, OP_DELETE) on a row of table. */
static void note_op(Writer *w, u32 table, int op)
{
    int i = note_slot(w, table);
    if (i >= 0 && op >= OP_INSERT && op <= OP_DELETE) w->dops[i][op - OP_INSERT]++;
}

static StoreKeyRenderer key_renderer;

void store_set_key_renderer(StoreKeyRenderer fn) { key_renderer = fn; }

int store_render_key(const TableInfo *t, const u8 *pk, u32 pklen, Buf *out)
{
    return key_renderer && t ? key_renderer(t, NULL, pk, pklen, out) : key_render(pk, pklen, out);
}

static bool is_sticky(int mdb_rc) { return mdb_rc == EIO || mdb_rc == ENOSPC; }

/* ---- checks ---- */

/* The table definition a write op of ws refers to, or NULL. */
static const TableInfo *ws_table(const WriteSet *ws, u32 id)
{
    for (int i = 0; i < ws->ntables; i++)
        if (ws->tables[i]->id == id) return ws->tables[i];
    return NULL;
}

static void fill_duplicate(Store *st, const TableInfo *t, const u8 *pk, u32 pklen, DdError *err)
{
    dd_err(err, DD_EUNIQUE, -1, "duplicate key value violates unique constraint \"%s_pkey\"",
           t ? name_base(t->name) : "?");
    if (!t) return;
    char con[80];
    snprintf(con, sizeof con, "%.58s_pkey", name_base(t->name));
    dd_err_relation(err, t, NULL, con);
    Buf vals = BUF_INIT, cols = BUF_INIT;
    int rc = key_renderer ? key_renderer(t, NULL, pk, pklen, &vals) : key_render(pk, pklen, &vals);
    for (int i = 0; i < t->npk; i++) {
        const char *name = "?";
        for (int j = 0; j < t->ncols; j++)
            if (t->cols[j].id == t->pk[i]) name = t->cols[j].name;
        buf_printf(&cols, "%s%s", i ? ", " : "", name);
    }
    if (rc == 0 && buf_ok(&vals) && buf_ok(&cols) && buf_cstr(&vals) && buf_cstr(&cols))
        dd_err_detail(err, "Key (%s)=(%s) already exists.", (char *)cols.data, (char *)vals.data);
    buf_free(&vals);
    buf_free(&cols);
    DD_UNUSED(st);
}

static int serialization(DdError *err, const char *what)
{
    return dd_err(err, DD_ESERIALIZATION, -1, "could not serialize access due to %s", what);
}

/* Whether this commit removes the present entry (index, key, pk). */
static bool removed_here(const WriteSet *ws, const IndexOp *x, const u8 *pk, u32 pklen)
{
    for (int i = 0; i < ws->niops; i++) {
        const IndexOp *y = &ws->iops[i];
        if (!y->add && y->index == x->index && y->keylen == x->keylen && y->pklen == pklen &&
            memcmp(y->key, x->key, x->keylen) == 0 && memcmp(y->pk, pk, pklen) == 0)
            return true;
    }
    return false;
}

/* A unique index entry about to be added: 23505 when a live row of
 * another key has the same values (committed since the writer's snapshot
 * checked, or in an earlier commit of the batch). */
static int check_unique(Store *st, Writer *w, MDB_txn *txn, const WriteSet *ws, const IndexOp *x, DdError *err)
{
    buf_reset(&w->key);
    buf_put_u32be(&w->key, x->index);
    buf_append(&w->key, x->key, x->keylen);
    if (!buf_ok(&w->key)) return dd_err(err, DD_ENOMEM, -1, NULL);
    size_t plen = w->key.len;
    MDB_cursor *c;
    int mrc = mdb_cursor_open(txn, st->dbi[FMT_DB_INDEX], &c);
    if (mrc) return store_mdb_err(err, mrc, "checking a unique index");
    MDB_val k = {plen, w->key.data}, v;
    int rc = 0;
    for (mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); mrc == 0; mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size < plen || memcmp(k.mv_data, w->key.data, plen) != 0) break;
        if (v.mv_size != FMT_INDEX_VAL) continue;
        u32 pklen = ((u32)((const u8 *)v.mv_data)[0] << 8) | ((const u8 *)v.mv_data)[1];
        if (k.mv_size != plen + pklen) continue;   /* longer values sharing the prefix */
        const u8 *pk = (const u8 *)k.mv_data + plen;
        if (pklen == x->pklen && memcmp(pk, x->pk, pklen) == 0) continue;
        if (removed_here(ws, x, pk, pklen)) continue;
        rc = dd_err(err, DD_EUNIQUE, -1, "duplicate key value violates unique constraint \"%s\"",
                    x->name ? x->name : "?");
        Buf vals = BUF_INIT, cols = BUF_INIT;
        pthread_mutex_lock(&st->cat_mu);
        const TableInfo *t = cat_version_locked(st, x->table, UINT64_MAX);
        if (t) dd_err_relation(err, t, NULL, x->name);
        const IndexInfo *ix = NULL;
        for (int i = 0; t && i < t->nindexes; i++) if (t->indexes[i].id == x->index) ix = &t->indexes[i];
        for (int i = 0; ix && i < ix->ncols; i++) {
            if (ix->exprs && ix->exprs[i]) buf_printf(&cols, "%s%s", i ? ", " : "", ix->exprs[i]);
            for (int j = 0; j < t->ncols && !(ix->exprs && ix->exprs[i]); j++)
                if (t->cols[j].id == ix->cols[i]) buf_printf(&cols, "%s%s", i ? ", " : "", t->cols[j].name);
        }
        int vrc = !ix ? DD_ECORRUPT
                  : key_renderer ? key_renderer(t, ix, x->key, x->keylen, &vals)
                                 : key_render(x->key, x->keylen, &vals);
        pthread_mutex_unlock(&st->cat_mu);
        if (vrc == 0 && buf_ok(&vals) && buf_ok(&cols) &&
            buf_cstr(&vals) && buf_cstr(&cols))
            dd_err_detail(err, "Key (%s)=(%s) already exists.", (char *)cols.data, (char *)vals.data);
        buf_free(&vals);
        buf_free(&cols);
        break;
    }
    mdb_cursor_close(c);
    if (!rc && mrc && mrc != MDB_NOTFOUND) rc = store_mdb_err(err, mrc, "checking a unique index");
    return rc;
}

/* Whether schema `name` (a prefix of n bytes) exists once this commit
 * lands: made by it, or in the catalog and neither dropped nor renamed by
 * it.  public exists unless a marker says it was dropped (kind 'p'). */
static bool schema_lands_locked(Store *st, const WriteSet *ws, const char *name, size_t n)
{
    char s[CAT_MAX_NAME + 1];
    if (n > CAT_MAX_NAME) return false;
    memcpy(s, name, n);
    s[n] = 0;
    for (int i = 0; i < ws->ntables; i++) {
        const TableInfo *t = ws->tables[i];
        if (cat_space(t) == CAT_SPACE_SCHEMA && !t->dropped && t->utype->kind == 's' && strcmp(t->name, s) == 0) return true;
    }
    const TableInfo *c = cat_by_name_locked(st, s, UINT64_MAX, NULL, CAT_SPACE_SCHEMA);
    const TableInfo *mine = c ? ws_table(ws, c->id) : NULL;
    if (c && mine && (mine->dropped || strcmp(mine->name, c->name) != 0)) c = NULL;
    if (strcmp(s, "public") == 0) return !c || c->utype->kind != 'p';
    return c && c->utype->kind == 's';
}

/* Schemas against concurrent commits: an object of schema s needs s when
 * this commit lands; a schema this commit drops or renames must hold
 * nothing that this commit does not drop or move too (an object made in it
 * since the snapshot).  40001: the first committer wins. */
static int check_schemas_locked(Store *st, const WriteSet *ws, DdError *err)
{
    for (int i = 0; i < ws->ntables; i++) {
        const TableInfo *nt = ws->tables[i];
        if (nt->temp) continue;
        if (!nt->dropped && cat_space(nt) != CAT_SPACE_SCHEMA) {
            const char *dot = strchr(nt->name, '.');
            if (dot && !schema_lands_locked(st, ws, nt->name, (size_t)(dot - nt->name)))
                return serialization(err, "concurrent update");
            continue;
        }
        if (cat_space(nt) != CAT_SPACE_SCHEMA || nt->utype->kind != 's') continue;
        const TableInfo *cur = cat_version_locked(st, nt->id, UINT64_MAX);
        if (!cur || cur->dropped || (!nt->dropped && strcmp(cur->name, nt->name) == 0)) continue;
        /* dropped or renamed: what the catalog holds in it must go with it */
        size_t n = strlen(cur->name);
        for (int k = 0; k < st->ncat; k++) {
            const TableInfo *o = cat_version_locked(st, st->cat[k].id, UINT64_MAX);
            if (!o || o->dropped || cat_space(o) == CAT_SPACE_SCHEMA) continue;
            if (strncmp(o->name, cur->name, n) != 0 || o->name[n] != '.') continue;
            const TableInfo *mine = ws_table(ws, o->id);
            if (!mine || (!mine->dropped && strncmp(mine->name, cur->name, n) == 0 && mine->name[n] == '.'))
                return serialization(err, "concurrent update");
        }
    }
    return 0;
}

static int check_req(Writer *w, MDB_txn *txn, CommitReq *r)
{
    Store *st = w->st;
    WriteSet *ws = r->ws;
    DdError *err = &r->e;
    int rc = 0;
    if (ws->purge) return purge_check(st, txn, ws, err);
    pthread_mutex_lock(&st->cat_mu);
    for (int i = 0; i < ws->ntables && !rc; i++) {
        const TableInfo *nt = ws->tables[i];
        u64 base = ws->table_base ? ws->table_base[i] : ws->snapshot_seq;
        const TableInfo *cur = cat_version_locked(st, nt->id, UINT64_MAX);
        if (cur && cur->seq > base) {
            rc = serialization(err, "concurrent update");
            break;
        }
        /* a schema change races rows written after the snapshot (an ADD
         * COLUMN NOT NULL checked an empty table, say): first committer wins */
        if (cur && cat_last_write_locked(st, nt->id) > base) {
            rc = serialization(err, "concurrent update");
            break;
        }
        if (cur && cur->dropped) {
            rc = dd_err(err, DD_EUNDEFINED_TABLE, -1, "relation \"%s\" does not exist", nt->name);
            break;
        }
        if (!nt->dropped) {
            const TableInfo *other = cat_by_name_locked(st, nt->name, UINT64_MAX, NULL, cat_space(nt));
            const TableInfo *gone = other ? ws_table(ws, other->id) : NULL;
            if (gone && gone->dropped) other = NULL;   /* dropped by this same commit */
            if (other && other->id != nt->id) {
                rc = other->seq > base
                         ? serialization(err, "concurrent update")
                         : cat_space(nt) == CAT_SPACE_SCHEMA
                             ? dd_err(err, DD_EDUPLICATE_SCHEMA, -1, "schema \"%s\" already exists", nt->name)
                         : cat_space(nt) == CAT_SPACE_ROLE
                             ? dd_err(err, DD_EDUPLICATE_OBJECT, -1, "role \"%s\" already exists", nt->name)
                         : nt->utype ? dd_err(err, DD_EDUPLICATE_OBJECT, -1, "type \"%s\" already exists", nt->name)
                                     : dd_err(err, DD_EDUPLICATE_TABLE, -1, "relation \"%s\" already exists", nt->name);
                break;
            }
        }
    }
    if (!rc) rc = check_schemas_locked(st, ws, err);
    pthread_mutex_unlock(&st->cat_mu);
    if (rc) return rc;

    MDB_cursor *vc = NULL;
    if ((rc = mdb_cursor_open(txn, st->dbi[FMT_DB_VERSIONS], &vc))) return store_mdb_err(err, rc, "checking conflicts");
    u32 lw_table = 0;          /* the last op's table and its last write */
    u64 lw_seq = UINT64_MAX, er_seq = 0;
    u32 ct_id = 0;             /* the last op's table and its definition */
    const TableInfo *ct = NULL;
    bool ct_ws = false, ct_set = false;
    for (int i = 0; i < ws->nops && !rc; i++) {
        const WriteOp *op = ws->ops[i];
        if ((rc = key_check_len(op->pklen, err))) break;
        if (op->pklen == 0 || (op->op != OP_INSERT && op->op != OP_UPDATE && op->op != OP_DELETE) ||
            (op->op != OP_DELETE && !op->rec) ||
            (op->op == OP_DELETE && op->end_op != OP_DELETE && op->end_op != OP_UPDATE) ||
            (op->op != OP_DELETE && op->end_op != 0 && op->end_op != OP_DELETE && op->end_op != OP_UPDATE) ||
            (op->moved && (op->op != OP_DELETE || op->end_op != OP_UPDATE || op->movedlen == 0 ||
                           key_check_len(op->movedlen, err)))) {
            rc = dd_err(err, DD_EINTERNAL, -1, "malformed write operation");
            break;
        }
        if (op->op != OP_DELETE && (rc = rec_validate(op->rec, op->reclen, err))) {
            rc = dd_err(err, DD_EINTERNAL, -1, "malformed row image in write set");
            break;
        }
        /* the snapshot the write was made on (at least the write set's) */
        u64 base = op->base_seq > ws->snapshot_seq ? op->base_seq : ws->snapshot_seq;
        if (!ct_set || op->table != ct_id) {   /* a run of one table's ops looks it up once */
            ct_id = op->table;
            ct = ws_table(ws, op->table);
            ct_ws = ct != NULL;
            if (!ct) {
                pthread_mutex_lock(&st->cat_mu);
                ct = cat_version_locked(st, op->table, UINT64_MAX);
                pthread_mutex_unlock(&st->cat_mu);
            }
            ct_set = true;
        }
        const TableInfo *t = ct;
        if (!ct_ws) {
            if (!t) {
                rc = dd_err(err, DD_EUNDEFINED_TABLE, -1, "relation with id %u does not exist", op->table);
                break;
            }
            if (t->dropped) {
                rc = t->seq > base
                         ? serialization(err, "concurrent update")
                         : dd_err(err, DD_EUNDEFINED_TABLE, -1, "relation \"%s\" does not exist", t->name);
                break;
            }
            /* rows written against a schema that changed meanwhile */
            if (t->seq > base) {
                rc = serialization(err, "concurrent update");
                break;
            }
        }
        /* No commit since the snapshot wrote a row of the table (every
         * row is written here, and this process is the only writer): then
         * no key of it was written after the snapshot, and the check of a
         * new key waits for apply_rows, which finds a live one as it
         * writes (a COPY of a million rows skips two lookups per row). */
        if (lw_seq == UINT64_MAX || op->table != lw_table) {
            pthread_mutex_lock(&st->cat_mu);
            lw_seq = cat_last_write_locked(st, op->table);
            er_seq = cat_erased_at_locked(st, op->table);
            pthread_mutex_unlock(&st->cat_mu);
            lw_table = op->table;
        }
        /* an ERASE since the snapshot may have taken the key's versions,
         * so that the lookup below would not see the conflict */
        if (er_seq > base) { rc = serialization(err, "concurrent update"); break; }
        if (lw_seq <= base) continue;
        buf_reset(&w->key);
        buf_put_u32be(&w->key, op->table);
        buf_append(&w->key, op->pk, op->pklen);
        if (!buf_ok(&w->key)) {
            rc = dd_err(err, DD_ENOMEM, -1, NULL);
            break;
        }
        MDB_val k, v;
        /* A key written after the snapshot is a write conflict (40001),
         * first committer wins, whatever the operation (docs/architecture.md §3).
         * Newest version of (table, pk): first key >= (table, pk, ~UINT64_MAX). */
        size_t prefix = w->key.len;
        buf_put_u64be(&w->key, 0);
        k.mv_size = w->key.len;
        k.mv_data = w->key.data;
        int g = mdb_cursor_get(vc, &k, &v, MDB_SET_RANGE);
        if (g == 0 && k.mv_size == 4 + op->pklen + 8 && memcmp(k.mv_data, w->key.data, 4 + op->pklen) == 0) {
            u64 seq = fmt_inv_seq(get_u64be((const u8 *)k.mv_data + 4 + op->pklen));
            if (seq > base) { rc = serialization(err, "concurrent update"); break; }
        } else if (g != 0 && g != MDB_NOTFOUND) {
            rc = store_mdb_err(err, g, "checking conflicts");
            break;
        }
        /* An INSERT of a key that is live (and was so at the snapshot). */
        /* no predecessor ended within this commit (end_op 0): the key
         * must not be live */
        if (op->op == OP_INSERT && op->end_op == 0) {
            k.mv_size = prefix;
            k.mv_data = w->key.data;
            g = mdb_get(txn, st->dbi[FMT_DB_CURRENT], &k, &v);
            if (g == 0) {
                fill_duplicate(st, t, op->pk, op->pklen, err);
                rc = DD_EUNIQUE;
                break;
            }
            if (g != MDB_NOTFOUND) {
                rc = store_mdb_err(err, g, "checking conflicts");
                break;
            }
        }
    }
    mdb_cursor_close(vc);
    for (int i = 0; i < ws->niops && !rc; i++) {
        const IndexOp *x = &ws->iops[i];
        if ((size_t)x->keylen + x->pklen > FMT_MAX_INDEX_KEY)
            rc = dd_err(err, DD_EPROGRAM_LIMIT, -1, "index row size %u exceeds maximum %d",
                        x->keylen + x->pklen, FMT_MAX_INDEX_KEY);
        else if (x->add && x->unique && !x->ever_only)
            rc = check_unique(st, w, txn, ws, x, err);
    }
    if (!rc && ws->serializable) rc = ssi_check(st, ws->serializable, &w->fp, w->fpc, w->nfpc, err);
    return rc;
}

/* Keeps the footprint of r's commit at seq, if serializable. */
static void note_footprint(Writer *w, const CommitReq *r, u64 seq)
{
    if (!r->ws->serializable) return;
    if (w->nfpc == w->capfpc) {
        size_t ncap = w->capfpc ? w->capfpc * 2 : 16;
        SsiCommit *n = dd_realloc(w->fpc, sizeof *n * ncap);
        if (!n) { w->fp_lost = seq; return; }
        w->fpc = n;
        w->capfpc = ncap;
    }
    size_t off = w->fp.len;
    if (ssi_footprint(w->st, &w->fp, r->ws)) {
        w->fp.len = off;
        w->fp.oom = false;
        w->fp_lost = seq;
        return;
    }
    w->fpc[w->nfpc].seq = seq;
    w->fpc[w->nfpc].off = off;
    w->nfpc++;
}

/* ---- apply ---- */

/* Maps an LMDB error inside apply: MAP_FULL to APPLY_MAP_FULL. */
int store_clear_current(Store *st, MDB_txn *txn, u32 table, u64 *n)
{
    if (n) *n = 0;
    MDB_cursor *c;
    int mrc = mdb_cursor_open(txn, st->dbi[FMT_DB_CURRENT], &c);
    if (mrc) return mrc;
    u8 id[4];
    put_u32be(id, table);
    MDB_val k = {4, id}, v;
    for (mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); mrc == 0;
         mrc = mdb_cursor_get(c, &k, &v, MDB_GET_CURRENT)) {
        if (k.mv_size < 4 || memcmp(k.mv_data, id, 4) != 0) break;
        if ((mrc = wal_cursor_del(st, c, FMT_DB_CURRENT))) break;
        if (n) (*n)++;
    }
    mdb_cursor_close(c);
    /* after deleting the last entry of the db, GET_CURRENT says EINVAL */
    return mrc == MDB_NOTFOUND || mrc == EINVAL ? 0 : mrc;
}

int store_clear_dropped(Store *st, DdError *err)
{
    MDB_txn *txn;
    int mrc = wal_txn_begin(st, &txn);
    if (mrc) return store_mdb_err(err, mrc, "clearing dropped tables");
    u64 cleared = 0;
    pthread_mutex_lock(&st->cat_mu);
    for (int i = 0; i < st->ncat && !mrc; i++) {
        const CatTable *ct = &st->cat[i];
        if (ct->n == 0 || !ct->v[ct->n - 1]->dropped) continue;
        u64 n;
        mrc = store_clear_current(st, txn, ct->id, &n);
        cleared += n;
    }
    pthread_mutex_unlock(&st->cat_mu);
    if (mrc || !cleared) {
        wal_txn_abort(st, txn);
        return mrc ? store_mdb_err(err, mrc, "clearing dropped tables") : 0;
    }
    if ((mrc = wal_commit(st, txn))) return store_mdb_err(err, mrc, "clearing dropped tables");
    return 0;
}

/* Makes a write failure sticky: every later commit fails with code and
 * msg until the store is reopened.  The first failure stays (later ones
 * follow from it).  Batches and checkpoints run on several threads, and
 * committers read st->broken: it is set under q_mu, the message first. */
void store_set_broken(Store *st, int code, const char *msg)
{
    pthread_mutex_lock(&st->q_mu);
    if (!st->broken) {
        snprintf(st->broken_msg, sizeof st->broken_msg, "%s", msg);
        __atomic_store_n(&st->broken, code, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&st->q_mu);
}

int store_broken(Store *st) { return __atomic_load_n(&st->broken, __ATOMIC_ACQUIRE); }

static int apply_err(Store *st, CommitReq *r, int mrc, const char *what)
{
    if (mrc == MDB_MAP_FULL) return APPLY_MAP_FULL;
    int rc = store_mdb_err(&r->e, mrc, what);
    if (is_sticky(mrc)) store_set_broken(st, mrc == ENOSPC ? DD_EDISK_FULL : DD_EIO, r->e.message);
    return rc;
}

/*
 * The row versions and present rows of r's ops, their log events
 * appended to the log record in w->log (*ne counts them).  Keys past the
 * last of their db are appended
 * (MDB_APPEND: no search, and full pages instead of half-full ones when
 * LMDB splits), the rest put in place: a COPY of rows in key order into
 * the newest table appends them all.  A new key (INSERT, no predecessor
 * ended in this commit) found live is 23505: check_req leaves that to
 * here when no commit wrote the table since the snapshot.
 */
static int apply_rows(Writer *w, MDB_txn *txn, CommitReq *r, u64 seq, u32 *ne)
{
    Store *st = w->st;
    WriteSet *ws = r->ws;
    MDB_cursor *vcur = NULL, *ccur = NULL;
    int mrc = mdb_cursor_open(txn, st->dbi[FMT_DB_VERSIONS], &vcur);
    if (!mrc) mrc = mdb_cursor_open(txn, st->dbi[FMT_DB_CURRENT], &ccur);
    if (mrc) {
        if (vcur) mdb_cursor_close(vcur);
        return apply_err(st, r, mrc, "writing a version");
    }
    bool vapp = true, capp = true;   /* appending still works */
    int rc = 0;
    for (int i = 0; i < ws->nops && !rc; i++) {
        const WriteOp *op = ws->ops[i];
        LogEventIn ev = {.table = op->table, .op = op->op, .pk = op->pk, .pklen = op->pklen};
        if (w->salt_at == SALT_CHUNK) {
            if (random_bytes(w->salt, sizeof w->salt)) {
                rc = dd_err(&r->e, DD_ENOMEM, -1, "could not generate the salts of a commit's events");
                break;
            }
            w->salt_at = 0;
        }
        ev.salt = w->salt + (size_t)w->salt_at++ * FMT_EV_SALT;

        buf_reset(&w->key);
        buf_put_u32be(&w->key, op->table);
        buf_append(&w->key, op->pk, op->pklen);
        buf_put_u64be(&w->key, fmt_inv_seq(seq));
        if (!buf_ok(&w->key)) { rc = dd_err(&r->e, DD_ENOMEM, -1, NULL); break; }
        bool del = op->op == OP_DELETE;
        /* a tombstone of a move keeps the key the row moved to */
        const u8 *img = del ? op->moved : op->rec;
        u32 reclen = del ? (op->moved ? op->movedlen : 0) : op->reclen;
        MDB_val k = {w->key.len, w->key.data}, v = {FMT_VER_HDR + (size_t)reclen, NULL};
        mrc = MDB_KEYEXIST;
        if (vapp && (mrc = mdb_cursor_put(vcur, &k, &v, MDB_RESERVE | MDB_APPEND)) == MDB_KEYEXIST) vapp = false;
        if (!vapp) mrc = mdb_cursor_put(vcur, &k, &v, MDB_RESERVE);
        if (mrc) { rc = apply_err(st, r, mrc, "writing a version"); break; }
        u8 *p = v.mv_data;
        p[0] = del ? FMT_VER_TOMBSTONE : FMT_VER_ROW;
        p[1] = op->op;
        p[2] = op->end_op;   /* tombstone: how the version ended; row: how the previous one did (0: UPDATE) */
        if (reclen) memcpy(p + FMT_VER_HDR, img, reclen);
        wal_note_put(st, FMT_DB_VERSIONS, &k, &v);
        /* the event binds the whole version value, header included, so
         * its end_op cannot change unnoticed */
        if (log_row_digest(&w->digest, ev.salt, op->pk, op->pklen, p, FMT_VER_HDR + (size_t)reclen, ev.hash)) {
            rc = dd_err(&r->e, DD_ENOMEM, -1, "could not compute the hash of a row version");
            break;
        }
        log_put_event(&w->log, &ev);
        (*ne)++;

        k.mv_size = w->key.len - 8;  /* (table, pk) */
        note_op(w, op->table, op->op);
        if (del) {
            mrc = wal_del(st, txn, FMT_DB_CURRENT, &k);
            if (mrc && mrc != MDB_NOTFOUND) { rc = apply_err(st, r, mrc, "deleting a row"); break; }
            if (!mrc) note_rows(w, op->table, -1);
            continue;
        }
        v.mv_size = FMT_CUR_HDR + (size_t)reclen;
        mrc = MDB_KEYEXIST;
        if (capp && (mrc = mdb_cursor_put(ccur, &k, &v, MDB_RESERVE | MDB_APPEND)) == MDB_KEYEXIST) capp = false;
        if (!capp) mrc = mdb_cursor_put(ccur, &k, &v, MDB_RESERVE | MDB_NOOVERWRITE);
        if (mrc == MDB_KEYEXIST) {
            if (op->op == OP_INSERT && op->end_op == 0) {
                const TableInfo *t = ws_table(ws, op->table);
                if (!t) {
                    pthread_mutex_lock(&st->cat_mu);
                    t = cat_version_locked(st, op->table, UINT64_MAX);
                    pthread_mutex_unlock(&st->cat_mu);
                }
                fill_duplicate(st, t, op->pk, op->pklen, &r->e);
                rc = DD_EUNIQUE;
                break;
            }
            v.mv_size = FMT_CUR_HDR + (size_t)reclen;
            mrc = mdb_cursor_put(ccur, &k, &v, MDB_RESERVE);
        } else if (!mrc) {
            note_rows(w, op->table, 1);
        }
        if (mrc) { rc = apply_err(st, r, mrc, "writing a row"); break; }
        p = v.mv_data;
        put_u64be(p, seq);
        p[8] = op->op;
        memcpy(p + FMT_CUR_HDR, op->rec, reclen);
        wal_note_put(st, FMT_DB_CURRENT, &k, &v);
    }
    mdb_cursor_close(vcur);
    mdb_cursor_close(ccur);
    return rc;
}

static int apply_req(Writer *w, MDB_txn *txn, CommitReq *r, u64 seq, i64 *time, u8 hash[32])
{
    Store *st = w->st;
    WriteSet *ws = r->ws;
    size_t nev = (size_t)ws->nops + (size_t)ws->ntables + (ws->purge ? 1 : 0);
    int mrc;
    i64 now = clock_wall_us();
    i64 t = now > *time ? now : *time + 1;
    u32 ne = 0;
    /* the log record's header now, its events as they are written: no
     * list of them in memory (a COPY's would take 80 bytes a row) */
    size_t evbytes = (size_t)ws->ntables * log_event_size(FMT_EV_CREATE, 0) +
                     (ws->purge ? log_event_size(FMT_EV_PURGE, 0) : 0);
    for (int i = 0; i < ws->nops; i++) evbytes += log_event_size(ws->ops[i]->op, ws->ops[i]->pklen);
    buf_reset(&w->log);
    if (log_begin(&w->log, t, hash, ws->user, ws->application, ws->client_addr, (u32)nev, evbytes))
        return dd_err(&r->e, DD_ENOMEM, -1, NULL);

    pthread_mutex_lock(&st->cat_mu);
    for (int i = 0; i < ws->nops; i++) cat_note_write_locked(st, ws->ops[i]->table, seq);
    pthread_mutex_unlock(&st->cat_mu);
    int rc = apply_rows(w, txn, r, seq, &ne);
    if (rc) return rc;

    for (int i = 0; i < ws->niops; i++) {
        const IndexOp *x = &ws->iops[i];
        buf_reset(&w->key);
        buf_put_u32be(&w->key, x->index);
        buf_append(&w->key, x->key, x->keylen);
        buf_append(&w->key, x->pk, x->pklen);
        if (!buf_ok(&w->key)) return dd_err(&r->e, DD_ENOMEM, -1, NULL);
        u8 pkl[FMT_INDEX_VAL] = {(u8)(x->pklen >> 8), (u8)x->pklen};
        MDB_val k = {w->key.len, w->key.data}, v = {FMT_INDEX_VAL, pkl};
        mrc = 0;
        if (x->add && !x->ever_only) mrc = wal_put(st, txn, FMT_DB_INDEX, &k, &v, 0);
        else if (!x->add && (mrc = wal_del(st, txn, FMT_DB_INDEX, &k)) == MDB_NOTFOUND) mrc = 0;
        if (mrc) return apply_err(st, r, mrc, "writing an index entry");
        if (x->add) {
            /* the history entry: the same key under the history id */
            put_u32be(w->key.data, x->index | FMT_INDEX_EVER);
            mrc = wal_put(st, txn, FMT_DB_INDEX, &k, &v, 0);
            if (mrc) return apply_err(st, r, mrc, "writing an index history entry");
        }
    }

    for (int i = 0; i < ws->ntables; i++) {
        TableInfo *nt = ws->tables[i];
        pthread_mutex_lock(&st->cat_mu);
        const TableInfo *prev = cat_version_locked(st, nt->id, UINT64_MAX);
        u64 created = prev ? prev->created_seq : seq;
        pthread_mutex_unlock(&st->cat_mu);
        nt->seq = seq;
        nt->created_seq = created;
        buf_reset(&w->cat);
        catalog_encode(nt, &w->cat);
        buf_reset(&w->key);
        buf_put_u32be(&w->key, nt->id);
        buf_put_u64be(&w->key, fmt_inv_seq(seq));
        if (!buf_ok(&w->cat) || !buf_ok(&w->key)) return dd_err(&r->e, DD_ENOMEM, -1, NULL);
        MDB_val k = {w->key.len, w->key.data}, v = {w->cat.len, w->cat.data};
        if ((mrc = wal_put(st, txn, FMT_DB_CATALOG, &k, &v, 0)))
            return apply_err(st, r, mrc, "writing the catalog");
        pthread_mutex_lock(&st->cat_mu);
        int rc = cat_add_locked(st, w->cat.data, w->cat.len, &r->e);
        pthread_mutex_unlock(&st->cat_mu);
        if (rc) return rc;
        /* a dropped table's rows leave the present (its history stays) */
        if (nt->dropped && (mrc = store_clear_current(st, txn, nt->id, NULL)))
            return apply_err(st, r, mrc, "clearing a dropped table");
        LogEventIn ev = {.table = nt->id, .op = nt->dropped ? FMT_EV_DROP : prev ? FMT_EV_ALTER : FMT_EV_CREATE};
        if (sha256(w->cat.data, w->cat.len, ev.hash))
            return dd_err(&r->e, DD_ENOMEM, -1, "could not compute the hash of a catalog record");
        log_put_event(&w->log, &ev);
        ne++;
    }

    if (ws->purge) {
        const char *what;
        LogEventIn ev;
        memset(&ev, 0, sizeof ev);
        int prc = purge_apply(st, txn, ws->purge, seq, &ev, &what, &r->e);
        if (prc > 0) return apply_err(st, r, prc, what);
        if (prc < 0) return -prc;
        log_put_event(&w->log, &ev);
        ne++;
    }

    u8 newhash[32];
    if (ne != nev) return dd_err(&r->e, DD_EINTERNAL, -1, "a commit made %u log events of %zu", ne, nev);
    if (log_finish(&w->log, 0, seq, st->dbid, newhash))
        return dd_err(&r->e, DD_ENOMEM, -1, buf_ok(&w->log) ? "could not compute the hash of a log record" : NULL);
    u8 seqkey[8], tkey[8];
    put_u64be(seqkey, seq);
    put_u64be(tkey, fmt_time_key(t));
    MDB_val k = {8, seqkey}, v = {w->log.len, w->log.data};
    if ((mrc = wal_put(st, txn, FMT_DB_LOG, &k, &v, MDB_APPEND)))
        return apply_err(st, r, mrc, "appending to the log");
    if (w->log.cap > LOG_KEEP) buf_free(&w->log);   /* LMDB has its copy */
    MDB_val tk = {8, tkey}, tv = {8, seqkey};
    if ((mrc = wal_put(st, txn, FMT_DB_TIMES, &tk, &tv, MDB_APPEND)))
        return apply_err(st, r, mrc, "appending to the time index");
    memcpy(hash, newhash, 32);
    *time = t;
    return 0;
}

static int put_meta(Store *st, MDB_txn *txn, u64 seq, const u8 hash[32], i64 time)
{
    u8 head[FMT_META_HEAD_LEN], ids[FMT_META_IDS_LEN];
    store_put_head(head, seq, hash, time);
    put_u32be(ids, __atomic_load_n(&st->next_table_id, __ATOMIC_SEQ_CST));
    put_u32be(ids + 4, __atomic_load_n(&st->next_index_id, __ATOMIC_SEQ_CST));
    MDB_val k1 = {4, "head"}, v1 = {sizeof head, head}, k2 = {3, "ids"}, v2 = {sizeof ids, ids};
    int rc = wal_put(st, txn, FMT_DB_META, &k1, &v1, 0);
    if (!rc) rc = wal_put(st, txn, FMT_DB_META, &k2, &v2, 0);
    return rc;
}

/* Fails every request not yet failed with code/message. */
static void fail_all(CommitReq *list, int code, const char *msg)
{
    for (CommitReq *r = list; r; r = r->next)
        if (!r->failed) {
            r->failed = r->hard = true;
            r->rc = dd_err(&r->e, code, -1, "%s", msg);
        }
}

static void process_batch(Writer *w, CommitReq *list)
{
    Store *st = w->st;
    for (int attempt = 0;; attempt++) {
        int broken = store_broken(st);
        if (broken) {
            fail_all(list, broken, st->broken_msg[0] ? st->broken_msg : dd_err_text(broken));
            return;
        }
        for (CommitReq *r = list; r; r = r->next)
            if (!r->hard) {
                r->failed = false;
                r->rc = 0;
                r->seq = 0;
            }
        w->nd = 0;
        buf_reset(&w->fp);
        w->nfpc = 0;
        w->fp_lost = 0;
        MDB_txn *txn;
        int mrc = wal_txn_begin(st, &txn);
        if (mrc) {
            DdError e;
            store_mdb_err(&e, mrc, "beginning a write transaction");
            if (is_sticky(mrc)) store_set_broken(st, e.code, e.message);
            fail_all(list, e.code, e.message);
            return;
        }
        u64 seq = st->head_seq;
        /* every time this batch gives is above the floor (snap_horizon) */
        pthread_mutex_lock(&st->q_mu);
        i64 time = st->time_floor > st->head_time ? st->time_floor : st->head_time;
        i64 clock = clock_wall_us() - 1;   /* its times are at least the clock now */
        if (clock > time) time = clock;
        st->inflight = true;
        st->inflight_first = time + 1;
        pthread_mutex_unlock(&st->q_mu);
        u8 hash[32];
        memcpy(hash, st->head_hash, 32);
        bool map_full = false, redo = false;
        int nok = 0;
        for (CommitReq *r = list; r; r = r->next) {
            if (r->failed) continue;
            int rc = check_req(w, txn, r);
            if (rc) {
                r->failed = true;
                r->rc = rc;
                continue;
            }
            rc = apply_req(w, txn, r, seq + 1, &time, hash);
            if (rc == APPLY_MAP_FULL) {
                map_full = true;
                break;
            }
            if (rc) {
                /* The txn may hold part of r's writes: redo without r. */
                r->failed = r->hard = true;
                r->rc = rc;
                redo = true;
                break;
            }
            seq++;
            r->seq = seq;
            r->time = time;
            nok++;
            note_footprint(w, r, seq);
        }
        if (!map_full && !redo && nok > 0) {
            mrc = put_meta(st, txn, seq, hash, time);
            if (!mrc) mrc = wal_commit(st, txn);   /* durable once it returns 0 */
            else wal_txn_abort(st, txn);
            txn = NULL;
            if (mrc == MDB_MAP_FULL) {
                map_full = true;
            } else if (mrc) {
                DdError e;
                /* LMDB reports a short write (the file system filled up
                 * mid-write) as EIO: tell the two apart by the free space */
                if (mrc == EIO && store_disk_full(st)) mrc = ENOSPC;
                store_mdb_err(&e, mrc, "committing");
                /* A failed commit leaves LMDB's state unknown: sticky. */
                int code = e.code == DD_EDISK_FULL ? DD_EDISK_FULL : DD_EIO;
                store_set_broken(st, code, e.message);
                cat_truncate(st, st->head_seq);
                fail_all(list, code, e.message);
                return;
            } else {
                bool due = false;
                pthread_mutex_lock(&st->cat_mu);
                for (int i = 0; i < w->nd; i++) {
                    cat_add_rows_locked(st, w->dtab[i], w->ddelta[i]);
                    cat_add_ops_locked(st, w->dtab[i], w->dops[i]);
                    CatTable *ct = w->dops[i][2] ? cat_find(st, w->dtab[i]) : NULL;
                    if (!ct) continue;
                    ct->ck_dels += (u64)w->dops[i][2];
                    if (!ct->ck_due && !ct->ck_busy && ckpt_auto_due_locked(ct)) due = ct->ck_due = true;
                }
                pthread_mutex_unlock(&st->cat_mu);
                if (due) __atomic_store_n(&st->ck_any_due, true, __ATOMIC_RELEASE);
                pthread_mutex_lock(&st->q_mu);
                for (CommitReq *r = list; r; r = r->next)
                    if (!r->failed && r->seq) st->recent[r->seq % STORE_RECENT] = r->time;
                st->head_seq = seq;
                st->head_time = time;
                memcpy(st->head_hash, hash, 32);
                st->n_commits += (u64)nok;
                st->n_batches++;
                hist_add(&st->batch_size, (u64)nok);
                pthread_mutex_unlock(&st->q_mu);
                ssi_keep(st, seq, &w->fp, w->fpc, w->nfpc, w->fp_lost);
                return;
            }
        }
        if (txn) wal_txn_abort(st, txn);
        cat_truncate(st, st->head_seq);
        if (!map_full && !redo) return;  /* every request failed its checks */
        if (store_broken(st)) continue;  /* sticky error seen in apply */
        if (map_full) {
            DdError e;
            if (store_grow_map(st, &e) || attempt > 40) {
                fail_all(list, e.code ? e.code : DD_EDISK_FULL, e.code ? e.message : "could not grow the map");
                return;
            }
        }
    }
}

/* A checkpoint that fails leaves the previous one in force (its pin keeps
 * that tree), but the log would only grow: refuse commits from then on. */
static void writer_checkpoint(Store *st, bool idle)
{
    int rc = wal_maybe_checkpoint(st, idle);
    if (rc && !store_broken(st)) {
        DdError e;
        if (rc == EIO && store_disk_full(st)) rc = ENOSPC;
        store_mdb_err(&e, rc, "checkpointing");
        store_set_broken(st, e.code == DD_EDISK_FULL ? DD_EDISK_FULL : DD_EIO, e.message);
    }
}

/* Runs the batch list (taken from the queue by a caller that set
 * st->busy), then wakes its waiters.  Called and returns with q_mu held. */
static void run_batch(Store *st, CommitReq *list)
{
    pthread_mutex_unlock(&st->q_mu);
    process_batch(st->w, list);
    pthread_mutex_lock(&st->q_mu);
    st->inflight = false;
    pthread_cond_broadcast(&st->head_cv);
    for (CommitReq *r = list, *next; r; r = next) {
        next = r->next;  /* r belongs to its waiter once done */
        r->done = true;
        pthread_cond_signal(&r->cv);
    }
}

/*
 * The writer thread takes the queue whenever no batch runs: the commits
 * that arrive while one does go into the next (group commit).  A commit
 * that finds nothing running runs its own batch on its own thread
 * (store_commit), which spares it two thread switches; the writer takes
 * whatever queued meanwhile.  Either way one batch runs at a time (busy).
 */
static void *writer_main(void *arg)
{
    Store *st = arg;
    i64 checked = clock_mono_us();
    for (;;) {
        pthread_mutex_lock(&st->q_mu);
        bool idle = false;
        while ((!st->q_head || st->busy) && !(st->stop && !st->busy)) {
            /* idle: wake now and then to clear dead readers, and soon to
             * checkpoint what the commit log holds */
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            if (__atomic_load_n(&st->wal.since, __ATOMIC_RELAXED)) {
                until.tv_nsec += WAL_IDLE_MS * 1000000L;
                if (until.tv_nsec >= 1000000000L) {
                    until.tv_sec++;
                    until.tv_nsec -= 1000000000L;
                }
            } else {
                until.tv_sec += READER_CHECK_SECONDS;
                st->napping = true;
            }
            int w = pthread_cond_timedwait(&st->q_cv, &st->q_mu, &until);
            st->napping = false;
            if (w == ETIMEDOUT) {
                idle = !st->q_head && !st->busy;
                break;
            }
        }
        if (idle && __atomic_load_n(&st->wal.since, __ATOMIC_RELAXED)) {
            pthread_mutex_unlock(&st->q_mu);
            writer_checkpoint(st, true);
            pthread_mutex_lock(&st->q_mu);
        }
        if (clock_mono_us() - checked >= (i64)READER_CHECK_SECONDS * 1000000) {
            /* a process that died holding a snapshot (a killed `driftdb
             * sql --data` beside the server) would keep pages from reuse */
            pthread_mutex_unlock(&st->q_mu);
            store_reader_check(st);
            checked = clock_mono_us();
            pthread_mutex_lock(&st->q_mu);
        }
        if (!st->q_head || st->busy) {
            bool done = st->stop && !st->busy && !st->q_head;
            pthread_mutex_unlock(&st->q_mu);
            if (done) break;
            continue;
        }
        CommitReq *list = st->q_head;
        st->q_head = st->q_tail = NULL;
        st->busy = true;
        run_batch(st, list);
        st->busy = false;
        pthread_mutex_unlock(&st->q_mu);
        writer_checkpoint(st, false);
    }
    Writer *w = st->w;
    st->w = NULL;
    buf_free(&w->key);
    buf_free(&w->val);
    buf_free(&w->log);
    buf_free(&w->cat);
    dd_free(w->dtab);
    dd_free(w->ddelta);
    dd_free(w->dops);
    buf_free(&w->fp);
    dd_free(w->fpc);
    sha256_ctx_free(&w->digest);
    dd_free(w);
    return NULL;
}

int store_commit_start(Store *st, DdError *err)
{
    Writer *w = dd_calloc(1, sizeof *w);
    if (!w) return dd_err(err, DD_ENOMEM, -1, NULL);
    w->salt_at = SALT_CHUNK;   /* none drawn yet */
    w->st = st;
    st->w = w;
    if (pthread_create(&st->writer, NULL, writer_main, st) != 0) {
        st->w = NULL;
        dd_free(w);
        return dd_err(err, DD_EINTERNAL, -1, "could not start the writer thread");
    }
    st->writer_started = true;
    if (store_retention_start(st)) {
        store_commit_stop(st);
        return dd_err(err, DD_EINTERNAL, -1, "could not start the retention thread");
    }
    return 0;
}

void store_commit_stop(Store *st)
{
    store_retention_stop(st);   /* it commits through the writer */
    if (!st->writer_started) return;
    pthread_mutex_lock(&st->q_mu);
    st->stop = true;
    pthread_cond_signal(&st->q_cv);
    pthread_mutex_unlock(&st->q_mu);
    pthread_join(st->writer, NULL);
    st->writer_started = false;
}

int store_commit(Store *st, WriteSet *ws, u64 *seq_out, i64 *time_out, DdError *err)
{
    if (st->read_only)
        return dd_err(err, DD_EREAD_ONLY_TXN, -1, "cannot commit: the database is open read-only");
    if (ws->nops == 0 && ws->niops == 0 && ws->ntables == 0 && !ws->purge)
        return dd_err(err, DD_EINTERNAL, -1, "empty write set committed");
    /* sorted here, so the writer only looks things up */
    if (ws->serializable) ssi_seal(ws->serializable);
    i64 t0 = clock_mono_us();
    CommitReq r;
    memset(&r, 0, sizeof r);
    r.ws = ws;
    pthread_cond_init(&r.cv, NULL);
    pthread_mutex_lock(&st->q_mu);
    if (st->broken || st->stop) {
        int code = st->broken ? st->broken : DD_EINTERNAL;
        dd_err(err, code, -1, "%s", st->broken ? (st->broken_msg[0] ? st->broken_msg : dd_err_text(code))
                                               : "the store is closing");
        pthread_mutex_unlock(&st->q_mu);
        pthread_cond_destroy(&r.cv);
        return code;
    }
    if (st->q_tail) st->q_tail->next = &r;
    else st->q_head = &r;
    st->q_tail = &r;
    if (!st->busy) {
        /* nothing runs: this thread runs the batch (writer_main) */
        CommitReq *list = st->q_head;
        st->q_head = st->q_tail = NULL;
        st->busy = true;
        run_batch(st, list);
        st->busy = false;
        /* the writer takes the rest, or wakes to checkpoint once idle
         * (its long wait began with nothing to checkpoint) */
        if (st->q_head || st->stop || st->napping) pthread_cond_signal(&st->q_cv);
        pthread_mutex_unlock(&st->q_mu);
        if (!r.rc) hist_add(&st->commit_us, (u64)(clock_mono_us() - t0));   /* durable; the checkpoint is not its */
        writer_checkpoint(st, false);
    } else {
        pthread_cond_signal(&st->q_cv);
        while (!r.done) pthread_cond_wait(&r.cv, &st->q_mu);
        pthread_mutex_unlock(&st->q_mu);
        if (!r.rc) hist_add(&st->commit_us, (u64)(clock_mono_us() - t0));
    }
    pthread_cond_destroy(&r.cv);
    if (r.rc) {
        if (err) *err = r.e;
        return r.rc;
    }
    if (seq_out) *seq_out = r.seq;
    if (time_out) *time_out = r.time;
    return 0;
}
