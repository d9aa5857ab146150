/*
 * dqc.c - a minimal client for dqlite's wire protocol (dqc.h says what and
 * how).  Request and response layouts follow dqlite 1.11's request.h,
 * response.h and tuple.h.
 */
#include "dqc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

/* Request and response types (dqlite's protocol.h). */
enum { REQ_LEADER = 0, REQ_CLIENT = 1, REQ_OPEN = 3, REQ_PREPARE = 4, REQ_EXEC = 5,
       REQ_QUERY = 6, REQ_FINALIZE = 7, REQ_EXEC_SQL = 8, REQ_QUERY_SQL = 9,
       REQ_ADD = 12, REQ_ASSIGN = 13, REQ_TRANSFER = 17 };
enum { RES_FAILURE = 0, RES_SERVER = 1, RES_WELCOME = 2, RES_DB = 4, RES_STMT = 5,
       RES_RESULT = 6, RES_ROWS = 7, RES_EMPTY = 8 };

#define PROTOCOL_VERSION 1
#define ROWS_PART 0xeeeeeeeeeeeeeeeeULL
#define ROWS_DONE 0xffffffffffffffffULL
#define MAXCOLS 64

double dqc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int eio(struct dqc *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    return DQC_EIO;
}

/* --- an outgoing message ------------------------------------------------ */

struct wbuf {
    uint8_t *p;
    size_t len, cap;
};

static void w_need(struct wbuf *w, size_t n)
{
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->len + n)
            cap *= 2;
        uint8_t *p = realloc(w->p, cap);
        if (!p) {
            fprintf(stderr, "dqc: out of memory\n");
            abort();
        }
        w->p = p;
        w->cap = cap;
    }
}

static void w_u64(struct wbuf *w, uint64_t v)
{
    w_need(w, 8);
    for (int i = 0; i < 8; i++)
        w->p[w->len++] = (uint8_t)(v >> (8 * i));
}

static void w_u32(struct wbuf *w, uint32_t v)
{
    w_need(w, 4);
    for (int i = 0; i < 4; i++)
        w->p[w->len++] = (uint8_t)(v >> (8 * i));
}

static void w_pad(struct wbuf *w)
{
    while (w->len % 8) {
        w_need(w, 1);
        w->p[w->len++] = 0;
    }
}

static void w_bytes(struct wbuf *w, const void *s, size_t n)
{
    w_need(w, n);
    memcpy(w->p + w->len, s, n);
    w->len += n;
}

/* text: NUL-terminated, padded to a word */
static void w_text(struct wbuf *w, const char *s)
{
    w_bytes(w, s, strlen(s) + 1);
    w_pad(w);
}

/* A tuple of parameters: count byte, type bytes, padding, then values.
 * Nothing at all for no parameters (the node binds none). */
static void w_params(struct wbuf *w, const struct dqv *v, int n)
{
    if (n <= 0)
        return;
    w_need(w, 1);
    w->p[w->len++] = (uint8_t)n;
    for (int i = 0; i < n; i++) {
        w_need(w, 1);
        w->p[w->len++] = (uint8_t)v[i].type;
    }
    w_pad(w);
    for (int i = 0; i < n; i++) {
        switch (v[i].type) {
        case DQV_INT:
        case DQV_UNIXTIME:
        case DQV_BOOLEAN:
            w_u64(w, (uint64_t)v[i].i);
            break;
        case DQV_FLOAT: {
            uint64_t u;
            memcpy(&u, &v[i].f, 8);
            w_u64(w, u);
            break;
        }
        case DQV_TEXT:
        case DQV_ISO8601:
            w_text(w, v[i].s ? v[i].s : "");
            break;
        case DQV_BLOB:
            w_u64(w, v[i].len);
            w_bytes(w, v[i].s, v[i].len);
            w_pad(w);
            break;
        default: /* NULL */
            w_u64(w, 0);
        }
    }
}

/* --- the socket ------------------------------------------------------------ */

