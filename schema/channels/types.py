from __future__ import annotations

import base64
from datetime import datetime

import strawberry

from api.models import DeliveryStatus, Webhook
from api.services.channels.webhooks import LoggedDelivery

DeliveryStatusEnum = strawberry.enum(
    DeliveryStatus,
    name="DeliveryStatus",
    description="Where a webhook delivery is: PENDING (waits for its next attempt), DELIVERED (a 2xx answer), FAILED (every attempt failed).",
)


def webhook_id(pk: int) -> strawberry.ID:
    return strawberry.ID(base64.b64encode(f"Webhook:{pk}".encode()).decode())


@strawberry.type(name="Webhook", description="An address the district office has other systems notified at.")
class WebhookType:
    id: strawberry.ID
    unit_path: str = strawberry.field(description="The unit path it hears about: public documents at or below it.")
    url: str
    events: list[str] = strawberry.field(description="document.published, document.updated, document.retracted.")
    active: bool
    description: str
    created_at: datetime
    version: int

    @classmethod
    def of(cls, hook: Webhook) -> WebhookType:
        # The secret never leaves the server.
        return cls(
            id=webhook_id(hook.id),
            unit_path=hook.scope_path,
            url=hook.url,
            events=list(hook.events),
            active=hook.active,
            description=hook.description,
            created_at=hook.created_at,
            version=hook.version,
        )


@strawberry.type(name="DeliveryAttempt", description="One POST of a delivery (or why it was not sent).")
class DeliveryAttemptType:
    number: int
    at: datetime
    status_code: int | None = strawberry.field(description="The receiver's HTTP status; null when none came.")
    error: str = strawberry.field(description="Empty when the attempt succeeded.")
    duration_ms: int


@strawberry.type(name="WebhookDelivery", description="One event for one webhook, with every attempt.")
class WebhookDeliveryType:
    webhook_id: strawberry.ID
    url: str
    event: str
    event_id: str = strawberry.field(description="The X-Gongkai-Event-Id header the receiver dedupes by.")
    index_no: str | None
    status: DeliveryStatusEnum  # type: ignore[valid-type]
    attempt_count: int
    next_attempt_at: datetime | None = strawberry.field(
        description="When the next attempt is due; null unless PENDING."
    )
    delivered_at: datetime | None
    attempts: list[DeliveryAttemptType]

    @classmethod
    def of(cls, row: LoggedDelivery) -> WebhookDeliveryType:
        d = row.delivery
        document = row.event.payload.get("document") or {}
        index_no = document.get("indexNo") if isinstance(document, dict) else None
        return cls(
            webhook_id=webhook_id(row.webhook.id),
            url=row.webhook.url,
            event=row.event.kind,
            event_id=row.event.event_id,
            index_no=str(index_no) if index_no else None,
            status=d.status,
            attempt_count=d.attempts,
            next_attempt_at=d.next_attempt_at if d.status is DeliveryStatus.PENDING else None,
            delivered_at=d.delivered_at,
            attempts=[
                DeliveryAttemptType(
                    number=a.number, at=a.at, status_code=a.status_code, error=a.error, duration_ms=a.duration_ms
                )
                for a in row.attempts
            ],
        )
