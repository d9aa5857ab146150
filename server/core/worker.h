/*
 * worker.h - one worker thread: its event loop, its evhttp, and its own
 * connections to SQLite and Redis.  Handlers reach the database and the
 * cache of their own thread through r->w; nothing here is shared between
 * threads except the atomic count of requests in flight.
 */
#ifndef SHUCU_WORKER_H
#define SHUCU_WORKER_H

#include "config.h"

#include <event2/event.h>
#include <stdatomic.h>

struct db;
struct cache;
struct corpus;
struct httpd;

struct worker {
    int id;
    struct event_base *base;
    struct httpd *httpd;   /* its connections and their HTTP framing */
    struct db *db;
    struct cache *cache;
    struct corpus *corpus; /* corpus statistics for ranking (corpus.h) */
    const struct config *cfg;
    struct event *stop_ev;
    struct event *drain_ev;
    atomic_int inflight;
    int draining;
    double drain_started;
};

/* Sets up worker w (zeroed by the caller): an event base, an evhttp
 * accepting on the listening socket fd, its connection table, a database
 * connection to cfg->db and a cache.  app.cfg and the taxonomy must be
 * loaded.  0, or -1 with what was made so far left for worker_free().
 * Also used by the HTTP fuzz target (tests/fuzz/fuzz_http.c). */
int worker_init(struct worker *w, int id, const struct config *cfg, evutil_socket_t fd,
                long max_conns);
/* Frees everything worker_init() made; the loop must not be running. */
void worker_free(struct worker *w);
/* The thread's body: runs w's loop until it is told to stop. */
void *worker_main(void *w);

#endif
