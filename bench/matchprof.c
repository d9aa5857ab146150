/*
 * matchprof.c - where POST /v1/match spends its time, stage by stage,
 * outside the server: it repeats server/match.c's match_need() steps on
 * the benchmark database (read-only, same tokenizer and query builder) for
 * each need and times them, plus two what-ifs.
 *
 *   build     query_build(need text, QUERY_ANY, max_terms 24,
 *             max_df_ratio 0.5, synonyms, df from resources_vocab through
 *             the server's df cache, index/dfcache.h) - rows column: the
 *             number of df look-ups it asked for, hit or not
 *   text      match.c's SQL_TEXT: the OR-ed terms against resources_fts
 *             joined to resources_hot, best 300 by BM25 (kind filter off);
 *             terms chosen within the postings budget (--max-postings,
 *             default 10000 like the server's --match-postings)
 *   struct    match.c's two SQL_STRUCT look-ups (industry, then general)
 *   features  match.c's SQL_FEATURES for every candidate (point look-ups)
 *   matches   count(*) of the rows the text expression matches
 *   what-if   text_nojoin: SQL_TEXT without the join to resources_hot
 *             text_noprefix: SQL_TEXT without the single-character
 *             prefix terms ("万"*, "台"*) of the expression
 *
 * Output: "stage<TAB>need#<TAB>ms<TAB>rows" per execution.
 *
 *   matchprof --db DB --needs NEEDS.ndjson --reps N [--schemas DIR] [--out FILE]
 *             [--exprs FILE]   (each need's match expression, "need#<TAB>expr")
 */
#include "bm25.h"
#include "dfcache.h"
#include "query.h"
#include "tokenizer.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXN 1000

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *msg, sqlite3 *db)
{
    fprintf(stderr, "matchprof: %s%s%s\n", msg, db ? ": " : "", db ? sqlite3_errmsg(db) : "");
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
 * the benchmark database does not change, so one generation (0);
 * df_calls counts what query_build asked for, hit or not. */
static sqlite3_stmt *df_st;
static struct dfcache *dfc;
static long df_calls;
static long df_cb(void *ctx, const char *token, int len)
{
    df_calls++;
    if (!dfc && !(dfc = dfcache_new()))
        abort();
    return dfcache_get(dfc, 0, df_st, token, len);
}

/* The expression without its "x"* terms (match expressions are flat ORs). */
static char *drop_prefix_terms(const char *m)
{
    char *out = malloc(strlen(m) + 1);
    size_t n = 0;
    const char *p = m;
    while (*p) {
        const char *e = strstr(p, " OR ");
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (!(l > 1 && p[l - 1] == '*')) {
            if (n) {
                memcpy(out + n, " OR ", 4);
                n += 4;
            }
            memcpy(out + n, p, l);
            n += l;
        }
        p = e ? e + 4 : p + l;
    }
    out[n] = '\0';
    return out;
}

static char *arg(int argc, char **argv, const char *name, const char *def)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return (char *)def;
}

struct need {
    char *text, *industry, *scenarios, *match, *noprefix;
    long long *cands;
    int ncands;
};

