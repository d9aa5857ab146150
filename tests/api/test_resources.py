"""
test_resources.py - the resource pool: create, read, replace, merge-patch,
withdraw, list with filters and cursors, validation, external_id uniqueness,
and the races a busy pool meets (same external_id, same If-Match, lost
updates).
"""

import threading

import lib
from lib import assert_error, assert_status, eq, request, resource

S = R = None
P1 = P2 = ENT = CEN = ADM = None
ORG1 = "华中智造科技"
ORG2 = "长三角工业软件"


def setup_module():
    global S, R, P1, P2, ENT, CEN, ADM
    R = lib.Redis()
    S = lib.use(lib.Server(redis=R))
    P1 = S.key("provider", ORG1)
    P2 = S.key("provider", ORG2)
    ENT = S.key("enterprise", "武汉某零部件厂")
    CEN = S.key("center", "湖北省制造业数字化转型促进中心")
    ADM = S.key("admin", "运营方")


def teardown_module():
    try:
        if S:
            S.stop()
    finally:
        if R:
            R.stop()


def create(body=None, key=None, **over):
    r = request("POST", "/v1/resources", body if body is not None else resource(**over),
                key=key or P1)
    assert_status(r, 201)
    return r.json


def fresh_provider():
    """A provider key for a new organisation, and that organisation's id."""
    k = S.key("provider", lib.uniq("测试供应商"))
    res = create(key=k, title="探针资源")
    request("DELETE", "/v1/resources/" + res["id"], key=k)
    return k, res["provider"]["id"]


def list_ids(query):
    r = request("GET", "/v1/resources?" + query)
    assert_status(r, 200)
    lib.check_schema(r.json, "resource-list")
    return [it["id"] for it in r.json["items"]], r.json["next_cursor"]


# ------------------------------------------------------------ create / read


def test_create_returns_full_resource():
    body = resource(license="商业授权", external_id=lib.uniq("ext"),
                    attrs={"camera": {"count": 4}})
    r = request("POST", "/v1/resources", body, key=P1)
    assert_status(r, 201)
    j = r.json
    lib.check_schema(j, "resource")
    assert isinstance(j.get("id"), str) and j["id"].startswith("res_"), j
    for k, v in body.items():
        eq(j.get(k), v, k)
    prov = j.get("provider")
    assert isinstance(prov, dict) and prov.get("name") == ORG1, prov
    assert isinstance(prov.get("id"), str) and prov["id"].startswith("org_"), prov
    eq(j.get("status"), "published", "status")
    eq(j.get("rating"), {"average": 0, "count": 0}, "rating")
    eq(j.get("version"), 1, "version")
    lib.assert_time(j.get("created_at"), "created_at")
    lib.assert_time(j.get("updated_at"), "updated_at")
    eq(r.headers.get("Location"), "/v1/resources/" + j["id"], "Location")
    eq(r.headers.get("ETag"), '"1"', "ETag")
    assert "application/json" in (r.headers.get("Content-Type") or ""), r.headers


def test_get_is_public_with_etag():
    j = create()
    r = request("GET", "/v1/resources/" + j["id"])
    assert_status(r, 200)
    lib.check_schema(r.json, "resource")
    eq(r.json, j, "GET body equals the create answer")
    eq(r.headers.get("ETag"), '"1"', "ETag")


def test_minimal_resource_defaults_regions():
    body = {"kind": "product", "title": "设备点检APP",
            "industries": ["general"], "scenarios": ["equipment"]}
    j = create(body)
    eq(j.get("regions"), ["全国"], "regions default")
    eq(j["kind"], "product")


def test_unicode_and_numbers_round_trip():
    title = "云MES 🚀「排产」＆ＡＰＳ \"引号\" \\ 反斜杠"
    j = create(title=title, price={"min": 0, "max": 12345.5, "unit": "年"})
    r = request("GET", "/v1/resources/" + j["id"])
    eq(r.json["title"], title, "title")
    eq(r.json["price"], {"min": 0, "max": 12345.5, "unit": "年"}, "price")


