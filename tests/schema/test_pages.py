"""Paging a list (api/services/pages.py, schema/relay.py): keyset cursors, the count on demand,
statements independent of the page size, and plans that read the list's index."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from sqlalchemy import event, text

from api.auth.actor import SystemActor
from api.models import BodyFormat, Decision, DisclosureAttribute, DocumentKind
from api.services import documents
from schema.trusted import CLIENTS, document_id

from ..conftest import GraphQLClient
from ..documents_fixtures import PDF, Desk, make_desk

PAGE = """query($n: Int!, $a: String) { documents(first: $n, after: $a) {
  pageInfo { hasNextPage hasPreviousPage endCursor }
  edges { cursor node { indexNo title kind status publishedAt publisher { name }
    current { domain { name } } attachments { filename size url } } } } }"""
LATEST = (CLIENTS / "web" / "LatestDocuments.graphql").read_text(encoding="utf-8")
COUNTED = """query($n: Int!) { documents(first: $n) { totalCount totalCountExact edges { node { indexNo } } } }"""


async def publish_many(session: Any, system: Any, app: Any, desk: Desk, n: int, start: int = 0) -> None:
    """``n`` published documents of the desk's organization, every third with an attachment."""
    storage, settings = app.state.gongkai.storage, app.state.gongkai.settings
    reviewer = SystemActor(authorizer=system.authorizer)
    for i in range(start, start + n):
        files = [documents.Upload(f"附件{i}.pdf", io.BytesIO(PDF + str(i).encode()))] if i % 3 == 0 else []
        doc = await documents.create_document(
            session, system, storage, publisher_id=desk.org_pk, kind=DocumentKind.GOVERNMENT_INFO,
            fields_=documents.DocumentFields(
                title=f"公开文件{i}", body=f"第{i}号文件正文。", attribute=DisclosureAttribute.PROACTIVE,
                domain_code="SOCIAL_ASSISTANCE", body_format=BodyFormat.TEXT,
            ),
            files=files, tmp_dir=settings.files_dir / "tmp", max_bytes=1 << 20,
        )  # fmt: skip
        doc = await documents.submit_document(session, system, document_id=doc.id, version=doc.version)
        for _ in range(3):
            doc = await documents.review_document(
                session, reviewer, document_id=doc.id, version=doc.version,
                decision=Decision.APPROVE, confidentiality_checked=True,
            )  # fmt: skip


async def titles(gql: GraphQLClient, n: int, after: str | None = None, token: str | None = None) -> dict[str, Any]:
    return (await gql.data(PAGE, {"n": n, "a": after}, token))["documents"]


