"""
test_changes.py - the change feed (GET /v1/changes, issue 20):

  - complete and ordered: every record made appears, seq strictly rising,
    a record carried as the caller may see it now;
  - two shucud processes writing to one database at once: the feed holds
    every record of both, in one strictly rising order;
  - kill -9 in the middle of writes: every resource row has its feed
    entry and every "create" entry its row (one transaction, triggers);
  - a follower (`shucu changes --cursor-file`) stopped and started again
    misses nothing;
  - an authority: records of its region, "hidden" when a file moves out,
    nothing of other regions;
  - trimming: a cursor behind the horizon is 410, since=0 still meets
    every record.
"""

import calendar
import os
import re
import sqlite3
import subprocess
import threading
import time

import lib
from lib import assert_status, eq

S = None
K = {}


def authority_key(server, org, region):
    p = lib.run_cli("keys", "create", "--db", server.db, "--role", "authority", "--org", org,
                    "--region", region)
    return p.stdout.strip().splitlines()[-1]


def feed(key, since="0", server=None, limit=1000):
    """Every change after since, following next until more is false."""
    out, cur = [], since
    while True:
        r = lib.request("GET", "/v1/changes?since=%s&limit=%d" % (cur, limit), key=key, server=server)
        assert_status(r, 200)
        out += r.json["changes"]
        cur = r.json["next"]
        if not r.json["more"]:
            return out, cur


def setup_module():
    global S
    S = lib.use(lib.Server(redis="none", workers=2))
    K["center"] = S.key("center", "变更测试促进中心")
    K["provider"] = S.key("provider", "变更测试服务商")
    K["ent"] = S.key("enterprise", "变更测试企业")
    K["auth"] = authority_key(S, "变更测试武汉经信局", "湖北省/武汉市")


def teardown_module():
    if S:
        S.stop()


def new_resource(i, key=None, server=None):
    r = lib.request("POST", "/v1/resources", lib.resource(title="变更测试资源%d" % i),
                    key=key or K["provider"], server=server)
    assert_status(r, 201)
    return r.json["id"]


def test_feed_is_complete_ordered_and_carries_records():
    ids = [new_resource(i) for i in range(5)]
    changes, cur = feed(K["center"])
    seqs = [c["seq"] for c in changes]
    eq(seqs, sorted(set(seqs)), "seq strictly rising")
    got = {c["id"] for c in changes if c["type"] == "resource" and c["op"] == "create"}
    assert set(ids) <= got, set(ids) - got
    c = [c for c in changes if c["id"] == ids[0]][0]
    eq(c["record"]["title"], "变更测试资源0")
    for k in ("seq", "type", "id", "op", "at", "record"):
        assert k in c, c
    # the time a follower reads is RFC 3339 UTC (stored as Unix seconds), and now
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", c["at"]), c["at"]
    t = calendar.timegm(time.strptime(c["at"], "%Y-%m-%dT%H:%M:%SZ"))
    assert abs(t - time.time()) < 300, c["at"]
    # resumable: nothing new after the cursor, then exactly the new one
    eq(feed(K["center"], cur)[0], [])
    rid = new_resource(99)
    later, _ = feed(K["center"], cur)
    eq([(x["type"], x["id"], x["op"]) for x in later if x["type"] == "resource"],
       [("resource", rid, "create")])
    # who may follow: centers, admins, authorities
    assert_status(lib.request("GET", "/v1/changes", key=K["provider"]), 403)
    assert_status(lib.request("GET", "/v1/changes", key=K["ent"]), 403)
    assert_status(lib.request("GET", "/v1/changes"), 401)
    assert_status(lib.request("GET", "/v1/changes?since=xyz", key=K["center"]), 400)


