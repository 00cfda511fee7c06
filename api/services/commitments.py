"""Public commitments (公开承诺): 民生实事 (tiexi-2016: the year's 20 件民生实事, published at each
important point with their progress and completion) and 承诺事项 (wangyi-2018 item 16).

Who: staff of the owner organization (``commitment manage``: editor, approver) and the district
office above it create and change a commitment; everybody reads every commitment (public at once:
a commitment is recorded once the government has announced it, so there is nothing to keep back;
every change is a new version, an event and an audit row).

The status is derived, never stored, and defined once (``status_expression``: the list filter and
the field select the same SQL expression); a milestone is overdue by the one rule of
``milestone_overdue``, which the monthly circular applies at the month's end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.auth.scope import at_or_below, covers
from api.bounds import YEAR_MESSAGE, year_in_range
from api.codes import CommitmentsCode
from api.db import commit, flush
from api.errors import Conflict, UserInputError
from api.localtime import today
from api.models import (
    Commitment,
    CommitmentEvent,
    CommitmentEventKind,
    CommitmentEvidence,
    CommitmentKind,
    CommitmentMilestone,
    CommitmentProgress,
    CommitmentStatus,
    Document,
    DocumentStatus,
    Organization,
)
from api.models.base import utcnow

from . import audit
from .pages import Page, among, fetch_rows, grouped
from .units import get_unit, locate_organization

MAX_MILESTONES = 50
MAX_EVIDENCE = 5
MAX_PROGRESS = 50


# --- the derived status, defined once ---


def milestone_overdue(day: date) -> ColumnElement[bool]:
    """SQL: the milestone's due day lies before ``day`` and it was not done by ``day``."""
    return and_(
        CommitmentMilestone.due_on < day,
        or_(CommitmentMilestone.done_on.is_(None), CommitmentMilestone.done_on > day),
    )


def status_expression(day: date) -> ColumnElement[str]:
    """SQL: the commitment's status on ``day``, as a ``CommitmentStatus`` name.

    已完成: it has milestones and all of them were done by ``day``; 逾期: a milestone is overdue
    (``milestone_overdue``); 进行中: a milestone was done or progress was reported by ``day``;
    otherwise 未开始."""
    mine = CommitmentMilestone.commitment_id == Commitment.id
    done = and_(CommitmentMilestone.done_on.is_not(None), CommitmentMilestone.done_on <= day)
    any_milestone = exists().where(mine)
    open_one = exists().where(mine, ~done)
    late = exists().where(mine, milestone_overdue(day))
    reported = exists().where(CommitmentProgress.commitment_id == Commitment.id, CommitmentProgress.reported_on <= day)
    started = or_(exists().where(mine, done), reported)
    return case(
        (and_(any_milestone, ~open_one), literal(CommitmentStatus.COMPLETED.name)),
        (late, literal(CommitmentStatus.OVERDUE.name)),
        (started, literal(CommitmentStatus.IN_PROGRESS.name)),
        else_=literal(CommitmentStatus.NOT_STARTED.name),
    )


@dataclass
class CommitmentView:
    """A commitment with its status as of today (read in the same statement)."""

    commitment: Commitment
    status: CommitmentStatus


# --- reading (public: everybody, through the policy's ``commitment read``) ---


@dataclass
class CommitmentFilter:
    unit_code: str | None = None
    year: int | None = None
    status: CommitmentStatus | None = None


def _read(actor: Actor, day: date) -> Select[Commitment, str]:
    return select(Commitment, status_expression(day)).where(actor.visible(Commitment.scope_path, "commitment", "read"))


def _view(row: Any) -> CommitmentView:
    return CommitmentView(row[0], CommitmentStatus[row[1]])


async def list_commitments(
    session: AsyncSession, actor: Actor, f: CommitmentFilter, first: int | None = None, after: str | None = None
) -> Page[CommitmentView]:
    """Commitments made to the unit and to the units below it; newest year first, then in order made.
    A kiosk asks about its own place or one below it (as for every local read)."""
    day = today()
    stmt = _read(actor, day)
    if f.unit_code is not None:
        unit = await get_unit(session, f.unit_code, "unitCode")
        actor.require_local(unit.scope_path)
        stmt = stmt.where(at_or_below(Commitment.unit_path, unit.scope_path))
    if f.year is not None:
        stmt = stmt.where(Commitment.year == f.year)
    if f.status is not None:
        stmt = stmt.where(status_expression(day) == f.status.name)
    page = await fetch_rows(session, stmt.order_by(Commitment.year.desc(), Commitment.id), first, after)
    return page.map(_view)


