"""Webhooks the district office registers at its unit, and their delivery log.

A webhook hears about public documents at or below the unit it is registered at. Its URL must be
http(s) with a host; a literal private, loopback or link-local address is refused here (unless
GONGKAI_WEBHOOK_ALLOW_PRIVATE), and every name is resolved and checked again before each send
(``delivery.refusal``)."""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.auth.scope import unit_path
from api.codes import ChannelsCode
from api.db import commit, flush
from api.errors import Conflict, UserInputError
from api.models import ChannelEvent, DeliveryAttempt, DeliveryStatus, OutboxEvent, Webhook, WebhookDelivery
from api.privacy import Vault

from .. import audit

URL_LENGTH = 500
SECRET_MIN = 16
SECRET_MAX = 200
MAX_WEBHOOKS = 20  # per unit: the office's few receiving systems
LOG_ROWS = 100  # deliveries in one read of the log
EVENT_NAMES = tuple(e.value for e in ChannelEvent)


def private_address(host: str) -> bool:
    """The host is an IP literal that is not globally routable (private, loopback, link-local, …)."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not address.is_global


def check_url(url: str, *, allow_private: bool) -> str:
    url = (url or "").strip()
    if len(url) > URL_LENGTH:
        raise UserInputError("url", ChannelsCode.TOO_LONG, f"地址不能超过{URL_LENGTH}个字符")
    try:
        parts = urlsplit(url)
        scheme, host = parts.scheme, parts.hostname
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError:
        scheme, host = "", None
    if scheme not in ("http", "https") or not host:
        raise UserInputError("url", ChannelsCode.INVALID_URL, "接收地址须以 http:// 或 https:// 开头并带主机名")
    if "@" in parts.netloc:
        raise UserInputError("url", ChannelsCode.INVALID_URL, "接收地址不能含用户名或密码，请用签名密钥验证来源")
    if not allow_private and (private_address(host) or host.lower() in ("localhost", "localhost.localdomain")):
        raise UserInputError("url", ChannelsCode.INVALID_URL, "接收地址不能是内网或本机地址，请填写对方系统的公网地址")
    return url


def check_events(events: list[str]) -> list[str]:
    unknown = [e for e in events if e not in EVENT_NAMES]
    if unknown or not events:
        raise UserInputError("events", ChannelsCode.UNKNOWN_EVENT, f"事件须从以下选择：{'、'.join(EVENT_NAMES)}")
    return sorted(set(events))


def check_secret(secret: str) -> str:
    secret = (secret or "").strip()
    if len(secret) < SECRET_MIN:
        raise UserInputError("secret", ChannelsCode.WEAK_SECRET, f"签名密钥至少{SECRET_MIN}个字符")
    if len(secret) > SECRET_MAX:
        raise UserInputError("secret", ChannelsCode.TOO_LONG, f"签名密钥不能超过{SECRET_MAX}个字符")
    return secret


async def register_webhook(
    session: AsyncSession,
    actor: Actor,
    *,
    unit_code: str,
    url: str,
    events: list[str],
    secret: str,
    vault: Vault,
    description: str = "",
    allow_private: bool = False,
) -> Webhook:
    """``secret`` is kept sealed by ``vault`` (the data key): a database dump does not sign."""
    path = unit_path(unit_code)
    actor.require("webhook", "manage", path)
    hook = Webhook(
        scope_path=path,
        url=check_url(url, allow_private=allow_private),
        events=check_events(events),
        secret=vault.seal(check_secret(secret)) or "",
        description=(description or "").strip()[:200],
        active=True,
        created_by_id=actor.user_id,
    )
    count = len((await session.execute(select(Webhook.id).where(Webhook.scope_path == path))).all())
    if count >= MAX_WEBHOOKS:
        raise UserInputError("unitCode", ChannelsCode.TOO_LONG, f"每个单位最多登记{MAX_WEBHOOKS}个接收地址")
    session.add(hook)
    await flush(session)
    audit.record(session, actor, "webhook.register", "Webhook", hook.id, path, f"登记推送地址 {hook.url}")
    await commit(session)
    return hook


async def update_webhook(
    session: AsyncSession,
    actor: Actor,
    *,
    webhook_id: int,
    version: int,
    active: bool | None = None,
    url: str | None = None,
    events: list[str] | None = None,
    secret: str | None = None,
    vault: Vault | None = None,
    allow_private: bool = False,
) -> Webhook:
    hook = await session.get(Webhook, webhook_id)
    if hook is None or not actor.can("webhook", "read", hook.scope_path):
        raise UserInputError("id", ChannelsCode.NOT_FOUND, "找不到该推送地址")
    actor.require("webhook", "manage", hook.scope_path)
    if version != hook.version:
        raise Conflict()
    if url is not None:
        hook.url = check_url(url, allow_private=allow_private)
    if events is not None:
        hook.events = check_events(events)
    if secret is not None:
        if vault is None:
            raise ValueError("a new secret needs the vault")
        hook.secret = vault.seal(check_secret(secret)) or ""
    if active is not None:
        hook.active = active
    state = "启用" if hook.active else "停用"
    audit.record(
        session, actor, "webhook.update", "Webhook", hook.id, hook.scope_path, f"修改推送地址 {hook.url}（{state}）"
    )
    await commit(session)
    return hook


async def list_webhooks(session: AsyncSession, actor: Actor, *, unit_code: str) -> list[Webhook]:
    path = unit_path(unit_code)
    stmt = (
        select(Webhook)
        .where(Webhook.scope_path == path, actor.visible(Webhook.scope_path, "webhook", "read"))
        .order_by(Webhook.id)
        .limit(MAX_WEBHOOKS)
    )
    return list((await session.execute(stmt)).scalars())


@dataclass(frozen=True)
class LoggedDelivery:
    delivery: WebhookDelivery
    webhook: Webhook
    event: OutboxEvent
    attempts: list[DeliveryAttempt]


async def delivery_log(
    session: AsyncSession,
    actor: Actor,
    *,
    unit_code: str,
    status: DeliveryStatus | None = None,
    first: int = 20,
) -> list[LoggedDelivery]:
    """The newest deliveries of the unit's webhooks with every attempt: two statements."""
    path = unit_path(unit_code)
    stmt = (
        select(WebhookDelivery, Webhook, OutboxEvent)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
        .where(Webhook.scope_path == path, actor.visible(Webhook.scope_path, "webhook", "read"))
        .order_by(WebhookDelivery.id.desc())
        .limit(max(1, min(first, LOG_ROWS)))
    )
    if status is not None:
        stmt = stmt.where(WebhookDelivery.status == status)
    rows = (await session.execute(stmt)).all()
    attempts: dict[int, list[DeliveryAttempt]] = defaultdict(list)
    if rows:
        found = select(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_([r[0].id for r in rows]))
        for attempt in (await session.execute(found.order_by(DeliveryAttempt.number))).scalars():
            attempts[attempt.delivery_id].append(attempt)
    return [LoggedDelivery(d, w, e, attempts[d.id]) for d, w, e in rows]
