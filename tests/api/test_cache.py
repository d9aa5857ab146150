"""
test_cache.py - the Redis cache of search and match answers, from outside.

What a user notices: a repeated search or match is answered from Redis
(X-Cache: HIT, "cached": true) with exactly the body the first answer had;
equivalent queries share an entry and different ones do not; a write is
visible in the very next answer, whichever of several processes sharing the
database and the Redis made it; Redis dying or hanging costs speed, never
correctness or availability, and /healthz says so; hot queries are counted;
/metrics counts hits and misses; an answer too large to cache is still
served.

The module server S (workers=2) shares Redis R; tests that break Redis or
need special flags start their own server and Redis and stop them.
"""

import os
import random
import signal
import string
import time
import urllib.parse

import lib
from lib import assert_error, assert_status, eq, request, resource

S = R = None
P1 = P2 = ENT = ENT2 = CEN = ADM = None
ORG1 = "华中智造科技"
ORG2 = "长三角工业软件"
ENT_NAME = "武汉精工机械有限公司"


# ------------------------------------------------------------ helpers


def word(prefix="kw"):
    """A fresh ASCII word no other resource contains (one search term)."""
    return prefix + "".join(random.choice(string.ascii_lowercase) for _ in range(10))


# A miss is answered once Redis acknowledges the entry's SET, or after the
# cache timeout (50 ms by default).  Servers whose tests expect a repeat to
# be a hit wait up to 1 s, so a loaded test machine cannot make Redis late;
# the tests of a hanging Redis keep the default.
PATIENT = ["--cache-timeout-ms", "1000"]


def q(s):
    return urllib.parse.quote(s, safe="")


def strip(j):
    """The answer without the members that may differ between a MISS and a HIT."""
    assert isinstance(j, dict), j
    return {k: v for k, v in j.items() if k not in ("cached", "took_ms")}


def cache_state(r):
    """'HIT' or 'MISS' of a 200 cacheable answer, after checking that the
    header, the "cached" member and the start of the body agree."""
    assert_status(r, 200)
    xc = r.headers.get("X-Cache")
    assert xc in ("HIT", "MISS"), "X-Cache header is %r in %r" % (xc, r)
    j = r.json
    assert isinstance(j, dict), "not a JSON object: %r" % r
    want = xc == "HIT"
    eq(j.get("cached"), want, "\"cached\" with X-Cache: %s" % xc)
    prefix = '{"cached":%s,"took_ms":' % ("true" if want else "false")
    assert r.text.startswith(prefix), "body does not start with %s: %r" % (prefix, r)
    assert isinstance(j.get("took_ms"), (int, float)) and j["took_ms"] >= 0, r
    return xc


def search(qs, server=None, want=None, timeout=lib.TIMEOUT):
    r = request("GET", "/v1/search?" + qs, server=server, timeout=timeout)
    st = cache_state(r)
    if want is not None:
        assert st == want, "GET /v1/search?%s: want %s, got %s: %r" % (qs, want, st, r)
    return r


def match(body, server=None, key=None, qs="limit=20", want=None, timeout=lib.TIMEOUT):
    r = request("POST", "/v1/match?" + qs, body, key=key or ENT, server=server,
                timeout=timeout)
    st = cache_state(r)
    if want is not None:
        assert st == want, "POST /v1/match: want %s, got %s: %r" % (want, st, r)
    return r


def need_matches(nid, server=None, key=None, qs="limit=20", want=None):
    r = request("GET", "/v1/needs/%s/matches?%s" % (nid, qs), key=key or ENT, server=server)
    st = cache_state(r)
    if want is not None:
        assert st == want, "GET /v1/needs/%s/matches: want %s, got %s: %r" % (nid, want, st, r)
    return r


def create_res(server=None, key=None, **over):
    r = request("POST", "/v1/resources", resource(**over), key=key or P1, server=server)
    assert_status(r, 201)
    return r.json


def need_body(**over):
    b = {"title": "机械零部件表面缺陷AI视觉质检改造",
         "description": "冲压件划伤、压痕靠人工目检，漏检多。",
         "industry": "machinery", "scenarios": ["quality"], "region": "湖北省"}
    b.update(over)
    return b


def create_need(server=None, key=None, **over):
    r = request("POST", "/v1/needs", need_body(**over), key=key or ENT, server=server)
    assert_status(r, 201)
    return r.json


def ids(j):
    return [h["id"] for h in j["hits"]]


def match_ids(j):
    return [m["resource"]["id"] for m in j["matches"]]


def healthz(server):
    r = request("GET", "/healthz", server=server, timeout=5)
    assert_status(r, 200)
    return r.json


