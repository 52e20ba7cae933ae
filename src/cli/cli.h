/*
 * cli.h - what the files of the driftdb command share: the state of one
 * `driftdb sql` run, running SQL text with psql's output and error
 * conventions (run.c), and the interactive loop (repl.c).
 */
#ifndef DD_CLI_H
#define DD_CLI_H

#include <stddef.h>
#include "conn.h"
#include "format.h"
#include "../util/arena.h"
#include "../util/buf.h"

typedef struct CliCtx {
    Conn *conn;
    OutFormat fmt;
    int timing;  /* \timing: print "Time: x ms" after each statement */
    int whole_text; /* error LINE numbers count from the start of the whole
                     * text (psql -c), not of the failed statement (psql -f) */
} CliCtx;

/*
 * Runs every statement of sql (NUL-terminated) in order: results to
 * stdout, errors to stderr in psql's verbose style.  The text goes to the
 * database whole, so its statements form one implicit transaction (psql
 * -c).  With stop_on_error the first error ends the run (like psql -v
 * ON_ERROR_STOP=1); otherwise the following statements still run.
 * Returns 0 when all succeeded, 1 when any failed.
 */
int cli_run_sql(CliCtx *c, const char *sql, int stop_on_error);
/*
 * The same for a script (psql -f, or a line of the interactive session):
 * each statement goes to the database on its own, so outside BEGIN each
 * commits by itself and an error rolls back only its statement.  text is
 * modified while it runs and restored.
 */
int cli_run_script(CliCtx *c, char *text, int stop_on_error);

/*
 * Prints e to stderr as psql does with VERBOSITY verbose:
 *   ERROR:  42P01: relation "x" does not exist
 *   LINE 1: SELECT * FROM x;
 *                         ^
 *   DETAIL:  ...
 *   HINT:  ...
 * The LINE part appears when e->position (1-based byte offset into sql)
 * falls inside the statement sql[stmt_start..stmt_end).
 */
void cli_print_error(const driftdb_error *e, const char *sql, size_t stmt_start,
                     size_t stmt_end);

/* The interactive loop on a terminal; returns the exit status. */
int repl_run(CliCtx *c);

/*
 * Statement scanner shared by the REPL: tracks quotes, comments, dollar
 * quotes and parentheses across calls, so a statement can span lines.
 */
typedef struct SqlScan {
    char quote;        /* 0, '\'', '"', '$' (dollar quote) or '*' (comment) */
    int escape;        /* inside E'...': backslash escapes */
    int comment_depth; /* nesting of slash-star comments */
    int paren;         /* open parentheses */
    char tag[64];      /* dollar quote tag, "$tag$" */
    int first;         /* set by the caller: stop at the first ';' */
} SqlScan;

/*
 * Scans s[from..n) continuing from *st, updating it.  Returns the offset
 * just past the last ';' outside quotes and comments (the first when
 * st->first is set), or 0 when there is none.
 */
size_t sql_scan(SqlScan *st, const char *s, size_t from, size_t n);

/* ---- shared by the commands (main.c) ---- */

/* Where a command runs: a data directory or a server. */
typedef struct CliTarget {
    const char *data;   /* --data DIR */
    const char *url;    /* --url URL (libpq connection string or URI) */
} CliTarget;

extern const char *cli_progname;

/*
 * Matches option argv[*i] against a long name ("--data") and an optional
 * short one ("-d"); takes its value from "--data=X" or the next argument.
 * Returns 1 on a match (*val set), 0 when it is another option, -1 when the
 * value is missing (after printing the usage error).
 */
int cli_opt(int argc, char **argv, int *i, const char *lng, const char *shrt, const char **val);

/* Consumes --data/-d and --url; same returns as cli_opt. */
int cli_target_opt(int argc, char **argv, int *i, CliTarget *t);

/* Prints "driftdb: MESSAGE" and the --help pointer; returns 1. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints an error that is not a statement's: "driftdb: error: ...", DETAIL, HINT. */
void cli_print_plain_error(const driftdb_error *e);

/*
 * Opens the connection of command cmd (its name goes to application_name):
 * --data, --url, or the PG* environment when neither is given.  Prints the
 * error and returns 1 when it cannot; 0 with *out.
 */
int cli_connect(const CliTarget *t, ConnAccess access, const char *cmd, Conn **out);
/* The same without printing the connection's error: 0 with *out; 1 after a
 * usage error (printed); -1 with err filled (the caller reports it). */
int cli_connect_err(const CliTarget *t, ConnAccess access, const char *cmd, Conn **out, driftdb_error *err);

/*
 * Runs fn(arg) in a child process and waits at most limit seconds.  LMDB
 * 0.9 trusts the page structure of its file: a damaged page may crash the
 * process that reads it, or send it round a loop of pages, so the commands
 * that read a whole data directory (verify, doctor) read it in a child.
 * Returns fn's exit status; CLI_GUARD_TIMEOUT when the child was killed at
 * the limit, CLI_GUARD_SIGNAL with *sig when a signal ended it,
 * CLI_GUARD_ERROR when it could not be waited for (printed).  Without
 * fork, fn runs in this process.
 */
enum { CLI_GUARD_TIMEOUT = -1, CLI_GUARD_SIGNAL = -2, CLI_GUARD_ERROR = -3 };
int cli_run_guarded(int (*fn)(void *), void *arg, long limit, int *sig);
/* 0 when dir is a directory holding a driftdb.mdb; else prints why it is
 * not a data directory ("does not exist", "has no driftdb.mdb") and
 * returns 1.  What is in the file is for the open to judge. */
int cli_check_data_dir(const char *dir);
/* The default limit over directory dir: 60 s plus 1 s per MiB of its data file. */
long cli_guard_limit(const char *dir);

/* Appends an exact name (from the catalog) to b as a SQL identifier: as
 * written when it is a plain lower-case name, else double-quoted. */
void cli_put_ident(Buf *b, const char *name);
/* Appends a name the user typed (-t TABLE): as SQL reads a name in a
 * statement (unquoted: folded to lower case; "Quoted": exact), quoted only
 * when it could not be written unquoted. */
void cli_put_user_name(Buf *b, const char *name);
/* Prints s to stdout as a JSON string ("null" for NULL). */
void cli_json_string(const char *s);
/* Appends s[0..n) as a SQL string literal ('...' with '' doubling). */
void cli_put_literal(Buf *b, const char *s, size_t n);

/*
 * The names of table's primary key columns, in the order SHOW COLUMNS lists them,
 * into *cols[0..*ncols), copied into a.  Fails with a clear error when the
 * table is missing or has no key.  (drift.c)
 */
int cli_primary_keys(Conn *c, const char *table, char ***cols, int *ncols, Arena *a, driftdb_error *err);

/* The commands beside sql (each file one command). */
int cmd_select(int argc, char **argv);   /* select.c */
int cmd_drift(int argc, char **argv);    /* drift.c */
int cmd_ingest(int argc, char **argv);   /* ingest.c */
int cmd_diff(int argc, char **argv);     /* diff.c */
int cmd_doctor(int argc, char **argv);   /* doctor.c */

#endif
