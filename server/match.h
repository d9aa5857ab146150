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

#endif
