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
#include <stddef.h>
#include <stdint.h>

struct db;

/* Opens (creating if needed) and migrates path.  Returns NULL after
 * logging the reason. */
struct db *db_open(const char *path);

/* SQLite's process-wide settings, before any other SQLite call: no
 * allocation statistics (they take a global mutex on every malloc SQLite
 * makes, which showed up as 4 % of a match's profile).  shucud and the
 * benchmark tools that stand in for it call it. */
void db_configure_process(void);
void db_close(struct db *db);
sqlite3 *db_handle(struct db *db);

/* Returns the cached, reset statement for sql (which must be a string
 * with static storage).  NULL on a prepare error (logged). */
sqlite3_stmt *db_stmt(struct db *db, const char *sql);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK; 0 on success. */
int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);

/* A read transaction around several statements (one snapshot, one WAL
 * read lock).  db_read_begin returns 0 when it began one, -1 when the
 * connection is already in a transaction or BEGIN failed; call
 * db_read_end only after a 0. */
int db_read_begin(struct db *db);
void db_read_end(struct db *db);

/* Runs one statement with no result rows; 0 on success. */
int db_exec(struct db *db, const char *sql);

/* The data generation (migration 4): bumped by triggers in every write
 * transaction that can change a search or match; -1 on error. */
long long db_generation(struct db *db);

/* The identity of the database file (migration 6) as of the last
 * db_generation() call: a cache key holds both, so a restore or another
 * file sharing the Redis never meets an answer cached for other data. */
long long db_identity(struct db *db);
/* Gives the database a new identity (after a restore); 0 or -1. */
int db_new_identity(struct db *db);

/* resources_hot (migration 5) holds a copy of the hot columns of the
 * published resources, kept by triggers.  db_hot_rebuild() refills it
 * from resources (0 on success); db_hot_mismatches() counts the rows
 * where the two disagree (0 when in step, -1 on error). */
int db_hot_rebuild(struct db *db);
long db_hot_mismatches(struct db *db);

/* Schema version this build migrates to. */
int db_schema_version(void);
/* Size of the database file in bytes (page_count * page_size). */
int64_t db_size(struct db *db);

/* Writes and their failures (for /healthz): db_commit notes every outcome
 * itself; write.h notes a failure inside a transaction that is rolled back.
 * db_write_health() is 1 when the last write of the process succeeded (and
 * a write probe, run at most every 5 s, succeeds), else 0 with *why. */
void db_note_write(struct db *db, int ok);
int db_write_health(struct db *db, char *why, size_t n);
/* Caps the database file at bytes (0: none) for every connection opened
 * afterwards: writes beyond it fail like a full disk (--max-db-mb). */
void db_set_max_bytes(int64_t bytes);

/* Binds text that may be NULL. */
int db_bind_text(sqlite3_stmt *st, int i, const char *s);

#endif
