"""The local view of a place (kiosk, 政务公开专区): what applies there, and who serves it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.auth.scope import prefixes
from api.models import AdminUnit, Document, DocumentKind, DocumentVersion, Organization, UnitLevel, VillagePowerItem

from .units import get_unit

DOCUMENT = "D"
POWER_ITEM = "P"


@dataclass
class LocalFilter:
    kind: DocumentKind | None = None
    domain_id: int | None = None
    include_power_list: bool = True


def _place_paths(unit: AdminUnit) -> list[str]:
    """The unit's path and its ancestors' (a village: county, town, village)."""
    return [p for p in prefixes(unit.scope_path) if p != "*"]


async def local_unit(session: AsyncSession, actor: Actor, unit_code: str) -> AdminUnit:
    unit = await get_unit(session, unit_code, "unitCode")
    actor.require_local(unit.scope_path)
    return unit


def local_items_query(unit: AdminUnit, f: LocalFilter) -> Select[tuple[str, int, object]]:
    """(kind, id, time) rows, newest first: public documents of organizations of the unit and of
    its ancestors, and the applicable entries of the village's micro-power list."""
    docs = select(literal(DOCUMENT).label("kind"), Document.id.label("id"), Document.published_at.label("at")).where(
        Document.public.is_(True), or_(*[Document.scope_path.like(f"{p}/org:%") for p in _place_paths(unit)])
    )
    if f.kind is not None:
        docs = docs.where(Document.kind == f.kind)
    if f.domain_id is not None:
        docs = docs.join(DocumentVersion, DocumentVersion.id == Document.current_version_id).where(
            DocumentVersion.domain_id == f.domain_id
        )
    parts = [docs]
    if f.include_power_list and f.kind is None and f.domain_id is None and unit.level is UnitLevel.VILLAGE:
        parts.append(
            select(
                literal(POWER_ITEM).label("kind"),
                VillagePowerItem.id.label("id"),
                VillagePowerItem.adopted_at.label("at"),
            ).where(VillagePowerItem.village_id == unit.id, VillagePowerItem.applicable.is_(True))
        )
    both = union_all(*parts).subquery()
    return select(both.c.kind, both.c.id, both.c.at).order_by(both.c.at.desc(), both.c.kind, both.c.id.desc())


def directory_query(unit: AdminUnit) -> Select[tuple[Organization]]:
    """Organizations of the unit and of its ancestors, the nearest first."""
    paths = _place_paths(unit)
    return (
        select(Organization)
        .join(AdminUnit, AdminUnit.id == Organization.unit_id)
        .where(AdminUnit.scope_path.in_(paths))
        .order_by(AdminUnit.scope_path.desc(), Organization.id)
    )
