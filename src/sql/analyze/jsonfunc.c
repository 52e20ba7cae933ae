/*
 * jsonfunc.c - the json and jsonb functions and operators (over
 * types/json.h): -> ->> @> <@ ? || - on jsonb and json, jsonb_typeof,
 * jsonb_array_length, jsonb_strip_nulls, jsonb_pretty, jsonb_extract_path
 * (_text), the build functions, to_json / to_jsonb, and the helpers the
 * set-returning forms in FROM and the aggregates share (json_scalar_node,
 * json_write_value).
 *
 * Operators are looked up by their symbol (json_op_lookup) and compiled
 * as calls, as PostgreSQL's operators are functions.  An untyped literal
 * on the right of -> ->> and - is text, as PostgreSQL prefers the string
 * category.  Results of jsonb functions are jsonb's normal text; json
 * functions keep the text of the values they take apart as it was written
 * and print what they build with PostgreSQL's json spacing
 * ({"a" : 1} for json_build_object, [1, 2] for arrays).
 */
#include "expr.h"
#include "jsonfunc.h"
#include "../types/json.h"
#include "../types/jsonpath.h"
#include "../types/array.h"
#include "../types/recordval.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- helpers */

static bool unknownish(TypeId t) { return t == TYPE_UNKNOWN || t == TYPE_NULLTYPE; }

static int nomem(EvalEnv *env) { return dd_err(env->sql->err, DD_ENOMEM, -1, "out of memory"); }

/* The tree of a json or jsonb argument, in the row arena. */
static int tree_of(EvalEnv *env, const Value *v, JNode **out)
{
    return json_parse(v->v.s.p, v->v.s.len, v->type == TYPE_JSONB, env->sql->row, out, env->sql->err);
}

static int ret_jsonb(EvalEnv *env, const JNode *n, Value *out)
{
    return jsonb_value_of(n, env->sql->row, out, env->sql->err);
}

static int ret_buf(EvalEnv *env, TypeId t, Buf *b, Value *out)
{
    if (!buf_ok(b)) { buf_free(b); return nomem(env); }
    char *p = arena_memdup(env->sql->row, b->len ? (const char *)b->data : "", b->len ? b->len : 1);
    u32 len = (u32)b->len;
    buf_free(b);
    if (!p) return nomem(env);
    *out = val_text(t, p, len);
    return DD_OK;
}

/* A json result: the node's text as written (json input) or jsonb's. */
static int ret_node(EvalEnv *env, TypeId t, const JNode *n, Value *out)
{
    if (t == TYPE_JSONB) return ret_jsonb(env, n, out);
    if (n->src) { *out = val_text(TYPE_JSON, n->src, n->srclen); return DD_OK; }
    Buf b = BUF_INIT;
    jsonb_write(n, &b);
    return ret_buf(env, TYPE_JSON, &b, out);
}

/* ->> of a node: strings decoded, null is SQL NULL. */
static int ret_node_text(EvalEnv *env, TypeId t, const JNode *n, Value *out)
{
    if (n->type == J_NULL) { *out = val_null(TYPE_TEXT); return DD_OK; }
    if (n->type == J_STRING) { *out = val_text(TYPE_TEXT, n->s, n->len); return DD_OK; }
    if (t == TYPE_JSON && n->src) { *out = val_text(TYPE_TEXT, n->src, n->srclen); return DD_OK; }
    Buf b = BUF_INIT;
    jsonb_write(n, &b);
    return ret_buf(env, TYPE_TEXT, &b, out);
}

/* The value of key k in object o: jsonb's sorted search, or for json the
 * last pair with that key (PostgreSQL reads json text front to back). */
static const JNode *get_key(const JNode *o, const char *k, u32 klen, bool jsonb)
{
    if (o->type != J_OBJECT) return NULL;
    if (jsonb) return jsonb_get_key(o, k, klen);
    const JNode *r = NULL;
    for (u32 i = 0; i < o->n; i++)
        if (o->pairs[i].klen == klen && memcmp(o->pairs[i].k, k, klen) == 0) r = o->pairs[i].v;
    return r;
}

/* Element i of array a (negative: from the end), or NULL.  jsonb treats a
 * top-level scalar as a one-element array, as PostgreSQL stores it. */
static const JNode *get_index(const JNode *a, i64 i, bool scalar_as_array)
{
    if (a->type != J_ARRAY) {
        if (scalar_as_array && a->type != J_OBJECT && (i == 0 || i == -1)) return a;
        return NULL;
    }
    if (i < 0) i += a->n;
    if (i < 0 || i >= (i64)a->n) return NULL;
    return a->elems[i];
}

static const char *jtype_name(const JNode *n)
{
    static const char *const names[] = {"null", "string", "number", "boolean", "array", "object"};
    return names[n->type];
}

/* ---------------------------------------------------------------- -> ->> */

static int f_get(EvalEnv *env, const Value *a, int n, Value *out, int loc, bool as_text)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    TypeId t = a[0].type;
    if (a[0].isnull || a[1].isnull) { *out = val_null(as_text ? TYPE_TEXT : t); return DD_OK; }
    JNode *doc;
    int rc = tree_of(env, &a[0], &doc);
    if (rc) return rc;
    const JNode *r = type_is_int(a[1].type) ? get_index(doc, a[1].v.i, t == TYPE_JSONB)
                                             : get_key(doc, a[1].v.s.p, a[1].v.s.len, t == TYPE_JSONB);
    if (!r) { *out = val_null(as_text ? TYPE_TEXT : t); return DD_OK; }
    return as_text ? ret_node_text(env, t, r, out) : ret_node(env, t, r, out);
}
static int f_arrow(EvalEnv *env, const Value *a, int n, Value *out, int loc) { return f_get(env, a, n, out, loc, false); }
static int f_arrow_text(EvalEnv *env, const Value *a, int n, Value *out, int loc) { return f_get(env, a, n, out, loc, true); }

/* (json|jsonb, text|int): an untyped right side is text */
static bool r_arrow_common(TypeId *a, TypeId *r, bool text)
{
    if (a[0] != TYPE_JSON && a[0] != TYPE_JSONB) return false;
    if (unknownish(a[1]) || type_is_string(a[1])) a[1] = TYPE_TEXT;
    else if (type_is_int(a[1])) a[1] = TYPE_INT4;
    else return false;
    *r = text ? TYPE_TEXT : a[0];
    return true;
}
static bool r_arrow(TypeId *a, int n, TypeId *r) { DD_UNUSED(n); return r_arrow_common(a, r, false); }
static bool r_arrow_text(TypeId *a, int n, TypeId *r) { DD_UNUSED(n); return r_arrow_common(a, r, true); }

/* jsonb_extract_path(from, VARIADIC path): keys, or array indexes written
 * as integers */
static int f_extract_path_common(EvalEnv *env, const Value *a, int n, Value *out, bool as_text)
{
    TypeId t = a[0].type;
    for (int i = 0; i < n; i++)
        if (a[i].isnull) { *out = val_null(as_text ? TYPE_TEXT : t); return DD_OK; }
    JNode *doc;
    int rc = tree_of(env, &a[0], &doc);
    if (rc) return rc;
    const JNode *cur = doc;
    for (int i = 1; i < n && cur; i++) {
        const char *k = a[i].v.s.p;
        u32 kl = a[i].v.s.len;
        if (cur->type == J_OBJECT) {
            cur = get_key(cur, k, kl, t == TYPE_JSONB);
        } else if (cur->type == J_ARRAY) {
            /* an integer, as PostgreSQL reads a path element for an array */
            char buf[32];
            if (kl == 0 || kl >= sizeof buf) { cur = NULL; break; }
            memcpy(buf, k, kl);
            buf[kl] = 0;
            char *end;
            long long idx = strtoll(buf, &end, 10);
            if (*end) { cur = NULL; break; }
            cur = get_index(cur, idx, false);
        } else {
            cur = NULL;
        }
    }
    if (!cur) { *out = val_null(as_text ? TYPE_TEXT : t); return DD_OK; }
    return as_text ? ret_node_text(env, t, cur, out) : ret_node(env, t, cur, out);
}
static int f_extract_path(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    return f_extract_path_common(env, a, n, out, false);
}
static int f_extract_path_text(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    return f_extract_path_common(env, a, n, out, true);
}
static bool r_extract_common(TypeId *a, int n, TypeId *r, TypeId want, bool text)
{
    if (a[0] != want && !(unknownish(a[0]))) return false;
    a[0] = want;
    for (int i = 1; i < n; i++) {
        if (unknownish(a[i]) || type_is_string(a[i])) a[i] = TYPE_TEXT;
        else return false;
    }
    *r = text ? TYPE_TEXT : want;
    return true;
}
static bool r_jsonb_extract(TypeId *a, int n, TypeId *r) { return r_extract_common(a, n, r, TYPE_JSONB, false); }
static bool r_jsonb_extract_text(TypeId *a, int n, TypeId *r) { return r_extract_common(a, n, r, TYPE_JSONB, true); }
static bool r_json_extract(TypeId *a, int n, TypeId *r) { return r_extract_common(a, n, r, TYPE_JSON, false); }
static bool r_json_extract_text(TypeId *a, int n, TypeId *r) { return r_extract_common(a, n, r, TYPE_JSON, true); }

/* ---------------------------------------------------------------- @> <@ ? */

