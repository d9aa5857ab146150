/*
 * idset.c - an insertion-ordered set of row ids (see idset.h).
 */
#include "idset.h"

#include "util.h"

#include <stdlib.h>

static size_t slot_of(int64_t id, size_t nslots)
{
    return (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ull >> 17) & (nslots - 1);
}

static void grow(struct idset *s)
{
    size_t n = s->nslots ? s->nslots * 2 : 1024;
    int64_t *slots = xcalloc(n, sizeof *slots);
    for (size_t i = 0; i < s->n; i++) {
        size_t h = slot_of(s->ids[i], n);
        while (slots[h])
            h = (h + 1) & (n - 1);
        slots[h] = (int64_t)i + 1;
    }
    free(s->slots);
    s->slots = slots;
    s->nslots = n;
}

size_t idset_add(struct idset *s, int64_t id, int *added)
{
    if (s->n * 2 >= s->nslots)
        grow(s);
    size_t h = slot_of(id, s->nslots);
    while (s->slots[h]) {
        size_t i = (size_t)(s->slots[h] - 1);
        if (s->ids[i] == id) {
            if (added)
                *added = 0;
            return i;
        }
        h = (h + 1) & (s->nslots - 1);
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->ids = xrealloc(s->ids, s->cap * sizeof *s->ids);
    }
    s->ids[s->n] = id;
    s->slots[h] = (int64_t)s->n + 1;
    if (added)
        *added = 1;
    return s->n++;
}

void idset_free(struct idset *s)
{
    free(s->slots);
    free(s->ids);
    s->slots = s->ids = NULL;
    s->n = s->nslots = s->cap = 0;
}
