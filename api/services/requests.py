"""Information requests (依申请公开): submission, the steps as events, the clock, replies,
archive numbers, appeals and the applicants' privacy. The statute is quoted in api/clock.py."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from api import clock
from api.auth.actor import Actor
from api.auth.passwords import hash_password, verify_password
from api.auth.scope import ROOT
from api.db import commit_or_conflict
from api.errors import Conflict, UserInputError
from api.models import (
    Appeal,
    AppealKind,
    AppealOutcome,
    ApplicantType,
    ArchiveCounter,
    CalendarDay,
    Channel,
    DeliveryForm,
    DisclosureAttribute,
    DocumentKind,
    EventKind,
    InfoRequest,
    Organization,
    ReplyReason,
    ReplyTemplate,
    ReplyType,
    RequestEvent,
    RequestStatus,
)
from api.models.base import utcnow
from api.models.requests import OPEN_STATUSES, REASONS_BY_TYPE
from api.privacy import Vault, mask, mask_phone
from api.workdays import Overrides

from . import audit
from .documents import CHINA
from .pages import Page, by_ids, fetch_page, grouped
from .units import locate_organization

STAFF_CHANNELS = (Channel.LETTER, Channel.ONSITE, Channel.FAX, Channel.EMAIL)
TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
REMEDIES = (
    "如对本答复不服，可以自收到本答复之日起60日内依法申请行政复议，"
    "或者自收到本答复之日起6个月内依法向人民法院提起行政诉讼。"
)
REFUSALS = (
    ReplyType.NOT_DISCLOSED,
    ReplyType.UNABLE,
    ReplyType.NOT_PROCESSED,
    ReplyType.OTHER,
    ReplyType.PARTIALLY_DISCLOSED,
)
DEFAULT_TEMPLATES = {
    ReplyType.DISCLOSED: "{applicant_name}：\n本机关于{received_on}收到您提出的政府信息公开申请（{tracking_code}），申请内容：{description}。"
    "经审查，您申请的信息属于公开范围，现予以提供。\n{organization}\n{replied_on}",
    ReplyType.PARTIALLY_DISCLOSED: "{applicant_name}：\n本机关于{received_on}收到您提出的政府信息公开申请（{tracking_code}）。经审查，"
    "您申请的信息部分予以公开，其余部分依据{legal_basis}不予公开。\n{remedies}\n{organization}\n{replied_on}",
    ReplyType.NOT_DISCLOSED: "{applicant_name}：\n本机关于{received_on}收到您提出的政府信息公开申请（{tracking_code}）。经审查，"
    "您申请的信息{reason}，依据{legal_basis}，不予公开。\n{remedies}\n{organization}\n{replied_on}",
    ReplyType.UNABLE: "{applicant_name}：\n本机关于{received_on}收到您提出的政府信息公开申请（{tracking_code}）。经查，{reason}，"
    "依据{legal_basis}，无法提供。\n{remedies}\n{organization}\n{replied_on}",
    ReplyType.NOT_PROCESSED: "{applicant_name}：\n本机关于{received_on}收到您提出的申请（{tracking_code}）。经审查，该申请属于{reason}，"
    "依据{legal_basis}，不作为政府信息公开申请处理。\n{remedies}\n{organization}\n{replied_on}",
    ReplyType.OTHER: "{applicant_name}：\n关于您于{received_on}提出的政府信息公开申请（{tracking_code}），因{reason}，"
    "依据{legal_basis}，本机关不再处理。\n{remedies}\n{organization}\n{replied_on}",
}  # fmt: skip


def today() -> date:
    return utcnow().astimezone(CHINA).date()


async def overrides(session: AsyncSession) -> dict[date, bool]:
    return {d.day: d.working for d in (await session.execute(select(CalendarDay))).scalars()}


# --- submission ---


@dataclass
class Submission:
    channel: Channel
    applicant_type: ApplicantType
    applicant_name: str
    description: str
    organization_id: int
    delivery_form: DeliveryForm = DeliveryForm.ELECTRONIC
    id_number: str | None = None
    phone: str | None = None
    address: str = ""
    email: str = ""
    purpose: str = ""
    received_on: date | None = None


def _tracking_code() -> str:
    return "YS" + "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(10))


async def _org_path(session: AsyncSession, org_id: int, field: str) -> tuple[Organization, str]:
    org, _unit, path = await locate_organization(session, org_id, field)
    return org, path


async def submit(session: AsyncSession, actor: Actor, vault: Vault, s: Submission) -> tuple[InfoRequest, str]:
    """Returns the request and the query password, which is shown to the applicant once."""
    org, path = await _org_path(session, s.organization_id, "organizationId")
    now_day = today()
    if s.channel in STAFF_CHANNELS:
        # Letters, faxes, e-mails and on-site requests are recorded by the office that received them.
        actor.require("request", "record", path)
        received_on = s.received_on or now_day
        if received_on > now_day:
            raise UserInputError("receivedOn", "IN_FUTURE", "收到申请的日期不能晚于今天")
    else:
        received_on = now_day  # Art. 31: online requests are received the day receipt is confirmed: now.
    if not (s.applicant_name or "").strip():
        raise UserInputError("applicantName", "REQUIRED", "请填写申请人姓名或名称")
    if not (s.description or "").strip():
        raise UserInputError("description", "REQUIRED", "请描述所需政府信息的名称、文号或便于查询的其他特征")
    if s.applicant_type is ApplicantType.NATURAL_PERSON and not (s.id_number or "").strip():
        raise UserInputError("idNumber", "REQUIRED", "公民申请须填写身份证件号码")
    if not ((s.phone or "").strip() or s.email.strip() or s.address.strip()):
        raise UserInputError("phone", "REQUIRED", "请至少留下一种联系方式（电话、邮箱或通信地址）")
    password = secrets.token_urlsafe(9)
    id_number = (s.id_number or "").strip().upper() or None
    phone = (s.phone or "").strip() or None
    ovr = await overrides(session)
    due = clock.reply_due(received_on, 0, [], now_day, ovr)
    request = InfoRequest(
        tracking_code=_tracking_code(), password_hash=hash_password(session, password), channel=s.channel,
        applicant_type=s.applicant_type, applicant_name=s.applicant_name.strip(),
        id_number_enc=vault.seal(id_number), id_number_hint=mask(id_number),
        phone_enc=vault.seal(phone), phone_hint=mask_phone(phone), address=s.address.strip(), email=s.email.strip(),
        description=s.description.strip(), purpose=s.purpose.strip(), delivery_form=s.delivery_form,
        receiving_org_id=org.id, handling_org_id=org.id, scope_path=path, status=RequestStatus.RECEIVED,
        received_on=received_on, clock_start=received_on, due_on=due.on, due_provisional=due.provisional,
    )  # fmt: skip
    session.add(request)
    await session.flush()
    _event(session, actor, request, EventKind.RECEIVED, received_on, f"{s.channel.value} 签收")
    audit.record(
        session, actor, "request.submit", "InfoRequest", request.id, path, f"收到依申请公开 {request.tracking_code}"
    )
    await session.commit()
    return request, password


def _event(
    session: AsyncSession, actor: Actor, r: InfoRequest, kind: EventKind, on: date, comment: str = "", **data: object
) -> None:
    session.add(
        RequestEvent(
            request_id=r.id,
            kind=kind,
            on_date=on,
            actor_id=actor.user_id,
            actor_name=actor.user.display_name if actor.user else actor.name,
            comment=comment,
            data=data,
        )  # fmt: skip
    )


async def status_for_applicant(session: AsyncSession, tracking_code: str, password: str) -> InfoRequest | None:
    """The applicant's own request, or None: a wrong code and a wrong password look the same."""
    stmt = select(InfoRequest).where(InfoRequest.tracking_code == (tracking_code or "").strip().upper())
    request = (await session.execute(stmt)).scalar_one_or_none()
    if not verify_password(session, request.password_hash if request else None, password or ""):
        return None
    return request


