/*
 * match.h - ranked, explainable matching of resources to needs and of
 * needs to resources (the provider's opportunity feed).
 */
#ifndef SHUCU_MATCH_H
#define SHUCU_MATCH_H

#include "http.h"

/* POST /v1/match: rank for a need in the body, store nothing. */
void h_match(struct req *r);
/* GET /v1/needs/{id}/matches */
void h_need_matches(struct req *r);
/* GET /v1/resources/{id}/needs */
void h_resource_needs(struct req *r);

/*
 * The best `limit` published resources for need_like, ranked exactly as
 * GET /v1/needs/{id}/matches ranks them.  need_like is borrowed and shaped
 * like a need (industry and scenarios; title, description, region,
 * budget, current_level and target_level optional); it is not validated.
 * Returns a new array of search-hit objects, each with its "score", or
 * NULL on a database error.  Exported for demand clusters (campaign.c).
 */
json_t *match_top_resources(struct worker *w, json_t *need_like, int limit);

#endif
