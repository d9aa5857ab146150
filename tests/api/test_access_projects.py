"""
test_access_projects.py - the access matrix of issue 19's routes
(projects, sign-offs, transitions, O&M tickets, cases, the 案例集 export,
outcomes), the way test_access.py checks the first ones: every route
called by no key, enterprise A (the project's), enterprise B, provider A
(the project's), provider B, the supervising center, another center and
an admin, with the status class the contract implies:

  - 401 without a key on every non-public route;
  - 403 for a role the route does not admit, and for an admitted caller
    that is no party to the move (another center, a provider asked to sign);
  - 404 for an enterprise or provider that is no party: it never learns
    the project exists;
  - 2xx, or a 409/422 from state, for the parties.

A case that hides its enterprise never shows the enterprise's name or id
to anyone but centers and admins, in any body.
"""

import json

import lib
import projlib as PL
from lib import assert_status

S = None
CALLERS = ("none", "entA", "entB", "provA", "provB", "center", "center2", "admin")
K = {}
ORG = {}
IDS = {}
ENT_NAME = "矩阵项目企业甲"
OK = "ok"
W2 = "2xx"
F, U, NF = 403, 401, 404


def setup_module():
    global S
    S = lib.use(lib.Server(redis="none", workers=2))
    names = {"entA": ("enterprise", ENT_NAME), "entB": ("enterprise", "矩阵项目企业乙"),
             "provA": ("provider", "矩阵项目服务商甲"), "provB": ("provider", "矩阵项目服务商乙"),
             "center": ("center", "矩阵项目数促中心"), "center2": ("center", "矩阵项目第二数促中心"),
             "admin": ("admin", "矩阵项目运营方")}
    K["none"] = None
    for c, (role, org) in names.items():
        K[c] = S.key(role, org)
        ORG[c] = PL.org_of(K[c])
    assert_status(lib.request("PUT", "/v1/orgs/%s/file" % ORG["entA"],
                              {"province": "湖北省", "industry": "machinery"}, key=K["entA"]), 200)
    IDS["RES"] = PL.resource(K["provA"], title="矩阵项目视觉质检")
    # a project in each state the rows need, all entA / provA / center
    IDS["P"] = new("contracted")
    IDS["P_DEL"] = new("delivered")
    IDS["P_ACC"] = new("accepted")
    IDS["P_CASE"] = new("accepted")
    _, IDS["RESP"] = PL.accepted_response(K["entA"], K["provA"], IDS["RES"])
    r = lib.request("POST", "/v1/projects/%s/tickets" % IDS["P_DEL"], {"title": "矩阵工单"},
                    key=K["entA"])
    assert_status(r, 201)
    IDS["T"] = r.json["id"]
    r = lib.request("POST", "/v1/projects/%s/case" % IDS["P_CASE"],
                    {"title": "矩阵案例：冲压件视觉质检", "problem": "人工目检漏检", "solution": "视觉质检工作站",
                     "quote": "漏检明显减少", "hide_enterprise": True}, key=K["center"])
    assert_status(r, 201)
    IDS["CASE"] = r.json["id"]


def teardown_module():
    if S:
        S.stop()


def new(state):
    p = PL.new_project(K["entA"], K["provA"], IDS["RES"], center_id=ORG["center"])
    pid = p["id"]
    if state in ("delivered", "accepted"):
        PL.deliver(pid, K["provA"])
    if state == "accepted":
        PL.accept(pid, K["entA"], K["center"], K["center"], ORG["entA"])
    return pid


def matches(status, want):
    if want == W2:
        return 200 <= status < 300
    if want == OK:
        return 200 <= status < 300 or status in (409, 422)
    return status == want


def wants(default, **cells):
    w = {c: default for c in CALLERS}
    w["none"] = U
    w.update(cells)
    return w


PUBLIC = {c: W2 for c in CALLERS}
ANY_KEY = wants(W2)


class Matrix:
    def __init__(self):
        self.bad = []

    def cell(self, method, path, caller, want, body=None):
        r = lib.request(method, path, body, key=K[caller])
        print("cell %-6s %-52s %-7s got=%d want=%s" % (method, path[:52], caller, r.status, want))
        if not matches(r.status, want):
            self.bad.append("%s %s by %s: got %d want %s %s" % (method, path, caller, r.status,
                                                              want, r.text[:200]))
        if caller in ("none", "entB", "provA", "provB", "entA") and r.status < 300:
            self.hidden_name(method, path, caller, r)
        return r

    def hidden_name(self, method, path, caller, r):
        """The hidden enterprise of CASE never shows in a case body."""
        if "/cases" not in path and "kind=case" not in path and "/outcomes" not in path:
            return
        if ENT_NAME in r.text or ORG["entA"] in r.text:
            self.bad.append("%s %s by %s: the hidden enterprise shows: %s" % (
                method, path, caller, r.text[:300]))

    def row(self, method, path, want, body=None):
        for c in CALLERS:
            self.cell(method, path, c, want[c], body)

    def done(self):
        assert not self.bad, "\n".join(self.bad)


