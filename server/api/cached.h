/*
 * cached.h - answering a search or a match from Redis when it holds the
 * answer for the current data, computing and storing it when not.
 *
 * Cached responses are keyed by the data generation, a counter in SQLite
 * that triggers bump inside every write transaction (db.h): an answer
 * computed before a write is stored under an older generation and never
 * read again, whatever state Redis or the other processes sharing it
 * were in (docs/design.md).
 */
#ifndef SHUCU_CACHED_H
#define SHUCU_CACHED_H

#include <jansson.h>
#include <stddef.h>

struct req;

/*
 * Computes the body of a cacheable response: a JSON object without the
 * "cached" and "took_ms" members (cache_serve puts those first).  Returns
 * a new reference, or NULL after answering the request itself (an error).
 */
typedef json_t *(*cache_compute_fn)(struct req *r, void *arg);

/*
 * Answers r from Redis when a response for (tag, material) at the current
 * data generation is there (X-Cache: HIT), else computes it with fn, answers
 * (X-Cache: MISS) and stores it with the configured TTL.  The lookup and
 * the hot-query count (hot_kind "search" or "match", member hot_member, may
 * be NULL) take one round trip.  Without a usable Redis, or when Redis does
 * not answer within cache_timeout_ms, it computes and answers uncached.
 * arg is released with arg_free (may be NULL) when no longer needed.
 * flags: 0, or CACHE_NO_CACHED_MEMBER for an answer that shows only
 * "took_ms" (X-Cache still says HIT or MISS).
 */
#define CACHE_NO_CACHED_MEMBER 1
void cache_serve(struct req *r, const char *tag, const char *material, size_t len,
                 const char *hot_kind, const char *hot_member, cache_compute_fn fn,
                 void *arg, void (*arg_free)(void *), int flags);

#endif
