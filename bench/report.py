#!/usr/bin/python3
"""report.py - turns bench/run.sh's raw results into docs/benchmarks.md and
docs/plots/*.png (gnuplot).

    report.py RESULTS_DIR DOC.md PLOTS_DIR

Statistics: a latency "pass" is every query (or need) sent REPS times; its
median and p99 (nearest rank) are taken over all its samples, and the doc
shows the median of the passes' values with their range.  wrk runs are
summarised the same way (median of runs).  Nothing here knows the targets'
thresholds except the table that states them.
"""

import glob
import datetime
import json
import math
import os
import re
import statistics
import subprocess
import sys
from collections import defaultdict

RES, DOC, PLOTS = sys.argv[1], sys.argv[2], sys.argv[3]


# ---------------------------------------------------------------- helpers
def kv(path):
    """key=value lines; repeated keys become lists."""
    out = defaultdict(list)
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                out[k].append(v)
    return out


def first(d, k, default=""):
    return d[k][0] if d.get(k) else default


def pct(values, p):
    """Nearest-rank percentile."""
    v = sorted(values)
    if not v:
        return float("nan")
    k = max(1, math.ceil(p / 100.0 * len(v)))
    return v[k - 1]


def med(values):
    return statistics.median(values) if values else float("nan")


def passes(pattern, col=1, filt=None):
    """[(samples of pass 1), ...] from files matching pattern; col = ms column."""
    out = []
    for f in sorted(glob.glob(pattern)):
        s = []
        for line in open(f):
            parts = line.rstrip("\n").split("\t")
            if filt and not filt(parts):
                continue
            s.append(float(parts[col]))
        if s:
            out.append(s)
    return out


def summary(ps):
    """median/p99 per pass -> dict of medians over passes and ranges."""
    if not ps:
        return None
    meds = [med(s) for s in ps]
    p99s = [pct(s, 99) for s in ps]
    allv = [x for s in ps for x in s]
    return {"median": med(meds), "p99": med(p99s), "median_rng": (min(meds), max(meds)),
            "p99_rng": (min(p99s), max(p99s)), "n": sum(len(s) for s in ps), "passes": len(ps),
            "per_pass": len(ps[0]), "mean": sum(allv) / len(allv)}


def per_query(pattern, qcol=0, mscol=1, filt=None):
    """query# -> median over every sample of every pass."""
    d = defaultdict(list)
    for f in sorted(glob.glob(pattern)):
        for line in open(f):
            parts = line.rstrip("\n").split("\t")
            if filt and not filt(parts):
                continue
            d[int(parts[qcol])].append(float(parts[mscol]))
    return {q: med(v) for q, v in d.items()}


def raw_mode(mode):
    return lambda parts: parts[0] == mode


def tf_pruned_detail(r):
    """The queries on which topfts skipped rows: each with topfts's and exhc's
    per-query medians, e.g. "排产 2.45 against 2.49 ms"."""
    if not r.get("check") or not r.get("q_raw_topfts") or not r.get("q_raw_exhc"):
        return "n/a"
    out = []
    for q, c in sorted(r["check"].items()):
        if c["tf_rows"] < c["rows"] and q in r["q_raw_topfts"] and q in r["q_raw_exhc"]:
            out.append("`%s` %.2f against %.2f ms" % (queries[q] if q < len(queries) else q,
                                                     r["q_raw_topfts"][q], r["q_raw_exhc"][q]))
    return "; ".join(out) if out else "none"


def wrk(path):
    runs = [json.loads(l) for l in open(path)] if os.path.exists(path) else []
    if not runs:
        return None
    cpu = {}
    cpath = path[:-len(".jsonl")] + ".cpu"
    if os.path.exists(cpath):
        c = {k: float(v[0]) for k, v in kv(cpath).items()}
        hz = c.pop("ticks_per_s", 100.0)
        total = sum(r["requests"] for r in runs)
        cpu = {k: v / hz * 1e6 / max(1, total) for k, v in c.items()}  # CPU µs per answer
    return {"cpu": cpu, "rps": med([r["rps"] for r in runs]), "p99": med([r["p99_ms"] for r in runs]),
            "p50": med([r["p50_ms"] for r in runs]),
            "rps_rng": (min(r["rps"] for r in runs), max(r["rps"] for r in runs)),
            "errors": sum(r["err_connect"] + r["err_read"] + r["err_write"] + r["err_status"] +
                          r["err_timeout"] for r in runs),
            "requests": sum(r["requests"] for r in runs), "runs": len(runs),
            "bytes_per_req": sum(r["bytes"] for r in runs) / max(1, sum(r["requests"] for r in runs))}


def ms(x, nd=2):
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else ("%.*f" % (nd, x))


def rng(t, nd=2):
    return "%s–%s" % (ms(t[0], nd), ms(t[1], nd))


def mib(b):
    return "%.1f MiB" % (b / 1048576.0)


def size_label(n):
    return "%dk" % (n // 1000) if n < 1000000 else "%gM" % (n / 1e6)


def verdict(ok):
    return "**MET**" if ok else "**MISSED**"


# The peers' query forms: key (file prefix), engine, form, what its import is.
PEER_FORMS = [("pg_and", "PostgreSQL", "tokens AND-ed", "pg"), ("pg_expr", "PostgreSQL", "shucu's expression", "pg"),
              ("gr_typed", "Groonga", "as typed", "groonga"), ("gr_expr", "Groonga", "shucu's expression", "groonga"),
              ("sx_typed", "Sphinx", "as typed", "sphinx"), ("sx_expr", "Sphinx", "shucu's expression", "sphinx")]


def peer_ids(path):
    """query# -> (hits, [top-10 rids]) from "query#<TAB>hits<TAB>rid..." lines."""
    out = {}
    if os.path.exists(path):
        for line in open(path):
            p = line.rstrip("\n").split("\t")
            if len(p) >= 2:
                out[int(p[0])] = (int(p[1]), p[2:])
    return out


def peer_agree(r, k):
    """(queries whose hit count equals shucu's, queries compared, [(q, shucu, peer)] that differ,
    mean share of shucu's top 10 the peer's top 10 holds) for one peer form, or None."""
    ids, shu = r["ids_" + k], r["shucu_rids"]
    if not ids or not shu:
        return None
    same, diff, ov = 0, [], []
    for q, (total, rids) in sorted(shu.items()):
        if q not in ids:
            diff.append((q, total, None))
            continue
        if ids[q][0] == total:
            same += 1
        else:
            diff.append((q, total, ids[q][0]))
        if rids:
            ov.append(len(set(rids) & set(ids[q][1])) / float(len(rids)))
    return same, len(shu), diff, (sum(ov) / len(ov) if ov else float("nan"))


def peer_import(r, n, what):
    """(load seconds, resources/s, bytes on disk) of a peer at size n, or None."""
    kvs = r.get(what) or {}
    key = {"pg": ("pg_load_s", "pg_total_bytes"), "groonga": ("groonga_load_s", "groonga_bytes"),
           "sphinx": ("sphinx_load_s", "sphinx_bytes")}[what]
    if not kvs.get(key[0]):
        return None
    t = float(first(kvs, key[0]))
    return t, n / t if t > 0 else float("nan"), int(first(kvs, key[1], "0"))


# ---------------------------------------------------------------- load
machine = kv(os.path.join(RES, "machine.txt"))
peers_info = kv(os.path.join(RES, "peers.txt"))
PEERS_SKIPPED = {k[5:]: v[0] for k, v in peers_info.items() if k.startswith("skip_")}
PEER_NAME = {"groonga": "Groonga", "sphinx": "Sphinx", "postgres": "PostgreSQL"}
sizes = sorted(int(os.path.basename(d)) for d in glob.glob(os.path.join(RES, "[0-9]*")))
queries = [l.rstrip("\n") for l in open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                       "queries.txt"), encoding="utf-8") if l.strip()]
R = {}
for n in sizes:
    d = os.path.join(RES, str(n))
    r = {"dir": d}
    imp = kv(os.path.join(d, "import.txt"))
    walls = [float(x) for x in imp["import_wall_s"]]
    rates = [float(x) for x in imp["import_rate"]]
    r["import_wall"] = med(walls)
    r["import_wall_rng"] = (min(walls), max(walls)) if walls else (0, 0)
    r["import_rate_wall"] = n / med(walls) if walls else float("nan")
    r["import_rate_own"] = med(rates)
    r["import_runs"] = len(walls)
    r["db_bytes"] = int(first(imp, "db_bytes", "0"))
    r["corpus_bytes"] = int(first(imp, "corpus_bytes", "0"))
    fts = res_tbl = total = 0
    dbstat_ok = False
    for line in open(os.path.join(d, "dbstat.txt")):
        if "|" in line:
            name, b = line.strip().rsplit("|", 1)
            dbstat_ok = True
            total += int(b)
            if name.startswith("resources_fts"):
                fts += int(b)
            elif name == "resources":
                res_tbl += int(b)
    r["dbstat"] = dbstat_ok
    r["fts_bytes"], r["res_bytes"], r["dbstat_total"] = fts, res_tbl, total
    r["s10"] = summary(passes(os.path.join(d, "search10.p*.tsv")))
    r["s1"] = summary(passes(os.path.join(d, "search1.p*.tsv")))
    r["hz"] = summary(passes(os.path.join(d, "healthz.p*.tsv")))
    r["match"] = summary(passes(os.path.join(d, "match.p*.tsv")))
    for mode in ("build", "top10", "count", "pass", "facets", "wide", "exh", "exhc", "topfts"):
        r["raw_" + mode] = summary(passes(os.path.join(d, "raw.p*.tsv"), col=2, filt=raw_mode(mode)))
        r["q_raw_" + mode] = per_query(os.path.join(d, "raw.p*.tsv"), qcol=1, mscol=2, filt=raw_mode(mode))
    r["q_s10"] = per_query(os.path.join(d, "search10.p*.tsv"))
    r["q_s1"] = per_query(os.path.join(d, "search1.p*.tsv"))
    r["q_match"] = per_query(os.path.join(d, "match.p*.tsv"))
    # raw "top10 + build" per pass: the FTS5 query plus building its expression
    bt = []
    for f in sorted(glob.glob(os.path.join(d, "raw.p*.tsv"))):
        b, t = defaultdict(list), defaultdict(list)
        for line in open(f):
            m, q, x, _ = line.split("\t")
            if m == "build":
                b[q].append(float(x))
            elif m == "top10":
                t[q].append(float(x))
        s = []
        for q in t:
            s += [tb + bb for tb, bb in zip(t[q], b[q])]
        if s:
            bt.append(s)
    r["raw_bt"] = summary(bt)
    # match stages (matchprof): stage -> need# -> median ms; and rows
    mp = defaultdict(lambda: defaultdict(list))
    mrows = defaultdict(lambda: defaultdict(list))
    p = os.path.join(d, "matchprof.tsv")
    if os.path.exists(p):
        for line in open(p):
            st, q, x, rows = line.rstrip("\n").split("\t")
            mp[st][int(q)].append(float(x))
            mrows[st][int(q)].append(int(rows))
    r["mp"] = {st: {q: med(v) for q, v in qs.items()} for st, qs in mp.items()}
    r["mp_rows"] = {st: {q: med(v) for q, v in qs.items()} for st, qs in mrows.items()}
    r["match_exprs"] = [l.rstrip("\n").split("\t", 1)[1] for l in open(os.path.join(d, "match_exprs.tsv"), encoding="utf-8")] \
        if os.path.exists(os.path.join(d, "match_exprs.tsv")) else []
    r["pg_and"] = summary(passes(os.path.join(d, "pg_and.p*.tsv")))
    r["pg_expr"] = summary(passes(os.path.join(d, "pg_expr.p*.tsv")))
    r["q_pg_and"] = per_query(os.path.join(d, "pg_and.p*.tsv"))
    r["q_pg_expr"] = per_query(os.path.join(d, "pg_expr.p*.tsv"))
    r["pg"] = kv(os.path.join(d, "pg.txt"))
    r["groonga"] = kv(os.path.join(d, "groonga.txt"))
    r["sphinx"] = kv(os.path.join(d, "sphinx.txt"))
    for k, _, _, _ in PEER_FORMS:
        if k not in r:
            r[k] = summary(passes(os.path.join(d, k + ".p*.tsv")))
            r["q_" + k] = per_query(os.path.join(d, k + ".p*.tsv"))
        r["ids_" + k] = peer_ids(os.path.join(d, k + "_ids.tsv"))
    r["shucu_rids"] = peer_ids(os.path.join(d, "shucu_rids.tsv"))
    rss = kv(os.path.join(d, "rss.txt"))
    r["rss"] = {}
    for f in ("rss.txt", "rss_cached.txt"):
        p = os.path.join(d, f)
        if os.path.exists(p):
            for line in open(p):
                k, v = line.split(":", 1)
                r["rss"][(f, k.strip())] = int(v.split()[0]) * 1024
    for w in ("search_uncached", "search_cached", "match_cached"):
        r["wrk_" + w] = wrk(os.path.join(d, "wrk_%s.jsonl" % w))

    def metric(f):
        out = {}
        p = os.path.join(d, f)
        if os.path.exists(p):
            for line in open(p):
                k, v = line.split()
                out[k] = float(v)
        return out
    b, a = metric("cache_before.txt"), metric("cache_after.txt")
    r["cache_hits"] = a.get("shucu_cache_hits_total", 0) - b.get("shucu_cache_hits_total", 0)
    r["cache_misses"] = a.get("shucu_cache_misses_total", 0) - b.get("shucu_cache_misses_total", 0)
    # top-10 agreement
    shu = {}
    for line in open(os.path.join(d, "shucu_ids.tsv")):
        p = line.rstrip("\n").split("\t")
        shu[int(p[0])] = (int(p[1]), int(p[2]), p[3:])
    raw = {}
    for line in open(os.path.join(d, "raw_ids.tsv")):
        p = line.rstrip("\n").split("\t")
        raw[int(p[0])] = (int(p[1]), p[2:])
    # "id:score" lists; scores rounded to 4 places as shucu shows them
    same = ties = 0
    diff = []
    split = lambda l: ([x.rsplit(":", 1)[0] for x in l], ["%.4f" % float(x.rsplit(":", 1)[1]) for x in l])
    for q in shu:
        (a_ids, a_sc), (b_ids, b_sc) = split(shu[q][2]), split(raw.get(q, (0, []))[1])
        if a_ids == b_ids:
            same += 1
        elif a_sc == b_sc:
            ties += 1  # same scores position by position: only equal-score hits swapped
        else:
            diff.append(q)
    r["agree"] = (same, ties, diff, len(shu))
    # issue 24: the top 10 against exhaustive scoring (rawfts --check), in
    # the engine (scores within 1e-9) and in shucu's answers (rids, order,
    # scores as shown: 4 places)
    chk = {}
    p = os.path.join(d, "check.tsv")
    if os.path.exists(p):
        for line in open(p):
            f = line.rstrip("\n").split("\t")
            chk[int(f[0])] = {"rows": int(f[1]), "server": f[2] == "same", "topfts": f[3] == "same",
                              "tf_rows": int(f[4]), "rounds": int(f[5]), "ess": f[6],
                              "top": [(x.rsplit(":", 1)[0], float(x.rsplit(":", 1)[1])) for x in f[7:]]}
    r["check"] = chk
    http_same, http_diff = 0, []
    for q, c in chk.items():
        got = r["shucu_rids"].get(q)
        scores = ["%.4f" % float(x.rsplit(":", 1)[1]) for x in shu.get(q, (0, 0, []))[2]]
        want_rids = [rid for rid, _ in c["top"]]
        want_sc = ["%.4f" % (round(sc * 10000.0) / 10000.0) for _, sc in c["top"]]
        if got and got[1] == want_rids and scores == want_sc:
            http_same += 1
        else:
            http_diff.append(q)
    r["http_exact"] = (http_same, http_diff, len(chk))
    r["totals"] = {q: shu[q][1] for q in shu}
    r["relaxed"] = {q: shu[q][0] for q in shu}
    R[n] = r

