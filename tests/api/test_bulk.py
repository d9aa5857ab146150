"""
test_bulk.py - POST /v1/resources:bulk (NDJSON, one resource a line) and
the command line `shucud import --db DB --provider ORG FILE`.

A bad line (bad JSON, an invalid resource, a line that is not an object) is
reported with its physical line number and never stops the others; blank
lines are skipped but still counted; a line whose external_id the provider
already used updates that resource instead of duplicating it.  The bulk
limit is 64 MiB, not the 1 MiB of JSON bodies.  What is imported is
searchable at once.
"""

import json
import re
import os
import urllib.parse

import lib
from lib import assert_error, assert_status, eq, request

S = None
P1 = P2 = ENT = CEN = None
ORG1 = "华东智能装备"
ORG2 = "西部工业互联"
ORG_ID = {}
NDJSON = "application/x-ndjson"


def setup_module():
    global S, P1, P2, ENT, CEN
    S = lib.use(lib.Server())
    P1 = S.key("provider", ORG1)
    P2 = S.key("provider", ORG2)
    ENT = S.key("enterprise", "苏州某精密件厂")
    CEN = S.key("center", "江苏省制造业数字化转型促进中心")
    for k, name in ((P1, ORG1), (P2, ORG2)):
        r = request("GET", "/v1/me", key=k)
        assert_status(r, 200)
        ORG_ID[name] = r.json["org"]["id"]


def teardown_module():
    if S:
        S.close()


def res(name, **over):
    b = {"kind": "product", "title": name, "summary": "批量导入的测试资源",
         "industries": ["machinery"], "scenarios": ["production_control"],
         "regions": ["江苏省"], "price": {"min": 1000, "max": 2000, "unit": "套"}}
    for k, v in over.items():
        if v is None:
            b.pop(k, None)
        else:
            b[k] = v
    return b


def line(obj):
    return json.dumps(obj, ensure_ascii=False)


def bulk(text, key=None, ctype=NDJSON, status=200):
    r = request("POST", "/v1/resources:bulk", raw=text, ctype=ctype,
                key=P1 if key is None else key)
    if status is None:
        return r
    assert_status(r, status)
    if status == 200:
        check_report(r.json)
    return r


def check_report(j):
    assert isinstance(j, dict), j
    for k in ("created", "updated", "failed"):
        assert isinstance(j.get(k), int) and j[k] >= 0, "%s in %r" % (k, j)
    assert isinstance(j.get("errors"), list), j
    eq(set(j), {"created", "updated", "failed", "errors"}, "report keys")
    assert len(j["errors"]) <= j["failed"], j
    last = 0
    for e in j["errors"]:
        eq(set(e), {"line", "error"}, "error entry keys")
        assert isinstance(e["line"], int) and e["line"] > last, "line numbers ascend: %r" % j
        last = e["line"]
        lib.check_schema({"error": e["error"]}, "error")


def provider_items(name, status="published"):
    """Every resource of the provider (its own key lists withdrawn ones too)."""
    out, cursor = [], None
    key = P1 if name == ORG1 else P2
    while True:
        q = {"provider": ORG_ID[name], "limit": 100, "status": status}
        if cursor:
            q["cursor"] = cursor
        r = request("GET", "/v1/resources?" + urllib.parse.urlencode(q), key=key)
        assert_status(r, 200)
        out += r.json["items"]
        cursor = r.json.get("next_cursor")
        if not cursor:
            return out


def by_ext(name):
    out = {}
    for it in provider_items(name, "all"):
        if it.get("external_id"):
            assert it["external_id"] not in out, "duplicate external_id %s" % it["external_id"]
            out[it["external_id"]] = it
    return out


def search_ids(q):
    r = request("GET", "/v1/search?" + urllib.parse.urlencode({"q": q, "limit": 100}))
    assert_status(r, 200)
    lib.check_schema(r.json, "search")
    return [h["id"] for h in r.json["hits"]]


# ------------------------------------------------------------ HTTP


