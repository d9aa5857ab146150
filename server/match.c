/*
 * match.c - candidates, scores and explanations (see match.h and
 * docs/ranking.md).
 *
 * Candidates come from two places, so that a need which shares no word
 * with the best resource still finds it:
 *   text       the need's most informative terms (QUERY_ANY: tf x idf,
 *              synonyms) OR-ed against resources_fts, best 300 by BM25;
 *   structure  resource_is, the (industry, scenario) -> resource table:
 *              the newest 400 resources of the need's industry and 200
 *              of `general` that share a scenario with it.
 * Each candidate's features are read once and scored by rank_score();
 * text relevance is BM25 divided by the best BM25 among the candidates.
 * Withdrawn resources are in neither source.
 */
#include "match.h"

#include "cache.h"
#include "db.h"
#include "need.h"
#include "query.h"
#include "resource.h"
#include "search.h"
#include "taxonomy.h"
#include "tokenizer.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_CANDIDATES 300
#define STRUCT_CANDIDATES 400
#define GENERAL_CANDIDATES 200
#define MATCH_TERMS 24

struct cand {
    int64_t rid;
    double bm25; /* positive, higher is better; 0 when not a text hit */
    struct rank_parts parts;
};

struct cands {
    struct cand *v;
    size_t n, cap;
    int64_t *slots; /* open addressing: rid + 1, 0 = empty */
    size_t nslots;
};

static struct cand *cands_add(struct cands *c, int64_t rid)
{
    if (!c->slots) {
        c->nslots = 4096;
        c->slots = xcalloc(c->nslots, sizeof *c->slots);
    }
    size_t h = (size_t)(rid * 2654435761u) & (c->nslots - 1);
    while (c->slots[h]) {
        if (c->slots[h] - 1 < (int64_t)c->n && c->v[c->slots[h] - 1].rid == rid)
            return &c->v[c->slots[h] - 1];
        h = (h + 1) & (c->nslots - 1);
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 256;
        c->v = xrealloc(c->v, c->cap * sizeof *c->v);
    }
    c->slots[h] = (int64_t)c->n + 1;
    struct cand *x = &c->v[c->n++];
    memset(x, 0, sizeof *x);
    x->rid = rid;
    return x;
}

static void cands_free(struct cands *c)
{
    free(c->v);
    free(c->slots);
}

static void rank_tax_fill(struct rank_tax *t)
{
    t->general = tax_index(TAX_INDUSTRY, TAX_GENERAL);
    t->nationwide = tax_index(TAX_REGION, TAX_NATIONWIDE);
    t->nscenarios = tax_count(TAX_SCENARIO);
    for (int i = 0; i < t->nscenarios && i < 64; i++)
        t->scenario_group[i] = tax_scenario_group(i);
}

static void need_features(json_t *need, struct rank_need *n)
{
    memset(n, 0, sizeof *n);
    n->industry = tax_index(TAX_INDUSTRY, json_string_value(json_object_get(need, "industry")));
    n->scenarios = tax_mask(TAX_SCENARIO, json_object_get(need, "scenarios"));
    if (n->scenarios < 0)
        n->scenarios = 0;
    n->region = tax_index(TAX_REGION, json_string_value(json_object_get(need, "region")));
    json_t *b = json_object_get(json_object_get(need, "budget"), "max");
    n->budget = b ? json_number_value(b) : 0;
    n->current_level = (int)json_integer_value(json_object_get(need, "current_level"));
    n->target_level = (int)json_integer_value(json_object_get(need, "target_level"));
    const char *size = json_string_value(json_object_get(need, "enterprise_size"));
    n->small_firm = size && (strcmp(size, "micro") == 0 || strcmp(size, "small") == 0);
}

/* The text a need is matched by: the title counts twice. */
static char *need_text(json_t *need)
{
    const char *t = json_string_value(json_object_get(need, "title"));
    const char *d = json_string_value(json_object_get(need, "description"));
    return xasprintf("%s\n%s\n%s", t ? t : "", t ? t : "", d ? d : "");
}