# --- the steps ---


async def _load(
    session: AsyncSession, actor: Actor, request_id: int, version: int, permission: str = "handle"
) -> InfoRequest:
    request = await session.get(InfoRequest, request_id)
    if request is None:
        raise UserInputError("id", "NOT_FOUND", "找不到该申请")
    actor.require("request", permission, request.scope_path)
    if version != request.version:
        raise Conflict()
    return request


def _require(request: InfoRequest, allowed: tuple[RequestStatus, ...], what: str) -> None:
    if request.status not in allowed:
        raise UserInputError("id", "ILLEGAL_TRANSITION", f"申请当前状态为{STATUS_NAMES[request.status]}，不能{what}")


STATUS_NAMES = {
    RequestStatus.RECEIVED: "已签收", RequestStatus.REGISTERED: "已登记", RequestStatus.ASSIGNED: "已分办",
    RequestStatus.AWAITING_CORRECTION: "待补正", RequestStatus.CONSULTING: "会商中", RequestStatus.THIRD_PARTY: "征求第三方意见中",
    RequestStatus.IN_REVIEW: "审核中", RequestStatus.REPLIED: "已答复", RequestStatus.ARCHIVED: "已归档",
    RequestStatus.WITHDRAWN: "已撤回", RequestStatus.CLOSED: "已终止",
}  # fmt: skip
WORKING = (RequestStatus.REGISTERED, RequestStatus.ASSIGNED)


