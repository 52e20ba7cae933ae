/*
 * usertype.c - CREATE TYPE ... AS ENUM, ALTER TYPE (ADD VALUE, RENAME
 * VALUE, RENAME TO), CREATE / ALTER DOMAIN, DROP TYPE and DROP DOMAIN.
 *
 * A type is a catalog object (TableInfo with `utype` set), versioned and
 * committed with the transaction like a table, in a namespace of its own
 * (store.h).  An enum's labels carry keys that order as the labels do and
 * never change once given: the first labels get 0, 2^32, 2*2^32, ...; a
 * label added at the end gets the last key + 2^32, one added BEFORE or
 * AFTER another the key halfway between its neighbours.  Rows and index
 * keys store the key, so adding or renaming a label rewrites no row.
 * After 32 additions at one place the gap is used up: 0A000 (PostgreSQL
 * renumbers instead, which stored keys cannot follow).
 *
 * A domain keeps its base type, NOT NULL, DEFAULT and CHECK constraints
 * (SQL text over VALUE); its columns have the base type and the domain's
 * id (ColumnInfo.domain), and analyze/domain.c checks the constraints.
 * ALTER DOMAIN SET NOT NULL and ADD CONSTRAINT check the rows there are,
 * in every column of the domain or of a domain over it.
 */
#include "plan_int.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ENUM_KEY_STEP ((i64)1 << 32)
#define ENUM_MAX_LABEL 63   /* NAMEDATALEN - 1 */
#define ENUM_MAX_LABELS 100000   /* a catalog record's counts stop there (store/catalog.c) */
#define DOMAIN_MAX_TEXT (1 << 20)   /* a DEFAULT's or CHECK's text (FMT_CAT_MAX_VIEW_SQL) */

static int read_only(SqlCtx *ctx, const char *what)
{
    return dd_err(ctx->err, DD_EREAD_ONLY_TXN, -1, "cannot execute %s in a read-only transaction", what);
}

static int check_label(SqlCtx *ctx, const char *l, int loc)
{
    if (strlen(l) <= ENUM_MAX_LABEL) return DD_OK;
    dd_err(ctx->err, DD_EINVALID_NAME, loc, "invalid enum label \"%s\"", l);
    dd_err_detail(ctx->err, "Labels must be %d bytes or less.", ENUM_MAX_LABEL);
    return DD_EINVALID_NAME;
}

static int find_label(const UserType *u, const char *l)
{
    for (int i = 0; i < u->nlabels; i++)
        if (strcmp(u->labels[i].label, l) == 0) return i;
    return -1;
}

/* Whether name is a built-in type's (int4, text, ...: 42710 for CREATE). */
static bool builtin_type(const char *name)
{
    TypeId t;
    return type_from_name(name, &t);
}

