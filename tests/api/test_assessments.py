"""
test_assessments.py - assessments (评估诊断), gaps and the needs made from
them, through the API.

The whole loop of a 数促中心 as users would walk it: the enterprise's
file -> a draft saved as it goes -> submit (refused while anything is
missing, naming it) -> a center returns it -> resubmitted -> verified with
the center's scene corrections (the revision keeps both steps) -> the
file's level -> gaps to 二级 with three resources per scene -> draft needs
(invisible to providers, reverse matching, clusters and open counts until
published) -> matches, ranked with the verified step.

Around it: every bad input of the contract is 422 naming the field; a
client-sent score or level is refused and never stored; If-Match on every
write; who may do what (creator, centers; another enterprise gets 404);
the instruments endpoints; and a malformed instrument file stops start-up
naming the file.  Answers are checked against schemas/assessment*.json,
gaps.schema.json, need.schema.json and instrument*.schema.json.
"""

import json
import os
import shutil
import subprocess

import lib
from lib import assert_error, assert_status, eq, request

S = None
ENT = ENT2 = CEN = CEN2 = ADM = PROV = None
ORG = {}
ENT_NAME = "武汉精工机械有限公司"

# A small machining firm (37.475 points, level 1; see tests/unit/test_instrument.c).
ANSWERS = {"network": ["B"], "device_digital_rate": ["C"], "device_network_rate": ["B"],
           "auto_collection": ["G", "H", "N"], "it_coverage": ["C"],
           "network_security": ["B", "C"], "data_security": ["A"], "planning": ["C"],
           "mechanisms": ["A"], "talent": ["B"], "investment": ["B"],
           "energy_per_revenue": ["B"], "pass_rate": ["C"], "revenue_per_head": ["C"],
           "cost_per_revenue": ["B"]}
SCENES = {"product_design": 1, "process_design": 1, "marketing": 2, "after_sales": 1,
          "planning": 2, "production_control": 2, "quality": 2, "equipment": 1, "safety": 1,
          "energy": 0, "procurement": 2, "warehouse_logistics": 2, "finance": 3, "hr": 1,
          "collaboration": 2, "decision_support": 0}
EVIDENCE = {"device_digital_rate": {"devices_total": 42, "devices_digital": 12},
            "pass_rate": {"pass_rate": 97.5}}
IDS = {}


def setup_module():
    global S, ENT, ENT2, CEN, CEN2, ADM, PROV
    S = lib.use(lib.Server(redis="none"))
    ENT = S.key("enterprise", ENT_NAME)
    ENT2 = S.key("enterprise", "孝感锦程纺织印染有限公司")
    CEN = S.key("center", "武汉市制造业数字化转型促进中心")
    CEN2 = S.key("center", "湖北省纺织行业数字化转型促进中心")
    ADM = S.key("admin", "数促平台运维")
    PROV = S.key("provider", "华中智造科技有限公司")
    for k, n in ((ENT, "ent"), (ENT2, "ent2"), (CEN, "center"), (PROV, "prov")):
        ORG[n] = request("GET", "/v1/me", key=k).json["org"]["id"]
    # resources for the gap scenes: energy, safety, decision support, equipment
    for title, scen, ind in (("注塑车间能耗在线监测平台", "energy", "machinery"),
                             ("机加工车间能源管理系统EMS", "energy", "general"),
                             ("小工厂电表采集盒子", "energy", "general"),
                             ("安全生产双重预防管理系统", "safety", "general"),
                             ("经营驾驶舱与BI决策分析", "decision_support", "general"),
                             ("设备点检与预测性维护", "equipment", "machinery")):
        r = request("POST", "/v1/resources", lib.resource(
            title=title, summary=title, industries=[ind], scenarios=[scen], tags=[],
            levels={"from": 1, "to": 2}, regions=["湖北省"]), key=PROV)
        assert_status(r, 201)


def teardown_module():
    if S:
        S.stop()


def create(body=None, key=None, **over):
    b = {"instrument": "sme-2024"}
    b.update(body or {})
    b.update(over)
    return request("POST", "/v1/assessments", b, key=key or ENT)


