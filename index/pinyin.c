/*
 * pinyin.c - characters that sound alike (see pinyin.h).
 *
 * Layout.  Each distinct fuzzy key is a group; `members` holds the
 * characters of all groups, group g at [goff[g], goff[g+1]), sorted and
 * without repeats.  `index` lists (character, group) pairs sorted by
 * character, so the groups of a character are a range found by binary
 * search.
 */
#include "pinyin.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PY_MAX_KEY 16

struct py_pair {
    uint32_t cp;
    int group;
};

struct pinyin {
    char (*keys)[PY_MAX_KEY]; /* fuzzy key of each group */
    int ngroups;
    uint32_t *members;
    int *goff;                /* ngroups + 1 */
    struct py_pair *index;
    int nindex;
    int nchars;
};

__attribute__((format(printf, 3, 4))) static void py_err(char *err, size_t errlen,
                                                         const char *fmt, ...)
{
    va_list ap;
    if (!err || !errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* The fuzzy key of a toneless syllable: zh/ch/sh -> z/c/s, a final
 * ang/eng/ing -> an/en/in.  Returns 0, or -1 if it is not a syllable. */
static int fuzzy_key(const char *syl, size_t n, char *key)
{
    if (n == 0 || n >= PY_MAX_KEY)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (syl[i] < 'a' || syl[i] > 'z')
            return -1;
    size_t k = 0, i = 0;
    if (n >= 2 && (syl[0] == 'z' || syl[0] == 'c' || syl[0] == 's') && syl[1] == 'h') {
        key[k++] = syl[0];
        i = 2;
    }
    for (; i < n; i++)
        key[k++] = syl[i];
    if (k >= 3 && key[k - 1] == 'g' && key[k - 2] == 'n' &&
        (key[k - 3] == 'a' || key[k - 3] == 'e' || key[k - 3] == 'i'))
        k--;
    key[k] = '\0';
    return 0;
}

/* Decodes one UTF-8 character of s[0..n); its length, or -1. */
static int utf8_get(const unsigned char *s, size_t n, uint32_t *cp)
{
    int len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : s[0] < 0x80 ? 1 : -1;
    if (len < 0 || (size_t)len > n)
        return -1;
    uint32_t c = len == 1 ? s[0] : s[0] & (0x7Fu >> len);
    for (int k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return -1;
        c = (c << 6) | (s[k] & 0x3F);
    }
    *cp = c;
    return len;
}

void py_free(struct pinyin *py)
{
    if (!py)
        return;
    free(py->keys);
    free(py->members);
    free(py->goff);
    free(py->index);
    free(py);
}

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int pair_cmp(const void *a, const void *b)
{
    const struct py_pair *x = a, *y = b;
    if (x->cp != y->cp)
        return x->cp < y->cp ? -1 : 1;
    return x->group - y->group;
}

/* Grows *v (elements of size bytes, capacity *cap) to hold need. */
static int grow(void *v, int *cap, int need, size_t size)
{
    if (need <= *cap)
        return 0;
    int c = *cap ? *cap * 2 : 1024;
    while (c < need)
        c *= 2;
    void *old;
    memcpy(&old, v, sizeof old);
    void *p = realloc(old, (size_t)c * size);
    if (!p)
        return -1;
    memcpy(v, &p, sizeof p);
    *cap = c;
    return 0;
}

int py_load(const char *path, struct pinyin **out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    struct pinyin *py = calloc(1, sizeof *py);
    struct py_pair *raw = NULL; /* (character, group) as read */
    int nraw = 0, rawcap = 0, kcap = 0, lineno = 0, rc = -1;
    char line[8192];

    *out = NULL;
    if (!f || !py) {
        py_err(err, errlen, "%s: %s", path, f ? "out of memory" : "cannot be read");
        goto done;
    }
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t n = strlen(line);
        if (n && line[n - 1] == '\n')
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        char *tab = strchr(line, '\t'), key[PY_MAX_KEY];
        if (!tab || fuzzy_key(line, (size_t)(tab - line), key) < 0) {
            py_err(err, errlen, "%s:%d: expected a toneless syllable, a tab and characters",
                   path, lineno);
            goto done;
        }
        int g = 0;
        while (g < py->ngroups && strcmp(py->keys[g], key) != 0)
            g++;
        if (g == py->ngroups) {
            if (grow(&py->keys, &kcap, g + 1, sizeof *py->keys) < 0)
                goto oom;
            memcpy(py->keys[g], key, sizeof key);
            py->ngroups++;
        }
        const unsigned char *p = (const unsigned char *)tab + 1;
        size_t left = n - (size_t)(tab + 1 - line);
        while (left > 0) {
            uint32_t cp;
            int k = utf8_get(p, left, &cp);
            if (k < 0 || cp < 0x2E80) {
                py_err(err, errlen, "%s:%d: not a Han character after the tab", path, lineno);
                goto done;
            }
            if (grow(&raw, &rawcap, nraw + 1, sizeof *raw) < 0)
                goto oom;
            raw[nraw++] = (struct py_pair){cp, g};
            p += k;
            left -= (size_t)k;
        }
    }
    if (nraw == 0) {
        py_err(err, errlen, "%s: no readings", path);
        goto done;
    }
    /* index: unique (character, group) pairs by character */
    qsort(raw, (size_t)nraw, sizeof *raw, pair_cmp);
    int m = 0;
    for (int i = 0; i < nraw; i++)
        if (m == 0 || raw[i].cp != raw[m - 1].cp || raw[i].group != raw[m - 1].group)
            raw[m++] = raw[i];
    py->index = raw;
    py->nindex = m;
    raw = NULL;
    for (int i = 0; i < m; i++)
        py->nchars += i == 0 || py->index[i].cp != py->index[i - 1].cp;
    /* members by group */
    py->goff = calloc((size_t)py->ngroups + 1, sizeof *py->goff);
    py->members = malloc((size_t)m * sizeof *py->members);
    int *fill = calloc((size_t)py->ngroups + 1, sizeof *fill);
    if (!py->goff || !py->members || !fill) {
        free(fill);
        goto oom;
    }
    for (int i = 0; i < m; i++)
        py->goff[py->index[i].group + 1]++;
    for (int g = 0; g < py->ngroups; g++)
        py->goff[g + 1] += py->goff[g];
    for (int i = 0; i < m; i++) {
        int g = py->index[i].group;
        py->members[py->goff[g] + fill[g]++] = py->index[i].cp;
    }
    free(fill);
    for (int g = 0; g < py->ngroups; g++)
        qsort(py->members + py->goff[g], (size_t)(py->goff[g + 1] - py->goff[g]),
              sizeof *py->members, u32_cmp);
    *out = py;
    py = NULL;
    rc = 0;
    goto done;
oom:
    py_err(err, errlen, "%s: out of memory", path);
done:
    if (f)
        fclose(f);
    free(raw);
    py_free(py);
    return rc;
}

int py_count(const struct pinyin *py)
{
    return py ? py->nchars : 0;
}

int py_alike(const struct pinyin *py, uint32_t cp, uint32_t *out, int max)
{
    if (!py || max <= 0)
        return 0;
    int lo = 0, hi = py->nindex, n = 0;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (py->index[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (int i = lo; i < py->nindex && py->index[i].cp == cp; i++) {
        int g = py->index[i].group;
        for (int k = py->goff[g]; k < py->goff[g + 1]; k++) {
            uint32_t c = py->members[k];
            int dup = c == cp;
            for (int j = 0; j < n && !dup; j++)
                dup = out[j] == c;
            if (!dup && n < max)
                out[n++] = c;
        }
    }
    qsort(out, (size_t)n, sizeof *out, u32_cmp);
    return n;
}