async def commitments_by_ids(session: AsyncSession, actor: Actor, ids: Sequence[int]) -> list[CommitmentView | None]:
    stmt = _read(actor, today()).where(among(session, Commitment.id, ids))
    found = {row[0].id: _view(row) for row in (await session.execute(stmt)).all()}
    return [found.get(i) for i in ids]


@dataclass
class MilestoneView:
    """A milestone with whether it is overdue today (``milestone_overdue``, read in the same statement)."""

    milestone: CommitmentMilestone
    overdue: bool


async def milestones_of_commitments(
    session: AsyncSession, actor: Actor, ids: Sequence[int]
) -> list[list[MilestoneView]]:
    stmt = (
        select(CommitmentMilestone, milestone_overdue(today()))
        .join(Commitment, Commitment.id == CommitmentMilestone.commitment_id)
        .where(among(session, CommitmentMilestone.commitment_id, ids))
        .where(actor.visible(Commitment.scope_path, "commitment", "read"))
        .order_by(CommitmentMilestone.number)
    )
    groups: dict[int, list[MilestoneView]] = defaultdict(list)
    for m, late in (await session.execute(stmt)).all():
        groups[m.commitment_id].append(MilestoneView(m, bool(late)))
    return [groups.get(i, []) for i in ids]


async def progress_of_commitments(
    session: AsyncSession, actor: Actor, ids: Sequence[int]
) -> list[list[CommitmentProgress]]:
    stmt = (
        select(CommitmentProgress)
        .join(Commitment, Commitment.id == CommitmentProgress.commitment_id)
        .where(among(session, CommitmentProgress.commitment_id, ids))
        .where(actor.visible(Commitment.scope_path, "commitment", "read"))
        .order_by(CommitmentProgress.reported_on, CommitmentProgress.id)
    )
    return await grouped(session, stmt, "commitment_id", ids)


async def evidence_of_progress(session: AsyncSession, actor: Actor, ids: Sequence[int]) -> list[list[int]]:
    """The document ids each progress entry names, in order (the documents are read through their own read)."""
    stmt = (
        select(CommitmentEvidence.progress_id, CommitmentEvidence.document_id)
        .join(CommitmentProgress, CommitmentProgress.id == CommitmentEvidence.progress_id)
        .join(Commitment, Commitment.id == CommitmentProgress.commitment_id)
        .where(among(session, CommitmentEvidence.progress_id, ids))
        .where(actor.visible(Commitment.scope_path, "commitment", "read"))
        .order_by(CommitmentEvidence.position, CommitmentEvidence.id)
    )
    groups: dict[int, list[int]] = defaultdict(list)
    for progress_id, document_id in (await session.execute(stmt)).all():
        groups[progress_id].append(document_id)
    return [groups.get(i, []) for i in ids]


async def events_of_commitments(session: AsyncSession, actor: Actor, ids: Sequence[int]) -> list[list[CommitmentEvent]]:
    stmt = (
        select(CommitmentEvent)
        .join(Commitment, Commitment.id == CommitmentEvent.commitment_id)
        .where(among(session, CommitmentEvent.commitment_id, ids))
        .where(actor.visible(Commitment.scope_path, "commitment", "read"))
        .order_by(CommitmentEvent.id)
    )
    return await grouped(session, stmt, "commitment_id", ids)


@dataclass
class OverdueMilestone:
    commitment_id: int
    kind: CommitmentKind
    title: str
    organization: Organization
    number: int
    milestone: str
    due_on: date
    days_overdue: int


async def overdue_milestones(session: AsyncSession, *, unit_path: str, day: date) -> list[OverdueMilestone]:
    """Milestones of the commitments of organizations under ``unit_path`` overdue on ``day``
    (``milestone_overdue``), soonest due first; one statement. The caller checks the reader."""
    stmt = (
        select(Commitment, CommitmentMilestone, Organization)
        .join(CommitmentMilestone, CommitmentMilestone.commitment_id == Commitment.id)
        .join(Organization, Organization.id == Commitment.owner_id)
        .where(at_or_below(Commitment.scope_path, unit_path), milestone_overdue(day))
        .order_by(CommitmentMilestone.due_on, Commitment.id, CommitmentMilestone.number)
    )
    return [
        OverdueMilestone(c.id, c.kind, c.title, org, m.number, m.title, m.due_on, (day - m.due_on).days)
        for c, m, org in (await session.execute(stmt)).all()
    ]


# --- changing ---


@dataclass
class CommitmentFields:
    kind: CommitmentKind
    title: str
    year: int
    target: str = ""


