/*
 * writeset.c - a transaction's uncommitted changes (see writeset.h).
 *
 * Rows live in an insertion-ordered array with an open-addressing hash
 * index (linear probing, FNV-1a over table id and pk).  Removal leaves a
 * NULL in the array and keeps the index slot pointing at it (a tombstone
 * slot), so probing stays correct; the table is rebuilt on growth.
 */
#include "writeset.h"
#include "../../util/alloc.h"
#include <stddef.h>
#include <string.h>
#include <stdlib.h>

/* WsRow's fields over its WriteOp lie where the WriteOp's are. */
#define WS_SAME(f) _Static_assert(offsetof(WsRow, f) == offsetof(WsRow, w) + offsetof(WriteOp, f), #f)
WS_SAME(table);
WS_SAME(pklen);
WS_SAME(reclen);
WS_SAME(movedlen);
WS_SAME(op);
WS_SAME(end_op);
WS_SAME(pk);
WS_SAME(rec);
WS_SAME(moved);
WS_SAME(base_seq);
_Static_assert(offsetof(WsRow, existed) > offsetof(WsRow, end_op) && offsetof(WsRow, existed) < offsetof(WsRow, pk),
               "existed lies in WriteOp's padding");

static u64 ws_hash(u32 table, const u8 *pk, u32 n)
{
    u8 t[4] = {(u8)table, (u8)(table >> 8), (u8)(table >> 16), (u8)(table >> 24)};
    return dd_fnv1a(dd_fnv1a(DD_FNV_INIT, t, 4), pk, n);
}

void ws_init(TxnWrites *ws)
{
    memset(ws, 0, sizeof(*ws));
    arena_init(&ws->arena, 4096);
}

/* An entry is one allocation with its key and first image after it (a
 * COPY of a million rows made three million); an image that replaces the
 * first one has its own. */
static bool inline_bytes(const WsRow *r, const u8 *p)
{
    return p >= (const u8 *)(r + 1) && p <= (const u8 *)(r + 1) + r->pklen;
}

static void rec_free(WsRow *r)
{
    if (r->rec && !inline_bytes(r, r->rec)) dd_free(r->rec);
    r->rec = NULL;
}

static void row_free(WsRow *r)
{
    if (!r) return;
    rec_free(r);
    dd_free(r->orig);
    dd_free(r);
}

static void tkm_free(TempKeyMap *m);

bool ws_rows_only(const TxnWrites *ws)
{
    return ws->ntables == 0 && ws->nrestarts == 0 && ws->cons_all == 0 && ws->ncons == 0;
}

void ws_reset(TxnWrites *ws)
{
    TxnWrites *base = ws->base;
    ws_unmark(ws);
    dd_free(ws->undo);
    for (int i = 0; i < ws->nrows; i++) row_free(ws->rows[i]);
    dd_free(ws->rows);
    dd_free(ws->slots);
    dd_free(ws->tables);
    dd_free(ws->table_base);
    dd_free(ws->restarts);
    for (int i = 0; i < ws->nkeymaps; i++) tkm_free(ws->keymaps[i]);
    dd_free(ws->keymaps);
    arena_free(&ws->arena);
    ws_init(ws);
    ws->base = base;
}

SeqRestart *ws_seq_restart(TxnWrites *ws, u32 id)
{
    for (int i = 0; i < ws->nrestarts; i++)
        if (ws->restarts[i].id == id) return &ws->restarts[i];
    return NULL;
}

int ws_put_seq_restart(TxnWrites *ws, u32 id, i64 last, bool called, const SeqInfo *info)
{
    SeqRestart *r = ws_seq_restart(ws, id);
    if (!r) {
        if (ws->nrestarts == ws->caprestarts) {
            int cap = ws->caprestarts ? ws->caprestarts * 2 : 4;
            SeqRestart *n = dd_realloc(ws->restarts, sizeof(*n) * (size_t)cap);
            if (!n) return DD_ENOMEM;
            ws->restarts = n;
            ws->caprestarts = cap;
        }
        r = &ws->restarts[ws->nrestarts++];
    }
    r->id = id;
    r->last = last;
    r->called = called;
    r->info = *info;
    return DD_OK;
}

void ws_free(TxnWrites *ws) { ws_reset(ws); arena_free(&ws->arena); }

int ws_set_constraint_mode(TxnWrites *ws, const char *name, char mode)
{
    if (!name) {
        /* ALL: every earlier name's mode gives way */
        ws->cons_all = mode;
        ws->ncons = 0;
        return DD_OK;
    }
    if (ws->ncons == ws->capcons) {
        int cap = ws->capcons ? ws->capcons * 2 : 8;
        char **nn = arena_alloc(&ws->arena, sizeof(char *) * (size_t)cap);
        char *nm = arena_alloc(&ws->arena, (size_t)cap);
        if (!nn || !nm) return DD_ENOMEM;
        if (ws->ncons) {
            memcpy(nn, ws->cons_names, sizeof(char *) * (size_t)ws->ncons);
            memcpy(nm, ws->cons_modes, (size_t)ws->ncons);
        }
        ws->cons_names = nn;
        ws->cons_modes = nm;
        ws->capcons = cap;
    }
    char *copy = arena_strdup(&ws->arena, name);
    if (!copy) return DD_ENOMEM;
    ws->cons_names[ws->ncons] = copy;
    ws->cons_modes[ws->ncons++] = mode;
    return DD_OK;
}

bool ws_constraint_deferred(const TxnWrites *ws, const char *name, bool initially)
{
    for (int i = ws->ncons - 1; i >= 0; i--)
        if (strcmp(ws->cons_names[i], name) == 0) return ws->cons_modes[i] == 'd';
    if (ws->cons_all) return ws->cons_all == 'd';
    return initially;
}

bool ws_is_empty(const TxnWrites *ws) { return ws->live == 0 && ws->ntables == 0; }

/* Returns the slot index holding (table, pk) or the empty slot where it
 * would go. */
static int probe_h(const TxnWrites *ws, u32 h, u32 table, const u8 *pk, u32 pklen)
{
    u32 mask = (u32)ws->nslots - 1;
    u32 i = h & mask;
    for (;;) {
        const WsSlot *sl = &ws->slots[i];
        if (sl->row < 0) return (int)i;
        if (sl->hash == h) {
            WsRow *r = ws->rows[sl->row];
            if (r && r->table == table && r->pklen == pklen && memcmp(r->pk, pk, pklen) == 0) return (int)i;
        }
        i = (i + 1) & mask;
    }
}

