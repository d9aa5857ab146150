"""Nothing acknowledged is lost: writers hammer the server, it is killed
with SIGKILL mid-load, and after a restart every write that got a 2xx is
there, and the full-text indexes agree with the rows (shucud check).
Then backup (online, while serving), check and restore end to end."""
import os
import subprocess
import threading
import time

import urllib.parse

import lib
from lib import assert_status, eq

S = None


def setup_module():
    global S
    S = lib.use(lib.Server(redis="none", workers=2))


def teardown_module():
    if S:
        S.kill()


def shucud(*args):
    return subprocess.run([lib.shucud_path()] + list(args), cwd=lib.REPO,
                          capture_output=True, text=True, timeout=120)


def test_sigkill_under_write_load_loses_nothing():
    keys = [S.key("provider", "耐久测试供应商%d" % i) for i in range(4)]
    acked = {}        # id -> title, only for 201 answers
    lock = threading.Lock()
    stop = threading.Event()

    def writer(i):
        n = 0
        while not stop.is_set() and n < 400:
            title = "耐久写入%d号第%d条 质检" % (i, n)
            try:
                r = lib.request("POST", "/v1/resources", lib.resource(title=title,
                                external_id="d%d-%d" % (i, n)), key=keys[i], server=S,
                                check=False, timeout=5)
            except Exception:
                return  # the server died mid-request: unacknowledged
            if r.status == 201:
                with lock:
                    acked[r.json["id"]] = title
            n += 1

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    S.kill()  # SIGKILL, no chance to flush anything
    stop.set()
    for t in threads:
        t.join(10)
    assert len(acked) > 20, "the writers got some acknowledgements (%d)" % len(acked)

    r = shucud("check", "--db", S.db)
    eq(r.returncode, 0, "shucud check after SIGKILL:\n%s%s" % (r.stdout, r.stderr))
    S.start()
    for rid, title in acked.items():
        g = S.request("GET", "/v1/resources/" + rid)
        assert_status(g, 200)
        eq(g.json["title"], title, "acknowledged write %s kept" % rid)
    # and every acknowledged row is in the index
    got = 0
    for i in range(4):
        r = S.request("GET", "/v1/search?limit=100&q=" + urllib.parse.quote("耐久写入%d号" % i))
        assert_status(r, 200)
        got += r.json["total"]
    assert got >= len(acked), "search finds every acknowledged write (%d < %d)" % (got, len(acked))


def test_backup_while_serving_check_restore():
    key = S.key("provider", "备份测试供应商")
    before = S.request("POST", "/v1/resources", lib.resource(title="备份前的资源 能耗"), key=key)
    assert_status(before, 201)
    dest = os.path.join(S.dir, "backup.db")
    r = shucud("backup", "--db", S.db, dest)  # the server keeps serving
    eq(r.returncode, 0, "backup: %s%s" % (r.stdout, r.stderr))
    r = shucud("backup", "--db", S.db, dest)
    assert r.returncode != 0, "backup refuses to overwrite an existing file"
    r = shucud("check", "--db", dest)
    eq(r.returncode, 0, "the backup checks clean: %s" % r.stdout)
    after = S.request("POST", "/v1/resources", lib.resource(title="备份后的资源"), key=key)
    assert_status(after, 201)
    S.stop()
    r = shucud("restore", "--db", S.db, dest)
    eq(r.returncode, 0, "restore: %s%s" % (r.stdout, r.stderr))
    S.start()
    assert_status(S.request("GET", "/v1/resources/" + before.json["id"]), 200)
    assert_status(S.request("GET", "/v1/resources/" + after.json["id"]), 404)


def test_check_detects_a_damaged_file():
    bad = os.path.join(S.dir, "damaged.db")
    with open(bad, "wb") as f:
        f.write(b"SQLite format 3\x00" + os.urandom(8192))
    r = shucud("check", "--db", bad)
    assert r.returncode != 0, "a damaged file fails the check"
