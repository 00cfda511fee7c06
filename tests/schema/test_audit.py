"""Every mutation leaves exactly one audit row, written with the change."""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import func, select

from api.models import AuditEntry, Role, UnitKind
from api.services import units

from ..conftest import PASSWORD, GraphQLClient


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


async def audit_rows(session: Any) -> list[AuditEntry]:
    session.expire_all()
    return list((await session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars())


async def test_every_mutation_writes_one_audit_row(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    await units.create_unit(session, system, code="610203000000", name="印台区", kind=UnitKind.QU)
    admin = await make_user("admin", Role.DISTRICT_OFFICE)
    me = await gql.data("{ me { id } }", token=admin)
    steps: list[tuple[str, str, dict[str, Any]]] = [
        (
            "unit.create",
            'mutation { createUnit(input: {code: "513425000000", name: "会理县", kind: XIAN}) { errors { code } } }',
            {},
        ),
        (
            "unit.update",
            'mutation { updateUnit(input: {code: "513425000000", version: 1, name: "会理市"}) { errors { code } } }',
            {},
        ),
        (
            "organization.create",
            'mutation { createOrganization(input: {unitCode: "513425000000", name: "县民政局", kind: DEPARTMENT}) { organization { id } errors { code } } }',
            {},
        ),
    ]
    before = len(await audit_rows(session))
    for action, query, variables in steps:
        data = await gql.data(query, variables, admin)
        assert all(not v["errors"] for v in data.values()), data
        rows = await audit_rows(session)
        assert len(rows) == before + 1, (action, [r.action for r in rows])
        assert rows[-1].action == action and rows[-1].actor_name == "admin"
        assert rows[-1].client_addr == "203.0.113.7"
        before += 1
    org = await gql.data('{ organizations(unitCode: "513425000000") { edges { node { id version } } } }')
    org_node = org["organizations"]["edges"][0]["node"]
    more = [
        (
            "organization.update",
            'mutation($i: ID!, $v: Int!) { updateOrganization(input: {id: $i, version: $v, profile: {head: "张三"}}) { errors { code } } }',
            {"i": org_node["id"], "v": org_node["version"]},
        ),
        (
            "domain.assign",
            'mutation($o: ID!) { assignDomain(domainCode: "HEALTH", unitCode: "513425000000", organizationId: $o) { errors { code } } }',
            {"o": org_node["id"]},
        ),
        (
            "account.create_user",
            'mutation { createUser(input: {username: "clerk", displayName: "办事员", password: "'
            + PASSWORD
            + '"}) { user { id } errors { code } } }',
            {},
        ),
    ]
    for action, query, variables in more:
        data = await gql.data(query, variables, admin)
        assert all(not v["errors"] for v in data.values()), data
        rows = await audit_rows(session)
        assert len(rows) == before + 1 and rows[-1].action == action
        before += 1
    clerk = (await gql.data("{ me { id } }", token=await gql.login("clerk")))["me"]["id"]
    rows = await audit_rows(session)
    assert rows[-1].action == "account.login" and len(rows) == before + 1
    before += 1
    grant = await gql.data(
        'mutation($u: ID!) { grantRole(input: {userId: $u, role: EDITOR, unitCode: "513425000000"}) { grant { id } errors { code } } }',
        {"u": clerk},
        admin,
    )
    rows = await audit_rows(session)
    assert len(rows) == before + 1 and rows[-1].action == "account.grant_role"
    before += 1
    await gql.data(
        "mutation($g: ID!) { revokeRole(grantId: $g) { errors { code } } }",
        {"g": grant["grantRole"]["grant"]["id"]},
        admin,
    )
    rows = await audit_rows(session)
    assert len(rows) == before + 1 and rows[-1].action == "account.revoke_role"
    assert me["me"]["id"]


async def test_a_refused_mutation_leaves_no_change_and_no_audit_row(
    gql: GraphQLClient, make_user: Any, session: Any
) -> None:
    admin = await make_user("admin", Role.DISTRICT_OFFICE)
    before = len(await audit_rows(session))
    data = await gql.data(
        'mutation { createUnit(input: {code: "5134", name: "x", kind: XIAN}) { errors { code } } }', token=admin
    )
    assert data["createUnit"]["errors"] == [{"code": "INVALID_CODE"}]
    assert len(await audit_rows(session)) == before
    session.expire_all()
    assert (await session.execute(select(func.count()).select_from(AuditEntry))).scalar_one() == before


async def test_failed_login_is_audited(gql: GraphQLClient, make_user: Any, session: Any) -> None:
    await make_user("clerk", None)
    before = len(await audit_rows(session))
    await gql.data('mutation { login(username: "clerk", password: "nope-nope") { errors { code } } }')
    rows = await audit_rows(session)
    assert len(rows) == before + 1 and rows[-1].action == "account.login_failed"
