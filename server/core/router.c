/*
 * router.c - from a request's head to its handler (the application side
 * of httpd.h).
 *
 * At the head (router_head), before any of the body is read: the stop and
 * the connection cap (503), the per-address rate limit, the path against
 * the route table (404, or 405 with Allow), authentication (401, 403),
 * the per-key rate limit, and the body the route takes: none (a body is
 * 413), JSON up to --body-limit, NDJSON up to --bulk-limit - so only an
 * authenticated caller of a bulk route can make the server hold a large
 * body - and its media type (415).  With the body in (router_request):
 * 400 bad_json for a body Jansson cannot parse (invalid UTF-8, NUL
 * escapes, duplicate keys, nesting deeper than the limit), then the
 * handler.  Errors of the HTTP layer itself (router_error) are answered
 * in the same JSON shape.
 */
#include "router.h"

#include "req.h"
#include "worker.h"

#include "auth.h"
#include "db.h"
#include "httpd.h"
#include "ratelimit.h"
#include "session.h"
#include "util.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_SEGS 12

/* Splits the raw path into percent-decoded segments; -1 if malformed. */
static int split_path(const char *raw, char *segs[MAX_SEGS], int *nseg)
{
    *nseg = 0;
    if (raw[0] != '/')
        return -1;
    const char *p = raw + 1;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (*nseg == MAX_SEGS)
            return -1;
        char *enc = xstrndup(p, len);
        size_t outlen;
        char *dec = evhttp_uridecode(enc, 0, &outlen);
        free(enc);
        if (!dec)
            return -1;
        if (strlen(dec) != outlen || !util_utf8_valid(dec, outlen)) {
            free(dec);
            return -1;
        }
        segs[(*nseg)++] = dec;
        if (!slash)
            break;
        p = slash + 1;
    }
    return 0;
}

/* 1 when the pattern matches the segments; fills params. */
static int match(const char *pattern, char *segs[], int nseg, char *params[])
{
    const char *p = pattern + 1;
    int i = 0, np = 0;
    while (*p || i < nseg) {
        if (i >= nseg || !*p)
            return 0;
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (len == 2 && p[0] == '{' && p[1] == '}') {
            if (!segs[i][0] || np >= REQ_MAX_PARAMS)
                return 0;
            params[np++] = segs[i];
        } else if (strlen(segs[i]) != len || strncmp(segs[i], p, len) != 0) {
            return 0;
        }
        i++;
        p = slash ? slash + 1 : p + len;
    }
    return 1;
}

static int media_ok(const char *ctype, enum body_kind kind)
{
    if (!ctype)
        return 0;
    size_t n = strcspn(ctype, ";");
    while (n && ctype[n - 1] == ' ')
        n--;
    if (kind == BODY_NDJSON)
        return (n == 20 && strncasecmp(ctype, "application/x-ndjson", 20) == 0) ||
               (n == 18 && strncasecmp(ctype, "application/ndjson", 18) == 0);
    if (n == 16 && strncasecmp(ctype, "application/json", n) == 0)
        return 1;
    /* application/merge-patch+json and other +json types */
    return n > 17 && strncasecmp(ctype, "application/", 12) == 0 &&
           strncasecmp(ctype + n - 5, "+json", 5) == 0;
}

