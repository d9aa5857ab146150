#!/usr/bin/python3
"""demo_assess.py - the demo enterprise files and assessments (issue 18),
written by gen_demo.py beside the other demo files:

files.ndjson        one enterprise file a line, with "name" (the import
                    format of POST /v1/enterprises:bulk)
assessments.ndjson  one assessment a line: an assessment body plus
                    "enterprise", "by" (the verifying center), "status"
                    (draft, submitted, verified), times, and scene
                    "corrections" made on verifying (shucud seed's format,
                    server/api/assessment.h)

USCCs are real-looking: 91 (工商, enterprise), the GB/T 2260 code of the
district, a nine-character organisation code whose ninth character is its
GB 11714 check digit, and the GB 32100-2015 check character.  Districts
come from schemas/regions.json.  Answers are chosen so that each
assessment lands on the level its enterprise should show; the level is
computed here from schemas/instruments/sme-2024.json by the rules the
server applies (instrument.h), and the script stops if a target is missed.

Deterministic (random.Random(2026 + 18)); standard library only.
"""

import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
USCC_ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ORG_W = [3, 7, 9, 10, 5, 8, 4, 2]
ORGCODE_ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # letters a code may use
CENTER = "武汉市制造业数字化转型促进中心"

with open(os.path.join(ROOT, "schemas", "regions.json"), encoding="utf-8") as _f:
    REGIONS = json.load(_f)
with open(os.path.join(ROOT, "schemas", "instruments", "sme-2024.json"), encoding="utf-8") as _f:
    INSTRUMENT = json.load(_f)

# name -> (province, city, district or None, size, above_scale, employees,
#          revenue (万元), specialized, certificates, level wanted, story)
# story: how its assessments look on first run.
ENTERPRISES = {
    "武汉鑫达精密机械有限公司": ("湖北省", "武汉市", "东西湖区", "small", False, 86, 4200,
                      "innovative", [("两化融合管理体系", "A", 2022)], 1, "verified+draft"),
    "孝感锦程纺织印染有限公司": ("湖北省", "孝感市", "孝南区", "medium", True, 260, 21000, "none",
                      [("两化融合管理体系", "AA", 2023)], 2, "verified"),
    "荆州楚味食品有限公司": ("湖北省", "荆州市", "沙市区", "small", False, 120, 6800, "none", [], 1,
                    "submitted"),
    "宜昌峡江精细化工有限公司": ("湖北省", "宜昌市", "猇亭区", "medium", True, 310, 36000,
                      "specialized", [("智能制造能力成熟度", "二级", 2024)], 2, "onsite"),
    "襄阳恒通汽车零部件有限公司": ("湖北省", "襄阳市", "襄州区", "medium", True, 420, 58000,
                       "little_giant", [("智能制造能力成熟度", "三级", 2024),
                                        ("两化融合管理体系", "AAA", 2023)], 3, "verified"),
    "黄冈九州药业有限公司": ("湖北省", "黄冈市", "黄州区", "medium", True, 230, 17500, "innovative",
                    [], 2, "submitted"),
    "天门恒丰纺织有限公司": ("湖北省", "天门市", None, "small", False, 150, 5200, "none", [], 1,
                    "verified"),
    "仙桃华美无纺布制品有限公司": ("湖北省", "仙桃市", None, "small", True, 180, 12600, "none", [], 1,
                       "draft"),
    "鄂州宏远铸造有限公司": ("湖北省", "鄂州市", "鄂城区", "small", False, 95, 3900, "none", [], 0,
                    "verified"),
    "东莞利丰塑胶制品有限公司": ("广东省", "东莞市", None, "medium", True, 380, 26000, "none", [], 1,
                      "submitted"),
    "苏州新芯电子科技有限公司": ("江苏省", "苏州市", "吴中区", "medium", True, 290, 33000,
                      "specialized", [("两化融合管理体系", "AA", 2022)], 2, "verified"),
    "绍兴永利印染有限公司": ("浙江省", "绍兴市", "柯桥区", "medium", True, 210, 19000, "none", [],
                    None, ""),
    "唐山隆泰特钢有限公司": ("河北省", "唐山市", "丰润区", "large", True, 1800, 410000, "none", [],
                    None, ""),
    "许昌鑫能电气设备有限公司": ("河南省", "许昌市", "魏都区", "small", False, 130, 8800, "innovative",
                      [], 1, "draft"),
    "当阳金石建材有限公司": ("湖北省", "宜昌市", "当阳市", "medium", True, 340, 45000, "none", [], 1,
                    "verified"),
}
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "志强", "海燕", "晓东", "丽华", "国平", "文杰", "春梅", "振华", "秀英"]


