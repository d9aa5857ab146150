/*
 * cache.h - each worker's asynchronous Redis connection.  What is
 * cached, under which keys, is api/cached.h; this module only carries
 * commands and knows whether Redis can take them.
 *
 * Redis is a cache, never the source of truth.  The connection lives on
 * the worker's event loop (hiredis' libevent adapter); when it drops,
 * a timer reconnects with exponential backoff (100 ms doubling to 5 s)
 * and nothing ever waits for it.
 */
#ifndef SHUCU_CACHE_H
#define SHUCU_CACHE_H

#include <event2/event.h>
#include <hiredis/async.h>
#include <stddef.h>

struct cache;
struct worker;

/* Parses url and starts connecting on base.  Returns NULL when url is
 * "none" or empty (no cache) or malformed: callers check it first with
 * cache_url_valid, which is what refuses a bad --redis at start-up. */
struct cache *cache_new(struct event_base *base, const char *url);
void cache_free(struct cache *c);

/* 0 when url is "none" or a URL cache_new understands; else -1. */
int cache_url_valid(const char *url);

int cache_connected(const struct cache *c);

/* 1 when the cache is configured but unusable (disconnected, or its
 * circuit breaker open after repeated timeouts). */
int cache_degraded(const struct cache *c);

/* 1 when commands may be sent now: connected, the breaker closed, and
 * fewer than MAX_PENDING answers outstanding. */
int cache_usable(const struct cache *c);

/*
 * Sends one command (argv[i] of lens[i] bytes, formatted here).  With a
 * callback, hiredis calls fn exactly once: with the reply, or with NULL
 * when the connection goes; the command counts as pending until fn calls
 * cache_reply_seen().  Without one the reply is dropped.  0, or -1 when
 * nothing was sent.
 */
int cache_send(struct cache *c, redisCallbackFn *fn, void *priv, int argc,
               const char *const *argv, const size_t *lens);
void cache_reply_seen(struct cache *c);

/* A lookup was answered in time (closes the count of timeouts), or was
 * not (after BREAKER_TIMEOUTS in a row, the cache is bypassed for a
 * while). */
void cache_note_answer(struct cache *c);
void cache_note_timeout(struct cache *c);

/* How many connections have been made: what a restarted Redis may have
 * lost (an EXPIRE sent once per connection) is sent again when it moves. */
long cache_epoch(const struct cache *c);

/* A common-timeout timeval of ms on the cache's base, made on first use
 * (O(1) timer adds for the many lookups that share it). */
const struct timeval *cache_timeout_tv(struct cache *c, long ms);

#endif