static int contain(EvalEnv *env, const Value *x, const Value *y, Value *out)
{
    if (x->isnull || y->isnull) { *out = val_null(TYPE_BOOL); return DD_OK; }
    JNode *a, *b;
    int rc = tree_of(env, x, &a);
    if (!rc) rc = tree_of(env, y, &b);
    if (rc) return rc;
    *out = val_bool(jsonb_contains(a, b));
    return DD_OK;
}
static int f_contains(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    return contain(env, &a[0], &a[1], out);
}
static int f_contained(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    return contain(env, &a[1], &a[0], out);
}
static bool r_jsonb_jsonb_bool(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    for (int i = 0; i < 2; i++) {
        if (unknownish(a[i])) a[i] = TYPE_JSONB;
        else if (a[i] != TYPE_JSONB) return false;
    }
    *r = TYPE_BOOL;
    return true;
}

/* j ? key: a key of an object, or a string element of an array (or the
 * string itself at top level) */
static int f_exists(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull || a[1].isnull) { *out = val_null(TYPE_BOOL); return DD_OK; }
    JNode *doc;
    int rc = tree_of(env, &a[0], &doc);
    if (rc) return rc;
    const char *k = a[1].v.s.p;
    u32 kl = a[1].v.s.len;
    bool found = false;
    if (doc->type == J_OBJECT) {
        found = jsonb_get_key(doc, k, kl) != NULL;
    } else if (doc->type == J_ARRAY) {
        for (u32 i = 0; i < doc->n && !found; i++) {
            const JNode *e = doc->elems[i];
            found = e->type == J_STRING && e->len == kl && memcmp(e->s, k, kl) == 0;
        }
    } else if (doc->type == J_STRING) {
        found = doc->len == kl && memcmp(doc->s, k, kl) == 0;
    }
    *out = val_bool(found);
    return DD_OK;
}
static bool r_jsonb_text_bool(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (unknownish(a[0])) a[0] = TYPE_JSONB;
    if (a[0] != TYPE_JSONB) return false;
    if (unknownish(a[1]) || type_is_string(a[1])) a[1] = TYPE_TEXT;
    else return false;
    *r = TYPE_BOOL;
    return true;
}

/* ---------------------------------------------------------------- || and - */

/* jsonb || jsonb: objects merge (the right side's keys win); otherwise
 * both sides as arrays (a scalar or object becomes one element) joined */
static int f_jsonb_concat(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull || a[1].isnull) { *out = val_null(TYPE_JSONB); return DD_OK; }
    JNode *x, *y;
    int rc = tree_of(env, &a[0], &x);
    if (!rc) rc = tree_of(env, &a[1], &y);
    if (rc) return rc;
    Arena *ar = env->sql->row;
    JNode *r;
    if (x->type == J_OBJECT && y->type == J_OBJECT) {
        r = jnode_new(ar, J_OBJECT);
        if (!r) return nomem(env);
        r->pairs = arena_alloc(ar, sizeof(JPair) * (x->n + y->n + 1));
        if (!r->pairs) return nomem(env);
        memcpy(r->pairs, x->pairs, sizeof(JPair) * x->n);
        memcpy(r->pairs + x->n, y->pairs, sizeof(JPair) * y->n);
        r->n = x->n + y->n;
        jsonb_normalize(r, ar);
    } else {
        u32 nx = x->type == J_ARRAY ? x->n : 1, ny = y->type == J_ARRAY ? y->n : 1;
        r = jnode_new(ar, J_ARRAY);
        if (!r) return nomem(env);
        r->elems = arena_alloc(ar, sizeof(JNode *) * (nx + ny + 1));
        if (!r->elems) return nomem(env);
        if (x->type == J_ARRAY) memcpy(r->elems, x->elems, sizeof(JNode *) * nx);
        else r->elems[0] = x;
        if (y->type == J_ARRAY) memcpy(r->elems + nx, y->elems, sizeof(JNode *) * ny);
        else r->elems[nx] = y;
        r->n = nx + ny;
    }
    return ret_jsonb(env, r, out);
}
static bool r_jsonb_concat(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (a[0] != TYPE_JSONB && a[1] != TYPE_JSONB) return false;
    for (int i = 0; i < 2; i++) {
        if (unknownish(a[i])) a[i] = TYPE_JSONB;
        else if (a[i] != TYPE_JSONB) return false;
    }
    *r = TYPE_JSONB;
    return true;
}

/* jsonb - text (a key, or string elements of an array), jsonb - int (an
 * element) */
static int f_jsonb_delete(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull || a[1].isnull) { *out = val_null(TYPE_JSONB); return DD_OK; }
    JNode *doc;
    int rc = tree_of(env, &a[0], &doc);
    if (rc) return rc;
    if (type_is_int(a[1].type)) {
        if (doc->type == J_OBJECT)
            return dd_err(env->sql->err, DD_EINVALID_PARAM, -1, "cannot delete from object using integer index");
        if (doc->type != J_ARRAY) return dd_err(env->sql->err, DD_EINVALID_PARAM, -1, "cannot delete from scalar");
        i64 i = a[1].v.i;
        if (i < 0) i += doc->n;
        if (i >= 0 && i < (i64)doc->n) {
            memmove(doc->elems + i, doc->elems + i + 1, sizeof(JNode *) * (doc->n - (u32)i - 1));
            doc->n--;
        }
        return ret_jsonb(env, doc, out);
    }
    const char *k = a[1].v.s.p;
    u32 kl = a[1].v.s.len;
    if (doc->type == J_OBJECT) {
        u32 w = 0;
        for (u32 i = 0; i < doc->n; i++)
            if (!(doc->pairs[i].klen == kl && memcmp(doc->pairs[i].k, k, kl) == 0)) doc->pairs[w++] = doc->pairs[i];
        doc->n = w;
    } else if (doc->type == J_ARRAY) {
        u32 w = 0;
        for (u32 i = 0; i < doc->n; i++) {
            const JNode *e = doc->elems[i];
            if (!(e->type == J_STRING && e->len == kl && memcmp(e->s, k, kl) == 0)) doc->elems[w++] = doc->elems[i];
        }
        doc->n = w;
    } else {
        return dd_err(env->sql->err, DD_EINVALID_PARAM, -1, "cannot delete from scalar");
    }
    return ret_jsonb(env, doc, out);
}
static bool r_jsonb_delete(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (a[0] != TYPE_JSONB) return false;
    if (unknownish(a[1]) || type_is_string(a[1])) a[1] = TYPE_TEXT;
    else if (type_is_int(a[1])) a[1] = TYPE_INT4;
    else return false;
    *r = TYPE_JSONB;
    return true;
}

/* ---------------------------------------------------------------- jsonpath */

typedef enum PathMode { PATH_EXISTS, PATH_MATCH, PATH_FIRST, PATH_ARRAY } PathMode;

/* The path functions: (target, path [, vars [, silent]]); silent turns
 * evaluation errors (not syntax errors) into NULL; @? and @@ are silent. */
static int path_call(EvalEnv *env, const Value *a, int n, Value *out, PathMode mode, bool silent)
{
    TypeId rt = mode == PATH_EXISTS || mode == PATH_MATCH ? TYPE_BOOL : TYPE_JSONB;
    for (int i = 0; i < n; i++)
        if (a[i].isnull) { *out = val_null(rt); return DD_OK; }
    if (n > 3) silent = a[3].v.b;
    JNode *doc, *vars = NULL, **items;
    u32 nitems;
    JsonPath *jp;
    int rc = tree_of(env, &a[0], &doc);
    if (!rc) rc = jsonpath_parse(a[1].v.s.p, a[1].v.s.len, env->sql->row, &jp, env->sql->err);
    if (!rc && n > 2) rc = tree_of(env, &a[2], &vars);
    if (rc) return rc;
    rc = jsonpath_eval(jp, doc, vars, env->sql->row, &items, &nitems, env->sql->err);
    if (rc && rc != DD_ENOMEM && silent) {
        dd_err_clear(env->sql->err);
        *out = val_null(rt);
        return DD_OK;
    }
    if (rc) return rc;
    switch (mode) {
    case PATH_EXISTS:
        *out = val_bool(nitems > 0);
        return DD_OK;
    case PATH_MATCH:
        if (nitems == 1 && items[0]->type == J_BOOL) { *out = val_bool(items[0]->b); return DD_OK; }
        if (nitems == 1 && items[0]->type == J_NULL) { *out = val_null(TYPE_BOOL); return DD_OK; }
        if (silent) { *out = val_null(TYPE_BOOL); return DD_OK; }
        return dd_err(env->sql->err, DD_EJSON_SINGLETON, -1, "single boolean result is expected");
    case PATH_FIRST:
        if (!nitems) { *out = val_null(TYPE_JSONB); return DD_OK; }
        return ret_jsonb(env, items[0], out);
    default: {
        JNode *arr = jnode_new(env->sql->row, J_ARRAY);
        if (!arr) return nomem(env);
        arr->elems = items;
        arr->n = nitems;
        return ret_jsonb(env, arr, out);
    }
    }
}
static int f_path_exists(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    return path_call(env, a, n, out, PATH_EXISTS, false);
}
static int f_path_match(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    return path_call(env, a, n, out, PATH_MATCH, false);
}
static int f_path_first(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    return path_call(env, a, n, out, PATH_FIRST, false);
}
static int f_path_array(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    return path_call(env, a, n, out, PATH_ARRAY, false);
}
static int f_op_path_exists(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    return path_call(env, a, n, out, PATH_EXISTS, true);
}
static int f_op_path_match(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    return path_call(env, a, n, out, PATH_MATCH, true);
}