def test_good_lines_created():
    u = lib.uniq("g")
    lines = [line(res("批量甲%s" % u, external_id=u + "-1")),
             line(res("批量乙%s" % u, external_id=u + "-2", kind="service")),
             line(res("批量丙%s" % u))]          # no external_id at all
    r = bulk("\n".join(lines) + "\n")
    eq(r.json, {"created": 3, "updated": 0, "failed": 0, "errors": []}, "report")
    items = by_ext(ORG1)
    for ext, title in ((u + "-1", "批量甲%s" % u), (u + "-2", "批量乙%s" % u)):
        it = items[ext]
        lib.check_schema(it, "resource")
        eq(it["title"], title, "title of " + ext)
        eq(it["version"], 1, "version of " + ext)
        eq(it["status"], "published", "status")
        eq(it["provider"], {"id": ORG_ID[ORG1], "name": ORG1}, "provider")
        eq(it["regions"], ["江苏省"], "regions")
    titles = [it["title"] for it in provider_items(ORG1)]
    assert "批量丙%s" % u in titles, "the line without external_id was created"


def test_bad_lines_reported_by_number():
    u = lib.uniq("b")
    text = "\n".join([
        line(res("好一%s" % u, external_id=u + "-1")),              # 1
        '{"kind": "product", "title": "坏JSON',                       # 2
        line(res("好二%s" % u, external_id=u + "-3")),              # 3
        line(res("缺标题", external_id=u + "-4", title=None)),       # 4
        line(res("好三%s" % u, external_id=u + "-5")),              # 5
        line(res("坏行业%s" % u, industries=["machinery", "spaceships"])),  # 6
        line(res("坏价格%s" % u, price={"min": 9, "max": 1})),       # 7
        '{"kind": 5, "title": "种类错"}',                              # 8
        '"just a string"',                                            # 9
        line(res("好四%s" % u, external_id=u + "-10")),             # 10
        '{"kind": "product", "kind": "service", "title": "dup", '
        '"industries": ["general"], "scenarios": ["hr"]}',            # 11 duplicate key
        "}{",                                                          # 12
    ]) + "\n"
    r = bulk(text)
    j = r.json
    eq((j["created"], j["updated"], j["failed"]), (4, 0, 8), "created, updated, failed")
    got = {e["line"]: e["error"] for e in j["errors"]}
    eq(sorted(got), [2, 4, 6, 7, 8, 9, 11, 12], "lines reported")
    eq(got[2]["code"], "bad_json", "line 2")
    eq(got[4]["code"], "invalid_field", "line 4")
    eq(got[4].get("field"), "title", "line 4 field")
    eq(got[6]["code"], "invalid_field", "line 6")
    eq(got[6].get("field"), "industries[1]", "line 6 field")
    eq(got[7]["code"], "invalid_field", "line 7")
    assert got[7].get("field") in ("price.min", "price"), got[7]
    eq(got[8]["code"], "invalid_field", "line 8")
    eq(got[8].get("field"), "kind", "line 8 field")
    assert got[9]["code"] in ("bad_json", "invalid_field"), "line 9: %r" % got[9]
    eq(got[11]["code"], "bad_json", "duplicate key")
    eq(got[12]["code"], "bad_json", "line 12")
    items = by_ext(ORG1)
    for n in (1, 3, 5, 10):
        assert "%s-%d" % (u, n) in items, "good line %d stored" % n
    assert u + "-4" not in items, "invalid line stored"


def test_non_object_line_error_has_no_empty_field():
    """A line that is valid JSON but not an object has no faulty field: the
    error carries no field, or a meaningful one - never an empty string."""
    r = bulk("[1, 2, 3]\n42\n")
    eq(r.json["failed"], 2, "failed")
    for e in r.json["errors"]:
        assert e["error"].get("field", None) != "", "empty field in %r" % e


def test_same_external_id_updates():
    u = lib.uniq("u")
    ext = u + "-x"
    r = bulk(line(res("旧名称%s" % u, external_id=ext)) + "\n")
    eq((r.json["created"], r.json["updated"]), (1, 0), "first upload")
    first = by_ext(ORG1)[ext]
    eq(first["version"], 1, "version")
    r = bulk(line(res("新名称%s" % u, external_id=ext, price={"min": 5, "max": 6})) + "\n"
             + line(res("另一个%s" % u, external_id=u + "-y")) + "\n")
    eq((r.json["created"], r.json["updated"], r.json["failed"]), (1, 1, 0), "second upload")
    items = by_ext(ORG1)
    again = items[ext]
    eq(again["id"], first["id"], "same id after re-import")
    eq(again["title"], "新名称%s" % u, "new title")
    eq(again["price"], {"min": 5, "max": 6}, "price replaced, not merged")
    eq(again["version"], 2, "version after update")
    eq(again["created_at"], first["created_at"], "created_at kept")
    r = request("GET", "/v1/resources/" + first["id"])
    assert_status(r, 200)
    eq(r.json["title"], "新名称%s" % u, "GET shows the new title")
    eq(r.json["version"], 2, "GET version")
    eq(r.headers.get("ETag"), '"2"', "ETag")
    eq(sum(1 for it in provider_items(ORG1) if it.get("external_id") == ext), 1,
       "one resource for the external_id")


