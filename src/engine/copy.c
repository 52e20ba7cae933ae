/*
 * copy.c - COPY ... TO STDOUT: a query's rows in PostgreSQL's text, CSV or
 * binary COPY format, pulled one row at a time (driftdb_copy_out_next);
 * COPY ... FROM STDIN: the same formats decoded into rows and inserted in
 * one transaction (driftdb_copy_in_data / _end / _fail).
 *
 * COPY t [(cols)] TO STDOUT runs SELECT cols FROM t; COPY (query) TO
 * STDOUT runs the query.  Both go through the SQL layer as any SELECT
 * (session_run_sql), so snapshots, AS OF and cancel work as for queries.
 * The result's tag is "COPY n".
 *
 * Formats, as PostgreSQL's copyto.c writes them:
 *   text    columns separated by DELIMITER (tab), rows ended by "\n", NULL
 *           as NULL ("\N"); backslash, newline, CR, tab, backspace, form
 *           feed, vertical tab and the delimiter are backslash-escaped.
 *   csv     DELIMITER (','), NULL ("" unquoted), a value is quoted with
 *           QUOTE ('"') when it holds the delimiter, the quote, CR or LF,
 *           equals the NULL string, is "\." in a one-column row, or is in
 *           FORCE_QUOTE; inside
 *           quotes QUOTE and ESCAPE (= QUOTE) are preceded by ESCAPE.
 *           HEADER writes the column names first.
 *   binary  "PGCOPY\n\377\r\n\0", Int32 flags 0, Int32 extension 0; per
 *           row Int16 ncols, then Int32 length (-1 NULL) and the value's
 *           binary send form; Int16 -1 at the end.
 *
 * COPY ... FROM STDIN: see the second half of this file.
 *
 * States of a CopyState: HEADER --copy_out_next--> ROWS --no row left-->
 * TRAILER (binary) --> DONE.
 */
#include "engine_int.h"
#include "../util/alloc.h"
#include "../util/utf8.h"
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { CO_HEADER, CO_ROWS, CO_TRAILER, CO_DONE };

struct CopyState {
    int format;                /* COPY_* */
    int stage;                 /* CO_* */
    char delim, quote, escape;
    const char *null_str;
    size_t null_len;
    bool header;
    bool *force;               /* [ncols] FORCE_QUOTE */
    Buf line;                  /* the chunk handed out */
    u64 nrows;
    char tag[32];
    /* COPY FROM */
    bool from;
    const char *table;         /* in the session's statement arena */
    int ncols;
    TypeId *types;             /* [ncols] */
    i32 *typmods;
    const char **names;
    Buf cols_sql;              /* "INSERT INTO "t" ("a", "b") OVERRIDING SYSTEM VALUE VALUES " */
    Buf in;                    /* bytes received and not yet consumed */
    size_t pos;                /* consumed up to here */
    u64 lineno;                /* line of the row being read (1-based) */
    bool eod;                  /* saw "\." or the binary trailer */
    bool bin_header;           /* binary: the file header was read */
    Buf field;                 /* one decoded field */
    Arena batch;               /* the batch's values, its INSERT's parse and plan */
    Arena rowa;
    Value *vals;               /* [COPY_BATCH * ncols] */
    TypeId *ptypes;            /* [COPY_BATCH * ncols] */
    int nbatch;
    u64 batch_line;            /* line of the batch's first row */
    Buf sql;                   /* the batch's INSERT text */
    int sql_rows;              /* the number of rows sql is for */
    SqlCtx ictx;               /* the INSERT planned once for the COPY ... */
    Plan *iplan;               /* ... or NULL: an INSERT per batch */
    UniqueSets *uniq;          /* its unique keys so far (the statement arena) */
    u64 err_line;              /* the line an error is about (0: the batch's) */
    Buf err_ctx;               /* what CONTEXT adds after "line N": ", column a: "v"" or ": "line"" */
    const char **raw;          /* [COPY_BATCH] the batch's lines as read (text and CSV, planned INSERT) */
    u32 *rawlen;
};

#define COPY_BATCH 1000        /* rows per INSERT through the SQL layer */

static void copy_state_free(CopyState *c)
{
    if (!c) return;
    if (c->from) {
        buf_free(&c->cols_sql);
        buf_free(&c->in);
        buf_free(&c->field);
        buf_free(&c->sql);
        buf_free(&c->err_ctx);
        dd_free(c->raw);
        dd_free(c->rawlen);
        arena_free(&c->batch);
        arena_free(&c->rowa);
        dd_free(c->types);
        dd_free(c->typmods);
        dd_free(c->names);
        dd_free(c->vals);
        dd_free(c->ptypes);
    }
    buf_free(&c->line);
    dd_free(c->force);
    dd_free(c);
}

void copy_free(driftdb_result *r)
{
    copy_state_free(r->copy);
    r->copy = NULL;
}

/* Appends "name" with its double quotes doubled. */
static void put_ident(Buf *b, const char *name)
{
    buf_putc(b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"') buf_putc(b, '"');
        buf_putc(b, (u8)*p);
    }
    buf_putc(b, '"');
}

/* A single-byte option (DELIMITER, QUOTE, ESCAPE). */
static int one_char(const char *v, const char *what, char dflt, char *out, DdError *e)
{
    if (!v) { *out = dflt; return DD_OK; }
    if (strlen(v) != 1)
        return dd_err(e, DD_EFEATURE, -1, "COPY %s must be a single one-byte character", what);
    *out = v[0];
    return DD_OK;
}

static int copy_from_setup(driftdb_session *s, CopyStmt *cs, CopyState *c, driftdb_result *r, DdError *e);

static int copy_start(driftdb_session *s, CopyStmt *cs, const char *sql, driftdb_result *r, DdError *e);

