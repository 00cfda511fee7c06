"""Failed sign-ins, counted in the database per account and per client address.

等保 2.0 (GB/T 22239-2019) 8.1.4.1 b): 应具有登录失败处理功能，…限制非法登录次数. ``max_failures``
failures of one account, or from one address, within ``lock`` lock it for ``lock``. An attempt is
counted before its password is checked (``reserve``), so concurrent guesses on several workers
cannot get past the count; a failure that reaches the count sets the lock (``fail``); a success
takes its own count back (``release``): the account's count starts again, the address keeps the
failures it had. Only failures lock: concurrent sign-ins that succeed never do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.db import insert_for
from api.models import LoginThrottle
from api.models.base import utcnow


@dataclass(frozen=True)
class Limits:
    max_failures: int = 5
    lock: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class Reservation:
    keys: tuple[str, ...]
    locked_until: datetime | None = None  # set: refused, locked until then
    busy: bool = False  # refused: as many attempts as are left are being checked right now


def keys_for(username: str | None, client_addr: str | None) -> tuple[str, ...]:
    """``account:`` before ``address:``: the order rows are locked in (no deadlock between workers)."""
    found = []
    if username:
        found.append(f"account:{username[:64]}")
    if client_addr:
        found.append(f"address:{client_addr[:64]}")
    return tuple(found)


def _insert_missing(session: AsyncSession, key: str, now: datetime) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return (
        insert_for(dialect)(LoginThrottle)
        .values(key=key, failures=0, window_started_at=now, locked_until=None)
        .on_conflict_do_nothing(index_elements=["key"])
    )


async def reserve(session: AsyncSession, keys: tuple[str, ...], limits: Limits) -> Reservation:
    """Count one attempt against every key before its password is checked, in a transaction of its
    own (committed here): never more than ``max_failures`` attempts are checked per window, however
    many arrive at once. Refused when a key is locked, or ``busy`` when its remaining attempts are
    all being checked at this moment (a short wait, not a lock)."""
    now = utcnow()
    locked = await _locked_until(session, keys, now)
    if locked is not None or not keys:
        await session.commit()
        return Reservation(keys, locked)
    await session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.window_started_at < now - 2 * limits.lock,
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now),
        )
    )
    for key in keys:
        await session.execute(_insert_missing(session, key, now))
    stmt = (
        select(LoginThrottle)
        .where(LoginThrottle.key.in_(keys))
        .order_by(LoginThrottle.key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    rows = list((await session.execute(stmt)).scalars())
    locked = max(
        (_aware(r.locked_until) for r in rows if r.locked_until and _aware(r.locked_until) > now), default=None
    )
    if locked is not None:  # locked meanwhile by another worker
        await session.commit()
        return Reservation(keys, locked)
    for row in rows:
        if row.locked_until is not None or _aware(row.window_started_at) <= now - limits.lock:
            row.failures, row.window_started_at, row.locked_until = 0, now, None
    if any(row.failures >= limits.max_failures for row in rows):
        await session.commit()
        return Reservation(keys, busy=True)
    for row in rows:
        row.failures += 1
    await session.commit()
    return Reservation(keys)


async def fail(session: AsyncSession, reservation: Reservation, limits: Limits) -> datetime | None:
    """The attempt failed (its count stays): a key that has reached ``max_failures`` is locked for
    ``lock`` from now; the lock's end, if this failure set one. In the caller's transaction."""
    until = utcnow() + limits.lock
    stmt = (
        update(LoginThrottle)
        .where(
            LoginThrottle.key.in_(reservation.keys),
            LoginThrottle.failures >= limits.max_failures,
            LoginThrottle.locked_until.is_(None),
        )
        .values(locked_until=until)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(stmt)
    return until if getattr(result, "rowcount", 0) else None


async def release(session: AsyncSession, reservation: Reservation) -> None:
    """The attempt succeeded: the account's count starts again, the address's is taken back by one.
    In the caller's transaction."""
    for key in reservation.keys:
        if key.startswith("account:"):
            await session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
        else:
            await session.execute(
                update(LoginThrottle)
                .where(LoginThrottle.key == key, LoginThrottle.failures > 0)
                .values(failures=LoginThrottle.failures - 1)
                .execution_options(synchronize_session=False)
            )


async def _locked_until(session: AsyncSession, keys: tuple[str, ...], now: datetime) -> datetime | None:
    if not keys:
        return None
    stmt = select(LoginThrottle.locked_until).where(LoginThrottle.key.in_(keys), LoginThrottle.locked_until > now)
    found = [_aware(v) for v in (await session.execute(stmt)).scalars() if v is not None]
    return max(found, default=None)


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
