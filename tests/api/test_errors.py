"""
test_errors.py - what the server answers to bad input: unparsable or
non-object JSON, invalid UTF-8, deep nesting, wrong content types, oversized
bodies, unknown paths and methods, broken query strings and raw garbage on
the socket.  Nothing here may yield a 500, a dropped connection or a dead
server, and every error carries the JSON envelope.
"""

import http.client
import json
import re
import socket
import time

import lib
from lib import assert_error, assert_status, eq, request, resource

S = R = None
P = None
RID = None
MIB = 1024 * 1024


def setup_module():
    global S, R, P, RID
    R = lib.Redis()
    S = lib.use(lib.Server(redis=R))
    P = S.key("provider", "错误测试供应商")
    r = request("POST", "/v1/resources", resource(), key=P)
    assert_status(r, 201)
    RID = r.json["id"]


def teardown_module():
    try:
        if S:
            S.stop()
    finally:
        if R:
            R.stop()


def healthy():
    r = request("GET", "/healthz")
    assert_status(r, 200)


def body_methods():
    """(method, path) of every resource route that takes a JSON body."""
    return (("POST", "/v1/resources"), ("PUT", "/v1/resources/" + RID),
            ("PATCH", "/v1/resources/" + RID))


# ------------------------------------------------------------ JSON


MALFORMED = [b'{"kind": ', b'{kind: "solution"}', b"{'title': 'x'}", b'{"a":1,}',
             b"nul", b'{"title":"x"} {"title":"y"}', b'{"title":"x"} trailing',
             b"", b"   ", b'{"title":"unterminated}', b"\xef\xbb\xbf{}x", b'{"a" 1}']


def test_malformed_json_400():
    for m, path in body_methods():
        for raw in MALFORMED:
            r = request(m, path, raw=raw, key=P)
            assert r.status == 400 and r.code == "bad_json", "%s %r: %r" % (m, raw, r)


def test_non_object_json_400():
    for m, path in body_methods():
        for raw in (b"[]", b'"x"', b"5", b"null", b"true", b'[{"title":"x"}]'):
            r = request(m, path, raw=raw, key=P)
            assert r.status == 400 and r.code == "bad_json", "%s %r: %r" % (m, raw, r)


def test_invalid_utf8_400():
    for bad in (b"\xff\xfe", b"\xc0\xaf", b"\xe4\xb8", b"\xed\xa0\x80", b"ok\x80ok"):
        raw = (b'{"kind":"solution","title":"' + bad +
               b'","industries":["machinery"],"scenarios":["quality"]}')
        r = request("POST", "/v1/resources", raw=raw, key=P)
        assert r.status == 400 and r.code == "bad_json", "%r: %r" % (bad, r)
    raw = b'{"\xff":1,"kind":"solution"}'
    assert_error(request("POST", "/v1/resources", raw=raw, key=P), 400, "bad_json")


def test_error_text_quoting_too_big_is_still_bad_json():
    """Found by fuzz_validate: Jansson's message quotes the input near the
    error, so a key reading "too big" or "overflow" before invalid UTF-8
    was taken for a number too large (422 with a made-up field)."""
    for word in (b"too big", b"overflow"):
        raw = b'{"' + word + b'\xff":1}'
        assert_error(request("POST", "/v1/resources", raw=raw, key=P), 400, "bad_json")


def test_odd_escapes_never_500():
    base = '{"kind":"solution","title":"%s","industries":["machinery"],"scenarios":["quality"]}'
    for title in ("\\ud800", "\\udc00x", "\\u0000", "a\\u0000b"):
        r = request("POST", "/v1/resources", raw=(base % title).encode(), key=P)
        assert r.status in (201, 400, 422), "title %s: %r" % (title, r)
        if r.status == 400:
            eq(r.code, "bad_json", title)
        elif r.status == 422:
            eq((r.code, r.field), ("invalid_field", "title"), title)


def test_deep_nesting_400():
    for raw in (b"[" * 10000, b'{"a":' * 10000, b'{"attrs":' + b"[" * 10000):
        r = request("POST", "/v1/resources", raw=raw, key=P)
        assert r.status == 400 and r.code == "bad_json", "%r...: %r" % (raw[:12], r)
    # Well-formed but absurdly deep: refused, not crashed.
    body = b'{"kind":"solution","title":"t","industries":["machinery"],' \
           b'"scenarios":["quality"],"attrs":{"x":' + b"[" * 10000 + b"]" * 10000 + b"}}"
    r = request("POST", "/v1/resources", raw=body, key=P)
    assert (r.status, r.code) in ((400, "bad_json"), (422, "invalid_field")), r
    healthy()