def wait_health(server, status, timeout, streak=4):
    """Polls /healthz until `streak` answers in a row (which land on any
    worker) say `status`; returns the last answer."""
    deadline = time.time() + timeout
    run, last = 0, None
    while time.time() < deadline:
        last = healthz(server)
        if last.get("status") == status:
            run += 1
            if run >= streak:
                return last
        else:
            run = 0
            time.sleep(0.05)
    raise AssertionError("/healthz did not say %r (%d times in a row) within %.0f s; last: %r"
                         % (status, streak, timeout, last))


def metrics(server):
    r = request("GET", "/metrics", server=server)
    assert_status(r, 200)
    out = {}
    for line in r.text.splitlines():
        if line.startswith("shucu_cache_"):
            name, _, val = line.partition(" ")
            out[name] = int(float(val))
    for n in ("hits_total", "misses_total", "errors_total", "reconnects_total",
              "rtt_microseconds_sum", "rtt_count"):
        assert "shucu_cache_" + n in out, "/metrics has no shucu_cache_%s:\n%s" % (n, r.text[-2000:])
    return out


def delta(before, after, name):
    return after["shucu_cache_" + name] - before["shucu_cache_" + name]


def hot(key, days=7, server=None):
    r = request("GET", "/v1/stats/hot-queries?days=%d" % days, key=key, server=server)
    assert_status(r, 200)
    return r.json


def redis_pid(redis):
    """lib.Redis keeps the Popen handle; its pid is the redis-server's."""
    pid = getattr(redis, "pid", None)
    if pid is None:
        pid = redis.proc.pid
    return pid


# ------------------------------------------------------------ module


def setup_module():
    global S, R, P1, P2, ENT, ENT2, CEN, ADM
    R = lib.start_redis()
    S = lib.use(lib.Server(redis=R, workers=2, extra_args=PATIENT))
    P1 = S.key("provider", ORG1)
    P2 = S.key("provider", ORG2)
    ENT = S.key("enterprise", ENT_NAME)
    ENT2 = S.key("enterprise", "佛山美家家电配件厂")
    CEN = S.key("center", "湖北省制造业数字化转型促进中心")
    ADM = S.key("admin", "运营方")
    for t in ("面向机械行业的AI视觉质检解决方案", "冲压件表面缺陷在线质检系统",
              "离散制造MES制造执行系统", "注塑车间能耗在线监测平台"):
        create_res(title=t)
    # Both workers connected to Redis before the first cacheable request.
    wait_health(S, "ok", 10)


def teardown_module():
    try:
        if S:
            S.stop()
    finally:
        if R:
            R.stop()


# ------------------------------------------------------------ 1. HIT = MISS body


def test_repeated_search_is_a_hit_with_the_same_body():
    create_res(title="冲压模具智能质检工作站")  # a fresh generation: nothing cached yet
    for qs in ("q=%s" % q("质检"), "q=%s&limit=5&industry=machinery" % q("质检"),
               "limit=50", "q=%s&highlight=0" % q("表面缺陷")):
        a = search(qs, want="MISS")
        b = search(qs, want="HIT")
        eq(strip(b.json), strip(a.json), "HIT body equals the MISS body for %s" % qs)
        eq(b.headers.get("Content-Type"), a.headers.get("Content-Type"), "Content-Type")
        c = search(qs, want="HIT")
        eq(strip(c.json), strip(a.json), "third answer for %s" % qs)
    assert search("q=%s" % q("质检")).json["total"] >= 3


def test_repeated_match_is_a_hit_with_the_same_body():
    create_res(title="冲压件缺陷视觉检测方案", industries=["machinery"], scenarios=["quality"])
    body = need_body(title="冲压件表面缺陷视觉检测 " + word())
    a = match(body, want="MISS")
    assert a.json["matches"], "the need matches something: %r" % a
    b = match(body, want="HIT")
    eq(strip(b.json), strip(a.json), "HIT body equals the MISS body")
    # explain=1 is a different answer, cached on its own.
    e1 = match(body, qs="limit=20&explain=1", want="MISS")
    e2 = match(body, qs="limit=20&explain=1", want="HIT")
    eq(strip(e2.json), strip(e1.json), "explained HIT equals the explained MISS")
    assert "explain" in e1.json["matches"][0] and "explain" not in a.json["matches"][0]


def test_repeated_need_matches_is_a_hit_with_the_same_body():
    n = create_need(title="冲压车间质检数字化 " + word())
    a = need_matches(n["id"], want="MISS")
    eq(a.json["need"]["id"], n["id"])
    b = need_matches(n["id"], want="HIT")
    eq(strip(b.json), strip(a.json), "HIT body equals the MISS body")
    # A center sees the same matches (its own entry, same content).
    c1 = need_matches(n["id"], key=CEN)
    c2 = need_matches(n["id"], key=CEN, want="HIT")
    eq(strip(c2.json), strip(c1.json))
    eq(match_ids(c1.json), match_ids(a.json), "center and owner see the same matches")
    # Another enterprise is refused, also once the answer is cached.
    r = request("GET", "/v1/needs/%s/matches" % n["id"], key=ENT2)
    assert r.status in (403, 404), "another enterprise reads a cached need's matches: %r" % r
    assert "X-Cache" not in r.headers or r.headers.get("X-Cache") != "HIT", r


