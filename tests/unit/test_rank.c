/*
 * Unit tests of rank.c: the properties an enterprise would notice if the
 * ranking broke, checked on the pure scoring function.
 */
#include "rank.h"
#include "test.h"

#include <math.h>

static const struct rank_weights W = {0.30, 0.20, 0.20, 0.08, 0.08, 0.05, 0.05, 0.04};

/* Industries: 0 machinery, 1 textile, 14 general.  Scenarios 0..3 in
 * group 0, 4..5 in group 1.  Regions: 0 全国, 1 湖北省, 2 广东省. */
static struct rank_tax tax(void)
{
    struct rank_tax t = {.general = 14, .nationwide = 0, .nscenarios = 6};
    int groups[6] = {0, 0, 0, 0, 1, 1};
    for (int i = 0; i < 6; i++)
        t.scenario_group[i] = groups[i];
    return t;
}

static struct rank_need need(void)
{
    return (struct rank_need){.industry = 0, .scenarios = 1 << 1, .region = 1, .budget = 100000,
                              .current_level = 1, .target_level = 2, .small_firm = 1};
}

static struct rank_res res(void)
{
    return (struct rank_res){.industries = 1 << 0, .scenarios = 1 << 1, .regions = 1 << 0,
                             .price_min = 50000, .level_from = 1, .level_to = 2,
                             .rating_avg = 0, .rating_count = 0, .cases = 1,
                             .deploy_days = 14, .saas = 1, .text = 0.5};
}

static double score(struct rank_need n, struct rank_res r)
{
    struct rank_tax t = tax();
    struct rank_parts p;
    rank_score(&W, &t, &n, &r, &p);
    return p.score;
}

TEST(parts_sum_to_score_in_unit_interval)
{
    struct rank_tax t = tax();
    struct rank_need n = need();
    struct rank_res r = res();
    struct rank_parts p;
    rank_score(&W, &t, &n, &r, &p);
    double sum = p.text + p.industry + p.scenario + p.level + p.budget + p.region + p.quality + p.fit;
    ASSERT(fabs(sum - p.score) < 1e-12);
    ASSERT(p.score >= 0 && p.score <= 1);
    r.text = 1;
    r.rating_avg = 5;
    r.rating_count = 10;
    r.cases = 5;
    rank_score(&W, &t, &n, &r, &p);
    ASSERT(fabs(p.score - 1.0) < 1e-9); /* a perfect fit scores exactly 1 */
}

TEST(structure_alone_carries_a_match)
{
    struct rank_res r = res();
    r.text = 0;
    struct rank_res other = r;
    other.industries = 1 << 1;  /* textile */
    other.scenarios = 1 << 4;   /* another group */
    ASSERT(score(need(), r) > 0.5);
    ASSERT(score(need(), r) > score(need(), other) + 0.3);
}

TEST(exact_industry_beats_general_beats_other)
{
    struct rank_res exact = res(), general = res(), other = res();
    general.industries = 1 << 14;
    other.industries = 1 << 1;
    ASSERT(score(need(), exact) > score(need(), general));
    ASSERT(score(need(), general) > score(need(), other));
}

TEST(budget_pushes_unaffordable_down_gracefully)
{
    struct rank_res cheap = res(), dear = res(), slightly = res();
    dear.price_min = 500000;
    slightly.price_min = 110000;
    ASSERT(score(need(), cheap) > score(need(), slightly));
    ASSERT(score(need(), slightly) > score(need(), dear));
    /* 10% over budget loses little: the decay is gradual, not a cliff. */
    ASSERT(score(need(), cheap) - score(need(), slightly) < 0.03);
}

TEST(level_fit_for_level_one_enterprise)
{
    struct rank_res basic = res(), ai = res();
    ai.level_from = 3;
    ai.level_to = 4;
    ASSERT(score(need(), basic) > score(need(), ai));
    struct rank_res short_of_target = res();
    struct rank_need n = need();
    n.target_level = 3;
    ASSERT(score(n, res()) == score(n, short_of_target)); /* same resource */
    struct rank_res reaching = res();
    reaching.level_to = 3;
    ASSERT(score(n, reaching) > score(n, short_of_target));
}

TEST(scenario_same_group_is_partial_credit)
{
    struct rank_res exact = res(), sibling = res(), far = res();
    sibling.scenarios = 1 << 2; /* same group as scenario 1 */
    far.scenarios = 1 << 4;
    ASSERT(score(need(), exact) > score(need(), sibling));
    ASSERT(score(need(), sibling) > score(need(), far));
}

