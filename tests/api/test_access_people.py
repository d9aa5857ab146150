"""
test_access_people.py - the access matrix (as test_access.py) for every
route issue 21 added: sessions, users, keys over HTTP, the inbox, the
contact message, price confirmation and webhooks, each called with no key
and by enterprise A, enterprise B, provider A, provider B, a center and
an admin (keys), against records of A; then the same routes with a
session cookie of A's users.  Want classes as in test_access.py: 401
without a key, 403 for a role or owner that may not, 404 where the record
is hidden, 2xx (or 409/422 from state) for those that may.
"""

import time

import lib
from lib import assert_status, eq
from people import Browser, new_user, org_id

S = None
CALLERS = ("none", "entA", "entB", "provA", "provB", "center", "admin")
K = {}
ORG = {}
IDS = {}
W2, OK, F, U, NF = "2xx", "ok", 403, 401, 404
PW = "Matrix-2026-pw"


def setup_module():
    global S
    S = lib.use(lib.Server(redis="none", workers=2))
    roles = {"entA": "enterprise", "entB": "enterprise", "provA": "provider", "provB": "provider",
             "center": "center", "admin": "admin"}
    K["none"] = None
    for c, role in roles.items():
        K[c] = S.key(role, "人员矩阵" + c)
        ORG[c] = org_id(K[c])
    IDS["user"] = new_user(K["admin"], ORG["entA"], "矩阵用户", "13700000001", PW).json["id"]
    r = lib.request("POST", "/v1/resources", lib.resource(title="人员矩阵方案"), key=K["provA"])
    IDS["res"] = r.json["id"]
    n = lib.request("POST", "/v1/needs", {"title": "人员矩阵需求", "industry": "machinery",
                                          "scenarios": ["quality"]}, key=K["entA"]).json["id"]
    lib.request("POST", "/v1/needs/%s/responses" % n, {"resource_id": IDS["res"]}, key=K["provA"])
    IDS["ntf"] = lib.request("GET", "/v1/inbox", key=K["entA"]).json["items"][0]["id"]


def teardown_module():
    if S:
        S.stop()


def matches(status, want):
    if want == W2:
        return 200 <= status < 300
    if want == OK:
        return 200 <= status < 300 or status in (409, 422)
    return status == want


class Matrix:
    def __init__(self):
        self.fails, self.n = [], 0

    def cell(self, method, path, caller, want, body=None, browser=None):
        self.n += 1
        if browser:
            r = browser.req(method, path, body)
        else:
            r = lib.request(method, path, body, key=K[caller])
        ok = matches(r.status, want)
        print("cell %-52s %-8s got=%d want=%s%s" % ("%s %s" % (method, path[:40]), caller,
                                                    r.status, want, "" if ok else "  FAIL"))
        if not ok:
            self.fails.append("%s %s as %s: got %d, want %s: %s" % (method, path, caller, r.status,
                                                                   want, r.text[:200]))
        return r

    def row(self, method, path, wants, body=None):
        for c in CALLERS:
            self.cell(method, path, c, wants[c], body(c) if callable(body) else body)

    def done(self):
        assert not self.fails, "%d of %d cells failed:\n  %s" % (len(self.fails), self.n,
                                                                 "\n  ".join(self.fails))


def wants(default, **over):
    w = {c: default for c in CALLERS}
    w["none"] = U
    w.update(over)
    return w


def test_sessions_and_users():
    m = Matrix()
    login = {"login": "13700000001", "password": PW}
    m.row("POST", "/v1/session", {c: W2 for c in CALLERS}, body=login)
    m.row("DELETE", "/v1/session", {c: W2 for c in CALLERS})
    m.row("GET", "/v1/sessions", wants(F))
    m.row("POST", "/v1/me/password", wants(F), body={"current_password": PW, "password": PW + "x"})
    # a session of A's user, revoked by those who manage A's users
    for c in CALLERS:
        b = Browser()
        b.login("13700000001", PW)
        sid = b.get("/v1/me").json["session_id"]
        m.cell("DELETE", "/v1/sessions/" + sid, c, wants(NF, center=W2, admin=W2)[c])
    ua = IDS["user"]
    oa = ORG["entA"]
    n = [0]

    def new_body(c):
        n[0] += 1
        return {"name": "矩阵新用户", "phone": "1370000%04d" % (100 + n[0]), "password": PW}
    m.row("POST", "/v1/orgs/%s/users" % oa, wants(F, center=W2, admin=W2), body=new_body)
    m.row("GET", "/v1/orgs/%s/users" % oa, wants(F, entA=W2, center=W2, admin=W2))
    m.row("GET", "/v1/users/" + ua, wants(NF, entA=W2, center=W2, admin=W2))
    m.row("PATCH", "/v1/users/" + ua, wants(NF, entA=F, center=W2, admin=W2),
          body={"name": "矩阵用户改名"})
    m.row("POST", "/v1/users/%s/password" % ua, wants(NF, entA=F, center=W2, admin=W2),
          body={"password": PW})
    m.done()


