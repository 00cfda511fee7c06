"""Engine and session factory: SQLite by default, PostgreSQL (asyncpg) in production."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Executable, Result, event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from api.auth.passwords import SESSION_KEY, Passwords
from api.errors import is_unavailable


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # Writers queue for the lock; under load (50 concurrent sign-offs on 2 busy cores) 5 s was too short.
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


RECYCLE_SECONDS = 600


def make_engine(url: str) -> AsyncEngine:
    # hide_parameters: an error message never carries the values of a statement (personal data).
    # No pre-ping (a round trip before every request's first statement): a connection the database
    # dropped fails its statement as a disconnect, which invalidates every connection of the pool
    # made before it (the request answers SERVICE_UNAVAILABLE), and connections are recycled after
    # RECYCLE_SECONDS, before a server- or proxy-side idle timeout would cut them.
    engine = create_async_engine(url, pool_recycle=RECYCLE_SECONDS, hide_parameters=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


class SerialSession(AsyncSession):
    """An AsyncSession that runs one statement at a time.

    graphql-core resolves sibling fields concurrently, so two resolvers of one request may
    reach the request's session together; a session allows only one operation at a time.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._serial = asyncio.Lock()
        self._driver: tuple[Any, Any, Any] | None = None  # (transaction, connection, asyncpg's) of ``fetch``

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        async with self._serial:
            return await super().execute(*args, **kwargs)

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        async with self._serial:
            return await super().scalar(*args, **kwargs)

    async def scalars(self, *args: Any, **kwargs: Any) -> Any:
        # AsyncSession.scalars calls self.execute, which takes the lock: taking it here as well deadlocked.
        return await super().scalars(*args, **kwargs)

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        async with self._serial:
            return await super().get(*args, **kwargs)

    async def flush(self, *args: Any, **kwargs: Any) -> None:
        async with self._serial:
            await super().flush(*args, **kwargs)

    async def refresh(self, *args: Any, **kwargs: Any) -> None:
        async with self._serial:
            await super().refresh(*args, **kwargs)

    async def commit(self) -> None:
        async with self._serial:
            await super().commit()

    async def rollback(self) -> None:
        async with self._serial:
            await super().rollback()

    async def read(self, stmt: Executable, values: Mapping[str, Any] | None = None) -> Result[Any]:
        """A statement of columns on the session's connection, without the ORM (pages.read)."""
        if self.new or self.dirty or self.deleted:
            await self.flush()
        async with self._serial:
            return await (await self.connection()).execute(stmt, values)

    async def fetch(self, sql: str, arguments: Sequence[Any]) -> list[Any]:
        """The records of SQL text run on the asyncpg connection itself (pages.Prepared), one
        statement at a time with the session's others. It joins the transaction SQLAlchemy began
        on the connection; with none begun it runs alone (a read needs no BEGIN and ROLLBACK).
        A connection found lost is dropped from the pool, as SQLAlchemy's own errors drop it."""
        if self.new or self.dirty or self.deleted:
            await self.flush()
        async with self._serial:
            transaction = self.sync_session.get_transaction()
            held = self._driver
            if held is None or transaction is None or held[0] is not transaction or not transaction.is_active:
                connection = await self.connection()
                raw = await connection.get_raw_connection()
                held = self._driver = (self.sync_session.get_transaction(), connection, raw.driver_connection)
            sync = held[1].sync_connection
            if sync is not None and sync.dispatch.before_cursor_execute:
                # listeners see it as any statement (the statement counts of tests, bench.county.explain)
                sync.dispatch.before_cursor_execute(sync, None, sql, tuple(arguments), None, False)
            try:
                return await held[2].fetch(sql, *arguments)  # type: ignore[no-any-return]
            except Exception as exc:
                self._driver = None
                if is_unavailable(exc):
                    await held[1].invalidate(exc)
                raise


def make_sessionmaker(engine: AsyncEngine, passwords: Passwords | None = None) -> async_sessionmaker[AsyncSession]:
    """Sessions that carry the app's password hasher (``api.auth.passwords.of``); each transaction that
    changes a table bumps its topic's version as it commits (api/changes.py)."""
    import api.events  # noqa: F401  (its hooks announce the changes to subscribers)
    from api.changes import TrackedSession

    info = {} if passwords is None else {SESSION_KEY: passwords}
    return async_sessionmaker(
        engine, expire_on_commit=False, class_=SerialSession, sync_session_class=TrackedSession, info=info
    )


async def commit(session: AsyncSession) -> None:
    """The one way a service ends its transaction.

    Commit; a row changed meanwhile by someone else (its version moved: StaleDataError) or
    entered by someone else meanwhile (a unique key: IntegrityError) rolls back and is a CONFLICT.
    """
    await _or_conflict(session, session.commit)


async def flush(session: AsyncSession) -> None:
    """Flush (to learn a new row's id before the audit record), with ``commit``'s CONFLICT rule."""
    await _or_conflict(session, session.flush)


async def _or_conflict(session: AsyncSession, step: Any) -> None:
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm.exc import StaleDataError

    from api.errors import Conflict

    try:
        await step()
    except (StaleDataError, IntegrityError) as exc:
        await session.rollback()
        raise Conflict() from exc


def insert_for(dialect: str) -> Any:
    """The dialect's INSERT, which has ``on_conflict_do_nothing`` (SQLite and PostgreSQL alike)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert
