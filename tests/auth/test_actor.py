"""api/auth/actor.py: ``Actor.can`` decides from the grant paths what Casbin decides at each
prefix; the actor cache holds no longer than the sign-in session and the account it was read from."""

from __future__ import annotations

import asyncio
import itertools
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api.auth.actor import Actor
from api.auth.enforcer import ANONYMOUS, Authorizer
from api.models import User
from api.services import accounts
from api.settings import Settings

from ..conftest import GraphQLClient
from ..live import live_server

POLICIES = Path(__file__).resolve().parents[2] / "policies"
COUNTY = "513425"
TOWN = "513425/513425101"
VILLAGE = "513425/513425101/513425101201"
PATHS = [
    "*",
    COUNTY,
    f"{COUNTY}/org:3",
    TOWN,
    f"{TOWN}/org:17",
    VILLAGE,
    f"{VILLAGE}/org:40",
    "513426",  # another county
    "513426/513426102/org:9",
    "5134251",  # a path that merely starts with the county's characters
]


def policy_lines() -> list[tuple[str, str, str]]:
    lines = []
    for raw in (POLICIES / "policy.csv").read_text(encoding="utf-8").splitlines():
        parts = [p.strip() for p in raw.split(",")]
        if parts and parts[0] == "p":
            lines.append((parts[1], parts[2], parts[3]))
    return lines


@pytest.fixture
def authorizer(app: Any) -> Authorizer:
    return app.state.gongkai.authorizer


def test_every_policy_line_is_read() -> None:
    lines = policy_lines()
    assert len(lines) > 20
    assert any(sub == ANONYMOUS for sub, _, _ in lines)


@pytest.mark.parametrize("grant_path", [COUNTY, TOWN, VILLAGE, f"{TOWN}/org:17", "*"])
def test_can_equals_the_casbin_enforcement_at_each_prefix(authorizer: Authorizer, grant_path: str) -> None:
    lines = policy_lines()
    roles = sorted({sub for sub, _, _ in lines if sub != ANONYMOUS})
    actions = sorted({(obj, act) for _, obj, act in lines} | {("document", "nothing")})
    for index, role in enumerate(roles):
        subject = f"user:test-actor-{index}"
        grants = [(role, grant_path)]
        authorizer.sync_subject(subject, grants)
        actor = Actor(authorizer=authorizer, grants=grants)
        try:
            for (obj, act), path in itertools.product(actions, PATHS):
                expected = authorizer.can(subject, obj, act, path)
                assert actor.can(obj, act, path) is expected, (role, grant_path, obj, act, path)
        finally:
            authorizer.sync_subject(subject, [])


def test_the_anonymous_caller_can_what_the_anonymous_lines_allow(authorizer: Authorizer) -> None:
    actor = Actor(authorizer=authorizer)
    allowed = {(obj, act) for sub, obj, act in policy_lines() if sub == ANONYMOUS}
    assert allowed
    for (obj, act), path in itertools.product(allowed | {("document", "read_staff")}, PATHS):
        assert actor.can(obj, act, path) is authorizer.can(ANONYMOUS, obj, act, path), (obj, act, path)
    assert not actor.can("document", "read_staff", COUNTY)


# --- the actor cache (ActorCache): a staff member's actor per sign-in session ---

ME = "{ me { username } }"


async def test_a_signed_in_request_reads_the_actor_once_per_session(
    gql: GraphQLClient, make_user: Any, statement_counter: Any
) -> None:
    token = await make_user("clerk")
    first = await gql.data(ME, token=token)
    statement_counter.start()
    again = await gql.data(ME, token=token)
    assert statement_counter.stop() == 1, statement_counter.statements  # the change counters only
    assert first == again == {"me": {"username": "clerk"}}


async def test_a_cached_actor_changes_its_own_password(gql: GraphQLClient, make_user: Any) -> None:
    """The cached actor's user is the request's own row: what a mutation changes on it is written."""
    token = await make_user("clerk")
    await gql.data(ME, token=token)
    changed = await gql.data(
        'mutation { changePassword(currentPassword: "test-password-1", newPassword: "Another-pass-92") { errors { code } } }',
        token=token,
    )
    assert changed["changePassword"]["errors"] == []
    assert await gql.login("clerk", "Another-pass-92")
    assert (await gql.data(ME, token=token))["me"] == {"username": "clerk"}  # this session goes on


async def test_an_ending_on_one_worker_holds_on_the_other_that_cached_the_actor(
    migrated: Settings, tmp_path: Path, gql: GraphQLClient, make_user: Any, session: Any, system: Any
) -> None:
    """Two `gongkai serve` processes: B caches the actor; a logout, then a deactivation, through A
    refuse B's very next request."""
    leaving = await make_user("leaving")
    staying = await make_user("staying")
    with live_server(migrated, tmp_path / "a") as a, live_server(migrated, tmp_path / "b") as b:
        async with httpx.AsyncClient(base_url=a.base_url) as http_a, httpx.AsyncClient(base_url=b.base_url) as http_b:
            on_a, on_b = GraphQLClient(http_a), GraphQLClient(http_b)
            for token in (leaving, staying):
                for _ in range(2):
                    assert (await on_b.data(ME, token=token))["me"]
            logout = await on_a.data("mutation { logout { errors { code } } }", token=leaving)
            assert logout["logout"]["errors"] == []
            refused = await on_b.raw(ME, token=leaving)
            assert refused.status_code == 401 and "退出" in refused.json()["errors"][0]["message"]
            assert (await on_b.data(ME, token=staying))["me"] == {"username": "staying"}

            user = (await session.execute(select(User).where(User.username == "staying"))).scalar_one()
            await accounts.deactivate_user(session, system, user_id=user.id)
            refused = await on_b.raw(ME, token=staying)
            assert refused.status_code == 401, refused.text


async def test_an_idle_session_ends_on_the_worker_that_cached_it(
    migrated: Settings, tmp_path: Path, gql: GraphQLClient, make_user: Any
) -> None:
    """In real time, with 3 seconds of idle (a touch due every 0.3 s): requests keep it open past
    the idle time, a pause longer than it ends it, though the worker had the actor cached."""
    env = {"GONGKAI_SESSION_IDLE_MINUTES": "0.05"}
    with live_server(migrated, tmp_path / "s", env=env) as server:
        token = await make_user("clerk")  # signed in once the server is up: 3 s pass quickly
        async with httpx.AsyncClient(base_url=server.base_url) as http:
            served = GraphQLClient(http)
            started = time.monotonic()
            while time.monotonic() - started < 4:
                assert (await served.data(ME, token=token))["me"]
                await asyncio.sleep(0.5)
            await asyncio.sleep(3.5)
            refused = await served.raw(ME, token=token)
            assert refused.status_code == 401 and "未操作" in refused.json()["errors"][0]["message"], refused.text
