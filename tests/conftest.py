"""Fixtures: a real database (SQLite file, or PostgreSQL from GONGKAI_TEST_DATABASE_URL),
migrated with Alembic once, emptied between tests; the app over real HTTP (httpx ASGI)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession

from api.app import create_app
from api.auth.actor import SystemActor
from api.cli import migrate
from api.models import Base, Role
from api.services import accounts
from api.settings import Settings

# Rows the migration seeds; every other table is emptied between tests.
KEPT_TABLES = {"domains", "domain_aliases", "alembic_version"}
PASSWORD = "test-password-1"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("GONGKAI_TEST_DATABASE_URL")
    if not url:
        return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    return url


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(database_url=database_url, var_dir=tmp_path_factory.mktemp("var"))


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


@pytest.fixture(autouse=True)
async def clean_database(app: Any) -> AsyncIterator[None]:
    yield
    engine = app.state.engine
    tables = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name not in KEPT_TABLES]
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            await conn.execute(text("PRAGMA defer_foreign_keys=ON"))
            for table in tables:
                await conn.execute(text(f"DELETE FROM {table}"))


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