def get(aid, key=None):
    r = request("GET", "/v1/assessments/" + aid, key=key or CEN)
    assert_status(r, 200)
    lib.check_schema(r.json, "assessment")
    return r.json


def write(method, aid, verb="", body=None, key=None, version=None):
    path = "/v1/assessments/" + aid + ("/" + verb if verb else "")
    h = {"If-Match": '"%d"' % version} if version else None
    r = request(method, path, body, key=key or ENT, headers=h)
    if r.status < 300:
        lib.check_schema(r.json, "assessment")
    return r


# ------------------------------------------------------------ instruments


def test_instruments_are_public_data():
    r = request("GET", "/v1/instruments")
    assert_status(r, 200)
    lib.check_schema(r.json, "instrument-list")
    eq([i["code"] for i in r.json["items"]], ["sme-2024"])
    eq(r.json["items"][0]["total"], 100)
    r = request("GET", "/v1/instruments/sme-2024")
    assert_status(r, 200)
    lib.check_schema(r.json, "instrument")
    with open(os.path.join(lib.SCHEMAS, "instruments", "sme-2024.json"), encoding="utf-8") as f:
        eq(r.json, json.load(f), "the instrument as its file has it")
    assert_error(request("GET", "/v1/instruments/sme-1999"), 404, "not_found")
    r = request("GET", "/v1/regions")
    assert_status(r, 200)
    lib.check_schema(r.json, "regions")


def test_malformed_instrument_stops_start_up_naming_the_file():
    d = lib.tmpdir("schemas")
    for fn in ("taxonomy.json", "synonyms.json", "regions.json"):
        shutil.copy(os.path.join(lib.SCHEMAS, fn), d)
    os.mkdir(os.path.join(d, "instruments"))
    with open(os.path.join(lib.SCHEMAS, "instruments", "sme-2024.json"), encoding="utf-8") as f:
        doc = json.load(f)
    doc["dimensions"][0]["groups"][0]["questions"][0]["options"][1]["score"] = 3
    bad = os.path.join(d, "instruments", "sme-2024.json")
    with open(bad, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False)
    p = subprocess.run([lib.shucud_path(), "serve", "--db", os.path.join(d, "x.db"), "--listen",
                        "127.0.0.1:%d" % lib.free_port(), "--redis", "none", "--schemas", d],
                       cwd=lib.REPO, env=lib.child_env(), capture_output=True, timeout=30)
    out = p.stdout.decode() + p.stderr.decode()
    assert p.returncode != 0, out
    assert bad in out and "dimensions[0].groups[0].questions[0]" in out, out
    assert "reach 9 points but the question is worth 8" in out, out


# ------------------------------------------------------------ the loop


def test_file_then_draft_saved_as_it_goes():
    r = request("PUT", "/v1/orgs/%s/file" % ORG["ent"], {
        "uscc": "914403001922038216", "province": "湖北省", "city": "武汉市", "district": "东西湖区",
        "industry": "machinery", "size": "small", "above_scale": True,
        "contact": {"name": "张建华", "phone": "13871230000"}}, key=ENT)
    assert_status(r, 200)
    r = create({"answers": {"network": ["B"]}, "scenes": {"quality": 2}})
    assert_status(r, 201)
    lib.check_schema(r.json, "assessment")
    a = r.json
    IDS["a"] = a["id"]
    eq(r.headers["Location"], "/v1/assessments/" + a["id"])
    eq((a["status"], a["mode"], a["level"], a["score"]["total"]), ("draft", "self", 0, 2))
    eq(a["created_by"]["org"]["id"], ORG["ent"])
    eq(a["created_by"]["role"], "enterprise")
    eq(len(a["missing"]["questions"]), 14)
    # autosave: merge patches, each scored by the server
    v = a["version"]
    for part in ({"answers": {"device_digital_rate": ["C"]}},
                 {"answers": {k: v2 for k, v2 in ANSWERS.items() if k not in ("network", "device_digital_rate")}},
                 {"scenes": SCENES}, {"evidence": EVIDENCE}, {"note": "车间主任填写"}):
        r = write("PATCH", a["id"], body=part, version=v)
        assert_status(r, 200)
        v = r.json["version"]
    a = r.json
    eq(a["score"]["total"], 37.475)
    eq(a["score"]["dimensions"], {"数字化基础": 16.1, "数字化管理": 6.375, "数字化成效": 15})
    eq(a["score"]["questions"]["auto_collection"], 2.1)
    eq(a["level"], 1)
    eq(a["level_check"]["2"]["score"], False)
    eq(a["level_check"]["2"]["scenes"], True)
    eq(a["missing"], {"questions": [], "scenes": []})
    eq(a["note"], "车间主任填写")
    # a null removes an answer, as a merge patch does
    r = write("PATCH", a["id"], body={"answers": {"network": None}})
    eq(r.json["missing"]["questions"], ["network"])
    IDS["v"] = r.json["version"]


