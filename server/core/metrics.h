/*
 * metrics.h - request counters and latency histograms for /metrics.
 *
 * Counters are atomics indexed by route and status, updated by every
 * worker without a lock; /metrics renders them in the Prometheus text
 * format.  Other modules register named counters (cache hits, ...) with
 * metrics_add().  Requests are labelled by route: the table is handed
 * over once at start-up (metrics_label_routes), so this module knows
 * nothing of the router.
 */
#ifndef SHUCU_METRICS_H
#define SHUCU_METRICS_H

#include <stdatomic.h>
#include <stdint.h>

struct evbuffer;
struct route;

/* Labels route index i with table[i]'s method and pattern; call once,
 * before any request is counted.  Until then every route is "unmatched". */
void metrics_label_routes(const struct route *table, int n);

void metrics_request(int route_index, int status, double seconds);

enum metrics_counter {
    MC_CACHE_HITS,
    MC_CACHE_MISSES,
    MC_CACHE_ERRORS,
    MC_CACHE_RECONNECTS,
    MC_CACHE_RTT_US_SUM,
    MC_CACHE_RTT_COUNT,
    MC_CONN_REJECTED, /* accepted beyond the connection cap */
    MC_CONN_EXPIRED,  /* closed for sending no whole request in time */
    MC_NCOUNTERS
};
void metrics_add(enum metrics_counter c, uint64_t n);
/* The gauge of open client connections (conn.c). */
void metrics_connections(int delta);

/* Appends the Prometheus text of everything to buf. */
void metrics_render(struct evbuffer *buf, int64_t db_bytes);

#endif
