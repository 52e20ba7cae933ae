/*
 * sequence.c - CREATE / ALTER / DROP SEQUENCE, the sequences SERIAL and
 * identity columns own, and a sequence read as a relation.
 *
 * A sequence is a catalog version (TableInfo with `sequence` set: its
 * options), created, altered and dropped in the transaction like a table.
 * Its value lives outside the log (store_seq_next): nextval, setval and
 * ALTER SEQUENCE RESTART change it at once, whatever the transaction
 * does, as in PostgreSQL.  A SERIAL or identity column owns a sequence
 * named table_column_seq; it goes when its table or column goes.  A
 * column DEFAULT that calls nextval('s') keeps s from being dropped
 * without CASCADE (which drops the DEFAULT).
 */
#include "plan_int.h"
#include "../types/rowcodec.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int read_only(SqlCtx *ctx, const char *what)
{
    return dd_err(ctx->err, DD_EREAD_ONLY_TXN, -1, "cannot execute %s in a read-only transaction", what);
}

static bool int_type_range(TypeId t, i64 *lo, i64 *hi)
{
    switch (t) {
    case TYPE_INT2: *lo = INT16_MIN; *hi = INT16_MAX; return true;
    case TYPE_INT4: *lo = INT32_MIN; *hi = INT32_MAX; return true;
    case TYPE_INT8: *lo = INT64_MIN; *hi = INT64_MAX; return true;
    default: return false;
    }
}

/*
 * The options o over old (ALTER; NULL for CREATE) into q, with
 * PostgreSQL's defaults and checks (22023).  type: the type an identity
 * column or SERIAL gives (TYPE_NULLTYPE: AS or bigint).
 */
static int seq_options(SqlCtx *ctx, const SeqOptions *o, const SeqInfo *old, TypeId type, SeqInfo *q)
{
    TypeId ty = type != TYPE_NULLTYPE ? type : old ? (TypeId)old->type : TYPE_INT8;
    if (o->as_type) {
        i64 lo, hi;
        if (!type_from_name(o->as_type, &ty))
            return dd_err(ctx->err, DD_EUNDEFINED_OBJECT, o->as_loc, "type \"%s\" does not exist", o->as_type);
        if (!int_type_range(ty, &lo, &hi))
            return dd_err(ctx->err, DD_EINVALID_PARAM, o->as_loc, "sequence type must be smallint, integer, or bigint");
    }
    i64 tmin = INT64_MIN, tmax = INT64_MAX;
    int_type_range(ty, &tmin, &tmax);
    bool retyped = old && old->type != ty;
    q->type = (u16)ty;
    q->inc = o->has_inc ? o->inc : old ? old->inc : 1;
    if (q->inc == 0) return dd_err(ctx->err, DD_EINVALID_PARAM, -1, "INCREMENT must not be zero");
    /* an old bound that was the old type's own limit follows the type */
    i64 omin = 0, omax = 0;
    if (old) int_type_range((TypeId)old->type, &omin, &omax);
    if (o->has_max && !o->no_max) q->max = o->max;
    else if (old && !o->no_max && !(retyped && old->max == omax)) q->max = old->max;
    else q->max = q->inc > 0 ? tmax : -1;
    if (o->has_min && !o->no_min) q->min = o->min;
    else if (old && !o->no_min && !(retyped && old->min == (old->inc > 0 ? 1 : omin))) q->min = old->min;
    else q->min = q->inc > 0 ? 1 : tmin;
    const char *tn = type_name(ty);
    if (q->max < tmin || q->max > tmax)
        return dd_err(ctx->err, DD_EINVALID_PARAM, -1, "MAXVALUE (%lld) is out of range for sequence data type %s",
                      (long long)q->max, tn);
    if (q->min < tmin || q->min > tmax)
        return dd_err(ctx->err, DD_EINVALID_PARAM, -1, "MINVALUE (%lld) is out of range for sequence data type %s",
                      (long long)q->min, tn);
    if (q->min >= q->max)
        return dd_err(ctx->err, DD_EINVALID_PARAM, -1, "MINVALUE (%lld) must be less than MAXVALUE (%lld)",
                      (long long)q->min, (long long)q->max);
    q->start = o->has_start ? o->start : old ? old->start : q->inc > 0 ? q->min : q->max;
    if (q->start < q->min)
        return dd_err(ctx->err, DD_EINVALID_PARAM, -1, "START value (%lld) cannot be less than MINVALUE (%lld)",
                      (long long)q->start, (long long)q->min);
    if (q->start > q->max)
        return dd_err(ctx->err, DD_EINVALID_PARAM, -1, "START value (%lld) cannot be greater than MAXVALUE (%lld)",
                      (long long)q->start, (long long)q->max);
    if (o->has_cache && o->cache < 1)
        return dd_err(ctx->err, DD_EINVALID_PARAM, -1, "CACHE (%lld) must be greater than zero", (long long)o->cache);
    q->cycle = o->has_cycle ? o->cycle : old ? old->cycle : false;
    q->owner_table = old ? old->owner_table : 0;
    q->owner_col = old ? old->owner_col : 0;
    return DD_OK;
}

