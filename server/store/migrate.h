/*
 * migrate.h - the list of schema migrations (migrate.c), read by db.c.
 */
#ifndef SHUCU_MIGRATE_H
#define SHUCU_MIGRATE_H

/* The columns of resources_hot (migration 5) as read from a resources
 * row, p being "" or "new.". */
#define HOT_COLS_OF(p)                                                                     \
    p "rid, " p "kind_bit, " p "industry_mask, " p "scenario_mask, " p "region_mask, " p  \
    "delivery_bit, " p "price_min, " p "level_from, " p "level_to, " p "deploy_days, " p \
    "rating_sum, " p "rating_count, " p "case_count"

/*
 * The change feed (issue 20, GET /v1/changes): one block of triggers per
 * record type, written by CHANGE_FEED(table, type, ID, VIS) where ID(p)
 * and VIS(p) are macros of a row prefix p ("new.", "old." or ""):
 *   ID   the record's public id as SQL ("new.id"),
 *   VIS  who could see the row as SQL: 'p' (every caller of the feed),
 *        a GB/T 2260 code (the region of the enterprise the record
 *        belongs to: centers, admins and the authorities covering it),
 *        or NULL (centers and admins only).
 * Every insert, update and delete of the table appends one row to
 * `changes` in the write's own transaction: no change without its
 * entry, no entry without its change.  `was` keeps VIS of the row before
 * an update, so a record that leaves an authority's region shows as
 * "hidden" to it (changes.c).  The last statement gives every row that
 * exists when the block runs a "create" entry, so a follower starting
 * from since=0 meets every record.  Adding a record type is one such
 * block at the end of MIGRATIONS and one row of CHANGE_TYPES in
 * server/api/changes.c (docs/integration.md).
 */
#define CHG_NOW "strftime('%Y-%m-%dT%H:%M:%SZ','now')"
/* Since migration 14 an entry's time is Unix seconds (changes.c writes
 * it as RFC 3339): no text formatted per written record. */
#define CHG_EPOCH "unixepoch()"
#define CHANGE_FEED_TRIGGERS(tbl, type, ID, VIS, NOW)                                       \
    "CREATE TRIGGER chg_" tbl "_i AFTER INSERT ON " tbl " BEGIN"                            \
    " INSERT INTO changes(type, id, op, at, was, vis) VALUES ('" type "', " ID("new.")      \
    ", 'create', " NOW ", NULL, " VIS("new.") "); END;"                                      \
    "CREATE TRIGGER chg_" tbl "_u AFTER UPDATE ON " tbl " BEGIN"                            \
    " INSERT INTO changes(type, id, op, at, was, vis) VALUES ('" type "', " ID("new.")      \
    ", 'update', " NOW ", " VIS("old.") ", " VIS("new.") "); END;"                           \
    "CREATE TRIGGER chg_" tbl "_d AFTER DELETE ON " tbl " BEGIN"                            \
    " INSERT INTO changes(type, id, op, at, was, vis) VALUES ('" type "', " ID("old.")      \
    ", 'delete', " NOW ", " VIS("old.") ", " VIS("old.") "); END;"
#define CHANGE_FEED(tbl, type, ID, VIS)                                                     \
    CHANGE_FEED_TRIGGERS(tbl, type, ID, VIS, CHG_NOW)                                       \
    "INSERT INTO changes(type, id, op, at, was, vis) SELECT '" type "', " ID("")            \
    ", 'create', " CHG_NOW ", NULL, " VIS("") " FROM " tbl " ORDER BY rowid;"
/* Migration 14 makes a type's triggers again with CHG_EPOCH. */
#define CHANGE_FEED_REMAKE(tbl, type, ID, VIS)                                              \
    "DROP TRIGGER IF EXISTS chg_" tbl "_i; DROP TRIGGER IF EXISTS chg_" tbl "_u;"           \
    "DROP TRIGGER IF EXISTS chg_" tbl "_d;" CHANGE_FEED_TRIGGERS(tbl, type, ID, VIS, CHG_EPOCH)

/* Every organisation given an enterprise key has a file (migration 7;
 * made again by 11, which rebuilds the keys table). */
#define KEYS_ENTERPRISE_FILE                                                                \
    "CREATE TRIGGER IF NOT EXISTS keys_enterprise_file AFTER INSERT ON keys"                \
    "  WHEN new.role = 'enterprise' BEGIN"                                                  \
    "  INSERT OR IGNORE INTO enterprise_files(org_id, org_rid)"                            \
    "  SELECT new.org_id, rid FROM orgs WHERE id = new.org_id;"                             \
    "  INSERT OR IGNORE INTO enterprise_file_docs(org_id, created_at, updated_at)"          \
    "  VALUES (new.org_id, new.created_at, new.created_at);"                                \
    "END;"

/* The region an enterprise's records are seen in: its file's district,
 * else city, else province code (NULL without a file or a place). */
#define CHG_REGION_OF(org) \
    "(SELECT coalesce(district_code, city_code, province_code) FROM enterprise_files" \
    " WHERE org_id = " org ")"

/* Migrations 10 to 14, in files of their own (migrate_projects.c,
 * migrate_feed.c). */
extern const char MIGRATION_PROJECTS[];
extern const char MIGRATION_FEED[];
extern const char MIGRATION_FEED_PROJECTS[];
extern const char MIGRATION_REPORTS[];

/* MIGRATIONS[i] is the SQL of migration i + 1. */
extern const char *const MIGRATIONS[];
extern const int migrations_count;

#endif
