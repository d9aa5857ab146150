"""
people.py - helpers for the tests of users and sessions (issue 21): a
browser-like client that keeps the session cookie and sends the CSRF
token on writes, and quick ways to make organisations and users.
"""

import re

import lib
from lib import assert_status

LATIN_SENTENCE = re.compile(r"[A-Za-z]{2,}[,.;:]?(\s+[A-Za-z]{2,}[,.;:]?){2,}")


def cookie_of(resp, name="shucu_session"):
    """The value of the Set-Cookie named name in resp ('' when it clears
    it), and the whole header; (None, None) when there is none."""
    for k, v in resp.headers.pairs:
        if k.lower() == "set-cookie" and v.startswith(name + "="):
            return v.split(";", 1)[0].split("=", 1)[1], v
    return None, None


class Browser:
    """A client that logs in with a password and carries the cookie."""

    def __init__(self, server=None, zh=False):
        self.server = server
        self.cookie = None
        self.csrf = None
        self.zh = zh
        self.user = None

    def headers(self, method, csrf=True, extra=None):
        h = {}
        if self.cookie:
            h["Cookie"] = "shucu_session=" + self.cookie
        if csrf and self.csrf and method not in ("GET", "HEAD"):
            h["X-CSRF-Token"] = self.csrf
        if self.zh:
            h["Accept-Language"] = "zh-CN,zh;q=0.9"
        if extra:
            h.update(extra)
        return h

    def login(self, login, password, status=201, headers=None):
        r = lib.request("POST", "/v1/session", {"login": login, "password": password},
                        headers=self.headers("POST", extra=headers), server=self.server)
        assert_status(r, status)
        if status == 201:
            self.cookie, _ = cookie_of(r)
            assert self.cookie and self.cookie.startswith("shs_"), r
            self.csrf = r.json["csrf_token"]
            self.user = r.json["user"]
        return r

    def req(self, method, path, body=None, csrf=True, headers=None, **kw):
        return lib.request(method, path, body, headers=self.headers(method, csrf, headers),
                           server=self.server, **kw)

    def get(self, path, **kw):
        return self.req("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.req("POST", path, body, **kw)


def org_id(key, server=None):
    r = lib.request("GET", "/v1/me", key=key, server=server)
    assert_status(r, 200)
    return r.json["org"]["id"]


def new_user(admin_key, org, name, login, password="mima2026ok", role=None, server=None,
             status=201, **more):
    """Creates a user through POST /v1/orgs/{org}/users as admin_key (a
    key) or as a Browser; returns the response."""
    body = {"name": name, "password": password}
    body["email" if "@" in login else "phone"] = login
    if role:
        body["role"] = role
    body.update(more)
    if isinstance(admin_key, Browser):
        r = admin_key.post("/v1/orgs/%s/users" % org, body)
    else:
        r = lib.request("POST", "/v1/orgs/%s/users" % org, body, key=admin_key, server=server)
    assert_status(r, status)
    if status == 201:
        lib.check_schema(r.json, "user")
    return r


# ---------------------------------------------------------------- the cast
# test_users.py and test_sessions.py share it: a server of their own and
# five organisations, and helpers that remember every password and session
# token used, so that the database and the log can be scanned for them.

def cast(g):
    """Starts the server and the five organisations into a test module's
    globals g: S, ADM, CEN, PROV, ENT, ENT2 and ORG (short name -> org id)."""
    g["S"] = s = lib.use(lib.Server(redis="none", workers=4))
    for var, role, name in (("ADM", "admin", "人员测试运营方"), ("CEN", "center", "人员测试数促中心"),
                            ("PROV", "provider", "人员测试服务商"),
                            ("ENT", "enterprise", "人员测试企业甲"),
                            ("ENT2", "enterprise", "人员测试企业乙")):
        g[var] = s.key(role, name)
        g["ORG"][var.lower()] = org_id(g[var])


def phone():
    """A new mobile number (139 and eight digits)."""
    n = lib.uniq("")
    digits = "".join(ch for ch in n if ch.isdigit())
    return "139" + digits[-8:].rjust(8, "0")


def recorders(passwords, tokens):
    """pw(tag): a new password, kept in passwords; browser(login, password):
    a Browser logged in, its session token kept in tokens."""
    def pw(tag):
        p = "Pw-%s-%s" % (tag, lib.uniq("x"))
        passwords.append(p)
        return p

    def browser(login, password, **kw):
        b = Browser(**kw)
        b.login(login, password)
        tokens.append(b.cookie)
        return b
    return pw, browser
