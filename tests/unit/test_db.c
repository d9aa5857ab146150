/*
 * Unit tests of db.c: a new file is created and migrated, reopening is a
 * no-op, a newer schema is refused, and the FTS index follows the rows.
 */
#include "db.h"
#include "test.h"

#include <stdlib.h>
#include <sys/wait.h>
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

/* The database path of this process for the test named tag, with no
 * database left there. */
static void fresh_path(char path[64], const char *tag)
{
    snprintf(path, 64, "/tmp/shucu-test-%s-%d.db", tag, (int)getpid());
    rm_db(path);
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
    fresh_path(path, "db");
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

/* More distinct statements than the cache holds: the next one is not
 * prepared (NULL, a 503 for its request) and the server does not abort;
 * the statements already cached keep working. */
TEST(full_statement_cache_refuses_not_aborts)
{
    char path[64];
    fresh_path(path, "db-full");
    struct db *db = db_open(path);
    ASSERT(db != NULL);
    enum { N = 600 };
    char *sql[N];
    int prepared = 0, refused = 0;
    for (int i = 0; i < N; i++) {
        sql[i] = malloc(32);
        snprintf(sql[i], 32, "SELECT %d", i);
        sqlite3_stmt *st = db_stmt(db, sql[i]);
        if (st) {
            prepared++;
            ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
            ASSERT_EQ(sqlite3_column_int(st, 0), i);
            sqlite3_reset(st);
        } else {
            refused++;
        }
    }
    ASSERT(prepared > 400 && prepared < N);
    ASSERT_EQ(prepared + refused, N);
    sqlite3_stmt *st = db_stmt(db, sql[0]); /* cached before the cache filled */
    ASSERT(st != NULL);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    sqlite3_reset(st);
    db_close(db);
    for (int i = 0; i < N; i++)
        free(sql[i]);
    rm_db(path);
}

TEST(newer_schema_refused)
{
    char path[64];
    fresh_path(path, "db2");
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
    fresh_path(path, "db3");
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

/* Search's facets and matching read resources_hot: if it lagged a write,
 * a withdrawn resource would still be counted, or a changed industry
 * filtered by the old one. */
TEST(hot_columns_follow_every_write)
{
    char path[64];
    fresh_path(path, "db4");
    struct db *db = db_open(path);
    ASSERT(db != NULL);
    ASSERT_EQ(db_exec(db, "INSERT INTO orgs(id,name,created_at,updated_at) VALUES('org_1','p','t','t');"
                          "INSERT INTO resources(id,provider_id,provider_name,kind,kind_bit,title,doc,"
                          "industry_mask,scenario_mask,region_mask,price_min,created_at,updated_at)"
                          " VALUES ('res_1','org_1','p','product',1,'a','{}',1,1,1,100,'t','t'),"
                          " ('res_2','org_1','p','model',2,'b','{}',2,2,1,NULL,'t','t')"), 0);
    ASSERT_EQ(scalar(db, "SELECT count(*) FROM resources_hot"), 2);
    ASSERT_EQ(db_hot_mismatches(db), 0);
    /* An update of any hot column, a rating, a withdrawal, a re-publish. */
    ASSERT_EQ(db_exec(db, "UPDATE resources SET industry_mask=4, price_min=50 WHERE id='res_1'"), 0);
    ASSERT_EQ(scalar(db, "SELECT industry_mask FROM resources_hot WHERE rid=1"), 4);
    ASSERT_EQ(db_exec(db, "UPDATE resources SET rating_sum=9, rating_count=2 WHERE id='res_2'"), 0);
    ASSERT_EQ(scalar(db, "SELECT rating_sum FROM resources_hot WHERE rid=2"), 9);
    ASSERT_EQ(db_exec(db, "UPDATE resources SET status='withdrawn' WHERE id='res_1'"), 0);
    ASSERT_EQ(scalar(db, "SELECT count(*) FROM resources_hot WHERE rid=1"), 0);
    ASSERT_EQ(db_hot_mismatches(db), 0);
    ASSERT_EQ(db_exec(db, "UPDATE resources SET status='published' WHERE id='res_1'"), 0);
    ASSERT_EQ(scalar(db, "SELECT count(*) FROM resources_hot"), 2);
    ASSERT_EQ(db_exec(db, "DELETE FROM resources WHERE id='res_2'"), 0);
    ASSERT_EQ(scalar(db, "SELECT count(*) FROM resources_hot"), 1);
    ASSERT_EQ(db_hot_mismatches(db), 0);
    /* A copy edited behind the triggers' back is detected and rebuilt. */
    ASSERT_EQ(db_exec(db, "UPDATE resources_hot SET kind_bit=64"), 0);
    ASSERT_EQ(db_hot_mismatches(db), 2);
    ASSERT_EQ(db_hot_rebuild(db), 0);
    ASSERT_EQ(db_hot_mismatches(db), 0);
    db_close(db);
    rm_db(path);
}

/* What migration 14 adds (the feed's own table is made again by the
 * tests that need it), for a database taken back to an older version. */
#define UNDO_MIGRATION_14                                                                   \
    "DROP TRIGGER files_assessed_i; DROP TRIGGER files_assessed_up;"                        \
    "DROP TRIGGER files_assessed_down; DROP TRIGGER files_assessed_d;"                      \
    "DROP TRIGGER files_assessed_file; DROP INDEX enterprise_file_docs_created;"            \
    "ALTER TABLE enterprise_files DROP COLUMN assessed;"

/* Migration 14 drops AUTOINCREMENT from the feed: a database whose old
 * trim removed the newest entries (AUTOINCREMENT's mark 5, the trim's
 * horizon 4, the largest seq left 2) must not give 3, 4 or 5 again, or a
 * follower at cursor 5 would skip them (found in review). */
TEST(migration_14_keeps_the_feed_numbers_given)
{
    char path[64];
    fresh_path(path, "db14");
    struct db *db = db_open(path);
    ASSERT(db != NULL);
    ASSERT_EQ(db_exec(db, UNDO_MIGRATION_14
                          "DROP TABLE changes;"
                          "CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL,"
                          " id TEXT NOT NULL, op TEXT NOT NULL, at TEXT NOT NULL, was TEXT, vis TEXT);"
                          "INSERT INTO changes(type, id, op, at) VALUES"
                          " ('org', 'a', 'create', '2026-11-01T08:00:00Z'),"
                          " ('org', 'b', 'create', '2026-11-01T08:00:01Z'),"
                          " ('org', 'c', 'create', '2026-11-01T08:00:02Z'),"
                          " ('org', 'c', 'delete', '2026-11-01T08:00:03Z'),"
                          " ('org', 'd', 'delete', '2026-11-01T08:00:04Z');"
                          "DELETE FROM changes WHERE seq >= 3;"
                          "UPDATE meta SET v = 4 WHERE k = 'changes_trimmed';"
                          "PRAGMA user_version = 13;"), 0);
    ASSERT_EQ(scalar(db, "SELECT seq FROM sqlite_sequence WHERE name = 'changes'"), 5);
    db_close(db);
    db = db_open(path); /* migration 14 */
    ASSERT(db != NULL);
    ASSERT_EQ(scalar(db, "SELECT max(seq) FROM changes"), 5);
    ASSERT_EQ(scalar(db, "SELECT count(*) FROM changes WHERE seq = 5 AND id = 'b'"), 1); /* a copy */
    /* the times as Unix seconds, and the triggers write them so */
    ASSERT_EQ(scalar(db, "SELECT at FROM changes WHERE seq = 1"), 1793520000);
    ASSERT_EQ(db_exec(db, "INSERT INTO orgs(id, name, created_at, updated_at) VALUES"
                          " ('org_n', 'n', 't', 't')"), 0);
    ASSERT_EQ(scalar(db, "SELECT seq FROM changes WHERE id = 'org_n'"), 6);
    ASSERT_EQ(scalar(db, "SELECT typeof(at) = 'integer' AND at > 1793520000 FROM changes"
                         " WHERE id = 'org_n'"), 1);
    ASSERT_EQ(scalar(db, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
                         " AND sql LIKE '%strftime%' AND name GLOB 'chg_*'"), 0);
    db_close(db);
    rm_db(path);
}

/* Migration 5 on a database made by an earlier shucud fills the table
 * from the rows already there. */
TEST(hot_table_filled_on_upgrade)
{
    char path[64];
    fresh_path(path, "db5");
    struct db *db = db_open(path);
    ASSERT(db != NULL);
    ASSERT_EQ(db_exec(db, "DROP TRIGGER resources_hot_ai; DROP TRIGGER resources_hot_au;"
                          "DROP TRIGGER resources_hot_ad; DROP TABLE resources_hot;"
                          "DROP TRIGGER revisions_no_replace;"
                          /* (migration 14) */
                          UNDO_MIGRATION_14
                          /* and what the migrations after 5 add (issue 21) */
                          "DROP TABLE webhook_attempts; DROP TABLE webhook_deliveries;"
                          "DROP TABLE webhooks; DROP TABLE notifications;"
                          "DROP TABLE login_failures; DROP TABLE sessions; DROP TABLE users;"
                          "ALTER TABLE orgs DROP COLUMN contact;"
                          "ALTER TABLE revisions DROP COLUMN actor;"
                          "ALTER TABLE reviews DROP COLUMN actor;"
                          "ALTER TABLE responses DROP COLUMN actor;"
                          "ALTER TABLE responses DROP COLUMN accepted_by;"
                          "ALTER TABLE campaigns DROP COLUMN confirmed_at;"
                          "ALTER TABLE campaigns DROP COLUMN confirmed_by;"
                          "ALTER TABLE campaigns DROP COLUMN confirmed_tiers;"
                          /* (issue 23) */
                          "DROP INDEX orgs_name_key; ALTER TABLE orgs DROP COLUMN name_key;"
                          /* (issue 24) */
                          "DROP TRIGGER resources_len_u; DROP TRIGGER resources_len_d;"
                          "DROP TABLE resources_len_log;"
                          /* (migration 12) */
                          "DROP TRIGGER chg_projects_i; DROP TRIGGER chg_projects_u; DROP TRIGGER chg_projects_d;"
                          "DROP TRIGGER chg_tickets_i; DROP TRIGGER chg_tickets_u; DROP TRIGGER chg_tickets_d;"
                          "DROP TRIGGER chg_cases_i; DROP TRIGGER chg_cases_u; DROP TRIGGER chg_cases_d;"
                          /* (issue 20) */
                          "DROP TRIGGER chg_orgs_i; DROP TRIGGER chg_orgs_u; DROP TRIGGER chg_orgs_d;"
                          "DROP TRIGGER chg_resources_i; DROP TRIGGER chg_resources_u; DROP TRIGGER chg_resources_d;"
                          "DROP TRIGGER chg_needs_i; DROP TRIGGER chg_needs_u; DROP TRIGGER chg_needs_d;"
                          "DROP TRIGGER chg_responses_i; DROP TRIGGER chg_responses_u; DROP TRIGGER chg_responses_d;"
                          "DROP TRIGGER chg_campaigns_i; DROP TRIGGER chg_campaigns_u; DROP TRIGGER chg_campaigns_d;"
                          "DROP TRIGGER chg_participants_i; DROP TRIGGER chg_participants_u; DROP TRIGGER chg_participants_d;"
                          "DROP TRIGGER chg_reviews_i; DROP TRIGGER chg_reviews_u; DROP TRIGGER chg_reviews_d;"
                          "DROP TRIGGER chg_enterprise_files_i; DROP TRIGGER chg_enterprise_files_u; DROP TRIGGER chg_enterprise_files_d;"
                          "DROP TRIGGER chg_assessments_i; DROP TRIGGER chg_assessments_u; DROP TRIGGER chg_assessments_d;"
                          "DROP TABLE changes; DROP TABLE report_targets; DROP TABLE authorities;"
                          "DROP INDEX assessments_org_status; DROP INDEX assessments_verified;"
                          "DROP INDEX assessments_submitted;"
                          /* (issue 19) */
                          "DROP TABLE cases_fts; DROP VIEW cases_published; DROP TABLE cases;"
                          "DROP TABLE outcome_rank; DROP TABLE outcomes; DROP TABLE tickets;"
                          "DROP TABLE project_revisions; DROP TABLE projects;"
                          "DROP TRIGGER resources_outcome_ai; DROP TRIGGER resources_outcome_ad;"
                          "PRAGMA user_version = 4;"
                          "INSERT INTO orgs(id,name,created_at,updated_at) VALUES('org_1','p','t','t');"
                          "INSERT INTO resources(id,provider_id,provider_name,kind,kind_bit,title,doc,"
                          "industry_mask,scenario_mask,region_mask,created_at,updated_at) VALUES"
                          "('res_1','org_1','p','product',1,'a','{}',1,1,1,'t','t')"), 0);
    db_close(db);
    db = db_open(path);
    ASSERT(db != NULL);
    ASSERT_EQ(scalar(db, "SELECT count(*) FROM resources_hot"), 1);
    ASSERT_EQ(db_hot_mismatches(db), 0);
    db_close(db);
    rm_db(path);
}

static void bump(struct db *db)
{
    db_exec(db, "UPDATE meta SET v = v + 1 WHERE k = 'gen'");
}

/* db_generation() answers most calls from the WAL-index header without a
 * read transaction; a commit by any connection, in this process or
 * another, must still show at once, or a cached answer outlives a write. */
TEST(generation_sees_every_commit)
{
    char path[64];
    fresh_path(path, "gen");
    struct db *a = db_open(path), *b = db_open(path);
    ASSERT(a != NULL && b != NULL);
    long long g = db_generation(a);
    ASSERT_GT(g, 0);
    ASSERT_EQ(db_generation(a), g); /* maps the header */
    ASSERT_EQ(db_generation(a), g); /* takes the snapshot */
    ASSERT_EQ(db_generation(a), g); /* answered from the snapshot */

    bump(b); /* another connection */
    ASSERT_EQ(db_generation(a), g + 1);
    ASSERT_EQ(db_generation(a), g + 1);
    bump(a); /* its own connection */
    ASSERT_EQ(db_generation(a), g + 2);

    /* a commit that leaves the generation alone costs a read, not a
     * wrong answer */
    ASSERT_EQ(db_exec(b, "CREATE TABLE scratch (x)"), 0);
    ASSERT_EQ(db_generation(a), g + 2);

    /* another process */
    pid_t pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        struct db *c = db_open(path);
        if (c) {
            bump(c);
            bump(c);
        }
        _exit(c ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ASSERT_EQ(db_generation(a), g + 4);
    ASSERT_EQ(db_generation(a), g + 4);

    /* inside a read transaction a read shows the transaction's snapshot;
     * none of it may be remembered past the transaction's end */
    ASSERT_EQ(db_exec(a, "BEGIN"), 0);
    ASSERT_EQ(scalar(a, "SELECT count(*) FROM meta") > 0, 1);
    bump(b);
    ASSERT_EQ(db_generation(a), g + 4);
    ASSERT_EQ(db_generation(a), g + 4);
    ASSERT_EQ(db_exec(a, "COMMIT"), 0);
    ASSERT_EQ(db_generation(a), g + 5);
    ASSERT_EQ(db_generation(a), g + 5);
    db_close(b);
    db_close(a);
    rm_db(path);
}

TEST_MAIN(T(migrate_fresh_and_reopen), T(full_statement_cache_refuses_not_aborts), T(newer_schema_refused), T(fts_follows_rows_and_status),
          T(hot_columns_follow_every_write), T(hot_table_filled_on_upgrade),
          T(migration_14_keeps_the_feed_numbers_given),
          T(generation_sees_every_commit))
