/*
 * cache.c - each worker's Redis connection (see cache.h): connecting,
 * reconnecting with backoff, the health check, the circuit breaker, and
 * commands written in Redis's protocol by shucud itself.  What is cached
 * and how an answer is served from it is api/cached.c.
 */
#include "cache.h"

#include "log.h"
#include "sentinel.h"
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
    long epoch;            /* connections made so far (cache_epoch) */
    struct sentinel *snt;  /* sentinel:// - where the master is (sentinel.h) */
    char *sentinel_spec;
    int resolve;           /* ask the sentinels before connecting */
    const struct timeval *lookup_tv; /* a common timeout: O(1) timer adds */
};

static void cache_connect(struct cache *c);
static void ping_cb(evutil_socket_t fd, short what, void *arg);

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
    int sentinel = strncmp(url, "sentinel://", 11) == 0;
    if (strncmp(url, "redis://", 8) != 0 && !sentinel)
        return -1;
    const char *p = url + (sentinel ? 11 : 8);
    const char *at = strchr(p, '@');
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        const char *pw = colon ? colon + 1 : p;
        c->password = xstrndup(pw, (size_t)(at - pw));
        p = at + 1;
    }
    if (sentinel) { /* the rest is "h:p[,h:p…]/mastername" */
        if (sentinel_spec_valid(p) < 0)
            return -1;
        c->sentinel_spec = xstrdup(p);
        return 0;
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
    free(tmp.sentinel_spec);
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
        if (c->snt)
            c->resolve = 1; /* the master may have moved while we were away */
        schedule_retry(c);
        return;
    }
    c->connected = 1;
    c->backoff_ms = 100;
    c->ping_ok = 1;
    c->ping_outstanding = 0;
    c->epoch++; /* a restarted Redis may have lost what was sent before */
    metrics_add(MC_CACHE_RECONNECTS, 1);
    log_info("redis connected");
    redisAsyncContext *mac = (redisAsyncContext *)ac;
    if (c->password)
        redisAsyncCommand(mac, on_reply_ignore, NULL, "AUTH %s", c->password);
    if (c->dbnum)
        redisAsyncCommand(mac, on_reply_ignore, NULL, "SELECT %d", c->dbnum);
    if (c->snt)
        ping_cb(-1, 0, c); /* is it still the master?  ROLE at once */
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    struct cache *c = ac->data;
    c->ac = NULL;
    if (c->closing)
        return;
    if (c->snt)
        c->resolve = 1; /* a failover may have moved the master */
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

/* The answer to ROLE (sentinel mode): a master is healthy; a replica means
 * a failover happened behind this connection, which then goes, so the
 * sentinels are asked where the master is now. */
static void on_role(redisAsyncContext *ac, void *reply, void *priv)
{
    struct cache *c = priv;
    redisReply *rep = reply;
    c->ping_outstanding = 0;
    int master = rep && rep->type == REDIS_REPLY_ARRAY && rep->elements > 0 &&
                 rep->element[0]->type == REDIS_REPLY_STRING &&
                 strcmp(rep->element[0]->str, "master") == 0;
    c->ping_ok = master;
    if (rep && !master && c->ac == ac) {
        log_warn("redis at %s:%d is no longer the master: asking the sentinels", c->host,
                 c->port);
        c->resolve = 1;
        redisAsyncDisconnect(ac);
    }
}

/* Every second: PING (ROLE behind sentinels), unless the last one is
 * still unanswered. */
static void ping_cb(evutil_socket_t fd, short what, void *arg)
{
    struct cache *c = arg;
    if (!c->connected || !c->ac || c->ping_outstanding)
        return;
    if (c->snt ? redisAsyncCommand(c->ac, on_role, c, "ROLE") == REDIS_OK
               : redisAsyncCommand(c->ac, on_pong, c, "PING") == REDIS_OK) {
        c->ping_outstanding = 1;
        c->ping_sent = util_monotonic();
    }
}

/* The sentinels named the master (host NULL: none did). */
static void on_master(void *arg, const char *host, int port)
{
    struct cache *c = arg;
    if (!host) {
        schedule_retry(c);
        return;
    }
    if (!c->host || strcmp(c->host, host) != 0 || c->port != port)
        log_info("the sentinels name %s:%d the Redis master", host, port);
    free(c->host);
    c->host = xstrdup(host);
    c->port = port;
    c->resolve = 0;
    cache_connect(c);
}

static void cache_connect(struct cache *c)
{
    if (c->closing || c->ac)
        return;
    if (c->snt && c->resolve) {
        sentinel_resolve(c->snt, on_master, c);
        return;
    }
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
    if (c->sentinel_spec) {
        c->snt = sentinel_new(base, c->sentinel_spec);
        if (!c->snt) {
            cache_free(c);
            return NULL;
        }
        c->resolve = 1;
    }
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
    sentinel_free(c->snt);
    free(c->sentinel_spec);
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

int cache_usable(const struct cache *c)
{
    return c && c->connected && c->ac && c->pending < MAX_PENDING &&
           util_monotonic() >= c->breaker_until;
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

int cache_send(struct cache *c, redisCallbackFn *fn, void *priv, int argc,
               const char *const *argv, const size_t *lens)
{
    if (!c || !c->ac)
        return -1;
    if (send_command(c->ac, fn, priv, argc, argv, lens) != REDIS_OK)
        return -1;
    if (fn)
        c->pending++;
    return 0;
}

void cache_reply_seen(struct cache *c)
{
    if (c && c->pending > 0)
        c->pending--;
}

void cache_note_answer(struct cache *c)
{
    if (c)
        c->timeouts = 0;
}

void cache_note_timeout(struct cache *c)
{
    if (++c->timeouts >= BREAKER_TIMEOUTS) {
        c->breaker_until = util_monotonic() + BREAKER_SECONDS;
        log_warn("redis answered none of the last %d lookups in time: bypassing the cache for %.0fs",
                 c->timeouts, BREAKER_SECONDS);
        c->timeouts = 0;
    }
}

long cache_epoch(const struct cache *c)
{
    return c ? c->epoch : 0;
}

const struct timeval *cache_timeout_tv(struct cache *c, long ms)
{
    if (!c->lookup_tv) {
        struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
        c->lookup_tv = event_base_init_common_timeout(c->base, &tv);
        if (!c->lookup_tv)
            abort();
    }
    return c->lookup_tv;
}
