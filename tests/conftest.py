"""Fixtures: a real database (SQLite file, or PostgreSQL from GONGKAI_TEST_DATABASE_URL),
migrated with Alembic once, emptied between tests; the app over real HTTP (httpx ASGI)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Table, event, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from api.app import create_app
from api.auth.actor import SystemActor
from api.cli import migrate
from api.demo import load_demo
from api.models import Base, Role
from api.services import accounts
from api.settings import Settings

from .moto_server import moto_s3, s3_url  # noqa: F401  (fixtures: an S3-compatible server, a bucket)

# Rows the migration seeds; every other table is emptied between tests.
KEPT_TABLES = {"domains", "domain_aliases", "alembic_version", "change_counters"}
PASSWORD = "test-password-1"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("GONGKAI_TEST_DATABASE_URL")
    if not url:
        return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    return url


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    # Cheap argon2 parameters (api/auth/passwords.py); production refuses them.
    return Settings(database_url=database_url, var_dir=tmp_path_factory.mktemp("var"), password_hash="fast")


@pytest.fixture(scope="session")
async def migrated(settings: Settings) -> Settings:
    if settings.database_url.startswith("postgresql"):
        from api.db import make_engine

        engine = make_engine(settings.database_url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
    import asyncio

    await asyncio.to_thread(migrate, settings)
    return settings


@dataclass
class StatementCounter:
    statements: list[str] = field(default_factory=list)
    active: bool = False

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.active:
            self.statements.append(statement)

    def start(self) -> None:
        self.statements.clear()
        self.active = True

    def stop(self) -> int:
        self.active = False
        return len(self.statements)


@pytest.fixture(scope="session")
async def app(migrated: Settings) -> AsyncIterator[Any]:
    application = create_app(migrated)
    # What the server's lifespan does at startup (httpx's ASGI transport runs no lifespan).
    await application.state.gongkai.authorizer.ensure_loaded()
    yield application
    await application.state.engine.dispose()


@pytest.fixture(scope="session")
def statement_counter(app: Any) -> StatementCounter:
    counter = StatementCounter()
    event.listen(app.state.engine.sync_engine, "before_cursor_execute", counter)
    return counter


def data_tables() -> list[Table]:
    """The tables emptied between tests, parents first."""
    return [t for t in Base.metadata.sorted_tables if t.name not in KEPT_TABLES]


def forward_columns() -> dict[str, list[str]]:
    """Columns whose foreign key points to a later table of ``data_tables()`` (documents' current
    and working version): set after their rows exist, cleared before they are deleted."""
    order = {t.name: i for i, t in enumerate(data_tables())}
    found: dict[str, list[str]] = {}
    for i, table in enumerate(data_tables()):
        late = [c.name for c in table.columns if any(order.get(fk.column.table.name, -1) > i for fk in c.foreign_keys)]
        if late:
            found[table.name] = late
    return found


GUARDED = ("audit_log", "audit_archives")  # append-only: triggers refuse UPDATE and DELETE (migration 0007)


@asynccontextmanager
async def unguarded(conn: AsyncConnection) -> AsyncIterator[None]:
    """The audit tables' triggers lifted for the block, as their owner can (the hash chain is what
    shows such a change: ``gongkai audit verify``); the tests empty the tables this way."""
    if conn.dialect.name == "postgresql":
        for table in GUARDED:
            await conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        yield  # (ALTER TABLE is transactional: a failure rolls it back)
        for table in GUARDED:
            await conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
        return
    found = await conn.execute(
        text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('audit_log', 'audit_archives')"
        )
    )
    triggers = found.all()
    for name, _sql in triggers:
        await conn.execute(text(f"DROP TRIGGER {name}"))
    try:
        yield
    finally:
        for _name, sql in triggers:
            await conn.execute(text(sql))


async def empty_tables(conn: AsyncConnection) -> None:
    async with unguarded(conn):
        await _empty_tables(conn)
    # Emptied behind the ORM's back: a change like any other for the app's caches (api/changes.py).
    await conn.execute(text("UPDATE change_counters SET version = version + 1"))


async def _empty_tables(conn: AsyncConnection) -> None:
    tables = [t.name for t in reversed(data_tables())]
    if conn.dialect.name == "postgresql":
        # DELETE and restarting the id sequences leave what TRUNCATE ... RESTART IDENTITY leaves,
        # in a fraction of the time on a few rows (TRUNCATE makes new files for every table).
        for name, late in forward_columns().items():
            await conn.execute(text(f"UPDATE {name} SET {', '.join(f'{c} = NULL' for c in late)}"))
        for table in tables:
            await conn.execute(text(f"DELETE FROM {table}"))
        keys = [(t.name, c.name) for t in data_tables() for c in t.primary_key.columns]
        await conn.execute(
            text(
                "SELECT setval(seq, 1, false) FROM (SELECT pg_get_serial_sequence(t, c) AS seq "
                "FROM unnest(CAST(:tables AS text[]), CAST(:columns AS text[])) AS k(t, c)) AS s WHERE seq IS NOT NULL"
            ),
            {"tables": [t for t, _ in keys], "columns": [c for _, c in keys]},
        )
    else:
        await conn.execute(text("PRAGMA defer_foreign_keys=ON"))
        for table in tables:
            await conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture(autouse=True)
async def clean_database(app: Any) -> AsyncIterator[None]:
    yield
    async with app.state.engine.begin() as conn:
        await empty_tables(conn)
        # a change like any other: no cached actor or answer of this test outlives it (ids repeat)
        await conn.execute(text("UPDATE change_counters SET version = version + 1"))


class DemoTemplate:
    """The demo data, loaded once per session and kept beside the test database: in an attached
    SQLite file, or a PostgreSQL schema of the test database. ``restore`` empties the test database
    and copies the rows back, so each test gets the demo as ``load_demo`` leaves it (same ids, same
    sequences; the search index follows through its triggers or generated column)."""

    SCHEMA = "demo_template"

    def __init__(self, engine: AsyncEngine, sqlite_file: Path) -> None:
        self.engine = engine
        self.sqlite_file = sqlite_file
        self.postgresql = engine.dialect.name == "postgresql"
        self.sequences: list[tuple[str, int, bool]] = []

    @staticmethod
    def columns(table: Table) -> str:
        return ", ".join(f'"{c.name}"' for c in table.columns)

    async def _attach(self, conn: AsyncConnection) -> None:
        if not self.postgresql:  # outside a transaction: pysqlite opens one at the first DML statement
            await conn.execute(text(f"ATTACH DATABASE :file AS {self.SCHEMA}"), {"file": str(self.sqlite_file)})

    async def _detach(self, conn: AsyncConnection) -> None:
        if not self.postgresql:
            await conn.execute(text(f"DETACH DATABASE {self.SCHEMA}"))

    async def save(self) -> None:
        """Keep what the test database holds now."""
        async with self.engine.connect() as conn:
            await self._attach(conn)
            if self.postgresql:
                await conn.execute(text(f"DROP SCHEMA IF EXISTS {self.SCHEMA} CASCADE"))
                await conn.execute(text(f"CREATE SCHEMA {self.SCHEMA}"))
            for table in data_tables():
                await conn.execute(
                    text(f"CREATE TABLE {self.SCHEMA}.{table.name} AS SELECT {self.columns(table)} FROM {table.name}")
                )
            if self.postgresql:
                self.sequences = []
                for table in data_tables():
                    for column in table.primary_key.columns:
                        seq = await conn.scalar(text(f"SELECT pg_get_serial_sequence('{table.name}', '{column.name}')"))
                        if seq:
                            row = (await conn.execute(text(f"SELECT last_value, is_called FROM {seq}"))).one()
                            self.sequences.append((seq, row[0], row[1]))
            await conn.commit()
            await self._detach(conn)

    async def restore(self) -> None:
        async with self.engine.connect() as conn:
            await self._attach(conn)
            await empty_tables(conn)
            forward = forward_columns()
            for table in data_tables():
                late = forward.get(table.name, [])
                select = ", ".join("NULL" if c.name in late else f'"{c.name}"' for c in table.columns)
                await conn.execute(
                    text(
                        f"INSERT INTO {table.name} ({self.columns(table)}) SELECT {select} FROM {self.SCHEMA}.{table.name}"
                    )
                )
            for name, late in forward.items():
                table = Base.metadata.tables[name]
                keys = " AND ".join(f'{name}."{c.name}" = t."{c.name}"' for c in table.primary_key.columns)
                sets = ", ".join(f'"{c}" = t."{c}"' for c in late)
                await conn.execute(text(f"UPDATE {name} SET {sets} FROM {self.SCHEMA}.{name} AS t WHERE {keys}"))
            for seq, last_value, is_called in self.sequences:
                await conn.execute(
                    text("SELECT setval(:seq, :value, :called)"), {"seq": seq, "value": last_value, "called": is_called}
                )
            await conn.commit()
            await self._detach(conn)

    async def drop(self) -> None:
        if self.postgresql:
            async with self.engine.begin() as conn:
                await conn.execute(text(f"DROP SCHEMA IF EXISTS {self.SCHEMA} CASCADE"))


@pytest.fixture(scope="session")
async def demo_template(app: Any, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[DemoTemplate]:
    """``load_demo`` once per session (it takes seconds), into the emptied test database."""
    state = app.state.gongkai
    async with app.state.engine.begin() as conn:
        await empty_tables(conn)
    async with state.sessionmaker() as s:
        actor = SystemActor(authorizer=state.authorizer, client_addr="test")
        await load_demo(s, actor, state.storage, state.settings.files_dir / "tmp", state.vault)
    template = DemoTemplate(app.state.engine, tmp_path_factory.mktemp("demo") / "demo.sqlite3")
    await template.save()
    yield template
    await template.drop()


@pytest.fixture
async def demo(demo_template: DemoTemplate) -> None:
    """A pristine demo database for this test (emptied after it like any other)."""
    await demo_template.restore()


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4711))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def session(app: Any) -> AsyncIterator[AsyncSession]:
    async with app.state.gongkai.sessionmaker() as s:
        yield s


@pytest.fixture
def system(app: Any) -> SystemActor:
    return SystemActor(authorizer=app.state.gongkai.authorizer, client_addr="test")


class GraphQLClient:
    """Posts GraphQL over HTTP, optionally with a bearer token."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def raw(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)

    async def __call__(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        response = await self.raw(query, variables, token)
        assert response.status_code == 200, response.text
        return response.json()

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        body = await self(query, variables, token)
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def login(self, username: str, password: str = PASSWORD) -> str:
        data = await self.data(
            "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token errors { code } } }",
            {"u": username, "p": password},
        )
        assert data["login"]["errors"] == [], data
        return data["login"]["token"]


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(client)


@pytest.fixture
def make_user(session: AsyncSession, system: SystemActor, gql: GraphQLClient) -> Any:
    """Create a user holding ``role`` at a unit (or organization, or everywhere) and sign in."""

    async def make(
        username: str, role: Role | None = None, unit_code: str | None = None, organization_id: int | None = None
    ) -> str:
        user = await accounts.create_user(
            session,
            system,
            username=username,
            display_name=username,
            password=PASSWORD,
            organization_id=organization_id,
        )
        if role is not None:
            await accounts.grant_role(
                session, system, user_id=user.id, role=role, unit_code=unit_code, organization_id=organization_id
            )
        return await gql.login(username)

    return make


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def pytest_report_header(config: pytest.Config) -> Iterator[str] | str:
    url = os.environ.get("GONGKAI_TEST_DATABASE_URL", "sqlite (temporary file)")
    return f"gongkai test database: {url.split('@')[-1]}"
