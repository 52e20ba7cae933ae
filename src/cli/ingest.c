/*
 * ingest.c - `driftdb ingest`: loads JSON Lines or CSV into a table.
 *
 *   driftdb ingest TARGET -t TABLE -f FILE [--format jsonl|csv] [--batch N]
 *
 * Records (input.c) go to the database in chunks, through the connection
 * (conn.c: the embedded API or libpq).  A chunk covers consecutive records
 * with the same set of keys, so a key that a record lacks takes the
 * column's default and never an explicit NULL.  A chunk is either
 *   - a COPY ... FROM STDIN in text format (up to ROWS_PER_COPY rows),
 *     streamed as it is built, so that over --url the server inserts while
 *     this process reads the file: records whose keys are all columns the
 *     table has and whose values mean through COPY what they mean through
 *     INSERT (copy_ok); or
 *   - a multi-row INSERT of up to ROWS_PER_INSERT rows (or MAX_INSERT_BYTES
 *     of text): records that make columns, or that give a number to a
 *     column where an INSERT's numeric literal differs from the column
 *     type's reading of the text (a fraction for an integer column, which a
 *     document-style table widens to numeric; any number for a text column,
 *     which may be a document column not typed yet, that a number types).
 *
 * Values (put_value): strings are quoted literals (of unknown type: each
 * takes the column's type, as COPY would read it).  Numbers (JSON numbers,
 * numeric-looking CSV fields) are unquoted when the column is new, numeric
 * or text (a document-style table's column that has no value yet reads as
 * text, and a number must give it a number type), quoted for the other
 * types (so a CSV 1 reads as a boolean true, 20240101 as a date).  JSON
 * booleans are unquoted only for a new column (it becomes boolean).  JSON
 * nested objects and arrays go in as their text, cast to jsonb for a new
 * column (it becomes jsonb).  A statement that makes columns holds one row,
 * and the table's columns are read again after it, so the rows after the
 * first are written as into existing columns, in one run as in several.
 *
 * Transactions: one for the whole input by default; with --batch N a
 * COMMIT after every N rows.  At the first bad record (malformed line, or
 * a statement the database refuses) the open transaction rolls back and the
 * error names the input line: from the parser, or from the error position
 * the database reports (each row's offset in the statement text is kept).
 * Batches committed before it stay committed, and the message says so.
 *
 * Output: on a terminal, a progress line on stderr (rows, rows/s, percent
 * of the file); always, a summary on stdout:
 *   Ingested 1,000,000 rows into orders in 1.9 s at seq 42
 */
#include "cli.h"
#include "input.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/alloc.h"

#define ROWS_PER_INSERT 1000
#define MAX_INSERT_BYTES (4u << 20)
#define ROWS_PER_COPY 100000
#define MAX_COPY_BYTES (64u << 20)
#define COPY_SEND (256u << 10)   /* stream a COPY in pieces of this size */
#define PROGRESS_EVERY 0.25   /* seconds between progress updates */

typedef struct Ing {
    Conn *c;
    const char *table;
    char **existing;          /* the table's columns when the run started ... */
    uint32_t *existing_oid;   /* ... and their type OIDs */
    int nexisting;
    /* the chunk being built: an INSERT statement, or the data of a COPY */
    int copy;                 /* 1: a COPY chunk (open on the connection) */
    Buf sql;                  /* the INSERT's text, or the COPY's rows */
    Buf copy_stmt;            /* COPY t (cols) FROM STDIN */
    Buf scratch;              /* a value rewritten (json_string_body) */
    int jsonl;                /* the input is JSON Lines */
    size_t sent;              /* COPY: bytes of sql sent so far */
    int retype;               /* INSERT: may change a column's type */
    char **cols;              /* its column list (dd_strdup'd) */
    unsigned char *style;     /* per column: STYLE_* */
    unsigned char *cls;       /* per column: CLS_* */
    int ncols, capcols;
    size_t *row_off;          /* per row: offset of its '(' in sql */
    long *row_line;           /* per row: input line */
    char *row_dup;            /* per row: its key was in an earlier row of the transaction */
    /* the primary key's columns, and the keys of the open transaction's
     * rows (64-bit hashes of their input text): the line of a duplicate of
     * a row of an earlier statement, which the server's error cannot point
     * at.  Two keys with one hash (a chance of about n^2 / 2^65 in n rows)
     * could only make the line given for a duplicate key the wrong one. */
    char **pkcols;
    int npk;
    u64 *keys;                /* open addressing; 0 = empty */
    size_t nkeys, capkeys;
    int nrows, caprows;
    /* transaction */
    int in_txn;
    int commit_unknown;       /* COMMIT lost with the connection */
    long txn_rows;            /* rows sent in the open transaction */
    long rows;                /* rows committed or sent */
    long committed_rows;
    long committed_line;      /* input line of the last committed row */
    long txn_first_line;      /* input line of the open transaction's first row */
    long last_line;           /* input line of the last row sent or built */
    long batch;               /* --batch N; 0 = one transaction */
    /* progress */
    int tty;
    double t0, last_progress;
    unsigned long long file_size;
} Ing;

/* How put_value writes numbers and booleans for a column. */
enum { STYLE_QUOTED, STYLE_NUMBERS, STYLE_NEW };