static int cmp_label(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The catalog name a new type gets (sql_create_name), 42710 when taken. */
static int type_create_name(SqlCtx *ctx, TypeStmt *s, char **name)
{
    int rc = sql_create_name(ctx, s->names[0], s->locs[0], name);
    if (!rc) rc = acl_check_schema_of(ctx, *name, ACL_CREATE, -1);   /* CREATE on the schema */
    if (rc) return rc;
    if (resolve_type_exact(ctx, *name) || (!strchr(s->names[0], '.') && builtin_type(s->names[0])))
        return dd_err(ctx->err, DD_EDUPLICATE_OBJECT, s->locs[0], "type \"%s\" already exists", s->names[0]);
    return DD_OK;
}

static int create_enum(SqlCtx *ctx, TypeStmt *s, Plan *p)
{
    char *name;
    p->kind = PLAN_CREATE_TABLE;
    int rc0 = type_create_name(ctx, s, &name);
    if (rc0) return rc0;
    if (strlen(name_base(name)) > CAT_MAX_NAME)
        return dd_err(ctx->err, DD_ENAME_TOO_LONG, s->locs[0], "type name \"%s\" is too long", name);
    TableInfo *t = arena_zalloc(ctx->stmt, sizeof(TableInfo));
    UserType *u = arena_zalloc(ctx->stmt, sizeof(UserType));
    EnumLabel *ls = arena_zalloc(ctx->stmt, sizeof(EnumLabel) * (size_t)(s->nlabels + 1));
    if (!t || !u || !ls || !(t->name = arena_strdup(ctx->stmt, name))) return DD_ENOMEM;
    if (s->nlabels > ENUM_MAX_LABELS)
        return dd_err(ctx->err, DD_EPROGRAM_LIMIT, s->locs[0], "an enum type has at most %d labels", ENUM_MAX_LABELS);
    for (int i = 0; i < s->nlabels; i++) {
        int rc = check_label(ctx, s->labels[i], s->label_locs[i]);
        if (rc) return rc;
        ls[i].key = (i64)i * ENUM_KEY_STEP;
        ls[i].label = s->labels[i];
    }
    /* a label given twice: the labels sorted, neighbours compared */
    const char **sorted = arena_alloc(ctx->stmt, sizeof(char *) * (size_t)(s->nlabels + 1));
    if (!sorted) return DD_ENOMEM;
    for (int i = 0; i < s->nlabels; i++) sorted[i] = s->labels[i];
    qsort(sorted, (size_t)s->nlabels, sizeof(char *), cmp_label);
    for (int i = 1; i < s->nlabels; i++)
        if (strcmp(sorted[i - 1], sorted[i]) == 0)
            return dd_err(ctx->err, DD_EDUPLICATE_OBJECT, s->locs[0], "enum label \"%s\" already exists", sorted[i]);
    u->kind = 'e';
    u->labels = ls;
    u->nlabels = s->nlabels;
    t->utype = u;
    t->id = store_new_table_id(ctx->store);
    t->owner = acl_creator(ctx);
    t->next_col_id = 1;
    p->new_table = t;
    return DD_OK;
}

/* Whether SQL text names `name` as a word (outside string literals; a
 * quoted identifier counts too).  Conservative: a column of that name
 * counts as well. */
static bool text_names(const char *sql, const char *name)
{
    size_t n = strlen(name);
    bool in_str = false;
    for (const char *c = sql; c && *c; c++) {
        if (*c == '\'') { in_str = !in_str; continue; }
        if (in_str) continue;
        bool start = c == sql || !(isalnum((unsigned char)c[-1]) || c[-1] == '_');
        if (start && strncasecmp(c, name, n) == 0 && !(isalnum((unsigned char)c[n]) || c[n] == '_' || c[n] == '$'))
            return true;
    }
    return false;
}

/* The first relation or type whose SQL text kept in the catalog (a
 * DEFAULT, a CHECK, an index expression, a view's query, a domain's
 * DEFAULT or CHECK) names type t: its name, and *kind "table", "view" or
 * "type"; NULL when none. */
static const char *text_user(SqlCtx *ctx, const TableInfo *t0, const char **kind, int *rc)
{
    /* texts may name the type unqualified: its name without its schema */
    TableInfo tb = *t0;
    const TableInfo *t = &tb;
    tb.name = (char *)name_base(t0->name);
    const TableInfo **all, **types;
    int nt, ny;
    *rc = present_tables(ctx, &all, &nt);
    if (!*rc) *rc = present_types(ctx, &types, &ny);
    if (*rc) return NULL;
    for (int i = 0; i < nt; i++) {
        const TableInfo *r = all[i];
        bool by = r->view_sql && text_names(r->view_sql, t->name);
        for (int c = 0; c < r->ncols && !by; c++)
            by = !r->cols[c].dropped && r->cols[c].default_sql && text_names(r->cols[c].default_sql, t->name);
        for (int c = 0; c < r->nchecks && !by; c++) by = text_names(r->checks[c].expr_sql, t->name);
        for (int x = 0; x < r->nindexes && !by; x++) {
            by = r->indexes[x].pred_sql && text_names(r->indexes[x].pred_sql, t->name);
            for (int k = 0; r->indexes[x].exprs && k < r->indexes[x].ncols && !by; k++)
                by = r->indexes[x].exprs[k] && text_names(r->indexes[x].exprs[k], t->name);
        }
        if (by) {
            *kind = r->view_sql ? "view" : "table";
            return r->name;
        }
    }
    for (int i = 0; i < ny; i++) {
        const UserType *d = types[i]->utype;
        bool by = types[i]->id != t->id && d->default_sql && text_names(d->default_sql, t->name);
        for (int c = 0; c < d->nchecks && !by && types[i]->id != t->id; c++) by = text_names(d->checks[c].expr_sql, t->name);
        if (by) {
            *kind = "type";
            return types[i]->name;
        }
    }
    return NULL;
}

/* ALTER TYPE / DOMAIN t RENAME: 0A000 while SQL text kept in the catalog
 * names t, which would not follow the rename. */
static int rename_users(SqlCtx *ctx, const TableInfo *t)
{
    const char *kind;
    int rc;
    const char *by = text_user(ctx, t, &kind, &rc);
    if (rc || !by) return rc;
    return dd_err(ctx->err, DD_EFEATURE, -1,
                  "renaming type %s while %s \"%s\" names it in an expression is not supported (drop that, rename, "
                  "create it again)", t->name, kind, by);
}

/* Whether a column or a domain of base domain `dom` (0: none) and type
 * ty / typmod depends on type object u directly: u's domain, or u's enum
 * outside a domain. */
static bool depends_on(const TableInfo *u, u32 dom, u16 ty, i32 typmod)
{
    if (u->utype->kind == 'd') return (dom & ~DOMAIN_ARRAY) == u->id;   /* d or d[] */
    return !dom && type_has_etype((TypeId)ty) && typmod == (i32)u->id;   /* mood or mood[] */
}

/* What depends on type object u (columns of tables and views, domains over
 * it): *what the DETAIL lines ("column m of table t depends on type mood"),
 * *n their count. */
static int type_users(SqlCtx *ctx, const TableInfo *u, const char **what, int *n)
{
    const TableInfo **all, **types;
    int nt, ny;
    int rc = present_tables(ctx, &all, &nt);
    if (!rc) rc = present_types(ctx, &types, &ny);
    if (rc) return rc;
    Buf b = BUF_INIT;
    *n = 0;
    for (int i = 0; i < ny; i++) {
        const UserType *d = types[i]->utype;
        if (d->kind != 'd' || types[i]->id == u->id || !depends_on(u, d->base_domain, d->base_type, d->base_typmod))
            continue;
        buf_printf(&b, "%stype %s depends on type %s%s", (*n)++ ? "\n" : "", types[i]->name, u->name,
                   u->utype->kind == 'e' && type_is_array((TypeId)d->base_type) ? "[]" : "");
    }
    for (int i = 0; i < nt; i++)
        for (int c = 0; c < all[i]->ncols; c++) {
            const ColumnInfo *col = &all[i]->cols[c];
            if (col->dropped || !depends_on(u, col->domain, col->type, col->typmod)) continue;
            /* a column of the type's array depends on the array type (mood[]) */
            bool arr = u->utype->kind == 'd' ? (col->domain & DOMAIN_ARRAY) != 0 : type_is_array((TypeId)col->type);
            buf_printf(&b, "%scolumn %s of %s %s depends on type %s%s", (*n)++ ? "\n" : "", col->name,
                       all[i]->view_sql ? "view" : "table", all[i]->name, u->name, arr ? "[]" : "");
        }
    /* an expression kept as text (PostgreSQL records these dependencies too) */
    const char *kind, *by = text_user(ctx, u, &kind, &rc);
    if (rc) {
        buf_free(&b);
        return rc;
    }
    if (by) buf_printf(&b, "%s%s %s depends on type %s", (*n)++ ? "\n" : "", kind, by, u->name);
    *what = *n && buf_ok(&b) ? arena_strndup(ctx->stmt, (const char *)b.data, b.len) : NULL;
    bool oom = *n && !*what;
    buf_free(&b);
    return oom ? DD_ENOMEM : DD_OK;
}

static int drop_types(SqlCtx *ctx, TypeStmt *s, Plan *p)
{
    p->kind = PLAN_ALTER_TABLE;
    p->drop = arena_zalloc(ctx->stmt, sizeof(TableInfo *) * (size_t)(s->n + 1));
    if (!p->drop) return DD_ENOMEM;
    for (int i = 0; i < s->n; i++) {
        const TableInfo *t = resolve_type_present(ctx, s->names[i]);
        if (t && s->domain && t->utype->kind != 'd')
            return dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, s->locs[i], "\"%s\" is not a domain", t->name);
        if (!t) {
            if (builtin_type(s->names[i]))
                return dd_err(ctx->err, DD_EDEPENDENT_OBJECTS, s->locs[i],
                              "cannot drop type %s because it is required by the database system", s->names[i]);
            if (!s->if_exists)
                return dd_err(ctx->err, DD_EUNDEFINED_OBJECT, s->locs[i], "type \"%s\" does not exist", s->names[i]);
            p->notice = arena_printf(ctx->stmt, "type \"%s\" does not exist, skipping", s->names[i]);
            p->notice_state = "00000";
            continue;
        }
        const char *what;
        int n, rc = type_users(ctx, t, &what, &n);
        if (rc) return rc;
        if (n && !s->cascade) {
            dd_err(ctx->err, DD_EDEPENDENT_OBJECTS, -1, "cannot drop type %s because other objects depend on it", t->name);
            dd_err_detail(ctx->err, "%s", what);
            dd_err_hint(ctx->err, "Use DROP ... CASCADE to drop the dependent objects too.");
            return DD_EDEPENDENT_OBJECTS;
        }
        if (n)
            return dd_err(ctx->err, DD_EFEATURE, -1,
                          "DROP %s ... CASCADE of a type that columns or domains use is not supported yet (drop them first)",
                          s->domain ? "DOMAIN" : "TYPE");
        bool dup = false;
        for (int j = 0; j < p->ndrop && !dup; j++) dup = p->drop[j]->id == t->id;
        if (!dup) p->drop[p->ndrop++] = t;
    }
    return DD_OK;
}

