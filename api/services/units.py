"""Admin units and organizations: the hierarchy's rules."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from api.auth.actor import Actor
from api.auth.scope import ROOT, organization_path, unit_path
from api.db import commit_or_conflict
from api.errors import Conflict, UserInputError
from api.models import (
    AdminUnit,
    ContactRole,
    Organization,
    OrganizationContact,
    OrganizationKind,
    UnitKind,
    UnitLevel,
)
from api.models.base import utcnow
from api.models.units import KINDS_BY_LEVEL, SIGNIFICANT_DIGITS

from . import audit
from .pages import Page, by_ids, fetch_page, grouped

CODE_RE = re.compile(r"^\d{12}$")
LEVEL_NAMES = {UnitLevel.COUNTY: "县级", UnitLevel.TOWN: "乡级", UnitLevel.VILLAGE: "村级"}


def level_of(code: str, field: str = "code") -> UnitLevel:
    """The level a 统计用区划代码 denotes: county 6, town 9, village 12 significant digits."""
    if not CODE_RE.match(code or ""):
        raise UserInputError(field, "INVALID_CODE", f"区划代码应为12位数字，收到“{code}”")
    if code[:6].endswith("00") or code[:6] == "000000":
        raise UserInputError(field, "INVALID_CODE", f"区划代码“{code}”的前6位不是县级代码")
    if code[6:] == "000000":
        return UnitLevel.COUNTY
    if code[9:] == "000":
        return UnitLevel.TOWN
    if code[6:9] == "000":
        raise UserInputError(field, "INVALID_CODE", f"区划代码“{code}”缺少乡级部分（第7至9位）")
    return UnitLevel.VILLAGE


def parent_code_of(code: str, level: UnitLevel) -> str | None:
    if level is UnitLevel.COUNTY:
        return None
    if level is UnitLevel.TOWN:
        return code[:6] + "000000"
    return code[:9] + "000"


def _check_kind(level: UnitLevel, kind: UnitKind) -> None:
    allowed = KINDS_BY_LEVEL[level]
    if kind not in allowed:
        labels = "、".join(k.value for k in allowed)
        raise UserInputError(
            "kind", "INVALID_KIND", f"{LEVEL_NAMES[level]}单位的类别只能是{labels}，不能是“{kind.value}”"
        )


def _check_name(name: str, field: str = "name") -> str:
    name = (name or "").strip()
    if not name:
        raise UserInputError(field, "REQUIRED", "名称不能为空")
    if len(name) > 100:
        raise UserInputError(field, "TOO_LONG", "名称不能超过100个字")
    return name


async def get_unit(session: AsyncSession, code: str, field: str = "code") -> AdminUnit:
    unit = await find_unit(session, code)
    if unit is None:
        raise UserInputError(field, "NOT_FOUND", f"找不到区划代码为“{code}”的单位")
    return unit


async def find_unit(session: AsyncSession, code: str) -> AdminUnit | None:
    return (await session.execute(select(AdminUnit).where(AdminUnit.code == code))).scalar_one_or_none()


def _parent_path(code: str, level: UnitLevel) -> str:
    parent = parent_code_of(code, level)
    return unit_path(parent) if parent else ROOT


async def create_unit(
    session: AsyncSession,
    actor: Actor,
    *,
    code: str,
    name: str,
    kind: UnitKind,
    parent_code: str | None = None,
    urban_rural_code: str | None = None,
    demo: bool = False,
) -> AdminUnit:
    code = (code or "").strip()
    level = level_of(code)
    actor.require("unit", "create", _parent_path(code, level))
    name = _check_name(name)
    _check_kind(level, kind)
    expected_parent = parent_code_of(code, level)
    if parent_code is not None:
        parent_code = parent_code.strip()
        parent_level = level_of(parent_code, "parentCode")
        if expected_parent is None:
            raise UserInputError("parentCode", "INVALID_PARENT", "县级单位没有上级单位，请不要填写上级区划代码")
        if parent_code != expected_parent:
            digits = SIGNIFICANT_DIGITS[parent_level]
            raise UserInputError(
                "code",
                "OUTSIDE_PARENT",
                f"区划代码“{code}”不在上级“{parent_code}”之下：应以“{parent_code[:digits]}”开头，且为上级的下一级",
            )
    parent = None
    if expected_parent is not None:
        parent = await find_unit(session, expected_parent)
        if parent is None:
            raise UserInputError(
                "parentCode", "PARENT_NOT_FOUND", f"上级单位“{expected_parent}”尚未建立，请先建立上级单位"
            )
    if await find_unit(session, code) is not None:
        raise UserInputError("code", "DUPLICATE", f"区划代码“{code}”已存在")
    unit = AdminUnit(
        code=code,
        name=name,
        level=level,
        kind=kind,
        urban_rural_code=urban_rural_code,
        parent_id=parent.id if parent else None,
        scope_path=unit_path(code),
        demo=demo,
    )
    session.add(unit)
    await session.flush()
    audit.record(session, actor, "unit.create", "AdminUnit", code, unit.scope_path, f"新建单位 {code} {name}")
    await session.commit()
    return unit


async def update_unit(
    session: AsyncSession,
    actor: Actor,
    *,
    code: str,
    version: int,
    name: str | None = None,
    kind: UnitKind | None = None,
) -> AdminUnit:
    unit = await get_unit(session, code)
    actor.require("unit", "update", unit.scope_path)
    if version != unit.version:
        raise Conflict()
    changes = []
    if name is not None:
        unit.name = _check_name(name)
        changes.append(f"名称→{unit.name}")
    if kind is not None:
        _check_kind(unit.level, kind)
        unit.kind = kind
        changes.append(f"类别→{kind.value}")
    audit.record(session, actor, "unit.update", "AdminUnit", code, unit.scope_path, "修改单位 " + "，".join(changes))
    await _commit_versioned(session)
    return unit


_commit_versioned = commit_or_conflict


def _units_query(
    level: UnitLevel | None = None, parent_code: str | None = None, parent_id: int | None = None
) -> Select[AdminUnit]:
    stmt = select(AdminUnit).order_by(AdminUnit.code)
    if level is not None:
        stmt = stmt.where(AdminUnit.level == level)
    if parent_code is not None:
        parent = select(AdminUnit.id).where(AdminUnit.code == parent_code).scalar_subquery()
        stmt = stmt.where(AdminUnit.parent_id == parent)
    if parent_id is not None:
        stmt = stmt.where(AdminUnit.parent_id == parent_id)
    return stmt


async def list_units(
    session: AsyncSession,
    level: UnitLevel | None = None,
    parent_code: str | None = None,
    first: int | None = None,
    after: str | None = None,
    *,
    parent_id: int | None = None,
) -> Page[AdminUnit]:
    """Units by code (public: no scope filter), of one level and one parent if asked."""
    return await fetch_page(session, _units_query(level, parent_code, parent_id), first, after)


async def units_by_ids(session: AsyncSession, ids: Sequence[int]) -> list[AdminUnit | None]:
    return await by_ids(session, AdminUnit, ids)


async def units_by_codes(session: AsyncSession, codes: Sequence[str]) -> list[AdminUnit | None]:
    found = {u.code: u for u in (await session.execute(select(AdminUnit).where(AdminUnit.code.in_(codes)))).scalars()}
    return [found.get(c) for c in codes]


def ancestor_codes(unit: AdminUnit) -> list[str]:
    """The codes from the county down to the unit's parent; they follow from the code itself."""
    codes = []
    code, level = unit.code, unit.level
    while (parent := parent_code_of(code, level)) is not None:
        codes.append(parent)
        code, level = parent, level_of(parent)
    return codes[::-1]


