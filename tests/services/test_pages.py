"""pages.Prepared: statements made once and run on asyncpg's connection give SQLAlchemy's rows,
and a connection found lost on that path leaves the pool, as SQLAlchemy's own errors make it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import bindparam, func, select, text

from api.db import make_engine, make_sessionmaker
from api.errors import is_unavailable
from api.models import Document, DocumentVersion
from api.services.pages import Prepared, among_parameter

from ..conftest import GraphQLClient
from ..documents_fixtures import Desk, make_desk, publish


@pytest.fixture
async def desk(session: Any, system: Any, make_user: Any) -> Desk:
    return await make_desk(session, system, make_user)


def _rows(dialect: str) -> Any:
    return (
        select(
            Document.id, Document.kind, Document.status, Document.published_at, Document.retracted_at,
            DocumentVersion.keywords.label("v_keywords"), DocumentVersion.body_format, DocumentVersion.written_on,
            DocumentVersion.title.label("v_title"),
        )
        .join(DocumentVersion, DocumentVersion.id == Document.current_version_id)
        .where(among_parameter(dialect, Document.id, "ids"), Document.published_at <= bindparam("until"))
        .order_by(Document.id.desc())
        .limit(bindparam("size"))
    )  # fmt: skip


async def test_prepared_rows_are_sqlalchemys_rows(gql: GraphQLClient, desk: Desk, session: Any) -> None:
    for n in range(3):
        await publish(gql, desk, title=f"低保资金发放公示{n}", keywords=["低保", f"第{n}批"])
    ids = list((await session.execute(select(Document.id).order_by(Document.id))).scalars())
    until = (await session.execute(select(func.max(Document.published_at)))).scalar_one()
    prepared = Prepared(_rows)
    dialect = session.bind.dialect.name
    for values in ({"ids": ids, "until": until, "size": 10}, {"ids": ids[:2], "until": until, "size": 1}):
        expected = (await session.execute(_rows(dialect), values)).all()
        for _ in range(2):  # compiled the first time, reused the second
            got = await prepared.rows(session, **values)
            assert [tuple(r) for r in got] == [tuple(r) for r in expected]
            assert [[type(v) for v in r] for r in got] == [[type(v) for v in r] for r in expected]  # enums too
            assert [(r.id, r.kind, r.v_keywords, r.v_title) for r in got] == [
                (r.id, r.kind, r.v_keywords, r.v_title) for r in expected
            ]
    assert (await prepared.rows(session, ids=ids, until=until, size=10))[0].v_keywords == ["低保", "第2批"]
    assert await prepared.rows(session, ids=[], until=until, size=10) == []


async def test_a_connection_lost_under_a_prepared_read_leaves_the_pool(migrated: Any, session: Any) -> None:
    if not migrated.database_url.startswith("postgresql"):
        pytest.skip("the driver's path is asyncpg's: .ci/run runs the suite against PostgreSQL as well")
    engine = make_engine(migrated.database_url)
    sessions = make_sessionmaker(engine)
    backend = Prepared(select(func.pg_backend_pid().label("pid")))
    try:
        async with sessions() as s:
            first = (await backend.rows(s))[0].pid
        await session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        async with sessions() as s:  # the pool's one connection, cut
            with pytest.raises(Exception) as raised:
                await backend.rows(s)
            assert is_unavailable(raised.value), repr(raised.value)
        async with sessions() as s:  # a new one
            assert (await backend.rows(s))[0].pid != first
    finally:
        await engine.dispose()
