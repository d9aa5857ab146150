/*
 * Unit tests of instrument.c and instrument_score.c: the shipped
 * instrument loads; points per question, dimension and in total for
 * answers computed by hand (nothing, everything, a typical small firm);
 * "无" alone scores 0 and "无" with another option is refused naming the
 * field; each level's boundary (19.99 against 20, one scene short, one
 * constrained scene short); and the level rules come from the file: an
 * edited copy of it, loaded from another directory, gives another level
 * with no change to the code.  Malformed files are refused naming the
 * file and the fault.
 */
#include "instrument.h"
#include "taxonomy.h"
#include "test.h"
#include "util.h"
#include "validate.h"

#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_2024 "schemas/instruments/sme-2024.json"

static const struct instrument *sme(void)
{
    static int loaded;
    char err[512];
    if (!loaded) {
        if (tax_load("schemas", err, sizeof err) < 0 || instruments_load("schemas", err, sizeof err) < 0) {
            fprintf(stderr, "  %s\n", err);
            return NULL;
        }
        loaded = 1;
    }
    return instruments_find("sme-2024");
}

static json_t *js(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    if (!j)
        fprintf(stderr, "  bad JSON in test: %s\n", text);
    return j;
}

#define NEAR(a, b) (fabs((a) - (b)) < 1e-9)
#define ASSERT_NEAR(a, b)                                                                   \
    do {                                                                                    \
        double a__ = (a), b__ = (b);                                                        \
        if (!NEAR(a__, b__))                                                                \
            TEST_FAIL_("%s == %s: %.10g vs %.10g", #a, #b, a__, b__);                       \
    } while (0)

/* Scores answers/scenes (JSON text) under in. */
static void score(const struct instrument *in, const char *answers, const char *scenes,
                  struct instr_score *s)
{
    json_t *a = js(answers), *sc = js(scenes);
    instrument_score(in, a, sc, s);
    json_decref(a);
    json_decref(sc);
}

/* The field instrument_check() names for answers/evidence/scenes, or "". */
static const char *fault(const char *answers, const char *evidence, const char *scenes)
{
    static struct verr e;
    json_t *a = answers ? js(answers) : NULL, *ev = evidence ? js(evidence) : NULL,
           *sc = scenes ? js(scenes) : NULL;
    int rc = instrument_check(sme(), a, ev, sc, &e);
    json_decref(a);
    json_decref(ev);
    json_decref(sc);
    return rc == 0 ? "" : e.field;
}

static double dim(const struct instrument *in, const struct instr_score *s, const char *name)
{
    for (int d = 0; d < in->nd; d++)
        if (strcmp(in->d[d].name, name) == 0)
            return s->dim[d];
    return -1;
}

static double question(const struct instrument *in, const struct instr_score *s, const char *code)
{
    int i = instrument_question(in, code);
    return i < 0 ? -1 : s->question[i];
}

#define ZERO_ANSWERS                                                                         \
    "{\"network\":[\"A\"],\"device_digital_rate\":[\"A\"],\"device_network_rate\":[\"A\"],"  \
    "\"auto_collection\":[\"A\"],\"it_coverage\":[\"A\"],\"network_security\":[\"A\"],"     \
    "\"data_security\":[\"A\"],\"planning\":[\"A\"],\"mechanisms\":[\"A\"],"                \
    "\"talent\":[\"A\"],\"investment\":[\"A\"],\"energy_per_revenue\":[\"A\"],"             \
    "\"pass_rate\":[\"A\"],\"revenue_per_head\":[\"A\"],\"cost_per_revenue\":[\"A\"]}"

#define MAX_ANSWERS                                                                          \
    "{\"network\":[\"B\",\"C\",\"D\",\"E\"],\"device_digital_rate\":[\"E\"],"               \
    "\"device_network_rate\":[\"E\"],\"auto_collection\":[\"B\",\"C\",\"D\",\"E\",\"F\","   \
    "\"G\",\"H\",\"I\",\"J\",\"K\",\"L\",\"M\",\"N\",\"O\"],\"it_coverage\":[\"E\"],"       \
    "\"network_security\":[\"B\",\"C\",\"D\",\"E\"],\"data_security\":[\"B\",\"C\",\"D\","  \
    "\"E\"],\"planning\":[\"F\"],\"mechanisms\":[\"B\",\"C\",\"D\",\"E\"],"                 \
    "\"talent\":[\"B\",\"C\",\"D\",\"E\",\"F\"],\"investment\":[\"E\"],"                    \
    "\"energy_per_revenue\":[\"C\"],\"pass_rate\":[\"C\"],\"revenue_per_head\":[\"C\"],"    \
    "\"cost_per_revenue\":[\"C\"]}"

#define ALL_SCENES(n)                                                                        \
    "{\"product_design\":" n ",\"process_design\":" n ",\"marketing\":" n                    \
    ",\"after_sales\":" n ",\"planning\":" n ",\"production_control\":" n ",\"quality\":" n  \
    ",\"equipment\":" n ",\"safety\":" n ",\"energy\":" n ",\"procurement\":" n              \
    ",\"warehouse_logistics\":" n ",\"finance\":" n ",\"hr\":" n ",\"collaboration\":" n     \
    ",\"decision_support\":" n "}"

/* A small machining firm, scored by hand in the comments. */
#define SMALL_ANSWERS                                                                        \
    "{\"network\":[\"B\"],"                            /* 2 */                               \
    "\"device_digital_rate\":[\"C\"],"                 /* 3 */                               \
    "\"device_network_rate\":[\"B\"],"                 /* 1.5   设备系统 6.5 */              \
    "\"auto_collection\":[\"G\",\"H\",\"N\"],"         /* 2.1   数据采集 */                  \
    "\"it_coverage\":[\"C\"],"                         /* 5     信息系统 */                  \
    "\"network_security\":[\"B\",\"C\"],"              /* 2.5 */                             \
    "\"data_security\":[\"A\"],"                       /* 0     信息安全 2.5; 基础 16.1 */   \
    "\"planning\":[\"C\"],"                            /* 3 */                               \
    "\"mechanisms\":[\"A\"],"                          /* 0 */                               \
    "\"talent\":[\"B\"],"                              /* 1.5 */                             \
    "\"investment\":[\"B\"],"                          /* 1.875 管理 6.375 */                \
    "\"energy_per_revenue\":[\"B\"],"                  /* 3.5 */                             \
    "\"pass_rate\":[\"C\"],"                           /* 7 */                               \
    "\"revenue_per_head\":[\"C\"],"                    /* 3 */                               \
    "\"cost_per_revenue\":[\"B\"]}"                    /* 1.5   成效 15; total 37.475 */

/* 14 scenes at step 1 or more (9 constrained), 8 at 2 or more (6
 * constrained), 1 at 3: level 1 holds; level 2 fails on the score only. */
#define SMALL_SCENES                                                                         \
    "{\"product_design\":1,\"process_design\":1,\"marketing\":2,\"after_sales\":1,"         \
    "\"planning\":2,\"production_control\":2,\"quality\":2,\"equipment\":1,\"safety\":1,"   \
    "\"energy\":0,\"procurement\":2,\"warehouse_logistics\":2,\"finance\":3,\"hr\":1,"      \
    "\"collaboration\":2,\"decision_support\":0}"

TEST(shipped_instrument_loads)
{
    const struct instrument *in = sme();
    ASSERT(in != NULL);
    ASSERT_EQ(instruments_count(), 1);
    ASSERT_EQ(in->nq, 15);
    ASSERT_EQ(in->nd, 3);
    ASSERT_EQ(in->ns, 16);
    ASSERT_EQ(in->nr, 4);
    ASSERT_NEAR(in->total, 100);
    ASSERT_STR_EQ(in->s[0].code, "product_design");
    ASSERT_STR_EQ(in->s[15].code, "decision_support");
    ASSERT_STR_EQ(instruments_at(0)->code, "sme-2024");
}

TEST(all_zero)
{
    const struct instrument *in = sme();
    struct instr_score s;
    score(in, ZERO_ANSWERS, ALL_SCENES("0"), &s);
    ASSERT_NEAR(s.total, 0);
    for (int d = 0; d < in->nd; d++)
        ASSERT_NEAR(s.dim[d], 0);
    for (int i = 0; i < in->nq; i++)
        ASSERT_EQ(s.answered[i], 1);
    ASSERT_EQ(s.level, 0);
    ASSERT_EQ(s.check[0].holds, 0);
    ASSERT_EQ(s.check[0].score_ok, 0);
}

TEST(all_maximum_is_100)
{
    const struct instrument *in = sme();
    struct instr_score s;
    score(in, MAX_ANSWERS, ALL_SCENES("4"), &s);
    ASSERT_NEAR(s.total, 100);
    ASSERT_NEAR(dim(in, &s, "数字化基础"), 50);
    ASSERT_NEAR(dim(in, &s, "数字化管理"), 30);
    ASSERT_NEAR(dim(in, &s, "数字化成效"), 20);
    ASSERT_NEAR(question(in, &s, "auto_collection"), 10); /* 13 × 0.7 + 0.9 */
    ASSERT_NEAR(question(in, &s, "mechanisms"), 7.5);     /* 4 × 1.875 */
    ASSERT_EQ(s.level, 4);
    for (int l = 0; l < s.nchecks; l++)
        ASSERT_EQ(s.check[l].holds, 1);
}

TEST(typical_small_firm_by_hand)
{
    const struct instrument *in = sme();
    struct instr_score s;
    score(in, SMALL_ANSWERS, SMALL_SCENES, &s);
    ASSERT_NEAR(question(in, &s, "auto_collection"), 2.1);
    ASSERT_NEAR(question(in, &s, "network_security"), 2.5);
    ASSERT_NEAR(question(in, &s, "investment"), 1.875);
    ASSERT_NEAR(dim(in, &s, "数字化基础"), 16.1);
    ASSERT_NEAR(dim(in, &s, "数字化管理"), 6.375);
    ASSERT_NEAR(dim(in, &s, "数字化成效"), 15);
    ASSERT_NEAR(s.total, 37.475);
    ASSERT_EQ(s.level, 1);
    ASSERT_EQ(s.check[0].scenes_at, 14);
    ASSERT_EQ(s.check[0].constrained_at, 9);
    ASSERT_EQ(s.check[1].scenes_at, 8);
    ASSERT_EQ(s.check[1].constrained_at, 6);
    ASSERT_EQ(s.check[1].score_ok, 0);
    ASSERT_EQ(s.check[1].scenes_ok, 1);
    ASSERT_EQ(s.check[1].constrained_ok, 1);
    ASSERT_EQ(s.check[1].holds, 0);
    ASSERT_EQ(s.check[2].scenes_at, 1);
    /* The JSON names dimensions and questions; unanswered ones are left out. */
    json_t *j = instrument_score_json(in, &s);
    ASSERT_NEAR(json_real_value(json_object_get(json_object_get(j, "dimensions"), "数字化管理")),
                6.375);
    ASSERT_NEAR(json_real_value(json_object_get(j, "total")), 37.475);
    json_decref(j);
}

TEST(every_multi_question_with_none_alone_scores_zero)
{
    const struct instrument *in = sme();
    int multi = 0;
    for (int i = 0; i < in->nq; i++) {
        const struct instr_question *q = &in->q[i];
        if (!q->multi)
            continue;
        multi++;
        char a[160];
        snprintf(a, sizeof a, "{\"%s\":[\"A\"]}", q->code);
        ASSERT_EQ(q->opt[0].exclusive, 1); /* 无 is A in every multi question */
        ASSERT_STR_EQ(fault(a, NULL, NULL), "");
        struct instr_score s;
        score(in, a, "{}", &s);
        ASSERT_EQ(s.answered[i], 1);
        ASSERT_NEAR(s.question[i], 0);
        ASSERT_NEAR(s.total, 0);
        /* 无 with any other option is refused, naming the question. */
        char want[80];
        snprintf(want, sizeof want, "answers.%s", q->code);
        for (int k = 1; k < q->nopt; k++) {
            snprintf(a, sizeof a, "{\"%s\":[\"%c\",\"A\"]}", q->code, 'A' + k);
            ASSERT_STR_EQ(fault(a, NULL, NULL), want);
        }
    }
    ASSERT_EQ(multi, 6);
}

TEST(bad_answers_name_the_field)
{
    ASSERT_STR_EQ(fault("{\"nope\":[\"A\"]}", NULL, NULL), "answers.nope");
    ASSERT_STR_EQ(fault("{\"network\":[\"F\"]}", NULL, NULL), "answers.network");
    ASSERT_STR_EQ(fault("{\"network\":[\"B\",\"B\"]}", NULL, NULL), "answers.network");
    ASSERT_STR_EQ(fault("{\"network\":[]}", NULL, NULL), "answers.network");
    ASSERT_STR_EQ(fault("{\"network\":\"B\"}", NULL, NULL), "answers.network");
    ASSERT_STR_EQ(fault("{\"network\":[2]}", NULL, NULL), "answers.network");
    ASSERT_STR_EQ(fault("{\"it_coverage\":[\"B\",\"C\"]}", NULL, NULL), "answers.it_coverage");
    ASSERT_STR_EQ(fault("[]", NULL, NULL), "answers");
    ASSERT_STR_EQ(fault(NULL, NULL, "{\"quality\":5}"), "scenes.quality");
    ASSERT_STR_EQ(fault(NULL, NULL, "{\"quality\":-1}"), "scenes.quality");
    ASSERT_STR_EQ(fault(NULL, NULL, "{\"quality\":1.5}"), "scenes.quality");
    ASSERT_STR_EQ(fault(NULL, NULL, "{\"network\":1}"), "scenes.network"); /* a question, not a scene */
    ASSERT_STR_EQ(fault(NULL, NULL, "{\"quality\":4,\"energy\":0}"), "");
    ASSERT_STR_EQ(fault(NULL, "{\"pass_rate\":{\"pass_rate\":101}}", NULL),
                  "evidence.pass_rate.pass_rate");
    ASSERT_STR_EQ(fault(NULL, "{\"pass_rate\":{\"pass_rate\":\"99\"}}", NULL),
                  "evidence.pass_rate.pass_rate");
    ASSERT_STR_EQ(fault(NULL, "{\"pass_rate\":{\"devices_total\":3}}", NULL),
                  "evidence.pass_rate.devices_total");
    ASSERT_STR_EQ(fault(NULL, "{\"network\":{\"x\":1}}", NULL), "evidence.network.x");
    ASSERT_STR_EQ(fault(NULL, "{\"device_digital_rate\":{\"devices_total\":-1}}", NULL),
                  "evidence.device_digital_rate.devices_total");
    ASSERT_STR_EQ(fault(NULL, "{\"device_digital_rate\":{\"devices_total\":120,"
                              "\"devices_digital\":30}}", NULL), "");
}

/* Steps of the 16 scenes: the first constrained_n constrained and
 * other_n other scenes at step, the rest one step lower. */
static void steps_with(const struct instrument *in, int constrained_n, int other_n, int step,
                       int *steps)
{
    for (int i = 0; i < in->ns; i++) {
        steps[i] = step - 1;
        if (in->s[i].constrained && constrained_n > 0) {
            steps[i] = step;
            constrained_n--;
        } else if (!in->s[i].constrained && other_n > 0) {
            steps[i] = step;
            other_n--;
        }
    }
}

TEST(level_boundaries)
{
    const struct instrument *in = sme();
    struct instr_check c[INSTR_MAX_LEVELS];
    int steps[INSTR_MAX_SCENES];
    /* Level 1: 20 points, 6 scenes at step 1, 3 of them constrained. */
    steps_with(in, 3, 3, 1, steps);
    ASSERT_EQ(instrument_level(in, 20, steps, c), 1);
    ASSERT_EQ(instrument_level(in, 19.99, steps, c), 0);
    ASSERT_EQ(c[0].score_ok, 0);
    ASSERT_EQ(c[0].scenes_ok, 1);
    steps_with(in, 3, 2, 1, steps); /* one scene short */
    ASSERT_EQ(instrument_level(in, 20, steps, c), 0);
    ASSERT_EQ(c[0].scenes_ok, 0);
    ASSERT_EQ(c[0].constrained_ok, 1);
    steps_with(in, 2, 4, 1, steps); /* six scenes, one constrained short */
    ASSERT_EQ(instrument_level(in, 20, steps, c), 0);
    ASSERT_EQ(c[0].scenes_ok, 1);
    ASSERT_EQ(c[0].constrained_ok, 0);
    /* Level 2: 40 points, 6 scenes at step 2, 3 constrained. */
    steps_with(in, 3, 3, 2, steps);
    ASSERT_EQ(instrument_level(in, 40, steps, c), 2);
    ASSERT_EQ(instrument_level(in, 39.99, steps, c), 1);
    steps_with(in, 3, 2, 2, steps);
    ASSERT_EQ(instrument_level(in, 40, steps, c), 1);
    steps_with(in, 2, 4, 2, steps);
    ASSERT_EQ(instrument_level(in, 40, steps, c), 1);
    /* Level 3: 60 points, 8 scenes at step 3, 5 constrained. */
    steps_with(in, 5, 3, 3, steps);
    ASSERT_EQ(instrument_level(in, 60, steps, c), 3);
    ASSERT_EQ(instrument_level(in, 59.99, steps, c), 2);
    steps_with(in, 5, 2, 3, steps);
    ASSERT_EQ(instrument_level(in, 60, steps, c), 2);
    steps_with(in, 4, 4, 3, steps);
    ASSERT_EQ(instrument_level(in, 60, steps, c), 2);
    /* Level 4: 80 points, 10 scenes at step 4, 6 constrained. */
    steps_with(in, 6, 4, 4, steps);
    ASSERT_EQ(instrument_level(in, 80, steps, c), 4);
    ASSERT_EQ(instrument_level(in, 79.99, steps, c), 3);
    steps_with(in, 6, 3, 4, steps);
    ASSERT_EQ(instrument_level(in, 80, steps, c), 3);
    steps_with(in, 5, 5, 4, steps);
    ASSERT_EQ(instrument_level(in, 80, steps, c), 3);
    /* Levels are cumulative: a high score with no scenes is level 0. */
    steps_with(in, 0, 0, 0, steps);
    ASSERT_EQ(instrument_level(in, 100, steps, c), 0);
    ASSERT_EQ(c[3].score_ok, 1);
}

/* Writes doc into dir/instruments/sme-2024.json. */
static int write_instrument(const char *dir, json_t *doc)
{
    char *sub = xasprintf("%s/instruments", dir), *path = xasprintf("%s/sme-2024.json", sub);
    mkdir(dir, 0700);
    mkdir(sub, 0700);
    int rc = json_dump_file(doc, path, JSON_INDENT(1));
    free(sub);
    free(path);
    return rc;
}

TEST(level_rules_come_from_the_file)
{
    const struct instrument *in = sme();
    struct instr_score s;
    score(in, SMALL_ANSWERS, SMALL_SCENES, &s);
    ASSERT_EQ(s.level, 1);
    /* An operator raises level 1 to 40 points: the same answers are now
     * below level 1, loaded from another directory, no rebuild. */
    json_error_t je;
    json_t *doc = json_load_file(FILE_2024, 0, &je);
    ASSERT(doc != NULL);
    json_t *rule = json_array_get(json_object_get(doc, "level_rules"), 0);
    json_object_set_new(rule, "min_score", json_real(40));
    char dir[] = "/tmp/shucu-instr-XXXXXX";
    ASSERT(mkdtemp(dir) != NULL);
    ASSERT_EQ(write_instrument(dir, doc), 0);
    json_decref(doc);
    char err[512];
    ASSERT_EQ(instruments_load(dir, err, sizeof err), 0);
    const struct instrument *edited = instruments_find("sme-2024");
    ASSERT(edited != NULL && edited != in);
    score(edited, SMALL_ANSWERS, SMALL_SCENES, &s);
    ASSERT_NEAR(s.total, 37.475);
    ASSERT_EQ(s.level, 0);
    ASSERT_EQ(s.check[0].score_ok, 0);
    /* ... and a lower scene count for level 2 with 35 points lifts it. */
    doc = json_load_file(FILE_2024, 0, &je);
    rule = json_array_get(json_object_get(doc, "level_rules"), 1);
    json_object_set_new(rule, "min_score", json_real(35));
    ASSERT_EQ(write_instrument(dir, doc), 0);
    json_decref(doc);
    ASSERT_EQ(instruments_load(dir, err, sizeof err), 0);
    score(instruments_find("sme-2024"), SMALL_ANSWERS, SMALL_SCENES, &s);
    ASSERT_EQ(s.level, 2);
    /* Back to the shipped file for the other tests. */
    ASSERT_EQ(instruments_load("schemas", err, sizeof err), 0);
    char *p = xasprintf("%s/instruments/sme-2024.json", dir);
    unlink(p);
    free(p);
    p = xasprintf("%s/instruments", dir);
    rmdir(p);
    free(p);
    rmdir(dir);
}

/* The message instrument_parse gives after edit(doc), or "" if accepted. */
static const char *parse_fault(void (*edit)(json_t *doc))
{
    static char err[512];
    json_error_t je;
    json_t *doc = json_load_file(FILE_2024, 0, &je);
    edit(doc);
    struct instrument *in = NULL;
    int rc = instrument_parse(doc, "x/bad.json", &in, err, sizeof err);
    instrument_free(in);
    json_decref(doc);
    return rc == 0 ? "" : err;
}

static json_t *q0(json_t *doc)
{
    json_t *g = json_array_get(json_object_get(json_array_get(json_object_get(doc, "dimensions"), 0), "groups"), 0);
    return json_array_get(json_object_get(g, "questions"), 0);
}
static void edit_none(json_t *doc) { (void)doc; }
static void edit_option_score(json_t *doc)
{
    json_object_set_new(json_array_get(json_object_get(q0(doc), "options"), 1), "score", json_real(3));
}
static void edit_option_id(json_t *doc)
{
    json_object_set_new(json_array_get(json_object_get(q0(doc), "options"), 2), "id", json_string("X"));
}
static void edit_scene_order(json_t *doc)
{
    json_t *scenes = json_object_get(doc, "scenes");
    json_t *first = json_incref(json_array_get(scenes, 0));
    json_array_remove(scenes, 0);
    json_array_append_new(scenes, first);
}
static void edit_scene_missing(json_t *doc) { json_array_remove(json_object_get(doc, "scenes"), 15); }
static void edit_ladder(json_t *doc)
{
    json_array_remove(json_object_get(json_array_get(json_object_get(doc, "scenes"), 3), "ladder"), 0);
}
static void edit_rules(json_t *doc)
{
    json_object_set_new(json_array_get(json_object_get(doc, "level_rules"), 2), "min_score", json_real(30));
}
static void edit_rule_scenes(json_t *doc)
{
    json_object_set_new(json_array_get(json_object_get(doc, "level_rules"), 3), "min_scenes_at_level",
                        json_integer(17));
}
static void edit_total(json_t *doc) { json_object_set_new(doc, "total", json_integer(90)); }
static void edit_exclusive(json_t *doc)
{
    json_object_del(json_array_get(json_object_get(q0(doc), "options"), 0), "exclusive");
}

TEST(malformed_files_are_refused_naming_file_and_fault)
{
    sme();
    ASSERT_STR_EQ(parse_fault(edit_none), "");
    const char *m = parse_fault(edit_option_score);
    ASSERT(strstr(m, "x/bad.json: dimensions[0].groups[0].questions[0]") == m);
    ASSERT(strstr(m, "reach 9 points but the question is worth 8") != NULL);
    ASSERT(strstr(parse_fault(edit_option_id), "options[2]: option ids must run A, B, C") != NULL);
    ASSERT(strstr(parse_fault(edit_scene_order), "scenes[0]: must be the taxonomy's scenario product_design") != NULL);
    ASSERT(strstr(parse_fault(edit_scene_missing), "decision_support") != NULL);
    ASSERT(strstr(parse_fault(edit_ladder), "scenes[3]: \"ladder\" must have 4 steps") != NULL);
    ASSERT(strstr(parse_fault(edit_rules), "level_rules[2]: min_score must not fall") != NULL);
    ASSERT(strstr(parse_fault(edit_rule_scenes), "level_rules[3]") != NULL);
    ASSERT(strstr(parse_fault(edit_total), "total: the dimensions add up to 100 points, not 90") != NULL);
    ASSERT(strstr(parse_fault(edit_exclusive), "exactly one exclusive option") != NULL);
    /* The registry names the file of a bad JSON text, with its line. */
    char dir[] = "/tmp/shucu-instr-XXXXXX", err[512];
    ASSERT(mkdtemp(dir) != NULL);
    char *sub = xasprintf("%s/instruments", dir), *path = xasprintf("%s/broken.json", sub);
    mkdir(sub, 0700);
    FILE *f = fopen(path, "w");
    ASSERT(f != NULL);
    fputs("{\"code\": \"x\",\n  oops}\n", f);
    fclose(f);
    ASSERT_EQ(instruments_load(dir, err, sizeof err), -1);
    ASSERT(strstr(err, path) == err);
    ASSERT(strstr(err, "line 2") != NULL);
    ASSERT_EQ(instruments_count(), 0);
    unlink(path);
    ASSERT_EQ(instruments_load(dir, err, sizeof err), -1); /* no instrument at all */
    ASSERT(strstr(err, "no instrument") != NULL);
    rmdir(sub);
    rmdir(dir);
    free(sub);
    free(path);
    ASSERT_EQ(instruments_load("schemas", err, sizeof err), 0);
}

TEST(missing_lists_what_submit_needs)
{
    const struct instrument *in = sme();
    struct instr_score s;
    score(in, "{\"network\":[\"B\"]}", "{\"quality\":2}", &s);
    json_t *m = instrument_missing_json(in, &s);
    ASSERT_EQ(json_array_size(json_object_get(m, "questions")), 14);
    ASSERT_EQ(json_array_size(json_object_get(m, "scenes")), 15);
    ASSERT_STR_EQ(json_string_value(json_array_get(json_object_get(m, "questions"), 0)),
                  "device_digital_rate");
    json_decref(m);
}

TEST(compact_form_restores_the_score)
{
    const struct instrument *in = sme();
    struct instr_score s, r;
    score(in, SMALL_ANSWERS, SMALL_SCENES, &s);
    json_t *p = instrument_points_compact(in, &s), *c = instrument_checks_compact(in, &s);
    char *pt = json_dumps(p, JSON_COMPACT), *ct = json_dumps(c, JSON_COMPACT);
    ASSERT(strlen(pt) < 120 && strlen(ct) < 120); /* a few dozen bytes a row */
    ASSERT_EQ(instrument_score_restore(in, s.total, s.level, p, c, &r), 0);
    ASSERT_NEAR(r.total, 37.475);
    ASSERT_EQ(r.level, 1);
    for (int d = 0; d < in->nd; d++)
        ASSERT_NEAR(r.dim[d], s.dim[d]);
    for (int i = 0; i < in->nq; i++) {
        ASSERT_EQ(r.answered[i], s.answered[i]);
        ASSERT_NEAR(r.question[i], s.question[i]);
    }
    for (int l = 0; l < in->nr; l++) {
        ASSERT_EQ(r.check[l].holds, s.check[l].holds);
        ASSERT_EQ(r.check[l].scenes_ok, s.check[l].scenes_ok);
        ASSERT_EQ(r.check[l].constrained_at, s.check[l].constrained_at);
    }
    json_t *short_points = json_array();
    ASSERT_EQ(instrument_score_restore(in, 1, 0, short_points, c, &r), -1);
    json_decref(short_points);
    free(pt);
    free(ct);
    json_decref(p);
    json_decref(c);
}

TEST_MAIN(T(shipped_instrument_loads), T(all_zero), T(all_maximum_is_100),
          T(typical_small_firm_by_hand), T(every_multi_question_with_none_alone_scores_zero),
          T(bad_answers_name_the_field), T(level_boundaries), T(level_rules_come_from_the_file),
          T(malformed_files_are_refused_naming_file_and_fault), T(missing_lists_what_submit_needs), T(compact_form_restores_the_score))
