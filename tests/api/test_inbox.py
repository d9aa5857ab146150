"""
test_inbox.py - the inbox (站内信, issue 21): each kind of notification
arrives in the organisation it is for, written in the same transaction as
its event (a refused write leaves none); unread counts; marking read; the
message an enterprise sends a provider from a resource (联系服务商); and
contacts both ways once a response is accepted.
"""

import time

import lib
import people
from lib import assert_error, assert_status, eq, request
from people import Browser, new_user, org_id

S = None
ADM = CEN = PROV = PROV2 = ENT = ENT2 = ENT3 = None
ORG = {}
RES = None
CONTACT = {"name": "王经理", "title": "客户经理", "phone": "13871234567",
           "email": "bd@inbox-test.example.cn"}


def setup_module():
    global S, ADM, CEN, PROV, PROV2, ENT, ENT2, ENT3, RES
    S = lib.use(lib.Server(redis="none", workers=2))
    ADM = S.key("admin", "站内信运营方")
    CEN = S.key("center", "站内信数促中心")
    PROV = S.key("provider", "站内信服务商")
    PROV2 = S.key("provider", "站内信另一服务商")
    ENT = S.key("enterprise", "站内信企业甲")
    ENT2 = S.key("enterprise", "站内信企业乙")
    ENT3 = S.key("enterprise", "站内信纺织企业")
    for k, n in ((CEN, "cen"), (PROV, "prov"), (PROV2, "prov2"), (ENT, "ent"), (ENT2, "ent2"),
                 (ENT3, "ent3")):
        ORG[n] = org_id(k)
    r = request("PATCH", "/v1/orgs/" + ORG["prov"],
                {"contact": CONTACT, "website": "https://www.inbox-test.example.cn"}, key=PROV)
    assert_status(r, 200)
    eq(r.json["contact"], CONTACT, "the provider sees its own contact")
    r = request("POST", "/v1/resources", lib.resource(title="站内信测试视觉质检"), key=PROV)
    assert_status(r, 201)
    RES = r.json["id"]


def teardown_module():
    if S:
        S.stop()


def inbox(key, **q):
    path = "/v1/inbox" + ("?" + "&".join("%s=%s" % kv for kv in q.items()) if q else "")
    r = request("GET", path, key=key)
    assert_status(r, 200)
    lib.check_schema(r.json, "inbox")
    return r.json


def latest(key, kind):
    items = [i for i in inbox(key, limit=100)["items"] if i["kind"] == kind]
    assert items, "no %s in the inbox: %r" % (kind, inbox(key)["items"][:3])
    return items[0]


def need(key, **over):
    b = {"title": "站内信测试：冲压件外观质检", "industry": "machinery", "scenarios": ["quality"],
         "region": "湖北省", "contact": {"name": "杜勇", "phone": "13912340000"}}
    b.update(over)
    r = request("POST", "/v1/needs", b, key=key)
    assert_status(r, 201)
    return r.json["id"]


def test_a_response_to_my_need_and_my_response_accepted():
    before = inbox(ENT)["unread"]
    nid = need(ENT)
    r = request("POST", "/v1/needs/%s/responses" % nid,
                {"resource_id": RES, "message": "可上门演示", "quote": 90000}, key=PROV)
    assert_status(r, 201)
    rid = r.json["id"]
    n = latest(ENT, "response_received")
    eq((n["read"], n["payload"]["need"]["id"], n["payload"]["provider"]["name"]),
       (False, nid, "站内信服务商"))
    assert "站内信测试：冲压件外观质检" in n["title"] and "站内信服务商" in n["title"], n["title"]
    eq(n["kind_name"], "需求收到响应")
    eq(n["payload"]["link"], "#/needs/" + nid)
    eq(inbox(ENT)["unread"], before + 1, "one more unread")
    eq(request("GET", "/v1/me", key=ENT).json["inbox_unread"], before + 1, "counted in /v1/me")
    # a refused write leaves no notification (same transaction)
    r = request("POST", "/v1/needs/%s/responses" % nid, {"resource_id": RES}, key=PROV)
    assert_error(r, 409, "conflict")
    eq(inbox(ENT)["unread"], before + 1, "nothing from a refused response")
    # the provider hears of the acceptance
    p_before = inbox(PROV)["unread"]
    assert_status(request("POST", "/v1/needs/%s/responses/%s/accept" % (nid, rid), key=ENT), 200)
    a = latest(PROV, "response_accepted")
    eq((a["payload"]["need"]["id"], a["payload"]["enterprise"]["name"]), (nid, "站内信企业甲"))
    eq(inbox(PROV)["unread"], p_before + 1)


