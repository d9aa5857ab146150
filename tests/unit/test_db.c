/*
 * Unit tests of db.c: a new file is created and migrated, reopening is a
 * no-op, a newer schema is refused, and the FTS index follows the rows.
 */
#include "db.h"
#include "test.h"

#include <unistd.h>

static void rm_db(const char *path)
{
    char side[96];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

static int scalar(struct db *db, const char *sql)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

TEST(migrate_fresh_and_reopen)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/shucu-test-db-%d.db", (int)getpid());
    rm_db(path);
    struct db *db = db_open(path);
    ASSERT(db != NULL);
    ASSERT_EQ(scalar(db, "PRAGMA user_version"), db_schema_version());
    ASSERT_EQ(scalar(db, "SELECT count(*) FROM sqlite_master WHERE name='resources_fts'"), 1);
    ASSERT_EQ(scalar(db, "PRAGMA foreign_keys"), 1);
    ASSERT_EQ(scalar(db, "PRAGMA synchronous"), 2); /* FULL */
    db_close(db);
    db = db_open(path);
    ASSERT(db != NULL);
    ASSERT_EQ(scalar(db, "PRAGMA user_version"), db_schema_version());
    db_close(db);
    rm_db(path);
}

TEST(newer_schema_refused)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/shucu-test-db2-%d.db", (int)getpid());
    rm_db(path);
    struct db *db = db_open(path);
    ASSERT(db != NULL);
    ASSERT_EQ(db_exec(db, "PRAGMA user_version = 999"), 0);
    db_close(db);
    ASSERT(db_open(path) == NULL);
    rm_db(path);
}

TEST(fts_follows_rows_and_status)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/shucu-test-db3-%d.db", (int)getpid());
    rm_db(path);
    struct db *db = db_open(path);
    ASSERT(db != NULL);
    ASSERT_EQ(db_exec(db, "INSERT INTO orgs(id,name,created_at,updated_at) VALUES('org_1','p','t','t');"
                          "INSERT INTO resources(id,provider_id,provider_name,kind,kind_bit,title,doc,"
                          "industry_mask,scenario_mask,region_mask,created_at,updated_at) VALUES"
                          "('res_1','org_1','p','product',1,'视觉质检系统','{}',1,1,1,'t','t')"), 0);
    ASSERT_EQ(scalar(db, "SELECT count(*) FROM resources_fts WHERE resources_fts MATCH '\"质检\"'"), 1);
    ASSERT_EQ(db_exec(db, "UPDATE resources SET title='能耗监测' WHERE id='res_1'"), 0);
    ASSERT_EQ(scalar(db, "SELECT count(*) FROM resources_fts WHERE resources_fts MATCH '\"质检\"'"), 0);
    ASSERT_EQ(scalar(db, "SELECT count(*) FROM resources_fts WHERE resources_fts MATCH '\"能耗\"'"), 1);
    ASSERT_EQ(db_exec(db, "UPDATE resources SET status='withdrawn' WHERE id='res_1'"), 0);
    ASSERT_EQ(scalar(db, "SELECT count(*) FROM resources_fts WHERE resources_fts MATCH '\"能耗\"'"), 0);
    ASSERT_EQ(db_exec(db, "INSERT INTO resources_fts(resources_fts, rank) VALUES('integrity-check', 1)"), 0);
    db_close(db);
    rm_db(path);
}

TEST_MAIN(T(migrate_fresh_and_reopen), T(newer_schema_refused), T(fts_follows_rows_and_status))
