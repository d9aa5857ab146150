"""
test_campaigns.py - group procurement (集体采购) and batch upgrades (批量改造):
a campaign's whole life through the API, every illegal transition and role,
the join race for the last places, deadlines (while running and while
stopped), restarts, reviews that only participants may write, and demand
clusters.

Issue 19 changed what this file checks of participants, as the contract's
amendment says: a participant's progress and its levels come from its
project (made when the campaign is contracted; levels from verified
assessments), so the tests that typed level_before/level_after or moved a
participant to accepted by PATCH now drive its project instead, and check
that hand-typed levels are 422 and hand-made progress 409.
"""

import threading
import time
from urllib.parse import quote

import lib
import projlib
from lib import assert_error, assert_status, eq, request, resource

S = R = None
P = P2 = CEN = CEN2 = ADM = None
CEN_ORG = None
RES = None          # a published resource of P
SCHEMA_ID = "https://shucu.example/schemas/campaign.schema.json"

STATUSES = ["draft", "open", "succeeded", "failed", "contracted", "implementing",
            "completed", "cancelled"]
MOVES = {("draft", "open"), ("draft", "cancelled"), ("open", "cancelled"),
         ("open", "succeeded"), ("open", "failed"), ("succeeded", "contracted"),
         ("contracted", "implementing"), ("implementing", "completed")}
# How to reach each state from draft (the center's transitions), with one
# participant so that `succeeded` is allowed.
PATHS = {
    "draft": [], "open": ["open"], "succeeded": ["open", "succeeded"],
    "failed": ["open", "failed"], "contracted": ["open", "succeeded", "contracted"],
    "implementing": ["open", "succeeded", "contracted", "implementing"],
    "completed": ["open", "succeeded", "contracted", "implementing", "completed"],
    "cancelled": ["cancelled"],
}


def setup_module():
    global S, R, P, P2, CEN, CEN2, ADM, CEN_ORG, RES
    R = lib.Redis()
    S = lib.use(lib.Server(redis=R, workers=4))
    P = S.key("provider", "华中智造科技")
    P2 = S.key("provider", "长三角工业软件")
    CEN = S.key("center", "湖北省制造业数字化转型促进中心")
    CEN2 = S.key("center", "广东省制造业数字化转型促进中心")
    ADM = S.key("admin", "运营方")
    CEN_ORG = me(CEN)
    RES = new_resource()


def teardown_module():
    try:
        if S:
            S.stop()
    finally:
        if R:
            R.stop()


# ------------------------------------------------------------ helpers


def me(key):
    r = request("GET", "/v1/me", key=key)
    assert_status(r, 200)
    return r.json["org"]["id"]


def ent(prefix="企业"):
    """A new enterprise: (key, org id)."""
    k = S.key("enterprise", lib.uniq(prefix))
    return k, me(k)


RES_KEY = {}    # resource id -> its provider's key (issue 21: the provider confirms prices)


def new_resource(key=None, **over):
    r = request("POST", "/v1/resources", resource(**over), key=key or P)
    assert_status(r, 201)
    RES_KEY[r.json["id"]] = key or P
    return r.json["id"]


def confirm(cid):
    """The resource's provider confirms the tier prices (issue 21: a
    campaign opens only once they are confirmed)."""
    c = get(cid)
    if c.get("price_confirmation") or c["status"] != "draft":
        return
    r = request("POST", "/v1/campaigns/%s/confirm" % cid, key=RES_KEY.get(c["resource_id"], P))
    assert_status(r, 200)


def when(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + seconds))


def body(**over):
    b = {
        "title": "机械行业AI视觉质检集体采购",
        "description": "面向湖北省机械行业中小企业的质检改造，人数越多单价越低。",
        "resource_id": RES,
        "industry": "machinery",
        "scenarios": ["quality", "production_control"],
        "region": "湖北省",
        "tiers": [{"min_participants": 3, "unit_price": 120000},
                  {"min_participants": 5, "unit_price": 100000},
                  {"min_participants": 10, "unit_price": 80000}],
        "min_participants": 3,
        "max_participants": 20,
        "deadline": when(3600),
    }
    for k, v in over.items():
        if v is None:
            b.pop(k, None)
        else:
            b[k] = v
    return b


def create(key=None, **over):
    r = request("POST", "/v1/campaigns", body(**over), key=key or CEN)
    assert_status(r, 201)
    lib.check_schema(r.json, "campaign")
    return r.json


def move(cid, to, key=None, reason=None, status=200):
    if to == "open":
        confirm(cid)
    b = {"to": to}
    if reason is not None:
        b["reason"] = reason
    r = request("POST", "/v1/campaigns/%s/transition" % cid, b, key=key or CEN)
    assert_status(r, status)
    if status == 200:
        lib.check_schema(r.json, "campaign")
        eq(r.json["status"], to, "status after transition")
    return r.json


def opened(**over):
    c = create(**over)
    return move(c["id"], "open")


def join(cid, key, need_id=None, status=201):
    r = request("POST", "/v1/campaigns/%s/join" % cid,
                {"need_id": need_id} if need_id else None, key=key)
    assert_status(r, status)
    if status == 201:
        lib.check_schema(r.json, "campaign")
    return r


def get(cid, key=None):
    r = request("GET", "/v1/campaigns/" + cid, key=key or CEN)
    assert_status(r, 200)
    lib.check_schema(r.json, "campaign")
    return r.json


def need(key, **over):
    b = {"title": "产线质检数字化改造", "industry": "machinery", "scenarios": ["quality"],
         "region": "湖北省", "budget": {"max": 150000}, "current_level": 1, "target_level": 2}
    b.update(over)
    r = request("POST", "/v1/needs", b, key=key)
    assert_status(r, 201)
    return r.json


def need_status(nid, key):
    r = request("GET", "/v1/needs/" + nid, key=key)
    assert_status(r, 200)
    return r.json["status"]


def patch_part(cid, org, change, key=None, status=200):
    r = request("PATCH", "/v1/campaigns/%s/participants/%s" % (cid, org), change, key=key or CEN)
    assert_status(r, status)
    return r.json


# answers and scene steps that verify as each level (projlib)
LEVEL = {1: (projlib.ANSWERS, projlib.scenes(1)), 2: (projlib.STRONG, projlib.scenes(2)),
         3: (projlib.STRONG, projlib.scenes(3))}


def assess(org, level):
    """A verified assessment of org at `level` (by CEN, onsite)."""
    aid, got = projlib.verified(CEN, org, answers=LEVEL[level][0], scene_steps=LEVEL[level][1])
    eq(got, level, "verified level")
    return aid


def project_of(cid, org):
    for p in get(cid)["participants"]["list"]:
        if p["org"]["id"] == org:
            return p.get("project", {}).get("id")
    return None


