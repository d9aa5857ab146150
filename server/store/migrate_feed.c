/*
 * migrate_feed.c - migrations 11 and 12 (issue 20): the authority role,
 * report targets and the change feed, and then projects, tickets and
 * cases in the feed (migrate.h; MIGRATIONS in migrate.c lists them).
 */
#include "migrate.h"

#include "feed.h"

/* The ID and VIS of each record type in the change feed (migrate.h). */
#define CHG_ID(p) p "id"
#define CHG_PUBLIC(p) "'p'"
#define CHG_CENTERS(p) "NULL"
#define CHG_NEED_VIS(p) \
    "CASE " p "status WHEN 'draft' THEN NULL ELSE " CHG_REGION_OF(p "enterprise_id") " END"
#define CHG_CAMPAIGN_VIS(p) "CASE " p "status WHEN 'draft' THEN NULL ELSE 'p' END"
#define CHG_PART_ID(p) p "campaign_id || '/' || " p "org_id"
#define CHG_PART_VIS(p) CHG_REGION_OF(p "org_id")
#define CHG_FILE_ID(p) p "org_id"
#define CHG_FILE_VIS(p) "coalesce(" p "district_code, " p "city_code, " p "province_code)"
#define CHG_ASSESSMENT_VIS(p) CHG_REGION_OF(p "org_id")
#define CHG_PROJECT_VIS(p) CHG_REGION_OF(p "enterprise_id")
#define CHG_CASE_VIS(p) "CASE " p "status WHEN 'published' THEN 'p' ELSE NULL END"

/* The record types of the feed, as (table, type, ID, VIS) for a block
 * macro X (migrate.h): those of migration 11, then those of 12. */
#define CHG_TYPES_11(X)                                                                    \
    X("orgs", "org", CHG_ID, CHG_PUBLIC)                                                   \
    X("resources", "resource", CHG_ID, CHG_PUBLIC)                                         \
    X("needs", "need", CHG_ID, CHG_NEED_VIS)                                               \
    X("responses", "response", CHG_ID, CHG_CENTERS)                                        \
    X("campaigns", "campaign", CHG_ID, CHG_CAMPAIGN_VIS)                                   \
    X("participants", "participant", CHG_PART_ID, CHG_PART_VIS)                            \
    X("reviews", "review", CHG_ID, CHG_PUBLIC)                                             \
    X("enterprise_files", "file", CHG_FILE_ID, CHG_FILE_VIS)                               \
    X("assessments", "assessment", CHG_ID, CHG_ASSESSMENT_VIS)
#define CHG_TYPES_12(X)                                                                    \
    X("projects", "project", CHG_ID, CHG_PROJECT_VIS)                                      \
    X("tickets", "ticket", CHG_ID, CHG_CENTERS)                                            \
    X("cases", "case", CHG_ID, CHG_CASE_VIS)

/* 11 (issue 20): the authority role, report targets, the change feed.
 *
 * The keys table admits the role `authority`: migration 1's
 * CHECK listed four roles and SQLite cannot alter a CHECK, so the
 * table is rebuilt (and with it migration 7's trigger).  Roles are
 * checked in C from now on, as users' are.
 *
 * authorities: the region of each authority organisation (a 经信局
 * over a province, a city or a district), as GB/T 2260 codes.
 *
 * report_targets: the share of assessed enterprises at 二级 or above
 * that a center aims for, for the whole center (region '') or one
 * province, city or district (its code).
 *
 * changes: the change feed.  seq is AUTOINCREMENT, so a number is
 * never given twice even after trimming, and since writers take
 * SQLite's one write lock in turn, seq order is commit order.  Rows
 * are written by the CHANGE_FEED triggers (migrate.h), never by C. */
