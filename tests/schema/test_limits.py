"""Query limits: depth, aliases, tokens; production hides introspection and GraphiQL."""

from __future__ import annotations

from typing import Any

import httpx

from api.app import create_app
from api.settings import Settings

from ..conftest import GraphQLClient


def nested(depth: int) -> str:
    # unit { parent { parent { ... } } }: each parent adds one level.
    inner = "code"
    for _ in range(depth - 1):
        inner = f"parent {{ {inner} }}"
    return f'{{ unit(code: "513425000000") {{ {inner} }} }}'


async def test_depth_over_ten_is_refused(gql: GraphQLClient) -> None:
    ok = await gql(nested(10))
    assert "errors" not in ok, ok
    body = await gql(nested(11))
    assert body["errors"] and "exceeds maximum operation depth" in body["errors"][0]["message"]
    assert body.get("data") is None


async def test_too_many_aliases_are_refused(gql: GraphQLClient) -> None:
    query = "{ " + " ".join(f"a{i}: domains {{ code }}" for i in range(16)) + " }"
    body = await gql(query)
    assert body["errors"] and "aliases" in body["errors"][0]["message"].lower()
    assert "errors" not in await gql("{ " + " ".join(f"a{i}: domains {{ code }}" for i in range(15)) + " }")


async def test_too_many_tokens_are_refused(gql: GraphQLClient) -> None:
    query = "{ domains { " + " ".join(["code"] * 2100) + " } }"
    body = await gql(query)
    assert body["errors"] and "token" in body["errors"][0]["message"].lower()


async def test_production_hides_introspection_and_graphiql(migrated: Settings) -> None:
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
            body = (await client.post("/graphql", json={"query": "{ __schema { types { name } } }"})).json()
            assert body["errors"] and "introspection" in body["errors"][0]["message"].lower()
            page = await client.get("/graphql", headers={"accept": "text/html"})
            assert page.status_code == 404
            ok = (await client.post("/graphql", json={"query": "{ domains { code } }"})).json()
            assert len(ok["data"]["domains"]) == 26
    finally:
        await app.state.engine.dispose()


async def test_development_serves_graphiql(client: Any) -> None:
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
