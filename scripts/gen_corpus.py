#!/usr/bin/python3
"""gen_corpus.py - deterministic synthetic resources (or needs) for benchmarks.

    /usr/bin/python3 scripts/gen_corpus.py --n 100000 [--seed S] [--out FILE]
        [--providers P] [--needs] [--no-provider-field] [--check]

Writes NDJSON in the same line format as data/demo/resources.ndjson (a contract
resource body plus "provider", the name of one of P generated provider
organisations) or, with --needs, as data/demo/needs.ndjson (a contract need
body plus "enterprise").  --no-provider-field leaves out "provider" /
"enterprise" so the file can go to `shucud import --provider NAME` or to
`POST /v1/resources:bulk` (external_id stays unique across the whole file).

Text is built combinatorially from the shared vocabulary in gen_demo.py
(industries x sub-sectors x scenarios x product nouns x modifiers x brands x
regions); choices are Zipf-skewed so a few words are very common and most
are rare.  Same --seed and --n give byte-identical output.  Output is
streamed; the rate is printed to stderr.  --check validates every line with
gen_demo's contract checks (slower).
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import random  # noqa: E402

import gen_demo as V  # noqa: E402  shared vocabulary and validators

# --- corpus-only vocabulary -------------------------------------------------
BRAND_CHARS = "智慧云联数擎易捷精鼎恒信达创启航博瑞华宇科迅睿鑫盛卓越领新天海星辰蓝青金汇通弘泰安和明德正远中合力友凯峰朗源晟"
LATIN_PREFIX = ["i", "e", "Smart", "Easy", "Pro", "Go", "Lite", "One", "Super", "X", "Cloud", "Data"]
BIZ = ["智能科技", "信息技术", "软件", "数字科技", "工业互联网", "自动化", "科技", "智造科技", "网络科技",
       "系统集成", "数据科技", "物联网科技", "工业软件", "检测技术", "管理咨询", "电子科技", "机器人"]
MODEL_TASKS = {
    "quality": ["缺陷检测", "质量预测", "良率分析", "外观检测", "尺寸偏差预测"],
    "equipment": ["故障诊断", "剩余寿命预测", "预测性维护", "异常振动识别", "健康度评估"],
    "energy": ["能耗预测", "能效优化", "负荷预测", "用能异常识别"],
    "planning": ["排产优化", "需求预测", "交期预测", "产能评估"],
    "process_design": ["工艺参数优化", "配方优化", "工艺窗口推荐"],
    "production_control": ["产量预测", "工况识别", "节拍分析", "软测量"],
    "safety": ["安全帽识别", "烟火识别", "违规行为识别", "泄漏预警"],
    "warehouse_logistics": ["库存预测", "路径优化", "装箱优化"],
    "product_design": ["结构优化", "仿真代理", "选型推荐"],
    "marketing": ["销量预测", "客户流失预测", "报价估算"],
    "after_sales": ["故障知识问答", "备件需求预测"],
    "decision_support": ["经营预测", "指标归因分析"],
}
DATA_KINDS = {
    "quality": ["缺陷图像", "质量检测", "尺寸测量", "外观图像"],
    "equipment": ["振动", "故障", "运行", "报警日志", "维修记录"],
    "energy": ["能耗", "电力负荷", "蒸汽用量"],
    "planning": ["订单", "工单", "产能"],
    "process_design": ["工艺参数", "配方", "工艺曲线"],
    "production_control": ["工况", "运行", "产量"],
    "safety": ["巡检记录", "安全监控视频", "气体监测"],
    "warehouse_logistics": ["出入库", "库存", "物流轨迹"],
    "product_design": ["设计图纸", "仿真结果"],
    "marketing": ["销售订单", "客户行为"],
    "after_sales": ["售后故障", "服务工单"],
    "decision_support": ["经营指标", "财务报表"],
}
DATA_SCENARIOS = ["equipment"] * 4 + ["quality"] * 4 + ["energy"] * 2 + ["process_design"] * 2 + \
    ["production_control"] * 2 + list(MODEL_TASKS)
EFFECTS = ["降低人工成本", "缩短交付周期", "降低不良率", "降低能耗", "减少库存积压", "降低管理难度",
           "提升生产效率", "提高订单准交率", "减少纸质单据", "提升数据准确性"]
SERVICE_TYPES = [("咨询服务", "咨询服务"), ("实施服务", "实施服务"), ("诊断评估", "诊断评估服务"),
                 ("代运维服务", "运维服务"), ("人才实训", "培训服务")]
WANTS = ["想上个", "想找个", "求推荐", "想了解一下", "打算做", "准备上"]
HOW_SOON = ["年底前用起来", "明年上半年上线", "三个月内上线", "越快越好", "2027年3月前用起来", "下个季度能上"]

KIND_W = ["product"] * 40 + ["solution"] * 20 + ["service"] * 14 + ["infrastructure"] * 8 + \
         ["model"] * 7 + ["dataset"] * 5 + ["process_package"] * 6
IND_W = (["general"] * 20 + ["machinery"] * 14 + ["automotive"] * 10 + ["electronics"] * 9 +
         ["light_industry"] * 9 + ["textile"] * 8 + ["food"] * 6 + ["petrochem"] * 6 +
         ["power_equipment"] * 5 + ["pharma"] * 4 + ["building_materials"] * 4 + ["steel"] * 3 +
         ["nonferrous"] * 2 + ["aviation"] * 1 + ["shipbuilding"] * 1)
SCN_W = (["production_control"] * 14 + ["quality"] * 12 + ["equipment"] * 9 + ["planning"] * 8 +
         ["energy"] * 7 + ["warehouse_logistics"] * 7 + ["connectivity"] * 6 + ["decision_support"] * 5 +
         ["safety"] * 5 + ["process_design"] * 4 + ["finance"] * 3 + ["collaboration"] * 3 + ["hr"] * 3 +
         ["procurement"] * 3 + ["product_design"] * 3 + ["marketing"] * 2 + ["cloud"] * 2 +
         ["network"] * 2 + ["security"] * 2 + ["after_sales"] * 2)
DELIV_BY_KIND = {"product": ["saas"] * 5 + ["on_premise"] * 3 + ["hybrid"] * 2,
                 "solution": ["on_premise"] * 5 + ["hybrid"] * 4 + ["saas"],
                 "infrastructure": ["saas"] * 4 + ["hybrid"] * 3 + ["on_premise"] * 3,
                 "model": ["on_premise", "hybrid", "saas"], "service": [None] * 3 + ["hybrid"],
                 "dataset": [None, "saas"], "process_package": [None]}
# (log10 min price, log10 span) per kind
PRICE_BY_KIND = {"product": (2.7, 2.6), "solution": (4.7, 1.6), "service": (3.3, 2.2),
                 "infrastructure": (2.5, 3.2), "model": (4.0, 1.8), "dataset": (3.0, 1.8),
                 "process_package": (3.7, 1.3)}
UNIT_BY_KIND = {"product": ["年", "年", "套", "套", "台", "月"], "solution": ["套", "套", "项目"],
                "service": ["次", "项目", "年", "人·期"], "infrastructure": ["月", "年", "台", "节点", "台·年"],
                "model": ["年", "套"], "dataset": ["年", "套"], "process_package": ["套"]}
FULLWIDTH = {ord(c): ord(c) + 0xFEE0 for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"}


def nice(x):
    """Rounds a price to something a salesman would write (9800, 36000, 1200000)."""
    if x < 100:
        return int(x)
    m = 10 ** (len(str(int(x))) - 2)
    v = int(x // m) * m
    if v >= 1000 and (v // m) % 10 == 0 and v < 100000:
        v -= m // 5 if m >= 500 else 0
    return v


class Corpus:
    def __init__(self, seed, n_providers):
        self.rng = random.Random(seed)
        rng = self.rng
        provs = list(V.CITIES)
        prov_w = ["湖北省"] * 12 + ["广东省"] * 6 + ["江苏省"] * 6 + ["浙江省"] * 6 + ["山东省"] * 4 + \
            [p for p in provs for _ in range(2)]
        brands = [a + b for a in BRAND_CHARS for b in BRAND_CHARS if a != b]
        rng.shuffle(brands)
        self.brands = brands
        names, seen = [], set()
        while len(names) < n_providers:
            prov = prov_w[int(rng.random() * len(prov_w))]
            city = rng.choice(V.CITIES[prov])
            name = city + rng.choice(brands) + rng.choice(BIZ) + ("股份有限公司" if rng.random() < 0.15 else "有限公司")
            if name in seen:
                continue
            seen.add(name)
            names.append((name, prov, "P%04d" % len(names)))
        self.providers = names
        self.provinces = V.PROVINCES[:31]  # mainland
        # Per-scenario Latin brand names ("iAPS", "SmartMES") - rare tokens.
        self.latin = {sc: [(p, v["acr"]) for p in LATIN_PREFIX] for sc, v in V.SCENARIO_VOCAB.items()}

    # Zipf-ish pick: index = n * u**a, a > 1 favours the head of the list.
    def z(self, lst, a=2.0):
        return lst[int(len(lst) * self.rng.random() ** a)]

    def resource(self, i, with_provider):
        rng = self.rng
        rnd = rng.random
        z = self.z
        kind = KIND_W[int(rnd() * len(KIND_W))]
        ind = IND_W[int(rnd() * len(IND_W))]
        inds = [ind]
        if rnd() < 0.25:
            o = IND_W[int(rnd() * len(IND_W))]
            if o != ind:
                inds.append(o)
        sc = SCN_W[int(rnd() * len(SCN_W))]
        if (kind == "model" or kind == "dataset") and sc not in MODEL_TASKS:
            sc = DATA_SCENARIOS[int(rnd() * len(DATA_SCENARIOS))]
        scns = [sc]
        if rnd() < 0.35:
            o = SCN_W[int(rnd() * len(SCN_W))]
            if o != sc:
                scns.append(o)
        iv = V.INDUSTRY_VOCAB[ind]
        sv = V.SCENARIO_VOCAB[sc]
        sub = z(iv["subs"], 1.6)
        noun = z(sv["nouns"], 1.7)
        equip = z(iv["equip"], 1.5)
        if ind == "general":
            sub_txt = "" if rnd() < 0.5 else sub
        else:
            sub_txt = sub
        task = z(MODEL_TASKS.get(sc, ["智能分析"]), 1.3)
        dkind = z(DATA_KINDS[sc], 1.5) if sc in DATA_KINDS else "运行"
        proc = z(iv["process"])
        # --- title ---
        u = rnd()
        if kind == "product":
            if u < 0.25:
                title = rng.choice(self.brands) + noun
            elif u < 0.35:
                pre, acr = z(self.latin[sc])
                title = pre + noun if noun.startswith(acr) else pre + acr + " " + noun
            elif u < 0.7:
                title = z(V.MODIFIERS, 1.5) + sub_txt + noun
            else:
                title = sub_txt + noun
            if rnd() < 0.4:
                title += z(V.EDITIONS, 1.5)
        elif kind == "solution":
            if u < 0.4:
                title = sub_txt + V.SCENARIO_NAMES[sc] + rng.choice(["解决方案", "整体解决方案", "数字化解决方案"])
            elif u < 0.7:
                title = "基于" + z(V.TECHS, 1.8) + "的" + sub_txt + noun + "方案"
            elif u < 0.85:
                title = self.provinces[int(rnd() ** 3 * 31)].rstrip("省市") + sub + "集群" + V.SCENARIO_NAMES[sc] + "批量改造方案"
            else:
                title = "面向" + (sub if sub_txt else "中小") + "企业的" + noun + "方案"
        elif kind == "service":
            stype = SERVICE_TYPES[int(rnd() ** 1.5 * len(SERVICE_TYPES))]
            title = (noun if stype[0] in ("实施服务", "代运维服务") else sub_txt + V.SCENARIO_NAMES[sc]) + stype[0]
        elif kind == "infrastructure":
            title = rng.choice([z(V.SCENARIO_VOCAB["network"]["nouns"]), z(V.SCENARIO_VOCAB["cloud"]["nouns"]),
                                z(V.SCENARIO_VOCAB["connectivity"]["nouns"]), sub + "行业工业互联网平台"])
            u = rnd()
            if u < 0.55:
                title = rng.choice(self.brands) + title
            elif u < 0.75:
                title = self.provinces[int(rnd() ** 3 * 31)].rstrip("省市") + title
        elif kind == "model":
            title = sub_txt + equip + task + "模型" if rnd() < 0.6 else "基于" + z(V.TECHS, 1.8) + "的" + sub_txt + task + "模型"
        elif kind == "dataset":
            title = sub_txt + equip + dkind + "数据集"
            if rnd() < 0.3:
                title += "（脱敏）"
        else:
            title = sub_txt + proc + rng.choice(["工艺包", "工艺参数包", "工艺知识包", "标准工艺包"])
        if rnd() < 0.01:
            title = title.translate(FULLWIDTH)
        title = title[:120]
        # --- levels, price, delivery ---
        lf = 1 if rnd() < 0.55 else (2 if rnd() < 0.75 else 3)
        lt = lf + 1 if rnd() < 0.8 else min(4, lf + 2)
        deliv = rng.choice(DELIV_BY_KIND[kind])
        lo, span = PRICE_BY_KIND[kind]
        if kind == "product" and deliv == "saas":
            lo, span = 2.5, 2.0
        lo += (lf - 1) * 0.35
        pmin = nice(10 ** (lo + rnd() * span * 0.6))
        pmax = nice(pmin * (1 + rnd() * 3))
        if rnd() < 0.04:
            pmin = 0
        if pmax < pmin:
            pmax = pmin
        days = int(3 + (rnd() ** 2) * (30 if kind == "product" else 180))
        # --- summary and description ---
        feats = rng.sample(sv["features"], 3)
        pain = rng.choice(sv["pains"])
        who = sub + "企业" if sub_txt and ind != "general" else \
            ["中小企业", "中小制造企业", "制造企业", "离散制造企业", "流程制造企业"][int(rnd() ** 1.5 * 5)]
        if kind == "service":
            summary = "为%s提供%s方面的%s，内容包括%s、%s和%s。" % (
                who, V.SCENARIO_NAMES[sc], stype[1], feats[0], feats[1], feats[2])
        elif kind == "model":
            summary = "基于%s%s数据训练的%s模型，用于%s，已在%s场景验证。" % (
                equip, dkind, task, feats[0], sub)
        elif kind == "dataset":
            summary = "采集自%d家%s的%s%s数据，约%d万条样本，可用于%s模型训练和评测。" % (
                2 + int(rnd() * 40), who, equip, dkind, 1 + int(rnd() ** 2 * 200), task)
        elif kind == "process_package":
            summary = "固化%s%s工序的工艺路线、关键参数和质量控制点，配套%s和%s模板。" % (
                sub, proc, feats[0], feats[1])
        else:
            summary = rng.choice([
                "针对%s%s的问题，提供%s、%s和%s。" % (who, pain, feats[0], feats[1], feats[2]),
                "面向%s的%s，覆盖%s、%s、%s，%d天可上线。" % (who, noun, feats[0], feats[1], feats[2], days),
                "%s%s，支持%s与%s，适配%s等设备。" % (z(V.MODIFIERS, 1.5), noun, feats[0], feats[1], equip),
            ])
        sents = [summary]
        if rnd() < 0.7 or kind in ("process_package", "service"):
            sents.append("典型应用于%s%s环节，%s。" % (sub, z(iv["process"]), z(EFFECTS, 1.4)))
        if rnd() < 0.25:
            sents.append("采用%s技术，%s。" % (z(V.TECHS, 1.8), rng.choice(["部署轻量", "可持续迭代", "精度高", "支持国产化环境"])))
        if rnd() < 0.25:
            sents.append("客户反馈：%s。" % rng.choice(sv["results"]))
        if kind == "dataset" or kind == "model":
            lic = z(V.LICENSES, 1.3)
            sents.append("按%s授权。" % lic)
        if deliv and kind != "dataset":
            sents.append(rng.choice(V.DELIVERY_SENTENCES[deliv]))
        if rnd() < 0.6 or len(sents) < 2:
            sents.append("适合数字化水平%s的企业，帮助其达到%s。" % (V.LEVEL_NAMES[lf], V.LEVEL_NAMES[lt]))
        if rnd() < 0.3:
            sents.append("已在%s等地服务%d家企业。" % (rng.choice(V.CITIES[rng.choice(list(V.CITIES))]), 3 + int(rnd() ** 2 * 400)))
        desc = "".join(sents[:6])
        # --- tags ---
        tags = [sv["acr"], sub, feats[0]]
        if rnd() < 0.5:
            tags.append(z(V.TECHS, 2.0))
        if rnd() < 0.4:
            tags.append(equip)
        tags = list(dict.fromkeys(tags))[:8]
        # --- regions ---
        prov = self.providers[int(rnd() ** 2.2 * len(self.providers))]
        u = rnd()
        regions = ["全国"] if u < 0.45 else ([prov[1]] if u < 0.85 else [prov[1], self.provinces[int(rnd() * 31)]])
        if len(regions) == 2 and regions[0] == regions[1]:
            regions.pop()
        r = {"kind": kind, "title": title, "summary": summary, "description": desc,
             "industries": inds, "scenarios": scns, "regions": regions, "tags": tags,
             "price": {"min": pmin, "max": pmax,
                       "unit": (("年" if rnd() < 0.8 else "月") if deliv == "saas" and kind == "product"
                                else rng.choice(UNIT_BY_KIND[kind]))},
             "deploy_days": days}
        if deliv:
            r["delivery"] = deliv
        r["levels"] = {"from": lf, "to": lt}
        u = rnd()
        if u < 0.35 and kind != "dataset":
            n = 1 if u < 0.27 else 2
            cases = []
            for res_txt in rng.sample(sv["results"], min(n, len(sv["results"]))):
                ci = ind if ind != "general" else IND_W[20 + int(rnd() * (len(IND_W) - 20))]
                cases.append({"enterprise": V.case_enterprise(rng, ci), "industry": ci, "result": res_txt})
            r["cases"] = cases
        if kind == "dataset" or kind == "model":
            r["license"] = lic
        r["external_id"] = "%s-%07d" % (prov[2], i)
        if with_provider:
            r["provider"] = prov[0]
        return r

    def enterprise_name(self, ind):
        rng = self.rng
        prov = "湖北省" if rng.random() < 0.3 else self.provinces[int(rng.random() * 31)]
        city = rng.choice(V.CITIES.get(prov, [prov.rstrip("省市").replace("壮族自治区", "").replace("回族自治区", "")
                                                  .replace("维吾尔自治区", "").replace("自治区", "")]))
        sub = rng.choice(V.INDUSTRY_VOCAB[ind]["subs"])
        if sub in ("制造业", "中小企业", "离散制造", "流程制造", "工厂", "中小制造企业"):
            sub = "机械"
        return city + rng.choice(self.brands) + sub + "有限公司", prov

    def need(self, i, with_enterprise):
        rng = self.rng
        rnd = rng.random
        ind = IND_W[int(rnd() * len(IND_W))]
        if ind == "general":
            ind = IND_W[20 + int(rnd() * (len(IND_W) - 20))]
        sc = SCN_W[int(rnd() * len(SCN_W))]
        scns = [sc]
        if rnd() < 0.3:
            o = SCN_W[int(rnd() * len(SCN_W))]
            if o != sc:
                scns.append(o)
        iv, sv = V.INDUSTRY_VOCAB[ind], V.SCENARIO_VOCAB[sc]
        sub = self.z(iv["subs"], 1.4)
        ask = self.z(sv["asks"], 1.5)
        pain = rng.choice(sv["pains"])
        size = rng.choice(["micro", "small", "small", "small", "medium", "medium", "large"])
        budget = nice(10 ** (4 + rnd() * 1.5 + {"micro": -0.5, "small": 0, "medium": 0.5, "large": 1}[size]))
        btxt = ("%g万" % round(budget / 10000.0, 1 if budget < 100000 else 0)) if budget >= 10000 else ("%d千" % (budget // 1000))
        cur = 1 if rnd() < 0.6 else 2 if rnd() < 0.8 else 3
        tgt = min(4, cur + 1)
        title = rng.choice([
            "%s，%s%s，预算%s以内" % (pain, rng.choice(WANTS), ask, btxt),
            "%s厂%s，%s%s" % (sub, pain, rng.choice(WANTS), ask),
            "想做%s数字化，%s" % (V.SCENARIO_NAMES[sc], pain),
            "%s企业%s改造需求" % (sub, ask),
            "求推荐靠谱的%s，%s" % (ask, pain),
        ])[:120]
        people = 10 + int(rnd() ** 2 * (60 if size == "micro" else 300 if size == "small" else 1500))
        desc = "我们是做%s的，%d来号人，%s有%d台。%s。%s%s，%s左右，%s。" % (
            sub, people, self.z(iv["equip"]), 2 + int(rnd() * 60), pain, rng.choice(WANTS), ask, btxt,
            rng.choice(HOW_SOON))
        ename, region = self.enterprise_name(ind)
        n = {"title": title, "description": desc, "industry": ind, "scenarios": scns, "region": region,
             "budget": {"max": budget}, "enterprise_size": size, "current_level": cur, "target_level": tgt,
             "deadline": "2027-03-31",
             "contact": {"name": rng.choice(V.SURNAMES) + rng.choice(V.GIVEN),
                         "phone": "138%08d" % int(rnd() * 1e8), "email": "c%07d@e%05d.example.cn" % (i, i % 99991)}}
        if with_enterprise:
            n["enterprise"] = ename
        return n


def main():
    ap = argparse.ArgumentParser(description="Generate synthetic shucu resources or needs (NDJSON).")
    ap.add_argument("--n", type=int, required=True, help="number of lines")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", default="-", help="output file (default stdout)")
    ap.add_argument("--providers", type=int, default=2000, help="size of the provider name pool")
    ap.add_argument("--needs", action="store_true", help="write needs instead of resources")
    ap.add_argument("--no-provider-field", action="store_true",
                    help='omit "provider" (or "enterprise" with --needs), for shucud import --provider / bulk API')
    ap.add_argument("--check", action="store_true", help="validate every line against the contract (slower)")
    a = ap.parse_args()
    if a.n < 0 or a.providers < 1:
        ap.error("--n must be >= 0 and --providers >= 1")
    c = Corpus(a.seed, a.providers)
    with_org = not a.no_provider_field
    gen = c.need if a.needs else c.resource
    out = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8")
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    t0 = time.monotonic()
    buf = []
    for i in range(1, a.n + 1):
        r = gen(i, with_org)
        if a.check:
            try:
                if a.needs:
                    V.validate_need(r)
                else:
                    V.validate_resource(r)
            except V.Invalid as e:
                sys.stderr.write("gen_corpus: line %d invalid: %s\n%s\n" % (i, e, json.dumps(r, ensure_ascii=False)))
                sys.exit(1)
        buf.append(dumps(r))
        if len(buf) >= 2000:
            buf.append("")
            out.write("\n".join(buf))
            buf = []
    if buf:
        buf.append("")
        out.write("\n".join(buf))
    if out is not sys.stdout:
        out.close()
    else:
        out.flush()
    dt = time.monotonic() - t0
    sys.stderr.write("gen_corpus: %d %s in %.1fs (%.0f lines/s)%s\n" % (
        a.n, "needs" if a.needs else "resources", dt, a.n / dt if dt > 0 else 0.0,
        "" if a.out == "-" else " -> " + a.out))


if __name__ == "__main__":
    main()