# issue 18: scoring, and the register over bench/assessbench's database
AD = os.path.join(RES, "assess")
AS = None
if os.path.isdir(AD):
    sc, ld = kv(os.path.join(AD, "score.txt")), kv(os.path.join(AD, "load.txt"))
    names = [l.rstrip("\n") for l in open(os.path.join(AD, "register.names"), encoding="utf-8")] \
        if os.path.exists(os.path.join(AD, "register.names")) else []
    ps = passes(os.path.join(AD, "register.p*.tsv"))
    pq = defaultdict(list)  # query# -> [(median, p99) per pass]
    for f in sorted(glob.glob(os.path.join(AD, "register.p*.tsv"))):
        per = defaultdict(list)
        for line in open(f):
            parts = line.split("\t")
            per[int(parts[0])].append(float(parts[1]))
        for q, v in per.items():
            pq[q].append((med(v), pct(v, 99)))
    groups = defaultdict(int)
    dbstat_total = 0
    for line in open(os.path.join(AD, "dbstat.txt")) if os.path.exists(os.path.join(AD, "dbstat.txt")) else []:
        if "|" not in line:
            continue
        name, b = line.strip().rsplit("|", 1)
        b = int(b)
        dbstat_total += b
        if name.startswith("enterprise_file") or name.startswith("sqlite_autoindex_enterprise"):
            groups["files"] += b
        elif name.startswith("assessment_revisions") or name.startswith("sqlite_autoindex_assessment_rev"):
            groups["revisions"] += b
        elif name.startswith("assessments") or name.startswith("sqlite_autoindex_assessments"):
            groups["assessments"] += b
        elif name.startswith("orgs") or name.startswith("sqlite_autoindex_orgs"):
            groups["orgs"] += b
        else:
            groups["other"] += b
    def _num(x):
        try:
            return float(x)
        except ValueError:
            return float("nan")
    AS = {"score": {k: _num(first(sc, k, "nan")) for k in sc}, "load": {k: first(ld, k) for k in ld},
          "names": names, "all": summary(ps), "per_query": pq, "groups": groups,
          "dbstat_total": dbstat_total,
          "enterprises": int(first(ld, "enterprises", "0")), "assessments": int(first(ld, "assessments", "0")),
          "db_bytes": int(first(ld, "db_bytes", "0"))}

# issue 20: reports over the same database, the XLSX export, the feed, writes
RD = os.path.join(RES, "reports")
RP = None
if os.path.isdir(RD):
    def _per_query(pattern):
        pq = defaultdict(list)
        for f in sorted(glob.glob(os.path.join(RD, pattern))):
            per = defaultdict(list)
            for line in open(f):
                parts = line.split("\t")
                per[int(parts[0])].append(float(parts[1]))
            for q, v in per.items():
                pq[q].append((med(v), pct(v, 99)))
        return pq
    rnames = [l.rstrip("\n") for l in open(os.path.join(RD, "reports.names"), encoding="utf-8")] \
        if os.path.exists(os.path.join(RD, "reports.names")) else []
    writes = defaultdict(list)
    by_run = defaultdict(dict)  # run -> mode -> seconds
    for f in sorted(glob.glob(os.path.join(RD, "writes.*.txt"))):
        parts = os.path.basename(f).split(".")
        v = first(kv(f), "load_s")
        if v:
            writes[parts[1]].append(float(v))
            by_run[parts[2]][parts[1]] = float(v)
    # each run's pair (feed, then nofeed right after it): the ratio within
    # a pair cancels the drift of the machine between runs
    pairs = sorted(r["feed"] / r["nofeed"] - 1 for r in by_run.values() if "feed" in r and "nofeed" in r)
    instr = {}
    for mode in ("feed", "nofeed"):
        cf = os.path.join(RD, "callgrind.%s.txt" % mode)
        if os.path.exists(cf):
            m = re.search(r"Collected : (\d+)", open(cf).read())
            if m:
                instr[mode] = int(m.group(1))
    RP = {"names": rnames, "center": _per_query("center.p*.tsv"), "authority": _per_query("authority.p*.tsv"),
          "all_center": summary(passes(os.path.join(RD, "center.p*.tsv"))),
          "all_authority": summary(passes(os.path.join(RD, "authority.p*.tsv"))),
          "feed": kv(os.path.join(RD, "feed.txt")), "xlsx": kv(os.path.join(RD, "xlsx.txt")),
          "csv": kv(os.path.join(RD, "csv.txt")), "writes": writes, "pairs": pairs, "instr": instr}

cf = wrk(os.path.join(RES, "wrk_ceiling_fixed.jsonl"))
cr = wrk(os.path.join(RES, "wrk_ceiling_redis.jsonl"))
body_bytes = os.path.getsize(os.path.join(RES, "ceiling_body.json")) if os.path.exists(
    os.path.join(RES, "ceiling_body.json")) else 0

# load samples, up to the end of the run (the sampler may outlive it, e.g.
# through the soak that follows)
def _epoch(iso):
    try:
        return datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc).timestamp()
    except (TypeError, ValueError):
        return float("inf")
