/*
 * regexfunc.c - the regular expression functions, as PostgreSQL 15 has
 * them: the functions behind ~ ~* !~ !~* (textregexeq, ...), SIMILAR TO's
 * similar_to_escape, regexp_like, regexp_count, regexp_instr,
 * regexp_substr, regexp_replace, and substring's pattern forms.
 *
 * Patterns compile once per call site: the call's ExprInstr.state slot
 * holds its RxCache (types/regex.h).  All are strict: a NULL argument gives
 * NULL.  Positions and lengths are in characters, 1-based, as PostgreSQL's;
 * the matching itself works on bytes.  Arguments are checked in
 * PostgreSQL's order (start, N, endoption, subexpr, then the flags), so the
 * first error reported is its.  regexp_match and regexp_split_to_array
 * return text[]; the set-returning regexp_matches and
 * regexp_split_to_table are in exec/srf.c.
 */
#include "expr.h"
#include "../types/regex.h"
#include "../types/array.h"

#include <string.h>

/* ---------------------------------------------------------------- helpers */

static bool any_null(const Value *a, int n)
{
    for (int i = 0; i < n; i++) if (a[i].isnull) return true;
    return false;
}

static int text_out(EvalEnv *env, const char *p, size_t n, Value *out)
{
    char *c = arena_memdup(env->sql->row, p, n);
    if (!c) return DD_ENOMEM;
    *out = val_text(TYPE_TEXT, c, (u32)n);
    return DD_OK;
}

/* Characters in s[0..n). */
static i64 char_count(const char *s, size_t n)
{
    i64 c = 0;
    for (size_t i = 0; i < n; i++) c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* Byte offset of character ci (0-based) of s[0..n); past n when s has
 * fewer characters (no search may start there). */
static size_t char_offset(const char *s, size_t n, i64 ci)
{
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80 && ci-- == 0) return i;
    return ci == 0 ? n : n + 1;
}

/* Pattern pat compiled under opts, through the call site's cache. */
static int compile(EvalEnv *env, const Value *pat, unsigned opts, const Regex **re)
{
    return rx_compile((RxCache **)env->state, sql_plan_arena(env->sql), pat->v.s.p, pat->v.s.len, opts, re, env->sql->err);
}

/* Reads a flags argument.  fn: the function, for those that refuse g. */
static int read_flags(EvalEnv *env, const Value *v, const char *fn, unsigned *opts)
{
    int rc = rx_parse_flags(v->v.s.p, v->v.s.len, opts, env->sql->err);
    if (!rc && fn && (*opts & RX_GLOBAL))
        rc = dd_err(env->sql->err, DD_EINVALID_PARAM, -1, "%s() does not support the \"global\" option", fn);
    return rc;
}

static int bad_param(EvalEnv *env, const char *name, i64 v)
{
    return dd_err(env->sql->err, DD_EINVALID_PARAM, -1, "invalid value for parameter \"%s\": %lld", name, (long long)v);
}

/* ---------------------------------------------------------------- resolvers */

static bool is_unknownish(TypeId t) { return t == TYPE_UNKNOWN || t == TYPE_NULLTYPE; }

/* Argument i as text / as integer: false when its type cannot be. */
static bool as_text(TypeId *a, int i)
{
    if (!is_unknownish(a[i]) && !type_is_string(a[i])) return false;
    a[i] = TYPE_TEXT;
    return true;
}
static bool as_int(TypeId *a, int i)
{
    if (!is_unknownish(a[i]) && !type_is_int(a[i])) return false;
    a[i] = TYPE_INT4;
    return true;
}

/* Arguments by kind, one letter each: t text, i integer. */
static bool args_are(TypeId *a, int n, const char *kinds)
{
    for (int i = 0; i < n; i++)
        if (!(kinds[i] == 't' ? as_text(a, i) : as_int(a, i))) return false;
    return true;
}

