"""Village micro-power lists (村级小微权力清单): the county template and each village's list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.auth.scope import county_code
from api.codes import MicropowerCode
from api.db import commit
from api.errors import Conflict, UserInputError
from api.models import AdminUnit, PowerItem, UnitLevel, VillagePowerItem
from api.models.base import utcnow

from . import audit
from .pages import by_ids
from .units import find_unit, get_unit

CONTENT = ("category", "name", "basis", "steps", "responsible", "disclosed", "timing", "channel")


@dataclass
class PowerFields:
    category: str
    name: str
    basis: str = ""
    steps: list[str] = field(default_factory=list)
    responsible: str = ""
    disclosed: str = ""
    timing: str = ""
    channel: str = ""


def _check(f: PowerFields) -> None:
    if not f.category.strip():
        raise UserInputError("category", MicropowerCode.REQUIRED, "权力类别不能为空")
    if not f.name.strip():
        raise UserInputError("name", MicropowerCode.REQUIRED, "事项名称不能为空")


async def create_template_item(
    session: AsyncSession, actor: Actor, *, unit_code: str, fields_: PowerFields, demo: bool = False
) -> PowerItem:
    county = await get_unit(session, unit_code, "unitCode")
    if county.level is not UnitLevel.COUNTY:
        raise UserInputError(
            "unitCode", MicropowerCode.NOT_COUNTY, f"小微权力清单模板按县（区）制定，“{county.name}”不是县级单位"
        )
    actor.require("micropower", "manage", county.scope_path)
    _check(fields_)
    last = (
        await session.execute(
            select(func.coalesce(func.max(PowerItem.position), 0)).where(PowerItem.county_id == county.id)
        )
    ).scalar_one()
    item = PowerItem(county_id=county.id, position=last + 1, demo=demo, **{k: getattr(fields_, k) for k in CONTENT})
    session.add(item)
    await session.flush()
    audit.record(session, actor, "micropower.create", "PowerItem", item.id, county.scope_path, f"模板事项：{item.name}")
    await commit(session)
    return item


async def _village(session: AsyncSession, actor: Actor, code: str) -> AdminUnit:
    village = await get_unit(session, code, "villageCode")
    if village.level is not UnitLevel.VILLAGE:
        raise UserInputError("villageCode", MicropowerCode.NOT_VILLAGE, f"“{village.name}”不是村（社区）")
    actor.require("micropower", "adopt", village.scope_path)
    return village


async def adopt_template(session: AsyncSession, actor: Actor, *, village_code: str) -> int:
    """Adopt every template item of the village's county that it has not adopted yet."""
    village = await _village(session, actor, village_code)
    county = await get_unit(session, county_code(village_code), "villageCode")
    have = set(
        (
            await session.execute(
                select(VillagePowerItem.template_id).where(
                    VillagePowerItem.village_id == village.id, VillagePowerItem.template_id.is_not(None)
                )
            )
        ).scalars()
    )
    template = (
        await session.execute(select(PowerItem).where(PowerItem.county_id == county.id).order_by(PowerItem.position))
    ).scalars()
    added = 0
    for item in template:
        if item.id not in have:
            session.add(VillagePowerItem(village_id=village.id, template_id=item.id, position=item.position))
            added += 1
    audit.record(
        session,
        actor,
        "micropower.adopt",
        "VillagePowerItem",
        None,
        village.scope_path,
        f"{village.name}采用县级模板{added}项",
    )
    await commit(session)
    return added


async def add_local_item(
    session: AsyncSession, actor: Actor, *, village_code: str, fields_: PowerFields
) -> VillagePowerItem:
    village = await _village(session, actor, village_code)
    _check(fields_)
    last = (
        await session.execute(
            select(func.coalesce(func.max(VillagePowerItem.position), 0)).where(
                VillagePowerItem.village_id == village.id
            )
        )
    ).scalar_one()
    item = VillagePowerItem(village_id=village.id, position=last + 1000, **{k: getattr(fields_, k) for k in CONTENT})
    session.add(item)
    await session.flush()
    audit.record(
        session,
        actor,
        "micropower.add_local",
        "VillagePowerItem",
        item.id,
        village.scope_path,
        f"{village.name}自设事项：{fields_.name}",
    )
    await commit(session)
    return item