# ------------------------------------------------------------ 2. keys


def test_normalised_queries_share_one_entry():
    w = word()
    create_res(title="云%s MES系统" % w)
    create_res(title="MES 车间版")
    a = search("q=%s" % q("ＭＥＳ"), want="MISS")
    b = search("q=mes", want="HIT")
    c = search("q=%s" % q("  MES "), want="HIT")
    eq(strip(b.json), strip(a.json))
    eq(strip(c.json), strip(a.json))
    assert a.json["total"] >= 3, a.json
    # Mixed case, ideographic space and tabs too.
    search("q=%s" % q("\u3000Mes\t"), want="HIT")
    # The order of query parameters does not matter.
    search("q=mes&kind=solution&industry=machinery", want="MISS")
    search("industry=machinery&q=MES&kind=solution", want="HIT")


def test_different_parameters_are_different_entries():
    create_res(title="MES 离散制造 增强版", kind="product", industries=["electronics"])
    base = strip(search("q=mes", want="MISS").json)
    search("q=mes", want="HIT")
    assert base["total"] >= 3, base
    variants = {
        "q=mes&kind=product": lambda j: all(h["kind"] == "product" for h in j["hits"]),
        "q=mes&industry=electronics": lambda j: all("electronics" in h["industries"]
                                                    for h in j["hits"]),
        "q=mes&limit=1": lambda j: len(j["hits"]) == 1,
        "q=mes&offset=1": lambda j: ids(j) == ids(base)[1:],
        "q=mes&sort=newest": lambda j: sorted(ids(j)) == sorted(ids(base)),
        "q=mes&highlight=0": lambda j: j["total"] == base["total"],
        "q=mes%20mes2": None,
        "q=mes&max_price=1": None,
    }
    for qs, check in variants.items():
        a = search(qs, want="MISS")
        b = search(qs, want="HIT")
        eq(strip(b.json), strip(a.json), qs)
        if check:
            assert check(a.json), "%s: wrong answer %r" % (qs, a.json)
    # ...and none of them replaced the base entry.
    eq(strip(search("q=mes", want="HIT").json), base, "base entry")
    # Limit/offset on a match are different entries too.
    body = need_body(title="MES上线 " + word())
    m5 = match(body, qs="limit=5", want="MISS")
    m1 = match(body, qs="limit=1", want="MISS")
    assert len(m1.json["matches"]) <= 1, m1
    match(body, qs="limit=5", want="HIT")
    other = dict(body, region="广东省")
    match(other, qs="limit=5", want="MISS")
    # Same need, members in another order: same entry.
    rev = dict(reversed(list(body.items())))
    eq(strip(match(rev, qs="limit=5", want="HIT").json), strip(m5.json), "reordered body")


# ------------------------------------------------------------ 3. writes


def test_create_patch_delete_are_seen_at_once():
    common = "q=%s" % q("质检")
    search(common)
    before = search(common, want="HIT").json
    w1, w2 = word(), word()
    res = create_res(title="%s 智能质检一体机" % w1, tags=["质检"])
    after = search(common, want="MISS").json
    eq(after["total"], before["total"] + 1, "total after creating a matching resource")
    assert res["id"] in ids(search(common + "&limit=100", want="MISS").json)
    search(common, want="HIT")

    # PATCH the title: the new word finds it, the old one does not.
    eq(ids(search("q=" + w1, want="MISS").json), [res["id"]])
    search("q=" + w1, want="HIT")
    eq(search("q=" + w2, want="MISS").json["total"], 0)
    search("q=" + w2, want="HIT")
    r = request("PATCH", "/v1/resources/" + res["id"], {"title": "%s 智能质检一体机" % w2}, key=P1)
    assert_status(r, 200)
    a = search("q=" + w1, want="MISS").json
    eq(a["total"], 0, "old title word after PATCH")
    b = search("q=" + w2, want="MISS").json
    eq(ids(b), [res["id"]], "new title word after PATCH")
    eq(b["hits"][0]["title"], "%s 智能质检一体机" % w2, "title in the hit")
    search("q=" + w2, want="HIT")

    # A non-text change is visible too.
    r = request("PATCH", "/v1/resources/" + res["id"], {"deploy_days": 77}, key=P1)
    assert_status(r, 200)
    eq(search("q=" + w2, want="MISS").json["hits"][0].get("deploy_days", 77), 77)

    # DELETE: gone everywhere.
    assert_status(request("DELETE", "/v1/resources/" + res["id"], key=P1), 200)
    eq(search("q=" + w2, want="MISS").json["total"], 0, "withdrawn resource still found")
    eq(search(common, want="MISS").json["total"], before["total"], "total after DELETE")
    assert res["id"] not in ids(search(common + "&limit=100").json)


