/*
 * input.c - JSON Lines and CSV record readers for `driftdb ingest`
 * (input.h says what a Record holds).
 *
 * The input is read in blocks of READ_BLOCK bytes; a record is parsed in
 * place from the block (a line longer than the block grows it).  JSON
 * Lines: one object per line; blank lines are skipped; nested objects and
 * arrays are checked (RFC 8259 grammar, depth at most MAX_DEPTH) and kept
 * as raw text.  CSV: RFC 4180 with a header line; a quoted field may span
 * lines (the record's line is where it starts); an empty unquoted field is
 * NULL and a quoted empty one an empty string, as COPY ... CSV reads them.
 * A UTF-8 byte order mark at the start of the input is skipped.
 */
#include "input.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "../util/alloc.h"

#define READ_BLOCK (1u << 20)
#define MAX_DEPTH 64

void record_init(Record *r)
{
    memset(r, 0, sizeof *r);
    buf_init(&r->names);
    buf_init(&r->bodies);
}

void record_free(Record *r)
{
    dd_free(r->f);
    buf_free(&r->names);
    buf_free(&r->bodies);
    memset(r, 0, sizeof *r);
}

static void record_reset(Record *r)
{
    r->n = 0;
    buf_reset(&r->names);
    buf_reset(&r->bodies);
}

static Field *record_add(Record *r)
{
    if (r->n == r->cap) {
        int cap = r->cap ? r->cap * 2 : 16;
        Field *nf = dd_realloc(r->f, sizeof(Field) * (size_t)cap);
        if (!nf) return NULL;
        r->f = nf;
        r->cap = cap;
    }
    Field *f = &r->f[r->n++];
    memset(f, 0, sizeof *f);
    return f;
}

