/*
 * users.c - the people of an organisation over HTTP: create and list the
 * users of an organisation, read and change one (disable, enable, make an
 * organisation administrator), reset a password (admins, centers and the
 * organisation's own administrators, user.h), and change one's own.
 *
 * Passwords are hashed (70 ms, password.h) before the write transaction
 * begins, so the database's write lock is never held while Argon2 runs.
 * A password reset, a password change and disabling a user revoke the
 * user's sessions in the same transaction (a change keeps the session
 * that made it); revocation is seen at once everywhere (session.h).
 */
#include "handlers.h"

#include "auth.h"
#include "authority.h"
#include "db.h"
#include "log.h"
#include "org.h"
#include "password.h"
#include "req.h"
#include "session.h"
#include "user.h"
#include "util.h"
#include "write.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Checks a new password against the rules; answers 422 and returns -1
 * when it breaks one. */
static int password_ok(struct req *r, const char *field, const char *pw, const char *login)
{
    const char *rule = password_rule_broken(pw, login);
    if (!rule)
        return 0;
    struct verr e;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    verr_set(&e, field, rule, PASSWORD_MIN);
#pragma GCC diagnostic pop
    reply_verr(r, &e);
    return -1;
}

/* Fills phone and email of u from body members (absent: left as is;
 * "" clears); answers 422 and returns -1 on a bad one. */
static int logins_from(struct req *r, json_t *body, struct user *u)
{
    static const char *const NAMES[] = {"phone", "email"};
    for (int i = 0; i < 2; i++) {
        json_t *v = json_object_get(body, NAMES[i]);
        if (!v)
            continue;
        char *dst = i ? u->email : u->phone;
        size_t cap = i ? sizeof u->email : sizeof u->phone;
        const char *s = json_string_value(v);
        int is_email = 0;
        struct verr e;
        if (user_login_normalise(s, NAMES[i], dst, cap, &is_email, &e) < 0 || is_email != i) {
            if (is_email != i)
                verr_set(&e, NAMES[i], i ? "email must be an e-mail address"
                                         : "phone must be a mainland mobile number of 11 digits");
            reply_verr(r, &e);
            return -1;
        }
    }
    return 0;
}

/* The refusal of a write whose phone or email another user has. */
static int refuse_taken(struct outcome *o, const char *which, const struct user *u)
{
    if (strcmp(which, "email") == 0)
        return refuse(o, ERR_CONFLICT, "email", "email %s is taken by another user", u->email);
    return refuse(o, ERR_CONFLICT, "phone", "phone %s is taken by another user", u->phone);
}

/* ------------------------------------------------------------ create */

void h_org_user_create(struct req *r)
{
    struct db *db = r->w->db;
    const char *org_id = r->params[0];
    if (body_valid(r, USER_CREATE_FIELDS) < 0)
        return;
    json_t *b = r->body;
    json_t *org = org_get(db, org_id);
    if (!org) {
        reply_error(r, ERR_NOT_FOUND, NULL, "no organisation %s", org_id);
        return;
    }
    struct user u;
    memset(&u, 0, sizeof u);
    snprintf(u.org_id, sizeof u.org_id, "%s", org_id);
    snprintf(u.org_name, sizeof u.org_name, "%s", json_string_value(json_object_get(org, "name")));
    json_decref(org);
    snprintf(u.name, sizeof u.name, "%s", json_string_value(json_object_get(b, "name")));
    const char *role_s = json_string_value(json_object_get(b, "role"));
    if (role_s) {
        u.role = role_parse(role_s);
        if (!u.role || !user_role_zh(u.role)) {
            reply_error(r, ERR_INVALID_FIELD, "role", "role must be %s",
                        "enterprise, provider, center, admin or authority");
            return;
        }
        struct region_codes region;
        int is_auth = u.role == ROLE_AUTHORITY ? authority_get(db, org_id, &region) : 0;
        if (is_auth < 0) {
            reply_db_error(r, DB_READ);
            return;
        }
        if (is_auth > 0) {
            reply_error(r, ERR_INVALID_FIELD, "role", "an authority user belongs to an"
                        " organisation made with role authority and a region");
            return;
        }
    } else {
        int several = 0;
        u.role = user_org_role(db, org_id, &several);
        if (u.role < 0) {
            reply_db_error(r, DB_READ);
            return;
        }
        if (!u.role) {
            reply_error(r, ERR_INVALID_FIELD, "role", several
                        ? "the organisation has users or keys of several roles: give role"
                        : "the organisation has no role yet: give role");
            return;
        }
    }
    if (!user_may_manage(&r->who, org_id, u.role)) {
        reply_error(r, ERR_FORBIDDEN, NULL, "a %s may not manage %s users",
                    role_name(r->who.role), role_name(u.role));
        return;
    }
    if (logins_from(r, b, &u) < 0)
        return;
    if (!u.phone[0] && !u.email[0]) {
        reply_error(r, ERR_INVALID_FIELD, "phone", "give phone or email: the user logs in with it");
        return;
    }
    /* A password given, or a temporary one shown once; either way the
     * user is asked to choose their own at the next login when someone
     * else chose it. */
    char temp[13] = "";
    const char *pw = json_string_value(json_object_get(b, "password"));
    if (!pw) {
        password_random(temp);
        pw = temp;
    } else if (password_ok(r, "password", pw, u.phone[0] ? u.phone : u.email) < 0) {
        return;
    }
    json_t *adm = json_object_get(b, "org_admin");
    u.org_admin = adm ? json_is_true(adm) : -1;
    u.must_change = temp[0] != '\0';
    char hash[PASSWORD_HASH_MAX];
    if (password_hash(pw, hash) < 0) {
        reply_error(r, ERR_UNAVAILABLE, NULL, "the server is shutting down");
        return;
    }
    if (write_begin(r) < 0)
        return;
    const char *which = NULL;
    int rc = user_insert(db, &u, hash, &r->who, &which);
    struct outcome o;
    rc = rc < 0 ? refuse_db(&o, db, "user insert") : rc == 1 ? refuse_taken(&o, which, &u) : 0;
    if (write_finish(r, rc, &o) < 0) {
        sodium_memzero(temp, sizeof temp);
        return;
    }
    json_t *out = user_json(&u);
    if (temp[0])
        json_object_set_new(out, "password", json_string(temp));
    sodium_memzero(temp, sizeof temp);
    sodium_memzero(hash, sizeof hash);
    reply_record(r, 201, out, "users");
}

