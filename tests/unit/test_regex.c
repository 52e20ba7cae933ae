/*
 * test_regex.c - unit tests of src/sql/types/are.c and regex.c: the ARE ->
 * PCRE2 rewrite (PostgreSQL's error texts), SIMILAR TO -> ARE (the
 * translations PostgreSQL 15's similar_to_escape prints), flag letters,
 * the per-site cache and the walk over successive matches, and
 * out-of-memory fault injection over compile and match.
 */
#include "../../src/sql/types/regex.h"
#include "../../src/util/alloc.h"
#include "check.h"

static char out[640];

/* The PCRE2 text of an ARE, or "ERROR <sqlstate>: <message>". */
static const char *are(const char *pat, unsigned opts)
{
    Buf b = BUF_INIT;
    DdError e;
    dd_err_clear(&e);
    if (rx_are_to_pcre2(pat, strlen(pat), &opts, &b, &e))
        snprintf(out, sizeof out, "ERROR %s: %s", e.sqlstate, e.message);
    else
        snprintf(out, sizeof out, "%s", buf_cstr(&b) ? buf_cstr(&b) : "");
    buf_free(&b);
    return out;
}

static const char *similar(const char *pat, const char *esc)
{
    Buf b = BUF_INIT;
    DdError e;
    dd_err_clear(&e);
    if (rx_similar_to_are(pat, strlen(pat), esc, esc ? strlen(esc) : 0, &b, &e))
        snprintf(out, sizeof out, "ERROR %s: %s", e.sqlstate, e.message);
    else
        snprintf(out, sizeof out, "%s", buf_cstr(&b) ? buf_cstr(&b) : "");
    buf_free(&b);
    return out;
}

TEST(rewrite)
{
    CHECK_EQ_STR(are("a.b*c+?", 0), "a.b*c+?");
    CHECK_EQ_STR(are("x{2,3}y{2}z{1,}?", 0), "x{2,3}y{2}z{1,}?");
    CHECK_EQ_STR(are("\\mfoo\\M\\y\\Y\\A\\Z", 0), "\\b(?=\\w)foo\\b(?<=\\w)\\b\\B\\A\\z");
    CHECK_EQ_STR(are("[[:<:]]a[[:>:]]", 0), "\\b(?=\\w)a\\b(?<=\\w)");
    CHECK_EQ_STR(are("\\b\\B\\v\\x41\\u00e9\\101\\0", 0), "\\x{8}\\\\\\x{b}A\\x{e9}A\\x{0}");
    CHECK_EQ_STR(are("(a)(?:b)\\1\\2", 0), "ERROR 2201B: invalid regular expression: invalid backreference number");
    CHECK_EQ_STR(are("(a)(b)\\2", 0), "(a)(b)\\g{2}");
    CHECK_EQ_STR(are("(?=(a))b", 0), "(?=(?:a))b");
    CHECK_EQ_STR(are("[]a-c[:digit:]\\d^-]", 0), "[\\x{5d}a-c[:digit:]\\d\\x{5e}\\x{2d}]");
    CHECK_EQ_STR(are("[^a]", RX_NLSTOP), "[^a\\x{a}]");
    CHECK_EQ_STR(are("[[.-.][=x=]]", 0), "[\\x{2d}x]");
    CHECK_EQ_STR(are("a{b} {,1}", 0), "a\\{b\\}\\x{20}\\{\\,1\\}");
    CHECK_EQ_STR(are("(?x) a b # comment\n c", 0), "abc");
    CHECK_EQ_STR(are("***=a.b", 0), "a\\.b");
    CHECK_EQ_STR(are("a.b", RX_QUOTE), "a\\.b");
    CHECK_EQ_STR(are("é+", 0), "\\x{e9}+");
    CHECK_EQ_STR(are("\\x110000", 0), "(?:(?!))");
    /* range ends no text holds: cut to the code points around them */
    CHECK_EQ_STR(are("[a-\\uDB6D\\uD800-\\uDFFF]", 0), "[a-\\x{d7ff}]");
    CHECK_EQ_STR(are("[\\uD800-\\x110000]", 0), "[\\x{e000}-\\x{10ffff}]");
    CHECK_EQ_STR(are("(?#note)a(?#", 0), "a");
}

