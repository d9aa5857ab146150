#!/usr/bin/python3
"""instrument_from_reference.py - build schemas/instruments/sme-2024.json.

    /usr/bin/python3 scripts/instrument_from_reference.py [REFERENCE] [--out FILE] [--check]

REFERENCE defaults to shared/reference/sme-digital-level-2024.json beside the
repository (../shared/ from the repository root, else /work/shared/).  The
output defaults to schemas/instruments/sme-2024.json.  --check writes nothing
and exits 1 when the committed output differs from what would be written.

The reference's content is kept as it is: question codes, option ids and
texts, scores, points, help, caution, types, the 16 scenes with their ladders,
the level rules and the notes.  What a program needs is added:

- top level: code, name, version, issued_by, total, source, level_names;
- each multi question's "无" option: "exclusive": true;
- each evidence figure: {"key", "label", "unit"?} (keys from EVIDENCE below);
- each question of the 数字化成效 dimension: "outcome": true.

Checks (exit 1 naming the fault): each question's maximum (single: highest
option score; multi: sum of the non-exclusive scores) equals its points,
groups and dimensions add up, the total is 100, the scene codes are the 16
scenario codes of the groups lifecycle, production, supply_chain and
management in schemas/taxonomy.json, in the same order, with the same names;
and, where python3-jsonschema is importable, the output validates against
schemas/instrument.schema.json.  Standard library only otherwise.
"""

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
REF_NAME = os.path.join("reference", "sme-digital-level-2024.json")
REF_DEFAULTS = [
    os.path.join(os.path.dirname(REPO), "shared", REF_NAME),
    os.path.join("/work/shared", REF_NAME),
]
OUT_DEFAULT = os.path.join(REPO, "schemas", "instruments", "sme-2024.json")
SCHEMA = os.path.join(REPO, "schemas", "instrument.schema.json")
TAXONOMY = os.path.join(REPO, "schemas", "taxonomy.json")

CODE = "sme-2024"
OUTCOME_DIMENSION = "数字化成效"
SCENE_GROUPS = ["lifecycle", "production", "supply_chain", "management"]
LEVEL_NAMES = {"1": "一级", "2": "二级", "3": "三级", "4": "四级"}
EPS = 1e-9

# (question code, label exactly as in the reference) -> (key, unit or None).
# Chosen by hand; keys are ASCII snake_case and unique across the instrument,
# so that an answer's figures keep their meaning when a label is reworded.
EVIDENCE = {
    ("device_digital_rate", "生产设备数量（台）"): ("devices_total", "台"),
    ("device_digital_rate", "实现数字化的生产设备数量（台）"): ("devices_digital", "台"),
    ("device_network_rate", "实现联网的生产设备数量（台）"): ("devices_networked", "台"),
    ("investment", "具体数据为（万元/年）"): ("invest_per_year", "万元/年"),
    ("energy_per_revenue", "企业上年综合能源消费量（吨标准煤）"): ("energy_last_year", "吨标准煤"),
    ("energy_per_revenue", "前年综合能源消费量（吨标准煤）"): ("energy_year_before", "吨标准煤"),
    # The reference's label is only "具体数值"; the question is about the
    # monthly average pass rate, so the unit is taken to be %.
    ("pass_rate", "具体数值"): ("pass_rate", "%"),
    ("revenue_per_head", "上年员工人数（人）"): ("employees_last_year", "人"),
    ("revenue_per_head", "上年营业收入（万元）"): ("revenue_last_year", "万元"),
    ("revenue_per_head", "前年员工人数（人）"): ("employees_year_before", "人"),
    ("revenue_per_head", "前年营业收入（万元）"): ("revenue_year_before", "万元"),
    ("cost_per_revenue", "上年成本（万元）"): ("cost_last_year", "万元"),
    ("cost_per_revenue", "前年成本（万元）"): ("cost_year_before", "万元"),
}


class Fault(Exception):
    pass


def close(a, b):
    return abs(a - b) < EPS


