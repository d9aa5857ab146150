/*
 * sessions.c - logging in and out, and the sessions a user (or a manager
 * of that user, user.h) sees and revokes.
 *
 *   POST   /v1/session        public: {login, password} -> cookie
 *   DELETE /v1/session        public: ends the caller's session, clears the cookie
 *   GET    /v1/sessions       the caller's live sessions (?user_id= for a manager)
 *   DELETE /v1/sessions/{id}  revoke one
 *
 * A login is refused the same way whether the login names nobody or the
 * password is wrong (and takes as long, password_burn), counted per
 * account and per address (loginlimit.h), and locked out with 429 and
 * Retry-After once too many fail.  Only a user who knows the password
 * learns that the account is disabled.  Neither the password nor the
 * token is ever logged; the access log shows the path only.
 */
#include "handlers.h"

#include "db.h"
#include "log.h"
#include "loginlimit.h"
#include "password.h"
#include "req.h"
#include "session.h"
#include "user.h"
#include "util.h"
#include "write.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *peer_addr(struct req *r)
{
    return req_peer(r);
}

static const char *header(struct req *r, const char *name)
{
    return req_header(r, name);
}

/* Counts a failed login and answers 401. */
static void login_failed(struct req *r, const char *login, const char *addr)
{
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    int rc = loginlimit_fail(r->w->db, login, addr) < 0 ? refuse_db(&o, r->w->db, "login count")
                                                        : 0;
    if (write_finish(r, rc, &o) < 0)
        return;
    reply_error(r, ERR_UNAUTHORIZED, NULL, "wrong login or password");
}

void h_session_create(struct req *r)
{
    if (body_valid(r, LOGIN_FIELDS) < 0)
        return;
    struct db *db = r->w->db;
    const char *login = json_string_value(json_object_get(r->body, "login"));
    const char *pw = json_string_value(json_object_get(r->body, "password"));
    char norm[USER_EMAIL_MAX + 8];
    int is_email;
    struct verr e;
    if (user_login_normalise(login, "login", norm, sizeof norm, &is_email, &e) < 0) {
        reply_verr(r, &e);
        return;
    }
    const char *addr = peer_addr(r);
    int by_addr = 0;
    long wait = loginlimit_wait(db, norm, addr, &by_addr);
    if (wait < 0) {
        reply_db_error(r, DB_READ);
        return;
    }
    if (wait > 0) {
        char ra[24];
        snprintf(ra, sizeof ra, "%ld", wait);
        reply_header(r, "Retry-After", ra);
        if (by_addr)
            reply_error(r, ERR_RATE_LIMITED, NULL, "too many failed logins from this address;"
                        " try again in %ld minutes", (wait + 59) / 60);
        else
            reply_error(r, ERR_RATE_LIMITED, "login", "too many failed logins for this account;"
                        " try again in %ld minutes", (wait + 59) / 60);
        return;
    }
    struct user u;
    char hash[PASSWORD_HASH_MAX];
    int rc = user_by_login(db, norm, is_email, &u, hash);
    if (rc < 0) {
        reply_db_error(r, DB_READ);
        return;
    }
    int ok;
    if (rc > 0) {
        password_burn(pw);
        ok = 0;
    } else {
        ok = password_verify(hash, pw) == 0;
    }
    sodium_memzero(hash, sizeof hash);
    if (!ok) {
        login_failed(r, norm, addr);
        return;
    }
    if (u.disabled) {
        reply_error(r, ERR_FORBIDDEN, NULL, "this account is disabled");
        return;
    }
    char token[SESSION_TOKEN_LEN + 1], id[40], csrf[SESSION_CSRF_LEN + 1];
    long max_age = 0;
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    rc = loginlimit_clear(db, norm) < 0 ||
                 session_create(db, u.id, addr, header(r, "User-Agent"), token, id, &max_age) < 0
             ? refuse_db(&o, db, "login")
             : 0;
    if (write_finish(r, rc, &o) < 0) {
        sodium_memzero(token, sizeof token);
        return;
    }
    session_csrf(token, csrf);
    session_set_cookie(r, token, max_age);
    sodium_memzero(token, sizeof token);
    reply_json(r, 201, json_pack("{s:o, s:s, s:{s:s, s:I}}", "user", user_json(&u), "csrf_token",
                                 csrf, "session", "id", id, "expires_in", (json_int_t)max_age));
}

