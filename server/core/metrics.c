/*
 * metrics.c - lock-free counters rendered as Prometheus text.
 */
#include "metrics.h"

#include "route.h"

#include <event2/buffer.h>
#include <stdio.h>

#define MAX_ROUTES 96

/* Every status shucu or evhttp answers with; any other is "other". */
static const int STATUSES[] = {200, 201, 204, 206, 301, 302, 304, 400, 401, 403,
                               404, 405, 408, 409, 411, 413, 414, 415, 417, 422,
                               429, 431, 500, 501, 503, 505};
#define NSTATUS ((int)(sizeof STATUSES / sizeof STATUSES[0]))
static const double BUCKETS[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                 0.05, 0.1, 0.25, 0.5, 1, 2.5};
#define NBUCKETS ((int)(sizeof BUCKETS / sizeof BUCKETS[0]))

/* Route index -1 (no route matched) is stored at MAX_ROUTES. */
static atomic_uint_fast64_t requests[MAX_ROUTES + 1][NSTATUS + 1];
static atomic_uint_fast64_t hist[MAX_ROUTES + 1][NBUCKETS + 1];
static atomic_uint_fast64_t hist_sum_us[MAX_ROUTES + 1];
static atomic_uint_fast64_t counters[MC_NCOUNTERS];

static const char *const COUNTER_NAMES[MC_NCOUNTERS] = {
    "shucu_cache_hits_total", "shucu_cache_misses_total",
    "shucu_cache_errors_total", "shucu_cache_reconnects_total",
    "shucu_cache_rtt_microseconds_sum", "shucu_cache_rtt_count",
    "shucu_connections_rejected_total", "shucu_connections_expired_total"};
static atomic_int_fast64_t open_connections;

void metrics_connections(int delta)
{
    atomic_fetch_add(&open_connections, delta);
}

void metrics_add(enum metrics_counter c, uint64_t n)
{
    atomic_fetch_add(&counters[c], n);
}

void metrics_request(int route_index, int status, double seconds)
{
    int ri = route_index >= 0 && route_index < MAX_ROUTES ? route_index : MAX_ROUTES;
    int si = NSTATUS;
    for (int i = 0; i < NSTATUS; i++)
        if (STATUSES[i] == status)
            si = i;
    atomic_fetch_add(&requests[ri][si], 1);
    int b = NBUCKETS;
    for (int i = 0; i < NBUCKETS; i++)
        if (seconds <= BUCKETS[i]) {
            b = i;
            break;
        }
    atomic_fetch_add(&hist[ri][b], 1);
    atomic_fetch_add(&hist_sum_us[ri], (uint64_t)(seconds * 1e6));
}

/* The labels of each route index, set once before any worker starts. */
static const struct route *routes;
static int nroutes;

void metrics_label_routes(const struct route *table, int n)
{
    routes = table;
    nroutes = n < MAX_ROUTES ? n : MAX_ROUTES;
}

void metrics_render(struct evbuffer *buf, int64_t db_bytes)
{
    evbuffer_add_printf(buf, "# HELP shucu_http_requests_total HTTP requests by method, route and status.\n"
                             "# TYPE shucu_http_requests_total counter\n");
    for (int ri = 0; ri <= MAX_ROUTES; ri++) {
        if (ri < MAX_ROUTES && ri >= nroutes)
            continue;
        const char *label = ri < nroutes ? routes[ri].pattern : "unmatched";
        const char *method = ri < nroutes ? http_method_name(routes[ri].method) : "any";
        for (int si = 0; si <= NSTATUS; si++) {
            uint64_t n = atomic_load(&requests[ri][si]);
            if (n)
            {
                char st[16] = "other";
                if (si < NSTATUS)
                    snprintf(st, sizeof st, "%d", STATUSES[si]);
                evbuffer_add_printf(buf, "shucu_http_requests_total{method=\"%s\",route=\"%s\",status=\"%s\"} %llu\n",
                                    method, label, st, (unsigned long long)n);
            }
        }
    }
    evbuffer_add_printf(buf, "# HELP shucu_http_request_duration_seconds Request latency.\n"
                             "# TYPE shucu_http_request_duration_seconds histogram\n");
    for (int ri = 0; ri <= MAX_ROUTES; ri++) {
        if (ri < MAX_ROUTES && ri >= nroutes)
            continue;
        const char *label = ri < nroutes ? routes[ri].pattern : "unmatched";
        const char *method = ri < nroutes ? http_method_name(routes[ri].method) : "any";
        uint64_t cum = 0;
        for (int b = 0; b <= NBUCKETS; b++)
            cum += atomic_load(&hist[ri][b]);
        if (!cum)
            continue;
        uint64_t run = 0;
        for (int b = 0; b < NBUCKETS; b++) {
            run += atomic_load(&hist[ri][b]);
            evbuffer_add_printf(buf, "shucu_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"%g\"} %llu\n",
                                method, label, BUCKETS[b], (unsigned long long)run);
        }
        evbuffer_add_printf(buf, "shucu_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"+Inf\"} %llu\n",
                            method, label, (unsigned long long)cum);
        evbuffer_add_printf(buf, "shucu_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n",
                            method, label, (double)atomic_load(&hist_sum_us[ri]) / 1e6);
        evbuffer_add_printf(buf, "shucu_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %llu\n",
                            method, label, (unsigned long long)cum);
    }
    for (int c = 0; c < MC_NCOUNTERS; c++)
        evbuffer_add_printf(buf, "# TYPE %s counter\n%s %llu\n", COUNTER_NAMES[c],
                            COUNTER_NAMES[c], (unsigned long long)atomic_load(&counters[c]));
    evbuffer_add_printf(buf, "# HELP shucu_connections_open Client connections open now.\n"
                             "# TYPE shucu_connections_open gauge\nshucu_connections_open %lld\n",
                        (long long)atomic_load(&open_connections));
    evbuffer_add_printf(buf, "# HELP shucu_db_size_bytes Size of the SQLite database.\n"
                             "# TYPE shucu_db_size_bytes gauge\nshucu_db_size_bytes %lld\n",
                        (long long)db_bytes);
}
