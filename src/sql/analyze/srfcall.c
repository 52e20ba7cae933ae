/*
 * srfcall.c - calls of the set-returning functions, typed and compiled
 * (expr.h SrfCall): generate_series(start, stop [, step]) over integers,
 * numeric, and dates or timestamps with an interval step;
 * regexp_split_to_table(s, pattern [, flags]); unnest(array);
 * regexp_matches(s, pattern [, flags]); the json functions of one column
 * (json(b)_array_elements(_text), json(b)_object_keys, jsonb_path_query)
 * and json(b)_each(_text), whose rows are records (key, value), for
 * SELECT lists (in FROM, plan/select.c plans those itself).  exec/srf.c
 * runs them, in FROM and in SELECT lists.
 */
#include "expr.h"

#include <string.h>

static const struct { const char *name; SrfKind kind; } srfs[] = {
    {"generate_series", SRF_SERIES},
    {"regexp_split_to_table", SRF_SPLIT},
    {"unnest", SRF_UNNEST},
    {"string_to_table", SRF_UNNEST},   /* unnest(string_to_array(...)) */
    {"_pg_expandarray", SRF_EXPAND},   /* information_schema's: (x, n) per element (JDBC) */
    {"pg_partition_ancestors", SRF_UNNEST},   /* unnest($partition_ancestors(r)): catfunc.c */
    {"generate_subscripts", SRF_SERIES},   /* generate_series(array_lower, array_upper [, -1]) */
    {"regexp_matches", SRF_MATCHES},
    /* the json ones of one column (jsonb_each's two need rows) */
    {"jsonb_array_elements", SRF_JSON}, {"jsonb_array_elements_text", SRF_JSON}, {"jsonb_object_keys", SRF_JSON},
    {"json_array_elements", SRF_JSON}, {"json_array_elements_text", SRF_JSON}, {"json_object_keys", SRF_JSON},
    {"jsonb_path_query", SRF_JSON},
    /* key and value: a record per row in a SELECT list */
    {"jsonb_each", SRF_JSON}, {"jsonb_each_text", SRF_JSON}, {"json_each", SRF_JSON}, {"json_each_text", SRF_JSON},
};

static bool srf_kind(const char *name, SrfKind *k)
{
    if (strncmp(name, "pg_catalog.", 11) == 0) name += 11;
    else if (strncmp(name, "information_schema.", 19) == 0) name += 19;
    else if (strcmp(name, "_pg_expandarray") == 0) return false;   /* information_schema's only */
    for (size_t i = 0; i < DD_ARRAY_LEN(srfs); i++)
        if (strcmp(srfs[i].name, name) == 0) { *k = srfs[i].kind; return true; }
    return false;
}

bool srf_is(const char *name)
{
    SrfKind k;
    return srf_kind(name, &k);
}

static bool unknownish(TypeId t) { return t == TYPE_UNKNOWN || t == TYPE_NULLTYPE; }

static int no_function(CompileCtx *cc, const char *name, ExprProg **p, int n, int loc)
{
    Buf sig = BUF_INIT;
    buf_printf(&sig, "%s(", name);
    for (int i = 0; i < n; i++)
        buf_printf(&sig, "%s%s", i ? ", " : "", unknownish(p[i]->type) ? "unknown" : type_name(p[i]->type));
    buf_puts(&sig, ")");
    dd_err(cc->sql->err, DD_EUNDEFINED_FUNCTION, loc, "function %s does not exist", buf_ok(&sig) ? buf_cstr(&sig) : name);
    dd_err_hint(cc->sql->err, "No function matches the given name and argument types. "
                              "You might need to add explicit type casts.");
    buf_free(&sig);
    return DD_EUNDEFINED_FUNCTION;
}

