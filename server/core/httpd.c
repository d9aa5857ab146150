/*
 * httpd.c - HTTP/1.1 framing on bufferevents (see httpd.h).
 *
 * A connection moves through these states:
 *
 *   HEAD   reading a request line and headers (or idle between requests)
 *   BODY   reading the body the head announced, within the limit on_head gave
 *   WAIT   the request is with the application; later bytes stay buffered
 *          (at most a read high-water mark of them) until it is answered
 *   CLOSE  the last answer is being written; then the write side is shut
 *   LINGER input is read and thrown away for a moment, so the client reads
 *          the answer rather than a reset, then the connection is freed
 *
 * An answer (httpd_send) moves WAIT back to HEAD, or to CLOSE.  Bytes a
 * client pipelined behind a request are parsed once that request is
 * answered, so answers leave in request order.  A timer sweeps the
 * connections: a request not whole within the deadline, an idle
 * connection, an answer the client does not read and a linger that is
 * over all end in a freed connection.
 *
 * Invariants: a connection has at most one message (cur) from its head to
 * its answer; a message in the application's hands has conn set until the
 * connection is freed, which detaches it (conn = NULL); only conn_free()
 * frees a connection and only httpd_send() or conn_free() a message.
 */
#include "httpd.h"
#include "httpd_parse.h"

#include "log.h"
#include "metrics.h"
#include "route.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#define CHUNK_LINE_MAX 256       /* bytes of a chunk-size line or trailer line */
#define PIPELINE_BYTES (1 << 20) /* buffered input while a request is served */
#define OUTPUT_PAUSE (4 << 20)   /* unread answers before parsing stops */
#define LINGER_SECONDS 2.0
#define LINGER_BYTES (1 << 20)

enum cstate { C_HEAD, C_BODY, C_WAIT, C_CLOSE, C_LINGER };
enum chunk_state { CH_SIZE, CH_DATA, CH_DATA_END, CH_TRAILER };

struct hconn {
    struct httpd *h;
    struct bufferevent *bev;
    enum cstate state;
    struct hmsg *cur;      /* from its head to its answer */
    double since;          /* accepted, or the last answer sent */
    double last_byte;      /* for the idle timeout */
    double started;        /* first byte of the request being read; 0: none */
    double linger_until;
    int over_cap;
    int eof;               /* the client has closed its side */
    int keep;              /* the current request allows keep-alive */
    long limit;            /* body bytes the current request may have */
    int64_t to_read;       /* Content-Length left, or the current chunk's */
    enum chunk_state chunk;
    size_t lingered;       /* bytes thrown away while lingering */
    char peer[64];
};

struct httpd {
    struct event_base *base;
    struct evconnlistener *lev;
    struct httpd_app app;
    struct httpd_limits lim;
    void *arg;
    struct hconn **v;      /* open connections */
    size_t n, cap_v;
    struct event *sweep_ev;
    int stopping;
    long rejected, expired;
};

static void conn_process(struct hconn *c);

/* ------------------------------------------------------------ messages */

static struct hmsg *msg_new(struct hconn *c)
{
    struct hmsg *m = xcalloc(1, sizeof *m);
    m->conn = c;
    TAILQ_INIT(&m->in);
    TAILQ_INIT(&m->out);
    m->body = evbuffer_new();
    if (!m->body)
        abort(); /* out of memory, as xmalloc */
    m->content_length = -1;
    m->started = c->started ? c->started : util_monotonic();
    m->over_cap = c->over_cap;
    m->peer = c->peer;
    m->arg = c->h->arg;
    m->minor = 1;
    snprintf(m->method_name, sizeof m->method_name, "-");
    return m;
}

static void msg_free(struct hmsg *m)
{
    evhttp_clear_headers(&m->in);
    evhttp_clear_headers(&m->out);
    evbuffer_free(m->body);
    free(m->target);
    free(m);
}

/* ------------------------------------------------------------ connections */

static void conn_free(struct hconn *c)
{
    struct httpd *h = c->h;
    struct hmsg *m = c->cur;
    c->cur = NULL;
    if (m) {
        m->conn = NULL; /* an answer now only frees it */
        if (c->state != C_WAIT) {
            if (m->user) /* the application saw its head: let it finish */
                h->app.on_error(m, 400, "the connection ended inside the request");
            else
                msg_free(m);
        }
    }
    bufferevent_free(c->bev); /* closes the socket */
    for (size_t i = 0; i < h->n; i++)
        if (h->v[i] == c) {
            h->v[i] = h->v[--h->n];
            break;
        }
    metrics_connections(-1);
    free(c);
}

