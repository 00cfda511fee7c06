"""Accounts against a real `gongkai serve`: the rules hold on every worker, and a flood of wrong
logins (argon2 at its production cost) does not hold up other clients."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from api.models import Role
from api.services import accounts
from api.settings import Settings

from ..conftest import PASSWORD
from ..live import LiveServer, live_server
from ..probe import assert_unblocked, bystander

LOGIN = (
    "mutation Login($u: String!, $p: String!) { login(username: $u, password: $p) { token errors { code message } } }"
)
ME = "query Me { me { username } }"


def gid(pk: int) -> str:
    return base64.b64encode(f"User:{pk}".encode()).decode()


def post(
    server: LiveServer,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
    client: httpx.Client | None = None,
) -> tuple[str, httpx.Response]:
    """One request on a new connection (the kernel hands it to either worker), with its request id."""
    rid = uuid.uuid4().hex
    headers = {"X-Request-Id": rid, **({"Authorization": f"Bearer {token}"} if token else {})}
    body = {"query": query, "variables": variables or {}}
    if client is None:
        return rid, httpx.post(server.base_url + "/graphql", json=body, headers=headers, timeout=30)
    return rid, client.post(server.base_url + "/graphql", json=body, headers={**headers, "Connection": "close"})


def worker(server: LiveServer, rid: str) -> int:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for line in server.log().splitlines():
            if rid in line and line.startswith("{"):
                entry = json.loads(line)
                if entry.get("request_id") == rid and entry.get("event") == "request":
                    return int(entry["pid"])
        time.sleep(0.05)
    raise AssertionError(f"no log line for request {rid}")


def on_both_workers(server: LiveServer, send: Callable[[], tuple[str, httpx.Response]]) -> list[httpx.Response]:
    """Send until each of the two workers has answered once; their answers."""
    answers: dict[int, httpx.Response] = {}
    for _ in range(60):
        rid, response = send()
        answers.setdefault(worker(server, rid), response)
        if len(answers) == 2:
            return list(answers.values())
    raise AssertionError(f"only worker(s) {list(answers)} answered")


def login(server: LiveServer, username: str, password: str = PASSWORD, client: httpx.Client | None = None) -> Any:
    return post(server, LOGIN, {"u": username, "p": password}, client=client)[1].json()["data"]["login"]


async def test_the_account_rules_hold_on_every_worker(
    migrated: Settings, session: Any, system: Any, tmp_path: Path
) -> None:
    admin = await accounts.create_user(session, system, username="root", display_name="root", password=PASSWORD)
    await accounts.grant_role(session, system, user_id=admin.id, role=Role.DISTRICT_OFFICE)
    users = {}
    for name in ("locked", "idle", "leaving", "stopped"):
        users[name] = await accounts.create_user(session, system, username=name, display_name=name, password=PASSWORD)
    await session.commit()
    idle = 3.0  # seconds (the default is 30 minutes)
    env = {"GONGKAI_SESSION_IDLE_MINUTES": str(idle / 60)}
    with live_server(migrated, tmp_path, workers=2, env=env) as server:
        # The password rule.
        root = login(server, "root")["token"]
        weak = 'mutation { createUser(input: {username: "weak", displayName: "w", password: "12345678"}) { errors { field code } } }'
        for answer in on_both_workers(server, lambda: post(server, weak, token=root)):
            assert answer.json()["data"]["createUser"]["errors"] == [
                {"field": "password", "code": "PASSWORD_TOO_SIMPLE"}
            ]

        # Five failures through either worker lock the account on both (from another loopback address,
        # so that this address stays free for the rest of the test).
        with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=30) as other:
            codes = [login(server, "locked", "Wrong-password-9", other)["errors"][0]["code"] for _ in range(5)]
            assert codes == ["INVALID_CREDENTIALS"] * 5
        for answer in on_both_workers(server, lambda: post(server, LOGIN, {"u": "locked", "p": PASSWORD})):
            assert answer.json()["data"]["login"]["errors"][0]["code"] == "ACCOUNT_LOCKED"

        # A session kept busy outlives the idle time on both workers; left alone, it ends on both.
        token = login(server, "idle")["token"]
        started = time.monotonic()
        while time.monotonic() - started < idle * 1.7:
            assert post(server, ME, token=token)[1].status_code == 200
            time.sleep(idle / 4)
        time.sleep(idle + 0.5)
        for answer in on_both_workers(server, lambda: post(server, ME, token=token)):
            assert answer.status_code == 401 and "未操作" in answer.json()["errors"][0]["message"]

        # Logout through one worker ends the token on both.
        token = login(server, "leaving")["token"]
        assert (
            post(server, "mutation { logout { errors { code } } }", token=token)[1].json()["data"]["logout"]["errors"]
            == []
        )
        for answer in on_both_workers(server, lambda: post(server, ME, token=token)):
            assert answer.status_code == 401

        # Deactivation through one worker: the token and the password stop on both.
        token = login(server, "stopped")["token"]
        root = login(server, "root")["token"]
        deactivate = "mutation($i: ID!) { deactivateUser(id: $i) { errors { code } } }"
        answer = post(server, deactivate, {"i": gid(users["stopped"].id)}, token=root)[1]
        assert answer.json()["data"]["deactivateUser"]["errors"] == []
        for answer in on_both_workers(server, lambda: post(server, ME, token=token)):
            assert answer.status_code == 401
        with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.3"), timeout=30) as other:
            send = lambda: post(server, LOGIN, {"u": "stopped", "p": PASSWORD}, client=other)  # noqa: E731
            for answer in on_both_workers(server, send):
                assert answer.json()["data"]["login"]["token"] is None
                assert answer.json()["data"]["login"]["errors"][0]["code"] in {"INVALID_CREDENTIALS", "ACCOUNT_LOCKED"}


def flood(server: LiveServer, seconds: float, *, spoofed: bool, answers: int = 10**6, locked: int = 10**6) -> list[str]:
    """Wrong logins from 6 clients for at most ``seconds`` (at most 60 each), or until there were
    ``answers`` answers or ``locked`` ACCOUNT_LOCKED ones; the codes answered."""
    codes: list[str] = []
    stop = time.monotonic() + seconds

    def attack(n: int) -> None:
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            for i in range(60):
                if time.monotonic() > stop or len(codes) >= answers or codes.count("ACCOUNT_LOCKED") >= locked:
                    return
                # Through the trusted proxy, each guess from another address and at another account:
                # neither lock stops them, so every one is an argon2 verification.
                headers = {"X-Forwarded-For": f"198.51.{100 + n}.{i + 1}"} if spoofed else {}
                body = {"query": LOGIN, "variables": {"u": f"guess{n}x{i}", "p": "Wrong-password-9"}}
                answer = client.post("/graphql", json=body, headers=headers).json()
                codes.append(answer["data"]["login"]["errors"][0]["code"])

    threads = [threading.Thread(target=attack, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return codes


def test_a_flood_of_wrong_logins_does_not_block_other_clients(migrated: Settings, tmp_path: Path) -> None:
    env = {"GONGKAI_PASSWORD_HASH": "default", "GONGKAI_TRUSTED_PROXIES": "127.0.0.1"}
    with live_server(migrated, tmp_path, env=env) as server:
        with bystander(server.base_url) as watch:
            codes = flood(server, 30, spoofed=True, answers=12)
        assert len(codes) >= 12 and set(codes) == {"INVALID_CREDENTIALS"}, codes
        print(f"spoofed flood: {len(codes)} verifications, bystander worst {watch.worst * 1000:.0f} ms")
        assert_unblocked(watch)

        # From one address, the lock answers after five failures, without hashing.
        with bystander(server.base_url) as watch:
            codes = flood(server, 30, spoofed=False, locked=30)
        assert codes.count("INVALID_CREDENTIALS") <= 5 and codes.count("ACCOUNT_LOCKED") >= 30, codes
        assert set(codes) <= {"INVALID_CREDENTIALS", "ACCOUNT_LOCKED", "TOO_MANY_ATTEMPTS"}, codes
        print(f"one-address flood: {len(codes)} answers, bystander worst {watch.worst * 1000:.0f} ms")
        assert_unblocked(watch)
