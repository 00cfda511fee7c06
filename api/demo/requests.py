"""Demo information requests: every status and reply type, overdue ones, an extension, a
correction, a third-party pause and two appeals. Applicants and contents are invented."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor, SystemActor
from api.models import (
    AppealKind,
    AppealOutcome,
    ApplicantType,
    Channel,
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
    orgs = {o.name: o for o in (await session.execute(select(Organization))).scalars()}
    office, civil, finance = orgs["县政府办"], orgs["县民政局"], orgs["县财政局"]
    for org, code in ((office, "HLZF"), (civil, "HLMZ"), (finance, "HLCZ")):
        org.short_name = code
    await session.commit()
    people = iter(f"申请人{n}（演示）" for n in "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未")
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

    async def go(r: InfoRequest, step: str, **kw: object) -> InfoRequest:
        fn = getattr(service, step)
        return await fn(session, foi, request_id=r.id, version=r.version, **kw)  # type: ignore[no-any-return]

    async def replied(received: date, reply: ReplyInput, archive: bool = False) -> InfoRequest:
        r = await go(await new(received), "register")
        r = await go(r, "assign", organization_id=civil.id)
        r = await go(r, "reply", reply_=reply)
        return await go(r, "archive") if archive else r

    await new(date(2026, 11, 27), channel=Channel.ONSITE)  # RECEIVED
    await go(await new(date(2026, 11, 25)), "register")  # REGISTERED
    await go(
        await go(await new(date(2026, 10, 9)), "register"), "assign", organization_id=finance.id
    )  # ASSIGNED, overdue
    r = await go(await new(date(2026, 11, 24), kind=ApplicantType.COMMERCIAL_ENTERPRISE), "register")
    await go(
        r, "request_correction", note="请写明所需文件的名称或文号", on_date=date(2026, 11, 26)
    )  # AWAITING_CORRECTION
    r = await go(await new(date(2026, 11, 2)), "register")
    await go(r, "start_consultation", third_party=False, note="会商县财政局", on_date=date(2026, 11, 20))  # CONSULTING
    r = await go(await new(date(2026, 11, 3), kind=ApplicantType.LEGAL_SERVICE_ORG), "register")
    await go(
        r, "start_consultation", third_party=True, note="征求中标企业意见", on_date=date(2026, 11, 23)
    )  # THIRD_PARTY
    r = await go(await new(date(2026, 11, 10)), "register")
    r = await go(r, "extend", days=20, reason="需调取历年档案", approver="县政府办主任（演示）")
    await go(r, "send_for_review")  # IN_REVIEW, extended
    r = await go(await new(date(2026, 10, 12)), "register")
    r = await go(r, "request_correction", note="请补充申请内容", on_date=date(2026, 10, 14))
    r = await go(r, "record_correction", on_date=date(2026, 10, 20))
    r = await go(r, "start_consultation", third_party=True, note="征求第三方意见", on_date=date(2026, 10, 26))
    r = await go(r, "end_consultation", on_date=date(2026, 11, 4))
    await go(r, "reply", reply_=ReplyInput(ReplyType.PARTIALLY_DISCLOSED, None, BASIS))  # corrected + paused, replied

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
    await go(await new(date(2026, 11, 5), channel=Channel.ONLINE), "withdraw", note="申请人撤回")  # WITHDRAWN
    r = await go(await new(date(2026, 10, 19), kind=ApplicantType.OTHER_ORG), "register")
    r = await go(r, "request_correction", note="请说明所需信息", on_date=date(2026, 10, 21))
    await go(r, "correction_lapsed")  # CLOSED, OTHER / 逾期不补正

    await service.record_appeal(session, foi, request_id=not_disclosed.id, kind=AppealKind.ADMINISTRATIVE_REVIEW,
                                outcome=AppealOutcome.UPHELD, filed_on=date(2026, 10, 30), note="复议维持（演示）")  # fmt: skip
    await service.record_appeal(session, foi, request_id=unable.id, kind=AppealKind.LITIGATION_DIRECT,
                                outcome=AppealOutcome.PENDING, filed_on=date(2026, 11, 12), note="尚未审结（演示）")  # fmt: skip
    for r in made:
        r.demo = True
    await session.commit()
    return len(made)
