"""
test_project_reports.py - projects (issue 19) in 跟踪监测 (issue 20).

A scripted set of three projects (one accepted with a verified uplift from
一级 to 二级, one in progress, one cancelled; two enterprises in 武汉市, one
in 郑州市) is read back as the 经信局 and the center would read it:

  - GET /v1/reports/projects by status, provider, scenario and month, the
    figures against hand-computed values, as JSON and as CSV;
  - an authority of 武汉市 sees only the projects of its region's
    enterprises, in the report, the list and a single read (404 outside);
  - GET /v1/projects?format=csv|xlsx exports every project for a center,
    with the status in Chinese, and is refused to an enterprise;
  - the change feed carries projects, tickets and cases, each to whom may
    see it (a ticket to centers only, a case to every follower).
"""

import csv
import io

import lib
import projlib as PL
from lib import assert_status, eq, request

S = None
K = {}
ORG = {}
P = {}   # name -> project id


def authority_key(org, region):
    p = lib.run_cli("keys", "create", "--db", S.db, "--role", "authority", "--org", org,
                    "--region", region)
    return p.stdout.strip().splitlines()[-1]


def enterprise(name, province, city, district):
    k = S.key("enterprise", name)
    org = PL.org_of(k)
    assert_status(request("PUT", "/v1/orgs/%s/file" % org,
                          {"province": province, "city": city, "district": district,
                           "industry": "machinery", "size": "small"}, key=k), 200)
    return k, org


def setup_module():
    global S
    S = lib.use(lib.Server(workers=2))
    K["cen"] = S.key("center", "报表项目测试数促中心")
    K["prov"] = S.key("provider", "报表项目测试智造科技")
    K["w1"], ORG["w1"] = enterprise("武汉报表项目一号机械厂", "湖北省", "武汉市", "江岸区")
    K["w2"], ORG["w2"] = enterprise("武汉报表项目二号机械厂", "湖北省", "武汉市", "汉阳区")
    K["h"], ORG["h"] = enterprise("郑州报表项目机械厂", "河南省", "郑州市", "金水区")
    K["wuhan"] = authority_key("报表项目测试武汉市经信局", "湖北省/武汉市")
    cen_org = PL.org_of(K["cen"])
    res = PL.resource(K["prov"], title="报表项目测试视觉质检工作站")
    # accepted, 一级 before and 二级 after, quality
    PL.verified(K["cen"], ORG["w1"])
    a = PL.new_project(K["w1"], K["prov"], res, amount=100000, center_id=cen_org,
                       scenarios=("quality",))
    P["a"] = a["id"]
    PL.deliver(P["a"], K["prov"])
    r = PL.accept(P["a"], K["w1"], K["cen"], K["cen"], ORG["w1"], answers=PL.STRONG,
                  scene_steps=PL.scenes(2))
    eq((r.json["level_before"], r.json["level_after"]), (1, 2), "levels of the accepted one")
    # in progress, quality and equipment
    b = PL.new_project(K["w2"], K["prov"], res, amount=50000, center_id=cen_org,
                       scenarios=("quality", "equipment"))
    P["b"] = b["id"]
    PL.move(P["b"], "implementing", K["prov"])
    # cancelled, in 郑州, equipment
    c = PL.new_project(K["h"], K["prov"], res, amount=30000, center_id=cen_org,
                       scenarios=("equipment",))
    P["c"] = c["id"]
    PL.move(P["c"], "cancelled", K["h"], reason="预算取消")


def teardown_module():
    if S:
        S.stop()


def report(by, who="cen", fmt=None):
    path = "/v1/reports/projects?by=" + by + ("&format=" + fmt if fmt else "")
    r = request("GET", path, key=K[who])
    assert_status(r, 200)
    return r


def rows_by_key(doc):
    return {row["key"]: row for row in doc["rows"]}


def test_projects_report_by_status_against_hand_computed_figures():
    doc = report("status").json
    eq(doc["summary"], {"projects": 3, "amount": 180000.0, "accepted": 1,
                        "accepted_amount": 100000.0, "reached_level_2": 1})
    rows = rows_by_key(doc)
    eq(sorted(rows), ["accepted", "cancelled", "implementing"])
    eq(rows["accepted"]["name"], "已验收")
    eq((rows["accepted"]["projects"], rows["accepted"]["amount"],
        rows["accepted"]["accepted_amount"], rows["accepted"]["avg_uplift"]),
       (1, 100000.0, 100000.0, 1.0))
    eq((rows["implementing"]["in_progress"], rows["implementing"]["amount"]), (1, 50000.0))
    eq((rows["cancelled"]["cancelled"], rows["cancelled"]["avg_uplift"]), (1, None))


