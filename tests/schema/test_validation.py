"""Validation (schema/validation.py): the limit rules built once so the cache hits; no suggestions in production."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.settings import Settings
from schema.validation import cache_info

from ..conftest import GraphQLClient


@pytest.fixture
async def production(migrated: Settings) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        env="production",
        database_url=migrated.database_url,
        secret_key="x" * 40,
        var_dir=migrated.var_dir,
        anonymous_trusted_only=False,  # what production answers a free query (staff may send them)
    )
    app = create_app(settings)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            yield client
    finally:
        await app.state.engine.dispose()


async def test_a_document_seen_before_is_validated_from_the_cache(gql: GraphQLClient) -> None:
    query = "query CacheProbe { domains { code name } }"
    await gql.data(query)
    before = cache_info()
    for _ in range(3):
        await gql.data(query)
    after = cache_info()
    assert after[0] - before[0] == 3  # hits
    assert after[1] == before[1]  # misses


async def test_limits_still_hold_through_the_cache(gql: GraphQLClient) -> None:
    query = "{ " + " ".join(f"a{i}: domains {{ code }}" for i in range(16)) + " }"
    for _ in range(2):
        body = await gql(query)
        assert body["errors"][0]["extensions"]["code"] == "TOO_MANY_ALIASES"


MISSPELT = "{ documentz { totalCount } }"
ENUM_VARIABLE = "query($k: DocumentKind!) { documents(filter: { kind: $k }) { totalCount } }"


async def test_development_suggests_names(gql: GraphQLClient) -> None:
    body = await gql(MISSPELT)
    assert "Did you mean" in body["errors"][0]["message"]


async def test_production_suggests_no_names(production: httpx.AsyncClient) -> None:
    body = (await production.post("/graphql", json={"query": MISSPELT})).json()
    [error] = body["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "documentz" in error["message"] and "Did you mean" not in error["message"]
    assert "documents" not in error["message"]
    literal = (
        await production.post("/graphql", json={"query": "{ documents(filter: { kind: NOTIC }) { totalCount } }"})
    ).json()
    assert "Did you mean" not in literal["errors"][0]["message"]
    variable: dict[str, Any] = (
        await production.post("/graphql", json={"query": ENUM_VARIABLE, "variables": {"k": "NOTIC"}})
    ).json()
    assert variable["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "Did you mean" not in variable["errors"][0]["message"]
    filter_query = "query($f: DocumentFilterInput) { documents(filter: $f) { totalCount } }"
    unknown_field = (
        await production.post("/graphql", json={"query": filter_query, "variables": {"f": {"kinx": "NOTICE"}}})
    ).json()
    assert unknown_field["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "Did you mean" not in unknown_field["errors"][0]["message"]


async def test_refused_documents_are_not_kept(gql: GraphQLClient) -> None:
    """An attacker's new documents, refused, never fill the caches (each cached node costs every full GC)."""
    from schema.validation import DOCUMENTS, VALIDATIONS

    from .test_cost import nested_organizations

    kept = (len(DOCUMENTS.values), len(VALIDATIONS.values))
    for i in range(5):
        assert (await gql(nested_organizations(levels=2, aliases=4, prefix=f"r{i}_")))["errors"]
        assert (await gql(f"{{ nothing{i} }}"))["errors"]
    assert (len(DOCUMENTS.values), len(VALIDATIONS.values)) == kept
    await gql.data("query KeptProbe { domains { code } }")
    assert len(DOCUMENTS.values) == kept[0] + 1 or kept[0] == DOCUMENTS.size


def test_the_caches_hold_a_bounded_amount_of_query_text() -> None:
    from schema.validation import Recent

    recent: Recent[str] = Recent(size=10, budget=100)
    for i in range(8):
        recent.put((i,), f"doc{i}", weight=30)
    assert [k[0] for k in recent.values] == [5, 6, 7] and recent.weight == 90
    recent.put(("huge",), "too big", weight=101)
    assert recent.get(("huge",)) is None and recent.get((7,)) == "doc7"
