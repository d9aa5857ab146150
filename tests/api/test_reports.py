"""
test_reports.py - issue 20's reports and exports on a scripted data set:
the figures of /v1/reports/levels (by district, city, industry, month),
movement, campaigns and gaps equal counts computed here from the records
the script made; targets a center sets; CSV (UTF-8 BOM, RFC 4180, header)
and XLSX (a zip whose sheet holds numbers as numeric cells, the Chinese
header in the shared strings, a percent format) for reports and for every
list export (all pages, not one); and the authority's cut: each report and
list of an authority of 武汉市 holds 武汉's enterprises only.
"""

import csv
import io
import json
import re
import urllib.parse
import zipfile

import lib
from lib import assert_status, eq

S = None
K = {}
ORG = {}
LEVEL = {}     # enterprise -> verified level (as the server computed it)
PHONE = "13911112222"

ANSWERS = {"network": ["B"], "device_digital_rate": ["C"], "device_network_rate": ["B"],
           "auto_collection": ["G"], "it_coverage": ["C"], "network_security": ["B"],
           "data_security": ["A"], "planning": ["C"], "mechanisms": ["A"], "talent": ["B"],
           "investment": ["B"], "energy_per_revenue": ["B"], "pass_rate": ["C"],
           "revenue_per_head": ["C"], "cost_per_revenue": ["B"]}
SCENES = {c: 1 for c in ("product_design", "process_design", "marketing", "after_sales",
                         "planning", "production_control", "quality", "equipment", "safety",
                         "energy", "procurement", "warehouse_logistics", "finance", "hr",
                         "collaboration", "decision_support")}
