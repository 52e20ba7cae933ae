/*
 * run.c - runs SQL text through the embedded API and prints what psql
 * would print: a table (or CSV/JSON) for statements with rows, the command
 * tag for the others, errors on stderr in the verbose style
 * ("ERROR:  SQLSTATE: message", a LINE/caret pair, DETAIL, HINT).
 *
 * The caret follows psql's reportErrorPosition: the line of the statement
 * holding the error is shown, tabs as spaces, cut to about 60 columns with
 * "..." when longer, and the caret under the offending character.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../util/alloc.h"

#define DISPLAY_SIZE 60  /* psql: screen width limit for the LINE text */
#define MIN_RIGHT_CUT 10 /* psql: keep the caret this far from the right cut */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Prints the "LINE n: ..." and caret lines for byte position loc (0-based)
 * inside q[0..n). */
static void print_position(const char *q, size_t n, size_t loc)
{
    /* Per character: byte offset and starting screen column. */
    size_t nchars = 0;
    for (size_t i = 0; i < n; i += (size_t)fmt_utf8_len(q + i, n - i)) nchars++;
    size_t *qidx = dd_malloc((nchars + 1) * sizeof *qidx);
    int *scr = dd_malloc((nchars + 1) * sizeof *scr);
    if (!qidx || !scr) { dd_free(qidx); dd_free(scr); return; }

    size_t cloc = nchars; /* character index of loc */
    size_t off = 0, cno = 0;
    int col = 0, line = 1;
    size_t ibeg = 0, iend = (size_t)-1;
    for (cno = 0; off < n; cno++) {
        char ch = q[off];
        int len = fmt_utf8_len(q + off, n - off);
        qidx[cno] = off;
        scr[cno] = col;
        if (off <= loc && loc < off + (size_t)len) cloc = cno;
        if (ch == '\r' || ch == '\n') {
            if (cloc == nchars || cno < cloc) {
                if (ch == '\r' || cno == 0 || q[qidx[cno - 1]] != '\r') line++;
                ibeg = cno + 1;
            } else {
                iend = cno;
                break;
            }
        }
        int w = ch == '\t' ? 1 : fmt_display_width(q + off, (size_t)len);
        col += w > 0 ? w : 1;
        off += (size_t)len;
    }
    if (iend == (size_t)-1) {
        iend = cno;
        qidx[iend] = off;
        scr[iend] = col;
    }
    if (cloc > cno) goto out;

    int beg_trunc = 0, end_trunc = 0;
    if (scr[iend] - scr[ibeg] > DISPLAY_SIZE) {
        if (scr[ibeg] + DISPLAY_SIZE >= scr[cloc] + MIN_RIGHT_CUT) {
            while (scr[iend] - scr[ibeg] > DISPLAY_SIZE) iend--;
            end_trunc = 1;
        } else {
            while (scr[cloc] + MIN_RIGHT_CUT < scr[iend]) { iend--; end_trunc = 1; }
            while (scr[iend] - scr[ibeg] > DISPLAY_SIZE) { ibeg++; beg_trunc = 1; }
        }
    }
    char prefix[32];
    int plen = snprintf(prefix, sizeof prefix, "LINE %d: %s", line, beg_trunc ? "..." : "");
    fputs(prefix, stderr);
    for (size_t i = qidx[ibeg]; i < qidx[iend]; i++)
        fputc(q[i] == '\t' ? ' ' : q[i], stderr);
    fputs(end_trunc ? "...\n" : "\n", stderr);
    int caret = plen + scr[cloc] - scr[ibeg];
    for (int i = 0; i < caret; i++) fputc(' ', stderr);
    fputs("^\n", stderr);
out:
    dd_free(qidx);
    dd_free(scr);
}

