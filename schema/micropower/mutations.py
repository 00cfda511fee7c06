from __future__ import annotations

import strawberry

from api.models import VillagePowerItem
from api.services import micropower as service

from ..errors import UserError, attempt
from ..relay import decode_id
from .inputs import PowerItemInput
from .types import PowerItemType, VillagePowerItemType


@strawberry.type
class PowerItemPayload:
    item: PowerItemType | None
    errors: list[UserError]


@strawberry.type
class VillagePowerItemPayload:
    item: VillagePowerItemType | None
    errors: list[UserError]


@strawberry.type
class AdoptPowerTemplatePayload:
    adopted: int = strawberry.field(description="How many template items were newly adopted.")
    errors: list[UserError]


@strawberry.type
class MicropowerMutation:
    @strawberry.mutation(description="Add an item to a county's micro-power template.")
    async def create_power_item(self, info: strawberry.Info, unit_code: str, input: PowerItemInput) -> PowerItemPayload:
        ctx = info.context
        item, errors = await attempt(
            info, service.create_template_item(ctx.session, ctx.actor, unit_code=unit_code, fields_=input.to_service())
        )
        return PowerItemPayload(item=PowerItemType.of(item) if item else None, errors=errors)

    @strawberry.mutation(description="Adopt the county template into a village's list (only items not yet adopted).")
    async def adopt_power_template(self, info: strawberry.Info, village_code: str) -> AdoptPowerTemplatePayload:
        ctx = info.context
        count, errors = await attempt(info, service.adopt_template(ctx.session, ctx.actor, village_code=village_code))
        return AdoptPowerTemplatePayload(adopted=count or 0, errors=errors)

    @strawberry.mutation(description="Add a village's own item to its list.")
    async def add_village_power_item(
        self, info: strawberry.Info, village_code: str, input: PowerItemInput
    ) -> VillagePowerItemPayload:
        ctx = info.context
        item, errors = await attempt(
            info, service.add_local_item(ctx.session, ctx.actor, village_code=village_code, fields_=input.to_service())
        )
        return VillagePowerItemPayload(
            item=(await VillagePowerItemType.build(info, [item]))[0] if item else None, errors=errors
        )

    @strawberry.mutation(description="Mark an entry applicable or not (a reason is required for not).")
    async def set_village_power_item_applicable(
        self, info: strawberry.Info, id: strawberry.ID, version: int, applicable: bool, reason: str | None = None
    ) -> VillagePowerItemPayload:
        ctx = info.context

        async def run() -> VillagePowerItem:
            return await service.set_applicable(
                ctx.session, ctx.actor, item_id=decode_id(id, "VillagePowerItem", "id"), version=version,
                applicable=applicable, reason=reason,
            )  # fmt: skip

        item, errors = await attempt(info, run())
        return VillagePowerItemPayload(
            item=(await VillagePowerItemType.build(info, [item]))[0] if item else None, errors=errors
        )