static int ws_probe(const TxnWrites *ws, u32 table, const u8 *pk, u32 pklen)
{
    return probe_h(ws, (u32)ws_hash(table, pk, pklen), table, pk, pklen);
}

/* Fills empty slot i with row k of hash h. */
static void slot_set(TxnWrites *ws, int i, int k, u32 h)
{
    ws->slots[i].row = k;
    ws->slots[i].hash = h;
}

static WsSlot *slots_new(int n)
{
    WsSlot *sl = dd_malloc(sizeof(WsSlot) * (size_t)n);
    for (int i = 0; sl && i < n; i++) sl[i].row = -1, sl[i].hash = 0;
    return sl;
}

/* The index at nslots (a power of two), from the old slots' hashes: no
 * entry is read. */
static int ws_rehash(TxnWrites *ws, int nslots)
{
    WsSlot *slots = slots_new(nslots);
    if (!slots) return DD_ENOMEM;
    WsSlot *old = ws->slots;
    int nold = ws->nslots;
    ws->slots = slots;
    ws->nslots = nslots;
    u32 mask = (u32)nslots - 1;
    for (int j = 0; j < nold; j++) {
        if (old[j].row < 0 || !ws->rows[old[j].row]) continue;
        u32 i = old[j].hash & mask;
        while (slots[i].row >= 0) i = (i + 1) & mask;
        slots[i] = old[j];
    }
    dd_free(old);
    return DD_OK;
}

/* The entry of (table, pk) in ws itself, not in its base. */
static WsRow *own_find(const TxnWrites *ws, u32 table, const u8 *pk, u32 pklen)
{
    if (ws->nslots == 0) return NULL;
    int i = ws_probe(ws, table, pk, pklen);
    int s = ws->slots[i].row;
    return s < 0 ? NULL : ws->rows[s];
}

/* Only temporary tables have rows in base: a table base does not know
 * never costs a look there. */
static bool base_has_table(const TxnWrites *ws, u32 table)
{
    if (!ws->base) return false;
    for (int i = 0; i < ws->base->ntables; i++)
        if (ws->base->tables[i]->id == table) return true;
    return false;
}

void ws_prefetch(const TxnWrites *ws, u32 table, const u8 *pk, u32 pklen)
{
    if (ws->nslots) __builtin_prefetch(&ws->slots[(u32)ws_hash(table, pk, pklen) & (u32)(ws->nslots - 1)]);
}

WsRow *ws_find(TxnWrites *ws, u32 table, const u8 *pk, u32 pklen)
{
    WsRow *r = own_find(ws, table, pk, pklen);
    if (!r && ws->base && ws->base->live) r = own_find(ws->base, table, pk, pklen);
    return r;
}

static u8 *dupbytes(const u8 *p, u32 n)
{
    u8 *q = dd_malloc(n ? n : 1);
    if (q && n) memcpy(q, p, n);
    return q;
}

/* ---- a statement's mark ---- */

static void undo_free(TxnWrites *ws)
{
    for (int i = 0; i < ws->nundo; i++) {
        WsUndo *u = &ws->undo[i];
        if (u->row) {
            /* removed by the statement: the entry is the undo's alone */
            if (u->rec != u->row->rec && u->rec && !inline_bytes(u->row, u->rec)) dd_free(u->rec);
            row_free(u->row);
        } else if (u->rec && ws->rows[u->index] && !inline_bytes(ws->rows[u->index], u->rec) &&
                   u->rec != ws->rows[u->index]->rec) {
            dd_free(u->rec);
        }
    }
    ws->nundo = 0;
}

void ws_mark(TxnWrites *ws)
{
    if (ws->marked) ws_unmark(ws);
    ws->marked = true;
    ws->mark_gen++;
    if (ws->mark_gen == 0) ws->mark_gen = 1;
    ws->mark_rows = ws->nrows;
    ws->mark_live = ws->live;
    ws->mark_tables = ws->ntables;
    ws->mark_restarts = ws->nrestarts;
    ws->mark_cons = ws->ncons;
    ws->mark_writes = ws->writes;
    ws->nundo = 0;
}

void ws_unmark(TxnWrites *ws)
{
    if (!ws->marked) return;
    undo_free(ws);
    ws->marked = false;
}

bool ws_mark_rows_only(const TxnWrites *ws)
{
    return ws->marked && ws->ntables == ws->mark_tables && ws->nrestarts == ws->mark_restarts &&
           ws->ncons == ws->mark_cons;
}

void ws_undo_to_mark(TxnWrites *ws)
{
    if (!ws->marked) return;
    /* the statement's new entries go (their slots stay, pointing at
     * nothing, as for any removed entry) */
    for (int i = ws->mark_rows; i < ws->nrows; i++) {
        row_free(ws->rows[i]);
        ws->rows[i] = NULL;
    }
    /* newest first: an entry's first change is the one to go back to */
    for (int i = ws->nundo - 1; i >= 0; i--) {
        WsUndo *u = &ws->undo[i];
        if (u->row) ws->rows[u->index] = u->row;
        WsRow *r = ws->rows[u->index];
        if (!r) continue;
        if (r->rec != u->rec) rec_free(r);
        r->rec = u->rec;
        r->reclen = u->reclen;
        r->moved = u->moved;
        r->movedlen = u->movedlen;
        r->op = u->op;
        r->end_op = u->end_op;
        r->undo_gen = 0;
    }
    ws->nundo = 0;
    ws->live = ws->mark_live;
    ws->writes = ws->mark_writes;
    ws->mark_gen++;
    if (ws->mark_gen == 0) ws->mark_gen = 1;
}

/* Before the marked statement first changes entry s (r): keeps its state.
 * removing: the statement removes it, so the entry itself is kept. */
static int undo_note(TxnWrites *ws, int s, WsRow *r, bool removing)
{
    if (!ws->marked || s >= ws->mark_rows || r->undo_gen == ws->mark_gen) return DD_OK;
    if (ws->nundo == ws->capundo) {
        int cap = ws->capundo ? ws->capundo * 2 : 16;
        WsUndo *n = dd_realloc(ws->undo, sizeof(*n) * (size_t)cap);
        if (!n) return DD_ENOMEM;
        ws->undo = n;
        ws->capundo = cap;
    }
    WsUndo *u = &ws->undo[ws->nundo++];
    u->index = s;
    u->op = r->op;
    u->end_op = r->end_op;
    u->rec = r->rec;
    u->reclen = r->reclen;
    u->moved = r->moved;
    u->movedlen = r->movedlen;
    u->row = removing ? r : NULL;
    r->undo_gen = ws->mark_gen;
    return DD_OK;
}

