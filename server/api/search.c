/*
 * search.c - GET /v1/search (see search.h).
 *
 * One pass over the matching rows does everything that needs all of
 * them: the total, the facet counts (over the filtered hits) and a
 * bounded heap of the best offset+limit rows by the requested order.
 * Only the rows on the requested page are then loaded in full and
 * highlighted.  User text reaches SQLite only as a bound parameter, and
 * reaches FTS5 only through query_build(), which quotes every term.
 *
 * Filters use the bitmask columns (OR within a field, AND across).  A
 * resource offered nationwide (全国) matches every region filter.
 *
 * Cases (issue 19, case.h) are searched with the same expression: kind=case
 * alone makes the hits cases; with no kind filter, or kind=case beside
 * others, facets.kind.case counts the published cases that match (when
 * any do; industry and scenario filters apply to them, the others do not).
 */
#include "handlers.h"

#include "bm25.h"
#include "cached.h"
#include "case.h"
#include "corpus.h"
#include "db.h"
#include "query.h"
#include "req.h"
#include "search_hits.h"
#include "taxonomy.h"
#include "tokenizer.h"
#include "topk.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SEARCH_MAX_Q 1000 /* characters of q searched; the rest is cut (truncated) */
#define RELAX_FEW 3       /* an all-words search with fewer hits is relaxed */
#define FACETS_EXACT 1000   /* facets over more matches than this are estimated */
#define SEARCH_SHAPE 2      /* in the cache key: 2 added facets.exact (issue 24) */
#define CORRECT_SHARE 10000 /* a correction is in 1/CORRECT_SHARE of the
                               resources (at least 2): a frequent word */

enum sort_order { SORT_RELEVANCE, SORT_NEWEST, SORT_PRICE_ASC, SORT_RATING };

static const char *const SORT_NAMES[] = {"relevance", "newest", "price_asc", "rating"};

struct filters {
    int64_t kinds, inds, scns, regs, dels;
    int has_max_price;
    double max_price;
    int want_provider; /* kind=provider was asked for */
    int only_provider; /* ... and nothing else */
    int want_case;     /* kind=case was asked for (issue 19) */
    int only_case;     /* ... and no resource kind */
};

/* Parses kind=… (repeatable, comma lists), where "provider" is allowed. */
static int parse_kinds(struct req *r, struct filters *f)
{
    struct evkeyval *kv;
    int others = 0;
    TAILQ_FOREACH(kv, &r->query, next) {
        if (strcmp(kv->key, "kind") != 0)
            continue;
        char *copy = xstrdup(kv->value), *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            if (strcmp(t, "provider") == 0) {
                f->want_provider = 1;
                continue;
            }
            if (strcmp(t, "case") == 0) {
                f->want_case = 1;
                continue;
            }
            int i = tax_index(TAX_KIND, t);
            if (i < 0) {
                reply_error(r, ERR_BAD_PARAM, "kind", "unknown kind \"%s\"", t);
                free(copy);
                return -1;
            }
            f->kinds |= (int64_t)1 << i;
            others = 1;
        }
        free(copy);
    }
    f->only_case = f->want_case && !others;
    f->only_provider = f->want_provider && !others && !f->want_case;
    return 0;
}

static int parse_filters(struct req *r, struct filters *f)
{
    memset(f, 0, sizeof *f);
    if (parse_kinds(r, f) < 0 || req_mask_param(r, "industry", TAX_INDUSTRY, &f->inds) < 0 ||
        req_mask_param(r, "scenario", TAX_SCENARIO, &f->scns) < 0 ||
        req_mask_param(r, "region", TAX_REGION, &f->regs) < 0 ||
        req_mask_param(r, "delivery", TAX_DELIVERY, &f->dels) < 0)
        return -1;
    if (f->regs)
        f->regs |= (int64_t)1 << tax_index(TAX_REGION, TAX_NATIONWIDE);
    const char *mp = req_query(r, "max_price");
    if (mp && *mp) {
        char *end;
        double v = strtod(mp, &end);
        if (*end || end == mp || !isfinite(v) || v < 0) {
            reply_error(r, ERR_BAD_PARAM, "max_price", "max_price must be a number of yuan, 0 or more");
            return -1;
        }
        f->has_max_price = 1;
        f->max_price = v;
    }
    return 0;
}

