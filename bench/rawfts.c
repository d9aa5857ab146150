/*
 * rawfts.c - the raw SQLite FTS5 baseline for shucu's search benchmark.
 *
 * Opens the benchmark database read-only with the same tokenizer
 * (index/tokenizer.c) and builds, for each query, the SAME match
 * expression GET /v1/search builds (index/query.c: QUERY_ALL, max_terms
 * 16, max_df_ratio 0.6, synonyms from schemas/synonyms.json, df from
 * resources_vocab; when that finds nothing and has >= 2 terms, the
 * QUERY_ANY relaxation search.c falls back to).  Then it times, per query:
 *
 *   build   query_build() alone (tokenizing, synonyms, df look-ups
 *           through the server's df cache: index/dfcache.h)
 *   top10   SELECT rowid FROM resources_fts WHERE resources_fts MATCH ?
 *           ORDER BY bm25(resources_fts, 10.0, 4.0, 1.0, 4.0, 3.0) LIMIT 10
 *           (the raw FTS5 query that returns shucu's top 10)
 *   count   SELECT count(*) FROM resources_fts WHERE resources_fts MATCH ?
 *   pass    search.c's one-pass statement (FTS5 joined to the narrow
 *           resources_hot table and to %_docsize: shucu_bm25, the same
 *           score as bm25 with the row length read by the join, and the
 *           mask columns of every matching row), stepped to the end with
 *           no work per row
 *   facets  the same pass plus search.c's per-row work: three facet
 *           counts and the bounded top-k heap
 *   wide    what-was: "facets" with the join going to the 2-3 KB rows of
 *           resources (search.c before migration 5 added resources_hot),
 *           to show what the narrow table saves
 *   exh     the exhaustive top 10 as search.c ranked before issue 24:
 *           shucu_bm25 with the phrase weights over every matching row
 *           (bm25()'s own count of each phrase's rows, every query)
 *   exhc    search.c's ranking since issue 24: shucu_rank over every row,
 *           the phrases' row counts from a cache (corpus.c's, here one
 *           generation); the total comes with it
 *   topfts  the MaxScore experiment (bench/topfts.h): rounds that score
 *           only the rows that can enter the top 10, plus count(*) for the
 *           total when a round skipped rows
 *
 * Expressions are built once before timing (except in mode build), so the
 * SQL modes time SQLite alone.  Output: one line per execution,
 * "mode<TAB>query#<TAB>ms<TAB>rows".  With --ids FILE it also writes each
 * query's top 10 as "resource-id:score" (outside the timing) for checking
 * that shucu returns the same hits; with --tsquery FILE it writes each
 * expression translated to PostgreSQL tsquery syntax (phrase -> <->,
 * AND -> &, OR -> |, "x"* -> x:*), for the PostgreSQL peer; with --exprs FILE
 * it writes each expression as it is, one line per query (an empty line: no
 * searchable term), for the peers in bench/peers/ to translate.
 *
 * With --check FILE it writes, per query, whether exhc and topfts return the
 * exhaustive top 10 (rowids, order, scores within 1e-9).
 *
 *   rawfts --db DB --schemas DIR --queries FILE --reps N --modes top10,count
 *          [--out FILE] [--ids FILE] [--tsquery FILE] [--exprs FILE] [--check FILE]
 */

#include "bm25.h"
#include "dfcache.h"
#include "query.h"
#include "tokenizer.h"
#include "topfts.h"
#include "topk.h"

#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXQ 1000

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *msg, sqlite3 *db)
{
    fprintf(stderr, "rawfts: %s%s%s\n", msg, db ? ": " : "", db ? sqlite3_errmsg(db) : "");
    exit(1);
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        die(sql, db);
    return st;
}

/* corpus_df() of server/api/corpus.c: the same dfcache (index/dfcache.h);
 * the benchmark database does not change, so one generation (0). */
static sqlite3_stmt *df_st;
static struct dfcache *dfc;
static long df_cb(void *ctx, const char *token, int len)
{
    if (!dfc && !(dfc = dfcache_new()))
        abort();
    return dfcache_get(dfc, 0, df_st, token, len);
}

