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
  - a message from an enterprise to a provider (联系服务商);
  - projects (issue 19) in every state - contracted, implementing (with a
    milestone overdue), delivered and waiting for sign-off, accepted (with
    on-site assessments after delivery, so levels and figures move),
    disputed and cancelled - an O&M ticket answered and closed, and three
    published cases (one hiding its enterprise's name).  A campaign's
    participants reach acceptance through their projects, never by a level
    typed in.

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


# ------------------------------------------------------------ projects (issue 19)

# what an on-site assessment after a project finds: the answers a firm
# that went through with it gives (about 70 points)
AFTER_ANSWERS = {"network": ["B", "C", "D"], "device_digital_rate": ["E"],
                 "device_network_rate": ["D"], "auto_collection": ["B", "C", "D", "E", "F"],
                 "it_coverage": ["D"], "network_security": ["B", "C"], "data_security": ["B", "C"],
                 "planning": ["E"], "mechanisms": ["B", "C"], "talent": ["B", "C"],
                 "investment": ["D"], "energy_per_revenue": ["C"], "pass_rate": ["C"],
                 "revenue_per_head": ["C"], "cost_per_revenue": ["C"]}
CENTER_ID = [None]


def day(offset):
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() + offset * 86400))


def latest_assessment(enterprise, status):
    doc = step("assessments of " + enterprise, "GET", "/v1/assessments", key=ROLE_KEY["center"],
               query={"org_id": ORG_ID[enterprise], "status": status, "limit": 1})
    items = (doc or {}).get("items", [])
    if not items:
        return None
    return step("assessment", "GET", "/v1/assessments/" + items[0]["id"], key=ROLE_KEY["center"])


def before_assessment(enterprise):
    """The enterprise's verified assessment; a submitted one is verified now."""
    if latest_assessment(enterprise, "verified"):
        return
    sub = latest_assessment(enterprise, "submitted")
    if sub:
        step("verify " + enterprise, "POST", "/v1/assessments/%s/verify" % sub["id"],
             {"note": "现场核验"}, ROLE_KEY["center"])


