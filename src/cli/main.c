/*
 * main.c - the driftdb command: subcommand dispatch and usage.
 *
 *   driftdb init DIR
 *   driftdb sql --data DIR [-e SQL]... [-f FILE]... [--format aligned|csv|json]
 *   driftdb verify --data DIR
 *   driftdb --version | --help
 *
 * Exit status: 0 success; 1 usage error, open error or failed statement;
 * 2 verification failed.  Everything goes through include/driftdb.h.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "../util/alloc.h"
#include "../util/buf.h"

static const char *progname = "driftdb";

static void usage(FILE *out)
{
    fprintf(out,
            "driftdb - an append-only SQL database with time travel\n"
            "\n"
            "Usage:\n"
            "  driftdb init DIR                 create an empty data directory\n"
            "  driftdb sql --data DIR [OPTION]... run SQL (interactive on a terminal)\n"
            "  driftdb verify --data DIR        check the commit log's hash chain\n"
            "  driftdb --version                print the version\n"
            "  driftdb --help                   print this help\n"
            "\n"
            "Options of sql:\n"
            "  -d, --data DIR          the data directory\n"
            "  -e, -c, --command SQL   run SQL (may be given several times)\n"
            "  -f, --file FILE         run the statements of FILE (\"-\" for stdin)\n"
            "  --format FORMAT         aligned (default), csv or json\n"
            "\n"
            "Without -e or -f, sql reads statements interactively when stdin is a\n"
            "terminal, else it runs stdin as a script.  Scripts stop at the first\n"
            "error with exit status 1.\n");
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: ", progname);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry \"%s --help\" for more information.\n", progname);
    return 1;
}

static void print_open_error(const driftdb_error *e)
{
    fprintf(stderr, "%s: error: %s\n", progname, e->message);
    if (e->detail[0]) fprintf(stderr, "DETAIL:  %s\n", e->detail);
    if (e->hint[0]) fprintf(stderr, "HINT:  %s\n", e->hint);
}

/*
 * Matches option argv[*i] against a long name ("--data") and an optional
 * short one ("-d"); takes its value from "--data=X" or the next argument.
 * Returns 1 on a match (*val set), 0 when it is another option, -1 when the
 * value is missing.
 */