int copy_run(driftdb_session *s, CopyStmt *cs, const char *sql, driftdb_result *r, DdError *e)
{
    /* run through a portal, COPY still has no parameters (a utility
     * statement in PostgreSQL: COPY (query)'s $1 is 42P02 there too), and
     * the statements it runs inside must not take the portal's */
    BindSave b = bind_swap(s, NULL, NULL, 0);   /* nor its kept plan */
    int rc = copy_start(s, cs, sql, r, e);
    bind_restore(s, &b);
    return rc;
}

static int copy_start(driftdb_session *s, CopyStmt *cs, const char *sql, driftdb_result *r, DdError *e)
{
    CopyState *c = dd_calloc(1, sizeof *c);
    if (!c) return dd_err(e, DD_ENOMEM, -1, NULL);
    r->copy = c;
    c->format = cs->format;
    bool csv = cs->format == COPY_CSV;
    int rc = one_char(cs->delimiter, "delimiter", csv ? ',' : '\t', &c->delim, e);
    if (!rc) rc = one_char(cs->quote, "quote", '"', &c->quote, e);
    if (!rc) rc = one_char(cs->escape, "escape", c->quote, &c->escape, e);
    if (rc) return rc;
    if (!csv && (cs->quote || cs->escape || cs->force_quote_all || cs->nforce_quote))
        return dd_err(e, DD_EFEATURE, -1, "COPY QUOTE, ESCAPE and FORCE_QUOTE are available only in CSV mode");
    if (cs->format == COPY_BINARY && (cs->delimiter || cs->null_str || cs->header > 0))
        return dd_err(e, DD_ESYNTAX, -1, "cannot specify DELIMITER, NULL or HEADER in BINARY mode");
    if (c->delim == '\n' || c->delim == '\r' || c->delim == '\\' || (csv && c->delim == c->quote))
        return dd_err(e, DD_EINVALID_PARAM, -1, "COPY delimiter cannot be \"%c\"", c->delim);
    c->null_str = cs->null_str ? cs->null_str : csv ? "" : "\\N";
    c->null_len = strlen(c->null_str);
    c->header = cs->header > 0;
    c->stage = c->header || c->format == COPY_BINARY ? CO_HEADER : CO_ROWS;
    if (cs->from) {
        if (cs->force_quote_all || cs->nforce_quote)
            return dd_err(e, DD_EFEATURE, -1, "COPY FORCE_QUOTE is available only in COPY TO");
        return copy_from_setup(s, cs, c, r, e);
    }

    /* the query: COPY (query), or SELECT cols FROM t */
    Stmt *q = cs->query;
    const char *text = NULL;
    if (!q) {
        const char **gl;
        int gn;
        if ((rc = session_copy_columns(s, cs->table, cs->cols, cs->ncols, &gl, &gn, e))) return rc;
        Buf sql = BUF_INIT;
        buf_puts(&sql, "SELECT ");
        if (cs->ncols == 0 && !gl) buf_putc(&sql, '*');
        for (int i = 0; i < cs->ncols; i++) {
            if (i) buf_puts(&sql, ", ");
            put_ident(&sql, cs->cols[i]);
        }
        for (int i = 0; gl && i < gn; i++) {
            if (i) buf_puts(&sql, ", ");
            put_ident(&sql, gl[i]);
        }
        buf_puts(&sql, " FROM ");
        put_ident(&sql, cs->table);
        const char *t = buf_cstr(&sql);
        text = t ? arena_strdup(&s->stmt, t) : NULL;
        buf_free(&sql);
        if (!text) return dd_err(e, DD_ENOMEM, -1, NULL);
        size_t next;
        rc = parse_statement(text, strlen(text), 0, &s->stmt, &q, &next, e);
        if (rc || !q) return rc ? rc : dd_err(e, DD_EINTERNAL, -1, "COPY: no query");
    }
    rc = session_run_sql(s, q, text ? text : sql, r, e);
    if (text && rc) e->position = 0;   /* not a position in the client's text */
    if (rc) return rc;
    int n = r->ncols;
    c->force = dd_calloc((size_t)(n ? n : 1), sizeof(bool));
    if (!c->force) return dd_err(e, DD_ENOMEM, -1, NULL);
    for (int i = 0; i < n; i++) {
        c->force[i] = cs->force_quote_all;
        for (int k = 0; k < cs->nforce_quote; k++)
            if (strcmp(cs->force_quote[k], r->cols[i].name) == 0) c->force[i] = true;
    }
    for (int k = 0; k < cs->nforce_quote; k++) {
        bool found = false;
        for (int i = 0; i < n; i++) found |= strcmp(cs->force_quote[k], r->cols[i].name) == 0;
        if (found) continue;
        if (cs->table)
            return dd_err(e, DD_EUNDEFINED_COLUMN, -1, "column \"%s\" of relation \"%s\" does not exist",
                          cs->force_quote[k], cs->table);
        return dd_err(e, DD_EINVALID_COLUMN_REF, -1, "FORCE_QUOTE column \"%s\" not referenced by COPY",
                      cs->force_quote[k]);
    }
    if (c->format == COPY_BINARY)
        for (int i = 0; i < n; i++) r->binary[i] = true;
    r->copy_out = true;
    return DD_OK;
}

static void put_text_value(CopyState *c, const char *v, size_t len)
{
    Buf *b = &c->line;
    for (size_t i = 0; i < len; i++) {
        char ch = v[i];
        char esc = 0;
        switch (ch) {
        case '\\': esc = '\\'; break;
        case '\n': esc = 'n'; break;
        case '\r': esc = 'r'; break;
        case '\t': esc = 't'; break;
        case '\b': esc = 'b'; break;
        case '\f': esc = 'f'; break;
        case '\v': esc = 'v'; break;
        default:
            if (ch == c->delim) esc = ch;
        }
        if (esc) { buf_putc(b, '\\'); buf_putc(b, (u8)esc); }
        else buf_putc(b, (u8)ch);
    }
}