def test_provider_rename_is_seen():
    k = S.key("provider", "改名前供应商" + word(""))
    w = word()
    res = create_res(key=k, title="%s 质检平台" % w)
    org = res["provider"]["id"]
    search("q=" + w, want="MISS")
    eq(search("q=" + w, want="HIT").json["hits"][0]["provider"]["name"], res["provider"]["name"])
    name = "改名后供应商" + word("")
    r = request("PATCH", "/v1/orgs/" + org, {"name": name}, key=k)
    assert_status(r, 200)
    hit = search("q=" + w, want="MISS").json["hits"][0]
    eq(hit["provider"]["name"], name, "provider name in a search hit after the rename")


def test_need_write_changes_its_matches():
    n = create_need(title="冲压件缺陷检测 " + word())
    a = need_matches(n["id"], want="MISS").json
    need_matches(n["id"], want="HIT")
    eq(a["need"]["version"], 1)
    r = request("PATCH", "/v1/needs/" + n["id"], {"description": "改为全检，节拍10秒"}, key=ENT)
    assert_status(r, 200)
    b = need_matches(n["id"], want="MISS").json
    eq(b["need"]["version"], 2, "need.version after PATCH")
    eq(b["need"]["description"], "改为全检，节拍10秒", "need.description after PATCH")
    need_matches(n["id"], want="HIT")
    # A new resource that fits the need shows up in its matches at once.
    w = word()
    res = create_res(title="%s 冲压件缺陷检测" % w, industries=["machinery"], scenarios=["quality"],
                     tags=["冲压件", "缺陷检测"])
    c = need_matches(n["id"], qs="limit=50", want="MISS").json
    assert res["id"] in match_ids(c), "new fitting resource missing from the need's matches"
    # Closing the need is a write too.
    r = request("PATCH", "/v1/needs/" + n["id"], {"status": "closed"}, key=ENT)
    if r.status == 200:
        d = need_matches(n["id"], want="MISS").json
        eq(d["need"]["status"], "closed")
        eq(d["need"]["version"], 3)


def test_post_match_sees_new_resource():
    body = need_body(title="注塑机能耗监测 " + word(), industry="light_industry",
                     scenarios=["energy"])
    a = match(body, qs="limit=50", want="MISS").json
    match(body, qs="limit=50", want="HIT")
    res = create_res(title="注塑机能耗监测与节能优化", industries=["light_industry"],
                     scenarios=["energy"], tags=["注塑", "能耗"])
    b = match(body, qs="limit=50", want="MISS").json
    assert res["id"] in match_ids(b) and res["id"] not in match_ids(a), (match_ids(a), match_ids(b))
    assert_status(request("DELETE", "/v1/resources/" + res["id"], key=P1), 200)
    c = match(body, qs="limit=50", want="MISS").json
    assert res["id"] not in match_ids(c), "withdrawn resource still matched"


# ------------------------------------------------------------ 4. two processes