def test_keys():
    m = Matrix()
    m.row("GET", "/v1/orgs/%s/keys" % ORG["provB"], wants(F, admin=W2))
    spare = S.key("provider", "人员矩阵备用密钥")
    for c in CALLERS:
        m.cell("DELETE", "/v1/keys/" + spare[:12], c, wants(F, admin=W2)[c])
    m.done()


def test_inbox_and_contact():
    m = Matrix()
    m.row("GET", "/v1/inbox", wants(W2))
    m.row("GET", "/v1/inbox/kinds", wants(W2))
    m.row("POST", "/v1/inbox/%s/read" % IDS["ntf"], wants(NF, entA=W2))
    m.row("POST", "/v1/inbox:read", wants(W2))
    m.row("POST", "/v1/resources/%s/contact" % IDS["res"], wants(F, entA=W2, entB=W2),
          body={"message": "矩阵咨询"})
    m.done()


def test_price_confirmation():
    m = Matrix()
    r = lib.request("POST", "/v1/campaigns", {
        "title": "人员矩阵集采", "resource_id": IDS["res"], "industry": "machinery",
        "scenarios": ["quality"], "tiers": [{"min_participants": 1, "unit_price": 100}],
        "min_participants": 1,
        "deadline": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))},
        key=K["center"])
    assert_status(r, 201)
    m.row("POST", "/v1/campaigns/%s/confirm" % r.json["id"], wants(F, provA=W2, provB=NF))
    m.done()


def test_webhooks():
    m = Matrix()
    oa = ORG["entA"]
    url = {"url": "https://hooks.example.cn/shucu"}
    m.row("POST", "/v1/orgs/%s/webhooks" % oa, wants(F, entA=W2, admin=W2), body=url)
    m.row("GET", "/v1/orgs/%s/webhooks" % oa, wants(F, entA=W2, admin=W2))
    wid = lib.request("GET", "/v1/orgs/%s/webhooks" % oa, key=K["entA"]).json["items"][0]["id"]
    m.row("GET", "/v1/orgs/%s/webhooks/%s/deliveries" % (oa, wid), wants(F, entA=W2, admin=W2))
    m.row("POST", "/v1/orgs/%s/webhooks/%s/test" % (oa, wid), wants(F, entA=W2, admin=W2))
    for c in CALLERS:
        if c in ("entA", "admin"):
            continue
        m.cell("DELETE", "/v1/orgs/%s/webhooks/%s" % (oa, wid), c, wants(F)[c])
    m.cell("DELETE", "/v1/orgs/%s/webhooks/%s" % (oa, wid), "entA", W2)
    m.cell("DELETE", "/v1/orgs/%s/webhooks/%s" % (oa, wid), "admin", NF)
    m.done()


def test_a_session_is_its_user_not_more():
    """A's ordinary user (not an organisation administrator) by cookie:
    what its organisation may, except managing people."""
    new_user(K["admin"], ORG["entA"], "矩阵普通用户", "13700000002", PW, org_admin=False)
    b = Browser()
    b.login("13700000002", PW)
    m = Matrix()
    oa = ORG["entA"]
    for method, path, want, body in (
            ("GET", "/v1/me", W2, None),
            ("GET", "/v1/sessions", W2, None),
            ("GET", "/v1/inbox", W2, None),
            ("GET", "/v1/orgs/%s/users" % oa, W2, None),
            ("POST", "/v1/orgs/%s/users" % oa, F, {"name": "x", "phone": "13700009999",
                                                  "password": PW}),
            ("POST", "/v1/users/%s/password" % IDS["user"], F, {}),
            ("PATCH", "/v1/users/" + IDS["user"], F, {"disabled": True}),
            ("POST", "/v1/orgs/%s/webhooks" % oa, F, {"url": "https://x.example.cn/"}),
            ("GET", "/v1/orgs/%s/keys" % oa, F, None),
            ("POST", "/v1/needs", W2, {"title": "会话需求", "industry": "machinery",
                                       "scenarios": ["quality"]}),
            ("POST", "/v1/resources", F, lib.resource()),
            ("GET", "/v1/stats", F, None)):
        m.cell(method, path, "userA", want, body, browser=b)
    m.done()
    eq(b.get("/v1/me").json["user"]["org_admin"], False)