/* single: the row has one column, so a "\." line would read as the end
 * of data: PostgreSQL quotes it then only. */
static void put_csv_value(CopyState *c, const char *v, size_t len, bool force, bool single)
{
    Buf *b = &c->line;
    bool q = force || (len == c->null_len && memcmp(v, c->null_str, len) == 0) ||
             (single && len == 2 && v[0] == '\\' && v[1] == '.');
    for (size_t i = 0; !q && i < len; i++)
        q = v[i] == c->delim || v[i] == c->quote || v[i] == '\n' || v[i] == '\r';
    if (!q) { buf_append(b, v, len); return; }
    buf_putc(b, (u8)c->quote);
    for (size_t i = 0; i < len; i++) {
        if (v[i] == c->quote || v[i] == c->escape) buf_putc(b, (u8)c->escape);
        buf_putc(b, (u8)v[i]);
    }
    buf_putc(b, (u8)c->quote);
}

int driftdb_result_copy(const driftdb_result *r, int *binary, int *ncols)
{
    if (!r->copy) return 0;
    if (binary) *binary = r->copy->format == COPY_BINARY;
    if (ncols) *ncols = r->copy_out ? r->ncols : r->copy->ncols;   /* COPY FROM: its target columns */
    return r->copy_out ? 'o' : 'i';
}

int driftdb_copy_out_next(driftdb_result *r, const char **data, size_t *len, driftdb_error *err)
{
    CopyState *c = r->copy;
    if (!c || !r->copy_out) {
        memset(err, 0, sizeof *err);
        snprintf(err->sqlstate, sizeof err->sqlstate, "55000");
        snprintf(err->message, sizeof err->message, "not a COPY TO result");
        err->severity = "ERROR";
        return -1;
    }
    buf_reset(&c->line);
    int n = r->ncols;
    switch (c->stage) {
    case CO_HEADER:
        c->stage = CO_ROWS;
        if (c->format != COPY_BINARY) {
            for (int i = 0; i < n; i++) {
                if (i) buf_putc(&c->line, (u8)c->delim);
                const char *name = r->cols[i].name ? r->cols[i].name : "?column?";
                if (c->format == COPY_CSV) put_csv_value(c, name, strlen(name), false, n == 1);
                else put_text_value(c, name, strlen(name));
            }
            buf_putc(&c->line, '\n');
            break;
        }
        buf_append(&c->line, "PGCOPY\n\377\r\n\0", 11);
        buf_put_u32be(&c->line, 0);   /* flags */
        buf_put_u32be(&c->line, 0);   /* header extension length */
        /* the binary header travels with the first row (or the trailer),
         * as PostgreSQL frames it and psycopg 3 reads it */
        /* fall through */
    case CO_ROWS: {
        int rc = driftdb_result_next(r, err);
        if (rc < 0) return -1;
        if (rc == 0) {
            snprintf(c->tag, sizeof c->tag, "COPY %llu", (unsigned long long)c->nrows);
            r->tag = c->tag;
            if (c->format != COPY_BINARY) { c->stage = CO_DONE; return 0; }
            c->stage = CO_TRAILER;
            buf_put_u16be(&c->line, 0xFFFF);
            c->stage = CO_DONE;
            break;
        }
        c->nrows++;
        if (c->format == COPY_BINARY) buf_put_u16be(&c->line, (u16)n);
        for (int i = 0; i < n; i++) {
            size_t vl;
            const char *v = driftdb_result_value(r, i, &vl);
            if (c->format == COPY_BINARY) {
                buf_put_u32be(&c->line, v ? (u32)vl : 0xFFFFFFFFu);
                if (v) buf_append(&c->line, v, vl);
                continue;
            }
            if (i) buf_putc(&c->line, (u8)c->delim);
            if (!v) buf_append(&c->line, c->null_str, c->null_len);
            else if (c->format == COPY_CSV) put_csv_value(c, v, vl, c->force[i], n == 1);
            else put_text_value(c, v, vl);
        }
        if (c->format != COPY_BINARY) buf_putc(&c->line, '\n');
        break;
    }
    default:
        return 0;
    }
    if (!buf_ok(&c->line)) {
        DdError e;
        dd_err_clear(&e);
        dd_err(&e, DD_ENOMEM, -1, NULL);
        dd_to_api_error(&e, err);
        return -1;
    }
    *data = (const char *)c->line.data;
    *len = c->line.len;
    return 1;
}

/* ---------------------------------------------------------------- COPY FROM */

