"""
test_needs.py - enterprises' needs: publish, read, merge-patch, list with
filters and cursors, who may see what (and above all who may see the
enterprise's contact details), provider responses and their acceptance,
and the role checks of the matching routes that hang off a need.

The privacy rule under test: a need's contact is shown to the enterprise
that posted it, to centers and admins, and to a provider only once the
enterprise has accepted THAT provider's response - on GET one, on the
list, and in reverse matching (GET /v1/resources/{id}/needs).
"""

import re
import threading

import lib
from lib import assert_error, assert_status, eq, request

S = R = None
ENT = ENT2 = P1 = P2 = P3 = CEN = ADM = None
ENT_NAME = "武汉精工机械有限公司"
ENT2_NAME = "宁波甬达纺织有限公司"
P1_NAME = "华中智造科技"
P2_NAME = "长三角工业软件"
P3_NAME = "珠三角数智服务"
RES1 = RES2 = RES3 = RES1_OLD = None   # resources of P1, P2, P3; a withdrawn one of P1

CONTACT = {"name": "王建国", "phone": "13871234567", "email": "wangjg@jinggong.example.cn"}


def setup_module():
    global S, R, ENT, ENT2, P1, P2, P3, CEN, ADM, RES1, RES2, RES3, RES1_OLD
    R = lib.Redis()
    S = lib.use(lib.Server(redis=R))
    ENT = S.key("enterprise", ENT_NAME)
    ENT2 = S.key("enterprise", ENT2_NAME)
    P1 = S.key("provider", P1_NAME)
    P2 = S.key("provider", P2_NAME)
    P3 = S.key("provider", P3_NAME)
    CEN = S.key("center", "湖北省制造业数字化转型促进中心")
    ADM = S.key("admin", "运营方")
    RES1 = make_resource(P1, title="船舶分段焊接安全生产监测系统")
    RES2 = make_resource(P2, title="船厂高危作业安全监管平台")
    RES3 = make_resource(P3, title="船舶涂装车间安全巡检服务")
    RES1_OLD = make_resource(P1, title="已下架的安全巡检APP")
    assert_status(request("DELETE", "/v1/resources/" + RES1_OLD, key=P1), 200)


def teardown_module():
    try:
        if S:
            S.stop()
    finally:
        if R:
            R.stop()


# ------------------------------------------------------------ helpers


def make_resource(key, **over):
    body = lib.resource(industries=["shipbuilding"], scenarios=["safety", "equipment"],
                        regions=["全国"], tags=["安全生产", "船舶"], **over)
    r = request("POST", "/v1/resources", body, key=key)
    assert_status(r, 201)
    return r.json["id"]


def need(**over):
    """A valid need body; keyword arguments replace fields (None drops one)."""
    b = {
        "title": "冲压车间质量检测数字化改造",
        "description": "我厂主要生产汽车冲压件，月产能约200万件，希望引入在线质检，降低漏检率，"
                       "并把检测数据接入现有的MES。",
        "industry": "machinery",
        "scenarios": ["quality", "production_control"],
        "region": "湖北省",
        "budget": {"max": 300000},
        "enterprise_size": "small",
        "current_level": 1,
        "target_level": 2,
        "deadline": "2027-06-30",
        "contact": dict(CONTACT),
    }
    for k, v in over.items():
        if v is None:
            b.pop(k, None)
        else:
            b[k] = v
    return b


def check_need(j):
    lib.check_schema(j, "need")
    assert j["id"].startswith("need_"), j
    lib.assert_time(j.get("created_at"), "created_at")
    lib.assert_time(j.get("updated_at"), "updated_at")
    return j


def create(body=None, key=None, **over):
    r = request("POST", "/v1/needs", body if body is not None else need(**over), key=key or ENT)
    assert_status(r, 201)
    return check_need(r.json)


def ship_need(key=None, **over):
    """A need that RES1..RES3 (shipbuilding, safety) fit, for reverse matching."""
    over.setdefault("title", "船厂分段车间安全生产数字化监管")
    over.setdefault("description", "我们是一家中型船厂，希望对焊接、涂装等高危作业做安全监测。")
    over.setdefault("industry", "shipbuilding")
    over.setdefault("scenarios", ["safety"])
    over.setdefault("region", "湖北省")
    return create(key=key, **over)


def get(nid, key):
    r = request("GET", "/v1/needs/" + nid, key=key)
    assert_status(r, 200)
    return check_need(r.json)


def patch(nid, body, key=None, **kw):
    return request("PATCH", "/v1/needs/" + nid, body, key=key or ENT, **kw)


def fresh_enterprise():
    name = lib.uniq("测试企业")
    return S.key("enterprise", name), name


def list_all(query, key):
    """Every item of GET /v1/needs?query for key, walking the cursor."""
    items, cur, pages = [], None, 0
    while True:
        pages += 1
        assert pages <= 50, "cursor walk does not end"
        q = query + ("&" if query else "") + "limit=100" + ("&cursor=" + cur if cur else "")
        r = request("GET", "/v1/needs?" + q, key=key)
        assert_status(r, 200)
        assert set(r.json) == {"items", "next_cursor"}, r
        for it in r.json["items"]:
            check_need(it)
        items += r.json["items"]
        cur = r.json["next_cursor"]
        if cur is None:
            return items


def list_ids(query, key):
    return [it["id"] for it in list_all(query, key)]


def find(items, nid):
    got = [it for it in items if it["id"] == nid]
    assert len(got) == 1, "need %s listed %d times" % (nid, len(got))
    return got[0]


def respond(nid, key, rid, status=201, **extra):
    body = {"resource_id": rid, "message": "我们在船舶行业有多个落地案例，可两周内上门调研。",
            "quote": 180000}
    body.update(extra)
    r = request("POST", "/v1/needs/%s/responses" % nid, body, key=key)
    assert_status(r, status)
    return r.json


