/*
 * conn.c - a worker's open connections, tracked from outside evhttp (see
 * conn.h).
 *
 * evhttp 2.1 tells nobody when it accepts or closes a connection, but it
 * lets the server make each connection's bufferevent (evhttp_set_bevcb).
 * So the server makes it, takes one extra reference on it and keeps it in
 * a table.  evhttp releases a connection with bufferevent_free(), which
 * clears the callbacks before dropping evhttp's reference; while evhttp
 * holds it, the event callback is always set.  A tracked bufferevent
 * whose callbacks are all NULL is therefore one evhttp has let go of: the
 * table drops it and its last reference.  The extra reference keeps the
 * pointer valid until then, so there is never a dangling lookup.
 *
 * A timer sweeps the table a few times a second: released connections
 * leave it, and a connection that has not delivered a whole request within
 * the deadline (counted from its accept or its previous request) is shut
 * down; evhttp then sees the end of the stream and frees it as usual.
 * Trickling one header byte a second therefore no longer keeps a
 * connection forever, as it did with evhttp's idle timeout alone.
 *
 * Beyond the cap, a connection is marked when it is made: its first
 * request gets 503 and the connection is closed (router.c).  Beyond a
 * quarter more, it is shut down at once, so a flood cannot take every
 * descriptor the process has.
 *
 * Everything here runs on the worker's own thread; nothing is shared.
 */
#include "conn.h"

#include "errpage.h"
#include "log.h"
#include "metrics.h"
#include "util.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>

struct tracked {
    struct bufferevent *bev;
    double since;   /* accept, or the start of the last request */
    double started; /* first byte of the request being read; 0: none */
    int over_cap;   /* accepted beyond the cap: answer 503 */
    int shut;       /* already shut down by us */
};

struct conns {
    struct event_base *base;
    struct tracked **v; /* each entry is allocated alone: its address is
                           the argument of its input buffer's callback */
    size_t n, cap_v;
    long cap;
    double deadline;
    struct event *sweep_ev; /* periodic sweep */
    struct event *flood_ev; /* shuts down connections far beyond the cap */
    long rejected, expired;
};

static int released(struct bufferevent *bev)
{
    bufferevent_data_cb rd = NULL, wr = NULL;
    bufferevent_event_cb ev = NULL;
    bufferevent_getcb(bev, &rd, &wr, &ev, NULL);
    return !rd && !wr && !ev;
}

/* Data arrived on a connection: a request is being read from the first
 * byte after the previous one was dispatched (evhttp uses bufferevent
 * callbacks, never these evbuffer ones). */
static void on_input(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    struct tracked *t = arg;
    if (info->n_added > 0 && t->started == 0)
        t->started = util_monotonic();
}

static void shut(struct tracked *t)
{
    evutil_socket_t fd = bufferevent_getfd(t->bev);
    if (fd >= 0 && !t->shut)
        shutdown(fd, SHUT_RDWR);
    t->shut = 1;
}

/* Drops the connections evhttp has released. */
static void reap(struct conns *c)
{
    for (size_t i = 0; i < c->n;) {
        if (released(c->v[i]->bev)) {
            bufferevent_decref(c->v[i]->bev); /* frees it, and its callbacks */
            free(c->v[i]);
            metrics_connections(-1);
            c->v[i] = c->v[--c->n];
        } else {
            i++;
        }
    }
}

static void sweep_cb(evutil_socket_t fd, short what, void *arg)
{
    struct conns *c = arg;
    reap(c);
    double now = util_monotonic();
    for (size_t i = 0; i < c->n; i++) {
        struct tracked *t = c->v[i];
        if (!t->shut && now - t->since > c->deadline) {
            shut(t);
            c->expired++;
            metrics_add(MC_CONN_EXPIRED, 1);
            log_debug("closed a connection that sent no whole request in %.0f s", c->deadline);
        }
    }
}

/* Far beyond the cap: shut the connections accepted over it now rather
 * than after their first request. */
static void flood_cb(evutil_socket_t fd, short what, void *arg)
{
    struct conns *c = arg;
    reap(c);
    if ((long)c->n <= c->cap + c->cap / 4 + 1)
        return;
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i]->over_cap)
            shut(c->v[i]);
}

/* evhttp_set_bevcb: makes the bufferevent of a connection being accepted
 * (evhttp sets its socket right after). */