def test_projects_matrix():
    m = Matrix()
    p, pd = IDS["P"], IDS["P_DEL"]
    parties = dict(entA=W2, provA=W2, center=W2, center2=W2, admin=W2, entB=NF, provB=NF)
    m.row("POST", "/v1/projects", wants(F, entA=W2, entB=422), body={"response_id": IDS["RESP"]})
    m.row("GET", "/v1/projects", ANY_KEY)
    m.row("GET", "/v1/projects?sort=due", ANY_KEY)
    m.row("GET", "/v1/projects/" + p, wants(W2, **parties))
    m.row("PATCH", "/v1/projects/" + p, wants(F, entA=W2, provA=W2, center=W2, entB=NF, provB=NF),
          body={"amount": 123000})
    # a move every party may make: the first party in the row makes it, the
    # others then meet a 409 from state; non-parties never get that far
    m.row("POST", "/v1/projects/%s/transition" % IDS["P_ACC"],
          wants(F, entA=OK, provA=OK, center=OK, entB=NF, provB=NF), body={"to": "implementing"})
    m.row("POST", "/v1/projects/%s/transition" % p,
          wants(F, entA=OK, provA=OK, center=OK, entB=NF, provB=NF),
          body={"to": "cancelled", "reason": "矩阵测试取消"})
    # sign-off: the enterprise and the supervising center only
    m.row("POST", "/v1/projects/%s/signoff" % pd, wants(F, entA=W2, center=W2, entB=NF))
    m.done()


def test_tickets_matrix():
    m = Matrix()
    pd, t = IDS["P_DEL"], IDS["T"]
    m.row("POST", "/v1/projects/%s/tickets" % pd, wants(F, entA=W2, entB=NF),
          body={"title": "矩阵新工单"})
    m.row("GET", "/v1/projects/%s/tickets" % pd,
          wants(W2, entA=W2, provA=W2, center=W2, center2=W2, admin=W2, entB=NF, provB=NF))
    m.row("POST", "/v1/projects/%s/tickets/%s/reply" % (pd, t),
          wants(F, entA=W2, provA=W2, entB=NF, provB=NF), body={"text": "矩阵回复"})
    m.row("POST", "/v1/projects/%s/tickets/%s/close" % (pd, t),
          wants(F, entA=OK, provA=OK, entB=NF, provB=NF))
    m.done()


def test_cases_matrix():
    m = Matrix()
    c, res = IDS["CASE"], IDS["RES"]
    # publishing: the supervising center; another center is no party
    m.row("POST", "/v1/projects/%s/case" % IDS["P_ACC"], wants(F, center=OK),
          body={"title": "矩阵案例二", "problem": "问题", "solution": "方案",
                "hide_enterprise": True})
    m.row("GET", "/v1/cases", PUBLIC)
    m.row("GET", "/v1/cases?q=%E8%A7%86%E8%A7%89%E8%B4%A8%E6%A3%80", PUBLIC)
    m.row("GET", "/v1/search?kind=case", PUBLIC)
    m.row("GET", "/v1/cases/" + c, PUBLIC)
    m.row("PATCH", "/v1/cases/" + c, wants(F, center=W2), body={"quote": "漏检减少八成"})
    m.row("GET", "/v1/cases:export?format=html&ids=" + c, wants(F, center=W2, center2=W2, admin=W2))
    m.row("GET", "/v1/resources/%s/outcomes" % res, PUBLIC)
    m.done()
    # centers see who it was; the public only the description
    r = lib.request("GET", "/v1/cases/" + c, key=K["center2"])
    assert r.json["enterprise"]["real_name"] == ENT_NAME, r.json["enterprise"]
    r = lib.request("GET", "/v1/cases/" + c)
    assert r.json["enterprise"] == {"name": "湖北省某机械企业", "hidden": True}, r.json["enterprise"]
    # nor is the hidden name searchable: all its words find nothing (a
    # relaxed answer, any word, may still find the case by its own words)
    from urllib.parse import quote
    r = lib.request("GET", "/v1/cases?q=" + quote(ENT_NAME))
    assert r.json["total"] == 0 or r.json.get("relaxed"), json.dumps(r.json)[:300]
