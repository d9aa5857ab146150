"""
test_enterprises.py - enterprise files (建档立卡) and the register.

What a center and an enterprise would notice:
  - an enterprise that existed before files did has an empty file and
    keeps working (needs, matches);
  - a file round-trips: what GET answers can be edited and PUT back, the
    server's own members (level, assessments, codes) are ignored, never
    stored;
  - the USCC's check character (GB 32100-2015) is verified: real codes
    pass, any mistyped character is 422 naming `uscc`;
  - province, city and district are GB/T 2260 places, by name or code,
    each under its parent, stored as names with their codes;
  - every other bad field is 422 naming it; If-Match works; a USCC
    belongs to one file;
  - GET /v1/enterprises filters by district, city, industry, level,
    规上 and a Chinese name search (精工 finds 武汉精工机械有限公司), pages
    with the cursor and counts the total;
  - NDJSON import, over HTTP and with `shucud import --type enterprises`,
    reports a bad line by number, never stops the good ones, and updates
    an enterprise known by USCC or name instead of duplicating it;
  - /v1/stats counts enterprises by level, district and industry.
Every answer is checked against its schema (schemas/enterprise-*.json).
"""

import json
import os
from urllib.parse import quote

import lib
from lib import assert_error, assert_status, eq, request

S = None
ENT = ENT2 = CEN = ADM = PROV = None
ORG = {}
ENT_NAME = "武汉精工机械有限公司"
ENT2_NAME = "孝感鑫源纺织印染有限公司"
REAL = ["914403001922038216", "9144030071526726XG", "91330100799655058B",
        "91110108551385082Q", "91110000802100433B"]
ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def setup_module():
    global S, ENT, ENT2, CEN, ADM, PROV
    S = lib.use(lib.Server(redis="none"))
    ENT = S.key("enterprise", ENT_NAME)
    ENT2 = S.key("enterprise", ENT2_NAME)
    CEN = S.key("center", "武汉市制造业数字化转型促进中心")
    ADM = S.key("admin", "数促平台运维")
    PROV = S.key("provider", "华中智造科技有限公司")
    for k, name in ((ENT, "ent"), (ENT2, "ent2"), (CEN, "center"), (PROV, "prov")):
        ORG[name] = request("GET", "/v1/me", key=k).json["org"]["id"]


def teardown_module():
    if S:
        S.stop()


def file_of(org, key=None):
    r = request("GET", "/v1/orgs/%s/file" % org, key=key or CEN)
    assert_status(r, 200)
    lib.check_schema(r.json, "enterprise-file")
    return r.json


def full_file(**over):
    f = {"uscc": REAL[0], "province": "湖北省", "city": "武汉市", "district": "江岸区",
         "industry": "machinery", "gbt4754": "C3484", "size": "small", "above_scale": True,
         "employees": 86, "revenue": 5200.5, "specialized": "innovative",
         "certificates": [{"type": "两化融合管理体系", "grade": "AAA", "year": 2023}],
         "contact": {"name": "张建华", "phone": "13871230000", "email": "zhang@jg.example.cn"}}
    for k, v in over.items():
        if v is None:
            f.pop(k, None)
        else:
            f[k] = v
    return f


def put(org, body, key=None, headers=None):
    return request("PUT", "/v1/orgs/%s/file" % org, body, key=key or ENT, headers=headers)


# ------------------------------------------------------------ files


def test_existing_enterprise_has_an_empty_file_and_keeps_working():
    f = file_of(ORG["ent2"], ENT2)
    eq(f["org"], {"id": ORG["ent2"], "name": ENT2_NAME})
    eq(f["level"], None)
    eq(f["assessed_at"], None)
    eq(f["assessments"], 0)
    assert "uscc" not in f and "district" not in f, f
    # the enterprise still posts needs and gets matches
    r = request("POST", "/v1/needs", {"title": "染缸能耗想在线监测", "industry": "textile",
                                      "scenarios": ["energy"]}, key=ENT2)
    assert_status(r, 201)
    assert_status(request("GET", "/v1/needs/%s/matches" % r.json["id"], key=ENT2), 200)


