"""
test_ops.py - running the server: the taxonomy, /healthz with and without
Redis (Redis is a cache only: losing it degrades, never breaks), /metrics,
restart and crash durability, graceful stop, the access log, start-up
failures, and a worker-pool smoke test.
"""

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time

import lib
from lib import assert_status, eq, request, resource

S = R = None
P = None

INDUSTRIES = {
    "petrochem": "石化化工", "steel": "钢铁", "nonferrous": "有色",
    "building_materials": "建材", "machinery": "机械", "aviation": "航空",
    "shipbuilding": "船舶", "automotive": "汽车", "power_equipment": "电力装备",
    "light_industry": "轻工", "textile": "纺织", "food": "食品", "pharma": "医药",
    "electronics": "电子信息制造", "general": "通用",
}
SCENARIOS = {
    "product_design": ("lifecycle", "产品设计"), "process_design": ("lifecycle", "工艺设计"),
    "marketing": ("lifecycle", "营销管理"), "after_sales": ("lifecycle", "售后服务"),
    "planning": ("production", "计划排程"), "production_control": ("production", "生产管控"),
    "quality": ("production", "质量管理"), "equipment": ("production", "设备管理"),
    "safety": ("production", "安全生产"), "energy": ("production", "能耗管理"),
    "procurement": ("supply_chain", "采购管理"),
    "warehouse_logistics": ("supply_chain", "仓储物流"),
    "finance": ("management", "财务管理"), "hr": ("management", "人力资源"),
    "collaboration": ("management", "协同办公"),
    "decision_support": ("management", "决策支持"),
    "network": ("foundation", "网络建设"), "connectivity": ("foundation", "设备联网与数据采集"),
    "security": ("foundation", "网络与数据安全"), "cloud": ("foundation", "云与算力"),
}
KINDS = {"solution", "product", "dataset", "model", "process_package", "service",
         "infrastructure"}


def setup_module():
    global S, R, P
    R = lib.Redis()
    S = lib.use(lib.Server(redis=R))
    P = S.key("provider", "运维测试供应商")


def teardown_module():
    try:
        if S:
            S.stop()
    finally:
        if R:
            R.stop()


def wait_for(pred, seconds, what):
    deadline = time.time() + seconds
    last = None
    while time.time() < deadline:
        ok, last = pred()
        if ok:
            return last
        time.sleep(0.1)
    raise AssertionError("%s not within %ss; last: %r" % (what, seconds, last))


def health(server):
    r = server.request("GET", "/healthz")
    assert_status(r, 200)
    return r.json


# ------------------------------------------------------------ taxonomy


def _code(x):
    return x.get("code") if isinstance(x, dict) else x


def test_taxonomy():
    r = request("GET", "/v1/taxonomy")
    assert_status(r, 200)
    lib.check_schema(r.json, "taxonomy")
    t = r.json
    ind = {i["code"]: i for i in t["industries"]}
    eq(len(t["industries"]), 15, "industries")
    eq(set(ind), set(INDUSTRIES), "industry codes")
    for c, name in INDUSTRIES.items():
        eq(ind[c]["name"], name, "name of " + c)
        assert isinstance(ind[c].get("name_en"), str) and ind[c]["name_en"], ind[c]
    sc = {s["code"]: s for s in t["scenarios"]}
    eq(len(t["scenarios"]), 20, "scenarios")
    eq(set(sc), set(SCENARIOS), "scenario codes")
    for c, (group, name) in SCENARIOS.items():
        eq(sc[c]["group"], group, "group of " + c)
        eq(sc[c]["name"], name, "name of " + c)
        assert isinstance(sc[c].get("name_en"), str) and sc[c]["name_en"], sc[c]
    eq(len(t["levels"]), 4, "levels")
    eq(sorted(str(_code(x)) for x in t["levels"]), ["1", "2", "3", "4"], "level codes")
    for lv in t["levels"]:
        if isinstance(lv, dict):
            assert lv.get("name") and lv.get("name_en"), lv
    eq({_code(k) for k in t["kinds"]}, KINDS, "kinds")
    regions = {x.get("name", x.get("code")) if isinstance(x, dict) else x for x in t["regions"]}
    for reg in ("全国", "湖北省", "北京市", "广西壮族自治区", "新疆维吾尔自治区", "重庆市"):
        assert reg in regions, "region %s missing from taxonomy" % reg


