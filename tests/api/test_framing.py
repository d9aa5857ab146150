"""
test_framing.py - the HTTP layer at the socket: how a body is framed, what
a head may hold, and how much a client can make the server buffer.

Each case is one an outside test found in the landed server (issue 23):
  - a body the route does not take, or one beyond the route's own limit,
    was buffered up to the 64 MiB bulk limit before routing and
    authentication (16 held-back anonymous POSTs took 1 GB of RSS);
  - a HEAD or TRACE with a Content-Length body, or a POST with
    "Transfer-Encoding: identity", had its body run as the next request
    (request smuggling, CL.0): a GET /v1/me with another key was answered;
  - a NUL inside Authorization was accepted, a second Authorization was
    ignored, and HTTP/1.1 without Host was served.
"""

import json
import os
import socket
import time

import lib
from lib import assert_status, eq, request

S = None
PROV = ENT = None


def setup_module():
    global S, PROV, ENT
    S = lib.use(lib.Server(redis="none", workers=1))
    PROV = S.key("provider", "分帧测试服务商")
    ENT = S.key("enterprise", "分帧测试企业")


def teardown_module():
    if S:
        S.stop()


def exchange(data, timeout=5.0):
    """Sends data, reads until the server closes (or timeout); returns
    (bytes read, closed)."""
    return lib.exchange_until_close(data, S, timeout)


def responses(data):
    """The status codes of every response in data, in order."""
    out = []
    while data:
        status, hdrs, body = lib.parse_raw_response(data)
        if status is None:
            break
        out.append(status)
        head_len = data.index(b"\r\n\r\n") + 4
        data = data[head_len + int(hdrs.get("content-length", "0")):]
    return out


def error_of(data):
    status, hdrs, body = lib.parse_raw_response(data)
    try:
        return status, json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return status, None


# ------------------------------------------------------------ smuggling


def test_head_and_trace_bodies_are_not_a_second_request():
    smuggled = ("GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n" % ENT).encode()
    for method in ("HEAD", "TRACE", "GET", "DELETE"):
        head = ("%s /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n"
                % (method, len(smuggled))).encode()
        out, closed = exchange(head + smuggled)
        got = responses(out)
        assert got and got[0] == 400, "%s with a body: want 400 first, got %r" % (method, got)
        eq(len(got), 1, "%s with a body: the body must not be answered as a request" % method)
        assert closed, "%s with a body: the connection stays open" % method
        assert b"enterprise" not in out, "%s: the smuggled /v1/me was answered" % method


