/* test_backends.c - unit tests of src/server/backends.c: the ids new
 * connections get (BackendKeyData's process id). */
#include "check.h"
#include "../../src/server/backends.h"

#include <stdint.h>

TEST(ids_count_up)
{
    PgwBackends t;
    CHECK_EQ_INT(backends_init(&t, 4), 0);
    CHECK_EQ_INT(backends_next_id(&t, 0), 1);
    CHECK_EQ_INT(backends_next_id(&t, 41), 42);
    backends_free(&t);
}

/* PostgreSQL's process ids are int32: a client reads ours as one */
TEST(ids_stay_positive_int32)
{
    PgwBackends t;
    CHECK_EQ_INT(backends_init(&t, 4), 0);
    CHECK_EQ_INT(backends_next_id(&t, INT32_MAX - 1), INT32_MAX);
    CHECK_EQ_INT(backends_next_id(&t, INT32_MAX), 1);
    CHECK_EQ_INT(backends_next_id(&t, UINT32_MAX), 1);
    backends_free(&t);
}

/* after the wrap, an id a live session still has is not given again (a
 * cancel for one would reach the other) */
TEST(ids_skip_live_sessions)
{
    PgwBackends t;
    CHECK_EQ_INT(backends_init(&t, 4), 0);
    int a = backends_add(&t, 1, 11, NULL), b = backends_add(&t, 2, 22, NULL), c = backends_add(&t, 4, 44, NULL);
    CHECK(a >= 0 && b >= 0 && c >= 0);
    CHECK_EQ_INT(backends_next_id(&t, INT32_MAX), 3);
    CHECK_EQ_INT(backends_next_id(&t, 3), 5);
    backends_remove(&t, b);
    CHECK_EQ_INT(backends_next_id(&t, INT32_MAX - 1), INT32_MAX);
    CHECK_EQ_INT(backends_next_id(&t, INT32_MAX), 2);
    backends_remove(&t, a);
    backends_remove(&t, c);
    backends_free(&t);
}

int main(void)
{
    RUN(ids_count_up);
    RUN(ids_stay_positive_int32);
    RUN(ids_skip_live_sessions);
    return check_summary();
}