static int send_all(struct dqc *c, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t k = send(c->fd, p, n, MSG_NOSIGNAL);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return eio(c, "send to %s: %s", c->addr, strerror(errno));
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* The node's replies to a query come in batches of about a page, each its
 * own write, on a socket where the node leaves Nagle's algorithm on: without
 * an immediate ACK from us, each batch after the first waits for our delayed
 * ACK (40 ms on Linux).  TCP_QUICKACK is not sticky, so it is set again
 * before every read.  DQC_QUICKACK=0 turns it off, to measure that stall. */
static int quickack = -1;

static int recv_all(struct dqc *c, uint8_t *p, size_t n)
{
    if (quickack < 0) {
        const char *e = getenv("DQC_QUICKACK");
        quickack = !(e && strcmp(e, "0") == 0);
    }
    while (n > 0) {
        if (quickack) {
            int one = 1;
            setsockopt(c->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
        }
        ssize_t k = recv(c->fd, p, n, 0);
        if (k == 0)
            return eio(c, "%s closed the connection", c->addr);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return eio(c, "recv from %s: %s", c->addr,
                       errno == EAGAIN ? "timed out" : strerror(errno));
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Sends one request whose body is w (built from offset 8 on). */
static int send_msg(struct dqc *c, struct wbuf *w, int type)
{
    w_pad(w);
    size_t words = (w->len - 8) / 8;
    for (int i = 0; i < 4; i++)
        w->p[i] = (uint8_t)(words >> (8 * i));
    w->p[4] = (uint8_t)type;
    w->p[5] = 0; /* schema revision 0 */
    w->p[6] = w->p[7] = 0;
    int rc = send_all(c, w->p, w->len);
    free(w->p);
    w->p = NULL;
    return rc;
}

static void w_start(struct wbuf *w)
{
    memset(w, 0, sizeof *w);
    w_need(w, 8);
    memset(w->p, 0, 8);
    w->len = 8;
}

/* Reads one response: its type, and its body in c->buf (*len bytes). */
static int recv_msg(struct dqc *c, int *type, size_t *len)
{
    if (c->fd < 0)
        return eio(c, "not connected");
    uint8_t h[8];
    if (recv_all(c, h, 8) < 0)
        return DQC_EIO;
    uint32_t words = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 |
                     (uint32_t)h[3] << 24;
    size_t n = (size_t)words * 8;
    if (n > (size_t)1 << 30)
        return eio(c, "response of %zu bytes from %s", n, c->addr);
    if (n > c->cap) {
        uint8_t *p = realloc(c->buf, n);
        if (!p)
            return eio(c, "out of memory");
        c->buf = p;
        c->cap = n;
    }
    if (recv_all(c, c->buf, n) < 0)
        return DQC_EIO;
    *type = h[4];
    *len = n;
    return 0;
}

/* --- reading a body -------------------------------------------------------- */

struct rd {
    const uint8_t *p;
    size_t len, pos;
    int bad;
};

static uint64_t r_u64(struct rd *r)
{
    if (r->pos + 8 > r->len) {
        r->bad = 1;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)r->p[r->pos + i] << (8 * i);
    r->pos += 8;
    return v;
}

static uint32_t r_u32(struct rd *r)
{
    if (r->pos + 4 > r->len) {
        r->bad = 1;
        return 0;
    }
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)r->p[r->pos + i] << (8 * i);
    r->pos += 4;
    return v;
}

static const char *r_text(struct rd *r, size_t *n)
{
    const uint8_t *s = r->p + r->pos;
    const uint8_t *e = r->pos < r->len ? memchr(s, 0, r->len - r->pos) : NULL;
    if (!e) {
        r->bad = 1;
        return "";
    }
    size_t k = (size_t)(e - s);
    if (n)
        *n = k;
    r->pos += (k + 1 + 7) / 8 * 8;
    if (r->pos > r->len)
        r->bad = 1;
    return (const char *)s;
}

/* A FAILURE body -> its code, message in c->err. */
static int failure(struct dqc *c, size_t len)
{
    struct rd r = {c->buf, len, 0, 0};
    uint64_t code = r_u64(&r);
    const char *msg = r_text(&r, NULL);
    snprintf(c->err, sizeof c->err, "%s (code %llu)", r.bad ? "?" : msg, (unsigned long long)code);
    return code > 0 && code < 1000000 ? (int)code : 1;
}

/* Reads the response, expecting type want: 0 with the body in c->buf,
 * a failure code, or DQC_EIO. */
static int expect(struct dqc *c, int want, size_t *len)
{
    int type = -1;
    if (recv_msg(c, &type, len) < 0)
        return DQC_EIO;
    if (type == RES_FAILURE)
        return failure(c, *len);
    if (type != want)
        return eio(c, "%s answered type %d, expected %d", c->addr, type, want);
    return 0;
}

/* --- requests -------------------------------------------------------------- */

int dqc_connect(struct dqc *c, const char *addr, int timeout_ms)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
    snprintf(c->addr, sizeof c->addr, "%s", addr);
    char host[64];
    const char *colon = strrchr(addr, ':');
    if (!colon || (size_t)(colon - addr) >= sizeof host)
        return eio(c, "bad address %s", addr);
    memcpy(host, addr, (size_t)(colon - addr));
    host[colon - addr] = '\0';
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        return eio(c, "bad address %s", addr);
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        return eio(c, "socket: %s", strerror(errno));
    /* a bounded connect: non-blocking, poll, then blocking with timeouts */
    int fl = fcntl(c->fd, F_GETFL);
    fcntl(c->fd, F_SETFL, fl | O_NONBLOCK);
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        if (errno != EINPROGRESS)
            return eio(c, "connect %s: %s", addr, strerror(errno));
        struct pollfd pf = {.fd = c->fd, .events = POLLOUT};
        if (poll(&pf, 1, timeout_ms) != 1)
            return eio(c, "connect %s: timed out", addr);
        int e = 0;
        socklen_t el = sizeof e;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &el);
        if (e)
            return eio(c, "connect %s: %s", addr, strerror(e));
    }
    fcntl(c->fd, F_SETFL, fl);
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    uint8_t hs[8] = {0};
    uint64_t v = PROTOCOL_VERSION;
    for (int i = 0; i < 8; i++)
        hs[i] = (uint8_t)(v >> (8 * i));
    return send_all(c, hs, 8);
}

