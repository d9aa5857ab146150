/*
 * sentinel.c - asking Redis Sentinel for the master (see sentinel.h).
 *
 * One resolve at a time: a connection to the next sentinel in the list,
 * `SENTINEL get-master-addr-by-name <name>`, and a 500 ms deadline on the
 * whole exchange; a sentinel that does not answer, answers an error or
 * knows no such master is passed over.  A context is stale once s->ac no
 * longer points at it: its late callbacks (hiredis calls every pending one
 * when a context is freed) change nothing.
 */
#include "sentinel.h"

#include "log.h"
#include "util.h"

#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <stdlib.h>
#include <string.h>

#define SENTINEL_MAX 16

struct sentinel {
    struct event_base *base;
    char *hosts[SENTINEL_MAX];
    int ports[SENTINEL_MAX];
    int n;
    char *name;
    redisAsyncContext *ac; /* the exchange under way, NULL when none */
    int next;              /* the sentinel to ask next */
    int busy;
    sentinel_done_fn done;
    void *arg;
    struct event *timer;
};

/* Parses "h:p[,h:p…]/name" into s (which may be a scratch one).  0 or -1. */
static int parse(struct sentinel *s, const char *spec)
{
    const char *slash = strchr(spec, '/');
    if (!slash || !slash[1] || strchr(slash + 1, '/'))
        return -1;
    s->name = xstrdup(slash + 1);
    const char *p = spec;
    while (p < slash) {
        const char *comma = memchr(p, ',', (size_t)(slash - p));
        const char *end = comma ? comma : slash;
        const char *colon = NULL;
        for (const char *q = end; q > p; q--)
            if (q[-1] == ':') {
                colon = q - 1;
                break;
            }
        if (!colon || colon == p || s->n == SENTINEL_MAX)
            return -1;
        char *endp;
        long port = strtol(colon + 1, &endp, 10);
        if (endp != end || port < 1 || port > 65535)
            return -1;
        s->hosts[s->n] = xstrndup(p, (size_t)(colon - p));
        s->ports[s->n] = (int)port;
        s->n++;
        p = comma ? comma + 1 : slash;
    }
    return s->n ? 0 : -1;
}

static void clear(struct sentinel *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->hosts[i]);
    s->n = 0;
    free(s->name);
    s->name = NULL;
}

int sentinel_spec_valid(const char *spec)
{
    struct sentinel tmp;
    memset(&tmp, 0, sizeof tmp);
    int rc = parse(&tmp, spec);
    clear(&tmp);
    return rc;
}

static void try_next(struct sentinel *s);

/* Ends the resolve with host:port (host NULL: none found). */
static void finish(struct sentinel *s, const char *host, int port)
{
    evtimer_del(s->timer);
    s->busy = 0;
    s->done(s->arg, host, port);
}

/* Lets go of the exchange under way (its late callbacks are stale). */
static void drop(struct sentinel *s)
{
    redisAsyncContext *ac = s->ac;
    s->ac = NULL;
    if (ac)
        redisAsyncFree(ac);
}

static void on_addr(redisAsyncContext *ac, void *reply, void *priv)
{
    struct sentinel *s = priv;
    redisReply *r = reply;
    if (ac != s->ac)
        return; /* stale */
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
        r->element[0]->type == REDIS_REPLY_STRING && r->element[1]->type == REDIS_REPLY_STRING) {
        char host[256];
        snprintf(host, sizeof host, "%s", r->element[0]->str);
        int port = atoi(r->element[1]->str);
        s->ac = NULL;
        redisAsyncDisconnect(ac); /* deferred by hiredis until this callback returns */
        finish(s, host, port);
        return;
    }
    log_debug("sentinel %s:%d knows no master %s", s->hosts[s->next - 1], s->ports[s->next - 1],
              s->name);
    s->ac = NULL;
    redisAsyncDisconnect(ac);
    try_next(s);
}

static void on_connect(const redisAsyncContext *ac, int status)
{
    struct sentinel *s = ac->data;
    if (ac != s->ac)
        return;
    if (status != REDIS_OK) {
        s->ac = NULL; /* hiredis frees it after this callback */
        try_next(s);
        return;
    }
    if (redisAsyncCommand(s->ac, on_addr, s, "SENTINEL get-master-addr-by-name %s", s->name) !=
        REDIS_OK) {
        drop(s);
        try_next(s);
    }
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    struct sentinel *s = ac->data;
    if (ac == s->ac) { /* the sentinel went away before answering */
        s->ac = NULL;
        try_next(s);
    }
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
    struct sentinel *s = arg;
    if (!s->busy)
        return;
    log_debug("sentinel %s:%d did not answer in time", s->hosts[s->next - 1],
              s->ports[s->next - 1]);
    drop(s);
    try_next(s);
}

static void try_next(struct sentinel *s)
{
    if (!s->busy)
        return;
    if (s->next >= s->n) {
        log_warn("no sentinel named the Redis master %s: answering uncached", s->name);
        finish(s, NULL, 0);
        return;
    }
    int i = s->next++;
    redisAsyncContext *ac = redisAsyncConnect(s->hosts[i], s->ports[i]);
    if (!ac || ac->err) {
        if (ac)
            redisAsyncFree(ac);
        try_next(s);
        return;
    }
    ac->data = s;
    s->ac = ac;
    redisLibeventAttach(ac, s->base);
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    struct timeval tv = {0, 500000};
    evtimer_add(s->timer, &tv);
}

struct sentinel *sentinel_new(struct event_base *base, const char *spec)
{
    struct sentinel *s = xcalloc(1, sizeof *s);
    s->base = base;
    if (parse(s, spec) < 0 || !(s->timer = evtimer_new(base, on_timeout, s))) {
        sentinel_free(s);
        return NULL;
    }
    return s;
}

void sentinel_free(struct sentinel *s)
{
    if (!s)
        return;
    s->busy = 0;
    drop(s);
    if (s->timer)
        event_free(s->timer);
    clear(s);
    free(s);
}

void sentinel_resolve(struct sentinel *s, sentinel_done_fn done, void *arg)
{
    if (s->busy)
        return;
    s->busy = 1;
    s->next = 0;
    s->done = done;
    s->arg = arg;
    try_next(s);
}
