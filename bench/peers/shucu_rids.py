#!/usr/bin/python3
"""shucu_rids.py - shucu's answers with rids instead of resource ids.

    shucu_rids.py DB SHUCU_IDS.tsv > shucu_rids.tsv

SHUCU_IDS is what bench/run.sh writes from shucu's own answers
("query#<TAB>relaxed<TAB>total<TAB>id:score..."); the peers know resources
by rid (their load numbers them in file order, as `shucud import` does in a
fresh database), so their top 10 are compared through the database's own
rid of each id.  Output: "query#<TAB>total<TAB>rid<TAB>rid...".
"""

import sqlite3
import sys

db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
for line in open(sys.argv[2], encoding="utf-8"):
    p = line.rstrip("\n").split("\t")
    rids = []
    for h in p[3:]:
        row = db.execute("SELECT rid FROM resources WHERE id = ?", (h.rsplit(":", 1)[0],)).fetchone()
        rids.append(str(row[0]) if row else "?")
    print("\t".join([p[0], p[2]] + rids))
