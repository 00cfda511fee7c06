"""The hierarchy over HTTP: units and organizations."""

from __future__ import annotations

from typing import Any

from api.models import Role

from ..conftest import GraphQLClient

CREATE_UNIT = """
mutation($input: CreateUnitInput!) {
  createUnit(input: $input) { unit { id code name level kind kindLabel version } errors { field code message } }
}"""

UNIT_TREE = """
query($code: String!) {
  unit(code: $code) {
    code name level
    parent { code }
    ancestors { code name }
    children { totalCount edges { node { code name } } }
  }
}"""


async def create_unit(gql: GraphQLClient, token: str, **fields: Any) -> dict[str, Any]:
    data = await gql.data(CREATE_UNIT, {"input": fields}, token)
    return data["createUnit"]


async def test_hierarchy_round_trip(gql: GraphQLClient, make_user: Any) -> None:
    token = await make_user("root_office", Role.DISTRICT_OFFICE)
    county = await create_unit(gql, token, code="513425000000", name="会理县", kind="XIAN")
    town = await create_unit(gql, token, code="513425101000", name="鹿厂镇", kind="ZHEN", parentCode="513425000000")
    village = await create_unit(gql, token, code="513425101001", name="铜矿村", kind="CUN", parentCode="513425101000")
    assert [p["errors"] for p in (county, town, village)] == [[], [], []]
    assert (county["unit"]["level"], town["unit"]["level"], village["unit"]["level"]) == ("COUNTY", "TOWN", "VILLAGE")
    assert village["unit"]["kindLabel"] == "村"

    leaf = (await gql.data(UNIT_TREE, {"code": "513425101001"}))["unit"]
    assert leaf["parent"] == {"code": "513425101000"}
    assert [a["name"] for a in leaf["ancestors"]] == ["会理县", "鹿厂镇"]
    root = (await gql.data(UNIT_TREE, {"code": "513425000000"}))["unit"]
    assert root["parent"] is None and root["ancestors"] == []
    assert root["children"]["totalCount"] == 1
    # A level below the children: at every depth (a county's villages), and only of that level.
    below = """query($p: String!, $l: UnitLevel) { units(parentCode: $p, level: $l) { edges { node { code } } } }"""
    villages = (await gql.data(below, {"p": "513425000000", "l": "VILLAGE"}))["units"]["edges"]
    assert [e["node"]["code"] for e in villages] == ["513425101001"]
    children = (await gql.data(below, {"p": "513425000000", "l": None}))["units"]["edges"]
    assert [e["node"]["code"] for e in children] == ["513425101000"]
    towns = (await gql.data(below, {"p": "513425000000", "l": "TOWN"}))["units"]["edges"]
    assert [e["node"]["code"] for e in towns] == ["513425101000"]
    assert (await gql.data(below, {"p": "513425101001", "l": "VILLAGE"}))["units"]["edges"] == []
    assert root["children"]["edges"][0]["node"]["name"] == "鹿厂镇"

    node = await gql.data("query($id: ID!) { node(id: $id) { ... on Unit { code } } }", {"id": town["unit"]["id"]})
    assert node["node"] == {"code": "513425101000"}


async def test_bad_codes_are_user_errors_naming_the_field(gql: GraphQLClient, make_user: Any) -> None:
    token = await make_user("root_office", Role.DISTRICT_OFFICE)
    await create_unit(gql, token, code="513425000000", name="会理县", kind="XIAN")
    await create_unit(gql, token, code="513425101000", name="鹿厂镇", kind="ZHEN")

    short = await create_unit(gql, token, code="51342510", name="短码", kind="ZHEN")
    assert short["unit"] is None
    assert [(e["field"], e["code"]) for e in short["errors"]] == [("code", "INVALID_CODE")]
    assert "12位" in short["errors"][0]["message"]

    outside = await create_unit(gql, token, code="513426101001", name="外村", kind="CUN", parentCode="513425101000")
    assert [(e["field"], e["code"]) for e in outside["errors"]] == [("code", "OUTSIDE_PARENT")]

    orphan = await create_unit(gql, token, code="513425102001", name="无上级村", kind="CUN")
    assert [(e["field"], e["code"]) for e in orphan["errors"]] == [("parentCode", "PARENT_NOT_FOUND")]

    wrong_kind = await create_unit(gql, token, code="513425103000", name="某村", kind="CUN")
    assert [(e["field"], e["code"]) for e in wrong_kind["errors"]] == [("kind", "INVALID_KIND")]

    duplicate = await create_unit(gql, token, code="513425101000", name="鹿厂镇", kind="ZHEN")
    assert [(e["field"], e["code"]) for e in duplicate["errors"]] == [("code", "DUPLICATE")]

    count = await gql.data("{ units { totalCount } }")
    assert count["units"]["totalCount"] == 2


