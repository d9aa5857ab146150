#!/usr/bin/python3
"""translate.py - the benchmark's queries in the peers' query languages.

    translate.py groonga-typed QUERIES     > q.txt   each query as typed, escaped
    translate.py groonga-expr EXPRS        > q.txt   shucu's FTS5 expressions
    translate.py sphinx-typed QUERIES      > q.txt
    translate.py sphinx-expr EXPRS         > q.txt
    translate.py groonga-reqs Q.TXT        > reqs.tsv  GET /d/select lines for bench/latency

One line in, one line out (an empty line stays empty: that query is skipped).
QUERIES is bench/queries.txt; EXPRS is what `rawfts --exprs` writes: the FTS5
MATCH expression shucu's query builder makes for each query (the relaxation
where search.c falls back to it), e.g.

    ("注塑" OR "注射成型") AND ("车间排产" OR "排产" OR "aps")

*As typed* is the user's string in the peer's own query syntax with every
special character escaped, so the peer's defaults decide what it means:
Groonga ANDs the space-separated words and matches each as a phrase of its
bigrams; Sphinx ANDs them, and with ngram_len = 1 each Han character is its
own keyword, so a Han word is a bag of characters, not a phrase.

*Expression* is shucu's expression parsed (phrases, "x"* prefixes, AND, OR,
NOT, parentheses, with FTS5's precedence NOT > AND > OR) and written fully
parenthesised, so neither peer's precedence can regroup it (Sphinx binds |
tighter than AND):

    Groonga   "phrase"  ->  "phrase"     "钢"*  ->  钢*      AND -> space   OR -> OR
    Sphinx    "phrase"  ->  "phrase"     "钢"*  ->  钢       AND -> space   OR -> |

A Sphinx phrase of Han characters is a phrase of unigrams, which matches
where shucu's phrase of bigrams matches; a one-character prefix ("钢"*: every
bigram that starts with 钢, or 钢 alone) is the unigram 钢 itself.
"""

import sys
import urllib.parse

# ---------------------------------------------------------------- FTS5 parser


def lex(s):
    i, n, out = 0, len(s), []
    while i < n:
        c = s[i]
        if c.isspace():
            i += 1
        elif c in "()":
            out.append((c, None))
            i += 1
        elif c == '"':
            j, buf = i + 1, []
            while j < n:
                if s[j] == '"':
                    if j + 1 < n and s[j + 1] == '"':
                        buf.append('"')
                        j += 2
                        continue
                    break
                buf.append(s[j])
                j += 1
            i = j + 1
            star = i < n and s[i] == "*"
            if star:
                i += 1
            out.append(("phrase", ("".join(buf), star)))
        else:
            j = i
            while j < n and not s[j].isspace() and s[j] not in '()"':
                j += 1
            w = s[i:j]
            i = j
            if w in ("AND", "OR", "NOT"):
                out.append((w, None))
            else:  # a bareword: FTS5 takes it as a phrase
                star = w.endswith("*")
                out.append(("phrase", (w.rstrip("*"), star)))
    return out


class Parser:
    """or := and (OR and)* ; and := not ((AND)? not)* ; not := prim (NOT prim)*"""

    def __init__(self, toks):
        self.t, self.i = toks, 0

    def peek(self):
        return self.t[self.i][0] if self.i < len(self.t) else None

    def take(self):
        self.i += 1
        return self.t[self.i - 1]

    def parse(self):
        e = self.or_()
        if self.peek() is not None:
            raise ValueError("trailing tokens")
        return e

    def or_(self):
        kids = [self.and_()]
        while self.peek() == "OR":
            self.take()
            kids.append(self.and_())
        return kids[0] if len(kids) == 1 else ("or", kids)

    def and_(self):
        kids = [self.not_()]
        while self.peek() in ("AND", "phrase", "("):
            if self.peek() == "AND":
                self.take()
            kids.append(self.not_())
        return kids[0] if len(kids) == 1 else ("and", kids)

    def not_(self):
        e = self.prim()
        while self.peek() == "NOT":
            self.take()
            e = ("not", [e, self.prim()])
        return e

    def prim(self):
        k, v = self.take()
        if k == "(":
            e = self.or_()
            if self.take()[0] != ")":
                raise ValueError("unbalanced parenthesis")
            return e
        if k == "phrase":
            return ("phrase", v)
        raise ValueError("unexpected " + k)


