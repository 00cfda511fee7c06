"""The screening DataLoaders: the findings of each version (one statement per batch)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.services import screening as service

from ..loaders import AreaLoaders


class ScreeningLoaders(AreaLoaders):
    def __init__(self, session: AsyncSession, actor: Actor) -> None:
        super().__init__(session, actor)
        self.findings_of_version = self.with_actor(service.findings_of_versions)
