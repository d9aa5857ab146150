#!/usr/bin/python3
"""Sanity checks for needs2.jsonl / judgments2.tsv (stdlib only).

  check2.py            check, print counts; exit 1 on any error

Checks: ids unique and r001..; split rule (id number divisible by 3 ->
heldout) and heldout = exactly one third; every taxonomy field valid; all 14
key industries covered >= 6 times and no "general" need; every judged
provider|external_id exists in the pool; no duplicate judgment; grades 0-3;
every need judged; every need has a grade >= 2 unless all its grades are <= 1
("nothing fits" needs, listed); at least 40 no_overlap needs.  Also prints, for
no_overlap needs, the share of the best answer's character bigrams (title +
summary) that also occur in the need text, as a rough overlap proxy.
"""
import collections, json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
errors = []


def err(msg):
    errors.append(msg)


tax = json.load(open(os.path.join(ROOT, "schemas", "taxonomy.json")))
inds = {i["code"] for i in tax["industries"]} - {"general"}
scens = {s["code"] for s in tax["scenarios"]}
regions = set(tax["regions"]) - {"全国"}
sizes = {s["code"] for s in tax["enterprise_sizes"]}

pool = {}
for line in open(os.path.join(ROOT, "data", "demo", "resources.ndjson")):
    r = json.loads(line)
    pool[r["provider"] + "|" + r["external_id"]] = r

needs = [json.loads(l) for l in open(os.path.join(HERE, "needs2.jsonl")) if l.strip()]
ids = [n["id"] for n in needs]
if len(set(ids)) != len(ids):
    err("duplicate need ids")
for k, n in enumerate(needs, 1):
    if n["id"] != "r%03d" % k:
        err("id out of sequence: %s" % n["id"])
    num = int(n["id"][1:])
    want = "heldout" if num % 3 == 0 else "tune"
    if n.get("split") != want:
        err("%s: split %s, rule says %s" % (n["id"], n.get("split"), want))
    if not n.get("title") or len(n["title"]) > 40:
        err("%s: title missing or > 40 chars" % n["id"])
    if not n.get("description"):
        err("%s: no description" % n["id"])
    if n.get("industry") not in inds:
        err("%s: industry %r not a key industry" % (n["id"], n.get("industry")))
    sc = n.get("scenarios") or []
    if not 1 <= len(sc) <= 2 or any(s not in scens for s in sc):
        err("%s: bad scenarios %r" % (n["id"], sc))
    if n.get("region") not in regions:
        err("%s: bad region %r" % (n["id"], n.get("region")))
    if n.get("enterprise_size") not in sizes:
        err("%s: bad size" % n["id"])
    for f in ("current_level", "target_level"):
        if f in n and n[f] not in (1, 2, 3, 4):
            err("%s: bad %s" % (n["id"], f))
    if "budget" in n and not (isinstance(n["budget"].get("max"), int) and n["budget"]["max"] > 0):
        err("%s: bad budget" % n["id"])

judg = collections.defaultdict(dict)
njudg = 0
for ln, line in enumerate(open(os.path.join(HERE, "judgments2.tsv")), 1):
    if not line.strip():
        continue
    parts = line.rstrip("\n").split("\t")
    if len(parts) != 3:
        err("judgments2.tsv:%d: not 3 fields" % ln)
        continue
    nid, key, g = parts
    njudg += 1
    if nid not in ids:
        err("judgments2.tsv:%d: unknown need %s" % (ln, nid))
    if key not in pool:
        err("judgments2.tsv:%d: %s not in pool" % (ln, key))
    if g not in ("0", "1", "2", "3"):
        err("judgments2.tsv:%d: bad grade %s" % (ln, g))
        continue
    if key in judg[nid]:
        err("judgments2.tsv:%d: duplicate %s %s" % (ln, nid, key))
    judg[nid][key] = int(g)

nothing_fits = []
for n in needs:
    gs = judg.get(n["id"], {})
    if not gs:
        err("%s: no judgments" % n["id"])
        continue
    if len(gs) < 7:
        err("%s: only %d judgments" % (n["id"], len(gs)))
    if max(gs.values()) <= 1:
        nothing_fits.append(n["id"])

ind_count = collections.Counter(n["industry"] for n in needs)
for i in sorted(inds):
    if ind_count[i] < 6:
        err("industry %s covered %d times (< 6)" % (i, ind_count[i]))
split = collections.Counter(n["split"] for n in needs)
if split["heldout"] * 3 != len(needs):
    err("heldout %d is not one third of %d" % (split["heldout"], len(needs)))
nov = [n["id"] for n in needs if n.get("no_overlap")]
if len(nov) < 40:
    err("only %d no_overlap needs" % len(nov))


def bigrams(s):
    s = re.sub(r"[\s，。、；：？！“”（）()《》,.;:?!\"'—–-]", "", s)
    return {s[i:i + 2] for i in range(len(s) - 1)}


print("needs %d  judgments %d  (grade counts %s)" % (
    len(needs), njudg,
    dict(sorted(collections.Counter(g for d in judg.values() for g in d.values()).items()))))
print("split", dict(split))
print("per industry", dict(sorted(ind_count.items())))
print("per industry heldout", dict(sorted(collections.Counter(
    n["industry"] for n in needs if n["split"] == "heldout").items())))
print("no_overlap %d" % len(nov))
print("nothing fits (all grades <= 1): %s" % " ".join(nothing_fits))
print("judgments per need: min %d max %d" % (
    min(len(v) for v in judg.values()), max(len(v) for v in judg.values())))
if "-v" in sys.argv:
    byid = {n["id"]: n for n in needs}
    for nid in nov:
        n = byid[nid]
        nb = bigrams(n["title"] + n["description"])
        best = max(judg[nid].values())
        for key, g in judg[nid].items():
            if g == best:
                r = pool[key]
                rb = bigrams(r["title"] + r["summary"])
                sh = sorted(nb & rb)
                print("  %s %-14s share %.2f %s" % (nid, r["external_id"],
                      len(nb & rb) / max(1, len(rb)), " ".join(sh)))
if errors:
    print("\n".join("ERROR " + e for e in errors))
    sys.exit(1)
print("OK")
