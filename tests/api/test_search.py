"""
test_search.py - GET /v1/search over a small realistic corpus: Chinese
2-character words, mixed and full-width script, synonyms in both directions,
colloquial queries, what must NOT match, every filter alone and combined,
facets against hits, sort orders, pagination, highlights and their escaping,
withdrawals and updates seen at once, provider search, parameter errors and
the hostile query list (hostile_queries.txt).

The corpus is ~40 resources from three providers, two of them written with
POST /v1/resources and one with POST /v1/resources:bulk.  LIVE mirrors what
is published on the module's server, so expected results of filters and
sorts are computed from it, and every search response is checked against
it (a withdrawn resource in any hit list is a failure wherever it shows).
"""

import html
import json
import os
import re
import urllib.parse

import lib
from lib import assert_error, assert_status, eq, request

S = None
KEYS = {}          # provider index -> key
ORG_ID = {}        # provider index -> org id
ENT = None
LIVE = {}          # id -> resource body as stored (published only)
ORDER = []         # every id ever created, in creation (rid) order
LABEL = {}         # label -> id
HERE = os.path.dirname(os.path.abspath(__file__))

PROVIDERS = ["华中智造科技", "江南云控信息技术", "鹏城数联网络"]

SORTS = ("relevance", "newest", "price_asc", "rating")


def R(kind, title, summary, industries, scenarios, regions=None, price=None,
      delivery=None, tags=None, **extra):
    b = {"kind": kind, "title": title, "summary": summary,
         "industries": industries, "scenarios": scenarios}
    if regions is not None:
        b["regions"] = regions
    if price is not None:
        b["price"] = {"min": price[0], "max": price[1], "unit": price[2]}
    if delivery is not None:
        b["delivery"] = delivery
    if tags is not None:
        b["tags"] = tags
    b.update(extra)
    return b


# (label, provider index, body).  Provider 1 is loaded through the bulk API.
# Texts are chosen so that the negative expectations below hold: the energy
# resources never say 检测/检验, the lab service never says 视觉 or 缺陷, the
# MES resources never say 排产/排程/计划, and so on.
CORPUS = [
    ("vision", 0, R("solution", "AI视觉质检一体机",
                    "基于深度学习的表面缺陷检测，适用于五金冲压件产线",
                    ["machinery", "automotive"], ["quality"], ["湖北省", "湖南省"],
                    (80000, 300000, "套"), "on_premise", ["机器视觉", "AI质检"],
                    deploy_days=30, levels={"from": 1, "to": 3})),
    ("mes_inj", 0, R("solution", "注塑行业MES系统",
                     "覆盖注塑机联网、工单报工、模具寿命与良率统计",
                     ["light_industry", "automotive"], ["production_control", "connectivity"],
                     ["全国"], (150000, 500000, "套"), "hybrid", ["MES", "注塑"])),
    ("aps_inj", 0, R("product", "注塑工厂APS智能计划引擎",
                     "按模具、机台与交期约束自动生成注塑工单，插单后分钟级重排",
                     ["light_industry"], ["planning"], ["广东省", "浙江省"],
                     (60000, 120000, "套"), "saas", ["APS"], deploy_days=14)),
    ("aps_full", 0, R("product", "高级计划与排程系统（纺织印染版）",
                      "面向纺织印染企业的染缸排队与订单交期预测",
                      ["textile"], ["planning"], ["江苏省", "浙江省"],
                      (90000, 200000, "套"), "on_premise")),
    ("qc_data", 0, R("solution", "质量检测数据管理与SPC分析",
                     "检验数据自动采集、SPC控制图与不良品闭环",
                     ["electronics", "machinery"], ["quality", "decision_support"], ["全国"],
                     (30000, 80000, "年"), "saas")),
    ("trace", 0, R("solution", "食品生产全流程追溯系统",
                   "原料批次到成品一物一码，支持召回定位",
                   ["food"], ["quality"], ["河南省", "山东省"],
                   (40000, 100000, "套"), "hybrid")),
    ("mes_fw", 0, R("product", "ＭＥＳ轻量版（电子装配）",
                    "SMT贴片与插件线的工序报工、条码防错",
                    ["electronics"], ["production_control"], ["广东省"],
                    (20000, 20000, "年"), "saas")),
    ("mes_cn", 0, R("solution", "汽车零部件制造执行系统",
                    "工序追踪、设备OEE与质量门禁",
                    ["automotive"], ["production_control", "quality"], ["湖北省"],
                    (200000, 800000, "套"), "on_premise")),
    ("equip", 0, R("product", "设备点检与预测性维护APP",
                   "振动温度传感器接入，故障预警与维修工单",
                   ["machinery", "power_equipment"], ["equipment"], ["全国"],
                   (5000, 20000, "年"), "saas")),
    ("safety", 0, R("solution", "危化品安全生产风险监测预警",
                    "重大危险源在线监测、人员定位与应急联动",
                    ["petrochem"], ["safety"], ["山东省", "江苏省"],
                    (300000, 1000000, "套"), "on_premise")),
    ("design", 0, R("product", "三维CAD协同设计云",
                    "浏览器中完成三维建模、图纸会签与版本管理",
                    ["machinery", "aviation"], ["product_design", "collaboration"], ["全国"],
                    (10000, 50000, "年"), "saas")),
    ("process", 0, R("process_package", "铝合金压铸工艺包",
                     "压铸参数窗口、模温曲线与典型缺陷对策",
                     ["nonferrous", "automotive"], ["process_design"], ["湖北省", "重庆市"],
                     (50000, 50000, "次"))),
    ("steel_data", 0, R("dataset", "钢材表面缺陷图像数据集",
                        "热轧带钢六类表面缺陷的标注图像，约一万张",
                        ["steel"], ["quality"], ["全国"], license="CC BY-NC 4.0")),
    ("fabric_model", 0, R("model", "纺织布面瑕疵识别模型",
                          "针对坯布的破洞、断经与油污识别，支持边缘部署",
                          ["textile"], ["quality"], ["浙江省"],
                          (20000, 60000, "套"), "on_premise", license="商业授权")),
    ("power", 0, R("solution", "电力装备远程运维平台",
                   "变压器与开关柜的远程诊断、备件与服务派单",
                   ["power_equipment"], ["after_sales", "equipment"], ["全国"],
                   (100000, 300000, "年"), "saas")),
    # provider 1: bulk
    ("wms_abbr", 1, R("product", "轻量级WMS扫码出入库",
                      "PDA扫码收货、上架、拣货与盘点，库位可视化",
                      ["general"], ["warehouse_logistics"], ["全国"],
                      (8000, 30000, "年"), "saas", ["WMS"])),
    ("wms_full", 1, R("solution", "医药仓储管理系统（GSP合规）",
                      "批号效期管控、冷链温湿度记录与GSP审计",
                      ["pharma"], ["warehouse_logistics"], ["江苏省", "上海市"],
                      (100000, 300000, "套"), "on_premise")),
    ("energy", 1, R("product", "能耗监测与碳排放管理平台",
                    "水电气分项计量、峰谷用电分析与碳核算",
                    ["building_materials", "steel"], ["energy"], ["河北省", "山西省"],
                    (50000, 150000, "年"), "saas", ["能耗", "双碳"])),
    ("ems_inj", 1, R("solution", "注塑车间节能改造方案",
                     "注塑机伺服改造与余热回收，降低单位产品电耗",
                     ["light_industry"], ["energy", "equipment"], ["广东省"],
                     (200000, 600000, "套"), "on_premise")),
    ("fiveg", 1, R("infrastructure", "5G专网建设与运维",
                   "为园区工厂部署5G行业专网，支持AGV与高清视频回传",
                   ["general"], ["network"], ["广东省", "湖北省"],
                   (500000, 2000000, "套"), "on_premise")),
    ("iiot", 1, R("infrastructure", "工业互联网平台（设备接入版）",
                  "PLC与仪表数据接入、边缘网关与时序数据库",
                  ["general"], ["connectivity", "cloud"], ["全国"],
                  (0, 50000, "年"), "saas")),
    ("erp", 1, R("product", "中小企业云ERP",
                 "财务、进销存与采购一体化，按账号订阅",
                 ["general"], ["finance", "procurement"], ["全国"],
                 (3000, 10000, "年"), "saas")),
    ("oa", 1, R("product", "协同办公与审批",
                "流程审批、考勤与企业通讯录",
                ["general"], ["collaboration", "hr"], ["全国"],
                (1000, 5000, "年"), "saas")),
    ("sec", 1, R("service", "等保2.0合规咨询与漏洞扫描",
                 "等级保护差距分析、整改方案与复测陪跑",
                 ["general"], ["security"], ["全国"],
                 (30000, 80000, "次"), "hybrid")),
    ("crm", 1, R("product", "制造业CRM与售后工单",
                 "线索、报价、合同与售后派工一体化",
                 ["general"], ["marketing", "after_sales"], ["全国"],
                 (5000, 20000, "年"), "saas")),
    ("srm", 1, R("solution", "供应商协同采购平台",
                 "寻源招标、供应商绩效与订单协同",
                 ["automotive", "electronics"], ["procurement"], ["上海市", "江苏省"],
                 (80000, 200000, "套"), "hybrid")),
    ("cockpit", 1, R("solution", "经营驾驶舱与决策分析",
                     "销售、生产与财务指标的一屏总览与预警",
                     ["general"], ["decision_support"], ["全国"],
                     (40000, 90000, "年"), "saas")),
    ("ems_cement", 1, R("solution", "水泥窑能源管理系统",
                        "熟料线电耗煤耗实时核算与窑况优化",
                        ["building_materials"], ["energy"], ["安徽省"],
                        (300000, 900000, "套"), "on_premise")),
    # provider 2: POST one by one
    ("lab", 2, R("service", "第三方实验室检测认证服务",
                 "材料理化性能、可靠性试验与CNAS认证咨询，出具第三方报告",
                 ["general"], ["quality"], ["广东省"], (2000, 20000, "次"))),
    ("training", 2, R("service", "数字化转型诊断与人才培训",
                      "对标中小企业数字化水平评测，制定改造路线图",
                      ["general"], ["decision_support", "hr"], ["全国"],
                      (10000, 30000, "次"), "hybrid")),
    ("gpu", 2, R("infrastructure", "工业云主机与GPU算力租用",
                 "按小时计费的云主机与训练算力",
                 ["general"], ["cloud"], ["全国"], (100, 5000, "年"), "saas")),
    ("ai_model", 2, R("model", "AI视觉检测通用模型（小样本）",
                      "几十张样本即可训练的外观缺陷识别模型",
                      ["electronics", "machinery"], ["quality"], ["全国"],
                      (30000, 100000, "套"), "on_premise", license="商业授权")),
    ("fiveg_factory", 2, R("solution", "5G全连接工厂整体方案",
                           "从网络规划到应用上线的一站式建设",
                           ["electronics"], ["network", "connectivity"], ["广东省"],
                           (1000000, 5000000, "套"), "hybrid")),
    ("dyeing", 2, R("process_package", "活性染料低盐染色工艺包",
                    "低盐低碱染色配方与工艺曲线，节水减排",
                    ["textile"], ["process_design", "energy"], ["浙江省", "江苏省"],
                    (80000, 80000, "套"))),
    ("pharma_data", 2, R("dataset", "制药设备运行数据集",
                         "冻干机与灌装线的运行参数与报警记录",
                         ["pharma"], ["equipment"], ["全国"], license="CC BY 4.0")),
    ("ship", 2, R("solution", "船舶分段焊接数字化管控",
                  "焊接参数采集、焊工资质与分段进度管理",
                  ["shipbuilding"], ["production_control"], ["江苏省", "辽宁省"],
                  (600000, 1500000, "套"), "on_premise")),
    ("agv", 2, R("product", "AGV智能物流小车",
                 "激光导航搬运车，支持产线与立体库对接",
                 ["general"], ["warehouse_logistics"], ["全国"],
                 (150000, 400000, "套"), "on_premise")),
    ("xray", 2, R("solution", "食品金属异物X光检测",
                  "包装后食品的金属与玻璃异物在线剔除",
                  ["food"], ["quality"], ["河南省"],
                  (120000, 350000, "套"), "on_premise")),
]


