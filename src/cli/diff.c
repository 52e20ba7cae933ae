/*
 * diff.c - `driftdb diff`: the rows of a table that differ between two
 * points in time, with their before and after images.
 *
 *   driftdb diff TARGET -t TABLE --from X [--to Y] [--format text|json]
 *
 * X and Y are @SEQ:n (or n), a timestamp, or now (Y's default).  Both are
 * first resolved to seqs (drift_seq_at, drift_seq), so every statement
 * after that reads fixed history and the result is consistent without a
 * transaction.  Then, all plain SQL, over the primary key's columns k...
 * (one or several):
 *   keys:   SELECT k::text... FROM t FOR SYSTEM_TIME ALL
 *           WHERE a version started or ended in (lo, hi]
 *   before: SELECT * FROM t FOR SYSTEM_TIME AS OF @SEQ:x WHERE (k::text...) IN (keys)
 *   after:  SELECT * FROM t FOR SYSTEM_TIME AS OF @SEQ:y WHERE (k::text...) IN (keys)
 *   order:  SELECT DISTINCT k... FROM t FOR SYSTEM_TIME ALL WHERE (the same) ORDER BY k...
 * and the rows are listed in the keys' order ('+' inserted, '-' deleted,
 * '~' updated, with the columns that differ).  Keys are compared as text:
 * a key column's type at X may differ from its type now (a document-style
 * table's key column has no type until its first row, so at the seq that
 * created the table it reads as text), and images are matched by the
 * key's text anyway.  A key whose two images are equal (changed and
 * changed back) is not a difference.  Each side has the columns of its own
 * point (docs/time-travel.md §6); columns are compared by name.  A table
 * that did not exist yet at X (42P01) has an empty before side.
 */
#include "cli.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/alloc.h"

typedef struct Image {
    const char *key;    /* the key's match text (match_key) */
    char **vals;
} Image;

typedef struct Side {
    int ncols;
    char **names;
    Image *rows;
    int n, cap;
} Side;

static void oom(driftdb_error *err) { conn_set_error(err, "53200", "out of memory"); }

static int all_digits(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s)) return 0;
    return 1;
}

/* Resolves a point to a seq (decimal text in out). */
static int resolve_point(Conn *c, const char *p, char out[32], driftdb_error *err)
{
    if (strncasecmp(p, "@seq:", 5) == 0 && all_digits(p + 5)) {
        snprintf(out, 32, "%s", p + 5);
        return 0;
    }
    if (all_digits(p)) {
        snprintf(out, 32, "%s", p);
        return 0;
    }
    Buf q = BUF_INIT;
    if (strcasecmp(p, "now") == 0) {
        buf_puts(&q, "SELECT drift_seq()");
    } else {
        buf_puts(&q, "SELECT drift_seq_at(");
        cli_put_literal(&q, p, strlen(p));
        buf_puts(&q, ")");
    }
    char *text = buf_cstr(&q);
    int rc = text ? conn_query_value(c, text, out, 32, err) : (oom(err), -1);
    buf_free(&q);
    if (rc == 0 && !all_digits(out)) {
        conn_set_error(err, "22007", "could not resolve the point in time \"%s\"", p);
        return -1;
    }
    return rc;
}

static int cmp_image(const void *a, const void *b)
{
    return strcmp(((const Image *)a)->key, ((const Image *)b)->key);
}

/* The text a key is matched by: each column's value as "length:text", so
 * no two keys of several columns run together.  Owned by a. */
static char *match_key(char *const *vals, const int *idx, int nk, Arena *a)
{
    Buf b = BUF_INIT;
    for (int i = 0; i < nk; i++) {
        const char *v = idx[i] >= 0 ? vals[idx[i]] : NULL;
        if (v) buf_printf(&b, "%zu:%s;", strlen(v), v);
        else buf_puts(&b, "-;");
    }
    char *t = buf_cstr(&b);
    char *out = t ? arena_strdup(a, t) : NULL;
    buf_free(&b);
    return out;
}

/* Runs one image query into s (rows sorted by key text).  *missing is set
 * when the table does not exist at that point. */
