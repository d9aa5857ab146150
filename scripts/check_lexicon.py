#!/usr/bin/python3
"""check_lexicon.py - checks schemas/lexicon.json, the problem-phrase lexicon.

    /usr/bin/python3 scripts/check_lexicon.py [LEXICON] [--schemas DIR] [--quiet]

Checks, each failure a fault:
  - the file against schemas/lexicon.schema.json (with the jsonschema module
    when it is importable; the same structural rules are also checked here
    by hand, so the script works with the standard library alone);
  - every phrase is stored folded (full-width ASCII -> half-width, U+3000 ->
    space, Latin letters lower-case), is at least 2 characters long and is
    not a bare generic word (管理, 系统, 数据 ...);
  - phrases are unique (after folding);
  - every scenario code exists in schemas/taxonomy.json, none repeated;
  - every example contains its phrase (after folding the example);
  - per-scenario minimums, counted by an entry's first (most likely)
    scenario: 20 for each business scenario, 8 for each scenario of the
    foundation group; at least 450 entries in all.

Prints the counts per scenario (first-listed and listed anywhere), and as
notes (not faults) the terms found neither in schemas/synonyms.json nor in
data/demo/resources.ndjson. Exits 1 on any fault, 2 on a usage or I/O error.
"""

import argparse
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MIN_TOTAL = 450
MIN_BUSINESS = 20
MIN_FOUNDATION = 8
FOUNDATION_GROUP = "foundation"

# Words too generic to be phrases on their own: they would fire on almost
# any need text.
GENERIC = {
    "管理", "系统", "软件", "数据", "提高", "问题", "提升", "优化", "平台",
    "数字化", "信息化", "智能化", "自动化", "企业", "工厂", "生产", "车间",
    "需要", "希望", "想要", "效率", "成本", "质量", "设备", "员工", "老板",
    "客户", "订单", "产品", "方案", "服务", "解决", "改造", "升级", "转型",
}

WEIGHT_MIN, WEIGHT_MAX = 0.5, 1.0
ENTRY_KEYS = {"phrase", "scenarios", "terms", "example", "weight"}


def fold(s):
    """The matcher's folding: full-width ASCII to half-width, ideographic
    space to space, Latin capitals to lower case."""
    out = []
    for ch in s:
        o = ord(ch)
        if 0xFF01 <= o <= 0xFF5E:
            ch = chr(o - 0xFEE0)
        elif o == 0x3000:
            ch = " "
        if "A" <= ch <= "Z":
            ch = ch.lower()
        out.append(ch)
    return "".join(out)


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def schema_faults(doc, schema):
    """Validation with jsonschema when importable; [] and a note otherwise."""
    try:
        import jsonschema
    except ImportError:
        return None
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    faults = []
    for err in sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(root)"
        faults.append("schema: %s: %s" % (where, err.message))
    return faults


def manual_faults(doc):
    """The schema's structural rules, by hand (no jsonschema needed)."""
    faults = []
    if not isinstance(doc, dict):
        return ["top level is not an object"]
    extra = set(doc) - {"version", "note", "entries"}
    if extra:
        faults.append("unknown top-level keys: %s" % ", ".join(sorted(extra)))
    if not isinstance(doc.get("version"), int) or isinstance(doc.get("version"), bool) or doc["version"] < 1:
        faults.append("version must be an integer >= 1")
    if "note" in doc and not isinstance(doc["note"], str):
        faults.append("note must be a string")
    entries = doc.get("entries")
    if not isinstance(entries, list) or not entries:
        faults.append("entries must be a non-empty array")
        return faults
    for i, e in enumerate(entries):
        tag = "entries/%d" % i
        if not isinstance(e, dict):
            faults.append("%s: not an object" % tag)
            continue
        tag += " (%s)" % e.get("phrase")
        missing = {"phrase", "scenarios", "terms", "example"} - set(e)
        if missing:
            faults.append("%s: missing %s" % (tag, ", ".join(sorted(missing))))
        extra = set(e) - ENTRY_KEYS
        if extra:
            faults.append("%s: unknown keys %s" % (tag, ", ".join(sorted(extra))))
        p = e.get("phrase")
        if not isinstance(p, str) or not 2 <= len(p) <= 12 or p != p.strip():
            faults.append("%s: phrase must be a trimmed string of 2-12 characters" % tag)
        sc = e.get("scenarios")
        if (not isinstance(sc, list) or not 1 <= len(sc) <= 2
                or not all(isinstance(x, str) and x for x in sc)):
            faults.append("%s: scenarios must be 1-2 codes" % tag)
        t = e.get("terms")
        if (not isinstance(t, list) or not 2 <= len(t) <= 5
                or not all(isinstance(x, str) and 1 <= len(x) <= 30 for x in t)
                or len(set(t)) != len(t)):
            faults.append("%s: terms must be 2-5 distinct strings of 1-30 characters" % tag)
        ex = e.get("example")
        if not isinstance(ex, str) or not 2 <= len(ex) <= 200:
            faults.append("%s: example must be a string of 2-200 characters" % tag)
        if "weight" in e:
            w = e["weight"]
            if isinstance(w, bool) or not isinstance(w, (int, float)) or not WEIGHT_MIN <= w <= WEIGHT_MAX:
                faults.append("%s: weight must be a number in [%.1f, %.1f]" % (tag, WEIGHT_MIN, WEIGHT_MAX))
    return faults


