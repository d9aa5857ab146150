/*
 * case.h - the case library (优秀案例): accepted projects a center
 * published for everyone to read, search and print as a 案例集.  The
 * record the handlers (cases.c) and search (kind=case) share.
 *
 * A case keeps what the center wrote (title, problem, solution, a quote
 * from the enterprise) and what the project proved, copied when it is
 * published: cost (amount and cost lines by type), duration (start to
 * acceptance, days), levels before and after and the before/after
 * figures of the verified assessments, the scene steps gained, the
 * resource and the provider.  The enterprise's name may be hidden: the
 * public then reads a description ("湖北省某机械企业") and only that is
 * indexed; centers and admins still see who it was.
 *
 * Published cases are public; a withdrawn one is seen by centers and
 * admins only.  Search uses shucu's tokenizer and query builder through
 * an FTS5 table over published cases (migration 10).
 */
#ifndef SHUCU_CASE_H
#define SHUCU_CASE_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

struct caller;
struct db;

/* The filters of a case search: industry and scenario masks (0: any),
 * a resource or provider id (NULL: any). */
struct case_filter {
    int64_t industries, scenarios;
    const char *resource_id, *provider_id;
};

/*
 * Published cases that match (an FTS5 expression from query_build, or
 * NULL for all, newest first) with the filters, best first: *total gets
 * how many; the page [offset, offset + limit) is appended to out (if not
 * NULL) as search hits (as_hits: kind "case", title, summary, highlight,
 * score…) or as case records.  0, or -1 on a database error.
 */
int cases_search(struct db *db, const char *match, const struct case_filter *f, long limit,
                 long offset, int as_hits, const struct caller *who, json_t *out, long *total);

/* The case id as who may see it: 0 with *out, 1 when missing or hidden
 * (withdrawn and who is not a center or admin), -1 on error. */
int case_json(struct db *db, const char *id, const struct caller *who, json_t **out);

/* "湖北省某机械企业": how a hidden enterprise is described, from its
 * province and industry (either may be NULL). */
void case_enterprise_mask(const char *province, const char *industry, char *out, size_t outlen);

/* The 案例集 of cases (an array of case records as the public sees them)
 * as one printable HTML page titled title, made by `by` on date (case_print.c).
 * Returns the page (malloc'd, NUL-terminated) and its length in *len. */
char *case_collection_html(const json_t *cases, const char *title, const char *by,
                           const char *date, size_t *len);

/* The columns case_row_json reads, of cases c. */
#define CASE_COLS                                                                          \
    "c.cid, c.id, c.project_id, c.status, c.resource_id, c.provider_id, c.center_id,"      \
    " c.enterprise_id, c.industry, c.hide_enterprise, c.version, c.created_at,"            \
    " c.updated_at, c.title, c.problem, c.solution, c.quote, c.enterprise_shown,"          \
    " c.provider_name, c.resource_title, c.doc"
/* The case of the row at st (CASE_COLS at 0) as who may see it (new
 * reference). */
json_t *case_row_json(sqlite3_stmt *st, const struct caller *who);

#endif
