"""
test_access_assess.py - the access matrix of issue 18's routes (files,
the register, instruments, assessments, gaps, needs from gaps), the way
test_access.py checks the first ones: every route called by no key,
enterprise A, enterprise B, provider A, a center, a second center and an
admin, against records of enterprise A, with the status class the
contract implies:

  - 401 without a key on every non-public route;
  - 403 for a role the route does not admit (providers never reach an
    assessment) and for an admitted caller who is not the record's
    creator (PATCH and submit are the creator's; a center that did not
    create a draft cannot edit it);
  - 404 for another enterprise: it never learns that A's file or
    assessment exists;
  - 2xx, or a 409/422 from state, for admitted callers.

Enterprise A's contact phone never appears in a body answered to
enterprise B, the provider or an anonymous caller.
"""

import json

import lib
from lib import assert_status

S = None
CALLERS = ("none", "entA", "entB", "provA", "center", "center2", "admin")
K = {}
ORG = {}
IDS = {}
PHONE = "13912340000"
HIDDEN_FROM = ("none", "entB", "provA")
OK = "ok"
W2 = "2xx"
F, U, NF = 403, 401, 404

ANSWERS = {"network": ["B"], "device_digital_rate": ["C"], "device_network_rate": ["B"],
           "auto_collection": ["G"], "it_coverage": ["C"], "network_security": ["B"],
           "data_security": ["A"], "planning": ["C"], "mechanisms": ["A"], "talent": ["B"],
           "investment": ["B"], "energy_per_revenue": ["B"], "pass_rate": ["C"],
           "revenue_per_head": ["C"], "cost_per_revenue": ["B"]}
SCENES = {c: 1 for c in ("product_design", "process_design", "marketing", "after_sales",
                         "planning", "production_control", "quality", "equipment", "safety",
                         "energy", "procurement", "warehouse_logistics", "finance", "hr",
                         "collaboration", "decision_support")}
FILE = {"province": "湖北省", "city": "武汉市", "district": "汉阳区", "industry": "machinery",
        "size": "small", "above_scale": False, "contact": {"name": "矩阵联系人", "phone": PHONE}}


def setup_module():
    global S
    S = lib.use(lib.Server(redis="none", workers=2))
    names = {"entA": ("enterprise", "评估矩阵企业A"), "entB": ("enterprise", "评估矩阵企业B"),
             "provA": ("provider", "评估矩阵服务商A"), "center": ("center", "评估矩阵促进中心"),
             "center2": ("center", "评估矩阵第二促进中心"), "admin": ("admin", "评估矩阵运营方")}
    K["none"] = None
    for c, (role, org) in names.items():
        K[c] = S.key(role, org)
        ORG[c] = lib.request("GET", "/v1/me", key=K[c]).json["org"]["id"]
    assert_status(lib.request("PUT", "/v1/orgs/%s/file" % ORG["entA"], FILE, key=K["entA"]), 200)
    IDS["A1"] = new_assessment("entA", answers={"network": ["B"]})
    IDS["A2"] = new_assessment("center", org_id=ORG["entA"])
    for name in ("A3", "A4", "A5"):  # submitted, for verify and return
        IDS[name] = new_assessment("entA", answers=ANSWERS, scenes=SCENES)
        assert_status(lib.request("POST", "/v1/assessments/%s/submit" % IDS[name], key=K["entA"]), 200)
    assert_status(lib.request("POST", "/v1/assessments/%s/verify" % IDS["A5"], {}, key=K["center"]), 200)


def teardown_module():
    if S:
        S.stop()


def new_assessment(who, **body):
    b = {"instrument": "sme-2024"}
    b.update(body)
    r = lib.request("POST", "/v1/assessments", b, key=K[who])
    assert_status(r, 201)
    return r.json["id"]


def matches(status, want):
    if want == W2:
        return 200 <= status < 300
    if want == OK:
        return 200 <= status < 300 or status in (409, 422)
    return status == want


class Matrix:
    def __init__(self):
        self.fails = []
        self.n = 0

    def cell(self, method, path, caller, want, body=None, raw=None, ctype="application/json"):
        route = "%s %s" % (method, path)
        self.n += 1
        try:
            r = lib.request(method, path, body=body, raw=raw, ctype=ctype, key=K[caller])
        except AssertionError as e:
            self.fails.append("%s as %s: request failed: %s" % (route, caller, e))
            return None
        ok = matches(r.status, want)
        print("cell %-55s %-7s got=%d want=%s%s" % (route, caller, r.status, want, "" if ok else "  FAIL"))
        if not ok:
            self.fails.append("%s as %s: got %d, want %s: %s" % (route, caller, r.status, want, r.text[:300]))
        if caller in HIDDEN_FROM and PHONE in r.text:
            self.fails.append("%s as %s: enterprise A's phone is in the body" % (route, caller))
        return r

    def row(self, method, path, wants, body=None, **kw):
        for c in CALLERS:
            self.cell(method, path, c, wants[c], body=body(c) if callable(body) else body, **kw)

    def done(self):
        assert not self.fails, "%d of %d cells failed:\n  %s" % (len(self.fails), self.n, "\n  ".join(self.fails))


