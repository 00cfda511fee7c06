"""Monthly report, circular, targets and assessment."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry
from strawberry import relay

from api.services.reports import assessment as scoring
from api.services.reports import monthly as service

from ..catalog.types import CatalogItemType, StaleCatalogItem
from ..commitments.types import CommitmentKind
from ..errors import UserError, attempt
from ..relay import decode_id
from ..units.types import OrganizationType


@strawberry.type
class MonthlyReportItem:
    index_no: str
    title: str
    published_at: datetime


@strawberry.type(description="政务公开月报: computed from the data.")
class MonthlyReport:
    organization: OrganizationType
    month: str
    published_this_month: int
    published_this_year: int
    items: list[MonthlyReportItem]
    stale_items: list[StaleCatalogItem] = strawberry.field(
        description="Catalog items it is responsible for and has not kept current."
    )
    all_disclosed: bool = strawberry.field(description="全部公开: no catalog item it is responsible for is stale.")


@strawberry.type
class CircularRow:
    rank: int
    organization: OrganizationType
    this_month: int
    previous_month: int
    year_to_date: int
    stale_items: int
    no_publication_this_month: bool
    two_months_without: bool = strawberry.field(description="Nothing published this month nor the month before.")


@strawberry.type(description="A commitment milestone overdue at the circular's month end (逾期未完成的承诺节点).")
class CircularOverdueMilestone:
    commitment_id: strawberry.ID = strawberry.field(description="The commitment's global id (node(id:) reads it).")
    commitment_title: str
    commitment_kind: CommitmentKind
    organization: OrganizationType
    milestone_number: int
    milestone_title: str
    due_on: date
    days_overdue: int = strawberry.field(description="Days from the due day to the month's end (or today).")


@strawberry.type(description="政务公开月通报 for every organization under a unit.")
class MonthlyCircular:
    month: str
    rows: list[CircularRow]
    overdue_milestones: list[CircularOverdueMilestone] = strawberry.field(
        description="Milestones of the organizations' commitments past due and not done at the month's end "
        "(its last day; today for the running month), soonest due first."
    )


@strawberry.type
class AssessmentFactorPoints:
    factor: str
    label: str
    points: Decimal
    note: str


@strawberry.type(description="One organization's score by the huili-2016 rule, with its breakdown.")
class AssessmentRow:
    organization: OrganizationType
    target: int | None
    published: int
    completion: Decimal | None = strawberry.field(description="published / target")
    base: Decimal = strawberry.field(description="90 × min(1, completion)")
    factors: list[AssessmentFactorPoints]
    factor_points: Decimal = strawberry.field(description="The factors' points, at most 10")
    monthly: list[int] = strawberry.field(description="Publications per complete month of the year")
    gap_runs: int = strawberry.field(description="Runs of two consecutive months without publication")
    deduction_rate: Decimal = strawberry.field(description="5 % per run")
    score: Decimal


def _month(d: date) -> str:
    return f"{d.year}-{d.month:02d}"


@strawberry.type
class ReportsQuery:
    @strawberry.field(description="政务公开月报 of an organization for a month like 2026-11.")
    async def monthly_report(self, info: strawberry.Info, organization_id: strawberry.ID, month: str) -> MonthlyReport:
        ctx = info.context
        r = await service.monthly_report(
            ctx.session, ctx.actor, organization_id=decode_id(organization_id, "Organization", "organizationId"),
            month=service.parse_month(month),
        )  # fmt: skip
        org = OrganizationType.of(r.organization)
        return MonthlyReport(
            organization=org, month=_month(r.month), published_this_month=r.this_month, published_this_year=r.year_to_date,
            items=[MonthlyReportItem(index_no=i.index_no, title=i.title, published_at=i.published_at) for i in r.items],
            stale_items=[StaleCatalogItem(item=CatalogItemType.of(f.item), organization=org, last_published_at=f.last_published_at,
                                          due_since=f.due_since) for f in r.stale],
            all_disclosed=r.all_disclosed,
        )  # fmt: skip

    @strawberry.field(description="政务公开月通报: every organization under the unit, ranked, gaps flagged.")
    async def monthly_circular(self, info: strawberry.Info, unit_code: str, month: str) -> MonthlyCircular:
        ctx = info.context
        c = await service.monthly_circular(
            ctx.session, ctx.actor, unit_code=unit_code, month=service.parse_month(month)
        )
        return MonthlyCircular(
            month=_month(c.month),
            rows=[CircularRow(rank=r.rank, organization=OrganizationType.of(r.organization), this_month=r.this_month,
                              previous_month=r.previous_month, year_to_date=r.year_to_date, stale_items=r.stale_items,
                              no_publication_this_month=r.none_this_month, two_months_without=r.two_months_without)
                  for r in c.rows],
            overdue_milestones=[CircularOverdueMilestone(
                commitment_id=strawberry.ID(str(relay.GlobalID("Commitment", str(m.commitment_id)))),
                commitment_title=m.title, commitment_kind=m.kind, organization=OrganizationType.of(m.organization),
                milestone_number=m.number, milestone_title=m.milestone, due_on=m.due_on, days_overdue=m.days_overdue,
            ) for m in c.overdue_milestones],
        )  # fmt: skip

    @strawberry.field(description="Targets, publications and the score of every organization under the unit.")
    async def assessment(self, info: strawberry.Info, unit_code: str, year: int) -> list[AssessmentRow]:
        ctx = info.context
        table = await scoring.assessment(ctx.session, ctx.actor, unit_code=unit_code, year=year)
        return [
            AssessmentRow(
                organization=OrganizationType.of(a.organization),
                target=a.target,
                published=a.published,
                completion=a.completion,
                base=a.base,
                factors=[
                    AssessmentFactorPoints(factor=k, label=scoring.FACTORS[k], points=p, note=n)
                    for k, (p, n) in a.factors.items()
                ],
                factor_points=a.factor_points,
                monthly=a.monthly,
                gap_runs=a.gap_runs,
                deduction_rate=a.deduction_rate,
                score=a.score,
            )  # fmt: skip
            for a in table
        ]


@strawberry.type
class TargetPayload:
    count: int | None
    errors: list[UserError]


@strawberry.type
class ReportsMutation:
    @strawberry.mutation(description="目标任务数 for an organization and year.")
    async def set_annual_target(
        self, info: strawberry.Info, organization_id: strawberry.ID, year: int, count: int
    ) -> TargetPayload:
        ctx = info.context

        async def run() -> int:
            org = decode_id(organization_id, "Organization", "organizationId")
            return (await scoring.set_target(ctx.session, ctx.actor, organization_id=org, year=year, count=count)).count

        value, errors = await attempt(info, run())
        return TargetPayload(count=value, errors=errors)

    @strawberry.mutation(
        description="Points for one factor of the 10 %: EXCEEDING, TIMELINESS, ACCURACY, SPECIAL_TASKS."
    )
    async def set_assessment_factor(
        self,
        info: strawberry.Info,
        organization_id: strawberry.ID,
        year: int,
        factor: str,
        points: Decimal,
        note: str = "",
    ) -> TargetPayload:
        ctx = info.context

        async def run() -> int:
            org = decode_id(organization_id, "Organization", "organizationId")
            await scoring.set_factor(
                ctx.session, ctx.actor, organization_id=org, year=year, factor=factor, points=points, note=note
            )
            return 0

        value, errors = await attempt(info, run())
        return TargetPayload(count=value, errors=errors)