struct q {
    char *text;
    char *all;   /* QUERY_ALL expression, NULL: nothing searchable */
    char *any;   /* QUERY_ANY relaxation, used when all finds nothing */
    char *wall, *wany; /* their phrase weights (bm25.h) */
    int nterms;
    int relaxed; /* all found fewer than 3: the relaxation is what is timed */
    long long first[3]; /* a relaxation by dropped words: the all-words hits, */
    int nfirst;         /* which search.c ranks first */
};

static struct syn *syn;
static long ndocs;
static int nkinds = 64, ninds = 64, nscns = 64;

static int build(const char *text, enum query_mode mode, struct query *out)
{
    struct query_opts o = {.mode = mode, .syn = syn, .max_terms = 16, .max_df_ratio = 0.6,
                           .df = df_cb, .df_ctx = NULL, .ndocs = ndocs};
    return query_build(text, strlen(text), &o, out);
}

static long run_top10(sqlite3_stmt *st, const char *m, long long *ids)
{
    long n = 0;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, m, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (ids && n < 10)
            ids[n] = sqlite3_column_int64(st, 0);
        n++;
    }
    sqlite3_reset(st);
    return n;
}

static long run_count(sqlite3_stmt *st, const char *m);

/* search.c's relax_parts (the same steps: parts no document holds go
 * first, then parts from the front, until the rest find 3), by count(*)
 * without filters. */
static int relax_parts(sqlite3_stmt *cnt, const struct query *q, long found, uint64_t *keep)
{
    int n = q->nparts < 64 ? q->nparts : 64, left = n;
    uint64_t all = n >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1, mask = all;
    long best = found;
    *keep = 0;
    for (int i = 0; i < n && left > 1; i++)
        if (q->parts[i].df == 0) {
            mask &= ~((uint64_t)1 << i);
            left--;
        }
    for (int i = 0; i <= n && left >= 1; i++) {
        if (i > 0) {
            if (left == 1 || !(mask & ((uint64_t)1 << (i - 1))))
                continue;
            mask &= ~((uint64_t)1 << (i - 1));
            left--;
        }
        if (mask == all)
            continue;
        char *m, *w;
        if (query_join(q, mask, " AND ", &m, &w) <= 0)
            die("query_join failed", NULL);
        long c = run_count(cnt, m);
        free(m);
        free(w);
        if (c > best) {
            best = c;
            *keep = mask;
        }
        if (c >= 3)
            break;
    }
    return *keep != 0;
}

/* The first max rowids m finds (search.c's match_rids). */
static long all_rids(sqlite3_stmt *st, const char *m, long long *out, long max)
{
    long n = 0;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, m, -1, SQLITE_STATIC);
    while (n < max && sqlite3_step(st) == SQLITE_ROW)
        out[n++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return n;
}

static long run_count(sqlite3_stmt *st, const char *m)
{
    long n = 0;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, m, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = (long)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return n;
}

struct cand {
    double key;
    long long rid;
};

static int worse(const struct cand *a, const struct cand *b)
{
    return a->key > b->key || (a->key == b->key && a->rid < b->rid);
}

/* search.c's heap_push, capacity 10. */
static void heap_push(struct cand *v, size_t *n, size_t cap, struct cand c)
{
    if (*n == cap) {
        if (!worse(&v[0], &c))
            return;
        v[0] = c;
        size_t i = 0;
        for (;;) {
            size_t l = 2 * i + 1, r = l + 1, m = i;
            if (l < *n && worse(&v[l], &v[m]))
                m = l;
            if (r < *n && worse(&v[r], &v[m]))
                m = r;
            if (m == i)
                break;
            struct cand t = v[i];
            v[i] = v[m];
            v[m] = t;
            i = m;
        }
        return;
    }
    size_t i = (*n)++;
    v[i] = c;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!worse(&v[i], &v[p]))
            break;
        struct cand t = v[i];
        v[i] = v[p];
        v[p] = t;
        i = p;
    }
}

static void facet_add(int *counts, int n, long long mask)
{
    for (int i = 0; i < n; i++)
        if (mask & (1LL << i))
            counts[i]++;
}

static volatile long sink;

/* server/lib/util.h's, for topk.c */
void *xmalloc(size_t n);
void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        abort();
    return p;
}

static const double COLW[] = {10.0, 4.0, 1.0, 4.0, 3.0};

