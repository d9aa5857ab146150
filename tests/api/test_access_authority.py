"""
test_access_authority.py - the access matrix of the authority role
(issue 20) on every route of the route table (server/api/routes.c, read
here so a new route is covered the day it is added):

  - every write route is 403 to an authority, but its own account's
    (sessions, password, its organisation's users, its inbox);
  - every read route the table admits it to answers it (2xx, or 404 for
    a record outside its region, 400 for a bad parameter), every other
    read is 403;
  - records of enterprise A (in its region) are 200, of enterprise B (in
    another region) 404: file, assessment, gaps, need;
  - B's records never appear in its lists, and no contact in any body.
"""

import os
import re
import urllib.parse

import lib
from lib import assert_status, eq

S = None
K = {}
ORG = {}
IDS = {}
PHONE_A, PHONE_B = "13966660001", "13966660002"

ANSWERS = {"network": ["B"]}
# account routes: its own, and so open to it
SELF = {"/v1/session", "/v1/sessions", "/v1/sessions/{}", "/v1/me/password", "/v1/orgs/{}/users",
        "/v1/users/{}", "/v1/users/{}/password", "/v1/inbox/{}/read", "/v1/inbox:read"}


def routes():
    src = open(os.path.join(lib.REPO, "server/api/routes.c"), encoding="utf-8").read()
    out = []
    for m in re.finditer(r'\{M_(\w+), "([^"]+)", (\w+), ([^,]+), BODY_\w+\}', src):
        out.append((m.group(1), m.group(2), m.group(3), m.group(4)))
    assert len(out) > 80, len(out)
    return out


def setup_module():
    global S
    S = lib.use(lib.Server(redis="none", workers=2))
    K["center"] = S.key("center", "矩阵经信中心")
    K["provider"] = S.key("provider", "矩阵经信服务商")
    p = lib.run_cli("keys", "create", "--db", S.db, "--role", "authority", "--org", "矩阵武汉经信局",
                    "--region", "湖北省/武汉市")
    K["auth"] = p.stdout.strip().splitlines()[-1]
    ORG["auth"] = lib.request("GET", "/v1/me", key=K["auth"]).json["org"]["id"]
    for name, place, phone in (("A", ("湖北省", "武汉市", "江夏区"), PHONE_A),
                               ("B", ("湖南省", "长沙市", "岳麓区"), PHONE_B)):
        K[name] = S.key("enterprise", "矩阵经信企业" + name)
        ORG[name] = lib.request("GET", "/v1/me", key=K[name]).json["org"]["id"]
        f = {"industry": "machinery", "province": place[0], "city": place[1], "district": place[2],
             "contact": {"name": "联系人", "phone": phone}}
        assert_status(lib.request("PUT", "/v1/orgs/%s/file" % ORG[name], f, key=K[name]), 200)
        r = lib.request("POST", "/v1/assessments", {"instrument": "sme-2024", "answers": ANSWERS},
                        key=K[name])
        IDS["asmt" + name] = r.json["id"]
        r = lib.request("POST", "/v1/needs", {"title": "设备联网" + name, "industry": "machinery",
                                              "scenarios": ["equipment"], "region": place[0],
                                              "contact": {"name": "联系人", "phone": phone}},
                        key=K[name])
        IDS["need" + name] = r.json["id"]
    r = lib.request("POST", "/v1/resources", lib.resource(), key=K["provider"])
    IDS["res"] = r.json["id"]


def teardown_module():
    if S:
        S.stop()


def fill(pattern):
    """A path for a pattern, with A's ids (or the authority's own org)."""
    ids = {"orgs": ORG["A"], "assessments": IDS["asmtA"], "needs": IDS["needA"],
           "resources": IDS["res"], "campaigns": "camp_none", "users": "usr_none",
           "sessions": "ses_none", "keys": "shk_none0000", "inbox": "ntf_none", "webhooks": "wh_none",
           "responses": "rsp_none", "participants": ORG["A"], "reports": "levels"}
    segs = pattern.split("/")
    for i, s in enumerate(segs):
        if s == "{}":
            segs[i] = ids.get(segs[i - 1], "x")
    path = "/".join(segs)
    if pattern.startswith("/v1/orgs/{}/users") or pattern.startswith("/v1/orgs/{}/webhooks"):
        path = path.replace(ORG["A"], ORG["auth"])
    return path


def test_every_route_for_an_authority():
    fails, n = [], 0
    for method, pattern, fn, roles in routes():
        if pattern in ("/healthz", "/metrics") or fn == "h_session_create":
            continue
        path = fill(pattern)
        body = None if method in ("GET", "DELETE") else {}
        if fn in ("h_resources_bulk", "h_enterprises_bulk"):
            r = lib.request(method, path, raw="{}\n", ctype="application/x-ndjson", key=K["auth"])
        else:
            r = lib.request(method, path, body, key=K["auth"])
        n += 1
        admits = roles.strip() == "ROLE_PUBLIC" or any(x in roles for x in ("AUTH", "MONITOR",
                                                                            "ROLE_SIGNED_IN"))
        if method != "GET" and pattern not in SELF and fn != "h_session_delete":
            ok = r.status == 403 or (r.status == 401 and admits is False)
            want = "403"
        elif admits:
            # (sessions and passwords are a person's: a key is told so, whatever its role)
            ok = (r.status != 403 or "API key" in r.text) and r.status < 500
            want = "not 403"
        else:
            ok = r.status == 403
            want = "403"
        if PHONE_A in r.text or PHONE_B in r.text:
            fails.append("%s %s: a contact in the body" % (method, path))
        if not ok:
            fails.append("%s %s: got %d, want %s: %s" % (method, path, r.status, want, r.text[:200]))
    assert not fails, "%d of %d routes:\n  %s" % (len(fails), n, "\n  ".join(fails))


def test_inside_its_region_yes_outside_no():
    for name, want in (("A", 200), ("B", 404)):
        for path in ("/v1/orgs/%s/file" % ORG[name], "/v1/assessments/%s" % IDS["asmt" + name],
                     "/v1/assessments/%s/gaps?target=2" % IDS["asmt" + name],
                     "/v1/needs/%s" % IDS["need" + name]):
            r = lib.request("GET", path, key=K["auth"])
            eq(r.status, want, path)
            assert PHONE_A not in r.text and PHONE_B not in r.text, path
    for path in ("/v1/enterprises", "/v1/assessments", "/v1/needs?status=all"):
        r = lib.request("GET", path, key=K["auth"])
        assert_status(r, 200)
        assert ORG["A"] in r.text and ORG["B"] not in r.text, (path, r.text[:300])
    # reports and the feed: A's region only
    r = lib.request("GET", "/v1/reports/levels?by=district", key=K["auth"])
    eq([x["name"] for x in r.json["rows"]], ["江夏区", "合计"])
    r = lib.request("GET", "/v1/changes?limit=1000", key=K["auth"])
    ids = {c["id"] for c in r.json["changes"] if c["type"] != "org"}
    assert ORG["A"] in ids and IDS["asmtA"] in ids and IDS["needA"] in ids, ids
    assert not ({ORG["B"], IDS["asmtB"], IDS["needB"]} & ids), ids
    # and the public pool as everyone sees it
    assert_status(lib.request("GET", "/v1/resources/" + IDS["res"], key=K["auth"]), 200)
    assert_status(lib.request("GET", "/v1/search?q=" + urllib.parse.quote("质检"), key=K["auth"]), 200)
