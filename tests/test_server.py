"""`gongkai serve`: a real gunicorn with uvicorn workers, on both address families."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from api.models import Role
from api.services import accounts
from api.settings import Settings

from .conftest import PASSWORD
from .live import LiveServer, ipv6_loopback, live_server

AUDIT = "query AuditProbe { auditLog(first: 1) { totalCount } }"


def post(url: str, query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> tuple[str, Any]:
    """One request on a new connection (so the kernel may hand it to either worker); its request id."""
    rid = uuid.uuid4().hex
    headers = {"X-Request-Id": rid, **({"Authorization": f"Bearer {token}"} if token else {})}
    response = httpx.post(url + "/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["x-request-id"] == rid
    return rid, response.json()


def served_by(server: LiveServer, rid: str) -> int:
    """The worker that answered a request, from the server's JSON request log."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for line in server.log().splitlines():
            if rid in line and line.startswith("{"):
                entry = json.loads(line)
                if entry.get("request_id") == rid and entry.get("event") == "request":
                    return int(entry["pid"])
        time.sleep(0.05)
    raise AssertionError(f"no log line for request {rid}")


async def test_two_workers_on_ipv4_and_ipv6_share_grants_and_metrics(
    migrated: Settings, session: Any, system: Any, tmp_path: Path
) -> None:
    admin = await accounts.create_user(session, system, username="root", display_name="root", password=PASSWORD)
    await accounts.grant_role(session, system, user_id=admin.id, role=Role.DISTRICT_OFFICE)
    clerk = await accounts.create_user(session, system, username="clerk", display_name="clerk", password=PASSWORD)
    await session.commit()
    hosts = ("127.0.0.1", "::1") if ipv6_loopback() else ("127.0.0.1",)
    with live_server(migrated, tmp_path, hosts=hosts, workers=2) as server:
        v4 = f"http://127.0.0.1:{server.port}"
        urls = [v4] + ([f"http://[::1]:{server.port}"] if len(hosts) == 2 else [])
        pids: dict[str, set[int]] = {url: set() for url in urls}
        for _ in range(200):
            for url in urls:
                pids[url].add(httpx.get(url + "/healthz").json()["pid"])
            if all(len(p) == 2 for p in pids.values()):
                break
        assert all(len(p) == 2 for p in pids.values()), pids
        workers = set().union(*pids.values())
        assert len(workers) == 2

        login = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token errors { code } } }"
        signed_in = [post(v4, login, {"u": name, "p": PASSWORD})[1] for name in ("root", "clerk")]
        assert all(b.get("data") and b["data"]["login"]["token"] for b in signed_in), signed_in
        root, token = (b["data"]["login"]["token"] for b in signed_in)

        # Both workers answer the clerk's question once before the grant.
        before: dict[int, Any] = {}
        while len(before) < 2:
            rid, body = post(v4, AUDIT, token=token)
            before[served_by(server, rid)] = body
        for body in before.values():
            assert body.get("errors") or body["data"]["auditLog"]["totalCount"] == 0, body

        grant = "mutation($u: ID!) { grantRole(input: {userId: $u, role: AUDITOR}) { errors { code } } }"
        rid, body = post(v4, grant, {"u": accounts_gid(clerk.id)}, token=root)
        assert body.get("data") and body["data"]["grantRole"]["errors"] == [], body
        granting = served_by(server, rid)
        other = (workers - {granting}).pop()

        for _ in range(100):
            rid, body = post(urls[-1], AUDIT, token=token)
            if served_by(server, rid) == other:
                break
        else:
            raise AssertionError("the other worker never answered")
        assert "errors" not in body, body
        assert body["data"]["auditLog"]["totalCount"] >= 1

        # /metrics adds up what every worker counted.
        for _ in range(10):
            post(urls[0], "query MetricsProbe { domains { code } }")
        text = httpx.get(v4 + "/metrics").text
        counted = {
            sample.labels["outcome"]: sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == "gongkai_requests_total" and sample.labels.get("operation") == "MetricsProbe"
        }
        assert counted == {"ok": 10.0}, counted


def accounts_gid(pk: int) -> str:
    import base64

    return base64.b64encode(f"User:{pk}".encode()).decode()
