#!/usr/bin/env python3
"""soak_prep.py - the requests bench/soak.lua sends (bench/soak.sh runs it).

    python3 bench/soak_prep.py PORT KEYS_FILE OUT_TSV

KEYS_FILE is `shucud seed`'s output (role, key, organisation per line).  It
first creates, over HTTP, the records the soak edits: POOL resources as the
demo provider and POOL needs as the demo enterprise (so every PATCH is by the
owner and succeeds).  Then it writes OUT_TSV, one request a line:

    TYPE <tab> METHOD <tab> PATH <tab> KEY-or-"-" <tab> BODY-or-""

TYPE names the request kind (soak.lua weighs kinds, see MIX there).  Every
request is valid and must answer 2xx: any other status is an error of the soak.
"""
import json
import sys
import urllib.request

POOL = 20  # resources and needs created up front and PATCHed during the soak
DEMO = "data/demo"


def load(path):
    return [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]


def call(port, method, path, key, body):
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    req = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path), data=data, method=method)
    if key:
        req.add_header("Authorization", "Bearer " + key)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as r:
        if r.status // 100 != 2:
            raise SystemExit("soak_prep: %s %s answered %d" % (method, path, r.status))
        return json.load(r)


def main():
    port, keys_file, out = sys.argv[1], sys.argv[2], sys.argv[3]
    keys = {}
    for line in open(keys_file, encoding="utf-8"):
        f = line.split()
        if len(f) >= 2:
            keys[f[0]] = f[1]
    pk, ek, ck = keys["provider"], keys["enterprise"], keys["center"]

    resources = load(DEMO + "/resources.ndjson")
    for r in resources:
        r.pop("provider", None)
        r.pop("external_id", None)  # unique per provider: creates would collide
    needs = load(DEMO + "/needs.ndjson")
    for n in needs:
        n.pop("enterprise", None)

    res_ids = [call(port, "POST", "/v1/resources", pk, resources[i % len(resources)])["id"]
               for i in range(POOL)]
    need_ids = [call(port, "POST", "/v1/needs", ek, needs[i % len(needs)])["id"]
                for i in range(POOL)]

    from urllib.parse import quote
    queries = [q.strip() for q in open("bench/queries.txt", encoding="utf-8") if q.strip()]
    industries = ["machinery", "automotive", "electronics", "textile", "food", "general"]
    kinds = ["solution", "product", "service", "dataset", "model"]
    sorts = ["relevance", "newest", "price_asc", "rating"]

    rows = []

    def add(kind, method, path, key="-", body=None):
        b = json.dumps(body, ensure_ascii=False, separators=(",", ":")) if body is not None else ""
        assert "\t" not in b and "\n" not in b
        rows.append("\t".join([kind, method, path, key or "-", b]))

    # Reads.
    for i, q in enumerate(queries):
        add("search", "GET", "/v1/search?q=%s&limit=10" % quote(q))
        add("search", "GET", "/v1/search?q=%s&industry=%s&sort=%s" %
            (quote(q), industries[i % len(industries)], sorts[i % len(sorts)]))
        add("search", "GET", "/v1/search?q=%s&kind=%s&limit=20&offset=%d" %
            (quote(q), kinds[i % len(kinds)], (i % 3) * 10))
    for n in needs:
        body = dict(n)
        body.pop("contact", None)
        add("match", "POST", "/v1/match", ek, body)
    for nid in need_ids:
        add("need_matches", "GET", "/v1/needs/%s/matches?limit=10" % nid, ek)
        add("need_matches", "GET", "/v1/needs/%s/matches?limit=5&explain=1" % nid, ek)
        add("get_need", "GET", "/v1/needs/%s" % nid, pk)
    for rid in res_ids:
        add("get_resource", "GET", "/v1/resources/%s" % rid)
    add("stats", "GET", "/v1/stats", ck)
    add("list_needs", "GET", "/v1/needs?status=open&limit=20", ck)
    add("list_resources", "GET", "/v1/resources?kind=solution&limit=20")

    # Writes.  Creates add records (the database grows a little); PATCHes
    # edit the fixed pool, so most writes leave the data's size as it is.
    for i in range(len(resources)):
        add("create_resource", "POST", "/v1/resources", pk, resources[i])
    for n in needs:
        add("create_need", "POST", "/v1/needs", ek, n)
    for i in range(200):
        rid = res_ids[i % POOL]
        add("patch_resource", "PATCH", "/v1/resources/%s" % rid, pk,
            {"summary": "%s（第%d版）" % (resources[i % POOL].get("summary", "")[:200], i),
             "deploy_days": 10 + i % 120,
             "tags": ["浸泡测试", "版本%d" % (i % 17)]})
        nid = need_ids[i % POOL]
        add("patch_need", "PATCH", "/v1/needs/%s" % nid, ek,
            {"budget": {"max": 50000 + 1000 * i},
             "description": "%s 第%d次修改。" % (needs[i % POOL].get("description", "")[:300], i)})

    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(rows) + "\n")
    print("soak_prep: %d resources and %d needs created; %d requests in %s"
          % (POOL, POOL, len(rows), out))


if __name__ == "__main__":
    main()
