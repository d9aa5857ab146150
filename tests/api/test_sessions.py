"""
test_sessions.py - logging in with a password (issue 21): by phone or
e-mail into an HttpOnly, SameSite=Strict cookie (Secure behind TLS); the
CSRF token of cookie writes; logout; lockout after repeated failures, per
account and per address, with Retry-After and a Chinese message; passwords
and session tokens never in the database or the log in clear; sessions
listed and revoked, the revocation seen at once by every worker and by a
second process on the same database; password change and reset.
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


def test_cookie_flags():
    p = pw("c")
    tel = phone()
    new_user(ADM, ORG["prov"], "王经理", tel, p)
    r = request("POST", "/v1/session", {"login": tel, "password": p})
    assert_status(r, 201)
    _, header = people.cookie_of(r)
    flags = [x.strip() for x in header.split(";")]
    for f in ("HttpOnly", "SameSite=Strict", "Path=/"):
        assert f in flags, "cookie lacks %s: %s" % (f, header)
    assert "Secure" not in flags, "no Secure over plain HTTP: %s" % header
    assert any(f.startswith("Max-Age=") and int(f[8:]) > 0 for f in flags), header
    r = request("POST", "/v1/session", {"login": tel, "password": p},
                headers={"X-Forwarded-Proto": "https"})
    _, header = people.cookie_of(r)
    assert "Secure" in [x.strip() for x in header.split(";")], \
        "Secure behind a TLS proxy: %s" % header
    TOKENS.append(people.cookie_of(r)[0])



def test_wrong_password_and_unknown_login_look_alike():
    p = pw("d")
    tel = phone()
    new_user(ADM, ORG["ent2"], "某用户", tel, p)
    a = request("POST", "/v1/session", {"login": tel, "password": p + "x"})
    b = request("POST", "/v1/session", {"login": "13000000000", "password": p})
    assert_error(a, 401, "unauthorized")
    assert_error(b, 401, "unauthorized")
    eq(a.json, b.json, "the same answer for a wrong password and an unknown login")
    assert people.cookie_of(a)[0] is None, "no cookie on a failed login"
    assert_error(request("POST", "/v1/session", {"login": "not a login", "password": p}),
                 422, "invalid_field", "login")
    assert_error(request("POST", "/v1/session", {"login": tel}), 422, "invalid_field", "password")



def test_login_takes_well_under_a_second():
    p = pw("t")
    tel = phone()
    new_user(ADM, ORG["ent2"], "计时用户", tel, p)
    t0 = time.time()
    browser(tel, p)
    dt = time.time() - t0
    assert dt < 0.6, "a login took %.3f s" % dt



def test_logout_ends_the_session():
    p = pw("e")
    tel = phone()
    new_user(ADM, ORG["ent2"], "退出用户", tel, p)
    b = browser(tel, p)
    assert_status(b.get("/v1/me"), 200)
    r = b.req("DELETE", "/v1/session")
    assert_status(r, 204)
    value, header = people.cookie_of(r)
    eq(value, "", "the cookie is cleared")
    assert "Max-Age=0" in header, header
    assert_error(b.get("/v1/me"), 401, "unauthorized")
    # a stale cookie does not stop the public pool
    assert_status(b.get("/v1/search?q=x"), 200)



def test_csrf_needed_on_cookie_writes():
    p = pw("f")
    tel = phone()
    new_user(ADM, ORG["ent"], "CSRF用户", tel, p)
    b = browser(tel, p)
    need = {"title": "CSRF测试需求", "industry": "machinery", "scenarios": ["quality"]}
    assert_error(b.post("/v1/needs", need, csrf=False), 403, "forbidden")
    assert_error(b.post("/v1/needs", need, csrf=False, headers={"X-CSRF-Token": "0" * 32}),
                 403, "forbidden")
    assert_error(b.post("/v1/needs", need, csrf=False, headers={"X-CSRF-Token": b.csrf[:-1]}),
                 403, "forbidden")
    r = b.post("/v1/needs", need)
    assert_status(r, 201)
    eq(r.json["enterprise"]["id"], ORG["ent"])
    assert_status(b.get("/v1/needs/" + r.json["id"]), 200)    # reads need no token
    # a key needs no CSRF token (no cookie, nothing a page could forge)
    assert_status(request("POST", "/v1/needs", need, key=ENT), 201)



def test_lockout_per_account_with_retry_after_in_chinese():
    p = pw("g")
    tel = phone()
    new_user(ADM, ORG["ent2"], "锁定用户", tel, p)
    for i in range(5):
        assert_error(request("POST", "/v1/session", {"login": tel, "password": "wrong-%d" % i}),
                     401, "unauthorized")
    r = request("POST", "/v1/session", {"login": tel, "password": p},
                headers={"Accept-Language": "zh-CN"})
    assert_error(r, 429, "rate_limited")
    ra = int(r.headers["Retry-After"])
    assert 60 < ra <= 900, "Retry-After %d" % ra
    assert "登录失败次数过多" in r.json["error"]["message"] and "分钟" in r.json["error"]["message"], r
    assert not people.LATIN_SENTENCE.search(r.json["error"]["message"]), r
    # the same in English for a program; and another account is not locked
    assert_error(request("POST", "/v1/session", {"login": tel, "password": p}), 429, "rate_limited")
    p2 = pw("h")
    tel2 = phone()
    new_user(ADM, ORG["ent2"], "未锁定用户", tel2, p2)
    browser(tel2, p2)



def test_lockout_per_address():
    """Twenty failures from one address, over many logins, lock the
    address (its own server: the lock would hold for every test)."""
    srv = lib.Server(redis="none", workers=2)
    try:
        adm = srv.key("admin", "锁地址运营方")
        ent = srv.key("enterprise", "锁地址企业")
        p = pw("i")
        tel = "13900001111"
        new_user(adm, org_id(ent, srv), "锁地址用户", tel, p, server=srv)
        for i in range(20):
            r = srv.request("POST", "/v1/session", {"login": "1380000%04d" % i, "password": "x" * 8})
            assert_error(r, 401, "unauthorized")
        r = srv.request("POST", "/v1/session", {"login": tel, "password": p})
        assert_error(r, 429, "rate_limited")
        assert int(r.headers["Retry-After"]) > 0
        # a key still works: the lock is on logins only
        assert_status(srv.request("GET", "/v1/me", key=ent), 200)
    finally:
        srv.close()



def test_passwords_and_tokens_never_stored_or_logged_in_clear():
    # a password change and a reset, so every path that takes one has run
    p = pw("j")
    tel = phone()
    u = new_user(ADM, ORG["ent"], "明文检查", tel, p).json
    b = browser(tel, p)
    p2 = pw("k")
    assert_status(b.post("/v1/me/password", {"current_password": p, "password": p2}), 200)
    p3 = pw("l")
    assert_status(request("POST", "/v1/users/%s/password" % u["id"], {"password": p3}, key=ADM), 200)
    browser(tel, p3)
    r = request("POST", "/v1/users/%s/password" % u["id"], key=ADM)
    assert_status(r, 200)
    PASSWORDS.append(r.json["password"])
    browser(tel, r.json["password"])
    time.sleep(0.3)     # the log is written in batches
    blobs = []
    for path in glob.glob(S.db + "*"):
        with open(path, "rb") as f:
            blobs.append((path, f.read()))
    blobs.append(("log", S.log_text().encode()))
    for secret in PASSWORDS + [t for t in TOKENS if t]:
        for path, data in blobs:
            assert secret.encode() not in data, "%s... is in %s in clear" % (secret[:6], path)
    # the stored form is libsodium's Argon2id string
    import sqlite3
    con = sqlite3.connect("file:%s?mode=ro" % S.db, uri=True)
    try:
        hashes = [row[0] for row in con.execute("SELECT pw_hash FROM users")]
        sess = con.execute("SELECT typeof(hash), length(hash) FROM sessions LIMIT 1").fetchone()
    finally:
        con.close()
    assert hashes and all(h.startswith("$argon2id$v=19$m=65536,t=2,p=1$") for h in hashes), hashes[:2]
    eq(sess, ("blob", 32), "a session is kept as a SHA-256 of its token")



def test_sessions_listed_and_revoked_at_once_on_every_worker():
    p = pw("m")
    tel = phone()
    new_user(ADM, ORG["prov"], "多会话用户", tel, p)
    a = browser(tel, p)
    b = browser(tel, p)
    r = a.get("/v1/sessions")
    assert_status(r, 200)
    ids = [s["id"] for s in r.json["items"]]
    eq(len(ids), 2, "two live sessions")
    cur = [s for s in r.json["items"] if s["current"]]
    eq(len(cur), 1, "one is this one")
    other = [s["id"] for s in r.json["items"] if not s["current"]][0]
    # b works on every worker (fresh connections spread over the 4)
    for _ in range(12):
        assert_status(b.get("/v1/me"), 200)
    assert_status(a.req("DELETE", "/v1/sessions/" + other), 204)
    for i in range(16):
        assert_error(b.get("/v1/me"), 401, "unauthorized")
    assert_status(a.get("/v1/me"), 200)
    eq([s["id"] for s in a.get("/v1/sessions").json["items"]], [cur[0]["id"]])
    # another user's session is not found
    q = pw("n")
    tel2 = phone()
    new_user(ADM, ORG["prov"], "旁人", tel2, q)
    c = browser(tel2, q)
    assert_error(c.req("DELETE", "/v1/sessions/" + cur[0]["id"]), 404, "not_found")
    assert_status(a.get("/v1/me"), 200)



def test_revocation_seen_by_a_second_process_on_the_same_database():
    other = lib.Server(db=S.db, redis="none", workers=2)
    try:
        p = pw("o")
        tel = phone()
        new_user(ADM, ORG["ent2"], "两进程用户", tel, p)
        b = browser(tel, p)                      # logged in on S
        b2 = Browser(server=other)
        b2.cookie, b2.csrf = b.cookie, b.csrf
        assert_status(b2.get("/v1/me"), 200)     # the other process knows the session
        # revoked through the other process ...
        sid = b2.get("/v1/me").json["session_id"]
        assert_status(b2.req("DELETE", "/v1/sessions/" + sid), 204)
        # ... and refused by this one at once
        assert_error(b.get("/v1/me"), 401, "unauthorized")
        # the same for a disabled user: disabled on S, refused by the other
        q = pw("p")
        tel2 = phone()
        u = new_user(ADM, ORG["ent2"], "被停用户", tel2, q).json
        c = Browser(server=other)
        c.login(tel2, q)
        TOKENS.append(c.cookie)
        assert_status(c.get("/v1/me"), 200)
        assert_status(request("PATCH", "/v1/users/" + u["id"], {"disabled": True}, key=ADM), 200)
        assert_error(c.get("/v1/me"), 401, "unauthorized")
        r = request("POST", "/v1/session", {"login": tel2, "password": q},
                    server=other, headers={"Accept-Language": "zh-CN"})
        assert_error(r, 403, "forbidden")
        assert "停用" in r.json["error"]["message"], r
    finally:
        other.close()



def test_password_change_and_reset():
    p = pw("q")
    tel = phone()
    u = new_user(ADM, ORG["ent"], "改密用户", tel, p).json
    a = browser(tel, p)
    b = browser(tel, p)
    assert_error(a.post("/v1/me/password", {"current_password": "wrong-one", "password": pw("r")}),
                 422, "invalid_field", "current_password")
    assert_error(a.post("/v1/me/password", {"current_password": p, "password": "short1"}),
                 422, "invalid_field", "password")
    assert_error(a.post("/v1/me/password", {"current_password": p, "password": "12345678901"}),
                 422, "invalid_field", "password")
    p2 = pw("s")
    assert_status(a.post("/v1/me/password", {"current_password": p, "password": p2}), 200)
    assert_status(a.get("/v1/me"), 200)
    assert_error(b.get("/v1/me"), 401, "unauthorized")   # the other session is ended
    assert_error(request("POST", "/v1/session", {"login": tel, "password": p}), 401, "unauthorized")
    browser(tel, p2)
    # a key has no password
    assert_error(request("POST", "/v1/me/password", {"current_password": "x", "password": p2},
                         key=ENT), 403, "forbidden")
    # a center resets an enterprise user's password: shown once, to be changed
    r = request("POST", "/v1/users/%s/password" % u["id"], key=CEN)
    assert_status(r, 200)
    temp = r.json["password"]
    PASSWORDS.append(temp)
    eq(r.json["must_change"], True)
    assert_error(a.get("/v1/me"), 401, "unauthorized")   # every session ended
    c = browser(tel, temp)
    eq(c.get("/v1/me").json["user"]["must_change"], True)
    p3 = pw("u")
    assert_status(c.post("/v1/me/password", {"current_password": temp, "password": p3}), 200)
    eq(c.get("/v1/me").json["user"]["must_change"], False)
    # a provider may not reset an enterprise's user
    assert_error(request("POST", "/v1/users/%s/password" % u["id"], key=PROV), 404, "not_found")



def test_concurrent_logins_all_succeed():
    p = pw("ca")
    tel = phone()
    new_user(ADM, ORG["prov"], "并发登录", tel, p)
    results = []

    def one():
        r = request("POST", "/v1/session", {"login": tel, "password": p})
        results.append(r.status)
        TOKENS.append(people.cookie_of(r)[0])

    ts = [threading.Thread(target=one) for _ in range(6)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    eq(sorted(results), [201] * 6)