def check_response(j, nid, rid, provider_name):
    assert isinstance(j.get("id"), str) and j["id"].startswith("resp_"), j
    eq(j.get("need_id"), nid, "need_id")
    eq(j.get("resource_id"), rid, "resource_id")
    prov = j.get("provider")
    assert isinstance(prov, dict) and prov.get("name") == provider_name, j
    assert prov.get("id", "").startswith("org_"), j
    assert j.get("status") in ("pending", "accepted"), j
    lib.assert_time(j.get("created_at"), "created_at")
    lib.assert_time(j.get("updated_at"), "updated_at")
    assert "contact" not in j, "a response carries no contact: %r" % j


def reverse(rid, key, query="limit=100"):
    r = request("GET", "/v1/resources/%s/needs?%s" % (rid, query), key=key)
    assert_status(r, 200)
    j = r.json
    assert isinstance(j, dict) and isinstance(j.get("needs"), list), r
    eq(j["resource"]["id"], rid, "resource.id")
    for m in j["needs"]:
        check_need(m["need"])
        eq(m["need"]["status"], "open", "reverse matching lists open needs only")
    return j


def reverse_find(rid, key, nid):
    got = [m["need"] for m in reverse(rid, key)["needs"] if m["need"]["id"] == nid]
    assert len(got) == 1, "need %s not listed once in the opportunities of %s" % (nid, rid)
    return got[0]


# ------------------------------------------------------------ create / read


def test_create_returns_full_need():
    body = need()
    r = request("POST", "/v1/needs", body, key=ENT)
    assert_status(r, 201)
    j = check_need(r.json)
    for k, v in body.items():
        eq(j.get(k), v, k)
    ent = j.get("enterprise")
    assert isinstance(ent, dict) and ent.get("name") == ENT_NAME, ent
    assert ent.get("id", "").startswith("org_"), ent
    eq(j.get("status"), "open", "status")
    eq(j.get("version"), 1, "version")
    eq(j["created_at"], j["updated_at"], "updated_at of a new need")
    eq(r.headers.get("Location"), "/v1/needs/" + j["id"], "Location")
    eq(r.headers.get("ETag"), '"1"', "ETag")
    assert "application/json" in (r.headers.get("Content-Type") or ""), r.headers
    eq(get(j["id"], ENT), j, "GET by the owner equals the create answer")


def test_minimal_need():
    body = {"title": "想上一套ERP", "industry": "food", "scenarios": ["finance"]}
    j = create(body)
    for k in ("description", "region", "budget", "enterprise_size", "current_level",
              "target_level", "deadline", "contact"):
        assert k not in j, "%s invented for a minimal need: %r" % (k, j)
    eq(j["status"], "open")


def test_ids_distinct():
    ids = {create(title="需求%d" % i)["id"] for i in range(5)}
    eq(len(ids), 5, "distinct ids")


def test_unicode_round_trip():
    title = "「智能排产」＆ＡＰＳ 🚀 \"引号\" \\ 反斜杠 <b>标签</b>"
    j = create(title=title, description="第一行\n第二行\t制表符\u3000全角空格")
    g = get(j["id"], ENT)
    eq(g["title"], title, "title")
    eq(g["description"], "第一行\n第二行\t制表符\u3000全角空格", "description")


def test_edges_accepted():
    j = create(title="数" * 120, description="述" * 20000, current_level=4, target_level=4,
               budget={"max": 0}, deadline="2028-02-29", region="全国")
    eq(len(j["title"]), 120)
    eq(len(j["description"]), 20000)
    eq((j["current_level"], j["target_level"]), (4, 4), "levels")
    create(current_level=1, target_level=4, budget={"max": 1e9},
           contact={"name": "李"}, enterprise_size="micro")
    for size in ("micro", "small", "medium", "large"):
        eq(create(enterprise_size=size)["enterprise_size"], size)


def test_create_role_checks():
    for k, who in ((P1, "provider"), (CEN, "center"), (ADM, "admin")):
        r = request("POST", "/v1/needs", need(), key=k)
        assert r.status == 403 and r.code == "forbidden", "%s key: %r" % (who, r)
    assert_error(request("POST", "/v1/needs", need()), 401, "unauthorized")
    assert_error(request("POST", "/v1/needs", need(), key="sk_not_a_real_key"), 401,
                 "unauthorized")


def test_get_owner_center_admin_see_contact():
    j = create()
    for k, who in ((ENT, "owner"), (CEN, "center"), (ADM, "admin")):
        g = get(j["id"], k)
        eq(g, j, "%s sees the whole need" % who)
        eq(g.get("contact"), CONTACT, "contact for the %s" % who)


def test_get_provider_contact_hidden():
    j = create()
    for k in (P1, P2, P3):
        g = get(j["id"], k)
        assert "contact" not in g, "contact shown to a provider without an accepted response: %r" % g
        want = dict(j)
        del want["contact"]
        eq(g, want, "the rest of the need is shown to providers")


def test_get_other_enterprise_404():
    j = create()
    assert_error(request("GET", "/v1/needs/" + j["id"], key=ENT2), 404, "not_found")
    k, _ = fresh_enterprise()
    assert_error(request("GET", "/v1/needs/" + j["id"], key=k), 404, "not_found")


def test_get_needs_a_key():
    j = create()
    assert_error(request("GET", "/v1/needs/" + j["id"]), 401, "unauthorized")
    assert_error(request("GET", "/v1/needs/" + j["id"], key="sk_bogus"), 401, "unauthorized")


def test_get_unknown_ids_404():
    for nid in ("need_doesnotexist", "need_", "xyz", "res_abc", "need_%E4%B8%AD",
                "need_'%20OR%201=1%20--", "need_" + "9" * 300):
        for k in (ENT, CEN, P1):
            r = request("GET", "/v1/needs/" + nid, key=k)
            assert r.status == 404 and r.code == "not_found", "id %s: %r" % (nid, r)


# ------------------------------------------------------------ validation

