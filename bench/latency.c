/*
 * latency.c - sequential HTTP/1.1 latency client for shucu's benchmarks.
 *
 * One keep-alive connection (plain sockets), one request in flight: each
 * request line of FILE is sent REPS times, round-robin (the whole list,
 * then the whole list again, ...), after one unmeasured warm-up round.
 * The time of a request is from the first byte written to the last byte
 * of the response read (the whole body, Content-Length or chunked).
 *
 * FILE has one request per line:
 *     GET<TAB>/v1/search?q=...
 *     POST<TAB>/v1/match<TAB>{"title": ...}
 * A line "-<TAB>-" keeps its request number but is never sent (a query a
 * peer has nothing to search for).
 * Output: one line per measured request, "req#<TAB>ms<TAB>status<TAB>bytes".
 * Every request must answer 2xx: anything else is counted and makes the
 * exit status 1.  Every wait is bounded (--timeout seconds, default 30).
 *
 *   latency --port P --reqs FILE --reps N [--host 127.0.0.1] [--auth KEY]
 *           [--out FILE] [--warmup 1]
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXREQ 10000

struct rq {
    char *method, *path, *body;
};

static const char *host = "127.0.0.1";
static int port, timeout_ms = 30000, fd = -1;
static char *buf;
static size_t bcap = 1 << 20, blen, bpos;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void fail(const char *what)
{
    fprintf(stderr, "latency: %s: %s\n", what, errno ? strerror(errno) : "failed");
    exit(1);
}

static void conn(void)
{
    if (fd >= 0)
        close(fd);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
        fail("connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    blen = bpos = 0;
}

static int wait_fd(short ev)
{
    struct pollfd p = {.fd = fd, .events = ev};
    int rc = poll(&p, 1, timeout_ms);
    if (rc == 0) {
        errno = ETIMEDOUT;
        fail("no answer in time");
    }
    return rc;
}

/* Reads more bytes into buf; 0 at EOF. */
static ssize_t fill(void)
{
    if (bpos > 0 && bpos == blen)
        blen = bpos = 0;
    if (blen == bcap) {
        if (bpos > 0) {
            memmove(buf, buf + bpos, blen - bpos);
            blen -= bpos;
            bpos = 0;
        } else {
            bcap *= 2;
            buf = realloc(buf, bcap);
            if (!buf)
                fail("out of memory");
        }
    }
    wait_fd(POLLIN);
    ssize_t n = read(fd, buf + blen, bcap - blen);
    if (n < 0)
        fail("read");
    blen += (size_t)n;
    return n;
}

/* Returns a pointer to the next line (NUL-terminated, without CRLF). */
static char *getline_buf(void)
{
    for (;;) {
        char *nl = memchr(buf + bpos, '\n', blen - bpos);
        if (nl) {
            char *s = buf + bpos;
            *nl = '\0';
            if (nl > s && nl[-1] == '\r')
                nl[-1] = '\0';
            bpos = (size_t)(nl - buf) + 1;
            return s;
        }
        if (fill() == 0)
            return NULL;
    }
}

static int skip_bytes(size_t n)
{
    while (n > 0) {
        if (bpos == blen && fill() == 0)
            return -1;
        size_t k = blen - bpos < n ? blen - bpos : n;
        bpos += k;
        n -= k;
    }
    return 0;
}

/* Reads one response; returns the status (0 on a closed connection),
 * the body length in *bytes and whether the server keeps the connection. */
static int response(long *bytes, int *keep)
{
    char *l = getline_buf();
    if (!l)
        return 0;
    int status = 0;
    if (sscanf(l, "HTTP/1.%*d %d", &status) != 1)
        return 0;
    long clen = -1;
    int chunked = 0;
    *keep = 1;
    while ((l = getline_buf()) && *l) {
        if (strncasecmp(l, "Content-Length:", 15) == 0)
            clen = atol(l + 15);
        else if (strncasecmp(l, "Transfer-Encoding:", 18) == 0 && strcasestr(l, "chunked"))
            chunked = 1;
        else if (strncasecmp(l, "Connection:", 11) == 0 && strcasestr(l, "close"))
            *keep = 0;
    }
    if (!l)
        return 0;
    *bytes = 0;
    if (chunked) {
        for (;;) {
            l = getline_buf();
            if (!l)
                return 0;
            long n = strtol(l, NULL, 16);
            if (n == 0) {
                while ((l = getline_buf()) && *l) /* trailers */
                    ;
                break;
            }
            if (skip_bytes((size_t)n) < 0 || !getline_buf())
                return 0;
            *bytes += n;
        }
    } else if (clen >= 0) {
        if (skip_bytes((size_t)clen) < 0)
            return 0;
        *bytes = clen;
    }
    return status;
}

