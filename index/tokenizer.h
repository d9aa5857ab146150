/*
 * tokenizer.h - the "shucu" FTS5 tokenizer, the plain tokenizer under it,
 * and the text normalisation that cache keys use.
 *
 * Chinese has no spaces, so a whole run of Han characters cannot be one
 * token (unicode61) and trigrams miss two-character words (质检, 排产).
 * shucu cuts text into runs of one script and emits:
 *   - Han runs as overlapping bigrams (质量检测 -> 质量 量检 检测); a run of
 *     one Han character as that character alone;
 *   - runs of ASCII letters and digits as one lower-cased word (5G -> 5g),
 *     at most TOK_MAX_WORD bytes (longer words are truncated);
 *   - nothing for whitespace, punctuation, symbols, emoji, other scripts
 *     and invalid UTF-8: each is a break between runs.
 * Full-width forms U+FF01-FF5E fold to ASCII first (ＭＥＳ -> mes) and
 * U+3000 is a space; Han characters fold from traditional to simplified
 * (tok_t2s: 質檢 -> 质检), so either script finds the other.  The same tokenizer runs on documents and on queries,
 * so the FTS5 phrase "质量检测" matches the adjacent bigrams of 质量检测.
 */
#ifndef SHUCU_TOKENIZER_H
#define SHUCU_TOKENIZER_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define TOK_MAX_WORD 64 /* bytes kept of one Latin word */

/* The version of the tokens tok_run produces: an index built by another
 * version is rebuilt when the database is opened (db.c). */
#define TOK_VERSION 2

/*
 * Called once per token, in text order.  run numbers the runs of one
 * script (0, 1, 2, ...): tokens with the same run came from one unbroken
 * stretch of Han or of Latin text.  token/len is the normalised token
 * (valid only during the call, not NUL-terminated); start/end are byte
 * offsets of the token's characters in the ORIGINAL text, end exclusive
 * (a truncated word still spans the whole word).  Return 0 to go on;
 * any other value stops tok_run, which returns it.
 */
typedef int (*tok_fn)(void *ctx, int run, const char *token, int len,
                      int start, int end);

/*
 * Tokenizes text[0..len) (len < 0: text is NUL-terminated).  Returns 0,
 * or the first non-zero value fn returned.  Never reads outside the text.
 */
int tok_run(const char *text, int len, tok_fn fn, void *ctx);

/*
 * Registers the tokenizer as "shucu" on db through fts5_api (v1 tokenizer
 * interface).  Tokenizer arguments are accepted and ignored; query and
 * prefix tokenization produce the same tokens as documents.  Returns
 * SQLITE_OK or an SQLite error code (SQLITE_ERROR if FTS5 is missing).
 */
int tok_register(sqlite3 *db);

/* db's fts5_api (version 2 or later), for registering auxiliary
 * functions; NULL if FTS5 is missing. */
fts5_api *tok_fts5_api(sqlite3 *db);

/*
 * Normalises text for cache keys and display-independent comparison:
 * full-width forms fold to ASCII, ASCII letters are lower-cased, runs of
 * whitespace (ASCII, U+3000, control characters and invalid UTF-8 bytes)
 * become one space, and the result is trimmed.  Returns a malloc'd
 * NUL-terminated string the caller frees, never longer than len; NULL on
 * out-of-memory.
 */
char *tok_normalize(const char *text, size_t len);

/*
 * tok_normalize, and then every character as the tokenizer reads it:
 * what substring matching against indexed text compares (the problem-
 * phrase lexicon, lexicon.h).  A malloc'd NUL-terminated string the
 * caller frees; NULL on out-of-memory.
 */
char *tok_fold(const char *text, size_t len);

/* The simplified form of Han character cp as the tokenizer folds it (one
 * character to one, from OpenCC's t2s conversion of the character alone:
 * t2s_table.h); any other code point is returned unchanged. */
uint32_t tok_t2s(uint32_t cp);

#endif