def test_moderate_nesting_kept():
    # within VALIDATE_MAX_DEPTH (64, validate.h)
    deep = cur = {}
    for i in range(40):
        cur["n"] = {}
        cur = cur["n"]
    r = request("POST", "/v1/resources", resource(attrs=deep), key=P)
    assert_status(r, 201)
    eq(r.json["attrs"], deep, "30-deep attrs")


RES_HEAD = (b'{"kind":"solution","title":"t","industries":["machinery"],'
            b'"scenarios":["quality"],')
NEED_HEAD = b'{"title":"t","industry":"machinery","scenarios":["quality"],'

# Parseable JSON whose numbers are out of a field's range: 422 naming it.
OUT_OF_RANGE = [
    ("/v1/resources", RES_HEAD + b'"deploy_days":-1}', "deploy_days"),
    ("/v1/resources", RES_HEAD + b'"deploy_days":3651}', "deploy_days"),
    ("/v1/resources", RES_HEAD + b'"deploy_days":9223372036854775807}', "deploy_days"),
    ("/v1/resources", RES_HEAD + b'"deploy_days":-9223372036854775808}', "deploy_days"),
    ("/v1/resources", RES_HEAD + b'"deploy_days":-0.0e-999999}', "deploy_days"),
    ("/v1/resources", RES_HEAD + b'"levels":{"from":1,"to":9}}', "levels.to"),
    ("/v1/resources", RES_HEAD + b'"levels":{"from":9,"to":4}}', "levels.from"),
    ("/v1/resources", RES_HEAD + b'"price":{"min":1e13,"max":1e14}}', "price.min"),
    ("/v1/resources", RES_HEAD + b'"price":{"min":1e300,"max":1e301}}', "price.min"),
    ("/v1/resources", RES_HEAD + b'"price":{"min":0,"max":1.7e308}}', "price.max"),
    ("/v1/resources", RES_HEAD + b'"price":{"min":-1,"max":1}}', "price.min"),
    ("/v1/needs", NEED_HEAD + b'"current_level":9}', "current_level"),
    ("/v1/needs", NEED_HEAD + b'"target_level":-1}', "target_level"),
    ("/v1/needs", NEED_HEAD + b'"budget":{"max":1e13}}', "budget.max"),
    ("/v1/needs", NEED_HEAD + b'"budget":{"max":-1}}', "budget.max"),
]

# Syntactically valid JSON numbers that no C double or int64 holds
# (Jansson refuses them while parsing): still 422, not 400 bad_json.
UNREPRESENTABLE = [
    ("/v1/resources", RES_HEAD + b'"deploy_days":1e400}', "deploy_days"),
    ("/v1/resources", RES_HEAD + b'"deploy_days":9223372036854775808}', "deploy_days"),
    ("/v1/resources", RES_HEAD + b'"deploy_days":-9223372036854775809}', "deploy_days"),
    ("/v1/resources", RES_HEAD + b'"deploy_days":123456789012345678901234567890}',
     "deploy_days"),
    ("/v1/resources", RES_HEAD + b'"price":{"min":-1e400,"max":1}}', "price.min"),
    ("/v1/resources", RES_HEAD + b'"price":{"min":0,"max":1e400}}', "price.max"),
    ("/v1/resources", RES_HEAD + b'"levels":{"from":9223372036854775808,"to":2}}',
     "levels.from"),
    ("/v1/needs", NEED_HEAD + b'"budget":{"max":1e400}}', "budget.max"),
    ("/v1/needs", NEED_HEAD + b'"current_level":18446744073709551616}', "current_level"),
]


def test_out_of_range_numbers_422_naming_the_field():
    e = S.key("enterprise", "数值测试企业")
    for path, raw, field in OUT_OF_RANGE:
        r = request("POST", path, raw=raw, key=P if path == "/v1/resources" else e)
        assert (r.status, r.code, r.field) == (422, "invalid_field", field), \
            "%s %s: want 422 invalid_field %s, got %r" % (path, raw[-40:], field, r)


