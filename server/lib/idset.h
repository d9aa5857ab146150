/*
 * idset.h - a set of row ids, each with its place in insertion order.
 *
 * Open addressing over a power-of-two table (linear probing), sized for
 * the candidate sets of matching (hundreds to a few thousand ids) and
 * grown at half load, so a probe ends quickly.  Ids are int64 row ids;
 * idset_add returns the id's index (0, 1, 2, ... in the order ids were
 * first added), which callers use to index a parallel array.
 */
#ifndef SHUCU_IDSET_H
#define SHUCU_IDSET_H

#include <stddef.h>
#include <stdint.h>

struct idset {
    int64_t *slots; /* index + 1 of the id in ids[]; 0 = empty */
    int64_t *ids;   /* ids in insertion order */
    size_t n, nslots, cap;
};

/* The index of id, adding it when new (*added = 1, else 0; may be NULL). */
size_t idset_add(struct idset *s, int64_t id, int *added);
void idset_free(struct idset *s);

#endif