/*
 * COPY t [(cols)] FROM STDIN: rows are decoded here (text, CSV, binary) into
 * values of the target columns' types, with the line they came from, and
 * inserted COPY_BATCH at a time through one INSERT INTO t (cols)
 * OVERRIDING SYSTEM VALUE VALUES ($1, ..., $n), planned once when the COPY
 * starts (session_copy_prepare) in a statement context the COPY keeps:
 * each batch's rows run through that plan as the INSERT would run once per
 * row with them as parameters (session_copy_rows -> dml_insert_rows), so
 * defaults, identity and serial values, hidden row ids, assignment casts,
 * generated columns, NOT NULL, CHECK, domains, key locks, keys, unique
 * indexes and foreign keys are checked as for INSERT, and the INSERT
 * privilege when the COPY starts.  Per batch nothing is parsed or planned;
 * the batch's values and everything its rows allocate live in c->batch,
 * reset after it; the keys of the table's unique indexes so far are kept
 * in the statement arena (c->uniq), so a batch's unique check costs its
 * rows, not all the transaction's.  A document-style table (whose columns an INSERT may
 * create or widen) keeps an INSERT ... VALUES (...), ... of the batch's
 * rows, parsed and run per batch (session_run_dml), as does a plan that
 * could not be made (its error then comes from the first batch, as before).
 *
 * All batches belong to the statement's transaction: an implicit one
 * commits at driftdb_copy_in_end, and any error fails the whole COPY
 * (nothing of it is committed).  An error about one row has PostgreSQL's
 * CONTEXT: "COPY t, line N, column c: "value"" for a value that does not
 * read, "COPY t, line N: "the line"" for a line with too few or too many
 * fields and for a row's NOT NULL or CHECK (the batch's lines are kept for
 * that), "COPY t, line N" for a duplicate key; one about the batch's rows
 * together (a unique index other than the key, a foreign key) names the
 * lines of its batch.  A domain's constraint, which PostgreSQL checks as
 * the field is read (", column c: "v"", ", column c: null input"), is
 * checked with the row here and names its line (docs/postgres-differences.md).
 *
 * Measured (bench/copy.sh, 1,000,000 rows of int, text, int in one COPY):
 * about 190,000 rows/s with an INSERT parsed and planned per batch; the
 * plan made once, the writer's hashing and appends, the write set's and
 * lock table's probes and reads ahead brought it to 580,000-750,000
 * (bench/README.md has the figures and where the rest of the time goes).
 */

/* 22P04 (PostgreSQL's bad_copy_file_format): the stream's shape is wrong. */
static int bad_copy(DdError *e, const char *fmt, ...) DD_PRINTF(2, 3);
static int bad_copy(DdError *e, const char *fmt, ...)
{
    dd_err(e, DD_EINVALID_TEXT, -1, NULL);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    memcpy(e->sqlstate, "22P04", 6);
    return DD_EINVALID_TEXT;
}

static int copy_from_setup(driftdb_session *s, CopyStmt *cs, CopyState *c, driftdb_result *r, DdError *e)
{
    c->from = true;
    c->table = cs->table;
    c->lineno = 0;
    /* one block holds a whole batch (its values, the INSERT's tree and
     * plan), so that arena_reset keeps it: no allocation per batch */
    arena_init(&c->batch, 8u << 20);
    arena_init(&c->rowa, 4096);
    int rc = session_copy_begin(s, cs->table, r, e);
    if (rc) return rc;
    /* the target columns and their types: SELECT cols FROM t (COPY
     * leaves generated columns out) */
    const char **gl;
    int gn;
    if ((rc = session_copy_columns(s, cs->table, cs->cols, cs->ncols, &gl, &gn, e))) return rc;
    Buf q = BUF_INIT;
    buf_puts(&q, "SELECT ");
    if (cs->ncols == 0 && !gl) buf_putc(&q, '*');
    for (int i = 0; i < cs->ncols; i++) {
        if (i) buf_puts(&q, ", ");
        put_ident(&q, cs->cols[i]);
    }
    for (int i = 0; gl && i < gn; i++) {
        if (i) buf_puts(&q, ", ");
        put_ident(&q, gl[i]);
    }
    buf_puts(&q, " FROM ");
    put_ident(&q, cs->table);
    const char *t = buf_cstr(&q);
    char *text = t ? arena_strdup(&s->stmt, t) : NULL;
    buf_free(&q);
    if (!text) return dd_err(e, DD_ENOMEM, -1, NULL);
    Stmt *st;
    size_t next;
    rc = parse_statement(text, strlen(text), 0, &s->stmt, &st, &next, e);
    const ColDesc *cols = NULL;
    int n = 0;
    if (!rc) rc = session_describe(s, st, text, &cols, &n, e);
    if (rc) { e->position = 0; return rc; }
    c->ncols = n;
    c->types = dd_calloc((size_t)(n ? n : 1), sizeof(TypeId));
    c->typmods = dd_calloc((size_t)(n ? n : 1), sizeof(i32));
    c->names = dd_calloc((size_t)(n ? n : 1), sizeof(char *));
    c->vals = dd_calloc((size_t)COPY_BATCH * (size_t)(n ? n : 1), sizeof(Value));
    c->ptypes = dd_calloc((size_t)COPY_BATCH * (size_t)(n ? n : 1), sizeof(TypeId));
    if (!c->types || !c->typmods || !c->names || !c->vals || !c->ptypes) return dd_err(e, DD_ENOMEM, -1, NULL);
    buf_puts(&c->cols_sql, "INSERT INTO ");
    put_ident(&c->cols_sql, cs->table);
    buf_puts(&c->cols_sql, " (");
    for (int i = 0; i < n; i++) {
        c->types[i] = cols[i].type;
        c->typmods[i] = cols[i].typmod;
        c->names[i] = arena_strdup(&s->stmt, cols[i].name);
        if (!c->names[i]) return dd_err(e, DD_ENOMEM, -1, NULL);
        if (i) buf_puts(&c->cols_sql, ", ");
        put_ident(&c->cols_sql, cols[i].name);
    }
    /* COPY writes the values it is given, identity columns' too (as
     * PostgreSQL's COPY FROM, which pg_dump's output relies on) */
    buf_puts(&c->cols_sql, ") OVERRIDING SYSTEM VALUE VALUES ");
    if (!buf_ok(&c->cols_sql)) return dd_err(e, DD_ENOMEM, -1, NULL);
    for (int b = 0; b < COPY_BATCH; b++)
        for (int i = 0; i < n; i++) c->ptypes[(size_t)b * (size_t)n + (size_t)i] = c->types[i];
    /* the INSERT of one row of parameters, planned once: each batch's rows
     * run through it (session_copy_rows) */
    buf_reset(&c->sql);
    buf_append(&c->sql, c->cols_sql.data, c->cols_sql.len);
    buf_putc(&c->sql, '(');
    for (int i = 0; i < n; i++) buf_printf(&c->sql, i ? ", $%d" : "$%d", i + 1);
    buf_putc(&c->sql, ')');
    const char *it = buf_cstr(&c->sql);
    char *itext = it ? arena_strdup(&s->stmt, it) : NULL;
    if (!itext) return dd_err(e, DD_ENOMEM, -1, NULL);
    rc = parse_statement(itext, strlen(itext), 0, &s->stmt, &st, &next, e);
    if (!rc) rc = session_copy_prepare(s, &c->ictx, st, itext, c->types, n, &c->iplan, e);
    if (rc) {
        /* as before: the batches' INSERTs report it, at their lines */
        c->iplan = NULL;
        dd_err_clear(e);
    }
    if (c->iplan && cs->format != COPY_BINARY) {
        c->raw = dd_calloc(COPY_BATCH, sizeof *c->raw);
        c->rawlen = dd_calloc(COPY_BATCH, sizeof *c->rawlen);
        if (!c->raw || !c->rawlen) return dd_err(e, DD_ENOMEM, -1, NULL);
    }
    return DD_OK;
}