/* generate_series: the type of its values */
static int series_type(CompileCtx *cc, ExprProg **p, int n, int loc, TypeId *out)
{
    TypeId a = p[0]->type, b = p[1]->type;
    if (type_is_datetime(a) || type_is_datetime(b) || (n == 3 && p[2]->type == TYPE_INTERVAL)) {
        /* timestamp when a side is one (and neither has a zone); dates
         * resolve to the timestamptz form, as PostgreSQL's */
        *out = (a == TYPE_TIMESTAMP || b == TYPE_TIMESTAMP) && a != TYPE_TIMESTAMPTZ && b != TYPE_TIMESTAMPTZ
                   ? TYPE_TIMESTAMP : TYPE_TIMESTAMPTZ;
        if (n != 3 || (p[2]->type != TYPE_INTERVAL && p[2]->type != TYPE_UNKNOWN)) return no_function(cc, "generate_series", p, n, loc);
        return DD_OK;
    }
    bool num = false, big = false;
    for (int i = 0; i < n; i++) {
        TypeId t = p[i]->type;
        if (!type_is_int(t) && t != TYPE_NUMERIC && !unknownish(t)) return no_function(cc, "generate_series", p, n, loc);
        num |= t == TYPE_NUMERIC;
        big |= t == TYPE_INT8;
    }
    *out = num ? TYPE_NUMERIC : big ? TYPE_INT8 : TYPE_INT4;
    return DD_OK;
}