def test_same_external_id_twice_in_one_upload():
    u = lib.uniq("t")
    ext = u + "-dup"
    r = bulk(line(res("第一版%s" % u, external_id=ext)) + "\n"
             + line(res("第二版%s" % u, external_id=ext)) + "\n")
    eq((r.json["created"], r.json["updated"], r.json["failed"]), (1, 1, 0), "report")
    it = by_ext(ORG1)[ext]
    eq(it["title"], "第二版%s" % u, "the later line wins")
    eq(it["version"], 2, "version")


def test_external_id_is_per_provider():
    u = lib.uniq("p")
    ext = u + "-shared"
    bulk(line(res("甲方%s" % u, external_id=ext)) + "\n", key=P1)
    r = bulk(line(res("乙方%s" % u, external_id=ext)) + "\n", key=P2)
    eq((r.json["created"], r.json["updated"]), (1, 0), "another provider's external_id")
    eq(by_ext(ORG1)[ext]["title"], "甲方%s" % u, "provider 1 untouched")
    eq(by_ext(ORG2)[ext]["title"], "乙方%s" % u, "provider 2 has its own")


def test_external_id_of_single_create_is_updated_by_bulk():
    u = lib.uniq("s")
    ext = u + "-single"
    r = request("POST", "/v1/resources", res("单建%s" % u, external_id=ext), key=P1)
    assert_status(r, 201)
    rid = r.json["id"]
    r = bulk(line(res("覆盖%s" % u, external_id=ext)) + "\n")
    eq((r.json["created"], r.json["updated"]), (0, 1), "report")
    r = request("GET", "/v1/resources/" + rid)
    eq(r.json["title"], "覆盖%s" % u, "title")


def test_blank_lines_skipped_but_counted():
    u = lib.uniq("bl")
    text = ("\n"                                                   # 1
            + line(res("空行一%s" % u, external_id=u + "-2")) + "\n"  # 2
            + "   \n"                                             # 3
            + "\t\r\n"                                            # 4
            + "not json\n"                                        # 5
            + "\n"                                                # 6
            + line(res("空行二%s" % u, external_id=u + "-7")) + "\r\n"  # 7 CRLF
            + "  " + line(res("空行三%s" % u, external_id=u + "-8")) + "  \n"  # 8
            + line(res("空行四%s" % u, external_id=u + "-9")))      # 9, no final newline
    r = bulk(text)
    eq((r.json["created"], r.json["updated"], r.json["failed"]), (4, 0, 1), "report")
    eq([e["line"] for e in r.json["errors"]], [5], "error line counts blank lines")
    items = by_ext(ORG1)
    for n in (2, 7, 8, 9):
        assert "%s-%d" % (u, n) in items, "line %d stored" % n


def test_only_blank_lines():
    r = bulk("\n\n   \n\r\n")
    eq(r.json, {"created": 0, "updated": 0, "failed": 0, "errors": []}, "report")


def test_empty_body():
    r = request("POST", "/v1/resources:bulk", raw=b"", ctype=NDJSON, key=P1)
    assert r.status in (200, 400), r
    if r.status == 400:
        eq(r.code, "bad_json", "empty body code")
    else:
        eq((r.json["created"], r.json["failed"]), (0, 0), "empty body report")


def test_wrong_content_type_415():
    body = line(res("类型错误")) + "\n"
    for ctype in ("application/json", "text/plain", "application/x-www-form-urlencoded",
                  "application/x-ndjsonx", "ndjson", None):
        r = bulk(body, ctype=ctype, status=None)
        assert_error(r, 415, "unsupported_media_type")
    for ctype in ("application/x-ndjson; charset=utf-8", "Application/X-NDJSON",
                  "application/ndjson"):
        r = bulk(body, ctype=ctype)
        eq(r.json["created"], 1, "created with %s" % ctype)


