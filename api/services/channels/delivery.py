"""Sending the outbox: due deliveries are claimed (a lease, so several workers send each once),
POSTed with an HMAC-SHA256 signature of the body and the event id, and retried with exponential
backoff up to a bounded number of attempts. Runs outside requests: the app's lifespan loop
(``run_forever``) and ``gongkai deliver-webhooks``."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import logging
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from api.models import DeliveryAttempt, DeliveryStatus, OutboxEvent, Webhook, WebhookDelivery
from api.models.base import utcnow
from api.privacy import Vault
from api.settings import Settings

from .outbox import envelope

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Gongkai-Signature"  # sha256=<hex of HMAC-SHA256(secret, body)>
EVENT_ID_HEADER = "X-Gongkai-Event-Id"
EVENT_HEADER = "X-Gongkai-Event"
LEASE = timedelta(minutes=2)
MAX_BACKOFF = timedelta(hours=6)
BATCH = 50
ERROR_LENGTH = 300


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(settings: Settings, attempts: int) -> timedelta:
    """After the n-th failed attempt: base × 2^(n-1), at most six hours."""
    return min(timedelta(seconds=settings.webhook_backoff_seconds * 2 ** (attempts - 1)), MAX_BACKOFF)


async def refusal(url: str, settings: Settings) -> str | None:
    """Why the URL may not be called now: a name resolving to a private, loopback or link-local
    address (SSRF) is refused unless GONGKAI_WEBHOOK_ALLOW_PRIVATE. The check resolves the name
    itself; a name that changes its answer between this check and the connection (DNS rebinding)
    is not caught."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "地址不是 http(s) 地址"
    if settings.webhook_allow_private:
        return None
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(parts.hostname, port)
    except OSError as exc:
        return f"无法解析主机名：{exc}"[:ERROR_LENGTH]
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global:
            return f"地址 {address} 属于内网或本机，未发送"
    return None


async def deliver_due(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, *, now: datetime | None = None
) -> int:
    """One pass: send every delivery due at ``now`` (default: the clock), at most ``BATCH``.
    Returns how many were attempted."""
    now = now or utcnow()
    # A document's events reach a receiver in their order: one waits while an earlier one of the
    # same document for the same webhook is still pending (a retraction never overtakes its publication).
    earlier, earlier_event = aliased(WebhookDelivery), aliased(OutboxEvent)
    waiting = (
        select(earlier.id)
        .join(earlier_event, earlier_event.id == earlier.event_id)
        .where(
            earlier.webhook_id == WebhookDelivery.webhook_id,
            earlier.status == DeliveryStatus.PENDING,
            earlier.event_id < WebhookDelivery.event_id,
            earlier_event.document_id == OutboxEvent.document_id,
        )
        .exists()
    )
    async with sessionmaker() as session:
        due = (
            await session.execute(
                select(WebhookDelivery.id)
                .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
                .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
                .where(
                    WebhookDelivery.status == DeliveryStatus.PENDING,
                    WebhookDelivery.next_attempt_at <= now,
                    or_(WebhookDelivery.leased_until.is_(None), WebhookDelivery.leased_until < now),
                    Webhook.active.is_(True),
                    ~waiting,
                )
                .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
                .limit(BATCH)
            )
        ).scalars().all()  # fmt: skip
        await session.rollback()
    vault = Vault(settings.data_key or settings.secret_key)
    sent = 0
    async with httpx.AsyncClient(timeout=settings.webhook_timeout_seconds, follow_redirects=False) as client:
        for delivery_id in due:
            if await _claim(sessionmaker, delivery_id, now):
                await _send(sessionmaker, settings, vault, client, delivery_id, now)
                sent += 1
    return sent


async def _claim(sessionmaker: async_sessionmaker[AsyncSession], delivery_id: int, now: datetime) -> bool:
    async with sessionmaker() as session:
        result = await session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == DeliveryStatus.PENDING,
                or_(WebhookDelivery.leased_until.is_(None), WebhookDelivery.leased_until < now),
            )
            .values(leased_until=now + LEASE)
            .execution_options(synchronize_session=False)
        )
        await session.commit()
        return bool(getattr(result, "rowcount", 0) == 1)


async def _send(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    vault: Vault,
    client: httpx.AsyncClient,
    delivery_id: int,
    now: datetime,
) -> None:
    async with sessionmaker() as session:
        delivery, hook, event = (
            await session.execute(
                select(WebhookDelivery, Webhook, OutboxEvent)
                .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
                .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
                .where(WebhookDelivery.id == delivery_id)
            )
        ).one()  # fmt: skip
        secret = vault.open(hook.secret)
        body = json.dumps(envelope(event), ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "gongkai-webhooks/1",
            EVENT_HEADER: event.kind,
            EVENT_ID_HEADER: event.event_id,
            SIGNATURE_HEADER: sign(secret or "", body),
        }
        started = time.perf_counter()
        status_code: int | None = None
        error = (
            "签名密钥无法解密（数据密钥已更换？）：请重新设置密钥"
            if secret is None
            else await refusal(hook.url, settings)
        )
        if error is None:
            try:
                response = await client.post(hook.url, content=body, headers=headers)
                status_code = response.status_code
                if not 200 <= status_code < 300:
                    error = f"对方返回 HTTP {status_code}"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH] or type(exc).__name__
        delivery.attempts += 1
        session.add(
            DeliveryAttempt(
                delivery_id=delivery.id,
                number=delivery.attempts,
                at=now,
                status_code=status_code,
                error=error or "",
                duration_ms=int((time.perf_counter() - started) * 1000),
            )
        )
        delivery.leased_until = None
        if error is None:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = now
        elif delivery.attempts >= settings.webhook_max_attempts:
            delivery.status = DeliveryStatus.FAILED
        else:
            delivery.next_attempt_at = now + backoff(settings, delivery.attempts)
        await session.commit()


async def run_forever(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    """The lifespan's loop: a pass every GONGKAI_WEBHOOK_INTERVAL_SECONDS; a failing pass is logged."""
    while True:
        try:
            await deliver_due(sessionmaker, settings)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("webhook delivery pass failed")
        await asyncio.sleep(settings.webhook_interval_seconds)
