"""The working-day calendar (holidays and 调休 days) and the due dates it moves."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.auth.scope import ROOT
from api.bounds import YEAR_MESSAGE, year_in_range
from api.codes import RequestsCode
from api.db import commit
from api.errors import UserInputError
from api.models import (
    CalendarDay,
    CalendarYear,
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
    count = await _recompute_open(session)
    audit.record(
        session, actor, "calendar.set", "CalendarDay", None, ROOT, f"设置{len(days)}天，重新计算{count}件申请的答复期限"
    )
    await commit(session)
    return count


async def _recompute_open(session: AsyncSession) -> int:
    """Every open request's due date by the calendar as it now stands; returns how many."""
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
    return len(open_requests)


async def mark_calendar_year(session: AsyncSession, actor: Actor, year: int, complete: bool) -> int:
    """The office marks a year's holidays entered in full (or takes the mark back): due dates in a
    year chinesecalendar does not know stay provisional until then. Open requests' due dates are
    recomputed in the same transaction; returns how many."""
    actor.require("calendar", "manage", ROOT)
    if not year_in_range(year):
        raise UserInputError("year", RequestsCode.OUT_OF_RANGE, YEAR_MESSAGE)
    marked = await session.get(CalendarYear, year)
    if marked is None:
        session.add(CalendarYear(year=year, complete=complete, marked_by_id=actor.user_id))
    else:
        marked.complete, marked.marked_by_id, marked.marked_at = complete, actor.user_id, utcnow()
    await session.flush()
    count = await _recompute_open(session)
    summary = f"{year}年节假日{'已录入完整' if complete else '取消完整标记'}，重新计算{count}件申请的答复期限"
    audit.record(session, actor, "calendar.year", "CalendarYear", year, ROOT, summary)
    await commit(session)
    return count
