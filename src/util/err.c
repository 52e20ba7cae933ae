/*
 * err.c - the error table (DD_ERROR_MAP) turned into lookups, and the
 * DdError filling helpers.
 *
 * Invariants: a DdError with code DD_OK has empty strings; dd_err always
 * sets code, sqlstate and a NUL-terminated message (truncated to fit).
 * dd_corrupt is the single place corrupt data is reported (break on it).
 */
#include "err.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name, *state, *text;
} err_table[] = {
#define DD_X(name, state, text) {#name, state, text},
    DD_ERROR_MAP(DD_X)
#undef DD_X
};
DD_STATIC_ASSERT(sizeof(err_table) / sizeof(err_table[0]) == DD_E__COUNT, "error table size");

static int code_ok(int code) { return code >= 0 && code < DD_E__COUNT; }

const char *dd_err_sqlstate(int code)
{
    return code_ok(code) ? err_table[code].state : "XX000";
}

const char *dd_err_text(int code)
{
    return code_ok(code) ? err_table[code].text : "unknown error";
}

const char *dd_err_name(int code)
{
    return code_ok(code) ? err_table[code].name : "UNKNOWN";
}

void dd_err_clear(DdError *e)
{
    if (!e) return;
    e->code = DD_OK;
    memcpy(e->sqlstate, "00000", 6);
    e->message[0] = e->detail[0] = e->hint[0] = '\0';
    e->position = 0;
    e->schema[0] = e->table[0] = e->column[0] = e->datatype[0] = e->constraint[0] = '\0';
}

void dd_err_object(DdError *e, const char *schema, const char *table, const char *column, const char *datatype,
                   const char *constraint)
{
    if (!e) return;
    if (schema) snprintf(e->schema, sizeof e->schema, "%s", schema);
    if (table) snprintf(e->table, sizeof e->table, "%s", table);
    if (column) snprintf(e->column, sizeof e->column, "%s", column);
    if (datatype) snprintf(e->datatype, sizeof e->datatype, "%s", datatype);
    if (constraint) snprintf(e->constraint, sizeof e->constraint, "%s", constraint);
}

int dd_errv(DdError *e, int code, int offset, const char *fmt, va_list ap)
{
    if (!e) return code;
    dd_err_clear(e);
    e->code = code;
    memcpy(e->sqlstate, dd_err_sqlstate(code), 6);
    if (fmt)
        vsnprintf(e->message, sizeof e->message, fmt, ap);
    else
        snprintf(e->message, sizeof e->message, "%s", dd_err_text(code));
    e->position = offset >= 0 ? offset + 1 : 0;
    return code;
}

int dd_err(DdError *e, int code, int offset, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dd_errv(e, code, offset, fmt, ap);
    va_end(ap);
    return code;
}

void dd_err_detail(DdError *e, const char *fmt, ...)
{
    if (!e) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->detail, sizeof e->detail, fmt, ap);
    va_end(ap);
}

void dd_err_hint(DdError *e, const char *fmt, ...)
{
    if (!e) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->hint, sizeof e->hint, fmt, ap);
    va_end(ap);
}

/* Break here in a debugger to catch corruption where it is detected. */
__attribute__((noinline)) int dd_corrupt(DdError *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dd_errv(e, DD_ECORRUPT, -1, fmt, ap);
    va_end(ap);
    return DD_ECORRUPT;
}
