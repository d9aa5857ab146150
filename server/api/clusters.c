/*
 * clusters.c - GET /v1/demand/clusters: open needs grouped by (industry,
 * scenario, region), largest first, each with the resources that best
 * fit a need made of the cluster (its median budget, its most common
 * levels, its needs' titles).
 */
#include "handlers.h"

#include "corpus.h"
#include "db.h"
#include "matcher.h"
#include "req.h"
#include "taxonomy.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define CLUSTER_RESOURCES 5 /* top hits per demand cluster */
#define CLUSTER_TITLES 20   /* need titles that feed a cluster's text */

/* ------------------------------------------------------------ clusters */

struct cluster {
    int ind, scn, reg; /* taxonomy indexes; reg -1: no region */
    json_t *ids;
    double *budgets;
    size_t nbudgets, cap;
    int levels[5], targets[5];
    json_t *titles;
};

static int cluster_cmp(const void *a, const void *b)
{
    const struct cluster *x = *(struct cluster *const *)a, *y = *(struct cluster *const *)b;
    size_t nx = json_array_size(x->ids), ny = json_array_size(y->ids);
    if (nx != ny)
        return nx < ny ? 1 : -1;
    if (x->ind != y->ind)
        return x->ind - y->ind;
    if (x->scn != y->scn)
        return x->scn - y->scn;
    return x->reg - y->reg;
}

static int double_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The most frequent level (the lower on a tie); 0 when none is known. */
static int mode_level(const int v[5])
{
    int best = 0;
    for (int l = 1; l <= 4; l++)
        if (v[l] > v[best] || (best == 0 && v[l] > 0))
            best = l;
    return v[best] ? best : 0;
}

/* The cluster's JSON, with the top resources for a synthetic need. */
static json_t *cluster_json(struct worker *w, struct cluster *c)
{
    const char *ind = tax_code(TAX_INDUSTRY, c->ind), *scn = tax_code(TAX_SCENARIO, c->scn);
    json_t *out = json_pack("{s:s, s:s, s:o, s:I, s:O}", "industry", ind, "scenario", scn,
                            "region", c->reg >= 0 ? json_string(tax_code(TAX_REGION, c->reg))
                                                  : json_null(),
                            "size", (json_int_t)json_array_size(c->ids), "need_ids", c->ids);
    json_t *need = json_pack("{s:s, s:s, s:[s]}", "industry", ind, "title",
                             tax_name(TAX_SCENARIO, c->scn), "scenarios", scn);
    json_t *budget = json_pack("{s:n, s:n}", "min", "max");
    if (c->nbudgets) {
        qsort(c->budgets, c->nbudgets, sizeof *c->budgets, double_cmp);
        size_t m = c->nbudgets / 2;
        double median = c->nbudgets % 2 ? c->budgets[m] : (c->budgets[m - 1] + c->budgets[m]) / 2;
        json_object_set_new(budget, "min", json_real(c->budgets[0]));
        json_object_set_new(budget, "max", json_real(c->budgets[c->nbudgets - 1]));
        json_object_set_new(budget, "median", json_real(median));
        json_object_set_new(need, "budget", json_pack("{s:f}", "max", median));
    }
    json_object_set_new(out, "budget", budget);
    json_t *levels = json_object();
    for (int l = 1; l <= 4; l++) {
        char k[2] = {(char)('0' + l), 0};
        json_object_set_new(levels, k, json_integer(c->levels[l]));
    }
    json_object_set_new(out, "levels", levels);
    if (c->reg >= 0)
        json_object_set_new(need, "region", json_string(tax_code(TAX_REGION, c->reg)));
    int cur = mode_level(c->levels), tgt = mode_level(c->targets);
    if (cur)
        json_object_set_new(need, "current_level", json_integer(cur));
    if (tgt && tgt >= cur)
        json_object_set_new(need, "target_level", json_integer(tgt));
    /* The needs' own titles carry the words the cluster is about. */
    size_t i, cap = 1;
    json_t *t;
    json_array_foreach(c->titles, i, t) cap += json_string_length(t) + 1;
    char *text = xmalloc(cap), *p = text;
    json_array_foreach(c->titles, i, t) {
        memcpy(p, json_string_value(t), json_string_length(t));
        p += json_string_length(t);
        *p++ = '\n';
    }
    *p = '\0';
    json_object_set_new(need, "description", json_string(text));
    free(text);
    json_t *res = match_top_resources(w, need, CLUSTER_RESOURCES);
    json_decref(need);
    if (!res) {
        json_decref(out);
        return NULL;
    }
    json_object_set_new(out, "resources", res);
    return out;
}

