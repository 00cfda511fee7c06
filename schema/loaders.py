"""What every area's DataLoaders share: ``AreaLoaders``, bound to the request's session and actor.

Each area keeps its loaders in ``schema/<area>/loaders.py`` (one statement per batch, whatever the
page size); ``schema/context.py`` builds one object per area for each request (``Loaders``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from api.auth.actor import Actor


class AreaLoaders:
    """One area's DataLoaders over its service's batch reads, for one request."""

    def __init__(self, session: AsyncSession, actor: Actor) -> None:
        self.session = session
        self.actor = actor

    def unscoped(self, batch: Callable[[AsyncSession, Sequence[Any]], Awaitable[list[Any]]]) -> DataLoader[Any, Any]:
        """A service's batch read that returns facts, not objects (flags, counts): no actor needed."""

        async def load(keys: Sequence[Any]) -> list[Any]:
            return await batch(self.session, keys)

        return DataLoader(load)

    def public(
        self, batch: Callable[[AsyncSession, Actor, Sequence[Any]], Awaitable[list[Any]]]
    ) -> DataLoader[Any, Any]:
        """A batch read of a public register (units, organizations, domains, the catalog, the
        micro-power lists): everybody may read its rows; the service still gets the actor."""
        return self.with_actor(batch)

    def with_actor(
        self, batch: Callable[[AsyncSession, Actor, Sequence[Any]], Awaitable[list[Any]]]
    ) -> DataLoader[Any, Any]:
        """A service's batch read, called with this request's actor."""

        async def load(keys: Sequence[Any]) -> list[Any]:
            return await batch(self.session, self.actor, keys)

        return DataLoader(load)


__all__ = ["AreaLoaders"]
