"""Administrative review and litigation (行政复议、行政诉讼) of requests: recording, updating, reading."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.codes import RequestsCode
from api.db import commit
from api.errors import Conflict, UserInputError
from api.models import (
    Appeal,
    AppealKind,
    AppealOutcome,
    EventKind,
    InfoRequest,
)

from .. import audit
from .common import _event, today


async def record_appeal(
    session: AsyncSession, actor: Actor, *, request_id: int, kind: AppealKind, outcome: AppealOutcome,
    filed_on: date | None = None, note: str = "",
) -> Appeal:  # fmt: skip
    r = await session.get(InfoRequest, request_id)
    if r is None:
        raise UserInputError("requestId", RequestsCode.NOT_FOUND, "找不到该申请")
    actor.require("request", "handle", r.scope_path)
    appeal = Appeal(request_id=r.id, kind=kind, outcome=outcome, filed_on=filed_on, note=note)
    session.add(appeal)
    _event(
        session,
        actor,
        r,
        EventKind.APPEAL_RECORDED,
        filed_on or today(),
        note,
        appeal_kind=kind.value,
        outcome=outcome.value,
    )
    audit.record(
        session,
        actor,
        "request.appeal",
        "InfoRequest",
        r.id,
        r.scope_path,
        f"{r.tracking_code}：{kind.value} {outcome.value}",
    )
    await commit(session)
    return appeal


async def update_appeal(
    session: AsyncSession,
    actor: Actor,
    *,
    appeal_id: int,
    version: int,
    outcome: AppealOutcome,
    note: str | None = None,
) -> Appeal:
    appeal = await session.get(Appeal, appeal_id)
    if appeal is None:
        raise UserInputError("id", RequestsCode.NOT_FOUND, "找不到该复议或诉讼记录")
    r = await session.get(InfoRequest, appeal.request_id)
    assert r is not None
    actor.require("request", "handle", r.scope_path)
    if version != appeal.version:
        raise Conflict()
    appeal.outcome = outcome
    if note is not None:
        appeal.note = note
    audit.record(
        session,
        actor,
        "request.appeal_update",
        "Appeal",
        appeal.id,
        r.scope_path,
        f"{r.tracking_code}：结果 {outcome.value}",
    )
    await commit(session)
    return appeal


def _appeals_visible(actor: Actor) -> Select[Appeal]:
    """Appeals are read by whoever may read their request (``request read`` in its scope)."""
    actor.require_user()
    return (
        select(Appeal)
        .join(InfoRequest, InfoRequest.id == Appeal.request_id)
        .where(actor.visible(InfoRequest.scope_path, "request", "read"))
    )


async def appeals_by_ids(session: AsyncSession, actor: Actor, ids: Sequence[int]) -> list[Appeal | None]:
    found = {a.id: a for a in (await session.execute(_appeals_visible(actor).where(Appeal.id.in_(ids)))).scalars()}
    return [found.get(i) for i in ids]


async def appeals_of_requests(session: AsyncSession, actor: Actor, request_ids: Sequence[int]) -> list[list[Appeal]]:
    stmt = _appeals_visible(actor).where(Appeal.request_id.in_(request_ids)).order_by(Appeal.id)
    groups: dict[int, list[Appeal]] = {i: [] for i in request_ids}
    for appeal in (await session.execute(stmt)).scalars():
        groups[appeal.request_id].append(appeal)
    return [groups[i] for i in request_ids]
