/*
 * project.h - projects (项目实施): the work that follows a match or a
 * campaign, from contract to verified result.  The record the handler
 * files share (projects.c, tickets.c, cases.c) and that campaigns make
 * one of per participant when they are contracted (project_make.c).
 *
 * A project has four parties: the enterprise, the provider, its resource
 * and the supervising center (a campaign's center; for a project made
 * from a response, the center the enterprise names or the first center
 * that signs or moves it).  It keeps the contract amount, cost lines by
 * type (software, cloud, hardware, integration, training, other: so that
 * subsidy rules can later tell eligible costs), four milestones (plan,
 * start, go_live, acceptance) with planned and actual dates, and the
 * `before` figures of the enterprise's latest verified assessment.
 *
 * States:  contracted -> implementing -> delivered -> accepted;
 *          contracted | implementing | delivered -> disputed;
 *          disputed -> implementing | cancelled;
 *          delivered -> implementing (rework);
 *          contracted | implementing -> cancelled.
 * Each move is made by the parties the table in project.c names (403 for
 * anyone else, 409 for a move the table does not have).  `accepted` needs
 * the enterprise's and a center's sign-off (POST …/signoff, while
 * delivered) and a verified assessment made after the delivery (409
 * listing what is missing); the project then carries `after`, level_before,
 * level_after, the scene steps gained and whether it went live on time.
 *
 * Invariants:
 *  - every change (state, amounts, milestones, sign-offs) appends a
 *    revision naming the user or key (auth_actor_json) and bumps the
 *    version, in the same transaction (write.h);
 *  - a campaign participant's status and levels follow its project
 *    (project_sync_participant): nobody types a level by hand;
 *  - the outcome figures of the resource and the provider (outcome.h)
 *    are recomputed in the transaction that accepts a project.
 *
 * Visibility: the enterprise, the provider, centers and admins read a
 * project, and an authority one whose enterprise lies in its region
 * (authority.h); anyone else gets 404.
 */
#ifndef SHUCU_PROJECT_H
#define SHUCU_PROJECT_H

#include "validate.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

struct caller;
struct db;
struct outcome;
struct req;

/* The parties a caller can be, as bits. */
enum {
    PARTY_ENTERPRISE = 1,
    PARTY_PROVIDER = 2,
    PARTY_CENTER = 4,
};

extern const char *const PROJECT_STATUSES[];
/* 1 when s is one of PROJECT_STATUSES; its Chinese name (or s). */
int project_status_known(const char *s);
const char *project_status_zh(const char *status);
/* Milestone codes in order, NULL-terminated, and their Chinese names. */
extern const char *const MILESTONES[];
extern const char *const MILESTONE_NAMES[];
/* Cost line types, NULL-terminated. */
extern const char *const COST_TYPES[];

/* The columns a write checks, read inside its transaction. */
struct proj {
    char id[48];
    char status[16];
    char enterprise_id[40], provider_id[40], center_id[40]; /* center_id "" when none */
    char resource_id[48], campaign_id[48], need_id[48];     /* "" when none */
    char title[512];
    char delivered_at[32];
    int64_t delivered_aid;
    int64_t version;
};

/* The parties who is (PARTY_* bits; 0 for none).  Any center counts as
 * the center party while the project has no supervising center. */
int proj_parties(const struct proj *p, const struct caller *who);
/* 1 when who may read p. */
int proj_visible(const struct proj *p, const struct caller *who);

/* Loads id for a write by who: 0, or -1 with o filled (404 when missing
 * or hidden from who, 503). */
int proj_load(struct db *db, const char *id, const struct caller *who, struct proj *p,
              struct outcome *o);

/* The parties (PARTY_* bits) who may move a project from -> to; 0 when
 * no one may (the move does not exist). */
int project_move_parties(const char *from, const char *to);

/* Appends a revision (detail borrowed, may be NULL); 0 or -1. */
int proj_revision(struct db *db, const char *id, const struct caller *who, const char *from,
                  const char *to, const char *reason, json_t *detail, const char *now);

/* Request bodies. */
extern const struct vfield PROJECT_CREATE_FIELDS[];
extern const struct vfield PROJECT_PATCH_FIELDS[];

