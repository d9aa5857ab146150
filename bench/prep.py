#!/usr/bin/python3
"""prep.py - input files for bench/run.sh (deterministic; no network).

    prep.py search-reqs QUERIES LIMIT        > reqs.tsv   GET /v1/search lines for bench/latency
    prep.py paths QUERIES LIMIT              > paths.txt  the same paths, for wrk (bench/search.lua)
    prep.py needs POOL.ndjson N CHARS        > needs.ndjson
    prep.py match-reqs NEEDS.ndjson          > reqs.tsv   POST /v1/match lines for bench/latency
    prep.py pg-docs CORPUS.ndjson PROVIDER   > docs.tsv   rid<TAB>title<TAB>summary<TAB>description<TAB>tags<TAB>provider

needs: the first N needs of POOL (made by scripts/gen_corpus.py --needs), each
description padded to CHARS characters with the problems and requests
of the pool's later needs of the same first scenario ("另外，..."; the way one
enterprise lists several problems), then cut to CHARS characters.  Titles are kept.

pg-docs: the FTS5 columns of each resource as shucud stores them (tags joined
with " | "), numbered from 1 in file order, which is the rid `shucud import`
gives them in a fresh database.
"""

import json
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
    else:
        sys.exit("prep.py: unknown command " + cmd)


if __name__ == "__main__":
    main()