/* (jsonb, path [, vars jsonb [, silent bool]]): the path is text */
static bool r_path(TypeId *a, int n, TypeId *r, TypeId ret)
{
    if (unknownish(a[0])) a[0] = TYPE_JSONB;
    if (a[0] != TYPE_JSONB) return false;
    if (unknownish(a[1]) || type_is_string(a[1])) a[1] = TYPE_TEXT;
    else return false;
    if (n > 2) {
        if (unknownish(a[2])) a[2] = TYPE_JSONB;
        if (a[2] != TYPE_JSONB) return false;
    }
    if (n > 3) {
        if (unknownish(a[3])) a[3] = TYPE_BOOL;
        if (a[3] != TYPE_BOOL) return false;
    }
    *r = ret;
    return true;
}
static bool r_path_bool(TypeId *a, int n, TypeId *r) { return r_path(a, n, r, TYPE_BOOL); }
static bool r_path_jsonb(TypeId *a, int n, TypeId *r) { return r_path(a, n, r, TYPE_JSONB); }

/* ---------------------------------------------------------------- text[] forms */

static bool is_text_array(TypeId t) { return type_is_array(t) && type_is_string(type_elem(t)); }

/* The elements of a text[] argument (NULL elements are NULL Values). */
static int text_items(EvalEnv *env, const Value *v, ArrayVal *a)
{
    return array_from_value(v, env->sql->row, a, env->sql->err);
}

/* A path element read as an array index, as PostgreSQL's strtol: blanks
 * before, a sign, digits, nothing after. */
static bool path_index(const Value *e, i64 *out)
{
    char buf[48];
    if (e->isnull || e->v.s.len == 0 || e->v.s.len >= sizeof buf) return false;
    memcpy(buf, e->v.s.p, e->v.s.len);
    buf[e->v.s.len] = 0;
    char *end;
    errno = 0;
    long long v = strtoll(buf, &end, 10);
    if (end == buf || *end || errno || v > INT32_MAX || v < INT32_MIN) return false;
    *out = v;
    return true;
}

/* #> and #>> (and jsonb_extract_path over an array): NULL when a step is
 * missing or a path element is NULL; the empty path is the document. */
static int f_path_get_common(EvalEnv *env, const Value *a, Value *out, bool as_text)
{
    TypeId t = a[0].type;
    if (a[0].isnull || a[1].isnull) { *out = val_null(as_text ? TYPE_TEXT : t); return DD_OK; }
    ArrayVal p;
    JNode *doc;
    int rc = text_items(env, &a[1], &p);
    if (!rc) rc = tree_of(env, &a[0], &doc);
    if (rc) return rc;
    const JNode *cur = doc;
    for (u32 i = 0; i < p.n && cur; i++) {
        const Value *e = &p.items[i];
        if (e->isnull) { cur = NULL; break; }
        if (cur->type == J_OBJECT) {
            cur = get_key(cur, e->v.s.p, e->v.s.len, t == TYPE_JSONB);
        } else if (cur->type == J_ARRAY) {
            i64 idx;
            cur = path_index(e, &idx) ? get_index(cur, idx, false) : NULL;
        } else {
            cur = NULL;
        }
    }
    if (!cur) { *out = val_null(as_text ? TYPE_TEXT : t); return DD_OK; }
    return as_text ? ret_node_text(env, t, cur, out) : ret_node(env, t, cur, out);
}
static int f_path_get(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    return f_path_get_common(env, a, out, false);
}
static int f_path_get_text(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    return f_path_get_common(env, a, out, true);
}
/* (json|jsonb, text[]): an untyped right side is a text[] */
static bool r_path_get_common(TypeId *a, TypeId *r, bool text)
{
    if (a[0] != TYPE_JSON && a[0] != TYPE_JSONB) return false;
    if (unknownish(a[1])) a[1] = type_array_of(TYPE_TEXT);
    if (!is_text_array(a[1])) return false;
    a[1] = type_array_of(TYPE_TEXT);
    *r = text ? TYPE_TEXT : a[0];
    return true;
}
static bool r_path_get(TypeId *a, int n, TypeId *r) { DD_UNUSED(n); return r_path_get_common(a, r, false); }
static bool r_path_get_text(TypeId *a, int n, TypeId *r) { DD_UNUSED(n); return r_path_get_common(a, r, true); }

/* ?| and ?&: NULL elements are skipped */
static int exists_some(EvalEnv *env, const Value *a, Value *out, bool all)
{
    if (a[0].isnull || a[1].isnull) { *out = val_null(TYPE_BOOL); return DD_OK; }
    ArrayVal p;
    JNode *doc;
    int rc = text_items(env, &a[1], &p);
    if (!rc) rc = tree_of(env, &a[0], &doc);
    if (rc) return rc;
    bool any = false, every = true;
    for (u32 i = 0; i < p.n; i++) {
        const Value *e = &p.items[i];
        if (e->isnull) continue;
        bool found = false;
        if (doc->type == J_OBJECT) {
            found = jsonb_get_key(doc, e->v.s.p, e->v.s.len) != NULL;
        } else if (doc->type == J_ARRAY) {
            for (u32 k = 0; k < doc->n && !found; k++)
                found = doc->elems[k]->type == J_STRING && doc->elems[k]->len == e->v.s.len &&
                        memcmp(doc->elems[k]->s, e->v.s.p, e->v.s.len) == 0;
        } else if (doc->type == J_STRING) {
            found = doc->len == e->v.s.len && memcmp(doc->s, e->v.s.p, doc->len) == 0;
        }
        any |= found;
        every &= found;
    }
    *out = val_bool(all ? every : any);
    return DD_OK;
}
static int f_exists_any(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    return exists_some(env, a, out, false);
}
static int f_exists_all(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    return exists_some(env, a, out, true);
}
static bool r_jsonb_textarr(TypeId *a, TypeId *r, TypeId ret)
{
    if (unknownish(a[0])) a[0] = TYPE_JSONB;
    if (a[0] != TYPE_JSONB) return false;
    if (unknownish(a[1])) a[1] = type_array_of(TYPE_TEXT);
    if (!is_text_array(a[1])) return false;
    a[1] = type_array_of(TYPE_TEXT);
    *r = ret;
    return true;
}
static bool r_jsonb_textarr_bool(TypeId *a, int n, TypeId *r) { DD_UNUSED(n); return r_jsonb_textarr(a, r, TYPE_BOOL); }
static bool r_jsonb_textarr_jsonb(TypeId *a, int n, TypeId *r) { DD_UNUSED(n); return r_jsonb_textarr(a, r, TYPE_JSONB); }

/* jsonb - text[]: every key (or string element) named */
static int f_jsonb_delete_keys(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull || a[1].isnull) { *out = val_null(TYPE_JSONB); return DD_OK; }
    ArrayVal p;
    JNode *doc;
    int rc = text_items(env, &a[1], &p);
    if (!rc) rc = tree_of(env, &a[0], &doc);
    if (rc) return rc;
    if (doc->type != J_OBJECT && doc->type != J_ARRAY)
        return dd_err(env->sql->err, DD_EINVALID_PARAM, -1, "cannot delete from scalar");
    for (u32 i = 0; i < p.n; i++) {
        const Value *e = &p.items[i];
        if (e->isnull) continue;
        u32 w = 0;
        if (doc->type == J_OBJECT) {
            for (u32 k = 0; k < doc->n; k++)
                if (!(doc->pairs[k].klen == e->v.s.len && memcmp(doc->pairs[k].k, e->v.s.p, e->v.s.len) == 0))
                    doc->pairs[w++] = doc->pairs[k];
        } else {
            for (u32 k = 0; k < doc->n; k++) {
                const JNode *x = doc->elems[k];
                if (!(x->type == J_STRING && x->len == e->v.s.len && memcmp(x->s, e->v.s.p, x->len) == 0))
                    doc->elems[w++] = doc->elems[k];
            }
        }
        doc->n = w;
    }
    return ret_jsonb(env, doc, out);
}
static bool r_jsonb_delete_keys(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    if (a[0] != TYPE_JSONB || !is_text_array(a[1])) return false;
    a[1] = type_array_of(TYPE_TEXT);
    *r = TYPE_JSONB;
    return true;
}

/* ---- jsonb_set, jsonb_insert, #-: PostgreSQL's setPath */

enum { PATH_SET, PATH_SET_CREATE, PATH_INSERT_BEFORE, PATH_INSERT_AFTER, PATH_DELETE };

static int not_integer(EvalEnv *env, u32 level, const Value *e)
{
    return dd_err(env->sql->err, DD_EINVALID_TEXT, -1, "path element at position %u is not an integer: \"%.*s\"",
                  level + 1, (int)e->v.s.len, e->v.s.p);
}