int ws_note_move(TxnWrites *ws, u32 table, const u8 *pk, u32 pklen, const u8 *to, u32 tolen)
{
    WsRow *r = ws_find(ws, table, pk, pklen);
    if (!r || r->rec || r->end_op != OP_UPDATE) return DD_OK;
    /* the arena outlives every undo that may still point at the old one */
    u8 *c = arena_memdup(&ws->arena, to, tolen);
    if (!c) return DD_ENOMEM;
    r->moved = c;
    r->movedlen = tolen;
    return DD_OK;
}

int ws_put(TxnWrites *ws, u32 table, const u8 *pk, u32 pklen, u8 op, u8 end_op,
           const u8 *rec, u32 reclen, bool existed, const u8 *orig, u32 origlen,
           u64 orig_seq)
{
    ws->writes++;
    /* one hash and one probe: the slot found is where a new entry goes
     * (unless the index grows first) */
    u32 h = (u32)ws_hash(table, pk, pklen);
    int si = ws->nslots ? probe_h(ws, h, table, pk, pklen) : -1;
    WsRow *r = si >= 0 && ws->slots[si].row >= 0 ? ws->rows[ws->slots[si].row] : NULL;
    if (!r && ws->base && ws->base->live) {
        /* a temporary table's committed row: it "existed" before this
         * transaction, so deleting it leaves a tombstone over base */
        WsRow *b = own_find(ws->base, table, pk, pklen);
        if (b && b->rec) {
            existed = true;
            if (!orig) { orig = b->rec; origlen = b->reclen; }
        }
    }
    if (r) {
        int s = ws->slots[si].row;
        bool kept = ws->marked && s < ws->mark_rows;   /* its state may have to come back */
        if (!rec && !r->existed) {
            /* a key born in this transaction dies in it: no trace left */
            if (kept && r->undo_gen != ws->mark_gen) {
                if (undo_note(ws, s, r, true)) return DD_ENOMEM;
            } else if (kept) {
                /* changed before in this statement: its undo keeps the
                 * state to go back to, and now the entry too */
                for (int i = ws->nundo - 1; i >= 0; i--)
                    if (ws->undo[i].index == s) {
                        if (r->rec != ws->undo[i].rec) rec_free(r);
                        r->rec = NULL;
                        ws->undo[i].row = r;
                        break;
                    }
            } else {
                row_free(r);
            }
            ws->rows[s] = NULL;
            ws->live--;
            return DD_OK;
        }
        u8 *nrec = rec ? dupbytes(rec, reclen) : NULL;
        if (rec && !nrec) return DD_ENOMEM;
        bool noted = false;
        if (kept && r->undo_gen != ws->mark_gen) {
            if (undo_note(ws, s, r, false)) {
                dd_free(nrec);
                return DD_ENOMEM;
            }
            noted = true;
        }
        if (!rec) {
            /* deleted (the key was live in the snapshot) */
            r->op = OP_DELETE;
            r->end_op = end_op;
        } else if (!r->rec) {
            /* live again after a delete in this transaction: a new version
             * whose predecessor ended the way the delete said */
            r->op = op;
            r->end_op = r->end_op ? r->end_op : OP_DELETE;
        }
        /* else: live and changed again: it keeps how it began (INSERT
         * stays INSERT, UPDATE stays UPDATE) */
        if (noted) r->rec = NULL;   /* the undo owns the image now */
        rec_free(r);
        r->rec = nrec;
        r->reclen = rec ? reclen : 0;
        return DD_OK;
    }
    if (!rec && !existed) return DD_OK;
    /* grow the index at 50% load */
    if ((ws->nrows + 1) * 2 > ws->nslots) {
        int rc = ws_rehash(ws, ws->nslots ? ws->nslots * 2 : 64);
        if (rc) return rc;
        si = -1;
    }
    if (ws->nrows == ws->caprows) {
        int ncap = ws->caprows ? ws->caprows * 2 : 32;
        WsRow **nr = dd_realloc(ws->rows, sizeof(WsRow *) * (size_t)ncap);
        if (!nr) return DD_ENOMEM;
        ws->rows = nr;
        ws->caprows = ncap;
    }
    r = dd_calloc(1, sizeof(*r) + pklen + (rec ? reclen : 0) + 1);
    if (!r) return DD_ENOMEM;
    r->table = table;
    r->op = rec ? op : OP_DELETE;
    r->end_op = rec ? 0 : end_op;
    r->existed = existed;
    r->orig_seq = orig_seq;
    r->base_seq = ws->stmt_seq;
    if (!ws->first_set) {
        ws->first_seq = ws->stmt_seq;
        ws->first_set = true;
    }
    r->pk = (u8 *)(r + 1);
    if (pklen) memcpy(r->pk, pk, pklen);
    r->pklen = pklen;
    if (rec) {
        r->rec = r->pk + pklen;
        if (reclen) memcpy(r->rec, rec, reclen);
        r->reclen = reclen;
    }
    if (existed && orig) { r->orig = dupbytes(orig, origlen); r->origlen = origlen; }
    if (existed && orig && !r->orig) {
        row_free(r);
        return DD_ENOMEM;
    }
    if (si < 0) si = probe_h(ws, h, table, pk, pklen);
    ws->rows[ws->nrows] = r;
    slot_set(ws, si, ws->nrows++, h);
    ws->live++;
    return DD_OK;
}

static int cmp_rowptr(const void *a, const void *b)
{
    const WsRow *x = *(WsRow *const *)a, *y = *(WsRow *const *)b;
    u32 n = DD_MIN(x->pklen, y->pklen);
    int c = memcmp(x->pk, y->pk, n);
    if (c) return c;
    return x->pklen < y->pklen ? -1 : x->pklen > y->pklen;
}

bool ws_has_table_rows(const TxnWrites *ws, u32 table)
{
    for (int i = 0; i < ws->nrows; i++)
        if (ws->rows[i] && ws->rows[i]->table == table) return true;
    return base_has_table(ws, table) && ws_has_table_rows(ws->base, table);
}

