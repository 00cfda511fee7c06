"""The disclosure catalog: items with the eight elements, responsible organizations, import from
a spreadsheet, and freshness (is the newest document filed under an item within its frequency)."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import BinaryIO

from openpyxl import load_workbook
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api import localtime
from api.auth.actor import Actor
from api.auth.scope import at_or_below, county_code
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
from .domains import domain_index, get_domain
from .pages import Page, by_ids, fetch_page, grouped
from .units import get_unit


class ImportFailed(Exception):
    """Every row error of a spreadsheet; nothing of it was written."""

    def __init__(self, errors: list[UserInputError]) -> None:
        super().__init__(f"{len(errors)} errors")
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
                field_name, "INVALID_CHANNEL", f"公开渠道“{c}”不在规定的渠道中（{'、'.join(CHANNELS)}）"
            )
        result.append(c)
    return result


async def _county(session: AsyncSession, actor: Actor, unit_code: str) -> AdminUnit:
    unit = await get_unit(session, unit_code, "unitCode")
    if unit.level is not UnitLevel.COUNTY:
        raise UserInputError("unitCode", "NOT_COUNTY", f"目录按县（区）编制，“{unit.name}”不是县级单位")
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
        raise UserInputError("level1", "REQUIRED", "一级事项不能为空")
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
            raise UserInputError("organizationIds", "OUTSIDE_COUNTY", f"责任单位（编号{org_id}）不属于{county.name}")
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


# --- spreadsheet import ---

HEADERS = {
    "领域": "domain", "一级事项": "level1", "二级事项": "level2", "公开内容": "content", "公开内容要素": "content",
    "公开依据": "basis", "公开时限": "deadline", "公开主体": "subject", "公开渠道": "channels",
    "公开渠道和载体": "channels", "公开对象": "audience", "公开方式": "method", "适用层级": "levels",
    "更新频率": "frequency", "责任单位": "organizations", "政务公开责任单位": "organizations",
}  # fmt: skip
FREQUENCIES = {f.value: f for f in UpdateFrequency} | {"每日": UpdateFrequency.DAILY, "每旬": UpdateFrequency.XUN,
               "每月": UpdateFrequency.MONTHLY, "每季": UpdateFrequency.QUARTERLY, "每季度": UpdateFrequency.QUARTERLY,
               "季度": UpdateFrequency.QUARTERLY, "每年": UpdateFrequency.YEARLY, "年度": UpdateFrequency.YEARLY}  # fmt: skip
LEVELS = {"县": UnitLevel.COUNTY, "县级": UnitLevel.COUNTY, "区": UnitLevel.COUNTY, "区级": UnitLevel.COUNTY,
          "乡": UnitLevel.TOWN, "镇": UnitLevel.TOWN, "乡级": UnitLevel.TOWN, "乡镇": UnitLevel.TOWN,
          "乡镇级": UnitLevel.TOWN, "街道": UnitLevel.TOWN, "村": UnitLevel.VILLAGE, "村级": UnitLevel.VILLAGE,
          "社区": UnitLevel.VILLAGE}  # fmt: skip
AUDIENCES = {a.value: a for a in Audience} | {"社会公众": Audience.PUBLIC, "特定对象": Audience.SPECIFIC_GROUPS}
METHODS = {m.value: m for m in DisclosureMethod} | {
    "主动公开": DisclosureMethod.PROACTIVE,
    "依申请公开": DisclosureMethod.ON_REQUEST,
}
SPLIT = re.compile(r"[、,，;；\n]+")


def _split(value: str) -> list[str]:
    return [v.strip() for v in SPLIT.split(value or "") if v.strip()]


@dataclass
class _Row:
    where: str
    fields: ItemFields
    org_names: list[str]


def _parse_row(where: str, cells: dict[str, str]) -> tuple[_Row | None, list[str]]:
    problems: list[str] = []
    level1 = cells.get("level1", "").strip()
    if not level1:
        problems.append("一级事项不能为空")
    freq_text = cells.get("frequency", "").strip()
    frequency = FREQUENCIES.get(freq_text)
    if frequency is None:
        problems.append(f"更新频率“{freq_text}”应为实时、日、旬、月、季、年之一")
    channels = _split(cells.get("channels", ""))
    bad_channels = [c for c in channels if c not in CHANNELS]
    if bad_channels:
        problems.append(f"公开渠道“{'、'.join(bad_channels)}”不在规定的渠道中")
    audience = AUDIENCES.get(cells.get("audience", "").strip() or "全社会")
    if audience is None:
        problems.append(f"公开对象“{cells.get('audience')}”应为全社会或特定群体")
    method = METHODS.get(cells.get("method", "").strip() or "主动")
    if method is None:
        problems.append(f"公开方式“{cells.get('method')}”应为主动或依申请")
    level_names = _split(cells.get("levels", "")) or ["县级"]
    bad_levels = [lv for lv in level_names if lv not in LEVELS]
    if bad_levels:
        problems.append(f"适用层级“{'、'.join(bad_levels)}”应为县级、乡级或村级")
    if problems or frequency is None or audience is None or method is None:
        return None, problems
    fields_ = ItemFields(
        level1=level1, level2=cells.get("level2", ""), frequency=frequency, domain_code=cells.get("domain") or None,
        content=cells.get("content", ""), basis=cells.get("basis", ""), deadline=cells.get("deadline", ""),
        subject=cells.get("subject", ""), channels=channels, audience=audience, method=method,
        levels=list(dict.fromkeys(LEVELS[lv] for lv in level_names)),
    )  # fmt: skip
    return _Row(where, fields_, _split(cells.get("organizations", ""))), []


def read_workbook(source: BinaryIO) -> tuple[list[_Row], list[UserInputError]]:
    """Rows of every sheet that has a 一级事项 header, and every problem found, with sheet and row."""
    try:
        book = load_workbook(io.BytesIO(source.read()), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not xlsx
        raise UserInputError("file", "INVALID_FILE", "无法读取该文件：请上传 Excel（.xlsx）格式的目录表") from exc
    rows: list[_Row] = []
    errors: list[UserInputError] = []
    try:
        for sheet in book.worksheets:
            header: dict[int, str] | None = None
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = ["" if v is None else str(v).strip() for v in values]
                if header is None:
                    if "一级事项" in cells or "内容" in cells:
                        header = {i: HEADERS.get(c, HEADERS.get(c.replace(" ", ""), "")) for i, c in enumerate(cells)}
                        if "内容" in cells and "一级事项" not in cells:
                            header[cells.index("内容")] = "level1"
                    continue
                if not any(cells):
                    continue
                data = {header[i]: c for i, c in enumerate(cells) if i in header and header[i]}
                where = f"工作表“{sheet.title}”第{number}行"
                row, problems = _parse_row(where, data)
                errors += [UserInputError("file", "INVALID_ROW", f"{where}：{p}") for p in problems]
                if row is not None:
                    rows.append(row)
    finally:
        book.close()
    if not rows and not errors:
        errors.append(UserInputError("file", "EMPTY", "文件中没有找到目录事项：表头应包含“一级事项”和“更新频率”"))
    return rows, errors


def _domain_id(index: dict[str, int], key: str | None) -> int | None:
    key = (key or "").strip()
    return (index.get(key) or index.get(key.upper())) if key else None


async def import_catalog(session: AsyncSession, actor: Actor, *, unit_code: str, source: BinaryIO) -> int:
    """Validate every row, then write all of them, or nothing (ImportFailed lists the rows)."""
    county = await _county(session, actor, unit_code)
    rows, errors = read_workbook(source)
    orgs = await _orgs_in(session, county)
    domains = await domain_index(session)
    for row in rows:
        missing = [n for n in row.org_names if n not in orgs]
        if missing:
            errors.append(
                UserInputError(
                    "file", "UNKNOWN_ORGANIZATION", f"{row.where}：{county.name}没有责任单位“{'、'.join(missing)}”"
                )
            )
        if row.fields.domain_code and _domain_id(domains, row.fields.domain_code) is None:
            errors.append(
                UserInputError("file", "UNKNOWN_DOMAIN", f"{row.where}：找不到领域“{row.fields.domain_code}”")
            )
    if errors:
        raise ImportFailed(errors)
    position = (
        await session.execute(
            select(func.coalesce(func.max(CatalogItem.position), 0)).where(CatalogItem.county_id == county.id)
        )
    ).scalar_one()
    for i, row in enumerate(rows, start=position + 1):
        row.fields.organization_ids = [orgs[n].id for n in row.org_names]
        await _add_item(
            session, county, row.fields, i, demo=False, domain_id=_domain_id(domains, row.fields.domain_code)
        )
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


async def responsibles_of_items(session: AsyncSession, item_ids: Sequence[int]) -> list[list[CatalogResponsibility]]:
    stmt = (
        select(CatalogResponsibility)
        .where(CatalogResponsibility.item_id.in_(item_ids))
        .order_by(CatalogResponsibility.id)
    )
    return await grouped(session, stmt, "item_id", item_ids)


async def items_by_ids(session: AsyncSession, ids: Sequence[int]) -> list[CatalogItem | None]:
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
