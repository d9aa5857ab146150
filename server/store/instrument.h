/*
 * instrument.h - assessment instruments (评测指标) as data: the files
 * schemas/instruments/<name>.json, checked when loaded, and the scoring that
 * turns an assessment's answers and scene steps into points and a level.
 *
 * An instrument is dimensions -> groups -> questions with scored options
 * ("single": the option chosen scores; "multi": the options ticked add up,
 * and the exclusive option "无" stands alone), the scenes of 数字化经营
 * with a four-step ladder each, and level rules.  Nothing about a
 * particular edition is in C: a corrected band or level rule is an edit
 * of the file, a new edition a new file.
 *
 * Loading checks what a person editing the file could get wrong: every
 * question's maximum equals its points, groups add up to their dimension
 * and dimensions to the total, option ids run A, B, C, …, a multi
 * question has exactly one exclusive option scoring 0, the scenes are the
 * taxonomy's scenarios of the four business groups (lifecycle,
 * production, supply_chain, management) in order, each with four steps,
 * and the level rules run 1, 2, … with scene counts the scenes allow.  A
 * fault stops start-up with the file's path and the JSON path at fault.
 *
 * The level: level L holds when the total reaches min_score(L), at least
 * min_scenes_at_level(L) scenes are at step L or above, and at least
 * min_constrained_at_level(L) of those are constrained (约束性场景).  The
 * assessment's level is the highest L such that levels 1..L all hold; 0
 * when level 1 does not.  An unanswered scene counts as step 0.
 *
 * Scoring is a pure function of (instrument, answers, scenes): no I/O, no
 * allocation.  The registry (instruments_load) is filled once before any
 * worker starts and read-only afterwards, like the taxonomy, so workers
 * share it without a lock.  It needs the taxonomy loaded first.
 */
#ifndef SHUCU_INSTRUMENT_H
#define SHUCU_INSTRUMENT_H

#include <jansson.h>
#include <stddef.h>

struct verr;

#define INSTR_MAX_DIMS 8
#define INSTR_MAX_GROUPS 32
#define INSTR_MAX_QUESTIONS 64
#define INSTR_MAX_OPTIONS 26
#define INSTR_MAX_EVIDENCE 8
#define INSTR_MAX_SCENES 32
#define INSTR_MAX_LEVELS 9
#define INSTR_STEPS 4 /* a scene's ladder: steps 1..4; 0 below step 1 */

struct instr_option {
    char id; /* 'A' + its index */
    double score;
    int exclusive;
};

struct instr_figure {
    const char *key, *unit; /* unit may be NULL */
};

struct instr_question {
    const char *code, *name;
    int multi;
    int outcome; /* a question of 数字化成效: its figures are a project's
                    before and after (project.h) */
    double points;
    int group, dim;
    int nopt;
    struct instr_option opt[INSTR_MAX_OPTIONS];
    int nfig;
    struct instr_figure fig[INSTR_MAX_EVIDENCE];
};

struct instr_group {
    const char *name;
    double points;
    int dim;
};

struct instr_dim {
    const char *name;
    double points;
};

struct instr_scene {
    const char *code, *name, *group;
    int constrained;
    const char *ladder[INSTR_STEPS];
};

struct instr_rule {
    int level;
    double min_score;
    int min_scenes, min_constrained;
};

/* A loaded instrument.  The strings point into doc, which it owns. */
struct instrument {
    json_t *doc;
    char path[256];
    const char *code, *name, *version;
    double total;
    int nq, ng, nd, ns, nr;
    struct instr_question q[INSTR_MAX_QUESTIONS];
    struct instr_group g[INSTR_MAX_GROUPS];
    struct instr_dim d[INSTR_MAX_DIMS];
    struct instr_scene s[INSTR_MAX_SCENES];
    struct instr_rule r[INSTR_MAX_LEVELS];
};

/* Whether each condition of one level holds, and the figures behind it. */
struct instr_check {
    int level;
    int score_ok, scenes_ok, constrained_ok, holds;
    double min_score;
    int min_scenes, min_constrained;
    int scenes_at, constrained_at; /* scenes (constrained ones) at this step or above */
};