/* ALTER TYPE ... ADD VALUE: the new label's key between its neighbours. */
static int add_value(SqlCtx *ctx, TypeStmt *s, const TableInfo *t0, Plan *p)
{
    const UserType *u0 = t0->utype;
    const char *l = s->labels[0];
    int rc = check_label(ctx, l, s->label_locs[0]);
    if (rc) return rc;
    if (find_label(u0, l) >= 0) {
        if (!s->if_exists)
            return dd_err(ctx->err, DD_EDUPLICATE_OBJECT, s->label_locs[0], "enum label \"%s\" already exists", l);
        p->notice = arena_printf(ctx->stmt, "enum label \"%s\" already exists, skipping", l);
        p->notice_state = "42710";
        return DD_OK;
    }
    if (u0->nlabels >= ENUM_MAX_LABELS)
        return dd_err(ctx->err, DD_EPROGRAM_LIMIT, s->label_locs[0], "an enum type has at most %d labels", ENUM_MAX_LABELS);
    int pos = u0->nlabels;   /* the new label goes before index pos */
    if (s->anchor) {
        int a = find_label(u0, s->anchor);
        if (a < 0)
            return dd_err(ctx->err, DD_EINVALID_PARAM, s->anchor_loc, "\"%s\" is not an existing enum label",
                          s->anchor);
        pos = s->before ? a : a + 1;
    }
    i64 key;
    if (u0->nlabels == 0) key = 0;
    else if (pos == u0->nlabels) key = u0->labels[pos - 1].key + ENUM_KEY_STEP;
    else if (pos == 0) key = u0->labels[0].key - ENUM_KEY_STEP;
    else {
        i64 lo = u0->labels[pos - 1].key, hi = u0->labels[pos].key;
        if (hi - lo < 2)
            return dd_err(ctx->err, DD_EFEATURE, s->label_locs[0],
                          "cannot add enum label \"%s\": too many labels were added between \"%s\" and \"%s\"", l,
                          u0->labels[pos - 1].label, u0->labels[pos].label);
        key = lo + (hi - lo) / 2;
    }
    TableInfo *t = table_copy(ctx->stmt, t0);
    EnumLabel *ls = arena_alloc(ctx->stmt, sizeof(EnumLabel) * (size_t)(u0->nlabels + 1));
    if (!t || !ls) return DD_ENOMEM;
    for (int i = 0, k = 0; i <= u0->nlabels; i++) {
        if (i == pos) {
            ls[i].key = key;
            if (!(ls[i].label = arena_strdup(ctx->stmt, l))) return DD_ENOMEM;
        } else {
            ls[i] = t->utype->labels[k++];
        }
    }
    t->utype->labels = ls;
    t->utype->nlabels = u0->nlabels + 1;
    p->new_table = t;
    return DD_OK;
}

