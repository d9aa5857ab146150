/*
 * feed.h - the change feed's table (`changes`, migration 11) as storage:
 * trimming and the horizon a cursor must not fall behind.  The rows are
 * written by triggers only (migrate.h, CHANGE_FEED); the endpoint that
 * reads them is server/api/changes.c.
 *
 * Trimming keeps the feed complete for a follower that starts over: an
 * entry older than the retention (30 days by default) is removed only
 * when a newer entry of the same record exists, or when it is a delete.
 * So every record that exists keeps at least its newest entry, and
 * since=0 still meets every record; what is lost is history and old
 * deletes.  The largest seq ever removed is kept (meta
 * 'changes_trimmed'): a cursor below it may have missed a delete, and
 * GET /v1/changes answers it 410 (start again from since=0).
 */
#ifndef SHUCU_FEED_H
#define SHUCU_FEED_H

#include <stdint.h>

struct db;

#define FEED_KEEP_DAYS 30

/* Removes the superseded entries older than days (see above) in its own
 * write transactions of at most 10,000 rows.  Returns how many were
 * removed, or -1 on a database error (logged). */
long feed_trim(struct db *db, int days);

/* SQL that keeps max(seq) of `tbl` at or above every number the feed
 * has given: when the horizon ('changes_trimmed', or `hw`, an SQL
 * expression for another mark) is above the largest seq, the newest
 * entry is copied to that number (an entry carries its record as it is
 * now, so a copy is harmless; an empty feed gets an entry for no
 * record).  Databases from before migration 14 may need it: their
 * trimming could remove the newest entry, which AUTOINCREMENT made safe
 * and a plain INTEGER PRIMARY KEY does not. */
#define FEED_KEEP_NUMBERS(tbl, hw)                                                          \
    "INSERT INTO " tbl "(seq, type, id, op, at, was, vis) SELECT t.v, coalesce(c.type, 'org'),"\
    " coalesce(c.id, ''), coalesce(c.op, 'delete'),"                                       \
    " coalesce(c.at, unixepoch()), c.was, c.vis"                                           \
    " FROM (SELECT max(coalesce((SELECT v FROM meta WHERE k = 'changes_trimmed'), 0), " hw  \
    ") AS v) t LEFT JOIN (SELECT * FROM " tbl " ORDER BY seq DESC LIMIT 1) c ON 1"           \
    " WHERE t.v > (SELECT coalesce(max(seq), 0) FROM " tbl ");"

/* After an import: times of an export from before migration 14 (RFC
 * 3339 text) as Unix seconds, and FEED_KEEP_NUMBERS.  0 or -1. */
int feed_after_import(struct db *db);

/* The largest seq trimming has removed (0: none), -1 on error. */
int64_t feed_trimmed(struct db *db);

#endif