static bool r_bool(TypeId *a, int n, TypeId *r) { *r = TYPE_BOOL; return args_are(a, n, "ttt"); }
static bool r_text(TypeId *a, int n, TypeId *r) { *r = TYPE_TEXT; return args_are(a, n, "ttt"); }
/* bpchar ~ text: the string keeps its type (and its padding) */
static bool r_bpchar_bool(TypeId *a, int n, TypeId *r)
{
    DD_UNUSED(n);
    *r = TYPE_BOOL;
    return (a[0] == TYPE_BPCHAR || as_text(a, 0)) && as_text(a, 1);
}
static bool r_count(TypeId *a, int n, TypeId *r) { *r = TYPE_INT4; return args_are(a, n, "ttit"); }
static bool r_instr(TypeId *a, int n, TypeId *r) { *r = TYPE_INT4; return args_are(a, n, "ttiiiti"); }
static bool r_substr(TypeId *a, int n, TypeId *r) { *r = TYPE_TEXT; return args_are(a, n, "ttiiti"); }
static bool r_replace_flags(TypeId *a, int n, TypeId *r) { *r = TYPE_TEXT; return args_are(a, n, "tttt"); }
static bool r_replace_start(TypeId *a, int n, TypeId *r) { *r = TYPE_TEXT; return args_are(a, n, "tttiit"); }

/* ---------------------------------------------------------------- ~ and friends */

/* Whether a[1] matches somewhere in a[0]. */
static int match_op(EvalEnv *env, const Value *a, Value *out, unsigned opts, bool negate)
{
    if (any_null(a, 2)) { *out = val_null(TYPE_BOOL); return DD_OK; }
    const Regex *re;
    int rc = compile(env, &a[1], opts, &re);
    if (rc) return rc;
    int found = rx_find(re, a[0].v.s.p, a[0].v.s.len, env->sql->err);
    if (found < 0) return -found;
    *out = val_bool((found == 1) != negate);
    return DD_OK;
}

static int f_regexeq(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return match_op(env, a, out, 0, false); }
static int f_regexne(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return match_op(env, a, out, 0, true); }
static int f_icregexeq(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return match_op(env, a, out, RX_ICASE, false); }
static int f_icregexne(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return match_op(env, a, out, RX_ICASE, true); }

/* textlike(s, p) and its ic / n forms (LIKE, ILIKE, NOT ...; the
 * functions like / notlike too): the escape is \ */
static int like_op(EvalEnv *env, const Value *a, Value *out, bool icase, bool negate)
{
    if (any_null(a, 2)) { *out = val_null(TYPE_BOOL); return DD_OK; }
    int m = val_like(a[0].v.s.p, a[0].v.s.len, a[1].v.s.p, a[1].v.s.len, '\\', icase);
    if (m < 0) return dd_err(env->sql->err, DD_EINVALID_ESCAPE, -1, "LIKE pattern must not end with escape character");
    *out = val_bool((m == 1) != negate);
    return DD_OK;
}

static int f_like(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return like_op(env, a, out, false, false); }
static int f_nlike(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return like_op(env, a, out, false, true); }
static int f_iclike(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return like_op(env, a, out, true, false); }
static int f_icnlike(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{ DD_UNUSED(n); DD_UNUSED(loc); return like_op(env, a, out, true, true); }

/* regexp_like(s, p [, flags]) */
static int f_regexp_like(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null(TYPE_BOOL); return DD_OK; }
    unsigned opts = 0;
    int rc = n > 2 ? read_flags(env, &a[2], "regexp_like", &opts) : DD_OK;
    return rc ? rc : match_op(env, a, out, opts, false);
}

