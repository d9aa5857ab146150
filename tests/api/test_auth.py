"""
test_auth.py - keys and roles: the `shucud keys` command line (create, list,
revoke), the Authorization header on public and private routes, the admin
HTTP API for organisations and keys, and that keys are kept only as hashes.
"""

import glob
import json

import lib
from lib import assert_error, assert_status, eq, request, resource

S = R = None
ADM = PROV = ENT = CEN = None


def setup_module():
    global S, R, ADM, PROV, ENT, CEN
    R = lib.Redis()
    S = lib.use(lib.Server(redis=R))
    ADM = S.key("admin", "平台运营")
    PROV = S.key("provider", "鄂州工业互联")
    ENT = S.key("enterprise", "宜昌某食品厂")
    CEN = S.key("center", "宜昌市数促中心")


def teardown_module():
    try:
        if S:
            S.stop()
    finally:
        if R:
            R.stop()


def keys_list():
    return lib.run_cli("keys", "list", "--db", S.db).stdout


def line_for(prefix, text):
    lines = [l for l in text.splitlines() if prefix in l]
    assert len(lines) == 1, "want one `keys list` line with %s, got %r" % (prefix, lines)
    return lines[0]


# ------------------------------------------------------------ CLI


def test_cli_key_format():
    k = S.key("provider", lib.uniq("格式测试"))
    assert k.startswith("shk_"), k
    assert len(k) >= 30, k
    assert k.isascii() and " " not in k, k
    k2 = S.key("provider", lib.uniq("格式测试"))
    assert k2 != k and k2[:12] != k[:12], "two keys share a prefix: %s %s" % (k, k2)


def test_cli_key_works_on_running_server():
    org = lib.uniq("新机构")
    k = S.key("provider", org)
    r = request("POST", "/v1/resources", resource(), key=k)
    assert_status(r, 201)
    eq(r.json["provider"]["name"], org, "provider name is the org given to keys create")


def test_cli_same_org_name_same_org():
    org = lib.uniq("同名机构")
    k1, k2 = S.key("provider", org), S.key("provider", org)
    a = request("POST", "/v1/resources", resource(), key=k1).json
    b = request("POST", "/v1/resources", resource(), key=k2).json
    eq(a["provider"]["id"], b["provider"]["id"], "org reused by name")
    # The second key may edit what the first created: same organisation.
    r = request("PATCH", "/v1/resources/" + a["id"], {"deploy_days": 3}, key=k2)
    assert_status(r, 200)


def test_cli_keys_list_shows_prefix_not_key():
    org = lib.uniq("列表机构")
    k = S.key("center", org)
    out = keys_list()
    assert k not in out, "keys list prints a full key"
    for other in (ADM, PROV, ENT, CEN):
        assert other not in out, "keys list prints a full key"
    line = line_for(k[:12], out)
    assert "center" in line and org in line, line
    assert "revoked" not in line, line


def test_cli_revoke():
    org = lib.uniq("吊销机构")
    k = S.key("provider", org)
    assert_status(request("POST", "/v1/resources", resource(), key=k), 201)
    lib.run_cli("keys", "revoke", "--db", S.db, k[:12])
    assert_error(request("POST", "/v1/resources", resource(), key=k), 401, "unauthorized")
    assert_error(request("GET", "/v1/resources", key=k), 401, "unauthorized")
    assert "revoked" in line_for(k[:12], keys_list())
    # Other keys are unaffected.
    assert_status(request("POST", "/v1/resources", resource(), key=PROV), 201)


def test_cli_revoke_unknown_prefix_fails():
    p = lib.run_cli("keys", "revoke", "--db", S.db, "shk_nosuchpr", check=False)
    assert p.returncode != 0, "revoking an unknown prefix exits 0: %s" % p.stdout


def test_cli_bad_role_fails():
    p = lib.run_cli("keys", "create", "--db", S.db, "--role", "superuser",
                    "--org", "某机构", check=False)
    assert p.returncode != 0, "keys create accepted role superuser: %s" % p.stdout
    assert "shk_" not in p.stdout, p.stdout


def test_keys_stored_only_as_hashes():
    k = S.key("enterprise", lib.uniq("哈希机构"))
    assert_status(request("GET", "/v1/taxonomy", key=k), 200)
    for path in glob.glob(S.db + "*"):
        with open(path, "rb") as f:
            data = f.read()
        assert k.encode() not in data, "full key found in %s" % path
        assert k[4:].encode() not in data, "key body found in %s" % path


# ------------------------------------------------------------ Authorization


BAD_AUTH = [
    "Bearer shk_thiskeydoesnotexist0000000000000",
    "Basic dXNlcjpwYXNz",
    "Token " + "shk_x" * 8,
    "Bearer",
    "Bearer ",
    "shk_thiskeydoesnotexist0000000000000",
    "Bearer \u00e9\u00e9\u00e9",
]


def test_bad_authorization_401_even_on_public_routes():
    rid = request("POST", "/v1/resources", resource(), key=PROV).json["id"]
    for h in BAD_AUTH:
        for path in ("/v1/taxonomy", "/v1/resources", "/v1/resources/" + rid):
            r = request("GET", path, headers={"Authorization": h})
            assert r.status == 401 and r.code == "unauthorized", \
                "Authorization %r on %s: %r" % (h, path, r)
    # The valid key with a wrong scheme is not accepted either.
    r = request("GET", "/v1/taxonomy", headers={"Authorization": "Token " + PROV})
    assert_error(r, 401, "unauthorized")


def test_valid_key_on_public_routes():
    for k in (PROV, ENT, CEN, ADM):
        assert_status(request("GET", "/v1/taxonomy", key=k), 200)
        assert_status(request("GET", "/v1/resources", key=k), 200)


