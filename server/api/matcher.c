/*
 * matcher.c - candidates, scores and explanations in both directions
 * (see matcher.h and docs/ranking.md).
 *
 * Candidates of a need come from two places, so that a need which shares
 * no word with the best resource still finds it:
 *   text       the need's most informative terms (QUERY_ANY: tf x idf,
 *              synonyms) OR-ed against resources_fts, best 300 by BM25;
 *   structure  resource_is, the (industry, scenario) -> resource table:
 *              the newest 400 resources of the need's industry and 200
 *              of `general` that share a scenario with it.
 * The problem-phrase lexicon (lexicon.h) reads the need's text first: the
 * scenarios it implies join the structure candidates and the scenario
 * fit (below the ones ticked), its trade terms join the text query at a
 * lower weight (query.h, extra terms).  Each candidate's features are read
 * once and scored by rank_score_shaped(); text relevance is BM25 divided
 * by the best BM25 among the candidates, and a text stage whose best BM25
 * is weak against its terms' IDF (text_weak) weighs less, so structure
 * weighs more.  Withdrawn resources are in neither source.
 *
 * A resource's opportunities run the other way only to find candidate
 * needs; each is then scored by that need's own text stage, so the score
 * is the one the need's matches show for this resource.
 */
#include "matcher.h"

#include "auth.h"
#include "corpus.h"
#include "db.h"
#include "enterprise.h"
#include "idset.h"
#include "lexicon.h"
#include "need.h"
#include "query.h"
#include "rank.h"
#include "resource.h"
#include "server.h"
#include "taxonomy.h"
#include "tokenizer.h"
#include "util.h"
#include "worker.h"

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

/* Candidates in the order they were found, each once (c->set.n of them). */
struct cands {
    struct idset set;
    struct cand *v; /* v[i] belongs to set.ids[i] */
    size_t cap;
    size_t n;       /* kept after scoring (<= set.n) */
};

static struct cand *cands_add(struct cands *c, int64_t rid)
{
    int added;
    size_t i = idset_add(&c->set, rid, &added);
    if (added) {
        if (i >= c->cap) {
            c->cap = c->cap ? c->cap * 2 : 256;
            c->v = xrealloc(c->v, c->cap * sizeof *c->v);
        }
        memset(&c->v[i], 0, sizeof c->v[i]);
        c->v[i].rid = rid;
    }
    return &c->v[i];
}

static void cands_free(struct cands *c)
{
    free(c->v);
    idset_free(&c->set);
}

static void rank_tax_fill(struct rank_tax *t)
{
    t->general = tax_index(TAX_INDUSTRY, TAX_GENERAL);
    t->nationwide = tax_index(TAX_REGION, TAX_NATIONWIDE);
    t->nscenarios = tax_count(TAX_SCENARIO);
    for (int i = 0; i < t->nscenarios && i < 64; i++)
        t->scenario_group[i] = tax_scenario_group(i);
}

/* What the matcher knows of a need before it looks at resources: its
 * features, its text, and what the lexicon read in the text. */
struct need_ctx {
    struct rank_need n;
    char *text;                 /* title twice, then the description */
    struct lex_result lx;
    struct query_extra extra[2 * QUERY_EXTRA_MAX];
    int nextra;
    json_t *scen;               /* scenario codes ticked and inferred */
};

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

/*
 * Fills c for need: features, text, and the lexicon's reading of the
 * title and description (each phrase once): scenarios of strength
 * LEX_MIN_STRENGTH or more go to n.inferred, terms to extra (in text
 * order, each once, at cfg->lexicon_terms times the entry's weight).
 */
