/*
 * doctor.c - `driftdb doctor`: the health of a database on one screen.
 *
 *   driftdb doctor TARGET [--recent N] [--timeout SECONDS]
 *
 * Every figure is read from the database through SQL, so a data directory
 * (--data, read-only: also beside the server that holds it) and a server
 * (--url, the PG* environment) print the same:
 *
 *   the target    the data directory (and who holds it), or the server as
 *                 libpq reached it (host:port, database, user)
 *   format        drift_format_version(), drift_database_id(): the meta record
 *   head          drift_seq() and its commit time, drift_time_of()
 *   size on disk  pg_database_size(): the bytes of the data file
 *   reader slots  drift_reader_slots_used / _stale / _max(): LMDB's reader
 *                 table (this check's own reader counts as one in use)
 *   tables        drift_tables: live rows, versions, bytes of history
 *   verify        VERIFY RECENT N (1000 by default): the newest N commits'
 *                 chain links and what they wrote (versions, current rows,
 *                 index entries, times)
 *
 * then a verdict line, "OK: healthy" or "PROBLEM: " and each problem found:
 * the database does not open or a read of it fails as damaged (XX001), the
 * verification fails, reader slots held by processes that are gone, a
 * reader table at least 90% full.
 *
 * Exit status, as `driftdb verify`: 0 healthy, 2 a problem found, 1 a usage
 * error or a target that cannot be reached (no such directory, no
 * driftdb.mdb in it, no server).  Over a data directory the check runs in
 * a child process (cli_run_guarded): a damaged page that crashes the read
 * or loops is a problem too.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"

typedef struct Doctor {
    CliTarget t;
    long recent;       /* VERIFY RECENT n */
    long long head;    /* drift_seq() as read first; -1 unknown */
    Buf problems;      /* "; "-separated */
} Doctor;

static void problem(Doctor *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(Doctor *d, const char *fmt, ...)
{
    if (d->problems.len) buf_puts(&d->problems, "; ");
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&d->problems, fmt, ap);
    va_end(ap);
}

/* Runs sql, one statement with ncols columns: its rows' values (NULL for
 * SQL NULL) copied into a, row after row.  0, or -1 with err. */
static int fetch(Conn *c, const char *sql, int ncols, Arena *a, char ***cells, int *nrows, driftdb_error *err)
{
    size_t off = 0;
    ConnResult *r;
    int rc, n = 0, cap = 0;
    char **v = NULL;
    while ((rc = conn_exec_next(c, sql, &off, &r, err)) == DRIFTDB_ROW_RESULT) {
        if (conn_result_has_rows(r) && conn_result_ncols(r) == ncols) {
            int g;
            while ((g = conn_result_next(r, err)) == 1) {
                if (n == cap) {
                    int ncap = cap ? cap * 2 : 16;
                    char **nv = arena_alloc(a, sizeof *nv * (size_t)ncap * (size_t)ncols);
                    if (!nv) {
                        conn_result_free(r);
                        conn_set_error(err, "53200", "out of memory");
                        return -1;
                    }
                    if (n) memcpy(nv, v, sizeof *nv * (size_t)n * (size_t)ncols);
                    v = nv;
                    cap = ncap;
                }
                for (int i = 0; i < ncols; i++) {
                    const char *s = conn_result_value(r, i, NULL);
                    v[n * ncols + i] = s ? arena_strdup(a, s) : NULL;
                }
                n++;
            }
            if (g < 0) {
                conn_result_free(r);
                return -1;
            }
        }
        conn_result_free(r);
    }
    if (rc == DRIFTDB_ERROR) return -1;
    *cells = v;
    *nrows = n;
    return 0;
}

/* bytes as "812 B", "3.4 KiB", "1.2 MiB", "5.0 GiB". */
static const char *human(char *out, size_t n, const char *bytes)
{
    if (!bytes) return "?";
    double b = strtod(bytes, NULL);
    static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (b >= 1024 && u < 4) {
        b /= 1024;
        u++;
    }
    if (u == 0) snprintf(out, n, "%s B", bytes);
    else snprintf(out, n, "%.1f %s", b, unit[u]);
    return out;
}

static const char *or_q(const char *s) { return s ? s : "?"; }

/* A failed query: damage (XX001) is a problem of the database and the
 * check goes on; anything else ends it (returns 1). */