i64 ws_count_table_rows(const TxnWrites *ws, u32 table)
{
    i64 n = 0;
    for (int i = 0; i < ws->nrows; i++)
        if (ws->rows[i] && ws->rows[i]->table == table) n += ws->rows[i]->rec ? 1 : -1;   /* a tombstone hides a base row */
    const TxnWrites *b = base_has_table(ws, table) ? ws->base : NULL;
    for (int i = 0; b && i < b->nrows; i++)
        if (b->rows[i] && b->rows[i]->table == table) n++;
    /* a live entry over a base row counted it twice */
    for (int i = 0; b && i < ws->nrows; i++) {
        const WsRow *r = ws->rows[i];
        if (r && r->table == table && r->rec && own_find(b, table, r->pk, r->pklen)) n--;
    }
    return n < 0 ? 0 : n;
}

int ws_table_rows(TxnWrites *ws, u32 table, Arena *a, WsRow ***out, int *n)
{
    const TxnWrites *b = base_has_table(ws, table) ? ws->base : NULL;
    int cnt = 0;
    for (int i = 0; i < ws->nrows; i++)
        if (ws->rows[i] && ws->rows[i]->table == table) cnt++;
    for (int i = 0; b && i < b->nrows; i++)
        if (b->rows[i] && b->rows[i]->table == table) cnt++;
    *n = cnt;
    *out = NULL;
    if (!cnt) return DD_OK;
    WsRow **v = arena_alloc(a, sizeof(WsRow *) * (size_t)cnt);
    if (!v) return DD_ENOMEM;
    cnt = 0;
    for (int i = 0; i < ws->nrows; i++)
        if (ws->rows[i] && ws->rows[i]->table == table) v[cnt++] = ws->rows[i];
    /* base's rows that the transaction has not replaced or deleted */
    for (int i = 0; b && i < b->nrows; i++) {
        WsRow *r = b->rows[i];
        if (r && r->table == table && !own_find(ws, table, r->pk, r->pklen)) v[cnt++] = r;
    }
    qsort(v, (size_t)cnt, sizeof(*v), cmp_rowptr);
    *n = cnt;
    *out = v;
    return DD_OK;
}

TableInfo *table_copy(Arena *a, const TableInfo *t)
{
    TableInfo *c = arena_alloc(a, sizeof(*c));
    if (!c) return NULL;
    *c = *t;
    c->name = arena_strdup(a, t->name);
    c->cols = arena_alloc(a, sizeof(ColumnInfo) * (size_t)(t->ncols ? t->ncols : 1));
    c->pk = arena_alloc(a, sizeof(u32) * (size_t)(t->npk ? t->npk : 1));
    c->indexes = arena_alloc(a, sizeof(IndexInfo) * (size_t)(t->nindexes ? t->nindexes : 1));
    if (!c->name || !c->cols || !c->pk || !c->indexes) return NULL;
    for (int i = 0; i < t->ncols; i++) {
        c->cols[i] = t->cols[i];
        c->cols[i].name = arena_strdup(a, t->cols[i].name);
        if (!c->cols[i].name) return NULL;
        if (t->cols[i].gen_sql && !(c->cols[i].gen_sql = arena_strdup(a, t->cols[i].gen_sql))) return NULL;
        if (t->cols[i].default_sql && !(c->cols[i].default_sql = arena_strdup(a, t->cols[i].default_sql)))
            return NULL;
        if (!t->cols[i].missinglen) c->cols[i].missing = NULL;   /* never empty (catalog_decode) */
        else if (!(c->cols[i].missing = arena_memdup(a, t->cols[i].missing, t->cols[i].missinglen))) return NULL;
    }
    if (t->npk) memcpy(c->pk, t->pk, sizeof(u32) * (size_t)t->npk);
    if (t->view_sql && !(c->view_sql = arena_strdup(a, t->view_sql))) return NULL;
    if (t->ndeps && !(c->deps = arena_memdup(a, t->deps, sizeof(u32) * 2 * (size_t)t->ndeps))) return NULL;
    if (t->sequence && !(c->sequence = arena_memdup(a, t->sequence, sizeof(*t->sequence)))) return NULL;
    if (t->nacl && !(c->acl = arena_memdup(a, t->acl, sizeof(AclItem) * (size_t)t->nacl))) return NULL;
    if (t->utype) {
        UserType *u = c->utype = arena_memdup(a, t->utype, sizeof(*t->utype));
        if (!u || !(u->labels = arena_alloc(a, sizeof(EnumLabel) * (size_t)(t->utype->nlabels + 1)))) return NULL;
        for (int i = 0; i < u->nlabels; i++) {
            u->labels[i].key = t->utype->labels[i].key;
            if (!(u->labels[i].label = arena_strdup(a, t->utype->labels[i].label))) return NULL;
        }
        if (t->utype->default_sql && !(u->default_sql = arena_strdup(a, t->utype->default_sql))) return NULL;
        if (!(u->checks = arena_alloc(a, sizeof(CheckInfo) * (size_t)(t->utype->nchecks + 1)))) return NULL;
        for (int i = 0; i < u->nchecks; i++) {
            u->checks[i].name = arena_strdup(a, t->utype->checks[i].name);
            u->checks[i].expr_sql = arena_strdup(a, t->utype->checks[i].expr_sql);
            if (!u->checks[i].name || !u->checks[i].expr_sql) return NULL;
        }
        if (t->utype->role) {
            const RoleInfo *r0 = t->utype->role;
            RoleInfo *r = u->role = arena_memdup(a, r0, sizeof *r0);
            if (!r || !(r->member_of = arena_alloc(a, sizeof(RoleMember) * (size_t)(r0->nmember_of + 1)))) return NULL;
            if (r0->nmember_of) memcpy(r->member_of, r0->member_of, sizeof(RoleMember) * (size_t)r0->nmember_of);
            if (r0->password && !(r->password = arena_strdup(a, r0->password))) return NULL;
            if (r0->nconfig) {
                if (!(r->config = arena_alloc(a, sizeof(char *) * (size_t)r0->nconfig))) return NULL;
                for (int i = 0; i < r0->nconfig; i++)
                    if (!(r->config[i] = arena_strdup(a, r0->config[i]))) return NULL;
            }
        }
    }
    c->checks = arena_alloc(a, sizeof(CheckInfo) * (size_t)(t->nchecks + 1));
    c->fks = arena_alloc(a, sizeof(ForeignKeyInfo) * (size_t)(t->nfks + 1));
    if (!c->checks || !c->fks) return NULL;
    for (int i = 0; i < t->nchecks; i++) {
        c->checks[i].name = arena_strdup(a, t->checks[i].name);
        c->checks[i].expr_sql = arena_strdup(a, t->checks[i].expr_sql);
        if (!c->checks[i].name || !c->checks[i].expr_sql) return NULL;
    }
    if (t->nconvs) {
        if (!(c->convs = arena_memdup(a, t->convs, sizeof(ColConv) * (size_t)t->nconvs))) return NULL;
        for (int i = 0; i < t->nconvs; i++) {
            const ColConv *v = &t->convs[i];
            ColConv *w = &c->convs[i];
            if (v->using_sql && !(w->using_sql = arena_strdup(a, v->using_sql))) return NULL;
            if (v->timezone && !(w->timezone = arena_strdup(a, v->timezone))) return NULL;
            if (!v->nrefs) continue;
            w->ref_ids = arena_memdup(a, v->ref_ids, sizeof(u32) * (size_t)v->nrefs);
            w->ref_names = arena_alloc(a, sizeof(char *) * (size_t)v->nrefs);
            if (!w->ref_ids || !w->ref_names) return NULL;
            for (int k = 0; k < v->nrefs; k++)
                if (!(w->ref_names[k] = arena_strdup(a, v->ref_names[k]))) return NULL;
        }
    }
    if (t->ncomments) {
        c->comments = arena_alloc(a, sizeof(*c->comments) * (size_t)t->ncomments);
        if (!c->comments) return NULL;
        for (int i = 0; i < t->ncomments; i++) {
            c->comments[i].col = t->comments[i].col;
            if (!(c->comments[i].text = arena_strdup(a, t->comments[i].text))) return NULL;
        }
    }
    for (int i = 0; i < t->nfks; i++) {
        ForeignKeyInfo *f = &c->fks[i];
        *f = t->fks[i];
        f->name = arena_strdup(a, t->fks[i].name);
        f->cols = arena_memdup(a, t->fks[i].cols, sizeof(u32) * (size_t)f->ncols);
        f->ref_cols = arena_memdup(a, t->fks[i].ref_cols, sizeof(u32) * (size_t)f->ncols);
        if (!f->name || !f->cols || !f->ref_cols) return NULL;
    }
    for (int i = 0; i < t->nindexes; i++) {
        c->indexes[i] = t->indexes[i];
        c->indexes[i].name = t->indexes[i].name ? arena_strdup(a, t->indexes[i].name) : NULL;
        c->indexes[i].cols = arena_memdup(a, t->indexes[i].cols,
                                          sizeof(u32) * (size_t)(t->indexes[i].ncols ? t->indexes[i].ncols : 1));
        if (!c->indexes[i].cols) return NULL;
        if (t->indexes[i].colflags &&
            !(c->indexes[i].colflags = arena_memdup(a, t->indexes[i].colflags, (size_t)t->indexes[i].ncols + 1)))
            return NULL;
        if (t->indexes[i].pred_sql && !(c->indexes[i].pred_sql = arena_strdup(a, t->indexes[i].pred_sql))) return NULL;
        if (t->indexes[i].ninclude &&
            !(c->indexes[i].include = arena_memdup(a, t->indexes[i].include, sizeof(u32) * (size_t)t->indexes[i].ninclude)))
            return NULL;
        if (t->indexes[i].exprs) {
            c->indexes[i].exprs = arena_zalloc(a, sizeof(char *) * (size_t)t->indexes[i].ncols);
            if (!c->indexes[i].exprs) return NULL;
            for (int k = 0; k < t->indexes[i].ncols; k++)
                if (t->indexes[i].exprs[k] && !(c->indexes[i].exprs[k] = arena_strdup(a, t->indexes[i].exprs[k])))
                    return NULL;
        }
    }
    return c;
}

