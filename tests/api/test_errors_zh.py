"""
test_errors_zh.py - errors a user can meet, in Chinese (issue 21): with
Accept-Language: zh-CN every error of the console's forms (need,
resource, campaign, login, user, respond) reads as Chinese naming the
field by its Chinese name, with no English sentence in it, while a client
that does not ask still gets the English of the contract; and the errors
libevent answers by itself (an oversized URL or header, an unknown
method, a body over the limit) come as the contract's JSON, never HTML.
The enterprise file, its bulk import and the assessment (issue 18) too:
统一社会信用代码校验位不正确, “信息系统”题只能选一项, “质量管理”场景应为 0 到 4 级.
"""

import time

import lib
from lib import assert_error, assert_status, eq, request
from people import LATIN_SENTENCE, org_id

S = None
ENT = PROV = CEN = ADM = None
RES = None
ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}


def setup_module():
    global S, ENT, PROV, CEN, ADM, RES
    S = lib.use(lib.Server(redis="none", workers=2))
    ENT = S.key("enterprise", "中文错误企业")
    PROV = S.key("provider", "中文错误服务商")
    CEN = S.key("center", "中文错误数促中心")
    ADM = S.key("admin", "中文错误运营方")
    RES = request("POST", "/v1/resources", lib.resource(), key=PROV).json["id"]


def teardown_module():
    if S:
        S.stop()


def zh(method, path, body=None, key=None, status=422, field=None, want=None, en_sentence=True,
       **kw):
    """The request in Chinese and in English: the same status, code and
    field; the Chinese message has no English sentence (and contains
    `want`), the English one is what it always was."""
    r = request(method, path, body, key=key, headers=ZH, **kw)
    e = request(method, path, body, key=key, **kw)
    eq(r.status, status, "status of %s %s: %r" % (method, path, r))
    eq((r.code, r.field), (e.code, e.field), "code and field the same in both languages")
    if field is not None:
        eq(r.field, field, "field")
    m = r.json["error"]["message"]
    assert not LATIN_SENTENCE.search(m), "English in the Chinese message: %r" % m
    assert any("\u4e00" <= ch <= "\u9fff" for ch in m), "no Chinese in %r" % m
    assert e.json["error"]["message"] != m, "the default stays English: %r" % e
    assert LATIN_SENTENCE.search(e.json["error"]["message"]) or not en_sentence, \
        "the default stays English: %r" % e
    if want:
        assert want in m, "want %r in %r" % (want, m)
    return m


def need(**over):
    b = {"title": "中文错误测试需求", "industry": "machinery", "scenarios": ["quality"]}
    b.update(over)
    return b


def test_need_form():
    zh("POST", "/v1/needs", need(budget={"max": -1}), ENT, field="budget.max",
       want="预算上限不能为负数")
    zh("POST", "/v1/needs", {"industry": "machinery", "scenarios": ["quality"]}, ENT,
       field="title", want="请填写标题")
    zh("POST", "/v1/needs", need(industry="spaceships"), ENT, field="industry", want="行业")
    zh("POST", "/v1/needs", need(scenarios=[]), ENT, field="scenarios", want="场景")
    zh("POST", "/v1/needs", need(current_level=3, target_level=2), ENT, field="target_level",
       want="目标水平不能低于当前水平")
    zh("POST", "/v1/needs", need(title="长" * 121), ENT, field="title", want="标题最多 120 个字")
    zh("POST", "/v1/needs", need(contact={"email": "not-an-email"}), ENT, field="contact.email",
       want="电子邮箱")
    zh("POST", "/v1/needs", need(deadline="明年"), ENT, field="deadline", want="截止日期")
    zh("POST", "/v1/needs", need(region="火星"), ENT, field="region", want="地区")
    zh("POST", "/v1/needs", need(current_level=9), ENT, field="current_level", want="当前水平")
    zh("POST", "/v1/needs", need(budget={"max": 1e13}), ENT, field="budget.max", want="预算上限")


def test_resource_form():
    zh("POST", "/v1/resources", lib.resource(price={"min": 9, "max": 1, "unit": "套"}), PROV,
       field="price.min", want="最低价格")
    zh("POST", "/v1/resources", lib.resource(price={"min": -5, "max": 1}), PROV,
       field="price.min", want="最低价格不能为负数")
    zh("POST", "/v1/resources", lib.resource(title=""), PROV, field="title", want="标题不能为空")
    zh("POST", "/v1/resources", lib.resource(industries=["machinery", "bogus"]), PROV,
       field="industries[1]", want="行业（第 2 项）")
    zh("POST", "/v1/resources", lib.resource(levels={"from": 3, "to": 2}), PROV, field="levels",
       want="适用起始水平应低于可达水平")
    zh("POST", "/v1/resources", lib.resource(kind="robot"), PROV, field="kind", want="类型")
    zh("POST", "/v1/resources", lib.resource(deploy_days="三十"), PROV, field="deploy_days",
       want="上线周期应为整数")


