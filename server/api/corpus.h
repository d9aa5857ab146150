/*
 * corpus.h - what search and matching share about the resource pool:
 * the count of published resources and each token's document frequency
 * (the query builder's inputs, query.h), and the hit as both answers show
 * it.  Each worker keeps its own statistics (w->corpus, made on first
 * use, freed by worker_free): the count is at most a second old, the
 * frequencies are those of the current data generation (dfcache.h), and
 * so are the phrase counts of the ranking (corpus_phrase_hits).
 */
#ifndef SHUCU_CORPUS_H
#define SHUCU_CORPUS_H

#include <jansson.h>
#include <stdint.h>

#define CORPUS_FTS_COLUMNS 5 /* title, summary, description, tags, provider_name */

struct corpus;
struct worker;

void corpus_free(struct corpus *c);

/* Published resources, counted at most once a second per worker. */
long corpus_ndocs(struct worker *w);

/* The document frequency of token[0..len) in resources_fts: a query_df_fn
 * (query.h) whose context is the struct worker. */
long corpus_df(void *worker, const char *token, int len);

/* The rows of resources_fts that hold phrase[0..len) (a quoted FTS5
 * phrase, as query.h writes it), remembered per data generation like the
 * document frequencies: the IDF input of shucu_rank (bm25.h), which
 * bm25() would count again for every query. */
long corpus_phrase_hits(void *worker, const char *phrase, int len);

/* Every resource's length in tokens as resources_fts_docsize holds it, by
 * rid: v[rid] = length + 1, 0 when unknown (shucu_rank then reads it from
 * FTS5); *n entries.  Kept per worker for the data generation, and on a
 * change brought up to date by reading only the rows added since and the
 * rows the length log (migration 13) names.  Call it inside the read
 * transaction that ranks.  NULL (and *n 0) when it cannot be read. */
const uint32_t *corpus_lengths(struct worker *w, int64_t *n);

/* A new JSON string of s, HTML-escaped, with shucu_highlight's \x01 and
 * \x02 markers turned into <mark> and </mark>. */
json_t *corpus_marked(const char *s);

/* The hit fields of a resource document (new reference): what search,
 * matching and clusters show of a resource. */
json_t *corpus_hit_json(json_t *resource);

#endif