RUN_END = _epoch(first(machine, "finished"))
def load_lines():
    p = os.path.join(RES, "load.tsv")
    if not os.path.exists(p):
        return []
    out = []
    for line in open(p):
        parts = line.rstrip("\n").split("\t")
        try:
            if float(parts[0]) <= RUN_END:
                out.append(parts)
        except ValueError:
            pass
    return out
loads = []
for parts in load_lines():
    if len(parts) >= 2:
        try:
            loads.append((float(parts[1]), parts[2] if len(parts) > 2 else ""))
        except ValueError:
            pass
phases = [l.rstrip("\n").split("\t") for l in open(os.path.join(RES, "phases.tsv"))]
# busy processes in the 15-second samples that are not the benchmark's own
OWN = ("shucud", "wrk", "redis-ser", "postgres", "psql", "rawfts", "matchprof", "pgq", "latency", "ceiling_",
       "groonga", "nginx", "searchd", "indexer", "sphinxq",
       "python3", "bash", "segment", "sqlite3", "top", "awk", "runuser", "pg_ctl", "initdb", "make", "cc", "curl",
       "redis-cli", "sed", "grep", "timeout", "sleep", "cut", "date", "kthreadd", "process_a")
outside = defaultdict(list)
nsamples = 0
for parts in load_lines():
    if len(parts) < 3:
        continue
    nsamples += 1
    for item in parts[2].split():
        name, _, cpu = item.rpartition(":")
        try:
            c = float(cpu)
        except ValueError:
            continue
        if c >= 10 and not name.startswith(OWN):
            outside[name].append(c)

# ---------------------------------------------------------------- plots
os.makedirs(PLOTS, exist_ok=True)
dat = os.path.join(RES, "plot.dat")
with open(dat, "w") as f:
    f.write("# size shucu_med shucu_p99 raw_med raw_p99 match_med match_p99 pg_med pg_p99 gr_med gr_p99 sx_med sx_p99\n")
    for n in sizes:
        r = R[n]
        g = lambda s, k: s[k] if s else float("nan")
        f.write("%d %s %s %s %s %s %s %s %s %s %s %s %s\n" % (
            n, g(r["s10"], "median"), g(r["s10"], "p99"), g(r["raw_top10"], "median"),
            g(r["raw_top10"], "p99"), g(r["match"], "median"), g(r["match"], "p99"),
            g(r["pg_expr"], "median"), g(r["pg_expr"], "p99"), g(r["gr_expr"], "median"), g(r["gr_expr"], "p99"),
            g(r["sx_expr"], "median"), g(r["sx_expr"], "p99")))
xt = ", ".join('"%s" %d' % (size_label(n), n) for n in sizes)
common = """set terminal pngcairo size 900,560 font ",11"
set logscale x
set logscale y
set grid
set key top left
set xlabel "corpus size (resources)"
set ylabel "latency (ms), single client, uncached"
set xtics (%s)
set xrange [%g:%g]
set datafile missing "nan"
""" % (xt, sizes[0] / 1.6 if sizes else 1, sizes[-1] * 1.6 if sizes else 10)
gp = common + """set output "%s/search_latency.png"
set title "GET /v1/search (limit=10) vs raw SQLite FTS5 top-10 vs the peers"
plot "%s" u 1:2 w lp lw 2 pt 7 t "shucu median", "" u 1:3 w lp lw 2 pt 5 t "shucu p99", \\
     "" u 1:4 w lp lw 2 dt 2 pt 7 t "raw FTS5 median", "" u 1:5 w lp lw 2 dt 2 pt 5 t "raw FTS5 p99", \\
     "" u 1:8 w lp lw 1 dt 3 pt 7 t "PostgreSQL median (same expression)", "" u 1:9 w lp lw 1 dt 3 pt 5 t "PostgreSQL p99 (same expression)", \\
     "" u 1:10 w lp lw 1 dt 5 pt 6 t "Groonga median (same expression)", "" u 1:12 w lp lw 1 dt 5 pt 4 t "Sphinx median (same expression)", \\
     30 w l lc rgb "red" dt 4 t "target p99 30 ms (100k)"
set output "%s/match_latency.png"
set title "POST /v1/match (200-character needs)"
plot "%s" u 1:6 w lp lw 2 pt 7 t "median", "" u 1:7 w lp lw 2 pt 5 t "p99", \\
     30 w l lc rgb "red" dt 4 t "target p99 30 ms (100k)", 100 w l lc rgb "orange" dt 4 t "target p99 100 ms (1M)"
""" % (PLOTS, dat, PLOTS, dat)
open(os.path.join(RES, "plots.gp"), "w").write(gp)
subprocess.run(["gnuplot", os.path.join(RES, "plots.gp")], check=True)

# ---------------------------------------------------------------- the doc
H = 100000 if 100000 in R else (sizes[-1] if sizes else None)  # headline size
M = 1000000 if 1000000 in R else None
L = []
w = L.append
m1 = lambda k: first(machine, k)

w("# Benchmarks")
w("")
w("*Generated by `bench/run.sh` (`make bench`) on %s; do not edit by hand — rerun it.*" % m1("finished"))
w("")
w("Corpus sizes run: **%s** resources%s." % (", ".join("{:,}".format(n) for n in sizes),
  "" if M else " (1,000,000 is opt-in: `BENCH_SIZES=\"10000 100000 1000000\"`; it was not run this time)"))
w("")

# ---- headline
w("## Headline")
w("")
w("| what | measured | target | verdict |")
w("|---|---|---|---|")
if H:
    r = R[H]
    lab = size_label(H)
    if r["s10"] and r["raw_top10"]:
        ratio = r["s10"]["p99"] / r["raw_top10"]["p99"]
        w("| search p99, shucu / raw SQLite FTS5 top-10 (%s) | **%.2f×** (%s ms / %s ms) | ≤ 1.3× | %s |" % (
            lab, ratio, ms(r["s10"]["p99"]), ms(r["raw_top10"]["p99"]), verdict(ratio <= 1.3)))
    if r["s10"]:
        w("| search p99, uncached, single client (%s) | **%s ms** (median %s ms) | < 30 ms at 100k | %s |" % (
            lab, ms(r["s10"]["p99"]), ms(r["s10"]["median"]), verdict(r["s10"]["p99"] < 30)))
    if r["match"]:
        w("| match p99, uncached, 200-character needs (%s) | **%s ms** (median %s ms) | < 30 ms at 100k | %s |" % (
            lab, ms(r["match"]["p99"]), ms(r["match"]["median"]), verdict(r["match"]["p99"] < 30)))
if M and R[M]["s10"]:
    w("| search p99, uncached, single client (1M) | **%s ms** (median %s ms; raw FTS5 top-10 p99 %s ms) | — | — |" % (
        ms(R[M]["s10"]["p99"]), ms(R[M]["s10"]["median"]),
        ms(R[M]["raw_top10"]["p99"]) if R[M]["raw_top10"] else "n/a"))
if M and R[M]["match"]:
    w("| match p99 (1M) | **%s ms** (median %s ms) | < 100 ms at 1M | %s |" % (
        ms(R[M]["match"]["p99"]), ms(R[M]["match"]["median"]), verdict(R[M]["match"]["p99"] < 100)))
elif not M:
    w("| match p99 (1M) | not run | < 100 ms at 1M | not measured |")
if H and R[H]["pg_and"] and R[H]["s10"]:
    r = R[H]
    a = r["pg_and"]["median"] / r["s10"]["median"]
    b = r["pg_expr"]["median"] / r["s10"]["median"] if r["pg_expr"] else float("nan")
    w("| PostgreSQL median / shucu median, tokens AND-ed (%s) | **%.2f×** (p99: %.2f×) | ≥ 3× | %s |" % (
        size_label(H), a, r["pg_and"]["p99"] / r["s10"]["p99"], verdict(a >= 3)))
    if r["pg_expr"]:
        w("| PostgreSQL median / shucu median, shucu's own expression (%s) | **%.2f×** (p99: %.2f×) | ≥ 3× | %s |" % (
            size_label(H), b, r["pg_expr"]["p99"] / r["s10"]["p99"], verdict(b >= 3)))
# issue 24's targets
for n in [x for x in (H, M) if x]:
    r = R[n]
    g = r.get("gr_expr")
    if r["s10"] and g:
        ok = r["s10"]["median"] <= g["median"] and r["s10"]["p99"] <= g["p99"]
        w("| search median / p99 against Groonga, shucu's expression (%s) | **%s / %s ms** against %s / %s ms | no worse than Groonga | %s |" % (
            size_label(n), ms(r["s10"]["median"]), ms(r["s10"]["p99"]), ms(g["median"]), ms(g["p99"]), verdict(ok)))
        # one client, sequential requests: one core busy at a time, so
        # 1000 / mean latency is the answers per second a core gives
        ts, tg = r["s10"]["mean"], g["mean"]
        if ts and tg:
            w("| throughput per core, search (%s; 1000 / mean sequential latency) | **%.0f** against Groonga's %.0f req/s | ≥ Groonga's | %s |" % (
                size_label(n), 1000.0 / ts, 1000.0 / tg, verdict(ts <= tg)))
if M and R[M]["s10"]:
    w("| search p99 at 1M | **%s ms** | < 50 ms | %s |" % (ms(R[M]["s10"]["p99"]), verdict(R[M]["s10"]["p99"] < 50)))
else:
    w("| search p99 at 1M | not run | < 50 ms | not measured |")
chk_sizes = [n for n in sizes if R[n].get("check")]
if chk_sizes:
    eng = all(all(c["server"] for c in R[n]["check"].values()) for n in chk_sizes)
    htp = all(not R[n]["http_exact"][1] for n in chk_sizes)
    w("| top 10 identical to exhaustive scoring (ids, order; scores within 1e-9 in the engine, as shown over HTTP) | **%s** | every query | %s |" % (
        "; ".join("%s: engine %d of %d, HTTP %d of %d" % (
            size_label(n), sum(c["server"] for c in R[n]["check"].values()), len(R[n]["check"]),
            R[n]["http_exact"][0], R[n]["http_exact"][2]) for n in chk_sizes), verdict(eng and htp)))
for key, name in (("gr", "Groonga"), ("sx", "Sphinx")):
    if H and R[H]["s10"] and R[H].get(key + "_expr"):
        r = R[H]
        e, t = r[key + "_expr"], r.get(key + "_typed")
        ag = peer_agree(r, key + "_expr")
        w("| shucu median / %s median, shucu's expression (%s) | **%.2f×** (p99: %.2f×; as typed: %.2f× and %.2f×) | — | hit counts equal on %s |" % (
            name, size_label(H), r["s10"]["median"] / e["median"], r["s10"]["p99"] / e["p99"],
            r["s10"]["median"] / t["median"] if t else float("nan"), r["s10"]["p99"] / t["p99"] if t else float("nan"),
            "%d of %d queries" % (ag[0], ag[1]) if ag else "n/a"))
