"""300 idle kiosk subscriptions on one worker (PostgreSQL): the worker's RSS and CPU over ~10 s idle
with them, and the time for one publication to reach all 300 (p50 and max). `make bench-subscriptions`.

Uses its own database (BENCH_SUBSCRIPTIONS_DATABASE, default gongkai_helper_w_subs on 127.0.0.1),
dropped and migrated each run."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from websockets.asyncio.client import ClientConnection, connect

from api.auth.actor import SystemActor
from api.auth.enforcer import Authorizer
from api.cli import migrate
from api.db import make_engine, make_sessionmaker
from api.models import OrganizationKind, Role, UnitKind
from api.services import accounts, units
from api.services.units import credit_check_char
from api.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.live import live_server  # noqa: E402

KIOSKS = int(os.environ.get("BENCH_KIOSKS", "300"))
IDLE_SECONDS = float(os.environ.get("BENCH_IDLE_SECONDS", "10"))
DATABASE = os.environ.get("BENCH_SUBSCRIPTIONS_DATABASE", "gongkai_helper_w_subs")
SERVER = "postgresql+asyncpg://gongkai:gongkai@127.0.0.1:5432"
PASSWORD = "test-password-1"
COUNTY = "513425000000"
SUBSCRIBE = 'subscription { localItemsChanged(unitCode: "513425000000") { documents { id title } } }'
CREATE = """mutation($input: CreateDocumentInput!) { createDocument(input: $input) { document { id version } } }"""
SUBMIT = "mutation($id: ID!, $v: Int!) { submitDocument(id: $id, version: $v) { document { id version } } }"
REVIEW = """mutation($id: ID!, $v: Int!, $k: Boolean) { reviewDocument(id: $id, version: $v, decision: APPROVE,
  confidentialityChecked: $k) { document { id version status } errors { code } } }"""


async def fresh_database() -> str:
    admin = create_async_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}"'))
        await conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    await admin.dispose()
    return f"{SERVER}/{DATABASE}"


async def populate(settings: Settings) -> tuple[list[str], str]:
    """A county, a department with its three reviewers, and KIOSKS kiosk devices: their tokens."""
    engine = make_engine(settings.database_url)
    authorizer = Authorizer(engine, settings.policy_dir)
    system = SystemActor(authorizer=authorizer, client_addr="bench")
    async with make_sessionmaker(engine)() as session:
        await units.create_unit(session, system, code=COUNTY, name="会理县", kind=UnitKind.XIAN)
        body = "11513425MB0000001"
        org = await units.create_organization(
            session, system, unit_code=COUNTY, name="县民政局", kind=OrganizationKind.DEPARTMENT,
            credit_code=body + credit_check_char(body),
        )  # fmt: skip
        for role in (Role.EDITOR, Role.REVIEWER, Role.APPROVER):
            user = await accounts.create_user(
                session, system, username=role.value, display_name=role.value, password=PASSWORD,
                organization_id=org.id,
            )  # fmt: skip
            await accounts.grant_role(session, system, user_id=user.id, role=role, organization_id=org.id)
        tokens = []
        for i in range(KIOSKS):
            token, _device = await accounts.create_kiosk(
                session, system, unit_code=COUNTY, name=f"终端{i}", secret=settings.secret_key
            )
            tokens.append(token)
    await engine.dispose()
    return tokens, str(org.id)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def worker_pid(arbiter: int) -> int:
    children = Path(f"/proc/{arbiter}/task/{arbiter}/children").read_text().split()
    return int(children[0])


async def subscribe(url: str, token: str) -> ClientConnection:
    ws = await connect(url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
    return ws


async def publish(http: httpx.AsyncClient, org_pk: str) -> None:
    tokens = {}
    for role in ("editor", "reviewer", "approver"):
        login = await http.post("/graphql", json={"query": "mutation($u: String!, $p: String!) { login(username: $u, "
                                                  "password: $p) { token } }", "variables": {"u": role, "p": PASSWORD}})  # fmt: skip
        tokens[role] = login.json()["data"]["login"]["token"]

    async def run(query: str, variables: dict[str, object], who: str) -> dict[str, object]:
        answer = await http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {tokens[who]}"},
        )
        data = answer.json()["data"]
        return dict(next(iter(data.values()))["document"])

    import base64

    publisher = base64.b64encode(f"Organization:{org_pk}".encode()).decode()
    doc = await run(CREATE, {"input": {"publisherId": publisher, "kind": "GOVERNMENT_INFO", "content": {
        "title": "关于调整城乡低保标准的通知", "body": "正文", "attribute": "PROACTIVE", "domainCode": "SOCIAL_ASSISTANCE"}}},
        "editor")  # fmt: skip
    doc = await run(SUBMIT, {"id": doc["id"], "v": doc["version"]}, "editor")
    doc = await run(REVIEW, {"id": doc["id"], "v": doc["version"]}, "editor")
    doc = await run(REVIEW, {"id": doc["id"], "v": doc["version"]}, "reviewer")
    doc = await run(REVIEW, {"id": doc["id"], "v": doc["version"], "k": True}, "approver")
    assert doc["status"] == "PUBLISHED", doc


async def main() -> None:
    url = await fresh_database()
    work = Path(tempfile.mkdtemp(prefix="gongkai-bench-subs-"))
    settings = Settings(database_url=url, var_dir=work, password_hash="fast")
    await asyncio.to_thread(migrate, settings)
    tokens, org_pk = await populate(settings)
    with live_server(settings, work, workers=1) as server:
        pid = worker_pid(server.process.pid)
        base_rss = rss_mb(pid)
        ws_url = server.base_url.replace("http://", "ws://") + "/graphql"
        sockets = [await subscribe(ws_url, t) for t in tokens]
        await asyncio.sleep(2)
        rss, cpu0, t0 = rss_mb(pid), cpu_seconds(pid), time.monotonic()
        await asyncio.sleep(IDLE_SECONDS)
        cpu = (cpu_seconds(pid) - cpu0) / (time.monotonic() - t0)
        idle_rss = rss_mb(pid)
        async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as http:
            waits = [asyncio.create_task(ws.recv()) for ws in sockets]
            done_at: list[float] = []
            for w in waits:
                w.add_done_callback(lambda _t: done_at.append(time.monotonic()))
            await publish(http, org_pk)
            published = time.monotonic()
            await asyncio.wait_for(asyncio.gather(*waits), 30)
        delays = sorted(max(0.0, t - published) * 1000 for t in done_at)
        for ws in sockets:
            await ws.close()
    print(f"subscriptions: {KIOSKS} idle kiosk subscriptions on one worker (PostgreSQL)")
    print(
        f"  worker RSS: {base_rss:.1f} MB before, {rss:.1f} MB with them, {idle_rss:.1f} MB after {IDLE_SECONDS:.0f} s idle"
    )
    print(f"  worker CPU while idle: {cpu * 100:.2f} % of one core")
    print(
        f"  one publication to all {len(delays)}: p50 {statistics.median(delays):.0f} ms, max {delays[-1]:.0f} ms "
        "(after the approving mutation's answer)"
    )


if __name__ == "__main__":
    asyncio.run(main())
