/*
 * catalog.c - the versioned catalog: encoding of TableInfo versions
 * (layout in format.h), and the in-memory copy of every version that the
 * store keeps while open.
 *
 * Invariants: a published TableInfo is immutable and lives in cat_arena
 * until store_close; each CatTable's versions are in ascending seq order;
 * visibility is by seq alone (a version with seq > a snapshot's seq is
 * invisible to it), so the writer may append a batch's versions before its
 * LMDB commit and remove them (cat_truncate) if that commit fails: no
 * snapshot can see a seq above the committed head.
 */
#include "store_int.h"
#include "../util/clock.h"
#include "../util/alloc.h"

#include <string.h>
#include <stdio.h>

/* ---- encoding ---- */

static void put_str(Buf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    buf_put_varint(b, n);
    buf_append(b, s, n);
}

static void encode_body(const TableInfo *t, Buf *out);
void catalog_encode(const TableInfo *t, Buf *out)
{
    buf_putc(out, FMT_CAT_FORMAT);
    encode_body(t, out);
    /* format 3: the owner and the privileges */
    buf_put_varint(out, t->owner);
    buf_putc(out, t->has_acl);
    if (t->has_acl) {
        buf_put_varint(out, (u64)t->nacl);
        for (int i = 0; i < t->nacl; i++) {
            buf_put_u32be(out, t->acl[i].grantee);
            buf_put_u32be(out, t->acl[i].grantor);
            buf_put_varint(out, t->acl[i].privs);
            buf_put_varint(out, t->acl[i].grant);
        }
    }
    if (t->utype && t->utype->kind == 'r' && t->utype->role->nconfig) {
        const RoleInfo *r = t->utype->role;
        buf_put_varint(out, (u64)r->nconfig);
        for (int i = 0; i < r->nconfig; i++) put_str(out, r->config[i]);
    }
    if (!t->utype && t->retention_us > 0) {
        buf_putc(out, FMT_CAT_RETENTION);
        buf_put_u64be(out, (u64)t->retention_us);
    }
}

/* Everything of t but the format byte and format 3's trailer. */
static void encode_body(const TableInfo *t, Buf *out)
{
    buf_put_u32be(out, t->id);
    put_str(out, t->name);
    buf_put_u64be(out, t->seq);
    buf_put_u64be(out, t->created_seq);
    buf_putc(out, (u8)((t->dropped ? FMT_CAT_DROPPED : 0) | (t->document_style ? FMT_CAT_DOCUMENT : 0) |
                       (t->view_sql ? FMT_CAT_VIEW : 0) | (t->sequence ? FMT_CAT_SEQUENCE : 0) |
                       (t->nchecks || t->nfks ? FMT_CAT_CONSTRAINTS : 0) |
                       (t->ncomments ? FMT_CAT_COMMENTS : 0) | (t->nconvs ? FMT_CAT_CONVS : 0) |
                       (t->utype ? FMT_CAT_TYPE : 0)));
    buf_put_u32be(out, t->next_col_id);
    buf_put_varint(out, (u64)t->ncols);
    for (int i = 0; i < t->ncols; i++) {
        const ColumnInfo *c = &t->cols[i];
        buf_put_varint(out, c->id);
        put_str(out, c->name);
        buf_put_u16be(out, c->type);
        buf_put_svarint(out, c->typmod);
        /* a generated column: both identity flags, its expression where a
         * default would be (it has neither) */
        buf_putc(out, (u8)((c->not_null ? FMT_COL_NOT_NULL : 0) | (c->dropped ? FMT_COL_DROPPED : 0) |
                           (c->default_sql || c->gen_sql ? FMT_COL_DEFAULT : 0) | (c->pending ? FMT_COL_PENDING : 0) |
                           (c->identity == 'a' || c->gen_sql ? FMT_COL_IDENTITY_ALWAYS : 0) |
                           (c->identity == 'd' || c->gen_sql ? FMT_COL_IDENTITY_DEFAULT : 0) |
                           (c->missing ? FMT_COL_MISSING : 0) | (c->domain ? FMT_COL_DOMAIN : 0)));
        if (c->gen_sql) put_str(out, c->gen_sql);
        else if (c->default_sql) put_str(out, c->default_sql);
        if (c->missing) {
            buf_put_varint(out, c->missinglen);
            buf_append(out, c->missing, c->missinglen);
        }
        if (c->domain) buf_put_varint(out, c->domain);
    }
    buf_put_varint(out, (u64)t->npk);
    for (int i = 0; i < t->npk; i++) buf_put_varint(out, t->pk[i]);
    buf_put_varint(out, (u64)t->nindexes);
    for (int i = 0; i < t->nindexes; i++) {
        const IndexInfo *x = &t->indexes[i];
        buf_put_varint(out, x->id);
        put_str(out, x->name);
        buf_put_varint(out, (u64)x->ncols);
        for (int j = 0; j < x->ncols; j++) buf_put_varint(out, x->cols[j]);
        buf_putc(out, (u8)((x->unique ? FMT_IX_UNIQUE : 0) | (x->ever ? FMT_IX_EVER : 0) |
                           (x->constraint ? FMT_IX_CONSTRAINT : 0) | (x->pred_sql ? FMT_IX_PARTIAL : 0) |
                           (x->primary ? FMT_IX_PRIMARY : 0) | (x->ninclude ? FMT_IX_INCLUDE : 0)));
        for (int j = 0; j < x->ncols; j++) {
            const char *e = x->exprs ? x->exprs[j] : NULL;
            buf_putc(out, (u8)((x->colflags ? x->colflags[j] & ~INDEX_EXPR : 0) | (e ? INDEX_EXPR : 0)));
            if (e) put_str(out, e);
        }
        if (x->pred_sql) put_str(out, x->pred_sql);
        if (x->ninclude) {
            buf_put_varint(out, (u64)x->ninclude);
            for (int j = 0; j < x->ninclude; j++) buf_put_varint(out, x->include[j]);
        }
    }
    if (t->view_sql) {
        put_str(out, t->view_sql);
        buf_put_varint(out, (u64)t->ndeps);
        for (int i = 0; i < 2 * t->ndeps; i++) buf_put_varint(out, t->deps[i]);
    }
    if (t->sequence) {
        const SeqInfo *q = t->sequence;
        buf_put_svarint(out, q->start);
        buf_put_svarint(out, q->inc);
        buf_put_svarint(out, q->min);
        buf_put_svarint(out, q->max);
        buf_putc(out, q->cycle ? 1 : 0);
        buf_put_u16be(out, q->type);
        buf_put_varint(out, q->owner_table);
        buf_put_varint(out, q->owner_col);
    }
    if (t->nchecks || t->nfks) {
        buf_put_varint(out, (u64)t->nchecks);
        for (int i = 0; i < t->nchecks; i++) {
            put_str(out, t->checks[i].name);
            put_str(out, t->checks[i].expr_sql);
        }
        buf_put_varint(out, (u64)t->nfks);
        for (int i = 0; i < t->nfks; i++) {
            const ForeignKeyInfo *f = &t->fks[i];
            put_str(out, f->name);
            buf_put_varint(out, (u64)f->ncols);
            for (int k = 0; k < f->ncols; k++) buf_put_varint(out, f->cols[k]);
            buf_put_varint(out, f->ref_table);
            for (int k = 0; k < f->ncols; k++) buf_put_varint(out, f->ref_cols[k]);
            buf_putc(out, (u8)f->on_delete);
            buf_putc(out, (u8)f->on_update);
            buf_putc(out, (u8)((f->deferrable ? FMT_FK_DEFERRABLE : 0) | (f->deferred ? FMT_FK_DEFERRED : 0) |
                               (f->match_full ? FMT_FK_MATCH_FULL : 0)));
        }
    }
    if (t->ncomments) {
        buf_put_varint(out, (u64)t->ncomments);
        for (int i = 0; i < t->ncomments; i++) {
            buf_put_varint(out, t->comments[i].col);
            put_str(out, t->comments[i].text);
        }
    }
    if (t->nconvs) {
        buf_put_varint(out, (u64)t->nconvs);
        for (int i = 0; i < t->nconvs; i++) {
            const ColConv *v = &t->convs[i];
            buf_put_u64be(out, v->seq ? v->seq : t->seq);
            buf_put_varint(out, v->step);
            buf_put_varint(out, v->col);
            buf_put_u16be(out, v->old_type);
            buf_put_svarint(out, v->old_typmod);
            put_str(out, v->timezone);
            buf_putc(out, v->using_sql != NULL);
            if (!v->using_sql) continue;
            put_str(out, v->using_sql);
            buf_put_varint(out, (u64)v->nrefs);
            for (int k = 0; k < v->nrefs; k++) {
                buf_put_varint(out, v->ref_ids[k]);
                put_str(out, v->ref_names[k]);
            }
        }
    }
    if (t->utype) {
        const UserType *u = t->utype;
        buf_putc(out, (u8)u->kind);
        if (u->kind == 's' || u->kind == 'p' || u->kind == 'q') return;   /* a schema: its name is all there is */
        if (u->kind == 'r') {
            const RoleInfo *r = u->role;
            buf_putc(out, r->flags);
            buf_put_svarint(out, r->connlimit);
            buf_putc(out, r->password != NULL);
            if (r->password) put_str(out, r->password);
            buf_putc(out, r->has_valid_until);
            if (r->has_valid_until) buf_put_u64be(out, (u64)r->valid_until);
            buf_put_varint(out, (u64)r->nmember_of);
            for (int i = 0; i < r->nmember_of; i++) {
                buf_put_u32be(out, r->member_of[i].role);
                buf_put_u32be(out, r->member_of[i].grantor);
                buf_putc(out, r->member_of[i].admin);
            }
            return;
        }
        if (u->kind == 'd') {
            buf_put_u16be(out, u->base_type);
            buf_put_svarint(out, u->base_typmod);
            buf_put_varint(out, u->base_domain);
            buf_putc(out, (u8)((u->not_null ? 1 : 0) | (u->default_sql ? 2 : 0)));
            if (u->default_sql) put_str(out, u->default_sql);
            buf_put_varint(out, (u64)u->nchecks);
            for (int i = 0; i < u->nchecks; i++) {
                put_str(out, u->checks[i].name);
                put_str(out, u->checks[i].expr_sql);
            }
            return;
        }
        buf_put_varint(out, (u64)u->nlabels);
        for (int i = 0; i < u->nlabels; i++) {
            buf_put_svarint(out, u->labels[i].key);
            put_str(out, u->labels[i].label);
        }
    }
}