def test_contacts_both_ways_after_acceptance():
    nid = need(ENT2, title="站内信测试：互见联系方式")
    r = request("POST", "/v1/needs/%s/responses" % nid, {"resource_id": RES}, key=PROV)
    rid = r.json["id"]
    # before acceptance: neither side sees the other's contact
    lst = request("GET", "/v1/needs/%s/responses" % nid, key=ENT2).json["items"]
    assert "contact" not in lst[0]["provider"], lst
    assert "contact" not in request("GET", "/v1/orgs/" + ORG["prov"], key=ENT2).json
    assert "13912340000" not in request("GET", "/v1/needs/" + nid, key=PROV).text
    acc = request("POST", "/v1/needs/%s/responses/%s/accept" % (nid, rid), key=ENT2)
    assert_status(acc, 200)
    eq(acc.json["provider"]["contact"], CONTACT, "the accepted provider's contact")
    eq(acc.json["provider"]["website"], "https://www.inbox-test.example.cn")
    lst = request("GET", "/v1/needs/%s/responses" % nid, key=ENT2).json["items"]
    eq(lst[0]["provider"]["contact"], CONTACT, "in the list too")
    eq(request("GET", "/v1/orgs/" + ORG["prov"], key=ENT2).json["contact"], CONTACT,
       "and on the provider's profile, as the provider sees it")
    assert "13912340000" in request("GET", "/v1/needs/" + nid, key=PROV).text, \
        "the provider sees the need's contact"
    # others still do not
    for k in (ENT3, PROV2, None):
        r = request("GET", "/v1/orgs/" + ORG["prov"], key=k)
        assert "contact" not in r.json and CONTACT["phone"] not in r.text, r


def test_campaign_to_confirm_and_campaign_i_can_join():
    fits = need(ENT, title="站内信测试：可以参加集采的质检需求")
    other = need(ENT3, title="纺织能耗需求", industry="textile", scenarios=["energy"])
    c = request("POST", "/v1/campaigns", {
        "title": "站内信测试质检集采", "resource_id": RES, "industry": "machinery",
        "scenarios": ["quality"], "region": "湖北省",
        "tiers": [{"min_participants": 2, "unit_price": 90000},
                  {"min_participants": 5, "unit_price": 70000}],
        "min_participants": 2,
        "deadline": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 7200))},
        key=CEN)
    assert_status(c, 201)
    cid = c.json["id"]
    eq(c.json["price_confirmation"], None)
    n = latest(PROV, "campaign_confirm")
    eq(n["payload"]["campaign"]["id"], cid)
    # not open before the provider confirms: 409 saying what is missing
    r = request("POST", "/v1/campaigns/%s/transition" % cid, {"to": "open"}, key=CEN)
    assert_error(r, 409, "conflict")
    assert "confirm" in r.json["error"]["message"], r
    r = request("POST", "/v1/campaigns/%s/transition" % cid, {"to": "open"}, key=CEN,
                headers={"Accept-Language": "zh-CN"})
    eq(r.json["error"]["message"], "服务商尚未确认阶梯价格，确认后才能开始报名")
    assert_error(request("POST", "/v1/campaigns/%s/confirm" % cid, key=PROV2), 404, "not_found")
    r = request("POST", "/v1/campaigns/%s/confirm" % cid, key=PROV)
    assert_status(r, 200)
    eq(r.json["price_confirmation"]["tiers"], c.json["tiers"])
    ent3_before = inbox(ENT3)["unread"]
    assert_status(request("POST", "/v1/campaigns/%s/transition" % cid, {"to": "open"}, key=CEN), 200)
    n = latest(ENT, "campaign_opened")
    eq(n["payload"]["campaign"]["id"], cid)
    eq(n["payload"]["link"], "#/campaigns/" + cid)
    eq(inbox(ENT3)["unread"], ent3_before, "an enterprise whose needs do not fit hears nothing")
    assert fits and other
    # confirming again, or after opening: 409
    assert_error(request("POST", "/v1/campaigns/%s/confirm" % cid, key=PROV), 409, "conflict")


