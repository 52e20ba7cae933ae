/*
 * drift.c - `driftdb drift`: one row's history as a readable timeline.
 *
 *   driftdb drift TARGET -t TABLE -k KEY [-k KEY]... [--format text|json]
 *
 * Plain SQL statements (so the command works the same through the
 * embedded API and a server), in one REPEATABLE READ transaction:
 *   1. SHOW COLUMNS FROM TABLE             the primary key's columns (-k
 *                                          gives one value for each, in
 *                                          the order SHOW COLUMNS lists them);
 *   2. SELECT *, system_seq_start, system_seq_end, system_op, system_end_op
 *        FROM TABLE FOR SYSTEM_TIME ALL WHERE pk = 'KEY'
 *        ORDER BY system_seq_start        every version of the row;
 *   2b. when the table has dropped columns (pg_attribute.attisdropped),
 *      each version again as it was written: SELECT * FROM TABLE FOR
 *      SYSTEM_TIME AS OF @SEQ:start WHERE pk = 'KEY' (the present's
 *      columns cannot show a dropped column's values); a column counts as
 *      changed only between two versions that both have it (a DROP or ADD
 *      COLUMN is a change of the table, not of the row);
 *   3. SELECT seq, commit_time, user_name FROM drift_commits
 *        WHERE seq IN (...)               who committed each change, when.
 * Each version gives an event at its start (INSERT, or UPDATE with the
 * columns that changed, old -> new) and, when it ended by a DELETE, a
 * DELETE event at its end.  A version that starts after a DELETE is an
 * INSERT again and shows all its columns.
 *
 * The key is compared as a string literal, so it works for every key type
 * (the literal takes the column's type).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"
#include "../util/arena.h"

#define NHIST 4  /* history columns appended after * */

typedef struct Version {
    char **vals;        /* ncols values (NULL for SQL NULL), arena-owned */
    unsigned char *has; /* per column: the version has it (NULL: all do) */
    char **before;      /* the row just before this version, when the table's
                           columns changed since the version it replaced */
    unsigned char *before_has;
    long long start, end;  /* end 0 while current */
    const char *op, *end_op;
} Version;

typedef struct Commit {
    long long seq;
    char *time, *user;
} Commit;

typedef struct Drift {
    Arena a;
    int ncols;
    int npresent;       /* the first npresent names are the present's columns */
    char **names;
    char **pk;          /* the key's columns and -k values */
    const char **key;
    int npk;
    Version *v;
    int nv, capv;
    Commit *cm;
    int ncm;
} Drift;

static void oom(driftdb_error *err) { conn_set_error(err, "53200", "out of memory"); }

static char *dup_or_null(Arena *a, const char *s) { return s ? arena_strdup(a, s) : NULL; }

/* Statement 1: the primary key columns of table, in the order SHOW COLUMNS lists them. */
int cli_primary_keys(Conn *c, const char *table, char ***cols, int *ncols, Arena *a, driftdb_error *err)
{
    Buf sql = BUF_INIT;
    buf_puts(&sql, "SHOW COLUMNS FROM ");
    cli_put_user_name(&sql, table);
    char *text = buf_cstr(&sql);
    if (!text) { buf_free(&sql); oom(err); return -1; }
    size_t off = 0;
    ConnResult *r;
    int rc, n = 0, cap = 0, failed = 0;
    char **k = NULL;
    while ((rc = conn_exec_next(c, text, &off, &r, err)) == DRIFTDB_ROW_RESULT) {
        int m, kcol = -1, ncol = -1;
        for (int i = 0; i < conn_result_ncols(r); i++) {
            if (strcmp(conn_result_colname(r, i), "primary_key") == 0) kcol = i;
            if (strcmp(conn_result_colname(r, i), "column_name") == 0) ncol = i;
        }
        while ((m = conn_result_next(r, err)) == 1) {
            const char *kv = kcol >= 0 ? conn_result_value(r, kcol, NULL) : NULL;
            const char *nv = ncol >= 0 ? conn_result_value(r, ncol, NULL) : NULL;
            if (!kv || !nv || strcmp(kv, "t") != 0) continue;
            if (n == cap) {
                int ncap = cap ? cap * 2 : 4;
                char **nk = arena_alloc(a, sizeof(char *) * (size_t)ncap);
                if (!nk) { oom(err); m = -1; break; }
                if (n) memcpy(nk, k, sizeof(char *) * (size_t)n);
                k = nk;
                cap = ncap;
            }
            if (!(k[n++] = arena_strdup(a, nv))) { oom(err); m = -1; break; }
        }
        if (m < 0) failed = 1;
        conn_result_free(r);
    }
    buf_free(&sql);
    if (rc == DRIFTDB_ERROR || failed) return -1;
    if (n == 0) {
        conn_set_error(err, "42P10", "table \"%s\" has no primary key column", table);
        return -1;
    }
    *cols = k;
    *ncols = n;
    return 0;
}

