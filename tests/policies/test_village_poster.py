"""village_poster: may not touch the hierarchy, domains or accounts."""

from __future__ import annotations

from typing import Any

from api.models import OrganizationKind, Role, UnitKind
from api.services import units

from ..conftest import GraphQLClient


async def test_village_poster_is_refused_everywhere_but_reading(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    await units.create_unit(session, system, code="513425000000", name="会理县", kind=UnitKind.XIAN)
    await units.create_unit(session, system, code="513425101000", name="鹿厂镇", kind=UnitKind.ZHEN)
    await units.create_unit(session, system, code="513425101001", name="铜矿村", kind=UnitKind.CUN)
    org = await units.create_organization(
        session, system, unit_code="513425000000", name="县民政局", kind=OrganizationKind.DEPARTMENT
    )
    token = await make_user("poster", Role.VILLAGE_POSTER, unit_code="513425101001")
    attempts = [
        'mutation { updateUnit(input: {code: "513425101001", version: 1, name: "x"}) { errors { code } } }',
        'mutation { createOrganization(input: {unitCode: "513425101001", name: "x", kind: VILLAGE_COMMITTEE}) { errors { code } } }',
        'mutation { createUser(input: {username: "another", displayName: "x", password: "long-enough-1"}) { errors { code } } }',
        f'mutation {{ assignDomain(domainCode: "HEALTH", unitCode: "513425000000", organizationId: "{_gid("Organization", org.id)}") {{ errors {{ code }} }} }}',
        "{ auditLog { totalCount } }",
    ]
    for query in attempts:
        body = await gql(query, token=token)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", (query, body)
    readable = await gql.data('{ unit(code: "513425101001") { name ancestors { name } } }', token=token)
    assert readable["unit"]["name"] == "铜矿村"


def _gid(type_name: str, pk: int) -> str:
    import base64

    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()