# ------------------------------------------------------------ helpers


def load_corpus():
    i = 0
    while i < len(CORPUS):
        label, p, body = CORPUS[i]
        if p != 1:
            r = request("POST", "/v1/resources", body, key=KEYS[p])
            assert_status(r, 201)
            _remember(label, r.json, body)
            i += 1
            continue
        run = []
        while i < len(CORPUS) and CORPUS[i][1] == 1:
            run.append(CORPUS[i])
            i += 1
        lines = []
        for label, _, body in run:
            b = dict(body, external_id="ext-" + label)
            lines.append(json.dumps(b, ensure_ascii=False))
        r = request("POST", "/v1/resources:bulk", raw="\n".join(lines) + "\n",
                    ctype="application/x-ndjson", key=KEYS[1])
        assert_status(r, 200)
        eq(r.json.get("created"), len(run), "bulk created")
        eq(r.json.get("failed"), 0, "bulk failed: %r" % r.json)
        got = {}
        cursor = ""
        while True:
            lr = request("GET", "/v1/resources?limit=100&provider=%s%s" % (
                ORG_ID[1], "&cursor=" + cursor if cursor else ""))
            assert_status(lr, 200)
            for it in lr.json["items"]:
                got[it.get("external_id")] = it
            cursor = lr.json.get("next_cursor")
            if not cursor:
                break
        for label, _, body in run:
            it = got.get("ext-" + label)
            assert it, "bulk resource ext-%s not listed" % label
            _remember(label, it, dict(body, external_id="ext-" + label))


def _remember(label, res, body):
    rid = res["id"]
    stored = dict(body)
    stored.setdefault("regions", ["全国"])
    LIVE[rid] = stored
    ORDER.append(rid)
    if label:
        LABEL[label] = rid


def setup_module():
    global S, ENT
    S = lib.use(lib.Server())
    for i, name in enumerate(PROVIDERS):
        KEYS[i] = S.key("provider", name)
        r = request("GET", "/v1/me", key=KEYS[i])
        assert_status(r, 200)
        org = r.json.get("org") or {}
        ORG_ID[i] = org.get("id") or r.json.get("org_id")
        assert ORG_ID[i], "no org id in /v1/me: %r" % r
    ENT = S.key("enterprise", "武汉某零部件厂")
    load_corpus()


def teardown_module():
    if S:
        S.close()