/* OWNED BY t.c / NONE into q (the table in the present). */
static int seq_owner(SqlCtx *ctx, const SeqOptions *o, const char *seqname, bool temp, SeqInfo *q)
{
    if (!o->has_owned) return DD_OK;
    q->owner_table = q->owner_col = 0;
    if (!o->owned_table) return DD_OK;
    const TableInfo *t = resolve_table_present(ctx, o->owned_table);
    if (!t) return dd_err(ctx->err, DD_EUNDEFINED_TABLE, -1, "relation \"%s\" does not exist", o->owned_table);
    if (t->view_sql || t->sequence)
        return dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, -1, "sequence cannot be owned by relation \"%s\"", name_base(t->name));
    if (!temp && !t->temp && !same_schema(seqname, t->name))
        return dd_err(ctx->err, DD_EOBJECT_STATE, -1, "sequence must be in same schema as table it is linked to");
    for (int i = 0; i < t->ncols; i++)
        if (!t->cols[i].dropped && strcmp(t->cols[i].name, o->owned_col) == 0) {
            q->owner_table = t->id;
            q->owner_col = t->cols[i].id;
            return DD_OK;
        }
    return dd_err(ctx->err, DD_EUNDEFINED_COLUMN, -1, "column \"%s\" of relation \"%s\" does not exist", o->owned_col,
                  name_base(t->name));
}

static TableInfo *new_sequence(SqlCtx *ctx, const char *name, const SeqInfo *q)
{
    TableInfo *t = arena_zalloc(ctx->stmt, sizeof(TableInfo));
    if (!t) return NULL;
    t->name = arena_strdup(ctx->stmt, name);
    t->sequence = arena_memdup(ctx->stmt, q, sizeof(*q));
    if (!t->name || !t->sequence) return NULL;
    t->id = store_new_table_id(ctx->store);
    t->owner = acl_creator(ctx);
    t->next_col_id = 1;
    return t;
}

int analyze_create_sequence(SqlCtx *ctx, SeqStmt *s, Plan *p)
{
    if (ctx->read_only) return read_only(ctx, "CREATE SEQUENCE");
    p->kind = PLAN_CREATE_TABLE;
    p->tag = "CREATE SEQUENCE";
    int rc0 = relation_create_name(ctx, &s->name, s->name_loc, s->temp);
    if (!rc0 && !s->temp) rc0 = acl_check_schema_of(ctx, s->name, ACL_CREATE, -1);   /* CREATE on the schema */
    if (rc0) return rc0;
    const TableInfo *same = s->temp ? resolve_temp_present(ctx, s->name) : resolve_permanent_present(ctx, s->name);
    if (same || sql_index_name_taken(ctx, s->name) || !strcmp(s->name, "drift_commits")) {
        if (s->if_exists) {
            p->notice = arena_printf(ctx->stmt, "relation \"%s\" already exists, skipping", s->name);
            p->notice_state = "42P07";
            return DD_OK;
        }
        return dd_err(ctx->err, DD_EDUPLICATE_TABLE, -1, "relation \"%s\" already exists", s->name);
    }
    if (strlen(name_base(s->name)) > CAT_MAX_NAME)
        return dd_err(ctx->err, DD_ENAME_TOO_LONG, s->name_loc, "relation name \"%s\" is too long", s->name);
    SeqInfo q;
    int rc = seq_options(ctx, &s->opts, NULL, TYPE_NULLTYPE, &q);
    if (!rc) rc = seq_owner(ctx, &s->opts, s->name, s->temp, &q);
    if (rc) return rc;
    if (q.owner_table) {
        /* PostgreSQL's rule (the two would live in different schemas) */
        const TableInfo *o = ws_table(ctx->ws, q.owner_table);
        if ((o && o->temp) != s->temp)
            return dd_err(ctx->err, DD_EOBJECT_STATE, -1, "sequence must be in same schema as table it is linked to");
    }
    TableInfo *t = new_sequence(ctx, s->name, &q);
    if (!t) return DD_ENOMEM;
    t->temp = s->temp;
    t->on_commit = s->temp ? 'p' : 0;
    p->new_table = t;
    return DD_OK;
}

