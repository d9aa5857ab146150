/*
 * strset.h - a set of strings, each with its place in insertion order.
 *
 * idset.h's design for string keys: open addressing over a power-of-two
 * table (linear probing, grown at half load), the keys copied into one
 * growing buffer, FNV-1a (hash.h) over the key bytes.  strset_add
 * returns the key's index (0, 1, 2, ... in the order keys were first
 * added), which callers use to index a parallel array; strset_find
 * answers SIZE_MAX for a key not in the set.
 *
 * The reports (report_scan.c) keep one entry per enterprise of the
 * selection in it: 100,000 organisation ids take about 4 MB.
 */
#ifndef SHUCU_STRSET_H
#define SHUCU_STRSET_H

#include <stddef.h>
#include <stdint.h>

struct strset {
    uint32_t *slots; /* index + 1 of the key; 0 = empty */
    uint32_t *hashes; /* the hash of each key, by index */
    size_t *offs;     /* where each key starts in buf, by index */
    char *buf;        /* the keys, each followed by a NUL */
    size_t n, nslots, cap, buflen, bufcap;
};

/* The index of key[0..len), adding it when new (*added = 1, else 0; may
 * be NULL). */
size_t strset_add(struct strset *s, const char *key, size_t len, int *added);
/* The index of key[0..len), or SIZE_MAX. */
size_t strset_find(const struct strset *s, const char *key, size_t len);
/* The key of index i (NUL-terminated). */
const char *strset_key(const struct strset *s, size_t i);
void strset_free(struct strset *s);

#endif
