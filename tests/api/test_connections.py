"""Connections: a cap, a deadline for each whole request, and per-address
limits that apply before routing, so idle, half-sent (slowloris) or
flooding clients cannot starve the others, and the server says why it
refuses with the contract's error."""
import os
import socket
import stat
import threading
import time

import lib
from lib import assert_error, assert_status, eq


def _healthz(port, timeout=3.0):
    """Status of GET /healthz on a new connection, or None if none came."""
    try:
        out = b""
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                out += chunk
    except OSError:
        return None
    status, _, _ = lib.parse_raw_response(out)
    return status


class Trickler(threading.Thread):
    """Sends a request one byte every `every` seconds; records when the
    server closed the connection (seconds after connecting) or None."""

    REQUEST = b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: " + b"a" * 400 + b"\r\n\r\n"

    def __init__(self, port, every=0.3, limit=15.0):
        super().__init__(daemon=True)
        self.port, self.every, self.limit = port, every, limit
        self.closed_after = None
        self.answered = False
        self.connected = threading.Event()

    def run(self):
        try:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=2)
        except OSError:
            self.closed_after = 0.0
            self.connected.set()
            return
        t0 = time.time()
        self.connected.set()
        s.settimeout(self.every)
        try:
            for ch in self.REQUEST:
                if time.time() - t0 > self.limit:
                    return
                try:
                    s.send(bytes([ch]))
                except OSError:
                    self.closed_after = time.time() - t0
                    return
                try:
                    data = s.recv(4096)
                    if not data:
                        self.closed_after = time.time() - t0
                        return
                    self.answered = True
                except socket.timeout:
                    pass
                except OSError:
                    self.closed_after = time.time() - t0
                    return
        finally:
            s.close()


def test_trickling_request_is_cut_off_at_the_deadline():
    srv = lib.Server(redis="none", workers=1, extra_args=["--request-timeout", "2"])
    try:
        t = Trickler(srv.port, every=0.3)
        t.start()
        t.connected.wait(3)
        time.sleep(0.5)
        eq(_healthz(srv.port), 200, "others are served while a client trickles")
        t.join(10)
        assert t.closed_after is not None, "a request trickled a byte every 0.3 s is never cut off"
        assert 1.5 <= t.closed_after <= 4.5, (
            "cut off after %.1f s; the deadline is 2 s" % t.closed_after)
        assert not t.answered, "a request never completed must not be answered"
        m = srv.request("GET", "/metrics").body.decode()
        assert "shucu_connections_expired_total 1" in m, "the expiry is counted in /metrics"
    finally:
        srv.stop()


def test_idle_connections_do_not_outlive_the_deadline():
    srv = lib.Server(redis="none", workers=1, extra_args=["--request-timeout", "2"])
    try:
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=6)
        t0 = time.time()
        try:
            data = s.recv(100)  # sends nothing at all
        except OSError:
            data = b""
        took = time.time() - t0
        s.close()
        eq(data, b"", "an idle connection is closed without an answer")
        assert took < 4.5, "idle connection closed after %.1f s; the deadline is 2 s" % took
    finally:
        srv.stop()


def test_keep_alive_connection_serves_many_requests_within_the_deadline():
    # The deadline is per request, not per connection: a busy keep-alive
    # client is never cut off.
    srv = lib.Server(redis="none", workers=1, extra_args=["--request-timeout", "1"])
    try:
        with socket.create_connection(("127.0.0.1", srv.port), timeout=3) as s:
            for i in range(8):
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
                buf = b""
                while b"\r\n\r\n" not in buf:
                    chunk = s.recv(4096)
                    assert chunk, "connection closed at request %d" % i
                    buf += chunk
                head, _, rest = buf.partition(b"\r\n\r\n")
                n = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0]
                        .split(b":")[1])
                while len(rest) < n:
                    rest += s.recv(4096)
                assert head.startswith(b"HTTP/1.1 200"), head[:40]
                time.sleep(0.4)  # 8 x 0.4 s > the 1 s deadline, but each request is quick
    finally:
        srv.stop()


