"""
test_cases.py - the case library (优秀案例, issue 19): a center publishes an
accepted project as a case; the public reads and searches cases in Chinese
(GET /v1/cases?q=, and kind=case in /v1/search with its facet, through
the cache); a hidden enterprise is neither shown nor searchable; a
withdrawn case leaves the public library; a center exports a 案例集 as a
printable HTML page and as a real PDF (printed by Chromium without
blocking the server, refused cleanly when the browser fails or is slow).
"""

import os
import re
import stat
import threading
import time
from urllib.parse import quote

import lib
import projlib as PL
from lib import assert_error, assert_status, eq, request

S = R = None
ENT = PROV = CEN = CEN2 = None
ORG = {}
IDS = {}
ENT_NAME = "案例测试精密冲压有限公司"


def setup_module():
    global S, R, ENT, PROV, CEN, CEN2
    R = lib.Redis()
    S = lib.use(lib.Server(redis=R, workers=2))
    ENT = S.key("enterprise", ENT_NAME)
    PROV = S.key("provider", "案例测试智造科技")
    CEN = S.key("center", "案例测试数促中心")
    CEN2 = S.key("center", "案例测试第二数促中心")
    for name, k in (("ent", ENT), ("prov", PROV), ("cen", CEN)):
        ORG[name] = PL.org_of(k)
    assert_status(request("PUT", "/v1/orgs/%s/file" % ORG["ent"],
                          {"province": "湖北省", "industry": "machinery"}, key=ENT), 200)
    IDS["RES"] = PL.resource(PROV, title="冲压件AI视觉质检工作站")
    IDS["RES2"] = PL.resource(PROV, title="注塑车间能耗在线监测", scenarios=["energy"])


def teardown_module():
    try:
        if S:
            S.stop()
    finally:
        if R:
            R.stop()


def accepted(res, scenarios=("quality",)):
    p = PL.new_project(ENT, PROV, res, center_id=ORG["cen"], scenarios=scenarios,
                       costs=[{"type": "software", "amount": 60000},
                              {"type": "hardware", "amount": 30000}])
    PL.deliver(p["id"], PROV)
    PL.accept(p["id"], ENT, CEN, CEN, ORG["ent"], answers=PL.STRONG, scene_steps=PL.scenes(2, quality=3),
              evidence={"pass_rate": {"pass_rate": 99.1}})
    return p["id"]


def publish(pid, key=None, status=201, **body):
    b = {"title": "冲压件视觉质检改造：漏检率下降八成", "problem": "人工目检漏检多，客户投诉不断",
         "solution": "上线AI视觉质检工作站，缺陷图片自动归档追溯", "quote": "以前靠人眼，现在靠数据"}
    b.update(body)
    r = request("POST", "/v1/projects/%s/case" % pid, b, key=key or CEN)
    assert_status(r, status)
    if status == 201:
        lib.check_schema(r.json, "case")
    return r


def search(q, **params):
    qs = "q=" + quote(q) + "".join("&%s=%s" % kv for kv in params.items())
    r = request("GET", "/v1/search?" + qs)
    assert_status(r, 200)
    lib.check_schema(r.json, "search")
    return r.json


