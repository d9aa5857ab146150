/*
 * loginlimit.c - failed-login counting and lockout (see loginlimit.h).
 *
 * One row per key ("u:<login>" or "a:<address>"): failures in the current
 * window, the window's start, and the time a lock ends.  A failure either
 * counts into the window or starts a new one; reaching the limit sets the
 * lock.  Rows are small and few; an old row is simply overwritten.
 */
#include "loginlimit.h"

#include "db.h"
#include "log.h"

#include <stdio.h>
#include <time.h>

static long wait_for(struct db *db, const char *k, time_t now)
{
    static const char SQL[] = "SELECT locked_until FROM login_failures WHERE k = ?1";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, k, -1, SQLITE_TRANSIENT);
    long wait = 0;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_int64(st, 0) > (int64_t)now)
        wait = (long)(sqlite3_column_int64(st, 0) - (int64_t)now);
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        wait = -1;
    sqlite3_reset(st);
    return wait;
}

long loginlimit_wait(struct db *db, const char *login, const char *addr, int *by_addr)
{
    char k[300];
    time_t now = time(NULL);
    snprintf(k, sizeof k, "u:%s", login);
    long a = wait_for(db, k, now);
    snprintf(k, sizeof k, "a:%s", addr);
    long b = wait_for(db, k, now);
    if (a < 0 || b < 0)
        return -1;
    *by_addr = b > a;
    return a > b ? a : b;
}

static int count(struct db *db, const char *k, long limit, time_t now)
{
    /* A new window when the old one has passed; the lock when the count
     * reaches the limit (and a failure while locked renews nothing). */
    static const char SQL[] =
        "INSERT INTO login_failures(k, fails, window_start, locked_until) VALUES (?1, 1, ?2,"
        " CASE WHEN ?3 <= 1 THEN ?2 + ?5 ELSE 0 END)"
        " ON CONFLICT(k) DO UPDATE SET"
        "  fails = CASE WHEN window_start + ?4 <= ?2 THEN 1 ELSE fails + 1 END,"
        "  window_start = CASE WHEN window_start + ?4 <= ?2 THEN ?2 ELSE window_start END,"
        "  locked_until = CASE"
        "    WHEN locked_until > ?2 THEN locked_until"
        "    WHEN (CASE WHEN window_start + ?4 <= ?2 THEN 1 ELSE fails + 1 END) >= ?3 THEN ?2 + ?5"
        "    ELSE locked_until END";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, k, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (int64_t)now);
    sqlite3_bind_int64(st, 3, limit);
    sqlite3_bind_int64(st, 4, LOGIN_WINDOW);
    sqlite3_bind_int64(st, 5, LOGIN_LOCK);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        log_error("login failure count: %s", sqlite3_errmsg(db_handle(db)));
        return -1;
    }
    return 0;
}

int loginlimit_fail(struct db *db, const char *login, const char *addr)
{
    char k[300];
    time_t now = time(NULL);
    snprintf(k, sizeof k, "u:%s", login);
    if (count(db, k, LOGIN_FAILS_ACCOUNT, now) < 0)
        return -1;
    snprintf(k, sizeof k, "a:%s", addr);
    return count(db, k, LOGIN_FAILS_ADDR, now);
}

int loginlimit_clear(struct db *db, const char *login)
{
    static const char SQL[] = "DELETE FROM login_failures WHERE k = ?1";
    char k[300];
    snprintf(k, sizeof k, "u:%s", login);
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, k, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}
