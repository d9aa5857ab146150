"""
test_match_directions.py - matching gives one score to a (need, resource)
pair whichever side asks.

A provider reading its opportunities (GET /v1/resources/{id}/needs) and an
enterprise reading its matches (POST /v1/match, GET /v1/needs/{id}/matches)
must agree: if the enterprise sees resource A above B, A's provider sees the
need with a higher score than B's provider does, and the numbers are the
same.  Before the matcher had one scoring path, the reverse direction built
its text query without document frequencies and ranked text differently.
"""

import lib
from lib import assert_status, eq, request

S = R = None
PROV = ENT = CEN = None
RES = {}
NEEDS = {}

POOL = {
    "aps": {"kind": "solution", "title": "离散制造APS高级计划排程系统",
            "summary": "有限产能排程，插单与换线优化，排程结果下发到机台",
            "industries": ["machinery"], "scenarios": ["planning", "production_control"],
            "price": {"min": 150000, "max": 400000, "unit": "套"},
            "levels": {"from": 2, "to": 3}, "tags": ["APS", "排产"]},
    "excel_plan": {"kind": "product", "title": "小工厂排产小程序",
                   "summary": "替代Excel排产表，手机上拖拽排单，插单自动顺延",
                   "industries": ["general"], "scenarios": ["planning"],
                   "price": {"min": 3000, "max": 8000, "unit": "年"}, "delivery": "saas",
                   "levels": {"from": 1, "to": 2}},
    "mes": {"kind": "solution", "title": "机械加工车间MES制造执行系统",
            "summary": "工单派工、报工、质量检验与设备数据采集一体化",
            "industries": ["machinery"], "scenarios": ["production_control", "quality"],
            "price": {"min": 200000, "max": 600000, "unit": "套"}},
    "energy": {"kind": "solution", "title": "注塑车间能耗在线监测平台",
               "summary": "按机台采集电、水、气用量，识别空转和峰谷用电",
               "industries": ["light_industry"], "scenarios": ["energy"],
               "price": {"min": 50000, "max": 90000, "unit": "套"}},
}

NEED_BODIES = {
    "plan": {"title": "车间排产全靠Excel，老是插单", "industry": "machinery",
             "description": "30多台CNC，计划员在Excel里排产，插单就乱，交期答不准",
             "scenarios": ["planning"], "region": "湖北省", "budget": {"max": 100000},
             "enterprise_size": "small", "current_level": 1, "target_level": 2},
    "mes": {"title": "想用MES替代纸质工单", "industry": "machinery",
            "description": "报工靠纸，质量数据对不上，想采集设备数据",
            "scenarios": ["production_control", "quality"], "region": "湖北省"},
}


def setup_module():
    global S, R, PROV, ENT, CEN
    R = lib.Redis()
    S = lib.use(lib.Server(redis=R))
    PROV = S.key("provider", "双向匹配测试服务商")
    ENT = S.key("enterprise", "双向匹配测试机械厂")
    CEN = S.key("center", "双向匹配测试促进中心")
    for name, body in POOL.items():
        r = request("POST", "/v1/resources", body, key=PROV)
        assert_status(r, 201)
        RES[name] = r.json["id"]
    for name, body in NEED_BODIES.items():
        r = request("POST", "/v1/needs", body, key=ENT)
        assert_status(r, 201)
        NEEDS[name] = r.json["id"]


def teardown_module():
    try:
        if S:
            S.stop()
    finally:
        if R:
            R.stop()


def forward_scores(need):
    """Resource id -> score, from the stored need's matches and from the same
    need posted to /v1/match (they must agree too)."""
    r = request("GET", "/v1/needs/%s/matches?limit=50&explain=1" % NEEDS[need], key=ENT)
    assert_status(r, 200)
    stored = {m["resource"]["id"]: m["score"] for m in r.json["matches"]}
    r = request("POST", "/v1/match?limit=50&explain=1", NEED_BODIES[need], key=ENT)
    assert_status(r, 200)
    posted = {m["resource"]["id"]: m["score"] for m in r.json["matches"]}
    eq(posted, stored, "POST /v1/match and GET /v1/needs/{id}/matches for the same need")
    return stored


def reverse_score(rid, need_id):
    r = request("GET", "/v1/resources/%s/needs?limit=100&explain=1" % rid, key=PROV)
    assert_status(r, 200)
    for m in r.json["needs"]:
        if m["need"]["id"] == need_id:
            parts = sum(v for k, v in m["explain"].items() if k != "terms")
            assert abs(parts - m["score"]) < 1e-6, m["explain"]
            return m["score"]
    return None


def test_same_score_from_both_sides():
    for need in NEED_BODIES:
        fwd = forward_scores(need)
        assert fwd, "need %s has no matches" % need
        for name, rid in RES.items():
            if rid not in fwd:
                continue
            back = reverse_score(rid, NEEDS[need])
            assert back is not None, \
                "need %s matches %s (score %s) but %s's opportunities omit it" % (
                    need, name, fwd[rid], name)
            eq(back, fwd[rid], "score of need %s for resource %s, reverse vs forward"
               % (need, name))


def test_same_order_from_both_sides():
    """The enterprise's order of two resources is the order of the need's
    scores in those resources' opportunity lists."""
    fwd = forward_scores("plan")
    ranked = sorted((rid for rid in fwd), key=lambda rid: -fwd[rid])
    assert len(ranked) >= 2, fwd
    back = [reverse_score(rid, NEEDS["plan"]) for rid in ranked]
    eq(back, sorted(back, reverse=True), "reverse scores in the forward order")
    # The cheap SaaS planner and the APS both fit; the text carries 排产 for both.
    assert RES["aps"] in fwd and RES["excel_plan"] in fwd, fwd


def test_reverse_is_cached_like_forward():
    rid = RES["aps"]
    first = request("GET", "/v1/resources/%s/needs?limit=10" % rid, key=PROV)
    again = request("GET", "/v1/resources/%s/needs?limit=10" % rid, key=PROV)
    assert_status(first, 200)
    assert_status(again, 200)
    eq(again.headers.get("X-Cache"), "HIT", "a repeated opportunity list is a cache hit")
    eq(again.json["needs"], first.json["needs"], "the cached list equals the computed one")
    # A write changes the data generation: the next answer is computed again.
    r = request("POST", "/v1/needs", dict(NEED_BODIES["plan"], title="排产软件，第二家"), key=ENT)
    assert_status(r, 201)
    third = request("GET", "/v1/resources/%s/needs?limit=10" % rid, key=PROV)
    eq(third.headers.get("X-Cache"), "MISS", "after a new need the list is recomputed")
    assert r.json["id"] in [m["need"]["id"] for m in third.json["needs"]], third.json
