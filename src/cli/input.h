/*
 * input.h - the record readers of `driftdb ingest`: JSON Lines and CSV with
 * a header, read in large blocks, one record at a time, each turned into
 * (column name, SQL literal) pairs ready to paste into an INSERT.
 *
 * A Record's values are kept as literal bodies: a string's text with single
 * quotes doubled (the caller adds the surrounding quotes), a number as
 * written, a nested JSON object or array as its raw text (quotes doubled),
 * so that ingest can write each one quoted (a literal of unknown type that
 * takes the column's type) or, for a column the INSERT creates, typed
 * (numbers and booleans unquoted, so the new column gets a number or
 * boolean type).
 */
#ifndef DD_CLI_INPUT_H
#define DD_CLI_INPUT_H

#include <stdio.h>
#include "../util/buf.h"

typedef enum ValKind { VAL_NULL, VAL_STRING, VAL_NUMBER, VAL_TRUE, VAL_FALSE, VAL_NESTED } ValKind;

typedef struct Field {
    size_t name, name_len;   /* offset and length in Record.names (decoded, NUL-terminated) */
    size_t body, body_len;   /* offset and length in Record.bodies (literal body) */
    ValKind kind;
} Field;

typedef struct Record {
    Field *f;
    int n, cap;
    Buf names;               /* the field names, each NUL-terminated */
    Buf bodies;
    long line;               /* line of the input where the record starts */
} Record;

typedef enum InFormat { IN_JSONL, IN_CSV } InFormat;

typedef struct Input {
    FILE *f;
    InFormat fmt;
    char *buf;               /* the current block (dd_malloc) */
    size_t len, pos, cap;
    int eof;
    long line;               /* lines consumed so far */
    unsigned long long bytes; /* bytes consumed so far (for progress) */
    char **header;           /* CSV: column names (dd_malloc) */
    int nheader;
    Buf scratch;             /* CSV: the current record's field texts */
    struct CsvField *fields; /* CSV: the current record's fields (dd_malloc) */
    int fields_cap;
} Input;

/* Starts reading f (not closed by input_free); for CSV reads the header
 * line.  Returns 0, or -1 with msg (size n) set. */
int input_open(Input *in, FILE *f, InFormat fmt, char *msg, size_t n);
void input_free(Input *in);

/*
 * Reads the next record into r (reset first).  Returns 1 with a record, 0
 * at the end of the input, -1 with msg set ("line N: ...") for a malformed
 * record or a read error.
 */
int input_next(Input *in, Record *r, char *msg, size_t n);

void record_init(Record *r);
void record_free(Record *r);
static inline const char *record_name(const Record *r, int i) { return (const char *)r->names.data + r->f[i].name; }

#endif