def test_roles():
    body = line(res("角色测试")) + "\n"
    assert_error(bulk(body, key=ENT, status=None), 403, "forbidden")
    assert_error(bulk(body, key=CEN, status=None), 403, "forbidden")
    r = request("POST", "/v1/resources:bulk", raw=body, ctype=NDJSON)
    assert_error(r, 401, "unauthorized")
    r = request("POST", "/v1/resources:bulk", raw=body, ctype=NDJSON,
                headers={"Authorization": "Bearer not-a-key"})
    assert_error(r, 401, "unauthorized")
    # the wrong role is refused whatever the body
    assert_error(bulk("garbage", key=ENT, ctype="text/plain", status=None), 403, "forbidden")


def test_method_not_allowed():
    for m in ("GET", "PUT", "DELETE", "PATCH"):
        r = request(m, "/v1/resources:bulk", key=P1)
        assert_error(r, 405, "method_not_allowed")


def test_two_mib_body_accepted():
    u = lib.uniq("big")
    desc = "大批量导入描述文本" * 120          # ~1 KiB of UTF-8 per line
    lines, size, n = [], 0, 0
    while size < 2 * 1024 * 1024 + 1000:
        n += 1
        l = line(res("大批%s-%d" % (u, n), external_id="%s-%d" % (u, n), description=desc))
        lines.append(l)
        size += len(l.encode("utf-8")) + 1
    body = ("\n".join(lines) + "\n").encode("utf-8")
    assert len(body) > 2 * 1024 * 1024
    r = bulk(body)
    eq((r.json["created"], r.json["failed"]), (n, 0), "created all %d lines" % n)
    ids = search_ids("大批%s" % u.split("_")[0])
    assert ids, "big import searchable"
    # the same body again updates everything
    r = bulk(body)
    eq((r.json["created"], r.json["updated"], r.json["failed"]), (0, n, 0), "re-import")


def test_json_body_limit_is_lower():
    """The 1 MiB limit of JSON bodies does not apply to bulk, but does to a
    single create."""
    big = res("超大单条", description="描" * 20000)
    big["attrs"] = {"blob": "x" * (1024 * 1024)}
    r = request("POST", "/v1/resources", big, key=P1)
    assert_error(r, 413, "too_large")


def test_declared_over_64mib_413():
    """A Content-Length over the 64 MiB bulk limit is refused with 413 before
    the body is read.  libevent 2.1 answers this one itself, with its HTML
    page (docs/api.md says so); bodies up to the limit get the JSON error."""
    head = ("POST /v1/resources:bulk HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Authorization: Bearer %s\r\nContent-Type: application/x-ndjson\r\n"
            "Content-Length: %d\r\nConnection: close\r\n\r\n" % (P1, 64 * 1024 * 1024 + 1))
    data = lib.raw_exchange(head.encode() + b"{}\n" * 100, shutdown=False, timeout=10)
    status, hdrs, body = lib.parse_raw_response(data)
    eq(status, 413, "status for Content-Length 64 MiB + 1 (answer %r)" % data[:300])
    assert S.alive()


def test_imported_searchable_at_once():
    u = lib.uniq("sr")
    r = bulk(line(res("青鸾刀具寿命预测", external_id=u, summary="数控刀具磨损监测")) + "\n")
    eq(r.json["created"], 1, "created")
    ids = search_ids("青鸾")
    eq(len(ids), 1, "found by its title at once")
    rid = ids[0]
    assert rid in search_ids("刀具寿命"), "found by a 2-word phrase"
    r = bulk(line(res("玄鸟刀具寿命预测", external_id=u, summary="数控刀具磨损监测")) + "\n")
    eq(r.json["updated"], 1, "updated")
    eq(search_ids("青鸾"), [], "old title gone at once")
    eq(search_ids("玄鸟"), [rid], "new title found at once")


def test_bulk_does_not_touch_other_providers_resource():
    """P2 re-using P1's external_id creates its own; P1's stays as it was."""
    u = lib.uniq("o")
    bulk(line(res("原主%s" % u, external_id=u)) + "\n", key=P1)
    before = by_ext(ORG1)[u]
    bulk(line(res("他人%s" % u, external_id=u)) + "\n", key=P2)
    after = by_ext(ORG1)[u]
    eq(after, before, "P1's resource after P2's upload")


