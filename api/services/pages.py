"""Pages of a list read: cursors, a capped page size, and the size of the whole list on demand.

A list ordered by columns that end in a unique one names its ``Key``s and gets keyset cursors:
a cursor holds the order values of its item, and the next page starts right after those values,
so a page stays correct while items are published (or removed) between two requests, and page
51 costs what page 1 costs (an index in the list order is walked from the cursor). Other lists
get offset cursors. The page's statement fetches one row more than it shows, to know whether
there is a next page; the count is a separate statement, run only when the client asks for it
(``Page.count``), and bounded by ``COUNT_LIMIT``.

The services run the statements; the schema only turns a ``Page`` into a Relay connection.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections import defaultdict, namedtuple
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

import orjson
from sqlalchemy import (
    ARRAY,
    BindParameter,
    ColumnElement,
    Select,
    and_,
    any_,
    bindparam,
    false,
    func,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from api.codes import CommonCode
from api.db import SerialSession
from api.errors import UserInputError

T = TypeVar("T")
U = TypeVar("U")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

DEFAULT_PAGE = 20
MAX_PAGE = 100
# ``totalCount`` counts at most this many items: beyond it the answer is "at least COUNT_LIMIT".
COUNT_LIMIT = 10_000
_OFFSET = "offset:"
_KEYS = "keys:"
_KEYS_BYTES = _KEYS.encode()


@dataclass(frozen=True)
class Count:
    """The size of a whole list: exact, or ``COUNT_LIMIT`` meaning that many or more."""

    value: int
    exact: bool


def bad_cursor() -> UserInputError:
    return UserInputError("after", CommonCode.INVALID_CURSOR, "分页游标无效，请从第一页重新开始")


# --- cursors ---


def encode_cursor(offset: int) -> str:
    """The offset cursor of the item at ``offset``."""
    return base64.urlsafe_b64encode(f"{_OFFSET}{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    """The offset just after the offset cursor ``cursor``; 0 without one."""
    if cursor is None:
        return 0
    text = _unwrap(cursor)
    if not text.startswith(_OFFSET):
        raise bad_cursor()
    try:
        return int(text[len(_OFFSET) :]) + 1
    except ValueError as exc:
        raise bad_cursor() from exc


def encode_keys(name: str, values: Sequence[Any]) -> str:
    """The keyset cursor of an item of the list ``name`` whose order values are ``values``."""
    shown = [{"t": v.isoformat()} if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(_KEYS_BYTES + orjson.dumps([name, shown])).decode()


def decode_keys(name: str, cursor: str, size: int) -> list[Any]:
    """The order values a keyset cursor of the list ``name`` holds (``size`` of them)."""
    text = _unwrap(cursor)
    if not text.startswith(_KEYS):
        raise bad_cursor()
    try:
        list_name, raw = json.loads(text[len(_KEYS) :])
        if list_name != name or not isinstance(raw, list) or len(raw) != size:
            raise ValueError(list_name)
        values = [datetime.fromisoformat(v["t"]) if isinstance(v, dict) else v for v in raw]
    except (ValueError, TypeError, KeyError) as exc:
        raise bad_cursor() from exc
    if not all(v is None or isinstance(v, int | str | float | datetime) for v in values):
        raise bad_cursor()
    return values


def _unwrap(cursor: str) -> str:
    if len(cursor) > 512:
        raise bad_cursor()
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return base64.b64decode(padded.replace("-", "+").replace("_", "/").encode(), validate=True).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_cursor() from exc


# --- the order of a list ---


@dataclass(frozen=True)
class Key:
    """One column of a list's order. The last key of a list must be unique (the id)."""

    column: Any  # a column or mapped attribute (ColumnElement)
    attribute: str  # the item's attribute holding the column's value
    descending: bool = True
    nulls_last: bool = False  # NULLS LAST in the ORDER BY (as the index is written)
    nullable: bool = False  # the list may hold NULLs in this column (they come last)