static int rename_value(SqlCtx *ctx, TypeStmt *s, const TableInfo *t0, Plan *p)
{
    int i = find_label(t0->utype, s->labels[0]);
    if (i < 0)
        return dd_err(ctx->err, DD_EINVALID_PARAM, s->label_locs[0], "\"%s\" is not an existing enum label",
                      s->labels[0]);
    if (find_label(t0->utype, s->labels[1]) >= 0)
        return dd_err(ctx->err, DD_EDUPLICATE_OBJECT, s->label_locs[1], "enum label \"%s\" already exists",
                      s->labels[1]);
    int rc = check_label(ctx, s->labels[1], s->label_locs[1]);
    if (rc) return rc;
    TableInfo *t = table_copy(ctx->stmt, t0);
    if (!t || !(t->utype->labels[i].label = arena_strdup(ctx->stmt, s->labels[1]))) return DD_ENOMEM;
    p->new_table = t;
    return DD_OK;
}

/* The text of DEFAULT e (as written), checked by compiling it to the
 * domain's base type. */
static int domain_default_text(SqlCtx *ctx, TypeStmt *s, TypeId base, i32 typmod, char **out)
{
    CompileCtx cc;
    memset(&cc, 0, sizeof(cc));
    cc.sql = ctx;
    cc.agg_forbidden = "DEFAULT expressions";
    ExprProg *pr;
    int rc = expr_compile_as(&cc, s->default_, base, typmod, &pr);
    if (rc == DD_EUNDEFINED_COLUMN || rc == DD_EUNDEFINED_TABLE)
        return dd_err(ctx->err, DD_EFEATURE, s->default_->loc, "cannot use column reference in DEFAULT expression");
    if (rc) return rc;
    int len = s->default_end - s->default_->loc;
    if (len <= 0 || !ctx->sql) return dd_err(ctx->err, DD_EINTERNAL, s->default_->loc, "DEFAULT without text");
    if (len > DOMAIN_MAX_TEXT)
        return dd_err(ctx->err, DD_EPROGRAM_LIMIT, s->default_->loc, "DEFAULT expression is too long (%d bytes)", len);
    *out = arena_strndup(ctx->stmt, ctx->sql + s->default_->loc, (size_t)len);
    return *out ? DD_OK : DD_ENOMEM;
}