static void need_ctx_init(struct worker *w, json_t *need, struct need_ctx *c)
{
    memset(c, 0, sizeof *c);
    need_features(need, &c->n);
    c->text = need_text(need);
    c->scen = json_deep_copy(json_object_get(need, "scenarios"));
    if (!json_is_array(c->scen)) {
        json_decref(c->scen);
        c->scen = json_array();
    }
    const char *t = json_string_value(json_object_get(need, "title"));
    const char *d = json_string_value(json_object_get(need, "description"));
    char *once = xasprintf("%s\n%s", t ? t : "", d ? d : "");
    if (app.lex && lex_infer(app.lex, once, strlen(once), &c->lx) < 0)
        abort(); /* out of memory, as xmalloc */
    free(once);
    int ns = tax_count(TAX_SCENARIO);
    for (int i = 0; i < ns && i < 63; i++) {
        double st = lex_strength(&c->lx, i);
        if (st < LEX_MIN_STRENGTH)
            continue;
        c->n.inferred |= (int64_t)1 << i;
        c->n.inferred_strength[i] = st;
        if (!(c->n.scenarios & ((int64_t)1 << i)))
            json_array_append_new(c->scen, json_string(tax_code(TAX_SCENARIO, i)));
    }
    double tw = w->cfg->lexicon_terms;
    for (int k = 0; k < c->lx.n && tw > 0; k++) {
        const struct lex_entry *e = lex_entry(app.lex, c->lx.m[k].entry);
        for (int j = 0; j < e->nterms && c->nextra < 2 * QUERY_EXTRA_MAX; j++) {
            int dup = 0;
            for (int x = 0; x < c->nextra && !dup; x++)
                dup = strcmp(c->extra[x].text, e->terms[j]) == 0;
            if (!dup)
                c->extra[c->nextra++] = (struct query_extra){e->terms[j], tw * e->weight};
        }
    }
}

static void need_ctx_free(struct need_ctx *c)
{
    free(c->text);
    lex_result_free(&c->lx);
    json_decref(c->scen);
}

/* What the lexicon read in the need, for the answer's debug object. */
static json_t *need_ctx_debug(const struct need_ctx *c)
{
    json_t *sc = json_object(), *ph = json_array(), *tm = json_array();
    for (int i = 0; i < tax_count(TAX_SCENARIO) && i < 63; i++)
        if (c->n.inferred & ((int64_t)1 << i))
            json_object_set_new(sc, tax_code(TAX_SCENARIO, i),
                                json_real(round(c->n.inferred_strength[i] * 100) / 100));
    for (int k = 0; k < c->lx.n; k++)
        json_array_append_new(ph, json_string(lex_entry(app.lex, c->lx.m[k].entry)->phrase));
    for (int k = 0; k < c->nextra; k++)
        json_array_append_new(tm, json_string(c->extra[k].text));
    return json_pack("{s:o, s:o, s:o, s:f}", "phrases", ph, "scenarios", sc, "terms", tm,
                     "text_weak", round(c->n.text_weak * 100) / 100);
}

/* Columns 12..21: the verified outcomes of the resource and of its
 * provider (outcome.h), NULL when nothing is known. */
static const char SQL_FEATURES[] =
    "SELECT h.industry_mask, h.scenario_mask, h.region_mask, h.price_min, h.level_from,"
    " h.level_to, h.rating_sum, h.rating_count, h.case_count, h.deploy_days, h.delivery_bit,"
    " h.kind_bit, o.r_n, o.r_on_time, o.r_uplift, o.r_steps, o.r_resp_h, o.p_n, o.p_on_time,"
    " o.p_uplift, o.p_steps, o.p_resp_h"
    " FROM resources_hot h LEFT JOIN outcome_rank o ON o.rid = h.rid WHERE h.rid = ?1";

