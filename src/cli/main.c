/*
 * main.c - the driftdb command: subcommand dispatch, usage, the options
 * every command shares (--data / --url) and the small commands (init, sql,
 * verify, snapshot, compact).
 *
 *   driftdb init DIR
 *   driftdb sql      (--data DIR | --url URL) [-e SQL]... [-f FILE]... [--format F]
 *   driftdb select   (--data DIR | --url URL) -t TABLE [-w WHERE] [--as-of X] [-l N] [--format F]
 *   driftdb drift    (--data DIR | --url URL) -t TABLE -k KEY [-k KEY]... [--format text|json]
 *   driftdb ingest   (--data DIR | --url URL) -t TABLE -f FILE [--format jsonl|csv] [--batch N]
 *   driftdb diff     (--data DIR | --url URL) -t TABLE --from X [--to Y] [--format text|json]
 *   driftdb verify   (--data DIR | --url URL) [--timeout SECONDS]
 *   driftdb doctor   (--data DIR | --url URL) [--recent N] [--timeout SECONDS]   (doctor.c)
 *   driftdb backup   --data DIR --to FILE [--since BASE]
 *   driftdb restore  --from FILE --data DIR [--until-seq N | --until-time TS] [--force]
 *   driftdb snapshot (--data DIR | --url URL) -t TABLE     (CHECKPOINT TABLE)
 *   driftdb compact  (--data DIR | --url URL) [-t TABLE]   (VACUUM)
 *   driftdb COMMAND --help | -h     that command's page (cmd_help)
 *   driftdb --version | --help
 *
 * Exit status: 0 success; 1 usage error, open error or failed statement;
 * 2 verification failed or the data file does not open as a database
 * (doctor: a problem found).  Everything goes
 * through include/driftdb.h or libpq (conn.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cli.h"
#include "../util/alloc.h"
#include "../util/buf.h"

const char *cli_progname = "driftdb";
/* the command being run, once it is known: usage errors point at its page */
static const char *cli_command;

static void usage(FILE *out)
{
    fprintf(out,
            "driftdb - an append-only SQL database with time travel\n"
            "\n"
            "Usage:\n"
            "  driftdb init DIR [--superuser NAME]      create an empty data directory\n"
            "  driftdb sql TARGET [-e SQL]... [-f FILE]... [--format F]\n"
            "                                           run SQL (interactive on a terminal)\n"
            "  driftdb select TARGET -t TABLE [-w WHERE] [--as-of @SEQ:n|N|TIMESTAMP|now]\n"
            "                 [-l N] [--format aligned|csv|json]\n"
            "                                           a table at a point in time\n"
            "  driftdb drift TARGET -t TABLE -k KEY... [--format text|json]\n"
            "                                           one row's history as a timeline\n"
            "  driftdb ingest TARGET -t TABLE -f FILE [--format jsonl|csv] [--batch N]\n"
            "                                           load JSON Lines or CSV into a table\n"
            "  driftdb diff TARGET -t TABLE --from X [--to Y] [--format text|json]\n"
            "                                           rows that differ between two points\n"
            "  driftdb verify TARGET [-t TABLE | --from-seq N] [--timeout SECONDS]\n"
            "                                           check every structure against the log\n"
            "  driftdb doctor TARGET [--recent N] [--timeout SECONDS]\n"
            "                                           the database's health on one screen\n"
            "  driftdb backup --data DIR --to FILE [--since BASE]\n"
            "                                           consistent zstd copy (beside a server too),\n"
            "                                           incremental on BASE\n"
            "  driftdb restore --from FILE --data DIR [--until-seq N | --until-time TS] [--force]\n"
            "                                           restore a backup (to seq N), verified\n"
            "  driftdb snapshot TARGET -t TABLE         CHECKPOINT TABLE\n"
            "  driftdb compact TARGET [-t TABLE]        VACUUM\n"
            "  driftdb COMMAND --help                   a command's options, explained\n"
            "  driftdb --version                        print the version\n"
            "  driftdb --help                           print this help\n"
            "\n"
            "TARGET is one of:\n"
            "  -d, --data DIR     a data directory, opened in this process; while a server\n"
            "                     holds it, reading commands open it read-only beside the\n"
            "                     server and writing ones must use --url\n"
            "  --url URL          a running server: postgresql://USER@HOST:PORT/DB or any\n"
            "                     libpq connection string\n"
            "  (neither)          a server from the PG* environment (PGHOST, PGPORT, ...)\n"
            "\n"
            "A point in time (select --as-of, diff --from / --to) is @SEQ:n or just n (a\n"
            "commit seq), a timestamp, or now.\n"
            "\n"
            "Exit status: 0 success; 1 a usage error, a target that cannot be reached or\n"
            "opened, or a failed statement; 2 verify found damage or doctor a problem.\n");
}

#define TARGET_HELP                                                                       \
    "  -d, --data DIR        a data directory (read-only beside a server for reading\n"   \
    "                        commands)\n"                                                 \
    "  --url URL             a running server (postgresql://USER@HOST:PORT/DB or any\n"   \
    "                        libpq connection string); neither: the PG* environment\n"
#define POINT_HELP                                                                        \
    "POINT is @SEQ:n or just n (a commit seq), a timestamp (read as timestamptz in\n"     \
    "the session's time zone), or now.\n"