/* The primary key's columns of table into d->pk; as many -k values as
 * there are columns, or a message that names them. */
static int drift_primary_key(Conn *c, Drift *d, const char *table, int nkeys, driftdb_error *err)
{
    if (cli_primary_keys(c, table, &d->pk, &d->npk, &d->a, err) != 0) return -1;
    if (d->npk != nkeys) {
        Buf keys = BUF_INIT;
        for (int i = 0; i < d->npk; i++) {
            if (i) buf_puts(&keys, ", ");
            buf_puts(&keys, d->pk[i]);
        }
        char *ks = buf_cstr(&keys);
        if (d->npk == 1)
            conn_set_error(err, "42601", "the primary key of \"%s\" is one column (%s): give -k once (got %d)", table,
                           ks ? ks : "", nkeys);
        else
            conn_set_error(err, "42601", "the primary key of \"%s\" is (%s): give -k once for each of its %d columns, "
                           "in that order (got %d)", table, ks ? ks : "", d->npk, nkeys);
        buf_free(&keys);
        return -1;
    }
    return 0;
}

/* " WHERE k1 = 'v1' AND k2 = 'v2'" */
static void put_key_filter(Buf *sql, const Drift *d)
{
    for (int i = 0; i < d->npk; i++) {
        buf_puts(sql, i ? " AND " : " WHERE ");
        cli_put_ident(sql, d->pk[i]);
        buf_puts(sql, " = ");
        cli_put_literal(sql, d->key[i], strlen(d->key[i]));
    }
}

/* Statement 2: every version of the row. */
static int load_versions(Conn *c, Drift *d, const char *table, driftdb_error *err)
{
    Buf sql = BUF_INIT;
    buf_puts(&sql, "SELECT *, system_seq_start, system_seq_end, system_op, system_end_op FROM ");
    cli_put_user_name(&sql, table);
    buf_puts(&sql, " FOR SYSTEM_TIME ALL");
    put_key_filter(&sql, d);
    buf_puts(&sql, " ORDER BY system_seq_start");
    char *text = buf_cstr(&sql);
    if (!text) { buf_free(&sql); oom(err); return -1; }
    size_t off = 0;
    ConnResult *r;
    int rc, failed = 0;
    while ((rc = conn_exec_next(c, text, &off, &r, err)) == DRIFTDB_ROW_RESULT) {
        int total = conn_result_ncols(r), m;
        d->ncols = total - NHIST;
        d->names = arena_alloc(&d->a, sizeof(char *) * (size_t)(d->ncols > 0 ? d->ncols : 1));
        if (d->ncols < 1 || !d->names) { conn_result_free(r); failed = 1; oom(err); break; }
        for (int i = 0; i < d->ncols; i++) d->names[i] = arena_strdup(&d->a, conn_result_colname(r, i));
        while ((m = conn_result_next(r, err)) == 1) {
            if (d->nv == d->capv) {
                int cap = d->capv ? d->capv * 2 : 16;
                Version *nv = dd_realloc(d->v, sizeof(Version) * (size_t)cap);
                if (!nv) { oom(err); m = -1; break; }
                d->v = nv;
                d->capv = cap;
            }
            Version *v = &d->v[d->nv++];
            memset(v, 0, sizeof *v);
            v->vals = arena_alloc(&d->a, sizeof(char *) * (size_t)d->ncols);
            if (!v->vals) { oom(err); m = -1; break; }
            for (int i = 0; i < d->ncols; i++) v->vals[i] = dup_or_null(&d->a, conn_result_value(r, i, NULL));
            const char *s = conn_result_value(r, d->ncols, NULL);
            const char *e = conn_result_value(r, d->ncols + 1, NULL);
            v->start = s ? atoll(s) : 0;
            v->end = e ? atoll(e) : 0;
            v->op = dup_or_null(&d->a, conn_result_value(r, d->ncols + 2, NULL));
            v->end_op = dup_or_null(&d->a, conn_result_value(r, d->ncols + 3, NULL));
        }
        if (m < 0) failed = 1;
        conn_result_free(r);
        if (failed) break;
    }
    buf_free(&sql);
    return rc == DRIFTDB_ERROR || failed ? -1 : 0;
}

