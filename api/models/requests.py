"""Information requests (依申请公开): the request, its event log, the calendar, appeals, templates."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


def _enum(cls: type[enum.Enum], length: int = 40) -> Enum:
    return Enum(cls, native_enum=False, length=length)


class Channel(enum.Enum):
    ONLINE = "ONLINE"
    LETTER = "LETTER"
    ONSITE = "ONSITE"
    FAX = "FAX"
    EMAIL = "EMAIL"
    KIOSK = "KIOSK"


class ApplicantType(enum.Enum):
    """As the annual report counts applicants: natural persons, and five kinds of legal persons."""

    NATURAL_PERSON = "NATURAL_PERSON"
    COMMERCIAL_ENTERPRISE = "COMMERCIAL_ENTERPRISE"
    RESEARCH_INSTITUTION = "RESEARCH_INSTITUTION"
    SOCIAL_WELFARE_ORG = "SOCIAL_WELFARE_ORG"
    LEGAL_SERVICE_ORG = "LEGAL_SERVICE_ORG"
    OTHER_ORG = "OTHER_ORG"


class DeliveryForm(enum.Enum):
    PAPER = "PAPER"
    ELECTRONIC = "ELECTRONIC"
    EMAIL = "EMAIL"
    ONSITE_VIEW = "ONSITE_VIEW"
    OTHER = "OTHER"


class RequestStatus(enum.Enum):
    RECEIVED = "RECEIVED"  # 签收
    REGISTERED = "REGISTERED"  # 登记
    ASSIGNED = "ASSIGNED"  # 分办
    AWAITING_CORRECTION = "AWAITING_CORRECTION"  # 补正 notice sent
    AWAITING_PAYMENT = "AWAITING_PAYMENT"  # 收费通知 sent (待缴费)
    CONSULTING = "CONSULTING"  # 会商 with other agencies (Art. 34)
    THIRD_PARTY = "THIRD_PARTY"  # third-party opinion (Art. 32)
    IN_REVIEW = "IN_REVIEW"  # 审核, leader sign-off
    REPLIED = "REPLIED"  # 答复
    ARCHIVED = "ARCHIVED"  # 归档
    WITHDRAWN = "WITHDRAWN"
    CLOSED = "CLOSED"  # ended without a reply, e.g. 逾期不补正


OPEN_STATUSES = (
    RequestStatus.RECEIVED, RequestStatus.REGISTERED, RequestStatus.ASSIGNED, RequestStatus.AWAITING_CORRECTION,
    RequestStatus.AWAITING_PAYMENT, RequestStatus.CONSULTING, RequestStatus.THIRD_PARTY, RequestStatus.IN_REVIEW,
)  # fmt: skip


class EventKind(enum.Enum):
    RECEIVED = "RECEIVED"
    REGISTERED = "REGISTERED"
    ASSIGNED = "ASSIGNED"
    CORRECTION_REQUESTED = "CORRECTION_REQUESTED"
    CORRECTED = "CORRECTED"
    CORRECTION_LAPSED = "CORRECTION_LAPSED"
    CONSULTATION_STARTED = "CONSULTATION_STARTED"
    CONSULTATION_ENDED = "CONSULTATION_ENDED"
    THIRD_PARTY_STARTED = "THIRD_PARTY_STARTED"
    THIRD_PARTY_ENDED = "THIRD_PARTY_ENDED"
    FEE_NOTIFIED = "FEE_NOTIFIED"
    FEE_PAID = "FEE_PAID"
    FEE_LAPSED = "FEE_LAPSED"
    EXTENDED = "EXTENDED"
    IN_REVIEW = "IN_REVIEW"
    REPLIED = "REPLIED"
    ARCHIVED = "ARCHIVED"
    WITHDRAWN = "WITHDRAWN"
    APPEAL_RECORDED = "APPEAL_RECORDED"


class ReplyType(enum.Enum):
    """The rows of table 3 of the annual report (2021 format)."""

    DISCLOSED = "DISCLOSED"  # 予以公开
    PARTIALLY_DISCLOSED = "PARTIALLY_DISCLOSED"  # 部分公开
    NOT_DISCLOSED = "NOT_DISCLOSED"  # 不予公开
    UNABLE = "UNABLE"  # 无法提供
    NOT_PROCESSED = "NOT_PROCESSED"  # 不予处理
    OTHER = "OTHER"  # 其他处理


class ReplyReason(enum.Enum):
    """Each value is the row's label in table 3 of the annual report (2021 format), in full; the
    letters word the reasons their own way (``replies.LETTER_REASONS``)."""

    # 不予公开
    STATE_SECRET = "属于国家秘密"
    PROHIBITED_BY_LAW = "其他法律行政法规禁止公开"
    THREE_SECURITIES = "危及“三安全一稳定”"
    THIRD_PARTY_RIGHTS = "保护第三方合法权益"
    INTERNAL_AFFAIRS = "属于三类内部事务信息"
    PROCESS_INFORMATION = "属于四类过程性信息"
    ENFORCEMENT_FILE = "属于行政执法案卷"
    ADMINISTRATIVE_QUERY = "属于行政查询事项"
    # 无法提供
    NOT_HELD = "本机关不掌握相关政府信息"
    NEEDS_CREATION = "没有现成信息需要另行制作"
    STILL_UNCLEAR = "补正后申请内容仍不明确"
    # 不予处理
    PETITION = "信访举报投诉类申请"
    REPEATED = "重复申请"
    PUBLICATIONS = "要求提供公开出版物"
    EXCESSIVE = "无正当理由大量反复申请"
    CONFIRMATION = "要求行政机关确认或重新出具已获取信息"
    # 其他处理
    FEE_UNPAID = "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
    CORRECTION_LAPSED = "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
    OTHER = "其他"


REASONS_BY_TYPE: dict[ReplyType, tuple[ReplyReason, ...]] = {
    ReplyType.DISCLOSED: (),
    ReplyType.PARTIALLY_DISCLOSED: (),
    ReplyType.NOT_DISCLOSED: (
        ReplyReason.STATE_SECRET, ReplyReason.PROHIBITED_BY_LAW, ReplyReason.THREE_SECURITIES,
        ReplyReason.THIRD_PARTY_RIGHTS, ReplyReason.INTERNAL_AFFAIRS, ReplyReason.PROCESS_INFORMATION,
        ReplyReason.ENFORCEMENT_FILE, ReplyReason.ADMINISTRATIVE_QUERY,
    ),
    ReplyType.UNABLE: (ReplyReason.NOT_HELD, ReplyReason.NEEDS_CREATION, ReplyReason.STILL_UNCLEAR),
    ReplyType.NOT_PROCESSED: (
        ReplyReason.PETITION, ReplyReason.REPEATED, ReplyReason.PUBLICATIONS, ReplyReason.EXCESSIVE,
        ReplyReason.CONFIRMATION,
    ),
    ReplyType.OTHER: (ReplyReason.FEE_UNPAID, ReplyReason.CORRECTION_LAPSED, ReplyReason.OTHER),
}  # fmt: skip


class AppealKind(enum.Enum):
    ADMINISTRATIVE_REVIEW = "ADMINISTRATIVE_REVIEW"
    LITIGATION_DIRECT = "LITIGATION_DIRECT"
    LITIGATION_AFTER_REVIEW = "LITIGATION_AFTER_REVIEW"


class AppealOutcome(enum.Enum):
    UPHELD = "UPHELD"  # 维持
    CORRECTED = "CORRECTED"  # 纠正
    OTHER = "OTHER"  # 其他结果
    PENDING = "PENDING"  # 尚未审结


class InfoRequest(Base):
    __tablename__ = "info_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(20), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    channel: Mapped[Channel] = mapped_column(_enum(Channel, 16))
    applicant_type: Mapped[ApplicantType] = mapped_column(_enum(ApplicantType))
    applicant_name: Mapped[str] = mapped_column(String(200))
    id_number_enc: Mapped[str | None] = mapped_column(Text)  # encrypted at rest
    id_number_hint: Mapped[str | None] = mapped_column(String(40))  # masked form, e.g. 5134**********1234
    phone_enc: Mapped[str | None] = mapped_column(Text)
    phone_hint: Mapped[str | None] = mapped_column(String(40))
    address_enc: Mapped[str | None] = mapped_column(Text)
    address_hint: Mapped[str | None] = mapped_column(String(40))  # e.g. 会理县演****
    email_enc: Mapped[str | None] = mapped_column(Text)
    email_hint: Mapped[str | None] = mapped_column(String(220))  # e.g. zh***@example.com
    description: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(Text, default="")
    delivery_form: Mapped[DeliveryForm] = mapped_column(_enum(DeliveryForm, 16))
    receiving_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    handling_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    scope_path: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[RequestStatus] = mapped_column(_enum(RequestStatus, 24), index=True)
    received_on: Mapped[date] = mapped_column(Date)  # Art. 31: day zero
    clock_start: Mapped[date] = mapped_column(Date)  # day zero, or the day a correction arrived
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    correction_due_on: Mapped[date | None] = mapped_column(Date)  # the correction's lapse day
    fee_yuan: Mapped[int | None] = mapped_column(Integer)  # the 收费通知's amount
    payment_due_on: Mapped[date | None] = mapped_column(Date)  # and its lapse day
    reply_type: Mapped[ReplyType | None] = mapped_column(_enum(ReplyType, 24))
    reply_reason: Mapped[ReplyReason | None] = mapped_column(_enum(ReplyReason, 40))
    reply_letter: Mapped[str | None] = mapped_column(Text)
    replied_on: Mapped[date | None] = mapped_column(Date)
    proactive_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    archive_no: Mapped[str | None] = mapped_column(String(40), unique=True)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class RequestEvent(Base):
    __tablename__ = "info_request_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("info_requests.id"), index=True)
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind, 32))
    on_date: Mapped[date] = mapped_column(Date)  # the day the step took effect
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(100))
    comment: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarDay(Base):
    """A day the district office set: a holiday (working false) or a 调休 working day (true)."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(100), default="")
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarYear(Base):
    """A year whose holidays the district office has entered in full and marked complete: only
    then are due dates in it final (a year chinesecalendar does not know is provisional until so)."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)


class FeeMethod(enum.Enum):
    """国办函〔2020〕109号: an agency charges by the piece or by the volume, one of the two."""

    BY_PIECE = "BY_PIECE"  # 按件计收: the applicant's requests in a calendar month
    BY_VOLUME = "BY_VOLUME"  # 按量计收: the pages of one request


class FeeStandard(Base):
    """The office's fee standard for a method: ``tiers`` [[above, yuan], ...] ascending: each unit
    past ``above`` costs ``yuan`` (until the next tier); past the last tier, every ``step_units``
    more units cost ``step_yuan`` more each. Units up to the first ``above`` are free."""

    __tablename__ = "fee_standards"

    method: Mapped[FeeMethod] = mapped_column(_enum(FeeMethod, 16), primary_key=True)
    tiers: Mapped[list[list[int]]] = mapped_column(JSON)
    step_units: Mapped[int | None] = mapped_column(Integer)
    step_yuan: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class RequestRules(Base):
    """The office's own rules for requests where the Regulations leave it one (a single row)."""

    __tablename__ = "request_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Art. 30 asks for 合理的补正期限: the office's period, in working days from the notice.
    correction_working_days: Mapped[int] = mapped_column(Integer, default=15)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class ArchiveCounter(Base):
    __tablename__ = "archive_counters"
    __table_args__ = (UniqueConstraint("organization_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    year: Mapped[int] = mapped_column(Integer)
    last_serial: Mapped[int] = mapped_column(Integer, default=0)


class Appeal(Base):
    __tablename__ = "info_request_appeals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("info_requests.id"), index=True)
    kind: Mapped[AppealKind] = mapped_column(_enum(AppealKind, 32))
    outcome: Mapped[AppealOutcome] = mapped_column(_enum(AppealOutcome, 16))
    filed_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}


class NoticeKind(enum.Enum):
    CORRECTION = "CORRECTION"  # 补正告知书 (Art. 30)
    EXTENSION = "EXTENSION"  # 延期答复告知书 (Art. 33)
    THIRD_PARTY = "THIRD_PARTY"  # 征求第三方意见函 (Art. 32)
    FEE = "FEE"  # 收费通知 (Art. 42)
    REPLY = "REPLY"  # 答复书 (Art. 36)


class RequestNotice(Base):
    """A notice or letter sent about a request, as issued: its 文号 and text never change."""

    __tablename__ = "info_request_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("info_requests.id"), index=True)
    kind: Mapped[NoticeKind] = mapped_column(_enum(NoticeKind, 16))
    doc_no: Mapped[str] = mapped_column(String(80), unique=True)
    issued_on: Mapped[date] = mapped_column(Date)
    addressee: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NoticeTemplate(Base):
    """The district office's text for a kind of notice; placeholders like {applicant_name}."""

    __tablename__ = "notice_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[NoticeKind] = mapped_column(_enum(NoticeKind, 16), unique=True)
    body: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class NoticeCounter(Base):
    __tablename__ = "notice_counters"
    __table_args__ = (UniqueConstraint("organization_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    year: Mapped[int] = mapped_column(Integer)
    last_serial: Mapped[int] = mapped_column(Integer, default=0)


class ReplyTemplate(Base):
    """The letter for a reply type; placeholders like {applicant_name} are filled from the request."""

    __tablename__ = "reply_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reply_type: Mapped[ReplyType] = mapped_column(_enum(ReplyType, 24), unique=True)
    body: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