/* One command's own page: driftdb COMMAND --help. */
typedef struct CmdHelp {
    const char *name;
    const char *text;
} CmdHelp;

static const CmdHelp cmd_help[] = {
    {"init",
     "Usage: driftdb init DIR [--superuser NAME]\n"
     "\n"
     "Creates an empty DriftDB data directory DIR (made when missing; an existing\n"
     "one must be empty).\n"
     "\n"
     "Options:\n"
     "  -U, --superuser NAME  the first role, a superuser (default: your OS user\n"
     "                        name, as psql's default user)\n"},
    {"sql",
     "Usage: driftdb sql TARGET [-e SQL]... [-f FILE]... [--format aligned|csv|json]\n"
     "\n"
     "Runs SQL and prints results as psql does.\n"
     "\n"
     "Options:\n" TARGET_HELP
     "  -e, -c, --command SQL run SQL, sent whole as one implicit transaction (as\n"
     "                        psql -c); may be given several times\n"
     "  -f, --file FILE       run the statements of FILE one by one (as psql -f;\n"
     "                        \"-\" for stdin); may be given several times\n"
     "  --format FORMAT       aligned (default), csv or json\n"
     "  -h, --help            print this help\n"
     "\n"
     "-e and -f run in the order given.  Without them, sql reads statements\n"
     "interactively when stdin is a terminal (\\q quits, \\? lists the\n"
     "meta-commands), else it runs stdin as a script.  The first error stops the\n"
     "run with exit status 1.\n"},
    {"select",
     "Usage: driftdb select TARGET -t TABLE [-w WHERE] [--as-of POINT] [-l N]\n"
     "                      [--format aligned|csv|json]\n"
     "\n"
     "Prints SELECT * FROM TABLE [FOR SYSTEM_TIME AS OF POINT] [WHERE (WHERE)]\n"
     "[LIMIT N].\n"
     "\n"
     "Options:\n" TARGET_HELP
     "  -t, --table TABLE     the table (folded to lower case unless \"quoted\")\n"
     "  -w, --where WHERE     an SQL condition, pasted as written\n"
     "  --as-of POINT         the point in time (default: now)\n"
     "  -l, --limit N         at most N rows\n"
     "  --format FORMAT       aligned (default), csv or json\n"
     "  -h, --help            print this help\n"
     "\n" POINT_HELP},
    {"drift",
     "Usage: driftdb drift TARGET -t TABLE -k KEY [-k KEY]... [--format text|json]\n"
     "\n"
     "Prints the history of one row: each change with its seq, commit time, user\n"
     "and operation (INSERT, UPDATE, DELETE) and the columns that changed,\n"
     "old -> new.  Each version shows as it was written (a column dropped since\n"
     "still shows its changes).\n"
     "\n"
     "Options:\n" TARGET_HELP
     "  -t, --table TABLE     the table\n"
     "  -k, --key KEY         the row's primary key value (as text; it takes the\n"
     "                        key column's type); a key of several columns takes\n"
     "                        one -k per column, in the order SHOW COLUMNS lists them\n"
     "  --format FORMAT       text (default) or json (one array of events)\n"
     "  -h, --help            print this help\n"},
    {"ingest",
     "Usage: driftdb ingest TARGET -t TABLE -f FILE [--format jsonl|csv] [--batch N]\n"
     "\n"
     "Loads JSON Lines or CSV into TABLE, which must exist.  A document-style\n"
     "table (CREATE TABLE t (pk=id)) grows a column for each new key.\n"
     "\n"
     "Options:\n" TARGET_HELP
     "  -t, --table TABLE     the table to load into\n"
     "  -f, --file FILE       the input (\"-\" for stdin)\n"
     "  --format FORMAT       jsonl (default; from a name ending .csv: csv) or csv\n"
     "                        (RFC 4180 with a header line)\n"
     "  --batch N             commit every N rows (default: one transaction)\n"
     "  -h, --help            print this help\n"
     "\n"
     "A malformed line or a refused row fails with its line number and rolls back\n"
     "the open transaction (earlier --batch commits stay).  Writes: beside a\n"
     "server, use --url.\n"},
    {"diff",
     "Usage: driftdb diff TARGET -t TABLE --from POINT [--to POINT]\n"
     "                    [--format text|json]\n"
     "\n"
     "Prints the rows of TABLE that differ between two points in time: + inserted,\n"
     "- deleted, ~ updated with the columns that changed, old -> new.\n"
     "\n"
     "Options:\n" TARGET_HELP
     "  -t, --table TABLE     the table; rows are matched by its primary key (one\n"
     "                        column or several, compared as text)\n"
     "  --from POINT          the first point\n"
     "  --to POINT            the second point (default: now)\n"
     "  --format FORMAT       text (default) or json (one array of {key, change,\n"
     "                        before, after}; the key of several columns is an\n"
     "                        object)\n"
     "  -h, --help            print this help\n"
     "\n" POINT_HELP},
    {"verify",
     "Usage: driftdb verify TARGET [-t TABLE | --from-seq N] [--timeout SECONDS]\n"
     "\n"
     "Runs VERIFY: every checksum and the hash chain of the commit log, and every\n"
     "structure a query reads, against it.  Prints \"verified N commits: OK\" or\n"
     "\"verification FAILED at seq N: ...\".\n"
     "\n"
     "Options:\n" TARGET_HELP
     "  -t, --table TABLE     VERIFY TABLE: the chain, and only that table's rows,\n"
     "                        versions and index entries\n"
     "  --from-seq N          VERIFY FROM @SEQ:N: the commits from N to the newest\n"
     "  --timeout SECONDS     with --data, the check's time limit (default 60 plus\n"
     "                        1 per MiB of data file); a check that runs longer, or\n"
     "                        crashes on a damaged page, is reported as damage\n"
     "  -h, --help            print this help\n"
     "\n"
     "Exit status: 0 OK; 2 damage found (a data file that does not open as a\n"
     "database included); 1 a usage error or a target that cannot be reached (no\n"
     "such directory, no driftdb.mdb in it, no server).\n"},
    {"doctor",
     "Usage: driftdb doctor TARGET [--recent N] [--timeout SECONDS]\n"
     "\n"
     "The database's health on one screen: format version, database id, head seq\n"
     "and time, size on disk, LMDB reader slots (in use, stale, max), each table's\n"
     "live rows, versions and history bytes, and VERIFY RECENT N; then \"OK:\n"
     "healthy\" or \"PROBLEM: ...\".\n"
     "\n"
     "Options:\n" TARGET_HELP
     "  --recent N            verify the newest N commits (default 1000)\n"
     "  --timeout SECONDS     with --data, the check's time limit (default 60 plus\n"
     "                        1 per MiB of data file)\n"
     "  -h, --help            print this help\n"
     "\n"
     "Exit status, as verify's: 0 healthy; 2 a problem found (a data file that\n"
     "does not open included); 1 a usage error or a target that cannot be reached.\n"},
    {"backup",
     "Usage: driftdb backup --data DIR --to FILE [--since BASE]\n"
     "\n"
     "Writes a consistent copy of the whole database (all history), compressed\n"
     "with zstd and checksummed (SHA-256 of every page).  It opens DIR read-only,\n"
     "so it runs beside a server that is writing.  With --since, an incremental\n"
     "backup: only the pages changed since BASE, an earlier backup of the same\n"
     "database in the same directory; restore reads it, then BASE (by its name,\n"
     "beside it), and so on back to a full backup.\n"
     "\n"
     "Options:\n"
     "  -d, --data DIR        the data directory to copy\n"
     "  -o, --to FILE         the backup file to write\n"
     "  --since BASE          an incremental backup on the backup file BASE\n"
     "  -h, --help            print this help\n"},
    {"restore",
     "Usage: driftdb restore --from FILE --data DIR [--until-seq N | --until-time TS] [--force]\n"
     "                       [--no-verify]\n"
     "\n"
     "Writes a backup into a data directory, whole or as the database was at seq\n"
     "N, and verifies it.  A truncated, damaged or foreign file writes nothing.\n"
     "\n"
     "Options:\n"
     "  -i, --from FILE       the backup file\n"
     "  -d, --data DIR        the data directory to create (new or empty)\n"
     "  --until-seq N         restore the database as it was at commit seq N\n"
     "  --until-time TS       as it was at that time (a timestamptz, UTC unless it\n"
     "                        names a zone): the commits made at or before it\n"
     "  --force               replace an existing data directory (no process may\n"
     "                        use it); it is kept when the restore fails\n"
     "  --no-verify           do not verify the result (a backup of a database\n"
     "                        already damaged, restored to read what it holds)\n"
     "  -h, --help            print this help\n"},
    {"snapshot",
     "Usage: driftdb snapshot TARGET -t TABLE\n"
     "\n"
     "Runs CHECKPOINT TABLE: writes the keys of the table's rows now, which\n"
     "scans AS OF points near it start from, and prints its seq and rows.\n"
     "\n"
     "Options:\n" TARGET_HELP
     "  -t, --table TABLE     the table\n"
     "  -h, --help            print this help\n"},
    {"compact",
     "Usage: driftdb compact TARGET [-t TABLE]\n"
     "       driftdb compact --data DIR --full\n"
     "\n"
     "Runs VACUUM [TABLE]. It reclaims nothing itself: DELETE HISTORY and ERASE\n"
     "reclaim the space they free when they commit, for later writes to reuse.\n"
     "With --full (no server may use DIR) it rewrites the data file with only\n"
     "the pages in use, renumbered, so the file shrinks: a compacted copy of DIR\n"
     "restored over it, verified; every answer stays the same.\n"
     "\n"
     "Options:\n" TARGET_HELP
     "  -t, --table TABLE     only this table\n"
     "  --full                rewrite the data file (the server stopped)\n"
     "  -h, --help            print this help\n"},
};