/* similar_to_escape(p [, esc]): SIMILAR TO's pattern as a regular expression */
static int f_similar_to_escape(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null(TYPE_TEXT); return DD_OK; }
    Buf b = BUF_INIT;
    int rc = rx_similar_to_are(a[0].v.s.p, a[0].v.s.len, n > 1 ? a[1].v.s.p : NULL, n > 1 ? a[1].v.s.len : 0, &b,
                               env->sql->err);
    if (!rc) rc = text_out(env, (const char *)b.data, b.len, out);
    buf_free(&b);
    return rc;
}

/* ---------------------------------------------------------------- the walk over matches */

/* The matches of a[1] in a[0] from character start (1-based) on. */
static int walk_start(EvalEnv *env, const Value *a, i64 start, unsigned opts, RxMatch *m)
{
    const Regex *re;
    int rc = compile(env, &a[1], opts, &re);
    if (rc) return rc;
    rx_match_init(m, re, a[0].v.s.p, a[0].v.s.len, char_offset(a[0].v.s.p, a[0].v.s.len, start - 1));
    return DD_OK;
}

/* Steps to match nth (1-based): 1 found, 0 fewer matches, -code on error. */
static int walk_to(EvalEnv *env, RxMatch *m, i64 nth)
{
    int found = 1;
    for (i64 k = 0; k < nth && found == 1; k++) found = rx_next(m, env->sql->err);
    return found;
}

/* regexp_count(s, p [, start [, flags]]) */
static int f_regexp_count(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null(TYPE_INT4); return DD_OK; }
    i64 start = n > 2 ? a[2].v.i : 1;
    unsigned opts = 0;
    if (start <= 0) return bad_param(env, "start", start);
    RxMatch m;
    int rc = n > 3 ? read_flags(env, &a[3], "regexp_count", &opts) : DD_OK;
    if (!rc) rc = walk_start(env, a, start, opts, &m);
    if (rc) return rc;
    i64 count = 0;
    int found;
    while ((found = rx_next(&m, env->sql->err)) == 1) count++;
    if (found < 0) return -found;
    *out = val_int(TYPE_INT4, count);
    return DD_OK;
}

/* The span of group g of the current match, or false when it took no part
 * or the pattern has no such group. */
static bool group_span(const RxMatch *m, i64 g, size_t *so, size_t *eo)
{
    if (g > rx_ngroups(m->re) || m->ov[2 * g] == RX_UNSET) return false;
    *so = m->ov[2 * g];
    *eo = m->ov[2 * g + 1];
    return true;
}

/* The group subexpr of regexp_instr and regexp_substr names: of a
 * pattern without groups, 1 is the whole match (PostgreSQL's reading). */
static i64 subexpr_group(const RxMatch *m, i64 subexpr)
{
    return subexpr == 1 && rx_ngroups(m->re) == 0 ? 0 : subexpr;
}

/* regexp_instr(s, p [, start [, N [, endoption [, flags [, subexpr]]]]]) */
static int f_regexp_instr(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null(TYPE_INT4); return DD_OK; }
    i64 start = n > 2 ? a[2].v.i : 1, nth = n > 3 ? a[3].v.i : 1;
    i64 endopt = n > 4 ? a[4].v.i : 0, sub = n > 6 ? a[6].v.i : 0;
    if (start <= 0) return bad_param(env, "start", start);
    if (nth <= 0) return bad_param(env, "n", nth);
    if (endopt != 0 && endopt != 1) return bad_param(env, "endoption", endopt);
    if (sub < 0) return bad_param(env, "subexpr", sub);
    unsigned opts = 0;
    RxMatch m;
    int rc = n > 5 ? read_flags(env, &a[5], "regexp_instr", &opts) : DD_OK;
    if (!rc) rc = walk_start(env, a, start, opts, &m);
    if (rc) return rc;
    int found = walk_to(env, &m, nth);
    if (found < 0) return -found;
    size_t so, eo;
    bool at = found == 1 && group_span(&m, subexpr_group(&m, sub), &so, &eo);
    *out = val_int(TYPE_INT4, at ? char_count(m.s, endopt ? eo : so) + 1 : 0);
    return DD_OK;
}