def test_attrs_kept_as_given():
    attrs = {"a": [1, 2, {"b": None}], "中文键": "值", "n": 1.5, "t": True,
             "deep": {"x": {"y": {"z": []}}}, "empty": {}}
    j = create(attrs=attrs)
    eq(j["attrs"], attrs, "attrs in create answer")
    r = request("GET", "/v1/resources/" + j["id"])
    eq(r.json["attrs"], attrs, "attrs after GET")


def test_create_role_checks():
    for k, who in ((ENT, "enterprise"), (CEN, "center")):
        r = request("POST", "/v1/resources", resource(), key=k)
        assert r.status == 403 and r.code == "forbidden", "%s key: %r" % (who, r)
    assert_error(request("POST", "/v1/resources", resource()), 401, "unauthorized")


def test_get_unknown_ids_404():
    for rid in ("res_doesnotexist", "res_", "xyz", "res_%E4%B8%AD%E6%96%87",
                "res_'%20OR%201=1%20--", "res_" + "9" * 300, "..%2F..%2Fetc%2Fpasswd"):
        r = request("GET", "/v1/resources/" + rid)
        assert r.status == 404 and r.code == "not_found", "id %s: %r" % (rid, r)


def test_title_length_counts_characters():
    j = create(title="数" * 120)
    eq(len(j["title"]), 120, "120 Chinese characters accepted")
    r = request("POST", "/v1/resources", resource(title="数" * 121), key=P1)
    assert_error(r, 422, "invalid_field", "title")
    create(title="a" * 120)


def test_limits_at_the_edge_are_accepted():
    create(summary="摘" * 500, tags=["t%d" % i for i in range(32)],
           external_id="e" * 64, description="述" * 20000)


def test_valid_regions_accepted():
    j = create(regions=["全国"])
    eq(j["regions"], ["全国"])
    j = create(regions=["广西壮族自治区", "北京市", "新疆维吾尔自治区", "湖北省"])
    eq(j["regions"], ["广西壮族自治区", "北京市", "新疆维吾尔自治区", "湖北省"])


def test_every_kind_accepted():
    for kind in ("solution", "product", "dataset", "model", "process_package",
                 "service", "infrastructure"):
        eq(create(kind=kind)["kind"], kind)


# ------------------------------------------------------------ validation

# (name, body change, accepted field paths).  Each case becomes its own test.
INVALID = [
    ("missing_kind", {"kind": None}, "kind"),
    ("missing_title", {"title": None}, "title"),
    ("missing_industries", {"industries": None}, "industries"),
    ("missing_scenarios", {"scenarios": None}, "scenarios"),
    ("title_null", {"title": "<null>"}, "title"),
    ("title_number", {"title": 5}, "title"),
    ("title_empty", {"title": ""}, "title"),
    ("title_121_latin", {"title": "a" * 121}, "title"),
    ("kind_number", {"kind": 5}, "kind"),
    ("kind_unknown", {"kind": "widget"}, "kind"),
    ("industries_string", {"industries": "machinery"}, "industries"),
    ("industries_empty", {"industries": []}, "industries"),
    ("industries_unknown_at_2", {"industries": ["machinery", "steel", "spaceships"]},
     "industries[2]"),
    ("industries_chinese_name", {"industries": ["机械"]}, "industries[0]"),
    ("scenarios_empty", {"scenarios": []}, "scenarios"),
    ("scenarios_unknown", {"scenarios": ["quality", "teleportation"]}, "scenarios[1]"),
    ("scenarios_group_not_code", {"scenarios": ["production"]}, "scenarios[0]"),
    ("summary_501", {"summary": "摘" * 501}, "summary"),
    ("description_20001", {"description": "d" * 20001}, "description"),
    ("tags_33", {"tags": ["t%d" % i for i in range(33)]}, "tags"),
    ("tags_not_strings", {"tags": ["ok", 5]}, ("tags[1]", "tags")),
    ("region_unknown", {"regions": ["火星"]}, "regions[0]"),
    ("region_city_not_province", {"regions": ["全国", "武汉市"]}, "regions[1]"),
    ("price_string", {"price": "100"}, "price"),
    ("price_min_gt_max", {"price": {"min": 100, "max": 10, "unit": "套"}},
     ("price.min", "price")),
    ("price_negative", {"price": {"min": -1, "max": 10, "unit": "套"}},
     ("price.min", "price")),
    ("price_max_string", {"price": {"min": 1, "max": "10", "unit": "套"}},
     ("price.max", "price")),
    ("levels_equal", {"levels": {"from": 3, "to": 3}}, "levels"),
    ("levels_reversed", {"levels": {"from": 3, "to": 2}}, "levels"),
    ("levels_zero", {"levels": {"from": 0, "to": 2}}, ("levels.from", "levels")),
    ("levels_five", {"levels": {"from": 1, "to": 5}}, ("levels.to", "levels")),
    ("delivery_unknown", {"delivery": "cloud"}, "delivery"),
    ("deploy_days_string", {"deploy_days": "30"}, "deploy_days"),
    ("external_id_65", {"external_id": "x" * 65}, "external_id"),
    ("external_id_number", {"external_id": 12}, "external_id"),
    ("cases_not_array", {"cases": "很多"}, "cases"),
    ("attrs_not_object", {"attrs": [1, 2]}, "attrs"),
    ("unknown_top_level_field", {"foo": 1}, "foo"),
]