/* The help page of command name, or NULL when there is no such command. */
static const char *command_help(const char *name)
{
    for (size_t i = 0; i < sizeof cmd_help / sizeof cmd_help[0]; i++)
        if (strcmp(cmd_help[i].name, name) == 0) return cmd_help[i].text;
    return NULL;
}

int cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", cli_progname);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (cli_command)
        fprintf(stderr, "\nTry \"%s %s --help\" for more information.\n", cli_progname, cli_command);
    else
        fprintf(stderr, "\nTry \"%s --help\" for more information.\n", cli_progname);
    return 1;
}

void cli_print_plain_error(const driftdb_error *e)
{
    fprintf(stderr, "%s: error: %s\n", cli_progname, e->message);
    if (e->detail[0]) fprintf(stderr, "DETAIL:  %s\n", e->detail);
    if (e->hint[0]) fprintf(stderr, "HINT:  %s\n", e->hint);
}

int cli_opt(int argc, char **argv, int *i, const char *lng, const char *shrt, const char **val)
{
    const char *a = argv[*i];
    size_t n = strlen(lng);
    if (strncmp(a, lng, n) == 0 && a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (strcmp(a, lng) == 0 || (shrt && strcmp(a, shrt) == 0)) {
        if (*i + 1 >= argc) {
            cli_usage_error("option %s needs a value", a);
            return -1;
        }
        *val = argv[++*i];
        return 1;
    }
    return 0;
}

int cli_target_opt(int argc, char **argv, int *i, CliTarget *t)
{
    int m = cli_opt(argc, argv, i, "--data", "-d", &t->data);
    if (m == 0) m = cli_opt(argc, argv, i, "--url", NULL, &t->url);
    return m;
}

/* True when the environment names a server for libpq. */
static int pg_env_set(void)
{
    static const char *const vars[] = {"PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && v[0]) return 1;
    }
    return 0;
}

int cli_connect_err(const CliTarget *t, ConnAccess access, const char *cmd, Conn **out, driftdb_error *err)
{
    const char *url = t->url;
    if (t->data && t->url) return cli_usage_error("%s takes --data DIR or --url URL, not both", cmd);
    if (!t->data && !url) {
        if (!pg_env_set()) return cli_usage_error("%s needs --data DIR or --url URL", cmd);
        url = "";
    }
    char app[64];
    snprintf(app, sizeof app, "driftdb %s", cmd);
    memset(err, 0, sizeof *err);
    return conn_open(t->data, url, access, app, out, err) != 0 ? -1 : 0;
}

int cli_connect(const CliTarget *t, ConnAccess access, const char *cmd, Conn **out)
{
    driftdb_error err;
    int rc = cli_connect_err(t, access, cmd, out, &err);
    if (rc < 0) {
        cli_print_plain_error(&err);
        return 1;
    }
    return rc;
}

void cli_put_ident(Buf *b, const char *name)
{
    int plain = name[0] && !isdigit((unsigned char)name[0]) && name[0] != '.';
    for (const char *p = name; *p && plain; p++)
        plain = (*p >= 'a' && *p <= 'z') || isdigit((unsigned char)*p) || *p == '_' ||
                (*p == '.' && p[1] && p[1] != '.');
    if (plain) {
        buf_puts(b, name);
        return;
    }
    buf_putc(b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"') buf_putc(b, '"');
        buf_putc(b, (u8)*p);
    }
    buf_putc(b, '"');
}

void cli_put_user_name(Buf *b, const char *name)
{
    size_t n = strlen(name);
    if (n >= 2 && name[0] == '"' && name[n - 1] == '"') {
        buf_append(b, name, n);   /* quoted by the user: exact */
        return;
    }
    int plain = n > 0 && !isdigit((unsigned char)name[0]);
    for (const char *p = name; *p && plain; p++)
        plain = isalnum((unsigned char)*p) || *p == '_';
    if (plain) buf_puts(b, name);  /* folded to lower case by SQL, as typed in a statement */
    else cli_put_ident(b, name);
}

void cli_put_literal(Buf *b, const char *s, size_t n)
{
    buf_putc(b, '\'');
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'') {
            buf_append(b, s + from, i + 1 - from);
            buf_putc(b, '\'');
            from = i + 1;
        }
    }
    buf_append(b, s + from, n - from);
    buf_putc(b, '\'');
}