static const char SQL_FEATURES[] =
    "SELECT industry_mask, scenario_mask, region_mask, price_min, level_from, level_to,"
    " rating_sum, rating_count, case_count, deploy_days, delivery_bit, kind_bit"
    " FROM resources_hot WHERE rid = ?1";

/* Reads the features of resource rid; 0, or -1 when it is gone. */
static int res_features(struct db *db, int64_t rid, struct rank_res *f, int64_t *kind_bit)
{
    sqlite3_stmt *st = db_stmt(db, SQL_FEATURES);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, rid);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return -1;
    }
    memset(f, 0, sizeof *f);
    f->industries = sqlite3_column_int64(st, 0);
    f->scenarios = sqlite3_column_int64(st, 1);
    f->regions = sqlite3_column_int64(st, 2);
    f->price_min = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_double(st, 3);
    f->level_from = sqlite3_column_int(st, 4);
    f->level_to = sqlite3_column_int(st, 5);
    f->rating_count = sqlite3_column_int(st, 7);
    f->rating_avg = f->rating_count ? (double)sqlite3_column_int64(st, 6) / f->rating_count : 0;
    f->cases = sqlite3_column_int(st, 8);
    f->deploy_days = sqlite3_column_type(st, 9) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 9);
    int64_t d = sqlite3_column_int64(st, 10);
    f->saas = d == ((int64_t)1 << tax_index(TAX_DELIVERY, "saas")) ? 1
            : d == ((int64_t)1 << tax_index(TAX_DELIVERY, "hybrid")) ? 2 : 0;
    *kind_bit = sqlite3_column_int64(st, 11);
    sqlite3_reset(st);
    return 0;
}

static double r4(double x)
{
    return round(x * 10000.0) / 10000.0;
}

/* Rounds the parts to 4 places and makes score their exact sum. */
static json_t *explain_json(struct rank_parts *p, json_t *terms)
{
    double parts[8] = {r4(p->text), r4(p->industry), r4(p->scenario), r4(p->level),
                       r4(p->budget), r4(p->region), r4(p->quality), r4(p->fit)};
    static const char *const NAMES[8] = {"text", "industry", "scenario", "level",
                                         "budget", "region", "quality", "fit"};
    json_t *o = json_object();
    double sum = 0;
    for (int i = 0; i < 8; i++) {
        json_object_set_new(o, NAMES[i], json_real(parts[i]));
        sum += parts[i];
    }
    p->score = r4(sum);
    json_object_set_new(o, "terms", terms ? terms : json_array());
    return o;
}

/* The query terms that occur in a resource's text (after folding). */
static json_t *matched_terms(json_t *res, json_t *terms)
{
    json_t *out = json_array();
    if (!terms || !json_array_size(terms))
        return out;
    static const char *const FIELDS[] = {"title", "summary", "description"};
    size_t cap = 1;
    for (int i = 0; i < 3; i++)
        cap += json_string_length(json_object_get(res, FIELDS[i])) + 1;
    json_t *tags = json_object_get(res, "tags"), *t;
    size_t i;
    json_array_foreach(tags, i, t) cap += json_string_length(t) + 1;
    char *all = xmalloc(cap), *p = all;
    for (int k = 0; k < 3; k++) {
        const char *s = json_string_value(json_object_get(res, FIELDS[k]));
        if (s) {
            size_t l = strlen(s);
            memcpy(p, s, l);
            p += l;
            *p++ = '\n';
        }
    }
    json_array_foreach(tags, i, t) {
        memcpy(p, json_string_value(t), json_string_length(t));
        p += json_string_length(t);
        *p++ = '\n';
    }
    *p = '\0';
    char *norm = tok_normalize(all, (size_t)(p - all));
    free(all);
    json_array_foreach(terms, i, t) {
        char *tn = tok_normalize(json_string_value(t), json_string_length(t));
        if (norm && tn && *tn && strstr(norm, tn))
            json_array_append(out, t);
        free(tn);
    }
    free(norm);
    return out;
}

static int cand_cmp(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    if (x->parts.score != y->parts.score)
        return x->parts.score < y->parts.score ? 1 : -1;
    return x->rid < y->rid ? 1 : x->rid > y->rid ? -1 : 0;
}

