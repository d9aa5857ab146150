/*
 * keys.c - API keys over HTTP for admins (auth.h keeps them): list an
 * organisation's keys and revoke one by its prefix.  Keys are made with
 * POST /v1/orgs/{id}/keys (orgs.c) or `shucud keys create`; a full key is
 * shown once, when it is made, and never again: these lists show prefixes.
 */
#include "handlers.h"

#include "auth.h"
#include "db.h"
#include "org.h"
#include "req.h"
#include "util.h"
#include "write.h"

#include <string.h>

void h_org_keys_list(struct req *r)
{
    static const char SQL[] =
        "SELECT prefix, role, created_at, revoked_at FROM keys WHERE org_id = ?1"
        " ORDER BY created_at, prefix";
    json_t *org = org_get(r->w->db, r->params[0]);
    if (!org) {
        reply_error(r, ERR_NOT_FOUND, NULL, "no organisation %s", r->params[0]);
        return;
    }
    json_decref(org);
    sqlite3_stmt *st = db_stmt(r->w->db, SQL);
    if (!st) {
        reply_db_error(r, DB_READ);
        return;
    }
    sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
    json_t *items = json_array();
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *k = json_pack("{s:s, s:s, s:s, s:b}", "prefix", sqlite3_column_text(st, 0), "role",
                              sqlite3_column_text(st, 1), "created_at", sqlite3_column_text(st, 2),
                              "active", sqlite3_column_type(st, 3) == SQLITE_NULL);
        if (sqlite3_column_type(st, 3) != SQLITE_NULL)
            json_object_set_new(k, "revoked_at", json_string((const char *)sqlite3_column_text(st, 3)));
        json_array_append_new(items, k);
    }
    sqlite3_reset(st);
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

void h_key_revoke(struct req *r)
{
    if (strlen(r->params[0]) != AUTH_PREFIX_LEN) {
        reply_error(r, ERR_NOT_FOUND, NULL, "no active key with prefix %s", r->params[0]);
        return;
    }
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    int n = auth_revoke(r->w->db, r->params[0]);
    int rc = n < 0 ? refuse_db(&o, r->w->db, "key revoke")
             : n == 0 ? refuse(&o, ERR_NOT_FOUND, NULL, "no active key with prefix %s",
                               r->params[0])
                      : 0;
    if (write_finish(r, rc, &o) < 0)
        return;
    reply_json(r, 204, NULL);
}