/* ------------------------------------------------------------ read */

static int may_see_org_users(const struct req *r, const char *org_id)
{
    return (r->who.role & (ROLE_ADMIN | ROLE_CENTER)) || req_is_caller(r, org_id);
}

void h_org_users_list(struct req *r)
{
    static const char SQL[] = "SELECT id FROM users WHERE org_id = ?1 ORDER BY uid LIMIT 1000";
    const char *org_id = r->params[0];
    if (!may_see_org_users(r, org_id)) {
        reply_error(r, ERR_FORBIDDEN, NULL,
                    "the users of an organisation are listed for its members, admins and centers");
        return;
    }
    struct db *db = r->w->db;
    json_t *org = org_get(db, org_id);
    if (!org) {
        reply_error(r, ERR_NOT_FOUND, NULL, "no organisation %s", org_id);
        return;
    }
    json_decref(org);
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st) {
        reply_db_error(r, DB_READ);
        return;
    }
    sqlite3_bind_text(st, 1, org_id, -1, SQLITE_STATIC);
    json_t *ids = json_array();
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(ids, json_string((const char *)sqlite3_column_text(st, 0)));
    sqlite3_reset(st);
    json_t *items = json_array(), *v;
    size_t i;
    json_array_foreach(ids, i, v) {
        struct user u;
        if (user_load(db, json_string_value(v), &u) == 0)
            json_array_append_new(items, user_json(&u));
    }
    json_decref(ids);
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* Loads the user of the path for a read (1) or a change by a manager (2);
 * answers and returns -1 when it is missing or not the caller's to see
 * or manage.  A user always sees and may rename itself. */
static int load_target(struct req *r, struct user *u, int manage)
{
    int rc = user_load(r->w->db, r->params[0], u);
    if (rc < 0) {
        reply_db_error(r, DB_READ);
        return -1;
    }
    int self = rc == 0 && strcmp(u->id, r->who.user_id) == 0;
    if (rc > 0 || (!self && !may_see_org_users(r, u->org_id))) {
        reply_error(r, ERR_NOT_FOUND, NULL, "no user %s", r->params[0]);
        return -1;
    }
    if (manage == 2 && !user_may_manage(&r->who, u->org_id, u->role)) {
        reply_error(r, ERR_FORBIDDEN, NULL, "a %s may not manage %s users",
                    role_name(r->who.role), role_name(u->role));
        return -1;
    }
    return 0;
}

void h_user_get(struct req *r)
{
    struct user u;
    if (load_target(r, &u, 1) < 0)
        return;
    reply_record(r, 200, user_json(&u), "users");
}

/* ------------------------------------------------------------ change */

