#!/usr/bin/python3
"""nDCG@10, recall@10 and MRR of POST /v1/match against graded judgments
(stdlib only).

  ndcg.py --start                     seed a temp DB, start build/shucud, measure, stop it
  ndcg.py --url http://H:P --key KEY  measure a running server (enterprise key)
  ndcg.py --start --baseline          also the plain baseline ranker, computed here
  ndcg.py --baseline-only             only the baseline (no server)
  ndcg.py --start --split tune        set 2: only the tune split (what weights may be fitted on)
  ndcg.py --start --config FILE       the server with a config file (ranking weights)
  ndcg.py ... --dump 15               also print the top N per need with grades (for judging)
  ndcg.py ... --worst 5 --per-need    the worst needs with returned vs ideal lists; every need

Without --needs it measures both sets: needs.jsonl/judgments.tsv (36 needs)
and needs2.jsonl/judgments2.tsv (126 needs), the latter by group: tune,
heldout, no-overlap (all and heldout) and all.  The test-set fields id,
split and no_overlap are stripped before a need is posted.

Judgments: "need_id<TAB>provider|external_id<TAB>grade" (0-3).  nDCG@10: gain
2^g-1, log2 discount, ideal DCG from all judged resources of the need,
unjudged results count as grade 0.  recall@10: share of the need's resources
graded 2 or 3 found in the top 10.  MRR: 1/rank of the first result graded
2 or 3 in the top 10 (0 if none).  Needs with no resource graded 2 or more
(set 2's five "nothing fits" needs) count in nDCG but not in recall or MRR.
"""
import argparse, json, math, os, re, shutil, socket, subprocess, sys, tempfile, time
import urllib.request, urllib.error

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
K = 10
REL = 2  # a grade counted as relevant by recall@10 and MRR


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