def _make_invalid_test(change, field):
    def t():
        body = resource()
        for k, v in change.items():
            if v is None:
                body.pop(k, None)
            elif v == "<null>":
                body[k] = None
            else:
                body[k] = v
        r = request("POST", "/v1/resources", body, key=P1)
        assert_error(r, 422, "invalid_field", field)
    return t


for _name, _change, _field in INVALID:
    globals()["test_invalid_" + _name] = _make_invalid_test(_change, _field)
del _name, _change, _field


# Unknown members are refused at every depth, named by their JSON path;
# only attrs takes anything.
UNKNOWN_NESTED = [
    ("price_currency", {"price": {"min": 1, "max": 2, "unit": "套", "currency": "CNY"}},
     "price.currency"),
    ("levels_x", {"levels": {"from": 1, "to": 3, "x": 2}}, "levels.x"),
    ("cases_0_foo", {"cases": [{"enterprise": "某厂", "foo": "bar"}]}, "cases[0].foo"),
    ("cases_2_foo", {"cases": [{"enterprise": "甲厂"}, {"enterprise": "乙厂"},
                               {"enterprise": "丙厂", "result": "好", "foo": {"a": 1}}]},
     "cases[2].foo"),
    ("price_typo_of_max", {"price": {"min": 1, "Max": 2}}, "price.Max"),
]


def _make_unknown_nested_test(change, field):
    def t():
        r = request("POST", "/v1/resources", resource(**change), key=P1)
        assert_error(r, 422, "invalid_field", field)
        assert field in r.json["error"]["message"], \
            "message does not name %s: %r" % (field, r)
    return t


for _name, _change, _field in UNKNOWN_NESTED:
    globals()["test_unknown_nested_" + _name] = _make_unknown_nested_test(_change, _field)
del _name, _change, _field


def test_unknown_nested_fields_refused_by_put_and_patch():
    j = create(price={"min": 1, "max": 2, "unit": "套"}, attrs={"k": 1})
    path = "/v1/resources/" + j["id"]
    for m, b, field in (
            ("PUT", resource(levels={"from": 1, "to": 2, "x": 1}), "levels.x"),
            ("PUT", resource(cases=[{"enterprise": "某厂", "foo": 1}]), "cases[0].foo"),
            ("PATCH", {"price": {"currency": "CNY"}}, "price.currency"),
            ("PATCH", {"levels": {"x": 1}}, "levels.x"),
            ("PATCH", {"cases": [{"enterprise": "某厂"}, {"enterprise": "某厂", "foo": 1}]},
             "cases[1].foo")):
        assert_error(request(m, path, b, key=P1), 422, "invalid_field", field)
    eq(request("GET", path).json, j, "resource unchanged (version 1) after rejected writes")
    # the same nesting inside attrs is kept, by PATCH too
    r = request("PATCH", path, {"attrs": {"price": {"currency": "CNY"},
                                          "cases": [{"foo": 1}]}}, key=P1)
    assert_status(r, 200)
    eq(r.json["attrs"], {"k": 1, "price": {"currency": "CNY"}, "cases": [{"foo": 1}]}, "attrs")


