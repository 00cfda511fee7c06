from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry import relay

from api.models import Appeal, FeeStandard, InfoRequest, RequestEvent, RequestNotice
from api.models import AppealKind as AppealKindModel
from api.models import AppealOutcome as AppealOutcomeModel
from api.models import ApplicantType as ApplicantTypeModel
from api.models import Channel as ChannelModel
from api.models import DeliveryForm as DeliveryFormModel
from api.models import EventKind as EventKindModel
from api.models import FeeMethod as FeeMethodModel
from api.models import NoticeKind as NoticeKindModel
from api.models import ReplyReason as ReplyReasonModel
from api.models import ReplyType as ReplyTypeModel
from api.models import RequestStatus as RequestStatusModel
from api.services import requests as service

from ..documents.types import DocumentType
from ..relay import Node
from ..units.types import OrganizationType

Channel = strawberry.enum(ChannelModel, description="ONLINE, LETTER, ONSITE, FAX, EMAIL, KIOSK")
ApplicantType = strawberry.enum(ApplicantTypeModel, description="As the annual report counts applicants")
DeliveryForm = strawberry.enum(DeliveryFormModel)
RequestStatus = strawberry.enum(
    RequestStatusModel,
    description="RECEIVED 签收, REGISTERED 登记, ASSIGNED 分办, AWAITING_CORRECTION 待补正, AWAITING_PAYMENT 待缴费, "
    "CONSULTING 会商, "
    "THIRD_PARTY 征求第三方意见, IN_REVIEW 审核, REPLIED 答复, ARCHIVED 归档, WITHDRAWN, CLOSED",
)
EventKind = strawberry.enum(EventKindModel)
ReplyType = strawberry.enum(ReplyTypeModel, description="The rows of table 3 of the annual report (2021 format)")
ReplyReason = strawberry.enum(
    ReplyReasonModel, description="The reasons the annual report's table 3 lists under each reply type"
)
AppealKind = strawberry.enum(AppealKindModel)
FeeMethod = strawberry.enum(FeeMethodModel, description="国办函〔2020〕109号: BY_PIECE 按件计收, BY_VOLUME 按量计收")


NoticeKind = strawberry.enum(
    NoticeKindModel,
    description="CORRECTION 补正告知书, EXTENSION 延期答复告知书, THIRD_PARTY 征求第三方意见函, FEE 收费通知, REPLY 答复书",
)


@strawberry.type(name="InfoRequestNotice", description="A notice or letter as issued (its 文号 and text never change).")
class InfoRequestNoticeType:
    id: strawberry.ID
    kind: NoticeKind
    title: str
    doc_no: str = strawberry.field(description="文号, from the organization's scheme.")
    issued_on: date
    addressee: str
    text: str = strawberry.field(description="Title, 文号 and body, as sent.")
    download: str = strawberry.field(
        description="Staff: GET this path (with the token) for the Word file; add &format=md for Markdown."
    )

    @classmethod
    def of(cls, n: RequestNotice) -> InfoRequestNoticeType:
        gid = relay.to_base64(service.NOTICE_NODE, n.id)
        return cls(
            id=strawberry.ID(gid), kind=n.kind, title=service.NOTICE_TITLES[n.kind], doc_no=n.doc_no,
            issued_on=n.issued_on, addressee=n.addressee, text=service.notice_text(n),
            download=f"/exports/request-notice?id={gid}",
        )  # fmt: skip


@strawberry.type(name="NoticeTemplate")
class NoticeTemplateType:
    kind: NoticeKind
    body: str
    placeholders: str = strawberry.field(description="The placeholders this kind's text may use.")
    version: int = strawberry.field(description="0: the default text (the office has not saved its own).")

    @classmethod
    def of(cls, kind: NoticeKindModel, body: str, version: int) -> NoticeTemplateType:
        fields = f"{service.NOTICE_COMMON} {service.NOTICE_FIELDS[kind]}"
        return cls(kind=kind, body=body, placeholders=fields, version=version)


