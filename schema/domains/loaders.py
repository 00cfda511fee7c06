"""The domains' DataLoaders: domains and their assignments."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.services import domains as service

from ..loaders import AreaLoaders


class DomainsLoaders(AreaLoaders):
    def __init__(self, session: AsyncSession, actor: Actor) -> None:
        super().__init__(session, actor)
        self.domain = self.public(service.domains_by_ids)
        self.assignment = self.public(service.assignments_by_ids)
        self.assignments_of_county = self.public(service.assignments_of_counties)
        # Keyed by (domain id, county code or None, include ended).
        self.assignments_of_domain = self.public(service.assignments_of_domains)
