"""The operators' endpoints: /healthz, /readyz, /metrics; a database that cannot be reached."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from api.app import create_app
from api.settings import Settings

from .live import free_port


async def test_healthz_readyz_and_metrics(client: httpx.AsyncClient) -> None:
    health = await client.get("/healthz")
    assert health.status_code == 200 and health.json()["pid"] == os.getpid()
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "files": "ok"}}
    for _ in range(3):
        answer = await client.post("/graphql", json={"query": "query ReadyProbe { domains { code } }"})
        assert answer.status_code == 200
        assert answer.headers["x-request-id"]
    echoed = await client.get("/healthz", headers={"X-Request-Id": "kiosk-7.abc"})
    assert echoed.headers["x-request-id"] == "kiosk-7.abc"
    forged = await client.get("/healthz", headers={"X-Request-Id": "a b\\" * 60})
    assert len(forged.headers["x-request-id"]) == 32  # a fresh id, not the spoofed value

    metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(metrics.text)}
    assert {"gongkai_requests", "gongkai_request_duration_seconds", "gongkai_db_pool_in_use"} <= set(families)
    probes = [
        s for s in families["gongkai_requests"].samples
        if s.name == "gongkai_requests_total" and s.labels.get("operation") == "ReadyProbe"
    ]  # fmt: skip
    assert [(s.labels["outcome"], s.value) for s in probes] == [("ok", 3.0)]


def unreachable_url(settings: Settings, tmp_path: Path) -> str:
    if settings.database_url.startswith("postgresql"):
        return f"postgresql+asyncpg://gongkai:gongkai@127.0.0.1:{free_port()}/gongkai_test"
    return f"sqlite+aiosqlite:///{tmp_path / 'gone' / 'test.sqlite3'}"


async def test_unreachable_database_answers_service_unavailable(
    migrated: Settings, tmp_path: Path, make_user: Any
) -> None:
    token = await make_user("clerk")
    app = create_app(Settings(database_url=unreachable_url(migrated, tmp_path), var_dir=tmp_path))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            assert (await client.get("/healthz")).status_code == 200
            ready = await client.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["status"] == "unavailable"
            assert ready.json()["checks"]["database"] == "unreachable"
            anonymous = await client.post("/graphql", json={"query": "{ domains { code } }"})
            codes = [e["extensions"]["code"] for e in anonymous.json()["errors"]]
            assert codes and set(codes) == {"SERVICE_UNAVAILABLE"}, anonymous.text
            signed_in = await client.post(
                "/graphql", json={"query": "{ domains { code } }"}, headers={"Authorization": f"Bearer {token}"}
            )
            assert signed_in.status_code == 503
            assert signed_in.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
            download = await client.get("/files/1", headers={"Authorization": f"Bearer {token}"})
            assert download.status_code == 503
            assert download.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
            assert "数据库" in download.json()["errors"][0]["message"]
    finally:
        await app.state.engine.dispose()


async def test_readyz_names_migrations_behind(migrated: Settings, tmp_path: Path) -> None:
    if migrated.database_url.startswith("postgresql"):
        return  # one database per run there; the SQLite pass checks this with a copy of the file
    source = Path(migrated.database_url.split("///", 1)[1])
    copy = tmp_path / "behind.sqlite3"
    # Through SQLite's backup API, not shutil.copy: closing another descriptor of a file this process
    # has open in SQLite drops its POSIX locks, and the live servers of later tests then corrupt it.
    with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(copy)) as db:
        live.backup(db)
        db.execute("UPDATE alembic_version SET version_num = 'old'")
        db.commit()
    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{copy}", var_dir=tmp_path))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            ready = await client.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["checks"] == {"database": "ok", "migrations": "not at head (old)", "files": "ok"}
    finally:
        await app.state.engine.dispose()