TEST(rewrite_errors)
{
    static const struct { const char *pat, *msg; } cases[] = {
        {"(", "parentheses () not balanced"}, {"a)", "parentheses () not balanced"},
        {"*a", "quantifier operand invalid"}, {"a**", "quantifier operand invalid"},
        {"a*+", "quantifier operand invalid"}, {"(*VERB)", "quantifier operand invalid"},
        {"a(?i)b", "quantifier operand invalid"}, {"^*", "quantifier operand invalid"},
        {"\\y?", "quantifier operand invalid"}, {"(?=a)*", "quantifier operand invalid"},
        {"{1}", "quantifier operand invalid"}, {"(?P<n>a)", "invalid embedded option"},
        {"a{1", "braces {} not balanced"}, {"a{1,x}", "invalid repetition count(s)"},
        {"a{256}", "invalid repetition count(s)"}, {"a{3,2}", "invalid repetition count(s)"},
        {"\\p{L}", "invalid escape \\ sequence"}, {"\\K", "invalid escape \\ sequence"},
        {"a\\", "invalid escape \\ sequence"}, {"\\u12", "invalid escape \\ sequence"},
        {"[\\1]", "invalid escape \\ sequence"}, {"[a", "brackets [] not balanced"},
        {"[[:foo:]]", "invalid character class"}, {"[z-a]", "invalid character range"},
        {"[\\d-z]", "invalid character range"}, {"[[.ab.]]", "invalid collating element"},
    };
    for (size_t i = 0; i < DD_ARRAY_LEN(cases); i++) {
        char want[256];
        snprintf(want, sizeof want, "ERROR 2201B: invalid regular expression: %s", cases[i].msg);
        CHECK_EQ_STR(are(cases[i].pat, 0), want);
    }
    CHECK_EQ_STR(are("(?b)a", 0), "ERROR 0A000: regular expression option \"b\" (POSIX basic syntax) is not supported");
}

/* PostgreSQL 15's similar_to_escape() output for the same inputs. */
TEST(similar)
{
    CHECK_EQ_STR(similar("a%b_c(d|e)*[x%_]\\.\\$^.{2}", NULL), "^(?:a.*b.c(?:d|e)*[x%_]\\.\\$\\^\\.{2})$");
    CHECK_EQ_STR(similar("a#%b", "#"), "^(?:a\\%b)$");
    CHECK_EQ_STR(similar("a%b", ""), "^(?:a.*b)$");
    CHECK_EQ_STR(similar("a#\"b#\"c", "#"), "^(?:a){1,1}?(b){1,1}(?:c)$");
    CHECK_EQ_STR(similar("[a[b]%", NULL), "^(?:[a[b]%)$");
    CHECK_EQ_STR(similar("[^]a]%", NULL), "^(?:[^]a].*)$");
    CHECK_EQ_STR(similar("[^^]]%", NULL), "^(?:[^^]].*)$");
    CHECK_EQ_STR(similar("[[:a:]]%_", NULL), "^(?:[[:a:]].*.)$");
    CHECK_EQ_STR(similar("ab\\", NULL), "^(?:ab)$");
    CHECK_EQ_STR(similar("aé%", "é"), "^(?:a\\%)$");
    CHECK_EQ_STR(similar("a", "xy"), "ERROR 22025: invalid escape string");
    CHECK_EQ_STR(similar("a#\"b#\"c#\"d", "#"),
                 "ERROR 2200C: SQL regular expression may not contain more than two escape-double-quote separators");
}

TEST(flags)
{
    unsigned o = 0;
    DdError e;
    CHECK_EQ_INT(rx_parse_flags("gix", 3, &o, &e), DD_OK);
    CHECK_EQ_INT(o, RX_GLOBAL | RX_ICASE | RX_EXPANDED);
    CHECK_EQ_INT(rx_parse_flags("cnp", 3, &o, &e), DD_OK);
    CHECK_EQ_INT(o, RX_GLOBAL | RX_EXPANDED | RX_NLSTOP);
    CHECK_EQ_INT(rx_parse_flags("iz", 2, &o, &e), DD_EINVALID_PARAM);
    CHECK_EQ_STR(e.message, "invalid regular expression option: \"z\"");
}

