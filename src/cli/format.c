/*
 * format.c - prints results in psql's aligned format, CSV or JSON.
 *
 * The aligned printer follows psql's print_aligned_text with border 1:
 *   - every cell is " " + text + " ", cells joined by "|";
 *   - the header is centered (extra space on the right), the rule is '-'
 *     with '+' under each '|';
 *   - numeric columns are padded on the left; a left-aligned last column
 *     gets no trailing padding;
 *   - a value with newlines spans several lines, each but the last marked
 *     with '+' in the column's trailing space;
 *   - widths count terminal columns of UTF-8 text (wide CJK = 2).
 * The whole result is buffered in an arena, released when printing ends.
 */
#include "format.h"

#include <string.h>

#include "../util/alloc.h"
#include "../util/arena.h"

/* PostgreSQL type OIDs that psql right-aligns. */
#define OID_BOOL 16
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_OID 26
#define OID_XID 28
#define OID_CID 29
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_MONEY 790
#define OID_JSON 114
#define OID_JSONB 3802
#define OID_NUMERIC 1700
#define OID_XID8 5069

int fmt_parse(const char *name, OutFormat *out)
{
    if (strcmp(name, "aligned") == 0) *out = FMT_ALIGNED;
    else if (strcmp(name, "csv") == 0) *out = FMT_CSV;
    else if (strcmp(name, "json") == 0) *out = FMT_JSON;
    else return -1;
    return 0;
}

int fmt_oid_is_numeric(uint32_t oid)
{
    switch (oid) {
    case OID_INT8: case OID_INT2: case OID_INT4: case OID_OID: case OID_XID:
    case OID_CID: case OID_FLOAT4: case OID_FLOAT8: case OID_MONEY:
    case OID_NUMERIC: case OID_XID8:
        return 1;
    default:
        return 0;
    }
}

int fmt_utf8_len(const char *s, size_t n)
{
    unsigned char c = (unsigned char)s[0];
    int len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
            : (c & 0xF8) == 0xF0 ? 4 : 1;
    if ((size_t)len > n) return 1;
    for (int i = 1; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) return 1;
    return len;
}

/* Columns taken by code point cp: 0 for combining marks, 2 for East Asian
 * wide and emoji ranges, 1 otherwise (control characters count 1, as psql
 * counts them). */
static int cp_width(uint32_t cp)
{
    if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F) ||
        (cp >= 0xFE00 && cp <= 0xFE0F))
        return 0;
    if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
        (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
        (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
        (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD))
        return 2;
    return 1;
}

int fmt_display_width(const char *s, size_t n)
{
    int w = 0;
    size_t i = 0;
    while (i < n) {
        int len = fmt_utf8_len(s + i, n - i);
        uint32_t cp = (unsigned char)s[i];
        if (len > 1) {
            cp &= 0xFFu >> (len + 1);
            for (int k = 1; k < len; k++)
                cp = (cp << 6) | ((unsigned char)s[i + k] & 0x3F);
        }
        w += cp_width(cp);
        i += (size_t)len;
    }
    return w;
}

static void put_spaces(FILE *out, int n)
{
    while (n-- > 0) fputc(' ', out);
}

/* ---------------------------------------------------------------- aligned */

typedef struct Cell {
    const char *s;  /* NULL for SQL NULL (printed empty) */
    size_t len;
} Cell;

/* Width of the widest line of s[0..n) and its number of lines. */
static void text_extent(const char *s, size_t n, int *width, int *lines)
{
    int w = 0, nl = 1;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '\n') {
            int lw = fmt_display_width(s + start, i - start);
            if (lw > w) w = lw;
            if (i < n) nl++;
            start = i + 1;
        }
    }
    *width = w;
    *lines = nl;
}

/* Line k of s[0..n): sets *p and *len; empty when s has fewer lines. */
static void text_line(const char *s, size_t n, int k, const char **p, size_t *len)
{
    size_t i = 0;
    while (k > 0 && i < n) {
        if (s[i] == '\n') k--;
        i++;
    }
    if (k > 0) { *p = ""; *len = 0; return; }
    size_t e = i;
    while (e < n && s[e] != '\n') e++;
    *p = s + i;
    *len = e - i;
}

