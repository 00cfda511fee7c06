"""The compiled answers of trusted documents (schema/compiled.py): the same bytes as the executor's,
for every field a plan covers, for the public, staff and a kiosk; the executor for the rest."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.demo.data import DEMO_PASSWORD
from api.settings import Settings
from schema import schema as built
from schema.compiled import TABLES, CompiledDocuments
from schema.trusted import CLIENTS, TrustedDocuments, build_manifest, document_id, render_manifest

from ..conftest import GraphQLClient

PUBLIC = (CLIENTS / "web" / "PublicDocuments.graphql").read_text(encoding="utf-8")
LATEST = (CLIENTS / "web" / "LatestDocuments.graphql").read_text(encoding="utf-8")
OFFICE = (CLIENTS / "web" / "OfficeDocuments.graphql").read_text(encoding="utf-8")

# Every field of the plans' tables, with aliases and __typename, as one trusted document of the test.
EVERYTHING = """query Everything($n: Int!, $a: String) {
  __typename
  list: documents(first: $n, after: $a) {
    __typename totalCount totalCountExact
    pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      __typename cursor
      node {
        __typename id indexNo kind status version isPolicy publishedAt firstPublishedAt retractedAt
        retractReason interpretationDue title heading: title
        publisher { __typename id name shortName kind creditCode indexScheme version demo }
        current {
          __typename number status title summary body bodyFormat issuingName docNumber writtenOn topic genre
          keywords attribute attributeReason validity channels createdAt publishedAt
          domain { __typename id code name position }
          attachments { __typename filename contentType size sha256 url }
        }
        attachments { filename url }
      }
    }
  }
}
"""
EVERYTHING_ROOT = EVERYTHING.replace("  __typename\n  list:", "  list:")  # a plan has one root field
KIOSK_SEARCH = (CLIENTS / "kiosk" / "Search.graphql").read_text(encoding="utf-8")
LOCAL_ITEMS = (CLIENTS / "kiosk" / "LocalItems.graphql").read_text(encoding="utf-8")
# Every field of a micro-power entry, the union's own __typename, and fragments in both orders.
EVERYTHING_LOCAL = """query EverythingLocal($u: String!, $n: Int, $a: String) {
  here: localItems(unitCode: $u, first: $n, after: $a) {
    totalCount totalCountExact pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      cursor
      node {
        ... on VillagePowerItem {
          __typename id category name basis steps responsible disclosed timing channel local applicable
          notApplicableReason adoptedAt version
        }
        __typename
        ... on Document { id kind status title current { summary } attachments { filename url } }
      }
    }
  }
}
"""
# Every field of a search hit, and the document's fields as a search shows them.
EVERYTHING_SEARCH = """query EverythingSearch($q: String!, $u: String, $n: Int, $a: String) {
  found: search(query: $q, unitCode: $u, first: $n, after: $a) {
    __typename totalCount totalCountExact
    pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      __typename cursor
      node {
        __typename snippet rank score: rank
        document {
          __typename id indexNo kind status title publishedAt publisher { name shortName }
          current { title summary bodyFormat domain { name } attachments { filename size url } }
          attachments { filename }
        }
      }
    }
  }
}
"""

# Not covered: a filter, a fragment, a directive, a field outside the tables.
NOT_COVERED = [
    "query F { documents(first: 5, filter: { kind: NOTICE }) { edges { node { title } } } }",
    "query F { documents(first: 5) { edges { node { ...T } } } } fragment T on Document { title }",
    "query F($s: Boolean!) { documents(first: 5) { edges { node { title @include(if: $s) } } } }",
    "query F { documents(first: 5) { edges { node { title interpretationOverdue } } } }",
    "query F { documents(first: 5) { edges { node { catalogItem { name } } } } }",
]


def test_field_tables_name_fields_of_the_schema() -> None:
    types = built._schema.type_map
    for type_name, table in TABLES.items():
        fields = types[type_name].fields  # type: ignore[attr-defined]
        assert set(table) <= set(fields), (type_name, set(table) - set(fields))


def test_the_front_ends_lists_have_plans_and_others_do_not() -> None:
    trusted = TrustedDocuments(build_manifest())
    compiled = CompiledDocuments(built._schema, trusted, 50_000)
    assert compiled.get(document_id(PUBLIC), "PublicDocuments") is not None
    assert compiled.get(document_id(LATEST), None) is not None
    assert compiled.get(document_id(KIOSK_SEARCH), "KioskSearch") is not None
    assert compiled.get(document_id(LOCAL_ITEMS), "LocalItems") is not None
    assert compiled.get(document_id(OFFICE), "OfficeDocuments") is not None
    assert len(compiled) == 5
    extra = TrustedDocuments({document_id(t): t for t in [EVERYTHING, EVERYTHING_ROOT, *NOT_COVERED]})
    plans = CompiledDocuments(built._schema, extra, 50_000)
    assert plans.get(document_id(EVERYTHING_ROOT), "Everything") is not None
    assert len(plans) == 1  # two roots, a filter, a fragment, a directive, other fields: the executor's
    assert len(CompiledDocuments(built._schema, trusted, 50_000, enabled=False)) == 0


@pytest.fixture
def manifest(migrated: Settings, tmp_path: Path) -> Settings:
    """The front ends' manifest and the test's documents, as the apps' trusted documents."""
    extra = [EVERYTHING_ROOT, EVERYTHING_SEARCH, EVERYTHING_LOCAL, *NOT_COVERED]
    texts = {**build_manifest(), **{document_id(t): t for t in extra}}
    path = tmp_path / "trusted-documents.json"
    path.write_text(render_manifest(texts), encoding="utf-8")
    return replace(migrated, trusted_documents=path)


