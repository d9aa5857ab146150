/*
 * resource.h - the resource pool: validation, storage and the HTTP
 * handlers for /v1/resources.
 *
 * A resource is stored as the JSON document its provider sent (checked
 * against RESOURCE_FIELDS) plus columns derived from it for filtering,
 * ranking and the full-text index.  The derived columns are rewritten on
 * every write, in the same transaction that updates the FTS5 index (by
 * triggers), so the index can never disagree with the rows.
 */
#ifndef SHUCU_RESOURCE_H
#define SHUCU_RESOURCE_H

#include "validate.h"

#include <sqlite3.h>

struct db;

/* Column list that resource_row_json() expects at its col0. */
#define RESOURCE_COLS                                                           \
    "r.rid, r.id, r.provider_id, r.provider_name, r.doc, r.status,"            \
    " r.rating_sum, r.rating_count, r.version, r.created_at, r.updated_at"
#define RESOURCE_NCOLS 11

/* The full resource JSON of the row at st's current position. */
json_t *resource_row_json(sqlite3_stmt *st, int col0);

/* Loads the resource with this id; NULL when none. */
json_t *resource_get(struct db *db, const char *id);

/* Validates a resource body (create or replace); 0 or -1 with e set. */
int resource_validate(json_t *doc, struct verr *e);

enum res_write {
    RES_OK = 0,
    RES_CREATED = 1,
    RES_UPDATED = 2,
    RES_CONFLICT_EXTERNAL = -2, /* external_id used by another resource */
    RES_CONFLICT_VERSION = -3,
    RES_NOT_FOUND = -4,
    RES_FORBIDDEN = -5,
    RES_DB_ERROR = -1,
};

enum res_store_flags {
    RES_UPSERT = 1, /* an external_id of this provider updates, not conflicts */
    RES_STAGED = 2, /* bulk: new rows wait in a TEMP table until the flush */
};

/* Inserts (or, with RES_UPSERT and an external_id matching a resource of
 * this provider, replaces) a validated doc.  Must run inside a
 * transaction.  Writes the id.  Returns RES_CREATED, RES_UPDATED or an
 * error.  With RES_STAGED (only together with RES_UPSERT) a created row
 * is not in resources until resource_stage_flush().  dumped is doc as
 * json_dumps(doc, JSON_COMPACT) when the caller has made it, or NULL. */
int resource_store(struct db *db, const char *provider_id, const char *provider_name,
                   json_t *doc, const char *dumped, int flags, char id[48]);

/* Bulk loads: resource_stage_begin() once per transaction before staged
 * stores, resource_stage_flush() before its commit (moves every staged row
 * into resources in one statement).  RES_OK or RES_DB_ERROR. */
/* Writes doc over row rid, expecting version `expect` (RES_CONFLICT_VERSION
 * when the row has moved on).  RES_UPDATED or a negative enum res_write. */
int resource_replace(struct db *db, int64_t rid, json_t *doc, const char *dumped, int64_t expect,
                     const char *status);

int resource_stage_begin(struct db *db);
int resource_stage_flush(struct db *db);


#endif