/* A relaxed search's all-words hits, ranked first whatever their score
 * (search.c's struct pass): set around a query's run_exh/run_exhc. */
static const long long *g_first;
static int g_nfirst;
static double g_best_other; /* the best score of the other rows */

static void push_ranked(struct topk *out, long long rid, double score)
{
    int first = 0;
    for (int k = 0; k < g_nfirst; k++)
        first |= g_first[k] == rid;
    if (!first && score > g_best_other)
        g_best_other = score;
    topk_push(out, (struct topk_item){.key = first ? -score - 1e12 : -score, .score = score,
                                      .id = rid});
}

/* search.c's ranking, every matching row scored: shucu_bm25 with the
 * phrase weights, the best 10 kept (ties: the larger rowid, topk.h). */
static long run_exh(sqlite3_stmt *st, const char *m, const char *w, struct topk *out)
{
    long n = 0;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, m, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, w ? w : "", -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        push_ranked(out, sqlite3_column_int64(st, 0), -sqlite3_column_double(st, 1));
        n++;
    }
    sqlite3_reset(st);
    return n;
}

static sqlite3_stmt *count_st;
static long run_count(sqlite3_stmt *st, const char *m);

/* Rows holding a phrase, remembered as the server's corpus.c does (one
 * generation here: the database does not change). */
static sqlite3_stmt *hits_st;
static struct dfcache *hitc;
static long hits_cb(void *ctx, const char *phrase, int len)
{
    if (!hitc && !(hitc = dfcache_new()))
        abort();
    return dfcache_get(hitc, 0, hits_st, phrase, len);
}

/* Every row's length, as corpus_lengths() keeps them in the server:
 * g_lens[rid] = length + 1. */
static uint32_t *g_lens;
static int64_t g_nlens;
static void load_lengths(sqlite3 *db)
{
    sqlite3_stmt *st = prep(db, "SELECT id, sz FROM resources_fts_docsize ORDER BY id");
    int64_t cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t rid = sqlite3_column_int64(st, 0);
        if (rid < 0 || rid > INT32_MAX)
            continue;
        if (rid >= cap) {
            int64_t ncap = cap ? cap * 2 : 4096;
            while (ncap <= rid)
                ncap *= 2;
            g_lens = realloc(g_lens, (size_t)ncap * sizeof *g_lens);
            if (!g_lens)
                die("out of memory", NULL);
            memset(g_lens + cap, 0, (size_t)(ncap - cap) * sizeof *g_lens);
            cap = ncap;
        }
        double n = bm25_docsize_tokens(sqlite3_column_blob(st, 1), sqlite3_column_bytes(st, 1), 5);
        g_lens[rid] = n >= 0 ? (uint32_t)n + 1 : 0;
        if (rid + 1 > g_nlens)
            g_nlens = rid + 1;
    }
    sqlite3_finalize(st);
}

/* Every row scored by shucu_rank, the phrase counts from the cache: what
 * the exhaustive ranking costs without bm25()'s per-query counting. */
static long run_exhc(sqlite3_stmt *st, const char *m, const char *w, struct topk *out)
{
    int at[BM25_RANK_MAX][2];
    int n = bm25_phrases(m, at, BM25_RANK_MAX);
    if (n <= 0 || n > BM25_RANK_MAX)
        die("exhc cannot rank this expression", NULL);
    struct bm25_rank r = {.off = 0, .n = n, .spec = w, .colw_in = COLW, .ncolw = 5,
                          .lens = g_lens, .nlens = g_nlens};
    for (int i = 0; i < n; i++)
        r.hits[i] = hits_st ? hits_cb(NULL, m + at[i][0], at[i][1]) : -1;
    long rows = 0;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, m, -1, SQLITE_STATIC);
    sqlite3_bind_pointer(st, 2, &r, BM25_RANK_PTR, NULL);
    while (sqlite3_step(st) == SQLITE_ROW) {
        push_ranked(out, sqlite3_column_int64(st, 0), -sqlite3_column_double(st, 1));
        rows++;
    }
    sqlite3_reset(st);
    return rows;
}