/*
 * Ranks resources for need (a validated need object) and returns the
 * match document {"need", "matches", "debug"} (cache_serve adds "cached"
 * and "took_ms") or NULL on a database error.  need_out (stolen, may be NULL) is what the
 * "need" member shows.
 */
static json_t *match_need(struct worker *w, json_t *need, json_t *need_out, int64_t kinds,
                          long limit, int explain)
{
    static const char SQL_TEXT[] =
        "SELECT f.rowid, -shucu_bm25(resources_fts, d.sz, 10.0, 4.0, 1.0, 4.0, 3.0) AS s"
        " FROM resources_fts f JOIN resources_hot r ON r.rid = f.rowid"
        " LEFT JOIN resources_fts_docsize d ON d.id = f.rowid"
        " WHERE resources_fts MATCH ?1 AND (?2 = 0 OR r.kind_bit & ?2)"
        " ORDER BY s DESC LIMIT ?3";
    static const char SQL_TEXT_ANY_KIND[] =
        "SELECT f.rowid, -shucu_bm25(resources_fts, d.sz, 10.0, 4.0, 1.0, 4.0, 3.0) AS s"
        " FROM resources_fts f LEFT JOIN resources_fts_docsize d ON d.id = f.rowid"
        " WHERE resources_fts MATCH ?1 ORDER BY s DESC LIMIT ?3";
    static const char SQL_STRUCT[] =
        "SELECT DISTINCT rid FROM resource_is WHERE industry = ?1"
        " AND scenario IN (SELECT value FROM json_each(?2)) ORDER BY rid DESC LIMIT ?3";
    struct db *db = w->db;
    struct rank_need n;
    struct rank_tax tax;
    need_features(need, &n);
    rank_tax_fill(&tax);
    struct cands c = {0};
    json_t *terms = NULL, *out = NULL;
    int dberr = 0;
    size_t ntext = 0, nstruct = 0;

    char *text = need_text(need);
    struct query q = {0};
    struct query_opts o = {.mode = QUERY_ANY, .syn = app.syn, .max_terms = MATCH_TERMS,
                           .max_df_ratio = 0.5, .max_postings = w->cfg->match_postings,
                           .df = search_df, .df_ctx = w, .ndocs = search_ndocs(w)};
    if (query_build(text, strlen(text), &o, &q) < 0) {
        free(text);
        json_decref(need_out);
        return NULL;
    }
    free(text);
    terms = q.terms ? json_incref(q.terms) : json_array();
    double best = 0;
    if (q.match) {
        /* Without a kind filter, skip the join: SQLite would do it for
         * every matching row even when the filter is off. */
        sqlite3_stmt *st = db_stmt(db, kinds ? SQL_TEXT : SQL_TEXT_ANY_KIND);
        if (!st)
            dberr = 1;
        else {
            sqlite3_bind_text(st, 1, q.match, -1, SQLITE_STATIC);
            if (kinds)
                sqlite3_bind_int64(st, 2, kinds);
            sqlite3_bind_int(st, 3, TEXT_CANDIDATES);
            int rc;
            while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                struct cand *x = cands_add(&c, sqlite3_column_int64(st, 0));
                x->bm25 = sqlite3_column_double(st, 1);
                if (x->bm25 > best)
                    best = x->bm25;
                ntext++;
            }
            sqlite3_reset(st);
            dberr = rc != SQLITE_DONE;
        }
    }
    query_free(&q);
    /* Structure: the need's industry, then `general`. */
    json_t *scen = json_object_get(need, "scenarios");
    char *scen_s = json_dumps(scen, JSON_COMPACT);
    const char *inds[2] = {json_string_value(json_object_get(need, "industry")), TAX_GENERAL};
    int caps[2] = {STRUCT_CANDIDATES, GENERAL_CANDIDATES};
    for (int k = 0; k < 2 && !dberr; k++) {
        if (k == 1 && inds[0] && strcmp(inds[0], TAX_GENERAL) == 0)
            break;
        sqlite3_stmt *st = db_stmt(db, SQL_STRUCT);
        if (!st) {
            dberr = 1;
            break;
        }
        sqlite3_bind_text(st, 1, inds[k], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, scen_s, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, caps[k]);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            cands_add(&c, sqlite3_column_int64(st, 0));
            nstruct++;
        }
        sqlite3_reset(st);
        dberr = rc != SQLITE_DONE;
    }
    free(scen_s);
    if (dberr)
        goto cleanup;

    /* Score every candidate; drop the ones of other kinds. */
    size_t kept = 0;
    for (size_t i = 0; i < c.n; i++) {
        struct rank_res f;
        int64_t kind_bit;
        if (res_features(db, c.v[i].rid, &f, &kind_bit) < 0)
            continue;
        if (kinds && !(kind_bit & kinds))
            continue;
        f.text = best > 0 ? c.v[i].bm25 / best : 0;
        rank_score(&w->cfg->weights, &tax, &n, &f, &c.v[i].parts);
        c.v[kept++] = c.v[i];
    }
    if (kept > 1)
        qsort(c.v, kept, sizeof *c.v, cand_cmp);

    json_t *matches = json_array();
    for (size_t i = 0; i < kept && (long)json_array_size(matches) < limit; i++) {
        static const char SQL_ROW[] = "SELECT " RESOURCE_COLS " FROM resources r WHERE r.rid = ?1";
        sqlite3_stmt *st = db_stmt(db, SQL_ROW);
        if (!st)
            break;
        sqlite3_bind_int64(st, 1, c.v[i].rid);
        if (sqlite3_step(st) != SQLITE_ROW) {
            sqlite3_reset(st);
            continue;
        }
        json_t *res = resource_row_json(st, 0);
        sqlite3_reset(st);
        json_t *ex = explain_json(&c.v[i].parts, matched_terms(res, terms));
        json_t *m = json_pack("{s:o, s:f}", "resource", search_hit_json(res), "score",
                              c.v[i].parts.score);
        json_object_set_new(json_object_get(m, "resource"), "score", json_real(c.v[i].parts.score));
        if (explain)
            json_object_set_new(m, "explain", ex);
        else
            json_decref(ex);
        json_decref(res);
        json_array_append_new(matches, m);
    }
    out = json_pack("{s:O, s:o, s:{s:O, s:{s:I, s:I, s:I}}}", "need",
                    need_out ? need_out : json_null(), "matches",
                    matches, "debug", "query_terms", terms, "candidates", "text",
                    (json_int_t)ntext, "structure", (json_int_t)nstruct, "scored",
                    (json_int_t)kept);
