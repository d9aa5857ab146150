/*
 * fuzz_http.c - libFuzzer target for the HTTP side of shucud: evhttp's
 * parsing of raw requests, router.c (paths, query strings, keys, roles,
 * bodies) and every handler behind it.
 *
 * One real worker (worker_init, as server.c starts it) is made once, on a
 * database in a fresh temporary directory seeded with an organisation
 * and a key per role, a resource and a need, with Redis "none".  The
 * worker accepts on a Unix socket; each input is a connection: its bytes
 * are sent as they are (after the substitutions below), the event loop
 * runs until the answers stop coming, the client half-closes, and the
 * loop runs until the server closes the connection.  Inputs may hold
 * placeholders a fuzzer could not guess:
 *   $A $C $P $E  the admin, center, provider and enterprise keys
 *   $R $N        the seeded resource's and need's ids
 * Besides the sanitizers (and LeakSanitizer), it aborts when
 *   - the server neither answers nor closes within 5 seconds;
 *   - what it sends does not begin with a status line "HTTP/x.y NNN ";
 *   - any answer is a 500;
 *   - after the connection is closed, a request is still in flight or
 *     the worker still tracks the connection.
 */
#include "auth.h"
#include "httpd.h"
#include "db.h"
#include "server.h"
#include "worker.h"
#include "log.h"
#include "need.h"
#include "org.h"
#include "query.h"
#include "resource.h"
#include "taxonomy.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WAIT_SECONDS 5.0
#define IDLE_SPINS 4 /* loop turns with no progress before giving up waiting */

static struct config cfg;
static struct worker w;
static struct sockaddr_un addr;
static char dir[64];
static char subst[6][AUTH_KEY_LEN + 48]; /* $A $C $P $E $R $N */
static const char SUBST_NAMES[] = "ACPERN";

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_http: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

static void cleanup(void)
{
    worker_free(&w);
    syn_free(app.syn);
    tax_free();
    config_free(&cfg);
    char path[128];
    static const char *const FILES[] = {"sock", "fuzz.db", "fuzz.db-wal", "fuzz.db-shm"};
    for (size_t i = 0; i < sizeof FILES / sizeof FILES[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, FILES[i]);
        unlink(path);
    }
    rmdir(dir);
}

/* One organisation and key per role, a resource and a need. */
static void seed(void)
{
    static const char *const ROLES[] = {"admin", "center", "provider", "enterprise"};
    static const char *const NAMES[] = {"数促平台运维", "宁波数字化转型促进中心",
                                        "智造科技有限公司", "某注塑制品厂"};
    static const char RESOURCE[] =
        "{\"kind\":\"product\",\"title\":\"视觉质检系统\",\"summary\":\"表面缺陷检测\","
        "\"industries\":[\"electronics\"],\"scenarios\":[\"quality\"],\"tags\":[\"AI质检\"],"
        "\"price\":{\"min\":50000,\"max\":300000,\"unit\":\"套\"},\"levels\":{\"from\":1,\"to\":3}}";
    static const char NEED[] =
        "{\"title\":\"注塑车间质检改造\",\"industry\":\"light_industry\","
        "\"scenarios\":[\"quality\"],\"budget\":{\"max\":200000},\"current_level\":1,"
        "\"target_level\":2,\"contact\":{\"name\":\"王工\",\"email\":\"wang@example.com\"}}";
    struct db *db = db_open(cfg.db);
    char org_ids[4][40], prefix[AUTH_PREFIX_LEN + 1], created[32], id[48];
    struct verr e;
    if (!db)
        die("cannot open the database", cfg.db);
    for (int i = 0; i < 4; i++)
        if (db_begin(db) < 0 || org_ensure(db, NAMES[i], org_ids[i]) < 0 ||
            auth_key_create(db, org_ids[i], role_parse(ROLES[i]), subst[i], prefix, created) < 0 ||
            db_commit(db) < 0)
            die("cannot create a key", ROLES[i]);
    json_t *res = json_loads(RESOURCE, 0, NULL), *need = json_loads(NEED, 0, NULL);
    if (!res || !need || resource_validate(res, &e) < 0 || need_validate(need, &e) < 0)
        die("seed documents are invalid", e.msg);
    if (db_begin(db) < 0 || resource_store(db, org_ids[2], NAMES[2], res, NULL, 0, id) < 0)
        die("cannot store the resource", NULL);
    snprintf(subst[4], sizeof subst[4], "%s", id);
    if (need_store(db, org_ids[3], NAMES[3], need, id) < 0 || db_commit(db) < 0)
        die("cannot store the need", NULL);
    snprintf(subst[5], sizeof subst[5], "%s", id);
    json_decref(res);
    json_decref(need);
    db_close(db);
}

static void init(void)
{
    char err[512];
    util_init();
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    signal(SIGPIPE, SIG_IGN);
    log_set_level(LOG_ERROR); /* no access log line per request */
    config_defaults(&cfg);
    snprintf(dir, sizeof dir, "/tmp/shucu-fuzz-http.XXXXXX");
    if (!mkdtemp(dir))
        die("mkdtemp", strerror(errno));
    free(cfg.db);
    cfg.db = xasprintf("%s/fuzz.db", dir);
    app.cfg = &cfg;
    app.started = util_monotonic();
    if (tax_load(cfg.schemas, err, sizeof err) < 0 ||
        syn_load("schemas/synonyms.json", &app.syn, err, sizeof err) < 0)
        die("run from the repository root", err);
    seed();

    int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    addr.sun_family = AF_UNIX;
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s/sock", dir);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 16) < 0)
        die("cannot listen", strerror(errno));
    if (worker_init(&w, 0, &cfg, lfd, 64) < 0)
        die("worker_init failed", NULL);
    atexit(cleanup);
}