/* What a column's type makes of a number (copy_ok). */
enum { CLS_NEW, CLS_TEXT, CLS_INT, CLS_FRAC, CLS_JSON, CLS_OTHER };

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* n with thousands separators: 1,000,000. */
static const char *commas(long n, char out[32])
{
    char tmp[32];
    int len = snprintf(tmp, sizeof tmp, "%ld", n < 0 ? -n : n), o = 0;
    if (n < 0) out[o++] = '-';
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0) out[o++] = ',';
        out[o++] = tmp[i];
    }
    out[o] = '\0';
    return out;
}

/* Redraws the progress line (at most every PROGRESS_EVERY seconds).  final
 * 1: the last state, ended by a newline; -1: erase it (before an error). */
static void progress(Ing *g, unsigned long long bytes, int final)
{
    if (!g->tty) return;
    double t = now_s();
    if (!final && t - g->last_progress < PROGRESS_EVERY) return;
    g->last_progress = t;
    if (final < 0) {
        fputs("\r\033[K", stderr);
        return;
    }
    char n1[32], n2[32];
    double el = t - g->t0;
    long rate = el > 0 ? (long)((double)g->rows / el) : 0;
    if (g->file_size > 0) {
        int pct = (int)(bytes * 100 / g->file_size);
        if (pct > 100) pct = 100;
        char bar[31];
        int fill = pct * 30 / 100;
        for (int i = 0; i < 30; i++) bar[i] = i < fill ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr, "\r\033[K[%s] %3d%%  %s rows  %s rows/s", bar, pct, commas(g->rows, n1), commas(rate, n2));
    } else {
        fprintf(stderr, "\r\033[K%s rows  %s rows/s", commas(g->rows, n1), commas(rate, n2));
    }
    if (final) fputc('\n', stderr);
    fflush(stderr);
}

/* ------------------------------------------------------------ the table */

/* The table's present columns (SELECT * ... LIMIT 0); fails when the table
 * is missing, with a hint to create it. */
static int load_columns(Ing *g, driftdb_error *err)
{
    Buf q = BUF_INIT;
    buf_puts(&q, "SELECT * FROM ");
    cli_put_user_name(&q, g->table);
    buf_puts(&q, " LIMIT 0");
    char *text = buf_cstr(&q);
    if (!text) { buf_free(&q); conn_set_error(err, "53200", "out of memory"); return -1; }
    size_t off = 0;
    ConnResult *r;
    int rc, failed = 0;
    for (int i = 0; i < g->nexisting; i++) dd_free(g->existing[i]);
    dd_free(g->existing);
    dd_free(g->existing_oid);
    g->existing = NULL;
    g->existing_oid = NULL;
    g->nexisting = 0;
    while ((rc = conn_exec_next(g->c, text, &off, &r, err)) == DRIFTDB_ROW_RESULT) {
        int n = conn_result_ncols(r);
        g->existing = dd_calloc((size_t)(n ? n : 1), sizeof(char *));
        g->existing_oid = dd_calloc((size_t)(n ? n : 1), sizeof(uint32_t));
        if (!g->existing || !g->existing_oid) failed = 1;
        for (int i = 0; i < n && !failed; i++) {
            g->existing_oid[i] = conn_result_coltype(r, i);
            g->existing[i] = dd_strdup(conn_result_colname(r, i));
            if (!g->existing[i]) failed = 1;
            else g->nexisting++;
        }
        while (conn_result_next(r, err) == 1) {}
        conn_result_free(r);
    }
    buf_free(&q);
    if (failed) { conn_set_error(err, "53200", "out of memory"); return -1; }
    if (rc == DRIFTDB_ERROR) {
        if (strcmp(err->sqlstate, "42P01") == 0 && !err->hint[0])
            snprintf(err->hint, sizeof err->hint,
                     "Create the table first, for example a document-style table whose columns grow "
                     "with the data: CREATE TABLE %s (pk=id)", g->table);
        err->position = 0;
        return -1;
    }
    return 0;
}

/* The primary key's column names (none when the catalog query fails: the
 * lines of duplicates are then given as ranges). */
