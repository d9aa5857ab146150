/*
 * hot_queries.c - the most frequent searches and matches: counted in
 * Redis sorted sets, one per kind and UTC day (40-day TTL), and
 * GET /v1/stats/hot-queries (see hot_queries.h).  The counts live only
 * in Redis: without it the endpoint answers "available": false.
 *
 * Bounded (issue 23): every distinct query used to stay in its day's set,
 * so a day of crawled or random queries grew one set to 620k members and
 * the endpoint's union of a month of sets (a Lua script) blocked Redis for
 * 4.5 s.  Now each worker trims its day's set to its HOT_KEEP highest
 * counts every HOT_TRIM_EVERY counts it sends, so a set holds at most
 * HOT_KEEP + HOT_TRIM_EVERY x workers members (under 10,000 for up to 15
 * workers): a capped top-k, in which a query that is rare today makes room
 * for the others.  The endpoint reads each day's top HOT_READ with one
 * ZREVRANGE per day and kind (no script, nothing that scales with the
 * sets) and adds them up here; a query outside every day's top HOT_READ
 * is not counted, which docs/operations.md says.
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
#define HOT_KEEP 9000      /* members a day's set keeps at each trim */
#define HOT_TRIM_EVERY 64  /* counts a worker sends between trims */
#define HOT_READ 200       /* members read of each day's set */
#define HOT_TOP 50         /* queries the endpoint lists */
#define HOT_MAX_DAYS 31

static void hot_key(char *out, size_t len, const char *kind, time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, len, CACHE_KEY_PREFIX "hot:%s:%04d%02d%02d", kind, tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday);
}

/* Today's key of each kind on this worker's thread, whether it has had its
 * EXPIRE on the current connection (cache_epoch), and the counts sent
 * since the last trim. */
static _Thread_local struct {
    long day; /* days since the epoch (UTC) that key names */
    char key[96];
    long expired_epoch; /* cache_epoch() when EXPIRE was sent; 0: never */
    int since_trim;
} today[2];

void hot_count(struct cache *c, const char *kind, const char *member)
{
    int k = strcmp(kind, "search") != 0;
    long day = (long)(time(NULL) / 86400);
    if (today[k].day != day) {
        hot_key(today[k].key, sizeof today[k].key, kind, (time_t)day * 86400);
        today[k].day = day;
        today[k].expired_epoch = 0;
        today[k].since_trim = 0;
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
    if (++today[k].since_trim >= HOT_TRIM_EVERY) {
        /* Keep the HOT_KEEP highest counts: remove ranks 0 .. -(HOT_KEEP+1). */
        char stop[24];
        size_t sl = util_fmt_ll(stop, -(HOT_KEEP + 1));
        const char *t_argv[] = {"ZREMRANGEBYRANK", hk, "0", stop};
        size_t t_lens[] = {15, strlen(hk), 1, sl};
        cache_send(c, NULL, NULL, 4, t_argv, t_lens);
        today[k].since_trim = 0;
    }
}

/* One request for the hot queries: a ZREVRANGE per day and kind, summed
 * as they come. */
struct hot_ctx {
    struct req *r; /* NULL once answered */
    struct cache *c;
    struct event *timer;
    long days;
    int outstanding; /* replies still to come; the last frees this */
    int failed;
    json_t *sum[2];  /* member -> count, searches and matches */
};

static int count_desc(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "count"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "count"));
    if (x != y)
        return x < y ? 1 : -1;
    return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "q")),
                  json_string_value(json_object_get(*(json_t *const *)b, "q")));
}

/* The HOT_TOP highest sums of one kind, as [{"q", "count"}] (new). */
static json_t *top_list(json_t *sum)
{
    size_t n = json_object_size(sum), i = 0;
    json_t **v = xmalloc((n ? n : 1) * sizeof *v);
    const char *q;
    json_t *cnt;
    json_object_foreach(sum, q, cnt) v[i++] = json_pack("{s:s, s:O}", "q", q, "count", cnt);
    qsort(v, n, sizeof *v, count_desc);
    json_t *out = json_array();
    for (i = 0; i < n; i++) {
        if (i < HOT_TOP)
            json_array_append(out, v[i]);
        json_decref(v[i]);
    }
    free(v);
    return out;
}

