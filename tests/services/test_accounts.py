"""Accounts (等保 2.0 身份鉴别): the password rule, the sign-in lock, one login per request,
sessions that end (logout, idle, deactivation, a new password), through GraphQL on the real app."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from api.auth.tokens import issue_token
from api.models import AuditEntry, LoginThrottle, Role, User, UserSession
from api.models.base import utcnow
from api.services import accounts

from ..conftest import PASSWORD, GraphQLClient

LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token idleMinutes expiresAt errors { field code message } } }"
CREATE = """mutation($p: String!) { createUser(input: {username: "clerk", displayName: "办事员", password: $p}) {
  user { id } errors { field code message } } }"""
ME = "{ me { username } }"


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


async def login(gql: GraphQLClient, username: str, password: str = PASSWORD) -> dict[str, Any]:
    return (await gql.data(LOGIN, {"u": username, "p": password}))["login"]


async def actions(session: Any) -> list[str]:
    session.expire_all()
    return list((await session.execute(select(AuditEntry.action).order_by(AuditEntry.id))).scalars())


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("12345678", "PASSWORD_TOO_SIMPLE"),
        ("password", "PASSWORD_TOO_SIMPLE"),
        ("        ", "PASSWORD_TOO_SIMPLE"),
        ("Abc-12", "PASSWORD_TOO_SHORT"),
        ("Password1", "PASSWORD_COMMON"),
        ("P@ssw0rd", "PASSWORD_COMMON"),
        ("Qwerty123", "PASSWORD_COMMON"),
        ("Clerk-2026", "PASSWORD_GUESSABLE"),
        ("Aa1aaaaaaa", "PASSWORD_GUESSABLE"),
    ],
)
async def test_weak_passwords_are_refused_with_a_chinese_message(
    gql: GraphQLClient, make_user: Any, password: str, code: str
) -> None:
    admin = await make_user("admin", Role.DISTRICT_OFFICE)
    data = await gql.data(CREATE, {"p": password}, admin)
    [error] = data["createUser"]["errors"]
    assert (error["field"], error["code"]) == ("password", code)
    assert any("\u4e00" <= c <= "\u9fff" for c in error["message"]), error
    assert data["createUser"]["user"] is None


async def test_a_strong_password_is_accepted_and_signs_in(gql: GraphQLClient, make_user: Any) -> None:
    admin = await make_user("admin", Role.DISTRICT_OFFICE)
    data = await gql.data(CREATE, {"p": "Huili-Minzheng-73"}, admin)
    assert data["createUser"]["errors"] == []
    signed_in = await login(gql, "clerk", "Huili-Minzheng-73")
    assert signed_in["token"] and signed_in["idleMinutes"] == 30 and signed_in["expiresAt"]


async def test_the_command_line_and_the_demo_keep_the_rule(session: Any, system: Any) -> None:
    from api.demo.data import DEMO_PASSWORD
    from api.errors import UserInputError

    with pytest.raises(UserInputError) as refused:
        await accounts.create_user(session, system, username="ops", display_name="运维", password="12345678")
    assert refused.value.field == "password"
    await accounts.create_user(session, system, username="ops", display_name="运维", password=DEMO_PASSWORD)


async def test_five_failures_lock_the_account_for_fifteen_minutes(
    gql: GraphQLClient, make_user: Any, session: Any
) -> None:
    await make_user("clerk")
    for _ in range(4):
        assert (await login(gql, "clerk", "Wrong-password-9"))["errors"][0]["code"] == "INVALID_CREDENTIALS"
    fifth = (await login(gql, "clerk", "Wrong-password-9"))["errors"][0]
    assert fifth["code"] == "INVALID_CREDENTIALS" and "锁定" in fifth["message"]
    locked = await login(gql, "clerk")  # the right password, now refused unchecked
    assert locked["token"] is None
    assert locked["errors"][0]["field"] == "username" and locked["errors"][0]["code"] == "ACCOUNT_LOCKED"
    session.expire_all()
    row = await session.get(LoginThrottle, "account:clerk")
    assert timedelta(minutes=14) < row.locked_until - utcnow() <= timedelta(minutes=15)
    assert (await actions(session))[-6:] == ["account.login_failed"] * 5 + ["account.login_locked"]

    # Fifteen minutes later (the lock's end moved back) the right password signs in again.
    await session.execute(update(LoginThrottle).values(locked_until=utcnow() - timedelta(seconds=1)))
    await session.commit()
    assert (await login(gql, "clerk"))["token"]


async def test_failures_from_one_address_lock_it_for_every_account(gql: GraphQLClient, make_user: Any) -> None:
    await make_user("clerk")
    for name in ("nobody1", "nobody2", "nobody3", "nobody4", "nobody5"):
        assert (await login(gql, name, "Wrong-password-9"))["errors"][0]["code"] == "INVALID_CREDENTIALS"
    refused = await login(gql, "clerk")
    assert refused["errors"][0]["code"] == "ACCOUNT_LOCKED"


async def test_a_success_resets_the_account_but_not_the_address(gql: GraphQLClient, make_user: Any) -> None:
    await make_user("clerk")
    for _ in range(4):
        await login(gql, "clerk", "Wrong-password-9")
    assert (await login(gql, "clerk"))["token"]  # the account's count starts again
    assert (await login(gql, "clerk", "Wrong-password-9"))["errors"][0]["code"] == "INVALID_CREDENTIALS"
    # ... but the address has had five failures now
    assert (await login(gql, "clerk"))["errors"][0]["code"] == "ACCOUNT_LOCKED"


async def test_one_login_per_request(gql: GraphQLClient, make_user: Any) -> None:
    await make_user("clerk")
    guesses = " ".join(
        f'g{i}: login(username: "clerk", password: "Guess-number-{i}") {{ token errors {{ code }} }}' for i in range(15)
    )
    data = await gql.data(f"mutation {{ {guesses} }}")
    codes = [data[f"g{i}"]["errors"][0]["code"] for i in range(15)]
    assert codes == ["INVALID_CREDENTIALS"] + ["ONE_LOGIN_PER_REQUEST"] * 14
    # One guess was counted, so four more are allowed before the lock; then the right one works.
    right = f'a: login(username: "clerk", password: "{PASSWORD}") {{ token }} b: login(username: "clerk", password: "{PASSWORD}") {{ token errors {{ code }} }}'
    data = await gql.data(f"mutation {{ {right} }}")
    assert data["a"]["token"] and data["b"]["errors"] == [{"code": "ONE_LOGIN_PER_REQUEST"}]


async def test_logout_ends_the_token_at_once(gql: GraphQLClient, make_user: Any, session: Any) -> None:
    token = await make_user("clerk")
    other = await gql.login("clerk")
    data = await gql.data("mutation { logout { user { username } errors { code } } }", token=token)
    assert data["logout"] == {"user": {"username": "clerk"}, "errors": []}
    response = await gql.raw(ME, token=token)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "退出" in response.json()["errors"][0]["message"]
    assert (await gql.data(ME, token=other))["me"]["username"] == "clerk"  # another sign-in goes on
    assert (await actions(session))[-1] == "account.logout"


async def test_thirty_minutes_idle_end_the_session(gql: GraphQLClient, make_user: Any, session: Any, app: Any) -> None:
    token = await make_user("clerk")
    await session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=29)))
    await session.commit()
    assert (await gql.data(ME, token=token))["me"]  # 29 minutes: still on, and touched
    session.expire_all()
    row = (await session.execute(select(UserSession))).scalar_one()
    assert utcnow() - row.last_seen_at < timedelta(seconds=5)
    await session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=30, seconds=1)))
    await session.commit()
    # The row says 30 minutes have passed; the actor cached a moment ago would have lapsed by then
    # (its own lapse, in real time: tests/auth/test_actor.py).
    app.state.gongkai.actors.entries.clear()
    response = await gql.raw(ME, token=token)
    assert response.status_code == 401 and "未操作" in response.json()["errors"][0]["message"]
    session.expire_all()
    row = (await session.execute(select(UserSession))).scalar_one()
    assert row.end_reason == "idle"
    assert (await gql.raw(ME, token=token)).status_code == 401  # and it stays ended


async def test_a_token_without_a_session_is_refused_unless_it_is_a_kiosk(
    gql: GraphQLClient, make_user: Any, session: Any, app: Any
) -> None:
    await make_user("clerk")
    clerk = (await session.execute(select(User).where(User.username == "clerk"))).scalar_one()
    secret = app.state.gongkai.settings.secret_key
    assert (await gql.raw(ME, token=issue_token(secret, clerk.id, 12))).status_code == 401  # a pre-sessions token
    admin = await make_user("admin", Role.DISTRICT_OFFICE)
    from api.models import UnitKind
    from api.services import units

    await units.create_unit(session, app_system(app), code="513425000000", name="会理县", kind=UnitKind.XIAN)
    kiosk = await gql.data(
        'mutation { createKiosk(unitCode: "513425000000", name: "1号机") { token errors { code } } }', token=admin
    )
    assert (await gql.data(ME, token=kiosk["createKiosk"]["token"]))["me"]


def app_system(app: Any) -> Any:
    from api.auth.actor import SystemActor

    return SystemActor(authorizer=app.state.gongkai.authorizer, client_addr="test")


async def test_deactivation_ends_every_session_and_sign_in(gql: GraphQLClient, make_user: Any, session: Any) -> None:
    admin = await make_user("admin", Role.DISTRICT_OFFICE)
    clerk_token = await make_user("clerk")
    clerk = (await session.execute(select(User).where(User.username == "clerk"))).scalar_one()
    query = "mutation($i: ID!) { deactivateUser(id: $i) { user { username active } errors { field code } } }"
    refused = await gql(query, {"i": gid("User", clerk.id)}, clerk_token)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    data = await gql.data(query, {"i": gid("User", clerk.id)}, admin)
    assert data["deactivateUser"] == {"user": {"username": "clerk", "active": False}, "errors": []}
    assert (await gql.raw(ME, token=clerk_token)).status_code == 401
    assert (await login(gql, "clerk"))["errors"][0]["code"] == "INVALID_CREDENTIALS"
    again = await gql.data(query, {"i": gid("User", clerk.id)}, admin)
    assert again["deactivateUser"]["errors"] == [{"field": "id", "code": "ALREADY_INACTIVE"}]
    me = (await session.execute(select(User).where(User.username == "admin"))).scalar_one()
    itself = await gql.data(query, {"i": gid("User", me.id)}, admin)
    assert itself["deactivateUser"]["errors"] == [{"field": "id", "code": "SELF"}]
    clerk_id = clerk.id
    session.expire_all()
    ended = (await session.execute(select(UserSession.end_reason).where(UserSession.user_id == clerk_id))).scalars()
    assert set(ended) == {"deactivated"}
    assert "account.deactivate" in await actions(session)


async def test_change_password(gql: GraphQLClient, make_user: Any) -> None:
    token = await make_user("clerk")
    other = await gql.login("clerk")
    query = """mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) {
      user { username } errors { field code } } }"""
    wrong = await gql.data(query, {"c": "Not-my-password-1", "n": "Brand-new-secret-8"}, token)
    assert wrong["changePassword"]["errors"] == [{"field": "currentPassword", "code": "INVALID_CREDENTIALS"}]
    weak = await gql.data(query, {"c": PASSWORD, "n": "12345678"}, token)
    assert weak["changePassword"]["errors"] == [{"field": "newPassword", "code": "PASSWORD_TOO_SIMPLE"}]
    done = await gql.data(query, {"c": PASSWORD, "n": "Brand-new-secret-8"}, token)
    assert done["changePassword"]["errors"] == []
    assert (await gql.data(ME, token=token))["me"]  # this session goes on
    assert (await gql.raw(ME, token=other)).status_code == 401  # the others end
    assert (await login(gql, "clerk", "Brand-new-secret-8"))["token"]
