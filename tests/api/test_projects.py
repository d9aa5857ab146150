"""
test_projects.py - projects (项目实施, issue 19) through the API: the whole
life of a project from an accepted response to acceptance and O&M tickets,
every illegal transition (409) and every legal one by each party (the
named ones succeed, the others get 403), acceptance refused until a
verified assessment made after the delivery exists, campaign participants
whose progress and levels come only from their projects, self-review
refused, the board, and the outcome figures of a scripted set of projects
against values computed here by hand, feeding matching's quality part.
"""

import time
from urllib.parse import quote

import lib
import projlib as PL
from lib import assert_error, assert_status, eq, request

S = None
ENT = ENT2 = PROV = PROV2 = CEN = CEN2 = ADM = None
ORG = {}
RES = None

STATUSES = ["contracted", "implementing", "delivered", "accepted", "disputed", "cancelled"]
# from -> to: the parties the contract names (E enterprise, P provider, C center)
MOVES = {("contracted", "implementing"): "PC", ("implementing", "delivered"): "P",
         ("delivered", "accepted"): "EC", ("delivered", "implementing"): "EC",
         ("contracted", "disputed"): "EP", ("implementing", "disputed"): "EP",
         ("delivered", "disputed"): "EP", ("disputed", "implementing"): "C",
         ("disputed", "cancelled"): "C", ("contracted", "cancelled"): "EPC",
         ("implementing", "cancelled"): "C"}
LEVEL = {1: (PL.ANSWERS, PL.scenes(1)), 2: (PL.STRONG, PL.scenes(2)),
         3: (PL.STRONG, PL.scenes(3))}


def setup_module():
    global S, ENT, ENT2, PROV, PROV2, CEN, CEN2, ADM, RES
    S = lib.use(lib.Server(workers=2))
    ENT = S.key("enterprise", "项目测试精密机械有限公司")
    ENT2 = S.key("enterprise", "项目测试第二企业")
    PROV = S.key("provider", "项目测试智造科技")
    PROV2 = S.key("provider", "项目测试第二服务商")
    CEN = S.key("center", "项目测试数促中心")
    CEN2 = S.key("center", "项目测试第二数促中心")
    ADM = S.key("admin", "项目测试运营")
    for name, k in (("ent", ENT), ("ent2", ENT2), ("prov", PROV), ("cen", CEN), ("cen2", CEN2)):
        ORG[name] = PL.org_of(k)
    r = request("PUT", "/v1/orgs/%s/file" % ORG["ent"],
                {"province": "湖北省", "city": "武汉市", "district": "汉阳区",
                 "industry": "machinery", "size": "small"}, key=ENT)
    assert_status(r, 200)
    RES = PL.resource(PROV, title="项目测试AI视觉质检工作站")


def teardown_module():
    if S:
        S.stop()


def get(pid, key=None):
    r = request("GET", "/v1/projects/" + pid, key=key or CEN)
    assert_status(r, 200)
    lib.check_schema(r.json, "project")
    return r.json


def ent_with_file(name):
    k = S.key("enterprise", lib.uniq(name))
    org = PL.org_of(k)
    assert_status(request("PUT", "/v1/orgs/%s/file" % org,
                          {"province": "湖北省", "industry": "machinery"}, key=k), 200)
    return k, org


def project_in(state, ent=None, center=None):
    """A project of ENT (or ent=(key, org)) with RES in `state`."""
    k, org = ent or (ENT, ORG["ent"])
    center = center or CEN
    p = PL.new_project(k, PROV, RES, center_id=PL.org_of(center))
    pid = p["id"]
    path = {"contracted": [], "implementing": [("implementing", PROV)],
            "delivered": [("implementing", PROV), ("delivered", PROV)],
            "disputed": [("disputed", k)], "cancelled": [("cancelled", k)],
            "accepted": [("implementing", PROV), ("delivered", PROV)]}[state]
    for to, key in path:
        PL.move(pid, to, key, reason="测试" if to in ("disputed", "cancelled") else None)
    if state == "accepted":
        PL.accept(pid, k, center, center, org)
    eq(get(pid)["status"], state)
    return pid