static void bind_filters(sqlite3_stmt *st, const struct filters *f)
{
    sqlite3_bind_int64(st, 2, f->kinds);
    sqlite3_bind_int64(st, 3, f->inds);
    sqlite3_bind_int64(st, 4, f->scns);
    sqlite3_bind_int64(st, 5, f->regs);
    sqlite3_bind_int64(st, 6, f->dels);
    if (f->has_max_price)
        sqlite3_bind_double(st, 7, f->max_price);
}

#define FILTER_SQL                                                                   \
    " AND (?2 = 0 OR r.kind_bit & ?2) AND (?3 = 0 OR r.industry_mask & ?3)"          \
    " AND (?4 = 0 OR r.scenario_mask & ?4) AND (?5 = 0 OR r.region_mask & ?5)"       \
    " AND (?6 = 0 OR r.delivery_bit & ?6) AND (?7 IS NULL OR r.price_min <= ?7)"

/* Columns 0..7 of both statements: rid, bm25, kind_bit, industry_mask,
 * scenario_mask, price_min, rating_sum, rating_count.  They read the
 * narrow resources_hot (published rows only), not the wide resources.
 * The score is shucu_rank's (?8: its struct bm25_rank): bm25() with each
 * phrase's row count from the worker's cache and each row's length from
 * the worker's memory (corpus_lengths), so no statement or join per row
 * reads %_docsize. */
#define MATCH_SQL(score, join)                                                        \
    "SELECT r.rid, " score ", r.kind_bit,"                                            \
    " r.industry_mask, r.scenario_mask, r.price_min, r.rating_sum, r.rating_count"    \
    " FROM resources_fts JOIN resources_hot r ON r.rid = resources_fts.rowid" join    \
    " WHERE resources_fts MATCH ?1" FILTER_SQL
static const char SQL_MATCH[] = MATCH_SQL("shucu_rank(resources_fts, NULL, ?8)", "");
/* An expression of more phrases than shucu_rank takes (BM25_RANK_MAX):
 * shucu_bm25, the row length by a join (bm25.h). */
static const char SQL_MATCH_MANY[] =
    MATCH_SQL("shucu_bm25(resources_fts, d.sz, 10.0, 4.0, 1.0, 4.0, 3.0, ?8)",
              " LEFT JOIN resources_fts_docsize d ON d.id = resources_fts.rowid");

/* By relevance without filters: the rows and their scores alone, with no
 * join to resources_hot, since nothing per row needs its columns (the
 * facets come from SQL_FACETS).  Columns 0, 1 as above. */
static const char SQL_RANK[] =
    "SELECT resources_fts.rowid, shucu_rank(resources_fts, NULL, ?8) FROM resources_fts"
    " WHERE resources_fts MATCH ?1";

/* The facet columns of one sampled match (struct sample). */
static const char SQL_FACETS[] =
    "SELECT kind_bit, industry_mask, scenario_mask FROM resources_hot WHERE rid = ?1";

/* Matches spread evenly over the whole match set: every stride-th row of
 * the pass is kept, and when FACETS_EXACT are kept every other one is
 * dropped and the stride doubles.  While the stride is 1 it holds every
 * match. */
struct sample {
    int64_t rid[FACETS_EXACT];
    int n;
    long stride, seen;
};

static void sample_add(struct sample *sm, int64_t rid)
{
    if (sm->seen++ % sm->stride)
        return;
    if (sm->n == FACETS_EXACT) {
        for (int i = 0; i < FACETS_EXACT / 2; i++)
            sm->rid[i] = sm->rid[2 * i];
        sm->n = FACETS_EXACT / 2;
        sm->stride *= 2;
        if ((sm->seen - 1) % sm->stride)
            return;
    }
    sm->rid[sm->n++] = rid;
}

/* How many resources a relaxed expression finds, with the filters. */
static const char SQL_COUNT[] =
    "SELECT count(*) FROM resources_fts JOIN resources_hot r ON r.rid = resources_fts.rowid"
    " WHERE resources_fts MATCH ?1" FILTER_SQL;

static const char SQL_ALL[] =
    "SELECT r.rid, 0.0, r.kind_bit, r.industry_mask, r.scenario_mask, r.price_min,"
    " r.rating_sum, r.rating_count FROM resources_hot r"
    " WHERE (?1 IS NULL OR 1)" FILTER_SQL;

