"""Relay helpers: global ids, and the connection (with ``totalCount``) of a service's ``Page``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry
from strawberry import relay

from api.errors import UserInputError
from api.services.pages import Page

NodeType = TypeVar("NodeType")


@strawberry.type(description="A page of a list, with the number of items in the whole list.")
class Connection(relay.Connection[NodeType], Generic[NodeType]):
    total_count: int = strawberry.field(description="How many items the whole list has.")


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
        total_count=page.total,
    )


def decode_id(value: strawberry.ID | str, type_name: str, field: str) -> int:
    """The database id inside a global id of ``type_name``; a UserError naming ``field`` if not."""
    try:
        gid = relay.GlobalID.from_id(str(value))
        if gid.type_name != type_name:
            raise ValueError(gid.type_name)
        return int(gid.node_id)
    except (ValueError, TypeError, Exception) as exc:  # GlobalIDValueError and friends
        raise UserInputError(field, "INVALID_ID", f"编号“{value}”不是有效的{type_name}编号") from exc
