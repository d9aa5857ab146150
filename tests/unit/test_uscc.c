/*
 * Unit tests of uscc.c: real codes of well-known companies pass; one
 * wrong character, a swap, a lower-case letter, a letter outside the
 * alphabet (I, O, S, V, Z) or a wrong length fails.
 */
#include "test.h"
#include "uscc.h"

/* Published codes (company registers). */
static const char *const REAL[] = {
    "914403001922038216", /* 华为技术有限公司 */
    "9144030071526726XG", /* 深圳市腾讯计算机系统有限公司 */
    "91330100799655058B", /* 阿里巴巴（中国）有限公司 */
    "91110108551385082Q", /* 小米科技有限责任公司 */
    "91110000802100433B", /* 百度在线网络技术（北京）有限公司 */
};

TEST(real_codes_pass)
{
    for (size_t i = 0; i < sizeof REAL / sizeof REAL[0]; i++) {
        ASSERT_EQ(uscc_valid(REAL[i]), 0);
        ASSERT_EQ(uscc_check_char(REAL[i]), REAL[i][17]);
    }
}

TEST(every_single_wrong_character_fails)
{
    static const char ALPHA[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    for (size_t i = 0; i < sizeof REAL / sizeof REAL[0]; i++) {
        for (int pos = 0; pos < 18; pos++) {
            for (const char *a = ALPHA; *a; a++) {
                char c[19];
                memcpy(c, REAL[i], 19);
                if (c[pos] == *a)
                    continue;
                c[pos] = *a;
                ASSERT_EQ(uscc_valid(c), -2);
            }
        }
    }
}

TEST(swaps_and_malformed_codes_fail)
{
    ASSERT_EQ(uscc_valid("914403001922038261"), -2); /* last two swapped */
    ASSERT_EQ(uscc_valid("914430001922038216"), -2); /* 3rd and 4th swapped */
    ASSERT_EQ(uscc_valid("9144030071526726xg"), -1); /* lower case */
    ASSERT_EQ(uscc_valid("91440300715267I6XG"), -1); /* I is not in the alphabet */
    ASSERT_EQ(uscc_valid("9144030071526726O"), -1);  /* 17 characters */
    ASSERT_EQ(uscc_valid("9144030071526726XGG"), -1);
    ASSERT_EQ(uscc_valid(""), -1);
    ASSERT_EQ(uscc_valid(NULL), -1);
    ASSERT_EQ(uscc_check_char("9144030071526726S"), 0);
}

TEST_MAIN(T(real_codes_pass), T(every_single_wrong_character_fails), T(swaps_and_malformed_codes_fail))