def test_private_routes_need_key():
    assert_error(request("POST", "/v1/resources", resource()), 401, "unauthorized")
    assert_error(request("POST", "/v1/orgs", {"name": "x"}), 401, "unauthorized")


# ------------------------------------------------------------ admin HTTP


def make_org(**fields):
    body = {"name": lib.uniq("数字化服务商")}
    body.update(fields)
    r = request("POST", "/v1/orgs", body, key=ADM)
    assert_status(r, 201)
    return r.json


def test_admin_creates_org():
    body = {"name": lib.uniq("荆州智能制造"), "description": "专注纺织行业",
            "industries": ["textile", "general"], "regions": ["湖北省"],
            "website": "https://example.com"}
    r = request("POST", "/v1/orgs", body, key=ADM)
    assert_status(r, 201)
    j = r.json
    lib.check_schema(j, "org")
    assert isinstance(j.get("id"), str) and j["id"].startswith("org_"), j
    for k, v in body.items():
        eq(j.get(k), v, k)
    g = request("GET", "/v1/orgs/" + j["id"])
    assert_status(g, 200)
    lib.check_schema(g.json, "org")
    eq(g.json["id"], j["id"])
    eq(g.json["name"], body["name"])


def test_admin_issues_working_key():
    org = make_org()
    r = request("POST", "/v1/orgs/%s/keys" % org["id"], {"role": "provider"}, key=ADM)
    assert_status(r, 201)
    j = r.json
    lib.check_schema(j, "key")
    k = j.get("key")
    assert isinstance(k, str) and k.startswith("shk_") and len(k) >= 30, j
    eq(j.get("prefix"), k[:12], "prefix")
    eq(j.get("role"), "provider", "role")
    eq(j.get("org"), {"id": org["id"], "name": org["name"]}, "org")
    lib.assert_time(j.get("created_at"), "created_at")
    c = request("POST", "/v1/resources", resource(), key=k)
    assert_status(c, 201)
    eq(c.json["provider"], {"id": org["id"], "name": org["name"]}, "provider of new key")
    # The key is never shown again: not in the public profile.
    g = request("GET", "/v1/orgs/" + org["id"])
    assert k not in g.text and k[4:] not in g.text, g


def test_admin_issued_enterprise_key_cannot_list_resources():
    org = make_org()
    r = request("POST", "/v1/orgs/%s/keys" % org["id"], {"role": "enterprise"}, key=ADM)
    assert_status(r, 201)
    assert_error(request("POST", "/v1/resources", resource(), key=r.json["key"]),
                 403, "forbidden")


def test_org_endpoints_admin_only():
    org = make_org()
    for k in (PROV, ENT, CEN):
        assert_error(request("POST", "/v1/orgs", {"name": lib.uniq("越权")}, key=k),
                     403, "forbidden")
        assert_error(request("POST", "/v1/orgs/%s/keys" % org["id"], {"role": "admin"},
                             key=k), 403, "forbidden")
    assert_error(request("POST", "/v1/orgs/%s/keys" % org["id"], {"role": "provider"}),
                 401, "unauthorized")


def test_org_validation():
    assert_error(request("POST", "/v1/orgs", {"description": "无名"}, key=ADM),
                 422, "invalid_field", "name")
    assert_error(request("POST", "/v1/orgs", {"name": ""}, key=ADM),
                 422, "invalid_field", "name")
    assert_error(request("POST", "/v1/orgs", {"name": lib.uniq("n"), "industries": ["x"]},
                         key=ADM), 422, "invalid_field", "industries[0]")
    assert_error(request("POST", "/v1/orgs", {"name": lib.uniq("n"), "regions": ["火星"]},
                         key=ADM), 422, "invalid_field", "regions[0]")
    org = make_org()
    for role in ("superuser", "", 5):
        r = request("POST", "/v1/orgs/%s/keys" % org["id"], {"role": role}, key=ADM)
        assert_error(r, 422, "invalid_field", "role")
    assert_error(request("POST", "/v1/orgs/%s/keys" % org["id"], {}, key=ADM),
                 422, "invalid_field", "role")


def test_org_unknown_404():
    assert_error(request("GET", "/v1/orgs/org_nope"), 404, "not_found")
    assert_error(request("POST", "/v1/orgs/org_nope/keys", {"role": "provider"}, key=ADM),
                 404, "not_found")


def test_http_key_listed_by_cli():
    org = make_org()
    j = request("POST", "/v1/orgs/%s/keys" % org["id"], {"role": "center"}, key=ADM).json
    line = line_for(j["prefix"], keys_list())
    assert "center" in line and org["name"] in line, line
    assert j["key"] not in keys_list()


def test_http_key_revoked_by_cli():
    org = make_org()
    j = request("POST", "/v1/orgs/%s/keys" % org["id"], {"role": "provider"}, key=ADM).json
    assert_status(request("POST", "/v1/resources", resource(), key=j["key"]), 201)
    lib.run_cli("keys", "revoke", "--db", S.db, j["prefix"])
    assert_error(request("POST", "/v1/resources", resource(), key=j["key"]),
                 401, "unauthorized")


def test_error_bodies_do_not_echo_keys():
    r = request("POST", "/v1/orgs", {"name": "x"}, key=PROV)
    assert_error(r, 403, "forbidden")
    assert PROV not in r.text, r
    bogus = "shk_" + "z" * 40
    r = request("GET", "/v1/taxonomy", key=bogus)
    assert_error(r, 401, "unauthorized")
    assert bogus not in r.text, r
    assert json.dumps(r.json)  # well-formed
