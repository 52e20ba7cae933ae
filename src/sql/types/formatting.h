/*
 * formatting.h - PostgreSQL's formatting templates (formatting.c): to_char()
 * of timestamps, intervals and numbers, and the parsers to_timestamp(),
 * to_date() and to_number() that read text with the same templates.
 *
 * Templates and inputs are byte strings of the given length (not
 * NUL-terminated).  Results go to a Buf or to out-parameters; scratch memory
 * comes from ctx->arena.  Errors carry PostgreSQL's SQLSTATEs: 22007 (a value
 * or pattern that does not fit), 22008 (a field out of range), 22009 (a zone
 * offset out of range), 42601 (a number template that contradicts itself),
 * 0A000 (a pattern that only to_char knows), 22003 and 22P02.
 */
#ifndef DD_FORMATTING_H
#define DD_FORMATTING_H

#include "value.h"

/* to_char(v, fmt) for TIMESTAMP, TIMESTAMPTZ (read in ctx's zone) and
 * INTERVAL: appends the text to out.  An empty template is the caller's
 * business (PostgreSQL returns NULL). */
int fmt_datetime_to_char(const Value *v, const char *fmt, size_t flen, const ValueCtx *ctx, Buf *out,
                         DdError *err);

/* to_char(v, fmt) for INT4, INT8, FLOAT4, FLOAT8 and NUMERIC: appends the
 * text to out (nothing for an empty template). */
int fmt_number_to_char(const Value *v, const char *fmt, size_t flen, const ValueCtx *ctx, Buf *out,
                       DdError *err);

/* to_timestamp(s, fmt): *out is a TIMESTAMPTZ (the fields are read in ctx's
 * zone unless TZH/TZM give one).  to_date(s, fmt) when as_date: *out is a
 * DATE. */
int fmt_to_datetime(const char *s, size_t slen, const char *fmt, size_t flen, bool as_date,
                    const ValueCtx *ctx, i64 *out, DdError *err);

/* to_number(s, fmt): a NUMERIC of any size (its digits in ctx->arena).  An
 * empty template is the caller's business (PostgreSQL returns NULL). */
int fmt_to_number(const char *s, size_t slen, const char *fmt, size_t flen, const ValueCtx *ctx,
                  Value *out, DdError *err);

#endif