/* Whether table has dropped columns. */
static int has_dropped_columns(Conn *c, const char *table, int *out, driftdb_error *err)
{
    Buf sql = BUF_INIT;
    buf_puts(&sql, "SELECT count(*) FROM pg_attribute WHERE attisdropped AND attrelid = ");
    cli_put_literal(&sql, table, strlen(table));
    buf_puts(&sql, "::regclass");
    char *text = buf_cstr(&sql);
    char v[32] = "";
    int rc = text ? conn_query_value(c, text, v, sizeof v, err) : (oom(err), -1);
    buf_free(&sql);
    *out = atoi(v) > 0;
    return rc;
}

/* The index of column name in d->names, added when new; -1 without memory. */
static int column_index(Drift *d, const char *name, int *cap)
{
    for (int i = 0; i < d->ncols; i++)
        if (strcmp(d->names[i], name) == 0) return i;
    if (d->ncols == *cap) {
        int ncap = *cap * 2 + 8;
        char **nn = arena_alloc(&d->a, sizeof(char *) * (size_t)ncap);
        if (!nn) return -1;
        if (d->ncols) memcpy(nn, d->names, sizeof(char *) * (size_t)d->ncols);
        d->names = nn;
        *cap = ncap;
    }
    if (!(d->names[d->ncols] = arena_strdup(&d->a, name))) return -1;
    return d->ncols++;
}

/* A row image read AS OF a seq: n columns (indexes into d->names) and
 * their values; n 0 when the row was not there. */
typedef struct Image {
    int n;
    int *cols;
    char **vals;
} Image;

/* Reads the row's image AS OF seq into *im (columns added to d->names). */
static int read_image(Conn *c, Drift *d, const char *table, long long seq, int *cap, Image *im,
                      driftdb_error *err)
{
    memset(im, 0, sizeof *im);
    Buf sql = BUF_INIT;
    buf_puts(&sql, "SELECT * FROM ");
    cli_put_user_name(&sql, table);
    buf_printf(&sql, " FOR SYSTEM_TIME AS OF @SEQ:%lld", seq);
    put_key_filter(&sql, d);
    char *text = buf_cstr(&sql);
    if (!text) { buf_free(&sql); oom(err); return -1; }
    size_t off = 0;
    ConnResult *r;
    int rc, failed = 0;
    while ((rc = conn_exec_next(c, text, &off, &r, err)) == DRIFTDB_ROW_RESULT) {
        int n = conn_result_ncols(r), m = 0;
        int *cols = arena_alloc(&d->a, sizeof(int) * (size_t)(n ? n : 1));
        char **vals = arena_alloc(&d->a, sizeof(char *) * (size_t)(n ? n : 1));
        if (!cols || !vals) { oom(err); failed = 1; }
        for (int k = 0; k < n && !failed; k++)
            if ((cols[k] = column_index(d, conn_result_colname(r, k), cap)) < 0) { oom(err); failed = 1; }
        while (!failed && (m = conn_result_next(r, err)) == 1) {
            for (int k = 0; k < n; k++) vals[k] = dup_or_null(&d->a, conn_result_value(r, k, NULL));
            im->n = n;
            im->cols = cols;
            im->vals = vals;
        }
        if (m < 0) failed = 1;
        conn_result_free(r);
        if (failed) break;
    }
    buf_free(&sql);
    return rc == DRIFTDB_ERROR || failed ? -1 : 0;
}

