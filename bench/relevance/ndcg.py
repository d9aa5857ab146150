#!/usr/bin/python3
"""nDCG@10 of POST /v1/match against graded judgments (stdlib only).

  ndcg.py --start                     seed a temp DB, start build/shucud, measure, stop it
  ndcg.py --url http://H:P --key KEY  measure a running server (enterprise key)
  ndcg.py ... --dump 15               also print the top N per need with grades (for judging)

Judgments: judgments.tsv, "need_id<TAB>provider|external_id<TAB>grade" (0-3).
Gain 2^g-1, log2 discount; ideal DCG from all judged resources of the need;
unjudged results count as grade 0.
"""
import argparse, json, math, os, re, shutil, socket, subprocess, sys, tempfile, time
import urllib.request, urllib.error

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
K = 10


def req(url, key, method="GET", body=None):
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    r = urllib.request.Request(url, data=data, method=method)
    r.add_header("Authorization", "Bearer " + key)
    if data is not None:
        r.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(r, timeout=30) as f:
        return json.load(f)


def load_needs(path):
    needs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                needs.append(json.loads(line))
    return needs


def load_judgments(path):
    j = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3:
                sys.exit("%s:%d: expected 3 tab-separated fields" % (path, n))
            j.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return j


def dcg(grades):
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def start_server():
    binp = os.path.join(ROOT, "build", "shucud")
    if not os.path.exists(binp):
        subprocess.run(["make", "build/shucud"], cwd=ROOT, check=True)
    tmp = tempfile.mkdtemp(prefix="shucu-relevance-")
    db = os.path.join(tmp, "shucu.db")
    out = subprocess.run([binp, "seed", "--db", db, "--dir", os.path.join(ROOT, "data", "demo")],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    key = None
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "enterprise" and parts[1].startswith("shk_"):
            key = parts[1]
            break
    if not key:
        sys.exit("seed printed no enterprise key:\n" + out)
    port = free_port()
    log = open(os.path.join(tmp, "server.log"), "w")
    proc = subprocess.Popen([binp, "serve", "--db", db, "--listen", "127.0.0.1:%d" % port,
                             "--redis", "none", "--workers", "1"], cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT)
    url = "http://127.0.0.1:%d" % port
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/v1/health", timeout=1)
            break
        except urllib.error.HTTPError:
            break  # answering
        except Exception:
            if proc.poll() is not None:
                sys.exit("server exited; see " + log.name)
            time.sleep(0.1)
    return proc, tmp, url, key


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--start", action="store_true", help="seed a temp DB and run a server for the run")
    ap.add_argument("--url", help="base URL of a running server")
    ap.add_argument("--key", help="an API key that may call POST /v1/match (enterprise)")
    ap.add_argument("--needs", default=os.path.join(HERE, "needs.jsonl"))
    ap.add_argument("--judgments", default=os.path.join(HERE, "judgments.tsv"))
    ap.add_argument("--dump", type=int, default=0, help="print top N per need with grades")
    ap.add_argument("--worst", type=int, default=5)
    a = ap.parse_args()
    if not a.start and not (a.url and a.key):
        ap.error("give --start, or --url and --key")

    needs = load_needs(a.needs)
    judg = load_judgments(a.judgments) if os.path.exists(a.judgments) else {}
    proc = tmp = None
    url, key = (a.url or "").rstrip("/"), a.key
    if a.start:
        proc, tmp, url, key = start_server()
    try:
        cache = {}

        def res_key(rid):
            if rid not in cache:
                r = req("%s/v1/resources/%s" % (url, rid), key)
                cache[rid] = ("%s|%s" % ((r.get("provider") or {}).get("name", ""), r.get("external_id", "")),
                              r.get("title", ""))
            return cache[rid]

        rows = []
        lim = max(K, a.dump)
        for need in needs:
            nid = need["id"]
            body = {k: v for k, v in need.items() if k != "id"}
            out = req("%s/v1/match?limit=%d&explain=1" % (url, lim), key, "POST", body)
            got = [res_key(m["resource"]["id"]) + (m.get("score"),) for m in out.get("matches", [])]
            jn = judg.get(nid, {})
            grades = [jn.get(k, 0) for k, _, _ in got[:K]]
            ideal = sorted(jn.values(), reverse=True)[:K]
            idcg = dcg(ideal)
            nd = dcg(grades) / idcg if idcg > 0 else 0.0
            rows.append((nid, need["title"], nd, got, jn))
            if a.dump:
                print("\n## %s %s [%s %s]" % (nid, need["title"], need["industry"], ",".join(need["scenarios"])))
                for i, (k, t, s) in enumerate(got[:a.dump], 1):
                    print("%2d %s %-28s %.3f %s" % (i, jn.get(k, "?"), k, s or 0, t))

        print("\nper-need nDCG@%d" % K)
        for nid, title, nd, _, _ in rows:
            print("  %s  %.3f  %s" % (nid, nd, title))
        mean = sum(r[2] for r in rows) / len(rows) if rows else 0.0
        print("\nmean nDCG@%d over %d needs: %.4f" % (K, len(rows), mean))

        titles = {}
        for _, _, _, got, _ in rows:
            for k, t, _ in got:
                titles[k] = t
        if os.path.exists(os.path.join(ROOT, "data", "demo", "resources.ndjson")):
            with open(os.path.join(ROOT, "data", "demo", "resources.ndjson"), encoding="utf-8") as f:
                for line in f:
                    r = json.loads(line)
                    titles.setdefault("%s|%s" % (r.get("provider", ""), r.get("external_id", "")), r["title"])

        print("\nworst %d needs" % a.worst)
        for nid, title, nd, got, jn in sorted(rows, key=lambda r: r[2])[:a.worst]:
            print("\n## %s  nDCG=%.3f  %s" % (nid, nd, title))
            print("   returned:")
            for i, (k, t, _) in enumerate(got[:K], 1):
                print("     %2d  g=%s  %s  (%s)" % (i, jn.get(k, 0), t, k))
            print("   ideal:")
            ideal = sorted(jn.items(), key=lambda kv: -kv[1])[:K]
            for i, (k, g) in enumerate(ideal, 1):
                if g <= 0:
                    break
                print("     %2d  g=%d  %s  (%s)" % (i, g, titles.get(k, "?"), k))
    finally:
        if proc:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
