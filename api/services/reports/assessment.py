"""Annual targets and the assessment score (huili-2016).

完成任务条数得考核分的90%: the base is 90 × min(1, published / target).
其他10%根据超任务数、及时性、准确性、专题任务完成情况量化评分: up to 10 more points, as the district
office records them per factor (the total of the factors is capped at 10).
连续两个月未公开政府信息扣考核分的5%: each run of two consecutive calendar months without a
publication takes 5 % of the score. A longer run counts once per two months in it: four months in a
row are two runs (10 %), three months one run. Only complete months count: for the running year,
the months before the current one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.bounds import YEAR_MESSAGE, year_in_range
from api.codes import ReportsCode
from api.db import commit
from api.errors import UserInputError
from api.models import AdminUnit, AnnualTarget, AssessmentFactor, Document, Organization
from api.models.base import utcnow
from api.services import audit
from api.services.requests import today
from api.services.units import get_unit, locate_organization

from .export import XLSX, ExportFile, exporter, header, new_sheet, render, require_param, rows, save, title_row, widths
from .monthly import counted, next_month, organizations_under

FACTORS = {"EXCEEDING": "超任务数", "TIMELINESS": "及时性", "ACCURACY": "准确性", "SPECIAL_TASKS": "专题任务"}
BASE_SHARE = Decimal(90)
FACTOR_CAP = Decimal(10)
GAP_DEDUCTION = Decimal("0.05")
CENT = Decimal("0.01")


def _check_year(year: int) -> None:
    if not year_in_range(year):
        raise UserInputError("year", ReportsCode.INVALID_YEAR, YEAR_MESSAGE)


async def _org_path(session: AsyncSession, organization_id: int) -> tuple[Organization, str]:
    org, _unit, path = await locate_organization(session, organization_id)
    return org, path


async def set_target(
    session: AsyncSession, actor: Actor, *, organization_id: int, year: int, count: int
) -> AnnualTarget:
    org, path = await _org_path(session, organization_id)
    # The district office assesses; an organization's approver (report write, for the annual
    # report's text) may not set its own target or score.
    actor.require("assessment", "manage", path)
    _check_year(year)
    if count < 0:
        raise UserInputError("count", ReportsCode.INVALID, "目标任务数不能为负数")
    target = (
        await session.execute(
            select(AnnualTarget).where(AnnualTarget.organization_id == org.id, AnnualTarget.year == year)
        )
    ).scalar_one_or_none()
    if target is None:
        target = AnnualTarget(organization_id=org.id, year=year, count=count, set_by_id=actor.user_id)
        session.add(target)
    else:
        target.count, target.set_by_id, target.set_at = count, actor.user_id, utcnow()
    audit.record(
        session, actor, "report.set_target", "AnnualTarget", org.id, path, f"{org.name}{year}年目标任务数 {count}"
    )
    await commit(session)
    return target


async def set_factor(
    session: AsyncSession,
    actor: Actor,
    *,
    organization_id: int,
    year: int,
    factor: str,
    points: Decimal,
    note: str = "",
) -> AssessmentFactor:
    org, path = await _org_path(session, organization_id)
    # The district office assesses; an organization's approver (report write, for the annual
    # report's text) may not set its own target or score.
    actor.require("assessment", "manage", path)
    _check_year(year)
    if factor not in FACTORS:
        raise UserInputError("factor", ReportsCode.INVALID, f"评分项应为{'、'.join(FACTORS.values())}之一")
    if not Decimal(0) <= points <= FACTOR_CAP:
        raise UserInputError("points", ReportsCode.OUT_OF_RANGE, "每项得分应在0至10分之间（四项合计不超过10分）")
    row = (
        await session.execute(
            select(AssessmentFactor).where(
                AssessmentFactor.organization_id == org.id,
                AssessmentFactor.year == year,
                AssessmentFactor.factor == factor,
            )
        )
    ).scalar_one_or_none()
    if row is None:
        row = AssessmentFactor(
            organization_id=org.id, year=year, factor=factor, points=points, note=note, set_by_id=actor.user_id
        )
        session.add(row)
    else:
        row.points, row.note, row.set_by_id, row.set_at = points, note, actor.user_id, utcnow()
    audit.record(
        session,
        actor,
        "report.set_factor",
        "AssessmentFactor",
        org.id,
        path,
        f"{org.name}{year}年{FACTORS[factor]} {points}分",
    )
    await commit(session)
    return row


def gap_runs(monthly: list[int]) -> int:
    """Runs of two consecutive empty months: floor(length / 2) for each maximal empty stretch."""
    runs, stretch = 0, 0
    for count in [*monthly, 1]:
        if count == 0:
            stretch += 1
        else:
            runs += stretch // 2
            stretch = 0
    return runs


@dataclass
class Assessment:
    organization: Organization
    target: int | None
    published: int
    monthly: list[int]
    factors: dict[str, tuple[Decimal, str]] = field(default_factory=dict)

    @property
    def completion(self) -> Decimal | None:
        if not self.target:
            return None
        return (Decimal(self.published) / Decimal(self.target)).quantize(Decimal("0.0001"), ROUND_HALF_UP)

    @property
    def base(self) -> Decimal:
        if not self.target:
            return Decimal(0)
        return (BASE_SHARE * min(Decimal(1), Decimal(self.published) / Decimal(self.target))).quantize(
            CENT, ROUND_HALF_UP
        )

    @property
    def factor_points(self) -> Decimal:
        return min(FACTOR_CAP, sum((p for p, _ in self.factors.values()), Decimal(0)))

    @property
    def gap_runs(self) -> int:
        return gap_runs(self.monthly)

    @property
    def deduction_rate(self) -> Decimal:
        return min(Decimal(1), GAP_DEDUCTION * self.gap_runs)

    @property
    def score(self) -> Decimal:
        gross = self.base + self.factor_points
        return (gross * (Decimal(1) - self.deduction_rate)).quantize(CENT, ROUND_HALF_UP)


def complete_months(year: int) -> int:
    now = today()
    if year < now.year:
        return 12
    if year > now.year:
        return 0
    return now.month - 1


async def assessment(session: AsyncSession, actor: Actor, *, unit_code: str, year: int) -> list[Assessment]:
    """Every organization under the unit: three grouped queries whatever their number."""
    unit = await get_unit(session, unit_code, "unitCode")
    actor.require("report", "read", unit.scope_path)
    _check_year(year)
    months = [date(year, m, 1) for m in range(1, 13)]
    columns = [counted(m, next_month(m)).label(f"m{m.month}") for m in months]
    stmt = (
        select(Organization, *columns)
        .join(AdminUnit, AdminUnit.id == Organization.unit_id)
        .outerjoin(Document, Document.publisher_id == Organization.id)
        .where(organizations_under(unit))
        .group_by(Organization.id)
        .order_by(Organization.id)
    )
    result = (await session.execute(stmt)).all()
    ids = [row[0].id for row in result]
    targets = dict(
        (
            await session.execute(
                select(AnnualTarget.organization_id, AnnualTarget.count).where(
                    AnnualTarget.organization_id.in_(ids), AnnualTarget.year == year
                )
            )
        ).all()  # fmt: skip
    )
    factors: dict[int, dict[str, tuple[Decimal, str]]] = {}
    for f in (
        await session.execute(
            select(AssessmentFactor).where(AssessmentFactor.organization_id.in_(ids), AssessmentFactor.year == year)
        )
    ).scalars():
        factors.setdefault(f.organization_id, {})[f.factor] = (Decimal(f.points), f.note)
    counted_months = complete_months(year)
    out = []
    for org, *monthly in result:
        values = [int(v) for v in monthly]
        out.append(Assessment(org, targets.get(org.id), sum(values), values[:counted_months], factors.get(org.id, {})))
    return out


@exporter("assessment", formats=("xlsx",))
async def export_assessment(session: AsyncSession, actor: Actor, params: Mapping[str, str], fmt: str) -> ExportFile:
    try:
        year = int(require_param(params, "year"))
    except ValueError as exc:
        raise UserInputError("year", ReportsCode.INVALID_YEAR, "参数 year 应为四位年份，如 2026") from exc
    table = await assessment(session, actor, unit_code=require_param(params, "unitCode"), year=year)
    return ExportFile(f"考核评分-{year}.xlsx", await render(_assessment_xlsx, table, year), XLSX)


def _assessment_xlsx(table: list[Assessment], year: int) -> bytes:
    book, sheet = new_sheet("考核评分")
    header(
        sheet,
        2,
        ["单位", "目标任务数", "已公开", "完成率", "任务分(90%)", *FACTORS.values(), "连续两月未公开(次)", "得分"],
    )
    title_row(sheet, f"{year}年政府信息公开考核评分", 11)
    rows(sheet, 3, [[a.organization.name, a.target, a.published, float(a.completion) if a.completion is not None else None,
                     float(a.base), *[float(a.factors.get(k, (Decimal(0), ""))[0]) for k in FACTORS], a.gap_runs,
                     float(a.score)] for a in table])  # fmt: skip
    widths(sheet, [26, 12, 10, 10, 12, 10, 10, 10, 10, 16, 10])
    return save(book)
