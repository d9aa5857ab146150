/*
 * Unit tests of campaign.c: the rules a center meets when a campaign is
 * refused (tiers, sizes, deadline), the tier price in force, the
 * transition tables, and the deadline closer on a real database (it
 * closes each due campaign once, even with two connections racing).
 */
#include "campaign.h"
#include "db.h"
#include "taxonomy.h"
#include "test.h"

#include <unistd.h>

static void load(void)
{
    static int loaded;
    char err[256];
    if (!loaded && tax_load("schemas", err, sizeof err) == 0)
        loaded = 1;
}

#define NOW ((time_t)1900000000) /* 2030-03-17T17:46:40Z */

/* Validates text as a campaign at NOW; the failing field or "". */
static const char *check(const char *text)
{
    static struct verr e;
    load();
    json_t *doc = json_loads(text, 0, NULL);
    if (!doc)
        return "(bad json)";
    time_t at;
    int rc = campaign_validate(doc, NOW, &at, &e);
    json_decref(doc);
    return rc == 0 ? "" : e.field;
}

#define HEAD "{\"title\":\"集采\",\"resource_id\":\"res_x\",\"industry\":\"machinery\"," \
             "\"scenarios\":[\"quality\"],\"min_participants\":2,"
#define TIERS "\"tiers\":[{\"min_participants\":2,\"unit_price\":100}," \
              "{\"min_participants\":5,\"unit_price\":80}],"
#define LATER "\"deadline\":\"2030-04-01T00:00:00Z\"}"

TEST(valid_campaign)
{
    ASSERT_STR_EQ(check(HEAD TIERS LATER), "");
    ASSERT_STR_EQ(check(HEAD TIERS "\"max_participants\":5," LATER), "");
    ASSERT_STR_EQ(check(HEAD TIERS "\"deadline\":\"2030-03-17\"}"), ""); /* end of today */
}

TEST(tier_rules_name_the_tier)
{
    ASSERT_STR_EQ(check(HEAD "\"tiers\":[{\"min_participants\":5,\"unit_price\":100},"
                             "{\"min_participants\":5,\"unit_price\":80}]," LATER),
                  "tiers[1].min_participants");
    ASSERT_STR_EQ(check(HEAD "\"tiers\":[{\"min_participants\":2,\"unit_price\":100},"
                             "{\"min_participants\":5,\"unit_price\":100.5}]," LATER),
                  "tiers[1].unit_price");
    ASSERT_STR_EQ(check(HEAD "\"tiers\":[]," LATER), "tiers");
    ASSERT_STR_EQ(check(HEAD "\"tiers\":[{\"min_participants\":2,\"unit_price\":-1}]," LATER),
                  "tiers[0].unit_price");
    ASSERT_STR_EQ(check(HEAD TIERS "\"max_participants\":4," LATER), "tiers[1].min_participants");
}

TEST(sizes_and_deadline)
{
    ASSERT_STR_EQ(check(HEAD TIERS "\"max_participants\":1," LATER), "max_participants");
    ASSERT_STR_EQ(check(HEAD TIERS "\"deadline\":\"2030-03-16\"}"), "deadline");
    ASSERT_STR_EQ(check(HEAD TIERS "\"deadline\":\"2030-03-17T17:46:40Z\"}"), "deadline");
    ASSERT_STR_EQ(check(HEAD TIERS "\"deadline\":\"2030-03-17T17:46:41Z\"}"), "");
    ASSERT_STR_EQ(check(HEAD TIERS "\"deadline\":\"soon\"}"), "deadline");
}

TEST(deadline_seconds)
{
    load();
    json_t *doc = json_loads(HEAD TIERS "\"deadline\":\"2030-03-18\"}", 0, NULL);
    struct verr e;
    time_t at = 0;
    ASSERT_EQ(campaign_validate(doc, NOW, &at, &e), 0);
    ASSERT_EQ(at, 1900108800); /* midnight of the 18th + the whole day */
    json_decref(doc);
}

TEST(tier_in_force)
{
    json_t *t = json_loads("[{\"min_participants\":3,\"unit_price\":120},"
                           "{\"min_participants\":5,\"unit_price\":100},"
                           "{\"min_participants\":10,\"unit_price\":80}]", 0, NULL);
    static const struct {
        long count;
        int price;
    } CASES[] = {{0, 120}, {2, 120}, {3, 120}, {4, 120}, {5, 100}, {9, 100}, {10, 80}, {99, 80}};
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++)
        ASSERT_EQ(json_integer_value(json_object_get(campaign_tier_for(t, CASES[i].count),
                                                     "unit_price")),
                  CASES[i].price);
    json_decref(t);
    json_t *empty = json_array();
    ASSERT(campaign_tier_for(empty, 3) == NULL);
    json_decref(empty);
}