def test_transfer_codings_other_than_chunked_are_refused():
    smuggled = ("GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n" % ENT).encode()
    for te in ("identity", "gzip", "chunked, gzip", "gzip, chunked", "xchunked"):
        head = ("POST /v1/resources HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                "Content-Type: application/json\r\nTransfer-Encoding: %s\r\n\r\n" % (PROV, te)).encode()
        out, closed = exchange(head + smuggled)
        got = responses(out)
        eq(got, [400], "Transfer-Encoding: %s" % te)
        assert closed, "Transfer-Encoding: %s: the connection stays open" % te
    # chunked itself works, in any case
    body = json.dumps(lib.resource(title="分块")).encode()
    head = ("POST /v1/resources HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: Chunked\r\n"
            "Connection: close\r\n\r\n" % PROV).encode()
    out, _ = exchange(head + b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n")
    eq(responses(out), [201], "a chunked body")


def test_pipelined_requests_are_answered_in_order():
    reqs = b"".join(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % p
                    for p in (b"/healthz", b"/v1/nope", b"/v1/taxonomy", b"/healthz"))
    out, _ = exchange(reqs + b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    eq(responses(out), [200, 404, 200, 200, 200], "pipelined answers")


# ------------------------------------------------------------ headers


def test_nul_in_authorization_is_400():
    data = (b"GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ENT.encode()
            + b"\x00junk\r\n\r\n")
    out, closed = exchange(data)
    eq(error_of(out), (400, "bad_param"), "NUL inside Authorization")
    assert closed


def test_two_authorization_headers_are_400():
    data = ("GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
            "Authorization: Bearer %s\r\n\r\n" % (ENT, PROV)).encode()
    out, closed = exchange(data)
    eq(error_of(out), (400, "bad_param"), "two Authorization headers")
    assert closed


def test_http11_needs_host_http10_does_not():
    out, closed = exchange(b"GET /healthz HTTP/1.1\r\n\r\n")
    eq(error_of(out), (400, "bad_param"), "HTTP/1.1 without Host")
    assert closed
    out, _ = exchange(b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
    eq(error_of(out)[0], 400, "two Host headers")
    out, _ = exchange(b"GET /healthz HTTP/1.0\r\n\r\n")
    eq(responses(out), [200], "HTTP/1.0 without Host")


def test_oversized_head_is_json_431():
    out, closed = exchange(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40000 + b"\r\n\r\n")
    eq(error_of(out), (431, "too_large"), "a 40 KB header")
    assert closed


# ------------------------------------------------------------ body limits


def test_body_to_a_route_that_takes_none_is_refused_at_once():
    """The answer comes after the head: the server never waits for (or
    keeps) the 4 MiB that would follow."""
    head = b"POST /v1/taxonomy HTTP/1.1\r\nHost: x\r\nContent-Length: 4194304\r\n\r\n"
    t0 = time.time()
    out, closed = exchange(head + b"x" * 1000, timeout=5)
    eq(error_of(out)[0], 405, "POST to a GET-only path")   # no route: 405 before any body
    head = (b"GET /v1/taxonomy HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 4194304\r\n\r\n")
    out, closed = exchange(head + b"x" * 1000, timeout=5)
    eq(error_of(out)[0], 400, "GET with a body")
    head = ("DELETE /v1/resources/res_nope HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
            "Content-Length: 4194304\r\n\r\n" % PROV).encode()
    out, closed = exchange(head + b"x" * 1000, timeout=5)
    eq(error_of(out)[0], 400, "DELETE with a body")
    assert time.time() - t0 < 4, "refusals waited for the body"


def test_anonymous_bulk_is_refused_before_its_body():
    head = (b"POST /v1/resources:bulk HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
            b"Content-Length: 50000000\r\n\r\n")
    t0 = time.time()
    out, closed = exchange(head + b"{}\n" * 100, timeout=5)
    eq(error_of(out), (401, "unauthorized"), "anonymous bulk")
    assert time.time() - t0 < 4 and closed


def test_json_route_limit_applies_at_the_head():
    head = ("POST /v1/resources HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
            "Content-Type: application/json\r\nContent-Length: 5000000\r\n\r\n" % PROV).encode()
    out, closed = exchange(head + b"{", timeout=5)
    eq(error_of(out), (413, "too_large"), "5 MB to a 1 MiB route")
    assert closed
    head = ("POST /v1/resources HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
            "Content-Type: text/plain\r\nContent-Length: 10\r\n\r\n" % PROV).encode()
    out, _ = exchange(head + b"0123456789")
    eq(error_of(out), (415, "unsupported_media_type"), "wrong type, seen at the head")


def test_held_back_bodies_do_not_grow_memory():
    """16 anonymous 4 MiB POSTs to a route that takes no body, each holding
    back its last byte (the outside test's case, at a sixteenth of its
    size), and a large authenticated bulk import: the release build's RSS
    stays put, and comes back after the import."""
    binary = os.path.join(lib.REPO, "build/shucud")
    if not os.path.exists(binary):
        raise lib.Skip("no release build")
    srv = lib.Server(redis="none", workers=1, binary=binary)
    try:
        key = srv.key("provider", "内存测试服务商")
        request("GET", "/healthz", server=srv)
        before = srv.rss_kib()
        socks = []
        for _ in range(16):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
            s.sendall(b"POST /v1/taxonomy HTTP/1.1\r\nHost: x\r\nContent-Length: 4194304\r\n\r\n")
            try:
                s.sendall(b"x" * (2 << 20))
            except OSError:
                pass
            socks.append(s)
        time.sleep(0.5)
        held = srv.rss_kib()
        for s in socks:
            s.close()
        assert held - before < 16 * 1024, \
            "16 held-back bodies grew RSS by %d KiB" % (held - before)
        # A 24 MB import is read whole (it may be).  What it leaves behind
        # is SQLite's page cache (cache_size, 32 MB a connection), not the
        # body: a second import of the same size adds (almost) nothing.
        line = json.dumps(lib.resource(description="数" * 3000), ensure_ascii=False) + "\n"
        body = (line * (24_000_000 // len(line.encode()))).encode()
        rss = []
        for _ in range(2):
            r = request("POST", "/v1/resources:bulk", raw=body, key=key, server=srv,
                        headers={"Content-Type": "application/x-ndjson"}, timeout=120)
            assert_status(r, 200)
            time.sleep(0.3)
            rss.append(srv.rss_kib())
        assert rss[0] - before < 48 * 1024, \
            "RSS %d KiB before a 24 MB import, %d KiB after" % (before, rss[0])
        assert rss[1] - rss[0] < 8 * 1024, \
            "a second 24 MB import grew RSS from %d to %d KiB" % (rss[0], rss[1])
    finally:
        srv.stop()