def test_submit_refuses_listing_everything_missing():
    aid = IDS["a"]
    r = write("POST", aid, "submit")
    assert_error(r, 422, "invalid_field", "answers.network")
    assert "answers.network" in r.json["error"]["message"]
    r = create({"answers": {"network": ["B"]}})
    r = write("POST", r.json["id"], "submit")
    assert_error(r, 422, "invalid_field", "answers.device_digital_rate")
    msg = r.json["error"]["message"]
    for code in list(ANSWERS)[1:] + list(SCENES):
        assert code in msg, (code, msg)
    r = write("PATCH", aid, body={"answers": {"network": ["B"]}})
    assert_status(r, 200)


def test_bad_input_is_422_naming_the_field():
    aid = IDS["a"]
    cases = [
        ({"answers": {"nope": ["A"]}}, "answers.nope"),
        ({"answers": {"network": ["F"]}}, "answers.network"),
        ({"answers": {"network": ["A", "B"]}}, "answers.network"),
        ({"answers": {"it_coverage": ["B", "C"]}}, "answers.it_coverage"),
        ({"answers": {"network": ["B", "B"]}}, "answers.network"),
        ({"answers": {"network": []}}, "answers.network"),
        ({"answers": {"network": "B"}}, "answers.network"),
        ({"answers": ["B"]}, "answers"),
        ({"scenes": {"quality": 5}}, "scenes.quality"),
        ({"scenes": {"quality": -1}}, "scenes.quality"),
        ({"scenes": {"quality": "2"}}, "scenes.quality"),
        ({"scenes": {"teleport": 1}}, "scenes.teleport"),
        ({"scenes": {"network": 1}}, "scenes.network"),
        ({"evidence": {"pass_rate": {"pass_rate": 120}}}, "evidence.pass_rate.pass_rate"),
        ({"evidence": {"pass_rate": {"pass_rate": "高"}}}, "evidence.pass_rate.pass_rate"),
        ({"evidence": {"pass_rate": {"devices_total": 1}}}, "evidence.pass_rate.devices_total"),
        ({"evidence": {"nope": {"x": 1}}}, "evidence.nope"),
        ({"mode": "remote"}, "mode"),
        ({"note": 7}, "note"),
        ({"colour": "red"}, "colour"),
    ]
    before = get(aid)
    for body, field in cases:
        assert_error(create(body), 422, "invalid_field", field)
        assert_error(write("PATCH", aid, body=body), 422, "invalid_field", field)
    assert_error(create(instrument="sme-1999"), 422, "invalid_field", "instrument")
    assert_error(request("POST", "/v1/assessments", {"answers": {}}, key=ENT), 422,
                 "invalid_field", "instrument")
    assert_error(write("PATCH", aid, body={"instrument": "sme-2024"}), 422, "invalid_field",
                 "instrument")
    eq(get(aid)["version"], before["version"], "nothing refused was stored")


def test_client_sent_score_and_level_are_refused_never_stored():
    aid = IDS["a"]
    before = get(aid)
    for field, value in (("score", {"total": 100}), ("level", 4), ("level_check", {}),
                         ("status", "verified"), ("verified_by", "me")):
        assert_error(create({field: value}), 422, "invalid_field", field)
        assert_error(write("PATCH", aid, body={field: value, "note": "改"}), 422, "invalid_field", field)
    after = get(aid)
    eq((after["score"], after["level"], after["version"]),
       (before["score"], before["level"], before["version"]))