def test_invalid_utf8_line():
    u = lib.uniq("utf")
    good = line(res("编码好%s" % u, external_id=u + "-1")).encode("utf-8")
    bad = b'{"kind":"product","title":"\xff\xfe bad","industries":["general"],"scenarios":["hr"]}'
    r = bulk(good + b"\n" + bad + b"\n" + good.replace(b"-1", b"-3") + b"\n")
    eq((r.json["created"], r.json["failed"]), (2, 1), "report")
    eq([e["line"] for e in r.json["errors"]], [2], "bad line")


def test_many_errors_do_not_stop():
    u = lib.uniq("me")
    lines = []
    for i in range(1, 301):
        lines.append("{bad" if i % 3 else line(res("多错%s-%d" % (u, i), external_id="%s-%d" % (u, i))))
    r = bulk("\n".join(lines))
    eq((r.json["created"], r.json["failed"]), (100, 200), "report")
    eq([e["line"] for e in r.json["errors"]], [i for i in range(1, 301) if i % 3], "lines")


# ------------------------------------------------------------ CLI


def _write(path, lines):
    with open(path, "w", encoding="utf-8") as f:
        for l in lines:
            f.write(l + "\n")


def _cli_file(d, suffix, title_tag):
    path = os.path.join(d, "import-%s.ndjson" % suffix)
    _write(path, [
        line(res("%s导入一" % title_tag, external_id="cli-1")),           # 1
        '{"kind": "product", "title": ',                                   # 2 bad JSON
        "",                                                                # 3 blank
        line(res("%s导入二" % title_tag, external_id="cli-4", kind="model")),  # 4
        line(res("缺场景", scenarios=None, external_id="cli-5")),         # 5 invalid
        line(res("%s导入三" % title_tag, external_id="cli-6")),            # 6
    ])
    return path


def test_cli_import_into_stopped_server_db():
    srv = lib.Server()
    try:
        pname = "命令行导入供应商"
        pkey = srv.key("provider", pname)
        srv.stop()
        path = _cli_file(srv.dir, "a", "鹈鹕")
        p = lib.run_cli("import", "--db", srv.db, "--provider", pname, path, check=False)
        eq(p.returncode, 4, "exit code with bad lines (stderr: %s)" % p.stderr)
        assert ":2:" in p.stderr, "bad JSON line 2 named on stderr: %s" % p.stderr
        assert ":5:" in p.stderr, "invalid line 5 named on stderr: %s" % p.stderr
        for n in (1, 3, 4, 6):
            assert ":%d:" % n not in p.stderr, "good line %d reported: %s" % (n, p.stderr)
        assert "3 created" in p.stderr and "2 failed" in p.stderr, p.stderr
        srv.start()
        r = srv.request("GET", "/v1/me", key=pkey)
        org = r.json["org"]["id"]
        r = srv.request("GET", "/v1/resources?limit=100&provider=" + org)
        assert_status(r, 200)
        titles = sorted(it["title"] for it in r.json["items"])
        eq(titles, sorted(["鹈鹕导入一", "鹈鹕导入二", "鹈鹕导入三"]), "imported titles")
        for it in r.json["items"]:
            eq(it["provider"], {"id": org, "name": pname}, "provider of imported resource")
            eq(it["version"], 1, "version")
        r = srv.request("GET", "/v1/search?q=" + urllib.parse.quote("鹈鹕"))
        assert_status(r, 200)
        lib.check_schema(r.json, "search")
        eq(r.json["total"], 3, "imported resources searchable")
        # the provider's key owns what the CLI imported
        rid = r.json["hits"][0]["id"]
        r = srv.request("PATCH", "/v1/resources/" + rid, {"summary": "改过"}, key=pkey)
        assert_status(r, 200)
        srv.stop()

        # rerun with new titles: updates, no duplicates
        path = _cli_file(srv.dir, "b", "鸬鹚")
        p = lib.run_cli("import", "--db", srv.db, "--provider", pname, path, check=False)
        eq(p.returncode, 4, "exit code of the rerun (stderr: %s)" % p.stderr)
        assert "0 created" in p.stderr and "3 updated" in p.stderr, p.stderr
        srv.start()
        r = srv.request("GET", "/v1/resources?limit=100&provider=" + org)
        titles = sorted(it["title"] for it in r.json["items"])
        eq(titles, sorted(["鸬鹚导入一", "鸬鹚导入二", "鸬鹚导入三"]), "titles after rerun")
        eq(sorted(it["version"] for it in r.json["items"]), [2, 2, 3], "versions after rerun")
        r = srv.request("GET", "/v1/search?q=" + urllib.parse.quote("鹈鹕"))
        eq(r.json["total"], 0, "old titles not searchable")
        r = srv.request("GET", "/v1/search?q=" + urllib.parse.quote("鸬鹚"))
        eq(r.json["total"], 3, "new titles searchable")
    finally:
        srv.close()