INVALID = [
    ("missing_title", {"title": None}, "title"),
    ("title_empty", {"title": ""}, "title"),
    ("title_null", {"title": "<null>"}, "title"),
    ("title_number", {"title": 12}, "title"),
    ("title_121", {"title": "需" * 121}, "title"),
    ("description_20001", {"description": "d" * 20001}, "description"),
    ("description_array", {"description": ["a"]}, "description"),
    ("missing_industry", {"industry": None}, "industry"),
    ("industry_unknown", {"industry": "spaceships"}, "industry"),
    ("industry_chinese_name", {"industry": "机械"}, "industry"),
    ("industry_array", {"industry": ["machinery"]}, "industry"),
    ("missing_scenarios", {"scenarios": None}, "scenarios"),
    ("scenarios_empty", {"scenarios": []}, "scenarios"),
    ("scenarios_string", {"scenarios": "quality"}, "scenarios"),
    ("scenarios_unknown_at_1", {"scenarios": ["quality", "teleportation"]}, "scenarios[1]"),
    ("scenarios_group_not_code", {"scenarios": ["production"]}, "scenarios[0]"),
    ("scenarios_repeated", {"scenarios": ["quality", "quality"]}, "scenarios[1]"),
    ("region_unknown", {"region": "火星"}, "region"),
    ("region_city", {"region": "武汉市"}, "region"),
    ("region_array", {"region": ["湖北省"]}, "region"),
    ("budget_number", {"budget": 100000}, "budget"),
    ("budget_max_string", {"budget": {"max": "100000"}}, "budget.max"),
    ("budget_max_negative", {"budget": {"max": -1}}, "budget.max"),
    ("budget_without_max", {"budget": {}}, "budget.max"),
    ("budget_unknown_member", {"budget": {"max": 1, "min": 0}}, "budget.min"),
    ("size_unknown", {"enterprise_size": "huge"}, "enterprise_size"),
    ("size_chinese", {"enterprise_size": "小型"}, "enterprise_size"),
    ("current_level_0", {"current_level": 0}, "current_level"),
    ("current_level_5", {"current_level": 5}, "current_level"),
    ("current_level_string", {"current_level": "2"}, "current_level"),
    ("current_level_fraction", {"current_level": 1.5}, "current_level"),
    ("target_level_5", {"target_level": 5}, "target_level"),
    ("target_level_0", {"target_level": 0}, "target_level"),
    ("target_below_current", {"current_level": 3, "target_level": 2}, "target_level"),
    ("deadline_words", {"deadline": "明年三月"}, "deadline"),
    ("deadline_no_such_day", {"deadline": "2027-02-31"}, "deadline"),
    ("deadline_number", {"deadline": 20270331}, "deadline"),
    ("deadline_month_13", {"deadline": "2027-13-01"}, "deadline"),
    ("contact_string", {"contact": "王工 138..."}, "contact"),
    ("contact_email_no_at", {"contact": {"name": "王工", "email": "wang.example.cn"}},
     "contact.email"),
    ("contact_phone_number", {"contact": {"phone": 13800000000}}, "contact.phone"),
    ("contact_name_empty", {"contact": {"name": ""}}, "contact.name"),
    ("contact_unknown_member", {"contact": {"name": "王工", "wechat": "wg"}}, "contact.wechat"),
    ("unknown_top_level_field", {"foo": 1}, "foo"),
    ("status_is_server_set", {"status": "matched"}, "status"),
    ("id_is_server_set", {"id": "need_mine"}, "id"),
    ("enterprise_is_server_set", {"enterprise": {"id": "org_x", "name": "冒名"}}, "enterprise"),
]


def _make_invalid_test(change, field):
    def t():
        body = need()
        for k, v in change.items():
            if v is None:
                body.pop(k, None)
            elif v == "<null>":
                body[k] = None
            else:
                body[k] = v
        r = request("POST", "/v1/needs", body, key=ENT)
        if r.status == 201:
            _repair(r.json["id"])
        assert_error(r, 422, "invalid_field", field)
    return t


def _repair(nid, key=None):
    """A need the server should have refused was stored: give it a valid
    deadline and close it, so that later list tests (which validate every
    need they see against the schema) are not failed by it."""
    patch(nid, {"deadline": "2027-06-30", "status": "closed"}, key=key, check=False)


for _name, _change, _field in INVALID:
    globals()["test_invalid_" + _name] = _make_invalid_test(_change, _field)
del _name, _change, _field


def test_invalid_create_stores_nothing():
    k, _ = fresh_enterprise()
    r = request("POST", "/v1/needs", need(industry="nope"), key=k)
    assert_error(r, 422, "invalid_field", "industry")
    r = request("POST", "/v1/needs", need(current_level=4, target_level=1), key=k)
    assert_error(r, 422, "invalid_field", "target_level")
    eq(list_ids("", k), [], "nothing listed after rejected creates")


def test_deadline_is_a_date():
    """The contract says deadline is a date; whatever the server accepts it
    must hand back in the need's shape (YYYY-MM-DD)."""
    bad = []
    for d in ("2027-03-31T10:00:00Z", "2027-3-5", " 2027-03-31", "2027-03-31x"):
        r = request("POST", "/v1/needs", need(deadline=d), key=ENT)
        if r.status == 201:
            _repair(r.json["id"])
            if not re.match(r"^\d{4}-\d{2}-\d{2}$", r.json.get("deadline", "")):
                bad.append("%r accepted and returned as %r" % (d, r.json.get("deadline")))
        elif not (r.status == 422 and r.code == "invalid_field" and r.field == "deadline"):
            bad.append("%r: %r" % (d, r))
    assert not bad, "deadline must be a date (422 or stored as YYYY-MM-DD): " + "; ".join(bad)


# ------------------------------------------------------------ PATCH


