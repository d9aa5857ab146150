/*
 * matching.c - the matching endpoints, both directions through one
 * engine (matcher.h) and one cache (cached.h):
 *   POST /v1/match                  rank for a need given in the body
 *   GET  /v1/needs/{id}/matches     rank for a stored need
 *   GET  /v1/resources/{id}/needs   the open needs a resource fits
 * A need that names no current_level is ranked with its enterprise's
 * verified level (enterprise_fill_level), whichever route asks.
 */
#include "handlers.h"

#include "cached.h"
#include "db.h"
#include "enterprise.h"
#include "matcher.h"
#include "need.h"
#include "req.h"
#include "resource.h"
#include "server.h"
#include "taxonomy.h"
#include "tokenizer.h"
#include "util.h"
#include "write.h"

#include <stdlib.h>
#include <string.h>

static int match_params(struct req *r, int64_t *kinds, long *limit, int *explain)
{
    if (req_mask_param(r, "kind", TAX_KIND, kinds) < 0 ||
        req_long_param(r, "limit", 10, 1, 50, limit) < 0)
        return -1;
    *explain = req_flag(r, "explain");
    return 0;
}

struct match_args {
    json_t *need;     /* the need ranked for */
    json_t *need_out; /* what the "need" member shows (NULL: null) */
    int64_t kinds;
    long limit;
    int explain;
};

static void match_args_free(void *p)
{
    struct match_args *a = p;
    json_decref(a->need);
    json_decref(a->need_out);
    free(a);
}

static json_t *match_compute(struct req *r, void *arg)
{
    struct match_args *a = arg;
    json_t *out = matcher_rank_resources(r->w, a->need, a->need_out, a->kinds, a->limit,
                                         a->explain);
    a->need_out = NULL; /* matcher_rank_resources took it */
    if (!out)
        reply_db_error(r, DB_READ);
    return out;
}

/* Caches the match for a (tag, need, parameters, visibility) key. */
static void match_serve(struct req *r, const char *tag, struct match_args *a, const char *extra)
{
    char *need_s = json_dumps(a->need, JSON_COMPACT | JSON_SORT_KEYS);
    char *material = xasprintf("%s\x1f%lld|%ld|%d|%u", need_s, (long long)a->kinds, a->limit,
                               a->explain, app.data_tag);
    free(need_s);
    char *title = NULL;
    const char *t = json_string_value(json_object_get(a->need, "title"));
    if (t && extra == NULL) {
        title = tok_normalize(t, strlen(t));
        if (title && strlen(title) > 300) {
            size_t n = 300;
            while (n && ((unsigned char)title[n] & 0xC0) == 0x80)
                n--;
            title[n] = '\0';
        }
    }
    char *key = extra ? xasprintf("%s\x1f%s", material, extra) : material;
    cache_serve(r, tag, key, strlen(key), "match", title, match_compute, a, match_args_free,
                0);
    if (key != material)
        free(key);
    free(material);
    free(title);
}

void h_match(struct req *r)
{
    struct match_args *a = xcalloc(1, sizeof *a);
    if (match_params(r, &a->kinds, &a->limit, &a->explain) < 0) {
        match_args_free(a);
        return;
    }
    struct verr e;
    if (need_validate(r->body, &e) < 0) {
        match_args_free(a);
        reply_verr(r, &e);
        return;
    }
    a->need = json_deep_copy(r->body);
    /* An enterprise's own need is ranked as its stored needs are: with the
     * level of its verified assessment when the body names none. */
    if (r->who.role == ROLE_ENTERPRISE && enterprise_fill_level(r->w->db, r->who.org_id, a->need) < 0) {
        match_args_free(a);
        reply_db_error(r, DB_READ);
        return;
    }
    match_serve(r, "m", a, NULL);
}

