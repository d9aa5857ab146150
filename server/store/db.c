/*
 * db.c - SQLite connection setup, numbered migrations and a statement
 * cache (see db.h).
 *
 * Migrations are append-only: each entry of MIGRATIONS is applied once,
 * in order, inside one BEGIN IMMEDIATE transaction with the user_version
 * bump, so a crash mid-migration leaves the previous version intact and
 * two processes starting at once do not both migrate.
 *
 * Resources keep their taxonomy memberships as bitmasks (bit i = the i-th
 * code of schemas/taxonomy.json, whose order is therefore append-only):
 * filters with OR within a field become one bound integer and a fixed SQL
 * text, and facet counting is a pass over integers.
 */
#include "db.h"
#include "migrate.h"

#include "bm25.h"
#include "highlight.h"
#include "log.h"
#include "names.h"
#include "tokenizer.h"
#include "util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Slots of the statement cache: more than the static SQL texts of the
 * whole server (about 300 after issues 19 and 20), since a worker that serves
 * every route for long enough prepares each once; a full cache prepares
 * nothing more (db_stmt returns NULL, the request a 503) and logs it.  The
 * table is open-addressed; a slot is 16 bytes. */
#define STMT_CACHE 512

struct stmt_slot {
    const char *sql;
    sqlite3_stmt *st;
};

/* The WAL-index header: two copies of 48 bytes at the start of the -shm
 * file (https://sqlite.org/walformat.html, "The WAL-Index Header").  Every
 * commit rewrites it (iChange, mxFrame, checksums), copy 2 first, then,
 * after a memory barrier, copy 1. */
#define WAL_HDR_BYTES 48

struct db {
    sqlite3 *h;
    struct stmt_slot slots[STMT_CACHE];
    /* db_generation()'s fast path: SQLite's own mapping of the -shm file,
     * the header as it was before the last generation read, and that read. */
    const unsigned char *shm;
    int shm_state; /* 0 not tried yet, 1 mapped, -1 not available */
    int snap_ok;
    unsigned char snap[WAL_HDR_BYTES];
    long long gen;
    long long id; /* the identity read with gen (migration 6) */
};

#define NMIGRATIONS migrations_count

/* The last write outcome of the process (every connection, every
 * thread): when it failed and why, for /healthz.  write_lock guards why. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_llong write_failed_us, write_ok_us;
static char write_why[200];
static int64_t max_bytes; /* set once before any connection opens */

/* The generation and, in the same read, the identity (db->id). */
static long long generation_read(struct db *db)
{
    static const char SQL[] = "SELECT (SELECT v FROM meta WHERE k = 'gen'),"
                              " (SELECT v FROM meta WHERE k = 'id')";
    sqlite3_stmt *st = db_stmt(db, SQL);
    long long g = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        g = sqlite3_column_int64(st, 0);
        db->id = sqlite3_column_int64(st, 1);
    }
    if (st)
        sqlite3_reset(st);
    return g;
}

long long db_identity(struct db *db)
{
    return db->id;
}

int db_new_identity(struct db *db)
{
    return db_exec(db, "UPDATE meta SET v = random() & 9223372036854775807 WHERE k = 'id'");
}

/* SQLite's mapping of the first -shm region, through the VFS's xShmMap
 * (never our own descriptor: closing one would drop SQLite's POSIX locks
 * on the file).  NULL when the database is not in WAL mode with shared
 * memory, e.g. a VFS without it. */
