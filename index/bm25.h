/*
 * bm25.h - shucu_bm25(), FTS5's bm25() with the row's length read by the
 * query instead of by the ranking function.
 *
 * FTS5's bm25() needs each matching row's length in tokens and asks for
 * it through xColumnSize, which runs a statement against the table's
 * %_docsize shadow table for every row.  On a broad query that is most
 * of the ranking: 13.5 of the 23.4 ms that bm25() costs over the 21,581
 * rows `AI质检` matches in the 100k benchmark corpus.  shucu_bm25 takes
 * the row's %_docsize blob as an argument, read by a join in the same
 * statement (one cursor seek), and computes the same score by the same
 * formula (k1 = 1.2, b = 0.75, per-column weights, IDF from each
 * phrase's document count, never below 1e-6):
 *
 *   SELECT t.rowid, shucu_bm25(t, d.sz, 10.0, 4.0) FROM t
 *     JOIN t_docsize d ON d.id = t.rowid WHERE t MATCH ?1;
 *
 * An optional text argument after the column weights gives each phrase of
 * the MATCH expression (in the order FTS5 numbers them: left to right) a
 * weight and the IDF it uses: space-separated items "w" (weight w, its
 * own IDF) or "w<k" (weight w, the IDF of the phrase k places earlier),
 *
 *   shucu_bm25(t, d.sz, 10.0, 4.0, '1 0.5<1 0.5<2 1')
 *
 * for ("质检" OR "质量检测" OR "品质检测") AND "视觉": the synonyms count half
 * of the word typed and take its IDF, so a rare synonym never outscores
 * the word itself.  Phrases without an item weigh 1.  query.h writes the
 * spec along with the expression (struct query, weights).
 *
 * Like bm25() it returns the negated score (lower is better).  A NULL or
 * malformed blob falls back to xColumnSize, so a wrong join costs speed,
 * never a wrong score.  tests/unit/test_bm25.c checks the scores against
 * bm25() itself.
 */
#ifndef SHUCU_BM25_H
#define SHUCU_BM25_H

#include <sqlite3.h>
#include <stdint.h>

/*
 * shucu_rank(t, d.sz, ?) is shucu_bm25 for a caller that runs several
 * statements over one expression (index/topfts.h): the third argument is
 * a struct bm25_rank bound with sqlite3_bind_pointer(st, i, r,
 * BM25_RANK_PTR, NULL), which says which phrases of the MATCH expression
 * are scored (n of them from off: the expression may hold other phrases
 * before them) and carries what is computed once: the phrases' IDFs
 * (from hits[i] when >= 0, else counted by xQueryPhrase as bm25() does,
 * and stored back), the average row length and the column weights.  The
 * score of a row is shucu_bm25's, computed by the same formula in the
 * same order (the same double), its phrase frequencies read with
 * xPhraseFirst instead of the whole instance array.
 */
#define BM25_RANK_MAX 64  /* phrases scored, at most */
#define BM25_RANK_COLS 16 /* columns, at most */
#define BM25_RANK_PTR "shucu_bm25_rank"

struct bm25_rank {
    /* set by the caller */
    int off, n;            /* phrases off .. off+n-1 of the expression are scored */
    long hits[BM25_RANK_MAX]; /* rows holding each phrase; -1: count it */
    const char *spec;      /* phrase weights (as shucu_bm25's text argument) */
    const double *colw_in; /* column weights, ncolw of them (1.0 for the rest) */
    int ncolw;
    /* rows' lengths in tokens, by rowid: lens[rowid] = length + 1, 0 when
     * unknown (then the docsize argument, else FTS5, gives it); may be NULL */
    const uint32_t *lens;
    int64_t nlens;
    /* filled on the first row */
    int ready, ncol;
    long rows;             /* rows in the table */
    double avgdl;
    double idf[BM25_RANK_MAX]; /* IDF times the phrase's weight */
    double colw[BM25_RANK_COLS];
    long rows_scored;      /* rows the function ran on (statistics) */
};

/* The phrases of a MATCH expression as index/query.c writes them (quoted
 * phrases with an optional *, AND, OR, NOT, parentheses), in the order
 * FTS5 numbers them: their count, and at most max of them as (offset,
 * length) of the quoted text (with its *); -1 for anything else. */
int bm25_phrases(const char *expr, int (*at)[2], int max);

/* The most phrase i can add to a row's score (its weighted IDF times
 * k1 + 1, the limit of the BM25 term as the frequency grows); HUGE_VAL
 * before r is ready. */
double bm25_rank_bound(const struct bm25_rank *r, int i);

/* A row's length in tokens from its %_docsize blob (one varint per
 * column, ncol of them); -1 when the blob is not that. */
double bm25_docsize_tokens(const void *blob, int n, int ncol);

/* Registers shucu_bm25 and shucu_rank on db; SQLITE_OK or an error code. */
int bm25_register(sqlite3 *db);

#endif
