/*
 * uscc.c - the check character of GB 32100-2015 (see uscc.h).
 *
 * Each of the first 17 characters has a value (its index in ALPHABET)
 * and a weight 3^(i) mod 31; the check character is the one whose value
 * is 31 - (sum mod 31), 31 counting as 0.
 */
#include "uscc.h"

#include <string.h>

static const char ALPHABET[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int WEIGHTS[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};

/* The value of c in ALPHABET, or -1. */
static int value_of(char c)
{
    if (!c)
        return -1;
    const char *p = strchr(ALPHABET, c);
    return p ? (int)(p - ALPHABET) : -1;
}

char uscc_check_char(const char *code)
{
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        int v = value_of(code[i]);
        if (v < 0)
            return 0;
        sum += v * WEIGHTS[i];
    }
    int c = 31 - sum % 31;
    return ALPHABET[c == 31 ? 0 : c];
}

int uscc_valid(const char *s)
{
    if (!s || strlen(s) != USCC_LEN)
        return -1;
    for (int i = 0; i < USCC_LEN; i++)
        if (value_of(s[i]) < 0)
            return -1;
    return uscc_check_char(s) == s[17] ? 0 : -2;
}
