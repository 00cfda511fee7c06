"""The monthly report of an organization and the county's monthly circular (wangyi-2018 annex 2):
computed from the data, never typed in.

"Published" means first published (索引号 given) in the period and not retracted since; a new
version of an old document is not a new publication.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.auth.scope import at_or_below
from api.bounds import YEAR_MESSAGE, year_in_range
from api.codes import ReportsCode
from api.errors import UserInputError
from api.localtime import local_date, midnight
from api.models import AdminUnit, Document, Organization
from api.models.commitments import KIND_LABELS
from api.services.catalog import Freshness, stale_items
from api.services.commitments import OverdueMilestone, overdue_milestones
from api.services.requests import today
from api.services.units import get_unit, locate_organization

from .export import (
    MARKDOWN,
    XLSX,
    ExportFile,
    exporter,
    header,
    markdown_table,
    new_sheet,
    render,
    require_param,
    rows,
    save,
    title_row,
    widths,
)


def parse_month(text: str, field: str = "month") -> date:
    try:
        year, month = (int(p) for p in (text or "").strip().split("-"))
        first = date(year, month, 1)
    except ValueError as exc:
        raise UserInputError(field, ReportsCode.INVALID_MONTH, f"月份“{text[:20]}”格式不正确，应为“2026-11”") from exc
    if not year_in_range(first.year):
        raise UserInputError(field, ReportsCode.INVALID_MONTH, f"月份的{YEAR_MESSAGE}")
    return first


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def previous_month(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


at = midnight


def published_between(start: date, end: date) -> ColumnElement[bool]:
    """First published in [start, end) (China time) and not retracted."""
    return and_(
        Document.first_published_at >= at(start),
        Document.first_published_at < at(end),
        Document.retracted_at.is_(None),
    )


def counted(start: date, end: date) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((published_between(start, end), 1), else_=0)), 0)


@dataclass
class MonthlyItem:
    document_id: int
    index_no: str
    title: str
    published_at: datetime


@dataclass
class MonthlyReport:
    organization: Organization
    month: date
    this_month: int
    year_to_date: int
    items: list[MonthlyItem]
    stale: list[Freshness]

    @property
    def all_disclosed(self) -> bool:
        return not self.stale


def _as_of(month: date) -> date:
    """Freshness is judged at the month's last day, or today for the running month."""
    return min(today(), next_month(month) - timedelta(days=1))


async def monthly_report(session: AsyncSession, actor: Actor, *, organization_id: int, month: date) -> MonthlyReport:
    from api.models import DocumentVersion

    org, unit, path = await locate_organization(session, organization_id)
    actor.require("report", "read", path)
    end = next_month(month)
    counts = (
        await session.execute(
            select(counted(month, end), counted(date(month.year, 1, 1), end)).where(Document.publisher_id == org.id)
        )
    ).one()
    listed = (
        await session.execute(
            select(Document.id, Document.index_no, DocumentVersion.title, Document.first_published_at)
            .join(DocumentVersion, DocumentVersion.id == Document.current_version_id)
            .where(Document.publisher_id == org.id, published_between(month, end))
            .order_by(Document.first_published_at, Document.id)
        )
    ).all()
    stale = await stale_items(session, unit_code=unit.code, organization_id=org.id, today=_as_of(month))
    return MonthlyReport(
        organization=org, month=month, this_month=int(counts[0]), year_to_date=int(counts[1]),
        items=[MonthlyItem(i, str(n), t, p) for i, n, t, p in listed if p is not None], stale=stale,
    )  # fmt: skip


@dataclass
class CircularRow:
    organization: Organization
    this_month: int
    previous_month: int
    year_to_date: int
    stale_items: int
    rank: int = 0

    @property
    def none_this_month(self) -> bool:
        return self.this_month == 0

    @property
    def two_months_without(self) -> bool:
        return self.this_month == 0 and self.previous_month == 0


