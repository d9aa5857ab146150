/*
 * topfts.h - the best k rows of an FTS5 expression by shucu's BM25
 * (shucu_rank, bm25.h) without scoring every row it matches, and the same
 * rows, in the same order and with the same scores, as scoring them all.
 *
 * MaxScore over the phrases of the expression.  A phrase can add at most
 * its bound to a row's score (bm25_rank_bound: weighted IDF times k1 + 1).
 * Round 1 scores the rows that hold the phrase with the largest bound
 * (the word typed, as a rule: a synonym weighs half of it); the k-th best
 * score so far is the threshold.  Every row not yet scored lacks that
 * phrase, so it scores at most the sum of the bounds of the phrases it
 * may hold.  Phrases are taken from the smallest bound up while their
 * bounds add up to less than the threshold: a row that holds only those
 * cannot reach it, so round 2 scores just the rows that hold one of the
 * others (the essential phrases) and are not scored yet:
 *
 *   round 1   ("p") AND (E)
 *   round 2   (("e1" OR "e2" ...) AND (E)) NOT ("p")
 *
 * where E is the expression.  A row with a score equal to the threshold is
 * always scored (the bound test is strict), so ties at the k-th place are
 * broken as the exhaustive ranking breaks them (topk.h: the larger id).
 * The expression must be what index/query.c writes: double-quoted phrases
 * (an optional * after one), AND, OR, NOT and parentheses.
 *
 * No I/O of its own: the caller hands in one prepared statement
 *
 *   SELECT <rowid>, shucu_rank(<fts>, NULL, ?R) FROM <fts> ... WHERE <fts> MATCH ?M ...
 *
 * with any other parameters (filters) already bound, and this binds ?M and
 * ?R and steps it once per round.
 */
#ifndef SHUCU_TOPFTS_H
#define SHUCU_TOPFTS_H

#include "bm25.h"
#include "topk.h"

#include <sqlite3.h>

/* Rounds of one phrase each, at most, before the threshold is used. */
#define TOPFTS_FIRST_ROUNDS 4
/* A phrase in more than 1/this of the rows its expression's phrases are
 * in (added up) leaves rounds little to skip: one statement scores all. */
#define TOPFTS_DOMINANT_DIV TOPFTS_DIV_VALUE
#ifndef TOPFTS_DIV_VALUE
#define TOPFTS_DIV_VALUE 2
#endif

struct topfts_stats {
    int rounds;        /* statements run */
    int phrases;       /* phrases of the expression */
    int essential;     /* phrases whose rows round 2 scored (besides round 1's) */
    long rows_scored;  /* rows shucu_rank scored, all rounds */
    double threshold;  /* the k-th score after round 1 (0: fewer than k) */
    int all;           /* every matching row was scored, in one statement:
                          rows_scored is how many the expression finds */
};

struct topfts {
    sqlite3_stmt *st;
    int match_param, rank_param;
    const char *match;   /* the expression */
    const char *weights; /* its phrase weights (bm25.h), may be NULL */
    const double *colw;  /* column weights */
    int ncolw;
    /* rows holding one phrase (its quoted text, as in the expression),
     * for the IDFs; may be NULL (then shucu_rank counts them, once) */
    long (*hits)(void *ctx, const char *phrase, int len);
    void *hits_ctx;
    const uint32_t *lens; /* rows' lengths (struct bm25_rank), may be NULL */
    int64_t nlens;
};

/*
 * Pushes the best rows into out (its capacity is k; key = -score, score,
 * id = rowid).  Returns 0, 1 when the expression cannot be handled (more
 * than BM25_RANK_MAX phrases, or not of the form above: the caller ranks
 * every row), or -1 on an SQLite error (out holds a part).
 */
int topfts_run(const struct topfts *t, struct topk *out, struct topfts_stats *stats);

#endif