def test_two_processes_never_serve_stale():
    A = S
    B = lib.Server(db=S.db, redis=R, workers=2, extra_args=PATIENT)
    try:
        wait_health(B, "ok", 10)
        rng = random.Random(20240601)
        tag = word("tg")  # every resource of this test carries it
        live = {}         # id -> title word
        need = create_need(server=B, title="冲压件缺陷视觉检测 " + word())
        need_version = 1

        # A warms, B reads the very same entry (one shared Redis).
        search("q=" + tag, server=A, want="MISS")
        search("q=" + tag, server=A, want="HIT")
        search("q=" + tag, server=B, want="HIT")

        for rnd in range(10):
            reader, writer = (A, B) if rnd % 2 == 0 else (B, A)
            who = "round %d (write via %s, read via %s)" % (
                rnd, "B" if writer is B else "A", "A" if reader is A else "B")
            ops = ["create", "need"]
            if live:
                ops += ["retitle", "delete", "price"]
            op = rng.choice(ops) if rnd >= 2 else ("create", "need")[rnd]
            # Warm the reader with the tag query (and the need's matches).
            search("q=" + tag, server=reader)
            warm = search("q=" + tag + "&limit=100", server=reader)
            search("q=" + tag + "&limit=100", server=reader, want="HIT")
            eq(sorted(ids(warm.json)), sorted(live), who + ": warm tag query")
            need_matches(need["id"], server=reader)
            need_matches(need["id"], server=reader, want="HIT")

            if op == "create":
                w = word()
                search("q=" + w, server=reader)
                eq(search("q=" + w, server=reader, want="HIT").json["total"], 0)
                res = create_res(server=writer, title="%s 冲压件缺陷检测" % w, tags=[tag, "缺陷检测"],
                                 industries=["machinery"], scenarios=["quality"])
                live[res["id"]] = w
                eq(ids(search("q=" + w, server=reader, want="MISS").json), [res["id"]],
                   who + ": new resource by its word")
            elif op == "retitle":
                rid = rng.choice(sorted(live))
                old, new = live[rid], word()
                search("q=" + old, server=reader)
                eq(ids(search("q=" + old, server=reader, want="HIT").json), [rid])
                r = request("PATCH", "/v1/resources/" + rid,
                            {"title": "%s 冲压件缺陷检测" % new}, key=P1, server=writer)
                assert_status(r, 200)
                live[rid] = new
                eq(search("q=" + old, server=reader, want="MISS").json["total"], 0,
                   who + ": old word after retitle")
                eq(ids(search("q=" + new, server=reader, want="MISS").json), [rid],
                   who + ": new word after retitle")
            elif op == "delete":
                rid = rng.choice(sorted(live))
                w = live.pop(rid)
                search("q=" + w, server=reader)
                search("q=" + w, server=reader, want="HIT")
                assert_status(request("DELETE", "/v1/resources/" + rid, key=P1, server=writer), 200)
                eq(search("q=" + w, server=reader, want="MISS").json["total"], 0,
                   who + ": deleted resource")
            elif op == "price":
                rid = rng.choice(sorted(live))
                w = live[rid]
                search("q=" + w, server=reader)
                search("q=" + w, server=reader, want="HIT")
                price = {"min": rng.randint(1, 1000) * 100, "max": 9000000, "unit": "套"}
                r = request("PATCH", "/v1/resources/" + rid, {"price": price}, key=P1,
                            server=writer)
                assert_status(r, 200)
                hit = search("q=" + w, server=reader, want="MISS").json["hits"][0]
                eq(hit.get("price"), price, who + ": price after PATCH")
            elif op == "need":
                desc = "第%d轮：%s" % (rnd, word())
                r = request("PATCH", "/v1/needs/" + need["id"], {"description": desc}, key=ENT,
                            server=writer)
                assert_status(r, 200)
                need_version += 1
                j = need_matches(need["id"], server=reader, want="MISS").json
                eq((j["need"]["version"], j["need"]["description"]), (need_version, desc),
                   who + ": need after PATCH")

            # Whatever the write was, the tag query on the reader is fresh.
            got = search("q=" + tag + "&limit=100", server=reader, want="MISS").json
            eq(sorted(ids(got)), sorted(live), who + " (%s): tag query after the write" % op)
            # ... and so is the writer's own view (the reader stored it: HIT).
            got_w = search("q=" + tag + "&limit=100", server=writer, want="HIT").json
            eq(sorted(ids(got_w)), sorted(live), who + ": writer's view")
            jn = need_matches(need["id"], server=reader).json
            eq(jn["need"]["version"], need_version, who + ": need version")
    finally:
        B.stop()


# ------------------------------------------------------------ 5. Redis dies


def test_redis_killed_then_restarted():
    r5 = lib.start_redis()
    s5 = lib.Server(redis=r5, workers=2, extra_args=PATIENT)
    try:
        wait_health(s5, "ok", 10)
        p = s5.key("provider", "华中智造科技")
        e = s5.key("enterprise", ENT_NAME)
        c = s5.key("center", "湖北省制造业数字化转型促进中心")
        for t in ("面向机械行业的AI视觉质检解决方案", "冲压件表面缺陷在线质检系统"):
            create_res(server=s5, key=p, title=t)
        common = "q=%s" % q("质检")
        body = need_body(title="冲压件质检 " + word())
        search(common, server=s5, want="MISS")
        warm = strip(search(common, server=s5, want="HIT").json)
        match(body, server=s5, key=e, want="MISS")
        warm_m = strip(match(body, server=s5, key=e, want="HIT").json)
        m0 = metrics(s5)

        r5.kill()
        h = wait_health(s5, "degraded", 5)
        eq(h["cache"], {"backend": "redis", "connected": False}, "/healthz cache while Redis is down")
        for _ in range(6):
            a = search(common, server=s5, want="MISS", timeout=5)
            eq(strip(a.json), warm, "search while Redis is down")
            b = match(body, server=s5, key=e, want="MISS", timeout=5)
            eq(strip(b.json), warm_m, "match while Redis is down")
        # Writes still work, and are seen.
        w = word()
        res = create_res(server=s5, key=p, title="%s 质检工作站" % w)
        eq(ids(search("q=" + w, server=s5, want="MISS").json), [res["id"]])
        down = search(common, server=s5, want="MISS").json
        eq(down["total"], warm["total"] + 1, "total after a write while Redis is down")
        hq = hot(c, server=s5)
        eq((hq["available"], hq["searches"], hq["matches"]), (False, [], []),
           "hot queries while Redis is down")
        healthz_down = healthz(s5)
        eq(healthz_down["status"], "degraded")

        r5.restart()
        h = wait_health(s5, "ok", 10)
        eq(h["cache"], {"backend": "redis", "connected": True}, "/healthz cache after restart")
        deadline = time.time() + 10
        while True:
            a = search(common, server=s5)
            eq(strip(a.json)["total"], warm["total"] + 1, "total after Redis came back")
            eq(strip(a.json), strip(down), "answer after Redis came back")
            if cache_state(a) == "HIT":
                break
            assert time.time() < deadline, "no HIT within 10 s of Redis' restart"
            time.sleep(0.1)
        m1 = metrics(s5)
        assert delta(m0, m1, "reconnects_total") >= 1, "reconnects_total did not grow: %r %r" % (m0, m1)
        assert delta(m0, m1, "hits_total") >= 1
        hq = hot(c, server=s5)
        eq(hq["available"], True, "hot queries after restart")
    finally:
        s5.stop()
        r5.stop()