def test_attrs_keeps_arbitrary_nested_content():
    attrs = {"price": {"currency": "CNY", "x": 1}, "levels": {"x": [1, {"y": None}]},
             "cases": [{"foo": "bar"}], "kind": "not-a-kind", "from": {"to": {"x": True}}}
    j = create(attrs=attrs)
    eq(j["attrs"], attrs, "attrs in the create answer")
    eq(request("GET", "/v1/resources/" + j["id"]).json["attrs"], attrs, "attrs after GET")


def test_invalid_create_stores_nothing():
    k, org = fresh_provider()
    r = request("POST", "/v1/resources", resource(industries=["nope"]), key=k)
    assert_error(r, 422, "invalid_field", "industries[0]")
    ids, _ = list_ids("provider=" + org)
    eq(ids, [], "nothing listed after a rejected create")


# ------------------------------------------------------------ PUT


def test_put_replaces_whole_resource():
    j = create(summary="旧摘要", tags=["旧"])
    body = resource(title="新标题", tags=["新"], summary=None, kind="service")
    r = request("PUT", "/v1/resources/" + j["id"], body, key=P1)
    assert_status(r, 200)
    lib.check_schema(r.json, "resource")
    eq(r.json["title"], "新标题")
    eq(r.json["kind"], "service")
    eq(r.json["tags"], ["新"])
    assert r.json.get("summary") in (None, ""), "summary not dropped by PUT: %r" % r
    eq(r.json["version"], 2, "version")
    eq(r.json["id"], j["id"])
    eq(r.json["created_at"], j["created_at"], "created_at")
    assert r.json["updated_at"] >= j["updated_at"], r
    eq(r.headers.get("ETag"), '"2"', "ETag")
    g = request("GET", "/v1/resources/" + j["id"])
    eq(g.json, r.json, "GET after PUT")
    eq(g.headers.get("ETag"), '"2"', "ETag on GET")


def test_put_validates_like_create():
    j = create()
    r = request("PUT", "/v1/resources/" + j["id"], resource(title=None), key=P1)
    assert_error(r, 422, "invalid_field", "title")
    r = request("PUT", "/v1/resources/" + j["id"], resource(industries=["a", "b"]), key=P1)
    assert_error(r, 422, "invalid_field", "industries[0]")
    eq(request("GET", "/v1/resources/" + j["id"]).json, j, "unchanged after rejected PUTs")


def test_put_owner_only():
    j = create()
    path = "/v1/resources/" + j["id"]
    assert_error(request("PUT", path, resource(title="夺"), key=P2), 403, "forbidden")
    assert_error(request("PUT", path, resource(title="夺"), key=ENT), 403, "forbidden")
    assert_error(request("PUT", path, resource(title="夺")), 401, "unauthorized")
    eq(request("GET", path).json["title"], j["title"], "title unchanged")


def test_put_unknown_404():
    r = request("PUT", "/v1/resources/res_nope", resource(), key=P1)
    assert_error(r, 404, "not_found")


# ------------------------------------------------------------ PATCH