def build(ref):
    """The instrument from the reference; raises Fault on anything unexpected."""
    for k in ("instrument", "issued_by", "version", "total", "dimensions",
              "scenes", "level_rules"):
        if k not in ref:
            raise Fault("reference: no %r" % k)
    if ref.get("code", CODE) != CODE:
        raise Fault("reference: code %r, expected %r" % (ref.get("code"), CODE))
    out = {
        "code": CODE,
        "name": ref["instrument"],
        "version": ref["version"],
        "issued_by": ref["issued_by"],
        "total": ref["total"],
        "source": ("Transcribed by scripts/instrument_from_reference.py from "
                   "shared/reference/sme-digital-level-2024.json, a transcription "
                   "of the official online self-assessment questionnaire (2024 "
                   "version); not checked against the official PDF. The level "
                   "rules are unverified (third-party implementations); the "
                   "资金保障 (investment) bands look high. Correct this file, "
                   "never the server's code."),
    }
    if "note" in ref:
        out["reference_note"] = ref["note"]
    used_keys = {}
    used_labels = set()
    dims = []
    for d in ref["dimensions"]:
        outcome = d["name"] == OUTCOME_DIMENSION
        groups = []
        for g in d["groups"]:
            qs = []
            for q in g["questions"]:
                nq = {}
                for k, v in q.items():
                    if k == "options":
                        opts = []
                        for o in v:
                            no = dict(o)
                            if q["type"] == "multi" and o["text"] == "无":
                                no["exclusive"] = True
                            opts.append(no)
                        nq[k] = opts
                    elif k == "evidence":
                        figs = []
                        for label in v:
                            m = EVIDENCE.get((q["code"], label))
                            if m is None:
                                raise Fault("question %s: evidence label %r has no key in "
                                            "EVIDENCE" % (q["code"], label))
                            key, unit = m
                            if key in used_keys:
                                raise Fault("evidence key %r used twice (%s, %s)"
                                            % (key, used_keys[key], q["code"]))
                            used_keys[key] = q["code"]
                            used_labels.add((q["code"], label))
                            f = {"key": key, "label": label}
                            if unit:
                                f["unit"] = unit
                            figs.append(f)
                        nq[k] = figs
                    else:
                        nq[k] = v
                if outcome:
                    nq["outcome"] = True
                qs.append(nq)
            ng = {k: v for k, v in g.items() if k != "questions"}
            ng["questions"] = qs
            groups.append(ng)
        nd = {k: v for k, v in d.items() if k != "groups"}
        nd["groups"] = groups
        dims.append(nd)
    unused = set(EVIDENCE) - used_labels
    if unused:
        raise Fault("EVIDENCE entries not in the reference: %s" % sorted(unused))
    out["dimensions"] = dims
    if "scenes_note" in ref:
        out["scenes_note"] = ref["scenes_note"]
    out["scenes"] = [{"code": s["code"], "name": s["name"], "group": s["group"],
                      "constrained": s["constrained"], "ladder": s["ladder"]}
                     for s in ref["scenes"]]
    for s in ref["scenes"]:
        extra = set(s) - {"code", "name", "group", "constrained", "ladder"}
        if extra:
            raise Fault("scene %s: fields not carried over: %s" % (s["code"], sorted(extra)))
    if "level_rules_note" in ref:
        out["level_rules_note"] = ref["level_rules_note"]
    out["level_rules"] = ref["level_rules"]
    out["level_names"] = LEVEL_NAMES
    known = {"instrument", "issued_by", "version", "total", "note", "dimensions",
             "scenes_note", "scenes", "level_rules_note", "level_rules", "code"}
    extra = set(ref) - known
    if extra:
        raise Fault("reference: top-level fields not carried over: %s" % sorted(extra))
    return out


