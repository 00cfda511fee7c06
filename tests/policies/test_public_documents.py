"""The public (anonymous, a kiosk, staff outside the document's scope) never sees a published
document's revision: its status stays PUBLISHED, its version the published one (issue 10)."""

from __future__ import annotations

from typing import Any

from ..conftest import GraphQLClient
from ..documents_fixtures import make_desk, publish

EDIT = """mutation($id: ID!, $v: Int!) { updateDocument(id: $id, version: $v, input: {title: "修订稿"}) {
  document { id status } errors { code } } }"""
NODE = """query($id: ID!) { node(id: $id) { ... on Document { status title current { status title } } } }"""
LIST = """query($s: DocumentStatus) { documents(filter: {status: $s}) { totalCount edges { node { status } } } }"""


async def test_a_published_document_under_revision_shows_published_to_the_public(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    doc = await publish(gql, desk, title="原标题")
    edited = (await gql.data(EDIT, {"id": doc["id"], "v": doc["version"]}, desk.editor))["updateDocument"]
    assert edited["errors"] == [] and edited["document"]["status"] == "DRAFT"
    outsider = (await make_desk(session, system, make_user, name="县财政局", seed=2)).editor  # another department

    published = {"status": "PUBLISHED", "title": "原标题", "current": {"status": "PUBLISHED", "title": "原标题"}}
    for token in (None, outsider):
        assert (await gql.data(NODE, {"id": doc["id"]}, token))["node"] == published
        assert (await gql.data(LIST, {"s": "DRAFT"}, token))["documents"]["totalCount"] == 0
        listed = (await gql.data(LIST, {"s": "PUBLISHED"}, token))["documents"]
        assert listed["totalCount"] == 1 and listed["edges"][0]["node"]["status"] == "PUBLISHED"
        assert (await gql.data(LIST, {"s": None}, token))["documents"]["edges"][0]["node"]["status"] == "PUBLISHED"

    # Its own staff see the revision's step.
    assert (await gql.data(NODE, {"id": doc["id"]}, desk.editor))["node"]["status"] == "DRAFT"
    assert (await gql.data(LIST, {"s": "DRAFT"}, desk.editor))["documents"]["totalCount"] == 1
    assert (await gql.data(LIST, {"s": "PUBLISHED"}, desk.editor))["documents"]["totalCount"] == 0


REVISION = """query($id: ID!) { node(id: $id) { ... on Document {
  workingVersion { title } versions { title } events { stage } } } }"""


async def test_the_revision_and_the_history_are_read_for_staff_only(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    """The service's by-id reads apply the rule in SQL: the type no longer checks it itself."""
    desk = await make_desk(session, system, make_user)
    doc = await publish(gql, desk, title="原标题")
    await gql.data(EDIT, {"id": doc["id"], "v": doc["version"]}, desk.editor)
    outsider = (await make_desk(session, system, make_user, name="县财政局", seed=2)).editor

    for token in (None, outsider):
        seen = (await gql.data(REVISION, {"id": doc["id"]}, token))["node"]
        assert seen == {"workingVersion": None, "versions": [{"title": "原标题"}], "events": []}
    staff = (await gql.data(REVISION, {"id": doc["id"]}, desk.editor))["node"]
    assert staff["workingVersion"] == {"title": "修订稿"}
    assert [v["title"] for v in staff["versions"]] == ["原标题", "修订稿"] and staff["events"]
