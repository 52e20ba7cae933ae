/*
 * fuzz_regex.c - libFuzzer target for the regular expression rewrite
 * (src/sql/types/are.c) and the PCRE2 side of it (regex.c).
 *
 * Input: one byte of options (RX_* bits), then the pattern up to the first
 * NUL, then the subject.  The pattern goes through the ARE rewrite and the
 * SIMILAR TO one.  Besides crashes and leaks, the target checks the
 * rewrite's contract: a pattern it accepts is valid PCRE2 (a compile
 * failure may only be one of PCRE2's own limits, never a syntax error of
 * the output), every error carries 2201B / 22023 / 22025 / 2200C / 0A000,
 * and the walk over matches advances and stays inside the subject.
 */
#include "sql/types/regex.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_regex: %s: %s\n", what, detail);
    abort();
}

/* The compile errors PCRE2 may still raise on the rewrite's output. */
static bool pcre2_limit(const char *msg)
{
    static const char *const ok[] = {"lookbehind", "too large", "too long", "too complicated", "nested too deeply",
                                     "too many", "regular expression is too", "number is too big",
                                     "UTF-8 error", "limit"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strstr(msg, ok[i])) return true;
    return false;
}

static void check_error(const DdError *e)
{
    static const char *const states[] = {"2201B", "22023", "22025", "2200C", "0A000", "53200"};
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
        if (strcmp(e->sqlstate, states[i]) == 0) return;
    fail("unexpected SQLSTATE", e->sqlstate);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    unsigned opts = data[0] & (RX_ICASE | RX_NLSTOP | RX_NLANCH | RX_EXPANDED | RX_QUOTE);
    const char *pat = (const char *)data + 1;
    const char *nul = memchr(pat, 0, size - 1);
    size_t plen = nul ? (size_t)(nul - pat) : size - 1;
    const char *subj = nul ? nul + 1 : "";
    size_t slen = nul ? size - 1 - plen - 1 : 0;

    DdError e;
    Buf b = BUF_INIT;
    dd_err_clear(&e);
    if (rx_similar_to_are(pat, plen, "#", 1, &b, &e)) check_error(&e);
    buf_free(&b);

    Arena a;
    arena_init(&a, 4096);
    RxCache *site = NULL;
    const Regex *re;
    dd_err_clear(&e);
    int rc = rx_compile(&site, &a, pat, plen, opts, &re, &e);
    if (rc) {
        check_error(&e);
        Buf src = BUF_INIT;
        unsigned o = opts;
        DdError e2;
        /* the rewrite accepted it: then PCRE2 rejected its output */
        if (rx_are_to_pcre2(pat, plen, &o, &src, &e2) == 0 && !pcre2_limit(e.message))
            fail("rewrite produced invalid PCRE2", e.message);
        buf_free(&src);
    } else {
        RxMatch m;
        rx_match_init(&m, re, subj, slen, 0);
        size_t last = 0;
        int found, n = 0;
        while ((found = rx_next(&m, &e)) == 1 && n++ < 1000) {
            if (m.ov[0] > m.ov[1] || m.ov[1] > slen || m.ov[0] < last) fail("match outside the subject", "");
            last = m.ov[1];
        }
        if (found < 0) check_error(&e);
        if (rx_find(re, subj, slen, &e) < 0) check_error(&e);
    }
    arena_free(&a);
    return 0;
}
