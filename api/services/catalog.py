"""The disclosure catalog: items with the eight elements, responsible organizations, import from
a spreadsheet, and freshness (is the newest document filed under an item within its frequency)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import BinaryIO

import anyio.to_thread
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api import localtime
from api.auth.actor import Actor
from api.auth.scope import at_or_below, county_code
from api.codes import CatalogCode
from api.db import commit
from api.errors import UserInputError
from api.localtime import local_date
from api.models import (
    AdminUnit,
    Audience,
    CatalogItem,
    CatalogResponsibility,
    DisclosureMethod,
    Document,
    Organization,
    UnitLevel,
    UpdateFrequency,
)
from api.models.catalog import CHANNELS

from . import audit
from .catalog_sheet import read_workbook
from .domains import domain_index, get_domain
from .pages import Page, by_ids, fetch_page, grouped
from .units import get_unit


class ImportFailed(Exception):
    """The row errors of a spreadsheet (the first ``MAX_ERRORS``, then one saying how many more);
    nothing of it was written."""

    def __init__(self, errors: list[UserInputError], total: int | None = None) -> None:
        self.total = len(errors) if total is None else total
        super().__init__(f"{self.total} errors")
        more = self.total - len(errors)
        if more > 0:
            errors = [
                *errors,
                UserInputError(
                    "file",
                    CatalogCode.TOO_MANY_ERRORS,
                    f"另有{more}处错误未列出（共{self.total}处）；请改正以上各处后重新导入",
                ),
            ]
        self.errors = errors


@dataclass
class ItemFields:
    level1: str
    frequency: UpdateFrequency
    level2: str = ""
    domain_code: str | None = None
    content: str = ""
    basis: str = ""
    deadline: str = ""
    subject: str = ""
    channels: list[str] = field(default_factory=list)
    audience: Audience = Audience.PUBLIC
    method: DisclosureMethod = DisclosureMethod.PROACTIVE
    levels: list[UnitLevel] = field(default_factory=lambda: [UnitLevel.COUNTY])
    organization_ids: list[int] = field(default_factory=list)


DEADLINE_RE = re.compile(r"(\d+)\s*个?工作日")


def structured_deadline(text: str) -> int | None:
    """ "信息形成或变更之日起20个工作日内" -> 20; None when the text has no such form."""
    match = DEADLINE_RE.search(text or "")
    return int(match.group(1)) if match else None


def _check_channels(channels: Sequence[str], field_name: str) -> list[str]:
    result = []
    for c in channels:
        c = c.strip()
        if not c:
            continue
        if c not in CHANNELS:
            raise UserInputError(
                field_name, CatalogCode.INVALID_CHANNEL, f"公开渠道“{c}”不在规定的渠道中（{'、'.join(CHANNELS)}）"
            )
        result.append(c)
    return result


async def _county(session: AsyncSession, actor: Actor, unit_code: str) -> AdminUnit:
    unit = await get_unit(session, unit_code, "unitCode")
    if unit.level is not UnitLevel.COUNTY:
        raise UserInputError("unitCode", CatalogCode.NOT_COUNTY, f"目录按县（区）编制，“{unit.name}”不是县级单位")
    actor.require("catalog", "manage", unit.scope_path)
    return unit


async def _orgs_in(session: AsyncSession, county: AdminUnit) -> dict[str, Organization]:
    stmt = (
        select(Organization)
        .join(AdminUnit, AdminUnit.id == Organization.unit_id)
        .where(at_or_below(AdminUnit.scope_path, county.scope_path))
    )
    return {o.name: o for o in (await session.execute(stmt)).scalars()}


async def _add_item(
    session: AsyncSession, county: AdminUnit, f: ItemFields, position: int, demo: bool, domain_id: int | None
) -> CatalogItem:
    item = CatalogItem(
        county_id=county.id, domain_id=domain_id, level1=f.level1.strip(), level2=f.level2.strip(),
        content=f.content, basis=f.basis, deadline=f.deadline, deadline_working_days=structured_deadline(f.deadline),
        subject=f.subject, channels=_check_channels(f.channels, "channels"), audience=f.audience, method=f.method,
        levels=[lv.name for lv in f.levels], frequency=f.frequency, position=position, demo=demo,
    )  # fmt: skip
    if not item.level1:
        raise UserInputError("level1", CatalogCode.REQUIRED, "一级事项不能为空")
    session.add(item)
    await session.flush()
    for org_id in dict.fromkeys(f.organization_ids):
        session.add(CatalogResponsibility(item_id=item.id, organization_id=org_id))
    return item


async def create_item(
    session: AsyncSession, actor: Actor, *, unit_code: str, fields_: ItemFields, demo: bool = False
) -> CatalogItem:
    county = await _county(session, actor, unit_code)
    orgs = {o.id for o in (await _orgs_in(session, county)).values()}
    for org_id in fields_.organization_ids:
        if org_id not in orgs:
            raise UserInputError(
                "organizationIds", CatalogCode.OUTSIDE_COUNTY, f"责任单位（编号{org_id}）不属于{county.name}"
            )
    position = (
        await session.execute(
            select(func.coalesce(func.max(CatalogItem.position), 0)).where(CatalogItem.county_id == county.id)
        )
    ).scalar_one()
    domain_id = (await get_domain(session, fields_.domain_code)).id if fields_.domain_code else None
    item = await _add_item(session, county, fields_, position + 1, demo, domain_id)
    audit.record(
        session,
        actor,
        "catalog.create",
        "CatalogItem",
        item.id,
        county.scope_path,
        f"新增目录事项：{item.level1} {item.level2}",
    )
    await commit(session)
    return item


def _domain_id(index: dict[str, int], key: str | None) -> int | None:
    key = (key or "").strip()
    return (index.get(key) or index.get(key.upper())) if key else None


async def import_catalog(session: AsyncSession, actor: Actor, *, unit_code: str, source: BinaryIO) -> int:
    """Validate every row, then write all of them, or nothing (ImportFailed lists the rows)."""
    county = await _county(session, actor, unit_code)
    rows, errors = await anyio.to_thread.run_sync(read_workbook, source)
    orgs = await _orgs_in(session, county)
    domains = await domain_index(session)
    for row in rows:
        domain_code = row.fields["domain_code"]
        missing = [n for n in row.org_names if n not in orgs]
        if missing:
            errors.add(
                UserInputError(
                    "file",
                    CatalogCode.UNKNOWN_ORGANIZATION,
                    f"{row.where}：{county.name}没有责任单位“{'、'.join(missing)}”",
                )
            )
        if domain_code and _domain_id(domains, domain_code) is None:
            errors.add(UserInputError("file", CatalogCode.UNKNOWN_DOMAIN, f"{row.where}：找不到领域“{domain_code}”"))
    if errors:
        raise ImportFailed(errors.kept, errors.count)
    position = (
        await session.execute(
            select(func.coalesce(func.max(CatalogItem.position), 0)).where(CatalogItem.county_id == county.id)
        )
    ).scalar_one()
    for i, row in enumerate(rows, start=position + 1):
        fields_ = ItemFields(**row.fields, organization_ids=[orgs[n].id for n in row.org_names])
        await _add_item(session, county, fields_, i, demo=False, domain_id=_domain_id(domains, fields_.domain_code))
    audit.record(session, actor, "catalog.import", "CatalogItem", None, county.scope_path, f"导入目录事项{len(rows)}项")
    await commit(session)
    return len(rows)


# --- reading and freshness ---


def _items_query(unit_code: str | None = None, domain_id: int | None = None) -> Select[CatalogItem]:
    stmt = select(CatalogItem).order_by(CatalogItem.county_id, CatalogItem.position, CatalogItem.id)
    if unit_code is not None:
        stmt = stmt.join(AdminUnit, AdminUnit.id == CatalogItem.county_id).where(
            AdminUnit.code == county_code(unit_code)
        )
    if domain_id is not None:
        stmt = stmt.where(CatalogItem.domain_id == domain_id)
    return stmt


async def list_items(
    session: AsyncSession,
    unit_code: str | None = None,
    domain_id: int | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Page[CatalogItem]:
    """Catalog items (public: no scope filter), by county and position; of one county and domain if asked."""
    return await fetch_page(session, _items_query(unit_code, domain_id), first, after)


async def responsibles_of_items(
    session: AsyncSession, actor: Actor, item_ids: Sequence[int]
) -> list[list[CatalogResponsibility]]:
    stmt = (
        select(CatalogResponsibility)
        .where(CatalogResponsibility.item_id.in_(item_ids))
        .order_by(CatalogResponsibility.id)
    )
    return await grouped(session, stmt, "item_id", item_ids)


async def items_by_ids(session: AsyncSession, actor: Actor, ids: Sequence[int]) -> list[CatalogItem | None]:
    return await by_ids(session, CatalogItem, ids)


def period_start(frequency: UpdateFrequency, today: date) -> date:
    """The first day on which a document still counts as current for ``frequency``."""
    if frequency in (UpdateFrequency.REALTIME, UpdateFrequency.DAILY):
        return today
    if frequency is UpdateFrequency.XUN:  # a 旬 is 10 days
        return today - timedelta(days=9)
    if frequency is UpdateFrequency.MONTHLY:
        return today.replace(day=1)
    if frequency is UpdateFrequency.QUARTERLY:
        return date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return date(today.year, 1, 1)


@dataclass
class Freshness:
    item: CatalogItem
    organization_id: int
    last_published_at: datetime | None
    due_since: date

    @property
    def stale(self) -> bool:
        if self.last_published_at is None:
            return True
        return local_date(self.last_published_at) < self.due_since


async def freshness(
    session: AsyncSession, *, unit_code: str, organization_id: int | None = None, today: date | None = None
) -> list[Freshness]:
    """For each item and responsible organization under ``unit_code``: the newest filed document."""
    unit = await get_unit(session, unit_code, "unitCode")
    today = today or localtime.today()
    pairs = (
        select(CatalogItem, CatalogResponsibility.organization_id)
        .join(CatalogResponsibility, CatalogResponsibility.item_id == CatalogItem.id)
        .join(Organization, Organization.id == CatalogResponsibility.organization_id)
        .join(AdminUnit, AdminUnit.id == Organization.unit_id)
        .where(at_or_below(AdminUnit.scope_path, unit.scope_path))
        .order_by(CatalogItem.position, CatalogItem.id, CatalogResponsibility.organization_id)
    )
    if organization_id is not None:
        pairs = pairs.where(CatalogResponsibility.organization_id == organization_id)
    rows = (await session.execute(pairs)).all()
    if not rows:
        return []
    latest_stmt = (
        select(Document.catalog_item_id, Document.publisher_id, func.max(Document.published_at))
        .where(
            Document.catalog_item_id.in_({item.id for item, _ in rows}),
            Document.index_no.is_not(None),
            Document.retracted_at.is_(None),
        )
        .group_by(Document.catalog_item_id, Document.publisher_id)
    )
    latest = {(i, o): at for i, o, at in (await session.execute(latest_stmt)).all()}
    return [
        Freshness(item, org_id, latest.get((item.id, org_id)), period_start(item.frequency, today))
        for item, org_id in rows
    ]


async def stale_items(
    session: AsyncSession, *, unit_code: str, organization_id: int | None = None, today: date | None = None
) -> list[Freshness]:
    """The (item, organization) pairs not kept current: the monthly report's "not all disclosed"."""
    rows = await freshness(session, unit_code=unit_code, organization_id=organization_id, today=today)
    return [r for r in rows if r.stale]