def test_publish_rules_and_the_case_record():
    PL.verified(CEN, ORG["ent"])
    p = PL.new_project(ENT, PROV, IDS["RES"], center_id=ORG["cen"])
    publish(p["id"], status=409)                                  # not accepted
    before = search("视觉质检")
    assert "case" not in before["facets"]["kind"], before["facets"]
    pid = accepted(IDS["RES"])
    assert_error(publish(pid, key=CEN2, status=403), 403, "forbidden")
    for missing in ("title", "problem", "solution"):
        r = request("POST", "/v1/projects/%s/case" % pid, {k: "x" for k in ("title", "problem",
                    "solution") if k != missing}, key=CEN)
        assert_error(r, 422, "invalid_field", missing)
    assert_error(request("POST", "/v1/projects/%s/case" % pid, {"title": "x", "problem": "y",
                         "solution": "z"}, key=PROV), 403, "forbidden")
    c = publish(pid).json
    IDS["CASE"] = c["id"]
    eq(request("GET", "/v1/cases/" + c["id"]).headers.get("ETag"), '"1"')
    eq((c["status"], c["project_id"], c["resource"]["id"], c["provider"]["id"]),
       ("published", pid, IDS["RES"], ORG["prov"]))
    eq((c["level_before"], c["level_after"], c["uplift"]), (1, 2, 1), "verified levels")
    eq(c["step_gain"], 2.0)
    eq(c["cost"]["by_type"], {"software": 60000, "hardware": 30000}, "cost lines by type")
    eq(c["duration_days"], 0, "started and accepted today")
    figs = {(f["question"], f["figure"]): (f["before"], f["after"]) for f in c["figures"]}
    eq(figs[("pass_rate", "pass_rate")][1], 99.1)
    eq([s["code"] for s in c["scenes"] if s["code"] == "quality"], ["quality"], "scenes that moved")
    eq(c["enterprise"]["name"], ENT_NAME, "named unless hidden")
    publish(pid, status=409)                                       # once
    assert ("case_published", pid) in [(n["kind"], n["payload"].get("project", {}).get("id"))
                                       for n in request("GET", "/v1/inbox", key=ENT).json["items"]]
    # the project shows its case; the resource page lists it
    eq(request("GET", "/v1/projects/" + pid, key=ENT).json["case"]["id"], c["id"])
    o = request("GET", "/v1/resources/%s/outcomes" % IDS["RES"]).json
    eq([x["id"] for x in o["cases"]["items"]], [c["id"]])
    # the search answer changed with the case, through the cache (the
    # generation moved): the facet counts it now
    after = search("视觉质检")
    eq(after["facets"]["kind"].get("case"), 1, "facets.kind.case")
    eq(after["total"], before["total"], "the resources found are the same")
    eq([h["id"] for h in after["hits"]], [h["id"] for h in before["hits"]])


def test_a_chinese_search_finds_cases():
    pid = accepted(IDS["RES2"], scenarios=("energy",))
    c = publish(pid, title="注塑车间能耗在线监测：吨产品电耗下降12%", problem="电费占成本两成，不知道耗在哪",
                solution="分项计量到机台，峰谷用电排产", quote="电费一年省了四十万").json
    IDS["ENERGY"] = c["id"]
    for q, want in (("视觉质检", IDS["CASE"]), ("漏检", IDS["CASE"]), ("能耗", c["id"]),
                    ("電耗", c["id"]), ("峰谷用电", c["id"]), ("ＡＩ视觉", IDS["CASE"])):
        r = request("GET", "/v1/cases?q=" + quote(q))
        assert_status(r, 200)
        ids = [x["id"] for x in r.json["items"]]
        assert want in ids, "%s should find %s: %s" % (q, want, ids)
        other = IDS["CASE"] if want == c["id"] else c["id"]
        assert other not in ids, "%s should not find %s" % (q, other)
    r = request("GET", "/v1/cases?q=" + quote("能耗"))
    eq(r.json["total"], 1)
    assert r.json["terms"], r.json
    # filters and the public list
    eq([x["id"] for x in request("GET", "/v1/cases?scenario=energy").json["items"]], [c["id"]])
    eq(request("GET", "/v1/cases?industry=textile").json["total"], 0)
    eq(request("GET", "/v1/cases?resource_id=" + IDS["RES"]).json["total"], 1)
    eq(request("GET", "/v1/cases").json["total"], 2)
    for q in ("\"", "AND", "*", "-", "😀", "能耗 OR", "NEAR(能耗"):
        assert_status(request("GET", "/v1/cases?q=" + quote(q)), 200)
    # /v1/search: kind=case gives the cases, with highlights
    j = search("能耗", kind="case")
    eq([h["id"] for h in j["hits"]], [c["id"]])
    eq((j["hits"][0]["kind"], j["total"]), ("case", 1))
    assert "<mark>" in j["hits"][0]["highlight"]["title"], j["hits"][0]
    eq(j["hits"][0]["case"]["resource_id"], IDS["RES2"])
    j = search("能耗", kind="case,product")
    assert all(h["kind"] != "case" for h in j["hits"]), "beside a resource kind, hits stay resources"
    eq(j["facets"]["kind"].get("case"), 1)
    # the cache keeps the kinds apart: each answer, asked again, is the same one cached
    for kind in ("case", "provider", "product"):
        first, again = search("能耗", kind=kind), search("能耗", kind=kind)
        eq(again["cached"], True, "kind=%s cached" % kind)
        eq([h["id"] for h in again["hits"]], [h["id"] for h in first["hits"]])
        eq(all(h["kind"] == "case" for h in again["hits"]), kind == "case" or not again["hits"],
           "kind=%s answers its own hits" % kind)