/* Counts the set bits of mask below n (a row has one to a few). */
static void facet_add(int *counts, int n, int64_t mask)
{
    uint64_t m = (uint64_t)mask & (n >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1);
    for (; m; m &= m - 1)
        counts[__builtin_ctzll(m)]++;
}

static json_t *facet_json(enum tax_vocab v, const int *counts)
{
    /* Largest count first; Jansson keeps insertion order. */
    int n = tax_count(v), order[64];
    for (int i = 0; i < n; i++)
        order[i] = i;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && counts[order[j]] > counts[order[j - 1]]; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    json_t *o = json_object();
    for (int i = 0; i < n; i++)
        if (counts[order[i]])
            json_object_set_new(o, tax_code(v, order[i]), json_integer(counts[order[i]]));
    return o;
}

struct search_args {
    struct filters f;
    long limit, offset;
    char *q;
    int sort;
    int highlight;
    int truncated; /* q was cut to SEARCH_MAX_Q characters */
};

static void search_args_free(void *p)
{
    struct search_args *a = p;
    free(a->q);
    free(a);
}

struct search_result {
    json_t *hits;
    long total, providers, cases;
    int kind_c[64], ind_c[64], scn_c[64];
    int facets_estimated; /* counted on the first FACETS_EXACT matches and scaled */
};

/* What one pass searches: the expression (NULL: no text), its phrase
 * weights, the expression the page is highlighted with, and the rows that
 * rank first whatever their score (a relaxed search's all-words hits). */
struct pass {
    const char *match, *weights, *hl;
    const int64_t *first;
    size_t nfirst;
};

static void result_clear(struct search_result *res)
{
    json_array_clear(res->hits);
    memset(res->kind_c, 0, sizeof res->kind_c);
    memset(res->ind_c, 0, sizeof res->ind_c);
    memset(res->scn_c, 0, sizeof res->scn_c);
    res->total = res->providers = res->cases = 0;
    res->facets_estimated = 0;
}

/* shucu_rank's context for match (bm25.h): its phrases' row counts from
 * the worker's per-generation cache, the rows' lengths from its memory.
 * -1 when the expression has more phrases than shucu_rank takes
 * (SQL_MATCH_MANY ranks it then). */
static int rank_setup(struct worker *w, const char *match, const char *weights,
                      struct bm25_rank *rk)
{
    static const double COLW[] = {10.0, 4.0, 1.0, 4.0, 3.0};
    int at[BM25_RANK_MAX][2];
    int n = bm25_phrases(match, at, BM25_RANK_MAX);
    if (n <= 0 || n > BM25_RANK_MAX)
        return -1;
    memset(rk, 0, sizeof *rk);
    rk->n = n;
    rk->spec = weights;
    rk->colw_in = COLW;
    rk->ncolw = (int)(sizeof COLW / sizeof COLW[0]);
    for (int i = 0; i < n; i++)
        rk->hits[i] = corpus_phrase_hits(w, match + at[i][0], at[i][1]);
    rk->lens = corpus_lengths(w, &rk->nlens);
    return 0;
}

/* The facets of an unfiltered search by relevance, whose ranking pass
 * reads no resources_hot row: counted over the sample, exact when it
 * holds every match (res->total), else scaled to the total and marked
 * estimated.  0 or -1 (db). */
static int facets_sample(struct db *db, const struct sample *sm, struct search_result *res)
{
    sqlite3_stmt *st = db_stmt(db, SQL_FACETS);
    if (!st)
        return -1;
    int nk = tax_count(TAX_KIND), ni = tax_count(TAX_INDUSTRY), ns = tax_count(TAX_SCENARIO);
    long n = 0;
    for (int i = 0; i < sm->n; i++) {
        sqlite3_bind_int64(st, 1, sm->rid[i]);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            n++;
            facet_add(res->kind_c, nk, sqlite3_column_int64(st, 0));
            facet_add(res->ind_c, ni, sqlite3_column_int64(st, 1));
            facet_add(res->scn_c, ns, sqlite3_column_int64(st, 2));
        }
        sqlite3_reset(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return -1;
    }
    if (n > 0 && res->total > n) {
        int *all[] = {res->kind_c, res->ind_c, res->scn_c};
        for (int f = 0; f < 3; f++)
            for (int i = 0; i < 64; i++)
                if (all[f][i]) /* a value seen stays at least 1 */
                    all[f][i] = (int)fmax(1.0, round((double)all[f][i] * (double)res->total / (double)n));
        res->facets_estimated = 1;
    }
    return 0;
}

