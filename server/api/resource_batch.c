/*
 * resource_batch.c - batched resource stores with a per-line fallback
 * (see resource_batch.h).
 */
#include "resource_batch.h"

#include "db.h"
#include "log.h"
#include "resource.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void rbatch_init(struct rbatch *b, struct db *db, rbatch_report_fn report, void *ctx)
{
    memset(b, 0, sizeof *b);
    b->db = db;
    b->report = report;
    b->ctx = ctx;
}

static void item_free(struct rbatch_item *it)
{
    json_decref(it->doc);
    free(it->dumped);
    free(it->provider_name);
}

static void items_clear(struct rbatch *b)
{
    for (size_t i = 0; i < b->n; i++)
        item_free(&b->v[i]);
    b->n = 0;
    b->created = b->updated = 0;
    b->failed = 0;
}

size_t rbatch_size(const struct rbatch *b)
{
    return b->n;
}

/* Counts rc of a store for the batch; reports a conflict.  1 when the
 * line was stored, 0 when refused, -1 on a database failure. */
static int tally(struct rbatch *b, int rc, long line)
{
    if (rc == RES_CREATED)
        b->created++;
    else if (rc == RES_UPDATED)
        b->updated++;
    else if (rc == RES_CONFLICT_EXTERNAL) {
        b->report(b->ctx, line, ERR_CONFLICT, "external_id",
                  "external_id is used by another resource");
        return 0;
    } else
        return -1;
    return 1;
}

void rbatch_add(struct rbatch *b, json_t *doc, char *dumped, const char *provider_id,
                const char *provider_name, long line)
{
    if (!b->in_tx) {
        if (db_begin(b->db) < 0 || resource_stage_begin(b->db) < 0)
            b->failed = 1;
        b->in_tx = 1;
    }
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 256;
        b->v = xrealloc(b->v, b->cap * sizeof *b->v);
    }
    struct rbatch_item *it = &b->v[b->n];
    memset(it, 0, sizeof *it);
    it->doc = doc;
    it->dumped = dumped;
    snprintf(it->provider_id, sizeof it->provider_id, "%s", provider_id);
    it->provider_name = xstrdup(provider_name ? provider_name : "");
    it->line = line;
    if (b->failed) { /* replayed at commit */
        b->n++;
        return;
    }
    char id[48];
    int k = tally(b, resource_store(b->db, it->provider_id, it->provider_name, doc, dumped,
                                    RES_UPSERT | RES_STAGED, id),
                  line);
    if (k == 0) { /* refused for good: not kept */
        item_free(it);
        return;
    }
    b->n++;
    if (k < 0)
        b->failed = 1;
}

/* The batch failed somewhere: roll it back and store its lines one by
 * one, each in a savepoint, reporting those that fail.  0, or -1 when not
 * even that transaction can begin. */
static int replay(struct rbatch *b)
{
    db_rollback(b->db);
    b->created = b->updated = 0;
    if (db_begin(b->db) < 0)
        return -1;
    log_warn("bulk import: a batch of %zu lines failed; storing them one by one", b->n);
    for (size_t i = 0; i < b->n; i++) {
        struct rbatch_item *it = &b->v[i];
        char id[48];
        if (db_exec(b->db, "SAVEPOINT line") < 0)
            return -1;
        int rc = resource_store(b->db, it->provider_id, it->provider_name, it->doc, it->dumped,
                                RES_UPSERT, id);
        int k = tally(b, rc, it->line);
        if (k <= 0) {
            if (k < 0) {
                const char *why = sqlite3_errmsg(db_handle(b->db));
                b->report(b->ctx, it->line, ERR_UNAVAILABLE, NULL, why);
            }
            db_exec(b->db, "ROLLBACK TO line");
        }
        db_exec(b->db, "RELEASE line");
    }
    return 0;
}

int rbatch_commit(struct rbatch *b, long *created, long *updated)
{
    if (!b->in_tx) {
        items_clear(b);
        return 0;
    }
    int ok = !b->failed && resource_stage_flush(b->db) == 0 && db_commit(b->db) == 0;
    if (!ok) {
        /* db_commit rolls back when it fails; replay rolls back otherwise. */
        if (replay(b) < 0 || db_commit(b->db) < 0) {
            db_rollback(b->db);
            b->in_tx = 0;
            for (size_t i = 0; i < b->n; i++)
                b->report(b->ctx, b->v[i].line, ERR_UNAVAILABLE, NULL,
                          "the database cannot be written right now");
            items_clear(b);
            return -1;
        }
    }
    b->in_tx = 0;
    *created += b->created;
    *updated += b->updated;
    items_clear(b);
    return 0;
}

void rbatch_free(struct rbatch *b)
{
    if (b->in_tx)
        db_rollback(b->db);
    b->in_tx = 0;
    items_clear(b);
    free(b->v);
    b->v = NULL;
    b->cap = 0;
}