if H and R[H]["wrk_search_cached"] and cr:
    c = R[H]["wrk_search_cached"]["rps"] / cr["rps"]
    w("| cached search throughput / evhttp+Redis ceiling (%s) | **%.2f×** (%.0f / %.0f req/s) | ≥ 0.7× | %s |" % (
        size_label(H), c, R[H]["wrk_search_cached"]["rps"], cr["rps"], verdict(c >= 0.7)))
if H and R[H]["wrk_search_cached"] and R[H]["wrk_search_uncached"]:
    u = R[H]["wrk_search_cached"]["rps"] / R[H]["wrk_search_uncached"]["rps"]
    w("| cached / uncached search throughput (%s) | **%.0f×** (%.0f / %.0f req/s) | — | — |" % (
        size_label(H), u, R[H]["wrk_search_cached"]["rps"], R[H]["wrk_search_uncached"]["rps"]))
if M:
    hwm = R[M]["rss"].get(("rss.txt", "VmHWM"))
    if hwm:
        w("| shucud peak RSS (VmHWM) at 1M | **%s** | < 100 MB | %s |" % (mib(hwm), verdict(hwm < 100e6)))
else:
    big = sizes[-1] if sizes else None
    hwm = R[big]["rss"].get(("rss.txt", "VmHWM")) if big else None
    w("| shucud peak RSS (VmHWM) at 1M | not run (%s at %s) | < 100 MB | not measured |" % (
        mib(hwm) if hwm else "n/a", size_label(big) if big else "-"))
imp_sizes = [n for n in sizes if R[n].get("import_runs")]
if imp_sizes:
    walls = [R[n]["import_rate_wall"] for n in imp_sizes]
    w("| bulk import, resources/s (wall, with the FTS5 optimize; the importer's own rate in brackets) | **%s** | ≥ 20,000/s at 1M | %s |" % (
        "; ".join("%s at %s (%s)" % ("{:,.0f}".format(R[n]["import_rate_wall"]), size_label(n),
                                     "{:,.0f}".format(R[n]["import_rate_own"])) for n in imp_sizes),
        verdict(R[M]["import_rate_wall"] >= 20000) if M and R[M].get("import_runs") else "not measured at 1M"))
if H and R[H]["dbstat"]:
    w("| index: database file / FTS5 share (%s) | %s / %.0f %% | — | — |" % (
        size_label(H), mib(R[H]["db_bytes"]), 100.0 * R[H]["fts_bytes"] / max(1, R[H]["dbstat_total"])))
if AS and AS["score"]:
    us = AS["score"].get("score_us_mean", float("nan"))
    w("| scoring one assessment (instrument_score; with the check and the stored JSON in brackets) | **%.1f µs** mean, p99 %.1f µs (%.1f µs) | < 0.2 ms | %s |" % (
        us, AS["score"].get("score_us_p99", float("nan")), AS["score"].get("write_us_mean", float("nan")),
        verdict(us < 200)))
if AS and AS["all"]:
    w("| register and assessment lists, p99 over %d queries (%s enterprises, %s assessments) | **%s ms** (median %s ms) | < 50 ms at 100k | %s |" % (
        len(AS["names"]), "{:,}".format(AS["enterprises"]), "{:,}".format(AS["assessments"]),
        ms(AS["all"]["p99"]), ms(AS["all"]["median"]),
        verdict(AS["all"]["p99"] < 50) if AS["enterprises"] >= 100000 else "not measured at 100k"))
    w("| database of those files and assessments | %s (%s per enterprise with its assessments) | — | — |" % (
        mib(AS["db_bytes"]), "%.1f KiB" % (AS["db_bytes"] / 1024.0 / max(1, AS["enterprises"]))))
if RP and RP["all_center"]:
    big = AS and AS["enterprises"] >= 100000
    p99 = max(RP["all_center"]["p99"], RP["all_authority"]["p99"] if RP["all_authority"] else 0)
    w("| reports (levels by place, industry, month; movement; campaigns), p99 over %d requests, center and authority | **%s ms** (median %s ms) | < 200 ms at 100k enterprises, 300k assessments | %s |" % (
        len(RP["names"]), ms(p99), ms(RP["all_center"]["median"]),
        verdict(p99 < 200) if big else "not measured at 100k"))
if RP and RP["xlsx"]:
    x = RP["xlsx"]
    w("| the register as XLSX (%s rows): time, size, server peak RSS before → after | **%s s**, %s, %s → %s | — | — |" % (
        "{:,}".format(AS["enterprises"]) if AS else "?", first(x, "seconds"), mib(int(first(x, "bytes", "0"))),
        mib(int(first(x, "hwm_before_kib", "0")) * 1024), mib(int(first(x, "hwm_after_kib", "0")) * 1024)))
if RP and RP["feed"]:
    w("| change feed read from since=0, entries/s (1,000 a page) | **%s** (%s entries) | — | — |" % (
        "{:,}".format(int(float(first(RP["feed"], "per_s", "0")))), "{:,}".format(int(first(RP["feed"], "entries", "0")))))
if RP and RP["pairs"]:
    pr = RP["pairs"]
    wf, wn = min(RP["writes"]["feed"]), min(RP["writes"]["nofeed"])
    best = 100.0 * (wf - wn) / wn if wn else float("nan")
    over = 100.0 * statistics.median(pr)
    w("| write overhead of the feed's triggers, wall time (assessbench load; median of %d interleaved pairs,"
      " their range, and best of each in brackets) | **%+.1f %%** (%+.1f to %+.1f %%; best %.1f s / %.1f s: %+.1f %%)"
      " | < 10 %% | %s |" % (len(pr), over, 100.0 * pr[0], 100.0 * pr[-1], wf, wn, best, verdict(over < 10)))