def inbox_kinds(key):
    r = request("GET", "/v1/inbox?limit=100", key=key)
    assert_status(r, 200)
    return [(n["kind"], n["payload"].get("project", {}).get("id")) for n in r.json["items"]]


# ------------------------------------------------------------ the whole life


def test_whole_life_of_a_project():
    aid0, lv0 = PL.verified(CEN, ORG["ent"], answers=LEVEL[1][0], scene_steps=LEVEL[1][1],
                            evidence={"pass_rate": {"pass_rate": 92.5},
                                      "energy_per_revenue": {"energy_last_year": 800,
                                                             "energy_year_before": 820}})
    eq(lv0, 1, "the level before")
    nid, rid = PL.accepted_response(ENT, PROV, RES, quote=150000, title="冲压件表面质检数字化")
    # only an accepted response of one's own need starts a project
    assert_error(request("POST", "/v1/projects", {"response_id": rid}, key=ENT2), 422,
                 "invalid_field", "response_id")
    r = request("POST", "/v1/projects", {
        "response_id": rid, "center_id": ORG["cen"],
        "costs": [{"type": "software", "amount": 90000}, {"type": "hardware", "amount": 40000},
                  {"type": "training", "amount": 8000, "note": "两天现场培训"}],
        "milestones": [{"code": "plan", "planned": "2030-01-10"},
                       {"code": "go_live", "planned": "2030-03-01"}]}, key=ENT)
    assert_status(r, 201)
    lib.check_schema(r.json, "project")
    p = r.json
    pid = p["id"]
    eq(r.headers.get("Location"), "/v1/projects/" + pid)
    eq(r.headers.get("ETag"), '"1"')
    eq((p["status"], p["amount"], p["need_id"], p["response_id"]),
       ("contracted", 150000, nid, rid), "made from the response, the quote its amount")
    eq((p["enterprise"]["id"], p["provider"]["id"], p["center"]["id"], p["resource_id"]),
       (ORG["ent"], ORG["prov"], ORG["cen"], RES), "the four parties")
    eq(p["cost_summary"], {"total": 138000, "by_type": {"software": 90000, "hardware": 40000,
                                                        "training": 8000}}, "cost lines by type")
    eq([m["code"] for m in p["milestones"]], ["plan", "start", "go_live", "acceptance"])
    eq(p["due"], "2030-01-10", "the earliest planned milestone")
    eq(p["before"]["assessment_id"], aid0, "before: the latest verified assessment")
    eq(p["before"]["level"], 1)
    eq(p["before"]["figures"]["pass_rate"], {"pass_rate": 92.5}, "数字化成效 figures kept")
    assert "network" not in p["before"]["figures"], "only outcome questions' figures"
    eq(p["scenarios"], ["quality"])
    eq(p["revisions"][0]["by"]["key"], ENT[:12], "the revision names the key")
    assert ("project_created", pid) in inbox_kinds(PROV), "the provider is told"
    assert_error(request("POST", "/v1/projects", {"response_id": rid}, key=ENT), 409, "conflict",
                 "response_id")

    # amounts and milestones: a merge by code, a date cleared with ""
    r = request("PATCH", "/v1/projects/" + pid, {"milestones": [
        {"code": "plan", "planned": ""}, {"code": "start", "planned": "2030-01-20"}],
        "amount": 148000}, key=PROV, headers={"If-Match": '"1"'})
    assert_status(r, 200)
    ms = {m["code"]: m for m in r.json["milestones"]}
    assert "planned" not in ms["plan"], ms
    eq((ms["start"]["planned"], ms["go_live"]["planned"]), ("2030-01-20", "2030-03-01"))
    eq((r.json["amount"], r.json["version"]), (148000, 2))
    eq(r.json["revisions"][-1]["changed"], ["amount", "milestones"])
    assert_error(request("PATCH", "/v1/projects/" + pid, {"amount": 1},
                         headers={"If-Match": '"1"'}, key=ENT), 409, "conflict")
    for body, field in (({"costs": [{"type": "coffee", "amount": 1}]}, "costs[0].type"),
                        ({"costs": [{"type": "cloud", "amount": -1}]}, "costs[0].amount"),
                        ({"milestones": [{"code": "party"}]}, "milestones[0].code"),
                        ({"milestones": [{"code": "start", "planned": "2030-02-30"}]},
                         "milestones[0].planned"),
                        ({"milestones": [{"code": "start"}, {"code": "start"}]},
                         "milestones[1].code"),
                        ({"level_after": 3}, "level_after"), ({}, "amount")):
        assert_error(request("PATCH", "/v1/projects/" + pid, body, key=ENT), 422,
                     "invalid_field", field)

    # no ticket before go-live
    assert_error(request("POST", "/v1/projects/%s/tickets" % pid, {"title": "x"}, key=ENT),
                 409, "conflict")
    r = PL.move(pid, "implementing", PROV)
    ms = {m["code"]: m for m in r.json["milestones"]}
    today = time.strftime("%Y-%m-%d", time.gmtime())
    eq((ms["plan"].get("actual"), ms["start"].get("actual")), (today, today),
       "starting marks plan and start done")
    r = PL.move(pid, "delivered", PROV)
    eq({m["code"]: m.get("actual") for m in r.json["milestones"]}["go_live"], today)
    eq(r.json["can"]["signoff"], False, "the provider does not sign")
    eq(get(pid, ENT)["can"]["signoff"], True, "the enterprise's turn")
    assert ("milestone_signoff", pid) in inbox_kinds(ENT), "enterprise asked to sign"
    assert ("milestone_signoff", pid) in inbox_kinds(CEN), "center asked to sign"

    # acceptance: 409 saying everything that is missing, in both languages
    r = PL.move(pid, "accepted", CEN, status=409)
    msg = r.json["error"]["message"]
    for words in ("the enterprise's sign-off", "a center's sign-off",
                  "a verified assessment made after the delivery"):
        assert words in msg, msg
    r = request("POST", "/v1/projects/%s/transition" % pid, {"to": "accepted"}, key=CEN,
                headers={"Accept-Language": "zh-CN"})
    assert_error(r, 409, "conflict", "to")
    for words in ("企业的签收", "数促中心的签收", "交付之后经数促中心核验的评估"):
        assert words in r.json["error"]["message"], r.json
    PL.signoff(pid, ENT)
    PL.signoff(pid, ENT, status=409)
    assert_error(request("POST", "/v1/projects/%s/signoff" % pid, {}, key=CEN2), 403, "forbidden")
    eq(get(pid, CEN)["can"]["signoff"], True, "the center's turn now")
    PL.signoff(pid, CEN)
    r = PL.move(pid, "accepted", ENT, status=409)
    msg = r.json["error"]["message"]
    assert "sign-off" not in msg and "verified assessment" in msg, msg
    PL.verified(CEN, ORG["ent"], answers=LEVEL[2][0], scene_steps=PL.scenes(2, quality=3),
                evidence={"pass_rate": {"pass_rate": 98.6},
                          "energy_per_revenue": {"energy_last_year": 700,
                                                 "energy_year_before": 800}})
    r = PL.move(pid, "accepted", ENT)
    a = r.json
    lib.check_schema(a, "project")
    eq((a["status"], a["level_before"], a["level_after"], a["step_gain"], a["on_time"]),
       ("accepted", 1, 2, 2.0, True), "levels, scene steps on the project's scene, on time")
    eq({m["code"]: m.get("actual") for m in a["milestones"]}["acceptance"], today)
    figs = {(f["question"], f["figure"]): (f["before"], f["after"]) for f in a["comparison"]["figures"]}
    eq(figs[("pass_rate", "pass_rate")], (92.5, 98.6), "before/after figures")
    eq(figs[("energy_per_revenue", "energy_last_year")], (800, 700))
    scenes = {x["code"]: (x["before"], x["after"]) for x in a["comparison"]["scenes"]}
    eq(scenes["quality"], (1, 3))
    eq(len(a["comparison"]["scenes"]), 16, "every scene side by side")
    eq([v["to"] for v in a["revisions"] if v["from"] != v["to"]],
       ["contracted", "implementing", "delivered", "accepted"], "state revisions")
    eq(a["revisions"][-1]["by"]["key"], ENT[:12])
    assert ("project_accepted", pid) in inbox_kinds(PROV)
    # an accepted project no longer changes or moves
    assert_error(request("PATCH", "/v1/projects/" + pid, {"amount": 1}, key=ENT), 409, "conflict")
    for to in STATUSES:
        PL.move(pid, to, CEN, status=409, reason="x")

    # O&M tickets after go-live: the provider answers and closes
    r = request("POST", "/v1/projects/%s/tickets" % pid,
                {"title": "视觉相机误报增多", "description": "夜班误报", "severity": "high"}, key=ENT)
    assert_status(r, 201)
    lib.check_schema(r.json, "ticket")
    tid = r.json["id"]
    eq((r.json["status"], r.json["response_hours"]), ("open", None))
    assert ("ticket_opened", pid) in inbox_kinds(PROV)
    assert_error(request("POST", "/v1/projects/%s/tickets" % pid, {"title": "x"}, key=PROV),
                 403, "forbidden")
    assert_error(request("POST", "/v1/projects/%s/tickets" % pid, {"title": "x", "severity": "meh"},
                         key=ENT), 422, "invalid_field", "severity")
    time.sleep(1.1)
    r = request("POST", "/v1/projects/%s/tickets/%s/reply" % (pid, tid), {"text": "已远程调整阈值"},
                key=PROV)
    assert_status(r, 200)
    t = r.json
    eq(t["status"], "answered")
    assert t["response_seconds"] >= 1, t
    eq(t["response_hours"], round(t["response_seconds"] / 3600.0, 2))
    r = request("POST", "/v1/projects/%s/tickets/%s/reply" % (pid, tid), {"text": "今天又误报了"},
                key=ENT)
    eq((r.json["status"], r.json["response_seconds"]), ("open", t["response_seconds"]),
       "the first response stays")
    r = request("POST", "/v1/projects/%s/tickets/%s/close" % (pid, tid), {"note": "更换光源后解决"},
                key=PROV)
    assert_status(r, 200)
    eq(r.json["status"], "closed")
    assert r.json["resolution_hours"] is not None
    assert_error(request("POST", "/v1/projects/%s/tickets/%s/reply" % (pid, tid), {"text": "x"},
                         key=ENT), 409, "conflict")
    r = request("GET", "/v1/projects/%s/tickets" % pid, key=CEN)
    eq([x["id"] for x in r.json["items"]], [tid])
    eq(len(r.json["items"][0]["replies"]), 3)
    eq(get(pid)["tickets"], {"total": 1, "open": 0, "answered": 0, "closed": 1})


