"""Domains and their assignment, over HTTP, on the demo data."""

from __future__ import annotations

from typing import Any

import pytest

from api.models import Role

from ..conftest import GraphQLClient

# 印台区 plan, annex 1: department -> the domains it is responsible for, as the annex words them.
YINTAI_ANNEX_1 = {
    "区发改局": {"重大建设项目"},
    "区教科体局": {"义务教育"},
    "区民政局": {"社会救助", "养老服务"},
    "区司法局": {"公共法律服务"},
    "公安分局": {"户籍管理"},
    "区财政局": {"财政预决算"},
    "区人社局": {"就业", "社会保险"},
    "区住建局": {"国有土地上房屋征收", "保障性住房", "农村危房改造", "城市综合执法", "市政服务"},
    "区农业农村局": {"涉农补贴"},
    "区卫健局": {"医疗卫生"},
    "区市场监管局": {"食品药品监管"},
    "区应急局": {"安全生产", "救灾"},
    "区文旅局": {"公共文化服务"},
    "区扶贫局": {"扶贫"},
    "自然资源分局": {"国土空间规划", "征地补偿"},
    "生态环境分局": {"生态环境"},
    "区税务局": {"税收管理"},
    "区行政审批服务局": {"公共资源交易"},
}
ALIASES = {"医疗卫生": "卫生健康", "征地补偿": "农村集体土地征收", "国有土地上房屋征收": "国有土地上房屋征收与补偿"}

ASSIGNMENTS = """query($code: String!) { unit(code: $code) { domainAssignments {
  domain { code name } organization { id name } assignedAt endedAt } } }"""


async def test_there_are_26_domains(gql: GraphQLClient) -> None:
    domains = (await gql.data("{ domains { code name } }"))["domains"]
    assert len(domains) == 26
    assert len({d["code"] for d in domains}) == 26
    assert domains[0]["name"] == "国土空间规划" and domains[-1]["name"] == "卫生健康"


@pytest.mark.parametrize(("alias", "name"), sorted(ALIASES.items()))
async def test_aliases_find_the_domain(gql: GraphQLClient, alias: str, name: str) -> None:
    data = await gql.data("query($c: String!) { domain(code: $c) { name } }", {"c": alias})
    assert data["domain"] == {"name": name}


async def test_yintai_assignments_equal_annex_1(gql: GraphQLClient, demo: None) -> None:
    rows = (await gql.data(ASSIGNMENTS, {"code": "610203000000"}))["unit"]["domainAssignments"]
    got: dict[str, set[str]] = {}
    for row in rows:
        got.setdefault(row["organization"]["name"], set()).add(row["domain"]["name"])
    expected = {dept: {ALIASES.get(d, d) for d in ds} for dept, ds in YINTAI_ANNEX_1.items()}
    assert got == expected
    assert len(rows) == 26


async def test_huili_has_all_26_domains_assigned(gql: GraphQLClient, demo: None) -> None:
    rows = (await gql.data(ASSIGNMENTS, {"code": "513425000000"}))["unit"]["domainAssignments"]
    assert len({r["domain"]["code"] for r in rows}) == 26
    civil = {r["domain"]["name"] for r in rows if r["organization"]["name"] == "县民政局"}
    assert civil == {"社会救助", "养老服务"}


ASSIGN = """mutation($d: String!, $u: String!, $o: ID!) {
  assignDomain(domainCode: $d, unitCode: $u, organizationId: $o) {
    assignment { domain { code } organization { name } } errors { field code message } } }"""


async def _org_id(gql: GraphQLClient, unit_code: str, name: str) -> str:
    data = await gql.data("query($u: String!) { unit(code: $u) { organizations { id name } } }", {"u": unit_code})
    return next(o["id"] for o in data["unit"]["organizations"] if o["name"] == name)


