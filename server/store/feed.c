/*
 * feed.c - trimming the change feed (see feed.h).
 *
 * Each batch is one BEGIN IMMEDIATE transaction that deletes at most
 * FEED_BATCH superseded old entries and raises 'changes_trimmed' to the
 * largest seq it deleted, so the horizon and the deletion are never
 * seen apart.  Entries are found oldest first through the primary key
 * and checked for a newer entry through changes_record (type, id, seq).
 */
#include "feed.h"

#include "db.h"
#include "log.h"
#include "util.h"

#include <time.h>

#define FEED_BATCH 10000

long feed_trim(struct db *db, int days)
{
    static const char SQL_MAX[] =
        "SELECT max(seq) FROM (SELECT c.seq FROM changes c WHERE c.at < ?1"
        " AND (c.op = 'delete' OR EXISTS (SELECT 1 FROM changes n WHERE n.type = c.type"
        "  AND n.id = c.id AND n.seq > c.seq)) ORDER BY c.seq LIMIT ?2)";
    static const char SQL_DEL[] =
        "DELETE FROM changes WHERE seq IN (SELECT c.seq FROM changes c WHERE c.at < ?1"
        " AND (c.op = 'delete' OR EXISTS (SELECT 1 FROM changes n WHERE n.type = c.type"
        "  AND n.id = c.id AND n.seq > c.seq)) ORDER BY c.seq LIMIT ?2)";
    static const char SQL_MARK[] =
        "UPDATE meta SET v = max(v, ?1) WHERE k = 'changes_trimmed'";
    char cutoff[32];
    util_time_rfc3339(time(NULL) - (time_t)days * 86400, cutoff);
    long removed = 0;
    for (;;) {
        if (db_begin(db) < 0)
            return -1;
        sqlite3_stmt *st = db_stmt(db, SQL_MAX);
        int64_t top = 0;
        int ok = st != NULL;
        if (st) {
            sqlite3_bind_text(st, 1, cutoff, -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 2, FEED_BATCH);
            ok = sqlite3_step(st) == SQLITE_ROW;
            top = ok ? sqlite3_column_int64(st, 0) : 0;
            sqlite3_reset(st);
        }
        int n = 0;
        if (ok && top > 0 && (st = db_stmt(db, SQL_DEL))) {
            sqlite3_bind_text(st, 1, cutoff, -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 2, FEED_BATCH);
            ok = sqlite3_step(st) == SQLITE_DONE;
            n = sqlite3_changes(db_handle(db));
            sqlite3_reset(st);
            if (ok && (st = db_stmt(db, SQL_MARK))) {
                sqlite3_bind_int64(st, 1, top);
                ok = sqlite3_step(st) == SQLITE_DONE;
                sqlite3_reset(st);
            } else
                ok = 0;
        }
        if (!ok) {
            log_error("change feed trim: %s", sqlite3_errmsg(db_handle(db)));
            db_rollback(db);
            return -1;
        }
        if (db_commit(db) < 0)
            return -1;
        removed += n;
        if (n < FEED_BATCH)
            return removed;
    }
}

int64_t feed_trimmed(struct db *db)
{
    static const char SQL[] = "SELECT v FROM meta WHERE k = 'changes_trimmed'";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? v : -1;
}
