from __future__ import annotations

from datetime import date

import strawberry

from api.services.commitments import CommitmentFields, MilestoneFields

from .types import CommitmentKind


@strawberry.input(description="A milestone (重要节点): what is to be done, and by which day.")
class CommitmentMilestoneInput:
    title: str
    due_on: date

    def to_service(self) -> MilestoneFields:
        return MilestoneFields(self.title, self.due_on)


@strawberry.input(description="What a commitment promises.")
class CommitmentInput:
    kind: CommitmentKind
    title: str = strawberry.field(description="e.g. 改造弃管小区20个")
    year: int
    target: str = strawberry.field(default="", description="目标: what will be done, how much, for whom")

    def to_service(self) -> CommitmentFields:
        return CommitmentFields(self.kind, self.title, self.year, self.target)


@strawberry.input(description="A progress entry, with published documents of this system as evidence.")
class CommitmentProgressInput:
    reported_on: date
    text: str
    evidence_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Global ids of published documents (at most 5)."
    )
