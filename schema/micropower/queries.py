from __future__ import annotations

import strawberry

from api.services import micropower as service
from api.services.units import find_unit

from .types import PowerItemType, VillagePowerItemType


@strawberry.type
class MicropowerQuery:
    @strawberry.field(description="The county's micro-power template.")
    async def power_template(self, info: strawberry.Info, unit_code: str) -> list[PowerItemType]:
        county = await find_unit(info.context.session, unit_code[:6] + "000000")
        if county is None:
            return []
        rows = (await info.context.session.execute(service.template_query(county.id))).scalars()
        return [PowerItemType.of(r) for r in rows]

    @strawberry.field(description="A village's micro-power list, in order; not-applicable entries with their reason.")
    async def village_power_list(self, info: strawberry.Info, village_code: str) -> list[VillagePowerItemType]:
        village = await find_unit(info.context.session, village_code)
        if village is None:
            return []
        rows = list((await info.context.session.execute(service.village_list_query(village.id))).scalars())
        return await VillagePowerItemType.build(info, rows)
