"""auditor: reads the audit log under its grant; others may not."""

from __future__ import annotations

from typing import Any

from api.models import Role, UnitKind
from api.services import units

from ..conftest import GraphQLClient


async def test_auditor_sees_entries_of_its_county_only(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    for code, name, kind in (("513425000000", "会理县", UnitKind.XIAN), ("610203000000", "印台区", UnitKind.QU)):
        await units.create_unit(session, system, code=code, name=name, kind=kind)
    await units.create_unit(session, system, code="513425101000", name="鹿厂镇", kind=UnitKind.ZHEN)
    auditor = await make_user("auditor", Role.AUDITOR, unit_code="513425000000")
    log = (
        await gql.data(
            "{ auditLog(first: 100) { totalCount edges { node { action scopePath summary } } } }", token=auditor
        )
    )["auditLog"]
    paths = {e["node"]["scopePath"] for e in log["edges"]}
    assert paths and all(p.startswith("513425") for p in paths), paths
    assert any(e["node"]["summary"].endswith("鹿厂镇") for e in log["edges"])
    editor = await make_user("editor", Role.EDITOR, unit_code="513425000000")
    body = await gql("{ auditLog { totalCount } }", token=editor)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await gql("{ auditLog { totalCount } }")
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