/* Every match of pat in s as "start-end" pairs (bytes), or the error. */
static const char *matches(RxCache **site, Arena *a, const char *pat, unsigned opts, const char *s)
{
    const Regex *re;
    DdError e;
    dd_err_clear(&e);
    int rc = rx_compile(site, a, pat, strlen(pat), opts, &re, &e);
    size_t o = 0;
    out[0] = 0;
    RxMatch m;
    if (!rc) {
        rx_match_init(&m, re, s, strlen(s), 0);
        while ((rc = rx_next(&m, &e)) == 1 && o < sizeof out - 40)
            o += (size_t)snprintf(out + o, sizeof out - o, "%s%zu-%zu", o ? " " : "", m.ov[0], m.ov[1]);
    }
    if (rc < 0) rc = -rc;
    if (rc > 1) snprintf(out, sizeof out, "ERROR %s: %s", rc == DD_ENOMEM ? "53200" : e.sqlstate, e.message);
    return out;
}

TEST(match_walk)
{
    Arena a;
    arena_init(&a, 1024);
    RxCache *site = NULL;
    CHECK_EQ_STR(matches(&site, &a, "a*", 0, "aab"), "0-2 2-2 3-3");
    CHECK_EQ_STR(matches(&site, &a, "x*", 0, "ab"), "0-0 1-1 2-2");
    CHECK_EQ_STR(matches(&site, &a, "", 0, "é"), "0-0 2-2");
    CHECK_EQ_STR(matches(&site, &a, "É", RX_ICASE, "xé"), "1-3");
    CHECK_EQ_STR(matches(&site, &a, "b$", 0, "ab\n"), "");
    CHECK_EQ_STR(matches(&site, &a, "b$", RX_NLANCH | RX_NLSTOP, "ab\nb"), "1-2 3-4");
    CHECK_EQ_STR(matches(&site, &a, "a.b", 0, "a\nb"), "0-3");
    CHECK_EQ_STR(matches(&site, &a, "a.b", RX_NLSTOP, "a\nb"), "");
    CHECK_EQ_STR(matches(&site, &a, "\\mb\\w*", 0, "ab bc"), "3-5");
    CHECK_EQ_STR(matches(&site, &a, "(?<=a+)b", 0, "ab"),
                 "ERROR 2201B: invalid regular expression: lookbehind assertion is not fixed length");
    CHECK_EQ_STR(matches(&site, &a, "(a|b)*c", 0, "ababx"), "");
    /* more patterns than the site keeps: the oldest are compiled again */
    char pat[8];
    for (int i = 0; i < 20; i++) {
        snprintf(pat, sizeof pat, "%d", i % 10);
        CHECK_EQ_STR(matches(&site, &a, pat, 0, "0123456789"), (snprintf(out, sizeof out, "%d-%d", i % 10, i % 10 + 1), out));
    }
    arena_free(&a);     /* the release function frees what PCRE2 holds */
}

/* Out of memory at every allocation of a compile and match: a clean
 * DD_ENOMEM, and the arena's release leaves nothing behind (ASan). */
TEST(match_oom)
{
    for (long n = 1; n < 200; n++) {
        Arena a;
        arena_init(&a, 256);
        RxCache *site = NULL;
        dd_alloc_fail_at(n);
        const char *r = matches(&site, &a, "(a|b)+c\\1", RX_ICASE, "xxABcb");
        dd_alloc_fail_at(0);
        CHECK(strcmp(r, "2-6") == 0 || strncmp(r, "ERROR 53200", 11) == 0);
        arena_free(&a);
        if (strcmp(r, "2-6") == 0 && n > 20) break;
    }
}

int main(void)
{
    RUN(rewrite);
    RUN(rewrite_errors);
    RUN(similar);
    RUN(flags);
    RUN(match_walk);
    RUN(match_oom);
    return check_summary();
}