static int query_failed(Doctor *d, const char *what, const driftdb_error *err)
{
    if (strcmp(err->sqlstate, "XX001") == 0) {
        problem(d, "reading %s failed: %s", what, err->message);
        printf("%-15s FAILED: %s\n", what, err->message);
        return 0;
    }
    cli_print_plain_error(err);
    return 1;
}

static int doctor_run(void *arg)
{
    Doctor *d = arg;
    Conn *c;
    driftdb_error err;
    int rc = cli_connect_err(&d->t, CONN_CHECK, "doctor", &c, &err);
    if (rc > 0) return 1;
    if (rc < 0) {
        if (!d->t.data || strcmp(err.sqlstate, "XX001") != 0) {
            cli_print_plain_error(&err);
            return 1;
        }
        printf("\nPROBLEM: the database does not open: %s\n", err.message);
        return 2;
    }
    if (!d->t.data) {
        char server[512];
        conn_server(c, server, sizeof server);
        printf("DriftDB doctor: server %s\n", server);
    } else {
        long holder = driftdb_lock_holder(d->t.data);
        if (holder > 0) printf("  read-only, beside the process that holds it (pid %ld)\n", holder);
    }
    putchar('\n');
    fflush(stdout);

    Arena a;
    arena_init(&a, 8192);
    char **v;
    int n, status = 0;
    char h1[32], h2[32];

    /* one statement, one snapshot: the head and what stands beside it */
    if (fetch(c,
              "SELECT drift_format_version(), drift_database_id(), drift_seq(), "
              "CASE WHEN drift_seq() > 0 THEN drift_time_of(drift_seq()) END, "
              "pg_database_size(current_database()), drift_reader_slots_used(), drift_reader_slots_stale(), "
              "drift_reader_slots_max()",
              8, &a, &v, &n, &err) != 0) {
        if ((status = query_failed(d, "database", &err))) goto done;
    } else if (n == 1) {
        printf("%-15s %s\n", "format version", or_q(v[0]));
        printf("%-15s %s\n", "database id", or_q(v[1]));
        d->head = v[2] ? atoll(v[2]) : -1;
        if (v[3]) printf("%-15s seq %s, committed %s\n", "head", or_q(v[2]), v[3]);
        else printf("%-15s seq %s (no commit yet)\n", "head", or_q(v[2]));
        printf("%-15s %s (%s bytes)\n", "size on disk", human(h1, sizeof h1, v[4]), or_q(v[4]));
        long used = v[5] ? atol(v[5]) : 0, stale = v[6] ? atol(v[6]) : 0, max = v[7] ? atol(v[7]) : 0;
        printf("%-15s %ld in use (this check's own included), %ld stale, %ld max\n", "reader slots", used, stale,
               max);
        if (stale == 1)
            problem(d, "1 reader slot is held by a process that is gone (a running server frees it within "
                       "seconds; without one, the next open with no other process holding the database does)");
        else if (stale > 1)
            problem(d, "%ld reader slots are held by processes that are gone (a running server frees them within "
                       "seconds; without one, the next open with no other process holding the database does)",
                    stale);
        if (max > 0 && used * 10 >= max * 9)
            problem(d, "the reader table is nearly full (%ld of %ld slots in use)", used, max);
    }
    fflush(stdout);

    if (fetch(c,
              "SELECT schema_name, table_name, live_rows, versions, history_bytes FROM drift_tables "
              "ORDER BY schema_name, table_name",
              5, &a, &v, &n, &err) != 0) {
        if ((status = query_failed(d, "tables", &err))) goto done;
    } else if (n == 0) {
        printf("%-15s none\n", "tables");
    } else {
        int wname = (int)strlen("table"), wrows = (int)strlen("live rows"), wvers = (int)strlen("versions");
        const char **names = arena_alloc(&a, sizeof *names * (size_t)n);
        if (!names) {
            fprintf(stderr, "%s: out of memory\n", cli_progname);
            status = 1;
            goto done;
        }
        for (int i = 0; i < n; i++) {
            char **row = v + i * 5;
            names[i] = row[0] && strcmp(row[0], "public") != 0 ? arena_printf(&a, "%s.%s", row[0], or_q(row[1]))
                                                                : or_q(row[1]);
            if (!names[i]) names[i] = "?";
            if ((int)strlen(names[i]) > wname) wname = (int)strlen(names[i]);
            if ((int)strlen(or_q(row[2])) > wrows) wrows = (int)strlen(or_q(row[2]));
            if ((int)strlen(or_q(row[3])) > wvers) wvers = (int)strlen(or_q(row[3]));
        }
        printf("%-15s %d\n", "tables", n);
        printf("  %-*s  %*s  %*s  %s\n", wname, "table", wrows, "live rows", wvers, "versions", "history");
        for (int i = 0; i < n; i++) {
            char **row = v + i * 5;
            printf("  %-*s  %*s  %*s  %s\n", wname, names[i], wrows, or_q(row[2]), wvers, or_q(row[3]),
                   human(h2, sizeof h2, row[4]));
        }
    }
    fflush(stdout);

    char sql[64];
    snprintf(sql, sizeof sql, "VERIFY RECENT %ld", d->recent);
    if (fetch(c, sql, 3, &a, &v, &n, &err) != 0) {
        if ((status = query_failed(d, "verify", &err))) goto done;
    } else if (n == 1) {
        if (v[2] && strcmp(v[2], "OK") == 0) {
            long long checked = v[0] ? atoll(v[0]) : 0;
            if (checked == 0) printf("%-15s no commit to verify yet: OK\n", "verify");
            else if (checked == d->head) printf("%-15s all %lld commits: OK\n", "verify", checked);
            else printf("%-15s the newest %lld commits: OK\n", "verify", checked);
        } else {
            printf("%-15s FAILED at seq %s: %s\n", "verify", or_q(v[1]), or_q(v[2]));
            problem(d, "verification failed at seq %s: %s", or_q(v[1]), or_q(v[2]));
        }
    }

    if (!buf_ok(&d->problems) || !buf_cstr(&d->problems)) {
        fprintf(stderr, "%s: out of memory\n", cli_progname);
        status = 1;
    } else if (d->problems.len) {
        printf("\nPROBLEM: %s\n", (const char *)d->problems.data);
        status = 2;
    } else {
        printf("\nOK: healthy\n");
    }
done:
    fflush(stdout);
    arena_free(&a);
    conn_close(c);
    return status;
}

