/*
 * req.h - the request every handler receives, and the only functions
 * that answer it.
 *
 * A handler is called with a struct req whose route, path parameters,
 * query, caller and (for JSON routes) parsed body are ready.  It must
 * answer exactly once, now or later (after an asynchronous cache lookup),
 * with reply_json() or reply_error(); either call sends the response,
 * logs the access line, counts metrics and frees the request.
 *
 * Errors are named by enum http_err; http.c holds the one table that maps
 * each to its HTTP status and contract code, so no handler invents an
 * error body.  Database failures have their own two replies
 * (reply_db_error), so the words for them are written once.
 */
#ifndef SHUCU_REQ_H
#define SHUCU_REQ_H

#include "auth.h"
#include "route.h"
#include "server.h"
#include "worker.h"

#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <sys/queue.h>
#include <stdint.h>

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
    ERR_HEADERS_TOO_LARGE,
    ERR_INTERNAL,
    ERR_GONE, /* 410: a feed cursor older than the feed keeps (issue 20) */
};

/* The contract's code ("bad_json", ...) and HTTP status of an error. */
const char *http_err_code(enum http_err e);
int http_err_status(enum http_err e);

#define REQ_MAX_PARAMS 4

struct hmsg;

struct req {
    struct hmsg *m;          /* the HTTP message (httpd.h); NULL once answered */
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

/* Answer with status and a JSON body (stolen). */
void reply_json(struct req *r, int status, json_t *body);
/* Answer with a contract error; field may be NULL. */
void reply_error(struct req *r, enum http_err e, const char *field,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Answer with a contract error whose message is already written, in
 * English (en) and Chinese (zh, may be NULL or "": the generic sentence
 * of the code is used for a Chinese client then; see zh.h). */
void reply_error_text(struct req *r, enum http_err e, const char *field, const char *en,
                      const char *zh);
/* 1 when the client asked for Chinese messages (Accept-Language: zh…). */
int req_wants_zh(const struct req *r);
/* Answer a record (stolen) with ETag "<version>" and, for 201, Location
 * /v1/<collection>/<id>. */
void reply_record(struct req *r, int status, json_t *rec, const char *collection);
/* Answer 503: the database cannot be read (DB_READ) or written
 * (DB_WRITE) right now.  Every database failure a handler meets outside
 * a write transaction ends here (write.h covers those inside one). */
enum db_op { DB_READ, DB_WRITE };
void reply_db_error(struct req *r, enum db_op op);
/* Answer with raw bytes (static files, metrics). */
void reply_raw(struct req *r, int status, const char *ctype, const void *data,
               size_t len);
/* The same, with the body head[0..hlen) followed by tail[0..tlen), neither
 * copied into the other first. */
void reply_parts(struct req *r, int status, const char *ctype, const void *head, size_t hlen,
                 const void *tail, size_t tlen);
void reply_header(struct req *r, const char *name, const char *value);

/* A request header (the first of that name), or NULL; and the client's
 * address ("?" when unknown). */
const char *req_header(struct req *r, const char *name);
const char *req_peer(struct req *r);

/* 1 when org_id (may be NULL) is the caller's organisation: the one place
 * ownership is compared.  Anonymous callers own nothing. */
int req_is_caller(const struct req *r, const char *org_id);

/* Query-string helpers (params.c).  The *_param functions answer 400
 * bad_param themselves and return -1 on a bad value. */
const char *req_query(struct req *r, const char *name);
int req_long_param(struct req *r, const char *name, long def, long min,
                   long max, long *out);
/* Bitmask of a repeatable taxonomy filter (industry=a&industry=b or a,b). */
int req_mask_param(struct req *r, const char *name, int vocab, int64_t *out);
/* 1 when the parameter is "1" or "true" (explain=1, ...), else 0. */
int req_flag(struct req *r, const char *name);
/* The "cursor" parameter (cursor.h): the row id the page starts below,
 * INT64_MAX when absent; -1 after answering 400 when it is not a cursor. */
int req_cursor_param(struct req *r, int64_t *after);
/* The "next_cursor" of a page: null when there is no more, else the
 * cursor of last, the page's last row id (new reference). */
json_t *req_next_cursor(int more, int64_t last);
/* The If-Match version, 0 when absent, -1 (after answering) when bad. */
int req_if_match(struct req *r, int64_t *version);

#endif