def test_put_round_trip_and_codes():
    r = put(ORG["ent"], full_file())
    assert_status(r, 200)
    lib.check_schema(r.json, "enterprise-file")
    f = r.json
    eq((f["province"], f["city"], f["district"]), ("湖北省", "武汉市", "江岸区"))
    eq((f["province_code"], f["city_code"], f["district_code"]), ("420000", "420100", "420102"))
    eq(r.headers["ETag"], '"%d"' % f["version"])
    # what GET answers goes back unchanged: server members are ignored
    back = dict(file_of(ORG["ent"], ENT))
    back["employees"] = 90
    back["level"] = 4
    back["assessments"] = 99
    r = put(ORG["ent"], back)
    assert_status(r, 200)
    eq(r.json["employees"], 90)
    eq(r.json["level"], None, "a client-sent level is never stored")
    eq(r.json["assessments"], 0)
    eq(r.json["version"], f["version"] + 1)
    # codes work as well as names, and lower-case USCC letters are folded
    r = put(ORG["ent"], full_file(uscc=REAL[1].lower(), province="420000", city="420500",
                                  district="420582"))
    assert_status(r, 200)
    eq((r.json["city"], r.json["district"], r.json["uscc"]), ("宜昌市", "当阳市", REAL[1]))
    assert_status(put(ORG["ent"], full_file()), 200)


def test_contact_is_private_to_who_may_read_the_file():
    # the file routes admit only the enterprise, centers and admins
    eq(file_of(ORG["ent"], ADM)["contact"]["phone"], "13871230000")
    assert_error(request("GET", "/v1/orgs/%s/file" % ORG["ent"], key=PROV), 403, "forbidden")
    assert_error(request("GET", "/v1/orgs/%s/file" % ORG["ent"], key=ENT2), 404, "not_found")
    assert_error(request("GET", "/v1/orgs/%s/file" % ORG["ent"]), 401, "unauthorized")
    r = request("GET", "/v1/orgs/%s" % ORG["ent"])  # the public profile has no file
    assert "13871230000" not in r.text


def test_uscc_check_character():
    for code in REAL[1:]:  # REAL[0] is the other enterprise's
        r = put(ORG["ent2"], {"uscc": code}, key=ENT2)
        assert_status(r, 200)
        eq(r.json["uscc"], code)
    base = REAL[2]
    for pos in (0, 1, 5, 8, 16, 17):
        for c in ALPHA[:31:7]:
            bad = base[:pos] + c + base[pos + 1:]
            if bad == base:
                continue
            assert_error(put(ORG["ent2"], {"uscc": bad}, key=ENT2), 422, "invalid_field", "uscc")
    for bad in (base[:17], base + "1", base[:3] + "I" + base[4:], base[:17] + "Z", 91330100799655058):
        assert_error(put(ORG["ent2"], {"uscc": bad}, key=ENT2), 422, "invalid_field", "uscc")
    assert_status(put(ORG["ent2"], {}, key=ENT2), 200)


def test_regions_from_gbt2260():
    o = ORG["ent2"]
    cases = [
        ({"province": "湖北"}, "province"),
        ({"province": "湖北省", "city": "长沙市"}, "city"),
        ({"province": "湖北省", "city": "武汉市", "district": "朝阳区"}, "district"),
        ({"province": "湖北省", "district": "江岸区"}, "city"),
        ({"city": "武汉市"}, "province"),
        ({"province": "湖北省", "city": "仙桃市", "district": "江岸区"}, "district"),
        ({"province": "湖北省", "city": "武汉市", "district": "999999"}, "district"),
    ]
    for body, field in cases:
        assert_error(put(o, body, key=ENT2), 422, "invalid_field", field)
    r = put(o, {"province": "湖北省", "city": "仙桃市"}, key=ENT2)
    assert_status(r, 200)
    eq(r.json["city_code"], "429004")
    r = put(o, {"province": "北京市", "city": "北京市", "district": "朝阳区"}, key=ENT2)
    eq(r.json["district_code"], "110105")
    assert_status(put(o, {}, key=ENT2), 200)