@dataclass
class MilestoneFields:
    title: str
    due_on: date


def _check(f: CommitmentFields) -> None:
    if not f.title.strip():
        raise UserInputError("title", CommitmentsCode.REQUIRED, "承诺事项名称不能为空")
    if not year_in_range(f.year):
        raise UserInputError("year", CommitmentsCode.INVALID_YEAR, f"承诺年度的{YEAR_MESSAGE}")


def _check_milestone(f: MilestoneFields, field: str) -> None:
    if not f.title.strip():
        raise UserInputError(field, CommitmentsCode.REQUIRED, "节点名称不能为空")


def _not_future(day: date, field: str, what: str) -> None:
    if day > today():
        raise UserInputError(field, CommitmentsCode.IN_FUTURE, f"{what}不能晚于今天（{today().isoformat()}）")


def _event(session: AsyncSession, actor: Actor, c: Commitment, kind: CommitmentEventKind, summary: str) -> None:
    session.add(
        CommitmentEvent(
            commitment_id=c.id, kind=kind, version=c.version, summary=summary, actor_id=actor.user_id,
            actor_name=actor.name,
        )
    )  # fmt: skip
    audit.record(session, actor, f"commitment.{kind.name.lower()}", "Commitment", c.id, c.scope_path, summary)


async def create_commitment(
    session: AsyncSession,
    actor: Actor,
    *,
    organization_id: int,
    unit_code: str,
    fields_: CommitmentFields,
    milestones: Sequence[MilestoneFields] = (),
    demo: bool = False,
) -> Commitment:
    """A commitment of the organization to the people of ``unit_code`` (its own unit or one below it)."""
    org, org_unit, path = await locate_organization(session, organization_id)
    actor.require("commitment", "manage", path)
    unit = await get_unit(session, unit_code, "unitCode")
    if not covers(org_unit.scope_path, unit.scope_path):
        raise UserInputError(
            "unitCode",
            CommitmentsCode.OUTSIDE_UNIT,
            f"{org.name}只能向{org_unit.name}或其下级作出承诺，“{unit.name}”不在其内",
        )
    _check(fields_)
    if len(milestones) > MAX_MILESTONES:
        raise UserInputError("milestones", CommitmentsCode.TOO_MANY, f"一项承诺最多{MAX_MILESTONES}个节点")
    for i, m in enumerate(milestones):
        _check_milestone(m, f"milestones.{i}.title")
    c = Commitment(
        kind=fields_.kind, title=fields_.title.strip(), target=fields_.target, year=fields_.year, owner_id=org.id,
        unit_id=unit.id, scope_path=path, unit_path=unit.scope_path, demo=demo,
    )  # fmt: skip
    session.add(c)
    await flush(session)
    for number, m in enumerate(milestones, start=1):
        session.add(CommitmentMilestone(commitment_id=c.id, number=number, title=m.title.strip(), due_on=m.due_on))
    _event(session, actor, c, CommitmentEventKind.CREATED, f"{org.name}承诺：{c.title}（{c.year}年）")
    await commit(session)
    return c


async def _editable(session: AsyncSession, actor: Actor, commitment_id: int, version: int) -> Commitment:
    c = await session.get(Commitment, commitment_id)
    if c is None:
        raise UserInputError("id", CommitmentsCode.NOT_FOUND, "找不到该承诺事项")
    actor.require("commitment", "manage", c.scope_path)
    if c.version != version:
        raise Conflict()
    return c


def _touch(c: Commitment) -> None:
    """Every change to a commitment or its parts is a new version of the commitment."""
    c.updated_at = utcnow()


async def update_commitment(
    session: AsyncSession, actor: Actor, *, commitment_id: int, version: int, fields_: CommitmentFields
) -> Commitment:
    c = await _editable(session, actor, commitment_id, version)
    _check(fields_)
    changed = [
        label
        for label, old, new in (
            ("类别", c.kind, fields_.kind),
            ("名称", c.title, fields_.title.strip()),
            ("年度", c.year, fields_.year),
            ("目标", c.target, fields_.target),
        )  # fmt: skip
        if old != new
    ]
    c.kind, c.title, c.year, c.target = fields_.kind, fields_.title.strip(), fields_.year, fields_.target
    _touch(c)
    await flush(session)
    _event(session, actor, c, CommitmentEventKind.UPDATED, f"修改{'、'.join(changed) or '（无变化）'}：{c.title}")
    await commit(session)
    return c


