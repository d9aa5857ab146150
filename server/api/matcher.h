/*
 * matcher.h - ranked, explainable matching of resources to needs, in both
 * directions, by one scoring path (docs/ranking.md).
 *
 * Forward (a need's matches): candidates from the need's text and from
 * its industry and scenarios, each scored by rank_score() (rank.h).
 * Reverse (a resource's opportunities): candidate open needs from the
 * resource's text and codes, each scored by running that need's own
 * forward text stage and rank_score() for this one resource, so a need
 * and a resource get the same score whichever side asks.
 */
#ifndef SHUCU_MATCHER_H
#define SHUCU_MATCHER_H

#include <jansson.h>
#include <stdint.h>

struct caller;
struct worker;

/*
 * Ranks resources for need (a validated need object) and returns the
 * match document {"need", "matches", "debug"} (cache_serve adds "cached"
 * and "took_ms"), or NULL on a database error.  need_out (stolen, may be
 * NULL) is what the "need" member shows; kinds (0: all) filters by kind.
 */
json_t *matcher_rank_resources(struct worker *w, json_t *need, json_t *need_out, int64_t kinds,
                               long limit, int explain);

/* The best `limit` resources for a need-like object (clusters, gaps): a
 * new array of hits, or NULL on a database error. */
json_t *match_top_resources(struct worker *w, json_t *need_like, int limit);

/*
 * The open needs resource (a resource document with its "id"; rid its
 * row) fits, best first, as {"resource", "needs": [{"need", "score",
 * "explain"?}]}, with each need's contact shown only to those who may see
 * it (who).  NULL on a database error.
 */
json_t *matcher_rank_needs(struct worker *w, json_t *resource, int64_t rid,
                           const struct caller *who, long limit, int explain);

#endif