const char MIGRATION_FEED[] =
    "CREATE TABLE keys_v10 ("
    "  prefix TEXT PRIMARY KEY,"
    "  hash BLOB NOT NULL,"
    "  org_id TEXT NOT NULL REFERENCES orgs(id),"
    "  role TEXT NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  revoked_at TEXT);"
    "INSERT INTO keys_v10 SELECT prefix, hash, org_id, role, created_at, revoked_at FROM keys;"
    "DROP TABLE keys;"
    "ALTER TABLE keys_v10 RENAME TO keys;"
    KEYS_ENTERPRISE_FILE
    "CREATE TABLE authorities ("
    "  org_id TEXT PRIMARY KEY REFERENCES orgs(id),"
    "  province_code TEXT NOT NULL,"
    "  city_code TEXT,"
    "  district_code TEXT,"
    "  created_at TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE report_targets ("
    "  region TEXT PRIMARY KEY,"
    "  level_2_plus_share REAL NOT NULL CHECK (level_2_plus_share BETWEEN 0 AND 1),"
    "  set_at TEXT NOT NULL,"
    "  set_by TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE changes ("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  type TEXT NOT NULL,"
    "  id TEXT NOT NULL,"
    "  op TEXT NOT NULL,"
    "  at TEXT NOT NULL,"
    "  was TEXT,"
    "  vis TEXT);"
    /* trimming keeps a record's newest entry: it looks for a newer one */
    "CREATE INDEX changes_record ON changes(type, id, seq);"
    "INSERT OR IGNORE INTO meta VALUES ('changes_trimmed', 0);"
    /* the reports' reads of assessments (reports.c, report_more.c):
     * whether an enterprise has a submitted or verified one, and the
     * verified ones and the submissions by date, without reading the
     * rows (about 1 KB each) */
    "CREATE INDEX assessments_org_status ON assessments(org_id, status);"
    "CREATE INDEX assessments_verified ON assessments(verified_at, org_id, level)"
    "  WHERE status = 'verified';"
    "CREATE INDEX assessments_submitted ON assessments(submitted_at, org_id)"
    "  WHERE submitted_at IS NOT NULL;"
    /* One block per record type (migrate.h).  Users, keys, sessions and
     * the inbox are accounts, not records of the center's work: not in
     * the feed (docs/integration.md). */
    CHG_TYPES_11(CHANGE_FEED);

/* 12: projects, O&M tickets and cases (issue 19) join the change feed
 * (issue 20): a project is seen in its enterprise's region, a ticket
 * by centers and admins only, a case by every follower while it is
 * published. */
const char MIGRATION_FEED_PROJECTS[] = CHG_TYPES_12(CHANGE_FEED);

/* 14 (issue 20's speed): what the reports read kept where one scan finds
 * it (report_scan.c), and a change feed that costs its writes less.
 *
 * enterprise_files.assessed: 1 while the enterprise has a submitted or
 * verified assessment, kept by the triggers below in the assessment's
 * own transaction (the levels report read it through a probe of the
 * assessments per file: four fifths of its time).  The file's feed
 * trigger is re-made to fire on the columns a follower sees, so that
 * the flag does not add a "file updated" entry to every submission:
 * a column added to enterprise_files later is added to its list.
 *
 * enterprise_file_docs_created: the files opened in a period, for the
 * levels report by month, without reading the documents; and
 * assessments_verified gains status, so that it covers the reads of
 * verified assessments (SQLite reads the row for a column of the
 * partial index's WHERE that the index does not hold).
 *
 * changes loses AUTOINCREMENT and its index changes_record, which were
 * most of what the feed added to a write (bench/analysis.md section 7):
 * AUTOINCREMENT's sqlite_sequence row written by every insert, and an
 * index keyed by record id that each insert wrote at a random place.
 * A plain INTEGER PRIMARY KEY gives max(seq) + 1, which never repeats
 * a number as long as the newest entry is never deleted: the trim keeps
 * it (feed.c), and finds superseded entries with one ordered scan
 * instead of the index.  An entry's time becomes Unix seconds (an
 * integer, not 20 characters formatted by strftime in every trigger),
 * and every type's triggers are made again to write it. */
