"""``node(id)``: every ``Node`` type reads through its ``read`` (its area's loader and read rule), and a
schema with a ``Node`` type that has none does not build."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
import strawberry
from sqlalchemy import func, select
from strawberry import relay

import schema as schema_module
from api.demo.data import DEMO_PASSWORD
from api.models import (
    AdminUnit,
    Appeal,
    CasbinRule,
    CatalogItem,
    Commitment,
    Document,
    Domain,
    DomainAssignment,
    InfoRequest,
    Organization,
    PowerItem,
    User,
    VillagePowerItem,
)
from api.settings import Settings
from schema import build_schema, schema
from schema.relay import Node, check_node_reads

from ..conftest import GraphQLClient
from ..documents_fixtures import gid

# --- the build check, on tiny schemas ---


@strawberry.type
class Plain(relay.Node):
    """Strawberry's own Node: its resolve_nodes reads nothing through a rule."""

    pk: relay.NodeID[int]


@strawberry.type
class NoRead(Node):
    pk: relay.NodeID[int]


@strawberry.type
class Bypass(Node):
    pk: relay.NodeID[int]

    @classmethod
    async def read(cls, info: strawberry.Info, ids: Sequence[int]) -> list[Any]:
        return [cls(pk=i) for i in ids]

    @classmethod
    async def resolve_nodes(cls, *, info: strawberry.Info, node_ids: Any, required: bool = False) -> list[Any]:
        return [cls(pk=int(i)) for i in node_ids]


@strawberry.type
class WithRead(Node):
    pk: relay.NodeID[int]

    @classmethod
    async def read(cls, info: strawberry.Info, ids: Sequence[int]) -> list[Any]:
        return [cls(pk=i) if i == 1 else None for i in ids]


async def resolve_node(info: strawberry.Info, id: strawberry.ID) -> relay.Node | None:
    return await relay.GlobalID.from_id(id).resolve_node(info, required=False)


def tiny_schema(node_type: type) -> strawberry.Schema:
    """``node(id:)`` and one field of ``node_type``."""
    namespace = {
        "__annotations__": {"one": node_type | None},
        "one": None,
        "node": strawberry.field(resolver=resolve_node),
    }
    return strawberry.Schema(query=strawberry.type(type("Query", (), namespace)))


@pytest.mark.parametrize(
    ("node_type", "reason"),
    [
        (Plain, "does not derive from schema.relay.Node"),
        (NoRead, "does not define read"),
        (Bypass, "overrides resolve_nodes"),
    ],
)
def test_a_node_type_without_a_read_rule_fails_to_build(node_type: type, reason: str) -> None:
    built = tiny_schema(node_type)
    with pytest.raises(TypeError, match=f"Node types without a read rule: {node_type.__name__} .*{reason}"):
        check_node_reads(built)


def test_build_schema_runs_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    @strawberry.type
    class Query:
        @strawberry.field
        def one(self) -> NoRead | None:
            return None

    monkeypatch.setattr(schema_module, "Query", Query)
    with pytest.raises(TypeError, match="NoRead"):
        build_schema(Settings())


async def test_a_node_type_with_a_read_rule_builds_and_resolves_through_it() -> None:
    built = tiny_schema(WithRead)
    check_node_reads(built)
    query = "query($id: ID!) { node(id: $id) { id } }"
    found = await built.execute(query, {"id": gid("WithRead", 1)})
    missing = await built.execute(query, {"id": gid("WithRead", 2)})
    assert found.errors is None and found.data == {"node": {"id": gid("WithRead", 1)}}
    assert missing.errors is None and missing.data == {"node": None}


def test_every_node_type_of_the_schema_has_a_read_rule() -> None:
    check_node_reads(schema)


# --- node(id) of each kind, on the demo data ---

MODELS: dict[str, Any] = {
    "Unit": AdminUnit,
    "Organization": Organization,
    "Domain": Domain,
    "DomainAssignment": DomainAssignment,
    "Document": Document,
    "CatalogItem": CatalogItem,
    "PowerItem": PowerItem,
    "VillagePowerItem": VillagePowerItem,
    "InfoRequest": InfoRequest,
    "Appeal": Appeal,
    "Commitment": Commitment,
    "User": User,
    "RoleGrant": CasbinRule,
}


def node_types() -> list[str]:
    graphql = schema._schema
    return sorted(t.name for t in graphql.get_possible_types(graphql.get_type("Node")))  # type: ignore[arg-type]


def test_every_node_type_is_exercised_here() -> None:
    assert sorted(MODELS) == node_types(), "add the new Node type to MODELS"


async def test_node_of_each_kind(demo: None, session: Any, gql: GraphQLClient) -> None:
    token = await gql.login("admin", DEMO_PASSWORD)
    ids: dict[str, str] = {}
    for type_name, model in MODELS.items():
        stmt = select(func.min(model.id))
        if model is CasbinRule:
            stmt = stmt.where(CasbinRule.ptype == "g")
        pk = await session.scalar(stmt)
        assert pk is not None, f"the demo has no {type_name}"
        ids[type_name] = gid(type_name, pk)
    await session.rollback()  # end the read transaction (SQLite: it would block the app's writes)
    fields = " ".join(f"{name}: node(id: {name}_id) {{ __typename id }}" for name in ids)
    params = ", ".join(f"${name}_id: ID!" for name in ids)
    variables = {f"{name}_id": value for name, value in ids.items()}
    data = await gql.data(f"query({params}) {{ {fields} }}".replace("node(id: ", "node(id: $"), variables, token)
    assert data == {name: {"__typename": name, "id": value} for name, value in ids.items()}


async def test_node_batches_one_kind_and_refuses_what_the_caller_may_not_read(
    demo: None, session: Any, gql: GraphQLClient
) -> None:
    admin_token = await gql.login("admin", DEMO_PASSWORD)
    kiosk_token = await gql.login("kiosk_luchang", DEMO_PASSWORD)
    doc_ids = list((await session.execute(select(Document.id).order_by(Document.id).limit(2))).scalars())
    user_id = await session.scalar(select(User.id).where(User.username == "admin"))
    await session.rollback()  # end the read transaction (SQLite: it would block the app's writes)
    query = "query($a: ID!, $b: ID!, $u: ID!) { a: node(id: $a) { id } b: node(id: $b) { id } u: node(id: $u) { id } }"
    variables = {"a": gid("Document", doc_ids[0]), "b": gid("Document", doc_ids[1]), "u": gid("User", user_id)}
    admin = await gql.data(query, variables, admin_token)
    assert admin == {"a": {"id": variables["a"]}, "b": {"id": variables["b"]}, "u": {"id": variables["u"]}}
    # The kiosk may not read accounts (policies/policy.csv): User goes through the accounts' read rule.
    kiosk = await gql(query, variables, kiosk_token)
    assert kiosk["data"]["u"] is None
