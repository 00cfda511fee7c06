"""Signing in and out (the accounts area): login, logout, change of password.

等保 2.0 (GB/T 22239-2019) 8.1.4.1 身份鉴别: a) passwords with a complexity rule (api/auth/passwords.py);
b) 登录失败处理 (api/auth/throttle.py: 5 failures of an account or from an address lock it for 15
minutes), 结束会话 and 登录连接超时自动退出 (api/auth/sessions.py). One password check per request,
so aliases cannot put many guesses in one request. Every attempt is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth import sessions, throttle
from api.auth.actor import Actor
from api.auth.passwords import MAX_LENGTH, new_password_hash, verify_password
from api.auth.scope import ROOT
from api.auth.tokens import issue_token
from api.codes import AccountsCode
from api.db import commit
from api.errors import UserInputError
from api.localtime import CHINA, now
from api.models import User
from api.settings import Settings

from . import audit
from .accounts import USERNAME_RE, user_scope


@dataclass(frozen=True)
class SignInPolicy:
    secret: str
    hours: float = 12  # a sign-in's longest life, however active
    idle: timedelta = sessions.DEFAULT_IDLE
    limits: throttle.Limits = throttle.Limits()

    @classmethod
    def of(cls, settings: Settings) -> SignInPolicy:
        return cls(
            secret=settings.secret_key,
            hours=settings.token_hours,
            idle=timedelta(minutes=settings.session_idle_minutes),
            limits=throttle.Limits(settings.login_max_failures, timedelta(minutes=settings.login_lock_minutes)),
        )


@dataclass(frozen=True)
class SignedIn:
    token: str
    user: User
    expires_at: datetime
    idle: timedelta


def _one_check_per_request(actor: Actor) -> None:
    if actor.password_checked:
        raise UserInputError(
            "password",
            AccountsCode.ONE_LOGIN_PER_REQUEST,
            "一次请求只能验证一次密码，请分开发送（不要在一个请求里登录多次）",
        )
    actor.password_checked = True


def _locked_message(until: datetime) -> str:
    return f"登录失败次数过多，已暂时锁定，请于 {until.astimezone(CHINA):%H:%M} 后再试"


def _refuse_if_throttled(reserved: throttle.Reservation, field: str) -> None:
    if reserved.locked_until is not None:
        raise UserInputError(field, AccountsCode.ACCOUNT_LOCKED, _locked_message(reserved.locked_until))
    if reserved.busy:
        raise UserInputError(field, AccountsCode.TOO_MANY_ATTEMPTS, "登录尝试过于频繁，请稍候几秒再试")


async def login(session: AsyncSession, actor: Actor, *, username: str, password: str, policy: SignInPolicy) -> SignedIn:
    _one_check_per_request(actor)
    name = (username or "").strip()
    valid_name = bool(USERNAME_RE.match(name))
    keys = throttle.keys_for(name if valid_name else None, actor.client_addr)
    reserved = await throttle.reserve(session, keys, policy.limits)
    shown = name[:64] if valid_name else "（无效用户名）"
    if reserved.locked_until is not None or reserved.busy:
        audit.record(session, actor, "account.login_locked", "User", None, ROOT, f"登录被拒（已锁定）：{shown}")
        await commit(session)
        _refuse_if_throttled(reserved, "username")
    user = None
    if valid_name:
        user = (await session.execute(select(User).where(User.username == name))).scalar_one_or_none()
    usable = password is not None and len(password) <= MAX_LENGTH
    ok = await verify_password(session, user.password_hash if user else None, password if usable else "")
    if user is None or not ok or not usable or not user.active:
        where = await user_scope(session, user) if user else ROOT  # the account's auditors see it
        audit.record(
            session, actor, "account.login_failed", "User", user.id if user else None, where, f"登录失败：{shown}"
        )
        locked = await throttle.fail(session, reserved, policy.limits)
        await commit(session)
        message = "用户名或密码错误" + (f"；{_locked_message(locked)}" if locked else "")
        raise UserInputError("password", AccountsCode.INVALID_CREDENTIALS, message)
    await throttle.release(session, reserved)
    lifetime = timedelta(hours=policy.hours)
    key = sessions.open_session(session, user.id, actor.client_addr, lifetime)
    signed_in = Actor(authorizer=actor.authorizer, user=user, client_addr=actor.client_addr)
    audit.record(
        session, signed_in, "account.login", "User", user.id, await user_scope(session, user), f"{user.username}登录"
    )
    await commit(session)
    return SignedIn(
        token=issue_token(policy.secret, user.id, policy.hours, key),
        user=user,
        expires_at=now() + lifetime,
        idle=policy.idle,
    )


async def logout(session: AsyncSession, actor: Actor) -> User:
    """End the sign-in session the request's token names; the token stops working at once."""
    user = actor.require_user()
    if actor.session_id is None:
        raise UserInputError(None, AccountsCode.NO_SESSION, "终端令牌没有登录会话，无需退出；停用终端请联系区县政府办")
    await sessions.end_session(session, actor.session_id, "logout")
    audit.record(
        session, actor, "account.logout", "User", user.id, await user_scope(session, user), f"{user.username}退出登录"
    )
    await commit(session)
    return user


async def change_password(
    session: AsyncSession, actor: Actor, *, current_password: str, new_password: str, policy: SignInPolicy
) -> User:
    """The signed-in user's own password. The current one is checked like a login (counted against
    the lock); the new one must meet the rule; every other session of the account ends."""
    user = actor.require_user()
    _one_check_per_request(actor)
    keys = throttle.keys_for(user.username, actor.client_addr)
    reserved = await throttle.reserve(session, keys, policy.limits)
    _refuse_if_throttled(reserved, "currentPassword")
    current = current_password or ""
    if len(current) > MAX_LENGTH or not await verify_password(session, user.password_hash, current):
        await throttle.fail(session, reserved, policy.limits)
        audit.record(
            session, actor, "account.password_failed", "User", user.id, ROOT, f"{user.username}修改密码：原密码错误"
        )
        await commit(session)
        raise UserInputError("currentPassword", AccountsCode.INVALID_CREDENTIALS, "原密码错误")
    await throttle.release(session, reserved)
    await commit(session)
    if new_password == current:
        raise UserInputError("newPassword", AccountsCode.SAME_PASSWORD, "新密码不能与原密码相同")
    user.password_hash = await new_password_hash(
        session, new_password, "newPassword", (user.username, user.display_name)
    )
    await sessions.end_sessions(session, user.id, "password", keep=actor.session_id)
    audit.record(
        session,
        actor,
        "account.change_password",
        "User",
        user.id,
        await user_scope(session, user),
        f"{user.username}修改密码",
    )
    await commit(session)
    return user