def test_patch_merges_per_rfc7396():
    j = create(attrs={"a": 1, "b": {"c": 2, "d": 3}, "keep": [1, 2]})
    path = "/v1/resources/" + j["id"]
    r = request("PATCH", path, {"title": "改后的标题", "summary": None,
                                "attrs": {"b": {"c": None, "e": 4}, "f": 5, "keep": [3]}},
                key=P1)
    assert_status(r, 200)
    lib.check_schema(r.json, "resource")
    eq(r.json["title"], "改后的标题")
    assert r.json.get("summary") is None, "summary: null should remove it: %r" % r
    eq(r.json["attrs"], {"a": 1, "b": {"d": 3, "e": 4}, "f": 5, "keep": [3]}, "attrs")
    eq(r.json["industries"], j["industries"], "untouched field")
    eq(r.json["version"], 2)
    eq(r.headers.get("ETag"), '"2"', "ETag")
    eq(request("GET", path).json, r.json, "GET after PATCH")


def test_patch_merge_patch_content_type():
    j = create()
    r = request("PATCH", "/v1/resources/" + j["id"], {"deploy_days": 7}, key=P1,
                ctype="application/merge-patch+json")
    assert_status(r, 200)
    eq(r.json["deploy_days"], 7)
    eq(r.json["version"], 2)


def test_patch_versions_count_up():
    j = create()
    path = "/v1/resources/" + j["id"]
    for v in range(2, 6):
        r = request("PATCH", path, {"deploy_days": v}, key=P1)
        assert_status(r, 200)
        eq(r.json["version"], v, "version")
    r = request("PUT", path, resource(), key=P1)
    eq(r.json["version"], 6, "version after PUT")


def test_patch_required_field_null_422():
    j = create()
    path = "/v1/resources/" + j["id"]
    assert_error(request("PATCH", path, {"title": None}, key=P1), 422, "invalid_field", "title")
    assert_error(request("PATCH", path, {"industries": None}, key=P1), 422,
                 "invalid_field", "industries")
    assert_error(request("PATCH", path, {"scenarios": ["quality", "x"]}, key=P1), 422,
                 "invalid_field", "scenarios[1]")
    assert_error(request("PATCH", path, {"levels": {"from": 4}}, key=P1), 422,
                 "invalid_field", "levels")
    assert_error(request("PATCH", path, {"bar": 1}, key=P1), 422, "invalid_field", "bar")
    g = request("GET", path)
    eq(g.json, j, "resource unchanged (and version still 1) after rejected PATCHes")


def test_patch_owner_only():
    j = create()
    path = "/v1/resources/" + j["id"]
    assert_error(request("PATCH", path, {"title": "夺"}, key=P2), 403, "forbidden")
    assert_error(request("PATCH", path, {"title": "夺"}, key=CEN), 403, "forbidden")
    assert_error(request("PATCH", path, {"title": "夺"}), 401, "unauthorized")
    assert_error(request("PATCH", "/v1/resources/res_nope", {"title": "x"}, key=P1),
                 404, "not_found")


def test_if_match():
    j = create()
    path = "/v1/resources/" + j["id"]
    r = request("PATCH", path, {"deploy_days": 1}, key=P1, headers={"If-Match": '"1"'})
    assert_status(r, 200)
    eq(r.json["version"], 2)
    r = request("PATCH", path, {"deploy_days": 2}, key=P1, headers={"If-Match": '"1"'})
    assert_error(r, 409, "conflict")
    r = request("PUT", path, resource(), key=P1, headers={"If-Match": '"1"'})
    assert_error(r, 409, "conflict")
    r = request("PATCH", path, {"deploy_days": 3}, key=P1, headers={"If-Match": '"99"'})
    assert_error(r, 409, "conflict")
    g = request("GET", path)
    eq((g.json["version"], g.json["deploy_days"]), (2, 1), "unchanged by the 409s")
    r = request("PATCH", path, {"deploy_days": 4}, key=P1, headers={"If-Match": "2"})
    assert_status(r, 200)
    eq(r.json["version"], 3, "bare If-Match accepted")
    r = request("PUT", path, resource(deploy_days=5), key=P1, headers={"If-Match": '"3"'})
    assert_status(r, 200)
    eq(r.json["version"], 4)
    eq(r.headers.get("ETag"), '"4"')


