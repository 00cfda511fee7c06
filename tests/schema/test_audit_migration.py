"""Migration 0007 chains the audit rows written before it and makes the log append-only."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy.ext.asyncio import AsyncEngine

from api.auth.actor import SystemActor
from api.auth.enforcer import Authorizer
from api.cli import _alembic_config
from api.services import audit
from api.settings import Settings


async def test_rows_before_the_migration_are_chained_and_then_guarded(tmp_path: Path) -> None:
    database = tmp_path / "old.sqlite3"
    settings = Settings(database_url=f"sqlite+aiosqlite:///{database}", var_dir=tmp_path)
    config = _alembic_config(settings)
    await asyncio.to_thread(command.upgrade, config, "0006")
    with closing(sqlite3.connect(database)) as con, con:
        for i in range(1, 4):
            con.execute(
                "INSERT INTO audit_log (id, actor_name, action, target_type, scope_path, summary, created_at) "
                "VALUES (?, 'system', 'unit.create', 'AdminUnit', '513425', ?, ?)",
                (i, f"旧的第{i}行", f"2026-0{i}-05 01:00:00.000000"),
            )
    await asyncio.to_thread(command.upgrade, config, "0007")

    from api.db import make_engine, make_sessionmaker

    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            result = await audit.verify(session)
            assert (result.intact, result.rows, result.first_id, result.last_id) == (True, 3, 1, 3)
            audit.record(session, audit_actor(engine, settings), "test.after", "Test", None, None, "迁移之后")
            await session.commit()
            assert (await audit.verify(session)).rows == 4
    finally:
        await engine.dispose()
    with closing(sqlite3.connect(database)) as con:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute("UPDATE audit_log SET summary = 'x' WHERE id = 1")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute("DELETE FROM audit_log WHERE id = 1")

    await asyncio.to_thread(command.downgrade, config, "0006")
    with closing(sqlite3.connect(database)) as con, con:
        assert con.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 4
        con.execute("DELETE FROM audit_log WHERE id = 4")  # no trigger any more


def audit_actor(engine: AsyncEngine, settings: Settings) -> SystemActor:
    return SystemActor(authorizer=Authorizer(engine, settings.policy_dir), client_addr="test")
