from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay

from api.models import Domain, DomainAssignment

from ..relay import Node
from ..units.types import OrganizationType, UnitType


@strawberry.type(name="Domain", description="One of the 26 domains of 基层政务公开标准化规范化.")
class DomainType(Node):
    pk: relay.NodeID[int]
    code: str = strawberry.field(description="Stable code, e.g. SOCIAL_ASSISTANCE.")
    name: str = strawberry.field(description="The name as the 2021 plan lists it, e.g. 社会救助.")
    position: int
    _model: strawberry.Private[Domain]

    @classmethod
    def of(cls, domain: Domain) -> DomainType:
        return cls(pk=domain.id, code=domain.code, name=domain.name, position=domain.position, _model=domain)

    @classmethod
    async def read(cls, info: strawberry.Info, ids: Sequence[int]) -> list[Any]:
        rows = await info.context.loaders.domains.domain.load_many(ids)
        return [cls.of(d) if d else None for d in rows]

    @strawberry.field(description="Assignments in one county (or all); ended ones too with includeEnded.")
    async def assignments(
        self, info: strawberry.Info, unit_code: str | None = None, include_ended: bool = False
    ) -> list[DomainAssignmentType]:
        rows = await info.context.loaders.domains.assignments_of_domain.load((self.pk, unit_code, include_ended))
        return [DomainAssignmentType.of(a) for a in rows]


@strawberry.type(name="DomainAssignment", description="Who is responsible for a domain in a county, since when.")
class DomainAssignmentType(Node):
    pk: relay.NodeID[int]
    assigned_at: datetime
    ended_at: datetime | None
    _model: strawberry.Private[DomainAssignment]

    @classmethod
    def of(cls, a: DomainAssignment) -> DomainAssignmentType:
        return cls(pk=a.id, assigned_at=a.assigned_at, ended_at=a.ended_at, _model=a)

    @classmethod
    async def read(cls, info: strawberry.Info, ids: Sequence[int]) -> list[Any]:
        rows = await info.context.loaders.domains.assignment.load_many(ids)
        return [cls.of(a) if a else None for a in rows]

    @strawberry.field
    async def domain(self, info: strawberry.Info) -> DomainType:
        return DomainType.of(await info.context.loaders.domains.domain.load(self._model.domain_id))

    @strawberry.field
    async def county(self, info: strawberry.Info) -> UnitType:
        return UnitType.of(await info.context.loaders.units.unit.load(self._model.county_id))

    @strawberry.field
    async def organization(self, info: strawberry.Info) -> OrganizationType:
        return OrganizationType.of(await info.context.loaders.units.organization.load(self._model.organization_id))

    @strawberry.field(description="Who assigned it (staff only; null for the public).")
    async def assigned_by(self, info: strawberry.Info) -> str | None:
        if self._model.assigned_by_id is None:
            return None
        return await info.context.loaders.accounts.display_name.load(self._model.assigned_by_id)