/* The outcome at columns col (n), col + 1 .. col + 4 (figures). */
static void outcome_cols(sqlite3_stmt *st, int col, struct rank_outcome *o)
{
    o->n = sqlite3_column_int(st, col);
    int *has[4] = {&o->has_on_time, &o->has_uplift, &o->has_steps, &o->has_resp};
    double *val[4] = {&o->on_time, &o->uplift, &o->steps, &o->resp_h};
    for (int i = 0; i < 4; i++) {
        *has[i] = sqlite3_column_type(st, col + 1 + i) != SQLITE_NULL;
        *val[i] = *has[i] ? sqlite3_column_double(st, col + 1 + i) : 0;
    }
}

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
    outcome_cols(st, 12, &f->own);
    outcome_cols(st, 17, &f->prov);
    static const char *const DOWNLOADS[] = {"dataset", "model", "process_package"};
    for (int i = 0; i < 3 && d == 0; i++)
        f->downloadable |= *kind_bit == ((int64_t)1 << tax_index(TAX_KIND, DOWNLOADS[i]));
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
    char *norm = tok_fold(all, (size_t)(p - all));
    free(all);
    json_array_foreach(terms, i, t) {
        char *tn = tok_fold(json_string_value(t), json_string_length(t));
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

static const char SQL_TEXT[] =
    "SELECT f.rowid, -shucu_bm25(resources_fts, d.sz, 10.0, 4.0, 1.0, 4.0, 3.0, ?4) AS s"
    " FROM resources_fts f JOIN resources_hot r ON r.rid = f.rowid"
    " LEFT JOIN resources_fts_docsize d ON d.id = f.rowid"
    " WHERE resources_fts MATCH ?1 AND (?2 = 0 OR r.kind_bit & ?2)"
    " ORDER BY s DESC LIMIT ?3";
static const char SQL_TEXT_ANY_KIND[] =
    "SELECT f.rowid, -shucu_bm25(resources_fts, d.sz, 10.0, 4.0, 1.0, 4.0, 3.0, ?4) AS s"
    " FROM resources_fts f LEFT JOIN resources_fts_docsize d ON d.id = f.rowid"
    " WHERE resources_fts MATCH ?1 ORDER BY s DESC LIMIT ?3";

/* The query options of a need's text, the same in both directions. */
static struct query_opts need_query_opts(struct worker *w)
{
    return (struct query_opts){.mode = QUERY_ANY, .syn = app.syn, .max_terms = MATCH_TERMS,
                               .max_df_ratio = 0.5, .max_postings = w->cfg->match_postings,
                               .df = corpus_df, .df_ctx = w, .ndocs = corpus_ndocs(w)};
}

/* The sum of the TEXT_IDEAL_TERMS largest IDFs among the text's own terms:
 * what a resource that says the need's most telling words would score,
 * roughly (a title hit scores about 2 x IDF). */
#define TEXT_IDEAL_TERMS 3
static double own_idf_sum(const struct query *q)
{
    double top[TEXT_IDEAL_TERMS] = {0};
    for (int i = 0; i < q->nown; i++) {
        double x = q->idf[i];
        for (int k = 0; k < TEXT_IDEAL_TERMS; k++)
            if (x > top[k]) {
                double t = top[k];
                top[k] = x;
                x = t;
            }
    }
    return top[0] + top[1] + top[2];
}

/*
 * The text stage of a need's forward match: its TEXT_CANDIDATES best
 * resources by BM25 (of kinds, 0: any) added to c with their BM25, the
 * best BM25 in *best, the query terms in *terms (new reference, may be
 * NULL) and how many in *ntext; sets nc->n.text_weak.  0, or -1 on a
 * database error.
 */
static int text_candidates(struct worker *w, struct need_ctx *nc, int64_t kinds,
                           struct cands *c, double *best, json_t **terms, size_t *ntext)
{
    struct query q = {0};
    struct query_opts o = need_query_opts(w);
    o.extra = nc->extra;
    o.nextra = nc->nextra;
    *best = 0;
    if (ntext)
        *ntext = 0;
    if (terms)
        *terms = NULL;
    if (query_build(nc->text, strlen(nc->text), &o, &q) < 0)
        return -1;
    if (terms)
        *terms = q.terms ? json_incref(q.terms) : json_array();
    int dberr = 0;
    if (q.match) {
        /* Without a kind filter, skip the join: SQLite would do it for
         * every matching row even when the filter is off. */
        sqlite3_stmt *st = db_stmt(w->db, kinds ? SQL_TEXT : SQL_TEXT_ANY_KIND);
        if (!st)
            dberr = 1;
        else {
            sqlite3_bind_text(st, 1, q.match, -1, SQLITE_STATIC);
            if (kinds)
                sqlite3_bind_int64(st, 2, kinds);
            sqlite3_bind_int(st, 3, TEXT_CANDIDATES);
            sqlite3_bind_text(st, 4, q.weights, -1, SQLITE_STATIC);
            int rc;
            while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                struct cand *x = cands_add(c, sqlite3_column_int64(st, 0));
                x->bm25 = sqlite3_column_double(st, 1);
                if (x->bm25 > *best)
                    *best = x->bm25;
                if (ntext)
                    (*ntext)++;
            }
            sqlite3_reset(st);
            dberr = rc != SQLITE_DONE;
        }
    }
    /* Weak: the best resource scores well below what saying the need's
     * most telling words would give (text_ideal x their IDF sum). */
    double ideal = w->cfg->text_ideal * own_idf_sum(&q);
    nc->n.text_weak = ideal > 0 ? 1.0 - (*best < ideal ? *best / ideal : 1.0) : 0;
    query_free(&q);
    return dberr ? -1 : 0;
}