def test_connections_beyond_the_cap_get_503_and_room_comes_back():
    srv = lib.Server(redis="none", workers=1, extra_args=["--max-connections", "4"])
    try:
        idle = [socket.create_connection(("127.0.0.1", srv.port), timeout=3) for _ in range(4)]
        time.sleep(0.3)
        raw = lib.raw_exchange(b"GET /v1/taxonomy HTTP/1.1\r\nHost: t\r\n\r\n", server=srv,
                               timeout=5)
        status, hdrs, body = lib.parse_raw_response(raw)
        eq(status, 503, "a connection beyond the cap is refused")
        eq(hdrs.get("connection", "").lower(), "close", "and closed")
        assert hdrs.get("retry-after"), "with Retry-After"
        assert b'"unavailable"' in body, "with the contract's error: %r" % body[:200]
        for s in idle:
            s.close()
        deadline = time.time() + 5
        while time.time() < deadline and _healthz(srv.port) != 200:
            time.sleep(0.2)
        eq(_healthz(srv.port), 200, "once connections close there is room again")
        m = srv.request("GET", "/metrics").body.decode()
        assert "shucu_connections_rejected_total 1" in m, "refusals are counted"
        assert "shucu_connections_open " in m, "open connections are a gauge"
    finally:
        srv.stop()


def test_half_sent_flood_on_a_small_fd_limit_recovers():
    # 80 half-sent requests against a process allowed 64 descriptors: the
    # cap follows the limit, nothing spins or crashes, and once the
    # deadline passes ordinary requests are served again.
    wrapper = os.path.join(lib.tmpdir("fdlimit"), "shucud")
    with open(wrapper, "w") as f:
        f.write("#!/bin/sh\nexec prlimit --nofile=64:64 %s \"$@\"\n" % lib.shucud_path())
    os.chmod(wrapper, os.stat(wrapper).st_mode | stat.S_IEXEC)
    old = os.environ.get("SHUCUD")
    os.environ["SHUCUD"] = wrapper
    try:
        srv = lib.Server(redis="none", workers=1, extra_args=["--request-timeout", "2"])
    finally:
        if old is None:
            del os.environ["SHUCUD"]
        else:
            os.environ["SHUCUD"] = old
    socks = []
    try:
        for _ in range(80):
            try:
                s = socket.create_connection(("127.0.0.1", srv.port), timeout=2)
                s.sendall(b"POST /v1/match HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n{")
                socks.append(s)
            except OSError:
                pass
        time.sleep(0.5)
        assert srv.alive(), "the server survives the flood"
        deadline = time.time() + 8
        ok = None
        while time.time() < deadline:
            ok = _healthz(srv.port, timeout=1.5)
            if ok == 200:
                break
            time.sleep(0.3)
        eq(ok, 200, "served again after the half-sent requests expire")
        assert "connections per worker" in srv.log_text(), "the reduced cap is logged"
    finally:
        for s in socks:
            s.close()
        srv.stop()


def test_per_address_limit_covers_unknown_paths_and_bad_keys():
    srv = lib.Server(redis="none", workers=1,
                     extra_args=["--rate-per-addr", "4", "--rate-burst", "4"])
    try:
        codes = [srv.request("GET", "/v1/no-such-thing").status for _ in range(8)]
        assert codes[:4] == [404] * 4 and 429 in codes[4:], "404 floods are limited: %r" % codes
        time.sleep(1.3)
        codes = [srv.request("GET", "/v1/me", key="shk_" + "x" * 32).status for _ in range(8)]
        assert 401 in codes and 429 in codes[4:], "key guessing is limited: %r" % codes
        r = srv.request("GET", "/v1/me", key="shk_" + "y" * 32)
        assert_error(r, 429, "rate_limited")
        # Health checks and scrapes are never throttled.
        eq({srv.request("GET", "/healthz").status for _ in range(10)}, {200}, "healthz")
        eq({srv.request("GET", "/metrics").status for _ in range(10)}, {200}, "metrics")
    finally:
        srv.stop()