int main(int argc, char **argv)
{
    const char *dbpath = arg(argc, argv, "--db", NULL);
    const char *needs = arg(argc, argv, "--needs", NULL);
    const char *schemas = arg(argc, argv, "--schemas", "schemas");
    const char *outpath = arg(argc, argv, "--out", NULL);
    const char *exprpath = arg(argc, argv, "--exprs", NULL);
    int reps = atoi(arg(argc, argv, "--reps", "3"));
    /* the server's default --match-postings (config.c) */
    long max_postings = atol(arg(argc, argv, "--max-postings", "10000"));
    if (!dbpath || !needs || reps < 1 || reps > 10000) {
        fprintf(stderr, "usage: matchprof --db DB --needs FILE --reps N [--schemas DIR] [--out FILE]"
                        " [--max-postings N]\n");
        return 2;
    }
    char err[512], *path;
    struct syn *syn;
    if (asprintf(&path, "%s/synonyms.json", schemas) < 0 || syn_load(path, &syn, err, sizeof err) < 0)
        die(err, NULL);
    free(path);
    sqlite3 *db;
    if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die("cannot open the database", db);
    if (tok_register(db) != SQLITE_OK || bm25_register(db) != SQLITE_OK)
        die("cannot register the tokenizer", db);
    sqlite3_exec(db, "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-32000", NULL, NULL, NULL);
    df_st = prep(db, "SELECT doc FROM resources_vocab WHERE term = ?1");
    long ndocs = 0;
    sqlite3_stmt *nd = prep(db, "SELECT count(*) FROM resources WHERE status = 'published'");
    if (sqlite3_step(nd) == SQLITE_ROW)
        ndocs = (long)sqlite3_column_int64(nd, 0);
    sqlite3_finalize(nd);
    /* server/match.c, verbatim */
    sqlite3_stmt *st_text = prep(db,
        "SELECT f.rowid, -shucu_bm25(resources_fts, d.sz, 10.0, 4.0, 1.0, 4.0, 3.0) AS s"
        " FROM resources_fts f JOIN resources_hot r ON r.rid = f.rowid"
        " LEFT JOIN resources_fts_docsize d ON d.id = f.rowid"
        " WHERE resources_fts MATCH ?1 AND (?2 = 0 OR r.kind_bit & ?2)"
        " ORDER BY s DESC LIMIT ?3");
    sqlite3_stmt *st_struct = prep(db,
        "SELECT DISTINCT rid FROM resource_is WHERE industry = ?1"
        " AND scenario IN (SELECT value FROM json_each(?2)) ORDER BY rid DESC LIMIT ?3");
    sqlite3_stmt *st_feat = prep(db,
        "SELECT industry_mask, scenario_mask, region_mask, price_min, level_from, level_to,"
        " rating_sum, rating_count, case_count, deploy_days, delivery_bit, kind_bit"
        " FROM resources_hot WHERE rid = ?1");
    /* what-if: no join */
    sqlite3_stmt *st_nojoin = prep(db,
        "SELECT f.rowid, -shucu_bm25(resources_fts, d.sz, 10.0, 4.0, 1.0, 4.0, 3.0) AS s"
        " FROM resources_fts f LEFT JOIN resources_fts_docsize d ON d.id = f.rowid"
        " WHERE resources_fts MATCH ?1 ORDER BY s DESC LIMIT ?2");
    sqlite3_stmt *st_count = prep(db, "SELECT count(*) FROM resources_fts WHERE resources_fts MATCH ?1");

    static struct need ns[MAXN];
    int n = 0;
    FILE *f = fopen(needs, "r");
    if (!f)
        die("cannot open the needs", NULL);
    char *line = NULL;
    size_t cap = 0;
    while (n < MAXN && getline(&line, &cap, f) > 0) {
        json_t *j = json_loads(line, 0, NULL);
        if (!j)
            continue;
        const char *t = json_string_value(json_object_get(j, "title"));
        const char *d = json_string_value(json_object_get(j, "description"));
        /* match.c's need_text: the title counts twice */
        if (asprintf(&ns[n].text, "%s\n%s\n%s", t ? t : "", t ? t : "", d ? d : "") < 0)
            die("out of memory", NULL);
        const char *ind = json_string_value(json_object_get(j, "industry"));
        ns[n].industry = strdup(ind ? ind : "");
        ns[n].scenarios = json_dumps(json_object_get(j, "scenarios"), JSON_COMPACT);
        json_decref(j);
        n++;
    }
    free(line);
    fclose(f);

    FILE *out = outpath ? fopen(outpath, "a") : stdout;
    if (!out)
        die("cannot open the output", NULL);
    struct query_opts o = {.mode = QUERY_ANY, .syn = syn, .max_terms = 24, .max_df_ratio = 0.5,
                           .max_postings = max_postings, .df = df_cb, .ndocs = ndocs};
    for (int r = 0; r < reps; r++) {
        /* stage-major, like rawfts: each stage over all needs in turn */
        for (int i = 0; i < n; i++) {
            struct query q = {0};
            df_calls = 0;
            double t0 = now_ms();
            if (query_build(ns[i].text, strlen(ns[i].text), &o, &q) < 0)
                die("query_build failed", NULL);
            fprintf(out, "build\t%d\t%.4f\t%ld\n", i, now_ms() - t0, df_calls);
            if (!ns[i].match && q.match) {
                ns[i].match = strdup(q.match);
                ns[i].noprefix = drop_prefix_terms(q.match);
            }
            query_free(&q);
        }
        for (int i = 0; i < n; i++) {
            if (!ns[i].match)
                continue;
            double t0 = now_ms();
            sqlite3_bind_text(st_text, 1, ns[i].match, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st_text, 2, 0);
            sqlite3_bind_int(st_text, 3, 300);
            long rows = 0;
            if (!ns[i].cands)
                ns[i].cands = calloc(1000, sizeof *ns[i].cands);
            while (sqlite3_step(st_text) == SQLITE_ROW) {
                if (rows < 300)
                    ns[i].cands[rows] = sqlite3_column_int64(st_text, 0);
                rows++;
            }
            sqlite3_reset(st_text);
            ns[i].ncands = (int)rows;
            fprintf(out, "text\t%d\t%.4f\t%ld\n", i, now_ms() - t0, rows);
        }
        for (int i = 0; i < n; i++) {
            double t0 = now_ms();
            const char *inds[2] = {ns[i].industry, "general"};
            int caps[2] = {400, 200};
            long rows = 0;
            for (int k = 0; k < 2; k++) {
                if (k == 1 && strcmp(inds[0], "general") == 0)
                    break;
                sqlite3_bind_text(st_struct, 1, inds[k], -1, SQLITE_STATIC);
                sqlite3_bind_text(st_struct, 2, ns[i].scenarios, -1, SQLITE_STATIC);
                sqlite3_bind_int(st_struct, 3, caps[k]);
                while (sqlite3_step(st_struct) == SQLITE_ROW) {
                    if (ns[i].ncands < 1000)
                        ns[i].cands[ns[i].ncands++] = sqlite3_column_int64(st_struct, 0);
                    rows++;
                }
                sqlite3_reset(st_struct);
            }
            fprintf(out, "struct\t%d\t%.4f\t%ld\n", i, now_ms() - t0, rows);
        }
        for (int i = 0; i < n; i++) {
            double t0 = now_ms();
            long s = 0;
            for (int k = 0; k < ns[i].ncands; k++) {
                sqlite3_bind_int64(st_feat, 1, ns[i].cands[k]);
                if (sqlite3_step(st_feat) == SQLITE_ROW)
                    s += sqlite3_column_int64(st_feat, 0);
                sqlite3_reset(st_feat);
            }
            fprintf(out, "features\t%d\t%.4f\t%d\n", i, now_ms() - t0, ns[i].ncands);
            (void)s;
        }
        for (int i = 0; i < n; i++) {
            if (!ns[i].match)
                continue;
            double t0 = now_ms();
            sqlite3_bind_text(st_nojoin, 1, ns[i].match, -1, SQLITE_STATIC);
            sqlite3_bind_int(st_nojoin, 2, 300);
            long rows = 0;
            while (sqlite3_step(st_nojoin) == SQLITE_ROW)
                rows++;
            sqlite3_reset(st_nojoin);
            fprintf(out, "text_nojoin\t%d\t%.4f\t%ld\n", i, now_ms() - t0, rows);
        }
        for (int i = 0; i < n; i++) {
            if (!ns[i].noprefix || !*ns[i].noprefix)
                continue;
            double t0 = now_ms();
            sqlite3_bind_text(st_text, 1, ns[i].noprefix, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st_text, 2, 0);
            sqlite3_bind_int(st_text, 3, 300);
            long rows = 0;
            while (sqlite3_step(st_text) == SQLITE_ROW)
                rows++;
            sqlite3_reset(st_text);
            fprintf(out, "text_noprefix\t%d\t%.4f\t%ld\n", i, now_ms() - t0, rows);
        }
        if (r == 0)
            for (int i = 0; i < n; i++) {
                long c = 0, c2 = 0;
                if (ns[i].match) {
                    sqlite3_bind_text(st_count, 1, ns[i].match, -1, SQLITE_STATIC);
                    if (sqlite3_step(st_count) == SQLITE_ROW)
                        c = (long)sqlite3_column_int64(st_count, 0);
                    sqlite3_reset(st_count);
                }
                if (ns[i].noprefix && *ns[i].noprefix) {
                    sqlite3_bind_text(st_count, 1, ns[i].noprefix, -1, SQLITE_STATIC);
                    if (sqlite3_step(st_count) == SQLITE_ROW)
                        c2 = (long)sqlite3_column_int64(st_count, 0);
                    sqlite3_reset(st_count);
                }
                fprintf(out, "matches\t%d\t0\t%ld\n", i, c);
                fprintf(out, "matches_noprefix\t%d\t0\t%ld\n", i, c2);
            }
    }
    if (out != stdout)
        fclose(out);
    if (exprpath) {
        FILE *ef = fopen(exprpath, "w");
        for (int i = 0; ef && i < n; i++)
            fprintf(ef, "%d\t%s\n", i, ns[i].match ? ns[i].match : "");
        if (ef)
            fclose(ef);
    }
    sqlite3_finalize(st_text);
    sqlite3_finalize(st_struct);
    sqlite3_finalize(st_feat);
    sqlite3_finalize(st_nojoin);
    sqlite3_finalize(st_count);
    sqlite3_finalize(df_st);
    dfcache_free(dfc);
    sqlite3_close(db);
    syn_free(syn);
    return 0;
}
