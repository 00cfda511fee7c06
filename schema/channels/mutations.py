from __future__ import annotations

import strawberry

from api.models import Webhook
from api.services.channels import webhooks as service

from ..errors import UserError, attempt
from ..relay import decode_id
from .types import WebhookType


@strawberry.input(description="A webhook: where to POST, which events, and the secret the body is signed with.")
class RegisterWebhookInput:
    unit_code: str = strawberry.field(description="The unit whose public documents (and those below) it hears about.")
    url: str = strawberry.field(description="http(s) only; not a private or loopback address.")
    events: list[str] = strawberry.field(description="document.published, document.updated, document.retracted.")
    secret: str = strawberry.field(
        description="16 to 200 characters; X-Gongkai-Signature is sha256=HMAC-SHA256(secret, body)."
    )
    description: str = ""


@strawberry.type
class WebhookPayload:
    webhook: WebhookType | None
    errors: list[UserError]


@strawberry.type
class ChannelsMutation:
    @strawberry.mutation(description="Register a webhook at a unit (district office).")
    async def register_webhook(self, info: strawberry.Info, input: RegisterWebhookInput) -> WebhookPayload:
        ctx = info.context

        async def run() -> Webhook:
            return await service.register_webhook(
                ctx.session,
                ctx.actor,
                unit_code=input.unit_code,
                url=input.url,
                events=input.events,
                secret=input.secret,
                vault=ctx.vault,
                description=input.description,
                allow_private=ctx.settings.webhook_allow_private,
            )

        hook, errors = await attempt(info, run())
        return WebhookPayload(webhook=WebhookType.of(hook) if hook else None, errors=errors)

    @strawberry.mutation(description="Switch a webhook on or off, or change its address, events or secret.")
    async def update_webhook(
        self,
        info: strawberry.Info,
        id: strawberry.ID,
        version: int,
        active: bool | None = None,
        url: str | None = None,
        events: list[str] | None = None,
        secret: str | None = None,
    ) -> WebhookPayload:
        ctx = info.context

        async def run() -> Webhook:
            return await service.update_webhook(
                ctx.session,
                ctx.actor,
                webhook_id=decode_id(id, "Webhook", "id"),
                version=version,
                active=active,
                url=url,
                events=events,
                secret=secret,
                vault=ctx.vault,
                allow_private=ctx.settings.webhook_allow_private,
            )

        hook, errors = await attempt(info, run())
        return WebhookPayload(webhook=WebhookType.of(hook) if hook else None, errors=errors)