def test_patch_merges():
    j = create()
    r = patch(j["id"], {"title": "冲压件视觉质检改造（二期）", "description": None,
                        "contact": {"phone": None, "email": "li@jinggong.example.cn"},
                        "budget": {"max": 450000}})
    assert_status(r, 200)
    p = check_need(r.json)
    eq(p["title"], "冲压件视觉质检改造（二期）")
    assert "description" not in p, "description: null should remove it: %r" % p
    eq(p["contact"], {"name": CONTACT["name"], "email": "li@jinggong.example.cn"}, "contact")
    eq(p["budget"], {"max": 450000}, "budget")
    eq(p["industry"], j["industry"], "untouched field")
    eq(p["status"], "open", "status untouched")
    eq(p["version"], 2, "version")
    eq(p["id"], j["id"])
    eq(p["enterprise"], j["enterprise"], "enterprise")
    eq(p["created_at"], j["created_at"], "created_at")
    assert p["updated_at"] >= j["updated_at"], p
    eq(r.headers.get("ETag"), '"2"', "ETag")
    eq(get(j["id"], ENT), p, "GET after PATCH")


def test_patch_merge_patch_content_type():
    j = create()
    r = patch(j["id"], {"enterprise_size": "medium"}, ctype="application/merge-patch+json")
    assert_status(r, 200)
    eq(r.json["enterprise_size"], "medium")
    eq(r.json["version"], 2)


def test_patch_versions_count_up():
    j = create()
    for v in range(2, 6):
        r = patch(j["id"], {"budget": {"max": v * 10000}})
        assert_status(r, 200)
        eq(r.json["version"], v, "version")


def test_patch_owner_only():
    j = create()
    path = "/v1/needs/" + j["id"]
    for k, who in ((P1, "provider"), (CEN, "center"), (ADM, "admin")):
        r = request("PATCH", path, {"title": "被改了"}, key=k)
        assert r.status == 403 and r.code == "forbidden", "%s: %r" % (who, r)
        r = request("PATCH", path, {"status": "closed"}, key=k)
        assert r.status == 403 and r.code == "forbidden", "%s closing: %r" % (who, r)
    assert_error(request("PATCH", path, {"title": "被改了"}, key=ENT2), 404, "not_found")
    assert_error(request("PATCH", path, {"title": "被改了"}), 401, "unauthorized")
    assert_error(request("PATCH", "/v1/needs/need_nope", {"title": "x"}, key=ENT), 404,
                 "not_found")
    eq(get(j["id"], ENT), j, "unchanged (and still version 1)")


def test_patch_validation():
    j = create(current_level=2, target_level=3)
    nid = j["id"]
    cases = [
        ({"title": None}, "title"),
        ({"industry": None}, "industry"),
        ({"industry": "spaceships"}, "industry"),
        ({"scenarios": ["quality", "x"]}, "scenarios[1]"),
        ({"target_level": 1}, "target_level"),
        ({"current_level": 4}, "target_level"),
        ({"budget": {"max": -5}}, "budget.max"),
        ({"contact": {"email": "nope"}}, "contact.email"),
        ({"deadline": "2027-02-30"}, "deadline"),
        ({"bar": 1}, "bar"),
        ({"id": "need_other"}, "id"),
        ({"status": "matched"}, "status"),
        ({"status": "in_campaign"}, "status"),
        ({"status": "deleted"}, "status"),
        ({"status": 1}, "status"),
    ]
    bad = []
    for body, field in cases:
        r = patch(nid, body)
        if not (r.status == 422 and r.code == "invalid_field" and r.field == field):
            bad.append("PATCH %r: want 422 field %s, got %r" % (body, field, r))
    if bad:
        _repair(nid)
    assert not bad, "\n".join(bad)
    eq(get(nid, ENT), j, "need unchanged (version 1) after rejected PATCHes")


def test_patch_status_close_and_reopen():
    j = create(title="关闭再开启的需求")
    nid = j["id"]
    r = patch(nid, {"status": "closed"})
    assert_status(r, 200)
    check_need(r.json)
    eq(r.json["status"], "closed")
    eq(r.json["version"], 2)
    eq(r.json["title"], j["title"], "closing changes nothing else")
    eq(get(nid, P1)["status"], "closed", "provider sees it closed")
    assert nid not in list_ids("", P1), "closed need in a provider's default (open) list"
    assert nid in list_ids("status=closed", P1), "closed need missing from status=closed"
    assert nid in list_ids("", ENT), "owner's default list holds all statuses"
    r = patch(nid, {"status": "open", "title": "重新开启的需求"})
    assert_status(r, 200)
    eq((r.json["status"], r.json["title"], r.json["version"]), ("open", "重新开启的需求", 3))
    assert nid in list_ids("", P1), "reopened need back in the open list"


def test_patch_reindexes_filters():
    k, _ = fresh_enterprise()
    j = create(key=k, industry="textile", scenarios=["quality"], region="浙江省")
    r = patch(j["id"], {"industry": "steel", "scenarios": ["energy"], "region": "河北省"}, key=k)
    assert_status(r, 200)
    eq(list_ids("industry=textile", k), [], "old industry still indexed")
    eq(list_ids("scenario=quality", k), [], "old scenario still indexed")
    eq(list_ids("region=%E6%B5%99%E6%B1%9F%E7%9C%81", k), [], "old region still indexed")
    eq(list_ids("industry=steel&scenario=energy&region=%E6%B2%B3%E5%8C%97%E7%9C%81", k),
       [j["id"]], "new industry, scenario and region")
    r = patch(j["id"], {"region": None}, key=k)
    assert_status(r, 200)
    assert "region" not in r.json, r
    eq(list_ids("region=%E6%B2%B3%E5%8C%97%E7%9C%81", k), [], "removed region still indexed")


def test_patch_body_must_be_an_object():
    j = create()
    for raw in ("[1, 2]", '"closed"', "42"):
        r = request("PATCH", "/v1/needs/" + j["id"], raw=raw, key=ENT)
        assert r.status in (400, 422), "PATCH body %s: %r" % (raw, r)
    eq(get(j["id"], ENT), j, "unchanged")