void dqc_close(struct dqc *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    free(c->buf);
    c->buf = NULL;
    c->cap = 0;
    c->opened = 0;
}

int dqc_leader(struct dqc *c, uint64_t *id, char *addr, size_t addrlen)
{
    struct wbuf w;
    w_start(&w);
    w_u64(&w, 0);
    if (send_msg(c, &w, REQ_LEADER) < 0)
        return DQC_EIO;
    size_t len;
    int rc = expect(c, RES_SERVER, &len);
    if (rc)
        return rc;
    struct rd r = {c->buf, len, 0, 0};
    uint64_t lid = r_u64(&r);
    const char *a = r_text(&r, NULL);
    if (r.bad)
        return eio(c, "bad SERVER response from %s", c->addr);
    if (id)
        *id = lid;
    if (addr)
        snprintf(addr, addrlen, "%s", a);
    return 0;
}

int dqc_register(struct dqc *c, uint64_t client_id)
{
    struct wbuf w;
    w_start(&w);
    w_u64(&w, client_id);
    if (send_msg(c, &w, REQ_CLIENT) < 0)
        return DQC_EIO;
    size_t len;
    return expect(c, RES_WELCOME, &len);
}

int dqc_open(struct dqc *c, const char *name)
{
    struct wbuf w;
    w_start(&w);
    w_text(&w, name);
    w_u64(&w, 0);  /* flags: the node ignores them */
    w_text(&w, ""); /* vfs: the node's own */
    if (send_msg(c, &w, REQ_OPEN) < 0)
        return DQC_EIO;
    size_t len;
    int rc = expect(c, RES_DB, &len);
    if (rc)
        return rc;
    struct rd r = {c->buf, len, 0, 0};
    c->db = r_u32(&r);
    c->opened = 1;
    return 0;
}

int dqc_prepare(struct dqc *c, const char *sql, uint32_t *stmt, uint64_t *nparams)
{
    struct wbuf w;
    w_start(&w);
    w_u64(&w, c->db);
    w_text(&w, sql);
    if (send_msg(c, &w, REQ_PREPARE) < 0)
        return DQC_EIO;
    size_t len;
    int rc = expect(c, RES_STMT, &len);
    if (rc)
        return rc;
    struct rd r = {c->buf, len, 0, 0};
    (void)r_u32(&r); /* db */
    uint32_t id = r_u32(&r);
    uint64_t np = r_u64(&r);
    if (stmt)
        *stmt = id;
    if (nparams)
        *nparams = np;
    return 0;
}