/* RESTART [WITH n] of options o for a sequence of options q: checked
 * against its bounds, the value p sets when the statement runs. */
static int plan_restart(SqlCtx *ctx, const SeqOptions *o, const SeqInfo *q, Plan *p)
{
    if (!o->has_restart) return DD_OK;
    i64 v = o->restart_with ? o->restart : q->start;
    if (v < q->min)
        return dd_err(ctx->err, DD_EINVALID_PARAM, -1, "RESTART value (%lld) cannot be less than MINVALUE (%lld)",
                      (long long)v, (long long)q->min);
    if (v > q->max)
        return dd_err(ctx->err, DD_EINVALID_PARAM, -1, "RESTART value (%lld) cannot be greater than MAXVALUE (%lld)",
                      (long long)v, (long long)q->max);
    p->seq_restart = true;
    p->restart_value = v;
    return DD_OK;
}

int analyze_alter_sequence(SqlCtx *ctx, SeqStmt *s, Plan *p)
{
    if (ctx->read_only) return read_only(ctx, "ALTER SEQUENCE");
    p->kind = PLAN_ALTER_TABLE;
    p->tag = "ALTER SEQUENCE";
    const TableInfo *t0 = resolve_table_present(ctx, s->name);
    if (!t0 || !t0->sequence) {
        if (!t0 && s->if_exists) {
            p->notice = arena_printf(ctx->stmt, "relation \"%s\" does not exist, skipping", s->name);
            p->notice_state = "00000";
            return DD_OK;
        }
        if (t0) return dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, -1, "\"%s\" is not a sequence", s->name);
        return dd_err(ctx->err, DD_EUNDEFINED_TABLE, s->name_loc, "relation \"%s\" does not exist", s->name);
    }
    SeqInfo q;
    int rc = seq_options(ctx, &s->opts, t0->sequence, TYPE_NULLTYPE, &q);
    if (!rc) rc = seq_owner(ctx, &s->opts, t0->name, t0->temp, &q);
    if (rc) return rc;
    if ((rc = plan_restart(ctx, &s->opts, &q, p))) return rc;
    TableInfo *t = table_copy(ctx->stmt, t0);
    if (!t) return DD_ENOMEM;
    *t->sequence = q;
    /* a version only when an option changed (RESTART alone changes the value) */
    const SeqInfo *o = t0->sequence;
    bool changed = q.start != o->start || q.inc != o->inc || q.min != o->min || q.max != o->max || q.cycle != o->cycle ||
                   q.type != o->type || q.owner_table != o->owner_table || q.owner_col != o->owner_col;
    p->new_table = changed ? t : NULL;
    p->seq_target = t;
    return DD_OK;
}

/* Whether default expression text d calls nextval on sequence `name`. */
static bool default_uses(const char *d, const char *name)
{
    /* the text as written: compare without blanks, case and a cast to regclass */
    char buf[4200];
    size_t n = 0;
    bool quoted = false;
    for (const char *c = d; *c && n + 1 < sizeof(buf); c++) {
        if (*c == '\'') quoted = !quoted;
        if (!quoted && isspace((unsigned char)*c)) continue;
        buf[n++] = quoted ? *c : (char)tolower((unsigned char)*c);
    }
    buf[n] = 0;
    char want[CAT_MAX_NAME + 32], want2[CAT_MAX_NAME + 40];
    snprintf(want, sizeof want, "nextval('%s'", name);
    snprintf(want2, sizeof want2, "nextval('public.%s'", name);
    return strstr(buf, want) || strstr(buf, want2);
}

