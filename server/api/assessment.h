/*
 * assessment.h - assessments (评估诊断): an enterprise's answers to an
 * instrument (instrument.h), its score and level as the server computes
 * them, and the states they go through.  The record the handler files
 * share (assessments.c, gaps.c) and that `shucud seed` loads demo
 * assessments through.
 *
 * States:  draft -> submitted -> verified;  submitted -> draft (returned).
 *   - created by the enterprise for itself (mode self) or by a center for
 *     any enterprise (self or onsite); the creator alone patches and
 *     submits it, and only while it is a draft;
 *   - a center verifies a submitted assessment (it may correct scene
 *     steps: the revision keeps the enterprise's step and the center's)
 *     or returns it to draft with a reason;
 *   - only a verified assessment sets the file's level (enterprise.h).
 * Every change of state appends a revision naming who (auth_actor_json)
 * and bumps the version (If-Match on every write).
 *
 * Visibility: the enterprise itself, centers and admins; another
 * enterprise gets 404; providers never reach these routes (the route
 * table admits no provider).
 *
 * Score, level and level_check are computed from the instrument alone at
 * every write and stored with the answers; a client that sends them is
 * refused (422) and nothing it sent is stored.
 */
#ifndef SHUCU_ASSESSMENT_H
#define SHUCU_ASSESSMENT_H

#include "validate.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

struct caller;
struct db;
struct instrument;
struct outcome;
struct req;

/* The columns a write checks, read inside its transaction. */
struct asmt {
    char id[48];
    char org_id[40];
    char creator_org[40];
    char status[12];
    char instrument[48];
    char mode[8];
    int level;
    int64_t version;
};

/* 1 when who may read assessment a: its enterprise, centers, admins, and
 * the authorities of the enterprise's region (authority.h). */
int asmt_visible(struct db *db, const struct asmt *a, const struct caller *who);

/* Loads id for a write by who: 0, or -1 with o filled (404 when missing
 * or hidden from who, 503). */
int asmt_load(struct db *db, const char *id, const struct caller *who, struct asmt *a,
              struct outcome *o);

/*
 * Checks a create (create = 1) or patch body: no server-computed member
 * (score, level, level_check, status, ...: 422 naming it), the field
 * table, mode, and answers/evidence/scenes against the instrument (for a
 * create, the one the body names, returned in *in).  0, or -1 with e.
 */
int assessment_body_check(json_t *body, int create, const struct instrument **in,
                          struct verr *e);

/* Inserts a draft of instrument in for org_id by who, scored, with its
 * first revision; the body's answers, evidence, scenes and note.  0 or -1.
 * at: the creation time (NULL: now). */
int asmt_insert(struct db *db, const char *id, const char *org_id, const struct instrument *in,
                const char *mode, const struct caller *who, json_t *body, const char *at);

/*
 * Rewrites answers, evidence, scenes and note of id (each NULL: keep) and
 * its score, level and level_check under in, with status to and version
 * + 1; verified_by/verified_at are set when to is "verified" (who at
 * now), submitted_at when it is "submitted".  0 or -1.
 */
int asmt_save(struct db *db, const char *id, const struct instrument *in, json_t *answers,
              json_t *evidence, json_t *scenes, json_t *note, const char *to,
              const struct caller *who, const char *now);

/* The stored answers, evidence and scenes of id (new references, {} when
 * empty); 0 or -1. */
int asmt_contents(struct db *db, const char *id, json_t **answers, json_t **evidence,
                  json_t **scenes);

/* Appends a revision (detail borrowed, may be NULL); 0 or -1. */
int asmt_revision(struct db *db, const char *id, const struct caller *who, const char *from,
                  const char *to, const char *reason, json_t *detail, const char *now);

/* The score of the row at st (columns total, level, points, checks from
 * col) under in, as it was computed at its last write; rescored from
 * answers and scenes (may be NULL) when the stored shape does not fit. */
struct instr_score;
void assessment_row_score(sqlite3_stmt *st, int col, const struct instrument *in, json_t *answers,
                          json_t *scenes, struct instr_score *sc);

/* The assessment as who may see it: 0 with *out, 1 when missing or
 * hidden, -1 on error. */
int assessment_json(struct db *db, const char *id, const struct caller *who, json_t **out);
/* Answers the assessment id (ETag, and Location for 201). */
void assessment_reply(struct req *r, int status, const char *id);
/* Ends an assessment write (write.h) and answers the assessment once
 * committed. */
void assessment_finish(struct req *r, int rc, const struct outcome *o, int status,
                       const char *id);

/*
 * Loads one demo assessment (data/demo/assessments.ndjson): a body plus
 * "enterprise" (its organisation's name), "by" (the center that verifies,
 * and creates an onsite one), "status" (draft, submitted or verified)
 * and optional "created_at"/"verified_at", "corrections" (scene steps
 * the center corrects on verifying) and "verify_note".  Inside the caller's
 * transaction.  0, 1 when the line is refused (msg says why), -1 on a
 * database error.
 */
int assessment_seed(struct db *db, json_t *line, char *msg, size_t msglen);

#endif
