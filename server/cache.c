/*
 * cache.c - Redis connection management and invalidation (see cache.h).
 */
#include "cache.h"

#include "http.h"
#include "log.h"
#include "metrics.h"
#include "db.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <time.h>

#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_KEY_PREFIX "shucu:v1:"
#define HOT_TTL_SECONDS (40 * 86400)
#define BREAKER_TIMEOUTS 3   /* consecutive timeouts that open the breaker */
#define BREAKER_SECONDS 2.0  /* how long it stays open */
#define MAX_PENDING 10000    /* lookups in flight before bypassing */

struct cache {
    struct event_base *base;
    redisAsyncContext *ac;
    struct event *retry_ev;
    char *host;       /* NULL for a unix socket */
    char *path;       /* unix socket path */
    int port;
    char *password;
    int dbnum;
    int connected;
    int backoff_ms;
    int closing;
    int timeouts;          /* consecutive lookups Redis did not answer in time */
    double breaker_until;  /* bypass the cache until then */
    int pending;           /* lookups sent and not yet answered */
    struct event *ping_ev; /* health check every second */
    int ping_outstanding;
    double ping_sent;
    int ping_ok;           /* the last PING got PONG */
    struct {
        long day;     /* days since the epoch (UTC) that key names */
        char key[96];
        int expiring; /* the key has had its EXPIRE on this connection */
    } hot[2];         /* today's hot-query keys: searches, matches */
    const struct timeval *lookup_tv; /* a common timeout: O(1) timer adds */
};

static void cache_connect(struct cache *c);

/* Parses redis://[:pass@]host[:port][/db] or unix:///path[?db=N]. */
static int parse_url(struct cache *c, const char *url)
{
    c->port = 6379;
    if (strncmp(url, "unix://", 7) == 0) {
        const char *p = url + 7;
        const char *q = strchr(p, '?');
        c->path = q ? xstrndup(p, (size_t)(q - p)) : xstrdup(p);
        if (q && strncmp(q, "?db=", 4) == 0)
            c->dbnum = atoi(q + 4);
        return *c->path ? 0 : -1;
    }
    if (strncmp(url, "redis://", 8) != 0)
        return -1;
    const char *p = url + 8;
    const char *at = strchr(p, '@');
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        const char *pw = colon ? colon + 1 : p;
        c->password = xstrndup(pw, (size_t)(at - pw));
        p = at + 1;
    }
    size_t hl = strcspn(p, ":/");
    if (hl == 0)
        return -1;
    c->host = xstrndup(p, hl);
    p += hl;
    if (*p == ':') {
        char *end;
        long port = strtol(p + 1, &end, 10);
        if (end == p + 1 || port < 1 || port > 65535)
            return -1;
        c->port = (int)port;
        p = end;
    }
    if (*p == '/' && p[1]) {
        char *end;
        long db = strtol(p + 1, &end, 10);
        if (*end || db < 0 || db > 1000)
            return -1;
        c->dbnum = (int)db;
    } else if (*p && strcmp(p, "/") != 0) {
        return -1;
    }
    return 0;
}

int cache_url_valid(const char *url)
{
    if (!url || !*url || strcmp(url, "none") == 0)
        return 0;
    struct cache tmp;
    memset(&tmp, 0, sizeof tmp);
    int rc = parse_url(&tmp, url);
    free(tmp.host);
    free(tmp.path);
    free(tmp.password);
    return rc;
}

static void retry_cb(evutil_socket_t fd, short what, void *arg)
{
    cache_connect(arg);
}

static void schedule_retry(struct cache *c)
{
    if (c->closing)
        return;
    struct timeval tv = {c->backoff_ms / 1000, (c->backoff_ms % 1000) * 1000};
    evtimer_add(c->retry_ev, &tv);
    c->backoff_ms = c->backoff_ms * 2 > 5000 ? 5000 : c->backoff_ms * 2;
}

static void on_reply_ignore(redisAsyncContext *ac, void *reply, void *priv)
{
    redisReply *rep = reply;
    if (rep && rep->type == REDIS_REPLY_ERROR)
        log_warn("redis: %s", rep->str);
}

