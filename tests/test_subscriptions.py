"""Subscriptions over graphql-transport-ws against real `gongkai serve` processes: on PostgreSQL two
servers on one database (an event crosses workers by NOTIFY), on SQLite one (in process)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from api.models import Role, UnitKind
from api.services import units
from api.settings import Settings

from .conftest import GraphQLClient
from .documents_fixtures import make_desk, publish
from .live import LiveServer, live_server

CLIENTS = Path(__file__).resolve().parent.parent / "clients"
CREATE_KIOSK = (CLIENTS / "web" / "CreateKiosk.graphql").read_text(encoding="utf-8")
REVOKE = "mutation($id: ID!) { revokeKiosk(id: $id) { device { active } errors { code } } }"
LOCAL_CHANGED = """subscription($u: String!) { localItemsChanged(unitCode: $u) {
  unitCode documents { id indexNo title publisher { name } } } }"""
COUNTY = "513425000000"
OTHER_COUNTY = "610202000000"


@contextmanager
def servers(settings: Settings, tmp_path: Path) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two servers on the test database (PostgreSQL); on SQLite the one server twice."""
    with live_server(settings, tmp_path / "a") as first:
        if not settings.database_url.startswith("postgresql"):
            yield first, first
            return
        with live_server(settings, tmp_path / "b") as second:
            yield first, second


@asynccontextmanager
async def socket(server: LiveServer, token: str | None) -> AsyncIterator[ClientConnection]:
    url = server.base_url.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        payload = {"Authorization": f"Bearer {token}"} if token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        yield ws


async def acked(ws: ClientConnection) -> None:
    assert json.loads(await asyncio.wait_for(ws.recv(), 5)) == {"type": "connection_ack"}


async def subscribe(ws: ClientConnection, op_id: str, query: str, variables: dict[str, Any]) -> None:
    await ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables}}))
    await asyncio.sleep(0.5)  # the server registers the operation in a task of its own


async def message(ws: ClientConnection, timeout: float) -> dict[str, Any] | None:
    try:
        return dict(json.loads(await asyncio.wait_for(ws.recv(), timeout)))
    except TimeoutError:
        return None


async def close_code(ws: ClientConnection, timeout: float = 3) -> int | None:
    """The code the server closes ``ws`` with (it must close within ``timeout``)."""
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), timeout)
    return closed.value.rcvd.code if closed.value.rcvd is not None else None


async def kiosk_of(gql: GraphQLClient, office: str, unit_code: str) -> dict[str, Any]:
    made = (await gql.data(CREATE_KIOSK, {"unitCode": unit_code, "name": "便民服务中心1号机"}, office))["createKiosk"]
    assert made["errors"] == [], made
    return dict(made)


async def two_counties(
    session: Any, system: Any, make_user: Any, gql: GraphQLClient
) -> tuple[Any, dict[str, Any], str]:
    desk = await make_desk(session, system, make_user)
    await units.create_unit(session, system, code=OTHER_COUNTY, name="印台区", kind=UnitKind.QU)
    office = await make_user("office", Role.DISTRICT_OFFICE, unit_code=COUNTY)
    other_office = await make_user("other_office", Role.DISTRICT_OFFICE, unit_code=OTHER_COUNTY)
    kiosk = await kiosk_of(gql, office, COUNTY)
    other = await kiosk_of(gql, other_office, OTHER_COUNTY)
    return desk, kiosk, other["token"]


@pytest.fixture
async def counties(gql: GraphQLClient, session: Any, system: Any, make_user: Any) -> tuple[Any, dict[str, Any], str]:
    """Two counties, a desk that publishes in the first, and a kiosk in each (the second's token)."""
    return await two_counties(session, system, make_user, gql)