def test_if_match():
    j = create()
    nid = j["id"]
    r = patch(nid, {"budget": {"max": 1}}, headers={"If-Match": '"1"'})
    assert_status(r, 200)
    eq(r.json["version"], 2)
    assert_error(patch(nid, {"budget": {"max": 2}}, headers={"If-Match": '"1"'}), 409,
                 "conflict")
    assert_error(patch(nid, {"budget": {"max": 3}}, headers={"If-Match": '"99"'}), 409,
                 "conflict")
    assert_error(patch(nid, {"status": "closed"}, headers={"If-Match": '"1"'}), 409, "conflict")
    g = get(nid, ENT)
    eq((g["version"], g["budget"], g["status"]), (2, {"max": 1}, "open"), "unchanged by the 409s")
    r = patch(nid, {"budget": {"max": 4}}, headers={"If-Match": "2"})
    assert_status(r, 200)
    eq(r.json["version"], 3, "bare If-Match accepted")
    eq(r.headers.get("ETag"), '"3"')
    r = patch(nid, {"budget": {"max": 5}}, headers={"If-Match": "abc"})
    assert r.status == 400 and r.code == "bad_param", r


def test_if_match_race_one_winner():
    j = create()
    results = []

    def worker(i):
        r = patch(j["id"], {"budget": {"max": 1000 * (i + 1)}}, headers={"If-Match": '"1"'})
        results.append((r.status, r.code))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eq(len(results), 8, "all answered")
    eq([x[0] for x in results].count(200), 1, "exactly one If-Match \"1\" PATCH wins (%r)" % results)
    assert all(x == (409, "conflict") for x in results if x[0] != 200), results
    eq(get(j["id"], ENT)["version"], 2, "version")


# ------------------------------------------------------------ list


def test_list_visibility_by_role():
    k, name = fresh_enterprise()
    a = create(key=k, title="列表可见性A")["id"]
    b = create(key=k, title="列表可见性B")["id"]
    c = create(key=k, title="列表可见性C")["id"]
    assert_status(patch(c, {"status": "closed"}, key=k), 200)
    mine = list_all("", k)
    eq([it["id"] for it in mine], [c, b, a], "an enterprise lists its own needs, all statuses, newest first")
    for it in mine:
        eq(it.get("contact"), CONTACT, "owner sees the contact in the list")
        eq(it["enterprise"]["name"], name)
    other = list_ids("status=all", ENT2)
    assert not {a, b, c} & set(other), "another enterprise lists someone else's needs"
    for key_, who in ((P1, "provider"), (CEN, "center"), (ADM, "admin")):
        items = list_all("", key_)
        ids = [it["id"] for it in items]
        assert a in ids and b in ids, "%s misses open needs" % who
        assert c not in ids, "%s default list holds a closed need" % who
        assert all(it["status"] == "open" for it in items), "%s default is status=open" % who
        all_ids = list_ids("status=all", key_)
        assert c in all_ids, "%s status=all misses the closed need" % who
    for it in list_all("status=all", P1):
        if it["id"] in (a, b, c):
            assert "contact" not in it, \
                "provider P1 sees a contact in the list without an accepted response: %r" % it
    for it in list_all("status=all", CEN):
        if it["id"] in (a, b, c):
            eq(it.get("contact"), CONTACT, "center sees the contact in the list")


def test_list_filters():
    k, _ = fresh_enterprise()
    a = create(key=k, industry="textile", scenarios=["quality"], region="浙江省")["id"]
    b = create(key=k, industry="textile", scenarios=["energy", "planning"], region="江苏省")["id"]
    c = create(key=k, industry="steel", scenarios=["energy"], region="浙江省")["id"]
    d = create(key=k, industry="food", scenarios=["finance"], region=None)["id"]
    assert_status(patch(d, {"status": "closed"}, key=k), 200)

    def q(s):
        return set(list_ids(s, k))

    eq(q(""), {a, b, c, d}, "no filter")
    eq(q("industry=textile"), {a, b}, "industry")
    eq(q("industry=textile&industry=steel"), {a, b, c}, "industry OR (repeated)")
    eq(q("industry=textile,steel"), {a, b, c}, "industry OR (comma list)")
    eq(q("scenario=energy"), {b, c}, "scenario")
    eq(q("scenario=planning&scenario=quality"), {a, b}, "scenario OR")
    eq(q("region=%E6%B5%99%E6%B1%9F%E7%9C%81"), {a, c}, "region 浙江省")
    eq(q("industry=textile&scenario=energy"), {b}, "AND across fields")
    eq(q("status=open"), {a, b, c}, "status=open")
    eq(q("status=closed"), {d}, "status=closed")
    eq(q("status=matched"), set(), "status=matched")
    eq(q("status=all&industry=food"), {d}, "status=all with industry")
    eq(q("industry=pharma"), set(), "no match")
    # The same filters as a center (who sees every enterprise's needs).
    got = set(list_ids("industry=textile&scenario=energy", CEN))
    assert b in got and not {a, c, d} & got, got


def test_list_bad_params():
    for qs in ("limit=0", "limit=101", "limit=abc", "limit=-1", "industry=spaceships",
               "industry=textile&industry=nope", "scenario=teleportation",
               "region=%E7%81%AB%E6%98%9F", "status=deleted", "status=OPEN", "cursor=garbage",
               "cursor=c1zz", "cursor=%00%FF", "cursor=" + "A" * 500):
        for k in (P1, ENT):
            r = request("GET", "/v1/needs?" + qs, key=k)
            assert r.status == 400 and r.code == "bad_param", "%s: %r" % (qs, r)


def test_list_needs_a_key():
    assert_error(request("GET", "/v1/needs"), 401, "unauthorized")


