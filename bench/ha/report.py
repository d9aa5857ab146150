#!/usr/bin/env python3
"""report.py - the figures of bench/ha/run.sh as Markdown.

    python3 bench/ha/report.py OUT_DIR DOC

Writes OUT_DIR/figures.md and puts the same text between the lines
"<!-- ha:figures:start -->" and "<!-- ha:figures:end -->" of DOC
(docs/scaling.md), leaving the rest of DOC as it is.
"""
import os
import sys

OUT, DOC = sys.argv[1], sys.argv[2]
START, END = "<!-- ha:figures:start -->", "<!-- ha:figures:end -->"


def kv(name):
    p = os.path.join(OUT, name)
    d = {}
    if os.path.exists(p):
        for line in open(p, encoding="utf-8"):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                d.setdefault(k, v)
    return d


def lines(name):
    p = os.path.join(OUT, name)
    return [l.rstrip("\n") for l in open(p, encoding="utf-8")] if os.path.exists(p) else []


def mib(kb):
    try:
        return "%.0f MiB" % (int(kb) / 1024.0)
    except ValueError:
        return "?"


def f(x, fmt="%.1f"):
    try:
        return fmt % float(x)
    except (TypeError, ValueError):
        return str(x)


m = kv("machine.txt")
imp = kv("import.txt")
ld = kv("load_dqlite.txt")
ls = kv("load_sqlite.txt")
o = []
o.append("*Measured by `make ha` (bench/ha/run.sh) from %s to %s UTC; the raw figures are in "
         "`bench/ha/out/`. Rerun it to replace this section.*" % (m.get("started", "?"), m.get("finished", "?")))
o.append("")
o.append("| | |")
o.append("|---|---|")
o.append("| machine | %s, %s cores, %s GiB, %s, %s |" % (m.get("cpu"), m.get("cores"), m.get("mem_gib"),
                                                       m.get("kernel"), m.get("os")))
o.append("| load average (1, 5, 15 min) | %s at the start, %s at the end |" % (m.get("load_start"), m.get("load_end")))
o.append("| dqlite / raft / libuv / SQLite / Redis | %s / %s / %s / %s / %s |" % (
    m.get("dqlite"), m.get("raft"), m.get("libuv"), m.get("sqlite"), m.get("redis")))
o.append("| shucud | `%s` (git %s) |" % (m.get("shucud"), m.get("git")))
o.append("| settings | corpus %s resources; reps=%s |" % (m.get("corpus"), m.get("reps", "?")))
o.append("")
phases = [l.split("\t") for l in lines("phases.tsv")]
if phases:
    o.append("Load average (1 min) when each phase started: " + "; ".join(
        "%s %s" % (p[0], p[2].split()[0]) for p in phases if len(p) >= 3) + ".")
    busy = {}
    for l in lines("busiest.tsv"):
        p = l.split("\t")
        if len(p) == 3 and not p[1].startswith(("hanode", "hactl", "haload", "shucud", "redis", "top")):
            try:
                if float(p[2]) >= 20:
                    busy[p[1]] = busy.get(p[1], 0) + 1
            except ValueError:
                pass
    if busy:
        o.append("Other processes among the busiest (>= 20 %% CPU) at the start of a phase: %s." % ", ".join(
            "%s (%d×)" % (k, v) for k, v in sorted(busy.items(), key=lambda x: -x[1])))
    o.append("")

ds = kv("dbsize.txt")
o.append("### What the data takes")
o.append("")
o.append("| what | file | per 100,000 |")
o.append("|---|---|---|")
try:
    rb = int(imp["db_bytes"]); rn = int(imp["resources"])
    o.append("| %s resources (`shucud import`, after a checkpoint) | %.0f MiB | %.0f MiB |" % (
        "{:,}".format(rn), rb / 1048576.0, rb / 1048576.0 * 100000 / rn))
except (KeyError, ValueError):
    pass
try:
    eb = int(ds["db_bytes"]); en = int(ds["enterprises"]); an = int(ds["assessments"])
    o.append("| %s enterprise files with %s assessments (bench/assessbench) | %.0f MiB | %.0f MiB per 100,000 "
             "enterprises with 3 assessments each |" % ("{:,}".format(en), "{:,}".format(an), eb / 1048576.0,
                                                         eb / 1048576.0 * 100000 / en))
except (KeyError, ValueError):
    pass
o.append("")
big = [(k[6:], int(v)) for k, v in imp.items() if k.startswith("table_")]
if big:
    o.append("Largest parts of the resources file: " + ", ".join("%s %.0f MiB" % (k, v / 1048576.0) for k, v in big) + ".")
