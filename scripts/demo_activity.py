#!/usr/bin/python3
"""demo_activity.py - a few weeks of a center's work, played through the API
on a freshly seeded demo database, so that no page of the console is empty
on first run (issue 21).

    /usr/bin/python3 scripts/demo_activity.py --url http://127.0.0.1:8080 --keys data/demo-keys.txt

--keys is what `shucud seed` printed: "<role> <key> <organisation>" lines (and
"user ..." lines, ignored here).  Everything goes through the HTTP API with
the admin's and the demo organisations' keys (keys for the other demo
organisations are made by the admin), so every record has its revisions,
its notifications and its "who did it" exactly as if people had clicked:

  - responses to enterprises' needs, one accepted (contacts shown both ways)
    and reviewed;
  - campaigns in several states: open with participants, implementing with
    progress, completed with levels and reviews, open with nobody yet, and a
    draft waiting for its provider to confirm the tier prices;
  - a message from an enterprise to a provider (联系服务商).

Standard library only.  Prints one line per step; a step the server refuses
is reported and skipped (exit 0), so a newer server that changes one rule
still gets the rest.  Exit 1 only when the server cannot be reached.
"""

import argparse
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

URL = None
KEYS = {}        # org name -> key
ROLE_KEY = {}    # role -> key of the demo organisation of that role
ORG_ID = {}      # org name -> id
PROBLEMS = []


def call(method, path, body=None, key=None, query=None):
    url = URL + path
    if query:
        url += "?" + urllib.parse.urlencode(query, doseq=True)
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if key:
        req.add_header("Authorization", "Bearer " + key)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            text = r.read().decode()
            return r.status, (json.loads(text) if text.strip() else None)
    except urllib.error.HTTPError as e:
        text = e.read().decode("utf-8", "replace")
        try:
            return e.code, json.loads(text)
        except ValueError:
            return e.code, {"error": {"message": text[:200]}}


def step(what, method, path, body=None, key=None, query=None, want=(200, 201, 202, 204)):
    status, doc = call(method, path, body, key, query)
    ok = status in want
    if not ok:
        msg = (doc or {}).get("error", {}).get("message", "") if isinstance(doc, dict) else ""
        PROBLEMS.append("%s: %d %s" % (what, status, msg))
        print("demo: %-44s refused (%d %s)" % (what, status, msg))
    return doc if ok else None


def key_for(org):
    """The key of a demo organisation, made by the admin when needed."""
    if org not in KEYS:
        role = ROLES.get(org, "enterprise")
        doc = step("key for " + org, "POST", "/v1/orgs/%s/keys" % ORG_ID[org], {"role": role},
                   ROLE_KEY["admin"])
        KEYS[org] = doc["key"] if doc else None
    return KEYS[org]


ROLES = {}


def resource_of(provider, title):
    doc = step("resources of " + provider, "GET", "/v1/resources", key=None,
               query={"provider": ORG_ID[provider], "limit": 100})
    for r in (doc or {}).get("items", []):
        if r["title"] == title:
            return r
    PROBLEMS.append("no resource %s of %s" % (title, provider))
    return None


def need_of(enterprise, prefix):
    doc = step("needs of " + enterprise, "GET", "/v1/needs", key=key_for(enterprise),
               query={"status": "all", "limit": 100})
    for n in (doc or {}).get("items", []):
        if n["title"].startswith(prefix):
            return n
    PROBLEMS.append("no need '%s…' of %s" % (prefix, enterprise))
    return None


def deadline(days):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + days * 86400))


def respond(provider, resource_title, enterprise, need_prefix, message, quote):
    res = resource_of(provider, resource_title)
    need = need_of(enterprise, need_prefix)
    if not res or not need:
        return None, None
    doc = step("respond to " + need_prefix, "POST", "/v1/needs/%s/responses" % need["id"],
               {"resource_id": res["id"], "message": message, "quote": quote}, key_for(provider))
    return need, doc


def campaign(title, provider, resource_title, industry, scenarios, tiers, min_p, max_p,
             region=None, description=None):
    center = ROLE_KEY["center"]
    res = resource_of(provider, resource_title)
    if not res:
        return None
    body = {"title": title, "resource_id": res["id"], "industry": industry, "scenarios": scenarios,
            "tiers": tiers, "min_participants": min_p, "max_participants": max_p,
            "deadline": deadline(21)}
    if region:
        body["region"] = region
    if description:
        body["description"] = description
    doc = step("campaign " + title, "POST", "/v1/campaigns", body, center)
    return doc and doc["id"]


