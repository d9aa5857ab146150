/*
 * session.c - login sessions (see session.h): creation, lookup on every
 * request, revocation, the cookie and the CSRF check.
 */
#include "session.h"

#include "auth.h"
#include "db.h"
#include "log.h"
#include "req.h"
#include "route.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static void token_hash(const char *token, unsigned char out[crypto_hash_sha256_BYTES])
{
    crypto_hash_sha256(out, (const unsigned char *)token, strlen(token));
}

void session_csrf(const char *token, char out[SESSION_CSRF_LEN + 1])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)"csrf:", 5);
    crypto_hash_sha256_update(&st, (const unsigned char *)token, strlen(token));
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(out, SESSION_CSRF_LEN + 1, h, SESSION_CSRF_LEN / 2);
    sodium_memzero(h, sizeof h);
}

int session_create(struct db *db, const char *user_id, const char *addr, const char *agent,
                   char token[SESSION_TOKEN_LEN + 1], char id[40], long *max_age)
{
    static const char SQL[] =
        "INSERT INTO sessions(id, hash, user_id, created_at, seen_at, seen_unix, expires_unix,"
        " hard_expires_unix, addr, agent) VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7, ?8, ?9)";
    memcpy(token, "shs_", 4);
    util_random_base32(token + 4, SESSION_TOKEN_LEN - 4);
    util_new_id(id, 40, "ses");
    unsigned char h[crypto_hash_sha256_BYTES];
    token_hash(token, h);
    char now[32];
    time_t t = time(NULL);
    util_time_rfc3339(t, now);
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    char agent_cut[200];
    snprintf(agent_cut, sizeof agent_cut, "%s", agent ? agent : "");
    agent_cut[util_utf8_cut(agent_cut, strlen(agent_cut))] = '\0';
    if (!util_utf8_valid(agent_cut, strlen(agent_cut)))
        agent_cut[0] = '\0';
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, h, sizeof h, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, user_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, (int64_t)t);
    sqlite3_bind_int64(st, 6, (int64_t)t + SESSION_IDLE);
    sqlite3_bind_int64(st, 7, (int64_t)t + SESSION_MAX);
    sqlite3_bind_text(st, 8, addr ? addr : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, agent_cut, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sodium_memzero(h, sizeof h);
    if (rc != SQLITE_DONE) {
        log_error("session create: %s", sqlite3_errmsg(db_handle(db)));
        return -1;
    }
    /* The cookie lives as long as the session may; the idle limit is the
     * server's to enforce (the cookie is not renewed at every use). */
    *max_age = SESSION_MAX;
    return 0;
}

/* Records a use: seen now, idle expiry pushed, never past the hard one.
 * Outside any transaction; a failure (busy) only delays it. */
static void session_touch(struct db *db, const char *id, time_t t)
{
    static const char SQL[] =
        "UPDATE sessions SET seen_at = ?2, seen_unix = ?3,"
        " expires_unix = min(?3 + ?4, hard_expires_unix) WHERE id = ?1";
    if (!sqlite3_get_autocommit(db_handle(db)))
        return;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return;
    char now[32];
    util_time_rfc3339(t, now);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (int64_t)t);
    sqlite3_bind_int64(st, 4, SESSION_IDLE);
    if (sqlite3_step(st) != SQLITE_DONE)
        log_warn("session touch: %s", sqlite3_errmsg(db_handle(db)));
    sqlite3_reset(st);
}

int session_lookup(struct db *db, const char *token, struct caller *who)
{
    static const char SQL[] =
        "SELECT s.id, s.revoked_at IS NULL AND ?2 < s.expires_unix AND ?2 < s.hard_expires_unix,"
        " s.seen_unix, u.id, u.name, u.role, u.org_admin, u.disabled_at IS NULL, o.id, o.name,"
        " a.province_code, a.city_code, a.district_code"
        " FROM sessions s JOIN users u ON u.id = s.user_id JOIN orgs o ON o.id = u.org_id"
        " LEFT JOIN authorities a ON a.org_id = o.id WHERE s.hash = ?1";
    if (strlen(token) != SESSION_TOKEN_LEN || strncmp(token, "shs_", 4) != 0)
        return 1;
    unsigned char h[crypto_hash_sha256_BYTES];
    token_hash(token, h);
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    time_t t = time(NULL);
    sqlite3_bind_blob(st, 1, h, sizeof h, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (int64_t)t);
    int rc = sqlite3_step(st), result = 1;
    int64_t seen = 0;
    if (rc == SQLITE_ROW && sqlite3_column_int(st, 1) && sqlite3_column_int(st, 7)) {
        int role = role_parse((const char *)sqlite3_column_text(st, 5));
        if (role) {
            memset(who, 0, sizeof *who);
            who->role = role;
            snprintf(who->session_id, sizeof who->session_id, "%s", sqlite3_column_text(st, 0));
            seen = sqlite3_column_int64(st, 2);
            snprintf(who->user_id, sizeof who->user_id, "%s", sqlite3_column_text(st, 3));
            snprintf(who->user_name, sizeof who->user_name, "%s", sqlite3_column_text(st, 4));
            who->org_admin = sqlite3_column_int(st, 6);
            snprintf(who->org_id, sizeof who->org_id, "%s", sqlite3_column_text(st, 8));
            snprintf(who->org_name, sizeof who->org_name, "%s", sqlite3_column_text(st, 9));
            auth_region_fill(who, st, 10);
            session_csrf(token, who->csrf);
            result = 0;
        }
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        log_error("session lookup: %s", sqlite3_errmsg(db_handle(db)));
        result = -1;
    }
    sqlite3_reset(st);
    sodium_memzero(h, sizeof h);
    if (result == 0 && t - seen >= SESSION_TOUCH)
        session_touch(db, who->session_id, t);
    return result;
}