/* The same 10 by index/topfts.c (MaxScore): rows scored. */
static long run_topfts(sqlite3_stmt *st, const char *m, const char *w, struct topk *out,
                       struct topfts_stats *stats)
{
    if (g_nfirst) /* rows ranked first: not a MaxScore ranking */
        return run_exhc(st, m, w, out);
    struct topfts t = {.st = st, .match_param = 1, .rank_param = 2, .match = m, .weights = w,
                       .colw = COLW, .ncolw = 5, .hits = hits_st ? hits_cb : NULL,
                       .lens = g_lens, .nlens = g_nlens};
    int rc = topfts_run(&t, out, stats);
    if (rc < 0)
        die("topfts_run failed", NULL);
    if (rc > 0)
        die("topfts cannot rank this expression", NULL);
    /* search.c needs the total too: free when every row was scored */
    return stats->all ? stats->rows_scored : run_count(count_st, m);
}

static long run_pass(sqlite3_stmt *st, const char *m, int facets)
{
    long n = 0;
    int kc[64] = {0}, ic[64] = {0}, sc[64] = {0};
    struct cand heap[10];
    size_t hn = 0;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, m, -1, SQLITE_STATIC);
    for (int i = 2; i <= 6; i++)
        sqlite3_bind_int64(st, i, 0);
    sqlite3_bind_null(st, 7);
    while (sqlite3_step(st) == SQLITE_ROW) {
        n++;
        if (facets) {
            facet_add(kc, nkinds, sqlite3_column_int64(st, 2));
            facet_add(ic, ninds, sqlite3_column_int64(st, 3));
            facet_add(sc, nscns, sqlite3_column_int64(st, 4));
            struct cand c = {.rid = sqlite3_column_int64(st, 0), .key = sqlite3_column_double(st, 1)};
            heap_push(heap, &hn, 10, c);
        } else {
            /* read the same columns, do nothing with them */
            sink += (long)sqlite3_column_int64(st, 0);
            (void)sqlite3_column_double(st, 1);
        }
    }
    sqlite3_reset(st);
    sink += kc[0] + ic[0] + sc[0];
    return n;
}

/* --- FTS5 expression -> tsquery ------------------------------------------ */

struct tsq {
    char *out;
    size_t len, cap;
    int ntok;
};

static void tsq_add(struct tsq *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->out = realloc(t->out, t->cap);
        if (!t->out)
            die("out of memory", NULL);
    }
    memcpy(t->out + t->len, s, n);
    t->len += n;
    t->out[t->len] = '\0';
}

static int tsq_token(void *ctx, int run, const char *tok, int len, int start, int end)
{
    struct tsq *t = ctx;
    if (t->ntok++)
        tsq_add(t, " <-> ", 5);
    tsq_add(t, tok, (size_t)len);
    return 0;
}

static char *to_tsquery(const char *m)
{
    struct tsq t = {0};
    tsq_add(&t, "", 0);
    for (const char *p = m; *p;) {
        if (*p == '"') {
            const char *e = strchr(p + 1, '"');
            if (!e)
                break;
            t.ntok = 0;
            int paren = 0;
            /* a phrase of several tokens is grouped so AND/OR bind around it */
            struct tsq probe = {0};
            tsq_add(&probe, "", 0);
            tok_run(p + 1, (int)(e - p - 1), tsq_token, &probe);
            if (probe.ntok > 1) {
                tsq_add(&t, "(", 1);
                paren = 1;
            }
            tsq_add(&t, probe.out, probe.len);
            free(probe.out);
            if (e[1] == '*') {
                tsq_add(&t, ":*", 2);
                e++;
            }
            if (paren)
                tsq_add(&t, ")", 1);
            p = e + 1;
        } else if (strncmp(p, "AND", 3) == 0) {
            tsq_add(&t, "&", 1);
            p += 3;
        } else if (strncmp(p, "OR", 2) == 0) {
            tsq_add(&t, "|", 1);
            p += 2;
        } else {
            tsq_add(&t, p, 1); /* parentheses and spaces */
            p++;
        }
    }
    return t.out;
}

/* Whether the comma-separated list holds name. */
static int has_mode(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
            return 1;
    return 0;
}

static char *arg(int argc, char **argv, const char *name, const char *def)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return (char *)def;
}

