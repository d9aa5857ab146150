/*
 * rank.h - the match score of a resource for a need, as weighted parts.
 *
 * Every part is a fit in [0, 1] (text relevance, industry, scenario,
 * digital level, budget, region, quality, small-firm fit) multiplied by
 * its weight; weights are normalised to sum to 1, so the score lies in
 * [0, 1] and the weighted parts that `explain` shows add up to it.  The
 * formula and the default weights are documented in docs/ranking.md.
 * Pure functions: no I/O, no allocation.
 */
#ifndef SHUCU_RANK_H
#define SHUCU_RANK_H

#include <stdint.h>

struct rank_weights {
    double text, industry, scenario, level, budget, region, quality, fit;
};

/* What ranking needs to know about a need.  -1 / 0 mean "not given". */
struct rank_need {
    int industry;        /* taxonomy index */
    int64_t scenarios;   /* mask */
    int region;          /* taxonomy index, -1: none */
    double budget;       /* <= 0: none */
    int current_level;   /* 0: unknown */
    int target_level;    /* 0: unknown */
    int small_firm;      /* micro or small enterprise */
};

/* What ranking needs to know about a resource. */
struct rank_res {
    int64_t industries, scenarios, regions; /* masks */
    double price_min;    /* < 0: no price */
    int level_from, level_to; /* 0: not given */
    double rating_avg;
    int rating_count;
    int cases;
    int deploy_days;     /* < 0: unknown */
    int saas;            /* 1 saas, 2 hybrid, 0 other or unknown */
    double text;         /* text relevance already normalised to [0, 1] */
};

struct rank_parts {
    double text, industry, scenario, level, budget, region, quality, fit;
    double score;
};

/* Indexes that rank needs from the taxonomy: general industry, the
 * nationwide region, and the group of each scenario (-1 ends). */
struct rank_tax {
    int general;
    int nationwide;
    int nscenarios;
    int scenario_group[64];
};

void rank_score(const struct rank_weights *w, const struct rank_tax *t,
                const struct rank_need *n, const struct rank_res *r,
                struct rank_parts *out);

#endif