def is_han(ch):
    o = ord(ch)
    return 0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x2FA1F


# ---------------------------------------------------------------- Groonga

# Groonga's query syntax: these are special anywhere in a word (a backslash
# makes the next character literal); escaping the rest of a word is harmless.
GRN_SPECIAL = set('"\'()\\+-~*:<>=@!|')


def grn_escape(w):
    return "".join("\\" + c if c in GRN_SPECIAL else c for c in w)


def grn_phrase(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def grn(e):
    k, v = e
    if k == "phrase":
        text, star = v
        return grn_escape(text) + "*" if star else grn_phrase(text)
    if k == "or":
        return "(" + " OR ".join(grn(x) for x in v) + ")"
    if k == "and":
        return "(" + " ".join(grn(x) for x in v) + ")"
    if k == "not":
        return "(" + grn(v[0]) + " - " + grn(v[1]) + ")"
    raise ValueError(k)


def grn_typed(q):
    # words as typed, AND-ed by Groonga's default; "OR" typed alone stays the
    # operator it is in Groonga's syntax (none of the benchmark's queries has it)
    return " ".join(grn_escape(w) if w != "OR" else w for w in q.split())


# ---------------------------------------------------------------- Sphinx

# Sphinx's extended query syntax operators (a backslash escapes them).
SPH_SPECIAL = set('\\()|-!@~"&/^$=<*')


def sph_escape(w):
    return "".join("\\" + c if c in SPH_SPECIAL else c for c in w)


def sph(e):
    k, v = e
    if k == "phrase":
        text, star = v
        if star:
            if len(text) == 1 and is_han(text):
                return text  # the unigram itself: see the docstring
            return sph_escape(text) + "*"
        return '"' + sph_escape(text) + '"'
    if k == "or":
        return "(" + " | ".join(sph(x) for x in v) + ")"
    if k == "and":
        return "(" + " ".join(sph(x) for x in v) + ")"
    if k == "not":
        return "(" + sph(v[0]) + " -" + sph(v[1]) + ")"
    raise ValueError(k)


def sph_typed(q):
    return " ".join(sph_escape(w) for w in q.split())


# ---------------------------------------------------------------- requests

GRN_SELECT = {
    "table": "Resources",
    # FTS5's bm25(resources_fts, 10.0, 4.0, 1.0, 4.0, 3.0) column weights
    "match_columns": "title * 10 || summary * 4 || description || tags * 4 || provider * 3",
    "limit": "10",
    "output_columns": "_key,_score",
    "sortby": "-_score",
    "cache": "no",  # Groonga's query cache would answer every repetition
}


def grn_path(q):
    p = dict(GRN_SELECT)
    p["query"] = q
    return "/d/select?" + urllib.parse.urlencode(p, quote_via=urllib.parse.quote)


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    w = sys.stdout.write
    for line in open(path, encoding="utf-8"):
        s = line.rstrip("\n")
        if not s.strip():
            # bench/latency keeps a "-" line's number but sends nothing
            w("-\t-\n" if cmd == "groonga-reqs" else "\n")
            continue
        if cmd == "groonga-typed":
            w(grn_typed(s) + "\n")
        elif cmd == "sphinx-typed":
            w(sph_typed(s) + "\n")
        elif cmd in ("groonga-expr", "sphinx-expr"):
            e = Parser(lex(s)).parse()
            w((grn(e) if cmd == "groonga-expr" else sph(e)) + "\n")
        elif cmd == "groonga-reqs":
            w("GET\t%s\n" % grn_path(s))
        else:
            sys.exit("translate.py: unknown command " + cmd)


if __name__ == "__main__":
    main()