static struct bufferevent *on_accept(struct event_base *base, void *arg)
{
    struct conns *c = arg;
    struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (!bev)
        return NULL; /* evhttp makes its own; this one goes untracked */
    if ((long)c->n >= c->cap)
        reap(c); /* count only the connections still open */
    if (c->n == c->cap_v) {
        c->cap_v = c->cap_v ? c->cap_v * 2 : 64;
        c->v = xrealloc(c->v, c->cap_v * sizeof *c->v);
    }
    bufferevent_incref(bev);
    struct tracked *t = xcalloc(1, sizeof *t);
    *t = (struct tracked){.bev = bev, .since = util_monotonic(), .over_cap = (long)c->n >= c->cap};
    evbuffer_add_cb(bufferevent_get_input(bev), on_input, t);
    errpage_watch(bufferevent_get_output(bev)); /* evhttp's HTML errors as JSON */
    c->v[c->n++] = t;
    metrics_connections(1);
    if (t->over_cap) {
        c->rejected++;
        metrics_add(MC_CONN_REJECTED, 1);
        if ((long)c->n > c->cap + c->cap / 4 + 1)
            event_active(c->flood_ev, EV_READ, 0); /* after evhttp sets the socket */
    }
    return bev;
}

struct conns *conns_new(struct event_base *base, struct evhttp *http, long cap, double deadline)
{
    struct conns *c = xcalloc(1, sizeof *c);
    c->base = base;
    c->cap = cap > 0 ? cap : 1;
    c->deadline = deadline > 0 ? deadline : 60;
    c->sweep_ev = event_new(base, -1, EV_PERSIST, sweep_cb, c);
    c->flood_ev = event_new(base, -1, 0, flood_cb, c);
    if (!c->sweep_ev || !c->flood_ev) {
        conns_free(c);
        return NULL;
    }
    double every = c->deadline / 4 < 1.0 ? c->deadline / 4 : 1.0;
    struct timeval tv = {(long)every, (long)((every - (long)every) * 1e6)};
    event_add(c->sweep_ev, &tv);
    evhttp_set_bevcb(http, on_accept, c);
    return c;
}

void conns_free(struct conns *c)
{
    if (!c)
        return;
    /* evhttp_free() has released every connection: only our references
     * are left. */
    for (size_t i = 0; i < c->n; i++) {
        bufferevent_decref(c->v[i]->bev);
        free(c->v[i]);
    }
    metrics_connections(-(int)c->n);
    if (c->sweep_ev)
        event_free(c->sweep_ev);
    if (c->flood_ev)
        event_free(c->flood_ev);
    free(c->v);
    free(c);
}

int conns_on_request(struct conns *c, struct evhttp_request *req, double *started)
{
    struct evhttp_connection *evcon = evhttp_request_get_connection(req);
    struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
    double now = util_monotonic();
    *started = now;
    if (!c || !bev)
        return 0;
    /* Newest first: a connection's requests come while it is young, and
     * a benchmark's few dozen connections make this a short scan. */
    for (size_t i = c->n; i-- > 0;) {
        struct tracked *t = c->v[i];
        if (t->bev != bev)
            continue;
        if (t->started > 0)
            *started = t->started;
        t->since = now;
        /* Bytes still buffered belong to the next (pipelined) request. */
        t->started = evbuffer_get_length(bufferevent_get_input(bev)) > 0 ? now : 0;
        return t->over_cap;
    }
    return 0;
}

long conns_live(struct conns *c)
{
    if (!c)
        return 0;
    reap(c);
    return (long)c->n;
}

void conns_close_idle(struct conns *c)
{
    if (!c)
        return;
    reap(c);
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i]->started == 0)
            shut(c->v[i]);
}

long conns_open(const struct conns *c)
{
    long n = 0;
    if (c)
        for (size_t i = 0; i < c->n; i++)
            n += !released(c->v[i]->bev);
    return n;
}

long conns_rejected(const struct conns *c)
{
    return c ? c->rejected : 0;
}

long conns_expired(const struct conns *c)
{
    return c ? c->expired : 0;
}

long conns_fit_limit(long cap, long nworkers)
{
    enum { RESERVE = 64 }; /* database, WAL, Redis, logs, static files */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return cap;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
            getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur == RLIM_INFINITY)
        return cap;
    long room = ((long)rl.rlim_cur - RESERVE) / (nworkers > 0 ? nworkers : 1);
    if (room < 1)
        room = 1;
    return cap < room ? cap : room;
}