/* Runs one pass (see struct pass) into res; 0 or -1 (db). */
static int search_run(struct req *r, const struct search_args *a, const struct pass *ps,
                      struct search_result *res)
{
    const char *match = ps->match;
    struct db *db = r->w->db;
    const struct filters *fp = &a->f;
    int dberr = 0;
    struct case_filter cf = {.industries = fp->inds, .scenarios = fp->scns};
    if (fp->only_case) {
        dberr = cases_search(db, match, &cf, a->limit, a->offset, 1, &r->who, res->hits,
                             &res->total) < 0;
        res->cases = res->total;
        if (!dberr && fp->want_provider)
            dberr = search_providers(db, match, fp->inds, 0, 0, NULL, &res->providers) < 0;
        return dberr ? -1 : 0;
    }
    if (fp->only_provider) {
        dberr = search_providers(db, match, fp->inds, a->limit, a->offset, res->hits, &res->total) < 0;
        res->providers = res->total;
        return dberr ? -1 : 0;
    }
    /* By relevance without filters no row's resources_hot columns are
     * needed: the pass ranks alone and the facets come from a sample. */
    struct bm25_rank rk;
    struct sample *sm = NULL;
    int ranked = match && rank_setup(r->w, match, ps->weights, &rk) == 0;
    int fast = ranked && a->sort == SORT_RELEVANCE && !fp->kinds && !fp->inds && !fp->scns &&
               !fp->regs && !fp->dels && !fp->has_max_price;
    sqlite3_stmt *st = db_stmt(db, !match ? SQL_ALL : fast ? SQL_RANK : ranked ? SQL_MATCH
                                                                           : SQL_MATCH_MANY);
    if (fast) {
        sm = xmalloc(sizeof *sm);
        sm->n = 0;
        sm->stride = 1;
        sm->seen = 0;
    }
    double best_other = 0; /* the best score of a row not in ps->first */
    struct topk h;
    topk_init(&h, (size_t)(a->offset + a->limit));
    if (!st) {
        dberr = 1;
    } else {
        db_bind_text(st, 1, match);
        if (!fast)
            bind_filters(st, fp);
        if (ranked)
            sqlite3_bind_pointer(st, 8, &rk, BM25_RANK_PTR, NULL);
        else if (match)
            db_bind_text(st, 8, ps->weights);
        int rc, nk = tax_count(TAX_KIND), ni = tax_count(TAX_INDUSTRY);
        int ns = tax_count(TAX_SCENARIO);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            res->total++;
            if (fast) {
                sample_add(sm, sqlite3_column_int64(st, 0));
            } else {
                facet_add(res->kind_c, nk, sqlite3_column_int64(st, 2));
                facet_add(res->ind_c, ni, sqlite3_column_int64(st, 3));
                facet_add(res->scn_c, ns, sqlite3_column_int64(st, 4));
            }
            struct topk_item c = {.id = sqlite3_column_int64(st, 0),
                                  .score = -sqlite3_column_double(st, 1)};
            int first = 0;
            for (size_t k = 0; k < ps->nfirst; k++)
                first |= ps->first[k] == c.id;
            if (!first && c.score > best_other)
                best_other = c.score;
            switch (a->sort) {
            case SORT_RELEVANCE: c.key = first ? -c.score - 1e12 : -c.score; break;
            case SORT_NEWEST: c.key = 0; break;
            case SORT_PRICE_ASC:
                c.key = sqlite3_column_type(st, 5) == SQLITE_NULL ? HUGE_VAL
                                                                  : sqlite3_column_double(st, 5);
                break;
            case SORT_RATING: {
                double cnt = (double)sqlite3_column_int64(st, 7);
                c.key = cnt ? -((double)sqlite3_column_int64(st, 6) / cnt + cnt * 1e-6) : 0;
                break;
            }
            }
            topk_push(&h, c);
        }
        sqlite3_reset(st);
        sqlite3_bind_null(st, 8); /* rk is about to go */
        dberr = rc != SQLITE_DONE;
        if (!dberr && fast && res->total)
            dberr = facets_sample(db, sm, res) < 0;
    }
    free(sm);
    if (!dberr && res->total) {
        topk_sort(&h);
        /* The rows ranked first show a score above every other row's. */
        for (size_t i = 0; ps->nfirst && i < h.n; i++)
            for (size_t k = 0; k < ps->nfirst; k++)
                if (ps->first[k] == h.v[i].id)
                    h.v[i].score += best_other;
        size_t from = (size_t)a->offset < h.n ? (size_t)a->offset : h.n;
        dberr = search_load_page(db, ps->hl ? ps->hl : match, h.v + from, h.n - from, res->hits,
                          a->highlight) < 0;
    }
    topk_free(&h);
    if (!dberr && fp->want_provider)
        dberr = search_providers(db, match, fp->inds, 0, 0, NULL, &res->providers) < 0;
    if (!dberr && (fp->want_case || (!fp->kinds && !fp->want_provider)))
        dberr = cases_search(db, match, &cf, 0, 0, 1, &r->who, NULL, &res->cases) < 0;
    return dberr ? -1 : 0;
}