/* im over all of d->names: values and which columns it had. */
static int dense(Drift *d, const Image *im, char ***vals, unsigned char **has, driftdb_error *err)
{
    *vals = arena_alloc(&d->a, sizeof(char *) * (size_t)d->ncols);
    *has = arena_alloc(&d->a, (size_t)d->ncols);
    if (!*vals || !*has) { oom(err); return -1; }
    memset(*vals, 0, sizeof(char *) * (size_t)d->ncols);
    memset(*has, 0, (size_t)d->ncols);
    for (int k = 0; k < im->n; k++) {
        (*vals)[im->cols[k]] = im->vals[k];
        (*has)[im->cols[k]] = 1;
    }
    return 0;
}

/* Whether two images have the same columns. */
static int same_columns(const Image *a, const Image *b)
{
    if (a->n != b->n) return 0;
    for (int k = 0; k < a->n; k++)
        if (a->cols[k] != b->cols[k]) return 0;
    return 1;
}

/*
 * Statement 2b: each version's image as it was written (AS OF its start),
 * with the columns the table had then.  d->names becomes the union of the
 * columns of all versions (the present's first); each version's has[]
 * says which of them it had.  Where the table's columns changed between a
 * version and the one it replaced, the old side of the change is the row
 * just before it (AS OF start - 1, with the columns of that moment), so an
 * UPDATE shows what it changed and not what ALTER TABLE did.
 */
static int load_past_images(Conn *c, Drift *d, const char *table, driftdb_error *err)
{
    int cap = d->ncols, failed = 0;
    Image *im = dd_calloc((size_t)d->nv, sizeof(Image));
    Image *before = dd_calloc((size_t)d->nv, sizeof(Image));
    if (!im || !before) { oom(err); failed = 1; }
    for (int i = 0; i < d->nv && !failed; i++) {
        if (read_image(c, d, table, d->v[i].start, &cap, &im[i], err) != 0) failed = 1;
        const Version *p = i > 0 ? &d->v[i - 1] : NULL;
        if (!failed && p && p->end == d->v[i].start && im[i].n && im[i - 1].n && !same_columns(&im[i], &im[i - 1]) &&
            read_image(c, d, table, d->v[i].start - 1, &cap, &before[i], err) != 0)
            failed = 1;
    }
    for (int i = 0; i < d->nv && !failed; i++) {
        Version *v = &d->v[i];
        if (im[i].n) {
            if (dense(d, &im[i], &v->vals, &v->has, err) != 0) failed = 1;
        } else {   /* not found AS OF its start: the present's reading */
            Image pres = {d->npresent, NULL, v->vals};
            pres.cols = arena_alloc(&d->a, sizeof(int) * (size_t)(d->npresent ? d->npresent : 1));
            if (!pres.cols) { oom(err); failed = 1; break; }
            for (int k = 0; k < d->npresent; k++) pres.cols[k] = k;
            if (dense(d, &pres, &v->vals, &v->has, err) != 0) failed = 1;
        }
        if (!failed && before[i].n && dense(d, &before[i], &v->before, &v->before_has, err) != 0) failed = 1;
    }
    dd_free(im);
    dd_free(before);
    return failed ? -1 : 0;
}

/* Whether version v has column k. */
static int has_col(const Version *v, int k) { return !v->has || v->has[k]; }

/* Statement 3: commit time and user of every seq the timeline shows. */
static int load_commits(Conn *c, Drift *d, driftdb_error *err)
{
    Buf sql = BUF_INIT;
    buf_puts(&sql, "SELECT seq, commit_time, user_name FROM drift_commits WHERE seq IN (");
    for (int i = 0; i < d->nv; i++) {
        buf_printf(&sql, "%s%lld", i ? ", " : "", d->v[i].start);
        if (d->v[i].end) buf_printf(&sql, ", %lld", d->v[i].end);
    }
    buf_puts(&sql, ")");
    char *text = buf_cstr(&sql);
    if (!text) { buf_free(&sql); oom(err); return -1; }
    d->cm = arena_alloc(&d->a, sizeof(Commit) * (size_t)(2 * d->nv));
    if (!d->cm) { buf_free(&sql); oom(err); return -1; }
    size_t off = 0;
    ConnResult *r;
    int rc, failed = 0;
    while ((rc = conn_exec_next(c, text, &off, &r, err)) == DRIFTDB_ROW_RESULT) {
        int m;
        while ((m = conn_result_next(r, err)) == 1 && d->ncm < 2 * d->nv) {
            const char *s = conn_result_value(r, 0, NULL);
            Commit *cm = &d->cm[d->ncm++];
            cm->seq = s ? atoll(s) : 0;
            cm->time = dup_or_null(&d->a, conn_result_value(r, 1, NULL));
            cm->user = dup_or_null(&d->a, conn_result_value(r, 2, NULL));
        }
        if (m < 0) failed = 1;
        conn_result_free(r);
    }
    buf_free(&sql);
    return rc == DRIFTDB_ERROR || failed ? -1 : 0;
}