if RP and RP["instr"].get("feed") and RP["instr"].get("nofeed"):
    fi, ni = RP["instr"]["feed"], RP["instr"]["nofeed"]
    w("| write overhead of the feed's triggers, CPU instructions (callgrind; 2,000 enterprises, 6,000"
      " assessments) | **%+.1f %%** (%s / %s million) | < 10 %% | %s |" % (
          100.0 * (fi - ni) / ni, "{:,}".format(fi // 1000000), "{:,}".format(ni // 1000000),
          verdict(fi < 1.1 * ni)))
w("")
w("Why the misses happen is in [What the numbers say](#what-the-numbers-say); the benchmark is not tuned to the targets.")
if PEERS_SKIPPED:
    w("")
    w("Peers not run: %s." % "; ".join("%s — %s" % (PEER_NAME.get(k, k), v) for k, v in sorted(PEERS_SKIPPED.items())))
w("")

# ---- machine
w("## The machine and the run")
w("")
w("| | |")
w("|---|---|")
w("| CPU | %s, %s cores |" % (m1("cpu"), m1("cores")))
w("| memory | %s GiB |" % m1("mem_gib"))
w("| kernel / OS | %s / %s |" % (m1("kernel"), m1("os")))
w("| shucud | `%s` (git %s) |" % (m1("shucud"), m1("git")))
w("| SQLite / libevent / hiredis | %s / %s / %s |" % (m1("sqlite"), m1("libevent"), m1("hiredis")))
w("| Redis / PostgreSQL | %s / %s |" % (m1("redis"), m1("postgresql") or "not run"))
w("| Groonga / Sphinx (peers) | %s / %s%s |" % (m1("groonga") or "not run", m1("sphinx") or "not run",
  " (SphinxQL client: MariaDB Connector/C %s)" % m1("mariadb_client") if m1("mariadb_client") else ""))
w("| wrk / gnuplot / cc | %s / %s / %s |" % (m1("wrk"), m1("gnuplot"), m1("cc")))
w("| run | %s → %s (UTC) |" % (m1("started"), m1("finished")))
lo = [float(p[2].split()[0]) for p in phases if len(p) > 2]
w("| load average (1 min) | %s at the start, %s at the end; %s–%s at the start of the phases%s |" % (
    m1("load_start").split()[0] if m1("load_start") else "?", m1("load_end").split()[0] if m1("load_end") else "?",
    ms(min(lo), 2) if lo else "?", ms(max(lo), 2) if lo else "?",
    "; sampled every 15 s: median %.2f, max %.2f" % (med([x for x, _ in loads]), max(x for x, _ in loads)) if loads else ""))
if m1("uptime_start") or m1("uptime_end"):
    w("| `uptime` before / after `make bench` | %s / %s |" % (m1("uptime_start") or "?", m1("uptime_end") or "?"))
w("")
w("The machine is shared: other sessions may run test suites while the benchmark runs, and on 2 cores")
w("the benchmark's own processes (client + server, plus Redis or the wrk thread) already make a load of")
w("about 1–2. Every latency figure is therefore the **median over %s passes** (each pass sends each of" % m1("passes"))
large = any(n > 100000 for n in sizes)
w("the 50 queries %s times, or each of the 50 needs %s times%s, sequentially on one keep-alive connection, after" % (
    m1("reps"), m1("match_reps"),
    " (%s and %s times above 100k)" % (m1("reps_large"), m1("match_reps_large")) if large else ""))
w("one unmeasured warm-up round), with the range over passes in brackets; wrk figures are the median of %s runs" % m1("wrk_runs"))
w("of %s s with 1 thread and %s connections." % (m1("wrk_seconds"), m1("wrk_conns")))
if outside:
    w("Other processes seen among the three busiest in the %d samples taken every 15 s (≥ 10 %% CPU): %s." % (
        nsamples, ", ".join("`%s` (%d samples, up to %.0f %%)" % (k, len(v), max(v))
                            for k, v in sorted(outside.items(), key=lambda kv_: -len(kv_[1])))))
else:
    w("No process outside the benchmark showed up among the three busiest (≥ 10 %% CPU) in the %d samples" % nsamples)
    w("taken every 15 s.")
w("(`bench/out/results/load.tsv`, `top_start.txt`, `top_end.txt` keep the samples.)")
w("")

# ---- method
w("## What is measured")
w("")
w("- **Corpus**: `scripts/gen_corpus.py --n N --seed 2026 --no-provider-field`, imported with")
w("  `build/shucud import --provider 基准测试供应商` into a fresh database (one provider, so every resource")
w("  carries the same provider name in the index). Import rate = resources / wall time of the whole command")
w("  (it ends with an FTS5 `optimize`); the importer's own rate (its stderr summary, before the optimize) is")
w("  shown too. Index size = database file size after the import; FTS share from SQLite's `dbstat`.")
w("- **Search latency**: `bench/latency` (C, plain sockets, keep-alive) sends `GET /v1/search?q=…&limit=10`")
w("  (highlighting on, the default) for the 50 queries of `bench/queries.txt` to `shucud serve --redis none")
w("  --workers 1` (default log level, so each request is also logged). Time = first byte sent to last byte read.")
w("- **Raw FTS5 baseline** (`bench/rawfts`, same pass, same database opened read-only): the same tokenizer and")
w("  `query_build()` (QUERY_ALL, max_terms 16, max_df_ratio 0.6, synonyms, df from `resources_vocab`; plus")
w("  search.c's relaxation when the expression finds fewer than 3: words dropped as relax_parts drops them, the")
w("  all-words hits first, or the QUERY_ANY fallback), expressions built before timing, then")
w("  `SELECT rowid FROM resources_fts WHERE resources_fts MATCH ? ORDER BY bm25(resources_fts, 10.0, 4.0, 1.0,")
w("  4.0, 3.0) LIMIT 10`. It also times `query_build()` alone (*build*), `count(*)` of the matches, search.c's")
w("  one-pass statement (FTS5 joined to `resources`, every matching row) stepped with no work (*pass*) and with")
w("  search.c's per-row facet counting and heap (*facets*, how search.c worked before issue 24); and the top 10")
w("  three ways (issue 24): *exh*, every match scored by `shucu_bm25` with the phrase weights (search.c's ranking")
w("  before), *exhc*, every match scored by `shucu_rank` with the phrases' row counts cached and each row's")
w("  length from memory (search.c's ranking now), and *topfts*, the MaxScore experiment (`bench/topfts.c`, plus")
w("  `count(*)` for the total when it skipped rows). Outside the timing, `--check` compares exhc's and topfts's")
w("  top 10 with exh's for every query (rowids, order, scores within 1e-9), and report.py compares shucu's")
w("  answers with it (rowids, order, scores to 4 places).")
w("- **Match latency**: `POST /v1/match` (enterprise key) with 50 needs from `gen_corpus.py --needs --seed 4242`,")
w("  each description padded to 200 characters with other needs' problems (`bench/prep.py needs`).")
w("- **PostgreSQL peer** (%s): a private PostgreSQL (initdb in a temp dir, Unix socket only, shared_buffers" % (m1("postgresql") or "not run"))
w("  1 GB) holding the same corpus as text segmented by shucu's tokenizer (`bench/segment`, tok_run), in a weighted")
w("  `tsvector` (title A, summary and tags B, provider C, description D — FTS5's 10/4/1/4/3 as ts_rank's")
w("  1.0/0.4/0.1/0.4/0.2) with a GIN index; `bench/pgq` (libpq, prepared) times")
w("  `SELECT id FROM res WHERE tsv @@ to_tsquery('simple', $1) ORDER BY ts_rank(tsv, to_tsquery('simple', $1)) DESC LIMIT 10`")
w("  for two forms of each query: **AND** — every token of the query AND-ed (`注塑 & 塑车 & 车间 & …`), and")
w("  **expr** — shucu's own match expression translated (phrase → `<->`, OR → `|`, AND → `&`, `\"钢\"*` → `钢:*`),")
w("  i.e. the same synonyms and filler-word handling. It is stopped and deleted afterwards.")
w("- **Groonga peer** (%s, `bench/peers/`): one table of the five FTS5 columns (title, summary, description, tags," % (m1("groonga") or "not run"))
w("  provider name) loaded with `load` from the same corpus, then a multi-column index with positions and sections over a")
w("  `TokenBigram` + `NormalizerAuto` lexicon (Han bigrams, Latin words and digit runs, NFKC and lower case); served by")
w("  groonga-httpd (one worker, keep-alive, query cache off, and `cache=no` in every request). `bench/latency` times")
w("  `select --match_columns 'title * 10 || summary * 4 || description || tags * 4 || provider * 3' --query Q --limit 10")
w("  --output_columns _key,_score --sortby -_score` (Groonga's default score: term frequency × column weight) for")
w("  **as typed** — the query in Groonga's syntax with its special characters escaped (words AND-ed, each a phrase)")
w("  — and **expr** — shucu's expression translated (`\"phrase\"`, `OR`, AND as a space, `\"钢\"*` → `钢*`, fully")
w("  parenthesised: `bench/peers/translate.py`).")
w("- **Sphinx peer** (%s): a plain index built by `indexer` from the same columns (a TSV pipe), `ngram_len = 1` with" % (m1("sphinx") or "not run"))
w("  the CJK ideographs as `ngram_chars` (each Han character a keyword: a two-character word is a phrase of two),")
w("  Latin letters and digits lower-cased, full-width forms folded; `searchd` answers SphinxQL on loopback and")
w("  `bench/out/bin/sphinxq` (libmariadb, one connection) times `SELECT id FROM res WHERE MATCH(Q) LIMIT 10 OPTION")
w("  ranker=bm25, field_weights=(title=10, summary=4, description=1, tags=4, provider=3)` for **as typed** (escaped;")
w("  Sphinx ANDs the keywords, so a Han word is its characters in any order) and **expr** (phrases, `|`, AND as a")
w("  space, fully parenthesised).")
w("- **The peers in the passes**: each peer is loaded after shucu's import (load time = the engine's own import or")
w("  index build, without converting the NDJSON to its input; size = the blocks its files occupy on disk), and in each")
w("  latency pass runs right after shucu's search and the raw baseline, the same queries the same number of times,")
w("  one query in flight. Hit counts (every match, outside the timing) are compared query by query with shucu's")
w("  `total`; *top-10 overlap* is the mean share of shucu's top 10 found in the peer's top 10 (the scores differ:")
w("  Groonga counts term frequency, Sphinx's bm25 ranker scores whole documents, ts_rank is not BM25).")
w("- **Throughput**: wrk against two ceilings built from `bench/ceiling_fixed.c` (bare evhttp, fixed body) and")
w("  `bench/ceiling_redis.c` (evhttp + async hiredis GET of one key per request), both answering the median-sized")
w("  cached search answer (%d bytes); and shucud `--workers 1` with Redis (cache warmed with every query and need" % body_bytes)
w("  first) for search (`bench/search.lua`, the 50 queries in turn) and match (`bench/match.lua`), and without")
w("  Redis for search.")
w("- **Peak RSS**: `VmHWM` of shucud after the uncached latency runs.")
w("")

# ---- per size tables
w("## Results per corpus size")
w("")
w("### Import and index")
w("")
w("| size | corpus NDJSON | import (wall, median of runs) | resources/s (wall) | importer's rate | database file | FTS5 tables | `resources` table |")
w("|---|---|---|---|---|---|---|---|")
for n in sizes:
    r = R[n]
    w("| %s | %s | %.1f s [%s] ×%d | %s | %s lines/s | %s | %s | %s |" % (
        size_label(n), mib(r["corpus_bytes"]), r["import_wall"], rng(r["import_wall_rng"], 1), r["import_runs"],
        "{:,.0f}".format(r["import_rate_wall"]), "{:,.0f}".format(r["import_rate_own"]), mib(r["db_bytes"]),
        ("%s (%.0f %%)" % (mib(r["fts_bytes"]), 100.0 * r["fts_bytes"] / max(1, r["dbstat_total"]))) if r["dbstat"] else "n/a",
        ("%s (%.0f %%)" % (mib(r["res_bytes"]), 100.0 * r["res_bytes"] / max(1, r["dbstat_total"]))) if r["dbstat"] else "n/a"))
w("")
w("### Latency, uncached, single client (ms: median of passes [range])")
w("")
w("| size | what | median | p99 | samples |")
w("|---|---|---|---|---|")
rows = [("s10", "shucu `GET /v1/search` limit=10"), ("s1", "shucu `GET /v1/search` limit=1"),
        ("hz", "shucu `GET /healthz` (fixed HTTP cost)"), ("raw_top10", "raw FTS5 top-10 query"),
        ("raw_bt", "raw FTS5 top-10 + query_build()"), ("raw_build", "query_build() alone"),
        ("raw_count", "raw FTS5 count(*) of matches"), ("raw_pass", "search.c's pass, no per-row work"),
        ("raw_facets", "search.c's pass + facets + heap (before issue 24)"),
        ("raw_exh", "exhaustive top 10: shucu_bm25 over every match (search.c before issue 24)"),
        ("raw_exhc", "search.c's ranking: shucu_rank over every match, cached phrase counts"),
        ("raw_topfts", "MaxScore experiment (bench/topfts.c) + count(*)"),
        ("pg_and", "PostgreSQL top-10, tokens AND-ed"),
        ("pg_expr", "PostgreSQL top-10, shucu's expression"), ("match", "shucu `POST /v1/match`")]
for n in sizes:
    r = R[n]
    for k, label in rows:
        s = r.get(k)
        if not s:
            continue
        w("| %s | %s | %s [%s] | %s [%s] | %d |" % (size_label(n), label, ms(s["median"]), rng(s["median_rng"]),
                                                     ms(s["p99"]), rng(s["p99_rng"]), s["n"]))
w("")
w("### Peer search engines (the same corpus and queries; ms: median of passes [range])")
w("")
w("| size | engine | query form | median | p99 | hit counts = shucu's | top-10 overlap | import | resources/s | on disk |")
w("|---|---|---|---|---|---|---|---|---|---|")
for n in sizes:
    r = R[n]
    if r["s10"]:
        w("| %s | shucu | `GET /v1/search` (whole answer: facets, highlights, JSON) | %s [%s] | %s [%s] | — | — | %.1f s | %s | %s |" % (
            size_label(n), ms(r["s10"]["median"]), rng(r["s10"]["median_rng"]), ms(r["s10"]["p99"]), rng(r["s10"]["p99_rng"]),
            r["import_wall"], "{:,.0f}".format(r["import_rate_wall"]), mib(r["db_bytes"])))
    if r["raw_top10"]:
        w("| %s | SQLite FTS5 (raw) | shucu's expression, top 10 | %s [%s] | %s [%s] | — | — | — | — | — |" % (
            size_label(n), ms(r["raw_top10"]["median"]), rng(r["raw_top10"]["median_rng"]), ms(r["raw_top10"]["p99"]),
            rng(r["raw_top10"]["p99_rng"])))
    for k, eng, form, what in PEER_FORMS:
        s_ = r.get(k)
        if not s_:
            continue
        ag, imp = peer_agree(r, k), peer_import(r, n, what)
        w("| %s | %s | %s | %s [%s] | %s [%s] | %s | %s | %s | %s | %s |" % (
            size_label(n), eng, form, ms(s_["median"]), rng(s_["median_rng"]), ms(s_["p99"]), rng(s_["p99_rng"]),
            "%d of %d" % (ag[0], ag[1]) if ag else "n/a", "%.0f %%" % (100 * ag[3]) if ag and not math.isnan(ag[3]) else "n/a",
            "%.1f s" % imp[0] if imp else "—", "{:,.0f}".format(imp[1]) if imp else "—", mib(imp[2]) if imp else "—"))
w("")
for n in sizes:
    r = R[n]
    for k, eng, form, what in PEER_FORMS:
        ag = peer_agree(r, k)
        if ag and ag[2] and form != "as typed" and k != "pg_and":
            w("%s, %s, %s: hit counts that differ from shucu's: %s." % (size_label(n), eng, form, ", ".join(
                "#%d %s (%s against %s)" % (q, queries[q] if q < len(queries) else "", "skipped" if p_ is None else "{:,}".format(p_),
                                           "{:,}".format(t)) for q, t, p_ in ag[2])))
    g_, x_ = r.get("groonga"), r.get("sphinx")
    if g_ and g_.get("groonga_server"):
        w("%s: Groonga served by %s; its files take %s on disk (%s apparent: Groonga sizes its files ahead); a sample's"
          " tokens: `%s`." % (size_label(n), first(g_, "groonga_server"), mib(int(first(g_, "groonga_bytes", "0"))),
                              mib(int(first(g_, "groonga_apparent_bytes", "0"))), first(g_, "groonga_check_tokens")))
    if x_ and x_.get("sphinx_load_s"):
        w("%s: Sphinx's keywords for the same sample: `%s`." % (size_label(n), first(x_, "sphinx_check_tokens")))
w("")
w("The peers answer only the top 10 (ids) — shucu's request also counts facets over every match, highlights and")
w("serialises the page; the raw FTS5 row is the like-for-like floor for shucu. *As typed* is each engine's own reading")
w("of the query, so its hit counts are expected to differ; *shucu's expression* asks for the same set.")
if PEERS_SKIPPED:
    w("Not run: %s." % "; ".join("%s — %s" % (PEER_NAME.get(k, k), v) for k, v in sorted(PEERS_SKIPPED.items())))
w("")
w("### Ratios per size")
w("")
w("| size | shucu p99 / raw p99 | shucu median / raw median | PG/shucu median (AND) | PG/shucu median (expr) | top-10 vs raw: identical / equal scores, tied hits swapped / different |")
w("|---|---|---|---|---|---|")
for n in sizes:
    r = R[n]
    same, ties, diff, tot = r["agree"]
    f = lambda a, b, k: ("%.2f×" % (r[a][k] / r[b][k])) if r.get(a) and r.get(b) else "n/a"
    w("| %s | %s | %s | %s | %s | %d / %d / %d of %d |" % (
        size_label(n), f("s10", "raw_top10", "p99"), f("s10", "raw_top10", "median"),
        f("pg_and", "s10", "median"), f("pg_expr", "s10", "median"), same, ties, len(diff), tot))
w("")
w("### Where a search's time goes (mean over the 50 queries of each query's median, ms)")
w("")
w("| size | shucu limit=10 | HTTP fixed (/healthz) | query_build | FTS5 top-10 | join + facets pass beyond top-10 | rest: page rows, highlight, JSON | limit=10 − limit=1 | facets' share (est.) | what-was: the pass over the wide `resources` rows |")
w("|---|---|---|---|---|---|---|---|---|---|")
for n in sizes:
    r = R[n]
    qs = [q for q in r["q_s10"] if q in r["q_raw_top10"] and q in r["q_raw_facets"]]
    if not qs or not r["hz"]:
        continue
    mean = lambda d: sum(d.get(q, 0.0) for q in qs) / len(qs)
    s10, s1, top, fac, bld = mean(r["q_s10"]), mean(r["q_s1"]), mean(r["q_raw_top10"]), mean(r["q_raw_facets"]), mean(r["q_raw_build"])
    hz = r["hz"]["median"]
    extra = fac - top
    rest = s10 - hz - bld - fac
    nar = mean(r["q_raw_wide"]) if r["q_raw_wide"] else float("nan")
    r["bd"] = {"s10": s10, "s1": s1, "hz": hz, "build": bld, "top": top, "fac": fac, "extra": extra,
               "rest": rest, "nar": nar}
    w("| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f %% | %.2f beyond top-10 (vs %.2f) |" % (
        size_label(n), s10, hz, bld, top, extra, rest, s10 - s1, 100.0 * extra / s10, nar - top, extra))
w("")
w("The facet share is estimated, without changing server code, as (search.c's pass with facet counting −")
w("the raw top-10 query) / shucu's time: computing facets forces search.c to step through *every* matching")
w("row joined to `resources_hot` (to read the masks), whereas the top 10 alone needs only FTS5's own ranking.")
w("The facet counting itself (facets − pass) is a small part of that; the join is most of it. The what-was")
w("column runs the same pass joined to the wide `resources` rows (which also hold the description and the")
w("whole JSON document), as search.c did before the narrow `resources_hot` table (migration 5).")
w("")
w("### Where a match's time goes (mean over the 50 needs of each need's median, ms; `bench/matchprof`)")
w("")
w("| size | shucu match | query_build (df look-ups) | text query (matching rows → best 300) | structure | features | rest: HTTP, ranking, rows, JSON | what-if: text without the join |")
w("|---|---|---|---|---|---|---|---|")
for n in sizes:
    r = R[n]
    mp, mr = r["mp"], r["mp_rows"]
    if not mp or not r["q_match"]:
        continue
    qs = sorted(r["q_match"])
    mean = lambda d: sum(d.get(q, 0.0) for q in qs) / len(qs)
    mm = mean(r["q_match"])
    b, t, st, fe = mean(mp["build"]), mean(mp["text"]), mean(mp["struct"]), mean(mp["features"])
    r["mbd"] = {"match": mm, "build": b, "text": t, "struct": st, "features": fe,
                "rest": mm - b - t - st - fe, "nojoin": mean(mp.get("text_nojoin", {})),
                "noprefix": mean(mp.get("text_noprefix", {})), "dfcalls": mean(mr["build"]),
                "matches": mean(mr.get("matches", {})), "matches_noprefix": mean(mr.get("matches_noprefix", {}))}
    x = r["mbd"]
    w("| %s | %.2f | %.2f (%.0f look-ups) | %.2f (%s rows) | %.2f | %.2f | %.2f | %.2f |" % (
        size_label(n), mm, b, x["dfcalls"], t, "{:,.0f}".format(x["matches"]), st, fe, x["rest"], x["nojoin"]))
w("")
w("The stages are timed by a separate process on the same database, each statement on its own (the")
w("server runs a whole match in one read transaction), and query_build's document frequencies go through")
w("the server's df cache (bench/dfcache.h), warm after the first pass as in the server. *rest* is shucu's")
w("time minus the stages, so it comes out negative when the stages run slower outside than inside.")
w("")

w("### Throughput (wrk, 1 thread, %s connections; median of runs)" % m1("wrk_conns"))
w("")
w("| size | target | req/s [range] | p50 ms | p99 ms | errors | bytes/answer | server CPU µs/answer | Redis CPU µs/answer |")
w("|---|---|---|---|---|---|---|---|---|")
cpu_cell = lambda s, k: ("%.0f" % s["cpu"][k]) if s and k in s["cpu"] else "—"
if cf:
    w("| — | ceiling: bare evhttp, fixed body | %.0f [%s] | %s | %s | %d | %.0f | %s | — |" % (
        cf["rps"], rng(cf["rps_rng"], 0), ms(cf["p50"]), ms(cf["p99"]), cf["errors"], cf["bytes_per_req"],
        cpu_cell(cf, "server")))
if cr:
    w("| — | ceiling: evhttp + Redis GET | %.0f [%s] | %s | %s | %d | %.0f | %s | %s |" % (
        cr["rps"], rng(cr["rps_rng"], 0), ms(cr["p50"]), ms(cr["p99"]), cr["errors"], cr["bytes_per_req"],
        cpu_cell(cr, "server"), cpu_cell(cr, "redis")))
for n in sizes:
    r = R[n]
    for k, label in (("wrk_search_cached", "shucu search, cached (Redis)"),
                     ("wrk_match_cached", "shucu match, cached (Redis)"),
                     ("wrk_search_uncached", "shucu search, uncached")):
        s = r[k]
        if s:
            w("| %s | %s | %.0f [%s] | %s | %s | %d | %.0f | %s | %s |" % (
                size_label(n), label, s["rps"], rng(s["rps_rng"], 0), ms(s["p50"]), ms(s["p99"]), s["errors"],
                s["bytes_per_req"], cpu_cell(s, "shucud"), cpu_cell(s, "redis")))
w("")
w("CPU per answer = the process's user + system CPU time over the wrk runs (from `/proc/PID/stat`) / answers.")
w("wrk, the server and Redis share the 2 cores, so a process's CPU per answer is the steadier comparison.")


def cmdstats(path):
    out = {}
    if os.path.exists(path):
        for line in open(path):
            if line.startswith("cmdstat_"):
                name, rest = line.strip()[8:].split(":", 1)
                f = dict(x.split("=", 1) for x in rest.split(","))
                if name in ("get", "eval", "evalsha", "zincrby", "expire", "set"):
                    out[name] = (int(f["calls"]), float(f["usec_per_call"]))
    return out


cs_ceiling = cmdstats(os.path.join(RES, "redis_commandstats_ceiling.txt"))
if H:
    cs = cmdstats(os.path.join(R[H]["dir"], "redis_commandstats.txt"))
    if cs or cs_ceiling:
        w("Redis's own time per command (`INFO commandstats`) during the cached search runs at %s: %s; during the" % (
            size_label(H), ", ".join("%s %d calls, %.2f µs/call" % (k.upper(), v[0], v[1]) for k, v in sorted(cs.items())) or "n/a"))
        w("evhttp+Redis ceiling's runs: %s." % (
            ", ".join("%s %d calls, %.2f µs/call" % (k.upper(), v[0], v[1]) for k, v in sorted(cs_ceiling.items())) or "n/a"))
w("")
for n in sizes:
    r = R[n]
    if r["cache_hits"] or r["cache_misses"]:
        w("Cache during the cached wrk runs at %s: %d hits, %d misses (from `/metrics`)." % (
            size_label(n), r["cache_hits"], r["cache_misses"]))
w("")
w("### Memory and the PostgreSQL peer's size")
w("")
w("| size | shucud VmHWM after latency runs | VmHWM after cached runs | PostgreSQL load (COPY + tsvector + GIN) | PostgreSQL table + index |")
w("|---|---|---|---|---|")
for n in sizes:
    r = R[n]
    pg = r["pg"]
    w("| %s | %s | %s | %s | %s |" % (
        size_label(n), mib(r["rss"].get(("rss.txt", "VmHWM"), 0)), mib(r["rss"].get(("rss_cached.txt", "VmHWM"), 0)),
        ("%s s" % first(pg, "pg_load_s")) if pg.get("pg_load_s") else "not run",
        mib(int(first(pg, "pg_total_bytes"))) if pg.get("pg_total_bytes") else "—"))
w("")

# ---- enterprise files and assessments (issue 18)
if AS:
    w("### Enterprise files and assessments")
    w("")
    w("`bench/assessbench` (the server's own code) scored %s random assessments %s times: `instrument_score` alone" % (
        "{:,}".format(int(AS["score"].get("assessments", 0))), int(AS["score"].get("reps", 0))))
    w("took %.2f µs on average (median %.2f µs, p99 %.2f µs); with `instrument_check` and the two JSON texts a write" % (
        AS["score"].get("score_us_mean", float("nan")), AS["score"].get("score_us_p50", float("nan")),
        AS["score"].get("score_us_p99", float("nan"))))
    w("stores, %.1f µs (p99 %.1f µs). It then made %s enterprises (an organisation and a file each, 70 %% in 湖北省)" % (
        AS["score"].get("write_us_mean", float("nan")), AS["score"].get("write_us_p99", float("nan")),
        "{:,}".format(AS["enterprises"])))
    w("and %s assessments through the record functions the API uses, in %s s. shucud `--workers 1` without Redis then" % (
        "{:,}".format(AS["assessments"]), AS["load"].get("load_s", "?")))
    w("answered each request below %s times per pass with a center's key." % m1("reps"))
    w("")
    w("| # | request | median ms | p99 ms |")
    w("|---|---|---|---|")
    for q in sorted(AS["per_query"]):
        v = AS["per_query"][q]
        w("| %d | %s | %s | %s |" % (q, AS["names"][q] if q < len(AS["names"]) else "?",
                                   ms(med([x[0] for x in v])), ms(med([x[1] for x in v]))))
    w("")
    g = AS["groups"]
    tot = max(1, AS["dbstat_total"])
    w("Database: %s in all; files %s (%.0f %%), assessments %s (%.0f %%), their revisions %s (%.0f %%), organisations" % (
        mib(AS["db_bytes"]), mib(g["files"]), 100.0 * g["files"] / tot, mib(g["assessments"]),
        100.0 * g["assessments"] / tot, mib(g["revisions"]), 100.0 * g["revisions"] / tot))
    w("and their name index %s (%.0f %%), about %.2f KiB per assessment with its revisions." % (
        mib(g["orgs"]), 100.0 * g["orgs"] / tot,
        (g["assessments"] + g["revisions"]) / 1024.0 / max(1, AS["assessments"])))
    w("")

# ---- reports, exports and the feed (issue 20)
if RP and RP["center"]:
    w("### Reports, exports and the change feed")
    w("")
    w("Over the same files and assessments, shucud `--workers 1` without Redis answered each report")
    w("%s times per pass, uncached, with a center's key and with an authority's (武汉市: its region only)." % m1("reps"))
    w("")
    w("| # | report | center median ms | center p99 ms | authority median ms | authority p99 ms |")
    w("|---|---|---|---|---|---|")
    for q in sorted(RP["center"]):
        c, a = RP["center"][q], RP["authority"].get(q, [])
        w("| %d | `%s` | %s | %s | %s | %s |" % (q, RP["names"][q] if q < len(RP["names"]) else "?",
                                                 ms(med([x[0] for x in c])), ms(med([x[1] for x in c])),
                                                 ms(med([x[0] for x in a])) if a else "—",
                                                 ms(med([x[1] for x in a])) if a else "—"))
    w("")
    if RP["csv"]:
        w("The same register as CSV: %s s, %s." % (first(RP["csv"], "seconds"), mib(int(first(RP["csv"], "bytes", "0")))))
        w("")

# ---- per query table for the headline size
if H:
    r = R[H]
    w("### Per query at %s (median ms over all passes)" % size_label(H))
    w("")
    w("| # | query | hits | relaxed | shucu | raw top-10 | build | pass+facets | PG AND | PG expr | Groonga expr | Sphinx expr |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for i, q in enumerate(queries):
        g = lambda k: ms(r[k].get(i)) if r[k].get(i) is not None else "—"
        w("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            i, q.replace("|", "\\|"), "{:,}".format(r["totals"].get(i, 0)), "yes" if r["relaxed"].get(i) else "",
            g("q_s10"), g("q_raw_top10"), g("q_raw_build"), g("q_raw_facets"), g("q_pg_and"), g("q_pg_expr"),
            g("q_gr_expr"), g("q_sx_expr")))
    w("")
    same, ties, diff, tot = r["agree"]
    w("shucu's top 10 and the raw query's: %d of %d identical, %d with the same scores position by position" % (
        same, tot, ties))
    w("but hits of equal BM25 in another order (shucu breaks ties by rid, FTS5's sorter by its own order)%s." % (
        ", %d different: %s" % (len(diff), ", ".join("#%d" % q for q in diff)) if diff else ", none different"))
    w("")

# ---- analysis
w("## What the numbers say")
w("")
analysis_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "analysis.md")


