#!/usr/bin/python3
"""Coordinate search of the ranking configuration on the TUNE split of
relevance set 2 (needs2.jsonl, split "tune") only: the heldout split is
never read here.

  tune.py [--rounds 2] [--start-config FILE] [--out FILE]

Each candidate configuration is written to a temporary config file and
measured with `ndcg.py --start --split tune --needs needs2.jsonl` (a fresh
server each time; about a second).  The objective is the mean nDCG@10 of
the tune split.  For each parameter in turn, every value of its grid is
tried with the others fixed, and the best is kept (ties keep the current
value); --rounds repeats the pass.  Prints each improvement and the final
configuration, which --out writes as a config file.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

# The defaults of server/core/config.c before tuning, and each grid.
START = {
    "weights": {"text": 0.30, "industry": 0.20, "scenario": 0.20, "level": 0.08,
                "budget": 0.08, "region": 0.05, "quality": 0.05, "fit": 0.04},
    "rank_general": 0.6, "rank_inferred": 0.8, "rank_text_floor": 1.0,
    "rank_budget_decay": 2.0, "rank_hybrid_region": 0.0,
    "lexicon_terms": 0.5, "text_ideal": 1.0, "rank_ticked_doubt": 0.0, "rank_general_fit": 0.0,
    "rank_budget_gate": 1.0,
}
GRID = [
    ("weights.text", [0.08, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5]),
    ("weights.industry", [0.1, 0.15, 0.2, 0.25, 0.3]),
    ("weights.scenario", [0.1, 0.15, 0.2, 0.25, 0.3, 0.4]),
    ("weights.budget", [0.04, 0.08, 0.12, 0.16, 0.2]),
    ("weights.level", [0.04, 0.08, 0.12]),
    ("weights.region", [0.02, 0.05, 0.08, 0.12]),
    ("weights.fit", [0.0, 0.04, 0.08]),
    ("rank_general", [0.5, 0.6, 0.7, 0.8, 0.9]),
    ("rank_inferred", [0.0, 0.4, 0.6, 0.8, 0.9]),
    ("rank_text_floor", [0.3, 0.5, 0.7, 1.0]),
    ("text_ideal", [0.5, 1.0, 1.5, 2.0, 3.0]),
    ("lexicon_terms", [0.0, 0.25, 0.5, 0.75, 1.0]),
    ("rank_budget_decay", [1.0, 2.0, 3.0, 5.0]),
    ("rank_hybrid_region", [0.0, 0.5]),
    ("rank_ticked_doubt", [0.0, 0.25, 0.5, 0.75]),
    ("rank_general_fit", [0.0, 0.25, 0.5, 0.75, 1.0]),
    ("rank_budget_gate", [1.0, 0.8, 0.6, 0.4, 0.2]),
]


def get(cfg, path):
    for p in path.split("."):
        cfg = cfg[p]
    return cfg


def put(cfg, path, v):
    cfg = json.loads(json.dumps(cfg))
    d = cfg
    parts = path.split(".")
    for p in parts[:-1]:
        d = d[p]
    d[parts[-1]] = v
    return cfg


def measure(cfg, seen):
    key = json.dumps(cfg, sort_keys=True)
    if key in seen:
        return seen[key]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(cfg, f)
        path = f.name
    try:
        out = subprocess.run([sys.executable, os.path.join(HERE, "ndcg.py"), "--start",
                              "--split", "tune", "--needs", os.path.join(HERE, "needs2.jsonl"),
                              "--judgments", os.path.join(HERE, "judgments2.tsv"),
                              "--config", path], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(path)
    m = re.search(r"^tune\s+\d+\s+([0-9.]+)", out, re.M)
    if not m:
        sys.exit("no tune line in:\n" + out)
    seen[key] = float(m.group(1))
    return seen[key]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--start-config", help="a config file to start from")
    ap.add_argument("--out", help="write the best configuration here")
    a = ap.parse_args()
    cfg = START
    if a.start_config:
        with open(a.start_config) as f:
            cfg = json.load(f)
    seen = {}
    best = measure(cfg, seen)
    print("start: tune nDCG@10 %.4f" % best, flush=True)
    for rnd in range(a.rounds):
        changed = False
        for path, values in GRID:
            cur = get(cfg, path)
            for v in values:
                if v == cur:
                    continue
                cand = put(cfg, path, v)
                sc = measure(cand, seen)
                if sc > best + 1e-4:
                    best, cfg, changed = sc, cand, True
                    print("round %d: %s = %s -> %.4f" % (rnd + 1, path, v, sc), flush=True)
        if not changed:
            break
    print("best tune nDCG@10 %.4f with" % best)
    print(json.dumps(cfg, indent=1, sort_keys=True))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(cfg, f, indent=1, sort_keys=True)
            f.write("\n")


if __name__ == "__main__":
    main()
