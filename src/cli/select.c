/*
 * select.c - `driftdb select`: a table at a point in time without writing
 * SQL.
 *
 *   driftdb select TARGET -t TABLE [-w WHERE] [--as-of @SEQ:n|N|TIMESTAMP|now]
 *                  [-l N] [--format aligned|csv|json]
 *
 * It builds one statement,
 *   SELECT * FROM TABLE [FOR SYSTEM_TIME AS OF POINT] [WHERE (WHERE)] [LIMIT N]
 * and prints it as `driftdb sql` would.  POINT is @SEQ:n (a bare number n
 * means the same), a timestamp given as a string literal (read as
 * timestamptz in the session's time zone, docs/time-travel.md §1), or now (the
 * present: no clause).  WHERE is SQL, pasted as written.
 */
#include "cli.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int all_digits(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s)) return 0;
    return 1;
}

int cmd_select(int argc, char **argv)
{
    CliTarget t = {NULL, NULL};
    const char *table = NULL, *where = NULL, *as_of = NULL, *limit = NULL, *format = NULL;
    for (int i = 2; i < argc; i++) {
        int m = cli_target_opt(argc, argv, &i, &t);
        if (m == 0) m = cli_opt(argc, argv, &i, "--table", "-t", &table);
        if (m == 0) m = cli_opt(argc, argv, &i, "--where", "-w", &where);
        if (m == 0) m = cli_opt(argc, argv, &i, "--as-of", NULL, &as_of);
        if (m == 0) m = cli_opt(argc, argv, &i, "--limit", "-l", &limit);
        if (m == 0) m = cli_opt(argc, argv, &i, "--format", NULL, &format);
        if (m < 0) return 1;
        if (m == 0) return cli_usage_error("unknown argument to select: %s", argv[i]);
    }
    if (!table) return cli_usage_error("select needs -t TABLE");
    CliCtx c;
    memset(&c, 0, sizeof c);
    if (format && fmt_parse(format, &c.fmt) != 0)
        return cli_usage_error("unknown --format \"%s\" (aligned, csv or json)", format);
    if (limit && !all_digits(limit)) return cli_usage_error("-l takes a number of rows, not \"%s\"", limit);

    Buf sql = BUF_INIT;
    buf_puts(&sql, "SELECT * FROM ");
    cli_put_user_name(&sql, table);
    if (as_of && strcasecmp(as_of, "now") != 0) {
        buf_puts(&sql, " FOR SYSTEM_TIME AS OF ");
        if (strncasecmp(as_of, "@seq:", 5) == 0) {
            if (!all_digits(as_of + 5)) {
                buf_free(&sql);
                return cli_usage_error("--as-of @SEQ:n needs a number after @SEQ:, not \"%s\"", as_of);
            }
            buf_printf(&sql, "@SEQ:%s", as_of + 5);
        } else if (all_digits(as_of)) {
            buf_printf(&sql, "@SEQ:%s", as_of);
        } else {
            cli_put_literal(&sql, as_of, strlen(as_of));
        }
    }
    if (where) {
        buf_puts(&sql, " WHERE (");
        buf_puts(&sql, where);
        buf_puts(&sql, ")");
    }
    if (limit) buf_printf(&sql, " LIMIT %s", limit);
    char *text = buf_cstr(&sql);
    if (!text) {
        buf_free(&sql);
        fprintf(stderr, "%s: out of memory\n", cli_progname);
        return 1;
    }
    int status = cli_connect(&t, CONN_READ, "select", &c.conn);
    if (status == 0) {
        c.whole_text = 1;
        status = cli_run_sql(&c, text, 1);
        conn_close(c.conn);
    }
    buf_free(&sql);
    return status;
}