static bool check_named(const UserType *u, const char *name)
{
    for (int i = 0; i < u->nchecks; i++)
        if (strcmp(u->checks[i].name, name) == 0) return true;
    return false;
}

/* Adds CHECK constraint c to domain t (a version being made; u its
 * UserType): its expression compiled over VALUE (*prog), its name given or
 * chosen as PostgreSQL does (d_check, d_check1, ...). */
static int domain_add_check(SqlCtx *ctx, TableInfo *t, UserType *u, const Constraint *c, ExprProg **prog)
{
    if (c->check_end - c->check_start > DOMAIN_MAX_TEXT)
        return dd_err(ctx->err, DD_EPROGRAM_LIMIT, c->loc, "CHECK expression is too long (%d bytes)",
                      c->check_end - c->check_start);
    if (u->nchecks >= ENUM_MAX_LABELS)
        return dd_err(ctx->err, DD_EPROGRAM_LIMIT, c->loc, "a domain has at most %d CHECK constraints", ENUM_MAX_LABELS);
    int rc = domain_compile_check(ctx, (TypeId)u->base_type, u->base_typmod, c->check, prog);
    if (rc) return rc;
    char *name = c->name;
    if (name && check_named(u, name))
        return dd_err(ctx->err, DD_EDUPLICATE_OBJECT, c->loc, "constraint \"%s\" for domain \"%s\" already exists", name,
                      t->name);
    for (int k = 0; !name; k++) {
        char *cand = k ? arena_printf(ctx->stmt, "%s_check%d", name_base(t->name), k) : arena_printf(ctx->stmt, "%s_check", name_base(t->name));
        if (!cand) return DD_ENOMEM;
        if (!check_named(u, cand)) name = cand;
    }
    CheckInfo *nc = arena_alloc(ctx->stmt, sizeof(CheckInfo) * (size_t)(u->nchecks + 1));
    char *text = arena_strndup(ctx->stmt, ctx->sql + c->check_start, (size_t)(c->check_end - c->check_start));
    if (!nc || !text) return DD_ENOMEM;
    if (u->nchecks) memcpy(nc, u->checks, sizeof(CheckInfo) * (size_t)u->nchecks);
    nc[u->nchecks].name = name;
    nc[u->nchecks].expr_sql = text;
    u->checks = nc;
    u->nchecks++;
    return DD_OK;
}