def test_authority_sees_its_region_and_hidden_when_a_file_leaves_it():
    ent = lib.request("GET", "/v1/me", key=K["ent"]).json["org"]["id"]
    f = {"industry": "machinery", "province": "湖北省", "city": "武汉市", "district": "江岸区",
         "contact": {"name": "联系人", "phone": "13900001111"}}
    assert_status(lib.request("PUT", "/v1/orgs/%s/file" % ent, f, key=K["ent"]), 200)
    changes, cur = feed(K["auth"])
    files = [c for c in changes if c["type"] == "file" and c["id"] == ent]
    assert files and files[-1]["record"]["district"] == "江岸区", files
    assert "13900001111" not in str(files), "an authority reads no contact"
    # another region's enterprise: never in the authority's feed
    other = S.key("enterprise", "变更测试外省企业")
    oid = lib.request("GET", "/v1/me", key=other).json["org"]["id"]
    assert_status(lib.request("PUT", "/v1/orgs/%s/file" % oid,
                              {"industry": "food", "province": "河南省", "city": "郑州市"},
                              key=other), 200)
    # the enterprise moves out of 武汉
    f.update(city="宜昌市", district="当阳市")
    assert_status(lib.request("PUT", "/v1/orgs/%s/file" % ent, f, key=K["ent"]), 200)
    later, _ = feed(K["auth"], cur)
    mine = [c for c in later if c["id"] == ent]
    assert mine and mine[-1]["op"] == "hidden" and mine[-1]["record"] is None, mine
    # (its organisation's public profile is public: type org)
    assert not [c for c in later if c["id"] == oid and c["type"] != "org"], \
        "another region's records stay out"
    everything, _ = feed(K["auth"])
    assert not [c for c in everything if c["id"] == oid and c["type"] == "file"]
    # the center sees it all, as it is now
    allc, _ = feed(K["center"])
    assert [c for c in allc if c["id"] == oid and c["type"] == "file"]


def test_follower_stops_and_resumes_missing_nothing():
    shucu = os.path.join(lib.REPO, "build/shucu")
    if not os.path.exists(shucu):
        raise lib.Skip("no build/shucu")
    cfile = os.path.join(lib.tmpdir("follow"), "cursor")
    env = lib.child_env({"SHUCU_URL": "http://127.0.0.1:%d" % S.port, "SHUCU_KEY": K["center"]})
    seen = []

    def run(follow_seconds=None):
        args = [shucu, "changes", "--cursor-file", cfile, "--limit", "7"]
        if follow_seconds:
            args += ["--follow", "--interval", "0.2"]
            p = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            time.sleep(follow_seconds)
            p.terminate()
            out, _ = p.communicate(timeout=10)
        else:
            out = subprocess.run(args, env=env, capture_output=True, timeout=60, check=True).stdout
        import json
        return [json.loads(l) for l in out.decode().splitlines() if l.strip()]

    seen += run()
    made = [new_resource(200 + i) for i in range(10)]
    seen += run(follow_seconds=1.5)           # follows, then is stopped
    made += [new_resource(300 + i) for i in range(10)]  # written while it is away
    seen += run()                              # resumes from the saved cursor
    seqs = [c["seq"] for c in seen]
    eq(seqs, sorted(set(seqs)), "no change twice, none out of order")
    allc, _ = feed(K["center"])
    eq(seqs, [c["seq"] for c in allc], "the follower saw exactly the feed")
    got = {c["id"] for c in seen}
    assert set(made) <= got, set(made) - got