def accept_project(cid, k, org, after, key=None):
    """Drives org's project in campaign cid to accepted: the provider
    implements and delivers, both sign, a verified assessment at `after`."""
    pid = project_of(cid, org)
    assert pid, "participant %s has no project" % org
    prov = RES_KEY.get(get(cid)["resource_id"], P)
    projlib.move(pid, "implementing", prov)
    projlib.move(pid, "delivered", prov)
    projlib.signoff(pid, k)
    projlib.signoff(pid, CEN)
    assess(org, after)
    return projlib.move(pid, "accepted", key or CEN).json


def check_def(obj, name):
    """Validates obj against $defs/<name> of schemas/campaign.schema.json."""
    try:
        import jsonschema
    except ImportError:
        return
    store = lib._schema_store()
    root = store[SCHEMA_ID]
    cls = jsonschema.validators.validator_for(root)
    v = cls({"$ref": SCHEMA_ID + "#/$defs/" + name},
            resolver=jsonschema.RefResolver(SCHEMA_ID, root, store=store))
    errs = sorted(v.iter_errors(obj), key=lambda e: list(e.path))
    if errs:
        raise AssertionError("does not match campaign.schema.json#/$defs/%s at %s: %s" % (
            name, "/".join(map(str, errs[0].path)) or "(root)", errs[0].message))


def in_state(state, participants=1):
    """A campaign of CEN in `state`, with `participants` joined while it
    was open (when it passed through `open`); returns its id."""
    c = create(min_participants=1)
    for to in PATHS[state]:
        move(c["id"], to)
        if to == "open":
            for _ in range(participants):
                join(c["id"], ent()[0])
    return c["id"]


# ------------------------------------------------------------ create


def test_create_draft():
    r = request("POST", "/v1/campaigns", body(), key=CEN)
    assert_status(r, 201)
    j = r.json
    lib.check_schema(j, "campaign")
    assert j["id"].startswith("camp_"), j
    eq(j["status"], "draft")
    eq(j["center"], {"id": CEN_ORG, "name": "湖北省制造业数字化转型促进中心"}, "center")
    eq(j["participants"], {"count": 0, "list": []}, "participants")
    eq(j["current_unit_price"], 120000, "price before the first tier is the first tier's")
    eq(j["next_tier"], {"min_participants": 3, "unit_price": 120000}, "next tier")
    eq(j["version"], 1)
    eq(r.headers.get("ETag"), '"1"', "ETag")
    eq(r.headers.get("Location"), "/v1/campaigns/" + j["id"], "Location")
    eq([(v["from"], v["to"]) for v in j["revisions"]], [(None, "draft")], "revisions")
    eq(j["revisions"][0]["by"]["id"], CEN_ORG, "revision by")
    for k, v in body().items():
        if k != "deadline":
            eq(j[k], v, k)
    eq(j["resource"]["id"], RES)
    eq(j["resource"]["provider"]["name"], "华中智造科技")
    eq(get(j["id"]), j, "GET equals the create answer")


def test_create_accepts_date_deadline_and_no_max():
    j = create(deadline=time.strftime("%Y-%m-%d", time.gmtime(time.time() + 86400 * 30)),
               max_participants=None, region=None)
    assert "max_participants" not in j and "region" not in j, j
    # today's date is still in the future: the deadline is the end of the day
    create(deadline=time.strftime("%Y-%m-%d", time.gmtime()))


INVALID = [
    ("missing_title", {"title": None}, "title"),
    ("missing_resource_id", {"resource_id": None}, "resource_id"),
    ("missing_industry", {"industry": None}, "industry"),
    ("missing_scenarios", {"scenarios": None}, "scenarios"),
    ("missing_tiers", {"tiers": None}, "tiers"),
    ("missing_min", {"min_participants": None}, "min_participants"),
    ("missing_deadline", {"deadline": None}, "deadline"),
    ("title_empty", {"title": ""}, "title"),
    ("title_121", {"title": "集" * 121}, "title"),
    ("industry_unknown", {"industry": "spaceships"}, "industry"),
    ("scenarios_empty", {"scenarios": []}, "scenarios"),
    ("scenarios_unknown", {"scenarios": ["quality", "magic"]}, "scenarios[1]"),
    ("region_unknown", {"region": "火星"}, "region"),
    ("tiers_empty", {"tiers": []}, "tiers"),
    ("tiers_not_array", {"tiers": {"min_participants": 1, "unit_price": 1}}, "tiers"),
    ("tier_missing_price", {"tiers": [{"min_participants": 3}]}, "tiers[0].unit_price"),
    ("tier_negative_price", {"tiers": [{"min_participants": 3, "unit_price": -1}]},
     "tiers[0].unit_price"),
    ("tier_zero_participants", {"tiers": [{"min_participants": 0, "unit_price": 1}]},
     "tiers[0].min_participants"),
    ("tier_fraction", {"tiers": [{"min_participants": 2.5, "unit_price": 1}]},
     "tiers[0].min_participants"),
    ("tiers_not_ascending", {"tiers": [{"min_participants": 5, "unit_price": 100},
                                       {"min_participants": 5, "unit_price": 90}]},
     "tiers[1].min_participants"),
    ("tiers_descending", {"tiers": [{"min_participants": 5, "unit_price": 100},
                                    {"min_participants": 3, "unit_price": 90}]},
     "tiers[1].min_participants"),
    ("tiers_price_rises", {"tiers": [{"min_participants": 3, "unit_price": 100},
                                     {"min_participants": 5, "unit_price": 100},
                                     {"min_participants": 8, "unit_price": 101}]},
     "tiers[2].unit_price"),
    ("tier_above_max", {"max_participants": 8}, "tiers[2].min_participants"),
    ("min_zero", {"min_participants": 0}, "min_participants"),
    ("min_string", {"min_participants": "3"}, "min_participants"),
    ("max_below_min", {"min_participants": 5, "max_participants": 4,
                       "tiers": [{"min_participants": 1, "unit_price": 1}]}, "max_participants"),
    ("deadline_past", {"deadline": when(-60)}, "deadline"),
    ("deadline_yesterday", {"deadline": time.strftime("%Y-%m-%d",
                                                      time.gmtime(time.time() - 86400))},
     "deadline"),
    ("deadline_garbage", {"deadline": "next friday"}, "deadline"),
    ("deadline_bad_date", {"deadline": "2031-02-30"}, "deadline"),
    ("resource_unknown", {"resource_id": "res_nosuchthing"}, "resource_id"),
    ("status_not_settable", {"status": "open"}, "status"),
    ("unknown_field", {"foo": 1}, "foo"),
]


def _invalid(change, field):
    def t():
        b = body()
        for k, v in change.items():
            if v is None:
                b.pop(k, None)
            else:
                b[k] = v
        assert_error(request("POST", "/v1/campaigns", b, key=CEN), 422, "invalid_field", field)
    return t


for _name, _change, _field in INVALID:
    globals()["test_create_invalid_" + _name] = _invalid(_change, _field)
del _name, _change, _field


