/*
 * server.c - the process: one listening socket, N worker threads
 * (worker.c), signals, and the once-a-second campaign deadline closer.
 *
 * Requests never cross threads.  The main thread only waits for
 * SIGINT/SIGTERM.  On a signal it sets app.shutting_down (requests begun
 * from then on get 503) and activates each worker's stop event
 * (event_active is thread-safe after evthread_use_pthreads); a stopping
 * worker drains (worker.c) and leaves its loop.  Migrations run once in
 * the main thread before any worker opens the database.
 */
#include "server.h"
#include "feed.h"

#include "cache.h"
#include "campaign.h"
#include "httpd.h"
#include "db.h"
#include "hash.h"
#include "instrument.h"
#include "lexicon.h"
#include "deliver.h"
#include "log.h"
#include "pinyin.h"
#include "metrics.h"
#include "query.h"
#include "regions.h"
#include "route.h"
#include "taxonomy.h"
#include "tokenizer.h"
#include "util.h"
#include "worker.h"

#include <arpa/inet.h>
#include <event2/listener.h>
#include <errno.h>
#include <event2/thread.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Splits "host:port" or "[v6]:port"; writes host and port strings. */
static int split_listen(const char *addr, char *host, size_t hostlen, char *port, size_t portlen)
{
    const char *colon;
    if (addr[0] == '[') {
        const char *rb = strchr(addr, ']');
        if (!rb || rb[1] != ':')
            return -1;
        snprintf(host, hostlen, "%.*s", (int)(rb - addr - 1), addr + 1);
        colon = rb + 1;
    } else {
        colon = strrchr(addr, ':');
        if (!colon)
            return -1;
        snprintf(host, hostlen, "%.*s", (int)(colon - addr), addr);
    }
    snprintf(port, portlen, "%s", colon + 1);
    return *port ? 0 : -1;
}