def test_redis_hangs_sigstop_then_sigcont():
    r6 = lib.start_redis()
    s6 = lib.Server(redis=r6, workers=2)
    pid = redis_pid(r6)
    stopped = False
    try:
        wait_health(s6, "ok", 10)
        p = s6.key("provider", "华中智造科技")
        e = s6.key("enterprise", ENT_NAME)
        for t in ("面向机械行业的AI视觉质检解决方案", "冲压件表面缺陷在线质检系统"):
            create_res(server=s6, key=p, title=t)
        common = "q=%s" % q("质检")
        body = need_body(title="冲压件质检 " + word())
        search(common, server=s6, want="MISS")
        warm = strip(search(common, server=s6, want="HIT").json)
        match(body, server=s6, key=e, want="MISS")
        warm_m = strip(match(body, server=s6, key=e, want="HIT").json)
        m0 = metrics(s6)

        os.kill(pid, signal.SIGSTOP)
        stopped = True
        slow = []

        def timed(fn, *a, **kw):
            t = time.monotonic()
            r = fn(*a, **kw)
            dt = time.monotonic() - t
            if dt > 1.0:
                slow.append((dt, r.method, r.path))
            return r

        for i in range(12):
            a = timed(search, common, server=s6, want="MISS", timeout=5)
            eq(strip(a.json), warm, "search while Redis hangs (#%d)" % i)
        for i in range(4):
            b = timed(match, body, server=s6, key=e, want="MISS", timeout=5)
            eq(strip(b.json), warm_m, "match while Redis hangs (#%d)" % i)
        assert not slow, "answers slower than 1 s while Redis hangs: %r" % slow
        # /healthz says degraded while traffic keeps tripping the breaker.
        deadline = time.time() + 5
        states = []
        while True:
            for _ in range(3):
                timed(search, common, server=s6, timeout=5)
            h = healthz(s6)
            states.append(h["status"])
            if h["status"] == "degraded":
                eq(h["cache"]["connected"], False, "cache.connected while degraded")
                break
            assert time.time() < deadline, "/healthz never said degraded while Redis hangs: %r" % states
        # Writes work and are visible at once, still within ~1 s.
        w = word()
        t0 = time.monotonic()
        res = create_res(server=s6, key=p, title="%s 质检工作站" % w)
        eq(ids(timed(search, "q=" + w, server=s6, timeout=5).json), [res["id"]])
        during = strip(timed(search, common, server=s6, timeout=5).json)
        eq(during["total"], warm["total"] + 1, "total after a write while Redis hangs")
        assert time.monotonic() - t0 < 3, "write + two searches took %.1f s" % (time.monotonic() - t0)
        assert not slow, "answers slower than 1 s while Redis hangs: %r" % slow
        m1 = metrics(s6)
        assert delta(m0, m1, "errors_total") >= 3, "errors_total did not count the timeouts: %r -> %r" % (m0, m1)

        os.kill(pid, signal.SIGCONT)
        stopped = False
        # The old entry (previous generation) is still in Redis: never served.
        deadline = time.time() + 10
        while True:
            a = search(common, server=s6, timeout=5)
            eq(strip(a.json), during, "answer after Redis resumed")
            if cache_state(a) == "HIT":
                break
            assert time.time() < deadline, "no HIT within 10 s of SIGCONT"
            time.sleep(0.1)
        wait_health(s6, "ok", 10)
        match(body, server=s6, key=e, timeout=5)
        mm = match(body, server=s6, key=e, want="HIT", timeout=5)
        eq(match_ids(mm.json), match_ids(match(body, server=s6, key=e).json))
    finally:
        if stopped:
            os.kill(pid, signal.SIGCONT)
        s6.stop()
        r6.stop()