/* The input with its placeholders replaced; *out_len set.  Caller frees. */
static char *expand(const uint8_t *data, size_t size, size_t *out_len)
{
    size_t cap = size * (sizeof subst[0] / 2 + 1) + 1, n = 0;
    char *out = xmalloc(cap);
    for (size_t i = 0; i < size; i++) {
        const char *s = data[i] == '$' && i + 1 < size && data[i + 1]
                            ? strchr(SUBST_NAMES, data[i + 1]) : NULL;
        if (s) {
            size_t l = strlen(subst[s - SUBST_NAMES]);
            memcpy(out + n, subst[s - SUBST_NAMES], l);
            n += l;
            i++;
        } else {
            out[n++] = (char)data[i];
        }
    }
    *out_len = n;
    return out;
}

/* Length of "HTTP/<version> " at s, or 0.  RFC 9112's version is
 * DIGIT "." DIGIT, but evhttp 2.1 echoes the request's version, which it
 * keeps in a char and checks only for major <= 1: "HTTP/1.1400" is
 * answered "HTTP/1.120" and "HTTP/1.200" "HTTP/1.-56".  So any signed
 * numbers are taken here; the status code after them is checked. */
static size_t version_len(const char *s, size_t len)
{
    size_t i = 5;
    if (len < 5 || memcmp(s, "HTTP/", 5) != 0)
        return 0;
    for (int part = 0; part < 2; part++) {
        size_t d = i += i < len && s[i] == '-';
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d || i >= len || s[i] != (part ? ' ' : '.'))
            return 0;
        i++;
    }
    return i;
}

/* Checks what the server sent on one connection. */
static void check_answers(const char *buf, size_t len)
{
    if (len == 0)
        return; /* closed without an answer: allowed */
    size_t v = version_len(buf, len);
    if (!v || len < v + 4 || buf[v] < '1' || buf[v] > '5' || buf[v + 1] < '0' ||
        buf[v + 1] > '9' || buf[v + 2] < '0' || buf[v + 2] > '9' || buf[v + 3] != ' ' ||
        !memmem(buf, len, "\r\n", 2))
        die("the answer does not begin with a status line",
            xstrndup(buf, len < 80 ? len : 80));
    /* JSON bodies escape control characters, so a status line of a 500
     * can only be the start of an answer. */
    int five_hundred = memcmp(buf + v, "500", 3) == 0;
    for (const char *p = buf; !five_hundred && (p = memmem(p, len - (size_t)(p - buf), "\nHTTP/", 7));
         p++) {
        size_t pv = version_len(p + 1, len - (size_t)(p + 1 - buf));
        five_hundred = pv && (size_t)(p + 1 - buf) + pv + 3 <= len && memcmp(p + 1 + pv, "500", 3) == 0;
    }
    if (five_hundred)
        die("the server answered 500", xstrndup(buf, len < 400 ? len : 400));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!w.base)
        init();
    size_t len, sent = 0, got = 0, cap = 1 << 16;
    char *req = expand(data, size, &len);
    char *answer = xmalloc(cap);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
        die("cannot connect", strerror(errno));

    double t0 = util_monotonic();
    int idle = 0, half_closed = 0, closed = 0;
    while (!closed) {
        int progress = 0;
        if (sent < len) {
            ssize_t n = send(fd, req + sent, len - sent, MSG_NOSIGNAL);
            if (n > 0) {
                sent += (size_t)n;
                progress = 1;
            } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                sent = len; /* the server has gone: read what it said */
            }
        }
        event_base_loop(w.base, EVLOOP_NONBLOCK);
        for (;;) {
            if (got == cap)
                answer = xrealloc(answer, cap *= 2);
            ssize_t n = recv(fd, answer + got, cap - got, 0);
            if (n > 0) {
                got += (size_t)n;
                progress = 1;
                continue;
            }
            if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
                closed = 1;
            break;
        }
        idle = progress ? 0 : idle + 1;
        if (idle >= IDLE_SPINS && sent == len && !half_closed) {
            shutdown(fd, SHUT_WR); /* done sending: the server may close */
            half_closed = 1;
            idle = 0;
        }
        if (!closed && util_monotonic() - t0 > WAIT_SECONDS)
            die("the server neither answered nor closed the connection", NULL);
    }
    close(fd);
    if (getenv("FUZZ_HTTP_SHOW")) { /* FUZZ_HTTP_SHOW=1: print each first answer line */
        const char *eol = memchr(answer, '\r', got);
        fprintf(stderr, "%.*s\n", (int)(eol ? (size_t)(eol - answer) : got), answer);
    }
    check_answers(answer, got);
    /* Let evhttp finish with the connection, then the table forget it. */
    for (int i = 0; i < 3; i++)
        event_base_loop(w.base, EVLOOP_NONBLOCK);
    if (atomic_load(&w.inflight) != 0)
        die("a request is still in flight after its connection closed", NULL);
    if (httpd_live(w.httpd) != 0)
        die("the worker still tracks a closed connection", NULL);
    free(answer);
    free(req);
    return 0;
}
