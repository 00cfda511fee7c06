"""The hierarchy's DataLoaders: units, organizations and their contacts."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.services import units as service

from ..loaders import AreaLoaders


class UnitsLoaders(AreaLoaders):
    def __init__(self, session: AsyncSession, actor: Actor) -> None:
        super().__init__(session, actor)
        self.unit = self.public(service.units_by_ids)
        self.unit_by_code = self.public(service.units_by_codes)
        self.organization = self.public(service.organizations_by_ids)
        self.organizations_of_unit = self.public(service.organizations_of_units)
        self.contacts_of_organization = self.public(service.contacts_of_organizations)