static int fail(char *msg, size_t n, long line, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(char *msg, size_t n, long line, const char *fmt, ...)
{
    int k = snprintf(msg, n, "line %ld: ", line);
    va_list ap;
    va_start(ap, fmt);
    if (k >= 0 && (size_t)k < n) vsnprintf(msg + k, n - (size_t)k, fmt, ap);
    va_end(ap);
    return -1;
}

/* ------------------------------------------------------------- the block */

/* Makes sure the block holds a whole line from in->pos (or the rest of the
 * input).  Returns the line's length (without '\n'), sets *nl when a '\n'
 * ends it, -1 on a read error, -2 at the end of the input. */
static long next_line(Input *in, int *nl)
{
    for (;;) {
        char *p = in->pos < in->len ? memchr(in->buf + in->pos, '\n', in->len - in->pos) : NULL;
        if (p) {
            *nl = 1;
            return (long)(p - (in->buf + in->pos));
        }
        if (in->eof) {
            *nl = 0;
            return in->pos < in->len ? (long)(in->len - in->pos) : -2;
        }
        /* move the partial line to the front and read more */
        size_t keep = in->len - in->pos;
        memmove(in->buf, in->buf + in->pos, keep);
        in->len = keep;
        in->pos = 0;
        if (in->cap - in->len < READ_BLOCK / 2) {
            size_t cap = in->cap * 2;
            char *nb = dd_realloc(in->buf, cap);
            if (!nb) return -1;
            in->buf = nb;
            in->cap = cap;
        }
        size_t got = fread(in->buf + in->len, 1, in->cap - in->len, in->f);
        in->len += got;
        if (got == 0) {
            if (ferror(in->f)) return -1;
            in->eof = 1;
        }
    }
}

/* Takes the line of length len (and its '\n') out of the block. */
static void consume_line(Input *in, long len, int nl)
{
    in->pos += (size_t)len + (size_t)nl;
    in->bytes += (unsigned long long)len + (unsigned long long)nl;
    in->line++;
}

/* ------------------------------------------------------------------ JSON */

typedef struct JP {
    const char *p, *s, *end;   /* position, start of the line, end */
    long line;
    char *msg;
    size_t n;
} JP;

static int jfail(JP *j, const char *what)
{
    if (j->p >= j->end) return fail(j->msg, j->n, j->line, "invalid JSON: %s at the end of the line", what);
    return fail(j->msg, j->n, j->line, "invalid JSON: %s at column %ld", what, (long)(j->p - j->s) + 1);
}

static void jws(JP *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n')) j->p++;
}

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

static void put_utf8(Buf *b, unsigned cp)
{
    if (cp < 0x80) {
        buf_putc(b, (u8)cp);
    } else if (cp < 0x800) {
        buf_putc(b, (u8)(0xC0 | (cp >> 6)));
        buf_putc(b, (u8)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        buf_putc(b, (u8)(0xE0 | (cp >> 12)));
        buf_putc(b, (u8)(0x80 | ((cp >> 6) & 0x3F)));
        buf_putc(b, (u8)(0x80 | (cp & 0x3F)));
    } else {
        buf_putc(b, (u8)(0xF0 | (cp >> 18)));
        buf_putc(b, (u8)(0x80 | ((cp >> 12) & 0x3F)));
        buf_putc(b, (u8)(0x80 | ((cp >> 6) & 0x3F)));
        buf_putc(b, (u8)(0x80 | (cp & 0x3F)));
    }
}

/*
 * Parses a JSON string at j->p ('"').  With out, appends its decoded text
 * (single quotes doubled when quote_sql); without, only checks it.
 */
static int jstring(JP *j, Buf *out, int quote_sql)
{
    j->p++;
    const char *run = j->p;
    for (;;) {
        if (j->p >= j->end) return jfail(j, "unterminated string");
        unsigned char c = (unsigned char)*j->p;
        if (c == '"' || c == '\\' || c < 0x20 || (c == '\'' && quote_sql)) {
            if (out) buf_append(out, run, (size_t)(j->p - run));
            if (c == '"') {
                j->p++;
                return 0;
            }
            if (c < 0x20) return jfail(j, "control character in a string");
            if (c == '\'') {
                if (out) buf_append(out, "''", 2);
                j->p++;
                run = j->p;
                continue;
            }
            /* an escape */
            if (j->p + 1 >= j->end) return jfail(j, "unterminated string");
            char e = j->p[1];
            j->p += 2;
            switch (e) {
            case '"': if (out) buf_putc(out, '"'); break;
            case '\\': if (out) buf_putc(out, '\\'); break;
            case '/': if (out) buf_putc(out, '/'); break;
            case 'b': if (out) buf_putc(out, '\b'); break;
            case 'f': if (out) buf_putc(out, '\f'); break;
            case 'n': if (out) buf_putc(out, '\n'); break;
            case 'r': if (out) buf_putc(out, '\r'); break;
            case 't': if (out) buf_putc(out, '\t'); break;
            case 'u': {
                unsigned cp, lo;
                if (j->end - j->p < 4 || hex4(j->p, &cp)) return jfail(j, "bad \\u escape");
                j->p += 4;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u' || hex4(j->p + 2, &lo) ||
                        lo < 0xDC00 || lo > 0xDFFF)
                        return jfail(j, "unpaired surrogate in a \\u escape");
                    j->p += 6;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    return jfail(j, "unpaired surrogate in a \\u escape");
                }
                if (cp == 0 && out) return jfail(j, "\\u0000 cannot be stored in text");
                if (out) {
                    if (cp == '\'' && quote_sql) buf_putc(out, '\'');
                    put_utf8(out, cp);
                }
                break;
            }
            default:
                j->p -= 1;
                return jfail(j, "bad escape in a string");
            }
            run = j->p;
            continue;
        }
        j->p++;
    }
}

static int jnumber(JP *j)
{
    const char *p = j->p;
    if (p < j->end && *p == '-') p++;
    if (p >= j->end) goto bad;
    if (*p == '0') p++;
    else if (*p >= '1' && *p <= '9') while (p < j->end && *p >= '0' && *p <= '9') p++;
    else goto bad;
    if (p < j->end && *p == '.') {
        p++;
        if (p >= j->end || *p < '0' || *p > '9') goto bad;
        while (p < j->end && *p >= '0' && *p <= '9') p++;
    }
    if (p < j->end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < j->end && (*p == '+' || *p == '-')) p++;
        if (p >= j->end || *p < '0' || *p > '9') goto bad;
        while (p < j->end && *p >= '0' && *p <= '9') p++;
    }
    j->p = p;
    return 0;