def test_list_cursor_walk():
    k, _ = fresh_enterprise()
    made = [create(key=k, title="分页需求%02d" % i)["id"] for i in range(7)]
    seen, sizes, cur, pages = [], [], None, 0
    while True:
        pages += 1
        assert pages <= 5, "cursor walk does not end"
        r = request("GET", "/v1/needs?limit=3" + ("&cursor=" + cur if cur else ""), key=k)
        assert_status(r, 200)
        seen += [it["id"] for it in r.json["items"]]
        sizes.append(len(r.json["items"]))
        cur = r.json["next_cursor"]
        if cur is None:
            break
        assert isinstance(cur, str) and cur, r
    eq(sizes, [3, 3, 1], "page sizes")
    eq(seen, made[::-1], "every need once, newest first")
    r = request("GET", "/v1/needs?limit=7", key=k)
    eq((len(r.json["items"]), r.json["next_cursor"]), (7, None), "exact fit has no cursor")


# ------------------------------------------------------------ responses


def test_response_create():
    j = ship_need()
    r = request("POST", "/v1/needs/%s/responses" % j["id"],
                {"resource_id": RES1, "message": "可提供焊接烟尘与动火作业监测", "quote": 120000.5},
                key=P1)
    assert_status(r, 201)
    check_response(r.json, j["id"], RES1, P1_NAME)
    eq(r.json["status"], "pending", "a new response is pending")
    eq(r.json["message"], "可提供焊接烟尘与动火作业监测")
    eq(r.json["quote"], 120000.5, "quote")
    # a response without message and quote
    k = S.key("provider", P1_NAME)          # a second key of the same organisation
    other = make_resource(k, title="船舶安全帽智能识别")
    r = request("POST", "/v1/needs/%s/responses" % j["id"], {"resource_id": other}, key=k)
    assert_status(r, 201)
    check_response(r.json, j["id"], other, P1_NAME)
    assert r.json.get("quote") is None, r
    eq(get(j["id"], ENT)["status"], "open", "responding leaves the need open")


def test_response_duplicate_409():
    j = ship_need()
    respond(j["id"], P2, RES2)
    r = request("POST", "/v1/needs/%s/responses" % j["id"], {"resource_id": RES2}, key=P2)
    assert_error(r, 409, "conflict")
    r = request("GET", "/v1/needs/%s/responses" % j["id"], key=ENT)
    eq(len(r.json["items"]), 1, "the duplicate stored nothing")


def test_response_role_checks():
    j = ship_need()
    path = "/v1/needs/%s/responses" % j["id"]
    body = {"resource_id": RES1, "message": "x"}
    for k, who in ((ENT, "owner enterprise"), (ENT2, "other enterprise"), (CEN, "center"),
                   (ADM, "admin")):
        r = request("POST", path, body, key=k)
        assert r.status == 403 and r.code == "forbidden", "%s: %r" % (who, r)
    assert_error(request("POST", path, body), 401, "unauthorized")
    assert_error(request("POST", "/v1/needs/need_nope/responses", body, key=P1), 404,
                 "not_found")


def test_response_validation():
    j = ship_need()
    path = "/v1/needs/%s/responses" % j["id"]
    cases = [
        ({"message": "没有资源"}, "resource_id"),
        ({"resource_id": ""}, "resource_id"),
        ({"resource_id": 5}, "resource_id"),
        ({"resource_id": RES2}, "resource_id"),          # P2's resource
        ({"resource_id": "res_doesnotexist"}, "resource_id"),
        ({"resource_id": RES1_OLD}, "resource_id"),      # P1's, withdrawn
        ({"resource_id": RES1, "quote": -1}, "quote"),
        ({"resource_id": RES1, "quote": "十万"}, "quote"),
        ({"resource_id": RES1, "message": "长" * 2001}, "message"),
        ({"resource_id": RES1, "message": 7}, "message"),
        ({"resource_id": RES1, "price": 1}, "price"),
    ]
    for body, field in cases:
        r = request("POST", path, body, key=P1)
        assert r.status == 422 and r.code == "invalid_field" and r.field == field, \
            "POST %r: want 422 field %s, got %r" % (body, field, r)
    r = request("GET", path, key=ENT)
    eq(r.json["items"], [], "rejected responses stored nothing")


def test_closed_need_refuses_responses():
    j = ship_need()
    assert_status(patch(j["id"], {"status": "closed"}), 200)
    r = request("POST", "/v1/needs/%s/responses" % j["id"], {"resource_id": RES1}, key=P1)
    assert_error(r, 409, "conflict")
    eq(request("GET", "/v1/needs/%s/responses" % j["id"], key=ENT).json["items"], [],
       "nothing stored")
    assert_status(patch(j["id"], {"status": "open"}), 200)
    respond(j["id"], P1, RES1)


def test_responses_list_visibility():
    j = ship_need()
    nid = j["id"]
    r1 = respond(nid, P1, RES1)
    r2 = respond(nid, P2, RES2)
    path = "/v1/needs/%s/responses" % nid
    for k, who in ((ENT, "owner"), (CEN, "center"), (ADM, "admin")):
        r = request("GET", path, key=k)
        assert_status(r, 200)
        ids = [x["id"] for x in r.json["items"]]
        eq(sorted(ids), sorted([r1["id"], r2["id"]]), "%s sees every response" % who)
        for x in r.json["items"]:
            check_response(x, nid, x["resource_id"], x["provider"]["name"])
    r = request("GET", path, key=P1)
    assert_status(r, 200)
    eq([x["id"] for x in r.json["items"]], [r1["id"]], "P1 sees only its own response")
    eq(r.json["items"][0], r1, "P1's response as created")
    r = request("GET", path, key=P2)
    eq([x["id"] for x in r.json["items"]], [r2["id"]], "P2 sees only its own response")
    r = request("GET", path, key=P3)
    assert_status(r, 200)
    eq(r.json["items"], [], "a provider that did not respond sees none")
    assert_error(request("GET", path, key=ENT2), 404, "not_found")
    assert_error(request("GET", path), 401, "unauthorized")
    assert_error(request("GET", "/v1/needs/need_nope/responses", key=ENT), 404, "not_found")


# ------------------------------------------------------------ acceptance and contact


