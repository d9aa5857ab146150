#!/usr/bin/env python3
"""soak_report.py - the verdict and a markdown summary of one bench/soak.sh run.

    python3 bench/soak_report.py DIR [--rss-tol-kb N] [--rss-tol-pct P] [--workers N] ...

DIR is build/soak/ (samples.csv, wrk_*.txt, fds.*.txt, status.*.txt,
metrics.*.txt, shucud.log).  Prints markdown on stdout; exits 1 when the soak
failed (see docs/soak.md for the criteria), else 0.
"""
import argparse
import csv
import json
import os
import re
import sys


def wrk_json(path):
    for line in open(path, encoding="utf-8", errors="replace"):
        if line.startswith("SOAK_JSON "):
            return json.loads(line[len("SOAK_JSON "):])
    raise SystemExit("soak_report: no SOAK_JSON line in %s" % path)


def wrk_bad(path):
    lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    if "SOAK_BAD" in lines:
        return [l for l in lines[lines.index("SOAK_BAD") + 1:] if l.strip()]
    return []


def metrics_status(path):
    """route -> status -> count, summed over methods (GET and PATCH on one path)."""
    out = {}
    if not os.path.exists(path):
        return out
    rx = re.compile(r'^shucu_http_requests_total\{(?:method="[^"]*",)?route="([^"]*)",status="([^"]*)"\} (\d+)')
    for line in open(path, encoding="utf-8"):
        m = rx.match(line)
        if m:
            d = out.setdefault(m.group(1), {})
            d[m.group(2)] = d.get(m.group(2), 0) + int(m.group(3))
    return out


def fd_kinds(path):
    """fd targets with socket/pipe inode numbers dropped, counted."""
    kinds = {}
    for line in open(path, encoding="utf-8"):
        f = line.split()
        if len(f) < 3:
            continue
        t = re.sub(r"\[\d+\]", "", f[2])
        kinds[t] = kinds.get(t, 0) + 1
    return kinds


