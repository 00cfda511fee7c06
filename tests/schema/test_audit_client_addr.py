"""The client address an audit row records: X-Forwarded-For is believed only from GONGKAI_TRUSTED_PROXIES."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api.app import create_app
from api.models import AuditEntry
from api.services import accounts
from api.settings import Settings, SettingsError

from ..conftest import PASSWORD
from ..live import live_server

LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token errors { code } } }"


async def last_address(session: Any) -> str | None:
    session.expire_all()
    return (await session.execute(select(AuditEntry.client_addr).order_by(AuditEntry.id.desc()).limit(1))).scalar()


async def test_a_same_host_proxy_is_not_believed_unless_trusted(
    migrated: Settings, session: Any, system: Any, tmp_path: Path
) -> None:
    await accounts.create_user(session, system, username="clerk", display_name="clerk", password=PASSWORD)
    with live_server(migrated, tmp_path) as server:  # uvicorn alone would believe 127.0.0.1's header
        body = {"query": LOGIN, "variables": {"u": "clerk", "p": PASSWORD}}
        answer = httpx.post(server.base_url + "/graphql", json=body, headers={"X-Forwarded-For": "198.51.100.9"})
        assert answer.json()["data"]["login"]["token"]
    assert await last_address(session) == "127.0.0.1"


@pytest.mark.parametrize(
    ("forwarded", "recorded"),
    [
        ("198.51.100.9", "198.51.100.9"),
        ("192.0.2.1, 198.51.100.9", "198.51.100.9"),  # the client may write the left part itself
        ("198.51.100.9, 203.0.113.8", "198.51.100.9"),  # 203.0.113.8: a second trusted proxy
        ("[2001:db8::5]:443", "2001:db8::5"),
        ("<script>", "203.0.113.7"),
        ("", "203.0.113.7"),
    ],
)
async def test_a_trusted_proxy_names_the_client(
    migrated: Settings, session: Any, system: Any, forwarded: str, recorded: str
) -> None:
    await accounts.create_user(session, system, username="clerk", display_name="clerk", password=PASSWORD)
    settings = dataclasses.replace(migrated, trusted_proxies=("203.0.113.7/32", "203.0.113.8"))
    app = create_app(settings)
    try:
        await app.state.gongkai.authorizer.ensure_loaded()
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4711))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            body = {"query": LOGIN, "variables": {"u": "clerk", "p": PASSWORD}}
            answer = await client.post("/graphql", json=body, headers={"X-Forwarded-For": forwarded})
            assert answer.json()["data"]["login"]["token"], answer.text
    finally:
        await app.state.engine.dispose()
    assert await last_address(session) == recorded


def test_trusted_proxies_must_be_addresses() -> None:
    assert Settings.from_env({"GONGKAI_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8 ,::1"}).trusted_proxies == (
        "127.0.0.1/32",
        "10.0.0.0/8",
        "::1/128",
    )
    with pytest.raises(SettingsError, match="GONGKAI_TRUSTED_PROXIES"):
        Settings.from_env({"GONGKAI_TRUSTED_PROXIES": "proxy.example"})
