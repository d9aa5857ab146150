/*
 * http.c - replies and the error table (see req.h), method and role
 * names (route.h).
 *
 * Every response leaves through http_finish(), which writes the access
 * log line (method, path, status, bytes, ms, key prefix - never the
 * key), counts the request in the metrics and frees the request.
 */
#include "req.h"

#include "httpd.h"

#include "log.h"
#include "metrics.h"
#include "util.h"
#include "zh.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <stdarg.h>
#include <stdio.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    int status;
    const char *code;
} ERRS[] = {
    [ERR_BAD_JSON] = {400, "bad_json"},
    [ERR_BAD_QUERY] = {400, "bad_query"},
    [ERR_BAD_PARAM] = {400, "bad_param"},
    [ERR_UNAUTHORIZED] = {401, "unauthorized"},
    [ERR_FORBIDDEN] = {403, "forbidden"},
    [ERR_NOT_FOUND] = {404, "not_found"},
    [ERR_METHOD] = {405, "method_not_allowed"},
    [ERR_CONFLICT] = {409, "conflict"},
    [ERR_TOO_LARGE] = {413, "too_large"},
    [ERR_MEDIA_TYPE] = {415, "unsupported_media_type"},
    [ERR_INVALID_FIELD] = {422, "invalid_field"},
    [ERR_RATE_LIMITED] = {429, "rate_limited"},
    [ERR_UNAVAILABLE] = {503, "unavailable"},
    [ERR_HEADERS_TOO_LARGE] = {431, "too_large"},
    [ERR_INTERNAL] = {500, "internal"},
    [ERR_GONE] = {410, "gone"},
};

const char *http_err_code(enum http_err e)
{
    return ERRS[e].code;
}

int http_err_status(enum http_err e)
{
    return ERRS[e].status;
}

const char *http_method_name(int m)
{
    switch (m) {
    case M_GET: return "GET";
    case M_POST: return "POST";
    case M_PUT: return "PUT";
    case M_PATCH: return "PATCH";
    case M_DELETE: return "DELETE";
    default: return "OTHER";
    }
}

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    default: return status < 400 ? "OK" : "Error";
    }
}

/* Bodies this large leave the allocator holding freed memory (glibc keeps
 * freed heap pages); handing it back after such a request keeps a burst of
 * large imports from inflating the process for good. */
#define TRIM_AFTER_BODY (1L << 20)

static void req_free(struct req *r)
{
    int trim = r->rawlen >= TRIM_AFTER_BODY;
    for (int i = 0; i < REQ_MAX_PARAMS; i++)
        free(r->params[i]);
    evhttp_clear_headers(&r->query);
    json_decref(r->body);
    free(r->path);
    free(r);
    if (trim)
        malloc_trim(0);
}

/* Sends the answer (head then tail) through httpd, logs the access line
 * (method, path, status, bytes, ms, key prefix - never the key), counts
 * the request in the metrics and frees the request: the one exit of
 * every request. */
static void http_finish(struct req *r, int status, const char *ctype, const void *head,
                        size_t hlen, const void *tail, size_t tlen)
{
    size_t bytes = hlen + tlen;
    if (r->m) {
        if (ctype)
            evhttp_add_header(&r->m->out, "Content-Type", ctype);
        if (!evhttp_find_header(&r->m->out, "Cache-Control"))
            evhttp_add_header(&r->m->out, "Cache-Control", "no-store");
        httpd_send(r->m, status, reason(status), head, hlen, tail, tlen);
        r->m = NULL;
    }
    double s = util_monotonic() - r->t0;
    long long cs = (long long)(s * 1e5 + 0.5); /* hundredths of a ms, without %f's cost */
    log_info("%s %s %d %zuB %lld.%02lldms key=%s", http_method_name(r->method),
             r->path ? r->path : "-", status, bytes, cs / 100, cs % 100,
             r->who.prefix[0] ? r->who.prefix : "-");
    metrics_request(r->route_index, status, s);
    atomic_fetch_sub(&r->w->inflight, 1);
    req_free(r);
}

void reply_header(struct req *r, const char *name, const char *value)
{
    if (r->m)
        evhttp_add_header(&r->m->out, name, value);
}

void reply_raw(struct req *r, int status, const char *ctype, const void *data,
               size_t len)
{
    http_finish(r, status, ctype, data, len, NULL, 0);
}