def test_campaign_form():
    def camp(**over):
        b = {"title": "中文错误集采", "resource_id": RES, "industry": "machinery",
             "scenarios": ["quality"], "tiers": [{"min_participants": 2, "unit_price": 100}],
             "min_participants": 2,
             "deadline": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))}
        b.update(over)
        return b
    zh("POST", "/v1/campaigns", camp(tiers=[{"min_participants": 2, "unit_price": 100},
                                            {"min_participants": 5, "unit_price": 200}]),
       CEN, field="tiers[1].unit_price", want="阶梯单价")
    zh("POST", "/v1/campaigns", camp(tiers=[{"min_participants": 5, "unit_price": 100},
                                            {"min_participants": 2, "unit_price": 90}]),
       CEN, field="tiers[1].min_participants", want="逐级递增")
    zh("POST", "/v1/campaigns", camp(deadline="2001-01-01"), CEN, field="deadline",
       want="截止日期应晚于现在")
    zh("POST", "/v1/campaigns", camp(max_participants=1), CEN, field="max_participants",
       want="最多企业数")
    zh("POST", "/v1/campaigns", camp(resource_id="res_nosuch"), CEN, field="resource_id",
       want="资源不存在", status=422)
    zh("POST", "/v1/campaigns", {k: v for k, v in camp().items() if k != "title"}, CEN,
       field="title", want="请填写标题")
    c = request("POST", "/v1/campaigns", camp(), key=CEN).json["id"]
    zh("POST", "/v1/campaigns/%s/transition" % c, {"to": "succeeded"}, CEN, status=409,
       want="草稿")
    zh("POST", "/v1/campaigns/%s/transition" % c, {"to": "open"}, CEN, status=409,
       want="服务商尚未确认阶梯价格")


def test_login_and_user_forms():
    zh("POST", "/v1/session", {"login": "abc", "password": "x"}, status=422, field="login",
       want="手机号或电子邮箱")
    zh("POST", "/v1/session", {"login": "13800000000", "password": "wrongpass1"}, status=401,
       want="密码错误")
    oid = org_id(ENT)
    zh("POST", "/v1/orgs/%s/users" % oid, {"name": "某人", "phone": "12", "password": "abcd1234"},
       ADM, field="phone", want="手机号")
    zh("POST", "/v1/orgs/%s/users" % oid, {"name": "某人", "phone": "13811112222",
                                          "password": "short"}, ADM, field="password",
       want="密码至少 8 位")
    zh("POST", "/v1/orgs/%s/users" % oid, {"name": "某人", "phone": "13811112222",
                                          "password": "aaaaaaaaaa"}, ADM, field="password",
       want="密码不能只有")
    zh("POST", "/v1/orgs/%s/users" % oid, {"name": "某人", "password": "abcd12345"}, ADM,
       field="phone", want="手机号或电子邮箱")
    zh("POST", "/v1/orgs/%s/users" % oid, {"name": "某人", "phone": "13811112222", "role": "admin"},
       CEN, status=403, want="不能管理")


def test_respond_form():
    nid = request("POST", "/v1/needs", need(), key=ENT).json["id"]
    other = S.key("provider", "中文错误另一服务商")
    zh("POST", "/v1/needs/%s/responses" % nid, {"resource_id": RES}, other, field="resource_id",
       want="只能用本机构的资源响应")
    zh("POST", "/v1/needs/%s/responses" % nid, {"resource_id": RES, "quote": -1}, PROV,
       field="quote", want="报价不能为负数")
    zh("POST", "/v1/needs/%s/responses" % nid, {}, PROV, field="resource_id", want="请填写资源")
    assert_status(request("POST", "/v1/needs/%s/responses" % nid, {"resource_id": RES}, key=PROV), 201)
    zh("POST", "/v1/needs/%s/responses" % nid, {"resource_id": RES}, PROV, status=409,
       want="已用这项资源响应过")