/* Resources the expression finds with the filters; -1 on a db error. */
static long search_count(struct db *db, const struct filters *f, const char *match)
{
    sqlite3_stmt *st = db_stmt(db, SQL_COUNT);
    if (!st)
        return -1;
    db_bind_text(st, 1, match);
    bind_filters(st, f);
    long n = sqlite3_step(st) == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    return n;
}

/* The rows match finds with the filters, at most max of them (the
 * all-words hits of a relaxed search: fewer than RELAX_FEW, whatever page
 * is asked for).  How many, or -1 on a db error. */
static long match_rids(struct db *db, const struct filters *f, const char *match, int64_t *out,
                       long max)
{
    static const char SQL_IDS[] =
        "SELECT r.rid FROM resources_fts JOIN resources_hot r ON r.rid = resources_fts.rowid"
        " WHERE resources_fts MATCH ?1" FILTER_SQL " LIMIT ?8";
    sqlite3_stmt *st = db_stmt(db, SQL_IDS);
    if (!st)
        return -1;
    db_bind_text(st, 1, match);
    bind_filters(st, f);
    sqlite3_bind_int64(st, 8, max);
    long n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max)
        out[n++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? n : -1;
}

/*
 * Relaxes an all-words search that found fewer than RELAX_FEW.  Parts
 * that no document holds go first; then parts are dropped from the front,
 * since a Chinese query names the kind of thing it wants last and its
 * qualifiers first (纺织 ERP, 注塑 排产, 五金质检), until the rest find at
 * least RELAX_FEW or one part is left.  The subset kept is the one that
 * finds the most (the best-covering), and only if that is more than the
 * all-words search found.  Stores the kept parts' mask in *keep and
 * returns 1 (relaxed), 0 (not worth it) or -1 (db error).
 */
static int relax_parts(struct db *db, const struct search_args *a, const struct query *q,
                       long found, uint64_t *keep)
{
    int n = q->nparts < 64 ? q->nparts : 64, left = n;
    uint64_t mask = n >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1;
    long best = found;
    *keep = 0;
    for (int i = 0; i < n && left > 1; i++) /* words found nowhere */
        if (q->parts[i].df == 0) {
            mask &= ~((uint64_t)1 << i);
            left--;
        }
    for (int i = 0; i <= n && left >= 1; i++) {
        if (i > 0) { /* then drop the frontmost part left */
            if (left == 1 || !(mask & ((uint64_t)1 << (i - 1))))
                continue;
            mask &= ~((uint64_t)1 << (i - 1));
            left--;
        }
        if (mask == (n >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1))
            continue; /* nothing dropped yet */
        char *m, *w;
        if (query_join(q, mask, " AND ", &m, &w) <= 0) {
            free(m);
            free(w);
            return -1;
        }
        long c = search_count(db, &a->f, m);
        free(m);
        free(w);
        if (c < 0)
            return -1;
        if (c > best) {
            best = c;
            *keep = mask;
        }
        if (c >= RELAX_FEW)
            break;
    }
    return *keep != 0;
}

/* Computes the search body (without cached/took_ms); see cache_serve.
 *
 * Every kept word must match.  When that finds fewer than RELAX_FEW
 * resources, the search is relaxed (relax_parts): words found nowhere,
 * then words from the front are dropped until the rest find enough;
 * the all-words hits still come first, the answer says relaxed
 * and which words were dropped, and the page is highlighted with every
 * word.  If no subset finds more, nothing is dropped.  When nothing at
 * all is found, the last resort is any of the most informative words
 * (QUERY_ANY), as before.  A q of stopwords alone (的, 我们) searches
 * nothing and says so in a note. */
