/*
 * strset.c - an insertion-ordered set of strings (see strset.h).
 */
#include "strset.h"

#include "hash.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static void grow(struct strset *s)
{
    size_t n = s->nslots ? s->nslots * 2 : 1024;
    uint32_t *slots = xcalloc(n, sizeof *slots);
    for (size_t i = 0; i < s->n; i++) {
        size_t h = s->hashes[i] & (n - 1);
        while (slots[h])
            h = (h + 1) & (n - 1);
        slots[h] = (uint32_t)i + 1;
    }
    free(s->slots);
    s->slots = slots;
    s->nslots = n;
}

/* The slot of key: where it is, or the empty slot where it would go. */
static size_t probe(const struct strset *s, const char *key, size_t len, uint32_t hv)
{
    size_t h = hv & (s->nslots - 1);
    while (s->slots[h]) {
        size_t i = s->slots[h] - 1;
        size_t klen = (i + 1 < s->n ? s->offs[i + 1] : s->buflen) - s->offs[i] - 1;
        if (s->hashes[i] == hv && klen == len && memcmp(s->buf + s->offs[i], key, len) == 0)
            return h;
        h = (h + 1) & (s->nslots - 1);
    }
    return h;
}

size_t strset_add(struct strset *s, const char *key, size_t len, int *added)
{
    if (s->n * 2 >= s->nslots)
        grow(s);
    uint32_t hv = hash_fnv1a(HASH_FNV_INIT, key, len);
    size_t h = probe(s, key, len, hv);
    if (s->slots[h]) {
        if (added)
            *added = 0;
        return s->slots[h] - 1;
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->hashes = xrealloc(s->hashes, s->cap * sizeof *s->hashes);
        s->offs = xrealloc(s->offs, s->cap * sizeof *s->offs);
    }
    while (s->buflen + len + 1 > s->bufcap) {
        s->bufcap = s->bufcap ? s->bufcap * 2 : 4096;
        s->buf = xrealloc(s->buf, s->bufcap);
    }
    memcpy(s->buf + s->buflen, key, len);
    s->buf[s->buflen + len] = '\0';
    s->offs[s->n] = s->buflen;
    s->buflen += len + 1;
    s->hashes[s->n] = hv;
    s->slots[h] = (uint32_t)s->n + 1;
    if (added)
        *added = 1;
    return s->n++;
}

size_t strset_find(const struct strset *s, const char *key, size_t len)
{
    if (!s->n)
        return SIZE_MAX;
    size_t h = probe(s, key, len, hash_fnv1a(HASH_FNV_INIT, key, len));
    return s->slots[h] ? s->slots[h] - 1 : SIZE_MAX;
}

const char *strset_key(const struct strset *s, size_t i)
{
    return s->buf + s->offs[i];
}

void strset_free(struct strset *s)
{
    free(s->slots);
    free(s->hashes);
    free(s->offs);
    free(s->buf);
    memset(s, 0, sizeof *s);
}
