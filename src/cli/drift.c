/*
 * drift.c - `driftdb drift`: one row's history as a readable timeline.
 *
 *   driftdb drift TARGET -t TABLE -k KEY [--format text|json]
 *
 * Three statements, all plain SQL (so the command works the same through
 * the embedded API and a server):
 *   1. SHOW COLUMNS FROM TABLE             the primary key column;
 *   2. SELECT *, system_seq_start, system_seq_end, system_op, system_end_op
 *        FROM TABLE FOR SYSTEM_TIME ALL WHERE pk = 'KEY'
 *        ORDER BY system_seq_start        every version of the row;
 *   3. SELECT seq, commit_time, user_name FROM drift_commits
 *        WHERE seq IN (...)               who committed each change, when.
 * Each version gives an event at its start (INSERT, or UPDATE with the
 * columns that changed, old -> new) and, when it ended by a DELETE, a
 * DELETE event at its end.  A version that starts after a DELETE is an
 * INSERT again and shows all its columns.
 *
 * The key is compared as a string literal, so it works for every key type
 * (the literal takes the column's type).  Tables with a composite primary
 * key are refused with a clear message.
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
    char **names;
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

/* The single primary key column of table into pk; a key of several
 * columns is refused (-k takes one value). */
static int drift_primary_key(Conn *c, const char *table, char **pk, Arena *a, driftdb_error *err)
{
    char **cols;
    int n;
    if (cli_primary_keys(c, table, &cols, &n, a, err) != 0) return -1;
    if (n != 1) {
        Buf keys = BUF_INIT;
        for (int i = 0; i < n; i++) {
            if (i) buf_puts(&keys, ", ");
            buf_puts(&keys, cols[i]);
        }
        char *ks = buf_cstr(&keys);
        conn_set_error(err, "0A000", "drift -k takes one key value, but the primary key of \"%s\" is (%s)",
                       table, ks ? ks : "several columns");
        buf_free(&keys);
        return -1;
    }
    *pk = cols[0];
    return 0;
}

/* Statement 2: every version of the row. */
static int load_versions(Conn *c, Drift *d, const char *table, const char *pk, const char *key,
                         driftdb_error *err)
{
    Buf sql = BUF_INIT;
    buf_puts(&sql, "SELECT *, system_seq_start, system_seq_end, system_op, system_end_op FROM ");
    cli_put_user_name(&sql, table);
    buf_puts(&sql, " FOR SYSTEM_TIME ALL WHERE ");
    cli_put_ident(&sql, pk);
    buf_puts(&sql, " = ");
    cli_put_literal(&sql, key, strlen(key));
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
    printf("seq %-6lld %s  %-12s %s\n", seq, cm && cm->time ? cm->time : "?",
           cm && cm->user ? cm->user : "?", op);
}

static void print_text(const Drift *d, const char *table, const char *pk, const char *key)
{
    int w = name_width(d);
    int events = 0;
    for (int i = 0; i < d->nv; i++) events += 1 + (d->v[i].end_op && strcmp(d->v[i].end_op, "DELETE") == 0);
    printf("%s %s = %s: %d version%s, %d change%s\n\n", table, pk, key, d->nv, d->nv == 1 ? "" : "s",
           events, events == 1 ? "" : "s");
    for (int i = 0; i < d->nv; i++) {
        const Version *v = &d->v[i];
        const Version *prev = i > 0 && d->v[i - 1].end == v->start &&
                              !(d->v[i - 1].end_op && strcmp(d->v[i - 1].end_op, "DELETE") == 0)
                            ? &d->v[i - 1] : NULL;
        event_header(d, v->start, prev ? (v->op ? v->op : "UPDATE") : "INSERT");
        int shown = 0;
        for (int k = 0; k < d->ncols; k++) {
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
        json_event(d, v->start, prev ? (v->op ? v->op : "UPDATE") : "INSERT", &n);
        fputs(",\"changes\":{", stdout);
        int shown = 0;
        for (int k = 0; k < d->ncols; k++) {
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
    const char *table = NULL, *key = NULL, *format = "text";
    for (int i = 2; i < argc; i++) {
        int m = cli_target_opt(argc, argv, &i, &t);
        if (m == 0) m = cli_opt(argc, argv, &i, "--table", "-t", &table);
        if (m == 0) m = cli_opt(argc, argv, &i, "--key", "-k", &key);
        if (m == 0) m = cli_opt(argc, argv, &i, "--format", NULL, &format);
        if (m < 0) return 1;
        if (m == 0) return cli_usage_error("unknown argument to drift: %s", argv[i]);
    }
    if (!table || !key) return cli_usage_error("drift needs -t TABLE and -k KEY");
    int json = strcmp(format, "json") == 0;
    if (!json && strcmp(format, "text") != 0) return cli_usage_error("unknown --format \"%s\" (text or json)", format);

    Conn *c;
    if (cli_connect(&t, CONN_READ, "drift", &c) != 0) return 1;
    Drift d;
    memset(&d, 0, sizeof d);
    arena_init(&d.a, 16384);
    driftdb_error err;
    memset(&err, 0, sizeof err);
    char *pk = NULL;
    int status = 1;
    /* One snapshot for the three statements (REPEATABLE READ), so a commit
     * between them cannot show a version without its commit. */
    if (conn_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ", &err) != 0 ||
        drift_primary_key(c, table, &pk, &d.a, &err) != 0 || load_versions(c, &d, table, pk, key, &err) != 0) {
        cli_print_plain_error(&err);
        goto done;
    }
    if (d.nv == 0) {
        fprintf(stderr, "%s: no row of \"%s\" has ever had %s = %s\n", cli_progname, table, pk, key);
        goto done;
    }
    if (load_commits(c, &d, &err) != 0) {
        cli_print_plain_error(&err);
        goto done;
    }
    if (json) print_json(&d);
    else print_text(&d, table, pk, key);
    status = 0;
done:
    conn_close(c);
    dd_free(d.v);
    arena_free(&d.a);
    return status;
}