def qmean(q):
    """Mean over the queries of each query's median (ms), or n/a."""
    return "%.2f" % (sum(q.values()) / len(q)) if q else "n/a"


def big_sentence():
    """The largest size's search and import, when it is not the headline size."""
    if not sizes or sizes[-1] == H:
        return (" The largest size of this run is %s; 1M was not recorded (see the headline)." % size_label(H)
                if H else "")
    b = R[sizes[-1]]
    g = b.get("gr_expr")
    return (" At %s: search median %s ms, p99 %s ms (Groonga, shucu's expression: %s / %s ms); import %s"
            " resources/s." % (size_label(sizes[-1]), ms(b["s10"]["median"]) if b["s10"] else "n/a",
                                ms(b["s10"]["p99"]) if b["s10"] else "n/a", ms(g["median"]) if g else "n/a",
                                ms(g["p99"]) if g else "n/a",
                                "{:,.0f}".format(b["import_rate_wall"]) if b.get("import_rate_wall") else "n/a"))


def big_why():
    """Why the largest size's p99 is what it is: the engine's own per-query
    medians (count: FTS5 finding the rows; exhc: search.c's ranking now)."""
    if not sizes or sizes[-1] == H:
        return ""
    b = R[sizes[-1]]
    cnt, ex = b.get("q_raw_count") or {}, b.get("q_raw_exhc") or {}
    if not cnt or not ex:
        return ""
    qname = lambda q: queries[q] if q < len(queries) else str(q)
    qc = max(cnt, key=cnt.get)
    qe = max(ex, key=ex.get)
    g = b.get("gr_expr")
    return (" At %s the engine alone is past 50 ms on the broadest queries: FTS5 merely finding the rows of"
            " `%s` takes %s ms (`count`, median), ranking the matches of `%s` %s ms (`exhc`), and %d of the 50"
            " queries take more than 50 ms in `exhc`, so p99 < 50 ms cannot be had while every match is"
            " visited%s." % (
                size_label(sizes[-1]), qname(qc), ms(cnt[qc]), qname(qe), ms(ex[qe]),
                sum(1 for v in ex.values() if v > 50),
                "; Groonga's p99 on the same expressions is %s ms" % ms(g["p99"]) if g else ""))