/* The client is to read what was written, then the connection ends. */
static void conn_linger(struct hconn *c)
{
    evutil_socket_t fd = bufferevent_getfd(c->bev);
    if (fd >= 0)
        shutdown(fd, SHUT_WR);
    c->state = C_LINGER;
    c->linger_until = util_monotonic() + LINGER_SECONDS;
    if (c->eof)
        conn_free(c);
}

/* Refuses the request being read with status and closes after the
 * answer (the rest of the input is never parsed). */
static void conn_refuse(struct hconn *c, int status, const char *why)
{
    if (!c->cur)
        c->cur = msg_new(c);
    c->keep = 0;
    struct hmsg *m = c->cur;
    c->state = C_WAIT;
    c->h->app.on_error(m, status, why);
}

static void read_cb(struct bufferevent *bev, void *arg)
{
    struct hconn *c = arg;
    c->last_byte = util_monotonic();
    conn_process(c);
}

static void write_cb(struct bufferevent *bev, void *arg)
{
    struct hconn *c = arg;
    if (c->state == C_CLOSE) {
        conn_linger(c); /* everything is written */
        return;
    }
    if (c->state == C_HEAD && evbuffer_get_length(bufferevent_get_input(bev)))
        conn_process(c); /* parsing paused for a slow reader: go on */
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
    struct hconn *c = arg;
    if (what & BEV_EVENT_ERROR) {
        conn_free(c);
        return;
    }
    if (what & BEV_EVENT_EOF) {
        c->eof = 1;
        switch (c->state) {
        case C_WAIT: /* answer it, then close */
            c->keep = 0;
            return;
        case C_CLOSE:
            return; /* the write callback lingers, which frees */
        case C_HEAD:
            /* A request still buffered (pipelined, or sent before the
             * client shut its side) is answered before closing. */
            conn_process(c);
            if (c->state == C_HEAD && !c->cur)
                conn_free(c);
            return;
        default:
            conn_free(c); /* half a request: nothing to answer */
            return;
        }
    }
}

/* ------------------------------------------------------------ the head */

/* Reads the head when it is all in; 1 when a request was started (cur),
 * 0 when more bytes are needed, -1 when the request was refused. */
static int read_head(struct hconn *c)
{
    struct evbuffer *in = bufferevent_get_input(c->bev);
    /* Empty lines before a request line are ignored (RFC 9112 s. 2.2). */
    for (;;) {
        unsigned char two[2];
        ssize_t got = evbuffer_copyout(in, two, 2);
        if (got >= 1 && two[0] == '\n')
            evbuffer_drain(in, 1);
        else if (got == 2 && two[0] == '\r' && two[1] == '\n')
            evbuffer_drain(in, 2);
        else
            break;
    }
    size_t avail = evbuffer_get_length(in);
    if (!avail)
        return 0;
    if (!c->started)
        c->started = util_monotonic();
    struct evbuffer_ptr end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
    if (end.pos < 0) {
        if (avail > c->h->lim.header_limit) {
            conn_refuse(c, 431, "the request line and headers are too large");
            return -1;
        }
        if (c->eof) {
            conn_refuse(c, 400, "the connection ended inside the request head");
            return -1;
        }
        return 0;
    }
    size_t hlen = (size_t)end.pos + 2; /* the last header line's CRLF */
    if (hlen > c->h->lim.header_limit) {
        conn_refuse(c, 431, "the request line and headers are too large");
        return -1;
    }
    char *text = xmalloc(hlen + 1);
    evbuffer_remove(in, text, hlen);
    evbuffer_drain(in, 2);
    text[hlen] = '\0';
    c->cur = msg_new(c);
    const char *why = NULL;
    int status = parse_head(c->cur, text, hlen, &why);
    free(text);
    if (status) {
        conn_refuse(c, status, why);
        return -1;
    }
    struct hmsg *m = c->cur;
    const char *conn_h = evhttp_find_header(&m->in, "Connection");
    c->keep = m->minor == 1 ? !has_token(conn_h, "close") : has_token(conn_h, "keep-alive");
    if (c->over_cap || c->h->stopping)
        c->keep = 0;
    if (m->has_body && !(m->method & (M_POST | M_PUT | M_PATCH))) {
        conn_refuse(c, 400, "this method takes no request body");
        return -1;
    }
    return 1;
}

/* ------------------------------------------------------------ the body */

/* Reads what there is of the body; 1 when it is whole, 0 when more is
 * needed, -1 when the request was refused. */
