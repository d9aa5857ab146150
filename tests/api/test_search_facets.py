"""
test_search_facets.py - facets over more than 1,000 matches (issue 24).

A search by relevance without filters ranks without reading each match's
facet columns; past 1,000 matches its facets are estimated from matches
spread over all of them and say "exact": false.  The total stays exact, the
hits are those of the exact pass (the same search with a filter that every
resource passes ranks every match with its columns read), and with a filter
or another sort the facets are counted exactly.

The pool: 1,500 resources of one provider, bulk-imported, all holding 质检;
a third are products in food, the rest solutions in machinery (so the
estimate has something to get right), plus 1,600 that hold 能耗 only and
one data set on 余热回收.
"""

import json
import urllib.parse

import lib
from lib import assert_status, eq, request

S = None
P = None
N = 1500
OTHER = 1600  # without 质检, so that its IDF (and every score) is above 0


def setup_module():
    global S, P
    S = lib.use(lib.Server())
    P = S.key("provider", "华东智能装备")
    lines = []
    for i in range(N):
        food = i % 3 == 0
        lines.append(json.dumps({
            "kind": "product" if food else "solution",
            "title": "质检系统 %d 型" % i,
            "summary": "在线质检" * (1 + i % 4),
            "industries": ["food" if food else "machinery"],
            "scenarios": ["quality"],
            "regions": ["全国"]}, ensure_ascii=False))
    for i in range(OTHER):
        lines.append(json.dumps({
            "kind": "service", "title": "能耗诊断 %d" % i, "industries": ["general"],
            "scenarios": ["energy"]}, ensure_ascii=False))
    lines.append(json.dumps({"kind": "dataset", "title": "空压机余热回收数据", "industries": ["general"],
                             "scenarios": ["energy"]}, ensure_ascii=False))
    r = request("POST", "/v1/resources:bulk", raw="\n".join(lines) + "\n",
                ctype="application/x-ndjson", key=P)
    assert_status(r, 200)
    eq(r.json.get("created"), N + OTHER + 1, "bulk created")


def teardown_module():
    if S:
        S.close()


def search(params):
    r = request("GET", "/v1/search?" + urllib.parse.urlencode(params, doseq=True))
    assert_status(r, 200)
    lib.check_schema(r.json, "search")
    return r.json


def test_estimated_past_1000_matches_and_marked():
    j = search({"q": "质检", "limit": 10})
    eq(j["total"], N, "the total is exact")
    eq(j["facets"]["exact"], False, "facets.exact")
    kinds = j["facets"]["kind"]
    assert set(kinds) == {"product", "solution"}, kinds
    # an even spread over the matches: within 5 % of the total
    assert abs(kinds["product"] - N / 3) <= 0.05 * N, kinds
    assert abs(kinds["solution"] - 2 * N / 3) <= 0.05 * N, kinds
    assert abs(j["facets"]["industry"]["food"] - N / 3) <= 0.05 * N, j["facets"]
    eq(j["facets"]["scenario"], {"quality": j["facets"]["scenario"]["quality"]}, "one scenario")
    assert abs(j["facets"]["scenario"]["quality"] - N) <= 0.05 * N, j["facets"]


def test_the_hits_are_those_of_the_exact_pass():
    fast = search({"q": "质检", "limit": 50})
    # every resource is in 全国, so region=江苏省 filters nothing out but
    # makes the pass read every match's columns (exact facets)
    exact = search({"q": "质检", "limit": 50, "region": "江苏省"})
    eq(exact["facets"]["exact"], True, "a filter counts exactly")
    eq(exact["total"], fast["total"], "the same total")
    eq([(h["id"], h["score"]) for h in fast["hits"]],
       [(h["id"], h["score"]) for h in exact["hits"]], "the same hits, order and scores")
    eq(exact["facets"]["kind"], {"solution": 1000, "product": 500}, "exact kind counts")
    page = search({"q": "质检", "limit": 10, "offset": 40})
    eq([h["id"] for h in page["hits"]], [h["id"] for h in fast["hits"][40:50]], "a later page")


def test_exact_below_the_bound_and_with_another_sort():
    j = search({"q": "余热回收"})
    eq(j["total"], 1, "total")
    eq(j["facets"]["exact"], True, "one match is counted")
    eq(j["facets"]["kind"], {"dataset": 1}, "kind")
    j = search({"q": "质检", "sort": "newest", "limit": 5})
    eq(j["facets"]["exact"], True, "sort=newest reads every match")
    eq(j["facets"]["kind"], {"solution": 1000, "product": 500}, "kind")
    j = search({"limit": 5})
    eq(j["facets"]["exact"], True, "no q")
    eq(j["total"], N + OTHER + 1, "everything")