const char MIGRATION_REPORTS[] =
    "ALTER TABLE enterprise_files ADD COLUMN assessed INTEGER NOT NULL DEFAULT 0;"
    "DROP TRIGGER chg_enterprise_files_u;"
    "UPDATE enterprise_files SET assessed = 1 WHERE org_id IN"
    "  (SELECT org_id FROM assessments WHERE status <> 'draft');"
    "CREATE TRIGGER files_assessed_i AFTER INSERT ON assessments WHEN new.status <> 'draft' BEGIN"
    "  UPDATE enterprise_files SET assessed = 1 WHERE org_id = new.org_id AND assessed = 0;"
    "END;"
    "CREATE TRIGGER files_assessed_up AFTER UPDATE OF status ON assessments"
    "  WHEN old.status = 'draft' AND new.status <> 'draft' BEGIN"
    "  UPDATE enterprise_files SET assessed = 1 WHERE org_id = new.org_id AND assessed = 0;"
    "END;"
    "CREATE TRIGGER files_assessed_down AFTER UPDATE OF status ON assessments"
    "  WHEN old.status <> 'draft' AND new.status = 'draft' BEGIN"
    "  UPDATE enterprise_files SET assessed = EXISTS (SELECT 1 FROM assessments a"
    "    WHERE a.org_id = new.org_id AND a.status <> 'draft') WHERE org_id = new.org_id;"
    "END;"
    "CREATE TRIGGER files_assessed_d AFTER DELETE ON assessments WHEN old.status <> 'draft' BEGIN"
    "  UPDATE enterprise_files SET assessed = EXISTS (SELECT 1 FROM assessments a"
    "    WHERE a.org_id = old.org_id AND a.status <> 'draft') WHERE org_id = old.org_id;"
    "END;"
    /* a file opened after its enterprise's assessments (a key's trigger,
     * an import that lists assessments first) */
    "CREATE TRIGGER files_assessed_file AFTER INSERT ON enterprise_files BEGIN"
    "  UPDATE enterprise_files SET assessed = 1 WHERE fid = new.fid AND EXISTS"
    "    (SELECT 1 FROM assessments a WHERE a.org_id = new.org_id AND a.status <> 'draft');"
    "END;"
    /* every type's triggers again, with the time as Unix seconds */
    CHG_TYPES_11(CHANGE_FEED_REMAKE) CHG_TYPES_12(CHANGE_FEED_REMAKE)
    /* a file's entry for the columns a follower sees (above) */
    "DROP TRIGGER chg_enterprise_files_u;"
    "CREATE TRIGGER chg_enterprise_files_u AFTER UPDATE OF org_id, org_rid, province_code,"
    "  city_code, district_code, industry, size, above_scale, level ON enterprise_files BEGIN"
    " INSERT INTO changes(type, id, op, at, was, vis) VALUES ('file', " CHG_FILE_ID("new.")
    ", 'update', " CHG_EPOCH ", " CHG_FILE_VIS("old.") ", " CHG_FILE_VIS("new.") "); END;"
    /* an assessment's region is its file's, and an update never moves it
     * to another enterprise (no statement sets org_id): was is vis, read
     * once */
    "DROP TRIGGER chg_assessments_u;"
    "CREATE TRIGGER chg_assessments_u AFTER UPDATE ON assessments BEGIN"
    " INSERT INTO changes(type, id, op, at, was, vis) SELECT 'assessment', new.id, 'update', "
    CHG_EPOCH ", v, v FROM (SELECT " CHG_ASSESSMENT_VIS("new.") " AS v); END;"
    "CREATE INDEX enterprise_file_docs_created ON enterprise_file_docs(created_at, org_id);"
    /* status in the verified assessments' index too, so that a read that
     * names it (and must, to use a partial index) is covered by it */
    "DROP INDEX assessments_verified;"
    "CREATE INDEX assessments_verified ON assessments(verified_at, org_id, level, status)"
    "  WHERE status = 'verified';"
    /* the feed without AUTOINCREMENT: rebuilt, since SQLite cannot drop
     * it; legacy_alter_table, only for the rename, so that it neither
     * rewrites nor checks the triggers that name `changes` */
    "CREATE TABLE changes_v14 ("
    "  seq INTEGER PRIMARY KEY,"
    "  type TEXT NOT NULL, id TEXT NOT NULL, op TEXT NOT NULL, at INTEGER NOT NULL, was TEXT,"
    "  vis TEXT);"
    "INSERT INTO changes_v14 SELECT seq, type, id, op, coalesce(unixepoch(at), 0), was, vis"
    "  FROM changes ORDER BY seq;"
    /* the numbers AUTOINCREMENT gave stay given (feed.h) */
    FEED_KEEP_NUMBERS("changes_v14",
                      "coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0)")
    "DROP TABLE changes;"
    "PRAGMA legacy_alter_table = ON;"
    "ALTER TABLE changes_v14 RENAME TO changes;"
    "PRAGMA legacy_alter_table = OFF;"
    "DELETE FROM sqlite_sequence WHERE name = 'changes';";