def test_submit_return_resubmit_verify():
    aid = IDS["a"]
    v = get(aid)["version"]
    assert_error(write("POST", aid, "submit", version=v + 9), 409, "conflict")
    assert_error(write("POST", aid, "verify", key=CEN), 409, "conflict", "status")
    r = write("POST", aid, "submit", version=v)
    assert_status(r, 200)
    eq((r.json["status"], r.json["version"]), ("submitted", v + 1))
    assert r.json["submitted_at"], r.json
    assert_error(write("PATCH", aid, body={"note": "再改"}), 409, "conflict", "status")
    assert_error(write("POST", aid, "submit"), 409, "conflict", "status")
    # the enterprise cannot verify or return its own
    eq(write("POST", aid, "verify", key=ENT).status, 403)
    eq(write("POST", aid, "return", body={"reason": "x"}, key=ENT).status, 403)
    assert_error(write("POST", aid, "return", body={}, key=CEN), 422, "invalid_field", "reason")
    r = write("POST", aid, "return", body={"reason": "能耗台账缺少前年数据，请补充"}, key=CEN,
              version=v + 1)
    assert_status(r, 200)
    eq(r.json["status"], "draft")
    assert_status(write("PATCH", aid, body={"evidence": {"energy_per_revenue": {
        "energy_last_year": 812.5, "energy_year_before": 840}}}), 200)
    r = write("POST", aid, "submit")
    assert_status(r, 200)
    v = r.json["version"]
    # verify with corrections: finance 3 -> 2, energy 0 -> 1, quality unchanged
    assert_error(write("POST", aid, "verify", body={"scenes": {"finance": 9}}, key=CEN), 422,
                 "invalid_field", "scenes.finance")
    assert_error(write("POST", aid, "verify", body={"scenes": {"nope": 1}}, key=CEN), 422,
                 "invalid_field", "scenes.nope")
    assert_error(write("POST", aid, "verify", body={}, key=CEN, version=v - 1), 409, "conflict")
    r = write("POST", aid, "verify", body={"scenes": {"finance": 2, "energy": 1, "quality": 2},
                                           "note": "现场核验：财务系统未与业务集成"},
              key=CEN, version=v)
    assert_status(r, 200)
    a = r.json
    eq((a["status"], a["level"]), ("verified", 1))
    eq((a["scenes"]["finance"], a["scenes"]["energy"]), (2, 1))
    eq(a["verified_by"]["org"]["id"], ORG["center"])
    eq(a["verified_by"]["role"], "center")
    assert a["verified_by"]["key"] and a["verified_at"], a
    moves = [(x["from"], x["to"]) for x in a["revisions"]]
    eq(moves, [(None, "draft"), ("draft", "submitted"), ("submitted", "draft"),
               ("draft", "submitted"), ("submitted", "verified")])
    eq(a["revisions"][2]["reason"], "能耗台账缺少前年数据，请补充")
    eq(a["revisions"][2]["by"]["org"]["id"], ORG["center"])
    eq(a["revisions"][4]["scene_corrections"],
       {"finance": {"claimed": 3, "verified": 2}, "energy": {"claimed": 0, "verified": 1}})
    eq(a["revisions"][4]["reason"], "现场核验：财务系统未与业务集成")
    assert_error(write("POST", aid, "verify", key=CEN), 409, "conflict", "status")
    assert_error(write("POST", aid, "return", body={"reason": "x"}, key=CEN), 409, "conflict")
    # only now does the file carry a level
    r = request("GET", "/v1/orgs/%s/file" % ORG["ent"], key=ENT)
    eq((r.json["level"], r.json["assessment_id"], r.json["assessments"]), (1, aid, 2))
    eq(r.json["assessed_at"], a["verified_at"])


def test_only_verified_sets_the_file_level():
    # a better self-assessment, submitted but not verified, changes nothing
    r = create({"answers": {k: ["A"] if k != "it_coverage" else ["E"] for k in ANSWERS},
                "scenes": {k: 4 for k in SCENES}})
    assert_status(r, 201)
    assert_status(write("POST", r.json["id"], "submit"), 200)
    IDS["submitted"] = r.json["id"]
    eq(request("GET", "/v1/orgs/%s/file" % ORG["ent"], key=ENT).json["level"], 1)


