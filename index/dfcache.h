/*
 * dfcache.h - document frequencies, remembered.
 *
 * The query builder asks for the document frequency of dozens of tokens
 * per query, and each costs a read of the token's whole doclist through
 * an fts5vocab table, in proportion to the corpus.  A dfcache keeps them
 * in a direct-mapped table (a collision replaces the slot) valid for one
 * data generation: the server's workers pass the database's generation
 * (db.h), which every write bumps, so a repeated token costs a hash probe
 * until the data changes.  The benchmark tools pass a constant.
 *
 * Not thread-safe: one per thread.  No I/O of its own: the caller hands
 * in the prepared statement that reads one frequency.
 */
#ifndef SHUCU_DFCACHE_H
#define SHUCU_DFCACHE_H

#include <sqlite3.h>

#define DFCACHE_SLOTS 8192
#define DFCACHE_KEY 48 /* tokens of this many bytes or more are not kept */

struct dfcache;

struct dfcache *dfcache_new(void);
void dfcache_free(struct dfcache *c);

/*
 * The document frequency of token[0..len) at data generation gen: from
 * the table when it holds it for gen, else by running st (a statement
 * "SELECT doc FROM <vocab> WHERE term = ?1", reset on entry and on
 * return) and remembering the answer.  A different gen empties the table
 * first; gen < 0 (unknown) is never remembered.  0 when st finds nothing.
 */
long dfcache_get(struct dfcache *c, long long gen, sqlite3_stmt *st, const char *token, int len);

/* Calls of dfcache_get that went to SQLite (for the benchmarks). */
long dfcache_lookups(const struct dfcache *c);

#endif
