"""
test_stats.py - GET /v1/stats on a database whose every record this module
made, so each number can be checked exactly: published resources by kind,
industry, scenario and region; needs by status, industry and scenario;
supply gaps; campaign outcomes.  Only centers and admins may read it.

Issue 19: campaign outcomes come from accepted projects, whose levels are
those of verified assessments, so the data below drives each participant's
project instead of typing levels into the participant (the contract's
amendment).
"""

import time

import lib
import projlib
from lib import assert_error, assert_status, eq, request, resource

S = None
P = CEN = ADM = None
ENTS = {}


def setup_module():
    global S, P, CEN, ADM
    S = lib.use(lib.Server(redis="none", workers=2))
    P = S.key("provider", "统计测试供应商")
    CEN = S.key("center", "统计测试中心")
    ADM = S.key("admin", "统计测试运营")
    build_data()


def teardown_module():
    if S:
        S.stop()


def ent(name):
    if name not in ENTS:
        ENTS[name] = S.key("enterprise", "统计企业" + name)
    return ENTS[name]


def ok(r, status=200):
    assert_status(r, status)
    return r.json


def org_of(key):
    return ok(request("GET", "/v1/me", key=key))["org"]["id"]


def new_need(who, industry, scenarios, **more):
    b = {"title": "统计用需求", "industry": industry, "scenarios": scenarios}
    b.update(more)
    return ok(request("POST", "/v1/needs", b, key=ent(who)), 201)["id"]


def campaign(rid, **over):
    b = {"title": "统计用集采", "resource_id": rid, "industry": "machinery",
         "scenarios": ["quality"], "tiers": [{"min_participants": 1, "unit_price": 100}],
         "min_participants": 1,
         "deadline": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))}
    b.update(over)
    return ok(request("POST", "/v1/campaigns", b, key=CEN), 201)["id"]


def move(cid, to):
    if to == "open":  # issue 21: the provider confirms the tier prices first
        ok(request("POST", "/v1/campaigns/%s/confirm" % cid, key=P))
    ok(request("POST", "/v1/campaigns/%s/transition" % cid, {"to": to}, key=CEN))


def join(cid, who, need_id=None):
    ok(request("POST", "/v1/campaigns/%s/join" % cid, {"need_id": need_id} if need_id else None,
               key=ent(who)), 201)


LEVEL = {1: (projlib.ANSWERS, projlib.scenes(1)), 2: (projlib.STRONG, projlib.scenes(2)),
         3: (projlib.STRONG, projlib.scenes(3))}


def assess(who, level):
    _, got = projlib.verified(CEN, org_of(ent(who)), answers=LEVEL[level][0],
                              scene_steps=LEVEL[level][1])
    eq(got, level, "verified level")


def project_of(cid, who):
    org = org_of(ent(who))
    c = ok(request("GET", "/v1/campaigns/" + cid, key=CEN))
    return [p for p in c["participants"]["list"] if p["org"]["id"] == org][0]["project"]["id"]


R1 = None


def build_data():
    global R1
    # resources: three published, one withdrawn
    R1 = ok(request("POST", "/v1/resources", resource(), key=P), 201)["id"]
    ok(request("POST", "/v1/resources", resource(
        kind="product", industries=["general"], scenarios=["equipment"], regions=None),
        key=P), 201)
    ok(request("POST", "/v1/resources", resource(
        kind="dataset", industries=["textile"], scenarios=["quality"], regions=["浙江省"]),
        key=P), 201)
    r4 = ok(request("POST", "/v1/resources", resource(
        kind="model", industries=["machinery"], scenarios=["energy"]), key=P), 201)["id"]
    ok(request("DELETE", "/v1/resources/" + r4, key=P))
    # needs: three open, one closed, one in a campaign, one matched
    new_need("1", "machinery", ["quality"])
    new_need("2", "machinery", ["quality", "energy"])
    new_need("3", "textile", ["energy"])
    n4 = new_need("4", "food", ["hr"])
    ok(request("PATCH", "/v1/needs/" + n4, {"status": "closed"}, key=ent("4")))
    n5 = new_need("5", "machinery", ["planning"])
    n6 = new_need("6", "machinery", ["quality"])
    resp = ok(request("POST", "/v1/needs/%s/responses" % n6, {"resource_id": R1}, key=P), 201)
    ok(request("POST", "/v1/needs/%s/responses/%s/accept" % (n6, resp["id"]), key=ent("6")))
    # campaigns: one draft, one open (two in, one left), one completed
    campaign(R1)
    c2 = campaign(R1)
    move(c2, "open")
    join(c2, "5", n5)
    join(c2, "7")
    join(c2, "8")
    ok(request("POST", "/v1/campaigns/%s/leave" % c2, key=ent("8")))
    c3 = campaign(R1)
    move(c3, "open")
    for who in ("9", "10", "11"):
        join(c3, who)
    for who, before in (("9", 1), ("10", 2), ("11", 1)):
        assess(who, before)      # the level before each project
    for to in ("succeeded", "contracted", "implementing"):
        move(c3, to)
    for who, after in (("9", 3), ("10", 2)):
        pid = project_of(c3, who)
        projlib.deliver(pid, P)
        projlib.signoff(pid, ent(who))
        projlib.signoff(pid, CEN)
        assess(who, after)
        projlib.move(pid, "accepted", CEN)
    projlib.move(project_of(c3, "11"), "implementing", P)
    move(c3, "completed")


