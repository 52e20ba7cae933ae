/*
 * engine.c - opening and closing databases: driftdb_init, driftdb_open,
 * driftdb_close, statistics and verification.  driftdb_open registers with
 * the store how the SQL layer computes index keys (verify_index_key), so
 * store_verify checks index entries against rows.
 */
#include "engine_int.h"
#include "../sql/types/rowcodec.h"
#include "../util/alloc.h"
#include <string.h>
#include <stdio.h>

const char *driftdb_version(void) { return "0.1.0"; }

void dd_to_api_error(const DdError *e, driftdb_error *out);
void dd_to_api_error(const DdError *e, driftdb_error *out)
{
    if (!out) return;
    memset(out, 0, sizeof(*out));
    memcpy(out->sqlstate, e->sqlstate[0] ? e->sqlstate : dd_err_sqlstate(e->code), 5);
    out->sqlstate[5] = 0;
    snprintf(out->message, sizeof(out->message), "%s", e->message[0] ? e->message : dd_err_text(e->code));
    snprintf(out->detail, sizeof(out->detail), "%s", e->detail);
    snprintf(out->hint, sizeof(out->hint), "%s", e->hint);
    out->position = e->position;
    out->severity = "ERROR";
}

int driftdb_init(const char *dir, driftdb_error *err)
{
    DdError e;
    dd_err_clear(&e);
    int rc = store_create(dir, &e);
    if (rc) { dd_to_api_error(&e, err); return DRIFTDB_ERROR; }
    return DRIFTDB_OK;
}

/* StoreIndexKeyFn: the key the write path (sql_index_key) gives a row
 * image: its values decoded as the table version t types them, encoded by
 * row_index_key. */
static int verify_index_key(const TableInfo *t, const IndexInfo *ix, const u8 *rec, u32 reclen, Buf *out,
                            DdError *err)
{
    for (int k = 0; ix->exprs && k < ix->ncols; k++)
        if (ix->exprs[k])
            return dd_err(err, DD_EFEATURE, -1, "index \"%s\": expression indexes cannot be verified", ix->name);
    Value *vals = dd_malloc(sizeof(Value) * (size_t)(t->ncols + 1));
    if (!vals) return dd_err(err, DD_ENOMEM, -1, NULL);
    int rc = row_decode(t, rec, reclen, vals, err);
    if (!rc) {
        row_index_key(t, ix, vals, out);
        if (!buf_ok(out)) rc = dd_err(err, DD_ENOMEM, -1, NULL);
    }
    dd_free(vals);
    return rc;
}

int driftdb_open(const char *dir, const driftdb_options *opts, driftdb **out, driftdb_error *err)
{
    DdError e;
    dd_err_clear(&e);
    driftdb *db = dd_calloc(1, sizeof(*db));
    if (!db) { dd_err(&e, DD_ENOMEM, -1, NULL); dd_to_api_error(&e, err); return DRIFTDB_ERROR; }
    StoreOptions so;
    memset(&so, 0, sizeof(so));
    if (opts) {
        so.read_only = opts->read_only != 0;
        so.initial_map_size = opts->initial_map_size;
    }
    db->read_only = so.read_only;
    db->dir = dd_strdup(dir);
    int rc = db->dir ? store_open(dir, &so, &db->store, &e) : dd_err(&e, DD_ENOMEM, -1, NULL);
    if (rc) {
        dd_free(db->dir);
        dd_free(db);
        dd_to_api_error(&e, err);
        return DRIFTDB_ERROR;
    }
    store_set_index_key_fn(verify_index_key);
    *out = db;
    return DRIFTDB_OK;
}

void driftdb_close(driftdb *db)
{
    if (!db) return;
    store_close(db->store);
    dd_free(db->dir);
    dd_free(db);
}

void driftdb_get_stats(driftdb *db, driftdb_stats *out)
{
    StoreStats st;
    store_stats(db->store, &st);
    out->head_seq = st.head_seq;
    out->commits = st.commits;
    out->batches = st.batches;
    out->map_size = st.map_size;
}

int driftdb_verify(driftdb *db, uint64_t *checked, uint64_t *first_bad, driftdb_error *err)
{
    DdError e;
    dd_err_clear(&e);
    u64 c = 0, b = 0;
    int rc = store_verify(db->store, &c, &b, &e);
    if (checked) *checked = c;
    if (first_bad) *first_bad = b;
    if (rc) { dd_to_api_error(&e, err); return DRIFTDB_ERROR; }
    return DRIFTDB_OK;
}