static int opt_value(int argc, char **argv, int *i, const char *lng, const char *shrt,
                     const char **val)
{
    const char *a = argv[*i];
    size_t n = strlen(lng);
    if (strncmp(a, lng, n) == 0 && a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (strcmp(a, lng) == 0 || (shrt && strcmp(a, shrt) == 0)) {
        if (*i + 1 >= argc) return -1;
        *val = argv[++*i];
        return 1;
    }
    return 0;
}

static char *read_stream(FILE *f)
{
    Buf b = BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_append(&b, chunk, n);
    if (ferror(f) || !buf_ok(&b)) {
        buf_free(&b);
        return NULL;
    }
    char *s = buf_cstr(&b);
    if (!s) buf_free(&b);
    return s;  /* owned by the caller: free with dd_free via buf memory */
}

static int cmd_init(int argc, char **argv)
{
    if (argc != 3) return usage_error("init takes one argument: %s", "DIR");
    driftdb_error err;
    memset(&err, 0, sizeof err);
    if (driftdb_init(argv[2], &err) != DRIFTDB_OK) {
        print_open_error(&err);
        return 1;
    }
    printf("initialized DriftDB data directory %s\n", argv[2]);
    return 0;
}

static const char *current_user(void)
{
    const char *u = getenv("USER");
    if (u && u[0]) return u;
    struct passwd *pw = getpwuid(getuid());
    return pw ? pw->pw_name : NULL;
}

typedef struct Action {
    char kind;        /* 'e' SQL string, 'f' file */
    const char *arg;
} Action;

static int cmd_sql(int argc, char **argv)
{
    const char *data = NULL, *format = NULL, *val;
    Action *acts = dd_calloc((size_t)argc, sizeof *acts);
    int nacts = 0, status = 0;
    if (!acts) return 1;

    for (int i = 2; i < argc; i++) {
        int m;
        if ((m = opt_value(argc, argv, &i, "--data", "-d", &val)) != 0) {
            if (m < 0) { dd_free(acts); return usage_error("option %s needs a value", argv[i]); }
            data = val;
        } else if ((m = opt_value(argc, argv, &i, "--command", "-e", &val)) != 0 ||
                   (m = opt_value(argc, argv, &i, "--command", "-c", &val)) != 0) {
            if (m < 0) { dd_free(acts); return usage_error("option %s needs a value", argv[i]); }
            acts[nacts++] = (Action){'e', val};
        } else if ((m = opt_value(argc, argv, &i, "--file", "-f", &val)) != 0) {
            if (m < 0) { dd_free(acts); return usage_error("option %s needs a value", argv[i]); }
            acts[nacts++] = (Action){'f', val};
        } else if ((m = opt_value(argc, argv, &i, "--format", NULL, &val)) != 0) {
            if (m < 0) { dd_free(acts); return usage_error("option %s needs a value", argv[i]); }
            format = val;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            dd_free(acts);
            return 0;
        } else {
            dd_free(acts);
            return usage_error("unknown argument to sql: %s", argv[i]);
        }
    }
    CliCtx c;
    memset(&c, 0, sizeof c);
    if (format && fmt_parse(format, &c.fmt) != 0) {
        dd_free(acts);
        return usage_error("unknown --format \"%s\" (aligned, csv or json)", format);
    }
    if (!data) {
        dd_free(acts);
        return usage_error("%s", "sql needs --data DIR");
    }

    driftdb_error err;
    memset(&err, 0, sizeof err);
    if (driftdb_open(data, NULL, &c.db, &err) != DRIFTDB_OK) {
        print_open_error(&err);
        dd_free(acts);
        return 1;
    }
    driftdb_session_info info = {current_user(), "driftdb", NULL, NULL};
    if (driftdb_session_open(c.db, &info, &c.s, &err) != DRIFTDB_OK) {
        print_open_error(&err);
        driftdb_close(c.db);
        dd_free(acts);
        return 1;
    }

    if (nacts == 0 && isatty(STDIN_FILENO)) {
        status = repl_run(&c);
    } else if (nacts == 0) {
        acts[nacts++] = (Action){'f', "-"};
    }
    for (int i = 0; i < nacts && status == 0; i++) {
        if (acts[i].kind == 'e') {
            c.whole_text = 1;
            status = cli_run_sql(&c, acts[i].arg, 1);
            c.whole_text = 0;
            continue;
        }
        int is_stdin = strcmp(acts[i].arg, "-") == 0;
        FILE *f = is_stdin ? stdin : fopen(acts[i].arg, "r");
        if (!f) {
            fprintf(stderr, "%s: %s: %s\n", progname, acts[i].arg, strerror(errno));
            status = 1;
            break;
        }
        char *text = read_stream(f);
        if (!is_stdin) fclose(f);
        if (!text) {
            fprintf(stderr, "%s: %s: could not read\n", progname, acts[i].arg);
            status = 1;
            break;
        }
        status = cli_run_sql(&c, text, 1);
        dd_free(text);
    }
    driftdb_session_close(c.s);
    driftdb_close(c.db);
    dd_free(acts);
    return status;
}

static int cmd_verify(int argc, char **argv)
{
    const char *data = NULL, *val;
    for (int i = 2; i < argc; i++) {
        int m = opt_value(argc, argv, &i, "--data", "-d", &val);
        if (m < 0) return usage_error("option %s needs a value", argv[i]);
        if (m == 0) return usage_error("unknown argument to verify: %s", argv[i]);
        data = val;
    }
    if (!data) return usage_error("%s", "verify needs --data DIR");

    driftdb *db = NULL;
    driftdb_error err;
    memset(&err, 0, sizeof err);
    driftdb_options opts = {.read_only = 1, .initial_map_size = 0};
    if (driftdb_open(data, &opts, &db, &err) != DRIFTDB_OK) {
        print_open_error(&err);
        return 1;
    }
    uint64_t checked = 0, first_bad = 0;
    int rc = driftdb_verify(db, &checked, &first_bad, &err);
    driftdb_close(db);
    if (rc == DRIFTDB_OK) {
        printf("verified %llu commits: OK\n", (unsigned long long)checked);
        return 0;
    }
    printf("verification FAILED at seq %llu: %s\n", (unsigned long long)first_bad, err.message);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 1;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0 || strcmp(cmd, "version") == 0) {
        printf("driftdb %s\n", driftdb_version());
        return 0;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "init") == 0) return cmd_init(argc, argv);
    if (strcmp(cmd, "sql") == 0) return cmd_sql(argc, argv);
    if (strcmp(cmd, "verify") == 0) return cmd_verify(argc, argv);
    return usage_error("unknown command \"%s\"", cmd);
}