TEST(region_and_nationwide)
{
    /* issue 22: a SaaS offer is not penalised by region any more, so this
     * compares on-premise offers (res() is SaaS). */
    struct rank_res hubei = res(), guangdong = res();
    hubei.regions = 1 << 1;
    guangdong.regions = 1 << 2;
    struct rank_res nationwide = res();
    hubei.saas = guangdong.saas = nationwide.saas = 0;
    ASSERT(score(need(), nationwide) == score(need(), hubei)); /* 全国 serves 湖北 */
    ASSERT(score(need(), hubei) > score(need(), guangdong));
}

TEST(saas_and_downloads_serve_every_region)
{
    /* A SaaS offer listing four provinces, none of them the need's, keeps
     * its whole region score; so does a downloadable data set.  A hybrid
     * one outside its regions and an on-premise one lose it. */
    struct rank_tax t = tax();
    struct rank_need n = need();
    struct rank_res saas = res(), onprem = res(), hybrid = res(), data = res();
    saas.regions = onprem.regions = hybrid.regions = data.regions = 1 << 2;
    onprem.saas = 0;
    hybrid.saas = 2;
    data.saas = 0;
    data.downloadable = 1;
    struct rank_parts p;
    rank_score(&W, &t, &n, &saas, &p);
    ASSERT(fabs(p.region - 0.05) < 1e-12);
    rank_score(&W, &t, &n, &data, &p);
    ASSERT(fabs(p.region - 0.05) < 1e-12);
    rank_score(&W, &t, &n, &onprem, &p);
    ASSERT(p.region == 0);
    ASSERT(score(n, saas) > score(n, hybrid));
    ASSERT(score(n, hybrid) >= score(n, onprem));
}

TEST(within_budget_beats_over_budget_at_equal_fit)
{
    struct rank_res within = res(), over = res();
    within.price_min = 100000; /* exactly the budget */
    over.price_min = 100001;
    ASSERT(score(need(), within) > score(need(), over));
}

TEST(inferred_scenario_counts_below_a_ticked_one)
{
    /* The enterprise ticked scenario 1; the text says scenario 4 (another
     * group).  A resource of scenario 4 gains from the inference but stays
     * below one of the ticked scenario. */
    struct rank_need n = need();
    struct rank_res ticked = res(), said = res(), neither = res();
    said.scenarios = 1 << 4;
    neither.scenarios = 0;
    double before = score(n, said);
    n.inferred = 1 << 4;
    n.inferred_strength[4] = 1.0;
    ASSERT(score(n, said) > before);
    ASSERT(score(n, ticked) > score(n, said));
    ASSERT(score(n, said) > score(n, neither));
    n.inferred_strength[4] = 0.5; /* a weaker hint counts for less */
    double weak = score(n, said);
    n.inferred_strength[4] = 1.0;
    ASSERT(score(n, said) > weak);
}

TEST(weak_text_overlap_weighs_structure_more)
{
    /* Two resources: one shares a word with the need but nothing else,
     * the other fits industry and scenario but shares no word.  With a
     * weak overlap the structural fit wins by more. */
    struct rank_weights w = W;
    struct rank_shape sh = RANK_SHAPE_DEFAULT;
    sh.text_floor = 0.3;
    struct rank_tax t = tax();
    struct rank_need n = need();
    struct rank_res word = res(), fits = res();
    word.text = 1;
    word.industries = 1 << 1;
    word.scenarios = 1 << 4;
    fits.text = 0;
    struct rank_parts a, b;
    rank_score_shaped(&w, &sh, &t, &n, &word, &a);
    rank_score_shaped(&w, &sh, &t, &n, &fits, &b);
    double gap_strong = b.score - a.score;
    n.text_weak = 1;
    rank_score_shaped(&w, &sh, &t, &n, &word, &a);
    rank_score_shaped(&w, &sh, &t, &n, &fits, &b);
    ASSERT(b.score - a.score > gap_strong + 0.05);
    double sum = b.text + b.industry + b.scenario + b.level + b.budget + b.region + b.quality +
                 b.fit;
    ASSERT(fabs(sum - b.score) < 1e-12); /* still the sum of its parts */
}

TEST(small_firm_prefers_light_deployments)
{
    struct rank_res light = res(), heavy = res();
    heavy.deploy_days = 180;
    heavy.saas = 0;
    ASSERT(score(need(), light) > score(need(), heavy));
    struct rank_need big = need();
    big.small_firm = 0;
    ASSERT(score(big, light) == score(big, heavy)); /* no preference for large firms */
}

