"""The columns' DataLoaders: the catalog items of many columns in one statement."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.services import columns as service

from ..loaders import AreaLoaders


class ColumnsLoaders(AreaLoaders):
    def __init__(self, session: AsyncSession, actor: Actor) -> None:
        super().__init__(session, actor)
        # keys: (ColumnScope, column code); the catalog is public.
        self.catalog_items = self.public(service.catalog_items_of_columns)