/* Sets the error's CONTEXT ("COPY t, line N") in the API error. */
static void copy_api_error(driftdb_result *r, const DdError *e, driftdb_error *err, u64 from, u64 to)
{
    dd_to_api_error(e, err);
    CopyState *c = r->copy;
    if (c->err_line) from = to = c->err_line;
    const char *more = c->err_ctx.len && buf_cstr(&c->err_ctx) ? (const char *)c->err_ctx.data : "";
    if (from == to)
        snprintf(err->context, sizeof err->context, "COPY %s, line %llu%s", c->table, (unsigned long long)from, more);
    else
        snprintf(err->context, sizeof err->context, "COPY %s, lines %llu-%llu", c->table,
                 (unsigned long long)from, (unsigned long long)to);
}

/* Appends v[0..n) to the error's CONTEXT as PostgreSQL shows data there:
 * in double quotes, cut to 100 bytes (at a character's start) and "...". */
static void ctx_quoted(CopyState *c, const char *v, size_t n)
{
    size_t k = n;
    if (k > 100) {
        k = 100;
        while (k > 0 && ((u8)v[k] & 0xC0) == 0x80) k--;
    }
    buf_putc(&c->err_ctx, '"');
    buf_append(&c->err_ctx, v, k);
    buf_puts(&c->err_ctx, k < n ? "...\"" : "\"");
}

/* CONTEXT's ": "line"": the line an error is about, as read. */
static void ctx_line(CopyState *c, const char *p, size_t n)
{
    buf_reset(&c->err_ctx);
    buf_puts(&c->err_ctx, ": ");
    ctx_quoted(c, p, n);
}

/* Inserts the rows of the batch. */
static int copy_flush(driftdb_session *s, CopyState *c, DdError *e)
{
    if (c->nbatch == 0) return DD_OK;
    if (c->iplan) {
        int bad;
        int rc = session_copy_rows(s, &c->ictx, c->iplan, c->vals, c->nbatch, &c->batch, &c->uniq, &c->nrows, &bad,
                                   e);
        if (rc && bad >= 0) {
            c->err_line = c->batch_line + (u64)bad;
            /* a row's own check (NOT NULL, CHECK, a domain's) shows its line,
             * as PostgreSQL's; an index's (unique keys, foreign keys), which
             * PostgreSQL checks when its buffered rows go in, does not */
            bool index = !strcmp(e->sqlstate, "23505") || !strcmp(e->sqlstate, "23503");
            if (!index && c->raw && c->raw[bad]) ctx_line(c, c->raw[bad], c->rawlen[bad]);
        }
        if (rc) e->position = 0;
        arena_reset(&c->batch);
        arena_reset(&c->rowa);
        c->nbatch = 0;
        return rc;
    }
    if (c->sql_rows != c->nbatch) {   /* the text of full batches is made once */
        buf_reset(&c->sql);
        buf_append(&c->sql, c->cols_sql.data, c->cols_sql.len);
        int p = 1;
        for (int b = 0; b < c->nbatch; b++) {
            buf_puts(&c->sql, b ? ", (" : "(");
            for (int i = 0; i < c->ncols; i++) buf_printf(&c->sql, i ? ", $%d" : "$%d", p++);
            buf_putc(&c->sql, ')');
        }
        c->sql_rows = c->nbatch;
    }
    const char *text = buf_cstr(&c->sql);
    if (!text) return dd_err(e, DD_ENOMEM, -1, NULL);
    /* a NULL for a text column goes in as an untyped NULL, as INSERT's
     * NULL does: a document-style table's column not typed yet (which
     * reads as text) stays so until a value comes */
    for (int b = 0; b < c->nbatch; b++)
        for (int i = 0; i < c->ncols; i++) {
            size_t k = (size_t)b * (size_t)c->ncols + (size_t)i;
            if (c->types[i] != TYPE_TEXT) continue;
            c->ptypes[k] = c->vals[k].isnull ? TYPE_NULLTYPE : TYPE_TEXT;
            if (c->vals[k].isnull) c->vals[k].type = TYPE_NULLTYPE;
        }
    Stmt *st;
    size_t next;
    int rc = parse_statement(text, c->sql.len, 0, &c->batch, &st, &next, e);
    if (!rc) rc = session_run_dml(s, st, text, c->ptypes, c->vals, c->nbatch * c->ncols, &c->batch, &c->rowa,
                                  &c->nrows, e);
    if (rc) e->position = 0;
    arena_reset(&c->batch);
    arena_reset(&c->rowa);
    c->nbatch = 0;
    return rc;
}

