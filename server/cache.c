/*
 * cache.c - Redis connection management and invalidation (see cache.h).
 */
#include "cache.h"

#include "http.h"
#include "log.h"
#include "metrics.h"
#include "util.h"

#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_GEN_KEY "shucu:gen"

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
    metrics_add(MC_CACHE_RECONNECTS, 1);
    log_info("redis connected");
    redisAsyncContext *mac = (redisAsyncContext *)ac;
    if (c->password)
        redisAsyncCommand(mac, on_reply_ignore, NULL, "AUTH %s", c->password);
    if (c->dbnum)
        redisAsyncCommand(mac, on_reply_ignore, NULL, "SELECT %d", c->dbnum);
    /* Writes made while we were away could not bump the generation. */
    redisAsyncCommand(mac, on_reply_ignore, NULL, "INCR " CACHE_GEN_KEY);
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    struct cache *c = ac->data;
    c->ac = NULL;
    if (c->connected)
        log_warn("redis connection lost%s%s", status == REDIS_OK ? "" : ": ",
                 status == REDIS_OK ? "" : ac->errstr);
    c->connected = 0;
    schedule_retry(c);
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
    cache_connect(c);
    return c;
}

void cache_free(struct cache *c)
{
    if (!c)
        return;
    c->closing = 1;
    if (c->ac) {
        redisAsyncContext *ac = c->ac;
        c->ac = NULL;
        ac->data = c;
        redisAsyncSetDisconnectCallback(ac, NULL);
        redisAsyncFree(ac);
    }
    if (c->retry_ev)
        event_free(c->retry_ev);
    free(c->host);
    free(c->path);
    free(c->password);
    free(c);
}

int cache_connected(const struct cache *c)
{
    return c && c->connected;
}

void cache_invalidate(struct worker *w)
{
    struct cache *c = w->cache;
    if (c && c->connected && c->ac)
        redisAsyncCommand(c->ac, on_reply_ignore, NULL, "INCR " CACHE_GEN_KEY);
}