/*
 * Checks and normalises the amounts and milestones of a create or patch
 * body in place: costs (type, amount >= 0, note), milestones ([{code,
 * planned?, actual?}], codes of MILESTONES, dates YYYY-MM-DD).  0, or -1
 * with e naming the field ("costs[1].type", "milestones[0].planned").
 */
int project_body_check(json_t *body, struct verr *e);

/*
 * Merges a body's milestones (as project_body_check left them) into the
 * stored ones (new reference): by code, a member given replaces the
 * stored one, null clears it.
 */
json_t *project_milestones_merge(const json_t *stored, const json_t *patch);

/* The earliest planned date of a milestone without an actual date
 * ("YYYY-MM-DD" in due, "" when none): the board orders by it. */
void project_due(const json_t *milestones, char due[16]);

/* What a new project is made of. */
struct proj_new {
    const char *id;
    const char *enterprise_id, *enterprise_name;
    const char *provider_id, *provider_name;
    const char *resource_id;
    const char *center_id, *center_name; /* may be NULL */
    const char *response_id, *need_id, *campaign_id; /* may be NULL */
    const char *title;
    json_t *scenarios;  /* borrowed: the need's or campaign's scenarios */
    int has_amount;
    double amount;
    json_t *costs, *milestones; /* borrowed, may be NULL */
};

/*
 * Inserts a contracted project with its `before` snapshot (the
 * enterprise's latest verified assessment, if any) and its first
 * revision by who, inside the caller's transaction.  0, 1 when the
 * enterprise already has a project of that response or campaign, -1 on
 * a database error.
 */
int project_insert(struct db *db, const struct proj_new *n, const struct caller *who,
                   const char *now);

/*
 * Makes the projects of campaign camp_id as it is contracted: one for
 * each participant still `joined`, who becomes `contracted`, with the
 * campaign's center as the supervising center and the unit price in
 * force as the amount.  Inside the transition's transaction.  0 or -1.
 */
int projects_for_campaign(struct db *db, const char *camp_id, const struct caller *who,
                          const char *now);

/*
 * The snapshot of the enterprise's latest verified assessment created at
 * or after `since` (NULL: any) and, when min_aid > 0, later than that row
 * (new reference: {assessment_id, instrument, created_at, verified_at,
 * level, total, dimensions, dimension_max, figures, points, scenes}); NULL
 * when there is none.  *err
 * is set on a database error.
 */
json_t *project_snapshot(struct db *db, const char *enterprise_id, const char *since,
                         int64_t min_aid, int *err);

/* The scene steps a project gained between two snapshots, over its
 * scenarios that are scenes of the instrument (all scenes when none is). */
double project_step_gain(const json_t *before, const json_t *after, const json_t *scenarios);

/*
 * Moves the campaign participant of project p to the status a project
 * status `to` means (implementing, accepted with levels, or withdrawn on
 * cancelled), with a campaign revision by who and the campaign's version
 * bumped; nothing for a project without a campaign or a status that
 * means no change.  0 or -1.
 */
int project_sync_participant(struct db *db, const struct proj *p, const char *to,
                             const struct caller *who, int level_before, int level_after,
                             const char *now);

/* The project as who may see it: 0 with *out, 1 when missing or hidden,
 * -1 on error. */
int project_json(struct db *db, const char *id, const struct caller *who, json_t **out);
/* The list item of a project (no revisions, no snapshots), from the row
 * at st's position (PROJECT_LIST_COLS); new reference. */
json_t *project_item_json(sqlite3_stmt *st, const char *today);
#define PROJECT_LIST_COLS                                                                   \
    "p.pid, p.id, p.status, p.title, p.enterprise_id, p.enterprise_name, p.provider_id,"    \
    " p.provider_name, p.resource_id, p.center_id, p.center_name, p.campaign_id, p.need_id," \
    " p.amount, p.due, p.milestones, p.level_before, p.level_after, p.version,"             \
    " p.created_at, p.updated_at, p.signoffs"

/* The O&M ticket tid as its project's parties see it (new reference),
 * or NULL when there is none (*err 0) or on a database error (*err 1);
 * tickets.c. */
json_t *ticket_get(struct db *db, const char *tid, int *err);

/* Answers the project id (ETag, and Location for 201). */
void project_reply(struct req *r, int status, const char *id);
/* Ends a project write (write.h) and answers the project once committed. */
void project_finish(struct req *r, int rc, const struct outcome *o, int status, const char *id);

#endif
