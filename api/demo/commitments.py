"""Demo commitments: 民生实事 of the kinds tiexi-2016 names (弃管小区改造, 义务教育薄弱学校,
农村公路, 农村危房改造), made by 会理县's departments for the demo year, and one 承诺事项
(wangyi-2018 item 16). The titles, dates and figures are invented (demo); one milestone is overdue."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.models import CommitmentKind, Document, DocumentStatus, DocumentVersion, Organization
from api.services import commitments

from .data import HUILI_CODE, TARGET_YEAR

Y = TARGET_YEAR
# (owner, kind, title, target, [(milestone, due, done or None)])
COMMITMENTS: list[tuple[str, CommitmentKind, str, str, list[tuple[str, date, date | None]]]] = [
    ("县规建局", CommitmentKind.LIVELIHOOD, "弃管小区改造（演示）", "完成城区12个弃管小区的改造（演示数据）", [
        ("改造方案公示", date(Y, 3, 31), date(Y, 3, 28)),
        ("全部开工", date(Y, 6, 30), date(Y, 7, 6)),
        ("竣工验收", date(Y, 9, 30), None),  # overdue
    ]),
    ("县教育局", CommitmentKind.LIVELIHOOD, "改善义务教育薄弱学校基本办学条件（演示）", "改造8所农村学校校舍（演示数据）", [
        ("确定改造学校名单", date(Y, 4, 30), date(Y, 4, 20)),
        ("完成校舍改造", date(Y + 1, 8, 31), None),
    ]),
    ("县交通运输局", CommitmentKind.LIVELIHOOD, "农村公路建设（演示）", "新建、改建农村公路60公里（演示数据）", [
        ("开工建设", date(Y, 4, 15), date(Y, 4, 10)),
        ("交工验收", date(Y, 10, 31), date(Y, 10, 25)),
    ]),
    ("县民政局", CommitmentKind.PLEDGE, "城乡低保申请限时办结（演示）", "低保申请自受理之日起30日内办结（演示数据）", []),
]  # fmt: skip


async def load_commitments(session: AsyncSession, actor: Actor) -> int:
    orgs = {o.name: o for o in (await session.execute(select(Organization))).scalars()}
    for owner, kind, title, target, milestones in COMMITMENTS:
        c = await commitments.create_commitment(
            session, actor, organization_id=orgs[owner].id, unit_code=HUILI_CODE,
            fields_=commitments.CommitmentFields(kind, title, Y, target),
            milestones=[commitments.MilestoneFields(t, due) for t, due, _done in milestones], demo=True,
        )  # fmt: skip
        for number, (_t, _due, done) in enumerate(milestones, start=1):
            if done is not None:
                c = await commitments.complete_milestone(
                    session, actor, commitment_id=c.id, version=c.version, number=number, done_on=done
                )
        if owner == "县民政局":  # progress with the published 低保 report as evidence
            evidence = (
                await session.execute(
                    select(Document.id)
                    .join(DocumentVersion, DocumentVersion.id == Document.current_version_id)
                    .where(Document.status == DocumentStatus.PUBLISHED, Document.public.is_(True))
                    .where(Document.publisher_id == orgs[owner].id, DocumentVersion.title.contains("低保资金"))
                )
            ).scalar_one()
            await commitments.add_progress(
                session, actor, commitment_id=c.id, version=c.version, reported_on=date(Y, 11, 5),
                text="第三季度低保申请均在30日内办结（演示数据）", evidence_ids=[evidence],
            )  # fmt: skip
    return len(COMMITMENTS)
