#!/usr/bin/python3
"""groonga_ids.py - the Groonga peer's answers, outside the timing.

    groonga_ids.py PORT REQS.tsv > ids.tsv

For each request line of REQS (translate.py groonga-reqs; "-" lines are
skipped but keep their number) it writes "query#<TAB>count<TAB>key<TAB>key..."
where count is the number of matching records select reports (every match,
not just the 10 returned) and the keys are the top 10 rids.
"""

import json
import sys
import urllib.request

port, reqs = sys.argv[1], sys.argv[2]
for i, line in enumerate(open(reqs, encoding="utf-8")):
    method, path = line.rstrip("\n").split("\t")[:2]
    if method == "-":
        continue
    body = json.load(urllib.request.urlopen("http://127.0.0.1:%s%s" % (port, path), timeout=60))
    head, res = body[0], body[1]
    if head[0] != 0:
        sys.exit("groonga_ids.py: request %d failed: %s" % (i, head))
    total = res[0][0][0]
    keys = [str(row[0]) for row in res[0][2:]]
    print("\t".join([str(i), str(total)] + keys))