static json_t *search_compute(struct req *r, void *arg)
{
    struct search_args *a = arg;
    struct worker *w = r->w;
    struct search_result res = {.hits = json_array()};
    struct query qb = {0}, qa = {0};
    json_t *terms = NULL, *dropped = NULL, *corrected = NULL;
    const char *note = NULL;
    char *rm = NULL, *rw = NULL, *hm = NULL, *hw = NULL;
    int relaxed = 0, dberr = 0;
    long ndocs = corpus_ndocs(w);
    struct query_opts o = {.mode = QUERY_ALL, .syn = app.syn, .max_terms = 16,
                           .max_df_ratio = 0.6, .df = corpus_df, .df_ctx = w, .ndocs = ndocs,
                           .py = app.py,
                           .correct_min_df = ndocs / CORRECT_SHARE > 2 ? ndocs / CORRECT_SHARE : 2};
    if (!a->q) {
        struct pass ps = {0};
        dberr = search_run(r, a, &ps, &res) < 0;
        goto answer;
    }
    if (query_build(a->q, strlen(a->q), &o, &qb) < 0) {
        dberr = 1;
        goto answer;
    }
    terms = json_incref(qb.terms);
    if (qb.corrected_from)
        corrected = json_pack("{s:s, s:s}", "from", qb.corrected_from, "to", qb.corrected_to);
    if (qb.stop_only) {
        note = "q holds only words too common to search (的, 了, 我们 ...): nothing was searched";
        goto answer;
    }
    if (!qb.match) /* only punctuation or emoji: no hits */
        goto answer;
    struct pass ps = {qb.match, qb.weights, NULL, NULL, 0};
    if ((dberr = search_run(r, a, &ps, &res) < 0) || res.total >= RELAX_FEW ||
        qb.nparts < 2 || a->f.only_provider || a->f.only_case)
        goto answer;
    uint64_t keep;
    int rx = relax_parts(w->db, a, &qb, res.total, &keep);
    if ((dberr = rx < 0))
        goto answer;
    if (rx == 1) {
        int64_t first[RELAX_FEW];
        long nfirst = match_rids(w->db, &a->f, qb.match, first, RELAX_FEW);
        if (nfirst < 0 || query_join(&qb, keep, " AND ", &rm, &rw) <= 0 ||
            query_join(&qb, ~(uint64_t)0, " OR ", &hm, &hw) <= 0) {
            dberr = 1;
            goto answer;
        }
        dropped = json_array();
        for (int i = 0; i < qb.nparts && i < 64; i++)
            if (!(keep & ((uint64_t)1 << i)))
                json_array_append_new(dropped, json_string(qb.parts[i].term));
        result_clear(&res);
        struct pass pr = {rm, rw, hm, first, (size_t)nfirst};
        dberr = search_run(r, a, &pr, &res) < 0;
        relaxed = 1;
        goto answer;
    }
    if (res.total > 0)
        goto answer;
    /* Nothing, and no subset of the words finds more: any of the most
     * informative words. */
    o.mode = QUERY_ANY;
    if (query_build(a->q, strlen(a->q), &o, &qa) < 0) {
        dberr = 1;
        goto answer;
    }
    if (qa.match) {
        json_decref(terms);
        terms = json_incref(qa.terms);
        result_clear(&res);
        struct pass pa = {qa.match, qa.weights, NULL, NULL, 0};
        dberr = search_run(r, a, &pa, &res) < 0;
        relaxed = 1;
    }

answer:
    query_free(&qb);
    query_free(&qa);
    free(rm);
    free(rw);
    free(hm);
    free(hw);
    if (dberr) {
        json_decref(res.hits);
        json_decref(terms);
        json_decref(dropped);
        json_decref(corrected);
        reply_db_error(r, DB_READ);
        return NULL;
    }
    json_t *kinds = facet_json(TAX_KIND, res.kind_c);
    if (res.providers)
        json_object_set_new(kinds, "provider", json_integer(res.providers));
    if (res.cases)
        json_object_set_new(kinds, "case", json_integer(res.cases));
    json_t *out = json_pack("{s:I, s:o, s:{s:o, s:o, s:o, s:b}, s:{s:o, s:s, s:b}}", "total",
                            (json_int_t)res.total, "hits", res.hits, "facets", "kind", kinds,
                            "industry", facet_json(TAX_INDUSTRY, res.ind_c), "scenario",
                            facet_json(TAX_SCENARIO, res.scn_c), "exact", !res.facets_estimated,
                            "debug", "terms",
                            terms ? terms : json_array(), "sort", SORT_NAMES[a->sort],
                            "relaxed", relaxed);
    if (relaxed) {
        json_object_set_new(out, "relaxed", json_true());
        json_object_set_new(out, "dropped", dropped ? dropped : json_array());
    } else {
        json_decref(dropped);
    }
    if (a->truncated)
        json_object_set_new(out, "truncated", json_true());
    if (corrected)
        json_object_set_new(out, "corrected", corrected);
    if (note)
        json_object_set_new(out, "note", json_string(note));
    return out;
}

