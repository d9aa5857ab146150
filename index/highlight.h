/*
 * highlight.h - shucu_highlight(), an FTS5 auxiliary function that marks
 * the matched text of one column.
 *
 * FTS5's built-in highlight() walks token positions, which goes wrong
 * with overlapping bigrams: two matched phrases whose tokens share a
 * character (质量检测 / 检测数据) can repeat text between the marks.  This
 * function works in bytes instead: each phrase instance becomes the byte
 * range from its first token's start to its last token's end, overlapping
 * and touching ranges are merged, and the text is copied once with \x01
 * before and \x02 after each range.  Callers turn the markers into
 * <mark> after escaping (validation keeps control characters out of the
 * indexed text, so the markers are unambiguous).
 *
 *   SELECT shucu_highlight(t, 0) FROM t WHERE t MATCH ?;
 */
#ifndef SHUCU_HIGHLIGHT_H
#define SHUCU_HIGHLIGHT_H

#include <sqlite3.h>

/* Registers shucu_highlight on db; SQLITE_OK or an error code. */
int hl_register(sqlite3 *db);

#endif