def test_every_illegal_transition_409():
    """From each state, every move the contract does not have is 409,
    whoever asks (here the supervising center, a party to every project)."""
    have = {s: project_in(s) for s in STATUSES}
    n = 0
    for frm, pid in have.items():
        for to in STATUSES:
            if (frm, to) in MOVES:
                continue
            for key in (CEN, ENT, PROV):
                r = PL.move(pid, to, key, status=409, reason="测试")
                eq(r.json["error"]["field"], "to")
                n += 1
        eq(get(pid)["status"], frm, "unchanged after refused moves")
    assert n >= 3 * 25, n
    assert_error(request("POST", "/v1/projects/%s/transition" % have["contracted"],
                         {"to": "done"}, key=CEN), 422, "invalid_field", "to")
    assert_error(request("POST", "/v1/projects/%s/transition" % have["contracted"],
                         {"to": "disputed"}, key=ENT), 422, "invalid_field", "reason")


def test_every_legal_move_by_its_party_only():
    keys = {"E": ENT, "P": PROV, "C": CEN}
    for (frm, to), parties in sorted(MOVES.items()):
        for who in "EPC":
            if who in parties:
                continue
            pid = project_in(frm)
            r = PL.move(pid, to, keys[who], status=403, reason="测试")
            assert_error(r, 403, "forbidden", "to")
        if (frm, to) == ("delivered", "accepted"):
            continue    # acceptance has its own test (sign-offs, assessment)
        for who in parties:
            pid = project_in(frm)
            PL.move(pid, to, keys[who], reason="测试")
            eq(get(pid)["status"], to, "%s -> %s by %s" % (frm, to, who))
    # another center is no party to a supervised project
    pid = project_in("contracted")
    assert_error(PL.move(pid, "implementing", CEN2, status=403), 403, "forbidden")