/* regexp_substr(s, p [, start [, N [, flags [, subexpr]]]]) */
static int f_regexp_substr(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    *out = val_null(TYPE_TEXT);
    if (any_null(a, n)) return DD_OK;
    i64 start = n > 2 ? a[2].v.i : 1, nth = n > 3 ? a[3].v.i : 1, sub = n > 5 ? a[5].v.i : 0;
    if (start <= 0) return bad_param(env, "start", start);
    if (nth <= 0) return bad_param(env, "n", nth);
    if (sub < 0) return bad_param(env, "subexpr", sub);
    unsigned opts = 0;
    RxMatch m;
    int rc = n > 4 ? read_flags(env, &a[4], "regexp_substr", &opts) : DD_OK;
    if (!rc) rc = walk_start(env, a, start, opts, &m);
    if (rc) return rc;
    int found = walk_to(env, &m, nth);
    if (found < 0) return -found;
    size_t so, eo;
    return found == 1 && group_span(&m, subexpr_group(&m, sub), &so, &eo) ? text_out(env, m.s + so, eo - so, out)
                                                                          : DD_OK;
}

/* substring(s FROM p): the first group's text when p has groups, else the
 * whole match; NULL when nothing (or the group did not) match */
static int substring_of(EvalEnv *env, const Value *s, const Value *pat, Value *out)
{
    *out = val_null(TYPE_TEXT);
    const Regex *re;
    int rc = compile(env, pat, 0, &re);
    if (rc) return rc;
    RxMatch m;
    rx_match_init(&m, re, s->v.s.p, s->v.s.len, 0);
    int found = rx_next(&m, env->sql->err);
    if (found < 0) return -found;
    size_t so, eo;
    return found == 1 && group_span(&m, rx_ngroups(re) > 0, &so, &eo) ? text_out(env, m.s + so, eo - so, out)
                                                                        : DD_OK;
}

static int f_substring_regex(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null(TYPE_TEXT); return DD_OK; }
    return substring_of(env, &a[0], &a[1], out);
}

/* substring(s SIMILAR p ESCAPE e): substring(s FROM similar_to_escape(p, e)) */
static int f_substring_similar(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    Value pat;
    int rc = f_similar_to_escape(env, a + 1, 2, &pat, loc);
    if (rc || any_null(a, n)) { *out = val_null(TYPE_TEXT); return rc; }
    return substring_of(env, &a[0], &pat, out);
}

/* ---------------------------------------------------------------- regexp_replace */

/* The replacement for the current match: \1 .. \9 its groups, \& all of
 * it, \\ one backslash; any other backslash stays as written. */
static void put_replacement(Buf *b, const Value *rep, const RxMatch *m)
{
    const char *r = rep->v.s.p, *end = r + rep->v.s.len;
    while (r < end) {
        const char *bs = memchr(r, '\\', (size_t)(end - r));
        if (!bs) bs = end;
        buf_append(b, r, (size_t)(bs - r));
        if (bs + 1 >= end) {
            buf_append(b, bs, (size_t)(end - bs));   /* no escape, or a last lone backslash */
            return;
        }
        char c = bs[1];
        r = bs + 2;
        size_t so, eo;
        if ((c >= '1' && c <= '9') || c == '&') {
            if (group_span(m, c == '&' ? 0 : c - '0', &so, &eo)) buf_append(b, m->s + so, eo - so);
        } else if (c == '\\') {
            buf_putc(b, '\\');
        } else {
            buf_putc(b, '\\');
            r = bs + 1;
        }
    }
}