static void on_connect(const redisAsyncContext *ac, int status)
{
    struct cache *c = ac->data;
    if (status != REDIS_OK) {
        log_debug("redis connect failed: %s", ac->errstr);
        c->ac = NULL; /* hiredis frees the context after this callback */
        schedule_retry(c);
        return;
    }
    c->connected = 1;
    c->backoff_ms = 100;
    c->ping_ok = 1;
    c->ping_outstanding = 0;
    c->hot[0].expiring = c->hot[1].expiring = 0; /* a restarted Redis needs them again */
    metrics_add(MC_CACHE_RECONNECTS, 1);
    log_info("redis connected");
    redisAsyncContext *mac = (redisAsyncContext *)ac;
    if (c->password)
        redisAsyncCommand(mac, on_reply_ignore, NULL, "AUTH %s", c->password);
    if (c->dbnum)
        redisAsyncCommand(mac, on_reply_ignore, NULL, "SELECT %d", c->dbnum);
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    struct cache *c = ac->data;
    c->ac = NULL;
    if (c->closing)
        return;
    if (c->connected)
        log_warn("redis connection lost%s%s", status == REDIS_OK ? "" : ": ",
                 status == REDIS_OK ? "" : ac->errstr);
    c->connected = 0;
    schedule_retry(c);
}

static void on_pong(redisAsyncContext *ac, void *reply, void *priv)
{
    struct cache *c = priv;
    redisReply *rep = reply;
    c->ping_outstanding = 0;
    int ok = rep && rep->type == REDIS_REPLY_STATUS;
    if (!ok && c->ping_ok && rep)
        log_warn("redis health check failed: %s", rep->type == REDIS_REPLY_ERROR ? rep->str : "?");
    c->ping_ok = ok;
}

/* Every second: PING, unless the last one is still unanswered. */
static void ping_cb(evutil_socket_t fd, short what, void *arg)
{
    struct cache *c = arg;
    if (!c->connected || !c->ac || c->ping_outstanding)
        return;
    if (redisAsyncCommand(c->ac, on_pong, c, "PING") == REDIS_OK) {
        c->ping_outstanding = 1;
        c->ping_sent = util_monotonic();
    }
}

static void cache_connect(struct cache *c)
{
    if (c->closing || c->ac)
        return;
    redisAsyncContext *ac = c->path ? redisAsyncConnectUnix(c->path)
                                    : redisAsyncConnect(c->host, c->port);
    if (!ac || ac->err) {
        if (ac) {
            log_debug("redis connect: %s", ac->errstr);
            redisAsyncFree(ac);
        }
        schedule_retry(c);
        return;
    }
    ac->data = c;
    c->ac = ac;
    redisLibeventAttach(ac, c->base);
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
}

struct cache *cache_new(struct event_base *base, const char *url)
{
    if (!url || !*url || strcmp(url, "none") == 0)
        return NULL;
    struct cache *c = xcalloc(1, sizeof *c);
    if (parse_url(c, url) < 0) {
        cache_free(c);
        return NULL;
    }
    c->base = base;
    c->backoff_ms = 100;
    c->retry_ev = evtimer_new(base, retry_cb, c);
    c->ping_ev = event_new(base, -1, EV_PERSIST, ping_cb, c);
    struct timeval one = {1, 0};
    event_add(c->ping_ev, &one);
    cache_connect(c);
    return c;
}

void cache_free(struct cache *c)
{
    if (!c)
        return;
    c->closing = 1;
    if (c->ac) {
        /* hiredis keeps a disconnect callback once set (setting NULL
         * is refused), so on_disconnect runs inside redisAsyncFree: with
         * closing set and connected cleared it neither warns nor retries. */
        redisAsyncContext *ac = c->ac;
        c->ac = NULL;
        c->connected = 0;
        redisAsyncFree(ac);
    }
    if (c->retry_ev)
        event_free(c->retry_ev);
    if (c->ping_ev)
        event_free(c->ping_ev);
    free(c->host);
    free(c->path);
    free(c->password);
    free(c);
}

int cache_connected(const struct cache *c)
{
    return c && c->connected;
}

int cache_degraded(const struct cache *c)
{
    if (!c)
        return 0;
    double now = util_monotonic();
    return !c->connected || now < c->breaker_until || !c->ping_ok ||
           (c->ping_outstanding && now - c->ping_sent > 0.5);
}

static int cache_usable(struct cache *c)
{
    return c && c->connected && c->ac && c->pending < MAX_PENDING &&
           util_monotonic() >= c->breaker_until;
}