@strawberry.type(name="FeeTier")
class FeeTierType:
    above: int = strawberry.field(
        description="Units (pieces in the month, or pages) past this number cost `yuan` each."
    )
    yuan: int


@strawberry.type(name="FeeStandard", description="The office's fee standard for a method (信息处理费).")
class FeeStandardType:
    method: FeeMethod
    tiers: list[FeeTierType]
    step_units: int | None = strawberry.field(
        description="Past the last tier, every this many more units cost `stepYuan` more each."
    )
    step_yuan: int
    version: int

    @classmethod
    def of(cls, f: FeeStandard) -> FeeStandardType:
        return cls(
            method=f.method, tiers=[FeeTierType(above=a, yuan=y) for a, y in f.tiers], step_units=f.step_units,
            step_yuan=f.step_yuan, version=f.version,
        )  # fmt: skip


@strawberry.type(name="RequestRules", description="The office's own rules where the Regulations leave it one.")
class RequestRulesType:
    correction_working_days: int = strawberry.field(
        description="The correction period (Art. 30 合理的补正期限), in working days from the notice."
    )
    version: int


AppealOutcome = strawberry.enum(AppealOutcomeModel)


@strawberry.type(name="InfoRequestEvent")
class InfoRequestEventType:
    kind: EventKind
    on_date: date
    actor_name: str
    comment: str
    created_at: datetime

    @classmethod
    def of(cls, e: RequestEvent) -> InfoRequestEventType:
        return cls(kind=e.kind, on_date=e.on_date, actor_name=e.actor_name, comment=e.comment, created_at=e.created_at)


@strawberry.type(name="InfoRequestRegisterStep")
class InfoRequestRegisterStepType:
    kind: EventKind
    on_date: date


@strawberry.type(
    name="InfoRequestRegisterRow",
    description="One request of the register (依申请公开台账): no applicant's name, ID number or contact.",
)
class InfoRequestRegisterRowType:
    id: strawberry.ID = strawberry.field(description="The request's global id (infoRequest(id:) opens it).")
    tracking_code: str
    channel: Channel
    applicant_type: ApplicantType
    received_on: date
    steps: list[InfoRequestRegisterStepType]
    due_on: date
    replied_on: date | None
    days_taken: int | None = strawberry.field(
        description="Working days from day zero (or the correction) to the reply."
    )
    reply_type: ReplyType | None
    appeals: list[AppealKind]

    @classmethod
    def of(cls, row: service.RegisterRow) -> InfoRequestRegisterRowType:
        return cls(
            id=strawberry.ID(relay.to_base64("InfoRequest", row.request_id)), tracking_code=row.tracking_code,
            channel=row.channel, applicant_type=row.applicant_type,
            received_on=row.received_on, steps=[InfoRequestRegisterStepType(kind=k, on_date=d) for k, d in row.steps],
            due_on=row.due_on, replied_on=row.replied_on, days_taken=row.days_taken, reply_type=row.reply_type,
            appeals=list(row.appeals),
        )  # fmt: skip


@strawberry.type(name="Appeal", description="An administrative review or lawsuit about the request.")
class AppealType(Node):
    pk: relay.NodeID[int]
    kind: AppealKind
    outcome: AppealOutcome
    filed_on: date | None
    note: str
    version: int

    @classmethod
    def of(cls, a: Appeal) -> AppealType:
        return cls(pk=a.id, kind=a.kind, outcome=a.outcome, filed_on=a.filed_on, note=a.note, version=a.version)

    @classmethod
    async def read(cls, info: strawberry.Info, ids: Sequence[int]) -> list[Any]:
        rows = await info.context.loaders.requests.appeal.load_many(ids)
        return [cls.of(a) if a else None for a in rows]