static int print_aligned(FILE *out, ConnResult *r, driftdb_error *err)
{
    int ncols = conn_result_ncols(r);
    Arena a;
    arena_init(&a, 64 * 1024);
    Cell *cells = NULL;
    size_t nrows = 0, cap = 0;
    int *width = NULL, *right = NULL;
    int rc = -1;

    width = dd_calloc((size_t)(ncols ? ncols : 1), sizeof(int));
    right = dd_calloc((size_t)(ncols ? ncols : 1), sizeof(int));
    if (!width || !right) goto oom;
    for (int i = 0; i < ncols; i++) {
        const char *name = conn_result_colname(r, i);
        width[i] = fmt_display_width(name, strlen(name));
        right[i] = fmt_oid_is_numeric(conn_result_coltype(r, i));
    }

    int more;
    while ((more = conn_result_next(r, err)) == 1) {
        if (nrows == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            Cell *nc = dd_realloc(cells, ncap * (size_t)(ncols ? ncols : 1) * sizeof(Cell));
            if (!nc) goto oom;
            cells = nc;
            cap = ncap;
        }
        for (int i = 0; i < ncols; i++) {
            size_t len = 0;
            const char *v = conn_result_value(r, i, &len);
            Cell *c = &cells[nrows * (size_t)ncols + (size_t)i];
            c->s = NULL;
            c->len = 0;
            if (v) {
                c->s = arena_strndup(&a, v, len);
                if (!c->s) goto oom;
                c->len = len;
                int w, nl;
                text_extent(v, len, &w, &nl);
                if (w > width[i]) width[i] = w;
            }
        }
        nrows++;
    }
    if (more < 0) goto done;

    /* Header: centered, a space on both sides, even the last column.
     * psql prints a bare "--" rule for a result without columns. */
    if (ncols == 0) {
        fputs("--\n", out);
        fprintf(out, "(%zu row%s)\n\n", nrows, nrows == 1 ? "" : "s");
        rc = 0;
        goto done;
    }
    for (int i = 0; i < ncols; i++) {
        const char *name = conn_result_colname(r, i);
        int w = fmt_display_width(name, strlen(name));
        int left = (width[i] - w) / 2;
        if (i > 0) fputc('|', out);
        fputc(' ', out);
        put_spaces(out, left);
        fputs(name, out);
        put_spaces(out, width[i] - w - left);
        fputc(' ', out);
    }
    fputc('\n', out);
    for (int i = 0; i < ncols; i++) {
        if (i > 0) fputc('+', out);
        for (int k = 0; k < width[i] + 2; k++) fputc('-', out);
    }
    fputc('\n', out);

    for (size_t row = 0; row < nrows; row++) {
        Cell *rc_ = &cells[row * (size_t)ncols];
        int height = 1;
        for (int i = 0; i < ncols; i++) {
            if (!rc_[i].s) continue;
            int w, nl;
            text_extent(rc_[i].s, rc_[i].len, &w, &nl);
            if (nl > height) height = nl;
        }
        for (int ln = 0; ln < height; ln++) {
            for (int i = 0; i < ncols; i++) {
                const char *p = "";
                size_t len = 0;
                int nl = 1, w;
                if (rc_[i].s) {
                    text_extent(rc_[i].s, rc_[i].len, &w, &nl);
                    text_line(rc_[i].s, rc_[i].len, ln, &p, &len);
                }
                int cont = ln + 1 < nl;
                int last = i == ncols - 1;
                int pad = width[i] - fmt_display_width(p, len);
                if (i > 0) fputc('|', out);
                fputc(' ', out);
                if (last && ln >= nl) break; /* psql: nothing after an exhausted last cell */
                if (right[i]) put_spaces(out, pad);
                fwrite(p, 1, len, out);
                if (!right[i] && (!last || cont)) put_spaces(out, pad);
                if (cont) fputc('+', out);
                else if (!last) fputc(' ', out);
            }
            fputc('\n', out);
        }
    }
    fprintf(out, "(%zu row%s)\n\n", nrows, nrows == 1 ? "" : "s");
    rc = 0;
    goto done;
oom:
    snprintf(err->sqlstate, sizeof err->sqlstate, "53200");
    snprintf(err->message, sizeof err->message, "out of memory");
    err->detail[0] = err->hint[0] = '\0';
    err->position = 0;
    err->severity = "ERROR";
done:
    dd_free(cells);
    dd_free(width);
    dd_free(right);
    arena_free(&a);
    return rc;
}