TEST(ratings_lift_quality_with_confidence)
{
    struct rank_res rated = res(), one_review = res(), poor = res();
    rated.rating_avg = 4.8;
    rated.rating_count = 20;
    one_review.rating_avg = 5;
    one_review.rating_count = 1;
    poor.rating_avg = 1.5;
    poor.rating_count = 20;
    ASSERT(score(need(), rated) > score(need(), one_review));
    ASSERT(score(need(), one_review) > score(need(), poor));
}

/* Issue 19: verified outcomes of accepted projects are the quality
 * signal; stars are one input among them. */
static struct rank_outcome outcome(int n, double on_time, double uplift, double steps, double resp_h)
{
    return (struct rank_outcome){.n = n, .has_on_time = 1, .has_uplift = 1, .has_steps = 1,
                                 .has_resp = 1, .on_time = on_time, .uplift = uplift,
                                 .steps = steps, .resp_h = resp_h};
}

TEST(no_outcomes_keep_the_stated_quality)
{
    struct rank_res r = res();
    r.rating_avg = 4;
    r.rating_count = 2;
    double conf = 2 / 5.0, rating = conf * 4 / 5.0 + (1 - conf) * 0.5, cases = 1 / 3.0;
    ASSERT(fabs(rank_quality(&r) - (0.7 * rating + 0.3 * cases)) < 1e-12);
}

TEST(verified_outcomes_outweigh_stars)
{
    struct rank_res starred = res(), proven = res(), failed = res();
    starred.rating_avg = 5;
    starred.rating_count = 20;
    proven.own = outcome(3, 1.0, 1.0, 2.0, 1.0);
    failed.own = outcome(3, 0.0, 0.0, 0.0, 72.0);
    failed.rating_avg = 5;
    failed.rating_count = 20;
    ASSERT(rank_quality(&proven) > rank_quality(&starred));
    ASSERT(rank_quality(&starred) > rank_quality(&failed));
    /* one accepted project counts, three count fully */
    struct rank_res one = res(), plain = res();
    one.own = outcome(1, 1.0, 1.0, 2.0, 1.0);
    ASSERT(rank_quality(&proven) > rank_quality(&one));
    ASSERT(rank_quality(&one) > rank_quality(&plain));
    ASSERT(rank_quality(&proven) <= 1.0 && rank_quality(&failed) >= 0.0);
}

TEST(a_providers_outcomes_lift_its_other_resources_less)
{
    struct rank_res own = res(), sibling = res(), none = res();
    own.own = outcome(3, 1.0, 1.0, 2.0, 1.0);
    own.prov = own.own;
    sibling.prov = outcome(3, 1.0, 1.0, 2.0, 1.0);
    ASSERT(rank_quality(&own) > rank_quality(&sibling));
    ASSERT(rank_quality(&sibling) > rank_quality(&none));
    /* a figure a project lacks is left out, not counted as zero */
    struct rank_res partial = res();
    partial.own = (struct rank_outcome){.n = 3, .has_uplift = 1, .uplift = 1.0};
    ASSERT(rank_quality(&partial) > rank_quality(&none));
}

TEST(weights_are_normalised)
{
    struct rank_weights doubled = {0.6, 0.4, 0.4, 0.16, 0.16, 0.1, 0.1, 0.08};
    struct rank_tax t = tax();
    struct rank_need n = need();
    struct rank_res r = res();
    struct rank_parts a, b;
    rank_score(&W, &t, &n, &r, &a);
    rank_score(&doubled, &t, &n, &r, &b);
    ASSERT(fabs(a.score - b.score) < 1e-12);
}

TEST_MAIN(T(parts_sum_to_score_in_unit_interval), T(structure_alone_carries_a_match),
          T(exact_industry_beats_general_beats_other), T(budget_pushes_unaffordable_down_gracefully),
          T(level_fit_for_level_one_enterprise), T(scenario_same_group_is_partial_credit),
          T(region_and_nationwide), T(small_firm_prefers_light_deployments),
          T(ratings_lift_quality_with_confidence), T(weights_are_normalised),
          T(saas_and_downloads_serve_every_region), T(within_budget_beats_over_budget_at_equal_fit),
          T(inferred_scenario_counts_below_a_ticked_one),
          T(weak_text_overlap_weighs_structure_more), T(no_outcomes_keep_the_stated_quality),
          T(verified_outcomes_outweigh_stars), T(a_providers_outcomes_lift_its_other_resources_less))