def vocabulary(schemas_dir):
    """Words of synonyms.json and the text of the demo resources, folded."""
    words, text = set(), []
    try:
        for g in load_json(os.path.join(schemas_dir, "synonyms.json")).get("groups", []):
            words.update(fold(w) for w in g)
    except (OSError, ValueError):
        pass
    path = os.path.join(ROOT, "data", "demo", "resources.ndjson")
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                r = json.loads(line)
                text.append(" ".join([r.get("title", ""), r.get("summary", ""),
                                      r.get("description", ""), " ".join(r.get("tags", []))]))
    except (OSError, ValueError):
        pass
    return words, fold("\n".join(text))


def main(argv):
    ap = argparse.ArgumentParser(description="Check the problem-phrase lexicon.")
    ap.add_argument("lexicon", nargs="?", default=os.path.join(ROOT, "schemas", "lexicon.json"))
    ap.add_argument("--schemas", default=os.path.join(ROOT, "schemas"),
                    help="directory of lexicon.schema.json and taxonomy.json")
    ap.add_argument("--quiet", action="store_true", help="print faults and the summary line only")
    args = ap.parse_args(argv)

    try:
        doc = load_json(args.lexicon)
        schema = load_json(os.path.join(args.schemas, "lexicon.schema.json"))
        taxonomy = load_json(os.path.join(args.schemas, "taxonomy.json"))
    except (OSError, ValueError) as e:
        print("check_lexicon: %s" % e, file=sys.stderr)
        return 2

    faults = manual_faults(doc)
    js = schema_faults(doc, schema)
    if js is None:
        note_schema = "jsonschema not importable: structural checks by hand only"
    else:
        note_schema = "validated against lexicon.schema.json with jsonschema"
        faults.extend(js)
    if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
        for f in faults:
            print("FAULT " + f)
        return 1

    scenarios = [s["code"] for s in taxonomy.get("scenarios", [])]
    group_of = {s["code"]: s.get("group") for s in taxonomy.get("scenarios", [])}
    entries = [e for e in doc["entries"] if isinstance(e, dict)]

    seen = {}
    first = {c: 0 for c in scenarios}
    anywhere = {c: 0 for c in scenarios}
    for i, e in enumerate(entries):
        p = e.get("phrase")
        if not isinstance(p, str):
            continue
        tag = "entries/%d (%s)" % (i, p)
        if fold(p) != p:
            faults.append("%s: phrase is not folded (half-width, lower-case Latin): want %r" % (tag, fold(p)))
        if len(p.strip()) < 2:
            faults.append("%s: phrase shorter than 2 characters" % tag)
        if p in GENERIC:
            faults.append("%s: phrase is too generic" % tag)
        key = fold(p)
        if key in seen:
            faults.append("%s: duplicate phrase (first at entries/%d)" % (tag, seen[key]))
        else:
            seen[key] = i
        sc = e.get("scenarios") if isinstance(e.get("scenarios"), list) else []
        if len(set(sc)) != len(sc):
            faults.append("%s: scenario repeated" % tag)
        for j, c in enumerate(sc):
            if c not in first:
                faults.append("%s: unknown scenario code %r" % (tag, c))
                continue
            anywhere[c] += 1
            if j == 0:
                first[c] += 1
        ex = e.get("example")
        if isinstance(ex, str) and key not in fold(ex):
            faults.append("%s: example does not contain the phrase: %s" % (tag, ex))

    if len(entries) < MIN_TOTAL:
        faults.append("%d entries, fewer than %d" % (len(entries), MIN_TOTAL))
    for c in scenarios:
        need = MIN_FOUNDATION if group_of.get(c) == FOUNDATION_GROUP else MIN_BUSINESS
        if first[c] < need:
            faults.append("scenario %s: %d entries list it first, fewer than %d" % (c, first[c], need))

    words, text = vocabulary(args.schemas)
    unknown = {}
    for e in entries:
        for t in e.get("terms") or []:
            if isinstance(t, str) and fold(t) not in words and fold(t) not in text:
                unknown[t] = unknown.get(t, 0) + 1

    if not args.quiet:
        print("lexicon: %s" % os.path.relpath(args.lexicon))
        print("schema:  %s" % note_schema)
        print("%-22s %6s %9s" % ("scenario", "first", "anywhere"))
        for c in scenarios:
            mark = " (foundation)" if group_of.get(c) == FOUNDATION_GROUP else ""
            print("%-22s %6d %9d%s" % (c, first[c], anywhere[c], mark))
        weighted = sum(1 for e in entries if "weight" in e)
        print("entries: %d (%d with a weight below 1)" % (len(entries), weighted))
        if unknown:
            print("note: %d distinct terms appear neither in synonyms.json nor in the demo resources:"
                  % len(unknown))
            print("  " + ", ".join("%s×%d" % (t, n) if n > 1 else t
                                   for t, n in sorted(unknown.items(), key=lambda kv: (-kv[1], kv[0]))))
    for f in faults:
        print("FAULT " + f)
    print("%s: %d entries, %d faults" % ("FAIL" if faults else "OK", len(entries), len(faults)))
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
