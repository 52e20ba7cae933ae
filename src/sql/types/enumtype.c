/*
 * enumtype.c - values of user enum types (CREATE TYPE ... AS ENUM): text
 * input and output through the type's catalog object.
 *
 * A value holds its label's key (store.h, UserType), which orders as the
 * labels were declared and never changes, and the type's id; the label's
 * text is looked up when the value is printed, so RENAME VALUE renames
 * every stored value at once.  The catalog comes from ValueCtx.type_lookup
 * (the engine gives the newest version of the type that the session
 * knows, its own uncommitted changes included).
 */
#include "value.h"
#include "../../store/store.h"

#include <string.h>

static const UserType *enum_def(u32 etype, const ValueCtx *ctx, const TableInfo **tout)
{
    const TableInfo *t = etype && ctx && ctx->type_lookup ? ctx->type_lookup(ctx->type_arg, etype) : NULL;
    if (tout) *tout = t;
    return t && t->utype && t->utype->kind == 'e' ? t->utype : NULL;
}

const char *enum_type_name(u32 etype, const ValueCtx *ctx)
{
    const TableInfo *t;
    return enum_def(etype, ctx, &t) ? t->name : "enum";
}

int enum_in(u32 etype, const char *s, size_t len, const ValueCtx *ctx, Value *out, DdError *err)
{
    const TableInfo *t;
    const UserType *u = enum_def(etype, ctx, &t);
    if (!u)
        return etype ? dd_err(err, DD_EINTERNAL, -1, "enum type %u is not known here", etype)
                     : dd_err(err, DD_EFEATURE, -1, "which enum type \"%.*s\" belongs to is not known here: cast it (x::type)",
                              (int)(len > 100 ? 100 : len), s);
    for (int i = 0; i < u->nlabels; i++) {
        const char *l = u->labels[i].label;
        if (strlen(l) == len && memcmp(l, s, len) == 0) {
            memset(out, 0, sizeof *out);
            out->type = TYPE_ENUM;
            out->etype = etype;
            out->v.i = u->labels[i].key;
            return DD_OK;
        }
    }
    return dd_err(err, DD_EINVALID_TEXT, -1, "invalid input value for enum %s: \"%.*s\"", t->name,
                  (int)(len > 1000 ? 1000 : len), s);
}

void enum_out(const Value *v, const ValueCtx *ctx, Buf *out)
{
    const UserType *u = enum_def(v->etype, ctx, NULL);
    for (int i = 0; u && i < u->nlabels; i++)
        if (u->labels[i].key == v->v.i) {
            buf_puts(out, u->labels[i].label);
            return;
        }
    buf_printf(out, "%lld", (long long)v->v.i);
}