static void send_all(const char *s, size_t n)
{
    while (n > 0) {
        wait_fd(POLLOUT);
        ssize_t k = write(fd, s, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            fail("write");
        }
        s += k;
        n -= (size_t)k;
    }
}

static char *arg(int argc, char **argv, const char *name, const char *def)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return (char *)def;
}

int main(int argc, char **argv)
{
    host = arg(argc, argv, "--host", host);
    port = atoi(arg(argc, argv, "--port", "0"));
    const char *reqs = arg(argc, argv, "--reqs", NULL);
    const char *auth = arg(argc, argv, "--auth", NULL);
    const char *outp = arg(argc, argv, "--out", NULL);
    int reps = atoi(arg(argc, argv, "--reps", "10"));
    int warm = atoi(arg(argc, argv, "--warmup", "1"));
    timeout_ms = atoi(arg(argc, argv, "--timeout", "30")) * 1000;
    if (!reqs || port <= 0 || reps < 0 || reps > 100000 || warm < 0 || warm > 100) {
        fprintf(stderr, "usage: latency --port P --reqs FILE --reps N [--host H] [--auth KEY]"
                        " [--out FILE] [--warmup N] [--timeout S]\n");
        return 2;
    }
    buf = malloc(bcap);
    static struct rq rq[MAXREQ];
    int n = 0;
    FILE *f = fopen(reqs, "r");
    if (!f)
        fail(reqs);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while (n < MAXREQ && (len = getline(&line, &cap, f)) > 0) {
        line[strcspn(line, "\r\n")] = '\0';
        char *save, *m = strtok_r(line, "\t", &save), *p = strtok_r(NULL, "\t", &save);
        char *b = strtok_r(NULL, "", &save);
        if (!m || !p)
            continue;
        rq[n].method = strdup(m);
        rq[n].path = strdup(p);
        rq[n].body = b ? strdup(b) : NULL;
        n++;
    }
    fclose(f);
    free(line);
    /* Pre-render every request. */
    char **wire = calloc((size_t)n, sizeof *wire);
    size_t *wlen = calloc((size_t)n, sizeof *wlen);
    for (int i = 0; i < n; i++) {
        char authh[300] = "";
        if (auth)
            snprintf(authh, sizeof authh, "Authorization: Bearer %s\r\n", auth);
        size_t bl = rq[i].body ? strlen(rq[i].body) : 0;
        int k;
        if (rq[i].body)
            k = asprintf(&wire[i], "%s %s HTTP/1.1\r\nHost: %s:%d\r\n%sContent-Type: application/json\r\n"
                                   "Content-Length: %zu\r\n\r\n%s",
                         rq[i].method, rq[i].path, host, port, authh, bl, rq[i].body);
        else
            k = asprintf(&wire[i], "%s %s HTTP/1.1\r\nHost: %s:%d\r\n%s\r\n", rq[i].method,
                         rq[i].path, host, port, authh);
        if (k < 0)
            fail("out of memory");
        wlen[i] = (size_t)k;
    }
    FILE *out = outp ? fopen(outp, "a") : stdout;
    if (!out)
        fail(outp);
    conn();
    long bad = 0;
    for (int r = -warm; r < reps; r++) {
        for (int i = 0; i < n; i++) {
            if (strcmp(rq[i].method, "-") == 0)
                continue;
            long bytes = 0;
            int keep = 1, status = 0;
            double t0 = 0;
            for (int attempt = 0; attempt < 2 && !status; attempt++) {
                t0 = now_ms();
                send_all(wire[i], wlen[i]);
                status = response(&bytes, &keep);
                if (!status) /* the server closed an idle connection: once more */
                    conn();
            }
            double ms = now_ms() - t0;
            if (!status)
                fail("connection closed twice in a row");
            if (status < 200 || status > 299) {
                if (bad++ < 5)
                    fprintf(stderr, "latency: %s %s -> %d\n", rq[i].method, rq[i].path, status);
            }
            if (r >= 0)
                fprintf(out, "%d\t%.4f\t%d\t%ld\n", i, ms, status, bytes);
            if (!keep)
                conn();
        }
    }
    if (out != stdout)
        fclose(out);
    close(fd);
    if (bad)
        fprintf(stderr, "latency: %ld requests did not answer 2xx\n", bad);
    return bad ? 1 : 0;
}
