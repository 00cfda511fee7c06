"""The micro-power lists' DataLoaders."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.services import micropower as service

from ..loaders import AreaLoaders


class MicropowerLoaders(AreaLoaders):
    def __init__(self, session: AsyncSession, actor: Actor) -> None:
        super().__init__(session, actor)
        self.power_item = self.public(service.power_items_by_ids)
        self.village_item = self.public(service.village_items_by_ids)
