/*
 * hot_queries.h - counting searches and matches by their text (the
 * endpoint that reads the counts is in handlers.h).
 */
#ifndef SHUCU_HOT_QUERIES_H
#define SHUCU_HOT_QUERIES_H

struct cache;
struct req;

/* Counts one search or match (kind "search" or "match") of text member
 * in today's set, without waiting for an answer.  c must be usable. */
void hot_count(struct cache *c, const char *kind, const char *member);

#endif
