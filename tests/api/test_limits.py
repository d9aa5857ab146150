"""Rate limits: per key and per address token buckets answer 429 with
Retry-After and the contract's error, and never touch other callers."""
import time

import lib
from lib import assert_status, eq

S = None


def setup_module():
    global S
    S = lib.use(lib.Server(redis="none", extra_args=["--rate-per-key", "5", "--rate-burst", "5"]))


def teardown_module():
    if S:
        S.stop()


def test_per_key_limit_429_with_retry_after():
    k1 = S.key("enterprise", "限流测试企业一")
    k2 = S.key("enterprise", "限流测试企业二")
    codes = [S.request("GET", "/v1/me", key=k1).status for _ in range(8)]
    eq(codes[:5], [200] * 5, "the burst is allowed")
    assert 429 in codes[5:], "the 6th request in a burst of 8 is limited: %r" % codes
    r = S.request("GET", "/v1/me", key=k1)
    assert_status(r, 429)
    eq(r.json["error"]["code"], "rate_limited", "code")
    assert int(r.headers.get("Retry-After", "0")) >= 1, "Retry-After names seconds"
    # Another key is not affected.
    assert_status(S.request("GET", "/v1/me", key=k2), 200)
    # Tokens come back: 5 per second.
    time.sleep(1.2)
    assert_status(S.request("GET", "/v1/me", key=k1), 200)


def test_anonymous_requests_not_limited_by_key_limit():
    codes = [S.request("GET", "/v1/taxonomy").status for _ in range(12)]
    eq(set(codes), {200}, "per-key limits leave keyless requests alone")


def test_per_address_limit():
    srv = lib.Server(redis="none", extra_args=["--rate-per-addr", "3", "--rate-burst", "3"])
    try:
        time.sleep(1.2)  # start-up health polls spent tokens; let them refill
        codes = [srv.request("GET", "/v1/taxonomy").status for _ in range(6)]
        eq(codes[:3], [200] * 3, "burst allowed")
        assert codes[3:].count(429) >= 2, "address limited: %r" % codes
    finally:
        srv.stop()
