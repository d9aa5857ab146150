/*
 * feed.c - trimming the change feed (see feed.h).
 *
 * Without an index by record (migration 14 dropped changes_record: it was
 * most of what the feed cost a write), superseded entries are found by
 * one ordered scan of the table in a read transaction: the first
 * FEED_SCAN entries older than the retention are candidates, and every
 * later entry of the same record (type and id) marks its candidates as
 * superseded.  A candidate that is a delete or superseded is removed,
 * in write transactions of at most FEED_BATCH entries that each raise
 * 'changes_trimmed' to the largest seq they removed, so the horizon and
 * the deletion are never seen apart.  Entries are only ever appended
 * with larger numbers, so what the scan found superseded stays so while
 * the deletions run.  The newest entry of the table is never removed:
 * seq is a plain INTEGER PRIMARY KEY (max + 1), and keeping the maximum
 * is what keeps a number from being given twice (feed_after_import
 * restores it where a database from before migration 14 lost it).
 */
#include "feed.h"

#include "db.h"
#include "log.h"
#include "strset.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FEED_BATCH 10000
#define FEED_SCAN 200000

struct candidate {
    int64_t seq;
    uint32_t rec;    /* the record's index in the scan's strset */
    int is_delete;
};

/* Scans entries after `after`: fills c[] (at most FEED_SCAN) with the
 * removable ones, oldest first.  Returns how many, and sets *more when
 * old entries were left for another round, which starts after *last
 * (the last candidate looked at); -1 on error. */
static long scan(struct db *db, int64_t cutoff, int64_t after, struct candidate *c, int *more,
                 int64_t *last)
{
    static const char SQL_TOP[] = "SELECT max(seq) FROM changes";
    static const char SQL[] = "SELECT seq, type, id, op, at FROM changes WHERE seq > ?1 ORDER BY seq";
    *more = 0;
    if (db_read_begin(db) < 0)
        return -1;
    sqlite3_stmt *st = db_stmt(db, SQL_TOP);
    int64_t top = 0;
    if (st) {
        int ok = sqlite3_step(st) == SQLITE_ROW;
        top = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        st = ok ? db_stmt(db, SQL) : NULL; /* without the newest entry known, remove nothing */
    }
    if (!st) {
        db_read_end(db);
        return -1;
    }
    struct strset recs = {0};
    int64_t *newest = NULL;
    size_t cap = 0;
    long n = 0;
    char key[600];
    sqlite3_bind_int64(st, 1, after);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(st, 0);
        int len = snprintf(key, sizeof key, "%s\x1f%s", sqlite3_column_text(st, 1),
                           sqlite3_column_text(st, 2));
        if (len < 0 || len >= (int)sizeof key)
            continue; /* no id is this long; left alone, such an entry is only kept */
        size_t klen = (size_t)len;
        int old = sqlite3_column_type(st, 4) == SQLITE_INTEGER &&
                  sqlite3_column_int64(st, 4) < cutoff;
        if (n < FEED_SCAN && seq != top && old) {
            size_t i = strset_add(&recs, key, klen, NULL);
            if (i >= cap) {
                cap = cap ? cap * 2 : 1024;
                newest = xrealloc(newest, cap * sizeof *newest);
            }
            newest[i] = seq;
            const char *op = (const char *)sqlite3_column_text(st, 3);
            c[n++] = (struct candidate){seq, (uint32_t)i, op && strcmp(op, "delete") == 0};
            continue;
        }
        if (n == FEED_SCAN && seq != top && old)
            *more = 1;
        size_t i = strset_find(&recs, key, klen);
        if (i != SIZE_MAX)
            newest[i] = seq;
    }
    sqlite3_reset(st);
    db_read_end(db);
    *last = n ? c[n - 1].seq : after;
    long kept = 0;
    for (long i = 0; i < n; i++)
        if (c[i].is_delete || newest[c[i].rec] > c[i].seq)
            c[kept++] = c[i];
    free(newest);
    strset_free(&recs);
    if (rc != SQLITE_DONE) {
        log_error("change feed trim: %s", sqlite3_errmsg(db_handle(db)));
        return -1;
    }
    return kept;
}

/* Deletes c[0..n) in one transaction and raises the horizon. */
static int remove_batch(struct db *db, const struct candidate *c, long n)
{
    static const char SQL_DEL[] = "DELETE FROM changes WHERE seq = ?1";
    static const char SQL_MARK[] = "UPDATE meta SET v = max(v, ?1) WHERE k = 'changes_trimmed'";
    if (db_begin(db) < 0)
        return -1;
    int ok = 1;
    sqlite3_stmt *st = db_stmt(db, SQL_DEL);
    for (long i = 0; ok && st && i < n; i++) {
        sqlite3_bind_int64(st, 1, c[i].seq);
        ok = sqlite3_step(st) == SQLITE_DONE;
        sqlite3_reset(st);
    }
    if (ok && st && (st = db_stmt(db, SQL_MARK))) {
        sqlite3_bind_int64(st, 1, c[n - 1].seq);
        ok = sqlite3_step(st) == SQLITE_DONE;
        sqlite3_reset(st);
    }
    if (!ok || !st) {
        log_error("change feed trim: %s", sqlite3_errmsg(db_handle(db)));
        db_rollback(db);
        return -1;
    }
    return db_commit(db);
}

long feed_trim(struct db *db, int days)
{
    int64_t cutoff = (int64_t)time(NULL) - (int64_t)days * 86400;
    struct candidate *c = xmalloc(FEED_SCAN * sizeof *c);
    long removed = 0;
    int64_t after = 0;
    for (;;) {
        int more;
        int64_t last;
        long n = scan(db, cutoff, after, c, &more, &last);
        if (n < 0) {
            removed = -1;
            break;
        }
        for (long i = 0; i < n; i += FEED_BATCH) {
            long k = n - i < FEED_BATCH ? n - i : FEED_BATCH;
            if (remove_batch(db, c + i, k) < 0) {
                free(c);
                return -1;
            }
            removed += k;
        }
        if (!more)
            break;
        after = last;
    }
    free(c);
    return removed;
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

int feed_after_import(struct db *db)
{
    return db_exec(db, "UPDATE changes SET at = coalesce(unixepoch(at), 0) WHERE typeof(at) = 'text';"
                       FEED_KEEP_NUMBERS("changes", "0"));
}