/* Sends body (without cached/took_ms) as {"cached":…,"took_ms":…,…}. */
static void reply_body(struct req *r, const char *body, size_t len, int cached)
{
    /* {"cached":true,"took_ms":0.41, then the body without its "{" */
    char head[64];
    long long cs = (long long)((util_monotonic() - r->t0) * 1e5 + 0.5); /* 0.01 ms */
    const char *c1 = cached ? "{\"cached\":true,\"took_ms\":" : "{\"cached\":false,\"took_ms\":";
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

/* Appends a command in Redis's protocol (RESP) to out, which must hold
 * resp_size() bytes: hiredis's own formatting (sprintf per argument) was a
 * twentieth of a cached answer's time. */
static size_t resp_bulk(char *out, const char *s, size_t len)
{
    size_t n = 0;
    out[n++] = '$';
    n += util_fmt_ll(out + n, (long long)len);
    out[n++] = '\r';
    out[n++] = '\n';
    memcpy(out + n, s, len);
    n += len;
    out[n++] = '\r';
    out[n++] = '\n';
    return n;
}

static size_t resp_size(int argc, const size_t *lens)
{
    size_t n = 24;
    for (int i = 0; i < argc; i++)
        n += lens[i] + 26;
    return n;
}

static size_t resp_format(char *out, int argc, const char *const *argv, const size_t *lens)
{
    size_t n = 0;
    out[n++] = '*';
    n += util_fmt_ll(out + n, argc);
    out[n++] = '\r';
    out[n++] = '\n';
    for (int i = 0; i < argc; i++)
        n += resp_bulk(out + n, argv[i], lens[i]);
    return n;
}

/* redisAsyncCommandArgv, formatted here (on the stack when it fits). */
static int send_command(redisAsyncContext *ac, redisCallbackFn *fn, void *priv, int argc,
                        const char *const *argv, const size_t *lens)
{
    char small[512];
    size_t size = resp_size(argc, lens);
    char *buf = size <= sizeof small ? small : xmalloc(size);
    size_t len = resp_format(buf, argc, argv, lens);
    int rc = redisAsyncFormattedCommand(ac, fn, priv, buf, len);
    if (buf != small)
        free(buf);
    return rc;
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
    char *text;
    size_t len;
    struct event *timer;
};

static void held_answer(struct held *h)
{
    if (h->r)
        reply_body(h->r, h->text, h->len, 0);
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
        h->text = text;
        h->len = len;
        if (redisAsyncCommand(lk->c->ac, held_stored, h, "SET %s %b EX %ld", lk->key, text, len,
                              lk->ttl) == REDIS_OK) {
            h->timer = evtimer_new(lk->c->base, held_timeout, h);
            long ms = r->w->cfg->cache_timeout_ms;
            struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
            evtimer_add(h->timer, &tv);
            return;
        }
        free(h); /* not sent: answer now */
    }
    reply_body(r, text, len, 0);
    free(text);
}

static void lookup_timeout(evutil_socket_t fd, short what, void *arg)
{
    struct lookup *lk = arg;
    if (!lk->r)
        return;
    metrics_add(MC_CACHE_ERRORS, 1);
    metrics_add(MC_CACHE_MISSES, 1);
    if (++lk->c->timeouts >= BREAKER_TIMEOUTS) {
        lk->c->breaker_until = util_monotonic() + BREAKER_SECONDS;
        log_warn("redis answered none of the last %d lookups in time: bypassing the cache for %.0fs",
                 lk->c->timeouts, BREAKER_SECONDS);
        lk->c->timeouts = 0;
    }
    compute_and_answer(lk, 0);
    lookup_release(lk); /* the Redis callback frees lk when it comes */
}

static void lookup_reply(redisAsyncContext *ac, void *reply, void *priv)
{
    struct lookup *lk = priv;
    redisReply *rep = reply;
    lk->c->pending--;
    if (lk->r) {
        metrics_add(MC_CACHE_RTT_US_SUM, (uint64_t)((util_monotonic() - lk->sent) * 1e6));
        metrics_add(MC_CACHE_RTT_COUNT, 1);
        if (rep && rep->type == REDIS_REPLY_STRING) {
            lk->c->timeouts = 0;
            metrics_add(MC_CACHE_HITS, 1);
            struct req *r = lk->r;
            lk->r = NULL;
            reply_body(r, rep->str, rep->len, 1);
        } else {
            if (!rep || rep->type == REDIS_REPLY_ERROR) {
                metrics_add(MC_CACHE_ERRORS, 1);
                if (rep)
                    log_warn("redis lookup: %s", rep->str);
            } else {
                lk->c->timeouts = 0;
            }
            metrics_add(MC_CACHE_MISSES, 1);
            compute_and_answer(lk, rep && rep->type == REDIS_REPLY_NIL);
        }
    }
    lookup_release(lk);
    free(lk->key);
    free(lk);
}