static int create_domain(SqlCtx *ctx, TypeStmt *s, Plan *p)
{
    char *name;
    p->kind = PLAN_CREATE_TABLE;
    int rc0 = type_create_name(ctx, s, &name);
    if (rc0) return rc0;
    if (strlen(name_base(name)) > CAT_MAX_NAME)
        return dd_err(ctx->err, DD_ENAME_TOO_LONG, s->locs[0], "type name \"%s\" is too long", name);
    TypeId bt;
    i32 btm;
    u32 bdom;
    int rc = sql_type_from_name(ctx, &s->base, &bt, &btm, &bdom);
    if (rc) return rc;
    if (bdom & DOMAIN_ARRAY)
        return dd_err(ctx->err, DD_EFEATURE, s->base.loc, "a domain over an array of a domain (%s) is not supported",
                      s->base.name);
    TableInfo *t = arena_zalloc(ctx->stmt, sizeof(TableInfo));
    UserType *u = arena_zalloc(ctx->stmt, sizeof(UserType));
    if (!t || !u || !(t->name = arena_strdup(ctx->stmt, name))) return DD_ENOMEM;
    u->kind = 'd';
    u->base_type = (u16)bt;
    u->base_typmod = btm;
    u->base_domain = bdom;
    u->not_null = s->not_null == 1;
    if (s->default_ && (rc = domain_default_text(ctx, s, bt, btm, &u->default_sql))) return rc;
    for (int i = 0; i < s->nchecks; i++) {
        ExprProg *pr;
        if ((rc = domain_add_check(ctx, t, u, s->checks[i], &pr))) return rc;
    }
    t->utype = u;
    t->id = store_new_table_id(ctx->store);
    t->owner = acl_creator(ctx);
    t->next_col_id = 1;
    p->new_table = t;
    return DD_OK;
}

/* Whether column domain `dom` is domain id or a domain over it. */
static bool domain_within(SqlCtx *ctx, u32 dom, u32 id)
{
    for (int depth = 0; dom && depth < 64; depth++) {
        if (dom == id) return true;
        const TableInfo *d = domain_lookup(ctx, dom);
        dom = d ? d->utype->base_domain : 0;
    }
    return false;
}

/* ALTER DOMAIN SET NOT NULL (pr NULL) or ADD CONSTRAINT (pr the new CHECK):
 * every row of every column of domain `id` (or of a domain over it) must
 * pass: 23502 / 23514 naming the first column that does not. */
