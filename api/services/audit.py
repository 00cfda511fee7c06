"""The audit log: every mutation records one entry in its own transaction."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.auth.scope import ROOT
from api.models import AuditEntry
from api.services.pages import Page, fetch_page


def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: object | None,
    scope_path: str | None,
    summary: str,
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor.user_id,
        actor_name=actor.name,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        scope_path=scope_path or ROOT,
        summary=summary,
        client_addr=actor.client_addr,
    )
    session.add(entry)
    return entry


def _visible_entries(actor: Actor) -> Select[AuditEntry]:
    actor.require_user()
    if not actor.authorizer.granting_paths(actor.grants, "audit", "read"):
        actor.require("audit", "read", ROOT)
    return (
        select(AuditEntry).where(actor.visible(AuditEntry.scope_path, "audit", "read")).order_by(AuditEntry.id.desc())
    )


async def list_entries(
    session: AsyncSession, actor: Actor, first: int | None = None, after: str | None = None
) -> Page[AuditEntry]:
    """Newest first: the entries under the actor's ``audit read`` grants."""
    return await fetch_page(session, _visible_entries(actor), first, after)