void cli_json_string(const char *s)
{
    if (!s) { fputs("null", stdout); return; }
    fputc('"', stdout);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') printf("\\%c", ch);
        else if (ch == '\n') fputs("\\n", stdout);
        else if (ch == '\t') fputs("\\t", stdout);
        else if (ch == '\r') fputs("\\r", stdout);
        else if (ch < 0x20) printf("\\u%04x", ch);
        else fputc(ch, stdout);
    }
    fputc('"', stdout);
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
    return s;  /* owned by the caller: dd_free */
}

static int cmd_init(int argc, char **argv)
{
    const char *dir = NULL, *super = NULL;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--superuser") == 0 || strcmp(argv[i], "-U") == 0) {
            if (i + 1 >= argc) return cli_usage_error("%s needs a role name", argv[i]);
            super = argv[++i];
        } else if (strncmp(argv[i], "--superuser=", 12) == 0) {
            super = argv[i] + 12;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage_error("unknown option to init: %s", argv[i]);
        } else if (dir) {
            return cli_usage_error("init takes one directory, not also %s", argv[i]);
        } else {
            dir = argv[i];
        }
    }
    if (!dir) return cli_usage_error("init takes one argument: %s", "DIR");
    driftdb_error err;
    memset(&err, 0, sizeof err);
    if (driftdb_init_superuser(dir, super, &err) != DRIFTDB_OK) {
        cli_print_plain_error(&err);
        return 1;
    }
    printf("initialized DriftDB data directory %s\n", dir);
    return 0;
}

typedef struct Action {
    char kind;        /* 'e' SQL string, 'f' file */
    const char *arg;
} Action;