def test_cli_import_fresh_db_clean_file():
    d = lib.tmpdir("cli")
    db = os.path.join(d, "fresh.db")
    path = os.path.join(d, "clean.ndjson")
    _write(path, [line(res("白鹳导入%d" % i, external_id="c-%d" % i)) for i in range(5)]
           + ["", ""])
    p = lib.run_cli("import", "--db", db, "--provider", "新建供应商", "--create-org", path, check=False)
    eq(p.returncode, 0, "exit code of a clean import (stderr: %s)" % p.stderr)
    assert "5 created" in p.stderr, p.stderr
    p = lib.run_cli("import", "--db", db, "--provider", "新建供应商", "--create-org", path, check=False)
    eq(p.returncode, 0, "exit code of a clean rerun (stderr: %s)" % p.stderr)
    assert "0 created" in p.stderr and "5 updated" in p.stderr, p.stderr
    srv = lib.Server(db=db)
    try:
        r = srv.request("GET", "/v1/search?limit=100&q=" + urllib.parse.quote("白鹳"))
        assert_status(r, 200)
        eq(r.json["total"], 5, "five resources, no duplicates")
        r = srv.request("GET", "/v1/search?kind=provider&q=" + urllib.parse.quote("供应商"))
        eq([h["title"] for h in r.json["hits"]], ["新建供应商"], "provider created by import")
    finally:
        srv.close()


def test_cli_import_many_batches_with_repeats():
    """A file longer than one transaction (--batch 1000 lines), where some
    external_ids come back later in the same batch and across a batch
    boundary: each repeat updates the row the earlier line made (the later
    line wins), nothing is duplicated or lost, every row is searchable by
    its own words, and `shucud check` finds the full-text and derived
    indexes in agreement with the rows."""
    d = lib.tmpdir("climany")
    db = os.path.join(d, "many.db")
    path = os.path.join(d, "many.ndjson")
    lines = []
    for i in range(2400):
        lines.append(line(res("鹈鹕设备 PX%04d" % i, external_id="m-%d" % i)))
        if i == 10:
            lines.append(line(res("鹈鹕改版甲", external_id="m-3")))   # same batch
        if i == 1200:
            lines.append(line(res("鹈鹕改版乙", external_id="m-5")))   # next batch
        if i == 1500:
            lines.append("{bad json")
            lines.append(line(res("无编号鹈鹕")))                     # no external_id
    _write(path, lines)
    p = lib.run_cli("import", "--db", db, "--provider", "鹈鹕供应商", "--create-org", "--batch", "1000", path,
                    check=False)
    eq(p.returncode, 4, "exit code with one bad line (stderr: %s)" % p.stderr[-500:])
    assert "2401 created, 2 updated, 1 failed" in p.stderr, p.stderr[-500:]
    c = lib.run_cli("check", "--db", db, check=False)
    eq(c.returncode, 0, "check after a staged import (%s)" % (c.stdout + c.stderr)[-800:])
    srv = lib.Server(db=db, redis="none")
    try:
        def total(q):
            r = srv.request("GET", "/v1/search?limit=1&q=" + urllib.parse.quote(q))
            assert_status(r, 200)
            return r.json["total"]
        eq(total("鹈鹕"), 2401, "every distinct resource is searchable")
        eq(total("改版甲"), 1, "the repeat in the same batch replaced the title")
        eq(total("改版乙"), 1, "the repeat in a later batch replaced the title")
        eq(total("PX0003"), 0, "m-3's first title is gone from the index")
        eq(total("PX0005"), 0, "m-5's first title is gone from the index")
        eq(total("PX0004"), 1, "a resource found by its own code")
        eq(total("无编号鹈鹕"), 1, "the line without external_id")
        r = srv.request("GET", "/v1/search?limit=1&q=PX2399")
        eq([h["title"] for h in r.json["hits"]], ["鹈鹕设备 PX2399"], "the last line is there")
    finally:
        srv.close()