TableInfo *ws_put_table(TxnWrites *ws, const TableInfo *t)
{
    ws->writes++;
    TableInfo *c = table_copy(&ws->arena, t);
    if (!c) return NULL;
    c->seq = 0;
    if (!ws->first_set) {
        ws->first_seq = ws->stmt_seq;
        ws->first_set = true;
    }
    for (int i = 0; i < ws->ntables; i++) {
        if (ws->tables[i]->id == t->id) { ws->tables[i] = c; return c; }
    }
    if (ws->ntables == ws->captables) {
        int ncap = ws->captables ? ws->captables * 2 : 8;
        TableInfo **nt = dd_realloc(ws->tables, sizeof(TableInfo *) * (size_t)ncap);
        if (!nt) return NULL;
        ws->tables = nt;
        u64 *nb = dd_realloc(ws->table_base, sizeof(u64) * (size_t)ncap);
        if (!nb) return NULL;
        ws->table_base = nb;
        ws->captables = ncap;
    }
    ws->table_base[ws->ntables] = ws->stmt_seq;
    ws->tables[ws->ntables++] = c;
    return c;
}

static const TableInfo *own_table(const TxnWrites *ws, u32 id)
{
    for (int i = 0; i < ws->ntables; i++)
        if (ws->tables[i]->id == id) return ws->tables[i];
    return NULL;
}

const TableInfo *ws_table(const TxnWrites *ws, u32 id)
{
    const TableInfo *t = own_table(ws, id);
    return t || !ws->base ? t : own_table(ws->base, id);
}

const TableInfo *ws_temp_by_name(const TxnWrites *ws, const char *name)
{
    for (int i = 0; i < ws->ntables; i++) {
        const TableInfo *t = ws->tables[i];
        if (t->temp && !t->dropped && !t->utype && strcmp(t->name, name) == 0) return t;
    }
    for (int i = 0; ws->base && i < ws->base->ntables; i++) {
        const TableInfo *t = ws->base->tables[i];
        /* a table the transaction changed answers by its own version above */
        if (!t->utype && strcmp(t->name, name) == 0 && !own_table(ws, t->id)) return t;
    }
    return NULL;
}

int ws_all_tables(const TxnWrites *ws, Arena *a, const TableInfo ***out, int *n)
{
    int nb = ws->base ? ws->base->ntables : 0;
    const TableInfo **v = arena_alloc(a, sizeof(TableInfo *) * (size_t)(ws->ntables + nb + 1));
    if (!v) return DD_ENOMEM;
    int m = 0;
    for (int i = 0; i < ws->ntables; i++)
        if (!ws->tables[i]->dropped) v[m++] = ws->tables[i];
    for (int i = 0; i < nb; i++)
        if (!own_table(ws, ws->base->tables[i]->id)) v[m++] = ws->base->tables[i];
    *out = v;
    *n = m;
    return DD_OK;
}

const TableInfo *ws_table_by_name(const TxnWrites *ws, const char *name, bool *dropped)
{
    *dropped = false;
    for (int i = 0; i < ws->ntables; i++) {
        if (ws->tables[i]->utype) continue;   /* types have a namespace of their own */
        if (ws->tables[i]->temp) continue;    /* ws_temp_by_name's */
        if (strcmp(ws->tables[i]->name, name) == 0) {
            if (ws->tables[i]->dropped) { *dropped = true; continue; }
            return ws->tables[i];
        }
    }
    return NULL;
}