async def _recompute(session: AsyncSession, r: InfoRequest, ovr: Overrides | None = None) -> None:
    ovr = await overrides(session) if ovr is None else ovr
    events = (
        await session.execute(select(RequestEvent).where(RequestEvent.request_id == r.id).order_by(RequestEvent.id))
    ).scalars()
    _set_due(r, list(events), ovr)


def _set_due(r: InfoRequest, events: list[RequestEvent], ovr: Overrides) -> None:
    due = clock.reply_due(r.clock_start, r.extension_days, pauses_of(events), today(), ovr)
    r.due_on, r.due_provisional = due.on, due.provisional


def pauses_of(events: list[RequestEvent]) -> list[clock.Pause]:
    pauses: list[clock.Pause] = []
    started: date | None = None
    for e in events:
        if e.kind in (EventKind.CONSULTATION_STARTED, EventKind.THIRD_PARTY_STARTED):
            started = e.on_date
        elif e.kind in (EventKind.CONSULTATION_ENDED, EventKind.THIRD_PARTY_ENDED) and started is not None:
            pauses.append(clock.Pause(started, e.on_date))
            started = None
    if started is not None:
        pauses.append(clock.Pause(started, None))
    return pauses


async def _save(session: AsyncSession, actor: Actor, r: InfoRequest, action: str, summary: str) -> InfoRequest:
    audit.record(
        session, actor, f"request.{action}", "InfoRequest", r.id, r.scope_path, f"{r.tracking_code}：{summary}"
    )
    await commit_or_conflict(session)
    return r


def _on(day: date | None) -> date:
    on = day or today()
    if on > today():
        raise UserInputError("onDate", "IN_FUTURE", "日期不能晚于今天")
    return on


async def register(session: AsyncSession, actor: Actor, *, request_id: int, version: int) -> InfoRequest:
    r = await _load(session, actor, request_id, version)
    _require(r, (RequestStatus.RECEIVED,), "登记")
    r.status = RequestStatus.REGISTERED
    _event(session, actor, r, EventKind.REGISTERED, today())
    return await _save(session, actor, r, "register", "登记")


async def assign(
    session: AsyncSession, actor: Actor, *, request_id: int, version: int, organization_id: int
) -> InfoRequest:
    """分办: the e-government office forwards a request to the organization that will handle it."""
    r = await _load(session, actor, request_id, version)
    _require(r, (RequestStatus.RECEIVED, RequestStatus.REGISTERED, RequestStatus.ASSIGNED), "分办")
    org, path = await _org_path(session, organization_id, "organizationId")
    actor.require("request", "handle", path)
    r.handling_org_id, r.scope_path, r.status = org.id, path, RequestStatus.ASSIGNED
    _event(session, actor, r, EventKind.ASSIGNED, today(), f"分办至{org.name}", organization_id=org.id)
    return await _save(session, actor, r, "assign", f"分办至{org.name}")


async def request_correction(
    session: AsyncSession, actor: Actor, *, request_id: int, version: int, note: str, on_date: date | None = None
) -> InfoRequest:
    r = await _load(session, actor, request_id, version)
    _require(r, (RequestStatus.RECEIVED, *WORKING), "要求补正")
    if not (note or "").strip():
        raise UserInputError("note", "REQUIRED", "请写明需要补正的事项和补正期限")
    on = _on(on_date)
    latest = clock.correction_notice_due(r.received_on, await overrides(session))
    if on > latest:
        raise UserInputError(
            "onDate",
            "CORRECTION_TOO_LATE",
            f"补正告知应在收到申请后7个工作日内（{latest.isoformat()}前）一次性发出，已逾期",
        )
    previous = r.status
    r.status = RequestStatus.AWAITING_CORRECTION
    _event(session, actor, r, EventKind.CORRECTION_REQUESTED, on, note.strip(), previous=previous.value)
    return await _save(session, actor, r, "request_correction", "告知补正")


