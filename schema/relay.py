"""Relay helpers: ``Node`` (every object type with a global id reads through its area's read),
global ids, and the connection (with ``totalCount``) of a service's ``Page``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, TypeVar

import strawberry
from strawberry import relay

from api.errors import UserInputError
from api.services.pages import COUNT_LIMIT, Page

NodeType = TypeVar("NodeType")


class Node(relay.Node):
    """The base of every type implementing the ``Node`` interface (not itself a GraphQL type).

    ``node(id:)`` reaches a type through ``resolve_nodes``, which calls the type's ``read``: its
    area's DataLoader (``schema/<area>/loaders.py``, over the service batch read that its references
    use too) and the type's read rule. ``read`` is required: ``check_node_reads`` refuses to build a schema
    with a ``Node`` type that does not define it, or that bypasses it with a ``resolve_nodes`` of its own.
    """

    @classmethod
    async def read(cls, info: strawberry.Info, ids: Sequence[int]) -> Sequence[Any | None]:
        """The objects of ``ids`` the actor may read, in order (None where not found or not readable)."""
        raise NotImplementedError(f"{cls.__name__} has no read rule")

    @classmethod
    def resolve_nodes(cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False) -> Any:
        """What ``node(id:)`` calls (through ``resolve_node``): ``read``, with the ids as integers."""
        return cls.read(info, [int(i) for i in node_ids])


def lacks_read(cls: type) -> str | None:
    """Why the ``Node`` type ``cls`` has no read rule of its own, or None when it has one."""
    if not issubclass(cls, Node):
        return "does not derive from schema.relay.Node"
    if cls.read.__func__ is Node.read.__func__:  # type: ignore[attr-defined]
        return "does not define read"
    if cls.resolve_nodes.__func__ is not Node.resolve_nodes.__func__:  # type: ignore[attr-defined]
        return "overrides resolve_nodes (node(id) must go through read)"
    return None


def check_node_reads(schema: strawberry.Schema) -> None:
    """Refuse a schema with a type implementing ``Node`` that has no read rule (see ``Node``)."""
    missing: list[str] = []
    for name, graphql_type in schema._schema.type_map.items():
        definition = graphql_type.extensions.get("strawberry-definition") if graphql_type.extensions else None
        origin = getattr(definition, "origin", None)
        if not isinstance(origin, type) or getattr(definition, "is_interface", True):
            continue
        if issubclass(origin, relay.Node) and (reason := lacks_read(origin)) is not None:
            missing.append(f"{name} ({origin.__module__}.{origin.__qualname__}) {reason}")
    if missing:
        raise TypeError("Node types without a read rule: " + "; ".join(sorted(missing)))


@strawberry.type(description="A page of a list, with the size of the whole list on demand.")
class Connection(relay.Connection[NodeType], Generic[NodeType]):
    _page: strawberry.Private[Page[Any]]

    @strawberry.field(
        description=f"How many items the whole list has, counted up to {COUNT_LIMIT:,}: "
        f"{COUNT_LIMIT:,} with totalCountExact false means that many or more. "
        "Counted only when asked for (a separate statement)."
    )
    async def total_count(self) -> int:
        return (await self._page.count()).value

    @strawberry.field(description=f"False when the list has more than {COUNT_LIMIT:,} items (totalCount is the bound).")
    async def total_count_exact(self) -> bool:
        return (await self._page.count()).exact


def connection(page: Page[Any], convert: Callable[[Any], NodeType] | None = None) -> Connection[NodeType]:
    """The Relay connection of a service's page, each item turned into its node by ``convert``."""
    nodes = page.items if convert is None else [convert(item) for item in page.items]
    edges = [relay.Edge(node=node, cursor=cursor) for node, cursor in zip(nodes, page.cursors, strict=True)]
    return Connection(
        edges=edges,
        page_info=relay.PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        _page=page,
    )


# Primary keys are ``Integer`` columns: int4 on PostgreSQL, which refuses a larger parameter.
MAX_NODE_KEY = 2**31 - 1


def node_key(text: str) -> int | None:
    """The database id a global id's key names: ASCII digits up to MAX_NODE_KEY, else None.

    (``int()`` alone would take " 7", "+7" and "٧", and any size.)
    """
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or int(text) > MAX_NODE_KEY:
        return None
    return int(text)


def decode_id(value: strawberry.ID | str, type_name: str, field: str) -> int:
    """The database id inside a global id of ``type_name``; a UserError naming ``field`` if not."""
    key: int | None = None
    try:
        gid = relay.GlobalID.from_id(str(value))
        if gid.type_name == type_name:
            key = node_key(gid.node_id)
    except Exception:  # GlobalIDValueError and friends
        key = None
    if key is None:
        shown = str(value) if len(str(value)) <= 40 else f"{str(value)[:40]}…"
        raise UserInputError(field, "INVALID_ID", f"编号“{shown}”不是有效的{type_name}编号")
    return key