int sequence_default_user(SqlCtx *ctx, const TableInfo *q, const char **table, const char **col)
{
    const TableInfo **all;
    int n, rc = present_tables(ctx, &all, &n);
    if (rc) return rc;
    *table = *col = NULL;
    for (int k = 0; k < n && !*table; k++)
        for (int c = 0; c < all[k]->ncols && !*table; c++) {
            const ColumnInfo *cl = &all[k]->cols[c];
            if (cl->dropped || !cl->default_sql || !default_uses(cl->default_sql, q->name)) continue;
            *table = all[k]->name;
            *col = cl->name;
        }
    return DD_OK;
}

int sequence_drop_defaults(SqlCtx *ctx, Plan *p)
{
    const TableInfo **all;
    int n, rc = present_tables(ctx, &all, &n);
    if (rc) return rc;
    for (int i = 0; i < p->ndrop; i++) {
        if (!p->drop[i]->sequence) continue;
        for (int k = 0; k < n; k++) {
            const TableInfo *t = all[k];
            bool gone = false;
            for (int j = 0; j < p->ndrop && !gone; j++) gone = p->drop[j]->id == t->id;
            for (int c = 0; !gone && c < t->ncols; c++) {
                const ColumnInfo *col = &t->cols[c];
                if (col->dropped || !col->default_sql || !default_uses(col->default_sql, p->drop[i]->name)) continue;
                TableInfo *nt = plan_alter_version(ctx, p, t);
                if (!nt) return DD_ENOMEM;
                nt->cols[c].default_sql = NULL;
                nt->cols[c].identity = 0;
            }
        }
    }
    return DD_OK;
}

int analyze_drop_sequence(SqlCtx *ctx, DropTableStmt *s, Plan *p)
{
    if (ctx->read_only) return read_only(ctx, "DROP SEQUENCE");
    p->kind = PLAN_ALTER_TABLE;
    p->tag = "DROP SEQUENCE";
    p->drop = arena_zalloc(ctx->stmt, sizeof(TableInfo *) * (size_t)(s->n + 1));
    if (!p->drop) return DD_ENOMEM;
    for (int i = 0; i < s->n; i++) {
        const TableInfo *q = resolve_table_present(ctx, s->names[i]);
        if (!q) {
            if (!s->if_exists)
                return dd_err(ctx->err, DD_EUNDEFINED_TABLE, -1, "sequence \"%s\" does not exist", s->names[i]);
            p->notice = arena_printf(ctx->stmt, "sequence \"%s\" does not exist, skipping", s->names[i]);
            p->notice_state = "00000";
            continue;
        }
        if (!q->sequence) {
            dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, -1, "\"%s\" is not a sequence", q->name);
            dd_err_hint(ctx->err, "Use DROP %s to remove a %s.", q->view_sql ? "VIEW" : "TABLE", q->view_sql ? "view" : "table");
            return DD_EWRONG_OBJECT_TYPE;
        }
        bool dup = false;
        for (int j = 0; j < p->ndrop && !dup; j++) dup = p->drop[j]->id == q->id;
        if (!dup) p->drop[p->ndrop++] = q;
    }
    /* column defaults that call nextval on them */
    const TableInfo **all;
    int n;
    int rc = present_tables(ctx, &all, &n);
    if (rc) return rc;
    p->alter = arena_zalloc(ctx->stmt, sizeof(TableInfo *) * (size_t)(n + 1));
    if (!p->alter) return DD_ENOMEM;
    for (int i = 0; i < p->ndrop; i++) {
        for (int k = 0; k < n; k++) {
            const TableInfo *t = all[k];
            for (int c = 0; c < t->ncols; c++) {
                const ColumnInfo *col = &t->cols[c];
                if (col->dropped || !col->default_sql || !default_uses(col->default_sql, p->drop[i]->name)) continue;
                if (!s->cascade) {
                    dd_err(ctx->err, DD_EDEPENDENT_OBJECTS, -1, "cannot drop sequence %s because other objects depend on it",
                           p->drop[i]->name);
                    dd_err_detail(ctx->err, "default value for column %s of table %s depends on sequence %s", col->name,
                                  t->name, p->drop[i]->name);
                    dd_err_hint(ctx->err, "Use DROP ... CASCADE to drop the dependent objects too.");
                    return DD_EDEPENDENT_OBJECTS;
                }
                TableInfo *nt = NULL;
                for (int a = 0; a < p->nalter && !nt; a++)
                    if (p->alter[a]->id == t->id) nt = p->alter[a];
                if (!nt && !(nt = p->alter[p->nalter++] = table_copy(ctx->stmt, t))) return DD_ENOMEM;
                nt->cols[c].default_sql = NULL;
                nt->cols[c].identity = 0;
                p->notice = arena_printf(ctx->stmt, "drop cascades to default value for column %s of table %s", col->name,
                                         t->name);
                p->notice_state = "00000";
            }
        }
    }
    return DD_OK;
}

