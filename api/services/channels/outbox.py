"""The outbox: each change of a public document becomes one event, written in the change's own
transaction, with a delivery row for every active webhook that listens to it. Nothing is sent
here; ``delivery.deliver_due`` sends later, outside the request."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import ChannelEvent, DeliveryStatus, Document, DocumentVersion, OutboxEvent, Webhook, WebhookDelivery
from api.models.base import utcnow
from api.models.units import Organization

from .records import iso, record


def covers(webhook_path: str, scope_path: str) -> bool:
    return webhook_path == "*" or scope_path == webhook_path or scope_path.startswith(webhook_path + "/")


async def record_change(
    session: AsyncSession, doc: Document, version: DocumentVersion | None, kind: ChannelEvent
) -> OutboxEvent:
    """Add the event of ``doc``'s change (``version``: the published one; None for a retraction)
    and its deliveries to the session; the caller's commit writes them with the change. One event
    per document, kind and document version (a unique key): a change is never enqueued twice."""
    publisher = await session.get(Organization, doc.publisher_id)
    document: dict[str, object] = {
        "indexNo": doc.index_no,
        "kind": doc.kind.value,
        "publishedAt": iso(doc.published_at),
        "retractedAt": iso(doc.retracted_at),
    }
    if version is not None:
        document["record"] = record(doc, version, publisher.name if publisher else "")
    now = utcnow()
    event = OutboxEvent(
        event_id=str(uuid.uuid4()),
        kind=kind.value,
        document_id=doc.id,
        document_version=doc.version,
        scope_path=doc.scope_path,
        payload={"document": document},
        created_at=now,
    )
    session.add(event)
    hooks = (await session.execute(select(Webhook).where(Webhook.active.is_(True)))).scalars()
    for hook in hooks:
        if kind.value in hook.events and covers(hook.scope_path, doc.scope_path):
            session.add(
                WebhookDelivery(
                    webhook_id=hook.id, event=event, status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now
                )
            )
    return event


def envelope(event: OutboxEvent) -> dict[str, object]:
    """What a receiver and the catalog feed get of an event."""
    return {
        "cursor": str(event.id),
        "eventId": event.event_id,
        "event": event.kind,
        "occurredAt": iso(event.created_at),
        **event.payload,
    }
