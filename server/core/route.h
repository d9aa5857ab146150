/*
 * route.h - what an endpoint is: its method, path pattern, the roles it
 * admits, the body it takes and its handler.  The table itself is
 * server/api/routes.c, the one list of every endpoint; the router
 * (router.c) matches requests against it, and the metrics are labelled
 * from it (metrics_label_routes, called once by server.c).
 *
 * Flags, types and prototypes only.
 */
#ifndef SHUCU_ROUTE_H
#define SHUCU_ROUTE_H

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
    ROLE_AUTHORITY = 16, /* issue 20: a 经信局 over a region; reads, never writes */
};
#define ROLE_PUBLIC 0 /* no key needed */
/* Every role that writes records.  The authority is not in it: a route
 * that admits it names it (routes.c), route by route, so that no write
 * route reaches an authority by default. */
#define ROLE_ANY (ROLE_ENTERPRISE | ROLE_PROVIDER | ROLE_CENTER | ROLE_ADMIN)
/* Every signed-in caller, the authority included: one's own account,
 * sessions and inbox. */
#define ROLE_SIGNED_IN (ROLE_ANY | ROLE_AUTHORITY)
#define ROLE_LAST ROLE_AUTHORITY

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

/* The table (server/api/routes.c), and the handler for a GET of a path
 * outside /v1/ that no route names (the web console's files). */
extern const struct route ROUTES[];
extern const int NROUTES;
extern const handler_fn ROUTE_FALLBACK;

/* "GET", "POST", ... for an M_* method; "OTHER" for the rest. */
const char *http_method_name(int m);

/* "enterprise", ... for one ROLE_* bit ("anonymous" for anything else),
 * and the reverse (0 for an unknown name). */
const char *role_name(int role);
int role_parse(const char *s);

#endif
