"""The database goes away under load: clear answers during the cut, recovery without a restart.

A TCP proxy between a real `gongkai serve` and PostgreSQL drops every connection and refuses new
ones for a moment, as a restart of the database does.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from api.models import InfoRequest, OrganizationKind, UnitKind
from api.services import units
from api.settings import Settings

from .documents_fixtures import credit, gid
from .live import free_port, live_server


class CuttableProxy:
    """Forwards 127.0.0.1:port to the database from its own thread and event loop (the test's
    loop blocks while it starts the server); `cut()` drops everything until `restore()`."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=10)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        with contextlib.suppress(Exception):
            writer.close()

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.close()
            return
        self.writers |= {client_writer, upstream_writer}
        try:
            await asyncio.gather(self._pipe(client_reader, upstream_writer), self._pipe(upstream_reader, client_writer))
        finally:
            self.writers -= {client_writer, upstream_writer}

    async def _listen(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port, reuse_address=True)

    async def _cut(self) -> None:
        if self.server is None:
            return
        self.server.close()
        for writer in list(self.writers):
            writer.transport.abort()
        await self.server.wait_closed()
        self.server = None

    def start(self) -> None:
        self._call(self._listen())

    def cut(self) -> None:
        self._call(self._cut())

    def restore(self) -> None:
        self._call(self._listen())

    def stop(self) -> None:
        self._call(self._cut())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@dataclass
class Outcome:
    started: float
    kind: str  # "read" or "write"
    ok: bool
    code: str | None = None
    tracking: str | None = None
    detail: str = ""


@dataclass
class Load:
    outcomes: list[Outcome] = field(default_factory=list)


SUBMIT = """mutation Submit($input: InfoRequestInput!) { submitInfoRequest(input: $input) {
  trackingCode errors { code message } } }"""
READ = "query Read { domains { code } units(first: 5) { totalCount } }"


def classify(response: httpx.Response) -> tuple[bool, str | None, dict[str, Any] | None]:
    try:
        body = response.json()
    except ValueError:
        return False, f"HTTP {response.status_code} not JSON", None
    errors = body.get("errors") or []
    if response.status_code == 200 and not errors:
        return True, None, body
    codes = {(e.get("extensions") or {}).get("code") for e in errors}
    return False, ",".join(sorted(str(c) for c in codes)) or f"HTTP {response.status_code}", body


async def client_loop(base: str, org_id: str, load: Load, until: float, number: int) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=20) as http:
        i = 0
        while time.monotonic() < until:
            i += 1
            write = i % 3 == 0
            started = time.monotonic()
            payload: dict[str, Any]
            if write:
                payload = {"query": SUBMIT, "variables": {"input": {
                    "organizationId": org_id, "channel": "ONLINE", "applicantType": "NATURAL_PERSON",
                    "applicantName": f"申请人{number}-{i}", "description": "断线测试", "phone": "13800001234", "idNumber": "513425199001011234"}}}  # fmt: skip
            else:
                payload = {"query": READ}
            try:
                response = await http.post("/graphql", json=payload)
            except httpx.TransportError as exc:
                load.outcomes.append(Outcome(started, "write" if write else "read", False, None, None, repr(exc)))
                continue
            ok, code, body = classify(response)
            tracking = None
            if ok and write and body is not None:
                result = body["data"]["submitInfoRequest"]
                ok = result["errors"] == []
                code = None if ok else ",".join(e["code"] for e in result["errors"])
                tracking = result["trackingCode"]
            load.outcomes.append(Outcome(started, "write" if write else "read", ok, code, tracking))
            await asyncio.sleep(0.01)


async def test_database_cut_under_load(migrated: Settings, session: Any, system: Any, tmp_path: Path) -> None:
    if not migrated.database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL: .ci/run runs the suite against it as well")
    await units.create_unit(session, system, code="513425000000", name="会理县", kind=UnitKind.XIAN)
    org = await units.create_organization(session, system, unit_code="513425000000", name="县民政局",
                                          kind=OrganizationKind.DEPARTMENT, credit_code=credit(7))  # fmt: skip
    await session.commit()
    url = make_url(migrated.database_url)
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    proxy.start()
    via_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    try:
        with live_server(migrated, tmp_path, workers=2, database_url=via_proxy) as server:
            async with httpx.AsyncClient(base_url=server.base_url, timeout=20) as http:
                assert (await http.get("/readyz")).status_code == 200

                load = Load()
                start = time.monotonic()
                clients = [
                    asyncio.create_task(client_loop(server.base_url, gid("Organization", org.id), load, start + 4.5, n))
                    for n in range(6)
                ]
                await asyncio.sleep(1.2)
                cut_at = time.monotonic()
                proxy.cut()
                await asyncio.sleep(0.4)
                proxy.restore()
                restored_at = time.monotonic()
                await asyncio.gather(*clients)

                failed = [o for o in load.outcomes if not o.ok]
                assert failed, "the cut caused no failed request: the proxy did not cut"
                assert all(o.code == "SERVICE_UNAVAILABLE" for o in failed), [
                    (o.kind, o.code, o.detail) for o in failed if o.code != "SERVICE_UNAVAILABLE"
                ]
                after = [o for o in load.outcomes if o.started >= restored_at]
                assert len(after) >= 10, len(after)
                assert all(o.ok for o in after), [(o.kind, o.code) for o in after if not o.ok]
                assert any(o.started < cut_at and o.ok for o in load.outcomes)

                answered = {o.tracking for o in load.outcomes if o.ok and o.kind == "write"}
                stored = set((await session.execute(select(InfoRequest.tracking_code))).scalars())
                assert answered and answered <= stored, answered - stored

                # Readiness follows the database both ways, without a restart.
                proxy.cut()
                ready = await http.get("/readyz")
                assert ready.status_code == 503
                assert ready.json()["checks"]["database"] == "unreachable"
                down = await http.post("/graphql", json={"query": READ})
                assert classify(down)[1] == "SERVICE_UNAVAILABLE", down.text
                proxy.restore()
                ready = await http.get("/readyz")
                assert ready.status_code == 200, ready.text
                assert classify(await http.post("/graphql", json={"query": READ}))[0]
            log = server.log()
        assert "Traceback" not in log, log[-3000:]
    finally:
        proxy.stop()