def reason_label(r: InfoRequest) -> str | None:
    return r.reply_reason.value if r.reply_reason else None


@strawberry.type(name="InfoRequestStatus", description="What an applicant sees with the tracking code and password.")
class InfoRequestStatusType:
    tracking_code: str
    status: RequestStatus
    received_on: date
    due_on: date
    due_provisional: bool
    reply_type: ReplyType | None
    reply_reason: str | None
    reply_letter: str | None
    replied_on: date | None
    correction_due_on: date | None = strawberry.field(description="While AWAITING_CORRECTION: the last day to correct.")
    fee_yuan: int | None = strawberry.field(description="The fee asked (收费通知), if any.")
    payment_due_on: date | None = strawberry.field(description="The last day to pay it.")
    _model: strawberry.Private[InfoRequest]

    @strawberry.field(description="The notices and the reply sent to the applicant (not letters to third parties).")
    async def notices(self, info: strawberry.Info) -> list[InfoRequestNoticeType]:
        found = await service.notices_for_applicant(info.context.session, self._model)
        return [InfoRequestNoticeType.of(n) for n in found]

    @classmethod
    def of(cls, r: InfoRequest) -> InfoRequestStatusType:
        return cls(
            tracking_code=r.tracking_code, status=r.status, received_on=r.received_on, due_on=r.due_on,
            due_provisional=r.due_provisional, reply_type=r.reply_type, reply_reason=reason_label(r),
            reply_letter=r.reply_letter, replied_on=r.replied_on, correction_due_on=r.correction_due_on,
            fee_yuan=r.fee_yuan, payment_due_on=r.payment_due_on, _model=r,
        )  # fmt: skip


