"""
test_users.py - the people of an organisation (issue 21): users made by
admins, centers and an organisation's own administrator, and who may
manage whom; roles from the organisation; duplicate logins and bad
fields; keys listed and revoked over HTTP; who did it recorded on
revisions, price confirmations, responses and acceptances; `shucud users`.
"""

import glob
import os
import threading
import time

import lib
import people
from lib import assert_error, assert_status, eq, request
from people import Browser, new_user, org_id

S = None
ADM = CEN = PROV = ENT = ENT2 = None
ORG = {}
PASSWORDS = []          # every password used, for the database and log scans
TOKENS = []             # every session token seen
pw, browser = people.recorders(PASSWORDS, TOKENS)
phone = people.phone


def setup_module():
    people.cast(globals())


def teardown_module():
    if S:
        S.stop()


def test_admin_creates_user_who_logs_in_by_phone_or_email():
    p = pw("a")
    tel = phone()
    r = new_user(ADM, ORG["ent"], "杜勇", tel, p, email=None)
    u = r.json
    eq((u["role"], u["org"]["id"], u["phone"], u["org_admin"]), ("enterprise", ORG["ent"], tel, True),
       "the first user of an organisation administers it, in the organisation's role")
    assert "password" not in u and "pw_hash" not in r.text, r
    # phone written as people write it
    for login in (tel, "+86 %s %s %s" % (tel[:3], tel[3:7], tel[7:]), "%s-%s-%s" % (tel[:3], tel[3:7], tel[7:])):
        b = browser(login, p)
        eq(b.user["id"], u["id"], "login %r" % login)
    me = b.get("/v1/me")
    assert_status(me, 200)
    eq((me.json["auth"], me.json["user"]["name"], me.json["org"]["id"], me.json["role"]),
       ("session", "杜勇", ORG["ent"], "enterprise"))
    eq(me.json["csrf_token"], b.csrf, "GET /v1/me returns the CSRF token")
    # e-mail, any case
    p2 = pw("b")
    new_user(ADM, ORG["ent"], "陈晓燕", "Chen.XY@Example.CN", p2)
    b2 = browser("chen.xy@example.cn", p2)
    eq(b2.user["email"], "chen.xy@example.cn")
    eq(b2.user["org_admin"], False, "a second user is not an administrator by default")



def test_org_admin_invites_colleagues_in_its_own_org_only():
    p = pw("v")
    tel = phone()
    new_user(CEN, ORG["ent2"], "企业负责人", tel, p, org_admin=True)
    boss = browser(tel, p)
    p2 = pw("w")
    tel2 = phone()
    r = new_user(boss, ORG["ent2"], "车间主任", tel2, p2)
    eq((r.json["role"], r.json["org_admin"]), ("enterprise", False))
    worker = browser(tel2, p2)
    new_user(worker, ORG["ent2"], "无权邀请", phone(), pw("x"), status=403)
    new_user(boss, ORG["ent"], "别家员工", phone(), pw("y"), status=403)
    new_user(boss, ORG["ent2"], "冒充服务商", phone(), pw("z"), role="provider", status=403)
    # the org admin sees and manages its colleagues
    lst = boss.get("/v1/orgs/%s/users" % ORG["ent2"])
    assert_status(lst, 200)
    assert r.json["id"] in [u["id"] for u in lst.json["items"]]
    assert_status(boss.req("PATCH", "/v1/users/" + r.json["id"], {"disabled": True}), 200)
    assert_error(worker.get("/v1/me"), 401, "unauthorized")
    assert_error(boss.req("PATCH", "/v1/users/" + boss.user["id"], {"disabled": True}),
                 409, "conflict")
    # another enterprise's user sees nothing of it
    assert_error(request("GET", "/v1/orgs/%s/users" % ORG["ent2"], key=ENT), 403, "forbidden")
    assert_error(request("GET", "/v1/users/" + r.json["id"], key=ENT), 404, "not_found")



def test_centers_manage_enterprises_and_providers_not_admins():
    new_user(CEN, ORG["prov"], "中心建的服务商用户", phone(), pw("aa"))
    new_user(CEN, ORG["adm"], "中心不能建管理员", phone(), pw("ab"), role="admin", status=403)
    new_user(CEN, ORG["cen"], "中心同事", phone(), pw("ac"), role="center", status=403)
    new_user(ADM, ORG["cen"], "管理员建的中心用户", phone(), pw("ad"))
    new_user(PROV, ORG["prov"], "密钥不能建用户", phone(), pw("ae"), status=403)



def test_role_from_the_organisation_or_given():
    r = request("POST", "/v1/orgs", {"name": lib.uniq("无角色机构")}, key=ADM)
    assert_status(r, 201)
    bare = r.json["id"]
    r = request("POST", "/v1/orgs/%s/users" % bare,
                {"name": "甲", "phone": phone(), "password": pw("af")}, key=ADM)
    assert_error(r, 422, "invalid_field", "role")
    r = new_user(ADM, bare, "甲", phone(), pw("ag"), role="provider")
    eq(r.json["role"], "provider")
    r = new_user(ADM, bare, "乙", phone(), pw("ah"))
    eq(r.json["role"], "provider", "the role of the organisation's users")
    new_user(ADM, bare, "丙", phone(), pw("ai"), role="overlord", status=422)