/* -------------------------------------------------------------------- csv */

static void csv_field(FILE *out, const char *s, size_t len)
{
    int quote = len == 0;   /* "" : an empty string, where NULL prints nothing (psql --csv) */
    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote) {
        fwrite(s, 1, len, out);
        return;
    }
    fputc('"', out);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"') fputc('"', out);
        fputc(s[i], out);
    }
    fputc('"', out);
}

static int print_csv(FILE *out, ConnResult *r, driftdb_error *err)
{
    int ncols = conn_result_ncols(r);
    for (int i = 0; i < ncols; i++) {
        const char *name = conn_result_colname(r, i);
        if (i > 0) fputc(',', out);
        csv_field(out, name, strlen(name));
    }
    fputc('\n', out);
    int more;
    while ((more = conn_result_next(r, err)) == 1) {
        for (int i = 0; i < ncols; i++) {
            size_t len = 0;
            const char *v = conn_result_value(r, i, &len);
            if (i > 0) fputc(',', out);
            if (v) csv_field(out, v, len);
        }
        fputc('\n', out);
    }
    return more < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------- json */

static void json_string(FILE *out, const char *s, size_t len)
{
    fputc('"', out);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        case '\b': fputs("\\b", out); break;
        case '\f': fputs("\\f", out); break;
        default:
            if (c < 0x20) fprintf(out, "\\u%04x", c);
            else fputc(c, out);
        }
    }
    fputc('"', out);
}

/* NaN and the infinities are numbers in SQL but not in JSON. */
static int json_number_ok(const char *s, size_t len)
{
    if (len == 0) return 0;
    for (size_t i = 0; i < len; i++)
        if (!strchr("0123456789+-.eE", s[i])) return 0;
    return 1;
}

static int print_json(FILE *out, ConnResult *r, driftdb_error *err)
{
    int ncols = conn_result_ncols(r);
    int more;
    size_t n = 0;
    fputc('[', out);
    while ((more = conn_result_next(r, err)) == 1) {
        fputs(n++ ? ",\n {" : "{", out);
        for (int i = 0; i < ncols; i++) {
            const char *name = conn_result_colname(r, i);
            uint32_t oid = conn_result_coltype(r, i);
            size_t len = 0;
            const char *v = conn_result_value(r, i, &len);
            if (i > 0) fputc(',', out);
            json_string(out, name, strlen(name));
            fputc(':', out);
            if (!v) fputs("null", out);
            else if (oid == OID_BOOL && len == 1 && (v[0] == 't' || v[0] == 'f'))
                fputs(v[0] == 't' ? "true" : "false", out);
            else if ((fmt_oid_is_numeric(oid) && oid != OID_MONEY && json_number_ok(v, len)) || oid == OID_JSON ||
                     oid == OID_JSONB)
                fwrite(v, 1, len, out);   /* a json or jsonb value is JSON already: nested as it is */
            else
                json_string(out, v, len);
        }
        fputc('}', out);
    }
    fputs("]\n", out);
    return more < 0 ? -1 : 0;
}

int fmt_print_rows(FILE *out, ConnResult *r, OutFormat f, driftdb_error *err)
{
    switch (f) {
    case FMT_CSV: return print_csv(out, r, err);
    case FMT_JSON: return print_json(out, r, err);
    case FMT_ALIGNED: default: return print_aligned(out, r, err);
    }
}