static int set_path(EvalEnv *env, JNode *n, const ArrayVal *p, u32 level, JNode *newv, int op)
{
    const Value *e = &p->items[level];
    if (e->isnull)
        return dd_err(env->sql->err, DD_ENULL_NOT_ALLOWED, -1, "path element at position %u is null", level + 1);
    bool last = level + 1 == p->n;
    bool create = op == PATH_SET_CREATE || op == PATH_INSERT_BEFORE || op == PATH_INSERT_AFTER;
    Arena *ar = env->sql->row;
    if (n->type == J_OBJECT) {
        for (u32 i = 0; i < n->n; i++) {
            if (!(n->pairs[i].klen == e->v.s.len && memcmp(n->pairs[i].k, e->v.s.p, e->v.s.len) == 0)) continue;
            if (!last) return set_path(env, n->pairs[i].v, p, level + 1, newv, op);
            if (op == PATH_INSERT_BEFORE || op == PATH_INSERT_AFTER) {
                dd_err(env->sql->err, DD_EINVALID_PARAM, -1, "cannot replace existing key");
                dd_err_hint(env->sql->err, "Try using the function jsonb_set to replace key value.");
                return DD_EINVALID_PARAM;
            }
            if (op == PATH_DELETE) {
                memmove(n->pairs + i, n->pairs + i + 1, sizeof(JPair) * (n->n - i - 1));
                n->n--;
            } else {
                n->pairs[i].v = newv;
            }
            return DD_OK;
        }
        if (last && create) {
            JPair *np = arena_alloc(ar, sizeof(JPair) * (n->n + 1));
            if (!np) return nomem(env);
            if (n->n) memcpy(np, n->pairs, sizeof(JPair) * n->n);
            char *k = e->v.s.len ? arena_memdup(ar, e->v.s.p, e->v.s.len) : "";
            if (!k) return nomem(env);
            np[n->n].k = k;
            np[n->n].klen = e->v.s.len;
            np[n->n].v = newv;
            n->pairs = np;
            n->n++;
            jsonb_normalize(n, ar);
        }
        return DD_OK;
    }
    if (n->type != J_ARRAY) return DD_OK;   /* a scalar inside: left as it is */
    i64 idx;
    if (!path_index(e, &idx)) return not_integer(env, level, e);
    i64 ne = n->n;
    bool prepend = false;
    if (idx < 0) {
        if (-idx > ne) prepend = true;
        else idx += ne;
    }
    if (idx > ne) idx = ne;
    if (!last) {
        if (prepend || idx >= ne) return DD_OK;
        return set_path(env, n->elems[idx], p, level + 1, newv, op);
    }
    JNode **el = arena_alloc(ar, sizeof(JNode *) * (size_t)(ne + 2));
    if (!el) return nomem(env);
    u32 w = 0;
    bool done = false;
    if ((prepend || ne == 0) && create) { el[w++] = newv; done = true; }
    for (i64 i = 0; i < ne; i++) {
        if (!prepend && i == idx) {
            done = true;
            if (op == PATH_INSERT_BEFORE || op == PATH_SET || op == PATH_SET_CREATE) el[w++] = newv;
            if (op == PATH_INSERT_BEFORE || op == PATH_INSERT_AFTER) el[w++] = n->elems[i];
            if (op == PATH_INSERT_AFTER) el[w++] = newv;
            continue;
        }
        el[w++] = n->elems[i];
    }
    if (!done && create) el[w++] = newv;
    n->elems = el;
    n->n = w;
    return DD_OK;
}

static int path_op(EvalEnv *env, const Value *a, int n, Value *out, int op)
{
    for (int i = 0; i < (op == PATH_DELETE ? 2 : 3); i++)
        if (a[i].isnull) { *out = val_null(TYPE_JSONB); return DD_OK; }
    if (n > 3 && a[3].isnull) { *out = val_null(TYPE_JSONB); return DD_OK; }
    if (n > 3) {
        if (op == PATH_SET_CREATE && !a[3].v.b) op = PATH_SET;
        if (op == PATH_INSERT_BEFORE && a[3].v.b) op = PATH_INSERT_AFTER;
    }
    ArrayVal p;
    JNode *doc, *newv = NULL;
    int rc = text_items(env, &a[1], &p);
    if (!rc) rc = tree_of(env, &a[0], &doc);
    if (!rc && op != PATH_DELETE) rc = tree_of(env, &a[2], &newv);
    if (rc) return rc;
    if (doc->type != J_OBJECT && doc->type != J_ARRAY)
        return dd_err(env->sql->err, DD_EINVALID_PARAM, -1, "cannot %s path in scalar", op == PATH_DELETE ? "delete" : "set");
    if (p.n > 0 && (rc = set_path(env, doc, &p, 0, newv, op))) return rc;
    return ret_jsonb(env, doc, out);
}
static int f_jsonb_set(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    return path_op(env, a, n, out, PATH_SET_CREATE);
}
static int f_jsonb_insert(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    return path_op(env, a, n, out, PATH_INSERT_BEFORE);
}
static int f_delete_path(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    return path_op(env, a, n, out, PATH_DELETE);
}
/* ---- jsonb subscripts: j[k1][k2] and UPDATE ... SET j[k1][k2] = v, as
 * PostgreSQL 14's jsonb subscripting (the compiler passes each subscript
 * as text, or as bigint when it was an integer) */

/* Subscripts a[from..n) as text path elements in p (row arena). */
static int subscript_path(EvalEnv *env, const Value *a, int from, int n, ArrayVal *p)
{
    memset(p, 0, sizeof *p);
    p->n = (u32)(n - from);
    p->items = arena_alloc(env->sql->row, sizeof(Value) * (size_t)(p->n + 1));
    if (!p->items) return nomem(env);
    for (int i = from; i < n; i++) {
        Value *e = &p->items[i - from];
        if (a[i].isnull || a[i].type != TYPE_INT8) { *e = a[i]; continue; }
        char *t = arena_printf(env->sql->row, "%lld", (long long)a[i].v.i);
        if (!t) return nomem(env);
        *e = val_text(TYPE_TEXT, t, (u32)strlen(t));
    }
    return DD_OK;
}

/* $jsonb_subscript(j, k1, ...): as j #> {k1, ...}; NULL for a NULL subscript */
static int f_jsonb_subscript(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    ArrayVal p;
    JNode *doc;
    *out = val_null(TYPE_JSONB);
    for (int i = 0; i < n; i++)
        if (a[i].isnull) return DD_OK;
    int rc = subscript_path(env, a, 1, n, &p);
    if (!rc) rc = tree_of(env, &a[0], &doc);
    if (rc) return rc;
    const JNode *cur = doc;
    for (u32 i = 0; i < p.n && cur; i++) {
        const Value *e = &p.items[i];
        i64 idx;
        if (cur->type == J_OBJECT) cur = get_key(cur, e->v.s.p, e->v.s.len, true);
        else if (cur->type == J_ARRAY) cur = path_index(e, &idx) ? get_index(cur, idx, false) : NULL;
        else cur = NULL;
    }
    return cur ? ret_node(env, TYPE_JSONB, cur, out) : DD_OK;
}

/* The containers PostgreSQL's push_path makes for path p[level..) that
 * does not exist: an array for an integer element (NULLs up to it), else
 * an object; newv at the end. */
static int make_chain(EvalEnv *env, const ArrayVal *p, u32 level, JNode *newv, JNode **out)
{
    if (level == p->n) { *out = newv; return DD_OK; }
    JNode *child;
    int rc = make_chain(env, p, level + 1, newv, &child);
    if (rc) return rc;
    Arena *ar = env->sql->row;
    const Value *e = &p->items[level];
    i64 idx;
    if (path_index(e, &idx)) {
        if (idx < 0)
            return dd_err(env->sql->err, DD_EINVALID_PARAM, -1, "path element at position %u is out of range: %lld",
                          level + 1, (long long)idx);
        JNode *arr = jnode_new(ar, J_ARRAY);
        JNode **el = arena_alloc(ar, sizeof(JNode *) * (size_t)(idx + 1));
        if (!arr || !el) return nomem(env);
        for (i64 i = 0; i < idx; i++)
            if (!(el[i] = jnode_new(ar, J_NULL))) return nomem(env);
        el[idx] = child;
        arr->elems = el;
        arr->n = (u32)(idx + 1);
        *out = arr;
        return DD_OK;
    }
    JNode *obj = jnode_new(ar, J_OBJECT);
    JPair *pr = arena_alloc(ar, sizeof(JPair));
    char *k = e->v.s.len ? arena_memdup(ar, e->v.s.p, e->v.s.len) : "";
    if (!obj || !pr || !k) return nomem(env);
    pr->k = k;
    pr->klen = e->v.s.len;
    pr->v = child;
    obj->pairs = pr;
    obj->n = 1;
    *out = obj;
    return DD_OK;
}

/* Sets path p[level..) of n to newv, making what is missing (PostgreSQL's
 * setPath with JB_PATH_CREATE | FILL_GAPS | CONSISTENT_POSITION). */
