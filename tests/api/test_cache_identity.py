"""
test_cache_identity.py - a cached answer belongs to one database.

Issue 23, item 1: the cache key held a generation counter that starts at 1
in every database file and goes back after `shucud restore`.  After a
restore, a search returned a resource that no longer existed (cached:
true), and two databases sharing one Redis served each other's answers.
The key now holds the database's identity too (new for every file and
after every restore).
"""

import os
import urllib.parse

import lib
from lib import assert_status, eq, request

R = None


def setup_module():
    global R
    R = lib.Redis()


def teardown_module():
    if R:
        R.stop()


def search(srv, q):
    r = request("GET", "/v1/search?q=" + urllib.parse.quote(q), server=srv)
    assert_status(r, 200)
    return r


def titles(r):
    return sorted(h["title"] for h in r.json["hits"])


def test_two_databases_sharing_one_redis_never_share_answers():
    a = lib.Server(redis=R, workers=1)
    b = lib.Server(redis=R, workers=1)
    try:
        pa, pb = a.key("provider", "甲库服务商"), b.key("provider", "乙库服务商")
        # The same number of writes in each: the generations are equal.
        assert_status(request("POST", "/v1/resources", lib.resource(title="甲库独有的排产系统"),
                              key=pa, server=a), 201)
        assert_status(request("POST", "/v1/resources", lib.resource(title="乙库独有的排产系统"),
                              key=pb, server=b), 201)
        ra = search(a, "排产系统")
        search(a, "排产系统")  # now cached for a
        rb = search(b, "排产系统")
        eq(titles(ra), ["甲库独有的排产系统"], "database a's hits")
        eq(titles(rb), ["乙库独有的排产系统"], "database b's hits (not a's cached answer)")
        eq(rb.json["cached"], False, "b's first search is computed, not a's cached answer")
    finally:
        a.stop()
        b.stop()


def test_restore_never_serves_answers_cached_before_it():
    srv = lib.Server(redis=R, workers=1)
    try:
        p = srv.key("provider", "恢复测试服务商")
        backup = os.path.join(lib.tmpdir("backup"), "before.db")
        lib.run_cli("backup", "--db", srv.db, backup)
        r = request("POST", "/v1/resources", lib.resource(title="恢复前新增的视觉质检"), key=p,
                    server=srv)
        assert_status(r, 201)
        gone = r.json["id"]
        search(srv, "视觉质检")
        cached = search(srv, "视觉质检")
        eq(cached.json["cached"], True, "the answer is cached before the restore")
        assert gone in [h["id"] for h in cached.json["hits"]]
        srv.stop()
        lib.run_cli("restore", "--db", srv.db, backup)
        srv.start()
        # One write brings the generation back to where the cached answer was.
        assert_status(request("POST", "/v1/resources", lib.resource(title="恢复后的排产"), key=p,
                              server=srv), 201)
        after = search(srv, "视觉质检")
        assert gone not in [h["id"] for h in after.json["hits"]], \
            "a search after the restore returned %s, which the restore removed (cached: %s)" % (
                gone, after.json["cached"])
        eq(request("GET", "/v1/resources/" + gone, server=srv).status, 404, "the resource is gone")
    finally:
        srv.stop()