int drop_owned_sequences(SqlCtx *ctx, Plan *p, u32 table, u32 col)
{
    const TableInfo **all;
    int n;
    int rc = present_tables(ctx, &all, &n);
    if (rc) return rc;
    for (int i = 0; i < n; i++) {
        const SeqInfo *q = all[i]->sequence;
        if (!q || q->owner_table != table || (col && q->owner_col != col)) continue;
        const TableInfo **nd = arena_alloc(ctx->stmt, sizeof(*nd) * (size_t)(p->ndrop + 1));
        if (!nd) return DD_ENOMEM;
        if (p->ndrop) memcpy(nd, p->drop, sizeof(*nd) * (size_t)p->ndrop);
        nd[p->ndrop++] = all[i];
        p->drop = nd;
    }
    return DD_OK;
}

int identity_retype(SqlCtx *ctx, Plan *p, u32 table, u32 col, TypeId ty)
{
    const TableInfo **all;
    int n;
    int rc = present_tables(ctx, &all, &n);
    if (rc) return rc;
    for (int i = 0; i < n; i++) {
        const SeqInfo *q = all[i]->sequence;
        if (!q || q->owner_table != table || q->owner_col != col || q->type == ty) continue;
        SeqOptions none;
        memset(&none, 0, sizeof(none));
        SeqInfo nq;
        if ((rc = seq_options(ctx, &none, q, ty, &nq))) return rc;
        TableInfo *s = plan_alter_version(ctx, p, all[i]);
        if (!s) return DD_ENOMEM;
        *s->sequence = nq;
    }
    return DD_OK;
}

/* table_column_seq as PostgreSQL names it: the longer part shortened
 * until the name fits, then a number added while the name is taken. */
static char *owned_name(SqlCtx *ctx, const char *tname, const char *col, TableInfo *const *made, int nmade)
{
    const char *table = name_base(tname);   /* the sequence goes in the table's schema */
    for (int k = 0; k < 1000; k++) {
        char label[16];
        snprintf(label, sizeof label, k ? "seq%d" : "seq", k);
        size_t lt = strlen(table), lc = strlen(col), ll = strlen(label);
        while (lt + lc + ll + 2 > CAT_MAX_NAME) {
            if (lt > lc) lt--;
            else lc--;
        }
        char *base = arena_printf(ctx->stmt, "%.*s_%.*s_%s", (int)lt, table, (int)lc, col, label);
        char *name = base ? name_sibling(ctx->stmt, tname, base) : NULL;
        if (!name) return NULL;
        bool taken = resolve_permanent_present(ctx, name) || resolve_temp_present(ctx, name) || sql_index_name_taken(ctx, name);
        for (int i = 0; i < nmade && !taken; i++) taken = strcmp(made[i]->name, name) == 0;
        if (!taken) return name;
    }
    return NULL;
}