@dataclass
class MonthlyCircular:
    unit: AdminUnit
    month: date
    rows: list[CircularRow] = field(default_factory=list)
    # Commitment milestones overdue at the month's end (the month's last day, or today while it runs).
    overdue_milestones: list[OverdueMilestone] = field(default_factory=list)


def organizations_under(unit: AdminUnit) -> ColumnElement[bool]:
    return at_or_below(AdminUnit.scope_path, unit.scope_path)


async def monthly_circular(session: AsyncSession, actor: Actor, *, unit_code: str, month: date) -> MonthlyCircular:
    """Every organization under the unit in one table, ranked by this month's count, then the year's."""
    unit = await get_unit(session, unit_code, "unitCode")
    actor.require("report", "read", unit.scope_path)
    end, before = next_month(month), previous_month(month)
    stmt = (
        select(
            Organization,
            counted(month, end).label("this_month"),
            counted(before, month).label("previous_month"),
            counted(date(month.year, 1, 1), end).label("ytd"),
        )
        .join(AdminUnit, AdminUnit.id == Organization.unit_id)
        .outerjoin(Document, Document.publisher_id == Organization.id)
        .where(organizations_under(unit))
        .group_by(Organization.id)
    )
    result = (await session.execute(stmt)).all()
    stale: dict[int, int] = {}
    for f in await stale_items(session, unit_code=unit.code, today=_as_of(month)):
        stale[f.organization_id] = stale.get(f.organization_id, 0) + 1
    table = [CircularRow(org, int(a), int(b), int(c), stale.get(org.id, 0)) for org, a, b, c in result]
    table.sort(key=lambda r: (-r.this_month, -r.year_to_date, r.organization.id))
    for i, row in enumerate(table, start=1):
        row.rank = i
    late = await overdue_milestones(session, unit_path=unit.scope_path, day=_as_of(month))
    return MonthlyCircular(unit=unit, month=month, rows=table, overdue_milestones=late)


# --- exports ---


@exporter("monthly-report")
async def export_monthly_report(session: AsyncSession, actor: Actor, params: Mapping[str, str], fmt: str) -> ExportFile:
    month = parse_month(require_param(params, "month"))
    report = await monthly_report(session, actor, organization_id=_int(params, "organizationId"), month=month)
    name = f"政务公开月报-{report.organization.name}-{month:%Y-%m}"
    if fmt == "md":
        return ExportFile(f"{name}.md", _monthly_report_md(report, month).encode("utf-8"), MARKDOWN)
    return ExportFile(f"{name}.xlsx", await render(_monthly_report_xlsx, report, month), XLSX)


def _monthly_report_md(report: MonthlyReport, month: date) -> str:
    stale = "；".join(f.item.level1 + (f"（{f.item.level2}）" if f.item.level2 else "") for f in report.stale)
    lines = [
        f"# 政务公开月报（{month.year}年{month.month}月）",
        "",
        f"政务公开责任单位：{report.organization.name}",
        "",
    ]
    lines += markdown_table(
        ["本月公开", "本年度累计公开", "目录清单是否全部公开", "本月未按时更新的目录事项"],
        [[report.this_month, report.year_to_date, "是" if report.all_disclosed else "否", stale or "无"]],
    )
    lines += markdown_table(["序号", "索引号", "标题", "发布时间"], [
        [i, it.index_no, it.title, local_date(it.published_at).strftime("%Y-%m-%d")]
        for i, it in enumerate(report.items, start=1)
    ])  # fmt: skip
    return "\n".join(lines)


def _monthly_report_xlsx(report: MonthlyReport, month: date) -> bytes:
    label = f"{month.year}年{month.month}月"
    book, sheet = new_sheet("政务公开月报")
    title_row(sheet, f"政务公开月报（{label}）", 4)
    sheet.cell(row=2, column=1, value=f"政务公开责任单位：{report.organization.name}")  # type: ignore[attr-defined]
    header(sheet, 3, ["本月公开", "本年度累计公开", "目录清单是否全部公开", "本月未按时更新的目录事项"])
    stale_names = "；".join(f.item.level1 + (f"（{f.item.level2}）" if f.item.level2 else "") for f in report.stale)
    rows(
        sheet,
        4,
        [[report.this_month, report.year_to_date, "是" if report.all_disclosed else "否", stale_names or "无"]],
    )
    header(sheet, 6, ["序号", "索引号", "标题", "发布时间"])
    rows(sheet, 7, [[i, it.index_no, it.title, local_date(it.published_at).strftime("%Y-%m-%d")]
                    for i, it in enumerate(report.items, start=1)])  # fmt: skip
    widths(sheet, [10, 34, 50, 14])
    return save(book)