async def test_a_publication_reaches_a_kiosk_on_the_other_worker_and_no_other_county(
    settings: Settings,
    migrated: Settings,
    tmp_path: Path,
    gql: GraphQLClient,
    counties: tuple[Any, dict[str, Any], str],
) -> None:
    desk, kiosk, other_token = counties
    with servers(settings, tmp_path) as (first, second):
        async with (
            socket(second, kiosk["token"]) as here,
            socket(second, other_token) as elsewhere,
            httpx.AsyncClient(base_url=first.base_url, timeout=30) as http,
        ):
            await acked(here)
            await acked(elsewhere)
            await subscribe(here, "1", LOCAL_CHANGED, {"u": COUNTY})
            await subscribe(elsewhere, "1", LOCAL_CHANGED, {"u": OTHER_COUNTY})
            doc = await publish(GraphQLClient(http), desk, title="关于调整城乡低保标准的通知")
            published = time.monotonic()
            got = await message(here, 1.0)
            took = time.monotonic() - published
            assert got is not None, "no event within 1 s"
            assert took < 1.0
            assert got["type"] == "next" and got["id"] == "1", got
            change = got["payload"]["data"]["localItemsChanged"]
            assert change["unitCode"] == COUNTY
            assert [d["id"] for d in change["documents"]] == [doc["id"]]
            assert change["documents"][0]["title"] == "关于调整城乡低保标准的通知"
            assert change["documents"][0]["indexNo"] == doc["indexNo"]
            assert await message(elsewhere, 1.5) is None


async def test_a_kiosk_whose_token_is_revoked_is_disconnected(
    settings: Settings,
    migrated: Settings,
    tmp_path: Path,
    gql: GraphQLClient,
    counties: tuple[Any, dict[str, Any], str],
) -> None:
    _desk, kiosk, _other = counties
    office = await gql.login("office")
    with servers(settings, tmp_path) as (first, second):
        async with socket(second, kiosk["token"]) as ws, httpx.AsyncClient(base_url=first.base_url) as http:
            await acked(ws)
            await subscribe(ws, "1", LOCAL_CHANGED, {"u": COUNTY})
            revoked = await GraphQLClient(http).data(REVOKE, {"id": kiosk["device"]["id"]}, office)
            assert revoked["revokeKiosk"]["errors"] == []
            assert await close_code(ws) == 4401
        async with socket(second, kiosk["token"]) as ws:  # and cannot come back
            assert await close_code(ws) == 4401


async def test_refusals_and_limits(
    settings: Settings,
    migrated: Settings,
    tmp_path: Path,
    gql: GraphQLClient,
    counties: tuple[Any, dict[str, Any], str],
) -> None:
    _desk, kiosk, _other = counties
    with live_server(settings, tmp_path / "a") as server:
        async with socket(server, "not-a-token") as ws:
            assert await close_code(ws) == 4401
        async with socket(server, kiosk["token"]) as ws:
            await acked(ws)
            await ws.send(json.dumps({"id": "1", "type": "subscribe",
                                      "payload": {"query": LOCAL_CHANGED, "variables": {"u": OTHER_COUNTY}}}))  # fmt: skip
            got = await message(ws, 3)
            assert got is not None and got["type"] in ("next", "error"), got
            errors = got["payload"]["errors"] if got["type"] == "next" else got["payload"]
            assert errors[0]["extensions"]["code"] == "FORBIDDEN", got
            if got["type"] == "next":
                assert await message(ws, 3) == {"id": "1", "type": "complete"}
            await ws.send(json.dumps({"type": "ping", "payload": {"x": "长" * (64 * 1024)}}))
            assert await close_code(ws) == 1009
        async with socket(server, None) as ws:  # the public may subscribe where it may query
            await acked(ws)
            await subscribe(ws, "1", LOCAL_CHANGED, {"u": COUNTY})
            assert await message(ws, 0.3) is None


async def test_an_anonymous_socket_runs_trusted_documents_only_when_told(
    settings: Settings,
    migrated: Settings,
    tmp_path: Path,
    gql: GraphQLClient,
    counties: tuple[Any, dict[str, Any], str],
) -> None:
    trusted = (CLIENTS / "kiosk" / "LocalItemsChanged.graphql").read_text(encoding="utf-8")
    with live_server(settings, tmp_path / "a", env={"GONGKAI_ANONYMOUS_TRUSTED_ONLY": "true"}) as server:
        async with socket(server, None) as ws:
            await acked(ws)
            await ws.send(json.dumps({"id": "1", "type": "subscribe",
                                      "payload": {"query": LOCAL_CHANGED, "variables": {"u": COUNTY}}}))  # fmt: skip
            refused = await message(ws, 3)
            assert refused is not None and refused["type"] == "error", refused
            assert refused["payload"][0]["extensions"]["code"] == "TRUSTED_DOCUMENT_REQUIRED"
            assert "受信任的文档" in refused["payload"][0]["message"]
            await subscribe(ws, "2", trusted, {"unitCode": COUNTY})  # the kiosk page's own document
            assert await message(ws, 0.3) is None  # accepted: nothing has changed yet