async def set_applicable(
    session: AsyncSession, actor: Actor, *, item_id: int, version: int, applicable: bool, reason: str | None
) -> VillagePowerItem:
    item = await session.get(VillagePowerItem, item_id)
    if item is None:
        raise UserInputError("id", MicropowerCode.NOT_FOUND, "找不到该清单事项")
    village = await session.get(AdminUnit, item.village_id)
    assert village is not None
    actor.require("micropower", "adopt", village.scope_path)
    if version != item.version:
        raise Conflict()
    reason = (reason or "").strip()
    if not applicable and not reason:
        raise UserInputError("reason", MicropowerCode.REASON_REQUIRED, "标记为不适用时须说明理由")
    item.applicable = applicable
    item.not_applicable_reason = None if applicable else reason
    item.adopted_at = item.adopted_at or utcnow()
    summary = "适用" if applicable else f"不适用：{reason}"
    audit.record(session, actor, "micropower.applicability", "VillagePowerItem", item.id, village.scope_path, summary)
    await commit(session)
    return item


def _village_list_query(village_id: int, include_not_applicable: bool = True) -> Select[VillagePowerItem]:
    stmt = select(VillagePowerItem).where(VillagePowerItem.village_id == village_id)
    if not include_not_applicable:
        stmt = stmt.where(VillagePowerItem.applicable.is_(True))
    return stmt.order_by(VillagePowerItem.position, VillagePowerItem.id)


def resolved(item: VillagePowerItem, template: PowerItem | None) -> dict[str, Any]:
    """The item's content: its own for a local item, the template's for an adopted one."""
    source = template if item.template_id is not None and template is not None else item
    return _content({k: getattr(source, k) for k in CONTENT})


def _content(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (list(v) if k == "steps" else v) or ([] if k == "steps" else "") for k, v in values.items()}


def _template_query(county_id: int) -> Select[PowerItem]:
    return select(PowerItem).where(PowerItem.county_id == county_id).order_by(PowerItem.position)


def resolved_template(item: PowerItem) -> dict[str, Any]:
    return {k: getattr(item, k) for k in CONTENT}


# --- reading (public: no scope filter) ---


async def power_template(session: AsyncSession, unit_code: str) -> list[PowerItem]:
    """The template of the county of ``unit_code``, in order; empty for an unknown county."""
    county = await find_unit(session, county_code(unit_code))
    if county is None:
        return []
    return list((await session.execute(_template_query(county.id))).scalars())


async def village_power_list(session: AsyncSession, village_code: str) -> list[VillagePowerItem]:
    """A village's list in order, not-applicable entries included; empty for an unknown village."""
    village = await find_unit(session, village_code)
    if village is None:
        return []
    return list((await session.execute(_village_list_query(village.id))).scalars())


async def power_items_by_ids(session: AsyncSession, actor: Actor, ids: Sequence[int]) -> list[PowerItem | None]:
    return await by_ids(session, PowerItem, ids)


def entry_rows(items: Select[*tuple[Any, ...]], *extra: Any) -> Select[*tuple[Any, ...]]:
    """``items`` (a statement of village entries) as rows of what ``entry_values`` reads: the
    entry's columns and its template's (``t_*``), the template joined, and ``extra`` columns."""
    return items.with_only_columns(
        VillagePowerItem.id, VillagePowerItem.template_id, PowerItem.id.label("t_id"),
        *[getattr(VillagePowerItem, k) for k in CONTENT], *[getattr(PowerItem, k).label(f"t_{k}") for k in CONTENT],
        VillagePowerItem.applicable, VillagePowerItem.not_applicable_reason, VillagePowerItem.adopted_at,
        VillagePowerItem.version, *extra, maintain_column_froms=True,
    ).outerjoin(PowerItem, PowerItem.id == VillagePowerItem.template_id)  # fmt: skip


def entry_values(row: Any) -> dict[str, Any]:
    """An entry of ``entry_rows`` as plain values (its content as ``resolved`` gives it, ``local``
    when the village added it itself): what the compiled plans of trusted documents show of it
    (schema/compiled.py)."""
    adopted = row.template_id is not None and row.t_id is not None
    values = {k: getattr(row, f"t_{k}" if adopted else k) for k in CONTENT}
    return {
        "id": row.id, **_content(values), "local": row.template_id is None, "applicable": row.applicable,
        "not_applicable_reason": row.not_applicable_reason, "adopted_at": row.adopted_at, "version": row.version,
    }  # fmt: skip


async def village_items_by_ids(
    session: AsyncSession, actor: Actor, ids: Sequence[int]
) -> list[VillagePowerItem | None]:
    return await by_ids(session, VillagePowerItem, ids)