async def test_reassignment_keeps_history(gql: GraphQLClient, demo: None) -> None:
    token = await gql.login("yintai_office", "Gongkai-Demo-2026")
    office = await _org_id(gql, "610203000000", "区政府办")
    result = await gql.data(ASSIGN, {"d": "医疗卫生", "u": "610203000000", "o": office}, token)
    assert result["assignDomain"]["errors"] == []
    assert result["assignDomain"]["assignment"]["organization"]["name"] == "区政府办"
    history = await gql.data(
        """{ domain(code: "HEALTH") { assignments(unitCode: "610203000000", includeEnded: true) {
             organization { name } endedAt } } }"""
    )
    rows = history["domain"]["assignments"]
    assert [r["organization"]["name"] for r in rows] == ["区卫健局", "区政府办"]
    assert rows[0]["endedAt"] is not None and rows[1]["endedAt"] is None
    current = await gql.data(
        '{ domain(code: "HEALTH") { assignments(unitCode: "610203000000") { organization { name } } } }'
    )
    assert current["domain"]["assignments"] == [{"organization": {"name": "区政府办"}}]


async def test_assignment_errors(gql: GraphQLClient, demo: None) -> None:
    token = await gql.login("admin", "Gongkai-Demo-2026")
    huili_org = await _org_id(gql, "513425000000", "县民政局")
    outside = await gql.data(ASSIGN, {"d": "HEALTH", "u": "610203000000", "o": huili_org}, token)
    assert [(e["field"], e["code"]) for e in outside["assignDomain"]["errors"]] == [
        ("organizationId", "OUTSIDE_COUNTY")
    ]
    unknown = await gql.data(ASSIGN, {"d": "NO_SUCH", "u": "610203000000", "o": huili_org}, token)
    assert [(e["field"], e["code"]) for e in unknown["assignDomain"]["errors"]] == [("domainCode", "NOT_FOUND")]
    town = await gql.data(ASSIGN, {"d": "HEALTH", "u": "513425101000", "o": huili_org}, token)
    assert [(e["field"], e["code"]) for e in town["assignDomain"]["errors"]] == [("unitCode", "NOT_COUNTY")]
    garbage = await gql.data(ASSIGN, {"d": "HEALTH", "u": "513425000000", "o": "not-an-id"}, token)
    assert [(e["field"], e["code"]) for e in garbage["assignDomain"]["errors"]] == [("organizationId", "INVALID_ID")]


async def test_village_poster_cannot_assign(gql: GraphQLClient, demo: None) -> None:
    token = await gql.login("village_poster", "Gongkai-Demo-2026")
    org = await _org_id(gql, "513425000000", "县民政局")
    body = await gql(ASSIGN, {"d": "HEALTH", "u": "513425000000", "o": org}, token)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "权限" in body["errors"][0]["message"]


async def test_anonymous_assign_is_unauthenticated(gql: GraphQLClient, demo: None) -> None:
    org = await _org_id(gql, "513425000000", "县民政局")
    body = await gql(ASSIGN, {"d": "HEALTH", "u": "513425000000", "o": org})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_demo_user_for_every_role(gql: GraphQLClient, demo: None) -> None:
    roles = set()
    for username in (
        "admin",
        "huili_office",
        "yintai_office",
        "editor",
        "reviewer",
        "approver",
        "foi_officer",
        "village_poster",
        "auditor",
        "kiosk_luchang",
    ):
        token = await gql.login(username, "Gongkai-Demo-2026")
        me = await gql.data("{ me { username grants { role scopePath } } }", token=token)
        roles |= {g["role"] for g in me["me"]["grants"]}
    assert roles == {r.name for r in Role}


async def test_domains_with_assignments_run_constant_statements(
    gql: GraphQLClient, demo: None, statement_counter: Any
) -> None:
    statement_counter.start()
    data = await gql.data('{ domains { code assignments(unitCode: "610203000000") { organization { name } } } }')
    used = statement_counter.stop()
    assert sum(len(d["assignments"]) for d in data["domains"]) == 26
    assert used <= 4, statement_counter.statements  # domains, assignments, organizations (+ nothing per domain)
