/*
 * test.h - a tiny unit-test harness for shucu's C modules.
 *
 * Each tests/unit/test_<module>.c defines tests with TEST(name) and lists
 * them in a TEST_MAIN(...) block.  ASSERT_* macros print both sides on
 * failure (libuv style) and end the current test; the runner counts and
 * prints "N passed, N failed" as its last line and exits non-zero if any
 * test failed.  An argument filters tests by substring of their name.
 */
#ifndef SHUCU_TEST_H
#define SHUCU_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failed_flag;

#define TEST_FAIL_(...)                                                        \
    do {                                                                       \
        fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__);                      \
        fprintf(stderr, __VA_ARGS__);                                          \
        fputc('\n', stderr);                                                   \
        test_failed_flag = 1;                                                  \
        return;                                                                \
    } while (0)

#define ASSERT(cond)                                                           \
    do {                                                                       \
        if (!(cond))                                                           \
            TEST_FAIL_("assertion failed: %s", #cond);                         \
    } while (0)

#define ASSERT_INT_(a, op, b)                                                  \
    do {                                                                       \
        int64_t a_ = (int64_t)(a), b_ = (int64_t)(b);                          \
        if (!(a_ op b_))                                                       \
            TEST_FAIL_("%s %s %s: %" PRId64 " vs %" PRId64, #a, #op, #b, a_,   \
                       b_);                                                    \
    } while (0)

#define ASSERT_EQ(a, b) ASSERT_INT_(a, ==, b)
#define ASSERT_NE(a, b) ASSERT_INT_(a, !=, b)
#define ASSERT_LT(a, b) ASSERT_INT_(a, <, b)
#define ASSERT_LE(a, b) ASSERT_INT_(a, <=, b)
#define ASSERT_GT(a, b) ASSERT_INT_(a, >, b)
#define ASSERT_GE(a, b) ASSERT_INT_(a, >=, b)

#define ASSERT_STR_EQ(a, b)                                                    \
    do {                                                                       \
        const char *a_ = (a), *b_ = (b);                                       \
        if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0)                   \
            TEST_FAIL_("%s == %s: \"%s\" vs \"%s\"", #a, #b,                   \
                       a_ ? a_ : "(null)", b_ ? b_ : "(null)");                \
    } while (0)

#define ASSERT_MEM_EQ(a, b, n)                                                 \
    do {                                                                       \
        if (memcmp((a), (b), (n)) != 0)                                        \
            TEST_FAIL_("%s == %s (%zu bytes) differ", #a, #b, (size_t)(n));    \
    } while (0)

#define TEST(name) static void test_##name(void)

struct test_entry {
    const char *name;
    void (*fn)(void);
};

#define T(name) {#name, test_##name}

#define TEST_MAIN(...)                                                         \
    int main(int argc, char **argv)                                            \
    {                                                                          \
        static const struct test_entry tests[] = {__VA_ARGS__};                \
        int passed = 0, failed = 0;                                            \
        for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {          \
            if (argc > 1 && !strstr(tests[i].name, argv[1]))                   \
                continue;                                                      \
            test_failed_flag = 0;                                              \
            tests[i].fn();                                                     \
            if (test_failed_flag) {                                            \
                failed++;                                                      \
                printf("FAIL %s\n", tests[i].name);                            \
            } else {                                                           \
                passed++;                                                      \
                printf("ok   %s\n", tests[i].name);                            \
            }                                                                  \
        }                                                                      \
        printf("%d passed, %d failed\n", passed, failed);                      \
        return failed ? 1 : 0;                                                 \
    }

#endif
