/*
 * deliver.c - the webhook sender thread (see deliver.h).
 *
 * Loop: wait DELIVER_POLL_MS (or a stop); if a delivery is due, lease up
 * to DELIVER_BATCH of them in one short write transaction, send each with
 * libcurl (blocking, in this thread only), then record the attempt and the
 * new state in another.  The body is built from the notification row each
 * time, so a retry sends what the first attempt sent, with a fresh
 * timestamp and signature.
 */
#include "deliver.h"

#include "db.h"
#include "log.h"
#include "util.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#define DELIVER_BATCH 8
#define LEASE_MS 60000

static struct {
    pthread_t th;
    int started;
    atomic_int stop;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct db *db;
    long backoff_ms;
    int allow_private;
} D = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static long long now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

void deliver_sign(const char *secret, long long ts, const char *body, size_t len, char *out)
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char tss[24];
    int n = snprintf(tss, sizeof tss, "%lld.", ts);
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)tss, (unsigned long long)n);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "sha256=", 7);
    sodium_bin2hex(out + 7, 65, mac, sizeof mac);
    sodium_memzero(&st, sizeof st);
}

/* ------------------------------------------------------------ one POST */

/* Refuses loopback, private, link-local and unspecified addresses
 * (CURLOPT_OPENSOCKETFUNCTION: after resolution, before connecting, so a
 * name that resolves inside cannot slip through). */
static curl_socket_t open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
    if (!D.allow_private) {
        int inside = 0;
        if (a->family == AF_INET) {
            uint32_t ip = ntohl(((struct sockaddr_in *)&a->addr)->sin_addr.s_addr);
            inside = (ip >> 24) == 127 || (ip >> 24) == 10 || (ip >> 24) == 0 ||
                     (ip >> 20) == 0xAC1 || (ip >> 16) == 0xC0A8 || (ip >> 16) == 0xA9FE ||
                     (ip >> 22) == (100u << 2 | 1); /* 100.64/10 */
        } else if (a->family == AF_INET6) {
            const unsigned char *b = ((struct sockaddr_in6 *)&a->addr)->sin6_addr.s6_addr;
            static const unsigned char LOOP[16] = {[15] = 1}, ANY[16] = {0};
            inside = !memcmp(b, LOOP, 16) || !memcmp(b, ANY, 16) || (b[0] & 0xFE) == 0xFC ||
                     (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) ||
                     (!memcmp(b, ANY, 10) && b[10] == 0xFF && b[11] == 0xFF); /* v4-mapped */
        }
        if (inside)
            return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

static size_t keep_head(char *data, size_t size, size_t n, void *arg)
{
    char *buf = arg;
    size_t have = strlen(buf), len = size * n;
    if (have < 200) {
        size_t take = len < 200 - have ? len : 200 - have;
        memcpy(buf + have, data, take);
        buf[have + take] = '\0';
    }
    return len;
}

static int abort_on_stop(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    return atomic_load(&D.stop) ? 1 : 0;
}

/* Posts body; returns the HTTP status (0 when none came) and writes a
 * short reason for a failure into err. */
static long post(const char *url, const char *kind, long long did, const char *secret,
                 const char *body, char *err, size_t errlen)
{
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(err, errlen, "curl_easy_init failed");
        return 0;
    }
    long long ts = (long long)time(NULL);
    char sig[80], h_ts[64], h_sig[128], h_ev[96], h_id[64], head[201] = "";
    deliver_sign(secret, ts, body, strlen(body), sig);
    snprintf(h_ts, sizeof h_ts, "X-Shucu-Timestamp: %lld", ts);
    snprintf(h_sig, sizeof h_sig, "X-Shucu-Signature: %s", sig);
    snprintf(h_ev, sizeof h_ev, "X-Shucu-Event: %s", kind);
    snprintf(h_id, sizeof h_id, "X-Shucu-Delivery: %lld", did);
    struct curl_slist *hs = NULL;
    hs = curl_slist_append(hs, "Content-Type: application/json; charset=utf-8");
    hs = curl_slist_append(hs, "User-Agent: shucud-webhook/1");
    hs = curl_slist_append(hs, "Expect:");
    hs = curl_slist_append(hs, h_ts);
    hs = curl_slist_append(hs, h_sig);
    hs = curl_slist_append(hs, h_ev);
    hs = curl_slist_append(hs, h_id);
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)DELIVER_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_head);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, (void *)head);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, abort_on_stop);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    if (rc == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (status < 200 || status > 299) {
            /* the receiver's words, as text without control characters */
            for (char *p = head; *p; p++)
                if ((unsigned char)*p < 0x20)
                    *p = ' ';
            head[util_utf8_cut(head, strlen(head))] = '\0';
            if (!util_utf8_valid(head, strlen(head)))
                head[0] = '\0';
            snprintf(err, errlen, "HTTP %ld%s%s", status, head[0] ? ": " : "", head);
        }
    } else if (rc == CURLE_COULDNT_CONNECT && !cerr[0]) {
        snprintf(err, errlen, "connection refused");
    } else {
        snprintf(err, errlen, "%s", cerr[0] ? cerr : curl_easy_strerror(rc));
        if (rc == CURLE_COULDNT_CONNECT && !D.allow_private)
            snprintf(err + strlen(err), errlen - strlen(err),
                     " (private and loopback addresses are refused)");
    }
    curl_slist_free_all(hs);
    curl_easy_cleanup(c);
    return status;
}

