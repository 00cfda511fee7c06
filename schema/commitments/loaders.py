"""The commitments' DataLoaders (public reads: the service still filters by the actor's ``commitment read``)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.services import commitments as service

from ..loaders import AreaLoaders


class CommitmentsLoaders(AreaLoaders):
    def __init__(self, session: AsyncSession, actor: Actor) -> None:
        super().__init__(session, actor)
        self.commitment = self.public(service.commitments_by_ids)
        self.milestones_of_commitment = self.public(service.milestones_of_commitments)
        self.progress_of_commitment = self.public(service.progress_of_commitments)
        self.events_of_commitment = self.public(service.events_of_commitments)
        self.evidence_of_progress = self.public(service.evidence_of_progress)