/* Converts one text field (NULL: SQL NULL) of column i into the batch. */
static int put_field(driftdb_session *s, CopyState *c, int i, const char *v, size_t len, DdError *e)
{
    Value *out = &c->vals[(size_t)c->nbatch * (size_t)c->ncols + (size_t)i];
    if (!v) { *out = val_null(c->types[i]); return DD_OK; }
    if (memchr(v, 0, len) || utf8_invalid_at(v, len) < len)
        return dd_err(e, DD_EBAD_ENCODING, -1, "invalid byte sequence for encoding \"UTF8\"");
    ValueCtx vc = s->vctx;
    vc.arena = &c->batch;
    int rc = val_from_text(c->types[i], c->typmods[i], v, len, &vc, out, e);
    if (rc && e->code == DD_OK) dd_err(e, rc, -1, NULL);
    if (rc) {
        /* CONTEXT: ", column a: "value"" */
        buf_reset(&c->err_ctx);
        buf_printf(&c->err_ctx, ", column %s: ", c->names[i]);
        ctx_quoted(c, v, len);
    }
    return rc;
}

/* A line with too few or too many fields (p[0..n): the line, for CONTEXT). */
static int field_count_error(CopyState *c, int got, const char *p, size_t n, DdError *e)
{
    ctx_line(c, p, n);
    if (got < c->ncols)
        return bad_copy(e, "missing data for column \"%s\"", c->names[got]);
    return bad_copy(e, "extra data after last expected column");
}

/* One text-format line (without its newline). */
static int text_row(driftdb_session *s, CopyState *c, const char *p, size_t n, DdError *e)
{
    int col = 0;
    size_t i = 0;
    for (;;) {
        size_t start = i;
        /* a field without a backslash is its own value: no copy */
        while (i < n && p[i] != c->delim && p[i] != '\\') i++;
        if (i == n || p[i] == c->delim) {
            if (col >= c->ncols) return field_count_error(c, col + 1, p, n, e);
            bool isnull = i - start == c->null_len && memcmp(p + start, c->null_str, c->null_len) == 0;
            int rc = put_field(s, c, col, isnull ? NULL : p + start, i - start, e);
            if (rc) return rc;
            col++;
            if (i == n) break;
            i++;   /* the delimiter */
            continue;
        }
        i = start;
        buf_reset(&c->field);
        while (i < n && p[i] != c->delim) {
            char ch = p[i++];
            if (ch != '\\' || i == n) { buf_putc(&c->field, (u8)ch); continue; }
            ch = p[i++];
            switch (ch) {
            case 'b': buf_putc(&c->field, '\b'); break;
            case 'f': buf_putc(&c->field, '\f'); break;
            case 'n': buf_putc(&c->field, '\n'); break;
            case 'r': buf_putc(&c->field, '\r'); break;
            case 't': buf_putc(&c->field, '\t'); break;
            case 'v': buf_putc(&c->field, '\v'); break;
            case 'x':
                if (i < n && ((p[i] >= '0' && p[i] <= '9') || ((p[i] | 32) >= 'a' && (p[i] | 32) <= 'f'))) {
                    int v = 0;
                    for (int k = 0; k < 2 && i < n; k++) {
                        char h = p[i];
                        int d = h >= '0' && h <= '9' ? h - '0' : ((h | 32) >= 'a' && (h | 32) <= 'f') ? (h | 32) - 'a' + 10 : -1;
                        if (d < 0) break;
                        v = v * 16 + d;
                        i++;
                    }
                    buf_putc(&c->field, (u8)v);
                } else {
                    buf_putc(&c->field, 'x');
                }
                break;
            default:
                if (ch >= '0' && ch <= '7') {
                    int v = ch - '0';
                    for (int k = 0; k < 2 && i < n && p[i] >= '0' && p[i] <= '7'; k++) v = v * 8 + (p[i++] - '0');
                    buf_putc(&c->field, (u8)v);
                } else {
                    buf_putc(&c->field, (u8)ch);   /* \\, \<delim>, any other */
                }
            }
        }
        if (col >= c->ncols) return field_count_error(c, col + 1, p, n, e);
        bool isnull = i - start == c->null_len && memcmp(p + start, c->null_str, c->null_len) == 0;
        if (!buf_ok(&c->field)) return dd_err(e, DD_ENOMEM, -1, NULL);
        int rc = put_field(s, c, col, isnull ? NULL : (const char *)c->field.data, c->field.len, e);
        if (rc) return rc;
        col++;
        if (i == n) break;
        i++;   /* the delimiter */
    }
    if (col < c->ncols) return field_count_error(c, col, p, n, e);
    return DD_OK;
}