int owned_sequence(SqlCtx *ctx, const TableInfo *t, ColumnInfo *c, const SeqOptions *o, TableInfo *const *made, int nmade,
                   TableInfo **out)
{
    SeqOptions none;
    memset(&none, 0, sizeof(none));
    SeqInfo q;
    int rc = seq_options(ctx, o ? o : &none, NULL, (TypeId)c->type, &q);
    if (rc) return rc;
    if (o && o->has_owned)
        return dd_err(ctx->err, DD_ESYNTAX, -1, "OWNED BY is not allowed for an identity column");
    q.owner_table = t->id;
    q.owner_col = c->id;
    char *name;
    if (o && o->seq_name) {
        /* SEQUENCE NAME s (pg_dump writes it): in the table's schema */
        name = o->seq_name;
        if ((rc = relation_create_name(ctx, &name, o->seq_name_loc, t->temp))) return rc;
        if (!same_schema(name, t->name))
            return dd_err(ctx->err, DD_EOBJECT_STATE, -1, "sequence must be in same schema as table it is linked to");
        bool taken = resolve_permanent_present(ctx, name) || resolve_temp_present(ctx, name) || sql_index_name_taken(ctx, name);
        for (int i = 0; i < nmade && !taken; i++) taken = strcmp(made[i]->name, name) == 0;
        if (taken) return dd_err(ctx->err, DD_EDUPLICATE_TABLE, -1, "relation \"%s\" already exists", name_base(name));
    } else if (!(name = owned_name(ctx, t->name, c->name, made, nmade))) {
        return dd_err(ctx->err, DD_EDUPLICATE_TABLE, -1, "could not choose a name for the sequence of column \"%s\"",
                      c->name);
    }
    *out = new_sequence(ctx, name, &q);
    if (!*out) return DD_ENOMEM;
    c->default_sql = arena_printf(ctx->stmt, "nextval('%s')", name);
    c->not_null = true;
    return c->default_sql ? DD_OK : DD_ENOMEM;
}

/* The sequence identity column col of table owns, or NULL. */
static const TableInfo *identity_sequence(SqlCtx *ctx, u32 table, u32 col)
{
    const TableInfo **all;
    int n;
    if (present_tables(ctx, &all, &n)) return NULL;
    for (int i = 0; i < n; i++) {
        const SeqInfo *q = all[i]->sequence;
        if (q && q->owner_table == table && q->owner_col == col) return all[i];
    }
    return NULL;
}

int alter_identity(SqlCtx *ctx, TableInfo *t, const AlterCmd *c, Plan *p, bool *skipped)
{
    *skipped = false;
    int ci = -1;
    for (int i = 0; i < t->ncols; i++)
        if (!t->cols[i].dropped && !t->cols[i].pending && strcmp(t->cols[i].name, c->name) == 0) ci = i;
    if (ci < 0 || strcmp(c->name, ROWID_COL) == 0 || strncmp(c->name, "system_", 7) == 0)
        return dd_err(ctx->err, DD_EUNDEFINED_COLUMN, -1, "column \"%s\" of relation \"%s\" does not exist", c->name,
                      name_base(t->name));
    ColumnInfo *col = &t->cols[ci];
    const char *tn = name_base(t->name);
    int rc;
    if (c->ident == 'a') {
        /* ADD GENERATED ... AS IDENTITY: a new sequence, from its start
         * (pg_dump sets its value after) */
        TypeId ty = (TypeId)col->type;
        if (ty != TYPE_INT2 && ty != TYPE_INT4 && ty != TYPE_INT8)
            return dd_err(ctx->err, DD_EINVALID_PARAM, -1, "identity column type must be smallint, integer, or bigint");
        if (!col->not_null)
            return dd_err(ctx->err, DD_EOBJECT_STATE, -1,
                          "column \"%s\" of relation \"%s\" must be declared NOT NULL before identity can be added",
                          c->name, tn);
        if (col->identity)
            return dd_err(ctx->err, DD_EOBJECT_STATE, -1, "column \"%s\" of relation \"%s\" is already an identity column",
                          c->name, tn);
        if (col->default_sql || col->gen_sql)
            return dd_err(ctx->err, DD_EOBJECT_STATE, -1, "column \"%s\" of relation \"%s\" already has a default value",
                          c->name, tn);
        TableInfo *s;
        if ((rc = owned_sequence(ctx, t, col, &c->idopts, p->alter, p->nalter, &s))) return rc;
        TableInfo **na = arena_alloc(ctx->stmt, sizeof(TableInfo *) * (size_t)(p->nalter + 1));
        if (!na) return DD_ENOMEM;
        if (p->nalter) memcpy(na, p->alter, sizeof(TableInfo *) * (size_t)p->nalter);
        na[p->nalter++] = s;
        p->alter = na;
        col->identity = c->generated;
        return DD_OK;
    }
    if (!col->identity) {
        if (c->ident == 'x' && c->if_exists) {
            p->notice = arena_printf(ctx->stmt, "column \"%s\" of relation \"%s\" is not an identity column, skipping",
                                     c->name, tn);
            p->notice_state = "00000";
            *skipped = true;
            return DD_OK;
        }
        return dd_err(ctx->err, DD_EOBJECT_STATE, -1, "column \"%s\" of relation \"%s\" is not an identity column", c->name, tn);
    }
    if (c->ident == 'x') {
        /* DROP IDENTITY: no default, and its sequence goes */
        col->identity = 0;
        col->default_sql = NULL;
        return drop_owned_sequences(ctx, p, t->id, col->id);
    }
    /* SET GENERATED / SET option / RESTART */
    if (c->generated) col->identity = c->generated;
    const SeqOptions *o = &c->idopts;
    if (!(o->has_inc || o->has_min || o->has_max || o->has_start || o->has_cache || o->has_cycle || o->has_restart))
        return DD_OK;
    const TableInfo *s0 = identity_sequence(ctx, t->id, col->id);
    if (!s0) return dd_err(ctx->err, DD_EINTERNAL, -1, "identity column \"%s\" has no sequence", c->name);
    SeqInfo q;
    if ((rc = seq_options(ctx, o, s0->sequence, TYPE_NULLTYPE, &q))) return rc;
    if ((rc = plan_restart(ctx, o, &q, p))) return rc;
    TableInfo *s = plan_alter_version(ctx, p, s0);
    if (!s) return DD_ENOMEM;
    *s->sequence = q;
    p->seq_target = s;
    return DD_OK;
}