int ws_clone(const TxnWrites *src, TxnWrites *dst)
{
    dst->base = src->base;
    dst->stmt_seq = src->stmt_seq;
    for (int i = 0; i < src->nrows; i++) {
        const WsRow *r = src->rows[i];
        if (!r) continue;
        /* create the entry as it was first recorded, then copy its state */
        int rc = ws_put(dst, r->table, r->pk, r->pklen, OP_INSERT, 0, r->rec ? r->rec : (const u8 *)"", r->reclen,
                        r->existed, r->orig, r->origlen, r->orig_seq);
        if (rc) return rc;
        WsRow *c = ws_find(dst, r->table, r->pk, r->pklen);
        if (!c) return DD_EINTERNAL;
        if (!r->rec) { rec_free(c); c->reclen = 0; }
        c->op = r->op;
        c->end_op = r->end_op;
        if (r->moved && !(c->moved = arena_memdup(&dst->arena, r->moved, r->movedlen))) return DD_ENOMEM;
        c->movedlen = r->moved ? r->movedlen : 0;
        c->base_seq = r->base_seq;
    }
    for (int i = 0; i < src->ntables; i++) {
        if (!ws_put_table(dst, src->tables[i])) return DD_ENOMEM;
        for (int j = 0; j < dst->ntables; j++)
            if (dst->tables[j]->id == src->tables[i]->id) dst->table_base[j] = src->table_base[i];
    }
    for (int i = 0; i < src->nrestarts; i++) {
        const SeqRestart *r = &src->restarts[i];
        if (ws_put_seq_restart(dst, r->id, r->last, r->called, &r->info)) return DD_ENOMEM;
    }
    dst->first_seq = src->first_seq;
    dst->first_set = src->first_set;
    dst->cons_all = src->cons_all;
    for (int i = 0; i < src->ncons; i++)
        if (ws_set_constraint_mode(dst, src->cons_names[i], src->cons_modes[i])) return DD_ENOMEM;
    return DD_OK;
}


/* ---------------------------------------------------------------- key maps */

static u32 tkm_slot(const TempKeyMap *m, const u8 *key, u32 klen)
{
    return (u32)dd_fnv1a(DD_FNV_INIT, key, klen) & (m->cap - 1);
}

static int tkm_grow(TempKeyMap *m)
{
    u32 cap = m->cap ? m->cap * 2 : 64;
    TkEntry *e = dd_calloc(cap, sizeof(TkEntry));
    if (!e) return DD_ENOMEM;
    TkEntry *old = m->e;
    u32 ocap = m->cap;
    m->e = e;
    m->cap = cap;
    for (u32 i = 0; i < ocap; i++) {
        if (!old[i].key) continue;
        u32 j = tkm_slot(m, old[i].key, old[i].klen);
        while (m->e[j].key) j = (j + 1) & (cap - 1);
        m->e[j] = old[i];
    }
    dd_free(old);
    return DD_OK;
}

/* The slot holding key, or the empty slot where it would go. */
static u32 tkm_find(const TempKeyMap *m, const u8 *key, u32 klen)
{
    u32 i = tkm_slot(m, key, klen);
    while (m->e[i].key && !(m->e[i].klen == klen && memcmp(m->e[i].key, key, klen) == 0)) i = (i + 1) & (m->cap - 1);
    return i;
}

int tkm_put(TempKeyMap *m, const u8 *key, u32 klen, const u8 *pk, u32 pklen)
{
    if ((m->count + 1) * 2 > m->cap && tkm_grow(m)) return DD_ENOMEM;
    u32 i = tkm_find(m, key, klen);
    TkEntry *e = &m->e[i];
    u8 *npk = dupbytes(pk, pklen);
    if (!npk) return DD_ENOMEM;
    if (!e->key) {
        if (!(e->key = dupbytes(key, klen))) { dd_free(npk); return DD_ENOMEM; }
        e->klen = klen;
        m->count++;
    } else {
        dd_free(e->pk);
    }
    e->pk = npk;
    e->pklen = pklen;
    return DD_OK;
}

const u8 *tkm_get(const TempKeyMap *m, const u8 *key, u32 klen, u32 *pklen)
{
    if (!m->cap) return NULL;
    const TkEntry *e = &m->e[tkm_find(m, key, klen)];
    if (!e->key) return NULL;
    *pklen = e->pklen;
    return e->pk;
}

/* Removes key's entry if it names pk (another row may hold the key now);
 * backward-shift deletion keeps every probe sequence whole. */
static void tkm_remove_if(TempKeyMap *m, const u8 *key, u32 klen, const u8 *pk, u32 pklen)
{
    if (!m->cap) return;
    u32 i = tkm_find(m, key, klen);
    TkEntry *e = &m->e[i];
    if (!e->key || e->pklen != pklen || memcmp(e->pk, pk, pklen) != 0) return;
    dd_free(e->key);
    dd_free(e->pk);
    e->key = NULL;
    m->count--;
    u32 mask = m->cap - 1;
    for (u32 j = (i + 1) & mask; m->e[j].key; j = (j + 1) & mask) {
        u32 home = tkm_slot(m, m->e[j].key, m->e[j].klen);
        /* the entry at j may move to the hole at i unless its home lies
         * cyclically in (i, j] */
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (stays) continue;
        m->e[i] = m->e[j];
        m->e[j].key = NULL;
        i = j;
    }
}

static void tkm_free(TempKeyMap *m)
{
    for (u32 i = 0; i < m->cap; i++) {
        if (!m->e[i].key) continue;
        dd_free(m->e[i].key);
        dd_free(m->e[i].pk);
    }
    dd_free(m->e);
    dd_free(m);
}

TempKeyMap *ws_temp_keymap(TxnWrites *ws, u32 index)
{
    TxnWrites *b = ws->base;
    for (int i = 0; b && i < b->nkeymaps; i++)
        if (b->keymaps[i]->index == index) return b->keymaps[i];
    return NULL;
}

