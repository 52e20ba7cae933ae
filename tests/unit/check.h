/*
 * check.h - the tiny unit-test harness shared by tests/unit/test_*.c.
 *
 *   TEST(name) { CHECK(x == 1); CHECK_EQ_INT(a, b); CHECK_EQ_STR(s, "x"); }
 *   int main(void) { RUN(name); ...; return check_summary(); }
 *
 * Each test binary prints one line per failed check, one "ok"/"FAIL" line
 * per test, and ends with "N passed, N failed" (tests, not checks).  Exit
 * status is non-zero when any test failed.  tests/run_all.sh adds up the
 * closing lines of all suites.
 */
#ifndef DD_CHECK_H
#define DD_CHECK_H
#include <stdio.h>
#include <string.h>

static int check_failed_now, check_npass, check_nfail;

#define TEST(name) static void test_##name(void)
#define RUN(name)                                                        \
    do {                                                                 \
        check_failed_now = 0;                                            \
        test_##name();                                                   \
        if (check_failed_now) { check_nfail++; printf("FAIL %s\n", #name); } \
        else { check_npass++; printf("ok   %s\n", #name); }              \
    } while (0)
#define CHECK(c)                                                         \
    do {                                                                 \
        if (!(c)) {                                                      \
            printf("  %s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
            check_failed_now = 1;                                        \
        }                                                                \
    } while (0)
#define CHECK_EQ_INT(a, b)                                               \
    do {                                                                 \
        long long a_ = (long long)(a), b_ = (long long)(b);              \
        if (a_ != b_) {                                                  \
            printf("  %s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, a_, b_); \
            check_failed_now = 1;                                        \
        }                                                                \
    } while (0)
#define CHECK_EQ_STR(a, b)                                               \
    do {                                                                 \
        const char *a_ = (a), *b_ = (b);                                 \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                         \
            printf("  %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, \
                   a_ ? a_ : "(null)", b_ ? b_ : "(null)");              \
            check_failed_now = 1;                                        \
        }                                                                \
    } while (0)
static inline int check_summary(void)
{
    printf("%d passed, %d failed\n", check_npass, check_nfail);
    return check_nfail ? 1 : 0;
}
#endif