async def record_correction(
    session: AsyncSession, actor: Actor, *, request_id: int, version: int, on_date: date | None = None
) -> InfoRequest:
    """Art. 30: the reply period runs from the day the corrected request arrives."""
    r = await _load(session, actor, request_id, version)
    _require(r, (RequestStatus.AWAITING_CORRECTION,), "登记补正")
    on = _on(on_date)
    last = (
        await session.execute(
            select(RequestEvent).where(RequestEvent.request_id == r.id, RequestEvent.kind == EventKind.CORRECTION_REQUESTED)
            .order_by(RequestEvent.id.desc())
        )
    ).scalars().first()  # fmt: skip
    r.status = RequestStatus(str(last.data.get("previous"))) if last else RequestStatus.REGISTERED
    r.clock_start = on
    _event(session, actor, r, EventKind.CORRECTED, on, "收到补正后的申请，答复期限重新计算")
    await session.flush()
    await _recompute(session, r)
    return await _save(session, actor, r, "record_correction", f"收到补正，答复期限至{r.due_on.isoformat()}")


async def correction_lapsed(session: AsyncSession, actor: Actor, *, request_id: int, version: int) -> InfoRequest:
    r = await _load(session, actor, request_id, version)
    _require(r, (RequestStatus.AWAITING_CORRECTION,), "按逾期不补正处理")
    r.status = RequestStatus.CLOSED
    r.reply_type, r.reply_reason, r.replied_on = ReplyType.OTHER, ReplyReason.CORRECTION_LAPSED, today()
    _event(session, actor, r, EventKind.CORRECTION_LAPSED, today(), "申请人逾期不补正，视为放弃申请")
    return await _save(session, actor, r, "correction_lapsed", "逾期不补正")


async def start_consultation(
    session: AsyncSession, actor: Actor, *, request_id: int, version: int, third_party: bool, note: str = "",
    on_date: date | None = None,
) -> InfoRequest:  # fmt: skip
    r = await _load(session, actor, request_id, version)
    _require(r, WORKING, "开始征求意见")
    kind, status = (
        (EventKind.THIRD_PARTY_STARTED, RequestStatus.THIRD_PARTY) if third_party
        else (EventKind.CONSULTATION_STARTED, RequestStatus.CONSULTING)
    )  # fmt: skip
    previous = r.status
    r.status = status
    _event(session, actor, r, kind, _on(on_date), note, previous=previous.value)
    return await _save(session, actor, r, "consultation_start", "征求第三方意见" if third_party else "会商")


async def end_consultation(
    session: AsyncSession, actor: Actor, *, request_id: int, version: int, note: str = "", on_date: date | None = None
) -> InfoRequest:
    r = await _load(session, actor, request_id, version)
    _require(r, (RequestStatus.CONSULTING, RequestStatus.THIRD_PARTY), "结束征求意见")
    started = (
        await session.execute(
            select(RequestEvent).where(
                RequestEvent.request_id == r.id,
                RequestEvent.kind.in_([EventKind.CONSULTATION_STARTED, EventKind.THIRD_PARTY_STARTED]),
            ).order_by(RequestEvent.id.desc())
        )
    ).scalars().first()  # fmt: skip
    assert started is not None
    on = _on(on_date)
    if on < started.on_date:
        raise UserInputError("onDate", "BEFORE_START", "结束日期不能早于开始日期")
    kind = EventKind.THIRD_PARTY_ENDED if r.status is RequestStatus.THIRD_PARTY else EventKind.CONSULTATION_ENDED
    r.status = RequestStatus(str(started.data.get("previous", RequestStatus.ASSIGNED.value)))
    _event(session, actor, r, kind, on, note)
    await session.flush()
    await _recompute(session, r)
    return await _save(session, actor, r, "consultation_end", f"意见已收回，答复期限至{r.due_on.isoformat()}")