def better(figures):
    """The 数字化成效 figures a year of the project changed."""
    out = {}
    for q, figs in (figures or {}).items():
        f = dict(figs)
        if "pass_rate" in f:
            f["pass_rate"] = round(min(99.8, f["pass_rate"] + 2.4), 1)
        for k in ("energy_last_year",):
            if k in f:
                f[k] = round(f[k] * 0.91)
        for k in ("devices_digital", "devices_networked"):
            if k in f and "devices_total" in f:
                f[k] = min(f["devices_total"], f[k] + max(3, f["devices_total"] // 4))
        out[q] = f
    return out


def after_assessment(enterprise, scenarios):
    """The center's on-site assessment after delivery: the answers of a firm
    that went through with it, its scenes a step up (the project's two),
    the figures improved; submitted and verified."""
    prev = latest_assessment(enterprise, "verified") or {}
    scenes = {k: min(4, v + 1) for k, v in prev.get("scenes", {}).items()}
    for sc in scenarios:
        if sc in scenes:
            scenes[sc] = min(4, prev["scenes"][sc] + 2)
    body = {"instrument": "sme-2024", "org_id": ORG_ID[enterprise], "mode": "onsite",
            "answers": AFTER_ANSWERS, "scenes": scenes, "evidence": better(prev.get("evidence")),
            "note": "项目交付后现场复评"}
    doc = step("after-assessment of " + enterprise, "POST", "/v1/assessments", body,
               ROLE_KEY["center"])
    if doc:
        step("submit", "POST", "/v1/assessments/%s/submit" % doc["id"], {}, ROLE_KEY["center"])
        step("verify", "POST", "/v1/assessments/%s/verify" % doc["id"], {"note": "复评核验"},
             ROLE_KEY["center"])


def project(need, resp, enterprise, costs, milestones):
    if not need or not resp:
        return None
    body = {"response_id": resp["id"], "center_id": CENTER_ID[0], "costs": costs,
            "milestones": milestones}
    doc = step("project for " + need["title"][:12], "POST", "/v1/projects", body,
               key_for(enterprise))
    return doc and doc["id"]


def pmove(pid, to, key, reason=None):
    if not pid:
        return None
    body = {"to": to}
    if reason:
        body["reason"] = reason
    return step("project -> " + to, "POST", "/v1/projects/%s/transition" % pid, body, key)


def accept_project(pid, enterprise, provider, scenarios, note=None):
    """Signed by the enterprise and the center, re-assessed, accepted."""
    if not pid:
        return None
    step("enterprise signs", "POST", "/v1/projects/%s/signoff" % pid,
         {"note": note or "系统运行稳定，同意验收"}, key_for(enterprise))
    step("center signs", "POST", "/v1/projects/%s/signoff" % pid, {"note": "资料齐全"},
         ROLE_KEY["center"])
    after_assessment(enterprise, scenarios)
    return pmove(pid, "accepted", ROLE_KEY["center"], "双方签收，复评核验通过")


def campaign_project(cid, enterprise):
    doc = step("campaign", "GET", "/v1/campaigns/" + cid, key=ROLE_KEY["center"])
    for p in (doc or {}).get("participants", {}).get("list", []):
        if p["org"]["id"] == ORG_ID[enterprise] and p.get("project"):
            return p["project"]["id"]
    PROBLEMS.append("no project of %s in %s" % (enterprise, cid))
    return None


def publish_case(pid, body):
    if pid:
        step("case " + body["title"][:12], "POST", "/v1/projects/%s/case" % pid, body,
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
    wms = respond(P, "WMS仓储管理系统（标准版）", E, "财务和仓库两张皮",
                  "WMS与金蝶、用友财务接口现成，半个月上线，可参观同行案例。", 60000)
    mes = respond(P, "注塑行业轻量化MES（SaaS版）", "东莞利丰塑胶制品有限公司", "注塑车间排产",
                  "注塑专用排产，模具换型时间自动算进去，按年订阅。", 29800)
    trace = respond(P, "汽车零部件质量追溯解决方案", "襄阳恒通汽车零部件有限公司", "主机厂要求做质量追溯",
                    "已服务东风体系二十余家二级供应商，满足主机厂追溯审核。", 320000)
    cloud = respond("楚天工业互联网科技有限公司", "设备上云连接服务", E, "设备老是突然坏",
                    "网关直连发那科、西门子系统，先把设备联上网。", 45000)
    me = step("who is the center", "GET", "/v1/me", key=ROLE_KEY["center"])
    CENTER_ID[0] = me and me["org"]["id"]
    if need and resp:
        step("accept a response", "POST",
             "/v1/needs/%s/responses/%s/accept" % (need["id"], resp["id"]), {}, key_for(E))
        # the accepted response becomes a project, carried through to acceptance
        pid = project(need, resp, E,
                      [{"type": "software", "amount": 120000, "note": "平台一年订阅"},
                       {"type": "hardware", "amount": 42000, "note": "振动温度传感器12套"},
                       {"type": "integration", "amount": 12000}, {"type": "training", "amount": 6000}],
                      [{"code": "plan", "planned": day(-40)}, {"code": "start", "planned": day(-35)},
                       {"code": "go_live", "planned": day(3)},
                       {"code": "acceptance", "planned": day(10)}])
        pmove(pid, "implementing", key_for(P))
        pmove(pid, "delivered", key_for(P))
        accept_project(pid, E, P, ["equipment"], "两台主轴的故障都提前一周报了警，同意验收")
        if pid:
            t = step("an O&M ticket", "POST", "/v1/projects/%s/tickets" % pid,
                     {"title": "三号机床振动告警频繁", "description": "夜班连续报警，现场检查主轴正常。",
                      "severity": "high"}, key_for(E))
            if t:
                step("provider answers", "POST", "/v1/projects/%s/tickets/%s/reply" % (pid, t["id"]),
                     {"text": "已远程调整三号机床的报警阈值，并安排工程师明早到场复核。"}, key_for(P))
                step("provider closes", "POST", "/v1/projects/%s/tickets/%s/close" % (pid, t["id"]),
                     {"note": "传感器松动已紧固，告警恢复正常。"}, key_for(P))
        publish_case(pid, {"title": "机加工企业设备预测性维护：非计划停机减少一半",
                           "problem": "车间三十多台数控机床全靠事后维修，主轴突然故障一次停产两三天，备件临时采购又贵又慢。",
                           "solution": "在关键机床加装振动和温度传感器，接入设备预测性维护平台，按健康评分安排检修和备件。",
                           "quote": "以前是坏了再修，现在是提前一周就知道哪台要修。"})
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
        # contracting makes each participant's project; the levels before
        # and after come from verified assessments (issue 19)
        move(c, "contracted", "已与服务商签订框架合同")
        move(c, "implementing")
        for ent in (E, "鄂州宏远铸造有限公司"):
            pid = campaign_project(c, ent)
            pmove(pid, "implementing", key_for(P))
            pmove(pid, "delivered", key_for(P))
            accept_project(pid, ent, P, ["planning"])
            if ent == E:
                publish_case(pid, {"title": "机加工车间APS排产：插单重排从半天到几分钟",
                                   "problem": "车间排产全靠Excel，插单一来计划员要重排半天，交期经常答不准。",
                                   "solution": "随集采上线机加工APS排产工具，工序、设备产能和模具约束统一建模，插单自动重排。",
                                   "quote": "插单后重排只要几分钟，交期能答准了。"})
            else:
                publish_case(pid, {"title": "铸造企业排产数字化：设备利用率提升",
                                   "problem": "熔炼和造型两道工序节拍不匹配，设备空转和订单积压同时存在。",
                                   "solution": "用APS排产工具按熔炼炉次倒排造型计划，车间看板实时显示进度。",
                                   "quote": "炉子不再干等模子了。", "hide_enterprise": True})
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
        before_assessment("荆州楚味食品有限公司")
        move(c, "succeeded")
        move(c, "contracted")
        move(c, "implementing", "供应商进场实施")
        pid = campaign_project(c, "荆州楚味食品有限公司")
        if pid:
            step("campaign project plan", "PATCH", "/v1/projects/" + pid,
                 {"costs": [{"type": "software", "amount": 68000}, {"type": "hardware", "amount": 30000}],
                  "milestones": [{"code": "plan", "planned": day(-30)},
                                 {"code": "start", "planned": day(-25)},
                                 {"code": "go_live", "planned": day(-3)},
                                 {"code": "acceptance", "planned": day(20)}]},
                 ROLE_KEY["center"])
        pmove(pid, "implementing", key_for(P))   # go-live is now overdue

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

    # Projects in the other states (issue 19).
    # delivered: the demo enterprise's turn to sign (its WMS project)
    need_w, resp_w = wms
    if need_w and resp_w:
        step("accept WMS", "POST", "/v1/needs/%s/responses/%s/accept" % (need_w["id"], resp_w["id"]),
             {}, key_for(E))
        pid = project(need_w, resp_w, E, [{"type": "software", "amount": 48000},
                                           {"type": "integration", "amount": 12000}],
                      [{"code": "go_live", "planned": day(10)}, {"code": "acceptance", "planned": day(20)}])
        pmove(pid, "implementing", key_for(P))
        pmove(pid, "delivered", key_for(P))
    # contracted: an injection-moulding MES just signed
    need_m, resp_m = mes
    if need_m and resp_m:
        ent = "东莞利丰塑胶制品有限公司"
        step("accept MES", "POST", "/v1/needs/%s/responses/%s/accept" % (need_m["id"], resp_m["id"]),
             {}, key_for(ent))
        project(need_m, resp_m, ent, [{"type": "cloud", "amount": 29800, "note": "一年订阅"}],
                [{"code": "plan", "planned": day(7)}, {"code": "go_live", "planned": day(45)}])
    # disputed: the traceability project, the enterprise disputes the delivery
    need_t, resp_t = trace
    if need_t and resp_t:
        ent = "襄阳恒通汽车零部件有限公司"
        step("accept trace", "POST", "/v1/needs/%s/responses/%s/accept" % (need_t["id"], resp_t["id"]),
             {}, key_for(ent))
        pid = project(need_t, resp_t, ent, [{"type": "software", "amount": 220000},
                                             {"type": "hardware", "amount": 100000}],
                      [{"code": "go_live", "planned": day(-5)}])
        pmove(pid, "implementing", key_for(P))
        pmove(pid, "delivered", key_for(P))
        pmove(pid, "disputed", key_for(ent), "追溯码与主机厂系统对接未通过，需服务商整改")
    # cancelled: the demo enterprise dropped the second offer on the same need
    need_c, resp_c = cloud
    if need_c and resp_c:
        step("accept cloud", "POST", "/v1/needs/%s/responses/%s/accept" % (need_c["id"], resp_c["id"]),
             {}, key_for(E))
        pid = project(need_c, resp_c, E, [], [])
        pmove(pid, "cancelled", key_for(E), "预测性维护平台已含设备联网，不再单独建设")

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