def demo_assessment(enterprise):
    """Answers, evidence and scenes of a demo assessment (one at 二级)."""
    import os
    with open(os.path.join(lib.REPO, "data/demo/assessments.ndjson"), encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if d["enterprise"] == enterprise and d["status"] == "verified":
                return {k: d[k] for k in ("answers", "evidence", "scenes") if k in d}
    raise AssertionError("no demo assessment of " + enterprise)

# name -> (province, city, district, industry, what happens: verify / verify-high / submit / none)
ENTS = {
    "E1": ("湖北省", "武汉市", "江岸区", "machinery", "verify"),
    "E2": ("湖北省", "武汉市", "江岸区", "electronics", "verify-high"),
    "E3": ("湖北省", "武汉市", "汉阳区", "machinery", "verify-high"),
    "E4": ("湖北省", "宜昌市", "当阳市", "machinery", "submit"),
    "E5": ("河南省", "郑州市", "金水区", "food", "verify"),
    "E6": (None, None, None, "machinery", "none"),
}
CODES = {}     # enterprise -> district code (from its file)


def authority_key(org, region):
    p = lib.run_cli("keys", "create", "--db", S.db, "--role", "authority", "--org", org,
                    "--region", region)
    return p.stdout.strip().splitlines()[-1]


def setup_module():
    global S
    S = lib.use(lib.Server(redis="none", workers=2))
    K["center"] = S.key("center", "报表测试促进中心")
    K["admin"] = S.key("admin", "报表测试运维")
    K["provider"] = S.key("provider", "报表测试服务商")
    K["wuhan"] = authority_key("武汉市经济和信息化局", "湖北省/武汉市")
    K["jiangan"] = authority_key("江岸区经信局", "湖北省/武汉市/江岸区")
    K["hubei"] = authority_key("湖北省经信厅", "湖北省")
    K["henan"] = authority_key("河南省工信厅", "河南省")
    for name, (prov, city, dist, ind, what) in ENTS.items():
        K[name] = S.key("enterprise", "报表测试企业" + name)
        ORG[name] = lib.request("GET", "/v1/me", key=K[name]).json["org"]["id"]
        f = {"industry": ind, "size": "small", "contact": {"name": "联系人", "phone": PHONE}}
        if prov:
            f.update(province=prov, city=city, district=dist)
        r = lib.request("PUT", "/v1/orgs/%s/file" % ORG[name], f, key=K[name])
        assert_status(r, 200)
        CODES[name] = r.json.get("district_code")
        if what == "none":
            continue
        body = {"instrument": "sme-2024", "answers": ANSWERS, "scenes": SCENES}
        if what == "verify-high":
            body.update(demo_assessment("苏州新芯电子科技有限公司"))
        r = lib.request("POST", "/v1/assessments", body, key=K[name])
        assert_status(r, 201)
        aid = r.json["id"]
        assert_status(lib.request("POST", "/v1/assessments/%s/submit" % aid, key=K[name]), 200)
        if what.startswith("verify"):
            body = {"note": "核验"}
            r = lib.request("POST", "/v1/assessments/%s/verify" % aid, body, key=K["center"])
            assert_status(r, 200)
            LEVEL[name] = r.json["level"]
        # an open need of each assessed enterprise, for the gaps report
        need = {"title": "车间设备联网采集数据" + name, "industry": ind, "scenarios": ["equipment"],
                "region": prov or "湖北省", "contact": {"name": "联系人", "phone": PHONE}}
        assert_status(lib.request("POST", "/v1/needs", need, key=K[name]), 201)


def teardown_module():
    if S:
        S.stop()


def get(path, who="center", status=200):
    r = lib.request("GET", urllib.parse.quote(path, safe="/?&=%:"), key=K[who])
    assert_status(r, status)
    return r


def expected(names, key):
    """Rows of the levels report computed here: key(name) -> counts."""
    out = {}
    for n in names:
        k = key(n)
        row = out.setdefault(k, {"filed": 0, "assessed": 0, "verified": 0, "level_2_plus": 0,
                                 **{"level_%d" % i: 0 for i in range(5)}})
        row["filed"] += 1
        row["assessed"] += ENTS[n][4] != "none"
        if n in LEVEL:
            row["verified"] += 1
            row["level_%d" % LEVEL[n]] += 1
            row["level_2_plus"] += LEVEL[n] >= 2
    return out


def rows_by_key(doc):
    return {r["key"]: r for r in doc["rows"] if r["key"] != "total"}


def check_rows(doc, want):
    got = rows_by_key(doc)
    eq(sorted(got), sorted(want), "row keys")
    for k, w in want.items():
        for m, v in w.items():
            eq(got[k][m], v, "%s of %s" % (m, k))
        share = round(w["level_2_plus"] / w["verified"], 4) if w["verified"] else None
        eq(got[k]["share_level_2_plus"], share, "share of %s" % k)


def test_levels_by_district_city_and_industry_equal_hand_counts():
    assert len(set(LEVEL.values())) >= 2, "the data set should hold two levels: %s" % LEVEL
    names = list(ENTS)
    doc = get("/v1/reports/levels?by=district").json
    check_rows(doc, expected(names, lambda n: CODES[n] or ""))
    tot = doc["total"]
    eq(tot["filed"], len(names))
    eq(tot["verified"], len(LEVEL))
    eq(tot["assessed"], sum(1 for n in names if ENTS[n][4] != "none"))
    doc = get("/v1/reports/levels?by=industry").json
    check_rows(doc, expected(names, lambda n: ENTS[n][3]))
    eq(rows_by_key(doc)["machinery"]["name"], "机械")
    # a filter: 湖北省 only, by city
    doc = get("/v1/reports/levels?by=city&province=湖北省").json
    hubei = [n for n in names if ENTS[n][0] == "湖北省"]
    check_rows(doc, expected(hubei, lambda n: CODES[n][:4] + "00"))
    names_seen = {r["name"] for r in doc["rows"]}
    assert {"武汉市", "宜昌市", "合计"} <= names_seen, names_seen


def test_levels_by_month_counts_this_month():
    doc = get("/v1/reports/levels?by=month").json
    eq(len(doc["rows"]), 12, "a year of months")
    this = doc["rows"][-1]
    eq(this["filed"], len(ENTS) + 0 * 1)  # every file was opened this month
    eq(this["verified"], len(LEVEL))
    eq(this["assessed"], sum(1 for n in ENTS if ENTS[n][4] != "none"))
    assert all(r["verified"] == 0 for r in doc["rows"][:-1])
    assert_status(lib.request("GET", "/v1/reports/levels?by=month&from=2026-13", key=K["center"]), 400)
    assert_status(lib.request("GET", "/v1/reports/levels?by=week", key=K["center"]), 400)


def test_targets_set_by_a_center_show_in_rows():
    assert_status(lib.request("PUT", "/v1/reports/targets", {"level_2_plus_share": 0.5,
                                                             "province": "湖北省"}, key=K["center"]), 200)
    r = lib.request("PUT", "/v1/reports/targets", {"level_2_plus_share": 0.6, "province": "湖北省",
                                                   "city": "武汉市"}, key=K["center"])
    assert_status(r, 200)
    eq(len(r.json["items"]), 2)
    assert_status(lib.request("PUT", "/v1/reports/targets", {"level_2_plus_share": 0.6},
                              key=K["wuhan"]), 403)
    assert_status(lib.request("PUT", "/v1/reports/targets", {"level_2_plus_share": 1.5},
                              key=K["center"]), 422)
    rows = rows_by_key(get("/v1/reports/levels?by=district").json)
    eq(rows[CODES["E1"]]["target"], 0.6, "江岸区 inherits 武汉市's target")
    eq(rows[CODES["E4"]]["target"], 0.5, "当阳市 inherits 湖北省's")
    eq(rows[CODES["E5"]]["target"], None, "河南 has none")
    share = rows[CODES["E1"]]["share_level_2_plus"]
    eq(rows[CODES["E1"]]["to_target"], round(share - 0.6, 4))
    # the authority sees its target
    items = get("/v1/reports/targets", "wuhan").json["items"]
    eq(sorted(i["name"] for i in items), ["武汉市", "湖北省"])


def test_movement_campaigns_and_gaps():
    doc = get("/v1/reports/movement").json
    eq(doc["summary"]["first_verified"], len(LEVEL), "every verification this year is a first one")
    first = doc["rows"][0]
    eq(first["from"], "期初未核验")
    for lv in range(5):
        eq(first["to_%d" % lv], sum(1 for v in LEVEL.values() if v == lv))
    # a period that ends before anything was verified: nobody moved
    doc = get("/v1/reports/movement?from=2025-01&to=2025-06").json
    eq(sum(r["total"] for r in doc["rows"]), 0)
    doc = get("/v1/reports/campaigns").json
    eq(doc["summary"]["campaigns"], 0)
    doc = get("/v1/reports/gaps?threshold=1").json
    eq(doc["needs_checked"], 5)
    row = [r for r in doc["rows"] if r["scenario"] == "equipment"][0]
    eq(row["open_needs"], 5)
    eq(row["unserved"], 5, "no resource scores 1.0: all unserved at threshold 1")
    eq(row["name"], "设备管理")
    doc = get("/v1/reports/gaps?threshold=0").json
    eq([r["unserved"] for r in doc["rows"]], [0])
    get("/v1/reports/nothing", status=404)


def parse_csv(body):
    assert body.startswith(b"\xef\xbb\xbf"), body[:10]
    return list(csv.reader(io.StringIO(body[3:].decode("utf-8"), newline="")))


def test_csv_report_has_bom_header_and_numbers():
    r = get("/v1/reports/levels?by=district&format=csv")
    assert r.headers.get("Content-Type").startswith("text/csv"), r.headers
    assert "attachment" in r.headers.get("Content-Disposition")
    rows = parse_csv(r.body)
    eq(rows[0][:5], ["代码", "名称", "建档企业", "已评估", "已核验"])
    eq(rows[-1][1], "合计")
    eq(rows[-1][2], str(len(ENTS)))
    assert re.match(r"^\d+\.\d%$", rows[-1][11]), rows[-1]
    eq(len(rows), 1 + len(set(CODES.values())) + 1)


def xlsx_parts(body):
    z = zipfile.ZipFile(io.BytesIO(body))
    assert z.testzip() is None
    names = z.namelist()
    assert "xl/workbook.xml" in names and "xl/worksheets/sheet1.xml" in names, names
    sheet = z.read("xl/worksheets/sheet1.xml").decode()
    shared = z.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in names else ""
    styles = z.read("xl/styles.xml").decode()
    return sheet, shared, styles


def test_xlsx_report_is_a_workbook_with_numeric_cells():
    r = get("/v1/reports/levels?by=district&format=xlsx")
    eq(r.headers.get("Content-Type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheet, shared, styles = xlsx_parts(r.body)
    assert "建档企业" in shared and "二级及以上占比" in shared, shared[:300]
    assert "<sst" in shared
    # the header row: shared-string cells; counts below: numeric cells (no t="s")
    assert re.search(r'<c r="A1"[^>]* t="s"', sheet), sheet[:500]
    total_row = len(set(CODES.values())) + 2
    m = re.search(r'<c r="C%d"[^>]*><v>(\d+)</v></c>' % total_row, sheet)
    assert m and int(m.group(1)) == len(ENTS), sheet[-800:]
    assert 'formatCode="0.0%"' in styles, styles[:800]
    assert 'state="frozen"' in sheet
    widths = [float(w) for w in re.findall(r'<col [^>]*width="([\d.]+)"', sheet)]
    assert widths and max(widths) >= 14, widths  # 二级及以上占比: 7 CJK characters


def test_list_exports_take_every_page():
    # 130 more enterprises by bulk: more than one page of 100
    lines = "".join(json.dumps({"name": "导出测试企业%03d" % i, "industry": "food",
                                "province": "湖北省", "city": "武汉市", "district": "江汉区"},
                               ensure_ascii=False) + "\n" for i in range(130))
    r = lib.request("POST", "/v1/enterprises:bulk", raw=lines, ctype="application/x-ndjson",
                    key=K["center"])
    assert_status(r, 200)
    rows = parse_csv(get("/v1/enterprises?format=csv&limit=5").body)
    eq(rows[0][0], "企业名称")
    eq(len(rows) - 1, 130 + len(ENTS))
    assert PHONE not in "".join(",".join(x) for x in rows), "an export carries no contacts"
    rows = parse_csv(get("/v1/enterprises?format=csv&district=江汉区").body)
    eq(len(rows) - 1, 130)
    sheet, shared, _ = xlsx_parts(get("/v1/enterprises?format=xlsx").body)
    assert "统一社会信用代码" in shared
    eq(len(re.findall(r"<row ", sheet)), 1 + 130 + len(ENTS))
    rows = parse_csv(get("/v1/needs?format=csv").body)
    eq(rows[0][:3], ["编号", "需求", "企业"])
    eq(len(rows) - 1, 5)
    eq(rows[1][4], "设备管理", "scenario codes are named")
    assert_status(lib.request("POST", "/v1/resources", lib.resource(), key=K["provider"]), 201)
    rows = parse_csv(get("/v1/resources?format=csv").body)
    eq(len(rows) - 1, 1)
    # exports are for centers, admins and authorities
    assert_status(lib.request("GET", "/v1/resources?format=csv", key=K["provider"]), 403)
    assert_status(lib.request("GET", "/v1/resources?format=csv"), 401)
    assert_status(lib.request("GET", "/v1/needs?format=pdf", key=K["center"]), 400)


def test_authority_reports_and_lists_are_cut_to_its_region():
    wuhan = [n for n in ENTS if ENTS[n][1] == "武汉市"]
    doc = get("/v1/reports/levels?by=district", "wuhan").json
    want = expected(wuhan, lambda n: CODES[n])
    want["420103"] = {"filed": 130, "assessed": 0, "verified": 0, "level_2_plus": 0}  # the bulk files
    check_rows(doc, want)
    eq(doc["region"]["city"], "武汉市")
    # another region's filter gives nothing, never its figures
    doc = get("/v1/reports/levels?by=district&province=河南省", "wuhan").json
    eq(doc["rows"][-1]["filed"], 0)
    eq(len(doc["rows"]), 1)
    doc = get("/v1/reports/levels?by=district", "jiangan").json
    eq([r["key"] for r in doc["rows"]], [CODES["E1"], "total"])
    doc = get("/v1/reports/levels?by=industry", "henan").json
    check_rows(doc, expected(["E5"], lambda n: ENTS[n][3]))
    doc = get("/v1/reports/gaps?threshold=1", "wuhan").json
    eq(doc["needs_checked"], 3)
    doc = get("/v1/reports/movement", "hubei").json
    eq(doc["summary"]["first_verified"], sum(1 for n in LEVEL if ENTS[n][0] == "湖北省"))
    # lists: the register, needs, assessments
    r = get("/v1/enterprises?limit=100", "wuhan")
    eq(r.json["total"], 3 + 130)
    assert all(i.get("city") == "武汉市" for i in r.json["items"])
    assert PHONE not in r.text
    rows = parse_csv(get("/v1/needs?format=csv", "wuhan").body)
    eq(len(rows) - 1, 3)
    r = get("/v1/needs?status=all", "jiangan")
    eq(len(r.json["items"]), 2)
    assert PHONE not in r.text
    r = get("/v1/assessments?limit=100", "wuhan")
    eq(sorted(i["org"]["id"] for i in r.json["items"]), sorted(ORG[n] for n in wuhan))
    # one record in, one out
    get("/v1/orgs/%s/file" % ORG["E1"], "wuhan")
    get("/v1/orgs/%s/file" % ORG["E5"], "wuhan", status=404)
    get("/v1/orgs/%s/file" % ORG["E6"], "hubei", status=404)
    get("/v1/orgs/%s/file" % ORG["E5"], "henan")
    me = get("/v1/me", "jiangan").json
    eq(me["role"], "authority")
    eq(me["region"]["district"], "江岸区")


def test_authority_organisations_and_users_by_http():
    r = lib.request("POST", "/v1/orgs", {"name": "汉阳区经信局", "role": "authority",
                                         "region": {"province": "湖北省", "city": "武汉市",
                                                    "district": "汉阳区"}}, key=K["admin"])
    assert_status(r, 201)
    eq(r.json["region"]["district_code"], CODES["E3"])
    org = r.json["id"]
    assert_status(lib.request("POST", "/v1/orgs", {"name": "无地区经信局", "role": "authority"},
                              key=K["admin"]), 422)
    assert_status(lib.request("POST", "/v1/orgs", {"name": "坏地区经信局", "role": "authority",
                                                   "region": {"province": "火星省"}}, key=K["admin"]), 422)
    r = lib.request("POST", "/v1/orgs/%s/keys" % org, {"role": "authority"}, key=K["admin"])
    assert_status(r, 201)
    key = r.json["key"]
    doc = lib.request("GET", "/v1/reports/levels?by=district", key=key).json
    eq([x["key"] for x in doc["rows"]], [CODES["E3"], "total"])
    # an authority key for an organisation that is not one: refused
    assert_status(lib.request("POST", "/v1/orgs/%s/keys" % ORG["E1"], {"role": "authority"},
                              key=K["admin"]), 422)
    # a user of the authority logs in and reads its region
    r = lib.request("POST", "/v1/orgs/%s/users" % org, {"name": "汉阳科长", "email": "hy@jxj.example.cn",
                                                         "password": "Hanyang-2026!"}, key=K["admin"])
    assert_status(r, 201)
    eq(r.json["role"], "authority")
    r = lib.request("POST", "/v1/session", {"login": "hy@jxj.example.cn", "password": "Hanyang-2026!"})
    assert_status(r, 201)
    cookie = r.headers.get("Set-Cookie").split(";")[0]
    r = lib.request("GET", "/v1/reports/levels?by=district", headers={"Cookie": cookie})
    assert_status(r, 200)
    eq([x["key"] for x in r.json["rows"]], [CODES["E3"], "total"])
    # a center may not make authority users
    assert_status(lib.request("POST", "/v1/orgs/%s/users" % org, {"name": "x", "email": "x@jxj.example.cn"},
                              key=K["center"]), 403)


def test_assessed_follows_submit_return_and_a_file_opened_late():
    """'assessed' is a column kept by triggers since migration 14: an
    enterprise counts from its submission, stops counting when the center
    returns its only submission, counts again when it submits again, and
    once a month however often it submits; movement counts it from its
    first verification."""
    s = lib.Server(redis="none", workers=1)
    try:
        ck = s.key("center", "评估标记测试中心")
        ek = s.key("enterprise", "评估标记测试企业")
        org = lib.request("GET", "/v1/me", key=ek, server=s).json["org"]["id"]
        f = {"industry": "machinery", "size": "small", "province": "湖北省", "city": "黄石市",
             "district": "下陆区", "contact": {"name": "联系人", "phone": PHONE}}
        r = lib.request("PUT", "/v1/orgs/%s/file" % org, f, key=ek, server=s)
        assert_status(r, 200)
        code = r.json["district_code"]

        def levels():
            r = lib.request("GET", "/v1/reports/levels?by=district", key=ck, server=s)
            assert_status(r, 200)
            return r.json["rows"][0] if r.json["rows"][0]["key"] == code else None

        def month():
            r = lib.request("GET", "/v1/reports/levels?by=month", key=ck, server=s)
            return r.json["rows"][-1]

        body = {"instrument": "sme-2024", "answers": ANSWERS, "scenes": SCENES}
        r = lib.request("POST", "/v1/assessments", body, key=ek, server=s)
        assert_status(r, 201)
        aid = r.json["id"]
        eq(levels()["assessed"], 0, "a draft is not an assessment")
        assert_status(lib.request("POST", "/v1/assessments/%s/submit" % aid, key=ek, server=s), 200)
        eq(levels()["assessed"], 1, "submitted")
        r = lib.request("POST", "/v1/assessments/%s/return" % aid, {"reason": "证据不全"}, key=ck,
                        server=s)
        assert_status(r, 200)
        eq(levels()["assessed"], 0, "its only submission returned")
        assert_status(lib.request("POST", "/v1/assessments/%s/submit" % aid, key=ek, server=s), 200)
        eq(levels()["assessed"], 1, "submitted again")
        eq(month()["assessed"], 1, "twice this month, one enterprise")
        r = lib.request("POST", "/v1/assessments/%s/verify" % aid, {"note": "核验"}, key=ck, server=s)
        assert_status(r, 200)
        row = levels()
        eq((row["assessed"], row["verified"]), (1, 1))
        eq(row["level_%d" % r.json["level"]], 1)
        mv = lib.request("GET", "/v1/reports/movement", key=ck, server=s).json
        eq(mv["summary"]["first_verified"], 1, "verified for the first time in the period")
        eq(month()["verified"], 1)
        # an export from a version without the column, its files listed
        # after the assessments: the import sets the flag all the same
        s.stop()
        dump = lib.run_cli("export", "--db", s.db).stdout
        lines = [json.loads(x) for x in dump.splitlines() if x.strip()]
        files = [d for d in lines if d.get("t") == "enterprise_files"]
        for d in files:
            d["r"].pop("assessed")
        lines = [d for d in lines if d.get("t") != "enterprise_files"]
        at = max(i for i, d in enumerate(lines) if d.get("t") == "assessments") + 1
        lines[at:at] = files
        src = s.db + ".nd"
        with open(src, "w", encoding="utf-8") as out:
            out.write("\n".join(json.dumps(d, ensure_ascii=False) for d in lines) + "\n")
        new = s.db + ".new"
        lib.run_cli("import", "--all", src, "--db", new)
        import sqlite3
        c = sqlite3.connect(new)
        eq(c.execute("SELECT assessed FROM enterprise_files WHERE org_id = ?", (org,)).fetchall(),
           [(1,)], "the imported file counts as assessed")
        c.close()
    finally:
        s.stop()