void h_user_patch(struct req *r)
{
    int64_t want;
    if (req_if_match(r, &want) < 0 || body_valid(r, USER_PATCH_FIELDS) < 0)
        return;
    struct user u;
    if (load_target(r, &u, 1) < 0)
        return;
    json_t *b = r->body;
    int self = strcmp(u.id, r->who.user_id) == 0;
    int manager = user_may_manage(&r->who, u.org_id, u.role);
    /* Oneself: name, phone and e-mail; the rest is a manager's. */
    if (!manager && (!self || json_object_get(b, "org_admin") || json_object_get(b, "disabled"))) {
        reply_error(r, ERR_FORBIDDEN, NULL, "a %s may not manage %s users",
                    role_name(r->who.role), role_name(u.role));
        return;
    }
    if (self && json_is_true(json_object_get(b, "disabled"))) {
        reply_error(r, ERR_CONFLICT, "disabled", "you may not disable yourself");
        return;
    }
    if (want && want != u.version) {
        reply_error(r, ERR_CONFLICT, NULL, "If-Match names version %" PRId64
                    " but the user is at version %" PRId64, want, u.version);
        return;
    }
    const char *name = json_string_value(json_object_get(b, "name"));
    if (name)
        snprintf(u.name, sizeof u.name, "%s", name);
    if (logins_from(r, b, &u) < 0)
        return;
    if (!u.phone[0] && !u.email[0]) {
        reply_error(r, ERR_INVALID_FIELD, "phone", "give phone or email: the user logs in with it");
        return;
    }
    json_t *adm = json_object_get(b, "org_admin"), *dis = json_object_get(b, "disabled");
    if (adm)
        u.org_admin = json_is_true(adm);
    int was_disabled = u.disabled;
    if (dis)
        u.disabled = json_is_true(dis);
    if (write_begin(r) < 0)
        return;
    char now[32];
    util_now_rfc3339(now);
    const char *which = NULL;
    struct outcome o;
    int rc = user_update(r->w->db, &u, now, &which);
    if (rc == 0 && u.disabled && !was_disabled &&
        session_revoke_user(r->w->db, u.id, NULL, now) < 0)
        rc = -1;
    rc = rc < 0 ? refuse_db(&o, r->w->db, "user update") : rc == 1 ? refuse_taken(&o, which, &u) : 0;
    if (write_finish(r, rc, &o) < 0)
        return;
    reply_record(r, 200, user_json(&u), "users");
}

/* ------------------------------------------------------------ passwords */

void h_user_password_reset(struct req *r)
{
    if (body_valid(r, USER_RESET_FIELDS) < 0)
        return;
    struct user u;
    if (load_target(r, &u, 2) < 0)
        return;
    char temp[13] = "";
    const char *pw = json_string_value(json_object_get(r->body, "password"));
    if (!pw) {
        password_random(temp);
        pw = temp;
    } else if (password_ok(r, "password", pw, u.phone[0] ? u.phone : u.email) < 0) {
        return;
    }
    char hash[PASSWORD_HASH_MAX];
    if (password_hash(pw, hash) < 0) {
        reply_error(r, ERR_UNAVAILABLE, NULL, "the server is shutting down");
        return;
    }
    if (write_begin(r) < 0)
        return;
    char now[32];
    util_now_rfc3339(now);
    struct outcome o;
    int rc = user_set_password(r->w->db, u.id, hash, 1, now) < 0 ||
                     session_revoke_user(r->w->db, u.id, NULL, now) < 0
                 ? refuse_db(&o, r->w->db, "password reset")
                 : 0;
    sodium_memzero(hash, sizeof hash);
    if (write_finish(r, rc, &o) < 0) {
        sodium_memzero(temp, sizeof temp);
        return;
    }
    user_load(r->w->db, u.id, &u);
    json_t *out = user_json(&u);
    if (temp[0])
        json_object_set_new(out, "password", json_string(temp));
    sodium_memzero(temp, sizeof temp);
    reply_json(r, 200, out);
}

void h_me_password(struct req *r)
{
    if (!r->who.user_id[0]) {
        reply_error(r, ERR_FORBIDDEN, NULL, "only a user can change a password; an API key has none");
        return;
    }
    if (body_valid(r, USER_PASSWORD_FIELDS) < 0)
        return;
    struct user u;
    char hash[PASSWORD_HASH_MAX];
    int rc = user_load(r->w->db, r->who.user_id, &u);
    if (rc == 0) {
        const char *login = u.phone[0] ? u.phone : u.email;
        rc = user_by_login(r->w->db, login, !u.phone[0], &u, hash);
    }
    if (rc != 0) {
        reply_db_error(r, DB_READ);
        return;
    }
    const char *cur = json_string_value(json_object_get(r->body, "current_password"));
    const char *pw = json_string_value(json_object_get(r->body, "password"));
    if (password_verify(hash, cur) != 0) {
        reply_error(r, ERR_INVALID_FIELD, "current_password", "the current password is wrong");
        return;
    }
    if (password_ok(r, "password", pw, u.phone[0] ? u.phone : u.email) < 0)
        return;
    if (password_hash(pw, hash) < 0) {
        reply_error(r, ERR_UNAVAILABLE, NULL, "the server is shutting down");
        return;
    }
    if (write_begin(r) < 0)
        return;
    char now[32];
    util_now_rfc3339(now);
    struct outcome o;
    rc = user_set_password(r->w->db, u.id, hash, 0, now) < 0 ||
                 session_revoke_user(r->w->db, u.id, r->who.session_id, now) < 0
             ? refuse_db(&o, r->w->db, "password change")
             : 0;
    sodium_memzero(hash, sizeof hash);
    if (write_finish(r, rc, &o) < 0)
        return;
    user_load(r->w->db, u.id, &u);
    reply_json(r, 200, user_json(&u));
}