/* ------------------------------------------------------------ the body */

static char *body_of(const char *format, const char *nid, const char *kind, const char *title,
                     const char *payload, const char *created, const char *org_id)
{
    json_t *b;
    if (strcmp(format, "wecom") == 0 || strcmp(format, "dingtalk") == 0) {
        char *text = xasprintf("【数促】%s", title);
        b = json_pack("{s:s, s:{s:s}}", "msgtype", "text", "text", "content", text);
        free(text);
    } else {
        json_t *p = json_loads(payload, 0, NULL);
        b = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "id", nid, "kind", kind, "title", title,
                      "org_id", org_id, "created_at", created, "payload",
                      p ? p : json_object());
    }
    char *s = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    return s;
}

/* ------------------------------------------------------------ the loop */

struct job {
    long long did;
    int attempts;
    char *url, *secret, *format, *kind, *body;
};

static int any_due(long long t)
{
    static const char SQL[] =
        "SELECT 1 FROM webhook_deliveries WHERE status = 'pending' AND next_ms <= ?1"
        " AND lease_ms < ?1 LIMIT 1";
    sqlite3_stmt *st = db_stmt(D.db, SQL);
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, t);
    int due = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return due;
}

/* Leases up to DELIVER_BATCH due deliveries; returns how many, -1. */
static int lease(struct job *jobs, long long t)
{
    static const char SQL[] =
        "SELECT d.did, d.attempts, w.url, w.secret, w.format, n.kind, n.id, n.title, n.payload,"
        " n.created_at, n.org_id FROM webhook_deliveries d"
        " JOIN webhooks w ON w.id = d.webhook_id JOIN notifications n ON n.id = d.notification_id"
        " WHERE d.status = 'pending' AND d.next_ms <= ?1 AND d.lease_ms < ?1"
        " ORDER BY d.next_ms LIMIT ?2";
    static const char SQL_LEASE[] = "UPDATE webhook_deliveries SET lease_ms = ?2 WHERE did = ?1";
    if (db_begin(D.db) < 0)
        return -1;
    sqlite3_stmt *st = db_stmt(D.db, SQL);
    int n = 0;
    if (st) {
        sqlite3_bind_int64(st, 1, t);
        sqlite3_bind_int(st, 2, DELIVER_BATCH);
        while (n < DELIVER_BATCH && sqlite3_step(st) == SQLITE_ROW) {
            struct job *j = &jobs[n++];
            j->did = sqlite3_column_int64(st, 0);
            j->attempts = sqlite3_column_int(st, 1);
            j->url = xstrdup((const char *)sqlite3_column_text(st, 2));
            j->secret = xstrdup((const char *)sqlite3_column_text(st, 3));
            j->format = xstrdup((const char *)sqlite3_column_text(st, 4));
            j->kind = xstrdup((const char *)sqlite3_column_text(st, 5));
            j->body = body_of(j->format, (const char *)sqlite3_column_text(st, 6), j->kind,
                              (const char *)sqlite3_column_text(st, 7),
                              (const char *)sqlite3_column_text(st, 8),
                              (const char *)sqlite3_column_text(st, 9),
                              (const char *)sqlite3_column_text(st, 10));
        }
        sqlite3_reset(st);
    }
    sqlite3_stmt *up = db_stmt(D.db, SQL_LEASE);
    for (int i = 0; up && i < n; i++) {
        sqlite3_bind_int64(up, 1, jobs[i].did);
        sqlite3_bind_int64(up, 2, t + LEASE_MS);
        sqlite3_step(up);
        sqlite3_reset(up);
    }
    if (!st || !up || db_commit(D.db) < 0) {
        db_rollback(D.db);
        return n ? n : -1; /* not leased: sent anyway, recorded below */
    }
    return n;
}