/* What an assessment scores.  Points are rounded to 4 decimal places. */
struct instr_score {
    double total;
    double dim[INSTR_MAX_DIMS];
    double group[INSTR_MAX_GROUPS];
    double question[INSTR_MAX_QUESTIONS];
    int answered[INSTR_MAX_QUESTIONS]; /* 1 when the question has an answer */
    int steps[INSTR_MAX_SCENES];       /* -1: not placed */
    int level;
    int nchecks;
    struct instr_check check[INSTR_MAX_LEVELS];
};

/*
 * Checks doc (borrowed; a reference is taken on success) as the
 * instrument in file path (used in messages only) and compiles it.  0 and
 * *out (free with instrument_free), or -1 with a message naming path and
 * the fault in err.
 */
int instrument_parse(json_t *doc, const char *path, struct instrument **out, char *err,
                     size_t errlen);
/* Reads and parses one file; as instrument_parse. */
int instrument_load_file(const char *path, struct instrument **out, char *err, size_t errlen);
void instrument_free(struct instrument *in);

/* The index of question code / scene code, or -1. */
int instrument_question(const struct instrument *in, const char *code);
int instrument_scene(const struct instrument *in, const char *code);

/*
 * Checks an assessment's answers, evidence and scenes (each may be NULL)
 * against in: an unknown question, an option the question lacks, twice
 * the same option, two options on a single question, the exclusive
 * option with another, an unknown evidence figure or one that is not a
 * number in range, an unknown scene or a step outside 0..4.  0, or -1
 * with e naming the field ("answers.network", "scenes.quality",
 * "evidence.pass_rate.pass_rate").
 */
int instrument_check(const struct instrument *in, const json_t *answers, const json_t *evidence,
                     const json_t *scenes, struct verr *e);

/* Scores answers and scenes, which instrument_check() accepted (anything
 * it would refuse is skipped). */
void instrument_score(const struct instrument *in, const json_t *answers, const json_t *scenes,
                      struct instr_score *out);

/* The level of a total and scene steps (steps[i] for scene i, <= 0 when
 * not placed), with each level's check in checks[0..in->nr). */
int instrument_level(const struct instrument *in, double total, const int *steps,
                     struct instr_check *checks);

/* {"total", "dimensions": {name: points}, "groups": {name: points},
 * "questions": {code: points}} of the answered questions (new reference). */
json_t *instrument_score_json(const struct instrument *in, const struct instr_score *s);
/* {"1": {"holds", "score", "scenes", "constrained", "min_score",
 * "min_scenes", "min_constrained", "total", "scenes_at_level",
 * "constrained_at_level"}, …} (new reference). */
json_t *instrument_checks_json(const struct instrument *in, const struct instr_score *s);
/* {"questions": [codes], "scenes": [codes]} not yet answered (new ref). */
json_t *instrument_missing_json(const struct instrument *in, const struct instr_score *s);

/*
 * The compact form an assessment row stores (a few dozen bytes instead of
 * the JSON above, which would take a page of its own per assessment):
 * points, the points of each question in the instrument's order (null
 * when unanswered), and checks, [min_score, min_scenes, min_constrained,
 * scenes_at_level, constrained_at_level] for each level.  Both new
 * references.
 */
json_t *instrument_points_compact(const struct instrument *in, const struct instr_score *s);
json_t *instrument_checks_compact(const struct instrument *in, const struct instr_score *s);
/*
 * Rebuilds *out from a row's stored total, level and compact forms, under
 * the instrument they were computed with: the points, groups and
 * dimensions stay those of the write, whatever the file says now.  -1
 * when the shapes do not fit this instrument (then score again).  steps
 * are not restored (left -1).
 */
int instrument_score_restore(const struct instrument *in, double total, int level,
                             const json_t *points, const json_t *checks, struct instr_score *out);

/* The registry: every dir/instruments/<name>.json, in file-name order.  0, or
 * -1 with err naming the file and the fault (also when there is none or
 * two share a code). */
int instruments_load(const char *dir, char *err, size_t errlen);
void instruments_free(void);
int instruments_count(void);
const struct instrument *instruments_at(int i);
/* The instrument with this code, or NULL. */
const struct instrument *instruments_find(const char *code);

#endif