def test_contact_the_provider_from_a_resource():
    p = "Pw-contact-2026"
    people.new_user(ADM, ORG["ent2"], "联系人小周", "13955550000", p)
    b = Browser()
    b.login("13955550000", p)
    before = inbox(PROV)["unread"]
    r = b.post("/v1/resources/%s/contact" % RES, {"message": "想了解质检方案的报价和上门演示时间"})
    assert_status(r, 201)
    eq(r.json["to"]["id"], ORG["prov"])
    m = latest(PROV, "message")
    eq((m["payload"]["from"]["org"]["name"], m["payload"]["from"]["user"]["name"],
        m["payload"]["contact"]["phone"], m["payload"]["resource"]["id"]),
       ("站内信企业乙", "联系人小周", "13955550000", RES))
    eq(m["payload"]["message"], "想了解质检方案的报价和上门演示时间")
    eq(inbox(PROV)["unread"], before + 1)
    # not twice within a minute; not from a provider; not about a missing resource
    r = b.post("/v1/resources/%s/contact" % RES, {"message": "再问一次"})
    assert_error(r, 429, "rate_limited")
    assert int(r.headers["Retry-After"]) > 0
    assert_error(request("POST", "/v1/resources/%s/contact" % RES, {"message": "同行"}, key=PROV2),
                 403, "forbidden")
    assert_error(request("POST", "/v1/resources/res_nosuch/contact", {"message": "x"}, key=ENT),
                 404, "not_found")
    assert_error(request("POST", "/v1/resources/%s/contact" % RES, {"message": ""}, key=ENT),
                 422, "invalid_field", "message")
    # a key gives its own contact
    r = request("POST", "/v1/resources/%s/contact" % RES,
                {"message": "程序发来的咨询", "contact": {"name": "系统", "phone": "02788886666"}},
                key=ENT3)
    assert_status(r, 201)
    eq(latest(PROV, "message")["payload"]["contact"]["phone"], "02788886666")


def test_mark_read_one_and_all():
    nid = need(ENT2, title="站内信测试：标记已读")
    request("POST", "/v1/needs/%s/responses" % nid, {"resource_id": RES}, key=PROV)
    box = inbox(ENT2)
    assert box["unread"] >= 1
    first = box["items"][0]
    eq(first["read"], False)
    assert_error(request("POST", "/v1/inbox/%s/read" % first["id"], key=ENT), 404, "not_found")
    r = request("POST", "/v1/inbox/%s/read" % first["id"], key=ENT2)
    assert_status(r, 200)
    eq(r.json["read"], True)
    eq(inbox(ENT2)["unread"], box["unread"] - 1)
    assert first["id"] not in [i["id"] for i in inbox(ENT2, unread=1)["items"]]
    r = request("POST", "/v1/inbox:read", key=ENT2)
    assert_status(r, 200)
    eq(r.json["unread"], 0)
    eq(inbox(ENT2)["unread"], 0)
    eq(inbox(ENT2, unread=1)["items"], [])
    assert_error(request("POST", "/v1/inbox/ntf_nosuch/read", key=ENT2), 404, "not_found")
    assert_error(request("GET", "/v1/inbox"), 401, "unauthorized")


def test_inbox_pages_newest_first():
    k = S.key("provider", "站内信分页服务商")
    r = request("POST", "/v1/resources", lib.resource(title="分页资源"), key=k)
    res = r.json["id"]
    for i in range(5):
        nid = need(ENT, title="分页需求%d" % i)
        assert_status(request("POST", "/v1/needs/%s/responses" % nid, {"resource_id": res},
                              key=k), 201)
    seen = []
    page = inbox(ENT, limit=2)
    while True:
        seen += [i["id"] for i in page["items"]]
        if not page["next_cursor"]:
            break
        page = inbox(ENT, limit=2, cursor=page["next_cursor"])
    all_ids = [i["id"] for i in inbox(ENT, limit=100)["items"]]
    eq(seen, all_ids, "pages in order, nothing twice or lost")
    kinds = request("GET", "/v1/inbox/kinds", key=ENT).json["items"]
    assert {"kind": "campaign_opened", "name": "集采开始报名"} in kinds, kinds