static int assign_path(EvalEnv *env, JNode *n, const ArrayVal *p, u32 level, JNode *newv)
{
    const Value *e = &p->items[level];
    bool last = level + 1 == p->n;
    Arena *ar = env->sql->row;
    if (n->type == J_OBJECT) {
        for (u32 i = 0; i < n->n; i++) {
            if (!(n->pairs[i].klen == e->v.s.len && memcmp(n->pairs[i].k, e->v.s.p, e->v.s.len) == 0)) continue;
            if (last) { n->pairs[i].v = newv; return DD_OK; }
            JNode *c = n->pairs[i].v;
            if (c->type != J_OBJECT && c->type != J_ARRAY)
                return dd_err(env->sql->err, DD_EINVALID_PARAM, -1, "cannot replace existing key");
            return assign_path(env, c, p, level + 1, newv);
        }
        JNode *child;
        int rc = make_chain(env, p, level + 1, newv, &child);
        if (rc) return rc;
        JPair *np = arena_alloc(ar, sizeof(JPair) * (n->n + 1));
        char *k = e->v.s.len ? arena_memdup(ar, e->v.s.p, e->v.s.len) : "";
        if (!np || !k) return nomem(env);
        if (n->n) memcpy(np, n->pairs, sizeof(JPair) * n->n);
        np[n->n].k = k;
        np[n->n].klen = e->v.s.len;
        np[n->n].v = child;
        n->pairs = np;
        n->n++;
        jsonb_normalize(n, ar);
        return DD_OK;
    }
    if (n->type != J_ARRAY) return dd_err(env->sql->err, DD_EINVALID_PARAM, -1, "cannot replace existing key");
    i64 idx, ne = n->n;
    if (!path_index(e, &idx)) return not_integer(env, level, e);
    if (idx < 0) {
        if (-idx > ne)
            return dd_err(env->sql->err, DD_EINVALID_PARAM, -1, "path element at position %u is out of range: %lld",
                          level + 1, (long long)idx);
        idx += ne;
    }
    if (idx < ne) {
        if (last) { n->elems[idx] = newv; return DD_OK; }
        JNode *c = n->elems[idx];
        if (c->type != J_OBJECT && c->type != J_ARRAY)
            return dd_err(env->sql->err, DD_EINVALID_PARAM, -1, "cannot replace existing key");
        return assign_path(env, c, p, level + 1, newv);
    }
    /* past the end: NULLs up to it */
    JNode *child;
    int rc = make_chain(env, p, level + 1, newv, &child);
    JNode **el = rc ? NULL : arena_alloc(ar, sizeof(JNode *) * (size_t)(idx + 1));
    if (rc) return rc;
    if (!el) return nomem(env);
    if (ne) memcpy(el, n->elems, sizeof(JNode *) * (size_t)ne);
    for (i64 i = ne; i < idx; i++)
        if (!(el[i] = jnode_new(ar, J_NULL))) return nomem(env);
    el[idx] = child;
    n->elems = el;
    n->n = (u32)(idx + 1);
    return DD_OK;
}

/* $jsonb_assign(j, v, k1, ...): j with j[k1]... set to v (a NULL v is
 * JSON null; a NULL j an empty array when k1 is an integer, else an
 * empty object) */
static int f_jsonb_assign(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    for (int i = 2; i < n; i++)
        if (a[i].isnull)
            return dd_err(env->sql->err, DD_ENULL_NOT_ALLOWED, -1, "jsonb subscript in assignment must not be null");
    ArrayVal p;
    JNode *doc, *newv;
    int rc = subscript_path(env, a, 2, n, &p);
    if (rc) return rc;
    if (a[0].isnull) rc = (doc = jnode_new(env->sql->row, a[2].type == TYPE_INT8 ? J_ARRAY : J_OBJECT)) ? DD_OK : nomem(env);
    else rc = tree_of(env, &a[0], &doc);
    if (!rc && a[1].isnull) rc = (newv = jnode_new(env->sql->row, J_NULL)) ? DD_OK : nomem(env);
    else if (!rc) rc = tree_of(env, &a[1], &newv);
    if (!rc && p.n) rc = assign_path(env, doc, &p, 0, newv);
    return rc ? rc : ret_jsonb(env, doc, out);
}
static bool r_jsonb_subscript(TypeId *a, int n, TypeId *r) { DD_UNUSED(a); DD_UNUSED(n); *r = TYPE_JSONB; return true; }

/* jsonb_set_lax(j, path, v [, create [, null_value_treatment]]): as
 * jsonb_set, but an SQL NULL v is JSON null (use_json_null, the
 * default), deletes the path (delete_key), keeps j (return_target) or is
 * 22004 (raise_exception) */
static int f_jsonb_set_lax(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    static const char bad[] =
        "null_value_treatment must be \"delete_key\", \"return_target\", \"use_json_null\", or \"raise_exception\"";
    if (a[0].isnull || a[1].isnull || (n > 3 && a[3].isnull)) { *out = val_null(TYPE_JSONB); return DD_OK; }
    if (n > 4 && a[4].isnull) return dd_err(env->sql->err, DD_EINVALID_PARAM, -1, "%s", bad);
    Value args[4] = {a[0], a[1], a[2], n > 3 ? a[3] : val_bool(true)};
    if (!a[2].isnull) return path_op(env, args, 4, out, PATH_SET_CREATE);
    const char *h = n > 4 ? a[4].v.s.p : "use_json_null";
    u32 hl = n > 4 ? a[4].v.s.len : (u32)strlen(h);
#define IS(w) (hl == strlen(w) && memcmp(h, w, hl) == 0)
    if (IS("raise_exception")) {
        dd_err(env->sql->err, DD_ENULL_NOT_ALLOWED, -1, "JSON value must not be null");
        dd_err_detail(env->sql->err, "Exception was raised because null_value_treatment is \"raise_exception\".");
        dd_err_hint(env->sql->err, "To avoid, either change the null_value_treatment argument or ensure that an SQL NULL is not passed.");
        return DD_ENULL_NOT_ALLOWED;
    }
    if (IS("use_json_null")) {
        args[2] = val_text(TYPE_JSONB, "null", 4);
        return path_op(env, args, 4, out, PATH_SET_CREATE);
    }
    if (IS("delete_key")) return path_op(env, args, 2, out, PATH_DELETE);
    if (IS("return_target")) { *out = a[0]; return DD_OK; }
#undef IS
    return dd_err(env->sql->err, DD_EINVALID_PARAM, -1, "%s", bad);
}

/* (jsonb, text[], jsonb [, bool]) */
static bool r_jsonb_set(TypeId *a, int n, TypeId *r)
{
    if (!r_jsonb_textarr(a, r, TYPE_JSONB)) return false;
    if (unknownish(a[2])) a[2] = TYPE_JSONB;
    if (a[2] != TYPE_JSONB) return false;
    if (n > 3) {
        if (unknownish(a[3])) a[3] = TYPE_BOOL;
        if (a[3] != TYPE_BOOL) return false;
    }
    return true;
}

/* (jsonb, text[], jsonb [, bool [, text]]) */
static bool r_jsonb_set_lax(TypeId *a, int n, TypeId *r)
{
    if (!r_jsonb_set(a, n > 4 ? 4 : n, r)) return false;
    if (n > 4) {
        if (unknownish(a[4]) || type_is_string(a[4])) a[4] = TYPE_TEXT;
        else return false;
    }
    return true;
}

/* ---- json_object / jsonb_object from text arrays */

static int object_from_arrays(EvalEnv *env, const Value *a, int n, Value *out, TypeId t)
{
    for (int i = 0; i < n; i++)
        if (a[i].isnull) { *out = val_null(t); return DD_OK; }
    ArrayVal k, v;
    int rc = text_items(env, &a[0], &k);
    if (!rc && n > 1) rc = text_items(env, &a[1], &v);
    if (rc) return rc;
    const Value *keys, *vals;
    u32 count;
    if (n == 1) {
        if (k.ndim == 1 && k.n % 2)
            return dd_err(env->sql->err, DD_EARRAY_SUBSCRIPT, -1, "array must have even number of elements");
        if (k.ndim == 2 && k.dims[1] != 2)
            return dd_err(env->sql->err, DD_EARRAY_SUBSCRIPT, -1, "array must have two columns");
        if (k.ndim > 2) return dd_err(env->sql->err, DD_EARRAY_SUBSCRIPT, -1, "wrong number of array subscripts");
        count = k.n / 2;
        keys = k.items;
        vals = k.items + 1;
    } else {
        if (k.ndim > 1 || v.ndim > 1)
            return dd_err(env->sql->err, DD_EARRAY_SUBSCRIPT, -1, "wrong number of array subscripts");
        if (k.n != v.n) return dd_err(env->sql->err, DD_EARRAY_SUBSCRIPT, -1, "mismatched array dimensions");
        count = k.n;
        keys = k.items;
        vals = v.items;
    }
    u32 step = n == 1 ? 2 : 1;
    Buf b = BUF_INIT;
    buf_putc(&b, '{');
    for (u32 i = 0; i < count; i++) {
        const Value *key = &keys[i * step], *val = &vals[i * step];
        if (key->isnull) {
            buf_free(&b);
            return dd_err(env->sql->err, DD_ENULL_NOT_ALLOWED, -1, "null value not allowed for object key");
        }
        if (i) buf_puts(&b, ", ");
        json_write_string(key->v.s.p, key->v.s.len, &b);
        buf_puts(&b, t == TYPE_JSON ? " : " : ": ");
        if (val->isnull) buf_puts(&b, "null");
        else json_write_string(val->v.s.p, val->v.s.len, &b);
    }
    buf_putc(&b, '}');
    if (t == TYPE_JSON) return ret_buf(env, TYPE_JSON, &b, out);
    if (!buf_ok(&b)) { buf_free(&b); return nomem(env); }
    rc = json_in(TYPE_JSONB, (const char *)b.data, b.len, env->sql->row, out, env->sql->err);
    buf_free(&b);
    return rc;
}
static int f_json_object(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    return object_from_arrays(env, a, n, out, TYPE_JSON);
}
static int f_jsonb_object(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    return object_from_arrays(env, a, n, out, TYPE_JSONB);
}
static bool r_object_common(TypeId *a, int n, TypeId *r, TypeId t)
{
    for (int i = 0; i < n; i++) {
        if (unknownish(a[i])) a[i] = type_array_of(TYPE_TEXT);
        if (!is_text_array(a[i])) return false;
        a[i] = type_array_of(TYPE_TEXT);
    }
    *r = t;
    return true;
}
static bool r_json_object(TypeId *a, int n, TypeId *r) { return r_object_common(a, n, r, TYPE_JSON); }
static bool r_jsonb_object(TypeId *a, int n, TypeId *r) { return r_object_common(a, n, r, TYPE_JSONB); }


