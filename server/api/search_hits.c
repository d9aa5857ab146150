/*
 * search_hits.c - the hits of a search (search_hits.h): the page of
 * resources loaded in full with their highlights, and provider profiles
 * as hits.
 */
#include "search_hits.h"

#include "corpus.h"
#include "db.h"
#include "resource.h"

#include <math.h>
#include <string.h>

/* {"title", "summary"} of the columns col and col + 1 of st, each only when
 * shucu_highlight marked something in it (new reference). */
static json_t *marked_pair(sqlite3_stmt *st, int col)
{
    json_t *h = json_object();
    const char *t = (const char *)sqlite3_column_text(st, col);
    const char *s = (const char *)sqlite3_column_text(st, col + 1);
    if (t && strchr(t, '\x01'))
        json_object_set_new(h, "title", corpus_marked(t));
    if (s && strchr(s, '\x01'))
        json_object_set_new(h, "summary", corpus_marked(s));
    return h;
}

int search_load_page(struct db *db, const char *match, const struct topk_item *page, size_t n,
                     json_t *hits, int highlight)
{
    static const char SQL_ROW[] = "SELECT " RESOURCE_COLS " FROM resources r WHERE r.rid = ?1";
    static const char SQL_HL[] =
        "SELECT shucu_highlight(resources_fts, 0), shucu_highlight(resources_fts, 1)"
        " FROM resources_fts WHERE resources_fts MATCH ?1 AND rowid = ?2";
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *st = db_stmt(db, SQL_ROW);
        if (!st)
            return -1;
        sqlite3_bind_int64(st, 1, page[i].id);
        if (sqlite3_step(st) != SQLITE_ROW) {
            sqlite3_reset(st);
            continue;
        }
        json_t *res = resource_row_json(st, 0);
        sqlite3_reset(st);
        json_t *hit = corpus_hit_json(res);
        json_decref(res);
        json_object_set_new(hit, "score", json_real(round(page[i].score * 10000.0) / 10000.0));
        if (match && highlight) {
            sqlite3_stmt *hl = db_stmt(db, SQL_HL);
            if (hl) {
                sqlite3_bind_text(hl, 1, match, -1, SQLITE_STATIC);
                sqlite3_bind_int64(hl, 2, page[i].id);
                if (sqlite3_step(hl) == SQLITE_ROW)
                    json_object_set_new(hit, "highlight", marked_pair(hl, 0));
                sqlite3_reset(hl);
            }
        }
        json_array_append_new(hits, hit);
    }
    return 0;
}

int search_providers(struct db *db, const char *match, int64_t inds, long limit, long offset,
                     json_t *hits, long *total)
{
    static const char SQL_Q[] =
        "SELECT o.id, o.name, o.description, o.industries, bm25(orgs_fts, 5.0, 1.0),"
        " shucu_highlight(orgs_fts, 0), shucu_highlight(orgs_fts, 1)"
        " FROM orgs_fts JOIN orgs o ON o.rid = orgs_fts.rowid"
        " WHERE orgs_fts MATCH ?1 AND (?2 = 0 OR o.industry_mask & ?2)"
        " AND EXISTS (SELECT 1 FROM resources r WHERE r.provider_id = o.id AND r.status = 'published')"
        " ORDER BY 5";
    static const char SQL_ALLP[] =
        "SELECT o.id, o.name, o.description, o.industries, 0.0, NULL, NULL FROM orgs o"
        " WHERE (?1 IS NULL OR 1) AND (?2 = 0 OR o.industry_mask & ?2)"
        " AND EXISTS (SELECT 1 FROM resources r WHERE r.provider_id = o.id AND r.status = 'published')"
        " ORDER BY o.name";
    sqlite3_stmt *st = db_stmt(db, match ? SQL_Q : SQL_ALLP);
    if (!st)
        return -1;
    db_bind_text(st, 1, match);
    sqlite3_bind_int64(st, 2, inds);
    long n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (hits && n >= offset && n < offset + limit) {
            const char *desc = (const char *)sqlite3_column_text(st, 2);
            json_t *hit = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:o, s:[], s:f}",
                                    "id", sqlite3_column_text(st, 0), "kind", "provider",
                                    "title", sqlite3_column_text(st, 1), "summary", desc ? desc : "",
                                    "provider", "id", sqlite3_column_text(st, 0), "name",
                                    sqlite3_column_text(st, 1), "industries",
                                    json_loads((const char *)sqlite3_column_text(st, 3), 0, NULL),
                                    "scenarios", "score",
                                    round(-sqlite3_column_double(st, 4) * 10000.0) / 10000.0);
            if (match)
                json_object_set_new(hit, "highlight", marked_pair(st, 5));
            json_array_append_new(hits, hit);
        }
        n++;
    }
    sqlite3_reset(st);
    *total = n;
    return rc == SQLITE_DONE ? 0 : -1;
}
