"""Who reads accounts, role grants and appeals (issue 10), on the demo data through GraphQL.

An account lies at its organization's path (no organization: ``*``); a grant at its path; an
appeal with its request. ``user read``/``role read`` (district_office, auditor) read those in
scope, ``request read`` reads appeals; everyone signed in reads their own account and grants.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from api.demo.data import DEMO_PASSWORD
from api.models import Appeal, CasbinRule, User
from api.models.accounts import subject_of

from ..conftest import GraphQLClient
from ..documents_fixtures import gid

NODE = """query($id: ID!) { node(id: $id) { id
  ... on User { username grants { role scopePath } }
  ... on RoleGrant { role scopePath }
  ... on Appeal { note } } }"""


async def ids(session: Any) -> dict[str, str]:
    """Global ids of the demo's accounts, the admin's ``*`` grant, a county grant and an appeal."""
    users = {u.username: u for u in (await session.execute(select(User))).scalars()}
    found = {name: gid("User", u.id) for name, u in users.items()}
    rules = (await session.execute(select(CasbinRule).where(CasbinRule.ptype == "g"))).scalars().all()
    by_subject = {str(r.v0): r for r in rules}
    found["admin_grant"] = gid("RoleGrant", by_subject[subject_of(users["admin"].id)].id)
    found["editor_grant"] = gid("RoleGrant", by_subject[subject_of(users["editor"].id)].id)
    appeal = (await session.execute(select(Appeal).order_by(Appeal.id))).scalars().first()
    assert appeal is not None
    found["appeal"] = gid("Appeal", appeal.id)
    return found


async def node(gql: GraphQLClient, token: str | None, id_: str) -> Any:
    return (await gql.data(NODE, {"id": id_}, token))["node"]


@pytest.mark.parametrize("username", ["kiosk_luchang", "village_poster", "yintai_office"])
async def test_kiosk_poster_and_other_county_read_no_account_grant_or_appeal(
    gql: GraphQLClient, demo: None, session: Any, username: str
) -> None:
    found = await ids(session)
    token = await gql.login(username, DEMO_PASSWORD)
    for key in ("admin", "huili_office", "editor", "admin_grant", "editor_grant", "appeal"):
        assert await node(gql, token, found[key]) is None, key
    # Their own account and grants they do read.
    own = await node(gql, token, found[username])
    assert own["username"] == username and len(own["grants"]) == 1


async def test_anonymous_is_unauthenticated_for_accounts(gql: GraphQLClient, demo: None, session: Any) -> None:
    found = await ids(session)
    for key in ("admin", "admin_grant", "appeal"):
        body = await gql(NODE, {"id": found[key]})
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", key


@pytest.mark.parametrize("username", ["huili_office", "auditor"])
async def test_county_office_and_auditor_read_their_county_only(
    gql: GraphQLClient, demo: None, session: Any, username: str
) -> None:
    found = await ids(session)
    token = await gql.login(username, DEMO_PASSWORD)
    editor = await node(gql, token, found["editor"])
    assert editor["username"] == "editor" and [g["role"] for g in editor["grants"]] == ["EDITOR"]
    assert (await node(gql, token, found["editor_grant"]))["role"] == "EDITOR"
    assert (await node(gql, token, found["appeal"]))["note"]
    # The admin has no organization (it lies at *), and its grant is at *: neither is in the county.
    assert await node(gql, token, found["admin"]) is None
    assert await node(gql, token, found["admin_grant"]) is None
    assert await node(gql, token, found["yintai_office"]) is None


async def test_star_office_reads_every_account(gql: GraphQLClient, demo: None, session: Any) -> None:
    found = await ids(session)
    token = await gql.login("admin", DEMO_PASSWORD)
    for name in ("kiosk_luchang", "yintai_office", "editor"):
        assert (await node(gql, token, found[name]))["username"] == name
    assert (await node(gql, token, found["admin_grant"]))["scopePath"] == "*"


async def test_appeals_follow_their_request(gql: GraphQLClient, demo: None, session: Any) -> None:
    found = await ids(session)
    foi = await gql.login("foi_officer", DEMO_PASSWORD)
    assert (await node(gql, foi, found["appeal"]))["note"]
    # The foi officer reads its requests' appeals, not other accounts.
    assert await node(gql, foi, found["editor"]) is None