static int authenticate(struct req *r)
{
    const char *authz =
        evhttp_find_header(&r->m->in, "Authorization");
    if (authz) {
        if (strncasecmp(authz, "Bearer ", 7) != 0) {
            reply_error(r, ERR_UNAUTHORIZED, NULL,
                        "the Authorization header must be \"Bearer <key>\"");
            return -1;
        }
        const char *key = authz + 7;
        while (*key == ' ')
            key++;
        int rc = auth_lookup(r->w->db, key, &r->who);
        if (rc < 0) {
            reply_db_error(r, DB_READ);
            return -1;
        }
        if (rc > 0) {
            reply_error(r, ERR_UNAUTHORIZED, NULL, "unknown or revoked API key");
            return -1;
        }
    } else if (session_authenticate(r) < 0) { /* a login cookie, if any (session.h) */
        return -1;
    }
    if (r->route->roles == ROLE_PUBLIC)
        return 0;
    if (!r->who.role) {
        reply_error(r, ERR_UNAUTHORIZED, NULL,
                    "this endpoint needs an API key (Authorization: Bearer <key>)");
        return -1;
    }
    if (!(r->who.role & r->route->roles)) {
        char allowed[96] = "";
        for (int b = 1; b <= ROLE_LAST; b <<= 1)
            if (r->route->roles & b) {
                if (*allowed)
                    strcat(allowed, ", ");
                strcat(allowed, role_name(b));
            }
        reply_error(r, ERR_FORBIDDEN, NULL, "a %s key may not do this; it needs: %s",
                    role_name(r->who.role), allowed);
        return -1;
    }
    return 0;
}

/*
 * Token buckets; answers 429 when empty.  The per-address bucket is
 * taken before anything else (routing, authentication), so floods of
 * unknown paths or guessed keys are limited too; the per-key bucket once
 * the key is known (by_key).
 */
static int rate_limit(struct req *r, int by_key)
{
    const struct config *cfg = r->w->cfg;
    char name[80];
    int wait = 0;
    if (!by_key && cfg->rate_per_addr > 0) {
        snprintf(name, sizeof name, "a:%s", r->m->peer && *r->m->peer ? r->m->peer : "?");
        wait = rl_take(name, (double)cfg->rate_per_addr, (double)cfg->rate_burst);
    }
    if (by_key && cfg->rate_per_key > 0 && r->who.prefix[0]) {
        snprintf(name, sizeof name, "k:%s", r->who.prefix);
        wait = rl_take(name, (double)cfg->rate_per_key, (double)cfg->rate_burst);
    }
    if (!wait)
        return 0;
    char after[16];
    snprintf(after, sizeof after, "%d", wait);
    reply_header(r, "Retry-After", after);
    reply_error(r, ERR_RATE_LIMITED, NULL, "too many requests; retry in %d s", wait);
    return -1;
}

/* Parses the body a route takes (its size and media type were checked at
 * the head); answers and returns -1 when it cannot be used. */
static int read_body(struct req *r)
{
    enum body_kind kind = r->route->body;
    struct evbuffer *in = r->m->body;
    size_t len = evbuffer_get_length(in);
    if (len == 0 && kind == BODY_JSON_OPT) {
        r->body = json_object();
        return 0;
    }
    if (len == 0) {
        reply_error(r, ERR_BAD_JSON, NULL, "the request body is empty");
        return -1;
    }
    const char *data = (const char *)evbuffer_pullup(in, -1);
    if (kind == BODY_NDJSON) {
        r->raw = data;
        r->rawlen = len;
        return 0;
    }
    json_error_t err;
    r->body = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
    if (!r->body) {
        /* Well-formed JSON with a number no field can hold is a field
         * error (422), not a syntax error.  By the error's code: its text
         * quotes the input near the error, which may say "too big". */
        if (json_error_code(&err) == json_error_numeric_overflow) {
            char field[256];
            util_json_path_at(data, len, (size_t)(err.position > 0 ? err.position : 0), field,
                              sizeof field);
            reply_error(r, ERR_INVALID_FIELD, *field ? field : NULL,
                        "%s%s number too large to hold (line %d, column %d)", field,
                        *field ? " is a" : "a", err.line, err.column);
        }
        else
            reply_error(r, ERR_BAD_JSON, NULL, "malformed JSON at line %d, column %d: %s",
                        err.line, err.column, err.text);
        return -1;
    }
    if (!json_is_object(r->body)) {
        reply_error(r, ERR_BAD_JSON, NULL, "the body must be a JSON object");
        return -1;
    }
    return 0;
}


