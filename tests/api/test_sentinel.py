"""
test_sentinel.py - the cache follows a Redis failover (issue 25).

A real Redis master, a replica and three sentinels on loopback.  shucud
is given `--redis sentinel://…/shucu`, asks the sentinels where the master
is, and caches there.  The master is killed (SIGKILL); the sentinels
promote the replica; shucud notices (the connection drops, or ROLE says
replica), asks the sentinels again and caches on the new master.  Every
search answers 200 with the right hits throughout: Redis is a cache.
"""

import os
import subprocess
import time
import urllib.parse

import lib
from lib import assert_status, eq, request

PROCS = []


def start(args, d, name):
    log = open(os.path.join(d, name + ".log"), "ab")
    p = subprocess.Popen(args, cwd=d, stdout=log, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL)
    log.close()
    PROCS.append(p)
    return p


def wait_ping(port, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if lib._redis_ping(port):
            return
        time.sleep(0.05)
    raise AssertionError("nothing answers PING on port %d" % port)


def cli(port, *args):
    p = subprocess.run(["redis-cli", "-p", str(port)] + [str(a) for a in args],
                       capture_output=True, timeout=10)
    return p.stdout.decode().strip()


def teardown_module():
    for p in PROCS:
        if p.poll() is None:
            p.kill()
            p.wait()


def search(srv, q):
    r = request("GET", "/v1/search?q=" + urllib.parse.quote(q), server=srv, timeout=10)
    assert_status(r, 200)
    return r


def test_cache_follows_a_sentinel_failover():
    d = lib.tmpdir("sentinel")
    master, replica = lib.free_port(), lib.free_port()
    base = ["redis-server", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    mproc = start(base + ["--port", str(master)], d, "master")
    start(base + ["--port", str(replica), "--replicaof", "127.0.0.1", str(master)], d, "replica")
    wait_ping(master)
    wait_ping(replica)
    sports = []
    for i in range(3):
        port = lib.free_port()
        conf = os.path.join(d, "sentinel%d.conf" % i)
        with open(conf, "w") as f:
            f.write("port %d\nbind 127.0.0.1\nsentinel monitor shucu 127.0.0.1 %d 2\n"
                    "sentinel down-after-milliseconds shucu 1000\n"
                    "sentinel failover-timeout shucu 5000\n"
                    "sentinel parallel-syncs shucu 1\n" % (port, master))
        start(["redis-server", conf, "--sentinel"], d, "sentinel%d" % i)
        sports.append(port)
    for port in sports:
        wait_ping(port)
    # The sentinels learn of the replica from the master's INFO (every 10 s)
    # and of each other from its hello channel: only then can they fail over.
    deadline = time.time() + 30
    while time.time() < deadline:
        known = [(cli(p, "SENTINEL", "REPLICAS", "shucu").count("127.0.0.1"),
                  cli(p, "SENTINEL", "SENTINELS", "shucu").count("127.0.0.1")) for p in sports]
        if all(r >= 1 and s >= 2 for r, s in known):
            break
        time.sleep(0.5)
    else:
        raise AssertionError("the sentinels did not find the replica and each other: %r" % known)
    url = "sentinel://" + ",".join("127.0.0.1:%d" % p for p in sports) + "/shucu"
    srv = lib.Server(redis=url, workers=1)
    try:
        prov = srv.key("provider", "哨兵测试服务商")
        assert_status(request("POST", "/v1/resources", lib.resource(title="哨兵切换前的视觉质检"),
                              key=prov, server=srv), 201)
        first = search(srv, "视觉质检")
        again = search(srv, "视觉质检")
        eq(again.headers.get("X-Cache"), "HIT", "cached on the first master")
        eq(again.json["hits"], first.json["hits"], "the cached answer")
        assert int(cli(master, "DBSIZE")) > 0, "the answers are kept on the master"

        mproc.kill()
        mproc.wait()
        t0 = time.time()
        # Answers stay right while the sentinels fail over.
        while time.time() - t0 < 30:
            r = search(srv, "视觉质检")
            eq([h["title"] for h in r.json["hits"]], ["哨兵切换前的视觉质检"], "hits during failover")
            if "master" in cli(replica, "ROLE").split("\n")[0]:
                break
            time.sleep(0.2)
        assert "master" in cli(replica, "ROLE").split("\n")[0], "the replica was not promoted"
        # A write moves the generation: the next answer is computed and, once
        # shucud follows the failover, cached on the new master.
        assert_status(request("POST", "/v1/resources", lib.resource(title="哨兵切换后的视觉质检"),
                              key=prov, server=srv), 201)
        hit = False
        while time.time() - t0 < 40 and not hit:
            r = search(srv, "视觉质检")
            eq(sorted(h["title"] for h in r.json["hits"]),
               ["哨兵切换前的视觉质检", "哨兵切换后的视觉质检"], "hits after the failover")
            hit = r.headers.get("X-Cache") == "HIT"
            if not hit:
                time.sleep(0.3)
        assert hit, "no cache hit on the new master within 40 s of the failover"
        followed = time.time() - t0
        assert int(cli(replica, "DBSIZE")) > 0
        h = request("GET", "/healthz", server=srv).json
        eq(h["cache"]["connected"], True, "healthz after the failover")
        eq(h["status"], "ok", "healthz after the failover")
        print("    (followed the failover in %.1f s)" % followed)

        # The old master comes back (as a replica), and a planned failover
        # makes it the master again: the connection to the demoted node may
        # stay open, so shucud must notice by ROLE and move.
        start(base + ["--port", str(master), "--replicaof", "127.0.0.1", str(replica)], d,
              "master2")
        wait_ping(master)
        deadline = time.time() + 30
        while time.time() < deadline and "connected" not in cli(master, "INFO", "replication"):
            time.sleep(0.3)
        while time.time() < deadline:
            if cli(sports[0], "SENTINEL", "FAILOVER", "shucu") == "OK":
                break
            time.sleep(1)
        t1 = time.time()
        while time.time() - t1 < 30 and "master" not in cli(master, "ROLE").split("\n")[0]:
            time.sleep(0.2)
        assert "master" in cli(master, "ROLE").split("\n")[0], "the planned failover did not happen"
        assert_status(request("POST", "/v1/resources", lib.resource(title="再次切换后的排产"),
                              key=prov, server=srv), 201)
        hit = False
        while time.time() - t1 < 40 and not hit:
            r = search(srv, "视觉质检")
            eq(r.json["total"], 3, "hits after the planned failover")
            hit = r.headers.get("X-Cache") == "HIT"
            if not hit:
                time.sleep(0.3)
        assert hit, "no cache hit on the re-promoted master within 40 s"
        print("    (followed the planned failover in %.1f s)" % (time.time() - t1))
    finally:
        srv.stop()