def test_acceptance_needs_a_verified_assessment_made_after_delivery():
    k, org = ent_with_file("验收核验企业")
    PL.verified(CEN, org)                       # before the project
    pid = project_in("contracted", ent=(k, org))
    # made and submitted before delivery, verified after it: not after delivery
    r = request("POST", "/v1/assessments", {"instrument": "sme-2024", "org_id": org,
                                            "answers": PL.ANSWERS, "scenes": PL.scenes(1)},
                key=CEN)
    early = r.json["id"]
    assert_status(request("POST", "/v1/assessments/%s/submit" % early, key=CEN), 200)
    PL.deliver(pid, PROV)
    assert_status(request("POST", "/v1/assessments/%s/verify" % early, {}, key=CEN), 200)
    PL.signoff(pid, k)
    PL.signoff(pid, CEN)
    r = PL.move(pid, "accepted", CEN, status=409)
    assert "verified assessment made after the delivery" in r.json["error"]["message"], r.json
    # a new one, but only submitted: still refused
    r = request("POST", "/v1/assessments", {"instrument": "sme-2024", "org_id": org,
                                            "answers": PL.ANSWERS, "scenes": PL.scenes(1)},
                key=CEN)
    late = r.json["id"]
    assert_status(request("POST", "/v1/assessments/%s/submit" % late, key=CEN), 200)
    PL.move(pid, "accepted", CEN, status=409)
    assert_status(request("POST", "/v1/assessments/%s/verify" % late, {}, key=CEN), 200)
    r = PL.move(pid, "accepted", CEN)
    eq(r.json["after"]["assessment_id"], late, "the after snapshot is the later one")
    # rework clears the sign-offs: a second delivery is signed anew
    pid2 = project_in("delivered", ent=(k, org))
    PL.signoff(pid2, k)
    r = PL.move(pid2, "implementing", k, reason="验收发现缺陷")
    eq(r.json["signoffs"], {}, "sign-offs cleared by rework")
    eq({m["code"]: m.get("actual") for m in r.json["milestones"]}["go_live"], None)


