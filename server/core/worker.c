/*
 * worker.c - one worker thread (see worker.h): its event base, its
 * HTTP server (httpd.h) on the shared listening socket, its connections to SQLite and
 * Redis, the access-log flush timer, and the drain on stop: a stopping
 * worker closes its accept socket and idle connections, waits for its
 * requests in flight (at most DRAIN_SECONDS), and leaves its loop.
 */
#include "worker.h"

#include "cache.h"
#include "httpd.h"
#include "corpus.h"
#include "db.h"
#include "log.h"
#include "router.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* A stopping worker waits at most this long for requests in flight, for
 * requests still being received and for answers still being written. */
#define DRAIN_SECONDS 10

static void drain_cb(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;
    double waited = util_monotonic() - w->drain_started;
    if ((atomic_load(&w->inflight) == 0 && httpd_live(w->httpd) == 0) || waited > DRAIN_SECONDS)
        event_base_loopexit(w->base, NULL);
}

static void stop_cb(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;
    if (w->draining)
        return;
    w->draining = 1;
    w->drain_started = util_monotonic();
    httpd_stop(w->httpd); /* no more accepts; idle connections close */
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
     * (the read and write interest per request, hiredis's write
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
    if (!w->base)
        return -1;
    static const struct httpd_app APP = {router_head, router_request, router_error};
    struct httpd_limits lim = {.max_conns = max_conns,
                               .request_deadline = (double)cfg->request_timeout,
                               .idle_timeout = (double)cfg->timeout,
                               .header_limit = (size_t)cfg->header_limit};
    w->httpd = httpd_new(w->base, fd, &APP, &lim, w);
    if (!w->httpd)
        return -1;
    w->db = db_open(cfg->db);
    if (!w->db)
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
    httpd_free(w->httpd); /* requests in flight are detached */
    w->httpd = NULL;
    if (w->stop_ev)
        event_free(w->stop_ev);
    if (w->drain_ev)
        event_free(w->drain_ev);
    db_close(w->db);
    corpus_free(w->corpus);
    if (w->base)
        event_base_free(w->base);
}