def test_if_match_race_one_winner():
    j = create()
    path = "/v1/resources/" + j["id"]
    results = []

    def worker(i):
        r = request("PATCH", path, {"tags": ["w%d" % i]}, key=P1,
                    headers={"If-Match": '"1"'})
        results.append((r.status, r.code))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wins = [x for x in results if x[0] == 200]
    eq(len(results), 10, "all answered")
    eq(len(wins), 1, "exactly one If-Match \"1\" PATCH wins (%r)" % results)
    assert all(x == (409, "conflict") for x in results if x[0] != 200), results
    eq(request("GET", path).json["version"], 2, "version")


def test_concurrent_patches_lose_nothing():
    j = create(attrs={})
    path = "/v1/resources/" + j["id"]
    errors = []

    def worker(i):
        try:
            r = request("PATCH", path, {"attrs": {"k%d" % i: i}}, key=P1)
            if r.status != 200:
                errors.append(repr(r))
        except AssertionError as e:
            errors.append(str(e))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    g = request("GET", path).json
    eq(g["attrs"], {"k%d" % i: i for i in range(12)}, "every concurrent PATCH kept")
    eq(g["version"], 13, "version")


# ------------------------------------------------------------ DELETE


def test_delete_withdraws():
    k, org = fresh_provider()
    j = create(key=k)
    keep = create(key=k)
    path = "/v1/resources/" + j["id"]
    r = request("DELETE", path, key=k)
    assert_status(r, 200)
    eq(r.json["id"], j["id"])
    eq(r.json["status"], "withdrawn")
    g = request("GET", path)
    assert_status(g, 200)
    eq(g.json["status"], "withdrawn", "GET after DELETE")
    ids, _ = list_ids("provider=" + org)
    eq(ids, [keep["id"]], "withdrawn resource gone from the list")
    ids, _ = list_ids("limit=100")
    assert j["id"] not in ids, "withdrawn resource in the unfiltered list"
    r2 = request("DELETE", path, key=k)
    assert_status(r2, 200)
    eq(r2.json["status"], "withdrawn", "second DELETE")


def test_delete_owner_only():
    j = create()
    path = "/v1/resources/" + j["id"]
    assert_error(request("DELETE", path, key=P2), 403, "forbidden")
    assert_error(request("DELETE", path, key=ENT), 403, "forbidden")
    assert_error(request("DELETE", path), 401, "unauthorized")
    assert_error(request("DELETE", "/v1/resources/res_nope", key=P1), 404, "not_found")
    eq(request("GET", path).json["status"], "published", "still published")


# ------------------------------------------------------------ list


def test_list_empty_provider():
    _, org = fresh_provider()
    r = request("GET", "/v1/resources?provider=" + org)
    assert_status(r, 200)
    eq(r.json, {"items": [], "next_cursor": None}, "empty list")


def test_list_newest_first_and_public():
    k, org = fresh_provider()
    made = [create(key=k, title="第%d个" % i)["id"] for i in range(5)]
    ids, cur = list_ids("provider=" + org)
    eq(ids, made[::-1], "newest first")
    eq(cur, None, "next_cursor")
    r = request("GET", "/v1/resources?provider=" + org)
    it = r.json["items"][0]
    eq(it["provider"]["id"], org)
    eq(it["title"], "第4个")


def test_list_filters():
    k, org = fresh_provider()
    a = create(key=k, kind="product", industries=["textile"], scenarios=["quality"])["id"]
    b = create(key=k, kind="solution", industries=["textile", "food"],
               scenarios=["energy"])["id"]
    c = create(key=k, kind="dataset", industries=["steel"], scenarios=["quality", "energy"])["id"]
    d = create(key=k, kind="product", industries=["general"], scenarios=["finance"])["id"]
    p = "provider=" + org + "&"

    def q(s):
        return set(list_ids(p + s)[0])

    eq(q("kind=product"), {a, d}, "kind")
    eq(q("industry=textile"), {a, b}, "industry")
    eq(q("industry=textile&industry=steel"), {a, b, c}, "industry OR")
    eq(q("scenario=energy"), {b, c}, "scenario")
    eq(q("industry=textile&scenario=energy"), {b}, "AND across fields")
    eq(q("kind=product&kind=dataset"), {a, c, d}, "kind OR")
    eq(q("kind=product&industry=general&scenario=finance"), {d}, "three fields")
    eq(q("kind=model"), set(), "no match")
    eq(q(""), {a, b, c, d}, "no filter")


