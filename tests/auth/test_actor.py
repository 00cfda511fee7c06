"""api/auth/actor.py: ``Actor.can`` decides from the grant paths what Casbin decides at each prefix."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from api.auth.actor import Actor
from api.auth.enforcer import ANONYMOUS, Authorizer

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
