#!/usr/bin/python3
"""groonga_load.py - the Groonga peer's input: the corpus as Groonga commands.

    groonga_load.py schema            > schema.grn   the table (no index yet)
    groonga_load.py load CORPUS PROV  > load.grn     one `load` of every resource
    groonga_load.py index             > index.grn    the lexicon and its index

The table holds the FTS5 columns of each resource as shucud stores them
(title, summary, description, tags joined with " | ", provider name: the
resources_fts columns of server/db.c), keyed by the rid `shucud import` gives
them in a fresh database (file order, from 1), like bench/prep.py pg-docs.
The index is built after the load (Groonga's offline index construction):
one multi-column index with positions and sections over a TokenBigram +
NormalizerAuto lexicon, so `title * 10 || summary * 4 || ...` in
match_columns weights the columns as FTS5's bm25(10, 4, 1, 4, 3) does.
"""

import json
import sys

COLS = ("title", "summary", "description", "tags", "provider")


def main():
    cmd = sys.argv[1]
    w = sys.stdout.write
    if cmd == "schema":
        w("table_create Resources TABLE_HASH_KEY UInt32\n")
        for c in COLS:
            w("column_create Resources %s COLUMN_SCALAR Text\n" % c)
    elif cmd == "load":
        prov = sys.argv[3]
        w("load --table Resources --columns '_key,%s'\n[\n" % ",".join(COLS))
        first = True
        for i, line in enumerate(open(sys.argv[2], encoding="utf-8"), 1):
            if not line.strip():
                continue
            r = json.loads(line)
            row = [i, r["title"], r.get("summary", ""), r.get("description", ""),
                   " | ".join(r.get("tags", [])), prov]
            w(("" if first else ",\n") + json.dumps(row, ensure_ascii=False, separators=(",", ":")))
            first = False
        w("\n]\n")
    elif cmd == "index":
        w("table_create Terms TABLE_PAT_KEY ShortText --default_tokenizer TokenBigram"
          " --normalizer NormalizerAuto\n")
        w("column_create Terms res_index COLUMN_INDEX|WITH_POSITION|WITH_SECTION Resources %s\n"
          % ",".join(COLS))
    else:
        sys.exit("groonga_load.py: unknown command " + cmd)


if __name__ == "__main__":
    main()