static char *get_str_max(Cursor *c, Arena *a, u64 max)
{
    u64 n = cur_varint(c);
    if (c->bad || n > cur_left(c) || n > max) {
        c->bad = true;
        return NULL;
    }
    const u8 *p = cur_bytes(c, (size_t)n);
    char *s = arena_alloc(a, (size_t)n + 1);
    if (!s) return NULL;
    memcpy(s, p, (size_t)n);
    s[n] = '\0';
    return s;
}

/* A varint-length byte string (at most 1 MiB): its bytes, borrowed. */
static const u8 *cur_bytes_peek_len(Cursor *c, u32 *len)
{
    u64 n = cur_varint(c);
    if (c->bad || n > cur_left(c) || n > (1u << 20)) {
        c->bad = true;
        return NULL;
    }
    *len = (u32)n;
    return cur_bytes(c, (size_t)n);
}

static char *get_str(Cursor *c, Arena *a)
{
    return get_str_max(c, a, 4096);
}

/* A count that must fit in what is left (each element takes >= 1 byte). */
static int get_count(Cursor *c)
{
    u64 n = cur_varint(c);
    if (c->bad || n > cur_left(c) || n > 100000) {
        c->bad = true;
        return 0;
    }
    return (int)n;
}

static u32 get_u32v(Cursor *c)
{
    u64 v = cur_varint(c);
    if (v > UINT32_MAX) c->bad = true;
    return (u32)v;
}

/* The constraints section (FMT_CAT_CONSTRAINTS) into t. */
static bool get_constraints(Cursor *c, Arena *a, TableInfo *t)
{
    t->nchecks = get_count(c);
    if (c->bad) return true;
    if (t->nchecks && !(t->checks = arena_zalloc(a, sizeof *t->checks * (size_t)t->nchecks))) return false;
    for (int i = 0; i < t->nchecks && !c->bad; i++) {
        t->checks[i].name = get_str(c, a);
        t->checks[i].expr_sql = get_str_max(c, a, FMT_CAT_MAX_VIEW_SQL);
        if (!c->bad && (!t->checks[i].name || !t->checks[i].expr_sql)) return false;
    }
    t->nfks = c->bad ? 0 : get_count(c);
    if (c->bad) return true;
    if (t->nfks && !(t->fks = arena_zalloc(a, sizeof *t->fks * (size_t)t->nfks))) return false;
    for (int i = 0; i < t->nfks && !c->bad; i++) {
        ForeignKeyInfo *f = &t->fks[i];
        f->name = get_str(c, a);
        if (!c->bad && !f->name) return false;
        f->ncols = get_count(c);
        if (c->bad || f->ncols == 0) { c->bad = true; return true; }
        f->cols = arena_alloc(a, sizeof *f->cols * (size_t)f->ncols);
        f->ref_cols = arena_alloc(a, sizeof *f->ref_cols * (size_t)f->ncols);
        if (!f->cols || !f->ref_cols) return false;
        for (int k = 0; k < f->ncols; k++) f->cols[k] = get_u32v(c);
        f->ref_table = get_u32v(c);
        for (int k = 0; k < f->ncols; k++) f->ref_cols[k] = get_u32v(c);
        f->on_delete = (char)cur_u8(c);
        f->on_update = (char)cur_u8(c);
        u8 fl = cur_u8(c);
        f->deferrable = fl & FMT_FK_DEFERRABLE;
        f->deferred = fl & FMT_FK_DEFERRED;
        f->match_full = fl & FMT_FK_MATCH_FULL;
    }
    return true;
}