int srf_compile(CompileCtx *cc, Expr *f, int argi, SrfCall *out)
{
    memset(out, 0, sizeof *out);
    out->typmod = -1;
    if (!srf_kind(f->u.func.name, &out->kind)) return DD_EINTERNAL;
    out->name = f->u.func.name;
    if (strncmp(out->name, "pg_catalog.", 11) == 0) out->name += 11;
    if (strncmp(out->name, "information_schema.", 19) == 0) out->name += 19;
    out->loc = f->loc;
    Expr **args = f->u.func.args;
    int n = f->u.func.n, rc;
    if (argi >= 0) { args += argi; n = 1; }
    if (strcmp(out->name, "generate_subscripts") == 0) {
        /* generate_subscripts(a, dim [, reverse]) is generate_series(array_lower(a, dim),
         * array_upper(a, dim)), or from the upper down with step -1 when reverse */
        if (n < 2 || n > 3 || f->u.func.star || f->u.func.distinct || f->u.func.filter || f->u.func.over) {
            ExprProg *p[8];
            if (n > 8) n = 8;
            for (int i = 0; i < n; i++)
                if ((rc = expr_compile(cc, args[i], &p[i]))) return rc;
            return no_function(cc, "generate_subscripts", p, n, f->loc);
        }
        ExprProg *ap[3];
        for (int i = 0; i < n; i++)
            if ((rc = expr_compile(cc, args[i], &ap[i]))) return rc;
        if (!(type_is_array(ap[0]->type) || type_vector_array(ap[0]->type)) ||
            !(type_is_int(ap[1]->type) || unknownish(ap[1]->type)) ||
            (n == 3 && ap[2]->type != TYPE_BOOL && !unknownish(ap[2]->type)))
            return no_function(cc, "generate_subscripts", ap, n, f->loc);
        ExprProg *rev = NULL;
        bool reverse = false;
        if (n == 3) {
            if ((rc = expr_compile_as(cc, args[2], TYPE_BOOL, -1, &rev))) return rc;
            if (!rev->constant)
                return dd_err(cc->sql->err, DD_EFEATURE, args[2]->loc, "generate_subscripts' reverse must be a constant");
            EvalEnv env = {cc->sql, NULL, 0, NULL};
            Value v;
            if ((rc = expr_eval(rev, &env, NULL, &v))) return rc;
            reverse = !v.isnull && v.v.b;
        }
        Arena *a = cc->sql->stmt;
        Expr *lo = arena_zalloc(a, sizeof(Expr)), *hi = arena_zalloc(a, sizeof(Expr));
        Expr **bargs = arena_alloc(a, sizeof(Expr *) * 4), **nargs = arena_alloc(a, sizeof(Expr *) * 3);
        if (!lo || !hi || !bargs || !nargs) return DD_ENOMEM;
        bargs[0] = args[0];
        bargs[1] = args[1];
        lo->kind = hi->kind = EXPR_FUNC;
        lo->loc = lo->oploc = hi->loc = hi->oploc = f->loc;
        lo->u.func.name = (char *)"array_lower";
        hi->u.func.name = (char *)"array_upper";
        lo->u.func.args = hi->u.func.args = bargs;
        lo->u.func.n = hi->u.func.n = 2;
        nargs[0] = reverse ? hi : lo;
        nargs[1] = reverse ? lo : hi;
        n = 2;
        if (reverse) {
            Expr *step = arena_zalloc(a, sizeof(Expr));
            if (!step) return DD_ENOMEM;
            step->kind = EXPR_CONST;
            step->loc = step->oploc = f->loc;
            step->u.c.val = val_int(TYPE_INT4, -1);
            nargs[2] = step;
            n = 3;
        }
        args = nargs;
    }
    Expr split;
    if (strcmp(out->name, "string_to_table") == 0) {
        /* string_to_table(s, delimiter [, null_string]) is unnest(string_to_array(...)) */
        if (n < 2 || n > 3 || f->u.func.star || f->u.func.distinct || f->u.func.filter || f->u.func.over) {
            ExprProg *p[8];
            if (n > 8) n = 8;
            for (int i = 0; i < n; i++)
                if ((rc = expr_compile(cc, args[i], &p[i]))) return rc;
            return no_function(cc, "string_to_table", p, n, f->loc);
        }
        split = *f;
        split.u.func.name = (char *)"string_to_array";
        split.u.func.over = NULL;
        Expr *sp = arena_alloc(cc->sql->stmt, sizeof(Expr));
        if (!sp) return DD_ENOMEM;
        *sp = split;
        args = arena_alloc(cc->sql->stmt, sizeof(Expr *));
        if (!args) return DD_ENOMEM;
        args[0] = sp;
        n = 1;
    }
    if (strcmp(out->name, "pg_partition_ancestors") == 0 && n == 1) {
        split = *f;
        split.u.func.name = (char *)"$partition_ancestors";
        split.u.func.over = NULL;
        Expr *sp = arena_alloc(cc->sql->stmt, sizeof(Expr));
        Expr **one = arena_alloc(cc->sql->stmt, sizeof(Expr *));
        if (!sp || !one) return DD_ENOMEM;
        *sp = split;
        one[0] = sp;
        args = one;
    }
    bool ok = !f->u.func.star && !f->u.func.distinct && !f->u.func.filter && !f->u.func.over;
    bool path = strcmp(out->name, "jsonb_path_query") == 0;
    switch (out->kind) {
    case SRF_SERIES: ok = ok && n >= 2 && n <= 3; break;
    case SRF_UNNEST: case SRF_EXPAND: ok = ok && n == 1; break;
    case SRF_JSON: ok = ok && (path ? n >= 2 && n <= 4 : n == 1); break;
    default: ok = ok && n >= 2 && n <= 3; break;
    }
    if (!ok) {
        if (f->u.func.over)
            return dd_err(cc->sql->err, DD_EWRONG_OBJECT_TYPE, f->loc, "OVER specified, but %s is not a window function nor an aggregate function", out->name);
        return dd_err(cc->sql->err, DD_EUNDEFINED_FUNCTION, f->loc, "function %s with %d arguments does not exist",
                      out->name, n);
    }
    ExprProg *p[4];
    for (int i = 0; i < n; i++)
        if ((rc = expr_compile(cc, args[i], &p[i]))) return rc;
    TypeId want[4] = {TYPE_TEXT, TYPE_TEXT, TYPE_TEXT, TYPE_TEXT};
    switch (out->kind) {
    case SRF_SERIES:
        if ((rc = series_type(cc, p, n, f->loc, &out->type))) return rc;
        for (int i = 0; i < n; i++)
            want[i] = i == 2 && (out->type == TYPE_TIMESTAMP || out->type == TYPE_TIMESTAMPTZ) ? TYPE_INTERVAL
                                                                                              : out->type;
        break;
    case SRF_EXPAND: {
        /* _pg_expandarray(anyarray): records (x element, n integer) */
        if (type_vector_array(p[0]->type) && (rc = expr_compile_as(cc, args[0], type_vector_array(p[0]->type), -1, &p[0])))
            return rc;
        if (!type_is_array(p[0]->type)) return no_function(cc, "information_schema._pg_expandarray", p, 1, f->loc);
        static const char *const names[] = {"x", "n"};
        TypeId *types = arena_alloc(cc->sql->stmt, sizeof(TypeId) * 2);
        i32 *typmods = arena_alloc(cc->sql->stmt, sizeof(i32) * 2);
        if (!types || !typmods) return DD_ENOMEM;
        types[0] = type_elem(p[0]->type);
        types[1] = TYPE_INT4;
        typmods[0] = type_has_etype(types[0]) ? p[0]->typmod : -1;
        typmods[1] = -1;
        out->type = TYPE_RECORD;
        if ((rc = sql_recdesc_add(cc->sql, 2, names, types, typmods, &out->typmod))) return rc;
        want[0] = p[0]->type;
        break;
    }
    case SRF_UNNEST:
        if (type_vector_array(p[0]->type) && (rc = expr_compile_as(cc, args[0], type_vector_array(p[0]->type), -1, &p[0])))
            return rc;
        if (!type_is_array(p[0]->type)) {
            if (unknownish(p[0]->type))
                {
                dd_err(cc->sql->err, DD_EAMBIGUOUS_FUNCTION, f->loc, "function unnest(unknown) is not unique");
                dd_err_hint(cc->sql->err, "Could not choose a best candidate function. You might need to add explicit type casts.");
                return DD_EAMBIGUOUS_FUNCTION;
            }
            return no_function(cc, "unnest", p, 1, f->loc);
        }
        out->type = type_elem(p[0]->type);
        out->typmod = type_has_etype(out->type) ? p[0]->typmod : -1;
        want[0] = p[0]->type;
        break;
    case SRF_JSON: {
        /* (json | jsonb): the element type; jsonb_path_query (jsonb, path
         * text [, vars jsonb [, silent bool]]) */
        TypeId jt = strncmp(out->name, "jsonb", 5) == 0 ? TYPE_JSONB : TYPE_JSON;
        static const TypeId pw[] = {TYPE_JSONB, TYPE_TEXT, TYPE_JSONB, TYPE_BOOL};
        for (int i = 0; i < n; i++) {
            TypeId w = path ? pw[i] : jt, t = p[i]->type;
            if (!(t == w || unknownish(t) || (path && i == 1 && type_is_string(t)))) return no_function(cc, out->name, p, n, f->loc);
            want[i] = w;
        }
        size_t l = strlen(out->name);
        out->type = path ? TYPE_JSONB : (l > 5 && strcmp(out->name + l - 5, "_text") == 0) || strstr(out->name, "_keys")
                                            ? TYPE_TEXT : jt;
        if (strstr(out->name, "_each")) out->type = TYPE_RECORD;
        break;
    }
    case SRF_SPLIT:
    case SRF_MATCHES:
        for (int i = 0; i < n; i++)
            if (!type_is_string(p[i]->type) && p[i]->type != TYPE_NULLTYPE) return no_function(cc, out->name, p, n, f->loc);
        out->type = out->kind == SRF_SPLIT ? TYPE_TEXT : type_array_of(TYPE_TEXT);
        break;
    }
    for (int i = 0; i < n; i++)
        if ((rc = expr_compile_as(cc, args[i], want[i], type_has_etype(want[i]) ? p[i]->typmod : -1, &out->args[i])))
            return rc;
    out->nargs = n;
    return DD_OK;
}