void h_demand_clusters(struct req *r)
{
    static const char SQL[] =
        "SELECT id, industry_bit, scenario_mask, region_bit, json_extract(doc, '$.budget.max'),"
        " json_extract(doc, '$.current_level'), json_extract(doc, '$.target_level'), title"
        " FROM needs WHERE status = 'open' AND (?1 = 0 OR industry_bit & ?1)"
        " AND (?2 = 0 OR scenario_mask & ?2) AND (?3 = 0 OR region_bit & ?3) ORDER BY nid";
    int64_t inds, scns, regs;
    long min_size, limit;
    if (req_mask_param(r, "industry", TAX_INDUSTRY, &inds) < 0 ||
        req_mask_param(r, "scenario", TAX_SCENARIO, &scns) < 0 ||
        req_mask_param(r, "region", TAX_REGION, &regs) < 0 ||
        req_long_param(r, "min_size", 2, 1, 1000000, &min_size) < 0 ||
        req_long_param(r, "limit", 20, 1, 100, &limit) < 0)
        return;
    struct db *db = r->w->db;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st) {
        reply_db_error(r, DB_READ);
        return;
    }
    sqlite3_bind_int64(st, 1, inds);
    sqlite3_bind_int64(st, 2, scns);
    sqlite3_bind_int64(st, 3, regs);
    int ni = tax_count(TAX_INDUSTRY), ns = tax_count(TAX_SCENARIO), nr = tax_count(TAX_REGION);
    size_t nslots = (size_t)ni * (size_t)ns * (size_t)(nr + 1);
    struct cluster **slot = xcalloc(nslots, sizeof *slot);
    struct cluster **all = NULL;
    size_t nall = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t ib = (uint64_t)sqlite3_column_int64(st, 1);
        uint64_t sm = (uint64_t)sqlite3_column_int64(st, 2);
        uint64_t rb = (uint64_t)sqlite3_column_int64(st, 3);
        if (!ib)
            continue;
        int ind = __builtin_ctzll(ib), reg = rb ? __builtin_ctzll(rb) : -1;
        if (ind >= ni || reg >= nr)
            continue;
        if (scns)
            sm &= (uint64_t)scns;
        for (int s = 0; s < ns && s < 64; s++) {
            if (!(sm & ((uint64_t)1 << s)))
                continue;
            size_t k = ((size_t)ind * (size_t)ns + (size_t)s) * (size_t)(nr + 1) + (size_t)(reg + 1);
            struct cluster *c = slot[k];
            if (!c) {
                c = slot[k] = xcalloc(1, sizeof *c);
                c->ind = ind;
                c->scn = s;
                c->reg = reg;
                c->ids = json_array();
                c->titles = json_array();
                all = xrealloc(all, (nall + 1) * sizeof *all);
                all[nall++] = c;
            }
            json_array_append_new(c->ids, json_string((const char *)sqlite3_column_text(st, 0)));
            if (json_array_size(c->titles) < CLUSTER_TITLES)
                json_array_append_new(c->titles, json_string((const char *)sqlite3_column_text(st, 7)));
            if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
                if (c->nbudgets == c->cap) {
                    c->cap = c->cap ? c->cap * 2 : 8;
                    c->budgets = xrealloc(c->budgets, c->cap * sizeof *c->budgets);
                }
                c->budgets[c->nbudgets++] = sqlite3_column_double(st, 4);
            }
            int cl = sqlite3_column_int(st, 5), tl = sqlite3_column_int(st, 6);
            if (cl >= 1 && cl <= 4)
                c->levels[cl]++;
            if (tl >= 1 && tl <= 4)
                c->targets[tl]++;
        }
    }
    sqlite3_reset(st);
    free(slot);
    int dberr = rc != SQLITE_DONE;
    if (nall)
        qsort(all, nall, sizeof *all, cluster_cmp);
    json_t *clusters = json_array();
    for (size_t i = 0; i < nall && !dberr; i++) {
        if ((long)json_array_size(all[i]->ids) < min_size || (long)json_array_size(clusters) >= limit)
            break; /* sorted largest first */
        json_t *cj = cluster_json(r->w, all[i]);
        if (!cj)
            dberr = 1;
        else
            json_array_append_new(clusters, cj);
    }
    for (size_t i = 0; i < nall; i++) {
        json_decref(all[i]->ids);
        json_decref(all[i]->titles);
        free(all[i]->budgets);
        free(all[i]);
    }
    free(all);
    if (dberr) {
        json_decref(clusters);
        reply_db_error(r, DB_READ);
        return;
    }
    reply_json(r, 200, json_pack("{s:o}", "clusters", clusters));
}
