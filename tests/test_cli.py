"""The command line: settings, import-units, serve (a real uvicorn on both address families)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from api.settings import Settings, SettingsError

from .conftest import GraphQLClient
from .live import ipv6_loopback, live_server


def run_cli(settings: Settings, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GONGKAI_DATABASE_URL": settings.database_url,
        "GONGKAI_VAR_DIR": str(settings.var_dir),
        "GONGKAI_PASSWORD_HASH": settings.password_hash,
    }
    env.pop("GONGKAI_ENV", None)
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_production_refuses_to_start_without_secret() -> None:
    with pytest.raises(SettingsError, match="GONGKAI_SECRET_KEY"):
        Settings.from_env({"GONGKAI_ENV": "production"})
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "migrate"],
        capture_output=True,
        text=True,
        env={**os.environ, "GONGKAI_ENV": "production", "GONGKAI_SECRET_KEY": ""},
        timeout=60,
    )
    assert result.returncode != 0
    assert "GONGKAI_SECRET_KEY is required in production" in result.stderr
    assert "Traceback" not in result.stderr


def test_settings_defaults_to_sqlite_under_var() -> None:
    settings = Settings.from_env({})
    assert settings.database_url.startswith("sqlite+aiosqlite:///var/")
    assert not settings.production


CODES = """统计用区划代码,名称,城乡分类代码
513425000000,会理县,
513425101000,鹿厂镇,
513425101001,铜矿村委会,220
513425101002,鹿厂社区居委会,111
513425001000,城南街道,
"""


async def test_import_units_is_idempotent(migrated: Settings, tmp_path: Path, gql: GraphQLClient) -> None:
    path = tmp_path / "codes.csv"
    path.write_text(CODES, encoding="utf-8")
    first = run_cli(migrated, "import-units", str(path))
    assert "新建 5" in first.stdout
    second = run_cli(migrated, "import-units", str(path))
    assert "新建 0" in second.stdout and "未变 5" in second.stdout
    data = await gql.data('{ unit(code: "513425101002") { kind level parent { name } ancestors { code } } }')
    assert data["unit"] == {
        "kind": "SHEQU",
        "level": "VILLAGE",
        "parent": {"name": "鹿厂镇"},
        "ancestors": [{"code": "513425000000"}, {"code": "513425101000"}],
    }
    jiedao = await gql.data('{ unit(code: "513425001000") { kind } }')
    assert jiedao["unit"]["kind"] == "JIEDAO"


async def test_import_units_bad_row_commits_nothing(migrated: Settings, tmp_path: Path, gql: GraphQLClient) -> None:
    path = tmp_path / "codes.csv"
    path.write_text(CODES + "51342510200,坏行\n", encoding="utf-8")
    result = run_cli(migrated, "import-units", str(path), check=False)
    assert result.returncode != 0
    assert "第7行" in result.stderr and "12位" in result.stderr
    assert "Traceback" not in result.stderr
    data = await gql.data("{ units { totalCount } }")
    assert data["units"]["totalCount"] == 0


async def test_import_units_missing_parent(migrated: Settings, tmp_path: Path, gql: GraphQLClient) -> None:
    path = tmp_path / "codes.csv"
    path.write_text("513425000000,会理县\n513425102001,某村\n", encoding="utf-8")
    result = run_cli(migrated, "import-units", str(path), check=False)
    assert result.returncode != 0 and "第2行" in result.stderr and "513425102000" in result.stderr
    assert (await gql.data("{ units { totalCount } }"))["units"]["totalCount"] == 0


def test_serve_answers_on_ipv4_and_ipv6(migrated: Settings, tmp_path: Path) -> None:
    hosts = ("127.0.0.1", "::1") if ipv6_loopback() else ("127.0.0.1",)
    with live_server(migrated, tmp_path, hosts=hosts) as server:
        for host in hosts:
            url = f"http://{f'[{host}]' if ':' in host else host}:{server.port}/graphql"
            response = httpx.post(url, json={"query": "{ domains { code name } }"}, timeout=10)
            assert response.status_code == 200
            assert len(response.json()["data"]["domains"]) == 26


def test_schema_snapshot_is_current(repo_root: Path) -> None:
    from schema import schema

    committed = (repo_root / "clients" / "schema.graphql").read_text(encoding="utf-8")
    assert committed.strip() == schema.as_str().strip(), "clients/schema.graphql is stale: run `make schema`"


def test_schema_has_no_breaking_change_against_release(repo_root: Path) -> None:
    from graphql import build_schema, find_breaking_changes

    from schema import schema

    released = repo_root / "clients" / "schema.released.graphql"
    changes = find_breaking_changes(build_schema(released.read_text(encoding="utf-8")), schema._schema)
    assert changes == [], [c.description for c in changes]
