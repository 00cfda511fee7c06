"""Organizations (机关、单位): their profile and contacts, where they sit (unit and scope path),
and the reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from api.auth.actor import Actor
from api.auth.scope import organization_path
from api.codes import UnitsCode
from api.db import commit
from api.errors import Conflict, UserInputError
from api.models import (
    AdminUnit,
    ContactRole,
    Organization,
    OrganizationContact,
    OrganizationKind,
)
from api.models.base import utcnow

from .. import audit
from ..pages import Page, by_ids, fetch_page, grouped
from .codes import _check_name, check_credit_code
from .divisions import get_unit


@dataclass
class ContactInput:
    role: ContactRole
    name: str
    post: str = ""
    phone: str = ""


@dataclass
class ProfileInput:
    functions: str | None = None
    address: str | None = None
    office_hours: str | None = None
    phone: str | None = None
    head: str | None = None


def _apply_profile(org: Organization, profile: ProfileInput | None) -> None:
    if profile is None:
        return
    for attr in ("functions", "address", "office_hours", "phone", "head"):
        value = getattr(profile, attr)
        if value is not None:
            setattr(org, attr, value.strip())


def _contacts(contacts: Sequence[ContactInput]) -> list[OrganizationContact]:
    result = []
    for i, c in enumerate(contacts):
        if not c.name.strip():
            raise UserInputError(f"contacts.{i}.name", UnitsCode.REQUIRED, "联系人姓名不能为空")
        result.append(
            OrganizationContact(
                role=c.role, name=c.name.strip(), post=c.post.strip(), phone=c.phone.strip(), position=i
            )
        )
    return result


async def _unique_credit_code(session: AsyncSession, code: str, own_id: int | None = None) -> None:
    stmt = select(Organization.id).where(Organization.credit_code == code)
    existing = (await session.execute(stmt)).scalar_one_or_none()
    if existing is not None and existing != own_id:
        raise UserInputError("creditCode", UnitsCode.DUPLICATE, f"统一社会信用代码“{code}”已被其他单位使用")


async def create_organization(
    session: AsyncSession,
    actor: Actor,
    *,
    unit_code: str,
    name: str,
    kind: OrganizationKind,
    credit_code: str | None = None,
    short_name: str | None = None,
    profile: ProfileInput | None = None,
    contacts: Sequence[ContactInput] = (),
    demo: bool = False,
) -> Organization:
    unit = await get_unit(session, unit_code, "unitCode")
    actor.require("organization", "create", unit.scope_path)
    org = Organization(unit_id=unit.id, name=_check_name(name), kind=kind, short_name=short_name, demo=demo)
    if credit_code:
        org.credit_code = check_credit_code(credit_code)
        await _unique_credit_code(session, org.credit_code)
    _apply_profile(org, profile)
    org.contacts = _contacts(contacts)
    session.add(org)
    await session.flush()
    path = organization_path(unit.scope_path, org.id)
    audit.record(session, actor, "organization.create", "Organization", org.id, path, f"新建单位 {org.name}")
    await commit(session)
    return org


async def get_organization(session: AsyncSession, organization_id: int, field: str = "id") -> Organization:
    org = await session.get(Organization, organization_id)
    if org is None:
        raise UserInputError(field, UnitsCode.NOT_FOUND, "找不到该单位")
    return org


async def locate_organization(
    session: AsyncSession, organization_id: int, field: str = "organizationId"
) -> tuple[Organization, AdminUnit, str]:
    """The organization, its unit and its scope path; a UserError naming ``field`` if there is none."""
    org = await get_organization(session, organization_id, field)
    unit = await session.get(AdminUnit, org.unit_id)
    assert unit is not None
    return org, unit, organization_path(unit.scope_path, org.id)


async def organization_scope(session: AsyncSession, org: Organization) -> str:
    return (await locate_organization(session, org.id))[2]


async def update_organization(
    session: AsyncSession,
    actor: Actor,
    *,
    organization_id: int,
    version: int,
    name: str | None = None,
    kind: OrganizationKind | None = None,
    credit_code: str | None = None,
    short_name: str | None = None,
    profile: ProfileInput | None = None,
    contacts: Sequence[ContactInput] | None = None,
    index_scheme: str | None = None,
    notice_scheme: str | None = None,
) -> Organization:
    stmt = select(Organization).where(Organization.id == organization_id).options(selectinload(Organization.contacts))
    org = (await session.execute(stmt)).scalar_one_or_none()
    if org is None:
        raise UserInputError("id", UnitsCode.NOT_FOUND, "找不到该单位")
    path = await organization_scope(session, org)
    actor.require("organization", "update", path)
    if version != org.version:
        raise Conflict()
    if name is not None:
        org.name = _check_name(name)
    if kind is not None:
        org.kind = kind
    if short_name is not None:
        org.short_name = short_name.strip() or None
    if credit_code is not None:
        org.credit_code = check_credit_code(credit_code) if credit_code.strip() else None
        if org.credit_code:
            await _unique_credit_code(session, org.credit_code, org.id)
    _apply_profile(org, profile)
    if index_scheme is not None:
        from ..documents import check_index_scheme  # documents -> domains -> units: imported late

        org.index_scheme = check_index_scheme(index_scheme) if index_scheme.strip() else None
    if notice_scheme is not None:
        from ..requests import check_notice_scheme  # requests -> units: imported late

        org.notice_scheme = check_notice_scheme(notice_scheme) if notice_scheme.strip() else None
    if contacts is not None:
        org.contacts = _contacts(contacts)
    # Always touch the row, so that a change of contacts alone still moves the version.
    org.updated_at = utcnow()
    audit.record(session, actor, "organization.update", "Organization", org.id, path, f"修改单位 {org.name}")
    await commit(session)
    await session.refresh(org)
    return org


def _organizations_query(unit_code: str | None = None) -> Select[Organization]:
    stmt = select(Organization).order_by(Organization.id)
    if unit_code is not None:
        stmt = stmt.join(AdminUnit, Organization.unit_id == AdminUnit.id).where(AdminUnit.code == unit_code)
    return stmt


async def list_organizations(
    session: AsyncSession, unit_code: str | None = None, first: int | None = None, after: str | None = None
) -> Page[Organization]:
    """Organizations by id (public: no scope filter), those of one unit if asked."""
    return await fetch_page(session, _organizations_query(unit_code), first, after)


async def organizations_by_ids(session: AsyncSession, actor: Actor, ids: Sequence[int]) -> list[Organization | None]:
    return await by_ids(session, Organization, ids)


async def organizations_of_units(
    session: AsyncSession, actor: Actor, unit_ids: Sequence[int]
) -> list[list[Organization]]:
    stmt = select(Organization).where(Organization.unit_id.in_(unit_ids)).order_by(Organization.id)
    return await grouped(session, stmt, "unit_id", unit_ids)


async def contacts_of_organizations(
    session: AsyncSession, actor: Actor, org_ids: Sequence[int]
) -> list[list[OrganizationContact]]:
    stmt = (
        select(OrganizationContact)
        .where(OrganizationContact.organization_id.in_(org_ids))
        .order_by(OrganizationContact.position)
    )
    return await grouped(session, stmt, "organization_id", org_ids)