static int read_body(struct hconn *c)
{
    struct evbuffer *in = bufferevent_get_input(c->bev);
    struct hmsg *m = c->cur;
    if (!m->chunked) {
        size_t avail = evbuffer_get_length(in);
        size_t take = (int64_t)avail < c->to_read ? avail : (size_t)c->to_read;
        if (take)
            evbuffer_remove_buffer(in, m->body, take);
        c->to_read -= (int64_t)take;
        if (c->to_read == 0)
            return 1;
        goto more;
    }
    for (;;) {
        if (c->chunk == CH_DATA) {
            size_t avail = evbuffer_get_length(in);
            size_t take = (int64_t)avail < c->to_read ? avail : (size_t)c->to_read;
            if (take)
                evbuffer_remove_buffer(in, m->body, take);
            c->to_read -= (int64_t)take;
            if (c->to_read)
                goto more;
            c->chunk = CH_DATA_END;
        }
        size_t n;
        char *line = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF_STRICT);
        if (!line) {
            if (evbuffer_get_length(in) > CHUNK_LINE_MAX) {
                conn_refuse(c, 400, "a chunk-size or trailer line is too long");
                return -1;
            }
            goto more;
        }
        if (c->chunk == CH_DATA_END) {
            int ok = n == 0;
            free(line);
            if (!ok) {
                conn_refuse(c, 400, "a chunk's data does not end where its size says");
                return -1;
            }
            c->chunk = CH_SIZE;
            continue;
        }
        if (c->chunk == CH_TRAILER) {
            free(line);
            if (n == 0)
                return 1; /* the empty line after the trailers */
            continue;
        }
        /* chunk-size [; extensions] */
        int64_t size = 0;
        size_t i = 0, digits = 0;
        for (; i < n; i++) {
            char ch = line[i];
            int d = ch >= '0' && ch <= '9'   ? ch - '0'
                    : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                    : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                             : -1;
            if (d < 0)
                break;
            if (++digits > 15) {
                digits = 0;
                break;
            }
            size = size * 16 + d;
        }
        int ok = digits && (i == n || line[i] == ';' || line[i] == ' ' || line[i] == '\t');
        free(line);
        if (!ok) {
            conn_refuse(c, 400, "a chunk size is not a hexadecimal number");
            return -1;
        }
        if ((int64_t)evbuffer_get_length(m->body) + size > c->limit) {
            conn_refuse(c, 413, NULL);
            return -1;
        }
        if (size == 0) {
            c->chunk = CH_TRAILER;
            continue;
        }
        c->to_read = size;
        c->chunk = CH_DATA;
    }
