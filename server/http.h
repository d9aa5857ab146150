/*
 * http.h - the request context every handler receives, and the only
 * functions that answer a request.
 *
 * A handler is called with a struct req whose route, path parameters,
 * query, caller and (for JSON routes) parsed body are ready.  It must
 * answer exactly once, now or later (after an asynchronous cache lookup),
 * with reply_json() or reply_error(); either call sends the response,
 * logs the access line, counts metrics and frees the request.
 *
 * Errors are named by enum http_err; http.c holds the one table that maps
 * each to its HTTP status and contract code, so no handler invents an
 * error body.
 */
#ifndef SHUCU_HTTP_H
#define SHUCU_HTTP_H

#include "config.h"

#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <stdatomic.h>
#include <sys/queue.h>
#include <stdint.h>

struct db;
struct cache;
struct syn;

enum http_method {
    M_GET = 1,
    M_POST = 2,
    M_PUT = 4,
    M_PATCH = 8,
    M_DELETE = 16,
};

/* Roles as bits, so a route lists the roles it admits. */
enum role {
    ROLE_ENTERPRISE = 1,
    ROLE_PROVIDER = 2,
    ROLE_CENTER = 4,
    ROLE_ADMIN = 8,
};
#define ROLE_PUBLIC 0 /* no key needed */
#define ROLE_ANY (ROLE_ENTERPRISE | ROLE_PROVIDER | ROLE_CENTER | ROLE_ADMIN)

enum http_err {
    ERR_BAD_JSON,
    ERR_BAD_QUERY,
    ERR_BAD_PARAM,
    ERR_UNAUTHORIZED,
    ERR_FORBIDDEN,
    ERR_NOT_FOUND,
    ERR_METHOD,
    ERR_CONFLICT,
    ERR_TOO_LARGE,
    ERR_MEDIA_TYPE,
    ERR_INVALID_FIELD,
    ERR_RATE_LIMITED,
    ERR_UNAVAILABLE,
    ERR_INTERNAL,
};

enum body_kind {
    BODY_NONE,
    BODY_JSON,     /* a JSON object is required */
    BODY_JSON_OPT, /* a JSON object, or no body (treated as {}) */
    BODY_NDJSON,   /* raw NDJSON, up to the bulk limit */
};

struct req;
typedef void (*handler_fn)(struct req *r);

struct route {
    int method;
    const char *pattern; /* "/v1/resources/{}"; also the metrics label */
    handler_fn fn;
    int roles;           /* ROLE_PUBLIC or a set of ROLE_* bits */
    enum body_kind body;
};

/* Everything a worker thread owns.  Handlers reach the database and the
 * cache of their own thread through r->w; nothing here is shared. */
struct worker {
    int id;
    struct event_base *base;
    struct evhttp *http;
    struct evhttp_bound_socket *sock;
    struct db *db;
    struct cache *cache;
    const struct config *cfg;
    struct event *stop_ev;
    struct event *drain_ev;
    atomic_int inflight;
    int draining;
    double drain_started;
    long ndocs;         /* published resources, refreshed every second */
    double ndocs_at;
    struct dfcache *df; /* document frequencies at data generation df_gen */
    long long df_gen;
    struct conns *conns; /* open connections: cap and deadline (conn.h) */
};

/* Shared, read-only after start-up. */
struct app {
    const struct config *cfg;
    struct syn *syn;
    double started;
    atomic_int shutting_down;
    atomic_llong stop_at_us; /* util_monotonic() of the stop signal, in µs */
};
extern struct app app;

#define REQ_MAX_PARAMS 4

struct caller {
    int role;          /* 0 when anonymous */
    char org_id[40];
    char org_name[256];
    char prefix[16];   /* key prefix, for logs */
};

struct req {
    struct evhttp_request *ev;
    struct worker *w;
    const struct route *route;
    int route_index;
    int method;
    char *path;
    char *params[REQ_MAX_PARAMS];
    struct evkeyvalq query;
    json_t *body;            /* parsed JSON object for BODY_JSON routes */
    const char *raw;         /* raw body bytes for BODY_NDJSON routes */
    size_t rawlen;
    struct caller who;
    double t0;
};

/* "GET", "POST", ... for an M_* method; "OTHER" for the rest. */
const char *http_method_name(int m);

/* Answer with status and a JSON body (stolen). */
void reply_json(struct req *r, int status, json_t *body);
/* Answer with a contract error; field may be NULL. */
void reply_error(struct req *r, enum http_err e, const char *field,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Answer with raw bytes (static files, metrics). */
void reply_raw(struct req *r, int status, const char *ctype, const void *data,
               size_t len);
/* The same, with the body head[0..hlen) followed by tail[0..tlen), neither
 * copied into the other first. */
void reply_parts(struct req *r, int status, const char *ctype, const void *head, size_t hlen,
                 const void *tail, size_t tlen);
void reply_header(struct req *r, const char *name, const char *value);

/* 1 when org_id (may be NULL) is the caller's organisation: the one place
 * ownership is compared.  Anonymous callers own nothing. */
int req_is_caller(const struct req *r, const char *org_id);

/* Query-string helpers.  The *_param functions answer 400 bad_param
 * themselves and return -1 on a bad value. */
const char *req_query(struct req *r, const char *name);
int req_long_param(struct req *r, const char *name, long def, long min,
                   long max, long *out);
/* Bitmask of a repeatable taxonomy filter (industry=a&industry=b or a,b). */
int req_mask_param(struct req *r, const char *name, int vocab, int64_t *out);
/* The If-Match version, 0 when absent, -1 (after answering) when bad. */
int req_if_match(struct req *r, int64_t *version);

/* Role helpers. */
const char *role_name(int role);
int role_parse(const char *s);

/* Server lifecycle (server.c). */
int server_run(struct config *cfg);

/* Sets up worker w (zeroed by the caller): an event base, an evhttp
 * accepting on the listening socket fd, its connection table, a database
 * connection to cfg->db and a cache.  app.cfg and the taxonomy must be
 * loaded.  0, or -1 with what was made so far left for worker_free().
 * Also used by the HTTP fuzz target (tests/fuzz/fuzz_http.c). */
int worker_init(struct worker *w, int id, const struct config *cfg, evutil_socket_t fd,
                long max_conns);
/* Frees everything worker_init() made; the loop must not be running. */
void worker_free(struct worker *w);

/* Dispatch one request on worker w (router.c). */
void router_dispatch(struct evhttp_request *ev, void *worker);
const struct route *router_routes(int *n);

#endif