json_t *matcher_rank_resources(struct worker *w, json_t *need, json_t *need_out, int64_t kinds,
                               long limit, int explain)
{
    static const char SQL_STRUCT[] =
        "SELECT DISTINCT rid FROM resource_is WHERE industry = ?1"
        " AND scenario IN (SELECT value FROM json_each(?2)) ORDER BY rid DESC LIMIT ?3";
    struct db *db = w->db;
    struct need_ctx nc;
    struct rank_tax tax;
    need_ctx_init(w, need, &nc);
    rank_tax_fill(&tax);
    struct cands c = {0};
    json_t *terms = NULL, *out = NULL;
    size_t ntext = 0, nstruct = 0;
    double best = 0;
    int dberr = text_candidates(w, &nc, kinds, &c, &best, &terms, &ntext) < 0;
    if (!terms) {
        cands_free(&c);
        need_ctx_free(&nc);
        json_decref(need_out);
        return NULL;
    }
    /* Structure: the need's industry, then `general`, in the scenarios
     * ticked and those the text implies. */
    char *scen_s = json_dumps(nc.scen, JSON_COMPACT);
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
    for (size_t i = 0; i < c.set.n; i++) {
        struct rank_res f;
        int64_t kind_bit;
        if (res_features(db, c.v[i].rid, &f, &kind_bit) < 0)
            continue;
        if (kinds && !(kind_bit & kinds))
            continue;
        f.text = best > 0 ? c.v[i].bm25 / best : 0;
        rank_score_shaped(&w->cfg->weights, &w->cfg->shape, &tax, &nc.n, &f, &c.v[i].parts);
        c.v[kept++] = c.v[i];
    }
    c.n = kept;
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
        json_t *m = json_pack("{s:o, s:f}", "resource", corpus_hit_json(res), "score",
                              c.v[i].parts.score);
        json_object_set_new(json_object_get(m, "resource"), "score", json_real(c.v[i].parts.score));
        if (explain)
            json_object_set_new(m, "explain", ex);
        else
            json_decref(ex);
        json_decref(res);
        json_array_append_new(matches, m);
    }
    out = json_pack("{s:O, s:o, s:{s:O, s:{s:I, s:I, s:I}, s:o}}", "need",
                    need_out ? need_out : json_null(), "matches",
                    matches, "debug", "query_terms", terms, "candidates", "text",
                    (json_int_t)ntext, "structure", (json_int_t)nstruct, "scored",
                    (json_int_t)kept, "inferred", need_ctx_debug(&nc));
cleanup:
    json_decref(need_out);
    json_decref(terms);
    cands_free(&c);
    need_ctx_free(&nc);
    return out;
}

json_t *match_top_resources(struct worker *w, json_t *need_like, int limit)
{
    json_t *doc = matcher_rank_resources(w, need_like, NULL, 0, limit, 0);
    if (!doc)
        return NULL;
    json_t *out = json_array(), *m;
    size_t i;
    json_array_foreach(json_object_get(doc, "matches"), i, m)
        json_array_append(out, json_object_get(m, "resource"));
    json_decref(doc);
    return out;
}


