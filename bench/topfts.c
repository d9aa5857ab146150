/*
 * topfts.c (bench/: an experiment, measured in docs/benchmarks.md, not used by the server) - the best k rows of an FTS5 expression without scoring every
 * match (see topfts.h for the method and why it is exact).
 *
 * Invariants: every row that can be among the best k is scored in round 1
 * or round 2, never twice (round 2 excludes round 1's rows with NOT); a
 * phrase's bound is never below what it adds to any row's score, so the
 * rows left out all score below the threshold.
 */
#include "topfts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Each phrase's weight from the spec (bm25.h), 1 where it gives none. */
static void spec_weights(const char *spec, double *w, int n)
{
    for (int i = 0; i < n; i++)
        w[i] = 1.0;
    const char *p = spec;
    for (int i = 0; i < n && p && *p; i++) {
        char *end;
        while (*p == ' ')
            p++;
        double v = strtod(p, &end);
        if (end == p)
            break;
        if (*end == '<')
            strtol(end + 1, &end, 10);
        p = end;
        w[i] = v >= 0 && v <= 16 ? v : 1.0;
    }
}

struct sbuf {
    char *s;
    size_t n, cap;
};

static int sb_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->n + n + 1) * 2;
        char *t = realloc(b->s, cap);
        if (!t)
            return -1;
        b->s = t;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
    return 0;
}

static int sb_str(struct sbuf *b, const char *s)
{
    return sb_add(b, s, strlen(s));
}

/* Steps t->st over expr with r, pushing every row into out; 0 or -1. */
static int run_round(const struct topfts *t, const char *expr, struct bm25_rank *r,
                     struct topk *out, struct topfts_stats *stats)
{
    sqlite3_stmt *st = t->st;
    sqlite3_reset(st);
    sqlite3_bind_text(st, t->match_param, expr, -1, SQLITE_STATIC);
    sqlite3_bind_pointer(st, t->rank_param, r, BM25_RANK_PTR, NULL);
    int rc;
    long before = r->rows_scored;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        double score = -sqlite3_column_double(st, 1);
        struct topk_item it = {.key = -score, .score = score, .id = sqlite3_column_int64(st, 0)};
        topk_push(out, it);
    }
    sqlite3_reset(st);
    stats->rounds++;
    stats->rows_scored += r->rows_scored - before;
    return rc == SQLITE_DONE ? 0 : -1;
}

struct group {
    int first;    /* a phrase of the group (the others have its text) */
    double bound; /* the sum of its phrases' bounds */
};

static int by_bound(const void *a, const void *b)
{
    double x = ((const struct group *)a)->bound, y = ((const struct group *)b)->bound;
    return x < y ? -1 : x > y;
}

/* Whether a phrase of weight wa in ha rows makes a better next round than
 * one of weight wb in hb rows (-1: unknown), when need more rows are
 * wanted: the heavier (the larger bound), then the rarest of those that can
 * fill the heap, else the most frequent. */
static int better_first(double wa, long ha, double wb, long hb, long need)
{
    if (wa != wb)
        return wa > wb;
    if (ha < 0 || hb < 0)
        return 0;
    if ((ha >= need) != (hb >= need))
        return ha >= need;
    return ha >= need ? ha < hb : ha > hb;
}

/* Appends (" OR "-joined) the phrases of the groups flagged in sel. */
static int add_set(struct sbuf *b, const char *m, const int (*at)[2], const int *same, int n,
                   const unsigned char *sel)
{
    int any = 0;
    for (int i = 0; i < n; i++) {
        if (same[i] != i || !sel[i])
            continue;
        if ((any++ && sb_str(b, " OR ")) || sb_add(b, m + at[i][0], (size_t)at[i][1]))
            return -1;
    }
    return 0;
}

