from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated

import strawberry

from api.models import Appeal, InfoRequest
from api.services import requests as service

from ..errors import UserError, attempt
from ..relay import decode_id
from .inputs import AppealInput, CalendarDayInput, FeeStandardInput, InfoRequestInput, ReplyInput
from .types import (
    AppealOutcome,
    AppealType,
    FeeMethod,
    FeeStandardType,
    InfoRequestStatusType,
    InfoRequestType,
    NoticeKind,
    NoticeTemplateType,
    ReplyType,
    RequestRulesType,
)


@strawberry.type
class SubmitInfoRequestPayload:
    tracking_code: str | None = strawberry.field(description="查询码: give it with the password to follow the request.")
    password: str | None = strawberry.field(description="查询密码, shown once.")
    status: InfoRequestStatusType | None
    errors: list[UserError]


@strawberry.type
class InfoRequestPayload:
    request: InfoRequestType | None
    errors: list[UserError]


@strawberry.type
class AppealPayload:
    appeal: AppealType | None
    errors: list[UserError]


@strawberry.type
class ReplyTemplatePayload:
    body: str | None
    errors: list[UserError]


@strawberry.type
class SetCalendarDaysPayload:
    recomputed: int = strawberry.field(description="How many open requests had their due date recomputed.")
    errors: list[UserError]


@strawberry.type
class NoticeTemplatePayload:
    template: NoticeTemplateType | None
    errors: list[UserError]


@strawberry.type
class FeeStandardPayload:
    standard: FeeStandardType | None
    errors: list[UserError]


@strawberry.type
class RequestRulesPayload:
    rules: RequestRulesType | None
    errors: list[UserError]


def _id(value: strawberry.ID) -> int:
    return decode_id(value, "InfoRequest", "id")


async def _step(info: strawberry.Info, run: Callable[[], Awaitable[InfoRequest]]) -> InfoRequestPayload:
    async def call() -> InfoRequest:
        return await run()

    request, errors = await attempt(info, call())
    return InfoRequestPayload(request=InfoRequestType.of(request) if request else None, errors=errors)