static int result(struct dqc *c, uint64_t *last_id, uint64_t *changes)
{
    size_t len;
    int rc = expect(c, RES_RESULT, &len);
    if (rc)
        return rc;
    struct rd r = {c->buf, len, 0, 0};
    uint64_t li = r_u64(&r), ch = r_u64(&r);
    if (last_id)
        *last_id = li;
    if (changes)
        *changes = ch;
    return 0;
}

int dqc_exec(struct dqc *c, uint32_t stmt, const struct dqv *params, int n,
             uint64_t *last_id, uint64_t *changes)
{
    struct wbuf w;
    w_start(&w);
    w_u32(&w, c->db);
    w_u32(&w, stmt);
    w_params(&w, params, n);
    if (send_msg(c, &w, REQ_EXEC) < 0)
        return DQC_EIO;
    return result(c, last_id, changes);
}

int dqc_exec_sql(struct dqc *c, const char *sql, const struct dqv *params, int n,
                 uint64_t *last_id, uint64_t *changes)
{
    struct wbuf w;
    w_start(&w);
    w_u64(&w, c->db);
    w_text(&w, sql);
    w_params(&w, params, n);
    if (send_msg(c, &w, REQ_EXEC_SQL) < 0)
        return DQC_EIO;
    return result(c, last_id, changes);
}

/* Reads ROWS responses until the DONE marker, calling fn for each row. */
static int rows(struct dqc *c, dqc_row_fn fn, void *ctx)
{
    int stop = 0;
    for (;;) {
        size_t len;
        int rc = expect(c, RES_ROWS, &len);
        if (rc)
            return rc;
        struct rd r = {c->buf, len, 0, 0};
        uint64_t ncols = r_u64(&r);
        if (ncols == 0 || ncols > MAXCOLS)
            return eio(c, "%llu columns in a ROWS response", (unsigned long long)ncols);
        for (uint64_t i = 0; i < ncols; i++)
            (void)r_text(&r, NULL);
        uint64_t eof = 0;
        for (;;) {
            if (r.bad)
                return eio(c, "bad ROWS response from %s", c->addr);
            /* a word of all 0xe or all 0xf nibbles ends the batch: no
             * value type is 14 or 15 */
            if (r.pos + 8 <= r.len) {
                struct rd peek = r;
                uint64_t w = r_u64(&peek);
                if (w == ROWS_PART || w == ROWS_DONE) {
                    eof = w;
                    break;
                }
            }
            size_t hwords = (ncols + 15) / 16;
            if (r.pos + hwords * 8 > r.len)
                return eio(c, "truncated row from %s", c->addr);
            const uint8_t *hdr = r.p + r.pos;
            r.pos += hwords * 8;
            struct dqv v[MAXCOLS];
            for (uint64_t i = 0; i < ncols; i++) {
                int t = (hdr[i / 2] >> ((i % 2) * 4)) & 0xf;
                v[i].type = t;
                v[i].s = NULL;
                v[i].len = 0;
                v[i].i = 0;
                v[i].f = 0;
                switch (t) {
                case DQV_INT:
                case DQV_UNIXTIME:
                case DQV_BOOLEAN:
                    v[i].i = (int64_t)r_u64(&r);
                    break;
                case DQV_FLOAT: {
                    uint64_t u = r_u64(&r);
                    memcpy(&v[i].f, &u, 8);
                    break;
                }
                case DQV_TEXT:
                case DQV_ISO8601:
                    v[i].s = r_text(&r, &v[i].len);
                    break;
                case DQV_BLOB: {
                    uint64_t n = r_u64(&r);
                    if (r.pos + n > r.len)
                        return eio(c, "truncated blob from %s", c->addr);
                    v[i].s = (const char *)r.p + r.pos;
                    v[i].len = n;
                    r.pos += (n + 7) / 8 * 8;
                    break;
                }
                case DQV_NULL:
                    (void)r_u64(&r);
                    break;
                default:
                    return eio(c, "value type %d from %s", t, c->addr);
                }
            }
            if (r.bad)
                return eio(c, "bad row from %s", c->addr);
            if (!stop && fn && fn(ctx, (int)ncols, v))
                stop = 1;
        }
        if (eof == ROWS_DONE)
            return 0;
    }
}

