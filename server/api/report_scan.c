/*
 * report_scan.c - the reports' reads of enterprise files and assessments
 * as single scans aggregated in C (report.h), so that a report over
 * 100,000 enterprises and 300,000 assessments stays well under 200 ms
 * (issue 20; bench/analysis.md section 7 has the measurements).
 *
 * What made the SQL forms slow was not the reading but the per-row work
 * around it: a GROUP BY sorting every file into a temporary b-tree, a
 * correlated EXISTS probe of the assessments per file, a join from each
 * assessment to its file (two b-tree descents each) and, for movement,
 * a Jansson object with an entry per enterprise.  Here:
 *
 *  - the selection (the files inside the filters and the caller's
 *    region) is read once, in one pass over enterprise_files, into a
 *    strset of organisation ids;
 *  - the assessments are read from their covering partial indexes in
 *    date order (assessments_verified, assessments_submitted) and the
 *    files' opening dates from enterprise_file_docs_created (migration
 *    14), each row kept or dropped by one hash probe of the selection;
 *  - groups (districts, industries, months) are few, found by a strset
 *    of their keys and sorted at the end.
 *
 * `assessed` is a column of the file since migration 14 (kept by
 * triggers on assessments), so the levels report is one scan.
 */
#include "report_scan.h"

#include "authority.h"
#include "db.h"
#include "req.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

int report_selection(struct req *r, const struct report_query *q, struct strset *orgs)
{
    static const char SQL[] = "SELECT f.org_id FROM enterprise_files f WHERE"
        REPORT_WHERE_("f", 1, 2, 3, 4, 5, 6) " AND (?7 IS NULL OR f.industry = ?7)";
    sqlite3_stmt *st = db_stmt(r->w->db, SQL);
    if (!st)
        return -1;
    report_bind_region(st, 1, q, r);
    db_bind_text(st, 7, q->industry);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        strset_add(orgs, (const char *)sqlite3_column_text(st, 0),
                   (size_t)sqlite3_column_bytes(st, 0), NULL);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int report_scan(struct req *r, const char *sql, const struct report_query *q,
                const struct strset *orgs, report_row_fn fn, void *arg)
{
    sqlite3_stmt *st = db_stmt(r->w->db, sql);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, q->from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, q->to, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        size_t i = strset_find(orgs, (const char *)sqlite3_column_text(st, 0),
                               (size_t)sqlite3_column_bytes(st, 0));
        if (i != SIZE_MAX)
            fn(arg, i, st);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

size_t report_group(struct report_groups *g, const char *key)
{
    int added;
    size_t i = strset_add(&g->keys, key, strlen(key), &added);
    if (added) {
        if (g->keys.n > g->cap) {
            g->cap = g->cap ? g->cap * 2 : 64;
            g->n = xrealloc(g->n, g->cap * sizeof *g->n);
            g->city = xrealloc(g->city, g->cap * sizeof *g->city);
            g->province = xrealloc(g->province, g->cap * sizeof *g->province);
        }
        memset(g->n[i], 0, sizeof g->n[i]);
        g->city[i][0] = g->province[i][0] = '\0';
    }
    return i;
}

struct keyed {
    const char *key;
    size_t i;
};

static int by_key(const void *a, const void *b)
{
    return strcmp(((const struct keyed *)a)->key, ((const struct keyed *)b)->key);
}

size_t *report_groups_sorted(const struct report_groups *g)
{
    size_t n = g->keys.n;
    struct keyed *k = xmalloc((n ? n : 1) * sizeof *k);
    for (size_t i = 0; i < n; i++)
        k[i] = (struct keyed){strset_key(&g->keys, i), i};
    qsort(k, n, sizeof *k, by_key);
    size_t *ix = xmalloc((n ? n : 1) * sizeof *ix);
    for (size_t i = 0; i < n; i++)
        ix[i] = k[i].i;
    free(k);
    return ix;
}

void report_groups_free(struct report_groups *g)
{
    strset_free(&g->keys);
    free(g->n);
    free(g->city);
    free(g->province);
    memset(g, 0, sizeof *g);
}
