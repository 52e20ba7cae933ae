/*
 * slt.c - the sqllogictest runner: runs the tests/sql .test files through the
 * embedded API (include/driftdb.h), each file against a fresh database in
 * a temporary directory (removed afterwards unless --keep).
 *
 *   slt [--keep] FILE...
 *
 * Records (separated by blank lines; '#' starts a comment line):
 *   statement ok | statement error [SQLSTATE] [message substring]
 *   query <types> [nosort|rowsort|valuesort] [label]  SQL ---- expected rows
 *   query error [SQLSTATE] [message substring]
 * Directives (one line): halt, skipif NAME / onlyif NAME (NAME "driftdb"
 * is us), hash-threshold N (ignored), reopen (close and reopen the
 * database), connection NAME (switch session; created on first use),
 * sleep MS.
 *
 * A record's SQL may hold several statements; all run, and a query
 * compares the rows of the last one.  Values print as text, NULL as
 * "NULL", the empty string as "(empty)"; a row is its values joined by
 * single spaces, one row per expected line (valuesort: one value per
 * line).  Trailing white space is ignored on both sides.
 *
 * Each file runs in a child process, so a crash fails that file only.
 * Output: details of every mismatch, "ok FILE (N records)" or "FAIL FILE
 * ...", and a closing "N passed, N failed" counting records.  Exit status
 * 1 when any record failed.
 */
#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "driftdb.h"

#define MAX_CONNS 32
#define DEFAULT_TIMEOUT_S 300

typedef struct Conn {
    char name[64];
    driftdb_session *s;
} Conn;

typedef struct Slt {
    const char *file;
    char dir[4096];
    driftdb *db;
    Conn conns[MAX_CONNS];
    int nconns;
    int cur;        /* index into conns */
    int npass, nfail;
} Slt;

/* Rows of the last result, as strings. */
typedef struct Rows {
    int ncols;
    char **vals;   /* nrows * ncols values, already in display form */
    size_t nvals, cap;
} Rows;

static void rows_free(Rows *r)
{
    for (size_t i = 0; i < r->nvals; i++) free(r->vals[i]);
    free(r->vals);
    memset(r, 0, sizeof *r);
}

static void rows_add(Rows *r, const char *v)
{
    if (r->nvals == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->vals = realloc(r->vals, r->cap * sizeof *r->vals);
        if (!r->vals) { perror("slt"); exit(2); }
    }
    r->vals[r->nvals++] = strdup(v);
}

static void fail_header(Slt *t, int line, const char *sql)
{
    printf("FAIL %s:%d\n  sql: ", t->file, line);
    for (const char *p = sql; *p; p++) {
        putchar(*p);
        if (*p == '\n') fputs("       ", stdout);
    }
    putchar('\n');
}

static driftdb_session *session(Slt *t, driftdb_error *err)
{
    Conn *c = &t->conns[t->cur];
    if (!c->s) {
        driftdb_session_info info = {"slt", c->name, NULL, NULL};
        if (driftdb_session_open(t->db, &info, &c->s, err) != DRIFTDB_OK) {
            c->s = NULL;
            return NULL;
        }
    }
    return c->s;
}

static void close_all(Slt *t)
{
    for (int i = 0; i < t->nconns; i++) {
        if (t->conns[i].s) driftdb_session_close(t->conns[i].s);
        t->conns[i].s = NULL;
    }
    if (t->db) driftdb_close(t->db);
    t->db = NULL;
}

static int open_db(Slt *t, driftdb_error *err)
{
    return driftdb_open(t->dir, NULL, &t->db, err);
}

/*
 * Runs all statements of sql on the current connection.  Returns 0 with
 * the last result's rows in *rows (when rows != NULL), or -1 with err
 * filled at the first error.
 */