/* Answers 405 with Allow for the methods of allowed (a set of M_* bits). */
static void reply_method(struct req *r, int allowed)
{
    char allow[64] = "";
    for (int b = 0; b < 5; b++)
        if (allowed & (1 << b)) {
            if (*allow)
                strcat(allow, ", ");
            strcat(allow, http_method_name(1 << b));
        }
    reply_header(r, "Allow", allow);
    reply_error(r, ERR_METHOD, NULL, "use %s on this path", allow);
}

/* The request of message m, made on first use. */
static struct req *req_of(struct hmsg *m)
{
    struct req *r = m->user;
    if (r)
        return r;
    struct worker *w = m->arg;
    r = xcalloc(1, sizeof *r);
    r->m = m;
    r->w = w;
    r->t0 = util_monotonic();
    r->route_index = -1;
    r->method = m->method;
    r->path = xstrdup("-");
    TAILQ_INIT(&r->query);
    atomic_fetch_add(&w->inflight, 1);
    m->user = r;
    return r;
}

/* Parses the target into r->path and r->query; answers on failure. */
static int parse_target(struct req *r)
{
    struct evhttp_uri *uri = evhttp_uri_parse(r->m->target);
    if (!uri) {
        reply_error(r, ERR_BAD_PARAM, NULL, "the request target is malformed");
        return -1;
    }
    const char *raw = evhttp_uri_get_path(uri);
    free(r->path);
    r->path = xstrdup(raw && *raw ? raw : "/");
    const char *q = evhttp_uri_get_query(uri);
    int rc = 0;
    if (q && strcasestr(q, "%00")) {
        reply_error(r, ERR_BAD_PARAM, NULL, "query parameters must not contain NUL (%%00)");
        rc = -1;
    } else if (q && evhttp_parse_query_str(q, &r->query) < 0) {
        reply_error(r, ERR_BAD_PARAM, NULL, "the query string is malformed");
        rc = -1;
    }
    evhttp_uri_free(uri);
    if (rc < 0)
        return -1;
    struct evkeyval *kv;
    TAILQ_FOREACH(kv, &r->query, next) {
        if (!util_utf8_valid(kv->value, strlen(kv->value)) ||
            !util_utf8_valid(kv->key, strlen(kv->key))) {
            reply_error(r, ERR_BAD_PARAM, NULL, "query parameters must be valid UTF-8");
            return -1;
        }
    }
    return 0;
}

/* Finds the route of r->path and r->method; answers 404/405 (or serves a
 * console file) and returns -1 when there is none. */
static int find_route(struct req *r)
{
    char *segs[MAX_SEGS];
    int nseg = 0;
    if (split_path(r->path, segs, &nseg) < 0) {
        for (int i = 0; i < nseg; i++)
            free(segs[i]);
        reply_error(r, ERR_NOT_FOUND, NULL, "no such path");
        return -1;
    }
    int allowed = 0, found = -1;
    char *params[REQ_MAX_PARAMS] = {0};
    for (int i = 0; i < NROUTES; i++) {
        char *tmp[REQ_MAX_PARAMS] = {0};
        if (!match(ROUTES[i].pattern, segs, nseg, tmp))
            continue;
        allowed |= ROUTES[i].method;
        if (ROUTES[i].method == r->method && found < 0) {
            found = i;
            memcpy(params, tmp, sizeof params);
        }
    }
    /* Params point into segs; copy them before freeing the segments. */
    for (int i = 0; i < REQ_MAX_PARAMS; i++)
        if (params[i])
            r->params[i] = xstrdup(params[i]);
    for (int i = 0; i < nseg; i++)
        free(segs[i]);
    if (found >= 0) {
        r->route = &ROUTES[found];
        r->route_index = found;
        return 0;
    }
    if (!r->method) /* a method shucu does not know: nothing more from this client */
        reply_header(r, "Connection", "close");
    if (allowed)
        reply_method(r, allowed);
    else if (r->method == M_GET && !r->m->has_body && strncmp(r->path, "/v1/", 4) != 0 &&
             strcmp(r->path, "/v1") != 0)
        ROUTE_FALLBACK(r);
    else
        reply_error(r, ERR_NOT_FOUND, NULL, "no such path: %s", r->path);
    return -1;
}

