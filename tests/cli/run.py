#!/usr/bin/python3
"""
run.py - black-box tests of build/shucu, the command-line client.

    /usr/bin/python3 tests/cli/run.py [SUBSTRING...]

Starts one shucud on a fresh database through the HTTP tests' harness
(tests/api/lib.py), makes a provider, an enterprise and a center key, and
runs build/shucu as a user would: with SHUCU_URL and SHUCU_KEY in the
environment, stdout a pipe (raw JSON expected) or a pseudo-terminal (tables
and key: value lines expected).  What the CLI prints as JSON is compared
with what the API answers to the same request.  Tables are checked for
alignment by display width, East Asian wide characters counting two
columns, under a UTF-8 locale (wcwidth) and the C locale (the client's own
width table).

Prints "ok   name", "FAIL name" with the reason, or "skip name: why" (for
campaign and stats verbs while the server has no such routes); the last
line is exactly "N passed, N failed", and the exit code is 1 on any failure.
Only the standard library is used; run with /usr/bin/python3.
"""

import fcntl
import json
import os
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
import traceback
import unicodedata

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "api"))

import lib  # noqa: E402
from lib import Server, key  # noqa: E402

CLI = os.path.join(REPO, os.environ.get("SHUCU_CLI", "build/shucu"))  # SHUCU_CLI: another build
TEST_TIMEOUT = int(os.environ.get("SHUCU_TEST_TIMEOUT", "120"))

VERBS = [
    "search", "resources create", "resources get", "resources list", "resources update",
    "resources delete", "resources import", "needs create", "needs list", "needs get",
    "needs matches", "needs respond", "needs responses", "needs accept", "match",
    "campaigns list", "campaigns get", "campaigns create", "campaigns join",
    "campaigns leave", "campaigns transition", "campaigns confirm", "stats", "taxonomy", "me",
    "health", "enterprises", "assess list", "assess show", "assess submit", "assess verify",
    "assess return", "gaps", "projects list", "projects get", "projects create",
    "projects update", "projects transition", "projects signoff", "projects tickets",
    "projects ticket", "projects reply", "projects close", "cases search", "cases get",
    "cases publish", "cases export",
]


class Skip(Exception):
    pass


# ---------------------------------------------------------------- running the CLI


class Out:
    def __init__(self, rc, stdout, stderr):
        self.rc = rc
        self.out = stdout
        self.err = stderr

    @property
    def json(self):
        try:
            return json.loads(self.out)
        except ValueError as e:
            raise AssertionError("stdout is not JSON (%s): %r" % (e, self.out[:1500]))

    def __repr__(self):
        return "exit %d\n  stdout: %s\n  stderr: %s" % (self.rc, self.out[:2000], self.err[:1000])


def cli_env(k=None, url=None, extra=None):
    env = dict(os.environ)
    for v in ("SHUCU_URL", "SHUCU_KEY", "LC_ALL", "LC_CTYPE", "COLUMNS"):
        env.pop(v, None)
    env["LANG"] = "C.UTF-8"
    env["SHUCU_URL"] = url or ST.url
    if k:
        env["SHUCU_KEY"] = k
    if extra:
        env.update(extra)
    return env


