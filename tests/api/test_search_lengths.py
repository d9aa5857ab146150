"""
test_search_lengths.py - search ranks with each resource's length kept in
memory by the worker (issue 24: corpus_lengths, migration 13's length log),
and writes keep it right.

A server that has searched (and so loaded the lengths) sees resources
created, made longer, withdrawn and published again; its scores must then be
those of a second server started afterwards on the same file, which reads
every length afresh.  BM25 depends on the length, so a stale length shows as
a different score.  And `shucud reindex` (which rewrites the index without
the log knowing each row) must not leave a running server with stale ones.
"""

import json
import urllib.parse

import lib
from lib import assert_status, eq, request

S = None
P = None
IDS = []


def setup_module():
    global S, P
    S = lib.use(lib.Server(redis="none", workers=1))
    P = S.key("provider", "长度测试服务商")
    lines = []
    for i in range(40):
        lines.append(json.dumps({
            "kind": "product", "title": "质检终端 %d" % i,
            "summary": "视觉质检" + "，适用于产线" * (i % 7),
            "description": "说明" * (i * 3),
            "industries": ["machinery"], "scenarios": ["quality"]}, ensure_ascii=False))
    r = request("POST", "/v1/resources:bulk", raw="\n".join(lines) + "\n",
                ctype="application/x-ndjson", key=P)
    assert_status(r, 200)
    r = request("GET", "/v1/resources?limit=100", key=P)
    assert_status(r, 200)
    IDS.extend(x["id"] for x in r.json["items"])


def teardown_module():
    if S:
        S.close()


def ranked(server, q="质检"):
    r = request("GET", "/v1/search?" + urllib.parse.urlencode({"q": q, "limit": 100}),
                server=server)
    assert_status(r, 200)
    return [(h["id"], h["score"]) for h in r.json["hits"]]


def fresh_view():
    """The same search by a server that reads every length now."""
    t = lib.Server(db=S.db, redis="none", workers=1)
    try:
        return ranked(t)
    finally:
        t.close()


def test_scores_after_writes_equal_a_fresh_servers():
    before = ranked(S)
    eq(len(before), 40, "hits before")
    # longer, shorter, withdrawn, new
    r = request("PATCH", "/v1/resources/" + IDS[0], {"description": "很长的说明" * 200}, key=P)
    assert_status(r, 200)
    r = request("PATCH", "/v1/resources/" + IDS[1], {"description": "", "summary": "质检"}, key=P)
    assert_status(r, 200)
    r = request("DELETE", "/v1/resources/" + IDS[2], key=P)
    assert_status(r, 200)
    r = request("POST", "/v1/resources", {
        "kind": "solution", "title": "新的质检方案", "summary": "质检" * 3,
        "industries": ["machinery"], "scenarios": ["quality"]}, key=P)
    assert_status(r, 201)
    after = ranked(S)
    eq(len(after), 40, "40 - 1 withdrawn + 1 new")
    assert after != before, "the writes change the scores"
    eq(after, fresh_view(), "hits and scores equal a fresh server's")


def test_reindex_while_serving():
    ranked(S)
    r = lib.run_cli("reindex", "--db", S.db, check=False)
    eq(r.returncode, 0, "shucud reindex: %s" % (r.stderr,))
    r = request("PATCH", "/v1/resources/" + IDS[3], {"summary": "质检质检质检"}, key=P)
    assert_status(r, 200)
    eq(ranked(S), fresh_view(), "after a reindex and a write")