int catalog_decode(const u8 *p, size_t n, Arena *a, TableInfo *t, DdError *err)
{
    Cursor c;
    cur_init(&c, p, n);
    memset(t, 0, sizeof *t);
    bool oom = false;
    u8 fmt = cur_u8(&c);
    if (fmt != FMT_CAT_FORMAT && fmt != FMT_CAT_FORMAT_V2 && fmt != FMT_CAT_FORMAT_V1)
        return dd_corrupt(err, "catalog record: bad format byte");
    t->id = cur_u32be(&c);
    t->name = get_str(&c, a);
    oom |= !c.bad && !t->name;
    t->seq = cur_u64be(&c);
    t->created_seq = cur_u64be(&c);
    u8 flags = cur_u8(&c);
    t->dropped = flags & FMT_CAT_DROPPED;
    t->document_style = flags & FMT_CAT_DOCUMENT;
    t->next_col_id = cur_u32be(&c);
    t->ncols = get_count(&c);
    if (!c.bad && t->ncols) {
        t->cols = arena_zalloc(a, sizeof *t->cols * (size_t)t->ncols);
        oom |= !t->cols;
        for (int i = 0; t->cols && i < t->ncols && !c.bad; i++) {
            ColumnInfo *col = &t->cols[i];
            col->id = get_u32v(&c);
            col->name = get_str(&c, a);
            oom |= !c.bad && !col->name;
            col->type = cur_u16be(&c);
            i64 tm = cur_svarint(&c);
            if (tm < INT32_MIN || tm > INT32_MAX) c.bad = true;
            col->typmod = (i32)tm;
            u8 cf = cur_u8(&c);
            col->not_null = cf & FMT_COL_NOT_NULL;
            col->dropped = cf & FMT_COL_DROPPED;
            col->pending = cf & FMT_COL_PENDING;
            col->identity = cf & FMT_COL_IDENTITY_ALWAYS ? 'a' : cf & FMT_COL_IDENTITY_DEFAULT ? 'd' : 0;
            bool gen = (cf & FMT_COL_GENERATED) == FMT_COL_GENERATED;
            if (gen) col->identity = 0;
            if (gen && !(cf & FMT_COL_DEFAULT)) c.bad = true;
            if (cf & FMT_COL_DEFAULT) {
                char *s = get_str(&c, a);
                oom |= !c.bad && !s;
                if (gen) col->gen_sql = s;
                else col->default_sql = s;
            }
            if (cf & FMT_COL_MISSING) {
                /* a row image of the one field: never empty (an empty
                 * one would be copied from past the record's end) */
                const u8 *m = cur_bytes_peek_len(&c, &col->missinglen);
                if (m && !col->missinglen) c.bad = true;
                col->missing = m && col->missinglen ? arena_memdup(a, m, col->missinglen) : NULL;
                oom |= !c.bad && !col->missing;
            }
            if (cf & FMT_COL_DOMAIN) {
                col->domain = get_u32v(&c);
                if (!col->domain) c.bad = true;
            }
        }
    }
    t->npk = oom ? 0 : get_count(&c);
    if (!c.bad && t->npk) {
        t->pk = arena_alloc(a, sizeof *t->pk * (size_t)t->npk);
        oom |= !t->pk;
        for (int i = 0; t->pk && i < t->npk; i++) t->pk[i] = get_u32v(&c);
    }
    t->nindexes = oom ? 0 : get_count(&c);
    if (!c.bad && t->nindexes) {
        t->indexes = arena_zalloc(a, sizeof *t->indexes * (size_t)t->nindexes);
        oom |= !t->indexes;
        for (int i = 0; t->indexes && i < t->nindexes && !c.bad; i++) {
            IndexInfo *x = &t->indexes[i];
            x->id = get_u32v(&c);
            x->name = get_str(&c, a);
            oom |= !c.bad && !x->name;
            x->ncols = get_count(&c);
            if (!c.bad && x->ncols) {
                x->cols = arena_alloc(a, sizeof *x->cols * (size_t)x->ncols);
                oom |= !x->cols;
                for (int j = 0; x->cols && j < x->ncols; j++) x->cols[j] = get_u32v(&c);
            }
            if (fmt >= FMT_CAT_FORMAT_V2 && !oom) {
                u8 f = cur_u8(&c);
                x->unique = f & FMT_IX_UNIQUE;
                x->ever = f & FMT_IX_EVER;
                x->constraint = f & FMT_IX_CONSTRAINT;
                x->primary = (f & FMT_IX_PRIMARY) && x->constraint && x->unique;
                x->colflags = arena_zalloc(a, (size_t)x->ncols + 1);
                oom |= !x->colflags;
                for (int j = 0; x->colflags && j < x->ncols && !c.bad; j++) {
                    x->colflags[j] = cur_u8(&c);
                    if (!(x->colflags[j] & INDEX_EXPR)) continue;
                    if (!x->exprs) {
                        x->exprs = arena_zalloc(a, sizeof(char *) * (size_t)x->ncols);
                        if (!x->exprs) { oom = true; break; }
                    }
                    x->exprs[j] = get_str(&c, a);
                    oom |= !c.bad && !x->exprs[j];
                }
                if ((f & FMT_IX_PARTIAL) && !oom && !c.bad) {
                    x->pred_sql = get_str(&c, a);
                    oom |= !c.bad && !x->pred_sql;
                }
                if ((f & FMT_IX_INCLUDE) && !oom && !c.bad) {
                    x->ninclude = get_count(&c);
                    if (!c.bad && x->ninclude) {
                        x->include = arena_alloc(a, sizeof *x->include * (size_t)x->ninclude);
                        oom |= !x->include;
                        for (int j = 0; x->include && j < x->ninclude; j++) x->include[j] = get_u32v(&c);
                    }
                }
            }
        }
    }
    if ((flags & FMT_CAT_VIEW) && !oom && !c.bad) {
        t->view_sql = get_str_max(&c, a, FMT_CAT_MAX_VIEW_SQL);
        oom |= !c.bad && !t->view_sql;
        t->ndeps = get_count(&c);
        if (!c.bad && t->ndeps) {
            t->deps = arena_alloc(a, sizeof *t->deps * 2 * (size_t)t->ndeps);
            oom |= !t->deps;
            for (int i = 0; t->deps && i < 2 * t->ndeps; i++) t->deps[i] = get_u32v(&c);
        }
    }
    if ((flags & FMT_CAT_SEQUENCE) && !oom && !c.bad) {
        SeqInfo *q = t->sequence = arena_zalloc(a, sizeof *t->sequence);
        oom |= !q;
        if (q) {
            q->start = cur_svarint(&c);
            q->inc = cur_svarint(&c);
            q->min = cur_svarint(&c);
            q->max = cur_svarint(&c);
            q->cycle = cur_u8(&c) != 0;
            q->type = cur_u16be(&c);
            q->owner_table = get_u32v(&c);
            q->owner_col = get_u32v(&c);
            if (q->inc == 0 || q->min >= q->max) c.bad = true;
        }
    }
    if ((flags & FMT_CAT_CONSTRAINTS) && !oom && !c.bad) oom |= !get_constraints(&c, a, t);
    if ((flags & FMT_CAT_COMMENTS) && !oom && !c.bad) {
        u64 n = cur_varint(&c);
        if (n == 0 || n > (u64)t->ncols + 1 || n > cur_left(&c)) c.bad = true;
        if (!c.bad) {
            t->ncomments = (int)n;
            t->comments = arena_alloc(a, sizeof(*t->comments) * (size_t)n);
            oom |= !t->comments;
        }
        for (int i = 0; !oom && !c.bad && i < t->ncomments; i++) {
            t->comments[i].col = get_u32v(&c);
            t->comments[i].text = get_str_max(&c, a, FMT_CAT_MAX_VIEW_SQL);
            oom |= !c.bad && !t->comments[i].text;
        }
    }
    if ((flags & FMT_CAT_CONVS) && !oom && !c.bad) {
        u64 n = cur_varint(&c);
        if (n == 0 || n > cur_left(&c)) c.bad = true;
        if (!c.bad) {
            t->nconvs = (int)n;
            oom |= !(t->convs = arena_zalloc(a, sizeof(*t->convs) * (size_t)n));
        }
        for (int i = 0; !oom && !c.bad && i < t->nconvs; i++) {
            ColConv *v = &t->convs[i];
            v->seq = cur_u64be(&c);
            v->step = get_u32v(&c);
            v->col = get_u32v(&c);
            v->old_type = cur_u16be(&c);
            i64 tm = cur_svarint(&c);
            if (tm < INT32_MIN || tm > INT32_MAX || v->seq == 0 || v->seq > t->seq) c.bad = true;
            v->old_typmod = (i32)tm;
            v->timezone = get_str(&c, a);
            oom |= !c.bad && !v->timezone;
            if (v->timezone && !v->timezone[0]) v->timezone = NULL;
            if (cur_u8(&c)) {
                v->using_sql = get_str_max(&c, a, FMT_CAT_MAX_VIEW_SQL);
                oom |= !c.bad && !v->using_sql;
                u64 nr = cur_varint(&c);
                if (nr > (u64)t->ncols || nr > cur_left(&c)) c.bad = true;
                if (c.bad || oom || !nr) continue;
                v->nrefs = (int)nr;
                v->ref_ids = arena_alloc(a, sizeof(u32) * (size_t)nr);
                v->ref_names = arena_alloc(a, sizeof(char *) * (size_t)nr);
                oom |= !v->ref_ids || !v->ref_names;
                for (int k = 0; !oom && !c.bad && k < v->nrefs; k++) {
                    v->ref_ids[k] = get_u32v(&c);
                    v->ref_names[k] = get_str(&c, a);
                    oom |= !c.bad && !v->ref_names[k];
                }
            }
        }
    }
    if ((flags & FMT_CAT_TYPE) && !oom && !c.bad) {
        UserType *u = t->utype = arena_zalloc(a, sizeof *t->utype);
        oom |= !u;
        if (u) {
            u->kind = (char)cur_u8(&c);
            if (u->kind != 'e' && u->kind != 'd' && u->kind != 's' && u->kind != 'p' && u->kind != 'r' && u->kind != 'q')
                c.bad = true;
            if (u->kind == 'r' && !c.bad) {
                RoleInfo *r = u->role = arena_zalloc(a, sizeof *u->role);
                oom |= !r;
                if (r) {
                    r->flags = cur_u8(&c);
                    if (r->flags & ~FMT_ROLE_ALL) c.bad = true;
                    i64 lim = cur_svarint(&c);
                    if (lim < -1 || lim > INT32_MAX) c.bad = true;
                    r->connlimit = (i32)lim;
                    u8 hp = cur_u8(&c);
                    if (hp > 1) c.bad = true;
                    if (hp == 1 && !c.bad) {
                        r->password = get_str(&c, a);
                        oom |= !c.bad && !r->password;
                    }
                    u8 hv = cur_u8(&c);
                    if (hv > 1) c.bad = true;
                    r->has_valid_until = hv == 1;
                    if (hv == 1) r->valid_until = (i64)cur_u64be(&c);
                    r->nmember_of = c.bad ? 0 : get_count(&c);
                    if (!c.bad && r->nmember_of &&
                        !(r->member_of = arena_zalloc(a, sizeof *r->member_of * (size_t)r->nmember_of)))
                        oom = true;
                    for (int i = 0; r->member_of && i < r->nmember_of && !c.bad; i++) {
                        r->member_of[i].role = cur_u32be(&c);
                        r->member_of[i].grantor = cur_u32be(&c);
                        u8 ad = cur_u8(&c);
                        if (ad > 1) c.bad = true;
                        r->member_of[i].admin = ad == 1;
                    }
                }
            }
            if (u->kind == 'd' && !c.bad) {
                u->base_type = cur_u16be(&c);
                i64 tm = cur_svarint(&c);
                if (tm < INT32_MIN || tm > INT32_MAX) c.bad = true;
                u->base_typmod = (i32)tm;
                u->base_domain = get_u32v(&c);
                u8 df = cur_u8(&c);
                u->not_null = df & 1;
                if (df & 2) {
                    u->default_sql = get_str_max(&c, a, FMT_CAT_MAX_VIEW_SQL);
                    oom |= !c.bad && !u->default_sql;
                }
                u->nchecks = c.bad ? 0 : get_count(&c);
                if (!c.bad && u->nchecks && !(u->checks = arena_zalloc(a, sizeof *u->checks * (size_t)u->nchecks)))
                    oom = true;
                for (int i = 0; u->checks && i < u->nchecks && !c.bad; i++) {
                    u->checks[i].name = get_str(&c, a);
                    u->checks[i].expr_sql = get_str_max(&c, a, FMT_CAT_MAX_VIEW_SQL);
                    oom |= !c.bad && (!u->checks[i].name || !u->checks[i].expr_sql);
                }
            }
            u->nlabels = c.bad || u->kind != 'e' ? 0 : get_count(&c);
            if (!c.bad && u->nlabels) {
                u->labels = arena_zalloc(a, sizeof *u->labels * (size_t)u->nlabels);
                oom |= !u->labels;
            }
            for (int i = 0; u->labels && i < u->nlabels && !c.bad; i++) {
                u->labels[i].key = cur_svarint(&c);
                u->labels[i].label = get_str(&c, a);
                oom |= !c.bad && !u->labels[i].label;
                if (i > 0 && u->labels[i].key <= u->labels[i - 1].key) c.bad = true;
            }
        }
    }
    if (fmt >= FMT_CAT_FORMAT && !c.bad && !oom) {
        t->owner = get_u32v(&c);
        u8 h = cur_u8(&c);
        if (h > 1) c.bad = true;
        t->has_acl = h == 1;
        t->nacl = t->has_acl && !c.bad ? get_count(&c) : 0;
        if (!c.bad && t->nacl && !(t->acl = arena_zalloc(a, sizeof *t->acl * (size_t)t->nacl))) oom = true;
        for (int i = 0; t->acl && i < t->nacl && !c.bad; i++) {
            t->acl[i].grantee = cur_u32be(&c);
            t->acl[i].grantor = cur_u32be(&c);
            t->acl[i].privs = get_u32v(&c);
            t->acl[i].grant = get_u32v(&c);
            if (t->acl[i].grant & ~t->acl[i].privs) c.bad = true;
        }
        if (!c.bad && !oom && !cur_end(&c) && t->utype && t->utype->kind == 'r' && t->utype->role) {
            RoleInfo *r = t->utype->role;
            r->nconfig = get_count(&c);
            if (!c.bad && r->nconfig && !(r->config = arena_zalloc(a, sizeof(char *) * (size_t)r->nconfig))) oom = true;
            for (int i = 0; r->config && i < r->nconfig && !c.bad; i++) {
                r->config[i] = get_str(&c, a);
                oom |= !c.bad && !r->config[i];
            }
        }
        if (!c.bad && !oom && !cur_end(&c) && !t->utype) {
            if (cur_u8(&c) != FMT_CAT_RETENTION) c.bad = true;
            t->retention_us = (i64)cur_u64be(&c);
            if (t->retention_us <= 0) c.bad = true;
        }
    }
    if (oom) return dd_err(err, DD_ENOMEM, -1, NULL);
    if (!cur_end(&c)) return dd_corrupt(err, "catalog record: malformed");
    return 0;
}

