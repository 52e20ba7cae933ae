/*
 * repl.c - the interactive mode of `driftdb sql` (libedit).
 *
 * Lines are collected into a query buffer until a ';' outside quotes and
 * comments ends a statement; then everything up to that ';' runs and the
 * rest stays buffered.  Errors do not end the session.  A line starting
 * with a backslash is a meta-command (\q \d \? \timing \r).
 *
 * Prompts, as psql's: "driftdb=> " for a new statement ("=*>" inside a
 * transaction block, "=!>" in a failed one), "driftdb-> " for a
 * continuation line ("'>", "\">", "$>", "*>" inside a string, quoted
 * identifier, dollar quote or comment).  History lives in
 * ~/.driftdb_history.
 */
#include "cli.h"

#include <ctype.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <editline/readline.h>

#include "../util/buf.h"

#define HISTORY_SIZE 1000

size_t sql_scan(SqlScan *st, const char *s, size_t from, size_t n)
{
    size_t last = 0;
    size_t i = from;
    while (i < n) {
        char ch = s[i];
        switch (st->quote) {
        case '\'':
            if (st->escape && ch == '\\' && i + 1 < n) { i += 2; continue; }
            if (ch == '\'') {
                if (i + 1 < n && s[i + 1] == '\'') { i += 2; continue; }
                st->quote = 0;
                st->escape = 0;
            }
            i++;
            continue;
        case '"':
            if (ch == '"') st->quote = 0;
            i++;
            continue;
        case '$': {
            size_t tl = strlen(st->tag);
            if (ch == '$' && i + tl <= n && memcmp(s + i, st->tag, tl) == 0) {
                st->quote = 0;
                i += tl;
            } else {
                i++;
            }
            continue;
        }
        case '*':
            if (ch == '*' && i + 1 < n && s[i + 1] == '/') {
                if (--st->comment_depth == 0) st->quote = 0;
                i += 2;
            } else if (ch == '/' && i + 1 < n && s[i + 1] == '*') {
                st->comment_depth++;
                i += 2;
            } else {
                i++;
            }
            continue;
        default:
            break;
        }
        if (ch == '-' && i + 1 < n && s[i + 1] == '-') {
            while (i < n && s[i] != '\n') i++;
            continue;
        }
        if (ch == '/' && i + 1 < n && s[i + 1] == '*') {
            st->quote = '*';
            st->comment_depth = 1;
            i += 2;
            continue;
        }
        if (ch == '\'') {
            st->quote = '\'';
            st->escape = i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e') &&
                         (i < 2 || !(isalnum((unsigned char)s[i - 2]) || s[i - 2] == '_'));
        } else if (ch == '"') {
            st->quote = '"';
        } else if (ch == '$' && (i == 0 || !(isalnum((unsigned char)s[i - 1]) || s[i - 1] == '_'))) {
            /* $tag$ or $$ starts a dollar quote; $1 is a parameter. */
            size_t j = i + 1;
            while (j < n && (isalpha((unsigned char)s[j]) || s[j] == '_' ||
                             (j > i + 1 && isdigit((unsigned char)s[j]))))
                j++;
            if (j < n && s[j] == '$' && j - i + 1 < sizeof st->tag) {
                memcpy(st->tag, s + i, j - i + 1);
                st->tag[j - i + 1] = '\0';
                st->quote = '$';
                i = j + 1;
                continue;
            }
        } else if (ch == '(') {
            st->paren++;
        } else if (ch == ')') {
            if (st->paren > 0) st->paren--;
        } else if (ch == ';' && st->paren == 0) {
            last = i + 1;
            if (st->first) return last;
        }
        i++;
    }
    return last;
}

static const char *history_path(void)
{
    static char path[4096];
    const char *home = getenv("HOME");
    if (!home || !home[0]) {
        struct passwd *pw = getpwuid(getuid());
        home = pw ? pw->pw_dir : NULL;
    }
    if (!home) return NULL;
    snprintf(path, sizeof path, "%s/.driftdb_history", home);
    return path;
}

static void print_help(void)
{
    printf("General\n"
           "  \\q                     quit driftdb\n"
           "  \\?                     show this help\n"
           "  \\timing [on|off]       toggle timing of statements\n"
           "Informational\n"
           "  \\d                     list tables (SHOW TABLES)\n"
           "  \\d NAME                describe table NAME (SHOW COLUMNS FROM NAME)\n"
           "Query buffer\n"
           "  \\r                     reset (clear) the query buffer\n"
           "\n"
           "Statements end with ';' and may span lines.  Time travel:\n"
           "  SELECT * FROM t FOR SYSTEM_TIME AS OF @SEQ:3;\n"
           "  SET drift.system_time = '@SEQ:3';  RESET drift.system_time;\n");
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
    return s;
}

