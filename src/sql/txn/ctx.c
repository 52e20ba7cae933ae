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

/* A memory setting's text (a number, kB unless MB / GB / TB follows) in
 * kB; false when it has none (unset or unreadable). */
static bool setting_kb(SqlCtx *ctx, const char *name, long long *kb)
{
    const char *v = ctx->setting ? ctx->setting(ctx->session, name) : NULL;
    if (!v) return false;
    char *end;
    long long n = strtoll(v, &end, 10);
    if (end == v) return false;
    while (*end == ' ') end++;
    if (!strcmp(end, "MB")) n *= 1024;
    else if (!strcmp(end, "GB")) n *= 1024 * 1024;
    else if (!strcmp(end, "TB")) n *= 1024LL * 1024 * 1024;
    *kb = n;
    return true;
}

size_t sql_work_mem(SqlCtx *ctx)
{
    if (ctx->work_mem_bytes) return ctx->work_mem_bytes;   /* read once a statement: operators ask per row */
    long long kb;
    if (!setting_kb(ctx, "work_mem", &kb) || kb <= 0) kb = 64 * 1024;
    ctx->work_mem_bytes = (size_t)kb * 1024 * 2;   /* hash_mem_multiplier = 2 */
    return ctx->work_mem_bytes;
}

u64 sql_temp_file_limit(SqlCtx *ctx)
{
    long long kb;
    if (!setting_kb(ctx, "temp_file_limit", &kb) || kb < 0) return UINT64_MAX;
    return (u64)kb * 1024;
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