/* Replaces match nth (0: every match) at or after character start. */
static int replace(EvalEnv *env, const Value *a, i64 start, i64 nth, unsigned opts, Value *out)
{
    RxMatch m;
    int rc = walk_start(env, a, start, opts, &m);
    if (rc) return rc;
    Buf b = BUF_INIT;
    size_t done = 0;
    int found;
    for (i64 k = 1; (found = rx_next(&m, env->sql->err)) == 1; k++) {
        if (nth && k < nth) continue;
        buf_append(&b, m.s + done, m.ov[0] - done);
        put_replacement(&b, &a[2], &m);
        done = m.ov[1];
        if (nth) break;
    }
    buf_append(&b, a[0].v.s.p + done, a[0].v.s.len - done);
    rc = found < 0 ? -found : !buf_ok(&b) ? DD_ENOMEM : text_out(env, b.data ? (const char *)b.data : "", b.len, out);
    buf_free(&b);
    return rc;
}

/* regexp_replace(s, p, r [, flags]): the first match, every one with g */
static int f_regexp_replace(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null(TYPE_TEXT); return DD_OK; }
    unsigned opts = 0;
    if (n > 3 && a[3].v.s.len && a[3].v.s.p[0] >= '0' && a[3].v.s.p[0] <= '9') {
        /* an untyped '2' resolved to this form, not the start form */
        dd_err(env->sql->err, DD_EINVALID_PARAM, -1, "invalid regular expression option: \"%c\"", a[3].v.s.p[0]);
        dd_err_hint(env->sql->err, "If you meant to use regexp_replace() with a start parameter, "
                                   "cast the fourth argument to integer explicitly.");
        return DD_EINVALID_PARAM;
    }
    int rc = n > 3 ? read_flags(env, &a[3], NULL, &opts) : DD_OK;
    return rc ? rc : replace(env, a, 1, (opts & RX_GLOBAL) ? 0 : 1, opts, out);
}

/* regexp_replace(s, p, r, start [, N [, flags]]): match N (0: every one;
 * the first without N) from start on */
static int f_regexp_replace_at(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    if (any_null(a, n)) { *out = val_null(TYPE_TEXT); return DD_OK; }
    i64 start = a[3].v.i, nth = n > 4 ? a[4].v.i : 1;
    if (start <= 0) return bad_param(env, "start", start);
    if (nth < 0) return bad_param(env, "n", nth);
    unsigned opts = 0;
    int rc = n > 5 ? read_flags(env, &a[5], NULL, &opts) : DD_OK;   /* g is N's to say here */
    return rc ? rc : replace(env, a, start, nth, opts, out);
}

/* ---------------------------------------------------------------- arrays */

/* regexp_match(s, p [, flags]): the groups of the first match as text[]
 * (the whole match without groups), NULL when none */
static int f_regexp_match(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    *out = val_null(type_array_of(TYPE_TEXT));
    if (any_null(a, n)) return DD_OK;
    unsigned opts = 0;
    int rc = n > 2 ? rx_parse_flags(a[2].v.s.p, a[2].v.s.len, &opts, env->sql->err) : DD_OK;
    if (!rc && (opts & RX_GLOBAL)) {
        dd_err(env->sql->err, DD_EINVALID_PARAM, -1, "%s() does not support the \"global\" option", "regexp_match");
        dd_err_hint(env->sql->err, "Use the regexp_matches function instead.");
        return DD_EINVALID_PARAM;
    }
    const Regex *re;
    if (!rc) rc = compile(env, &a[1], opts, &re);
    if (rc) return rc;
    RxMatch m;
    rx_match_init(&m, re, a[0].v.s.p, a[0].v.s.len, 0);
    int found = rx_next(&m, env->sql->err);
    if (found < 0) return -found;
    return found ? rx_match_groups(&m, env->sql->row, out, env->sql->err) : DD_OK;
}

