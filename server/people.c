/*
 * people.c - `shucud users create | list` and the demo users of `shucud
 * seed` (see people.h).
 */
#include "people.h"

#include "config.h"
#include "db.h"
#include "org.h"
#include "password.h"
#include "route.h"
#include "user.h"
#include "util.h"
#include "verbs.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* Takes "--name value" or "--name=value" out of the verb's arguments. */
static const char *flag(char **rest, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; rest[i]; i++) {
        if (strcmp(rest[i], name) == 0 && rest[i + 1])
            return rest[i + 1];
        if (strncmp(rest[i], name, n) == 0 && rest[i][n] == '=')
            return rest[i] + n + 1;
    }
    return NULL;
}

/* Creates one user in its own transaction; prints the password when it
 * made one up.  0, or -1 after saying why on stderr. */
static int create_one(struct db *db, const char *org_name, int role, const char *name,
                      const char *login, const char *given_pw, int org_admin, char out_pw[13],
                      int create_org)
{
    struct user u;
    memset(&u, 0, sizeof u);
    struct verr e;
    char norm[USER_EMAIL_MAX + 8];
    int is_email;
    if (user_login_normalise(login, "login", norm, sizeof norm, &is_email, &e) < 0) {
        fprintf(stderr, "shucud users: %s\n", e.msg);
        return -1;
    }
    snprintf(is_email ? u.email : u.phone, is_email ? sizeof u.email : sizeof u.phone, "%s", norm);
    snprintf(u.name, sizeof u.name, "%s", name);
    u.role = role;
    u.org_admin = org_admin;
    char pw[13] = "";
    if (given_pw) {
        const char *rule = password_rule_broken(given_pw, norm);
        if (rule) {
            fprintf(stderr, "shucud users: ");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
            fprintf(stderr, rule, PASSWORD_MIN);
#pragma GCC diagnostic pop
            fputc('\n', stderr);
            return -1;
        }
    } else {
        password_random(pw);
    }
    char hash[PASSWORD_HASH_MAX];
    if (password_hash(given_pw ? given_pw : pw, hash) < 0)
        return -1;
    int rc = -1;
    const char *which = NULL;
    if (db_begin(db) == 0) {
        char org_id[40];
        int found = create_org ? org_ensure(db, org_name, org_id) : org_find(db, org_name, org_id);
        if (found != 0) {
            if (found > 0)
                fprintf(stderr, "shucud users: no organisation named \"%s\"\n", org_name);
        } else {
            snprintf(u.org_id, sizeof u.org_id, "%s", org_id);
            rc = user_insert(db, &u, hash, NULL, &which);
            if (rc == 1)
                fprintf(stderr, "shucud users: %s %s is taken by another user\n", which, norm);
        }
        if (rc == 0 && db_commit(db) < 0)
            rc = -1;
        if (rc != 0)
            db_rollback(db);
    }
    sodium_memzero(hash, sizeof hash);
    if (rc == 0 && out_pw)
        memcpy(out_pw, pw, sizeof pw);
    sodium_memzero(pw, sizeof pw);
    return rc == 0 ? 0 : -1;
}

int people_cli(const struct config *cfg, char **rest)
{
    const char *sub = rest[1];
    if (!sub || (strcmp(sub, "create") != 0 && strcmp(sub, "list") != 0)) {
        fprintf(stderr, "shucud users: say create or list\n");
        return 2;
    }
    struct db *db = db_open(cfg->db);
    if (!db)
        return 1;
    int rc = 0;
    if (strcmp(sub, "list") == 0) {
        static const char SQL[] =
            "SELECT u.id, u.role, coalesce(u.phone, u.email), u.disabled_at IS NULL, o.name, u.name"
            " FROM users u JOIN orgs o ON o.id = u.org_id ORDER BY u.uid";
        sqlite3_stmt *st = db_stmt(db, SQL);
        if (!st) {
            db_close(db);
            return 1;
        }
        printf("%-24s  %-10s  %-8s  %-24s  %-20s  %s\n", "ID", "ROLE", "STATUS", "LOGIN", "NAME", "ORG");
        while (sqlite3_step(st) == SQLITE_ROW)
            printf("%-24s  %-10s  %-8s  %-24s  %-20s  %s\n", sqlite3_column_text(st, 0),
                   sqlite3_column_text(st, 1), sqlite3_column_int(st, 3) ? "active" : "disabled",
                   sqlite3_column_text(st, 2), sqlite3_column_text(st, 5),
                   sqlite3_column_text(st, 4));
        sqlite3_reset(st);
        db_close(db);
        return 0;
    }
    const char *org = flag(rest, "--org"), *role_s = flag(rest, "--role"),
               *name = flag(rest, "--name"), *login = flag(rest, "--login"),
               *pw = flag(rest, "--password");
    int role = role_parse(role_s);
    if (!org || !role || !user_role_zh(role) || !name || !login) {
        fprintf(stderr, "shucud users create: needs --org NAME --role enterprise|provider|center|admin|authority"
                        " [--region 省/市/区] --name NAME --login PHONE_OR_EMAIL [--password PW] [--create-org]\n");
        db_close(db);
        return 2;
    }
    int create_org = 0;
    for (int i = 0; rest[i]; i++)
        if (strcmp(rest[i], "--create-org") == 0)
            create_org = 1;
    char made[13] = "";
    if (role == ROLE_AUTHORITY) { /* issue 20: the organisation's region first */
        char org_id[40];
        int found = -1;
        if (db_begin(db) == 0) {
            found = create_org ? org_ensure(db, org, org_id) : org_find(db, org, org_id);
            if (found > 0)
                fprintf(stderr, "shucud users: no organisation named \"%s\"\n", org);
            if (found == 0 && (authority_cli_region(cfg, db, org_id, flag(rest, "--region"),
                                                    "users create") < 0 || db_commit(db) < 0))
                found = -1;
            if (found != 0)
                db_rollback(db);
        }
        if (found != 0) {
            db_close(db);
            return 1;
        }
    }
    if (create_one(db, org, role, name, login, pw, 1, made, create_org) < 0) {
        rc = 1;
    } else {
        fprintf(stderr, "created a %s user for %s; it logs in with %s%s\n", role_name(role), org,
                login, made[0] ? " and this password, shown once:" : "");
        if (made[0])
            printf("%s\n", made);
    }
    sodium_memzero(made, sizeof made);
    db_close(db);
    return rc;
}

int people_seed_demo(struct db *db, json_t *firsts, FILE *out)
{
    static const struct {
        const char *role;
        const char *login;
        const char *name;
        int org_admin;
    } DEMO[] = {
        {"admin", "admin@demo.shucu.cn", "平台管理员", 1},
        {"center", "center@demo.shucu.cn", "李主任", 1},
        {"provider", "provider@demo.shucu.cn", "王经理", 1},
        {"enterprise", "enterprise@demo.shucu.cn", "杜勇", 1},
        {"enterprise", "colleague@demo.shucu.cn", "陈晓燕", 0},
    };
    for (size_t i = 0; i < sizeof DEMO / sizeof DEMO[0]; i++) {
        const char *org = json_string_value(
            json_object_get(json_object_get(firsts, DEMO[i].role), "name"));
        if (!org)
            continue;
        char pw[13];
        if (create_one(db, org, role_parse(DEMO[i].role), DEMO[i].name, DEMO[i].login, NULL,
                       DEMO[i].org_admin, pw, 1) < 0)
            return -1;
        fprintf(out, "user  %-10s %-26s %s  %s\n", DEMO[i].role, DEMO[i].login, pw, org);
        sodium_memzero(pw, sizeof pw);
    }
    return 0;
}