if os.path.exists(analysis_path):
    # Hand-written findings with {placeholders} filled from this run.
    vals = {}
    if H:
        r = R[H]
        bd, mbd = r.get("bd", {}), r.get("mbd", {})
        f2 = lambda x: "%.1f" % x
        cs = cmdstats(os.path.join(r["dir"], "redis_commandstats.txt"))
        bmax = max(r["q_raw_build"].items(), key=lambda kv_: kv_[1]) if r["q_raw_build"] else (0, 0)
        wc, wu, wm = r["wrk_search_cached"], r["wrk_search_uncached"], r["wrk_match_cached"]
        vals["build_growth"] = "; ".join(
            "%s: %.1f ms per search, %.1f ms per need" % (size_label(n), R[n].get("bd", {}).get("build", 0),
                                                          R[n].get("mbd", {}).get("build", 0)) for n in sizes)
        big = sizes[-1]
        if big != H:
            rb = R[big]
            bbd, bmbd = rb.get("bd", {}), rb.get("mbd", {})
            hw = rb["rss"].get(("rss.txt", "VmHWM"), 0)
            vals["scale_sentence"] = (
                " At %s, measured in this run: search p99 %s ms (raw FTS5 top-10 p99 %s ms), query_build %.1f ms"
                " per search on average (%.1f× %s), match p99 %s ms with %.1f ms of query_build per need." % (
                    size_label(big), ms(rb["s10"]["p99"]) if rb["s10"] else "n/a",
                    ms(rb["raw_top10"]["p99"]) if rb["raw_top10"] else "n/a", bbd.get("build", 0),
                    bbd.get("build", 0) / max(1e-9, bd.get("build", 1e-9)), size_label(H),
                    ms(rb["match"]["p99"]) if rb["match"] else "n/a", bmbd.get("build", 0)))
            vals["rss_sentence"] = "Peak RSS of shucud is %s at %s and %s at %s (target < 100 MB at 1M, issue 24)." % (
                mib(r["rss"].get(("rss.txt", "VmHWM"), 0)), size_label(H), mib(hw), size_label(big))
        else:
            vals["scale_sentence"] = ""
            vals["rss_sentence"] = ("Peak RSS of shucud is %s at %s; the 100 MB target (issue 24) is for 1M, which this run "
                                    "did not include." % (mib(r["rss"].get(("rss.txt", "VmHWM"), 0)), size_label(H)))
        vals.update({
            "ratio_p99": "%.2f" % (r["s10"]["p99"] / r["raw_top10"]["p99"]) if r["s10"] and r["raw_top10"] else "n/a",
            "s10_mean": f2(bd.get("s10", 0)), "top_mean": f2(bd.get("top", 0)), "fac_mean": f2(bd.get("fac", 0)),
            "extra_mean": f2(bd.get("extra", 0)), "nar_extra": f2(bd.get("nar", 0) - bd.get("top", 0)),
            "build_mean": f2(bd.get("build", 0)), "rest_mean": f2(bd.get("rest", 0)),
            "rest_phrase": ("%.1f ms loading, highlighting and serialising the page" % bd.get("rest", 0)
                            if bd.get("rest", 0) >= 0.05 else
                            "no measurable rest for loading, highlighting and serialising the page (the stages, "
                            "each timed apart, already add up to the whole: %.1f ms)" % bd.get("rest", 0)), "hz_mean": "%.2f" % bd.get("hz", 0),
            "facet_share": "%.0f" % (100.0 * bd.get("extra", 0) / bd["s10"]) if bd.get("s10") else "n/a",
            "build_max_q": queries[bmax[0]] if queries else "", "build_max": f2(bmax[1]),
            "m_mean": f2(mbd.get("match", 0)), "m_build": f2(mbd.get("build", 0)), "m_dfcalls": "%.0f" % mbd.get("dfcalls", 0),
            "m_text": f2(mbd.get("text", 0)), "m_nojoin": f2(mbd.get("nojoin", 0)), "m_noprefix": f2(mbd.get("noprefix", 0)),
            "m_matches": "{:,.0f}".format(mbd.get("matches", 0)), "m_matches_noprefix": "{:,.0f}".format(mbd.get("matches_noprefix", 0)),
            "m_share": "%.0f" % (100.0 * mbd.get("matches", 0) / H),
            "m_features": f2(mbd.get("features", 0)), "m_rest": f2(mbd.get("rest", 0)),
            "expr0": r["match_exprs"][0] if r["match_exprs"] else "",
            "eval_us": "%.1f" % cs["eval"][1] if "eval" in cs else "n/a",
            "get_us": "%.2f" % cs_ceiling["get"][1] if "get" in cs_ceiling else "n/a",
            "zincrby_us": "%.2f" % cs["zincrby"][1] if "zincrby" in cs else "n/a",
            "cached_ratio": "%.2f" % (wc["rps"] / cr["rps"]) if wc and cr else "n/a",
            "cache_verdict": ("met" if wc["rps"] / cr["rps"] >= 0.7 else "missed") if wc and cr else "not measured",
            "s_verdict": ("met" if r["s10"]["p99"] / r["raw_top10"]["p99"] <= 1.3 and r["s10"]["p99"] < 30
                          else "missed") if r["s10"] and r["raw_top10"] else "not measured",
            "cached_rps": "%.0f" % wc["rps"] if wc else "n/a", "ceiling_rps": "%.0f" % cr["rps"] if cr else "n/a",
            "fixed_rps": "%.0f" % cf["rps"] if cf else "n/a",
            "shucud_cpu": "%.0f" % wc["cpu"].get("shucud", 0) if wc else "n/a",
            "redis_cpu": "%.0f" % wc["cpu"].get("redis", 0) if wc else "n/a",
            "ceiling_cpu": "%.0f" % cr["cpu"].get("server", 0) if cr else "n/a",
            "ceiling_redis_cpu": "%.0f" % cr["cpu"].get("redis", 0) if cr else "n/a",
            "match_cached_rps": "%.0f" % wm["rps"] if wm else "n/a",
            "match_cpu": "%.0f" % wm["cpu"].get("shucud", 0) if wm else "n/a",
            "uncached_rps": "%.0f" % wu["rps"] if wu else "n/a",
            "pg_and_med": ms(r["pg_and"]["median"]) if r["pg_and"] else "n/a",
            "pg_expr_med": ms(r["pg_expr"]["median"]) if r["pg_expr"] else "n/a",
            "pg_expr_p99": ms(r["pg_expr"]["p99"]) if r["pg_expr"] else "n/a",
            "pg_and_ratio": "%.2f" % (r["pg_and"]["median"] / r["s10"]["median"]) if r["pg_and"] else "n/a",
            "pg_expr_ratio": "%.2f" % (r["pg_expr"]["median"] / r["s10"]["median"]) if r["pg_expr"] else "n/a",
            "raw_vs_pg_expr": "%.1f" % (r["pg_expr"]["median"] / r["raw_top10"]["median"]) if r["pg_expr"] else "n/a",
            "hwm": mib(r["rss"].get(("rss.txt", "VmHWM"), 0)),
            "relaxed_n": str(sum(1 for v in r["relaxed"].values() if v)),
        })
        vals.update({
            "H": size_label(H),
            "s10_p99": ms(r["s10"]["p99"]) if r["s10"] else "n/a",
            "s10_med": ms(r["s10"]["median"]) if r["s10"] else "n/a",
            "raw_p99": ms(r["raw_top10"]["p99"]) if r["raw_top10"] else "n/a",
            "raw_med": ms(r["raw_top10"]["median"]) if r["raw_top10"] else "n/a",
            "pass_p99": ms(r["raw_facets"]["p99"]) if r["raw_facets"] else "n/a",
            "build_p99": ms(r["raw_build"]["p99"]) if r["raw_build"] else "n/a",
            "match_p99": ms(r["match"]["p99"]) if r["match"] else "n/a",
            "match_med": ms(r["match"]["median"]) if r["match"] else "n/a",
            "imp_rate": "{:,.0f}".format(r["import_rate_wall"]) if r.get("import_rate_wall") else "n/a",
            "imp_wall": "%.1f" % r["import_wall"] if r.get("import_wall") else "n/a",
            "imp_verdict": ("met" if r["import_rate_wall"] >= 20000 else "missed")
                           if r.get("import_rate_wall") else "not measured",
            # issue 24
            "exh_mean": qmean(r.get("q_raw_exh")), "exhc_mean": qmean(r.get("q_raw_exhc")),
            "tf_mean": qmean(r.get("q_raw_topfts")), "cnt_mean": qmean(r.get("q_raw_count")),
            "exh_p99": ms(r["raw_exh"]["p99"]) if r.get("raw_exh") else "n/a",
            "exhc_p99": ms(r["raw_exhc"]["p99"]) if r.get("raw_exhc") else "n/a",
            "tf_p99": ms(r["raw_topfts"]["p99"]) if r.get("raw_topfts") else "n/a",
            "chk_engine": "%d of %d" % (sum(c["server"] for c in r["check"].values()), len(r["check"]))
                          if r.get("check") else "n/a",
            "chk_tf": "%d of %d" % (sum(c["topfts"] for c in r["check"].values()), len(r["check"]))
                      if r.get("check") else "n/a",
            "chk_http": "%d of %d" % (r["http_exact"][0], r["http_exact"][2]) if r.get("check") else "n/a",
            "tf_pruned": str(sum(1 for c in r["check"].values() if c["tf_rows"] < c["rows"]))
                         if r.get("check") else "n/a",
            "tf_scored": "%.0f" % (100.0 * sum(c["tf_rows"] for c in r["check"].values()) /
                                   max(1, sum(c["rows"] for c in r["check"].values()))) if r.get("check") else "n/a",
            "tf_pruned_detail": tf_pruned_detail(r),
            "gr_med": ms(r["gr_expr"]["median"]) if r.get("gr_expr") else "n/a",
            "gr_p99": ms(r["gr_expr"]["p99"]) if r.get("gr_expr") else "n/a",
            "big_sentence": big_sentence(),
            "big_why": big_why(),
            "imp_big_sentence": ("" if sizes[-1] == H or not R[sizes[-1]].get("import_rate_wall") else
                                 " At %s the rate is %s resources/s (the importer's own: %s), below the target:"
                                 " the same work per row, into B-trees and an FTS5 index ten times larger;"
                                 " the import at that size was not profiled." % (
                                     size_label(sizes[-1]), "{:,.0f}".format(R[sizes[-1]]["import_rate_wall"]),
                                     "{:,.0f}".format(R[sizes[-1]]["import_rate_own"]))),
        })
    text = open(analysis_path, encoding="utf-8").read()
    if text.startswith("<!--"):  # the file's own note to its editors
        text = text[text.index("-->") + 3:].lstrip("\n")
    for k, v in vals.items():
        text = text.replace("{" + k + "}", v)
    L.append(text.rstrip("\n"))
    w("")
