"""Changes to a commitment: each carries the version it was read at and answers the commitment as it now is."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date

import strawberry

from api.models import Commitment
from api.services import commitments as service

from ..errors import UserError, attempt
from ..relay import decode_id
from .inputs import CommitmentInput, CommitmentMilestoneInput, CommitmentProgressInput
from .types import CommitmentType


@strawberry.type
class CommitmentPayload:
    commitment: CommitmentType | None
    errors: list[UserError]


async def _answer(info: strawberry.Info, action: Awaitable[Commitment]) -> CommitmentPayload:
    c, errors = await attempt(info, action)
    if c is None:
        return CommitmentPayload(commitment=None, errors=errors)
    return CommitmentPayload(commitment=(await CommitmentType.read(info, [c.id]))[0], errors=errors)


@strawberry.type
class CommitmentsMutation:
    @strawberry.mutation(
        description="Record a commitment of an organization to the people of a unit (its own or one below)."
    )
    async def create_commitment(
        self,
        info: strawberry.Info,
        organization_id: strawberry.ID,
        unit_code: str,
        input: CommitmentInput,
        milestones: list[CommitmentMilestoneInput] | None = None,
    ) -> CommitmentPayload:
        ctx = info.context

        async def run() -> Commitment:
            return await service.create_commitment(
                ctx.session, ctx.actor, organization_id=decode_id(organization_id, "Organization", "organizationId"),
                unit_code=unit_code, fields_=input.to_service(), milestones=[m.to_service() for m in milestones or []],
            )  # fmt: skip

        return await _answer(info, run())

    @strawberry.mutation(description="Change what a commitment promises (kind, title, year, target).")
    async def update_commitment(
        self, info: strawberry.Info, id: strawberry.ID, version: int, input: CommitmentInput
    ) -> CommitmentPayload:
        ctx = info.context

        async def run() -> Commitment:
            return await service.update_commitment(
                ctx.session, ctx.actor, commitment_id=decode_id(id, "Commitment", "id"), version=version,
                fields_=input.to_service(),
            )  # fmt: skip

        return await _answer(info, run())

    @strawberry.mutation(description="Add a milestone at the end of a commitment's list.")
    async def add_commitment_milestone(
        self, info: strawberry.Info, id: strawberry.ID, version: int, input: CommitmentMilestoneInput
    ) -> CommitmentPayload:
        ctx = info.context

        async def run() -> Commitment:
            return await service.add_milestone(
                ctx.session, ctx.actor, commitment_id=decode_id(id, "Commitment", "id"), version=version,
                fields_=input.to_service(),
            )  # fmt: skip

        return await _answer(info, run())

    @strawberry.mutation(description="Mark milestone `milestone` (its number) done on `doneOn` (not in the future).")
    async def complete_commitment_milestone(
        self, info: strawberry.Info, id: strawberry.ID, version: int, milestone: int, done_on: date
    ) -> CommitmentPayload:
        ctx = info.context

        async def run() -> Commitment:
            return await service.complete_milestone(
                ctx.session, ctx.actor, commitment_id=decode_id(id, "Commitment", "id"), version=version,
                number=milestone, done_on=done_on,
            )  # fmt: skip

        return await _answer(info, run())

    @strawberry.mutation(description="Report progress, with published documents as evidence.")
    async def add_commitment_progress(
        self, info: strawberry.Info, id: strawberry.ID, version: int, input: CommitmentProgressInput
    ) -> CommitmentPayload:
        ctx = info.context

        async def run() -> Commitment:
            return await service.add_progress(
                ctx.session, ctx.actor, commitment_id=decode_id(id, "Commitment", "id"), version=version,
                reported_on=input.reported_on, text=input.text,
                evidence_ids=[decode_id(e, "Document", "evidenceIds") for e in input.evidence_ids],
            )  # fmt: skip

        return await _answer(info, run())