def test_bad_fields_name_the_field():
    o = ORG["ent2"]
    cases = [
        ({"industry": "general"}, "industry"), ({"industry": "toys"}, "industry"),
        ({"size": "huge"}, "size"), ({"above_scale": "yes"}, "above_scale"),
        ({"employees": -1}, "employees"), ({"employees": 1.5}, "employees"),
        ({"revenue": "很多"}, "revenue"), ({"specialized": "gold"}, "specialized"),
        ({"gbt4754": "ABC"}, "gbt4754"),
        ({"certificates": [{"type": "两化融合"}, {"type": "CMMM", "year": 1800}]}, "certificates[1].year"),
        ({"certificates": [{"grade": "A"}]}, "certificates[0].type"),
        ({"contact": {"email": "nope"}}, "contact.email"),
        ({"contact": {"wechat": "x"}}, "contact.wechat"),
        ({"nickname": "精工"}, "nickname"),
    ]
    for body, field in cases:
        assert_error(put(o, body, key=ENT2), 422, "invalid_field", field)
    assert_error(request("PUT", "/v1/orgs/%s/file" % o, raw="[1]", key=ENT2), 400, "bad_json")


def test_if_match_and_unique_uscc():
    f = file_of(ORG["ent"], ENT)
    v = f["version"]
    assert_error(put(ORG["ent"], full_file(), headers={"If-Match": '"%d"' % (v + 5)}), 409, "conflict")
    r = put(ORG["ent"], full_file(employees=88), headers={"If-Match": '"%d"' % v})
    assert_status(r, 200)
    eq(r.json["version"], v + 1)
    # the same USCC in another enterprise's file
    assert_error(put(ORG["ent2"], {"uscc": REAL[0]}, key=ENT2), 409, "conflict", "uscc")


def test_who_may_put():
    assert_error(put(ORG["ent"], full_file(), key=ENT2), 404, "not_found")
    assert_error(put(ORG["ent"], full_file(), key=ADM), 403, "forbidden")
    assert_error(put(ORG["ent"], full_file(), key=PROV), 403, "forbidden")
    # a center opens a file for an organisation without one (no keys yet) ...
    r = request("POST", "/v1/orgs", {"name": "黄石永盛铸造有限公司"}, key=ADM)
    assert_status(r, 201)
    new = r.json["id"]
    assert_error(request("GET", "/v1/orgs/%s/file" % new, key=CEN), 404, "not_found")
    r = put(new, {"province": "湖北省", "city": "黄石市", "industry": "machinery"}, key=CEN)
    assert_status(r, 201)
    eq(r.headers["Location"], "/v1/orgs/%s/file" % new)
    assert_status(put(new, {"province": "湖北省"}, key=CEN), 200)
    # ... but a provider's organisation is not an enterprise
    assert_error(put(ORG["prov"], {"industry": "machinery"}, key=CEN), 409, "conflict")
    assert_error(put("org_nosuchorganisation000", {}, key=CEN), 404, "not_found")


# ------------------------------------------------------------ import


NDJSON = [
    {"name": "武汉华工精密模具有限公司", "uscc": "91420100MA4KL1234X", "province": "湖北省",
     "city": "武汉市", "district": "东西湖区", "industry": "machinery", "size": "small",
     "above_scale": False},
    "{not json",
    {"name": "襄阳恒通汽车零部件有限公司", "province": "湖北省", "city": "襄阳市", "district": "樊城区",
     "industry": "automotive", "size": "medium", "above_scale": True, "employees": 320},
    {"name": "坏代码企业", "uscc": "914403001922038217"},
    {"name": "宜昌峡江精细化工有限公司", "province": "湖北省", "city": "宜昌市", "district": "猇亭区",
     "industry": "petrochem", "size": "small", "above_scale": True},
    {"uscc": "91420000000000000X"},
    {"name": "荆州楚味食品有限公司", "province": "湖北省", "city": "荆州市", "district": "沙市区",
     "industry": "food", "size": "micro", "above_scale": False},
    {"name": "华中智造科技有限公司", "industry": "machinery"},
    {"name": "坏地区企业", "province": "湖北省", "city": "武汉市", "district": "西湖区"},
]


