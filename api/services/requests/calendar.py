"""The working-day calendar (holidays and 调休 days) and the due dates it moves."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.auth.scope import ROOT
from api.db import commit
from api.models import (
    CalendarDay,
    InfoRequest,
    RequestEvent,
)
from api.models.base import utcnow
from api.models.requests import OPEN_STATUSES

from .. import audit
from .common import _set_due, overrides


async def set_calendar_days(session: AsyncSession, actor: Actor, days: list[tuple[date, bool | None, str]]) -> int:
    """Enter holidays and 调休 working days (None removes a day); every open request's due date is
    recomputed in the same transaction. One calendar serves every county: only a grant at ``*``
    may change it, and the change is audited at ``*``."""
    actor.require("calendar", "manage", ROOT)
    for day, working, note in days:
        existing = await session.get(CalendarDay, day)
        if working is None:
            if existing is not None:
                await session.delete(existing)
        elif existing is None:
            session.add(CalendarDay(day=day, working=working, note=note, set_by_id=actor.user_id))
        else:
            existing.working, existing.note, existing.set_by_id, existing.set_at = (
                working,
                note,
                actor.user_id,
                utcnow(),
            )
    await session.flush()
    ovr = await overrides(session)
    open_requests = (
        (await session.execute(select(InfoRequest).where(InfoRequest.status.in_(OPEN_STATUSES)))).scalars().all()
    )
    # Every open request's events in one statement, however many requests are open.
    events: dict[int, list[RequestEvent]] = {r.id: [] for r in open_requests}
    stmt = select(RequestEvent).where(RequestEvent.request_id.in_(list(events))).order_by(RequestEvent.id)
    for event in (await session.execute(stmt)).scalars():
        events[event.request_id].append(event)
    for r in open_requests:
        _set_due(r, events[r.id], ovr)
    audit.record(
        session,
        actor,
        "calendar.set",
        "CalendarDay",
        None,
        ROOT,
        f"设置{len(days)}天，重新计算{len(open_requests)}件申请的答复期限",
    )
    await commit(session)
    return len(open_requests)
