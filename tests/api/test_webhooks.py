"""
test_webhooks.py - webhooks of an organisation (issue 21) against a real
HTTP receiver on this machine: each notification POSTed with a valid
HMAC-SHA256 signature; a receiver that fails first is retried with
backoff until it succeeds, and every attempt is in the delivery log; the
kinds filter; WeChat Work / DingTalk bodies; a test delivery; removal; a
slow receiver does not hold a worker; loopback refused unless allowed;
the secret is shown once and never again.
"""

import hashlib
import hmac
import http.server
import json
import threading
import time

import lib
from lib import assert_error, assert_status, eq, request
from people import org_id

S = None
ADM = PROV = ENT = ENT2 = None
RES = None
RECV = None


class Receiver:
    """A local HTTP server that records every POST; the path decides what it
    answers: /fail<N>/... fails the first N times with 500, /slow<N>/...
    sleeps N seconds first."""

    def __init__(self):
        self.got = []
        self.counts = {}
        self.lock = threading.Lock()
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                with outer.lock:
                    outer.counts[self.path] = outer.counts.get(self.path, 0) + 1
                    seen = outer.counts[self.path]
                    outer.got.append((self.path, dict(self.headers.items()), body, time.time()))
                status = 200
                first = self.path.split("/")[1]
                if first.startswith("fail") and seen <= int(first[4:]):
                    status = 500
                if first.startswith("slow"):
                    time.sleep(float(first[4:]))
                out = b'{"errcode":0}' if status == 200 else b"receiver down for maintenance"
                self.send_response(status)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def on(self, path):
        with self.lock:
            return [g for g in self.got if g[0] == path]

    def wait(self, path, n=1, timeout=15):
        t0 = time.time()
        while time.time() - t0 < timeout:
            got = self.on(path)
            if len(got) >= n:
                return got
            time.sleep(0.05)
        raise AssertionError("%s: %d of %d deliveries in %ds" % (path, len(self.on(path)), n,
                                                                  timeout))

    def close(self):
        self.httpd.shutdown()


def setup_module():
    global S, ADM, PROV, ENT, ENT2, RES, RECV
    RECV = Receiver()
    S = lib.use(lib.Server(redis="none", workers=1,
                           extra_args=["--webhook-private", "1", "--webhook-backoff-ms", "200"]))
    ADM = S.key("admin", "钩子运营方")
    PROV = S.key("provider", "钩子服务商")
    ENT = S.key("enterprise", "钩子企业")
    ENT2 = S.key("enterprise", "钩子企业乙")
    r = request("POST", "/v1/resources", lib.resource(title="钩子测试方案"), key=PROV)
    assert_status(r, 201)
    RES = r.json["id"]


def teardown_module():
    try:
        if S:
            S.stop()
    finally:
        if RECV:
            RECV.close()


def hook(key, path, **more):
    body = {"url": RECV.url(path)}
    body.update(more)
    r = request("POST", "/v1/orgs/%s/webhooks" % org_id(key), body, key=key)
    assert_status(r, 201)
    assert r.json["secret"].startswith("whsec_"), r.json
    return r.json


def respond(ent_key, title):
    r = request("POST", "/v1/needs", {"title": title, "industry": "machinery",
                                       "scenarios": ["quality"]}, key=ent_key)
    assert_status(r, 201)
    nid = r.json["id"]
    r = request("POST", "/v1/needs/%s/responses" % nid, {"resource_id": RES}, key=PROV)
    assert_status(r, 201)
    return nid, r.json["id"]


def verify(secret, headers, body):
    h = {k.lower(): v for k, v in headers.items()}
    ts = h["x-shucu-timestamp"]
    want = "sha256=" + hmac.new(secret.encode(), ts.encode() + b"." + body,
                                hashlib.sha256).hexdigest()
    assert hmac.compare_digest(h["x-shucu-signature"], want), \
        "signature %s, want %s" % (h["x-shucu-signature"], want)
    assert abs(int(ts) - time.time()) < 60, ts
    return h