static int domain_check_rows(SqlCtx *ctx, u32 id, ExprProg *pr)
{
    const TableInfo **all;
    int nt;
    int rc = present_tables(ctx, &all, &nt);
    EvalEnv env = {ctx, NULL, 0, NULL};
    for (int i = 0; !rc && i < nt; i++) {
        const TableInfo *t = all[i];
        if (t->view_sql || t->sequence) continue;
        for (int c = 0; !rc && c < t->ncols; c++) {
            const ColumnInfo *col = &t->cols[c];
            if (col->dropped || !domain_within(ctx, col->domain & ~DOMAIN_ARRAY, id)) continue;
            if (col->domain & DOMAIN_ARRAY) {
                /* PostgreSQL checks no array of the domain: a column of one
                 * stops the ALTER (its find_composite_type_dependencies) */
                const TableInfo *d = domain_lookup(ctx, id);
                return dd_err(ctx->err, DD_EFEATURE, -1, "cannot alter type \"%s\" because column \"%s.%s\" uses it",
                              d ? name_base(d->name) : "?", name_base(t->name), col->name);
            }
            Op *scan = op_scan(ctx, t, TMODE_PRESENT, 0, 0, NULL);
            if (!scan) return DD_ENOMEM;
            rc = op_open(ctx, scan);
            bool bad = false;
            while (!rc && !bad) {
                Value *r;
                ArenaMark m = arena_mark(ctx->row);
                int n = op_next(ctx, scan, &r);
                if (n < 0) { rc = -n; break; }
                if (n == 0) break;
                if (!pr) {
                    bad = r[c].isnull;
                } else {
                    Value out;
                    rc = expr_eval(pr, &env, &r[c], &out);
                    bad = !rc && !out.isnull && !out.v.b;
                }
                arena_rewind(ctx->row, m);
            }
            op_close(ctx, scan);
            if (!rc && bad)
                rc = pr ? dd_err(ctx->err, DD_ECHECK_VIOLATION, -1,
                                 "column \"%s\" of table \"%s\" contains values that violate the new constraint",
                                 col->name, name_base(t->name))
                        : dd_err(ctx->err, DD_ENOT_NULL, -1, "column \"%s\" of table \"%s\" contains null values",
                                 col->name, name_base(t->name));
        }
    }
    return rc;
}

static int alter_domain(SqlCtx *ctx, TypeStmt *s, const TableInfo *t0, Plan *p)
{
    TableInfo *t = table_copy(ctx->stmt, t0);
    if (!t) return DD_ENOMEM;
    UserType *u = t->utype;
    int rc = DD_OK;
    switch (s->alter) {
    case 'S':
        if ((rc = domain_default_text(ctx, s, (TypeId)u->base_type, u->base_typmod, &u->default_sql))) return rc;
        break;
    case 'D': u->default_sql = NULL; break;
    case 'N':
        if (!u->not_null && (rc = domain_check_rows(ctx, t->id, NULL))) return rc;
        u->not_null = true;
        break;
    case 'n': u->not_null = false; break;
    case 'A': {
        ExprProg *pr;
        if ((rc = domain_add_check(ctx, t, u, s->checks[0], &pr))) return rc;
        /* NOT VALID: the rows there are wait for VALIDATE CONSTRAINT */
        if (!s->checks[0]->not_valid && (rc = domain_check_rows(ctx, t->id, pr))) return rc;
        break;
    }
    case 'V': {   /* VALIDATE CONSTRAINT: the rows there are against it */
        const CheckInfo *ck = NULL;
        for (int i = 0; i < u->nchecks; i++)
            if (strcmp(u->checks[i].name, s->cname) == 0) ck = &u->checks[i];
        if (!ck)
            return dd_err(ctx->err, DD_EUNDEFINED_OBJECT, s->cname_loc, "constraint \"%s\" of domain \"%s\" does not exist",
                          s->cname, t->name);
        Expr *e;
        const char *sql, *saved = ctx->sql;
        ExprProg *pr;
        if ((rc = sql_parse_expr_text(ctx, ck->expr_sql, "a domain's CHECK", &e, &sql))) return rc;
        ctx->sql = sql;
        rc = domain_compile_check(ctx, (TypeId)u->base_type, u->base_typmod, e, &pr);
        ctx->sql = saved;
        if (rc) {
            ctx->err->position = 0;
            return rc;
        }
        if ((rc = domain_check_rows(ctx, t->id, pr))) return rc;
        return DD_OK;   /* nothing changes in the catalog */
    }
    default: {   /* 'X': DROP CONSTRAINT */
        int k = -1;
        for (int i = 0; i < u->nchecks; i++)
            if (strcmp(u->checks[i].name, s->cname) == 0) k = i;
        if (k < 0) {
            if (!s->if_exists)
                return dd_err(ctx->err, DD_EUNDEFINED_OBJECT, s->cname_loc, "constraint \"%s\" of domain \"%s\" does not exist",
                              s->cname, t->name);
            p->notice = arena_printf(ctx->stmt, "constraint \"%s\" of domain \"%s\" does not exist, skipping", s->cname,
                                     t->name);
            p->notice_state = "00000";
            return DD_OK;
        }
        memmove(&u->checks[k], &u->checks[k + 1], sizeof(CheckInfo) * (size_t)(u->nchecks - k - 1));
        u->nchecks--;
        break;
    }
    }
    p->new_table = t;
    return DD_OK;
}

