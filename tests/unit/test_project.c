/*
 * Unit tests of project.c and project_make.c (issue 19): who may make
 * each move, which parties a caller is, the checks of cost lines and
 * milestones, the milestone merge by code and its "" that clears a date,
 * the board's due date, and the scene steps a project gained.
 */
#include "auth.h"
#include "instrument.h"
#include "project.h"
#include "taxonomy.h"
#include "test.h"

#include <string.h>

static void load(void)
{
    static int loaded;
    char err[256];
    if (!loaded && tax_load("schemas", err, sizeof err) == 0 &&
        instruments_load("schemas", err, sizeof err) == 0)
        loaded = 1;
}

TEST(moves_and_their_parties)
{
    ASSERT_EQ(project_move_parties("contracted", "implementing"), PARTY_PROVIDER | PARTY_CENTER);
    ASSERT_EQ(project_move_parties("implementing", "delivered"), PARTY_PROVIDER);
    ASSERT_EQ(project_move_parties("delivered", "accepted"), PARTY_ENTERPRISE | PARTY_CENTER);
    ASSERT_EQ(project_move_parties("disputed", "implementing"), PARTY_CENTER);
    ASSERT_EQ(project_move_parties("contracted", "cancelled"),
              PARTY_ENTERPRISE | PARTY_PROVIDER | PARTY_CENTER);
    /* no move skips delivery or leaves an end state */
    ASSERT_EQ(project_move_parties("implementing", "accepted"), 0);
    ASSERT_EQ(project_move_parties("contracted", "delivered"), 0);
    for (int i = 0; PROJECT_STATUSES[i]; i++) {
        ASSERT_EQ(project_move_parties("accepted", PROJECT_STATUSES[i]), 0);
        ASSERT_EQ(project_move_parties("cancelled", PROJECT_STATUSES[i]), 0);
        ASSERT_EQ(project_move_parties(PROJECT_STATUSES[i], PROJECT_STATUSES[i]), 0);
    }
}

TEST(parties_of_a_caller)
{
    struct proj p = {0};
    strcpy(p.enterprise_id, "org_e");
    strcpy(p.provider_id, "org_p");
    struct caller e = {.role = ROLE_ENTERPRISE}, pr = {.role = ROLE_PROVIDER},
                  c = {.role = ROLE_CENTER}, other = {.role = ROLE_ENTERPRISE},
                  adm = {.role = ROLE_ADMIN};
    strcpy(e.org_id, "org_e");
    strcpy(pr.org_id, "org_p");
    strcpy(c.org_id, "org_c");
    strcpy(other.org_id, "org_x");
    ASSERT_EQ(proj_parties(&p, &e), PARTY_ENTERPRISE);
    ASSERT_EQ(proj_parties(&p, &pr), PARTY_PROVIDER);
    ASSERT_EQ(proj_parties(&p, &c), PARTY_CENTER); /* no supervising center yet: any */
    ASSERT_EQ(proj_parties(&p, &other), 0);
    ASSERT(!proj_visible(&p, &other));
    ASSERT(proj_visible(&p, &adm));
    ASSERT_EQ(proj_parties(&p, &adm), 0);
    strcpy(p.center_id, "org_c2");
    ASSERT_EQ(proj_parties(&p, &c), 0); /* another center supervises it */
    ASSERT(proj_visible(&p, &c));       /* but reads it */
}

static const char *check(const char *text)
{
    static struct verr e;
    json_t *b = json_loads(text, 0, NULL);
    if (!b)
        return "(bad json)";
    int rc = validate(b, PROJECT_PATCH_FIELDS, &e) < 0 ? -1 : project_body_check(b, &e);
    json_decref(b);
    return rc == 0 ? "" : e.field;
}