def qs(params):
    """Query string; params is a dict (lists repeat) or a list of pairs."""
    return urllib.parse.urlencode(params, doseq=True, quote_via=urllib.parse.quote)


_MARK = re.compile(r"</?mark>")


def check_highlight(text, marked, what):
    """marked is text, HTML-escaped, with balanced <mark>..</mark> and no
    other markup."""
    assert isinstance(marked, str), "%s: highlight is not a string: %r" % (what, marked)
    depth = 0
    for m in _MARK.finditer(marked):
        depth += 1 if m.group(0) == "<mark>" else -1
        assert depth in (0, 1), "%s: nested or unbalanced marks: %r" % (what, marked)
    assert depth == 0, "%s: unclosed <mark>: %r" % (what, marked)
    bare = _MARK.sub("", marked)
    assert "<" not in bare and ">" not in bare, \
        "%s: markup other than <mark> in highlight: %r" % (what, marked)
    assert '"' not in bare, "%s: unescaped quote in highlight: %r" % (what, marked)
    eq(html.unescape(bare), text, "%s: highlight minus marks, unescaped, is the text" % what)
    assert "<mark>" in marked, "%s: highlight without a mark: %r" % (what, marked)


def check_body(j, params):
    lib.check_schema(j, "search")
    hits = j["hits"]
    limit = int(_param(params, "limit") or 20)
    assert len(hits) <= limit, "more hits than limit %d: %d" % (limit, len(hits))
    assert j["total"] >= len(hits), "total %d < %d hits" % (j["total"], len(hits))
    offset = int(_param(params, "offset") or 0)
    if offset == 0 and len(hits) < limit:
        eq(j["total"], len(hits), "total of a short first page")
    ids = [h["id"] for h in hits]
    assert len(set(ids)) == len(ids), "duplicate hits: %r" % ids
    for h in hits:
        if h["kind"] == "provider":
            continue
        assert h["id"] in LIVE, "hit %s (%s) is not a published resource" % (h["id"], h["title"])
        doc = LIVE[h["id"]]
        eq(h["title"], doc["title"], "hit title")
        eq(h["kind"], doc["kind"], "hit kind")
        eq(sorted(h["industries"]), sorted(doc["industries"]), "hit industries")
        eq(sorted(h["scenarios"]), sorted(doc["scenarios"]), "hit scenarios")
        if "price" in doc:
            eq(h.get("price", {}).get("min"), doc["price"]["min"], "hit price.min")
        else:
            assert "price" not in h, "hit has a price its resource lacks: %r" % h
        hl = h.get("highlight")
        if hl:
            if "title" in hl:
                check_highlight(h["title"], hl["title"], "highlight.title of %s" % h["id"])
            if "summary" in hl:
                check_highlight(h.get("summary", ""), hl["summary"],
                                "highlight.summary of %s" % h["id"])
    dbg = j.get("debug")
    if dbg is not None:
        assert dbg.get("sort") in SORTS, "debug.sort %r" % dbg


def _param(params, name):
    if isinstance(params, dict):
        v = params.get(name)
        return v[0] if isinstance(v, list) else v
    for k, v in params:
        if k == name:
            return v
    return None


def search(params=None, status=200, **kw):
    params = dict(params or {}, **kw) if not isinstance(params, list) else params
    r = request("GET", "/v1/search?" + qs(params))
    if status != 200:
        return r
    assert_status(r, 200)
    check_body(r.json, params)
    return r.json


def ids_of(j):
    return [h["id"] for h in j["hits"]]


def all_ids(params):
    """Every hit id of a search (limit 100, one page: the corpus is small)."""
    p = dict(params, limit=100)
    j = search(p)
    assert j["total"] <= 100, "corpus larger than one page: %d" % j["total"]
    eq(j["total"], len(j["hits"]), "total equals hits for limit=100")
    return ids_of(j)


def labels(ids):
    inv = {v: k for k, v in LABEL.items()}
    return sorted(inv.get(i, i) for i in ids)


def expect(q, found, not_found, **params):
    got = set(all_ids(dict(params, q=q)))
    missing = [l for l in found if LABEL[l] not in got]
    wrong = [l for l in not_found if LABEL[l] in got]
    assert not missing and not wrong, \
        "q=%r: missing %r, must not match %r; got %r" % (q, missing, wrong, labels(got))
    return got


def expected_ids(kinds=(), industries=(), scenarios=(), regions=(), max_price=None,
                 deliveries=()):
    out = set()
    for rid, d in LIVE.items():
        if kinds and d["kind"] not in kinds:
            continue
        if industries and not set(d["industries"]) & set(industries):
            continue
        if scenarios and not set(d["scenarios"]) & set(scenarios):
            continue
        if regions and not (set(d["regions"]) & set(regions) or "全国" in d["regions"]):
            continue
        if max_price is not None and ("price" not in d or d["price"]["min"] > max_price):
            continue
        if deliveries and d.get("delivery") not in deliveries:
            continue
        out.add(rid)
    return out


def facets_from_hits(hits):
    kind, ind, scn = {}, {}, {}
    for h in hits:
        kind[h["kind"]] = kind.get(h["kind"], 0) + 1
        for x in h["industries"]:
            ind[x] = ind.get(x, 0) + 1
        for x in h["scenarios"]:
            scn[x] = scn.get(x, 0) + 1
    return {"kind": kind, "industry": ind, "scenario": scn}


def create(p, body):
    r = request("POST", "/v1/resources", body, key=KEYS[p])
    assert_status(r, 201)
    _remember(None, r.json, body)
    return r.json


def withdraw(p, rid):
    r = request("DELETE", "/v1/resources/" + rid, key=KEYS[p])
    assert_status(r, 200)
    eq(r.json.get("status"), "withdrawn", "status after DELETE")
    LIVE.pop(rid, None)


# ------------------------------------------------------------ basic shape


def test_corpus_loaded_and_listed():
    j = search({"limit": 100})
    eq(j["total"], len(LIVE), "empty q lists every published resource")
    eq(set(ids_of(j)), set(LIVE), "empty q ids")
    eq(j.get("debug", {}).get("sort"), "newest", "default sort of an empty q")
    eq(j["cached"] in (True, False), True, "cached is a boolean")


def test_response_shape_and_hit_fields():
    j = search({"q": "质检", "limit": 5})
    assert j["hits"], "质检 finds something"
    eq(j.get("debug", {}).get("sort"), "relevance", "default sort with a q")
    assert isinstance(j["debug"].get("terms"), list) and j["debug"]["terms"], j["debug"]
    h = j["hits"][0]
    for f in ("id", "kind", "title", "summary", "provider", "industries", "scenarios",
              "rating", "score"):
        assert f in h, "hit lacks %s: %r" % (f, h)
    assert h["provider"]["name"] in PROVIDERS, h["provider"]
    assert isinstance(j["took_ms"], (int, float)) and j["took_ms"] >= 0, j["took_ms"]


def test_hit_provider_matches_owner():
    j = search({"limit": 100})
    names = dict(zip(ORG_ID.values(), PROVIDERS))
    for h in j["hits"]:
        assert h["provider"]["id"] in names, h
        eq(h["provider"]["name"], names[h["provider"]["id"]], "provider name of " + h["id"])


# ------------------------------------------------------------ relevance