cleanup:
    json_decref(need_out);
    json_decref(terms);
    cands_free(&c);
    return out;
}

json_t *match_top_resources(struct worker *w, json_t *need_like, int limit)
{
    json_t *doc = match_need(w, need_like, NULL, 0, limit, 0);
    if (!doc)
        return NULL;
    json_t *out = json_array(), *m;
    size_t i;
    json_array_foreach(json_object_get(doc, "matches"), i, m)
        json_array_append(out, json_object_get(m, "resource"));
    json_decref(doc);
    return out;
}

static int match_params(struct req *r, int64_t *kinds, long *limit, int *explain)
{
    if (req_mask_param(r, "kind", TAX_KIND, kinds) < 0 ||
        req_long_param(r, "limit", 10, 1, 50, limit) < 0)
        return -1;
    const char *e = req_query(r, "explain");
    *explain = e && (strcmp(e, "1") == 0 || strcmp(e, "true") == 0);
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
    json_t *out = match_need(r->w, a->need, a->need_out, a->kinds, a->limit, a->explain);
    a->need_out = NULL; /* match_need took it */
    if (!out)
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be read right now");
    return out;
}

/* Caches the match for a (tag, need, parameters, visibility) key. */
static void match_serve(struct req *r, const char *tag, struct match_args *a, const char *extra)
{
    char *need_s = json_dumps(a->need, JSON_COMPACT | JSON_SORT_KEYS);
    char *material = xasprintf("%s\x1f%lld|%ld|%d", need_s, (long long)a->kinds, a->limit,
                               a->explain);
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
    cache_serve(r, tag, key, strlen(key), "match", title, match_compute, a, match_args_free);
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
        reply_error(r, ERR_INVALID_FIELD, e.field, "%s", e.msg);
        return;
    }
    a->need = json_incref(r->body);
    match_serve(r, "m", a, NULL);
}

