/*
 * campaign.h - group procurement (集体采购) and batch upgrades (批量改造):
 * demand clusters, campaigns, their participants, the deadline closer and
 * resource reviews.
 *
 * A center finds enterprises with the same need (a demand cluster), opens
 * a campaign behind one resource with a price that falls in tiers as more
 * enterprises join, closes it (or lets the deadline close it) and then
 * tracks each participant through the upgrade, with the digital level
 * before and after, so a campaign reports the levels it lifted.
 *
 * Campaign states:  draft -> open -> succeeded | failed;
 *                   succeeded -> contracted -> implementing -> completed;
 *                   draft | open -> cancelled.
 * Participant states: joined -> contracted -> implementing -> accepted,
 *                     and any of the first three -> withdrawn.
 */
#ifndef SHUCU_CAMPAIGN_H
#define SHUCU_CAMPAIGN_H

#include "http.h"
#include "validate.h"

#include <time.h>

struct db;

/* The largest participant count any field may name. */
#define CAMPAIGN_MAX_SIZE 100000

/* GET /v1/demand/clusters */
void h_demand_clusters(struct req *r);
/* /v1/campaigns... */
void h_campaign_create(struct req *r);
void h_campaigns_list(struct req *r);
void h_campaign_get(struct req *r);
void h_campaign_join(struct req *r);
void h_campaign_leave(struct req *r);
void h_campaign_transition(struct req *r);
void h_participant_patch(struct req *r);
/* /v1/resources/{id}/reviews */
void h_review_create(struct req *r);
void h_reviews_list(struct req *r);

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

#endif