def place(prov, city, district):
    p = next(x for x in REGIONS["provinces"] if x["name"] == prov)
    c = next(x for x in p["cities"] if x["name"] == city)
    if district is None:
        assert not c["districts"], "%s has districts: name one" % city
        return c["code"]
    return next(d["code"] for d in c["districts"] if d["name"] == district)


def org_code(rng):
    body = "".join(rng.choice("0123456789") for _ in range(2)) + \
        "".join(rng.choice(ORGCODE_ALPHA) for _ in range(6))
    vals = [int(ch) if ch.isdigit() else ord(ch) - 55 for ch in body]
    c = 11 - sum(v * w for v, w in zip(vals, ORG_W)) % 11
    return body + ("X" if c == 10 else "0" if c == 11 else str(c))


def uscc(rng, district_code):
    body = "91" + district_code + org_code(rng)
    c = 31 - sum(USCC_ALPHA.index(ch) * w for ch, w in zip(body, USCC_W)) % 31
    return body + USCC_ALPHA[0 if c == 31 else c]


def uscc_ok(code):
    c = 31 - sum(USCC_ALPHA.index(ch) * w for ch, w in zip(code[:17], USCC_W)) % 31
    return code[17] == USCC_ALPHA[0 if c == 31 else c]


# ------------------------------------------------------------ scoring


def questions():
    for d in INSTRUMENT["dimensions"]:
        for g in d["groups"]:
            for q in g["questions"]:
                yield q


def score(answers):
    total = 0.0
    for q in questions():
        opts = {o["id"]: o["score"] for o in q["options"]}
        picked = answers.get(q["code"], [])
        total += sum(opts[i] for i in picked) if q["type"] == "multi" else max([opts[i] for i in picked] or [0])
    return round(total, 4)


def level(total, scenes):
    lv = 0
    for r in INSTRUMENT["level_rules"]:
        at = [s for s in INSTRUMENT["scenes"] if scenes.get(s["code"], 0) >= r["level"]]
        if total >= r["min_score"] and len(at) >= r["min_scenes_at_level"] and \
                sum(1 for s in at if s["constrained"]) >= r["min_constrained_at_level"]:
            lv = r["level"]
        else:
            break
    return lv


def answers_at(rng, q_level, partial=None):
    """Answers of an enterprise at maturity q_level in [0, 1]."""
    out = {}
    for i, q in enumerate(questions()):
        if partial is not None and i >= partial:
            break
        x = min(1.0, max(0.0, q_level + rng.uniform(-0.2, 0.2)))
        if q["type"] == "single":
            ranked = sorted(q["options"], key=lambda o: o["score"])
            out[q["code"]] = [ranked[round(x * (len(ranked) - 1))]["id"]]
        else:
            real = [o["id"] for o in q["options"] if not o.get("exclusive")]
            k = round(x * len(real))
            out[q["code"]] = sorted(rng.sample(real, k)) if k else \
                [o["id"] for o in q["options"] if o.get("exclusive")]
    return out


def scenes_at(rng, lv, partial=None):
    rules = {r["level"]: r for r in INSTRUMENT["level_rules"]}
    out = {}
    for s in INSTRUMENT["scenes"]:
        out[s["code"]] = max(0, lv - 1 + (1 if rng.random() < 0.25 else 0) - (1 if rng.random() < 0.15 else 0))
    if lv:
        need = rules[lv]["min_scenes_at_level"] + 1
        cons = [s["code"] for s in INSTRUMENT["scenes"] if s["constrained"]]
        other = [s["code"] for s in INSTRUMENT["scenes"] if not s["constrained"]]
        for code in cons[:rules[lv]["min_constrained_at_level"] + 1] + other[:need]:
            out[code] = max(out[code], lv)
    if partial is not None:
        out = dict(list(out.items())[:partial])
    return out


def assessment_for(rng, lv):
    """(answers, scenes) that score level lv exactly."""
    lo = {0: 0}
    for r in INSTRUMENT["level_rules"]:
        lo[r["level"]] = r["min_score"]
    hi = lo.get(lv + 1, 101)
    for attempt in range(400):
        target = (lo[lv] + min(hi, lo[lv] + 20)) / 2 if lv else 14
        ans = answers_at(rng, target / 100 + rng.uniform(-0.08, 0.08))
        sc = scenes_at(rng, lv)
        total = score(ans)
        if lo[lv] + 1 <= total < hi - 1 and level(total, sc) == lv:
            return ans, sc
    raise SystemExit("demo_assess: cannot make an assessment at level %d" % lv)