def test_router_errors():
    zh("GET", "/v1/needs", status=401, want="请先登录")
    zh("GET", "/v1/needs", key="shk_" + "0" * 32, status=401, want="API 密钥无效")
    zh("POST", "/v1/needs", raw="{", key=ENT, status=400, want="JSON")
    zh("POST", "/v1/campaigns", need(), ENT, status=403, want="无权")
    zh("GET", "/v1/needs/need_nosuch", key=ENT, status=404, want="需求不存在")
    zh("GET", "/v1/search?limit=0", status=400, field="limit")


def test_bulk_lines_in_chinese():
    raw = lib.json.dumps(lib.resource(industries=["bogus"]), ensure_ascii=False) + "\n{bad\n"
    r = request("POST", "/v1/resources:bulk", raw=raw, ctype="application/x-ndjson", key=PROV,
                headers=ZH)
    assert_status(r, 200)
    msgs = [e["error"]["message"] for e in r.json["errors"]]
    eq(len(msgs), 2)
    assert msgs[0].startswith("行业（第 1 项）"), msgs
    for m in msgs:
        assert not LATIN_SENTENCE.search(m), m


def test_enterprise_file_form():
    oid = org_id(ENT)
    url = "/v1/orgs/%s/file" % oid
    good = "914403001922038216"

    def put(want, field, status=422, **f):
        return zh("PUT", url, f, ENT, status=status, field=field, want=want)
    put("统一社会信用代码校验位不正确", "uscc", uscc=good[:17] + "0")
    put("统一社会信用代码应为 18 位", "uscc", uscc="I" + good[1:])
    put("统一社会信用代码", "uscc", uscc=good[:17])
    put("“火星省”不是有效的省份名称", "province", province="火星省")
    zh("PUT", url, {"province": "湖北省", "city": "深圳市"}, ENT, field="city",
       want="湖北省下没有名为“深圳市”的城市", en_sentence=False)
    zh("PUT", url, {"province": "湖北省", "city": "武汉市", "district": "海淀区"}, ENT,
       field="district", want="武汉市下没有名为“海淀区”的区县", en_sentence=False)
    put("填写区县时，请同时填写城市", "city", province="湖北省", district="江岸区")
    put("不能选“通用”", "industry", industry="general")
    put("国民经济行业分类", "gbt4754", gbt4754="机械")
    put("专精特新", "specialized", specialized="yes")
    put("员工人数", "employees", employees=-1)
    put("规上企业应为是或否", "above_scale", above_scale="是")
    put("证书年份（第 1 项）", "certificates[0].year", certificates=[{"type": "两化融合", "year": 1800}])
    put("电子邮箱", "contact.email", contact={"email": "nope"})
    zh("GET", "/v1/orgs/org_nosuchorg000000/file", key=CEN, status=404, want="企业档案不存在")
    zh("GET", "/v1/enterprises?level=9", key=CEN, status=400, field="level", want="等级应为 0 到 4")
    zh("GET", "/v1/enterprises?city=%E7%81%AB%E6%98%9F%E5%B8%82", key=CEN, status=400, field="city",
       want="“火星市”不是有效的城市名称")
    zh("GET", "/v1/enterprises?above_scale=maybe", key=CEN, status=400, field="above_scale",
       want="规上企业")


def test_enterprise_bulk_lines_in_chinese():
    lines = [{"name": "中文错误批量企业", "uscc": "914403001922038210"},
             {"name": "中文错误批量企业二", "province": "火星省"}, {"uscc": "914403001922038216"}]
    raw = "\n".join(lib.json.dumps(x, ensure_ascii=False) for x in lines) + "\n{bad\n[1]\n"
    r = request("POST", "/v1/enterprises:bulk", raw=raw, ctype="application/x-ndjson", key=CEN,
                headers=ZH)
    assert_status(r, 200)
    eq(r.json["failed"], 5)
    msgs = [e["error"]["message"] for e in r.json["errors"]]
    assert "统一社会信用代码校验位不正确" in msgs[0], msgs
    assert "“火星省”不是有效的省份名称" in msgs[1], msgs
    assert "新建企业须填写企业名称" in msgs[2], msgs
    eq(msgs[3], "这一行不是有效的 JSON")
    eq(msgs[4], "这一行应为 JSON 对象")
    for m in msgs:
        assert not LATIN_SENTENCE.search(m), m
    # English stays the default
    r = request("POST", "/v1/enterprises:bulk", raw=raw, ctype="application/x-ndjson", key=CEN)
    assert "check character" in r.json["errors"][0]["error"]["message"], r.json