/* One CSV record (without its final newline; quoted newlines inside). */
static int csv_row(driftdb_session *s, CopyState *c, const char *p, size_t n, DdError *e)
{
    int col = 0;
    size_t i = 0;
    for (;;) {
        size_t start = i;
        bool quoted = false, inq = false;
        buf_reset(&c->field);
        while (i < n) {
            char ch = p[i];
            if (inq) {
                if (ch == c->escape && i + 1 < n && (p[i + 1] == c->quote || p[i + 1] == c->escape) &&
                    !(c->escape == c->quote && p[i + 1] != c->quote)) {
                    buf_putc(&c->field, (u8)p[i + 1]);
                    i += 2;
                    continue;
                }
                if (ch == c->quote) { inq = false; i++; continue; }
                buf_putc(&c->field, (u8)ch);
                i++;
                continue;
            }
            if (ch == c->delim) break;
            if (ch == c->quote) { inq = quoted = true; i++; continue; }
            buf_putc(&c->field, (u8)ch);
            i++;
        }
        if (inq) {
            ctx_line(c, p, n);
            return bad_copy(e, "unterminated CSV quoted field");
        }
        if (col >= c->ncols) return field_count_error(c, col + 1, p, n, e);
        bool isnull = !quoted && i - start == c->null_len && memcmp(p + start, c->null_str, c->null_len) == 0;
        if (!buf_ok(&c->field)) return dd_err(e, DD_ENOMEM, -1, NULL);
        int rc = put_field(s, c, col, isnull ? NULL : (const char *)c->field.data, c->field.len, e);
        if (rc) return rc;
        col++;
        if (i == n) break;
        i++;
    }
    if (col < c->ncols) return field_count_error(c, col, p, n, e);
    return DD_OK;
}

/* Where the record starting at from ends (its '\n'), or SIZE_MAX when it is
 * not complete yet.  CSV newlines inside quotes belong to the record. */
static size_t record_end(CopyState *c, const u8 *p, size_t n, size_t from)
{
    if (c->format != COPY_CSV) {
        const u8 *nl = memchr(p + from, '\n', n - from);
        return nl ? (size_t)(nl - p) : SIZE_MAX;
    }
    bool inq = false;
    for (size_t i = from; i < n; i++) {
        u8 ch = p[i];
        if (inq) {
            if (ch == (u8)c->escape && c->escape != c->quote && i + 1 < n &&
                (p[i + 1] == (u8)c->quote || p[i + 1] == (u8)c->escape)) { i++; continue; }
            if (ch == (u8)c->quote) inq = false;
        } else if (ch == (u8)c->quote) {
            inq = true;
        } else if (ch == '\n') {
            return i;
        }
    }
    return SIZE_MAX;
}

/* One record: the header line, the end marker, or a row for the batch. */
static int copy_record(driftdb_session *s, CopyState *c, const char *p, size_t n, DdError *e)
{
    c->lineno++;
    if (n > 0 && p[n - 1] == '\r') n--;   /* CRLF line ends */
    if (n == 2 && p[0] == '\\' && p[1] == '.') { c->eod = true; return DD_OK; }
    if (c->eod) return DD_OK;              /* after \. everything is ignored */
    if (c->header && c->lineno == 1) return DD_OK;
    if (c->nbatch == 0) c->batch_line = c->lineno;
    int rc = c->format == COPY_CSV ? csv_row(s, c, p, n, e) : text_row(s, c, p, n, e);
    if (rc) return rc;
    if (c->raw) {
        /* the line, for the CONTEXT of a check its row fails in the batch */
        char *copy = arena_alloc(&c->batch, n + 1);
        if (!copy) return dd_err(e, DD_ENOMEM, -1, NULL);
        memcpy(copy, p, n);
        c->raw[c->nbatch] = copy;
        c->rawlen[c->nbatch] = (u32)n;
    }
    c->nbatch++;
    return DD_OK;
}

static u32 rd32(const u8 *p) { return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3]; }

/* Binary format: the header, then tuples; returns DD_OK having consumed
 * what is complete (c->pos). */
static int binary_records(driftdb_session *s, CopyState *c, DdError *e, bool *need_flush)
{
    const u8 *p = c->in.data;
    size_t n = c->in.len;
    if (!c->bin_header) {
        if (n - c->pos < 19) return DD_OK;
        if (memcmp(p + c->pos, "PGCOPY\n\377\r\n\0", 11) != 0)
            return bad_copy(e, "COPY file signature not recognized");
        u32 ext = rd32(p + c->pos + 15);
        if (rd32(p + c->pos + 11) & 0xFFFEFFFFu)
            return bad_copy(e, "invalid COPY file header (unrecognized critical flags)");
        if (ext > (1u << 30)) return bad_copy(e, "invalid COPY file header (wrong length)");
        if (n - c->pos < 19 + (size_t)ext) return DD_OK;
        c->pos += 19 + ext;
        c->bin_header = true;
    }
    while (!c->eod && c->nbatch < COPY_BATCH) {
        size_t at = c->pos;
        if (n - at < 2) return DD_OK;
        i16 nf = (i16)((u16)p[at] << 8 | p[at + 1]);
        if (nf == -1) { c->eod = true; c->pos = at + 2; break; }
        c->lineno++;
        if (nf != c->ncols)
            return bad_copy(e, "row field count is %d, expected %d", nf, c->ncols);
        size_t q = at + 2;
        bool complete = true;
        for (int i = 0; i < nf; i++) {
            if (n - q < 4) { complete = false; break; }
            i32 len = (i32)rd32(p + q);
            q += 4;
            if (len < -1) return bad_copy(e, "invalid field size");
            if (len > 0) {
                if (n - q < (size_t)len) { complete = false; break; }
                q += (size_t)len;
            }
        }
        if (!complete) { c->lineno--; return DD_OK; }
        if (c->nbatch == 0) c->batch_line = c->lineno;
        q = at + 2;
        for (int i = 0; i < nf; i++) {
            i32 len = (i32)rd32(p + q);
            q += 4;
            Value *out = &c->vals[(size_t)c->nbatch * (size_t)c->ncols + (size_t)i];
            if (len < 0) { *out = val_null(c->types[i]); continue; }
            int rc;
            if (c->types[i] == TYPE_ENUM) {   /* an enum's binary form is its label's text */
                if (utf8_invalid_at((const char *)p + q, (size_t)len) < (size_t)len || memchr(p + q, 0, (size_t)len))
                    return dd_err(e, DD_EBAD_ENCODING, -1, "invalid byte sequence for encoding \"UTF8\"");
                ValueCtx vc = s->vctx;
                vc.arena = &c->batch;
                rc = val_from_text(TYPE_ENUM, c->typmods[i], (const char *)p + q, (size_t)len, &vc, out, e);
            } else if (c->types[i] == type_array_of(TYPE_ENUM)) {   /* its elements: labels, likewise */
                ValueCtx vc = s->vctx;
                vc.arena = &c->batch;
                rc = bin_recv_enum_array((u32)c->typmods[i], &vc, p + q, (size_t)len, out, e);
            } else {
                rc = bin_recv(c->types[i], p + q, (size_t)len, i + 1, &c->batch, out, e);
            }
            if (rc) {
                if (e->code == DD_OK) dd_err(e, rc, -1, NULL);
                buf_reset(&c->err_ctx);
                buf_printf(&c->err_ctx, ", column %s", c->names[i]);   /* PostgreSQL's, for binary */
                return rc;
            }
            q += (size_t)len;
        }
        c->pos = q;
        c->nbatch++;
    }
    *need_flush = c->nbatch == COPY_BATCH;
    return DD_OK;
}