static const unsigned char *shm_map(struct db *db)
{
    sqlite3_stmt *st = db_stmt(db, "PRAGMA journal_mode");
    int wal = st && sqlite3_step(st) == SQLITE_ROW &&
              sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
    if (st)
        sqlite3_reset(st);
    sqlite3_file *f = NULL;
    if (!wal || sqlite3_file_control(db->h, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK ||
        !f || !f->pMethods || f->pMethods->iVersion < 2 || !f->pMethods->xShmMap)
        return NULL;
    volatile void *p = NULL;
    if (f->pMethods->xShmMap(f, 0, 32768, 0, &p) != SQLITE_OK || !p)
        return NULL;
    return (const unsigned char *)p;
}

/* The generation changes only in a commit, and every commit rewrites the
 * WAL-index header, so while the header is what it was before the last read
 * (both copies equal: no commit half-way), that read still holds.  This
 * saves a read transaction (its WAL lock is fcntl calls) on each cached
 * answer.  Reading the header before the generation makes a commit between
 * the two show up as a changed header next time: a needless read, never a
 * stale generation. */
long long db_generation(struct db *db)
{
    unsigned char h1[WAL_HDR_BYTES], h2[WAL_HDR_BYTES];
    int consistent = 0;
    if (db->shm) {
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        memcpy(h1, db->shm, WAL_HDR_BYTES);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        memcpy(h2, db->shm + WAL_HDR_BYTES, WAL_HDR_BYTES);
        consistent = memcmp(h1, h2, WAL_HDR_BYTES) == 0;
        if (consistent && db->snap_ok && memcmp(h1, db->snap, WAL_HDR_BYTES) == 0)
            return db->gen;
    }
    long long g = generation_read(db);
    if (db->shm_state == 0 && g >= 0) {
        db->shm = shm_map(db); /* after a read: the -shm file is open */
        db->shm_state = db->shm ? 1 : -1;
        return g; /* no header was read before this one */
    }
    /* Inside a transaction the read shows the transaction's snapshot,
     * which may be older than the header: no snapshot then. */
    db->snap_ok = consistent && g >= 0 && sqlite3_get_autocommit(db->h);
    if (db->snap_ok) {
        memcpy(db->snap, h1, WAL_HDR_BYTES);
        db->gen = g;
    }
    return g;
}

int db_hot_rebuild(struct db *db)
{
    return db_exec(db, "DELETE FROM resources_hot;"
                       "INSERT INTO resources_hot SELECT " HOT_COLS_OF("") " FROM resources"
                       " WHERE status = 'published'");
}

long db_hot_mismatches(struct db *db)
{
    static const char SQL[] =
        "SELECT (SELECT count(*) FROM (SELECT " HOT_COLS_OF("") " FROM resources"
        "  WHERE status = 'published' EXCEPT SELECT * FROM resources_hot))"
        " + (SELECT count(*) FROM (SELECT * FROM resources_hot EXCEPT SELECT " HOT_COLS_OF("")
        "  FROM resources WHERE status = 'published'))";
    sqlite3_stmt *st = db_stmt(db, SQL);
    long n = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        n = (long)sqlite3_column_int64(st, 0);
    if (st)
        sqlite3_reset(st);
    return n;
}

void db_configure_process(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int db_schema_version(void)
{
    return NMIGRATIONS;
}

sqlite3 *db_handle(struct db *db)
{
    return db->h;
}

int db_exec(struct db *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db->h, sql, NULL, NULL, &err) != SQLITE_OK) {
        log_error("sqlite: %s (in: %.80s)", err ? err : "?", sql);
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

/* Resources in the database (0 when it cannot tell). */
static long db_count_rows(struct db *db)
{
    sqlite3_stmt *st;
    long n = 0;
    if (sqlite3_prepare_v2(db->h, "SELECT count(*) FROM resources", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            n = (long)sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return n;
}

static int db_user_version(struct db *db)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    return v;
}

/*
 * Rebuilds the full-text indexes when they were built by another version
 * of the tokenizer (TOK_VERSION, kept in meta as 'tokenizer'): version 2
 * folds traditional characters to simplified, so an index of version 1
 * holds 質檢 where a query now looks for 质检.  Bumps the data generation,
 * so no cached answer of the old index is served.  Inside db_migrate's
 * transaction; 0 or -1.
 */
static int db_tokens_current(struct db *db)
{
    sqlite3_stmt *st;
    int have = -1;
    if (sqlite3_prepare_v2(db->h, "SELECT v FROM meta WHERE k = 'tokenizer'", -1, &st, NULL) !=
        SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        have = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (have == TOK_VERSION)
        return 0;
    if (have >= 0 || db_count_rows(db) > 0)
        log_info("rebuilding the full-text indexes for tokenizer version %d", TOK_VERSION);
    char sql[96];
    snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO meta VALUES ('tokenizer', %d)", TOK_VERSION);
    return db_exec(db, "INSERT INTO resources_fts(resources_fts) VALUES('rebuild')") ||
                   db_exec(db, "INSERT INTO resources_len_log(rid) VALUES (-1)") || /* corpus.c */
                   db_exec(db, "INSERT INTO orgs_fts(orgs_fts) VALUES('rebuild')") ||
                   db_exec(db, "INSERT INTO needs_fts(needs_fts) VALUES('rebuild')") ||
                   db_exec(db, "UPDATE meta SET v = v + 1 WHERE k = 'gen'") || db_exec(db, sql)
               ? -1
               : 0;
}

/* Gives every organisation without one its name key (migration 9; new
 * organisations get theirs when made).  0 or -1. */
static int name_keys_fill(struct db *db)
{
    sqlite3_stmt *sel = NULL, *upd = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(db->h, "SELECT rid, name FROM orgs WHERE name_key IS NULL", -1, &sel,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->h, "UPDATE orgs SET name_key = ?2 WHERE rid = ?1", -1, &upd,
                           NULL) != SQLITE_OK)
        goto out;
    int s;
    while ((s = sqlite3_step(sel)) == SQLITE_ROW) {
        char *key = name_key((const char *)sqlite3_column_text(sel, 1));
        sqlite3_bind_int64(upd, 1, sqlite3_column_int64(sel, 0));
        if (key)
            sqlite3_bind_text(upd, 2, key, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(upd, 2);
        free(key);
        int u = sqlite3_step(upd);
        sqlite3_reset(upd);
        if (u != SQLITE_DONE)
            goto out;
    }
    rc = s == SQLITE_DONE ? 0 : -1;
out:
    if (rc < 0)
        log_error("filling organisation name keys: %s", sqlite3_errmsg(db->h));
    sqlite3_finalize(sel);
    sqlite3_finalize(upd);
    return rc;
}

static int db_migrate(struct db *db)
{
    if (db_exec(db, "BEGIN IMMEDIATE") < 0)
        return -1;
    int v = db_user_version(db);
    if (v < 0)
        goto fail;
    if (v > NMIGRATIONS) {
        log_error("database schema version %d is newer than this shucud (%d); upgrade shucud",
                  v, NMIGRATIONS);
        goto fail;
    }
    for (int i = v; i < NMIGRATIONS; i++) {
        log_info("applying schema migration %d", i + 1);
        if (db_exec(db, MIGRATIONS[i]) < 0)
            goto fail;
    }
    if (v < NMIGRATIONS) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", NMIGRATIONS);
        if (db_exec(db, sql) < 0)
            goto fail;
    }
    if (db_tokens_current(db) < 0 || name_keys_fill(db) < 0)
        goto fail;
    return db_exec(db, "COMMIT");
fail:
    db_exec(db, "ROLLBACK");
    return -1;
}

struct db *db_open(const char *path)
{
    struct db *db = xcalloc(1, sizeof *db);
    int rc = sqlite3_open_v2(path, &db->h,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                 SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        log_error("cannot open database %s: %s", path,
                  db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_busy_timeout(db->h, 10000);
    sqlite3_extended_result_codes(db->h, 1);
    if (tok_register(db->h) != SQLITE_OK || hl_register(db->h) != SQLITE_OK ||
        bm25_register(db->h) != SQLITE_OK) {
        log_error("cannot register the shucu tokenizer and functions: %s", sqlite3_errmsg(db->h));
        goto fail;
    }
    if (db_exec(db, "PRAGMA journal_mode=WAL") < 0 ||
        db_exec(db, "PRAGMA synchronous=FULL") < 0 ||
        db_exec(db, "PRAGMA foreign_keys=ON") < 0 ||
        db_exec(db, "PRAGMA temp_store=MEMORY") < 0 ||
        db_exec(db, "PRAGMA cache_size=-32000") < 0)
        goto fail;
    if (max_bytes > 0) { /* --max-db-mb: writes beyond it fail as a full disk would */
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA max_page_count=%lld", (long long)(max_bytes / 4096));
        if (db_exec(db, sql) < 0)
            goto fail;
    }
    if (db_migrate(db) < 0) {
        log_error("cannot migrate database %s", path);
        goto fail;
    }
    return db;
fail:
    db_close(db);
    return NULL;
}

void db_close(struct db *db)
{
    if (!db)
        return;
    for (int i = 0; i < STMT_CACHE; i++)
        sqlite3_finalize(db->slots[i].st);
    sqlite3_close(db->h);
    free(db);
}

sqlite3_stmt *db_stmt(struct db *db, const char *sql)
{
    size_t h = ((uintptr_t)sql >> 3) % STMT_CACHE;
    for (size_t n = 0; n < STMT_CACHE; n++, h = (h + 1) % STMT_CACHE) {
        struct stmt_slot *s = &db->slots[h];
        if (s->sql == sql) {
            sqlite3_reset(s->st);
            sqlite3_clear_bindings(s->st);
            return s->st;
        }
        if (!s->sql) {
            if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                   &s->st, NULL) != SQLITE_OK) {
                log_error("sqlite prepare: %s (in: %.120s)", sqlite3_errmsg(db->h), sql);
                sqlite3_finalize(s->st);
                s->st = NULL;
                return NULL;
            }
            s->sql = sql;
            return s->st;
        }
    }
    /* More distinct statements than slots is a programming error (STMT_CACHE
     * is sized above the server's static SQL texts), but the request gets a
     * 503 like any statement that cannot be prepared, not a dead server. */
    log_error("statement cache full (%d slots): not prepared: %.120s", STMT_CACHE, sql);
    return NULL;
}

int db_begin(struct db *db)
{
    static const char SQL[] = "BEGIN IMMEDIATE";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        log_error("begin: %s", sqlite3_errmsg(db->h));
        return -1;
    }
    return 0;
}


void db_set_max_bytes(int64_t bytes)
{
    max_bytes = bytes;
}

void db_note_write(struct db *db, int ok)
{
    long long now = (long long)(util_monotonic() * 1e6);
    if (ok) {
        atomic_store(&write_ok_us, now);
        return;
    }
    pthread_mutex_lock(&write_lock);
    snprintf(write_why, sizeof write_why, "%s", db ? sqlite3_errmsg(db->h) : "unknown");
    pthread_mutex_unlock(&write_lock);
    atomic_store(&write_failed_us, now);
}

int db_write_health(struct db *db, char *why, size_t n)
{
    /* A probe at most every PROBE_SECONDS per process: a write that needs
     * the disk (WAL append and sync), never waiting on another writer. */
    enum { PROBE_SECONDS = 5 };
    static atomic_llong probed_us;
    long long now = (long long)(util_monotonic() * 1e6);
    long long last = atomic_load(&probed_us);
    if (now - last > PROBE_SECONDS * 1000000LL &&
        atomic_compare_exchange_strong(&probed_us, &last, now) && sqlite3_get_autocommit(db->h)) {
        sqlite3_busy_timeout(db->h, 50);
        int rc = sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (rc == SQLITE_OK) {
            char sql[96];
            snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO meta VALUES ('probe', %lld)",
                     now / 1000000);
            rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);
            if (rc == SQLITE_OK)
                rc = sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);
            if (rc != SQLITE_OK) {
                db_note_write(db, 0);
                sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
            } else {
                db_note_write(db, 1);
            }
        } /* busy: another writer is at work, which says the disk is fine */
        sqlite3_busy_timeout(db->h, 10000);
    }
    long long failed = atomic_load(&write_failed_us), ok = atomic_load(&write_ok_us);
    if (failed && failed >= ok) {
        pthread_mutex_lock(&write_lock);
        snprintf(why, n, "the last write failed: %s", write_why);
        pthread_mutex_unlock(&write_lock);
        return 0;
    }
    return 1;
}