def start_server(config=None):
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
    extra = ["--config", os.path.abspath(config)] if config else []
    proc = subprocess.Popen([binp, "serve", "--db", db, "--listen", "127.0.0.1:%d" % port,
                             "--redis", "none", "--workers", "1"] + extra, cwd=ROOT,
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


def bigrams(text):
    """Character bigrams of each run of Han characters, and lower-cased
    Latin words: the tokenizer's units, for the baseline."""
    out, run = [], []
    word = ""
    for ch in (text or "") + " ":
        o = ord(ch)
        if 0xFF01 <= o <= 0xFF5E:
            ch = chr(o - 0xFEE0)
            o = ord(ch)
        if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF:
            if word:
                out.append(word)
                word = ""
            run.append(ch)
            continue
        if len(run) == 1:
            out.append(run[0])
        out.extend(run[i] + run[i + 1] for i in range(len(run) - 1))
        run = []
        if ch.isascii() and ch.isalnum():
            word += ch.lower()
        elif word:
            out.append(word)
            word = ""
    return out


class Baseline:
    """The plain ranker the issue compares shucu with: BM25 over bigrams of
    the resource (title, summary, description, tags) for the need's title
    and description, normalised by the best resource, plus industry (exact
    1, general 0.6), scenario (share of the need's scenarios the resource
    has) and budget (1 within, 0 over).  Weights 0.4/0.2/0.2/0.2, not tuned."""

    def __init__(self, path):
        self.res = []
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    self.res.append(json.loads(line))
        self.docs = []
        df = {}
        for r in self.res:
            toks = bigrams(" ".join([r.get("title", ""), r.get("summary", ""),
                                     r.get("description", ""), " ".join(r.get("tags", []))]))
            tf = {}
            for t in toks:
                tf[t] = tf.get(t, 0) + 1
            self.docs.append((tf, len(toks)))
            for t in tf:
                df[t] = df.get(t, 0) + 1
        self.df = df
        self.avgdl = sum(n for _, n in self.docs) / max(1, len(self.docs))

    def rank(self, need, k):
        n = len(self.docs)
        q = set(bigrams(need.get("title", "") + " " + need.get("description", "")))
        text = []
        for tf, dl in self.docs:
            sc = 0.0
            for t in q:
                f = tf.get(t)
                if not f:
                    continue
                idf = math.log(1 + (n - self.df[t] + 0.5) / (self.df[t] + 0.5))
                sc += idf * f * 2.2 / (f + 1.2 * (0.25 + 0.75 * dl / self.avgdl))
            text.append(sc)
        best = max(text) or 1.0
        budget = (need.get("budget") or {}).get("max")
        out = []
        for r, t in zip(self.res, text):
            ind = 1.0 if need["industry"] in r["industries"] else 0.6 if "general" in r["industries"] else 0.0
            sc = sum(1 for s in need["scenarios"] if s in r["scenarios"]) / max(1, len(need["scenarios"]))
            pmin = (r.get("price") or {}).get("min")
            bud = 1.0 if budget is None or pmin is None or pmin <= budget else 0.0
            score = 0.4 * t / best + 0.2 * ind + 0.2 * sc + 0.2 * bud
            out.append((score, "%s|%s" % (r.get("provider", ""), r.get("external_id", "")), r["title"]))
        out.sort(key=lambda x: -x[0])
        return [(key, title, s) for s, key, title in out[:k]]


def metrics(got_keys, jn):
    """nDCG@10, recall@10 and reciprocal rank of one need; recall and RR are
    None when the need has no relevant (grade >= 2) resource."""
    grades = [jn.get(k, 0) for k in got_keys[:K]]
    idcg = dcg(sorted(jn.values(), reverse=True)[:K])
    nd = dcg(grades) / idcg if idcg > 0 else 0.0
    rel = {k for k, g in jn.items() if g >= REL}
    if not rel:
        return nd, None, None
    rec = len(rel & set(got_keys[:K])) / len(rel)
    rr = 0.0
    for i, k in enumerate(got_keys[:K], 1):
        if k in rel:
            rr = 1.0 / i
            break
    return nd, rec, rr


def summarize(label, rows):
    """One line: label, needs, mean nDCG@10, recall@10, MRR."""
    if not rows:
        return "%-22s %4d" % (label, 0)
    nd = sum(r[0] for r in rows) / len(rows)
    rec = [r[1] for r in rows if r[1] is not None]
    rr = [r[2] for r in rows if r[2] is not None]
    return "%-22s %4d   %.4f   %.4f   %.4f" % (label, len(rows), nd, sum(rec) / max(1, len(rec)),
                                               sum(rr) / max(1, len(rr)))


def groups_of(needs):
    """The report's groups: the whole set, or for set 2 tune / heldout /
    no-overlap (of each split and of both)."""
    if not any("split" in n for n in needs):
        return [("all", lambda n: True)]
    return [("tune", lambda n: n.get("split") == "tune"),
            ("heldout", lambda n: n.get("split") == "heldout"),
            ("no-overlap (all)", lambda n: n.get("no_overlap")),
            ("no-overlap, heldout", lambda n: n.get("no_overlap") and n.get("split") == "heldout"),
            ("all", lambda n: True)]


PRIVATE = ("id", "split", "no_overlap")  # fields of the test set, not of a need


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--start", action="store_true", help="seed a temp DB and run a server for the run")
    ap.add_argument("--url", help="base URL of a running server")
    ap.add_argument("--key", help="an API key that may call POST /v1/match (enterprise)")
    ap.add_argument("--needs", help="needs file (default: both sets, needs.jsonl and needs2.jsonl)")
    ap.add_argument("--judgments", help="judgments file of --needs")
    ap.add_argument("--split", help="set 2 only: measure only the needs of this split (tune, heldout)")
    ap.add_argument("--config", help="--start: the server's config file (ranking weights)")
    ap.add_argument("--baseline", action="store_true",
                    help="also rank with the plain baseline (computed here, no server needed)")
    ap.add_argument("--baseline-only", action="store_true", help="only the baseline")
    ap.add_argument("--dump", type=int, default=0, help="print top N per need with grades")
    ap.add_argument("--worst", type=int, default=0, help="print the N worst needs of each set")
    ap.add_argument("--per-need", action="store_true", help="print nDCG@10 of every need")
    a = ap.parse_args()
    if not a.baseline_only and not a.start and not (a.url and a.key):
        ap.error("give --start, or --url and --key (or --baseline-only)")

    if a.needs:
        sets = [(os.path.basename(a.needs), a.needs, a.judgments or os.path.join(HERE, "judgments.tsv"))]
    else:
        sets = [("set 1 (needs.jsonl)", os.path.join(HERE, "needs.jsonl"), os.path.join(HERE, "judgments.tsv")),
                ("set 2 (needs2.jsonl)", os.path.join(HERE, "needs2.jsonl"), os.path.join(HERE, "judgments2.tsv"))]
    pool = os.path.join(ROOT, "data", "demo", "resources.ndjson")
    base = Baseline(pool) if (a.baseline or a.baseline_only) else None
    proc = tmp = None
    url, key = (a.url or "").rstrip("/"), a.key
    if a.start and not a.baseline_only:
        proc, tmp, url, key = start_server(a.config)
    try:
        cache = {}

        def res_key(rid):
            if rid not in cache:
                r = req("%s/v1/resources/%s" % (url, rid), key)
                cache[rid] = ("%s|%s" % ((r.get("provider") or {}).get("name", ""), r.get("external_id", "")),
                              r.get("title", ""))
            return cache[rid]

        titles = {}
        with open(pool, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    titles["%s|%s" % (r.get("provider", ""), r.get("external_id", ""))] = r["title"]

        print("%-22s %4s   %-6s   %-6s   %-6s" % ("group", "n", "nDCG@10", "rec@10", "MRR"))
        for set_name, needs_path, judg_path in sets:
            needs = load_needs(needs_path)
            if a.split:
                needs = [n for n in needs if n.get("split", a.split) == a.split]
            judg = load_judgments(judg_path) if os.path.exists(judg_path) else {}
            rankers = []
            if not a.baseline_only:
                rankers.append("shucu")
            if base:
                rankers.append("baseline")
            for ranker in rankers:
                rows = {}
                lim = max(K, a.dump)
                for need in needs:
                    nid = need["id"]
                    body = {k: v for k, v in need.items() if k not in PRIVATE}
                    if ranker == "shucu":
                        out = req("%s/v1/match?limit=%d&explain=1" % (url, lim), key, "POST", body)
                        got = [res_key(m["resource"]["id"]) + (m.get("score"),) for m in out.get("matches", [])]
                    else:
                        got = base.rank(body, lim)
                    jn = judg.get(nid, {})
                    rows[nid] = metrics([k for k, _, _ in got], jn) + (got, jn, need)
                    if a.dump:
                        print("\n## %s %s %s [%s %s]" % (ranker, nid, need["title"], need["industry"],
                                                         ",".join(need["scenarios"])))
                        for i, (k, t, sc) in enumerate(got[:a.dump], 1):
                            print("%2d %s %-28s %.3f %s" % (i, jn.get(k, "?"), k, sc or 0, t))
                print("-- %s, %s" % (set_name, ranker))
                for label, pred in groups_of(needs):
                    sel = [rows[n["id"]][:3] for n in needs if pred(n)]
                    if sel:
                        print(summarize(label, sel))
                if a.per_need:
                    for n in needs:
                        print("  %s  %.3f  %s" % (n["id"], rows[n["id"]][0], n["title"]))
                for nid in sorted(rows, key=lambda x: rows[x][0])[:a.worst]:
                    nd, _, _, got, jn, need = rows[nid]
                    print("\n## %s  nDCG=%.3f  %s" % (nid, nd, need["title"]))
                    print("   returned:")
                    for i, (k, t, _) in enumerate(got[:K], 1):
                        print("     %2d  g=%s  %s  (%s)" % (i, jn.get(k, 0), t, k))
                    print("   ideal:")
                    for i, (k, g) in enumerate(sorted(jn.items(), key=lambda kv: -kv[1])[:K], 1):
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
