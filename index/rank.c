/*
 * rank.c - weighted, explainable match scores (see rank.h and
 * docs/ranking.md).
 *
 * Each part answers one question a factory owner asks of a listing:
 *   text      does it talk about my problem?      BM25, normalised
 *   industry  is it for my industry?              exact 1, general 0.6
 *   scenario  does it cover my scenarios?         per scenario: 1 exact,
 *                                                 0.3 same group; or what
 *                                                 the text says (lexicon)
 *   level     does it start where I am?           from <= cur < to
 *   budget    can I afford it?                    1 within, then decays
 *   region    is it offered where I am?           province or 全国; SaaS
 *                                                 and downloads anywhere
 *   quality   did it deliver for others?          verified outcomes of
 *                                                 accepted projects (on
 *                                                 time, level uplift, scene
 *                                                 steps, ticket response),
 *                                                 stars, cases
 *   fit       is it light enough for a small firm? deploy days, SaaS
 * A part whose input is missing on either side scores a neutral 0.5, so
 * an incomplete listing is neither rewarded nor buried.
 */
#include "rank.h"

#include <math.h>

#define NEUTRAL 0.5

static double clamp01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

static double part_industry(const struct rank_shape *sh, const struct rank_tax *t,
                            const struct rank_need *n, const struct rank_res *r)
{
    if (n->industry >= 0 && (r->industries & ((int64_t)1 << n->industry)))
        return 1.0;
    if (t->general >= 0 && (r->industries & ((int64_t)1 << t->general))) {
        /* A general resource that has the scenario the text implies fits
         * the problem: it closes part of the gap to an exact industry. */
        double fits = 0;
        for (int i = 0; i < t->nscenarios && i < 63; i++)
            if ((n->inferred & r->scenarios & ((int64_t)1 << i)) && n->inferred_strength[i] > fits)
                fits = n->inferred_strength[i];
        return sh->general + (1.0 - sh->general) * clamp01(sh->general_fit) * fits;
    }
    return 0.0;
}

/* 1 if the resource has scenario i, 0.3 if it has another of its group. */
static double scenario_fit(const struct rank_tax *t, const struct rank_res *r, int i)
{
    if (r->scenarios & ((int64_t)1 << i))
        return 1.0;
    for (int j = 0; j < t->nscenarios; j++)
        if ((r->scenarios & ((int64_t)1 << j)) && t->scenario_group[j] == t->scenario_group[i])
            return 0.3;
    return 0.0;
}

/* The mean fit over the scenarios ticked, or, when better, the best fit
 * of an inferred scenario times its strength and sh->inferred (so a
 * scenario the enterprise ticked always counts for more). */
static double part_scenario(const struct rank_shape *sh, const struct rank_tax *t,
                            const struct rank_need *n, const struct rank_res *r)
{
    int asked = 0;
    double sum = 0, inferred = 0;
    for (int i = 0; i < t->nscenarios && i < 64; i++) {
        if (n->scenarios & ((int64_t)1 << i)) {
            asked++;
            sum += scenario_fit(t, r, i);
        }
        if (n->inferred & ((int64_t)1 << i)) {
            double f = sh->inferred * n->inferred_strength[i] * scenario_fit(t, r, i);
            inferred = f > inferred ? f : inferred;
        }
    }
    double ticked = asked ? sum / asked : NEUTRAL;
    if (!n->inferred || inferred >= ticked)
        return inferred > ticked ? inferred : ticked;
    /* The ticked box fits better than the problem the text describes:
     * take back ticked_doubt of that lead (a vague box ticked). */
    return ticked - clamp01(sh->ticked_doubt) * (ticked - inferred);
}

static double part_level(const struct rank_need *n, const struct rank_res *r)
{
    if (!n->current_level || !r->level_from || !r->level_to)
        return NEUTRAL;
    int cur = n->current_level, target = n->target_level ? n->target_level : cur + 1;
    if (r->level_from <= cur && cur < r->level_to)
        return r->level_to >= target ? 1.0 : 0.7;
    if (cur < r->level_from) /* it assumes a maturity the firm lacks */
        return clamp01(1.0 - 0.4 * (r->level_from - cur));
    return 0.2; /* it starts below where the firm already is */
}

static double part_budget(const struct rank_shape *sh, const struct rank_need *n,
                          const struct rank_res *r)
{
    if (n->budget <= 0 || r->price_min < 0)
        return NEUTRAL;
    if (r->price_min <= n->budget)
        return 1.0;
    return exp(-sh->budget_decay * (r->price_min / n->budget - 1.0));
}

/* SaaS and downloads serve every province whatever regions they list; a
 * hybrid offer outside its regions keeps sh->hybrid_region. */
static double part_region(const struct rank_shape *sh, const struct rank_tax *t,
                          const struct rank_need *n, const struct rank_res *r)
{
    if (n->region < 0)
        return NEUTRAL;
    if (r->saas == 1 || r->downloadable)
        return 1.0;
    if (!r->regions)
        return NEUTRAL;
    if ((r->regions & ((int64_t)1 << n->region)) ||
        (t->nationwide >= 0 && (r->regions & ((int64_t)1 << t->nationwide))))
        return 1.0;
    return r->saas == 2 ? sh->hybrid_region : 0.0;
}