int db_commit(struct db *db)
{
    static const char SQL[] = "COMMIT";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st) {
        db_note_write(db, 0);
        return -1;
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        log_error("commit: %s", sqlite3_errmsg(db->h));
        db_note_write(db, 0);
        db_rollback(db);
        return -1;
    }
    db_note_write(db, 1);
    return 0;
}

int db_read_begin(struct db *db)
{
    static const char SQL[] = "BEGIN DEFERRED";
    if (!sqlite3_get_autocommit(db->h))
        return -1; /* already in a transaction: leave it to its owner */
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

void db_read_end(struct db *db)
{
    static const char SQL[] = "COMMIT";
    if (sqlite3_get_autocommit(db->h))
        return;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (st) {
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    if (!sqlite3_get_autocommit(db->h))
        db_rollback(db);
}

void db_rollback(struct db *db)
{
    if (sqlite3_get_autocommit(db->h))
        return;
    static const char SQL[] = "ROLLBACK";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (st) {
        sqlite3_step(st);
        sqlite3_reset(st);
    }
}

int64_t db_size(struct db *db)
{
    static const char SQL[] =
        "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()";
    sqlite3_stmt *st = db_stmt(db, SQL);
    int64_t n = 0;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    if (st)
        sqlite3_reset(st);
    return n;
}

int db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}
