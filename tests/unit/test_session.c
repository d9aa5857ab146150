/*
 * Unit tests of the people modules on a real database: passwords
 * (Argon2id strings, rules), sessions (token only as a hash, lookup,
 * revocation seen by another connection at once, CSRF derivation, the
 * cookie parser), failed-login lockout, notify_add (every kind of
 * notify.h, deliveries for the webhooks that want it, an unknown kind
 * refused), and the webhook signature.
 */
#include "auth.h"
#include "db.h"
#include "deliver.h"
#include "loginlimit.h"
#include "notify.h"
#include "org.h"
#include "password.h"
#include "route.h"
#include "session.h"
#include "test.h"
#include "user.h"
#include "util.h"

#include <unistd.h>

static struct db *fresh(char *path)
{
    snprintf(path, 64, "/tmp/shucu-test-session-%d.db", (int)getpid());
    unlink(path);
    return db_open(path);
}

static void drop(struct db *db, const char *path)
{
    db_close(db);
    char side[80];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

static int scalar(struct db *db, const char *sql)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

TEST(passwords)
{
    util_init();
    char h[PASSWORD_HASH_MAX], h2[PASSWORD_HASH_MAX];
    ASSERT_EQ(password_hash("correct horse 9", h), 0);
    ASSERT_EQ(password_hash("correct horse 9", h2), 0);
    ASSERT(strncmp(h, "$argon2id$v=19$m=65536,t=2,p=1$", 31) == 0);
    ASSERT(strcmp(h, h2) != 0); /* salted */
    ASSERT(strstr(h, "horse") == NULL);
    ASSERT_EQ(password_verify(h, "correct horse 9"), 0);
    ASSERT_EQ(password_verify(h, "correct horse 8"), 1);
    ASSERT_EQ(password_verify("plain", "plain"), -1);
    ASSERT_EQ(password_needs_rehash(h), 0);
    ASSERT(password_rule_broken("short1", NULL) != NULL);
    ASSERT(password_rule_broken("13800138000", "13800138000") != NULL);
    ASSERT(password_rule_broken("abcdefghij", NULL) != NULL);
    ASSERT(password_rule_broken("12345678901", NULL) != NULL);
    ASSERT(password_rule_broken("mima-2026", NULL) == NULL);
    ASSERT(password_rule_broken("密码是中文也行1", NULL) == NULL);
    char t[13];
    password_random(t);
    ASSERT_EQ(strlen(t), 12);
    ASSERT(password_rule_broken(t, NULL) == NULL);
}

TEST(logins)
{
    char out[140];
    int is_email;
    struct verr e;
    ASSERT_EQ(user_login_normalise("+86 138-0013-8000", "login", out, sizeof out, &is_email, &e), 0);
    ASSERT_STR_EQ(out, "13800138000");
    ASSERT_EQ(is_email, 0);
    ASSERT_EQ(user_login_normalise("8613800138000", "login", out, sizeof out, &is_email, &e), 0);
    ASSERT_STR_EQ(out, "13800138000");
    ASSERT_EQ(user_login_normalise("Du.Yong@Example.CN", "login", out, sizeof out, &is_email, &e), 0);
    ASSERT_STR_EQ(out, "du.yong@example.cn");
    ASSERT_EQ(is_email, 1);
    ASSERT_EQ(user_login_normalise("02788886666", "phone", out, sizeof out, &is_email, &e), -1);
    ASSERT_STR_EQ(e.field, "phone");
    ASSERT_EQ(user_login_normalise("a@b", "email", out, sizeof out, &is_email, &e), -1);
    ASSERT_EQ(user_login_normalise("a@@b.cn", "login", out, sizeof out, &is_email, &e), -1);
    ASSERT_STR_EQ(e.msg_zh, "请填写手机号或电子邮箱");
}

TEST(sessions_and_revocation)
{
    util_init();
    char path[64];
    struct db *a = fresh(path), *b = db_open(path);
    ASSERT(a && b);
    char org[40];
    ASSERT_EQ(org_ensure(a, "会话测试企业", org), 0);
    struct user u = {.role = ROLE_ENTERPRISE, .org_admin = -1};
    snprintf(u.org_id, sizeof u.org_id, "%s", org);
    snprintf(u.name, sizeof u.name, "杜勇");
    snprintf(u.phone, sizeof u.phone, "13800138000");
    const char *which = NULL;
    char hash[PASSWORD_HASH_MAX];
    ASSERT_EQ(password_hash("mima-2026", hash), 0);
    ASSERT_EQ(user_insert(a, &u, hash, NULL, &which), 0);
    ASSERT_EQ(u.org_admin, 1);
    struct user dup = u;
    ASSERT_EQ(user_insert(a, &dup, hash, NULL, &which), 1);
    ASSERT_STR_EQ(which, "phone");
    char token[SESSION_TOKEN_LEN + 1], id[40];
    long age;
    ASSERT_EQ(session_create(a, u.id, "127.0.0.1", "unit", token, id, &age), 0);
    ASSERT_EQ(strlen(token), SESSION_TOKEN_LEN);
    ASSERT_EQ(age, SESSION_MAX);
    /* only the hash is stored */
    char q[160];
    snprintf(q, sizeof q, "SELECT count(*) FROM sessions WHERE hash = '%s' OR id = '%s'", token, token);
    ASSERT_EQ(scalar(a, q), 0);
    struct caller who;
    ASSERT_EQ(session_lookup(b, token, &who), 0);
    ASSERT_STR_EQ(who.user_id, u.id);
    ASSERT_STR_EQ(who.org_id, org);
    ASSERT_EQ(who.role, ROLE_ENTERPRISE);
    ASSERT_EQ(who.org_admin, 1);
    ASSERT_STR_EQ(who.session_id, id);
    char csrf[SESSION_CSRF_LEN + 1];
    session_csrf(token, csrf);
    ASSERT_STR_EQ(who.csrf, csrf);
    ASSERT_EQ(strlen(csrf), SESSION_CSRF_LEN);
    ASSERT(strstr(token, csrf) == NULL);
    /* revoked on one connection, gone on the other at once */
    char now[32];
    util_now_rfc3339(now);
    ASSERT_EQ(session_revoke(a, id, "usr_other", now), 0);
    ASSERT_EQ(session_lookup(b, token, &who), 0);
    ASSERT_EQ(session_revoke(a, id, u.id, now), 1);
    ASSERT_EQ(session_lookup(b, token, &who), 1);
    /* a disabled user's sessions are refused too */
    ASSERT_EQ(session_create(a, u.id, "", "", token, id, &age), 0);
    ASSERT_EQ(session_lookup(b, token, &who), 0);
    u.disabled = 1;
    ASSERT_EQ(user_update(a, &u, now, &which), 0);
    ASSERT_EQ(session_lookup(b, token, &who), 1);
    ASSERT_EQ(session_lookup(b, "shs_nonsense", &who), 1);
    db_close(b);
    drop(a, path);
}

TEST(cookie_parser)
{
    char t[SESSION_TOKEN_LEN + 1];
    const char *tok = "shs_abcdefghijklmnopqrstuvwxyz012345";
    char c[200];
    snprintf(c, sizeof c, "a=1; shucu_session=%s; b=2", tok);
    ASSERT_EQ(session_cookie_token(c, t), 1);
    ASSERT_STR_EQ(t, tok);
    snprintf(c, sizeof c, "shucu_session=\"%s\"", tok);
    ASSERT_EQ(session_cookie_token(c, t), 1);
    ASSERT_EQ(session_cookie_token("xshucu_session=abc; shucu_sessionx=1", t), 0);
    ASSERT_EQ(session_cookie_token("shucu_session=short", t), 0);
    ASSERT_EQ(session_cookie_token(NULL, t), 0);
}

TEST(lockout)
{
    char path[64];
    struct db *db = fresh(path);
    int by_addr = -1;
    ASSERT_EQ(loginlimit_wait(db, "13800000000", "10.0.0.1", &by_addr), 0);
    for (int i = 0; i < LOGIN_FAILS_ACCOUNT - 1; i++)
        ASSERT_EQ(loginlimit_fail(db, "13800000000", "10.0.0.1"), 0);
    ASSERT_EQ(loginlimit_wait(db, "13800000000", "10.0.0.1", &by_addr), 0);
    ASSERT_EQ(loginlimit_fail(db, "13800000000", "10.0.0.1"), 0);
    long w = loginlimit_wait(db, "13800000000", "10.0.0.2", &by_addr);
    ASSERT(w > LOGIN_LOCK - 5 && w <= LOGIN_LOCK);
    ASSERT_EQ(by_addr, 0);
    ASSERT_EQ(loginlimit_wait(db, "13900000000", "10.0.0.1", &by_addr), 0);
    for (int i = 0; i < LOGIN_FAILS_ADDR; i++)
        ASSERT_EQ(loginlimit_fail(db, "x", "10.0.0.9"), 0);
    ASSERT(loginlimit_wait(db, "13900000000", "10.0.0.9", &by_addr) > 0);
    ASSERT_EQ(by_addr, 1);
    ASSERT_EQ(loginlimit_clear(db, "13800000000"), 0);
    ASSERT_EQ(loginlimit_wait(db, "13800000000", "10.0.0.1", &by_addr), 0);
    drop(db, path);
}

TEST(notify_every_kind)
{
    char path[64];
    struct db *db = fresh(path);
    char org[40];
    ASSERT_EQ(org_ensure(db, "通知测试企业", org), 0);
    ASSERT_EQ(db_exec(db, "INSERT INTO webhooks(id, org_id, url, secret, kinds, created_at) VALUES"
                          " ('whk_all', (SELECT id FROM orgs), 'http://x/', 's', '[]', 'now'),"
                          " ('whk_one', (SELECT id FROM orgs), 'http://y/', 's',"
                          "  '[\"assessment_verified\"]', 'now')"), 0);
    static const char *const KINDS[] = {"response_received", "response_accepted",
                                        "campaign_opened", "campaign_confirm", "message",
                                        "assessment_returned", "assessment_verified",
                                        "milestone_signoff"};
    ASSERT_EQ(db_begin(db), 0);
    for (size_t i = 0; i < sizeof KINDS / sizeof *KINDS; i++)
        ASSERT_EQ(notify_add(db, org, KINDS[i], json_pack("{s:{s:s}, s:s, s:{s:s}}", "need", "title",
                                                          "排产需求", "reason", "证据不全",
                                                          "milestone", "name", "上线验收")), 0);
    ASSERT_EQ(notify_add(db, org, "no_such_kind", json_object()), -1);
    ASSERT_EQ(db_commit(db), 0);
    ASSERT_EQ(notify_unread(db, org), 8);
    ASSERT_EQ(scalar(db, "SELECT count(*) FROM webhook_deliveries WHERE webhook_id = 'whk_all'"), 8);
    ASSERT_EQ(scalar(db, "SELECT count(*) FROM webhook_deliveries WHERE webhook_id = 'whk_one'"), 1);
    ASSERT_EQ(scalar(db, "SELECT count(*) FROM notifications WHERE kind = 'assessment_returned'"
                         " AND title = '您的评估被退回：证据不全'"), 1);
    ASSERT_EQ(scalar(db, "SELECT count(*) FROM notifications WHERE kind = 'milestone_signoff'"
                         " AND title LIKE '%上线验收%'"), 1);
    /* a rolled-back transaction leaves nothing */
    ASSERT_EQ(db_begin(db), 0);
    ASSERT_EQ(notify_add(db, org, "message", NULL), 0);
    db_rollback(db);
    ASSERT_EQ(notify_unread(db, org), 8);
    ASSERT_STR_EQ(notify_kind_zh("campaign_opened"), "集采开始报名");
    drop(db, path);
}

TEST(webhook_signature)
{
    /* HMAC-SHA256(key "whsec_test", "1700000000.{}") */
    char sig[80];
    deliver_sign("whsec_test", 1700000000LL, "{}", 2, sig);
    ASSERT_EQ(strlen(sig), 71);
    ASSERT(strncmp(sig, "sha256=", 7) == 0);
    char again[80];
    deliver_sign("whsec_test", 1700000000LL, "{}", 2, again);
    ASSERT_STR_EQ(sig, again);
    deliver_sign("whsec_test", 1700000001LL, "{}", 2, again);
    ASSERT(strcmp(sig, again) != 0);
}

TEST_MAIN(T(passwords), T(logins), T(sessions_and_revocation), T(cookie_parser), T(lockout),
          T(notify_every_kind), T(webhook_signature))