def test_duplicate_logins_and_bad_fields():
    tel = phone()
    new_user(ADM, ORG["ent"], "甲", tel, pw("aj"))
    r = request("POST", "/v1/orgs/%s/users" % ORG["ent"],
                {"name": "乙", "phone": tel, "password": pw("ak")}, key=ADM)
    assert_error(r, 409, "conflict", "phone")
    for body, field in (({"name": "丙", "password": pw("al")}, "phone"),
                        ({"name": "丙", "phone": "12345", "password": pw("am")}, "phone"),
                        ({"name": "丙", "email": "no-at-sign", "password": pw("an")}, "email"),
                        ({"name": "", "phone": phone(), "password": pw("ao")}, "name"),
                        ({"name": "丙", "phone": phone(), "password": "abc"}, "password"),
                        ({"name": "丙", "phone": phone(), "password": pw("ap"), "x": 1}, "x")):
        assert_error(request("POST", "/v1/orgs/%s/users" % ORG["ent"], body, key=ADM),
                     422, "invalid_field", field)
    # no password given: a temporary one, shown once
    r = request("POST", "/v1/orgs/%s/users" % ORG["ent"], {"name": "丁", "phone": phone()}, key=ADM)
    assert_status(r, 201)
    assert len(r.json["password"]) == 12 and r.json["must_change"], r.json
    PASSWORDS.append(r.json["password"])
    assert_error(request("POST", "/v1/orgs/org_nosuch/users", {"name": "戊", "phone": phone()},
                         key=ADM), 404, "not_found")



def test_admin_lists_and_revokes_keys():
    k = S.key("provider", "密钥撤销服务商")
    oid = org_id(k)
    r = request("GET", "/v1/orgs/%s/keys" % oid, key=ADM)
    assert_status(r, 200)
    prefixes = [x["prefix"] for x in r.json["items"]]
    assert k[:12] in prefixes and k not in r.text, r
    assert_status(request("DELETE", "/v1/keys/" + k[:12], key=ADM), 204)
    assert_error(request("GET", "/v1/me", key=k), 401, "unauthorized")
    eq([x["active"] for x in request("GET", "/v1/orgs/%s/keys" % oid, key=ADM).json["items"]],
       [False])
    assert_error(request("DELETE", "/v1/keys/" + k[:12], key=ADM), 404, "not_found")
    assert_error(request("GET", "/v1/orgs/%s/keys" % oid, key=CEN), 403, "forbidden")



def test_revisions_and_acceptances_name_the_user_or_the_key():
    pc, pp, pe = pw("ba"), pw("bb"), pw("bc")
    tc, tp, te = phone(), phone(), phone()
    new_user(ADM, ORG["cen"], "中心李主任", tc, pc, role="center")
    new_user(ADM, ORG["prov"], "服务商王经理", tp, pp)
    new_user(ADM, ORG["ent"], "企业杜总", te, pe)
    cen, prov, ent = browser(tc, pc), browser(tp, pp), browser(te, pe)
    res = prov.post("/v1/resources", lib.resource(title="谁做的测试方案"))
    assert_status(res, 201)
    rid = res.json["id"]
    c = cen.post("/v1/campaigns", {
        "title": "谁做的测试集采", "resource_id": rid, "industry": "machinery",
        "scenarios": ["quality"], "tiers": [{"min_participants": 1, "unit_price": 100}],
        "min_participants": 1,
        "deadline": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))})
    assert_status(c, 201)
    cid = c.json["id"]
    conf = prov.post("/v1/campaigns/%s/confirm" % cid)
    assert_status(conf, 200)
    eq(conf.json["price_confirmation"]["by"]["user"]["name"], "服务商王经理")
    r = request("POST", "/v1/campaigns/%s/transition" % cid, {"to": "open"}, key=CEN)
    assert_status(r, 200)
    revs = r.json["revisions"]
    eq((revs[0]["by"]["user"]["name"], revs[0]["by"]["key"]), ("中心李主任", None),
       "created by a user")
    eq((revs[1]["by"]["user"], revs[1]["by"]["key"]), (None, CEN[:12]), "opened with a key")
    # a need accepted by a user
    n = ent.post("/v1/needs", {"title": "谁做的需求", "industry": "machinery",
                               "scenarios": ["quality"]})
    assert_status(n, 201)
    resp = prov.post("/v1/needs/%s/responses" % n.json["id"], {"resource_id": rid})
    assert_status(resp, 201)
    eq(resp.json["by"]["user"]["name"], "服务商王经理")
    acc = ent.post("/v1/needs/%s/responses/%s/accept" % (n.json["id"], resp.json["id"]))
    assert_status(acc, 200)
    eq(acc.json["accepted_by"]["user"]["name"], "企业杜总")



def test_users_command_line():
    d = lib.tmpdir("users-cli")
    db = os.path.join(d, "u.db")
    p = lib.run_cli("users", "create", "--db", db, "--org", "命令行机构", "--role", "admin",
                    "--name", "首位管理员", "--login", "root@example.cn", "--create-org")
    temp = p.stdout.strip()
    assert len(temp) == 12, p.stdout
    PASSWORDS.append(temp)
    p = lib.run_cli("users", "list", "--db", db)
    assert "root@example.cn" in p.stdout and "admin" in p.stdout and temp not in p.stdout, p.stdout
    p = lib.run_cli("users", "create", "--db", db, "--org", "不存在的机构", "--role", "admin",
                    "--name", "某人", "--login", "x@example.cn", check=False)
    eq(p.returncode, 1, "an unknown organisation without --create-org")
    srv = lib.Server(db=db, redis="none", workers=1)
    try:
        b = Browser(server=srv)
        b.login("root@example.cn", temp)
        eq(b.get("/v1/me").json["role"], "admin")
    finally:
        srv.close()