def deliveries(key, wid):
    r = request("GET", "/v1/orgs/%s/webhooks/%s/deliveries" % (org_id(key), wid), key=key)
    assert_status(r, 200)
    return r.json["items"]


def test_each_notification_posted_and_signed():
    w = hook(ENT, "/ok/ent")
    nid, _ = respond(ENT, "钩子测试：签名验证的需求")
    (path, headers, body, _), = RECV.wait("/ok/ent")
    h = verify(w["secret"], headers, body)
    eq(h["x-shucu-event"], "response_received")
    assert h["content-type"].startswith("application/json"), h
    doc = json.loads(body)
    eq((doc["kind"], doc["payload"]["need"]["id"], doc["org_id"]),
       ("response_received", nid, org_id(ENT)))
    assert "钩子测试：签名验证的需求" in doc["title"], doc
    # a forged or altered body does not verify
    try:
        verify(w["secret"], headers, body + b" ")
        raise RuntimeError("an altered body verified")
    except AssertionError:
        pass
    # listed without the secret, with its counts
    r = request("GET", "/v1/orgs/%s/webhooks" % org_id(ENT), key=ENT)
    assert_status(r, 200)
    eq([x["id"] for x in r.json["items"]], [w["id"]])
    assert w["secret"] not in r.text and "secret" not in r.json["items"][0], r
    t0 = time.time()
    while time.time() - t0 < 5 and deliveries(ENT, w["id"])[0]["status"] != "delivered":
        time.sleep(0.05)
    d = deliveries(ENT, w["id"])[0]
    eq((d["status"], d["attempts"], [a["http_status"] for a in d["attempts_log"]]),
       ("delivered", 1, [200]))
    assert w["secret"] not in S.log_text(), "the secret is in the log"


def test_a_failing_receiver_is_retried_with_backoff_until_it_succeeds():
    w = hook(PROV, "/fail2/prov")
    nid, rid = respond(ENT2, "钩子测试：重试的需求")
    assert_status(request("POST", "/v1/needs/%s/responses/%s/accept" % (nid, rid), key=ENT2), 200)
    got = RECV.wait("/fail2/prov", 3)
    gaps = [got[i + 1][3] - got[i][3] for i in range(2)]
    assert gaps[0] >= 0.15 and gaps[1] >= gaps[0] * 1.5, "backoff grows: %r" % gaps
    bodies = [json.loads(g[2]) for g in got]
    eq(len({b["id"] for b in bodies}), 1, "the same notification each time")
    for g in got:
        verify(w["secret"], g[1], g[2])
    t0 = time.time()
    while time.time() - t0 < 5 and deliveries(PROV, w["id"])[0]["status"] != "delivered":
        time.sleep(0.05)
    d = deliveries(PROV, w["id"])[0]
    eq((d["status"], d["attempts"]), ("delivered", 3))
    eq([a["http_status"] for a in d["attempts_log"]], [500, 500, 200])
    assert "maintenance" in d["attempts_log"][0]["error"], d["attempts_log"][0]
    eq(d["notification"]["kind"], "response_accepted")
    time.sleep(0.8)
    eq(len(RECV.on("/fail2/prov")), 3, "nothing more once delivered")


def test_kinds_filter_and_chat_bot_bodies():
    k = S.key("enterprise", "钩子筛选企业")
    only = hook(k, "/ok/only-accepted", kinds=["response_accepted"])
    bot = hook(k, "/ok/wecom", format="wecom")
    nid, rid = respond(k, "钩子测试：筛选的需求")
    (_, h, body, _), = RECV.wait("/ok/wecom")
    doc = json.loads(body)
    eq(doc["msgtype"], "text")
    assert doc["text"]["content"].startswith("【数促】") and "筛选的需求" in doc["text"]["content"], doc
    verify(bot["secret"], h, body)
    time.sleep(0.8)
    eq(RECV.on("/ok/only-accepted"), [], "a webhook for other kinds gets nothing")
    for bad, field in (({"url": "ftp://x.example.cn/"}, "url"),
                       ({"url": RECV.url("/x"), "format": "telegram"}, "format"),
                       ({"url": RECV.url("/x"), "kinds": ["nope"]}, "kinds[0]"),
                       ({}, "url")):
        assert_error(request("POST", "/v1/orgs/%s/webhooks" % org_id(k), bad, key=k),
                     422, "invalid_field", field)
    assert only


