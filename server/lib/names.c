/*
 * names.c - name_display and name_key (see names.h).
 */
#include "names.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

char *name_display(const char *s)
{
    if (!s || !util_utf8_valid(s, strlen(s)))
        return NULL;
    size_t n = 0;
    uint8_t *nf = u8_normalize(UNINORM_NFKC, (const uint8_t *)s, strlen(s), NULL, &n);
    if (!nf)
        return NULL;
    char *out = xmalloc(n + 1);
    size_t o = 0;
    int space = 0; /* a white space run is pending */
    for (size_t i = 0; i < n;) {
        ucs4_t uc;
        int len = u8_mbtouc(&uc, nf + i, n - i);
        if (len <= 0)
            break;
        if (uc_is_general_category(uc, UC_CATEGORY_Cf) || uc == 0xFFFC) {
            /* invisible: dropped */
        } else if (uc_is_property_white_space(uc) || uc_is_general_category(uc, UC_CATEGORY_Cc)) {
            space = o > 0;
        } else {
            if (space)
                out[o++] = ' ';
            space = 0;
            memcpy(out + o, nf + i, (size_t)len);
            o += (size_t)len;
        }
        i += (size_t)len;
    }
    free(nf);
    out[o] = '\0';
    if (!o) {
        free(out);
        return NULL;
    }
    return out;
}

char *name_key(const char *s)
{
    char *d = name_display(s);
    for (char *p = d; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return d;
}