async def add_milestone(
    session: AsyncSession, actor: Actor, *, commitment_id: int, version: int, fields_: MilestoneFields
) -> Commitment:
    c = await _editable(session, actor, commitment_id, version)
    _check_milestone(fields_, "title")
    last = (
        await session.execute(
            select(func.coalesce(func.max(CommitmentMilestone.number), 0)).where(
                CommitmentMilestone.commitment_id == c.id
            )
        )
    ).scalar_one()
    if last >= MAX_MILESTONES:
        raise UserInputError("title", CommitmentsCode.TOO_MANY, f"一项承诺最多{MAX_MILESTONES}个节点")
    session.add(
        CommitmentMilestone(commitment_id=c.id, number=last + 1, title=fields_.title.strip(), due_on=fields_.due_on)
    )
    _touch(c)
    await flush(session)
    summary = f"新增节点{last + 1}：{fields_.title.strip()}（{fields_.due_on.isoformat()}前）"
    _event(session, actor, c, CommitmentEventKind.MILESTONE_ADDED, summary)
    await commit(session)
    return c


async def complete_milestone(
    session: AsyncSession, actor: Actor, *, commitment_id: int, version: int, number: int, done_on: date
) -> Commitment:
    c = await _editable(session, actor, commitment_id, version)
    m = (
        await session.execute(
            select(CommitmentMilestone).where(
                CommitmentMilestone.commitment_id == c.id, CommitmentMilestone.number == number
            )
        )
    ).scalar_one_or_none()
    if m is None:
        raise UserInputError("milestone", CommitmentsCode.NOT_FOUND, f"该承诺没有第{number}个节点")
    if m.done_on is not None:
        raise UserInputError(
            "milestone", CommitmentsCode.ALREADY_DONE, f"节点{number}已于{m.done_on.isoformat()}完成，请以进展说明补充"
        )
    _not_future(done_on, "doneOn", "完成日期")
    m.done_on = done_on
    _touch(c)
    await flush(session)
    summary = f"节点{number}完成：{m.title}（{done_on.isoformat()}，应于{m.due_on.isoformat()}前）"
    _event(session, actor, c, CommitmentEventKind.MILESTONE_COMPLETED, summary)
    await commit(session)
    return c


async def add_progress(
    session: AsyncSession,
    actor: Actor,
    *,
    commitment_id: int,
    version: int,
    reported_on: date,
    text: str,
    evidence_ids: Sequence[int] = (),
) -> Commitment:
    """A progress entry; its evidence must be documents published to the public (not retracted)."""
    c = await _editable(session, actor, commitment_id, version)
    if not text.strip():
        raise UserInputError("text", CommitmentsCode.REQUIRED, "进展情况不能为空")
    _not_future(reported_on, "reportedOn", "进展日期")
    reported = (
        await session.execute(
            select(func.count()).select_from(CommitmentProgress).where(CommitmentProgress.commitment_id == c.id)
        )
    ).scalar_one()
    if reported >= MAX_PROGRESS:
        raise UserInputError("text", CommitmentsCode.TOO_MANY, f"一项承诺最多{MAX_PROGRESS}条进展，请合并后续进展")
    wanted = list(dict.fromkeys(evidence_ids))
    if len(wanted) > MAX_EVIDENCE:
        raise UserInputError("evidenceIds", CommitmentsCode.TOO_MANY, f"一条进展最多附{MAX_EVIDENCE}份佐证文件")
    if wanted:
        published = set(
            (
                await session.execute(
                    select(Document.id).where(
                        Document.id.in_(wanted),
                        Document.status == DocumentStatus.PUBLISHED,
                        Document.public.is_(True),
                        Document.retracted_at.is_(None),
                    )
                )
            ).scalars()
        )
        missing = [i for i in wanted if i not in published]
        if missing:
            raise UserInputError(
                "evidenceIds",
                CommitmentsCode.EVIDENCE_NOT_PUBLISHED,
                f"佐证须为本系统已公开发布的政府信息，有{len(missing)}份不是（未发布、已撤回、不公开或不存在）",
            )
    p = CommitmentProgress(commitment_id=c.id, reported_on=reported_on, text=text.strip(), created_by_id=actor.user_id)
    session.add(p)
    await flush(session)
    for position, document_id in enumerate(wanted):
        session.add(CommitmentEvidence(progress_id=p.id, document_id=document_id, position=position))
    _touch(c)
    await flush(session)
    summary = f"进展（{reported_on.isoformat()}）：{p.text[:60]}" + (f"；佐证{len(wanted)}份" if wanted else "")
    _event(session, actor, c, CommitmentEventKind.PROGRESS_ADDED, summary)
    await commit(session)
    return c
