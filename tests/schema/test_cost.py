"""The query cost limit (schema/cost.py): computed before execution, refused with QUERY_TOO_COSTLY."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
from graphql import OperationDefinitionNode, parse

from api.app import create_app
from api.settings import Settings
from schema import schema
from schema.cost import LIST_BOUNDS, operation_cost, undeclared_lists

from ..conftest import GraphQLClient
from ..live import live_server
from ..probe import assert_unblocked, bystander

GRAPHQL_RESPONSE = "application/graphql-response+json"


def nested_organizations(levels: int, aliases: int, first: int | None = None, prefix: str = "a") -> str:
    """The reported attack: organizations { unit { organizations { unit { ... } } } } under aliases."""
    inner = "id name"
    for _ in range(levels):
        inner = f"organizations {{ id name unit {{ id name {inner} }} }}"
    page = f"(first: {first})" if first is not None else ""
    body = " ".join(
        f"{prefix}{i}: organizations{page} {{ edges {{ node {{ unit {{ {inner} }} }} }} }}" for i in range(aliases)
    )
    return "{ " + body + " }"


def cost(query: str, variables: dict[str, Any] | None = None) -> int | None:
    return operation_cost(schema._schema, parse(query), None, variables)


def test_cost_counts_pages_and_declared_bounds() -> None:
    # 1 connection + 100 edges + 100 nodes + 100 publishers
    assert cost("{ documents(first: 100) { edges { node { title publisher { name } } } } }") == 301
    assert cost("{ documents { edges { node { title } } } }") == 1 + 20 + 20  # the default page
    assert cost("{ documents(first: 5000) { edges { node { title } } } }") == 1 + 100 + 100  # the page cap
    assert cost("query($n: Int) { documents(first: $n) { edges { node { id } } } }", {"n": 7}) == 15
    assert cost("query($n: Int = 3) { documents(first: $n) { edges { node { id } } } }") == 7
    assert cost("{ domains { code } }") == LIST_BOUNDS["Query.domains"]
    assert cost("{ __typename domains { code name } }") == 26  # scalars are free
    # a fragment counts where it is spread, once per occurrence of its parent
    assert cost("{ units(first: 10) { edges { node { ...U } } } } fragment U on Unit { organizations { id } }") == (
        1 + 10 + 10 + 10 * LIST_BOUNDS["Unit.organizations"]
    )


def test_every_plain_list_of_objects_has_a_bound() -> None:
    assert undeclared_lists(schema._schema) == []


def test_the_front_ends_operations_fit_the_limit_at_the_largest_page(repo_root: Path) -> None:
    limit = Settings().max_query_cost
    checked = 0
    for path in sorted((repo_root / "clients").rglob("*.graphql")):
        if path.name.startswith("schema"):
            continue
        document = parse(path.read_text(encoding="utf-8"))
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                name = definition.name.value if definition.name else None
                value = operation_cost(schema._schema, document, name, {"first": 100})
                assert value is not None and value <= limit, f"{path.name} {name}: {value} > {limit}"
                checked += 1
    assert checked > 20


async def test_the_nested_organizations_attack_is_refused_before_it_runs(
    gql: GraphQLClient, client: httpx.AsyncClient, statement_counter: Any
) -> None:
    # the reported attack: 476 bytes of organizations { unit { organizations { unit { organizations } } } }
    # under 4 aliases returned 10 MB in 21 s; this one is 579 bytes with its ids and names
    query = nested_organizations(levels=2, aliases=4)
    statement_counter.start()
    body = await gql(query)
    assert statement_counter.stop() == 0  # refused before any resolver ran
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert error["extensions"]["limit"] == 50_000
    orgs = LIST_BOUNDS["Unit.organizations"]
    assert error["extensions"]["cost"] == 4 * (1 + 20 + 20 + 20 + 2 * 20 * orgs + 2 * 20 * orgs * orgs)
    assert "查询过于复杂" in error["message"]
    response = await client.post("/graphql", json={"query": query}, headers={"accept": GRAPHQL_RESPONSE})
    assert response.status_code == 400  # a request error
    # one level less at the largest page is still too much; at a small page it runs
    assert (await gql(nested_organizations(levels=1, aliases=4, first=100)))["errors"][0]["extensions"]["code"] == (
        "QUERY_TOO_COSTLY"
    )
    ok = await gql.data(nested_organizations(levels=1, aliases=1, first=2))
    assert ok == {"a0": {"edges": []}}


async def test_depth_ten_with_fifteen_aliases_is_refused(gql: GraphQLClient) -> None:
    query = nested_organizations(levels=3, aliases=15, first=100)
    body = await gql(query)
    codes = [e["extensions"]["code"] for e in body["errors"]]
    assert codes == ["QUERY_TOO_COSTLY"], body["errors"][:2]  # depth 10 and 15 aliases pass those limits


async def test_the_limit_is_a_setting(migrated: Settings, tmp_path: Path) -> None:
    small = Settings(database_url=migrated.database_url, var_dir=tmp_path, max_query_cost=40)
    app = create_app(small)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            query = "query($n: Int) { documents(first: $n) { edges { node { id } } } }"
            ok = (await http.post("/graphql", json={"query": query, "variables": {"n": 19}})).json()
            assert "errors" not in ok, ok
            refused = (await http.post("/graphql", json={"query": query, "variables": {"n": 20}})).json()
            assert refused["errors"][0]["extensions"] == {"code": "QUERY_TOO_COSTLY", "cost": 41, "limit": 40}
    finally:
        await app.state.engine.dispose()


async def test_attack_on_a_live_server_is_refused_quickly_while_others_are_served(
    demo: None, migrated: Settings, tmp_path: Path
) -> None:
    with live_server(migrated, tmp_path) as server, httpx.Client(base_url=server.base_url, timeout=30) as http:
        for _ in range(3):  # the bystander's own first requests (a database connection) are not the attack
            http.post("/graphql", json={"query": "{ __typename }"})
        with bystander(server.base_url) as probe:
            slowest = 0.0
            for i in range(20):
                # a new document each time (new alias names), as an attacker would send: no cache helps
                for query in (
                    nested_organizations(levels=2, aliases=4, prefix=f"x{i}_"),
                    nested_organizations(levels=3, aliases=15, first=100, prefix=f"y{i}_"),
                ):
                    started = time.perf_counter()
                    response = http.post("/graphql", json={"query": query})
                    slowest = max(slowest, time.perf_counter() - started)
                    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
                    assert len(response.content) < 1000
        http.post("/graphql", json={"query": "{ __typename }"}, headers={"X-Request-Id": "the-last-one"})
        assert slowest < 0.5, f"a refusal took {slowest * 1000:.0f} ms"
        assert_unblocked(probe)
        log = server.log_with('"request_id": "the-last-one"')
        assert "the-last-one" in log and "Traceback" not in log