def test_campaign_participants_take_their_levels_from_projects_only():
    """The contract's amendment: levels are never typed in; progress and
    levels follow each participant's project."""
    camp = {"title": "项目化集采", "resource_id": RES, "industry": "machinery",
            "scenarios": ["quality"], "tiers": [{"min_participants": 1, "unit_price": 88000}],
            "min_participants": 1,
            "deadline": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))}
    r = request("POST", "/v1/campaigns", camp, key=CEN)
    cid = r.json["id"]
    assert_status(request("POST", "/v1/campaigns/%s/confirm" % cid, key=PROV), 200)
    assert_status(request("POST", "/v1/campaigns/%s/transition" % cid, {"to": "open"}, key=CEN), 200)
    (k1, o1), (k2, o2) = ent_with_file("集采项目企业"), ent_with_file("集采项目企业")
    for k, org, lv in ((k1, o1, 1), (k2, o2, 2)):
        PL.verified(CEN, org, answers=LEVEL[lv][0], scene_steps=LEVEL[lv][1])
        assert_status(request("POST", "/v1/campaigns/%s/join" % cid, key=k), 201)
    part_path = "/v1/campaigns/%s/participants/%s" % (cid, o1)
    # a joined participant: no level may be typed, and none is recorded
    for body, field in (({"level_after": 2}, "level_after"), ({"level_before": 1}, "level_before"),
                        ({"status": "accepted", "level_after": 3}, "level_after")):
        assert_error(request("PATCH", part_path, body, key=CEN), 422, "invalid_field", field)
    assert_error(request("PATCH", part_path, {"status": "accepted"}, key=CEN), 409, "conflict")
    for to in ("succeeded", "contracted"):
        r = request("POST", "/v1/campaigns/%s/transition" % cid, {"to": to}, key=CEN)
        assert_status(r, 200)
    parts = {p["org"]["id"]: p for p in r.json["participants"]["list"]}
    for org in (o1, o2):
        eq(parts[org]["status"], "contracted")
        assert "level_before" not in parts[org] and "level_after" not in parts[org], parts[org]
    p1, p2 = parts[o1]["project"]["id"], parts[o2]["project"]["id"]
    pj = get(p1)
    eq((pj["campaign_id"], pj["center"]["id"], pj["amount"]), (cid, ORG["cen"], 88000),
       "campaign project: its center supervises, the tier price is the amount")
    eq(pj["before"]["level"], 1)
    PL.deliver(p1, PROV)
    PL.accept(p1, k1, CEN, CEN, o1, answers=LEVEL[2][0], scene_steps=LEVEL[2][1])
    PL.move(p2, "implementing", PROV)
    c = request("GET", "/v1/campaigns/" + cid, key=CEN).json
    lib.check_schema(c, "campaign")
    parts = {p["org"]["id"]: p for p in c["participants"]["list"]}
    eq((parts[o1]["status"], parts[o1]["level_before"], parts[o1]["level_after"]),
       ("accepted", 1, 2), "levels from the project's verified assessments")
    eq(parts[o2]["status"], "implementing", "progress follows the project")
    assert "level_before" not in parts[o2], parts[o2]
    eq((c["outcome"]["projects_accepted"], c["outcome"]["avg_level_uplift"],
        c["outcome"]["reached_level_2"]), (1, 1.0, 1), "the campaign's report, from projects")
    # cancelling a project withdraws its participant
    PL.move(p2, "cancelled", CEN, reason="企业停产")
    c = request("GET", "/v1/campaigns/" + cid, key=CEN).json
    eq({p["org"]["id"]: p["status"] for p in c["participants"]["list"]}[o2], "withdrawn")
    # the enterprise sees its own participation and project, not the other's
    mine = request("GET", "/v1/campaigns/" + cid, key=k1).json
    eq([p["org"]["id"] for p in mine["participants"]["list"]], [o1])
    assert_error(request("GET", "/v1/projects/" + p2, key=k1), 404, "not_found")