def test_list_bad_params():
    for qs in ("limit=0", "limit=101", "limit=abc", "limit=-1", "limit=1.5",
               "kind=widget", "industry=spaceships", "industry=textile&industry=nope",
               "scenario=teleportation", "cursor=garbage", "cursor=%00%FF",
               "cursor=" + "A" * 500):
        r = request("GET", "/v1/resources?" + qs)
        assert r.status == 400 and r.code == "bad_param", "%s: %r" % (qs, r)


def test_list_limits_and_cursor_walk():
    k, org = fresh_provider()
    made = [create(key=k, title="分页%02d" % i)["id"] for i in range(45)]
    p = "provider=" + org

    ids, cur = list_ids(p)
    eq(len(ids), 20, "default limit")
    assert cur, "next_cursor after a full default page"
    eq(ids, made[::-1][:20], "first page newest first")

    ids, cur = list_ids(p + "&limit=100")
    eq(len(ids), 45, "limit=100")
    eq(cur, None, "next_cursor when everything fits")

    ids, cur = list_ids(p + "&limit=1")
    eq(len(ids), 1)
    assert cur, "next_cursor with limit=1"

    seen, sizes, cur, pages = [], [], None, 0
    while True:
        pages += 1
        assert pages <= 5, "cursor walk does not end"
        got, cur = list_ids(p + "&limit=20" + ("&cursor=" + cur if cur else ""))
        seen += got
        sizes.append(len(got))
        if cur is None:
            break
    eq(sizes, [20, 20, 5], "page sizes")
    eq(len(seen), len(set(seen)), "no resource twice")
    eq(seen, made[::-1], "every resource once, newest first")


def test_cursor_stable_under_inserts():
    k, org = fresh_provider()
    made = [create(key=k, title="游标%02d" % i)["id"] for i in range(12)]
    p = "provider=" + org + "&limit=5"
    first, cur = list_ids(p)
    newer = [create(key=k, title="新插入%d" % i)["id"] for i in range(3)]
    seen = list(first)
    while cur:
        got, cur = list_ids(p + "&cursor=" + cur)
        seen += got
    eq(seen, made[::-1], "walk unaffected by newer resources")
    assert not set(newer) & set(seen)


# ------------------------------------------------------------ external_id


def test_external_id_unique_per_provider():
    ext = lib.uniq("SKU-")
    a = create(external_id=ext)
    r = request("POST", "/v1/resources", resource(external_id=ext, title="重复"), key=P1)
    assert_error(r, 409, "conflict")
    b = create(key=P2, external_id=ext)
    assert a["id"] != b["id"]
    eq(b["external_id"], ext)


def test_external_id_race_one_winner():
    ext = lib.uniq("RACE-")
    results = []

    def worker():
        r = request("POST", "/v1/resources", resource(external_id=ext), key=P1)
        results.append((r.status, r.code))

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eq(len(results), 10, "all answered")
    eq(results.count((201, None)), 1,
       "exactly one create with the same external_id wins (%r)" % results)
    assert all(x == (409, "conflict") for x in results if x[0] != 201), results


def test_concurrent_creates():
    k, org = fresh_provider()
    ids, errors = [], []

    def worker(i):
        for j in range(8):
            try:
                r = request("POST", "/v1/resources", resource(title="并发%d-%d" % (i, j)),
                            key=k)
                if r.status == 201:
                    ids.append(r.json["id"])
                else:
                    errors.append(repr(r))
            except AssertionError as e:
                errors.append(str(e))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    eq(len(set(ids)), 48, "distinct ids")
    listed, cur = list_ids("provider=%s&limit=100" % org)
    eq(set(listed), set(ids), "all listed")