def check(inst, taxonomy):
    """Sums, codes and the scene list against the taxonomy; raises Fault."""
    if inst["total"] != 100:
        raise Fault("total is %r, not 100" % inst["total"])
    qcodes = set()
    dim_sum = 0.0
    for d in inst["dimensions"]:
        g_sum = 0.0
        for g in d["groups"]:
            q_sum = 0.0
            for q in g["questions"]:
                where = "question %s (%s/%s)" % (q["code"], d["name"], g["name"])
                if q["code"] in qcodes:
                    raise Fault("%s: code used twice" % where)
                qcodes.add(q["code"])
                ids = [o["id"] for o in q["options"]]
                if ids != [chr(ord("A") + i) for i in range(len(ids))]:
                    raise Fault("%s: option ids %s are not A, B, C, ..." % (where, ids))
                if len(ids) < 2:
                    raise Fault("%s: fewer than two options" % where)
                for o in q["options"]:
                    if o["score"] < 0:
                        raise Fault("%s: option %s scores below 0" % (where, o["id"]))
                if q["type"] == "single":
                    top = max(o["score"] for o in q["options"])
                    if any(o.get("exclusive") for o in q["options"]):
                        raise Fault("%s: single question with an exclusive option" % where)
                elif q["type"] == "multi":
                    excl = [o for o in q["options"] if o.get("exclusive")]
                    if len(excl) != 1:
                        raise Fault("%s: multi question with %d options \"无\", expected 1"
                                    % (where, len(excl)))
                    if excl[0]["score"] != 0:
                        raise Fault("%s: option \"无\" scores %r, not 0" % (where, excl[0]["score"]))
                    top = sum(o["score"] for o in q["options"] if not o.get("exclusive"))
                else:
                    raise Fault("%s: type %r" % (where, q["type"]))
                if not close(top, q["points"]):
                    raise Fault("%s: maximum %g but points %g" % (where, top, q["points"]))
                if d["name"] == OUTCOME_DIMENSION and not q.get("outcome"):
                    raise Fault("%s: not marked outcome" % where)
                q_sum += q["points"]
            if not close(q_sum, g["points"]):
                raise Fault("group %s/%s: questions add up to %g, points %g"
                            % (d["name"], g["name"], q_sum, g["points"]))
            g_sum += g["points"]
        if not close(g_sum, d["points"]):
            raise Fault("dimension %s: groups add up to %g, points %g"
                        % (d["name"], g_sum, d["points"]))
        dim_sum += d["points"]
    if not close(dim_sum, inst["total"]):
        raise Fault("dimensions add up to %g, total %g" % (dim_sum, inst["total"]))

    groups = {g["code"]: g["name"] for g in taxonomy["scenario_groups"]}
    want = [s for s in taxonomy["scenarios"] if s["group"] in SCENE_GROUPS]
    got = [s["code"] for s in inst["scenes"]]
    if got != [s["code"] for s in want]:
        raise Fault("scene codes %s differ from the taxonomy's %s"
                    % (got, [s["code"] for s in want]))
    for s, t in zip(inst["scenes"], want):
        if s["name"] != t["name"]:
            raise Fault("scene %s: name %r, taxonomy says %r" % (s["code"], s["name"], t["name"]))
        if s["group"] != groups[t["group"]]:
            raise Fault("scene %s: group %r, taxonomy says %r"
                        % (s["code"], s["group"], groups[t["group"]]))
        if len(s["ladder"]) != 4 or not all(isinstance(x, str) and x for x in s["ladder"]):
            raise Fault("scene %s: ladder is not four texts" % s["code"])
    n_constrained = sum(1 for s in inst["scenes"] if s["constrained"])

    rules = inst["level_rules"]
    if [r["level"] for r in rules] != [1, 2, 3, 4]:
        raise Fault("level_rules: levels %s, expected 1-4" % [r["level"] for r in rules])
    prev = None
    for r in rules:
        if not 0 <= r["min_score"] <= inst["total"]:
            raise Fault("level %d: min_score %r out of range" % (r["level"], r["min_score"]))
        if not 0 <= r["min_constrained_at_level"] <= r["min_scenes_at_level"] <= len(got):
            raise Fault("level %d: scene counts out of range" % r["level"])
        if r["min_constrained_at_level"] > n_constrained:
            raise Fault("level %d: needs %d constrained scenes, only %d exist"
                        % (r["level"], r["min_constrained_at_level"], n_constrained))
        if prev and r["min_score"] < prev["min_score"]:
            raise Fault("level %d: min_score below level %d's" % (r["level"], prev["level"]))
        prev = r
    tl = {str(lv["code"]): lv["name"] for lv in taxonomy.get("levels", [])}
    if tl and tl != inst["level_names"]:
        raise Fault("level_names %s differ from the taxonomy's %s" % (inst["level_names"], tl))
    return {"questions": len(qcodes), "scenes": len(got), "constrained": n_constrained}


def validate_schema(inst, schema_path):
    try:
        import jsonschema
    except ImportError:
        print("jsonschema not importable: schema validation skipped", file=sys.stderr)
        return False
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errors = sorted(cls(schema).iter_errors(inst), key=lambda e: list(e.path))
    if errors:
        e = errors[0]
        raise Fault("schema: %s at %s (%d error(s))"
                    % (e.message, "/".join(str(p) for p in e.path) or "(root)", len(errors)))
    return True


def render(inst):
    return json.dumps(inst, ensure_ascii=False, indent=2) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("reference", nargs="?", help="reference JSON (default: shared/%s)" % REF_NAME)
    ap.add_argument("--out", default=OUT_DEFAULT)
    ap.add_argument("--taxonomy", default=TAXONOMY)
    ap.add_argument("--schema", default=SCHEMA)
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if the output file is not what would be written")
    a = ap.parse_args()
    ref_path = a.reference
    if ref_path is None:
        ref_path = next((p for p in REF_DEFAULTS if os.path.exists(p)), None)
        if ref_path is None:
            print("no reference found at %s" % " or ".join(REF_DEFAULTS), file=sys.stderr)
            return 2
    try:
        with open(ref_path, encoding="utf-8") as f:
            ref = json.load(f)
        with open(a.taxonomy, encoding="utf-8") as f:
            taxonomy = json.load(f)
        inst = build(ref)
        counts = check(inst, taxonomy)
        validated = validate_schema(inst, a.schema)
    except Fault as e:
        print("instrument_from_reference: %s" % e, file=sys.stderr)
        return 1
    text = render(inst)
    if a.check:
        try:
            with open(a.out, encoding="utf-8") as f:
                same = f.read() == text
        except FileNotFoundError:
            same = False
        if not same:
            print("%s is not up to date with %s" % (a.out, ref_path), file=sys.stderr)
            return 1
    else:
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        with open(a.out, "w", encoding="utf-8") as f:
            f.write(text)
    print("%s: %d dimensions, %d groups, %d questions, %d evidence figures, %d scenes "
          "(%d constrained), %d level rules, total %g; schema %s; %s %s"
          % (CODE, len(inst["dimensions"]),
             sum(len(d["groups"]) for d in inst["dimensions"]), counts["questions"],
             sum(len(q.get("evidence", [])) for d in inst["dimensions"]
                 for g in d["groups"] for q in g["questions"]),
             counts["scenes"], counts["constrained"], len(inst["level_rules"]),
             inst["total"], "valid" if validated else "not checked",
             "checked" if a.check else "wrote", os.path.relpath(a.out, REPO)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