def test_hot_queries_answer_while_redis_hangs():
    r7 = lib.start_redis()
    s7 = lib.Server(redis=r7, workers=1)
    pid = redis_pid(r7)
    stopped = False
    try:
        wait_health(s7, "ok", 10)
        c = s7.key("center", "湖北省制造业数字化转型促进中心")
        search("q=%s" % q("质检"), server=s7)
        eq(hot(c, server=s7)["available"], True)
        os.kill(pid, signal.SIGSTOP)
        stopped = True
        t = time.monotonic()
        try:
            r = request("GET", "/v1/stats/hot-queries?days=7", key=c, server=s7, timeout=3)
        except AssertionError as e:
            raise AssertionError("GET /v1/stats/hot-queries gave no answer within %.1f s while "
                                 "Redis hangs (SIGSTOP): %s" % (time.monotonic() - t, e))
        dt = time.monotonic() - t
        assert_status(r, 200)
        assert dt < 1.0, "hot queries took %.2f s while Redis hangs" % dt
        eq(r.json["available"], False, "available while Redis hangs")
    finally:
        if stopped:
            os.kill(pid, signal.SIGCONT)
        time.sleep(0.5)  # late Redis answers reach the server
        try:
            healthz(s7)
            s7.stop()
        finally:
            r7.stop()


def test_healthz_stays_degraded_while_redis_hangs():
    r8 = lib.start_redis()
    s8 = lib.Server(redis=r8, workers=1)
    pid = redis_pid(r8)
    stopped = False
    try:
        wait_health(s8, "ok", 10)
        os.kill(pid, signal.SIGSTOP)
        stopped = True
        for _ in range(6):
            search("q=%s" % q("质检"), server=s8, timeout=5)
        seen = []
        t0 = time.monotonic()
        while time.monotonic() - t0 < 4:
            seen.append((round(time.monotonic() - t0, 1), healthz(s8)["status"]))
            time.sleep(0.25)
        bad = [x for x in seen if x[1] != "degraded"]
        assert not bad, ("/healthz said ok while Redis was still hung (SIGSTOP), once no "
                         "search had timed out for a while: (seconds, status) %r" % seen)
    finally:
        if stopped:
            os.kill(pid, signal.SIGCONT)
        s8.stop()
        r8.stop()


# ------------------------------------------------------------ 6. no Redis


def test_redis_none():
    s = lib.Server(redis="none", workers=2)
    try:
        p = s.key("provider", "华中智造科技")
        e = s.key("enterprise", ENT_NAME)
        c = s.key("center", "湖北省制造业数字化转型促进中心")
        res = create_res(server=s, key=p)
        for _ in range(3):
            j = search("q=%s" % q("质检"), server=s, want="MISS").json
            eq(ids(j), [res["id"]])
            match(need_body(), server=s, key=e, want="MISS")
        for _ in range(4):
            h = healthz(s)
            eq(h["status"], "ok", "/healthz status without a cache")
            eq(h["cache"], {"backend": "none", "connected": False}, "/healthz cache without one")
        hq = hot(c, server=s)
        eq((hq["days"], hq["available"], hq["searches"], hq["matches"]), (7, False, [], []),
           "hot queries without a cache")
        m = metrics(s)
        eq((m["shucu_cache_hits_total"], m["shucu_cache_reconnects_total"]), (0, 0),
           "hits and reconnects without a cache")
    finally:
        s.stop()


# ------------------------------------------------------------ 7. hot queries