# wall time per size, from the phase log
starts = [(p[0], int(p[1])) for p in phases if len(p) > 1]
dur = []
for i, (name, t) in enumerate(starts):
    if name.startswith("corpus ") and name.endswith(": generate"):
        nxt = next((t2 for name2, t2 in starts[i + 1:] if name2.endswith(": generate") or name2 == "ceilings"), t)
        dur.append("%s %.1f min" % (size_label(int(name.split()[1].rstrip(":"))), (nxt - t) / 60.0))
total_min = (starts[-1][1] - starts[0][1]) / 60.0 if starts else 0
w("## Rerun")
w("")
w("This run took %.1f minutes of bench/run.sh (%s, then the ceilings and the report), plus the build" % (
    total_min, ", ".join(dur)))
w("that `make bench` does first.")
w("")
w("```sh")
w("make bench                                     # 10k + 100k")
w("BENCH_SIZES=\"10000 100000 1000000\" make bench  # adds 1M")
w("bash bench/run.sh                            # the same without rebuilding (needs build/shucud)")
w("```")
w("")
w("Knobs: `BENCH_PASSES` (%s), `BENCH_REPS` (%s), `BENCH_MATCH_REPS` (%s), `BENCH_REPS_LARGE` and" % (
    m1("passes"), m1("reps"), m1("match_reps")))
w("`BENCH_MATCH_REPS_LARGE` (%s and %s, above 100k), `BENCH_IMPORT_RUNS` (%s, 1 above" % (
    m1("reps_large") or "5", m1("match_reps_large") or "3", m1("import_runs")))
w("100k), `BENCH_WRK_RUNS` (%s), `BENCH_WRK_SECONDS` (%s), `BENCH_WRK_CONNS` (%s), `BENCH_PEERS` (which peers:" % (
    m1("wrk_runs"), m1("wrk_seconds"), m1("wrk_conns")))
w("`groonga sphinx postgres`), `BENCH_PEER_SIZES` (Groonga and Sphinx: every size), `BENCH_PG_SIZES` (PostgreSQL: sizes")
w("up to 100k), `BENCH_WORK` (scratch, `/tmp/shucu-bench`), `BENCH_KEEP=1`. The script installs what it lacks with")
w("apt-get (wrk, gnuplot-nox, redis-server, sqlite3, the -dev packages; for the peers postgresql, libpq-dev,")
w("groonga-bin, groonga-httpd, sphinxsearch, libmariadb-dev — a peer whose packages cannot be installed is skipped")
w("and named in the headline) when run as root.")
w("Raw samples are in `bench/out/results/` (one line per request), plots in `docs/plots/`:")
w("")
w("![search latency](plots/search_latency.png)")
w("")
w("![match latency](plots/match_latency.png)")
w("")

open(DOC, "w", encoding="utf-8").write("\n".join(L))
print("report.py: wrote %s" % DOC)