void h_session_delete(struct req *r)
{
    if (r->who.session_id[0]) {
        if (write_begin(r) < 0)
            return;
        char now[32];
        util_now_rfc3339(now);
        struct outcome o;
        int rc = session_revoke(r->w->db, r->who.session_id, NULL, now) < 0
                     ? refuse_db(&o, r->w->db, "logout")
                     : 0;
        if (write_finish(r, rc, &o) < 0)
            return;
    }
    session_set_cookie(r, "", 0);
    reply_json(r, 204, NULL);
}

/* The user whose sessions the request is about: ?user_id= (a manager of
 * that user, or the user itself) or the caller.  Answers and returns -1
 * when there is none the caller may see. */
static int sessions_owner(struct req *r, const char *user_id, char out[40])
{
    if (!user_id || !*user_id || strcmp(user_id, r->who.user_id) == 0) {
        if (!r->who.user_id[0]) {
            reply_error(r, ERR_FORBIDDEN, NULL,
                        "an API key has no sessions; name a user with user_id");
            return -1;
        }
        snprintf(out, 40, "%s", r->who.user_id);
        return 0;
    }
    struct user u;
    int rc = user_load(r->w->db, user_id, &u);
    if (rc < 0) {
        reply_db_error(r, DB_READ);
        return -1;
    }
    if (rc > 0 || !user_may_manage(&r->who, u.org_id, u.role)) {
        reply_error(r, ERR_NOT_FOUND, NULL, "no user %s", user_id);
        return -1;
    }
    snprintf(out, 40, "%s", u.id);
    return 0;
}

void h_sessions_list(struct req *r)
{
    static const char SQL[] =
        "SELECT id, created_at, seen_at, min(expires_unix, hard_expires_unix), addr, agent"
        " FROM sessions WHERE user_id = ?1 AND revoked_at IS NULL AND expires_unix > ?2"
        " AND hard_expires_unix > ?2 ORDER BY sid DESC LIMIT 100";
    char uid[40];
    if (sessions_owner(r, req_query(r, "user_id"), uid) < 0)
        return;
    sqlite3_stmt *st = db_stmt(r->w->db, SQL);
    if (!st) {
        reply_db_error(r, DB_READ);
        return;
    }
    sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (int64_t)time(NULL));
    json_t *items = json_array();
    while (sqlite3_step(st) == SQLITE_ROW) {
        char exp[32];
        util_time_rfc3339((time_t)sqlite3_column_int64(st, 3), exp);
        const char *id = (const char *)sqlite3_column_text(st, 0);
        json_array_append_new(items,
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "id", id, "created_at",
                      sqlite3_column_text(st, 1), "seen_at", sqlite3_column_text(st, 2),
                      "expires_at", exp, "addr", sqlite3_column_text(st, 4), "agent",
                      sqlite3_column_text(st, 5), "current",
                      strcmp(id, r->who.session_id) == 0));
    }
    sqlite3_reset(st);
    reply_json(r, 200, json_pack("{s:s, s:o}", "user_id", uid, "items", items));
}

void h_session_revoke(struct req *r)
{
    static const char SQL[] = "SELECT user_id FROM sessions WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(r->w->db, SQL);
    if (!st) {
        reply_db_error(r, DB_READ);
        return;
    }
    sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
    char owner[40] = "";
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(owner, sizeof owner, "%s", sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    char uid[40];
    if (!owner[0]) {
        reply_error(r, ERR_NOT_FOUND, NULL, "no session %s", r->params[0]);
        return;
    }
    if (strcmp(owner, r->who.user_id) != 0) {
        struct user u;
        int rc = user_load(r->w->db, owner, &u);
        if (rc != 0 || !user_may_manage(&r->who, u.org_id, u.role)) {
            if (rc < 0)
                reply_db_error(r, DB_READ);
            else
                reply_error(r, ERR_NOT_FOUND, NULL, "no session %s", r->params[0]);
            return;
        }
    }
    snprintf(uid, sizeof uid, "%s", owner);
    if (write_begin(r) < 0)
        return;
    char now[32];
    util_now_rfc3339(now);
    struct outcome o;
    int rc = session_revoke(r->w->db, r->params[0], uid, now) < 0
                 ? refuse_db(&o, r->w->db, "session revoke")
                 : 0;
    if (write_finish(r, rc, &o) < 0)
        return;
    if (strcmp(r->params[0], r->who.session_id) == 0)
        session_set_cookie(r, "", 0);
    reply_json(r, 204, NULL);
}
