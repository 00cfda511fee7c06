"""Staff sign-in sessions, kept in the database, held by every request.

等保 2.0 (GB/T 22239-2019) 8.1.4.1 b): 应具有登录失败处理功能，应配置并启用结束会话、限制非法登录次数和
当登录连接超时自动退出等相关措施. A session ends at logout, at deactivation of its account, after
``idle`` without a request, or when its token expires. Every worker reads the same rows, and an
ending bumps the ``accounts`` version that every request reads (the actor cached per session,
api.auth.actor.ActorCache, lapses with it), so an ending holds at once everywhere. ``last_seen_at`` is written at most once a minute (or a tenth of
``idle``), so a session may end up to that much before ``idle`` has fully passed, never after.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.changes import ACCOUNTS, note
from api.errors import Unauthenticated
from api.models import UserSession
from api.models.base import utcnow
from api.services.pages import Prepared

from .tokens import Credential

DEFAULT_IDLE = timedelta(minutes=30)
ENDED = {
    "logout": "已退出登录，请重新登录",
    "deactivated": "账号已停用，请联系区县政府办",
    "password": "密码已修改，请用新密码重新登录",
    "idle": "长时间未操作，登录已自动退出，请重新登录",
}


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def touch_every(idle: timedelta) -> timedelta:
    return min(timedelta(minutes=1), idle / 10)


def open_session(session: AsyncSession, user_id: int, client_addr: str | None, lifetime: timedelta) -> str:
    """A new session for ``user_id`` (added to ``session``, committed by the caller); its secret key."""
    key = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        UserSession(
            user_id=user_id,
            key_hash=key_hash(key),
            client_addr=client_addr,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
        )
    )
    return key


_SESSION = Prepared(
    select(
        UserSession.id, UserSession.user_id, UserSession.ended_at, UserSession.end_reason, UserSession.expires_at,
        UserSession.last_seen_at,
    ).where(UserSession.key_hash == bindparam("key_hash"))
)  # fmt: skip


@dataclass(frozen=True)
class OpenSession:
    id: int
    last_seen: datetime  # as touched by this check, if it touched it
    expires_at: datetime


async def check_session(session: AsyncSession, credential: Credential, idle: timedelta) -> OpenSession:
    """The open session the credential names, touched when due; Unauthenticated when it has ended."""
    assert credential.session_key is not None
    found = await _SESSION.rows(session, key_hash=key_hash(credential.session_key))
    row = found[0] if found else None
    if row is None or row.user_id != credential.user_id:
        raise Unauthenticated("登录已失效，请重新登录")
    if row.ended_at is not None:
        raise Unauthenticated(ENDED.get(row.end_reason or "", "登录已失效，请重新登录"))
    now = utcnow()
    if _aware(row.expires_at) <= now:
        raise Unauthenticated("登录已过期，请重新登录")
    last_seen = _aware(row.last_seen_at)
    if last_seen <= now - idle:
        await _end(session, UserSession.id == row.id, reason="idle", now=now)
        await session.commit()
        raise Unauthenticated(f"已超过{_minutes(idle)}未操作，登录已自动退出，请重新登录")
    if now - last_seen >= touch_every(idle):
        last_seen = now
        await session.execute(
            update(UserSession)
            .where(UserSession.id == row.id, UserSession.ended_at.is_(None))
            .values(last_seen_at=now)
            .execution_options(synchronize_session=False)
        )
        await session.commit()
    return OpenSession(row.id, last_seen, _aware(row.expires_at))


async def end_sessions(session: AsyncSession, user_id: int, reason: str, *, keep: int | None = None) -> None:
    """End every open session of ``user_id`` (but ``keep``), in the caller's transaction."""
    where = [UserSession.user_id == user_id]
    if keep is not None:
        where.append(UserSession.id != keep)
    await _end(session, *where, reason=reason, now=utcnow())


async def end_session(session: AsyncSession, session_id: int, reason: str) -> None:
    await _end(session, UserSession.id == session_id, reason=reason, now=utcnow())


async def _end(session: AsyncSession, *where: object, reason: str, now: datetime) -> None:
    # Sign-in sessions are quiet (api/changes.py: a touch bumps nothing), but an ending must reach
    # the actors cached per session (api.auth.actor.ActorCache) on every worker.
    note(session.sync_session, ACCOUNTS)
    await session.execute(
        update(UserSession)
        .where(*where, UserSession.ended_at.is_(None))  # type: ignore[arg-type]
        .values(ended_at=now, end_reason=reason)
        .execution_options(synchronize_session=False)
    )


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _minutes(idle: timedelta) -> str:
    minutes = idle.total_seconds() / 60
    return f"{minutes:g}分钟" if minutes >= 1 else f"{idle.total_seconds():g}秒"
