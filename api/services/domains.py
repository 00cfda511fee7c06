"""The 26 domains and their assignment to organizations within a county."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.auth.scope import covers
from api.codes import DomainsCode
from api.db import commit
from api.errors import UserInputError
from api.models import AdminUnit, Domain, DomainAlias, DomainAssignment, Organization, UnitLevel
from api.models.base import utcnow

from . import audit
from .pages import by_ids, grouped
from .units import get_unit


async def list_domains(session: AsyncSession) -> list[Domain]:
    return list((await session.execute(select(Domain).order_by(Domain.position))).scalars())


async def find_domain(session: AsyncSession, key: str) -> Domain | None:
    """A domain by its code, its name (with or without 领域) or one of its aliases."""
    key = (key or "").strip()
    name = key.removesuffix("领域")
    alias = select(DomainAlias.domain_id).where(DomainAlias.alias == name).scalar_subquery()
    stmt = select(Domain).where(or_(Domain.code == key.upper(), Domain.name == name, Domain.id == alias))
    return (await session.execute(stmt)).scalars().first()


async def get_domain(session: AsyncSession, key: str, field: str = "domainCode") -> Domain:
    domain = await find_domain(session, key)
    if domain is None:
        raise UserInputError(field, DomainsCode.NOT_FOUND, f"找不到领域“{key}”：请使用领域代码或名称")
    return domain


async def assign_domain(
    session: AsyncSession, actor: Actor, *, domain_code: str, unit_code: str, organization_id: int
) -> DomainAssignment:
    """Give ``domain`` to ``organization`` in the county; the previous holder's row is ended."""
    county = await get_unit(session, unit_code, "unitCode")
    actor.require("domain", "assign", county.scope_path)
    if county.level is not UnitLevel.COUNTY:
        raise UserInputError("unitCode", DomainsCode.NOT_COUNTY, f"领域按县（区）分工，“{county.name}”不是县级单位")
    domain = await get_domain(session, domain_code)
    org = await session.get(Organization, organization_id)
    if org is None:
        raise UserInputError("organizationId", DomainsCode.NOT_FOUND, "找不到该单位")
    org_unit = await session.get(AdminUnit, org.unit_id)
    assert org_unit is not None
    if not covers(county.scope_path, org_unit.scope_path):
        raise UserInputError("organizationId", DomainsCode.OUTSIDE_COUNTY, f"“{org.name}”不属于{county.name}")
    current = await active_assignment(session, domain.id, county.id)
    if current is not None and current.organization_id == org.id:
        audit.record(
            session,
            actor,
            "domain.assign",
            "DomainAssignment",
            current.id,
            county.scope_path,
            f"{domain.name}领域已由{org.name}负责，未变更",
        )
        await commit(session)
        return current
    now = utcnow()
    if current is not None:
        current.ended_at = now
        current.ended_by_id = actor.user_id
    assignment = DomainAssignment(
        domain_id=domain.id, county_id=county.id, organization_id=org.id, assigned_by_id=actor.user_id, assigned_at=now
    )
    session.add(assignment)
    await session.flush()
    audit.record(
        session,
        actor,
        "domain.assign",
        "DomainAssignment",
        assignment.id,
        county.scope_path,
        f"{county.name}{domain.name}领域分工给{org.name}",
    )
    await commit(session)
    return assignment


async def active_assignment(session: AsyncSession, domain_id: int, county_id: int) -> DomainAssignment | None:
    stmt = select(DomainAssignment).where(
        DomainAssignment.domain_id == domain_id,
        DomainAssignment.county_id == county_id,
        DomainAssignment.ended_at.is_(None),
    )
    return (await session.execute(stmt)).scalar_one_or_none()


def _assignments_query(
    *, domain_id: int | None = None, county_code: str | None = None, include_ended: bool = False
) -> Select[DomainAssignment]:
    stmt = select(DomainAssignment).order_by(
        DomainAssignment.domain_id, DomainAssignment.assigned_at, DomainAssignment.id
    )
    if domain_id is not None:
        stmt = stmt.where(DomainAssignment.domain_id == domain_id)
    if county_code is not None:
        county = select(AdminUnit.id).where(AdminUnit.code == county_code).scalar_subquery()
        stmt = stmt.where(DomainAssignment.county_id == county)
    if not include_ended:
        stmt = stmt.where(DomainAssignment.ended_at.is_(None))
    return stmt


async def domains_by_ids(session: AsyncSession, actor: Actor, ids: Sequence[int]) -> list[Domain | None]:
    return await by_ids(session, Domain, ids)


async def assignments_by_ids(session: AsyncSession, actor: Actor, ids: Sequence[int]) -> list[DomainAssignment | None]:
    return await by_ids(session, DomainAssignment, ids)


async def assignments_of_counties(
    session: AsyncSession, actor: Actor, county_ids: Sequence[int]
) -> list[list[DomainAssignment]]:
    """The current assignments of each county, by domain."""
    stmt = (
        select(DomainAssignment)
        .where(DomainAssignment.county_id.in_(county_ids), DomainAssignment.ended_at.is_(None))
        .order_by(DomainAssignment.domain_id)
    )
    return await grouped(session, stmt, "county_id", county_ids)


async def assignments_of_domains(
    session: AsyncSession, actor: Actor, keys: Sequence[tuple[int, str | None, bool]]
) -> list[list[DomainAssignment]]:
    """Keyed by (domain id, county code or None, include ended); one statement per distinct
    (county, include ended) among the keys: in practice one."""
    found: dict[tuple[int, str | None, bool], list[DomainAssignment]] = defaultdict(list)
    for county_code, include_ended in {(k[1], k[2]) for k in keys}:
        domain_ids = [k[0] for k in keys if (k[1], k[2]) == (county_code, include_ended)]
        stmt = _assignments_query(county_code=county_code, include_ended=include_ended).where(
            DomainAssignment.domain_id.in_(domain_ids)
        )
        for row in (await session.execute(stmt)).scalars():
            found[(row.domain_id, county_code, include_ended)].append(row)
    return [found.get(k, []) for k in keys]


async def domain_index(session: AsyncSession) -> dict[str, int]:
    """Every code, name (with and without 领域) and alias -> domain id, for bulk lookups."""
    index: dict[str, int] = {}
    for d in await list_domains(session):
        index[d.code] = index[d.name] = index[d.name + "领域"] = d.id
    for alias_id, alias in (await session.execute(select(DomainAlias.domain_id, DomainAlias.alias))).all():
        index[alias] = index[alias + "领域"] = alias_id
    return index
