/*
 * httpd.h - HTTP/1.1 on one worker's event loop, framed by shucu itself.
 *
 * evhttp (libevent 2.1) read a request's whole body before the server
 * could look at its head, framed HEAD and TRACE bodies as the next
 * request, answered its own errors as HTML, and offered no hook between
 * the head and the body.  This module parses the request line, the
 * headers and the body's framing itself on libevent bufferevents, so that
 * every decision is made where it belongs:
 *
 *   - the head is parsed strictly (RFC 9112): one version, tokens for
 *     names, no NUL or bare CR/LF anywhere, Host required in HTTP/1.1, a
 *     field the framing depends on never given twice in two ways;
 *   - a body is framed by its Content-Length or as chunked, nothing else
 *     (another transfer coding, or both, is 400 and close); a method
 *     that takes no body (GET, HEAD, DELETE, …) with one is refused;
 *   - the application sees the head first (on_head) and says how large a
 *     body it takes, so an anonymous POST to a route that takes none, or
 *     a body over the route's own limit, is refused before a byte of it
 *     is buffered;
 *   - every error, from a malformed line to a body too large, is answered
 *     by the application (on_error) in the contract's JSON shape.
 *
 * Connections: at most max_conns per worker (beyond it the first request
 * is answered 503 by the application and the connection closed; far
 * beyond, closed at once), each must deliver a whole request within
 * request_deadline seconds of being accepted or of its previous answer
 * (slowloris), and an idle one is closed after idle_timeout.  Answers on
 * a connection leave in request order (pipelining).  A connection whose
 * body was not read is closed after its answer with a lingering close,
 * so the client reads the answer instead of a reset.
 *
 * Everything runs on the worker's own thread.  A message (struct hmsg) is
 * owned by the application from on_request/on_error until it passes it
 * to httpd_send(), which frees it; if the client goes away meanwhile the
 * message is detached and httpd_send() only frees it.
 */
#ifndef SHUCU_HTTPD_H
#define SHUCU_HTTPD_H

#include <event2/event.h>
#include <sys/queue.h>
#include <event2/keyvalq_struct.h>
#include <stddef.h>
#include <stdint.h>

struct evbuffer;
struct httpd;
struct hconn;

/* One request and, later, its answer. */
struct hmsg {
    struct hconn *conn;     /* NULL once the connection is gone */
    int method;             /* M_* of route.h; HEAD is M_GET with head_only; 0: other */
    int head_only;          /* HEAD: answer without a body */
    char method_name[16];   /* as sent (for logs), cut to fit */
    char *target;           /* the request-target as sent */
    int minor;              /* HTTP/1.minor, 0 or 1 */
    struct evkeyvalq in;    /* request headers, in the order sent */
    struct evkeyvalq out;   /* response headers the application adds */
    struct evbuffer *body;  /* the request body (empty when none) */
    int64_t content_length; /* -1: none given */
    int chunked;
    int has_body;           /* a body follows the head (length > 0 or chunked) */
    int body_read;          /* ... and has been read whole */
    double started;         /* when its first byte arrived (util_monotonic) */
    int over_cap;           /* its connection was accepted beyond the cap */
    const char *peer;       /* the client's address, for logs and limits */
    void *arg;              /* httpd_new's arg */
    void *user;             /* the application's request */
};

struct httpd_app {
    /* The head is in.  Returns the largest body the request may have, or
     * -1 after answering it (httpd_send) itself. */
    long (*on_head)(struct hmsg *m);
    /* The whole request is in: answer it now or later with httpd_send. */
    void (*on_request)(struct hmsg *m);
    /* The request cannot be served as sent (status 400, 408, 413, 431,
     * 501, 503): answer it with httpd_send; the connection then closes. */
    void (*on_error)(struct hmsg *m, int status, const char *why);
};

struct httpd_limits {
    long max_conns;
    double request_deadline; /* seconds for a whole request */
    double idle_timeout;     /* seconds a connection may sit idle */
    size_t header_limit;     /* bytes of request line and headers */
};

/* Serves on fd (a listening socket, left open when freed) on base.
 * NULL when out of resources. */
struct httpd *httpd_new(struct event_base *base, evutil_socket_t fd,
                        const struct httpd_app *app, const struct httpd_limits *lim, void *arg);
/* Closes every connection (messages in flight are detached) and frees. */
void httpd_free(struct httpd *h);

/*
 * Answers m with status (reason: its text), m->out's headers and the body
 * head[0..hlen) followed by tail[0..tlen), neither copied into the other
 * first, and frees m.  Adds Content-Length, Date and Connection.  The
 * connection is closed after the answer when the client asked for it,
 * when m's body was not read, when the server is stopping or when m->out
 * says "Connection: close".  Returns the bytes of the body sent.
 */
size_t httpd_send(struct hmsg *m, int status, const char *reason, const void *head, size_t hlen,
                  const void *tail, size_t tlen);

/* Stop accepting; close the idle connections; the others close after
 * their answer. */
void httpd_stop(struct httpd *h);

/* Connections open now (the worker is drained at 0), and counters since
 * start (for /metrics). */
long httpd_live(struct httpd *h);
long httpd_rejected(const struct httpd *h);
long httpd_expired(const struct httpd *h);

/*
 * Raises the soft limit on open descriptors to the hard limit and returns
 * the connections each of nworkers may hold with room left for files,
 * SQLite and Redis: min(cap, (limit - reserve) / nworkers), at least 1.
 */
long httpd_fit_limit(long cap, long nworkers);

#endif