CONFIRMED = set()


def confirm(cid, provider):
    doc = step("confirm prices", "POST", "/v1/campaigns/%s/confirm" % cid, {}, key_for(provider))
    if doc:
        CONFIRMED.add(cid)
    return doc


def move(cid, to, reason=None):
    body = {"to": to}
    if reason:
        body["reason"] = reason
    return step("campaign -> " + to, "POST", "/v1/campaigns/%s/transition" % cid, body,
                ROLE_KEY["center"])


def join(cid, enterprise, need_prefix=None):
    body = {}
    if need_prefix:
        need = need_of(enterprise, need_prefix)
        if need:
            body["need_id"] = need["id"]
    return step("join " + enterprise, "POST", "/v1/campaigns/%s/join" % cid, body,
                key_for(enterprise))


def progress(cid, enterprise, change):
    return step("progress of " + enterprise, "PATCH",
                "/v1/campaigns/%s/participants/%s" % (cid, ORG_ID[enterprise]), change,
                ROLE_KEY["center"])


def main(argv):
    global URL
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--keys", required=True)
    ap.add_argument("--orgs", default="data/demo/orgs.ndjson")
    a = ap.parse_args(argv[1:])
    URL = a.url.rstrip("/")
    for line in open(a.keys, encoding="utf-8"):
        parts = line.split()
        if len(parts) >= 3 and parts[1].startswith("shk_"):
            ROLE_KEY[parts[0]] = parts[1]
            KEYS[" ".join(parts[2:])] = parts[1]
    for line in open(a.orgs, encoding="utf-8"):
        o = json.loads(line)
        ROLES[o["name"]] = o["role"]
    try:
        status, doc = call("GET", "/v1/orgs", key=ROLE_KEY["admin"])
    except OSError as e:
        print("demo: cannot reach %s: %s" % (URL, e))
        return 1
    if status != 200:
        print("demo: GET /v1/orgs answered %d; is --keys the seed's output?" % status)
        return 1
    for o in doc["items"]:
        ORG_ID[o["name"]] = o["id"]

    P = "华中智造科技有限公司"          # the demo provider
    E = "武汉鑫达精密机械有限公司"      # the demo enterprise
    ROLES.setdefault(P, "provider")

    # Responses to needs; the demo enterprise accepts one and rates it.
    need, resp = respond(P, "设备预测性维护平台", E, "设备老是突然坏",
                         "我们在武汉有12家机加工客户在用，可先免费装两台做试点，两周出效果。", 180000)
    respond(P, "WMS仓储管理系统（标准版）", E, "财务和仓库两张皮",
            "WMS与金蝶、用友财务接口现成，半个月上线，可参观同行案例。", 60000)
    respond(P, "注塑行业轻量化MES（SaaS版）", "东莞利丰塑胶制品有限公司", "注塑车间排产",
            "注塑专用排产，模具换型时间自动算进去，按年订阅。", 29800)
    respond(P, "汽车零部件质量追溯解决方案", "襄阳恒通汽车零部件有限公司", "主机厂要求做质量追溯",
            "已服务东风体系二十余家二级供应商，满足主机厂追溯审核。", 320000)
    respond("楚天工业互联网科技有限公司", "设备上云连接服务", E, "设备老是突然坏",
            "网关直连发那科、西门子系统，先把设备联上网。", 45000)
    if need and resp:
        step("accept a response", "POST",
             "/v1/needs/%s/responses/%s/accept" % (need["id"], resp["id"]), {}, key_for(E))
        res = resource_of(P, "设备预测性维护平台")
        if res:
            step("review after a need", "POST", "/v1/resources/%s/reviews" % res["id"],
                 {"rating": 5, "text": "试点三个月，两台主轴的故障都提前一周报了警，非计划停机少了一半。",
                  "need_id": need["id"]}, key_for(E))

    # A completed campaign with levels and reviews.
    c = campaign("机加工车间APS排产工具集采", P, "机加工车间APS排产工具", "machinery", ["planning"],
                 [{"min_participants": 2, "unit_price": 36000},
                  {"min_participants": 5, "unit_price": 30000},
                  {"min_participants": 10, "unit_price": 26000}], 2, 20, "湖北省",
                 "面向湖北省机加工企业的排产工具集采：含两天现场实施和一年远程服务。")
    if c:
        confirm(c, P)
        move(c, "open", "机加工排产需求集中，开放报名")
        join(c, E, "车间排产全靠Excel")
        join(c, "鄂州宏远铸造有限公司")
        move(c, "succeeded", "两家企业报名，提前成团")
        move(c, "contracted", "已与服务商签订框架合同")
        move(c, "implementing")
        for ent, before, after in ((E, 1, 2), ("鄂州宏远铸造有限公司", 1, 2)):
            progress(c, ent, {"status": "contracted"})
            progress(c, ent, {"status": "implementing", "level_before": before})
            progress(c, ent, {"status": "accepted", "level_after": after})
        move(c, "completed", "两家企业均已验收")
        res = resource_of(P, "机加工车间APS排产工具")
        if res:
            step("review after a campaign", "POST", "/v1/resources/%s/reviews" % res["id"],
                 {"rating": 5, "text": "插单后重排只要几分钟，交期能答准了。", "campaign_id": c},
                 key_for(E))
            step("review after a campaign", "POST", "/v1/resources/%s/reviews" % res["id"],
                 {"rating": 4, "text": "排产好用，和老ERP的对接花了点时间。", "campaign_id": c},
                 key_for("鄂州宏远铸造有限公司"))

    # An open campaign with two of the three enterprises it needs.
    c = campaign("湖北纺织印染企业能耗在线监测集采", P, "纺织印染能耗在线监测系统", "textile",
                 ["energy", "connectivity"],
                 [{"min_participants": 3, "unit_price": 150000},
                  {"min_participants": 6, "unit_price": 128000},
                  {"min_participants": 10, "unit_price": 110000}], 3, 30, "湖北省",
                 "分项计量到车间和机台，含蒸汽、电、水三类表计安装和节能诊断报告。")
    if c:
        confirm(c, P)
        move(c, "open", "省内纺织企业能耗需求集中")
        join(c, "孝感锦程纺织印染有限公司", "印染厂蒸汽电费太高")
        join(c, "天门恒丰纺织有限公司", "纺纱车间电费")

    # One being implemented.
    c = campaign("食品企业批次追溯集采", P, "食品企业原料到成品批次追溯系统", "food",
                 ["quality", "warehouse_logistics"],
                 [{"min_participants": 1, "unit_price": 98000},
                  {"min_participants": 5, "unit_price": 80000}], 1, 10, "湖北省")
    if c:
        confirm(c, P)
        move(c, "open")
        join(c, "荆州楚味食品有限公司", "超市要求扫码")
        move(c, "succeeded")
        move(c, "contracted")
        move(c, "implementing", "供应商进场实施")
        progress(c, "荆州楚味食品有限公司", {"status": "contracted"})
        progress(c, "荆州楚味食品有限公司", {"status": "implementing", "level_before": 1})

    # Open with nobody yet: machinery enterprises with equipment needs are told.
    c = campaign("设备预测性维护平台集采", P, "设备预测性维护平台", "machinery",
                 ["equipment", "connectivity"],
                 [{"min_participants": 3, "unit_price": 260000},
                  {"min_participants": 6, "unit_price": 220000}], 3, 15, "湖北省")
    if c:
        confirm(c, P)
        move(c, "open", "设备管理需求集中")

    # A draft waiting for its provider to confirm the prices.
    campaign("汽车零部件质量追溯集采", P, "汽车零部件质量追溯解决方案", "automotive",
             ["quality", "production_control"],
             [{"min_participants": 2, "unit_price": 300000},
              {"min_participants": 4, "unit_price": 260000}], 2, 8, "湖北省")

    # 联系服务商
    res = resource_of(P, "离散制造MES整体解决方案")
    if res:
        step("contact a provider", "POST", "/v1/resources/%s/contact" % res["id"],
             {"message": "想了解MES能不能分两期上，先上生产报工和质检，预算30万左右。",
              "contact": {"name": "杜勇", "phone": "13812525293"}}, key_for(E))

    # the provider has read the requests it already answered
    box = step("provider inbox", "GET", "/v1/inbox", key=key_for(P), query={"limit": 100})
    done = [n["id"] for n in (box or {}).get("items", [])
            if n["kind"] == "campaign_confirm" and n["payload"]["campaign"]["id"] in CONFIRMED]
    if done:
        step("mark read", "POST", "/v1/inbox:read", {"ids": done}, key_for(P))

    print("demo: activity done%s" % (" (%d steps refused)" % len(PROBLEMS) if PROBLEMS else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
