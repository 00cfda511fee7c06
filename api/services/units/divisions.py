"""Administrative units (行政区划): creating, renaming, reading and the batches the DataLoaders call."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.auth.scope import unit_path
from api.codes import UnitsCode
from api.db import commit
from api.errors import Conflict, UserInputError
from api.models import (
    AdminUnit,
    UnitKind,
    UnitLevel,
)
from api.models.units import SIGNIFICANT_DIGITS

from .. import audit
from ..pages import Page, by_ids, fetch_page
from .codes import _check_kind, _check_name, _parent_path, level_of, parent_code_of


async def get_unit(session: AsyncSession, code: str, field: str = "code") -> AdminUnit:
    unit = await find_unit(session, code)
    if unit is None:
        raise UserInputError(field, UnitsCode.NOT_FOUND, f"找不到区划代码为“{code}”的单位")
    return unit


async def find_unit(session: AsyncSession, code: str) -> AdminUnit | None:
    return (await session.execute(select(AdminUnit).where(AdminUnit.code == code))).scalar_one_or_none()


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
            raise UserInputError("parentCode", UnitsCode.INVALID_PARENT, "县级单位没有上级单位，请不要填写上级区划代码")
        if parent_code != expected_parent:
            digits = SIGNIFICANT_DIGITS[parent_level]
            raise UserInputError(
                "code",
                UnitsCode.OUTSIDE_PARENT,
                f"区划代码“{code}”不在上级“{parent_code}”之下：应以“{parent_code[:digits]}”开头，且为上级的下一级",
            )
    parent = None
    if expected_parent is not None:
        parent = await find_unit(session, expected_parent)
        if parent is None:
            raise UserInputError(
                "parentCode", UnitsCode.PARENT_NOT_FOUND, f"上级单位“{expected_parent}”尚未建立，请先建立上级单位"
            )
    if await find_unit(session, code) is not None:
        raise UserInputError("code", UnitsCode.DUPLICATE, f"区划代码“{code}”已存在")
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
    await commit(session)
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
    await commit(session)
    return unit


def _units_query(
    level: UnitLevel | None = None, parent_code: str | None = None, parent_id: int | None = None
) -> Select[AdminUnit]:
    stmt = select(AdminUnit).order_by(AdminUnit.code)
    if level is not None:
        stmt = stmt.where(AdminUnit.level == level)
    if parent_code is not None and level is not None:
        # A level below the parent's children (a county's villages): at every depth below it.
        parent_path = select(AdminUnit.scope_path).where(AdminUnit.code == parent_code).scalar_subquery()
        stmt = stmt.where(AdminUnit.scope_path.startswith(parent_path + "/", autoescape=False))
    elif parent_code is not None:
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
    """Units by code (public: no scope filter): with a parent, its children, or with a level its
    descendants of that level at any depth (a county's villages)."""
    return await fetch_page(session, _units_query(level, parent_code, parent_id), first, after)


async def units_by_ids(session: AsyncSession, actor: Actor, ids: Sequence[int]) -> list[AdminUnit | None]:
    return await by_ids(session, AdminUnit, ids)


async def units_by_codes(session: AsyncSession, actor: Actor, codes: Sequence[str]) -> list[AdminUnit | None]:
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
