/*
 * fuzz_json.c - libFuzzer target for the json and jsonb input functions
 * (json.c) and SQL/JSON paths (jsonpath.c).
 *
 * The input is split at its first NUL byte: the part before is a document,
 * the part after (if any) a path.  Checks, besides crashes, leaks and
 * undefined behaviour:
 *   - json and jsonb accept exactly the same documents (jsonb also refuses
 *     \u0000, 22P05), and every refusal is 22P02, 22P05, 22003 or 54001;
 *   - jsonb's normal text is a fixed point: parsing it again gives the same
 *     text, it compares equal to itself and hashes alike, and the document
 *     contains itself;
 *   - a path that parses evaluates without crashing, lax and strict.
 */
#include "sql/types/json.h"
#include "sql/types/jsonpath.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_json: %s\n", what);
    abort();
}

static bool refusal_ok(const DdError *e)
{
    return !strcmp(e->sqlstate, "22P02") || !strcmp(e->sqlstate, "22P05") || !strcmp(e->sqlstate, "22003") ||
           !strcmp(e->sqlstate, "54001");
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nul = memchr(s, 0, size);
    size_t dl = nul ? (size_t)(nul - s) : size;
    Arena a;
    arena_init(&a, 4096);
    DdError e;
    Value j, jb;
    dd_err_clear(&e);
    int rj = json_in(TYPE_JSON, s, dl, &a, &j, &e);
    if (rj && !refusal_ok(&e)) fail("json refusal with an unexpected SQLSTATE");
    dd_err_clear(&e);
    int rb = json_in(TYPE_JSONB, s, dl, &a, &jb, &e);
    if (rb && !refusal_ok(&e)) fail("jsonb refusal with an unexpected SQLSTATE");
    if (!rj != !rb && !(rj == DD_OK && !strcmp(e.sqlstate, "22P05")) &&
        !(rj == DD_OK && !strcmp(e.sqlstate, "22003")))
        fail("json and jsonb disagree on a document");
    if (rb == DD_OK) {
        Value again;
        if (json_in(TYPE_JSONB, jb.v.s.p, jb.v.s.len, &a, &again, &e) != DD_OK) fail("normal text refused");
        if (again.v.s.len != jb.v.s.len || memcmp(again.v.s.p, jb.v.s.p, jb.v.s.len) != 0)
            fail("normal text is not a fixed point");
        if (jsonb_value_cmp(&jb, &again) != 0 || jsonb_value_hash(&jb) != jsonb_value_hash(&again))
            fail("a document differs from itself");
        JNode *t;
        if (jsonb_value_tree(&jb, &a, &t, &e) != DD_OK || !jsonb_contains(t, t)) fail("a document does not contain itself");
        if (nul) {
            JsonPath *jp;
            JNode **items;
            u32 n;
            if (jsonpath_parse(nul + 1, size - dl - 1, &a, &jp, &e) == DD_OK)
                (void)jsonpath_eval(jp, t, NULL, &a, &items, &n, &e);
        }
    }
    arena_free(&a);
    return 0;
}
