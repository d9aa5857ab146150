/*
 * report.h - what the reports of 跟踪监测 share (issue 20): the filters
 * every report takes, the region cut of an authority, and the registry.
 *
 * A report is a row of REPORTS (reports.c): its name (the path
 * /v1/reports/{name}), the `by` values it accepts and the function that
 * fills a table (tabular.h) for the request.  The handler parses the
 * common filters once, runs the report inside one read transaction (one
 * snapshot) and answers the table as JSON, CSV or XLSX.  Adding a report
 * is one function and one row (a row without a function answers 404
 * with its `missing` text).
 *
 * Every report is cut to an authority's region whatever filters it
 * sends (a filter outside its region gives empty tables, never another
 * region's figures), and a filter narrows inside it.
 */
#ifndef SHUCU_REPORT_H
#define SHUCU_REPORT_H

#include "tabular.h"

#include <sqlite3.h>

struct req;
struct db;

struct report_query {
    const char *by;          /* the grouping asked for (validated) */
    const char *region[3];   /* province, city, district codes asked for (NULL: any) */
    const char *industry;    /* an industry code, or NULL */
    char from[32], to[32];   /* the period [from, to): RFC 3339 UTC, always set */
    char from_month[8], to_month[8]; /* YYYY-MM of from and of the last day before to */
    enum tab_format format;
    long limit;              /* the bound of a report that samples (gaps) */
    double threshold;        /* the gaps report's score threshold */
};

/* Binds the region filter (3 params from first) and the caller's
 * authority cut (3 params from first + 3): 6 parameters, used with
 * REPORT_WHERE(f, first). */
void report_bind_region(sqlite3_stmt *st, int first, const struct report_query *q,
                        const struct req *r);
#define REPORT_WHERE_(f, a, b, c, d, e, g)                                                 \
    " (?" #a " IS NULL OR " f ".province_code = ?" #a ") AND (?" #b " IS NULL OR " f       \
    ".city_code = ?" #b ") AND (?" #c " IS NULL OR " f ".district_code = ?" #c ") AND (?" #d \
    " IS NULL OR " f ".province_code = ?" #d ") AND (?" #e " IS NULL OR " f                \
    ".city_code = ?" #e ") AND (?" #g " IS NULL OR " f ".district_code = ?" #g ")"

/* The target share at 二级+ for a region (its code; "" the whole
 * center): the most specific target set at or above it, or -1. */
double report_target(struct db *db, const char *district, const char *city,
                     const char *province);

/* The name of a region code for a table (a district's, a city's or a
 * province's), or the code itself. */
const char *report_place_name(const char *code);

/* The table of a report, in the format asked for (tabular.h). */
struct tab *report_table(const struct report_query *q, const char *name, const char *sheet,
                         const struct tab_col *cols, int ncols);

/* Report functions: make *t with report_table() and fill it, add what
 * the JSON answer shows beside the table to extra; 0, or -1 on a
 * database error (*t, if made, is freed by the caller). */
int report_levels(struct req *r, const struct report_query *q, struct tab **t, json_t *extra);
int report_levels_by_month(struct req *r, const struct report_query *q, struct tab **t,
                           json_t *extra);
int report_movement(struct req *r, const struct report_query *q, struct tab **t, json_t *extra);
int report_campaigns(struct req *r, const struct report_query *q, struct tab **t, json_t *extra);
int report_gaps(struct req *r, const struct report_query *q, struct tab **t, json_t *extra);
int report_projects(struct req *r, const struct report_query *q, struct tab **t, json_t *extra);

#endif