int store_role_closure(const TableInfo *const *rs, int n, u32 from, bool inherit, Arena *a, u32 **out, int *nout)
{
    u32 *q = arena_alloc(a, sizeof(u32) * (size_t)(n + 1));
    if (!q) return DD_ENOMEM;
    int m = 0;
    q[m++] = from;
    for (int k = 0; k < m; k++) {   /* breadth first: q[0..m) found, each once */
        const TableInfo *r = NULL;
        for (int i = 0; i < n && !r; i++)
            if (rs[i]->id == q[k]) r = rs[i];
        if (!r || !r->utype || !r->utype->role) continue;
        const RoleInfo *ri = r->utype->role;
        if (inherit && !(ri->flags & FMT_ROLE_INHERIT)) continue;
        for (int j = 0; j < ri->nmember_of; j++) {
            bool seen = false;
            for (int x = 0; x < m && !seen; x++) seen = q[x] == ri->member_of[j].role;
            if (!seen && m <= n) q[m++] = ri->member_of[j].role;
        }
    }
    *out = q;
    *nout = m;
    return DD_OK;
}

/* ---- the in-memory catalog ---- */

CatTable *cat_find(Store *st, u32 id)
{
    for (int i = 0; i < st->ncat; i++)
        if (st->cat[i].id == id) return &st->cat[i];
    return NULL;
}

