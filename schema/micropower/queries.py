from __future__ import annotations

import strawberry

from api.services import micropower as service

from .types import PowerItemType, VillagePowerItemType


@strawberry.type
class MicropowerQuery:
    @strawberry.field(description="The county's micro-power template.")
    async def power_template(self, info: strawberry.Info, unit_code: str) -> list[PowerItemType]:
        rows = await service.power_template(info.context.session, unit_code)
        return [PowerItemType.of(r) for r in rows]

    @strawberry.field(description="A village's micro-power list, in order; not-applicable entries with their reason.")
    async def village_power_list(self, info: strawberry.Info, village_code: str) -> list[VillagePowerItemType]:
        rows = await service.village_power_list(info.context.session, village_code)
        return await VillagePowerItemType.build(info, rows)
