/*
 * report_scan.h - single-pass reads for the reports (report_scan.c):
 * the selection of enterprise files as a set of organisation ids, a scan
 * of rows keyed by organisation that keeps those of the selection, and
 * small keyed groups of counters sorted by key.
 */
#ifndef SHUCU_REPORT_SCAN_H
#define SHUCU_REPORT_SCAN_H

#include "report.h"
#include "strset.h"

#include <sqlite3.h>
#include <stdint.h>

struct req;

/* Adds the organisation id of every file inside q's filters and the
 * caller's region to orgs.  0, or -1 on a database error. */
int report_selection(struct req *r, const struct report_query *q, struct strset *orgs);

/* Steps sql (its ?1 bound to q->from, ?2 to q->to; its first column an
 * organisation id) and calls fn(arg, index in orgs, row) for each row
 * whose organisation is in orgs.  0, or -1 on a database error. */
typedef void (*report_row_fn)(void *arg, size_t org, sqlite3_stmt *row);
int report_scan(struct req *r, const char *sql, const struct report_query *q,
                const struct strset *orgs, report_row_fn fn, void *arg);

/* Groups of counters by key: n[i][0..REPORT_COUNTERS) are the counters
 * of group i (the levels report's: filed, assessed, verified and one per
 * level), city[i] and province[i] codes a caller may keep beside them. */
#define REPORT_COUNTERS 8
struct report_groups {
    struct strset keys;
    int64_t (*n)[REPORT_COUNTERS];
    char (*city)[16];
    char (*province)[16];
    size_t cap;
};

/* The index of the group of key, created with zero counters when new. */
size_t report_group(struct report_groups *g, const char *key);
/* The group indexes in key order (free() it). */
size_t *report_groups_sorted(const struct report_groups *g);
void report_groups_free(struct report_groups *g);

#endif