void cat_note_write_locked(Store *st, u32 id, u64 seq)
{
    CatTable *ct = cat_find(st, id);
    if (ct && seq > ct->last_write) ct->last_write = seq;
}

void cat_note_purge_locked(Store *st, u32 id, u64 seq, bool erase)
{
    CatTable *ct = cat_find(st, id);
    if (!ct) return;
    if (seq > ct->last_write) ct->last_write = seq;
    if (erase && seq > ct->erased_at) ct->erased_at = seq;
    if (seq > ct->purged_at) ct->purged_at = seq;
}

u64 cat_erased_at_locked(Store *st, u32 id)
{
    CatTable *ct = cat_find(st, id);
    return ct ? ct->erased_at : 0;
}

void cat_add_rows_locked(Store *st, u32 id, i64 delta)
{
    CatTable *ct = cat_find(st, id);
    if (ct && (ct->counted || ct->counting)) ct->live_rows += delta;
}

void cat_add_ops_locked(Store *st, u32 id, const i64 ops[3])
{
    CatTable *ct = cat_find(st, id);
    if (!ct) return;
    ct->act.n_ins += ops[0];
    ct->act.n_upd += ops[1];
    ct->act.n_del += ops[2];
}

void store_count_scan(Store *st, u32 id, bool index, i64 rows)
{
    pthread_mutex_lock(&st->cat_mu);
    CatTable *ct = cat_find(st, id);
    if (ct && index) { ct->act.idx_scan++; ct->act.idx_tup_fetch += rows; }
    else if (ct) { ct->act.seq_scan++; ct->act.seq_tup_read += rows; }
    pthread_mutex_unlock(&st->cat_mu);
}

void store_note_analyze(Store *st, u32 id, bool automatic)
{
    i64 now = clock_wall_us();
    pthread_mutex_lock(&st->cat_mu);
    CatTable *ct = cat_find(st, id);
    if (ct && automatic) { ct->act.autoanalyze_count++; ct->act.last_autoanalyze_us = now; }
    else if (ct) { ct->act.analyze_count++; ct->act.last_analyze_us = now; }
    if (ct) ct->act.mod_at_analyze = ct->act.n_ins + ct->act.n_upd + ct->act.n_del;
    pthread_mutex_unlock(&st->cat_mu);
}