# (q, must find, must not find)
QUERIES = [
    ("2char_zhijian", "质检", ["vision", "qc_data", "xray"],
     ["energy", "ems_cement", "ems_inj", "wms_abbr", "erp"]),
    ("2char_paichan", "排产", ["aps_inj", "aps_full"], ["mes_inj", "mes_cn", "wms_abbr"]),
    ("2char_nenghao", "能耗", ["energy", "ems_inj", "ems_cement"],
     ["vision", "wms_abbr", "qc_data"]),
    ("2char_zhuisu", "追溯", ["trace"], ["energy", "mes_cn", "vision"]),
    ("vision_not_lab", "视觉检测", ["vision", "ai_model"], ["lab", "qc_data", "xray", "energy"]),
    ("lab_testing", "第三方检测", ["lab"], ["vision", "ai_model", "energy"]),
    ("mixed_mes", "MES系统", ["mes_inj", "mes_fw", "mes_cn"], ["aps_inj", "erp", "wms_abbr"]),
    ("mixed_5g", "5G专网", ["fiveg"], ["fiveg_factory", "wms_abbr", "iiot"]),
    ("mixed_ai_zhijian", "AI质检", ["vision", "ai_model"], ["lab", "energy", "qc_data"]),
    ("fullwidth_query", "ＭＥＳ", ["mes_inj", "mes_fw", "mes_cn"], ["aps_inj", "erp"]),
    ("fullwidth_doc", "mes", ["mes_fw"], ["erp"]),
    ("fullwidth_5g", "５Ｇ专网", ["fiveg"], ["fiveg_factory"]),
    ("lowercase_latin", "wms", ["wms_abbr"], ["agv"]),
    ("abbr_aps", "APS", ["aps_full", "aps_inj"], ["mes_inj", "wms_abbr"]),
    ("full_aps", "高级计划与排程", ["aps_inj", "aps_full"], ["mes_inj", "wms_abbr"]),
    ("abbr_wms", "WMS", ["wms_full", "wms_abbr"], ["agv", "mes_inj", "erp"]),
    ("full_wms", "仓储管理系统", ["wms_abbr", "wms_full"], ["agv", "mes_inj"]),
    # issue 22: one all-words hit is "few", so these are relaxed (注塑 is
    # dropped) and the textile APS (aps_full) may follow aps_inj; see
    # test_relaxed_few_hits_keeps_all_words_first.
    ("colloquial_injection_aps", "注塑车间排产软件", ["aps_inj"],
     ["mes_inj", "ems_inj", "wms_abbr"]),
    ("colloquial_wrapped", "我们想找一套注塑车间排产软件", ["aps_inj"],
     ["mes_inj", "ems_inj"]),
    ("two_words_and", "质检 五金", ["vision"], ["qc_data", "xray", "process"]),
    # issue 22: one all-words hit is "few": 五金质检 relaxes to 质检 (the
    # qualifier in front is dropped), so qc_data and xray may follow vision.
    ("two_words_and_no_space", "五金质检", ["vision"], []),
    ("latin_word_in_text", "GSP", ["wms_full"], ["wms_abbr"]),
    ("provider_name_indexed", "云控", ["wms_abbr", "energy"], ["vision", "lab"]),
]


def _make_query_test(q, found, not_found):
    def t():
        expect(q, found, not_found)
    return t


for _n, _q, _f, _nf in QUERIES:
    globals()["test_query_" + _n] = _make_query_test(_q, _f, _nf)
del _n, _q, _f, _nf


def test_synonym_groups_exist():
    """The synonym tests above rest on these groups of schemas/synonyms.json."""
    with open(os.path.join(lib.SCHEMAS, "synonyms.json"), encoding="utf-8") as f:
        groups = json.load(f)["groups"]

    def together(a, b):
        return any(a in g and b in g for g in groups)
    for a, b in (("APS", "高级计划与排程"), ("WMS", "仓储管理系统"), ("MES", "制造执行系统"),
                 ("排产", "APS"), ("视觉检测", "AI质检"), ("质检", "质量检测")):
        assert together(a, b), "synonyms.json has no group with %s and %s" % (a, b)
    assert not together("视觉检测", "第三方检测"), "视觉检测 and 第三方检测 grouped"


def test_relevance_scores_non_increasing():
    for q in ("质检", "能耗", "MES", "注塑"):
        j = search({"q": q, "limit": 100})
        scores = [h["score"] for h in j["hits"]]
        eq(scores, sorted(scores, reverse=True), "scores of q=%s" % q)


def test_relaxed_few_hits_keeps_all_words_first():
    """issue 22: fewer than 3 all-words hits relax the search; the hit with
    every word stays first and the answer names the dropped word."""
    j = search({"q": "注塑车间排产软件", "limit": 100})
    eq(j.get("relaxed"), True, "relaxed")
    eq(j.get("dropped"), ["注塑"], "dropped")
    eq(j["hits"][0]["id"], LABEL["aps_inj"], "the all-words hit first")
    scores = [h["score"] for h in j["hits"]]
    eq(scores, sorted(scores, reverse=True), "scores of a relaxed answer")


def test_title_match_ranks_first():
    j = search({"q": "追溯"})
    eq(j["hits"][0]["id"], LABEL["trace"], "the 追溯 title ranks first")


def test_nonsense_finds_nothing():
    for q in ("量子纠缠", "xyzzyplugh", "铁路信号"):
        j = search({"q": q})
        eq(j["total"], 0, "total for q=%s" % q)
        eq(j["hits"], [], "hits for q=%s" % q)


def test_whitespace_q_lists_all():
    for q in ("", " ", "   ", "\t"):
        j = search({"q": q, "limit": 100})
        eq(j["total"], len(LIVE), "total for q=%r" % q)


def test_unicode_whitespace_q_lists_all():
    """U+3000 (the tokenizer's space) and line breaks are whitespace too: a q
    made only of them is an empty q, like " "."""
    for q in ("\u3000", "\u3000\u3000", " \u3000 ", "\n", "\r\n"):
        j = search({"q": q, "limit": 100})
        eq(j["total"], len(LIVE), "total for q=%r (as for q=' ')" % q)


def test_punctuation_around_word_is_the_word():
    """Quotes, operators and brackets typed around a word change nothing."""
    base = set(all_ids({"q": "质检"}))
    assert base
    for q in ('"质检"', '"质检', '质检"', "质检*", "-质检", "^质检", "+质检", "(质检)",
              "{质检}", "[质检]", "质检:", "「质检」", "《质检》", "质检！", "质检？",
              "'质检'", "\\质检", "质检;", "质检…"):
        eq(set(all_ids({"q": q})), base, "hits of q=%r vs q=质检" % q)


def test_fts_column_filter_is_plain_text():
    """title:质检 is not an FTS5 column filter: 'title' is a word to find.
    No resource says 'title', so the all-words search finds nothing and the
    answer is the relaxed any-word search (debug.relaxed), never a filter."""
    for q, word in (("title:质检", "title"), ("summary:能耗", "summary")):
        j = search({"q": q})
        assert j["total"] == 0 or j["debug"]["relaxed"], "no resource says %r" % word