# ------------------------------------------------------------ healthz


def test_healthz_with_redis():
    r = request("GET", "/healthz")
    assert_status(r, 200)
    assert "application/json" in (r.headers.get("Content-Type") or ""), r.headers
    j = r.json
    eq(j.get("status"), "ok", "status")
    assert "db" in j, j
    eq((j["cache"].get("backend"), j["cache"].get("connected")), ("redis", True), "cache")


def test_clean_stop_with_redis_logs_no_warning():
    """Stopping a server whose Redis is fine is not an incident: the log
    has no "redis connection lost" (or any warning) from the stop."""
    t = lib.Server(redis=R, workers=2)
    try:
        t.request("GET", "/v1/search?q=%E8%B4%A8%E6%A3%80")
    finally:
        t.stop()
    text = t.log_text()
    assert "redis connection lost" not in text, text[-2000:]
    warns = [l for l in text.splitlines() if " warn " in l]
    assert not warns, warns


class StracedServer(lib.Server):
    """shucud run by strace (a child, so no ptrace attach rights are needed),
    recording every close()."""

    def argv(self):
        return ["strace", "-f", "-qq", "-e", "trace=close", "-o", self.trace] + super().argv()

    def shucud_pid(self):
        with open("/proc/%d/task/%d/children" % (self.proc.pid, self.proc.pid)) as f:
            return int(f.read().split()[0])

    def stop(self, timeout=20.0):
        """SIGTERM to shucud itself: strace -o blocks fatal signals."""
        self.expect_running = False
        os.kill(self.shucud_pid(), signal.SIGTERM)
        rc = self.proc.wait(timeout)
        eq(rc, 0, "shucud's exit code after SIGTERM (through strace)")


def test_stop_closes_the_shared_listening_socket_once():
    """The workers share one listening socket.  A stop used to close it once
    per worker, while the other workers still drained (EBADF for all but
    the first; under load the number could already belong to a new Redis
    connection or file, closed under its owner).  strace records every
    close(); none may fail."""
    # LeakSanitizer cannot run under ptrace; the other suites check leaks
    t = StracedServer(redis="none", workers=3, start=False,
                      env={"ASAN_OPTIONS": "detect_leaks=0:abort_on_error=0"})
    t.trace = os.path.join(t.dir, "close.strace")
    t.start()
    try:
        assert_status(t.request("GET", "/healthz"), 200)
    finally:
        t.stop()
    with open(t.trace) as f:
        text = f.read()
    assert "close(" in text, "strace recorded no close(): %s" % text[:500]
    bad = [l for l in text.splitlines() if "EBADF" in l]
    assert not bad, "a stop closed a descriptor that was already closed: %s" % bad[:5]


def test_healthz_without_cache():
    t = lib.Server(redis="none")
    try:
        j = health(t)
        eq(j["cache"]["backend"], "none", "backend")
        eq(j["status"], "ok", "status without a configured cache")
        k = t.key("provider", "无缓存供应商")
        c = t.request("POST", "/v1/resources", resource(), key=k)
        assert_status(c, 201)
        g = t.request("GET", "/v1/resources/" + c.json["id"])
        eq(g.json, c.json, "GET without cache")
    finally:
        t.stop()


def test_redis_loss_degrades_not_breaks():
    red = lib.Redis()
    t = lib.Server(redis=red)
    try:
        k = t.key("provider", "缓存测试供应商")
        c = t.request("POST", "/v1/resources", resource(), key=k).json
        path = "/v1/resources/" + c["id"]
        eq(t.request("GET", path).json, c, "warm")
        eq(t.request("GET", path).json, c, "cached")
        red.kill()

        def degraded():
            j = health(t)
            return j["status"] == "degraded" and j["cache"]["connected"] is False, j
        j = wait_for(degraded, 5, "/healthz degraded after Redis died")
        eq(j["cache"]["backend"], "redis")

        g = t.request("GET", path)
        assert_status(g, 200)
        eq(g.json, c, "GET with Redis down")
        assert_status(t.request("GET", "/v1/resources?limit=5"), 200)
        assert_status(t.request("GET", "/v1/taxonomy"), 200)
        p = t.request("PATCH", path, {"title": "Redis宕机时修改"}, key=k)
        assert_status(p, 200)
        n = t.request("POST", "/v1/resources", resource(), key=k)
        assert_status(n, 201)

        red.start()

        def back():
            j = health(t)
            return j["cache"]["connected"] is True and j["status"] == "ok", j
        wait_for(back, 10, "/healthz connected again after Redis restart")
        g = t.request("GET", path)
        eq((g.json["title"], g.json["version"]), ("Redis宕机时修改", 2), "GET after Redis back")
        g = t.request("GET", path)
        eq(g.json["version"], 2, "second GET after Redis back")
    finally:
        t.stop()
        red.stop()