@dataclass(frozen=True)
class Order:
    """A list's order by keys: its ORDER BY, and the condition "after this cursor"."""

    name: str
    keys: tuple[Key, ...]

    def order_by(self) -> list[ColumnElement[Any]]:
        clauses = []
        for key in self.keys:
            clause = key.column.desc() if key.descending else key.column.asc()
            clauses.append(clause.nulls_last() if key.nulls_last else clause)
        return clauses

    def values(self, item: Any) -> list[Any]:
        return [getattr(item, key.attribute) for key in self.keys]

    def cursor(self, item: Any) -> str:
        return encode_keys(self.name, self.values(item))

    def after(self, values: Sequence[Any]) -> ColumnElement[Any]:
        """Rows that come after the row whose order values are ``values``.

        Keys of one direction without NULLs are one row comparison, ``(a, b) < (x, y)``, which
        PostgreSQL and SQLite match to an index in that order; otherwise an OR of the steps."""
        keys = self.keys
        given = all(v is not None for v in values)
        if len({k.descending for k in keys}) == 1 and not any(k.nullable for k in keys) and given:
            columns = tuple_(*[k.column for k in keys])
            bound = tuple_(*[_value(v, k.column.type) for k, v in zip(keys, values, strict=True)])
            return columns < bound if keys[0].descending else columns > bound
        steps: list[ColumnElement[bool]] = []
        for i, (key, value) in enumerate(zip(keys, values, strict=True)):
            equal = [_equal(k.column, v) for k, v in zip(keys[:i], values[:i], strict=True)]
            steps.append(and_(*equal, _beyond(key, value)))
        return or_(*steps)

    def parameters(self) -> list[BindParameter[Any]]:
        """Bind parameters ``k0``, ``k1``, ... for ``after``: a statement of the page after any
        cursor (``Prepared``), given the cursor's values (none of them NULL)."""
        return [bindparam(f"k{i}", type_=k.column.type) for i, k in enumerate(self.keys)]


def _value(value: Any, type_: Any) -> ColumnElement[Any]:
    return value if isinstance(value, BindParameter) else literal(value, type_)


def _equal(column: ColumnElement[Any], value: Any) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


def _beyond(key: Key, value: Any) -> ColumnElement[bool]:
    if value is None:  # only NULLs are left, and they are equal
        return false()
    beyond = key.column < value if key.descending else key.column > value
    return or_(beyond, key.column.is_(None)) if key.nullable else beyond


# --- pages ---


class Cursors(Sequence[str]):
    """The keyset cursors of a page's items, each made when first read (a page that shows only
    its end cursor makes two, not fifty)."""

    def __init__(self, order: Order, items: Sequence[Any]) -> None:
        self.order = order
        self.items = items
        self.made: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self.items)))]
        position = index + len(self.items) if index < 0 else index
        if not 0 <= position < len(self.items):
            raise IndexError(index)
        if position not in self.made:
            self.made[position] = self.order.cursor(self.items[position])
        return self.made[position]


@dataclass
class Page(Generic[T]):
    """One page of a list: its items and their cursors, whether more follow, and the count on demand."""

    items: list[T]
    cursors: Sequence[str]
    has_next: bool
    has_previous: bool
    counter: Callable[[], Awaitable[Count]] | None = None
    _count: Count | None = field(default=None, repr=False)
    _counting: asyncio.Future[Count] | None = field(default=None, repr=False)

    async def count(self) -> Count:
        """The size of the whole list: one statement, the first time it is asked for (fields
        resolved side by side, totalCount and totalCountExact, wait for the same one)."""
        if self._count is None:
            if self.counter is None:
                self._count = Count(len(self.items), not self.has_next)
            else:
                if self._counting is None:
                    self._counting = asyncio.ensure_future(self.counter())
                self._count = await self._counting
        return self._count

    def replace(self, items: list[U]) -> Page[U]:
        """The same page with other items in the same places (built in bulk by the caller)."""
        assert len(items) == len(self.items)
        return Page(items, self.cursors, self.has_next, self.has_previous, self.counter, self._count)

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        return self.replace([convert(item) for item in self.items])


