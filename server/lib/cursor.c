/*
 * cursor.c - "c1" + hex row id (see cursor.h).
 */
#include "cursor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cursor_format(char out[CURSOR_MAX], int64_t id)
{
    snprintf(out, CURSOR_MAX, "c1%llx", (unsigned long long)id);
}

int cursor_parse(const char *s, int64_t *id)
{
    if (!s || strncmp(s, "c1", 2) != 0 || !s[2] || strlen(s) > 18)
        return -1;
    for (const char *p = s + 2; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return -1;
    char *end;
    unsigned long long v = strtoull(s + 2, &end, 16);
    if (*end || v == 0 || v > INT64_MAX)
        return -1;
    *id = (int64_t)v;
    return 0;
}