def test_reviews_need_a_real_purchase_between_two_organisations():
    pid = project_in("accepted")
    path = "/v1/resources/%s/reviews" % RES
    # the provider may not review its own resource, even through the project
    assert_error(request("POST", path, {"rating": 5, "project_id": pid}, key=PROV), 403, "forbidden")
    # another enterprise has no accepted project with it
    assert_error(request("POST", path, {"rating": 5, "project_id": pid}, key=ENT2), 403, "forbidden")
    pending = project_in("delivered")
    assert_error(request("POST", path, {"rating": 5, "project_id": pending}, key=ENT), 403,
                 "forbidden")
    r = request("POST", path, {"rating": 4, "text": "上线后误报少", "project_id": pid}, key=ENT)
    assert_status(r, 201)
    assert "need_id" in r.json, "a project review is about its need"
    assert_error(request("POST", path, {"rating": 4, "project_id": pid, "need_id": "need_x"},
                         key=ENT), 422, "invalid_field")
    # an organisation with both an enterprise and a provider key: no self-review, no
    # project with itself
    both = "项目测试自营企业" + lib.uniq()
    kp, ke = S.key("provider", both), S.key("enterprise", both)
    own = PL.resource(kp, title="自营的视觉质检")
    assert_error(request("POST", "/v1/resources/%s/reviews" % own, {"rating": 5, "need_id": "need_x"},
                         key=ke), 403, "forbidden")
    _, rid = PL.accepted_response(ke, kp, own)
    assert_error(request("POST", "/v1/projects", {"response_id": rid}, key=ke), 409, "conflict",
                 "response_id")
    nid = request("GET", "/v1/needs?status=all", key=ke).json["items"][0]["id"]
    assert_error(request("POST", "/v1/resources/%s/reviews" % own, {"rating": 5, "need_id": nid},
                         key=ke), 403, "forbidden")


