/*
 * resources_bulk.c - POST /v1/resources:bulk: NDJSON, one resource a
 * line.  A bad line is reported by its number and never stops the good
 * ones; a line whose external_id the provider used before updates that
 * resource.  Lines are written in batches of BULK_BATCH per transaction
 * (staged, resource.h), so a large import costs a few commits.
 */
#include "handlers.h"

#include "db.h"
#include "log.h"
#include "req.h"
#include "resource.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define BULK_BATCH 500        /* lines per transaction */
#define BULK_MAX_ERRORS 1000  /* line errors reported; the rest only counted */

void h_resources_bulk(struct req *r)
{
    struct db *db = r->w->db;
    long created = 0, updated = 0, failed = 0;
    json_t *errors = json_array();
    const char *p = r->raw, *end = r->raw + r->rawlen;
    long line = 0;
    int in_tx = 0, batch = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        line++;
        const char *s = p;
        p = nl ? nl + 1 : end;
        while (s < le && (*s == ' ' || *s == '\t' || *s == '\r'))
            s++;
        if (s == le)
            continue;
        json_error_t jerr;
        int zh = req_wants_zh(r); /* Chinese messages for a client that asks (zh.h) */
        json_t *doc = json_loadb(s, (size_t)(le - s), JSON_REJECT_DUPLICATES, &jerr);
        json_t *err = NULL;
        struct verr e;
        if (!doc) {
            err = json_pack("{s:s, s:s}", "code", http_err_code(ERR_BAD_JSON), "message",
                            zh ? "这一行不是有效的 JSON" : jerr.text);
        } else if (resource_validate(doc, &e) < 0) {
            err = json_pack("{s:s, s:s}", "code", http_err_code(ERR_INVALID_FIELD), "message",
                            zh && e.msg_zh[0] ? e.msg_zh : e.msg);
            if (*e.field)
                json_object_set_new(err, "field", json_string(e.field));
        } else {
            if (!in_tx) {
                if (db_begin(db) < 0 || resource_stage_begin(db) < 0)
                    goto dberr;
                in_tx = 1;
            }
            char id[48];
            int rc = resource_store(db, r->who.org_id, r->who.org_name, doc, NULL,
                                    RES_UPSERT | RES_STAGED, id);
            if (rc == RES_CREATED)
                created++;
            else if (rc == RES_UPDATED)
                updated++;
            else if (rc == RES_CONFLICT_EXTERNAL)
                err = json_pack("{s:s, s:s, s:s}", "code", http_err_code(ERR_CONFLICT), "message",
                                "external_id is used by another resource", "field", "external_id");
            else {
                json_decref(doc);
                goto dberr;
            }
            if (++batch >= BULK_BATCH) {
                if (resource_stage_flush(db) < 0 || db_commit(db) < 0)
                    goto dberr;
                in_tx = 0;
                batch = 0;
            }
        }
        json_decref(doc);
        if (err) {
            failed++;
            if (json_array_size(errors) < BULK_MAX_ERRORS)
                json_array_append_new(errors, json_pack("{s:I, s:o}", "line", (json_int_t)line,
                                                        "error", err));
            else
                json_decref(err);
        }
    }
    if (in_tx && (resource_stage_flush(db) < 0 || db_commit(db) < 0))
        goto dberr;
    /* A large load leaves many small FTS5 segments that every search then
     * reads: merge some of them now, a bounded amount of work (about 500
     * pages; `shucud import` optimizes fully).  Nothing is lost if it
     * fails, so its result is only logged. */
    if (created + updated >= BULK_BATCH &&
        db_exec(db, "INSERT INTO resources_fts(resources_fts, rank) VALUES('merge', 500)") < 0)
        log_warn("bulk import: the full-text merge after it failed (searches stay correct)");
    reply_json(r, 200, json_pack("{s:I, s:I, s:I, s:o}", "created", (json_int_t)created,
                                 "updated", (json_int_t)updated, "failed", (json_int_t)failed,
                                 "errors", errors));
    return;
dberr:
    db_rollback(db);
    json_decref(errors);
    reply_error(r, ERR_UNAVAILABLE, NULL,
                "the database failed at line %ld; lines before the last %d-line batch were saved",
                line, BULK_BATCH);
}