int main(int argc, char **argv)
{
    const char *dbpath = arg(argc, argv, "--db", NULL);
    const char *schemas = arg(argc, argv, "--schemas", "schemas");
    const char *qpath = arg(argc, argv, "--queries", NULL);
    const char *modes = arg(argc, argv, "--modes", "top10");
    const char *outpath = arg(argc, argv, "--out", NULL);
    const char *idspath = arg(argc, argv, "--ids", NULL);
    const char *tsqpath = arg(argc, argv, "--tsquery", NULL);
    const char *exprpath = arg(argc, argv, "--exprs", NULL);
    const char *checkpath = arg(argc, argv, "--check", NULL);
    int reps = atoi(arg(argc, argv, "--reps", "5"));
    if (!dbpath || !qpath || reps < 0 || reps > 100000) {
        fprintf(stderr, "usage: rawfts --db DB --queries FILE --reps N [--modes build,top10,count,pass,facets,wide]"
                        " [--schemas DIR] [--out FILE] [--ids FILE] [--tsquery FILE] [--exprs FILE] [--check FILE]\n");
        return 2;
    }
    int m_build = has_mode(modes, "build"), m_top = has_mode(modes, "top10");
    int m_count = has_mode(modes, "count"), m_pass = has_mode(modes, "pass");
    int m_fac = has_mode(modes, "facets"), m_nar = has_mode(modes, "wide");
    int m_exh = has_mode(modes, "exh"), m_tf = has_mode(modes, "topfts"), m_exhc = has_mode(modes, "exhc");

    char err[512], *path;
    if (asprintf(&path, "%s/synonyms.json", schemas) < 0 || syn_load(path, &syn, err, sizeof err) < 0)
        die(err, NULL);
    free(path);
    if (asprintf(&path, "%s/taxonomy.json", schemas) >= 0) {
        json_t *tax = json_load_file(path, 0, NULL);
        if (tax) {
            nkinds = (int)json_array_size(json_object_get(tax, "kinds"));
            ninds = (int)json_array_size(json_object_get(tax, "industries"));
            nscns = (int)json_array_size(json_object_get(tax, "scenarios"));
            json_decref(tax);
        }
        free(path);
    }

    sqlite3 *db;
    if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die("cannot open the database", db);
    if (tok_register(db) != SQLITE_OK || bm25_register(db) != SQLITE_OK)
        die("cannot register the tokenizer", db);
    /* shucud's connection settings (server/db.c) */
    sqlite3_exec(db, "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-32000", NULL, NULL, NULL);
    df_st = prep(db, "SELECT doc FROM resources_vocab WHERE term = ?1");
    sqlite3_stmt *nd = prep(db, "SELECT count(*) FROM resources WHERE status = 'published'");
    if (sqlite3_step(nd) == SQLITE_ROW)
        ndocs = (long)sqlite3_column_int64(nd, 0);
    sqlite3_finalize(nd);
    sqlite3_stmt *st_top = prep(db, "SELECT rowid FROM resources_fts WHERE resources_fts MATCH ?"
                                    " ORDER BY bm25(resources_fts, 10.0, 4.0, 1.0, 4.0, 3.0) LIMIT 10");
    sqlite3_stmt *st_count = prep(db, "SELECT count(*) FROM resources_fts WHERE resources_fts MATCH ?");
    count_st = st_count;
    sqlite3_stmt *st_count_rows = prep(db, "SELECT rowid FROM resources_fts WHERE resources_fts MATCH ?");
    /* server/search.c SQL_MATCH, verbatim */
    sqlite3_stmt *st_pass = prep(
        db, "SELECT r.rid, shucu_bm25(resources_fts, d.sz, 10.0, 4.0, 1.0, 4.0, 3.0), r.kind_bit,"
            " r.industry_mask, r.scenario_mask, r.price_min, r.rating_sum, r.rating_count"
            " FROM resources_fts JOIN resources_hot r ON r.rid = resources_fts.rowid"
            " LEFT JOIN resources_fts_docsize d ON d.id = resources_fts.rowid"
            " WHERE resources_fts MATCH ?1"
            " AND (?2 = 0 OR r.kind_bit & ?2) AND (?3 = 0 OR r.industry_mask & ?3)"
            " AND (?4 = 0 OR r.scenario_mask & ?4) AND (?5 = 0 OR r.region_mask & ?5)"
            " AND (?6 = 0 OR r.delivery_bit & ?6) AND (?7 IS NULL OR r.price_min <= ?7)");
    sqlite3_stmt *st_id = prep(db, "SELECT id FROM resources WHERE rid = ?");
    sqlite3_stmt *st_exh = prep(
        db, "SELECT resources_fts.rowid, shucu_bm25(resources_fts, d.sz, 10.0, 4.0, 1.0, 4.0, 3.0, ?2)"
            " FROM resources_fts LEFT JOIN resources_fts_docsize d ON d.id = resources_fts.rowid"
            " WHERE resources_fts MATCH ?1");
    if (!getenv("RAWFTS_NO_HITS_CACHE"))
        hits_st = prep(db, "SELECT count(*) FROM resources_fts WHERE resources_fts MATCH ?1");
    /* search.c's SQL_RANK: lengths from memory (g_lens), no join */
    sqlite3_stmt *st_rank = prep(
        db, "SELECT resources_fts.rowid, shucu_rank(resources_fts, NULL, ?2)"
            " FROM resources_fts WHERE resources_fts MATCH ?1");
    load_lengths(db);
    sqlite3_stmt *st_nar = NULL;
    if (m_nar)
        st_nar = prep(
            db, "SELECT r.rid, shucu_bm25(resources_fts, d.sz, 10.0, 4.0, 1.0, 4.0, 3.0), r.kind_bit,"
                " r.industry_mask, r.scenario_mask, r.price_min, r.rating_sum, r.rating_count"
                " FROM resources_fts JOIN resources r ON r.rid = resources_fts.rowid"
                " LEFT JOIN resources_fts_docsize d ON d.id = resources_fts.rowid"
                " WHERE resources_fts MATCH ?1"
                " AND (?2 = 0 OR r.kind_bit & ?2) AND (?3 = 0 OR r.industry_mask & ?3)"
                " AND (?4 = 0 OR r.scenario_mask & ?4) AND (?5 = 0 OR r.region_mask & ?5)"
                " AND (?6 = 0 OR r.delivery_bit & ?6) AND (?7 IS NULL OR r.price_min <= ?7)");
    sqlite3_stmt *st_score = prep(db, "SELECT rowid, bm25(resources_fts, 10.0, 4.0, 1.0, 4.0, 3.0)"
                                      " FROM resources_fts WHERE resources_fts MATCH ?"
                                      " ORDER BY bm25(resources_fts, 10.0, 4.0, 1.0, 4.0, 3.0) LIMIT 10");

    FILE *qf = fopen(qpath, "r");
    if (!qf)
        die("cannot open the queries", NULL);
    static struct q qs[MAXQ];
    int nq = 0;
    char line[4096];
    while (nq < MAXQ && fgets(line, sizeof line, qf)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!*line)
            continue;
        /* search.c searches tok_normalize(q) */
        qs[nq].text = tok_normalize(line, strlen(line));
        struct query a = {0}, b = {0};
        if (build(qs[nq].text, QUERY_ALL, &a) < 0)
            die("query_build failed", NULL);
        qs[nq].all = a.match ? strdup(a.match) : NULL;
        qs[nq].wall = a.weights ? strdup(a.weights) : NULL;
        qs[nq].nterms = a.terms ? (int)json_array_size(a.terms) : 0;
        long found = qs[nq].all ? run_count(st_count, qs[nq].all) : 0;
        uint64_t keep = 0;
        if (qs[nq].all && found < 3 && a.nparts >= 2 && relax_parts(st_count, &a, found, &keep)) {
            /* search.c's relaxation: the kept words AND-ed, the all-words
             * hits first */
            if (query_join(&a, keep, " AND ", &qs[nq].any, &qs[nq].wany) <= 0)
                die("query_join failed", NULL);
            qs[nq].nfirst = (int)all_rids(st_count_rows, qs[nq].all, qs[nq].first, 3);
            qs[nq].relaxed = 1;
        } else if (qs[nq].all && a.nparts >= 2 && found == 0) {
            if (build(qs[nq].text, QUERY_ANY, &b) < 0)
                die("query_build failed", NULL);
            qs[nq].any = b.match ? strdup(b.match) : NULL;
            qs[nq].wany = b.weights ? strdup(b.weights) : NULL;
            qs[nq].relaxed = 1;
        }
        query_free(&a);
        query_free(&b);
        nq++;
    }
    fclose(qf);

    if (idspath || tsqpath || exprpath) {
        FILE *idf = idspath ? fopen(idspath, "w") : NULL;
        FILE *tf = tsqpath ? fopen(tsqpath, "w") : NULL;
        FILE *ef = exprpath ? fopen(exprpath, "w") : NULL;
        for (int i = 0; i < nq; i++) {
            const char *m = qs[i].relaxed ? qs[i].any : qs[i].all;
            if (idf) { /* "q#<TAB>relaxed<TAB>id:score..." (score = -bm25, as shucu shows it) */
                fprintf(idf, "%d\t%d", i, qs[i].relaxed);
                if (m) {
                    sqlite3_reset(st_score);
                    sqlite3_bind_text(st_score, 1, m, -1, SQLITE_STATIC);
                    while (sqlite3_step(st_score) == SQLITE_ROW) {
                        sqlite3_reset(st_id);
                        sqlite3_bind_int64(st_id, 1, sqlite3_column_int64(st_score, 0));
                        if (sqlite3_step(st_id) == SQLITE_ROW)
                            fprintf(idf, "\t%s:%.4f", sqlite3_column_text(st_id, 0),
                                    -sqlite3_column_double(st_score, 1));
                        sqlite3_reset(st_id);
                    }
                    sqlite3_reset(st_score);
                }
                fprintf(idf, "\n");
            }
            if (tf) {
                char *t = m ? to_tsquery(m) : NULL;
                fprintf(tf, "%s\n", t ? t : "");
                free(t);
            }
            if (ef)
                fprintf(ef, "%s\n", m ? m : "");
        }
        if (ef)
            fclose(ef);
        if (idf)
            fclose(idf);
        if (tf)
            fclose(tf);
    }

    if (checkpath) {
        /* Per query, outside the timing: whether search.c's ranking (shucu_rank,
         * phrase counts from the cache: mode exhc) and the MaxScore experiment
         * (topfts) give the exhaustive top 10 (shucu_bm25 over every row: mode
         * exh) - the same rowids in the same order, scores within 1e-9.
         * "q#<TAB>rows<TAB>server same|DIFFERENT<TAB>topfts same|DIFFERENT
         *  <TAB>topfts rows scored<TAB>rounds<TAB>essential/phrases<TAB>rid:score..."
         * (the exhaustive 10, scores to 9 places). */
        FILE *cf = fopen(checkpath, "w");
        if (!cf)
            die("cannot open the check file", NULL);
        int same_srv = 0, same_tf = 0;
        for (int i = 0; i < nq; i++) {
            const char *m = qs[i].relaxed ? qs[i].any : qs[i].all;
            const char *w = qs[i].relaxed ? qs[i].wany : qs[i].wall;
            struct topk a, b, c;
            struct topfts_stats ts = {0};
            topk_init(&a, 10);
            topk_init(&b, 10);
            topk_init(&c, 10);
            g_first = qs[i].first;
            g_nfirst = qs[i].nfirst;
            g_best_other = 0;
            long rows = m ? run_exh(st_exh, m, w, &a) : 0;
            double best_other = g_best_other;
            if (m) {
                run_exhc(st_rank, m, w, &b);
                run_topfts(st_rank, m, w, &c, &ts);
            }
            g_nfirst = 0;
            topk_sort(&a);
            topk_sort(&b);
            topk_sort(&c);
            int sb = a.n == b.n, sc = a.n == c.n;
            for (size_t j = 0; j < a.n; j++) {
                sb = sb && a.v[j].id == b.v[j].id && fabs(a.v[j].score - b.v[j].score) <= 1e-9;
                sc = sc && a.v[j].id == c.v[j].id && fabs(a.v[j].score - c.v[j].score) <= 1e-9;
            }
            same_srv += sb;
            same_tf += sc;
            fprintf(cf, "%d\t%ld\t%s\t%s\t%ld\t%d\t%d/%d", i, rows, sb ? "same" : "DIFFERENT",
                    sc ? "same" : "DIFFERENT", ts.rows_scored, ts.rounds, ts.essential, ts.phrases);
            /* as search.c shows them: a first row's score plus the best other */
            for (size_t j = 0; j < a.n; j++) {
                double shown = a.v[j].score;
                for (int k = 0; k < qs[i].nfirst; k++)
                    if (qs[i].first[k] == a.v[j].id)
                        shown += best_other;
                fprintf(cf, "\t%lld:%.9f", (long long)a.v[j].id, shown);
            }
            fprintf(cf, "\n");
            topk_free(&a);
            topk_free(&b);
            topk_free(&c);
        }
        fclose(cf);
        fprintf(stderr, "rawfts: top 10 identical to exhaustive scoring: search.c's ranking %d of %d,"
                        " MaxScore (topfts) %d of %d\n", same_srv, nq, same_tf, nq);
    }

    FILE *out = outpath ? fopen(outpath, "a") : stdout;
    if (!out)
        die("cannot open the output", NULL);
    /* Mode-major: each mode runs over all queries before the next mode, so
     * no mode finds the pages another mode just read for the same query. */
    const char *order[9] = {"build", "top10", "count", "pass", "facets", "wide", "exh", "topfts", "exhc"};
    int on[9] = {m_build, m_top, m_count, m_pass, m_fac, m_nar, m_exh, m_tf, m_exhc};
    for (int r = 0; r < reps; r++) {
        for (int k = 0; k < 9; k++) {
            if (!on[k])
                continue;
            for (int i = 0; i < nq; i++) {
                const char *m = qs[i].relaxed ? qs[i].any : qs[i].all;
                double t0 = now_ms();
                long n = 0;
                if (k == 0) {
                    struct query a = {0}, b = {0};
                    build(qs[i].text, QUERY_ALL, &a);
                    if (qs[i].relaxed)
                        build(qs[i].text, QUERY_ANY, &b);
                    double ms = now_ms() - t0;
                    query_free(&a);
                    query_free(&b);
                    fprintf(out, "build\t%d\t%.4f\t0\n", i, ms);
                    continue;
                }
                if (!m)
                    continue;
                /* A relaxed query runs the ALL expression (finding nothing)
                 * and then the relaxation, as search.c does. */
                if (k == 1) {
                    if (qs[i].relaxed)
                        run_top10(st_top, qs[i].all, NULL);
                    n = run_top10(st_top, m, NULL);
                } else if (k == 2) {
                    if (qs[i].relaxed)
                        run_count(st_count, qs[i].all);
                    n = run_count(st_count, m);
                } else if (k >= 6) {
                    const char *w = qs[i].relaxed ? qs[i].wany : qs[i].wall;
                    struct topk h;
                    struct topfts_stats ts;
                    if (qs[i].relaxed) {
                        topk_init(&h, 10);
                        if (k == 6)
                            run_exh(st_exh, qs[i].all, qs[i].wall, &h);
                        else if (k == 7)
                            run_topfts(st_rank, qs[i].all, qs[i].wall, &h, &ts);
                        else
                            run_exhc(st_rank, qs[i].all, qs[i].wall, &h);
                        topk_free(&h);
                    }
                    topk_init(&h, 10);
                    g_first = qs[i].first;
                    g_nfirst = qs[i].nfirst;
                    n = k == 6   ? run_exh(st_exh, m, w, &h)
                        : k == 7 ? run_topfts(st_rank, m, w, &h, &ts)
                                 : run_exhc(st_rank, m, w, &h);
                    g_nfirst = 0;
                    topk_free(&h);
                } else {
                    sqlite3_stmt *st = k == 5 ? st_nar : st_pass;
                    if (qs[i].relaxed)
                        run_pass(st, qs[i].all, k >= 4);
                    n = run_pass(st, m, k >= 4);
                }
                fprintf(out, "%s\t%d\t%.4f\t%ld\n", order[k], i, now_ms() - t0, n);
            }
        }
    }
    if (out != stdout)
        fclose(out);
    sqlite3_finalize(st_top);
    sqlite3_finalize(st_count);
    sqlite3_finalize(st_pass);
    sqlite3_finalize(st_id);
    sqlite3_finalize(st_exh);
    sqlite3_finalize(st_rank);
    sqlite3_finalize(st_score);
    sqlite3_finalize(st_nar);
    sqlite3_finalize(df_st);
    dfcache_free(dfc);
    sqlite3_close(db);
    syn_free(syn);
    return 0;
}