CREATE_ORG = """
mutation($input: CreateOrganizationInput!) {
  createOrganization(input: $input) {
    organization { id name creditCode version profile { head phone } contacts { name post phoneNumber } }
    errors { field code message }
  }
}"""


async def test_credit_code_is_checked(gql: GraphQLClient, make_user: Any) -> None:
    token = await make_user("root_office", Role.DISTRICT_OFFICE)
    await create_unit(gql, token, code="513425000000", name="会理县", kind="XIAN")
    good = "11513425MB0000003N"
    from api.services.units import credit_check_char

    good = good[:17] + credit_check_char(good[:17])
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    wrong = await gql.data(
        CREATE_ORG,
        {"input": {"unitCode": "513425000000", "name": "县民政局", "kind": "DEPARTMENT", "creditCode": bad}},
        token,
    )
    errors = wrong["createOrganization"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("creditCode", "INVALID_CREDIT_CODE")]
    assert "校验位" in errors[0]["message"]
    letter = await gql.data(
        CREATE_ORG,
        {
            "input": {
                "unitCode": "513425000000",
                "name": "县民政局",
                "kind": "DEPARTMENT",
                "creditCode": "11513425MB000000I" + "1",
            }
        },
        token,
    )
    assert letter["createOrganization"]["errors"][0]["field"] == "creditCode"
    ok = await gql.data(
        CREATE_ORG,
        {"input": {"unitCode": "513425000000", "name": "县民政局", "kind": "DEPARTMENT", "creditCode": good.lower()}},
        token,
    )
    assert ok["createOrganization"]["errors"] == []
    assert ok["createOrganization"]["organization"]["creditCode"] == good


async def test_known_credit_code_passes() -> None:
    from api.services.units import check_credit_code

    # A published code of a Chinese company, check digit included.
    assert check_credit_code("91350100M000100Y43") == "91350100M000100Y43"


async def test_contact_phones_are_for_staff_only(gql: GraphQLClient, make_user: Any) -> None:
    token = await make_user("root_office", Role.DISTRICT_OFFICE)
    await create_unit(gql, token, code="513425000000", name="会理县", kind="XIAN")
    created = await gql.data(
        CREATE_ORG,
        {
            "input": {
                "unitCode": "513425000000",
                "name": "县民政局",
                "kind": "DEPARTMENT",
                "profile": {"head": "张三", "phone": "0834-5620000"},
                "contacts": [{"role": "LEADER", "name": "李四", "post": "副局长", "phone": "13800000001"}],
            }
        },
        token,
    )
    org = created["createOrganization"]["organization"]
    assert org["profile"] == {"head": "张三", "phone": "0834-5620000"}
    assert org["contacts"] == [{"name": "李四", "post": "副局长", "phoneNumber": "13800000001"}]
    query = "query($id: ID!) { node(id: $id) { ... on Organization { contacts { name phoneNumber } } } }"
    public = await gql.data(query, {"id": org["id"]})
    assert public["node"]["contacts"] == [{"name": "李四", "phoneNumber": None}]
    outsider = await make_user("someone", None)
    assert (await gql.data(query, {"id": org["id"]}, outsider))["node"]["contacts"][0]["phoneNumber"] is None


UPDATE_UNIT = """
mutation($input: UpdateUnitInput!) { updateUnit(input: $input) { unit { name version } errors { field code } } }"""