/* ---------------------------------------------------------- reverse */

#define REVERSE_TEXT 50    /* candidate needs found by the resource's text */
#define REVERSE_STRUCT 100 /* ... and by its industries and scenarios */

/* The text a resource looks for needs with: its title (twice), summary
 * and tags. */
static char *resource_text(json_t *res)
{
    const char *t = json_string_value(json_object_get(res, "title"));
    const char *s = json_string_value(json_object_get(res, "summary"));
    size_t cap = 2 * (t ? strlen(t) : 0) + (s ? strlen(s) : 0) + 4;
    json_t *tags = json_object_get(res, "tags"), *tag;
    size_t i;
    json_array_foreach(tags, i, tag) cap += json_string_length(tag) + 1;
    char *text = xmalloc(cap), *p = text;
    p += sprintf(p, "%s\n%s\n%s", t ? t : "", t ? t : "", s ? s : "");
    json_array_foreach(tags, i, tag) p += sprintf(p, "\n%s", json_string_value(tag));
    return text;
}

/* The forward score of resource rid (features f) for need: the need's own
 * text stage decides the text part, exactly as its matches would.  0, or
 * -1 on a database error. */
static int score_for_need(struct worker *w, json_t *need, int64_t rid, struct rank_res *f,
                          const struct rank_tax *tax, struct rank_parts *parts)
{
    /* The level its own matches rank with (enterprise.h), on a shallow
     * copy: the need is shown as stored. */
    const char *ent = json_string_value(json_object_get(json_object_get(need, "enterprise"), "id"));
    json_t *ranked = json_copy(need);
    if (enterprise_fill_level(w->db, ent, ranked) < 0) {
        json_decref(ranked);
        return -1;
    }
    struct cands c = {0};
    double best = 0;
    json_t *terms = NULL;
    struct need_ctx nc;
    need_ctx_init(w, ranked, &nc);
    int rc = text_candidates(w, &nc, 0, &c, &best, &terms, NULL);
    json_decref(terms);
    double bm25 = 0;
    for (size_t i = 0; rc == 0 && i < c.set.n; i++)
        if (c.v[i].rid == rid)
            bm25 = c.v[i].bm25;
    cands_free(&c);
    if (rc == 0) {
        f->text = best > 0 ? bm25 / best : 0;
        rank_score_shaped(&w->cfg->weights, &w->cfg->shape, tax, &nc.n, f, parts);
    }
    need_ctx_free(&nc);
    json_decref(ranked);
    return rc < 0 ? -1 : 0;
}

struct scored_need {
    json_t *need;
    int64_t nid;
    struct rank_parts parts;
};

static int scored_cmp(const void *a, const void *b)
{
    const struct scored_need *x = a, *y = b;
    if (x->parts.score != y->parts.score)
        return x->parts.score < y->parts.score ? 1 : -1;
    return x->nid < y->nid ? 1 : x->nid > y->nid ? -1 : 0;
}

