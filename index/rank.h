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

/* How some parts are shaped (docs/ranking.md); RANK_SHAPE_DEFAULT is what
 * rank_score uses. */
struct rank_shape {
    double general;     /* industry fit of a `general` resource */
    double inferred;    /* scenario fit of a scenario inferred from the text
                           (lexicon.h), times its strength; below 1, the
                           fit of a scenario the enterprise ticked */
    double text_floor;  /* the share of the text weight kept when the text
                           overlap is weakest (rank_need.text_weak = 1) */
    double budget_decay; /* k of e^(-k (price/budget - 1)) over budget */
    double hybrid_region; /* region fit of a hybrid offer outside its regions */
    double ticked_doubt; /* how much of the lead a ticked scenario has over the
                            problem the text describes is taken back (0: none) */
    double general_fit;  /* the share of the gap to an exact industry that a
                            general resource closes when it has the scenario
                            the text implies (times that scenario's strength) */
    double budget_gate;  /* priced over twice the budget, every other part
                            is multiplied by this (1: no gate): a line far
                            over a small budget cannot win on industry and
                            text alone */
};

/* The shape before issue 22 (no inferred scenarios, no gate); the server's
 * defaults, fitted on the tune split, are in server/core/config.c. */
#define RANK_SHAPE_DEFAULT {0.6, 0.8, 1.0, 2.0, 0.0, 0.0, 0.0, 1.0}

/* What ranking needs to know about a need.  -1 / 0 mean "not given". */
struct rank_need {
    int industry;        /* taxonomy index */
    int64_t scenarios;   /* mask */
    int region;          /* taxonomy index, -1: none */
    double budget;       /* <= 0: none */
    int current_level;   /* 0: unknown */
    int target_level;    /* 0: unknown */
    int small_firm;      /* micro or small enterprise */
    int64_t inferred;    /* mask of scenarios inferred from the text */
    double inferred_strength[64]; /* (0, 1] for each bit of inferred */
    double text_weak;    /* 0: the text overlap is as usual; 1: weakest
                            (the text weight falls to text_floor of itself,
                            so structure weighs more) */
};

/* Verified outcomes (issue 19): what accepted projects showed.  n is how
 * many were accepted; each figure has a flag, since a project may lack
 * it (no planned go-live date, no level before, no ticket). */
struct rank_outcome {
    int n;
    int has_on_time, has_uplift, has_steps, has_resp;
    double on_time;  /* share delivered by the planned go-live, [0, 1] */
    double uplift;   /* mean verified level uplift (levels) */
    double steps;    /* mean scene steps gained */
    double resp_h;   /* mean first response to an O&M ticket, hours */
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
    int downloadable;    /* a data set, model or process package with no
                            delivery: nothing to deliver on site */
    double text;         /* text relevance already normalised to [0, 1] */
    struct rank_outcome own;  /* this resource's accepted projects */
    struct rank_outcome prov; /* its provider's, all resources together */
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

/* The quality part's fit in [0, 1] alone: the listing's stated quality
 * (stars, case count) blended with its verified outcomes as far as their
 * number makes them credible (docs/ranking.md, "Quality"). */
double rank_quality(const struct rank_res *r);

void rank_score(const struct rank_weights *w, const struct rank_tax *t,
                const struct rank_need *n, const struct rank_res *r,
                struct rank_parts *out);

/* rank_score with the parts shaped by sh. */
void rank_score_shaped(const struct rank_weights *w, const struct rank_shape *sh,
                       const struct rank_tax *t, const struct rank_need *n,
                       const struct rank_res *r, struct rank_parts *out);

#endif