def test_create_withdrawn_resource_422():
    rid = new_resource(title="即将下架的方案")
    assert_status(request("DELETE", "/v1/resources/" + rid, key=P), 200)
    assert_error(request("POST", "/v1/campaigns", body(resource_id=rid), key=CEN),
                 422, "invalid_field", "resource_id")


def test_create_roles():
    for k, who in ((P, "provider"), (ent()[0], "enterprise"), (ADM, "admin")):
        r = request("POST", "/v1/campaigns", body(), key=k)
        assert r.status == 403 and r.code == "forbidden", "%s: %r" % (who, r)
    assert_error(request("POST", "/v1/campaigns", body()), 401, "unauthorized")
    assert_error(request("POST", "/v1/campaigns", body(), key="sk_nonsense"), 401,
                 "unauthorized")


def test_reads_need_a_key():
    c = opened()
    for path in ("/v1/campaigns", "/v1/campaigns/" + c["id"], "/v1/demand/clusters"):
        assert_error(request("GET", path), 401, "unauthorized")
    for path in ("/join", "/leave"):
        assert_error(request("POST", "/v1/campaigns/%s%s" % (c["id"], path)), 401,
                     "unauthorized")
    assert_error(request("POST", "/v1/campaigns/%s/transition" % c["id"], {"to": "failed"}),
                 401, "unauthorized")


# ------------------------------------------------------------ the whole life


def test_lifecycle():
    c = create(title="湖北机械质检批量改造", min_participants=4, max_participants=10)
    cid = c["id"]
    move(cid, "open", reason="需求已汇集")
    ents = [ent("改造企业") for _ in range(6)]
    needs = {}
    price_seen = []
    for i, (k, org) in enumerate(ents):
        nid = None
        if i < 3:
            nid = need(k, current_level=1 + (i % 2))["id"]
            needs[org] = nid
        j = join(cid, k, nid).json
        eq(j["participants"]["count"], i + 1, "count after join %d" % (i + 1))
        eq([p["org"]["id"] for p in j["participants"]["list"]], [org],
           "an enterprise sees only its own entry")
        price_seen.append(j["current_unit_price"])
        if nid:
            eq(need_status(nid, k), "in_campaign", "linked need")
            eq(j["participants"]["list"][0]["need_id"], nid)
            assert "level_before" not in j["participants"]["list"][0], \
                "no level is recorded for a participant not accepted (issue 19)"
    eq(price_seen, [120000, 120000, 120000, 120000, 100000, 100000], "tier prices")

    # one with a need leaves: the need is open again
    leaver_key, leaver = ents[0]
    r = request("POST", "/v1/campaigns/%s/leave" % cid, key=leaver_key)
    assert_status(r, 200)
    eq(r.json["participants"]["count"], 5)
    eq(r.json["participants"]["list"][0]["status"], "withdrawn")
    eq(need_status(needs[leaver], leaver_key), "open", "need after leaving")
    eq(get(cid)["current_unit_price"], 100000, "five still in: second tier")

    move(cid, "succeeded", reason="报名人数已达标")
    active = ents[1:]
    plan = [(1, 3), (2, 3), (1, 2), (2, 2), (1, 1)]
    # the levels before come from verified assessments made before contracting
    for (k, org), (before, _) in zip(active, plan):
        assess(org, before)
    j = move(cid, "contracted")
    # contracting makes one project per participant; each is contracted
    for p in j["participants"]["list"]:
        if p["status"] != "withdrawn":
            eq(p["status"], "contracted", "participant after contracting")
            eq(p["project"]["status"], "contracted", "its project")
    move(cid, "implementing")
    # progress and levels by hand are refused now (the contract's amendment)
    k0, o0 = active[0]
    patch_part(cid, o0, {"status": "implementing"}, status=409)
    assert_error(request("PATCH", "/v1/campaigns/%s/participants/%s" % (cid, o0),
                         {"status": "implementing", "level_before": 1}, key=CEN),
                 422, "invalid_field", "level_before")
    # each upgrade follows its project; the provider of the resource delivers it
    for n, ((k, org), (before, after)) in enumerate(zip(active[:4], plan)):
        pj = accept_project(cid, k, org, after, key=CEN if n % 2 else k)
        eq((pj["level_before"], pj["level_after"]), (before, after), "project levels")
        lib.check_schema(get(cid), "campaign")
    last_key, last = active[4]
    lp = project_of(cid, last)
    projlib.move(lp, "implementing", P)
    patch_part(cid, last, {"status": "withdrawn"}, status=409)   # it has a project
    projlib.move(lp, "cancelled", CEN, reason="企业停产")
    patch_part(cid, last, {"status": "implementing"}, status=409)
    j = get(cid)
    eq(j["outcome"]["by_status"], {"joined": 0, "contracted": 0, "implementing": 0,
                                   "accepted": 4, "withdrawn": 2}, "by_status")
    # uplifts 2, 1, 1, 0 -> 1.0; level_after >= 2: 3, 3, 2, 2 (accepted projects)
    eq(j["outcome"]["avg_level_uplift"], 1.0, "avg uplift")
    eq(j["outcome"]["reached_level_2"], 4, "reached level 2")
    eq(j["outcome"]["projects_accepted"], 4, "accepted projects")
    levels = {p["org"]["id"]: (p.get("level_before"), p.get("level_after"))
              for p in j["participants"]["list"]}
    for (k, org), (before, after) in zip(active[:4], plan):
        eq(levels[org], (before, after), "levels of a participant, from its project")
    eq(levels[last], (None, None), "no levels for a participant never accepted")
    move(cid, "completed", reason="验收完成")
    j = get(cid)
    eq(j["status"], "completed")
    eq(j["participants"]["count"], 4)
    # every change is in the revisions, in order
    camp_revs = [(v["from"], v["to"]) for v in j["revisions"] if "org_id" not in v]
    eq(camp_revs, [(None, "draft"), ("draft", "open"), ("open", "succeeded"),
                   ("succeeded", "contracted"), ("contracted", "implementing"),
                   ("implementing", "completed")], "campaign revisions")
    eq([v["reason"] for v in j["revisions"] if "org_id" not in v][1], "需求已汇集", "reason")
    by_org = {}
    for v in j["revisions"]:
        if "org_id" in v:
            by_org.setdefault(v["org_id"], []).append((v["from"], v["to"]))
    eq(by_org[leaver], [(None, "joined"), ("joined", "withdrawn")], "leaver's revisions")
    for n, (k, org) in enumerate(active[:4]):
        eq([t for t in by_org[org] if t[0] != t[1]],
           [(None, "joined"), ("joined", "contracted"), ("contracted", "implementing"),
            ("implementing", "accepted")], "revisions of participant %d" % n)
    eq(by_org[last][-1], ("implementing", "withdrawn"), "last one withdrawn")
    # an enterprise sees its own progress and no one else's
    k1, o1 = active[0]
    mine = get(cid, key=k1)
    eq([p["org"]["id"] for p in mine["participants"]["list"]], [o1])
    assert {v.get("org_id") for v in mine["revisions"]} <= {None, o1}, mine["revisions"]
    eq(mine["participants"]["count"], 4)
    # linked needs: accepted ones are closed by completion
    for (k, org) in active[:2]:
        eq(need_status(needs[org], k), "closed", "need of an accepted participant")
    # nothing moves after completion
    for to in STATUSES:
        move(cid, to, status=409)
    patch_part(cid, o1, {"status": "withdrawn"}, status=409)
    # levels are never corrected by hand, even after completion
    assert_error(request("PATCH", "/v1/campaigns/%s/participants/%s" % (cid, o1),
                         {"level_after": 4}, key=CEN), 422, "invalid_field", "level_after")
    eq(get(cid)["outcome"]["avg_level_uplift"], 1.0, "unchanged")