TEST(transition_tables)
{
    ASSERT_EQ(campaign_transition_ok("draft", "open"), 1);
    ASSERT_EQ(campaign_transition_ok("open", "succeeded"), 1);
    ASSERT_EQ(campaign_transition_ok("open", "cancelled"), 1);
    ASSERT_EQ(campaign_transition_ok("implementing", "completed"), 1);
    ASSERT_EQ(campaign_transition_ok("draft", "succeeded"), 0);
    ASSERT_EQ(campaign_transition_ok("succeeded", "cancelled"), 0);
    ASSERT_EQ(campaign_transition_ok("failed", "contracted"), 0);
    ASSERT_EQ(campaign_transition_ok("completed", "open"), 0);
    ASSERT_EQ(campaign_transition_ok("open", "open"), 0);
    ASSERT_EQ(participant_transition_ok("joined", "contracted"), 1);
    ASSERT_EQ(participant_transition_ok("implementing", "withdrawn"), 1);
    ASSERT_EQ(participant_transition_ok("joined", "accepted"), 0);
    ASSERT_EQ(participant_transition_ok("accepted", "withdrawn"), 0);
    ASSERT_EQ(participant_transition_ok("withdrawn", "joined"), 0);
}

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

TEST(close_due_once)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/shucu-test-camp-%d.db", (int)getpid());
    rm_db(path);
    struct db *a = db_open(path), *b = db_open(path);
    ASSERT(a != NULL && b != NULL);
    ASSERT_EQ(db_exec(a,
        "INSERT INTO orgs(id, name, created_at, updated_at) VALUES"
        " ('org_c', 'C', 'x', 'x'), ('org_p', 'P', 'x', 'x'), ('org_e', 'E', 'x', 'x');"
        "INSERT INTO resources(kind_bit, industry_mask, scenario_mask, region_mask, id,"
        " provider_id, created_at, updated_at, kind, provider_name, title, doc)"
        " VALUES (1, 1, 1, 1, 'res_1', 'org_p', 'x', 'x', 'solution', 'P', 't', '{}');"
        "INSERT INTO campaigns(id, status, deadline_at, min_participants, industry,"
        " scenario_mask, center_id, center_name, resource_id, deadline, created_at,"
        " updated_at, title, scenarios, tiers, doc) VALUES"
        " ('camp_ok', 'open', 1, 1, 'machinery', 1, 'org_c', 'C', 'res_1', 'd', 'x', 'x', 't',"
        "  '[]', '[]', '{}'),"
        " ('camp_few', 'open', 1, 2, 'machinery', 1, 'org_c', 'C', 'res_1', 'd', 'x', 'x', 't',"
        "  '[]', '[]', '{}'),"
        " ('camp_later', 'open', 4000000000, 1, 'machinery', 1, 'org_c', 'C', 'res_1', 'd',"
        "  'x', 'x', 't', '[]', '[]', '{}'),"
        " ('camp_draft', 'draft', 1, 1, 'machinery', 1, 'org_c', 'C', 'res_1', 'd', 'x', 'x',"
        "  't', '[]', '[]', '{}');"
        "INSERT INTO participants(campaign_id, org_id, org_name, joined_at, updated_at)"
        " VALUES ('camp_ok', 'org_e', 'E', 'x', 'x'), ('camp_few', 'org_e', 'E', 'x', 'x');"),
              0);
    ASSERT_EQ(campaign_close_due(a), 2);
    ASSERT_EQ(campaign_close_due(b), 0); /* another process finds nothing left */
    ASSERT_EQ(campaign_close_due(a), 0);
    ASSERT_EQ(scalar(a, "SELECT status = 'succeeded' FROM campaigns WHERE id = 'camp_ok'"), 1);
    ASSERT_EQ(scalar(a, "SELECT status = 'failed' FROM campaigns WHERE id = 'camp_few'"), 1);
    ASSERT_EQ(scalar(a, "SELECT status = 'open' FROM campaigns WHERE id = 'camp_later'"), 1);
    ASSERT_EQ(scalar(a, "SELECT status = 'draft' FROM campaigns WHERE id = 'camp_draft'"), 1);
    ASSERT_EQ(scalar(a, "SELECT count(*) FROM revisions WHERE by_role = 'system'"
                        " AND by_org IS NULL AND from_status = 'open'"), 2);
    /* revisions are append-only */
    ASSERT_EQ(scalar(a, "SELECT version FROM campaigns WHERE id = 'camp_ok'"), 2);
    ASSERT(db_exec(a, "DELETE FROM revisions") < 0);
    ASSERT(db_exec(a, "UPDATE revisions SET reason = 'x'") < 0);
    db_close(a);
    db_close(b);
    rm_db(path);
}

TEST_MAIN(T(valid_campaign), T(tier_rules_name_the_tier), T(sizes_and_deadline),
          T(deadline_seconds), T(tier_in_force), T(transition_tables), T(close_due_once))