int analyze_type(SqlCtx *ctx, TypeStmt *s, Plan *p)
{
    static const char *const tags[] = {"CREATE TYPE", "ALTER TYPE", "ALTER TYPE", "ALTER TYPE", "DROP TYPE",
                                       "CREATE DOMAIN", "ALTER DOMAIN", "ALTER TYPE"};
    p->tag = (s->action == TYPE_DROP || s->action == TYPE_OWNER) && s->domain
                 ? (s->action == TYPE_DROP ? "DROP DOMAIN" : "ALTER DOMAIN") : tags[s->action];
    if (ctx->read_only) return read_only(ctx, p->tag);
    if (s->action == TYPE_CREATE_ENUM) return create_enum(ctx, s, p);
    if (s->action == TYPE_CREATE_DOMAIN) return create_domain(ctx, s, p);
    if (s->action == TYPE_DROP) return drop_types(ctx, s, p);
    p->kind = PLAN_ALTER_TABLE;
    const TableInfo *t0 = resolve_type_present(ctx, s->names[0]);
    if (!t0) return dd_err(ctx->err, DD_EUNDEFINED_OBJECT, s->locs[0], "type \"%s\" does not exist", s->names[0]);
    if (s->action == TYPE_ALTER_DOMAIN) {
        if (t0->utype->kind != 'd')   /* PostgreSQL quotes the name in DROP DOMAIN's message, not here */
            return dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, s->locs[0], "%s is not a domain", t0->name);
        return alter_domain(ctx, s, t0, p);
    }
    if (s->action == TYPE_OWNER) {
        /* one role owns every object: nothing changes, as ALTER TABLE ... OWNER TO */
        if (s->domain && t0->utype->kind != 'd')
            return dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, s->locs[0], "%s is not a domain", t0->name);
        u32 owner;
        int rc = acl_new_owner(ctx, s->new_name, &owner);
        if (rc) return rc;
        TableInfo *t = table_copy(ctx->stmt, t0);
        if (!t) return DD_ENOMEM;
        acl_set_owner(t, owner);
        p->kind = PLAN_ALTER_TABLE;
        p->new_table = t;
        return DD_OK;
    }
    if (s->action == TYPE_RENAME && s->domain && t0->utype->kind != 'd')
        return dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, s->locs[0], "%s is not a domain", t0->name);
    if (s->action == TYPE_RENAME && s->domain) p->tag = "ALTER DOMAIN";
    if ((s->action == TYPE_ADD_VALUE || s->action == TYPE_RENAME_VALUE) && t0->utype->kind != 'e')
        return dd_err(ctx->err, DD_EWRONG_OBJECT_TYPE, s->locs[0], "%s is not an enum", t0->name);
    switch (s->action) {
    case TYPE_ADD_VALUE: return add_value(ctx, s, t0, p);
    case TYPE_RENAME_VALUE: return rename_value(ctx, s, t0, p);
    default: {
        char *cat = name_sibling(ctx->stmt, t0->name, s->new_name);
        if (!cat) return DD_ENOMEM;
        if (resolve_type_exact(ctx, cat) || (!strchr(cat, '.') && builtin_type(s->new_name)))
            return dd_err(ctx->err, DD_EDUPLICATE_OBJECT, s->new_loc, "type \"%s\" already exists", s->new_name);
        if (strlen(s->new_name) > CAT_MAX_NAME)
            return dd_err(ctx->err, DD_ENAME_TOO_LONG, s->new_loc, "type name \"%s\" is too long", s->new_name);
        int rc = rename_users(ctx, t0);
        if (rc) return rc;
        TableInfo *t = table_copy(ctx->stmt, t0);
        if (!t || !(t->name = cat)) return DD_ENOMEM;
        p->new_table = t;
        return DD_OK;
    }
    }
}
