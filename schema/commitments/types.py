from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry import relay

from api.models import Commitment, CommitmentEvent, CommitmentProgress
from api.models import CommitmentEventKind as CommitmentEventKindModel
from api.models import CommitmentKind as CommitmentKindModel
from api.models import CommitmentStatus as CommitmentStatusModel
from api.models.commitments import KIND_LABELS, STATUS_LABELS
from api.services.commitments import CommitmentView, MilestoneView

from ..documents.types import DocumentType
from ..relay import Node
from ..units.types import OrganizationType, UnitType

CommitmentKind = strawberry.enum(CommitmentKindModel, description="LIVELIHOOD 民生实事, PLEDGE 承诺事项")
CommitmentStatus = strawberry.enum(
    CommitmentStatusModel,
    description="Derived from the milestones and progress, never set: NOT_STARTED 未开始, IN_PROGRESS 进行中, "
    "COMPLETED 已完成 (every milestone done), OVERDUE 逾期 (a milestone past its due day and not done).",
)
CommitmentEventKind = strawberry.enum(CommitmentEventKindModel, description="What a change of a commitment did.")


@strawberry.type(name="CommitmentMilestone", description="An important point (重要节点) of a commitment.")
class CommitmentMilestoneType:
    number: int = strawberry.field(description="1, 2, ... within the commitment (the mutations name it so).")
    title: str
    due_on: date
    done_on: date | None
    overdue: bool = strawberry.field(description="Past its due day and not done (today, China time).")

    @classmethod
    def of(cls, v: MilestoneView) -> CommitmentMilestoneType:
        m = v.milestone
        return cls(number=m.number, title=m.title, due_on=m.due_on, done_on=m.done_on, overdue=v.overdue)


@strawberry.type(name="CommitmentProgress", description="A progress entry (进展情况) with its evidence.")
class CommitmentProgressType:
    reported_on: date
    text: str
    _pk: strawberry.Private[int]

    @classmethod
    def of(cls, p: CommitmentProgress) -> CommitmentProgressType:
        return cls(reported_on=p.reported_on, text=p.text, _pk=p.id)

    @strawberry.field(description="The published documents it points to (those the caller may read).")
    async def evidence(self, info: strawberry.Info) -> list[DocumentType]:
        ids = await info.context.loaders.commitments.evidence_of_progress.load(self._pk)
        return [d for d in await DocumentType.read(info, ids) if d is not None]


@strawberry.type(name="CommitmentEvent", description="One change in a commitment's history.")
class CommitmentEventType:
    kind: CommitmentEventKind
    version: int = strawberry.field(description="The commitment's version after the change.")
    summary: str
    actor_name: str
    at: datetime

    @classmethod
    def of(cls, e: CommitmentEvent) -> CommitmentEventType:
        return cls(kind=e.kind, version=e.version, summary=e.summary, actor_name=e.actor_name, at=e.at)


@strawberry.type(name="Commitment", description="A public commitment (民生实事 or 承诺事项) and how far it has come.")
class CommitmentType(Node):
    pk: relay.NodeID[int]
    kind: CommitmentKind
    kind_label: str = strawberry.field(description="民生实事 or 承诺事项")
    title: str
    target: str
    year: int
    status: CommitmentStatus
    status_label: str = strawberry.field(description="未开始, 进行中, 已完成 or 逾期")
    version: int
    updated_at: datetime
    _model: strawberry.Private[Commitment]

    @classmethod
    def of(cls, v: CommitmentView) -> CommitmentType:
        c = v.commitment
        return cls(
            pk=c.id, kind=c.kind, kind_label=KIND_LABELS[c.kind], title=c.title, target=c.target, year=c.year,
            status=v.status, status_label=STATUS_LABELS[v.status], version=c.version, updated_at=c.updated_at,
            _model=c,
        )  # fmt: skip

    @classmethod
    async def read(cls, info: strawberry.Info, ids: Sequence[int]) -> list[Any]:
        rows = await info.context.loaders.commitments.commitment.load_many(ids)
        return [cls.of(r) if r else None for r in rows]

    @strawberry.field(description="The organization that made it (责任单位).")
    async def organization(self, info: strawberry.Info) -> OrganizationType:
        return OrganizationType.of(await info.context.loaders.units.organization.load(self._model.owner_id))

    @strawberry.field(description="The unit whose people it is made to.")
    async def unit(self, info: strawberry.Info) -> UnitType:
        return UnitType.of(await info.context.loaders.units.unit.load(self._model.unit_id))

    @strawberry.field(description="Its milestones, in order.")
    async def milestones(self, info: strawberry.Info) -> list[CommitmentMilestoneType]:
        rows = await info.context.loaders.commitments.milestones_of_commitment.load(self.pk)
        return [CommitmentMilestoneType.of(m) for m in rows]

    @strawberry.field(description="Its progress entries, oldest first.")
    async def progress(self, info: strawberry.Info) -> list[CommitmentProgressType]:
        rows = await info.context.loaders.commitments.progress_of_commitment.load(self.pk)
        return [CommitmentProgressType.of(p) for p in rows]

    @strawberry.field(description="Its history: each change, by whom, at which version.")
    async def events(self, info: strawberry.Info) -> list[CommitmentEventType]:
        rows = await info.context.loaders.commitments.events_of_commitment.load(self.pk)
        return [CommitmentEventType.of(e) for e in rows]