def test_accept_reveals_contact_only_to_that_provider():
    j = ship_need(title="船体分段焊接车间安全监测", contact=dict(CONTACT))
    nid = j["id"]
    r1 = respond(nid, P1, RES1)
    r2 = respond(nid, P2, RES2)
    # Before acceptance nobody on the provider side sees the contact.
    for k in (P1, P2, P3):
        assert "contact" not in get(nid, k), "contact shown before acceptance"
        assert "contact" not in find(list_all("", k), nid), "contact in the list before acceptance"
    for k, rid in ((P1, RES1), (P2, RES2), (P3, RES3)):
        assert "contact" not in reverse_find(rid, k, nid), "contact in reverse matching before acceptance"

    r = request("POST", "/v1/needs/%s/responses/%s/accept" % (nid, r1["id"]), key=ENT)
    assert_status(r, 200)
    check_response(r.json, nid, RES1, P1_NAME)
    eq(r.json["id"], r1["id"])
    eq(r.json["status"], "accepted", "response status after accept")
    n = get(nid, ENT)
    eq(n["status"], "matched", "need status after accept")
    eq(n["version"], 2, "accepting bumps the need's version")

    # The accepted provider now sees the contact, on GET one and in the list.
    eq(get(nid, P1).get("contact"), CONTACT, "accepted provider sees the contact (GET)")
    eq(find(list_all("status=matched", P1), nid).get("contact"), CONTACT,
       "accepted provider sees the contact (list)")
    eq(find(list_all("status=all", P1), nid).get("contact"), CONTACT,
       "accepted provider sees the contact (list, status=all)")
    # Another responding provider and a bystander still do not.
    for k, who in ((P2, "the other responding provider"), (P3, "a bystander provider")):
        assert "contact" not in get(nid, k), "%s sees the contact (GET)" % who
        assert "contact" not in find(list_all("status=matched", k), nid), \
            "%s sees the contact (list)" % who
    # Responses: P1's accepted, P2's still pending.
    items = request("GET", "/v1/needs/%s/responses" % nid, key=ENT).json["items"]
    eq({x["id"]: x["status"] for x in items}, {r1["id"]: "accepted", r2["id"]: "pending"},
       "response statuses")

    # Reverse matching lists open needs only: the owner reopens it.
    assert_status(patch(nid, {"status": "open"}), 200)
    eq(reverse_find(RES1, P1, nid).get("contact"), CONTACT,
       "accepted provider sees the contact in reverse matching")
    assert "contact" not in reverse_find(RES2, P2, nid), "P2 sees the contact in reverse matching"
    assert "contact" not in reverse_find(RES3, P3, nid), "P3 sees the contact in reverse matching"
    eq(reverse_find(RES2, CEN, nid).get("contact"), CONTACT, "a center sees the contact")


def test_accepting_a_second_response_reveals_to_that_provider_too():
    j = ship_need(title="船厂消防与动火作业监管（两家对接）")
    r1 = respond(j["id"], P1, RES1)
    r2 = respond(j["id"], P2, RES2)
    respond(j["id"], P3, RES3)
    for rr in (r1, r2):
        r = request("POST", "/v1/needs/%s/responses/%s/accept" % (j["id"], rr["id"]), key=ENT)
        assert_status(r, 200)
        eq(r.json["status"], "accepted")
    eq(get(j["id"], P1).get("contact"), CONTACT, "first accepted provider")
    eq(get(j["id"], P2).get("contact"), CONTACT, "second accepted provider")
    assert "contact" not in get(j["id"], P3), "the provider not accepted"
    eq(get(j["id"], ENT)["status"], "matched")
    # accepting again is harmless
    r = request("POST", "/v1/needs/%s/responses/%s/accept" % (j["id"], r1["id"]), key=ENT)
    assert_status(r, 200)
    eq(r.json["status"], "accepted")


def test_acceptance_is_per_need():
    """A provider accepted on one need sees no contact on the same
    enterprise's other needs."""
    a = ship_need(title="甲需求：船坞安全监测")
    b = ship_need(title="乙需求：涂装车间有限空间监测")
    ra = respond(a["id"], P2, RES2)
    respond(b["id"], P2, RES2)
    assert_status(request("POST", "/v1/needs/%s/responses/%s/accept" % (a["id"], ra["id"]),
                          key=ENT), 200)
    eq(get(a["id"], P2).get("contact"), CONTACT, "contact on the accepted need")
    assert "contact" not in get(b["id"], P2), "contact leaked to another need of the same enterprise"
    assert "contact" not in find(list_all("", P2), b["id"]), "contact leaked in the list"
    assert "contact" not in reverse_find(RES2, P2, b["id"]), "contact leaked in reverse matching"


def test_second_key_of_accepted_provider_sees_contact():
    """Acceptance is of the provider organisation, so every key of it sees it;
    a provider whose org merely has a similar name does not."""
    j = ship_need()
    rr = respond(j["id"], P3, RES3)
    assert_status(request("POST", "/v1/needs/%s/responses/%s/accept" % (j["id"], rr["id"]),
                          key=ENT), 200)
    k = S.key("provider", P3_NAME)
    eq(get(j["id"], k).get("contact"), CONTACT, "second key of the accepted provider")
    k2 = S.key("provider", P3_NAME + "（分公司）")
    assert "contact" not in get(j["id"], k2), "a different organisation sees the contact"


def test_accept_role_checks():
    j = ship_need()
    rr = respond(j["id"], P1, RES1)
    path = "/v1/needs/%s/responses/%s/accept" % (j["id"], rr["id"])
    for k, who in ((P1, "the responding provider"), (P2, "another provider"), (CEN, "center"),
                   (ADM, "admin")):
        r = request("POST", path, key=k)
        assert r.status == 403 and r.code == "forbidden", "%s: %r" % (who, r)
    assert_error(request("POST", path, key=ENT2), 404, "not_found")
    assert_error(request("POST", path), 401, "unauthorized")
    assert_error(request("POST", "/v1/needs/%s/responses/resp_nope/accept" % j["id"], key=ENT),
                 404, "not_found")
    other = ship_need()
    r_other = respond(other["id"], P2, RES2)
    assert_error(request("POST", "/v1/needs/%s/responses/%s/accept" % (j["id"], r_other["id"]),
                         key=ENT), 404, "not_found")
    eq(get(j["id"], ENT)["status"], "open", "still open")
    eq(request("GET", "/v1/needs/%s/responses" % j["id"], key=ENT).json["items"][0]["status"],
       "pending", "still pending")
    assert "contact" not in get(j["id"], P1), "no contact after refused accepts"