TempKeyMap *ws_temp_keymap_new(TxnWrites *ws, u32 table, u32 index)
{
    TxnWrites *b = ws->base;
    if (!b) return NULL;
    if (b->nkeymaps == b->capkeymaps) {
        int cap = b->capkeymaps ? b->capkeymaps * 2 : 4;
        TempKeyMap **n = dd_realloc(b->keymaps, sizeof(*n) * (size_t)cap);
        if (!n) return NULL;
        b->keymaps = n;
        b->capkeymaps = cap;
    }
    TempKeyMap *m = dd_calloc(1, sizeof(*m));
    if (!m) return NULL;
    m->table = table;
    m->index = index;
    b->keymaps[b->nkeymaps++] = m;
    return m;
}

void ws_temp_keymap_drop(TxnWrites *ws, u32 index)
{
    TxnWrites *b = ws->base;
    for (int i = 0; b && i < b->nkeymaps; i++)
        if (b->keymaps[i]->index == index) {
            tkm_free(b->keymaps[i]);
            b->keymaps[i] = b->keymaps[--b->nkeymaps];
            return;
        }
}

/* Drops the key maps of table id (its definition or rows changed in a
 * way the maps do not follow). */
static void keymaps_drop_table(TxnWrites *b, u32 id)
{
    for (int i = 0; i < b->nkeymaps;) {
        if (b->keymaps[i]->table == id) {
            tkm_free(b->keymaps[i]);
            b->keymaps[i] = b->keymaps[--b->nkeymaps];
        } else {
            i++;
        }
    }
}

/* Keeps the key maps of table t in step with the transaction's row r,
 * before base's row (old, if any) is replaced: the old image's keys leave,
 * the new image's come. */
static int keymaps_apply(TxnWrites *b, const TableInfo *t, const WsRow *r, const WsRow *old, WsKeyFn keyfn,
                         void *arg)
{
    int rc = DD_OK;
    Buf key = BUF_INIT;
    for (int i = 0; i < b->nkeymaps && !rc; i++) {
        TempKeyMap *m = b->keymaps[i];
        if (m->table != t->id) continue;
        const IndexInfo *ix = NULL;
        for (int x = 0; x < t->nindexes && !ix; x++)
            if (t->indexes[x].id == m->index) ix = &t->indexes[x];
        if (!ix) continue;
        bool has_null;
        if (old && !(rc = keyfn(arg, t, ix, old->rec, old->reclen, &key, &has_null)) && !has_null)
            tkm_remove_if(m, key.data, (u32)key.len, r->pk, r->pklen);
        if (!rc && r->rec && !(rc = keyfn(arg, t, ix, r->rec, r->reclen, &key, &has_null)) && !has_null)
            rc = tkm_put(m, key.data, (u32)key.len, r->pk, r->pklen);
    }
    buf_free(&key);
    return rc;
}

/* ---------------------------------------------------------------- temporary tables */

SeqRestart *ws_temp_seq(TxnWrites *ws, const TableInfo *t)
{
    TxnWrites *b = ws->base;
    if (!b) return NULL;
    SeqRestart *r = ws_seq_restart(b, t->id);
    if (!r && ws_put_seq_restart(b, t->id, t->sequence->start, false, t->sequence) == DD_OK)
        r = ws_seq_restart(b, t->id);
    return r;
}

/* Removes the row entry at rows[k] of b (not a transaction: no tombstone). */
static void base_remove(TxnWrites *b, int k)
{
    row_free(b->rows[k]);
    b->rows[k] = NULL;
    b->live--;
}

/* Removes every row of table id from b. */
static void base_clear(TxnWrites *b, u32 id)
{
    for (int k = 0; k < b->nrows; k++)
        if (b->rows[k] && b->rows[k]->table == id) base_remove(b, k);
}

/* The rows array without its holes, so a session that deletes rows for
 * hours keeps a bounded footprint (ws_temp_tidy does the same for the
 * definitions). */
static void base_compact(TxnWrites *b)
{
    if (b->nrows <= 64 || b->nrows <= 2 * b->live) return;
    int n = 64;
    while (n < 2 * (b->live + 1)) n *= 2;
    /* the new index first: out of memory leaves everything as it was */
    WsSlot *slots = slots_new(n);
    if (!slots) return;
    int m = 0;
    for (int k = 0; k < b->nrows; k++)
        if (b->rows[k]) b->rows[m++] = b->rows[k];
    b->nrows = m;
    dd_free(b->slots);
    b->slots = slots;
    b->nslots = n;
    for (int k = 0; k < m; k++) {
        const WsRow *r = b->rows[k];
        u32 h = (u32)ws_hash(r->table, r->pk, r->pklen);
        slot_set(b, probe_h(b, h, r->table, r->pk, r->pklen), k, h);
    }
}

void ws_temp_tidy(TxnWrites *ws)
{
    TxnWrites *b = ws->base;
    /* rebuilt when the stale versions outnumber the live ones (and there
     * are enough of them to be worth a copy of every live one) */
    if (!b || b->stale < 32 || b->stale < b->ntables) return;
    Arena na;
    arena_init(&na, 4096);
    TableInfo **copies = dd_malloc(sizeof(TableInfo *) * (size_t)(b->ntables + 1));
    for (int i = 0; copies && i < b->ntables; i++) {
        if (!(copies[i] = table_copy(&na, b->tables[i]))) {
            /* out of memory: keep the old arena, try again later */
            dd_free(copies);
            arena_free(&na);
            return;
        }
    }
    if (!copies) { arena_free(&na); return; }
    memcpy(b->tables, copies, sizeof(TableInfo *) * (size_t)b->ntables);
    dd_free(copies);
    arena_free(&b->arena);
    b->arena = na;
    b->stale = 0;
}

/* Room in b for more rows, definitions and sequence values, so that the
 * fold that follows cannot fail half-way. */
static int base_reserve(TxnWrites *b, int rows, int tables, int restarts)
{
    if (b->nrows + rows > b->caprows) {
        int cap = DD_MAX(b->nrows + rows, b->caprows * 2);
        WsRow **n = dd_realloc(b->rows, sizeof(WsRow *) * (size_t)cap);
        if (!n) return DD_ENOMEM;
        b->rows = n;
        b->caprows = cap;
    }
    if ((b->nrows + rows + 1) * 2 > b->nslots) {
        int n = b->nslots ? b->nslots : 64;
        while ((b->nrows + rows + 1) * 2 > n) n *= 2;
        int rc = ws_rehash(b, n);
        if (rc) return rc;
    }
    if (b->ntables + tables > b->captables) {
        int cap = DD_MAX(b->ntables + tables, b->captables * 2);
        TableInfo **n = dd_realloc(b->tables, sizeof(TableInfo *) * (size_t)cap);
        if (!n) return DD_ENOMEM;
        b->tables = n;
        b->captables = cap;
    }
    if (b->nrestarts + restarts > b->caprestarts) {
        int cap = DD_MAX(b->nrestarts + restarts, b->caprestarts * 2);
        SeqRestart *n = dd_realloc(b->restarts, sizeof(SeqRestart) * (size_t)cap);
        if (!n) return DD_ENOMEM;
        b->restarts = n;
        b->caprestarts = cap;
    }
    return DD_OK;
}

