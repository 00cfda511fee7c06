"""The audit trail (安全审计): append-only in the database, a hash chain that `gongkai audit verify`
checks, refused attempts recorded, and retention by export, never by silent deletion."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from api.auth.actor import SystemActor
from api.models import AuditArchive, AuditEntry, Role, UnitKind
from api.models.base import utcnow
from api.services import audit, units
from api.settings import Settings

from ..conftest import GraphQLClient, unguarded
from ..test_cli import run_cli


async def write_rows(session: Any, system: SystemActor, count: int, *, age: timedelta | None = None) -> None:
    for i in range(count):
        entry = audit.record(session, system, "test.row", "Test", i, None, f"第{i}行")
        if age is not None:
            entry.created_at = utcnow() - age
    await session.commit()


async def all_rows(session: Any) -> list[AuditEntry]:
    session.expire_all()
    return list((await session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars())


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET summary = '改过的' WHERE id = 2",
        "UPDATE audit_log SET created_at = created_at",
        "DELETE FROM audit_log WHERE id = 2",
        "DELETE FROM audit_log",
    ],
)
async def test_the_database_refuses_to_change_or_delete_audit_rows(
    app: Any, session: Any, system: SystemActor, statement: str
) -> None:
    await write_rows(session, system, 3)
    async with app.state.engine.connect() as conn:
        with pytest.raises(DBAPIError, match="append-only"):
            await conn.execute(text(statement))
    assert [r.summary for r in await all_rows(session)] == ["第0行", "第1行", "第2行"]


async def test_archive_records_are_append_only_too(app: Any, session: Any) -> None:
    session.add(
        AuditArchive(
            first_id=1, last_id=1, rows=1, prev_hash="0" * 64, last_hash="1" * 64,
            filename="audit-x.jsonl", file_sha256="2" * 64, before=utcnow(),
        )
    )  # fmt: skip
    await session.commit()
    for statement in ("UPDATE audit_archives SET last_id = 999", "DELETE FROM audit_archives"):
        async with app.state.engine.connect() as conn:
            with pytest.raises(DBAPIError, match="append-only"):
                await conn.execute(text(statement))


async def test_truncate_is_refused_on_postgresql(app: Any, session: Any, system: SystemActor) -> None:
    if app.state.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    await write_rows(session, system, 1)
    async with app.state.engine.connect() as conn:
        with pytest.raises(DBAPIError, match="append-only"):
            await conn.execute(text("TRUNCATE audit_log"))
    assert len(await all_rows(session)) == 1


async def test_each_row_carries_the_hash_of_the_one_before(session: Any, system: SystemActor) -> None:
    await write_rows(session, system, 4)
    rows = await all_rows(session)
    assert [r.id for r in rows] == [1, 2, 3, 4]
    assert rows[0].prev_hash == "0" * 64
    assert all(later.prev_hash == earlier.row_hash for earlier, later in zip(rows, rows[1:], strict=False))
    assert (await audit.verify(session)).intact


async def test_concurrent_writers_do_not_fork_the_chain(app: Any, session: Any, system: SystemActor) -> None:
    async def one(i: int) -> None:
        async with app.state.gongkai.sessionmaker() as own:
            await own.execute(select(func.count()).select_from(AuditEntry))  # a read first, as services do
            audit.record(own, system, "test.concurrent", "Test", i, None, f"并发{i}")
            await own.commit()

    await asyncio.gather(*(one(i) for i in range(16)))
    result = await audit.verify(session)
    assert result.intact and result.rows == 16, result
    assert [r.id for r in await all_rows(session)] == list(range(1, 17))


def verify(migrated: Settings, *args: str) -> Any:
    return run_cli(migrated, "audit", "verify", *args, check=False)


async def test_verify_names_the_row_a_superuser_changed(
    app: Any, migrated: Settings, session: Any, system: SystemActor
) -> None:
    await write_rows(session, system, 5)
    intact = verify(migrated)
    assert intact.returncode == 0 and "共 5 行" in intact.stdout, intact.stderr
    async with app.state.engine.begin() as conn, unguarded(conn):  # the owner lifts the trigger
        await conn.execute(text("UPDATE audit_log SET summary = '改过的' WHERE id = 3"))
    broken = verify(migrated)
    assert broken.returncode != 0
    assert "#3" in broken.stderr and "被改动" in broken.stderr, broken.stderr
    assert "Traceback" not in broken.stderr


async def test_verify_names_the_gap_a_deleted_row_left(app: Any, session: Any, system: SystemActor) -> None:
    await write_rows(session, system, 5)
    async with app.state.engine.begin() as conn, unguarded(conn):
        await conn.execute(text("DELETE FROM audit_log WHERE id = 2"))
    result = await audit.verify(session)
    assert (result.broken_at, result.rows) == (3, 1) and "#2" in (result.reason or "")


async def test_verify_notices_rows_cut_off_the_end(app: Any, session: Any, system: SystemActor) -> None:
    await write_rows(session, system, 5)
    async with app.state.engine.begin() as conn, unguarded(conn):
        await conn.execute(text("DELETE FROM audit_log WHERE id >= 4"))
    result = await audit.verify(session)
    assert result.broken_at == 5 and "#4–#5" in (result.reason or "")


async def test_a_forbidden_mutation_leaves_a_row(gql: GraphQLClient, make_user: Any, session: Any) -> None:
    editor = await make_user("editor", Role.EDITOR)
    before = len(await all_rows(session))
    body = await gql(
        'mutation { createUnit(input: {code: "513425000000", name: "会理县", kind: XIAN}) { errors { code } } }',
        token=editor,
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    rows = await all_rows(session)
    assert len(rows) == before + 1
    refused = rows[-1]
    assert (refused.action, refused.actor_name, refused.target_id) == ("access.forbidden", "editor", "createUnit")
    assert "unit create" in refused.summary and refused.client_addr == "203.0.113.7"
    assert (await audit.verify(session)).intact
    # a query that is refused is an answer, not an attempt to change anything: no row
    await gql("{ auditLog(first: 1) { totalCount } }", token=editor)
    assert len(await all_rows(session)) == before + 1


async def test_archive_exports_old_rows_then_deletes_them_and_the_chain_goes_on(
    app: Any, migrated: Settings, session: Any, system: SystemActor, tmp_path: Path
) -> None:
    await write_rows(session, system, 3, age=timedelta(days=200))
    await write_rows(session, system, 2)  # recent: kept
    async with app.state.engine.connect() as conn:  # old but not exported: still refused
        with pytest.raises(DBAPIError, match="append-only"):
            await conn.execute(text("DELETE FROM audit_log WHERE id = 1"))
    out = tmp_path / "archive"
    done = run_cli(migrated, "audit", "archive", "--out", str(out))
    assert "#1–#3（3 行）" in done.stdout
    [file] = out.glob("audit-*.jsonl")
    lines = [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == [1, 2, 3] and lines[0]["summary"] == "第0行"
    rows = await all_rows(session)
    assert [r.id for r in rows] == [4, 5, 6] and rows[-1].action == "audit.archive"
    archive = (await session.execute(select(AuditArchive))).scalar_one()
    assert (archive.first_id, archive.last_id, archive.last_hash) == (1, 3, lines[-1]["row_hash"])
    assert verify(migrated).returncode == 0  # the chain starts at the archive's anchor
    checked = verify(migrated, "--file", str(file))
    assert checked.returncode == 0 and "共 3 行" in checked.stdout, checked.stderr
    assert "无需归档" in run_cli(migrated, "audit", "archive", "--out", str(out)).stdout
    # a changed archive file no longer matches its record
    file.write_text(file.read_text(encoding="utf-8").replace("第1行", "第9行"), encoding="utf-8")
    assert verify(migrated, "--file", str(file)).returncode != 0
    async with app.state.engine.connect() as conn:  # archived rows are gone; recent ones still guarded
        with pytest.raises(DBAPIError, match="append-only"):
            await conn.execute(text("DELETE FROM audit_log WHERE id = 4"))
    await write_rows(session, system, 1)
    assert (await audit.verify(session)).intact


async def test_archive_refuses_a_broken_chain(
    app: Any, migrated: Settings, session: Any, system: SystemActor, tmp_path: Path
) -> None:
    await write_rows(session, system, 3, age=timedelta(days=200))
    async with app.state.engine.begin() as conn, unguarded(conn):
        await conn.execute(text("UPDATE audit_log SET summary = '改过的' WHERE id = 2"))
    refused = run_cli(migrated, "audit", "archive", "--out", str(tmp_path), check=False)
    assert refused.returncode != 0 and "#2" in refused.stderr
    assert (await session.execute(select(func.count()).select_from(AuditEntry))).scalar_one() == 3
    assert not list(tmp_path.glob("audit-*.jsonl"))


async def test_the_retention_cannot_be_set_below_six_months() -> None:
    from api.settings import SettingsError

    with pytest.raises(SettingsError, match="at least 184"):
        Settings.from_env({"GONGKAI_AUDIT_RETENTION_DAYS": "90"})


async def test_the_application_role_may_insert_and_select_only(
    app: Any, migrated: Settings, session: Any, system: SystemActor
) -> None:
    """PostgreSQL with a separate application role (`gongkai grant-app-role`); .ci/postgres-up makes one."""
    if app.state.engine.dialect.name != "postgresql":
        pytest.skip("roles are PostgreSQL's")
    async with app.state.engine.connect() as conn:
        if not await conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = 'gongkai_app'")):
            pytest.skip("no role gongkai_app on this server")
    run_cli(migrated, "grant-app-role", "gongkai_app")
    await units.create_unit(session, system, code="513425000000", name="会理县", kind=UnitKind.XIAN)
    from sqlalchemy.engine import make_url

    from api.db import make_engine

    url = make_url(migrated.database_url).set(username="gongkai_app", password="gongkai_app")
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT count(*) FROM audit_log")) == 1
            await conn.execute(text("UPDATE admin_units SET name = '会理市'"))  # the app's own tables: read-write
            await conn.rollback()
            for statement in ("UPDATE audit_log SET summary = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
                with pytest.raises(DBAPIError, match="permission denied"):
                    await conn.execute(text(statement))
                await conn.rollback()
    finally:
        await engine.dispose()