def test_accept_on_closed_need_409():
    j = ship_need()
    rr = respond(j["id"], P1, RES1)
    assert_status(patch(j["id"], {"status": "closed"}), 200)
    r = request("POST", "/v1/needs/%s/responses/%s/accept" % (j["id"], rr["id"]), key=ENT)
    assert_error(r, 409, "conflict")
    eq(request("GET", "/v1/needs/%s/responses" % j["id"], key=ENT).json["items"][0]["status"],
       "pending", "response not accepted")
    eq(get(j["id"], ENT)["status"], "closed")
    assert "contact" not in get(j["id"], P1), "no contact after a refused accept"


def test_matched_need_refuses_new_responses():
    j = ship_need()
    rr = respond(j["id"], P1, RES1)
    assert_status(request("POST", "/v1/needs/%s/responses/%s/accept" % (j["id"], rr["id"]),
                          key=ENT), 200)
    r = request("POST", "/v1/needs/%s/responses" % j["id"], {"resource_id": RES2}, key=P2)
    assert_error(r, 409, "conflict")


def test_closing_after_accept_keeps_contact_for_accepted():
    j = ship_need()
    rr = respond(j["id"], P1, RES1)
    assert_status(request("POST", "/v1/needs/%s/responses/%s/accept" % (j["id"], rr["id"]),
                          key=ENT), 200)
    assert_status(patch(j["id"], {"status": "closed"}), 200)
    eq(get(j["id"], P1).get("contact"), CONTACT, "accepted provider after close")
    assert "contact" not in get(j["id"], P2), "other provider after close"


# ------------------------------------------------------------ matching routes: roles


def test_matches_route_roles():
    j = ship_need(title="船厂安全生产数字化：匹配路由的角色")
    path = "/v1/needs/%s/matches?explain=1" % j["id"]
    for k, who in ((ENT, "owner"), (CEN, "center"), (ADM, "admin")):
        r = request("GET", path, key=k)
        assert_status(r, 200)
        lib.check_schema(r.json, "match")
        eq(r.json["need"]["id"], j["id"], "%s: need" % who)
        eq(r.json["need"], j, "%s: the need in the match answer" % who)
    for k, who in ((P1, "provider"), (P3, "another provider")):
        r = request("GET", path, key=k)
        assert r.status == 403 and r.code == "forbidden", "%s: %r" % (who, r)
    assert_error(request("GET", path, key=ENT2), 404, "not_found")
    assert_error(request("GET", path), 401, "unauthorized")
    assert_error(request("GET", "/v1/needs/need_nope/matches", key=ENT), 404, "not_found")
    assert_error(request("GET", "/v1/needs/need_nope/matches", key=CEN), 404, "not_found")


def test_matches_with_no_candidates_is_empty():
    """A need no resource fits (no shared word, industry or scenario) gets an
    empty, well-formed answer."""
    j = create(title="牛奶", description="", industry="food", scenarios=["hr"])
    for path, key in (("/v1/needs/%s/matches?explain=1" % j["id"], ENT),
                      ("/v1/needs/%s/matches" % j["id"], CEN)):
        r = request("GET", path, key=key)
        assert_status(r, 200)
        lib.check_schema(r.json, "match")
        eq(r.json["matches"], [], "matches")
    r = request("POST", "/v1/match?explain=1",
                {"title": "牛奶", "industry": "food", "scenarios": ["hr"]}, key=P1)
    assert_status(r, 200)
    eq(r.json["matches"], [], "matches of POST /v1/match")


def test_matches_route_bad_params():
    j = create()
    for qs in ("limit=0", "limit=51", "limit=x", "kind=widget", "kind=solution,nope"):
        r = request("GET", "/v1/needs/%s/matches?%s" % (j["id"], qs), key=ENT)
        assert r.status == 400 and r.code == "bad_param", "%s: %r" % (qs, r)


def test_resource_needs_roles():
    j = ship_need(title="船舶修造厂安全生产巡检数字化")
    for k, rid in ((P1, RES1), (CEN, RES1), (ADM, RES1)):
        body = reverse(rid, k)
        assert j["id"] in [m["need"]["id"] for m in body["needs"]], "need not listed"
    for k, who in ((P2, "another provider"), (P3, "a third provider")):
        r = request("GET", "/v1/resources/%s/needs" % RES1, key=k)
        assert r.status == 403 and r.code == "forbidden", "%s: %r" % (who, r)
    for k, who in ((ENT, "enterprise"), (ENT2, "other enterprise")):
        r = request("GET", "/v1/resources/%s/needs" % RES1, key=k)
        assert r.status == 403 and r.code == "forbidden", "%s: %r" % (who, r)
    assert_error(request("GET", "/v1/resources/%s/needs" % RES1), 401, "unauthorized")
    assert_error(request("GET", "/v1/resources/res_nope/needs", key=P1), 404, "not_found")
    for qs in ("limit=0", "limit=101", "limit=x"):
        r = request("GET", "/v1/resources/%s/needs?%s" % (RES1, qs), key=P1)
        assert r.status == 400 and r.code == "bad_param", "%s: %r" % (qs, r)


def test_resource_needs_hide_contacts():
    ship_need(title="船台起重作业安全监测")
    body = reverse(RES3, P3)
    assert body["needs"], "no opportunities for a fitting resource"
    for m in body["needs"]:
        n = m["need"]
        r = request("GET", "/v1/needs/" + n["id"], key=P3)
        want = "contact" in r.json
        eq("contact" in n, want, "reverse matching shows the contact exactly when GET does (%s)" % n["id"])
