/*
 * search_hits.h - what a search answers as hits (search.c): resources of
 * the ranked page, loaded in full, and provider profiles.
 */
#ifndef SHUCU_SEARCH_HITS_H
#define SHUCU_SEARCH_HITS_H

#include "topk.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct db;

/* Appends to hits the resources of page[0..n) in order, each with its
 * score and, when match and highlight are set, the marked title and
 * summary; a row gone since it was ranked is skipped.  0, or -1 on a
 * database error. */
int search_load_page(struct db *db, const char *match, const struct topk_item *page, size_t n,
                     json_t *hits, int highlight);

/* Provider profiles (organisations with a published resource) that match
 * match, or all of them by name when it is NULL, in industries inds (0:
 * any): *total counts them; hits (may be NULL) gets those from offset,
 * at most limit.  0, or -1 on a database error. */
int search_providers(struct db *db, const char *match, int64_t inds, long limit, long offset,
                     json_t *hits, long *total);

#endif