def test_boolean_words_are_not_operators():
    """OR does not widen: 质检 OR 能耗 is not the union of both."""
    union = set(all_ids({"q": "质检"})) | set(all_ids({"q": "能耗"}))
    got = set(all_ids({"q": "质检 OR 能耗"}))
    relaxed = search({"q": "质检 OR 能耗"})["debug"]["relaxed"]
    # Only the documented relaxation (no resource has both words) may widen.
    assert got != union or not union or relaxed, "OR acted as an operator: %r" % labels(got)
    # NOT does not exclude either: 视觉 stays a required word.
    got = set(all_ids({"q": "质检 NOT 视觉"}))
    assert LABEL["vision"] in got, "NOT acted as an operator: %r" % labels(got)


# ------------------------------------------------------------ filters


FILTERS = [
    ("kind", {"kind": "product"}, dict(kinds=["product"])),
    ("kind_two", {"kind": ["model", "dataset"]}, dict(kinds=["model", "dataset"])),
    ("kind_comma", {"kind": "model,dataset"}, dict(kinds=["model", "dataset"])),
    ("industry", {"industry": "textile"}, dict(industries=["textile"])),
    ("industry_or", {"industry": ["textile", "general"]}, dict(industries=["textile", "general"])),
    ("industry_comma", {"industry": "textile,general"}, dict(industries=["textile", "general"])),
    ("scenario", {"scenario": "quality"}, dict(scenarios=["quality"])),
    ("scenario_or", {"scenario": ["energy", "planning"]}, dict(scenarios=["energy", "planning"])),
    ("region", {"region": "湖北省"}, dict(regions=["湖北省"])),
    ("region_or", {"region": ["安徽省", "辽宁省"]}, dict(regions=["安徽省", "辽宁省"])),
    ("region_nationwide", {"region": "全国"}, dict(regions=["全国"])),
    ("max_price", {"max_price": "50000"}, dict(max_price=50000)),
    ("max_price_zero", {"max_price": "0"}, dict(max_price=0)),
    ("max_price_float", {"max_price": "99.5"}, dict(max_price=99.5)),
    ("delivery", {"delivery": "saas"}, dict(deliveries=["saas"])),
    ("delivery_or", {"delivery": "hybrid,on_premise"}, dict(deliveries=["hybrid", "on_premise"])),
    ("combined", {"kind": "solution", "industry": "automotive", "region": "湖北省",
                  "max_price": "300000"},
     dict(kinds=["solution"], industries=["automotive"], regions=["湖北省"], max_price=300000)),
    ("combined_all", {"kind": ["solution", "product"], "industry": ["general", "electronics"],
                      "scenario": ["procurement", "production_control", "finance"],
                      "region": "上海市", "delivery": ["saas", "hybrid"],
                      "max_price": "100000"},
     dict(kinds=["solution", "product"], industries=["general", "electronics"],
          scenarios=["procurement", "production_control", "finance"], regions=["上海市"],
          deliveries=["saas", "hybrid"], max_price=100000)),
    ("disjoint", {"kind": "dataset", "delivery": "saas"},
     dict(kinds=["dataset"], deliveries=["saas"])),
]


def _make_filter_test(params, exp):
    def t():
        want = expected_ids(**exp)
        got = all_ids(params)
        eq(labels(set(got)), labels(want), "ids for %r" % (params,))
    return t


for _n, _p, _e in FILTERS:
    globals()["test_filter_" + _n] = _make_filter_test(_p, _e)
del _n, _p, _e


def test_filters_sanity():
    """The filters above are not vacuous: each keeps some and drops some."""
    for n, _, exp in FILTERS:
        want = expected_ids(**exp)
        if n in ("disjoint", "max_price_zero"):
            continue
        assert 0 < len(want) < len(LIVE), "filter %s keeps %d of %d" % (n, len(want), len(LIVE))


def test_region_nationwide_matches_every_region():
    nationwide = {i for i, d in LIVE.items() if "全国" in d["regions"]}
    assert nationwide
    for region in ("西藏自治区", "湖北省", "台湾省"):
        got = set(all_ids({"region": region}))
        assert nationwide <= got, "region=%s misses 全国 resources %r" % (
            region, labels(nationwide - got))


def test_max_price_excludes_unpriced():
    got = set(all_ids({"max_price": "1e12"}))
    unpriced = {i for i, d in LIVE.items() if "price" not in d}
    assert unpriced, "corpus has unpriced resources"
    eq(got & unpriced, set(), "unpriced resources under max_price")
    eq(got, set(LIVE) - unpriced, "every priced resource is under 1e12")


def test_filter_with_query():
    got = set(all_ids({"q": "质检", "industry": "machinery"}))
    want = set(all_ids({"q": "质检"})) & expected_ids(industries=["machinery"])
    eq(labels(got), labels(want), "质检 & industry=machinery")
    assert LABEL["vision"] in got and LABEL["xray"] not in got, labels(got)
    got = set(all_ids({"q": "能耗", "region": "广东省"}))
    eq(labels(got), ["ems_inj"], "能耗 in 广东省")


BAD_PARAMS = [
    ({"kind": "widget"}, "kind"),
    ({"kind": "solution,widget"}, "kind"),
    ({"kind": ""}, None),
    ({"industry": "spaceships"}, "industry"),
    ({"industry": "机械"}, "industry"),
    ({"scenario": "teleportation"}, "scenario"),
    ({"scenario": "production"}, "scenario"),
    ({"region": "火星"}, "region"),
    ({"region": "武汉市"}, "region"),
    ({"delivery": "cloud"}, "delivery"),
    ({"sort": "popular"}, "sort"),
    ({"sort": "RELEVANCE"}, "sort"),
    ({"max_price": "abc"}, "max_price"),
    ({"max_price": "-1"}, "max_price"),
    ({"max_price": "nan"}, "max_price"),
    ({"max_price": "inf"}, "max_price"),
    ({"max_price": "10元"}, "max_price"),
    ({"limit": "0"}, "limit"),
    ({"limit": "101"}, "limit"),
    ({"limit": "-5"}, "limit"),
    ({"limit": "abc"}, "limit"),
    ({"limit": "10.5"}, "limit"),
    ({"limit": "99999999999999999999999"}, "limit"),
    ({"offset": "-1"}, "offset"),
    ({"offset": "10001"}, "offset"),
    ({"offset": "x"}, "offset"),
]


def test_bad_params_400():
    for params, field in BAD_PARAMS:
        r = search(params, status=400)
        if field is None:
            # an empty kind is either ignored or refused, never a 500
            assert r.status in (200, 400), r
            if r.status == 400:
                eq(r.code, "bad_param", "code for %r" % params)
            continue
        assert_error(r, 400, "bad_param", field)


def test_param_edges_accepted():
    for params in ({"limit": "1"}, {"limit": "100"}, {"offset": "0"}, {"offset": "10000"},
                   {"sort": ""}, {"max_price": "0"}, {"max_price": ""}, {"highlight": "0"},
                   {"highlight": "1"}, {"highlight": "false"}):
        search(params)
    j = search({"offset": "10000"})
    eq(j["hits"], [], "offset past the end")
    eq(j["total"], len(LIVE), "total does not depend on offset")


# ------------------------------------------------------------ facets


FACET_CASES = [
    {},
    {"q": "质检"},
    {"q": "能耗"},
    {"industry": "general"},
    {"scenario": ["quality", "energy"]},
    {"region": "江苏省", "delivery": "on_premise"},
    {"kind": "solution", "max_price": "500000"},
    {"q": "系统", "industry": ["automotive", "pharma", "building_materials"]},
    {"q": "平台"},
]


