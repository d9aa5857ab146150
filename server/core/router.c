/*
 * router.c - turns an evhttp request into a struct req and calls its
 * handler: path matching against the route table (405 with Allow for a
 * known path and wrong method), authentication (401 for a missing or
 * unknown key, 403 for a role the route does not admit), and the body
 * (413 over the limit, 415 for a wrong content type, 400 bad_json for a
 * body Jansson cannot parse, which covers invalid UTF-8, NUL escapes,
 * duplicate keys and nesting deeper than Jansson's limit).
 */
#include "req.h"
#include "worker.h"

#include "auth.h"
#include "conn.h"
#include "db.h"
#include "ratelimit.h"
#include "session.h"
#include "util.h"

#include <event2/buffer.h>
#include <event2/http_struct.h> /* major, minor: the request's HTTP version */
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

static int method_of(enum evhttp_cmd_type cmd)
{
    switch (cmd) {
    case EVHTTP_REQ_GET:
    case EVHTTP_REQ_HEAD: return M_GET;
    case EVHTTP_REQ_POST: return M_POST;
    case EVHTTP_REQ_PUT: return M_PUT;
    case EVHTTP_REQ_PATCH: return M_PATCH;
    case EVHTTP_REQ_DELETE: return M_DELETE;
    default: return 0;
    }
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
        evhttp_find_header(evhttp_request_get_input_headers(r->ev), "Authorization");
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
        for (int b = 1; b <= ROLE_ADMIN; b <<= 1)
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
        const char *addr = NULL;
        ev_uint16_t port;
        evhttp_connection_get_peer(evhttp_request_get_connection(r->ev), (char **)&addr, &port);
        snprintf(name, sizeof name, "a:%s", addr ? addr : "?");
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

static int read_body(struct req *r)
{
    enum body_kind kind = r->route->body;
    struct evbuffer *in = evhttp_request_get_input_buffer(r->ev);
    size_t len = evbuffer_get_length(in);
    long limit = kind == BODY_NDJSON ? r->w->cfg->bulk_limit : r->w->cfg->body_limit;
    if ((long)len > limit) {
        reply_error(r, ERR_TOO_LARGE, NULL, "the body is %zu bytes; the limit is %ld", len, limit);
        return -1;
    }
    if (len == 0 && kind == BODY_JSON_OPT) {
        r->body = json_object();
        return 0;
    }
    const char *ctype =
        evhttp_find_header(evhttp_request_get_input_headers(r->ev), "Content-Type");
    if (!media_ok(ctype, kind)) {
        reply_error(r, ERR_MEDIA_TYPE, NULL, "the body must be sent as %s, not %s",
                    kind == BODY_NDJSON ? "application/x-ndjson" : "application/json",
                    ctype ? ctype : "no Content-Type");
        return -1;
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

/* 1 when the body's length is stated more than once and could be read in
 * two ways: Content-Length with Transfer-Encoding, or two Content-Length
 * headers that differ (RFC 9112 section 6.3). */
static int framing_ambiguous(struct evhttp_request *ev)
{
    struct evkeyvalq *h = evhttp_request_get_input_headers(ev);
    struct evkeyval *kv;
    const char *cl = NULL;
    int te = 0;
    TAILQ_FOREACH(kv, h, next) {
        if (strcasecmp(kv->key, "Transfer-Encoding") == 0)
            te = 1;
        else if (strcasecmp(kv->key, "Content-Length") == 0) {
            if (cl && strcmp(cl, kv->value) != 0)
                return 1;
            cl = kv->value;
        }
    }
    return te && cl;
}

void router_dispatch(struct evhttp_request *ev, void *arg)
{
    struct worker *w = arg;
    struct req *r = xcalloc(1, sizeof *r);
    r->ev = ev;
    r->w = w;
    r->t0 = util_monotonic();
    r->route_index = -1;
    TAILQ_INIT(&r->query);
    atomic_fetch_add(&w->inflight, 1);

    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(ev);
    const char *raw = uri ? evhttp_uri_get_path(uri) : NULL;
    r->path = xstrdup(raw && *raw ? raw : "/");
    r->method = method_of(evhttp_request_get_command(ev));

    char *segs[MAX_SEGS];
    int nseg = 0;
    double started;
    int over_cap = conns_on_request(w->conns, ev, &started);
    if (atomic_load(&app.shutting_down)) {
        /* A request begun before the stop signal is served (a graceful
         * stop finishes what is in flight); one begun after is refused. */
        reply_header(r, "Connection", "close");
        if ((long long)(started * 1e6) >= atomic_load(&app.stop_at_us)) {
            reply_error(r, ERR_UNAVAILABLE, NULL, "the server is shutting down");
            return;
        }
    }
    if (over_cap) {
        reply_header(r, "Connection", "close");
        reply_header(r, "Retry-After", "1");
        reply_error(r, ERR_UNAVAILABLE, NULL, "too many open connections; retry shortly");
        return;
    }
    /* Health checks and scrapes are never throttled: a 429 there would
     * look like an outage to the orchestrator watching it. */
    if (strcmp(r->path, "/healthz") != 0 && strcmp(r->path, "/metrics") != 0 &&
        rate_limit(r, 0) < 0)
        return;
    if (ev->major != 1 || (ev->minor != 0 && ev->minor != 1)) {
        /* libevent 2.1 accepts any HTTP/d.d and echoes it, truncated to a
         * char, in the status line ("HTTP/1.1400" -> "HTTP/1.120 400"):
         * answer as HTTP/1.1, refuse, close. */
        ev->major = 1;
        ev->minor = 1;
        reply_header(r, "Connection", "close");
        reply_error(r, ERR_BAD_PARAM, NULL, "only HTTP/1.0 and HTTP/1.1 are served");
        return;
    }
    if (framing_ambiguous(ev)) {
        /* Request smuggling: a proxy in front may have framed this body
         * differently; answer nothing of it and close. */
        reply_header(r, "Connection", "close");
        reply_error(r, ERR_BAD_PARAM, NULL,
                    "the request gives its length twice (Content-Length and Transfer-Encoding,"
                    " or Content-Length values that differ)");
        return;
    }
    const char *q = uri ? evhttp_uri_get_query(uri) : NULL;
    if (q && strcasestr(q, "%00")) {
        reply_error(r, ERR_BAD_PARAM, NULL, "query parameters must not contain NUL (%%00)");
        return;
    }
    if (q && evhttp_parse_query_str(q, &r->query) < 0) {
        reply_error(r, ERR_BAD_PARAM, NULL, "the query string is malformed");
        return;
    }
    struct evkeyval *kv;
    TAILQ_FOREACH(kv, &r->query, next) {
        if (!util_utf8_valid(kv->value, strlen(kv->value)) ||
            !util_utf8_valid(kv->key, strlen(kv->key))) {
            reply_error(r, ERR_BAD_PARAM, NULL, "query parameters must be valid UTF-8");
            return;
        }
    }
    if (split_path(r->path, segs, &nseg) < 0) {
        for (int i = 0; i < nseg; i++)
            free(segs[i]);
        reply_error(r, ERR_NOT_FOUND, NULL, "no such path");
        return;
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

    if (found < 0) {
        if (allowed) {
            char allow[64] = "";
            static const char *const NAMES[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
            for (int b = 0; b < 5; b++)
                if (allowed & (1 << b)) {
                    if (*allow)
                        strcat(allow, ", ");
                    strcat(allow, NAMES[b]);
                }
            reply_header(r, "Allow", allow);
            reply_error(r, ERR_METHOD, NULL, "use %s on this path", allow);
            return;
        }
        if (r->method == M_GET && strncmp(r->path, "/v1/", 4) != 0 &&
            strcmp(r->path, "/v1") != 0) {
            ROUTE_FALLBACK(r);
            return;
        }
        reply_error(r, ERR_NOT_FOUND, NULL, "no such path: %s", r->path);
        return;
    }
    r->route = &ROUTES[found];
    r->route_index = found;
    if (authenticate(r) < 0 || rate_limit(r, 1) < 0)
        return;
    if (r->route->body != BODY_NONE && read_body(r) < 0)
        return;
    r->route->fn(r);
}