more:
    if (c->eof) {
        conn_refuse(c, 400, "the connection ended inside the request body");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ the loop */

/* Parses and hands over as many requests as the input holds, one at a
 * time: a request with the application stops parsing until its answer. */
static void conn_process(struct hconn *c)
{
    struct evbuffer *in = bufferevent_get_input(c->bev);
    for (;;) {
        switch (c->state) {
        case C_LINGER: {
            size_t n = evbuffer_get_length(in);
            evbuffer_drain(in, n);
            c->lingered += n;
            if (c->lingered > LINGER_BYTES)
                conn_free(c);
            return;
        }
        case C_CLOSE:
            evbuffer_drain(in, evbuffer_get_length(in));
            return;
        case C_WAIT:
            return;
        case C_HEAD: {
            if (evbuffer_get_length(bufferevent_get_output(c->bev)) > OUTPUT_PAUSE)
                return; /* the client reads slowly: go on when it has */
            int k = read_head(c);
            if (k <= 0)
                return;
            struct hmsg *m = c->cur;
            c->state = C_WAIT; /* on_head may answer at once */
            long limit = c->h->app.on_head(m);
            if (limit < 0) /* answered, and closing if a body was coming */
                return;
            if (m->content_length > limit) {
                conn_refuse(c, 413, NULL);
                return;
            }
            c->limit = limit;
            c->to_read = m->chunked ? 0 : (m->content_length > 0 ? m->content_length : 0);
            c->chunk = CH_SIZE;
            const char *expect = evhttp_find_header(&m->in, "Expect");
            if (expect && m->has_body && m->minor == 1 && strcasecmp(expect, "100-continue") == 0)
                bufferevent_write(c->bev, "HTTP/1.1 100 Continue\r\n\r\n", 25);
            c->state = C_BODY;
            break;
        }
        case C_BODY: {
            int k = read_body(c);
            if (k <= 0)
                return;
            c->state = C_WAIT;
            c->started = 0;
            c->cur->body_read = 1;
            c->h->app.on_request(c->cur);
            break; /* answered at once: the next request, if any */
        }
        }
    }
}

/* ------------------------------------------------------------ answers */

static const char *http_date(void)
{
    static _Thread_local time_t at = 0;
    static _Thread_local char buf[40];
    time_t now = time(NULL);
    if (now != at) {
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        at = now;
    }
    return buf;
}

size_t httpd_send(struct hmsg *m, int status, const char *reason, const void *head, size_t hlen,
                  const void *tail, size_t tlen)
{
    struct hconn *c = m->conn;
    if (!c) { /* the client went away */
        msg_free(m);
        return 0;
    }
    const char *ch = evhttp_find_header(&m->out, "Connection");
    if (ch && has_token(ch, "close"))
        c->keep = 0;
    /* A body announced and not read cannot be skipped safely. */
    if (m->has_body && !m->body_read)
        c->keep = 0;
    if (c->h->stopping || c->eof)
        c->keep = 0;
    struct evbuffer *out = bufferevent_get_output(c->bev);
    evbuffer_add_printf(out, "HTTP/1.%d %d %s\r\n", m->minor, status, reason);
    struct evkeyval *kv;
    TAILQ_FOREACH(kv, &m->out, next) {
        if (strcasecmp(kv->key, "Connection") == 0 || strcasecmp(kv->key, "Content-Length") == 0)
            continue;
        evbuffer_add_printf(out, "%s: %s\r\n", kv->key, kv->value);
    }
    evbuffer_add_printf(out, "Date: %s\r\nContent-Length: %zu\r\n", http_date(), hlen + tlen);
    if (!c->keep)
        evbuffer_add(out, "Connection: close\r\n\r\n", 21);
    else if (m->minor == 0)
        evbuffer_add(out, "Connection: keep-alive\r\n\r\n", 26);
    else
        evbuffer_add(out, "\r\n", 2);
    if (!m->head_only) {
        if (hlen)
            evbuffer_add(out, head, hlen);
        if (tlen)
            evbuffer_add(out, tail, tlen);
    }
    c->cur = NULL;
    msg_free(m);
    double now = util_monotonic();
    c->since = c->last_byte = now;
    c->started = 0;
    if (!c->keep) {
        c->state = C_CLOSE;
        evbuffer_drain(bufferevent_get_input(c->bev),
                       evbuffer_get_length(bufferevent_get_input(c->bev)));
        return hlen + tlen;
    }
    c->state = C_HEAD;
    if (evbuffer_get_length(bufferevent_get_input(c->bev)))
        bufferevent_trigger(c->bev, EV_READ, BEV_TRIG_DEFER_CALLBACKS | BEV_TRIG_IGNORE_WATERMARKS);
    return hlen + tlen;
}

/* ------------------------------------------------------------ accepting */

static void peer_name(const struct sockaddr *sa, char out[64])
{
    char host[INET6_ADDRSTRLEN] = "?";
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, host, sizeof host);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, host, sizeof host);
    else if (sa->sa_family == AF_UNIX)
        snprintf(host, sizeof host, "unix");
    snprintf(out, 64, "%s", host);
}