async def _client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(settings)
    await application.state.gongkai.authorizer.ensure_loaded()
    transport = httpx.ASGITransport(app=application, client=("203.0.113.9", 4711))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        c.app = application  # type: ignore[attr-defined]
        yield c
    await application.state.engine.dispose()


@pytest.fixture
async def compiled(manifest: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for c in _client(replace(manifest, response_cache_entries=0)):
        yield c


@pytest.fixture
async def executor(manifest: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for c in _client(replace(manifest, response_cache_entries=0, compiled_documents=False)):
        yield c


def _statements(client: httpx.AsyncClient) -> list[str]:
    from sqlalchemy import event

    seen: list[str] = []
    engine = client.app.state.engine.sync_engine  # type: ignore[attr-defined]
    event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


async def both(
    compiled: httpx.AsyncClient, executor: httpx.AsyncClient, body: dict[str, Any], token: str | None = None
) -> httpx.Response:
    """POST ``body`` to both apps: the same status, bytes, type and caching headers."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    ours = await compiled.post("/graphql", json=body, headers=headers)
    theirs = await executor.post("/graphql", json=body, headers=headers)
    assert ours.status_code == theirs.status_code, (ours.text, theirs.text)
    assert ours.content == theirs.content, (ours.text[:2000], theirs.text[:2000])
    for name in ("content-type", "cache-control", "etag", "vary"):
        assert ours.headers.get(name) == theirs.headers.get(name), name
    return ours


async def login(client: httpx.AsyncClient, username: str) -> str:
    token = await GraphQLClient(client).login(username, DEMO_PASSWORD)
    assert token
    return str(token)


@pytest.fixture
async def callers(demo: None, executor: httpx.AsyncClient) -> tuple[str, str]:
    """The district office's token and a kiosk's of the village 513425102001."""
    office = await login(executor, "huili_office")
    made = await GraphQLClient(executor).data(
        'mutation { createKiosk(unitCode: "513425102001", name: "铜矿村便民服务点终端") { token } }', token=office
    )
    return office, str(made["createKiosk"]["token"])


async def test_compiled_answers_are_the_executors_bytes(
    demo: None, compiled: httpx.AsyncClient, executor: httpx.AsyncClient, callers: tuple[str, str]
) -> None:
    office, kiosk = callers
    ours, theirs = _statements(compiled), _statements(executor)
    for who in (None, office, kiosk):
        after: str | None = None
        pages = 0
        while True:  # every document the caller sees, 3 at a time, through every field
            body = {"documentId": document_id(EVERYTHING_ROOT), "variables": {"n": 3, "a": after}}
            data = (await both(compiled, executor, body, who)).json()["data"]["list"]
            pages += 1
            if not data["pageInfo"]["hasNextPage"] or pages > 40:
                break
            after = data["pageInfo"]["endCursor"]
        assert pages > 3, pages  # the demo has more than 9 public documents
        for variables in ({}, {"first": 3}, {"first": 100}, {"first": 0}, {"first": 3, "after": after}):
            await both(compiled, executor, {"query": PUBLIC, "variables": variables}, who)
            await both(compiled, executor, {"documentId": document_id(LATEST), "variables": variables}, who)
            await both(compiled, executor, {"documentId": document_id(OFFICE), "variables": variables}, who)
    titles = [e["node"]["title"] for e in data["edges"]]
    assert titles and all(titles)
    # the plans answered (the executor reads publishers, versions and domains in statements of their own)
    assert 0 < len(ours) < len(theirs) * 0.75, (len(ours), len(theirs))
    assert not [s for s in ours if s.lstrip().startswith("SELECT organizations")]


async def test_compiled_searches_are_the_executors_bytes(
    demo: None, compiled: httpx.AsyncClient, executor: httpx.AsyncClient, callers: tuple[str, str]
) -> None:
    office, kiosk = callers
    ours, theirs = _statements(compiled), _statements(executor)
    ranks: set[float] = set()
    for who in (None, office, kiosk):
        for q in ("公开", "低保", "数据", "通知 公告", "会理县"):
            after: str | None = None
            for _ in range(20):  # every hit, 2 at a time, through every field
                body = {"documentId": document_id(EVERYTHING_SEARCH), "variables": {"q": q, "n": 2, "a": after}}
                data = (await both(compiled, executor, body, who)).json()["data"]["found"]
                ranks |= {e["node"]["rank"] for e in data["edges"]}
                if not data["pageInfo"]["hasNextPage"]:
                    break
                after = data["pageInfo"]["endCursor"]
            for variables in ({"query": q}, {"query": q, "first": 50}, {"query": q, "unitCode": "513425102001"}):
                await both(compiled, executor, {"documentId": document_id(KIOSK_SEARCH), "variables": variables}, who)
    assert ranks == {0.0, 1.0}  # both tiers were shown
    # the executor's answers: no word, a unit that is not one, a cursor of another list, a missing query
    for variables in (
        {"query": "，。"},
        {"query": "公开", "unitCode": "12"},
        {"query": "公开", "after": "b2Zmc2V0OjQ="},
        {},
    ):
        answer = await both(compiled, executor, {"documentId": document_id(KIOSK_SEARCH), "variables": variables})
        assert variables.get("query") == "，。" or "errors" in answer.json(), variables
    # the plans answered: the hits' rows with their publishers joined, no statement of their own
    assert 0 < len(ours) < len(theirs), (len(ours), len(theirs))
    assert not [s for s in ours if s.lstrip().startswith("SELECT organizations")]


async def test_compiled_local_items_are_the_executors_bytes(
    demo: None, compiled: httpx.AsyncClient, executor: httpx.AsyncClient, callers: tuple[str, str]
) -> None:
    office, kiosk = callers
    ours, theirs = _statements(compiled), _statements(executor)
    kinds: set[str] = set()
    for who in (None, office, kiosk):
        for unit in ("513425102001", "513425102000", "513425000000"):  # a village, its town, the county
            after: str | None = None
            for _ in range(40):  # every item, 3 at a time, through every field
                body = {"documentId": document_id(EVERYTHING_LOCAL), "variables": {"u": unit, "n": 3, "a": after}}
                answer = (await both(compiled, executor, body, who)).json()
                if who == kiosk and unit != "513425102001":  # a kiosk sees its own place only
                    assert answer["data"] is None and answer["errors"], answer
                    break
                data = answer["data"]["here"]
                kinds |= {e["node"]["__typename"] for e in data["edges"]}
                if not data["pageInfo"]["hasNextPage"]:
                    break
                after = data["pageInfo"]["endCursor"]
            for variables in ({"unitCode": unit}, {"unitCode": unit, "first": 100}, {"unitCode": unit, "first": 0}):
                await both(compiled, executor, {"documentId": document_id(LOCAL_ITEMS), "variables": variables}, who)
    assert kinds == {"Document", "VillagePowerItem"}
    # the plans answered: entries read with their templates joined, publishers with the documents
    joined = "LEFT OUTER JOIN power_items"
    assert any(joined in s for s in ours) and not any(joined in s for s in theirs)
    assert not [s for s in ours if s.lstrip().startswith("SELECT organizations")]
    # the executor's: a filter, an unknown unit, a unit a kiosk may not see, no unit
    cases = [
        ({"unitCode": "513425102001", "filter": {"includePowerList": False}}, None),
        ({"unitCode": "513425999999"}, None),
        ({"unitCode": "513425101000"}, kiosk),
        ({}, None),
    ]
    for variables, who in cases:
        await both(compiled, executor, {"documentId": document_id(LOCAL_ITEMS), "variables": variables}, who)


@pytest.mark.parametrize(
    "variables",
    [
        {"first": "3"},  # not an Int: coercion
        {"first": 1000},  # over the page cap
        {"first": -1},
        {"after": "bm90IGEgY3Vyc29y"},  # garbage cursor
        {"after": "x" * 600},  # too long
        {"first": 2, "filter": {"kind": "NOTICE"}},  # a filter: the executor
        {"first": 2.0},
        {"first": True},
    ],
)
async def test_what_a_plan_does_not_cover_is_the_executors_answer(
    demo: None, compiled: httpx.AsyncClient, executor: httpx.AsyncClient, variables: dict[str, Any]
) -> None:
    await both(compiled, executor, {"documentId": document_id(PUBLIC), "variables": variables})


async def test_documents_not_covered_and_missing_variables(
    demo: None, compiled: httpx.AsyncClient, executor: httpx.AsyncClient
) -> None:
    for text in NOT_COVERED:
        await both(compiled, executor, {"query": text, "variables": {"s": True}})
    missing = await both(compiled, executor, {"documentId": document_id(EVERYTHING_ROOT), "variables": {}})
    assert missing.status_code == 200 and "errors" in missing.json()
    wrong_name = await both(compiled, executor, {"documentId": document_id(PUBLIC), "operationName": "Nope"})
    assert "errors" in wrong_name.json()


async def test_a_compiled_page_is_two_statements_whatever_its_size(demo: None, compiled: httpx.AsyncClient) -> None:
    seen = _statements(compiled)

    async def selects(document: str, root: str, **variables: Any) -> int:
        """The SELECTs of one answer of a trusted document (which must hold items)."""
        seen.clear()
        body = {"documentId": document_id(document), "variables": variables}
        response = await compiled.post("/graphql", json=body)
        assert response.status_code == 200 and response.json()["data"][root]["edges"], response.text
        return len([s for s in seen if s.lstrip().upper().startswith("SELECT")])

    sizes = (10, 50, 100)
    # the page with its versions, publishers and domains joined; the attachments
    assert [await selects(LATEST, "documents", first=n) for n in sizes] == [2, 2, 2], seen
    assert await selects(PUBLIC, "documents", first=50) == 3  # and the bounded count
    # the synonyms, a page of each tier, the hits' rows with their publishers joined, the bounded count
    assert [await selects(KIOSK_SEARCH, "search", query="公开", first=n) for n in sizes] == [5, 5, 5], seen
    # the unit; the documents' rows with their publishers and domains, and the micro-power list's
    # entries with their templates, each in its order; the attachments; the two parts' counts in
    # one statement
    local = [await selects(LOCAL_ITEMS, "localItems", unitCode="513425102001", first=n) for n in sizes]
    assert local == [5, 5, 5], seen
