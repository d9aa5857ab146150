/*
 * enterprises_bulk.c - enterprise files from spreadsheets: NDJSON, one
 * file a line with the organisation's "name".  The same code serves
 * POST /v1/enterprises:bulk (centers, admins) and `shucud import --type
 * enterprises FILE` (main.c), with the rules of the resource import: a
 * bad line is reported by its number and never stops the good ones, and
 * an enterprise already known by its USCC or its name is updated, never
 * duplicated.  Lines are written BATCH at a time, one transaction each;
 * a line that fails is rolled back to a savepoint, so what it wrote
 * before failing (a new organisation) goes with it.
 */
#include "handlers.h"

#include "db.h"
#include "enterprise.h"
#include "log.h"
#include "org.h"
#include "req.h"
#include "util.h"
#include "write.h"
#include "zh.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BULK_BATCH 500        /* lines per transaction over HTTP */
#define BULK_MAX_ERRORS 1000  /* line errors reported; the rest only counted */

/* The organisation whose file has this USCC (upper-cased), or "". */
static int org_by_uscc(struct db *db, const char *uscc, char id[40])
{
    static const char SQL[] = "SELECT org_id FROM enterprise_file_docs WHERE uscc = ?1";
    char up[20];
    snprintf(up, sizeof up, "%s", uscc);
    for (char *s = up; *s; s++)
        *s = (char)toupper((unsigned char)*s);
    id[0] = '\0';
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, up, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        snprintf(id, 40, "%s", sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int org_by_name(struct db *db, const char *name, char id[40])
{
    id[0] = '\0';
    return org_find(db, name, id) < 0 ? -1 : 0;
}

static const struct vfield NAME_FIELD[] = {
    {"name", V_STRING, 1, 1, 120, 0, NULL, 0},
    VFIELD_END,
};

int enterprise_import_line(struct db *db, json_t *line, struct outcome *o)
{
    struct verr e;
    struct file_cols c;
    if (!json_is_object(line)) {
        refuse(o, ERR_INVALID_FIELD, NULL, "a line must be a JSON object");
        return -2;
    }
    json_t *name_v = json_incref(json_object_get(line, "name"));
    json_object_del(line, "name");
    const char *name = json_string_value(name_v);
    const char *uscc = json_string_value(json_object_get(line, "uscc"));
    int rc = -2;
    /* The line alone must be a valid file before anything is looked up. */
    json_t *alone = json_deep_copy(line), *merged = NULL;
    if (enterprise_file_validate(alone, &c, &e) < 0) {
        refuse_verr(o, &e);
        goto out;
    }
    char by_uscc[40] = "", by_name[40] = "", id[40];
    if ((uscc && org_by_uscc(db, uscc, by_uscc) < 0) || (name && org_by_name(db, name, by_name) < 0)) {
        rc = -1;
        goto out;
    }
    if (*by_uscc && *by_name && strcmp(by_uscc, by_name) != 0) {
        refuse(o, ERR_CONFLICT, "uscc", "this uscc is the file of another organisation than"
               " \"%s\"", name);
        goto out;
    }
    snprintf(id, sizeof id, "%s", *by_uscc ? by_uscc : by_name);
    int kind = ENT_NONE;
    json_t *old = NULL;
    if (*id) {
        kind = enterprise_kind(db, id, NULL);
        if (kind < 0 || (kind == ENT_FILE && enterprise_file_doc(db, id, &old) < 0)) {
            rc = -1;
            goto out;
        }
        if (kind == ENT_OTHER) {
            refuse(o, ERR_CONFLICT, "name", "\"%s\" is an organisation of another role, not an"
                   " enterprise", name ? name : id);
            goto out;
        }
    } else {
        json_t *nm = json_pack("{s:O}", "name", name_v ? name_v : json_null());
        int bad = validate(nm, NAME_FIELD, &e) < 0;
        json_decref(nm);
        if (bad) {
            refuse(o, ERR_INVALID_FIELD, "name", "%s (a new enterprise needs its name)", e.msg);
            goto out;
        }
    }
    merged = old ? old : json_object();
    old = NULL;
    json_object_update(merged, line);
    if (enterprise_file_validate(merged, &c, &e) < 0) {
        refuse_verr(o, &e);
        goto out;
    }
    if (!*id) {
        json_t *p = json_pack("{s:s}", "name", name);
        int k = org_create(db, p, id);
        json_decref(p);
        if (k != 0) {
            rc = -1;
            goto out;
        }
    }
    int64_t version;
    int s = enterprise_file_store(db, id, merged, &c, 0, &version);
    if (s == ENT_USCC_TAKEN) {
        refuse(o, ERR_CONFLICT, "uscc", "another enterprise's file has this uscc");
        goto out;
    }
    rc = s < 0 ? -1 : kind == ENT_FILE ? 1 : 0;
out:
    json_decref(alone);
    json_decref(merged);
    json_decref(name_v);
    return rc;
}

/* Adds a refused line to rep. */
static void report(struct ent_import *rep, long line, const struct outcome *o)
{
    rep->failed++;
    if ((long)json_array_size(rep->errors) >= rep->max_errors)
        return;
    const char *msg = o->msg;
    char zh[1024];
    if (rep->zh) { /* the Chinese message, or the generic one of its code and field */
        msg = o->msg_zh;
        if (o->err == ERR_BAD_JSON)
            msg = "这一行不是有效的 JSON";
        else if (!*msg || !util_utf8_valid(msg, strlen(msg))) {
            zh_generic(http_err_code(o->err), o->field, zh, sizeof zh);
            msg = zh;
        }
    }
    json_t *err = json_pack("{s:s, s:s}", "code", http_err_code(o->err), "message", msg);
    if (o->field[0])
        json_object_set_new(err, "field", json_string(o->field));
    json_array_append_new(rep->errors, json_pack("{s:I, s:o}", "line", (json_int_t)line, "error", err));
}

int enterprise_import_ndjson(struct db *db, const char *text, size_t len, int batch,
                             struct ent_import *rep)
{
    const char *p = text, *end = text + len;
    long line = 0;
    int in_tx = 0, n = 0;
    rep->errors = json_array();
    if (rep->max_errors <= 0)
        rep->max_errors = BULK_MAX_ERRORS;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end, *s = p;
        line++;
        p = nl ? nl + 1 : end;
        while (s < le && (*s == ' ' || *s == '\t' || *s == '\r'))
            s++;
        if (s == le)
            continue;
        struct outcome o;
        json_error_t je;
        json_t *doc = json_loadb(s, (size_t)(le - s), JSON_REJECT_DUPLICATES, &je);
        if (!doc) {
            refuse(&o, ERR_BAD_JSON, NULL, "%s", je.text);
            report(rep, line, &o);
            continue;
        }
        if (!in_tx) {
            if (db_begin(db) < 0) {
                json_decref(doc);
                goto dberr;
            }
            in_tx = 1;
        }
        if (db_exec(db, "SAVEPOINT import_line") < 0) {
            json_decref(doc);
            goto dberr;
        }
        int rc = enterprise_import_line(db, doc, &o);
        json_decref(doc);
        if (rc == -1)
            goto dberr;
        if (rc == -2) {
            if (db_exec(db, "ROLLBACK TO import_line") < 0)
                goto dberr;
            report(rep, line, &o);
        } else if (rc == 1)
            rep->updated++;
        else
            rep->created++;
        if (db_exec(db, "RELEASE import_line") < 0)
            goto dberr;
        if (++n >= batch) {
            if (db_commit(db) < 0)
                goto dberr_committed;
            in_tx = 0;
            n = 0;
        }
    }
    if (in_tx && db_commit(db) < 0)
        goto dberr_committed;
    return 0;
dberr:
    db_rollback(db);
dberr_committed:
    log_error("enterprise import: the database failed at line %ld: %s", line,
              sqlite3_errmsg(db_handle(db)));
    rep->line = line;
    return -1;
}

void h_enterprises_bulk(struct req *r)
{
    struct ent_import rep = {.zh = req_wants_zh(r)};
    int rc = enterprise_import_ndjson(r->w->db, r->raw, r->rawlen, BULK_BATCH, &rep);
    if (rc < 0) {
        json_decref(rep.errors);
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database failed at line %ld; lines before the"
                    " last %d-line batch were saved", rep.line, BULK_BATCH);
        return;
    }
    reply_json(r, 200, json_pack("{s:I, s:I, s:I, s:o}", "created", (json_int_t)rep.created,
                                 "updated", (json_int_t)rep.updated, "failed",
                                 (json_int_t)rep.failed, "errors", rep.errors));
}
