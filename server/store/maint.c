/*
 * maint.c - backup, restore and check (see maint.h).
 *
 * Backups use sqlite3_backup_step() 256 pages at a time with a short
 * sleep between steps: a writer in another process only ever waits for
 * one step, and a write during the backup restarts it from the changed
 * pages (WAL makes the copy a consistent snapshot).  The copy is checked
 * before the command reports success.
 */
#include "maint.h"

#include "db.h"
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *const FTS_TABLES[] = {"resources_fts", "orgs_fts", "needs_fts"};

static int copy_db(sqlite3 *from, sqlite3 *to, const char *what)
{
    sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
    if (!b) {
        fprintf(stderr, "shucud %s: %s\n", what, sqlite3_errmsg(to));
        return 1;
    }
    int rc, tty = isatty(STDERR_FILENO);
    do {
        rc = sqlite3_backup_step(b, 256);
        if (tty) {
            int total = sqlite3_backup_pagecount(b), left = sqlite3_backup_remaining(b);
            fprintf(stderr, "\r%s: %d/%d pages", what, total - left, total);
        }
        if (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            usleep(2000);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    if (tty)
        fputc('\n', stderr);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "shucud %s: %s\n", what, sqlite3_errstr(rc));
        return 1;
    }
    return 0;
}

/* Runs the checks on an open handle; prints failures; 0 when all pass. */
static int check_handle(sqlite3 *h, int verbose)
{
    int bad = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "integrity_check: %s\n", sqlite3_errmsg(h));
        return 1;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *msg = (const char *)sqlite3_column_text(st, 0);
        if (strcmp(msg, "ok") != 0) {
            fprintf(stderr, "integrity: %s\n", msg);
            bad = 1;
        }
    }
    sqlite3_finalize(st);
    if (verbose)
        printf("database integrity: %s\n", bad ? "FAILED" : "ok");
    for (size_t i = 0; i < sizeof FTS_TABLES / sizeof FTS_TABLES[0]; i++) {
        char sql[160];
        snprintf(sql, sizeof sql, "INSERT INTO %s(%s, rank) VALUES('integrity-check', 1)",
                 FTS_TABLES[i], FTS_TABLES[i]);
        char *err = NULL;
        int rc = sqlite3_exec(h, sql, NULL, NULL, &err);
        if (rc != SQLITE_OK)
            bad = 1;
        if (verbose || rc != SQLITE_OK)
            printf("%s agrees with its rows: %s%s%s\n", FTS_TABLES[i], rc == SQLITE_OK ? "ok" : "FAILED",
                   err ? " - " : "", err ? err : "");
        sqlite3_free(err);
    }
    return bad;
}

/* resources_hot against resources (see db.h); 0 when they agree. */
static int check_hot(struct db *db)
{
    long n = db_hot_mismatches(db);
    printf("resources_hot agrees with its rows: %s", n == 0 ? "ok\n" : "FAILED");
    if (n > 0)
        printf(" - %ld rows differ\n", n);
    else if (n < 0)
        printf(" - %s\n", sqlite3_errmsg(db_handle(db)));
    return n != 0;
}

int maint_check(const char *db_path)
{
    if (access(db_path, R_OK) != 0) {
        fprintf(stderr, "shucud check: cannot read %s\n", db_path);
        return 1;
    }
    struct db *db = db_open(db_path);
    if (!db) {
        printf("%s: PROBLEMS FOUND: it cannot be opened as a shucu database (see above); restore from a backup\n",
               db_path);
        return 1;
    }
    int bad = check_handle(db_handle(db), 1);
    bad |= check_hot(db);
    printf("%s: %s\n", db_path, bad ? "PROBLEMS FOUND (restore from a backup, or run shucud reindex if only an index disagrees)" : "all checks passed");
    db_close(db);
    return bad;
}

int maint_backup(const char *db_path, const char *dest)
{
    if (access(dest, F_OK) == 0) {
        fprintf(stderr, "shucud backup: %s exists; choose a new file name\n", dest);
        return 1;
    }
    struct db *db = db_open(db_path);
    if (!db)
        return 1;
    sqlite3 *to = NULL;
    int rc = 1;
    if (sqlite3_open(dest, &to) != SQLITE_OK) {
        fprintf(stderr, "shucud backup: cannot create %s: %s\n", dest, sqlite3_errmsg(to));
        goto out;
    }
    double t0 = util_monotonic();
    if (copy_db(db_handle(db), to, "backup"))
        goto out;
    /* Verify the copy, with the tokenizer so the FTS checks can run. */
    sqlite3_close(to);
    to = NULL;
    struct db *copy = db_open(dest);
    if (!copy)
        goto out;
    int bad = check_handle(db_handle(copy), 0);
    db_close(copy);
    if (bad) {
        fprintf(stderr, "shucud backup: the copy %s failed its checks\n", dest);
        goto out;
    }
    printf("backup of %s written to %s and checked (%.1fs)\n", db_path, dest,
           util_monotonic() - t0);
    rc = 0;
out:
    sqlite3_close(to);
    db_close(db);
    return rc;
}

int maint_restore(const char *db_path, const char *src)
{
    if (access(src, R_OK) != 0) {
        fprintf(stderr, "shucud restore: cannot read %s\n", src);
        return 1;
    }
    struct db *from = db_open(src);
    if (!from)
        return 1;
    int rc = 1;
    if (check_handle(db_handle(from), 0)) {
        fprintf(stderr, "shucud restore: %s failed its checks; nothing was changed\n", src);
        db_close(from);
        return 1;
    }
    struct db *to = db_open(db_path);
    if (!to) {
        db_close(from);
        return 1;
    }
    /* The restored file is other data than what a Redis may hold answers
     * for, even when its generation is the same number: a new identity. */
    if (copy_db(db_handle(from), db_handle(to), "restore") == 0 && db_new_identity(to) == 0) {
        printf("restored %s from %s\n", db_path, src);
        rc = 0;
    }
    db_close(to);
    db_close(from);
    return rc;
}