async def extend(
    session: AsyncSession, actor: Actor, *, request_id: int, version: int, days: int, reason: str, approver: str
) -> InfoRequest:
    """Art. 33: one extension of at most 20 working days, approved, the applicant informed."""
    r = await _load(session, actor, request_id, version)
    _require(r, (*WORKING, RequestStatus.CONSULTING, RequestStatus.THIRD_PARTY, RequestStatus.IN_REVIEW), "延期")
    if r.extension_days:
        raise UserInputError("days", "ALREADY_EXTENDED", "答复期限只能延长一次")
    if not 1 <= days <= clock.MAX_EXTENSION:
        raise UserInputError("days", "TOO_LONG", "延长的期限最长不得超过20个工作日")
    if not (reason or "").strip():
        raise UserInputError("reason", "REQUIRED", "延期须说明理由")
    if not (approver or "").strip():
        raise UserInputError("approver", "REQUIRED", "延期须经政府信息公开工作机构负责人同意，请填写同意人")
    r.extension_days = days
    _event(
        session,
        actor,
        r,
        EventKind.EXTENDED,
        today(),
        reason.strip(),
        days=days,
        approver=approver.strip(),
        applicant_informed=True,
    )
    await session.flush()
    await _recompute(session, r)
    return await _save(session, actor, r, "extend", f"延期{days}个工作日（{approver.strip()}同意），已告知申请人")


async def send_for_review(session: AsyncSession, actor: Actor, *, request_id: int, version: int) -> InfoRequest:
    r = await _load(session, actor, request_id, version)
    _require(r, WORKING, "送审")
    r.status = RequestStatus.IN_REVIEW
    _event(session, actor, r, EventKind.IN_REVIEW, today(), "送负责人审签")
    return await _save(session, actor, r, "review", "送审")


@dataclass
class ReplyInput:
    reply_type: ReplyType
    reason: ReplyReason | None = None
    legal_basis: str = ""
    note: str = ""
    publish_proactively: bool = False


async def _letter(session: AsyncSession, r: InfoRequest, reply: ReplyInput, org: Organization, on: date) -> str:
    template = (
        await session.execute(select(ReplyTemplate).where(ReplyTemplate.reply_type == reply.reply_type))
    ).scalar_one_or_none()
    text = template.body if template else DEFAULT_TEMPLATES[reply.reply_type]
    values = {
        "applicant_name": r.applicant_name, "tracking_code": r.tracking_code, "received_on": r.received_on.isoformat(),
        "description": r.description, "reason": reply.reason.value if reply.reason else "", "legal_basis": reply.legal_basis,
        "remedies": REMEDIES, "organization": org.name, "replied_on": on.isoformat(),
    }  # fmt: skip
    letter = text.format_map(_Blank(values))
    if reply.reply_type in REFUSALS and REMEDIES not in letter:
        letter += "\n" + REMEDIES
    return letter + (f"\n{reply.note}" if reply.note else "")


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


async def reply(
    session: AsyncSession, actor: Actor, *, request_id: int, version: int, reply_: ReplyInput
) -> InfoRequest:
    r = await _load(session, actor, request_id, version)
    _require(r, (*WORKING, RequestStatus.IN_REVIEW), "答复")
    allowed = REASONS_BY_TYPE[reply_.reply_type]
    if allowed and reply_.reason not in allowed:
        names = "、".join(x.value for x in allowed)
        raise UserInputError("reason", "REASON_REQUIRED", f"该答复类型须选择理由：{names}")
    if not allowed and reply_.reason is not None:
        raise UserInputError("reason", "REASON_NOT_ALLOWED", "予以公开、部分公开的答复不选择不予公开理由")
    if reply_.reply_type in REFUSALS and not reply_.legal_basis.strip():
        raise UserInputError(
            "legalBasis", "LEGAL_BASIS_REQUIRED", "不予公开或不能提供的答复须写明法律依据（条例第几条）"
        )
    org = await session.get(Organization, r.handling_org_id)
    assert org is not None
    on = today()
    r.reply_type, r.reply_reason, r.replied_on = reply_.reply_type, reply_.reason, on
    r.reply_letter = await _letter(session, r, reply_, org, on)
    r.status = RequestStatus.REPLIED
    _event(session, actor, r, EventKind.REPLIED, on, reply_.note, reply_type=reply_.reply_type.value)
    if reply_.publish_proactively and reply_.reply_type in (ReplyType.DISCLOSED, ReplyType.PARTIALLY_DISCLOSED):
        await session.flush()
        r.proactive_document_id = await _start_proactive(session, actor, r, org)
    return await _save(session, actor, r, "reply", f"答复：{reply_.reply_type.value}")


