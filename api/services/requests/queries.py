"""Reading requests: the list under the actor's scope, the batches the DataLoaders call, the
overdue rule, and the audited reveal of personal data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from api import clock
from api.auth.actor import Actor
from api.auth.scope import below
from api.db import commit
from api.models import (
    InfoRequest,
    RequestEvent,
    RequestStatus,
)
from api.models.requests import OPEN_STATUSES
from api.privacy import Vault
from api.workdays import Overrides

from .. import audit
from ..pages import Page, fetch_page, grouped
from .common import pauses_of, today


@dataclass
class RequestFilter:
    unit_path: str | None = None
    organization_id: int | None = None
    status: RequestStatus | None = None
    overdue: bool | None = None
    due_before: date | None = None
    received_from: date | None = None
    received_to: date | None = None


def _requests_query(actor: Actor, f: RequestFilter) -> Select[InfoRequest]:
    actor.require_user()
    stmt = select(InfoRequest).where(actor.visible(InfoRequest.scope_path, "request", "read"))
    if f.unit_path is not None:
        stmt = stmt.where(below(InfoRequest.scope_path, f.unit_path))
    if f.organization_id is not None:
        stmt = stmt.where(InfoRequest.handling_org_id == f.organization_id)
    if f.status is not None:
        stmt = stmt.where(InfoRequest.status == f.status)
    if f.overdue is not None:
        late = overdue_clause(today())
        stmt = stmt.where(late if f.overdue else ~late)
    if f.due_before is not None:
        stmt = stmt.where(InfoRequest.due_on < f.due_before)
    if f.received_from is not None:
        stmt = stmt.where(InfoRequest.received_on >= f.received_from)
    if f.received_to is not None:
        stmt = stmt.where(InfoRequest.received_on <= f.received_to)
    return stmt.order_by(InfoRequest.due_on, InfoRequest.id)


async def list_requests(
    session: AsyncSession, actor: Actor, f: RequestFilter, first: int | None = None, after: str | None = None
) -> Page[InfoRequest]:
    """Soonest due first: the requests under the actor's ``request read`` grants."""
    return await fetch_page(session, _requests_query(actor, f), first, after)


async def requests_by_ids(session: AsyncSession, actor: Actor, ids: Sequence[int]) -> list[InfoRequest | None]:
    """By id, as far as the actor may read them (``request read`` at their scope, in the query)."""
    stmt = select(InfoRequest).where(InfoRequest.id.in_(ids), actor.visible(InfoRequest.scope_path, "request", "read"))
    found = {r.id: r for r in (await session.execute(stmt)).scalars()}
    return [found.get(i) for i in ids]


async def events_of_requests(session: AsyncSession, actor: Actor, ids: Sequence[int]) -> list[list[RequestEvent]]:
    stmt = (
        select(RequestEvent)
        .join(InfoRequest, InfoRequest.id == RequestEvent.request_id)
        .where(RequestEvent.request_id.in_(ids), actor.visible(InfoRequest.scope_path, "request", "read"))
        .order_by(RequestEvent.id)
    )
    return await grouped(session, stmt, "request_id", ids)


# "Overdue" and "days left", defined once: the clock runs for an open request unless it waits for
# the applicant or for another agency. Art. 30: the period runs from the day the corrected request
# arrives (补正: 待补正 is the applicant's turn). Art. 33: 征求第三方和其他机关意见所需时间不计算在前款
# 规定的期限内 (会商 has no limit, so its due date moves each day it lasts: ``current_due``). A third
# party's wait is bounded (Art. 32: 15 working days), and the stored due date already holds all of
# it (``clock.paused_working_days``): a request waiting on a third party past that is overdue.
# A 收费通知 stops it too (国办函〔2020〕109号: from the notice to the payment), as a 会商 does.
STOPPED = (RequestStatus.AWAITING_CORRECTION, RequestStatus.AWAITING_PAYMENT, RequestStatus.CONSULTING)
MOVING = (RequestStatus.AWAITING_PAYMENT, RequestStatus.CONSULTING)
RUNNING = tuple(s for s in OPEN_STATUSES if s not in STOPPED)


def overdue_clause(day: date) -> ColumnElement[bool]:
    """SQL: the clock runs and the due day has passed (``is_overdue`` is the same test)."""
    return InfoRequest.status.in_(RUNNING) & (InfoRequest.due_on < day)


def is_overdue(r: InfoRequest, day: date | None = None) -> bool:
    """The clock runs and the due day has passed (``overdue_clause`` is the same test in SQL)."""
    return r.status in RUNNING and r.due_on < (day or today())


def days_left(r: InfoRequest, ovr: Overrides) -> int | None:
    """Working days to the due day, negative when overdue; None while the clock stands still
    (待补正, 待缴费, 会商) and once the request is closed."""
    return clock.working_days_left(today(), r.due_on, ovr) if r.status in RUNNING else None


def due_moves(r: InfoRequest) -> bool:
    """Whether the due day moves each day (an open pause without a limit): ``current_due`` needs the log."""
    return r.status in MOVING


def current_due(r: InfoRequest, events: list[RequestEvent], ovr: Overrides) -> date:
    """The due day as of today: during a 会商 or while a fee is unpaid it moves each working day
    the pause lasts (the stored one is as of the last step); otherwise the stored one."""
    if not due_moves(r):
        return r.due_on
    return clock.reply_due(r.clock_start, r.extension_days, pauses_of(events), today(), ovr).on


def can_read(actor: Actor, r: InfoRequest) -> bool:
    return actor.can("request", "read", r.scope_path)


# The applicant's personal data, each sealed at rest beside its masked form (api/privacy.py).
PERSONAL_FIELDS = {
    "idNumber": ("id_number_enc", "id_number_hint"),
    "phone": ("phone_enc", "phone_hint"),
    "address": ("address_enc", "address_hint"),
    "email": ("email_enc", "email_hint"),
}


async def reveal(session: AsyncSession, actor: Actor, vault: Vault, r: InfoRequest, field: str) -> str | None:
    """The full ID number, phone, address or e-mail for the handler and the district office (each
    read audited); everybody else gets the masked form."""
    sealed_attr, hint_attr = PERSONAL_FIELDS[field]
    sealed, hint = getattr(r, sealed_attr), getattr(r, hint_attr)
    if not actor.can("request", "read_personal", r.scope_path):
        return hint
    if sealed is None:
        return None  # nothing given: no read to audit
    # A read, not a change: its audit row goes in a transaction of its own, so that sibling
    # fields being resolved on the request's session are not disturbed.
    async with AsyncSession(session.bind) as own:
        audit.record(
            own, actor, "request.reveal", "InfoRequest", r.id, r.scope_path, f"查看 {r.tracking_code} 的{field}"
        )
        await commit(own)
    return vault.open(sealed)