long router_head(struct hmsg *m)
{
    struct req *r = req_of(m);
    struct worker *w = r->w;
    const struct config *cfg = w->cfg;
    if (atomic_load(&app.shutting_down)) {
        /* A request begun before the stop signal is served (a graceful
         * stop finishes what is in flight); one begun after is refused. */
        reply_header(r, "Connection", "close");
        if ((long long)(m->started * 1e6) >= atomic_load(&app.stop_at_us)) {
            reply_error(r, ERR_UNAVAILABLE, NULL, "the server is shutting down");
            return -1;
        }
    }
    if (m->over_cap) {
        reply_header(r, "Connection", "close");
        reply_header(r, "Retry-After", "1");
        reply_error(r, ERR_UNAVAILABLE, NULL, "too many open connections; retry shortly");
        return -1;
    }
    if (parse_target(r) < 0)
        return -1;
    if (m->content_length > cfg->bulk_limit) { /* no route takes that much */
        reply_error(r, ERR_TOO_LARGE, NULL, "the body is %lld bytes; no request may exceed %ld",
                    (long long)m->content_length, cfg->bulk_limit);
        return -1;
    }
    /* Health checks and scrapes are never throttled: a 429 there would
     * look like an outage to the orchestrator watching it. */
    if (strcmp(r->path, "/healthz") != 0 && strcmp(r->path, "/metrics") != 0 &&
        rate_limit(r, 0) < 0)
        return -1;
    if (find_route(r) < 0 || authenticate(r) < 0 || rate_limit(r, 1) < 0)
        return -1;
    enum body_kind kind = r->route->body;
    if (kind == BODY_NONE) {
        if (m->has_body) {
            reply_error(r, ERR_TOO_LARGE, NULL, "%s %s takes no request body",
                        http_method_name(r->method), r->route->pattern);
            return -1;
        }
        return 0;
    }
    long limit = kind == BODY_NDJSON ? cfg->bulk_limit : cfg->body_limit;
    if (m->content_length > limit) {
        reply_error(r, ERR_TOO_LARGE, NULL, "the body is %lld bytes; the limit is %ld",
                    (long long)m->content_length, limit);
        return -1;
    }
    if (m->has_body || kind != BODY_JSON_OPT) {
        const char *ctype = evhttp_find_header(&m->in, "Content-Type");
        if (m->has_body && !media_ok(ctype, kind)) {
            reply_error(r, ERR_MEDIA_TYPE, NULL, "the body must be sent as %s, not %s",
                        kind == BODY_NDJSON ? "application/x-ndjson" : "application/json",
                        ctype ? ctype : "no Content-Type");
            return -1;
        }
    }
    return limit;
}

void router_request(struct hmsg *m)
{
    struct req *r = req_of(m);
    if (r->route->body != BODY_NONE && read_body(r) < 0)
        return;
    r->route->fn(r);
}

void router_error(struct hmsg *m, int status, const char *why)
{
    struct req *r = req_of(m);
    reply_header(r, "Connection", "close");
    switch (status) {
    case 413: {
        long limit = r->route && r->route->body == BODY_NDJSON ? r->w->cfg->bulk_limit
                                                               : r->w->cfg->body_limit;
        reply_error(r, ERR_TOO_LARGE, NULL, "the body is larger than %ld bytes, the limit", limit);
        break;
    }
    case 431:
        reply_error(r, ERR_HEADERS_TOO_LARGE, NULL, "%s", why ? why : "the headers are too large");
        break;
    default:
        reply_error(r, ERR_BAD_PARAM, NULL, "%s", why ? why : "the request is malformed");
        break;
    }
}
