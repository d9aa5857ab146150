/*
 * cached.c - answering search and match from Redis (see cached.h).
 *
 * A lookup GETs the entry under shucu:v1:<tag>:<identity>:<generation>:
 * <hash> (identity: the database file's, db.h) and,
 * in the same write, counts the hot query (hot_queries.c).  A hit is sent
 * as it was stored; a miss is computed inside one read transaction,
 * stored with SET … EX ttl, and answered once Redis has acknowledged the
 * SET, so a repeat after an answer is always a hit.  Redis that does not
 * answer within cache_timeout_ms is passed over (the cache's breaker
 * opens after a few timeouts); the answer is then computed uncached.
 */
#include "cached.h"

#include "cache.h"
#include "db.h"
#include "hot_queries.h"
#include "log.h"
#include "metrics.h"
#include "req.h"
#include "util.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_KEY_PREFIX "shucu:v1:"

/* Sends body (without cached/took_ms) as {"cached":…,"took_ms":…,…}. */
static void reply_body(struct req *r, const char *body, size_t len, int cached, int flags)
{
    /* {"cached":true,"took_ms":0.41, then the body without its "{" */
    char head[64];
    long long cs = (long long)((util_monotonic() - r->t0) * 1e5 + 0.5); /* 0.01 ms */
    const char *c1 = flags & CACHE_NO_CACHED_MEMBER ? "{\"took_ms\":"
                     : cached ? "{\"cached\":true,\"took_ms\":"
                              : "{\"cached\":false,\"took_ms\":";
    size_t n = strlen(c1);
    memcpy(head, c1, n);
    n += util_fmt_ll(head + n, cs / 100);
    head[n++] = '.';
    head[n++] = (char)('0' + cs % 100 / 10);
    head[n++] = (char)('0' + cs % 10);
    reply_header(r, "X-Cache", cached ? "HIT" : "MISS");
    if (len > 2) {
        head[n++] = ',';
        reply_parts(r, 200, "application/json; charset=utf-8", head, n, body + 1, len - 1);
    } else {
        reply_parts(r, 200, "application/json; charset=utf-8", head, n, "}", 1);
    }
}

struct lookup {
    struct req *r;        /* NULL once answered */
    struct cache *c;
    struct event *timer;  /* the event after this struct, while pending */
    char *key;
    cache_compute_fn fn;
    void *arg;
    void (*arg_free)(void *);
    double sent;
    long ttl, max_entry;
    int flags; /* CACHE_* of cached.h */
};

static void lookup_release(struct lookup *lk)
{
    if (lk->arg_free && lk->arg)
        lk->arg_free(lk->arg);
    lk->arg = NULL;
    if (lk->timer)
        event_del(lk->timer);
    lk->timer = NULL;
}

/* A lookup and its timeout event in one allocation (a lookup per cached
 * answer: the allocator showed in profiles). */
static struct lookup *lookup_new(void)
{
    return xcalloc(1, sizeof(struct lookup) + event_get_struct_event_size());
}

/* A computed answer waiting for Redis to acknowledge its SET. */
struct held {
    struct req *r; /* NULL once answered */
    int flags;
    struct cache *c;
    char *text;
    size_t len;
    struct event *timer;
};

static void held_answer(struct held *h)
{
    if (h->r)
        reply_body(h->r, h->text, h->len, 0, h->flags);
    h->r = NULL;
}

static void held_timeout(evutil_socket_t fd, short what, void *arg)
{
    struct held *h = arg;
    held_answer(h); /* Redis is slow: answer anyway */
    event_free(h->timer);
    h->timer = NULL; /* held_stored frees h when the reply comes */
}

/* hiredis calls this once per SET: with its reply, or with NULL when the
 * connection goes away, so h is always freed here. */
static void held_stored(redisAsyncContext *ac, void *reply, void *priv)
{
    struct held *h = priv;
    cache_reply_seen(h->c);
    held_answer(h);
    if (h->timer)
        event_free(h->timer);
    free(h->text);
    free(h);
}

/*
 * Computes and answers; when store is set, writes the entry first and
 * answers once Redis has acknowledged it (or after the cache timeout).
 * Answering before the SET lands would let a client that repeats the
 * request at once, on another worker, miss an entry that is on its way:
 * with the acknowledgement, a repeat after an answer is always a hit.
 */
static void compute_and_answer(struct lookup *lk, int store)
{
    struct req *r = lk->r;
    lk->r = NULL;
    /* One read transaction for the whole computation: one snapshot, and
     * the WAL read lock taken once instead of once per statement (a
     * match runs hundreds).  The generation in the key was read before
     * it, so the answer is never older than its key. */
    int in_tx = db_read_begin(r->w->db) == 0;
    json_t *body = lk->fn(r, lk->arg);
    if (in_tx)
        db_read_end(r->w->db);
    if (!body)
        return; /* fn answered with an error */
    char *text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(body);
    size_t len = strlen(text);
    if (store && lk->c && cache_usable(lk->c) && (long)len <= lk->max_entry) {
        struct held *h = xcalloc(1, sizeof *h);
        h->r = r;
        h->c = lk->c;
        h->flags = lk->flags;
        h->text = text;
        h->len = len;
        char ttl[24];
        size_t tlen = util_fmt_ll(ttl, lk->ttl);
        const char *argv[] = {"SET", lk->key, text, "EX", ttl};
        size_t lens[] = {3, strlen(lk->key), len, 2, tlen};
        if (cache_send(lk->c, held_stored, h, 5, argv, lens) == 0) {
            h->timer = evtimer_new(r->w->base, held_timeout, h);
            long ms = r->w->cfg->cache_timeout_ms;
            struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
            evtimer_add(h->timer, &tv);
            return;
        }
        free(h); /* not sent: answer now */
    }
    reply_body(r, text, len, 0, lk->flags);
    free(text);
}

