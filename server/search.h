/*
 * search.h - GET /v1/search: full-text search over the resource pool
 * (and over provider profiles with kind=provider), with filters, sort
 * orders, facet counts and highlighted hits.
 */
#ifndef SHUCU_SEARCH_H
#define SHUCU_SEARCH_H

#include "http.h"

#define SEARCH_MAX_Q 1000 /* characters of q; longer is 400 bad_query */

struct db;

void h_search(struct req *r);

/* Number of published resources, cached on the worker for a second. */
long search_ndocs(struct worker *w);
/* Document frequency of one index token (for query_opts.df). */
long search_df(void *worker, const char *token, int len);

/* Escapes s for HTML and turns the \x01 / \x02 markers that highlight()
 * wrote into <mark> / </mark>.  Returns a new JSON string. */
json_t *search_marked(const char *s);

/* The compact hit JSON of a resource (search hits, match results). */
json_t *search_hit_json(json_t *resource);

#endif
