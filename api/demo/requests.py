"""Demo information requests: every status and reply type, overdue ones, an extension, a
correction, a third-party pause, fees paid, unpaid and awaited, and two appeals. Applicants and contents are invented."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor, SystemActor
from api.models import (
    AppealKind,
    AppealOutcome,
    ApplicantType,
    Channel,
    FeeMethod,
    InfoRequest,
    Organization,
    ReplyReason,
    ReplyType,
    User,
)
from api.privacy import Vault
from api.services import requests as service
from api.services.requests import ReplyInput, Submission

BASIS = "《中华人民共和国政府信息公开条例》第三十六条"


async def load_requests(session: AsyncSession, actor: Actor, vault: Vault) -> int:
    foi_user = (await session.execute(select(User).where(User.username == "foi_officer"))).scalar_one()
    foi = SystemActor(authorizer=actor.authorizer, user=foi_user, client_addr="demo")
    # 审核: the county office signs off the replies the officer drafts.
    lead_user = (await session.execute(select(User).where(User.username == "huili_office"))).scalar_one()
    lead = SystemActor(authorizer=actor.authorizer, user=lead_user, client_addr="demo")
    orgs = {o.name: o for o in (await session.execute(select(Organization))).scalars()}
    office, civil, finance = orgs["县政府办"], orgs["县民政局"], orgs["县财政局"]
    for org, code in ((office, "HLZF"), (civil, "HLMZ"), (finance, "HLCZ")):
        org.short_name = code
    await session.commit()
    people = iter(f"申请人{n}（演示）" for n in "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥")
    made: list[InfoRequest] = []

    async def new(received: date, org: Organization = office, channel: Channel = Channel.LETTER,
                  kind: ApplicantType = ApplicantType.NATURAL_PERSON, what: str = "2026年城乡低保资金发放明细") -> InfoRequest:  # fmt: skip
        request, _password = await service.submit(
            session, foi, vault,
            Submission(channel=channel, applicant_type=kind, applicant_name=next(people), description=what,
                       organization_id=org.id, id_number="513425199001011234", phone="13800001234",
                       address="会理县演示路1号", received_on=received),
        )  # fmt: skip
        made.append(request)
        return request

    async def go(r: InfoRequest, step: str, by: Actor = foi, **kw: object) -> InfoRequest:
        fn = getattr(service, step)
        return await fn(session, by, request_id=r.id, version=r.version, **kw)  # type: ignore[no-any-return]

    # Each step dated as the paper work was done (the steps take their date: issue 14).
    async def replied(received: date, reply: ReplyInput, archive: bool = False) -> InfoRequest:
        r = await go(await new(received), "register", on_date=received)
        r = await go(r, "assign", organization_id=civil.id, on_date=received + timedelta(days=1))
        r = await go(r, "send_for_review", on_date=received + timedelta(days=6))
        r = await go(r, "reply", by=lead, reply_=reply, on_date=received + timedelta(days=7))
        return await go(r, "archive", on_date=received + timedelta(days=10)) if archive else r

    await new(date(2026, 11, 27), channel=Channel.ONSITE)  # RECEIVED
    await go(await new(date(2026, 11, 25)), "register", on_date=date(2026, 11, 25))  # REGISTERED
    r = await go(await new(date(2026, 10, 9)), "register", on_date=date(2026, 10, 9))
    await go(r, "assign", organization_id=finance.id, on_date=date(2026, 10, 10))  # ASSIGNED, overdue
    received = date(2026, 11, 24)
    r = await go(await new(received, kind=ApplicantType.COMMERCIAL_ENTERPRISE), "register", on_date=received)
    await go(
        r, "request_correction", note="请写明所需文件的名称或文号", on_date=date(2026, 11, 26)
    )  # AWAITING_CORRECTION
    r = await go(await new(date(2026, 11, 2)), "register", on_date=date(2026, 11, 2))
    await go(r, "start_consultation", third_party=False, note="会商县财政局", on_date=date(2026, 11, 20))  # CONSULTING
    received = date(2026, 11, 3)
    r = await go(await new(received, kind=ApplicantType.LEGAL_SERVICE_ORG), "register", on_date=received)
    await go(
        r,
        "start_consultation",
        third_party=True,
        third_party_name="某建筑工程有限公司（演示）",
        note="征求中标企业意见",
        on_date=date(2026, 11, 23),
    )  # THIRD_PARTY
    r = await go(await new(date(2026, 11, 10)), "register", on_date=date(2026, 11, 10))
    r = await go(
        r, "extend", days=20, reason="需调取历年档案", approver="县政府办主任（演示）", on_date=date(2026, 11, 20)
    )
    await go(r, "send_for_review", on_date=date(2026, 11, 25))  # IN_REVIEW, extended
    r = await go(await new(date(2026, 10, 12)), "register", on_date=date(2026, 10, 12))
    r = await go(r, "request_correction", note="请补充申请内容", on_date=date(2026, 10, 14))
    r = await go(r, "record_correction", on_date=date(2026, 10, 20))
    r = await go(
        r,
        "start_consultation",
        third_party=True,
        third_party_name="某物业服务公司（演示）",
        note="征求第三方意见",
        on_date=date(2026, 10, 26),
    )
    r = await go(r, "end_consultation", on_date=date(2026, 11, 4))
    r = await go(r, "send_for_review", on_date=date(2026, 11, 9))
    await go(
        r, "reply", by=lead, reply_=ReplyInput(ReplyType.PARTIALLY_DISCLOSED, None, BASIS), on_date=date(2026, 11, 10)
    )  # corrected + paused, replied

    await replied(date(2026, 9, 25), ReplyInput(ReplyType.DISCLOSED, publish_proactively=True), archive=True)
    not_disclosed = await replied(
        date(2026, 9, 28), ReplyInput(ReplyType.NOT_DISCLOSED, ReplyReason.THIRD_PARTY_RIGHTS, BASIS), True
    )
    unable = await replied(
        date(2026, 10, 15),
        ReplyInput(ReplyType.UNABLE, ReplyReason.NOT_HELD, "《中华人民共和国政府信息公开条例》第三十六条第四项"),
    )
    await replied(
        date(2026, 10, 16),
        ReplyInput(ReplyType.NOT_PROCESSED, ReplyReason.REPEATED, "《中华人民共和国政府信息公开条例》第三十六条第六项"),
    )
    # Online: received the day it is submitted (Art. 31), that is, when the demo is loaded.
    await go(await new(date(2026, 11, 5), channel=Channel.ONLINE), "withdraw", note="申请人撤回")  # WITHDRAWN
    received = date(2026, 10, 19)
    r = await go(await new(received, kind=ApplicantType.OTHER_ORG), "register", on_date=received)
    r = await go(r, "request_correction", note="请说明所需信息", on_date=date(2026, 10, 21))
    await go(r, "correction_lapsed", on_date=date(2026, 11, 16))  # CLOSED, OTHER / 逾期不补正
    # Fees (国办函〔2020〕109号): the applicant's 12th request of the month, never paid; 120 pages, paid;
    # and one waiting for the payment.
    r = await go(await new(date(2026, 10, 13), what="2026年各村低保审批表"), "register", on_date=date(2026, 10, 13))
    r = await go(r, "notify_fee", method=FeeMethod.BY_PIECE, units=12, on_date=date(2026, 10, 15))
    await go(r, "fee_lapsed", on_date=date(2026, 11, 16))  # CLOSED, OTHER / 逾期未缴费
    r = await go(await new(date(2026, 11, 16), what="2020年以来低保复核档案"), "register", on_date=date(2026, 11, 16))
    r = await go(r, "notify_fee", method=FeeMethod.BY_VOLUME, units=120, on_date=date(2026, 11, 17))
    await go(r, "record_payment", on_date=date(2026, 11, 24))  # REGISTERED again, due day moved by the wait
    r = await go(await new(date(2026, 11, 23), what="各乡镇临时救助台账"), "register", on_date=date(2026, 11, 23))
    await go(r, "notify_fee", method=FeeMethod.BY_VOLUME, units=45, on_date=date(2026, 11, 25))  # AWAITING_PAYMENT

    await service.record_appeal(session, foi, request_id=not_disclosed.id, kind=AppealKind.ADMINISTRATIVE_REVIEW,
                                outcome=AppealOutcome.UPHELD, filed_on=date(2026, 10, 30), note="复议维持（演示）")  # fmt: skip
    await service.record_appeal(session, foi, request_id=unable.id, kind=AppealKind.LITIGATION_DIRECT,
                                outcome=AppealOutcome.PENDING, filed_on=date(2026, 11, 12), note="尚未审结（演示）")  # fmt: skip
    for r in made:
        r.demo = True
    await session.commit()
    return len(made)