static void load_pk(Ing *g)
{
    Buf q = BUF_INIT;
    buf_puts(&q, "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                 "AND a.attnum = ANY (i.indkey) WHERE i.indisprimary AND i.indrelid = ");
    cli_put_literal(&q, g->table, strlen(g->table));
    buf_puts(&q, "::regclass ORDER BY a.attnum");
    char *text = buf_cstr(&q);
    size_t off = 0;
    ConnResult *r;
    driftdb_error err;
    while (text && conn_exec_next(g->c, text, &off, &r, &err) == DRIFTDB_ROW_RESULT) {
        while (conn_result_next(r, &err) == 1) {
            const char *v = conn_result_value(r, 0, NULL);
            char **n = v ? dd_realloc(g->pkcols, sizeof(char *) * (size_t)(g->npk + 1)) : NULL;
            if (!n) break;
            g->pkcols = n;
            if ((g->pkcols[g->npk] = dd_strdup(v))) g->npk++;
        }
        conn_result_free(r);
    }
    buf_free(&q);
}

static void keys_clear(Ing *g)
{
    dd_free(g->keys);
    g->keys = NULL;
    g->nkeys = g->capkeys = 0;
}

static size_t key_slot(u64 h, size_t cap) { return (size_t)(h ^ (h >> 29)) & (cap - 1); }

/* Adds key hash h to the transaction's set: 1 when it was there already,
 * 0 when added, -1 without memory. */
static int keys_add(Ing *g, u64 h)
{
    if (h == 0) h = 1;
    if ((g->nkeys + 1) * 2 > g->capkeys) {
        size_t cap = g->capkeys ? g->capkeys * 2 : 1024;
        u64 *n = dd_calloc(cap, sizeof(u64));
        if (!n) return -1;
        for (size_t i = 0; i < g->capkeys; i++) {
            if (!g->keys[i]) continue;
            size_t j = key_slot(g->keys[i], cap);
            while (n[j]) j = (j + 1) & (cap - 1);
            n[j] = g->keys[i];
        }
        dd_free(g->keys);
        g->keys = n;
        g->capkeys = cap;
    }
    size_t j = key_slot(h, g->capkeys);
    for (; g->keys[j]; j = (j + 1) & (g->capkeys - 1))
        if (g->keys[j] == h) return 1;
    g->keys[j] = h;
    g->nkeys++;
    return 0;
}

/* Whether record r's key was in an earlier row of the transaction. */
static int key_seen(Ing *g, const Record *r)
{
    if (!g->npk) return 0;
    u64 h = DD_FNV_INIT;
    for (int p = 0; p < g->npk; p++) {
        int i = 0;
        while (i < r->n && strcmp(record_name(r, i), g->pkcols[p]) != 0) i++;
        if (i == r->n) return 0;   /* no key: the server says */
        u8 kind = (u8)('0' + r->f[i].kind), sep = 0x1f;
        h = dd_fnv1a(h, &kind, 1);
        h = dd_fnv1a(h, (const char *)r->bodies.data + r->f[i].body, r->f[i].body_len);
        h = dd_fnv1a(h, &sep, 1);
    }
    return keys_add(g, h) == 1;
}

static int style_of(const Ing *g, const char *name)
{
    for (int i = 0; i < g->nexisting; i++) {
        if (strcmp(g->existing[i], name) != 0) continue;
        switch (g->existing_oid[i]) {
        case 25: case 1043: case 1042:                  /* text, varchar, char */
        case 20: case 21: case 23: case 700: case 701: case 1700:  /* numbers */
            return STYLE_NUMBERS;
        default:
            return STYLE_QUOTED;
        }
    }
    return STYLE_NEW;
}

static int class_of(const Ing *g, const char *name)
{
    for (int i = 0; i < g->nexisting; i++) {
        if (strcmp(g->existing[i], name) != 0) continue;
        switch (g->existing_oid[i]) {
        case 25: case 1043: case 1042: return CLS_TEXT;
        case 20: case 21: case 23: return CLS_INT;
        case 700: case 701: case 1700: return CLS_FRAC;
        case 114: case 3802: return CLS_JSON;
        default: return CLS_OTHER;
        }
    }
    return CLS_NEW;
}

/* A number without fraction or exponent. */
static int plain_integer(const char *s, size_t n)
{
    size_t i = n > 0 && s[0] == '-';
    if (i == n) return 0;
    for (; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

/* Whether field f, for a column of class cls, means through COPY (the
 * column type's input function reading its text) what it means through an
 * INSERT (put_value). */
static int value_copy_ok(const Record *r, const Field *f, int cls)
{
    if (cls == CLS_NEW) return 0;
    if (f->kind != VAL_NUMBER) return 1;
    if (cls == CLS_TEXT) return 0;
    if (cls == CLS_INT) return plain_integer((const char *)r->bodies.data + f->body, f->body_len);
    return 1;
}

/* Whether record r can go into a COPY chunk; same: it has the keys of the
 * chunk being built (whose column classes are known). */
static int copy_ok(const Ing *g, const Record *r, int same)
{
    for (int i = 0; i < r->n; i++) {
        const char *name = record_name(r, i);
        int cls = -1;
        if (same) {
            if (i < g->ncols && strcmp(g->cols[i], name) == 0) cls = g->cls[i];
            for (int k = 0; cls < 0 && k < g->ncols; k++)
                if (strcmp(g->cols[k], name) == 0) cls = g->cls[k];
        }
        if (cls < 0) cls = class_of(g, name);
        if (!value_copy_ok(r, &r->f[i], cls)) return 0;
    }
    return r->n > 0;
}

/* ------------------------------------------------------- the statement */

static void chunk_clear(Ing *g)
{
    for (int i = 0; i < g->ncols; i++) dd_free(g->cols[i]);
    g->ncols = 0;
    g->nrows = 0;
    g->copy = 0;
    g->retype = 0;
    g->sent = 0;
    buf_reset(&g->sql);
    buf_reset(&g->copy_stmt);
}

/* 1 when record r has exactly the keys of the statement being built. */
static int same_keys(const Ing *g, const Record *r)
{
    if (r->n != g->ncols) return 0;
    int i = 0;
    while (i < r->n && strcmp(record_name(r, i), g->cols[i]) == 0) i++;
    if (i == r->n) return 1;
    /* another order: each column once */
    for (int k = 0; k < g->ncols; k++) {
        int found = 0;
        for (int f = 0; f < r->n && !found; f++) found = strcmp(record_name(r, f), g->cols[k]) == 0;
        if (!found) return 0;
    }
    return 1;
}

/* Starts a chunk with r's keys as the column list: an INSERT, or (copy)
 * a COPY, which is sent at once (BEGIN first when no transaction is open);
 * a failure to start the COPY fills err and returns -2. */
static int chunk_start(Ing *g, const Record *r, int copy, char *msg, size_t n, driftdb_error *err)
{
    if (r->n == 0) {
        snprintf(msg, n, "line %ld: the record has no fields, so there is nothing to insert", r->line);
        return -1;
    }
    for (int i = 0; i < r->n; i++)
        for (int k = 0; k < i; k++)
            if (strcmp(record_name(r, i), record_name(r, k)) == 0) {
                snprintf(msg, n, "line %ld: key \"%s\" appears twice", r->line, record_name(r, i));
                return -1;
            }
    if (r->n > g->capcols) {
        char **nc = dd_realloc(g->cols, sizeof(char *) * (size_t)r->n);
        if (nc) g->cols = nc;
        unsigned char *nn = nc ? dd_realloc(g->style, (size_t)r->n) : NULL;
        if (nn) g->style = nn;
        unsigned char *nk = nn ? dd_realloc(g->cls, (size_t)r->n) : NULL;
        if (!nk) { snprintf(msg, n, "out of memory"); return -1; }
        g->cls = nk;
        g->capcols = r->n;
    }
    Buf *b = copy ? &g->copy_stmt : &g->sql;
    buf_puts(b, copy ? "COPY " : "INSERT INTO ");
    cli_put_user_name(b, g->table);
    buf_puts(b, " (");
    for (int i = 0; i < r->n; i++) {
        const char *name = record_name(r, i);
        g->cols[i] = dd_strdup(name);
        if (!g->cols[i]) { snprintf(msg, n, "out of memory"); return -1; }
        g->ncols = i + 1;
        g->style[i] = (unsigned char)style_of(g, name);
        g->cls[i] = (unsigned char)class_of(g, name);
        if (i) buf_puts(b, ", ");
        buf_putc(b, '"');
        for (const char *p = name; *p; p++) {
            if (*p == '"') buf_putc(b, '"');
            buf_putc(b, (u8)*p);
        }
        buf_putc(b, '"');
    }
    buf_puts(b, copy ? ") FROM STDIN" : ") VALUES ");
    g->copy = copy;
    if (!copy) return 0;
    char *stmt = buf_cstr(b);
    if (!stmt) { snprintf(msg, n, "out of memory"); return -1; }
    if (!g->in_txn) {
        if (conn_exec(g->c, "BEGIN", err) != 0) return -2;
        g->in_txn = 1;
    }
    if (conn_copy_begin(g->c, stmt, err) != 0) {
        g->copy = 0;
        return -2;
    }
    return 0;
}

static void put_value(Ing *g, ValKind kind, const char *body, size_t body_len, int style)
{
    Buf *b = &g->sql;
    switch (kind) {
    case VAL_NULL: buf_puts(b, "NULL"); return;
    case VAL_TRUE: buf_puts(b, style == STYLE_NEW ? "TRUE" : "'true'"); return;
    case VAL_FALSE: buf_puts(b, style == STYLE_NEW ? "FALSE" : "'false'"); return;
    case VAL_NUMBER:
        if (style != STYLE_QUOTED) {
            buf_append(b, body, body_len);
            return;
        }
        break;
    case VAL_STRING: case VAL_NESTED:
        break;
    }
    buf_putc(b, '\'');
    buf_append(b, body, body_len);
    buf_putc(b, '\'');
    /* a nested object or array makes a new column jsonb (an existing
     * column's type reads the text: jsonb, json or text) */
    if (kind == VAL_NESTED && style == STYLE_NEW) buf_puts(b, "::jsonb");
}

/* A JSON Lines string for a json or jsonb column: the string as JSON text
 * ("..." with JSON's escapes), as a literal body again (quotes doubled),
 * so that the column holds a JSON string and not whatever its text would
 * parse as. */
static void json_string_body(Buf *out, const char *body, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    buf_reset(out);
    buf_putc(out, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)body[i];
        if (c == '\'') {   /* doubled in the body: stays doubled */
            buf_puts(out, "''");
            if (i + 1 < n && body[i + 1] == '\'') i++;
        } else if (c == '"' || c == '\\') {
            buf_putc(out, '\\');
            buf_putc(out, c);
        } else if (c < 0x20) {
            buf_putc(out, '\\');
            switch (c) {
            case '\n': buf_putc(out, 'n'); break;
            case '\r': buf_putc(out, 'r'); break;
            case '\t': buf_putc(out, 't'); break;
            case '\b': buf_putc(out, 'b'); break;
            case '\f': buf_putc(out, 'f'); break;
            default:
                buf_puts(out, "u00");
                buf_putc(out, (u8)hex[c >> 4]);
                buf_putc(out, (u8)hex[c & 15]);
            }
        } else {
            buf_putc(out, c);
        }
    }
    buf_putc(out, '"');
}

/* Field f in COPY's text format: \N for NULL; a string's text (its
 * literal body with the doubled quotes undone) with backslash, tab,
 * newline and carriage return escaped. */
static void put_copy_value(Buf *b, ValKind kind, const char *s, size_t body_len)
{
    const char *end = s + body_len;
    switch (kind) {
    case VAL_NULL: buf_puts(b, "\\N"); return;
    case VAL_TRUE: buf_puts(b, "true"); return;
    case VAL_FALSE: buf_puts(b, "false"); return;
    case VAL_NUMBER: buf_append(b, s, body_len); return;
    case VAL_STRING: case VAL_NESTED: break;
    }
    const char *run = s;
    for (const char *p = s; p < end; p++) {
        char c = *p, esc;
        switch (c) {
        case '\\': esc = '\\'; break;
        case '\t': esc = 't'; break;
        case '\n': esc = 'n'; break;
        case '\r': esc = 'r'; break;
        case '\'':   /* a doubled quote of the literal body: keep one */
            buf_append(b, run, (size_t)(p - run) + 1);
            if (p + 1 < end && p[1] == '\'') p++;
            run = p + 1;
            continue;
        default: continue;
        }
        buf_append(b, run, (size_t)(p - run));
        buf_putc(b, '\\');
        buf_putc(b, (u8)esc);
        run = p + 1;
    }
    buf_append(b, run, (size_t)(end - run));
}

/* Whether the statement being built adds columns to the table. */
static int makes_columns(const Ing *g)
{
    for (int i = 0; i < g->ncols; i++)
        if (g->style[i] == STYLE_NEW) return 1;
    return 0;
}

static int chunk_add(Ing *g, const Record *r, char *msg, size_t n)
{
    if (g->nrows == g->caprows) {
        int cap = g->caprows ? g->caprows * 2 : 256;
        size_t *no = dd_realloc(g->row_off, sizeof(size_t) * (size_t)cap);
        if (no) g->row_off = no;
        long *nl = no ? dd_realloc(g->row_line, sizeof(long) * (size_t)cap) : NULL;
        if (nl) g->row_line = nl;
        char *nd = nl ? dd_realloc(g->row_dup, (size_t)cap) : NULL;
        if (!nd) { snprintf(msg, n, "out of memory"); return -1; }
        g->row_dup = nd;
        g->caprows = cap;
    }
    if (g->nrows && !g->copy) buf_putc(&g->sql, ',');
    g->row_off[g->nrows] = g->sql.len;
    g->row_line[g->nrows] = r->line;
    g->row_dup[g->nrows] = (char)key_seen(g, r);
    g->nrows++;
    if (!g->copy) buf_putc(&g->sql, '(');
    int in_order = 1;
    for (int i = 0; i < r->n && in_order; i++) in_order = strcmp(record_name(r, i), g->cols[i]) == 0;
    for (int k = 0; k < g->ncols; k++) {
        const Field *f = &r->f[k];
        if (!in_order)
            for (int i = 0; i < r->n; i++)
                if (strcmp(record_name(r, i), g->cols[k]) == 0) { f = &r->f[i]; break; }
        const char *body = (const char *)r->bodies.data + f->body;
        size_t blen = f->body_len;
        if (f->kind == VAL_STRING && g->cls[k] == CLS_JSON && g->jsonl) {
            json_string_body(&g->scratch, body, blen);
            if (!buf_ok(&g->scratch)) { snprintf(msg, n, "out of memory"); return -1; }
            body = (const char *)g->scratch.data;
            blen = g->scratch.len;
        }
        if (g->copy) {
            if (k) buf_putc(&g->sql, '\t');
            put_copy_value(&g->sql, f->kind, body, blen);
            continue;
        }
        if (k) buf_putc(&g->sql, ',');
        put_value(g, f->kind, body, blen, g->style[k]);
        if (!value_copy_ok(r, f, g->cls[k]) && g->cls[k] != CLS_NEW) g->retype = 1;
    }
    buf_putc(&g->sql, g->copy ? '\n' : ')');
    if (!buf_ok(&g->sql)) { snprintf(msg, n, "out of memory"); return -1; }
    return 0;
}

/* The input line of the row at byte position pos (1-based) of the
 * statement; 0 when unknown. */
static long line_of(const Ing *g, int pos)
{
    if (pos <= 0 || g->nrows == 0) return 0;
    size_t p = (size_t)pos - 1;
    int lo = 0, hi = g->nrows - 1;
    if (p < g->row_off[0]) return g->row_line[0];   /* the column list: its first row */
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (g->row_off[mid] <= p) lo = mid;
        else hi = mid - 1;
    }
    return g->row_line[lo];
}

/*
 * After a multi-row INSERT failed without an error position (a duplicate
 * key, a constraint checked while writing): runs its rows one at a time in
 * a transaction of their own, rolled back, to find the first that fails.
 * Returns that row's input line, or 0 when none fails alone (the conflict
 * was with an earlier statement of the aborted transaction).
 */
static long diagnose(Ing *g)
{
    driftdb_error e;
    const char *text = (const char *)g->sql.data;
    size_t head = g->row_off[0];
    long line = 0;
    Buf one = BUF_INIT;
    if (conn_exec(g->c, "BEGIN", &e) != 0) return 0;
    for (int i = 0; i < g->nrows && !line; i++) {
        size_t end = i + 1 < g->nrows ? g->row_off[i + 1] - 1 : g->sql.len;
        buf_reset(&one);
        buf_append(&one, text, head);
        buf_append(&one, text + g->row_off[i], end - g->row_off[i]);
        char *q = buf_cstr(&one);
        if (!q) break;
        if (conn_exec(g->c, q, &e) != 0) line = g->row_line[i];
    }
    conn_exec(g->c, "ROLLBACK", &e);
    buf_free(&one);
    return line;
}

/* The text of row i of a COPY chunk (without its newline). */
static const char *copy_row(const Ing *g, int i, size_t *len)
{
    size_t end = i + 1 < g->nrows ? g->row_off[i + 1] : g->sql.len;
    *len = end - g->row_off[i] - 1;
    return (const char *)g->sql.data + g->row_off[i];
}

/*
 * After a COPY chunk failed on rows from..to (indexes) together: runs them
 * one at a time, each a COPY of its own, in a transaction rolled back, to
 * find the first that fails.  Returns its input line, or 0.
 */
static long diagnose_copy(Ing *g, int from, int to)
{
    driftdb_error e;
    const char *stmt = (const char *)g->copy_stmt.data;
    long line = 0;
    if (!stmt || conn_exec(g->c, "BEGIN", &e) != 0) return 0;
    for (int i = from; i <= to && !line; i++) {
        size_t len;
        const char *row = copy_row(g, i, &len);
        if (conn_copy_begin(g->c, stmt, &e) != 0) break;
        if (conn_copy_data(g->c, row, len + 1, &e) != 0 || conn_copy_end(g->c, &e) != 0)
            line = g->row_line[i];
    }
    conn_exec(g->c, "ROLLBACK", &e);
    return line;
}

/* The row numbers of a COPY error's context ("COPY t, line N" or "COPY t,
 * lines A-B"), 1-based; 0 when there are none. */
static void copy_error_lines(const driftdb_error *err, long *a, long *b)
{
    *a = *b = 0;
    const char *p = strstr(err->context, ", line");
    if (!p) return;
    p += 6;
    if (*p == 's') p++;
    char *e;
    *a = *b = strtol(p, &e, 10);
    if (*e == '-') *b = strtol(e + 1, &e, 10);
    if (*a <= 0 || *b < *a) *a = *b = 0;
}

/* A COPY chunk failed with err: puts the input line of the row at fault in
 * front of the message (from the error's context, or by running the rows
 * of the range again one at a time). */
static int copy_failed(Ing *g, driftdb_error *err)
{
    long a, b, line = 0;
    copy_error_lines(err, &a, &b);
    if (a && b > g->nrows) a = b = 0;
    if (a && a == b) line = g->row_line[a - 1];
    if (!line && a) {
        driftdb_error e;
        conn_exec(g->c, "ROLLBACK", &e);
        g->in_txn = 0;
        line = diagnose_copy(g, (int)a - 1, (int)b - 1);
    }
    int from = a ? (int)a - 1 : 0, to = a ? (int)b - 1 : g->nrows - 1;
    for (int i = from; !line && strcmp(err->sqlstate, "23505") == 0 && i <= to; i++)
        if (g->row_dup[i]) line = g->row_line[i];
    char where[64], m[sizeof err->message];
    if (line) snprintf(where, sizeof where, "line %ld: ", line);
    else snprintf(where, sizeof where, "lines %ld-%ld: ", g->row_line[from], g->row_line[to]);
    size_t wl = strlen(where);
    memcpy(m, where, wl);
    snprintf(m + wl, sizeof m - wl, "%.*s", (int)(sizeof m - wl - 1), err->message);
    memcpy(err->message, m, sizeof m);
    err->position = 0;
    err->context[0] = '\0';   /* its line numbers count the COPY's rows, not the file's */
    g->copy = 0;
    return -1;
}

/* Sends the rows of a COPY chunk not sent yet, when they are at least min
 * bytes. */
static int copy_send(Ing *g, size_t min, driftdb_error *err)
{
    size_t len = g->sql.len - g->sent;
    if (len == 0 || len < min) return 0;
    if (conn_copy_data(g->c, g->sql.data + g->sent, len, err) != 0) return copy_failed(g, err);
    g->sent = g->sql.len;
    return 0;
}

/* Sends the statement being built (BEGIN first when no transaction is
 * open), or ends the COPY being sent.  On error fills err, with the input
 * line in front of the message. */
static int chunk_flush(Ing *g, driftdb_error *err)
{
    if (g->copy) {
        if (copy_send(g, 0, err) != 0) return -1;
        if (conn_copy_end(g->c, err) != 0) return copy_failed(g, err);
        chunk_clear(g);
        return 0;
    }
    if (g->nrows == 0) return 0;
    if (!g->in_txn) {
        if (conn_exec(g->c, "BEGIN", err) != 0) return -1;
        g->in_txn = 1;
    }
    char *text = buf_cstr(&g->sql);
    if (!text) {
        conn_set_error(err, "53200", "out of memory");
        return -1;
    }
    if (conn_exec(g->c, text, err) != 0) {
        long line = line_of(g, err->position);
        if (!line && g->nrows == 1) line = g->row_line[0];
        if (!line && g->nrows > 1) {
            driftdb_error e;
            conn_exec(g->c, "ROLLBACK", &e);
            g->in_txn = 0;
            line = diagnose(g);
        }
        /* a duplicate of a row of an earlier statement (rolled back with
         * the transaction, so diagnose cannot meet it) */
        for (int i = 0; !line && strcmp(err->sqlstate, "23505") == 0 && i < g->nrows; i++)
            if (g->row_dup[i]) line = g->row_line[i];
        char where[64], m[sizeof err->message];
        if (line) snprintf(where, sizeof where, "line %ld: ", line);
        else snprintf(where, sizeof where, "lines %ld-%ld: ", g->row_line[0], g->row_line[g->nrows - 1]);
        size_t wl = strlen(where);
        memcpy(m, where, wl);
        snprintf(m + wl, sizeof m - wl, "%.*s", (int)(sizeof m - wl - 1), err->message);
        memcpy(err->message, m, sizeof m);
        err->position = 0;
        return -1;
    }
    /* columns this statement made (or typed, or widened) have their types
     * now: later rows are written as for any existing column, in this run
     * as in the next */
    int made = makes_columns(g) || g->retype;
    chunk_clear(g);
    if (made && load_columns(g, err) != 0) return -1;
    return 0;
}

static int commit(Ing *g, driftdb_error *err)
{
    if (!g->in_txn) return 0;
    if (conn_exec(g->c, "COMMIT", err) != 0) {
        /* the connection broke: the server may have committed or not */
        if (strncmp(err->sqlstate, "08", 2) == 0) g->commit_unknown = 1;
        char where[64], m[sizeof err->message];
        snprintf(where, sizeof where, "lines %ld-%ld (at COMMIT): ", g->txn_first_line, g->last_line);
        size_t wl = strlen(where);
        memcpy(m, where, wl);
        snprintf(m + wl, sizeof m - wl, "%.*s", (int)(sizeof m - wl - 1), err->message);
        memcpy(err->message, m, sizeof m);
        return -1;
    }
    g->in_txn = 0;
    keys_clear(g);   /* a duplicate of a committed row fails alone: diagnose finds it */
    g->committed_rows = g->rows;
    g->committed_line = g->last_line;
    g->txn_rows = 0;
    return 0;
}

/* --------------------------------------------------------------- command */

/* After an error: rolls back the open transaction and says what stays. */
static void report_failure(Ing *g)
{
    char n1[32];
    conn_copy_abort(g->c, "the input has a bad record");
    if (g->in_txn) {
        driftdb_error e;
        conn_exec(g->c, "ROLLBACK", &e);
        g->in_txn = 0;
    }
    if (g->commit_unknown) {
        fprintf(stderr, "The connection was lost at COMMIT: whether lines %ld-%ld were committed is not known; "
                        "look for them before loading them again.\n", g->txn_first_line, g->last_line);
        if (g->committed_rows > 0)
            fprintf(stderr, "The %s row%s up to line %ld stay committed (earlier batches).\n",
                    commas(g->committed_rows, n1), g->committed_rows == 1 ? "" : "s", g->committed_line);
        return;
    }
    if (g->committed_rows == 0)
        fprintf(stderr, "Nothing was committed.\n");
    else
        fprintf(stderr, "The %s row%s up to line %ld stay committed (earlier batches); nothing after them was.\n",
                commas(g->committed_rows, n1), g->committed_rows == 1 ? "" : "s", g->committed_line);
}

int cmd_ingest(int argc, char **argv)
{
    CliTarget t = {NULL, NULL};
    const char *table = NULL, *file = NULL, *format = NULL, *batch = NULL;
    for (int i = 2; i < argc; i++) {
        int m = cli_target_opt(argc, argv, &i, &t);
        if (m == 0) m = cli_opt(argc, argv, &i, "--table", "-t", &table);
        if (m == 0) m = cli_opt(argc, argv, &i, "--file", "-f", &file);
        if (m == 0) m = cli_opt(argc, argv, &i, "--format", NULL, &format);
        if (m == 0) m = cli_opt(argc, argv, &i, "--batch", NULL, &batch);
        if (m < 0) return 1;
        if (m == 0) return cli_usage_error("unknown argument to ingest: %s", argv[i]);
    }
    if (!table || !file) return cli_usage_error("ingest needs -t TABLE and -f FILE");
    InFormat fmt = IN_JSONL;
    if (format) {
        if (strcmp(format, "jsonl") == 0 || strcmp(format, "json") == 0) fmt = IN_JSONL;
        else if (strcmp(format, "csv") == 0) fmt = IN_CSV;
        else return cli_usage_error("unknown --format \"%s\" (jsonl or csv)", format);
    } else {
        size_t n = strlen(file);
        if (n > 4 && strcmp(file + n - 4, ".csv") == 0) fmt = IN_CSV;
    }
    Ing g;
    memset(&g, 0, sizeof g);
    g.table = table;
    buf_init(&g.sql);
    buf_init(&g.copy_stmt);
    buf_init(&g.scratch);
    g.jsonl = fmt == IN_JSONL;
    if (batch) {
        char *end;
        errno = 0;
        g.batch = strtol(batch, &end, 10);
        if (*end || g.batch <= 0 || errno == ERANGE) return cli_usage_error("--batch takes a positive number of rows, not \"%s\"", batch);
    }

    int is_stdin = strcmp(file, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(file, "rb");
    if (!f) {
        fprintf(stderr, "%s: %s: %s\n", cli_progname, file, strerror(errno));
        return 1;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode)) g.file_size = (unsigned long long)sb.st_size;
    g.tty = isatty(STDERR_FILENO);

    int status = 1;
    driftdb_error err;
    memset(&err, 0, sizeof err);
    char msg[1024];
    Input in;
    Record r;
    record_init(&r);
    int in_open = 0;
    if (cli_connect(&t, CONN_WRITE, "ingest", &g.c) != 0) goto out;
    if (load_columns(&g, &err) != 0) {
        cli_print_plain_error(&err);
        goto out;
    }
    load_pk(&g);
    if (input_open(&in, f, fmt, msg, sizeof msg) != 0) {
        fprintf(stderr, "%s: error: %s: %s\n", cli_progname, is_stdin ? "stdin" : file, msg);
        fprintf(stderr, "Nothing was committed.\n");
        input_free(&in);
        goto out;
    }
    in_open = 1;
    g.t0 = g.last_progress = now_s();

    int rc;
    while ((rc = input_next(&in, &r, msg, sizeof msg)) == 1) {
        /* a statement that makes columns holds one row: the first value
         * types each new column, and the rows after it are written as into
         * an existing column, so one run and several give the same table */
        int same = g.ncols && same_keys(&g, &r);
        int copy = copy_ok(&g, &r, same);
        if (g.ncols && (!same || copy != g.copy || makes_columns(&g) ||
                        (g.copy ? g.nrows >= ROWS_PER_COPY || g.sql.len >= MAX_COPY_BYTES
                                : g.nrows >= ROWS_PER_INSERT || g.sql.len >= MAX_INSERT_BYTES))) {
            if (chunk_flush(&g, &err) != 0) goto db_failed;
            copy = copy_ok(&g, &r, 0);   /* the table's columns may have changed */
        }
        if (!g.ncols) {
            int sc = chunk_start(&g, &r, copy, msg, sizeof msg, &err);
            if (sc == -2) goto db_failed;
            if (sc != 0) goto input_failed;
        }
        if (chunk_add(&g, &r, msg, sizeof msg) != 0) goto input_failed;
        if (g.copy && copy_send(&g, COPY_SEND, &err) != 0) goto db_failed;
        if (g.txn_rows == 0) g.txn_first_line = r.line;
        g.rows++;
        g.txn_rows++;
        g.last_line = r.line;
        if (g.batch && g.txn_rows >= g.batch) {
            if (chunk_flush(&g, &err) != 0 || commit(&g, &err) != 0) goto db_failed;
        }
        if ((g.rows & 255) == 0) progress(&g, in.bytes, 0);
    }
    if (rc < 0) goto input_failed;
    if (chunk_flush(&g, &err) != 0 || commit(&g, &err) != 0) goto db_failed;
    progress(&g, in.bytes, 1);

    char seq[32] = "", n1[32];
    double el = now_s() - g.t0;
    if (g.rows > 0 && conn_query_value(g.c, "SELECT drift_last_commit_seq()", seq, sizeof seq, &err) != 0) seq[0] = '\0';
    printf("Ingested %s row%s into %s in %.1f s", commas(g.rows, n1), g.rows == 1 ? "" : "s", table, el);
    if (seq[0]) printf(" at seq %s", seq);
    printf("\n");
    status = 0;
    goto out;

input_failed:
    progress(&g, 0, -1);
    fprintf(stderr, "%s: error: %s: %s\n", cli_progname, is_stdin ? "stdin" : file, msg);
    report_failure(&g);
    goto out;
db_failed:
    progress(&g, 0, -1);
    cli_print_plain_error(&err);
    report_failure(&g);
out:
    if (in_open) input_free(&in);
    record_free(&r);
    if (g.c) conn_copy_abort(g.c, "ingest failed");
    chunk_clear(&g);
    buf_free(&g.sql);
    buf_free(&g.copy_stmt);
    buf_free(&g.scratch);
    dd_free(g.cols);
    dd_free(g.style);
    dd_free(g.cls);
    dd_free(g.row_off);
    dd_free(g.row_line);
    dd_free(g.row_dup);
    keys_clear(&g);
    for (int i = 0; i < g.npk; i++) dd_free(g.pkcols[i]);
    dd_free(g.pkcols);
    for (int i = 0; i < g.nexisting; i++) dd_free(g.existing[i]);
    dd_free(g.existing);
    dd_free(g.existing_oid);
    if (g.c) conn_close(g.c);
    if (!is_stdin) fclose(f);
    return status;
}
