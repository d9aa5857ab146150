/*
 * cache.h - each worker's asynchronous Redis connection.
 *
 * Redis is a cache, never the source of truth.  The connection lives on
 * the worker's event loop (hiredis' libevent adapter); when it drops,
 * a timer reconnects with exponential backoff (100 ms doubling to 5 s)
 * and nothing ever waits for it.  Cached responses are keyed by a
 * generation number that every write bumps; the generation is also
 * bumped on every (re)connect, so entries written before an outage,
 * during which writes could not bump it, are never served afterwards.
 */
#ifndef SHUCU_CACHE_H
#define SHUCU_CACHE_H

#include <event2/event.h>

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

/* Bumps the cache generation after a write (fire and forget). */
void cache_invalidate(struct worker *w);

#endif