def wants(default, **over):
    w = {c: default for c in CALLERS}
    w["none"] = U
    w.update(over)
    return w


PUBLIC = {c: W2 for c in CALLERS}
CENTER_ADMIN = wants(F, center=W2, center2=W2, admin=W2)
# read an assessment or file of A: A, centers, admins; B is told nothing
READ_A = wants(W2, entB=NF, provA=F)


def test_reference_data_is_public():
    m = Matrix()
    for path in ("/v1/instruments", "/v1/instruments/sme-2024", "/v1/regions"):
        m.row("GET", path, PUBLIC)
    m.done()


def test_files_and_register():
    m = Matrix()
    a = ORG["entA"]
    m.row("GET", "/v1/orgs/%s/file" % a, READ_A)
    m.row("PUT", "/v1/orgs/%s/file" % a, wants(W2, entB=NF, provA=F, admin=F), body=FILE)
    m.row("GET", "/v1/enterprises", CENTER_ADMIN)
    m.row("GET", "/v1/enterprises?q=%E7%9F%A9%E9%98%B5", CENTER_ADMIN)
    for c in CALLERS:
        line = json.dumps({"name": "矩阵导入企业" + c, "industry": "food"}, ensure_ascii=False) + "\n"
        m.cell("POST", "/v1/enterprises:bulk", c, CENTER_ADMIN[c], raw=line, ctype="application/x-ndjson")
    m.done()


def test_assessments():
    m = Matrix()
    a1, a2 = IDS["A1"], IDS["A2"]
    own = {"entA": None, "entB": None, "center": ORG["entA"], "center2": ORG["entA"], "admin": ORG["entA"],
           "provA": ORG["entA"], "none": None}
    m.row("POST", "/v1/assessments", wants(W2, provA=F, admin=F),
          body=lambda c: dict({"instrument": "sme-2024"}, **({"org_id": own[c]} if own[c] else {})))
    m.row("GET", "/v1/assessments", wants(W2, provA=F))
    m.row("GET", "/v1/assessments?org_id=" + ORG["entA"], wants(W2, provA=F))
    for aid in (a1, a2):
        m.row("GET", "/v1/assessments/" + aid, READ_A)
        m.row("GET", "/v1/assessments/%s/gaps?target=2" % aid, READ_A)
    # the creator alone edits and submits a draft
    m.row("PATCH", "/v1/assessments/" + a1, wants(F, entA=W2, entB=NF), body={"note": "矩阵"})
    m.row("PATCH", "/v1/assessments/" + a2, wants(F, center=W2, entB=NF), body={"note": "矩阵"})
    m.row("POST", "/v1/assessments/%s/submit" % a1, wants(F, entA=OK, entB=NF))  # 422: incomplete
    m.row("POST", "/v1/assessments/%s/submit" % a2, wants(F, center=OK, entB=NF))
    # centers verify and return; any other role is refused by the route
    m.row("POST", "/v1/assessments/%s/verify" % IDS["A3"], wants(F, center=OK, center2=OK),
          body={"note": "矩阵核验"})
    m.row("POST", "/v1/assessments/%s/return" % IDS["A4"], wants(F, center=OK, center2=OK),
          body={"reason": "矩阵退回"})
    # needs from the gaps of a verified assessment: the enterprise itself or a center
    m.row("POST", "/v1/assessments/%s/needs" % IDS["A5"], wants(W2, entB=NF, provA=F, admin=F),
          body={"scenes": ["quality"], "target": 2})
    m.done()


def test_nothing_leaked_to_b_or_providers():
    # the lists an outsider may call never name A's records
    for c in ("entB",):
        r = lib.request("GET", "/v1/assessments", key=K[c])
        assert not any(IDS[x] in r.text for x in IDS), r.text[:300]
    for c in ("provA", "entB"):
        r = lib.request("GET", "/v1/needs?status=all", key=K[c])
        assert PHONE not in r.text and "draft" not in r.text, r.text[:300]
