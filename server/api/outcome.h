/*
 * outcome.h - verified outcomes (效果反馈): what a resource's and a
 * provider's accepted projects showed, as figures the resource page shows
 * and matching's quality part reads (docs/ranking.md, "Quality").
 *
 * Figures of a subject (a resource or a provider), over its projects:
 *   projects_accepted    accepted projects
 *   on_time_share        of the accepted ones with a planned go-live date,
 *                        the share that went live on or before it
 *   avg_level_uplift     mean of level_after - level_before (verified
 *                        assessments), over the accepted ones with both
 *   avg_scene_step_gain  mean scene steps gained (project.h)
 *   ticket_response_hours, ticket_resolution_hours
 *                        mean first response and resolution of its O&M
 *                        tickets, over the tickets answered (closed)
 *   tickets              O&M tickets opened
 * Unknown figures are null.
 *
 * They are stored (table outcomes, and outcome_rank for ranking: one row
 * per resource with its own figures and its provider's) and recomputed
 * by outcomes_refresh() inside the transaction of every change that can
 * alter them: a project accepted, a ticket answered or closed.  Stored,
 * not computed per match: matching reads them for hundreds of candidates
 * with one indexed lookup each.  outcome_rank bumps the data generation,
 * so no cached match outlives the figures it was ranked with.
 */
#ifndef SHUCU_OUTCOME_H
#define SHUCU_OUTCOME_H

#include <jansson.h>

struct db;

/* Recomputes the figures of resource_id and of provider_id (and the
 * ranking rows of every resource of that provider).  Inside the caller's
 * transaction; 0 or -1. */
int outcomes_refresh(struct db *db, const char *resource_id, const char *provider_id,
                     const char *now);

/* The figures of subject (a resource or an organisation id) as the API
 * shows them (new reference; zero counts and nulls when none are known),
 * or NULL on a database error. */
json_t *outcome_json(struct db *db, const char *subject);

#endif
