/*
 * hash.h - FNV-1a, the one string hash of shucu (rate-limit buckets, the
 * query builder's string map, the document-frequency cache).  Fast on the
 * short keys these tables hold; not for anything an attacker could aim
 * at a table without a bound on its probes (every user of it has one).
 *
 * Inline, no state: hash_fnv1a(HASH_FNV_INIT, s, n), and continue a hash
 * over more bytes by passing the previous value as h.
 */
#ifndef SHUCU_HASH_H
#define SHUCU_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_FNV_INIT 2166136261u

static inline uint32_t hash_fnv1a(uint32_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

#endif