static void accept_cb(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa,
                      int salen, void *arg)
{
    struct httpd *h = arg;
    long cap = h->lim.max_conns;
    if ((long)h->n > cap + cap / 4) { /* far beyond the cap: no room at all */
        h->rejected++;
        metrics_add(MC_CONN_REJECTED, 1);
        evutil_closesocket(fd);
        return;
    }
    /* Answers go out as soon as they are written: with Nagle's algorithm
     * the tail of an answer larger than one segment waits for the
     * client's delayed ACK (40 ms on Linux) on a kept-alive connection. */
    int one = 1;
    if (sa && (sa->sa_family == AF_INET || sa->sa_family == AF_INET6))
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct bufferevent *bev = bufferevent_socket_new(h->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (!bev) {
        evutil_closesocket(fd);
        return;
    }
    struct hconn *c = xcalloc(1, sizeof *c);
    c->h = h;
    c->bev = bev;
    c->state = C_HEAD;
    c->since = c->last_byte = util_monotonic();
    c->over_cap = (long)h->n >= cap;
    if (c->over_cap) {
        h->rejected++;
        metrics_add(MC_CONN_REJECTED, 1);
    }
    if (sa)
        peer_name(sa, c->peer);
    if (h->n == h->cap_v) {
        h->cap_v = h->cap_v ? h->cap_v * 2 : 64;
        h->v = xrealloc(h->v, h->cap_v * sizeof *h->v);
    }
    h->v[h->n++] = c;
    metrics_connections(1);
    /* While a request is served, at most this much of what follows it is
     * read: a client cannot queue more than that in the server. */
    bufferevent_setwatermark(bev, EV_READ, 0, h->lim.header_limit + PIPELINE_BYTES);
    bufferevent_setcb(bev, read_cb, write_cb, event_cb, c);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
}

/* A few times a second: deadlines, idle connections, slow readers,
 * lingers that are over. */
static void sweep_cb(evutil_socket_t fd, short what, void *arg)
{
    struct httpd *h = arg;
    double now = util_monotonic();
    for (size_t i = h->n; i-- > 0;) {
        struct hconn *c = h->v[i];
        int expire = 0;
        switch (c->state) {
        case C_HEAD:
        case C_BODY:
            /* A whole request within the deadline from the accept or the
             * last answer; and no connection idle beyond the timeout. */
            expire = now - c->since > h->lim.request_deadline ||
                     (c->state == C_HEAD && !c->started && now - c->last_byte > h->lim.idle_timeout);
            break;
        case C_CLOSE:
            expire = now - c->since > h->lim.idle_timeout; /* the answer is not read */
            break;
        case C_LINGER:
            if (now > c->linger_until)
                conn_free(c);
            continue;
        case C_WAIT:
            continue;
        }
        if (expire) {
            h->expired++;
            metrics_add(MC_CONN_EXPIRED, 1);
            log_debug("closed a connection that sent no whole request in time");
            conn_free(c);
        }
    }
}

struct httpd *httpd_new(struct event_base *base, evutil_socket_t fd,
                        const struct httpd_app *app, const struct httpd_limits *lim, void *arg)
{
    struct httpd *h = xcalloc(1, sizeof *h);
    h->base = base;
    h->arg = arg;
    h->app = *app;
    h->lim = *lim;
    if (h->lim.max_conns < 1)
        h->lim.max_conns = 1;
    if (h->lim.request_deadline <= 0)
        h->lim.request_deadline = 60;
    if (h->lim.idle_timeout <= 0)
        h->lim.idle_timeout = 30;
    if (h->lim.header_limit < 1024)
        h->lim.header_limit = 1024;
    /* The workers share one listening socket; each listener leaves it
     * open (no LEV_OPT_CLOSE_ON_FREE): server.c closes it once. */
    h->lev = evconnlistener_new(base, accept_cb, h, LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 0,
                                fd);
    h->sweep_ev = event_new(base, -1, EV_PERSIST, sweep_cb, h);
    if (!h->lev || !h->sweep_ev) {
        httpd_free(h);
        return NULL;
    }
    double every = h->lim.request_deadline / 4;
    if (h->lim.idle_timeout / 4 < every)
        every = h->lim.idle_timeout / 4;
    if (every > 0.25)
        every = 0.25;
    struct timeval tv = {(long)every, (long)((every - (long)every) * 1e6)};
    event_add(h->sweep_ev, &tv);
    return h;
}

void httpd_stop(struct httpd *h)
{
    if (!h)
        return;
    h->stopping = 1;
    if (h->lev)
        evconnlistener_free(h->lev);
    h->lev = NULL;
    for (size_t i = h->n; i-- > 0;) {
        struct hconn *c = h->v[i];
        if (c->state == C_HEAD && !c->started &&
            !evbuffer_get_length(bufferevent_get_input(c->bev)))
            conn_free(c); /* idle: nothing to finish */
    }
}

void httpd_free(struct httpd *h)
{
    if (!h)
        return;
    if (h->lev)
        evconnlistener_free(h->lev);
    while (h->n)
        conn_free(h->v[h->n - 1]);
    if (h->sweep_ev)
        event_free(h->sweep_ev);
    free(h->v);
    free(h);
}

long httpd_live(struct httpd *h)
{
    return h ? (long)h->n : 0;
}

long httpd_rejected(const struct httpd *h)
{
    return h ? h->rejected : 0;
}

long httpd_expired(const struct httpd *h)
{
    return h ? h->expired : 0;
}

long httpd_fit_limit(long cap, long nworkers)
{
    enum { RESERVE = 64 }; /* database, WAL, Redis, logs, static files */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return cap;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
            getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur == RLIM_INFINITY)
        return cap;
    long room = ((long)rl.rlim_cur - RESERVE) / (nworkers > 0 ? nworkers : 1);
    if (room < 1)
        room = 1;
    return cap < room ? cap : room;
}