TEST(amounts_and_milestones_are_checked)
{
    ASSERT_STR_EQ(check("{\"costs\":[{\"type\":\"software\",\"amount\":1},{\"type\":\"other\","
                        "\"amount\":0,\"note\":\"x\"}]}"), "");
    ASSERT_STR_EQ(check("{\"costs\":[{\"type\":\"software\",\"amount\":1},{\"type\":\"beer\","
                        "\"amount\":1}]}"), "costs[1].type");
    ASSERT_STR_EQ(check("{\"costs\":[{\"type\":\"cloud\",\"amount\":-5}]}"), "costs[0].amount");
    ASSERT_STR_EQ(check("{\"milestones\":[{\"code\":\"go_live\",\"planned\":\"2030-02-28\"}]}"), "");
    ASSERT_STR_EQ(check("{\"milestones\":[{\"code\":\"go_live\",\"planned\":\"2030-02-30\"}]}"),
                  "milestones[0].planned");
    ASSERT_STR_EQ(check("{\"milestones\":[{\"code\":\"go_live\",\"actual\":\"03/01/2030\"}]}"),
                  "milestones[0].actual");
    ASSERT_STR_EQ(check("{\"milestones\":[{\"code\":\"launch\"}]}"), "milestones[0].code");
    ASSERT_STR_EQ(check("{\"milestones\":[{\"code\":\"plan\"},{\"code\":\"plan\"}]}"),
                  "milestones[1].code");
    ASSERT_STR_EQ(check("{\"milestones\":[{\"code\":\"plan\",\"planned\":\"\"}]}"), "");
    /* what the server writes is ignored when sent back */
    ASSERT_STR_EQ(check("{\"milestones\":[{\"code\":\"plan\",\"name\":\"方案确认\","
                        "\"overdue\":true}]}"), "");
}

TEST(milestones_merge_by_code_and_due)
{
    json_t *stored = json_loads("[{\"code\":\"plan\",\"planned\":\"2030-01-01\","
                                "\"actual\":\"2030-01-02\"},{\"code\":\"go_live\","
                                "\"planned\":\"2030-03-01\"}]", 0, NULL);
    json_t *patch = json_loads("[{\"code\":\"plan\",\"actual\":\"\"},{\"code\":\"start\","
                               "\"planned\":\"2030-02-01\"}]", 0, NULL);
    json_t *ms = project_milestones_merge(stored, patch);
    ASSERT_EQ(json_array_size(ms), 4);
    ASSERT_STR_EQ(json_string_value(json_object_get(json_array_get(ms, 0), "code")), "plan");
    ASSERT(json_object_get(json_array_get(ms, 0), "actual") == NULL); /* "" cleared it */
    ASSERT_STR_EQ(json_string_value(json_object_get(json_array_get(ms, 0), "planned")),
                  "2030-01-01");
    ASSERT_STR_EQ(json_string_value(json_object_get(json_array_get(ms, 1), "planned")),
                  "2030-02-01");
    char due[16];
    project_due(ms, due);
    ASSERT_STR_EQ(due, "2030-01-01"); /* the earliest planned and not done */
    json_object_set_new(json_array_get(ms, 0), "actual", json_string("2030-01-05"));
    project_due(ms, due);
    ASSERT_STR_EQ(due, "2030-02-01");
    json_t *none = project_milestones_merge(NULL, NULL);
    project_due(none, due);
    ASSERT_STR_EQ(due, "");
    json_decref(none);
    json_decref(ms);
    json_decref(stored);
    json_decref(patch);
}

TEST(scene_steps_gained)
{
    load();
    json_t *before = json_loads("{\"instrument\":\"sme-2024\",\"scenes\":{\"quality\":1,"
                                "\"energy\":2,\"planning\":1}}", 0, NULL);
    json_t *after = json_loads("{\"instrument\":\"sme-2024\",\"scenes\":{\"quality\":3,"
                               "\"energy\":2,\"planning\":2}}", 0, NULL);
    json_t *quality = json_loads("[\"quality\"]", 0, NULL);
    json_t *network = json_loads("[\"network\"]", 0, NULL); /* no scene of the instrument */
    json_t *two = json_loads("[\"quality\",\"planning\"]", 0, NULL);
    ASSERT(project_step_gain(before, after, quality) == 2.0);
    ASSERT(project_step_gain(before, after, two) == 3.0);
    ASSERT(project_step_gain(before, after, network) == 3.0); /* then every scene */
    json_decref(before);
    json_decref(after);
    json_decref(quality);
    json_decref(network);
    json_decref(two);
}

TEST_MAIN(T(moves_and_their_parties), T(parties_of_a_caller), T(amounts_and_milestones_are_checked),
          T(milestones_merge_by_code_and_due), T(scene_steps_gained))
