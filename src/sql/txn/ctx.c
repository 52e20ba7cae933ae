/*
 * ctx.c - settings a statement's operators read through SqlCtx: the
 * memory budget (work_mem) and the planner switches (enable_*); the
 * session's sequence values.
 */
#include "ctx.h"
#include "../../util/alloc.h"
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


void seqsession_free(SeqSession *s)
{
    dd_free(s->ids);
    dd_free(s->vals);
    memset(s, 0, sizeof(*s));
}