# --- 统一社会信用代码 (GB 32100-2015) ---

CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_check_char(first17: str) -> str:
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def check_credit_code(code: str, field: str = "creditCode") -> str:
    code = (code or "").strip().upper()
    if len(code) != 18:
        raise UserInputError(field, "INVALID_CREDIT_CODE", f"统一社会信用代码应为18位，收到{len(code)}位")
    bad = [c for c in code if c not in CREDIT_CHARS]
    if bad:
        raise UserInputError(
            field, "INVALID_CREDIT_CODE", f"统一社会信用代码含有不允许的字符“{bad[0]}”（不使用I、O、Z、S、V）"
        )
    if credit_check_char(code[:17]) != code[17]:
        raise UserInputError(field, "INVALID_CREDIT_CODE", "统一社会信用代码校验位不正确，请核对后重新输入")
    return code


# --- organizations ---


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
            raise UserInputError(f"contacts.{i}.name", "REQUIRED", "联系人姓名不能为空")
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
        raise UserInputError("creditCode", "DUPLICATE", f"统一社会信用代码“{code}”已被其他单位使用")


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
    await session.commit()
    return org


async def get_organization(session: AsyncSession, organization_id: int, field: str = "id") -> Organization:
    org = await session.get(Organization, organization_id)
    if org is None:
        raise UserInputError(field, "NOT_FOUND", "找不到该单位")
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
) -> Organization:
    stmt = select(Organization).where(Organization.id == organization_id).options(selectinload(Organization.contacts))
    org = (await session.execute(stmt)).scalar_one_or_none()
    if org is None:
        raise UserInputError("id", "NOT_FOUND", "找不到该单位")
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
        from .documents import check_index_scheme  # documents -> domains -> units: imported late

        org.index_scheme = check_index_scheme(index_scheme) if index_scheme.strip() else None
    if contacts is not None:
        org.contacts = _contacts(contacts)
    # Always touch the row, so that a change of contacts alone still moves the version.
    org.updated_at = utcnow()
    audit.record(session, actor, "organization.update", "Organization", org.id, path, f"修改单位 {org.name}")
    await _commit_versioned(session)
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