void store_table_activity(Store *st, u32 id, StoreTableActivity *out)
{
    pthread_mutex_lock(&st->cat_mu);
    CatTable *ct = cat_find(st, id);
    if (ct) *out = ct->act;
    else memset(out, 0, sizeof(*out));
    pthread_mutex_unlock(&st->cat_mu);
}

i64 store_table_rows(Snap *s, u32 id)
{
    Store *st = s->st;
    pthread_mutex_lock(&st->cat_mu);
    CatTable *ct = cat_find(st, id);
    if (ct && (ct->counted || ct->counting)) {
        i64 n = ct->live_rows;
        bool done = ct->counted;
        pthread_mutex_unlock(&st->cat_mu);
        if (done || n > 0) return n < 0 ? 0 : n;
        return 0;
    }
    /* first use: count the table's live rows in this snapshot.  Commits
     * that land from now on add their deltas meanwhile; one that landed
     * after the snapshot was taken and before this point is missed (the
     * count is an estimate). */
    if (ct) {
        ct->counting = true;
        ct->live_rows = 0;
    }
    pthread_mutex_unlock(&st->cat_mu);
    i64 n = 0;
    StoreCursor *c;
    DdError e;
    int rc = store_cursor_open(s, STORE_DB_CURRENT, &c, &e);
    if (!rc) {
        u8 prefix[4];
        put_u32be(prefix, id);
        for (int ok = store_cursor_seek(c, prefix, 4); ok; ok = store_cursor_next(c)) {
            const u8 *k, *v;
            size_t kn, vn;
            store_cursor_get(c, &k, &kn, &v, &vn);
            if (kn < 4 || memcmp(k, prefix, 4) != 0) break;
            n++;
        }
        store_cursor_close(c);
    }
    pthread_mutex_lock(&st->cat_mu);
    ct = cat_find(st, id);
    if (ct && ct->counting) {
        ct->counting = false;
        if (rc) {
            ct->live_rows = 0;
        } else {
            ct->counted = true;
            ct->live_rows += n;
            n = ct->live_rows;
        }
    }
    pthread_mutex_unlock(&st->cat_mu);
    return rc ? -1 : n;
}

int store_table_stats(Snap *s, u32 id, Arena *a, u8 **blob, size_t *n, i64 *rows_at)
{
    Store *st = s->st;
    *blob = NULL;
    *n = 0;
    *rows_at = 0;
    pthread_mutex_lock(&st->cat_mu);
    CatTable *ct = cat_find(st, id);
    int rc = DD_OK;
    if (ct && ct->stats) {
        *blob = arena_memdup(a, ct->stats, ct->nstats);
        if (*blob) {
            *n = ct->nstats;
            *rows_at = ct->stats_rows;
        } else {
            rc = DD_ENOMEM;
        }
    }
    pthread_mutex_unlock(&st->cat_mu);
    return rc;
}

int store_set_table_stats(Snap *s, u32 id, const u8 *blob, size_t n, i64 rows_at)
{
    Store *st = s->st;
    u8 *copy = dd_malloc(n ? n : 1);
    if (!copy) return DD_ENOMEM;
    memcpy(copy, blob, n);
    pthread_mutex_lock(&st->cat_mu);
    CatTable *ct = cat_find(st, id);
    if (ct) {
        dd_free(ct->stats);
        ct->stats = copy;
        ct->nstats = n;
        ct->stats_rows = rows_at;
        copy = NULL;
    }
    pthread_mutex_unlock(&st->cat_mu);
    dd_free(copy);
    return DD_OK;
}

u64 cat_last_write_locked(Store *st, u32 id)
{
    CatTable *ct = cat_find(st, id);
    return ct ? ct->last_write : 0;
}

int cat_add_locked(Store *st, const u8 *rec, size_t n, DdError *err)
{
    TableInfo *t = arena_alloc(&st->cat_arena, sizeof *t);
    if (!t) return dd_err(err, DD_ENOMEM, -1, NULL);
    int rc = catalog_decode(rec, n, &st->cat_arena, t, err);
    if (rc) return rc;
    CatTable *ct = cat_find(st, t->id);
    if (!ct) {
        if (st->ncat == st->capcat) {
            int cap = st->capcat ? st->capcat * 2 : 16;
            CatTable *nc = dd_realloc(st->cat, sizeof *nc * (size_t)cap);
            if (!nc) return dd_err(err, DD_ENOMEM, -1, NULL);
            st->cat = nc;
            st->capcat = cap;
        }
        ct = &st->cat[st->ncat++];
        memset(ct, 0, sizeof *ct);
        ct->id = t->id;
    }
    for (int i = 0; i < ct->n; i++)
        if (ct->v[i]->seq == t->seq) return 0;  /* already known */
    if (ct->n == ct->cap) {
        int cap = ct->cap ? ct->cap * 2 : 4;
        TableInfo **nv = dd_realloc(ct->v, sizeof *nv * (size_t)cap);
        if (!nv) return dd_err(err, DD_ENOMEM, -1, NULL);
        ct->v = nv;
        ct->cap = cap;
    }
    int pos = ct->n;
    while (pos > 0 && ct->v[pos - 1]->seq > t->seq) {
        ct->v[pos] = ct->v[pos - 1];
        pos--;
    }
    ct->v[pos] = t;
    ct->n++;
    if (t->seq > st->cat_newest) __atomic_store_n(&st->cat_newest, t->seq, __ATOMIC_RELEASE);
    __atomic_add_fetch(&st->cat_gen, 1, __ATOMIC_ACQ_REL);
    return 0;
}

int cat_load(Store *st, MDB_txn *txn, u64 head, DdError *err)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, st->dbi[FMT_DB_CATALOG], &cur);
    if (rc) return store_mdb_err(err, rc, "reading the catalog");
    MDB_val k, v;
    pthread_mutex_lock(&st->cat_mu);
    u64 known = st->cat_seq;
    rc = 0;
    for (int op = MDB_FIRST; mdb_cursor_get(cur, &k, &v, (MDB_cursor_op)op) == 0; op = MDB_NEXT) {
        if (k.mv_size != 12) {
            rc = dd_corrupt(err, "catalog: bad key");
            break;
        }
        u64 seq = fmt_inv_seq(get_u64be((const u8 *)k.mv_data + 4));
        if (seq <= known && known) continue;
        if ((rc = cat_add_locked(st, v.mv_data, v.mv_size, err))) break;
    }
    if (!rc && head > st->cat_seq) __atomic_store_n(&st->cat_seq, head, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&st->cat_mu);
    mdb_cursor_close(cur);
    return rc;
}