def reason_key(n):
    return P if n % 2 else CEN


def test_revisions_only_grow():
    """Through the API: every step of a campaign's life appends to
    `revisions` and leaves every earlier entry exactly as it was."""
    c = create(title="修订记录只增不改", min_participants=2, max_participants=10)
    cid = c["id"]
    seen = [c["revisions"]]
    ents = [ent("修订企业") for _ in range(3)]
    k0, o0 = ents[0]
    assess(o0, 1)

    def proj(n):
        return project_of(cid, ents[n][1])

    def accept0():
        pid = proj(0)
        projlib.move(pid, "delivered", P)
        projlib.signoff(pid, k0)
        projlib.signoff(pid, CEN)
        assess(o0, 2)
        projlib.move(pid, "accepted", CEN)

    steps = [
        ("open", lambda: move(cid, "open", reason="开放报名")),
        ("join 0", lambda: join(cid, k0, need(k0)["id"])),
        ("join 1", lambda: join(cid, ents[1][0])),
        ("join 2", lambda: join(cid, ents[2][0])),
        ("leave 2", lambda: assert_status(
            request("POST", "/v1/campaigns/%s/leave" % cid, key=ents[2][0]), 200)),
        ("succeeded", lambda: move(cid, "succeeded", reason="人数达标")),
        ("contracted", lambda: move(cid, "contracted")),
        ("implementing", lambda: move(cid, "implementing")),
        ("participant implementing", lambda: projlib.move(proj(0), "implementing", P)),
        ("participant accepted", accept0),
        ("participant 1 withdrawn",
         lambda: projlib.move(proj(1), "cancelled", CEN, reason="企业退出")),
        ("completed", lambda: move(cid, "completed", reason="验收完成")),
    ]
    for what, step in steps:
        step()
        cur = get(cid)["revisions"]
        prev = seen[-1]
        assert len(cur) > len(prev), "%s added no revision: %d -> %d" % (what, len(prev), len(cur))
        eq(cur[:len(prev)], prev, "earlier revisions after %s" % what)
        seen.append(cur)
    eq(seen[-1][-1]["to"], "completed", "the last revision")
    # a refused move and a refused level by hand rewrite nothing
    move(cid, "open", status=409)
    assert_error(request("PATCH", "/v1/campaigns/%s/participants/%s" % (cid, o0),
                         {"level_after": 3}, key=CEN), 422, "invalid_field", "level_after")
    cur = get(cid)["revisions"]
    eq(cur, seen[-1], "revisions after a 409 and a 422")


def test_revisions_table_refuses_update_and_delete():
    """In the database itself: the revisions table's triggers refuse any
    UPDATE or DELETE, so no code path (or hand-run SQL) can rewrite a
    campaign's history."""
    import sqlite3
    c = in_state("completed", participants=2)
    want = get(c)["revisions"]
    db = sqlite3.connect(S.db, timeout=30, isolation_level=None)
    try:
        q = "SELECT * FROM revisions WHERE campaign_id = ? ORDER BY id"
        rows = db.execute(q, (c,)).fetchall()
        eq(len(rows), len(want), "rows in the revisions table vs revisions in the API")
        total = db.execute("SELECT count(*) FROM revisions").fetchone()[0]
        first, last = rows[0][0], rows[-1][0]
        for sql, args in (
                ("UPDATE revisions SET reason = '篡改' WHERE campaign_id = ?", (c,)),
                ("UPDATE revisions SET to_status = 'cancelled' WHERE id = ?", (last,)),
                ("UPDATE revisions SET at = at WHERE id = ?", (first,)),
                ("DELETE FROM revisions WHERE id = ?", (last,)),
                ("DELETE FROM revisions WHERE campaign_id = ?", (c,)),
                ("DELETE FROM revisions", ()),
                # REPLACE deletes the old row without firing delete triggers
                ("INSERT OR REPLACE INTO revisions(id, campaign_id, at, by_role, to_status)"
                 " VALUES (?, ?, 'x', 'center', 'cancelled')", (first, c)),
                ("REPLACE INTO revisions(id, campaign_id, at, by_role, to_status)"
                 " VALUES (?, ?, 'x', 'center', 'cancelled')", (last, c))):
            try:
                db.execute(sql, args)
            except sqlite3.DatabaseError as e:
                assert "revisions are append-only" in str(e), "%s: %s" % (sql, e)
            else:
                raise AssertionError("%s succeeded on the revisions table" % sql)
        eq(db.execute(q, (c,)).fetchall(), rows, "revision rows after the refused writes")
        eq(db.execute("SELECT count(*) FROM revisions").fetchone()[0], total,
           "rows in the whole table")
    finally:
        db.close()
    eq(get(c)["revisions"], want, "revisions through the API")


def test_provider_and_center_see_everyone_others_only_the_count():
    c = opened()
    a, b = ent(), ent()
    join(c["id"], a[0])
    join(c["id"], b[0])
    for k in (CEN, P, ADM):
        j = get(c["id"], key=k)
        eq(sorted(p["org"]["id"] for p in j["participants"]["list"]), sorted([a[1], b[1]]))
        assert any("org_id" in v for v in j["revisions"]), j["revisions"]
    for k in (CEN2, P2):
        j = get(c["id"], key=k)
        eq(j["participants"]["count"], 2)
        assert "list" not in j["participants"], j["participants"]
        assert all("org_id" not in v for v in j["revisions"]), j["revisions"]
    outsider = ent()[0]
    j = get(c["id"], key=outsider)
    eq(j["participants"], {"count": 2, "list": []}, "an enterprise that did not join")


