/*
 * format.h - printing query results the way psql does.
 *
 * Three output formats:
 *   FMT_ALIGNED  psql's default: centered header, "---+---" rule, numbers
 *                right-aligned (by type OID), text left-aligned, multi-line
 *                values continued with '+', footer "(N rows)", blank line.
 *                Buffers the whole result to compute column widths.
 *   FMT_CSV      RFC 4180 with a header line (psql --csv); streams rows.
 *   FMT_JSON     one JSON array of objects per result; numbers unquoted for
 *                numeric OIDs, true/false for booleans, null for NULL;
 *                streams rows.
 */
#ifndef DD_CLI_FORMAT_H
#define DD_CLI_FORMAT_H

#include <stdio.h>
#include "conn.h"

typedef enum OutFormat { FMT_ALIGNED, FMT_CSV, FMT_JSON } OutFormat;

/* Parses "aligned" | "csv" | "json"; returns 0 or -1 when unknown. */
int fmt_parse(const char *name, OutFormat *out);

/*
 * Pulls every row of r (which must have rows) and prints the result to out.
 * Returns 0, or -1 with err filled when producing a row failed (then the
 * aligned format prints nothing, the streaming formats stop mid-way).
 */
int fmt_print_rows(FILE *out, ConnResult *r, OutFormat f, driftdb_error *err);

/* True when values of type OID oid are numbers (right-aligned, unquoted). */
int fmt_oid_is_numeric(uint32_t oid);

/* Display width (terminal columns) of the UTF-8 bytes s[0..n). */
int fmt_display_width(const char *s, size_t n);

/* Byte length of the UTF-8 character at s (1 for invalid bytes; never past n). */
int fmt_utf8_len(const char *s, size_t n);

#endif
