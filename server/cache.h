/*
 * cache.h - each worker's asynchronous Redis connection.
 *
 * Redis is a cache, never the source of truth.  The connection lives on
 * the worker's event loop (hiredis' libevent adapter); when it drops,
 * a timer reconnects with exponential backoff (100 ms doubling to 5 s)
 * and nothing ever waits for it.  Cached responses are keyed by the
 * data generation, a counter in SQLite that triggers bump inside every
 * write transaction (migration 4): an answer computed before a write is
 * stored under an older generation and never read again, whatever state
 * Redis or the other processes sharing it were in (docs/design.md).
 */
#ifndef SHUCU_CACHE_H
#define SHUCU_CACHE_H

#include <event2/event.h>
#include <jansson.h>
#include <stddef.h>

struct cache;
struct worker;

/* Parses url and starts connecting on base.  Returns NULL when url is
 * "none" or empty (no cache); exits the program on a malformed URL is
 * the caller's job: see cache_url_valid. */
struct cache *cache_new(struct event_base *base, const char *url);
void cache_free(struct cache *c);

/* 0 when url is "none" or a URL cache_new understands; else -1. */
int cache_url_valid(const char *url);

int cache_connected(const struct cache *c);

/* 1 when the cache is configured but unusable (disconnected, or its
 * circuit breaker open after repeated timeouts). */
int cache_degraded(const struct cache *c);

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
 */
void cache_serve(struct req *r, const char *tag, const char *material, size_t len,
                 const char *hot_kind, const char *hot_member, cache_compute_fn fn,
                 void *arg, void (*arg_free)(void *));

/* GET /v1/stats/hot-queries?days=7 */
void h_hot_queries(struct req *r);

#endif
