"""Relay helpers: global ids, and connections with ``totalCount`` and a capped page size."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay

from api.errors import UserInputError

NodeType = TypeVar("NodeType")
Row = TypeVar("Row")

DEFAULT_PAGE = 20
MAX_PAGE = 100
_PREFIX = "offset:"


@strawberry.type(description="A page of a list, with the number of items in the whole list.")
class Connection(relay.Connection[NodeType], Generic[NodeType]):
    total_count: int = strawberry.field(description="How many items the whole list has.")


def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"{_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    """The offset just after ``cursor``; 0 without one."""
    if cursor is None:
        return 0
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        if not text.startswith(_PREFIX):
            raise ValueError(text)
        return int(text[len(_PREFIX) :]) + 1
    except (ValueError, UnicodeDecodeError) as exc:
        raise UserInputError("after", "INVALID_CURSOR", "分页游标无效，请从第一页重新开始") from exc


async def paginate(
    session: AsyncSession,
    stmt: Select[tuple[Row]],
    first: int | None,
    after: str | None,
    convert: Callable[[Row], NodeType],
) -> Connection[NodeType]:
    """Two statements however large the page: the count, and the page."""
    rows, offset, total = await fetch_page(session, stmt, first, after)
    return build_connection([convert(row[0]) for row in rows], offset, total)


async def paginate_rows(
    session: AsyncSession,
    stmt: Select[*tuple[Any, ...]],
    first: int | None,
    after: str | None,
    convert: Callable[[Any], NodeType],
) -> Connection[NodeType]:
    """Like ``paginate``, for statements of several columns: ``convert`` gets each whole row."""
    rows, offset, total = await fetch_page(session, stmt, first, after)
    return build_connection([convert(row) for row in rows], offset, total)


def decode_id(value: strawberry.ID | str, type_name: str, field: str) -> int:
    """The database id inside a global id of ``type_name``; a UserError naming ``field`` if not."""
    try:
        gid = relay.GlobalID.from_id(str(value))
        if gid.type_name != type_name:
            raise ValueError(gid.type_name)
        return int(gid.node_id)
    except (ValueError, TypeError, Exception) as exc:  # GlobalIDValueError and friends
        raise UserInputError(field, "INVALID_ID", f"编号“{value}”不是有效的{type_name}编号") from exc


async def fetch_page(
    session: AsyncSession, stmt: Select[Any], first: int | None, after: str | None
) -> tuple[Sequence[Any], int, int]:
    """(rows, offset, total) of a page, for nodes that are built asynchronously (loaders)."""
    size = DEFAULT_PAGE if first is None else max(0, min(first, MAX_PAGE))
    offset = decode_cursor(after)
    total = (await session.execute(select(func.count()).select_from(stmt.order_by(None).subquery()))).scalar_one()
    rows = (await session.execute(stmt.offset(offset).limit(size))).all()
    return rows, offset, total


def build_connection(nodes: Sequence[NodeType], offset: int, total: int) -> Connection[NodeType]:
    edges = [relay.Edge(node=node, cursor=encode_cursor(offset + i)) for i, node in enumerate(nodes)]
    return Connection(
        edges=edges,
        page_info=relay.PageInfo(
            has_next_page=offset + len(nodes) < total,
            has_previous_page=offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=total,
    )