/* SELECT * FROM a sequence: one row, last_value, log_cnt, is_called. */
static const char *const seq_col_names[3] = {"last_value", "log_cnt", "is_called"};
static const TypeId seq_col_types[3] = {TYPE_INT8, TYPE_INT8, TYPE_BOOL};

int from_sequence(SqlCtx *ctx, TableRef *tr, const TableInfo *t, FromItem *fi)
{
    if (tr->temporal.kind != TEMPORAL_NONE)
        return dd_err(ctx->err, DD_EFEATURE, tr->temporal.loc,
                      "a sequence has no history: FOR SYSTEM_TIME does not apply to \"%s\"", t->name);
    i64 last, ahead;
    bool called;
    int rc = DD_OK;
    if (t->temp) {
        /* a temporary sequence's value is the session's (ws_temp_seq) */
        SeqRestart *r = ctx->ws ? ws_temp_seq(ctx->ws, t) : NULL;
        if (!r) return DD_ENOMEM;
        last = r->last;
        called = r->called;
        ahead = 0;
    } else if ((rc = store_seq_state(ctx->store, t, &last, &called, &ahead, ctx->err))) {
        return rc;
    }
    Value *row = arena_alloc(ctx->stmt, sizeof(Value) * 3);
    ScopeRel *rel = arena_zalloc(ctx->stmt, sizeof(ScopeRel));
    if (!row || !rel) return DD_ENOMEM;
    row[0] = val_int(TYPE_INT8, last);
    row[1] = val_int(TYPE_INT8, ahead);
    row[2] = val_bool(called);
    rel->alias = tr->alias ? tr->alias : t->name;
    rel->ncols = 3;
    rel->names = arena_alloc(ctx->stmt, sizeof(char *) * 3);
    rel->types = arena_alloc(ctx->stmt, sizeof(TypeId) * 3);
    rel->typmods = arena_alloc(ctx->stmt, sizeof(i32) * 3);
    rel->hidden = arena_zalloc(ctx->stmt, sizeof(bool) * 3);
    rel->used = arena_zalloc(ctx->stmt, sizeof(bool) * 3);
    if (!rel->names || !rel->types || !rel->typmods || !rel->hidden || !rel->used) return DD_ENOMEM;
    for (int c = 0; c < 3; c++) {
        rel->names[c] = c < tr->ncol_aliases ? tr->col_aliases[c] : seq_col_names[c];
        rel->types[c] = seq_col_types[c];
        rel->typmods[c] = -1;
    }
    memset(fi, 0, sizeof(*fi));
    fi->rels = rel;
    fi->nrels = 1;
    fi->width = 3;
    fi->op = op_rows(ctx, 3, row, 1);
    return fi->op ? DD_OK : DD_ENOMEM;
}