def counts_of(facets):
    """The facet counts without the exact flag (issue 24), which a pool of
    fewer than 1,000 matches always sets: its facets are counted, never
    estimated."""
    f = dict(facets)
    eq(f.pop("exact", None), True, "facets.exact in a small pool")
    return f


def test_facets_agree_with_hits():
    for params in FACET_CASES:
        j = search(dict(params, limit=100))
        eq(j["total"], len(j["hits"]), "total == len(hits) for %r" % (params,))
        eq(counts_of(j["facets"]), facets_from_hits(j["hits"]), "facets for %r" % (params,))


def test_facets_count_all_hits_not_the_page():
    full = search({"limit": 100})
    page = search({"limit": 3, "offset": 5})
    eq(page["facets"], full["facets"], "facets of one page equal facets of all hits")
    eq(page["total"], full["total"], "total of one page")


def test_facets_of_empty_result():
    j = search({"q": "xyzzyplugh"})
    eq(counts_of(j["facets"]), {"kind": {}, "industry": {}, "scenario": {}}, "facets of no hits")


# ------------------------------------------------------------ sorting


def _price_key(h):
    return h["price"]["min"] if "price" in h else None


def test_sort_price_asc():
    for params in ({}, {"q": "质检"}, {"industry": "general"}):
        j = search(dict(params, sort="price_asc", limit=100))
        prices = [_price_key(h) for h in j["hits"]]
        priced = [p for p in prices if p is not None]
        eq(priced, sorted(priced), "price.min non-decreasing for %r" % (params,))
        first_none = prices.index(None) if None in prices else len(prices)
        assert all(p is None for p in prices[first_none:]), \
            "unpriced resources sort last: %r" % prices
        eq(j["debug"]["sort"], "price_asc", "debug.sort")


def test_sort_newest():
    j = search({"sort": "newest", "limit": 100})
    want = [i for i in reversed(ORDER) if i in LIVE]
    eq(ids_of(j), want, "newest first is reverse creation order")
    times = [request("GET", "/v1/resources/" + i).json["created_at"] for i in ids_of(j)]
    eq(times, sorted(times, reverse=True), "created_at non-increasing")
    # newest with a query keeps creation order among the hits
    j = search({"q": "质检", "sort": "newest", "limit": 100})
    hits = ids_of(j)
    eq(hits, sorted(hits, key=ORDER.index, reverse=True), "newest among 质检 hits")


def test_sort_rating_accepted():
    # No reviews exist yet: only the answer's shape is checked.
    for params in ({}, {"q": "质检"}):
        j = search(dict(params, sort="rating", limit=100))
        eq(j["debug"]["sort"], "rating", "debug.sort")
        eq(j["total"], len(j["hits"]), "total")


def test_sort_does_not_change_the_set():
    for q in ("", "质检", "系统"):
        sets = [set(all_ids({"q": q, "sort": s})) for s in SORTS]
        for s, got in zip(SORTS, sets):
            eq(got, sets[0], "q=%r sort=%s" % (q, s))


# ------------------------------------------------------------ pagination


def _pages(params, size):
    out, offset = [], 0
    while True:
        j = search(dict(params, limit=size, offset=offset))
        out.append(ids_of(j))
        offset += size
        if offset >= j["total"]:
            return out, j["total"]


def test_pagination_concatenates():
    for params in ({}, {"sort": "price_asc"}, {"q": "质检"}, {"q": "系统", "sort": "relevance"},
                   {"industry": "general", "sort": "newest"}):
        full = ids_of(search(dict(params, limit=100)))
        for size in (1, 3, 7):
            pages, total = _pages(params, size)
            flat = [i for p in pages for i in p]
            eq(total, len(full), "total for %r" % (params,))
            eq(len(flat), len(set(flat)), "pages overlap for %r size %d" % (params, size))
            eq(flat, full, "pages of %d concatenate to the full list for %r" % (size, params))


# ------------------------------------------------------------ highlights


def _hit(j, rid):
    for h in j["hits"]:
        if h["id"] == rid:
            return h
    raise AssertionError("%s not among hits: %r" % (rid, labels(ids_of(j))))


def test_highlight_marks_query_word():
    j = search({"q": "质检", "limit": 100})
    h = _hit(j, LABEL["vision"])
    eq(h.get("highlight", {}).get("title"), "AI视觉<mark>质检</mark>一体机", "highlight.title")
    eq(h["title"], "AI视觉质检一体机", "the hit title itself is unmarked")
    j = search({"q": "能耗", "limit": 100})
    h = _hit(j, LABEL["energy"])
    eq(h.get("highlight", {}).get("title"), "<mark>能耗</mark>监测与碳排放管理平台",
       "highlight.title for 能耗")


def test_highlight_summary_and_synonym():
    j = search({"q": "WMS", "limit": 100})
    h = _hit(j, LABEL["wms_full"])
    hl = h.get("highlight", {}).get("title", "")
    assert hl.startswith("医药<mark>仓储"), "the synonym is what gets marked: %r" % hl
    h = _hit(j, LABEL["wms_abbr"])
    eq(h.get("highlight", {}).get("title"), "轻量级<mark>WMS</mark>扫码出入库",
       "Latin word marked in its original case")
    j = search({"q": "注塑", "limit": 100})
    h = _hit(j, LABEL["ems_inj"])
    hl = h.get("highlight", {})
    assert "<mark>注塑</mark>" in hl.get("title", ""), hl
    assert "<mark>注塑" in hl.get("summary", ""), hl


def test_highlight_marks_whole_query_word():
    """q=质量检测 on a title that spells 质量检测 marks all of it, not only the
    shorter synonym 检测 inside it."""
    j = search({"q": "质量检测", "limit": 100})
    h = _hit(j, LABEL["qc_data"])
    eq(h.get("highlight", {}).get("title"), "<mark>质量检测</mark>数据管理与SPC分析",
       "highlight.title for q=质量检测")
    j = search({"q": "数据管理", "limit": 100})
    h = _hit(j, LABEL["qc_data"])
    eq(h.get("highlight", {}).get("title"), "质量检测<mark>数据管理</mark>与SPC分析",
       "highlight.title for q=数据管理")


def test_highlight_off():
    j = search({"q": "质检", "highlight": "0", "limit": 100})
    assert j["hits"]
    for h in j["hits"]:
        assert "highlight" not in h, "highlight=0 still highlights: %r" % h


def test_highlight_absent_without_q():
    j = search({"limit": 100})
    for h in j["hits"]:
        assert not h.get("highlight"), "highlight without a q: %r" % h


def test_highlight_escapes_html():
    title = "<script>alert(\"xss\")</script>质检看板&<b>"
    res = create(0, R("product", title, "<img src=x onerror=alert(1)> 质检 'x'",
                      ["machinery"], ["quality"]))
    j = search({"q": "质检", "limit": 100})
    h = _hit(j, res["id"])
    eq(h["title"], title, "raw title in the hit")
    hl = h.get("highlight", {})
    eq(hl.get("title"),
       "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;<mark>质检</mark>看板&amp;&lt;b&gt;",
       "escaped highlight.title")
    eq(hl.get("summary"),
       "&lt;img src=x onerror=alert(1)&gt; <mark>质检</mark> &#39;x&#39;",
       "escaped highlight.summary")


