/*
 * cli.h - what the files of the driftdb command share: the state of one
 * `driftdb sql` run, running SQL text with psql's output and error
 * conventions (run.c), and the interactive loop (repl.c).
 */
#ifndef DD_CLI_H
#define DD_CLI_H

#include <stddef.h>
#include "driftdb.h"
#include "format.h"

typedef struct CliCtx {
    driftdb *db;
    driftdb_session *s;
    OutFormat fmt;
    int timing;  /* \timing: print "Time: x ms" after each statement */
    int whole_text; /* error LINE numbers count from the start of the whole
                     * text (psql -c), not of the failed statement (psql -f) */
} CliCtx;

/*
 * Runs every statement of sql (NUL-terminated) in order: results to
 * stdout, errors to stderr in psql's verbose style.  With stop_on_error
 * the first error ends the run (like psql -v ON_ERROR_STOP=1); otherwise
 * the following statements still run.  Returns 0 when all succeeded, 1
 * when any failed.
 */
int cli_run_sql(CliCtx *c, const char *sql, int stop_on_error);

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
} SqlScan;

/*
 * Scans s[from..n) continuing from *st, updating it.  Returns the offset
 * just past the last ';' outside quotes and comments, or 0 when there is
 * none.
 */
size_t sql_scan(SqlScan *st, const char *s, size_t from, size_t n);

#endif