@strawberry.type(name="InfoRequest", description="A request for government information (依申请公开), for staff.")
class InfoRequestType(Node):
    pk: relay.NodeID[int]
    tracking_code: str
    channel: Channel
    applicant_type: ApplicantType
    applicant_name: str
    description: str
    purpose: str
    delivery_form: DeliveryForm
    status: RequestStatus
    received_on: date = strawberry.field(description="Day zero (Art. 31).")
    clock_start: date = strawberry.field(description="Day zero, or the day the corrected request arrived (Art. 30).")
    extension_days: int
    provisional: bool = strawberry.field(description="The due date rests on a year whose holidays are not entered yet.")
    reply_type: ReplyType | None
    reply_reason: str | None
    reply_letter: str | None
    replied_on: date | None
    archive_no: str | None
    correction_due_on: date | None = strawberry.field(
        description="The correction period's last day (the office's rule); past it the request may be closed."
    )
    fee_yuan: int | None = strawberry.field(description="The 收费通知's amount.")
    payment_due_on: date | None = strawberry.field(description="The last day to pay (20 working days from the notice).")
    version: int
    _model: strawberry.Private[InfoRequest]

    @classmethod
    def of(cls, r: InfoRequest) -> InfoRequestType:
        return cls(
            pk=r.id, tracking_code=r.tracking_code, channel=r.channel, applicant_type=r.applicant_type,
            applicant_name=r.applicant_name, description=r.description,
            purpose=r.purpose, delivery_form=r.delivery_form, status=r.status, received_on=r.received_on,
            clock_start=r.clock_start, extension_days=r.extension_days, provisional=r.due_provisional,
            reply_type=r.reply_type, reply_reason=reason_label(r), reply_letter=r.reply_letter, replied_on=r.replied_on,
            archive_no=r.archive_no, correction_due_on=r.correction_due_on, fee_yuan=r.fee_yuan,
            payment_due_on=r.payment_due_on, version=r.version, _model=r,
        )  # fmt: skip

    @classmethod
    async def read(cls, info: strawberry.Info, ids: Sequence[int]) -> list[Any]:
        info.context.actor.require_user()
        rows = await info.context.loaders.requests.info_request.load_many(ids)
        return [cls.of(r) if r else None for r in rows]

    @strawberry.field(
        description="Masked (5134**********1234) except for the handler and the district office; full reads are audited."
    )
    async def id_number(self, info: strawberry.Info) -> str | None:
        ctx = info.context
        return await service.reveal(ctx.session, ctx.actor, ctx.vault, self._model, "idNumber")

    @strawberry.field(description="Masked except for the handler and the district office; full reads are audited.")
    async def phone(self, info: strawberry.Info) -> str | None:
        ctx = info.context
        return await service.reveal(ctx.session, ctx.actor, ctx.vault, self._model, "phone")

    @strawberry.field(
        description="Masked (会理县演****) except for the handler and the district office; full reads are audited; "
        "empty when none was given."
    )
    async def address(self, info: strawberry.Info) -> str:
        ctx = info.context
        return await service.reveal(ctx.session, ctx.actor, ctx.vault, self._model, "address") or ""

    @strawberry.field(
        description="Masked (zh***@example.com) except for the handler and the district office; full reads are "
        "audited; empty when none was given."
    )
    async def email(self, info: strawberry.Info) -> str:
        ctx = info.context
        return await service.reveal(ctx.session, ctx.actor, ctx.vault, self._model, "email") or ""

    @strawberry.field(
        description="The reply's due day as of today: 20 working days from clockStart, the extension, and the "
        "days the clock stood still (a 会商 or an unpaid fee moves it each day it lasts; a third party counts up "
        "to 15 working days)."
    )
    async def due_on(self, info: strawberry.Info) -> date:
        r = self._model
        if not service.due_moves(r):
            return r.due_on
        loaders = info.context.loaders.requests
        return service.current_due(r, await loaders.events_of_request.load(r.id), await loaders.calendar())

    @strawberry.field(
        description="Working days from today to the due day; negative when overdue; null while the clock stands "
        "still (AWAITING_CORRECTION, AWAITING_PAYMENT, CONSULTING) and once the request is closed."
    )
    async def days_left(self, info: strawberry.Info) -> int | None:
        return service.days_left(self._model, await info.context.loaders.requests.calendar())

    @strawberry.field(
        description="Past the due day while the clock runs: never while waiting for the applicant's correction "
        "or payment, or another agency's opinion (the same rule as the infoRequests filter overdue)."
    )
    def overdue(self) -> bool:
        return service.is_overdue(self._model)

    @strawberry.field
    async def receiving_organization(self, info: strawberry.Info) -> OrganizationType:
        return OrganizationType.of(await info.context.loaders.units.organization.load(self._model.receiving_org_id))

    @strawberry.field
    async def handling_organization(self, info: strawberry.Info) -> OrganizationType:
        return OrganizationType.of(await info.context.loaders.units.organization.load(self._model.handling_org_id))

    @strawberry.field(description="The request's history, oldest first.")
    async def events(self, info: strawberry.Info) -> list[InfoRequestEventType]:
        return [
            InfoRequestEventType.of(e)
            for e in await info.context.loaders.requests.events_of_request.load(self._model.id)
        ]

    @strawberry.field(description="The notices and letters issued about the request, oldest first.")
    async def notices(self, info: strawberry.Info) -> list[InfoRequestNoticeType]:
        found = await info.context.loaders.requests.notices_of_request.load(self._model.id)
        return [InfoRequestNoticeType.of(n) for n in found]

    @strawberry.field
    async def appeals(self, info: strawberry.Info) -> list[AppealType]:
        return [AppealType.of(a) for a in await info.context.loaders.requests.appeals_of_request.load(self._model.id)]

    @strawberry.field(description="The draft started when the reply was marked for proactive publication.")
    async def proactive_document(self, info: strawberry.Info) -> DocumentType | None:
        if self._model.proactive_document_id is None:
            return None
        doc = await info.context.loaders.documents.document.load(self._model.proactive_document_id)
        return DocumentType.of(doc) if doc else None
