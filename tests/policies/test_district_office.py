"""district_office: a grant at a county holds for every unit and organization below it only."""

from __future__ import annotations

from typing import Any

from api.models import Role, UnitKind
from api.services import units

from ..conftest import GraphQLClient


async def _two_counties(session: Any, system: Any) -> None:
    for code, name, kind in (("513425000000", "会理县", UnitKind.XIAN), ("610203000000", "印台区", UnitKind.QU)):
        await units.create_unit(session, system, code=code, name=name, kind=kind)
    await units.create_unit(session, system, code="513425101000", name="鹿厂镇", kind=UnitKind.ZHEN)
    await units.create_unit(session, system, code="513425101001", name="铜矿村", kind=UnitKind.CUN)
    await units.create_unit(session, system, code="610203100000", name="陈炉镇", kind=UnitKind.ZHEN)


RENAME = """mutation($code: String!, $v: Int!, $name: String!) {
  updateUnit(input: {code: $code, version: $v, name: $name}) { unit { name } errors { code } } }"""
CREATE_ORG = """mutation($u: String!) { createOrganization(input: {unitCode: $u, name: "村委会", kind: VILLAGE_COMMITTEE}) {
  organization { name } errors { code } } }"""


async def test_county_grant_acts_below_and_not_elsewhere(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    await _two_counties(session, system)
    token = await make_user("huili_office", Role.DISTRICT_OFFICE, unit_code="513425000000")

    village = await gql.data(RENAME, {"code": "513425101001", "v": 1, "name": "铜矿新村"}, token)
    assert village["updateUnit"] == {"unit": {"name": "铜矿新村"}, "errors": []}
    org = await gql.data(CREATE_ORG, {"u": "513425101001"}, token)
    assert org["createOrganization"]["errors"] == []

    for code in ("610203100000", "610203000000"):
        elsewhere = await gql(RENAME, {"code": code, "v": 1, "name": "改名"}, token)
        assert elsewhere["errors"][0]["extensions"]["code"] == "FORBIDDEN", elsewhere
    elsewhere_org = await gql(CREATE_ORG, {"u": "610203100000"}, token)
    assert elsewhere_org["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    new_county = await gql(
        'mutation { createUnit(input: {code: "513426000000", name: "新县", kind: XIAN}) { errors { code } } }',
        token=token,
    )
    assert new_county["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    unchanged = await gql.data('{ unit(code: "610203100000") { name version } }')
    assert unchanged["unit"] == {"name": "陈炉镇", "version": 1}


async def test_town_grant_does_not_reach_the_county(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    await _two_counties(session, system)
    token = await make_user("town_office", Role.DISTRICT_OFFICE, unit_code="513425101000")
    ok = await gql.data(RENAME, {"code": "513425101001", "v": 1, "name": "铜矿新村"}, token)
    assert ok["updateUnit"]["errors"] == []
    up = await gql(RENAME, {"code": "513425000000", "v": 1, "name": "x"}, token)
    assert up["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_grant_and_revoke_take_effect_at_once(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    await _two_counties(session, system)
    admin = await make_user("admin", Role.DISTRICT_OFFICE)
    clerk = await make_user("clerk", None)
    denied = await gql(RENAME, {"code": "513425101001", "v": 1, "name": "甲"}, clerk)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    me = await gql.data("{ me { id } }", token=clerk)
    grant = await gql.data(
        """mutation($u: ID!) { grantRole(input: {userId: $u, role: DISTRICT_OFFICE, unitCode: "513425101000"}) {
             grant { id role scopePath } errors { field code } } }""",
        {"u": me["me"]["id"]},
        admin,
    )
    assert grant["grantRole"]["grant"]["scopePath"] == "513425/513425101"
    allowed = await gql.data(RENAME, {"code": "513425101001", "v": 1, "name": "乙"}, clerk)
    assert allowed["updateUnit"]["errors"] == []

    revoke = await gql.data(
        "mutation($g: ID!) { revokeRole(grantId: $g) { grant { revokedAt } errors { code } } }",
        {"g": grant["grantRole"]["grant"]["id"]},
        admin,
    )
    assert revoke["revokeRole"]["grant"]["revokedAt"] is not None
    again = await gql(RENAME, {"code": "513425101001", "v": 2, "name": "丙"}, clerk)
    assert again["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_cannot_grant_above_own_scope(gql: GraphQLClient, make_user: Any, session: Any, system: Any) -> None:
    await _two_counties(session, system)
    town_office = await make_user("town_office", Role.DISTRICT_OFFICE, unit_code="513425101000")
    clerk = await make_user("clerk", None)
    me = await gql.data("{ me { id } }", token=clerk)
    body = await gql(
        """mutation($u: ID!) { grantRole(input: {userId: $u, role: DISTRICT_OFFICE, unitCode: "513425000000"}) {
             errors { code } } }""",
        {"u": me["me"]["id"]},
        town_office,
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_bad_token_is_unauthenticated(gql: GraphQLClient) -> None:
    response = await gql.raw("{ me { username } }", token="not-a-token")
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_unknown_user_in_token_is_unauthenticated(gql: GraphQLClient, app: Any) -> None:
    from api.auth.tokens import issue_token

    token = issue_token(app.state.gongkai.settings.secret_key, 999999, 1)
    response = await gql.raw("{ me { username } }", token=token)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_login_with_wrong_password(gql: GraphQLClient, make_user: Any) -> None:
    await make_user("clerk", None)
    data = await gql.data(
        'mutation { login(username: "clerk", password: "wrong-password") { token errors { field code message } } }'
    )
    assert data["login"] == {
        "token": None,
        "errors": [{"field": "password", "code": "INVALID_CREDENTIALS", "message": "用户名或密码错误"}],
    }
