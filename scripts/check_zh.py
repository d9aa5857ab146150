#!/usr/bin/python3
"""check_zh.py - lists the error messages of server/ that have no Chinese
template in server/lib/zh_catalogue.c (docs/api.md, "Errors in Chinese").

    /usr/bin/python3 scripts/check_zh.py [--strict]

Reads every reply_error(), refuse(), verr_set() and verr_setz() call in
server/**/*.c, takes its format string (adjacent literals joined, PRId64 and
JSON_INTEGER_FORMAT expanded as on Linux x86-64; both literals of a
`cond ? "..." : "..."` format), and prints the ones the catalogue lacks
with the file that raises them.  A message without an entry still reaches
a Chinese client, as the generic Chinese sentence of its code and field;
this report says where a more precise one would help.

Then the names: every question, evidence figure and scene of
schemas/instruments/*.json and every scenario of schemas/taxonomy.json must
have its row in zh.c's QUESTIONS, FIGURES and SCENARIOS (what answers.<code>,
evidence.<code>.<figure> and scenes.<code> are called in Chinese).

Exit 0, or 1 with --strict when something is missing (make test runs it so:
tests/api/test_zh_catalogue.py).  Standard library only.
"""

import glob
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FMT_ARG = {"reply_error": 3, "refuse": 3, "verr_set": 2, "verr_setz": 3}
CALL = re.compile(r"\b(reply_error|refuse|verr_set|verr_setz)\s*\(")
MACROS = {"PRId64": "ld", "JSON_INTEGER_FORMAT": "lld", "I64": "%ld", "JI": "%lld"}


def split_args(s, i):
    args, depth, cur, instr, j = [], 0, "", False, i
    while j < len(s):
        c = s[j]
        if instr:
            cur += c
            if c == "\\":
                cur += s[j + 1]
                j += 2
                continue
            if c == '"':
                instr = False
        elif c == '"':
            instr, cur = True, cur + c
        elif c in "([{":
            depth, cur = depth + 1, cur + c
        elif c in ")]}":
            if depth == 0:
                args.append(cur)
                return args
            depth, cur = depth - 1, cur + c
        elif c == "," and depth == 0:
            args.append(cur)
            cur = ""
        else:
            cur += c
        j += 1
    return args


def literal(a):
    """The C string an argument spells, or None when it is not literals."""
    a, out, j = a.strip(), "", 0
    while j < len(a):
        m = re.match(r'\s*"((?:[^"\\]|\\.)*)"', a[j:])
        if m:
            out += m.group(1)
            j += m.end()
            continue
        m = re.match(r"\s*(\w+)", a[j:])
        if m and m.group(1) in MACROS:
            out += MACROS[m.group(1)]
            j += m.end()
            continue
        if not a[j:].strip():
            break
        return None
    return out.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")


def top_level(a, ch, start=0):
    """The index of ch in a at depth 0 outside string literals, or -1."""
    depth, instr, j = 0, False, start
    while j < len(a):
        c = a[j]
        if instr:
            if c == "\\":
                j += 2
                continue
            if c == '"':
                instr = False
        elif c == '"':
            instr = True
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == ch and depth == 0:
            return j
        j += 1
    return -1


def formats(a):
    """The formats an argument may be: its literal, or both literals of a
    conditional (nested ones too); [] when it is not made of literals."""
    s = literal(a)
    if s is not None:
        return [s]
    q = top_level(a, "?")
    if q < 0:
        return []
    c = top_level(a, ":", q + 1)
    if c < 0:
        return []
    yes, no = formats(a[q + 1:c]), formats(a[c + 1:])
    return yes + no if yes and no else []


def catalogue():
    text = open(os.path.join(ROOT, "server", "lib", "zh_catalogue.c"), encoding="utf-8").read()
    body = text[text.index("CATALOGUE[] = {"):]
    body = body[:body.index("\n};")]
    found = set()
    for m in re.finditer(r"\{((?:\s*(?:\"(?:[^\"\\]|\\.)*\"|I64|JI))+)\s*,\s*\"", body):
        s = literal(m.group(1))
        if s is not None:
            found.add(s)
    return found


def names_missing():
    """The codes of the instruments and the taxonomy that zh.c cannot name,
    as (table, code, source file)."""
    text = open(os.path.join(ROOT, "server", "lib", "zh.c"), encoding="utf-8").read()

    def table(name):
        body = text[text.index(name + "[] = {"):]
        return set(re.findall(r'\{"([^"]+)", "', body[:body.index("\n};")]))
    have = {t: table(t) for t in ("QUESTIONS", "FIGURES", "SCENARIOS")}
    out = []
    for path in sorted(glob.glob(os.path.join(ROOT, "schemas", "instruments", "*.json"))):
        doc = json.load(open(path, encoding="utf-8"))
        rel = os.path.relpath(path, ROOT)
        for dim in doc.get("dimensions", []):
            for group in dim.get("groups", []):
                for q in group.get("questions", []):
                    if q["code"] not in have["QUESTIONS"]:
                        out.append(("QUESTIONS", q["code"], rel))
                    out += [("FIGURES", f["key"], rel) for f in q.get("evidence", [])
                            if f["key"] not in have["FIGURES"]]
        out += [("SCENARIOS", s["code"], rel) for s in doc.get("scenes", [])
                if s["code"] not in have["SCENARIOS"]]
    tax = json.load(open(os.path.join(ROOT, "schemas", "taxonomy.json"), encoding="utf-8"))
    out += [("SCENARIOS", s["code"], "schemas/taxonomy.json") for s in tax.get("scenarios", [])
            if s["code"] not in have["SCENARIOS"]]
    return out


def main(argv):
    known = catalogue()
    missing = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "server", "**", "*.c"), recursive=True)):
        src = open(path, encoding="utf-8").read()
        for m in CALL.finditer(src):
            if re.search(r"(int|void)\s*$", src[max(0, m.start() - 8):m.start()]):
                continue  # the definition itself
            args = split_args(src, m.end())
            k = FMT_ARG[m.group(1)]
            if m.group(1) == "verr_setz" or len(args) <= k:
                continue  # verr_setz carries its own template
            for fmt in formats(args[k]):
                if fmt == "%s" or fmt in known:
                    continue
                missing.setdefault(fmt, os.path.relpath(path, ROOT))
    for fmt, where in sorted(missing.items(), key=lambda x: x[1]):
        print("%s: %s" % (where, fmt))
    print("check_zh: %d message formats without a Chinese template" % len(missing))
    names = names_missing()
    for tbl, code, where in names:
        print("%s: %s has no row in zh.c's %s" % (where, code, tbl))
    if names:
        print("check_zh: %d codes without a Chinese name" % len(names))
    return 1 if (missing or names) and "--strict" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