bige = [(k[6:], int(v)) for k, v in ds.items() if k.startswith("table_")]
if bige:
    o.append("Largest parts of the enterprise file: " + ", ".join("%s %.0f MiB" % (k, v / 1048576.0) for k, v in bige) + ".")
o.append("")

o.append("### Loading the corpus")
o.append("")
o.append("| how | resources | rows per transaction | rows copied | FTS5 merge after | total |")
o.append("|---|---|---|---|---|---|")
o.append("| `shucud import` into a file (today) | %s | 10,000 | — | one `optimize` | %s s |" % (
    imp.get("resources", "?"), f(imp.get("import_wall_s"))))
for name, d in (("the same statements into a local SQLite file (`hactl load --sqlite`)", ls),
                ("through the dqlite leader (`hactl load`), 3 voters", ld)):
    if d:
        o.append("| %s | %s s for resources | %s | %s | %s steps, %s s | **%s s** |" % (
            name, f(d.get("resources_s")), m.get("reps", "").split("batch=")[1].split()[0] if "batch=" in m.get("reps", "") else "?",
            d.get("rows_copied"), d.get("merge_steps"), f(d.get("finish_s")), f(d.get("total_s"))))
if ld:
    o.append("")
    o.append("Rows the triggers built through the leader, against the source: " + ", ".join(
        "%s %s/%s" % (t, ld.get("count_" + t, "?"), ld.get("source_count_" + t, "?"))
        for t in ("resources", "resources_hot", "resource_is", "resources_fts_docsize")) + ".")
    try:
        rate = int(ld.get("rows_copied", 0)) / float(ld.get("rows_s", 1))
        o.append("Rate through the leader, rows only: %.0f rows/s." % rate)
    except (ValueError, ZeroDivisionError):
        pass
o.append("")

o.append("### Search: dqlite against direct SQLite")
o.append("")
ids_d = {l.split("\t")[0]: l.split("\t")[1:] for l in lines("ids_dqlite.tsv") if l}
ids_s = {l.split("\t")[0]: l.split("\t")[1:] for l in lines("ids_sqlite.tsv") if l}
if ids_d and ids_s:
    same = sum(1 for k in ids_s if ids_d.get(k) == ids_s[k])
    sameset = sum(1 for k in ids_s if set(ids_d.get(k, [])) == set(ids_s[k]))
    o.append("Top 10 of the %d queries, dqlite against the local SQLite copy: %d identical, %d the same set "
             "of hits (the rest differ in order or at the tenth place among equal scores)." % (len(ids_s), same, sameset))
    o.append("")
rows = []
for l in lines("search.txt"):
    d = dict(t.split("=", 1) for t in l.split() if "=" in t)
    rows.append(d)
o.append("| statement | concurrency | engine | requests | p50 ms | p99 ms | queries/s | CPU ms per query | node CPU s (busiest thread) | load |")
o.append("|---|---|---|---|---|---|---|---|---|---|")
names = {"sqlite": "SQLite, same load", "sqlite-import": "SQLite, shucud import's file", "dqlite": "dqlite leader"}
for d in rows:
    cpu = ""
    if d.get("mode") == "dqlite":
        cpu = "%s (%s)" % (f(d.get("node_cpu_s"), "%.2f"), f(d.get("node_busiest_thread_s"), "%.2f"))
    try:
        n = float(d.get("requests"))
        if d.get("mode") == "dqlite":
            per = "%.1f (node) + %.2f (client)" % (1e3 * float(d["node_cpu_s"]) / n, 1e3 * float(d["client_cpu_s"]) / n)
        else:
            per = "%.1f" % (1e3 * float(d["client_cpu_s"]) / n)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        per = "?"
    o.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
        d.get("stmt"), d.get("conc"), names.get(d.get("mode"), d.get("mode")), d.get("requests"),
        f(d.get("p50_ms"), "%.2f"), f(d.get("p99_ms"), "%.2f"), f(d.get("qps")), per, cpu, d.get("load")))
o.append("")
o.append("*top10* is bench/rawfts's raw FTS5 top-10 query; *pass* is search.c's statement that reads every "
         "matching row (what shucud steps through to count facets), so through dqlite every matching row "
         "crosses the wire. Node CPU is the leader process's user+system time over the run; the busiest "
         "thread's share shows that all of it is one thread. *CPU ms per query* is the steadier comparison on a "
         "shared machine: for SQLite the client process's CPU (its threads run the queries), for dqlite the "
         "leader's CPU plus the client's.")
o.append("")

