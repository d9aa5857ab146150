/*
 * db.h - one SQLite connection per thread, migrations, statement cache.
 *
 * Every connection is opened the same way: WAL journal, synchronous=FULL
 * (a 2xx means the write is on disk), a busy timeout, foreign keys on,
 * and shucu's FTS5 tokenizer registered.  The schema is a list of
 * numbered migrations applied in one transaction at open time, tracked
 * with PRAGMA user_version, so any verb may be the first to touch a file.
 *
 * Statements are prepared once per connection: db_stmt() keys its cache
 * by the address of the SQL text, so callers keep their SQL in static
 * const strings next to the code that uses it and always bind values.
 */
#ifndef SHUCU_DB_H
#define SHUCU_DB_H

#include <sqlite3.h>
#include <stdint.h>

struct db;

/* Opens (creating if needed) and migrates path.  Returns NULL after
 * logging the reason. */
struct db *db_open(const char *path);
void db_close(struct db *db);
sqlite3 *db_handle(struct db *db);

/* Returns the cached, reset statement for sql (which must be a string
 * with static storage).  NULL on a prepare error (logged). */
sqlite3_stmt *db_stmt(struct db *db, const char *sql);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK; 0 on success. */
int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);

/* Runs one statement with no result rows; 0 on success. */
int db_exec(struct db *db, const char *sql);

/* Schema version this build migrates to. */
int db_schema_version(void);
/* Size of the database file in bytes (page_count * page_size). */
int64_t db_size(struct db *db);

/* Binds text that may be NULL. */
int db_bind_text(sqlite3_stmt *st, int i, const char *s);

#endif