void reply_parts(struct req *r, int status, const char *ctype, const void *head, size_t hlen,
                 const void *tail, size_t tlen)
{
    http_finish(r, status, ctype, head, hlen, tail, tlen);
}

static int dump_cb(const char *data, size_t size, void *buf)
{
    return evbuffer_add(buf, data, size);
}

void reply_json(struct req *r, int status, json_t *body)
{
    struct evbuffer *buf = evbuffer_new();
    if (!buf)
        abort();
    if (body) {
        json_dump_callback(body, dump_cb, buf, JSON_COMPACT | JSON_REAL_PRECISION(10));
        evbuffer_add(buf, "\n", 1);
    }
    json_decref(body);
    size_t len = evbuffer_get_length(buf);
    http_finish(r, status, "application/json; charset=utf-8", evbuffer_pullup(buf, -1), len,
                NULL, 0);
    evbuffer_free(buf);
}

void reply_error(struct req *r, enum http_err e, const char *field,
                 const char *fmt, ...)
{
    char msg[1024], zh[1024] = "";
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* Chinese for a client that asks for it (zh.h): by the format. */
    if (req_wants_zh(r)) {
        const char *tpl = zh_template(fmt);
        if (!tpl || zh_format(zh, sizeof zh, fmt, tpl, ap2) < 0)
            zh[0] = '\0';
    }
    va_end(ap2);
    va_end(ap);
    reply_error_text(r, e, field, msg, zh);
}

int req_wants_zh(const struct req *r)
{
    return zh_accepts(req_header((struct req *)r, "Accept-Language"));
}

void reply_error_text(struct req *r, enum http_err e, const char *field, const char *en,
                      const char *zh)
{
    char msg[1024];
    if (req_wants_zh(r)) {
        if (zh && *zh && util_utf8_valid(zh, strlen(zh)))
            snprintf(msg, sizeof msg, "%s", zh);
        else
            zh_generic(ERRS[e].code, field, msg, sizeof msg);
    } else {
        snprintf(msg, sizeof msg, "%s", en);
    }
    if (!util_utf8_valid(msg, strlen(msg)))
        snprintf(msg, sizeof msg, "%s", "invalid input");
    if (e == ERR_INTERNAL)
        log_error("internal error on %s: %s", r->path ? r->path : "-", en);
    json_t *err = json_pack("{s:s, s:s}", "code", ERRS[e].code, "message", msg);
    if (field && *field && util_utf8_valid(field, strlen(field)))
        json_object_set_new(err, "field", json_string(field));
    if (e == ERR_RATE_LIMITED && r->m && !evhttp_find_header(&r->m->out, "Retry-After"))
        reply_header(r, "Retry-After", "1");
    reply_json(r, ERRS[e].status, json_pack("{s:o}", "error", err));
}

void reply_record(struct req *r, int status, json_t *rec, const char *collection)
{
    char etag[32];
    snprintf(etag, sizeof etag, "\"%" JSON_INTEGER_FORMAT "\"",
             json_integer_value(json_object_get(rec, "version")));
    reply_header(r, "ETag", etag);
    const char *id = json_string_value(json_object_get(rec, "id"));
    if (status == 201 && id && strlen(id) < 64) {
        char loc[160];
        snprintf(loc, sizeof loc, "/v1/%s/%s", collection, id);
        reply_header(r, "Location", loc);
    }
    reply_json(r, status, rec);
}

void reply_db_error(struct req *r, enum db_op op)
{
    reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be %s right now",
                op == DB_READ ? "read" : "written");
}

int req_is_caller(const struct req *r, const char *org_id)
{
    return org_id && r->who.role && r->who.org_id[0] && strcmp(org_id, r->who.org_id) == 0;
}

static const char *const ROLE_NAMES[] = {"enterprise", "provider", "center", "admin",
                                         "authority"};
#define NROLE_NAMES (int)(sizeof ROLE_NAMES / sizeof ROLE_NAMES[0])

const char *role_name(int role)
{
    for (int i = 0; i < NROLE_NAMES; i++)
        if (role == (1 << i))
            return ROLE_NAMES[i];
    return "anonymous";
}

int role_parse(const char *s)
{
    for (int i = 0; i < NROLE_NAMES; i++)
        if (s && strcmp(s, ROLE_NAMES[i]) == 0)
            return 1 << i;
    return 0;
}