/* Whether the transaction's definition t of a temporary relation stays in
 * base after COMMIT. */
static bool temp_kept(const TableInfo *t) { return t->temp && !t->dropped && t->on_commit != 'D'; }

int ws_fold_prepare(TxnWrites *ws, TempFold *f)
{
    memset(f, 0, sizeof(*f));
    TxnWrites *b = ws->base;
    if (!b) return DD_OK;
    /* everything that allocates, before anything changes: the new
     * definitions' copies, room for the rows, definitions and sequence
     * values; a failure here leaves base as it was */
    int nt = 0, ntemp = 0, nr = 0;
    for (int i = 0; i < ws->ntables; i++) {
        nt += temp_kept(ws->tables[i]);
        ntemp += ws->tables[i]->temp;
    }
    /* the rows of temporary tables only: a COPY of millions into a
     * permanent table reserves nothing here */
    u32 last_id = 0;
    bool last_temp = false, have_last = false;
    for (int i = 0; i < ws->nrows; i++) {
        const WsRow *r = ws->rows[i];
        if (!r) continue;
        if (!have_last || last_id != r->table) {
            const TableInfo *t = ws_table(ws, r->table);
            last_id = r->table;
            last_temp = t && t->temp;
            have_last = true;
        }
        nr += last_temp;
    }
    if (!ntemp && !nr && !ws->nrestarts && !b->nrows) return DD_OK;   /* nothing temporary anywhere */
    TableInfo **copies = dd_malloc(sizeof(TableInfo *) * (size_t)(nt + 1));
    if (!copies) return DD_ENOMEM;
    for (int i = 0, k = 0; i < ws->ntables; i++) {
        if (!temp_kept(ws->tables[i])) continue;
        if (!(copies[k] = table_copy(&b->arena, ws->tables[i]))) {
            b->stale += k + 1;   /* the copies made are waste in the arena */
            dd_free(copies);
            return DD_ENOMEM;
        }
        copies[k++]->seq = 0;
    }
    int rc = base_reserve(b, nr, nt, ws->nrestarts);
    if (rc) {
        b->stale += nt;
        dd_free(copies);
        return rc;
    }
    f->copies = copies;
    f->ncopies = nt;
    f->ready = true;
    return DD_OK;
}

void ws_fold_cancel(TxnWrites *ws, TempFold *f)
{
    if (!f->ready) return;
    if (ws->base) ws->base->stale += f->ncopies;
    dd_free(f->copies);
    memset(f, 0, sizeof(*f));
}

void ws_fold_apply(TxnWrites *ws, TempFold *f, WsKeyFn keyfn, void *arg)
{
    TxnWrites *b = ws->base;
    if (!f->ready) return;
    TableInfo **copies = f->copies;
    /* the changes, none of which can fail (the key maps, a cache, are
     * dropped where they cannot follow) */
    for (int i = 0, k = 0; i < ws->ntables; i++) {
        const TableInfo *t = ws->tables[i];
        if (!t->temp) continue;
        keymaps_drop_table(b, t->id);   /* indexes or columns may have changed */
        int at = 0;
        for (; at < b->ntables && b->tables[at]->id != t->id; at++) {}
        if (temp_kept(t)) {
            if (at < b->ntables) b->stale++;
            else b->ntables++;
            b->tables[at] = copies[k++];
            continue;
        }
        /* dropped, or ON COMMIT DROP */
        if (at < b->ntables) {
            memmove(&b->tables[at], &b->tables[at + 1], sizeof(TableInfo *) * (size_t)(b->ntables - at - 1));
            b->ntables--;
            b->stale++;
        }
        base_clear(b, t->id);
        for (int r = 0; r < b->nrestarts; r++)
            if (b->restarts[r].id == t->id) b->restarts[r] = b->restarts[--b->nrestarts];
    }
    dd_free(copies);
    memset(f, 0, sizeof(*f));
    /* rows: the transaction's live entry becomes base's (moved, not
     * copied); a tombstone removes base's */
    for (int i = 0; i < ws->nrows; i++) {
        WsRow *r = ws->rows[i];
        if (!r) continue;
        const TableInfo *t = own_table(b, r->table);
        if (!t || t->on_commit == 'd') continue;   /* not temporary, gone, or emptied below */
        WsRow *o = own_find(b, r->table, r->pk, r->pklen);
        if (b->nkeymaps && (!keyfn || keymaps_apply(b, t, r, o, keyfn, arg))) keymaps_drop_table(b, t->id);
        u32 sh = (u32)ws_hash(r->table, r->pk, r->pklen);
        int si = probe_h(b, sh, r->table, r->pk, r->pklen);
        if (!r->rec) {
            if (o) base_remove(b, b->slots[si].row);
            continue;
        }
        ws->rows[i] = NULL;   /* ws_reset, next, frees what stays */
        ws->live--;
        dd_free(r->orig);
        r->orig = NULL;
        r->origlen = 0;
        r->orig_seq = 0;
        r->op = OP_INSERT;
        r->end_op = 0;
        r->moved = NULL;   /* it was in ws->arena, which ws_reset frees */
        r->movedlen = 0;
        r->existed = false;
        if (o) {
            row_free(o);
            b->rows[b->slots[si].row] = r;
        } else {
            b->rows[b->nrows] = r;
            slot_set(b, si, b->nrows++, sh);
            b->live++;
        }
    }
    /* ALTER SEQUENCE ... RESTART of a temporary sequence */
    for (int i = 0; i < ws->nrestarts; i++) {
        const SeqRestart *r = &ws->restarts[i];
        if (!own_table(b, r->id)) continue;
        SeqRestart *q = ws_seq_restart(b, r->id);
        if (!q) q = &b->restarts[b->nrestarts++];   /* room reserved above */
        *q = *r;
    }
    /* ON COMMIT DELETE ROWS: at every commit, whoever wrote them */
    for (int i = 0; i < b->ntables; i++)
        if (b->tables[i]->on_commit == 'd') {
            base_clear(b, b->tables[i]->id);
            keymaps_drop_table(b, b->tables[i]->id);
        }
    base_compact(b);
}