async def _start_proactive(session: AsyncSession, actor: Actor, r: InfoRequest, org: Organization) -> int:
    """Information of wide interest found in a reply goes into the proactive channel as a draft,
    through the ordinary three-step review (huili-2016)."""
    from . import documents

    doc = documents.Document(
        kind=DocumentKind.GOVERNMENT_INFO, publisher_id=org.id, scope_path=r.scope_path,
        status=documents.DocumentStatus.DRAFT,
    )  # fmt: skip
    fields_ = documents.DocumentFields(
        title=f"依申请公开转主动公开：{r.description[:80]}", summary=r.description,
        attribute=DisclosureAttribute.PROACTIVE, channels=["政府网站"],
    )  # fmt: skip
    await documents.add_draft(session, actor, doc, fields_, note=f"由依申请公开 {r.tracking_code} 转入")
    return doc.id


async def _next_archive_serial(session: AsyncSession, organization_id: int, year: int) -> int:
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    values = {"organization_id": organization_id, "year": year, "last_serial": 0}
    insert = (
        (postgresql if dialect == "postgresql" else sqlite)
        .insert(ArchiveCounter)
        .values(**values)
        .on_conflict_do_nothing()
    )
    await session.execute(insert)
    bumped = await session.execute(
        update(ArchiveCounter)
        .where(ArchiveCounter.organization_id == organization_id, ArchiveCounter.year == year)
        .values(last_serial=ArchiveCounter.last_serial + 1)
        .returning(ArchiveCounter.last_serial)
    )
    return int(bumped.scalar_one())


def short_code(org: Organization) -> str:
    return (org.short_name or f"ORG{org.id}").strip()


async def archive(session: AsyncSession, actor: Actor, *, request_id: int, version: int) -> InfoRequest:
    """归档 with a number {short code}-{year}-{4-digit serial}, unique per organization and year."""
    r = await _load(session, actor, request_id, version)
    _require(r, (RequestStatus.REPLIED, RequestStatus.CLOSED, RequestStatus.WITHDRAWN), "归档")
    org = await session.get(Organization, r.handling_org_id)
    assert org is not None
    year = today().year
    serial = await _next_archive_serial(session, org.id, year)
    r.archive_no = f"{short_code(org)}-{year}-{serial:04d}"
    r.status = RequestStatus.ARCHIVED
    _event(session, actor, r, EventKind.ARCHIVED, today(), r.archive_no)
    return await _save(session, actor, r, "archive", f"归档 {r.archive_no}")


async def withdraw(
    session: AsyncSession, actor: Actor, *, request_id: int, version: int, note: str = ""
) -> InfoRequest:
    r = await _load(session, actor, request_id, version)
    _require(r, OPEN_STATUSES, "撤回")
    r.status = RequestStatus.WITHDRAWN
    _event(session, actor, r, EventKind.WITHDRAWN, today(), note or "申请人撤回申请")
    return await _save(session, actor, r, "withdraw", "申请人撤回")


async def record_appeal(
    session: AsyncSession, actor: Actor, *, request_id: int, kind: AppealKind, outcome: AppealOutcome,
    filed_on: date | None = None, note: str = "",
) -> Appeal:  # fmt: skip
    r = await session.get(InfoRequest, request_id)
    if r is None:
        raise UserInputError("requestId", "NOT_FOUND", "找不到该申请")
    actor.require("request", "handle", r.scope_path)
    appeal = Appeal(request_id=r.id, kind=kind, outcome=outcome, filed_on=filed_on, note=note)
    session.add(appeal)
    _event(
        session,
        actor,
        r,
        EventKind.APPEAL_RECORDED,
        filed_on or today(),
        note,
        appeal_kind=kind.value,
        outcome=outcome.value,
    )
    audit.record(
        session,
        actor,
        "request.appeal",
        "InfoRequest",
        r.id,
        r.scope_path,
        f"{r.tracking_code}：{kind.value} {outcome.value}",
    )
    await session.commit()
    return appeal