def test_unrepresentable_numbers_422_not_bad_json():
    e = S.key("enterprise", "数值测试企业")
    for path, raw, field in UNREPRESENTABLE:
        r = request("POST", path, raw=raw, key=P if path == "/v1/resources" else e)
        assert (r.status, r.code) == (422, "invalid_field"), \
            "%s %s: want 422 invalid_field, got %r" % (path, raw[-48:], r)


def test_unrepresentable_numbers_name_the_field():
    """A client fixing its form needs to know which field: the error names
    it as for any other out-of-range number (API.md: "field" where one
    field is at fault)."""
    e = S.key("enterprise", "数值测试企业")
    bad = []
    for path, raw, field in UNREPRESENTABLE:
        r = request("POST", path, raw=raw, key=P if path == "/v1/resources" else e)
        if (r.status, r.code, r.field) != (422, "invalid_field", field):
            bad.append("%s ...%s: want field %r, got %s" % (
                path, raw[-44:].decode(), field, repr(r).rstrip()))
    assert not bad, "%d of %d unnamed:\n  %s" % (len(bad), len(UNREPRESENTABLE),
                                                  "\n  ".join(bad))


# ------------------------------------------------------------ duplicate keys


def _dup_cases(ent_key, rid):
    """(method, path, key, raw body, what) with a key given twice.  Each body
    would be accepted with the duplicate removed."""
    need = (b'{"title":"\xe9\x87\x8d\xe5\xa4\x8d","industry":"machinery",'
            b'"scenarios":["quality"],"budget":{"max":100000}')
    res = json.dumps(resource(attrs={"a": 1}), ensure_ascii=False).encode()[:-1]
    return [
        ("POST", "/v1/resources", P, res + b',"title":"\xe7\xac\xac\xe4\xba\x8c"}',
         "title twice, different values"),
        ("POST", "/v1/resources", P, res + b',"kind":"solution"}', "kind twice, same value"),
        ("POST", "/v1/resources", P, res.replace(b'"price": {', b'"price": {"min": 1, ', 1) + b"}",
         "price.min twice"),
        ("POST", "/v1/resources", P, res.replace(b'"attrs": {', b'"attrs": {"a": 1, ', 1) + b"}",
         "attrs.a twice"),
        ("PUT", "/v1/resources/" + rid, P, res + b',"title":"\xe7\xac\xac\xe4\xba\x8c"}',
         "title twice"),
        ("PATCH", "/v1/resources/" + rid, P, b'{"title":"a","title":"b"}', "title twice"),
        ("PATCH", "/v1/resources/" + rid, P, b'{"deploy_days":1,"deploy_days":1}',
         "same key, same value"),
        ("PATCH", "/v1/resources/" + rid, P, b'{"title":"a","title":null}', "then null"),
        ("PATCH", "/v1/resources/" + rid, P, b'{"attrs":{"x":{"y":1,"y":2}}}',
         "deep inside attrs"),
        ("POST", "/v1/needs", ent_key, need + b',"title":"x"}', "title twice"),
        ("POST", "/v1/needs", ent_key, need.replace(b'{"max":', b'{"max":1,"max":') + b"}",
         "budget.max twice"),
        ("POST", "/v1/match", ent_key, need + b',"industry":"steel"}', "industry twice"),
        ("POST", "/v1/match", ent_key, need + b',"scenarios":["quality"]}', "same value twice"),
    ]


def test_duplicate_keys_400_on_every_json_route():
    e = S.key("enterprise", "重复键企业")
    rid = request("POST", "/v1/resources", resource(), key=P).json["id"]
    before = request("GET", "/v1/resources/" + rid).json
    for m, path, k, raw, what in _dup_cases(e, rid):
        json.loads(raw)   # Python's parser takes it: the duplicate is the only fault
        first = None
        for attempt in range(3):
            r = request(m, path, raw=raw, key=k)
            assert r.status == 400 and r.code == "bad_json", \
                "%s %s (%s), attempt %d: want 400 bad_json, got %r" % (m, path, what,
                                                                      attempt + 1, r)
            assert "duplicate" in r.json["error"]["message"], r
            if first is None:
                first = r.json
            eq(r.json, first, "%s %s (%s): same answer every time" % (m, path, what))
    eq(request("GET", "/v1/resources/" + rid).json, before,
       "PUT/PATCH with duplicate keys changed nothing")


