#!/usr/bin/python3
"""prep.py - input files for bench/run.sh (deterministic; no network).

    prep.py search-reqs QUERIES LIMIT        > reqs.tsv   GET /v1/search lines for bench/latency
    prep.py paths QUERIES LIMIT              > paths.txt  the same paths, for wrk (bench/search.lua)
    prep.py needs POOL.ndjson N CHARS        > needs.ndjson
    prep.py match-reqs NEEDS.ndjson          > reqs.tsv   POST /v1/match lines for bench/latency
    prep.py pg-docs CORPUS.ndjson PROVIDER   > docs.tsv   rid<TAB>title<TAB>summary<TAB>description<TAB>tags<TAB>provider
    prep.py register-reqs DB NAMES           > reqs.tsv   GET /v1/enterprises and /v1/assessments lines,
                                                          their labels one a line in NAMES

needs: the first N needs of POOL (made by scripts/gen_corpus.py --needs), each
description padded to CHARS characters with the problems and requests
of the pool's later needs of the same first scenario ("另外，..."; the way one
enterprise lists several problems), then cut to CHARS characters.  Titles are kept.

pg-docs: the FTS5 columns of each resource as shucud stores them (tags joined
with " | "), numbered from 1 in file order, which is the rid `shucud import`
gives them in a fresh database.

register-reqs: the register and the assessment lists as a center uses them,
filters chosen from the database bench/assessbench made (its largest
district and a small one, a city, an industry, levels, 规上, names).
"""

import json
import sqlite3
import sys
import urllib.parse


def search_paths(qfile, limit):
    out = []
    for line in open(qfile, encoding="utf-8"):
        q = line.rstrip("\n")
        if q.strip():
            out.append("/v1/search?" + urllib.parse.urlencode({"q": q, "limit": limit}))
    return out


def main():
    cmd = sys.argv[1]
    w = sys.stdout.write
    if cmd == "search-reqs":
        for p in search_paths(sys.argv[2], sys.argv[3]):
            w("GET\t%s\n" % p)
    elif cmd == "paths":
        for p in search_paths(sys.argv[2], sys.argv[3]):
            w(p + "\n")
    elif cmd == "needs":
        pool = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8") if l.strip()]
        n, chars = int(sys.argv[3]), int(sys.argv[4])
        for i, need in enumerate(pool[:n]):
            d = need.get("description", "")
            sc = need["scenarios"][0]
            # the other needs' problem and request, without their "we make X,
            # N people, M machines" opening
            rest = lambda p: "另外，" + p["description"].split("台。", 1)[-1]
            extra = [rest(p) for p in pool[n:] if p["scenarios"][0] == sc] + \
                    [rest(p) for p in pool[n:]]
            k = (i * 7) % max(1, len(extra))
            while len(d) < chars and extra:
                d += extra[k % len(extra)]
                k += 1
            need["description"] = d[:chars]
            w(json.dumps(need, ensure_ascii=False, separators=(",", ":")) + "\n")
    elif cmd == "match-reqs":
        for line in open(sys.argv[2], encoding="utf-8"):
            if line.strip():
                w("POST\t/v1/match\t%s\n" % line.strip())
    elif cmd == "pg-docs":
        prov = sys.argv[3]
        clean = lambda s: s.replace("\t", " ").replace("\n", " ").replace("\\", " ")
        for i, line in enumerate(open(sys.argv[2], encoding="utf-8"), 1):
            r = json.loads(line)
            w("%d\t%s\t%s\t%s\t%s\t%s\n" % (i, clean(r["title"]), clean(r.get("summary", "")),
                                            clean(r.get("description", "")),
                                            clean(" | ".join(r.get("tags", []))), clean(prov)))
    elif cmd == "register-reqs":
        db = sqlite3.connect("file:%s?mode=ro" % sys.argv[2], uri=True)
        one = lambda sql: db.execute(sql).fetchone()[0]
        big = one("SELECT district_code FROM enterprise_files WHERE district_code IS NOT NULL"
                  " GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
        small = one("SELECT district_code FROM enterprise_files WHERE district_code LIKE '42%'"
                    " GROUP BY 1 ORDER BY count(*), 1 LIMIT 1")
        org = one("SELECT org_id FROM enterprise_files ORDER BY fid LIMIT 1 OFFSET 7")
        reqs = [
            ("all, newest first", "/v1/enterprises", {}),
            ("largest district", "/v1/enterprises", {"district": big}),
            ("small district", "/v1/enterprises", {"district": small}),
            ("city 武汉市", "/v1/enterprises", {"city": "420100"}),
            ("province 湖北省", "/v1/enterprises", {"province": "420000"}),
            ("industry machinery", "/v1/enterprises", {"industry": "machinery"}),
            ("level 2", "/v1/enterprises", {"level": "2"}),
            ("never verified", "/v1/enterprises", {"level": "none"}),
            ("规上", "/v1/enterprises", {"above_scale": "true"}),
            ("textile, level 1, 规下", "/v1/enterprises", {"industry": "textile", "level": "1", "above_scale": "false"}),
            ("name 精工", "/v1/enterprises", {"q": "精工"}),
            ("full name", "/v1/enterprises", {"q": "武汉精工机械有限公司"}),
            ("name 机械, level 2", "/v1/enterprises", {"q": "机械", "level": "2"}),
            ("district + industry", "/v1/enterprises", {"district": big, "industry": "machinery"}),
            ("100 a page", "/v1/enterprises", {"limit": "100"}),
            ("湖北省 food 规上 level 1", "/v1/enterprises", {"province": "420000", "industry": "food", "above_scale": "true", "level": "1"}),
            ("assessments submitted", "/v1/assessments", {"status": "submitted"}),
            ("assessments largest district", "/v1/assessments", {"district": big}),
            ("assessments of one enterprise", "/v1/assessments", {"org_id": org}),
            ("assessments level 2 machinery", "/v1/assessments", {"level": "2", "industry": "machinery"}),
        ]
        with open(sys.argv[3], "w", encoding="utf-8") as names:
            for label, path, q in reqs:
                w("GET\t%s%s\n" % (path, "?" + urllib.parse.urlencode(q) if q else ""))
                names.write(label + "\n")
    else:
        sys.exit("prep.py: unknown command " + cmd)


if __name__ == "__main__":
    main()