void cat_truncate(Store *st, u64 head)
{
    pthread_mutex_lock(&st->cat_mu);
    for (int i = 0; i < st->ncat; i++) {
        CatTable *ct = &st->cat[i];
        while (ct->n > 0 && ct->v[ct->n - 1]->seq > head) ct->n--;
    }
    if (st->cat_newest > head) __atomic_store_n(&st->cat_newest, head, __ATOMIC_RELEASE);
    __atomic_add_fetch(&st->cat_gen, 1, __ATOMIC_ACQ_REL);
    pthread_mutex_unlock(&st->cat_mu);
}

void cat_free(Store *st)
{
    for (int i = 0; i < st->ncat; i++) {
        dd_free(st->cat[i].v);
        dd_free(st->cat[i].stats);
    }
    dd_free(st->cat);
    st->cat = NULL;
    st->ncat = st->capcat = 0;
    arena_free(&st->cat_arena);
}

void store_catalog_version(Store *st, u64 *gen, u64 *newest)
{
    /* gen first: a version added between the two reads shows as a gen
     * that no longer matches */
    *gen = __atomic_load_n(&st->cat_gen, __ATOMIC_ACQUIRE);
    *newest = __atomic_load_n(&st->cat_newest, __ATOMIC_ACQUIRE);
}

const TableInfo *cat_version_locked(Store *st, u32 id, u64 seq)
{
    CatTable *ct = cat_find(st, id);
    if (!ct) return NULL;
    for (int i = ct->n - 1; i >= 0; i--)
        if (ct->v[i]->seq <= seq) return ct->v[i];
    return NULL;
}

const TableInfo *cat_by_name_locked(Store *st, const char *name, u64 seq, u64 *created_later, int space)
{
    u64 later = 0;
    const TableInfo *found = NULL;
    for (int i = 0; i < st->ncat && !found; i++) {
        CatTable *ct = &st->cat[i];
        const TableInfo *t = NULL;
        for (int j = ct->n - 1; j >= 0; j--)
            if (ct->v[j]->seq <= seq) {
                t = ct->v[j];
                break;
            }
        if ((t && cat_space(t) != space) || (!t && ct->n && cat_space(ct->v[0]) != space)) continue;
        if (t && !t->dropped && strcmp(t->name, name) == 0) {
            found = t;
        } else {
            /* Created after seq under this name (first version later)? */
            for (int j = 0; j < ct->n; j++) {
                const TableInfo *v = ct->v[j];
                if (v->seq > seq && !v->dropped && strcmp(v->name, name) == 0) {
                    /* created later, or renamed to this name later */
                    u64 cand = v->created_seq > seq ? v->created_seq : v->seq;
                    if (!later || cand < later) later = cand;
                    break;
                }
            }
        }
    }
    if (created_later) *created_later = found ? 0 : later;
    return found;
}

/* ---- public lookups ---- */

static int objects_at(Snap *s, u64 seq, int space, Arena *a, const TableInfo ***out, int *n, DdError *err);

int store_tables_at(Snap *s, u64 seq, Arena *a, const TableInfo ***out, int *n, DdError *err)
{
    return objects_at(s, seq, CAT_SPACE_REL, a, out, n, err);
}

int store_types_at(Snap *s, u64 seq, Arena *a, const TableInfo ***out, int *n, DdError *err)
{
    return objects_at(s, seq, CAT_SPACE_TYPE, a, out, n, err);
}

int store_schemas_at(Snap *s, u64 seq, Arena *a, const TableInfo ***out, int *n, DdError *err)
{
    return objects_at(s, seq, CAT_SPACE_SCHEMA, a, out, n, err);
}

const char *store_owner(Store *st) { return st->owner; }
const char *store_dir(Store *st) { return st->dir; }

/* The bootstrap superuser before any ALTER ROLE: all flags, no password. */
static TableInfo *bootstrap_role(Store *st, Arena *a)
{
    TableInfo *t = arena_zalloc(a, sizeof *t);
    UserType *u = t ? arena_zalloc(a, sizeof *u) : NULL;
    RoleInfo *r = u ? arena_zalloc(a, sizeof *r) : NULL;
    if (!r || !(t->name = arena_strdup(a, st->owner))) return NULL;
    t->id = ROLE_BOOTSTRAP_ID;
    t->utype = u;
    u->kind = 'r';
    u->role = r;
    r->flags = FMT_ROLE_ALL;
    r->connlimit = -1;
    return t;
}

int store_roles_at(Snap *s, u64 seq, Arena *a, const TableInfo ***out, int *n, DdError *err)
{
    const TableInfo **v;
    int k;
    int rc = objects_at(s, seq, CAT_SPACE_ROLE, a, &v, &k, err);
    if (rc) return rc;
    const TableInfo **arr = arena_alloc(a, sizeof *arr * (size_t)(k + 1));
    if (!arr) return dd_err(err, DD_ENOMEM, -1, NULL);
    int m = 1;
    arr[0] = NULL;
    for (int i = 0; i < k; i++) {
        if (v[i]->id == ROLE_BOOTSTRAP_ID) arr[0] = v[i];
        else arr[m++] = v[i];
    }
    if (!arr[0] && !(arr[0] = bootstrap_role(s->st, a))) return dd_err(err, DD_ENOMEM, -1, NULL);
    *out = arr;
    *n = m;
    return 0;
}

const TableInfo *store_role_by_name(Snap *s, const char *name, u64 seq, Arena *a)
{
    const TableInfo *t = store_object_by_name(s, name, seq, CAT_SPACE_ROLE);
    if (t) return t;
    if (seq > s->seq) seq = s->seq;
    pthread_mutex_lock(&s->st->cat_mu);
    bool altered = cat_version_locked(s->st, ROLE_BOOTSTRAP_ID, seq) != NULL;
    pthread_mutex_unlock(&s->st->cat_mu);
    if (altered || strcmp(name, s->st->owner) != 0) return NULL;
    return bootstrap_role(s->st, a);
}

static int objects_at(Snap *s, u64 seq, int space, Arena *a, const TableInfo ***out, int *n, DdError *err)
{
    Store *st = s->st;
    if (seq > s->seq) seq = s->seq;
    *out = NULL;
    *n = 0;
    pthread_mutex_lock(&st->cat_mu);
    const TableInfo **arr = arena_alloc(a, sizeof *arr * (size_t)(st->ncat ? st->ncat : 1));
    if (!arr) {
        pthread_mutex_unlock(&st->cat_mu);
        return dd_err(err, DD_ENOMEM, -1, NULL);
    }
    int k = 0;
    for (int i = 0; i < st->ncat; i++) {
        const TableInfo *t = cat_version_locked(st, st->cat[i].id, seq);
        if (t && !t->dropped && cat_space(t) == space) arr[k++] = t;
    }
    pthread_mutex_unlock(&st->cat_mu);
    *out = arr;
    *n = k;
    return 0;
}