def test_projects_report_by_provider_scenario_and_month():
    rows = report("provider").json["rows"]
    eq(len(rows), 1)
    eq((rows[0]["name"], rows[0]["projects"], rows[0]["amount"]),
       ("报表项目测试智造科技", 3, 180000.0))
    # a project counts under each scenario it names
    rows = rows_by_key(report("scenario").json)
    eq((rows["quality"]["projects"], rows["quality"]["amount"]), (2, 150000.0))
    eq((rows["equipment"]["projects"], rows["equipment"]["amount"]), (2, 80000.0))
    assert rows["quality"]["name"] != "quality", "scenario named in Chinese: %r" % rows["quality"]
    rows = report("month").json["rows"]
    eq(sum(r["projects"] for r in rows), 3)
    assert all(len(r["key"]) == 7 and r["key"][4] == "-" for r in rows), rows


def test_projects_report_as_csv_for_excel():
    r = report("status", fmt="csv")
    assert r.body.startswith(b"\xef\xbb\xbf"), r.body[:10]
    rows = list(csv.reader(io.StringIO(r.body[3:].decode("utf-8"), newline="")))
    eq(rows[0][:4], ["代码", "名称", "项目数", "合同金额（元）"])
    assert any(row[1] == "已验收" for row in rows[1:]), rows


def test_authority_sees_its_regions_projects_only():
    doc = report("status", who="wuhan").json
    eq(doc["summary"]["projects"], 2, "郑州's project is outside 武汉市")
    assert "cancelled" not in rows_by_key(doc), doc["rows"]
    r = request("GET", "/v1/projects?limit=100", key=K["wuhan"])
    assert_status(r, 200)
    eq(sorted(p["id"] for p in r.json["items"]), sorted([P["a"], P["b"]]))
    assert_status(request("GET", "/v1/projects/" + P["a"], key=K["wuhan"]), 200)
    assert_status(request("GET", "/v1/projects/" + P["c"], key=K["wuhan"]), 404)
    # read-only: an authority moves nothing
    r = request("POST", "/v1/projects/%s/transition" % P["b"], {"to": "delivered"},
                key=K["wuhan"])
    assert_status(r, 403)


def test_project_list_exports_for_centers_only():
    r = request("GET", "/v1/projects?format=csv", key=K["cen"])
    assert_status(r, 200)
    rows = list(csv.reader(io.StringIO(r.body[3:].decode("utf-8"), newline="")))
    eq(rows[0][:3], ["编号", "项目", "状态"])
    eq(sorted(row[0] for row in rows[1:]), sorted(P.values()))
    eq({row[0]: row[2] for row in rows[1:]}[P["a"]], "已验收")
    r = request("GET", "/v1/projects?format=xlsx", key=K["wuhan"])
    assert_status(r, 200)
    assert r.body[:2] == b"PK", "an XLSX is a zip: %r" % r.body[:8]
    assert_status(request("GET", "/v1/projects?format=csv", key=K["w1"]), 403)


def feed(who):
    out, since = [], "0"
    while True:
        r = request("GET", "/v1/changes?limit=1000&since=" + since, key=K[who])
        assert_status(r, 200)
        out += r.json["changes"]
        if not r.json["more"]:
            return out
        since = r.json["next"]


def test_change_feed_carries_projects_tickets_and_cases():
    r = request("POST", "/v1/projects/%s/tickets" % P["a"],
                {"title": "相机偶尔掉线", "severity": "high"}, key=K["w1"])
    assert_status(r, 201)
    tid = r.json["id"]
    r = request("POST", "/v1/projects/%s/case" % P["a"],
                {"title": "报表项目测试案例：质检上线", "problem": "人工目检漏检多",
                 "solution": "AI视觉质检工作站"}, key=K["cen"])
    assert_status(r, 201)
    cid = r.json["id"]
    center = feed("cen")
    seen = {(c["type"], c["id"]) for c in center}
    for pid in P.values():
        assert ("project", pid) in seen, "center's feed lacks project %s" % pid
    assert ("ticket", tid) in seen and ("case", cid) in seen, seen
    last = [c for c in center if c["type"] == "project" and c["id"] == P["a"]][-1]
    eq(last["record"]["status"], "accepted")
    auth = feed("wuhan")
    seen = {(c["type"], c["id"]) for c in auth}
    assert ("project", P["a"]) in seen and ("project", P["b"]) in seen, seen
    assert ("project", P["c"]) not in seen, "郑州's project in 武汉's feed"
    assert ("ticket", tid) not in seen, "tickets are for centers"
    assert ("case", cid) in seen, "a published case is public"