def test_hidden_enterprise_and_withdrawal():
    pid = accepted(IDS["RES"])
    c = publish(pid, title="隐名案例：冲压线视觉质检", hide_enterprise=True).json
    eq(c["enterprise"]["name"], "湖北省某机械企业", "a description instead of the name")
    eq(c["enterprise"]["real_name"], ENT_NAME, "the publishing center still sees who")
    pub = request("GET", "/v1/cases/" + c["id"]).json
    eq(pub["enterprise"], {"name": "湖北省某机械企业", "hidden": True})
    assert ENT_NAME not in request("GET", "/v1/cases?q=" + quote("隐名案例")).text
    # naming it again: the center edits; If-Match honoured
    assert_error(request("PATCH", "/v1/cases/" + c["id"], {"hide_enterprise": False}, key=CEN,
                         headers={"If-Match": '"7"'}), 409, "conflict")
    assert_error(request("PATCH", "/v1/cases/" + c["id"], {"quote": "x"}, key=CEN2), 403,
                 "forbidden")
    r = request("PATCH", "/v1/cases/" + c["id"], {"hide_enterprise": False}, key=CEN,
                headers={"If-Match": '"1"'})
    assert_status(r, 200)
    eq((r.json["enterprise"]["name"], r.json["version"]), (ENT_NAME, 2))
    # withdrawn: gone from the public library and search, still there for centers
    r = request("PATCH", "/v1/cases/" + c["id"], {"status": "withdrawn"}, key=CEN)
    assert_status(r, 200)
    assert_error(request("GET", "/v1/cases/" + c["id"]), 404, "not_found")
    assert_status(request("GET", "/v1/cases/" + c["id"], key=CEN2), 200)
    r = request("GET", "/v1/cases?q=" + quote("隐名案例"))
    assert c["id"] not in [x["id"] for x in r.json["items"]], r.json
    assert r.json["total"] == 0 or r.json.get("relaxed"), "no case has every word now"
    assert_error(request("PATCH", "/v1/cases/" + c["id"], {"status": "gone"}, key=CEN), 422,
                 "invalid_field", "status")