def test_center_onsite_assessment_for_an_enterprise():
    assert_error(create(key=CEN), 422, "invalid_field", "org_id")
    assert_error(create(key=CEN, org_id=ORG["prov"]), 422, "invalid_field", "org_id")
    assert_error(create(key=CEN, org_id="org_nosuchorg0000000000"), 422, "invalid_field", "org_id")
    r = create(key=CEN, org_id=ORG["ent2"], answers={"network": ["C", "D"]})
    assert_status(r, 201)
    a = r.json
    eq((a["mode"], a["org"]["id"], a["created_by"]["org"]["id"]), ("onsite", ORG["ent2"], ORG["center"]))
    IDS["onsite"] = a["id"]
    # the enterprise reads it but only its creator changes it
    eq(get(a["id"], key=ENT2)["id"], a["id"])
    eq(write("PATCH", a["id"], body={"note": "x"}, key=ENT2).status, 403)
    eq(write("POST", a["id"], "submit", key=ENT2).status, 403)
    eq(write("PATCH", a["id"], body={"note": "x"}, key=CEN2).status, 403)
    assert_status(write("PATCH", a["id"], body={"note": "现场访谈"}, key=CEN), 200)
    # an enterprise assesses itself only, and not onsite
    eq(create(org_id=ORG["ent2"]).status, 403)
    assert_error(create(mode="onsite"), 422, "invalid_field", "mode")


def test_visibility_and_lists():
    aid = IDS["a"]
    assert_error(request("GET", "/v1/assessments/" + aid, key=ENT2), 404, "not_found")
    assert_error(request("PATCH", "/v1/assessments/" + aid, {"note": "x"}, key=ENT2), 404, "not_found")
    assert_error(request("GET", "/v1/assessments/" + aid, key=PROV), 403, "forbidden")
    assert_error(request("GET", "/v1/assessments/" + aid), 401, "unauthorized")
    assert_error(request("GET", "/v1/assessments/asmt_nosuchassessment00", key=CEN), 404, "not_found")
    get(aid, key=ADM)

    def ids(q, key):
        r = request("GET", "/v1/assessments" + q, key=key)
        assert_status(r, 200)
        lib.check_schema(r.json, "assessment-list")
        return [x["id"] for x in r.json["items"]]
    mine = ids("", ENT)
    assert aid in mine and IDS["onsite"] not in mine, mine
    eq(ids("?org_id=" + ORG["ent2"], ENT), [], "an enterprise sees only its own")
    eq(ids("?status=verified", CEN), [aid])
    eq(ids("?status=submitted", CEN), [IDS["submitted"]])
    eq(ids("?org_id=" + ORG["ent2"], CEN), [IDS["onsite"]])
    eq(ids("?level=1&status=verified", CEN), [aid])
    assert aid in ids("?district=%E4%B8%9C%E8%A5%BF%E6%B9%96%E5%8C%BA&industry=machinery", CEN)
    eq(ids("?industry=textile", CEN), [])
    page1 = request("GET", "/v1/assessments?limit=2", key=CEN).json
    page2 = request("GET", "/v1/assessments?limit=2&cursor=" + page1["next_cursor"], key=CEN).json
    assert not set(x["id"] for x in page1["items"]) & set(x["id"] for x in page2["items"])
    for q, f in (("?status=done", "status"), ("?level=9", "level"), ("?district=nowhere", "district"),
                 ("?industry=toys", "industry"), ("?cursor=xyz", "cursor")):
        assert_error(request("GET", "/v1/assessments" + q, key=CEN), 400, "bad_param", f)


# ------------------------------------------------------------ gaps and needs