static evutil_socket_t listen_socket(const char *addr)
{
    char host[256], port[16];
    if (split_listen(addr, host, sizeof host, port, sizeof port) < 0) {
        log_error("--listen must be host:port, not \"%s\"", addr);
        return -1;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res;
    int gai = getaddrinfo(*host ? host : NULL, port, &hints, &res);
    if (gai) {
        log_error("cannot resolve %s: %s", addr, gai_strerror(gai));
        return -1;
    }
    evutil_socket_t fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 1024) < 0 ||
        evutil_make_socket_nonblocking(fd) < 0) {
        log_error("cannot listen on %s: %s", addr, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

struct app app;

/* Folds the bytes of the file at path (nothing if it cannot be read) into
 * the FNV-1a hash h. */
static unsigned hash_file(unsigned h, const char *path)
{
    FILE *f = fopen(path, "rb");
    char buf[8192];
    size_t n;
    if (!f)
        return h;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        h = hash_fnv1a(h, buf, n);
    fclose(f);
    return h;
}

/* Loads <schemas>/lexicon.json into app.lex and <schemas>/pinyin.txt into
 * app.py when the files exist (a missing file means working without it)
 * and folds them into the data tag; -1 with err written when a file is
 * bad. */
static int load_lexicon(const struct config *cfg, char *err, size_t errlen)
{
    const char *codes[LEX_MAX_SCENARIOS];
    int n = tax_count(TAX_SCENARIO);
    if (n > LEX_MAX_SCENARIOS)
        n = LEX_MAX_SCENARIOS;
    for (int i = 0; i < n; i++)
        codes[i] = tax_code(TAX_SCENARIO, i);
    char *path = xasprintf("%s/lexicon.json", cfg->schemas);
    int rc = 0;
    if (access(path, R_OK) == 0) {
        rc = lex_load(path, codes, n, &app.lex, err, errlen);
        app.data_tag = hash_file(app.data_tag, path);
    }
    free(path);
    path = xasprintf("%s/pinyin.txt", cfg->schemas);
    if (rc == 0 && access(path, R_OK) == 0) {
        rc = py_load(path, &app.py, err, errlen);
        app.data_tag = hash_file(app.data_tag, path);
    }
    free(path);
    return rc;
}

struct main_ctx {
    struct event_base *base;
    struct worker *workers;
    int n;
};

/* Once a second on the main thread: close open campaigns past their
 * deadline (campaign.h).  arg is the main thread's own connection. */
static void deadline_cb(evutil_socket_t fd, short what, void *arg)
{
    int n = campaign_close_due(arg);
    if (n > 0)
        log_info("closed %d campaign%s past the deadline", n, n == 1 ? "" : "s");
    /* and once an hour, the change feed's superseded old entries (feed.h) */
    static unsigned ticks;
    if (++ticks % 3600 == 0) {
        long t = feed_trim(arg, FEED_KEEP_DAYS);
        if (t > 0)
            log_info("trimmed %ld old change feed entr%s", t, t == 1 ? "y" : "ies");
    }
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
    struct main_ctx *m = arg;
    if (atomic_exchange(&app.shutting_down, 1)) {
        log_warn("second signal: stopping now");
        exit(1);
    }
    atomic_store(&app.stop_at_us, (long long)(util_monotonic() * 1e6));
    log_info("signal %d: finishing requests in flight, then stopping", (int)sig);
    for (int i = 0; i < m->n; i++)
        event_active(m->workers[i].stop_ev, EV_READ, 0);
    event_base_loopexit(m->base, NULL);
}

int server_run(struct config *cfg)
{
    char err[512];
    int rc = 1;
    app.cfg = cfg;
    app.started = util_monotonic();
    evthread_use_pthreads();
    signal(SIGPIPE, SIG_IGN);

    if (tax_load(cfg->schemas, err, sizeof err) < 0 ||
        regions_load(cfg->schemas, err, sizeof err) < 0 ||
        instruments_load(cfg->schemas, err, sizeof err) < 0) {
        log_error("%s", err);
        instruments_free();
        regions_free();
        tax_free();
        return 1;
    }
    char *synpath = xasprintf("%s/synonyms.json", cfg->schemas);
    if (access(synpath, R_OK) == 0 && syn_load(synpath, &app.syn, err, sizeof err) < 0) {
        log_error("%s", err);
        free(synpath);
        return 1;
    }
    unsigned tokv = TOK_VERSION;
    app.data_tag = hash_fnv1a(HASH_FNV_INIT, (const char *)&tokv, sizeof tokv);
    app.data_tag = hash_file(app.data_tag, synpath);
    free(synpath);
    if (load_lexicon(cfg, err, sizeof err) < 0) {
        log_error("%s", err);
        return 1;
    }
    /* The ranking configuration changes answers too. */
    app.data_tag = hash_fnv1a(app.data_tag, (const char *)&cfg->weights, sizeof cfg->weights);
    app.data_tag = hash_fnv1a(app.data_tag, (const char *)&cfg->shape, sizeof cfg->shape);
    app.data_tag = hash_fnv1a(app.data_tag, (const char *)&cfg->lexicon_terms,
                              sizeof cfg->lexicon_terms);
    app.data_tag = hash_fnv1a(app.data_tag, (const char *)&cfg->text_ideal,
                              sizeof cfg->text_ideal);
    app.data_tag = hash_fnv1a(app.data_tag, (const char *)&cfg->match_postings,
                              sizeof cfg->match_postings);
    char redis_shown[512];
    util_redact_url(cfg->redis, redis_shown, sizeof redis_shown);
    if (cache_url_valid(cfg->redis) < 0) {
        log_error("--redis must be redis://[:password@]host:port[/db], sentinel://[:password@]host:port[,host:port...]/master, unix:///path or none, not \"%s\"",
                  redis_shown);
        return 1;
    }
    metrics_label_routes(ROUTES, NROUTES);
    db_set_max_bytes((int64_t)cfg->max_db_mb << 20);
    struct db *mdb = db_open(cfg->db); /* migrates before workers start */
    if (!mdb)
        return 1;
    if (feed_trim(mdb, FEED_KEEP_DAYS) < 0)
        log_warn("the change feed could not be trimmed now; it will be tried again in an hour");
    /* Catch up on deadlines that passed while no server ran. */
    int closed = campaign_close_due(mdb);
    if (closed > 0)
        log_info("closed %d campaign%s whose deadline passed while stopped", closed,
                 closed == 1 ? "" : "s");
    evutil_socket_t fd = listen_socket(cfg->listen);
    if (fd < 0) {
        db_close(mdb);
        return 1;
    }
    long n = cfg->workers > 0 ? cfg->workers : sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    struct main_ctx m = {.base = event_base_new(), .workers = xcalloc((size_t)n, sizeof(struct worker)),
                         .n = 0};
    pthread_t *th = xcalloc((size_t)n, sizeof *th);
    long max_conns = httpd_fit_limit(cfg->max_connections, n);
    if (max_conns < cfg->max_connections)
        log_warn("the open-file limit allows %ld connections per worker, not %ld", max_conns,
                 cfg->max_connections);
    for (int i = 0; i < n; i++) {
        if (worker_init(&m.workers[i], i, cfg, fd, max_conns) < 0) {
            log_error("cannot start worker %d", i);
            worker_free(&m.workers[i]);
            goto stop;
        }
        m.n++;
    }
    struct event *sigint = evsignal_new(m.base, SIGINT, signal_cb, &m);
    struct event *sigterm = evsignal_new(m.base, SIGTERM, signal_cb, &m);
    event_add(sigint, NULL);
    event_add(sigterm, NULL);
    struct event *deadline = event_new(m.base, -1, EV_PERSIST, deadline_cb, mdb);
    struct timeval every_second = {1, 0};
    event_add(deadline, &every_second);
    for (int i = 0; i < m.n; i++)
        pthread_create(&th[i], NULL, worker_main, &m.workers[i]);
    if (deliver_start(cfg) < 0) /* webhooks (deliver.h); the API works without them */
        log_warn("webhooks will not be sent by this process");
    log_info("shucud listening on http://%s (%d worker%s, database %s, cache %s)", cfg->listen, m.n,
             m.n == 1 ? "" : "s", cfg->db, redis_shown);
    event_base_dispatch(m.base);
    for (int i = 0; i < m.n; i++)
        pthread_join(th[i], NULL);
    deliver_stop();
    event_free(sigint);
    event_free(sigterm);
    event_free(deadline);
    rc = 0;
    log_info("stopped cleanly");
stop:
    if (rc) /* a worker failed to start: stop the ones that did */
        for (int i = 0; i < m.n; i++)
            event_base_loopexit(m.workers[i].base, NULL);
    for (int i = 0; i < m.n; i++)
        worker_free(&m.workers[i]);
    free(m.workers);
    free(th);
    event_base_free(m.base);
    evutil_closesocket(fd);
    db_close(mdb);
    syn_free(app.syn);
    instruments_free();
    regions_free();
    lex_free(app.lex);
    py_free(app.py);
    tax_free();
    return rc;
}