int session_revoke(struct db *db, const char *id, const char *user_id, const char *now)
{
    static const char SQL[] =
        "UPDATE sessions SET revoked_at = ?3 WHERE id = ?1 AND (?2 IS NULL OR user_id = ?2)"
        " AND revoked_at IS NULL";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    db_bind_text(st, 2, user_id);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? sqlite3_changes(db_handle(db)) : -1;
}

int session_revoke_user(struct db *db, const char *user_id, const char *except, const char *now)
{
    static const char SQL[] =
        "UPDATE sessions SET revoked_at = ?3 WHERE user_id = ?1 AND revoked_at IS NULL"
        " AND (?2 IS NULL OR id <> ?2)";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, user_id, -1, SQLITE_STATIC);
    db_bind_text(st, 2, except);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? sqlite3_changes(db_handle(db)) : -1;
}

int session_cookie_token(const char *cookie, char out[SESSION_TOKEN_LEN + 1])
{
    static const char NAME[] = SESSION_COOKIE "=";
    const size_t nl = sizeof NAME - 1;
    for (const char *p = cookie; p && *p;) {
        while (*p == ' ' || *p == ';' || *p == '\t')
            p++;
        size_t len = strcspn(p, ";");
        if (len > nl && strncmp(p, NAME, nl) == 0) {
            const char *v = p + nl;
            size_t vl = len - nl;
            while (vl && v[vl - 1] == ' ')
                vl--;
            if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
                v++;
                vl -= 2;
            }
            if (vl == SESSION_TOKEN_LEN) {
                memcpy(out, v, vl);
                out[vl] = '\0';
                return 1;
            }
        }
        p += len;
    }
    return 0;
}

static int over_tls(struct req *r)
{
    const char *xfp = req_header(r, "X-Forwarded-Proto");
    const char *fwd = req_header(r, "Forwarded");
    return (xfp && strncasecmp(xfp, "https", 5) == 0) || (fwd && strcasestr(fwd, "proto=https"));
}

void session_set_cookie(struct req *r, const char *token, long max_age)
{
    char v[256];
    snprintf(v, sizeof v, SESSION_COOKIE "=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Strict%s",
             max_age > 0 ? token : "", max_age > 0 ? max_age : 0, over_tls(r) ? "; Secure" : "");
    reply_header(r, "Set-Cookie", v);
}

int session_authenticate(struct req *r)
{
    char token[SESSION_TOKEN_LEN + 1];
    if (!session_cookie_token(req_header(r, "Cookie"), token))
        return 0;
    int rc = session_lookup(r->w->db, token, &r->who);
    sodium_memzero(token, sizeof token);
    if (rc < 0) {
        reply_db_error(r, DB_READ);
        return -1;
    }
    int public_route = r->route->roles == ROLE_PUBLIC;
    if (rc > 0) {
        memset(&r->who, 0, sizeof r->who);
        session_set_cookie(r, "", 0); /* forget it */
        if (public_route)
            return 0;
        reply_error(r, ERR_UNAUTHORIZED, NULL,
                    "the session has expired or was revoked; log in again");
        return -1;
    }
    if (r->method == M_GET || public_route)
        return 0;
    const char *sent = req_header(r, "X-CSRF-Token");
    if (!sent) {
        reply_error(r, ERR_FORBIDDEN, NULL, "a cookie-authenticated write needs the"
                    " X-CSRF-Token header that GET /v1/me returns");
        return -1;
    }
    if (strlen(sent) != SESSION_CSRF_LEN || sodium_memcmp(sent, r->who.csrf, SESSION_CSRF_LEN) != 0) {
        reply_error(r, ERR_FORBIDDEN, NULL, "the X-CSRF-Token header does not match this session");
        return -1;
    }
    return 0;
}