def test_gaps_to_level_two():
    aid = IDS["a"]
    r = request("GET", "/v1/assessments/%s/gaps?target=2" % aid, key=ENT)
    assert_status(r, 200)
    lib.check_schema(r.json, "gaps")
    g = r.json
    eq((g["level"], g["target"], g["target_name"], g["reached"]), (1, 2, "二级", False))
    eq(g["score"], {"total": 37.475, "min_score": 40, "missing": 2.525})
    scenes = [s["code"] for s in g["scenes"]]
    # below step 2, constrained first (in the instrument's order), then the rest
    eq(scenes, ["product_design", "equipment", "safety", "energy", "process_design",
                "after_sales", "hr", "decision_support"])
    energy = g["scenes"][3]
    eq((energy["step"], energy["next_step"], energy["constrained"]), (1, 2, True))
    assert energy["next_text"] and energy["target_text"] == energy["next_text"], energy
    titles = [x["title"] for x in energy["resources"]]
    assert 1 <= len(titles) <= 3 and "注塑车间能耗在线监测平台" in titles, titles
    eq(g["questions"][0]["code"], "auto_collection")
    eq(g["questions"][0]["missing"], 7.9)
    # the default target is the next level; a bad one is 400
    eq(request("GET", "/v1/assessments/%s/gaps" % aid, key=CEN).json["target"], 2)
    r = request("GET", "/v1/assessments/%s/gaps?target=1" % aid, key=CEN)
    eq((r.json["reached"], r.json["score"]["missing"]), (True, 0))
    eq([s["code"] for s in r.json["scenes"]], ["decision_support"], "still below step 1")
    for t in ("0", "5", "two"):
        assert_error(request("GET", "/v1/assessments/%s/gaps?target=%s" % (aid, t), key=CEN),
                     400, "bad_param", "target")
    assert_error(request("GET", "/v1/assessments/%s/gaps" % aid, key=ENT2), 404, "not_found")
    assert_error(request("GET", "/v1/assessments/%s/gaps" % aid, key=PROV), 403, "forbidden")


def test_needs_from_gaps_start_as_drafts():
    aid = IDS["a"]
    url = "/v1/assessments/%s/needs" % aid
    for body, field in (({"scenes": []}, "scenes"), ({"scenes": ["teleport"]}, "scenes[0]"),
                        ({"scenes": ["energy", "energy"]}, "scenes[1]"),
                        ({"scenes": ["quality"]}, "scenes[0]"),
                        ({"scenes": ["energy"], "target": 7}, "target"),
                        ({"scenes": ["energy"], "budget": {"max": -1}}, "budget.max"),
                        ({"scenes": ["energy"], "score": 1}, "score")):
        assert_error(request("POST", url, body, key=ENT), 422, "invalid_field", field)
    assert_error(request("POST", url, {"scenes": ["energy"]}, key=ENT2), 404, "not_found")
    assert_error(request("POST", url, {"scenes": ["energy"]}, key=PROV), 403, "forbidden")
    r = request("POST", url, {"scenes": ["energy", "decision_support"], "target": 2,
                              "budget": {"max": 150000}}, key=ENT)
    assert_status(r, 201)
    lib.check_schema(r.json, "need-list")
    energy, decision = r.json["items"]
    for n in (energy, decision):
        eq((n["status"], n["assessment_id"], n["industry"], n["region"], n["enterprise_size"],
            n["target_level"], n["budget"]),
           ("draft", aid, "machinery", "湖北省", "small", 2, {"max": 150000}))
        eq(n["enterprise"]["id"], ORG["ent"])
        eq(n["contact"]["phone"], "13871230000")
    eq((energy["scenarios"], energy["current_level"]), (["energy"], 1))
    eq(decision["scenarios"], ["decision_support"])
    assert "current_level" not in decision, "step 0 is below the scale: left out"
    IDS["draft_need"] = energy["id"]
    IDS["draft_need2"] = decision["id"]
    # a center may make them for the enterprise too
    r = request("POST", url, {"scenes": ["safety"]}, key=CEN)
    assert_status(r, 201)
    eq(r.json["items"][0]["enterprise"]["id"], ORG["ent"])
    # a file without an industry cannot make needs
    r = request("POST", "/v1/assessments/%s/needs" % IDS["onsite"], {"scenes": ["energy"]}, key=CEN)
    assert_error(r, 409, "conflict", "industry")