def test_two_processes_writing_one_database():
    a = lib.Server(redis="none", workers=2)
    b = lib.Server(db=a.db, redis="none", workers=2)
    try:
        pk = a.key("provider", "双进程服务商")
        ck = a.key("center", "双进程中心")
        made = {"a": [], "b": []}
        errors = []

        def writer(srv, name):
            try:
                for i in range(40):
                    made[name].append(new_resource(i, key=pk, server=srv))
            except AssertionError as e:
                errors.append(e)

        ts = [threading.Thread(target=writer, args=(a, "a")),
              threading.Thread(target=writer, args=(b, "b"))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        assert not errors, errors
        for srv in (a, b):  # either process answers the same feed
            changes, _ = feed(ck, server=srv, limit=37)
            seqs = [c["seq"] for c in changes]
            eq(seqs, sorted(set(seqs)), "one strictly rising order")
            creates = [c["id"] for c in changes if c["type"] == "resource" and c["op"] == "create"]
            eq(sorted(creates), sorted(made["a"] + made["b"]), "every record of both")
            # the feed's order is the order the writes committed in: each
            # process's own records appear in the order it made them
            for name in ("a", "b"):
                eq([x for x in creates if x in set(made[name])], made[name])
    finally:
        b.stop()
        a.stop()


def test_kill_9_during_writes_keeps_entries_and_changes_together():
    srv = lib.Server(redis="none", workers=2)
    pk = srv.key("provider", "断电测试服务商")
    stop = threading.Event()

    def writer():
        i = 0
        while not stop.is_set():
            try:
                lib.request("POST", "/v1/resources", lib.resource(title="断电资源%d" % i), key=pk,
                            server=srv)
            except AssertionError:
                return  # the server is gone
            i += 1

    ts = [threading.Thread(target=writer) for _ in range(3)]
    for t in ts:
        t.start()
    time.sleep(1.5)
    srv.proc.kill()  # SIGKILL, mid-write
    srv.proc.wait()
    stop.set()
    for t in ts:
        t.join()
    srv.expect_running = False
    db = sqlite3.connect(srv.db)
    rows = {r[0] for r in db.execute("SELECT id FROM resources")}
    entries = {r[0] for r in db.execute("SELECT id FROM changes WHERE type = 'resource' AND op = 'create'")}
    db.close()
    assert len(rows) > 5, "the writers wrote something before the kill"
    eq(rows, entries, "each resource has its entry and each entry its resource")
    srv.start()  # and the server opens the file again
    try:
        assert_status(lib.request("GET", "/healthz", server=srv), 200)
    finally:
        srv.stop()


def test_trimmed_cursor_is_gone_and_since_0_still_meets_every_record():
    srv = lib.Server(redis="none", workers=1)
    try:
        ck = srv.key("center", "裁剪测试中心")
        pk = srv.key("provider", "裁剪测试服务商")
        rid = new_resource(1, key=pk, server=srv)
        for i in range(3):  # three updates of one record
            r = lib.request("PATCH", "/v1/resources/" + rid, {"summary": "第%d版" % i}, key=pk,
                            server=srv)
            assert_status(r, 200)
        before, cur = feed(ck, server=srv)
        first = "c2%x" % before[0]["seq"]
        # entries older than 0 days are trimmed when superseded
        time.sleep(1.2)  # entry times are whole seconds
        p = lib.run_cli("changes", "trim", "--days", "0", "--db", srv.db)
        assert "trimmed" in p.stdout, p.stdout
        r = lib.request("GET", "/v1/changes?since=" + first, key=ck, server=srv)
        assert_status(r, 410)
        eq(r.json["error"]["code"], "gone")
        assert "since=0" in r.json["error"]["message"]
        after, cur2 = feed(ck, server=srv)
        mine = [c for c in after if c["id"] == rid]
        eq(len(mine), 1, "one entry of the resource is kept: its newest")
        eq(mine[0]["record"]["summary"], "第2版")
        eq({(c["type"], c["id"]) for c in after}, {(c["type"], c["id"]) for c in before},
           "every record still has an entry")
        eq(cur2, cur, "the newest cursor stays good")
        assert_status(lib.request("GET", "/v1/changes?since=" + cur, key=ck, server=srv), 200)
    finally:
        srv.stop()


def test_trim_never_lets_a_number_be_given_twice():
    """seq is a plain INTEGER PRIMARY KEY since migration 14 (max + 1):
    a trim that removed the newest entry of the table (here an old
    delete, which trimming removes) would let the next write take its
    number again, and a follower holding that cursor would skip it.  No
    request deletes a record today, so the delete is made with SQL."""
    srv = lib.Server(redis="none", workers=1)
    try:
        ck = srv.key("center", "编号测试中心")
        pk = srv.key("provider", "编号测试服务商")
        keep = new_resource(1, key=pk, server=srv)
        ek = srv.key("enterprise", "编号测试企业")
        org = lib.request("GET", "/v1/me", key=ek, server=srv).json["org"]["id"]
        import sqlite3
        db = sqlite3.connect(srv.db, timeout=10)
        db.execute("DELETE FROM enterprise_files WHERE org_id = ?", (org,))
        db.commit()
        db.close()
        changes, cur = feed(ck, server=srv)
        eq((changes[-1]["id"], changes[-1]["op"]), (org, "delete"), "the newest entry is the delete")
        time.sleep(1.2)
        lib.run_cli("changes", "trim", "--days", "0", "--db", srv.db)
        r = lib.request("PATCH", "/v1/resources/" + keep, {"summary": "新版"}, key=pk, server=srv)
        assert_status(r, 200)
        after, _ = feed(ck, since=cur, server=srv)
        eq([(c["id"], c["op"]) for c in after], [(keep, "update")],
           "the write after the trim is after the follower's cursor")
        assert after[0]["seq"] > changes[-1]["seq"]
    finally:
        srv.stop()