def test_cli_import_stores_each_line_as_the_document_it_means():
    """The importer stores a line's own text as the document when
    validation changes nothing (issue 24); what a provider reads back must
    be exactly what the line meant: spacing and escapes do not matter, a
    member that is null is dropped, a missing "regions" becomes 全国, and
    the ids of a later import sort after those of an earlier one."""
    d = lib.tmpdir("clidoc")
    db = os.path.join(d, "doc.db")
    path = os.path.join(d, "doc.ndjson")
    spaced = ('{ "kind" : "product" ,' + "\t" +
              r'"title":"\u9e48\u9e55 \\ \"引号\" 设备", "summary": "批量\/导入",'
              r' "industries": ["machinery"], "scenarios": ["production_control"],'
              r' "regions": ["江苏省"], "attrs": {"n": [1, 2.5, -0.0, 1e3], "ok": true,'
              r' "s": "制\n表"}, "external_id": "d-1" }   ')
    no_regions = res("鹈鹕无地区", regions=None, external_id="d-2")
    with_null = res("鹈鹕有空值", external_id="d-3")
    with_null["license"] = None
    with_null["price"] = {"min": 5, "max": None, "unit": "套"}
    _write(path, [spaced, line(no_regions), json.dumps(with_null, ensure_ascii=False)])
    p = lib.run_cli("import", "--db", db, "--provider", "鹈鹕文档供应商", "--create-org", path,
                    check=False)
    eq(p.returncode, 0, "exit code (stderr: %s)" % p.stderr[-500:])
    later = os.path.join(d, "later.ndjson")
    _write(later, [line(res("鹈鹕后来者", external_id="d-4"))])
    p = lib.run_cli("import", "--db", db, "--provider", "鹈鹕文档供应商", later, check=False)
    eq(p.returncode, 0, "exit code of the later import (stderr: %s)" % p.stderr[-500:])
    srv = lib.Server(db=db, redis="none")
    try:
        key = srv.key("provider", "鹈鹕文档供应商")
        org = srv.request("GET", "/v1/me", key=key).json["org"]["id"]
        r = srv.request("GET", "/v1/resources?limit=10&provider=" + org)
        assert_status(r, 200)
        got = {it["external_id"]: it for it in r.json["items"]}
        eq(sorted(got), ["d-1", "d-2", "d-3", "d-4"], "every line stored")
        assert all(got["d-4"]["id"] > got[e]["id"] for e in ("d-1", "d-2", "d-3")), \
            "a later import's id sorts later: %r" % [it["id"] for it in got.values()]
        a = got["d-1"]
        eq(a["title"], "鹈鹕 \\ \"引号\" 设备", "escapes read back as the characters")
        eq(a["summary"], "批量/导入", "an escaped slash")
        eq(a["attrs"], {"n": [1, 2.5, -0.0, 1000.0], "ok": True, "s": "制\n表"}, "free-form attrs")
        eq(a["regions"], ["江苏省"], "regions as given")
        eq(got["d-2"]["regions"], ["全国"], "a missing regions is 全国")
        c = got["d-3"]
        assert "license" not in c, "a null member is dropped: %r" % c
        eq(c["price"], {"min": 5, "unit": "套"}, "a null inside price is dropped")
        for q, ext in (("引号", "d-1"), ("无地区", "d-2"), ("有空值", "d-3")):
            r = srv.request("GET", "/v1/search?q=" + urllib.parse.quote(q))
            eq([h["id"] for h in r.json["hits"]], [got[ext]["id"]], "searchable: " + q)
    finally:
        srv.close()


