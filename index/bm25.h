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

/* Registers shucu_bm25 on db; SQLITE_OK or an error code. */
int bm25_register(sqlite3 *db);

#endif
