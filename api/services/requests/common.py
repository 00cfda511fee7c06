"""What every step of a request shares: China's today, the calendar overrides, loading a request
with its permission and version, the event, the due date, the audit row and the commit."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api import clock
from api.auth.actor import Actor
from api.codes import RequestsCode
from api.db import commit
from api.errors import Conflict, UserInputError
from api.localtime import today
from api.models import (
    CalendarDay,
    CalendarYear,
    EventKind,
    InfoRequest,
    Organization,
    RequestEvent,
    RequestRules,
)
from api.workdays import OfficeCalendar, Overrides

from .. import audit
from ..units import locate_organization


async def overrides(session: AsyncSession) -> OfficeCalendar:
    """The office's calendar: its days and the years it marked complete."""
    days = {d.day: d.working for d in (await session.execute(select(CalendarDay))).scalars()}
    complete = (await session.execute(select(CalendarYear.year).where(CalendarYear.complete.is_(True)))).scalars()
    return OfficeCalendar(days, frozenset(complete))


async def request_rules(session: AsyncSession) -> RequestRules:
    """The office's rules: its row once it set them (version 0 until then: the defaults)."""
    rules = await session.get(RequestRules, 1)
    return rules if rules is not None else RequestRules(id=1, correction_working_days=15, version=0)


async def _org_path(session: AsyncSession, org_id: int, field: str) -> tuple[Organization, str]:
    org, _unit, path = await locate_organization(session, org_id, field)
    return org, path


def _event(
    session: AsyncSession, actor: Actor, r: InfoRequest, kind: EventKind, on: date, comment: str = "", **data: object
) -> None:
    session.add(
        RequestEvent(
            request_id=r.id,
            kind=kind,
            on_date=on,
            actor_id=actor.user_id,
            actor_name=actor.user.display_name if actor.user else actor.name,
            comment=comment,
            data=data,
        )  # fmt: skip
    )


async def _load(
    session: AsyncSession, actor: Actor, request_id: int, version: int, permission: str = "handle"
) -> InfoRequest:
    request = await session.get(InfoRequest, request_id)
    if request is None:
        raise UserInputError("id", RequestsCode.NOT_FOUND, "找不到该申请")
    actor.require("request", permission, request.scope_path)
    if version != request.version:
        raise Conflict()
    return request


async def _recompute(session: AsyncSession, r: InfoRequest, ovr: Overrides | None = None) -> None:
    ovr = await overrides(session) if ovr is None else ovr
    events = (
        await session.execute(select(RequestEvent).where(RequestEvent.request_id == r.id).order_by(RequestEvent.id))
    ).scalars()
    _set_due(r, list(events), ovr)


def _set_due(r: InfoRequest, events: list[RequestEvent], ovr: Overrides) -> None:
    due = clock.reply_due(r.clock_start, r.extension_days, pauses_of(events), today(), ovr)
    r.due_on, r.due_provisional = due.on, due.provisional


def pauses_of(events: list[RequestEvent]) -> list[clock.Pause]:
    """The pauses of the log: consultations, a third party's counting at most its 15 working days
    (Art. 32), and a fee notice until the payment (国办函〔2020〕109号)."""
    pauses: list[clock.Pause] = []
    started: date | None = None
    limit: int | None = None
    for e in events:
        if e.kind in (EventKind.CONSULTATION_STARTED, EventKind.THIRD_PARTY_STARTED, EventKind.FEE_NOTIFIED):
            started = e.on_date
            limit = clock.THIRD_PARTY_WORKING_DAYS if e.kind is EventKind.THIRD_PARTY_STARTED else None
        elif e.kind in (EventKind.CONSULTATION_ENDED, EventKind.THIRD_PARTY_ENDED, EventKind.FEE_PAID) and started:
            pauses.append(clock.Pause(started, e.on_date, limit))
            started = None
    if started is not None:
        pauses.append(clock.Pause(started, None, limit))
    return pauses


async def _save(session: AsyncSession, actor: Actor, r: InfoRequest, action: str, summary: str) -> InfoRequest:
    audit.record(
        session, actor, f"request.{action}", "InfoRequest", r.id, r.scope_path, f"{r.tracking_code}：{summary}"
    )
    await commit(session)
    return r


def _on(day: date | None) -> date:
    on = day or today()
    if on > today():
        raise UserInputError("onDate", RequestsCode.IN_FUTURE, "日期不能晚于今天")
    return on


def chinese_date(day: date) -> str:
    """2026年10月12日, as letters and notices write a date."""
    return f"{day.year}年{day.month}月{day.day}日"


async def _dated(session: AsyncSession, r: InfoRequest, day: date | None) -> date:
    """The date a step took effect (paper work entered later gives its own date; default today):
    not in the future, not before the request was received, not before the step it follows."""
    on = _on(day)
    if on < r.received_on:
        raise UserInputError(
            "onDate", RequestsCode.BEFORE_START, f"日期不能早于收到申请之日（{chinese_date(r.received_on)}）"
        )
    last = (
        await session.execute(select(func.max(RequestEvent.on_date)).where(RequestEvent.request_id == r.id))
    ).scalar_one_or_none()
    if last is not None and on < last:
        raise UserInputError(
            "onDate", RequestsCode.BEFORE_START, f"日期不能早于上一步骤的日期（{chinese_date(last)}），请按办理顺序登记"
        )
    return on