def test_duplicate_keys_store_nothing():
    k = S.key("provider", lib.uniq("重复键供应商"))
    org = request("GET", "/v1/me", key=k).json["org"]["id"]
    res = json.dumps(resource(), ensure_ascii=False).encode()[:-1]
    for i in range(5):
        r = request("POST", "/v1/resources", raw=res + b',"title":"t%d"}' % i, key=k)
        assert_error(r, 400, "bad_json")
    lst = request("GET", "/v1/resources?provider=" + org)
    assert_status(lst, 200)
    eq(lst.json["items"], [], "resources created from bodies with duplicate keys")


# ------------------------------------------------------------ content type


def test_wrong_content_type_415():
    for m, path in body_methods():
        for ct in ("text/plain", "application/x-www-form-urlencoded", "application/xml",
                   "multipart/form-data; boundary=x"):
            r = request(m, path, resource(), key=P, ctype=ct)
            assert r.status == 415 and r.code == "unsupported_media_type", \
                "%s %s: %r" % (m, ct, r)
    eq(request("GET", "/v1/resources/" + RID).json["version"], 1, "nothing written")


def test_json_with_charset_accepted():
    r = request("POST", "/v1/resources", resource(), key=P,
                ctype="application/json; charset=utf-8")
    assert_status(r, 201)
    r = request("PATCH", "/v1/resources/" + r.json["id"], {"deploy_days": 2}, key=P,
                ctype="application/merge-patch+json; charset=utf-8")
    assert_status(r, 200)


# ------------------------------------------------------------ size


def raw_request(method, path, body, headers=None, chunked=False, timeout=20.0):
    """Send one request on a raw socket, tolerating an early close while the
    body is still going out; return (status, headers, body) of the answer."""
    h = {"Host": "127.0.0.1", "Content-Type": "application/json",
         "Authorization": "Bearer " + P, "Connection": "close"}
    h.update(headers or {})
    if chunked:
        h["Transfer-Encoding"] = "chunked"
        parts = []
        for i in range(0, len(body), 65536):
            c = body[i:i + 65536]
            parts.append(b"%x\r\n" % len(c) + c + b"\r\n")
        payload = b"".join(parts) + b"0\r\n\r\n"
    else:
        h["Content-Length"] = str(len(body))
        payload = body
    head = "%s %s HTTP/1.1\r\n" % (method, path) + \
        "".join("%s: %s\r\n" % kv for kv in h.items()) + "\r\n"
    data = lib.raw_exchange(head.encode() + payload, timeout=timeout, shutdown=False)
    return lib.parse_raw_response(data), data


def check_413(res, data, what):
    (status, hdrs, body) = res
    assert status is not None, "%s: no HTTP answer (connection dropped); got %r" % (
        what, data[:200])
    try:
        j = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        j = None
    assert status == 413 and isinstance(j, dict) and \
        j.get("error", {}).get("code") == "too_large", \
        "%s: want 413 too_large, got %s %r" % (what, status, body[:300])


def test_body_over_1mib_413():
    big = resource(description="x" * (MIB + 10))
    raw = json.dumps(big).encode()
    res, data = raw_request("POST", "/v1/resources", raw)
    check_413(res, data, "POST 1 MiB + 10")
    healthy()
    res, data = raw_request("PUT", "/v1/resources/" + RID, raw)
    check_413(res, data, "PUT 1 MiB + 10")
    healthy()


def test_chunked_body_over_1mib_413():
    raw = json.dumps(resource(description="y" * (MIB + 10))).encode()
    res, data = raw_request("POST", "/v1/resources", raw, chunked=True)
    check_413(res, data, "chunked POST over 1 MiB")
    healthy()


def test_body_just_under_1mib_is_read():
    # ~1,000,000 bytes: read and judged on its fields, not refused for size.
    r = request("POST", "/v1/resources", resource(description="z" * 1000000), key=P)
    assert_error(r, 422, "invalid_field", "description")


def test_chunked_small_body_accepted():
    raw = json.dumps(resource(title="分块上传")).encode()
    (status, hdrs, body), data = raw_request("POST", "/v1/resources", raw, chunked=True)
    assert status == 201, "chunked create: %r" % data[:500]


# ------------------------------------------------------------ routes


