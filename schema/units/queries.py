from __future__ import annotations

import strawberry

from api.services import units as service

from ..relay import Connection, connection
from .types import OrganizationType, UnitLevel, UnitType


@strawberry.type
class UnitsQuery:
    @strawberry.field(description="A unit by its 12-digit code.")
    async def unit(self, info: strawberry.Info, code: str) -> UnitType | None:
        unit = await service.find_unit(info.context.session, code.strip())
        return UnitType.of(unit) if unit else None

    @strawberry.field(
        description="Units, by code; filter by level and by parent: parentCode alone gives its children, "
        "parentCode with level the units of that level at any depth below it (a county's villages)."
    )
    async def units(
        self,
        info: strawberry.Info,
        level: UnitLevel | None = None,
        parent_code: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[UnitType]:
        page = await service.list_units(info.context.session, level, parent_code, first, after)
        return connection(page, UnitType.of)

    @strawberry.field(description="Organizations, optionally those of one unit.")
    async def organizations(
        self, info: strawberry.Info, unit_code: str | None = None, first: int | None = None, after: str | None = None
    ) -> Connection[OrganizationType]:
        page = await service.list_organizations(info.context.session, unit_code, first, after)
        return connection(page, OrganizationType.of)