def test_lists_and_the_board():
    late = project_in("implementing")
    assert_status(request("PATCH", "/v1/projects/" + late, {"milestones": [
        {"code": "go_live", "planned": "2021-05-01"}]}, key=PROV), 200)
    soon = project_in("contracted")
    assert_status(request("PATCH", "/v1/projects/" + soon, {"milestones": [
        {"code": "plan", "planned": "2099-01-01"}]}, key=PROV), 200)
    r = request("GET", "/v1/projects?sort=due&limit=100", key=CEN)
    assert_status(r, 200)
    lib.check_schema(r.json, "project-list")
    ids = [p["id"] for p in r.json["items"]]
    assert ids.index(late) < ids.index(soon), "overdue first"
    first = r.json["items"][0]
    eq((first["id"], first["overdue"]), (late, True), "the most overdue project leads the board")
    dues = [p["due"] for p in r.json["items"] if p["due"]]
    eq(dues, sorted(dues), "then by the next planned date")
    r = request("GET", "/v1/projects?status=implementing", key=CEN)
    assert all(p["status"] == "implementing" for p in r.json["items"]) and r.json["items"]
    r = request("GET", "/v1/projects?provider=%s&limit=2" % ORG["prov"], key=CEN)
    eq(len(r.json["items"]), 2)
    assert r.json["next_cursor"], r.json
    r2 = request("GET", "/v1/projects?provider=%s&limit=2&cursor=%s" % (ORG["prov"], r.json["next_cursor"]), key=CEN)
    assert not set(p["id"] for p in r.json["items"]) & set(p["id"] for p in r2.json["items"])
    r = request("GET", "/v1/projects?district=" + quote("汉阳区"), key=CEN)
    assert r.json["items"] and all(p["enterprise"]["id"] == ORG["ent"] for p in r.json["items"])
    # an enterprise sees its own projects only; the other enterprise none
    eq(request("GET", "/v1/projects", key=ENT2).json["items"], [])
    assert all(p["enterprise"]["id"] == ORG["ent"] for p in
               request("GET", "/v1/projects?limit=100", key=ENT).json["items"])
    eq(request("GET", "/v1/projects", key=PROV2).json["items"], [])
    assert_error(request("GET", "/v1/projects?status=done", key=CEN), 400, "bad_param", "status")
    assert_error(request("GET", "/v1/projects?sort=best", key=CEN), 400, "bad_param", "sort")


# ------------------------------------------------------------ verified outcomes