void h_search(struct req *r)
{
    struct search_args *a = xcalloc(1, sizeof *a);
    if (parse_filters(r, &a->f) < 0 || req_long_param(r, "limit", 20, 1, 100, &a->limit) < 0 ||
        req_long_param(r, "offset", 0, 0, 10000, &a->offset) < 0)
        goto fail;
    const char *q = req_query(r, "q");
    if (!q)
        q = "";
    /* A q longer than SEARCH_MAX_Q characters is searched on its first
     * SEARCH_MAX_Q (the contract: never an error, only fewer hits). */
    size_t qlen0 = strlen(q), cut = 0, chars = 0;
    while (cut < qlen0 && chars < SEARCH_MAX_Q) {
        cut++;
        while (cut < qlen0 && ((unsigned char)q[cut] & 0xC0) == 0x80)
            cut++;
        chars++;
    }
    a->truncated = cut < qlen0;
    const char *sort_s = req_query(r, "sort");
    a->sort = -1;
    for (int i = 0; i < 4; i++)
        if (sort_s && strcmp(sort_s, SORT_NAMES[i]) == 0)
            a->sort = i;
    if (sort_s && *sort_s && a->sort < 0) {
        reply_error(r, ERR_BAD_PARAM, "sort", "sort must be relevance, newest, price_asc or rating");
        goto fail;
    }
    const char *hl_s = req_query(r, "highlight");
    a->highlight = !(hl_s && (strcmp(hl_s, "0") == 0 || strcmp(hl_s, "false") == 0));
    /* The normalised text is both what is searched and the cache key. */
    char *norm = tok_normalize(q, cut);
    if (norm && *norm)
        a->q = norm;
    else
        free(norm);
    if (a->sort < 0)
        a->sort = a->q ? SORT_RELEVANCE : SORT_NEWEST;
    const struct filters *f = &a->f;
    /* The key material: the text, a separator no normalised text holds,
     * then every parameter as a fixed-width integer (the price by its
     * bits: exact, and without printf's %g, which showed in profiles). */
    long long price_bits = 0;
    if (f->has_max_price)
        memcpy(&price_bits, &f->max_price, sizeof price_bits);
    const long long params[] = {(long long)f->kinds, f->want_provider + 2 * f->want_case,
                                (long long)f->inds,
                                (long long)f->scns,  (long long)f->regs, (long long)f->dels,
                                f->has_max_price,    price_bits,       a->sort,
                                a->limit,            a->offset,        a->highlight,
                                a->truncated,        (long long)app.data_tag,
                                SEARCH_SHAPE};
    size_t qlen = a->q ? strlen(a->q) : 0;
    size_t mlen = qlen + 1 + sizeof params;
    char *material = xmalloc(mlen);
    if (qlen)
        memcpy(material, a->q, qlen);
    material[qlen] = '\x1f';
    memcpy(material + qlen + 1, params, sizeof params);
    char hot[301] = "";
    if (a->q && a->offset == 0) { /* count a search once, not once per page */
        size_t n = strlen(a->q);
        if (n > 300) { /* cut at a character boundary */
            n = 300;
            while (n && ((unsigned char)a->q[n] & 0xC0) == 0x80)
                n--;
        }
        memcpy(hot, a->q, n);
        hot[n] = '\0';
    }
    cache_serve(r, "s", material, mlen, "search", *hot ? hot : NULL, search_compute,
                a, search_args_free, 0);
    free(material);
    return;
fail:
    search_args_free(a);
}