def uscc_with_check(body17):
    w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    c = 31 - sum(ALPHA.index(ch) * x for ch, x in zip(body17, w)) % 31
    return body17 + ALPHA[0 if c == 31 else c]


def ndjson(lines):
    return "\n".join(l if isinstance(l, str) else json.dumps(l, ensure_ascii=False) for l in lines) + "\n"


def test_bulk_import_reports_bad_lines_and_keeps_good_ones():
    lines = list(NDJSON)
    lines[0] = dict(lines[0], uscc=uscc_with_check("91420100MA4KL1234"))
    lines[5] = {"uscc": uscc_with_check("91420000000000000")}  # unknown uscc, no name
    r = request("POST", "/v1/enterprises:bulk", raw=ndjson(lines), ctype="application/x-ndjson", key=CEN)
    assert_status(r, 200)
    lib.check_schema(r.json, "bulk")
    eq((r.json["created"], r.json["updated"], r.json["failed"]), (4, 0, 5))
    errs = {e["line"]: e["error"] for e in r.json["errors"]}
    eq(sorted(errs), [2, 4, 6, 8, 9])
    eq(errs[2]["code"], "bad_json")
    eq(errs[4]["field"], "uscc")
    eq(errs[6]["field"], "name")
    eq((errs[8]["code"], errs[8]["field"]), ("conflict", "name"))
    eq(errs[9]["field"], "district")
    # no organisation was left behind by a refused line
    names = [o["name"] for o in request("GET", "/v1/orgs", key=ADM).json["items"]]
    assert "坏代码企业" not in names and "坏地区企业" not in names, names
    # again: by name and by uscc, updated, never duplicated
    again = [dict(lines[0], name="武汉华工精密模具有限公司", employees=45),
             {"uscc": lines[0]["uscc"], "above_scale": True},
             dict(lines[2], employees=330)]
    r = request("POST", "/v1/enterprises:bulk", raw=ndjson(again), ctype="application/x-ndjson", key=CEN)
    eq((r.json["created"], r.json["updated"], r.json["failed"]), (0, 3, 0))
    reg = request("GET", "/v1/enterprises?q=%E5%8D%8E%E5%B7%A5%E7%B2%BE%E5%AF%86", key=CEN).json
    eq(reg["total"], 1)
    f = reg["items"][0]
    eq((f["employees"], f["above_scale"], f["district"]), (45, True, "东西湖区"))
    # a uscc of one enterprise under another's name is refused
    clash = {"name": "襄阳恒通汽车零部件有限公司", "uscc": lines[0]["uscc"]}
    r = request("POST", "/v1/enterprises:bulk", raw=ndjson([clash]), ctype="application/x-ndjson", key=CEN)
    eq((r.json["failed"], r.json["errors"][0]["error"]["field"]), (1, "uscc"))
    # roles
    for k, want in ((ENT, 403), (PROV, 403), (ADM, 200)):
        r = request("POST", "/v1/enterprises:bulk", raw=ndjson([]), ctype="application/x-ndjson", key=k)
        eq(r.status, want, "bulk as another role")