def test_drafts_hidden_from_enterprises_and_other_providers():
    c = create()
    k = ent()[0]
    assert_error(request("GET", "/v1/campaigns/" + c["id"], key=k), 404, "not_found")
    assert_error(request("GET", "/v1/campaigns/" + c["id"], key=P2), 404, "not_found")
    assert_error(request("POST", "/v1/campaigns/%s/join" % c["id"], key=k), 404, "not_found")
    get(c["id"], key=P)       # the resource's provider
    get(c["id"], key=CEN2)    # centers read everything
    ids = [x["id"] for x in request("GET", "/v1/campaigns?status=draft&limit=100",
                                    key=k).json["items"]]
    assert c["id"] not in ids, "a draft listed for an enterprise"
    ids = [x["id"] for x in request("GET", "/v1/campaigns?status=draft&limit=100",
                                    key=CEN2).json["items"]]
    assert c["id"] in ids, "a draft not listed for a center"


def test_list_filters_and_pages():
    rid = new_resource(title="纺织印染能耗管理")
    mine = []
    for i in range(3):
        c = opened(resource_id=rid, industry="textile", scenarios=["energy"], region="浙江省",
                   title="纺织能耗集采 %d" % i)
        mine.append(c["id"])
    other = opened(resource_id=rid, industry="textile", scenarios=["energy"], region="江苏省")
    k = ent()[0]
    flt = "/v1/campaigns?industry=textile&region=%s&status=open&limit=2" % quote("浙江省")
    r = request("GET", flt, key=k)
    assert_status(r, 200)
    check_def(r.json, "campaign_list")
    first = [x["id"] for x in r.json["items"]]
    eq(len(first), 2)
    assert r.json["next_cursor"], r.json
    r2 = request("GET", flt + "&cursor=" + r.json["next_cursor"], key=k)
    rest = [x["id"] for x in r2.json["items"]]
    eq(sorted(first + rest), sorted(mine), "pages cover the filtered campaigns")
    eq(r2.json["next_cursor"], None)
    eq(first, [mine[2], mine[1]], "newest first")
    r = request("GET", "/v1/campaigns?industry=textile&status=open&scenario=energy&limit=100",
                key=P2)
    assert other["id"] in [x["id"] for x in r.json["items"]], r.json
    r = request("GET", "/v1/campaigns?industry=textile&status=cancelled", key=k)
    eq(r.json["items"], [], "status filter")
    for q in ("status=closed", "industry=spaceships", "region=" + quote("火星"), "limit=0",
              "limit=101", "cursor=zz"):
        r = request("GET", "/v1/campaigns?" + q, key=k)
        assert_error(r, 400, "bad_param")


# ------------------------------------------------------------ transitions


def test_every_illegal_transition_409():
    for state in STATUSES:
        cid = in_state(state)
        eq(get(cid)["status"], state, "setup")
        for to in STATUSES:
            if (state, to) in MOVES:
                continue
            r = request("POST", "/v1/campaigns/%s/transition" % cid, {"to": to}, key=CEN)
            assert r.status == 409 and r.code == "conflict", "%s -> %s: %r" % (state, to, r)
        eq(get(cid)["status"], state, "state unchanged after refused transitions")


def test_every_legal_transition():
    for (state, to) in sorted(MOVES):
        cid = in_state(state)
        move(cid, to)


def test_succeeded_needs_min_participants():
    c = opened(min_participants=2, tiers=[{"min_participants": 1, "unit_price": 10}])
    move(c["id"], "succeeded", status=409)
    join(c["id"], ent()[0])
    move(c["id"], "succeeded", status=409)
    join(c["id"], ent()[0])
    move(c["id"], "succeeded")


def test_transition_body_checked():
    c = create()
    for b, field in (({"to": "flying"}, "to"), ({}, "to"), ({"to": 3}, "to"),
                     ({"to": "open", "reason": "x" * 501}, "reason"),
                     ({"to": "open", "why": "x"}, "why")):
        assert_error(request("POST", "/v1/campaigns/%s/transition" % c["id"], b, key=CEN),
                     422, "invalid_field", field)
    assert_error(request("POST", "/v1/campaigns/camp_nosuch/transition", {"to": "open"},
                         key=CEN), 404, "not_found")


def test_transition_roles():
    c = create()
    for k, who in ((CEN2, "another center"), (P, "provider"), (ent()[0], "enterprise"),
                   (ADM, "admin")):
        r = request("POST", "/v1/campaigns/%s/transition" % c["id"], {"to": "open"}, key=k)
        assert r.status == 403 and r.code == "forbidden", "%s: %r" % (who, r)
    eq(get(c["id"])["status"], "draft")


def test_transition_if_match():
    # issue 21: the provider's price confirmation comes first and is a
    # change of the campaign (version 1 -> 2)
    c = create()
    confirm(c["id"])
    r = request("POST", "/v1/campaigns/%s/transition" % c["id"], {"to": "open"}, key=CEN,
                headers={"If-Match": '"7"'})
    assert_error(r, 409, "conflict")
    r = request("POST", "/v1/campaigns/%s/transition" % c["id"], {"to": "open"}, key=CEN,
                headers={"If-Match": '"2"'})
    assert_status(r, 200)
    eq(r.headers.get("ETag"), '"3"')


def test_cancel_releases_needs():
    c = opened()
    k, _ = ent()
    n = need(k)["id"]
    join(c["id"], k, n)
    eq(need_status(n, k), "in_campaign")
    # the need cannot be closed while it is in a campaign
    r = request("PATCH", "/v1/needs/" + n, {"status": "closed"}, key=k)
    assert_error(r, 409, "conflict")
    move(c["id"], "cancelled", reason="供应商调整报价")
    eq(need_status(n, k), "open", "need after cancellation")
    join(c["id"], k, status=409)


def test_failed_releases_needs():
    c = opened()
    k, _ = ent()
    n = need(k)["id"]
    join(c["id"], k, n)
    move(c["id"], "failed")
    eq(need_status(n, k), "open")


# ------------------------------------------------------------ joining