/* Stated quality: what the listing and its reviews say.  Ratings count
 * for more as they accumulate; until then a prior. */
static double stated_quality(const struct rank_res *r)
{
    double conf = r->rating_count >= 5 ? 1.0 : r->rating_count / 5.0;
    double rating = conf * (r->rating_avg / 5.0) + (1 - conf) * NEUTRAL;
    double cases = r->cases >= 3 ? 1.0 : r->cases / 3.0;
    return clamp01(0.7 * rating + 0.3 * cases);
}

/* What verified outcomes say, in [0, 1]: the weighted mean of the figures
 * known (on time 0.30, level uplift 0.35, scene steps 0.20, ticket
 * response 0.15).  An uplift of one level or more is full marks, none is
 * 0.5; two scene steps gained are full marks; a first response within
 * the hour is about 1, a day 0.5.  Neutral when no figure is known. */
static double verified_quality(const struct rank_outcome *o)
{
    double sum = 0, wsum = 0;
    if (o->has_on_time) {
        sum += 0.30 * clamp01(o->on_time);
        wsum += 0.30;
    }
    if (o->has_uplift) {
        sum += 0.35 * clamp01(0.5 + 0.5 * o->uplift);
        wsum += 0.35;
    }
    if (o->has_steps) {
        sum += 0.20 * clamp01(0.5 + 0.25 * o->steps);
        wsum += 0.20;
    }
    if (o->has_resp) {
        sum += 0.15 * (1.0 / (1.0 + (o->resp_h > 0 ? o->resp_h : 0) / 24.0));
        wsum += 0.15;
    }
    return wsum > 0 ? sum / wsum : NEUTRAL;
}

double rank_quality(const struct rank_res *r)
{
    double stated = stated_quality(r);
    /* Credibility of the outcomes: the resource's own projects (three
     * make it whole), then its provider's (five make half of what is
     * left), since a provider that delivers well elsewhere is likely to
     * here too. */
    double c_own = r->own.n >= 3 ? 1.0 : r->own.n / 3.0;
    double c_prov = 0.5 * (r->prov.n >= 5 ? 1.0 : r->prov.n / 5.0);
    double c = c_own + (1 - c_own) * c_prov;
    if (c <= 0)
        return stated; /* nothing verified yet: as before outcomes existed */
    double v = (c_own * verified_quality(&r->own) +
                (1 - c_own) * c_prov * verified_quality(&r->prov)) / c;
    /* Verified outcomes, fully credible, carry 70 % of the part: stars
     * and listed cases become one signal among them. */
    return clamp01((1 - 0.7 * c) * stated + 0.7 * c * v);
}

static double part_fit(const struct rank_need *n, const struct rank_res *r)
{
    if (!n->small_firm)
        return NEUTRAL;
    double days = r->deploy_days < 0 ? NEUTRAL
                : r->deploy_days <= 30 ? 1.0
                : r->deploy_days <= 90 ? 0.6 : 0.2;
    double saas = r->saas == 1 ? 1.0 : r->saas == 2 ? 0.5 : 0.0;
    return 0.6 * days + 0.4 * saas;
}

void rank_score(const struct rank_weights *w, const struct rank_tax *t,
                const struct rank_need *n, const struct rank_res *r,
                struct rank_parts *out)
{
    static const struct rank_shape def = RANK_SHAPE_DEFAULT;
    rank_score_shaped(w, &def, t, n, r, out);
}

void rank_score_shaped(const struct rank_weights *w, const struct rank_shape *sh,
                       const struct rank_tax *t, const struct rank_need *n,
                       const struct rank_res *r, struct rank_parts *out)
{
    /* A weak text overlap lowers the text weight towards text_floor of
     * itself; normalising then gives the structure parts more. */
    double wt = w->text * (1.0 - clamp01(n->text_weak) * (1.0 - clamp01(sh->text_floor)));
    double sum = wt + w->industry + w->scenario + w->level + w->budget + w->region +
                 w->quality + w->fit;
    double k = sum > 0 ? 1.0 / sum : 0;
    out->text = k * wt * clamp01(r->text);
    out->industry = k * w->industry * part_industry(sh, t, n, r);
    out->scenario = k * w->scenario * part_scenario(sh, t, n, r);
    out->level = k * w->level * part_level(n, r);
    out->budget = k * w->budget * part_budget(sh, n, r);
    out->region = k * w->region * part_region(sh, t, n, r);
    out->quality = k * w->quality * rank_quality(r);
    out->fit = k * w->fit * part_fit(n, r);
    if (n->budget > 0 && r->price_min > 2.0 * n->budget) {
        /* More than twice the budget: out of reach whatever else fits, so
         * the other parts count budget_gate of themselves (1: as usual). */
        double m = clamp01(sh->budget_gate);
        out->text *= m;
        out->industry *= m;
        out->scenario *= m;
        out->level *= m;
        out->region *= m;
        out->quality *= m;
        out->fit *= m;
    }
    out->score = out->text + out->industry + out->scenario + out->level + out->budget +
                 out->region + out->quality + out->fit;
}