bad:
    return jfail(j, "bad number");
}

static int jword(JP *j, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0) return jfail(j, "unexpected character");
    j->p += n;
    return 0;
}

/* Checks any JSON value at j->p (no output). */
static int jvalue(JP *j, int depth)
{
    if (j->p >= j->end) return jfail(j, "missing value");
    char c = *j->p;
    if (c == '"') return jstring(j, NULL, 0);
    if (c == '-' || (c >= '0' && c <= '9')) return jnumber(j);
    if (c == 't') return jword(j, "true");
    if (c == 'f') return jword(j, "false");
    if (c == 'n') return jword(j, "null");
    if (c != '{' && c != '[') return jfail(j, "unexpected character");
    if (depth >= MAX_DEPTH) return jfail(j, "nesting too deep");
    char close = c == '{' ? '}' : ']';
    j->p++;
    jws(j);
    if (j->p < j->end && *j->p == close) {
        j->p++;
        return 0;
    }
    for (;;) {
        if (close == '}') {
            if (j->p >= j->end || *j->p != '"') return jfail(j, "expected a key");
            if (jstring(j, NULL, 0)) return -1;
            jws(j);
            if (j->p >= j->end || *j->p != ':') return jfail(j, "expected ':'");
            j->p++;
            jws(j);
        }
        if (jvalue(j, depth + 1)) return -1;
        jws(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            jws(j);
            continue;
        }
        if (j->p < j->end && *j->p == close) {
            j->p++;
            return 0;
        }
        return jfail(j, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

/* Appends s[0..n) with single quotes doubled. */
static void put_sql_body(Buf *b, const char *s, size_t n)
{
    size_t from = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\'') {
            buf_append(b, s + from, i + 1 - from);
            buf_putc(b, '\'');
            from = i + 1;
        }
    buf_append(b, s + from, n - from);
}

static int parse_json_object(JP *j, Record *r)
{
    jws(j);
    if (j->p >= j->end || *j->p != '{') return jfail(j, "expected an object '{'");
    j->p++;
    jws(j);
    if (j->p < j->end && *j->p == '}') {
        j->p++;
    } else {
        for (;;) {
            if (j->p >= j->end || *j->p != '"') return jfail(j, "expected a key");
            Field *f = record_add(r);
            if (!f) return fail(j->msg, j->n, j->line, "out of memory");
            f->name = r->names.len;
            if (jstring(j, &r->names, 0)) return -1;
            f->name_len = r->names.len - f->name;
            buf_putc(&r->names, 0);
            if (memchr(r->names.data + f->name, 0, f->name_len))
                return fail(j->msg, j->n, j->line, "a key contains \\u0000");
            jws(j);
            if (j->p >= j->end || *j->p != ':') return jfail(j, "expected ':'");
            j->p++;
            jws(j);
            f->body = r->bodies.len;
            const char *v = j->p;
            char c = v < j->end ? *v : 0;
            if (c == '"') {
                f->kind = VAL_STRING;
                if (jstring(j, &r->bodies, 1)) return -1;
            } else {
                if (jvalue(j, 1)) return -1;
                f->kind = c == '{' || c == '[' ? VAL_NESTED : c == 't' ? VAL_TRUE : c == 'f' ? VAL_FALSE
                        : c == 'n' ? VAL_NULL : VAL_NUMBER;
                if (f->kind == VAL_NESTED) put_sql_body(&r->bodies, v, (size_t)(j->p - v));
                else if (f->kind == VAL_NUMBER) buf_append(&r->bodies, v, (size_t)(j->p - v));
            }
            f->body_len = r->bodies.len - f->body;
            jws(j);
            if (j->p < j->end && *j->p == ',') {
                j->p++;
                jws(j);
                continue;
            }
            if (j->p < j->end && *j->p == '}') {
                j->p++;
                break;
            }
            return jfail(j, "expected ',' or '}'");
        }
    }
    jws(j);
    if (j->p < j->end) return jfail(j, "text after the object");
    if (!buf_ok(&r->names) || !buf_ok(&r->bodies)) return fail(j->msg, j->n, j->line, "out of memory");
    return 0;
}

/* ------------------------------------------------------------------- CSV */

/* One field of a CSV record: its text in Input.scratch (NUL-terminated). */
typedef struct CsvField {
    size_t off, len;
    int quoted;      /* it was quoted: "" is an empty string, not NULL */
} CsvField;

/*
 * Parses one CSV record starting at the current line (a quoted field may
 * go on over the next lines) into *fields (grown as needed, *cap entries).
 * Returns the number of fields, 0 at the end of the input, -1 with msg.
 */
static int csv_record(Input *in, CsvField **fields, int *cap, char *msg, size_t n)
{
    Buf *b = &in->scratch;
    buf_reset(b);
    int nf = 0, nl;
    long start_line = in->line + 1;
    long len = next_line(in, &nl);
    if (len == -1) return fail(msg, n, start_line, "could not read: %s", strerror(errno));
    if (len == -2) return 0;
    const char *p = in->buf + in->pos, *end = p + len;
    if (len > 0 && end[-1] == '\r') end--;
    for (;;) {
        if (nf == *cap) {
            int c = *cap ? *cap * 2 : 16;
            CsvField *nfp = dd_realloc(*fields, sizeof(CsvField) * (size_t)c);
            if (!nfp) return fail(msg, n, start_line, "out of memory");
            *fields = nfp;
            *cap = c;
        }
        CsvField *f = &(*fields)[nf++];
        f->off = b->len;
        f->quoted = 0;
        if (p < end && *p == '"') {
            f->quoted = 1;
            p++;
            for (;;) {
                const char *q = memchr(p, '"', (size_t)(end - p));
                if (!q) {
                    /* the field goes on on the next line */
                    buf_append(b, p, (size_t)(end - p));
                    if (!nl) return fail(msg, n, start_line, "unterminated quoted CSV field");
                    buf_putc(b, '\n');
                    consume_line(in, len, nl);
                    len = next_line(in, &nl);
                    if (len == -1) return fail(msg, n, start_line, "could not read: %s", strerror(errno));
                    if (len == -2) return fail(msg, n, start_line, "unterminated quoted CSV field");
                    p = in->buf + in->pos;
                    end = p + len;
                    if (len > 0 && end[-1] == '\r') end--;
                    continue;
                }
                buf_append(b, p, (size_t)(q - p));
                p = q + 1;
                if (p < end && *p == '"') {
                    buf_putc(b, '"');
                    p++;
                    continue;
                }
                break;
            }
            if (p < end && *p != ',')
                return fail(msg, n, in->line + 1, "CSV: text after a closing quote");
        } else {
            const char *q = memchr(p, ',', (size_t)(end - p));
            const char *e = q ? q : end;
            if (memchr(p, '"', (size_t)(e - p))) return fail(msg, n, in->line + 1, "CSV: quote inside an unquoted field");
            buf_append(b, p, (size_t)(e - p));
            p = e;
        }
        f->len = b->len - f->off;
        buf_putc(b, 0);
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        break;
    }
    consume_line(in, len, nl);
    if (!buf_ok(b)) return fail(msg, n, start_line, "out of memory");
    return nf;
}

static int looks_numeric(const char *s, size_t n)
{
    /* most text fields fail at once: no error message made for them */
    if (n == 0 || !((s[0] >= '0' && s[0] <= '9') || s[0] == '-')) return 0;
    JP j = {s, s, s + n, 0, NULL, 0};
    char tmp[8];
    j.msg = tmp;
    j.n = sizeof tmp;
    return n > 0 && jnumber(&j) == 0 && j.p == j.end;
}

/* ---------------------------------------------------------------- public */

int input_open(Input *in, FILE *f, InFormat fmt, char *msg, size_t n)
{
    memset(in, 0, sizeof *in);
    in->f = f;
    in->fmt = fmt;
    buf_init(&in->scratch);
    in->cap = READ_BLOCK;
    in->buf = dd_malloc(in->cap);
    if (!in->buf) return fail(msg, n, 0, "out of memory");
    /* a UTF-8 byte order mark (spreadsheet exports) is not data */
    int nl;
    long first = next_line(in, &nl);
    if (first == -1) return fail(msg, n, 1, "could not read: %s", strerror(errno));
    if (in->len - in->pos >= 3 && memcmp(in->buf + in->pos, "\xEF\xBB\xBF", 3) == 0) {
        in->pos += 3;
        in->bytes += 3;
    }
    if (fmt != IN_CSV) return 0;
    int nf = csv_record(in, &in->fields, &in->fields_cap, msg, n);
    CsvField *fields = in->fields;
    if (nf <= 0) {
        if (nf == 0) return fail(msg, n, 1, "CSV: the header line is missing");
        return -1;
    }
    in->header = dd_calloc((size_t)nf, sizeof(char *));
    if (!in->header) { return fail(msg, n, 1, "out of memory"); }
    in->nheader = nf;
    for (int i = 0; i < nf; i++) {
        const char *name = (const char *)in->scratch.data + fields[i].off;
        if (fields[i].len == 0) { return fail(msg, n, 1, "CSV: column %d of the header has no name", i + 1); }
        for (int k = 0; k < i; k++)
            if (strcmp(in->header[k], name) == 0) {
                return fail(msg, n, 1, "CSV: column \"%s\" appears twice in the header", name);
            }
        in->header[i] = dd_strdup(name);
        if (!in->header[i]) { return fail(msg, n, 1, "out of memory"); }
    }
    return 0;
}

void input_free(Input *in)
{
    dd_free(in->buf);
    for (int i = 0; i < in->nheader; i++) dd_free(in->header[i]);
    dd_free(in->header);
    dd_free(in->fields);
    buf_free(&in->scratch);
    memset(in, 0, sizeof *in);
}

static int next_jsonl(Input *in, Record *r, char *msg, size_t n)
{
    for (;;) {
        int nl;
        long len = next_line(in, &nl);
        if (len == -1) return fail(msg, n, in->line + 1, "could not read: %s", strerror(errno));
        if (len == -2) return 0;
        const char *p = in->buf + in->pos;
        JP j = {p, p, p + len, in->line + 1, msg, n};
        jws(&j);
        if (j.p == j.end) {   /* blank line */
            consume_line(in, len, nl);
            continue;
        }
        r->line = in->line + 1;
        int rc = parse_json_object(&j, r);
        consume_line(in, len, nl);
        return rc ? -1 : 1;
    }
}

static int next_csv(Input *in, Record *r, char *msg, size_t n)
{
    for (;;) {
        r->line = in->line + 1;
        int nf = csv_record(in, &in->fields, &in->fields_cap, msg, n);
        if (nf <= 0) return nf;
        CsvField *fields = in->fields;
        if (nf == 1 && fields[0].len == 0 && !fields[0].quoted) continue;  /* blank line */
        if (nf != in->nheader)
            return fail(msg, n, r->line, "CSV: %d field%s, but the header has %d", nf, nf == 1 ? "" : "s", in->nheader);
        for (int i = 0; i < nf; i++) {
            Field *f = record_add(r);
            if (!f) return fail(msg, n, r->line, "out of memory");
            const char *v = (const char *)in->scratch.data + fields[i].off;
            if (memchr(v, 0, fields[i].len)) return fail(msg, n, r->line, "a NUL byte cannot be stored in text");
            f->name = r->names.len;
            f->name_len = strlen(in->header[i]);
            buf_append(&r->names, in->header[i], f->name_len + 1);
            f->body = r->bodies.len;
            if (fields[i].len == 0 && !fields[i].quoted) {
                f->kind = VAL_NULL;
            } else if (!fields[i].quoted && looks_numeric(v, fields[i].len)) {
                f->kind = VAL_NUMBER;
                buf_append(&r->bodies, v, fields[i].len);
            } else {
                f->kind = VAL_STRING;
                put_sql_body(&r->bodies, v, fields[i].len);
            }
            f->body_len = r->bodies.len - f->body;
        }
        if (!buf_ok(&r->names) || !buf_ok(&r->bodies)) return fail(msg, n, r->line, "out of memory");
        return 1;
    }
}

int input_next(Input *in, Record *r, char *msg, size_t n)
{
    record_reset(r);
    return in->fmt == IN_CSV ? next_csv(in, r, msg, n) : next_jsonl(in, r, msg, n);
}