def test_draft_needs_are_invisible_to_providers():
    nid = IDS["draft_need"]
    eq(request("GET", "/v1/needs/" + nid, key=ENT).json["status"], "draft")
    eq(request("GET", "/v1/needs/" + nid, key=CEN).json["status"], "draft")
    assert_error(request("GET", "/v1/needs/" + nid, key=PROV), 404, "not_found")
    assert_error(request("GET", "/v1/needs/%s/responses" % nid, key=PROV), 404, "not_found")
    assert_error(request("GET", "/v1/needs/%s/matches" % nid, key=PROV), 404, "not_found")
    assert_error(request("PATCH", "/v1/needs/" + nid, {"title": "x"}, key=PROV), 404, "not_found")
    res = request("GET", "/v1/resources?limit=100").json["items"]
    rid = [x["id"] for x in res if x["title"] == "注塑车间能耗在线监测平台"][0]
    assert_error(request("POST", "/v1/needs/%s/responses" % nid,
                         {"resource_id": rid, "message": "可上门"}, key=PROV), 404, "not_found")
    for status in ("all", "draft", "open"):
        r = request("GET", "/v1/needs?status=" + status, key=PROV)
        assert nid not in r.text, status
    mine = [n["id"] for n in request("GET", "/v1/needs?status=draft", key=ENT).json["items"]]
    assert nid in mine and IDS["draft_need2"] in mine, mine
    assert nid in request("GET", "/v1/needs?status=draft", key=CEN).text
    r = request("GET", "/v1/resources/%s/needs" % rid, key=PROV)
    assert_status(r, 200)
    assert nid not in r.text, "reverse matching never offers a draft"
    r = request("GET", "/v1/demand/clusters?min_size=1", key=CEN)
    assert nid not in r.text, "clusters never hold a draft"
    st = request("GET", "/v1/stats", key=CEN).json
    eq(st["needs"]["by_status"]["open"], 0)
    assert st["needs"]["by_status"]["draft"] >= 3, st["needs"]["by_status"]
    assert all(g["open_needs"] == 0 for g in st["supply_gaps"]) or not st["supply_gaps"], st["supply_gaps"]
    # published: now providers see it
    r = request("PATCH", "/v1/needs/" + nid, {"status": "open"}, key=ENT)
    assert_status(r, 200)
    eq((r.json["status"], r.json["assessment_id"]), ("open", IDS["a"]))
    assert_status(request("GET", "/v1/needs/" + nid, key=PROV), 200)
    assert nid in request("GET", "/v1/resources/%s/needs" % rid, key=PROV).text


def test_matching_ranks_with_the_verified_step():
    # a stored need without a level is ranked at the verified step of its scene
    body = {"title": "能耗想在线监测", "industry": "machinery", "scenarios": ["energy"],
            "region": "湖北省"}
    r = request("POST", "/v1/needs", body, key=ENT)
    assert_status(r, 201)
    nid = r.json["id"]
    assert "current_level" not in r.json, "the need is stored as given"
    stored = request("GET", "/v1/needs/%s/matches?explain=1&limit=20" % nid, key=ENT)
    assert_status(stored, 200)
    lib.check_schema(stored.json, "match")
    assert "current_level" not in stored.json["need"], "shown as stored"
    posted = request("POST", "/v1/match?explain=1&limit=20", body, key=ENT)
    s1 = {m["resource"]["id"]: m["score"] for m in stored.json["matches"]}
    s2 = {m["resource"]["id"]: m["score"] for m in posted.json["matches"]}
    eq(s2, s1, "POST /v1/match and the stored need agree")
    explicit = request("POST", "/v1/match?explain=1&limit=20", dict(body, current_level=1), key=ENT)
    eq({m["resource"]["id"]: m["explain"]["level"] for m in explicit.json["matches"]},
       {m["resource"]["id"]: m["explain"]["level"] for m in stored.json["matches"]},
       "the verified energy step is 1: the same as saying current_level 1")
    bare = request("POST", "/v1/match?explain=1&limit=20", body, key=CEN)
    lv = {m["resource"]["id"]: m["explain"]["level"] for m in stored.json["matches"]}
    assert all(m["explain"]["level"] < lv[m["resource"]["id"]] for m in bare.json["matches"]), \
        "a center's ad-hoc need has no enterprise: its level part is the neutral one"
    # the reverse direction gives the need the same score
    rid = stored.json["matches"][0]["resource"]["id"]
    back = request("GET", "/v1/resources/%s/needs?limit=100" % rid, key=PROV).json["needs"]
    eq([m["score"] for m in back if m["need"]["id"] == nid], [s1[rid]])