/* regexp_split_to_array(s, p [, flags]) */
static int f_regexp_split_to_array(EvalEnv *env, const Value *a, int n, Value *out, int loc)
{
    DD_UNUSED(loc);
    *out = val_null(type_array_of(TYPE_TEXT));
    if (any_null(a, n)) return DD_OK;
    unsigned opts = 0;
    int rc = n > 2 ? read_flags(env, &a[2], "regexp_split_to_array", &opts) : DD_OK;
    const Regex *re;
    if (!rc) rc = compile(env, &a[1], opts, &re);
    if (rc) return rc;
    RxSplit sp;
    rx_split_init(&sp, re, a[0].v.s.p, a[0].v.s.len);
    u32 cap = 16, np = 0;
    Value *items = arena_alloc(env->sql->row, sizeof(Value) * cap);
    size_t from, to;
    int got;
    while (items && (got = rx_split_next(&sp, &from, &to, env->sql->err)) == 1) {
        if (np == cap) {
            Value *ni = arena_alloc(env->sql->row, sizeof(Value) * cap * 2);
            if (ni) memcpy(ni, items, sizeof(Value) * cap);
            items = ni;
            cap *= 2;
            if (!items) break;
        }
        items[np++] = val_text(TYPE_TEXT, sp.m.s + from, (u32)(to - from));
    }
    if (!items) return DD_ENOMEM;
    if (got < 0) return -got;
    ArrayVal arr;
    array_init(&arr, TYPE_TEXT);
    if ((rc = array_set_1d(&arr, env->sql->row, np))) return rc;
    memcpy(arr.items, items, sizeof(Value) * np);
    return array_to_value(&arr, env->sql->row, out, env->sql->err);
}

static bool r_text_array(TypeId *a, int n, TypeId *r) { *r = type_array_of(TYPE_TEXT); return args_are(a, n, "ttt"); }

/* ---------------------------------------------------------------- table */

static const FuncDef funcs[] = {
    {"textregexeq", 2, 2, r_bool, f_regexeq, false},
    {"textregexne", 2, 2, r_bool, f_regexne, false},
    {"texticregexeq", 2, 2, r_bool, f_icregexeq, false},
    {"texticregexne", 2, 2, r_bool, f_icregexne, false},
    {"bpcharregexeq", 2, 2, r_bpchar_bool, f_regexeq, false},
    {"bpcharregexne", 2, 2, r_bpchar_bool, f_regexne, false},
    {"bpcharicregexeq", 2, 2, r_bpchar_bool, f_icregexeq, false},
    {"bpcharicregexne", 2, 2, r_bpchar_bool, f_icregexne, false},
    {"textlike", 2, 2, r_bool, f_like, false},
    {"textnlike", 2, 2, r_bool, f_nlike, false},
    {"texticlike", 2, 2, r_bool, f_iclike, false},
    {"texticnlike", 2, 2, r_bool, f_icnlike, false},
    {"like", 2, 2, r_bool, f_like, false},
    {"notlike", 2, 2, r_bool, f_nlike, false},
    {"similar_to_escape", 1, 2, r_text, f_similar_to_escape, false},
    {"regexp_like", 2, 3, r_bool, f_regexp_like, false},
    {"regexp_count", 2, 4, r_count, f_regexp_count, false},
    {"regexp_instr", 2, 7, r_instr, f_regexp_instr, false},
    {"regexp_substr", 2, 6, r_substr, f_regexp_substr, false},
    {"regexp_replace", 3, 4, r_replace_flags, f_regexp_replace, false},
    {"regexp_replace", 4, 6, r_replace_start, f_regexp_replace_at, false},
    {"substring", 2, 2, r_text, f_substring_regex, false},
    {"substring", 3, 3, r_text, f_substring_similar, false},
    {"regexp_match", 2, 3, r_text_array, f_regexp_match, false},
    {"regexp_split_to_array", 2, 3, r_text_array, f_regexp_split_to_array, false},
};

const FuncDef *regex_func_lookup(const char *name, int k)
{
    for (size_t i = 0; i < DD_ARRAY_LEN(funcs); i++)
        if (strcmp(funcs[i].name, name) == 0 && k-- == 0) return &funcs[i];
    return NULL;
}