int cmd_doctor(int argc, char **argv)
{
    Doctor d;
    memset(&d, 0, sizeof d);
    const char *recent = NULL, *tmo = NULL;
    for (int i = 2; i < argc; i++) {
        int m = cli_target_opt(argc, argv, &i, &d.t);
        if (m == 0) m = cli_opt(argc, argv, &i, "--recent", NULL, &recent);
        if (m == 0) m = cli_opt(argc, argv, &i, "--timeout", NULL, &tmo);
        if (m < 0) return 1;
        if (m == 0) return cli_usage_error("unknown argument to doctor: %s", argv[i]);
    }
    d.recent = 1000;
    d.head = -1;
    if (recent) {
        char *end;
        errno = 0;
        d.recent = strtol(recent, &end, 10);
        if (*end || d.recent <= 0 || errno) return cli_usage_error("--recent needs a number of commits above 0");
    }
    long limit = 0;
    if (tmo) {
        char *end;
        limit = strtol(tmo, &end, 10);
        if (*end || limit <= 0) return cli_usage_error("--timeout needs a number of seconds above 0");
    }
    if (d.t.data && !d.t.url) {
        /* not a database at all: say so plainly, before any child runs */
        if (cli_check_data_dir(d.t.data) != 0) return 1;
        /* the header comes from this process, so a child that crashes
         * still leaves it above the verdict */
        printf("DriftDB doctor: data directory %s\n", d.t.data);
    }
    int status;
    if (!d.t.data || d.t.url) {
        status = doctor_run(&d);
    } else {
        int sig = 0;
        if (!limit) limit = cli_guard_limit(d.t.data);
        status = cli_run_guarded(doctor_run, &d, limit, &sig);
        if (status == CLI_GUARD_TIMEOUT) {
            printf("\nPROBLEM: the check did not finish within %ld s; the data file's page structure may be "
                   "damaged (a loop of pages)\n", limit);
            status = 2;
        } else if (status == CLI_GUARD_SIGNAL) {
            printf("\nPROBLEM: reading the data file crashed the check (signal %d, %s); its page structure is "
                   "damaged\n", sig, strsignal(sig));
            status = 2;
        } else if (status == CLI_GUARD_ERROR) {
            status = 1;
        }
    }
    buf_free(&d.problems);
    return status;
}