def test_unknown_paths_404():
    for path in ("/v1/nope", "/nope", "/v2/resources", "/v1/resources/%s/x/y" % RID,
                 "/v1/taxonomy/extra", "/" + "a" * 8000,
                 "/v1/%E4%B8%AD%E6%96%87", "/v1/resources%00"):
        r = request("GET", path)
        assert r.status == 404 and r.code == "not_found", "%s: %r" % (path[:60], r)


def test_wrong_method_405_with_allow():
    cases = [("DELETE", "/v1/taxonomy", {"GET"}),
             ("POST", "/v1/taxonomy", {"GET"}),
             ("POST", "/healthz", {"GET"}),
             ("DELETE", "/metrics", {"GET"}),
             ("PUT", "/v1/resources", {"GET", "POST"}),
             ("DELETE", "/v1/resources", {"GET", "POST"}),
             ("POST", "/v1/resources/" + RID, {"GET", "PUT", "PATCH", "DELETE"})]
    for m, path, allowed in cases:
        r = request(m, path, {} if m in ("POST", "PUT") else None, key=P)
        assert r.status == 405 and r.code == "method_not_allowed", "%s %s: %r" % (m, path, r)
        allow = {x.strip().upper() for x in (r.headers.get("Allow") or "").split(",") if x.strip()}
        assert allowed <= allow, "%s %s: Allow %r lacks %r" % (m, path, allow, allowed - allow)


def test_errors_are_json():
    for r in (request("GET", "/v1/nope"), request("DELETE", "/v1/taxonomy"),
              request("POST", "/v1/resources", raw=b"{", key=P)):
        assert "application/json" in (r.headers.get("Content-Type") or ""), r.headers
        assert r.json["error"]["message"], r


# ------------------------------------------------------------ query strings


def test_broken_query_strings_400():
    for qs in ("limit=%ZZ", "kind=%E4%B8", "industry=%", "limit=%00"):
        r = request("GET", "/v1/resources?" + qs)
        assert r.status == 400 and r.code in ("bad_query", "bad_param"), "%s: %r" % (qs, r)


def test_odd_but_valid_query_strings():
    for qs in ("", "&&", "limit=5&", "foo", "kind=", "industry=machinery&&scenario=quality"):
        r = request("GET", "/v1/resources?" + qs)
        assert r.status in (200, 400), "%s: %r" % (qs, r)
        if r.status == 400:
            assert r.code in ("bad_query", "bad_param"), r


# ------------------------------------------------------------ raw socket


def exchange_until_close(data, timeout=5.0):
    """Send data and read until the server closes the connection; return
    (bytes read, True if it closed within `timeout`)."""
    return lib.exchange_until_close(data, S, timeout)


# Requests no HTTP/1.1 parser may accept: 400 and the connection closed
# (RFC 9112 s. 2.2, 5, 6.3), the client never left hanging on a keep-alive
# that cannot go on.  The sender keeps its side open, as a client would.
MALFORMED_HTTP = [
    b"GARBAGE\r\n\r\n",
    b"GET /healthz\r\n\r\n",                                      # no version
    b"GET /healthz HTTP/1.1\r\nNoColonHere\r\n\r\n",              # header without ":"
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nNo colon either\r\n\r\n",
    b"GET /healthz HTTP/9.9\r\n\r\n",
    b"\x00\xff\xfe\r\n\r\n",
    b"POST /v1/resources HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
    b"POST /v1/resources HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
    b"POST /v1/resources HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n",
    b"POST /v1/resources HTTP/1.1\r\nContent-Length: 12abc\r\n\r\n",
]
# A Content-Length that is digits but larger than any body the server takes
# may be refused as malformed (400) or as too large (413); either way the
# connection closes.
ABSURD_LENGTH = [
    b"POST /v1/resources HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
    b"POST /v1/resources HTTP/1.1\r\nContent-Length: 18446744073709551617\r\n\r\n",
    b"POST /v1/resources HTTP/1.1\r\nContent-Length: 9223372036854775807\r\n\r\n",
]


def _status_line(data):
    return data.split(b"\r\n", 1)[0]


def test_malformed_http_400_and_close():
    for data in MALFORMED_HTTP:
        out, closed = exchange_until_close(data)
        status, hdrs, _ = lib.parse_raw_response(out)
        assert status == 400, "%r: want a 400 status line, got %r" % (data[:60], out[:120])
        assert closed, "%r: 400 sent but the connection stayed open" % data[:60]
        eq(hdrs.get("connection", "").lower(), "close", "%r: Connection header" % data[:60])
    healthy()