static const Commit *commit_of(const Drift *d, long long seq)
{
    for (int i = 0; i < d->ncm; i++)
        if (d->cm[i].seq == seq) return &d->cm[i];
    return NULL;
}

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int name_width(const Drift *d)
{
    int w = 0;
    for (int i = 0; i < d->ncols; i++) {
        int n = fmt_display_width(d->names[i], strlen(d->names[i]));
        if (n > w) w = n;
    }
    return w;
}

static void put_value(const char *v) { fputs(v ? v : "NULL", stdout); }

static void event_header(const Drift *d, long long seq, const char *op)
{
    const Commit *cm = commit_of(d, seq);
    printf("seq %-6lld %-29s  %-12s %s\n", seq, cm && cm->time ? cm->time : "?",
           cm && cm->user ? cm->user : "?", op);
}

static void print_text(const Drift *d, const char *table)
{
    int w = name_width(d);
    int events = 0;
    for (int i = 0; i < d->nv; i++) events += 1 + (d->v[i].end_op && strcmp(d->v[i].end_op, "DELETE") == 0);
    if (d->npk == 1) {
        printf("%s %s = %s", table, d->pk[0], d->key[0]);
    } else {
        printf("%s (", table);
        for (int i = 0; i < d->npk; i++) printf("%s%s", i ? ", " : "", d->pk[i]);
        printf(") = (");
        for (int i = 0; i < d->npk; i++) printf("%s%s", i ? ", " : "", d->key[i]);
        printf(")");
    }
    printf(": %d version%s, %d change%s\n\n", d->nv, d->nv == 1 ? "" : "s", events, events == 1 ? "" : "s");
    for (int i = 0; i < d->nv; i++) {
        const Version *v = &d->v[i];
        const Version *prev = i > 0 && d->v[i - 1].end == v->start &&
                              !(d->v[i - 1].end_op && strcmp(d->v[i - 1].end_op, "DELETE") == 0)
                            ? &d->v[i - 1] : NULL;
        Version just_before = {0};
        if (prev && v->before) {
            just_before.vals = v->before;
            just_before.has = v->before_has;
            prev = &just_before;
        }
        event_header(d, v->start, prev ? (v->op ? v->op : "UPDATE") : "INSERT");
        int shown = 0;
        for (int k = 0; k < d->ncols; k++) {
            if (!has_col(v, k) || (prev && !has_col(prev, k))) continue;
            if (prev && same(prev->vals[k], v->vals[k])) continue;
            if (!prev && !v->vals[k]) continue;
            printf("    %-*s  ", w, d->names[k]);
            if (prev) {
                put_value(prev->vals[k]);
                fputs(" -> ", stdout);
            }
            put_value(v->vals[k]);
            fputc('\n', stdout);
            shown++;
        }
        if (prev && !shown) printf("    (no column changed)\n");
        if (v->end_op && strcmp(v->end_op, "DELETE") == 0) event_header(d, v->end, "DELETE");
    }
}

static void json_event(const Drift *d, long long seq, const char *op, int *n)
{
    const Commit *cm = commit_of(d, seq);
    printf("%s{\"seq\":%lld,\"commit_time\":", (*n)++ ? ",\n " : "", seq);
    cli_json_string(cm ? cm->time : NULL);
    fputs(",\"user\":", stdout);
    cli_json_string(cm ? cm->user : NULL);
    fputs(",\"op\":", stdout);
    cli_json_string(op);
}

/* One JSON array of events: {"seq", "commit_time", "user", "op",
 * "changes": {"col": [old, new]}} (INSERT: old is null). */
