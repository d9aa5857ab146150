/*
 * case.c - the case record (see case.h): its JSON as each caller may see
 * it, the description of a hidden enterprise, and the search over
 * published cases that GET /v1/cases and /v1/search (kind=case) share.
 *
 * User text reaches FTS5 only as the expression query_build() made (every
 * term quoted), bound as a parameter; filters are bound too.  Ranking is
 * FTS5's bm25 with the title weighted most, then problem and solution,
 * then the names, then the quote.
 */
#include "case.h"

#include "auth.h"
#include "corpus.h"
#include "db.h"
#include "taxonomy.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void case_enterprise_mask(const char *province, const char *industry, char *out, size_t outlen)
{
    int i = industry ? tax_index(TAX_INDUSTRY, industry) : -1;
    const char *ind = i >= 0 ? tax_name(TAX_INDUSTRY, i) : NULL;
    snprintf(out, outlen, "%s某%s企业", province && *province ? province : "",
             ind && strcmp(industry, TAX_GENERAL) != 0 ? ind : "制造");
}

static int privileged(const struct caller *who)
{
    return who && (who->role & (ROLE_CENTER | ROLE_ADMIN));
}

json_t *case_row_json(sqlite3_stmt *st, const struct caller *who)
{
    const char *text[21];
    for (int i = 0; i < 21; i++)
        text[i] = (const char *)sqlite3_column_text(st, i);
    int hidden = sqlite3_column_int(st, 9);
    json_t *doc = json_loads(text[20], 0, NULL);
    if (!json_is_object(doc)) {
        json_decref(doc);
        doc = json_object();
    }
    json_t *ent = json_pack("{s:s, s:b}", "name", text[17], "hidden", hidden);
    if (!hidden || privileged(who)) {
        json_object_set_new(ent, "id", json_string(text[7]));
        if (hidden) /* centers see who it was */
            json_object_set(ent, "real_name", json_object_get(doc, "enterprise_name"));
    }
    json_object_del(doc, "enterprise_name");
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:{s:s, s:s}, s:{s:s, s:s},"
                          " s:s?, s:I, s:s, s:s}",
                          "id", text[1], "status", text[3], "title", text[13], "problem", text[14],
                          "solution", text[15], "quote", text[16], "project_id", text[2],
                          "enterprise", ent, "provider", "id", text[5], "name", text[18],
                          "resource", "id", text[4], "title", text[19], "industry", text[8],
                          "version", (json_int_t)sqlite3_column_int64(st, 10), "published_at",
                          text[11], "updated_at", text[12]);
    json_object_update_missing(o, doc);
    json_decref(doc);
    json_object_set_new(o, "center", json_pack("{s:s}", "id", text[6]));
    return o;
}

int case_json(struct db *db, const char *id, const struct caller *who, json_t **out)
{
    static const char SQL[] = "SELECT " CASE_COLS " FROM cases c WHERE c.id = ?1";
    *out = NULL;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW &&
        (strcmp((const char *)sqlite3_column_text(st, 3), "published") == 0 || privileged(who)))
        *out = case_row_json(st, who);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return -1;
    return *out ? 0 : 1;
}

/* A case as a search hit: the shape of /v1/search's hits. */
static json_t *case_hit(sqlite3_stmt *st, double score, const char *hl_title,
                        const char *hl_problem)
{
    json_t *doc = json_loads((const char *)sqlite3_column_text(st, 20), 0, NULL);
    const char *problem = (const char *)sqlite3_column_text(st, 14);
    const char *industry = (const char *)sqlite3_column_text(st, 8);
    json_t *inds = json_array();
    if (industry)
        json_array_append_new(inds, json_string(industry));
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:o, s:O?, s:f,"
                          " s:{s:s, s:O?, s:O?}}",
                          "id", sqlite3_column_text(st, 1), "kind", "case", "title",
                          sqlite3_column_text(st, 13), "summary", problem, "provider", "id",
                          sqlite3_column_text(st, 5), "name", sqlite3_column_text(st, 18),
                          "industries", inds, "scenarios",
                          json_object_get(doc, "scenarios"), "score",
                          round(score * 10000.0) / 10000.0, "case", "resource_id",
                          sqlite3_column_text(st, 4), "level_before",
                          json_object_get(doc, "level_before"), "level_after",
                          json_object_get(doc, "level_after"));
    if (!json_object_get(o, "scenarios"))
        json_object_set_new(o, "scenarios", json_array());
    json_decref(doc);
    if (hl_title || hl_problem) {
        json_t *h = json_object();
        if (hl_title && strchr(hl_title, '\x01'))
            json_object_set_new(h, "title", corpus_marked(hl_title));
        if (hl_problem && strchr(hl_problem, '\x01'))
            json_object_set_new(h, "summary", corpus_marked(hl_problem));
        json_object_set_new(o, "highlight", h);
    }
    return o;
}

#define CASE_FILTER                                                                        \
    " AND (?2 = 0 OR c.industry_mask & ?2) AND (?3 = 0 OR c.scenario_mask & ?3)"           \
    " AND (?4 IS NULL OR c.resource_id = ?4) AND (?5 IS NULL OR c.provider_id = ?5)"

int cases_search(struct db *db, const char *match, const struct case_filter *f, long limit,
                 long offset, int as_hits, const struct caller *who, json_t *out, long *total)
{
    static const char SQL_Q[] =
        "SELECT " CASE_COLS ", bm25(cases_fts, 10.0, 4.0, 4.0, 1.0, 2.0),"
        " shucu_highlight(cases_fts, 0), shucu_highlight(cases_fts, 1)"
        " FROM cases_fts JOIN cases c ON c.cid = cases_fts.rowid"
        " WHERE cases_fts MATCH ?1" CASE_FILTER " ORDER BY 22, c.cid DESC LIMIT ?6 OFFSET ?7";
    static const char SQL_QN[] =
        "SELECT count(*) FROM cases_fts JOIN cases c ON c.cid = cases_fts.rowid"
        " WHERE cases_fts MATCH ?1" CASE_FILTER;
    static const char SQL_ALL[] =
        "SELECT " CASE_COLS ", 0.0, NULL, NULL FROM cases c"
        " WHERE c.status = 'published' AND (?1 IS NULL OR 1)" CASE_FILTER
        " ORDER BY c.cid DESC LIMIT ?6 OFFSET ?7";
    static const char SQL_ALLN[] =
        "SELECT count(*) FROM cases c WHERE c.status = 'published' AND (?1 IS NULL OR 1)"
        CASE_FILTER;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1 && !out)
            break;
        sqlite3_stmt *st = db_stmt(db, pass ? (match ? SQL_Q : SQL_ALL) : (match ? SQL_QN : SQL_ALLN));
        if (!st)
            return -1;
        db_bind_text(st, 1, match);
        sqlite3_bind_int64(st, 2, f->industries);
        sqlite3_bind_int64(st, 3, f->scenarios);
        db_bind_text(st, 4, f->resource_id);
        db_bind_text(st, 5, f->provider_id);
        if (pass) {
            sqlite3_bind_int64(st, 6, limit);
            sqlite3_bind_int64(st, 7, offset);
        }
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (!pass) {
                *total = sqlite3_column_int64(st, 0);
                continue;
            }
            if (as_hits)
                json_array_append_new(out, case_hit(st, -sqlite3_column_double(st, 21),
                                                    (const char *)sqlite3_column_text(st, 22),
                                                    (const char *)sqlite3_column_text(st, 23)));
            else
                json_array_append_new(out, case_row_json(st, who));
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return -1;
    }
    return 0;
}
