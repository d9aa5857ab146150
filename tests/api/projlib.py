"""
projlib.py - what the project tests (issue 19) share: organisations of
every role, a verified assessment made in one call, a need answered and
accepted, and a project driven from contract to acceptance through the
API.  Every step is a real request; nothing is written to the database
behind the server's back.
"""

import lib
from lib import assert_status

ANSWERS = {"network": ["B"], "device_digital_rate": ["C"], "device_network_rate": ["B"],
           "auto_collection": ["G"], "it_coverage": ["C"], "network_security": ["B"],
           "data_security": ["A"], "planning": ["C"], "mechanisms": ["A"], "talent": ["B"],
           "investment": ["B"], "energy_per_revenue": ["B"], "pass_rate": ["C"],
           "revenue_per_head": ["C"], "cost_per_revenue": ["B"]}
# a strong set of answers (about 70 points): with the scenes below, 二级 or 三级
STRONG = {"network": ["B", "C", "D"], "device_digital_rate": ["E"], "device_network_rate": ["D"],
          "auto_collection": ["B", "C", "D", "E", "F"], "it_coverage": ["D"],
          "network_security": ["B", "C"], "data_security": ["B", "C"], "planning": ["E"],
          "mechanisms": ["B", "C"], "talent": ["B", "C"], "investment": ["D"],
          "energy_per_revenue": ["C"], "pass_rate": ["C"], "revenue_per_head": ["C"],
          "cost_per_revenue": ["C"]}
SCENE_CODES = ("product_design", "process_design", "marketing", "after_sales", "planning",
               "production_control", "quality", "equipment", "safety", "energy", "procurement",
               "warehouse_logistics", "finance", "hr", "collaboration", "decision_support")


def scenes(step, **over):
    s = {c: step for c in SCENE_CODES}
    s.update(over)
    return s


def verified(center_key, org_id, answers=None, scene_steps=None, evidence=None):
    """A verified onsite assessment of org_id made by a center: its id and level."""
    body = {"instrument": "sme-2024", "org_id": org_id, "answers": answers or ANSWERS,
            "scenes": scene_steps or scenes(1)}
    if evidence:
        body["evidence"] = evidence
    r = lib.request("POST", "/v1/assessments", body, key=center_key)
    assert_status(r, 201)
    aid = r.json["id"]
    assert_status(lib.request("POST", "/v1/assessments/%s/submit" % aid, key=center_key), 200)
    r = lib.request("POST", "/v1/assessments/%s/verify" % aid, {}, key=center_key)
    assert_status(r, 200)
    return aid, r.json["level"]


def org_of(key):
    return lib.request("GET", "/v1/me", key=key).json["org"]["id"]


def resource(provider_key, **over):
    r = lib.request("POST", "/v1/resources", lib.resource(**over), key=provider_key)
    assert_status(r, 201)
    return r.json["id"]


def accepted_response(ent_key, provider_key, resource_id, quote=120000, title=None,
                      scenarios=("quality",)):
    """A need of the enterprise, the provider's response with resource_id,
    accepted: (need id, response id)."""
    need = {"title": title or ("质检项目需求" + lib.uniq()), "industry": "machinery",
            "scenarios": list(scenarios), "region": "湖北省", "current_level": 1,
            "target_level": 2, "budget": {"max": 300000}}
    r = lib.request("POST", "/v1/needs", need, key=ent_key)
    assert_status(r, 201)
    nid = r.json["id"]
    r = lib.request("POST", "/v1/needs/%s/responses" % nid,
                    {"resource_id": resource_id, "message": "可以做", "quote": quote},
                    key=provider_key)
    assert_status(r, 201)
    rid = r.json["id"]
    assert_status(lib.request("POST", "/v1/needs/%s/responses/%s/accept" % (nid, rid),
                              key=ent_key), 200)
    return nid, rid


def new_project(ent_key, provider_key, resource_id, **body):
    _, rid = accepted_response(ent_key, provider_key, resource_id,
                               scenarios=body.pop("scenarios", ("quality",)))
    b = {"response_id": rid}
    b.update(body)
    r = lib.request("POST", "/v1/projects", b, key=ent_key)
    assert_status(r, 201)
    return r.json


def move(pid, to, key, status=200, reason=None):
    body = {"to": to}
    if reason is not None:
        body["reason"] = reason
    r = lib.request("POST", "/v1/projects/%s/transition" % pid, body, key=key)
    assert r.status == status, "move %s -> %s: want %d, got %r" % (pid, to, status, r)
    return r


def signoff(pid, key, status=200):
    r = lib.request("POST", "/v1/projects/%s/signoff" % pid, {}, key=key)
    assert r.status == status, "signoff %s: want %d, got %r" % (pid, status, r)
    return r


def deliver(pid, prov, cen=None):
    """contracted -> implementing -> delivered (the provider's moves)."""
    move(pid, "implementing", prov)
    return move(pid, "delivered", prov)


def accept(pid, ent, cen, center_key_for_assessment, org_id, prov=None, answers=None,
           scene_steps=None, evidence=None):
    """Both sign-offs, a verified assessment after delivery, accepted."""
    signoff(pid, ent)
    signoff(pid, cen)
    verified(center_key_for_assessment, org_id, answers=answers, scene_steps=scene_steps,
             evidence=evidence)
    return move(pid, "accepted", cen)