def stats(key=None):
    r = request("GET", "/v1/stats", key=key or CEN)
    assert_status(r, 200)
    lib.assert_time(r.json.get("generated_at"), "generated_at")
    return r.json


def nonzero(m):
    return {k: v for k, v in m.items() if v}


def test_resources():
    s = stats()["resources"]
    eq(s["published"], 3, "published")
    eq(s["by_status"], {"published": 3, "withdrawn": 1}, "by_status")
    eq(nonzero(s["by_kind"]), {"solution": 1, "product": 1, "dataset": 1}, "by_kind")
    eq(len(s["by_kind"]), 7, "every kind listed")
    eq(nonzero(s["by_industry"]), {"machinery": 1, "automotive": 1, "general": 1, "textile": 1},
       "by_industry")
    eq(len(s["by_industry"]), 15, "every industry listed")
    eq(nonzero(s["by_scenario"]),
       {"quality": 2, "production_control": 1, "equipment": 1}, "by_scenario")
    eq(len(s["by_scenario"]), 20, "every scenario listed")
    eq(nonzero(s["by_region"]), {"湖北省": 1, "广东省": 1, "全国": 1, "浙江省": 1}, "by_region")


def test_needs():
    s = stats()["needs"]
    eq(s["total"], 6)
    eq(s["by_status"], {"open": 3, "matched": 1, "in_campaign": 1, "closed": 1}, "by_status")
    eq(nonzero(s["by_industry"]), {"machinery": 4, "textile": 1, "food": 1}, "by_industry")
    eq(nonzero(s["by_scenario"]), {"quality": 3, "energy": 2, "hr": 1, "planning": 1},
       "by_scenario")


def test_supply_gaps():
    gaps = stats()["supply_gaps"]
    eq([(g["scenario"], g["open_needs"], g["resources"], g["gap"]) for g in gaps],
       [("energy", 2, 0, 2), ("quality", 2, 2, 0)], "gaps, largest first")
    eq(gaps[0]["name"], "能耗管理")


def test_campaign_outcomes():
    s = stats(ADM)["campaigns"]
    eq(s["total"], 3)
    eq(nonzero(s["by_status"]), {"draft": 1, "open": 1, "completed": 1}, "by_status")
    eq(len(s["by_status"]), 8, "every status listed")
    eq(s["participants"]["total"], 6)
    eq(s["participants"]["by_status"], {"joined": 2, "contracted": 0, "implementing": 1,
                                        "accepted": 2, "withdrawn": 1}, "participants")
    eq(s["avg_level_uplift"], 1.0, "uplift: (3-1 + 2-2) / 2")
    eq(s["reached_level_2"], 2, "accepted projects at level 2 or above")


def test_stats_follow_new_records():
    before = stats()
    new_need("12", "food", ["energy"])
    after = stats()
    eq(after["needs"]["total"], before["needs"]["total"] + 1)
    eq(after["needs"]["by_status"]["open"], before["needs"]["by_status"]["open"] + 1)
    eq(after["supply_gaps"][0]["scenario"], "energy")
    eq(after["supply_gaps"][0]["gap"], 3)


def test_roles():
    for key, who in ((P, "provider"), (ent("1"), "enterprise")):
        r = request("GET", "/v1/stats", key=key)
        assert r.status == 403 and r.code == "forbidden", "%s: %r" % (who, r)
    assert_error(request("GET", "/v1/stats"), 401, "unauthorized")
    assert_error(request("POST", "/v1/stats", {}, key=CEN), 405, "method_not_allowed")
