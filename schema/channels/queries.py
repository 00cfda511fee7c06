from __future__ import annotations

import strawberry

from api.models import DeliveryStatus
from api.services.channels import webhooks as service

from .types import DeliveryStatusEnum, WebhookDeliveryType, WebhookType


@strawberry.type
class ChannelsQuery:
    @strawberry.field(description="The webhooks registered at a unit (district office).")
    async def webhooks(self, info: strawberry.Info, unit_code: str) -> list[WebhookType]:
        ctx = info.context
        return [WebhookType.of(h) for h in await service.list_webhooks(ctx.session, ctx.actor, unit_code=unit_code)]

    @strawberry.field(
        description="The delivery log of a unit's webhooks, newest first, each with its attempts (at most 100)."
    )
    async def webhook_deliveries(
        self,
        info: strawberry.Info,
        unit_code: str,
        status: DeliveryStatusEnum | None = None,  # type: ignore[valid-type]
        first: int = 20,
    ) -> list[WebhookDeliveryType]:
        ctx = info.context
        rows = await service.delivery_log(
            ctx.session,
            ctx.actor,
            unit_code=unit_code,
            status=DeliveryStatus(status) if status else None,
            first=first,
        )
        return [WebhookDeliveryType.of(r) for r in rows]