/* ---------------------------------------------------------------- operator table */

static const FuncDef json_ops[] = {
    {"->", 2, 2, r_arrow, f_arrow, false},
    {"->>", 2, 2, r_arrow_text, f_arrow_text, false},
    {"@>", 2, 2, r_jsonb_jsonb_bool, f_contains, false},
    {"<@", 2, 2, r_jsonb_jsonb_bool, f_contained, false},
    {"?", 2, 2, r_jsonb_text_bool, f_exists, false},
    {"||", 2, 2, r_jsonb_concat, f_jsonb_concat, false},
    {"-", 2, 2, r_jsonb_delete, f_jsonb_delete, false},
    {"-", 2, 2, r_jsonb_delete_keys, f_jsonb_delete_keys, false},
    {"#>", 2, 2, r_path_get, f_path_get, false},
    {"#>>", 2, 2, r_path_get_text, f_path_get_text, false},
    {"#-", 2, 2, r_jsonb_textarr_jsonb, f_delete_path, false},
    {"?|", 2, 2, r_jsonb_textarr_bool, f_exists_any, false},
    {"?&", 2, 2, r_jsonb_textarr_bool, f_exists_all, false},
    {"@?", 2, 2, r_path_bool, f_op_path_exists, false},
    {"@@", 2, 2, r_path_bool, f_op_path_match, false},
};

const FuncDef *json_op_lookup(const char *op, int k)
{
    for (size_t i = 0; i < DD_ARRAY_LEN(json_ops); i++)
        if (strcmp(json_ops[i].name, op) == 0 && k-- == 0) return &json_ops[i];
    return NULL;
}

/* ---------------------------------------------------------------- scalars to JSON */

/* PostgreSQL's JSON text of a timestamp: ISO 8601 with a T. */
static void iso_datetime(const Value *v, const ValueCtx *vc, Buf *out)
{
    Buf t = BUF_INIT;
    if (v->type == TYPE_TIMESTAMPTZ) {
        i32 off = tz_offset_at(vc, v->v.i);
        timestamp_to_text(v->v.i + (i64)off * 1000000, &t);
        buf_append(out, t.data, t.len);
        int a = off < 0 ? -off : off;
        buf_printf(out, "%c%02d:%02d", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
        if (a % 60) buf_printf(out, ":%02d", a % 60);
    } else {
        timestamp_to_text(v->v.i, &t);
        buf_append(out, t.data, t.len);
    }
    buf_free(&t);
    /* "2024-01-02 03:04:05" -> "2024-01-02T03:04:05" (BC years keep their suffix) */
    for (size_t i = out->len - 1; i > 0 && out->data; i--) {
        if (out->data[i] == ' ' && i >= 10 && out->data[i - 3] == '-') { out->data[i] = 'T'; break; }
    }
}


/* The JSON array of dimension dim of a, from item *pos on (row-major). */
static int array_node(const ArrayVal *a, int dim, u32 *pos, const ValueCtx *vc, Arena *ar, JNode **out, DdError *err)
{
    JNode *n = jnode_new(ar, J_ARRAY);
    if (!n) return dd_err(err, DD_ENOMEM, -1, "out of memory");
    u32 len = a->ndim ? (u32)a->dims[dim] : 0;
    n->elems = arena_alloc(ar, sizeof(JNode *) * (len + 1));
    if (!n->elems) return dd_err(err, DD_ENOMEM, -1, "out of memory");
    for (u32 i = 0; i < len; i++) {
        int rc = dim + 1 < a->ndim ? array_node(a, dim + 1, pos, vc, ar, &n->elems[i], err)
                                   : json_scalar_node(&a->items[(*pos)++], vc, ar, &n->elems[i], err);
        if (rc) return rc;
    }
    n->n = len;
    *out = n;
    return DD_OK;
}

static void array_write(const ArrayVal *a, int dim, u32 *pos, const ValueCtx *vc, Buf *out)
{
    buf_putc(out, '[');
    u32 len = a->ndim ? (u32)a->dims[dim] : 0;
    for (u32 i = 0; i < len; i++) {
        if (i) buf_putc(out, ',');
        if (dim + 1 < a->ndim) array_write(a, dim + 1, pos, vc, out);
        else json_write_value(&a->items[(*pos)++], vc, out);
    }
    buf_putc(out, ']');
}

int json_scalar_node(const Value *v, const ValueCtx *vc, Arena *a, JNode **out, DdError *err)
{
    if (v->isnull) return (*out = jnode_new(a, J_NULL)) ? DD_OK : dd_err(err, DD_ENOMEM, -1, "out of memory");
    TypeId t = v->type;
    if (t == TYPE_JSON || t == TYPE_JSONB) {
        int rc = json_parse(v->v.s.p, v->v.s.len, true, a, out, err);
        return rc;
    }
    if (type_is_array(t)) {   /* a JSON array per dimension */
        ArrayVal av;
        int rc = array_from_value(v, a, &av, err);
        u32 pos = 0;
        return rc ? rc : array_node(&av, 0, &pos, vc, a, out, err);
    }
    if (t == TYPE_RECORD) {   /* an object of its fields, by name */
        JNode *o = jnode_new(a, J_OBJECT);
        int nf = record_nfields(v);
        if (!o || !(o->pairs = arena_zalloc(a, sizeof(JPair) * (size_t)(nf + 1))))
            return dd_err(err, DD_ENOMEM, -1, "out of memory");
        RecordIter it;
        record_iter_init(&it, v);
        Value fv;
        const char *name;
        u32 nl;
        while (o->n < (u32)nf && record_iter_next(&it, &name, &nl, &fv)) {
            int rc = json_scalar_node(&fv, vc, a, &o->pairs[o->n].v, err);
            if (rc) return rc;
            o->pairs[o->n].k = name;
            o->pairs[o->n++].klen = nl;
        }
        jsonb_normalize(o, a);
        *out = o;
        return DD_OK;
    }
    JNode *n = NULL;
    Buf b = BUF_INIT;
    if (t == TYPE_BOOL) {
        n = jnode_new(a, J_BOOL);
        if (n) n->b = v->v.b;
    } else if (type_is_numeric(t)) {
        val_to_text(v, vc, &b);
        bool special = ((t == TYPE_FLOAT4 || t == TYPE_FLOAT8) && (b.len == 0 || b.data[b.len - 1] == 'N' ||
                                                                    b.data[b.len - 1] == 'y')) ||
                       (t == TYPE_NUMERIC && numeric_is_special(v->scale));   /* NaN, Infinity: strings */
        if (buf_ok(&b)) n = special ? jnode_string(a, (const char *)b.data, b.len)
                                    : jnode_number_text(a, (const char *)b.data, b.len);
    } else {
        if (t == TYPE_DATE) date_to_text(v->v.i, &b);
        else if (t == TYPE_TIMESTAMP || t == TYPE_TIMESTAMPTZ) iso_datetime(v, vc, &b);
        else val_to_text(v, vc, &b);
        if (buf_ok(&b)) n = jnode_string(a, b.len ? (const char *)b.data : "", b.len);
    }
    buf_free(&b);
    if (!n) return dd_err(err, DD_ENOMEM, -1, "out of memory");
    *out = n;
    return DD_OK;
}

void json_write_value(const Value *v, const ValueCtx *vc, Buf *out)
{
    TypeId t = v->type;
    if (v->isnull) { buf_puts(out, "null"); return; }
    if (t == TYPE_JSON || t == TYPE_JSONB) { buf_append(out, v->v.s.p, v->v.s.len); return; }
    if (type_is_array(t)) {
        Arena ar;
        arena_init(&ar, 1024);
        ArrayVal av;
        u32 pos = 0;
        if (array_from_value(v, &ar, &av, NULL) == DD_OK) array_write(&av, 0, &pos, vc, out);
        arena_free(&ar);
        return;
    }
    if (t == TYPE_BOOL) { buf_puts(out, v->v.b ? "true" : "false"); return; }
    if (t == TYPE_RECORD) {   /* row_to_json's object: the fields in order */
        RecordIter it;
        record_iter_init(&it, v);
        Value fv;
        const char *name;
        u32 nl;
        buf_putc(out, '{');
        for (int k = 0; record_iter_next(&it, &name, &nl, &fv); k++) {
            if (k) buf_putc(out, ',');
            json_write_string(name, nl, out);
            buf_putc(out, ':');
            json_write_value(&fv, vc, out);
        }
        buf_putc(out, '}');
        return;
    }
    Buf b = BUF_INIT;
    if (type_is_numeric(t)) {
        val_to_text(v, vc, &b);
        bool special = ((t == TYPE_FLOAT4 || t == TYPE_FLOAT8) && (b.len == 0 || b.data[b.len - 1] == 'N' ||
                                                                    b.data[b.len - 1] == 'y')) ||
                       (t == TYPE_NUMERIC && numeric_is_special(v->scale));   /* NaN, Infinity: strings */
        if (special) json_write_string((const char *)b.data, b.len, out);
        else buf_append(out, b.data, b.len);
    } else {
        if (t == TYPE_DATE) date_to_text(v->v.i, &b);
        else if (t == TYPE_TIMESTAMP || t == TYPE_TIMESTAMPTZ) iso_datetime(v, vc, &b);
        else val_to_text(v, vc, &b);
        json_write_string(b.len ? (const char *)b.data : "", b.len, out);
    }
    buf_free(&b);
}

static ValueCtx row_vctx(EvalEnv *env)
{
    ValueCtx vc = env->sql->vctx;
    vc.arena = env->sql->row;
    vc.float_fixed = false;   /* JSON has the shortest exact float text */
    return vc;
}

static int f_to_jsonb(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null(TYPE_JSONB); return DD_OK; }
    ValueCtx vc = row_vctx(env);
    JNode *node;
    int rc = json_scalar_node(&a[0], &vc, env->sql->row, &node, env->sql->err);
    if (rc) return rc;
    return ret_jsonb(env, node, out);
}
static int f_to_json(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null(TYPE_JSON); return DD_OK; }
    ValueCtx vc = row_vctx(env);
    Buf b = BUF_INIT;
    json_write_value(&a[0], &vc, &b);
    return ret_buf(env, TYPE_JSON, &b, out);
}
/* array_to_json(anyarray [, pretty]): to_json of the array; pretty puts
 * ",\n " between its top-level elements, as PostgreSQL. */