def evidence(rng, size):
    n = {"micro": 12, "small": 40, "medium": 120, "large": 600}[size]
    total = rng.randint(n // 2, n)
    dig = rng.randint(total // 5, total // 2)
    return {"device_digital_rate": {"devices_total": total, "devices_digital": dig},
            "device_network_rate": {"devices_networked": rng.randint(dig // 2, dig)},
            "pass_rate": {"pass_rate": round(rng.uniform(95, 99.6), 1)}}


# ------------------------------------------------------------ lines


def files(rng, enterprise_industries):
    out = []
    for name, (prov, city, dist, size, above, emp, rev, spec, certs, _lv, _s) in ENTERPRISES.items():
        f = {"name": name, "uscc": uscc(rng, place(prov, city, dist)), "province": prov, "city": city,
             "industry": enterprise_industries[name][0], "size": size, "above_scale": above,
             "employees": emp, "revenue": rev, "specialized": spec,
             "contact": {"name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                         "phone": "13%d%08d" % (rng.randint(0, 9), rng.randint(0, 99999999))}}
        if dist:
            f["district"] = dist
        if certs:
            f["certificates"] = [{"type": t, "grade": g, "year": y} for t, g, y in certs]
        assert uscc_ok(f["uscc"]), f["uscc"]
        out.append(f)
    return out


def assessments(rng):
    out = []
    for name, (_p, _c, _d, size, _a, _e, _r, _s, _cert, lv, story) in ENTERPRISES.items():
        if lv is None:
            continue
        ev = evidence(rng, size)
        if story in ("verified", "verified+draft", "onsite"):
            ans, sc = assessment_for(rng, lv)
            line = {"enterprise": name, "by": CENTER, "status": "verified", "instrument": "sme-2024",
                    "mode": "onsite" if story == "onsite" else "self", "answers": ans, "evidence": ev,
                    "scenes": sc, "created_at": "2026-0%d-1%dT02:30:00Z" % (rng.randint(5, 8), rng.randint(0, 8)),
                    "verified_at": "2026-09-2%dT07:00:00Z" % rng.randint(0, 8),
                    "verify_note": "资料与现场一致，核验通过"}
            if story == "onsite":
                # the center found one scene a step lower than claimed
                code = max(sc, key=lambda k: sc[k])
                line["corrections"] = {code: sc[code] - 1}
                line["verify_note"] = "现场评定：%s 实际为 %d 级" % (code, sc[code] - 1)
                fixed = dict(sc, **line["corrections"])
                if level(score(ans), fixed) != lv:
                    line.pop("corrections")
                    line["verify_note"] = "现场评定通过"
            assert level(score(ans), dict(sc, **line.get("corrections", {}))) == lv, name
            out.append(line)
        if story in ("submitted",):
            ans, sc = assessment_for(rng, lv)
            out.append({"enterprise": name, "by": CENTER, "status": "submitted", "instrument": "sme-2024",
                        "mode": "self", "answers": ans, "evidence": ev, "scenes": sc,
                        "created_at": "2026-11-2%dT03:00:00Z" % rng.randint(0, 8),
                        "verified_at": "2026-11-2%dT09:00:00Z" % rng.randint(0, 8)})
        if story in ("draft", "verified+draft"):
            ans = answers_at(rng, (lv + 1) * 0.2, partial=8)
            sc = scenes_at(rng, lv + 1, partial=6)
            out.append({"enterprise": name, "by": CENTER, "status": "draft", "instrument": "sme-2024",
                        "mode": "self", "answers": ans, "scenes": sc,
                        "note": "年度复评：先填了设备和信息化部分", "created_at": "2026-11-28T01:00:00Z"})
    return out


def generate(orgs):
    """(files, assessments) for the enterprises among orgs."""
    ents = {o["name"]: o["industries"] for o in orgs if o["role"] == "enterprise"}
    missing = set(ENTERPRISES) - set(ents)
    if missing:
        raise SystemExit("demo_assess: not demo enterprises: %s" % ", ".join(sorted(missing)))
    rng = random.Random(2026 + 18)
    return files(rng, ents), assessments(rng)
