/*
 * maint.h - operator verbs on the database file: online backup, restore
 * and integrity checks of the rows and the full-text indexes.
 */
#ifndef SHUCU_MAINT_H
#define SHUCU_MAINT_H

/* Copies the live database db_path to dest with the SQLite backup API,
 * in small steps so a serving shucud is never blocked for long, then
 * checks the copy.  Returns 0 or 1 after printing why. */
int maint_backup(const char *db_path, const char *dest);

/* Replaces db_path with the (checked) database src.  The server must be
 * stopped.  Returns 0 or 1. */
int maint_restore(const char *db_path, const char *src);

/* Checks db_path: SQLite integrity and every FTS5 index against its
 * rows.  Prints one line per check; returns 0 when all pass, 1 if not. */
int maint_check(const char *db_path);

#endif