static int f_array_to_json(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (a[0].isnull || (n == 2 && a[1].isnull)) { *out = val_null(TYPE_JSON); return DD_OK; }
    ValueCtx vc = row_vctx(env);
    Buf b = BUF_INIT;
    json_write_value(&a[0], &vc, &b);
    if (n == 2 && a[1].v.b && buf_ok(&b)) {
        JNode *doc;
        int rc = json_parse((const char *)b.data, b.len, false, env->sql->row, &doc, env->sql->err);
        if (rc) { buf_free(&b); return rc; }
        Buf p = BUF_INIT;
        buf_putc(&p, '[');
        for (u32 i = 0; i < doc->n; i++) {
            if (i) buf_puts(&p, ",\n ");
            buf_append(&p, doc->elems[i]->src, doc->elems[i]->srclen);
        }
        buf_putc(&p, ']');
        buf_free(&b);
        return ret_buf(env, TYPE_JSON, &p, out);
    }
    return ret_buf(env, TYPE_JSON, &b, out);
}
static bool r_array_to_json(TypeId *a, int n, TypeId *r)
{
    if (!type_is_array(a[0])) return false;
    if (n == 2) {
        if (unknownish(a[1]) || a[1] == TYPE_BOOL) a[1] = TYPE_BOOL;
        else return false;
    }
    *r = TYPE_JSON;
    return true;
}

/* anyelement: an untyped literal has no type to convert from (42P18, as
 * PostgreSQL says "could not determine polymorphic type") */
static bool r_to_json_common(TypeId *a, TypeId *r, TypeId t)
{
    if (a[0] == TYPE_UNKNOWN) a[0] = TYPE_TEXT;
    if (a[0] == TYPE_NULLTYPE) a[0] = TYPE_TEXT;
    *r = t;
    return true;
}
static bool r_to_jsonb(TypeId *a, int n, TypeId *r) { DD_UNUSED(n); return r_to_json_common(a, r, TYPE_JSONB); }
static bool r_to_json(TypeId *a, int n, TypeId *r) { DD_UNUSED(n); return r_to_json_common(a, r, TYPE_JSON); }

/* ---------------------------------------------------------------- build */

static int check_pairs(EvalEnv *env, int n, const char *fname)
{
    if (n % 2) {
        dd_err(env->sql->err, DD_EINVALID_PARAM, -1, "argument list must have even number of elements");
        dd_err_hint(env->sql->err, "The arguments of %s() must consist of alternating keys and values.", fname);
        return DD_EINVALID_PARAM;
    }
    return DD_OK;
}

/* A key's text: scalars only (PostgreSQL: 22023 for a container key). */
static int key_text(EvalEnv *env, const Value *k, int argno, const ValueCtx *vc, Buf *out)
{
    if (k->isnull) return dd_err(env->sql->err, DD_EINVALID_PARAM, -1, "argument %d: key must not be null", argno);
    if (k->type == TYPE_JSON || k->type == TYPE_JSONB)
        return dd_err(env->sql->err, DD_EINVALID_PARAM, -1,
                      "key value must be scalar, not array, composite, or json");
    if (k->type == TYPE_BOOL) buf_puts(out, k->v.b ? "true" : "false");
    else val_to_text(k, vc, out);
    return DD_OK;
}

static int f_jsonb_build_object(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    int rc = check_pairs(env, n, "jsonb_build_object");
    if (rc) return rc;
    ValueCtx vc = row_vctx(env);
    Arena *ar = env->sql->row;
    JNode *o = jnode_new(ar, J_OBJECT);
    if (!o) return nomem(env);
    o->pairs = arena_alloc(ar, sizeof(JPair) * (size_t)(n / 2 + 1));
    if (!o->pairs) return nomem(env);
    for (int i = 0; i < n; i += 2) {
        Buf k = BUF_INIT;
        if ((rc = key_text(env, &a[i], i + 1, &vc, &k))) { buf_free(&k); return rc; }
        JNode *ks = jnode_string(ar, k.len ? (const char *)k.data : "", k.len);
        buf_free(&k);
        JNode *v;
        if (!ks) return nomem(env);
        if ((rc = json_scalar_node(&a[i + 1], &vc, ar, &v, env->sql->err))) return rc;
        o->pairs[o->n].k = ks->s;
        o->pairs[o->n].klen = ks->len;
        o->pairs[o->n].v = v;
        o->n++;
    }
    jsonb_normalize(o, ar);
    return ret_jsonb(env, o, out);
}

static int f_json_build_object(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    int rc = check_pairs(env, n, "json_build_object");
    if (rc) return rc;
    ValueCtx vc = row_vctx(env);
    Buf b = BUF_INIT;
    buf_putc(&b, '{');
    for (int i = 0; i < n; i += 2) {
        Buf k = BUF_INIT;
        if ((rc = key_text(env, &a[i], i + 1, &vc, &k))) { buf_free(&k); buf_free(&b); return rc; }
        if (i) buf_puts(&b, ", ");
        json_write_string(k.len ? (const char *)k.data : "", k.len, &b);
        buf_free(&k);
        buf_puts(&b, " : ");
        json_write_value(&a[i + 1], &vc, &b);
    }
    buf_putc(&b, '}');
    return ret_buf(env, TYPE_JSON, &b, out);
}

/* Whether the row of a whole-row reference is absent: no version start
 * (a[0]) and every field (the values of the name, value pairs from
 * first) NULL, the side an outer join left out; a row being written
 * (RETURNING, EXCLUDED) has no version start either, but values. */
static bool row_absent(const Value *a, int n, int first)
{
    if (!a[0].isnull) return false;
    for (int i = first + 1; i < n; i += 2)
        if (!a[i].isnull) return false;
    return true;
}

static int f_json_row(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    ValueCtx vc = row_vctx(env);
    if (row_absent(a, n, 2)) { *out = val_null(TYPE_JSON); return DD_OK; }
    bool pretty = !a[1].isnull && a[1].v.b;
    Buf b = BUF_INIT;
    buf_putc(&b, '{');
    for (int i = 2; i + 1 < n; i += 2) {
        if (i > 2) buf_puts(&b, pretty ? ",\n " : ",");
        json_write_string(a[i].v.s.p, a[i].v.s.len, &b);
        buf_putc(&b, ':');
        json_write_value(&a[i + 1], &vc, &b);
    }
    buf_putc(&b, '}');
    return ret_buf(env, TYPE_JSON, &b, out);
}

static bool r_json_row(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(a);
    DD_UNUSED(n);
    *r = TYPE_JSON;
    return true;
}

static int f_jsonb_row(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    if (row_absent(a, n, 1)) { *out = val_null(TYPE_JSONB); return DD_OK; }
    return f_jsonb_build_object(env, a + 1, n - 1, out, loc);
}

static bool r_jsonb_row(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(a);
    DD_UNUSED(n);
    *r = TYPE_JSONB;
    return true;
}

const FuncDef json_row_func = {"row_to_json", 2, -1, r_json_row, f_json_row, false};
const FuncDef jsonb_row_func = {"to_jsonb", 1, -1, r_jsonb_row, f_jsonb_row, false};

static int f_jsonb_build_array(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    ValueCtx vc = row_vctx(env);
    Arena *ar = env->sql->row;
    JNode *r = jnode_new(ar, J_ARRAY);
    if (!r) return nomem(env);
    r->elems = arena_alloc(ar, sizeof(JNode *) * (size_t)(n + 1));
    if (!r->elems) return nomem(env);
    for (int i = 0; i < n; i++) {
        int rc = json_scalar_node(&a[i], &vc, ar, &r->elems[i], env->sql->err);
        if (rc) return rc;
    }
    r->n = (u32)n;
    return ret_jsonb(env, r, out);
}

