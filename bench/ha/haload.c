/*
 * haload.c - HTTP load on shucud with a timeline of every request, for the
 * Redis part of the issue 25 experiment (the master stopped and restarted
 * under load).  N threads, each with its own keep-alive connection, send
 * GET requests for the paths of FILE in turn (thread t starts at path t)
 * until SECONDS have passed.  Plain sockets; every wait is bounded (5 s).
 * A broken connection is recorded (status 0) and opened again.
 *
 * Output, one line per request: "t_s<TAB>ms<TAB>status<TAB>cache" where
 * t_s is the start of the request in seconds of CLOCK_REALTIME (comparable
 * with the times the script records), cache the X-Cache header (HIT, MISS,
 * or - when absent).
 *
 *   haload --port P --paths FILE --conns N --seconds S --out FILE
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAXP 1000

static char *paths[MAXP];
static int npaths, port;
static double end_at;
static pthread_mutex_t out_mu = PTHREAD_MUTEX_INITIALIZER;
static FILE *out;

static double rt(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int conn(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* One request on fd; the status (0: the connection failed) and X-Cache. */
static int one(int fd, const char *path, char *cache, size_t cachelen, char *buf, size_t cap)
{
    char req[2048];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path);
    if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n)
        return 0;
    size_t len = 0;
    char *hend = NULL;
    while (!hend) {
        if (len + 1 >= cap)
            return 0;
        ssize_t k = recv(fd, buf + len, cap - 1 - len, 0);
        if (k <= 0)
            return 0;
        len += (size_t)k;
        buf[len] = '\0';
        hend = strstr(buf, "\r\n\r\n");
    }
    int status = 0;
    if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
        return 0;
    long clen = -1;
    snprintf(cache, cachelen, "-");
    for (char *l = strstr(buf, "\r\n"); l && l < hend; l = strstr(l + 2, "\r\n")) {
        char *h = l + 2;
        if (strncasecmp(h, "Content-Length:", 15) == 0)
            clen = atol(h + 15);
        else if (strncasecmp(h, "X-Cache:", 8) == 0) {
            char *v = h + 8;
            while (*v == ' ')
                v++;
            size_t vl = strcspn(v, "\r");
            if (vl >= cachelen)
                vl = cachelen - 1;
            memcpy(cache, v, vl);
            cache[vl] = '\0';
        }
    }
    if (clen < 0)
        return 0; /* shucud always sends Content-Length */
    size_t have = len - (size_t)(hend + 4 - buf);
    while ((long)have < clen) {
        char tmp[65536];
        ssize_t k = recv(fd, tmp, sizeof tmp, 0);
        if (k <= 0)
            return 0;
        have += (size_t)k;
    }
    return status;
}

static void *worker(void *arg)
{
    long t = (long)arg;
    size_t cap = 1 << 16;
    char *buf = malloc(cap);
    int fd = -1;
    for (long i = t; rt() < end_at; i++) {
        if (fd < 0)
            fd = conn();
        double t0 = rt();
        char cache[16] = "-";
        int status = fd >= 0 ? one(fd, paths[i % npaths], cache, sizeof cache, buf, cap) : 0;
        double ms = (rt() - t0) * 1e3;
        if (status == 0 && fd >= 0) {
            close(fd);
            fd = -1;
        }
        pthread_mutex_lock(&out_mu);
        fprintf(out, "%.4f\t%.3f\t%d\t%s\n", t0, ms, status, cache);
        pthread_mutex_unlock(&out_mu);
        if (status == 0)
            usleep(10000);
    }
    if (fd >= 0)
        close(fd);
    free(buf);
    return NULL;
}

static const char *arg(int argc, char **argv, const char *name, const char *def)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return def;
}

int main(int argc, char **argv)
{
    port = atoi(arg(argc, argv, "--port", "0"));
    const char *pf = arg(argc, argv, "--paths", NULL);
    int conns = atoi(arg(argc, argv, "--conns", "4"));
    double secs = atof(arg(argc, argv, "--seconds", "60"));
    const char *op = arg(argc, argv, "--out", NULL);
    if (!port || !pf || !op || conns < 1 || conns > 64 || secs <= 0 || secs > 600) {
        fprintf(stderr, "usage: haload --port P --paths FILE --conns N --seconds S --out FILE\n");
        return 2;
    }
    FILE *f = fopen(pf, "r");
    if (!f) {
        perror(pf);
        return 1;
    }
    char line[4096];
    while (npaths < MAXP && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (*line)
            paths[npaths++] = strdup(line);
    }
    fclose(f);
    if (!npaths)
        return 1;
    out = fopen(op, "w");
    if (!out) {
        perror(op);
        return 1;
    }
    end_at = rt() + secs;
    pthread_t th[64];
    for (long i = 0; i < conns; i++)
        pthread_create(&th[i], NULL, worker, (void *)i);
    for (int i = 0; i < conns; i++)
        pthread_join(th[i], NULL);
    fclose(out);
    return 0;
}