def test_join_race_never_overfills():
    c = opened(min_participants=1, max_participants=5,
               tiers=[{"min_participants": 1, "unit_price": 1000}])
    keys = [ent("抢位企业")[0] for _ in range(20)]
    results = [None] * 20
    barrier = threading.Barrier(20)

    def go(i):
        barrier.wait()
        results[i] = request("POST", "/v1/campaigns/%s/join" % c["id"], key=keys[i])

    threads = [threading.Thread(target=go, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status for r in results)
    eq(codes.count(201), 5, "joins that succeeded (%r)" % codes)
    eq(codes.count(409), 15, "joins refused (%r)" % codes)
    for r in results:
        if r.status == 409:
            eq(r.code, "conflict")
    j = get(c["id"])
    eq(j["participants"]["count"], 5, "count")
    eq(len(j["participants"]["list"]), 5, "list")
    eq(sum(1 for v in j["revisions"] if v.get("to") == "joined"), 5, "join revisions")
    # leaving frees a place, and only one
    winner = next(keys[i] for i in range(20) if results[i].status == 201)
    loser = next(keys[i] for i in range(20) if results[i].status == 409)
    assert_status(request("POST", "/v1/campaigns/%s/leave" % c["id"], key=winner), 200)
    join(c["id"], loser)
    join(c["id"], ent()[0], status=409)


def test_join_twice_409():
    c = opened()
    k, _ = ent()
    join(c["id"], k)
    r = join(c["id"], k, status=409)
    eq(r.code, "conflict")
    eq(get(c["id"])["participants"]["count"], 1)


def test_join_full_409():
    c = opened(min_participants=1, max_participants=2,
               tiers=[{"min_participants": 1, "unit_price": 5}])
    join(c["id"], ent()[0])
    join(c["id"], ent()[0])
    r = join(c["id"], ent()[0], status=409)
    assert "full" in r.json["error"]["message"], r


def test_join_closed_409():
    for state in ("succeeded", "failed", "cancelled", "contracted", "completed"):
        cid = in_state(state)
        join(cid, ent()[0], status=409)
        k = ent()[0]
        assert_error(request("POST", "/v1/campaigns/%s/leave" % cid, key=k), 409, "conflict")


def test_join_roles_and_unknown():
    c = opened()
    for k in (P, CEN, ADM):
        assert_error(request("POST", "/v1/campaigns/%s/join" % c["id"], key=k), 403,
                     "forbidden")
    assert_error(request("POST", "/v1/campaigns/camp_nosuch/join", key=ent()[0]), 404,
                 "not_found")


def test_join_need_rules():
    c = opened()
    k, _ = ent()
    other_k, _ = ent()
    theirs = need(other_k)["id"]
    r = request("POST", "/v1/campaigns/%s/join" % c["id"], {"need_id": theirs}, key=k)
    assert_error(r, 422, "invalid_field", "need_id")
    r = request("POST", "/v1/campaigns/%s/join" % c["id"], {"need_id": "need_nosuch"}, key=k)
    assert_error(r, 422, "invalid_field", "need_id")
    closed = need(k)["id"]
    assert_status(request("PATCH", "/v1/needs/" + closed, {"status": "closed"}, key=k), 200)
    r = request("POST", "/v1/campaigns/%s/join" % c["id"], {"need_id": closed}, key=k)
    assert_error(r, 409, "conflict")
    r = request("POST", "/v1/campaigns/%s/join" % c["id"], {"need": "x"}, key=k)
    assert_error(r, 422, "invalid_field", "need")
    # a need already in a campaign cannot join a second one
    n = need(k)["id"]
    join(c["id"], k, n)
    c2 = opened()
    r = request("POST", "/v1/campaigns/%s/join" % c2["id"], {"need_id": n}, key=k)
    assert_error(r, 409, "conflict")
    eq(get(c2["id"])["participants"]["count"], 0, "nothing stored by a refused join")


def test_leave_and_rejoin():
    c = opened()
    k, org = ent()
    assert_error(request("POST", "/v1/campaigns/%s/leave" % c["id"], key=k), 409, "conflict")
    n = need(k)["id"]
    join(c["id"], k, n)
    r = request("POST", "/v1/campaigns/%s/leave" % c["id"], {"reason": "预算调整"}, key=k)
    assert_status(r, 200)
    eq(need_status(n, k), "open")
    assert_error(request("POST", "/v1/campaigns/%s/leave" % c["id"], key=k), 409, "conflict")
    j = join(c["id"], k, n).json
    eq(j["participants"]["list"][0]["status"], "joined")
    eq(j["participants"]["count"], 1)
    eq(need_status(n, k), "in_campaign")
    mine = [(v["from"], v["to"], v["reason"]) for v in j["revisions"] if v.get("org_id") == org]
    eq([m[:2] for m in mine], [(None, "joined"), ("joined", "withdrawn"),
                               ("withdrawn", "joined")], "participant revisions")
    eq(mine[1][2], "预算调整")


# ------------------------------------------------------------ participants


def test_participant_progress_rules():
    """A participant's progress follows its project (issue 19): by hand a
    center or the provider only withdraws one still `joined`."""
    c = opened(min_participants=1)
    k, org = ent()
    join(c["id"], k)
    # no progress by hand, whatever the campaign's state
    patch_part(c["id"], org, {"status": "contracted"}, status=409)
    move(c["id"], "succeeded")
    for to in ("accepted", "implementing", "contracted"):
        patch_part(c["id"], org, {"status": to}, status=409)
    patch_part(c["id"], org, {"status": "joined"})      # unchanged: fine
    j = move(c["id"], "contracted")
    eq(j["participants"]["list"][0]["status"], "contracted", "contracting makes the project")
    pid = j["participants"]["list"][0]["project"]["id"]
    for to in ("implementing", "accepted", "joined"):
        patch_part(c["id"], org, {"status": to}, status=409)
    patch_part(c["id"], org, {"status": "withdrawn"}, status=409)   # cancel its project instead
    projlib.move(pid, "implementing", P)
    eq(get(c["id"])["participants"]["list"][0]["status"], "implementing", "follows the project")
    for change, field in (({"status": "done"}, "status"), ({"level_before": 0}, "level_before"),
                          ({"level_before": 1}, "level_before"), ({"level_after": 2}, "level_after"),
                          ({"level_after": 5}, "level_after"), ({"level_after": 2.5}, "level_after"),
                          ({"status": "accepted", "level_after": 3}, "level_after"),
                          ({}, "status"), ({"status": "accepted", "x": 1}, "x")):
        r = request("PATCH", "/v1/campaigns/%s/participants/%s" % (c["id"], org), change, key=CEN)
        assert_error(r, 422, "invalid_field", field)
    r = request("PATCH", "/v1/campaigns/%s/participants/org_nosuch" % c["id"],
                {"status": "withdrawn"}, key=CEN)
    assert_error(r, 404, "not_found")


def test_participant_patch_roles():
    c = opened(min_participants=1)
    k, org = ent()
    join(c["id"], k)
    path = "/v1/campaigns/%s/participants/%s" % (c["id"], org)
    change = {"status": "withdrawn"}
    for key, who in ((CEN2, "another center"), (P2, "another provider")):
        r = request("PATCH", path, change, key=key)
        assert r.status == 403 and r.code == "forbidden", "%s: %r" % (who, r)
    for key in (k, ADM):
        assert_error(request("PATCH", path, change, key=key), 403, "forbidden")
    assert_error(request("PATCH", path, change), 401, "unauthorized")
    # levels are refused for everyone, the campaign's own center included
    for key in (CEN, P):
        assert_error(request("PATCH", path, {"level_before": 1}, key=key), 422, "invalid_field",
                     "level_before")
    # the provider withdraws a participant while open: the place is free again
    j = patch_part(c["id"], org, {"status": "withdrawn", "reason": "企业主动退出"}, key=P)
    eq(j["participants"]["count"], 0)


# ------------------------------------------------------------ deadlines


def wait_status(cid, want, seconds=10):
    deadline = time.time() + seconds
    while time.time() < deadline:
        j = get(cid)
        if j["status"] in want:
            return j
        time.sleep(0.2)
    raise AssertionError("campaign %s still %s after %ds" % (cid, get(cid)["status"], seconds))


def test_deadline_closes_open_campaigns():
    k, _ = ent()
    n = need(k)["id"]
    k1, k2 = ent()[0], ent()[0]
    ok = opened(min_participants=2, deadline=when(3),
                tiers=[{"min_participants": 1, "unit_price": 9}])
    short = opened(min_participants=2, deadline=when(3),
                   tiers=[{"min_participants": 1, "unit_price": 9}])
    join(ok["id"], k1)
    join(ok["id"], k2)
    join(short["id"], k, n)
    j = wait_status(ok["id"], ("succeeded", "failed"))
    eq(j["status"], "succeeded", "two joined, two needed")
    last = j["revisions"][-1]
    eq((last["from"], last["to"], last["by"]), ("open", "succeeded", "system"), "revision")
    j = wait_status(short["id"], ("succeeded", "failed"))
    eq(j["status"], "failed", "one joined, two needed")
    eq(need_status(n, k), "open", "a failed campaign gives the need back")
    join(ok["id"], ent()[0], status=409)


def test_draft_past_deadline_stays_and_cannot_open():
    c = create(deadline=when(2))
    time.sleep(3.2)
    eq(get(c["id"])["status"], "draft", "drafts are not closed by the deadline")
    move(c["id"], "open", status=409)
    move(c["id"], "cancelled")


def test_restart_keeps_campaigns_and_closes_missed_deadlines():
    srv = lib.Server(redis="none", workers=2)
    try:
        cen = srv.key("center", "武汉市数促中心")
        prov = srv.key("provider", "重启测试供应商")
        rid = request("POST", "/v1/resources", resource(), key=prov, server=srv).json["id"]
        eks = [srv.key("enterprise", lib.uniq("重启企业")) for _ in range(5)]
        b = body(resource_id=rid, min_participants=2,
                 tiers=[{"min_participants": 1, "unit_price": 100}])
        long_c = request("POST", "/v1/campaigns", b, key=cen, server=srv).json["id"]
        b["deadline"] = when(3)
        due = time.time() + 3
        short_c = request("POST", "/v1/campaigns", b, key=cen, server=srv).json["id"]
        for i, cid in enumerate((long_c, short_c)):
            assert_status(request("POST", "/v1/campaigns/%s/confirm" % cid, key=prov,
                                  server=srv), 200)
            assert_status(request("POST", "/v1/campaigns/%s/transition" % cid, {"to": "open"},
                                  key=cen, server=srv), 200)
            for ek in eks[2 * i:2 * i + 2]:
                assert_status(request("POST", "/v1/campaigns/%s/join" % cid, key=ek,
                                      server=srv), 201)
        before = request("GET", "/v1/campaigns/" + long_c, key=cen, server=srv).json
        srv.stop()
        time.sleep(max(0.0, due - time.time()) + 1.5)   # the deadline passes while stopped
        srv.start()
        # the start-up catch-up ran before the first request was served
        assert "whose deadline passed while stopped" in srv.log_text(), lib.tail(srv.log)
        after = request("GET", "/v1/campaigns/" + long_c, key=cen, server=srv).json
        eq(after, before, "an open campaign survives a restart unchanged")
        s = request("GET", "/v1/campaigns/" + short_c, key=cen, server=srv).json
        eq(s["status"], "succeeded", "closed at start-up")
        eq(s["revisions"][-1]["by"], "system")
        eq(s["participants"]["count"], 2)
        assert_status(request("POST", "/v1/campaigns/%s/join" % long_c, key=eks[4],
                              server=srv), 201)
    finally:
        srv.close()


# ------------------------------------------------------------ reviews


def accepted_participant(rid):
    """A participant of a campaign on resource rid whose project (issue 19)
    was accepted."""
    c = opened(resource_id=rid, min_participants=1)
    k, org = ent("评价企业")
    join(c["id"], k)
    move(c["id"], "succeeded")
    move(c["id"], "contracted")
    accept_project(c["id"], k, org, 1)
    return c["id"], k, org


def test_reviews_only_from_participants():
    rid = new_resource(title="可评价的质检方案")
    cid, k, org = accepted_participant(rid)
    # a participant not yet accepted, and an outsider, may not review
    c2 = opened(resource_id=rid, min_participants=1)
    k2, _ = ent()
    join(c2["id"], k2)
    path = "/v1/resources/%s/reviews" % rid
    assert_error(request("POST", path, {"rating": 5, "campaign_id": c2["id"]}, key=k2),
                 403, "forbidden")
    assert_error(request("POST", path, {"rating": 5, "campaign_id": cid}, key=ent()[0]),
                 403, "forbidden")
    # the right enterprise, but a campaign on another resource
    other = new_resource(title="另一方案")
    assert_error(request("POST", "/v1/resources/%s/reviews" % other,
                         {"rating": 5, "campaign_id": cid}, key=k), 403, "forbidden")
    for key in (P, CEN):
        assert_error(request("POST", path, {"rating": 5, "campaign_id": cid}, key=key),
                     403, "forbidden")
    assert_error(request("POST", path, {"rating": 5, "campaign_id": cid}), 401, "unauthorized")
    r = request("POST", path, {"rating": 4, "text": "部署快，检出率高", "campaign_id": cid}, key=k)
    assert_status(r, 201)
    check_def(r.json, "review")
    eq((r.json["rating"], r.json["campaign_id"], r.json["enterprise"]["id"]), (4, cid, org))
    assert_error(request("POST", path, {"rating": 5, "campaign_id": cid}, key=k), 409, "conflict")
    res = request("GET", "/v1/resources/" + rid).json
    eq(res["rating"], {"average": 4, "count": 1}, "rating on the resource")
    c3, k3, _ = accepted_participant(rid)
    assert_status(request("POST", path, {"rating": 1, "campaign_id": c3}, key=k3), 201)
    eq(request("GET", "/v1/resources/" + rid).json["rating"], {"average": 2.5, "count": 2})
    # the public list hides who wrote what; the provider sees it
    r = request("GET", path)
    assert_status(r, 200)
    check_def(r.json, "review_list")
    eq([x["rating"] for x in r.json["items"]], [1, 4], "newest first")
    assert all("enterprise" not in x for x in r.json["items"]), r.json
    eq(r.json["rating"], {"average": 2.5, "count": 2})
    r = request("GET", path, key=P)
    assert all("enterprise" in x for x in r.json["items"]), r.json
    r = request("GET", path, key=k)
    eq([("enterprise" in x) for x in r.json["items"]], [False, True], "the reviewer sees its own")
    assert_error(request("GET", "/v1/resources/res_nosuch/reviews"), 404, "not_found")


def test_review_search_rating_sort_sees_reviews():
    rid = new_resource(title="评分排序测试方案 甲乙丙")
    cid, k, _ = accepted_participant(rid)
    assert_status(request("POST", "/v1/resources/%s/reviews" % rid,
                          {"rating": 5, "campaign_id": cid}, key=k), 201)
    r = request("GET", "/v1/search?q=%E7%94%B2%E4%B9%99%E4%B8%99&sort=rating")
    assert_status(r, 200)
    hit = [h for h in r.json["hits"] if h["id"] == rid]
    assert hit and hit[0]["rating"] == {"average": 5, "count": 1}, r.json["hits"][:3]


def test_review_through_an_accepted_response():
    rid = new_resource(title="设备预测性维护")
    k, org = ent()
    n = need(k, title="设备故障预测", scenarios=["equipment"])["id"]
    path = "/v1/resources/%s/reviews" % rid
    assert_error(request("POST", path, {"rating": 5, "need_id": n}, key=k), 403, "forbidden")
    resp = request("POST", "/v1/needs/%s/responses" % n, {"resource_id": rid, "quote": 1},
                   key=P)
    assert_status(resp, 201)
    assert_error(request("POST", path, {"rating": 5, "need_id": n}, key=k), 403, "forbidden")
    assert_status(request("POST", "/v1/needs/%s/responses/%s/accept" % (n, resp.json["id"]),
                          key=k), 200)
    # someone else cannot review through this need
    assert_error(request("POST", path, {"rating": 5, "need_id": n}, key=ent()[0]), 403,
                 "forbidden")
    r = request("POST", path, {"rating": 5, "need_id": n, "text": "效果好"}, key=k)
    assert_status(r, 201)
    check_def(r.json, "review")
    eq(r.json["need_id"], n)
    assert_error(request("POST", path, {"rating": 3, "need_id": n}, key=k), 409, "conflict")
    eq(request("GET", "/v1/resources/" + rid).json["rating"], {"average": 5, "count": 1})


def test_review_validation():
    rid = new_resource()
    k = ent()[0]
    path = "/v1/resources/%s/reviews" % rid
    for b, field in (({"rating": 0, "campaign_id": "camp_x"}, "rating"),
                     ({"rating": 6, "campaign_id": "camp_x"}, "rating"),
                     ({"rating": 4.5, "campaign_id": "camp_x"}, "rating"),
                     ({"rating": "5", "campaign_id": "camp_x"}, "rating"),
                     ({"campaign_id": "camp_x"}, "rating"),
                     ({"rating": 5}, "campaign_id"),
                     ({"rating": 5, "campaign_id": "camp_x", "need_id": "need_x"}, "campaign_id"),
                     ({"rating": 5, "campaign_id": "camp_x", "text": "字" * 2001}, "text"),
                     ({"rating": 5, "campaign_id": "camp_x", "stars": 5}, "stars")):
        assert_error(request("POST", path, b, key=k), 422, "invalid_field", field)
    assert_error(request("POST", "/v1/resources/res_nosuch/reviews",
                         {"rating": 5, "campaign_id": "camp_x"}, key=k), 404, "not_found")
    eq(request("GET", "/v1/resources/" + rid).json["rating"], {"average": 0, "count": 0})


# ------------------------------------------------------------ demand clusters


def test_clusters_group_open_needs():
    # shipbuilding in 辽宁省 is used by no other test
    rid = new_resource(title="船舶焊接质量在线检测", industries=["shipbuilding"],
                       scenarios=["quality"], regions=["辽宁省"])
    other = new_resource(title="通用协同办公", industries=["general"],
                         scenarios=["collaboration"], kind="product")
    ks = [ent("船厂")[0] for _ in range(4)]
    a = need(ks[0], title="船体焊缝质量检测", industry="shipbuilding", region="辽宁省", scenarios=["quality", "energy"],
             budget={"max": 100000}, current_level=1)["id"]
    b = need(ks[1], industry="shipbuilding", region="辽宁省", scenarios=["quality"],
             budget={"max": 300000}, current_level=2)["id"]
    c = need(ks[2], industry="shipbuilding", region="辽宁省", scenarios=["quality", "energy"],
             current_level=1)["id"]
    d = need(ks[3], industry="shipbuilding", region="江苏省", scenarios=["quality"])["id"]
    closed = need(ks[3], industry="shipbuilding", region="辽宁省", scenarios=["quality"])["id"]
    assert_status(request("PATCH", "/v1/needs/" + closed, {"status": "closed"}, key=ks[3]), 200)
    r = request("GET", "/v1/demand/clusters?industry=shipbuilding", key=CEN)
    assert_status(r, 200)
    check_def(r.json, "clusters")
    got = {(x["scenario"], x["region"]): x for x in r.json["clusters"]}
    eq(sorted(got), [("energy", "辽宁省"), ("quality", "辽宁省")], "clusters of size >= 2")
    q = got[("quality", "辽宁省")]
    eq(q["size"], 3)
    eq(sorted(q["need_ids"]), sorted([a, b, c]))
    eq(q["budget"]["min"], 100000)
    eq(q["budget"]["max"], 300000)
    eq(q["levels"], {"1": 2, "2": 1, "3": 0, "4": 0})
    eq(q["industry"], "shipbuilding")
    assert q["resources"] and q["resources"][0]["id"] == rid, q["resources"]
    assert other not in [x["id"] for x in q["resources"]], q["resources"]
    e = got[("energy", "辽宁省")]
    eq(sorted(e["need_ids"]), sorted([a, c]), "a need with two scenarios counts in each")
    eq([x["size"] for x in r.json["clusters"]], [3, 2], "largest first")
    r = request("GET", "/v1/demand/clusters?industry=shipbuilding&min_size=1", key=ADM)
    got = {(x["scenario"], x["region"]): x["size"] for x in r.json["clusters"]}
    eq(got, {("quality", "辽宁省"): 3, ("energy", "辽宁省"): 2, ("quality", "江苏省"): 1})
    r = request("GET", "/v1/demand/clusters?industry=shipbuilding&scenario=energy&min_size=1",
                key=CEN)
    eq([(x["scenario"], x["size"]) for x in r.json["clusters"]], [("energy", 2)])
    r = request("GET", "/v1/demand/clusters?industry=shipbuilding&min_size=1&region="
                + quote("江苏省"), key=CEN)
    eq([x["need_ids"] for x in r.json["clusters"]], [[d]])
    # joining a campaign takes a need out of the clusters
    camp = opened(resource_id=rid, industry="shipbuilding", scenarios=["quality"])
    join(camp["id"], ks[1], b)
    r = request("GET", "/v1/demand/clusters?industry=shipbuilding&scenario=quality", key=CEN)
    eq([sorted(x["need_ids"]) for x in r.json["clusters"]], [sorted([a, c])])
    for k in (P, ks[0]):
        assert_error(request("GET", "/v1/demand/clusters", key=k), 403, "forbidden")
    for q in ("min_size=0", "industry=spaceships", "limit=1000"):
        assert_error(request("GET", "/v1/demand/clusters?" + q, key=CEN), 400, "bad_param")
