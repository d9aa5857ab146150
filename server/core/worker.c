/*
 * worker.c - one worker thread (see worker.h): its event base, its
 * evhttp on the shared listening socket, its connections to SQLite and
 * Redis, the access-log flush timer, and the drain on stop: a stopping
 * worker closes its accept socket and idle connections, waits for its
 * requests in flight (at most DRAIN_SECONDS), and leaves its loop.
 */
#include "worker.h"

#include "cache.h"
#include "conn.h"
#include "corpus.h"
#include "db.h"
#include "log.h"
#include "util.h"

#include <event2/listener.h>
#include <stdlib.h>
#include <string.h>

/* A stopping worker waits at most this long for requests in flight, for
 * requests still being received and for answers still being written. */
#define DRAIN_SECONDS 10

static void drain_cb(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;
    double waited = util_monotonic() - w->drain_started;
    if ((atomic_load(&w->inflight) == 0 && conns_live(w->conns) == 0) || waited > DRAIN_SECONDS)
        event_base_loopexit(w->base, NULL);
}

static void stop_cb(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;
    if (w->draining)
        return;
    w->draining = 1;
    w->drain_started = util_monotonic();
    if (w->sock)
        evhttp_del_accept_socket(w->http, w->sock);
    w->sock = NULL;
    conns_close_idle(w->conns); /* the rest are sending a request: wait */
    struct timeval tv = {0, 20000};
    event_add(w->drain_ev, &tv);
}

static void log_flush_cb(evutil_socket_t fd, short what, void *arg)
{
    log_flush();
}

void *worker_main(void *arg)
{
    struct worker *w = arg;
    log_buffer_start();
    struct event *flush = event_new(w->base, -1, EV_PERSIST, log_flush_cb, NULL);
    struct timeval tv = {0, LOG_FLUSH_MS * 1000};
    if (flush)
        event_add(flush, &tv);
    event_base_dispatch(w->base);
    if (flush)
        event_free(flush);
    log_buffer_stop();
    return NULL;
}

int worker_init(struct worker *w, int id, const struct config *cfg, evutil_socket_t fd,
                long max_conns)
{
    w->id = id;
    w->cfg = cfg;
    /* The epoll changelist folds each loop turn's enable/disable pairs
     * (evhttp's read and write interest per request, hiredis's write
     * interest per batch) into one epoll_ctl per descriptor: ~6 calls per
     * cached answer became ~2.  Safe here: no descriptor is dup()ed. */
    struct event_config *ec = event_config_new();
    if (ec)
        event_config_set_flag(ec, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    w->base = ec ? event_base_new_with_config(ec) : NULL;
    if (ec)
        event_config_free(ec);
    if (!w->base)
        w->base = event_base_new();
    w->http = w->base ? evhttp_new(w->base) : NULL;
    if (!w->http)
        return -1;
    evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                            EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
                                            EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
    evhttp_set_max_body_size(w->http, (ev_ssize_t)cfg->bulk_limit);
    evhttp_set_max_headers_size(w->http, (ev_ssize_t)cfg->header_limit);
    evhttp_set_timeout(w->http, (int)cfg->timeout);
    evhttp_set_gencb(w->http, router_dispatch, w);
    w->conns = conns_new(w->base, w->http, max_conns, (double)cfg->request_timeout);
    if (!w->conns)
        return -1;
    /* The workers share one listening socket. evhttp_accept_socket_with_handle
     * would close it when a worker lets go of it (LEV_OPT_CLOSE_ON_FREE): once
     * per worker at the start of a stop, while the others still drain, so a
     * descriptor number reused in between (a Redis reconnect, say) could be
     * closed under its new owner.  Each worker's listener leaves the socket
     * open; server_run closes it once, after every worker has stopped. */
    struct evconnlistener *lev =
        evconnlistener_new(w->base, NULL, NULL, LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
    w->sock = lev ? evhttp_bind_listener(w->http, lev) : NULL;
    if (lev && !w->sock)
        evconnlistener_free(lev);
    w->db = db_open(cfg->db);
    if (!w->sock || !w->db)
        return -1;
    w->cache = cache_new(w->base, cfg->redis);
    w->stop_ev = event_new(w->base, -1, 0, stop_cb, w);
    w->drain_ev = event_new(w->base, -1, EV_PERSIST, drain_cb, w);
    return 0;
}

void worker_free(struct worker *w)
{
    /* The cache first: lookups still pending are answered (uncached)
     * while their connections still exist. */
    cache_free(w->cache);
    w->cache = NULL;
    if (w->http)
        evhttp_free(w->http);
    conns_free(w->conns); /* after evhttp has released every connection */
    w->conns = NULL;
    if (w->stop_ev)
        event_free(w->stop_ev);
    if (w->drain_ev)
        event_free(w->drain_ev);
    db_close(w->db);
    corpus_free(w->corpus);
    if (w->base)
        event_base_free(w->base);
}
