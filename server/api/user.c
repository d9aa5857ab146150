/*
 * user.c - the user record (see user.h): fields, logins, loading,
 * storing, and the table of who manages the users of each role.
 */
#include "user.h"

#include "auth.h"
#include "db.h"
#include "log.h"
#include "route.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The roles users exist in, and who manages the users of each in any
 * organisation (an org_admin user also manages its own organisation's
 * users of its own role).  A fifth role is one row. */
static const struct {
    int role;
    const char *zh;
    int managers;
} USER_ROLES[] = {
    {ROLE_ENTERPRISE, "企业", ROLE_ADMIN | ROLE_CENTER},
    {ROLE_PROVIDER, "服务商", ROLE_ADMIN | ROLE_CENTER},
    {ROLE_CENTER, "数促中心", ROLE_ADMIN},
    {ROLE_ADMIN, "管理员", ROLE_ADMIN},
    {ROLE_AUTHORITY, "经信局", ROLE_ADMIN}, /* issue 20 */
};
#define NUSER_ROLES (sizeof USER_ROLES / sizeof USER_ROLES[0])

const char *user_role_zh(int role)
{
    for (size_t i = 0; i < NUSER_ROLES; i++)
        if (USER_ROLES[i].role == role)
            return USER_ROLES[i].zh;
    return NULL;
}

int user_may_manage(const struct caller *who, const char *org_id, int role)
{
    for (size_t i = 0; i < NUSER_ROLES; i++) {
        if (USER_ROLES[i].role != role)
            continue;
        if (who->role & USER_ROLES[i].managers)
            return 1;
        return who->user_id[0] && who->org_admin && who->role == role &&
               strcmp(who->org_id, org_id) == 0;
    }
    return 0;
}

const struct vfield USER_CREATE_FIELDS[] = {
    {"name", V_STRING, 1, 1, 60, 0, NULL, 0},
    {"phone", V_STRING, 0, 1, 32, 0, NULL, 0},
    {"email", V_STRING, 0, 3, USER_EMAIL_MAX, 0, NULL, 0},
    {"password", V_STRING, 0, 1, PASSWORD_MAX, 0, NULL, 0},
    {"role", V_STRING, 0, 1, 32, 0, NULL, 0},
    {"org_admin", V_BOOL, 0, 0, 0, 0, NULL, 0},
    VFIELD_END,
};

const struct vfield USER_PATCH_FIELDS[] = {
    {"name", V_STRING, 0, 1, 60, 0, NULL, 0},
    {"phone", V_STRING, 0, 1, 32, 0, NULL, 0},
    {"email", V_STRING, 0, 3, USER_EMAIL_MAX, 0, NULL, 0},
    {"org_admin", V_BOOL, 0, 0, 0, 0, NULL, 0},
    {"disabled", V_BOOL, 0, 0, 0, 0, NULL, 0},
    VFIELD_END,
};

const struct vfield USER_RESET_FIELDS[] = {
    {"password", V_STRING, 0, 1, PASSWORD_MAX, 0, NULL, 0},
    VFIELD_END,
};

const struct vfield USER_PASSWORD_FIELDS[] = {
    {"current_password", V_STRING, 1, 1, PASSWORD_MAX, 0, NULL, 0},
    {"password", V_STRING, 1, 1, PASSWORD_MAX, 0, NULL, 0},
    VFIELD_END,
};

const struct vfield LOGIN_FIELDS[] = {
    {"login", V_STRING, 1, 1, USER_EMAIL_MAX, 0, NULL, 0},
    {"password", V_STRING, 1, 1, PASSWORD_MAX, 0, NULL, 0},
    VFIELD_END,
};