def test_test_delivery_and_removal():
    k = S.key("provider", "钩子测试投递服务商")
    w = hook(k, "/ok/ping")
    r = request("POST", "/v1/orgs/%s/webhooks/%s/test" % (org_id(k), w["id"]), key=k)
    assert_status(r, 202)
    (_, h, body, _), = RECV.wait("/ok/ping")
    verify(w["secret"], h, body)
    eq(json.loads(body)["kind"], "ping")
    eq(request("GET", "/v1/inbox", key=k).json["items"], [], "a test is no news for the inbox")
    assert_status(request("DELETE", "/v1/orgs/%s/webhooks/%s" % (org_id(k), w["id"]), key=k), 204)
    eq(request("GET", "/v1/orgs/%s/webhooks" % org_id(k), key=k).json["items"], [])
    assert_error(request("POST", "/v1/orgs/%s/webhooks/%s/test" % (org_id(k), w["id"]), key=k),
                 404, "not_found")
    # others may not see or change them
    assert_error(request("GET", "/v1/orgs/%s/webhooks" % org_id(k), key=ENT), 403, "forbidden")
    assert_error(request("POST", "/v1/orgs/%s/webhooks" % org_id(k), {"url": RECV.url("/x")},
                         key=ENT), 403, "forbidden")
    assert_status(request("GET", "/v1/orgs/%s/webhooks" % org_id(k), key=ADM), 200)


def test_a_slow_receiver_does_not_hold_the_worker():
    """One worker; the receiver takes 3 s; requests are still answered at
    once while the delivery waits."""
    k = S.key("enterprise", "钩子慢接收企业")
    hook(k, "/slow3/ent")
    respond(k, "钩子测试：慢接收的需求")
    t_end = time.time() + 2.5
    worst = 0
    while time.time() < t_end:
        t0 = time.time()
        assert_status(request("GET", "/healthz"), 200)
        worst = max(worst, time.time() - t0)
        time.sleep(0.1)
    assert worst < 0.5, "a request waited %.2f s behind a webhook" % worst
    RECV.wait("/slow3/ent")


def test_loopback_refused_unless_allowed():
    srv = lib.Server(redis="none", workers=1, extra_args=["--webhook-backoff-ms", "100"])
    try:
        p = srv.key("provider", "钩子内网服务商")
        e = srv.key("enterprise", "钩子内网企业")
        oid = org_id(e, srv)
        r = srv.request("POST", "/v1/orgs/%s/webhooks" % oid, {"url": RECV.url("/ok/inside")}, key=e)
        assert_status(r, 201)
        wid = r.json["id"]
        rid = srv.request("POST", "/v1/resources", lib.resource(), key=p).json["id"]
        nid = srv.request("POST", "/v1/needs", {"title": "内网需求", "industry": "machinery",
                                                "scenarios": ["quality"]}, key=e).json["id"]
        srv.request("POST", "/v1/needs/%s/responses" % nid, {"resource_id": rid}, key=p)
        t0 = time.time()
        log = []
        while time.time() - t0 < 10:
            items = srv.request("GET", "/v1/orgs/%s/webhooks/%s/deliveries" % (oid, wid),
                                key=e).json["items"]
            log = items[0]["attempts_log"] if items else []
            if log:
                break
            time.sleep(0.1)
        assert log and log[0]["http_status"] is None, log
        assert "private" in log[0]["error"], log
        eq(RECV.on("/ok/inside"), [], "nothing reached the loopback receiver")
    finally:
        srv.close()
