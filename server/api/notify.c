/*
 * notify.c - notifications and their webhook deliveries (see notify.h).
 *
 * The kinds are a table: the kind, its Chinese name, and the template of
 * its title, whose {a.b} parts are read from the payload.  The title is
 * rendered once, when the notification is written, so the inbox and every
 * webhook show the same words even if the record changes later.
 */
#include "notify.h"

#include "db.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

static const struct {
    const char *kind;
    const char *zh;
    const char *title;
} KINDS[] = {
    {"response_received", "需求收到响应", "您的需求「{need.title}」收到{provider.name}的响应"},
    {"response_accepted", "响应被采纳", "{enterprise.name}采纳了您对「{need.title}」的响应"},
    {"campaign_opened", "集采开始报名", "您可以参加的集采「{campaign.title}」开始报名了"},
    {"campaign_confirm", "集采待确认价格", "集采「{campaign.title}」等待您确认阶梯价格"},
    {"message", "客户留言", "{from.org.name}咨询「{resource.title}」"},
    {"assessment_returned", "评估被退回", "您的评估被退回：{reason}"},
    {"assessment_verified", "评估已核验", "您的评估已核验"},
    {"milestone_signoff", "里程碑待签收", "项目「{project.title}」的里程碑「{milestone.name}」等待您签收"},
    {"project_created", "新项目", "项目「{project.title}」已签约建档"},
    {"project_status", "项目进展", "项目「{project.title}」：{status_zh}"},
    {"project_accepted", "项目已验收", "项目「{project.title}」已通过验收"},
    {"ticket_opened", "运维工单", "项目「{project.title}」的运维工单「{ticket.title}」待处理"},
    {"ticket_answered", "工单已回复", "运维工单「{ticket.title}」已回复"},
    {"case_published", "入选优秀案例", "项目「{project.title}」已发布为优秀案例"},
    {"ping", "测试消息", "数促 Webhook 测试消息"},
};
#define NKINDS (sizeof KINDS / sizeof KINDS[0])

static int kind_index(const char *kind)
{
    for (size_t i = 0; kind && i < NKINDS; i++)
        if (strcmp(KINDS[i].kind, kind) == 0)
            return (int)i;
    return -1;
}

int notify_kind_known(const char *kind)
{
    return kind_index(kind) >= 0;
}

const char *notify_kind_zh(const char *kind)
{
    int i = kind_index(kind);
    return i < 0 ? kind : KINDS[i].zh;
}

json_t *notify_kinds_json(void)
{
    json_t *a = json_array();
    for (size_t i = 0; i < NKINDS; i++)
        if (strcmp(KINDS[i].kind, "ping") != 0)
            json_array_append_new(a, json_pack("{s:s, s:s}", "kind", KINDS[i].kind, "name",
                                               KINDS[i].zh));
    return a;
}

long long notify_now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* The value at a dotted path of payload as text ("" when absent). */
static void path_text(json_t *payload, const char *path, size_t len, char *out, size_t outlen)
{
    char key[64];
    json_t *v = payload;
    const char *p = path, *end = path + len;
    while (v && p < end) {
        const char *dot = memchr(p, '.', (size_t)(end - p));
        size_t kl = (size_t)((dot ? dot : end) - p);
        if (kl >= sizeof key)
            kl = sizeof key - 1;
        memcpy(key, p, kl);
        key[kl] = '\0';
        v = json_object_get(v, key);
        p = dot ? dot + 1 : end;
    }
    if (json_is_string(v))
        snprintf(out, outlen, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(out, outlen, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else
        out[0] = '\0';
}

/* Renders a title template with the payload's values into out. */
static void render(const char *tpl, json_t *payload, char *out, size_t outlen)
{
    size_t o = 0;
    for (const char *p = tpl; *p && o + 1 < outlen;) {
        const char *close = p[0] == '{' ? strchr(p, '}') : NULL;
        if (close) {
            char v[256];
            path_text(payload, p + 1, (size_t)(close - p - 1), v, sizeof v);
            size_t vl = strlen(v);
            if (vl > outlen - 1 - o)
                vl = outlen - 1 - o;
            memcpy(out + o, v, vl);
            o += vl;
            p = close + 1;
            continue;
        }
        out[o++] = *p++;
    }
    out[util_utf8_cut(out, o)] = '\0';
}

static int add_deliveries(struct db *db, const char *org_id, const char *kind, const char *nid,
                          const char *now)
{
    static const char SQL[] =
        "INSERT INTO webhook_deliveries(webhook_id, notification_id, next_ms, created_at)"
        " SELECT w.id, ?3, ?4, ?5 FROM webhooks w WHERE w.org_id = ?1 AND w.disabled_at IS NULL"
        " AND ?2 <> 'ping' AND (w.kinds = '[]'"
        "      OR EXISTS (SELECT 1 FROM json_each(w.kinds) k WHERE k.value = ?2))";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, org_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, nid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, notify_now_ms());
    sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int notify_add(struct db *db, const char *org_id, const char *kind, json_t *payload)
{
    static const char SQL[] =
        "INSERT INTO notifications(id, org_id, kind, title, payload, created_at, read_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    int k = kind_index(kind);
    if (k < 0) {
        log_error("notify: unknown kind \"%s\"", kind ? kind : "(null)");
        json_decref(payload);
        return -1;
    }
    if (!json_is_object(payload)) {
        json_decref(payload);
        payload = json_object();
    }
    char title[512];
    const char *own = json_string_value(json_object_get(payload, "title"));
    if (own)
        snprintf(title, sizeof title, "%s", own);
    else
        render(KINDS[k].title, payload, title, sizeof title);
    title[util_utf8_cut(title, strlen(title))] = '\0';
    char id[48], now[32];
    util_new_id(id, sizeof id, "ntf");
    util_now_rfc3339(now);
    char *doc = json_dumps(payload, JSON_COMPACT);
    json_decref(payload);
    int rc = -1;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (st && doc) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, org_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, title, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, doc, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
        /* a webhook test is no news for the inbox: born read */
        db_bind_text(st, 7, strcmp(kind, "ping") == 0 ? now : NULL);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
        sqlite3_reset(st);
        if (rc < 0)
            log_error("notify: %s", sqlite3_errmsg(db_handle(db)));
    }
    free(doc);
    if (rc == 0 && add_deliveries(db, org_id, kind, id, now) < 0) {
        log_error("notify deliveries: %s", sqlite3_errmsg(db_handle(db)));
        rc = -1;
    }
    return rc;
}

long notify_unread(struct db *db, const char *org_id)
{
    static const char SQL[] =
        "SELECT count(*) FROM notifications WHERE org_id = ?1 AND read_at IS NULL";
    if (!org_id || !*org_id)
        return 0;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, org_id, -1, SQLITE_STATIC);
    long n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_reset(st);
    return n;
}