def test_export_a_collection_as_html_and_pdf():
    pid = accepted(IDS["RES"])
    tricky = publish(pid, title="<b>标题</b> & 案例", quote="“好用”<script>alert(1)</script>").json
    ids = ",".join([IDS["CASE"], IDS["ENERGY"], tricky["id"]])
    r = request("GET", "/v1/cases:export?format=html&title=%s&ids=%s" % (quote("2026年优秀案例集"), ids),
                key=CEN)
    assert_status(r, 200)
    assert r.headers.get("Content-Type").startswith("text/html"), r.headers
    html = r.text
    assert "<script>" not in html and "&lt;script&gt;" in html, "every text escaped"
    assert "&lt;b&gt;标题&lt;/b&gt; &amp; 案例" in html
    assert "2026年优秀案例集" in html and "目录" in html
    for cid in (IDS["CASE"], IDS["ENERGY"]):
        title = request("GET", "/v1/cases/" + cid).json["title"]
        assert title in html, title
    eq(html.count('<section class="case"'), 3)
    assert html.index("冲压件视觉质检改造") < html.index("注塑车间能耗在线监测"), "in the order given"
    assert_error(request("GET", "/v1/cases:export?format=doc&ids=" + ids, key=CEN), 400,
                 "bad_param", "format")
    assert_error(request("GET", "/v1/cases:export?format=html", key=CEN), 400, "bad_param", "ids")
    assert_error(request("GET", "/v1/cases:export?ids=case_nosuch", key=CEN), 400, "bad_param",
                 "ids")
    assert_error(request("GET", "/v1/cases:export?ids=" + ids, key=ENT), 403, "forbidden")
    t0 = time.time()
    r = request("GET", "/v1/cases:export?format=pdf&ids=" + ids, key=CEN, timeout=120)
    assert_status(r, 200)
    eq(r.headers.get("Content-Type"), "application/pdf")
    assert "attachment" in r.headers.get("Content-Disposition", ""), r.headers
    pdf = r.body
    assert pdf[:5] == b"%PDF-", pdf[:20]
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages >= 4, "a cover, the contents and a page per case: %d pages" % pages
    assert b"%%EOF" in pdf[-64:], "a whole file"
    print("pdf: %d bytes, %d pages, %.1f s" % (len(pdf), pages, time.time() - t0))


def fake_browser(body):
    path = os.path.join(lib.tmpdir("fakebrowser"), "chromium")
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + body + "\n")
    os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)
    return path


def test_a_failing_or_slow_browser_is_503_and_blocks_nothing():
    """One worker: while its browser hangs, the worker still answers; at
    the deadline the print is killed and answered 503."""
    slow = fake_browser("sleep 30")
    srv = lib.Server(db=S.db + ".pdf", redis="none", workers=1,
                     extra_args=["--chromium", slow, "--pdf-timeout", "2"])
    try:
        cen = srv.key("center", "打印测试中心")
        prov = srv.key("provider", "打印测试服务商")
        ent = srv.key("enterprise", "打印测试企业")
        lib.use(srv)
        res = PL.resource(prov)
        p = PL.new_project(ent, prov, res, center_id=PL.org_of(cen))
        PL.deliver(p["id"], prov)
        PL.accept(p["id"], ent, cen, cen, PL.org_of(ent))
        cid = publish(p["id"], key=cen).json["id"]
        out = {}

        def export():
            out["r"] = request("GET", "/v1/cases:export?format=pdf&ids=" + cid, key=cen,
                               server=srv, timeout=30)

        th = threading.Thread(target=export)
        t0 = time.time()
        th.start()
        time.sleep(0.5)
        r = request("GET", "/healthz", server=srv, timeout=5)
        assert_status(r, 200)
        assert time.time() - t0 < 1.8, "the worker answered while the browser ran"
        th.join(30)
        assert_error(out["r"], 503, "unavailable")
        assert time.time() - t0 < 10, "killed at the deadline"
        assert "did not finish in time" in out["r"].json["error"]["message"]
        srv.stop()
        srv.extra_args = ["--chromium", fake_browser("exit 3")]
        srv.start()
        assert_error(request("GET", "/v1/cases:export?format=pdf&ids=" + cid, key=cen,
                             server=srv), 503, "unavailable")
        srv.extra_args = ["--chromium", "/nonexistent/chromium"]
        srv.restart()
        r = request("GET", "/v1/cases:export?format=pdf&ids=" + cid, key=cen, server=srv,
                    headers={"Accept-Language": "zh-CN"})
        assert_error(r, 503, "unavailable")
        eq(r.json["error"]["message"], "案例集 PDF 生成失败，请稍后再试")
    finally:
        lib.use(S)
        srv.close()