static int cmd_sql(int argc, char **argv)
{
    const char *format = NULL, *val;
    CliTarget t = {NULL, NULL};
    Action *acts = dd_calloc((size_t)argc, sizeof *acts);
    int nacts = 0, status = 0, m;
    if (!acts) return 1;

    for (int i = 2; i < argc; i++) {
        if ((m = cli_target_opt(argc, argv, &i, &t)) != 0) {
            if (m < 0) goto usage_failed;
        } else if ((m = cli_opt(argc, argv, &i, "--command", "-e", &val)) != 0 ||
                   (m = cli_opt(argc, argv, &i, "--command", "-c", &val)) != 0) {
            if (m < 0) goto usage_failed;
            acts[nacts++] = (Action){'e', val};
        } else if ((m = cli_opt(argc, argv, &i, "--file", "-f", &val)) != 0) {
            if (m < 0) goto usage_failed;
            acts[nacts++] = (Action){'f', val};
        } else if ((m = cli_opt(argc, argv, &i, "--format", NULL, &val)) != 0) {
            if (m < 0) goto usage_failed;
            format = val;
        } else {
            cli_usage_error("unknown argument to sql: %s", argv[i]);
            goto usage_failed;
        }
    }
    CliCtx c;
    memset(&c, 0, sizeof c);
    if (format && fmt_parse(format, &c.fmt) != 0) {
        cli_usage_error("unknown --format \"%s\" (aligned, csv or json)", format);
        goto usage_failed;
    }
    if (cli_connect(&t, CONN_MAYBE, "sql", &c.conn) != 0) goto usage_failed;

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
            fprintf(stderr, "%s: %s: %s\n", cli_progname, acts[i].arg, strerror(errno));
            status = 1;
            break;
        }
        char *text = read_stream(f);
        if (!is_stdin) fclose(f);
        if (!text) {
            fprintf(stderr, "%s: %s: could not read\n", cli_progname, acts[i].arg);
            status = 1;
            break;
        }
        status = cli_run_script(&c, text, 1);
        dd_free(text);
    }
    conn_close(c.conn);
    dd_free(acts);
    return status;
usage_failed:
    dd_free(acts);
    return 1;
}

/* What verify runs: over a target, a statement (VERIFY, VERIFY TABLE t,
 * VERIFY FROM @SEQ:n). */
typedef struct VerifyJob {
    CliTarget t;
    const char *sql;
} VerifyJob;

/* The VERIFY statement over t, its result printed.  0 OK, 2 damage, 1
 * other failures. */
static int run_verify(const VerifyJob *job)
{
    const CliTarget *t = &job->t;
    Conn *c;
    driftdb_error err;
    int crc = cli_connect_err(t, CONN_CHECK, "verify", &c, &err);
    if (crc > 0) return 1;
    if (crc < 0) {
        cli_print_plain_error(&err);
        /* a data file that does not open as a database is damage, as for doctor */
        return t->data && strcmp(err.sqlstate, "XX001") == 0 ? 2 : 1;
    }
    memset(&err, 0, sizeof err);
    char checked[32] = "", first_bad[32] = "", status[512] = "";
    size_t off = 0;
    ConnResult *r;
    int rc, got = 0;
    while ((rc = conn_exec_next(c, job->sql, &off, &r, &err)) == DRIFTDB_ROW_RESULT) {
        if (conn_result_has_rows(r) && conn_result_ncols(r) == 3 && conn_result_next(r, &err) == 1) {
            const char *v;
            if ((v = conn_result_value(r, 0, NULL))) snprintf(checked, sizeof checked, "%s", v);
            if ((v = conn_result_value(r, 1, NULL))) snprintf(first_bad, sizeof first_bad, "%s", v);
            if ((v = conn_result_value(r, 2, NULL))) snprintf(status, sizeof status, "%s", v);
            got = 1;
        }
        conn_result_free(r);
    }
    conn_close(c);
    if (rc == DRIFTDB_ERROR || !got) {
        if (rc != DRIFTDB_ERROR) conn_set_error(&err, "XX000", "VERIFY returned no row");
        cli_print_plain_error(&err);
        /* a file that does not even open as a database is damage too */
        return strcmp(err.sqlstate, "XX001") == 0 ? 2 : 1;
    }
    if (strcmp(status, "OK") == 0) {
        printf("verified %s commits: OK\n", checked);
        return 0;
    }
    printf("verification FAILED at seq %s: %s\n", first_bad[0] ? first_bad : "?", status);
    return 2;
}

int cli_check_data_dir(const char *dir)
{
    struct stat sb;
    char path[4096];
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "%s: error: data directory \"%s\" does not exist\n", cli_progname, dir);
        return 1;
    }
    snprintf(path, sizeof path, "%s/driftdb.mdb", dir);
    if (stat(path, &sb) != 0) {
        fprintf(stderr, "%s: error: \"%s\" is not a DriftDB data directory (it has no driftdb.mdb)\n",
                cli_progname, dir);
        return 1;
    }
    return 0;
}

long cli_guard_limit(const char *dir)
{
    char path[4096];
    struct stat sb;
    snprintf(path, sizeof path, "%s/driftdb.mdb", dir);
    return 60 + (stat(path, &sb) == 0 ? (long)(sb.st_size >> 20) : 0);
}