def test_highlight_control_chars_are_not_markup():
    """U+0001 / U+0002 could pose as highlight markers: such text is refused
    (422), so a highlight's <mark> always comes from a real match."""
    title = "品控\u0001看板\u0002质检终端"
    r = request("POST", "/v1/resources", R("product", title, "车间品控终端", ["machinery"],
                                           ["quality"]), key=KEYS[0])
    assert_status(r, 422)
    eq(r.json["error"]["field"], "title", "field")


# ------------------------------------------------------------ freshness


def test_withdrawn_disappears_at_once():
    res = create(2, R("service", "雪豹仓配调度外包", "仓配一体的调度外包服务",
                      ["general"], ["warehouse_logistics"], ["全国"], (9000, 9000, "次"),
                      "saas"))
    rid = res["id"]
    for params in ({"q": "雪豹"}, {}, {"kind": "service"}, {"max_price": "9000"}):
        assert rid in all_ids(params), "new resource not found by %r" % (params,)
    before = search({"kind": "service", "limit": 100})
    withdraw(2, rid)
    for params in ({"q": "雪豹"}, {}, {"kind": "service"}, {"max_price": "9000"},
                   {"q": "雪豹", "sort": "newest"}, {"q": "仓配"}):
        assert rid not in all_ids(params), "withdrawn resource found by %r" % (params,)
    after = search({"kind": "service", "limit": 100})
    eq(after["total"], before["total"] - 1, "total after withdrawal")
    eq(after["facets"]["kind"].get("service"), before["facets"]["kind"]["service"] - 1,
       "facet after withdrawal")
    # withdrawing again changes nothing; a PATCH of a withdrawn one does not revive it
    r = request("DELETE", "/v1/resources/" + rid, key=KEYS[2])
    assert_status(r, 200)
    r = request("PATCH", "/v1/resources/" + rid, {"title": "雪豹复活"}, key=KEYS[2])
    assert r.status in (200, 409, 404), r
    eq(all_ids({"q": "雪豹"}), [], "withdrawn resource after PATCH")


def test_update_searchable_at_once():
    res = create(0, R("solution", "蓝鲸压铆工位看板", "压铆工位的节拍与良率看板",
                      ["machinery"], ["production_control"], ["湖南省"], (7000, 9000, "套"),
                      "saas"))
    rid = res["id"]
    assert rid in all_ids({"q": "蓝鲸"})
    r = request("PATCH", "/v1/resources/" + rid, {"title": "赤狐冲焊节拍看板"}, key=KEYS[0])
    assert_status(r, 200)
    eq(r.json["version"], 2, "version after PATCH")
    LIVE[rid]["title"] = "赤狐冲焊节拍看板"
    eq(all_ids({"q": "赤狐"}), [rid], "found by the new title")
    eq(all_ids({"q": "冲焊"}), [rid], "found by another new word")
    eq(all_ids({"q": "蓝鲸"}), [], "not found by the old title")
    j = search({"q": "赤狐"})
    eq(j["hits"][0]["title"], "赤狐冲焊节拍看板", "hit shows the new title")
    eq(j["hits"][0]["highlight"]["title"], "<mark>赤狐</mark>冲焊节拍看板", "highlight")
    # filters see the update too
    r = request("PATCH", "/v1/resources/" + rid, {"industries": ["shipbuilding"],
                                                 "price": {"min": 1, "max": 2}}, key=KEYS[0])
    assert_status(r, 200)
    LIVE[rid]["industries"] = ["shipbuilding"]
    LIVE[rid]["price"] = {"min": 1, "max": 2, "unit": "套"}
    assert rid in all_ids({"industry": "shipbuilding"})
    assert rid not in all_ids({"industry": "machinery"})
    assert rid in all_ids({"max_price": "1"}), "max_price sees the new price"
    assert rid not in all_ids({"max_price": "0.5"}), "max_price sees the new price"


def test_put_replaces_index_text():
    res = create(1, R("product", "银杏排队叫号屏", "排队叫号", ["general"], ["marketing"]))
    rid = res["id"]
    body = R("product", "紫藤来访登记屏", "访客登记", ["general"], ["marketing"])
    r = request("PUT", "/v1/resources/" + rid, body, key=KEYS[1])
    assert_status(r, 200)
    LIVE[rid] = dict(body, regions=["全国"])
    eq(all_ids({"q": "紫藤"}), [rid], "found by the new text")
    eq(all_ids({"q": "银杏"}), [], "old text gone")
    eq(all_ids({"q": "叫号"}), [], "old summary gone")


def test_bulk_import_searchable_at_once():
    line = json.dumps(R("service", "白鹭设备搬迁服务", "整厂设备搬迁与复机调试",
                        ["general"], ["equipment"], external_id="ext-bailu"),
                      ensure_ascii=False)
    r = request("POST", "/v1/resources:bulk", raw=line + "\n", ctype="application/x-ndjson",
                key=KEYS[1])
    assert_status(r, 200)
    eq(r.json["created"], 1, "created")
    r = request("GET", "/v1/search?" + qs({"q": "白鹭"}))
    assert_status(r, 200)
    eq(r.json["total"], 1, "bulk-imported resource found at once")
    _remember(None, r.json["hits"][0], R("service", "白鹭设备搬迁服务", "整厂设备搬迁与复机调试",
                                         ["general"], ["equipment"], external_id="ext-bailu"))
    j = search({"q": "白鹭"})
    # re-import with a new title: the old word is gone, the new one found
    line2 = line.replace("白鹭", "黑鹳")
    r = request("POST", "/v1/resources:bulk", raw=line2, ctype="application/x-ndjson",
                key=KEYS[1])
    assert_status(r, 200)
    eq((r.json["created"], r.json["updated"]), (0, 1), "created, updated")
    LIVE[j["hits"][0]["id"]]["title"] = "黑鹳设备搬迁服务"
    eq(search({"q": "白鹭"})["total"], 0, "old title after re-import")
    eq(search({"q": "黑鹳"})["total"], 1, "new title after re-import")


# ------------------------------------------------------------ providers


def _provider_hits(params):
    j = search(dict(params, kind="provider", limit=100))
    for h in j["hits"]:
        eq(h["kind"], "provider", "hit kind with kind=provider")
        assert h["id"].startswith("org_"), h
    eq(j["total"], len(j["hits"]), "total of provider hits")
    return j


def test_provider_search_by_two_char_word():
    for word, idx in (("云控", 1), ("智造", 0), ("数联", 2), ("华中", 0)):
        j = _provider_hits({"q": word})
        eq([h["id"] for h in j["hits"]], [ORG_ID[idx]], "providers for q=%s" % word)
        eq(j["hits"][0]["title"], PROVIDERS[idx], "provider hit title is its name")
        hl = j["hits"][0].get("highlight", {}).get("title", "")
        assert "<mark>%s</mark>" % word in hl, "provider highlight %r" % hl
        eq(j["facets"]["kind"].get("provider"), 1, "facets.kind.provider")


