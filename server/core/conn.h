/*
 * conn.h - a worker's open connections: a cap, and a deadline for each
 * request, so idle or half-sent requests (slowloris) cannot starve others.
 *
 * evhttp 2.1 has neither: its timeout is an idle timeout that every byte
 * renews, and it accepts until the process runs out of descriptors.  See
 * conn.c for how the connections are tracked from outside evhttp.
 */
#ifndef SHUCU_CONN_H
#define SHUCU_CONN_H

#include <event2/event.h>
#include <event2/http.h>

struct conns;

/*
 * Tracks the connections of http (which runs on base): at most cap open
 * at once (the ones beyond are answered 503 and closed), and each must
 * deliver a whole request within deadline seconds of being accepted or of
 * its previous request.  Returns NULL when out of resources.  Free with
 * conns_free() after evhttp_free(http).
 */
struct conns *conns_new(struct event_base *base, struct evhttp *http, long cap, double deadline);
void conns_free(struct conns *c);

/*
 * Called for each request as it is dispatched: restarts its connection's
 * deadline and stores in *started when the request's first byte arrived
 * (now, if unknown).  Returns 1 when the connection was accepted beyond
 * the cap (answer 503 and close it), else 0.
 */
int conns_on_request(struct conns *c, struct evhttp_request *req, double *started);

/* Connections evhttp still holds.  A stopping worker closes the idle ones
 * (conns_close_idle) and answers the others with Connection: close, so it
 * is done when none are left: every answer has then been written. */
long conns_live(struct conns *c);

/* Shuts down the connections that are not sending a request (idle
 * keep-alive ones), so a stopping worker need not wait for them. */
void conns_close_idle(struct conns *c);

/* Open connections now, and counters since start (for /metrics). */
long conns_open(const struct conns *c);
long conns_rejected(const struct conns *c);
long conns_expired(const struct conns *c);

/*
 * Raises the soft limit on open descriptors to the hard limit and returns
 * the connections each of nworkers may hold with room left for files,
 * SQLite and Redis: min(cap, (limit - reserve) / nworkers), at least 1.
 */
long conns_fit_limit(long cap, long nworkers);

#endif