static int load_side(Conn *c, const char *sql, char **pk, int nk, Side *s, Arena *a, int *missing,
                     driftdb_error *err)
{
    size_t off = 0;
    ConnResult *r;
    int rc, failed = 0;
    int *keyidx = arena_alloc(a, sizeof(int) * (size_t)nk);
    if (!keyidx) { oom(err); return -1; }
    *missing = 0;
    while ((rc = conn_exec_next(c, sql, &off, &r, err)) == DRIFTDB_ROW_RESULT) {
        int m;
        s->ncols = conn_result_ncols(r);
        s->names = arena_alloc(a, sizeof(char *) * (size_t)(s->ncols + 1));
        if (!s->names) { conn_result_free(r); oom(err); return -1; }
        for (int k = 0; k < nk; k++) keyidx[k] = -1;
        for (int i = 0; i < s->ncols; i++) {
            s->names[i] = arena_strdup(a, conn_result_colname(r, i));
            for (int k = 0; k < nk; k++)
                if (s->names[i] && strcmp(s->names[i], pk[k]) == 0) keyidx[k] = i;
        }
        while ((m = conn_result_next(r, err)) == 1) {
            if (s->n == s->cap) {
                int cap = s->cap ? s->cap * 2 : 64;
                Image *ni = dd_realloc(s->rows, sizeof(Image) * (size_t)cap);
                if (!ni) { oom(err); m = -1; break; }
                s->rows = ni;
                s->cap = cap;
            }
            Image *im = &s->rows[s->n++];
            im->vals = arena_alloc(a, sizeof(char *) * (size_t)(s->ncols + 1));
            if (!im->vals) { oom(err); m = -1; break; }
            for (int i = 0; i < s->ncols; i++) {
                const char *v = conn_result_value(r, i, NULL);
                im->vals[i] = v ? arena_strdup(a, v) : NULL;
            }
            if (!(im->key = match_key(im->vals, keyidx, nk, a))) { oom(err); m = -1; break; }
        }
        if (m < 0) failed = 1;
        conn_result_free(r);
        if (failed) break;
    }
    if (rc == DRIFTDB_ERROR && strcmp(err->sqlstate, "42P01") == 0) {
        *missing = 1;
        return 0;
    }
    if (rc == DRIFTDB_ERROR || failed) return -1;
    if (s->n) qsort(s->rows, (size_t)s->n, sizeof(Image), cmp_image);
    return 0;
}

/* Runs the order query: the changed keys in order, each as its nk column
 * values (out[i * nk + k]). */
static int load_keys(Conn *c, const char *sql, int nk, char ***out, int *n, Arena *a, driftdb_error *err)
{
    size_t off = 0;
    ConnResult *r;
    int rc, failed = 0, cap = 0;
    char **k = NULL;
    while ((rc = conn_exec_next(c, sql, &off, &r, err)) == DRIFTDB_ROW_RESULT) {
        int m;
        while ((m = conn_result_next(r, err)) == 1) {
            if (conn_result_ncols(r) != nk) continue;
            if (*n == cap) {
                int ncap = cap ? cap * 2 : 64;
                char **nkeys = arena_alloc(a, sizeof(char *) * (size_t)ncap * (size_t)nk);
                if (!nkeys) { oom(err); m = -1; break; }
                if (*n) memcpy(nkeys, k, sizeof(char *) * (size_t)*n * (size_t)nk);
                k = nkeys;
                cap = ncap;
            }
            for (int i = 0; i < nk; i++) {
                const char *v = conn_result_value(r, i, NULL);
                k[*n * nk + i] = v ? arena_strdup(a, v) : NULL;
            }
            (*n)++;
        }
        if (m < 0) failed = 1;
        conn_result_free(r);
        if (failed) break;
    }
    *out = k;
    return rc == DRIFTDB_ERROR || failed ? -1 : 0;
}

static const Image *find(const Side *s, const char *key)
{
    Image k = {key, NULL};
    return s->n ? bsearch(&k, s->rows, (size_t)s->n, sizeof(Image), cmp_image) : NULL;
}

static int col_index(const Side *s, const char *name)
{
    for (int i = 0; i < s->ncols; i++)
        if (strcmp(s->names[i], name) == 0) return i;
    return -1;
}

static int same(const char *a, const char *b) { return (!a && !b) || (a && b && strcmp(a, b) == 0); }

/* The value of column name in image im of side s; *absent when the side
 * has no such column. */
static const char *value_of(const Side *s, const Image *im, const char *name, int *absent)
{
    int i = im ? col_index(s, name) : -1;
    *absent = i < 0;
    return i >= 0 ? im->vals[i] : NULL;
}

/* The union of both sides' column names: the after side's order, then the
 * before side's own. */
