/*
 * ctx.c - settings a statement's operators read through SqlCtx: the
 * memory budget (work_mem) and the planner switches (enable_*); the
 * session's sequence values.
 */
#include "ctx.h"
#include "../../util/alloc.h"
#include <stdarg.h>
#include <string.h>
#include <stdlib.h>

size_t sql_work_mem(SqlCtx *ctx)
{
    const char *v = ctx->setting ? ctx->setting(ctx->session, "work_mem") : NULL;
    unsigned long long kb = 64 * 1024;
    if (v) {
        char *end;
        unsigned long long n = strtoull(v, &end, 10);
        while (*end == ' ') end++;
        if (!strcmp(end, "MB")) n *= 1024;
        else if (!strcmp(end, "GB")) n *= 1024 * 1024;
        else if (!strcmp(end, "TB")) n *= 1024ULL * 1024 * 1024;
        if (n) kb = n;
    }
    return (size_t)(kb * 1024 * 2);   /* hash_mem_multiplier = 2 */
}

bool sql_enabled(SqlCtx *ctx, const char *name)
{
    const char *v = ctx->setting ? ctx->setting(ctx->session, name) : NULL;
    return !v || strcmp(v, "off") != 0;
}

int sql_note(SqlCtx *ctx, const char *severity, const char *state, const char *fmt, ...)
{
    SqlNote *n = arena_zalloc(ctx->stmt, sizeof *n);
    if (!n) return DD_ENOMEM;
    va_list ap;
    va_start(ap, fmt);
    n->msg = arena_vprintf(ctx->stmt, fmt, ap);
    va_end(ap);
    if (!n->msg) return DD_ENOMEM;
    n->severity = severity;
    n->state = state;
    if (ctx->notes_tail) ctx->notes_tail->next = n;
    else ctx->notes = n;
    ctx->notes_tail = n;
    ctx->nnotes++;
    return DD_OK;
}

void seqsession_free(SeqSession *s)
{
    dd_free(s->ids);
    dd_free(s->vals);
    memset(s, 0, sizeof(*s));
}
