"""
test_readme.py - the README's bulk-import example works as written (issue
21): the two commands under "bulk import" - the curl to
POST /v1/resources:bulk and `build/shucud import --provider "华中智造科技有限公司"
data/examples/resources.ndjson` - are read out of README.md and run against
a demo database (only the address, the key and the database path are
swapped for the test's), and the example file they name ships with the
repository.
"""

import json
import os
import re
import subprocess
import urllib.parse

import lib
from lib import eq

README = os.path.join(lib.REPO, "README.md")


def commands():
    """The curl command (continuation lines joined) and the shucud import
    line of the README's bulk-import example."""
    text = open(README, encoding="utf-8").read()
    i = text.index("# bulk import, NDJSON")
    block = text[i:text.index("\n\n", i)]
    lines = [ln.strip() for ln in block.splitlines()[1:]]
    joined, cur = [], ""
    for ln in lines:
        cur += ln[:-1] + " " if ln.endswith("\\") else ln
        if not ln.endswith("\\"):
            joined.append(cur)
            cur = ""
    curl = [c for c in joined if c.startswith("curl ")]
    imp = [c for c in joined if c.startswith("build/shucud import ")]
    assert len(curl) == 1 and len(imp) == 1, joined
    return curl[0], imp[0]


def test_readme_bulk_example_runs_as_written():
    curl, imp = commands()
    m = re.search(r"@(\S+)", curl)
    path = m.group(1)
    assert os.path.exists(os.path.join(lib.REPO, path)), "the README names %s; it must ship" % path
    assert path in imp, "both commands import the same file"
    d = lib.tmpdir("readme")
    db = os.path.join(d, "shucu.db")
    seed = lib.run_cli("seed", "--db", db, "--dir", "data/demo")
    keys = dict(re.findall(r"^(\w+)\s+(shk_\S+)", seed.stdout, re.M))
    srv = lib.Server(db=db, redis="none", workers=1)
    try:
        url = "http://127.0.0.1:%d" % srv.port
        cmd = curl.replace("http://127.0.0.1:8080", url)
        env = dict(os.environ, PROVIDER_KEY=keys["provider"])
        p = subprocess.run(["bash", "-c", cmd], cwd=lib.REPO, env=env, capture_output=True,
                           timeout=60)
        doc = json.loads(p.stdout)
        lines = sum(1 for ln in open(os.path.join(lib.REPO, path), encoding="utf-8") if ln.strip())
        eq((doc["created"], doc["updated"], doc["failed"]), (lines, 0, 0), "the curl import")
        # the same file again through shucud import: updated by external_id
        args = imp.replace("data/shucu.db", db).replace("build/shucud", lib.shucud_path())
        p = subprocess.run(["bash", "-c", args], cwd=lib.REPO, env=lib.child_env(),
                           capture_output=True, timeout=60)
        eq(p.returncode, 0, "shucud import exit (stderr: %s)" % p.stderr[-400:])
        assert ("0 created, %d updated, 0 failed" % lines).encode() in p.stderr, p.stderr[-400:]
        r = srv.request("GET", "/v1/search?q=" + urllib.parse.quote("注塑机联网盒子"))
        assert r.json["hits"] and r.json["hits"][0]["provider"]["name"] == "华中智造科技有限公司", r
        # a provider name that matches no organisation is refused
        bad = imp.replace("华中智造科技有限公司", "华中智造科技").replace("data/shucu.db", db) \
                 .replace("build/shucud", lib.shucud_path())
        p = subprocess.run(["bash", "-c", bad], cwd=lib.REPO, env=lib.child_env(),
                           capture_output=True, timeout=60)
        eq(p.returncode, 2, "an unknown provider")
        assert b"--create-org" in p.stderr, p.stderr
    finally:
        srv.close()