def test_cli_import_type_enterprises():
    d = lib.tmpdir("import")
    path = os.path.join(d, "files.ndjson")
    rows = [{"name": "十堰东风精工配件有限公司", "province": "湖北省", "city": "十堰市",
             "district": "张湾区", "industry": "automotive", "size": "small"},
            {"name": "命令行坏行企业", "size": "giant"},
            {"name": "黄冈九州药业有限公司", "province": "湖北省", "city": "黄冈市",
             "district": "黄州区", "industry": "pharma", "size": "medium", "above_scale": True}]
    with open(path, "w", encoding="utf-8") as f:
        f.write(ndjson(rows))
    p = lib.run_cli("import", "--db", S.db, "--type", "enterprises", path, check=False)
    eq(p.returncode, 3, "some lines refused: exit 3\n" + p.stderr)
    assert "%s:2:" % path in p.stderr and "size" in p.stderr, p.stderr
    assert "2 created, 0 updated, 1 failed" in p.stderr, p.stderr
    p = lib.run_cli("import", "--db", S.db, "--type", "enterprises", path, check=False)
    assert "0 created, 2 updated, 1 failed" in p.stderr, p.stderr
    p = lib.run_cli("import", "--db", S.db, "--type", "nonsense", path, check=False)
    eq(p.returncode, 2)


# ------------------------------------------------------------ the register


def enc(query):
    """The query string with its Chinese percent-encoded."""
    return quote(query, safe="?&=%")


def register(query, key=None):
    r = request("GET", "/v1/enterprises" + enc(query), key=key or CEN)
    assert_status(r, 200)
    lib.check_schema(r.json, "enterprise-list")
    return r.json


def names(page):
    return sorted(f["org"]["name"] for f in page["items"])


def test_register_filters_and_name_search():
    put(ORG["ent"], full_file())
    # 精工 is inside 武汉精工机械有限公司 and 十堰东风精工配件有限公司
    eq(names(register("?q=精工")), sorted([ENT_NAME, "十堰东风精工配件有限公司"]))
    eq(names(register("?q=武汉精工机械有限公司")), [ENT_NAME])
    eq(register("?q=" + "%22%2A-AND").get("total"), 0)   # anything a user types: no error
    eq(register("?q=不存在的名字")["total"], 0)
    eq(names(register("?district=420102")), [ENT_NAME])
    eq(names(register("?district=江岸区")), [ENT_NAME])
    eq(names(register("?city=襄阳市&above_scale=true")), ["襄阳恒通汽车零部件有限公司"])
    eq(names(register("?industry=food")), ["荆州楚味食品有限公司"])
    assert ENT_NAME in names(register("?level=none&limit=100"))
    eq(register("?level=3")["total"], 0)
    small = register("?above_scale=false&province=湖北省&limit=100")
    assert all(f["above_scale"] is False for f in small["items"]), small
    for q, field in (("?district=朝阳区", "district"), ("?industry=toys", "industry"),
                     ("?level=7", "level"), ("?above_scale=maybe", "above_scale"),
                     ("?limit=0", "limit"), ("?cursor=zzz", "cursor")):
        assert_error(request("GET", "/v1/enterprises" + enc(q), key=CEN), 400, "bad_param", field)


def test_register_pages_with_the_cursor():
    total = register("")["total"]
    assert total >= 8, total
    seen, cursor = [], None
    while True:
        page = register("?limit=3" + ("&cursor=" + cursor if cursor else ""))
        eq(page["total"], total)
        seen += [f["org"]["id"] for f in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    eq(len(seen), total)
    eq(len(set(seen)), total)


def test_register_roles():
    for k, want in ((ENT, 403), (PROV, 403), (ADM, 200), (None, 401)):
        eq(request("GET", "/v1/enterprises", key=k).status, want)


def test_stats_count_enterprises():
    r = request("GET", "/v1/stats", key=CEN)
    assert_status(r, 200)
    e = r.json["enterprises"]
    eq(e["total"], register("")["total"])
    eq(sum(e["by_level"].values()), e["total"])
    eq(e["by_industry"]["food"], 1)
    jiangan = [d for d in e["by_district"] if d["code"] == "420102"]
    eq(jiangan, [{"code": "420102", "name": "江岸区", "city": "武汉市", "province": "湖北省", "count": 1}])
    counts = [d["count"] for d in e["by_district"]]
    eq(counts, sorted(counts, reverse=True), "districts largest first")
    eq(e["share_level_2_plus"], None, "nobody verified yet")