static void record(const struct job *j, long status, const char *err, long ms)
{
    static const char SQL_ATTEMPT[] =
        "INSERT INTO webhook_attempts(delivery_id, at, http_status, error, ms)"
        " VALUES (?1, ?2, ?3, ?4, ?5)";
    static const char SQL_STATE[] =
        "UPDATE webhook_deliveries SET attempts = attempts + 1, status = ?2, next_ms = ?3,"
        " lease_ms = 0, delivered_at = ?4 WHERE did = ?1";
    char now[32];
    util_now_rfc3339(now);
    int ok = status >= 200 && status <= 299;
    int attempts = j->attempts + 1;
    const char *state = ok ? "delivered" : attempts >= DELIVER_ATTEMPTS ? "failed" : "pending";
    long long wait = D.backoff_ms;
    for (int i = 1; i < attempts && wait < 86400000LL; i++)
        wait *= 4;
    if (db_begin(D.db) < 0)
        return;
    sqlite3_stmt *a = db_stmt(D.db, SQL_ATTEMPT), *s = db_stmt(D.db, SQL_STATE);
    int good = a && s;
    if (good) {
        sqlite3_bind_int64(a, 1, j->did);
        sqlite3_bind_text(a, 2, now, -1, SQLITE_STATIC);
        if (status)
            sqlite3_bind_int64(a, 3, status);
        sqlite3_bind_text(a, 4, err, -1, SQLITE_STATIC);
        sqlite3_bind_int64(a, 5, ms);
        good = sqlite3_step(a) == SQLITE_DONE;
        sqlite3_reset(a);
        sqlite3_bind_int64(s, 1, j->did);
        sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, now_ms() + wait);
        db_bind_text(s, 4, ok ? now : NULL);
        good = good && sqlite3_step(s) == SQLITE_DONE;
        sqlite3_reset(s);
    }
    if (!good || db_commit(D.db) < 0) {
        log_error("webhook delivery %lld: cannot record the attempt: %s", j->did,
                  sqlite3_errmsg(db_handle(D.db)));
        db_rollback(D.db);
    }
    if (!ok)
        log_info("webhook delivery %lld attempt %d: %s%s", j->did, attempts, err,
                 strcmp(state, "failed") == 0 ? " (given up)" : "");
}

static void *deliver_main(void *arg)
{
    while (!atomic_load(&D.stop)) {
        pthread_mutex_lock(&D.mu);
        if (!atomic_load(&D.stop)) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += DELIVER_POLL_MS * 1000000L;
            ts.tv_sec += ts.tv_nsec / 1000000000L;
            ts.tv_nsec %= 1000000000L;
            pthread_cond_timedwait(&D.cv, &D.mu, &ts);
        }
        pthread_mutex_unlock(&D.mu);
        long long t = now_ms();
        if (atomic_load(&D.stop) || !any_due(t))
            continue;
        struct job jobs[DELIVER_BATCH];
        int n = lease(jobs, t);
        for (int i = 0; i < n; i++) {
            struct job *j = &jobs[i];
            if (!atomic_load(&D.stop)) {
                char err[400] = "";
                long long t0 = now_ms();
                long status = j->body ? post(j->url, j->kind, j->did, j->secret, j->body, err,
                                             sizeof err)
                                      : 0;
                if (!atomic_load(&D.stop) || status)
                    record(j, status, err, (long)(now_ms() - t0));
            }
            sodium_memzero(j->secret, strlen(j->secret));
            free(j->url);
            free(j->secret);
            free(j->format);
            free(j->kind);
            free(j->body);
        }
    }
    return NULL;
}

int deliver_start(const struct config *cfg)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        log_error("webhooks: curl_global_init failed");
        return -1;
    }
    D.db = db_open(cfg->db);
    if (!D.db) {
        curl_global_cleanup();
        return -1;
    }
    D.backoff_ms = cfg->webhook_backoff_ms;
    D.allow_private = cfg->webhook_private != 0;
    atomic_store(&D.stop, 0);
    if (pthread_create(&D.th, NULL, deliver_main, NULL) != 0) {
        db_close(D.db);
        D.db = NULL;
        curl_global_cleanup();
        log_error("webhooks: cannot start the sender thread");
        return -1;
    }
    D.started = 1;
    return 0;
}

void deliver_stop(void)
{
    if (!D.started)
        return;
    pthread_mutex_lock(&D.mu);
    atomic_store(&D.stop, 1);
    pthread_cond_signal(&D.cv);
    pthread_mutex_unlock(&D.mu);
    pthread_join(D.th, NULL);
    db_close(D.db);
    D.db = NULL;
    D.started = 0;
    curl_global_cleanup();
}