def run(*args, k=None, url=None, env=None, stdin=None):
    """build/shucu ARGS with stdout a pipe."""
    p = subprocess.run([CLI] + [str(a) for a in args], cwd=REPO, env=cli_env(k, url, env),
                       input=stdin.encode() if stdin is not None else None,
                       stdin=None if stdin is not None else subprocess.DEVNULL,
                       capture_output=True, timeout=60)
    return Out(p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"))


def run_tty(*args, k=None, env=None, cols=0):
    """build/shucu ARGS with stdout a pseudo-terminal (cols wide, 0 = unknown)."""
    master, slave = os.openpty()
    if cols:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, cols, 0, 0))
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.ONLCR  # no \r\n translation: what the program wrote
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    p = subprocess.Popen([CLI] + [str(a) for a in args], cwd=REPO, env=cli_env(k, None, env),
                         stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    out = b""
    deadline = time.time() + 60
    while time.time() < deadline:
        r, _, _ = select.select([master], [], [], 1.0)
        if not r:
            if p.poll() is not None:
                break
            continue
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    err = p.stderr.read()
    p.wait(30)
    return Out(p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


def api(method, path, body=None, k=None, raw=None, ctype="application/json"):
    return ST.server.request(method, path, body=body, key=k, raw=raw, ctype=ctype)


def ok(out, what=""):
    assert out.rc == 0, "%sexpected exit 0, got %r" % (what + ": " if what else "", out)


def eq(a, b, what=""):
    assert a == b, "%s%r != %r" % (what + ": " if what else "", a, b)


# ---------------------------------------------------------------- display width


def dwidth(s):
    w = 0
    for ch in s:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


def cell_starts(line):
    """Display offsets where a cell begins: a non-space at offset 0 or after
    at least two spaces."""
    starts, col, spaces = [], 0, 2
    for ch in line:
        if ch != " " and spaces >= 2:
            starts.append(col)
        spaces = spaces + 1 if ch == " " else 0
        col += dwidth(ch)
    return starts


def check_table(lines, headers, what="table", maxw=None):
    """lines[0] is a header line naming `headers`; every row has its cells
    starting at the header's display offsets."""
    assert lines, "%s: no lines" % what
    head = lines[0]
    eq(head.split(), [w for h in headers for w in h.split()], what + " header")
    want = cell_starts(head)
    eq(len(want), len(headers), what + " header cells")
    for ln in lines[1:]:
        got = cell_starts(ln)
        assert got == want, "%s: row not aligned by display width\n  header %s: %r\n  row    %s: %r" % (
            what, want, head, got, ln)
        if maxw:
            assert dwidth(ln) <= maxw, "%s: line wider than %d columns: %r" % (what, maxw, ln)
    return want


def table_block(text, first_header):
    """The lines of the table whose header starts with first_header, up to a blank line."""
    lines = text.split("\n")
    for i, ln in enumerate(lines):
        if ln.startswith(first_header + "  ") or ln.split()[:1] == [first_header]:
            block = []
            for l2 in lines[i:]:
                if not l2.strip() or not re.match(r"\S", l2):
                    break
                block.append(l2)
            return block
    raise AssertionError("no table starting with %r in:\n%s" % (first_header, text))


def cells(line, starts):
    """Split a table line at display offsets."""
    out, col, cur, idx = [], 0, "", 0
    bounds = starts[1:] + [10 ** 9]
    for ch in line:
        if col >= bounds[idx]:
            out.append(cur.strip())
            cur, idx = "", idx + 1
        cur += ch
        col += dwidth(ch)
    out.append(cur.strip())
    return out


# ---------------------------------------------------------------- state


class State:
    server = None
    url = None
    prov = ent = center = prov2 = None
    res = {}          # name -> resource JSON
    need = None
    response = None
    routes = {}


ST = State()

TITLE_QC = "面向机械行业的AI视觉质检解决方案"
TITLE_APS = "智能排产APS系统，适用于离散制造"
TITLE_BOX = "注塑机联网盒子"
TITLE_LONG = "这是一个非常非常长的标题用来测试表格截断功能是否正确地在显示宽度上截断并加上省略号"


def route_exists(method, path, k):
    r = api(method, path, k=k)
    return not (r.status == 404 and "no such path" in (r.text or ""))


# ---------------------------------------------------------------- tests: help and usage


def test_help_exit_0():
    o = run("--help")
    ok(o)
    assert o.out.startswith("usage: shucu"), o
    for v in VERBS:
        assert v in o.out, "verb %r not in --help" % v
    o = run("-h")
    ok(o)


def test_verb_help_exit_0():
    for v in VERBS:
        o = run(*(v.split() + ["--help"]))
        ok(o, v + " --help")
        assert o.out.startswith("usage: shucu " + v), "%s --help: %r" % (v, o)
        o2 = run("help", *v.split())
        ok(o2, "help " + v)
        eq(o2.out, o.out, "help %s vs %s --help" % (v, v))
    o = run("resources", "create", "--help")
    for opt in ("--kind", "--title", "--industry", "--scenario", "--price-min", "--file"):
        assert opt in o.out, "%s missing from resources create --help" % opt
    for group in ("resources", "needs", "campaigns"):
        o = run(group, "--help")
        ok(o, group + " --help")
        assert "shucu %s " % group in o.out, o
    o = run("--help", "search")  # global flag before the verb
    ok(o)
    assert o.out.startswith("usage: shucu search"), o


def test_usage_errors_exit_2():
    cases = [
        [],
        ["bogus"],
        ["resources"],
        ["resources", "frobnicate"],
        ["resources", "get"],
        ["resources", "get", "a", "b"],
        ["resources", "list", "--no-such-option"],
        ["resources", "list", "--limit"],
        ["resources", "list", "--limit", "ten"],
        ["resources", "create", "--price-min", "cheap"],
        ["campaigns", "transition", "camp_x"],
        ["needs", "accept", "need_x"],
        ["search", "x", "--explain"],
        ["--url"],
    ]
    for c in cases:
        o = run(*c, k=ST.prov)
        assert o.rc == 2, "shucu %s: want exit 2, got %r" % (" ".join(c), o)
        assert o.err.strip(), "shucu %s: no message on stderr" % " ".join(c)
        assert o.out == "", "shucu %s: usage error printed on stdout: %r" % (" ".join(c), o.out)


# ---------------------------------------------------------------- tests: service verbs


def test_health():
    o = run("health")
    ok(o)
    j = o.json
    eq(j.get("status"), "ok", "health status")
    api_j = api("GET", "/healthz").json
    eq(sorted(j), sorted(api_j), "health keys")
    eq(j["cache"], api_j["cache"], "health cache")


def test_me():
    o = run("me", k=ST.prov)
    ok(o)
    eq(o.json, api("GET", "/v1/me", k=ST.prov).json, "me")
    eq(o.json["role"], "provider")
    eq(o.json["org"]["name"], "华中智造科技")
    # --key and --url override the environment, after the verb too
    o = run("me", "--key", ST.ent, "--url", ST.url, url="http://127.0.0.1:1")
    ok(o)
    eq(o.json["role"], "enterprise")
    o = run("--key=" + ST.center, "me")
    ok(o)
    eq(o.json["role"], "center")


def test_taxonomy():
    o = run("taxonomy")
    ok(o)
    eq(o.json, api("GET", "/v1/taxonomy").json, "taxonomy")
    codes = [i["code"] for i in o.json["industries"]]
    assert "machinery" in codes and "general" in codes, codes


# ---------------------------------------------------------------- tests: resources


def test_resources_create_flags():
    o = run("resources", "create", "--kind", "product", "--title", TITLE_BOX,
            "--industry", "machinery", "--scenario", "connectivity", "--scenario", "equipment",
            "--summary", "一键采集注塑机数据，支持主流控制器", "--region", "湖北省", "--region", "广东省",
            "--tag", "联网", "--tag", "数据采集", "--price-min", "3000", "--price-max", "5000.5",
            "--price-unit", "台", "--delivery", "hybrid", "--level-from", "1", "--level-to", "2",
            "--deploy-days", "7", "--external-id", "BOX-1", k=ST.prov)
    ok(o)
    r = o.json
    assert r["id"].startswith("res_"), r
    eq(r["kind"], "product")
    eq(r["title"], TITLE_BOX)
    eq(r["industries"], ["machinery"])
    eq(r["scenarios"], ["connectivity", "equipment"])
    eq(r["regions"], ["湖北省", "广东省"])
    eq(r["tags"], ["联网", "数据采集"])
    eq(r["price"], {"min": 3000, "max": 5000.5, "unit": "台"})
    eq(r["levels"], {"from": 1, "to": 2})
    eq(r["deploy_days"], 7)
    eq(r["external_id"], "BOX-1")
    eq(r["provider"]["name"], "华中智造科技")
    ST.res["box"] = r


def test_resources_create_file():
    body = lib.resource(title=TITLE_QC)
    d = tempfile.mkdtemp(dir=lib.tmp_root())
    path = os.path.join(d, "resource.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(body, f, ensure_ascii=False)
    o = run("resources", "create", "--file", path, k=ST.prov)
    ok(o)
    for k2 in ("kind", "title", "industries", "scenarios", "price", "levels", "cases"):
        eq(o.json[k2], body[k2], "field %s" % k2)
    ST.res["qc"] = o.json
    # options given with --file override its fields; a list option replaces the file's list
    o = run("resources", "create", "--file", path, "--title", TITLE_APS, "--kind", "solution",
            "--industry", "general", "--price-min", "1000", k=ST.prov)
    ok(o)
    eq(o.json["title"], TITLE_APS)
    eq(o.json["industries"], ["general"])
    eq(o.json["price"], {"min": 1000, "max": 200000, "unit": "套"})
    eq(o.json["scenarios"], body["scenarios"])
    ST.res["aps"] = o.json
    # stdin
    o = run("resources", "create", "--file", "-", "--title", TITLE_LONG, k=ST.prov,
            stdin=json.dumps(body, ensure_ascii=False))
    ok(o)
    eq(o.json["title"], TITLE_LONG)
    ST.res["long"] = o.json
    o = run("resources", "create", "--file", os.path.join(d, "missing.json"), k=ST.prov)
    eq(o.rc, 2, "missing --file")
    assert "missing.json" in o.err, o


def test_resources_get():
    rid = ST.res["box"]["id"]
    o = run("resources", "get", rid)
    ok(o)
    eq(o.json, api("GET", "/v1/resources/" + rid).json, "get vs API")
    o = run("resources", "get", rid, "--json")
    ok(o)
    assert "\n  " not in o.out.strip(), "--json to a pipe should be compact: %r" % o.out[:200]
    eq(o.json, api("GET", "/v1/resources/" + rid).json, "get --json vs API")


def test_resources_list():
    o = run("resources", "list", "--limit", "2", k=ST.prov)
    ok(o)
    eq(o.json, api("GET", "/v1/resources?limit=2", k=ST.prov).json, "list vs API")
    assert o.json["next_cursor"], "expected a next_cursor with limit 2: %r" % o
    o2 = run("resources", "list", "--limit", "2", "--cursor", o.json["next_cursor"], k=ST.prov)
    ok(o2)
    eq(o2.json, api("GET", "/v1/resources?limit=2&cursor=" + o.json["next_cursor"], k=ST.prov).json)
    o = run("resources", "list", "--all", "--limit", "1", k=ST.prov)
    ok(o)
    ids = [r["id"] for r in o.json["items"]]
    want = [r["id"] for r in api("GET", "/v1/resources?limit=100", k=ST.prov).json["items"]]
    eq(ids, want, "--all collects every page")
    eq(o.json["next_cursor"], None)
    o = run("resources", "list", "--kind", "product", "--industry", "machinery")
    ok(o)
    eq(o.json, api("GET", "/v1/resources?kind=product&industry=machinery").json, "filtered list")
    assert ST.res["box"]["id"] in [r["id"] for r in o.json["items"]]


def test_resources_update():
    rid = ST.res["box"]["id"]
    o = run("resources", "update", rid, "--title", "注塑机联网盒子（二代）", "--price-max", "6000", k=ST.prov)
    ok(o)
    eq(o.json["title"], "注塑机联网盒子（二代）")
    eq(o.json["price"], {"min": 3000, "max": 6000, "unit": "台"}, "merge patch keeps price.min")
    eq(o.json["version"], ST.res["box"]["version"] + 1)
    eq(o.json["industries"], ["machinery"], "untouched fields stay")
    eq(api("GET", "/v1/resources/" + rid).json["title"], "注塑机联网盒子（二代）")
    ST.res["box"] = o.json


def test_resources_delete():
    o = run("resources", "create", "--kind", "service", "--title", "待撤回的咨询服务",
            "--industry", "general", "--scenario", "hr", k=ST.prov)
    ok(o)
    rid = o.json["id"]
    o = run("resources", "delete", rid, k=ST.prov)
    ok(o)
    eq(o.json["status"], "withdrawn")
    eq(api("GET", "/v1/resources/" + rid).json["status"], "withdrawn")


def test_resources_import():
    d = tempfile.mkdtemp(dir=lib.tmp_root())
    path = os.path.join(d, "bulk.ndjson")
    lines = [
        json.dumps(lib.resource(title="批量导入的能耗监测平台", scenarios=["energy"], external_id="IMP-1"),
                   ensure_ascii=False),
        json.dumps({"kind": "product", "industries": ["general"], "scenarios": ["cloud"]}),
        "this is not json",
        json.dumps(lib.resource(title="批量导入的仓储管理系统", scenarios=["warehouse_logistics"],
                                external_id="IMP-2"), ensure_ascii=False),
    ]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    o = run("resources", "import", path, k=ST.prov)
    eq(o.rc, 4, "some lines failed: exit 4, as shucud import (issue 21)")
    j = o.json
    eq((j["created"], j["updated"], j["failed"]), (2, 0, 2), "counts")
    eq([e["line"] for e in j["errors"]], [2, 3], "error lines")
    eq(j["errors"][0]["error"]["field"], "title")
    # on a terminal: the counts and each error with its line number
    o = run_tty("resources", "import", path, k=ST.prov)
    eq(o.rc, 4, "some lines failed")
    assert re.search(r"created: 0\s+updated: 2\s+failed: 2", o.out), o
    assert re.search(r"^line 2: invalid_field: .*title", o.out, re.M), o
    assert re.search(r"^line 3: bad_json", o.out, re.M), o
    o = run("resources", "import", os.path.join(d, "nope.ndjson"), k=ST.prov)
    eq(o.rc, 2, "missing file")


# ---------------------------------------------------------------- tests: search


def search_api(q, extra=""):
    from urllib.parse import quote
    return api("GET", "/v1/search?q=%s%s" % (quote(q), extra)).json


def strip_timing(j):
    j = dict(j)
    j.pop("took_ms", None)
    j.pop("cached", None)
    return j


def test_search_chinese_two_chars():
    for word, which in (("质检", "qc"), ("排产", "aps"), ("联网", "box")):
        o = run("search", word)
        ok(o, "search " + word)
        ids = [h["id"] for h in o.json["hits"]]
        assert ST.res[which]["id"] in ids, "search %s did not find %s: %s" % (word, which, ids)
        eq(strip_timing(o.json), strip_timing(search_api(word)), "search %s vs API" % word)


def test_search_filters():
    o = run("search", "AI", "视觉", "--kind", "solution", "--industry", "machinery",
            "--scenario", "quality", "--max-price", "100000", "--sort", "relevance", "--limit", "5")
    ok(o)
    eq(strip_timing(o.json), strip_timing(search_api(
        "AI 视觉", "&kind=solution&industry=machinery&scenario=quality&max_price=100000&sort=relevance&limit=5")))
    for h in o.json["hits"]:
        eq(h["kind"], "solution")
    o = run("search", "联网", "--kind", "solution")
    ok(o)
    assert ST.res["box"]["id"] not in [h["id"] for h in o.json["hits"]], "kind filter ignored"
    o = run("search", "--", "-anything *weird* AND \"")
    ok(o, "odd query")


# ---------------------------------------------------------------- tests: needs


def test_needs_create():
    o = run("needs", "create", "--title", "注塑车间需要质检和设备联网", "--description", "三条产线，想做视觉质检",
            "--industry", "machinery", "--scenario", "quality", "--scenario", "connectivity",
            "--region", "湖北省", "--budget", "150000", "--size", "small", "--current-level", "1",
            "--target-level", "3", "--deadline", "2030-12-31", "--contact-name", "王工",
            "--contact-phone", "13800000000", "--contact-email", "wang@example.com", k=ST.ent)
    ok(o)
    n = o.json
    assert n["id"].startswith("need_"), n
    eq(n["scenarios"], ["quality", "connectivity"])
    eq(n["budget"], {"max": 150000})
    eq(n["contact"], {"name": "王工", "phone": "13800000000", "email": "wang@example.com"})
    eq(n["current_level"], 1)
    ST.need = n


def test_needs_get_list():
    nid = ST.need["id"]
    o = run("needs", "get", nid, k=ST.ent)
    ok(o)
    eq(o.json, api("GET", "/v1/needs/" + nid, k=ST.ent).json)
    o = run("needs", "list", k=ST.center)
    ok(o)
    eq(o.json, api("GET", "/v1/needs", k=ST.center).json)
    assert nid in [n["id"] for n in o.json["items"]]
    o = run("needs", "list", "--industry", "machinery", "--scenario", "quality", "--status", "open", k=ST.prov)
    ok(o)
    eq(o.json, api("GET", "/v1/needs?industry=machinery&scenario=quality&status=open", k=ST.prov).json)
    assert nid in [n["id"] for n in o.json["items"]]
    assert "contact" not in o.json["items"][0], "provider should not see the contact yet"


def test_needs_matches():
    nid = ST.need["id"]
    o = run("needs", "matches", nid, "--limit", "5", k=ST.ent)
    ok(o)
    a = api("GET", "/v1/needs/%s/matches?limit=5" % nid, k=ST.ent).json
    eq(strip_timing(o.json), strip_timing(a), "matches vs API")
    ids = [m["resource"]["id"] for m in o.json["matches"]]
    assert ST.res["qc"]["id"] in ids, ids
    o = run("needs", "matches", nid, "--explain", "--kind", "solution", k=ST.ent)
    ok(o)
    for m in o.json["matches"]:
        assert "explain" in m, m
        eq(m["resource"]["kind"], "solution")


def test_needs_respond_accept():
    nid = ST.need["id"]
    rid = ST.res["qc"]["id"]
    o = run("needs", "respond", nid, "--resource", rid, "--message", "我们可以两周内上线", "--quote", "88000",
            k=ST.prov)
    ok(o)
    r = o.json
    eq(r["need_id"], nid)
    eq(r["resource_id"], rid)
    eq(r["message"], "我们可以两周内上线")
    eq(r["quote"], 88000)
    ST.response = r
    o = run("needs", "responses", nid, k=ST.ent)
    ok(o)
    eq(o.json, api("GET", "/v1/needs/%s/responses" % nid, k=ST.ent).json)
    eq([x["id"] for x in o.json["items"]], [r["id"]])
    o = run("needs", "accept", nid, r["id"], k=ST.ent)
    ok(o)
    eq(o.json["status"], "accepted")
    eq(api("GET", "/v1/needs/" + nid, k=ST.ent).json["status"], "matched")
    # the accepted provider now sees the contact
    o = run("needs", "get", nid, k=ST.prov)
    ok(o)
    eq(o.json.get("contact", {}).get("name"), "王工")


def test_match():
    o = run("match", "--title", "纺织厂想做能耗管理", "--industry", "textile", "--scenario", "energy",
            "--budget", "300000", "--explain", "--limit", "3", k=ST.ent)
    ok(o)
    j = o.json
    eq(j.get("need"), None)
    assert len(j["matches"]) <= 3
    body = {"title": "纺织厂想做能耗管理", "industry": "textile", "scenarios": ["energy"], "budget": {"max": 300000}}
    a = api("POST", "/v1/match?explain=1&limit=3", body=body, k=ST.ent).json
    eq(strip_timing(j), strip_timing(a), "match vs API")
    for m in j["matches"]:
        parts = {k2: v for k2, v in m["explain"].items() if isinstance(v, (int, float))}
        assert abs(sum(parts.values()) - m["score"]) < 1e-3, m


# ---------------------------------------------------------------- tests: campaigns and stats


def test_campaigns():
    if not ST.routes.get("campaigns"):
        raise Skip("the server has no /v1/campaigns routes yet")
    o = run("campaigns", "list", k=ST.center)
    ok(o)
    eq(o.json, api("GET", "/v1/campaigns", k=ST.center).json)
    camp = {
        "title": "机械行业视觉质检集采", "resource_id": ST.res["qc"]["id"], "industry": "machinery",
        "scenarios": ["quality"], "region": "湖北省",
        "tiers": [{"min_participants": 2, "unit_price": 90000}, {"min_participants": 5, "unit_price": 70000}],
        "min_participants": 2, "max_participants": 10, "deadline": "2030-12-31T00:00:00Z",
    }
    d = tempfile.mkdtemp(dir=lib.tmp_root())
    path = os.path.join(d, "campaign.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(camp, f, ensure_ascii=False)
    o = run("campaigns", "create", "--file", path, k=ST.center)
    ok(o, "campaigns create")
    c = o.json
    cid = c["id"]
    assert c["status"] in ("draft", "open"), c
    if c["status"] == "draft":
        # issue 21: the resource's provider confirms the tier prices first
        o = run("campaigns", "confirm", cid, k=ST.prov)
        ok(o, "confirm prices")
        assert o.json["price_confirmation"], o
        o = run("campaigns", "transition", cid, "--to", "open", "--reason", "开始报名", k=ST.center)
        ok(o, "transition to open")
        eq(o.json["status"], "open")
    o = run("campaigns", "get", cid, k=ST.center)
    ok(o)
    eq(o.json, api("GET", "/v1/campaigns/" + cid, k=ST.center).json)
    o = run("campaigns", "join", cid, k=ST.ent)
    ok(o, "join")
    eq(api("GET", "/v1/campaigns/" + cid, k=ST.center).json["participants"]["count"], 1)
    o = run("campaigns", "leave", cid, k=ST.ent)
    ok(o, "leave")
    eq(api("GET", "/v1/campaigns/" + cid, k=ST.center).json["participants"]["count"], 0)
    o = run("campaigns", "transition", cid, "--to", "cancelled", "--reason", "测试结束", k=ST.center)
    ok(o, "transition to cancelled")
    eq(o.json["status"], "cancelled")
    o = run("campaigns", "transition", cid, "--to", "open", k=ST.center)
    eq(o.rc, 1, "cancelled -> open must be refused")
    assert "409" in o.err or "conflict" in o.err, o


def test_stats():
    if not ST.routes.get("stats"):
        raise Skip("the server has no /v1/stats route yet")
    o = run("stats", k=ST.center)
    ok(o)
    eq(o.json, api("GET", "/v1/stats", k=ST.center).json)
    o = run_tty("stats", k=ST.center)
    ok(o)
    assert o.out.strip(), o


# ---------------------------------------------------------------- tests: errors


def test_error_422_message_and_field():
    o = run("resources", "create", "--kind", "product", "--title", "坏的行业", "--industry", "nope",
            "--scenario", "quality", k=ST.prov)
    eq(o.rc, 1, "422 exit")
    a = api("POST", "/v1/resources", body={"kind": "product", "title": "坏的行业", "industries": ["nope"],
                                           "scenarios": ["quality"]}, k=ST.prov)
    eq(a.status, 422)
    assert a.json["error"]["message"] in o.err, "server message not on stderr: %r" % o
    assert "industries[0]" in o.err and "field" in o.err, "field not on stderr: %r" % o
    eq(o.out, "", "nothing on stdout")
    o = run("resources", "create", k=ST.prov)  # nothing given: the server names the missing field
    eq(o.rc, 1)
    assert "field" in o.err, o


def test_error_401_bad_key():
    o = run("me", k="shk_notarealkeyatall0000000000000000")
    eq(o.rc, 1, "401 exit")
    a = api("GET", "/v1/me", k="shk_notarealkeyatall0000000000000000")
    eq(a.status, 401)
    assert a.json["error"]["message"] in o.err, o
    assert "401" in o.err, o
    o = run("resources", "create", "--kind", "product", "--title", "x", "--industry", "general",
            "--scenario", "cloud")  # no key at all
    eq(o.rc, 1)
    assert "401" in o.err, o
    o = run("resources", "create", "--kind", "product", "--title", "x", "--industry", "general",
            "--scenario", "cloud", k=ST.ent)  # wrong role
    eq(o.rc, 1)
    assert "403" in o.err, o


def test_error_404():
    o = run("resources", "get", "res_doesnotexist0000000")
    eq(o.rc, 1, "404 exit")
    a = api("GET", "/v1/resources/res_doesnotexist0000000")
    assert a.json["error"]["message"] in o.err, o
    assert "not_found" in o.err, o
    o = run("needs", "get", "need_../../etc/passwd", k=ST.center)  # odd ids are escaped, not a path
    eq(o.rc, 1)
    assert "404" in o.err, o


def test_unreachable_exit_3():
    port = lib.free_port()
    url = "http://127.0.0.1:%d" % port
    o = run("health", url=url)
    eq(o.rc, 3, "exit")
    eq(o.err.strip(), "shucu: cannot reach %s: connection refused (is shucud running? set --url or SHUCU_URL)" % url)
    o = run("resources", "list", "--url", url)
    eq(o.rc, 3)


# ---------------------------------------------------------------- tests: terminal output


LOCALES = (("utf8", {"LANG": "C.UTF-8"}), ("C", {"LC_ALL": "C"}))


def test_tty_resources_table_aligned():
    for name, env in LOCALES:
        o = run_tty("resources", "list", "--limit", "100", k=ST.prov, env=env)
        ok(o, name)
        lines = table_block(o.out, "ID")
        starts = check_table(lines, ["ID", "KIND", "TITLE", "PROVIDER", "INDUSTRIES", "PRICE", "STATUS"],
                             "resources list (%s)" % name)
        titles = {}
        for ln in lines[1:]:
            c = cells(ln, starts)
            titles[c[0]] = c[2]
        eq(titles[ST.res["qc"]["id"]], TITLE_QC, name)
        eq(titles[ST.res["aps"]["id"]], TITLE_APS, name)
        long_cell = titles[ST.res["long"]["id"]]
        assert long_cell.endswith("…"), "long title not truncated with …: %r" % long_cell
        assert dwidth(long_cell) <= 40 and TITLE_LONG.startswith(long_cell[:-1]), long_cell
        assert any("华中智造科技" in ln for ln in lines), "provider name missing"


def test_tty_narrow_terminal():
    o = run_tty("resources", "list", "--limit", "100", k=ST.prov, cols=90)
    ok(o)
    lines = table_block(o.out, "ID")
    check_table(lines, ["ID", "KIND", "TITLE", "PROVIDER", "INDUSTRIES", "PRICE", "STATUS"],
                "90 columns", maxw=90)
    assert any(ST.res["qc"]["id"] in ln for ln in lines), "ids must stay whole"


def test_tty_search_and_needs_tables():
    for name, env in LOCALES:
        o = run_tty("search", "质检", env=env)
        ok(o)
        assert re.match(r"\d+ results?, showing \d+", o.out), o
        lines = table_block(o.out, "SCORE")
        check_table(lines, ["SCORE", "KIND", "TITLE", "PROVIDER", "PRICE", "ID"], "search (%s)" % name)
        assert any(TITLE_QC in ln for ln in lines), o
        o = run_tty("needs", "list", "--status", "all", k=ST.center, env=env)
        ok(o)
        lines = table_block(o.out, "ID")
        check_table(lines, ["ID", "TITLE", "INDUSTRY", "SCENARIOS", "REGION", "BUDGET", "STATUS", "ENTERPRISE"],
                    "needs list (%s)" % name)
        o = run_tty("needs", "responses", ST.need["id"], k=ST.ent, env=env)
        ok(o)
        lines = table_block(o.out, "ID")
        check_table(lines, ["ID", "PROVIDER", "RESOURCE", "QUOTE", "STATUS", "MESSAGE"], "responses (%s)" % name)
        o = run_tty("taxonomy", env=env)
        ok(o)
        check_table(table_block(o.out, "CODE"), ["CODE", "NAME", "NAME_EN", "GBT4754"], "taxonomy (%s)" % name)


def test_tty_matches_explain_bars():
    o = run_tty("needs", "matches", ST.need["id"], "--explain", k=ST.ent)
    ok(o)
    lines = table_block(o.out, "#")
    check_table(lines, ["#", "SCORE", "KIND", "TITLE", "PROVIDER", "PRICE", "ID"], "matches")
    bars = re.findall(r"^\s+(text|industry|scenario)\s+([█░]+) (\d\.\d\d)$", o.out, re.M)
    assert len(bars) >= 3, "no explain bars:\n%s" % o.out
    api_j = api("GET", "/v1/needs/%s/matches?explain=1" % ST.need["id"], k=ST.ent).json
    first = api_j["matches"][0]["explain"]
    got = {k2: float(v) for k2, _, v in bars[:3]}
    for k2, v in got.items():
        assert abs(first[k2] - v) <= 0.005 + 1e-9, "%s bar says %s, API %s" % (k2, v, first[k2])
    widths = {len(b) for _, b, _ in bars}
    eq(len(widths), 1, "bars have one width")


def test_tty_80_columns_titles_prices_and_chinese_names():
    """Issue 21: on an 80-column terminal titles stay readable (less
    important columns are left out first), prices read as people say them
    (6万–20万/套) and codes show by their Chinese names."""
    for name, env in LOCALES:
        o = run_tty("resources", "list", "--limit", "100", k=ST.prov, cols=80, env=env)
        ok(o)
        lines = table_block(o.out, "ID")
        head = lines[0].split()
        assert "TITLE" in head and "ID" in head and "PRICE" in head, head
        for ln in lines:
            assert dwidth(ln) <= 80, "%s: wider than 80: %r" % (name, ln)
        starts = cell_starts(lines[0])
        titles = {}
        for ln in lines[1:]:
            c = cells(ln, starts)
            titles[c[0]] = c
        qc = titles[ST.res["qc"]["id"]]
        ti = head.index("TITLE")
        assert dwidth(qc[ti]) >= 20 and qc[ti].startswith("面向机械行业的AI视觉"), \
            "%s: a readable title at 80 columns: %r" % (name, qc[ti])
        eq(qc[head.index("KIND")], "解决方案", name + ": the kind by its Chinese name")
        assert qc[head.index("PRICE")].startswith("5万–"), "%s: price %r" % (name, qc)
    o = run_tty("resources", "list", "--limit", "100", k=ST.prov, cols=160)
    ok(o)
    assert "5万–20万/套" in o.out and "机械, 汽车" in o.out and "已发布" in o.out, o.out[:600]


def test_tty_record_key_value():
    rid = ST.res["qc"]["id"]
    o = run_tty("resources", "get", rid)
    ok(o)
    kv = {}
    value_cols = set()
    for ln in o.out.splitlines():
        m = re.match(r"^(\S+):(\s+)(.*)$", ln)
        assert m, "not a key: value line: %r" % ln
        kv[m.group(1)] = m.group(3)
        value_cols.add(dwidth(m.group(1)) + 1 + len(m.group(2)))
    eq(len(value_cols), 1, "values start in one column")
    eq(kv["id"], rid)
    eq(kv["title"], TITLE_QC)
    eq(kv["provider.name"], "华中智造科技")
    eq(kv["price.min"], "50000")
    eq(kv["industries"], "machinery, automotive")
    eq(kv["cases[0].enterprise"], "武汉某零部件厂")
    o = run_tty("me", k=ST.prov)
    ok(o)
    assert re.search(r"^role:\s+provider$", o.out, re.M), o


def test_tty_json_pretty():
    rid = ST.res["qc"]["id"]
    o = run_tty("resources", "get", rid, "--json")
    ok(o)
    assert o.out.startswith("{\n  \""), "--json on a terminal should be pretty: %r" % o.out[:100]
    eq(json.loads(o.out), api("GET", "/v1/resources/" + rid).json)
    o = run_tty("--json", "search", "排产")
    ok(o)
    eq(strip_timing(json.loads(o.out)), strip_timing(search_api("排产")))


# ---------------------------------------------------------------- tests: assessments (issue 18)


ASSESS_ANSWERS = {"network": ["B"], "device_digital_rate": ["C"], "device_network_rate": ["B"],
                  "auto_collection": ["G", "H", "N"], "it_coverage": ["C"],
                  "network_security": ["B", "C"], "data_security": ["A"], "planning": ["C"],
                  "mechanisms": ["A"], "talent": ["B"], "investment": ["B"],
                  "energy_per_revenue": ["B"], "pass_rate": ["C"], "revenue_per_head": ["C"],
                  "cost_per_revenue": ["B"]}
ASSESS_SCENES = {"product_design": 1, "process_design": 1, "marketing": 2, "after_sales": 1,
                 "planning": 2, "production_control": 2, "quality": 2, "equipment": 1, "safety": 1,
                 "energy": 0, "procurement": 2, "warehouse_logistics": 2, "finance": 3, "hr": 1,
                 "collaboration": 2, "decision_support": 0}


def assessment_ready():
    """The enterprise's file and a complete draft, made through the API (once)."""
    if ST.routes.get("assessment"):
        return ST.routes["assessment"]
    org = api("GET", "/v1/me", k=ST.ent).json["org"]["id"]
    r = api("PUT", "/v1/orgs/%s/file" % org, {"province": "湖北省", "city": "武汉市", "district": "汉南区",
                                              "industry": "machinery", "size": "small", "above_scale": False},
            k=ST.ent)
    eq(r.status, 200, "file: %r" % r)
    r = api("POST", "/v1/assessments", {"instrument": "sme-2024", "answers": ASSESS_ANSWERS,
                                        "scenes": ASSESS_SCENES}, k=ST.ent)
    eq(r.status, 201, "draft: %r" % r)
    ST.routes["assessment"] = r.json["id"]
    ST.routes["ent_org"] = org
    return r.json["id"]


def test_assess_submit_verify_show():
    aid = assessment_ready()
    o = run("assess", "submit", aid, k=ST.ent)
    ok(o, "assess submit")
    eq(o.json["status"], "submitted")
    o = run("assess", "verify", aid, "--scene", "finance=2", "--scene", "energy=1", "--note", "现场核验",
            k=ST.center)
    ok(o, "assess verify")
    eq((o.json["status"], o.json["scenes"]["finance"], o.json["scenes"]["energy"]), ("verified", 2, 1))
    eq(o.json["revisions"][-1]["scene_corrections"]["finance"], {"claimed": 3, "verified": 2})
    o = run("assess", "show", aid, k=ST.center)
    ok(o)
    eq(o.json, api("GET", "/v1/assessments/" + aid, k=ST.center).json, "assess show is the API's answer")
    o = run("assess", "list", "--status", "verified", k=ST.center)
    ok(o)
    eq(o.json, api("GET", "/v1/assessments?status=verified", k=ST.center).json)
    # refusals keep the server's field, and bad arguments are usage errors
    o = run("assess", "verify", aid, k=ST.center)
    eq(o.rc, 1, "verifying twice is refused")
    assert "409" in o.err and "status" in o.err, o
    o = run("assess", "verify", aid, "--scene", "finance", k=ST.center)
    eq(o.rc, 2, "--scene wants CODE=N")
    o = run("assess", "return", aid, k=ST.center)
    eq(o.rc, 2, "--reason is required")
    o = run("assess", "show", aid, k=ST.prov)
    eq(o.rc, 1, "a provider never sees an assessment")


def test_gaps_and_enterprises():
    aid = assessment_ready()
    o = run("gaps", aid, "--target", "2", k=ST.ent)
    ok(o, "gaps")
    eq(o.json, api("GET", "/v1/assessments/%s/gaps?target=2" % aid, k=ST.ent).json)
    eq(o.json["target"], 2)
    o = run("enterprises", "精工", k=ST.center)
    ok(o, "enterprises")
    eq(o.json, api("GET", "/v1/enterprises?q=%E7%B2%BE%E5%B7%A5", k=ST.center).json)
    o = run("enterprises", "--district", "汉南区", "--all", k=ST.center)
    ok(o)
    eq([f["org"]["id"] for f in o.json["items"]], [ST.routes["ent_org"]])
    o = run("enterprises", "--level", "7", k=ST.center)
    eq(o.rc, 1)
    assert "level" in o.err, o


def test_tty_assessment_views_aligned():
    aid = assessment_ready()
    for name, env in LOCALES:
        o = run_tty("assess", "show", aid, k=ST.center, env=env)
        ok(o, name)
        assert "enterprise: 武汉精密注塑有限公司" in o.out, o
        check_table(table_block(o.out, "DIMENSION"), ["DIMENSION", "POINTS"], "dimensions (%s)" % name)
        lines = table_block(o.out, "LEVEL")
        check_table(lines, ["LEVEL", "SCORE", "SCENES", "CONSTRAINED", "HOLDS"], "levels (%s)" % name)
        eq(len(lines), 5, "four levels")
        o = run_tty("gaps", aid, "--target", "2", k=ST.center, env=env)
        ok(o, name)
        assert "target 2 (二级)" in o.out, o
        check_table(table_block(o.out, "SCENE"), ["SCENE", "CONSTRAINED", "STEP", "NEXT STEP",
                                                  "BEST RESOURCE", "RESOURCES"], "gaps (%s)" % name)
        o = run_tty("enterprises", k=ST.center, env=env)
        ok(o, name)
        check_table(table_block(o.out, "ORG"), ["ORG", "NAME", "CITY", "DISTRICT", "INDUSTRY", "SIZE",
                                                "ABOVE SCALE", "LEVEL", "ASSESSED"], "enterprises (%s)" % name)
        o = run_tty("assess", "list", k=ST.center, env=env)
        ok(o, name)
        check_table(table_block(o.out, "ID"), ["ID", "ENTERPRISE", "STATUS", "MODE", "SCORE", "LEVEL",
                                               "SUBMITTED", "VERIFIED"], "assess list (%s)" % name)


# ---------------------------------------------------------------- tests: projects and cases (issue 19)


def verified_assessment(org):
    """A center's onsite assessment of org, submitted and verified (through the API)."""
    r = api("POST", "/v1/assessments", {"instrument": "sme-2024", "org_id": org,
                                        "answers": ASSESS_ANSWERS, "scenes": ASSESS_SCENES},
            k=ST.center)
    eq(r.status, 201, "assessment: %r" % r)
    eq(api("POST", "/v1/assessments/%s/submit" % r.json["id"], k=ST.center).status, 200)
    eq(api("POST", "/v1/assessments/%s/verify" % r.json["id"], body={}, k=ST.center).status, 200)


def test_projects_and_cases():
    if not ST.response:
        raise Skip("needs the accepted response of test_needs_respond_accept")
    assessment_ready()
    org = ST.routes["ent_org"]
    center = api("GET", "/v1/me", k=ST.center).json["org"]["id"]
    o = run("projects", "create", "--response", ST.response["id"], "--center", center, k=ST.ent)
    ok(o, "projects create")
    pid = o.json["id"]
    eq(o.json["status"], "contracted")
    o = run("projects", "update", pid, "--amount", "86000", k=ST.prov)
    ok(o, "projects update")
    eq(o.json["amount"], 86000)
    o = run("projects", "transition", pid, "--to", "implementing", k=ST.prov)
    ok(o, "implementing")
    o = run("projects", "transition", pid, "--to", "accepted", k=ST.center)
    eq(o.rc, 1, "implementing -> accepted is no move")
    assert "409" in o.err and "to" in o.err, o
    o = run("projects", "transition", pid, "--to", "delivered", k=ST.ent)
    eq(o.rc, 1, "the enterprise does not deliver")
    assert "403" in o.err, o
    ok(run("projects", "transition", pid, "--to", "delivered", k=ST.prov), "delivered")
    ok(run("projects", "signoff", pid, "--note", "运行正常", k=ST.ent), "enterprise signs")
    ok(run("projects", "signoff", pid, k=ST.center), "center signs")
    verified_assessment(org)
    o = run("projects", "transition", pid, "--to", "accepted", "--reason", "验收通过", k=ST.center)
    ok(o, "accepted")
    eq(o.json["status"], "accepted")
    o = run("projects", "get", pid, k=ST.ent)
    ok(o)
    eq(o.json, api("GET", "/v1/projects/" + pid, k=ST.ent).json, "projects get is the API's answer")
    o = run("projects", "ticket", pid, "--title", "看板不刷新", "--severity", "high", k=ST.ent)
    ok(o, "projects ticket")
    tid = o.json["id"]
    ok(run("projects", "reply", pid, tid, "--text", "已处理", k=ST.prov), "reply")
    ok(run("projects", "close", pid, tid, k=ST.prov), "close")
    o = run("projects", "tickets", pid, k=ST.ent)
    ok(o)
    eq(o.json, api("GET", "/v1/projects/%s/tickets" % pid, k=ST.ent).json)
    eq(o.json["items"][0]["status"], "closed")
    o = run("projects", "list", "--sort", "due", k=ST.center)
    ok(o)
    eq(o.json, api("GET", "/v1/projects?sort=due", k=ST.center).json)
    o = run("projects", "list", "--all", k=ST.ent)
    ok(o)
    eq([p["id"] for p in o.json["items"]], [pid])
    # the case library
    o = run("cases", "publish", pid, "--title", "注塑企业视觉质检改造", "--problem", "人工目检漏检多",
            "--solution", "上线视觉质检", "--quote", "漏检少了", "--hide-enterprise", k=ST.center)
    ok(o, "cases publish")
    cid = o.json["id"]
    eq(o.json["enterprise"]["hidden"], True)
    o = run("cases", "search", "视觉质检")
    ok(o, "cases search without a key (public)")
    eq(o.json, api("GET", "/v1/cases?q=%E8%A7%86%E8%A7%89%E8%B4%A8%E6%A3%80").json)
    eq([c["id"] for c in o.json["items"]], [cid])
    o = run("cases", "get", cid)
    ok(o)
    eq(o.json["title"], "注塑企业视觉质检改造")
    d = tempfile.mkdtemp(dir=lib.tmp_root())
    pdf = os.path.join(d, "案例集.pdf")
    o = run("cases", "export", cid, "--format", "pdf", "--title", "测试案例集", "--out", pdf, k=ST.center)
    ok(o, "cases export pdf")
    with open(pdf, "rb") as f:
        data = f.read()
    eq(data[:5], b"%PDF-", "a PDF")
    assert "wrote %d bytes" % len(data) in o.err, o
    html = os.path.join(d, "案例集.html")
    ok(run("cases", "export", cid, "--out", html, k=ST.center), "cases export html")
    with open(html, encoding="utf-8") as f:
        assert "注塑企业视觉质检改造" in f.read()
    o = run("cases", "export", cid, "--out", html, k=ST.ent)
    eq(o.rc, 1, "an enterprise exports nothing")
    o = run("cases", "export", "--out", html, k=ST.center)
    eq(o.rc, 2, "no case named: usage")
    ST.routes["project"] = pid


def test_tty_project_views_aligned():
    if not ST.routes.get("project"):
        raise Skip("needs the project of test_projects_and_cases")
    pid = ST.routes["project"]
    for name, env in LOCALES:
        o = run_tty("projects", "list", k=ST.center, env=env)
        ok(o, name)
        check_table(table_block(o.out, "ID"), ["ID", "STATUS", "TITLE", "ENTERPRISE", "PROVIDER", "DUE",
                                               "LEVELS", "AMOUNT"], "projects (%s)" % name)
        assert "已验收" in o.out, o
        o = run_tty("projects", "get", pid, k=ST.ent, env=env)
        ok(o, name)
        assert "status       已验收" in o.out, o
        check_table(table_block(o.out, "MILESTONE"), ["MILESTONE", "PLANNED", "ACTUAL", "OVERDUE"],
                    "milestones (%s)" % name)
        o = run_tty("projects", "tickets", pid, k=ST.ent, env=env)
        ok(o, name)
        check_table(table_block(o.out, "ID"), ["ID", "STATUS", "TITLE", "OPENED", "RESPONSE", "RESOLVED"],
                    "tickets (%s)" % name)
        o = run_tty("cases", "search", "质检", env=env)
        ok(o, name)
        assert "1 cases" in o.out, o
        check_table(table_block(o.out, "ID"), ["ID", "TITLE", "ENTERPRISE", "LEVELS", "COST", "DAYS"],
                    "cases (%s)" % name)


# ---------------------------------------------------------------- runner


def _alarm(signum, frame):
    raise TimeoutError("test took longer than %ds" % TEST_TIMEOUT)


def setup():
    if not os.path.exists(CLI):
        raise AssertionError("no %s (make build/shucu)" % CLI)
    ST.server = lib.use(Server(redis="none"))
    ST.url = "http://127.0.0.1:%d" % ST.server.port
    ST.prov = key(ST.server, "provider", "华中智造科技")
    ST.ent = key(ST.server, "enterprise", "武汉精密注塑有限公司")
    ST.center = key(ST.server, "center", "湖北省数促中心")
    ST.routes["campaigns"] = route_exists("GET", "/v1/campaigns", ST.center)
    ST.routes["stats"] = route_exists("GET", "/v1/stats", ST.center)


def main(argv):
    filters = argv[1:]
    tests = [(n, f) for n, f in globals().items() if n.startswith("test_") and callable(f)]
    if filters:
        tests = [(n, f) for n, f in tests if any(s in n for s in filters)]
    passed = failed = 0
    signal.signal(signal.SIGALRM, _alarm)
    try:
        setup()
    except Exception as e:  # noqa: BLE001 - report whatever broke start-up
        print("FAIL setup")
        print("    " + "\n    ".join(str(e).splitlines()))
        print("0 passed, 1 failed")
        return 1
    for name, fn in tests:
        signal.alarm(TEST_TIMEOUT)
        try:
            fn()
        except Skip as e:
            print("skip %s: %s" % (name, e))
        except Exception as e:  # noqa: BLE001
            failed += 1
            print("FAIL %s" % name)
            if isinstance(e, AssertionError):
                text = str(e) or "assertion failed"
                tb = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == __file__]
                if tb:
                    text = "run.py:%d: %s" % (tb[-1].lineno, text)
            else:
                text = "".join(traceback.format_exception(type(e), e, e.__traceback__)).rstrip()
            print("    " + "\n    ".join(text.splitlines()))
        else:
            passed += 1
            print("ok   %s" % name)
        finally:
            signal.alarm(0)
        sys.stdout.flush()
    try:
        ST.server.close()
    except AssertionError as e:
        failed += 1
        print("FAIL server shutdown")
        print("    " + "\n    ".join(str(e).splitlines()))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