int cli_run_guarded(int (*fn)(void *), void *arg, long limit, int *sig)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) return fn(arg);
    if (pid == 0) {
        int st = fn(arg);
        fflush(stdout);
        fflush(stderr);
        _exit(st);
    }
    struct timespec start, now, nap = {0, 5 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &start);
    int status = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) break;
        if (w < 0 && errno != EINTR) {
            fprintf(stderr, "%s: error: waiting for the check: %s\n", cli_progname, strerror(errno));
            return CLI_GUARD_ERROR;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= limit) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return CLI_GUARD_TIMEOUT;
        }
        nanosleep(&nap, NULL);
    }
    if (WIFSIGNALED(status)) {
        *sig = WTERMSIG(status);
        return CLI_GUARD_SIGNAL;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static int run_verify_guarded(void *job) { return run_verify(job); }

/*
 * verify: the embedded check over a directory (read-only, so it runs beside
 * a server), or the VERIFY statement through a server.  Over a directory
 * the check runs in a child process (cli_run_guarded), and a child that
 * died from a signal or did not finish within the time limit (--timeout
 * SECONDS; by default 60 s plus 1 s per MiB of data file) is reported as
 * damage.
 */
static int cmd_verify(int argc, char **argv)
{
    CliTarget t = {NULL, NULL};
    const char *tmo = NULL, *table = NULL, *from = NULL;
    for (int i = 2; i < argc; i++) {
        int m = cli_target_opt(argc, argv, &i, &t);
        if (m == 0) m = cli_opt(argc, argv, &i, "--timeout", NULL, &tmo);
        if (m == 0) m = cli_opt(argc, argv, &i, "--table", "-t", &table);
        if (m == 0) m = cli_opt(argc, argv, &i, "--from-seq", NULL, &from);
        if (m < 0) return 1;
        if (m == 0) return cli_usage_error("unknown argument to verify: %s", argv[i]);
    }
    long limit = 0;
    if (tmo) {
        char *end;
        limit = strtol(tmo, &end, 10);
        if (*end || limit <= 0) return cli_usage_error("--timeout needs a number of seconds above 0");
    }
    if (table && from) return cli_usage_error("verify takes --table or --from-seq, not both");
    Buf sql = BUF_INIT;
    buf_puts(&sql, "VERIFY");
    if (table) {
        buf_puts(&sql, " TABLE ");
        cli_put_ident(&sql, table);
    } else if (from) {
        char *end;
        unsigned long long n = strtoull(from, &end, 10);
        if (*end || n == 0 || from[0] == '-') {
            buf_free(&sql);
            return cli_usage_error("--from-seq needs a commit seq (1, 2, ...)");
        }
        buf_printf(&sql, " FROM @SEQ:%llu", n);
    }
    const char *text = buf_cstr(&sql);
    if (!text) {
        buf_free(&sql);
        fprintf(stderr, "%s: error: out of memory\n", cli_progname);
        return 1;
    }
    VerifyJob job = {t, text};
    int st;
    if (!t.data || t.url) {
        st = run_verify(&job);
        buf_free(&sql);
        return st;
    }
    if (cli_check_data_dir(t.data) != 0) {
        buf_free(&sql);
        return 1;
    }
    if (!limit) limit = cli_guard_limit(t.data);
    int sig = 0;
    st = cli_run_guarded(run_verify_guarded, &job, limit, &sig);
    buf_free(&sql);
    if (st == CLI_GUARD_TIMEOUT) {
        printf("verification FAILED: the check did not finish within %ld s; the data file's page "
               "structure may be damaged (a loop of pages)\n", limit);
        return 2;
    }
    if (st == CLI_GUARD_SIGNAL) {
        printf("verification FAILED: reading the data file crashed the check (signal %d, %s); its page "
               "structure is damaged\n", sig, strsignal(sig));
        return 2;
    }
    return st == CLI_GUARD_ERROR ? 1 : st;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The backup's progress bar on a terminal (stderr), redrawn at most four
 * times a second: "[#####.....]  45%  12.0 of 26.7 MiB  80 MiB/s". */
typedef struct BackupBar {
    double t0, last;
} BackupBar;

static void backup_bar(void *arg, uint64_t done, uint64_t total)
{
    BackupBar *b = arg;
    double t = now_s();
    bool final = done == total;
    if (!final && t - b->last < 0.25) return;
    b->last = t;
    int pct = total ? (int)(done * 100 / total) : 100;
    char bar[31];
    for (int i = 0; i < 30; i++) bar[i] = i < pct * 30 / 100 ? '#' : '.';
    bar[30] = 0;
    double el = t - b->t0;
    fprintf(stderr, "\r\033[K[%s] %3d%%  %.1f of %.1f MiB  %.0f MiB/s", bar, pct, (double)done / 1048576.0,
            (double)total / 1048576.0, el > 0 ? (double)done / 1048576.0 / el : 0.0);
    if (final) fputc('\n', stderr);
    fflush(stderr);
}

/* The file a backup writes until it is whole (FILE.tmp, image.c): a
 * signal that ends the command removes it first. */
static char backup_tmp[4200];

static void backup_signal(int sig)
{
    unlink(backup_tmp);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* bytes as "12.3 MiB", or in KiB below a MiB */
static void size_text(double bytes, char out[32])
{
    if (bytes < 1048576.0) snprintf(out, 32, "%.1f KiB", bytes / 1024.0);
    else snprintf(out, 32, "%.1f MiB", bytes / 1048576.0);
}

/* backup --data DIR --to FILE: a consistent, compressed, checksummed copy
 * of the whole database; read-only, so it runs beside a server.  A
 * progress bar on a terminal. */
static int cmd_backup(int argc, char **argv)
{
    CliTarget t = {NULL, NULL};
    const char *to = NULL, *since = NULL;
    for (int i = 2; i < argc; i++) {
        int m = cli_target_opt(argc, argv, &i, &t);
        if (m == 0) m = cli_opt(argc, argv, &i, "--to", "-o", &to);
        if (m == 0) m = cli_opt(argc, argv, &i, "--since", NULL, &since);
        if (m < 0) return 1;
        if (m == 0) return cli_usage_error("unknown argument to backup: %s", argv[i]);
    }
    if (!t.data) return cli_usage_error("backup needs --data DIR (it reads the data directory, also beside a running server)");
    if (!to) return cli_usage_error("backup needs --to FILE");
    driftdb *db;
    driftdb_error err;
    /* the page check first, as verify's: a damaged file is reported,
     * never followed by LMDB */
    driftdb_options o = {.read_only = 1, .initial_map_size = 0, .check_file = 1};
    if (driftdb_open(t.data, &o, &db, &err) != DRIFTDB_OK) {
        cli_print_plain_error(&err);
        return 1;
    }
    driftdb_backup_info bi;
    double t0 = now_s();
    BackupBar bar = {t0, 0};
    bool tty = isatty(STDERR_FILENO);
    if (snprintf(backup_tmp, sizeof backup_tmp, "%s.tmp", to) < (int)sizeof backup_tmp) {
        signal(SIGINT, backup_signal);
        signal(SIGTERM, backup_signal);
        signal(SIGHUP, backup_signal);
    }
    int rc = driftdb_backup_ex(db, to, since, 0, tty ? backup_bar : NULL, &bar, &bi, &err);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    if (rc != DRIFTDB_OK && tty) fputs("\r\033[K", stderr);   /* the bar goes before the error */
    double dt = now_s() - t0;
    driftdb_close(db);
    if (rc != DRIFTDB_OK) {
        cli_print_plain_error(&err);
        return 1;
    }
    double rate = dt > 0 ? (double)bi.raw_bytes / 1048576.0 / dt : 0.0;
    char raw[32], file[32];
    size_text((double)bi.raw_bytes, raw);
    size_text((double)bi.file_bytes, file);
    if (since)
        printf("backed up seq %llu, %llu of %llu pages changed since %s, into %s (%s, zstd) in %.2f s "
               "(%.0f MiB/s)\n",
               (unsigned long long)bi.head_seq, (unsigned long long)bi.pages_copied, (unsigned long long)bi.pages, since,
               to, file, dt, rate);
    else
        printf("backed up %s at seq %llu into %s (%s, zstd) in %.2f s (%.0f MiB/s)\n", raw,
               (unsigned long long)bi.head_seq, to, file, dt, rate);
    return 0;
}

/* restore --from FILE --data DIR [--until-seq N | --until-time TS]
 * [--force]: the whole database, or as it was at seq N or time TS,
 * verified. */
static int cmd_restore(int argc, char **argv)
{
    CliTarget t = {NULL, NULL};
    const char *from = NULL, *until = NULL, *until_time = NULL;
    int flags = 0;
    for (int i = 2; i < argc; i++) {
        int m = cli_target_opt(argc, argv, &i, &t);
        if (m == 0) m = cli_opt(argc, argv, &i, "--from", "-i", &from);
        if (m == 0) m = cli_opt(argc, argv, &i, "--until-seq", NULL, &until);
        if (m == 0) m = cli_opt(argc, argv, &i, "--until-time", NULL, &until_time);
        if (m == 0 && strcmp(argv[i], "--force") == 0) flags |= DRIFTDB_RESTORE_FORCE, m = 1;
        if (m == 0 && strcmp(argv[i], "--no-verify") == 0) flags |= DRIFTDB_RESTORE_NO_VERIFY, m = 1;
        if (m < 0) return 1;
        if (m == 0) return cli_usage_error("unknown argument to restore: %s", argv[i]);
    }
    if (!t.data || !from) return cli_usage_error("restore needs --from FILE and --data DIR");
    unsigned long long useq = 0;
    if (until) {
        char *end;
        useq = strtoull(until, &end, 10);
        if (*end || useq == 0 || !isdigit((unsigned char)until[0]))
            return cli_usage_error("--until-seq needs a commit seq (1, 2, ...)");
    }
    driftdb_backup_info bi;
    driftdb_error err;
    double t0 = now_s();
    if (until && until_time) return cli_usage_error("restore takes --until-seq or --until-time, not both");
    if (until_time ? driftdb_restore_until_time(from, t.data, flags, until_time, &bi, &err) != DRIFTDB_OK
                   : driftdb_restore(from, t.data, flags, useq, &bi, &err) != DRIFTDB_OK) {
        cli_print_plain_error(&err);
        return 1;
    }
    double dt = now_s() - t0;
    const char *v = bi.verified ? "verified" : "NOT verified (--no-verify)";
    char raw[32];
    size_text((double)bi.raw_bytes, raw);
    if (bi.files > 1)
        printf("restored %s (incremental, on %u backup%s before it) into %s at seq %llu (%s) in %.2f s, %s\n", from,
               bi.files - 1, bi.files == 2 ? "" : "s", t.data, (unsigned long long)bi.head_seq, raw, dt, v);
    else
        printf("restored %s into %s at seq %llu (%s) in %.2f s, %s\n", from, t.data, (unsigned long long)bi.head_seq,
               raw, dt, v);
    return 0;
}

/* The size of DIR's data file (0 if it cannot be read). */
static off_t stat_size(const char *dir)
{
    char path[4200];
    struct stat sb;
    snprintf(path, sizeof path, "%s/driftdb.mdb", dir);
    return stat(path, &sb) == 0 ? sb.st_size : 0;
}

/* compact --data DIR --full: a backup of DIR (into a file beside it)
 * restored over it with --force: only the pages in use, verified. */
static int compact_full(const char *dir)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%.*s.compact.ddb", (int)n, dir) >= (int)sizeof tmp)
        return cli_usage_error("data directory path too long");
    driftdb_error err;
    driftdb *db;
    driftdb_options o = {.read_only = 1, .initial_map_size = 0};
    struct stat sb;
    off_t before = stat_size(dir);
    double t0 = now_s();
    if (driftdb_open(dir, &o, &db, &err) != DRIFTDB_OK) {
        cli_print_plain_error(&err);
        return 1;
    }
    driftdb_backup_info bi;
    int rc = driftdb_backup_ex(db, tmp, NULL, DRIFTDB_BACKUP_COMPACT, NULL, NULL, &bi, &err);
    driftdb_close(db);
    if (rc == DRIFTDB_OK) rc = driftdb_restore(tmp, dir, DRIFTDB_RESTORE_FORCE, 0, &bi, &err);
    if (stat(tmp, &sb) == 0) unlink(tmp);
    if (rc != DRIFTDB_OK) {
        cli_print_plain_error(&err);
        return 1;
    }
    printf("compacted %s: %.1f MiB -> %.1f MiB in %.2f s, verified\n", dir, (double)before / 1048576.0,
           (double)stat_size(dir) / 1048576.0, now_s() - t0);
    return 0;
}

/* snapshot and compact: thin wrappers over CHECKPOINT TABLE and VACUUM,
 * printing the statement's answer or failing with its error. */
static int run_statement_cmd(int argc, char **argv, const char *cmd, int need_table)
{
    CliTarget t = {NULL, NULL};
    const char *table = NULL;
    int full = 0;
    for (int i = 2; i < argc; i++) {
        int m = cli_target_opt(argc, argv, &i, &t);
        if (m == 0) m = cli_opt(argc, argv, &i, "--table", "-t", &table);
        if (m == 0 && !need_table && strcmp(argv[i], "--full") == 0) full = m = 1;
        if (m < 0) return 1;
        if (m == 0) return cli_usage_error("unknown argument to %s: %s", cmd, argv[i]);
    }
    if (full) {
        if (!t.data || t.url || table) return cli_usage_error("compact --full takes --data DIR alone (no server may use it)");
        return compact_full(t.data);
    }
    if (need_table && !table) return cli_usage_error("%s needs -t TABLE", cmd);
    Buf sql = BUF_INIT;
    buf_puts(&sql, need_table ? "CHECKPOINT TABLE " : "VACUUM");
    if (table) {
        if (!need_table) buf_putc(&sql, ' ');
        cli_put_user_name(&sql, table);
    }
    char *text = buf_cstr(&sql);
    if (!text) return 1;
    CliCtx c;
    memset(&c, 0, sizeof c);
    c.whole_text = 1;
    int status = cli_connect(&t, CONN_WRITE, cmd, &c.conn);
    if (status == 0) {
        status = cli_run_sql(&c, text, 1);
        conn_close(c.conn);
    }
    buf_free(&sql);
    return status;
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
    if (strcmp(cmd, "help") == 0 && argc > 2) {
        /* driftdb help COMMAND */
        const char *h = command_help(argv[2]);
        if (!h) return cli_usage_error("unknown command \"%s\"", argv[2]);
        fputs(h, stdout);
        return 0;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    /* driftdb COMMAND --help (or -h): that command's own page */
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            const char *h = command_help(cmd);
            if (!h) return cli_usage_error("unknown command \"%s\"", cmd);
            fputs(h, stdout);
            return 0;
        }
    if (command_help(cmd)) cli_command = cmd;
    if (strcmp(cmd, "init") == 0) return cmd_init(argc, argv);
    if (strcmp(cmd, "sql") == 0) return cmd_sql(argc, argv);
    if (strcmp(cmd, "verify") == 0) return cmd_verify(argc, argv);
    if (strcmp(cmd, "backup") == 0) return cmd_backup(argc, argv);
    if (strcmp(cmd, "restore") == 0) return cmd_restore(argc, argv);
    if (strcmp(cmd, "select") == 0) return cmd_select(argc, argv);
    if (strcmp(cmd, "drift") == 0) return cmd_drift(argc, argv);
    if (strcmp(cmd, "ingest") == 0) return cmd_ingest(argc, argv);
    if (strcmp(cmd, "diff") == 0) return cmd_diff(argc, argv);
    if (strcmp(cmd, "doctor") == 0) return cmd_doctor(argc, argv);
    if (strcmp(cmd, "snapshot") == 0) return run_statement_cmd(argc, argv, "snapshot", 1);
    if (strcmp(cmd, "compact") == 0) return run_statement_cmd(argc, argv, "compact", 0);
    return cli_usage_error("unknown command \"%s\"", cmd);
}