/* Runs meta-command cmd (starting with '\').  Returns 1 to quit. */
static int meta_command(CliCtx *c, char *cmd, Buf *query)
{
    char *arg = cmd + 1;
    char *name = arg;
    while (*arg && !isspace((unsigned char)*arg)) arg++;
    if (*arg) *arg++ = '\0';
    arg = trim(arg);

    if (strcmp(name, "q") == 0 || strcmp(name, "quit") == 0) return 1;
    if (strcmp(name, "?") == 0 || strcmp(name, "h") == 0) {
        print_help();
    } else if (strcmp(name, "timing") == 0) {
        if (strcmp(arg, "on") == 0) c->timing = 1;
        else if (strcmp(arg, "off") == 0) c->timing = 0;
        else if (arg[0]) { fprintf(stderr, "\\timing: unrecognized value \"%s\": Boolean expected\n", arg); return 0; }
        else c->timing = !c->timing;
        printf("Timing is %s.\n", c->timing ? "on" : "off");
    } else if (strcmp(name, "d") == 0) {
        Buf sql = BUF_INIT;
        if (arg[0]) buf_printf(&sql, "SHOW COLUMNS FROM %s", arg);
        else buf_puts(&sql, "SHOW TABLES");
        char *s = buf_cstr(&sql);
        if (s) cli_run_sql(c, s, 0);
        else fprintf(stderr, "out of memory\n");
        buf_free(&sql);
    } else if (strcmp(name, "r") == 0 || strcmp(name, "reset") == 0) {
        buf_reset(query);
        printf("Query buffer reset (cleared).\n");
    } else {
        fprintf(stderr, "invalid command \\%s\nTry \\? for help.\n", name);
    }
    return 0;
}

static const char *prompt_for(CliCtx *c, const Buf *query, const SqlScan *st)
{
    if (query->len == 0) {
        switch (conn_txn_status(c->conn)) {
        case 'T': return "driftdb=*> ";
        case 'E': return "driftdb=!> ";
        default: return "driftdb=> ";
        }
    }
    switch (st->quote) {
    case '\'': return "driftdb'> ";
    case '"': return "driftdb\"> ";
    case '$': return "driftdb$> ";
    case '*': return "driftdb*> ";
    default: return st->paren > 0 ? "driftdb(> " : "driftdb-> ";
    }
}

int repl_run(CliCtx *c)
{
    const char *hist = history_path();
    Buf query = BUF_INIT;
    SqlScan st;
    memset(&st, 0, sizeof st);

    using_history();
    stifle_history(HISTORY_SIZE);
    if (hist) read_history(hist);
    printf("driftdb %s\nType \"\\?\" for help, \"\\q\" to quit.\n\n", driftdb_version());

    for (;;) {
        char *line = readline(prompt_for(c, &query, &st));
        if (!line) {
            printf("\\q\n");
            break;
        }
        char *t = trim(line);
        if (t[0] == '\\' && st.quote == 0) {
            add_history(t);
            int quit = meta_command(c, t, &query);
            free(line);
            if (quit) break;
            memset(&st, 0, sizeof st);
            if (query.len) sql_scan(&st, (const char *)query.data, 0, query.len);
            continue;
        }
        if (query.len == 0 && t[0] == '\0') { free(line); continue; }
        buf_puts(&query, line);
        buf_putc(&query, '\n');
        free(line);
        if (!buf_ok(&query)) {
            fprintf(stderr, "out of memory\n");
            buf_reset(&query);
            continue;
        }
        /* Rescan the whole buffer: it is short, and this keeps the state
         * simple. */
        memset(&st, 0, sizeof st);
        size_t end = sql_scan(&st, (const char *)query.data, 0, query.len);
        if (end == 0) continue;

        char *text = (char *)query.data;
        char saved = text[end];
        text[end] = '\0';
        char *h = trim(text);
        add_history(h);
        cli_run_script(c, h, 0);
        text[end] = saved;

        /* Keep what follows the last ';' for the next statement. */
        size_t rest = end;
        while (rest < query.len && isspace((unsigned char)text[rest])) rest++;
        size_t left = query.len - rest;
        memmove(text, text + rest, left);
        query.len = left;
        memset(&st, 0, sizeof st);
        if (query.len) sql_scan(&st, text, 0, query.len);
    }
    if (hist) write_history(hist);
    buf_free(&query);
    return 0;
}