def test_cli_import_rejects_a_bad_batch_size():
    """--batch takes a number of lines from 1 to 100,000; anything else is
    refused before the database is touched, with a message naming it."""
    d = lib.tmpdir("clibatch")
    db = os.path.join(d, "batch.db")
    path = os.path.join(d, "one.ndjson")
    _write(path, [line(res("鹳设备", external_id="b-1"))])
    for bad in ("0", "-5", "12a", "", "100001"):
        p = lib.run_cli("import", "--db", db, "--provider", "鹳供应商", "--create-org", "--batch", bad, path,
                        check=False)
        eq(p.returncode, 2, "exit code for --batch %r" % bad)
        assert "--batch must be a number of lines" in p.stderr, p.stderr[-300:]
    eq(os.path.exists(db), False, "no database made by a refused import")
    p = lib.run_cli("import", "--db", db, "--provider", "鹳供应商", "--create-org", "--batch=1", path, check=False)
    eq(p.returncode, 0, "--batch=1 imports (stderr: %s)" % p.stderr[-300:])
    assert "1 created, 0 updated, 0 failed" in p.stderr, p.stderr[-300:]


def test_cli_import_reports_bad_lines_in_file_order():
    """The importer reads and validates ahead of the writer (a reader
    thread and a bounded queue): on a file several times longer than that
    queue, every bad line is still reported once, with its own line
    number, in file order, and every good line lands, the last one too."""
    d = lib.tmpdir("cliorder")
    db = os.path.join(d, "order.db")
    path = os.path.join(d, "order.ndjson")
    bad = {7: "{bad json", 1030: line(res("坏行", kind="robot")), 2049: "[1, 2]",
           3100: line(res("坏行", title="")), 3500: "{\"kind\": "}
    lines = []
    for n in range(1, 3501):
        lines.append(bad.get(n) or line(res("鹡鸰设备 QX%04d" % n, external_id="o-%d" % n)))
    _write(path, lines)
    p = lib.run_cli("import", "--db", db, "--provider", "鹡鸰供应商", "--create-org", path, check=False)
    eq(p.returncode, 4, "exit code with bad lines (stderr: %s)" % p.stderr[-500:])
    reported = [int(m) for m in re.findall(r"order\.ndjson:(\d+): ", p.stderr)]
    eq(reported, sorted(bad), "bad lines reported once each, in file order")
    assert "3495 created, 0 updated, 5 failed" in p.stderr, p.stderr[-500:]
    srv = lib.Server(db=db, redis="none")
    try:
        r = srv.request("GET", "/v1/search?limit=1&q=" + urllib.parse.quote("鹡鸰"))
        assert_status(r, 200)
        eq(r.json["total"], 3495, "every good line is searchable")
        r = srv.request("GET", "/v1/search?limit=1&q=QX3499")
        eq([h["title"] for h in r.json["hits"]], ["鹡鸰设备 QX3499"], "the last good line is there")
    finally:
        srv.close()


def test_cli_import_whitespace_lines_are_blank():
    """Lines of spaces/tabs are blank for the CLI as they are for the HTTP
    bulk endpoint: skipped, not reported as bad JSON."""
    d = lib.tmpdir("cliw")
    db = os.path.join(d, "w.db")
    path = os.path.join(d, "ws.ndjson")
    _write(path, [line(res("空白行一", external_id="w-1")), "   ", "\t",
                  line(res("空白行二", external_id="w-2"))])
    p = lib.run_cli("import", "--db", db, "--provider", "空白供应商", "--create-org", path, check=False)
    eq(p.returncode, 0, "exit code (stderr: %s)" % p.stderr)
    assert "2 created" in p.stderr and "0 failed" in p.stderr, p.stderr
    r = bulk(line(res("空白行三")) + "\n   \n\t\n")
    eq((r.json["created"], r.json["failed"]), (1, 0), "HTTP bulk skips the same lines")


def test_cli_import_usage_errors():
    d = lib.tmpdir("cliu")
    db = os.path.join(d, "u.db")
    path = os.path.join(d, "x.ndjson")
    _write(path, [line(res("x"))])
    p = lib.run_cli("import", "--db", db, path, check=False)
    eq(p.returncode, 2, "no --provider (stderr: %s)" % p.stderr)
    p = lib.run_cli("import", "--db", db, "--provider", "某供应商", check=False)
    eq(p.returncode, 2, "no file (stderr: %s)" % p.stderr)
    p = lib.run_cli("import", "--db", db, "--provider", "某供应商",
                    os.path.join(d, "missing.ndjson"), check=False)
    assert p.returncode not in (0, 3), "missing file exit %d" % p.returncode
    assert "missing.ndjson" in p.stderr, p.stderr