async def test_stale_version_is_a_conflict(gql: GraphQLClient, make_user: Any) -> None:
    token = await make_user("root_office", Role.DISTRICT_OFFICE)
    created = await create_unit(gql, token, code="513425000000", name="会理县", kind="XIAN")
    version = created["unit"]["version"]
    first = await gql.data(
        UPDATE_UNIT, {"input": {"code": "513425000000", "version": version, "name": "会理市"}}, token
    )
    assert first["updateUnit"]["errors"] == []
    assert first["updateUnit"]["unit"] == {"name": "会理市", "version": version + 1}
    stale = await gql.data(
        UPDATE_UNIT, {"input": {"code": "513425000000", "version": version, "name": "会理县"}}, token
    )
    assert stale["updateUnit"] == {"unit": None, "errors": [{"field": "version", "code": "CONFLICT"}]}
    now = await gql.data('{ unit(code: "513425000000") { name } }')
    assert now["unit"]["name"] == "会理市"


async def test_stale_organization_version_is_a_conflict(gql: GraphQLClient, make_user: Any) -> None:
    token = await make_user("root_office", Role.DISTRICT_OFFICE)
    await create_unit(gql, token, code="513425000000", name="会理县", kind="XIAN")
    org = (
        await gql.data(
            CREATE_ORG, {"input": {"unitCode": "513425000000", "name": "县民政局", "kind": "DEPARTMENT"}}, token
        )
    )["createOrganization"]["organization"]
    update = """mutation($input: UpdateOrganizationInput!) {
      updateOrganization(input: $input) { organization { version contacts { name } } errors { field code } } }"""
    contacts = [{"role": "STAFF", "name": "王五"}]
    ok = await gql.data(update, {"input": {"id": org["id"], "version": org["version"], "contacts": contacts}}, token)
    assert ok["updateOrganization"]["organization"] == {"version": org["version"] + 1, "contacts": [{"name": "王五"}]}
    stale = await gql.data(update, {"input": {"id": org["id"], "version": org["version"], "name": "x"}}, token)
    assert stale["updateOrganization"]["errors"] == [{"field": "version", "code": "CONFLICT"}]


async def test_units_page_runs_constant_statements(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any, statement_counter: Any
) -> None:
    from api.models import OrganizationKind
    from api.services import units

    await units.create_unit(session, system, code="513425000000", name="会理县", kind=units.UnitKind.XIAN)
    for i in range(1, 61):
        code = f"513425{i:03d}000"
        await units.create_unit(session, system, code=code, name=f"镇{i}", kind=units.UnitKind.ZHEN)
        for j in range(2):
            await units.create_organization(
                session, system, unit_code=code, name=f"镇{i}单位{j}", kind=OrganizationKind.TOWN_GOVERNMENT
            )
    query = """query($n: Int!) { units(level: TOWN, first: $n) { totalCount edges { node {
        code parent { code } ancestors { code } organizations { name unit { code } contacts { name } } } } } }"""

    async def count(n: int) -> int:
        statement_counter.start()
        data = await gql.data(query, {"n": n})
        used = statement_counter.stop()
        assert len(data["units"]["edges"]) == n
        assert all(len(e["node"]["organizations"]) == 2 for e in data["units"]["edges"])
        return used

    small, large = await count(5), await count(50)
    assert small == large
    assert large <= 7, statement_counter.statements  # count, page, parents, ancestors, orgs, units, contacts


async def test_page_size_is_capped(gql: GraphQLClient, session: Any, system: Any) -> None:
    from api.services import units

    await units.create_unit(session, system, code="513425000000", name="会理县", kind=units.UnitKind.XIAN)
    for i in range(1, 106):
        await units.create_unit(session, system, code=f"513425{i:03d}000", name=f"镇{i}", kind=units.UnitKind.ZHEN)
    data = await gql.data("{ units(first: 500) { totalCount pageInfo { hasNextPage endCursor } edges { cursor } } }")
    assert data["units"]["totalCount"] == 106
    assert len(data["units"]["edges"]) == 100
    assert data["units"]["pageInfo"]["hasNextPage"] is True
    rest = await gql.data(
        "query($a: String) { units(first: 100, after: $a) { edges { node { code } } pageInfo { hasNextPage } } }",
        {"a": data["units"]["pageInfo"]["endCursor"]},
    )
    assert len(rest["units"]["edges"]) == 6 and rest["units"]["pageInfo"]["hasNextPage"] is False