async def test_statements_do_not_depend_on_the_page_size(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any, app: Any, statement_counter: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    await publish_many(session, system, app, desk, 101)
    used: dict[int, int] = {}
    for n in (10, 50, 100):
        statement_counter.start()
        page = await titles(gql, n)
        used[n] = statement_counter.stop()
        assert len(page["edges"]) == n and page["pageInfo"]["hasNextPage"] is True
        assert all(e["node"]["publisher"]["name"] == "县民政局" for e in page["edges"])
        assert sum(1 for e in page["edges"] if e["node"]["attachments"]) in (n // 3, n // 3 + 1)
    assert used[10] == used[50] == used[100], statement_counter.statements
    # the page with its current versions, the publishers, attachments, domains (and no count:
    # totalCount is not asked for)
    assert used[100] == 4, statement_counter.statements
    staff = await titles(gql, 100, token=desk.editor)
    assert len(staff["edges"]) == 100


async def test_the_count_runs_only_when_asked_for(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any, app: Any, statement_counter: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    await publish_many(session, system, app, desk, 3)
    statement_counter.start()
    await titles(gql, 2)
    uncounted = statement_counter.stop()
    assert not any("count(" in s.lower() for s in statement_counter.statements), statement_counter.statements
    statement_counter.start()
    counted = (await gql.data(COUNTED, {"n": 2}))["documents"]
    used = statement_counter.stop()
    assert used == 2, statement_counter.statements  # the page and the count (only indexNo is shown)
    assert any("count(" in s.lower() for s in statement_counter.statements)
    assert counted["totalCount"] == 3 and counted["totalCountExact"] is True and len(counted["edges"]) == 2
    assert uncounted == 4


async def test_a_keyset_page_stays_right_while_documents_are_published(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any, app: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    await publish_many(session, system, app, desk, 12)
    first = await titles(gql, 5)
    assert [e["node"]["title"] for e in first["edges"]] == [f"公开文件{i}" for i in range(11, 6, -1)]
    assert first["pageInfo"]["hasPreviousPage"] is False
    # Published between the two requests: newer than everything, so before the first page.
    await publish_many(session, system, app, desk, 4, start=100)
    second = await titles(gql, 5, first["pageInfo"]["endCursor"])
    assert [e["node"]["title"] for e in second["edges"]] == [f"公开文件{i}" for i in range(6, 1, -1)]
    assert second["pageInfo"]["hasPreviousPage"] is True
    third = await titles(gql, 5, second["pageInfo"]["endCursor"])
    assert [e["node"]["title"] for e in third["edges"]] == ["公开文件1", "公开文件0"]
    assert third["pageInfo"]["hasNextPage"] is False
    # An edge's cursor continues after that edge, and the new ones are on a fresh first page.
    from_edge = await titles(gql, 2, first["edges"][1]["cursor"])
    assert [e["node"]["title"] for e in from_edge["edges"]] == ["公开文件9", "公开文件8"]
    fresh = await titles(gql, 4)
    assert [e["node"]["title"] for e in fresh["edges"]] == [f"公开文件{i}" for i in range(103, 99, -1)]


@pytest.mark.parametrize("cursor", ["b2Zmc2V0OjQ=", "not a cursor", "a2V5czpbImxvY2FsX2l0ZW1zIixbXV0="])
async def test_a_foreign_or_broken_cursor_is_a_clear_error(gql: GraphQLClient, cursor: str) -> None:
    # an offset cursor (of a list paged by offset), garbage, another list's keyset cursor
    answer = await gql(PAGE, {"n": 5, "a": cursor})
    error = answer["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after", "reason": "INVALID_CURSOR"}
    assert "分页游标无效" in error["message"]


async def test_the_review_queue_pages_oldest_first_by_keyset(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any, app: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    storage, settings = app.state.gongkai.storage, app.state.gongkai.settings
    for i in range(5):
        doc = await documents.create_document(
            session, system, storage, publisher_id=desk.org_pk, kind=DocumentKind.NOTICE,
            fields_=documents.DocumentFields(title=f"待审{i}", body="正文", attribute=DisclosureAttribute.PROACTIVE,
                                             body_format=BodyFormat.TEXT),
            files=[], tmp_dir=settings.files_dir / "tmp", max_bytes=1 << 20,
        )  # fmt: skip
        await documents.submit_document(session, system, document_id=doc.id, version=doc.version)
    query = """query($a: String) { reviewQueue(first: 3, after: $a) {
      pageInfo { hasNextPage endCursor } edges { node { title } } } }"""
    one = (await gql.data(query, {"a": None}, desk.editor))["reviewQueue"]  # 初审 is the editor's step
    two = (await gql.data(query, {"a": one["pageInfo"]["endCursor"]}, desk.editor))["reviewQueue"]
    assert [e["node"]["title"] for e in one["edges"] + two["edges"]] == [f"待审{i}" for i in range(5)]
    assert one["pageInfo"]["hasNextPage"] is True and two["pageInfo"]["hasNextPage"] is False


# --- the plans (PostgreSQL): the list order is read from an index, never sorted whole ---


def _plan_nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    nodes = [plan]
    for child in plan.get("Plans", []):
        nodes += _plan_nodes(child)
    return nodes


async def test_the_main_lists_read_their_index_in_order(
    gql: GraphQLClient, make_user: Any, session: Any, system: Any, app: Any, migrated: Any
) -> None:
    if not migrated.database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL plans: .ci/run runs the suite against it as well")
    desk = await make_desk(session, system, make_user)
    await publish_many(session, system, app, desk, 8)
    first = await titles(gql, 3)
    recorded: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        recorded.append((statement, parameters))

    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        await titles(gql, 3)  # page 1, public
        await titles(gql, 3, first["pageInfo"]["endCursor"])  # a deep page, public
        await titles(gql, 3, token=desk.editor)  # page 1, staff
        latest = {"documentId": document_id(LATEST), "variables": {"first": 3}}
        compiled = await gql.http.post("/graphql", json=latest)  # the compiled plan's joined page
        assert compiled.json()["data"]["documents"]["edges"], compiled.text
    finally:
        event.remove(engine, "before_cursor_execute", record)
    pages = [(s, p) for s, p in recorded if "ORDER BY documents.published_at DESC NULLS LAST" in s]
    assert len(pages) == 4, [s for s, _ in recorded]
    # Either order index serves a public list (which one depends on the table's statistics); a
    # staff list, whose filter does not imply the partial index's predicate, the full one.
    public = {"ix_documents_public_order", "ix_documents_order"}
    expected = [public, public, {"ix_documents_order"}, public]
    async with app.state.engine.connect() as conn:
        # With few rows (and whatever statistics the earlier tests left) a scan and a sort are
        # cheapest; with them priced out the planner sorts only if no index gives the list's
        # order, and that is what this test refuses.
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            await conn.execute(text(f"SET {setting} = off"))
        for (statement, parameters), indexes in zip(pages, expected, strict=True):
            explained = await conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters)
            plan = json.loads(explained.scalar_one()) if isinstance(explained, str) else explained.scalar_one()
            nodes = _plan_nodes(plan[0]["Plan"])
            kinds = [n["Node Type"] for n in nodes]
            assert "Sort" not in kinds and "Incremental Sort" not in kinds, (statement, kinds)
            assert any(n.get("Index Name") in indexes for n in nodes), (indexes, [n.get("Index Name") for n in nodes])
        await conn.rollback()