def test_outcome_figures_equal_hand_computed_values():
    """A scripted set of projects on two resources of one provider; the
    figures of each resource and of the provider, computed here by hand."""
    prov = S.key("provider", "成效测试服务商")
    cen = CEN
    r1 = PL.resource(prov, title="成效测试一号质检系统", summary="成效测试的视觉质检")
    r2 = PL.resource(prov, title="成效测试二号质检系统", summary="成效测试的视觉质检")
    twin = PL.resource(PROV2, title="成效测试孪生质检系统", summary="成效测试的视觉质检")

    def run(res, before, after, planned, before_steps, after_steps):
        k, org = ent_with_file("成效测试企业")
        PL.verified(cen, org, answers=LEVEL[before][0], scene_steps=before_steps)
        p = PL.new_project(k, prov, res, center_id=ORG["cen"],
                           milestones=[{"code": "go_live", "planned": planned}] if planned else [])
        PL.deliver(p["id"], prov)
        PL.accept(p["id"], k, cen, cen, org, answers=LEVEL[after][0], scene_steps=after_steps)
        return p["id"], k

    # r1: on time (+1 level, quality +2); late (+1 level, quality +1)
    a, ka = run(r1, 1, 2, "2099-12-31", PL.scenes(1), PL.scenes(2, quality=3))
    run(r1, 2, 3, "2020-01-01", PL.scenes(2), PL.scenes(3))
    # r2: no planned go-live (not counted for on time), no uplift, no steps
    run(r2, 1, 1, None, PL.scenes(1), PL.scenes(1))
    # r1: one delivered but not accepted: counted nowhere
    k, org = ent_with_file("成效测试企业")
    p = PL.new_project(k, prov, r1)
    PL.deliver(p["id"], prov)
    # one ticket on project a, answered after a second
    t = request("POST", "/v1/projects/%s/tickets" % a, {"title": "系统变慢"}, key=ka).json
    time.sleep(1.1)
    t = request("POST", "/v1/projects/%s/tickets/%s/reply" % (a, t["id"]), {"text": "已扩容"},
                key=prov).json
    secs = t["response_seconds"]
    assert secs >= 1, t
    r = request("GET", "/v1/resources/%s/outcomes" % r1)
    assert_status(r, 200)
    lib.check_schema(r.json, "outcomes")
    o = r.json["outcomes"]
    eq(o["projects_accepted"], 2)
    eq((o["on_time_share"], o["on_time_counted"]), (0.5, 2), "one of two on time")
    eq((o["avg_level_uplift"], o["uplift_counted"]), (1.0, 2), "(1 + 1) / 2")
    eq(o["avg_scene_step_gain"], 1.5, "quality: (2 + 1) / 2")
    eq((o["tickets"], o["ticket_response_hours"]), (1, round(secs / 3600.0, 2)))
    eq(r.json["projects"], {"accepted": 2, "delivered": 1})
    po = r.json["provider"]["outcomes"]
    eq(po["projects_accepted"], 3)
    eq((po["on_time_share"], po["on_time_counted"]), (0.5, 2), "r2's project had no plan")
    eq(po["avg_level_uplift"], round((1 + 1 + 0) / 3.0, 2))
    eq(po["avg_scene_step_gain"], 1.0, "(2 + 1 + 0) / 3")
    o2 = request("GET", "/v1/resources/%s/outcomes" % r2).json["outcomes"]
    eq((o2["projects_accepted"], o2["on_time_share"], o2["avg_level_uplift"], o2["tickets"]),
       (1, None, 0.0, 0))
    none = request("GET", "/v1/resources/%s/outcomes" % twin).json
    eq((none["outcomes"]["projects_accepted"], none["outcomes"]["on_time_share"]), (0, None))
    assert_error(request("GET", "/v1/resources/res_nosuch/outcomes"), 404, "not_found")

    # matching's quality part: the proven resource above its untried twin
    need = {"title": "成效测试视觉质检", "industry": "machinery", "scenarios": ["quality"],
            "region": "湖北省"}
    r = request("POST", "/v1/match?explain=1&limit=50", need, key=ENT)
    assert_status(r, 200)
    q = {m["resource"]["id"]: m["explain"]["quality"] for m in r.json["matches"]}
    assert r1 in q and twin in q, sorted(q)
    assert q[r1] > q[twin], (q[r1], q[twin])
    assert q[r2] > q[twin], "a provider's record lifts its other resources"