def test_hot_queries():
    s = lib.Server(workers=2, extra_args=PATIENT)  # its own Redis: exact counts
    try:
        wait_health(s, "ok", 10)
        p = s.key("provider", "华中智造科技")
        e = s.key("enterprise", ENT_NAME)
        c = s.key("center", "湖北省制造业数字化转型促进中心")
        a = s.key("admin", "运营方")
        create_res(server=s, key=p)
        create_res(server=s, key=p, title="离散制造APS排产系统", tags=["排产"])
        for qq in ("质检", "  质检 ", "质检"):
            search("q=%s" % q(qq), server=s)
        search("q=%s&offset=1" % q("质检"), server=s)  # a later page is not another search
        search("q=%s" % q("排产"), server=s)
        title = "冲压件表面缺陷视觉检测改造"
        match(need_body(title=title), server=s, key=e)

        for key in (c, a):
            j = hot(key, server=s)
            eq(j["days"], 7)
            eq(j["available"], True, "available")
            sq = [x["q"] for x in j["searches"]]
            assert "质检" in sq and "排产" in sq, j
            cnt = {x["q"]: x["count"] for x in j["searches"]}
            eq(cnt["质检"], 3, "count of 质检 (3 searches, page 2 not counted)")
            eq(cnt["排产"], 1, "count of 排产")
            assert sq.index("质检") < sq.index("排产"), "质检 not above 排产: %r" % j
            counts = [x["count"] for x in j["searches"]]
            eq(counts, sorted(counts, reverse=True), "searches sorted by count")
            mq = {x["q"]: x["count"] for x in j["matches"]}
            assert title in mq, "match title not among hot matches: %r" % j
            eq(mq[title], 1, "count of the match title")
            assert "质检" not in mq, "a search counted as a match: %r" % j
        eq(hot(c, days=1, server=s)["searches"], hot(c, days=31, server=s)["searches"],
           "all counts are today's")

        for key, who in ((e, "enterprise"), (p, "provider")):
            r = request("GET", "/v1/stats/hot-queries?days=7", key=key, server=s)
            assert_error(r, 403, "forbidden")
        assert_error(request("GET", "/v1/stats/hot-queries?days=7", server=s), 401, "unauthorized")
        for d in ("0", "32", "-1", "abc", "7.5"):
            r = request("GET", "/v1/stats/hot-queries?days=" + d, key=c, server=s)
            assert_error(r, 400, "bad_param", "days")
        eq(hot(c, server=s)["days"], 7)
        r = request("GET", "/v1/stats/hot-queries", key=c, server=s)
        assert_status(r, 200)
        eq(r.json["days"], 7, "default days")
    finally:
        s.close()


# ------------------------------------------------------------ 8. metrics


def test_metrics_count_hits_and_misses():
    create_res(title="冲压件检测 " + word())
    m0 = metrics(S)
    w = word()
    search("q=" + w, want="MISS")
    m1 = metrics(S)
    eq((delta(m0, m1, "misses_total"), delta(m0, m1, "hits_total")), (1, 0), "after one MISS")
    search("q=" + w, want="HIT")
    search("q=" + w, want="HIT")
    m2 = metrics(S)
    eq((delta(m1, m2, "misses_total"), delta(m1, m2, "hits_total")), (0, 2), "after two HITs")
    body = need_body(title="冲压件 " + word())
    match(body, want="MISS")
    match(body, want="HIT")
    n = create_need()
    need_matches(n["id"], want="MISS")
    need_matches(n["id"], want="HIT")
    m3 = metrics(S)
    eq((delta(m2, m3, "misses_total"), delta(m2, m3, "hits_total")), (2, 2),
       "after match and need-matches MISS + HIT")
    eq(delta(m0, m3, "errors_total"), 0, "errors with a healthy Redis")
    eq(delta(m0, m3, "rtt_count"), 7, "one round trip per cacheable request")
    assert delta(m0, m3, "rtt_microseconds_sum") > 0, (m0, m3)
    # Uncacheable requests and errors count nothing.
    request("GET", "/v1/search?limit=0")
    request("GET", "/healthz")
    m4 = metrics(S)
    eq((delta(m3, m4, "misses_total"), delta(m3, m4, "hits_total")), (0, 0), "after a 400")


# ------------------------------------------------------------ 9. big answers, TTL


def test_oversized_answer_not_cached_but_served():
    s = lib.Server(workers=2, extra_args=["--cache-max-entry", "1024", "--cache-ttl", "2"])
    try:
        wait_health(s, "ok", 10)
        p = s.key("provider", "华中智造科技")
        made = [create_res(server=s, key=p, title="智能质检方案%02d" % i)["id"] for i in range(22)]
        m0 = metrics(s)
        a = search("limit=100", server=s, want="MISS")
        assert len(a.body) > 1024, len(a.body)
        eq(sorted(ids(a.json)), sorted(made), "every resource listed")
        b = search("limit=100", server=s, want="MISS")
        eq(strip(b.json), strip(a.json), "same body for the uncached big answer")
        c = search("q=%s&limit=100" % q("质检"), server=s, want="MISS")
        d = search("q=%s&limit=100" % q("质检"), server=s, want="MISS")
        eq(strip(d.json), strip(c.json))
        eq(c.json["total"], 22)
        # A small answer on the same server is cached (the cache works)...
        w = word()
        small = search("q=" + w, server=s, want="MISS")
        assert len(small.body) <= 1024, "control answer is not small: %d bytes" % len(small.body)
        search("q=" + w, server=s, want="HIT")
        m1 = metrics(s)
        eq(delta(m0, m1, "hits_total"), 1)
        eq(delta(m0, m1, "misses_total"), 5)
        # ... for --cache-ttl seconds.
        time.sleep(3)
        search("q=" + w, server=s, want="MISS")
        search("q=" + w, server=s, want="HIT")
    finally:
        s.close()