static void lookup_timeout(evutil_socket_t fd, short what, void *arg)
{
    struct lookup *lk = arg;
    if (!lk->r)
        return;
    metrics_add(MC_CACHE_ERRORS, 1);
    metrics_add(MC_CACHE_MISSES, 1);
    cache_note_timeout(lk->c);
    compute_and_answer(lk, 0);
    lookup_release(lk); /* the Redis callback frees lk when it comes */
}

static void lookup_reply(redisAsyncContext *ac, void *reply, void *priv)
{
    struct lookup *lk = priv;
    redisReply *rep = reply;
    cache_reply_seen(lk->c);
    if (lk->r) {
        metrics_add(MC_CACHE_RTT_US_SUM, (uint64_t)((util_monotonic() - lk->sent) * 1e6));
        metrics_add(MC_CACHE_RTT_COUNT, 1);
        if (rep && rep->type == REDIS_REPLY_STRING) {
            cache_note_answer(lk->c);
            metrics_add(MC_CACHE_HITS, 1);
            struct req *r = lk->r;
            lk->r = NULL;
            reply_body(r, rep->str, rep->len, 1, lk->flags);
        } else {
            if (!rep || rep->type == REDIS_REPLY_ERROR) {
                metrics_add(MC_CACHE_ERRORS, 1);
                if (rep)
                    log_warn("redis lookup: %s", rep->str);
            } else {
                cache_note_answer(lk->c);
            }
            metrics_add(MC_CACHE_MISSES, 1);
            compute_and_answer(lk, rep && rep->type == REDIS_REPLY_NIL);
        }
    }
    lookup_release(lk);
    free(lk->key);
    free(lk);
}


void cache_serve(struct req *r, const char *tag, const char *material, size_t len,
                 const char *hot_kind, const char *hot_member, cache_compute_fn fn,
                 void *arg, void (*arg_free)(void *), int flags)
{
    struct worker *w = r->w;
    struct cache *c = w->cache;
    struct lookup *lk = lookup_new();
    lk->r = r;
    lk->c = c;
    lk->fn = fn;
    lk->arg = arg;
    lk->arg_free = arg_free;
    lk->flags = flags;
    lk->ttl = w->cfg->cache_ttl;
    lk->max_entry = w->cfg->cache_max_entry;
    long long gen = db_generation(w->db);
    if (!cache_usable(c) || gen < 0) {
        compute_and_answer(lk, 0);
        lookup_release(lk);
        free(lk);
        return;
    }
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)material, len);
    char hex[2 * sizeof h + 1];
    sodium_bin2hex(hex, sizeof hex, h, 16); /* 128 bits name an entry */
    /* shucu:v1:<tag>:<identity>:<generation>:<hash> */
    size_t tlen = strlen(tag), klen = 0;
    lk->key = xmalloc(sizeof CACHE_KEY_PREFIX + tlen + 3 + 40 + sizeof hex);
    memcpy(lk->key, CACHE_KEY_PREFIX, sizeof CACHE_KEY_PREFIX - 1);
    klen = sizeof CACHE_KEY_PREFIX - 1;
    memcpy(lk->key + klen, tag, tlen);
    klen += tlen;
    lk->key[klen++] = ':';
    klen += util_fmt_ll(lk->key + klen, db_identity(w->db));
    lk->key[klen++] = ':';
    klen += util_fmt_ll(lk->key + klen, gen);
    lk->key[klen++] = ':';
    size_t hlen = strlen(hex);
    memcpy(lk->key + klen, hex, hlen + 1); /* with its terminator */
    klen += hlen;
    lk->sent = util_monotonic();
    /* GET the entry, and count the hot query in the same write (one round
     * trip: hiredis writes both at the next turn of the loop). */
    const char *get_argv[] = {"GET", lk->key};
    size_t get_lens[] = {3, klen};
    int rc = cache_send(c, lookup_reply, lk, 2, get_argv, get_lens);
    if (rc == 0 && hot_member && hot_kind)
        hot_count(c, hot_kind, hot_member);
    if (rc != 0) {
        metrics_add(MC_CACHE_ERRORS, 1);
        compute_and_answer(lk, 0);
        lookup_release(lk);
        free(lk->key);
        free(lk);
        return;
    }
    lk->timer = (struct event *)(lk + 1);
    evtimer_assign(lk->timer, w->base, lookup_timeout, lk);
    evtimer_add(lk->timer, cache_timeout_tv(c, w->cfg->cache_timeout_ms));
}

