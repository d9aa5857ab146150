/*
 * resource_batch.h - storing many resources, a batch a transaction, where
 * a line that fails costs that line only.
 *
 * Bulk imports (POST /v1/resources:bulk, shucud import) write a batch of
 * lines in one transaction through the staging table (resource.h), which
 * is what makes them fast.  When anything in a batch fails inside SQLite -
 * a store, the staging flush, the commit - the batch is rolled back and
 * its lines are stored again one by one, each in a savepoint of its own:
 * the lines that fail again are reported (by their line numbers) and the
 * others are kept.  Before this, one bad line lost the 10,000 good lines
 * of its batch and stopped the import, with counts that said otherwise.
 *
 * Usage:  rbatch_add() for each valid line (in order), rbatch_commit()
 * every so many lines and at the end; rbatch_free() always.
 */
#ifndef SHUCU_RESOURCE_BATCH_H
#define SHUCU_RESOURCE_BATCH_H

#include "req.h"

#include <jansson.h>

struct db;

/* A line that was not stored: its number, the error and the field. */
typedef void (*rbatch_report_fn)(void *ctx, long line, enum http_err err, const char *field,
                                 const char *msg);

struct rbatch_item {
    json_t *doc;
    char *dumped;          /* doc as stored text, or NULL */
    char provider_id[40];
    char *provider_name;
    long line;
};

struct rbatch {
    struct db *db;
    struct rbatch_item *v;
    size_t n, cap;
    int in_tx;             /* a transaction (and the staging table) is open */
    int failed;            /* something in this batch failed: replay it */
    long created, updated; /* of this batch, until it commits */
    rbatch_report_fn report;
    void *ctx;
};

void rbatch_init(struct rbatch *b, struct db *db, rbatch_report_fn report, void *ctx);

/* Stores one valid resource document of provider (id, name) from line,
 * staged, in the batch's transaction (begun on first use).  Takes doc and
 * dumped (may be NULL).  An external_id used by another resource is
 * reported at once; a database failure marks the batch for replay. */
void rbatch_add(struct rbatch *b, json_t *doc, char *dumped, const char *provider_id,
                const char *provider_name, long line);

/* Lines in the open batch. */
size_t rbatch_size(const struct rbatch *b);

/* Commits the batch (replaying it line by line when it failed) and adds
 * its counts to *created and *updated.  0, or -1 when the database cannot
 * be written at all (the batch is rolled back and reported lost). */
int rbatch_commit(struct rbatch *b, long *created, long *updated);

/* Rolls back what is open and frees the items. */
void rbatch_free(struct rbatch *b);

#endif