void cli_print_error(const driftdb_error *e, const char *sql, size_t stmt_start,
                     size_t stmt_end)
{
    fprintf(stderr, "%s:  %s: %s\n", e->severity ? e->severity : "ERROR",
            e->sqlstate[0] ? e->sqlstate : "XX000", e->message);
    if (sql && e->position > 0) {
        size_t pos = (size_t)e->position - 1;
        size_t len = strlen(sql);
        /* One statement of a script or the REPL: as psql would have sent
         * it, without leading or trailing white space.  The whole text of
         * -e is sent verbatim (psql -c), so its lines count from its start. */
        bool whole = stmt_start == 0 && stmt_end == len;
        while (!whole && stmt_start < stmt_end && strchr(" \t\r\n\f", sql[stmt_start])) stmt_start++;
        while (!whole && stmt_end > stmt_start && strchr(" \t\r\n\f", sql[stmt_end - 1])) stmt_end--;
        if (pos >= stmt_start && pos <= stmt_end && stmt_end <= len)
            print_position(sql + stmt_start, stmt_end - stmt_start, pos - stmt_start);
        else if (pos <= len)
            print_position(sql, len, pos);
    }
    if (e->detail[0]) fprintf(stderr, "DETAIL:  %s\n", e->detail);
    if (e->hint[0]) fprintf(stderr, "HINT:  %s\n", e->hint);
}

int cli_run_sql(CliCtx *c, const char *sql, int stop_on_error)
{
    size_t off = 0;
    int failed = 0;
    for (;;) {
        size_t start = off;
        ConnResult *r = NULL;
        driftdb_error err;
        memset(&err, 0, sizeof err);
        double t0 = now_ms();
        int rc = conn_exec_next(c->conn, sql, &off, &r, &err);
        if (rc == DRIFTDB_DONE) break;
        const char *sev, *state;
        const char *note;
        if (rc != DRIFTDB_ROW_RESULT) {
            fflush(stdout);
            for (int i = 0; (note = conn_error_notice(c->conn, i, &sev, &state)) != NULL; i++)
                fprintf(stderr, "%s:  %s: %s\n", sev ? sev : "NOTICE", state ? state : "00000", note);
            if (c->whole_text) cli_print_error(&err, sql, 0, strlen(sql));
            else cli_print_error(&err, sql, start, off);
            failed = 1;
            if (stop_on_error || off <= start) break;
            continue;
        }
        int bad = 0;
        for (int i = 0; (note = conn_result_notice(r, i, &sev, &state)) != NULL; i++) {
            /* as psql: on stderr, before the statement's output */
            fflush(stdout);
            fprintf(stderr, "%s:  %s: %s\n", sev ? sev : "NOTICE", state ? state : "00000", note);
        }
        if (conn_result_has_rows(r)) {
            bad = fmt_print_rows(stdout, r, c->fmt, &err) != 0;
        } else {
            const char *tag = conn_result_tag(r);
            if (c->fmt != FMT_JSON && tag && tag[0]) printf("%s\n", tag);
        }
        conn_result_free(r);
        if (bad) {
            fflush(stdout);
            cli_print_error(&err, sql, start, off);
            failed = 1;
            if (stop_on_error) break;
        } else if (c->timing) {
            printf("Time: %.3f ms\n", now_ms() - t0);
        }
        fflush(stdout);
    }
    fflush(stdout);
    return failed;
}

int cli_run_script(CliCtx *c, char *text, int stop_on_error)
{
    size_t n = strlen(text), pos = 0;
    int failed = 0;
    for (;;) {
        /* as psql: white space and -- comments before a statement are not sent */
        for (;;) {
            while (pos < n && strchr(" \t\r\n\f", text[pos])) pos++;
            if (pos + 1 < n && text[pos] == '-' && text[pos + 1] == '-') {
                while (pos < n && text[pos] != '\n') pos++;
                continue;
            }
            break;
        }
        if (pos >= n) break;
        SqlScan st;
        memset(&st, 0, sizeof st);
        st.first = 1;
        size_t end = sql_scan(&st, text, pos, n);
        if (end == 0) end = n;   /* the last statement may lack its ';' */
        char saved = text[end];
        text[end] = '\0';
        int f = cli_run_sql(c, text + pos, stop_on_error);
        text[end] = saved;
        failed |= f;
        if (f && stop_on_error) break;
        pos = end;
    }
    return failed;
}
