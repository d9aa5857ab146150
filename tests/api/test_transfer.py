"""
test_transfer.py - `shucud export` and `shucud import --all` (issue 20)
move a center's whole database: the demo center with its activity is
exported, imported into a new file, passes `shucud check`, holds the same
number of rows in every table, and a new server on it answers the same
records, logins and change feed (a follower's cursor stays good).
"""

import json
import os
import sqlite3
import subprocess
import time

import lib
from lib import assert_status, eq

TABLES = ("orgs", "keys", "users", "resources", "needs", "responses", "enterprise_files",
          "enterprise_file_docs", "assessments", "assessment_revisions", "authorities",
          "report_targets", "changes", "notifications")


def counts(db):
    c = sqlite3.connect(db)
    out = {t: c.execute("SELECT count(*) FROM %s" % t).fetchone()[0] for t in TABLES}
    c.close()
    return out


def test_export_import_check_and_compare():
    d = lib.tmpdir("transfer")
    old = os.path.join(d, "old.db")
    seed = lib.run_cli("seed", "--dir", "data/demo", "--db", old)
    keys = {l.split()[0]: l.split()[1] for l in seed.stdout.splitlines() if l.startswith(("center", "enterprise"))}
    lib.run_cli("keys", "create", "--db", old, "--role", "authority", "--org", "迁移测试经信局",
                "--region", "湖北省/武汉市")
    a = lib.Server(db=old, redis="none", workers=1)
    try:
        assert_status(lib.request("PUT", "/v1/reports/targets", {"level_2_plus_share": 0.4},
                                  key=keys["center"], server=a), 200)
        before = {p: lib.request("GET", p, key=keys["center"], server=a).json
                  for p in ("/v1/enterprises?limit=5", "/v1/needs?limit=5", "/v1/reports/levels?by=industry")}
        feed = lib.request("GET", "/v1/changes?limit=1000", key=keys["center"], server=a).json
    finally:
        a.stop()
    dump = os.path.join(d, "all.ndjson")
    with open(dump, "wb") as f:
        p = subprocess.run([lib.shucud_path(), "export", "--db", old], cwd=lib.REPO, stdout=f,
                           stderr=subprocess.PIPE, env=lib.child_env(), timeout=120)
    eq(p.returncode, 0, p.stderr)
    lines = open(dump, encoding="utf-8").read().splitlines()
    head, end = json.loads(lines[0]), json.loads(lines[-1])
    eq(head["shucu_export"], 1)
    eq(end, {"end": True, "rows": len(lines) - 2})
    assert not any('"resources_fts' in l for l in lines[1:]), "indexes are not exported"
    new = os.path.join(d, "new.db")
    lib.run_cli("import", "--all", dump, "--db", new)
    check = lib.run_cli("check", "--db", new)
    assert "all checks passed" in check.stdout, check.stdout
    eq(counts(new), counts(old))
    # into a database that holds something: refused, nothing written
    p = lib.run_cli("import", "--all", dump, "--db", new, check=False)
    eq(p.returncode, 1)
    assert "not empty" in p.stderr
    # a file cut short: refused
    cut = os.path.join(d, "cut.ndjson")
    open(cut, "w", encoding="utf-8").write("\n".join(lines[:len(lines) // 2]) + "\n")
    p = lib.run_cli("import", "--all", cut, "--db", os.path.join(d, "cut.db"), check=False)
    eq(p.returncode, 1)
    assert "cut short" in p.stderr, p.stderr
    b = lib.Server(db=new, redis="none", workers=1)
    try:
        for path, doc in before.items():
            got = lib.request("GET", path, key=keys["center"], server=b).json
            got.pop("generated_at", None), doc.pop("generated_at", None)
            got.pop("to", None), doc.pop("to", None)
            eq(got, doc, path)
        # the follower's cursor still holds, and nothing new came
        r = lib.request("GET", "/v1/changes?since=" + feed["next"], key=keys["center"], server=b)
        assert_status(r, 200)
        eq(r.json["changes"], [])
        # a search works (the full-text index was rebuilt) and a login too
        r = lib.request("GET", "/v1/search?q=%E8%B4%A8%E6%A3%80", server=b)
        assert r.json["total"] > 0, r.text[:200]
        assert_status(lib.request("GET", "/v1/me", key=keys["enterprise"], server=b), 200)
    finally:
        b.stop()


def test_import_of_an_old_export_gives_no_feed_number_twice():
    """An export from before migration 14 may lack the newest entries of
    its feed (its trim removed them; AUTOINCREMENT kept their numbers):
    the import copies the newest entry left up to the horizon, so the
    next write takes a number no follower has seen.  Its times are text,
    made Unix seconds as migration 14 makes them."""
    d = lib.tmpdir("transfer-seq")
    old = os.path.join(d, "old.db")
    lib.run_cli("seed", "--dir", "data/demo", "--db", old)
    p = subprocess.run([lib.shucud_path(), "export", "--db", old], cwd=lib.REPO, capture_output=True,
                       env=lib.child_env(), timeout=120)
    eq(p.returncode, 0, p.stderr)
    lines = [json.loads(l) for l in p.stdout.decode("utf-8").splitlines()]
    feed = [x for x in lines if x.get("t") == "changes"]
    top = max(x["r"]["seq"] for x in feed)
    lines = [x for x in lines if not (x.get("t") == "changes" and x["r"]["seq"] > top - 3)]
    for x in lines:
        if x.get("t") == "meta" and x["r"]["k"] == "changes_trimmed":
            x["r"]["v"] = top  # the trim removed the three newest
        if x.get("t") == "changes":  # and times were RFC 3339 text then
            x["r"]["at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(x["r"]["at"]))
    lines[-1]["rows"] = len(lines) - 2
    dump = os.path.join(d, "old.ndjson")
    open(dump, "w", encoding="utf-8").write(
        "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n")
    new = os.path.join(d, "new.db")
    lib.run_cli("import", "--all", dump, "--db", new)
    c = sqlite3.connect(new)
    eq(c.execute("SELECT max(seq) FROM changes").fetchone()[0], top, "the horizon is held by a copy")
    c.execute("INSERT INTO report_targets VALUES ('', 0.5, 't', 'x')")  # not in the feed
    c.execute("UPDATE enterprise_files SET size = size WHERE fid = (SELECT min(fid) FROM enterprise_files)")
    c.commit()
    eq(c.execute("SELECT max(seq) FROM changes").fetchone()[0], top + 1, "the next number is new")
    eq(c.execute("SELECT count(*) FROM changes WHERE typeof(at) <> 'integer'").fetchone()[0], 0,
       "the times of the old export are Unix seconds now")
    c.close()