static void print_json(const Drift *d)
{
    int n = 0;
    fputc('[', stdout);
    for (int i = 0; i < d->nv; i++) {
        const Version *v = &d->v[i];
        const Version *prev = i > 0 && d->v[i - 1].end == v->start &&
                              !(d->v[i - 1].end_op && strcmp(d->v[i - 1].end_op, "DELETE") == 0)
                            ? &d->v[i - 1] : NULL;
        Version just_before = {0};
        if (prev && v->before) {
            just_before.vals = v->before;
            just_before.has = v->before_has;
            prev = &just_before;
        }
        json_event(d, v->start, prev ? (v->op ? v->op : "UPDATE") : "INSERT", &n);
        fputs(",\"changes\":{", stdout);
        int shown = 0;
        for (int k = 0; k < d->ncols; k++) {
            if (!has_col(v, k) || (prev && !has_col(prev, k))) continue;
            if (prev ? same(prev->vals[k], v->vals[k]) : !v->vals[k]) continue;
            if (shown++) fputc(',', stdout);
            cli_json_string(d->names[k]);
            fputs(":[", stdout);
            cli_json_string(prev ? prev->vals[k] : NULL);
            fputc(',', stdout);
            cli_json_string(v->vals[k]);
            fputc(']', stdout);
        }
        fputs("}}", stdout);
        if (v->end_op && strcmp(v->end_op, "DELETE") == 0) {
            json_event(d, v->end, "DELETE", &n);
            fputs(",\"changes\":{}}", stdout);
        }
    }
    fputs("]\n", stdout);
}

int cmd_drift(int argc, char **argv)
{
    CliTarget t = {NULL, NULL};
    const char *table = NULL, *format = "text";
    const char **keys = dd_calloc((size_t)argc, sizeof(char *));
    int nkeys = 0;
    if (!keys) return cli_usage_error("out of memory");
    for (int i = 2; i < argc; i++) {
        const char *key = NULL;
        int m = cli_target_opt(argc, argv, &i, &t);
        if (m == 0) m = cli_opt(argc, argv, &i, "--table", "-t", &table);
        if (m == 0 && (m = cli_opt(argc, argv, &i, "--key", "-k", &key)) == 1) keys[nkeys++] = key;
        if (m == 0) m = cli_opt(argc, argv, &i, "--format", NULL, &format);
        if (m < 0) { dd_free(keys); return 1; }
        if (m == 0) { dd_free(keys); return cli_usage_error("unknown argument to drift: %s", argv[i]); }
    }
    if (!table || !nkeys) { dd_free(keys); return cli_usage_error("drift needs -t TABLE and -k KEY"); }
    int json = strcmp(format, "json") == 0;
    if (!json && strcmp(format, "text") != 0) {
        dd_free(keys);
        return cli_usage_error("unknown --format \"%s\" (text or json)", format);
    }

    Conn *c;
    if (cli_connect(&t, CONN_READ, "drift", &c) != 0) { dd_free(keys); return 1; }
    Drift d;
    memset(&d, 0, sizeof d);
    arena_init(&d.a, 16384);
    d.key = keys;
    driftdb_error err;
    memset(&err, 0, sizeof err);
    int status = 1, dropped = 0;
    /* One snapshot for all the statements (REPEATABLE READ), so a commit
     * between them cannot show a version without its commit. */
    if (conn_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ", &err) != 0 ||
        drift_primary_key(c, &d, table, nkeys, &err) != 0 || load_versions(c, &d, table, &err) != 0) {
        cli_print_plain_error(&err);
        goto done;
    }
    d.npresent = d.ncols;
    if (d.nv == 0) {
        fprintf(stderr, "%s: error: no row of \"%s\" has ever had ", cli_progname, table);
        for (int i = 0; i < d.npk; i++) fprintf(stderr, "%s%s = %s", i ? " and " : "", d.pk[i], d.key[i]);
        fputc('\n', stderr);
        goto done;
    }
    if (has_dropped_columns(c, table, &dropped, &err) != 0 || (dropped && load_past_images(c, &d, table, &err) != 0) ||
        load_commits(c, &d, &err) != 0) {
        cli_print_plain_error(&err);
        goto done;
    }
    if (json) print_json(&d);
    else print_text(&d, table);
    status = 0;
done:
    dd_free(keys);
    conn_close(c);
    dd_free(d.v);
    arena_free(&d.a);
    return status;
}
