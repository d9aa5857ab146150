/*
 * rank.c - weighted, explainable match scores (see rank.h and
 * docs/ranking.md).
 *
 * Each part answers one question a factory owner asks of a listing:
 *   text      does it talk about my problem?      BM25, normalised
 *   industry  is it for my industry?              exact 1, general 0.6
 *   scenario  does it cover my scenarios?         per scenario: 1 exact,
 *                                                 0.3 same group
 *   level     does it start where I am?           from <= cur < to
 *   budget    can I afford it?                    1 within, then decays
 *   region    is it offered where I am?           province or 全国
 *   quality   do others vouch for it?             rating, cases
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

static double part_industry(const struct rank_tax *t, const struct rank_need *n,
                            const struct rank_res *r)
{
    if (n->industry >= 0 && (r->industries & ((int64_t)1 << n->industry)))
        return 1.0;
    if (t->general >= 0 && (r->industries & ((int64_t)1 << t->general)))
        return 0.6;
    return 0.0;
}

static double part_scenario(const struct rank_tax *t, const struct rank_need *n,
                            const struct rank_res *r)
{
    int asked = 0;
    double sum = 0;
    for (int i = 0; i < t->nscenarios; i++) {
        if (!(n->scenarios & ((int64_t)1 << i)))
            continue;
        asked++;
        if (r->scenarios & ((int64_t)1 << i)) {
            sum += 1.0;
            continue;
        }
        for (int j = 0; j < t->nscenarios; j++)
            if ((r->scenarios & ((int64_t)1 << j)) && t->scenario_group[j] == t->scenario_group[i]) {
                sum += 0.3;
                break;
            }
    }
    return asked ? sum / asked : NEUTRAL;
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

static double part_budget(const struct rank_need *n, const struct rank_res *r)
{
    if (n->budget <= 0 || r->price_min < 0)
        return NEUTRAL;
    if (r->price_min <= n->budget)
        return 1.0;
    return exp(-2.0 * (r->price_min / n->budget - 1.0));
}

static double part_region(const struct rank_tax *t, const struct rank_need *n,
                          const struct rank_res *r)
{
    if (n->region < 0 || !r->regions)
        return NEUTRAL;
    if ((r->regions & ((int64_t)1 << n->region)) ||
        (t->nationwide >= 0 && (r->regions & ((int64_t)1 << t->nationwide))))
        return 1.0;
    return 0.0;
}

static double part_quality(const struct rank_res *r)
{
    /* Ratings count for more as they accumulate; until then a prior. */
    double conf = r->rating_count >= 5 ? 1.0 : r->rating_count / 5.0;
    double rating = conf * (r->rating_avg / 5.0) + (1 - conf) * NEUTRAL;
    double cases = r->cases >= 3 ? 1.0 : r->cases / 3.0;
    return clamp01(0.7 * rating + 0.3 * cases);
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
    double sum = w->text + w->industry + w->scenario + w->level + w->budget + w->region +
                 w->quality + w->fit;
    double k = sum > 0 ? 1.0 / sum : 0;
    out->text = k * w->text * clamp01(r->text);
    out->industry = k * w->industry * part_industry(t, n, r);
    out->scenario = k * w->scenario * part_scenario(t, n, r);
    out->level = k * w->level * part_level(n, r);
    out->budget = k * w->budget * part_budget(n, r);
    out->region = k * w->region * part_region(t, n, r);
    out->quality = k * w->quality * part_quality(r);
    out->fit = k * w->fit * part_fit(n, r);
    out->score = out->text + out->industry + out->scenario + out->level + out->budget +
                 out->region + out->quality + out->fit;
}
