"""Per-request DataLoaders over the services' batch reads: one statement per batch, whatever the page size."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from api.auth.actor import Actor
from api.services import accounts, catalog, documents, domains, micropower, requests, units


class Loaders:
    def __init__(self, session: AsyncSession, actor: Actor | None = None) -> None:
        self.session = session
        self.actor = actor
        self.document = DataLoader(self._plain(documents.documents_by_ids))
        self.version = DataLoader(self._plain(documents.versions_by_ids))
        self.attachments_of_version = DataLoader(self._plain(documents.attachments_of_versions))
        self.versions_of_document = DataLoader(self._plain(documents.versions_of_documents))
        self.events_of_document = DataLoader(self._plain(documents.events_of_documents))
        self.interpretations_of_policy = DataLoader(self._plain(documents.interpretations_of_policies))
        self.visible_interpretations_of_policy = DataLoader(self._visible_interpretations_of_policy)
        self.catalog_item = DataLoader(self._plain(catalog.items_by_ids))
        self.power_item = DataLoader(self._plain(micropower.power_items_by_ids))
        self.village_item = DataLoader(self._plain(micropower.village_items_by_ids))
        self.responsibles_of_item = DataLoader(self._plain(catalog.responsibles_of_items))
        self.info_request = DataLoader(self._plain(requests.requests_by_ids))
        self.events_of_request = DataLoader(self._plain(requests.events_of_requests))
        self.appeals_of_request = DataLoader(self._with_actor(requests.appeals_of_requests))
        self._calendar: asyncio.Future[dict[date, bool]] | None = None
        self.unit = DataLoader(self._plain(units.units_by_ids))
        self.organization = DataLoader(self._plain(units.organizations_by_ids))
        self.domain = DataLoader(self._plain(domains.domains_by_ids))
        self.user = DataLoader(self._plain(accounts.accounts_by_ids))
        self.organizations_of_unit = DataLoader(self._plain(units.organizations_of_units))
        self.contacts_of_organization = DataLoader(self._plain(units.contacts_of_organizations))
        self.assignments_of_county = DataLoader(self._plain(domains.assignments_of_counties))
        self.assignment = DataLoader(self._plain(domains.assignments_by_ids))
        # Accounts, grants and appeals: only what the actor may read (the services filter in SQL).
        self.readable_user = DataLoader(self._with_actor(accounts.users_by_ids))
        self.readable_grant = DataLoader(self._with_actor(accounts.grants_by_ids))
        self.appeal = DataLoader(self._with_actor(requests.appeals_by_ids))
        self.unit_by_code = DataLoader(self._plain(units.units_by_codes))
        self.grants_of_user = DataLoader(self._with_actor(accounts.grants_of_users))
        # Keyed by (domain id, county code or None, include ended).
        self.assignments_of_domain = DataLoader(self._plain(domains.assignments_of_domains))

    async def calendar(self) -> dict[date, bool]:
        """The district office's calendar days, read once per request (sibling resolvers share it)."""
        if self._calendar is None:
            self._calendar = asyncio.ensure_future(requests.overrides(self.session))
        return await self._calendar

    def _plain(self, batch: Callable[[AsyncSession, Sequence[Any]], Awaitable[list[Any]]]) -> Any:
        """A service's batch read that has no read rule of its own (the types check each object)."""

        async def load(keys: Sequence[Any]) -> list[Any]:
            return await batch(self.session, keys)

        return load

    def _with_actor(self, batch: Callable[[AsyncSession, Actor, Sequence[Any]], Awaitable[list[Any]]]) -> Any:
        """A service's batch read, called with this request's actor."""

        async def load(keys: Sequence[Any]) -> list[Any]:
            assert self.actor is not None, "these loaders need the request's actor"
            return await batch(self.session, self.actor, keys)

        return load

    async def _visible_interpretations_of_policy(self, doc_ids: Sequence[int]) -> list[list[Any]]:
        return await documents.visible_interpretations_of_policies(self.session, self.actor, doc_ids)


__all__ = ["Loaders"]