@strawberry.type
class RequestsMutation:
    @strawberry.mutation(description="Submit a request (anyone), or record a letter, fax, e-mail or visit (staff).")
    async def submit_info_request(self, info: strawberry.Info, input: InfoRequestInput) -> SubmitInfoRequestPayload:
        ctx = info.context

        async def run() -> tuple[InfoRequest, str]:
            return await service.submit(
                ctx.session, ctx.actor, ctx.vault,
                service.Submission(
                    channel=input.channel, applicant_type=input.applicant_type, applicant_name=input.applicant_name,
                    description=input.description, organization_id=decode_id(input.organization_id, "Organization", "organizationId"),
                    delivery_form=input.delivery_form, id_number=input.id_number, phone=input.phone, address=input.address,
                    email=input.email, purpose=input.purpose, received_on=input.received_on,
                ),
            )  # fmt: skip

        result, errors = await attempt(info, run())
        if result is None:
            return SubmitInfoRequestPayload(tracking_code=None, password=None, status=None, errors=errors)
        request, password = result
        return SubmitInfoRequestPayload(
            tracking_code=request.tracking_code, password=password, status=InfoRequestStatusType.of(request), errors=[]
        )

    # Every step takes onDate, the day it took effect (default today): not in the future, not
    # before receipt, not before the step it follows. The history keeps it beside createdAt.
    @strawberry.mutation(description="登记")
    async def register_info_request(
        self, info: strawberry.Info, id: strawberry.ID, version: int, on_date: date | None = None
    ) -> InfoRequestPayload:
        c = info.context
        return await _step(info, lambda: service.register(
            c.session, c.actor, request_id=_id(id), version=version, on_date=on_date))  # fmt: skip

    @strawberry.mutation(description="分办: forward to the organization that will handle it.")
    async def assign_info_request(
        self, info: strawberry.Info, id: strawberry.ID, version: int, organization_id: strawberry.ID,
        on_date: date | None = None,
    ) -> InfoRequestPayload:  # fmt: skip
        c = info.context
        return await _step(info, lambda: service.assign(
            c.session, c.actor, request_id=_id(id), version=version,
            organization_id=decode_id(organization_id, "Organization", "organizationId"), on_date=on_date,
        ))  # fmt: skip

    @strawberry.mutation(
        description="补正: ask the applicant to make the request clear (within 7 working days of receipt)."
    )
    async def request_correction(
        self, info: strawberry.Info, id: strawberry.ID, version: int, note: str, on_date: date | None = None
    ) -> InfoRequestPayload:
        c = info.context
        return await _step(info, lambda: service.request_correction(
            c.session, c.actor, request_id=_id(id), version=version, note=note, on_date=on_date))  # fmt: skip

    @strawberry.mutation(description="The corrected request arrived: the reply period starts again from that day.")
    async def record_correction(
        self, info: strawberry.Info, id: strawberry.ID, version: int, on_date: date | None = None
    ) -> InfoRequestPayload:
        c = info.context
        return await _step(info, lambda: service.record_correction(
            c.session, c.actor, request_id=_id(id), version=version, on_date=on_date))  # fmt: skip

    @strawberry.mutation(description="逾期不补正: close the request.")
    async def close_for_lapsed_correction(
        self, info: strawberry.Info, id: strawberry.ID, version: int, on_date: date | None = None
    ) -> InfoRequestPayload:
        c = info.context
        return await _step(info, lambda: service.correction_lapsed(
            c.session, c.actor, request_id=_id(id), version=version, on_date=on_date))  # fmt: skip

    @strawberry.mutation(
        description="收费通知 (Art. 42, 国办函〔2020〕109号): `units` is the applicant's requests this month including "
        "this one (BY_PIECE) or the pages (BY_VOLUME); the amount follows the office's standard; the clock stops."
    )
    async def notify_info_request_fee(
        self, info: strawberry.Info, id: strawberry.ID, version: int, method: FeeMethod, units: int,
        on_date: date | None = None,
    ) -> InfoRequestPayload:  # fmt: skip
        c = info.context
        return await _step(info, lambda: service.notify_fee(
            c.session, c.actor, request_id=_id(id), version=version, method=method, units=units, on_date=on_date))  # fmt: skip

    @strawberry.mutation(description="The fee is paid: the clock runs again.")
    async def record_info_request_payment(
        self, info: strawberry.Info, id: strawberry.ID, version: int, on_date: date | None = None
    ) -> InfoRequestPayload:
        c = info.context
        return await _step(info, lambda: service.record_payment(
            c.session, c.actor, request_id=_id(id), version=version, on_date=on_date))  # fmt: skip

    @strawberry.mutation(description="逾期未缴费: close the request once the payment period has passed.")
    async def close_for_unpaid_fee(
        self, info: strawberry.Info, id: strawberry.ID, version: int, on_date: date | None = None
    ) -> InfoRequestPayload:
        c = info.context
        return await _step(info, lambda: service.fee_lapsed(
            c.session, c.actor, request_id=_id(id), version=version, on_date=on_date))  # fmt: skip

    @strawberry.mutation(
        description="会商 (thirdParty false, Art. 34) or a third party's opinion (true, Art. 32): the clock stops."
    )
    async def start_consultation(
        self, info: strawberry.Info, id: strawberry.ID, version: int, third_party: bool, note: str = "",
        on_date: date | None = None,
        third_party_name: Annotated[str, strawberry.argument(
            description="With thirdParty: who the 征求第三方意见函 goes to (required then).")] = "",
    ) -> InfoRequestPayload:  # fmt: skip
        c = info.context
        return await _step(info, lambda: service.start_consultation(
            c.session, c.actor, request_id=_id(id), version=version, third_party=third_party, note=note, on_date=on_date,
            third_party_name=third_party_name))  # fmt: skip

    @strawberry.mutation(description="The opinion came back: the clock runs again.")
    async def end_consultation(
        self, info: strawberry.Info, id: strawberry.ID, version: int, note: str = "", on_date: date | None = None
    ) -> InfoRequestPayload:
        c = info.context
        return await _step(info, lambda: service.end_consultation(
            c.session, c.actor, request_id=_id(id), version=version, note=note, on_date=on_date))  # fmt: skip

    @strawberry.mutation(
        description="One extension of at most 20 working days, with a reason and who approved it, before the due day."
    )
    async def extend_info_request(
        self, info: strawberry.Info, id: strawberry.ID, version: int, days: int, reason: str, approver: str,
        on_date: date | None = None,
    ) -> InfoRequestPayload:  # fmt: skip
        c = info.context
        return await _step(info, lambda: service.extend(
            c.session, c.actor, request_id=_id(id), version=version, days=days, reason=reason, approver=approver,
            on_date=on_date))  # fmt: skip

    @strawberry.mutation(description="审核: send the draft reply for the leader's sign-off.")
    async def send_info_request_for_review(
        self, info: strawberry.Info, id: strawberry.ID, version: int, on_date: date | None = None
    ) -> InfoRequestPayload:
        c = info.context
        return await _step(info, lambda: service.send_for_review(
            c.session, c.actor, request_id=_id(id), version=version, on_date=on_date))  # fmt: skip

    @strawberry.mutation(description="答复, with a letter from the reply type's template.")
    async def reply_info_request(
        self, info: strawberry.Info, id: strawberry.ID, version: int, input: ReplyInput, on_date: date | None = None
    ) -> InfoRequestPayload:
        c = info.context
        reply = service.ReplyInput(
            input.reply_type, input.reason, input.legal_basis, input.note, input.publish_proactively
        )
        return await _step(info, lambda: service.reply(
            c.session, c.actor, request_id=_id(id), version=version, reply_=reply, on_date=on_date))  # fmt: skip

    @strawberry.mutation(description="归档, with an archive number (of the archive day's year).")
    async def archive_info_request(
        self, info: strawberry.Info, id: strawberry.ID, version: int, on_date: date | None = None
    ) -> InfoRequestPayload:
        c = info.context
        return await _step(info, lambda: service.archive(
            c.session, c.actor, request_id=_id(id), version=version, on_date=on_date))  # fmt: skip

    @strawberry.mutation
    async def withdraw_info_request(
        self, info: strawberry.Info, id: strawberry.ID, version: int, note: str = "", on_date: date | None = None
    ) -> InfoRequestPayload:
        c = info.context
        return await _step(info, lambda: service.withdraw(
            c.session, c.actor, request_id=_id(id), version=version, note=note, on_date=on_date))  # fmt: skip

    @strawberry.mutation(description="Record an administrative review or a lawsuit about a request.")
    async def record_appeal(self, info: strawberry.Info, input: AppealInput) -> AppealPayload:
        c = info.context

        async def run() -> Appeal:
            return await service.record_appeal(
                c.session, c.actor, request_id=decode_id(input.request_id, "InfoRequest", "requestId"), kind=input.kind,
                outcome=input.outcome, filed_on=input.filed_on, note=input.note,
            )  # fmt: skip

        appeal, errors = await attempt(info, run())
        return AppealPayload(appeal=AppealType.of(appeal) if appeal else None, errors=errors)

    @strawberry.mutation
    async def update_appeal(
        self, info: strawberry.Info, id: strawberry.ID, version: int, outcome: AppealOutcome, note: str | None = None
    ) -> AppealPayload:
        c = info.context

        async def run() -> Appeal:
            return await service.update_appeal(
                c.session, c.actor, appeal_id=decode_id(id, "Appeal", "id"), version=version, outcome=outcome, note=note
            )

        appeal, errors = await attempt(info, run())
        return AppealPayload(appeal=AppealType.of(appeal) if appeal else None, errors=errors)

    @strawberry.mutation(
        description="The letter for a reply type, with placeholders such as {applicant_name} and {remedies}."
    )
    async def save_reply_template(
        self, info: strawberry.Info, reply_type: ReplyType, body: str
    ) -> ReplyTemplatePayload:
        c = info.context
        saved, errors = await attempt(info, service.save_template(c.session, c.actor, reply_type=reply_type, body=body))
        return ReplyTemplatePayload(body=saved.body if saved else None, errors=errors)

    @strawberry.mutation(description="Enter holidays and 调休 working days; open requests' due dates are recomputed.")
    async def set_calendar_days(self, info: strawberry.Info, days: list[CalendarDayInput]) -> SetCalendarDaysPayload:
        c = info.context
        count, errors = await attempt(
            info, service.set_calendar_days(c.session, c.actor, [(d.day, d.working, d.note) for d in days])
        )
        return SetCalendarDaysPayload(recomputed=count or 0, errors=errors)

    @strawberry.mutation(
        description="Mark a year's holidays as entered in full (or take the mark back): due dates in a year "
        "chinesecalendar does not know stay provisional until then; open requests' due dates are recomputed."
    )
    async def mark_calendar_year(
        self, info: strawberry.Info, year: int, complete: bool = True
    ) -> SetCalendarDaysPayload:
        c = info.context
        count, errors = await attempt(info, service.mark_calendar_year(c.session, c.actor, year, complete))
        return SetCalendarDaysPayload(recomputed=count or 0, errors=errors)

    @strawberry.mutation(description="The office's fee standard for a method (信息处理费).")
    async def set_fee_standard(self, info: strawberry.Info, input: FeeStandardInput) -> FeeStandardPayload:
        c = info.context
        saved, errors = await attempt(info, service.set_fee_standard(
            c.session, c.actor, method=input.method, tiers=[(t.above, t.yuan) for t in input.tiers],
            step_units=input.step_units, step_yuan=input.step_yuan, version=input.version,
        ))  # fmt: skip
        return FeeStandardPayload(standard=FeeStandardType.of(saved) if saved else None, errors=errors)

    @strawberry.mutation(description="The office's correction period (Art. 30), in working days from the notice.")
    async def set_request_rules(
        self, info: strawberry.Info, correction_working_days: int, version: int
    ) -> RequestRulesPayload:
        c = info.context
        saved, errors = await attempt(info, service.set_request_rules(
            c.session, c.actor, correction_working_days=correction_working_days, version=version))  # fmt: skip
        return RequestRulesPayload(
            rules=RequestRulesType(correction_working_days=saved.correction_working_days, version=saved.version)
            if saved else None,
            errors=errors,
        )  # fmt: skip

    @strawberry.mutation(
        description="The district office's text for a kind of notice (placeholders as noticeTemplates lists them)."
    )
    async def save_notice_template(
        self, info: strawberry.Info, kind: NoticeKind, body: str, version: int
    ) -> NoticeTemplatePayload:
        c = info.context
        saved, errors = await attempt(
            info, service.save_notice_template(c.session, c.actor, kind=kind, body=body, version=version)
        )
        return NoticeTemplatePayload(
            template=NoticeTemplateType.of(saved.kind, saved.body, saved.version) if saved else None, errors=errors
        )