int user_login_normalise(const char *in, const char *field, char *out, size_t outlen,
                         int *is_email, struct verr *e)
{
    size_t n = 0;
    if (strchr(in, '@')) {
        *is_email = 1;
        const char *at = NULL;
        for (const char *p = in; *p; p++) {
            unsigned char c = (unsigned char)*p;
            if (c <= ' ' || c >= 0x7F || n + 1 >= outlen || n >= USER_EMAIL_MAX)
                goto bad_email;
            if (c == '@') {
                if (at)
                    goto bad_email;
                at = p;
            }
            out[n++] = (char)tolower(c);
        }
        out[n] = '\0';
        const char *dot = at ? strrchr(at, '.') : NULL;
        if (!at || at == in || !dot || dot == at + 1 || !dot[1])
            goto bad_email;
        return 0;
    bad_email:
        out[0] = '\0';
        return verr_set(e, field, strcmp(field, "login") == 0
                                      ? "the login is a phone number or an e-mail address"
                                      : "email must be an e-mail address");
    }
    *is_email = 0;
    const char *p = in;
    while (*p == ' ')
        p++;
    if (p[0] == '+' && p[1] == '8' && p[2] == '6')
        p += 3;
    for (; *p; p++) {
        if (*p == ' ' || *p == '-')
            continue;
        if (!isdigit((unsigned char)*p) || n + 1 >= outlen || n >= 13)
            goto bad_phone;
        out[n++] = *p;
    }
    out[n] = '\0';
    if (n == 13 && out[0] == '8' && out[1] == '6') {
        memmove(out, out + 2, 12);
        n = 11;
    }
    if (n == 11 && out[0] == '1')
        return 0;
bad_phone:
    out[0] = '\0';
    return verr_set(e, field, strcmp(field, "login") == 0
                                  ? "the login is a phone number or an e-mail address"
                                  : "phone must be a mainland mobile number of 11 digits");
}

#define USER_COLS                                                                          \
    "u.id, u.org_id, o.name, u.role, u.name, coalesce(u.phone, ''), coalesce(u.email, ''),"  \
    " u.org_admin, u.must_change, u.disabled_at IS NOT NULL, u.version, u.created_at,"      \
    " u.updated_at, u.pw_hash"

static void user_fill(sqlite3_stmt *st, struct user *u)
{
    memset(u, 0, sizeof *u);
    snprintf(u->id, sizeof u->id, "%s", sqlite3_column_text(st, 0));
    snprintf(u->org_id, sizeof u->org_id, "%s", sqlite3_column_text(st, 1));
    snprintf(u->org_name, sizeof u->org_name, "%s", sqlite3_column_text(st, 2));
    u->role = role_parse((const char *)sqlite3_column_text(st, 3));
    snprintf(u->name, sizeof u->name, "%s", sqlite3_column_text(st, 4));
    snprintf(u->phone, sizeof u->phone, "%s", sqlite3_column_text(st, 5));
    snprintf(u->email, sizeof u->email, "%s", sqlite3_column_text(st, 6));
    u->org_admin = sqlite3_column_int(st, 7);
    u->must_change = sqlite3_column_int(st, 8);
    u->disabled = sqlite3_column_int(st, 9);
    u->version = sqlite3_column_int64(st, 10);
    snprintf(u->created_at, sizeof u->created_at, "%s", sqlite3_column_text(st, 11));
    snprintf(u->updated_at, sizeof u->updated_at, "%s", sqlite3_column_text(st, 12));
}

static int user_query(struct db *db, const char *sql, const char *arg, struct user *u,
                      char *hash)
{
    sqlite3_stmt *st = db_stmt(db, sql);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st), result = 1;
    if (rc == SQLITE_ROW) {
        user_fill(st, u);
        if (hash)
            snprintf(hash, PASSWORD_HASH_MAX, "%s", sqlite3_column_text(st, 13));
        result = 0;
    } else if (rc != SQLITE_DONE) {
        log_error("user lookup: %s", sqlite3_errmsg(db_handle(db)));
        result = -1;
    }
    sqlite3_reset(st);
    return result;
}

int user_load(struct db *db, const char *id, struct user *u)
{
    static const char SQL[] =
        "SELECT " USER_COLS " FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.id = ?1";
    return user_query(db, SQL, id, u, NULL);
}

int user_by_login(struct db *db, const char *login, int is_email, struct user *u,
                  char hash[PASSWORD_HASH_MAX])
{
    static const char SQL_PHONE[] =
        "SELECT " USER_COLS " FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.phone = ?1";
    static const char SQL_EMAIL[] =
        "SELECT " USER_COLS " FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.email = ?1";
    return user_query(db, is_email ? SQL_EMAIL : SQL_PHONE, login, u, hash);
}

json_t *user_json(const struct user *u)
{
    json_t *o = json_pack("{s:s, s:s, s:{s:s, s:s}, s:s, s:b, s:b, s:b, s:I, s:s, s:s}", "id",
                          u->id, "name", u->name, "org", "id", u->org_id, "name", u->org_name,
                          "role", role_name(u->role), "org_admin", u->org_admin, "must_change",
                          u->must_change, "disabled", u->disabled, "version",
                          (json_int_t)u->version, "created_at", u->created_at, "updated_at",
                          u->updated_at);
    json_object_set_new(o, "phone", u->phone[0] ? json_string(u->phone) : json_null());
    json_object_set_new(o, "email", u->email[0] ? json_string(u->email) : json_null());
    return o;
}