/* Consumes the complete records in c->in (all of it when final). */
static int copy_consume(driftdb_session *s, CopyState *c, bool final, DdError *e, u64 *bad_line)
{
    int rc = DD_OK;
    if (c->format == COPY_BINARY) {
        for (;;) {
            bool flush = false;
            rc = binary_records(s, c, e, &flush);
            if (rc) { *bad_line = c->lineno; break; }
            if (!flush) break;
            u64 first = c->batch_line;
            rc = copy_flush(s, c, e);
            if (rc) { *bad_line = first; break; }
        }
        if (!rc && final && !c->eod)
            rc = bad_copy(e, "unexpected EOF in COPY data"), *bad_line = c->lineno + 1;
    } else {
        const u8 *p = c->in.data;
        size_t n = c->in.len;
        while (c->pos < n) {
            size_t end = record_end(c, p, n, c->pos);
            if (end == SIZE_MAX) {
                if (!final) break;
                end = n;   /* the last line may lack its newline */
            }
            rc = copy_record(s, c, (const char *)p + c->pos, end - c->pos, e);
            if (rc) { *bad_line = c->lineno; break; }
            c->pos = end < n ? end + 1 : n;
            if (c->nbatch == COPY_BATCH) {
                u64 first = c->batch_line;
                rc = copy_flush(s, c, e);
                if (rc) { *bad_line = first; break; }
            }
        }
    }
    /* keep only the unconsumed tail */
    if (c->pos > 0) {
        memmove(c->in.data, c->in.data + c->pos, c->in.len - c->pos);
        c->in.len -= c->pos;
        c->pos = 0;
    }
    return rc;
}

static int copy_in_fail(driftdb_result *r, DdError *e, driftdb_error *err, u64 from, u64 to)
{
    session_result_fail(r);
    copy_api_error(r, e, err, from, to);
    return -1;
}

int driftdb_copy_in_data(driftdb_result *r, const void *data, size_t len, driftdb_error *err)
{
    CopyState *c = r->copy;
    DdError *e = &r->s->err;
    dd_err_clear(e);
    if (!c || !c->from || r->done) {
        dd_err(e, DD_EPROTOCOL, -1, "not a COPY FROM STDIN in progress");
        dd_to_api_error(e, err);
        return -1;
    }
    if (r->s->cancel) {
        dd_err(e, DD_ECANCELED, -1, NULL);
        return copy_in_fail(r, e, err, c->lineno + 1, c->lineno + 1);
    }
    buf_append(&c->in, data, len);
    if (!buf_ok(&c->in)) {
        dd_err(e, DD_ENOMEM, -1, NULL);
        return copy_in_fail(r, e, err, c->lineno, c->lineno);
    }
    u64 bad = 0;
    if (copy_consume(r->s, c, false, e, &bad) != DD_OK)
        return copy_in_fail(r, e, err, bad, e->code == DD_EINVALID_TEXT || bad == c->lineno ? bad : c->lineno);
    return 0;
}

int driftdb_copy_in_end(driftdb_result *r, driftdb_error *err)
{
    CopyState *c = r->copy;
    DdError *e = &r->s->err;
    dd_err_clear(e);
    if (!c || !c->from || r->done) {
        dd_err(e, DD_EPROTOCOL, -1, "not a COPY FROM STDIN in progress");
        dd_to_api_error(e, err);
        return -1;
    }
    u64 bad = 0;
    if (copy_consume(r->s, c, true, e, &bad) != DD_OK)
        return copy_in_fail(r, e, err, bad, bad == c->lineno ? bad : c->lineno);
    u64 first = c->batch_line;
    if (copy_flush(r->s, c, e) != DD_OK) return copy_in_fail(r, e, err, first, c->lineno);
    snprintf(c->tag, sizeof c->tag, "COPY %llu", (unsigned long long)c->nrows);
    if (session_result_finish(r, e) != DD_OK) {
        r->failed = true;
        dd_to_api_error(e, err);
        return -1;
    }
    r->tag = c->tag;
    return 0;
}

void driftdb_copy_in_fail(driftdb_result *r, const char *why, driftdb_error *err)
{
    DdError *e = &r->s->err;
    dd_err_clear(e);
    dd_err(e, DD_ECANCELED, -1, "COPY from stdin failed: %s", why ? why : "");
    CopyState *c = r->copy;
    /* the line it was reading, as PostgreSQL's CONTEXT names it */
    if (c && c->from) copy_in_fail(r, e, err, c->lineno + 1, c->lineno + 1);
    else { session_result_fail(r); dd_to_api_error(e, err); }
}
