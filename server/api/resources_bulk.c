/*
 * resources_bulk.c - POST /v1/resources:bulk: NDJSON, one resource a
 * line.  A bad line is reported by its number and never stops the good
 * ones; a line whose external_id the provider used before updates that
 * resource.  Lines are written in batches of BULK_BATCH per transaction
 * (staged; resource_batch.h), so a large import costs a few commits, and
 * a line that fails inside SQLite costs that line only.
 */
#include "handlers.h"

#include "db.h"
#include "log.h"
#include "req.h"
#include "resource.h"
#include "resource_batch.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define BULK_BATCH 500        /* lines per transaction */
#define BULK_MAX_ERRORS 1000  /* line errors reported; the rest only counted */

struct bulk_report {
    json_t *errors;
    long failed;
    int zh;
};

/* A line that was not stored (resource_batch.h's report). */
static void report_line(void *ctx, long line, enum http_err err, const char *field, const char *msg)
{
    struct bulk_report *br = ctx;
    br->failed++;
    if (json_array_size(br->errors) >= BULK_MAX_ERRORS)
        return;
    json_t *e = json_pack("{s:s, s:s}", "code", http_err_code(err), "message",
                          br->zh && err == ERR_CONFLICT ? "external_id 已被另一项资源使用" : msg);
    if (field)
        json_object_set_new(e, "field", json_string(field));
    json_array_append_new(br->errors, json_pack("{s:I, s:o}", "line", (json_int_t)line, "error", e));
}

void h_resources_bulk(struct req *r)
{
    struct db *db = r->w->db;
    long created = 0, updated = 0;
    struct bulk_report br = {.errors = json_array(), .zh = req_wants_zh(r)};
    struct rbatch b;
    rbatch_init(&b, db, report_line, &br);
    const char *p = r->raw, *end = r->raw + r->rawlen;
    long line = 0;
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
        json_t *doc = json_loadb(s, (size_t)(le - s), JSON_REJECT_DUPLICATES, &jerr);
        struct verr e;
        if (!doc) {
            report_line(&br, line, ERR_BAD_JSON, NULL,
                        br.zh ? "这一行不是有效的 JSON" : jerr.text);
            continue;
        }
        if (resource_validate(doc, &e) < 0) {
            report_line(&br, line, ERR_INVALID_FIELD, *e.field ? e.field : NULL,
                        br.zh && e.msg_zh[0] ? e.msg_zh : e.msg);
            json_decref(doc);
            continue;
        }
        rbatch_add(&b, doc, NULL, r->who.org_id, r->who.org_name, line);
        if (rbatch_size(&b) >= BULK_BATCH && rbatch_commit(&b, &created, &updated) < 0)
            goto dberr;
    }
    if (rbatch_commit(&b, &created, &updated) < 0)
        goto dberr;
    rbatch_free(&b);
    /* A large load leaves many small FTS5 segments that every search then
     * reads: merge some of them now, a bounded amount of work (about 500
     * pages; `shucud import` optimizes fully).  Nothing is lost if it
     * fails, so its result is only logged. */
    if (created + updated >= BULK_BATCH &&
        db_exec(db, "INSERT INTO resources_fts(resources_fts, rank) VALUES('merge', 500)") < 0)
        log_warn("bulk import: the full-text merge after it failed (searches stay correct)");
    reply_json(r, 200, json_pack("{s:I, s:I, s:I, s:o}", "created", (json_int_t)created,
                                 "updated", (json_int_t)updated, "failed", (json_int_t)br.failed,
                                 "errors", br.errors));
    return;
dberr:
    rbatch_free(&b);
    json_decref(br.errors);
    reply_error(r, ERR_UNAVAILABLE, NULL,
                "the database failed at line %ld; lines before the last %d-line batch were saved",
                line, BULK_BATCH);
}