def page_size(first: int | None, max_page_size: int = MAX_PAGE) -> int:
    return DEFAULT_PAGE if first is None else max(0, min(first, max_page_size))


async def read(session: AsyncSession, stmt: Select[*tuple[Any, ...]], values: Mapping[str, Any] | None = None) -> Any:
    """The result of a statement of columns (no entities) on the session's connection: without
    the ORM's execution (a few hundred microseconds a statement), after a flush of what is pending."""
    if isinstance(session, SerialSession):
        return await session.read(stmt, values)
    if session.new or session.dirty or session.deleted:
        await session.flush()
    return await (await session.connection()).execute(stmt, values)


@dataclass(frozen=True)
class _Driven:
    """A statement compiled for asyncpg: its SQL, its parameters in order, the conversions."""

    compiled: Any  # SQLCompiler
    names: tuple[str, ...]
    binds: tuple[Callable[[Any], Any] | None, ...]
    results: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column, conversion) where there is one
    row: Callable[[Sequence[Any]], Any]  # the row's type (a named tuple)


class Prepared:
    """A statement of columns built once and run many times with values for its named bind
    parameters (``bindparam("size")``): ``await prepared.rows(session, size=51)``.

    On asyncpg the statement is compiled once and its SQL runs on the driver's connection
    (``SerialSession.fetch``): no statement built, no cache key and no result set up per request,
    which is most of the CPU SQLAlchemy spends on a small read (bench/RESULTS.md); the values and
    the rows pass through the columns' own conversions, so the rows hold what SQLAlchemy's would,
    by position and by name. Elsewhere (SQLite) the statement runs through SQLAlchemy. ``build``
    may be a function of the dialect's name, for a statement written per database (``among``).
    ``once``: a statement built for one request (a filtered list) runs through SQLAlchemy, whose
    compiled cache serves it better than a compilation of its own."""

    def __init__(
        self, build: Select[*tuple[Any, ...]] | Callable[[str], Select[*tuple[Any, ...]]], once: bool = False
    ) -> None:
        self._build = build
        self._once = once
        self._statements: dict[str, Select[*tuple[Any, ...]]] = {}
        self._driven: _Driven | None = None

    def statement(self, dialect: str) -> Select[*tuple[Any, ...]]:
        found = self._statements.get(dialect)
        if found is None:
            found = self._build if isinstance(self._build, Select) else self._build(dialect)
            self._statements[dialect] = found
        return found

    async def rows(self, session: AsyncSession, **values: Any) -> list[Any]:
        bind = session.bind
        dialect = bind.dialect if bind is not None else None
        if self._once or dialect is None or dialect.driver != "asyncpg" or not isinstance(session, SerialSession):
            stmt = self.statement(dialect.name if dialect is not None else "")
            return list((await read(session, stmt, values)).all())
        driven = self._driven or self._compile(dialect)
        given = driven.compiled.construct_params(values)
        arguments = [
            value if convert is None else convert(value)
            for value, convert in zip([given[n] for n in driven.names], driven.binds, strict=True)
        ]
        records = await session.fetch(driven.compiled.string, arguments)
        if not driven.results:
            return [driven.row(r) for r in records]
        out = []
        for record in records:
            row = list(record)
            for i, convert in driven.results:
                row[i] = convert(row[i])
            out.append(driven.row(row))
        return out

    def _compile(self, dialect: Any) -> _Driven:
        stmt = self.statement(dialect.name)
        compiled = stmt.compile(dialect=dialect)
        if "POSTCOMPILE" in compiled.string:
            raise TypeError("a prepared statement cannot expand parameters (an IN list): use among()")
        names = tuple(compiled.positiontup or ())
        binds = tuple(compiled.binds[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names)
        columns = list(stmt.selected_columns)
        results = tuple(
            (i, convert)
            for i, c in enumerate(columns)
            if (convert := c.type.dialect_impl(dialect).result_processor(dialect, None)) is not None
        )
        row = namedtuple("Row", list(stmt.selected_columns.keys()), rename=True)._make  # type: ignore[misc,attr-defined]
        self._driven = _Driven(compiled, names, binds, results, row)
        return self._driven


def counter(
    session: AsyncSession, stmt: Select[*tuple[Any, ...]], limit: int = COUNT_LIMIT
) -> Callable[[], Awaitable[Count]]:
    """The bounded count of ``stmt``'s rows, for ``Page.count``: the rows up to one more than
    ``limit``, counted, so that a count costs at most ``limit`` index entries."""

    async def count() -> Count:
        ones = stmt.with_only_columns(literal(1), maintain_column_froms=True)
        bounded = ones.order_by(None).limit(limit + 1).subquery()
        value = (await read(session, select(func.count()).select_from(bounded))).scalar_one()
        return Count(min(value, limit), value <= limit)

    return count


def count_of_parts(stmts: Sequence[Select[*tuple[Any, ...]]], limit: int = COUNT_LIMIT, once: bool = False) -> Prepared:
    """The bounded count of a list made of several statements' rows, as one statement (each part
    counted up to ``limit`` + 1 rows, in a scalar subquery of its own): for ``counter_of_parts``."""
    parts = []
    for stmt in stmts:
        ones = stmt.with_only_columns(literal(1), maintain_column_froms=True)
        bounded = ones.order_by(None).limit(limit + 1).subquery()
        parts.append(select(func.count()).select_from(bounded).scalar_subquery())
    return Prepared(select(*parts), once=once)


def counter_of_parts(
    session: AsyncSession, counting: Prepared, limit: int = COUNT_LIMIT
) -> Callable[[], Awaitable[Count]]:
    """The count of ``count_of_parts``'s statement, for ``Page.count``."""

    async def count() -> Count:
        values = (await counting.rows(session))[0]
        total = sum(values)
        return Count(min(total, limit), all(v <= limit for v in values) and total <= limit)

    return count


async def fetch_rows(
    session: AsyncSession,
    stmt: Select[*tuple[Any, ...]],
    first: int | None,
    after: str | None,
    max_page_size: int = MAX_PAGE,
) -> Page[Any]:
    """One statement for the page (offset cursors; the count only when asked); items are rows."""
    size = page_size(first, max_page_size)
    offset = decode_cursor(after)
    rows = list((await session.execute(stmt.offset(offset).limit(size + 1))).all())
    shown = rows[:size]
    cursors = [encode_cursor(offset + i) for i in range(len(shown))]
    return Page(shown, cursors, len(rows) > size, offset > 0, counter(session, stmt))


async def fetch_page(
    session: AsyncSession,
    stmt: Select[Any],
    first: int | None,
    after: str | None,
    max_page_size: int = MAX_PAGE,
    *,
    order: Order | None = None,
) -> Page[Any]:
    """A page of a statement of one entity: items are the entities (a statement of columns in an
    order: ``Pages``). With an ``order`` the statement is ordered by it and paged by keyset
    cursors; without, by offset."""
    if order is None:
        return (await fetch_rows(session, stmt, first, after, max_page_size)).map(lambda row: row[0])
    size = page_size(first, max_page_size)
    count = counter(session, stmt)
    if after is not None:
        stmt = stmt.where(order.after(decode_keys(order.name, after, len(order.keys))))
    stmt = stmt.order_by(*order.order_by()).limit(size + 1)
    items = list((await session.execute(stmt)).scalars())
    shown = items[:size]
    return Page(shown, Cursors(order, shown), len(items) > size, after is not None, count)


def kept(cache: dict[K, V], key: K, make: Callable[[], V], limit: int) -> V:
    """``cache[key]``, made and kept when missing; the oldest dropped beyond ``limit`` entries
    (statements built once per scope or place: ``Prepared``)."""
    found = cache.get(key)
    if found is None:
        found = make()
        if len(cache) >= limit:
            cache.pop(next(iter(cache)))
        cache[key] = found
    return found


class Pages:
    """The pages of a statement of columns in an ``Order``, their statements made once
    (``Prepared``): the first page, and the page after a cursor (``Order.parameters``), with the
    size as the parameter ``size``. Items are rows. A cursor holding a NULL (a staff list's draft)
    is read by a statement of its own."""

    def __init__(self, stmt: Select[*tuple[Any, ...]], order: Order, once: bool = False) -> None:
        self.stmt, self.order, self.once = stmt, order, once
        ordered = stmt.order_by(*order.order_by()).limit(bindparam("size"))
        self.first = Prepared(ordered, once=once)
        self.after = Prepared(
            stmt.where(order.after(order.parameters())).order_by(*order.order_by()).limit(bindparam("size")),
            once=once,
        )

    async def page(
        self,
        session: AsyncSession,
        first: int | None,
        after: str | None,
        counter: Callable[[], Awaitable[Count]] | None,
        max_page_size: int = MAX_PAGE,
    ) -> Page[Any]:
        size = page_size(first, max_page_size)
        if after is None:
            rows = await self.first.rows(session, size=size + 1)
        else:
            values = decode_keys(self.order.name, after, len(self.order.keys))
            if all(v is not None for v in values):
                rows = await self.after.rows(session, size=size + 1, **{f"k{i}": v for i, v in enumerate(values)})
            else:
                stmt = self.stmt.where(self.order.after(values)).order_by(*self.order.order_by()).limit(size + 1)
                rows = list((await read(session, stmt)).all())
        shown = rows[:size]
        return Page(shown, Cursors(self.order, shown), len(rows) > size, after is not None, counter)


# --- batch reads for DataLoaders: one statement per batch ---


def among(session: AsyncSession, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """``column IN values``; on PostgreSQL ``column = ANY($1)``, one array parameter, so that the
    statement's text, and the statement asyncpg prepares for it on each pooled connection, is the
    same for any number of values (IN gives one text per count: the publishers of a page are 32,
    then 24, then 16, ...)."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def among_parameter(dialect: str, column: Any, name: str) -> ColumnElement[bool]:
    """``among`` for a ``Prepared`` statement: ``column`` among the values of its parameter ``name``."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))


async def by_ids(session: AsyncSession, model: type[Any], ids: Sequence[Any]) -> list[Any]:
    """The rows of ``model`` with these ids, in the order asked, None where there is none."""
    stmt = select(model).where(among(session, model.id, ids))
    found = {row.id: row for row in (await session.execute(stmt)).scalars()}
    return [found.get(i) for i in ids]


async def grouped(session: AsyncSession, stmt: Select[Any], key: str, keys: Sequence[Hashable]) -> list[list[Any]]:
    """The rows of ``stmt`` grouped by their attribute ``key``, in the order of ``keys``."""
    groups: dict[Any, list[Any]] = defaultdict(list)
    for row in (await session.execute(stmt)).scalars():
        groups[getattr(row, key)].append(row)
    return [groups.get(k, []) for k in keys]


__all__ = [
    "COUNT_LIMIT",
    "DEFAULT_PAGE",
    "MAX_PAGE",
    "Count",
    "Cursors",
    "Key",
    "Order",
    "Page",
    "Pages",
    "Prepared",
    "among",
    "among_parameter",
    "count_of_parts",
    "by_ids",
    "counter",
    "counter_of_parts",
    "decode_cursor",
    "decode_keys",
    "encode_cursor",
    "encode_keys",
    "fetch_page",
    "fetch_rows",
    "kept",
    "page_size",
    "read",
]