async def organizations_by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Organization | None]:
    return await by_ids(session, Organization, ids)


async def organizations_of_units(session: AsyncSession, unit_ids: Sequence[int]) -> list[list[Organization]]:
    stmt = select(Organization).where(Organization.unit_id.in_(unit_ids)).order_by(Organization.id)
    return await grouped(session, stmt, "unit_id", unit_ids)


async def contacts_of_organizations(session: AsyncSession, org_ids: Sequence[int]) -> list[list[OrganizationContact]]:
    stmt = (
        select(OrganizationContact)
        .where(OrganizationContact.organization_id.in_(org_ids))
        .order_by(OrganizationContact.position)
    )
    return await grouped(session, stmt, "organization_id", org_ids)


# --- import of the statistics bureau's code list ---

KIND_BY_SUFFIX: tuple[tuple[str, UnitKind], ...] = (
    ("街道办事处", UnitKind.JIEDAO),
    ("街道", UnitKind.JIEDAO),
    ("社区居委会", UnitKind.SHEQU),
    ("社区居民委员会", UnitKind.SHEQU),
    ("社区", UnitKind.SHEQU),
    ("居委会", UnitKind.SHEQU),
    ("村委会", UnitKind.CUN),
    ("村民委员会", UnitKind.CUN),
    ("村", UnitKind.CUN),
    ("镇", UnitKind.ZHEN),
    ("乡", UnitKind.XIANG),
    ("区", UnitKind.QU),
    ("县", UnitKind.XIAN),
)


def guess_kind(name: str, level: UnitLevel) -> UnitKind:
    for suffix, kind in KIND_BY_SUFFIX:
        if name.endswith(suffix) and kind in KINDS_BY_LEVEL[level]:
            return kind
    # Development zones, farms and the like at town level: 园区; villages default to 村.
    return {UnitLevel.COUNTY: UnitKind.XIAN, UnitLevel.TOWN: UnitKind.YUANQU, UnitLevel.VILLAGE: UnitKind.CUN}[level]


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int


def parse_units_csv(text: str) -> list[tuple[int, str, str, str | None]]:
    """Rows (line number, code, name, urban-rural code); a header row is skipped."""
    rows = []
    for lineno, row in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"))), start=1):
        if not row or not "".join(row).strip():
            continue
        if lineno == 1 and not row[0].strip().isdigit():
            continue
        if len(row) < 2:
            raise UserInputError("file", "INVALID_ROW", f"第{lineno}行：应为“代码,名称[,城乡分类代码]”")
        urban = row[2].strip() if len(row) > 2 and row[2].strip() else None
        rows.append((lineno, row[0].strip(), row[1].strip(), urban))
    return rows


async def import_units(
    session: AsyncSession, actor: Actor, rows: Iterable[tuple[int, str, str, str | None]]
) -> ImportResult:
    """Create or rename units from the code list; all rows or none (the caller's transaction)."""
    created = updated = unchanged = 0
    ordered = []
    for lineno, code, name, urban in rows:
        try:
            level = level_of(code)
            _check_name(name)
        except UserInputError as exc:
            raise UserInputError("file", exc.code, f"第{lineno}行：{exc.message}") from exc
        if urban is not None and not re.fullmatch(r"\d{3}", urban):
            raise UserInputError("file", "INVALID_ROW", f"第{lineno}行：城乡分类代码应为3位数字，收到“{urban}”")
        ordered.append((SIGNIFICANT_DIGITS[level], lineno, code, name, urban, level))
    ordered.sort()
    existing = {u.code: u for u in (await session.execute(select(AdminUnit))).scalars()}
    for _digits, lineno, code, name, urban, level in ordered:
        unit = existing.get(code)
        if unit is not None:
            actor_path = unit.scope_path
            if unit.name == name and (urban is None or unit.urban_rural_code == urban):
                unchanged += 1
                continue
            actor.require("unit", "update", actor_path)
            unit.name = name
            if urban is not None:
                unit.urban_rural_code = urban
            updated += 1
            continue
        parent_code = parent_code_of(code, level)
        parent = existing.get(parent_code) if parent_code else None
        if parent_code and parent is None:
            raise UserInputError(
                "file", "PARENT_NOT_FOUND", f"第{lineno}行：上级单位“{parent_code}”不在文件中，也尚未建立"
            )
        actor.require("unit", "create", parent.scope_path if parent else ROOT)
        unit = AdminUnit(
            code=code,
            name=name,
            level=level,
            kind=guess_kind(name, level),
            urban_rural_code=urban,
            parent_id=parent.id if parent else None,
            scope_path=unit_path(code),
        )
        session.add(unit)
        await session.flush()
        existing[code] = unit
        created += 1
    audit.record(
        session,
        actor,
        "unit.import",
        "AdminUnit",
        None,
        ROOT,
        f"导入区划代码：新建{created}，更新{updated}，未变{unchanged}",
    )
    return ImportResult(created, updated, unchanged)