static void hot_key(char *out, size_t len, const char *kind, time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, len, CACHE_KEY_PREFIX "hot:%s:%04d%02d%02d", kind, tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday);
}

void cache_serve(struct req *r, const char *tag, const char *material, size_t len,
                 const char *hot_kind, const char *hot_member, cache_compute_fn fn,
                 void *arg, void (*arg_free)(void *))
{
    struct worker *w = r->w;
    struct cache *c = w->cache;
    struct lookup *lk = lookup_new();
    lk->r = r;
    lk->c = c;
    lk->fn = fn;
    lk->arg = arg;
    lk->arg_free = arg_free;
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
    /* shucu:v1:<tag>:<generation>:<hash> */
    size_t tlen = strlen(tag), klen = 0;
    lk->key = xmalloc(sizeof CACHE_KEY_PREFIX + tlen + 2 + 20 + sizeof hex);
    memcpy(lk->key, CACHE_KEY_PREFIX, sizeof CACHE_KEY_PREFIX - 1);
    klen = sizeof CACHE_KEY_PREFIX - 1;
    memcpy(lk->key + klen, tag, tlen);
    klen += tlen;
    lk->key[klen++] = ':';
    klen += util_fmt_ll(lk->key + klen, gen);
    lk->key[klen++] = ':';
    size_t hlen = strlen(hex);
    memcpy(lk->key + klen, hex, hlen + 1); /* with its terminator */
    klen += hlen;
    lk->sent = util_monotonic();
    /* GET the entry, and count the hot query in the same write (one round
     * trip; plain commands cost Redis a fraction of a Lua script).  The
     * day's set gets its EXPIRE once per worker and day. */
    const char *get_argv[] = {"GET", lk->key};
    size_t get_lens[] = {3, klen};
    int rc = send_command(c->ac, lookup_reply, lk, 2, get_argv, get_lens);
    if (rc == REDIS_OK && hot_member && hot_kind) {
        int k = strcmp(hot_kind, "search") != 0;
        long day = (long)(time(NULL) / 86400);
        if (c->hot[k].day != day) {
            hot_key(c->hot[k].key, sizeof c->hot[k].key, hot_kind, (time_t)day * 86400);
            c->hot[k].day = day;
            c->hot[k].expiring = 0;
        }
        const char *hk = c->hot[k].key;
        const char *z_argv[] = {"ZINCRBY", hk, "1", hot_member};
        size_t z_lens[] = {7, strlen(hk), 1, strlen(hot_member)};
        send_command(c->ac, NULL, NULL, 4, z_argv, z_lens);
        if (!c->hot[k].expiring) {
            redisAsyncCommand(c->ac, NULL, NULL, "EXPIRE %s %d", hk, HOT_TTL_SECONDS);
            c->hot[k].expiring = 1;
        }
    }
    if (rc != REDIS_OK) {
        metrics_add(MC_CACHE_ERRORS, 1);
        compute_and_answer(lk, 0);
        lookup_release(lk);
        free(lk->key);
        free(lk);
        return;
    }
    c->pending++;
    if (!c->lookup_tv) {
        struct timeval tv = {w->cfg->cache_timeout_ms / 1000,
                             (w->cfg->cache_timeout_ms % 1000) * 1000};
        c->lookup_tv = event_base_init_common_timeout(w->base, &tv);
        if (!c->lookup_tv)
            abort();
    }
    lk->timer = (struct event *)(lk + 1);
    evtimer_assign(lk->timer, w->base, lookup_timeout, lk);
    evtimer_add(lk->timer, c->lookup_tv);
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
    if (ac && hc->c)
        hc->c->pending--;
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
    if (redisAsyncCommandArgv(c->ac, hot_reply, hc, argc, argv, NULL) == REDIS_OK) {
        c->pending++;
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