int topfts_run(const struct topfts *t, struct topk *out, struct topfts_stats *stats)
{
    int at[BM25_RANK_MAX][2];
    memset(stats, 0, sizeof *stats);
    int n = bm25_phrases(t->match, at, BM25_RANK_MAX);
    if (n <= 0 || n > BM25_RANK_MAX)
        return 1;
    stats->phrases = n;
    const char *m = t->match;
    struct bm25_rank *r = calloc(1, sizeof *r);
    struct sbuf b = {0};
    struct group g[BM25_RANK_MAX];
    double w[BM25_RANK_MAX];
    int same[BM25_RANK_MAX];            /* same[i]: the first phrase with i's text */
    unsigned char done[BM25_RANK_MAX] = {0}, ess[BM25_RANK_MAX] = {0}; /* by first phrase */
    int rc = -1, ndone = 0, ngroups = 0;
    if (!r)
        return -1;
    spec_weights(t->weights, w, n);
    r->n = n;
    r->spec = t->weights;
    r->colw_in = t->colw;
    r->ncolw = t->ncolw;
    r->lens = t->lens;
    r->nlens = t->nlens;
    for (int i = 0; i < n; i++) {
        same[i] = i;
        for (int j = 0; j < i; j++)
            if (at[j][1] == at[i][1] && memcmp(m + at[j][0], m + at[i][0], (size_t)at[i][1]) == 0) {
                same[i] = j;
                break;
            }
        ngroups += same[i] == i;
        r->hits[i] = -1;
        if (t->hits && same[i] == i)
            r->hits[i] = t->hits(t->hits_ctx, m + at[i][0], at[i][1]);
        else if (same[i] != i)
            r->hits[i] = r->hits[same[i]];
    }
    /* One phrase, or one that most rows hold: rounds would cost more than
     * they save, so every row is scored in one statement. */
    long sum_hits = 0, max_hits = 0;
    int known = 1;
    for (int i = 0; i < n; i++)
        if (same[i] == i) {
            known &= r->hits[i] >= 0;
            sum_hits += r->hits[i];
            if (r->hits[i] > max_hits)
                max_hits = r->hits[i];
        }
    if (ngroups == 1 || (known && max_hits * TOPFTS_DOMINANT_DIV >= sum_hits)) {
        r->off = 0;
        rc = run_round(t, m, r, out, stats);
        stats->all = 1;
        goto out;
    }
    /* Rounds of one phrase, the heaviest (then the rarest) left, until k
     * rows are kept: each scores the rows that hold it and no phrase of an
     * earlier round. */
    while (ndone < ngroups && ndone < TOPFTS_FIRST_ROUNDS && (out->n < out->cap || !out->cap)) {
        int top = -1;
        long need = (long)(out->cap - out->n);
        for (int i = 0; i < n; i++)
            if (same[i] == i && !done[i] && (top < 0 || better_first(w[i], r->hits[i], w[top],
                                                                   r->hits[top], need)))
                top = i;
        b.n = 0;
        if (sb_str(&b, "((") || sb_add(&b, m + at[top][0], (size_t)at[top][1]) ||
            sb_str(&b, ") AND (") || sb_str(&b, m) || sb_str(&b, "))"))
            goto out;
        if (ndone && (sb_str(&b, " NOT (") || add_set(&b, m, at, same, n, done) || sb_str(&b, ")")))
            goto out;
        r->off = 1;
        if (run_round(t, b.s, r, out, stats) < 0)
            goto out;
        done[top] = 1;
        ndone++;
    }
    if (ndone == ngroups) {
        rc = 0;
        goto out;
    }
    double theta = out->n == out->cap && out->n ? out->v[0].score : -HUGE_VAL;
    stats->threshold = theta > 0 ? theta : 0;
    /* The phrases left by bound, the smallest first; a text that is in
     * the expression twice is one group (its rows hold both). */
    int ng = 0;
    for (int i = 0; i < n; i++) {
        if (done[same[i]])
            continue;
        double ub = bm25_rank_bound(r, i);
        int k;
        for (k = 0; k < ng && g[k].first != same[i]; k++)
            ;
        if (k == ng)
            g[ng++] = (struct group){.first = same[i], .bound = 0};
        g[k].bound += ub;
    }
    qsort(g, (size_t)ng, sizeof g[0], by_bound);
    double sum = 0;
    int skip = 0;
    while (skip < ng && (sum + g[skip].bound) * (1 + 1e-9) < theta)
        sum += g[skip++].bound;
    stats->essential = ng - skip;
    if (skip == ng) {
        rc = 0; /* no row left unscored can reach the k-th score */
        goto out;
    }
    /* the last round: (("e1" OR ...) AND (E)) NOT (the earlier rounds'
     * phrases), or (E) NOT (...) when every phrase left is essential */
    for (int k = skip; k < ng; k++)
        ess[g[k].first] = 1;
    b.n = 0;
    if (skip == 0) {
        if (sb_str(&b, "(") || sb_str(&b, m) || sb_str(&b, ")"))
            goto out;
    } else if (sb_str(&b, "((") || add_set(&b, m, at, same, n, ess) || sb_str(&b, ") AND (") ||
               sb_str(&b, m) || sb_str(&b, "))")) {
        goto out;
    }
    if (ndone && (sb_str(&b, " NOT (") || add_set(&b, m, at, same, n, done) || sb_str(&b, ")")))
        goto out;
    r->off = skip == 0 ? 0 : ng - skip;
    rc = run_round(t, b.s, r, out, stats);
out:
    free(b.s);
    free(r);
    return rc;
}