def test_assessment_form():
    def asmt(want, field, status=422, **body):
        b = {"instrument": "sme-2024"}
        b.update(body)
        return zh("POST", "/v1/assessments", b, ENT, status=status, field=field, want=want)
    asmt("“信息系统”题只能选一项，现选了 2 项", "answers.it_coverage",
         answers={"it_coverage": ["B", "C"]})
    asmt("“网络建设”题的选项为 A 到", "answers.network", answers={"network": ["Z"]})
    asmt("“网络建设”题请至少选择一项", "answers.network", answers={"network": []})
    asmt("选了“无”就不能再选本题的其他选项", "answers.network", answers={"network": ["A", "B"]})
    asmt("选项 B 选了两次", "answers.network", answers={"network": ["B", "B"]})
    asmt("评估指标中没有“nope”这道题", "answers.nope", answers={"nope": ["A"]})
    asmt("“质量管理”场景应为 0 到 4 级", "scenes.quality", scenes={"quality": 5})
    asmt("评估指标中没有“teleport”这个场景", "scenes.teleport", scenes={"teleport": 1})
    asmt("月均产品合格率应为 0 到 100 之间的数字", "evidence.pass_rate.pass_rate",
         evidence={"pass_rate": {"pass_rate": 120}})
    asmt("“产品质量”题的佐证数据格式有误", "evidence.pass_rate", evidence={"pass_rate": 1})
    asmt("评估答案格式有误", "answers", answers=["B"])
    asmt("得分由系统生成", "score", score=100)
    asmt("评估方式应为企业自评或现场评定", "mode", mode="remote")
    asmt("现场评定只能由数促中心进行", "mode", mode="onsite")
    asmt("没有名为“sme-1999”的评估指标", "instrument", instrument="sme-1999")
    zh("POST", "/v1/assessments", {"instrument": "sme-2024"}, CEN, field="org_id",
       want="请选择要评估的企业")
    zh("GET", "/v1/assessments?status=done", key=CEN, status=400, field="status",
       want="状态应为草稿、待核验或已核验")
    zh("GET", "/v1/assessments/asmt_nosuchassessment00", key=CEN, status=404,
       want="评估记录不存在")
    # a draft: its patch and submit in Chinese, and the gaps' needs
    aid = request("POST", "/v1/assessments", {"instrument": "sme-2024",
                                              "answers": {"network": ["B"]}}, key=ENT).json["id"]
    zh("PATCH", "/v1/assessments/" + aid, {"scenes": {"quality": -1}}, ENT, field="scenes.quality",
       want="“质量管理”场景应为 0 到 4 级")
    zh("PATCH", "/v1/assessments/" + aid, {"instrument": "sme-2024"}, ENT, field="instrument",
       want="不能更换评估指标")
    m = zh("POST", "/v1/assessments/%s/submit" % aid, None, ENT,
           field="answers.device_digital_rate", want="还有内容未填写：“设备数字化”题、")
    assert m.endswith("等 30 项"), m
    zh("GET", "/v1/instruments/sme-1999", status=404, want="评估指标不存在")


def raw(data):
    out = lib.raw_exchange(data, timeout=5)
    return lib.parse_raw_response(out)


def test_libevents_own_errors_are_json():
    cases = (
        (b"GET /v1/search?q=" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 431, "too_large"),
        (b"GET /v1/search HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 20000 + b"\r\n\r\n", 431,
         "too_large"),
        (b"BREW /v1/search HTTP/1.1\r\nHost: x\r\n\r\n", 405, "method_not_allowed"),
        (b"POST /v1/resources:bulk HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n",
         413, "too_large"),
        (b"GARBAGE\r\n\r\n", 400, "bad_param"),
    )
    for data, status, code in cases:
        st, hdrs, body = raw(data)
        eq(st, status, "status for %r" % data[:40])
        assert hdrs.get("content-type", "").startswith("application/json"), (data[:40], hdrs)
        doc = lib.json.loads(body)
        eq(doc["error"]["code"], code, "code for %r" % data[:40])
        lib.check_schema(doc, "error")
        eq(hdrs.get("connection"), "close")
    # after a good answer on the same connection too
    st_all = lib.raw_exchange(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                              b"GET /v1/search HTTP/1.1\r\nHost: x\r\nX-Big: " + b"c" * 20000 +
                              b"\r\n\r\n", timeout=5)
    assert b"<HTML>" not in st_all and b'"too_large"' in st_all, st_all[-300:]
    assert st_all.startswith(b"HTTP/1.1 200"), st_all[:60]
    assert_status(request("GET", "/healthz"), 200)