/* Loads the need of a matches route for the caller; answers on error. */
static json_t *need_for_matches(struct req *r)
{
    static const char SQL[] = "SELECT " NEED_COLS " FROM needs n WHERE n.id = ?1";
    sqlite3_stmt *st = db_stmt(r->w->db, SQL);
    if (!st) {
        reply_db_error(r, DB_READ);
        return NULL;
    }
    sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
    json_t *need = NULL;
    int mine = 0, visible = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        mine = req_is_caller(r, (const char *)sqlite3_column_text(st, 2));
        visible = need_visible((const char *)sqlite3_column_text(st, 2),
                               (const char *)sqlite3_column_text(st, 5), &r->who);
        need = need_row_json(st, 0, 1);
    }
    sqlite3_reset(st);
    if (!need || !visible) {
        json_decref(need);
        reply_error(r, ERR_NOT_FOUND, NULL, "no need %s", r->params[0]);
        return NULL;
    }
    if (!mine && !(r->who.role & (ROLE_CENTER | ROLE_ADMIN))) {
        json_decref(need);
        reply_error(r, ERR_FORBIDDEN, NULL, "matches are shown to the need's enterprise and to centers");
        return NULL;
    }
    return need;
}

void h_need_matches(struct req *r)
{
    struct match_args *a = xcalloc(1, sizeof *a);
    if (match_params(r, &a->kinds, &a->limit, &a->explain) < 0) {
        match_args_free(a);
        return;
    }
    a->need = need_for_matches(r);
    if (!a->need) {
        match_args_free(a);
        return;
    }
    /* The "need" member shows the need as stored; it is ranked with the
     * level of its enterprise's verified assessment when it names none
     * (enterprise.h), so the key holds that level. */
    a->need_out = json_deep_copy(a->need);
    const char *ent = json_string_value(json_object_get(json_object_get(a->need, "enterprise"), "id"));
    if (enterprise_fill_level(r->w->db, ent, a->need) < 0) {
        match_args_free(a);
        reply_db_error(r, DB_READ);
        return;
    }
    /* The need (with its contact) is part of the answer: everyone who gets
     * this far sees the contact, but keep the role in the key regardless. */
    match_serve(r, "nm", a, role_name(r->who.role));
}

struct reverse_args {
    json_t *resource;
    int64_t rid;
    long limit;
    int explain;
};

static void reverse_args_free(void *p)
{
    struct reverse_args *a = p;
    json_decref(a->resource);
    free(a);
}

static json_t *reverse_compute(struct req *r, void *arg)
{
    struct reverse_args *a = arg;
    json_t *out = matcher_rank_needs(r->w, a->resource, a->rid, &r->who, a->limit, a->explain);
    if (!out)
        reply_db_error(r, DB_READ);
    return out;
}

/* Reverse matching: open needs that a resource fits, for its provider and
 * centers.  Cached like the forward direction; the key holds the caller's
 * organisation, since which contacts show depends on it. */
void h_resource_needs(struct req *r)
{
    static const char SQL_RES[] = "SELECT " RESOURCE_COLS " FROM resources r WHERE r.id = ?1";
    long limit;
    if (req_long_param(r, "limit", 20, 1, 100, &limit) < 0)
        return;
    sqlite3_stmt *st = db_stmt(r->w->db, SQL_RES);
    if (!st) {
        reply_db_error(r, DB_READ);
        return;
    }
    sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        reply_error(r, ERR_NOT_FOUND, NULL, "no resource %s", r->params[0]);
        return;
    }
    struct reverse_args *a = xcalloc(1, sizeof *a);
    a->resource = resource_row_json(st, 0);
    a->rid = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    a->limit = limit;
    a->explain = req_flag(r, "explain");
    const char *owner =
        json_string_value(json_object_get(json_object_get(a->resource, "provider"), "id"));
    if (!req_is_caller(r, owner) && !(r->who.role & (ROLE_CENTER | ROLE_ADMIN))) {
        reverse_args_free(a);
        reply_error(r, ERR_FORBIDDEN, NULL,
                    "the opportunities of a resource are shown to its provider and to centers");
        return;
    }
    char *material = xasprintf("%lld|%ld|%d|%s|%s|%u", (long long)a->rid, a->limit, a->explain,
                               role_name(r->who.role), r->who.org_id, app.data_tag);
    cache_serve(r, "rn", material, strlen(material), NULL, NULL, reverse_compute, a,
                reverse_args_free, CACHE_NO_CACHED_MEMBER);
    free(material);
}