const TableInfo *store_table_version(Snap *s, u32 id, u64 seq)
{
    if (seq > s->seq) seq = s->seq;
    pthread_mutex_lock(&s->st->cat_mu);
    const TableInfo *t = cat_version_locked(s->st, id, seq);
    pthread_mutex_unlock(&s->st->cat_mu);
    return t;
}

const TableInfo *store_table_by_name(Snap *s, const char *name, u64 seq, u64 *created_later)
{
    if (seq > s->seq) seq = s->seq;
    pthread_mutex_lock(&s->st->cat_mu);
    const TableInfo *t = cat_by_name_locked(s->st, name, seq, created_later, CAT_SPACE_REL);
    pthread_mutex_unlock(&s->st->cat_mu);
    /* A creation after the snapshot's head is not known to this snapshot. */
    if (created_later && *created_later > s->seq) *created_later = 0;
    return t;
}

int store_dropped_by_name(Snap *s, const char *name, u64 *seqs, int max)
{
    Store *st = s->st;
    int n = 0;
    pthread_mutex_lock(&st->cat_mu);
    for (int i = 0; i < st->ncat; i++) {
        CatTable *ct = &st->cat[i];
        int j = ct->n - 1;
        while (j >= 0 && ct->v[j]->seq > s->seq) j--;
        if (j < 1 || !ct->v[j]->dropped || cat_space(ct->v[j - 1]) != CAT_SPACE_REL ||
            strcmp(ct->v[j - 1]->name, name) != 0)
            continue;
        /* newest first: an insertion into the first max */
        u64 d = ct->v[j]->seq;
        int k = n < max ? n : max;
        while (k > 0 && seqs[k - 1] < d) {
            if (k < max) seqs[k] = seqs[k - 1];
            k--;
        }
        if (k < max) seqs[k] = d;
        n++;
    }
    pthread_mutex_unlock(&st->cat_mu);
    return n;
}

const TableInfo *store_object_by_name(Snap *s, const char *name, u64 seq, int space)
{
    if (seq > s->seq) seq = s->seq;
    pthread_mutex_lock(&s->st->cat_mu);
    const TableInfo *t = cat_by_name_locked(s->st, name, seq, NULL, space);
    pthread_mutex_unlock(&s->st->cat_mu);
    return t;
}

const TableInfo *store_type_by_name(Snap *s, const char *name, u64 seq)
{
    return store_object_by_name(s, name, seq, CAT_SPACE_TYPE);
}

const TableInfo *store_schema_by_name(Snap *s, const char *name, u64 seq)
{
    return store_object_by_name(s, name, seq, CAT_SPACE_SCHEMA);
}

const TableInfo *store_index_owner(Snap *s, u32 index, u64 seq, const IndexInfo **ix)
{
    Store *st = s->st;
    if (seq > s->seq) seq = s->seq;
    *ix = NULL;
    const TableInfo *found = NULL;
    pthread_mutex_lock(&st->cat_mu);
    for (int i = 0; i < st->ncat && !found; i++) {
        const TableInfo *t = cat_version_locked(st, st->cat[i].id, seq);
        if (!t || t->dropped) continue;
        for (int x = 0; x < t->nindexes; x++)
            if (t->indexes[x].id == index) {
                found = t;
                *ix = &t->indexes[x];
                break;
            }
    }
    pthread_mutex_unlock(&st->cat_mu);
    return found;
}

const TableInfo *store_object_latest(Store *st, u32 id)
{
    pthread_mutex_lock(&st->cat_mu);
    const TableInfo *t = cat_version_locked(st, id, UINT64_MAX);
    pthread_mutex_unlock(&st->cat_mu);
    return t;
}

void dd_err_relation(DdError *e, const TableInfo *t, const char *column, const char *constraint)
{
    char schema[64];
    const char *dot = strchr(t->name, '.');
    if (t->temp) snprintf(schema, sizeof schema, "pg_temp");
    else if (dot) snprintf(schema, sizeof schema, "%.*s", (int)(dot - t->name < 63 ? dot - t->name : 63), t->name);
    else snprintf(schema, sizeof schema, "public");
    dd_err_object(e, schema, name_base(t->name), column, NULL, constraint);
}

/* The entries of db whose keys start with the 4 bytes of id: their count
 * and bytes; with oldest, the smallest seq of their ~seq suffixes. */
static int prefix_bytes(Snap *s, int db, u32 id, i64 *count, i64 *bytes, u64 *oldest, DdError *err)
{
    StoreCursor *c;
    int rc = store_cursor_open(s, db, &c, err);
    if (rc) return rc;
    u8 prefix[4];
    put_u32be(prefix, id);
    for (int ok = store_cursor_seek(c, prefix, 4); ok; ok = store_cursor_next(c)) {
        const u8 *k, *v;
        size_t kn, vn;
        store_cursor_get(c, &k, &kn, &v, &vn);
        if (kn < 4 || memcmp(k, prefix, 4) != 0) break;
        (*count)++;
        *bytes += (i64)(kn + vn);
        if (oldest && kn >= 12) {
            u64 seq = UINT64_MAX - get_u64be(k + kn - 8);
            if (*oldest == 0 || seq < *oldest) *oldest = seq;
        }
    }
    store_cursor_close(c);
    return DD_OK;
}

int store_table_size(Snap *s, const TableInfo *t, StoreTableSize *out, DdError *err)
{
    memset(out, 0, sizeof(*out));
    int rc;
    if ((rc = prefix_bytes(s, STORE_DB_CURRENT, t->id, &out->live_rows, &out->live_bytes, NULL, err))) return rc;
    if ((rc = prefix_bytes(s, STORE_DB_VERSIONS, t->id, &out->versions, &out->version_bytes, &out->oldest_seq, err)))
        return rc;
    for (int i = 0; i < t->nindexes; i++) {
        i64 b = 0;
        if ((rc = store_index_bytes(s, &t->indexes[i], &b, err))) return rc;
        out->index_bytes += b;
    }
    return DD_OK;
}

int store_index_bytes(Snap *s, const IndexInfo *ix, i64 *bytes, DdError *err)
{
    i64 n = 0;
    *bytes = 0;
    int rc = prefix_bytes(s, STORE_DB_INDEX, ix->id, &n, bytes, NULL, err);
    if (!rc) rc = prefix_bytes(s, STORE_DB_INDEX, ix->id | FMT_INDEX_EVER, &n, bytes, NULL, err);
    return rc;
}