static int column_union(const Side *b, const Side *a, const char ***out, Arena *ar)
{
    const char **u = arena_alloc(ar, sizeof(char *) * (size_t)(a->ncols + b->ncols + 1));
    if (!u) return -1;
    int n = 0;
    for (int i = 0; i < a->ncols; i++) u[n++] = a->names[i];
    for (int i = 0; i < b->ncols; i++)
        if (col_index(a, b->names[i]) < 0) u[n++] = b->names[i];
    *out = u;
    return n;
}

static void json_image(const Side *s, const Image *im)
{
    if (!im) { fputs("null", stdout); return; }
    fputc('{', stdout);
    for (int i = 0; i < s->ncols; i++) {
        if (i) fputc(',', stdout);
        cli_json_string(s->names[i]);
        fputc(':', stdout);
        cli_json_string(im->vals[i]);
    }
    fputc('}', stdout);
}

int cmd_diff(int argc, char **argv)
{
    CliTarget t = {NULL, NULL};
    const char *table = NULL, *from = NULL, *to = "now", *format = "text";
    for (int i = 2; i < argc; i++) {
        int m = cli_target_opt(argc, argv, &i, &t);
        if (m == 0) m = cli_opt(argc, argv, &i, "--table", "-t", &table);
        if (m == 0) m = cli_opt(argc, argv, &i, "--from", NULL, &from);
        if (m == 0) m = cli_opt(argc, argv, &i, "--to", NULL, &to);
        if (m == 0) m = cli_opt(argc, argv, &i, "--format", NULL, &format);
        if (m < 0) return 1;
        if (m == 0) return cli_usage_error("unknown argument to diff: %s", argv[i]);
    }
    if (!table || !from) return cli_usage_error("diff needs -t TABLE and --from POINT");
    int json = strcmp(format, "json") == 0;
    if (!json && strcmp(format, "text") != 0) return cli_usage_error("unknown --format \"%s\" (text or json)", format);

    Conn *c;
    if (cli_connect(&t, CONN_READ, "diff", &c) != 0) return 1;
    Arena a;
    arena_init(&a, 65536);
    Side before, after;
    memset(&before, 0, sizeof before);
    memset(&after, 0, sizeof after);
    Buf keys = BUF_INIT, q = BUF_INIT;
    driftdb_error err;
    memset(&err, 0, sizeof err);
    char x[32], y[32], **pk = NULL;
    int nk = 0, status = 1, miss_b = 0, miss_a = 0;
    if (resolve_point(c, from, x, &err) != 0 || resolve_point(c, to, y, &err) != 0 ||
        cli_primary_keys(c, table, &pk, &nk, &a, &err) != 0)
        goto failed;
    unsigned long long xs = strtoull(x, NULL, 10), ys = strtoull(y, NULL, 10);
    unsigned long long lo = xs < ys ? xs : ys, hi = xs < ys ? ys : xs;
    Buf range = BUF_INIT;   /* " FROM t FOR SYSTEM_TIME ALL WHERE (a change in (lo, hi])" */
    buf_puts(&range, " FROM ");
    cli_put_user_name(&range, table);
    buf_printf(&range, " FOR SYSTEM_TIME ALL WHERE (system_seq_start > %llu AND system_seq_start <= %llu)"
                       " OR (system_seq_end > %llu AND system_seq_end <= %llu)", lo, hi, lo, hi);

    /* the keys with a version that started or ended in (lo, hi], as text */
    buf_puts(&keys, "SELECT ");
    for (int k = 0; k < nk; k++) {
        if (k) buf_puts(&keys, ", ");
        cli_put_ident(&keys, pk[k]);
        buf_puts(&keys, "::text");
    }
    buf_append(&keys, range.data, range.len);
    const char *side_seq[2] = {x, y};
    Side *sides[2] = {&before, &after};
    int *missing[2] = {&miss_b, &miss_a};
    for (int s = 0; s < 2; s++) {
        buf_reset(&q);
        buf_puts(&q, "SELECT * FROM ");
        cli_put_user_name(&q, table);
        buf_printf(&q, " FOR SYSTEM_TIME AS OF @SEQ:%s WHERE (", side_seq[s]);
        for (int k = 0; k < nk; k++) {
            if (k) buf_puts(&q, ", ");
            cli_put_ident(&q, pk[k]);
            buf_puts(&q, "::text");
        }
        buf_puts(&q, ") IN (");
        buf_append(&q, keys.data, keys.len);
        buf_puts(&q, ")");
        char *text = buf_cstr(&q);
        if (!text) { buf_free(&range); oom(&err); goto failed; }
        if (load_side(c, text, pk, nk, sides[s], &a, missing[s], &err) != 0) { buf_free(&range); goto failed; }
    }
    if (miss_b && miss_a) { buf_free(&range); goto failed; }   /* err holds the second 42P01 */

    /* the changed keys in the key's SQL order */
    buf_reset(&q);
    buf_puts(&q, "SELECT DISTINCT ");
    Buf by = BUF_INIT;
    for (int k = 0; k < nk; k++) {
        if (k) buf_puts(&by, ", ");
        cli_put_ident(&by, pk[k]);
    }
    buf_append(&q, by.data, by.len);
    buf_append(&q, range.data, range.len);
    buf_puts(&q, " ORDER BY ");
    buf_append(&q, by.data, by.len);
    buf_free(&by);
    buf_free(&range);
    char *ktext = buf_cstr(&q);
    if (!ktext) { oom(&err); goto failed; }
    char **order = NULL;
    int norder = 0;
    if (load_keys(c, ktext, nk, &order, &norder, &a, &err) != 0) goto failed;
    int *ident = arena_alloc(&a, sizeof(int) * (size_t)nk);
    if (!ident) { oom(&err); goto failed; }
    for (int k = 0; k < nk; k++) ident[k] = k;

    const char **cols;
    int ncols = column_union(&before, &after, &cols, &a);
    if (ncols < 0) { oom(&err); goto failed; }
    int w = 0;
    for (int k = 0; k < ncols; k++) {
        int n = fmt_display_width(cols[k], strlen(cols[k]));
        if (n > w) w = n;
    }
    int changed = 0;
    if (json) fputc('[', stdout);
    else printf("%s between seq %s and seq %s:\n", table, x, y);
    for (int i = 0; i < norder; i++) {
        char **kv = order + (size_t)i * (size_t)nk;
        const char *key = match_key(kv, ident, nk, &a);
        if (!key) { oom(&err); goto failed; }
        const Image *ai = find(&after, key), *bi = find(&before, key);
        if (!ai && !bi) continue;
        int differs = !ai || !bi;
        for (int k = 0; k < ncols && !differs; k++) {
            int ab, bb;
            const char *av = value_of(&after, ai, cols[k], &ab);
            const char *bv = value_of(&before, bi, cols[k], &bb);
            differs = !same(av, bv);
        }
        if (!differs) continue;
        if (json) {
            fputs(changed ? ",\n {" : "{", stdout);
            fputs("\"key\":", stdout);
            if (nk == 1) {
                cli_json_string(kv[0]);
            } else {
                fputc('{', stdout);
                for (int k = 0; k < nk; k++) {
                    if (k) fputc(',', stdout);
                    cli_json_string(pk[k]);
                    fputc(':', stdout);
                    cli_json_string(kv[k]);
                }
                fputc('}', stdout);
            }
            printf(",\"change\":\"%s\",\"before\":", !bi ? "insert" : !ai ? "delete" : "update");
            json_image(&before, bi);
            fputs(",\"after\":", stdout);
            json_image(&after, ai);
            fputc('}', stdout);
        } else {
            putchar(!bi ? '+' : !ai ? '-' : '~');
            for (int k = 0; k < nk; k++)
                printf("%s %s = %s", k ? "," : "", pk[k], kv[k] ? kv[k] : "NULL");
            putchar('\n');
            for (int k = 0; k < ncols; k++) {
                int ab, bb;
                const char *av = value_of(&after, ai, cols[k], &ab);
                const char *bv = value_of(&before, bi, cols[k], &bb);
                if (ai && bi) {
                    if (same(av, bv)) continue;
                    printf("    %-*s  %s -> %s\n", w, cols[k], bb ? "(no column)" : bv ? bv : "NULL",
                           ab ? "(no column)" : av ? av : "NULL");
                } else {
                    const char *v = ai ? av : bv;
                    if (v) printf("    %-*s  %s\n", w, cols[k], v);
                }
            }
        }
        changed++;
    }
    if (json) fputs("]\n", stdout);
    else printf("(%d row%s differ%s)\n", changed, changed == 1 ? "" : "s", changed == 1 ? "s" : "");
    status = 0;
    goto done;
failed:
    cli_print_plain_error(&err);
done:
    conn_close(c);
    buf_free(&keys);
    buf_free(&q);
    dd_free(before.rows);
    dd_free(after.rows);
    arena_free(&a);
    return status;
}
