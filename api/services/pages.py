"""Pages of a list read: offset cursors, a capped page size and the size of the whole list.

The services run the statements; the schema only turns a ``Page`` into a Relay connection.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.codes import CommonCode
from api.errors import UserInputError

T = TypeVar("T")
U = TypeVar("U")

DEFAULT_PAGE = 20
MAX_PAGE = 100
_PREFIX = "offset:"


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
        raise UserInputError("after", CommonCode.INVALID_CURSOR, "分页游标无效，请从第一页重新开始") from exc


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, where it starts, and how many items the whole list has."""

    items: list[T]
    offset: int
    total: int

    @property
    def cursors(self) -> list[str]:
        return [encode_cursor(self.offset + i) for i in range(len(self.items))]

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        return Page([convert(item) for item in self.items], self.offset, self.total)

    def replace(self, items: list[U]) -> Page[U]:
        """The same page with other items in the same places (built in bulk by the caller)."""
        assert len(items) == len(self.items)
        return Page(items, self.offset, self.total)


async def fetch_rows(
    session: AsyncSession,
    stmt: Select[*tuple[Any, ...]],
    first: int | None,
    after: str | None,
    max_page_size: int = MAX_PAGE,
) -> Page[Any]:
    """Two statements however large the page: the count, and the page; items are whole rows."""
    size = DEFAULT_PAGE if first is None else max(0, min(first, max_page_size))
    offset = decode_cursor(after)
    total = (await session.execute(select(func.count()).select_from(stmt.order_by(None).subquery()))).scalar_one()
    rows = (await session.execute(stmt.offset(offset).limit(size))).all()
    return Page(list(rows), offset, total)


async def fetch_page(
    session: AsyncSession,
    stmt: Select[*tuple[Any, ...]],
    first: int | None,
    after: str | None,
    max_page_size: int = MAX_PAGE,
) -> Page[Any]:
    """Like ``fetch_rows``, for statements of one entity: items are the entities."""
    return (await fetch_rows(session, stmt, first, after, max_page_size)).map(lambda row: row[0])


# --- batch reads for DataLoaders: one statement per batch ---


async def by_ids(session: AsyncSession, model: type[Any], ids: Sequence[Any]) -> list[Any]:
    """The rows of ``model`` with these ids, in the order asked, None where there is none."""
    found = {row.id: row for row in (await session.execute(select(model).where(model.id.in_(ids)))).scalars()}
    return [found.get(i) for i in ids]


async def grouped(
    session: AsyncSession, stmt: Select[*tuple[Any, ...]], key: str, keys: Sequence[Hashable]
) -> list[list[Any]]:
    """The rows of ``stmt`` grouped by their attribute ``key``, in the order of ``keys``."""
    groups: dict[Any, list[Any]] = defaultdict(list)
    for row in (await session.execute(stmt)).scalars():
        groups[getattr(row, key)].append(row)
    return [groups.get(k, []) for k in keys]


__all__ = ["DEFAULT_PAGE", "MAX_PAGE", "Page", "by_ids", "decode_cursor", "encode_cursor", "fetch_page", "fetch_rows"]
