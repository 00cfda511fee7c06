"""The information requests' DataLoaders, and the calendar read once per request."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.services import requests as service
from api.workdays import OfficeCalendar

from ..loaders import AreaLoaders


class RequestsLoaders(AreaLoaders):
    def __init__(self, session: AsyncSession, actor: Actor) -> None:
        super().__init__(session, actor)
        self.info_request = self.with_actor(service.requests_by_ids)
        self.events_of_request = self.with_actor(service.events_of_requests)
        self.notices_of_request = self.with_actor(service.notices_of_requests)
        # Appeals: only what the actor may read (the service filters in SQL).
        self.appeal = self.with_actor(service.appeals_by_ids)
        self.appeals_of_request = self.with_actor(service.appeals_of_requests)
        self._calendar: asyncio.Future[OfficeCalendar] | None = None

    async def calendar(self) -> OfficeCalendar:
        """The district office's calendar (its days, the years it marked complete), read once per request (sibling resolvers share it)."""
        if self._calendar is None:
            self._calendar = asyncio.ensure_future(service.overrides(self.session))
        return await self._calendar