async def update_appeal(
    session: AsyncSession,
    actor: Actor,
    *,
    appeal_id: int,
    version: int,
    outcome: AppealOutcome,
    note: str | None = None,
) -> Appeal:
    appeal = await session.get(Appeal, appeal_id)
    if appeal is None:
        raise UserInputError("id", "NOT_FOUND", "找不到该复议或诉讼记录")
    r = await session.get(InfoRequest, appeal.request_id)
    assert r is not None
    actor.require("request", "handle", r.scope_path)
    if version != appeal.version:
        raise Conflict()
    appeal.outcome = outcome
    if note is not None:
        appeal.note = note
    audit.record(
        session,
        actor,
        "request.appeal_update",
        "Appeal",
        appeal.id,
        r.scope_path,
        f"{r.tracking_code}：结果 {outcome.value}",
    )
    await commit_or_conflict(session)
    return appeal


# --- calendar ---


async def set_calendar_days(session: AsyncSession, actor: Actor, days: list[tuple[date, bool | None, str]]) -> int:
    """Enter holidays and 调休 working days (None removes a day); every open request's due date is
    recomputed in the same transaction. One calendar serves every county: only a grant at ``*``
    may change it, and the change is audited at ``*``."""
    actor.require("calendar", "manage", ROOT)
    for day, working, note in days:
        existing = await session.get(CalendarDay, day)
        if working is None:
            if existing is not None:
                await session.delete(existing)
        elif existing is None:
            session.add(CalendarDay(day=day, working=working, note=note, set_by_id=actor.user_id))
        else:
            existing.working, existing.note, existing.set_by_id, existing.set_at = (
                working,
                note,
                actor.user_id,
                utcnow(),
            )
    await session.flush()
    ovr = await overrides(session)
    open_requests = (
        (await session.execute(select(InfoRequest).where(InfoRequest.status.in_(OPEN_STATUSES)))).scalars().all()
    )
    # Every open request's events in one statement, however many requests are open.
    events: dict[int, list[RequestEvent]] = {r.id: [] for r in open_requests}
    stmt = select(RequestEvent).where(RequestEvent.request_id.in_(list(events))).order_by(RequestEvent.id)
    for event in (await session.execute(stmt)).scalars():
        events[event.request_id].append(event)
    for r in open_requests:
        _set_due(r, events[r.id], ovr)
    audit.record(
        session,
        actor,
        "calendar.set",
        "CalendarDay",
        None,
        ROOT,
        f"设置{len(days)}天，重新计算{len(open_requests)}件申请的答复期限",
    )
    await session.commit()
    return len(open_requests)


# --- reading ---


@dataclass
class RequestFilter:
    unit_path: str | None = None
    organization_id: int | None = None
    status: RequestStatus | None = None
    overdue: bool | None = None
    due_before: date | None = None
    received_from: date | None = None
    received_to: date | None = None


def _requests_query(actor: Actor, f: RequestFilter) -> Select[InfoRequest]:
    actor.require_user()
    stmt = select(InfoRequest).where(actor.visible(InfoRequest.scope_path, "request", "read"))
    if f.unit_path is not None:
        stmt = stmt.where(InfoRequest.scope_path.like(f.unit_path + "/%"))
    if f.organization_id is not None:
        stmt = stmt.where(InfoRequest.handling_org_id == f.organization_id)
    if f.status is not None:
        stmt = stmt.where(InfoRequest.status == f.status)
    if f.overdue is not None:
        late = InfoRequest.status.in_(OPEN_STATUSES) & (InfoRequest.due_on < today())
        stmt = stmt.where(late if f.overdue else ~late)
    if f.due_before is not None:
        stmt = stmt.where(InfoRequest.due_on < f.due_before)
    if f.received_from is not None:
        stmt = stmt.where(InfoRequest.received_on >= f.received_from)
    if f.received_to is not None:
        stmt = stmt.where(InfoRequest.received_on <= f.received_to)
    return stmt.order_by(InfoRequest.due_on, InfoRequest.id)


async def list_requests(
    session: AsyncSession, actor: Actor, f: RequestFilter, first: int | None = None, after: str | None = None
) -> Page[InfoRequest]:
    """Soonest due first: the requests under the actor's ``request read`` grants."""
    return await fetch_page(session, _requests_query(actor, f), first, after)


async def requests_by_ids(session: AsyncSession, ids: Sequence[int]) -> list[InfoRequest | None]:
    """By id, whoever asks: ``InfoRequest`` checks ``can_read`` on each."""
    return await by_ids(session, InfoRequest, ids)


