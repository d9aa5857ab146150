/*
 * campaign.h - group procurement (集体采购) and batch upgrades (批量改造):
 * demand clusters, campaigns, their participants, the deadline closer and
 * resource reviews.  This header is the campaign record the handler
 * files share (campaigns.c, participants.c, reviews.c).
 *
 * A center finds enterprises with the same need (a demand cluster), opens
 * a campaign behind one resource with a price that falls in tiers as more
 * enterprises join, closes it (or lets the deadline close it) and, when it
 * is contracted, gets one project per participant (project.h): each
 * participant's progress and its levels before and after (from verified
 * assessments, never typed) follow that project, and the campaign reports
 * the levels its accepted projects lifted.
 *
 * Campaign states:  draft -> open -> succeeded | failed;
 *                   succeeded -> contracted -> implementing -> completed;
 *                   draft | open -> cancelled.
 * Participant states: joined -> contracted -> implementing -> accepted,
 *                     and any of the first three -> withdrawn; by hand
 *                     only joined -> withdrawn, the rest by the project.
 */
#ifndef SHUCU_CAMPAIGN_H
#define SHUCU_CAMPAIGN_H

#include "validate.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

#include <time.h>

struct db;
struct caller;
struct outcome;
struct req;

/* The largest participant count any field may name. */
#define CAMPAIGN_MAX_SIZE 100000

/* GET /v1/demand/clusters */
/* /v1/campaigns... */
/* /v1/resources/{id}/reviews */

/*
 * Closes every open campaign whose deadline has passed: to `succeeded`
 * when at least min_participants (not withdrawn) have joined, else to
 * `failed` (which gives linked needs back to `open`), with a revision by
 * "system".  One BEGIN IMMEDIATE transaction; each UPDATE is conditional
 * on status = 'open', so several processes on one database may run it.
 * Returns how many campaigns it closed, or -1 on a database error (logged).
 * Cheap when nothing is due: one indexed read, no write lock.
 */
int campaign_close_due(struct db *db);

/*
 * Validates a campaign body (create) at time now: the field table, tiers
 * with strictly ascending min_participants and non-increasing unit_price,
 * max_participants >= min_participants and >= every tier, and a deadline
 * in the future.  Stores the deadline as Unix seconds in *deadline_at (a
 * bare date means the end of that day, UTC).  0, or -1 with e set.
 */
int campaign_validate(json_t *doc, time_t now, time_t *deadline_at, struct verr *e);

/* The tier in force for count participants: the highest tier whose
 * min_participants <= count, else the first.  Borrowed; NULL if none. */
const json_t *campaign_tier_for(const json_t *tiers, long count);

/* 1 when a campaign may go from -> to by a center's transition. */
int campaign_transition_ok(const char *from, const char *to);
/* 1 when a participant may go from -> to. */
int participant_transition_ok(const char *from, const char *to);

/* The statuses, NULL-terminated, and membership of a NULL-terminated
 * list. */
extern const char *const CAMPAIGN_STATUSES[];
extern const char *const PARTICIPANT_STATUSES[];
int in_list(const char *const *list, const char *s);

/* Request bodies (validate.h tables). */
extern const struct vfield JOIN_FIELDS[];
extern const struct vfield TRANSITION_FIELDS[];
extern const struct vfield PARTICIPANT_FIELDS[];
extern const struct vfield REVIEW_FIELDS[];

/* The columns a write needs to check, copied out of the statement. */
struct camp {
    char id[48];
    char status[16];
    int64_t deadline_at;
    long min, max; /* max 0: no limit */
    char center_id[40];
    char provider_id[40];
    int64_t version;
};

/* One participant, read inside a write. */
struct part {
    char status[16];
    char need_id[48];
    int has_need;
    int level_before, level_after; /* 0: not set */
};

/* Loads campaign id for a write by who, inside the transaction: 0, or -1
 * with o filled (404 when missing or not visible to who, 503). */
int camp_load(struct db *db, const char *id, const struct caller *who, struct camp *c,
              struct outcome *o);
/* Whether who may see campaign c at all, and its whole participant list. */
int camp_visible(const struct camp *c, const struct caller *who);
int camp_full_view(const struct camp *c, const struct caller *who);
/* Active participants (not withdrawn) of campaign id; -1 on error. */
long camp_count(struct db *db, const char *id);
/* Sets the campaign's status (the same one for a participant-only
 * change) and bumps its version: 1 when it was at `from`, 0 when not, -1
 * on error. */
int camp_set(struct db *db, const char *id, const char *from, const char *to, const char *now);
/* Appends a revision (by NULL: the system; org_id: the participant it is
 * about, NULL for the campaign).  0 or -1. */
int revision_add(struct db *db, const char *camp_id, const char *org_id, const struct caller *by,
                 const char *from, const char *to, const char *reason, const char *now);
/* One participant: 0 found, 1 none, -1 error; and its update. */
int part_load(struct db *db, const char *camp_id, const char *org_id, struct part *p);
int part_save(struct db *db, const char *camp_id, const char *org_id, const struct part *p,
              const char *now);

/* The campaign as who may see it: 0 with *out (new reference), 1 when it
 * is not visible to who (or missing), -1 on error. */
int campaign_json(struct db *db, const char *id, const struct caller *who, json_t **out);
/* Answers the campaign id as the caller may see it. */
void campaign_reply(struct req *r, int status, const char *id);
/* Ends a campaign write (write.h) and answers the campaign once
 * committed. */
void campaign_finish(struct req *r, int rc, const struct outcome *o, int status, const char *id);

#endif