static int run_sql(Slt *t, const char *sql, Rows *rows, driftdb_error *err)
{
    driftdb_session *s = session(t, err);
    if (!s) return -1;
    size_t off = 0;
    int rc;
    driftdb_result *r;
    while ((rc = driftdb_exec_next(s, sql, &off, &r, err)) == DRIFTDB_ROW_RESULT) {
        if (rows) {
            rows_free(rows);
            rows->ncols = driftdb_result_ncols(r);
        }
        int more;
        while ((more = driftdb_result_next(r, err)) == 1) {
            if (!rows) continue;
            for (int i = 0; i < rows->ncols; i++) {
                size_t len = 0;
                const char *v = driftdb_result_value(r, i, &len);
                rows_add(rows, !v ? "NULL" : len == 0 ? "(empty)" : v);
            }
        }
        driftdb_result_free(r);
        if (more < 0) return -1;
    }
    return rc == DRIFTDB_DONE ? 0 : -1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void rstrip(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
}

/* Joins values of rows into lines: per row (sort 'r'/'n') or per value ('v'). */
static char **result_lines(Rows *rows, char sort, size_t *n)
{
    size_t nrows = rows->ncols ? rows->nvals / (size_t)rows->ncols : 0;
    char **lines;
    if (sort == 'v') {
        lines = calloc(rows->nvals + 1, sizeof *lines);
        for (size_t i = 0; i < rows->nvals; i++) lines[i] = strdup(rows->vals[i]);
        *n = rows->nvals;
    } else {
        lines = calloc(nrows + 1, sizeof *lines);
        for (size_t r = 0; r < nrows; r++) {
            size_t len = 1;
            for (int c = 0; c < rows->ncols; c++) len += strlen(rows->vals[r * (size_t)rows->ncols + (size_t)c]) + 1;
            char *l = malloc(len);
            l[0] = '\0';
            for (int c = 0; c < rows->ncols; c++) {
                if (c) strcat(l, " ");
                strcat(l, rows->vals[r * (size_t)rows->ncols + (size_t)c]);
            }
            lines[r] = l;
        }
        *n = nrows;
    }
    for (size_t i = 0; i < *n; i++) rstrip(lines[i]);
    if (sort == 'r' || sort == 'v') qsort(lines, *n, sizeof *lines, cmp_str);
    return lines;
}

/* Checks an expected error: state may be "" (any), msg may be "" (any). */
static int error_matches(const driftdb_error *e, const char *state, const char *msg)
{
    if (state[0] && strcmp(e->sqlstate, state) != 0) return 0;
    if (msg[0] && !strstr(e->message, msg)) return 0;
    return 1;
}

static void print_error(const char *what, const driftdb_error *e)
{
    printf("  %s: %s: %s\n", what, e->sqlstate, e->message);
    if (e->detail[0]) printf("  detail: %s\n", e->detail);
}

/* Parses "[SQLSTATE] [message]" after "error". */
static void parse_expected_error(const char *rest, char *state, char *msg, size_t msgsz)
{
    while (isspace((unsigned char)*rest)) rest++;
    state[0] = '\0';
    size_t k = 0;
    while (k < 5 && rest[k] && (isdigit((unsigned char)rest[k]) || isupper((unsigned char)rest[k]))) k++;
    if (k == 5 && (rest[5] == '\0' || isspace((unsigned char)rest[5]))) {
        memcpy(state, rest, 5);
        state[5] = '\0';
        rest += 5;
        while (isspace((unsigned char)*rest)) rest++;
    }
    snprintf(msg, msgsz, "%s", rest);
    rstrip(msg);
}

static int is_blank(const char *s)
{
    while (*s && isspace((unsigned char)*s)) s++;
    return *s == '\0';
}

/* Copies lines [from, to) joined by '\n'. */
static char *join_lines(char **lines, size_t from, size_t to)
{
    size_t len = 1;
    for (size_t i = from; i < to; i++) len += strlen(lines[i]) + 1;
    char *s = malloc(len);
    s[0] = '\0';
    for (size_t i = from; i < to; i++) {
        if (i > from) strcat(s, "\n");
        strcat(s, lines[i]);
    }
    return s;
}

static void record_result(Slt *t, int ok)
{
    if (ok) t->npass++;
    else t->nfail++;
}

/* Runs one file (in the child); returns when done. */
static void run_file(Slt *t)
{
    FILE *f = fopen(t->file, "r");
    if (!f) {
        printf("FAIL %s: %s\n", t->file, strerror(errno));
        t->nfail++;
        return;
    }
    char **lines = NULL;
    size_t nlines = 0, cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (nlines == cap) {
            cap = cap ? cap * 2 : 256;
            lines = realloc(lines, cap * sizeof *lines);
        }
        lines[nlines++] = strdup(line);
    }
    free(line);
    fclose(f);

    driftdb_error err;
    memset(&err, 0, sizeof err);
    if (open_db(t, &err) != DRIFTDB_OK) {
        printf("FAIL %s: cannot open the database: %s\n", t->file, err.message);
        t->nfail++;
        return;
    }
    snprintf(t->conns[0].name, sizeof t->conns[0].name, "default");
    t->nconns = 1;
    t->cur = 0;

    int skip_next = 0;
    size_t i = 0;
    while (i < nlines) {
        char *l = lines[i];
        if (is_blank(l) || l[0] == '#') { i++; continue; }
        int lineno = (int)i + 1;
        char word[32] = "", arg1[64] = "";
        sscanf(l, "%31s %63s", word, arg1);

        if (strcmp(word, "halt") == 0) break;
        if (strcmp(word, "hash-threshold") == 0 || strcmp(word, "mode") == 0) { i++; continue; }
        if (strcmp(word, "skipif") == 0) { skip_next = strcmp(arg1, "driftdb") == 0; i++; continue; }
        if (strcmp(word, "onlyif") == 0) { skip_next = strcmp(arg1, "driftdb") != 0; i++; continue; }
        if (strcmp(word, "sleep") == 0) {
            i++;
            if (skip_next) { skip_next = 0; continue; }
            usleep((useconds_t)atol(arg1) * 1000);
            continue;
        }
        if (strcmp(word, "connection") == 0) {
            i++;
            if (skip_next) { skip_next = 0; continue; }
            int k;
            for (k = 0; k < t->nconns; k++)
                if (strcmp(t->conns[k].name, arg1) == 0) break;
            if (k == t->nconns) {
                if (k == MAX_CONNS) {
                    printf("FAIL %s:%d: too many connections\n", t->file, lineno);
                    t->nfail++;
                    continue;
                }
                snprintf(t->conns[k].name, sizeof t->conns[k].name, "%s", arg1);
                t->conns[k].s = NULL;
                t->nconns++;
            }
            t->cur = k;
            continue;
        }
        if (strcmp(word, "reopen") == 0) {
            i++;
            if (skip_next) { skip_next = 0; continue; }
            close_all(t);
            if (open_db(t, &err) != DRIFTDB_OK) {
                printf("FAIL %s:%d: reopen: %s: %s\n", t->file, lineno, err.sqlstate, err.message);
                t->nfail++;
                break;
            }
            continue;
        }
        if (strcmp(word, "statement") != 0 && strcmp(word, "query") != 0) {
            printf("FAIL %s:%d: unknown record \"%s\"\n", t->file, lineno, word);
            t->nfail++;
            while (i < nlines && !is_blank(lines[i])) i++;
            continue;
        }

        /* Record body: SQL up to "----" or a blank line; expected after. */
        size_t sql_from = i + 1, sql_to = sql_from;
        while (sql_to < nlines && !is_blank(lines[sql_to]) && strcmp(lines[sql_to], "----") != 0) sql_to++;
        size_t exp_from = sql_to, exp_to = sql_to;
        if (sql_to < nlines && strcmp(lines[sql_to], "----") == 0) {
            exp_from = sql_to + 1;
            exp_to = exp_from;
            while (exp_to < nlines && !is_blank(lines[exp_to])) exp_to++;
        }
        i = exp_to;
        if (skip_next) { skip_next = 0; continue; }
        char *sql = join_lines(lines, sql_from, sql_to);

        int want_error = strcmp(arg1, "error") == 0;
        if (strcmp(word, "statement") == 0 && !want_error && strcmp(arg1, "ok") != 0) {
            printf("FAIL %s:%d: statement must be \"ok\" or \"error\"\n", t->file, lineno);
            t->nfail++;
            free(sql);
            continue;
        }
        if (want_error) {
            char state[6], msg[512];
            const char *rest = strstr(l, "error") + 5;
            parse_expected_error(rest, state, msg, sizeof msg);
            if (!msg[0] && exp_to > exp_from) {
                char *m = join_lines(lines, exp_from, exp_to);
                snprintf(msg, sizeof msg, "%s", m);
                free(m);
            }
            memset(&err, 0, sizeof err);
            int rc = run_sql(t, sql, NULL, &err);
            if (rc == 0) {
                fail_header(t, lineno, sql);
                printf("  expected error %s%s%s, but the statement succeeded\n", state,
                       msg[0] ? " " : "", msg);
                record_result(t, 0);
            } else if (!error_matches(&err, state, msg)) {
                fail_header(t, lineno, sql);
                printf("  expected error: %s %s\n", state[0] ? state : "(any)", msg);
                print_error("actual error", &err);
                record_result(t, 0);
            } else {
                record_result(t, 1);
            }
            free(sql);
            continue;
        }
        if (strcmp(word, "statement") == 0) {
            memset(&err, 0, sizeof err);
            if (run_sql(t, sql, NULL, &err) != 0) {
                fail_header(t, lineno, sql);
                print_error("unexpected error", &err);
                record_result(t, 0);
            } else {
                record_result(t, 1);
            }
            free(sql);
            continue;
        }

        /* query <types> [sort] [label] */
        char types[64] = "", sortw[32] = "nosort";
        sscanf(l, "%*s %63s %31s", types, sortw);
        char sort = strcmp(sortw, "rowsort") == 0 ? 'r' : strcmp(sortw, "valuesort") == 0 ? 'v' : 'n';
        Rows rows;
        memset(&rows, 0, sizeof rows);
        memset(&err, 0, sizeof err);
        int ok = 1;
        if (run_sql(t, sql, &rows, &err) != 0) {
            fail_header(t, lineno, sql);
            print_error("unexpected error", &err);
            ok = 0;
        } else if ((int)strlen(types) != rows.ncols) {
            fail_header(t, lineno, sql);
            printf("  expected %zu columns (\"%s\"), got %d\n", strlen(types), types, rows.ncols);
            ok = 0;
        }
        if (ok) {
            size_t nact = 0;
            char **act = result_lines(&rows, sort, &nact);
            size_t nexp = exp_to - exp_from;
            char **exp = calloc(nexp + 1, sizeof *exp);
            for (size_t k = 0; k < nexp; k++) {
                exp[k] = strdup(lines[exp_from + k]);
                rstrip(exp[k]);
            }
            if (nexp != nact) ok = 0;
            for (size_t k = 0; ok && k < nexp; k++)
                if (strcmp(exp[k], act[k]) != 0) ok = 0;
            if (!ok) {
                fail_header(t, lineno, sql);
                printf("  expected (%zu):\n", nexp);
                for (size_t k = 0; k < nexp; k++) printf("    %s\n", exp[k]);
                printf("  actual (%zu):\n", nact);
                for (size_t k = 0; k < nact; k++) printf("    %s%s\n", act[k],
                                                         k < nexp && strcmp(exp[k], act[k]) != 0 ? "   <--" : "");
            }
            for (size_t k = 0; k < nexp; k++) free(exp[k]);
            for (size_t k = 0; k < nact; k++) free(act[k]);
            free(exp);
            free(act);
        }
        record_result(t, ok);
        rows_free(&rows);
        free(sql);
    }
    close_all(t);
    for (size_t k = 0; k < nlines; k++) free(lines[k]);
    free(lines);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

static const char *timeout_file;
static void on_alarm(int sig)
{
    (void)sig;
    char msg[512];
    int n = snprintf(msg, sizeof msg, "FAIL %s: timed out\n", timeout_file ? timeout_file : "?");
    if (n > 0 && write(STDOUT_FILENO, msg, (size_t)n) < 0) _exit(3);
    _exit(3);
}

/* Runs file in a child; adds its counts to *pass / *fail. */
static void run_file_isolated(const char *file, int keep, int *pass, int *fail)
{
    int fds[2];
    if (pipe(fds) != 0) { perror("pipe"); exit(2); }
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); exit(2); }
    if (pid == 0) {
        close(fds[0]);
        Slt t;
        memset(&t, 0, sizeof t);
        t.file = file;
        const char *tmp = getenv("TMPDIR");
        snprintf(t.dir, sizeof t.dir, "%s/slt.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
        if (!mkdtemp(t.dir)) { printf("FAIL %s: mkdtemp: %s\n", file, strerror(errno)); fflush(stdout); _exit(2); }
        driftdb_error err;
        memset(&err, 0, sizeof err);
        timeout_file = file;
        signal(SIGALRM, on_alarm);
        const char *to = getenv("SLT_TIMEOUT");
        alarm(to ? (unsigned)atoi(to) : DEFAULT_TIMEOUT_S);
        if (driftdb_init(t.dir, &err) != DRIFTDB_OK) {
            printf("FAIL %s: driftdb_init: %s\n", file, err.message);
            t.nfail++;
        } else {
            run_file(&t);
        }
        alarm(0);
        if (keep) printf("kept the database of %s in %s\n", file, t.dir);
        else nftw(t.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        int total = t.npass + t.nfail;
        if (t.nfail == 0) printf("ok %s (%d records)\n", file, total);
        else printf("FAIL %s (%d records, %d failed)\n", file, total, t.nfail);
        fflush(stdout);
        char buf[64];
        int n = snprintf(buf, sizeof buf, "%d %d\n", t.npass, t.nfail);
        if (write(fds[1], buf, (size_t)n) != n) _exit(2);
        _exit(0);
    }
    close(fds[1]);
    char buf[64] = "";
    ssize_t n, got = 0;
    while ((n = read(fds[0], buf + got, sizeof buf - 1 - (size_t)got)) > 0) got += n;
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    int p = 0, f = 0;
    if (got > 0 && sscanf(buf, "%d %d", &p, &f) == 2) {
        *pass += p;
        *fail += f;
    } else {
        if (WIFSIGNALED(status))
            printf("FAIL %s (crashed: signal %d)\n", file, WTERMSIG(status));
        else
            printf("FAIL %s (exited with status %d)\n", file, WEXITSTATUS(status));
        *fail += 1;
    }
}

int main(int argc, char **argv)
{
    int keep = 0, pass = 0, fail = 0, nfiles = 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--keep") == 0) { keep = 1; continue; }
        if (strcmp(argv[i], "--help") == 0) {
            printf("usage: slt [--keep] FILE...\n");
            return 0;
        }
        run_file_isolated(argv[i], keep, &pass, &fail);
        nfiles++;
    }
    if (nfiles == 0) {
        fprintf(stderr, "usage: slt [--keep] FILE...\n");
        return 2;
    }
    printf("%d passed, %d failed\n", pass, fail);
    return fail ? 1 : 0;
}