json_t *matcher_rank_needs(struct worker *w, json_t *res, int64_t rid, const struct caller *who,
                           long limit, int explain)
{
    static const char SQL_TEXT_NEEDS[] =
        "SELECT f.rowid, -shucu_bm25(needs_fts, d.sz, 4.0, 1.0) AS s FROM needs_fts f"
        " JOIN needs n ON n.nid = f.rowid LEFT JOIN needs_fts_docsize d ON d.id = f.rowid"
        " WHERE needs_fts MATCH ?1 AND n.status = 'open'"
        " ORDER BY s DESC LIMIT ?2";
    static const char SQL_STRUCT_NEEDS[] =
        "SELECT nid FROM needs WHERE status = 'open' AND (industry_bit & ?1)"
        " AND (scenario_mask & ?2) ORDER BY nid DESC LIMIT ?3";
    static const char SQL_NEED[] = "SELECT " NEED_COLS " FROM needs n WHERE n.nid = ?1";
    struct db *db = w->db;
    json_t *hit = corpus_hit_json(res);
    struct rank_res f;
    int64_t kind_bit;
    if (res_features(db, rid, &f, &kind_bit) < 0) /* withdrawn: fits nothing */
        return json_pack("{s:o, s:[]}", "resource", hit, "needs");
    struct rank_tax tax;
    rank_tax_fill(&tax);
    struct cands c = {0};
    int dberr = 0;
    /* Candidates: open needs that share the resource's words, then those
     * of its industries (all, for a `general` resource) and scenarios. */
    char *text = resource_text(res);
    struct query q = {0};
    struct query_opts o = need_query_opts(w);
    if (query_build(text, strlen(text), &o, &q) == 0 && q.match) {
        sqlite3_stmt *st = db_stmt(db, SQL_TEXT_NEEDS);
        if (!st)
            dberr = 1;
        else {
            sqlite3_bind_text(st, 1, q.match, -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 2, REVERSE_TEXT);
            int rc;
            while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                cands_add(&c, sqlite3_column_int64(st, 0));
            sqlite3_reset(st);
            dberr = rc != SQLITE_DONE;
        }
    }
    query_free(&q);
    free(text);
    int64_t ind = f.industries;
    if (tax.general >= 0 && (ind & ((int64_t)1 << tax.general)))
        ind = -1; /* serves every industry */
    sqlite3_stmt *st = dberr ? NULL : db_stmt(db, SQL_STRUCT_NEEDS);
    if (st) {
        sqlite3_bind_int64(st, 1, ind);
        sqlite3_bind_int64(st, 2, f.scenarios);
        sqlite3_bind_int(st, 3, REVERSE_STRUCT);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            cands_add(&c, sqlite3_column_int64(st, 0));
        sqlite3_reset(st);
        dberr = rc != SQLITE_DONE;
    } else
        dberr = 1;
    /* Score each candidate need as its own matches would score this
     * resource. */
    struct scored_need *v = xcalloc(c.set.n ? c.set.n : 1, sizeof *v);
    size_t nv = 0;
    for (size_t k = 0; k < c.set.n && !dberr; k++) {
        st = db_stmt(db, SQL_NEED);
        if (!st) {
            dberr = 1;
            break;
        }
        sqlite3_bind_int64(st, 1, c.v[k].rid);
        if (sqlite3_step(st) != SQLITE_ROW) {
            sqlite3_reset(st);
            continue;
        }
        json_t *need = need_row_json(st, 0, 1);
        sqlite3_reset(st);
        struct rank_res fk = f;
        if (score_for_need(w, need, rid, &fk, &tax, &v[nv].parts) < 0) {
            json_decref(need);
            dberr = 1;
            break;
        }
        v[nv].need = need;
        v[nv].nid = c.v[k].rid;
        nv++;
    }
    cands_free(&c);
    if (nv > 1)
        qsort(v, nv, sizeof *v, scored_cmp);
    json_t *needs = json_array();
    for (size_t k = 0; k < nv; k++) {
        json_t *need = v[k].need;
        v[k].need = NULL;
        if (dberr || (long)k >= limit) {
            json_decref(need);
            continue;
        }
        const char *ent = json_string_value(json_object_get(json_object_get(need, "enterprise"), "id"));
        if (!need_contact_visible(db, json_string_value(json_object_get(need, "id")), ent, who))
            json_object_del(need, "contact");
        json_t *ex = explain_json(&v[k].parts, json_array());
        json_t *m = json_pack("{s:o, s:f}", "need", need, "score", v[k].parts.score);
        if (explain)
            json_object_set_new(m, "explain", ex);
        else
            json_decref(ex);
        json_array_append_new(needs, m);
    }
    free(v);
    if (dberr) {
        json_decref(hit);
        json_decref(needs);
        return NULL;
    }
    return json_pack("{s:o, s:o}", "resource", hit, "needs", needs);
}