@exporter("monthly-circular")
async def export_monthly_circular(
    session: AsyncSession, actor: Actor, params: Mapping[str, str], fmt: str
) -> ExportFile:
    month = parse_month(require_param(params, "month"))
    circular = await monthly_circular(session, actor, unit_code=require_param(params, "unitCode"), month=month)
    name = f"政务公开月通报-{circular.unit.name}-{month:%Y-%m}"
    if fmt == "md":
        return ExportFile(f"{name}.md", _monthly_circular_md(circular, month).encode("utf-8"), MARKDOWN)
    return ExportFile(f"{name}.xlsx", await render(_monthly_circular_xlsx, circular, month), XLSX)


def _monthly_circular_md(circular: MonthlyCircular, month: date) -> str:
    lines = [f"# {circular.unit.name}政务公开月通报（{month.year}年{month.month}月）", ""]
    lines += markdown_table(
        ["排名", "单位", "本月公开", "上月公开", "本年累计", "未更新目录事项", "本月未公开", "连续两个月未公开"],
        [[r.rank, r.organization.name, r.this_month, r.previous_month, r.year_to_date, r.stale_items,
          "是" if r.none_this_month else "", "是" if r.two_months_without else ""] for r in circular.rows],
    )  # fmt: skip
    lines += ["", f"## 逾期未完成的承诺节点（截至{_as_of(month).isoformat()}）", ""]
    if circular.overdue_milestones:
        lines += markdown_table(OVERDUE_HEADER, _overdue_rows(circular))
    else:
        lines.append("无")
    return "\n".join(lines)


OVERDUE_HEADER = ["序号", "责任单位", "类别", "承诺事项", "节点", "应完成日期", "逾期天数"]


def _overdue_rows(circular: MonthlyCircular) -> list[list[object]]:
    return [[i, m.organization.name, KIND_LABELS[m.kind], m.title, f"{m.number}. {m.milestone}", m.due_on.isoformat(),
             m.days_overdue] for i, m in enumerate(circular.overdue_milestones, start=1)]  # fmt: skip


def _monthly_circular_xlsx(circular: MonthlyCircular, month: date) -> bytes:
    book, sheet = new_sheet("月通报")
    title_row(sheet, f"{circular.unit.name}政务公开月通报（{month.year}年{month.month}月）", 8)
    header(
        sheet,
        2,
        ["排名", "单位", "本月公开", "上月公开", "本年累计", "未更新目录事项", "本月未公开", "连续两个月未公开"],
    )
    rows(sheet, 3, [[r.rank, r.organization.name, r.this_month, r.previous_month, r.year_to_date, r.stale_items,
                     "是" if r.none_this_month else "", "是" if r.two_months_without else ""] for r in circular.rows])  # fmt: skip
    widths(sheet, [8, 28, 10, 10, 10, 14, 12, 16])
    late = book.create_sheet("逾期承诺节点")
    title_row(late, f"逾期未完成的承诺节点（截至{_as_of(month).isoformat()}）", len(OVERDUE_HEADER))
    header(late, 2, OVERDUE_HEADER)
    rows(late, 3, _overdue_rows(circular))
    widths(late, [8, 28, 10, 40, 40, 14, 10])
    return save(book)


def _int(params: Mapping[str, str], key: str) -> int:
    try:
        return int(require_param(params, key))
    except ValueError as exc:
        raise UserInputError(key, ReportsCode.INVALID, f"参数 {key} 应为数字编号") from exc