static int f_json_build_array(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    ValueCtx vc = row_vctx(env);
    Buf b = BUF_INIT;
    buf_putc(&b, '[');
    for (int i = 0; i < n; i++) {
        if (i) buf_puts(&b, ", ");
        json_write_value(&a[i], &vc, &b);
    }
    buf_putc(&b, ']');
    return ret_buf(env, TYPE_JSON, &b, out);
}

/* VARIADIC "any": untyped literals are text */
static bool r_build(TypeId *a, int n, TypeId *r, TypeId t)
{
    for (int i = 0; i < n; i++)
        if (unknownish(a[i])) a[i] = TYPE_TEXT;
    *r = t;
    return true;
}
static bool r_build_jsonb(TypeId *a, int n, TypeId *r) { return r_build(a, n, r, TYPE_JSONB); }
static bool r_build_json(TypeId *a, int n, TypeId *r) { return r_build(a, n, r, TYPE_JSON); }

/* ---------------------------------------------------------------- inspection */

static int f_typeof(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null(TYPE_TEXT); return DD_OK; }
    JNode *doc;
    int rc = tree_of(env, &a[0], &doc);
    if (rc) return rc;
    const char *s = jtype_name(doc);
    *out = val_text(TYPE_TEXT, s, (u32)strlen(s));
    return DD_OK;
}

static int f_array_length(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null(TYPE_INT4); return DD_OK; }
    JNode *doc;
    int rc = tree_of(env, &a[0], &doc);
    if (rc) return rc;
    if (doc->type != J_ARRAY)
        return dd_err(env->sql->err, DD_EINVALID_PARAM, -1, "cannot get array length of a %s",
                      doc->type == J_OBJECT || a[0].type == TYPE_JSON ? "non-array" : "scalar");
    *out = val_int(TYPE_INT4, doc->n);
    return DD_OK;
}

/* Removes object fields whose value is null, at every level. */
static void strip_nulls(JNode *n)
{
    if (n->type == J_ARRAY) {
        for (u32 i = 0; i < n->n; i++) strip_nulls(n->elems[i]);
    } else if (n->type == J_OBJECT) {
        u32 w = 0;
        for (u32 i = 0; i < n->n; i++) {
            if (n->pairs[i].v->type == J_NULL) continue;
            strip_nulls(n->pairs[i].v);
            n->pairs[w++] = n->pairs[i];
        }
        n->n = w;
    }
}

/* json_strip_nulls prints what is left compactly, as PostgreSQL's json
 * writer does ({"a":1,"b":[1,2]}) */
static void write_compact(const JNode *n, Buf *out)
{
    if (n->type == J_ARRAY) {
        buf_putc(out, '[');
        for (u32 i = 0; i < n->n; i++) {
            if (i) buf_putc(out, ',');
            write_compact(n->elems[i], out);
        }
        buf_putc(out, ']');
    } else if (n->type == J_OBJECT) {
        buf_putc(out, '{');
        for (u32 i = 0; i < n->n; i++) {
            if (i) buf_putc(out, ',');
            json_write_string(n->pairs[i].k, n->pairs[i].klen, out);
            buf_putc(out, ':');
            write_compact(n->pairs[i].v, out);
        }
        buf_putc(out, '}');
    } else if (n->type == J_STRING) {
        buf_append(out, n->src, n->srclen);   /* the string as written */
    } else {
        buf_append(out, n->src ? n->src : n->s, n->src ? n->srclen : n->len);
    }
}

static int f_strip_nulls(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    TypeId t = a[0].type;
    if (a[0].isnull) { *out = val_null(t); return DD_OK; }
    JNode *doc;
    int rc = tree_of(env, &a[0], &doc);
    if (rc) return rc;
    strip_nulls(doc);
    if (t == TYPE_JSONB) return ret_jsonb(env, doc, out);
    Buf b = BUF_INIT;
    write_compact(doc, &b);
    return ret_buf(env, TYPE_JSON, &b, out);
}

static int f_pretty(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(n); DD_UNUSED(loc);
    if (a[0].isnull) { *out = val_null(TYPE_TEXT); return DD_OK; }
    JNode *doc;
    int rc = tree_of(env, &a[0], &doc);
    if (rc) return rc;
    Buf b = BUF_INIT;
    jsonb_write_pretty(doc, &b);
    return ret_buf(env, TYPE_TEXT, &b, out);
}

static bool r_one(TypeId *a, TypeId want, TypeId ret, TypeId *r)
{
    if (unknownish(a[0])) a[0] = want;
    if (a[0] != want) return false;
    *r = ret;
    return true;
}
static bool r_jsonb_text(TypeId *a, int n, TypeId *r) { DD_UNUSED(n); return r_one(a, TYPE_JSONB, TYPE_TEXT, r); }
static bool r_json_text(TypeId *a, int n, TypeId *r) { DD_UNUSED(n); return r_one(a, TYPE_JSON, TYPE_TEXT, r); }
static bool r_jsonb_int(TypeId *a, int n, TypeId *r) { DD_UNUSED(n); return r_one(a, TYPE_JSONB, TYPE_INT4, r); }
static bool r_json_int(TypeId *a, int n, TypeId *r) { DD_UNUSED(n); return r_one(a, TYPE_JSON, TYPE_INT4, r); }
static bool r_jsonb_jsonb(TypeId *a, int n, TypeId *r) { DD_UNUSED(n); return r_one(a, TYPE_JSONB, TYPE_JSONB, r); }
static bool r_json_json(TypeId *a, int n, TypeId *r) { DD_UNUSED(n); return r_one(a, TYPE_JSON, TYPE_JSON, r); }

/* ---------------------------------------------------------------- table */

const FuncDef json_funcs[] = {
    {"to_jsonb", 1, 1, r_to_jsonb, f_to_jsonb, false},
    {"to_json", 1, 1, r_to_json, f_to_json, false},
    {"array_to_json", 1, 2, r_array_to_json, f_array_to_json, false},
    {"jsonb_build_object", 0, -1, r_build_jsonb, f_jsonb_build_object, false},
    {"json_build_object", 0, -1, r_build_json, f_json_build_object, false},
    {"jsonb_build_array", 0, -1, r_build_jsonb, f_jsonb_build_array, false},
    {"json_build_array", 0, -1, r_build_json, f_json_build_array, false},
    {"jsonb_typeof", 1, 1, r_jsonb_text, f_typeof, false},
    {"json_typeof", 1, 1, r_json_text, f_typeof, false},
    {"jsonb_array_length", 1, 1, r_jsonb_int, f_array_length, false},
    {"json_array_length", 1, 1, r_json_int, f_array_length, false},
    {"jsonb_strip_nulls", 1, 1, r_jsonb_jsonb, f_strip_nulls, false},
    {"json_strip_nulls", 1, 1, r_json_json, f_strip_nulls, false},
    {"jsonb_pretty", 1, 1, r_jsonb_text, f_pretty, false},
    {"jsonb_extract_path", 2, -1, r_jsonb_extract, f_extract_path, false},
    {"jsonb_extract_path_text", 2, -1, r_jsonb_extract_text, f_extract_path_text, false},
    {"json_extract_path", 2, -1, r_json_extract, f_extract_path, false},
    {"json_extract_path_text", 2, -1, r_json_extract_text, f_extract_path_text, false},
    {"jsonb_set", 3, 4, r_jsonb_set, f_jsonb_set, false},
    {"jsonb_set_lax", 3, 5, r_jsonb_set_lax, f_jsonb_set_lax, false},
    {"$jsonb_subscript", 2, -1, r_jsonb_subscript, f_jsonb_subscript, false},
    {"$jsonb_assign", 3, -1, r_jsonb_subscript, f_jsonb_assign, false},
    {"jsonb_insert", 3, 4, r_jsonb_set, f_jsonb_insert, false},
    {"json_object", 1, 2, r_json_object, f_json_object, false},
    {"jsonb_object", 1, 2, r_jsonb_object, f_jsonb_object, false},
    {"jsonb_path_exists", 2, 4, r_path_bool, f_path_exists, false},
    {"jsonb_path_match", 2, 4, r_path_bool, f_path_match, false},
    {"jsonb_path_query_first", 2, 4, r_path_jsonb, f_path_first, false},
    {"jsonb_path_query_array", 2, 4, r_path_jsonb, f_path_array, false},
};
const int njson_funcs = (int)DD_ARRAY_LEN(json_funcs);

const char *json_func_unsupported(const char *name)
{
    static const char *const srfs[] = {"jsonb_each", "jsonb_each_text", "json_each", "json_each_text"};
    static const char *const recs[] = {"jsonb_to_record", "json_to_record", "jsonb_to_recordset", "json_to_recordset"};
    for (size_t i = 0; i < DD_ARRAY_LEN(srfs); i++)
        if (strcmp(srfs[i], name) == 0)
            return "its rows (key, value) are records, which DriftDB does not have; call it in FROM";
    for (size_t i = 0; i < DD_ARRAY_LEN(recs); i++)
        if (strcmp(recs[i], name) == 0)
            return "it returns records, which DriftDB does not have; call it in FROM with a column definition list "
                   "(FROM jsonb_to_recordset(doc) AS x(a int, b text))";
    return NULL;
}