def test_odd_http_versions_get_a_valid_status_line():
    """A version other than HTTP/1.0 or 1.1 is refused with a well-formed
    "HTTP/1.1 400" status line and a closed connection; libevent alone
    would echo the version back ("HTTP/1.120 400", "HTTP/0.1 200")."""
    for v in (b"HTTP/1.1400", b"HTTP/0.1", b"HTTP/1.2", b"HTTP/1.9"):
        out, closed = exchange_until_close(b"GET /healthz " + v + b"\r\nHost: x\r\n\r\n")
        line = _status_line(out)
        assert re.match(rb"^HTTP/1\.[01] 400 ", line), "%r: status line %r" % (v, line)
        assert closed, "%r: 400 sent but the connection stayed open" % v
    for v in (b"HTTP/1.0", b"HTTP/1.1"):
        out, _ = exchange_until_close(b"GET /healthz " + v + b"\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert _status_line(out).startswith(v + b" 200"), "%r: %r" % (v, _status_line(out))
    healthy()


def test_absurd_content_length_refused_and_closed():
    for data in ABSURD_LENGTH:
        out, closed = exchange_until_close(data)
        status, hdrs, _ = lib.parse_raw_response(out)
        assert status in (400, 413), "%r: want 400 (or 413), got %r" % (data[:70], out[:120])
        assert closed, "%r: %d sent but the connection stayed open" % (data[:70], status)
    healthy()


def test_conflicting_content_lengths_400_and_close():
    """Two Content-Length fields that disagree make the body's end unknowable
    (the request-smuggling case): RFC 9112 s. 6.3 says 400 and close, never
    guess one of them and go on."""
    head = ("POST /v1/resources HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Authorization: Bearer %s\r\n" % P).encode()
    for data in (head + b"Content-Length: 2\r\nContent-Length: 9\r\n\r\n{}",
                 head + b"Content-Length: 2\r\nContent-Length: 0\r\n\r\n{}",
                 head + b"Content-Length: 0\r\nContent-Length: 2\r\n\r\n{}"):
        out, closed = exchange_until_close(data, timeout=3)
        status, _, _ = lib.parse_raw_response(out)
        assert status == 400 and closed, \
            "%r: want 400 and a closed connection, got %s (%s): %r" % (
                data[-50:], status, "closed" if closed else "left open", _status_line(out))
    healthy()


def test_raw_garbage_leaves_server_up():
    for data in (b"GARBAGE\r\n\r\n", b"\x00\xff\xfe" * 100 + b"\r\n\r\n",
                 b"GET /healthz HTTP/9.9\r\n\r\n", b"GET " + b"/x" * 50000 + b" HTTP/1.1\r\n\r\n",
                 b"POST /v1/resources HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                 b"POST /v1/resources HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 9\r\n\r\nabcde",
                 b"POST /v1/resources HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n",
                 b"GET /healthz HTTP/1.1\r\n" + b"X-A: b\r\n" * 5000 + b"\r\n"):
        try:
            lib.raw_exchange(data, timeout=5)
        except OSError:
            pass
        assert S.alive(), "server died on %r" % data[:60]
    healthy()


def test_abandoned_connections_leave_server_up():
    socks = []
    for i in range(100):
        s = socket.create_connection(("127.0.0.1", S.port), timeout=5)
        if i % 3 == 0:
            s.sendall(b"POST /v1/resources HTTP/1.1\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 1000\r\n\r\n{\"kind\":")
        elif i % 3 == 1:
            s.sendall(b"GET /v1/taxo")
        socks.append(s)
    for s in socks:
        s.close()
    time.sleep(0.2)
    assert S.alive(), "server died after abandoned connections"
    healthy()
    r = request("GET", "/v1/resources/" + RID)
    assert_status(r, 200)


def test_keepalive_many_requests_one_connection():
    c = http.client.HTTPConnection("127.0.0.1", S.port, timeout=10)
    try:
        for i in range(50):
            path = "/v1/resources/" + RID if i % 2 else "/v1/nope"
            c.request("GET", path)
            r = c.getresponse()
            r.read()
            assert r.status == (200 if i % 2 else 404), "request %d on one connection: %d" % (
                i, r.status)
    finally:
        c.close()