def test_redis_absent_at_start():
    port = lib.free_port()
    t = lib.Server(redis="redis://127.0.0.1:%d" % port)
    red = None
    try:
        j = health(t)
        eq(j["status"], "degraded", "status")
        eq((j["cache"].get("backend"), j["cache"].get("connected")), ("redis", False), "cache")
        k = t.key("provider", "无Redis启动")
        c = t.request("POST", "/v1/resources", resource(), key=k)
        assert_status(c, 201)
        assert_status(t.request("GET", "/v1/resources/" + c.json["id"]), 200)
        red = lib.Redis(port=port)
        wait_for(lambda: (health(t)["cache"]["connected"] is True, health(t)), 10,
                 "connected once Redis appears")
    finally:
        t.stop()
        if red:
            red.stop()


# ------------------------------------------------------------ metrics


LABELS = r'\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\}'
METRIC_LINE = re.compile(
    r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(" + LABELS + r")? (-?[0-9.eE+-]+|NaN|[+-]Inf)( -?\d+)?$")


def metrics():
    r = request("GET", "/metrics")
    assert_status(r, 200)
    ct = r.headers.get("Content-Type") or ""
    assert ct.startswith("text/plain"), "Content-Type %r" % ct
    return r.text


def sum_metric(text, name, **labels):
    """Sum of every sample of `name` whose labels include all of `labels`."""
    total = 0.0
    for line in text.splitlines():
        m = METRIC_LINE.match(line)
        if not m or m.group(1) != name:
            continue
        lab = m.group(2) or ""
        if all('%s="%s"' % kv in lab for kv in labels.items()):
            total += float(m.group(3))
    return total


def test_metrics_format():
    request("GET", "/v1/taxonomy")
    request("GET", "/v1/nope")
    text = metrics()
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        assert METRIC_LINE.match(line), "not Prometheus text format: %r" % line
    assert "shucu_http_requests_total{" in text, "no shucu_http_requests_total"
    assert "shucu_http_request_duration_seconds_bucket" in text
    assert re.search(r"^shucu_db_size_bytes(\{[^}]*\})? \d", text, re.M), "no shucu_db_size_bytes"
    lines = [l for l in text.splitlines() if l.startswith("shucu_http_requests_total{")]
    assert any("route=" in l and "status=" in l for l in lines), lines[:5]
    assert any('status="404"' in l for l in lines), "no status=\"404\" series: %r" % lines[:10]
    assert re.search(r'^# TYPE shucu_http_requests_total counter', text, re.M), "no TYPE line"
    assert re.search(r'^# TYPE shucu_http_request_duration_seconds histogram', text, re.M)
    assert 'le="+Inf"' in text, "histogram without +Inf bucket"


def test_metrics_series_unique_per_method():
    """GET and POST on the same path are separate series, told apart by a
    method label; no two lines share a metric name and label set (Prometheus
    rejects a scrape with duplicates)."""
    request("GET", "/v1/resources/res_metrics_dup")
    request("POST", "/v1/match", {"title": "质检"})
    text = metrics()
    seen = {}
    for line in text.splitlines():
        m = METRIC_LINE.match(line)
        if not m:
            continue
        ident = (m.group(1), m.group(2) or "")
        assert ident not in seen, "duplicate series: %r" % line
        seen[ident] = True
    lines = [l for l in text.splitlines() if l.startswith("shucu_http_requests_total{")]
    assert any('method="GET"' in l and 'route="/v1/resources/{}"' in l for l in lines), lines
    assert any('method="POST"' in l and 'route="/v1/match"' in l for l in lines), lines


def test_metrics_count_requests():
    before = sum_metric(metrics(), "shucu_http_requests_total", status="404")
    for _ in range(3):
        request("GET", "/v1/resources/res_metrics_probe")
    after = sum_metric(metrics(), "shucu_http_requests_total", status="404")
    assert after - before >= 3, "404 counter went %s -> %s" % (before, after)
    b200 = sum_metric(metrics(), "shucu_http_requests_total", status="200")
    request("GET", "/v1/taxonomy")
    assert sum_metric(metrics(), "shucu_http_requests_total", status="200") > b200


def test_metrics_status_labels_are_real_statuses():
    """Every answer the router sends is counted under its own status; no
    catch-all label such as status="other0" ever appears, whatever the
    status (rate limits, sizes, media types included)."""
    t = lib.Server(redis="none", extra_args=["--rate-per-key", "1", "--rate-burst", "15"])
    try:
        k = t.key("provider", "指标供应商")
        flood = t.key("provider", "指标限流供应商")
        ek = t.key("enterprise", "指标企业")
        made = {}

        def send(want, *a, **kw):
            r = t.request(*a, **kw)
            assert_status(r, want)
            made[want] = made.get(want, 0) + 1
            return r

        send(200, "GET", "/v1/taxonomy")
        send(200, "HEAD", "/healthz")
        rid = send(201, "POST", "/v1/resources", resource(), key=k).json["id"]
        send(400, "POST", "/v1/resources", raw=b"{", key=k)
        send(401, "POST", "/v1/resources", resource())
        send(403, "POST", "/v1/resources", resource(), key=ek)
        send(404, "GET", "/v1/resources/res_nope")
        send(405, "DELETE", "/v1/taxonomy")
        send(409, "PATCH", "/v1/resources/" + rid, {"deploy_days": 1}, key=k,
             headers={"If-Match": '"7"'})
        send(413, "POST", "/v1/resources", resource(description="x" * (1 << 20)), key=k)
        send(415, "POST", "/v1/resources", resource(), key=k, ctype="text/plain")
        send(422, "POST", "/v1/resources", resource(kind="widget"), key=k)
        got429 = False
        for _ in range(40):
            r = t.request("GET", "/v1/me", key=flood)
            made[r.status] = made.get(r.status, 0) + 1
            if r.status == 429:
                got429 = True
                break
        assert got429, "no 429 from 40 quick requests at 1/s with a burst of 15"
        r = t.request("GET", "/metrics")
        assert_status(r, 200)
        text = r.text
        lines = [l for l in text.splitlines() if l.startswith("shucu_http_requests_total{")]
        for line in lines:
            m = re.search(r'status="([^"]*)"', line)
            assert m and re.match(r"^[1-5][0-9][0-9]$", m.group(1)), \
                "status label that is no HTTP status: %r" % line
        for status, n in sorted(made.items()):
            got = sum_metric(text, "shucu_http_requests_total", status=str(status))
            assert got >= n, "%d answers with status %d sent, metrics count %s:\n%s" % (
                n, status, got, "\n".join(lines))
    finally:
        t.stop()


# ------------------------------------------------------------ maintenance


REINDEX_SEARCHES = [
    "q=%E8%B4%A8%E6%A3%80",                        # 质检
    "q=MES", "q=%EF%BC%AD%EF%BC%A5%EF%BC%B3",        # ＭＥＳ full width
    "q=%E6%8E%92%E4%BA%A7&industry=textile",       # 排产
    "q=%E6%9C%BA%E5%99%A8%E8%A7%86%E8%A7%89",      # 机器视觉
    "q=%E8%83%BD%E8%80%97%20%E7%9B%91%E6%B5%8B",   # 能耗 监测
    "q=%E9%87%8D%E5%BB%BA%E6%8E%A2%E9%92%88",      # 重建探针 (the provider's name)
    "industry=general&sort=newest&limit=50", "sort=price_asc&limit=50",
]
REINDEX_CORPUS = [
    ("面向机械行业的AI视觉质检解决方案", "表面缺陷检测，机器视觉", ["machinery"], ["quality"]),
    ("机械加工车间MES制造执行系统", "工单派工、报工与质量检验", ["machinery"], ["production_control"]),
    ("服装厂智能排产与计件工资", "按款式工序自动排产", ["textile"], ["planning", "hr"]),
    ("注塑车间能耗在线监测", "按机台采集电、水、气用量", ["light_industry"], ["energy"]),
    ("云ＭＥＳ轻量版", "小微企业MES，按月订阅", ["general"], ["production_control"]),
    ("印染布面瑕疵检测", "线阵相机识别破洞色差，质检追溯", ["textile"], ["quality"]),
    ("设备点检APP", "扫码点检、故障报修", ["general"], ["equipment"]),
    ("能耗管理与碳排放监测平台", "能耗监测、峰谷用电分析", ["general"], ["energy"]),
]


def _search_snapshot(t):
    out = {}
    for qs in REINDEX_SEARCHES:
        r = t.request("GET", "/v1/search?" + qs)
        assert_status(r, 200)
        j = dict(r.json)
        j.pop("took_ms", None)
        j.pop("cached", None)
        out[qs] = j
    r = t.request("POST", "/v1/match?explain=1&limit=20",
                  {"title": "质检和能耗监测", "industry": "machinery",
                   "scenarios": ["quality", "energy"]}, key=t.key("enterprise", "重建企业"))
    assert_status(r, 200)
    m = dict(r.json)
    m.pop("took_ms", None)
    m.pop("cached", None)
    out["match"] = m
    return out


def check_passes(db):
    """`shucud check --db` exits 0, every line before the verdict ends in
    ": ok" (whatever indexes this build has), and the verdict is the last
    line.  Returns the stdout lines."""
    p = lib.run_cli("check", "--db", db, check=False)
    lines = p.stdout.strip().splitlines()
    assert p.returncode == 0, "check exit %s:\n%s\n%s" % (p.returncode, p.stdout, p.stderr)
    assert lines and lines[-1] == "%s: all checks passed" % db, \
        "last line of check is not the verdict: %r" % p.stdout
    for line in lines[:-1]:
        assert line.endswith(": ok"), "check line is not ok: %r\n%s" % (line, p.stdout)
    agree = [l for l in lines if " agrees with its rows: " in l]
    names = [l.split(" ", 1)[0] for l in agree]
    assert "resources_fts" in names, "no line for resources_fts: %r" % p.stdout
    eq(len(set(names)), len(names), "an index checked twice")
    return lines


def test_reindex_keeps_search_results_and_check_passes():
    t = lib.Server(redis="none")
    try:
        k = t.key("provider", "重建探针供应商")
        ids = []
        for i, (title, summary, ind, sc) in enumerate(REINDEX_CORPUS):
            r = t.request("POST", "/v1/resources",
                          resource(title=title, summary=summary, industries=ind, scenarios=sc,
                                   price={"min": 1000 * (i + 1), "max": 5000 * (i + 1),
                                          "unit": "套"}), key=k)
            assert_status(r, 201)
            ids.append(r.json["id"])
        # updates and a withdrawal leave old entries for the index to drop
        assert_status(t.request("PATCH", "/v1/resources/" + ids[1],
                                {"title": "机械加工车间MES与质检一体化"}, key=k), 200)
        assert_status(t.request("PUT", "/v1/resources/" + ids[3],
                                resource(title="注塑机能耗监测与节电", industries=["light_industry"],
                                         scenarios=["energy"]), key=k), 200)
        assert_status(t.request("DELETE", "/v1/resources/" + ids[6], key=k), 200)
        before = _search_snapshot(t)
        assert before["q=MES"]["total"] >= 2, before["q=MES"]
        assert before["q=%E8%B4%A8%E6%A3%80"]["total"] >= 2, "质检 finds too little to compare"
        t.stop()
        lines = check_passes(t.db)
        p = lib.run_cli("reindex", "--db", t.db, check=False)
        assert p.returncode == 0, "reindex exit %s: %s" % (p.returncode, p.stderr)
        after_lines = check_passes(t.db)
        eq(after_lines, lines, "check output before and after reindex")
        t.start()
        after = _search_snapshot(t)
        for q in before:
            eq(after[q], before[q], "results of %s after reindex" % q)
    finally:
        t.close()


# ------------------------------------------------------------ durability


def test_restart_keeps_data():
    t = lib.Server()
    k = t.key("provider", "重启测试供应商")
    ids = [t.request("POST", "/v1/resources", resource(title="重启%d" % i), key=k).json["id"]
           for i in range(4)]
    t.request("PATCH", "/v1/resources/" + ids[0], {"deploy_days": 1}, key=k)
    t.request("PATCH", "/v1/resources/" + ids[0], {"deploy_days": 2}, key=k)
    t.request("DELETE", "/v1/resources/" + ids[1], key=k)
    before = {i: t.request("GET", "/v1/resources/" + i).json for i in ids}
    org = before[ids[0]]["provider"]["id"]
    listed = t.request("GET", "/v1/resources?provider=" + org).json
    t.stop()
    t2 = lib.Server(db=t.db)
    try:
        for i in ids:
            g = t2.request("GET", "/v1/resources/" + i)
            assert_status(g, 200)
            eq(g.json, before[i], "after restart " + i)
            eq(g.headers.get("ETag"), '"%d"' % before[i]["version"], "ETag")
        eq(before[ids[0]]["version"], 3)
        eq(t2.request("GET", "/v1/resources?provider=" + org).json, listed, "list")
        r = t2.request("PATCH", "/v1/resources/" + ids[0], {"deploy_days": 3}, key=k)
        assert_status(r, 200)
        eq(r.json["version"], 4, "key and versions survive restart")
    finally:
        t2.stop()
        t.own_redis.stop()


def test_sigkill_loses_nothing_acknowledged():
    t = lib.Server()
    k = t.key("provider", "崩溃测试供应商")
    made = {}
    for i in range(20):
        r = t.request("POST", "/v1/resources", resource(title="崩溃%d" % i), key=k)
        assert_status(r, 201)
        made[r.json["id"]] = 1
    last = list(made)[-1]
    r = t.request("PATCH", "/v1/resources/" + last, {"deploy_days": 9}, key=k)
    made[last] = r.json["version"]
    t.kill()
    t2 = lib.Server(db=t.db)
    try:
        for rid, v in made.items():
            g = t2.request("GET", "/v1/resources/" + rid)
            assert_status(g, 200)
            eq(g.json["version"], v, "version of %s after SIGKILL" % rid)
        eq(t2.request("GET", "/v1/resources/" + last).json["deploy_days"], 9)
    finally:
        t2.stop()
        t.own_redis.stop()


def test_graceful_stop_finishes_inflight_request():
    t = lib.Server()
    k = t.key("provider", "优雅退出供应商")
    body = json.dumps(resource(title="退出时的请求"), ensure_ascii=False).encode()
    head = ("POST /v1/resources HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Authorization: Bearer %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
            % (k, len(body))).encode()
    sock = socket.create_connection(("127.0.0.1", t.port), timeout=15)
    try:
        sock.sendall(head + body[:20])
        time.sleep(0.3)
        t.proc.send_signal(signal.SIGTERM)
        t.expect_running = False
        # The rest of the body comes well after the signal (a slow upload):
        # the request began before it, so it is still served.
        time.sleep(1.5)
        try:
            sock.sendall(body[20:])
        except OSError:
            pass
        data = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
    finally:
        sock.close()
    status, _, rbody = lib.parse_raw_response(data)
    try:
        rc = t.proc.wait(20)
    except subprocess.TimeoutExpired:
        t.kill()
        raise AssertionError("server did not exit after SIGTERM\n" + lib.tail(t.log))
    # The request started before the signal: it completes and is kept.
    eq(status, 201, "in-flight POST (headers and part of the body sent before SIGTERM, "
       "the rest 1.5 s after): %r; server exit %s" % (data[:400], rc))
    eq(rc, 0, "exit code after SIGTERM")
    rid = json.loads(rbody)["id"]
    t2 = lib.Server(db=t.db)
    try:
        assert_status(t2.request("GET", "/v1/resources/" + rid), 200)
    finally:
        t2.stop()
        t.own_redis.stop()


def test_graceful_stop_refuses_what_begins_after_the_signal():
    t = lib.Server(workers=1)
    idle = socket.create_connection(("127.0.0.1", t.port), timeout=15)
    busy = socket.create_connection(("127.0.0.1", t.port), timeout=15)
    try:
        busy.sendall(b"POST /v1/match HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{")
        time.sleep(0.3)
        t0 = time.time()
        t.proc.send_signal(signal.SIGTERM)
        t.expect_running = False
        # An idle keep-alive connection is closed at once, not kept open
        # until the drain ends.
        try:
            got = idle.recv(100)
        except OSError:
            got = b""
        eq(got, b"", "idle connection closed without an answer")
        assert time.time() - t0 < 3, "idle connection closed after %.1f s" % (time.time() - t0)
        # New connections are no longer accepted.
        refused = False
        try:
            c = socket.create_connection(("127.0.0.1", t.port), timeout=2)
            c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            refused = c.recv(100) == b""
            c.close()
        except OSError:
            refused = True
        assert refused, "a new connection was served after SIGTERM"
    finally:
        idle.close()
        busy.close()  # the half-sent request never completes: the drain ends
    rc = t.proc.wait(20)
    eq(rc, 0, "exit code after SIGTERM")
    t.own_redis.stop()


# ------------------------------------------------------------ access log


def test_access_log_one_line_per_request_no_keys():
    probe = "res_logprobe_" + lib.uniq()
    for i in range(3):
        request("GET", "/v1/resources/%s_%d" % (probe, i), key=P)
    c = request("POST", "/v1/resources", resource(), key=P)
    assert_status(c, 201)
    request("PATCH", "/v1/resources/" + c.json["id"], {"deploy_days": 1}, key=P)
    request("GET", "/v1/taxonomy", headers={"Authorization": "Token " + P})
    request("GET", "/v1/taxonomy", headers={"Authorization": P})

    def logged():
        text = S.log_text()
        return all(("%s_%d" % (probe, i)) in text for i in range(3)), text
    text = wait_for(logged, 3, "access log lines")
    for i in range(3):
        lines = [l for l in text.splitlines() if ("/v1/resources/%s_%d" % (probe, i)) in l]
        eq(len(lines), 1, "log lines for probe %d" % i)
        assert "GET" in lines[0] and "404" in lines[0], lines[0]
    posts = [l for l in text.splitlines() if "POST" in l and "/v1/resources" in l and "201" in l]
    assert posts, "no access log line for the 201 POST"
    assert P not in text, "full key in the server log"
    assert P[12:] not in text, "the secret part of the key is in the server log"


# ------------------------------------------------------------ start-up


def test_port_in_use_exits_nonzero():
    t = lib.Server(port=S.port, redis=R, start=False)
    p = subprocess.run(t.argv(), cwd=lib.REPO, env=lib.child_env(), capture_output=True,
                       timeout=20)
    assert p.returncode > 0, "second server on a used port: exit %s\n%s" % (
        p.returncode, p.stderr[-1000:])
    assert p.stderr.strip() or p.stdout.strip(), "no message for a used port"
    assert_status(request("GET", "/healthz"), 200)


def test_bad_db_path_exits_nonzero():
    t = lib.Server(db="/proc/shucu-nonexistent/x.db", redis=R, start=False)
    p = subprocess.run(t.argv(), cwd=lib.REPO, env=lib.child_env(), capture_output=True,
                       timeout=20)
    assert p.returncode > 0, "unusable --db: exit %s\n%s" % (p.returncode, p.stderr[-1000:])
    out = (p.stderr + p.stdout).decode("utf-8", "replace")
    assert "/proc/shucu-nonexistent" in out, "message does not name the database: %s" % out


# ------------------------------------------------------------ workers


def test_parallel_clients():
    t = lib.Server(workers=4)
    try:
        k = t.key("provider", "并发供应商")
        rid = t.request("POST", "/v1/resources", resource(), key=k).json["id"]
        errors = []

        def worker(n):
            for i in range(15):
                try:
                    m = (n + i) % 4
                    if m == 0:
                        r = t.request("GET", "/v1/resources/" + rid)
                        want = 200
                    elif m == 1:
                        r = t.request("GET", "/v1/resources?limit=5")
                        want = 200
                    elif m == 2:
                        r = t.request("POST", "/v1/resources", resource(), key=k)
                        want = 201
                    else:
                        r = t.request("GET", "/v1/nope")
                        want = 404
                    if r.status != want:
                        errors.append(repr(r))
                except AssertionError as e:
                    errors.append(str(e))

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(16)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert not errors, "%d errors, first: %s" % (len(errors), errors[0])
    finally:
        t.close()
