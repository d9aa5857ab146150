/*
 * hot_queries.c - the most frequent searches and matches: counted in
 * Redis sorted sets, one per kind and UTC day (40-day TTL), and
 * GET /v1/stats/hot-queries (see hot_queries.h).  The counts live only
 * in Redis: without it the endpoint answers "available": false.
 */
#include "hot_queries.h"

#include "handlers.h"

#include "cache.h"
#include "req.h"
#include "util.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CACHE_KEY_PREFIX "shucu:v1:"
#define HOT_TTL_SECONDS (40 * 86400)

static void hot_key(char *out, size_t len, const char *kind, time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, len, CACHE_KEY_PREFIX "hot:%s:%04d%02d%02d", kind, tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday);
}


/* Today's key of each kind on this worker's thread, and whether it has
 * had its EXPIRE on the current connection (cache_epoch). */
static _Thread_local struct {
    long day; /* days since the epoch (UTC) that key names */
    char key[96];
    long expired_epoch; /* cache_epoch() when EXPIRE was sent; 0: never */
} today[2];

void hot_count(struct cache *c, const char *kind, const char *member)
{
    int k = strcmp(kind, "search") != 0;
    long day = (long)(time(NULL) / 86400);
    if (today[k].day != day) {
        hot_key(today[k].key, sizeof today[k].key, kind, (time_t)day * 86400);
        today[k].day = day;
        today[k].expired_epoch = 0;
    }
    const char *hk = today[k].key;
    const char *z_argv[] = {"ZINCRBY", hk, "1", member};
    size_t z_lens[] = {7, strlen(hk), 1, strlen(member)};
    cache_send(c, NULL, NULL, 4, z_argv, z_lens);
    if (today[k].expired_epoch != cache_epoch(c)) {
        char ttl[24];
        size_t tl = util_fmt_ll(ttl, HOT_TTL_SECONDS);
        const char *e_argv[] = {"EXPIRE", hk, ttl};
        size_t e_lens[] = {6, strlen(hk), tl};
        cache_send(c, NULL, NULL, 3, e_argv, e_lens);
        today[k].expired_epoch = cache_epoch(c);
    }
}
/* Top 50 of the union of the last n daily sets, for both kinds. */
static const char HOT_LUA[] =
    "local n = tonumber(ARGV[1]) local res = {} "
    "for part = 0, 1 do "
    "  local ks = {} for i = 1, n do ks[i] = KEYS[part * n + i] end "
    "  local tmp = KEYS[2 * n + 1 + part] "
    "  redis.call('ZUNIONSTORE', tmp, n, unpack(ks)) "
    "  res[part + 1] = redis.call('ZREVRANGE', tmp, 0, 49, 'WITHSCORES') "
    "  redis.call('DEL', tmp) "
    "end return res";

static json_t *hot_list(redisReply *arr)
{
    json_t *out = json_array();
    for (size_t i = 0; arr && arr->type == REDIS_REPLY_ARRAY && i + 1 < arr->elements; i += 2) {
        redisReply *m = arr->element[i], *s = arr->element[i + 1];
        if (m->type != REDIS_REPLY_STRING || s->type != REDIS_REPLY_STRING)
            continue;
        json_array_append_new(out, json_pack("{s:s%, s:I}", "q", m->str, m->len, "count",
                                             (json_int_t)atoll(s->str)));
    }
    return out;
}

struct hot_ctx {
    struct req *r;  /* NULL once answered */
    long days;
    struct event *timer;
    struct cache *c;
};

static void hot_answer(struct hot_ctx *hc, redisReply *rep)
{
    int ok = rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == 2;
    reply_json(hc->r, 200, json_pack("{s:I, s:b, s:o, s:o}", "days", (json_int_t)hc->days,
                                     "available", ok, "searches",
                                     hot_list(ok ? rep->element[0] : NULL), "matches",
                                     hot_list(ok ? rep->element[1] : NULL)));
    hc->r = NULL;
}

/* Redis did not answer in time: say the counts are unavailable. */
static void hot_timeout(evutil_socket_t fd, short what, void *arg)
{
    struct hot_ctx *hc = arg;
    if (hc->r)
        hot_answer(hc, NULL);
}

static void hot_reply(redisAsyncContext *ac, void *reply, void *priv)
{
    struct hot_ctx *hc = priv;
    if (ac)
        cache_reply_seen(hc->c);
    if (hc->r)
        hot_answer(hc, reply);
    if (hc->timer)
        event_free(hc->timer);
    free(hc);
}

void h_hot_queries(struct req *r)
{
    long days;
    if (req_long_param(r, "days", 7, 1, 31, &days) < 0)
        return;
    struct cache *c = r->w->cache;
    if (!cache_usable(c)) {
        /* Degraded but correct: the counts live only in Redis. */
        reply_json(r, 200, json_pack("{s:I, s:b, s:[], s:[]}", "days", (json_int_t)days,
                                     "available", 0, "searches", "matches"));
        return;
    }
    int nkeys = (int)days * 2 + 2;
    char **keys = xcalloc((size_t)nkeys + 4, sizeof *keys);
    const char **argv = xcalloc((size_t)nkeys + 8, sizeof *argv);
    time_t now = time(NULL);
    for (int part = 0; part < 2; part++)
        for (long d = 0; d < days; d++) {
            keys[part * days + d] = xmalloc(96);
            hot_key(keys[part * days + d], 96, part ? "match" : "search", now - d * 86400);
        }
    char tmp[2][80];
    char rnd[17];
    util_random_base32(rnd, 16);
    snprintf(tmp[0], sizeof tmp[0], CACHE_KEY_PREFIX "tmp:%s:s", rnd);
    snprintf(tmp[1], sizeof tmp[1], CACHE_KEY_PREFIX "tmp:%s:m", rnd);
    char nk[16], nd[16];
    snprintf(nk, sizeof nk, "%d", nkeys);
    snprintf(nd, sizeof nd, "%ld", days);
    int argc = 0;
    argv[argc++] = "EVAL";
    argv[argc++] = HOT_LUA;
    argv[argc++] = nk;
    for (int i = 0; i < nkeys - 2; i++)
        argv[argc++] = keys[i];
    argv[argc++] = tmp[0];
    argv[argc++] = tmp[1];
    argv[argc++] = nd;
    struct hot_ctx *hc = xcalloc(1, sizeof *hc);
    hc->r = r;
    hc->days = days;
    hc->c = c;
    size_t *lens = xcalloc((size_t)argc, sizeof *lens);
    for (int i = 0; i < argc; i++)
        lens[i] = strlen(argv[i]);
    int sent = cache_send(c, hot_reply, hc, argc, argv, lens);
    free(lens);
    if (sent == 0) {
        hc->timer = evtimer_new(r->w->base, hot_timeout, hc);
        struct timeval tv = {0, 500000}; /* a union of a month of sets is fast */
        evtimer_add(hc->timer, &tv);
    } else {
        hot_reply(NULL, NULL, hc);
    }
    for (int i = 0; i < nkeys - 2; i++)
        free(keys[i]);
    free(keys);
    free(argv);
}