int dqc_query(struct dqc *c, uint32_t stmt, const struct dqv *params, int n,
              dqc_row_fn fn, void *ctx)
{
    struct wbuf w;
    w_start(&w);
    w_u32(&w, c->db);
    w_u32(&w, stmt);
    w_params(&w, params, n);
    if (send_msg(c, &w, REQ_QUERY) < 0)
        return DQC_EIO;
    return rows(c, fn, ctx);
}

int dqc_query_sql(struct dqc *c, const char *sql, const struct dqv *params, int n,
                  dqc_row_fn fn, void *ctx)
{
    struct wbuf w;
    w_start(&w);
    w_u64(&w, c->db);
    w_text(&w, sql);
    w_params(&w, params, n);
    if (send_msg(c, &w, REQ_QUERY_SQL) < 0)
        return DQC_EIO;
    return rows(c, fn, ctx);
}

int dqc_finalize(struct dqc *c, uint32_t stmt)
{
    struct wbuf w;
    w_start(&w);
    w_u32(&w, c->db);
    w_u32(&w, stmt);
    if (send_msg(c, &w, REQ_FINALIZE) < 0)
        return DQC_EIO;
    size_t len;
    return expect(c, RES_EMPTY, &len);
}

int dqc_add(struct dqc *c, uint64_t id, const char *addr)
{
    struct wbuf w;
    w_start(&w);
    w_u64(&w, id);
    w_text(&w, addr);
    if (send_msg(c, &w, REQ_ADD) < 0)
        return DQC_EIO;
    size_t len;
    return expect(c, RES_EMPTY, &len);
}

int dqc_assign(struct dqc *c, uint64_t id, uint64_t role)
{
    struct wbuf w;
    w_start(&w);
    w_u64(&w, id);
    w_u64(&w, role);
    if (send_msg(c, &w, REQ_ASSIGN) < 0)
        return DQC_EIO;
    size_t len;
    return expect(c, RES_EMPTY, &len);
}

int dqc_transfer(struct dqc *c, uint64_t id)
{
    struct wbuf w;
    w_start(&w);
    w_u64(&w, id);
    if (send_msg(c, &w, REQ_TRANSFER) < 0)
        return DQC_EIO;
    size_t len;
    return expect(c, RES_EMPTY, &len);
}

int dqc_connect_leader(struct dqc *c, const char *const *addrs, int n, const char *name,
                       int timeout_ms, double deadline_ms)
{
    static uint64_t client_id;
    char why[256] = "no node answered";
    for (int round = 0;; round++) {
        for (int i = 0; i < n; i++) {
            char leader[64] = "";
            uint64_t lid = 0;
            if (dqc_connect(c, addrs[i], timeout_ms) < 0 ||
                dqc_leader(c, &lid, leader, sizeof leader) != 0) {
                snprintf(why, sizeof why, "%s", c->err);
                dqc_close(c);
                continue;
            }
            if (!*leader) {
                snprintf(why, sizeof why, "%s knows no leader", addrs[i]);
                dqc_close(c);
                continue;
            }
            if (strcmp(leader, addrs[i]) != 0) {
                /* ask the leader itself: it must say it leads */
                dqc_close(c);
                char again[64] = "";
                if (dqc_connect(c, leader, timeout_ms) < 0 ||
                    dqc_leader(c, NULL, again, sizeof again) != 0 || strcmp(again, leader) != 0) {
                    snprintf(why, sizeof why, "%s named %s, which does not lead", addrs[i], leader);
                    dqc_close(c);
                    continue;
                }
            }
            int rc = dqc_register(c, ++client_id);
            if (rc == 0)
                rc = dqc_open(c, name);
            if (rc == 0)
                return 0;
            snprintf(why, sizeof why, "%s", c->err);
            dqc_close(c);
        }
        if (dqc_now_ms() >= deadline_ms)
            break;
        struct timespec ts = {0, 20 * 1000000L}; /* 20 ms between rounds */
        nanosleep(&ts, NULL);
    }
    snprintf(c->err, sizeof c->err, "no leader before the deadline: %s", why);
    return DQC_EIO;
}