static void hot_answer(struct hot_ctx *hc)
{
    int ok = !hc->failed && hc->outstanding == 0;
    reply_json(hc->r, 200, json_pack("{s:I, s:b, s:o, s:o}", "days", (json_int_t)hc->days,
                                     "available", ok, "searches",
                                     ok ? top_list(hc->sum[0]) : json_array(), "matches",
                                     ok ? top_list(hc->sum[1]) : json_array()));
    hc->r = NULL;
}

static void hot_free(struct hot_ctx *hc)
{
    if (hc->timer)
        event_free(hc->timer);
    json_decref(hc->sum[0]);
    json_decref(hc->sum[1]);
    free(hc);
}

/* Redis did not answer in time: say the counts are unavailable. */
static void hot_timeout(evutil_socket_t fd, short what, void *arg)
{
    struct hot_ctx *hc = arg;
    hc->failed = 1;
    if (hc->r)
        hot_answer(hc);
}

/* The context and kind of one ZREVRANGE (its callback's priv). */
struct hot_part {
    struct hot_ctx *hc;
    int kind;
};

static void hot_reply(redisAsyncContext *ac, void *reply, void *priv)
{
    struct hot_part *p = priv;
    struct hot_ctx *hc = p->hc;
    redisReply *arr = reply;
    cache_reply_seen(hc->c);
    if (!arr || arr->type != REDIS_REPLY_ARRAY)
        hc->failed = 1;
    for (size_t i = 0; arr && arr->type == REDIS_REPLY_ARRAY && i + 1 < arr->elements; i += 2) {
        redisReply *m = arr->element[i], *s = arr->element[i + 1];
        if (m->type != REDIS_REPLY_STRING || s->type != REDIS_REPLY_STRING ||
            !util_utf8_valid(m->str, m->len) || memchr(m->str, 0, m->len))
            continue;
        char *q = xstrndup(m->str, m->len);
        json_t *cur = json_object_get(hc->sum[p->kind], q);
        json_int_t add = (json_int_t)atoll(s->str);
        json_object_set_new(hc->sum[p->kind], q,
                            json_integer((cur ? json_integer_value(cur) : 0) + add));
        free(q);
    }
    free(p);
    if (--hc->outstanding == 0) {
        if (hc->r)
            hot_answer(hc);
        hot_free(hc);
    }
}

void h_hot_queries(struct req *r)
{
    long days;
    if (req_long_param(r, "days", 7, 1, HOT_MAX_DAYS, &days) < 0)
        return;
    struct cache *c = r->w->cache;
    if (!cache_usable(c)) {
        /* Degraded but correct: the counts live only in Redis. */
        reply_json(r, 200, json_pack("{s:I, s:b, s:[], s:[]}", "days", (json_int_t)days,
                                     "available", 0, "searches", "matches"));
        return;
    }
    struct hot_ctx *hc = xcalloc(1, sizeof *hc);
    hc->r = r;
    hc->c = c;
    hc->days = days;
    hc->sum[0] = json_object();
    hc->sum[1] = json_object();
    hc->outstanding = 1; /* held while sending, so no reply frees hc early */
    time_t now = time(NULL);
    char stop[24];
    size_t sl = util_fmt_ll(stop, HOT_READ - 1);
    for (int kind = 0; kind < 2; kind++)
        for (long d = 0; d < days; d++) {
            char key[96];
            hot_key(key, sizeof key, kind ? "match" : "search", now - d * 86400);
            const char *argv[] = {"ZREVRANGE", key, "0", stop, "WITHSCORES"};
            size_t lens[] = {9, strlen(key), 1, sl, 10};
            struct hot_part *p = xcalloc(1, sizeof *p);
            p->hc = hc;
            p->kind = kind;
            if (cache_send(c, hot_reply, p, 5, argv, lens) == 0) {
                hc->outstanding++;
            } else {
                free(p);
                hc->failed = 1;
            }
        }
    if (--hc->outstanding == 0) { /* nothing was sent */
        hot_answer(hc);
        hot_free(hc);
        return;
    }
    hc->timer = evtimer_new(r->w->base, hot_timeout, hc);
    struct timeval tv = {0, 500000}; /* 62 bounded reads are fast */
    evtimer_add(hc->timer, &tv);
}