def mib(kb):
    return "%.1f MiB" % (kb / 1024.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--rss-tol-kb", type=int, default=8192)
    ap.add_argument("--rss-tol-pct", type=float, default=5.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seconds", type=int, default=0)
    ap.add_argument("--warmup", type=int, default=0)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--conns", type=int, default=0)
    a = ap.parse_args()
    d = a.dir

    rows = list(csv.DictReader(open(os.path.join(d, "samples.csv"), encoding="utf-8")))
    snap = {}
    for r in rows:
        if r["phase"] in ("start", "warm", "end") and r["phase"] not in snap:
            snap[r["phase"]] = r
    for p in ("start", "warm", "end"):
        if p not in snap:
            raise SystemExit("soak_report: no '%s' sample in samples.csv" % p)
    iv = lambda p, k: int(snap[p][k] or 0)

    warm = wrk_json(os.path.join(d, "wrk_warmup.txt"))
    soak = wrk_json(os.path.join(d, "wrk_soak.txt"))
    failures, notes = [], []

    # 1. Errors: every request is valid, so any socket error, timeout or
    # non-2xx answer (warm-up included) fails the soak.
    for name, w, f in (("warm-up", warm, "wrk_warmup.txt"), ("soak", soak, "wrk_soak.txt")):
        errs = {k: w[k] for k in ("err_connect", "err_read", "err_write", "err_timeout", "non2xx") if w[k]}
        if errs:
            failures.append("%s: failed requests %s; first answers: %s"
                            % (name, errs, wrk_bad(os.path.join(d, f))[:3]))
    ms = metrics_status(os.path.join(d, "metrics.end.txt"))
    bad_status = {r: {s: n for s, n in st.items() if not s.startswith("2")}
                  for r, st in ms.items()}
    bad_status = {r: st for r, st in bad_status.items() if st}
    if bad_status:
        failures.append("the server counted non-2xx answers: %s" % bad_status)

    # 2. File descriptors: after the load, with every client connection
    # closed, exactly the fds there were before it.
    fds = {p: iv(p, "fds") for p in ("start", "warm", "end")}
    if fds["end"] != fds["start"]:
        ks, ke = fd_kinds(os.path.join(d, "fds.start.txt")), fd_kinds(os.path.join(d, "fds.end.txt"))
        diff = {k: ke.get(k, 0) - ks.get(k, 0) for k in set(ks) | set(ke) if ke.get(k, 0) != ks.get(k, 0)}
        failures.append("open fds: %d before the load, %d after (%s)" % (fds["start"], fds["end"], diff))
    thr = {p: iv(p, "threads") for p in ("start", "warm", "end")}
    if thr["end"] != thr["start"]:
        failures.append("threads: %d before the load, %d after" % (thr["start"], thr["end"]))

    # 3. RSS: from warmed up to the end, growth within the tolerance, plus
    # what SQLite's page caches may take of the pages the database gained
    # (one cache per worker connection plus the main thread's).
    rss = {p: iv(p, "rss_kb") for p in ("start", "warm", "end")}
    anon = {p: iv(p, "rss_anon_kb") for p in ("start", "warm", "end")}
    db = {p: iv(p, "db_bytes") for p in ("start", "warm", "end")}
    db_growth_kb = max(0, db["end"] - db["warm"]) // 1024
    tol_kb = max(a.rss_tol_kb, int(rss["warm"] * a.rss_tol_pct / 100))
    allow_kb = tol_kb + (a.workers + 1) * db_growth_kb
    growth_kb = rss["end"] - rss["warm"]
    if growth_kb > allow_kb:
        failures.append("RSS grew by %s from warm-up to the end (allowed %s)" % (mib(growth_kb), mib(allow_kb)))
    soak_rows = [r for r in rows if r["phase"] == "soak" and r["rss_kb"]]
    # the trend over the soak itself: RSS in its second half against its first
    if len(soak_rows) >= 4:
        h = len(soak_rows) // 2
        first = max(int(r["rss_kb"]) for r in soak_rows[:h])
        second = max(int(r["rss_kb"]) for r in soak_rows[h:])
        notes.append("RSS peak in the soak's first half %s, second half %s" % (mib(first), mib(second)))

    # 4. The server's log (level warn): any line is listed; error lines fail.
    log = [l.rstrip("\n") for l in open(os.path.join(d, "shucud.log"), encoding="utf-8", errors="replace")]
    errors = [l for l in log if re.search(r"\b(error|fatal)\b", l.split("Z", 1)[-1][:8])]
    warns = [l for l in log if l not in errors]
    if errors:
        failures.append("%d error lines in the server's log, e.g. %s" % (len(errors), errors[:3]))
    try:
        rc = int(open(os.path.join(d, "shucud.exit")).read().strip())
    except (OSError, ValueError):
        rc = -1
    if rc != 0:
        failures.append("shucud exited with status %d after SIGTERM" % rc)

    redis = {p: int(snap[p]["redis_used_memory"] or 0) for p in ("start", "warm", "end")}

    # --- the markdown ---
    out = []
    w = out.append
    w("### Soak result: %s" % ("FAIL" if failures else "pass"))
    w("")
    w("wrk: %d threads, %d connections; shucud: %d workers, Redis cache; warm-up %d s, soak %d s."
      % (a.threads, a.conns, a.workers, a.warmup, a.seconds))
    w("")
    w("| phase | requests | req/s | p50 ms | p99 ms | max ms | socket errors | timeouts | non-2xx |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, x in (("warm-up", warm), ("soak", soak)):
        w("| %s | %d | %.0f | %.1f | %.1f | %.1f | %d | %d | %d |" % (
            name, x["requests"], x["rps"], x["p50_ms"], x["p99_ms"], x["max_ms"],
            x["err_connect"] + x["err_read"] + x["err_write"], x["err_timeout"], x["non2xx"]))
    w("")
    total = sum(soak["sent"].values()) or 1
    writes = ("patch_resource", "patch_need", "create_resource", "create_need")
    nw = sum(soak["sent"].get(k, 0) for k in writes)
    w("Soak mix (requests sent): reads %.1f%%, writes %.1f%% — %s." % (
        100.0 * (total - nw) / total, 100.0 * nw / total,
        ", ".join("%s %d" % (k, v) for k, v in soak["sent"].items())))
    w("")
    w("| sample | RSS | RssAnon | VmHWM | open fds | threads | DB file | Redis used_memory |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|")
    for p, label in (("start", "before the load"), ("warm", "after the warm-up"), ("end", "after the soak")):
        w("| %s | %s | %s | %s | %d | %d | %.1f MiB | %.1f MiB |" % (
            label, mib(rss[p]), mib(anon[p]), mib(iv(p, "hwm_kb")), fds[p], thr[p],
            db[p] / 1048576.0, redis[p] / 1048576.0))
    w("")
    w("RSS from warm-up to end: %+.1f MiB (%+.1f%%); allowed %s = max(%s, %g%% of warm RSS) + %d × %s database growth."
      % (growth_kb / 1024.0, 100.0 * growth_kb / max(1, rss["warm"]), mib(allow_kb), mib(a.rss_tol_kb),
         a.rss_tol_pct, a.workers + 1, mib(db_growth_kb)))
    for n in notes:
        w("%s." % n)
    w("Redis used_memory %+.1f MiB over the soak (information only: every write moves the cache "
      "generation on, and the old entries stay until their TTL)." % ((redis["end"] - redis["warm"]) / 1048576.0))
    cm = {}
    mp = os.path.join(d, "metrics.end.txt")
    if os.path.exists(mp):
        for line in open(mp, encoding="utf-8"):
            f = line.split()
            if len(f) == 2 and f[0].startswith("shucu_cache_"):
                cm[f[0][len("shucu_cache_"):]] = float(f[1])
    if cm:
        w("Response cache (/metrics at the end): %d hits, %d misses, %d errors, "
          "mean Redis round trip %.1f ms." % (
              cm.get("hits_total", 0), cm.get("misses_total", 0), cm.get("errors_total", 0),
              cm.get("rtt_microseconds_sum", 0) / max(1, cm.get("rtt_count", 0)) / 1000.0))
    w("")
    w("Server answers by route and status (from /metrics at the end, warm-up included):")
    w("")
    for r in sorted(ms):
        w("- `%s`: %s" % (r, ", ".join("%s × %d" % (s, n) for s, n in sorted(ms[r].items()))))
    w("")
    if warns:
        kinds = {}
        for l in warns:  # counted by message, timestamps dropped
            m = l.split(" ", 1)[-1].strip()
            kinds[m] = kinds.get(m, 0) + 1
        w("Server log (level warn and above), %d lines:" % len(warns))
        w("")
        for m, n in sorted(kinds.items(), key=lambda x: -x[1])[:10]:
            w("- %d × `%s`" % (n, m))
    else:
        w("Server log (level warn and above): empty.")
    w("")
    if failures:
        w("**Failures:**")
        w("")
        for f in failures:
            w("- %s" % f)
    else:
        w("No failed request, no fd or thread growth, RSS within the tolerance.")
    print("\n".join(out))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