int user_org_role(struct db *db, const char *org_id, int *several)
{
    static const char SQL[] =
        "SELECT DISTINCT role FROM keys WHERE org_id = ?1 AND revoked_at IS NULL"
        " UNION SELECT DISTINCT role FROM users WHERE org_id = ?1 AND disabled_at IS NULL"
        " UNION SELECT 'authority' FROM authorities WHERE org_id = ?1";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, org_id, -1, SQLITE_STATIC);
    int role = 0, n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        n++;
        role = role_parse((const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return -1;
    *several = n > 1;
    return n == 1 ? role : 0;
}

/* 1 and *which when err is the uniqueness of phone or email. */
static int taken(struct db *db, int rc, const char **which)
{
    if (rc != SQLITE_CONSTRAINT_UNIQUE)
        return 0;
    const char *m = sqlite3_errmsg(db_handle(db));
    *which = strstr(m, "users.email") ? "email" : "phone";
    return 1;
}

int user_insert(struct db *db, struct user *u, const char *hash, const struct caller *creator,
                const char **which)
{
    static const char SQL_ANY[] = "SELECT count(*) FROM users WHERE org_id = ?1";
    static const char SQL[] =
        "INSERT INTO users(id, org_id, role, name, phone, email, pw_hash, org_admin,"
        " must_change, created_at, updated_at, created_by)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11)";
    if (u->org_admin < 0) { /* not given: the first user of an organisation administers it */
        sqlite3_stmt *st = db_stmt(db, SQL_ANY);
        if (!st)
            return -1;
        sqlite3_bind_text(st, 1, u->org_id, -1, SQLITE_STATIC);
        u->org_admin = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 0;
        sqlite3_reset(st);
    }
    util_new_id(u->id, sizeof u->id, "usr");
    util_now_rfc3339(u->created_at);
    memcpy(u->updated_at, u->created_at, sizeof u->updated_at);
    u->version = 1;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    char *by = NULL;
    if (creator) {
        json_t *a = auth_actor_json(creator);
        by = json_dumps(a, JSON_COMPACT);
        json_decref(a);
    }
    sqlite3_bind_text(st, 1, u->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, u->org_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, role_name(u->role), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, u->name, -1, SQLITE_STATIC);
    db_bind_text(st, 5, u->phone[0] ? u->phone : NULL);
    db_bind_text(st, 6, u->email[0] ? u->email : NULL);
    sqlite3_bind_text(st, 7, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 8, u->org_admin);
    sqlite3_bind_int(st, 9, u->must_change);
    sqlite3_bind_text(st, 10, u->created_at, -1, SQLITE_STATIC);
    db_bind_text(st, 11, by);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    free(by);
    if (rc == SQLITE_DONE)
        return 0;
    if (taken(db, rc, which))
        return 1;
    log_error("user insert: %s", sqlite3_errmsg(db_handle(db)));
    return -1;
}

int user_set_password(struct db *db, const char *id, const char *hash, int must_change,
                      const char *now)
{
    static const char SQL[] =
        "UPDATE users SET pw_hash = ?2, must_change = ?3, updated_at = ?4, version = version + 1"
        " WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, must_change);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int user_update(struct db *db, struct user *u, const char *now, const char **which)
{
    static const char SQL[] =
        "UPDATE users SET name = ?2, phone = ?3, email = ?4, org_admin = ?5,"
        " disabled_at = CASE WHEN ?6 THEN coalesce(disabled_at, ?7) ELSE NULL END,"
        " updated_at = ?7, version = version + 1 WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, u->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, u->name, -1, SQLITE_STATIC);
    db_bind_text(st, 3, u->phone[0] ? u->phone : NULL);
    db_bind_text(st, 4, u->email[0] ? u->email : NULL);
    sqlite3_bind_int(st, 5, u->org_admin);
    sqlite3_bind_int(st, 6, u->disabled);
    sqlite3_bind_text(st, 7, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        u->version++;
        snprintf(u->updated_at, sizeof u->updated_at, "%s", now);
        return 0;
    }
    if (taken(db, rc, which))
        return 1;
    log_error("user update: %s", sqlite3_errmsg(db_handle(db)));
    return -1;
}