async def events_of_requests(session: AsyncSession, ids: Sequence[int]) -> list[list[RequestEvent]]:
    stmt = select(RequestEvent).where(RequestEvent.request_id.in_(ids)).order_by(RequestEvent.id)
    return await grouped(session, stmt, "request_id", ids)


def is_overdue(r: InfoRequest) -> bool:
    """Still open after its due day (the same rule as the ``overdue`` filter above)."""
    return r.status in OPEN_STATUSES and r.due_on < today()


def days_left(r: InfoRequest, ovr: Overrides) -> int | None:
    """Working days to the due day, negative when overdue; None once the request is closed."""
    return clock.working_days_left(today(), r.due_on, ovr) if r.status in OPEN_STATUSES else None


def can_read(actor: Actor, r: InfoRequest) -> bool:
    return actor.can("request", "read", r.scope_path)


def _appeals_visible(actor: Actor) -> Select[Appeal]:
    """Appeals are read by whoever may read their request (``request read`` in its scope)."""
    actor.require_user()
    return (
        select(Appeal)
        .join(InfoRequest, InfoRequest.id == Appeal.request_id)
        .where(actor.visible(InfoRequest.scope_path, "request", "read"))
    )


async def appeals_by_ids(session: AsyncSession, actor: Actor, ids: Sequence[int]) -> list[Appeal | None]:
    found = {a.id: a for a in (await session.execute(_appeals_visible(actor).where(Appeal.id.in_(ids)))).scalars()}
    return [found.get(i) for i in ids]


async def appeals_of_requests(session: AsyncSession, actor: Actor, request_ids: Sequence[int]) -> list[list[Appeal]]:
    stmt = _appeals_visible(actor).where(Appeal.request_id.in_(request_ids)).order_by(Appeal.id)
    groups: dict[int, list[Appeal]] = {i: [] for i in request_ids}
    for appeal in (await session.execute(stmt)).scalars():
        groups[appeal.request_id].append(appeal)
    return [groups[i] for i in request_ids]


async def reveal(session: AsyncSession, actor: Actor, vault: Vault, r: InfoRequest, field: str) -> str | None:
    """The full ID number or phone for the handler and the district office (each read audited);
    everybody else gets the masked form."""
    sealed, hint = (r.id_number_enc, r.id_number_hint) if field == "idNumber" else (r.phone_enc, r.phone_hint)
    if not actor.can("request", "read_personal", r.scope_path):
        return hint
    # A read, not a change: its audit row goes in a transaction of its own, so that sibling
    # fields being resolved on the request's session are not disturbed.
    async with AsyncSession(session.bind) as own:
        audit.record(
            own, actor, "request.reveal", "InfoRequest", r.id, r.scope_path, f"查看 {r.tracking_code} 的{field}"
        )
        await own.commit()
    return vault.open(sealed)


async def save_template(session: AsyncSession, actor: Actor, *, reply_type: ReplyType, body: str) -> ReplyTemplate:
    """The district office's letter for a reply type; placeholders: {applicant_name} {tracking_code}
    {received_on} {description} {reason} {legal_basis} {remedies} {organization} {replied_on}.
    The templates serve every county: only a grant at ``*`` may change them (audited at ``*``)."""
    actor.require("reply_template", "manage", ROOT)
    body = (body or "").strip()
    if not body:
        raise UserInputError("body", "REQUIRED", "模板内容不能为空")
    try:
        body.format_map(_Blank({}))
    except (ValueError, IndexError) as exc:
        raise UserInputError("body", "INVALID_TEMPLATE", "模板中的花括号占位符写法不正确，如 {applicant_name}") from exc
    if reply_type in REFUSALS and "{remedies}" not in body:
        raise UserInputError(
            "body", "REMEDIES_REQUIRED", "不予公开等答复的模板须包含 {remedies}（复议、诉讼的途径和期限）"
        )
    template = (
        await session.execute(select(ReplyTemplate).where(ReplyTemplate.reply_type == reply_type))
    ).scalar_one_or_none()
    if template is None:
        template = ReplyTemplate(reply_type=reply_type, body=body)
        session.add(template)
    else:
        template.body = body
    audit.record(
        session, actor, "request.template", "ReplyTemplate", reply_type.value, ROOT, f"修改{reply_type.value}答复模板"
    )
    await commit_or_conflict(session)
    return template
