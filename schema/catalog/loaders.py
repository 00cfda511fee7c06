"""The catalog's DataLoaders."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.services import catalog as service

from ..loaders import AreaLoaders


class CatalogLoaders(AreaLoaders):
    def __init__(self, session: AsyncSession, actor: Actor) -> None:
        super().__init__(session, actor)
        self.item = self.public(service.items_by_ids)
        self.responsibles_of_item = self.public(service.responsibles_of_items)