def test_provider_search_lists_only_publishing_orgs():
    j = _provider_hits({})
    eq(sorted(h["id"] for h in j["hits"]), sorted(ORG_ID.values()),
       "every provider with a published resource, and no one else")
    k = S.key("provider", "荆楚云控测试站")
    r = request("POST", "/v1/resources", R("product", "临时资源", "", ["general"], ["hr"]), key=k)
    assert_status(r, 201)
    _remember(None, r.json, R("product", "临时资源", "", ["general"], ["hr"]))
    org = r.json["provider"]["id"]
    j = _provider_hits({"q": "云控"})
    eq(sorted(h["id"] for h in j["hits"]), sorted([ORG_ID[1], org]), "two 云控 providers")
    r = request("DELETE", "/v1/resources/" + r.json["id"], key=k)
    assert_status(r, 200)
    LIVE.pop(r.json["id"], None)
    j = _provider_hits({"q": "云控"})
    eq([h["id"] for h in j["hits"]], [ORG_ID[1]], "provider without published resources")
    j = _provider_hits({"q": "武汉"})
    eq(j["hits"], [], "an enterprise is not a provider")


def test_provider_with_other_kinds():
    j = search({"q": "云控", "kind": "provider,product", "limit": 100})
    want = {i for i, d in LIVE.items() if d["kind"] == "product"} & set(all_ids({"q": "云控"}))
    assert want, "云控 products exist"
    eq(set(ids_of(j)), want, "hits are the products")
    for h in j["hits"]:
        eq(h["kind"], "product", "hit kind")
    eq(j["facets"]["kind"].get("provider"), 1, "facets.kind.provider counts providers")
    eq(j["facets"]["kind"].get("product"), len(want), "facets.kind.product")


def test_provider_search_pagination():
    full = [h["id"] for h in _provider_hits({})["hits"]]
    got = []
    for off in range(0, len(full)):
        j = search({"kind": "provider", "limit": 1, "offset": off})
        got += ids_of(j)
        eq(j["total"], len(full), "total of provider page")
    eq(got, full, "provider pages")


# ------------------------------------------------------------ q length and bytes


def test_q_length_limit():
    """issue 22: a q over 1,000 characters is searched on its first 1,000
    and the answer says truncated (it was 400 bad_query, which the contract
    forbids)."""
    for q, cut in (("数" * 1000, False), ("a" * 1000, False), ("数" * 1001, True),
                   ("a" * 1001, True), ("质检" * 500, False), ("质检" * 500 + "x", True),
                   ("a" * 10000, True)):
        r = request("GET", "/v1/search?" + qs({"q": q}))
        assert_status(r, 200)
        check_body(r.json, {})
        eq(r.json.get("truncated", False), cut, "truncated for a q of %d characters" % len(q))


def _raw(query, statuses=(200, 400)):
    r = request("GET", "/v1/search?" + query)
    assert r.status in statuses, "GET /v1/search?%s: %r" % (query[:80], r)
    if r.status == 200:
        check_body(r.json, {})
    return r


def test_raw_bytes_in_q():
    r = _raw("q=%00", (400,))
    eq(r.code, "bad_param", "%00")
    r = _raw("q=%E8%B4%A8%00%E6%A3%80", (400,))
    eq(r.code, "bad_param", "NUL inside a word")
    for raw in ("%ED%A0%80", "%ED%BF%BF", "%ED%A0%80%ED%B0%80", "%FF", "%C0%AF",
                "%E8%B4", "%80", "%F4%90%80%80", "%E8%B4%A8%ED%A0%80%E6%A3%80",
                "%F0%9F%98", "%"):
        r = _raw("q=" + raw)
        if r.status == 400:
            assert r.code in ("bad_param", "bad_query"), r
    _raw("q=%E8%B4%A8%E6%A3%80+%E6%B1%BD%E8%BD%A6")
    _raw("q=a&q=b")
    _raw("q")
    _raw("&&&=&q=&=")


# ------------------------------------------------------------ hostile list


def _hostile_lines():
    with open(os.path.join(HERE, "hostile_queries.txt"), encoding="utf-8") as f:
        return [l.rstrip("\n") for l in f if l.rstrip("\n") != ""]


def _hostile_generated():
    out = [
        "\x01\x02\x03", "质检\x01", "\x7f", "\t质检\t", "质\r\n检", "\x1b[31m质检",
        "\u200b质\u200d检\u200c", "\ufeff质检", "\u202e检质\u202c",
        "数" * 1000, "a" * 1000, "数" * 1001, "a" * 1001, "x" * 10000,
        " " * 1001, "质检" * 499 + "检", "ab " * 333 + "a",
        "\U0001F600" * 1000, "\U0001F600" * 1001,
        "\"" * 1000, "(" * 1000, "*" * 1000, "NEAR(" * 200, "a OR " * 200,
        "的" * 1000, "　" * 1000, "ＡＮＤ" * 300,
    ]
    return out


def _send_hostile(q):
    nchars = len(q)
    r = request("GET", "/v1/search?" + qs({"q": q}))
    if nchars > 1000:  # issue 22: searched on its first 1,000 characters
        assert_status(r, 200)
        eq(r.json.get("truncated"), True, "truncated for %d characters" % nchars)
    assert r.status in (200, 400), "q=%r: %r" % (q[:60], r)
    if r.status == 400:
        # only invalid UTF-8 or NUL may be refused; these strings are neither
        raise AssertionError("q=%r refused: %r" % (q[:60], r))
    check_body(r.json, {})
    return r


def test_hostile_queries_file():
    lines = _hostile_lines()
    assert len(lines) >= 60, "hostile_queries.txt has %d lines" % len(lines)
    for q in lines:
        _send_hostile(q)
        assert S.alive(), "server died after q=%r" % q
    j = search({"q": "质检"})
    assert LABEL["vision"] in all_ids({"q": "质检"}), "normal search after the hostile list"
    eq(j["total"] > 0, True, "质检 still finds")


def test_hostile_queries_generated():
    for q in _hostile_generated():
        _send_hostile(q)
    for q in _hostile_lines():
        # the same strings with filters, sorts and highlight off
        for extra in ({"sort": "price_asc"}, {"kind": "provider"},
                      {"kind": "provider,service", "highlight": "0"}):
            r = request("GET", "/v1/search?" + qs(dict(extra, q=q)))
            assert_status(r, 200)
            check_body(r.json, extra)
    assert LABEL["vision"] in all_ids({"q": "质检"}), "normal search still works"
    assert S.alive()


def _raw_target(target):
    """GET target with the bytes exactly as given; returns (status, json)."""
    data = b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    status, _, body = lib.parse_raw_response(lib.raw_exchange(data))
    assert status is not None, "no HTTP answer to %r" % target[:80]
    assert status != 500, "500 for %r" % target[:80]
    try:
        j = json.loads(body.decode("utf-8"))
    except ValueError:
        raise AssertionError("non-JSON %d answer to %r: %r" % (status, target[:80], body[:200]))
    if status >= 400:
        lib.check_schema(j, "error")
    else:
        check_body(j, {})
    assert S.alive(), "server died after %r" % target[:80]
    return status, j


def test_hostile_raw_bytes_in_target():
    """Hostile strings with the query's sub-delimiters and raw UTF-8 left
    unencoded (only what HTTP forbids - controls, space, % - is encoded)."""
    for q in _hostile_lines():
        enc = urllib.parse.quote(q.encode("utf-8"), safe="!$'()*,;:@/?+=")
        status, _ = _raw_target(b"/v1/search?q=" + enc.encode("ascii"))
        assert status in (200, 400), (q, status)
    status, j = _raw_target("/v1/search?q=质检".encode("utf-8"))
    assert status in (200, 400), status
    if status == 200:
        assert LABEL["vision"] in ids_of(j), "raw UTF-8 q=质检: %r" % labels(ids_of(j))