/* Loads the need of a matches route for the caller; answers on error. */
static json_t *need_for_matches(struct req *r)
{
    static const char SQL[] = "SELECT " NEED_COLS " FROM needs n WHERE n.id = ?1";
    sqlite3_stmt *st = db_stmt(r->w->db, SQL);
    if (!st) {
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be read right now");
        return NULL;
    }
    sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
    json_t *need = NULL;
    int mine = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        mine = req_is_caller(r, (const char *)sqlite3_column_text(st, 2));
        need = need_row_json(st, 0, 1);
    }
    sqlite3_reset(st);
    if (!need || (!mine && !(r->who.role & (ROLE_CENTER | ROLE_ADMIN | ROLE_PROVIDER)))) {
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
    a->need_out = json_incref(a->need);
    /* The need (with its contact) is part of the answer: everyone who gets
     * this far sees the contact, but keep the role in the key regardless. */
    match_serve(r, "nm", a, role_name(r->who.role));
}

static int scored_cmp(const void *a, const void *b)
{
    double x = json_real_value(json_object_get(*(json_t *const *)a, "score"));
    double y = json_real_value(json_object_get(*(json_t *const *)b, "score"));
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Reverse matching: open needs that a resource fits. */
void h_resource_needs(struct req *r)
{
    static const char SQL_RES[] =
        "SELECT " RESOURCE_COLS ", r.status FROM resources r WHERE r.id = ?1";
    static const char SQL_TEXT[] =
        "SELECT f.rowid, -shucu_bm25(needs_fts, d.sz, 4.0, 1.0) AS s FROM needs_fts f"
        " JOIN needs n ON n.nid = f.rowid LEFT JOIN needs_fts_docsize d ON d.id = f.rowid"
        " WHERE needs_fts MATCH ?1 AND n.status = 'open'"
        " ORDER BY s DESC LIMIT 300";
    static const char SQL_STRUCT[] =
        "SELECT nid FROM needs WHERE status = 'open' AND (industry_bit & ?1)"
        " AND (scenario_mask & ?2) ORDER BY nid DESC LIMIT 500";
    static const char SQL_NEED[] = "SELECT " NEED_COLS " FROM needs n WHERE n.nid = ?1";
    struct db *db = r->w->db;
    long limit;
    int explain = 0;
    const char *e = req_query(r, "explain");
    if (e && (strcmp(e, "1") == 0 || strcmp(e, "true") == 0))
        explain = 1;
    if (req_long_param(r, "limit", 20, 1, 100, &limit) < 0)
        return;
    sqlite3_stmt *st = db_stmt(db, SQL_RES);
    if (!st) {
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be read right now");
        return;
    }
    sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        reply_error(r, ERR_NOT_FOUND, NULL, "no resource %s", r->params[0]);
        return;
    }
    json_t *res = resource_row_json(st, 0);
    int64_t rid = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    const char *owner = json_string_value(json_object_get(json_object_get(res, "provider"), "id"));
    if (!req_is_caller(r, owner) && !(r->who.role & (ROLE_CENTER | ROLE_ADMIN))) {
        json_decref(res);
        reply_error(r, ERR_FORBIDDEN, NULL, "the opportunities of a resource are shown to its provider and to centers");
        return;
    }
    struct rank_res f;
    int64_t kind_bit;
    if (res_features(db, rid, &f, &kind_bit) < 0) { /* withdrawn */
        reply_json(r, 200, json_pack("{s:o, s:f, s:[]}", "resource", search_hit_json(res), "took_ms",
                                     round((util_monotonic() - r->t0) * 100000.0) / 100.0, "needs"));
        json_decref(res);
        return;
    }
    struct rank_tax tax;
    rank_tax_fill(&tax);
    /* Text: the resource's title (twice), summary and tags. */
    json_t *tags = json_object_get(res, "tags"), *t;
    size_t i;
    char *text = xasprintf("%s\n%s\n%s", json_string_value(json_object_get(res, "title")),
                           json_string_value(json_object_get(res, "title")),
                           json_string_value(json_object_get(res, "summary")) ? json_string_value(json_object_get(res, "summary")) : "");
    json_array_foreach(tags, i, t) {
        char *more = xasprintf("%s\n%s", text, json_string_value(t));
        free(text);
        text = more;
    }
    struct query q = {0};
    struct query_opts o = {.mode = QUERY_ANY, .syn = app.syn, .max_terms = MATCH_TERMS};
    struct cands c = {0};
    double best = 0;
    int dberr = 0;
    if (query_build(text, strlen(text), &o, &q) == 0 && q.match) {
        st = db_stmt(db, SQL_TEXT);
        if (st) {
            sqlite3_bind_text(st, 1, q.match, -1, SQLITE_STATIC);
            while (sqlite3_step(st) == SQLITE_ROW) {
                struct cand *x = cands_add(&c, sqlite3_column_int64(st, 0));
                x->bm25 = sqlite3_column_double(st, 1);
                if (x->bm25 > best)
                    best = x->bm25;
            }
            sqlite3_reset(st);
        }
    }
    free(text);
    int64_t ind = f.industries;
    if (tax.general >= 0 && (ind & ((int64_t)1 << tax.general)))
        ind = -1; /* serves every industry */
    st = db_stmt(db, SQL_STRUCT);
    if (st) {
        sqlite3_bind_int64(st, 1, ind);
        sqlite3_bind_int64(st, 2, f.scenarios);
        while (sqlite3_step(st) == SQLITE_ROW)
            cands_add(&c, sqlite3_column_int64(st, 0));
        sqlite3_reset(st);
    } else
        dberr = 1;
    json_t *needs = json_array(), *scored = json_array();
    for (size_t k = 0; k < c.n && !dberr; k++) {
        st = db_stmt(db, SQL_NEED);
        sqlite3_bind_int64(st, 1, c.v[k].rid);
        if (sqlite3_step(st) != SQLITE_ROW) {
            sqlite3_reset(st);
            continue;
        }
        json_t *need = need_row_json(st, 0, 1);
        sqlite3_reset(st);
        struct rank_need n;
        need_features(need, &n);
        f.text = best > 0 ? c.v[k].bm25 / best : 0;
        rank_score(&r->w->cfg->weights, &tax, &n, &f, &c.v[k].parts);
        json_t *ex = explain_json(&c.v[k].parts, json_array());
        const char *ent = json_string_value(json_object_get(json_object_get(need, "enterprise"), "id"));
        if (!need_contact_visible(db, json_string_value(json_object_get(need, "id")), ent, &r->who))
            json_object_del(need, "contact");
        json_t *m = json_pack("{s:o, s:f}", "need", need, "score", c.v[k].parts.score);
        if (explain)
            json_object_set_new(m, "explain", ex);
        else
            json_decref(ex);
        json_array_append_new(scored, m);
    }
    query_free(&q);
    cands_free(&c);
    if (dberr) {
        json_decref(res);
        json_decref(needs);
        json_decref(scored);
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be read right now");
        return;
    }
    /* Best first (the scored list is small: at most ~800 needs). */
    size_t n = json_array_size(scored);
    json_t **v = xmalloc((n ? n : 1) * sizeof *v);
    for (size_t k = 0; k < n; k++)
        v[k] = json_array_get(scored, k);
    if (n > 1)
        qsort(v, n, sizeof *v, scored_cmp);
    for (size_t k = 0; k < n && (long)k < limit; k++)
        json_array_append(needs, v[k]);
    free(v);
    json_decref(scored);
    reply_json(r, 200, json_pack("{s:o, s:f, s:o}", "resource", search_hit_json(res), "took_ms",
                                 round((util_monotonic() - r->t0) * 100000.0) / 100.0, "needs",
                                 needs));
    json_decref(res);
}