o.append("### kill -9 of the leader during a bounded write loop")
o.append("")
fo = [l.split("\t") for l in lines("failover.tsv")]
if len(fo) > 1:
    hdr = fo[0]
    o.append("| run | killed node | new leader | until a write is acknowledged again | acknowledged | failed | present | **lost** | present, not acknowledged | write p50 / p99 ms | busy retries | first error | load |")
    o.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in fo[1:]:
        d = dict(zip(hdr, r))
        o.append("| %s | %s | %s | %s s | %s | %s | %s | **%s** | %s | %s / %s | %s | %s | %s |" % (
            d["run"], d["killed"], d["new_leader"], d["recovery_s"], d["acked"], d["failed"], d["present"],
            d["lost"], d["present_not_acked"], d["write_p50_ms"], d["write_p99_ms"], d.get("busy_retries", "?"),
            d["first_error"].replace("|", "/"), d["load"]))
    o.append("")
    o.append("*Until a write is acknowledged again*: from the kill -9 to the first acknowledged insert after the "
             "first failure (the client's reconnect polls every 20 ms). *Present, not acknowledged*: the insert in "
             "flight when the leader died was committed by the new leader, but its client saw an error. "
             "*Busy retries*: SQLITE_BUSY answers (the statement did not run) retried with the same id.")
    o.append("")
rb = [l.split("\t") for l in lines("rebuilt.tsv")]
if len(rb) > 1:
    o.append("The killed node restarted on its data directory (it rebuilds its in-memory database from its "
             "snapshot and Raft log), was made the leader again (leadership moves only to an up-to-date node), "
             "and every write acknowledged so far was looked for on it:")
    o.append("")
    o.append("| after run | restarted node | leads again after | acknowledged so far | missing on it |")
    o.append("|---|---|---|---|---|")
    for r in rb[1:]:
        d = dict(zip(rb[0], r))
        o.append("| %s | %s | %s s | %s | **%s** |" % (d["run"], d["restarted"], d["leads_again_after_s"],
                                                    d.get("acked_so_far"), d.get("missing_on_it")))
    o.append("")
rc = lines("recount.txt")
if rc:
    o.append("Looked for again on the leader after the last run: " + "; ".join(
        " ".join(os.path.basename(t[5:]) if t.startswith("file=") else t for t in l.split()) for l in rc) + ".")
    o.append("")

o.append("### Resident memory per node")
o.append("")
o.append("| when | process | VmRSS | VmHWM |")
o.append("|---|---|---|---|")
for l in lines("rss.tsv"):
    p = l.split("\t")
    if len(p) == 4:
        o.append("| %s | %s | %s | %s |" % (p[0], p[1], mib(p[2]), mib(p[3])))
o.append("")
dd = [l.split("\t") for l in lines("datadir.tsv")]
if dd:
    o.append("Data directories (Raft log segments and snapshots): " + "; ".join(
        "%s %s %.0f MiB" % (p[0], os.path.basename(p[1]), int(p[2]) / 1048576.0) for p in dd if len(p) == 3) + ".")
    o.append("")

o.append("### Redis master killed and restarted under load (shucud + Sentinel)")
o.append("")
rd = lines("redis.txt")
ev = kv("redis_events.txt")
if rd:
    o.append("shucud from this tree, `--workers 1 --redis sentinel://…/shucu` on the database above; a master, a "
             "replica and three sentinels (down-after 1,000 ms); `bench/ha/haload` with 4 keep-alive "
             "connections searching the 50 queries in turn. The master gets SIGKILL 10 s in and is started again "
             "(as a replica) later.")
    o.append("")
    o.append("```")
    o.extend(rd)
    for k in ("old_master_role", "new_master_role", "healthz", "load"):
        o.append("%s=%s" % (k, ev.get(k, "?")))
    o.append("```")
    o.append("")
    lg = lines("redis_shucud.txt")
    if lg:
        o.append("What shucud logged about Redis meanwhile (the breaker bypasses the cache for 2 s after three "
                 "lookups in a row go unanswered within the 50 ms lookup deadline):")
        o.append("")
        o.append("```")
        o.extend(lg)
        o.append("```")
        o.append("")

text = "\n".join(o) + "\n"
open(os.path.join(OUT, "figures.md"), "w", encoding="utf-8").write(text)
if os.path.exists(DOC):
    doc = open(DOC, encoding="utf-8").read()
    if START in doc and END in doc:
        a = doc.index(START) + len(START)
        b = doc.index(END)
        doc = doc[:a] + "\n" + text + doc[b:]
        open(DOC, "w", encoding="utf-8").write(doc)
    else:
        print("report.py: %s has no %s ... %s markers; figures only in %s/figures.md" % (DOC, START, END, OUT))
